//! Tokens and their hashed features, shared by tagging and training so that both see
//! exactly the same numbers.
//!
//! A token is a run of letters and digits (any script) with inner hyphens and apostrophes
//! kept (`Whitlock-Bayne`, `O'Neil`, `De'Andre`) and a possessive `'s` left out. Each token
//! is read once: its lower-case word hash, its short shape (`Xx`, `X'Xx`, `d`), its
//! capitalisation, its script, its lexicon flags and the punctuation around it. Features are 64-bit
//! hashes of (template, value); the model folds them into its table.

use super::super::lexicon::{flag, KnownWords, Lexicon};

/// Capitalisation classes.
pub(super) mod cap {
    pub const LOWER: u8 = 0;
    pub const INITIAL: u8 = 1;
    pub const UPPER: u8 = 2;
    pub const MIXED: u8 = 3;
    pub const DIGITS: u8 = 4;
    pub const OTHER: u8 = 5;
}

/// The lexicon flags used as features: every flag the lexicon defined when the tagger was
/// written, so that a flag added later changes nothing until the model is retrained.
const FLAG_MASK: u64 = (1 << 21) - 1;

/// The word hash of a position before the first or after the last token.
const EDGE: u64 = 0x5EED_0000_0000_0001;

/// One token of the text.
#[derive(Clone, Copy, Debug, Default)]
pub struct Token {
    pub start: usize,
    pub end: usize,
    /// Hash of the word, ASCII letters lower-cased.
    word: u64,
    /// Hash of the short shape.
    shape: u64,
    pub(super) cap: u8,
    pub(super) flags: u64,
    /// The token has a letter: only such tokens are classified.
    pub alpha: bool,
    non_ascii: bool,
    /// A hyphen-joined part is one letter (`C-diff`, `T-berg`, `non-Q`): clinical shorthand.
    letter_part: bool,
    pub(super) sentence_start: bool,
    newline_before: bool,
    /// Last non-blank byte between the previous token and this one (0: none).
    punct_before: u8,
    /// First non-blank byte between this token and the next (0: none).
    pub(super) punct_after: u8,
    /// The script of the first letter beyond ASCII ([`script_of`]; 0: ASCII only).
    script: u8,
}

/// The text being tagged and its tokens.
pub struct Doc<'a> {
    pub text: &'a [u8],
    pub tokens: &'a [Token],
    /// Most letters are capitals (ICU nursing notes): capitalisation says little.
    pub upper: bool,
}

/// FNV-1a step.
fn fnv(h: u64, b: u8) -> u64 {
    (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01B3)
}

const FNV0: u64 = 0xCBF2_9CE4_8422_2325;

/// Hash of one (template, value) pair; the SplitMix64 finaliser spreads the bits.
fn feature(template: u64, value: u64) -> u64 {
    let mut z = value ^ template.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The table row of feature hash `h`: its top bits.
#[allow(clippy::cast_possible_truncation)] // shift ≥ 40 (hash bits ≤ 24): fits any usize
pub fn row(h: u64, shift: u32) -> usize {
    (h >> shift) as usize
}

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

/// Cuts `text` into tokens, replacing the contents of `out` (the tests' reading; the
/// detector and the trainer read through the lexicon scan, [`tokenize_known`]).
#[cfg(test)]
pub fn tokenize(text: &str, lex: &Lexicon, out: &mut Vec<Token>) {
    tokenize_known(text, lex, None, out);
}

/// [`tokenize`], taking a token's flags from `known` (the lexicon scan's words of the same
/// text) when it cut the same word, so that word is not looked up twice.
pub fn tokenize_known(
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
    }
}

/// A script class of a letter beyond ASCII: 1 Latin (accented), 2 Greek, 3 Cyrillic,
/// 4 Armenian or Georgian, 5 Hebrew or Arabic, 6 Indic, 7 Han, kana or Hangul, 8 other. In an
/// English note a word in another script is nearly always a name or a place.
fn script_of(c: char) -> u8 {
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

/// Whether most letters of `text` are capitals (ASCII letters counted).
pub fn mostly_upper(text: &[u8]) -> bool {
    let (mut up, mut low) = (0usize, 0usize);
    for &c in text {
        up += usize::from(c.is_ascii_uppercase());
        low += usize::from(c.is_ascii_lowercase());
    }
    up > 2 * low
}

/// Hash of the first or last `n` bytes of the token, lower-cased; `None` if it is not
/// longer than `n`.
fn affix(text: &[u8], t: &Token, n: usize, suffix: bool) -> Option<u64> {
    let len = t.end - t.start;
    if len <= n {
        return None;
    }
    let bytes = if suffix {
        &text[t.end - n..t.end]
    } else {
        &text[t.start..t.start + n]
    };
    Some(
        bytes
            .iter()
            .fold(FNV0, |h, &c| fnv(h, c.to_ascii_lowercase())),
    )
}

fn length_bucket(n: usize) -> u64 {
    match n {
        0..=1 => 1,
        2 => 2,
        3 => 3,
        4..=5 => 4,
        6..=8 => 5,
        _ => 6,
    }
}

/// Which of a token's features [`features_of`] gives.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Part {
    /// Every feature, in the list's order (training and the reference sum).
    All,
    /// Only those read from the token's own bytes, its `sentence_start` and the text's
    /// `upper`: the same for every occurrence of the same word so placed, so the tagger
    /// may sum them once per word ([`super::memo`]).
    Token,
    /// The others: neighbours, punctuation around it, line breaks and previous tags.
    Context,
}

/// Calls `f` with every feature of token `i`, given the two previous predicted tags.
/// `hide_word` leaves out the word's own identity (training only: it makes the other
/// features learn what an unseen word is, instead of every word being memorised).
pub fn features(d: &Doc<'_>, i: usize, prev: u8, prev2: u8, hide_word: bool, f: impl FnMut(u64)) {
    features_of(d, i, prev, prev2, hide_word, Part::All, f);
}

/// [`features`], only those of `part`. The list is kept in one order and cut into blocks,
/// each marked with its part: a feature that reads anything but the token's own bytes,
/// `sentence_start` or `upper` belongs in a `Context` block (a test sums both ways).
pub fn features_of(
    d: &Doc<'_>,
    i: usize,
    prev: u8,
    prev2: u8,
    hide_word: bool,
    part: Part,
    mut f: impl FnMut(u64),
) {
    let t = &d.tokens[i];
    let at = |k: isize| -> Option<&Token> {
        let j = i as isize + k;
        (j >= 0).then(|| d.tokens.get(j as usize)).flatten()
    };
    let word = |k: isize| at(k).map_or(EDGE, |t| t.word);
    let shape = |k: isize| at(k).map_or(EDGE, |t| t.shape);
    let flags = |k: isize| at(k).map_or(1 << 31, |t| t.flags & FLAG_MASK);
    let capk = |k: isize| at(k).map_or(9, |t| u64::from(t.cap));
    let cap0 = u64::from(t.cap);
    let upper = u64::from(d.upper);
    let (p1, p2) = (u64::from(prev), u64::from(prev2));
    let fl = t.flags & FLAG_MASK;

    let token = part != Part::Context;
    let context = part != Part::Token;

    if token {
        f(feature(1, 0));
        if !hide_word {
            f(feature(2, t.word));
        }
        f(feature(3, t.shape));
        for (tpl, n, suffix) in [
            (4, 2, false),
            (5, 3, false),
            (6, 2, true),
            (7, 3, true),
            (8, 4, true),
        ] {
            if let Some(h) = affix(d.text, t, n, suffix) {
                f(feature(tpl, h));
            }
        }
        f(feature(
            9,
            cap0 | u64::from(t.sentence_start) << 4 | upper << 5,
        ));
        f(feature(10, fl));
        f(feature(11, fl | cap0 << 32 | upper << 40));
        let mut bits = fl;
        while bits != 0 {
            let b = u64::from(bits.trailing_zeros());
            bits &= bits - 1;
            f(feature(12, b | cap0 << 8 | upper << 12));
        }
    }
    if context {
        f(feature(13, word(-1)));
        f(feature(14, word(-2)));
        f(feature(15, word(1)));
        f(feature(16, word(2)));
        f(feature(17, shape(-1)));
        f(feature(18, shape(1)));
        f(feature(19, flags(-1)));
        f(feature(20, flags(1)));
        f(feature(
            21,
            capk(-1) | cap0 << 4 | capk(1) << 8 | upper << 12,
        ));
        f(feature(22, u64::from(t.punct_before)));
        f(feature(23, u64::from(t.punct_after)));
        f(feature(24, p1));
        f(feature(25, p1 | p2 << 4));
        f(feature(26, p1 | cap0 << 4 | upper << 8));
    }
    if token {
        f(feature(27, u64::from(t.non_ascii) | cap0 << 4));
        f(feature(28, length_bucket(t.end - t.start) | cap0 << 4));
    }
    if context {
        f(feature(29, word(-1) ^ cap0.wrapping_mul(0x1F3D)));
        f(feature(30, word(1) ^ cap0.wrapping_mul(0x1F3D)));
        f(feature(31, word(-1) ^ u64::from(t.punct_before) << 56));
        f(feature(32, u64::from(t.newline_before) | cap0 << 4));
        f(feature(33, flags(-1) ^ fl << 32));
        f(feature(34, p1 ^ word(-1).rotate_left(7)));
    }
    if context {
        // The token's script beside its neighbours' (a Cyrillic word among Latin ones).
        let script = |k: isize| at(k).map_or(15, |t| u64::from(t.script));
        f(feature(
            35,
            script(0) | cap0 << 4 | script(-1) << 8 | script(1) << 12,
        ));
    }
}

/// Whether the word can never be part of a name or place the tagger reports: stop
/// words, clinical words, credentials (lexicon flags, so the lists stay the one source),
/// tokens with digits (doses, `x2`, codes: the rules' business) and shorthand with a
/// one-letter part.
pub fn never_tagged(t: &Token) -> bool {
    t.flags & (flag::STOP | flag::CLINICAL | flag::CREDENTIAL) != 0
        || t.cap == cap::DIGITS
        || t.letter_part
}

/// An English or facility word on no name or place list (`Hospital`, `Progress`, `Care`,
/// `Center`): a span made only of such words is a heading or a phrase, not someone's
/// name or a place.
pub fn plain_word(t: &Token) -> bool {
    t.flags & (flag::ENGLISH | flag::FACILITY) != 0 && t.flags & (flag::NAME | flag::PLACE) == 0
}

/// Cue words before a name or place: titles, relations, strong name cues, place cues,
/// labels. Weak cues (`for`, `with`) come before too many other words.
const CUES: u64 = flag::PERSON_TITLE
    | flag::PROVIDER_TITLE
    | flag::RELATION
    | flag::STRONG_CUE
    | flag::NAME_INTRO
    | flag::PLACE_CUE
    | flag::LABEL
    | flag::ROLE;

/// Whether token `i` gives a tagged span evidence beyond the model's score: a telling
/// capital ([`shaped`]), a name or place list entry that is not also a common word
/// (`ines`, not `comfort`), or a cue word just before it. In all-capital or lower-case text the training
/// corpora cannot show every abbreviation and misspelling a note holds, and the model
/// alone marks them; a span needs one such token to be reported.
pub fn evidence(d: &Doc<'_>, i: usize) -> bool {
    let t = &d.tokens[i];
    let listed = t.flags & (flag::NAME | flag::PLACE | flag::PLACE_START) != 0
        && t.flags & (flag::ENGLISH | flag::COMMON) == 0;
    let cued = i > 0 && d.tokens[i - 1].flags & CUES != 0;
    shaped(d, t) || listed || cued
}

/// A capital where capitals mean something: `Gerald`, `McKay` or `O'Neil` in mixed-case
/// text, not `PRBCs`, and not an English word at a sentence's start (`Progress`).
pub fn shaped(d: &Doc<'_>, t: &Token) -> bool {
    !d.upper
        && (t.cap == cap::INITIAL
            || t.cap == cap::MIXED
                && d.text
                    .get(t.start + 1)
                    .is_some_and(|c| c.is_ascii_lowercase() || *c == b'\''))
        && !(t.sentence_start && t.flags & flag::ENGLISH != 0)
}

/// A lone letter (`C`, `s`): an initial only beside a name.
pub fn single_letter(t: &Token) -> bool {
    t.end - t.start == 1
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
