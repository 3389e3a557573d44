//! Vault growth with a shared value (issue 15, finding 2): batches of new patients, each
//! patient's document holding their own name and MRN and, in the "shared" run, the one
//! clinician every note names. Prints, per batch, the time it took and the bytes on disk
//! per token; then the time to reveal 500 tokens and the shared one. Flat columns mean
//! linear growth. A plain timing program (`harness = false`): each figure is one run on a
//! shared, noisy machine.
//!
//! `cargo bench --bench vault_growth` (`PHIGATE_GROWTH_PATIENTS=4000` patients per batch,
//! `PHIGATE_GROWTH_BATCHES=4` batches).
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::cast_precision_loss)]

use std::time::Instant;

use phigate::keys::MasterKey;
use phigate::phi::PhiType;
use phigate::transform::token::{TokenRequest, TokenStore};
use phigate::vault::SledVault;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn run(shared: bool, patients: usize, batches: usize) {
    let dir = tempfile::tempdir().unwrap();
    let v = SledVault::open(dir.path(), &MasterKey::from_bytes([9; 32])).unwrap();
    let label = if shared { "with" } else { "without" };
    println!("| {label} shared clinician | batch | patients | seconds | tokens | MB on disk | bytes/token |");
    println!("|---|---|---|---|---|---|---|");
    let mut sample = Vec::new();
    let mut clinician = String::new();
    for batch in 0..batches {
        let start = Instant::now();
        for i in 0..patients {
            let n = batch * patients + i;
            let name = format!("Patient Surname{n:06} Given{n:06}");
            let mrn = format!("MRX-{n:07}");
            let mut reqs = vec![
                TokenRequest {
                    ty: PhiType::Name,
                    value: &name,
                },
                TokenRequest {
                    ty: PhiType::Mrn,
                    value: &mrn,
                },
            ];
            if shared {
                reqs.push(TokenRequest {
                    ty: PhiType::ProviderName,
                    value: "Dr Marisol Okonkwo",
                });
            }
            let t = v
                .tokenize_for(Some(&format!("MRN:{mrn}")), &reqs, true)
                .unwrap();
            if n.is_multiple_of((patients * batches / 500).max(1)) {
                sample.push(t[0].clone());
            }
            if shared {
                clinician.clone_from(&t[2]);
            }
        }
        let secs = start.elapsed().as_secs_f64();
        let size = v.size_on_disk().unwrap();
        let tokens = v.len();
        println!(
            "| | {} | {} | {secs:.2} | {tokens} | {:.1} | {:.0} |",
            batch + 1,
            (batch + 1) * patients,
            size as f64 / 1e6,
            size as f64 / tokens as f64
        );
    }
    let start = Instant::now();
    for t in &sample {
        assert!(v.reveal(t).unwrap().is_some());
    }
    let reveal = start.elapsed().as_secs_f64();
    let shared_reveal = if shared {
        let start = Instant::now();
        assert!(v.reveal(&clinician).unwrap().is_some());
        format!(
            ", the shared token in {:.3} ms",
            start.elapsed().as_secs_f64() * 1e3
        )
    } else {
        String::new()
    };
    println!(
        "\nreveal of {} tokens: {:.3} s{shared_reveal}\n",
        sample.len(),
        reveal
    );
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing to run.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let patients = env("PHIGATE_GROWTH_PATIENTS", 4000);
    let batches = env("PHIGATE_GROWTH_BATCHES", 4);
    run(false, patients, batches);
    run(true, patients, batches);
}
