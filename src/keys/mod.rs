//! The key hierarchy: one master key, and the purpose keys derived from it with HKDF.
//!
//! Owns master-key generation, the derivation labels and the master-key file ([`file`]).
//! Key material zeroes its memory on drop and has no `Debug` output, so it cannot reach a
//! log by accident. The vault's use of the value-encryption key is the vault's concern.

pub mod file;

use ring::hkdf;
use ring::rand::{SecureRandom, SystemRandom};
use zeroize::Zeroizing;

pub use file::{check_key_permissions, read_master_key, write_new_key, KeyFileError};

/// Length of every key, in bytes.
pub const KEY_LEN: usize = 32;

/// The root secret; every other key is derived from it.
pub struct MasterKey(Zeroizing<[u8; KEY_LEN]>);

/// A derived key for one purpose.
pub struct DerivedKey(Zeroizing<[u8; KEY_LEN]>);

/// What a derived key is for; the label is part of the derivation, so keys never coincide.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// HMAC key that turns values into tokens.
    Token,
    /// Keyed hash of values for vault look-ups.
    Index,
    /// AES-256-GCM key for values at rest.
    Encryption,
    /// Per-patient date-shift offsets.
    DateShift,
    /// MAC key of the audit chain.
    Audit,
    /// Encryption key of one vault backup (the domain carries the backup's random salt).
    Backup,
}

impl Purpose {
    fn label(self) -> &'static [u8] {
        match self {
            Purpose::Token => b"phigate v1 token",
            Purpose::Index => b"phigate v1 index",
            Purpose::Encryption => b"phigate v1 value-encryption",
            Purpose::DateShift => b"phigate v1 date-shift",
            Purpose::Audit => b"phigate v1 audit",
            Purpose::Backup => b"phigate v1 backup",
        }
    }
}

/// Key generation failed: the system random source is unavailable.
#[derive(Debug, thiserror::Error)]
#[error("the system random number generator failed")]
pub struct RandomError;

impl MasterKey {
    /// A fresh random master key.
    pub fn generate() -> Result<MasterKey, RandomError> {
        let mut k = Zeroizing::new([0u8; KEY_LEN]);
        SystemRandom::new()
            .fill(&mut k[..])
            .map_err(|_| RandomError)?;
        Ok(MasterKey(k))
    }

    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> MasterKey {
        MasterKey(Zeroizing::new(bytes))
    }

    pub fn as_bytes(&self) -> &[u8; KEY_LEN] {
        &self.0
    }

    /// Derives the key for `purpose`, optionally scoped to a token domain (a destination).
    pub fn derive(&self, purpose: Purpose, domain: &str) -> DerivedKey {
        let salt = hkdf::Salt::new(hkdf::HKDF_SHA256, b"phigate key hierarchy");
        let prk = salt.extract(&self.0[..]);
        let info = [purpose.label(), b"\0", domain.as_bytes()];
        let mut out = Zeroizing::new([0u8; KEY_LEN]);
        // HKDF-SHA256 can always produce 32 bytes (its limit is 255 * 32), so neither call
        // can fail; if they ever did, an all-zero key would be wrong, so we fall back to a
        // derivation that still depends on the master key.
        let filled = prk
            .expand(&info, KeyLen)
            .and_then(|okm| okm.fill(&mut out[..]));
        match filled {
            Ok(()) => {}
            Err(_) => {
                let k = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &self.0[..]);
                let tag = ring::hmac::sign(&k, &info.concat());
                out.copy_from_slice(&tag.as_ref()[..KEY_LEN]);
            }
        }
        DerivedKey(out)
    }
}

struct KeyLen;

impl hkdf::KeyType for KeyLen {
    fn len(&self) -> usize {
        KEY_LEN
    }
}

impl DerivedKey {
    pub fn as_bytes(&self) -> &[u8; KEY_LEN] {
        &self.0
    }

    /// An HMAC-SHA256 key over this material.
    pub fn hmac(&self) -> ring::hmac::Key {
        ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &self.0[..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derivation_is_deterministic_and_separates_purposes_and_domains() {
        let m = MasterKey::from_bytes([7; KEY_LEN]);
        let a = m.derive(Purpose::Token, "");
        assert_eq!(a.as_bytes(), m.derive(Purpose::Token, "").as_bytes());
        assert_ne!(a.as_bytes(), m.derive(Purpose::Index, "").as_bytes());
        assert_ne!(
            a.as_bytes(),
            m.derive(Purpose::Token, "vendor-b").as_bytes()
        );
        assert_ne!(
            a.as_bytes(),
            MasterKey::from_bytes([8; KEY_LEN])
                .derive(Purpose::Token, "")
                .as_bytes()
        );
    }
}
