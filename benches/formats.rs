//! Throughput of HL7 v2, CSV, C-CDA and X12 de-identification on one core (issue 14):
//! ADT^A01 messages, CSV rows, C-CDA CCD documents and 837P claims (one claim per
//! interchange), counted per message, row, document and claim (criterion's "elements").
//! Synthetic patients vary by index; tokens are cached as in a clinic's traffic.
#![allow(clippy::expect_used, clippy::unwrap_used)]

// The allocator the `phigate` binary ships with (src/main.rs), so the figures are the
// binary's: with glibc's malloc, allocation was a sixth of this bench's profile.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

use phigate::engine::{ContentType, Engine};
use phigate::keys::MasterKey;
use phigate::patterns::Patterns;
use phigate::transform::token::MemoryTokenStore;

const FIRST: &[&str] = &[
    "Ansel", "Maren", "Ines", "Tobias", "Rosalind", "Chidi", "Odile",
];
const LAST: &[&str] = &["Whitcombe", "Lindqvist", "Okafor", "Thackeray", "Marchetti"];
const STREETS: &[&str] = &["Orchard Lane", "Quarry Hollow Rd", "Elm St", "Birch Ave"];

/// One ADT^A01 (about 900 bytes): header, event, patient, next of kin, visit, an
/// observation and a note naming the patient.
fn adt(i: usize) -> String {
    let (f, l, s) = (
        FIRST[i % FIRST.len()],
        LAST[i % LAST.len()],
        STREETS[i % STREETS.len()],
    );
    let mrn = 4_400_000 + i * 37;
    format!(
        "MSH|^~\\&|EPICADT|SGH|LABADT|SGH|20240312083000||ADT^A01^ADT_A01|MSG{i:05}|P|2.5.1\r\
         EVN|A01|20240312083000\r\
         PID|1||MR{mrn}^^^SGH^MR||{l}^{f}^J^^^^L||19{:02}0312|F|||{} {s}^^Springfield^IL^62704^USA^H||(217)555-{:04}^PRN^PH^{f}.{l}@example.org||EN|M|CHR|ACCT{mrn}^^^SGH^AN|512-47-{:04}\r\
         NK1|1|{l}^Ines|SPO^Spouse|{} {s}^^Springfield^IL^62704|(217)555-0173\r\
         PV1|1|I|4W^401^B^SGH||||1234567893^Okafor^Chidi^^^Dr^MD|||MED||||7|||1234567893^Okafor^Chidi|IP|V{mrn}^^^SGH^VN\r\
         OBX|1|NM|29463-7^Body weight^LN||72|kg^kilogram^UCUM|||||F\r\
         NTE|1|P|Patient {f} {l} reports pain 4/10; call spouse at 217-555-0173.\r",
        40 + i % 50,
        10 + i % 80,
        i % 10_000,
        1000 + i % 9000,
        10 + i % 80,
    )
}

/// One 837P interchange of one claim (about 1.3 kB): envelope, submitter, billing provider,
/// subscriber with address, birth date and SSN, payer, the claim with its account number,
/// a referring provider and three service lines.
fn claim_837p(i: usize) -> String {
    let (f, l, s) = (
        FIRST[i % FIRST.len()].to_uppercase(),
        LAST[i % LAST.len()].to_uppercase(),
        STREETS[i % STREETS.len()].to_uppercase(),
    );
    let n = 4_400_000 + i * 37;
    let segments = [
        "BHT*0019*00*OTBATCH0001*20250115*1030*CH".to_string(),
        "NM1*41*2*SUNRISE HAND THERAPY*****46*TESTSUB01".into(),
        "PER*IC*BILLING OFFICE*TE*5555550100".into(),
        "NM1*40*2*TEST CLEARINGHOUSE*****46*TESTCH01".into(),
        "HL*1**20*1".into(),
        "NM1*85*2*SUNRISE HAND THERAPY*****XX*1234567893".into(),
        "N3*100 MAIN ST".into(),
        "N4*SPRINGFIELD*IL*627010000".into(),
        "HL*2*1*22*0".into(),
        "SBR*P*18*******CI".into(),
        format!("NM1*IL*1*{l}*{f}****MI*W{n}"),
        format!("N3*{} {s}", 10 + i % 80),
        "N4*SPRINGFIELD*IL*627020000".into(),
        format!("DMG*D8*19{:02}0312*F", 40 + i % 50),
        format!("REF*SY*51247{:04}", i % 10_000),
        "NM1*PR*2*TEST COMMERCIAL PLAN*****PI*99999".into(),
        format!("CLM*ACCT{n}*250***11:B:1*Y*A*Y*Y"),
        "HI*ABK:I69351*ABF:M6281".into(),
        "NM1*DN*1*OKAFOR*CHIDI****XX*1245319599".into(),
        "LX*1".into(),
        "SV1*HC:97530:GO*100*UN*2***1:2".into(),
        "DTP*472*D8*20250114".into(),
        "LX*2".into(),
        "SV1*HC:97535:GO*100*UN*2***1".into(),
        "DTP*472*D8*20250114".into(),
        "LX*3".into(),
        "SV1*HC:97110:GO*50*UN*1***1".into(),
        "DTP*472*D8*20250114".into(),
    ];
    let mut out = String::from("ISA*00*          *00*          *ZZ*PHIGATETEST    *ZZ*TESTCLEARING   *250115*1030*^*00501*000000101*0*T*:~\n");
    out.push_str("GS*HC*PHIGATETEST*TESTCLEARING*20250115*1030*101*X*005010X222A1~\n");
    out.push_str("ST*837*0001*005010X222A1~\n");
    for seg in &segments {
        out.push_str(seg);
        out.push_str("~\n");
    }
    out.push_str(&format!(
        "SE*{}*0001~\nGE*1*101~\nIEA*1*000000101~\n",
        segments.len() + 2
    ));
    out
}

/// A table of `rows` visits with a header the JSON key rules know.
fn table(rows: usize) -> String {
    let mut t = String::from("patient_name,mrn,dob,phone,cpt,units,note\r\n");
    for i in 0..rows {
        let (f, l) = (FIRST[i % FIRST.len()], LAST[i % LAST.len()]);
        t.push_str(&format!(
            "{f} {l},MR{},19{:02}-03-12,217-555-{:04},97530,4,\"Seen with {f}; home program, grip 42 lb\"\r\n",
            4_400_000 + i * 37,
            40 + i % 50,
            i % 10_000
        ));
    }
    t
}

/// The synthetic CCD of `tests/data/cda/` (about 9.5 KB: a full header, three sections with
/// a table, a list and paragraphs), its patient renamed by index.
fn ccd(i: usize) -> String {
    let (f, l) = (FIRST[i % FIRST.len()], LAST[(i + 3) % LAST.len()]);
    include_str!("../tests/data/cda/ccd.xml")
        .replace("Rosalind", f)
        .replace("Thackeray", l)
        .replace("4410827", &format!("{}", 4_400_000 + i * 37))
}

/// CPU time this thread has used, in seconds (`/proc/thread-self/stat`, 100 ticks a
/// second): criterion's wall-clock figures move with whatever else runs on a shared
/// machine; CPU time is the one-core figure.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<u64> = after
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0))
        .collect();
    // Fields 14 and 15 of the file (utime, stime) are 12 and 13 after the command name.
    (f.get(11).copied().unwrap_or(0) + f.get(12).copied().unwrap_or(0)) as f64 / 100.0
}

/// The benchmark ids, in the order they run.
const IDS: &[&str] = &["hl7_adt_a01", "cda_ccd", "x12_837p", "csv_rows"];

/// Whether the CPU-second pass of benchmark `id` runs: criterion's filter (a plain argument
/// naming part of an id, as in `--bench hl7_adt_a01`) selects it too, so a profile of one
/// format is not mixed with the others. No filter: every pass runs. Numbers are option
/// values (`--measurement-time 5`), never a filter.
fn selected(id: &str) -> bool {
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-') && a.parse::<f64>().is_err())
        .filter(|a| IDS.iter().any(|i| i.contains(a.as_str())))
        .collect();
    filters.is_empty() || filters.iter().any(|f| id.contains(f.as_str()))
}

/// Runs `f` (which handles `units` messages or rows) for about three CPU seconds and prints
/// units per CPU second, when benchmark `id` is [`selected`].
fn per_cpu_second(id: &str, name: &str, units: usize, mut f: impl FnMut()) {
    if !selected(id) {
        return;
    }
    let start = cpu_seconds();
    let mut rounds = 0;
    while cpu_seconds() - start < 3.0 {
        f();
        rounds += 1;
    }
    let used = cpu_seconds() - start;
    println!(
        "cpu: {name}: {} units in {used:.2} CPU s = {:.0} per CPU second",
        rounds * units,
        (rounds * units) as f64 / used
    );
}

fn throughput(c: &mut Criterion) {
    let engine = Engine::build(&Patterns::builtin()).expect("patterns");
    let master = MasterKey::from_bytes([9; 32]);
    let store = MemoryTokenStore::new(&master, "");
    let policy = engine.policy("safe-harbor").expect("policy");
    let t = engine.transformer(policy, &store, &master);
    let mut g = c.benchmark_group("formats");

    let messages: Vec<String> = (0..200).map(adt).collect();
    let documents: Vec<String> = (0..20).map(ccd).collect();
    let rows = 200;
    let csv = table(rows);
    let claims: Vec<String> = (0..200).map(claim_837p).collect();
    {
        let mut scratch = engine.detector.scratch();
        per_cpu_second(
            "hl7_adt_a01",
            "hl7_adt_a01 messages",
            messages.len(),
            || {
                for msg in &messages {
                    let out = engine.deidentify(msg.as_bytes(), ContentType::Hl7, &t, &mut scratch);
                    std::hint::black_box(out.expect("ok"));
                }
            },
        );
        per_cpu_second("cda_ccd", "cda_ccd documents", documents.len(), || {
            for doc in &documents {
                let out = engine.deidentify(doc.as_bytes(), ContentType::Xml, &t, &mut scratch);
                std::hint::black_box(out.expect("ok"));
            }
        });
        per_cpu_second("x12_837p", "x12_837p claims", claims.len(), || {
            for claim in &claims {
                let out = engine.deidentify(claim.as_bytes(), ContentType::X12, &t, &mut scratch);
                std::hint::black_box(out.expect("ok"));
            }
        });
        per_cpu_second("csv_rows", "csv rows", rows, || {
            let out = engine.deidentify(csv.as_bytes(), ContentType::Csv, &t, &mut scratch);
            std::hint::black_box(out.expect("ok"));
        });
    }
    g.throughput(Throughput::Elements(messages.len() as u64));
    g.bench_with_input(
        BenchmarkId::from_parameter("hl7_adt_a01"),
        &messages,
        |b, m| {
            let mut scratch = engine.detector.scratch();
            b.iter(|| {
                for msg in m {
                    let out = engine
                        .deidentify(msg.as_bytes(), ContentType::Hl7, &t, &mut scratch)
                        .expect("ok");
                    std::hint::black_box(out);
                }
            })
        },
    );

    g.throughput(Throughput::Elements(documents.len() as u64));
    g.bench_with_input(
        BenchmarkId::from_parameter("cda_ccd"),
        &documents,
        |b, d| {
            let mut scratch = engine.detector.scratch();
            b.iter(|| {
                for doc in d {
                    let out = engine
                        .deidentify(doc.as_bytes(), ContentType::Xml, &t, &mut scratch)
                        .expect("ok");
                    std::hint::black_box(out);
                }
            })
        },
    );
    g.throughput(Throughput::Elements(claims.len() as u64));
    g.bench_with_input(BenchmarkId::from_parameter("x12_837p"), &claims, |b, c| {
        let mut scratch = engine.detector.scratch();
        b.iter(|| {
            for claim in c {
                let out = engine
                    .deidentify(claim.as_bytes(), ContentType::X12, &t, &mut scratch)
                    .expect("ok");
                std::hint::black_box(out);
            }
        })
    });

    g.throughput(Throughput::Elements(rows as u64));
    g.bench_with_input(BenchmarkId::from_parameter("csv_rows"), &csv, |b, csv| {
        let mut scratch = engine.detector.scratch();
        b.iter(|| {
            let out = engine
                .deidentify(csv.as_bytes(), ContentType::Csv, &t, &mut scratch)
                .expect("ok");
            std::hint::black_box(out);
        })
    });
    g.finish();
}

criterion_group!(benches, throughput);
criterion_main!(benches);
