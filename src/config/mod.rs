//! The gateway's configuration file: its TOML shape, defaults and start-up checks.
//!
//! Parse, don't validate: [`Config::parse`] turns the file's text into typed values (an
//! upstream is a [`hyper::Uri`], a reveal rule a set of [`PhiType`](crate::phi::PhiType)s)
//! and reports every problem at once, each naming its key (`route[2].upstream: …`), or
//! returns a `Config` that needs no further checking. Unknown keys are rejected by name.
//! One module per part of the file; `phigate check-config` runs exactly [`Config::load`]
//! (and then the gateway's own start-up checks).

mod audit_devices;
mod caller;
mod circuit;
mod console;
mod listener;
mod mllp;
mod otel;
mod policy;
mod route;
mod settings;
mod storage;

use std::path::{Path, PathBuf};

use serde::Deserialize;

pub use audit_devices::{AuditDeviceConfig, AuditDeviceKind};
pub use caller::{CallerConfig, RateLimit, WebhookScheme, WebhookSecret};
pub use circuit::CircuitConfig;
pub use console::{ConsoleConfig, OfficerConfig};
pub use listener::{AdminConfig, ClientAuth, ListenerConfig};
pub use mllp::MllpConfig;
pub use otel::OtelConfig;
pub use policy::{load_policy, PolicyLoadError};
pub use route::{
    token_oracle_warnings, ApiConfig, ClaimsRoute, Direction, OnFail, PlainPhi, RevealRules,
    RouteConfig,
};
pub use settings::{ClaimsConfig, Limits, LogConfig, LogFormat, Timeouts};
pub use storage::{AuditConfig, AuditFailure, VaultBackend, VaultConfig};

/// A configuration that cannot be used. Messages name the file and the setting, never a
/// secret.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("reading {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    /// Not TOML, or not the file's shape (an unknown key, a value of the wrong kind): the
    /// TOML parser stops at the first such error.
    #[error("{path}: {message}")]
    Parse { path: String, message: String },
    /// Every value that does not parse or does not fit the rest of the file.
    #[error("{}", lines(path, problems))]
    Invalid {
        path: String,
        problems: Vec<Problem>,
    },
}

/// One problem with one setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The setting at fault, as a path into the file: `route[2].upstream`, `vault.dir`.
    pub key: String,
    pub message: String,
}

/// One line per problem, each naming the file, so that every line stands on its own.
fn lines(path: &str, problems: &[Problem]) -> String {
    let lines: Vec<String> = problems
        .iter()
        .map(|p| format!("{path}: {}: {}", p.key, p.message))
        .collect();
    lines.join("\n")
}

/// The problems found so far, in file order.
#[derive(Debug, Default)]
pub(crate) struct Problems(Vec<Problem>);

impl Problems {
    pub(crate) fn at(&mut self, key: impl Into<String>, message: impl Into<String>) {
        self.0.push(Problem {
            key: key.into(),
            message: message.into(),
        });
    }
}

/// The whole file.
#[derive(Debug, Clone)]
pub struct Config {
    pub listeners: Vec<ListenerConfig>,
    pub admin: AdminConfig,
    pub vault: VaultConfig,
    pub limits: Limits,
    pub timeouts: Timeouts,
    pub log: LogConfig,
    /// Directory of rule files replacing the built-in ones.
    pub patterns: Option<PathBuf>,
    /// Directory of overlay files (`*.toml`) adding rules, allow-list words and field keys
    /// on top of the rule files.
    pub patterns_d: Option<PathBuf>,
    pub callers: Vec<CallerConfig>,
    pub routes: Vec<RouteConfig>,
    pub api: ApiConfig,
    pub audit: AuditConfig,
    pub claims: ClaimsConfig,
    /// The compliance officer's web console, if configured.
    pub console: Option<ConsoleConfig>,
    pub circuit: CircuitConfig,
    /// MLLP over TLS channels (`[[mllp]]`).
    pub mllp: Vec<MllpConfig>,
    /// Trace export over OTLP (`[otel]`); none without the section.
    pub otel: Option<OtelConfig>,
}

/// The file as written, before its values are parsed.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(rename = "listener", default)]
    listeners: Vec<ListenerConfig>,
    #[serde(default)]
    admin: AdminConfig,
    vault: VaultConfig,
    #[serde(default)]
    limits: Limits,
    #[serde(default)]
    timeouts: Timeouts,
    #[serde(default)]
    log: LogConfig,
    #[serde(default)]
    patterns: Option<PathBuf>,
    #[serde(default)]
    patterns_d: Option<PathBuf>,
    #[serde(rename = "caller", default)]
    callers: Vec<CallerConfig>,
    #[serde(rename = "route", default)]
    routes: Vec<route::RawRoute>,
    #[serde(default)]
    api: route::RawApi,
    #[serde(default)]
    audit: AuditConfig,
    #[serde(default)]
    claims: ClaimsConfig,
    #[serde(default)]
    console: Option<ConsoleConfig>,
    #[serde(default)]
    circuit: CircuitConfig,
    #[serde(default)]
    mllp: Vec<MllpConfig>,
    #[serde(default)]
    otel: Option<OtelConfig>,
}

impl Config {
    /// Reads and parses a configuration file; relative paths in it are relative to it.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: shown.clone(),
            source,
        })?;
        let mut config = Config::parse(&shown, &text)?;
        config.resolve_paths(path.parent().unwrap_or(Path::new(".")));
        Ok(config)
    }

    /// Parses configuration text; `file` only names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<Config, ConfigError> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: file.to_string(),
            message: e.to_string(),
        })?;
        let mut problems = Problems::default();
        let config = Config::from_raw(raw, &mut problems);
        match config {
            Some(c) if problems.0.is_empty() => Ok(c),
            _ => Err(ConfigError::Invalid {
                path: file.to_string(),
                problems: problems.0,
            }),
        }
    }

    /// Every part parsed and checked, each problem noted; `None` if a part could not be
    /// built (its problems are noted).
    fn from_raw(raw: RawConfig, problems: &mut Problems) -> Option<Config> {
        if raw.listeners.is_empty() {
            problems.at("listener", "at least one [[listener]] is needed");
        }
        storage::check(&raw.vault, &raw.audit, problems);
        let names = caller::check_all(&raw.callers, problems);
        let routes = route::parse_all(raw.routes, &names, problems);
        let api = route::parse_api(raw.api, &names, problems);
        if let Some(c) = &raw.console {
            let mut taken: Vec<_> = raw.listeners.iter().map(|l| l.listen).collect();
            taken.push(raw.admin.listen);
            console::check(c, &taken, problems);
        }
        let mtls = raw
            .callers
            .iter()
            .filter(|c| c.mtls_dns_name.is_some())
            .map(|c| c.name.clone())
            .collect();
        mllp::check_all(&raw.mllp, &mtls, problems);
        if let Some(o) = &raw.otel {
            otel::check(o, problems);
        }
        Some(Config {
            routes: routes?,
            api: api?,
            listeners: raw.listeners,
            admin: raw.admin,
            vault: raw.vault,
            limits: raw.limits,
            timeouts: raw.timeouts,
            log: raw.log,
            patterns: raw.patterns,
            patterns_d: raw.patterns_d,
            callers: raw.callers,
            audit: raw.audit,
            claims: raw.claims,
            console: raw.console,
            circuit: raw.circuit,
            mllp: raw.mllp,
            otel: raw.otel,
        })
    }

    /// Relative paths in the file are relative to the file's directory.
    fn resolve_paths(&mut self, base: &Path) {
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
        fix(&mut self.vault.key_file);
        if let Some(c) = &mut self.console {
            fix(&mut c.cert);
            fix(&mut c.key);
            if let Some(ca) = &mut c.client_ca {
                fix(ca);
            }
        }
        for m in &mut self.mllp {
            m.resolve_paths(base);
        }
        let optional = [
            &mut self.vault.dir,
            &mut self.vault.password_file,
            &mut self.vault.ca,
            &mut self.vault.backup_dir,
            &mut self.admin.token_file,
            &mut self.audit.dir,
            &mut self.claims.tables,
            &mut self.patterns,
            &mut self.patterns_d,
        ];
        for p in optional.into_iter().flatten() {
            fix(p);
        }
        if let Some(ca) = self.otel.as_mut().and_then(|o| o.ca.as_mut()) {
            fix(ca);
        }
        let secrets = self.callers.iter_mut().filter_map(|c| c.webhook.as_mut());
        let signers = self.routes.iter_mut().filter_map(|r| r.sign.as_mut());
        for f in secrets
            .chain(signers)
            .filter_map(|w| w.secret_file.as_mut())
        {
            fix(f);
        }
        for d in &mut self.audit.devices {
            let files = [
                &mut d.ca,
                &mut d.client_cert,
                &mut d.client_key,
                &mut d.bearer_token_file,
            ];
            for p in files.into_iter().flatten() {
                fix(p);
            }
        }
        for ca in self
            .routes
            .iter_mut()
            .filter_map(|r| r.upstream_ca.as_mut())
        {
            fix(ca);
        }
    }
}

#[cfg(test)]
macro_rules! test_base {
    () => {
        r#"
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
"#
    };
}

/// A small configuration that parses: one listener, a sled vault, one caller (`emr`), and
/// no route; tests add what they need.
#[cfg(test)]
pub(crate) const TEST_BASE: &str = test_base!();

#[cfg(test)]
mod tests {
    use super::*;
    use crate::phi::PhiType;

    const MINIMAL: &str = concat!(
        test_base!(),
        r#"
[[route]]
name = "hooks"
prefix = "/hooks/"
direction = "deidentify"
upstream = "https://automation.example.com/in/"
callers = ["emr"]
"#
    );

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
        for part in [
            "t.toml: route[0].callers: unknown caller `ghost`",
            "t.toml: route[0].prefix: must start with `/`",
            "t.toml: route[0].upstream: `ftp://automation.example.com/in/` must be https://",
        ] {
            assert!(text.contains(part), "{part} missing from: {text}");
        }
        assert_eq!(text.lines().count(), 3, "{text}");
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
                    .contains("caller[0].api_key_sha256: is a placeholder"),
                "{e}"
            );
        }
    }

    /// The keys of an invalid configuration's problems, in order.
    fn problem_keys(text: &str) -> Vec<String> {
        match Config::parse("t.toml", text) {
            Err(ConfigError::Invalid { problems, .. }) => {
                problems.into_iter().map(|p| p.key).collect()
            }
            other => panic!("expected problems, got {other:?}"),
        }
    }

    #[test]
    fn problems_in_every_section_are_reported_together_each_naming_its_key() {
        let text = MINIMAL
            .replace("dir = \"vault\"\n", "")
            .replace("callers = [\"emr\"]", "callers = [\"emr\", \"zap\"]")
            .replace("https://automation", "http://automation")
            + r#"
[[route]]
name = "back"
prefix = "/v1/back/"
direction = "reidentify"
upstream = "https://emr.example.com/api?x=1"
callers = ["emr"]
reveal = { emr = ["NAME", "SHOESIZE"], ghost = ["MRN"] }
scan_headers = ["bad header"]

[[route]]
name = "back"
prefix = "/again/"
direction = "reidentify"
upstream = "not a url"
callers = []

[api]
callers = ["nobody"]
reveal = { emr = ["MRN", "NAMEZ"] }
"#;
        assert_eq!(
            problem_keys(&text),
            [
                "vault.dir",
                "route[0].callers",
                "route[0].upstream",
                "route[1].prefix",
                "route[1].scan_headers",
                "route[1].upstream",
                "route[1].reveal.emr",
                "route[1].reveal.ghost",
                "route[2].name",
                "route[2].callers",
                "route[2].upstream",
                "api.callers",
                "api.reveal.emr",
            ]
        );
        let e = Config::parse("t.toml", &text).expect_err("invalid");
        let shown = e.to_string();
        assert!(shown.lines().all(|l| l.starts_with("t.toml: ")), "{shown}");
        for part in [
            "route[0].callers: unknown caller `zap`",
            "route[0].upstream: plain http upstream refused",
            "route[1].upstream: `https://emr.example.com/api?x=1` must not carry a query",
            "route[1].reveal.emr: unknown PHI type `SHOESIZE`",
            "route[2].name: route `back` is defined twice",
            "api.reveal.emr: unknown PHI type `NAMEZ`",
        ] {
            assert!(shown.contains(part), "{part} missing from:\n{shown}");
        }
    }

    #[test]
    fn values_are_parsed_once_into_their_types() {
        let text = MINIMAL.replace("\"deidentify\"", "\"reidentify\"").replace(
            "callers = [\"emr\"]",
            "callers = [\"emr\"]\nreveal = { emr = [\"name\", \"MRN\"] }",
        ) + "\n[api]\ncallers = [\"emr\"]\nreveal = { emr = [\"DATE\"] }\n";
        let c = Config::parse("t.toml", &text).expect("parses");
        let r = &c.routes[0];
        assert_eq!(r.upstream.scheme_str(), Some("https"));
        assert_eq!(r.upstream.host(), Some("automation.example.com"));
        assert_eq!(r.upstream.path(), "/in/");
        assert_eq!(r.reveal["emr"], [PhiType::Name, PhiType::Mrn]);
        assert_eq!(c.api.reveal["emr"], [PhiType::Date]);
    }

    /// Red team 55, J1: minting tokens on `/v1/deidentify` is a grant of its own, and a
    /// partner that holds tokens of the API's domain is warned of.
    #[test]
    fn api_grants_are_per_endpoint_and_token_oracles_are_warned_of() {
        let partner = "\n[[caller]]\nname = \"lim\"\napi_key_sha256 = [\"d0f57c83861b00b5de3d830b5726cc1ff9cb269da430b278a3d6e9d3c9bf7e2a\"]\n";
        let callback = "\n[[route]]\nname = \"cb\"\nprefix = \"/cb/\"\ndirection = \"reidentify\"\nupstream = \"https://emr.example.com/\"\ncallers = [\"lim\"]\nreveal = { lim = [\"NAME\"] }\nplain_phi = \"refuse\"\n";
        let text = |api: &str| format!("{MINIMAL}{partner}{callback}\n[api]\n{api}\n");
        // The older single list: every endpoint, and two warnings for `lim`.
        let c = Config::parse(
            "t.toml",
            &text("callers = [\"emr\", \"lim\"]\nreveal = { lim = [\"NAME\"], emr = [\"NAME\"] }"),
        )
        .expect("parses");
        assert_eq!(c.routes[1].plain_phi, PlainPhi::Refuse);
        assert_eq!(c.routes[0].plain_phi, PlainPhi::Shield);
        assert!(c.api.enabled());
        let warned = token_oracle_warnings(&c.routes, &c.api);
        assert_eq!(warned.len(), 2, "{warned:?}");
        assert!(warned.iter().all(|w| w.contains("`lim`")), "{warned:?}");
        assert!(warned[0].contains("reidentify route `cb`"), "{warned:?}");
        // Per endpoint: `lim` reveals, `emr` (which sends out through `hooks`) does both.
        let c = Config::parse(
            "t.toml",
            &text("deidentify_callers = [\"emr\"]\nreidentify_callers = [\"emr\", \"lim\"]\nreveal = { lim = [\"NAME\"], emr = [\"NAME\"] }"),
        )
        .expect("parses");
        assert!(c.api.enabled());
        assert_eq!(c.api.callers_of(&c.api.deidentify_callers), ["emr"]);
        assert_eq!(c.api.callers_of(&c.api.reidentify_callers), ["emr", "lim"]);
        assert!(c.api.callers_of(&c.api.analyze_callers).is_empty());
        assert!(token_oracle_warnings(&c.routes, &c.api).is_empty());
        // Another domain for the API: the partner's tokens do not match the API's.
        let c = Config::parse("t.toml", &text("callers = [\"lim\"]\ndomain = \"api\""))
            .expect("parses");
        assert!(token_oracle_warnings(&c.routes, &c.api).is_empty());
        // Unknown callers, and `plain_phi` where no answer goes outside.
        let bad = format!(
            "{}plain_phi = \"shield\"\n\n[api]\nanalyze_callers = [\"nobody\"]\n",
            MINIMAL
        );
        let e = Config::parse("t.toml", &bad)
            .expect_err("problems")
            .to_string();
        assert!(
            e.contains("api.analyze_callers: unknown caller `nobody`"),
            "{e}"
        );
        assert!(e.contains("route[0].plain_phi"), "{e}");
    }

    #[test]
    fn relative_paths_are_relative_to_the_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("phigate.toml");
        std::fs::write(&path, MINIMAL).expect("write");
        let c = Config::load(&path).expect("loads");
        assert_eq!(c.listeners[0].cert, dir.path().join("cert.pem"));
        assert_eq!(c.vault.key_file, dir.path().join("master.key"));
        assert_eq!(
            c.vault.dir.as_deref(),
            Some(dir.path().join("vault").as_path())
        );
    }
}
