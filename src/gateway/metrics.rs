//! Prometheus metrics for the admin listener.
//!
//! Every label set is known at start-up (route names from the config, a fixed list of
//! outcomes, PHI type names), so the registry is a set of atomic counters and needs no
//! locking on the request path. No label ever holds a value from a request.
//!
//! A configuration reload builds a new [`Metrics`] with [`Metrics::for_routes`]: the
//! counters are shared (`Arc`), so a route that keeps its name keeps its counts, and a
//! request still running on the old configuration counts into the same atomics.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Arc;
use std::time::Duration;

use super::respond::Fault;
use crate::phi::PhiType;

/// Request outcomes, the `outcome` label.
pub const OUTCOMES: &[&str] = &[
    "forwarded",
    "answered",
    "auth",
    "no_route",
    "bad_request",
    "too_large",
    "unsupported_type",
    "deidentify_failed",
    "reidentify_failed",
    "vault",
    "upstream",
    "timeout",
    "overloaded",
    "audit",
    "claim_rejected",
    "claim_unusable",
];

/// Upper bounds of the latency histogram buckets, in seconds.
const BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

struct Histogram {
    buckets: Vec<AtomicU64>,
    count: AtomicU64,
    sum_micros: AtomicU64,
}

impl Histogram {
    fn new() -> Histogram {
        Histogram {
            buckets: BUCKETS.iter().map(|_| AtomicU64::new(0)).collect(),
            count: AtomicU64::new(0),
            sum_micros: AtomicU64::new(0),
        }
    }

    fn observe(&self, d: Duration) {
        let s = d.as_secs_f64();
        if let Some(i) = BUCKETS.iter().position(|b| s <= *b) {
            self.buckets[i].fetch_add(1, Relaxed);
        }
        self.count.fetch_add(1, Relaxed);
        self.sum_micros
            .fetch_add(u64::try_from(d.as_micros()).unwrap_or(u64::MAX), Relaxed);
    }
}

impl Histogram {
    /// One route's series in the Prometheus text format (cumulative buckets).
    fn render(&self, out: &mut String, metric: &str, route: &str) {
        let name = label(route);
        let mut cumulative = 0;
        for (b, c) in BUCKETS.iter().zip(&self.buckets) {
            cumulative += c.load(Relaxed);
            let _ = writeln!(
                out,
                "{metric}_bucket{{route=\"{name}\",le=\"{b}\"}} {cumulative}"
            );
        }
        let count = self.count.load(Relaxed);
        let _ = writeln!(
            out,
            "{metric}_bucket{{route=\"{name}\",le=\"+Inf\"}} {count}"
        );
        let sum = self.sum_micros.load(Relaxed) as f64 / 1e6;
        let _ = writeln!(out, "{metric}_sum{{route=\"{name}\"}} {sum}");
        let _ = writeln!(out, "{metric}_count{{route=\"{name}\"}} {count}");
    }
}

struct RouteMetrics {
    name: String,
    outcomes: Vec<AtomicU64>,
    /// Failed requests by whose fault they were ([`Fault::index`]).
    faults: Vec<AtomicU64>,
    latency: Histogram,
    /// From sending to the upstream to its response head.
    upstream: Histogram,
    /// Waiting for the request's audit entries to be on disk before forwarding (the
    /// group-committed fsync): the durable audit write's share of the latency.
    audit_wait: Histogram,
}

/// All the gateway's metrics. A clone shares the counters.
#[derive(Clone)]
pub struct Metrics {
    routes: Vec<Arc<RouteMetrics>>,
    totals: Arc<Totals>,
}

/// The counters that no route owns.
struct Totals {
    phi_found: Vec<AtomicU64>,
    tokens_issued: AtomicU64,
    revealed: AtomicU64,
    reveal_refused: AtomicU64,
    reveal_unknown: AtomicU64,
    plain_echoes: AtomicU64,
    in_flight: AtomicU64,
}

/// Index of a route in the metrics (the API and unmatched requests have their own).
pub type RouteIdx = usize;

impl RouteMetrics {
    fn new(name: String) -> RouteMetrics {
        RouteMetrics {
            name,
            outcomes: OUTCOMES.iter().map(|_| AtomicU64::new(0)).collect(),
            faults: Fault::ALL.iter().map(|_| AtomicU64::new(0)).collect(),
            latency: Histogram::new(),
            upstream: Histogram::new(),
            audit_wait: Histogram::new(),
        }
    }
}

impl Metrics {
    /// `routes` are the configured route names; `api` and `unmatched` are added.
    pub fn new(routes: &[String]) -> Metrics {
        let totals = Totals {
            phi_found: PhiType::ALL.iter().map(|_| AtomicU64::new(0)).collect(),
            tokens_issued: AtomicU64::new(0),
            revealed: AtomicU64::new(0),
            reveal_refused: AtomicU64::new(0),
            reveal_unknown: AtomicU64::new(0),
            plain_echoes: AtomicU64::new(0),
            in_flight: AtomicU64::new(0),
        };
        Metrics {
            routes: Vec::new(),
            totals: Arc::new(totals),
        }
        .for_routes(routes)
    }

    /// The metrics for a reloaded route list: routes that keep their name (and the API,
    /// unmatched requests and the totals) share this one's counters; new routes start at 0.
    pub fn for_routes(&self, routes: &[String]) -> Metrics {
        let names = routes
            .iter()
            .cloned()
            .chain(["api".to_string(), "unmatched".to_string()]);
        let routes = names
            .map(|name| match self.routes.iter().find(|r| r.name == name) {
                Some(r) => Arc::clone(r),
                None => Arc::new(RouteMetrics::new(name)),
            })
            .collect();
        Metrics {
            routes,
            totals: Arc::clone(&self.totals),
        }
    }

    /// The index of a series by its name (an MLLP channel's `mllp:NAME`).
    pub fn index_of(&self, name: &str) -> Option<RouteIdx> {
        self.routes.iter().position(|r| r.name == name)
    }

    pub fn api_route(&self) -> RouteIdx {
        self.routes.len() - 2
    }

    pub fn unmatched_route(&self) -> RouteIdx {
        self.routes.len() - 1
    }

    pub fn request_done(&self, route: RouteIdx, outcome: &str, elapsed: Duration) {
        let Some(r) = self.routes.get(route) else {
            return;
        };
        let i = OUTCOMES.iter().position(|o| *o == outcome).unwrap_or(0);
        r.outcomes[i].fetch_add(1, Relaxed);
        r.latency.observe(elapsed);
    }

    /// A failed request's fault (its outcome is counted by [`Metrics::request_done`]).
    pub fn request_failed(&self, route: RouteIdx, fault: Fault) {
        if let Some(c) = self
            .routes
            .get(route)
            .and_then(|r| r.faults.get(fault.index()))
        {
            c.fetch_add(1, Relaxed);
        }
    }

    /// Time the route's upstream took to answer (response head).
    pub fn upstream_done(&self, route: RouteIdx, elapsed: Duration) {
        if let Some(r) = self.routes.get(route) {
            r.upstream.observe(elapsed);
        }
    }

    /// Time a request on the route waited for its audit entries to be durable.
    pub fn audit_waited(&self, route: RouteIdx, elapsed: Duration) {
        if let Some(r) = self.routes.get(route) {
            r.audit_wait.observe(elapsed);
        }
    }

    pub fn phi_found(&self, counts: &[usize]) {
        for (c, n) in self.totals.phi_found.iter().zip(counts) {
            if *n > 0 {
                c.fetch_add(*n as u64, Relaxed);
            }
        }
    }

    pub fn tokens_issued(&self, n: usize) {
        self.totals.tokens_issued.fetch_add(n as u64, Relaxed);
    }

    pub fn reveals(&self, revealed: usize, refused: usize, unknown: usize) {
        self.totals.revealed.fetch_add(revealed as u64, Relaxed);
        self.totals
            .reveal_refused
            .fetch_add(refused as u64, Relaxed);
        self.totals
            .reveal_unknown
            .fetch_add(unknown as u64, Relaxed);
    }

    /// Values of reidentify answers the caller had sent in plain (red team 55, J1).
    pub fn plain_echoes(&self, n: u64) {
        self.totals.plain_echoes.fetch_add(n, Relaxed);
    }

    pub fn in_flight(&self, delta: i64) {
        if delta >= 0 {
            self.totals
                .in_flight
                .fetch_add(delta.unsigned_abs(), Relaxed);
        } else {
            self.totals
                .in_flight
                .fetch_sub(delta.unsigned_abs(), Relaxed);
        }
    }

    /// The Prometheus text exposition format.
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(8192);
        out.push_str("# HELP phigate_requests_total Requests by route and outcome.\n# TYPE phigate_requests_total counter\n");
        for r in &self.routes {
            for (o, c) in OUTCOMES.iter().zip(&r.outcomes) {
                let _ = writeln!(
                    out,
                    "phigate_requests_total{{route=\"{}\",outcome=\"{o}\"}} {}",
                    label(&r.name),
                    c.load(Relaxed)
                );
            }
        }
        out.push_str("# HELP phigate_request_errors_total Failed requests by route and whose fault they were (client, upstream, vault, audit, internal).\n# TYPE phigate_request_errors_total counter\n");
        for r in &self.routes {
            for (f, c) in Fault::ALL.iter().zip(&r.faults) {
                let _ = writeln!(
                    out,
                    "phigate_request_errors_total{{route=\"{}\",fault=\"{}\"}} {}",
                    label(&r.name),
                    f.label(),
                    c.load(Relaxed)
                );
            }
        }
        out.push_str("# HELP phigate_request_duration_seconds Time from request head to response head.\n# TYPE phigate_request_duration_seconds histogram\n");
        for r in &self.routes {
            r.latency
                .render(&mut out, "phigate_request_duration_seconds", &r.name);
        }
        out.push_str("# HELP phigate_upstream_duration_seconds Time from forwarding to the upstream's response head.\n# TYPE phigate_upstream_duration_seconds histogram\n");
        for r in &self.routes {
            r.upstream
                .render(&mut out, "phigate_upstream_duration_seconds", &r.name);
        }
        out.push_str("# HELP phigate_audit_wait_seconds Time a request waited for its audit entries to be on disk (fsync, group commit) before it was forwarded.\n# TYPE phigate_audit_wait_seconds histogram\n");
        for r in &self.routes {
            r.audit_wait
                .render(&mut out, "phigate_audit_wait_seconds", &r.name);
        }
        out.push_str("# HELP phigate_phi_found_total PHI spans found, by type.\n# TYPE phigate_phi_found_total counter\n");
        for (t, c) in PhiType::ALL.iter().zip(&self.totals.phi_found) {
            let _ = writeln!(
                out,
                "phigate_phi_found_total{{type=\"{}\"}} {}",
                t.as_str(),
                c.load(Relaxed)
            );
        }
        let singles = [
            (
                "phigate_tokens_issued_total",
                "counter",
                "Tokens handed out (new or existing mappings).",
                &self.totals.tokens_issued,
            ),
            (
                "phigate_tokens_revealed_total",
                "counter",
                "Tokens replaced with their values.",
                &self.totals.revealed,
            ),
            (
                "phigate_reveals_refused_total",
                "counter",
                "Tokens of a type the caller may not have revealed.",
                &self.totals.reveal_refused,
            ),
            (
                "phigate_reveals_unknown_total",
                "counter",
                "Token-shaped strings the vault does not know.",
                &self.totals.reveal_unknown,
            ),
            (
                "phigate_plain_echoes_total",
                "counter",
                "Values of reidentify answers the caller had sent in plain, tokenised under the request's own key.",
                &self.totals.plain_echoes,
            ),
            (
                "phigate_requests_in_flight",
                "gauge",
                "Requests being handled now.",
                &self.totals.in_flight,
            ),
        ];
        for (name, kind, help, v) in singles {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {}",
                v.load(Relaxed)
            );
        }
        out
    }
}

/// Route names come from the operator's config; escape them for a label value.
fn label(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_cumulative_histograms() {
        let m = Metrics::new(&["hooks".to_string()]);
        m.request_done(0, "forwarded", Duration::from_micros(700));
        m.request_done(0, "auth", Duration::from_millis(30));
        let mut counts = vec![0; PhiType::ALL.len()];
        counts[PhiType::Name.index()] = 2;
        m.phi_found(&counts);
        let text = m.render();
        assert!(
            text.contains("phigate_requests_total{route=\"hooks\",outcome=\"forwarded\"} 1"),
            "{text}"
        );
        assert!(text
            .contains("phigate_request_duration_seconds_bucket{route=\"hooks\",le=\"0.001\"} 1"));
        assert!(
            text.contains("phigate_request_duration_seconds_bucket{route=\"hooks\",le=\"0.05\"} 2")
        );
        assert!(text.contains("phigate_request_duration_seconds_count{route=\"hooks\"} 2"));
        assert!(text.contains("phigate_phi_found_total{type=\"NAME\"} 2"));
        assert!(text.contains("phigate_requests_total{route=\"unmatched\",outcome=\"no_route\"} 0"));
    }

    #[test]
    fn failures_are_counted_by_fault() {
        let m = Metrics::new(&["hooks".to_string()]);
        m.request_failed(0, Fault::Vault);
        m.request_failed(0, Fault::Vault);
        m.request_failed(m.unmatched_route(), Fault::Client);
        let text = m.render();
        assert!(
            text.contains("phigate_request_errors_total{route=\"hooks\",fault=\"vault\"} 2"),
            "{text}"
        );
        assert!(text.contains("phigate_request_errors_total{route=\"hooks\",fault=\"client\"} 0"));
        assert!(
            text.contains("phigate_request_errors_total{route=\"unmatched\",fault=\"client\"} 1")
        );
    }
}
