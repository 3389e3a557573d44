//! Live configuration reload: SIGHUP, `POST /reload` on the admin listener, or
//! `phigate reload` (which posts it).
//!
//! The running gateway is one [`Gateway`] snapshot behind [`Running`]. A reload re-reads
//! the file, runs the start-up checks on it ([`Gateway::assemble`], the same function
//! start-up uses) around the durable parts (vault, audit log, key, counters), and swaps the
//! snapshot in one step. Every request takes the snapshot once, when it arrives, so a
//! request in flight finishes on the configuration it started with. A configuration that
//! fails a check, or changes what only a restart can change (listeners, the admin
//! listener, the vault, the audit log), is refused and the old one stays.
//!
//! Outcomes are logged and audited (`config_reload`, detail `config`); messages name the
//! file and the setting, never a request.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use super::Gateway;
use crate::config::{Config, ConfigError};

/// Why a reload was refused; the old configuration is still serving.
#[derive(Debug, thiserror::Error)]
pub enum ReloadError {
    #[error("no configuration file to reload (dev mode)")]
    NoFile,
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("{0} changed: restart the gateway to apply it (the old configuration is kept)")]
    NeedsRestart(String),
    #[error("{0:#}")]
    Check(anyhow::Error),
}

/// The serving snapshot, and where it came from.
pub struct Running {
    current: RwLock<Arc<Gateway>>,
    source: Option<PathBuf>,
    /// One reload at a time: two at once could each build from the same old snapshot.
    reloading: Mutex<()>,
}

impl Running {
    /// `source` is the file `serve --config` read; `None` (dev mode) reloads nothing.
    pub fn new(gw: Gateway, source: Option<PathBuf>) -> Running {
        Running {
            current: RwLock::new(Arc::new(gw)),
            source,
            reloading: Mutex::new(()),
        }
    }

    /// The snapshot a new request or connection uses.
    pub fn current(&self) -> Arc<Gateway> {
        // The lock guards one pointer swap; a poisoned lock still holds a whole snapshot.
        Arc::clone(&self.current.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// Re-reads and checks the file and, if it passes, serves it from now on. Blocking
    /// (rule files, claim tables and certificates are read): call it off the async workers.
    /// Returns a summary of what now serves.
    pub fn reload(&self) -> Result<String, ReloadError> {
        if self.source.is_none() {
            // Dev mode: SIGHUP still reloads certificates; there is no file to re-read,
            // and nothing was refused, so nothing is logged or audited.
            return Err(ReloadError::NoFile);
        }
        let _one = self
            .reloading
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let result = self.try_reload();
        self.record(&result);
        result
    }

    fn try_reload(&self) -> Result<String, ReloadError> {
        let path = self.source.as_deref().ok_or(ReloadError::NoFile)?;
        let config = Config::load(path)?;
        let old = self.current();
        restart_only_unchanged(&old.config, &config)?;
        if old.config.log != config.log {
            tracing::warn!("[log] changed: it applies at the next restart");
        }
        let gw = Gateway::assemble(config, old.durable()).map_err(ReloadError::Check)?;
        let summary = format!(
            "{} route(s), {} caller(s)",
            gw.routes.len(),
            gw.callers.len()
        );
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(gw);
        Ok(summary)
    }

    fn record(&self, result: &Result<String, ReloadError>) {
        let outcome = match result {
            Ok(summary) => {
                tracing::info!(%summary, "configuration reloaded");
                "ok"
            }
            Err(e) => {
                tracing::error!(error = %e, "configuration reload refused; keeping the old one");
                "refused"
            }
        };
        let mut e = crate::audit::Event::new(crate::audit::Action::ConfigReload, outcome);
        e.detail = Some("config".into());
        if let Err(err) = self.current().audit.record(e) {
            tracing::error!(error = %err, "audit record failed");
        }
    }
}

/// `phigate reload`: POST /reload to the admin listener at `admin`. Returns whether the
/// gateway accepted the new configuration, and its answer (which names any problem).
pub fn request(
    admin: std::net::SocketAddr,
    token: Option<&str>,
) -> std::io::Result<(bool, String)> {
    admin_post(admin, "/reload", token)
}

/// `POST path` to the admin listener (with the admin token, when there is one): whether it
/// answered 200, and its body.
pub fn admin_post(
    admin: std::net::SocketAddr,
    path: &str,
    token: Option<&str>,
) -> std::io::Result<(bool, String)> {
    use std::io::{Read as _, Write as _};
    // A reload reads rule files and claim tables: allow it time.
    let timeout = std::time::Duration::from_secs(60);
    let mut tcp = std::net::TcpStream::connect_timeout(&admin, timeout)?;
    tcp.set_read_timeout(Some(timeout))?;
    write!(
        tcp,
        "POST {path} HTTP/1.1\r\nHost: {admin}\r\n{auth}Content-Length: 0\r\nConnection: close\r\n\r\n",
        auth = token.map_or(String::new(), |t| format!("Authorization: Bearer {}\r\n", t.trim()))
    )?;
    let mut answer = String::new();
    tcp.read_to_string(&mut answer)?;
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    let ok = head.starts_with("HTTP/1.1 200");
    Ok((ok, body.to_string()))
}

/// Sockets, the vault and the audit log are opened once: a change to them is refused
/// rather than half-applied.
fn restart_only_unchanged(old: &Config, new: &Config) -> Result<(), ReloadError> {
    let changed: Vec<&str> = [
        ("[[listener]]", old.listeners != new.listeners),
        ("[admin]", old.admin != new.admin),
        ("[vault]", old.vault != new.vault),
        ("[audit]", old.audit != new.audit),
        (
            "[limits] max_connections",
            old.limits.max_connections != new.limits.max_connections,
        ),
    ]
    .into_iter()
    .filter_map(|(name, differs)| differs.then_some(name))
    .collect();
    if changed.is_empty() {
        Ok(())
    } else {
        Err(ReloadError::NeedsRestart(changed.join(", ")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::config::TEST_BASE as BASE;

    #[test]
    fn routes_and_callers_may_change_but_sockets_and_vault_may_not() {
        let old = Config::parse("t.toml", BASE).expect("parses");
        let more = format!("{BASE}\n[[caller]]\nname = \"zap\"\nmtls_dns_name = \"zap.test\"\n");
        let new = Config::parse("t.toml", &more).expect("parses");
        restart_only_unchanged(&old, &new).expect("callers reload");
        let moved = BASE
            .replace("8443", "9443")
            .replace("\"vault\"", "\"vault2\"");
        let new = Config::parse("t.toml", &moved).expect("parses");
        let e = restart_only_unchanged(&old, &new).expect_err("refused");
        let text = e.to_string();
        assert!(
            text.contains("[[listener]]") && text.contains("[vault]"),
            "{text}"
        );
        assert!(!text.contains("[admin]"), "{text}");
    }
}
