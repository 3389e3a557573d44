//! Record encoding: the sealed copies of one token's value (a value with a single holder,
//! and records written before shared values).
//!
//! A token's record holds one sealed copy of its value per holder: at most one under the
//! vault-wide value key (documents without a patient), and one under each patient's subject
//! key whose documents held the value. Forgetting a patient removes that patient's copies; a
//! record with no copy left is removed. Every copy is sealed with AES-256-GCM (fresh random
//! nonce) over `type ‖ 0 ‖ value`.
//!
//! ```text
//! v1 (a lone vault-wide copy, as phigate-vault-v1 wrote it; first byte 0):
//!   key id (4, BE, < 2^24) | nonce (12) | sealed                      AAD: token
//! v2 (first byte 2), one or more copies:
//!   2 | copy…
//!   copy, vault-wide: 0 | key id (4) | nonce (12) | len (4) | sealed AAD: token
//!   copy, subject:    1 | subject id (16) | key tag (8) | nonce (12) | len (4) | sealed
//!                                               AAD: token | 0 | subject id | key tag
//! ```
//!
//! A lone vault-wide copy is always written in the v1 form, so a vault without patients
//! is byte-compatible with v1, and v1 records need no migration.
//!
//! A value's second holder turns its record into a shared record ([`super::shared`], first
//! byte 3): sealed once, a holding row per holder. Records with several copies, as earlier
//! versions wrote them, still open, and are converted the same way (once) when their next
//! holder arrives.

use ring::aead::NONCE_LEN;

/// Length of a subject id: a truncated HMAC of the patient key under the index key.
pub const SUBJECT_ID_LEN: usize = 16;
/// Length of a subject key's tag: random per key, so a key made for the same patient after
/// a forget is never confused with the destroyed one.
pub const KEY_TAG_LEN: usize = 8;
const TAG_LEN: usize = 16;

/// A patient (subject) of the vault, as a keyed hash: never the patient key itself.
pub type SubjectId = [u8; SUBJECT_ID_LEN];

/// Whose copy a sealed value is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Holder {
    /// Documents without a patient key: the vault-wide value key.
    Vault,
    Subject(SubjectId),
}

/// Which key sealed a copy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyRef {
    /// The vault-wide value key with this id (rotation adds ids).
    Vault(u32),
    /// A subject key: the subject and the key's tag.
    Subject(SubjectId, [u8; KEY_TAG_LEN]),
}

impl KeyRef {
    pub fn holder(&self) -> Holder {
        match self {
            KeyRef::Vault(_) => Holder::Vault,
            KeyRef::Subject(sid, _) => Holder::Subject(*sid),
        }
    }

    /// The associated data a copy is sealed with: the token, and for subject copies the
    /// subject and key tag (a copy cannot be moved to another token or subject).
    pub fn aad(&self, token: &[u8]) -> Vec<u8> {
        let mut a = Vec::with_capacity(token.len() + 1 + SUBJECT_ID_LEN + KEY_TAG_LEN);
        a.extend_from_slice(token);
        if let KeyRef::Subject(sid, tag) = self {
            a.push(0);
            a.extend_from_slice(sid);
            a.extend_from_slice(tag);
        }
        a
    }
}

/// A stored record's copies; anything that does not decode is damage.
pub fn copies(held: &[u8]) -> Result<Vec<Sealed>, super::VaultError> {
    decode(held).ok_or(super::VaultError::Corrupt)
}

/// The copies left once `holder`'s are removed, or `None` if it held none (nothing to
/// change). An empty result means the record goes.
pub fn without(copies: &[Sealed], holder: Holder) -> Option<Vec<Sealed>> {
    let left: Vec<Sealed> = copies
        .iter()
        .filter(|c| c.key.holder() != holder)
        .cloned()
        .collect();
    (left.len() < copies.len()).then_some(left)
}

/// Whether `holder` already has a copy among `copies`.
pub fn held_by(copies: &[Sealed], holder: Holder) -> bool {
    copies.iter().any(|c| c.key.holder() == holder)
}

/// The record of a value with a single copy (a new token).
pub fn encode_one(copy: &Sealed) -> Vec<u8> {
    encode(std::slice::from_ref(copy))
}

/// One sealed copy of a value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sealed {
    pub key: KeyRef,
    pub nonce: [u8; NONCE_LEN],
    /// Ciphertext and tag.
    pub sealed: Vec<u8>,
}

/// Encodes a record (the copies must be non-empty, one per holder).
pub fn encode(copies: &[Sealed]) -> Vec<u8> {
    if let [Sealed {
        key: KeyRef::Vault(id),
        nonce,
        sealed,
    }] = copies
    {
        if *id < 1 << 24 {
            let mut out = Vec::with_capacity(4 + NONCE_LEN + sealed.len());
            out.extend_from_slice(&id.to_be_bytes());
            out.extend_from_slice(nonce);
            out.extend_from_slice(sealed);
            return out;
        }
    }
    let mut out = vec![2u8];
    for c in copies {
        match c.key {
            KeyRef::Vault(id) => {
                out.push(0);
                out.extend_from_slice(&id.to_be_bytes());
            }
            KeyRef::Subject(sid, tag) => {
                out.push(1);
                out.extend_from_slice(&sid);
                out.extend_from_slice(&tag);
            }
        }
        out.extend_from_slice(&c.nonce);
        let len = u32::try_from(c.sealed.len()).unwrap_or(u32::MAX);
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(&c.sealed);
    }
    out
}

/// Decodes a record; `None` if it is malformed (corruption).
pub fn decode(record: &[u8]) -> Option<Vec<Sealed>> {
    fn take<'a>(b: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
        let head = b.get(..n)?;
        *b = &b[n..];
        Some(head)
    }
    fn nonce(b: &mut &[u8]) -> Option<[u8; NONCE_LEN]> {
        take(b, NONCE_LEN)?.try_into().ok()
    }
    fn be32(b: &mut &[u8]) -> Option<u32> {
        Some(u32::from_be_bytes(take(b, 4)?.try_into().ok()?))
    }
    match *record.first()? {
        0 => {
            let mut b = record;
            let id = be32(&mut b)?;
            let nonce = nonce(&mut b)?;
            (b.len() >= TAG_LEN).then(|| {
                vec![Sealed {
                    key: KeyRef::Vault(id),
                    nonce,
                    sealed: b.to_vec(),
                }]
            })
        }
        2 => {
            let mut b = &record[1..];
            let mut out: Vec<Sealed> = Vec::new();
            while !b.is_empty() {
                let key = match take(&mut b, 1)?[0] {
                    0 => KeyRef::Vault(be32(&mut b)?),
                    1 => {
                        let sid = take(&mut b, SUBJECT_ID_LEN)?.try_into().ok()?;
                        let tag = take(&mut b, KEY_TAG_LEN)?.try_into().ok()?;
                        KeyRef::Subject(sid, tag)
                    }
                    _ => return None,
                };
                let nonce = nonce(&mut b)?;
                let len = usize::try_from(be32(&mut b)?).ok()?;
                if len < TAG_LEN {
                    return None;
                }
                let sealed = take(&mut b, len)?.to_vec();
                // One copy per holder.
                if out.iter().any(|c| c.key.holder() == key.holder()) {
                    return None;
                }
                out.push(Sealed { key, nonce, sealed });
            }
            (!out.is_empty()).then_some(out)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn copy(key: KeyRef, fill: u8) -> Sealed {
        Sealed {
            key,
            nonce: [fill; NONCE_LEN],
            sealed: vec![fill; 20],
        }
    }

    #[test]
    fn lone_vault_copies_keep_the_v1_form_and_others_round_trip() {
        let v = copy(KeyRef::Vault(3), 1);
        let one = encode(std::slice::from_ref(&v));
        assert_eq!(&one[..4], &3u32.to_be_bytes());
        assert_eq!(one.len(), 4 + NONCE_LEN + 20);
        assert_eq!(decode(&one).expect("v1"), vec![v.clone()]);
        let s = copy(KeyRef::Subject([7; SUBJECT_ID_LEN], [9; KEY_TAG_LEN]), 2);
        let t = copy(KeyRef::Subject([8; SUBJECT_ID_LEN], [9; KEY_TAG_LEN]), 3);
        for copies in [vec![s.clone()], vec![v.clone(), s.clone(), t.clone()]] {
            let rec = encode(&copies);
            assert_eq!(rec[0], 2);
            assert_eq!(decode(&rec).expect("v2"), copies);
        }
        // Truncated, duplicated holders, unknown kinds and empty records are refused.
        let rec = encode(&[v.clone(), s.clone()]);
        assert!(decode(&rec[..rec.len() - 1]).is_none());
        assert!(decode(&encode(&[s.clone(), s])).is_none());
        assert!(decode(&[2]).is_none());
        assert!(decode(&[5, 0, 0]).is_none());
        assert!(decode(&[]).is_none());
    }
}
