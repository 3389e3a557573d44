//! Diagnostics: the cost of each text rule alone, of the whole rule scan, and of the
//! detector, on synthetic notes (`phigate synth --kind text`). Measure with
//! `perf stat -e instructions:u` (wall time is meaningless on a shared machine):
//! `MODE=rule:ID|rules|detector|engine|none target/release/examples/rulecost CORPUS.jsonl`.
//! `ANCHORING=off` searches every rule group over the whole text (the scan before the
//! groups were tried at their rules' possible starts), for before/after figures.
//! `MODE=compare` runs the detector both ways on the corpus and counts the notes whose
//! spans differ (it must print `differ 0`).
#![allow(clippy::expect_used, clippy::unwrap_used)]
use phigate::detect::rules::Anchoring;
use phigate::detect::Detector;
use phigate::patterns::Patterns;
use regex_automata::Input;

fn main() {
    let anchoring = match std::env::var("ANCHORING").as_deref() {
        Ok("off") => Anchoring::Off,
        _ => Anchoring::AtStarts,
    };
    let det = Detector::build_with(&Patterns::builtin(), anchoring).unwrap();
    let rs = det.rules();
    let path = std::env::args().nth(1).expect("corpus path");
    let data = std::fs::read_to_string(path).unwrap();
    let texts: Vec<String> = data
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["text"].as_str().unwrap().to_string()
        })
        .collect();
    let reps: usize = std::env::var("REPS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(1);
    let texts: Vec<&String> = (0..reps).flat_map(|_| texts.iter()).collect();
    let mode = std::env::var("MODE").unwrap_or_default();
    let mut n = 0usize;
    if let Some(id) = mode.strip_prefix("rule:") {
        let i = rs.rules().iter().position(|r| r.id == id).expect("rule id");
        let re = rs.single(i);
        let mut cache = re.create_cache();
        for t in &texts {
            let hay = t.as_bytes();
            let mut pos = 0;
            while pos < hay.len() {
                match re.search_with(&mut cache, &Input::new(hay).range(pos..)) {
                    Some(m) => {
                        n += 1;
                        pos = m.start() + 1;
                    }
                    None => break,
                }
            }
        }
    } else if mode == "rules" {
        let mut sc = rs.cache();
        for t in &texts {
            rs.scan(t, &mut sc, |_| n += 1);
        }
        eprintln!(
            "cache clears: {}",
            phigate::detect::rules::RuleSet::finder_clears(&sc)
        );
    } else if mode == "detector" {
        let mut s = det.scratch();
        for t in &texts {
            n += det.scan(t, None, &mut s).len();
        }
    } else if mode == "compare" {
        let reference = Detector::build_with(&Patterns::builtin(), Anchoring::Off).unwrap();
        let (mut s, mut r) = (det.scratch(), reference.scratch());
        let mut differ = 0;
        for t in &texts {
            let (new, old) = (det.scan(t, None, &mut s), reference.scan(t, None, &mut r));
            n += new.len();
            differ += usize::from(new != old);
        }
        eprintln!("differ {differ}");
    } else if mode == "engine" {
        let mut engine = phigate::engine::Engine::build(&Patterns::builtin()).expect("engine");
        engine.detector = det;
        let master = phigate::keys::MasterKey::from_bytes([9; 32]);
        let store = phigate::transform::token::MemoryTokenStore::new(&master, "");
        let policy = engine.policy("safe-harbor").expect("policy");
        let t = engine.transformer(policy, &store, &master);
        let mut s = engine.detector.scratch();
        for text in &texts {
            let out = engine
                .deidentify(
                    text.as_bytes(),
                    phigate::engine::ContentType::Text,
                    &t,
                    &mut s,
                )
                .expect("deidentifies");
            n += out.text.len();
        }
    } else if mode == "list" {
        for r in rs.rules() {
            println!("{} {}", r.id, r.solo);
        }
    }
    eprintln!("{mode}: {n}");
}
