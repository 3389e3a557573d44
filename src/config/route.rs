//! `[[route]]` and `[api]`: what the gateway forwards where, in which direction, under
//! which policy, for whom.
//!
//! Owns turning each route's text into typed values: the upstream becomes a
//! [`hyper::Uri`] (https, with a host, without a query), reveal rules become sets of
//! [`PhiType`]s, and every name a route uses must be a caller defined in the file.

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;

use serde::Deserialize;

use super::caller::{check_secret, WebhookSecret};
use super::Problems;
use crate::phi::PhiType;

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Inside → outside: PHI is replaced with tokens.
    Deidentify,
    /// Outside → inside: tokens are replaced with values the caller may have revealed.
    Reidentify,
}

/// Which PHI types each caller may have revealed; a caller not named may reveal nothing.
pub type RevealRules = BTreeMap<String, Vec<PhiType>>;

/// One route, as the file says it, before its values are parsed.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRoute {
    name: String,
    prefix: String,
    #[serde(default)]
    host: Option<String>,
    direction: Direction,
    upstream: String,
    #[serde(default)]
    upstream_ca: Option<PathBuf>,
    #[serde(default)]
    allow_plain_http: bool,
    #[serde(default = "default_policy")]
    policy: String,
    #[serde(default)]
    domain: String,
    callers: Vec<String>,
    #[serde(default)]
    reveal: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    scan_headers: Vec<String>,
    #[serde(default)]
    pass_headers: Vec<String>,
    #[serde(default)]
    pass_content_types: Vec<String>,
    #[serde(default)]
    sign: Option<WebhookSecret>,
    #[serde(default)]
    max_body_bytes: Option<usize>,
    #[serde(default)]
    claims: Option<ClaimsRoute>,
    #[serde(default)]
    purpose: Option<String>,
    #[serde(default)]
    plain_phi: Option<PlainPhi>,
}

/// On a reidentify route, what becomes of an answer that echoes values the caller sent in
/// plain (red team 55, J1: a guess echoed back under the vault's token would tell the
/// caller which token is whose).
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum PlainPhi {
    /// Tokenised under a key made for the request alone: a token that matches nothing and
    /// reveals nothing. Counted in `phigate_plain_echoes_total` and the audit entry.
    #[default]
    Shield,
    /// The answer is withheld (502) and counted the same way.
    Refuse,
}

/// One route.
#[derive(Debug, Clone)]
pub struct RouteConfig {
    pub name: String,
    /// Path prefix the route answers (longest prefix wins).
    pub prefix: String,
    /// Only requests for this host (the `Host` or `:authority`, without port).
    pub host: Option<String>,
    pub direction: Direction,
    /// Where requests go; the part of the path after `prefix` is appended.
    pub upstream: hyper::Uri,
    /// PEM CA bundle for the upstream instead of the system roots.
    pub upstream_ca: Option<PathBuf>,
    /// Plain `http://` upstreams are refused unless this is set.
    pub allow_plain_http: bool,
    /// A built-in policy's name or a policy file ([`super::load_policy`]).
    pub policy: String,
    /// Token domain for this destination (separate tokens per vendor).
    pub domain: String,
    /// Callers allowed on the route (names from `[[caller]]`).
    pub callers: Vec<String>,
    /// On reidentify routes, which PHI types each caller may have revealed.
    pub reveal: RevealRules,
    /// Request headers whose values are de-identified (or revealed) and forwarded.
    pub scan_headers: Vec<String>,
    /// Request headers forwarded unchanged (the operator vouches they hold no PHI).
    pub pass_headers: Vec<String>,
    /// Content types forwarded without scanning (multipart and binary are refused otherwise).
    pub pass_content_types: Vec<String>,
    /// Re-sign forwarded bodies with the destination's secret.
    pub sign: Option<WebhookSecret>,
    pub max_body_bytes: Option<usize>,
    /// Check claims passing through (before de-identification) and act on the findings.
    pub claims: Option<ClaimsRoute>,
    /// Why data goes this way (`treatment`, `payment`, `health care operations`…): recorded
    /// with every disclosure, and shown in the accounting of disclosures.
    pub purpose: Option<String>,
    /// Reidentify routes: what an answer echoing the caller's plain values gets.
    pub plain_phi: PlainPhi,
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

/// The direct API (`POST /v1/deidentify`, `POST /v1/reidentify`), as the file says it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawApi {
    #[serde(default)]
    callers: Vec<String>,
    #[serde(default)]
    deidentify_callers: Vec<String>,
    #[serde(default)]
    reidentify_callers: Vec<String>,
    #[serde(default)]
    analyze_callers: Vec<String>,
    #[serde(default = "default_policy")]
    policy: String,
    #[serde(default)]
    domain: String,
    #[serde(default)]
    reveal: BTreeMap<String, Vec<String>>,
}

impl Default for RawApi {
    fn default() -> Self {
        RawApi {
            callers: Vec::new(),
            deidentify_callers: Vec::new(),
            reidentify_callers: Vec::new(),
            analyze_callers: Vec::new(),
            policy: default_policy(),
            domain: String::new(),
            reveal: BTreeMap::new(),
        }
    }
}

/// The direct API (`POST /v1/deidentify`, `POST /v1/reidentify`) on every listener.
#[derive(Debug, Clone)]
pub struct ApiConfig {
    /// Callers allowed on every endpoint of the API (kept for older files; prefer the
    /// per-endpoint lists). When every list is empty the API answers 404.
    pub callers: Vec<String>,
    /// Callers allowed on `/v1/deidentify` only (besides `callers`): it mints the vault's
    /// token of any value sent, so a partner that holds tokens of the same domain must not
    /// be one (red team 55, J1).
    pub deidentify_callers: Vec<String>,
    /// Callers allowed on `/v1/reidentify` only (besides `callers`).
    pub reidentify_callers: Vec<String>,
    /// Callers allowed on `/v1/analyze` only (besides `callers`).
    pub analyze_callers: Vec<String>,
    pub policy: String,
    pub domain: String,
    /// Which PHI types each caller may have revealed by `/v1/reidentify`; default none.
    pub reveal: RevealRules,
}

impl ApiConfig {
    /// Whether any caller may use the API at all.
    pub fn enabled(&self) -> bool {
        !(self.callers.is_empty()
            && self.deidentify_callers.is_empty()
            && self.reidentify_callers.is_empty()
            && self.analyze_callers.is_empty())
    }

    /// Every caller named anywhere in `[api]`: who may reach some endpoint.
    pub fn anyone(&self) -> Vec<String> {
        let mut all: Vec<String> = self
            .callers
            .iter()
            .chain(&self.deidentify_callers)
            .chain(&self.reidentify_callers)
            .chain(&self.analyze_callers)
            .cloned()
            .collect();
        all.sort();
        all.dedup();
        all
    }

    /// Who may call one endpoint: `callers` and the endpoint's own list.
    pub fn callers_of(&self, own: &[String]) -> Vec<String> {
        let mut all: Vec<String> = self.callers.iter().chain(own).cloned().collect();
        all.sort();
        all.dedup();
        all
    }
}

/// Grants under which a caller can learn the vault's token of any value it guesses (red
/// team 55, J1): `/v1/deidentify` answers with the tokens of the domain `[api] domain`.
/// Warned of: a caller of `/v1/deidentify` that also calls a reidentify route of that
/// domain (an outside partner, holding tokens of it); and one whose `[api]` reveal rules
/// leave some types out while it sends nothing out through a deidentify route (a partner
/// trusted to turn some tokens back, able to translate the others by guessing). A
/// clinic's own system on both endpoints is not warned of: it has the values. Warnings
/// only (a setup may be deliberate); each names callers, routes and domains, never a value.
pub fn token_oracle_warnings(routes: &[RouteConfig], api: &ApiConfig) -> Vec<String> {
    let mut out = Vec::new();
    for c in &api.callers_of(&api.deidentify_callers) {
        let calls = |d: Direction| {
            routes
                .iter()
                .filter(move |r| r.direction == d && r.callers.contains(c))
        };
        for r in calls(Direction::Reidentify).filter(|r| r.domain == api.domain) {
            out.push(format!(
                "caller `{c}` calls reidentify route `{}` and /v1/deidentify in the same token \
                 domain {}: it can learn the token of any value it guesses; give the API \
                 another `domain` or take `{c}` off /v1/deidentify",
                r.name,
                domain_shown(&api.domain)
            ));
        }
        let partial = api
            .reveal
            .get(c)
            .is_some_and(|types| PhiType::ALL.iter().any(|t| !types.contains(t)));
        if partial && calls(Direction::Deidentify).next().is_none() {
            out.push(format!(
                "caller `{c}` may reveal only some types through /v1/reidentify but may call \
                 /v1/deidentify (domain {}): it can learn the token of any value it guesses, \
                 of every type; grant it `reidentify_callers` rather than `callers`",
                domain_shown(&api.domain)
            ));
        }
    }
    out
}

/// A token domain as a warning names it: the unnamed one is the default.
fn domain_shown(domain: &str) -> String {
    if domain.is_empty() {
        "(the default)".to_string()
    } else {
        format!("`{domain}`")
    }
}

fn default_policy() -> String {
    "safe-harbor".into()
}

/// Every route, typed; `None` when any route has a problem (each one is in `problems`).
pub(super) fn parse_all(
    raw: Vec<RawRoute>,
    callers: &HashSet<&str>,
    problems: &mut Problems,
) -> Option<Vec<RouteConfig>> {
    let mut names = HashSet::new();
    let mut routes = Vec::with_capacity(raw.len());
    for (i, r) in raw.into_iter().enumerate() {
        let key = |field: &str| format!("route[{i}].{field}");
        if !names.insert(r.name.clone()) {
            problems.at(key("name"), format!("route `{}` is defined twice", r.name));
        }
        routes.push(parse_route(r, &key, callers, problems));
    }
    routes.into_iter().collect()
}

fn parse_route(
    r: RawRoute,
    key: &dyn Fn(&str) -> String,
    callers: &HashSet<&str>,
    problems: &mut Problems,
) -> Option<RouteConfig> {
    if !r.prefix.starts_with('/') {
        problems.at(key("prefix"), "must start with `/`");
    }
    if r.prefix.starts_with("/v1/") {
        problems.at(
            key("prefix"),
            "prefixes under /v1/ are the gateway's own API",
        );
    }
    if r.callers.is_empty() {
        problems.at(
            key("callers"),
            "is empty: every route names who may call it",
        );
    }
    for c in &r.callers {
        if !callers.contains(c.as_str()) {
            problems.at(key("callers"), format!("unknown caller `{c}`"));
        }
    }
    if r.direction == Direction::Deidentify && !r.reveal.is_empty() {
        problems.at(
            key("reveal"),
            "reveal rules only apply to reidentify routes",
        );
    }
    for h in r.scan_headers.iter() {
        check_header_name(h, &key("scan_headers"), problems);
    }
    for h in r.pass_headers.iter() {
        check_header_name(h, &key("pass_headers"), problems);
    }
    if let Some(w) = &r.sign {
        check_secret(w, &key("sign"), problems);
    }
    if r.plain_phi.is_some() && r.direction != Direction::Reidentify {
        problems.at(
            key("plain_phi"),
            "applies to reidentify routes (answers going outside)",
        );
    }
    if r.claims.is_some() && r.direction != Direction::Deidentify {
        problems.at(
            key("claims"),
            "claims are checked on deidentify routes (claims leaving the clinic)",
        );
    }
    let upstream = parse_upstream(&r.upstream, r.allow_plain_http)
        .map_err(|m| problems.at(key("upstream"), m))
        .ok();
    if let Some(p) = &r.purpose {
        if p.trim().is_empty() || p.chars().count() > 120 || p.chars().any(char::is_control) {
            problems.at(
                key("purpose"),
                "one line of 1 to 120 characters (e.g. `treatment`, `payment`)",
            );
        }
    }
    let reveal = parse_reveal(r.reveal, &key("reveal"), callers, problems);
    Some(RouteConfig {
        name: r.name,
        prefix: r.prefix,
        host: r.host,
        direction: r.direction,
        upstream: upstream?,
        upstream_ca: r.upstream_ca,
        allow_plain_http: r.allow_plain_http,
        policy: r.policy,
        domain: r.domain,
        callers: r.callers,
        reveal: reveal?,
        scan_headers: r.scan_headers,
        pass_headers: r.pass_headers,
        pass_content_types: r.pass_content_types,
        sign: r.sign,
        max_body_bytes: r.max_body_bytes,
        claims: r.claims,
        purpose: r.purpose,
        plain_phi: r.plain_phi.unwrap_or_default(),
    })
}

/// `[api]`, typed; `None` when it has a problem (each one is in `problems`).
pub(super) fn parse_api(
    raw: RawApi,
    callers: &HashSet<&str>,
    problems: &mut Problems,
) -> Option<ApiConfig> {
    let lists = [
        ("api.callers", &raw.callers),
        ("api.deidentify_callers", &raw.deidentify_callers),
        ("api.reidentify_callers", &raw.reidentify_callers),
        ("api.analyze_callers", &raw.analyze_callers),
    ];
    for (at, list) in lists {
        for c in list {
            if !callers.contains(c.as_str()) {
                problems.at(at, format!("unknown caller `{c}`"));
            }
        }
    }
    let reveal = parse_reveal(raw.reveal, "api.reveal", callers, problems);
    Some(ApiConfig {
        callers: raw.callers,
        deidentify_callers: raw.deidentify_callers,
        reidentify_callers: raw.reidentify_callers,
        analyze_callers: raw.analyze_callers,
        policy: raw.policy,
        domain: raw.domain,
        reveal: reveal?,
    })
}

/// Reveal rules by caller: every caller defined, every type a PHI type.
fn parse_reveal(
    raw: BTreeMap<String, Vec<String>>,
    key: &str,
    callers: &HashSet<&str>,
    problems: &mut Problems,
) -> Option<RevealRules> {
    let mut ok = true;
    let mut rules = RevealRules::new();
    for (caller, names) in raw {
        let at = format!("{key}.{caller}");
        if !callers.contains(caller.as_str()) {
            problems.at(&at, format!("unknown caller `{caller}`"));
            ok = false;
        }
        let mut types = Vec::with_capacity(names.len());
        for name in names {
            match name.parse::<PhiType>() {
                Ok(t) => types.push(t),
                Err(_) => {
                    problems.at(&at, format!("unknown PHI type `{name}`"));
                    ok = false;
                }
            }
        }
        rules.insert(caller, types);
    }
    ok.then_some(rules)
}

fn check_header_name(name: &str, key: &str, problems: &mut Problems) {
    if hyper::header::HeaderName::from_bytes(name.as_bytes()).is_err() {
        problems.at(key, format!("`{name}` is not a header name"));
    }
}

/// An upstream is an https URL with a host and no query (plain http only when allowed).
fn parse_upstream(url: &str, allow_plain_http: bool) -> Result<hyper::Uri, String> {
    let uri: hyper::Uri = url.parse().map_err(|_| format!("`{url}` is not a URL"))?;
    match uri.scheme_str() {
        Some("https") => {}
        Some("http") if allow_plain_http => {}
        Some("http") => {
            return Err(
                "plain http upstream refused (set allow_plain_http = true to allow it)".into(),
            )
        }
        _ => return Err(format!("`{url}` must be https://")),
    }
    if uri.host().is_none() {
        return Err(format!("`{url}` has no host"));
    }
    if uri.query().is_some() {
        return Err(format!("`{url}` must not carry a query"));
    }
    Ok(uri)
}
