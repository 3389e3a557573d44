//! Crash test: SIGKILL a write-heavy `phigate scan --jsonl --vault` at several moments,
//! reopen the vault, and prove that every token already printed reveals to the value it
//! stands for ("durable before forwarded").
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::cast_possible_truncation
)]

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_phigate");

fn record(i: usize) -> String {
    // Unique synthetic SSNs (area 100-899, group 01-99, serial 0001-9999) so each record
    // mints new tokens.
    let area = 100 + i % 800;
    let group = 1 + (i / 800) % 99;
    let serial = 1 + i % 9999;
    let ssn = format!("{area:03}-{group:02}-{serial:04}");
    serde_json::json!({"id": i, "text": format!("Record {i}: SSN {ssn}, MRN: MX{i:07}."), "content_type": "text/plain"}).to_string()
}

#[test]
fn every_printed_token_survives_sigkill() {
    let dir = tempfile::tempdir().expect("tempdir");
    let key = dir.path().join("k");
    assert!(Command::new(BIN)
        .args(["keygen", "--out", key.to_str().unwrap()])
        .output()
        .unwrap()
        .status
        .success());
    let vault = dir.path().join("vault");
    assert!(Command::new(BIN)
        .args(["vault", "init", "--vault", vault.to_str().unwrap()])
        .args(["--key-file", key.to_str().unwrap()])
        .output()
        .unwrap()
        .status
        .success());
    let mut printed: Vec<(String, String)> = Vec::new(); // (token, MRN value)
    let mut next = 0usize;
    for round in 0..4 {
        let mut child = Command::new(BIN)
            .args([
                "scan",
                "--jsonl",
                "--policy",
                "reversible",
                "--vault",
                vault.to_str().unwrap(),
                "--key-file",
                key.to_str().unwrap(),
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        let mut stdin = child.stdin.take().unwrap();
        let feeder_start = next;
        let feeder = std::thread::spawn(move || {
            // Bounded: at most 20,000 records per round; the pipe breaks when we kill.
            for i in feeder_start..feeder_start + 20_000 {
                if writeln!(stdin, "{}", record(i)).is_err() {
                    break;
                }
            }
        });
        let stdout = child.stdout.take().unwrap();
        let (first_tx, first_rx) = std::sync::mpsc::channel();
        let reader = std::thread::spawn(move || {
            let mut lines = Vec::new();
            for line in BufReader::new(stdout).lines() {
                match line {
                    Ok(l) => {
                        if lines.is_empty() {
                            let _ = first_tx.send(());
                        }
                        lines.push(l)
                    }
                    Err(_) => break,
                }
            }
            lines
        });
        // Kill at a different moment each round, counted from the first output line so a
        // slow start (debug build, busy machine) still leaves writes in flight at the kill.
        let _ = first_rx.recv_timeout(Duration::from_secs(60));
        std::thread::sleep(Duration::from_millis(20 + 60 * round as u64));
        child.kill().expect("SIGKILL");
        let _ = child.wait();
        let lines = reader.join().unwrap();
        let _ = feeder.join();
        for l in &lines {
            let Ok(v) = serde_json::from_str::<serde_json::Value>(l) else {
                continue;
            }; // a torn last line
            let id = v["id"].as_u64().unwrap() as usize;
            let text = v["text"].as_str().unwrap();
            let mrn_token = text
                .split("MRN: ")
                .nth(1)
                .unwrap()
                .trim_end_matches('.')
                .to_string();
            printed.push((mrn_token, format!("MX{id:07}")));
        }
        next += 20_000;
    }
    eprintln!("{} tokens printed before the kills", printed.len());
    assert!(
        printed.len() > 50,
        "the runs printed too little to test ({})",
        printed.len()
    );
    // Reopen (this also recovers the vault after the kills) and reveal everything printed.
    let input: String = printed.iter().map(|(t, _)| format!("{t}\n")).collect();
    let mut child = Command::new(BIN)
        .args([
            "reveal",
            "--vault",
            vault.to_str().unwrap(),
            "--key-file",
            key.to_str().unwrap(),
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let revealed: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(revealed.len(), printed.len());
    for ((token, value), got) in printed.iter().zip(&revealed) {
        assert_eq!(
            got, value,
            "token {token} did not reveal to its value after SIGKILL"
        );
    }
}
