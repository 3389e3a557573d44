//! The token vault: token → encrypted value, and keyed value hash → token, kept durably.
//!
//! Owns what every backend shares: the [`VaultStore`] trait the gateway uses, the
//! [`VaultError`] they all report, and the records, keys and look-ups that make the
//! backends interchangeable (`vault migrate` copies rows without decrypting them, and
//! either backend reveals the other's tokens). Each concern has its room:
//!
//! - [`seal`]: value encryption (AES-256-GCM under the key hierarchy; the key id in every
//!   ciphertext, the token as associated data);
//! - [`index`]: the keyed index that makes tokens deterministic without storing plaintext,
//!   subject ids of patients, and the key check that refuses a wrong master key;
//! - [`record`]: a token's record with its sealed copy (one per holder in older vaults);
//! - [`shared`]: a value several holders hold, sealed once under its own data key, with a
//!   holding row per holder;
//! - [`keyring`]: the patients' own data keys (crypto-shredding);
//! - [`keychain`]: which master key derives which key id, and the token root that a
//!   master-key rotation carries over;
//! - [`sled`]: [`SledVault`], the embedded default, with [`commit`] (group commit);
//! - [`pg`]: [`PgVault`], the same records in PostgreSQL for several gateway replicas;
//! - [`memory`]: the patient memory's rows (keyed hashes of a patient's remembered forms,
//!   and the links from each of their patient keys), kept by both backends and forgotten
//!   with the patient;
//! - [`backup`]: export and import of a sled vault.
//!
//! # Patients and forgetting (crypto-shredding)
//!
//! Each document has a patient key (`DocContext::patient_key`): `MRN:…` or `SSN:…` from the
//! document's structured fields or the first MRN in a note, `NAME:…` (the first name in a
//! note without an MRN), or `Patient/<id>` in a FHIR bundle. The vault hashes its canonical
//! form ([`canonical_patient_key`]) into a subject id and seals the document's values under
//! that subject's own random data key. Values of documents without a patient key stay under
//! the vault-wide value key.
//!
//! A value that appears in several patients' documents (a clinician, a clinic) has one token
//! and one record, sealed once under the value's own data key, and one holding row per
//! patient (and one vault-wide row if a document without a patient held it) with that data
//! key wrapped for the holder ([`shared`]). Forgetting one patient deletes their row, never
//! the value another patient's documents hold; the value goes with its last holder. Each
//! backend documents how it destroys the key.
//!
//! Limits of forgetting: a token string is a keyed hash of its value, so whoever holds the
//! master key can still test a guessed value against a token already handed out; a backup
//! made before the forget still holds the patient (re-export, and destroy older backups);
//! and storage may keep the replaced key's blocks until it reuses them.

mod absent;
pub mod backup;
mod commit;
mod index;
mod keychain;
mod keyring;
mod memory;
mod pg;
mod recent;
mod record;
mod seal;
mod shared;
mod sled;

use std::sync::Arc;

use crate::transform::token::{TokenError, TokenStore};
pub use index::canonical_patient_key;
pub use keyring::FILE_NAME as KEYRING_FILE;
pub use pg::{
    scratch_database, PgOptions, PgVault, PgWitness, SCHEMA_VERSION as PG_SCHEMA_VERSION,
};
use record::Holder;
pub use record::{SubjectId, SUBJECT_ID_LEN};
pub use sled::{SledVault, OPEN_TIMEOUT};

/// What the gateway needs of a vault, whichever backend holds it.
pub trait VaultStore: TokenStore {
    /// A handle on the same vault minting in another token domain.
    fn for_domain(&self, domain: &str) -> Arc<dyn VaultStore>;
    /// Number of tokens held.
    fn token_count(&self) -> Result<u64, VaultError>;
    /// Makes everything written so far durable (a no-op where every write already is).
    fn flush(&self) -> Result<(), VaultError>;
    /// Whether the vault can serve now, answered without blocking (for `/readyz`).
    fn health_check(&self) -> Result<(), VaultError>;
    /// Whether calls stay in this process (sled). A remote vault (PostgreSQL) blocks the
    /// calling thread on the network, so callers keep it off async runtime workers.
    fn is_local(&self) -> bool;
    /// `sled` or `postgres`.
    fn backend(&self) -> &'static str;
    /// The sled vault itself, for an online backup (`POST /vault/export`); `None` for a
    /// backend backed up with its own tools.
    fn as_sled(&self) -> Option<&SledVault> {
        None
    }

    /// What tokens and date shifts derive from ([`keychain`]): the same before and after
    /// a master-key rotation, so the engine derives date shifts from it, not the key file.
    fn token_root(&self) -> crate::keys::MasterKey;
}

/// Why the vault cannot be opened or used. Never carries a value or a key.
#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    #[error("vault {path}: cannot open: {reason}")]
    Open { path: String, reason: String },
    #[error("vault {path}: the master key does not match this vault (key-check record differs)")]
    WrongKey { path: String },
    #[error(
        "vault {path}: not a phigate vault of a supported version, or its metadata is damaged"
    )]
    Layout { path: String },
    #[error("vault storage error: {0}")]
    Storage(String),
    #[error(
        "vault records do not match its durable count ({expected} recorded, {found} found); restore it from a backup"
    )]
    Missing { expected: u64, found: u64 },
    #[error("vault record for a token is corrupted or was encrypted under an unknown key")]
    Corrupt,
    #[error("vault keyring {path}: {reason}")]
    Keyring { path: String, reason: String },
    #[error("the vault holds no key for this patient (never tokenised under this identifier, or already forgotten)")]
    UnknownSubject,
    #[error("the system random number generator failed")]
    Random,
    #[error("vault {path}: no vault there (create one with `phigate vault init`)")]
    NotFound { path: String },
    #[error("vault {path}: not a phigate vault (no vault database in it); refused, nothing was written to it")]
    NotAVault { path: String },
    #[error("vault {path}: {reason}; a new vault goes into a new or empty directory")]
    CannotCreate { path: String, reason: String },
    #[error("vault {path}: a master-key rotation is under way; finish it by running `phigate vault rotate-key` again with the same old and new key files")]
    Rotating { path: String },
    #[error("vault {path}: the new master key is the vault's current key")]
    SameKey { path: String },
    #[error("vault {path}: a rotation to another new master key is under way; finish it with that key file")]
    OtherRotation { path: String },
}

impl From<::sled::Error> for VaultError {
    fn from(e: ::sled::Error) -> Self {
        // sled's messages name files and operations, never record contents.
        VaultError::Storage(e.to_string())
    }
}

impl From<std::io::Error> for VaultError {
    fn from(e: std::io::Error) -> Self {
        VaultError::Storage(e.to_string())
    }
}

/// The cause stays attached: the gateway and the CLI log the whole chain (never a value:
/// no variant carries one).
impl From<VaultError> for TokenError {
    fn from(e: VaultError) -> Self {
        TokenError::store(e)
    }
}

/// What [`SledVault::forget`] did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Forgotten {
    /// Records whose only copies were the patient's: removed, their tokens unrevealable.
    pub records: u64,
    /// Records that lost the patient's copy but keep other holders' copies (a value that
    /// other patients' documents also held): they still reveal for those documents.
    pub shared: u64,
}

impl Forgotten {
    /// Counts one record that lost the patient's copies, `left` being what it keeps.
    fn tally(&mut self, left: &[record::Sealed]) {
        if left.is_empty() {
            self.records += 1;
        } else {
            self.shared += 1;
        }
    }
}

/// What [`SledVault::rotate_key`] (or a rotation to a new master key) did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Rotation {
    /// The new value-encryption key id.
    pub key_id: u32,
    /// Vault-wide copies re-encrypted under it.
    pub re_encrypted: usize,
    /// Subject keys re-wrapped under the key-wrapping key of the new id.
    pub subject_keys: usize,
    /// Shared values' data keys held vault-wide, re-wrapped under the new id.
    pub value_keys: usize,
    /// Whether the token root was re-wrapped under a new master key (a rotation to a new
    /// key file; without one, the new id still derives from the same master key).
    pub new_master: bool,
    /// A rotation to this new master key had already finished: nothing was left to do.
    pub already_done: bool,
}

/// Who holds copies of a token's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holders {
    /// The patients (subject ids) whose documents held it.
    pub subjects: Vec<SubjectId>,
    /// Whether a document without a patient key held it.
    pub vault_wide: bool,
}

impl Holders {
    /// The holders of a record's copies.
    fn of(copies: &[record::Sealed]) -> Holders {
        Holders::from_holders(copies.iter().map(|c| c.key.holder()))
    }

    /// Holders by name (a shared record's holding rows).
    fn from_holders(holders: impl Iterator<Item = Holder>) -> Holders {
        let mut out = Holders {
            subjects: Vec::new(),
            vault_wide: false,
        };
        for h in holders {
            match h {
                Holder::Subject(sid) => out.subjects.push(sid),
                Holder::Vault => out.vault_wide = true,
            }
        }
        out
    }
}

/// Which tree a backed-up entry belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TreeId {
    Tokens = 0,
    Index = 1,
    /// A keyring entry: subject id → wrapped key.
    Keyring = 2,
    /// A shared value's holding row: token ‖ 0 ‖ holder → wrapped data key.
    Holdings = 3,
    /// Vault metadata that must travel: the wrapped token root.
    Meta = 4,
    /// A patient memory's form: memory id ‖ hash → type ‖ level.
    Memory = 5,
    /// A patient key's link to its memory (subject id → memory id), or a back link.
    MemoryLinks = 6,
}

#[cfg(test)]
mod tests {
    use std::error::Error as _;

    use super::*;

    #[test]
    fn a_vault_error_stays_the_cause_of_the_token_error() {
        let e = TokenError::from(VaultError::Storage("No space left on device".into()));
        assert_eq!(e.to_string(), "token store unavailable");
        let cause = e.source().expect("the vault error is the source");
        assert!(matches!(
            cause.downcast_ref::<VaultError>(),
            Some(VaultError::Storage(m)) if m == "No space left on device"
        ));
        assert_eq!(
            cause.to_string(),
            "vault storage error: No space left on device"
        );
    }
}
