//! The word table: every known word, lower case, with its flags.
//!
//! Owns how a word is stored and found. The key lives inline in the table's slot (a word
//! is at most [`MAX_WORD`] bytes), so a lookup is one hash probe into one slot, with no
//! pointer to a separately allocated key to follow and nothing allocated per word.

use std::hash::{Hash, Hasher};

use rustc_hash::FxHashMap;

/// Longest word looked up; longer runs of letters are never names.
pub(super) const MAX_WORD: usize = 40;

/// A lower-case word of at most [`MAX_WORD`] bytes; the bytes past `len` are always zero,
/// so two keys are equal exactly when their words are.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) struct Key {
    len: u8,
    bytes: [u8; MAX_WORD],
}

impl Hash for Key {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write(self.as_bytes());
    }
}

impl Key {
    /// `word` in lower case; `None` when it is too long to be a known word. ASCII words
    /// take the fast path; a word with other letters (`Елена`, `Παπαδόπουλος`) is put in
    /// Unicode lower case, as the lists are, so a capitalised word finds its entry.
    pub(super) fn lower(word: &[u8]) -> Option<Key> {
        if !word.is_ascii() {
            return Key::lower_unicode(word);
        }
        let len = u8::try_from(word.len())
            .ok()
            .filter(|&n| usize::from(n) <= MAX_WORD)?;
        let mut bytes = [0u8; MAX_WORD];
        let lower = &mut bytes[..word.len()];
        lower.copy_from_slice(word);
        lower.make_ascii_lowercase();
        Some(Key { len, bytes })
    }

    /// The Unicode lower case of a non-ASCII word (whole-word, so a Greek final sigma is
    /// `ς`). Bytes that are not UTF-8 (a word cut inside a character) stay as they are.
    fn lower_unicode(word: &[u8]) -> Option<Key> {
        let lowered;
        let word = match std::str::from_utf8(word) {
            Ok(s) => {
                lowered = s.to_lowercase();
                lowered.as_bytes()
            }
            Err(_) => word,
        };
        let len = u8::try_from(word.len())
            .ok()
            .filter(|&n| usize::from(n) <= MAX_WORD)?;
        let mut bytes = [0u8; MAX_WORD];
        bytes[..word.len()].copy_from_slice(word);
        Some(Key { len, bytes })
    }

    pub(super) fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }
}

/// Words and their flags.
#[derive(Default)]
pub(super) struct WordTable {
    map: FxHashMap<Key, u32>,
}

impl WordTable {
    pub(super) fn reserve(&mut self, n: usize) {
        self.map.reserve(n);
    }

    /// Adds `flags` to `word` (ignored when longer than [`MAX_WORD`]).
    pub(super) fn add(&mut self, word: &[u8], flags: u32) {
        if let Some(key) = Key::lower(word) {
            *self.map.entry(key).or_insert(0) |= flags;
        }
    }

    pub(super) fn get(&self, key: &Key) -> Option<u32> {
        self.map.get(key).copied()
    }

    /// Flags of a word given as bytes (any case): for the derived readings of a word
    /// (a possessive's stem, a name without its apostrophe), off the per-word hot path.
    pub(super) fn get_word(&self, word: &[u8]) -> Option<u32> {
        Key::lower(word).and_then(|k| self.get(&k))
    }

    pub(super) fn len(&self) -> usize {
        self.map.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_found_whatever_their_case_and_only_whole() {
        let mut t = WordTable::default();
        t.add(b"Maria", 1);
        t.add(b"maria", 2);
        t.add(b"mar", 4);
        let long = [b'a'; MAX_WORD + 1];
        t.add(&long, 8);
        let get = |w: &[u8]| Key::lower(w).and_then(|k| t.get(&k));
        assert_eq!(get(b"MARIA"), Some(3));
        assert_eq!(get(b"Mar"), Some(4));
        assert_eq!(get(b"mari"), None);
        assert_eq!(get(b"marian"), None);
        assert_eq!(t.len(), 2);
        assert_eq!(get(&long), None);
        assert_eq!(get(&long[..MAX_WORD]), None);
    }

    #[test]
    fn words_in_other_scripts_are_found_whatever_their_case() {
        let mut t = WordTable::default();
        t.add("елена".as_bytes(), 1);
        t.add("παπαδοπουλο\u{3c2}".as_bytes(), 2);
        t.add("\u{15d}ahin".as_bytes(), 4);
        let get = |w: &str| Key::lower(w.as_bytes()).and_then(|k| t.get(&k));
        assert_eq!(get("Елена"), Some(1));
        assert_eq!(get("ЕЛЕНА"), Some(1));
        // Whole-word lowering writes a final capital sigma as `ς`, as the lists do.
        assert_eq!(get("ΠΑΠΑΔΟΠΟΥΛΟΣ"), Some(2));
        assert_eq!(get("\u{15c}ahin"), Some(4));
        assert_eq!(get("Елен"), None);
    }
}
