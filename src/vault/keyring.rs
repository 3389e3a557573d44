//! The subject keyring: one random data key per patient, kept outside sled so it can be
//! destroyed.
//!
//! sled is log-structured: a removed or overwritten entry can survive in old log segments
//! until they are reused. Subject keys therefore live in their own small file in the vault
//! directory, `subjects.keyring`, which is only ever appended to (a new patient) or replaced
//! whole by an atomic rename (a forget, a key rotation, an import). Forgetting a patient
//! rewrites the file without that patient's entry; with the key gone, every copy sealed
//! under it is unreadable wherever it lingers.
//!
//! ```text
//! "PHIGATE-KEYRING\x01" (16)
//! entries, each 88 bytes:
//!   subject id (16) | key tag (8) | wrap key id (4, BE) | nonce (12) | AES-256-GCM(key) (48)
//!   AAD: "phigate subject key" | subject id | key tag | wrap key id
//! ```
//!
//! The subject id is an HMAC of the patient key under the vault's index key, never the
//! patient key. Each subject key is wrapped under a key-wrapping key derived with HKDF
//! (value-encryption purpose, domain `subject-key-wrap-N`, N the vault's value key id when the
//! entry was written) from the master key that [`KeyChain`] names for N, so `rotate-key`
//! re-wraps the file under a new id, and a rotation to a new master key under a new id of
//! the new key.
//!
//! Durability: a new entry is written at the end of the known-good length and synced
//! before any record is sealed under it, so a record can never outlive its key in a crash.
//! A torn last entry (a crash during an append that was never acknowledged) is cut off when
//! the keyring is next opened; damage anywhere else refuses the vault.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};

use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use ring::rand::{SecureRandom, SystemRandom};
use zeroize::Zeroizing;

use super::keychain::KeyChain;
use super::record::{SubjectId, KEY_TAG_LEN, SUBJECT_ID_LEN};
use super::VaultError;
use crate::keys::{MasterKey, Purpose, KEY_LEN};

/// The keyring's file name inside the vault directory.
pub const FILE_NAME: &str = "subjects.keyring";
const MAGIC: &[u8; 16] = b"PHIGATE-KEYRING\x01";
const WRAPPED_LEN: usize = KEY_LEN + 16;
/// One entry without its subject id (what a backup carries as the entry's value).
pub const ENTRY_BODY_LEN: usize = KEY_TAG_LEN + 4 + NONCE_LEN + WRAPPED_LEN;
const ENTRY_LEN: usize = SUBJECT_ID_LEN + ENTRY_BODY_LEN;

/// One patient's data key.
pub struct SubjectKey {
    pub tag: [u8; KEY_TAG_LEN],
    /// Boxed so that a map resize moves the pointer, not the key bytes.
    key: Box<Zeroizing<[u8; KEY_LEN]>>,
}

impl SubjectKey {
    /// The AEAD key (built per use: a few hundred bytes each would add up over a clinic's
    /// patients, and sealing is off the hot path of values that already have tokens).
    pub fn aead(&self) -> Result<LessSafeKey, VaultError> {
        let unbound =
            UnboundKey::new(&AES_256_GCM, &self.key[..]).map_err(|_| VaultError::Random)?;
        Ok(LessSafeKey::new(unbound))
    }

    #[cfg(test)]
    pub fn bytes(&self) -> [u8; KEY_LEN] {
        **self.key
    }
}

/// Subject keys by subject id.
pub type Keys = HashMap<SubjectId, SubjectKey>;

struct FileState {
    /// Open for appends once the file exists.
    handle: Option<File>,
    /// Bytes known good (header and whole, synced entries).
    len: u64,
    /// Key-wrapping key id for new entries.
    wrap_id: u32,
}

pub struct Keyring {
    dir: PathBuf,
    chain: KeyChain,
    keys: RwLock<Keys>,
    file: Mutex<FileState>,
    rng: SystemRandom,
    /// Test hook: fail this many appends after writing half an entry (a torn write).
    #[cfg(test)]
    pub fail_appends: std::sync::atomic::AtomicU32,
}

fn poisoned() -> VaultError {
    VaultError::Storage("keyring lock poisoned".into())
}

fn damaged(dir: &Path, reason: &str) -> VaultError {
    VaultError::Keyring {
        path: dir.join(FILE_NAME).display().to_string(),
        reason: reason.to_string(),
    }
}

fn wrap_key(master: &MasterKey, id: u32) -> Result<LessSafeKey, VaultError> {
    let k = master.derive(Purpose::Encryption, &format!("subject-key-wrap-{id}"));
    let unbound = UnboundKey::new(&AES_256_GCM, k.as_bytes()).map_err(|_| VaultError::Random)?;
    Ok(LessSafeKey::new(unbound))
}

fn wrap_aad(sid: &SubjectId, tag: &[u8; KEY_TAG_LEN], wrap_id: u32) -> Vec<u8> {
    let mut a = b"phigate subject key".to_vec();
    a.extend_from_slice(sid);
    a.extend_from_slice(tag);
    a.extend_from_slice(&wrap_id.to_be_bytes());
    a
}

/// Derives key-wrapping keys once per id, each from the master [`KeyChain`] names for it.
struct WrapKeys<'a> {
    chain: &'a KeyChain,
    cache: HashMap<u32, LessSafeKey>,
}

impl WrapKeys<'_> {
    /// The key-wrapping key of `id`; `None` for an id a rotation retired.
    fn get(&mut self, id: u32) -> Result<Option<&LessSafeKey>, VaultError> {
        if !self.cache.contains_key(&id) {
            let Some(master) = self.chain.master_for(id) else {
                return Ok(None);
            };
            self.cache.insert(id, wrap_key(master, id)?);
        }
        Ok(self.cache.get(&id))
    }

    /// Unwraps an entry body; `None` if it fails its integrity check.
    fn unwrap(&mut self, sid: &SubjectId, body: &[u8]) -> Result<Option<SubjectKey>, VaultError> {
        if body.len() != ENTRY_BODY_LEN {
            return Ok(None);
        }
        let mut tag = [0u8; KEY_TAG_LEN];
        tag.copy_from_slice(&body[..KEY_TAG_LEN]);
        let mut id = [0u8; 4];
        id.copy_from_slice(&body[KEY_TAG_LEN..KEY_TAG_LEN + 4]);
        let wrap_id = u32::from_be_bytes(id);
        let mut nonce = [0u8; NONCE_LEN];
        nonce.copy_from_slice(&body[KEY_TAG_LEN + 4..KEY_TAG_LEN + 4 + NONCE_LEN]);
        let mut sealed = Zeroizing::new(body[KEY_TAG_LEN + 4 + NONCE_LEN..].to_vec());
        let Some(key) = self.get(wrap_id)? else {
            return Ok(None);
        };
        let Ok(plain) = key.open_in_place(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(wrap_aad(sid, &tag, wrap_id)),
            &mut sealed,
        ) else {
            return Ok(None);
        };
        let mut k = Box::new(Zeroizing::new([0u8; KEY_LEN]));
        if plain.len() != KEY_LEN {
            return Ok(None);
        }
        k.copy_from_slice(plain);
        Ok(Some(SubjectKey { tag, key: k }))
    }

    /// Wraps a key into an entry body under key-wrapping key `wrap_id`.
    fn wrap(
        &mut self,
        rng: &SystemRandom,
        sid: &SubjectId,
        key: &SubjectKey,
        wrap_id: u32,
    ) -> Result<Vec<u8>, VaultError> {
        let mut nonce = [0u8; NONCE_LEN];
        rng.fill(&mut nonce).map_err(|_| VaultError::Random)?;
        let mut sealed = key.key.to_vec();
        self.get(wrap_id)?
            .ok_or(VaultError::Corrupt)?
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(wrap_aad(sid, &key.tag, wrap_id)),
                &mut sealed,
            )
            .map_err(|_| VaultError::Random)?;
        let mut body = Vec::with_capacity(ENTRY_BODY_LEN);
        body.extend_from_slice(&key.tag);
        body.extend_from_slice(&wrap_id.to_be_bytes());
        body.extend_from_slice(&nonce);
        body.extend_from_slice(&sealed);
        Ok(body)
    }
}

/// A new random subject key.
pub fn new_subject_key(rng: &SystemRandom) -> Result<SubjectKey, VaultError> {
    let mut tag = [0u8; KEY_TAG_LEN];
    rng.fill(&mut tag).map_err(|_| VaultError::Random)?;
    let mut k = Box::new(Zeroizing::new([0u8; KEY_LEN]));
    rng.fill(&mut k[..]).map_err(|_| VaultError::Random)?;
    Ok(SubjectKey { tag, key: k })
}

/// A subject key wrapped into an entry body (the form a backup carries and the PostgreSQL
/// vault stores) under key-wrapping key `wrap_id`.
pub fn wrap_entry(
    chain: &KeyChain,
    rng: &SystemRandom,
    sid: &SubjectId,
    key: &SubjectKey,
    wrap_id: u32,
) -> Result<Vec<u8>, VaultError> {
    WrapKeys {
        chain,
        cache: HashMap::new(),
    }
    .wrap(rng, sid, key, wrap_id)
}

/// Unwraps an entry body; `None` if it fails its integrity check.
pub fn unwrap_entry(
    chain: &KeyChain,
    sid: &SubjectId,
    body: &[u8],
) -> Result<Option<SubjectKey>, VaultError> {
    WrapKeys {
        chain,
        cache: HashMap::new(),
    }
    .unwrap(sid, body)
}

/// Syncs a directory so a rename or a new file in it survives a crash.
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

impl Keyring {
    /// Loads the keyring of the vault in `dir`. `required`: the vault has used subject keys,
    /// so a missing file is damage, not an empty keyring.
    pub fn open(
        dir: &Path,
        chain: &KeyChain,
        wrap_id: u32,
        required: bool,
    ) -> Result<Keyring, VaultError> {
        let path = dir.join(FILE_NAME);
        let mut keys = Keys::new();
        let mut len = 0u64;
        let mut handle = None;
        match std::fs::read(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if required {
                    return Err(damaged(
                        dir,
                        "missing, but the vault holds patients' records; restore it from a backup",
                    ));
                }
            }
            Err(e) => return Err(damaged(dir, &e.to_string())),
            Ok(bytes) => {
                if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
                    return Err(damaged(dir, "not a phigate keyring of a supported version"));
                }
                let body = &bytes[MAGIC.len()..];
                let whole = body.len() / ENTRY_LEN;
                let mut good = whole;
                let mut wraps = WrapKeys {
                    chain,
                    cache: HashMap::new(),
                };
                for (i, entry) in body.chunks_exact(ENTRY_LEN).enumerate() {
                    let mut sid = [0u8; SUBJECT_ID_LEN];
                    sid.copy_from_slice(&entry[..SUBJECT_ID_LEN]);
                    match wraps.unwrap(&sid, &entry[SUBJECT_ID_LEN..])? {
                        Some(k) => {
                            keys.insert(sid, k);
                        }
                        // The last entry of an append that never completed: cut it off.
                        None if i + 1 == whole => good = i,
                        None => {
                            return Err(damaged(
                                dir,
                                "an entry fails its integrity check; restore it from a backup",
                            ))
                        }
                    }
                }
                len = (MAGIC.len() + good * ENTRY_LEN) as u64;
                let f = OpenOptions::new()
                    .read(true)
                    .write(true)
                    .open(&path)
                    .map_err(|e| damaged(dir, &e.to_string()))?;
                if len != bytes.len() as u64 {
                    f.set_len(len)
                        .and_then(|()| f.sync_all())
                        .map_err(|e| damaged(dir, &e.to_string()))?;
                }
                handle = Some(f);
            }
        }
        Ok(Keyring {
            dir: dir.to_path_buf(),
            chain: chain.clone(),
            keys: RwLock::new(keys),
            file: Mutex::new(FileState {
                handle,
                len,
                wrap_id,
            }),
            rng: SystemRandom::new(),
            #[cfg(test)]
            fail_appends: std::sync::atomic::AtomicU32::new(0),
        })
    }

    fn wraps(&self) -> WrapKeys<'_> {
        WrapKeys {
            chain: &self.chain,
            cache: HashMap::new(),
        }
    }

    /// The subject keys, for sealing and opening copies. Callers must not ask again while
    /// they hold the guard (a waiting writer would deadlock them).
    pub fn read(&self) -> Result<RwLockReadGuard<'_, Keys>, VaultError> {
        self.keys.read().map_err(|_| poisoned())
    }

    /// The subject keys with `sid`'s key among them: made, written and synced first if the
    /// subject is new (the one keyring write a new patient costs).
    pub fn ensure(&self, sid: &SubjectId) -> Result<RwLockReadGuard<'_, Keys>, VaultError> {
        loop {
            let keys = self.read()?;
            if keys.contains_key(sid) {
                return Ok(keys);
            }
            drop(keys);
            self.add(sid)?;
        }
    }

    /// Whether the keyring file exists yet.
    #[cfg(test)]
    pub fn exists(&self) -> Result<bool, VaultError> {
        Ok(self.file.lock().map_err(|_| poisoned())?.handle.is_some())
    }

    /// Number of subjects with a key.
    pub fn len(&self) -> Result<usize, VaultError> {
        Ok(self.read()?.len())
    }

    /// Bytes the keyring file occupies.
    pub fn file_len(&self) -> Result<u64, VaultError> {
        Ok(self.file.lock().map_err(|_| poisoned())?.len)
    }

    fn add(&self, sid: &SubjectId) -> Result<(), VaultError> {
        // Lock order everywhere: file, then keys.
        let mut file = self.file.lock().map_err(|_| poisoned())?;
        if self.read()?.contains_key(sid) {
            return Ok(());
        }
        let mut tag = [0u8; KEY_TAG_LEN];
        self.rng.fill(&mut tag).map_err(|_| VaultError::Random)?;
        let mut k = Box::new(Zeroizing::new([0u8; KEY_LEN]));
        self.rng.fill(&mut k[..]).map_err(|_| VaultError::Random)?;
        let key = SubjectKey { tag, key: k };
        let body = self.wraps().wrap(&self.rng, sid, &key, file.wrap_id)?;
        let mut entry = Vec::with_capacity(ENTRY_LEN);
        entry.extend_from_slice(sid);
        entry.extend_from_slice(&body);
        let state: &mut FileState = &mut file;
        match state.handle.as_mut() {
            None => {
                // The first subject: the file is created whole, by rename.
                let mut bytes = MAGIC.to_vec();
                bytes.extend_from_slice(&entry);
                self.replace_file(state, &bytes)?;
            }
            Some(f) => {
                let at = state.len;
                #[cfg(test)]
                if trip(&self.fail_appends) {
                    f.seek(SeekFrom::Start(at))?;
                    f.write_all(&entry[..ENTRY_LEN / 2])?;
                    return Err(VaultError::Storage("injected keyring write failure".into()));
                }
                // Written at the known-good end: a failed earlier append is overwritten.
                f.seek(SeekFrom::Start(at))?;
                f.write_all(&entry)?;
                f.sync_data()?;
                state.len = at + ENTRY_LEN as u64;
            }
        }
        self.keys.write().map_err(|_| poisoned())?.insert(*sid, key);
        Ok(())
    }

    /// Replaces the file with `bytes`: a temporary file, synced, renamed over it, and the
    /// directory synced.
    fn replace_file(&self, file: &mut FileState, bytes: &[u8]) -> Result<(), VaultError> {
        let path = self.dir.join(FILE_NAME);
        let tmp = self.dir.join(format!("{FILE_NAME}.tmp"));
        let write = || -> std::io::Result<File> {
            let mut f = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(true)
                .open(&tmp)?;
            f.write_all(bytes)?;
            f.sync_all()?;
            std::fs::rename(&tmp, &path)?;
            sync_dir(&self.dir)?;
            Ok(f)
        };
        match write() {
            Ok(f) => {
                file.handle = Some(f);
                file.len = bytes.len() as u64;
                Ok(())
            }
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                Err(e.into())
            }
        }
    }

    /// The whole file for `keys`, every entry wrapped afresh under `wrap_id`.
    fn render(&self, keys: &Keys, wrap_id: u32) -> Result<Zeroizing<Vec<u8>>, VaultError> {
        let mut wraps = self.wraps();
        let mut bytes = Zeroizing::new(Vec::with_capacity(MAGIC.len() + keys.len() * ENTRY_LEN));
        bytes.extend_from_slice(MAGIC);
        for (sid, key) in keys {
            bytes.extend_from_slice(sid);
            bytes.extend_from_slice(&wraps.wrap(&self.rng, sid, key, wrap_id)?);
        }
        Ok(bytes)
    }

    /// Destroys `sid`'s key: with every other access to the keyring held off, runs `shred`
    /// (which removes the subject's copies from the records and makes that durable), then
    /// rewrites the file without the subject. Refused if the subject has no key.
    pub fn forget<T>(
        &self,
        sid: &SubjectId,
        shred: impl FnOnce() -> Result<T, VaultError>,
    ) -> Result<T, VaultError> {
        let mut file = self.file.lock().map_err(|_| poisoned())?;
        let mut keys: RwLockWriteGuard<'_, Keys> = self.keys.write().map_err(|_| poisoned())?;
        if !keys.contains_key(sid) {
            return Err(VaultError::UnknownSubject);
        }
        let result = shred()?;
        let Some(key) = keys.remove(sid) else {
            return Err(VaultError::UnknownSubject);
        };
        let bytes = self.render(&keys, file.wrap_id)?;
        if let Err(e) = self.replace_file(&mut file, &bytes) {
            // The file still holds the key: keep memory in step; forgetting again finishes.
            keys.insert(*sid, key);
            return Err(e);
        }
        Ok(result)
    }

    /// Re-wraps every entry under key-wrapping key `wrap_id` (key rotation).
    pub fn rewrap(&self, wrap_id: u32) -> Result<usize, VaultError> {
        let mut file = self.file.lock().map_err(|_| poisoned())?;
        let keys = self.read()?;
        if file.handle.is_some() {
            let bytes = self.render(&keys, wrap_id)?;
            self.replace_file(&mut file, &bytes)?;
        }
        file.wrap_id = wrap_id;
        Ok(keys.len())
    }

    /// Sets the key-wrapping key id for new entries (after an import).
    pub fn set_wrap_id(&self, wrap_id: u32) -> Result<(), VaultError> {
        self.file.lock().map_err(|_| poisoned())?.wrap_id = wrap_id;
        Ok(())
    }

    /// Every entry as (subject id, wrapped body), for a backup.
    pub fn export(&self) -> Result<Vec<(SubjectId, Vec<u8>)>, VaultError> {
        let file = self.file.lock().map_err(|_| poisoned())?;
        let keys = self.read()?;
        let mut wraps = self.wraps();
        keys.iter()
            .map(|(sid, k)| Ok((*sid, wraps.wrap(&self.rng, sid, k, file.wrap_id)?)))
            .collect()
    }

    /// Restores backed-up entries into an empty keyring: every entry must unwrap, then the
    /// file is written whole.
    pub fn restore(&self, entries: &[(Vec<u8>, Vec<u8>)], wrap_id: u32) -> Result<(), VaultError> {
        let mut file = self.file.lock().map_err(|_| poisoned())?;
        let mut keys = self.keys.write().map_err(|_| poisoned())?;
        if !keys.is_empty() {
            return Err(VaultError::Storage("the keyring is not empty".into()));
        }
        let mut wraps = self.wraps();
        let mut restored = Keys::new();
        for (sid, body) in entries {
            let sid: SubjectId = sid.as_slice().try_into().map_err(|_| VaultError::Corrupt)?;
            let key = wraps.unwrap(&sid, body)?.ok_or(VaultError::Corrupt)?;
            restored.insert(sid, key);
        }
        file.wrap_id = wrap_id;
        if !restored.is_empty() {
            let bytes = self.render(&restored, wrap_id)?;
            self.replace_file(&mut file, &bytes)?;
        }
        *keys = restored;
        Ok(())
    }
}

#[cfg(test)]
pub fn trip(counter: &std::sync::atomic::AtomicU32) -> bool {
    use std::sync::atomic::Ordering::SeqCst;
    counter
        .fetch_update(SeqCst, SeqCst, |n| n.checked_sub(1))
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appends_survive_reopen_and_a_torn_last_entry_is_cut_off() {
        let dir = tempfile::tempdir().expect("dir");
        let master = KeyChain::new(&MasterKey::from_bytes([4; 32]), 0);
        let k = Keyring::open(dir.path(), &master, 1, false).expect("open");
        assert!(!k.exists().expect("exists"));
        let (a, b, c) = ([1u8; 16], [2u8; 16], [3u8; 16]);
        let ka = k.ensure(&a).expect("a").get(&a).expect("a").bytes();
        drop(k.ensure(&b).expect("b"));
        assert!(k.exists().expect("exists"));
        k.fail_appends.store(1, std::sync::atomic::Ordering::SeqCst);
        assert!(
            k.ensure(&c).is_err(),
            "the injected torn write fails the add"
        );
        assert!(
            !k.read().expect("r").contains_key(&c),
            "no key is used unsynced"
        );
        drop(k);
        // The half entry is cut off on open; a and b are intact.
        let path = dir.path().join(FILE_NAME);
        let torn = std::fs::metadata(&path).expect("meta").len();
        let k = Keyring::open(dir.path(), &master, 1, true).expect("reopen");
        assert_eq!(k.len().expect("len"), 2);
        assert_eq!(k.read().expect("r").get(&a).expect("a").bytes(), ka);
        assert!(std::fs::metadata(&path).expect("meta").len() < torn);
        // A failed append is overwritten by the next one.
        k.fail_appends.store(1, std::sync::atomic::Ordering::SeqCst);
        assert!(k.ensure(&c).is_err());
        drop(k.ensure(&c).expect("c"));
        drop(k);
        let k = Keyring::open(dir.path(), &master, 1, true).expect("reopen");
        assert_eq!(k.len().expect("len"), 3);
        // Forget rewrites without the subject; a damaged middle entry refuses the keyring.
        k.forget(&a, || Ok(())).expect("forget");
        assert!(matches!(
            k.forget(&a, || Ok(())),
            Err(VaultError::UnknownSubject)
        ));
        drop(k);
        let bytes = std::fs::read(&path).expect("read");
        assert_eq!(bytes.len(), MAGIC.len() + 2 * ENTRY_LEN);
        assert!(!bytes.windows(16).any(|w| w == a));
        let mut bad = bytes.clone();
        bad[MAGIC.len() + 40] ^= 1;
        std::fs::write(&path, &bad).expect("write");
        assert!(matches!(
            Keyring::open(dir.path(), &master, 1, true),
            Err(VaultError::Keyring { .. })
        ));
        std::fs::remove_file(&path).expect("rm");
        assert!(Keyring::open(dir.path(), &master, 1, true).is_err());
        assert!(Keyring::open(dir.path(), &master, 1, false).is_ok());
    }
}
