//! `[limits]`, `[timeouts]`, `[log]` and `[claims]`: the gateway's knobs, each with the
//! default a clinic gets when it says nothing (documented in `deploy/phigate.example.toml`).

use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

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

/// Claim tables shared by every claims route and `/v1/claims/validate`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimsConfig {
    /// A directory whose files replace the built-in tables (e.g. CMS's NCCI PTP and MUE
    /// files in their published layouts; see patterns/claims/SOURCES.md).
    #[serde(default)]
    pub tables: Option<PathBuf>,
}
