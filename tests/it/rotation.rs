//! The runbook's "rotate after a master-key exposure" drill through the real binary: a new
//! key file, `vault rotate-key --new-key-file`, and then the old key opens nothing, the new
//! one reveals everything, and the same notes de-identify to the same output (tokens and
//! date shifts carried over); the old audit log is retired and still verifies. Plus a
//! rotation killed part-way (SIGKILL of the real process), which a second run finishes.

use std::path::Path;
use std::process::{Command, Stdio};

use crate::support::{bin, run, text, TestCommand};

fn keygen(dir: &Path, name: &str) -> String {
    let key = dir.join(name);
    TestCommand::new(["keygen", "--out", key.to_str().expect("path")]).expect_success();
    key.to_str().expect("path").to_string()
}

/// Notes of `n` patients, each seen by the same clinician (a shared value).
fn notes(n: usize) -> String {
    const FIRST: [&str; 6] = [
        "Quillon",
        "Berenice",
        "Tobiah",
        "Ysolde",
        "Caspian",
        "Marguerite",
    ];
    const LAST: [&str; 5] = ["Vasquez", "Lindqvist", "Okafor", "Brennan", "Takahashi"];
    (0..n)
        .map(|i| {
            format!(
                "Pt {} {} (MRN: MRX-{:05}), DOB 03/14/1951. Seen by Dr. Marisol Okonkwo at Calvert Hospital.\n",
                FIRST[i % FIRST.len()],
                LAST[(i / FIRST.len()) % LAST.len()],
                70000 + i
            )
        })
        .collect()
}

fn scan(vault: &str, key: &str, input: &str) -> String {
    let out = TestCommand::new([
        "scan",
        "--policy",
        "reversible",
        "--vault",
        vault,
        "--key-file",
        key,
    ])
    .stdin(input)
    .expect_success();
    text(&out.stdout)
}

fn rotate(vault: &str, old: &str, new: &str) -> std::process::Output {
    run(
        &[
            "vault",
            "rotate-key",
            "--vault",
            vault,
            "--key-file",
            old,
            "--new-key-file",
            new,
        ],
        b"",
    )
}

#[test]
fn rotate_after_exposure_drill_retires_the_old_key_and_keeps_every_token() {
    let dir = tempfile::tempdir().expect("tempdir");
    let old = keygen(dir.path(), "old.key");
    let new = keygen(dir.path(), "new.key");
    let vault = dir.path().join("vault");
    let v = vault.to_str().expect("path");
    super::vault::init_vault(&old, v);
    let input = notes(6);
    // One document per patient (a document's patient is its first MRN).
    let scan_each = |key: &str| -> String {
        input
            .split_inclusive('\n')
            .map(|note| scan(v, key, note))
            .collect()
    };
    let before = scan_each(&old);
    assert!(!before.contains("Okonkwo") && !before.contains("MRX-70001"));

    let rotated = rotate(v, &old, &new);
    assert!(rotated.status.success(), "{}", text(&rotated.stderr));
    let report: serde_json::Value =
        serde_json::from_slice(&rotated.stdout).expect("rotation report");
    assert_eq!(report["new_master_key"], true);
    assert_eq!(report["patient_keys_rewrapped"], 6);

    // The old key opens nothing: not the vault, not a reveal.
    let refused = run(&["vault", "verify", "--vault", v, "--key-file", &old], b"");
    assert!(!refused.status.success());
    assert!(
        text(&refused.stderr).contains("does not match"),
        "{}",
        text(&refused.stderr)
    );
    let refused = run(
        &["reveal", "--vault", v, "--key-file", &old],
        before.as_bytes(),
    );
    assert!(!refused.status.success());
    assert!(!text(&refused.stdout).contains("Okonkwo"));

    // The new key reveals everything, and the same notes come out the same.
    let verified =
        TestCommand::new(["vault", "verify", "--vault", v, "--key-file", &new]).expect_success();
    assert!(text(&verified.stdout).contains("\"verified\""));
    let revealed = TestCommand::new(["reveal", "--vault", v, "--key-file", &new])
        .stdin(before.as_bytes())
        .expect_success();
    assert_eq!(text(&revealed.stdout), input);
    assert_eq!(scan_each(&new), before, "tokens and date shifts unchanged");

    // The old log (under the old key) was retired with its witness: it still verifies
    // against the vault's witness with the old key; the new log verifies with the new key.
    let retired = retired_logs(dir.path());
    assert_eq!(retired.len(), 1, "one retired log");
    let r = retired[0].to_str().expect("path");
    verify_log(r, &old, v).expect_success();
    let log = format!("{v}-audit");
    verify_log(&log, &new, v).expect_success();

    // Administration goes on under the new key: forget a patient, and the rest reveal.
    let forgot = TestCommand::new([
        "vault",
        "forget",
        "--vault",
        v,
        "--key-file",
        &new,
        "--patient",
        "MRN:MRX-70002",
    ])
    .expect_success();
    assert!(text(&forgot.stdout).contains("\"shared_kept\""));
    let revealed = TestCommand::new(["reveal", "--vault", v, "--key-file", &new])
        .stdin(before.as_bytes())
        .expect_success();
    let out = text(&revealed.stdout);
    assert!(
        !out.contains("MRX-70002") && !out.contains("Tobiah"),
        "the forgotten patient stays forgotten"
    );
    assert!(out.contains("Ysolde Vasquez") && out.contains("MRX-70003"));
    assert_eq!(
        out.matches("Dr. Marisol Okonkwo").count(),
        6,
        "the shared clinician stays"
    );
}

#[test]
fn a_rotation_killed_part_way_is_finished_by_running_it_again() {
    let dir = tempfile::tempdir().expect("tempdir");
    let old = keygen(dir.path(), "old.key");
    let new = keygen(dir.path(), "new.key");
    let vault = dir.path().join("vault");
    let v = vault.to_str().expect("path");
    super::vault::init_vault(&old, v);
    let input = notes(150);
    let before = scan(v, &old, &input);
    // Killed wherever it happens to be: not started, part-way, or done. Every outcome must
    // leave a vault that the second run finishes and the new key then opens.
    let mut child = Command::new(bin())
        .args([
            "vault",
            "rotate-key",
            "--vault",
            v,
            "--key-file",
            &old,
            "--new-key-file",
            &new,
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    std::thread::sleep(std::time::Duration::from_millis(40));
    child.kill().expect("SIGKILL");
    let _ = child.wait();
    let old_opens = run(&["vault", "verify", "--vault", v, "--key-file", &old], b"");
    let new_opens = run(&["vault", "verify", "--vault", v, "--key-file", &new], b"");
    assert!(
        !(old_opens.status.success() && new_opens.status.success()),
        "never both keys"
    );
    if !old_opens.status.success() && !new_opens.status.success() {
        assert!(
            text(&old_opens.stderr).contains("rotation is under way"),
            "{}",
            text(&old_opens.stderr)
        );
    }
    // Run again, as the runbook says: it finishes the vault (or finds it done) and hands
    // the audit log over to the new key.
    let again = rotate(v, &old, &new);
    assert!(again.status.success(), "{}", text(&again.stderr));
    TestCommand::new(["vault", "verify", "--vault", v, "--key-file", &new]).expect_success();
    assert!(
        !run(&["vault", "verify", "--vault", v, "--key-file", &old], b"")
            .status
            .success()
    );
    let revealed = TestCommand::new(["reveal", "--vault", v, "--key-file", &new])
        .stdin(before.as_bytes())
        .expect_success();
    assert_eq!(text(&revealed.stdout), input);
    assert_eq!(scan(v, &new, &input), before);
}

/// The same promise as the timed kill above, step by step: the binary dies (as abruptly as
/// `kill -9`, at a debug build's crash point) at each step of a rotation in turn, and a
/// second run finishes it; the new key then opens and reveals everything, and every audit
/// log, retired or live, still verifies against the vault's witness.
#[test]
fn a_rotation_killed_at_any_step_is_finished_by_running_it_again() {
    if !cfg!(debug_assertions) {
        // The binary reads its fault-injection variables in debug builds only.
        phigate::note_skipped(
            "a_rotation_killed_at_any_step_is_finished_by_running_it_again",
            "fault injection needs a debug build",
        );
        return;
    }
    use std::os::unix::process::ExitStatusExt as _;
    const STEPS: [&str; 7] = [
        "rotate.marked",
        "rotate.records-rewrapped",
        "rotate.keys-rewrapped",
        "vault.action-done",
        "vault.outcome-recorded",
        "retire.witness-moved",
        "retire.log-moved",
    ];
    let input = notes(8);
    for step in STEPS {
        let dir = tempfile::tempdir().expect("tempdir");
        let old = keygen(dir.path(), "old.key");
        let new = keygen(dir.path(), "new.key");
        let vault = dir.path().join("vault");
        let v = vault.to_str().expect("path");
        super::vault::init_vault(&old, v);
        let before = scan(v, &old, &input);

        let rotate_args = [
            "vault",
            "rotate-key",
            "--vault",
            v,
            "--key-file",
            &old,
            "--new-key-file",
            &new,
        ];
        let killed = TestCommand::new(rotate_args)
            .env("PHIGATE_FAILPOINT", step)
            .output();
        assert_eq!(
            killed.status.signal(),
            Some(6),
            "{step}: the run dies at its crash point: {}",
            text(&killed.stderr)
        );
        let again = rotate(v, &old, &new);
        assert!(again.status.success(), "{step}: {}", text(&again.stderr));

        TestCommand::new(["vault", "verify", "--vault", v, "--key-file", &new]).expect_success();
        let revealed = TestCommand::new(["reveal", "--vault", v, "--key-file", &new])
            .stdin(before.as_bytes())
            .expect_success();
        assert_eq!(text(&revealed.stdout), input, "{step}");
        for retired in retired_logs(dir.path()) {
            let r = retired.to_str().expect("path");
            let verdict = verify_log(r, &old, v).output();
            assert!(
                verdict.status.success(),
                "{step}: retired log {r}: {}",
                text(&verdict.stderr)
            );
        }
        // The live log starts under the new key and is witnessed like any other.
        assert_eq!(scan(v, &new, &input), before, "{step}");
        let log = format!("{v}-audit");
        let verdict = verify_log(&log, &new, v).output();
        assert!(
            verdict.status.success(),
            "{step}: {}",
            text(&verdict.stderr)
        );
    }
}

/// The audit logs a rotation moved aside, beside the vault in `dir`.
fn retired_logs(dir: &Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(dir)
        .expect("dir")
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("vault-audit.retired-"))
        })
        .collect()
}

/// `audit verify` of the log in `dir` with `key`, against the witness in `vault` (a live
/// log's last entries may not be anchored yet).
fn verify_log(dir: &str, key: &str, vault: &str) -> TestCommand {
    TestCommand::new([
        "audit",
        "verify",
        "--dir",
        dir,
        "--key-file",
        key,
        "--vault",
        vault,
        "--allow-unanchored",
    ])
}
