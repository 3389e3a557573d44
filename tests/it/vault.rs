//! The vault through the real binary: reversible round trip, allow-lists, wrong keys, a
//! second process on the same vault, and no plaintext on disk.

use std::process::Command;

use crate::support::{bin, run, walk};

fn keygen(dir: &std::path::Path, name: &str) -> String {
    let key = dir.join(name);
    let out = Command::new(bin())
        .args(["keygen", "--out", key.to_str().expect("path")])
        .output()
        .expect("keygen");
    assert!(out.status.success());
    key.to_str().expect("path").to_string()
}

const NOTE: &str = "Pt Suzette Przybylo (MRN: MRX-55120), DOB 02/29/1948, phone (555) 013-9911.\nSeen by Dr. Healey at Calvert Hospital; son Hank called. ZIP 49001, age 93 yo.\n";

#[test]
fn reversible_scan_then_reveal_restores_the_input_byte_for_byte() {
    let dir = tempfile::tempdir().expect("tempdir");
    let key = keygen(dir.path(), "k");
    let vault = dir.path().join("vault");
    let v = vault.to_str().expect("path");
    let scanned = run(
        &[
            "scan",
            "--policy",
            "reversible",
            "--vault",
            v,
            "--key-file",
            &key,
        ],
        NOTE.as_bytes(),
    );
    assert!(
        scanned.status.success(),
        "{}",
        String::from_utf8_lossy(&scanned.stderr)
    );
    let tokens = String::from_utf8(scanned.stdout).expect("utf8");
    for phi in [
        "Przybylo",
        "MRX-55120",
        "02/29/1948",
        "013-9911",
        "Healey",
        "Calvert",
        "Hank",
        "49001",
    ] {
        assert!(!tokens.contains(phi), "{phi} in {tokens}");
    }
    let revealed = run(
        &["reveal", "--vault", v, "--key-file", &key],
        tokens.as_bytes(),
    );
    assert!(
        revealed.status.success(),
        "{}",
        String::from_utf8_lossy(&revealed.stderr)
    );
    assert_eq!(String::from_utf8(revealed.stdout).expect("utf8"), NOTE);

    // Only names: everything else stays a token and is counted as refused.
    let names = run(
        &[
            "reveal",
            "--vault",
            v,
            "--key-file",
            &key,
            "--allow",
            "NAME",
        ],
        tokens.as_bytes(),
    );
    let text = String::from_utf8(names.stdout).expect("utf8");
    assert!(
        text.contains("Przybylo") && !text.contains("MRX-55120"),
        "{text}"
    );
    let stats: serde_json::Value =
        serde_json::from_str(String::from_utf8_lossy(&names.stderr).trim()).expect("stats");
    assert!(stats["refused"].as_u64().expect("refused") > 0);

    // Forged tokens are left alone and counted, never echoed in an error.
    let forged = run(
        &["reveal", "--vault", v, "--key-file", &key],
        b"see NAME_0000000000 and MRN_ZZZZZZZZZZ",
    );
    assert_eq!(
        String::from_utf8_lossy(&forged.stdout),
        "see NAME_0000000000 and MRN_ZZZZZZZZZZ"
    );
    assert!(String::from_utf8_lossy(&forged.stderr).contains("\"unknown\":2"));

    // No value reaches the vault's files in plaintext.
    for entry in walk(&vault) {
        let bytes = std::fs::read(&entry).expect("read");
        for phi in ["Przybylo", "MRX-55120", "013-9911", "Healey"] {
            assert!(
                !bytes.windows(phi.len()).any(|w| w == phi.as_bytes()),
                "{phi} in {}",
                entry.display()
            );
        }
    }
    let verify = run(&["vault", "verify", "--vault", v, "--key-file", &key], b"");
    assert!(String::from_utf8_lossy(&verify.stdout).contains("\"verified\""));

    // Restore drill: rotate, export, a new directory, import, reveal.
    let rotated = run(
        &["vault", "rotate-key", "--vault", v, "--key-file", &key],
        b"",
    );
    assert!(
        String::from_utf8_lossy(&rotated.stdout).contains("\"key_id\":2"),
        "{}",
        String::from_utf8_lossy(&rotated.stderr)
    );
    let backup = dir.path().join("vault.backup");
    let b = backup.to_str().expect("path");
    let exported = run(
        &[
            "vault",
            "export",
            "--vault",
            v,
            "--key-file",
            &key,
            "--out",
            b,
        ],
        b"",
    );
    assert!(
        exported.status.success(),
        "{}",
        String::from_utf8_lossy(&exported.stderr)
    );
    let again = run(
        &[
            "vault",
            "export",
            "--vault",
            v,
            "--key-file",
            &key,
            "--out",
            b,
        ],
        b"",
    );
    assert!(
        !again.status.success(),
        "an existing backup is never overwritten"
    );
    let restored = dir.path().join("restored");
    let r = restored.to_str().expect("path");
    let imported = run(
        &[
            "vault",
            "import",
            "--vault",
            r,
            "--key-file",
            &key,
            "--from",
            b,
        ],
        b"",
    );
    assert!(
        imported.status.success(),
        "{}",
        String::from_utf8_lossy(&imported.stderr)
    );
    let revealed = run(
        &["reveal", "--vault", r, "--key-file", &key],
        tokens.as_bytes(),
    );
    assert_eq!(String::from_utf8(revealed.stdout).expect("utf8"), NOTE);
}

#[test]
fn a_wrong_key_is_refused_and_tokens_are_stable_across_runs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let key = keygen(dir.path(), "k1");
    let other = keygen(dir.path(), "k2");
    let v = dir.path().join("vault");
    let v = v.to_str().expect("path");
    let a = run(&["scan", "--vault", v, "--key-file", &key], NOTE.as_bytes());
    let b = run(&["scan", "--vault", v, "--key-file", &key], NOTE.as_bytes());
    assert!(a.status.success());
    assert_eq!(
        a.stdout, b.stdout,
        "the same key and vault give the same tokens"
    );
    let wrong = run(
        &["scan", "--vault", v, "--key-file", &other],
        NOTE.as_bytes(),
    );
    assert_eq!(wrong.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&wrong.stderr).contains("master key does not match"),
        "{}",
        String::from_utf8_lossy(&wrong.stderr)
    );
    assert!(wrong.stdout.is_empty());
}

#[test]
fn a_second_process_gets_a_clear_error_not_corruption() {
    let dir = tempfile::tempdir().expect("tempdir");
    let key = keygen(dir.path(), "k");
    let v = dir.path().join("vault");
    let master = phigate::cli::read_master_key(std::path::Path::new(&key)).expect("key");
    let held = phigate::vault::SledVault::open(&v, &master).expect("open");
    let out = run(
        &[
            "vault",
            "stats",
            "--vault",
            v.to_str().expect("path"),
            "--key-file",
            &key,
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("cannot open"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    drop(held);
}
