//! `[circuit]`: when a route's upstream counts as failing and how long its circuit stays
//! open (the breaker itself is `gateway::circuit`).

use serde::Deserialize;

/// Circuit breaking for every route's upstream.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct CircuitConfig {
    /// Consecutive failures (no connection, no answer in time, a 5xx) that open the
    /// circuit; 0 switches circuit breaking off.
    pub failures: u32,
    /// How long an open circuit answers 503 before one request is let through as a probe.
    pub cool_down_ms: u64,
}

impl Default for CircuitConfig {
    fn default() -> Self {
        CircuitConfig {
            failures: 5,
            cool_down_ms: 10_000,
        }
    }
}
