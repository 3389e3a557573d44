//! A bounded, per-process memory of recent look-ups: index key → token, for values the
//! vault already holds, so a value seen again (every FHIR webhook repeats its patient's
//! name, MRN and phone) is answered without a read of the index tree.
//!
//! What it holds is what the index tree holds: keyed hashes (the look-up keys) and
//! tokens, never a value. It only remembers mappings read from the index, never a mapping
//! being written, so it never answers for something the vault has not stored. Anything
//! that removes or rewrites index entries (`forget`, a restore) calls
//! [`RecentTokens::invalidate`]; a look-up that read the index before an invalidation
//! and would remember its answer after it is refused by the generation check, so a
//! forgotten value can never come back from here.
//!
//! A mapping is remembered under its index key and, when the value came prepared by the
//! vault's minter, under [`prepared_key`] too: the whole keyed hash its provisional token
//! was made from, so the next time that value comes prepared neither its index key nor an
//! index read is needed. Both are keyed hashes; the two kinds differ in length, so one is
//! never taken for the other.

use std::sync::Mutex;

use rustc_hash::FxHashMap;

use super::record::{SubjectId, SUBJECT_ID_LEN};
use crate::transform::token::TAG_LEN;

/// How many look-ups are remembered (about 100 bytes each); when full, it starts again
/// empty (cheap, and a bound on memory whatever the traffic).
const CAPACITY: usize = 32 * 1024;

/// The key a prepared value's mapping is remembered under: a marker, the patient's subject
/// id when the document has one (the index keeps each patient's mappings apart), the
/// minter's id and the whole first-attempt tag ([`crate::transform::token::Prepared::minted_tag`]).
/// 41 or 57 bytes, where index keys are 32 or 48.
pub fn prepared_key(sid: Option<&SubjectId>, minter: u64, tag: &[u8; TAG_LEN]) -> Vec<u8> {
    let mut key = Vec::with_capacity(1 + SUBJECT_ID_LEN + 8 + TAG_LEN);
    match sid {
        Some(sid) => {
            key.push(b'S');
            key.extend_from_slice(sid);
        }
        None => key.push(b'V'),
    }
    key.extend_from_slice(&minter.to_be_bytes());
    key.extend_from_slice(tag);
    key
}

#[derive(Default)]
pub struct RecentTokens {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    /// Bumped by every invalidation.
    generation: u64,
    map: FxHashMap<Box<[u8]>, Box<str>>,
}

impl RecentTokens {
    /// The token remembered for a look-up key. A poisoned lock is a miss: the caller
    /// reads the index.
    pub fn get(&self, key: &[u8]) -> Option<String> {
        let inner = self.inner.lock().ok()?;
        inner.map.get(key).map(|t| t.to_string())
    }

    /// The generation to pass to [`RecentTokens::remember`]; read before the index is.
    pub fn generation(&self) -> u64 {
        self.inner.lock().map_or(u64::MAX, |i| i.generation)
    }

    /// Remembers what the index answered, unless an invalidation came in between (the
    /// answer may be one that was just forgotten).
    pub fn remember(&self, generation: u64, key: &[u8], token: &str) {
        let Ok(mut inner) = self.inner.lock() else {
            return;
        };
        if inner.generation != generation {
            return;
        }
        if inner.map.len() >= CAPACITY {
            inner.map.clear();
        }
        inner.map.insert(key.into(), token.into());
    }

    /// Forgets everything, and refuses what look-ups already under way would remember.
    pub fn invalidate(&self) {
        // A poisoned lock is cleared too: the memory must not outlive a forget.
        let mut inner = match self.inner.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        inner.generation = inner.generation.wrapping_add(1);
        inner.map.clear();
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.inner.lock().map_or(0, |i| i.map.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_what_the_index_answered() {
        let r = RecentTokens::default();
        assert_eq!(r.get(b"k1"), None);
        r.remember(r.generation(), b"k1", "NAME_abc");
        assert_eq!(r.get(b"k1").as_deref(), Some("NAME_abc"));
        assert_eq!(r.get(b"k2"), None);
    }

    #[test]
    fn an_invalidation_forgets_and_refuses_a_look_up_already_under_way() {
        let r = RecentTokens::default();
        r.remember(r.generation(), b"k1", "NAME_abc");
        // A look-up reads the generation and the index, then a forget runs...
        let before = r.generation();
        r.invalidate();
        assert_eq!(r.get(b"k1"), None, "forgotten");
        // ...and what the look-up read is not remembered afterwards.
        r.remember(before, b"k2", "NAME_def");
        assert_eq!(r.get(b"k2"), None);
        r.remember(r.generation(), b"k2", "NAME_def");
        assert_eq!(r.get(b"k2").as_deref(), Some("NAME_def"));
    }

    #[test]
    fn stays_bounded() {
        let r = RecentTokens::default();
        let g = r.generation();
        for i in 0..(CAPACITY + 10) {
            r.remember(g, format!("key{i}").as_bytes(), "T");
        }
        assert!(r.len() <= CAPACITY, "{}", r.len());
        assert!(r.get(format!("key{}", CAPACITY + 9).as_bytes()).is_some());
    }
}
