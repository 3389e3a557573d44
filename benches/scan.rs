//! Throughput of de-identification on one core: OT text notes and FHIR bundles from the
//! synthetic generator (tokens cached: the same values recur, as in a clinic's traffic),
//! plus start-up (every rule file compiled).
#![allow(clippy::expect_used, clippy::unwrap_used)]

// The allocator the `phigate` binary ships with (src/main.rs), so the figures are the
// binary's: with glibc's malloc, allocation was a sixth of this bench's profile.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

use phigate::engine::{ContentType, Engine};
use phigate::keys::MasterKey;
use phigate::patterns::Patterns;
use phigate::synth::{self, Format};
use phigate::transform::token::MemoryTokenStore;

fn corpus(kind: Format) -> Vec<String> {
    let docs = match kind {
        Format::Text => synth::text_notes(11, 300),
        Format::FhirJson => synth::fhir_bundles(11, 100),
        Format::Json => synth::json_webhooks(11, 200),
    };
    docs.into_iter().map(|d| d.text).collect()
}

fn throughput(c: &mut Criterion) {
    let engine = Engine::build(&Patterns::builtin()).expect("patterns");
    let master = MasterKey::from_bytes([9; 32]);
    let store = MemoryTokenStore::new(&master, "");
    let policy = engine.policy("safe-harbor").expect("policy");
    let t = engine.transformer(policy, &store, &master);
    let mut g = c.benchmark_group("deidentify");
    for (name, kind, ct) in [
        ("ot_text_notes", Format::Text, ContentType::Text),
        ("fhir_bundles", Format::FhirJson, ContentType::FhirJson),
        ("json_webhooks", Format::Json, ContentType::Json),
    ] {
        let docs = corpus(kind);
        let bytes: usize = docs.iter().map(String::len).sum();
        g.throughput(Throughput::Bytes(bytes as u64));
        // One scratch for the whole benchmark, as a gateway worker keeps one: criterion
        // calls this closure once per sample, and a scratch made inside it would measure
        // cold search caches (several times a warm pass) on every sample.
        let mut scratch = engine.detector.scratch();
        g.bench_with_input(BenchmarkId::from_parameter(name), &docs, |b, docs| {
            b.iter(|| {
                for d in docs {
                    let out = engine
                        .deidentify(d.as_bytes(), ct, &t, &mut scratch)
                        .expect("ok");
                    std::hint::black_box(out);
                }
            })
        });
    }
    g.finish();
}

fn startup(c: &mut Criterion) {
    let mut g = c.benchmark_group("startup");
    g.sample_size(10);
    g.bench_function("compile_all_rules", |b| {
        b.iter(|| Engine::build(&Patterns::builtin()).expect("patterns"))
    });
    g.finish();
}

criterion_group!(benches, throughput, startup);
criterion_main!(benches);
