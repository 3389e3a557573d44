//! The patient memory's rows ([`crate::memory`]), as both backends keep them.
//!
//! Owns the row layout and the steps both backends share: a memory is named by the subject
//! id of the patient key it was first recorded under (its id); its forms are rows
//! `id ‖ hash (8, BE)` → `type ‖ level`; every patient key that reaches it (a FHIR
//! `Patient/<id>`, an `MRN:…` of the same patient) has a link `subject id → id` and a back
//! link `id ‖ subject id` so that forgetting any of them finds them all. Nothing in a row is
//! plaintext: ids are keyed hashes of patient keys, forms keyed hashes under the memory's
//! own key ([`super::index::IndexKey::memory_key`]).
//!
//! When a document's keys reach two different memories (two records the EMR never linked),
//! the first is used and the other keys stay where they are: memories are never merged.

use rustc_hash::FxHashMap;

use super::index::IndexKey;
use super::record::{SubjectId, SUBJECT_ID_LEN};
use crate::memory::{Memory, Remembered};

/// Length of a form row's key (memory id ‖ hash).
pub(super) const FORM_KEY_LEN: usize = SUBJECT_ID_LEN + 8;
/// Length of a back link's key (memory id ‖ subject id).
pub(super) const BACK_LINK_LEN: usize = 2 * SUBJECT_ID_LEN;

/// A form row's key.
pub(super) fn form_key(id: &SubjectId, hash: u64) -> [u8; FORM_KEY_LEN] {
    let mut k = [0u8; FORM_KEY_LEN];
    k[..SUBJECT_ID_LEN].copy_from_slice(id);
    k[SUBJECT_ID_LEN..].copy_from_slice(&hash.to_be_bytes());
    k
}

/// A back link's key.
pub(super) fn back_link(id: &SubjectId, sid: &SubjectId) -> [u8; BACK_LINK_LEN] {
    let mut k = [0u8; BACK_LINK_LEN];
    k[..SUBJECT_ID_LEN].copy_from_slice(id);
    k[SUBJECT_ID_LEN..].copy_from_slice(sid);
    k
}

/// A form row read back: its hash and what it stands for (`None` for a damaged row, which
/// is skipped: a memory only ever adds detections).
pub(super) fn read_form(key: &[u8], value: &[u8]) -> Option<(u64, Remembered)> {
    let hash: [u8; 8] = key.get(SUBJECT_ID_LEN..)?.try_into().ok()?;
    Some((u64::from_be_bytes(hash), Remembered::decode(value)?))
}

/// A subject id read back from a row.
pub(super) fn read_sid(b: &[u8]) -> Option<SubjectId> {
    b.try_into().ok()
}

/// The subject ids of a document's patient keys, each once, in order.
pub(super) fn subject_ids(index: &IndexKey, patients: &[&str]) -> Vec<SubjectId> {
    let mut out: Vec<SubjectId> = Vec::with_capacity(patients.len());
    for sid in patients.iter().filter_map(|p| index.subject_id(p)) {
        if !out.contains(&sid) {
            out.push(sid);
        }
    }
    out
}

/// Which memory a document's keys reach, from each key's link (`None`: not linked): the
/// first linked memory, else a new one under the first key; and the keys to link to it.
pub(super) fn resolve(
    sids: &[SubjectId],
    links: &[Option<SubjectId>],
) -> Option<(SubjectId, bool, Vec<SubjectId>)> {
    let found = links.iter().flatten().next().copied();
    let id = found.or_else(|| sids.first().copied())?;
    let unlinked = sids
        .iter()
        .zip(links)
        .filter(|(_, l)| l.is_none())
        .map(|(s, _)| *s)
        .collect();
    Some((id, found.is_some(), unlinked))
}

/// The memory a payload uses.
pub(super) fn memory(
    index: &IndexKey,
    id: SubjectId,
    forms: FxHashMap<u64, Remembered>,
    unlinked: Vec<SubjectId>,
) -> Memory {
    Memory::new(id, index.memory_key(&id), forms, unlinked)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_linked_memory_wins_and_unlinked_keys_are_listed() {
        let (a, b, c) = ([1u8; 16], [2u8; 16], [3u8; 16]);
        assert_eq!(
            resolve(&[a, b], &[None, None]),
            Some((a, false, vec![a, b]))
        );
        assert_eq!(resolve(&[a, b], &[None, Some(c)]), Some((c, true, vec![a])));
        assert_eq!(resolve(&[], &[]), None);
        let k = form_key(&a, 0x0102);
        assert_eq!(
            read_form(&k, &[0, 1]).map(|(h, _)| h),
            Some(0x0102),
            "a row's hash reads back"
        );
        assert_eq!(&back_link(&a, &b)[16..], &b);
    }
}
