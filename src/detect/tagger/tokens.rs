//! Cutting text into the tagger's tokens, in one pass over its bytes.
//!
//! Owns the tokeniser: where tokens start and end, and everything a token carries that is
//! read from its bytes and the bytes around it (word hash, short shape, capitalisation,
//! script, punctuation either side, whether a sentence or line starts before it, and whether
//! capitals tell anything where it stands, see [`super::gates`]). Every byte of the text is
//! read once: ASCII bytes by a table (most of every note), other characters decoded. What a
//! token *is* (the rules of [`super::features`]'s header) is unchanged from the first
//! tokeniser, which the tests keep as the reference (`reference.rs`) and compare field by
//! field.
//!
//! A possessive `'s` is only known at the token's end: the token's sums are saved before
//! each inner apostrophe and restored when the word turns out to end in `'s`, so that no
//! byte is read twice.

use super::features::{cap, fnv, Token, FNV0};
use super::gates::LineCase;
use crate::detect::lexicon::{KnownWords, Lexicon};

/// What an ASCII byte is to the tokeniser.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Upper,
    Lower,
    Digit,
    /// Anything else: between tokens, or a joiner inside one (`-`, `'`).
    Other,
}

/// The [`Kind`] of each ASCII byte (bytes from 0x80 are decoded instead).
const KINDS: [Kind; 128] = {
    let mut k = [Kind::Other; 128];
    let mut c: u8 = 0;
    while c < 128 {
        k[c as usize] = match c {
            b'A'..=b'Z' => Kind::Upper,
            b'a'..=b'z' => Kind::Lower,
            b'0'..=b'9' => Kind::Digit,
            _ => Kind::Other,
        };
        c += 1;
    }
    k
};

/// The shape class of a character (`X`, `x`, `d`, or an ASCII joiner itself; `u` for any
/// other character beyond ASCII), as the shape hash reads it.
const UPPER: u8 = b'X';
const LOWER: u8 = b'x';
const DIGIT: u8 = b'd';
const UNCASED: u8 = b'u';

/// The sums of a token read so far (everything [`Token`] derives from its own bytes).
#[derive(Clone, Copy)]
struct Sums {
    word: u64,
    shape: u64,
    last_class: u8,
    upper: u32,
    lower: u32,
    digits: u32,
    other: u32,
    first_upper: bool,
    non_ascii: bool,
    script: u8,
    /// Characters of the current hyphen-separated part.
    part: u32,
    letter_part: bool,
    hyphen: bool,
    /// A letter with case (an ASCII letter, `é`, `Ж`): the token is not [`uncased`].
    cased: bool,
}

impl Sums {
    const fn new() -> Sums {
        Sums {
            word: FNV0,
            shape: FNV0,
            last_class: 0,
            upper: 0,
            lower: 0,
            digits: 0,
            other: 0,
            first_upper: false,
            non_ascii: false,
            script: 0,
            part: 0,
            letter_part: false,
            hyphen: false,
            cased: false,
        }
    }

    /// One character's shape class.
    fn class(&mut self, class: u8, first: bool) {
        match class {
            UPPER => {
                self.upper += 1;
                self.first_upper |= first;
            }
            LOWER => self.lower += 1,
            DIGIT => self.digits += 1,
            _ => self.other += 1,
        }
        if class != self.last_class {
            self.shape = fnv(self.shape, class);
            self.last_class = class;
        }
        // A hyphen closes a part; any other character is one more of it.
        if class == b'-' {
            self.letter_part |= self.part == 1;
            self.part = 0;
            self.hyphen = true;
        } else {
            self.part += 1;
        }
    }

    /// A run of lower-case ASCII letters (most of every word's bytes): the sums of one
    /// [`Sums::ascii`] per letter, without its per-letter class tests.
    fn lower_run(&mut self, run: &[u8]) {
        for &c in run {
            self.word = fnv(self.word, c);
        }
        let n = u32::try_from(run.len()).unwrap_or(u32::MAX);
        self.lower += n;
        self.part += n;
        self.cased |= n > 0;
        if n > 0 && self.last_class != LOWER {
            self.shape = fnv(self.shape, LOWER);
            self.last_class = LOWER;
        }
    }

    /// An ASCII byte of the token.
    fn ascii(&mut self, c: u8, kind: Kind, first: bool) {
        self.word = fnv(self.word, c.to_ascii_lowercase());
        let class = match kind {
            Kind::Upper => UPPER,
            Kind::Lower => LOWER,
            Kind::Digit => DIGIT,
            Kind::Other => c,
        };
        self.cased |= matches!(kind, Kind::Upper | Kind::Lower);
        self.class(class, first);
    }

    /// A character beyond ASCII (its bytes `bytes`).
    fn wide(&mut self, ch: char, bytes: &[u8], first: bool) {
        self.non_ascii = true;
        if self.script == 0 && ch.is_alphabetic() {
            self.script = script_of(ch);
        }
        for &x in bytes {
            self.word = fnv(self.word, x);
        }
        let class = if ch.is_uppercase() {
            UPPER
        } else if ch.is_lowercase() {
            LOWER
        } else if ch.is_numeric() {
            DIGIT
        } else {
            UNCASED
        };
        self.cased |= ch.is_alphabetic() && (ch.is_uppercase() || ch.is_lowercase());
        self.class(class, first);
    }

    /// The token of `start..end` these sums describe (flags and surroundings left empty).
    fn token(&self, start: usize, end: usize) -> Token {
        let cap = if self.digits > 0 {
            cap::DIGITS
        } else if self.upper == 0 && self.lower > 0 {
            cap::LOWER
        } else if self.upper == 1 && self.first_upper {
            cap::INITIAL
        } else if self.upper > 0 && self.lower == 0 {
            cap::UPPER
        } else if self.upper > 0 {
            cap::MIXED
        } else {
            cap::OTHER
        };
        Token {
            start,
            end,
            word: self.word,
            shape: self.shape,
            cap,
            flags: 0,
            alpha: self.upper + self.lower > 0 || (self.other > 0 && self.non_ascii),
            non_ascii: self.non_ascii,
            letter_part: self.letter_part || (self.part == 1 && end - start > 1 && self.hyphen),
            sentence_start: false,
            newline_before: false,
            punct_before: 0,
            punct_after: 0,
            script: self.script,
            // Until its line is read whole: a word whose script has no capitals.
            caseless: !self.cased,
        }
    }
}

/// The bytes between two tokens, as the next token reads them.
#[derive(Clone, Copy, Default)]
struct Gap {
    /// First and last byte that is not ASCII white space (a NUL counts: `first_set`).
    first: u8,
    first_set: bool,
    last: u8,
    newline: bool,
    /// A `.`, `!` or `?`: the next token starts a sentence.
    stop: bool,
}

impl Gap {
    fn byte(&mut self, c: u8) {
        if c.is_ascii_whitespace() {
            self.newline |= c == b'\n';
            return;
        }
        if !self.first_set {
            self.first = c;
            self.first_set = true;
        }
        self.last = c;
        self.stop |= matches!(c, b'.' | b'!' | b'?');
    }
}

/// The character at `i` (a character boundary) and its length; `None` past the end.
fn char_at(text: &str, i: usize) -> Option<(char, usize)> {
    let c = text.get(i..)?.chars().next()?;
    Some((c, c.len_utf8()))
}

/// Whether the character at `i` is a letter or digit (any script).
fn word_char_at(text: &str, i: usize) -> bool {
    match text.as_bytes().get(i) {
        Some(&c) if c < 0x80 => c.is_ascii_alphanumeric(),
        Some(_) => char_at(text, i).is_some_and(|(c, _)| c.is_alphanumeric()),
        None => false,
    }
}

/// Length of the possessive `'s` that ends the token `w`, if it has one to drop (`Gerald's`,
/// not `O's`).
fn possessive_len(w: &[u8]) -> usize {
    if w.len() > 3 && (w.ends_with(b"'s") || w.ends_with(b"'S")) {
        2
    } else if w.len() > 5 && w.ends_with("\u{2019}s".as_bytes()) {
        4
    } else {
        0
    }
}

/// Cuts `text` into tokens, replacing the contents of `out`.
pub fn tokenize(text: &str, lex: &Lexicon, out: &mut Vec<Token>) {
    tokenize_known(text, lex, None, out);
}

/// Cuts `text` into tokens, replacing the contents of `out`; a token's flags are taken
/// from `known` (the lexicon scan's words of the same text) when it cut the same word, so
/// that word is not looked up twice.
pub fn tokenize_known(
    text: &str,
    lex: &Lexicon,
    mut known: Option<KnownWords<'_>>,
    out: &mut Vec<Token>,
) {
    out.clear();
    let b = text.as_bytes();
    let mut gap = Gap::default();
    let mut line = LineCase::default();
    // The first token of the line being read.
    let mut line_first = 0;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c < 0x80 {
            if !c.is_ascii_alphanumeric() {
                gap.byte(c);
                if c == b'\n' {
                    line.close(&mut out[line_first..]);
                    line_first = out.len();
                }
                i += 1;
                continue;
            }
        } else {
            let Some((ch, len)) = char_at(text, i) else {
                // Not a character boundary (cannot happen in a `str`): a byte of the gap.
                gap.byte(c);
                i += 1;
                continue;
            };
            if !ch.is_alphanumeric() {
                for &x in &b[i..i + len] {
                    gap.byte(x);
                }
                line.add(ch.is_uppercase(), ch.is_lowercase());
                i += len;
                continue;
            }
        }
        let (mut t, raw_end) = read_token(text, i, &mut line);
        if let Some(last) = out.last_mut() {
            last.punct_after = gap.first;
        }
        // Through the lexicon scan's words, which read a word's dropped accents (`Åsa` is
        // no `asa`).
        t.flags = match known.as_mut() {
            Some(k) => k.flags(lex, b, t.start, t.end),
            None => lex.flags(&b[t.start..t.end]),
        };
        t.punct_before = gap.last;
        t.newline_before = gap.newline;
        t.sentence_start = out.is_empty() || gap.newline || gap.stop;
        // The dropped possessive is the start of the next gap.
        gap = Gap::default();
        for &x in &b[t.end..raw_end] {
            gap.byte(x);
        }
        out.push(t);
        i = raw_end;
    }
    if let Some(last) = out.last_mut() {
        last.punct_after = gap.first;
    }
    line.close(&mut out[line_first..]);
}

/// Reads the token that starts at `start` (a letter or digit): the token, possessive
/// dropped, and the end of the bytes it took (possessive included). Its letters' case goes
/// to `line`.
fn read_token(text: &str, start: usize, line: &mut LineCase) -> (Token, usize) {
    let b = text.as_bytes();
    let mut sums = Sums::new();
    // The sums before the last inner apostrophe, for a possessive found at the end.
    let mut before_apostrophe = sums;
    let (mut upper, mut lower) = (false, false);
    let mut i = start;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_lowercase() {
            let run = b[i..].iter().take_while(|c| c.is_ascii_lowercase()).count();
            sums.lower_run(&b[i..i + run]);
            lower = true;
            i += run;
            continue;
        }
        if c < 0x80 {
            let kind = KINDS[usize::from(c)];
            if kind != Kind::Other {
                upper |= kind == Kind::Upper;
                lower |= kind == Kind::Lower;
                sums.ascii(c, kind, i == start);
                i += 1;
                continue;
            }
            // A joiner only with a word character right after it.
            if !matches!(c, b'-' | b'\'') || !word_char_at(text, i + 1) {
                break;
            }
            if c == b'\'' {
                before_apostrophe = sums;
            }
            sums.ascii(c, kind, i == start);
            i += 1;
            continue;
        }
        let Some((ch, len)) = char_at(text, i) else {
            break;
        };
        if !ch.is_alphanumeric() {
            // `’` joins as `'` does; any other character ends the token.
            if ch != '\u{2019}' || !word_char_at(text, i + len) {
                break;
            }
            before_apostrophe = sums;
        } else {
            upper |= ch.is_uppercase();
            lower |= ch.is_lowercase();
        }
        sums.wide(ch, &b[i..i + len], i == start);
        i += len;
    }
    line.add(upper, lower);
    let dropped = possessive_len(&b[start..i]);
    let t = if dropped == 0 {
        sums.token(start, i)
    } else {
        before_apostrophe.token(start, i - dropped)
    };
    (t, i)
}

/// A script class of a letter beyond ASCII: 1 Latin (accented), 2 Greek, 3 Cyrillic,
/// 4 Armenian or Georgian, 5 Hebrew or Arabic, 6 Indic, 7 Han, kana or Hangul, 8 other. In an
/// English note a word in another script is nearly always a name or a place.
pub(super) fn script_of(c: char) -> u8 {
    match u32::from(c) {
        0x00C0..=0x024F | 0x1E00..=0x1EFF => 1,
        0x0370..=0x03FF | 0x1F00..=0x1FFF => 2,
        0x0400..=0x052F => 3,
        0x0530..=0x058F | 0x10A0..=0x10FF | 0x1C90..=0x1CBF => 4,
        0x0590..=0x06FF | 0x0750..=0x077F | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF => 5,
        0x0900..=0x0DFF => 6,
        0x1100..=0x11FF | 0x3040..=0x30FF | 0x3400..=0x9FFF | 0xAC00..=0xD7AF => 7,
        _ => 8,
    }
}

#[cfg(test)]
mod tests {
    use super::script_of;

    /// Each script the corpora's names come in gets its own class; accented Latin stays
    /// apart from the others (a Czech surname is still Latin).
    #[test]
    fn scripts_are_told_apart() {
        let classes: Vec<u8> = ['é', 'Ω', 'Ж', 'გ', 'م', 'த', '张', 'ᚠ']
            .into_iter()
            .map(script_of)
            .collect();
        assert_eq!(classes, [1, 2, 3, 4, 5, 6, 7, 8]);
    }
}
