//! The first tokeniser and line-case pass, kept as the reference the one-pass tokeniser
//! ([`super::tokens`]) is compared with, token by token and field by field (tests only).

use super::features::{cap, fnv, Token, FNV0};
use super::tokens::script_of;
use crate::detect::lexicon::{KnownWords, Lexicon};

/// Whether the character at `i` is a letter or digit, and its length in bytes.
fn word_char(text: &str, i: usize) -> Option<(usize, char)> {
    let b = text.as_bytes()[i];
    if b < 0x80 {
        return b.is_ascii_alphanumeric().then_some((1, char::from(b)));
    }
    let c = text.get(i..)?.chars().next()?;
    c.is_alphanumeric().then_some((c.len_utf8(), c))
}

/// Length of a joiner (`-`, `'`, `’`) at `i` that has a word character right after it.
fn joiner(text: &str, i: usize) -> usize {
    let b = text.as_bytes();
    let len = match b[i] {
        b'-' | b'\'' => 1,
        0xE2 if b.get(i + 1..i + 3) == Some(&[0x80, 0x99]) => 3,
        _ => return 0,
    };
    if i + len < b.len() && word_char(text, i + len).is_some() {
        len
    } else {
        0
    }
}

/// The first tokeniser, taking a token's flags from `known` (the lexicon scan's words of the same
/// text) when it cut the same word, so that word is not looked up twice.
pub(super) fn tokenize_known(
    text: &str,
    lex: &Lexicon,
    mut known: Option<KnownWords<'_>>,
    out: &mut Vec<Token>,
) {
    out.clear();
    let b = text.as_bytes();
    let mut i = 0;
    let mut prev_end = 0;
    while i < b.len() {
        let Some((len, _)) = word_char(text, i) else {
            i += 1;
            // Skip the rest of a multi-byte character that is not a letter.
            while i < b.len() && (b[i] & 0xC0) == 0x80 {
                i += 1;
            }
            continue;
        };
        let start = i;
        i += len;
        loop {
            if i >= b.len() {
                break;
            }
            if let Some((len, _)) = word_char(text, i) {
                i += len;
                continue;
            }
            match joiner(text, i) {
                0 => break,
                j => i += j,
            }
        }
        let end = strip_possessive(b, start, i);
        let gap = &b[prev_end..start];
        if let Some(last) = out.last_mut() {
            last.punct_after = first_mark(gap);
        }
        let mut t = read_token(text, start, end);
        t.flags = match known.as_mut() {
            Some(k) => k.flags(lex, b, start, end),
            None => lex.flags(&b[start..end]),
        };
        t.punct_before = last_mark(gap);
        t.newline_before = gap.contains(&b'\n');
        t.sentence_start = out.is_empty()
            || t.newline_before
            || gap.iter().any(|c| matches!(c, b'.' | b'!' | b'?'));
        out.push(t);
        prev_end = end;
    }
    if let Some(last) = out.last_mut() {
        last.punct_after = first_mark(&b[prev_end..]);
    }
}

/// `Gerald's` → `Gerald` (the possessive is grammar, not part of the name).
fn strip_possessive(b: &[u8], start: usize, end: usize) -> usize {
    let w = &b[start..end];
    if w.len() > 3 && (w.ends_with(b"'s") || w.ends_with(b"'S")) {
        end - 2
    } else if w.len() > 5 && w.ends_with("\u{2019}s".as_bytes()) {
        end - 4
    } else {
        end
    }
}

fn first_mark(gap: &[u8]) -> u8 {
    gap.iter()
        .copied()
        .find(|c| !c.is_ascii_whitespace())
        .unwrap_or(0)
}

fn last_mark(gap: &[u8]) -> u8 {
    gap.iter()
        .rev()
        .copied()
        .find(|c| !c.is_ascii_whitespace())
        .unwrap_or(0)
}

/// Word hash, shape and capitalisation of `text[start..end]`, in one pass.
fn read_token(text: &str, start: usize, end: usize) -> Token {
    let b = text.as_bytes();
    let (mut word, mut shape) = (FNV0, FNV0);
    let (mut upper, mut lower, mut digits, mut other) = (0u32, 0u32, 0u32, 0u32);
    let mut first_upper = false;
    let mut last_class = 0u8;
    let mut non_ascii = false;
    let mut script = 0u8;
    let (mut part, mut letter_part) = (0u32, false);
    let mut i = start;
    while i < end {
        let c = b[i];
        if c == b'-' {
            letter_part |= part == 1;
            part = 0;
        } else if !(0x80..0xC0).contains(&c) {
            part += 1;
        }
        let (len, class) = if c < 0x80 {
            word = fnv(word, c.to_ascii_lowercase());
            let class = match c {
                b'A'..=b'Z' => b'X',
                b'a'..=b'z' => b'x',
                b'0'..=b'9' => b'd',
                _ => c,
            };
            (1, class)
        } else {
            non_ascii = true;
            let ch = text.get(i..).and_then(|s| s.chars().next()).unwrap_or(' ');
            let len = ch.len_utf8().max(1);
            if script == 0 && ch.is_alphabetic() {
                script = script_of(ch);
            }
            for &x in &b[i..(i + len).min(end)] {
                word = fnv(word, x);
            }
            let class = if ch.is_uppercase() {
                b'X'
            } else if ch.is_lowercase() {
                b'x'
            } else if ch.is_numeric() {
                b'd'
            } else {
                b'u'
            };
            (len, class)
        };
        match class {
            b'X' => {
                upper += 1;
                first_upper |= i == start;
            }
            b'x' => lower += 1,
            b'd' => digits += 1,
            _ => other += 1,
        }
        if class != last_class {
            shape = fnv(shape, class);
            last_class = class;
        }
        i += len;
    }
    let cap = if digits > 0 {
        cap::DIGITS
    } else if upper == 0 && lower > 0 {
        cap::LOWER
    } else if upper == 1 && first_upper {
        cap::INITIAL
    } else if upper > 0 && lower == 0 {
        cap::UPPER
    } else if upper > 0 {
        cap::MIXED
    } else {
        cap::OTHER
    };
    Token {
        start,
        end,
        word,
        shape,
        cap,
        flags: 0,
        alpha: upper + lower > 0 || (other > 0 && non_ascii),
        non_ascii,
        letter_part: letter_part || (part == 1 && end - start > 1 && b[start..end].contains(&b'-')),
        sentence_start: false,
        newline_before: false,
        punct_before: 0,
        punct_after: 0,
        script,
        caseless: false,
    }
}

/// Fills `out` with one flag per token: whether it stands where capitals tell nothing.
pub(super) fn caseless_tokens(text: &str, tokens: &[Token], out: &mut Vec<bool>) {
    out.clear();
    let mut line = LineCase::default();
    for t in tokens {
        if t.start >= line.end {
            line = LineCase::around(text, t.start);
        }
        out.push(line.one_case || uncased(&text[t.start..t.end]));
    }
}

/// The case of the line holding a given byte.
#[derive(Default)]
struct LineCase {
    /// Byte just past the line's end.
    end: usize,
    /// The line has cased letters, all upper or all lower case.
    one_case: bool,
}

impl LineCase {
    /// The line holding byte `at`. The line's letters are read once, ASCII bytes by a
    /// table-free test and only other characters decoded (this runs over every byte of
    /// every text the tagger sees).
    fn around(text: &str, at: usize) -> LineCase {
        let b = text.as_bytes();
        let start = b[..at]
            .iter()
            .rposition(|&c| c == b'\n')
            .map_or(0, |p| p + 1);
        let end = b[at..]
            .iter()
            .position(|&c| c == b'\n')
            .map_or(b.len(), |p| at + p);
        let (mut upper, mut lower) = (false, false);
        let line = &b[start..end];
        let mut i = 0;
        while i < line.len() {
            let c = line[i];
            if c < 0x80 {
                upper |= c.is_ascii_uppercase();
                lower |= c.is_ascii_lowercase();
                i += 1;
                continue;
            }
            // A character beyond ASCII: decode it (`i` stays on character boundaries).
            let ch = text
                .get(start + i..)
                .and_then(|rest| rest.chars().next())
                .unwrap_or(' ');
            upper |= ch.is_uppercase();
            lower |= ch.is_lowercase();
            i += ch.len_utf8();
        }
        LineCase {
            end,
            one_case: upper != lower,
        }
    }
}

/// A word with no cased letter (`张伟`, `محمد`): its script has no capitals to tell.
fn uncased(word: &str) -> bool {
    // An ASCII letter is cased: most words are answered by that alone.
    if word.bytes().any(|b| b.is_ascii_alphabetic()) {
        return false;
    }
    word.chars()
        .all(|c| !c.is_alphabetic() || !(c.is_uppercase() || c.is_lowercase()))
}
