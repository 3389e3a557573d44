//! The patient memory's rows ([`crate::memory`]), as both backends keep them.
//!
//! Owns the row layout and the steps both backends share: a memory is named by the subject
//! id of the patient key it was first recorded under (its id); its forms are rows
//! `id ‖ hash (8, BE)` → `type ‖ level`. The sled vault packs the forms one document adds
//! into one such row, the first form's, whose value carries the others after it as
//! `hash (8, BE) ‖ type ‖ level` each ([`pack`], [`append_row`]): one B-tree write per
//! document instead of one per form, which was about a tenth of a new patient's webhook.
//! Every patient key that reaches it (a FHIR
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
use crate::memory::{Memory, Remembered, ENTRY_LEN};

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

/// Length of a form packed after a row's first ([`pack`]): its hash, then its entry.
const PACKED_LEN: usize = 8 + ENTRY_LEN;

/// The forms of a row read back, each as its hash and what it stands for: the row's own
/// (hash in the key), then any packed after it. A damaged form is skipped: a memory only
/// ever adds detections.
pub(super) fn read_forms(key: &[u8], value: &[u8]) -> Vec<(u64, Remembered)> {
    let (first, packed) = value.split_at(value.len().min(ENTRY_LEN));
    let own = key
        .get(SUBJECT_ID_LEN..)
        .and_then(|h| <[u8; 8]>::try_from(h).ok())
        .zip(Remembered::decode(first))
        .map(|(hash, r)| (u64::from_be_bytes(hash), r));
    let rest = packed.chunks_exact(PACKED_LEN).filter_map(|c| {
        let (hash, entry) = c.split_at(8);
        let hash = u64::from_be_bytes(hash.try_into().ok()?);
        Some((hash, Remembered::decode(entry)?))
    });
    own.into_iter().chain(rest).collect()
}

/// How many forms a row holds (what PostgreSQL, one row a form, would count).
pub(super) fn forms_in(value: &[u8]) -> usize {
    1 + value.len().saturating_sub(ENTRY_LEN) / PACKED_LEN
}

/// One row holding `new` forms of memory `id` (`None` for none): keyed by the first, the
/// others packed after its entry.
pub(super) fn pack(
    id: &SubjectId,
    new: &[(u64, Remembered)],
) -> Option<([u8; FORM_KEY_LEN], Vec<u8>)> {
    let ((hash, first), rest) = new.split_first()?;
    let mut value = Vec::with_capacity(ENTRY_LEN + rest.len() * PACKED_LEN);
    value.extend_from_slice(&first.encode());
    for (h, r) in rest {
        value.extend_from_slice(&h.to_be_bytes());
        value.extend_from_slice(&r.encode());
    }
    Some((form_key(id, *hash), value))
}

/// Row `key`'s value once `value` ([`pack`]) is written under it: `value` itself if the
/// row is new, else the old forms with the new ones after them. Two documents of one
/// patient can pick the same first new form at once; appending keeps both documents' forms
/// where a plain insert would drop the earlier's.
pub(super) fn append_row(old: Option<&[u8]>, key: &[u8], value: &[u8]) -> Vec<u8> {
    let Some(old) = old else {
        return value.to_vec();
    };
    let hash = key.get(SUBJECT_ID_LEN..).unwrap_or_default();
    [old, hash, value].concat()
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
            read_forms(&k, &[0, 1]).first().map(|(h, _)| *h),
            Some(0x0102),
            "a row's hash reads back"
        );
        assert_eq!(&back_link(&a, &b)[16..], &b);
    }

    #[test]
    fn packed_forms_read_back_and_count_as_rows_would() {
        use crate::memory::Level;
        use crate::phi::PhiType;
        let id = [7u8; 16];
        let r = |ty, level| Remembered { ty, level };
        let new = [
            (0x0a, r(PhiType::Name, Level::Strong)),
            (0x0b, r(PhiType::Name, Level::Part)),
            (u64::MAX, r(PhiType::Phone, Level::Cased)),
        ];
        let (key, value) = pack(&id, &new).expect("a row");
        assert_eq!(read_forms(&key, &value), new.to_vec());
        assert_eq!(forms_in(&value), 3);
        let (key, value) = pack(&id, &new[..1]).expect("a row");
        assert_eq!(
            value.len(),
            ENTRY_LEN,
            "one form is the one-form row of old"
        );
        assert_eq!(forms_in(&value), 1);
        assert_eq!(read_forms(&key, &value), new[..1].to_vec());
        assert!(pack(&id, &[]).is_none());
        let (k1, v1) = pack(&id, &new[..2]).expect("a row");
        let again = [(0x0a, r(PhiType::Phone, Level::Part)), new[2]];
        let (k2, v2) = pack(&id, &again).expect("a row");
        assert_eq!(k1, k2, "both documents' first new form is 0x0a");
        assert_eq!(
            append_row(None, &k2, &v2),
            v2,
            "a new row is the packed row"
        );
        let both = append_row(Some(&v1), &k2, &v2);
        assert_eq!(
            read_forms(&k1, &both),
            [&new[..2], &again[..]].concat(),
            "a second write to one key keeps the first's forms"
        );
        assert_eq!(forms_in(&both), 4);
        let mut torn = pack(&id, &new).expect("a row").1;
        torn.truncate(torn.len() - 3);
        assert_eq!(
            read_forms(&key, &torn),
            new[..2].to_vec(),
            "a torn form is skipped"
        );
    }
}
