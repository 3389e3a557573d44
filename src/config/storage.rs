//! `[vault]` and `[audit]`: where tokens and the audit log are kept.
//!
//! Owns the backend choice and the settings each backend needs (a sled directory, or a
//! PostgreSQL URL with its password file, CA and pool), and the audit log's directory and
//! failure mode. Checked together: a PostgreSQL vault has no directory to put a log beside.

use std::path::PathBuf;

use serde::Deserialize;

use super::Problems;

#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum VaultBackend {
    #[default]
    Sled,
    Postgres,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct VaultConfig {
    /// `sled` (embedded, the default) or `postgres` (shared by several replicas).
    #[serde(default)]
    pub backend: VaultBackend,
    /// The sled vault directory.
    #[serde(default)]
    pub dir: Option<PathBuf>,
    pub key_file: PathBuf,
    /// PostgreSQL: `postgres://user@host:port/db?sslmode=disable|require|verify-full`.
    #[serde(default)]
    pub url: Option<String>,
    /// PostgreSQL: a file holding the password (never the URL).
    #[serde(default)]
    pub password_file: Option<PathBuf>,
    /// PostgreSQL: the CA bundle for TLS to the server (default: the system roots).
    #[serde(default)]
    pub ca: Option<PathBuf>,
    /// PostgreSQL: connections in the pool.
    #[serde(default = "default_pool_size")]
    pub pool_size: usize,
    /// Sled: where `POST /vault/export` on the admin listener writes online backups.
    #[serde(default)]
    pub backup_dir: Option<PathBuf>,
    /// Remember each patient's identifiers (keyed hashes) from structured payloads and
    /// scrub them from the patient's later payloads ([`crate::memory`]). Default on.
    #[serde(default = "default_on")]
    pub patient_memory: bool,
}

fn default_pool_size() -> usize {
    16
}

fn default_on() -> bool {
    true
}

/// The audit log.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AuditConfig {
    /// Default: `<vault dir>-audit` beside the vault.
    #[serde(default)]
    pub dir: Option<PathBuf>,
    /// `reject` (default): requests fail with 503 while the log cannot be written;
    /// `degrade`: they go on, and lost events are counted in `phigate_audit_lost_total`.
    #[serde(default)]
    pub on_failure: AuditFailure,
    /// Segment size before rotation (segments also rotate daily).
    #[serde(default)]
    pub max_segment_bytes: Option<u64>,
    /// `[[audit.device]]`: syslog receivers and HTTPS collectors every entry is forwarded to.
    #[serde(default, rename = "device")]
    pub devices: Vec<super::audit_devices::AuditDeviceConfig>,
}

#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum AuditFailure {
    #[default]
    Reject,
    Degrade,
}

/// What each backend needs that the file's shape cannot require.
pub(super) fn check(vault: &VaultConfig, audit: &AuditConfig, problems: &mut Problems) {
    match vault.backend {
        VaultBackend::Sled if vault.dir.is_none() => {
            problems.at("vault.dir", "needed for the sled backend");
        }
        VaultBackend::Postgres => {
            if vault.url.is_none() {
                problems.at("vault.url", "needed for the postgres backend");
            }
            if audit.dir.is_none() {
                problems.at("audit.dir", "needed with the postgres backend");
            }
        }
        VaultBackend::Sled => {}
    }
    super::audit_devices::check(&audit.devices, problems);
}
