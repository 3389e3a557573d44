//! Scans of short texts remembered per scratch (issue 19: a detector call's fixed cost).
//!
//! Owns [`ScanMemo`]. A FHIR webhook makes about twenty detector calls, most on short values
//! that every webhook of its kind repeats (`code.text`, `display`, a questionnaire's answer
//! options: `Grip strength`, `Never Married`, `daughter`), and each paid the whole detector
//! again (about 20 k instructions for 17 bytes). [`crate::detect::Detector::scan_accented`]
//! is a function of its text, its accents and the values learned or echoed that it finds in
//! the text: when neither set of values finds anything, the spans depend on the text and its
//! accents alone, so those of a short text are remembered and given back.
//!
//! Like the token minter's tag memo it holds keyed hashes, never a value: each text is
//! remembered under a 128-bit SipHash-1-3 (the rounds of the standard library's hash maps:
//! this one is never shown outside the process either) of its bytes and accents under a
//! random key made with the memo and never stored, beside its length, with the spans
//! (offsets and types) found in it.
//! Two texts share a name only by a 128-bit collision under a secret key. A memo belongs to
//! one detector (it empties itself when its scratch is used with another) and is bounded:
//! when full it starts again, which costs only scanning afresh.

use rustc_hash::FxHashMap;
use siphasher::sip128::{Hasher128 as _, SipHasher13};
use std::hash::Hasher as _;
use std::sync::atomic::{AtomicU64, Ordering};

use super::lexicon::Accent;
use super::Span;

/// Longest text (bytes) remembered: the short values the gateway repeats. A note is rarely
/// scanned twice, and hashing it would cost more than remembering it saves.
const MAX_BYTES: usize = 256;

/// Texts remembered before the memo starts again (a few hundred kilobytes at most).
const MAX_ENTRIES: usize = 4096;

/// Identity of a detector, so a memo filled by one is never read for another (an address
/// can be reused by a detector built after the first is dropped; this number is not).
pub(super) fn next_owner() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// What a text is remembered under: its keyed hash and its length.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(super) struct Name {
    hash: u128,
    len: usize,
}

/// The spans found in short texts, by keyed hash (see the module header).
#[derive(Default)]
pub(super) struct ScanMemo {
    /// The SipHash key: drawn on first use; `Some(None)` when the system gave no random
    /// key, and then nothing is remembered.
    key: Option<Option<(u64, u64)>>,
    /// The detector whose scans are remembered (0: none yet).
    owner: u64,
    map: FxHashMap<Name, Box<[Span]>>,
}

impl ScanMemo {
    /// What `text` with `accents`, scanned by detector `owner`, is remembered under; `None`
    /// when it is too long to remember or there is no key. Forgets another detector's scans.
    pub(super) fn name(&mut self, owner: u64, text: &str, accents: &[Accent]) -> Option<Name> {
        if text.len() > MAX_BYTES {
            return None;
        }
        if self.owner != owner {
            self.map.clear();
            self.owner = owner;
        }
        let (k0, k1) = (*self.key.get_or_insert_with(random_key))?;
        let mut h = SipHasher13::new_with_keys(k0, k1);
        h.write(text.as_bytes());
        // Each accent is three fixed-width numbers after the text, whose length is in the
        // name: two different (text, accents) pairs never hash the same input.
        for a in accents {
            h.write_usize(a.at);
            h.write_usize(a.len);
            h.write_u32(u32::from(a.letter));
        }
        Some(Name {
            hash: h.finish128().into(),
            len: text.len(),
        })
    }

    /// The spans remembered under `name`.
    pub(super) fn get(&self, name: Name) -> Option<Vec<Span>> {
        self.map.get(&name).map(|spans| spans.to_vec())
    }

    pub(super) fn remember(&mut self, name: Name, spans: &[Span]) {
        if self.map.len() >= MAX_ENTRIES {
            self.map.clear();
        }
        self.map.insert(name, spans.into());
    }

    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.map.len()
    }
}

/// A fresh SipHash key from the system's random source; `None` if it gives none.
fn random_key() -> Option<(u64, u64)> {
    use ring::rand::SecureRandom as _;
    let mut k = [0u8; 16];
    ring::rand::SystemRandom::new().fill(&mut k).ok()?;
    let (a, b) = k.split_at(8);
    let word = |h: &[u8]| h.try_into().ok().map(u64::from_le_bytes);
    Some((word(a)?, word(b)?))
}

#[cfg(test)]
mod tests {
    use crate::detect::{Detector, Learned};
    use crate::patterns::Patterns;
    use crate::phi::PhiType;

    /// A short text scanned again gives the spans of its first scan, from the memo; a text
    /// in which learned values are found, or one too long, is scanned afresh each time.
    #[test]
    fn a_remembered_scan_gives_the_spans_of_a_fresh_one() {
        let d = Detector::build(&Patterns::builtin()).expect("built-in patterns");
        let mut s = d.scratch();
        let texts = [
            "Grip strength",
            "Fatima Chen, +1 217 555 0113",
            "6632 N Lincoln Blvd, Franklin, MA 02080",
            "Never Married",
            "seen by Dr. Orvenko Talbrisse on 03/04/2021",
        ];
        let fresh: Vec<_> = texts
            .iter()
            .map(|t| d.scan(t, None, &mut d.scratch()))
            .collect();
        for (t, f) in texts.iter().zip(&fresh) {
            assert_eq!(&d.scan(t, None, &mut s), f, "{t}");
        }
        assert_eq!(s.memo.len(), texts.len());
        for (t, f) in texts.iter().zip(&fresh) {
            assert_eq!(&d.scan(t, None, &mut s), f, "{t} remembered");
        }
        // A value of two words: a capitalised clinical word learned alone needs name
        // evidence (`learned_words`), and `Grip strength` has none.
        let mut learned = Learned::default();
        learned.add(PhiType::Name, "Grip strength");
        let with = d.scan("Grip strength", Some(&learned), &mut s);
        assert!(with.iter().any(|x| x.start == 0), "{with:?}");
        assert_eq!(
            s.memo.len(),
            texts.len(),
            "a scan with learned values found is not kept"
        );
        let long = "Grip strength ".repeat(40);
        let _ = d.scan(&long, None, &mut s);
        assert_eq!(s.memo.len(), texts.len(), "a long text is not kept");
    }

    /// A scratch used with another detector forgets the first one's scans.
    #[test]
    fn a_memo_is_read_only_for_the_detector_that_filled_it() {
        let a = Detector::build(&Patterns::builtin()).expect("built-in patterns");
        let b = Detector::build(&Patterns::builtin()).expect("built-in patterns");
        let mut s = a.scratch();
        let _ = a.scan("Never Married", None, &mut s);
        assert_eq!(s.memo.len(), 1);
        let mut m = std::mem::take(&mut s.memo);
        assert!(m.name(b.id, "Never Married", &[]).is_some());
        assert_eq!(m.len(), 0);
    }
}
