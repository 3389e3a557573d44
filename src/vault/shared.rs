//! Shared values: a value that several holders' documents hold (a clinician named in every
//! patient's note) is sealed once, under its own random data key, and each holder gets one
//! small row holding that data key wrapped for them.
//!
//! Owns the shared record, the holding rows and their keys, and the one way a data key is
//! wrapped and unwrapped. A new holder appends a row; the record is never rewritten, so a
//! value named in every note costs one row per patient, not a record that grows with each
//! (the quadratic growth of issue 15). A value with a single holder keeps the one-copy
//! record of [`super::record`]; the second holder converts it (once) into a shared record
//! with a row for each holder — the same step migrates an older vault's multi-copy records
//! lazily, the first time a new holder arrives.
//!
//! Forgetting a patient deletes their rows (their data-key wraps) and destroys their subject
//! key; a record whose last row goes is deleted with it. A value another patient still holds
//! keeps its record and that patient's row.
//!
//! ```text
//! shared record (first byte 3): 3 | nonce (12) | AES-256-GCM(type ‖ 0 ‖ value) under the
//!                                data key, AAD: "phigate shared value" ‖ token
//! holding key:   token ‖ 0              (documents without a patient: the vault-wide key)
//!                token ‖ 0 ‖ subject id (a patient's documents)
//! holding row:   0 | key id (4)  | nonce (12) | AES-256-GCM(data key) (48)   vault-wide
//!                1 | key tag (8) | nonce (12) | AES-256-GCM(data key) (48)   subject key
//!                AAD: "phigate value key" ‖ token ‖ 0 ‖ [subject id ‖ key tag]
//! ```

use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use ring::rand::{SecureRandom, SystemRandom};
use zeroize::Zeroizing;

use super::keyring::Keys;
use super::record::{Holder, KEY_TAG_LEN, SUBJECT_ID_LEN};
use super::seal::{parse_plain, plain, Sealer};
use super::VaultError;
use crate::keys::KEY_LEN;
use crate::phi::PhiType;
use crate::transform::token::Revealed;

/// First byte of a shared record.
pub const SHARED: u8 = 3;
const VALUE_AAD: &[u8] = b"phigate shared value";
const KEY_AAD: &[u8] = b"phigate value key";
const WRAPPED_LEN: usize = KEY_LEN + 16;

/// A shared value's data key.
pub struct ValueKey(Zeroizing<[u8; KEY_LEN]>);

impl ValueKey {
    /// A fresh random data key.
    pub fn generate(rng: &SystemRandom) -> Result<ValueKey, VaultError> {
        let mut k = Zeroizing::new([0u8; KEY_LEN]);
        rng.fill(&mut k[..]).map_err(|_| VaultError::Random)?;
        Ok(ValueKey(k))
    }

    fn aead(&self) -> Result<LessSafeKey, VaultError> {
        let unbound = UnboundKey::new(&AES_256_GCM, &self.0[..]).map_err(|_| VaultError::Random)?;
        Ok(LessSafeKey::new(unbound))
    }
}

/// Whether a stored record is a shared record.
pub fn is_shared(record: &[u8]) -> bool {
    record.first() == Some(&SHARED)
}

/// The holding key of `holder` for `token`.
pub fn holding_key(token: &[u8], holder: Holder) -> Vec<u8> {
    let mut k = Vec::with_capacity(token.len() + 1 + SUBJECT_ID_LEN);
    k.extend_from_slice(token);
    k.push(0);
    if let Holder::Subject(sid) = holder {
        k.extend_from_slice(&sid);
    }
    k
}

/// The prefix of every holding key of `token`.
pub fn holdings_prefix(token: &[u8]) -> Vec<u8> {
    let mut k = token.to_vec();
    k.push(0);
    k
}

/// The token and holder a holding key names; `None` if it is malformed.
pub fn parse_holding_key(key: &[u8]) -> Option<(&[u8], Holder)> {
    let split = key.iter().position(|&b| b == 0)?;
    let (token, rest) = (&key[..split], &key[split + 1..]);
    match rest.len() {
        0 => Some((token, Holder::Vault)),
        SUBJECT_ID_LEN => Some((token, Holder::Subject(rest.try_into().ok()?))),
        _ => None,
    }
}

/// The value sealed once under its data key: the shared record.
pub fn seal_value(
    vk: &ValueKey,
    token: &str,
    ty: PhiType,
    value: &str,
) -> Result<Vec<u8>, VaultError> {
    let mut nonce = [0u8; NONCE_LEN];
    SystemRandom::new()
        .fill(&mut nonce)
        .map_err(|_| VaultError::Random)?;
    let mut sealed = plain(ty, value);
    vk.aead()?
        .seal_in_place_append_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from([VALUE_AAD, token.as_bytes()].concat()),
            &mut sealed,
        )
        .map_err(|_| VaultError::Random)?;
    let mut out = Vec::with_capacity(1 + NONCE_LEN + sealed.len());
    out.push(SHARED);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&sealed);
    Ok(out)
}

/// The value of a shared record.
pub fn open_value(vk: &ValueKey, token: &[u8], record: &[u8]) -> Result<Revealed, VaultError> {
    if !is_shared(record) || record.len() < 1 + NONCE_LEN + 16 {
        return Err(VaultError::Corrupt);
    }
    let mut nonce = [0u8; NONCE_LEN];
    nonce.copy_from_slice(&record[1..1 + NONCE_LEN]);
    let mut buf = record[1 + NONCE_LEN..].to_vec();
    let len = vk
        .aead()?
        .open_in_place(
            Nonce::assume_unique_for_key(nonce),
            Aad::from([VALUE_AAD, token].concat()),
            &mut buf,
        )
        .map_err(|_| VaultError::Corrupt)?
        .len();
    buf.truncate(len);
    parse_plain(buf)
}

fn key_aad(token: &[u8], holder: Holder, tag: Option<&[u8; KEY_TAG_LEN]>) -> Vec<u8> {
    let mut a = [KEY_AAD, token, b"\0"].concat();
    if let (Holder::Subject(sid), Some(tag)) = (holder, tag) {
        a.extend_from_slice(&sid);
        a.extend_from_slice(tag);
    }
    a
}

/// The data key wrapped for `holder`: under the newest vault-wide key, or the holder's
/// subject key (which must be in `keys`).
pub fn wrap_for(
    sealer: &Sealer,
    keys: &Keys,
    token: &[u8],
    holder: Holder,
    vk: &ValueKey,
) -> Result<Vec<u8>, VaultError> {
    wrap_under(sealer, keys, token, holder, vk, None)
}

/// [`wrap_for`], a vault-wide holder's row under key id `id` (`None`: the newest).
pub fn wrap_under(
    sealer: &Sealer,
    keys: &Keys,
    token: &[u8],
    holder: Holder,
    vk: &ValueKey,
    id: Option<u32>,
) -> Result<Vec<u8>, VaultError> {
    let mut nonce = [0u8; NONCE_LEN];
    SystemRandom::new()
        .fill(&mut nonce)
        .map_err(|_| VaultError::Random)?;
    let (mut row, key, aad) = match holder {
        Holder::Vault => {
            let (id, key) = sealer.vault_key(id)?;
            let mut row = vec![0u8];
            row.extend_from_slice(&id.to_be_bytes());
            (row, key, key_aad(token, holder, None))
        }
        Holder::Subject(sid) => {
            let k = keys.get(&sid).ok_or(VaultError::UnknownSubject)?;
            let mut row = vec![1u8];
            row.extend_from_slice(&k.tag);
            (row, k.aead()?, key_aad(token, holder, Some(&k.tag)))
        }
    };
    let mut sealed = vk.0.to_vec();
    key.seal_in_place_append_tag(
        Nonce::assume_unique_for_key(nonce),
        Aad::from(aad),
        &mut sealed,
    )
    .map_err(|_| VaultError::Random)?;
    row.extend_from_slice(&nonce);
    row.extend_from_slice(&sealed);
    Ok(row)
}

/// The vault-wide key id a holding row is wrapped under (`None` for a subject's row).
pub fn row_key_id(row: &[u8]) -> Option<u32> {
    match row {
        [0, a, b, c, d, ..] => Some(u32::from_be_bytes([*a, *b, *c, *d])),
        _ => None,
    }
}

/// The data key a holding row wraps for `holder`.
pub fn unwrap_row(
    sealer: &Sealer,
    keys: &Keys,
    token: &[u8],
    holder: Holder,
    row: &[u8],
) -> Result<ValueKey, VaultError> {
    let (head, key, aad) = match (row.first(), holder) {
        (Some(0), Holder::Vault) => {
            let id = row_key_id(row).ok_or(VaultError::Corrupt)?;
            let (_, key) = sealer.vault_key(Some(id))?;
            (5, key, key_aad(token, holder, None))
        }
        (Some(1), Holder::Subject(sid)) => {
            let tag: [u8; KEY_TAG_LEN] = row
                .get(1..1 + KEY_TAG_LEN)
                .and_then(|t| t.try_into().ok())
                .ok_or(VaultError::Corrupt)?;
            let k = keys
                .get(&sid)
                .filter(|k| k.tag == tag)
                .ok_or(VaultError::Corrupt)?;
            (
                1 + KEY_TAG_LEN,
                k.aead()?,
                key_aad(token, holder, Some(&tag)),
            )
        }
        _ => return Err(VaultError::Corrupt),
    };
    if row.len() != head + NONCE_LEN + WRAPPED_LEN {
        return Err(VaultError::Corrupt);
    }
    let mut nonce = [0u8; NONCE_LEN];
    nonce.copy_from_slice(&row[head..head + NONCE_LEN]);
    let mut buf = Zeroizing::new(row[head + NONCE_LEN..].to_vec());
    let plain = key
        .open_in_place(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(aad),
            &mut buf,
        )
        .map_err(|_| VaultError::Corrupt)?;
    let bytes: [u8; KEY_LEN] = (&*plain).try_into().map_err(|_| VaultError::Corrupt)?;
    Ok(ValueKey(Zeroizing::new(bytes)))
}

/// The data key from the first of `rows` (holder, row) that unwraps.
pub fn unwrap_any<'a>(
    sealer: &Sealer,
    keys: &Keys,
    token: &[u8],
    rows: impl IntoIterator<Item = (Holder, &'a [u8])>,
) -> Result<ValueKey, VaultError> {
    let mut failure = VaultError::Corrupt;
    for (holder, row) in rows {
        match unwrap_row(sealer, keys, token, holder, row) {
            Ok(vk) => return Ok(vk),
            Err(e) => failure = e,
        }
    }
    Err(failure)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::MasterKey;
    use crate::vault::keychain::KeyChain;
    use crate::vault::keyring::new_subject_key;

    #[test]
    fn a_value_sealed_once_opens_for_each_holder_and_for_no_one_else() {
        let rng = SystemRandom::new();
        let sealer =
            Sealer::new(&KeyChain::new(&MasterKey::from_bytes([5; 32]), 0), 1).expect("sealer");
        let (a, b) = ([1u8; SUBJECT_ID_LEN], [2u8; SUBJECT_ID_LEN]);
        let mut keys = Keys::new();
        keys.insert(a, new_subject_key(&rng).expect("a"));
        keys.insert(b, new_subject_key(&rng).expect("b"));
        let vk = ValueKey::generate(&rng).expect("vk");
        let token = b"NAME_abc";
        let rec = seal_value(&vk, "NAME_abc", PhiType::ProviderName, "Dr Rho").expect("seal");
        assert!(is_shared(&rec));
        for h in [Holder::Vault, Holder::Subject(a), Holder::Subject(b)] {
            let row = wrap_for(&sealer, &keys, token, h, &vk).expect("wrap");
            let back = unwrap_row(&sealer, &keys, token, h, &row).expect("unwrap");
            assert_eq!(
                open_value(&back, token, &rec).expect("open").value,
                "Dr Rho"
            );
            assert!(unwrap_row(&sealer, &keys, b"NAME_other", h, &row).is_err());
            let key = holding_key(token, h);
            assert_eq!(parse_holding_key(&key), Some((&token[..], h)));
        }
        let row_a = wrap_for(&sealer, &keys, token, Holder::Subject(a), &vk).expect("wrap");
        assert!(unwrap_row(&sealer, &keys, token, Holder::Subject(b), &row_a).is_err());
        keys.remove(&a);
        assert!(unwrap_row(&sealer, &keys, token, Holder::Subject(a), &row_a).is_err());
        assert!(open_value(&vk, b"NAME_other", &rec).is_err());
    }
}
