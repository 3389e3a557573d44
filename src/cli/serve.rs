//! `phigate serve`, `reload` and `check-config`: run the gateway and talk to a running one.
//!
//! Owns the async runtime, logging set-up, the start-up retry while a PostgreSQL vault is
//! unreachable, stopping on SIGTERM while waiting (the signal listener comes first), and
//! dev mode's warnings. The gateway itself is [`crate::gateway`].

use std::io;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::Args;

use super::error_message;
use crate::config::{Config, LogConfig, LogFormat, VaultBackend};
use opentelemetry_sdk::trace::SdkTracerProvider;

/// `check-config`: the start-up checks of `serve --config FILE`, printing the summary.
pub(super) fn check_config(
    file: &Path,
    allow_insecure_key_permissions: bool,
) -> anyhow::Result<ExitCode> {
    let mut summary = crate::gateway::check_config(file, allow_insecure_key_permissions)?;
    let config = Config::load(file)?;
    if let Some(console) = &config.console {
        summary = format!("{summary}; {}", crate::console::check(console)?);
    }
    // The warnings `serve` gives at start, so an operator sees them before deploying.
    let warnings = crate::config::token_oracle_warnings(&config.routes, &config.api);
    match super::output_format() {
        super::Format::Text => {
            outln!("{summary}")?;
            for w in &warnings {
                eprintln!("phigate: WARNING: {w}");
            }
        }
        super::Format::Json => outln!(
            "{}",
            serde_json::json!({
                "config": file.display().to_string(),
                "ok": true,
                "summary": summary,
                "warnings": warnings,
            })
        )?,
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// The configuration file (see deploy/phigate.example.toml).
    #[arg(
        long,
        env = "PHIGATE_CONFIG",
        required_unless_present = "dev",
        conflicts_with = "dev"
    )]
    pub config: Option<PathBuf>,
    /// Development mode: makes a master key, a self-signed certificate and a vault under
    /// --data-dir, and serves demo routes to a built-in echo upstream. Never for production.
    #[arg(long)]
    pub dev: bool,
    /// Where --dev keeps its key, certificate and vault.
    #[arg(long, default_value = "phigate-data")]
    pub data_dir: PathBuf,
    /// The --dev TLS listener address.
    #[arg(long, default_value = "127.0.0.1:8443")]
    pub listen: std::net::SocketAddr,
    /// The --dev admin listener address (health, readiness, metrics).
    #[arg(long, default_value = "127.0.0.1:9090")]
    pub admin_listen: std::net::SocketAddr,
    /// Worker threads (default: one per core).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Accept a master key file that group or others may read (refused otherwise).
    #[arg(long)]
    pub allow_insecure_key_permissions: bool,
}

pub(super) fn reload(
    config: Option<&Path>,
    admin: Option<std::net::SocketAddr>,
) -> anyhow::Result<ExitCode> {
    let (admin, token) = admin_target(config, admin)?;
    let (ok, text) = crate::gateway::reload::request(admin, token.as_deref())
        .with_context(|| format!("asking the admin listener {admin} to reload"))?;
    if ok {
        outln!("{}", text.trim_end())?;
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("phigate: {}", text.trim_end());
        Ok(ExitCode::from(1))
    }
}

/// The admin listener to ask, and the admin token to send: from the configuration file
/// (`[admin] listen`, `token_file`), or `--admin` with the token file named by
/// `PHIGATE_ADMIN_TOKEN_FILE`.
pub(super) fn admin_target(
    config: Option<&Path>,
    admin: Option<std::net::SocketAddr>,
) -> anyhow::Result<(std::net::SocketAddr, Option<String>)> {
    let (addr, token_file) = match (admin, config) {
        (Some(a), _) => (
            a,
            std::env::var_os("PHIGATE_ADMIN_TOKEN_FILE").map(PathBuf::from),
        ),
        (None, Some(path)) => {
            let admin = Config::load(path)?.admin;
            (admin.listen, admin.token_file)
        }
        (None, None) => bail!("--config or --admin is needed"),
    };
    let token = token_file
        .map(|f| {
            std::fs::read_to_string(&f)
                .with_context(|| format!("reading the admin token file {}", f.display()))
        })
        .transpose()?;
    Ok((addr, token))
}

pub(super) fn serve(args: &ServeArgs) -> anyhow::Result<()> {
    let mut rt = tokio::runtime::Builder::new_multi_thread();
    rt.enable_all().thread_name("phigate");
    if let Some(n) = args.threads {
        rt.worker_threads(n.max(1));
    }
    let rt = rt.build().context("starting the async runtime")?;
    let mut exporter = None;
    let result = rt.block_on(async {
        let config = if args.dev {
            let echo = crate::gateway::dev::start_echo().await?;
            crate::gateway::dev::prepare(&args.data_dir, args.listen, args.admin_listen, echo)?
        } else {
            let path = args.config.as_deref().context("--config or --dev is needed")?;
            Config::load(path)?
        };
        exporter = config
            .otel
            .as_ref()
            .map(|o| crate::gateway::telemetry::provider(o, tokio::runtime::Handle::current()))
            .transpose()?;
        init_logging(&config.log, exporter.as_ref());
        crate::keys::check_key_permissions(
            &config.vault.key_file,
            args.allow_insecure_key_permissions,
        )?;
        for w in crate::config::token_oracle_warnings(&config.routes, &config.api) {
            // Loud on purpose: the grant lets a partner translate the tokens it holds.
            tracing::warn!(warning = %w, "token oracle");
            eprintln!("phigate: WARNING: {w}");
        }
        if args.dev && crate::gateway::dev::exposed(args.listen) {
            // Loud on purpose: the dev key is published in the README.
            tracing::warn!(listen = %args.listen, "dev mode on a non-loopback address");
            eprintln!(
                "phigate: WARNING: dev mode listening on {} (not loopback): anyone who can reach \
                 it can use the published dev key on the demo routes; the direct API is off. \
                 Never for real data.",
                args.listen
            );
        }
        let mut terminate = crate::gateway::server::Terminate::listen();
        let admin = crate::gateway::server::StartingAdmin::bind(config.admin.listen).await?;
        let Some(gw) = load_gateway(config, &mut terminate).await? else {
            return Ok(());
        };
        let console = super::console::start(&gw).await?;
        let listeners = crate::gateway::server::Listeners {
            public: crate::gateway::server::bind(&gw.config).await?,
            admin: admin.into_listener().await?,
        };
        if args.dev {
            eprintln!(
                "phigate: dev mode (data in {}; API key `{}`); try:\n  curl -sk https://localhost:{}/demo/webhook -H 'Authorization: Bearer {}' -H 'Content-Type: application/fhir+json' --data-binary @examples/fhir-bundle.json",
                args.data_dir.display(),
                crate::gateway::dev::DEV_API_KEY,
                args.listen.port(),
                crate::gateway::dev::DEV_API_KEY,
            );
        }
        // Dev mode's configuration is generated, so there is no file to reload.
        let source = if args.dev { None } else { args.config.clone() };
        let (shutdown, reloads) = terminate.split();
        let served = crate::gateway::serve(gw, source, listeners, reloads, shutdown).await;
        if let Some(c) = console {
            c.stop();
        }
        served
    });
    // The last batch of spans is sent while the runtime that posts it still runs.
    if let Some(p) = exporter {
        if let Err(e) = p.shutdown_with_timeout(std::time::Duration::from_secs(5)) {
            tracing::warn!(error = %e, "the last spans were not exported");
        }
    }
    // A connection attempt still under way when start-up was stopped is not waited for.
    rt.shutdown_timeout(std::time::Duration::from_secs(1));
    result
}

/// Loads the gateway; with a PostgreSQL vault that cannot be reached (down, refusing the
/// password), retries with backoff (1 s doubling to 30 s), logging why, while the admin
/// listener answers not ready. Other failures (a wrong master key, a bad file) end start-up.
/// `None` when stopped (SIGTERM) while waiting.
async fn load_gateway(
    config: Config,
    terminate: &mut crate::gateway::server::Terminate,
) -> anyhow::Result<Option<crate::gateway::Gateway>> {
    let retries = config.vault.backend == VaultBackend::Postgres;
    let mut wait = std::time::Duration::from_secs(1);
    let result = loop {
        let attempt = config.clone();
        // Opening the vault blocks on the network: off the runtime's workers.
        let load = tokio::task::spawn_blocking(move || crate::gateway::Gateway::load(attempt));
        let result = tokio::select! {
            r = load => r.context("start-up panicked")?,
            () = terminate.recv() => break Ok(None),
        };
        match result {
            Ok(gw) => break Ok(Some(gw)),
            Err(e) if retries && vault_unreachable(&e) => {
                tracing::error!(
                    error = %error_message(&e),
                    retry_in_s = wait.as_secs(),
                    "the PostgreSQL vault cannot be reached; not ready, retrying"
                );
                tokio::select! {
                    () = tokio::time::sleep(wait) => {}
                    () = terminate.recv() => break Ok(None),
                }
                wait = (wait * 2).min(std::time::Duration::from_secs(30));
            }
            Err(e) => break Err(e),
        }
    };
    result
}

/// Whether start-up failed because the vault's database could not be reached or refused
/// the connection (worth retrying), rather than for a reason waiting cannot fix.
fn vault_unreachable(e: &anyhow::Error) -> bool {
    use crate::vault::VaultError;
    e.chain().any(|c| {
        matches!(
            c.downcast_ref::<VaultError>(),
            Some(VaultError::Open { .. } | VaultError::Storage(_))
        )
    })
}

/// Logs go to standard error; `RUST_LOG` overrides the configured level. With `[otel]`,
/// the gateway's spans go to the exporter (and never into the log lines). Other crates'
/// debug and trace lines never reach the log, whatever the level: they are written for
/// their own developers and quote what they parse (h2 logs a malformed `:path` whole at
/// debug, a caller's URL built from patient values; red team 69, L1).
fn init_logging(cfg: &LogConfig, exporter: Option<&SdkTracerProvider>) {
    use std::io::IsTerminal;
    use tracing_subscriber::filter::{filter_fn, FilterExt};
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    use tracing_subscriber::{EnvFilter, Layer};
    // rustls warns once per connection from clients that send an IP address as SNI
    // (wrk, curl to https://127.0.0.1): harmless, so only its errors are shown.
    let level = cfg.level.as_deref().unwrap_or("info");
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(format!("rustls=error,{level}")))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let log_level = log_crate_level(filter.max_level_hint());
    let not_exported = filter_fn(|m| {
        !crate::gateway::telemetry::is_exported_span(m) && is_loggable(m.target(), *m.level())
    });
    let fmt = tracing_subscriber::fmt::layer()
        .with_ansi(io::stderr().is_terminal())
        .with_writer(io::stderr);
    let fmt = match cfg.format {
        LogFormat::Json => fmt.json().boxed(),
        LogFormat::Text => fmt.boxed(),
    };
    let otel = exporter.map(crate::gateway::telemetry::layer);
    let _ = tracing_subscriber::registry()
        .with(fmt.with_filter(filter.and(not_exported)))
        .with(otel)
        .try_init();
    // `try_init` forwards the `log` crate's records (sled, rustls) with its level left at
    // `trace`, so each of sled's trace lines on every page operation went through the
    // filter: ~1.5 M instructions of an 8 M-instruction request. The `log` macros check
    // this level before anything else.
    log::set_max_level(log_level);
}

/// Whether a line from `target` at `level` may be logged: any of the gateway's own, and
/// only errors, warnings and notices from other crates (their debug and trace lines may
/// quote request bytes).
fn is_loggable(target: &str, level: tracing::Level) -> bool {
    let own = target == "phigate" || target.starts_with("phigate::");
    own || matches!(
        level,
        tracing::Level::ERROR | tracing::Level::WARN | tracing::Level::INFO
    )
}

/// The `log` crate's level for the most verbose level the filter lets through (`None`:
/// the filter cannot say, so everything is offered to it).
fn log_crate_level(hint: Option<tracing_subscriber::filter::LevelFilter>) -> log::LevelFilter {
    use tracing_subscriber::filter::LevelFilter;
    match hint {
        Some(LevelFilter::OFF) => log::LevelFilter::Off,
        Some(LevelFilter::ERROR) => log::LevelFilter::Error,
        Some(LevelFilter::WARN) => log::LevelFilter::Warn,
        Some(LevelFilter::INFO) => log::LevelFilter::Info,
        Some(LevelFilter::DEBUG) => log::LevelFilter::Debug,
        Some(_) | None => log::LevelFilter::Trace,
    }
}

#[cfg(test)]
mod tests {
    use super::{is_loggable, log_crate_level};
    use tracing::Level;
    use tracing_subscriber::EnvFilter;

    #[test]
    fn only_the_gateway_logs_below_info() {
        assert!(is_loggable("phigate::gateway::proxy", Level::TRACE));
        assert!(is_loggable("phigate", Level::DEBUG));
        assert!(is_loggable("h2::server", Level::WARN));
        assert!(!is_loggable("h2::server", Level::DEBUG));
        assert!(!is_loggable("h2::frame::headers", Level::TRACE));
        assert!(!is_loggable("tokio_postgres::query", Level::DEBUG));
        assert!(!is_loggable("phigatex", Level::DEBUG));
    }

    #[test]
    fn the_log_crate_level_follows_the_most_verbose_directive() {
        let level = |directives: &str| log_crate_level(EnvFilter::new(directives).max_level_hint());
        assert_eq!(level("rustls=error,info"), log::LevelFilter::Info);
        assert_eq!(level("warn"), log::LevelFilter::Warn);
        assert_eq!(level("info,sled=debug"), log::LevelFilter::Debug);
        assert_eq!(level("sled=trace"), log::LevelFilter::Trace);
        assert_eq!(level("off"), log::LevelFilter::Off);
    }
}
