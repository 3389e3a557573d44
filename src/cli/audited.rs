//! What the command line's scans and reveals write to the audit log: the same events the
//! gateway writes per request (tokens handed out or revealed, keyed hashes of the values
//! behind them, counts per PHI type, reveals refused), with caller `cli`, route
//! `cli:scan` or `cli:reveal`, and the operating-system user who ran the command
//! ([`os_user`], with the sudo user behind it) and its real user id ([`os_uid`]).
//!
//! The log is the vault's (`<vault dir>-audit` by default, witnessed in the vault, as the
//! gateway keeps it). Events are written and made durable before the output that holds their
//! tokens or values: [`CliAudit::commit`] runs before every write of output. The trail and
//! recording store are the gateway's ([`crate::gateway::trail`]), so both record alike.

use std::path::Path;

use anyhow::Context;

use crate::audit::witness::Witness;
use crate::audit::{AuditLog, Event, Settings};
use crate::engine::reveal::Allow;
use crate::gateway::trail::{Recording, Trail};
use crate::keys::MasterKey;
use crate::transform::token::TokenStore;

/// An open audit log and the trail of one command.
pub struct CliAudit {
    log: AuditLog,
    trail: Trail,
    base: Event,
    reveals: bool,
}

impl CliAudit {
    /// Opens the log in `dir`, witnessed in its vault, for a command on `route` (which
    /// `reveals`, or tokenises). A log held by a running gateway is refused.
    pub fn open(
        dir: &Path,
        witness: Box<dyn Witness>,
        master: &MasterKey,
        route: &str,
        reveals: bool,
    ) -> anyhow::Result<CliAudit> {
        let log = AuditLog::open_witnessed(dir, master, Settings::default(), Some(witness))
            .context(
                "opening the vault's audit log (scans and reveals with a vault are audited)",
            )?;
        let base = Event {
            outcome: "ok".into(),
            caller: Some("cli".into()),
            user: Some(os_user()),
            uid: os_uid(),
            route: Some(route.to_string()),
            request_id: Some(crate::gateway::handle::new_request_id()),
            ..Event::default()
        };
        Ok(CliAudit {
            log,
            trail: Trail::default(),
            base,
            reveals,
        })
    }

    /// The store as seen through this command's trail.
    pub fn recording<'a>(
        &'a self,
        store: &'a dyn TokenStore,
        allow: Option<&'a Allow>,
    ) -> Recording<'a> {
        Recording {
            store,
            trail: &self.trail,
            keys: self.log.keys(),
            allow,
            shield: None,
        }
    }

    /// Writes what was noted since the last commit and waits until it is on disk.
    pub fn commit(&self) -> anyhow::Result<()> {
        let mut events = self.trail.take_events(&self.base, self.reveals);
        events.retain(|e| !e.tokens.is_empty() || !e.phi.is_empty());
        self.trail.clear_echo();
        self.log
            .record_durable_blocking(events)
            .context("writing the audit log; nothing more is output")
    }

    /// Commits, then checkpoints and closes the log.
    pub fn close(&self) -> anyhow::Result<()> {
        self.commit()?;
        Ok(self.log.close()?)
    }
}

/// Who ran the command, as the operating system says: `$USER` (or `$LOGNAME`), and the
/// user behind `sudo` when there is one, since `sudo` makes `$USER` read `root`. These are
/// the environment's word, not proof; they name the person for the record.
pub fn os_user() -> String {
    let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let user = var("USER")
        .or_else(|| var("LOGNAME"))
        .unwrap_or_else(|| "unknown".into());
    match var("SUDO_USER") {
        Some(by) => format!("{user} (sudo by {by})"),
        None => user,
    }
}

/// The process's real user id, from `/proc/self/status` (`None` where there is no procfs):
/// unlike `$USER` it cannot be set by whoever runs the command.
pub fn os_uid() -> Option<u32> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}
