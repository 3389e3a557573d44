//! One vault write per document: the values a document's walk tokenises, held until the
//! walk ends and then sent to the store together.
//!
//! Owns the [`Pending`] batch and its commit. Tokens are deterministic (a keyed hash of the
//! type and normalised value; a later attempt only on a collision), so a walk can write a
//! store's provisional token ([`TokenStore::provisional`]) into the document before the
//! store has answered. The commit then makes one `tokenize_for` call per patient of the
//! document and compares what the store returned with what was written: only when every
//! token agrees may the document be forwarded. A store that offers no provisional token is
//! asked value by value during the walk, as before.
//!
//! Nothing here forwards anything: the engine's entry points begin a batch, walk, commit,
//! and walk again without one when the commit says the guesses were wrong.

use std::hash::{Hash, Hasher};
use std::sync::Mutex;

use rustc_hash::{FxHashMap, FxHasher};

use super::token::{Prepared, TokenError, TokenStore};
use crate::phi::PhiType;

/// One value waiting for the store: whose document it came from, and the token written
/// with what was computed to make it (carried to the commit, not computed again).
struct Entry {
    patient: Option<String>,
    prepared: Prepared,
}

/// A document's tokenised values, each once, in the order the walk first met them. Lives
/// for one document; the walk is single-threaded, but the transformer that points here is
/// `Sync` (one is shared by a scan's worker threads), hence an uncontended lock.
#[derive(Default)]
pub struct Pending {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    entries: Vec<Entry>,
    /// A hash of (patient, type, value) → indexes into `entries` with that hash: a value
    /// repeated in a document is asked of the store once. Keyed by the hash, and each
    /// candidate compared in full, so a value met again costs no copy of it.
    seen: FxHashMap<u64, Vec<usize>>,
}

/// The `seen` hash of a value in a document's batch.
fn seen_hash(patient: Option<&str>, ty: PhiType, value: &str) -> u64 {
    let mut h = FxHasher::default();
    (patient, ty, value).hash(&mut h);
    h.finish()
}

/// What a commit found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Committed {
    /// The store holds every value under the token the document was written with.
    Confirmed,
    /// The store answered some value with another token (a collision resolved by a later
    /// attempt): the document must be rewritten without a batch.
    Differs,
}

impl Pending {
    /// The provisional token of a value, asking `store` only for a value not yet seen in
    /// this document; `None` when the store offers none (the caller then asks the store
    /// directly, which is safe whatever the reason, a poisoned lock included).
    pub(super) fn token(
        &self,
        store: &dyn TokenStore,
        patient: Option<&str>,
        ty: PhiType,
        value: &str,
        exact: bool,
    ) -> Option<String> {
        let mut inner = self.inner.lock().ok()?;
        let hash = seen_hash(patient, ty, value);
        let Inner { entries, seen } = &mut *inner;
        let same = |e: &&Entry| {
            e.patient.as_deref() == patient && e.prepared.ty() == ty && e.prepared.value() == value
        };
        if let Some(at) = seen.get(&hash) {
            if let Some(e) = at.iter().filter_map(|&i| entries.get(i)).find(same) {
                return Some(e.prepared.token().to_string());
            }
        }
        let prepared = store.prepare(ty, value, exact)?;
        let provisional = prepared.token().to_string();
        seen.entry(hash).or_default().push(entries.len());
        entries.push(Entry {
            patient: patient.map(str::to_string),
            prepared,
        });
        Some(provisional)
    }

    /// Whether `token` was written for a value of this batch (minted by this document's
    /// walk, not yet in the store). A poisoned lock answers no: the token is then read as
    /// a value, which keeps nothing out.
    pub(super) fn holds_token(&self, token: &str) -> bool {
        self.inner
            .lock()
            .is_ok_and(|i| i.entries.iter().any(|e| e.prepared.token() == token))
    }

    /// Number of distinct values waiting.
    pub fn len(&self) -> usize {
        self.inner.lock().map_or(0, |i| i.entries.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Sends every waiting value to `store` with what its provisional token took
    /// ([`TokenStore::tokenize_prepared`]): one call per patient, in the order the walk
    /// met each patient. Returns only once the store has made them durable (its
    /// `tokenize_for` contract), so a [`Committed::Confirmed`] document may be forwarded.
    pub fn commit(self, store: &dyn TokenStore, exact: bool) -> Result<Committed, TokenError> {
        let entries = self
            .inner
            .into_inner()
            .map_err(|_| TokenError::Poisoned)?
            .entries;
        let mut agreed = true;
        for patient in patients_in_order(&entries) {
            let batch: Vec<&Prepared> = entries
                .iter()
                .filter(|e| e.patient == patient)
                .map(|e| &e.prepared)
                .collect();
            let tokens = store.tokenize_prepared(patient.as_deref(), &batch, exact)?;
            // A store that answers short would leave values without a token: refuse.
            if tokens.len() != batch.len() {
                return Err(TokenError::Unavailable(
                    "token store returned a short batch".into(),
                ));
            }
            agreed &= batch.iter().zip(&tokens).all(|(p, t)| p.token() == t);
        }
        Ok(match agreed {
            true => Committed::Confirmed,
            false => Committed::Differs,
        })
    }
}

/// The distinct patients of a batch, first appearance first.
fn patients_in_order(entries: &[Entry]) -> Vec<Option<String>> {
    let mut out: Vec<Option<String>> = Vec::new();
    for e in entries {
        if !out.contains(&e.patient) {
            out.push(e.patient.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::MasterKey;
    use crate::transform::token::{MemoryTokenStore, Revealed, TokenRequest};

    /// A memory store that counts its `tokenize_for` calls.
    struct Counting {
        inner: MemoryTokenStore,
        calls: Mutex<Vec<(Option<String>, usize)>>,
    }

    impl TokenStore for Counting {
        fn tokenize_for(
            &self,
            patient: Option<&str>,
            batch: &[TokenRequest<'_>],
            exact: bool,
        ) -> Result<Vec<String>, TokenError> {
            if let Ok(mut c) = self.calls.lock() {
                c.push((patient.map(str::to_string), batch.len()));
            }
            self.inner.tokenize_for(patient, batch, exact)
        }
        fn reveal(&self, token: &str) -> Result<Option<Revealed>, TokenError> {
            self.inner.reveal(token)
        }
        fn provisional(&self, ty: PhiType, value: &str, exact: bool) -> Option<String> {
            self.inner.provisional(ty, value, exact)
        }
    }

    #[test]
    fn repeated_values_are_asked_once_and_each_patient_is_one_call() {
        let store = Counting {
            inner: MemoryTokenStore::new(&MasterKey::from_bytes([4; 32]), ""),
            calls: Mutex::new(Vec::new()),
        };
        let p = Pending::default();
        let a = p.token(&store, Some("MRN:1"), PhiType::Name, "Ada Quill", false);
        let again = p.token(&store, Some("MRN:1"), PhiType::Name, "Ada Quill", false);
        p.token(&store, Some("MRN:1"), PhiType::Phone, "555-013-4567", false);
        p.token(&store, None, PhiType::Name, "Bo Lark", false);
        assert_eq!(a, again);
        assert_eq!(p.len(), 3);
        assert!(store.calls.lock().expect("calls").is_empty(), "nothing yet");
        assert_eq!(
            p.commit(&store, false).expect("commit"),
            Committed::Confirmed
        );
        let calls = store.calls.lock().expect("calls").clone();
        assert_eq!(calls, vec![(Some("MRN:1".into()), 2), (None, 1)]);
        assert!(store
            .inner
            .reveal(&a.expect("token"))
            .expect("ok")
            .is_some());
    }
}
