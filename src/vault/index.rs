//! The keyed index: how a value, a patient and the master key are found again without
//! storing any of them.
//!
//! Owns the look-up key of a value (`HMAC(index key, domain ‖ type ‖ normalised value)`, or
//! for a patient's document `subject id ‖ HMAC(index key, subject id ‖ domain ‖ type ‖ value)`
//! so that forgetting the patient finds their look-ups by prefix), the subject id of a patient
//! key (a truncated keyed hash of its canonical form), and the key-check record that refuses a
//! wrong master key. Both backends compute these the same way, which is what lets `vault
//! migrate` copy rows without decrypting them.

use ring::hmac;

use super::record::{SubjectId, SUBJECT_ID_LEN};
use crate::keys::{MasterKey, Purpose};
use crate::phi::PhiType;
use crate::transform::token::normalize;

/// Length of a look-up key in the index for a document without a patient.
pub(super) const HASH_LEN: usize = 32;

/// The index key of a vault (derived from the master key).
pub(super) struct IndexKey(hmac::Key);

impl IndexKey {
    pub(super) fn new(master: &MasterKey) -> IndexKey {
        IndexKey(master.derive(Purpose::Index, "").hmac())
    }

    /// The key-check record: equal for every vault under the same master key.
    pub(super) fn key_check(&self) -> hmac::Tag {
        hmac::sign(&self.0, b"phigate key check")
    }

    /// The subject id of a patient key (see [`canonical_patient_key`]); `None` for a key
    /// with nothing left.
    pub(super) fn subject_id(&self, patient_key: &str) -> Option<SubjectId> {
        let canonical = canonical_patient_key(patient_key)?;
        let mut ctx = hmac::Context::with_key(&self.0);
        ctx.update(b"phigate subject\0");
        ctx.update(canonical.as_bytes());
        let tag = ctx.sign();
        let mut sid = [0u8; SUBJECT_ID_LEN];
        sid.copy_from_slice(&tag.as_ref()[..SUBJECT_ID_LEN]);
        Some(sid)
    }

    /// The key a patient memory's forms are hashed under ([`crate::memory`]): one per
    /// memory, derived from its id, so a memory's rows mean nothing without the master key
    /// and two memories never share a hash.
    pub(super) fn memory_key(&self, id: &SubjectId) -> [u8; crate::memory::KEY_LEN] {
        let mut ctx = hmac::Context::with_key(&self.0);
        ctx.update(b"phigate patient memory\0");
        ctx.update(id);
        let tag = ctx.sign();
        let mut key = [0u8; crate::memory::KEY_LEN];
        key.copy_from_slice(&tag.as_ref()[..crate::memory::KEY_LEN]);
        key
    }

    /// The look-up key of a value: for a patient's document, prefixed by the subject id so
    /// that forgetting the patient can find and remove them.
    pub(super) fn lookup(
        &self,
        domain: &str,
        sid: Option<&SubjectId>,
        ty: PhiType,
        normalized: &str,
    ) -> Vec<u8> {
        let mut ctx = hmac::Context::with_key(&self.0);
        if let Some(sid) = sid {
            ctx.update(b"phigate subject index\0");
            ctx.update(sid);
        }
        ctx.update(domain.as_bytes());
        ctx.update(b"\0");
        ctx.update(ty.as_str().as_bytes());
        ctx.update(b"\0");
        ctx.update(normalized.as_bytes());
        let tag = ctx.sign();
        match sid {
            None => tag.as_ref().to_vec(),
            Some(sid) => [&sid[..], tag.as_ref()].concat(),
        }
    }
}

/// The subject whose look-up a stored look-up key is, if it is a patient's.
pub(super) fn lookup_subject(key: &[u8]) -> Option<&[u8]> {
    (key.len() == SUBJECT_ID_LEN + HASH_LEN).then(|| &key[..SUBJECT_ID_LEN])
}

/// The canonical form of a patient key, as the vault hashes it into a subject id.
///
/// `TYPE:value` (`MRN:MRX-55120`, `SSN:219-09-9999`, `NAME:Suzette Przybylo`; the type
/// case-insensitive) becomes the type and the value normalised the way tokens normalise it
/// (`MRN:MRX55120`, `NAME:suzette przybylo`), so every spelling a document may use agrees;
/// anything else (`Patient/<id>` from a FHIR bundle) is kept as it is, trimmed. `None` for a
/// key with nothing left.
pub fn canonical_patient_key(key: &str) -> Option<String> {
    let key = key.trim();
    if let Some((ty, value)) = key.split_once(':') {
        if let Ok(ty) = ty.parse::<PhiType>() {
            let v = normalize(ty, value);
            return (!v.is_empty()).then(|| format!("{}:{v}", ty.as_str()));
        }
    }
    (!key.is_empty()).then(|| key.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_patient_keys_agree_across_spellings() {
        let c = |k| canonical_patient_key(k);
        assert_eq!(c("MRN:mrx-55120").as_deref(), Some("MRN:MRX55120"));
        assert_eq!(c("mrn:MRX 55120"), c("MRN:mrx-55120"));
        assert_eq!(
            c("NAME:przybylo, suzette").as_deref(),
            Some("NAME:suzette przybylo")
        );
        assert_eq!(c(" Patient/pat-1 ").as_deref(), Some("Patient/pat-1"));
        assert_eq!(c("MRN:--"), None);
        assert_eq!(c("  "), None);
    }

    #[test]
    fn a_patients_lookups_carry_the_subject_and_others_do_not() {
        let k = IndexKey::new(&MasterKey::from_bytes([3; 32]));
        let sid = k.subject_id("MRN:MRX-1").expect("sid");
        let theirs = k.lookup("", Some(&sid), PhiType::Name, "ada quill");
        let plain = k.lookup("", None, PhiType::Name, "ada quill");
        assert_eq!(lookup_subject(&theirs), Some(&sid[..]));
        assert_eq!(lookup_subject(&plain), None);
        assert_ne!(k.lookup("b", None, PhiType::Name, "ada quill"), plain);
    }
}
