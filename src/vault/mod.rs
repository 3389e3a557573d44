//! The token vault: token → encrypted value, and keyed value hash → token, on disk.
//!
//! Owns the on-disk layout, value encryption (AES-256-GCM from the key hierarchy, the key id
//! in every ciphertext, the token as associated data), the keyed index that makes tokens
//! deterministic without storing plaintext, the key-check record that refuses a wrong master
//! key, and durability: a token is returned only after its mapping is flushed. It implements
//! [`TokenStore`], so the detection engine mints tokens through it unchanged.
//!
//! This is the sled implementation, the embedded default. Backup, rotation and the
//! PostgreSQL backend build on the same layout (see the token-vault issue).

pub mod backup;

use std::path::Path;
use std::sync::Arc;

use ring::aead::{self, Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use ring::hmac;
use ring::rand::{SecureRandom, SystemRandom};

use crate::keys::{MasterKey, Purpose};
use crate::phi::PhiType;
use crate::transform::token::{
    token_input, Revealed, TokenError, TokenMinter, TokenRequest, TokenStore,
};

/// Identifies the value-encryption key a ciphertext was made with (rotation adds ids).
const KEY_ID: u32 = 1;
/// How long opening a vault may take before it is refused as damaged.
pub const OPEN_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);
/// Layout version written to the meta tree; a vault from another version is refused.
const LAYOUT_VERSION: &[u8] = b"phigate-vault-v1";

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
    #[error("the system random number generator failed")]
    Random,
}

impl From<sled::Error> for VaultError {
    fn from(e: sled::Error) -> Self {
        // sled's messages name files and operations, never record contents.
        VaultError::Storage(e.to_string())
    }
}

impl From<VaultError> for TokenError {
    fn from(e: VaultError) -> Self {
        TokenError::Unavailable(e.to_string())
    }
}

/// The embedded, encrypted token vault.
pub struct SledVault {
    db: sled::Db,
    /// token → key id ‖ nonce ‖ AES-GCM(type ‖ 0 ‖ value)
    tokens: sled::Tree,
    /// HMAC(index key, type ‖ 0 ‖ normalised value) → token
    index: sled::Tree,
    minter: TokenMinter,
    /// Token domain new tokens are minted in (part of the index key, so each domain has
    /// its own value → token mapping).
    domain: String,
    index_key: hmac::Key,
    /// Value-encryption keys by id; the last is used for new records.
    value_keys: Arc<std::sync::RwLock<Vec<(u32, LessSafeKey)>>>,
    master: MasterKey,
    meta: sled::Tree,
    rng: SystemRandom,
    commit: Arc<GroupCommit>,
    /// The durable record count when the vault was opened.
    base_count: u64,
    /// Records this process added since.
    inserted: Arc<std::sync::atomic::AtomicU64>,
}

/// Group commit: concurrent writers share flushes. A writer takes a ticket after its
/// inserts; one writer at a time flushes, covering every ticket taken before the flush
/// began, and the others wait for a flush that covers theirs instead of starting their own.
///
/// Flush generations let a batch whose values all had tokens skip the flush without
/// handing out a mapping another writer has inserted but not yet flushed: inserts happen
/// under a read lock on the current generation and record it; a flush first moves to the
/// next generation under the write lock (so every insert of the old one has finished),
/// then flushes, then marks the old generation durable.
#[derive(Default)]
struct GroupCommit {
    state: std::sync::Mutex<CommitState>,
    done: std::sync::Condvar,
    generation: std::sync::RwLock<u64>,
    /// The newest generation any insert happened in (0: none since open).
    last_insert: std::sync::atomic::AtomicU64,
    /// Every generation up to this one is on disk.
    durable_through: std::sync::atomic::AtomicU64,
    /// Flushes done (for tests and stats).
    flushes: std::sync::atomic::AtomicU64,
}

#[derive(Default)]
struct CommitState {
    requested: u64,
    completed: u64,
    flushing: bool,
}

impl GroupCommit {
    /// Runs `insert` inside the current flush generation.
    fn inserting<T>(
        &self,
        insert: impl FnOnce() -> Result<T, VaultError>,
    ) -> Result<T, VaultError> {
        use std::sync::atomic::Ordering::SeqCst;
        let generation = self
            .generation
            .read()
            .map_err(|_| VaultError::Storage("commit lock poisoned".into()))?;
        self.last_insert.fetch_max(*generation + 1, SeqCst);
        insert()
    }

    /// Whether every mapping this process has inserted, and so every one a look-up could
    /// have found, is already on disk.
    fn all_durable(&self) -> bool {
        use std::sync::atomic::Ordering::SeqCst;
        self.last_insert.load(SeqCst) <= self.durable_through.load(SeqCst)
    }

    /// Flushes, first closing the current generation (waiting for its inserts to finish).
    fn flush(&self, db: &sled::Db) -> Result<(), VaultError> {
        use std::sync::atomic::Ordering::SeqCst;
        let closed = {
            let mut g = self
                .generation
                .write()
                .map_err(|_| VaultError::Storage("commit lock poisoned".into()))?;
            *g += 1;
            *g
        };
        db.flush()?;
        self.flushes.fetch_add(1, SeqCst);
        self.durable_through.fetch_max(closed, SeqCst);
        Ok(())
    }

    fn sync(&self, db: &sled::Db) -> Result<(), VaultError> {
        let poisoned = || VaultError::Storage("commit lock poisoned".into());
        let mut st = self.state.lock().map_err(|_| poisoned())?;
        st.requested += 1;
        let ticket = st.requested;
        loop {
            if st.completed >= ticket {
                return Ok(());
            }
            if st.flushing {
                st = self.done.wait(st).map_err(|_| poisoned())?;
                continue;
            }
            st.flushing = true;
            let covers = st.requested;
            drop(st);
            let result = self.flush(db);
            st = self.state.lock().map_err(|_| poisoned())?;
            st.flushing = false;
            if result.is_ok() {
                st.completed = st.completed.max(covers);
            }
            self.done.notify_all();
            // A failed flush fails this writer; waiters retry with a flush of their own.
            result?;
        }
    }
}

/// Opens the sled database, waiting briefly for a lock that a just-closed handle (in this
/// process, or one that is exiting) has not yet released. Another live process keeps its
/// lock, and the caller gets the error.
fn open_db(dir: &Path) -> sled::Result<sled::Db> {
    let mut attempts = 0;
    loop {
        // Every write path flushes before it returns, so sled's background flusher adds
        // nothing to durability.
        match sled::Config::new().path(dir).flush_every_ms(None).open() {
            Err(sled::Error::Io(e)) if is_lock_error(&e) && attempts < 20 => {
                attempts += 1;
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            other => return other,
        }
    }
}

/// sled reports a held lock as an I/O error of kind `Other` whose text says so.
fn is_lock_error(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::WouldBlock || e.to_string().contains("could not acquire lock")
}

/// The value-encryption key with id `id` (id 1 is the original key; rotation adds 2, 3, …).
fn value_key(master: &MasterKey, id: u32) -> Result<LessSafeKey, VaultError> {
    let domain = if id == 1 {
        String::new()
    } else {
        format!("key-{id}")
    };
    let k = master.derive(Purpose::Encryption, &domain);
    let unbound = UnboundKey::new(&AES_256_GCM, k.as_bytes()).map_err(|_| VaultError::Random)?;
    Ok(LessSafeKey::new(unbound))
}

/// Which tree a backed-up entry belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TreeId {
    Tokens = 0,
    Index = 1,
}

impl SledVault {
    /// Opens (or creates) the vault in `dir`. A vault created under another master key is
    /// refused before anything is read or written.
    pub fn open(dir: &Path, master: &MasterKey) -> Result<SledVault, VaultError> {
        SledVault::open_domain(dir, master, "")
    }

    /// Opens the vault minting tokens in a token domain: each outside destination can have
    /// its own, so two vendors' data sets cannot be joined on tokens unless the clinic gives
    /// them the same domain. Reveal works for every domain's tokens.
    pub fn open_domain(
        dir: &Path,
        master: &MasterKey,
        domain: &str,
    ) -> Result<SledVault, VaultError> {
        SledVault::open_with(dir, master, domain, OPEN_TIMEOUT)
    }

    /// [`SledVault::open_domain`] with a limit on how long opening may take. sled replays
    /// its log on open, and on some truncated logs it never finishes; rather than hang, the
    /// open fails (fail closed) and names the likely cause.
    pub fn open_with(
        dir: &Path,
        master: &MasterKey,
        domain: &str,
        timeout: std::time::Duration,
    ) -> Result<SledVault, VaultError> {
        let path = dir.display().to_string();
        // A directory that already holds sled data must hold a phigate vault: a vault whose
        // metadata was lost is refused, never silently re-initialised.
        let existed = std::fs::metadata(dir.join("db")).is_ok_and(|m| m.len() > 0);
        let (tx, rx) = std::sync::mpsc::channel();
        let owned = dir.to_path_buf();
        std::thread::spawn(move || {
            let _ = tx.send(open_db(&owned));
        });
        let db = match rx.recv_timeout(timeout) {
            Ok(result) => result.map_err(|e| VaultError::Open { path: path.clone(), reason: e.to_string() })?,
            Err(_) => {
                return Err(VaultError::Open {
                    path,
                    reason: format!("recovery did not finish within {} s; the vault may be truncated or corrupted (restore it from a backup)", timeout.as_secs()),
                })
            }
        };
        let meta = db.open_tree("meta")?;
        let index_key = master.derive(Purpose::Index, "").hmac();
        let check = hmac::sign(&index_key, b"phigate key check");
        match (meta.get("layout")?, meta.get("keycheck")?) {
            (None, None) if existed => return Err(VaultError::Layout { path }),
            (None, None) => {
                meta.insert("layout", LAYOUT_VERSION)?;
                meta.insert("keycheck", check.as_ref())?;
                db.flush()?;
            }
            (Some(layout), Some(stored)) => {
                if layout.as_ref() != LAYOUT_VERSION {
                    return Err(VaultError::Layout { path });
                }
                if stored.as_ref() != check.as_ref() {
                    return Err(VaultError::WrongKey { path });
                }
            }
            _ => return Err(VaultError::Layout { path }),
        }
        let active = match meta.get("keyid")? {
            Some(v) if v.len() == 4 => u32::from_be_bytes([v[0], v[1], v[2], v[3]]),
            Some(_) => return Err(VaultError::Layout { path }),
            None => KEY_ID,
        };
        let base_count = match meta.get("count")? {
            Some(v) if v.len() == 8 => {
                u64::from_be_bytes(v.as_ref().try_into().map_err(|_| VaultError::Corrupt)?)
            }
            Some(_) => return Err(VaultError::Layout { path }),
            None => 0,
        };
        let tokens = db.open_tree("tokens")?;
        // Damage that loses the records but not the metadata must not look like an empty
        // vault: the durable count says records should be there.
        if base_count > 0 && tokens.is_empty() {
            return Err(VaultError::Missing {
                expected: base_count,
                found: 0,
            });
        }
        let value_keys = (1..=active)
            .map(|id| value_key(master, id).map(|k| (id, k)))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(SledVault {
            tokens,
            index: db.open_tree("index")?,
            db,
            minter: TokenMinter::new(master, domain),
            domain: domain.to_string(),
            index_key,
            value_keys: Arc::new(std::sync::RwLock::new(value_keys)),
            master: MasterKey::from_bytes(*master.as_bytes()),
            meta,
            rng: SystemRandom::new(),
            commit: Arc::default(),
            base_count,
            inserted: Arc::default(),
        })
    }

    /// A handle on the same vault that mints tokens in another token domain. It shares
    /// the database, the keys and the group commit, so one process serves every route's
    /// domain from one open vault (sled allows one opener per directory).
    pub fn with_domain(&self, domain: &str) -> SledVault {
        SledVault {
            db: self.db.clone(),
            tokens: self.tokens.clone(),
            index: self.index.clone(),
            minter: TokenMinter::new(&self.master, domain),
            domain: domain.to_string(),
            index_key: self.index_key.clone(),
            value_keys: Arc::clone(&self.value_keys),
            master: MasterKey::from_bytes(*self.master.as_bytes()),
            meta: self.meta.clone(),
            rng: SystemRandom::new(),
            commit: Arc::clone(&self.commit),
            base_count: self.base_count,
            inserted: Arc::clone(&self.inserted),
        }
    }

    /// Number of tokens held.
    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    /// Bytes the vault occupies on disk.
    pub fn size_on_disk(&self) -> Result<u64, VaultError> {
        Ok(self.db.size_on_disk()?)
    }

    /// Decrypts every record; returns how many were checked. Any failure is an error.
    pub fn verify(&self) -> Result<usize, VaultError> {
        let mut n = 0;
        for item in self.tokens.iter() {
            let (token, record) = item?;
            self.decrypt(&token, &record)?;
            n += 1;
        }
        let expected = self.expected_count();
        if n as u64 != expected {
            return Err(VaultError::Missing {
                expected,
                found: n as u64,
            });
        }
        Ok(n)
    }

    /// How many records the vault should hold, by its own durable count.
    fn expected_count(&self) -> u64 {
        self.base_count + self.inserted.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Writes the durable record count (flushed with the records it counts).
    fn record_count(&self) -> Result<(), VaultError> {
        self.meta
            .insert("count", &self.expected_count().to_be_bytes())?;
        Ok(())
    }

    /// Re-encrypts every value under a new encryption key; no token changes. Returns the
    /// new key id and how many records were re-encrypted. Old keys stay derivable, so a
    /// backup taken before the rotation still restores.
    pub fn rotate_key(&self) -> Result<(u32, usize), VaultError> {
        let new_id = {
            let mut keys = self
                .value_keys
                .write()
                .map_err(|_| VaultError::Storage("key lock poisoned".into()))?;
            let id = keys.last().map(|(id, _)| id + 1).unwrap_or(KEY_ID);
            keys.push((id, value_key(&self.master, id)?));
            id
        };
        let mut n = 0;
        for item in self.tokens.iter() {
            let (token, record) = item?;
            let revealed = self.decrypt(&token, &record)?;
            let token_str = std::str::from_utf8(&token).map_err(|_| VaultError::Corrupt)?;
            let fresh = self.encrypt(token_str, revealed.ty, &revealed.value)?;
            self.tokens.insert(token, fresh)?;
            n += 1;
        }
        // The new id is recorded only once every record is re-encrypted and on disk.
        self.db.flush()?;
        self.meta.insert("keyid", &new_id.to_be_bytes())?;
        self.db.flush()?;
        Ok((new_id, n))
    }

    /// Every stored entry, for backups: (tree, key, value). Values are already encrypted and
    /// index keys are keyed hashes, so nothing here is plaintext.
    pub fn entries(
        &self,
    ) -> impl Iterator<Item = Result<(TreeId, sled::IVec, sled::IVec), VaultError>> + '_ {
        let tokens = self.tokens.iter().map(|r| {
            r.map(|(k, v)| (TreeId::Tokens, k, v))
                .map_err(VaultError::from)
        });
        let index = self.index.iter().map(|r| {
            r.map(|(k, v)| (TreeId::Index, k, v))
                .map_err(VaultError::from)
        });
        tokens.chain(index)
    }

    /// Restores one backed-up entry.
    pub fn restore_entry(&self, tree: TreeId, key: &[u8], value: &[u8]) -> Result<(), VaultError> {
        match tree {
            TreeId::Tokens => {
                if self.tokens.insert(key, value)?.is_none() {
                    self.inserted
                        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
            }
            TreeId::Index => {
                self.index.insert(key, value)?;
            }
        };
        Ok(())
    }

    /// The active value-encryption key id.
    pub fn active_key_id(&self) -> Result<u32, VaultError> {
        let keys = self
            .value_keys
            .read()
            .map_err(|_| VaultError::Storage("key lock poisoned".into()))?;
        Ok(keys.last().map(|(id, _)| *id).unwrap_or(KEY_ID))
    }

    /// Makes key ids up to `id` usable and `id` active (after an import).
    pub fn activate_key_id(&self, id: u32) -> Result<(), VaultError> {
        let mut keys = self
            .value_keys
            .write()
            .map_err(|_| VaultError::Storage("key lock poisoned".into()))?;
        while keys.last().map(|(k, _)| *k).unwrap_or(0) < id {
            let next = keys.last().map(|(k, _)| k + 1).unwrap_or(KEY_ID);
            keys.push((next, value_key(&self.master, next)?));
        }
        self.meta.insert("keyid", &id.to_be_bytes())?;
        Ok(())
    }

    /// Makes everything written so far durable.
    pub fn flush(&self) -> Result<(), VaultError> {
        self.record_count()?;
        self.db.flush()?;
        Ok(())
    }

    /// The key-check record (backups carry it, so an import under the wrong master key is
    /// refused before anything is written).
    pub fn key_check(&self) -> hmac::Tag {
        hmac::sign(&self.index_key, b"phigate key check")
    }

    fn index_key_for(&self, ty: PhiType, normalized: &str) -> hmac::Tag {
        let mut ctx = hmac::Context::with_key(&self.index_key);
        ctx.update(self.domain.as_bytes());
        ctx.update(b"\0");
        ctx.update(ty.as_str().as_bytes());
        ctx.update(b"\0");
        ctx.update(normalized.as_bytes());
        ctx.sign()
    }

    fn encrypt(&self, token: &str, ty: PhiType, value: &str) -> Result<Vec<u8>, VaultError> {
        let mut nonce = [0u8; NONCE_LEN];
        self.rng.fill(&mut nonce).map_err(|_| VaultError::Random)?;
        let mut sealed = Vec::with_capacity(ty.as_str().len() + 1 + value.len() + 16);
        sealed.extend_from_slice(ty.as_str().as_bytes());
        sealed.push(0);
        sealed.extend_from_slice(value.as_bytes());
        let keys = self
            .value_keys
            .read()
            .map_err(|_| VaultError::Storage("key lock poisoned".into()))?;
        let (id, key) = keys.last().ok_or(VaultError::Corrupt)?;
        key.seal_in_place_append_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(token.as_bytes()),
            &mut sealed,
        )
        .map_err(|_| VaultError::Corrupt)?;
        let mut record = Vec::with_capacity(4 + NONCE_LEN + sealed.len());
        record.extend_from_slice(&id.to_be_bytes());
        record.extend_from_slice(&nonce);
        record.extend_from_slice(&sealed);
        Ok(record)
    }

    fn decrypt(&self, token: &[u8], record: &[u8]) -> Result<Revealed, VaultError> {
        if record.len() < 4 + NONCE_LEN + aead::AES_256_GCM.tag_len() {
            return Err(VaultError::Corrupt);
        }
        let id = u32::from_be_bytes([record[0], record[1], record[2], record[3]]);
        let keys = self
            .value_keys
            .read()
            .map_err(|_| VaultError::Storage("key lock poisoned".into()))?;
        let key = &keys
            .iter()
            .find(|(k, _)| *k == id)
            .ok_or(VaultError::Corrupt)?
            .1;
        let mut nonce = [0u8; NONCE_LEN];
        nonce.copy_from_slice(&record[4..4 + NONCE_LEN]);
        let mut sealed = record[4 + NONCE_LEN..].to_vec();
        let plain = key
            .open_in_place(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(token),
                &mut sealed,
            )
            .map_err(|_| VaultError::Corrupt)?;
        let split = plain
            .iter()
            .position(|&b| b == 0)
            .ok_or(VaultError::Corrupt)?;
        let ty = std::str::from_utf8(&plain[..split])
            .ok()
            .and_then(|t| t.parse().ok())
            .ok_or(VaultError::Corrupt)?;
        let value =
            String::from_utf8(plain[split + 1..].to_vec()).map_err(|_| VaultError::Corrupt)?;
        Ok(Revealed { ty, value })
    }

    /// The token for one value: an existing mapping, or a new one (not yet flushed).
    fn token_for(&self, ty: PhiType, value: &str, exact: bool) -> Result<String, VaultError> {
        let norm = token_input(ty, value, exact);
        let key = self.index_key_for(ty, &norm);
        if let Some(token) = self.index.get(key.as_ref())? {
            return String::from_utf8(token.to_vec()).map_err(|_| VaultError::Corrupt);
        }
        self.commit
            .inserting(|| self.insert_mapping(ty, value, exact, &norm, key.as_ref()))
    }

    /// Mints and stores a new mapping (inside a flush generation).
    fn insert_mapping(
        &self,
        ty: PhiType,
        value: &str,
        exact: bool,
        norm: &str,
        key: &[u8],
    ) -> Result<String, VaultError> {
        let mut attempt = 0;
        loop {
            let token = self.minter.mint(ty, norm, attempt);
            let record = self.encrypt(&token, ty, value)?;
            // Compare-and-swap: a token already held for another value is a collision, and
            // the next attempt derives a different token deterministically.
            match self.tokens.compare_and_swap(
                token.as_bytes(),
                None as Option<&[u8]>,
                Some(record),
            )? {
                Ok(()) => {
                    self.index.insert(key, token.as_bytes())?;
                    self.inserted
                        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    return Ok(token);
                }
                Err(existing) => {
                    // Either another writer minted this very value a moment ago (same
                    // token: use it), or two values share a token (a collision: the next
                    // attempt derives another token, the same way on every machine).
                    let held = existing.current.ok_or(VaultError::Corrupt)?;
                    let other = self.decrypt(token.as_bytes(), &held)?;
                    if other.ty == ty && token_input(other.ty, &other.value, exact) == norm {
                        self.index.insert(key, token.as_bytes())?;
                        return Ok(token);
                    }
                    attempt += 1;
                }
            }
        }
    }
}

impl TokenStore for SledVault {
    /// Mints or finds every token of the batch, then flushes once (group commit) unless
    /// every mapping is already on disk: no token is returned before its mapping is.
    fn tokenize(&self, batch: &[TokenRequest<'_>], exact: bool) -> Result<Vec<String>, TokenError> {
        let tokens = batch
            .iter()
            .map(|r| self.token_for(r.ty, r.value, exact))
            .collect::<Result<Vec<_>, _>>()?;
        // Values that all had tokens need no flush once every mapping is on disk.
        if !self.commit.all_durable() {
            self.record_count()?;
            self.commit.sync(&self.db)?;
        }
        Ok(tokens)
    }

    fn reveal(&self, token: &str) -> Result<Option<Revealed>, TokenError> {
        match self
            .tokens
            .get(token.as_bytes())
            .map_err(VaultError::from)?
        {
            Some(record) => Ok(Some(self.decrypt(token.as_bytes(), &record)?)),
            None => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(b: u8) -> MasterKey {
        MasterKey::from_bytes([b; 32])
    }

    #[test]
    fn batches_whose_tokens_all_exist_skip_the_flush() {
        use std::sync::atomic::Ordering::SeqCst;
        let dir = tempfile::tempdir().expect("tempdir");
        let v = SledVault::open(dir.path(), &key(6)).expect("open");
        let req = |value| TokenRequest {
            ty: PhiType::Name,
            value,
        };
        let first = v.tokenize(&[req("Ada Quill")], false).expect("t");
        let after_first = v.commit.flushes.load(SeqCst);
        assert!(after_first >= 1, "a new mapping is flushed");
        assert_eq!(v.tokenize(&[req("Ada Quill")], false).expect("t"), first);
        assert_eq!(v.commit.flushes.load(SeqCst), after_first, "nothing new: no flush");
        v.tokenize(&[req("Ada Quill"), req("Bo Lark")], false).expect("t");
        assert_eq!(v.commit.flushes.load(SeqCst), after_first + 1, "a new value flushes");
        // Another domain view shares the generations: its new mapping is flushed too.
        let other = v.with_domain("vendor-b");
        other.tokenize(&[req("Ada Quill")], false).expect("t");
        assert_eq!(v.commit.flushes.load(SeqCst), after_first + 2);
    }

    #[test]
    fn tokens_survive_reopen_and_reveal_and_no_plaintext_reaches_disk() {
        let dir = tempfile::tempdir().expect("tempdir");
        let canaries = ["Zebulon Quixote", "219-09-9999", "zq-canary@example.org"];
        let tokens = {
            let v = SledVault::open(dir.path(), &key(5)).expect("open");
            let reqs = [
                TokenRequest {
                    ty: PhiType::Name,
                    value: canaries[0],
                },
                TokenRequest {
                    ty: PhiType::Ssn,
                    value: canaries[1],
                },
                TokenRequest {
                    ty: PhiType::Email,
                    value: canaries[2],
                },
            ];
            let t = v.tokenize(&reqs, false).expect("tokens");
            assert_eq!(
                v.tokenize(&reqs[..1], false).expect("again")[0],
                t[0],
                "deterministic"
            );
            t
        };
        let v = SledVault::open(dir.path(), &key(5)).expect("reopen");
        for (t, c) in tokens.iter().zip(canaries) {
            assert_eq!(v.reveal(t).expect("reveal").expect("known").value, c);
        }
        let again = v
            .tokenize(
                &[TokenRequest {
                    ty: PhiType::Name,
                    value: "ZEBULON  QUIXOTE",
                }],
                false,
            )
            .expect("t");
        assert_eq!(
            again[0], tokens[0],
            "normalised spelling maps to the same token after reopen"
        );
        assert_eq!(v.verify().expect("verify"), 3);
        drop(v);
        for entry in walk(dir.path()) {
            let bytes = std::fs::read(&entry).expect("read");
            for c in canaries {
                assert!(
                    !bytes.windows(c.len()).any(|w| w == c.as_bytes()),
                    "{c} found in {}",
                    entry.display()
                );
            }
        }
    }

    #[test]
    fn concurrent_writers_of_the_same_values_get_one_token_each() {
        let dir = tempfile::tempdir().expect("tempdir");
        let v = std::sync::Arc::new(SledVault::open(dir.path(), &key(6)).expect("open"));
        let values: Vec<String> = (0..200).map(|i| format!("Shared Value {i}")).collect();
        let results: Vec<Vec<String>> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..8)
                .map(|_| {
                    let v = std::sync::Arc::clone(&v);
                    let values = &values;
                    s.spawn(move || {
                        values
                            .iter()
                            .map(|x| {
                                v.tokenize(
                                    &[TokenRequest {
                                        ty: PhiType::Name,
                                        value: x,
                                    }],
                                    false,
                                )
                                .expect("t")
                                .remove(0)
                            })
                            .collect()
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("join"))
                .collect()
        });
        for r in &results[1..] {
            assert_eq!(
                r, &results[0],
                "every writer got the same token for each value"
            );
        }
        assert_eq!(v.len(), 200, "one record per value");
    }

    #[test]
    fn token_domains_keep_vendors_apart_and_all_reveal() {
        let dir = tempfile::tempdir().expect("tempdir");
        let req = [TokenRequest {
            ty: PhiType::Name,
            value: "Maria Lopez",
        }];
        let a = SledVault::open_domain(dir.path(), &key(3), "vendor-a")
            .expect("a")
            .tokenize(&req, false)
            .expect("ta");
        let b = SledVault::open_domain(dir.path(), &key(3), "vendor-b")
            .expect("b")
            .tokenize(&req, false)
            .expect("tb");
        assert_ne!(a, b, "two domains never share a token");
        let v = SledVault::open(dir.path(), &key(3)).expect("open");
        assert_eq!(
            v.reveal(&a[0]).expect("r").expect("known").value,
            "Maria Lopez"
        );
        assert_eq!(
            v.reveal(&b[0]).expect("r").expect("known").value,
            "Maria Lopez"
        );
        drop(v);
        let a2 = SledVault::open_domain(dir.path(), &key(3), "vendor-a")
            .expect("a")
            .tokenize(&req, false)
            .expect("ta");
        assert_eq!(a, a2, "a domain's tokens are stable");
    }

    #[test]
    fn damaged_vaults_are_refused_not_hung_or_reinitialised() {
        let dir = tempfile::tempdir().expect("tempdir");
        let values: Vec<String> = (0..3000).map(|i| format!("Value {i}")).collect();
        {
            let v = SledVault::open(dir.path(), &key(2)).expect("open");
            let reqs: Vec<TokenRequest<'_>> = values
                .iter()
                .map(|s| TokenRequest {
                    ty: PhiType::Mrn,
                    value: s,
                })
                .collect();
            v.tokenize(&reqs, false).expect("tokens");
        }
        let db = dir.path().join("db");
        let len = std::fs::metadata(&db).expect("db").len();
        // Truncated: sled may fail or never finish; either way the open must return an error
        // (or, if sled recovers a prefix, a vault that still verifies), within the limit.
        let truncated = tempfile::tempdir().expect("t");
        copy_dir(dir.path(), truncated.path());
        let f = std::fs::OpenOptions::new()
            .write(true)
            .open(truncated.path().join("db"))
            .expect("open db");
        f.set_len(len / 3).expect("truncate");
        drop(f);
        match SledVault::open_with(
            truncated.path(),
            &key(2),
            "",
            std::time::Duration::from_secs(5),
        ) {
            Err(VaultError::Open { .. } | VaultError::Layout { .. } | VaultError::Storage(_)) => {}
            Err(other) => panic!("unexpected error {other:?}"),
            // sled may recover a prefix of its log; the durable count then shows the loss.
            Ok(v) => match v.verify() {
                Ok(n) => assert_eq!(n, 3000, "a vault that verifies has every record"),
                Err(VaultError::Missing { .. } | VaultError::Corrupt) => {}
                Err(other) => panic!("unexpected error {other:?}"),
            },
        }
        // Emptied: refused, never re-created as a new vault.
        let emptied = tempfile::tempdir().expect("e");
        copy_dir(dir.path(), emptied.path());
        std::fs::write(emptied.path().join("db"), vec![0u8; 4096]).expect("zero");
        assert!(SledVault::open_with(
            emptied.path(),
            &key(2),
            "",
            std::time::Duration::from_secs(5)
        )
        .is_err());
    }

    fn copy_dir(from: &Path, to: &Path) {
        for e in std::fs::read_dir(from).expect("dir").flatten() {
            let target = to.join(e.file_name());
            if e.path().is_dir() {
                std::fs::create_dir_all(&target).expect("mkdir");
                copy_dir(&e.path(), &target);
            } else {
                std::fs::copy(e.path(), target).expect("copy");
            }
        }
    }

    #[test]
    fn a_wrong_master_key_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        drop(SledVault::open(dir.path(), &key(1)).expect("create"));
        match SledVault::open(dir.path(), &key(2)) {
            Err(VaultError::WrongKey { .. }) => {}
            other => panic!("expected WrongKey, got {:?}", other.err()),
        }
    }

    #[test]
    fn the_same_key_gives_the_same_tokens_in_two_vaults() {
        let (a, b) = (
            tempfile::tempdir().expect("a"),
            tempfile::tempdir().expect("b"),
        );
        let req = [TokenRequest {
            ty: PhiType::Mrn,
            value: "MRX-55120",
        }];
        let ta = SledVault::open(a.path(), &key(9))
            .expect("a")
            .tokenize(&req, false)
            .expect("ta");
        let tb = SledVault::open(b.path(), &key(9))
            .expect("b")
            .tokenize(&req, false)
            .expect("tb");
        assert_eq!(ta, tb);
    }

    fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
        let mut out = Vec::new();
        for e in std::fs::read_dir(dir).expect("dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
        out
    }
}
