//! The officer's console inside `phigate serve` (built from the gateway's configuration,
//! served beside it on its own listener, stopped when the gateway stops), and alone
//! (`phigate console`: over a log no gateway is writing, such as a copy, recording page
//! views in the officer's own chain `DIR/officer`).
//!
//! Owns finding what the console reads (the gateway's audit directory and the vault's
//! witness of it, as the gateway itself finds them) and starting it. The console itself is
//! [`crate::console`].

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use clap::Args;

use super::vault::{witness_at, WitnessAt};
use crate::audit::witness::{FileWitness, Witness};
use crate::config::{Config, VaultBackend};
use crate::console::{self, Console};
use crate::gateway::Gateway;
use crate::vault::PgOptions;

/// The console's tasks inside `serve`: stopped with [`Running::stop`] when the gateway has
/// stopped (page views need the gateway's audit log, which closes on shutdown).
pub(super) struct Running {
    served: tokio::task::JoinHandle<()>,
    reloads: tokio::task::JoinHandle<()>,
}

impl Running {
    pub(super) fn stop(self) {
        self.served.abort();
        self.reloads.abort();
    }
}

/// Starts the console when the configuration has one.
pub(super) async fn start(gw: &Gateway) -> anyhow::Result<Option<Running>> {
    let Some(cfg) = gw.config.console.clone() else {
        return Ok(None);
    };
    let (acceptor, cert) = console::tls_acceptor(&cfg)?;
    let listener = console::bind(&cfg).await?;
    let (config, audit, master) = (
        gw.config.clone(),
        Arc::clone(&gw.audit),
        Arc::clone(&gw.master),
    );
    // A PostgreSQL vault's witness is read over the network: off the runtime's workers.
    let built = tokio::task::spawn_blocking(move || -> anyhow::Result<Console> {
        let log_dir = audit_dir(&config)?;
        let witness = witness_of(&config, &log_dir, &master)?;
        Ok(Console::new(&cfg, audit, log_dir, Some(witness))?)
    })
    .await
    .context("starting the console")??;
    let shutdown = std::future::pending::<()>();
    Ok(Some(Running {
        served: tokio::spawn(console::serve(
            Arc::new(built),
            listener,
            acceptor,
            shutdown,
        )),
        reloads: tokio::spawn(console::reload_on_hangup(cert)),
    }))
}

#[derive(Args, Debug)]
pub struct ConsoleArgs {
    /// The configuration file with the `[console]` section (its vault key file and audit
    /// directory are used).
    #[arg(long, env = "PHIGATE_CONFIG")]
    pub config: PathBuf,
    /// The audit log to read instead of the configuration's (a copy, say).
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// Accept a master key file that group or others may read (refused otherwise).
    #[arg(long)]
    pub allow_insecure_key_permissions: bool,
}

/// `phigate console`: the console alone, until SIGTERM or Ctrl-C.
pub(super) fn run(args: &ConsoleArgs) -> anyhow::Result<()> {
    use crate::audit::{AuditLog, Settings};
    let config = Config::load(&args.config)?;
    let cfg = config
        .console
        .clone()
        .context("the configuration has no [console] section")?;
    crate::keys::check_key_permissions(
        &config.vault.key_file,
        args.allow_insecure_key_permissions,
    )?;
    let master = crate::keys::read_master_key(&config.vault.key_file)?;
    let log_dir = match &args.dir {
        Some(d) => d.clone(),
        None => audit_dir(&config)?,
    };
    if !log_dir.is_dir() {
        anyhow::bail!("audit log {} does not exist", log_dir.display());
    }
    // The witness is known only for a sled vault beside this machine's own log.
    let witness: Option<Arc<dyn Witness>> =
        match (&args.dir, config.vault.backend, &config.vault.dir) {
            (None, VaultBackend::Sled, Some(v)) => {
                Some(Arc::new(FileWitness::in_vault(v, &log_dir)))
            }
            _ => None,
        };
    let officer_log = AuditLog::open(&log_dir.join("officer"), &master, Settings::default())
        .with_context(|| format!("opening the officer's log in {}", log_dir.display()))?;
    let audit = Arc::new(officer_log);
    let built = Console::new(&cfg, Arc::clone(&audit), log_dir, witness)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .thread_name("phigate-console")
        .build()
        .context("starting the async runtime")?;
    rt.block_on(async {
        let (acceptor, cert) = console::tls_acceptor(&cfg)?;
        let listener = console::bind(&cfg).await?;
        let reloads = tokio::spawn(console::reload_on_hangup(cert));
        let mut terminate = crate::gateway::server::Terminate::listen();
        let shutdown = async move { terminate.recv().await };
        console::serve(Arc::new(built), listener, acceptor, shutdown).await;
        reloads.abort();
        anyhow::Ok(())
    })?;
    rt.shutdown_timeout(std::time::Duration::from_secs(1));
    audit.close()?;
    Ok(())
}

/// The audit directory the gateway writes: `[audit] dir`, or beside the sled vault.
fn audit_dir(config: &Config) -> anyhow::Result<PathBuf> {
    match (&config.audit.dir, &config.vault.dir) {
        (Some(d), _) => Ok(d.clone()),
        (None, Some(v)) => Ok(crate::audit::default_dir(v)),
        (None, None) => anyhow::bail!("[audit] dir is needed with the postgres backend"),
    }
}

/// The witness the gateway keeps of the log's newest checkpoint, in its vault.
fn witness_of(
    config: &Config,
    log_dir: &std::path::Path,
    master: &crate::keys::MasterKey,
) -> anyhow::Result<Arc<dyn Witness>> {
    let vc = &config.vault;
    match (vc.backend, &vc.dir, &vc.url) {
        (VaultBackend::Sled, Some(dir), _) => Ok(Arc::new(FileWitness::in_vault(dir, log_dir))),
        (VaultBackend::Postgres, _, Some(url)) => {
            let opts = PgOptions {
                url: url.clone(),
                password_file: vc.password_file.clone(),
                ca: vc.ca.clone(),
                pool_size: 1,
            };
            Ok(Arc::from(witness_at(
                &WitnessAt::Pg(opts),
                log_dir,
                Some(master),
            )?))
        }
        _ => anyhow::bail!("[vault]: dir (sled) or url (postgres) is needed"),
    }
}
