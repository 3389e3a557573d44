//! Sealing values: AES-256-GCM copies of a value under the vault-wide value keys or a
//! patient's subject key.
//!
//! Owns the value-encryption keys by id (id 1 is the original key; rotation adds 2, 3, …,
//! each derived from the master key that [`KeyChain`] names for it), and the one way a copy is
//! sealed and opened: `type ‖ 0 ‖ value` under a fresh random nonce, with the token (and for a
//! subject copy the subject and key tag, see [`KeyRef::aad`]) as associated data. Both
//! backends (sled and PostgreSQL) seal through a [`Sealer`], so either opens the other's
//! records.

use std::sync::RwLock;

use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use ring::rand::{SecureRandom, SystemRandom};

use super::keychain::KeyChain;
use super::keyring::Keys;
use super::record::{Holder, KeyRef, Sealed};
use super::VaultError;
use crate::keys::{MasterKey, Purpose};
use crate::phi::PhiType;
use crate::transform::token::Revealed;

/// Identifies the value-encryption key a ciphertext was made with (rotation adds ids).
pub(super) const KEY_ID: u32 = 1;

/// The value-encryption keys of one vault and the random source for nonces.
pub(super) struct Sealer {
    /// Keys by id; the last is used for new copies.
    keys: RwLock<Vec<(u32, LessSafeKey)>>,
    rng: SystemRandom,
}

impl Sealer {
    /// The keys of ids 1 to `active` that `chain` still derives (a rotation retires the
    /// ids below its new one).
    pub(super) fn new(chain: &KeyChain, active: u32) -> Result<Sealer, VaultError> {
        let keys = (KEY_ID..=active)
            .filter_map(|id| {
                chain
                    .master_for(id)
                    .map(|m| value_key(m, id).map(|k| (id, k)))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Sealer {
            keys: RwLock::new(keys),
            rng: SystemRandom::new(),
        })
    }

    /// The id new vault-wide copies are sealed under.
    pub(super) fn active_id(&self) -> Result<u32, VaultError> {
        let keys = self.keys.read().map_err(|_| key_lock_poisoned())?;
        Ok(keys.last().map_or(KEY_ID, |(id, _)| *id))
    }

    /// The vault-wide key of `id` (`None`: the newest) and its id.
    pub(super) fn vault_key(&self, id: Option<u32>) -> Result<(u32, LessSafeKey), VaultError> {
        let keys = self.keys.read().map_err(|_| key_lock_poisoned())?;
        let found = match id {
            None => keys.last(),
            Some(id) => keys.iter().find(|(k, _)| *k == id),
        };
        found.cloned().ok_or(VaultError::Corrupt)
    }

    /// Adds the next key id and makes it active (rotation); returns it.
    pub(super) fn add_next(&self, chain: &KeyChain) -> Result<u32, VaultError> {
        let mut keys = self.keys.write().map_err(|_| key_lock_poisoned())?;
        let id = keys.last().map_or(KEY_ID, |(id, _)| id + 1);
        let master = chain.master_for(id).ok_or(VaultError::Corrupt)?;
        keys.push((id, value_key(master, id)?));
        Ok(id)
    }

    /// Makes every id up to `id` usable and `id` active (after an import).
    pub(super) fn activate(&self, chain: &KeyChain, id: u32) -> Result<(), VaultError> {
        let mut keys = self.keys.write().map_err(|_| key_lock_poisoned())?;
        while keys.last().map_or(0, |(k, _)| *k) < id {
            let next = keys.last().map_or(KEY_ID, |(k, _)| k + 1);
            let master = chain.master_for(next).ok_or(VaultError::Corrupt)?;
            keys.push((next, value_key(master, next)?));
        }
        Ok(())
    }

    /// Seals one copy of a value for `holder` (the vault-wide key's newest id, or the
    /// subject's key, which must be in `keys`).
    pub(super) fn seal(
        &self,
        token: &str,
        holder: Holder,
        ty: PhiType,
        value: &str,
        keys: &Keys,
    ) -> Result<Sealed, VaultError> {
        let mut nonce = [0u8; NONCE_LEN];
        self.rng.fill(&mut nonce).map_err(|_| VaultError::Random)?;
        let plain = plain(ty, value);
        match holder {
            Holder::Vault => {
                let vk = self.keys.read().map_err(|_| key_lock_poisoned())?;
                let (id, key) = vk.last().ok_or(VaultError::Corrupt)?;
                seal_with(key, KeyRef::Vault(*id), nonce, token, plain)
            }
            Holder::Subject(sid) => {
                let k = keys.get(&sid).ok_or(VaultError::UnknownSubject)?;
                seal_with(&k.aead()?, KeyRef::Subject(sid, k.tag), nonce, token, plain)
            }
        }
    }

    /// Opens one copy. A subject copy whose key is missing (or was made under another key
    /// tag) is an error like any other damage: forgotten copies are removed, not left.
    pub(super) fn open(
        &self,
        token: &[u8],
        copy: &Sealed,
        keys: &Keys,
    ) -> Result<Revealed, VaultError> {
        let aad = Aad::from(copy.key.aad(token));
        let mut buf = copy.sealed.clone();
        let nonce = Nonce::assume_unique_for_key(copy.nonce);
        let len = match copy.key {
            KeyRef::Vault(id) => {
                let vk = self.keys.read().map_err(|_| key_lock_poisoned())?;
                let (_, key) = vk
                    .iter()
                    .find(|(k, _)| *k == id)
                    .ok_or(VaultError::Corrupt)?;
                key.open_in_place(nonce, aad, &mut buf)
                    .map_err(|_| VaultError::Corrupt)?
                    .len()
            }
            KeyRef::Subject(sid, tag) => {
                let k = keys
                    .get(&sid)
                    .filter(|k| k.tag == tag)
                    .ok_or(VaultError::Corrupt)?;
                k.aead()?
                    .open_in_place(nonce, aad, &mut buf)
                    .map_err(|_| VaultError::Corrupt)?
                    .len()
            }
        };
        buf.truncate(len);
        parse_plain(buf)
    }

    /// The value of a record: its vault-wide copy if it has one, else the first patient's
    /// copy that opens.
    pub(super) fn open_any(
        &self,
        token: &[u8],
        copies: &[Sealed],
        keys: &Keys,
    ) -> Result<Revealed, VaultError> {
        let mut failure = VaultError::Corrupt;
        let ordered = copies
            .iter()
            .filter(|c| c.key.holder() == Holder::Vault)
            .chain(copies.iter().filter(|c| c.key.holder() != Holder::Vault));
        for c in ordered {
            match self.open(token, c, keys) {
                Ok(r) => return Ok(r),
                Err(e) => failure = e,
            }
        }
        Err(failure)
    }

    /// Opens every copy of a record (`verify`): any copy that does not open is an error.
    pub(super) fn open_all(
        &self,
        token: &[u8],
        copies: &[Sealed],
        keys: &Keys,
    ) -> Result<(), VaultError> {
        for c in copies {
            self.open(token, c, keys)?;
        }
        Ok(())
    }
}

/// Whether a record's value is the value being minted: the same type and the same token
/// input. If not, two values share a token (a collision) and the next attempt derives
/// another, the same way in every backend.
pub(super) fn same_value(held: &Revealed, ty: PhiType, norm: &str, exact: bool) -> bool {
    held.ty == ty && crate::transform::token::token_input(held.ty, &held.value, exact) == norm
}

/// The value-encryption key with id `id` (id 1 is the original key; rotation adds 2, 3, …).
fn value_key(master: &MasterKey, id: u32) -> Result<LessSafeKey, VaultError> {
    let domain = if id == KEY_ID {
        String::new()
    } else {
        format!("key-{id}")
    };
    let k = master.derive(Purpose::Encryption, &domain);
    let unbound = UnboundKey::new(&AES_256_GCM, k.as_bytes()).map_err(|_| VaultError::Random)?;
    Ok(LessSafeKey::new(unbound))
}

fn seal_with(
    key: &LessSafeKey,
    key_ref: KeyRef,
    nonce: [u8; NONCE_LEN],
    token: &str,
    mut sealed: Vec<u8>,
) -> Result<Sealed, VaultError> {
    key.seal_in_place_append_tag(
        Nonce::assume_unique_for_key(nonce),
        Aad::from(key_ref.aad(token.as_bytes())),
        &mut sealed,
    )
    .map_err(|_| VaultError::Corrupt)?;
    Ok(Sealed {
        key: key_ref,
        nonce,
        sealed,
    })
}

/// `type ‖ 0 ‖ value`, with room for the tag.
pub(super) fn plain(ty: PhiType, value: &str) -> Vec<u8> {
    let mut plain = Vec::with_capacity(ty.as_str().len() + 1 + value.len() + 16);
    plain.extend_from_slice(ty.as_str().as_bytes());
    plain.push(0);
    plain.extend_from_slice(value.as_bytes());
    plain
}

/// `type ‖ 0 ‖ value` back into its parts.
pub(super) fn parse_plain(mut plain: Vec<u8>) -> Result<Revealed, VaultError> {
    let split = plain
        .iter()
        .position(|&b| b == 0)
        .ok_or(VaultError::Corrupt)?;
    let ty = std::str::from_utf8(&plain[..split])
        .ok()
        .and_then(|t| t.parse().ok())
        .ok_or(VaultError::Corrupt)?;
    let value = String::from_utf8(plain.split_off(split + 1)).map_err(|_| VaultError::Corrupt)?;
    Ok(Revealed { ty, value })
}

fn key_lock_poisoned() -> VaultError {
    VaultError::Storage("key lock poisoned".into())
}
