//! Claim scrub throughput on one core: the example claims (JSON with minutes and every
//! documentation fact, FHIR Bundle, X12 837P with two claims, the same as 837I) parsed and
//! checked end to end, plus loading every table (start-up); and reading payers' 835
//! remittances into the denial summary. Throughput is in claims per second.
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
        ("x12_837i_two_claims", "clean.837", "837i", 2),
        ("x12_837i_bad", "bad.837", "837i", 2),
    ] {
        let (bytes, hint) = match hint {
            "837i" => (institutional(&example(file)), "x12"),
            h => (example(file), h),
        };
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

/// An 837P file as an 837I: the 837I guide, facility type 13, `SV1` lines as `SV2` with
/// revenue code 0430 (segment counts unchanged).
fn institutional(p: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(p)
        .replace("005010X222A1", "005010X223A2")
        .replace("*11:B:", "*13:A:");
    text.split_inclusive('~')
        .map(|seg| match seg.trim_start().strip_prefix("SV1*") {
            Some(rest) => {
                let els: Vec<&str> = rest.trim_end_matches('~').split('*').collect();
                format!("\nSV2*0430*{}*{}*UN*{}~", els[0], els[1], els[3])
            }
            None => seg.to_string(),
        })
        .collect::<String>()
        .into_bytes()
}

/// An 835 of `n` claims (paid with patient share and a line, or denied under NCCI), read
/// and summarised against a ledger holding every one of them.
fn remit(c: &mut Criterion) {
    use phigate::claims::remit::{self, Forwarded, Ledger};
    let checker = Checker::load(None).expect("tables");
    let codes = &checker.tables().remit;
    let n = 100;
    let mut segs = vec![
        "ST*835*0001*005010X221A1".to_string(),
        "BPR*I*150*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*999988880*DA*98765*20250201"
            .into(),
        "TRN*1*12345*1512345678".into(),
        "N1*PR*TEST MEDICARE MAC".into(),
        "LX*1".into(),
    ];
    let mut ledger = Vec::new();
    for i in 0..n {
        let control = format!("ID_{i:010}");
        if i % 4 == 0 {
            segs.push(format!("CLP*{control}*4*100*0**MB*ICN{i}*11*1"));
            segs.push("CAS*CO*97*100".into());
        } else {
            segs.push(format!("CLP*{control}*1*250*150**MB*ICN{i}*11*1"));
            segs.push("CAS*PR*1*50**2*30".into());
            segs.push("NM1*QC*1*TESTPATIENT*ONE****MI*1EG4TE5MK73".into());
            segs.push("SVC*HC:97530:GO*100*60**2".into());
            segs.push("CAS*CO*45*20".into());
            segs.push("LQ*HE*N115".into());
        }
        ledger.push((
            control,
            Forwarded {
                codes: vec![],
                skipped: vec!["kx".into()],
                submissions: 1,
            },
        ));
    }
    segs.push(format!("SE*{}*0001", segs.len() + 1));
    let file = format!(
        "ISA*00*          *00*          *ZZ*TESTPAYER      *ZZ*PHIGATETEST    *250201*1200*^*00501*000000201*0*T*:~\nGS*HP*TESTPAYER*PHIGATETEST*20250201*1200*201*X*005010X221A1~\n{}~\nGE*1*201~\nIEA*1*000000201~\n",
        segs.join("~\n")
    );
    let ledger = Ledger::from_claims(ledger);
    let mut g = c.benchmark_group("claims_remit");
    g.throughput(Throughput::Elements(n));
    g.bench_function("x835_100_claims", |b| {
        b.iter(|| {
            let (s, errors) = remit::summarize([file.as_bytes()], codes, &ledger);
            assert!(errors.is_empty() && s.matched == n);
            s
        })
    });
    g.finish();
}

fn startup(c: &mut Criterion) {
    let mut g = c.benchmark_group("claims_tables");
    g.sample_size(10);
    g.bench_function("load", |b| b.iter(|| Checker::load(None).expect("tables")));
    g.finish();
}

criterion_group!(benches, throughput, remit, startup);
criterion_main!(benches);
