//! Tokens and their hashed features, shared by tagging and training so that both see
//! exactly the same numbers.
//!
//! A token is a run of letters and digits (any script) with inner hyphens and apostrophes
//! kept (`Whitlock-Bayne`, `O'Neil`, `De'Andre`) and a possessive `'s` left out. Each token
//! is read once ([`super::tokens`] cuts them): its lower-case word hash, its short shape
//! (`Xx`, `X'Xx`, `d`), its capitalisation, its script, its lexicon flags and the
//! punctuation around it. Features are 64-bit hashes of (template, value); the model folds
//! them into its table.

use super::super::lexicon::flag;

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
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Token {
    pub start: usize,
    pub end: usize,
    /// Hash of the word, ASCII letters lower-cased.
    pub(super) word: u64,
    /// Hash of the short shape.
    pub(super) shape: u64,
    pub(super) cap: u8,
    pub(super) flags: u64,
    /// The token has a letter: only such tokens are classified.
    pub alpha: bool,
    pub(super) non_ascii: bool,
    /// A hyphen-joined part is one letter (`C-diff`, `T-berg`, `non-Q`): clinical shorthand.
    pub(super) letter_part: bool,
    pub(super) sentence_start: bool,
    pub(super) newline_before: bool,
    /// Last non-blank byte between the previous token and this one (0: none).
    pub(super) punct_before: u8,
    /// First non-blank byte between this token and the next (0: none).
    pub(super) punct_after: u8,
    /// The script of the first letter beyond ASCII ([`super::tokens::script_of`]; 0:
    /// ASCII only).
    pub(super) script: u8,
    /// Capitals tell nothing where it stands (see [`super::gates`]): its line is all in one
    /// case, or its script has no capitals. Not a feature: it sets the bars.
    pub caseless: bool,
}

/// The text being tagged and its tokens.
pub struct Doc<'a> {
    pub text: &'a [u8],
    pub tokens: &'a [Token],
    /// Most letters are capitals (ICU nursing notes): capitalisation says little.
    pub upper: bool,
}

/// FNV-1a step.
pub(super) fn fnv(h: u64, b: u8) -> u64 {
    (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01B3)
}

pub(super) const FNV0: u64 = 0xCBF2_9CE4_8422_2325;

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
    /// The others (neighbours, punctuation around it, line breaks and previous tags) but
    /// those of few values, which [`super::narrow`] sums in advance: the ones that read a
    /// neighbour's word, shape or flags.
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
/// `sentence_start` or `upper` belongs in a `context` block, or in a `narrow` one when it
/// reads only small numbers that [`super::narrow`] tabulates (a test sums every way).
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
    let capk = |k: isize| at(k).map_or(EDGE_CAP, |t| u64::from(t.cap));
    let cap0 = u64::from(t.cap);
    let upper = u64::from(d.upper);
    let (p1, p2) = (u64::from(prev), u64::from(prev2));
    let fl = t.flags & FLAG_MASK;

    let token = part != Part::Context;
    let context = part != Part::Token;
    // The context features of few values, which `narrow` sums in advance.
    let narrow = part == Part::All;

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
    }
    if narrow {
        f(caps_around(capk(-1), cap0, capk(1), upper));
        f(punct_before(t.punct_before));
        f(punct_after(t.punct_after));
        previous_tags(p1, p2, cap0, upper, &mut f);
    }
    if token {
        f(feature(27, u64::from(t.non_ascii) | cap0 << 4));
        f(feature(28, length_bucket(t.end - t.start) | cap0 << 4));
    }
    if context {
        f(feature(29, word(-1) ^ cap0.wrapping_mul(0x1F3D)));
        f(feature(30, word(1) ^ cap0.wrapping_mul(0x1F3D)));
        f(feature(31, word(-1) ^ u64::from(t.punct_before) << 56));
    }
    if narrow {
        f(line_start(t.newline_before, cap0));
    }
    if context {
        f(feature(33, flags(-1) ^ fl << 32));
        f(feature(34, p1 ^ word(-1).rotate_left(7)));
    }
    if narrow {
        // The token's script beside its neighbours' (a Cyrillic word among Latin ones).
        let script = |k: isize| at(k).map_or(EDGE_SCRIPT, |t| u64::from(t.script));
        f(scripts_around(script(0), cap0, script(-1), script(1)));
    }
}

/// The capitalisation class of a position before the first or after the last token.
pub(super) const EDGE_CAP: u64 = 9;

/// The script class of a position before the first or after the last token.
pub(super) const EDGE_SCRIPT: u64 = 15;

// The context features of few values: each is one function, called by `features_of` (and
// so by training) and by `narrow`, which sums them for every value they can take.

/// The capitalisation of the token and its neighbours ([`cap`], [`EDGE_CAP`] at an edge).
pub(super) fn caps_around(before: u64, cap0: u64, after: u64, upper: u64) -> u64 {
    feature(21, before | cap0 << 4 | after << 8 | upper << 12)
}

/// The last mark before the token (0: none).
pub(super) fn punct_before(mark: u8) -> u64 {
    feature(22, u64::from(mark))
}

/// The first mark after the token (0: none).
pub(super) fn punct_after(mark: u8) -> u64 {
    feature(23, u64::from(mark))
}

/// The two previous tags, alone and with the token's capitalisation.
pub(super) fn previous_tags(p1: u64, p2: u64, cap0: u64, upper: u64, f: &mut impl FnMut(u64)) {
    f(feature(24, p1));
    f(feature(25, p1 | p2 << 4));
    f(feature(26, p1 | cap0 << 4 | upper << 8));
}

/// A line break before the token, with its capitalisation.
pub(super) fn line_start(newline: bool, cap0: u64) -> u64 {
    feature(32, u64::from(newline) | cap0 << 4)
}

/// The token's script beside its neighbours' ([`EDGE_SCRIPT`] at an edge).
pub(super) fn scripts_around(script: u64, cap0: u64, before: u64, after: u64) -> u64 {
    feature(35, script | cap0 << 4 | before << 8 | after << 12)
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
