//! Audit log: time to verify a 1M-entry log (target ≤ 5 s), and events written per second.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::cast_possible_truncation
)]
//!
//! `cargo bench --bench audit`; set PHIGATE_AUDIT_BENCH_ENTRIES to change the size.

use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use phigate::audit::{verify, Action, AuditKeys, AuditLog, Event, Settings};
use phigate::keys::MasterKey;

fn event(i: u64) -> Event {
    let mut e = Event::new(
        if i.is_multiple_of(3) {
            Action::Reveal
        } else {
            Action::Tokenize
        },
        "ok",
    );
    e.caller = Some(format!("caller-{}", i % 5));
    e.route = Some("emr-to-automation".into());
    e.request_id = Some(format!("{i:024x}"));
    e.status = Some(200);
    e.phi.insert("NAME".into(), 2);
    e.phi.insert("DATE".into(), 1);
    e.tokens = vec![
        format!("NAME_{:010}", i % 100_000),
        format!("MRN_{:010}", i % 50_000),
    ];
    e.subjects = vec![format!("{:032x}", i % 100_000)];
    e
}

fn bench(c: &mut Criterion) {
    let n: u64 = std::env::var("PHIGATE_AUDIT_BENCH_ENTRIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let master = MasterKey::from_bytes([7; 32]);
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("audit");
    let settings = Settings {
        queue: 1 << 16,
        ..Settings::default()
    };
    let log = AuditLog::open(&dir, &master, settings).expect("open");
    let started = Instant::now();
    for i in 0..n {
        let mut e = event(i);
        loop {
            match log.record(e) {
                Ok(()) => break,
                Err(_) => {
                    // The queue is full: the bench writes faster than one disk thread.
                    std::thread::sleep(Duration::from_micros(200));
                    e = event(i);
                }
            }
        }
    }
    log.close().expect("close");
    let secs = started.elapsed().as_secs_f64();
    let bytes: u64 = phigate::audit::segments(&dir)
        .expect("segments")
        .iter()
        .map(|p| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0))
        .sum();
    println!(
        "audit: wrote {n} entries in {secs:.2} s ({:.0} entries/s, {} bytes/entry)",
        n as f64 / secs,
        bytes / n.max(1)
    );
    let keys = AuditKeys::derive(&master).expect("keys");
    let mut g = c.benchmark_group("audit");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(30));
    g.bench_function(format!("verify_{n}_entries"), |b| {
        b.iter(|| {
            let r = verify::verify(&dir, &verify::Trust::Keys(&keys))
                .expect("io")
                .expect("intact");
            assert_eq!(r.entries, n);
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
