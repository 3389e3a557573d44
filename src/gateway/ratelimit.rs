//! Per-caller rate limits: a token bucket per caller with a `rate_limit` (`per_second`
//! sustained, `burst` at once). A request over its caller's limit is answered 429 with
//! `Retry-After` before any of its body is de-identified, and counted
//! (`phigate_rate_limited_total{caller}`).
//!
//! Owns the buckets; they outlive a reload (a reload must not hand every caller a fresh
//! burst), and a changed limit applies from the next request.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::config::RateLimit;

/// Every caller's bucket and refusal count.
#[derive(Default)]
pub struct RateLimiter {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    buckets: HashMap<String, Bucket>,
    limited: BTreeMap<String, u64>,
}

/// Tokens left (fractional: refilled continuously) and when they were last counted.
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl RateLimiter {
    /// Takes one token from `caller`'s bucket, or says how long until one is there.
    pub fn take(&self, caller: &str, limit: &RateLimit, now: Instant) -> Result<(), Duration> {
        // A poisoned lock means a panic elsewhere: refuse rather than let traffic through
        // unlimited.
        let Ok(mut inner) = self.inner.lock() else {
            return Err(Duration::from_secs(1));
        };
        let burst = f64::from(limit.burst.max(1));
        let bucket = inner.buckets.entry(caller.to_string()).or_insert(Bucket {
            tokens: burst,
            at: now,
        });
        let elapsed = now.saturating_duration_since(bucket.at).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * limit.per_second).min(burst);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            return Ok(());
        }
        let wait = (1.0 - bucket.tokens) / limit.per_second;
        *inner.limited.entry(caller.to_string()).or_default() += 1;
        Err(Duration::from_secs_f64(wait.clamp(0.0, 86_400.0)))
    }

    /// `phigate_rate_limited_total{caller}`: requests refused per caller.
    pub fn render(&self) -> String {
        use std::fmt::Write as _;
        let mut out = String::from(
            "# HELP phigate_rate_limited_total Requests refused with 429 by their caller's rate limit.\n# TYPE phigate_rate_limited_total counter\n",
        );
        if let Ok(inner) = self.inner.lock() {
            for (caller, n) in &inner.limited {
                let _ = writeln!(
                    out,
                    "phigate_rate_limited_total{{caller=\"{}\"}} {n}",
                    label(caller)
                );
            }
        }
        out
    }
}

/// A name as a Prometheus label value (backslash, quote and newline escaped).
pub fn label(name: &str) -> String {
    name.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Whole seconds for `Retry-After`, rounded up and at least one.
pub fn retry_after_secs(wait: Duration) -> u64 {
    let s = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    s.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_the_sustained_rate() {
        let r = RateLimiter::default();
        let limit = RateLimit {
            per_second: 2.0,
            burst: 3,
        };
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(r.take("emr", &limit, t0).is_ok());
        }
        let wait = r.take("emr", &limit, t0).expect_err("over the burst");
        assert_eq!(retry_after_secs(wait), 1);
        assert!(
            r.take("other", &limit, t0).is_ok(),
            "buckets are per caller"
        );
        let later = t0 + Duration::from_millis(500);
        assert!(r.take("emr", &limit, later).is_ok(), "one token refilled");
        assert!(r.take("emr", &limit, later).is_err());
        assert!(r
            .render()
            .contains("phigate_rate_limited_total{caller=\"emr\"} 2"));
    }
}
