//! Claim scrub throughput on one core: the example claims (JSON with minutes and every
//! documentation fact, FHIR Bundle, X12 837P with two claims) parsed and checked end to end,
//! plus loading every table (start-up). Throughput is in claims per second.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

use phigate::claims::Checker;

fn example(name: &str) -> Vec<u8> {
    std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("examples/claims")
            .join(name),
    )
    .expect("example")
}

fn throughput(c: &mut Criterion) {
    let checker = Checker::load(None).expect("tables");
    let mut g = c.benchmark_group("claims_check");
    for (name, file, hint, claims) in [
        ("json_clean", "clean.json", "json", 1u64),
        ("json_bad", "bad.json", "json", 1),
        ("fhir_bundle", "clean.fhir.json", "fhir", 1),
        ("x12_837p_two_claims", "clean.837", "x12", 2),
        ("x12_837p_bad", "bad.837", "x12", 2),
    ] {
        let bytes = example(file);
        g.throughput(Throughput::Elements(claims));
        g.bench_with_input(BenchmarkId::from_parameter(name), &bytes, |b, bytes| {
            b.iter(|| {
                let r = checker.check_bytes(hint, bytes, None).expect("checks");
                assert_eq!(r.len() as u64, claims);
                r
            })
        });
    }
    g.finish();
}

fn startup(c: &mut Criterion) {
    let mut g = c.benchmark_group("claims_tables");
    g.sample_size(10);
    g.bench_function("load", |b| b.iter(|| Checker::load(None).expect("tables")));
    g.finish();
}

criterion_group!(benches, throughput, startup);
criterion_main!(benches);
