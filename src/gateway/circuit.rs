//! Upstream circuit breaking: after `[circuit] failures` consecutive failures of a route's
//! upstream (no connection, no answer in time, a 5xx), the route answers a fast 503 with
//! `Retry-After` for `cool_down_ms`, instead of making every caller wait for a dead
//! upstream; then one request is let through as a probe (half-open): its success closes
//! the circuit, its failure opens it for another cool-down.
//!
//! Owns the breakers, one per route and upstream (a reload that points a route elsewhere
//! starts it closed), kept across reloads, and `phigate_upstream_circuit_open{route}`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::config::CircuitConfig;

/// Every route's breaker.
#[derive(Default)]
pub struct Circuits {
    inner: Mutex<HashMap<Key, Breaker>>,
}

/// A route's name and upstream.
type Key = (String, String);

#[derive(Default)]
struct Breaker {
    consecutive: u32,
    /// Open until then; past it, half-open.
    open_until: Option<Instant>,
    /// A half-open probe is under way: others are still refused.
    probing: bool,
}

/// A request let through to the upstream. Its outcome must be [`Pass::record`]ed; one
/// dropped without (the request was cancelled) frees the probe slot for the next request.
pub struct Pass {
    circuits: Arc<Circuits>,
    key: Option<Key>,
    cfg: CircuitConfig,
    recorded: bool,
}

impl Circuits {
    /// Lets a request through to `route`'s upstream, or says how long until it may try.
    pub fn admit(
        self: &Arc<Self>,
        route: &str,
        upstream: &str,
        cfg: &CircuitConfig,
        now: Instant,
    ) -> Result<Pass, Duration> {
        let pass = |key| Pass {
            circuits: Arc::clone(self),
            key,
            cfg: cfg.clone(),
            recorded: false,
        };
        if cfg.failures == 0 {
            return Ok(pass(None));
        }
        let key = (route.to_string(), upstream.to_string());
        // A poisoned lock: the breaker cannot say; let the request try (the upstream call
        // has its own timeout), rather than refuse every request for good.
        let Ok(mut map) = self.inner.lock() else {
            return Ok(pass(None));
        };
        let b = map.entry(key.clone()).or_default();
        match b.open_until {
            Some(until) if now < until => Err(until - now),
            Some(_) if b.probing => Err(Duration::from_millis(cfg.cool_down_ms.min(1000))),
            Some(_) => {
                b.probing = true;
                Ok(pass(Some(key)))
            }
            None => Ok(pass(Some(key))),
        }
    }

    /// `phigate_upstream_circuit_open{route}` for each route named (1 while open or
    /// half-open).
    pub fn render<'a>(&self, routes: impl Iterator<Item = (&'a str, String)>) -> String {
        use std::fmt::Write as _;
        let mut out = String::from(
            "# HELP phigate_upstream_circuit_open Whether the route's upstream circuit is open (fast 503s).\n# TYPE phigate_upstream_circuit_open gauge\n",
        );
        let map = self.inner.lock().ok();
        for (route, upstream) in routes {
            let open = map
                .as_ref()
                .and_then(|m| m.get(&(route.to_string(), upstream)))
                .is_some_and(|b| b.open_until.is_some());
            let _ = writeln!(
                out,
                "phigate_upstream_circuit_open{{route=\"{}\"}} {}",
                super::ratelimit::label(route),
                u8::from(open)
            );
        }
        out
    }

    /// Forgets the breakers of routes and upstreams no longer configured (at a reload): a
    /// route pointed back at an upstream later starts closed, not with stale failures.
    pub fn retain<'a>(&self, routes: impl Iterator<Item = (&'a str, String)>) {
        let keep: std::collections::HashSet<Key> =
            routes.map(|(r, u)| (r.to_string(), u)).collect();
        if let Ok(mut map) = self.inner.lock() {
            map.retain(|k, _| keep.contains(k));
        }
    }

    fn record(&self, key: &Key, cfg: &CircuitConfig, ok: bool, now: Instant) {
        let Ok(mut map) = self.inner.lock() else {
            return;
        };
        let b = map.entry(key.clone()).or_default();
        if ok {
            *b = Breaker::default();
            return;
        }
        b.consecutive = b.consecutive.saturating_add(1);
        if b.probing || b.consecutive >= cfg.failures {
            if b.open_until.is_none() {
                tracing::warn!(route = %key.0, failures = b.consecutive, "upstream circuit opened");
            }
            b.open_until = Some(now + Duration::from_millis(cfg.cool_down_ms));
        }
        b.probing = false;
    }
}

impl Pass {
    /// The upstream's outcome: `ok` when it answered below 500.
    pub fn record(self, ok: bool) {
        self.record_at(ok, Instant::now());
    }

    fn record_at(mut self, ok: bool, now: Instant) {
        self.recorded = true;
        if let Some(key) = &self.key {
            self.circuits.record(key, &self.cfg, ok, now);
        }
    }
}

impl Drop for Pass {
    fn drop(&mut self) {
        if self.recorded {
            return;
        }
        if let (Some(key), Ok(mut map)) = (&self.key, self.circuits.inner.lock()) {
            if let Some(b) = map.get_mut(key) {
                b.probing = false;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_after_n_failures_then_one_probe_closes_or_reopens_it() {
        let c = Arc::new(Circuits::default());
        let cfg = CircuitConfig {
            failures: 2,
            cool_down_ms: 1000,
        };
        let t0 = Instant::now();
        let up = "https://u/";
        for _ in 0..2 {
            c.admit("r", up, &cfg, t0)
                .expect("closed")
                .record_at(false, t0);
        }
        let wait = c.admit("r", up, &cfg, t0).err().expect("open");
        assert!(wait <= Duration::from_millis(1000));
        assert!(
            c.admit("r", "https://other/", &cfg, t0).is_ok(),
            "per upstream"
        );
        assert!(c
            .render([("r", up.to_string())].into_iter())
            .contains("{route=\"r\"} 1"));
        let t1 = t0 + Duration::from_millis(1001);
        let probe = c.admit("r", up, &cfg, t1).expect("half-open probe");
        assert!(c.admit("r", up, &cfg, t1).is_err(), "one probe at a time");
        probe.record_at(false, t1);
        assert!(c.admit("r", up, &cfg, t1).is_err(), "reopened");
        let t2 = t1 + Duration::from_millis(1001);
        c.admit("r", up, &cfg, t2)
            .expect("probe")
            .record_at(true, t2);
        assert!(c.admit("r", up, &cfg, t2).is_ok(), "closed again");
        let off = CircuitConfig {
            failures: 0,
            cool_down_ms: 1,
        };
        for _ in 0..5 {
            c.admit("z", up, &off, t0)
                .expect("off")
                .record_at(false, t0);
        }
        assert!(c.admit("z", up, &off, t0).is_ok());
    }
}
