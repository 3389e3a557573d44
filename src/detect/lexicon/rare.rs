//! The rare tier of the word table: the 178k words of `patterns/words/rare.txt`.
//!
//! Owns how the rare words are stored and found. They were hashed into the word table's
//! maps as every other list is, which cost start-up a third of its time (stop 38: a
//! one-line `scan` 1.3 → 1.9 s, peak RSS 57 → 88 MB): a 48-byte slot and a growing map
//! for each. Here they sit back to back in one blob, each after its length byte, and a
//! table of 4-byte offsets into the blob finds them by hash (open addressing, linear
//! probing). The table is asked only when the word table has no entry for a word, so
//! the everyday words of a note never reach it.
//!
//! A word is stored as the word table keys it ([`Key::lower`] of the trimmed line), so
//! a word is rare here exactly when `WordTable::add` would have given it the flag.

use std::hash::Hasher;

use super::table::{Key, MAX_WORD};

// `lines` and `trim` are the lexicon's: the tier keeps exactly the words `Lexicon::add`
// would have kept.

/// A set of lower-case words, read-only once built.
#[derive(Default)]
pub(super) struct RareWords {
    /// Each word as its length byte, then its bytes.
    blob: Vec<u8>,
    /// `1 +` the offset of a word's length byte in `blob`; 0 is an empty slot. A power
    /// of two long (or empty).
    slots: Vec<u32>,
    /// How many words the set holds.
    count: usize,
}

/// The hash of a stored (lower-case) word. Any hash does: it is never stored anywhere
/// but in this process's table.
fn hash(word: &[u8]) -> usize {
    let mut h = rustc_hash::FxHasher::default();
    h.write(word);
    // The table index is taken from the low bits: fold the high ones in.
    let x = h.finish();
    // Truncation is the point: only the low bits index the table.
    #[allow(clippy::cast_possible_truncation)]
    let folded = (x ^ (x >> 29) ^ (x >> 43)) as usize;
    folded
}

impl RareWords {
    /// The words of `list`, one a line, keyed as the word table keys them: each line
    /// trimmed, lines empty or longer than [`MAX_WORD`] bytes left out (as
    /// `Lexicon::add` leaves them out), then lower-cased as [`Key::lower`] does.
    /// Duplicates are kept once.
    pub(super) fn build(list: &str) -> RareWords {
        // One slot in two used at most: few probes per look-up.
        let lines = list.bytes().filter(|&b| b == b'\n').count() + 1;
        let slots = (lines * 2).next_power_of_two().max(16);
        let mut set = RareWords {
            blob: Vec::with_capacity(list.len() + lines),
            slots: vec![0; slots],
            count: 0,
        };
        for w in super::lines(list).map(super::trim) {
            if w.is_empty() || w.len() > MAX_WORD {
                continue;
            }
            // Lists are written in lower case: only a word that is not is put through `Key`.
            if w.is_ascii() && !w.bytes().any(|b| b.is_ascii_uppercase()) {
                set.insert(w.as_bytes());
            } else if let Some(key) = Key::lower(w.as_bytes()) {
                set.insert(key.as_bytes());
            }
        }
        set
    }

    /// Adds a lower-case word of at most [`MAX_WORD`] bytes (a word already held is kept
    /// once).
    fn insert(&mut self, word: &[u8]) {
        let Ok(len) = u8::try_from(word.len()) else {
            return;
        };
        let at = self.blob.len();
        // The blob of a list of words of at most 40 bytes stays far below 4 GiB; a larger
        // one is not a word list.
        let Ok(tag) = u32::try_from(at + 1) else {
            return;
        };
        let mask = self.slots.len() - 1;
        let mut i = hash(word) & mask;
        while self.slots[i] != 0 {
            if self.word_at(self.slots[i]) == word {
                return;
            }
            i = (i + 1) & mask;
        }
        self.slots[i] = tag;
        self.blob.push(len);
        self.blob.extend_from_slice(word);
        self.count += 1;
    }

    /// The word whose slot holds `tag`.
    fn word_at(&self, tag: u32) -> &[u8] {
        let at = tag as usize - 1;
        let len = usize::from(self.blob[at]);
        &self.blob[at + 1..at + 1 + len]
    }

    /// Whether the set holds `word` (lower case, as keyed).
    pub(super) fn contains(&self, word: &[u8]) -> bool {
        if self.count == 0 {
            return false;
        }
        let mask = self.slots.len() - 1;
        let mut i = hash(word) & mask;
        loop {
            match self.slots[i] {
                0 => return false,
                tag if self.word_at(tag) == word => return true,
                _ => i = (i + 1) & mask,
            }
        }
    }

    pub(super) fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Every word held, in no particular order.
    pub(super) fn words(&self) -> impl Iterator<Item = &[u8]> + '_ {
        let mut at = 0;
        std::iter::from_fn(move || {
            let len = usize::from(*self.blob.get(at)?);
            let w = &self.blob[at + 1..at + 1 + len];
            at += 1 + len;
            Some(w)
        })
    }

    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.count
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_found_as_keyed_and_only_whole() {
        let set = RareWords::build("horsebox\n  Abrégé \r\nhorsebox\n\nab\n# note\n");
        assert_eq!(set.len(), 4);
        for w in ["horsebox", "abrégé", "ab", "# note"] {
            assert!(set.contains(w.as_bytes()), "{w}");
        }
        for w in ["horsebo", "horseboxes", "Abrégé", "a", ""] {
            assert!(!set.contains(w.as_bytes()), "{w}");
        }
        let mut all: Vec<&[u8]> = set.words().collect();
        all.sort_unstable();
        assert_eq!(
            all,
            [&b"# note"[..], b"ab", "abrégé".as_bytes(), b"horsebox"]
        );
    }

    #[test]
    fn long_lines_and_empty_lists_hold_nothing() {
        let long = "a".repeat(MAX_WORD + 1);
        let set = RareWords::build(&long);
        assert!(set.is_empty());
        assert!(!set.contains(long.as_bytes()));
        assert!(RareWords::build("").is_empty());
        assert!(!RareWords::default().contains(b"a"));
        let edge = "b".repeat(MAX_WORD);
        assert!(RareWords::build(&edge).contains(edge.as_bytes()));
    }
}
