//! The gateway: TLS listeners that de-identify outbound webhooks and re-identify
//! callbacks, the admin listener, start-up checks and graceful shutdown.
//!
//! Owns the running state ([`Gateway`]): the engine, the vault and one domain view of it
//! per route, loaded callers and signers, upstream clients, metrics and the concurrency
//! cap. The pieces of a request each have their module.
//!
//! # Layout
//! - [`server`]: sockets, connections, reloads and shutdown; [`admin`]: the admin listener.
//! - [`handle`]: one request from head to answer (target, limits, auth, audit, access log).
//! - [`forward`]: a route's request to its upstream and the answer back; [`api`]: the
//!   direct API; [`analyze`]: `POST /v1/analyze` (spans and types, nothing tokenised).
//! - [`channels`]: headers, path, query and `Location` as fields; [`media`]: content types
//!   and charsets; [`body`]: reading and decoding bytes.
//! - [`work`]: running the engine for a request (where, with which settings, counted how).
//! - [`respond`]: the one place failures become HTTP answers ([`problem`] writes them).
//! - [`auth`], [`trail`], [`claims`], [`remit`] (payers' 835s), [`metrics`], [`process`], [`reload`], [`dev`].
//! - [`ratelimit`]: per-caller token buckets (429); [`circuit`]: upstream breakers (503).
//! - [`backup`]: online vault backups (`POST /vault/export` on the admin listener).
//! - [`trace`]: W3C `traceparent` to upstreams (continued when well formed, else fresh).
//! - [`mllp`]: HL7 v2 over MLLP/TLS listeners (`[[mllp]]`), message by message.

pub mod admin;
pub mod analyze;
pub mod api;
pub mod auth;
pub mod backup;
pub mod body;
pub mod channels;
pub mod circuit;
pub mod claims;
pub mod dev;
pub mod forward;
pub mod handle;
pub mod media;
pub mod metrics;
pub mod mllp;
pub mod problem;
pub mod process;
pub mod ratelimit;
pub mod reload;
pub mod remit;
pub mod respond;
pub mod server;
pub mod shield;
pub mod telemetry;
pub mod trace;
pub mod trail;
pub mod work;

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

use crate::config;
use crate::engine::reveal::Allow;
use crate::engine::Engine;
use crate::keys::MasterKey;
use crate::patterns::Patterns;
use crate::tls;
use crate::transform::policy::Policy;
use crate::vault::{PgOptions, PgVault, SledVault, VaultStore};

pub use server::serve;

use auth::{Caller, ReplayCache, Signer};
use config::{Config, Direction, RouteConfig};
use metrics::Metrics;

/// The response type of every handler.
pub type Resp = hyper::Response<Full<Bytes>>;

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
    /// Callers admitted to the claim endpoints (`[api] callers`).
    pub callers: Vec<String>,
    /// Per endpoint: `callers` and the endpoint's own list (red team 55, J1: minting the
    /// vault's token of any value is a grant of its own).
    pub deidentify_callers: Vec<String>,
    pub reidentify_callers: Vec<String>,
    pub analyze_callers: Vec<String>,
    /// Whether any caller may use the API (it answers 404 otherwise).
    pub enabled: bool,
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
    /// The vault's token root: what the engine derives date shifts from (see
    /// [`VaultStore::token_root`]); not the key file's key after a master-key rotation.
    pub master: Arc<MasterKey>,
    /// The date-shift key derived from `master` once, not per request.
    pub date_key: crate::transform::DateKey,
    /// The vault (sled in this process, or PostgreSQL shared by replicas).
    pub vault: Arc<dyn VaultStore>,
    pub routes: Vec<Route>,
    pub api: Api,
    /// Each MLLP channel's token domain view, by domain: made once per snapshot, as the
    /// routes' are, so a message costs no key derivation and the store's look-up memos
    /// last across messages.
    pub mllp_stores: HashMap<String, Arc<dyn VaultStore>>,
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
    /// Callers' token buckets and routes' upstream breakers (kept across reloads).
    pub rate: Arc<ratelimit::RateLimiter>,
    pub circuits: Arc<circuit::Circuits>,
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
    rate: Arc<ratelimit::RateLimiter>,
    circuits: Arc<circuit::Circuits>,
    /// The previous snapshot's metrics and concurrency cap, if any (kept across reloads).
    metrics: Option<Metrics>,
    in_flight: Option<(usize, Arc<tokio::sync::Semaphore>)>,
}

impl Gateway {
    /// An MLLP channel's view of the vault: the snapshot's, or (for a channel the snapshot
    /// does not know, as after a reload that renamed its domain) a new one.
    pub fn mllp_store(&self, domain: &str) -> Arc<dyn VaultStore> {
        match self.mllp_stores.get(domain) {
            Some(store) => Arc::clone(store),
            None => self.vault.for_domain(domain),
        }
    }

    /// Runs every start-up check and opens the vault: what `check-config` and `serve`
    /// share. Fails with a message naming the file or setting at fault.
    pub fn load(config: Config) -> anyhow::Result<Gateway> {
        let master = crate::keys::read_master_key(&config.vault.key_file)?;
        let vc = &config.vault;
        let mut pg = None;
        let (vault, sled_dir): (Arc<dyn VaultStore>, _) = match (vc.backend, &vc.dir, &vc.url) {
            (config::VaultBackend::Sled, Some(dir), _) => {
                // Never creates one: `phigate vault init` does (or `serve --dev`).
                let v = SledVault::open_existing(dir, &master)
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
                pg = Some(v.clone());
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
        let devices = crate::audit::device::Devices::start(&audit_devices(&config)?)?;
        settings.devices = Arc::new(devices);
        let devices = Arc::clone(&settings.devices);
        // The witness of the log's end lives in the vault, out of reach of whoever can
        // rewrite the log directory.
        let witness: Box<dyn crate::audit::witness::Witness> = match (&sled_dir, &pg) {
            (Some(dir), _) => Box::new(crate::audit::witness::FileWitness::in_vault(
                dir, &audit_dir,
            )),
            (None, Some(pg)) => Box::new(pg.audit_witness(&audit_dir)),
            (None, None) => anyhow::bail!("no vault to keep the audit log's witness in"),
        };
        let witness = Some(witness);
        let audit = crate::audit::AuditLog::open_witnessed(&audit_dir, &master, settings, witness)
            .with_context(|| format!("opening the audit log {}", audit_dir.display()))
            .inspect_err(|_| devices.stop(Duration::ZERO))?;
        let durable = Durable {
            // The engine derives date shifts from the vault's token root, which a master-key
            // rotation carries over (the key file's own keys served the audit log above).
            master: Arc::new(vault.token_root()),
            vault,
            audit: Arc::new(audit),
            evidence_dir: audit_dir.join("evidence"),
            replay: Arc::new(ReplayCache::new(Duration::from_secs(600), 100_000)),
            ready: Arc::new(AtomicBool::new(false)),
            cpu: Arc::new(tokio::sync::Semaphore::new(
                std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get),
            )),
            claim_metrics: Arc::default(),
            rate: Arc::default(),
            circuits: Arc::default(),
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
            rate: Arc::clone(&self.rate),
            circuits: Arc::clone(&self.circuits),
            metrics: Some(self.metrics.clone()),
            in_flight: Some((
                self.config.limits.max_concurrent,
                Arc::clone(&self.in_flight),
            )),
        }
    }

    /// A snapshot serving `config` around `d`, after every check ([`Plan::build`]). Used
    /// at start-up and by every reload, so a reload checks exactly what start-up checks.
    pub fn assemble(config: Config, d: Durable) -> anyhow::Result<Gateway> {
        Ok(Plan::build(config)?.into_gateway(d))
    }

    /// Whether the route (or API) direction reveals or tokenises.
    pub fn direction(&self, route: Option<usize>) -> Option<Direction> {
        route
            .and_then(|i| self.routes.get(i))
            .map(|r| r.cfg.direction)
    }
}

/// One configuration, checked and built as far as it goes without the vault and audit
/// log: rule files, callers' secrets, policies, upstream clients, signers, certificates
/// and claim tables. Building it writes nothing, so `check-config` can run it beside a
/// running gateway. Every failing caller and route is reported, not just the first.
pub struct Plan {
    config: Config,
    engine: Engine,
    callers: Vec<Caller>,
    routes: Vec<RoutePlan>,
    api_policy: Policy,
    claims: Option<crate::claims::Checker>,
}

/// A route's parts that need no vault.
struct RoutePlan {
    policy: Policy,
    client: UpstreamClient,
    signer: Option<Signer>,
    upstream: hyper::Uri,
}

/// Errors gathered while building a [`Plan`], each already naming its setting.
#[derive(Default)]
struct Problems(Vec<String>);

impl Problems {
    fn take<T>(&mut self, r: anyhow::Result<T>) -> Option<T> {
        r.map_err(|e| self.0.push(format!("{e:#}"))).ok()
    }

    fn into_result(self) -> anyhow::Result<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            anyhow::bail!("{}", self.0.join("\n"))
        }
    }
}

impl Plan {
    pub fn build(config: Config) -> anyhow::Result<Plan> {
        let mut problems = Problems::default();
        let patterns = match &config.patterns {
            Some(dir) => Patterns::from_dir(dir).context("patterns: reading rule files")?,
            None => Patterns::builtin(),
        };
        let patterns = match &config.patterns_d {
            Some(dir) => patterns
                .with_overlays(dir)
                .context("patterns_d: reading overlay files")?,
            None => patterns,
        };
        let mut engine = Engine::build(&patterns).context("patterns: loading rule files")?;
        engine.patient_memory = config.vault.patient_memory;
        // Each request's body is already held to its route's limit (which may be above
        // [limits]); the engine's own limit must not refuse what the route accepted.
        engine.limits.max_bytes = config
            .routes
            .iter()
            .filter_map(|r| r.max_body_bytes)
            .chain([config.limits.max_body_bytes])
            .max()
            .unwrap_or(config.limits.max_body_bytes);
        let callers: Vec<Caller> = config
            .callers
            .iter()
            .filter_map(|c| {
                problems.take(Caller::load(c).with_context(|| format!("caller `{}`", c.name)))
            })
            .collect();
        let connect = Duration::from_millis(config.timeouts.upstream_connect_ms);
        let routes: Vec<RoutePlan> = config
            .routes
            .iter()
            .filter_map(|r| {
                problems.take(
                    RoutePlan::build(&engine, r, connect)
                        .with_context(|| format!("route `{}`", r.name)),
                )
            })
            .collect();
        let api_policy =
            problems.take(config::load_policy(&engine, &config.api.policy).context("api"));
        for (i, l) in config.listeners.iter().enumerate() {
            let checked = tls::ReloadingCert::load(&l.cert, &l.key)
                .map_err(anyhow::Error::from)
                .and_then(|cert| {
                    Ok(tls::server_config(
                        l.client_ca.as_deref(),
                        l.client_auth,
                        Arc::new(cert),
                    )?)
                })
                .with_context(|| format!("listener {} ({})", i + 1, l.listen));
            problems.take(checked);
        }
        for m in &config.mllp {
            problems.take(mllp::check(&engine, m).map_err(anyhow::Error::from));
        }
        let wants_claims = config.routes.iter().any(|r| r.claims.is_some()) || config.api.enabled();
        let claims = if wants_claims {
            problems.take(
                crate::claims::Checker::load(config.claims.tables.as_deref())
                    .context("claims: loading claim tables"),
            )
        } else {
            None
        };
        for r in &config.routes {
            let profile = r.claims.as_ref().and_then(|c| c.profile.as_deref());
            if let (Some(p), Some(checker)) = (profile, &claims) {
                if !checker.profiles().contains(&p) {
                    problems.0.push(format!(
                        "route `{}`: unknown claim profile `{p}` (loaded: {})",
                        r.name,
                        checker.profiles().join(", ")
                    ));
                }
            }
        }
        problems.into_result()?;
        let (Some(api_policy), true) = (api_policy, routes.len() == config.routes.len()) else {
            anyhow::bail!("incomplete plan without a reported problem");
        };
        Ok(Plan {
            config,
            engine,
            callers,
            routes,
            api_policy,
            claims,
        })
    }

    /// The snapshot: the plan with the vault's per-domain views and the durable parts.
    pub fn into_gateway(self, d: Durable) -> Gateway {
        let config = self.config;
        let vault = d.vault;
        // MLLP channels count as routes named `mllp:NAME`, after the HTTP routes.
        let names: Vec<String> = config
            .routes
            .iter()
            .map(|r| r.name.clone())
            .chain(config.mllp.iter().map(|m| format!("mllp:{}", m.name)))
            .collect();
        let metrics = match &d.metrics {
            Some(old) => old.for_routes(&names),
            None => Metrics::new(&names),
        };
        let routes = self
            .routes
            .into_iter()
            .zip(&config.routes)
            .enumerate()
            .map(|(i, (p, r))| Route {
                policy: p.policy,
                store: vault.for_domain(&r.domain),
                upstream: p.upstream,
                client: p.client,
                signer: p.signer,
                reveal: reveal_rules(&r.reveal),
                metrics_idx: i,
                cfg: r.clone(),
            })
            .collect();
        let mllp_stores = config
            .mllp
            .iter()
            .map(|m| (m.domain.clone(), vault.for_domain(&m.domain)))
            .collect();
        let api = Api {
            callers: config.api.callers.clone(),
            deidentify_callers: config.api.callers_of(&config.api.deidentify_callers),
            reidentify_callers: config.api.callers_of(&config.api.reidentify_callers),
            analyze_callers: config.api.callers_of(&config.api.analyze_callers),
            enabled: config.api.enabled(),
            policy: self.api_policy,
            store: vault.for_domain(&config.api.domain),
            reveal: reveal_rules(&config.api.reveal),
        };
        // A changed cap takes a new semaphore: requests already running hold permits of
        // the old one, so for one grace period the two caps can add up.
        let in_flight = match d.in_flight {
            Some((n, sem)) if n == config.limits.max_concurrent => sem,
            _ => Arc::new(tokio::sync::Semaphore::new(config.limits.max_concurrent)),
        };
        d.circuits.retain(
            config
                .routes
                .iter()
                .map(|r| (r.name.as_str(), r.upstream.to_string())),
        );
        Gateway {
            in_flight,
            cpu: d.cpu,
            replay: d.replay,
            engine: self.engine,
            date_key: crate::transform::DateKey::derive(&d.master),
            master: d.master,
            vault,
            routes,
            api,
            mllp_stores,
            callers: self.callers,
            metrics,
            ready: d.ready,
            audit: d.audit,
            claims: self.claims,
            claim_metrics: d.claim_metrics,
            evidence_dir: d.evidence_dir,
            rate: d.rate,
            circuits: d.circuits,
            config,
        }
    }
}

impl RoutePlan {
    fn build(engine: &Engine, r: &RouteConfig, connect: Duration) -> anyhow::Result<RoutePlan> {
        Ok(RoutePlan {
            policy: config::load_policy(engine, &r.policy)?,
            client: upstream_client(r, connect)?,
            signer: r.sign.as_ref().map(Signer::load).transpose()?,
            upstream: r.upstream.clone(),
        })
    }
}

/// `phigate check-config FILE`: the start-up checks, without side effects (like
/// `nginx -t`): the vault and audit log are not opened, so nothing is created, migrated or
/// locked and a running gateway on the same data is undisturbed. Every problem found is
/// reported at once, each naming its setting.
pub fn check_config(path: &Path, allow_insecure_key_permissions: bool) -> anyhow::Result<String> {
    let config = Config::load(path)?;
    let mut problems = Problems::default();
    let key = &config.vault.key_file;
    if problems
        .take(
            crate::keys::check_key_permissions(key, allow_insecure_key_permissions)
                .map_err(Into::into),
        )
        .is_some()
    {
        problems.take(
            crate::keys::read_master_key(key)
                .map(drop)
                .map_err(Into::into),
        );
    }
    let storage = problems.take(storage_summary(&config));
    problems.take(
        audit_devices(&config)
            .and_then(|d| crate::audit::device::Devices::check(&d).map_err(Into::into)),
    );
    if let Some(otel) = &config.otel {
        problems.take(telemetry::check(otel).map_err(Into::into));
    }
    let plan = problems.take(Plan::build(config));
    problems.into_result()?;
    let (Some(storage), Some(plan)) = (storage, plan) else {
        anyhow::bail!("incomplete check without a reported problem");
    };
    Ok(format!(
        "{}: ok ({} listener(s), {} route(s), {} caller(s), {storage})",
        path.display(),
        plan.config.listeners.len(),
        plan.routes.len(),
        plan.callers.len(),
    ))
}

/// The configured audit devices, as the audit log runs them.
fn audit_devices(config: &Config) -> anyhow::Result<Vec<crate::audit::device::Spec>> {
    Ok((config.audit.devices.iter().enumerate())
        .map(|(i, d)| d.spec(i))
        .collect())
}

/// What `check-config` can say about the vault and audit log without opening them.
fn storage_summary(config: &Config) -> anyhow::Result<String> {
    let state = |key: &str, dir: &Path| -> anyhow::Result<&'static str> {
        match std::fs::metadata(dir) {
            Ok(m) if m.is_dir() => Ok("exists"),
            Ok(_) => anyhow::bail!("{key}: {} is not a directory", dir.display()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok("does not exist yet"),
            Err(e) => anyhow::bail!("{key}: {}: {e}", dir.display()),
        }
    };
    let vault = match (&config.vault.backend, &config.vault.dir) {
        (config::VaultBackend::Sled, Some(dir)) => {
            // `serve` opens an existing vault and never creates one; looking is read-only.
            SledVault::check_existing(dir).context("[vault] dir")?;
            format!("sled vault {} exists", dir.display())
        }
        // Connecting could run migrations; a check changes nothing.
        _ => "postgres vault (not contacted)".to_string(),
    };
    match &config.audit.dir {
        Some(dir) => {
            let s = state("[audit] dir", dir)?;
            Ok(format!("{vault}; audit log {} {s}", dir.display()))
        }
        None => Ok(vault),
    }
}

fn reveal_rules(rules: &config::RevealRules) -> HashMap<String, Allow> {
    rules
        .iter()
        .map(|(caller, types)| (caller.clone(), Allow::only(types.clone())))
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
