//! The word table: every known word, lower case, with its flags.
//!
//! Owns how a word is stored and found. The key lives inline in the table's slot (a word
//! is at most [`MAX_WORD`] bytes), so a lookup is one hash probe into one slot, with no
//! pointer to a separately allocated key to follow and nothing allocated per word.
//! Words of at most [`SHORT_WORD`] bytes (most words of a note) sit in a second table whose
//! key is the word packed in one integer: 16-byte slots instead of 48, so the lookups of
//! everyday words touch a table a sixth the size, and compare one integer.

use std::hash::{Hash, Hasher};

use rustc_hash::FxHashMap;

use super::rare::RareWords;

/// Longest word looked up; longer runs of letters are never names.
pub(super) const MAX_WORD: usize = 40;

/// Longest word kept in the packed table: its bytes and its length fit one `u64`.
const SHORT_WORD: usize = 7;

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

    /// A word already in lower case as a key, as it is; `None` when it is too long.
    pub(super) fn of_lower(word: &[u8]) -> Option<Key> {
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

    /// A word of at most [`SHORT_WORD`] bytes as one integer: its bytes, then its length
    /// in the top byte (so `ab` and `ab\0` differ); `None` for longer words.
    fn packed(&self) -> Option<u64> {
        if usize::from(self.len) > SHORT_WORD {
            return None;
        }
        let mut b = [0u8; 8];
        b[..SHORT_WORD].copy_from_slice(&self.bytes[..SHORT_WORD]);
        b[7] = self.len;
        Some(u64::from_le_bytes(b))
    }
}

/// An ASCII word of at most [`SHORT_WORD`] bytes (any case) packed as [`Key::packed`]
/// packs its lower case, read straight from its bytes; `None` for any other word.
fn pack_short_ascii(word: &[u8]) -> Option<u64> {
    if word.len() > SHORT_WORD || !word.is_ascii() {
        return None;
    }
    let mut b = [0u8; 8];
    for (to, from) in b.iter_mut().zip(word) {
        *to = from.to_ascii_lowercase();
    }
    // As in `Key::packed`: the length in the top byte. Fits: at most SHORT_WORD.
    #[allow(clippy::cast_possible_truncation)]
    let len = word.len() as u8;
    b[7] = len;
    Some(u64::from_le_bytes(b))
}

/// A word of ASCII digits only (`120`, `80`): a lower-case word as it is, and one that no
/// other word lower-cases to.
pub(super) fn is_number(word: &[u8]) -> bool {
    !word.is_empty() && word.iter().all(u8::is_ascii_digit)
}

/// The bytes of a word packed by [`Key::packed`] or [`pack_short_ascii`] (its lower case),
/// in a buffer whose first `len` bytes they are: `(buffer, len)`.
fn unpack(packed: u64) -> ([u8; 8], usize) {
    let b = packed.to_le_bytes();
    (b, usize::from(b[7]))
}

/// `rare_flag` when the rare tier holds `lower`, else 0: the flags a word new to the maps
/// starts with.
fn rare_flag_of(rare: &RareWords, rare_flag: u64, lower: &[u8]) -> u64 {
    if !rare.is_empty() && rare.contains(lower) {
        rare_flag
    } else {
        0
    }
}

/// Words and their flags.
#[derive(Default)]
pub(super) struct WordTable {
    /// Words of at most [`SHORT_WORD`] bytes, by [`Key::packed`].
    short: FxHashMap<u64, u64>,
    /// Longer words.
    map: FxHashMap<Key, u64>,
    /// The rare tier, asked only for a word the maps do not hold (see `rare`): its words
    /// read with `rare_flag` alone. Empty until [`WordTable::set_rare`].
    rare: RareWords,
    rare_flag: u64,
    /// Whether a number (see [`is_number`]) was ever added or is in the rare tier: until
    /// one is, every number's lookup finds nothing ([`WordTable::holds_numbers`]).
    numbers: bool,
}

impl WordTable {
    pub(super) fn reserve(&mut self, n: usize) {
        // Most list words are longer than a short word; the packed table grows as needed.
        self.map.reserve(n);
    }

    /// Adds `flags` to `word` (ignored when longer than [`MAX_WORD`]). A word new to the
    /// maps that the rare tier holds starts with the rare flag, as it would in one table.
    pub(super) fn add(&mut self, word: &[u8], flags: u64) {
        // Counted whether or not the word is kept: a word too long to keep only makes the
        // answer of `holds_numbers` more cautious.
        self.numbers |= is_number(word);
        let rare = &self.rare;
        let rare_flag = self.rare_flag;
        // Short ASCII words (most names) are packed straight from their bytes, as they are
        // looked up: no `Key` is built for them at start-up.
        if let Some(p) = pack_short_ascii(word) {
            *self.short.entry(p).or_insert_with(|| {
                let (b, len) = unpack(p);
                rare_flag_of(rare, rare_flag, &b[..len])
            }) |= flags;
            return;
        }
        if let Some(key) = Key::lower(word) {
            let start = || rare_flag_of(rare, rare_flag, key.as_bytes());
            let slot = match key.packed() {
                Some(p) => self.short.entry(p).or_insert_with(start),
                None => self.map.entry(key).or_insert_with(start),
            };
            *slot |= flags;
        }
    }

    /// Installs the rare tier: its words read with `flag` alone, and a word the maps hold
    /// already gets `flag` added, so every word reads as if the tier's words had been
    /// added to the maps one by one (a word of one list and the tier reads with both).
    pub(super) fn set_rare(&mut self, rare: RareWords, flag: u64) {
        for w in rare.words() {
            // Stored as keyed: lower case, at most MAX_WORD bytes.
            let Some(key) = Key::of_lower(w) else {
                continue;
            };
            let slot = match key.packed() {
                Some(p) => self.short.get_mut(&p),
                None => self.map.get_mut(&key),
            };
            if let Some(f) = slot {
                *f |= flag;
            }
        }
        self.numbers |= rare.words().any(is_number);
        self.rare = rare;
        self.rare_flag = flag;
    }

    /// Whether the maps or the rare tier may hold a number: when not, a number's lookup
    /// (maps and rare tier) finds nothing, and is not made.
    pub(super) fn holds_numbers(&self) -> bool {
        self.numbers
    }

    /// Flags of an ASCII word of at most [`SHORT_WORD`] bytes (any case), read straight
    /// from its bytes without building a [`Key`]: `Err(())` when the word is not such a
    /// word (look it up by [`Key`]), `Ok(None)` when it is and is not in the table.
    pub(super) fn get_short_ascii(&self, word: &[u8]) -> Result<Option<u64>, ()> {
        let packed = pack_short_ascii(word).ok_or(())?;
        Ok(self.short.get(&packed).copied().or_else(|| {
            let (b, len) = unpack(packed);
            self.rare_only(&b[..len])
        }))
    }

    pub(super) fn get(&self, key: &Key) -> Option<u64> {
        match key.packed() {
            Some(p) => self.short.get(&p).copied(),
            None => self.map.get(key).copied(),
        }
        .or_else(|| self.rare_only(key.as_bytes()))
    }

    /// The flags of a word the maps do not hold (lower case): the rare flag if the rare
    /// tier holds it.
    fn rare_only(&self, lower: &[u8]) -> Option<u64> {
        self.rare.contains(lower).then_some(self.rare_flag)
    }

    /// Flags of a word in lower-case ASCII from the maps alone, the rare tier not asked: for
    /// a reading that asks for flags the rare tier never gives (its words carry `rare_flag`
    /// alone), and asks it of hundreds of candidates a word (`misspelt`).
    pub(super) fn get_listed_lower(&self, lower: &[u8]) -> Option<u64> {
        let key = Key::of_lower(lower)?;
        match key.packed() {
            Some(p) => self.short.get(&p).copied(),
            None => self.map.get(&key).copied(),
        }
    }

    /// Flags of a word given as bytes (any case): for the derived readings of a word
    /// (a possessive's stem, a name without its apostrophe), off the per-word hot path.
    pub(super) fn get_word(&self, word: &[u8]) -> Option<u64> {
        Key::lower(word).and_then(|k| self.get(&k))
    }

    pub(super) fn len(&self) -> usize {
        self.short.len() + self.map.len()
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

    /// Words either side of the packed table's length limit, and words that differ only by
    /// a trailing zero byte or by length, are found as themselves and only as themselves.
    #[test]
    fn short_and_long_words_are_found_as_themselves() {
        let mut t = WordTable::default();
        let words: [&[u8]; 8] = [
            b"a",
            b"ab",
            b"ab\0",
            b"abcdefg",
            b"abcdefgh",
            b"abcdefghi",
            b"abcdef",
            b"\0",
        ];
        for (i, w) in words.iter().enumerate() {
            t.add(w, 1 << i);
        }
        assert_eq!(t.len(), words.len());
        for (i, w) in words.iter().enumerate() {
            assert_eq!(t.get_word(w), Some(1 << i), "{w:?}");
            assert_eq!(t.get_word(&w.to_ascii_uppercase()), Some(1 << i), "{w:?}");
        }
        for w in [&b"abc"[..], b"", b"abcdefgj", b"ab\0\0", b"abcdefgh\0"] {
            assert_eq!(t.get_word(w), None, "{w:?}");
        }
        // The fast path for short ASCII words answers as the lookup by key does.
        for w in words
            .iter()
            .chain([&b"abc"[..], b"ABC", b"", b"ab\0\0", b"Ab"].iter())
        {
            let by_key = t.get_word(w);
            match t.get_short_ascii(w) {
                Ok(found) => assert_eq!(found, by_key, "{w:?}"),
                Err(()) => assert!(w.len() > SHORT_WORD, "{w:?}"),
            }
        }
    }

    /// The rare tier reads as if its words had been added to the maps: its flag alone for a
    /// word no list holds, added to a listed word's flags, and given to a word added later.
    #[test]
    fn rare_words_read_as_if_added_to_the_maps() {
        let mut t = WordTable::default();
        t.add(b"horse", 1);
        t.add(b"Horsebox", 1);
        t.set_rare(
            RareWords::build("horsebox\nzebra\nhorse\nOxbow\nlongerwordhere\nélan"),
            64,
        );
        assert_eq!(t.get_word(b"HORSEBOX"), Some(65));
        assert_eq!(t.get_word(b"Horse"), Some(65));
        assert_eq!(t.get_short_ascii(b"horse"), Ok(Some(65)));
        assert_eq!(t.get_word(b"zebra"), Some(64));
        assert_eq!(t.get_short_ascii(b"ZEBRA"), Ok(Some(64)));
        assert_eq!(t.get_short_ascii(b"oxbow"), Ok(Some(64)));
        assert_eq!(t.get_word(b"longerwordhere"), Some(64));
        assert_eq!(t.get_word("Élan".as_bytes()), Some(64));
        assert_eq!(t.get_word(b"cat"), None);
        assert_eq!(t.get_short_ascii(b"zebr"), Ok(None));
        t.add(b"Zebra", 2);
        assert_eq!(t.get_word(b"zebra"), Some(66));
        t.add(b"cat", 2);
        assert_eq!(t.get_word(b"cat"), Some(2));
        assert_eq!(t.len(), 4);
    }

    /// Whether the table may hold a number is known from what was added and the rare tier.
    #[test]
    fn a_table_knows_whether_it_may_hold_a_number() {
        let mut t = WordTable::default();
        t.add(b"Maria", 1);
        t.add(b"pao2", 2);
        t.set_rare(RareWords::build("zebra\nx2"), 64);
        assert!(!t.holds_numbers());
        assert!(!is_number(b"") && !is_number(b"12a") && is_number(b"0120"));
        t.add(b"911", 4);
        assert!(t.holds_numbers());
        let mut r = WordTable::default();
        r.set_rare(RareWords::build("zebra\n1040"), 64);
        assert!(r.holds_numbers());
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
