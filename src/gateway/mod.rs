//! The gateway: TLS listeners that de-identify outbound webhooks and re-identify
//! callbacks, the admin listener, start-up checks and graceful shutdown.
//!
//! Owns the running state ([`Gateway`]): the engine, the vault and one domain view of it
//! per route, loaded callers and signers, upstream clients, metrics and the concurrency
//! cap. Request handling lives in [`proxy`]; the pieces it uses each have their module.

pub mod auth;
pub mod body;

pub mod claims;
pub mod config;
pub mod dev;
pub mod metrics;
pub mod problem;
pub mod proxy;
pub mod reload;
mod server;
pub mod tls;
pub mod trail;

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use bytes::Bytes;
use http_body_util::Full;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

use crate::keys::MasterKey;
use crate::patterns::Patterns;
use crate::phi::PhiType;
use crate::reveal::Allow;
use crate::transform::policy::Policy;
use crate::vault::{PgOptions, PgVault, SledVault, VaultStore};
use crate::walk::Engine;

pub use server::serve;

use auth::{Caller, ReplayCache, Signer};
use config::{Config, Direction, RouteConfig};
use metrics::Metrics;

/// The client every route forwards with.
pub type UpstreamClient = Client<hyper_rustls::HttpsConnector<HttpConnector>, Full<Bytes>>;

/// A route, ready to serve.
pub struct Route {
    pub cfg: RouteConfig,
    pub policy: Policy,
    /// The vault, minting in this route's token domain.
    pub store: Arc<dyn VaultStore>,
    pub upstream: hyper::Uri,
    pub client: UpstreamClient,
    pub signer: Option<Signer>,
    /// Reveal rules by caller name (reidentify routes).
    pub reveal: HashMap<String, Allow>,
    pub metrics_idx: metrics::RouteIdx,
}

/// The direct API's settings, loaded.
pub struct Api {
    pub callers: Vec<String>,
    pub policy: Policy,
    pub store: Arc<dyn VaultStore>,
    pub reveal: HashMap<String, Allow>,
}

/// Everything a request needs, shared by every connection: one configuration's snapshot.
///
/// A reload ([`reload`]) builds a new `Gateway` from the new configuration around the same
/// durable parts (see [`Durable`]); each request holds the snapshot it started with.
pub struct Gateway {
    pub config: Config,
    pub engine: Engine,
    pub master: Arc<MasterKey>,
    /// The vault (sled in this process, or PostgreSQL shared by replicas).
    pub vault: Arc<dyn VaultStore>,
    pub routes: Vec<Route>,
    pub api: Api,
    pub callers: Vec<Caller>,
    pub replay: Arc<ReplayCache>,
    pub metrics: Metrics,
    pub in_flight: Arc<tokio::sync::Semaphore>,
    /// One permit per core for large bodies' CPU work.
    pub cpu: Arc<tokio::sync::Semaphore>,
    /// False until every listener is bound, and again once shutdown starts.
    pub ready: Arc<AtomicBool>,
    pub audit: Arc<crate::audit::AuditLog>,
    /// Claim tables, when a route or the API checks claims.
    pub claims: Option<crate::claims::Checker>,
    pub claim_metrics: Arc<claims::ClaimMetrics>,
    /// Where forwarded claims' evidence snapshots go.
    pub evidence_dir: std::path::PathBuf,
}

/// What outlives a configuration reload: the key, the vault, the audit log, the replay
/// cache (a webhook delivered before a reload is still a replay after it), readiness and
/// counters. Opened once by [`Gateway::load`].
pub struct Durable {
    master: Arc<MasterKey>,
    vault: Arc<dyn VaultStore>,
    audit: Arc<crate::audit::AuditLog>,
    evidence_dir: std::path::PathBuf,
    replay: Arc<ReplayCache>,
    ready: Arc<AtomicBool>,
    cpu: Arc<tokio::sync::Semaphore>,
    claim_metrics: Arc<claims::ClaimMetrics>,
    /// The previous snapshot's metrics and concurrency cap, if any (kept across reloads).
    metrics: Option<Metrics>,
    in_flight: Option<(usize, Arc<tokio::sync::Semaphore>)>,
}

impl Gateway {
    /// Runs every start-up check and opens the vault: what `check-config` and `serve`
    /// share. Fails with a message naming the file or setting at fault.
    pub fn load(config: Config) -> anyhow::Result<Gateway> {
        let master = crate::cli::read_master_key(&config.vault.key_file)?;
        let vc = &config.vault;
        let (vault, sled_dir): (Arc<dyn VaultStore>, _) = match (vc.backend, &vc.dir, &vc.url) {
            (config::VaultBackend::Sled, Some(dir), _) => {
                let v = SledVault::open(dir, &master)
                    .with_context(|| format!("opening the vault {}", dir.display()))?;
                (Arc::new(v), Some(dir.clone()))
            }
            (config::VaultBackend::Postgres, _, Some(url)) => {
                let opts = PgOptions {
                    url: url.clone(),
                    password_file: vc.password_file.clone(),
                    ca: vc.ca.clone(),
                    pool_size: vc.pool_size,
                };
                let v = PgVault::open(&opts, &master).context("opening the PostgreSQL vault")?;
                (Arc::new(v), None)
            }
            _ => anyhow::bail!("[vault]: dir (sled) or url (postgres) is needed"),
        };
        // The config check makes [audit] dir required with postgres.
        let audit_dir = match (&config.audit.dir, &sled_dir) {
            (Some(d), _) => d.clone(),
            (None, Some(dir)) => crate::audit::default_dir(dir),
            (None, None) => anyhow::bail!("[audit] dir is needed with the postgres backend"),
        };
        let mut settings = crate::audit::Settings {
            degrade: config.audit.on_failure == config::AuditFailure::Degrade,
            ..crate::audit::Settings::default()
        };
        if let Some(n) = config.audit.max_segment_bytes {
            settings.max_segment_bytes = n;
        }
        let audit = crate::audit::AuditLog::open(&audit_dir, &master, settings)
            .with_context(|| format!("opening the audit log {}", audit_dir.display()))?;
        let durable = Durable {
            master: Arc::new(master),
            vault,
            audit: Arc::new(audit),
            evidence_dir: audit_dir.join("evidence"),
            replay: Arc::new(ReplayCache::new(Duration::from_secs(600), 100_000)),
            ready: Arc::new(AtomicBool::new(false)),
            cpu: Arc::new(tokio::sync::Semaphore::new(
                std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get),
            )),
            claim_metrics: Arc::default(),
            metrics: None,
            in_flight: None,
        };
        Gateway::assemble(config, durable)
    }

    /// The parts a reload keeps, with this snapshot's metrics and concurrency cap.
    pub fn durable(&self) -> Durable {
        Durable {
            master: Arc::clone(&self.master),
            vault: Arc::clone(&self.vault),
            audit: Arc::clone(&self.audit),
            evidence_dir: self.evidence_dir.clone(),
            replay: Arc::clone(&self.replay),
            ready: Arc::clone(&self.ready),
            cpu: Arc::clone(&self.cpu),
            claim_metrics: Arc::clone(&self.claim_metrics),
            metrics: Some(self.metrics.clone()),
            in_flight: Some((
                self.config.limits.max_concurrent,
                Arc::clone(&self.in_flight),
            )),
        }
    }

    /// Every check on `config` that needs no new vault or audit log, then a snapshot
    /// serving it around `d`. Used at start-up and by every reload, so a reload checks
    /// exactly what start-up checks.
    pub fn assemble(config: Config, d: Durable) -> anyhow::Result<Gateway> {
        let patterns = match &config.patterns {
            Some(dir) => Patterns::from_dir(dir).context("reading rule files")?,
            None => Patterns::builtin(),
        };
        let mut engine = Engine::build(&patterns).context("loading rule files")?;
        engine.limits.max_bytes = config.limits.max_body_bytes;
        let vault = d.vault;
        let callers = config
            .callers
            .iter()
            .map(|c| Caller::load(c).with_context(|| format!("caller `{}`", c.name)))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let names: Vec<String> = config.routes.iter().map(|r| r.name.clone()).collect();
        let metrics = match &d.metrics {
            Some(old) => old.for_routes(&names),
            None => Metrics::new(&names),
        };
        let timeouts = &config.timeouts;
        let mut routes = Vec::new();
        for (i, r) in config.routes.iter().enumerate() {
            let at = || format!("route `{}`", r.name);
            let policy = policy_named(&engine, &r.policy).with_context(at)?;
            let client = upstream_client(r, Duration::from_millis(timeouts.upstream_connect_ms))
                .with_context(at)?;
            let signer = r
                .sign
                .as_ref()
                .map(Signer::load)
                .transpose()
                .with_context(at)?;
            let upstream: hyper::Uri = r.upstream.parse().with_context(at)?;
            routes.push(Route {
                policy,
                store: vault.for_domain(&r.domain),
                upstream,
                client,
                signer,
                reveal: reveal_rules(&r.reveal),
                metrics_idx: i,
                cfg: r.clone(),
            });
        }
        let api = Api {
            callers: config.api.callers.clone(),
            policy: policy_named(&engine, &config.api.policy).context("api")?,
            store: vault.for_domain(&config.api.domain),
            reveal: reveal_rules(&config.api.reveal),
        };
        for l in &config.listeners {
            let cert = tls::ReloadingCert::load(&l.cert, &l.key)?;
            tls::server_config(l, Arc::new(cert))?;
        }
        let wants_claims =
            config.routes.iter().any(|r| r.claims.is_some()) || !config.api.callers.is_empty();
        let checker = if wants_claims {
            Some(
                crate::claims::Checker::load(config.claims.tables.as_deref())
                    .context("loading claim tables")?,
            )
        } else {
            None
        };
        for r in &config.routes {
            let profile = r.claims.as_ref().and_then(|c| c.profile.as_deref());
            if let (Some(p), Some(checker)) = (profile, &checker) {
                if !checker.profiles().contains(&p) {
                    anyhow::bail!(
                        "route `{}`: unknown claim profile `{p}` (loaded: {})",
                        r.name,
                        checker.profiles().join(", ")
                    );
                }
            }
        }
        // A changed cap takes a new semaphore: requests already running hold permits of
        // the old one, so for one grace period the two caps can add up.
        let in_flight = match d.in_flight {
            Some((n, sem)) if n == config.limits.max_concurrent => sem,
            _ => Arc::new(tokio::sync::Semaphore::new(config.limits.max_concurrent)),
        };
        Ok(Gateway {
            in_flight,
            cpu: d.cpu,
            replay: d.replay,
            engine,
            master: d.master,
            vault,
            routes,
            api,
            callers,
            metrics,
            ready: d.ready,
            audit: d.audit,
            claims: checker,
            claim_metrics: d.claim_metrics,
            evidence_dir: d.evidence_dir,
            config,
        })
    }

    /// Whether the route (or API) direction reveals or tokenises.
    pub fn direction(&self, route: Option<usize>) -> Option<Direction> {
        route
            .and_then(|i| self.routes.get(i))
            .map(|r| r.cfg.direction)
    }
}

/// `phigate check-config FILE`: exactly the start-up checks, then a summary.
pub fn check_config(path: &Path) -> anyhow::Result<String> {
    let config = Config::load(path)?;
    let gw = Gateway::load(config)?;
    Ok(format!(
        "{}: ok ({} listener(s), {} route(s), {} caller(s), {} vault with {} token(s))",
        path.display(),
        gw.config.listeners.len(),
        gw.routes.len(),
        gw.callers.len(),
        gw.vault.backend(),
        gw.vault.token_count()?
    ))
}

fn policy_named(engine: &Engine, name: &str) -> anyhow::Result<Policy> {
    if let Some(p) = engine.policy(name) {
        return Ok(p.clone());
    }
    let text = std::fs::read_to_string(name)
        .with_context(|| format!("policy `{name}` is neither built in nor a readable file"))?;
    Ok(Policy::parse(name, &text)?)
}

fn reveal_rules(rules: &std::collections::BTreeMap<String, Vec<String>>) -> HashMap<String, Allow> {
    rules
        .iter()
        .map(|(caller, types)| {
            let types = types
                .iter()
                .filter_map(|t| t.parse::<PhiType>().ok())
                .collect();
            (caller.clone(), Allow::only(types))
        })
        .collect()
}

fn upstream_client(r: &RouteConfig, connect_timeout: Duration) -> anyhow::Result<UpstreamClient> {
    let tls = tls::client_config(r.upstream_ca.as_deref())?;
    let mut http = HttpConnector::new();
    http.enforce_http(false);
    http.set_connect_timeout(Some(connect_timeout));
    http.set_nodelay(true);
    let builder = hyper_rustls::HttpsConnectorBuilder::new().with_tls_config(tls);
    // Plain http only where the operator allowed it (checked when the config loaded).
    let connector = if r.allow_plain_http {
        builder
            .https_or_http()
            .enable_http1()
            .enable_http2()
            .wrap_connector(http)
    } else {
        builder
            .https_only()
            .enable_http1()
            .enable_http2()
            .wrap_connector(http)
    };
    Ok(Client::builder(TokioExecutor::new())
        .pool_idle_timeout(Duration::from_secs(60))
        .build(connector))
}
