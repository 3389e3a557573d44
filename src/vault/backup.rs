//! Vault backups: an encrypted, integrity-checked file that restores into an empty vault.
//!
//! Owns the backup format. Entries (already-encrypted values and keyed-hash index keys) are
//! packed into frames; each frame is sealed with AES-256-GCM under a key derived from the
//! master key and a random per-backup salt, with the frame's number and a last-frame flag as
//! associated data, so an edited, reordered, dropped or truncated frame fails to open.
//!
//! ```text
//! "PHIGATE-BACKUP\x02" | salt (16) | key check (32) | active key id (4) | forgotten (8)
//! frames: last flag (1) | sealed length (4, BE) | sealed(entries)
//! entry:  tree (1) | key length (4) | key | value length (4) | value
//! trees:  0 tokens (token → record), 1 index, 2 keyring (subject id → wrapped subject key),
//!         3 holdings (shared values' rows), 4 meta (`tokenroot`: the wrapped token root)
//! ```
//!
//! Keyring entries come first and carry each patient's data key still wrapped under a
//! master-derived key, inside the sealed frames. Version 1 backups (no keyring, no forgotten
//! count) and version 2 backups (no holdings, no token root: their vault's root was its
//! master key, which is what a vault without one takes) still import.

use std::io::{Read, Write};

use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use ring::rand::{SecureRandom, SystemRandom};

use super::{SledVault, TreeId, VaultError};
use crate::keys::{MasterKey, Purpose};

pub(crate) const MAGIC: &[u8] = b"PHIGATE-BACKUP\x03";
/// Version 2 backups (before shared values and the token root): trees 0 to 2 only.
const MAGIC_V2: &[u8] = b"PHIGATE-BACKUP\x02";
/// Version 1 backups (before patients' keys): no forgotten count, no keyring entries.
const MAGIC_V1: &[u8] = b"PHIGATE-BACKUP\x01";
const SALT_LEN: usize = 16;
const CHECK_LEN: usize = 32;
/// Entries per frame: bounds memory on both sides for any vault size.
const FRAME_ENTRIES: usize = 4096;
/// Largest sealed frame accepted on import (a corrupted length must not allocate gigabytes).
const MAX_FRAME: usize = 256 << 20;

/// Why a backup could not be written or restored. Names the problem, never contents.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(transparent)]
    Vault(#[from] VaultError),
    #[error("backup I/O: {0}")]
    Io(#[from] std::io::Error),
    #[error("not a phigate backup (bad header)")]
    NotABackup,
    #[error("the backup was made under another master key")]
    WrongKey,
    #[error("the backup is damaged or was edited (frame {0} fails its integrity check)")]
    Damaged(u64),
    #[error("the backup is truncated (no final frame)")]
    Truncated,
    #[error("the target vault is not empty; import restores into an empty vault only")]
    NotEmpty,
    #[error("the system random number generator failed")]
    Random,
}

/// What an export or import did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct BackupStats {
    pub entries: usize,
    pub frames: u64,
}

pub(crate) fn backup_key(master: &MasterKey, salt: &[u8]) -> Result<LessSafeKey, BackupError> {
    let domain = crate::hex::encode(salt);
    let k = master.derive(Purpose::Backup, &domain);
    let unbound = UnboundKey::new(&AES_256_GCM, k.as_bytes()).map_err(|_| BackupError::Random)?;
    Ok(LessSafeKey::new(unbound))
}

pub(crate) fn nonce(frame: u64) -> Nonce {
    let mut n = [0u8; NONCE_LEN];
    n[4..].copy_from_slice(&frame.to_be_bytes());
    Nonce::assume_unique_for_key(n)
}

pub(crate) fn aad(frame: u64, last: bool) -> [u8; 9] {
    let mut a = [0u8; 9];
    a[..8].copy_from_slice(&frame.to_be_bytes());
    a[8] = u8::from(last);
    a
}

/// Writes every vault entry to `out`.
pub fn export(
    vault: &SledVault,
    master: &MasterKey,
    out: &mut impl Write,
) -> Result<BackupStats, BackupError> {
    let mut salt = [0u8; SALT_LEN];
    SystemRandom::new()
        .fill(&mut salt)
        .map_err(|_| BackupError::Random)?;
    let key = backup_key(master, &salt)?;
    out.write_all(MAGIC)?;
    out.write_all(&salt)?;
    out.write_all(vault.key_check().as_ref())?;
    out.write_all(&vault.active_key_id()?.to_be_bytes())?;
    out.write_all(&vault.forgotten()?.to_be_bytes())?;
    let mut stats = BackupStats::default();
    let mut frame = Vec::new();
    let mut in_frame = 0;
    for entry in vault.entries() {
        let (tree, k, v) = entry?;
        frame.push(tree as u8);
        put(&mut frame, &k);
        put(&mut frame, &v);
        in_frame += 1;
        stats.entries += 1;
        if in_frame == FRAME_ENTRIES {
            write_frame(out, &key, &mut frame, stats.frames, false)?;
            stats.frames += 1;
            in_frame = 0;
        }
    }
    write_frame(out, &key, &mut frame, stats.frames, true)?;
    stats.frames += 1;
    out.flush()?;
    Ok(stats)
}

fn put(buf: &mut Vec<u8>, bytes: &[u8]) {
    let len = u32::try_from(bytes.len()).unwrap_or(u32::MAX);
    buf.extend_from_slice(&len.to_be_bytes());
    buf.extend_from_slice(bytes);
}

fn write_frame(
    out: &mut impl Write,
    key: &LessSafeKey,
    frame: &mut Vec<u8>,
    n: u64,
    last: bool,
) -> Result<(), BackupError> {
    key.seal_in_place_append_tag(nonce(n), Aad::from(aad(n, last)), frame)
        .map_err(|_| BackupError::Random)?;
    out.write_all(&[u8::from(last)])?;
    let len = u32::try_from(frame.len()).map_err(|_| BackupError::Damaged(n))?;
    out.write_all(&len.to_be_bytes())?;
    out.write_all(frame)?;
    frame.clear();
    Ok(())
}

/// Restores a backup into `vault`, which must be empty. Nothing is made durable unless the
/// whole backup verifies; a damaged backup leaves the target vault empty.
pub fn import(
    vault: &SledVault,
    master: &MasterKey,
    input: &mut impl Read,
) -> Result<BackupStats, BackupError> {
    if !vault.is_empty() || vault.subjects()? > 0 {
        return Err(BackupError::NotEmpty);
    }
    let mut header = vec![0u8; MAGIC.len() + SALT_LEN + CHECK_LEN + 4];
    input
        .read_exact(&mut header)
        .map_err(|_| BackupError::NotABackup)?;
    let v1 = &header[..MAGIC.len()] == MAGIC_V1;
    let v2 = &header[..MAGIC.len()] == MAGIC_V2;
    if &header[..MAGIC.len()] != MAGIC && !v1 && !v2 {
        return Err(BackupError::NotABackup);
    }
    let mut forgotten = [0u8; 8];
    if !v1 {
        input
            .read_exact(&mut forgotten)
            .map_err(|_| BackupError::NotABackup)?;
    }
    let salt = &header[MAGIC.len()..MAGIC.len() + SALT_LEN];
    let check = &header[MAGIC.len() + SALT_LEN..MAGIC.len() + SALT_LEN + CHECK_LEN];
    if check != vault.key_check().as_ref() {
        return Err(BackupError::WrongKey);
    }
    let id_bytes = &header[MAGIC.len() + SALT_LEN + CHECK_LEN..];
    let active = u32::from_be_bytes([id_bytes[0], id_bytes[1], id_bytes[2], id_bytes[3]]);
    let key = backup_key(master, salt)?;
    // Verify and decode every frame first; only a fully intact backup is written.
    let mut entries: Vec<(TreeId, Vec<u8>, Vec<u8>)> = Vec::new();
    let mut stats = BackupStats::default();
    loop {
        let mut head = [0u8; 5];
        if input.read_exact(&mut head).is_err() {
            return Err(BackupError::Truncated);
        }
        let last = match head[0] {
            0 => false,
            1 => true,
            _ => return Err(BackupError::Damaged(stats.frames)),
        };
        let len = usize::try_from(u32::from_be_bytes([head[1], head[2], head[3], head[4]]))
            .unwrap_or(usize::MAX);
        if len > MAX_FRAME {
            return Err(BackupError::Damaged(stats.frames));
        }
        let mut sealed = vec![0u8; len];
        input
            .read_exact(&mut sealed)
            .map_err(|_| BackupError::Truncated)?;
        let plain = key
            .open_in_place(
                nonce(stats.frames),
                Aad::from(aad(stats.frames, last)),
                &mut sealed,
            )
            .map_err(|_| BackupError::Damaged(stats.frames))?;
        decode_frame(plain, &mut entries).ok_or(BackupError::Damaged(stats.frames))?;
        stats.frames += 1;
        if last {
            break;
        }
    }
    let mut trailing = [0u8; 1];
    if input.read(&mut trailing)? != 0 {
        return Err(BackupError::Damaged(stats.frames));
    }
    // Patients' keys first, written and synced, so no record is durable without its key.
    let (ring, entries): (Vec<_>, Vec<_>) = entries
        .into_iter()
        .partition(|(tree, _, _)| *tree == TreeId::Keyring);
    if v1 && !ring.is_empty() {
        return Err(BackupError::Damaged(0));
    }
    let ring: Vec<(Vec<u8>, Vec<u8>)> = ring.into_iter().map(|(_, k, v)| (k, v)).collect();
    // Metadata that would be refused is refused before anything is written.
    for (tree, k, v) in &entries {
        if *tree == TreeId::Meta {
            vault.check_meta_entry(k, v)?;
        }
    }
    vault.restore_keyring(&ring, active)?;
    for (tree, k, v) in &entries {
        vault.restore_entry(*tree, k, v)?;
    }
    vault.restore_forgotten(u64::from_be_bytes(forgotten))?;
    vault.activate_key_id(active)?;
    vault.flush()?;
    stats.entries = entries.len() + ring.len();
    Ok(stats)
}

fn decode_frame(mut b: &[u8], out: &mut Vec<(TreeId, Vec<u8>, Vec<u8>)>) -> Option<()> {
    fn take<'a>(b: &mut &'a [u8]) -> Option<&'a [u8]> {
        let len = usize::try_from(u32::from_be_bytes(b.get(..4)?.try_into().ok()?)).ok()?;
        let bytes = b.get(4..4 + len)?;
        *b = &b[4 + len..];
        Some(bytes)
    }
    while !b.is_empty() {
        let tree = match b[0] {
            0 => TreeId::Tokens,
            1 => TreeId::Index,
            2 => TreeId::Keyring,
            3 => TreeId::Holdings,
            4 => TreeId::Meta,
            5 => TreeId::Memory,
            6 => TreeId::MemoryLinks,
            _ => return None,
        };
        b = &b[1..];
        let k = take(&mut b)?.to_vec();
        let v = take(&mut b)?.to_vec();
        out.push((tree, k, v));
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::phi::PhiType;
    use crate::transform::token::{TokenRequest, TokenStore};

    fn filled(
        dir: &std::path::Path,
        master: &MasterKey,
        n: usize,
    ) -> (SledVault, Vec<(String, String)>) {
        let v = SledVault::open(dir, master).expect("open");
        let values: Vec<String> = (0..n).map(|i| format!("Patient Number {i}")).collect();
        let reqs: Vec<TokenRequest<'_>> = values
            .iter()
            .map(|s| TokenRequest {
                ty: PhiType::Name,
                value: s,
            })
            .collect();
        let tokens = v.tokenize(&reqs, true).expect("tokens");
        (v, tokens.into_iter().zip(values).collect())
    }

    #[test]
    fn restore_drill_round_trips_after_rotation_and_tokens_do_not_change() {
        let master = MasterKey::from_bytes([7; 32]);
        let src = tempfile::tempdir().expect("src");
        let (v, pairs) = filled(src.path(), &master, 5000);
        let r = v.rotate_key().expect("rotate");
        assert_eq!((r.key_id, r.re_encrypted), (2, 5000));
        for (t, value) in pairs.iter().take(50) {
            assert_eq!(&v.reveal(t).expect("r").expect("known").value, value);
        }
        let mut file = Vec::new();
        let stats = export(&v, &master, &mut file).expect("export");
        // 5000 records, 5000 look-ups, the token root.
        assert_eq!(stats.entries, 10_001);
        assert!(stats.frames >= 3);
        for (_, value) in pairs.iter().take(20) {
            assert!(
                !file.windows(value.len()).any(|w| w == value.as_bytes()),
                "plaintext in backup"
            );
        }
        // A new machine: an empty directory, the same master key.
        let dst = tempfile::tempdir().expect("dst");
        let restored = SledVault::open(dst.path(), &master).expect("open");
        assert_eq!(
            import(&restored, &master, &mut file.as_slice())
                .expect("import")
                .entries,
            10_001
        );
        drop(restored);
        let restored = SledVault::open(dst.path(), &master).expect("reopen");
        assert_eq!(restored.verify().expect("verify"), 5000);
        for (t, value) in &pairs {
            assert_eq!(&restored.reveal(t).expect("r").expect("known").value, value);
        }
        // New values minted after the restore use the rotated key and the same token space.
        let again = restored
            .tokenize(
                &[TokenRequest {
                    ty: PhiType::Name,
                    value: &pairs[7].1,
                }],
                true,
            )
            .expect("t");
        assert_eq!(again[0], pairs[7].0);
    }

    #[test]
    fn backups_carry_patients_keys_and_forgotten_counts_and_v1_backups_still_import() {
        let master = MasterKey::from_bytes([6; 32]);
        let src = tempfile::tempdir().expect("src");
        let v = SledVault::open(src.path(), &master).expect("open");
        let req = |value| TokenRequest {
            ty: PhiType::Name,
            value,
        };
        let a = v
            .tokenize_for(Some("MRN:A-1"), &[req("Ann Aster"), req("Dr Shared")], true)
            .expect("a");
        let b = v
            .tokenize_for(Some("MRN:B-2"), &[req("Bo Birch"), req("Dr Shared")], true)
            .expect("b");
        let sid = v.subject_id("MRN:A-1").expect("sid");
        v.forget(&sid).expect("forget");
        let mut file = Vec::new();
        let stats = export(&v, &master, &mut file).expect("export");
        // The token root, one keyring entry, two records, B's holding row of the shared
        // value, two index entries (B's values).
        assert_eq!(stats.entries, 7);
        let dst = tempfile::tempdir().expect("dst");
        let restored = SledVault::open(dst.path(), &master).expect("open");
        import(&restored, &master, &mut file.as_slice()).expect("import");
        drop(restored);
        let restored = SledVault::open(dst.path(), &master).expect("reopen");
        assert_eq!(restored.verify().expect("verify"), 2);
        assert_eq!(restored.forgotten().expect("forgotten"), 1);
        assert_eq!(restored.subjects().expect("subjects"), 1);
        assert!(restored.reveal(&a[0]).expect("r").is_none());
        assert_eq!(
            restored.reveal(&b[0]).expect("r").expect("b").value,
            "Bo Birch"
        );
        assert_eq!(
            restored.reveal(&a[1]).expect("r").expect("shared").value,
            "Dr Shared"
        );
        // B's key came along: B's documents map to the same tokens without new records.
        let again = restored
            .tokenize_for(Some("MRN:B-2"), &[req("Bo Birch")], true)
            .expect("t");
        assert_eq!(again[0], b[0]);
        assert_eq!(restored.len(), 2);
        // Import only restores into an empty vault.
        assert!(matches!(
            import(&restored, &master, &mut file.as_slice()),
            Err(BackupError::NotEmpty)
        ));

        // A version 1 backup (no keyring, no forgotten count) of a vault without patients.
        let plain = tempfile::tempdir().expect("plain");
        let (pv, pairs) = filled(plain.path(), &master, 3);
        let mut v2 = Vec::new();
        export(&pv, &master, &mut v2).expect("export");
        let fixed = MAGIC.len() + SALT_LEN + CHECK_LEN + 4;
        let mut v1 = MAGIC_V1.to_vec();
        v1.extend_from_slice(&v2[MAGIC.len()..fixed]);
        v1.extend_from_slice(&v2[fixed + 8..]);
        let d = tempfile::tempdir().expect("d");
        let t = SledVault::open(d.path(), &master).expect("open");
        assert_eq!(
            import(&t, &master, &mut v1.as_slice())
                .expect("v1 import")
                .entries,
            7
        );
        assert_eq!(t.verify().expect("verify"), 3);
        assert_eq!(
            &t.reveal(&pairs[2].0).expect("r").expect("k").value,
            &pairs[2].1
        );
    }

    #[test]
    fn damaged_truncated_foreign_and_non_empty_imports_are_refused() {
        let master = MasterKey::from_bytes([7; 32]);
        let src = tempfile::tempdir().expect("src");
        let (v, _) = filled(src.path(), &master, 10);
        let mut file = Vec::new();
        export(&v, &master, &mut file).expect("export");
        let fresh = || {
            let d = tempfile::tempdir().expect("d");
            let vault = SledVault::open(d.path(), &master).expect("open");
            (d, vault)
        };
        let (_d, t) = fresh();
        let mut flipped = file.clone();
        let at = flipped.len() - 20;
        flipped[at] ^= 1;
        assert!(matches!(
            import(&t, &master, &mut flipped.as_slice()),
            Err(BackupError::Damaged(0))
        ));
        assert!(t.is_empty(), "a damaged backup writes nothing");
        let (_d, t) = fresh();
        assert!(matches!(
            import(&t, &master, &mut &file[..file.len() - 10]),
            Err(BackupError::Truncated)
        ));
        let (_d, t) = fresh();
        assert!(matches!(
            import(&t, &master, &mut &b"hello"[..]),
            Err(BackupError::NotABackup)
        ));
        let other = MasterKey::from_bytes([8; 32]);
        let d = tempfile::tempdir().expect("d");
        let t = SledVault::open(d.path(), &other).expect("open");
        assert!(matches!(
            import(&t, &other, &mut file.as_slice()),
            Err(BackupError::WrongKey)
        ));
        assert!(matches!(
            import(&v, &master, &mut file.as_slice()),
            Err(BackupError::NotEmpty)
        ));
    }
}
