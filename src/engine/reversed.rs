//! Text written backwards (`yarekcahT dnilasoR`, `dR wolloH yrrauQ 1744`).
//!
//! Owns finding the runs of a text that are written back to front, so each can be read
//! the other way round and the detector sees `Rosalind Thackeray`. The sign is a word whose
//! capital comes last (`yarekcahT`): English puts a capital first or everywhere, and the
//! units and codes that end on one (`mg/dL`, `pH`) are shorter. Only a run around such
//! words is read backwards, not the text around it (`Patient` reversed is a word no list
//! holds, and would read as a name), so the cost falls on almost nothing.

use crate::phi::Span;

/// Fewest letters in a word read as a capitalised word written backwards: `dL` and `mcL`
/// end in a capital and are units.
const MIN_REVERSED_WORD: usize = 4;

/// Most bytes between two words of one run (`, ` or ` - `); a line break ends a run.
const MAX_GAP: usize = 3;

/// How a word of the text counts for a run written backwards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    /// Lower-case letters and then one capital (`yarekcahT`, `wolloH`).
    Backwards,
    /// A number or a word of up to three letters (`1744`, `dR`), taken in beside one.
    Short,
    Other,
}

/// The byte ranges of `text` written backwards: runs of [`Part::Backwards`] words, with
/// the short words between them and one on each side.
pub fn reversed_runs(text: &str) -> Vec<(usize, usize)> {
    // Every scanned text comes here: most hold no backwards word, and are ruled out by one
    // pass that allocates nothing.
    // Cut on bytes, not characters: a character outside ASCII is bytes that are no ASCII
    // letter or digit, so the pieces are the same words (and empty ones, never backwards).
    let backwards = text
        .as_bytes()
        .split(|c| !c.is_ascii_alphanumeric())
        .any(|w| part(w) == Part::Backwards);
    if !backwards {
        return Vec::new();
    }
    let words = words(text);
    let joined = |a: &(usize, usize, Part), b: &(usize, usize, Part)| {
        let gap = &text[a.1..b.0];
        gap.len() <= MAX_GAP && !gap.contains(['\n', '\r'])
    };
    let mut runs = Vec::new();
    let mut i = 0;
    while i < words.len() {
        if words[i].2 != Part::Backwards {
            i += 1;
            continue;
        }
        let mut first = i;
        if i > 0 && words[i - 1].2 == Part::Short && joined(&words[i - 1], &words[i]) {
            first = i - 1;
        }
        let mut last = i;
        while let Some(next) = words.get(last + 1) {
            if !joined(&words[last], next) || next.2 == Part::Other {
                break;
            }
            last += 1;
            if next.2 == Part::Short {
                // A short word ends the run unless a backwards word follows it.
                let more = words
                    .get(last + 1)
                    .is_some_and(|w| w.2 == Part::Backwards && joined(&words[last], w));
                if !more {
                    break;
                }
            }
        }
        runs.push((words[first].0, words[last].1));
        i = last + 1;
    }
    runs
}

/// The runs of ASCII letters and digits of `text`, with how each counts.
fn words(text: &str) -> Vec<(usize, usize, Part)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_alphanumeric() {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && b[i].is_ascii_alphanumeric() {
            i += 1;
        }
        out.push((start, i, part(&b[start..i])));
    }
    out
}

fn part(w: &[u8]) -> Part {
    let n = w.len();
    if n >= MIN_REVERSED_WORD
        && w[n - 1].is_ascii_uppercase()
        && w[..n - 1].iter().all(u8::is_ascii_lowercase)
    {
        Part::Backwards
    } else if w.iter().all(u8::is_ascii_digit) || n <= 3 {
        Part::Short
    } else {
        Part::Other
    }
}

/// `text` character by character from its end.
pub fn reversed(text: &str) -> String {
    text.chars().rev().collect()
}

/// Spans found in [`reversed`] text of `len` bytes, as spans of the text as written: a
/// character's bytes keep their order, so bytes `s..e` of the reversed text are bytes
/// `len - e..len - s` of the text.
pub fn written_spans(found: &[Span], len: usize) -> Vec<Span> {
    let mut out: Vec<Span> = found
        .iter()
        .map(|s| Span {
            start: len - s.end,
            end: len - s.start,
            ty: s.ty,
        })
        .collect();
    out.reverse();
    out
}

/// The spans of both readings, in order, overlapping ones joined (the first one's type).
pub fn merged(a: Vec<Span>, b: Vec<Span>) -> Vec<Span> {
    let mut all = a;
    all.extend(b);
    all.sort_by_key(|s| (s.start, std::cmp::Reverse(s.end)));
    let mut out: Vec<Span> = Vec::with_capacity(all.len());
    for s in all {
        match out.last_mut() {
            Some(last) if s.start < last.end => last.end = last.end.max(s.end),
            _ => out.push(s),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::phi::PhiType;

    #[test]
    fn runs_written_backwards_are_found_with_their_short_words() {
        let runs = |t: &str| -> Vec<String> {
            reversed_runs(t)
                .into_iter()
                .map(|(a, b)| t[a..b].to_string())
                .collect()
        };
        assert_eq!(
            runs("Patient yarekcahT dnilasoR seen today"),
            ["yarekcahT dnilasoR"]
        );
        assert_eq!(
            runs("Home visit at dR wolloH yrrauQ 1744, ok"),
            ["dR wolloH yrrauQ 1744"]
        );
        assert_eq!(runs("nnA\nyarekcahT"), ["yarekcahT"]);
        for plain in [
            "Hb 12 g/dL, pH 7.4",
            "mcL",
            "Rosalind Thackeray",
            "iPhone",
            "mRNA",
        ] {
            assert!(runs(plain).is_empty(), "{plain}");
        }
    }

    #[test]
    fn spans_of_the_reversed_reading_map_back_to_the_written_bytes() {
        let text = "pt yarekcahT é";
        let back = reversed(text);
        let at = back.find("Thackeray").expect("reversed");
        let found = [Span {
            start: at,
            end: at + "Thackeray".len(),
            ty: PhiType::Name,
        }];
        let spans = written_spans(&found, text.len());
        assert_eq!(&text[spans[0].start..spans[0].end], "yarekcahT");
    }

    #[test]
    fn overlapping_spans_of_two_readings_are_joined() {
        let s = |start, end| Span {
            start,
            end,
            ty: PhiType::Name,
        };
        let out = merged(vec![s(0, 4), s(10, 12)], vec![s(2, 6), s(8, 9)]);
        let got: Vec<(usize, usize)> = out.iter().map(|s| (s.start, s.end)).collect();
        assert_eq!(got, vec![(0, 6), (8, 9), (10, 12)]);
    }
}
