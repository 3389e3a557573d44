//! Diagnostics: the CPU cost of the patient memory on one payload. De-identifies `ITER`
//! copies of a FHIR Observation (a ~2 KB note, its `subject` a reference) through a sled
//! vault in a temporary directory, after one untimed warm-up pass. `MODE=memory` first sends
//! the referenced Patient, so every Observation recalls and searches her memory;
//! `MODE=none` sends a Patient under another id, so the Observation's reference reaches no
//! memory (a read that finds nothing). `NOTE=plain` uses a note of the same length that
//! names no one, so what remains is the memory's own cost (read, look-ups), not the
//! tokens of the extra PHI it finds. Measure with `perf stat -e task-clock` at two
//! `ITER` values and divide the difference: start-up (rule compilation, vault open) cancels
//! out. Synthetic data only.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use phigate::engine::{ContentType, Engine};
use phigate::keys::MasterKey;
use phigate::patterns::Patterns;
use phigate::vault::SledVault;

fn patient(id: &str) -> String {
    serde_json::json!({
        "resourceType": "Patient", "id": id,
        "identifier": [{"value": "MRX-48213"}],
        "name": [{"family": "Delacroix-Ibáñez", "given": ["Inès", "Marguerite"]}],
        "telecom": [{"system": "phone", "value": "(413) 555-0187"}],
        "address": [{"line": ["14 Rue Lafayette"], "city": "Holyoke"}],
        "birthDate": "1979-11-23"
    })
    .to_string()
}

fn observation(plain: bool) -> String {
    let sentence = if plain {
        "Pt seen for R wrist splint check; edema reduced, grip 18 kg R vs 31 kg L. \
         Spoke with pt re: home program, tendon glides x10 q2h, ice after, elevation. \
         Reviewed precautions with daughter, who will call the clinic if numbness \
         returns. Plan: continue 2x/wk for 4 wk, reassess ROM and grip. "
    } else {
        "Pt seen for R wrist splint check; edema reduced, grip 18 kg R vs 31 kg L. \
         Spoke with ines re: home program, tendon glides x10 q2h, ice after. \
         Reviewed precautions with marguerite, who will call 413 555 0187 if \
         numbness returns. Plan: continue 2x/wk for 4 wk, reassess ROM and grip. "
    };
    let note: String = sentence.repeat(5);
    serde_json::json!({
        "resourceType": "Observation", "id": "obs-1", "status": "final",
        "subject": {"reference": "Patient/pt-ines-7"},
        "note": [{"text": note}]
    })
    .to_string()
}

fn main() {
    let iter: usize = std::env::var("ITER")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let mode = std::env::var("MODE").unwrap_or_else(|_| "memory".into());
    let e = Engine::build(&Patterns::builtin()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let master = MasterKey::from_bytes([9; 32]);
    let vault = SledVault::open(dir.path(), &master).unwrap();
    let t = e.transformer(e.policy("safe-harbor").unwrap(), &vault, &master);
    let mut scratch = e.detector.scratch();
    let mut run = |body: &str| {
        e.deidentify(body.as_bytes(), ContentType::FhirJson, &t, &mut scratch)
            .unwrap()
            .text
    };
    let who = if mode == "memory" {
        "pt-ines-7"
    } else {
        "pt-someone-else"
    };
    run(&patient(who));
    let obs = observation(std::env::var("NOTE").as_deref() == Ok("plain"));
    let first = run(&obs);
    eprintln!(
        "mode {mode}: {} bytes per payload, {} memory rows, `ines` left: {}",
        obs.len(),
        vault.memory_len(),
        first.contains("ines")
    );
    let mut n = 0;
    for _ in 0..iter {
        n += run(&obs).len();
    }
    println!("{n}");
}
