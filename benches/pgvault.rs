//! PostgreSQL vault vs sled, side by side: durable new tokens per second (one writer and
//! 16 concurrent writers, 10 values per call as a small document has), tokens per second
//! for values already in the vault, and reveal latency.
//!
//!     scripts/pg-test-cluster.sh            # prints PHIGATE_TEST_PG_URL=…
//!     source target/pg-test-cluster.env
//!     cargo bench --bench pgvault
//!
//! Without PHIGATE_TEST_PG_URL only sled is measured. Each run takes a fresh database.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::cast_possible_truncation,
    clippy::cast_precision_loss
)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use phigate::keys::MasterKey;
use phigate::phi::PhiType;
use phigate::transform::token::TokenRequest;
use phigate::vault::{scratch_database, PgOptions, PgVault, SledVault, VaultStore};

const PER_CALL: usize = 10;

/// Tokenises `calls` batches on each of `threads` threads; returns tokens per second.
fn tokens_per_s(v: &Arc<dyn VaultStore>, tag: &str, threads: usize, calls: usize) -> f64 {
    let start = Instant::now();
    std::thread::scope(|s| {
        for t in 0..threads {
            let v = Arc::clone(v);
            s.spawn(move || {
                for c in 0..calls {
                    let values: Vec<String> = (0..PER_CALL)
                        .map(|i| format!("{tag}-{t}-{c}-{i}"))
                        .collect();
                    let reqs: Vec<TokenRequest<'_>> = values
                        .iter()
                        .map(|value| TokenRequest {
                            ty: PhiType::Mrn,
                            value,
                        })
                        .collect();
                    v.tokenize(&reqs, false).expect("tokenize");
                }
            });
        }
    });
    (threads * calls * PER_CALL) as f64 / start.elapsed().as_secs_f64()
}

fn reveal_latency(v: &Arc<dyn VaultStore>, n: usize) -> (Duration, Duration) {
    let values: Vec<String> = (0..n).map(|i| format!("reveal-{i}")).collect();
    let mut tokens = Vec::new();
    for chunk in values.chunks(100) {
        let reqs: Vec<TokenRequest<'_>> = chunk
            .iter()
            .map(|value| TokenRequest {
                ty: PhiType::Name,
                value,
            })
            .collect();
        tokens.extend(v.tokenize(&reqs, false).expect("fill"));
    }
    let mut lat: Vec<Duration> = tokens
        .iter()
        .map(|t| {
            let start = Instant::now();
            v.reveal(t).expect("reveal").expect("known");
            start.elapsed()
        })
        .collect();
    lat.sort();
    (lat[lat.len() / 2], lat[lat.len() * 99 / 100])
}

fn measure(name: &str, v: &Arc<dyn VaultStore>) {
    for (threads, calls) in [(1, 200), (16, 40)] {
        let new = tokens_per_s(v, &format!("{name}-new-{threads}"), threads, calls);
        let known = tokens_per_s(v, &format!("{name}-new-{threads}"), threads, calls);
        println!(
            "{name}: {threads:>2} writer(s), {PER_CALL} values per call: new {new:>8.0} tokens/s, known {known:>8.0} tokens/s"
        );
    }
    let (p50, p99) = reveal_latency(v, 2000);
    println!("{name}: reveal latency p50 {p50:?}, p99 {p99:?}");
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` passes nothing and wants no run.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let key = MasterKey::from_bytes([7; 32]);
    let dir = tempfile::tempdir().expect("tempdir");
    let sled: Arc<dyn VaultStore> = Arc::new(SledVault::open(dir.path(), &key).expect("sled"));
    measure("sled", &sled);
    match std::env::var("PHIGATE_TEST_PG_URL") {
        Ok(url) if !url.is_empty() => {
            let db = scratch_database(&url, "phigate_bench").expect("database");
            let opts = PgOptions {
                pool_size: 16,
                ..PgOptions::new(&db)
            };
            let pg: Arc<dyn VaultStore> = Arc::new(PgVault::open(&opts, &key).expect("pg"));
            measure("postgres", &pg);
        }
        _ => {
            println!("postgres: skipped (set PHIGATE_TEST_PG_URL; see scripts/pg-test-cluster.sh)")
        }
    }
}
