//! `[[caller]]`: who may call the gateway, and the credentials that prove it.
//!
//! Owns the callers' settings (API-key digests, a client-certificate name, webhook
//! signatures) and their checks: a caller needs a credential, a digest must be a real
//! SHA-256 (never a placeholder or the digest of a guessable key), a secret comes from
//! exactly one place. Messages never quote a secret.

use std::collections::HashSet;
use std::path::PathBuf;

use serde::Deserialize;

use super::Problems;

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
    /// Requests this caller may make: `per_second` sustained, `burst` at once; beyond it,
    /// 429 with `Retry-After`. None: unlimited (the concurrency cap still applies).
    #[serde(default)]
    pub rate_limit: Option<RateLimit>,
}

/// A token bucket's size and refill rate.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RateLimit {
    pub per_second: f64,
    pub burst: u32,
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

/// Checks every caller; returns the names defined, for routes and the API to refer to.
pub(super) fn check_all<'a>(
    callers: &'a [CallerConfig],
    problems: &mut Problems,
) -> HashSet<&'a str> {
    let mut names = HashSet::new();
    for (i, c) in callers.iter().enumerate() {
        let key = |field: &str| format!("caller[{i}].{field}");
        if !names.insert(c.name.as_str()) {
            problems.at(key("name"), format!("caller `{}` is defined twice", c.name));
        }
        if c.api_key_sha256.iter().any(|h| !is_sha256_hex(h)) {
            problems.at(
                key("api_key_sha256"),
                "must be 64 hex characters (the SHA-256 of the key, not the key)",
            );
        }
        if c.api_key_sha256.iter().any(|h| is_placeholder_digest(h)) {
            problems.at(
                key("api_key_sha256"),
                "is a placeholder or the hash of a well-known key: set the SHA-256 of a real \
                 key (`printf %s \"$KEY\" | sha256sum`)",
            );
        }
        if c.api_key_sha256.is_empty() && c.mtls_dns_name.is_none() && c.webhook.is_none() {
            problems.at(
                key("name"),
                format!(
                    "caller `{}` has no credential (api_key_sha256, mtls_dns_name or webhook)",
                    c.name
                ),
            );
        }
        if let Some(w) = &c.webhook {
            check_secret(w, &key("webhook"), problems);
        }
        if let Some(r) = &c.rate_limit {
            if !(r.per_second.is_finite() && r.per_second > 0.0) {
                problems.at(key("rate_limit.per_second"), "must be a number above 0");
            }
            if r.burst == 0 {
                problems.at(key("rate_limit.burst"), "must be at least 1");
            }
        }
    }
    names
}

/// A signing secret comes from exactly one place: the file, or the setting itself.
pub(super) fn check_secret(w: &WebhookSecret, key: &str, problems: &mut Problems) {
    match (&w.secret, &w.secret_file) {
        (Some(_), Some(_)) => problems.at(key, "give secret or secret_file, not both"),
        (None, None) => problems.at(key, "secret or secret_file is needed"),
        _ => {}
    }
}

pub(super) fn is_sha256_hex(h: &str) -> bool {
    h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Digests no real key has: the examples' `000…`/`111…` placeholders (one repeated hex
/// digit) and the SHA-256 of keys anyone would guess.
pub(super) fn is_placeholder_digest(h: &str) -> bool {
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
