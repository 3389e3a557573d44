//! Diagnostics: the cost of each text rule alone, of the whole rule scan, and of the
//! detector, on synthetic notes (`phigate synth --kind text`). Measure with
//! `perf stat -e instructions:u` (wall time is meaningless on a shared machine):
//! `MODE=rule:ID|rules|detector|tagger|engine|none target/release/examples/rulecost CORPUS.jsonl`.
//! `ANCHORING=off` searches every rule group over the whole text (the scan before the
//! groups were tried at their rules' possible starts), for before/after figures;
//! `ANCHORING=gated` skips the starts the gates (`detect::gate`) rule out.
//! `MODE=tagger GATE=off` runs the tagger scoring every token; `MODE=gate` counts the
//! tokens its gate skips.
//! `PATTERNS=DIR` reads the rule files from DIR instead of the built-in ones.
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
        Ok("gated") => Anchoring::AtStartsGated,
        _ => Anchoring::AtStarts,
    };
    // `PATTERNS=DIR` reads the rule files from a directory (a rule edit measured without
    // rebuilding the binary the files are built into).
    let patterns = match std::env::var_os("PATTERNS") {
        Some(dir) => Patterns::from_dir(std::path::Path::new(&dir)).unwrap(),
        None => Patterns::builtin(),
    };
    let det = Detector::build_with(&patterns, anchoring).unwrap();
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
    // `GATE=off` scores every token in `MODE=tagger` (the tagger's gate off).
    let gate = match std::env::var("GATE").as_deref() {
        Ok("off") => phigate::detect::tagger::Gate::Off,
        _ => phigate::detect::tagger::Gate::On,
    };
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
    } else if mode == "tagger" {
        let tagger = det.tagger().expect("tagger weights shipped");
        let mut s = phigate::detect::tagger::TagScratch::default();
        for t in &texts {
            tagger.scan_gated(t, det.lexicon(), None, gate, &mut s, |_, _, _| n += 1);
        }
    } else if mode == "gate" {
        // How often the tagger's gate fires: tokens with a letter, and those not scored.
        let tagger = det.tagger().expect("tagger weights shipped");
        let mut s = phigate::detect::tagger::TagScratch::default();
        let (mut alpha, mut skipped) = (0, 0);
        for t in &texts {
            let (a, k) = tagger.gate_counts(t, det.lexicon(), &mut s);
            alpha += a;
            skipped += k;
        }
        eprintln!("alpha tokens {alpha}, skipped {skipped}");
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
    } else if mode == "anchored" {
        // Each rule alone, tried anchored at every position its first byte allows (and at
        // word starts only when its pattern opens with `\b`): which rules are costly to
        // search that way.
        let mut costs = Vec::new();
        for (i, r) in rs.rules().iter().enumerate() {
            let pattern = rs.pattern(i);
            let first = first_bytes(pattern);
            let word_start = pattern.starts_with("\\b") || pattern.starts_with("(?i)\\b");
            let re = rs.single(i);
            let mut cache = re.create_cache();
            let (mut tried, mut found) = (0usize, 0usize);
            let t0 = std::time::Instant::now();
            for t in &texts {
                let hay = t.as_bytes();
                for p in 0..hay.len() {
                    let prev_word =
                        p > 0 && (hay[p - 1].is_ascii_alphanumeric() || hay[p - 1] == b'_');
                    if !first[usize::from(hay[p])] || word_start && prev_word {
                        continue;
                    }
                    tried += 1;
                    let input = Input::new(hay)
                        .range(p..)
                        .anchored(regex_automata::Anchored::Yes);
                    found += usize::from(re.search_with(&mut cache, &input).is_some());
                }
            }
            costs.push((
                t0.elapsed(),
                r.id.clone(),
                tried,
                found,
                first.iter().filter(|&&b| b).count(),
            ));
        }
        costs.sort();
        for (d, id, tried, found, nfirst) in costs.iter().rev() {
            println!(
                "{:>8.1} ms {id:<28} tried {tried:>8} found {found:>6} first {nfirst}",
                d.as_secs_f64() * 1e3
            );
        }
    } else if mode == "usage" {
        // Each lazy automaton's cache (bytes in use, clears) after every STEP documents,
        // through the whole engine: `CT=fhir` reads each line as a FHIR document, else
        // its `text` field is a note.
        let step: usize = std::env::var("STEP")
            .ok()
            .and_then(|r| r.parse().ok())
            .unwrap_or(100);
        let fhir = std::env::var("CT").as_deref() == Ok("fhir");
        let mut engine = phigate::engine::Engine::build(&Patterns::builtin()).expect("engine");
        engine.detector = det;
        let master = phigate::keys::MasterKey::from_bytes([9; 32]);
        let store = phigate::transform::token::MemoryTokenStore::new(&master, "");
        let policy = engine.policy("safe-harbor").expect("policy");
        let t = engine.transformer(policy, &store, &master);
        let mut s = engine.detector.scratch();
        let ct = match fhir {
            true => phigate::engine::ContentType::FhirJson,
            false => phigate::engine::ContentType::Text,
        };
        for (k, doc) in texts.iter().enumerate() {
            let out = engine
                .deidentify(doc.as_bytes(), ct, &t, &mut s)
                .expect("ok");
            n += out.text.len();
            if (k + 1) % step == 0 {
                let u = engine.detector.rules().finder_usage(s.rule_cache());
                let row: Vec<String> = u
                    .iter()
                    .map(|(name, len, mem, clears)| {
                        format!("{name}({len}) {:.2}M/{clears}", *mem as f64 / 1048576.0)
                    })
                    .collect();
                eprintln!("{:>6} {}", k + 1, row.join("  "));
            }
        }
    } else if mode == "list" {
        for r in rs.rules() {
            println!("{} {}", r.id, r.solo);
        }
    }
    eprintln!("{mode}: {n}");
}

/// The bytes a match of `pattern` can begin with (all bytes when that is not finite).
fn first_bytes(pattern: &str) -> [bool; 256] {
    use regex_syntax::hir::literal::{ExtractKind, Extractor};
    let mut set = [true; 256];
    let Ok(hir) = regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .build()
        .parse(pattern)
    else {
        return set;
    };
    let mut ex = Extractor::new();
    ex.kind(ExtractKind::Prefix)
        .limit_literal_len(1)
        .limit_class(256)
        .limit_total(512);
    if let Some(lits) = ex.extract(&hir).literals() {
        if lits.iter().all(|l| !l.as_bytes().is_empty()) {
            set = [false; 256];
            for l in lits {
                set[usize::from(l.as_bytes()[0])] = true;
            }
        }
    }
    set
}
