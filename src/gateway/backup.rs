//! Online backup: `POST /vault/export` on the admin listener writes a verified backup of
//! the running gateway's sled vault (the format of `phigate vault export`) into
//! `[vault] backup_dir`, without stopping the gateway, and audits it (`vault_export`).
//!
//! The backup is written under a `.partial` name, synced, then renamed, so a file with the
//! final name is always whole. Nothing is streamed over HTTP: the answer names the file
//! and its counts. Consistency while tokens are minted is the vault's
//! ([`crate::vault::SledVault::entries`]).

use std::io::{BufWriter, Write as _};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::Gateway;
use crate::audit::{Action, AuditError, Event};
use crate::vault::backup::{self, BackupError};

/// Why an online backup was not made. Names paths and causes, never vault contents.
#[derive(Debug, thiserror::Error)]
pub enum OnlineBackupError {
    #[error("no [vault] backup_dir is configured")]
    NotConfigured,
    #[error("the vault is not a sled vault: back PostgreSQL up with its own tools")]
    NotSled,
    #[error("writing {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Backup(#[from] BackupError),
    #[error("the export could not be audited, so it is not kept: {0}")]
    Audit(#[from] AuditError),
    #[error("the export task failed")]
    Task,
}

/// Exports the vault into the backup directory; the answer's JSON (file, entries, frames).
pub async fn export(gw: Arc<Gateway>) -> Result<serde_json::Value, OnlineBackupError> {
    let dir = gw
        .config
        .vault
        .backup_dir
        .clone()
        .ok_or(OnlineBackupError::NotConfigured)?;
    let worker = Arc::clone(&gw);
    // Reading the whole vault and writing the file block: off the runtime's workers.
    let (path, stats) = tokio::task::spawn_blocking(move || write_backup(&worker, &dir))
        .await
        .map_err(|_| OnlineBackupError::Task)??;
    let name = path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let mut event = Event::new(Action::VaultExport, "ok");
    event.caller = Some("admin".to_string());
    event.detail = Some(format!("online backup {name}: {} entries", stats.entries));
    if let Err(e) = gw.audit.record_durable(vec![event]).await {
        // An export nobody can account for is not left behind.
        let _ = std::fs::remove_file(&path);
        return Err(e.into());
    }
    tracing::info!(file = %path.display(), entries = stats.entries, "online vault backup written");
    Ok(serde_json::json!({
        "file": path.display().to_string(),
        "entries": stats.entries,
        "frames": stats.frames,
    }))
}

/// Writes `phigate-<time>.vault` in `dir` (created if missing), synced and renamed into place.
fn write_backup(
    gw: &Gateway,
    dir: &Path,
) -> Result<(PathBuf, backup::BackupStats), OnlineBackupError> {
    let vault = gw.vault.as_sled().ok_or(OnlineBackupError::NotSled)?;
    let io = |path: &Path| {
        let path = path.display().to_string();
        move |source| OnlineBackupError::Io { path, source }
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let stamp = crate::audit::now_rfc3339().replace(':', "");
    let path = dir.join(format!("phigate-{stamp}.vault"));
    let partial = dir.join(format!("phigate-{stamp}.vault.partial"));
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&partial)
        .map_err(io(&partial))?;
    let mut w = BufWriter::new(file);
    let written = backup::export(vault, &gw.master, &mut w).and_then(|stats| {
        w.flush()?;
        let file = w.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        Ok(stats)
    });
    let stats = match written {
        Ok(s) => s,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e.into());
        }
    };
    if path.exists() {
        let _ = std::fs::remove_file(&partial);
        return Err(OnlineBackupError::Io {
            path: path.display().to_string(),
            source: std::io::Error::new(std::io::ErrorKind::AlreadyExists, "exists"),
        });
    }
    std::fs::rename(&partial, &path).map_err(io(&path))?;
    // The rename is durable once the directory is.
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok((path, stats))
}
