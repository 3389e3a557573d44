//! The vault's two key roots, kept apart so that the master key can be replaced without
//! changing a single token.
//!
//! - The **master key of the moment** (the key file): the value-encryption keys and the
//!   key-wrapping keys of patients' and values' data keys, by key id. [`KeyChain`] answers
//!   which master derives which id: one master for every id, except while a rotation is
//!   under way, when ids from the new one up belong to the new master and the older ids to
//!   the old master. After a rotation the ids below the new one are gone (nothing is left
//!   under them: that is what the rotation re-wrapped), so the old key file opens nothing.
//! - The **token root**: what tokens, look-up keys, subject ids and date shifts derive from.
//!   A vault stores it wrapped under its master key (`tokenroot` in its metadata); a vault
//!   made before there was one, or a new vault, takes its master key as the root, so every
//!   token stays what it was. A rotation re-wraps the root under the new master: the
//!   outside keeps its record IDs, and replicas given the new key mint the same tokens.
//!
//! Limit: whoever held the old master key can still compute tokens for guessed values (the
//! root is the key they held); rotation takes away the values, not the tokens.
//!
//! ```text
//! wrapped token root: nonce (12) | AES-256-GCM(root) (48)   AAD: "phigate token root"
//!   under HKDF(master, value-encryption purpose, domain "token-root-wrap")
//! ```

use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use ring::rand::{SecureRandom, SystemRandom};
use zeroize::Zeroizing;

use super::VaultError;
use crate::keys::{MasterKey, Purpose, KEY_LEN};

const ROOT_AAD: &[u8] = b"phigate token root";
/// Length of a wrapped token root.
pub const WRAPPED_ROOT_LEN: usize = NONCE_LEN + KEY_LEN + 16;

/// Which master key derives which key id.
pub struct KeyChain {
    /// (first id, master), ascending by first id.
    masters: Vec<(u32, MasterKey)>,
}

impl Clone for KeyChain {
    fn clone(&self) -> Self {
        KeyChain {
            masters: self
                .masters
                .iter()
                .map(|(from, m)| (*from, copy(m)))
                .collect(),
        }
    }
}

/// A copy of a key (the copies zero their memory on drop, like the original).
pub fn copy(m: &MasterKey) -> MasterKey {
    MasterKey::from_bytes(*m.as_bytes())
}

impl KeyChain {
    /// `master` derives every id from `base` up (ids below are retired: a rotation moved
    /// everything off them).
    pub fn new(master: &MasterKey, base: u32) -> KeyChain {
        KeyChain {
            masters: vec![(base, copy(master))],
        }
    }

    /// While a rotation is under way: `old` derives ids from `base`, `new` from `new_from`.
    pub fn rotating(old: &MasterKey, base: u32, new: &MasterKey, new_from: u32) -> KeyChain {
        KeyChain {
            masters: vec![(base, copy(old)), (new_from, copy(new))],
        }
    }

    /// The master that derives key id `id`; `None` for a retired id.
    pub fn master_for(&self, id: u32) -> Option<&MasterKey> {
        self.masters
            .iter()
            .rev()
            .find(|(from, _)| *from <= id)
            .map(|(_, m)| m)
    }

    /// The newest master (new wrappings are made under it).
    pub fn current(&self) -> &MasterKey {
        // Never empty: both constructors give at least one master.
        &self.masters[self.masters.len() - 1].1
    }
}

fn root_wrap_key(master: &MasterKey) -> Result<LessSafeKey, VaultError> {
    let k = master.derive(Purpose::Encryption, "token-root-wrap");
    let unbound = UnboundKey::new(&AES_256_GCM, k.as_bytes()).map_err(|_| VaultError::Random)?;
    Ok(LessSafeKey::new(unbound))
}

/// The token root wrapped under `master`.
pub fn wrap_root(master: &MasterKey, root: &MasterKey) -> Result<Vec<u8>, VaultError> {
    let mut nonce = [0u8; NONCE_LEN];
    SystemRandom::new()
        .fill(&mut nonce)
        .map_err(|_| VaultError::Random)?;
    let mut sealed = root.as_bytes().to_vec();
    root_wrap_key(master)?
        .seal_in_place_append_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(ROOT_AAD),
            &mut sealed,
        )
        .map_err(|_| VaultError::Random)?;
    let mut out = nonce.to_vec();
    out.extend_from_slice(&sealed);
    Ok(out)
}

/// The token root a wrapped root holds; `None` if it does not open under `master`.
pub fn unwrap_root(master: &MasterKey, wrapped: &[u8]) -> Result<Option<MasterKey>, VaultError> {
    if wrapped.len() != WRAPPED_ROOT_LEN {
        return Ok(None);
    }
    let mut nonce = [0u8; NONCE_LEN];
    nonce.copy_from_slice(&wrapped[..NONCE_LEN]);
    let mut buf = Zeroizing::new(wrapped[NONCE_LEN..].to_vec());
    let Ok(plain) = root_wrap_key(master)?.open_in_place(
        Nonce::assume_unique_for_key(nonce),
        Aad::from(ROOT_AAD),
        &mut buf,
    ) else {
        return Ok(None);
    };
    let bytes: [u8; KEY_LEN] = plain.try_into().map_err(|_| VaultError::Corrupt)?;
    Ok(Some(MasterKey::from_bytes(bytes)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_root_opens_under_its_master_only_and_ids_follow_the_chain() {
        let (a, b, root) = (
            MasterKey::from_bytes([1; 32]),
            MasterKey::from_bytes([2; 32]),
            MasterKey::from_bytes([3; 32]),
        );
        let w = wrap_root(&a, &root).expect("wrap");
        assert_eq!(w.len(), WRAPPED_ROOT_LEN);
        let back = unwrap_root(&a, &w).expect("unwrap").expect("opens");
        assert_eq!(back.as_bytes(), root.as_bytes());
        assert!(unwrap_root(&b, &w).expect("unwrap").is_none());
        let c = KeyChain::rotating(&a, 1, &b, 3);
        assert_eq!(c.master_for(2).map(|m| m.as_bytes()[0]), Some(1));
        assert_eq!(c.master_for(3).map(|m| m.as_bytes()[0]), Some(2));
        assert_eq!(c.current().as_bytes()[0], 2);
        assert!(KeyChain::new(&b, 3).master_for(2).is_none(), "retired");
    }
}
