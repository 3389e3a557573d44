//! The gateway's configuration file: its TOML shape, defaults and start-up checks.
//!
//! Owns parsing (unknown keys are rejected by name), the defaults a clinic gets when it
//! says nothing (documented in `deploy/phigate.example.toml`), and every check that can be
//! made before a socket is opened. `phigate check-config` runs exactly [`Config::load`].

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::phi::PhiType;

/// A configuration that cannot be used. Messages name the file and the setting.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("reading {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Parse { path: String, message: String },
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
}

/// The whole file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(rename = "listener", default)]
    pub listeners: Vec<ListenerConfig>,
    #[serde(default)]
    pub admin: AdminConfig,
    pub vault: VaultConfig,
    #[serde(default)]
    pub limits: Limits,
    #[serde(default)]
    pub timeouts: Timeouts,
    #[serde(default)]
    pub log: LogConfig,
    /// Directory of rule files replacing the built-in ones.
    #[serde(default)]
    pub patterns: Option<PathBuf>,
    #[serde(rename = "caller", default)]
    pub callers: Vec<CallerConfig>,
    #[serde(rename = "route", default)]
    pub routes: Vec<RouteConfig>,
    #[serde(default)]
    pub api: ApiConfig,
    #[serde(default)]
    pub audit: AuditConfig,
    #[serde(default)]
    pub claims: ClaimsConfig,
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
}

#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum AuditFailure {
    #[default]
    Reject,
    Degrade,
}

/// The direct API (`POST /v1/deidentify`, `POST /v1/reidentify`) on every listener.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiConfig {
    /// Callers allowed to use the API; none means the API answers 404.
    #[serde(default)]
    pub callers: Vec<String>,
    #[serde(default = "default_policy")]
    pub policy: String,
    #[serde(default)]
    pub domain: String,
    /// Which PHI types each caller may have revealed by `/v1/reidentify`; default none.
    #[serde(default)]
    pub reveal: BTreeMap<String, Vec<String>>,
}

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig {
            callers: Vec::new(),
            policy: default_policy(),
            domain: String::new(),
            reveal: BTreeMap::new(),
        }
    }
}

/// One TLS listener.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ListenerConfig {
    pub listen: SocketAddr,
    /// PEM certificate chain and private key; re-read on SIGHUP.
    pub cert: PathBuf,
    pub key: PathBuf,
    /// PEM bundle of CAs whose client certificates are accepted (mutual TLS).
    #[serde(default)]
    pub client_ca: Option<PathBuf>,
    /// With `client_ca`: `required` refuses the handshake without a client certificate;
    /// `optional` lets routes decide (a caller identified by certificate still needs one).
    #[serde(default)]
    pub client_auth: ClientAuth,
}

#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ClientAuth {
    #[default]
    Optional,
    Required,
}

/// The admin listener: health, readiness and metrics, plain HTTP, loopback by default.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AdminConfig {
    #[serde(default = "default_admin_listen")]
    pub listen: SocketAddr,
}

impl Default for AdminConfig {
    fn default() -> Self {
        AdminConfig {
            listen: default_admin_listen(),
        }
    }
}

#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum VaultBackend {
    #[default]
    Sled,
    Postgres,
}

fn default_pool_size() -> usize {
    16
}

fn default_admin_listen() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 9090))
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
}

/// Size and concurrency limits (every route may lower the body limit).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    pub max_body_bytes: usize,
    pub max_header_bytes: usize,
    /// Requests handled at once; the next gets a fast 503.
    pub max_concurrent: usize,
    /// Client connections open at once; the next waits in the listen backlog until one
    /// closes (applies at the next restart).
    pub max_connections: usize,
    /// Largest decoded-to-encoded size ratio accepted for compressed bodies.
    pub max_decompression_ratio: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body_bytes: 4 << 20,
            max_header_bytes: 32 << 10,
            max_concurrent: 512,
            max_connections: 1024,
            max_decompression_ratio: 100,
        }
    }
}

/// Timeouts in milliseconds. On HTTP/1.1 the request-head timeout also bounds how long an
/// idle keep-alive connection waits for its next request.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Timeouts {
    pub handshake_ms: u64,
    pub request_head_ms: u64,
    pub body_ms: u64,
    pub upstream_connect_ms: u64,
    pub upstream_response_ms: u64,
    pub shutdown_grace_ms: u64,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            handshake_ms: 10_000,
            request_head_ms: 10_000,
            body_ms: 30_000,
            upstream_connect_ms: 5_000,
            upstream_response_ms: 30_000,
            shutdown_grace_ms: 20_000,
        }
    }
}

impl Timeouts {
    pub fn ms(v: u64) -> Duration {
        Duration::from_millis(v)
    }
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    /// `json` for one JSON object per line; text otherwise.
    pub format: LogFormat,
    /// A tracing filter (`info`, `phigate=debug`); `RUST_LOG` overrides it.
    pub level: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

/// Someone allowed to call a route, and the credentials that prove it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallerConfig {
    pub name: String,
    /// SHA-256 (hex) of API keys sent as `Authorization: Bearer KEY` or `X-Api-Key: KEY`.
    #[serde(default)]
    pub api_key_sha256: Vec<String>,
    /// A DNS name the caller's client certificate (mutual TLS) must carry.
    #[serde(default)]
    pub mtls_dns_name: Option<String>,
    /// Webhook signatures this caller signs its requests with.
    #[serde(default)]
    pub webhook: Option<WebhookSecret>,
}

/// A webhook signing scheme and secret.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookSecret {
    pub scheme: WebhookScheme,
    /// The secret itself (`whsec_…` for Standard Webhooks) or a file holding it.
    #[serde(default)]
    pub secret: Option<String>,
    #[serde(default)]
    pub secret_file: Option<PathBuf>,
    /// How far a signature's timestamp may be from now, in seconds.
    #[serde(default = "default_tolerance")]
    pub tolerance_s: u64,
}

fn default_tolerance() -> u64 {
    300
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum WebhookScheme {
    /// `webhook-id`, `webhook-timestamp`, `webhook-signature` (standardwebhooks.com).
    Standard,
    /// `Stripe-Signature: t=…,v1=…`.
    Stripe,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Inside → outside: PHI is replaced with tokens.
    Deidentify,
    /// Outside → inside: tokens are replaced with values the caller may have revealed.
    Reidentify,
}

/// One route.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteConfig {
    pub name: String,
    /// Path prefix the route answers (longest prefix wins).
    pub prefix: String,
    /// Only requests for this host (the `Host` or `:authority`, without port).
    #[serde(default)]
    pub host: Option<String>,
    pub direction: Direction,
    /// Where requests go; the part of the path after `prefix` is appended.
    pub upstream: String,
    /// PEM CA bundle for the upstream instead of the system roots.
    #[serde(default)]
    pub upstream_ca: Option<PathBuf>,
    /// Plain `http://` upstreams are refused unless this is set.
    #[serde(default)]
    pub allow_plain_http: bool,
    #[serde(default = "default_policy")]
    pub policy: String,
    /// Token domain for this destination (separate tokens per vendor).
    #[serde(default)]
    pub domain: String,
    /// Callers allowed on the route (names from `[[caller]]`).
    pub callers: Vec<String>,
    /// On reidentify routes, which PHI types each caller may have revealed; default none.
    #[serde(default)]
    pub reveal: BTreeMap<String, Vec<String>>,
    /// Request headers whose values are de-identified (or revealed) and forwarded.
    #[serde(default)]
    pub scan_headers: Vec<String>,
    /// Request headers forwarded unchanged (the operator vouches they hold no PHI).
    #[serde(default)]
    pub pass_headers: Vec<String>,
    /// Content types forwarded without scanning (multipart and binary are refused otherwise).
    #[serde(default)]
    pub pass_content_types: Vec<String>,
    /// Re-sign forwarded bodies with the destination's secret.
    #[serde(default)]
    pub sign: Option<WebhookSecret>,
    #[serde(default)]
    pub max_body_bytes: Option<usize>,
    /// Check claims passing through (before de-identification) and act on the findings.
    #[serde(default)]
    pub claims: Option<ClaimsRoute>,
}

/// A route's claim scrub.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimsRoute {
    /// Payer profile (`medicare`, `commercial`); default: the one each claim names, else
    /// `medicare`.
    #[serde(default)]
    pub profile: Option<String>,
    #[serde(default)]
    pub on_fail: OnFail,
}

/// What a claim with an error-severity finding does.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum OnFail {
    /// Answer 422 with every finding; forward nothing.
    #[default]
    Reject,
    /// Forward, with the findings in a `phigate-claim-findings` header, and record them.
    Flag,
}

/// Claim tables shared by every claims route and `/v1/claims/validate`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimsConfig {
    /// A directory whose files replace the built-in tables (e.g. CMS's NCCI PTP and MUE
    /// files in their published layouts; see patterns/claims/SOURCES.md).
    #[serde(default)]
    pub tables: Option<PathBuf>,
}

fn default_policy() -> String {
    "safe-harbor".into()
}

impl Config {
    /// Reads, parses and checks a configuration file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: shown.clone(),
            source,
        })?;
        let config = Config::parse(&shown, &text)?;
        config.base_dir_resolved(path.parent().unwrap_or(Path::new(".")))
    }

    /// Parses and checks configuration text; `file` only names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<Config, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: file.to_string(),
            message: e.to_string(),
        })?;
        config.check(file)?;
        Ok(config)
    }

    /// Relative paths in the file are relative to the file's directory.
    fn base_dir_resolved(mut self, base: &Path) -> Result<Config, ConfigError> {
        let fix = |p: &mut PathBuf| {
            if p.is_relative() {
                *p = base.join(&*p);
            }
        };
        for l in &mut self.listeners {
            fix(&mut l.cert);
            fix(&mut l.key);
            if let Some(ca) = &mut l.client_ca {
                fix(ca);
            }
        }
        if let Some(d) = &mut self.vault.dir {
            fix(d);
        }
        for p in [&mut self.vault.password_file, &mut self.vault.ca]
            .into_iter()
            .flatten()
        {
            fix(p);
        }
        if let Some(d) = &mut self.audit.dir {
            fix(d);
        }
        if let Some(d) = &mut self.claims.tables {
            fix(d);
        }
        fix(&mut self.vault.key_file);
        if let Some(p) = &mut self.patterns {
            fix(p);
        }
        for c in &mut self.callers {
            if let Some(f) = c.webhook.as_mut().and_then(|w| w.secret_file.as_mut()) {
                fix(f);
            }
        }
        for r in &mut self.routes {
            if let Some(ca) = &mut r.upstream_ca {
                fix(ca);
            }
            if let Some(f) = r.sign.as_mut().and_then(|w| w.secret_file.as_mut()) {
                fix(f);
            }
        }
        Ok(self)
    }

    /// Every check that needs no file or socket. All problems are reported together, one
    /// a line, each naming its section and setting.
    fn check(&self, file: &str) -> Result<(), ConfigError> {
        let problems = self.problems();
        if problems.is_empty() {
            Ok(())
        } else {
            Err(ConfigError::Invalid {
                path: file.to_string(),
                message: problems.join("\n"),
            })
        }
    }

    fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.listeners.is_empty() {
            out.push("at least one [[listener]] is needed".into());
        }
        match self.vault.backend {
            VaultBackend::Sled if self.vault.dir.is_none() => {
                out.push("[vault] dir is needed for the sled backend".into());
            }
            VaultBackend::Postgres if self.vault.url.is_none() => {
                out.push("[vault] url is needed for the postgres backend".into());
            }
            VaultBackend::Postgres if self.audit.dir.is_none() => {
                out.push("[audit] dir is needed with the postgres backend".into());
            }
            _ => {}
        }
        let mut names = std::collections::HashSet::new();
        for c in &self.callers {
            let mut at = |m: String| out.push(format!("caller `{}`: {m}", c.name));
            if !names.insert(c.name.as_str()) {
                at("defined twice".into());
            }
            if c.api_key_sha256
                .iter()
                .any(|h| h.len() != 64 || !h.bytes().all(|b| b.is_ascii_hexdigit()))
            {
                at("api_key_sha256 must be 64 hex characters (the SHA-256 of the key, not the key)".into());
            }
            if c.api_key_sha256.iter().any(|h| is_placeholder_digest(h)) {
                at("api_key_sha256 is a placeholder or the hash of a well-known key: set the SHA-256 of a real key (`printf %s \"$KEY\" | sha256sum`)".into());
            }
            if c.api_key_sha256.is_empty() && c.mtls_dns_name.is_none() && c.webhook.is_none() {
                at("has no credential (api_key_sha256, mtls_dns_name or webhook)".into());
            }
            if let Some(w) = &c.webhook {
                if let Err(m) = check_secret(w) {
                    at(format!("webhook: {m}"));
                }
            }
        }
        let mut route_names = std::collections::HashSet::new();
        for r in &self.routes {
            let mut at = |m: String| out.push(format!("route `{}`: {m}", r.name));
            if !route_names.insert(r.name.as_str()) {
                at("defined twice".into());
            }
            if !r.prefix.starts_with('/') {
                at("prefix must start with `/`".into());
            }
            if r.prefix.starts_with("/v1/") {
                at("prefix: prefixes under /v1/ are the gateway's own API".into());
            }
            if let Err(m) = check_upstream(&r.upstream, r.allow_plain_http) {
                at(m);
            }
            if r.callers.is_empty() {
                at("callers is empty: every route names who may call it".into());
            }
            for c in r.callers.iter().chain(r.reveal.keys()) {
                if !names.contains(c.as_str()) {
                    at(format!("callers: unknown caller `{c}`"));
                }
            }
            if r.direction == Direction::Deidentify && !r.reveal.is_empty() {
                at("reveal rules only apply to reidentify routes".into());
            }
            for t in r.reveal.values().flatten() {
                if t.parse::<PhiType>().is_err() {
                    at(format!("unknown PHI type `{t}` in reveal"));
                }
            }
            for h in r.scan_headers.iter().chain(&r.pass_headers) {
                if hyper::header::HeaderName::from_bytes(h.as_bytes()).is_err() {
                    at(format!("`{h}` is not a header name"));
                }
            }
            if let Some(w) = &r.sign {
                if let Err(m) = check_secret(w) {
                    at(format!("sign: {m}"));
                }
            }
            if r.claims.is_some() && r.direction != Direction::Deidentify {
                at("claims are checked on deidentify routes (claims leaving the clinic)".into());
            }
        }
        for c in self.api.callers.iter().chain(self.api.reveal.keys()) {
            if !names.contains(c.as_str()) {
                out.push(format!("api: unknown caller `{c}`"));
            }
        }
        for t in self.api.reveal.values().flatten() {
            if t.parse::<PhiType>().is_err() {
                out.push(format!("api: unknown PHI type `{t}` in reveal"));
            }
        }
        out
    }
}

/// Digests no real key has: the examples' `000…`/`111…` placeholders (one repeated hex
/// digit) and the SHA-256 of keys anyone would guess.
fn is_placeholder_digest(h: &str) -> bool {
    const GUESSABLE: &[&str] = &[
        // "", "test", "changeme", "password"
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "057ba03d6c44104863dc7361fe4578965d1887360f90a0895882e58a6248fc86",
        "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8",
    ];
    let h = h.to_ascii_lowercase();
    let repeated = h.bytes().all(|b| Some(b) == h.bytes().next());
    repeated || GUESSABLE.contains(&h.as_str())
}

fn check_secret(w: &WebhookSecret) -> Result<(), String> {
    match (&w.secret, &w.secret_file) {
        (Some(_), Some(_)) => Err("give secret or secret_file, not both".into()),
        (None, None) => Err("secret or secret_file is needed".into()),
        _ => Ok(()),
    }
}

fn check_upstream(url: &str, allow_plain_http: bool) -> Result<(), String> {
    let uri: hyper::Uri = url
        .parse()
        .map_err(|_| format!("upstream `{url}` is not a URL"))?;
    match uri.scheme_str() {
        Some("https") => {}
        Some("http") if allow_plain_http => {}
        Some("http") => {
            return Err(
                "plain http upstream refused (set allow_plain_http = true to allow it)".into(),
            )
        }
        _ => return Err(format!("upstream `{url}` must be https://")),
    }
    if uri.host().is_none() {
        return Err(format!("upstream `{url}` has no host"));
    }
    if uri.query().is_some() {
        return Err(format!("upstream `{url}` must not carry a query"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
[[listener]]
listen = "127.0.0.1:8443"
cert = "cert.pem"
key = "key.pem"

[vault]
dir = "vault"
key_file = "master.key"

[[caller]]
name = "emr"
api_key_sha256 = ["d101499dc8b0fc3c4c17eed2fca52bb0e6c7c642f244f1a995136b9cb56ec6de"]

[[route]]
name = "hooks"
prefix = "/hooks/"
direction = "deidentify"
upstream = "https://automation.example.com/in/"
callers = ["emr"]
"#;

    #[test]
    fn the_documented_example_parses_once_its_placeholders_are_replaced() {
        let text = include_str!("../../deploy/phigate.example.toml");
        let e = Config::parse("deploy/phigate.example.toml", text).expect_err("placeholders");
        assert!(e.to_string().contains("placeholder"), "{e}");
        let text = text
            .replace(
                &"0".repeat(64),
                "d101499dc8b0fc3c4c17eed2fca52bb0e6c7c642f244f1a995136b9cb56ec6de",
            )
            .replace(
                &"1".repeat(64),
                "d101499dc8b0fc3c4c17eed2fca52bb0e6c7c642f244f1a995136b9cb56ec6de",
            );
        let c = Config::parse("deploy/phigate.example.toml", &text).expect("example parses");
        assert_eq!(c.routes.len(), 3);
        assert_eq!(c.callers.len(), 4);
    }

    #[test]
    fn minimal_config_loads_with_defaults() {
        let c = Config::parse("t.toml", MINIMAL).expect("parses");
        assert_eq!(c.routes[0].policy, "safe-harbor");
        assert_eq!(c.admin.listen.ip().to_string(), "127.0.0.1");
        assert_eq!(c.limits.max_body_bytes, 4 << 20);
    }

    #[test]
    fn unknown_keys_are_named() {
        let text = MINIMAL.replace("direction =", "directon = \"x\"\ndirection =");
        let e = Config::parse("t.toml", &text).expect_err("rejected");
        assert!(e.to_string().contains("directon"), "{e}");
    }

    #[test]
    fn plain_http_needs_an_explicit_opt_in() {
        let text = MINIMAL.replace("https://automation", "http://automation");
        let e = Config::parse("t.toml", &text).expect_err("rejected");
        assert!(e.to_string().contains("allow_plain_http"), "{e}");
        let ok = text.replace(
            "callers = [\"emr\"]",
            "callers = [\"emr\"]\nallow_plain_http = true",
        );
        Config::parse("t.toml", &ok).expect("allowed");
    }

    #[test]
    fn routes_name_known_callers_and_types() {
        let e = Config::parse("t.toml", &MINIMAL.replace("[\"emr\"]\n", "[\"ghost\"]\n"))
            .expect_err("unknown caller");
        assert!(e.to_string().contains("ghost"), "{e}");
        let text = MINIMAL.replace("\"deidentify\"", "\"reidentify\"").replace(
            "callers = [\"emr\"]",
            "callers = [\"emr\"]\nreveal = { emr = [\"NAMEZ\"] }",
        );
        let e = Config::parse("t.toml", &text).expect_err("unknown type");
        assert!(e.to_string().contains("NAMEZ"), "{e}");
    }

    #[test]
    fn api_keys_must_be_stored_hashed() {
        let text = MINIMAL.replace(
            "d101499dc8b0fc3c4c17eed2fca52bb0e6c7c642f244f1a995136b9cb56ec6de",
            "my-secret-key",
        );
        let e = Config::parse("t.toml", &text).expect_err("rejected");
        assert!(e.to_string().contains("SHA-256"), "{e}");
        assert!(!e.to_string().contains("my-secret-key"), "no secret echoed");
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let text = MINIMAL
            .replace("[\"emr\"]\n", "[\"ghost\"]\n")
            .replace("prefix = \"/hooks/\"", "prefix = \"hooks/\"")
            .replace("https://automation", "ftp://automation");
        let e = Config::parse("t.toml", &text).expect_err("rejected");
        let text = e.to_string();
        for part in ["ghost", "prefix must start", "ftp://automation"] {
            assert!(text.contains(part), "{part} missing from: {text}");
        }
        assert!(text.lines().count() >= 3, "{text}");
    }

    #[test]
    fn placeholder_and_guessable_key_hashes_are_refused() {
        for h in [
            "0".repeat(64),
            "1".repeat(64),
            "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08".to_string(),
        ] {
            let text = MINIMAL.replace(
                "d101499dc8b0fc3c4c17eed2fca52bb0e6c7c642f244f1a995136b9cb56ec6de",
                &h,
            );
            let e = Config::parse("t.toml", &text).expect_err("refused");
            assert!(
                e.to_string()
                    .contains("caller `emr`: api_key_sha256 is a placeholder"),
                "{e}"
            );
        }
    }
}
