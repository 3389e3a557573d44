//! The audit log's witness in the PostgreSQL vault's database ([`crate::audit::witness`]).
//!
//! Owns the table `phigate_audit_witness`: each log's newest checkpoint, by log id, with the
//! location (`host:path`) of the log it came from, so a replica can tell a log it has never
//! seen from one whose checkpoint went missing.

use std::path::Path;
use std::sync::Arc;

use super::{storage, PgVault};
use crate::vault::VaultError;

/// The witness ([`crate::audit::witness`]) of the log in one directory on this host, kept
/// in `phigate_audit_witness`. Its location is `host:path`, since replicas on several hosts
/// may use the same path for their own logs.
pub struct PgWitness {
    vault: PgVault,
    location: String,
}

impl PgVault {
    /// The witness of the audit log in `log_dir` on this host.
    pub fn audit_witness(&self, log_dir: &Path) -> PgWitness {
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .or_else(|_| std::fs::read_to_string("/etc/hostname"))
            .map(|h| h.trim().to_string())
            .unwrap_or_else(|_| "localhost".into());
        PgWitness {
            vault: self.clone(),
            location: format!("{host}:{}", crate::audit::witness::location(log_dir)),
        }
    }
}

impl PgWitness {
    fn failed(&self, e: VaultError) -> crate::audit::AuditError {
        crate::audit::AuditError::Io {
            path: format!("{} (audit witness)", self.vault.name()),
            reason: e.to_string(),
        }
    }
}

impl crate::audit::witness::Witness for PgWitness {
    fn describe(&self) -> String {
        format!("{} table phigate_audit_witness", self.vault.name())
    }

    fn load(
        &self,
        log_id: &str,
    ) -> Result<Option<crate::audit::Checkpoint>, crate::audit::AuditError> {
        let pool = Arc::clone(&self.vault.inner.pool);
        let id = log_id.to_string();
        let text: Option<String> = self
            .vault
            .run(async move {
                let c = pool.get().await?;
                Ok(c.client
                    .query_opt(
                        "SELECT checkpoint FROM phigate_audit_witness WHERE log_id = $1",
                        &[&id],
                    )
                    .await?
                    .map(|r| r.get(0)))
            })
            .map_err(|e| self.failed(e))?;
        text.map(|t| serde_json::from_str(&t))
            .transpose()
            .map_err(|_| self.failed(storage("a witness row is not a checkpoint")))
    }

    fn store(
        &self,
        log_id: &str,
        checkpoint: &crate::audit::Checkpoint,
    ) -> Result<(), crate::audit::AuditError> {
        let pool = Arc::clone(&self.vault.inner.pool);
        let (id, location, line) = (log_id.to_string(), self.location.clone(), checkpoint.line());
        self.vault
            .run(async move {
                let c = pool.get().await?;
                c.client
                    .execute(
                        "INSERT INTO phigate_audit_witness (log_id, location, checkpoint) VALUES ($1, $2, $3)
                         ON CONFLICT (log_id) DO UPDATE SET location = EXCLUDED.location, checkpoint = EXCLUDED.checkpoint",
                        &[&id, &location, &line],
                    )
                    .await?;
                Ok(())
            })
            .map_err(|e| self.failed(e))
    }

    fn knows_location(&self) -> Result<bool, crate::audit::AuditError> {
        let pool = Arc::clone(&self.vault.inner.pool);
        let location = self.location.clone();
        self.vault
            .run(async move {
                let c = pool.get().await?;
                Ok(c.client
                    .query_opt(
                        "SELECT 1 FROM phigate_audit_witness WHERE location = $1 LIMIT 1",
                        &[&location],
                    )
                    .await?
                    .is_some())
            })
            .map_err(|e| self.failed(e))
    }
}
