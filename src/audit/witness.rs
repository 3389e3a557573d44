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
//! per log (named after the log directory's absolute path), written atomically. A file
//! rather than a sled tree: the gateway holds sled's lock for as long as it runs, and an
//! officer must be able to verify the live log against its witness meanwhile.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::{io_err, sha256_hex, AuditError, Checkpoint};

/// Where a log's newest checkpoint is kept, outside the log directory.
pub trait Witness: Send + Sync {
    /// Where the witness is, for messages (never a password).
    fn describe(&self) -> String;
    /// The checkpoint last stored, if any.
    fn load(&self) -> Result<Option<Checkpoint>, AuditError>;
    /// Replaces the stored checkpoint; durable when it returns.
    fn store(&self, checkpoint: &Checkpoint) -> Result<(), AuditError>;
}

/// The name the witness of the log in `log_dir` is kept under: its absolute path (the log
/// is the same log wherever the command that opens it runs from).
pub fn log_name(log_dir: &Path) -> String {
    std::path::absolute(log_dir)
        .unwrap_or_else(|_| log_dir.to_path_buf())
        .display()
        .to_string()
}

/// The witness of one log in a sled vault's directory.
pub struct FileWitness {
    path: PathBuf,
    log: String,
}

/// The file's content: which log, and its newest checkpoint.
#[derive(serde::Serialize, serde::Deserialize)]
struct Stored {
    log: String,
    checkpoint: Checkpoint,
}

/// The subdirectory of a sled vault holding witnesses.
pub const WITNESS_DIR: &str = "audit-witness";

impl FileWitness {
    /// The witness of the log in `log_dir`, kept in the sled vault directory `vault_dir`.
    pub fn in_vault(vault_dir: &Path, log_dir: &Path) -> FileWitness {
        let log = log_name(log_dir);
        let file = format!("{}.json", &sha256_hex(log.as_bytes())[..32]);
        FileWitness {
            path: vault_dir.join(WITNESS_DIR).join(file),
            log,
        }
    }
}

impl Witness for FileWitness {
    fn describe(&self) -> String {
        self.path.display().to_string()
    }

    fn load(&self) -> Result<Option<Checkpoint>, AuditError> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io_err(&self.path, e)),
        };
        let stored: Stored = serde_json::from_str(&text)
            .map_err(|_| io_err(&self.path, "the witness file is not a checkpoint record"))?;
        Ok(Some(stored.checkpoint))
    }

    fn store(&self, checkpoint: &Checkpoint) -> Result<(), AuditError> {
        let dir = self.path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(|e| io_err(dir, e))?;
        let stored = Stored {
            log: self.log.clone(),
            checkpoint: checkpoint.clone(),
        };
        let text = serde_json::to_string(&stored).map_err(|e| io_err(&self.path, e))?;
        // Written beside, made durable, then renamed over: a crash leaves the old witness
        // or the new one, never half of either.
        let tmp = self.path.with_extension("json.tmp");
        let mut f = std::fs::File::create(&tmp).map_err(|e| io_err(&tmp, e))?;
        f.write_all(text.as_bytes())
            .and_then(|()| f.sync_data())
            .map_err(|e| io_err(&tmp, e))?;
        std::fs::rename(&tmp, &self.path).map_err(|e| io_err(&self.path, e))?;
        super::sync_dir(dir)
    }
}
