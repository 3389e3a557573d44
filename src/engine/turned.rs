//! Words turned so the detector reads nothing: in ROT13 (`ebfnyvaq gunpxrenl`, `Cngvrag
//! Ebfnyvaq`: each letter thirteen places on) or spelled backwards in lower case
//! (`yarekcaht dnilasor`; a capital last is [`super::reversed`]'s sign).
//!
//! Owns telling such text from ordinary text and writing the view the detector reads
//! instead. The sign is a word no list holds whose turn a list does hold (`frra` is
//! `seen`, `juvgybpx` is `whitlock`, `yarekcaht` is `thackeray`): ordinary text has few
//! unknown words, and their turns are almost never words. Where the words so turned
//! outnumber the known words left as they are, the whole text is turned, word by word;
//! otherwise only the words that turn into a name are (a name written so in a sentence).
//! Each word is turned in its own place, so a span of the view is the same span of the
//! text.

use std::ops::Range;

use crate::detect::lexicon::{flag, Lexicon};

/// Flags of a word that is something other than a name too.
const NOT_A_NAME: u64 = flag::ENGLISH | flag::COMMON | flag::NEVER_NAME;

/// Fewest letters in a word whose ROT13 is taken as a sign: a turned short word is a word
/// too often (`ng` is `at`, `or` is `be`).
const MIN_SIGN_LETTERS: usize = 4;
/// Fewest letters of a word turned alone in a text of known words: a typo or an
/// abbreviation of four letters turns into a name too often (`nala`, `alan`).
const MIN_LONE_LETTERS: usize = 5;
/// Most letters of a word worth turning: no word or name is longer, and a run of letters
/// without a break (a letter-spaced text read joined) is not looked up twice more.
const MAX_SIGN_LETTERS: usize = 32;

/// A way of turning a word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Turn {
    Rot13,
    Backwards,
}

impl Turn {
    /// `word` turned, in place.
    fn apply(self, word: &mut [u8]) {
        match self {
            Turn::Rot13 => word.iter_mut().for_each(|c| *c = rot13(*c)),
            Turn::Backwards => word.reverse(),
        }
    }
}

/// ROT13 of one ASCII letter; any other byte as it is.
fn rot13(b: u8) -> u8 {
    match b {
        b'a'..=b'z' => (b - b'a' + 13) % 26 + b'a',
        b'A'..=b'Z' => (b - b'A' + 13) % 26 + b'A',
        _ => b,
    }
}

/// A word no list holds whose turn a list does hold.
struct Sign {
    /// Its index among the text's words.
    word: usize,
    /// The turned word's flags.
    f: u64,
    /// Written in capitals alone.
    upper: bool,
}

/// A text's words and those of them worth turning, read once for both turns: the look-up
/// of each longer word is the same for ROT13 and backwards, and most texts end there.
pub struct Turnable<'t> {
    text: &'t str,
    words: Vec<(usize, usize)>,
    /// The words no list holds, of [`MIN_SIGN_LETTERS`] to [`MAX_SIGN_LETTERS`] letters:
    /// the index of each among `words`, and its case.
    unknown: Vec<(usize, Case)>,
}

/// How a word is written.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Case {
    Lower,
    Upper,
    Mixed,
}

impl<'t> Turnable<'t> {
    /// The words of `text` and the longer ones no list holds, each looked up once.
    pub fn of(text: &'t str, lexicon: &Lexicon) -> Turnable<'t> {
        let words = words(text);
        let b = text.as_bytes();
        let unknown = words
            .iter()
            .enumerate()
            .map(|(i, &(start, end))| (i, &b[start..end]))
            .filter(|(_, w)| {
                (MIN_SIGN_LETTERS..=MAX_SIGN_LETTERS).contains(&w.len())
                    && flag::unknown(lexicon.flags(w))
            })
            .map(|(i, w)| {
                let case = if w.iter().all(u8::is_ascii_lowercase) {
                    Case::Lower
                } else if w.iter().all(u8::is_ascii_uppercase) {
                    Case::Upper
                } else {
                    Case::Mixed
                };
                (i, case)
            })
            .collect();
        Turnable {
            text,
            words,
            unknown,
        }
    }
}

/// [`view`] of `text` read afresh.
#[cfg(test)]
fn view_of(
    text: &str,
    turn: Turn,
    lexicon: &Lexicon,
) -> Option<(String, Option<Vec<Range<usize>>>)> {
    view(&Turnable::of(text, lexicon), turn, lexicon)
}

/// The view of a text to read for what it says turned by `turn`, with the ranges turned
/// when only some words are (`None` when the whole text is); `None` when nothing of it is
/// written so.
pub fn view(
    turnable: &Turnable<'_>,
    turn: Turn,
    lexicon: &Lexicon,
) -> Option<(String, Option<Vec<Range<usize>>>)> {
    let words = &turnable.words;
    let b = turnable.text.as_bytes();
    let mut signs = Vec::new();
    let mut buf = Vec::new();
    for &(word, case) in &turnable.unknown {
        // A word backwards with its capital last is [`super::reversed`]'s.
        if turn == Turn::Backwards && case != Case::Lower {
            continue;
        }
        let (start, end) = words[word];
        buf.clear();
        buf.extend_from_slice(&b[start..end]);
        turn.apply(&mut buf);
        let f = lexicon.flags(&buf);
        if !flag::unknown(f) {
            signs.push(Sign {
                word,
                f,
                upper: case == Case::Upper,
            });
        }
    }
    // Most texts stop here, having looked up their longer words once.
    if signs.is_empty() {
        return None;
    }
    let known: Vec<bool> = words
        .iter()
        .map(|&(start, end)| !flag::unknown(lexicon.flags(&b[start..end])))
        .collect();
    let known_count = known.iter().filter(|k| **k).count();
    let mut out = b.to_vec();
    let ranges = if signs.len() >= 2 && signs.len() > known_count {
        for &(start, end) in words {
            turn.apply(&mut out[start..end]);
        }
        None
    } else {
        let mut turned: Vec<usize> = passages(&signs, &known, words.len())
            .into_iter()
            .flatten()
            .chain(
                signs
                    .iter()
                    .filter(|s| s.turned_alone(words))
                    .map(|s| s.word),
            )
            .collect();
        if turned.is_empty() {
            return None;
        }
        turned.sort_unstable();
        turned.dedup();
        let ranges: Vec<Range<usize>> =
            turned.into_iter().map(|i| words[i].0..words[i].1).collect();
        for r in &ranges {
            turn.apply(&mut out[r.clone()]);
        }
        Some(ranges)
    };
    // Only ASCII letters changed or moved: still the same UTF-8.
    String::from_utf8(out).ok().map(|v| (v, ranges))
}

impl Sign {
    /// In a text of known words, a lone unknown word that turns into some word is as
    /// likely a typo or an abbreviation (`grav`): only one that turns into a name and
    /// nothing else is read so, and never one in capitals alone, an abbreviation more
    /// often than a name turned (`OCCAS`, `IRREG`).
    fn turned_alone(&self, words: &[(usize, usize)]) -> bool {
        let (start, end) = words[self.word];
        !self.upper
            && end - start >= MIN_LONE_LETTERS
            && self.f & flag::NAME != 0
            && self.f & NOT_A_NAME == 0
    }
}

/// The word indices of passages written turned inside ordinary text (`Home visit at ubzr
/// ivfvg ng 4471 dhneel ubyybj eq, Springfield`): from a sign to a sign, two signs or more,
/// more signs than known words between them, and never two known words in a row (there
/// the ordinary text has resumed). Short and unknown words inside (`ng`) and at its edges
/// are turned with the rest.
fn passages(signs: &[Sign], known: &[bool], count: usize) -> Vec<Range<usize>> {
    let mut is_sign = vec![false; count];
    for s in signs {
        is_sign[s.word] = true;
    }
    let mut out = Vec::new();
    // The open passage: its first and last sign, and its signs.
    let mut open: Option<(usize, usize, usize)> = None;
    let mut known_in_a_row = 0;
    let mut close = |open: Option<(usize, usize, usize)>| {
        if let Some((first, last, n)) = open {
            let known_in = known[first..=last].iter().filter(|k| **k).count();
            if n >= 2 && n > known_in {
                // Short or unknown words at its edges (`eq` of `ubyybj eq,`) go with it.
                let first = first - known[..first].iter().rev().take_while(|k| !**k).count();
                let last = last + known[last + 1..].iter().take_while(|k| !**k).count();
                out.push(first..last + 1);
            }
        }
    };
    for i in 0..count {
        if is_sign[i] {
            open = Some(open.map_or((i, i, 1), |(first, _, n)| (first, i, n + 1)));
            known_in_a_row = 0;
        } else if known[i] {
            known_in_a_row += 1;
            if known_in_a_row >= 2 {
                close(open.take());
            }
        } else {
            known_in_a_row = 0;
        }
    }
    close(open);
    out
}

/// The byte ranges of the words of ASCII letters in `text`.
fn words(text: &str) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_alphabetic() {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && b[i].is_ascii_alphabetic() {
            i += 1;
        }
        // A word glued to other letters (`ébfnyvaq`, `x2y`) is not one to turn.
        let glued = |c: Option<&u8>| c.is_some_and(|&c| c >= 0x80 || c.is_ascii_digit());
        if !glued(start.checked_sub(1).map(|s| &b[s])) && !glued(b.get(i)) {
            out.push((start, i));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::patterns::Patterns;

    fn lexicon() -> Lexicon {
        Lexicon::build(&crate::detect::lexicon::LexiconSources::of(
            &Patterns::builtin(),
        ))
        .expect("lexicon")
    }

    fn view_r(t: &str, lex: &Lexicon) -> Option<(String, Option<Vec<Range<usize>>>)> {
        view_of(t, Turn::Rot13, lex)
    }

    #[test]
    fn lower_case_backwards_words_are_read_turned() {
        let lex = lexicon();
        let (v, ranges) = view_of("yarekcaht dnilasor", Turn::Backwards, &lex).expect("a name");
        assert_eq!(v, "thackeray rosalind");
        assert!(ranges.is_none());
        let (v, _) = view_of("Pt said her name is dnilasor today", Turn::Backwards, &lex)
            .expect("a name backwards");
        assert!(v.contains(" rosalind "), "{v}");
        assert!(view_of("Patient seen today, goals met.", Turn::Backwards, &lex).is_none());
    }

    #[test]
    fn rot13_text_is_read_turned_and_ordinary_text_is_not() {
        let lex = lexicon();
        // A whole text in ROT13, lower case or not: every letter turned.
        let whole = |t: &str| view_r(t, &lex).filter(|(_, r)| r.is_none()).map(|(v, _)| v);
        assert_eq!(
            whole("cngvrag ebfnyvaq gunpxrenl frra gbqnl").as_deref(),
            Some("patient rosalind thackeray seen today")
        );
        assert_eq!(
            whole("Cngvrag Ebfnyvaq, 413-555-0172").as_deref(),
            Some("Patient Rosalind, 413-555-0172")
        );
        assert_eq!(
            whole("CNGVRAG EBFNYVAQ GUNPXRENL FRRA GBQNL").as_deref(),
            Some("PATIENT ROSALIND THACKERAY SEEN TODAY")
        );
        // A passage in ROT13 inside a plain sentence: all of it turned, short words too.
        let (v, ranges) = view_r(
            "Home visit at ubzr ivfvg ng 4471 dhneel ubyybj eq, Springfield.",
            &lex,
        )
        .expect("a passage");
        assert_eq!(
            v,
            "Home visit at home visit at 4471 quarry hollow rd, Springfield."
        );
        assert!(ranges.is_some_and(|r| r.len() == 6));
        let (v, _) = view_r("Seen at UBZR IVFVG NG 4471 DHNEEL UBYYBJ EQ today", &lex)
            .expect("a passage in capitals");
        assert!(v.contains("QUARRY HOLLOW"), "{v}");
        // A word in capitals alone is an abbreviation as often: never turned alone.
        assert!(view_r("Pt said her name is EBFNYVAQ today", &lex).is_none());
        // A name in ROT13 inside a plain sentence: only it is turned.
        let (v, ranges) =
            view_r("Pt said her name is ebfnyvaq gunpxrenl today", &lex).expect("a name in ROT13");
        assert!(v.starts_with("Pt said her name is rosalind "), "{v}");
        assert!(ranges.is_some_and(|r| r.contains(&(20..28))));
        // A lone unknown word that turns into an English word (`frra` is `seen`) among
        // known words is a typo or an abbreviation, not ROT13.
        assert!(view_r("pt frra, goals met today", &lex).is_none());
        // Ordinary text, names and codes hold no sign.
        for plain in [
            "Patient seen today for grip strength, goals updated.",
            "Rosalind Thackeray, MRN MR4410827",
            "Quorvelline tolerated the session",
            "HEP reviewed; ROM WNL; f/u 2 wks",
        ] {
            assert!(view_r(plain, &lex).is_none(), "{plain}");
        }
    }
}
