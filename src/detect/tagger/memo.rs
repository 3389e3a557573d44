//! Per-word sums of the tagger's token features, kept across the documents one scratch
//! scans.
//!
//! Owns the cache of [`Part::Token`] score sums. About half of a token's features (its
//! word, shape, affixes, capitalisation, lexicon flags, length) read only its own bytes,
//! whether it starts a sentence and whether the text is mostly capitals; the same word so
//! placed always sums to the same scores, and most tokens of a note are words seen before
//! (`the`, `patient`, `and`). The sums are integers, so adding the cached part to the
//! context part gives exactly the scores of one sum over every feature.
//!
//! A cache belongs to one tagger and one lexicon (the weights and the flags its sums read):
//! it empties itself when a scratch is used with another pair. It is bounded: when full it starts again, which costs only re-summing.

use std::sync::atomic::{AtomicU64, Ordering};

use rustc_hash::FxHashMap;

use super::features::{features_of, Doc, Part, Token};
use super::model::NCLASS;

/// Longest token (bytes) whose sums are kept; longer ones are summed each time (rare, and
/// a short key keeps the cache's slots small).
const MAX_BYTES: usize = 24;

/// Entries before the cache starts again: enough for a clinic's everyday vocabulary, small
/// enough (~300 KB) to leave the weight table the CPU's cache.
const MAX_ENTRIES: usize = 8192;

/// A token's bytes as read (case kept: shape and capitalisation read it), how it is
/// placed, and what its bytes alone do not say: its lexicon flags and whether it was written
/// beyond ASCII. A view reads `ó` as `o`, and the flags of a word are those of its spelling as
/// written (`Åsa` a name, `asa` aspirin), so the same bytes can carry other flags. Bytes past
/// `len` are zero, so two keys are equal exactly when the tokens are.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct Key {
    len: u8,
    /// `sentence_start` in bit 0, the text's `upper` in bit 1, `non_ascii` in bit 2.
    placed: u8,
    flags: u64,
    bytes: [u8; MAX_BYTES],
}

impl Key {
    fn new(word: &[u8], t: &Token, upper: bool) -> Option<Key> {
        let len = u8::try_from(word.len())
            .ok()
            .filter(|&n| usize::from(n) <= MAX_BYTES)?;
        let mut bytes = [0u8; MAX_BYTES];
        bytes[..word.len()].copy_from_slice(word);
        Some(Key {
            len,
            placed: u8::from(t.sentence_start) | u8::from(upper) << 1 | u8::from(t.non_ascii) << 2,
            flags: t.flags,
            bytes,
        })
    }
}

/// Whose sums a cache holds: a tagger's identity ([`next_owner`]) and the address of the
/// lexicon its tokens' flags came from.
pub(super) type Owner = (u64, usize);

/// Identity of a tagger, so a cache filled by one is never read for another.
pub(super) fn next_owner() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// The cache (one per [`super::TagScratch`]).
#[derive(Default)]
pub(super) struct TokenSums {
    owner: Owner,
    map: FxHashMap<Key, [i32; NCLASS]>,
}

impl TokenSums {
    /// The [`Part::Token`] sums of token `i` for `owner`, whose row of feature hash `h` is
    /// `row(h)`.
    pub(super) fn get(
        &mut self,
        owner: Owner,
        d: &Doc<'_>,
        i: usize,
        row: impl Fn(u64) -> [i32; NCLASS],
    ) -> [i32; NCLASS] {
        let t = &d.tokens[i];
        let Some(key) = Key::new(&d.text[t.start..t.end], t, d.upper) else {
            return token_sums(d, i, row);
        };
        if self.owner != owner {
            self.map.clear();
            self.owner = owner;
        }
        if let Some(s) = self.map.get(&key) {
            return *s;
        }
        if self.map.len() >= MAX_ENTRIES {
            self.map.clear();
        }
        let s = token_sums(d, i, row);
        self.map.insert(key, s);
        s
    }
}

/// The [`Part::Token`] sums of token `i`, summed afresh.
pub(super) fn token_sums(
    d: &Doc<'_>,
    i: usize,
    row: impl Fn(u64) -> [i32; NCLASS],
) -> [i32; NCLASS] {
    let mut scores = [0i32; NCLASS];
    features_of(d, i, 0, 0, false, Part::Token, |h| add(&mut scores, row(h)));
    scores
}

/// `into += row`, class by class.
pub(super) fn add(into: &mut [i32; NCLASS], row: [i32; NCLASS]) {
    for (s, r) in into.iter_mut().zip(row) {
        *s += r;
    }
}
