//! The audit log's witness: a copy of its newest signed checkpoint kept outside the log
//! directory, so that cutting the log short or rolling it back to older copies is caught.
//!
//! The checkpoints of a log form a chain (each signs the previous one's id), so a checkpoint
//! cannot be removed from the middle unnoticed; but whoever can write the log directory can
//! delete its newest entries together with their newest checkpoints, or put back yesterday's
//! copy of the directory. The witness is what the log is compared with: after every
//! checkpoint the writer stores it there too, and both the gateway (at start-up) and
//! `audit verify --vault` refuse a log whose newest checkpoint is older than the witness.
//!
//! A sled vault keeps its witnesses in `audit-witness/` inside the vault directory, one file
//! per log, written atomically; a PostgreSQL vault in the table `phigate_audit_witness`. A file
//! rather than a sled tree: the gateway holds sled's lock for as long as it runs, and an
//! officer must be able to verify the live log against its witness meanwhile.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::{io_err, AuditError, Checkpoint};

/// Where a log's newest checkpoint is kept, outside the log directory.
///
/// Logs are told apart by their id, the SHA-256 of their first entry (unique: it holds a
/// time to the microsecond and the first event), so a copy of a log verifies against the
/// witness wherever it is; the location a witness was written from is kept too, so that a
/// whole log deleted (an empty directory where a witnessed log was) is caught as well.
pub trait Witness: Send + Sync {
    /// Where the witness is, for messages (never a password).
    fn describe(&self) -> String;
    /// The checkpoint last stored for the log `log_id`, if any.
    fn load(&self, log_id: &str) -> Result<Option<Checkpoint>, AuditError>;
    /// Replaces the stored checkpoint of the log `log_id`; durable when it returns.
    fn store(&self, log_id: &str, checkpoint: &Checkpoint) -> Result<(), AuditError>;
    /// Whether a log was witnessed from this witness's location (the log directory).
    fn knows_location(&self) -> Result<bool, AuditError>;
}

/// The location of the log in `log_dir`: its absolute path.
pub fn location(log_dir: &Path) -> String {
    std::path::absolute(log_dir)
        .unwrap_or_else(|_| log_dir.to_path_buf())
        .display()
        .to_string()
}

/// The witnesses of a sled vault's logs, one file per log in `audit-witness/`.
pub struct FileWitness {
    dir: PathBuf,
    location: String,
}

/// A witness file's content.
#[derive(serde::Serialize, serde::Deserialize)]
struct Stored {
    log_id: String,
    location: String,
    checkpoint: Checkpoint,
}

/// The subdirectory of a sled vault holding witnesses.
pub const WITNESS_DIR: &str = "audit-witness";

impl FileWitness {
    /// The witness, in the sled vault directory `vault_dir`, of the log in `log_dir`.
    pub fn in_vault(vault_dir: &Path, log_dir: &Path) -> FileWitness {
        FileWitness {
            dir: vault_dir.join(WITNESS_DIR),
            location: location(log_dir),
        }
    }

    fn path(&self, log_id: &str) -> PathBuf {
        let name: String = log_id
            .chars()
            .filter(char::is_ascii_hexdigit)
            .take(32)
            .collect();
        self.dir.join(format!("{name}.json"))
    }

    fn read(&self, path: &Path) -> Result<Option<Stored>, AuditError> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io_err(path, e)),
        };
        serde_json::from_str(&text)
            .map(Some)
            .map_err(|_| io_err(path, "the witness file is not a checkpoint record"))
    }
}

impl Witness for FileWitness {
    fn describe(&self) -> String {
        self.dir.display().to_string()
    }

    fn load(&self, log_id: &str) -> Result<Option<Checkpoint>, AuditError> {
        let path = self.path(log_id);
        Ok(self
            .read(&path)?
            .filter(|s| s.log_id == log_id)
            .map(|s| s.checkpoint))
    }

    fn store(&self, log_id: &str, checkpoint: &Checkpoint) -> Result<(), AuditError> {
        std::fs::create_dir_all(&self.dir).map_err(|e| io_err(&self.dir, e))?;
        let path = self.path(log_id);
        let stored = Stored {
            log_id: log_id.to_string(),
            location: self.location.clone(),
            checkpoint: checkpoint.clone(),
        };
        let text = serde_json::to_string(&stored).map_err(|e| io_err(&path, e))?;
        // Written beside, made durable, then renamed over: a crash leaves the old witness
        // or the new one, never half of either.
        let tmp = path.with_extension("json.tmp");
        let mut f = std::fs::File::create(&tmp).map_err(|e| io_err(&tmp, e))?;
        f.write_all(text.as_bytes())
            .and_then(|()| f.sync_data())
            .map_err(|e| io_err(&tmp, e))?;
        std::fs::rename(&tmp, &path).map_err(|e| io_err(&path, e))?;
        super::sync_dir(&self.dir)
    }

    fn knows_location(&self) -> Result<bool, AuditError> {
        let rd = match std::fs::read_dir(&self.dir) {
            Ok(rd) => rd,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
            Err(e) => return Err(io_err(&self.dir, e)),
        };
        for e in rd.flatten() {
            if e.path().extension().is_some_and(|x| x == "json") {
                if let Some(s) = self.read(&e.path())? {
                    if s.location == self.location {
                        return Ok(true);
                    }
                }
            }
        }
        Ok(false)
    }
}
