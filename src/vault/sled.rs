//! The sled vault ([`SledVault`]): the embedded default, token → encrypted value and keyed
//! value hash → token in one sled database.
//!
//! Owns the on-disk layout, opening (refusing a wrong master key, a damaged or foreign
//! directory, a log that never finishes replaying), minting through the keyed index,
//! durability (a token is returned only after its mapping is flushed, with the group commit
//! of [`super::commit`]), the durable record count that tells lost records from an empty
//! vault, forgetting a patient, key rotation, and the raw entries backups read and restore.
//! Values are sealed by [`super::seal`], look-up keys come from [`super::index`].
//!
//! # Layout (`phigate-vault-v2`)
//!
//! - sled tree `tokens`: token → record: the value's sealed copy ([`super::record`]; older
//!   vaults may hold a copy per holder), or a shared record ([`super::shared`]);
//! - sled tree `holdings`: token ‖ 0 ‖ holder → the shared value's data key wrapped for that
//!   holder (one row per holder; a new holder appends one);
//! - sled tree `index`: look-up key → token ([`super::index`]);
//! - sled tree `meta`: layout version, key check, active key id, durable record count,
//!   forgotten record count, whether the keyring is in use, the wrapped token root
//!   (`tokenroot`, [`super::keychain`]), the first key id of the current master key
//!   (`keybase`), and a master-key rotation under way (`rotation`);
//! - sled trees `memory` and `memory_links`: patient memories' forms and the links from
//!   patient keys to them ([`super::memory`]; added without a layout change: an older
//!   binary ignores them);
//! - `subjects.keyring` beside sled's files: the patients' data keys ([`super::keyring`]).
//!
//! A v1 vault is upgraded in place when opened (its records are valid v2 records); older
//! phigate binaries then refuse it as a layout they do not know.
//!
//! # Forgetting
//!
//! [`SledVault::forget`] removes the subject's copies from every record and their holding
//! rows (a record left with no copy or row is removed, and counted as forgotten) and the
//! subject's index entries, flushes,
//! and only then rewrites the keyring without the subject's key. Whatever sled's old log
//! segments still hold of those records was sealed under a key that no longer exists. A
//! forgotten token reveals as unknown; `verify` and `stats` report the forgotten count. If
//! the same value is later tokenised for the same patient, it gets a new record under a new
//! subject key (with a new random key tag), and the same token string, since tokens are a
//! keyed hash of the value; the old record is gone from the live tree before that.
//!
//! # Rotation
//!
//! [`SledVault::rotate_master`] moves the vault to a new master key, resumably (see there);
//! [`SledVault::rotate_key`] adds a value-key id under the same master key.

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use super::absent::AbsentKeys;
use super::commit::GroupCommit;
use super::index::{lookup_subject, IndexKey};
use super::keychain::{self, unwrap_root, wrap_root, KeyChain};
use super::keyring::{Keyring, Keys};
use super::memory;
use super::recent::{self, RecentTokens};
use super::record::{self, Holder, KeyRef, SubjectId};
use super::seal::{same_value, Sealer, KEY_ID};
use super::shared;
use super::{Forgotten, Holders, Rotation, TreeId, VaultError, VaultStore};
use crate::keys::MasterKey;
use crate::memory::{Memory, Remembered};
use crate::phi::PhiType;
use crate::transform::token::{
    token_input, Prepared, Revealed, TokenError, TokenMinter, TokenRequest, TokenStore,
};

/// How long opening a vault may take before it is refused as damaged.
pub const OPEN_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);
/// Layout version written to the meta tree; a vault from another version is refused.
const LAYOUT_VERSION: &[u8] = b"phigate-vault-v2";
/// The previous layout, upgraded in place on open.
const LAYOUT_V1: &[u8] = b"phigate-vault-v1";

/// The embedded, encrypted token vault.
pub struct SledVault {
    db: sled::Db,
    /// token → record (sealed copies, see [`record`])
    tokens: sled::Tree,
    /// look-up key → token
    index: sled::Tree,
    /// Look-up keys `index` certainly lacks (shared by every domain's handle; every index
    /// write marks it first).
    absent: Arc<AbsentKeys>,
    /// token ‖ 0 ‖ holder → the value's data key wrapped for that holder (shared values,
    /// see [`super::shared`])
    holdings: sled::Tree,
    /// memory id ‖ hash → remembered form (patient memory, [`super::memory`])
    memory: sled::Tree,
    /// subject id → memory id, and memory id ‖ subject id → empty (its back link)
    memory_links: sled::Tree,
    minter: TokenMinter,
    /// Token domain new tokens are minted in (part of the index key, so each domain has
    /// its own value → token mapping).
    domain: String,
    /// Look-up keys and subject ids, from the token root.
    index_key: Arc<IndexKey>,
    /// Recent look-ups the index answered (shared by every domain's handle, since a
    /// forget through one must reach all).
    recent: Arc<RecentTokens>,
    /// The key-check record of the master key (refuses a wrong key; backups carry it).
    check: ring::hmac::Tag,
    /// Value-encryption keys by id; the last is used for new records.
    sealer: Arc<Sealer>,
    /// The patients' data keys.
    keyring: Arc<Keyring>,
    /// Whether the meta tree already records that the keyring is in use.
    keyring_marked: Arc<AtomicBool>,
    /// What tokens, look-ups and date shifts derive from ([`super::keychain`]).
    root: MasterKey,
    /// Which master key derives which key id.
    chain: KeyChain,
    meta: sled::Tree,
    commit: Arc<GroupCommit>,
    /// The durable record count when the vault was opened.
    base_count: u64,
    /// Records this process added since.
    inserted: Arc<AtomicU64>,
    /// Records this process removed since (forgotten).
    removed: Arc<AtomicU64>,
    /// Test hook: fail this many inserts after the record is written, before its index
    /// entry (a failure in the middle of a mapping).
    #[cfg(test)]
    fail_inserts: Arc<std::sync::atomic::AtomicU32>,
    /// Serialises adding a holder to an existing record (rare: a value's first appearance
    /// in another patient's documents), so two writers never convert one record twice.
    holding: Arc<std::sync::Mutex<()>>,
}

impl VaultStore for SledVault {
    fn for_domain(&self, domain: &str) -> Arc<dyn VaultStore> {
        Arc::new(self.with_domain(domain))
    }
    fn token_count(&self) -> Result<u64, VaultError> {
        Ok(self.len() as u64)
    }
    fn flush(&self) -> Result<(), VaultError> {
        SledVault::flush(self)
    }
    /// After a failed write (a full disk, say), ready only once a write goes through
    /// again: the check then writes and flushes a small probe, so `/readyz` recovers when
    /// the disk does, without waiting for a request to try.
    fn health_check(&self) -> Result<(), VaultError> {
        use std::sync::atomic::Ordering::SeqCst;
        self.active_key_id()?;
        if self.commit.write_failed.load(SeqCst) {
            self.meta
                .insert("probe", crate::audit::now_rfc3339().as_bytes())?;
            self.commit.flush(&self.db)?;
        }
        Ok(())
    }
    fn is_local(&self) -> bool {
        true
    }
    fn backend(&self) -> &'static str {
        "sled"
    }
    fn as_sled(&self) -> Option<&SledVault> {
        Some(self)
    }

    fn token_root(&self) -> MasterKey {
        SledVault::token_root(self)
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

#[cfg(test)]
thread_local! {
    /// Test hook: fail a rotation on this thread after this many items moved (a crash
    /// part-way through).
    static FAIL_ROTATION_AFTER: std::cell::Cell<Option<u32>> = const { std::cell::Cell::new(None) };
}

/// Counts one item of a rotation; under test, fails where the hook says.
fn rotation_trip() -> Result<(), VaultError> {
    #[cfg(test)]
    if let Some(n) = FAIL_ROTATION_AFTER.with(std::cell::Cell::get) {
        if n == 0 {
            FAIL_ROTATION_AFTER.with(|c| c.set(None));
            return Err(VaultError::Storage("injected rotation failure".into()));
        }
        FAIL_ROTATION_AFTER.with(|c| c.set(Some(n - 1)));
    }
    Ok(())
}

/// A rotation under way: the new key id (4, BE) and the new master key's key check.
const ROTATION: &str = "rotation";

/// A stored `u32` (BE), or `default` when absent.
fn read_u32(v: Option<sled::IVec>, default: u32, path: &str) -> Result<u32, VaultError> {
    match v {
        Some(v) if v.len() == 4 => Ok(u32::from_be_bytes([v[0], v[1], v[2], v[3]])),
        Some(_) => Err(VaultError::Layout { path: path.into() }),
        None => Ok(default),
    }
}

/// Opens the database within `timeout` and checks its layout (upgrading a v1 vault); a new
/// vault gets its layout and `master`'s key check. The key check of an existing vault is
/// the caller's to judge ([`open_checked`], or the rotation's own rules).
fn open_layout(
    dir: &Path,
    master: &MasterKey,
    timeout: std::time::Duration,
) -> Result<(sled::Db, sled::Tree), VaultError> {
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
    match (meta.get("layout")?, meta.get("keycheck")?) {
        (None, None) if existed => return Err(VaultError::Layout { path }),
        (None, None) => {
            meta.insert("layout", LAYOUT_VERSION)?;
            meta.insert("keycheck", IndexKey::new(master).key_check().as_ref())?;
            db.flush()?;
        }
        (Some(layout), Some(_)) => {
            if layout.as_ref() != LAYOUT_VERSION && layout.as_ref() != LAYOUT_V1 {
                return Err(VaultError::Layout { path });
            }
        }
        _ => return Err(VaultError::Layout { path }),
    }
    Ok((db, meta))
}

/// [`open_layout`], refusing a master key other than the vault's.
fn open_checked(
    dir: &Path,
    master: &MasterKey,
    timeout: std::time::Duration,
) -> Result<(sled::Db, sled::Tree), VaultError> {
    let path = dir.display().to_string();
    let (db, meta) = open_layout(dir, master, timeout)?;
    let stored = meta.get("keycheck")?;
    if stored.as_deref() != Some(IndexKey::new(master).key_check().as_ref()) {
        return Err(VaultError::WrongKey { path });
    }
    upgrade_v1(&db, &meta)?;
    Ok((db, meta))
}

/// v1 records are valid v2 records; the vault is marked so that an older binary refuses
/// it rather than misreading patients' records.
fn upgrade_v1(db: &sled::Db, meta: &sled::Tree) -> Result<(), VaultError> {
    if meta.get("layout")?.as_deref() == Some(LAYOUT_V1) {
        meta.insert("layout", LAYOUT_VERSION)?;
        db.flush()?;
    }
    Ok(())
}

/// The vault's token root, unwrapped under `master`; a vault without one (new, or made
/// before there was one) takes `master` as its root, so its tokens stay what they were.
fn token_root(
    db: &sled::Db,
    meta: &sled::Tree,
    master: &MasterKey,
    path: &str,
) -> Result<MasterKey, VaultError> {
    match meta.get("tokenroot")? {
        Some(w) => unwrap_root(master, &w)?.ok_or(VaultError::WrongKey { path: path.into() }),
        None => {
            let root = keychain::copy(master);
            meta.insert("tokenroot", wrap_root(master, &root)?)?;
            db.flush()?;
            Ok(root)
        }
    }
}

fn read_u64(v: Option<sled::IVec>) -> Result<u64, VaultError> {
    match v {
        Some(v) => Ok(u64::from_be_bytes(
            v.as_ref().try_into().map_err(|_| VaultError::Corrupt)?,
        )),
        None => Ok(0),
    }
}

impl SledVault {
    /// Checks, without writing anything, that `dir` holds a sled vault: a directory with
    /// sled's `conf` and a non-empty `db`. What is inside is judged when it is opened.
    pub fn check_existing(dir: &Path) -> Result<(), VaultError> {
        let path = dir.display().to_string();
        match std::fs::metadata(dir) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(VaultError::NotFound { path })
            }
            Err(e) => {
                return Err(VaultError::Open {
                    path,
                    reason: e.to_string(),
                })
            }
            Ok(m) if !m.is_dir() => return Err(VaultError::NotAVault { path }),
            Ok(_) => {}
        }
        let is_file = |name: &str| std::fs::metadata(dir.join(name)).is_ok_and(|m| m.is_file());
        let db_len = std::fs::metadata(dir.join("db")).map_or(0, |m| m.len());
        if is_file("conf") && is_file("db") && db_len > 0 {
            Ok(())
        } else {
            Err(VaultError::NotAVault { path })
        }
    }

    /// Opens the existing vault in `dir`; never creates one. A path that does not exist, or
    /// a directory that does not hold a vault, is refused before anything is written.
    pub fn open_existing(dir: &Path, master: &MasterKey) -> Result<SledVault, VaultError> {
        SledVault::open_existing_domain(dir, master, "")
    }

    /// [`SledVault::open_existing`] minting tokens in a token domain.
    pub fn open_existing_domain(
        dir: &Path,
        master: &MasterKey,
        domain: &str,
    ) -> Result<SledVault, VaultError> {
        SledVault::check_existing(dir)?;
        SledVault::open_with(dir, master, domain, OPEN_TIMEOUT)
    }

    /// Creates a new, empty vault in `dir`, which must not exist yet or be an empty
    /// directory (`phigate vault init`). An existing vault is never re-initialised.
    pub fn create(dir: &Path, master: &MasterKey) -> Result<SledVault, VaultError> {
        let path = dir.display().to_string();
        let cannot = |reason: String| VaultError::CannotCreate {
            path: path.clone(),
            reason,
        };
        match std::fs::read_dir(dir) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                std::fs::create_dir_all(dir).map_err(|e| cannot(e.to_string()))?;
            }
            Err(e) => return Err(cannot(e.to_string())),
            Ok(mut entries) => {
                if entries.next().is_some() {
                    return Err(cannot(if SledVault::check_existing(dir).is_ok() {
                        "a vault already exists there".into()
                    } else {
                        "the directory is not empty".into()
                    }));
                }
            }
        }
        SledVault::open_with(dir, master, "", OPEN_TIMEOUT)
    }

    /// Opens (or creates) the vault in `dir`. A vault created under another master key is
    /// refused before anything is read or written.
    pub fn open(dir: &Path, master: &MasterKey) -> Result<SledVault, VaultError> {
        SledVault::open_with(dir, master, "", OPEN_TIMEOUT)
    }

    /// Opens the vault minting tokens in a token `domain` (each outside destination can have
    /// its own, so two vendors' data sets cannot be joined on tokens unless the clinic gives
    /// them the same domain; reveal works for every domain's tokens), with a limit on how
    /// long opening may take: sled replays its log on open, and on some truncated logs it
    /// never finishes; rather than hang, the open fails (fail closed) and names the likely
    /// cause.
    pub fn open_with(
        dir: &Path,
        master: &MasterKey,
        domain: &str,
        timeout: std::time::Duration,
    ) -> Result<SledVault, VaultError> {
        let (db, meta) = open_checked(dir, master, timeout)?;
        let path = dir.display().to_string();
        if meta.get(ROTATION)?.is_some() {
            return Err(VaultError::Rotating { path });
        }
        let chain = KeyChain::new(master, read_u32(meta.get("keybase")?, 0, &path)?);
        let root = token_root(&db, &meta, master, &path)?;
        let active = read_u32(meta.get("keyid")?, KEY_ID, &path)?;
        SledVault::assemble(dir, db, meta, chain, root, active, domain)
    }

    /// The vault over an opened database, its keys and its active key id.
    fn assemble(
        dir: &Path,
        db: sled::Db,
        meta: sled::Tree,
        chain: KeyChain,
        root: MasterKey,
        active: u32,
        domain: &str,
    ) -> Result<SledVault, VaultError> {
        let path = dir.display().to_string();
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
        let marked = meta.get("keyring")?.is_some();
        let keyring = Keyring::open(dir, &chain, active, marked)?;
        let sealer = Sealer::new(&chain, active)?;
        Ok(SledVault {
            tokens,
            index: db.open_tree("index")?,
            // Index entries outnumber records when patients share values.
            absent: Arc::new(AbsentKeys::with_capacity(base_count.saturating_mul(2))),
            holdings: db.open_tree("holdings")?,
            memory: db.open_tree("memory")?,
            memory_links: db.open_tree("memory_links")?,
            db,
            minter: TokenMinter::new(&root, domain),
            domain: domain.to_string(),
            index_key: Arc::new(IndexKey::new(&root)),
            recent: Arc::default(),
            check: IndexKey::new(chain.current()).key_check(),
            sealer: Arc::new(sealer),
            keyring: Arc::new(keyring),
            keyring_marked: Arc::new(AtomicBool::new(marked)),
            root,
            chain,
            meta,
            commit: Arc::default(),
            base_count,
            inserted: Arc::default(),
            removed: Arc::default(),
            holding: Arc::default(),
            #[cfg(test)]
            fail_inserts: Arc::default(),
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
            absent: Arc::clone(&self.absent),
            holdings: self.holdings.clone(),
            memory: self.memory.clone(),
            memory_links: self.memory_links.clone(),
            minter: TokenMinter::new(&self.root, domain),
            domain: domain.to_string(),
            index_key: Arc::clone(&self.index_key),
            recent: Arc::clone(&self.recent),
            check: self.check,
            sealer: Arc::clone(&self.sealer),
            keyring: Arc::clone(&self.keyring),
            keyring_marked: Arc::clone(&self.keyring_marked),
            root: keychain::copy(&self.root),
            chain: self.chain.clone(),
            meta: self.meta.clone(),
            commit: Arc::clone(&self.commit),
            base_count: self.base_count,
            inserted: Arc::clone(&self.inserted),
            removed: Arc::clone(&self.removed),
            holding: Arc::clone(&self.holding),
            #[cfg(test)]
            fail_inserts: Arc::clone(&self.fail_inserts),
        }
    }

    /// Number of tokens held.
    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    /// Number of patients (subjects) with a data key.
    pub fn subjects(&self) -> Result<usize, VaultError> {
        self.keyring.len()
    }

    /// Records made unrevealable by forgetting patients, over the vault's life.
    pub fn forgotten(&self) -> Result<u64, VaultError> {
        read_u64(self.meta.get("forgotten")?)
    }

    /// Bytes the vault occupies on disk (sled's files and the keyring).
    pub fn size_on_disk(&self) -> Result<u64, VaultError> {
        Ok(self.db.size_on_disk()? + self.keyring.file_len()?)
    }

    /// The subject id of a patient key (see [`canonical_patient_key`]): a keyed hash, never
    /// the key itself. `None` for an empty key.
    pub fn subject_id(&self, patient_key: &str) -> Option<SubjectId> {
        self.index_key.subject_id(patient_key)
    }

    /// Who holds copies of a token's value; `None` if the vault does not know the token.
    pub fn holders(&self, token: &str) -> Result<Option<Holders>, VaultError> {
        let Some(held) = self.tokens.get(token.as_bytes())? else {
            return Ok(None);
        };
        if shared::is_shared(&held) {
            let rows = self.holding_rows(token.as_bytes())?;
            return Ok(Some(Holders::from_holders(rows.iter().map(|(h, _)| *h))));
        }
        Ok(Some(Holders::of(&record::copies(&held)?)))
    }

    /// Decrypts every copy of every record; returns how many records were checked. Any
    /// failure is an error, and so is finding fewer records than the durable count; more
    /// (mappings minted just before a crash or a failed flush) are adopted into the count.
    /// Forgotten records are gone and only counted ([`Self::forgotten`]).
    pub fn verify(&self) -> Result<usize, VaultError> {
        let mut n = 0;
        let mut orphans = 0;
        for item in self.tokens.iter() {
            let (token, held) = item?;
            let keys = self.keyring.read()?;
            if shared::is_shared(&held) {
                let rows = self.holding_rows(&token)?;
                if rows.is_empty() {
                    // A forget stopped after removing the last holder's row: no key can
                    // open the value any more, so the record finishes going.
                    self.tokens.remove(&token)?;
                    orphans += 1;
                    continue;
                }
                for (holder, row) in &rows {
                    let vk = shared::unwrap_row(&self.sealer, &keys, &token, *holder, row)?;
                    shared::open_value(&vk, &token, &held)?;
                }
            } else {
                self.sealer
                    .open_all(&token, &record::copies(&held)?, &keys)?;
            }
            n += 1;
        }
        if orphans > 0 {
            self.removed.fetch_add(orphans, Ordering::Relaxed);
            let total = self.forgotten()? + orphans;
            self.meta.insert("forgotten", &total.to_be_bytes())?;
            self.flush()?;
        }
        let expected = self.expected_count();
        let found = n as u64;
        if found < expected {
            return Err(VaultError::Missing { expected, found });
        }
        if found > expected {
            // Mappings that reached disk after the last durable count: minted before a
            // crash or a failed flush, never handed out, and every copy just decrypted.
            // The count only guards against loss, so it adopts them.
            self.inserted.fetch_add(found - expected, Ordering::Relaxed);
            self.flush()?;
        }
        Ok(n)
    }

    /// How many records the vault should hold, by its own durable count.
    fn expected_count(&self) -> u64 {
        (self.base_count + self.inserted.load(Ordering::Relaxed))
            .saturating_sub(self.removed.load(Ordering::Relaxed))
    }

    /// Writes the durable record count (flushed with the records it counts).
    fn record_count(&self) -> Result<(), VaultError> {
        self.meta
            .insert("count", &self.expected_count().to_be_bytes())?;
        Ok(())
    }

    /// Forgets a patient (crypto-shredding; see the module documentation): removes the
    /// subject's copies and look-ups, flushes, then destroys the subject's key. Refused with
    /// [`VaultError::UnknownSubject`] if the vault holds no key for the subject. Takes a
    /// scan of every record, and holds off every use of subject keys meanwhile.
    ///
    /// The patient's memory goes first, whichever of its patient keys `sid` is (a key
    /// that only ever reached the memory, with no record of its own, forgets the memory).
    pub fn forget(&self, sid: &SubjectId) -> Result<Forgotten, VaultError> {
        let memory = self.forget_memory(sid)?;
        let records = self.forget_records(sid);
        // Whatever the outcome, index entries may be gone: no remembered look-up may
        // answer for them.
        self.recent.invalidate();
        match records {
            Err(VaultError::UnknownSubject) if memory > 0 => {
                self.db.flush()?;
                Ok(Forgotten::default())
            }
            other => other,
        }
    }

    /// [`SledVault::forget`] of the subject's records and key.
    fn forget_records(&self, sid: &SubjectId) -> Result<Forgotten, VaultError> {
        let mine = Holder::Subject(*sid);
        self.keyring.forget(sid, || {
            let mut out = Forgotten::default();
            for item in self.tokens.iter() {
                let (token, mut held) = item?;
                if shared::is_shared(&held) {
                    continue; // its holders are rows, below
                }
                while let Some(left) = record::without(&record::copies(&held)?, mine) {
                    let next = (!left.is_empty()).then(|| record::encode(&left));
                    match self.tokens.compare_and_swap(&token, Some(&held), next)? {
                        Ok(()) => {
                            out.tally(&left);
                            break;
                        }
                        // Another writer added a copy meanwhile: edit what is there now.
                        Err(e) => match e.current {
                            Some(now) => held = now,
                            None => break,
                        },
                    }
                }
            }
            self.forget_holdings(sid, &mut out)?;
            for item in self.index.scan_prefix(sid) {
                let (k, _) = item?;
                if lookup_subject(&k).is_some() {
                    self.index.remove(k)?;
                }
            }
            self.removed.fetch_add(out.records, Ordering::Relaxed);
            let total = self.forgotten()? + out.records;
            self.meta.insert("forgotten", &total.to_be_bytes())?;
            self.record_count()?;
            // The copies leave the live tree before the key is destroyed.
            self.db.flush()?;
            Ok(out)
        })
    }

    /// Removes the memory `sid` reaches, every link to it and its back links; the rows
    /// removed. Runs with the gateway stopped, as every forget does.
    fn forget_memory(&self, sid: &SubjectId) -> Result<u64, VaultError> {
        let Some(id) = self
            .memory_links
            .get(sid)?
            .and_then(|v| memory::read_sid(&v))
        else {
            return Ok(0);
        };
        let mut removed = 0;
        for item in self.memory.scan_prefix(id) {
            let (k, v) = item?;
            self.memory.remove(k)?;
            removed += memory::forms_in(&v) as u64;
        }
        for item in self.memory_links.scan_prefix(id) {
            let (k, _) = item?;
            if k.len() == memory::BACK_LINK_LEN {
                self.memory_links.remove(&k[id.len()..])?;
                self.memory_links.remove(&k)?;
                removed += 2;
            }
        }
        if self.memory_links.remove(sid)?.is_some() {
            removed += 1;
        }
        Ok(removed)
    }

    /// Rows of the patient memory a patient key reaches (its forms and the links to it,
    /// counted as PostgreSQL counts them); 0 when it reaches none.
    pub fn memory_rows(&self, patient_key: &str) -> Result<usize, VaultError> {
        let Some(sid) = self.subject_id(patient_key) else {
            return Ok(0);
        };
        let Some(id) = self
            .memory_links
            .get(sid)?
            .and_then(|v| memory::read_sid(&v))
        else {
            return Ok(0);
        };
        let mut forms = 0;
        for item in self.memory.scan_prefix(id).values() {
            forms += memory::forms_in(&item?);
        }
        let back = self
            .memory_links
            .scan_prefix(id)
            .keys()
            .filter(|k| k.as_ref().is_ok_and(|k| k.len() == memory::BACK_LINK_LEN))
            .count();
        Ok(forms + back)
    }

    /// Every memory row of the vault (forms, links and back links), whatever patient,
    /// counted as PostgreSQL counts them (one a form); an unreadable row counts as none.
    pub fn memory_len(&self) -> usize {
        let forms: usize = self
            .memory
            .iter()
            .values()
            .filter_map(Result::ok)
            .map(|v| memory::forms_in(&v))
            .sum();
        forms + self.memory_links.len()
    }

    /// The memory a document's patient keys reach ([`TokenStore::open_memory`]).
    fn open_memory_of(&self, patients: &[&str]) -> Result<Option<Memory>, VaultError> {
        let sids = memory::subject_ids(&self.index_key, patients);
        let mut links = Vec::with_capacity(sids.len());
        for sid in &sids {
            links.push(
                self.memory_links
                    .get(sid)?
                    .and_then(|v| memory::read_sid(&v)),
            );
        }
        let Some((id, existed, unlinked)) = memory::resolve(&sids, &links) else {
            return Ok(None);
        };
        let mut forms = rustc_hash::FxHashMap::default();
        if existed {
            for item in self.memory.scan_prefix(id) {
                let (k, v) = item?;
                forms.extend(memory::read_forms(&k, &v));
            }
        }
        Ok(Some(memory::memory(&self.index_key, id, forms, unlinked)))
    }

    /// Writes new forms and links ([`TokenStore::extend_memory`]). Not flushed here: the
    /// document's token commit flushes the database, and a memory lost to a crash is
    /// learned again from the patient's next structured payload.
    fn extend_memory_of(&self, m: &Memory, new: &[(u64, Remembered)]) -> Result<(), VaultError> {
        let id = m.id();
        for sid in m.unlinked() {
            self.memory_links.insert(sid, &id[..])?;
            self.memory_links.insert(memory::back_link(id, sid), &[])?;
        }
        if let Some((key, value)) = memory::pack(id, new) {
            self.memory
                .fetch_and_update(key, |old| Some(memory::append_row(old, &key, &value)))?;
        }
        Ok(())
    }

    /// Removes the subject's holding rows; a shared record whose last row goes, goes too.
    fn forget_holdings(&self, sid: &SubjectId, out: &mut Forgotten) -> Result<(), VaultError> {
        let mut tokens = Vec::new();
        for item in self.holdings.iter() {
            let (k, _) = item?;
            if let Some((token, Holder::Subject(s))) = shared::parse_holding_key(&k) {
                if s == *sid {
                    tokens.push(token.to_vec());
                    self.holdings.remove(&k)?;
                }
            }
        }
        for token in tokens {
            let left = self
                .holdings
                .scan_prefix(shared::holdings_prefix(&token))
                .next()
                .transpose()?;
            let shared_record = self
                .tokens
                .get(&token)?
                .is_some_and(|r| shared::is_shared(&r));
            if !shared_record {
                continue; // rows left by a conversion that never finished
            }
            if left.is_none() {
                self.tokens.remove(&token)?;
                out.records += 1;
            } else {
                out.shared += 1;
            }
        }
        Ok(())
    }

    /// Re-encrypts every vault-wide copy under a new encryption key and re-wraps every
    /// subject key and every vault-wide data key under the new id's keys; no token changes.
    /// The new id derives from the same master key, so this retires a value key, not the
    /// master key: after a master-key exposure, rotate to a new key file
    /// ([`SledVault::rotate_master`]).
    pub fn rotate_key(&self) -> Result<Rotation, VaultError> {
        // Tokens and look-up keys survive a rotation; the remembered look-ups are dropped
        // anyway, so nothing read before it is answered after it.
        self.recent.invalidate();
        let new_id = self.sealer.add_next(&self.chain)?;
        let r = self.rewrap_all(new_id)?;
        self.meta.insert("keyid", &new_id.to_be_bytes())?;
        self.db.flush()?;
        Ok(r)
    }

    /// Rotates the vault in `dir` from the master key `old` to the master key `new`: every
    /// subject key, vault-wide copy and vault-wide data key is re-wrapped or re-sealed under
    /// keys derived from `new` (a new key id), and the token root is wrapped under `new`, so
    /// tokens stay the same. Afterwards `old` opens nothing.
    ///
    /// Resumable: the rotation is recorded (new key id, `new`'s key check) before anything
    /// moves, and every item names the key id it is under, so a run cut short is finished
    /// by running it again with the same two keys; meanwhile the vault refuses to open with
    /// either key alone ([`VaultError::Rotating`]). The switch to `new` (key check, token
    /// root, retired ids) is one atomic batch at the end. Run again after it finished, it
    /// reports `already_done`.
    pub fn rotate_master(
        dir: &Path,
        old: &MasterKey,
        new: &MasterKey,
    ) -> Result<Rotation, VaultError> {
        SledVault::check_existing(dir)?;
        let path = dir.display().to_string();
        let (db, meta) = open_layout(dir, old, OPEN_TIMEOUT)?;
        let old_check = IndexKey::new(old).key_check();
        let new_check = IndexKey::new(new).key_check();
        let stored = meta.get("keycheck")?;
        let pending = meta.get(ROTATION)?;
        let active = read_u32(meta.get("keyid")?, KEY_ID, &path)?;
        if pending.is_none() && stored.as_deref() == Some(new_check.as_ref()) {
            return Ok(Rotation {
                key_id: active,
                new_master: true,
                already_done: true,
                ..Rotation::default()
            });
        }
        if stored.as_deref() != Some(old_check.as_ref()) {
            return Err(VaultError::WrongKey { path });
        }
        if old_check.as_ref() == new_check.as_ref() {
            return Err(VaultError::SameKey { path });
        }
        upgrade_v1(&db, &meta)?;
        let base = read_u32(meta.get("keybase")?, 0, &path)?;
        let new_id = match pending {
            Some(p) if p.len() == 4 + new_check.as_ref().len() => {
                if &p[4..] != new_check.as_ref() {
                    return Err(VaultError::OtherRotation { path });
                }
                u32::from_be_bytes([p[0], p[1], p[2], p[3]])
            }
            Some(_) => return Err(VaultError::Layout { path }),
            None => {
                let id = active + 1;
                meta.insert(
                    ROTATION,
                    [&id.to_be_bytes()[..], new_check.as_ref()].concat(),
                )?;
                db.flush()?;
                id
            }
        };
        crate::failpoint::hit("rotate.marked");
        let root = token_root(&db, &meta, old, &path)?;
        let chain = KeyChain::rotating(old, base, new, new_id);
        let v = SledVault::assemble(dir, db, meta, chain, root, new_id, "")?;
        let mut r = v.rewrap_all(new_id)?;
        crate::failpoint::hit("rotate.keys-rewrapped");
        let mut done = sled::Batch::default();
        done.insert("keycheck", new_check.as_ref());
        done.insert("tokenroot", wrap_root(new, &v.root)?);
        done.insert("keybase", &new_id.to_be_bytes());
        done.insert("keyid", &new_id.to_be_bytes());
        done.remove(ROTATION);
        v.meta.apply_batch(done)?;
        v.db.flush()?;
        r.new_master = true;
        Ok(r)
    }

    /// Moves everything under a vault-wide key id other than `new_id` to `new_id`, and
    /// re-wraps the keyring under it; items already there are left (so a rotation cut short
    /// resumes where it stopped).
    fn rewrap_all(&self, new_id: u32) -> Result<Rotation, VaultError> {
        let mut n = 0;
        for item in self.tokens.iter() {
            let (token, mut held) = item?;
            if shared::is_shared(&held) {
                continue; // sealed under its own data key; its vault-wide row is below
            }
            let token_str = std::str::from_utf8(&token).map_err(|_| VaultError::Corrupt)?;
            loop {
                let mut copies = record::copies(&held)?;
                let Some(i) = copies
                    .iter()
                    .position(|c| matches!(c.key, KeyRef::Vault(id) if id != new_id))
                else {
                    break;
                };
                rotation_trip()?;
                let keys = self.keyring.read()?;
                let revealed = self.sealer.open(&token, &copies[i], &keys)?;
                copies[i] = self.sealer.seal(
                    token_str,
                    Holder::Vault,
                    revealed.ty,
                    &revealed.value,
                    &keys,
                )?;
                drop(keys);
                match self.tokens.compare_and_swap(
                    &token,
                    Some(&held),
                    Some(record::encode(&copies)),
                )? {
                    Ok(()) => {
                        n += 1;
                        break;
                    }
                    Err(e) => match e.current {
                        Some(now) => held = now,
                        None => break,
                    },
                }
            }
        }
        let mut value_keys = 0;
        for item in self.holdings.iter() {
            let (k, row) = item?;
            let Some((token, Holder::Vault)) = shared::parse_holding_key(&k) else {
                continue;
            };
            if shared::row_key_id(&row) == Some(new_id) {
                continue;
            }
            rotation_trip()?;
            let keys = self.keyring.read()?;
            let vk = shared::unwrap_row(&self.sealer, &keys, token, Holder::Vault, &row)?;
            let moved =
                shared::wrap_under(&self.sealer, &keys, token, Holder::Vault, &vk, Some(new_id))?;
            self.holdings.insert(&k, moved)?;
            value_keys += 1;
        }
        // The keyring names its wrapping key id in every entry, so either order reopens;
        // the records go first and are on disk before it.
        self.db.flush()?;
        crate::failpoint::hit("rotate.records-rewrapped");
        let subject_keys = self.keyring.rewrap(new_id)?;
        Ok(Rotation {
            key_id: new_id,
            re_encrypted: n,
            subject_keys,
            value_keys,
            ..Rotation::default()
        })
    }

    /// The token root: what the engine derives date shifts from (tokens too), the same
    /// before and after a master-key rotation.
    pub fn token_root(&self) -> MasterKey {
        keychain::copy(&self.root)
    }

    /// Every stored entry, for backups: (tree, key, value). Values are already encrypted,
    /// index keys are keyed hashes, and subject keys are wrapped, so nothing here is
    /// plaintext.
    ///
    /// Read in the reverse of the order a mapping is written (a patient's key, then a
    /// shared value's holding row, then the record, then the look-up), each tree when the
    /// one before it is done, so a backup taken while the gateway mints is consistent
    /// without stopping it: every look-up read has its record, read later, and every record
    /// and holding its key, read last. Mappings minted meanwhile may be in it or not; none
    /// is half in. (Forgetting, which deletes, needs the gateway stopped.) The token root
    /// comes first: it never changes once made. Import restores keys first whatever the
    /// order in the file.
    pub fn entries(
        &self,
    ) -> impl Iterator<Item = Result<(TreeId, sled::IVec, sled::IVec), VaultError>> + '_ {
        let index = self.index.iter().map(|r| {
            r.map(|(k, v)| (TreeId::Index, k, v))
                .map_err(VaultError::from)
        });
        let tokens = self.tokens.iter().map(|r| {
            r.map(|(k, v)| (TreeId::Tokens, k, v))
                .map_err(VaultError::from)
        });
        let holdings = self.holdings.iter().map(|r| {
            r.map(|(k, v)| (TreeId::Holdings, k, v))
                .map_err(VaultError::from)
        });
        // Patient memories travel too: a restored vault recalls what the original did.
        let memory = self.memory.iter().map(|r| {
            r.map(|(k, v)| (TreeId::Memory, k, v))
                .map_err(VaultError::from)
        });
        let links = self.memory_links.iter().map(|r| {
            r.map(|(k, v)| (TreeId::MemoryLinks, k, v))
                .map_err(VaultError::from)
        });
        // Lazily: the keyring is read only once every record and holding has been.
        let ring = std::iter::once(()).flat_map(move |()| {
            let ring: Vec<Result<(TreeId, sled::IVec, sled::IVec), VaultError>> =
                match self.keyring.export() {
                    Ok(entries) => entries
                        .into_iter()
                        .map(|(sid, body)| {
                            Ok((TreeId::Keyring, sled::IVec::from(&sid[..]), body.into()))
                        })
                        .collect(),
                    Err(e) => vec![Err(e)],
                };
            ring
        });
        // The token root, wrapped under the master key as the vault keeps it: a vault
        // restored from the backup mints the same tokens, whatever key it was created under.
        let root = match self.meta.get("tokenroot") {
            Ok(Some(w)) => vec![Ok((TreeId::Meta, sled::IVec::from("tokenroot"), w))],
            Ok(None) => Vec::new(),
            Err(e) => vec![Err(e.into())],
        };
        root.into_iter()
            .chain(index)
            .chain(tokens)
            .chain(holdings)
            .chain(memory)
            .chain(links)
            .chain(ring)
    }

    /// Restores one backed-up record or index entry (keyring entries go through
    /// [`Self::restore_keyring`], all at once).
    pub fn restore_entry(&self, tree: TreeId, key: &[u8], value: &[u8]) -> Result<(), VaultError> {
        match tree {
            TreeId::Tokens => {
                if self.tokens.insert(key, value)?.is_none() {
                    self.inserted.fetch_add(1, Ordering::Relaxed);
                }
            }
            TreeId::Index => {
                self.absent.mark(key);
                let written = self.index.insert(key, value);
                // After the write: a look-up between an earlier invalidation and the write
                // could remember the entry it replaces.
                self.recent.invalidate();
                written?;
            }
            TreeId::Holdings => {
                self.holdings.insert(key, value)?;
            }
            TreeId::Memory => {
                self.memory.insert(key, value)?;
            }
            TreeId::MemoryLinks => {
                self.memory_links.insert(key, value)?;
            }
            TreeId::Meta => {
                // The handle keeps the root it opened with; reopen to mint.
                self.check_meta_entry(key, value)?;
                self.meta.insert("tokenroot", value)?;
            }
            TreeId::Keyring => {
                return Err(VaultError::Storage(
                    "keyring entries are restored together".into(),
                ))
            }
        };
        Ok(())
    }

    /// Whether a backed-up metadata entry may be restored: only the token root, made under
    /// this vault's master key (a backup's key check matched it), so it must open.
    pub fn check_meta_entry(&self, key: &[u8], value: &[u8]) -> Result<(), VaultError> {
        if key != b"tokenroot" {
            return Err(VaultError::Corrupt);
        }
        unwrap_root(self.chain.current(), value)?.ok_or(VaultError::Corrupt)?;
        Ok(())
    }

    /// Restores backed-up keyring entries (subject id, wrapped key) into this vault's empty
    /// keyring, wrapped under key id `wrap_id`; written and synced before it returns.
    pub fn restore_keyring(
        &self,
        entries: &[(Vec<u8>, Vec<u8>)],
        wrap_id: u32,
    ) -> Result<(), VaultError> {
        self.keyring.restore(entries, wrap_id)?;
        if !entries.is_empty() {
            self.meta.insert("keyring", b"1")?;
            self.keyring_marked.store(true, Ordering::Relaxed);
        }
        Ok(())
    }

    /// Sets the forgotten-record count (after an import).
    pub fn restore_forgotten(&self, n: u64) -> Result<(), VaultError> {
        self.meta.insert("forgotten", &n.to_be_bytes())?;
        Ok(())
    }

    /// The active value-encryption key id.
    pub fn active_key_id(&self) -> Result<u32, VaultError> {
        self.sealer.active_id()
    }

    /// Makes key ids up to `id` usable and `id` active (after an import).
    pub fn activate_key_id(&self, id: u32) -> Result<(), VaultError> {
        self.sealer.activate(&self.chain, id)?;
        self.keyring.set_wrap_id(id)?;
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
    pub fn key_check(&self) -> ring::hmac::Tag {
        self.check
    }

    /// The token for one value: an existing mapping, or a new one (not yet flushed).
    fn token_for(
        &self,
        sid: Option<&SubjectId>,
        ty: PhiType,
        value: &str,
        exact: bool,
    ) -> Result<String, VaultError> {
        let norm = token_input(ty, value, exact);
        self.token_of(sid, ty, value, exact, &norm, None, None)
    }

    /// [`SledVault::token_for`] a value whose token input `norm` is known, and perhaps its
    /// first-attempt token `first` (a provisional token this vault's minter made). `memo`:
    /// another key to remember an existing mapping under ([`recent::prepared_key`]).
    #[allow(clippy::too_many_arguments)]
    fn token_of(
        &self,
        sid: Option<&SubjectId>,
        ty: PhiType,
        value: &str,
        exact: bool,
        norm: &str,
        first: Option<&str>,
        memo: Option<&[u8]>,
    ) -> Result<String, VaultError> {
        // Read before anything is looked up: an invalidation after it refuses what this
        // look-up would remember.
        let generation = self.recent.generation();
        let remember = |key: &[u8], token: &str| {
            self.recent.remember(generation, key, token);
            if let Some(memo) = memo {
                self.recent.remember(generation, memo, token);
            }
        };
        let key = self.index_key.lookup(&self.domain, sid, ty, norm);
        if let Some(token) = self.recent.get(&key) {
            if let Some(memo) = memo {
                self.recent.remember(generation, memo, &token);
            }
            return Ok(token);
        }
        // A key never written skips the read (see [`super::absent`]).
        if !self.absent.surely_absent(&self.index, &key) {
            if let Some(token) = self.index.get(&key)? {
                let token = String::from_utf8(token.to_vec()).map_err(|_| VaultError::Corrupt)?;
                remember(&key, &token);
                return Ok(token);
            }
        }
        self.commit
            .inserting(|| self.insert_mapping(sid, ty, value, exact, norm, &key, first))
    }

    /// Mints and stores a new mapping, or adds this holder's copy to the record of a token
    /// other holders already have (inside a flush generation). `first`: the first-attempt
    /// token when already minted.
    #[allow(clippy::too_many_arguments)]
    fn insert_mapping(
        &self,
        sid: Option<&SubjectId>,
        ty: PhiType,
        value: &str,
        exact: bool,
        norm: &str,
        key: &[u8],
        first: Option<&str>,
    ) -> Result<String, VaultError> {
        // A new patient's key is written and synced here, before anything is sealed under
        // it; the read guard keeps a forget of this patient out until the copy is stored.
        let keys = match sid {
            Some(s) => {
                let keys = self.keyring.ensure(s)?;
                if !self.keyring_marked.load(Ordering::Relaxed) {
                    // Flushed with this mapping: from then on a missing keyring is damage.
                    self.meta.insert("keyring", b"1")?;
                    self.keyring_marked.store(true, Ordering::Relaxed);
                }
                keys
            }
            None => self.keyring.read()?,
        };
        let holder = sid.map_or(Holder::Vault, |s| Holder::Subject(*s));
        // Before the index entry is written: the filter never calls a held key absent.
        self.absent.mark(key);
        let mut attempt = 0;
        loop {
            let token = match first {
                Some(first) if attempt == 0 => first.to_string(),
                _ => self.minter.mint(ty, norm, attempt),
            };
            let copy = self.sealer.seal(&token, holder, ty, value, &keys)?;
            // Most values are new: one record with one copy.
            let new = record::encode_one(&copy);
            let fresh =
                self.tokens
                    .compare_and_swap(token.as_bytes(), None as Option<&[u8]>, Some(new))?;
            let held = match fresh {
                Ok(()) => {
                    self.inserted.fetch_add(1, Ordering::Relaxed);
                    #[cfg(test)]
                    if super::keyring::trip(&self.fail_inserts) {
                        return Err(VaultError::Storage("injected insert failure".into()));
                    }
                    true
                }
                Err(_) => match self.add_holder(&token, holder, ty, norm, exact, &keys)? {
                    Added::Held => true,
                    // Two values share a token (a collision): the next attempt derives
                    // another token, the same way on every machine.
                    Added::Collision => {
                        attempt += 1;
                        false
                    }
                    Added::Gone => false,
                },
            };
            if held {
                self.index.insert(key, token.as_bytes())?;
                return Ok(token);
            }
        }
    }

    /// Makes `holder` a holder of the existing record of `token`, if it holds this value:
    /// a row for a shared record; for a one-copy record, its conversion into a shared
    /// record (see [`super::shared`]). Serialised with other holders being added.
    fn add_holder(
        &self,
        token: &str,
        holder: Holder,
        ty: PhiType,
        norm: &str,
        exact: bool,
        keys: &Keys,
    ) -> Result<Added, VaultError> {
        let _one_at_a_time = self
            .holding
            .lock()
            .map_err(|_| VaultError::Storage("holding lock poisoned".into()))?;
        let t = token.as_bytes();
        let Some(held) = self.tokens.get(t)? else {
            return Ok(Added::Gone);
        };
        if shared::is_shared(&held) {
            let vk = self.value_key(t, keys)?;
            let other = shared::open_value(&vk, t, &held)?;
            if !same_value(&other, ty, norm, exact) {
                return Ok(Added::Collision);
            }
            let hk = shared::holding_key(t, holder);
            if !self.holdings.contains_key(&hk)? {
                let row = shared::wrap_for(&self.sealer, keys, t, holder, &vk)?;
                self.holdings.insert(hk, row)?;
            }
            return Ok(Added::Held);
        }
        let copies = record::copies(&held)?;
        let other = self.sealer.open_any(t, &copies, keys)?;
        if !same_value(&other, ty, norm, exact) {
            return Ok(Added::Collision);
        }
        if record::held_by(&copies, holder) {
            // Another writer minted this very value for this holder a moment ago (or a
            // failure came between record and index).
            return Ok(Added::Held);
        }
        // A second holder: the value is sealed once under its own data key, and every
        // holder gets a row. The rows go first; the record is replaced last, so a crash in
        // between leaves the old record in force (the next conversion rewrites the rows).
        let vk = shared::ValueKey::generate(&ring::rand::SystemRandom::new())?;
        let holders = copies.iter().map(|c| c.key.holder()).chain([holder]);
        for h in holders {
            let row = shared::wrap_for(&self.sealer, keys, t, h, &vk)?;
            self.holdings.insert(shared::holding_key(t, h), row)?;
        }
        self.tokens
            .insert(t, shared::seal_value(&vk, token, other.ty, &other.value)?)?;
        Ok(Added::Held)
    }

    /// The data key of a shared record, from the first of its rows that unwraps: read one
    /// row at a time, so a value held by every patient costs one row, not all of them.
    fn value_key(&self, token: &[u8], keys: &Keys) -> Result<shared::ValueKey, VaultError> {
        let mut failure = VaultError::Corrupt;
        for item in self.holdings.scan_prefix(shared::holdings_prefix(token)) {
            let (k, row) = item?;
            let (_, holder) = shared::parse_holding_key(&k).ok_or(VaultError::Corrupt)?;
            match shared::unwrap_row(&self.sealer, keys, token, holder, &row) {
                Ok(vk) => return Ok(vk),
                Err(e) => failure = e,
            }
        }
        Err(failure)
    }

    /// The holding rows of `token`: (holder, row).
    fn holding_rows(&self, token: &[u8]) -> Result<Vec<(Holder, sled::IVec)>, VaultError> {
        let mut out = Vec::new();
        for item in self.holdings.scan_prefix(shared::holdings_prefix(token)) {
            let (k, row) = item?;
            let (_, holder) = shared::parse_holding_key(&k).ok_or(VaultError::Corrupt)?;
            out.push((holder, row));
        }
        Ok(out)
    }

    /// The value of a stored record (either form).
    fn open_record(&self, token: &[u8], held: &[u8], keys: &Keys) -> Result<Revealed, VaultError> {
        if shared::is_shared(held) {
            let vk = self.value_key(token, keys)?;
            shared::open_value(&vk, token, held)
        } else {
            self.sealer.open_any(token, &record::copies(held)?, keys)
        }
    }
}

impl SledVault {
    /// Makes a batch's new mappings durable (group commit); values that all had tokens
    /// need no flush once every mapping is on disk.
    fn sync_batch(&self) -> Result<(), VaultError> {
        if !self.commit.all_durable() {
            self.record_count()?;
            self.commit.sync(&self.db)?;
        }
        Ok(())
    }
}

/// What adding a holder to an existing record came to.
enum Added {
    /// The holder holds the value now.
    Held,
    /// The record holds another value.
    Collision,
    /// The record went meanwhile: mint afresh.
    Gone,
}

impl TokenStore for SledVault {
    /// Mints or finds every token of the batch (sealing new values under the patient's
    /// subject key), then flushes once (group commit) unless every mapping is already on
    /// disk: no token is returned before its mapping is.
    fn tokenize_for(
        &self,
        patient: Option<&str>,
        batch: &[TokenRequest<'_>],
        exact: bool,
    ) -> Result<Vec<String>, TokenError> {
        let sid = patient.and_then(|p| self.subject_id(p));
        let tokens = batch
            .iter()
            .map(|r| self.token_for(sid.as_ref(), r.ty, r.value, exact))
            .collect::<Result<Vec<_>, _>>()?;
        self.sync_batch()?;
        Ok(tokens)
    }

    /// [`TokenStore::tokenize_for`], reusing each value's token input and first attempt
    /// from its provisional token (the look-up key is still this vault's own keyed hash).
    fn tokenize_prepared(
        &self,
        patient: Option<&str>,
        batch: &[&Prepared],
        exact: bool,
    ) -> Result<Vec<String>, TokenError> {
        let sid = patient.and_then(|p| self.subject_id(p));
        let tokens = batch
            .iter()
            .map(|p| {
                // A value this vault's minter prepared is looked up by the keyed hash its
                // provisional token came from: a value seen before needs no look-up key.
                let memo = self
                    .minter
                    .own_tag(p, exact)
                    .map(|tag| recent::prepared_key(sid.as_ref(), self.minter.id(), tag));
                if let Some(token) = memo.as_deref().and_then(|k| self.recent.get(k)) {
                    return Ok(token);
                }
                let (norm, first) = self.minter.reuse(p, exact);
                self.token_of(
                    sid.as_ref(),
                    p.ty(),
                    p.value(),
                    exact,
                    &norm,
                    Some(&first),
                    memo.as_deref(),
                )
            })
            .collect::<Result<Vec<_>, _>>()?;
        self.sync_batch()?;
        Ok(tokens)
    }

    fn provisional(&self, ty: PhiType, value: &str, exact: bool) -> Option<String> {
        Some(self.minter.first(ty, value, exact))
    }

    fn prepare(&self, ty: PhiType, value: &str, exact: bool) -> Option<Prepared> {
        Some(self.minter.prepare(ty, value, exact))
    }

    fn open_memory(&self, patients: &[&str]) -> Result<Option<Memory>, TokenError> {
        Ok(self.open_memory_of(patients)?)
    }

    fn extend_memory(&self, m: &Memory, new: &[(u64, Remembered)]) -> Result<(), TokenError> {
        Ok(self.extend_memory_of(m, new)?)
    }

    /// From the token index alone: nothing is opened.
    fn issued(&self, token: &str) -> Result<bool, TokenError> {
        Ok(self
            .tokens
            .contains_key(token.as_bytes())
            .map_err(VaultError::from)?)
    }

    fn reveal(&self, token: &str) -> Result<Option<Revealed>, TokenError> {
        match self
            .tokens
            .get(token.as_bytes())
            .map_err(VaultError::from)?
        {
            Some(held) => {
                let keys = self.keyring.read()?;
                Ok(Some(self.open_record(token.as_bytes(), &held, &keys)?))
            }
            None => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::keyring::Keys;
    use crate::vault::KEYRING_FILE;

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
        assert_eq!(
            v.commit.flushes.load(SeqCst),
            after_first,
            "nothing new: no flush"
        );
        v.tokenize(&[req("Ada Quill"), req("Bo Lark")], false)
            .expect("t");
        assert_eq!(
            v.commit.flushes.load(SeqCst),
            after_first + 1,
            "a new value flushes"
        );
        // Another domain view shares the generations: its new mapping is flushed too.
        let other = v.with_domain("vendor-b");
        other.tokenize(&[req("Ada Quill")], false).expect("t");
        assert_eq!(v.commit.flushes.load(SeqCst), after_first + 2);
    }

    #[test]
    fn a_batch_of_new_values_is_flushed_once() {
        use std::sync::atomic::Ordering::SeqCst;
        let dir = tempfile::tempdir().expect("tempdir");
        let v = SledVault::open(dir.path(), &key(6)).expect("open");
        let values: Vec<String> = (0..20).map(|i| format!("Batch Value {i}")).collect();
        let reqs: Vec<TokenRequest<'_>> = values
            .iter()
            .map(|value| TokenRequest {
                ty: PhiType::Name,
                value,
            })
            .collect();
        let before = v.commit.flushes.load(SeqCst);
        v.tokenize_for(Some("MRN:MRX-1"), &reqs, false)
            .expect("tokens");
        assert_eq!(v.commit.flushes.load(SeqCst), before + 1, "one flush");
        assert_eq!(v.len(), 20);
    }

    #[test]
    fn values_held_before_a_reopen_are_read_not_minted_again() {
        let dir = tempfile::tempdir().expect("tempdir");
        let reqs = [req(PhiType::Name, "Ada Quill"), req(PhiType::Mrn, "MRX-77")];
        let first = {
            let v = SledVault::open(dir.path(), &key(6)).expect("open");
            v.tokenize_for(Some("MRN:MRX-77"), &reqs, false)
                .expect("tokens")
        };
        let v = SledVault::open(dir.path(), &key(6)).expect("reopen");
        let flushes = v.commit.flushes.load(std::sync::atomic::Ordering::SeqCst);
        let again = v
            .tokenize_for(Some("MRN:MRX-77"), &reqs, false)
            .expect("again");
        assert_eq!(again, first);
        assert_eq!(
            v.commit.flushes.load(std::sync::atomic::Ordering::SeqCst),
            flushes,
            "found in the index (the filter knew them): nothing written, no flush"
        );
        let sid = v.subject_id("MRN:MRX-77").expect("sid");
        let k = v
            .index_key
            .lookup("", Some(&sid), PhiType::Name, "ada quill");
        assert!(!v.absent.surely_absent(&v.index, &k));
    }

    #[test]
    fn a_wrong_absent_answer_still_hands_out_the_stored_token() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut v = SledVault::open(dir.path(), &key(7)).expect("open");
        let reqs = [
            req(PhiType::Name, "Ada Quill"),
            req(PhiType::Phone, "555-0100"),
        ];
        let first = v
            .tokenize_for(Some("MRN:MRX-9"), &reqs, false)
            .expect("tokens");
        let vault_wide = v.tokenize(&reqs[..1], false).expect("vault-wide");
        let count = v.token_count().expect("count");
        v.absent = Arc::new(super::super::absent::AbsentKeys::wrong());
        v.recent.invalidate();
        assert_eq!(
            v.tokenize_for(Some("MRN:MRX-9"), &reqs, false)
                .expect("again"),
            first
        );
        assert_eq!(v.tokenize(&reqs[..1], false).expect("again"), vault_wide);
        assert_eq!(v.token_count().expect("count"), count, "no record added");
        assert_eq!(v.verify().expect("verify"), 2);
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
        let a = SledVault::open_with(dir.path(), &key(3), "vendor-a", OPEN_TIMEOUT)
            .expect("a")
            .tokenize(&req, false)
            .expect("ta");
        let b = SledVault::open_with(dir.path(), &key(3), "vendor-b", OPEN_TIMEOUT)
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
        let a2 = SledVault::open_with(dir.path(), &key(3), "vendor-a", OPEN_TIMEOUT)
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
            // sled may recover a prefix of its log. A prefix that ends after the last
            // durable count is what a crash part-way through a flush leaves (records never
            // acknowledged), so it cannot be told from one: what must hold is that every
            // record kept decrypts and nothing is invented.
            Ok(v) => match v.verify() {
                Ok(n) => assert!(n <= 3000, "{n} records from 3000"),
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

    fn req(ty: PhiType, value: &str) -> TokenRequest<'_> {
        TokenRequest { ty, value }
    }

    fn contains(hay: &[u8], needle: &[u8]) -> bool {
        hay.windows(needle.len()).any(|w| w == needle)
    }

    #[test]
    fn a_value_seen_again_after_its_patient_is_forgotten_is_stored_again() {
        // The second tokenisation is answered from the remembered look-ups; after the
        // forget, the third must reach the index, find nothing, and store the value anew.
        let dir = tempfile::tempdir().expect("tempdir");
        let v = SledVault::open(dir.path(), &key(8)).expect("open");
        let other = v.with_domain("other");
        let p = "MRN:MRX-30003";
        let reqs = [req(PhiType::Name, "Ysolde Farrant")];
        let first = v.tokenize_for(Some(p), &reqs, false).expect("first");
        assert_eq!(v.tokenize_for(Some(p), &reqs, false).expect("again"), first);
        let in_other = other.tokenize_for(Some(p), &reqs, false).expect("other");
        assert_eq!(v.len(), 2);
        // Forgotten through another domain's handle: every handle's memory is dropped.
        other
            .forget(&v.subject_id(p).expect("sid"))
            .expect("forget");
        assert_eq!(v.len(), 0);
        assert!(v.reveal(&first[0]).expect("reveal").is_none(), "forgotten");
        let after = v.tokenize_for(Some(p), &reqs, false).expect("after");
        assert_eq!(v.len(), 1, "stored again, not answered from memory");
        let back = v.reveal(&after[0]).expect("reveal").expect("held again");
        assert_eq!(back.value, "Ysolde Farrant");
        assert!(other.reveal(&in_other[0]).expect("reveal").is_none());
    }

    #[test]
    fn a_prepared_value_seen_again_after_its_patient_is_forgotten_is_stored_again() {
        // As above through a document's batch: the second commit is answered by the
        // prepared value's tag, and that memory goes with the forget too. Another patient's
        // look-up of the same value is their own.
        let dir = tempfile::tempdir().expect("tempdir");
        let v = SledVault::open(dir.path(), &key(9)).expect("open");
        let p = "MRN:MRX-30004";
        let prepared = || {
            v.prepare(PhiType::Name, "Ysolde Farrant", false)
                .expect("prepared")
        };
        let commit = |patient: &str| {
            let one = prepared();
            v.tokenize_prepared(Some(patient), &[&one], false)
                .expect("commit")
        };
        let first = commit(p);
        assert_eq!(first[0], prepared().token(), "the first attempt");
        assert_eq!(commit(p), first);
        assert_eq!(v.len(), 1);
        let other = commit("MRN:MRX-40004");
        assert_eq!(other, first, "one token per value");
        let sid = v.subject_id(p).expect("sid");
        v.forget(&sid).expect("forget");
        // The other patient still holds the value: its record stays.
        assert!(v.reveal(&first[0]).expect("reveal").is_some());
        v.forget(&v.subject_id("MRN:MRX-40004").expect("sid"))
            .expect("forget");
        assert_eq!(v.len(), 0);
        let after = commit(p);
        assert_eq!(v.len(), 1, "stored again, not answered from memory");
        let back = v.reveal(&after[0]).expect("reveal").expect("held again");
        assert_eq!(back.value, "Ysolde Farrant");
    }

    #[test]
    fn forgetting_a_patient_shreds_their_copies_and_nothing_of_anyone_else() {
        let dir = tempfile::tempdir().expect("tempdir");
        let a_values = ["Zebulon Quixote", "MRX-10001", "zq-canary@example.org"];
        let shared = "Dr Healey Calvert";
        let v = SledVault::open(dir.path(), &key(7)).expect("open");
        let a_key = "MRN:MRX-10001";
        let b_key = "MRN:MRX-20002";
        let mut reqs: Vec<TokenRequest<'_>> =
            a_values.iter().map(|x| req(PhiType::Name, x)).collect();
        reqs.push(req(PhiType::ProviderName, shared));
        let a_tokens = v.tokenize_for(Some(a_key), &reqs, true).expect("a");
        let b_tokens = v
            .tokenize_for(
                Some(b_key),
                &[
                    req(PhiType::Name, "Oswin Trask"),
                    req(PhiType::ProviderName, shared),
                ],
                true,
            )
            .expect("b");
        let none = v
            .tokenize(&[req(PhiType::Name, "Unfiled Person")], true)
            .expect("none");
        assert_eq!(a_tokens[3], b_tokens[1], "a shared value has one token");
        assert_eq!(v.len(), 6);
        assert_eq!(v.subjects().expect("subjects"), 2);
        let sid = v.subject_id(a_key).expect("sid");
        assert_eq!(v.subject_id("mrn:mrx10001"), Some(sid));
        let a_key_bytes = v
            .keyring
            .read()
            .expect("keys")
            .get(&sid)
            .expect("a")
            .bytes();
        let holders = v.holders(&a_tokens[3]).expect("h").expect("known");
        assert_eq!(holders.subjects.len(), 2);
        let done = v.forget(&sid).expect("forget");
        assert_eq!(
            done,
            Forgotten {
                records: 3,
                shared: 1
            }
        );
        for t in &a_tokens[..3] {
            assert!(v.reveal(t).expect("reveal").is_none(), "forgotten: unknown");
        }
        assert_eq!(
            v.reveal(&a_tokens[3]).expect("r").expect("kept").value,
            shared
        );
        assert_eq!(
            v.reveal(&b_tokens[0]).expect("r").expect("kept").value,
            "Oswin Trask"
        );
        assert_eq!(
            v.reveal(&none[0]).expect("r").expect("kept").value,
            "Unfiled Person"
        );
        assert_eq!(v.verify().expect("verify"), 3);
        assert_eq!(v.forgotten().expect("forgotten"), 3);
        assert!(matches!(v.forget(&sid), Err(VaultError::UnknownSubject)));
        drop(v);
        // Nothing on disk holds a value of the patient in plaintext, or their key.
        let ring = std::fs::read(dir.path().join(KEYRING_FILE)).expect("keyring");
        assert!(
            !contains(&ring, &sid),
            "the keyring no longer names the patient"
        );
        for entry in walk(dir.path()) {
            let bytes = std::fs::read(&entry).expect("read");
            assert!(
                !contains(&bytes, &a_key_bytes),
                "key in {}",
                entry.display()
            );
            for c in a_values {
                assert!(
                    !contains(&bytes, c.as_bytes()),
                    "{c} in {}",
                    entry.display()
                );
            }
        }
        // Reopened: consistent; the patient comes back with a new key and the same tokens.
        let v = SledVault::open(dir.path(), &key(7)).expect("reopen");
        assert_eq!(v.verify().expect("verify"), 3);
        assert!(v.reveal(&a_tokens[0]).expect("r").is_none());
        let again = v
            .tokenize_for(Some(a_key), &[req(PhiType::Name, a_values[0])], true)
            .expect("again");
        assert_eq!(
            again[0], a_tokens[0],
            "tokens are a keyed hash of the value"
        );
        assert_eq!(
            v.reveal(&again[0]).expect("r").expect("new").value,
            a_values[0]
        );
        let new_key = v
            .keyring
            .read()
            .expect("keys")
            .get(&sid)
            .expect("a")
            .bytes();
        assert_ne!(new_key, a_key_bytes, "a new subject key");
        assert!(
            v.reveal(&a_tokens[1]).expect("r").is_none(),
            "still forgotten"
        );
        assert_eq!(v.verify().expect("verify"), 4);
    }

    #[test]
    fn rotation_keeps_patients_records_readable_and_rewraps_their_keys() {
        let dir = tempfile::tempdir().expect("tempdir");
        let v = SledVault::open(dir.path(), &key(8)).expect("open");
        let p = v
            .tokenize_for(
                Some("Patient/p1"),
                &[req(PhiType::Name, "Ada Quill")],
                false,
            )
            .expect("p");
        let w = v
            .tokenize(
                &[req(PhiType::Name, "Ada Quill"), req(PhiType::Zip, "49001")],
                false,
            )
            .expect("w");
        assert_eq!(p[0], w[0]);
        let ring_before = std::fs::read(dir.path().join(KEYRING_FILE)).expect("ring");
        let r = v.rotate_key().expect("rotate");
        assert_eq!(
            (r.key_id, r.re_encrypted, r.value_keys, r.subject_keys),
            (2, 1, 1, 1),
            "a vault-wide copy, a shared value's vault-wide data key, one patient key"
        );
        let ring_after = std::fs::read(dir.path().join(KEYRING_FILE)).expect("ring");
        assert_eq!(ring_before.len(), ring_after.len());
        assert_ne!(ring_before, ring_after, "re-wrapped");
        drop(v);
        let v = SledVault::open(dir.path(), &key(8)).expect("reopen");
        assert_eq!(v.verify().expect("verify"), 2);
        assert_eq!(v.reveal(&w[1]).expect("r").expect("zip").value, "49001");
        let sid = v.subject_id("Patient/p1").expect("sid");
        // The patient's copy alone still opens after the rotation.
        assert_eq!(v.forget(&sid).expect("forget").shared, 1);
        assert_eq!(
            v.reveal(&p[0]).expect("r").expect("kept").value,
            "Ada Quill"
        );
    }

    #[test]
    fn a_value_shared_by_many_patients_is_sealed_once_and_each_holder_adds_one_row() {
        let dir = tempfile::tempdir().expect("tempdir");
        let v = SledVault::open(dir.path(), &key(12)).expect("open");
        let shared = "Dr Healey Calvert";
        let patients: Vec<String> = (0..40).map(|i| format!("MRN:MRX-{i:05}")).collect();
        let mut token = String::new();
        let mut record_after_second = None;
        for (i, p) in patients.iter().enumerate() {
            let own = format!("Patient Number {i}");
            let t = v
                .tokenize_for(
                    Some(p),
                    &[req(PhiType::Name, &own), req(PhiType::ProviderName, shared)],
                    true,
                )
                .expect("t");
            token.clone_from(&t[1]);
            let rec = v.tokens.get(token.as_bytes()).expect("get").expect("rec");
            if i == 1 {
                assert!(shared::is_shared(&rec), "the second holder converts it");
                record_after_second = Some(rec);
            } else if i > 1 {
                assert_eq!(Some(rec), record_after_second, "never rewritten again");
            }
        }
        let plain = v
            .tokenize(&[req(PhiType::ProviderName, shared)], true)
            .expect("vault-wide");
        assert_eq!(plain[0], token);
        assert_eq!(v.holding_rows(token.as_bytes()).expect("rows").len(), 41);
        let holders = v.holders(&token).expect("h").expect("known");
        assert_eq!((holders.subjects.len(), holders.vault_wide), (40, true));
        assert_eq!(v.verify().expect("verify"), 41);
        // Forgetting holders one by one keeps the value for the others; the last takes it.
        for p in &patients[..39] {
            let sid = v.subject_id(p).expect("sid");
            assert_eq!(
                v.forget(&sid).expect("forget"),
                Forgotten {
                    records: 1,
                    shared: 1
                }
            );
        }
        assert_eq!(v.reveal(&token).expect("r").expect("kept").value, shared);
        drop(v);
        let v = SledVault::open(dir.path(), &key(12)).expect("reopen");
        assert_eq!(v.verify().expect("verify"), 2);
        assert_eq!(v.holding_rows(token.as_bytes()).expect("rows").len(), 2);
        // Without the vault-wide holder, the last patient's forget removes the value.
        v.holdings
            .remove(shared::holding_key(token.as_bytes(), Holder::Vault))
            .expect("rm");
        let last = v.subject_id(&patients[39]).expect("sid");
        assert_eq!(
            v.forget(&last).expect("forget"),
            Forgotten {
                records: 2,
                shared: 0
            }
        );
        assert!(
            v.reveal(&token).expect("r").is_none(),
            "gone with its last holder"
        );
        assert!(v.tokens.get(token.as_bytes()).expect("get").is_none());
        assert_eq!(v.verify().expect("verify"), 0);
    }

    #[test]
    fn an_old_record_with_a_copy_per_patient_reveals_and_converts_on_its_next_holder() {
        let dir = tempfile::tempdir().expect("tempdir");
        let v = SledVault::open(dir.path(), &key(13)).expect("open");
        let value = "Dr Old Layout";
        let token = v.minter.mint(
            PhiType::ProviderName,
            &token_input(PhiType::ProviderName, value, true),
            0,
        );
        let (a, b) = (
            v.subject_id("MRN:OLD-1").expect("a"),
            v.subject_id("MRN:OLD-2").expect("b"),
        );
        // The record as earlier versions wrote it: one sealed copy per holder.
        let copies = {
            drop(v.keyring.ensure(&a).expect("a"));
            let keys = v.keyring.ensure(&b).expect("b");
            [Holder::Subject(a), Holder::Subject(b), Holder::Vault]
                .map(|h| {
                    v.sealer
                        .seal(&token, h, PhiType::ProviderName, value, &keys)
                        .expect("seal")
                })
                .to_vec()
        };
        v.meta.insert("keyring", b"1").expect("mark");
        v.tokens
            .insert(token.as_bytes(), record::encode(&copies))
            .expect("insert");
        v.flush().expect("flush");
        assert_eq!(v.reveal(&token).expect("r").expect("old").value, value);
        assert_eq!(v.verify().expect("verify"), 1);
        let t = v
            .tokenize_for(
                Some("MRN:NEW-3"),
                &[req(PhiType::ProviderName, value)],
                true,
            )
            .expect("new holder");
        assert_eq!(t[0], token);
        let rec = v.tokens.get(token.as_bytes()).expect("get").expect("rec");
        assert!(shared::is_shared(&rec), "converted");
        assert_eq!(v.holding_rows(token.as_bytes()).expect("rows").len(), 4);
        assert_eq!(v.verify().expect("verify"), 1);
        assert_eq!(v.forget(&a).expect("forget").shared, 1);
        assert_eq!(v.reveal(&token).expect("r").expect("kept").value, value);
    }

    #[test]
    fn rotating_to_a_new_master_key_keeps_tokens_retires_the_old_key_and_resumes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (old, new) = (key(20), key(21));
        let v = SledVault::open(dir.path(), &old).expect("open");
        let mut tokens = Vec::new();
        for i in 0..30 {
            let p = format!("MRN:ROT-{i}");
            let own = format!("Rotated Patient {i}");
            tokens.extend(
                v.tokenize_for(
                    Some(&p),
                    &[
                        req(PhiType::Name, &own),
                        req(PhiType::ProviderName, "Dr Rota"),
                    ],
                    true,
                )
                .expect("t"),
            );
        }
        tokens.extend(
            v.tokenize(
                &[
                    req(PhiType::Zip, "49001"),
                    req(PhiType::ProviderName, "Dr Rota"),
                ],
                true,
            )
            .expect("plain"),
        );
        let before: Vec<String> = tokens
            .iter()
            .map(|t| v.reveal(t).expect("r").expect("known").value)
            .collect();
        let root = v.token_root();
        drop(v);
        // A rotation cut short: neither key alone opens the vault meanwhile.
        FAIL_ROTATION_AFTER.with(|c| c.set(Some(1)));
        assert!(SledVault::rotate_master(dir.path(), &old, &new).is_err());
        assert!(matches!(
            SledVault::open(dir.path(), &old),
            Err(VaultError::Rotating { .. })
        ));
        assert!(matches!(
            SledVault::open(dir.path(), &new),
            Err(VaultError::WrongKey { .. })
        ));
        assert!(matches!(
            SledVault::rotate_master(dir.path(), &old, &key(22)),
            Err(VaultError::OtherRotation { .. })
        ));
        // Run again: it finishes.
        let r = SledVault::rotate_master(dir.path(), &old, &new).expect("resume");
        assert!(r.new_master && !r.already_done);
        assert_eq!((r.subject_keys, r.value_keys), (30, 1));
        let again = SledVault::rotate_master(dir.path(), &old, &new).expect("done");
        assert!(again.already_done);
        assert!(matches!(
            SledVault::open(dir.path(), &old),
            Err(VaultError::WrongKey { .. })
        ));
        let v = SledVault::open(dir.path(), &new).expect("new key opens");
        assert_eq!(v.token_root().as_bytes(), root.as_bytes());
        assert_eq!(v.verify().expect("verify"), 32);
        for (t, value) in tokens.iter().zip(&before) {
            assert_eq!(&v.reveal(t).expect("r").expect("known").value, value);
        }
        // Tokens minted after the rotation are the ones minted before.
        let same = v
            .tokenize_for(
                Some("MRN:ROT-3"),
                &[req(PhiType::Name, "Rotated Patient 3")],
                true,
            )
            .expect("t");
        assert_eq!(same[0], tokens[6]);
        let fresh = v
            .tokenize_for(
                Some("MRN:ROT-NEW"),
                &[req(PhiType::ProviderName, "Dr Rota")],
                true,
            )
            .expect("t");
        assert_eq!(fresh[0], tokens[1]);
        // Nothing is left that the old master key's derivations open: every item is under
        // the new id, whose keys derive from the new master only.
        let chain = KeyChain::new(&old, 0);
        let old_sealer = Sealer::new(&chain, r.key_id).expect("sealer");
        assert!(Keyring::open(dir.path(), &chain, r.key_id, true).is_err());
        for item in v.tokens.iter() {
            let (t, held) = item.expect("item");
            if !shared::is_shared(&held) {
                assert!(old_sealer
                    .open_any(&t, &record::copies(&held).expect("c"), &Keys::new())
                    .is_err());
            }
        }
        for item in v.holdings.iter() {
            let (k, row) = item.expect("item");
            let (t, h) = shared::parse_holding_key(&k).expect("key");
            assert!(shared::unwrap_row(&old_sealer, &Keys::new(), t, h, &row).is_err());
        }
    }

    #[test]
    fn verify_adopts_records_past_the_durable_count_and_refuses_fewer() {
        let dir = tempfile::tempdir().expect("tempdir");
        let v = SledVault::open(dir.path(), &key(11)).expect("open");
        let t = v.tokenize(
            &[req(PhiType::Mrn, "MRX-1"), req(PhiType::Mrn, "MRX-2")],
            false,
        );
        let t = t.expect("t");
        // A record that reached disk without the count (as after a failed flush).
        let extra = v.minter.mint(PhiType::Mrn, "MRX3", 0);
        let copy = v
            .sealer
            .seal(&extra, Holder::Vault, PhiType::Mrn, "MRX-3", &Keys::new())
            .expect("seal");
        v.tokens
            .insert(extra.as_bytes(), record::encode(&[copy]))
            .expect("insert");
        assert_eq!(v.verify().expect("adopted"), 3);
        drop(v);
        let v = SledVault::open(dir.path(), &key(11)).expect("reopen");
        assert_eq!(v.verify().expect("durable"), 3);
        v.tokens.remove(t[1].as_bytes()).expect("remove");
        assert!(matches!(
            v.verify(),
            Err(VaultError::Missing {
                expected: 3,
                found: 2
            })
        ));
    }

    #[test]
    fn a_v1_vault_opens_and_is_upgraded() {
        let dir = tempfile::tempdir().expect("tempdir");
        let t = {
            let v = SledVault::open(dir.path(), &key(9)).expect("open");
            let t = v.tokenize(&[req(PhiType::Mrn, "MRX-1")], false).expect("t");
            v.meta.insert("layout", LAYOUT_V1).expect("v1");
            v.flush().expect("flush");
            t
        };
        let v = SledVault::open(dir.path(), &key(9)).expect("v1 opens");
        assert_eq!(
            v.meta.get("layout").expect("get").expect("layout").as_ref(),
            LAYOUT_VERSION
        );
        assert_eq!(v.reveal(&t[0]).expect("r").expect("known").value, "MRX-1");
        v.meta
            .insert("layout", b"phigate-vault-v9".as_slice())
            .expect("v9");
        v.flush().expect("flush");
        drop(v);
        assert!(matches!(
            SledVault::open(dir.path(), &key(9)),
            Err(VaultError::Layout { .. })
        ));
    }

    #[test]
    fn injected_write_failures_hand_out_no_token_and_leave_the_vault_consistent() {
        use std::sync::atomic::Ordering::SeqCst;
        let dir = tempfile::tempdir().expect("tempdir");
        let v = SledVault::open(dir.path(), &key(10)).expect("open");
        let early = v
            .tokenize_for(Some("MRN:A1"), &[req(PhiType::Name, "Early Value")], true)
            .expect("early");
        let early_plain = v
            .tokenize(&[req(PhiType::Name, "Early Plain")], true)
            .expect("early");

        // 1. The flush fails: no token, for a patient's or a vault-wide value.
        assert!(v.health_check().is_ok());
        v.commit.fail_flushes.store(3, SeqCst);
        assert!(v
            .tokenize_for(Some("MRN:A1"), &[req(PhiType::Name, "Flush Fails")], true)
            .is_err());
        assert!(v
            .tokenize(&[req(PhiType::Name, "Flush Fails Too")], true)
            .is_err());
        // Not ready while writes fail (`/readyz`); ready again once one goes through.
        assert!(v.health_check().is_err(), "the probe write fails too");
        assert!(v.health_check().is_ok(), "the fault cleared");
        // 2. The keyring write for a new patient fails (torn): no token, no key in use.
        v.keyring.fail_appends.store(1, SeqCst);
        assert!(v
            .tokenize_for(Some("MRN:B2"), &[req(PhiType::Name, "Keyring Fails")], true)
            .is_err());
        assert_eq!(v.subjects().expect("subjects"), 1);
        // 3. A failure between a record and its index entry.
        v.fail_inserts.store(1, SeqCst);
        assert!(v
            .tokenize_for(Some("MRN:A1"), &[req(PhiType::Name, "Insert Fails")], true)
            .is_err());

        // The fault clears: the vault verifies, earlier tokens reveal, and the failed
        // values tokenise (once each, to the token they would have had).
        // Records written before a failure stay (never handed out, counted, consistent).
        assert_eq!(v.verify().expect("verify"), 5);
        assert_eq!(
            v.reveal(&early[0]).expect("r").expect("known").value,
            "Early Value"
        );
        let retried = [
            ("MRN:A1", "Flush Fails"),
            ("", "Flush Fails Too"),
            ("MRN:B2", "Keyring Fails"),
            ("MRN:A1", "Insert Fails"),
        ]
        .map(|(p, x)| {
            let p = (!p.is_empty()).then_some(p);
            v.tokenize_for(p, &[req(PhiType::Name, x)], true)
                .expect("retry")
                .remove(0)
        });
        assert_eq!(v.len(), 6);
        drop(v);
        let v = SledVault::open(dir.path(), &key(10)).expect("reopen");
        assert_eq!(v.verify().expect("verify"), 6);
        assert_eq!(v.subjects().expect("subjects"), 2);
        for (t, x) in retried.iter().zip([
            "Flush Fails",
            "Flush Fails Too",
            "Keyring Fails",
            "Insert Fails",
        ]) {
            assert_eq!(v.reveal(t).expect("r").expect("known").value, x);
        }
        assert_eq!(
            v.reveal(&early_plain[0]).expect("r").expect("known").value,
            "Early Plain"
        );
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
