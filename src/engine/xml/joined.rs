//! Words cut by markup a reader does not see: `Thack<!-- x -->eray`, `MR441<?z?>0827`,
//! `MR441<![CDATA[0827]]>`, CDA's `MR441<content styleCode="Bold">0827</content>`,
//! XHTML's `Rosa<b>lind</b>` (red team 50, F13).
//!
//! Each piece of character data is a value of its own to the writer, so a value cut into
//! pieces would be read piece by piece, and no piece alone is PHI. Here the character data
//! of a run of text, CDATA sections, comments, processing instructions and inline elements
//! is read joined, the markup between its pieces reading as nothing, whenever two pieces
//! meet with no blank between them (a reader sees one word there). What is found is
//! rewritten in the joined value and the result is cut back into the pieces: a span across
//! a cut is written whole where it starts, and the pieces after it lose what it covered.
//! The markup stays where it was (comments and instructions are still read as values of
//! their own, attributes of inline tags too), so the document stays well-formed.
//!
//! The cuts are carried through the rewrite as markers that read as nothing
//! ([`SpelledBuilder::hidden`]); a span over a cut takes its marker, which is how a piece is
//! known to be covered. Under exact tokens a marker may be part of a token's value: it is
//! an XML spelling that reads as nothing, so a revealed value reads as the joined word.

use std::borrow::Cow;

use super::{escape_text, Action, Deidentifier, Item};
use crate::engine::spelling::{render, Render, SpelledBuilder, XML_CLOSE, XML_OPEN};
use crate::engine::ScanError;

/// Opens a cut's spelling inside an XML marker: `XML_OPEN`, this, the cut's number,
/// `XML_CLOSE`. A private-use character no reference or literal spells, so no other marker
/// reads like one.
const CUT: char = '\u{E005}';

/// Elements that sit inside a line of text and start no block of their own: CDA
/// narrative's inline elements and XHTML's (FHIR narratives). Their tags cut no word.
const INLINE_ELEMENTS: &[&str] = &[
    // CDA narrative block.
    "content",
    "sup",
    "sub",
    "br",
    "footnote",
    "footnoteRef",
    "linkHtml",
    "renderMultiMedia",
    // XHTML.
    "a",
    "abbr",
    "b",
    "bdi",
    "bdo",
    "big",
    "cite",
    "code",
    "data",
    "del",
    "dfn",
    "em",
    "font",
    "i",
    "img",
    "ins",
    "kbd",
    "mark",
    "q",
    "s",
    "samp",
    "small",
    "span",
    "strike",
    "strong",
    "time",
    "tt",
    "u",
    "var",
    "wbr",
];

/// Whether `raw` is a start, empty or end tag of one of [`INLINE_ELEMENTS`] (any
/// namespace prefix).
fn is_inline_tag(raw: &str) -> bool {
    let Some(rest) = raw.strip_prefix('<') else {
        return false;
    };
    let rest = rest.strip_prefix('/').unwrap_or(rest);
    let name = rest
        .split(|c: char| c.is_ascii_whitespace() || c == '/' || c == '>')
        .next()
        .unwrap_or("");
    let local = name.rsplit(':').next().unwrap_or(name);
    INLINE_ELEMENTS.contains(&local)
}

/// What an item is to a run of character data.
enum Part<'v> {
    /// Character data read with the run (text scanned as text, CDATA).
    Data(&'v str),
    /// Markup that reads as nothing inside a line: a comment, an instruction, an inline tag.
    Cut,
    /// Anything else ends the run: another tag, text typed by a rule.
    End,
}

fn part<'v>(item: &'v Item<'_>) -> Part<'v> {
    match item {
        Item::Text {
            value,
            action: Action::Scan,
            ..
        } => Part::Data(&value.reading),
        Item::CData { inner, .. } => Part::Data(inner),
        Item::Comment { .. } | Item::Pi { .. } => Part::Cut,
        Item::Tag { raw, .. } | Item::Markup(raw) if is_inline_tag(raw) => Part::Cut,
        _ => Part::End,
    }
}

/// The runs of character data in `items` whose pieces meet inside a word: each the indices
/// of its pieces (two or more, none empty), in order.
fn cut_runs(items: &[Item<'_>]) -> Vec<Vec<usize>> {
    let mut runs = Vec::new();
    let mut run: Vec<usize> = Vec::new();
    let mut cut = false;
    // The last character of the run's last piece.
    let mut last: Option<char> = None;
    let mut close = |run: &mut Vec<usize>, cut: &mut bool| {
        if *cut && run.len() >= 2 {
            runs.push(std::mem::take(run));
        }
        run.clear();
        *cut = false;
    };
    for (i, item) in items.iter().enumerate() {
        match part(item) {
            Part::Data("") => {}
            Part::Data(text) => {
                cut |= cuts_a_word(last, text.chars().next());
                last = text.chars().next_back();
                run.push(i);
            }
            Part::Cut => {}
            Part::End => {
                close(&mut run, &mut cut);
                last = None;
            }
        }
    }
    close(&mut run, &mut cut);
    runs
}

/// Whether two pieces meeting at `left`|`right` meet inside a word: no blank on either
/// side, and not a sentence's punctuation before a letter (`MR4410827.<content>Seán` is two
/// words on the page; `1961-<!---->08-23`, `otter.lake<b>.74</b>` are one).
fn cuts_a_word(left: Option<char>, right: Option<char>) -> bool {
    let (Some(l), Some(r)) = (left, right) else {
        return false;
    };
    let sentence_end = matches!(l, '.' | ',' | ';' | ':' | '!' | '?' | ')' | ']' | '}');
    !(l.is_whitespace() || r.is_whitespace() || sentence_end && r.is_alphabetic())
}

/// `out` cut at the markers of cuts `1..pieces`: what follows marker `k` is piece `k`'s,
/// what precedes the first is piece 0's; a piece whose marker a rewrite took is empty.
fn split_at_cuts(out: &str, pieces: usize) -> Vec<String> {
    let mut parts = vec![String::new(); pieces];
    let mut current = 0;
    let mut rest = out;
    let open = [XML_OPEN, CUT].iter().collect::<String>();
    while let Some(i) = rest.find(&open) {
        let after = &rest[i + open.len()..];
        let Some(j) = after.find(XML_CLOSE) else {
            break;
        };
        let Some(k) = after[..j].parse::<usize>().ok().filter(|k| *k < pieces) else {
            break;
        };
        if let Some(p) = parts.get_mut(current) {
            p.push_str(&rest[..i]);
        }
        current = k;
        rest = &after[j + XML_CLOSE.len_utf8()..];
    }
    if let Some(p) = parts.get_mut(current) {
        p.push_str(rest);
    }
    parts
}

impl Deidentifier<'_, '_, '_> {
    /// Rewrites every run of character data whose pieces meet inside a word, read joined;
    /// its pieces become [`Item::Written`]. A run where nothing is found is left to be read
    /// piece by piece as before.
    pub(super) fn rewrite_cut_words(&mut self, items: &mut [Item<'_>]) -> Result<(), ScanError> {
        for run in cut_runs(items) {
            self.rewrite_run(items, &run)?;
        }
        Ok(())
    }

    fn rewrite_run(&mut self, items: &mut [Item<'_>], run: &[usize]) -> Result<(), ScanError> {
        let mut b = SpelledBuilder::default();
        for (k, &i) in run.iter().enumerate() {
            if k > 0 {
                b.hidden(XML_OPEN, &format!("{CUT}{k}"), XML_CLOSE);
            }
            match &items[i] {
                Item::Text { value, .. } => b.spelled(value),
                Item::CData { inner, .. } => b.same(inner),
                _ => {}
            }
        }
        let joined = b.finish();
        let out = self.engine.scan_spelled(
            &joined,
            &self.learned,
            self.t,
            &self.ctx,
            self.scratch,
            &mut self.counts,
        )?;
        let Cow::Owned(out) = out else {
            return Ok(());
        };
        for (&i, new) in run.iter().zip(split_at_cuts(&out, run.len())) {
            let written = match &items[i] {
                Item::Text { raw, value, .. } if new == *value.written => raw.to_string(),
                Item::Text { .. } => {
                    let mut s = String::with_capacity(new.len());
                    escape_text(&new, &mut s);
                    s
                }
                Item::CData { raw, inner } if new == *inner => raw.to_string(),
                Item::CData { .. } if new.is_empty() => String::new(),
                Item::CData { .. } => {
                    // A piece's text may hold another piece's spellings: CDATA takes readings.
                    let plain = render(&new, Render::Plain);
                    format!("<![CDATA[{}]]>", plain.replace("]]>", "]]]]><![CDATA[>"))
                }
                _ => continue,
            };
            items[i] = Item::Written(written);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_tags_are_known_by_their_local_name() {
        for yes in [
            "<content styleCode=\"Bold\">",
            "</content>",
            "<br/>",
            "<h:b>",
            "</xhtml:span>",
        ] {
            assert!(is_inline_tag(yes), "{yes}");
        }
        for no in [
            "<paragraph>",
            "</td>",
            "<!-- b -->",
            "<?b?>",
            "<brx/>",
            "text",
        ] {
            assert!(!is_inline_tag(no), "{no}");
        }
    }

    #[test]
    fn pieces_meet_inside_a_word_only_with_no_blank_and_no_sentence_break() {
        for (l, r, cut) in [
            ('k', 'e', true),
            ('-', '0', true),
            ('e', '.', true),
            ('.', '7', true),
            ('.', 'S', false),
            (';', 'T', false),
            (' ', 'T', false),
            ('k', '\n', false),
        ] {
            assert_eq!(cuts_a_word(Some(l), Some(r)), cut, "{l:?}{r:?}");
        }
        assert!(!cuts_a_word(None, Some('a')));
    }

    #[test]
    fn output_is_cut_back_at_the_markers_left() {
        let m = |k: usize| format!("{XML_OPEN}{CUT}{k}{XML_CLOSE}");
        let out = format!("Seen NAME_A, ID_B{} later", m(2));
        assert_eq!(
            split_at_cuts(&out, 3),
            vec![
                "Seen NAME_A, ID_B".to_string(),
                String::new(),
                " later".into()
            ]
        );
        let out = format!("a{}b{}c", m(1), m(2));
        assert_eq!(split_at_cuts(&out, 3), vec!["a", "b", "c"]);
    }
}
