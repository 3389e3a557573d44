//! Words: cutting text into words and reading each word's capitalisation.
//!
//! A word is a run of ASCII letters and digits or non-ASCII bytes, with an apostrophe
//! between two letters kept inside (`O'Brien`); all-digit runs are left to the regex rules.
//! Each word carries its lexicon flags (one hash lookup) and its [`Shape`].

use super::Lexicon;

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
}

impl Lexicon {
    pub(super) fn tokenize(&self, b: &[u8], words: &mut Vec<Word>) {
        words.clear();
        let mut i = 0;
        while i < b.len() {
            if !is_word_byte(b[i]) {
                i += 1;
                continue;
            }
            let start = i;
            while i < b.len() && (is_word_byte(b[i]) || is_inner_apostrophe(b, i)) {
                i += 1;
            }
            let w = &b[start..i];
            if w.iter().all(u8::is_ascii_digit) {
                continue;
            }
            words.push(Word {
                start,
                end: i,
                flags: self.flags(w),
                shape: shape_of(w),
            });
        }
    }
}

pub(super) fn is_word_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c >= 0x80
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

/// Notes typed in lower case carry no capitalisation evidence either: fewer than one letter
/// in fifty is a capital (a stray `I` or `OT` allowed), among twenty letters at least.
pub(super) fn is_mostly_lower(b: &[u8]) -> bool {
    let (mut up, mut low) = (0usize, 0usize);
    for &c in b {
        up += usize::from(c.is_ascii_uppercase());
        low += usize::from(c.is_ascii_lowercase());
    }
    low >= 20 && up * 50 < low
}

/// Notes typed in capitals carry no capitalisation evidence.
pub(super) fn is_mostly_upper(b: &[u8]) -> bool {
    let (mut up, mut low) = (0usize, 0usize);
    for &c in b {
        up += usize::from(c.is_ascii_uppercase());
        low += usize::from(c.is_ascii_lowercase());
    }
    up > 20 && up > 2 * low
}
