//! Lightweight markup and terminal controls inside a value (red team 51, G10).
//!
//! A reader of Markdown, LaTeX, MediaWiki or AsciiDoc (a language model, a FHIR `markdown`
//! field's renderer) sees `MR441**0827**`, `MR441_0827_`, ``MR441`0827` ``,
//! `MR441\textbf{0827}`, `MR441'''0827'''` and `MR441{}0827` as `MR4410827`; a terminal shows
//! `MR441\x1b[1m0827` and the overstruck `MR441X\x080827` so too.
//!
//! Terminal controls show nothing wherever they stand, so every view reads an escape
//! sequence (CSI, `ESC [ … m`) and a character struck over by a backspace as nothing
//! ([`Canon::unescaped_terminal`]). Markup marks are ordinary punctuation elsewhere
//! (`first_name`, `5*3`, `don't`), so only a mark written twice inside one run of
//! characters without a blank — an opening and a closing mark, one of them inside the
//! run — is markup; the joined reading ([`Canon::joined`], which the engine
//! reads beside the view) reads such marks as nothing, and the view itself keeps them.

use super::{Builder, Canon, Tags};

/// The escape character that opens a terminal control sequence.
const ESC: u8 = 0x1b;

/// Backspace: the character before it is struck over by the one after.
const BACKSPACE: u8 = 0x08;

/// Longest control sequence read (an SGR with many parameters).
const MAX_CSI: usize = 32;

/// The marks that open and close an emphasis, longest first (so `**` is not read as two
/// `*`).
const MARKS: &[&str] = &[
    "'''", "***", "___", "**", "__", "~~", "##", "''", "``", "*", "_", "`",
];

impl Canon {
    /// The view of `text` with terminal escape sequences and overstruck characters read as
    /// nothing, or `None` when it has none.
    pub(super) fn unescaped_terminal(text: &str) -> Option<Canon> {
        let b = text.as_bytes();
        memchr::memchr2(ESC, BACKSPACE, b)?;
        let mut out = Builder::with_capacity(text.len());
        let mut copied = 0;
        let mut i = 0;
        let mut changed = false;
        while i < b.len() {
            let len = match b[i] {
                ESC => csi_len(&b[i..]),
                // The character before a backspace is struck over (`X\x080` shows `0`).
                BACKSPACE => Some(1),
                _ => None,
            };
            let Some(len) = len else {
                i += 1;
                continue;
            };
            let mut start = i;
            if b[i] == BACKSPACE && start > copied {
                // Drop the struck character too (one character, whatever its length).
                let before = text[copied..start]
                    .chars()
                    .next_back()
                    .map_or(0, char::len_utf8);
                start -= before;
            }
            out.push_literal(&text[copied..start], copied);
            copied = i + len;
            i = copied;
            changed = true;
        }
        if !changed {
            return None;
        }
        out.push_literal(&text[copied..], copied);
        Some(out.out)
    }

    /// The reading of `text` with markup marks inside its words read as nothing
    /// ([`Tags::Joined`]), or an unchanged view that notes they are there
    /// ([`Canon::cuts_words`]); `None` when it holds none.
    pub(super) fn unmarked(text: &str, tags: Tags) -> Option<Canon> {
        let cuts = markup_cuts(text);
        if cuts.is_empty() {
            return None;
        }
        let mut out = Builder::with_capacity(text.len());
        if tags != Tags::Joined {
            out.push_literal(text, 0);
            out.out.cuts_words = true;
            return Some(out.out);
        }
        let mut copied = 0;
        for (start, end) in cuts {
            out.push_literal(&text[copied..start], copied);
            copied = end;
        }
        out.push_literal(&text[copied..], copied);
        Some(out.out)
    }
}

/// The length of the terminal control sequence at the start of `b` (an `ESC`): a CSI
/// (`ESC [`, parameters, a final byte), or `ESC` and one more character.
fn csi_len(b: &[u8]) -> Option<usize> {
    match b.get(1)? {
        b'[' => {
            let params = b[2..]
                .iter()
                .take(MAX_CSI)
                .take_while(|c| (0x20..=0x3f).contains(*c))
                .count();
            let last = *b.get(2 + params)?;
            (0x40..=0x7e).contains(&last).then_some(3 + params)
        }
        c if (0x40..=0x5f).contains(c) => Some(2),
        _ => None,
    }
}

/// The byte ranges of the markup marks of `text` that cut a word: in each run of
/// characters without a blank, a mark written at least twice, one of them inside the
/// run. Also an empty TeX group (`{}`), a TeX discretionary hyphen (`\-`), and a
/// TeX command with its braces (`\textbf{0827}`).
fn markup_cuts(text: &str) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let mut cuts = Vec::new();
    let mut start = 0;
    while start < b.len() {
        if b[start].is_ascii_whitespace() {
            start += 1;
            continue;
        }
        let end = b[start..]
            .iter()
            .position(u8::is_ascii_whitespace)
            .map_or(b.len(), |k| start + k);
        run_cuts(b, start, end, &mut cuts);
        start = end;
    }
    cuts
}

/// The cuts of the run `b[start..end]`, pushed onto `cuts`.
fn run_cuts(b: &[u8], start: usize, end: usize, cuts: &mut Vec<(usize, usize)>) {
    let run = &b[start..end];
    if !run.iter().any(u8::is_ascii_alphanumeric) {
        return;
    }
    let mut marks: Vec<(usize, usize, &str)> = Vec::new();
    let mut i = 0;
    while i < run.len() {
        // Most bytes open neither a TeX cut nor a mark: one table look-up instead of
        // trying the twelve marks at each of them (this loop was 3 % of a note's cost).
        if !OPENS_MARKUP[usize::from(run[i])] {
            i += 1;
            continue;
        }
        if let Some(len) = tex_cut(run, i) {
            cuts.push((start + i, start + i + len));
            i += len;
            continue;
        }
        match MARKS.iter().find(|m| run[i..].starts_with(m.as_bytes())) {
            Some(m) => {
                let len = run[i..]
                    .iter()
                    .take_while(|&&c| c == m.as_bytes()[0])
                    .count();
                // A longer row of one character than any mark is no mark (`____`).
                if len == m.len() {
                    marks.push((i, i + len, m));
                }
                i += len;
            }
            None => i += 1,
        }
    }
    // Within the run, not at its edge: the mark cuts what a reader sees whole
    // (`MR441**0827**`, `1961-**08-23**`, `otter.lake.**74@inbox.example**`).
    let inside = |s: usize, e: usize| s > 0 && e < run.len();
    for &(s, e, m) in &marks {
        let twice = marks.iter().filter(|&&(_, _, n)| n == m).count() >= 2;
        let cuts_a_word = marks.iter().any(|&(s2, e2, n)| n == m && inside(s2, e2));
        if twice && cuts_a_word {
            cuts.push((start + s, start + e));
        }
    }
    cuts.sort_unstable();
}

/// The bytes [`tex_cut`] or one of [`MARKS`] can begin with: at any other byte neither
/// finds anything.
const OPENS_MARKUP: [bool; 256] = opens_markup();

const fn opens_markup() -> [bool; 256] {
    let mut table = [false; 256];
    // `tex_cut`'s openings.
    table[b'{' as usize] = true;
    table[b'}' as usize] = true;
    table[b'\\' as usize] = true;
    let mut m = 0;
    while m < MARKS.len() {
        table[MARKS[m].as_bytes()[0] as usize] = true;
        m += 1;
    }
    table
}

/// The length of TeX markup at `run[i..]` that shows nothing inside a word: an empty group
/// `{}`, a discretionary hyphen `\-`, a command and its opening brace (`\textbf{`), or a
/// group's braces glued to letters or digits (`MR441{0827}`).
fn tex_cut(run: &[u8], i: usize) -> Option<usize> {
    let rest = &run[i..];
    let glued_before = i > 0 && run[i - 1].is_ascii_alphanumeric();
    if rest.starts_with(b"{}") || rest.starts_with(b"\\-") {
        return (i > 0 && rest.len() > 2).then_some(2);
    }
    if rest.first() == Some(&b'\\') {
        let word = rest[1..]
            .iter()
            .take_while(|c| c.is_ascii_alphabetic())
            .count();
        if word > 0 && rest.get(1 + word) == Some(&b'{') {
            return Some(word + 2);
        }
        return None;
    }
    if matches!(rest.first(), Some(b'{' | b'}')) {
        let after = rest.get(1).is_some_and(u8::is_ascii_alphanumeric);
        return (glued_before || after).then_some(1);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::super::Canon;

    fn joined(s: &str) -> String {
        Canon::joined(s).map_or_else(|| s.to_string(), |c| c.text().to_string())
    }

    fn read(s: &str) -> String {
        Canon::of(s).map_or_else(|| s.to_string(), |c| c.text().to_string())
    }

    #[test]
    fn markup_inside_a_word_reads_as_nothing_in_the_joined_reading() {
        for s in [
            "chart MR441**0827** today",
            "chart MR441_0827_ today",
            "chart MR441`0827` today",
            "chart MR441'''0827''' today",
            "chart MR441##0827## today",
            "chart MR441*0827* today",
            "chart MR441{}0827 today",
            "chart MR441\\textbf{0827} today",
            "chart MR441\\-0827 today",
        ] {
            assert!(joined(s).contains("MR4410827"), "{s}: {}", joined(s));
            assert!(Canon::of(s).is_some_and(|c| c.cuts_words()), "{s}");
        }
    }

    #[test]
    fn terminal_controls_read_as_nothing() {
        assert!(read("chart MR441\x1b[1m0827\x1b[0m today").contains("MR4410827 today"));
        assert!(read("chart MR441X\x080827").contains("MR4410827"));
    }

    #[test]
    fn a_byte_the_table_skips_opens_no_markup() {
        for c in 0..=u8::MAX {
            if super::OPENS_MARKUP[usize::from(c)] {
                continue;
            }
            let run = [b'a', c, b'{', b'}', b'a'];
            assert_eq!(super::tex_cut(&run, 1), None, "{c}");
            assert!(!super::MARKS.iter().any(|m| m.as_bytes()[0] == c), "{c}");
        }
    }

    #[test]
    fn ordinary_punctuation_is_no_markup() {
        for s in ["first_name", "5*3 = 15", "don't", "C5-C6 x2", "a_b c_d"] {
            assert_eq!(joined(s), read(s), "{s}");
        }
    }
}
