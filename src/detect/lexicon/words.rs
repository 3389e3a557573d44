//! Words: cutting text into words and reading each word's capitalisation.
//!
//! A word is a run of letters and digits (any script), with an apostrophe
//! between two letters kept inside (`O'Brien`); all-digit runs are left to the regex rules.
//! Each word carries its lexicon flags (one hash lookup) and its [`Shape`].

use unicode_normalization::char::is_combining_mark;

use super::{Accent, AccentCursor, Lexicon};

/// Capitalisation of a word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Shape {
    /// `Maria`
    Cap,
    /// `MARIA` (or a single capital letter)
    Upper,
    /// `maria`
    Lower,
    /// `McDonald`, `iPad`, or anything else
    Mixed,
}

#[derive(Clone, Copy, Debug)]
pub(super) struct Word {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) flags: u64,
    pub(super) shape: Shape,
    /// The view dropped an accent inside the word (`Åsa` read as `Asa`): it was written
    /// with letters outside ASCII.
    pub(super) accented: bool,
}

impl Lexicon {
    /// Cuts `b` into words with their flags, each read as written where the view dropped
    /// `accents` inside it.
    pub(super) fn tokenize(&self, b: &[u8], accents: &[Accent], words: &mut Vec<Word>) {
        words.clear();
        let mut cursor = AccentCursor::new(accents);
        let mut i = 0;
        while i < b.len() {
            if word_char_len(b, i) == 0 {
                i += 1;
                continue;
            }
            let start = i;
            loop {
                match word_char_len(b, i) {
                    0 if i < b.len() && is_inner_apostrophe(b, i) => i += 1,
                    0 => break,
                    n => i += n,
                }
            }
            let w = &b[start..i];
            if w.iter().all(u8::is_ascii_digit) {
                continue;
            }
            let inside = cursor.within(start, i);
            words.push(Word {
                start,
                end: i,
                flags: self.flags_written(b, start, i, inside),
                shape: shape_of(w),
                accented: !inside.is_empty(),
            });
        }
    }
}

/// The length of the character at `b[i]` when it belongs in a word (an ASCII letter or
/// digit, a letter or digit of any script, or a combining mark), else 0 (also past the end
/// and inside a character). Quotation marks, bullets and signs outside ASCII (`“`, `•`, `°`,
/// `×`) end a word as ASCII punctuation does: `“Ines”` is the word `Ines`.
pub(super) fn word_char_len(b: &[u8], i: usize) -> usize {
    let Some(&c) = b.get(i) else {
        return 0;
    };
    if c < 0x80 {
        return usize::from(c.is_ascii_alphanumeric());
    }
    let len = match c {
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF7 => 4,
        _ => return 0,
    };
    let letter = b
        .get(i..i + len)
        .and_then(|s| std::str::from_utf8(s).ok())
        .and_then(|s| s.chars().next())
        .is_some_and(|ch| ch.is_alphanumeric() || is_combining_mark(ch));
    if letter {
        len
    } else {
        0
    }
}

/// `O'Brien`: an apostrophe between two letters stays inside the word.
pub(super) fn is_inner_apostrophe(b: &[u8], i: usize) -> bool {
    b[i] == b'\''
        && i > 0
        && b[i - 1].is_ascii_alphabetic()
        && b.get(i + 1).is_some_and(u8::is_ascii_alphabetic)
}

/// The case of a word's first letter, non-ASCII letters included (`Əliəkrəm`, `Şahin`,
/// `Édouard`): `Some(true)` upper, `Some(false)` lower, `None` no cased letter.
fn first_letter_upper(w: &[u8]) -> Option<bool> {
    let b = *w.first()?;
    if b < 0x80 {
        return b.is_ascii_alphabetic().then(|| b.is_ascii_uppercase());
    }
    let n = match b {
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        _ => 4,
    };
    let c = std::str::from_utf8(w.get(..n)?).ok()?.chars().next()?;
    if c.is_uppercase() {
        Some(true)
    } else if c.is_lowercase() {
        Some(false)
    } else {
        None
    }
}

pub(super) fn shape_of(w: &[u8]) -> Shape {
    let first = first_letter_upper(w);
    let first_upper = first == Some(true);
    // `O'Malley`, `D'Shawn`, `De'Andre`: a capital right after a short prefix's apostrophe
    // is still a name written in title case.
    let prefix_capital = match w.iter().position(|&c| c == b'\'') {
        Some(p @ 1..=2) => Some(p + 1),
        // `McKay`, `McAkipro`: the capital after `Mc` is title case too.
        _ if w.len() > 3 && w.starts_with(b"Mc") && w[3].is_ascii_lowercase() => Some(2),
        _ => None,
    };
    let rest_lower = w
        .iter()
        .enumerate()
        .skip(1)
        .all(|(k, c)| !c.is_ascii_uppercase() || Some(k) == prefix_capital);
    let all_upper = w.iter().all(|c| !c.is_ascii_lowercase());
    if first_upper && all_upper {
        Shape::Upper
    } else if first_upper && rest_lower {
        Shape::Cap
    } else if first == Some(false) && rest_lower {
        Shape::Lower
    } else {
        Shape::Mixed
    }
}

/// How a whole text is cased, read in one pass over its bytes: every word pass of one
/// scan (and the repeated-name pass after it) asks, and three passes over the text each
/// counting letters again cost more than the word rules they decide.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct TextCase {
    /// Notes typed in capitals carry no capitalisation evidence.
    pub(super) upper: bool,
    /// Notes typed in lower case carry no capitalisation evidence either: fewer than one
    /// letter in fifty is a capital (a stray `I` or `OT` allowed), among twenty letters at
    /// least.
    pub(super) lower: bool,
}

impl TextCase {
    pub(super) fn of(b: &[u8]) -> TextCase {
        let (mut up, mut low) = (0usize, 0usize);
        // Counted a block at a time into byte-wide sums (a block of 128 cannot overflow
        // one), which the compiler turns into vector code: a byte at a time was the
        // lexicon scan's largest single cost.
        for block in b.chunks(128) {
            let (mut block_up, mut block_low) = (0u8, 0u8);
            for &c in block {
                block_up += u8::from(c.wrapping_sub(b'A') < 26);
                block_low += u8::from(c.wrapping_sub(b'a') < 26);
            }
            up += usize::from(block_up);
            low += usize::from(block_low);
        }
        TextCase {
            upper: up > 20 && up > 2 * low,
            lower: low >= 20 && up * 50 < low,
        }
    }

    /// Neither mostly capitals nor mostly lower case: capitals tell.
    pub(super) fn mixed(self) -> bool {
        !self.upper && !self.lower
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The words `word_char_len` cuts from `s`, as `Lexicon::tokenize` runs over them.
    fn words(s: &str) -> Vec<&str> {
        let b = s.as_bytes();
        let (mut out, mut i) = (Vec::new(), 0);
        while i < b.len() {
            let n = word_char_len(b, i);
            if n == 0 {
                i += 1;
                continue;
            }
            let start = i;
            while word_char_len(b, i) > 0 || i < b.len() && is_inner_apostrophe(b, i) {
                i += word_char_len(b, i).max(1);
            }
            out.push(&s[start..i]);
        }
        out
    }

    #[test]
    fn letters_of_any_script_are_words_and_signs_outside_ascii_are_not() {
        assert_eq!(words("“Ines” •Елена× 98°F"), ["Ines", "Елена", "98", "F"]);
        assert_eq!(words("O'Brien 王秀英 Işıl"), ["O'Brien", "王秀英", "Işıl"]);
        // A combining mark stays in its word (decomposed text the view did not fold).
        assert_eq!(words("Ye\u{301}lena!"), ["Ye\u{301}lena"]);
        assert_eq!(word_char_len("é".as_bytes(), 1), 0);
        assert_eq!(word_char_len(b"a", 1), 0);
    }
}
