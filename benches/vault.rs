//! Token vault: durable new tokens per second (one writer, and 64 concurrent writers whose
//! flushes are grouped by sled; documents without a patient, one patient's documents, and a
//! new patient per call, which adds a keyring append), reveal latency on a filled vault,
//! bytes on disk per token.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::cast_possible_truncation
)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

use phigate::keys::MasterKey;
use phigate::phi::PhiType;
use phigate::transform::token::{TokenRequest, TokenStore};
use phigate::vault::SledVault;

static NEXT: AtomicU64 = AtomicU64::new(0);

fn fresh_values(n: usize) -> Vec<String> {
    (0..n)
        .map(|_| format!("MRN-{:012}", NEXT.fetch_add(1, Ordering::Relaxed)))
        .collect()
}

fn put(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let v = Arc::new(SledVault::open(dir.path(), &MasterKey::from_bytes([3; 32])).unwrap());
    let mut g = c.benchmark_group("vault");
    g.sample_size(20);
    for batch in [1usize, 10, 100] {
        g.throughput(Throughput::Elements(batch as u64));
        g.bench_function(format!("durable_new_tokens_batch_{batch}"), |b| {
            b.iter_custom(|iters| {
                let values: Vec<Vec<String>> = (0..iters).map(|_| fresh_values(batch)).collect();
                let start = Instant::now();
                for vs in &values {
                    let reqs: Vec<TokenRequest<'_>> = vs
                        .iter()
                        .map(|s| TokenRequest {
                            ty: PhiType::Mrn,
                            value: s,
                        })
                        .collect();
                    v.tokenize(&reqs, false).unwrap();
                }
                start.elapsed()
            })
        });
    }
    // One patient's documents: new values sealed under that patient's key (made once).
    g.throughput(Throughput::Elements(100));
    g.bench_function("durable_new_tokens_batch_100_one_patient", |b| {
        b.iter_custom(|iters| {
            let values: Vec<Vec<String>> = (0..iters).map(|_| fresh_values(100)).collect();
            let start = Instant::now();
            for vs in &values {
                let reqs: Vec<TokenRequest<'_>> = vs
                    .iter()
                    .map(|s| TokenRequest {
                        ty: PhiType::Mrn,
                        value: s,
                    })
                    .collect();
                v.tokenize_for(Some("MRN:BENCH-1"), &reqs, false).unwrap();
            }
            start.elapsed()
        })
    });
    // A new patient per call, 10 values each: one keyring append and sync, then the flush.
    g.throughput(Throughput::Elements(10));
    g.bench_function("durable_new_patient_per_call_10_values", |b| {
        b.iter_custom(|iters| {
            let values: Vec<Vec<String>> = (0..iters).map(|_| fresh_values(10)).collect();
            let start = Instant::now();
            for vs in &values {
                let reqs: Vec<TokenRequest<'_>> = vs
                    .iter()
                    .map(|s| TokenRequest {
                        ty: PhiType::Mrn,
                        value: s,
                    })
                    .collect();
                let patient = format!("MRN:{}", vs[0]);
                v.tokenize_for(Some(&patient), &reqs, false).unwrap();
            }
            start.elapsed()
        })
    });
    // 64 writers, one new token per call: each call flushes before it returns, and sled
    // coalesces the flushes of concurrent callers.
    g.throughput(Throughput::Elements(64 * 50));
    g.bench_function("durable_new_tokens_64_writers", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let start = Instant::now();
                std::thread::scope(|s| {
                    for _ in 0..64 {
                        let v = Arc::clone(&v);
                        s.spawn(move || {
                            for value in fresh_values(50) {
                                v.tokenize(
                                    &[TokenRequest {
                                        ty: PhiType::Mrn,
                                        value: &value,
                                    }],
                                    false,
                                )
                                .unwrap();
                            }
                        });
                    }
                });
                total += start.elapsed();
            }
            total
        })
    });
    g.finish();
}

fn reveal(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let v = SledVault::open(dir.path(), &MasterKey::from_bytes([4; 32])).unwrap();
    // PHIGATE_VAULT_BENCH_TOKENS=1000000 (or 10000000) for the larger vaults.
    let n: usize = std::env::var("PHIGATE_VAULT_BENCH_TOKENS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200_000);
    let mut tokens = Vec::with_capacity(n);
    for chunk in fresh_values(n).chunks(1000) {
        let reqs: Vec<TokenRequest<'_>> = chunk
            .iter()
            .map(|s| TokenRequest {
                ty: PhiType::Mrn,
                value: s,
            })
            .collect();
        tokens.extend(v.tokenize(&reqs, false).unwrap());
    }
    v.flush().unwrap();
    eprintln!(
        "vault with {n} tokens: {} bytes on disk, {} bytes per token",
        v.size_on_disk().unwrap(),
        v.size_on_disk().unwrap() / n as u64
    );
    // Latency percentiles over random reveals.
    let mut lat: Vec<Duration> = Vec::with_capacity(20_000);
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..20_000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let t = &tokens[(x % n as u64) as usize];
        let s = Instant::now();
        std::hint::black_box(v.reveal(t).unwrap());
        lat.push(s.elapsed());
    }
    lat.sort();
    eprintln!(
        "reveal latency at {n} tokens: p50 {:?}, p99 {:?}",
        lat[lat.len() / 2],
        lat[lat.len() * 99 / 100]
    );
    c.bench_function(&format!("vault/reveal_{n}"), |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 7919) % n;
            v.reveal(&tokens[i]).unwrap()
        })
    });
}

criterion_group!(benches, put, reveal);
criterion_main!(benches);
