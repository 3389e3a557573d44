//! The stable fuzz driver (nightly cannot be installed here): every target of
//! [`phigate::fuzzing`] on every file of `fuzz/corpus/<target>/`, then on mutations of those
//! files from a seeded RNG (byte flips, insertions of format punctuation, deletions,
//! truncations, splices of two files, repeated chunks), so a run is reproducible.
//!
//! A panic is a finding: the input is written to `<target tmpdir>/fuzz-failures/` and the
//! test fails naming it; keep it as `fuzz/corpus/<target>/regress-*` once fixed. An input
//! that aborts the process (a stack overflow) is left there as `<target>-in-flight`.
//! `PHIGATE_FUZZ_RUNS` sets the mutations per target (default [`DEFAULT_RUNS`]);
//! `PHIGATE_FUZZ_SEED` another seed. The seed corpus is written by [`write_seed_corpus`]
//! (`cargo test --test it fuzz::write_seed_corpus -- --ignored`), all synthetic.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use phigate::fuzzing;

/// Mutations per target (times its weight): with the corpus, about 25 s for all targets in a
/// debug build on 2 busy shared cores. Deeper runs: `PHIGATE_FUZZ_RUNS=20000`, and another `PHIGATE_FUZZ_SEED`.
const DEFAULT_RUNS: usize = 500;
const DEFAULT_SEED: u64 = 0x0F0F_5EED;

fn corpus_dir(target: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target)
}

fn corpus(target: &str) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(corpus_dir(target))
        .map(|rd| rd.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    files
        .into_iter()
        .filter_map(|p| {
            let name = p.file_name()?.to_string_lossy().into_owned();
            Some((name, std::fs::read(&p).ok()?))
        })
        .collect()
}

fn env_number(name: &str) -> Option<u64> {
    std::env::var(name).ok()?.parse().ok()
}

/// Bytes that mean something in one of the formats: inserting them finds the edges.
const PUNCTUATION: &[&[u8]] = &[
    b"\"",
    b"{",
    b"}",
    b"[",
    b"]",
    b":",
    b",",
    b"\\",
    b"\\u",
    b"\\ud800",
    b"%",
    b"%2",
    b"+",
    b"=",
    b"&",
    b"|",
    b"^",
    b"~",
    b"*",
    b"\r",
    b"\n",
    b"\t",
    b"\0",
    b"\xff",
    b"\xc3",
    b"\xef\xbb\xbf",
    b"\xfe\xff",
    b"MSH|^~\\&|",
    b"ISA*",
    b"~SE*",
    b"~IEA*1*",
    b"HL*1**20*1~",
    b"CLM*",
    b"\"\"",
    b"eyJ",
    b"==",
    b"&#",
    b"&amp;",
    b"<",
    b"1e999",
    b"-0",
    b"99999999999999999999",
    b"charset=utf-16",
    b"9999-99-99",
    b"2025-02-29",
];

/// One input made from the corpus: a file with one to four stacked mutations.
fn mutate(rng: &mut StdRng, corpus: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut b = corpus[rng.gen_range(0..corpus.len())].1.clone();
    for _ in 0..rng.gen_range(1..=4) {
        let at = rng.gen_range(0..=b.len());
        match rng.gen_range(0..7) {
            0 if !b.is_empty() => {
                let i = at.min(b.len() - 1);
                b[i] ^= 1 << rng.gen_range(0..8);
            }
            1 => {
                let p = PUNCTUATION[rng.gen_range(0..PUNCTUATION.len())];
                b.splice(at..at, p.iter().copied());
            }
            2 => {
                let end = (at + rng.gen_range(1..16)).min(b.len());
                b.drain(at..end);
            }
            3 => b.truncate(at),
            4 => {
                let other = &corpus[rng.gen_range(0..corpus.len())].1;
                let from = rng.gen_range(0..=other.len());
                b.truncate(at);
                b.extend_from_slice(&other[from..]);
            }
            5 => {
                let end = (at + rng.gen_range(1..64)).min(b.len());
                let chunk = b[at..end].to_vec();
                b.splice(at..at, chunk.iter().copied().chain(chunk.iter().copied()));
            }
            _ => b.insert(at, rng.gen()),
        }
    }
    b
}

/// Runs `target` on its corpus and on `weight` times the mutations per target: fails naming
/// the inputs that panicked.
fn drive(name: &str, target: fuzzing::Target, weight: usize) {
    let corpus = corpus(name);
    assert!(
        !corpus.is_empty(),
        "{name}: no corpus under fuzz/corpus/{name}"
    );
    let runs = weight * env_number("PHIGATE_FUZZ_RUNS").map_or(DEFAULT_RUNS, |n| n as usize);
    let seed = env_number("PHIGATE_FUZZ_SEED").unwrap_or(DEFAULT_SEED);
    let mut rng = StdRng::seed_from_u64(seed ^ name.bytes().map(u64::from).sum::<u64>());
    let inputs = corpus
        .iter()
        .map(|(file, bytes)| (file.clone(), bytes.clone()))
        .chain((0..runs).map(|i| (format!("mutation {i}"), mutate(&mut rng, &corpus))));
    let started = std::time::Instant::now();
    let mut failures = Vec::new();
    // A stack overflow aborts the process before any panic handler runs: the input in
    // flight is kept on disk first, and removed once the target returns.
    let in_flight = keep_failure(name, "in-flight", b"");
    for (label, input) in inputs {
        let _ = std::fs::write(&in_flight, &input);
        if catch_unwind(AssertUnwindSafe(|| target(&input))).is_err() {
            failures.push(keep_failure(name, &label, &input));
        }
    }
    let _ = std::fs::remove_file(&in_flight);
    fuzzing::clean_up(name);
    eprintln!(
        "fuzz {name}: {} corpus files + {runs} mutations in {:.1} s",
        corpus.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(
        failures.is_empty(),
        "{name}: {} inputs panicked (seed {seed:#x}), kept as {failures:?}",
        failures.len()
    );
}

fn keep_failure(target: &str, label: &str, input: &[u8]) -> String {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("fuzz-failures");
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join(format!("{target}-{}", label.replace(' ', "-")));
    let _ = std::fs::write(&path, input);
    path.display().to_string()
}

macro_rules! fuzz_targets {
    ($($name:ident: $weight:literal),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                drive(stringify!($name), fuzzing::$name, $weight);
            }
        )*

        /// Every target of `phigate::fuzzing` has a test here and a cargo-fuzz binary.
        #[test]
        fn every_target_is_driven_and_has_a_fuzz_binary() {
            let driven = [$(stringify!($name)),*];
            let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
            let manifest = std::fs::read_to_string(root.join("Cargo.toml")).expect("fuzz/Cargo.toml");
            for (name, _) in fuzzing::TARGETS {
                assert!(driven.contains(name), "{name} is not driven");
                assert!(
                    root.join("fuzz_targets").join(format!("{name}.rs")).is_file(),
                    "fuzz/fuzz_targets/{name}.rs is missing"
                );
                assert!(manifest.contains(&format!("name = \"{name}\"")), "{name} not in fuzz/Cargo.toml");
            }
            assert_eq!(driven.len(), fuzzing::TARGETS.len());
        }
    };
}

// The weight multiplies the mutations: the claim parsers cost a millisecond an input, the
// de-identifying targets several.
fuzz_targets!(
    json: 1,
    fhir_json: 1,
    form: 1,
    hl7: 1,
    csv: 1,
    xml: 1,
    x12: 3,
    x12_institutional: 3,
    remit: 3,
    mllp: 1,
    claim_json: 3,
    fhir_claim: 3,
    content: 1,
    config: 1,
    audit: 1,
    backup: 1,
);

/// Writes the synthetic seed corpus (`seed-*` files; regressions are kept apart).
#[test]
#[ignore = "writes fuzz/corpus; run by hand when the seeds change"]
fn write_seed_corpus() {
    for (target, name, bytes) in seeds() {
        let dir = corpus_dir(target);
        std::fs::create_dir_all(&dir).expect("corpus dir");
        std::fs::write(dir.join(format!("seed-{name}")), bytes).expect("seed");
    }
}

fn example(path: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).expect(path)
}

fn seeds() -> Vec<(&'static str, String, Vec<u8>)> {
    let mut out: Vec<(&'static str, String, Vec<u8>)> = Vec::new();
    let mut add = |t: &'static str, n: &str, b: Vec<u8>| out.push((t, n.to_string(), b));

    for (i, d) in phigate::synth::json_webhooks(11, 2).into_iter().enumerate() {
        add("json", &format!("webhook-{i}.json"), d.text.into_bytes());
    }
    add("json", "nested.json", br#"{"patient":{"name":"Ansel Whitcombe","phone":"217-555-0173"},"note":"{\"name\":\"Maren Lindqvist\",\"dob\":\"1961-03-12\"}","link":"https://portal.example/visit?name=Maren%20Lindqvist&mrn=MR4400037","n":[1,2.5,null,true,"eyJuYW1lIjoiT2RpbGUgVGhhY2tlcmF5In0="]}"#.to_vec());
    add("json", "array.json", br#"[{"email":"ines.okafor@example.org"},{"ssn":"512-47-0042"},"Seen by Tobias Marchetti on 03/12/2024"]"#.to_vec());
    for (i, d) in phigate::synth::fhir_bundles(11, 2).into_iter().enumerate() {
        add(
            "fhir_json",
            &format!("bundle-{i}.json"),
            d.text.into_bytes(),
        );
    }
    add(
        "fhir_json",
        "example-bundle.json",
        example("examples/fhir-bundle.json"),
    );
    add(
        "form",
        "visit.form",
        b"name=Ansel+Whitcombe&dob=1961-03-12&mrn=MR4400037&note=call%20217-555-0173&cpt=97530"
            .to_vec(),
    );
    add("form", "nested.form", b"payload=%7B%22name%22%3A%22Maren%20Lindqvist%22%7D&b64=eyJwaG9uZSI6IjIxNy01NTUtMDE3MyJ9&empty=&flag".to_vec());
    add("hl7", "adt-a01.hl7", b"MSH|^~\\&|EPICADT|SGH|LABADT|SGH|20240312083000||ADT^A01^ADT_A01|MSG00001|P|2.5.1\rEVN|A01|20240312083000\rPID|1||MR4400037^^^SGH^MR||Whitcombe^Ansel^J^^^^L||19610312|F|||12 Orchard Lane^^Springfield^IL^62704^USA^H||(217)555-0173^PRN^PH^ansel.w@example.org||EN|M|CHR|ACCT4400037^^^SGH^AN|512-47-0042\rNK1|1|Whitcombe^Ines|SPO^Spouse|12 Orchard Lane^^Springfield^IL^62704|(217)555-0174\rPV1|1|I|4W^401^B^SGH||||1234567893^Okafor^Chidi^^^Dr^MD\rOBX|1|NM|29463-7^Body weight^LN||72|kg^kilogram^UCUM|||||F\rNTE|1|P|Patient Ansel Whitcombe reports pain 4/10; call spouse at 217-555-0174.\r".to_vec());
    add("hl7", "oru-r01.hl7", b"MSH|^~\\&|LAB|SGH|EMR|SGH|20240312090000||ORU^R01|MSG00002|P|2.5.1\nPID|1||MR4400074^^^SGH^MR||Lindqvist^Maren||19720815|F\nOBR|1||LAB123|57021-8^CBC^LN\nOBX|1|TX|11529-5^Report^LN||Maren Lindqvist, seen 03/12/2024\\.br\\Follow up with Dr. Okafor.||||||F\n".to_vec());
    add("xml", "ccd.xml", example("tests/data/cda/ccd.xml"));
    add(
        "xml",
        "progress-note.xml",
        example("tests/data/cda/progress-note.xml"),
    );
    add("xml", "generic.xml", b"<?xml version='1.0'?>\n<!-- Maren Lindqvist -->\n<Visit id=\"AB1234567\" a='O&apos;Hara &amp; &#233;'><p>Call 217-555-0188</p><![CDATA[<Ansel Whitcombe>]]><?note Maren?><e/></Visit>\n".to_vec());
    add(
        "xml",
        "doctype.xml",
        b"<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY n \"Maren\">]><x>&n;</x>".to_vec(),
    );
    add("csv", "visits.csv", b"patient_name,mrn,dob,phone,cpt,units,note\r\nAnsel Whitcombe,MR4400037,1961-03-12,217-555-0173,97530,4,\"Seen with Ansel; grip 42 lb\"\r\nMaren Lindqvist,MR4400074,1972-08-15,217-555-0188,97110,2,\"Said \"\"better\"\", HEP given\"\r\n".to_vec());
    add(
        "csv",
        "visits.tsv",
        b"name\tzip\temail\nOdile Thackeray\t62704\todile.t@example.org\nChidi Okafor\t62701\t\n"
            .to_vec(),
    );
    for f in [
        "clean.837",
        "bad.837",
        "malformed/se-count.837",
        "malformed/short-isa.837",
        "malformed/truncated.837",
        "malformed/sv1-units.837",
    ] {
        add(
            "x12",
            &f.replace('/', "-"),
            example(&format!("examples/claims/{f}")),
        );
    }
    for f in ["clean.837", "bad.837"] {
        let i = institutional(&example(&format!("examples/claims/{f}")));
        add(
            "x12_institutional",
            &f.replace(".837", "-837i.x12"),
            i.clone(),
        );
        // 837P lines left in an 837I envelope: each claim says what it expected.
        let mixed = String::from_utf8_lossy(&i).replacen("SV2*0430*", "SV1*", 1);
        add(
            "x12_institutional",
            &f.replace(".837", "-837i-mixed.x12"),
            mixed.into_bytes(),
        );
    }
    for (name, bytes) in remit_seeds() {
        add("remit", &name, bytes);
    }
    for f in [
        "clean.json",
        "bad.json",
        "bad-commercial.json",
        "clean-commercial.json",
        "malformed/truncated.json",
        "malformed/misspelt-key.json",
    ] {
        add(
            "claim_json",
            &f.replace('/', "-"),
            example(&format!("examples/claims/{f}")),
        );
    }
    for f in [
        "clean.fhir.json",
        "bad.fhir.json",
        "malformed/not-a-claim.fhir.json",
    ] {
        add(
            "fhir_claim",
            &f.replace('/', "-"),
            example(&format!("examples/claims/{f}")),
        );
    }
    for f in [
        "deploy/configs/single-clinic.toml",
        "deploy/configs/replicas.toml",
        "deploy/phigate.example.toml",
    ] {
        add("config", f.rsplit('/').next().unwrap_or(f), example(f));
    }
    for (name, bytes) in content_seeds() {
        add("content", &name, bytes);
    }
    add("audit", "log", audit_seed());
    for (name, bytes) in backup_seeds() {
        add("backup", &name, bytes);
    }
    out
}

/// An 837P file as an 837I: the 837I guide, facility type 13 (hospital outpatient) for the
/// place of service, and each `SV1` as an `SV2` with OT revenue code 0430 (segment counts
/// unchanged).
fn institutional(p: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(p)
        .replace("005010X222A1", "005010X223A2")
        .replace("*11:B:", "*13:A:");
    text.split_inclusive('~')
        .map(|seg| {
            let body = seg.trim_start();
            match body.strip_prefix("SV1*") {
                Some(rest) => {
                    let els: Vec<&str> = rest.trim_end_matches('~').split('*').collect();
                    let lead = &seg[..seg.len() - body.len()];
                    format!(
                        "{lead}SV2*0430*{}*{}*UN*{}~",
                        els.first().unwrap_or(&""),
                        els.get(1).unwrap_or(&""),
                        els.get(3).unwrap_or(&"")
                    )
                }
                None => seg.to_string(),
            }
        })
        .collect::<String>()
        .into_bytes()
}

/// Synthetic 835s: claims paid, denied and reversed, CAS triples, service lines, remark
/// codes, two transactions; and one with a claim that does not read.
fn remit_seeds() -> Vec<(String, Vec<u8>)> {
    let isa = "ISA*00*          *00*          *ZZ*TESTPAYER      *ZZ*PHIGATETEST    *250201*1200*^*00501*000000201*0*T*:~";
    let st = |n: &str, claims: &[&str]| {
        let mut segs = vec![
            format!("ST*835*{n}*005010X221A1"),
            "BPR*I*150*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*999988880*DA*98765*20250201"
                .to_string(),
            "TRN*1*12345*1512345678".to_string(),
            "N1*PR*TEST MEDICARE MAC".to_string(),
            "LX*1".to_string(),
        ];
        for c in claims {
            segs.extend(c.split('~').map(String::from));
        }
        segs.push(format!("SE*{}*{n}", segs.len() + 1));
        segs.join("~\n") + "~\n"
    };
    let file = |sts: &[String]| {
        format!(
            "{isa}\nGS*HP*TESTPAYER*PHIGATETEST*20250201*1200*201*X*005010X221A1~\n{}GE*{}*201~\nIEA*1*000000201~\n",
            sts.concat(),
            sts.len()
        )
        .into_bytes()
    };
    let paid = "CLP*ID_0000000001*1*250*150**MB*ICN0001*11*1~CAS*PR*1*50**2*30~NM1*QC*1*TESTPATIENT*ONE~MOA***MA01~SVC*HC:97530:GO*100*60**2~DTM*472*20250114~CAS*CO*45*20**97*10*1~LQ*HE*N115";
    let denied = "CLP*ID_0000000002*4*100*0**MB*ICN0002*11*7~CAS*CO*236*100~LQ*HE*M80";
    let reversal = "CLP*ID_0000000003*22*-100*-100**MB*ICN0003";
    vec![
        (
            "paid-denied.835".into(),
            file(&[st("0001", &[paid, denied])]),
        ),
        (
            "two-transactions.835".into(),
            file(&[
                st("0001", &[paid]),
                st(
                    "0002",
                    &[denied, reversal, "PLB*1512345678*20251231*WO:X*-5"],
                ),
            ]),
        ),
        (
            "malformed-cas-group.835".into(),
            file(&[st("0001", &[&paid.replace("CAS*PR*", "CAS*XX*"), denied])]),
        ),
    ]
}

/// `Content-Type` line, then the body, in several charsets and encodings.
fn content_seeds() -> Vec<(String, Vec<u8>)> {
    let note = "Maren Lindqvist (DOB 08/15/1972) called from 217-555-0188 about café hours.";
    let mut utf16 = b"application/json; charset=utf-16\n".to_vec();
    utf16.extend_from_slice(&[0xFF, 0xFE]);
    for u in format!("{{\"note\":\"{note}\"}}").encode_utf16() {
        utf16.extend_from_slice(&u.to_le_bytes());
    }
    let mut latin1 = b"text/plain; charset=iso-8859-1\n".to_vec();
    latin1.extend(
        note.chars()
            .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?')),
    );
    vec![
        ("utf16.bin".into(), utf16),
        ("latin1.bin".into(), latin1),
        ("base64.txt".into(), b"text/plain\nAttachment: eyJuYW1lIjoiT2RpbGUgVGhhY2tlcmF5IiwicGhvbmUiOiIyMTctNTU1LTAxOTkifQ== end".to_vec()),
        ("escaped.txt".into(), b"text/plain; charset=utf-8\nmail odile%2Et%40example%2Eorg or &#111;dile.t&#64;example.org, SSN 512&#x2d;47&#x2d;0042".to_vec()),
        ("ndjson.txt".into(), b"application/x-ndjson\n{\"name\":\"Chidi Okafor\"}\n{\"phone\":\"217-555-0111\"}\n".to_vec()),
        ("xml.txt".into(), b"text/plain\n<Patient><name>Chidi Okafor</name></Patient>".to_vec()),
        ("fhir.txt".into(), b"application/fhir+json;charset=windows-1252\n{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"Okafor\",\"given\":[\"Chidi\"]}]}".to_vec()),
    ]
}

/// A real log: a few events written by the audit writer, then its checkpoints after `0xFF`.
fn audit_seed() -> Vec<u8> {
    use phigate::audit::{Action, AuditLog, Event, Settings};
    let dir = tempfile::tempdir().expect("tempdir");
    let master = phigate::keys::MasterKey::from_bytes(fuzzing::MASTER_KEY);
    let log = AuditLog::open(dir.path(), &master, Settings::default()).expect("open log");
    for (action, outcome) in [
        (Action::Tokenize, "ok"),
        (Action::Reveal, "ok"),
        (Action::ClaimDecision, "refused"),
    ] {
        let mut e = Event::new(action, outcome);
        e.route = Some("/fhir".into());
        e.phi.insert("NAME".into(), 2);
        log.record(e).expect("record");
    }
    log.close().expect("close");
    let mut out = Vec::new();
    for seg in phigate::audit::segments(dir.path()).expect("segments") {
        out.extend(std::fs::read(seg).expect("segment"));
    }
    out.push(0xFF);
    out.extend(std::fs::read(dir.path().join(phigate::audit::CHECKPOINTS)).unwrap_or_default());
    out
}

/// An exported vault (mode byte 0: the file as is) and frame plaintexts (mode byte 1).
fn backup_seeds() -> Vec<(String, Vec<u8>)> {
    use phigate::phi::PhiType;
    use phigate::transform::token::{TokenRequest, TokenStore};
    let dir = tempfile::tempdir().expect("tempdir");
    let master = phigate::keys::MasterKey::from_bytes(fuzzing::MASTER_KEY);
    let vault = phigate::vault::SledVault::open(dir.path(), &master).expect("vault");
    let values = ["Ansel Whitcombe", "Maren Lindqvist"];
    let reqs: Vec<_> = values
        .iter()
        .map(|v| TokenRequest {
            ty: PhiType::Name,
            value: v,
        })
        .collect();
    vault.tokenize(&reqs, true).expect("tokens");
    let mut file = vec![0u8];
    phigate::vault::backup::export(&vault, &master, &mut file).expect("export");
    let entry = |tree: u8, k: &[u8], v: &[u8]| {
        let mut e = vec![tree];
        e.extend_from_slice(&(k.len() as u32).to_be_bytes());
        e.extend_from_slice(k);
        e.extend_from_slice(&(v.len() as u32).to_be_bytes());
        e.extend_from_slice(v);
        e
    };
    let mut frames = vec![1u8];
    frames.extend(entry(0, b"tok-NAME-abc", b"sealed record"));
    frames.extend(entry(1, b"index key", b"tok-NAME-abc"));
    frames.push(0xFF);
    frames.extend(entry(0, b"tok-DATE-def", b"another record"));
    vec![("export.bin".into(), file), ("frames.bin".into(), frames)]
}
