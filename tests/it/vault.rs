//! The vault through the real binary: reversible round trip, allow-lists, wrong keys, a
//! second process on the same vault, no plaintext on disk, forgetting one patient
//! (crypto-shredding) with export and import after it, and a real write failure (a file-size
//! limit) part-way through a `--jsonl` stream.

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

/// `phigate vault init`: the only command that creates a vault.
pub fn init_vault(key: &str, dir: &str) {
    let out = run(&["vault", "init", "--vault", dir, "--key-file", key], b"");
    assert!(
        out.status.success(),
        "vault init: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

const NOTE: &str = "Pt Suzette Przybylo (MRN: MRX-55120), DOB 02/29/1948, phone (555) 013-9911.\nSeen by Dr. Healey at Calvert Hospital; son Hank called. ZIP 49001, age 93 yo.\n";

#[test]
fn reversible_scan_then_reveal_restores_the_input_byte_for_byte() {
    let dir = tempfile::tempdir().expect("tempdir");
    let key = keygen(dir.path(), "k");
    let vault = dir.path().join("vault");
    let v = vault.to_str().expect("path");
    init_vault(&key, v);
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
    init_vault(&key, r);
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
    init_vault(&key, v);
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
    let master = phigate::keys::read_master_key(std::path::Path::new(&key)).expect("key");
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

const NOTE_A: &str = "Pt Suzette Przybylo (MRN: MRX-55120), DOB 02/29/1948, phone (555) 013-9911.\nSeen by Dr. Healey at Calvert Hospital; son Hank called. ZIP 49001, age 93 yo.\n";
const NOTE_B: &str = "Pt Oswin Trask (MRN: MRX-77031), DOB 11/03/1951, phone (555) 014-2288.\nSeen by Dr. Healey at Calvert Hospital; daughter Wilma called.\n";
/// Patient A's values: none may be anywhere in the vault's files after the forget.
const A_CANARIES: [&str; 7] = [
    "Suzette",
    "Przybylo",
    "MRX-55120",
    "MRX55120",
    "02/29/1948",
    "013-9911",
    "Hank",
];

fn tokens_in(text: &str) -> std::collections::BTreeSet<String> {
    let re = regex::Regex::new(r"\b[A-Z]+(?:_[A-Z]+)?_[0-9A-HJKMNP-TV-Z]{10}\b").expect("re");
    re.find_iter(text).map(|m| m.as_str().to_string()).collect()
}

fn ok(out: &std::process::Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).expect("utf8")
}

fn json(s: &str) -> serde_json::Value {
    serde_json::from_str(s.trim()).expect("json")
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn forget_shreds_one_patient_and_keeps_every_other_patients_tokens() {
    let dir = tempfile::tempdir().expect("tempdir");
    let key = keygen(dir.path(), "k");
    let vault = dir.path().join("vault");
    let v = vault.to_str().expect("path");
    init_vault(&key, v);
    let scan = |note: &str| {
        ok(&run(
            &[
                "scan",
                "--policy",
                "reversible",
                "--vault",
                v,
                "--key-file",
                &key,
            ],
            note.as_bytes(),
        ))
    };
    let reveal = |vault: &str, text: &str| {
        let out = run(
            &["reveal", "--vault", vault, "--key-file", &key],
            text.as_bytes(),
        );
        (ok(&out), json(&String::from_utf8_lossy(&out.stderr)))
    };
    let a_out = scan(NOTE_A);
    let b_out = scan(NOTE_B);
    let (ta, tb) = (tokens_in(&a_out), tokens_in(&b_out));
    let shared: Vec<&String> = ta.intersection(&tb).collect();
    let a_only: Vec<&String> = ta.difference(&tb).collect();
    assert_eq!(shared.len(), 2, "Dr. Healey and Calvert: {a_out}{b_out}");
    assert_eq!(a_only.len(), 7);
    let stats = json(&ok(&run(
        &["vault", "stats", "--vault", v, "--key-file", &key],
        b"",
    )));
    assert_eq!(stats["patients"], 2);

    // The subject id (a keyed hash of the patient key) and A's wrapped key as stored.
    let master = phigate::keys::read_master_key(std::path::Path::new(&key)).expect("key");
    let sid = {
        let held = phigate::vault::SledVault::open(&vault, &master).expect("open");
        held.subject_id("MRN:MRX-55120").expect("sid")
    };
    let ring_path = vault.join(phigate::vault::KEYRING_FILE);
    let ring = std::fs::read(&ring_path).expect("keyring");
    let at = ring
        .windows(sid.len())
        .position(|w| w == sid)
        .expect("A is in the keyring");
    let wrapped = ring[at + sid.len()..at + sid.len() + 72].to_vec();

    // A shared token belongs to two patients: refused, nothing forgotten.
    let refused = run(
        &[
            "vault",
            "forget",
            "--vault",
            v,
            "--key-file",
            &key,
            "--token",
            shared[0],
        ],
        b"",
    );
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("2 patients"));

    let forgot = json(&ok(&run(
        &[
            "vault",
            "forget",
            "--vault",
            v,
            "--key-file",
            &key,
            "--patient",
            "MRN:MRX-55120",
        ],
        b"",
    )));
    assert_eq!(forgot["forgotten"], 7, "{forgot}");
    assert_eq!(forgot["shared_kept"], 2);
    // Forgetting again: the patient is unknown now.
    let again = run(
        &[
            "vault",
            "forget",
            "--vault",
            v,
            "--key-file",
            &key,
            "--patient",
            "mrn:mrx55120",
        ],
        b"",
    );
    assert_eq!(again.status.code(), Some(2));

    // A's own tokens stay tokens; what B's documents also hold still reveals.
    let (a_back, a_stats) = reveal(v, &a_out);
    assert_eq!(a_stats["unknown"], 7, "{a_stats}");
    assert!(!a_back.contains("Przybylo") && a_back.contains("Dr. Healey at Calvert"));
    for t in &a_only {
        assert!(a_back.contains(t.as_str()));
    }
    assert_eq!(reveal(v, &b_out).0, NOTE_B);
    let verify = json(&ok(&run(
        &["vault", "verify", "--vault", v, "--key-file", &key],
        b"",
    )));
    assert_eq!(
        (verify["verified"].as_u64(), verify["forgotten"].as_u64()),
        (Some(7), Some(7))
    );
    let stats = json(&ok(&run(
        &["vault", "stats", "--vault", v, "--key-file", &key],
        b"",
    )));
    assert_eq!(
        (stats["patients"].as_u64(), stats["forgotten"].as_u64()),
        (Some(1), Some(7))
    );

    // On disk: no value of A anywhere, and neither A's subject id nor A's wrapped key.
    let ring = std::fs::read(&ring_path).expect("keyring");
    assert!(!contains(&ring, &sid), "the keyring no longer holds A");
    for entry in walk(&vault) {
        let bytes = std::fs::read(&entry).expect("read");
        assert!(
            !contains(&bytes, &wrapped),
            "A's key in {}",
            entry.display()
        );
        for c in A_CANARIES {
            assert!(
                !contains(&bytes, c.as_bytes()),
                "{c} in {}",
                entry.display()
            );
        }
    }

    // Export → import of the vault with a forgotten patient.
    let backup = dir.path().join("after-forget.backup");
    let b = backup.to_str().expect("path");
    ok(&run(
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
    ));
    let restored = dir.path().join("restored");
    let r = restored.to_str().expect("path");
    init_vault(&key, r);
    ok(&run(
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
    ));
    assert_eq!(reveal(r, &b_out).0, NOTE_B);
    assert_eq!(reveal(r, &a_out).1["unknown"], 7);
    let verify = json(&ok(&run(
        &["vault", "verify", "--vault", r, "--key-file", &key],
        b"",
    )));
    assert_eq!(verify["forgotten"], 7);
    // In the restored vault, B is forgotten by one of B's own tokens (the MRN's):
    // the shared values go with B, their last holder.
    let b_mrn = tb
        .iter()
        .find(|t| t.starts_with("MRN_"))
        .expect("B's MRN token");
    let forgot = json(&ok(&run(
        &[
            "vault",
            "forget",
            "--vault",
            r,
            "--key-file",
            &key,
            "--token",
            b_mrn,
        ],
        b"",
    )));
    assert_eq!(
        (forgot["forgotten"].as_u64(), forgot["shared_kept"].as_u64()),
        (Some(7), Some(0))
    );
    assert_eq!(reveal(r, &b_out).1["unknown"], 7);

    // A comes back to the first vault: the same tokens, under a new key, revealing again.
    assert_eq!(scan(NOTE_A), a_out);
    assert_eq!(reveal(v, &a_out).0, NOTE_A);
}

/// A real write failure: the child's file-size limit (`ulimit -f`, with SIGXFSZ ignored so
/// writes fail with EFBIG instead of killing it) stops the vault growing part-way through a
/// `--jsonl` stream of new patients. Every line that was printed must reveal afterwards;
/// lines whose tokens could not be made durable are error lines.
#[cfg(unix)]
#[test]
fn jsonl_prints_no_line_whose_tokens_are_not_durable_when_the_disk_fails() {
    let dir = tempfile::tempdir().expect("tempdir");
    let key = keygen(dir.path(), "k");
    let vault = dir.path().join("vault");
    let v = vault.to_str().expect("path");
    init_vault(&key, v);
    let input: String = (0..3000)
        .map(|i| {
            let text = format!(
                "Record {i}: SSN {:03}-{:02}-{:04}, MRN: MX{i:07}.",
                100 + i % 800,
                1 + (i / 800) % 99,
                1 + i % 9999
            );
            format!(
                "{}\n",
                serde_json::json!({"id": i, "text": text, "content_type": "text/plain"})
            )
        })
        .collect();
    let texts: Vec<String> = input
        .lines()
        .map(|l| json(l)["text"].as_str().expect("text").to_string())
        .collect();
    // 2048 blocks of 512 bytes: the vault's log reaches the limit part-way.
    let script = format!(
        "ulimit -f 2048 && trap '' XFSZ && exec \"$0\" scan --jsonl --threads 2 --policy reversible --vault '{v}' --key-file '{key}'"
    );
    let mut child = Command::new("sh")
        .args(["-c", &script, bin()])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut stdin = child.stdin.take().expect("stdin");
    let feeder = std::thread::spawn(move || {
        use std::io::Write;
        let _ = stdin.write_all(input.as_bytes());
    });
    let out = child.wait_with_output().expect("wait");
    feeder.join().expect("feeder");
    let stdout = String::from_utf8(out.stdout).expect("utf8");
    let (mut printed, mut failed) = (Vec::new(), 0);
    for line in stdout.lines() {
        let rec = json(line);
        match rec.get("error") {
            Some(e) => {
                failed += 1;
                assert!(
                    e["reason"].as_str().expect("reason").contains("vault"),
                    "{line}"
                );
            }
            None => printed.push(line.to_string()),
        }
    }
    assert!(failed > 0, "the file-size limit was never reached");
    // A run where lines failed does not exit 0, and says how many failed.
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("{failed} of 3000 lines failed")),
        "{stderr}"
    );
    assert!(
        printed.len() > 100,
        "only {} lines before the fault",
        printed.len()
    );
    assert_eq!(printed.len() + failed, 3000);

    // The fault cleared (a new process without the limit): the vault verifies and every
    // printed line reveals to its input exactly.
    let verify = run(&["vault", "verify", "--vault", v, "--key-file", &key], b"");
    ok(&verify);
    let revealed = ok(&run(
        &["reveal", "--jsonl", "--vault", v, "--key-file", &key],
        (printed.join("\n") + "\n").as_bytes(),
    ));
    let mut n = 0;
    for line in revealed.lines() {
        let rec = json(line);
        let id = rec["id"].as_u64().expect("id") as usize;
        assert_eq!(rec["text"].as_str(), Some(texts[id].as_str()), "line {id}");
        n += 1;
    }
    assert_eq!(n, printed.len());
    // And the vault takes new writes again.
    ok(&run(
        &[
            "scan",
            "--policy",
            "reversible",
            "--vault",
            v,
            "--key-file",
            &key,
        ],
        NOTE_B.as_bytes(),
    ));
}

/// Every file below `dir` with its contents, for "nothing was written" checks.
fn snapshot(dir: &std::path::Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut files: Vec<_> = walk(dir)
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).expect("read");
            (p, bytes)
        })
        .collect();
    files.sort();
    files
}

fn entries(dir: &std::path::Path) -> std::collections::BTreeSet<String> {
    std::fs::read_dir(dir)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn only_vault_init_creates_a_vault_and_nothing_is_written_where_there_is_none() {
    let dir = tempfile::tempdir().expect("tempdir");
    let key = keygen(dir.path(), "k");
    let missing = dir.path().join("missing");
    // A directory that is not a vault (a system configuration directory, say).
    let etc = dir.path().join("etc");
    std::fs::create_dir(&etc).expect("mkdir");
    std::fs::write(etc.join("app.conf"), "listen = 80\n").expect("write");
    let etc_before = snapshot(&etc);
    let url = "postgres://phigate:s3cret-pw@127.0.0.1:1/phigate?sslmode=disable";
    let backup = dir.path().join("out.backup");
    let before = entries(dir.path());
    let run_in = |args: &[&str]| {
        let mut child = Command::new(bin())
            .args(args)
            .current_dir(dir.path())
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn");
        let mut stdin = child.stdin.take().expect("stdin");
        let _ = std::io::Write::write_all(&mut stdin, NOTE.as_bytes());
        drop(stdin);
        child.wait_with_output().expect("wait")
    };
    let commands: Vec<Vec<&str>> = vec![
        vec!["reveal"],
        vec!["scan", "--policy", "reversible"],
        vec!["vault", "stats"],
        vec!["vault", "verify"],
        vec!["vault", "rotate-key"],
        vec!["vault", "export", "--out", backup.to_str().expect("path")],
        vec!["vault", "import", "--from", backup.to_str().expect("path")],
        vec!["vault", "forget", "--patient", "MRN:MRX-55120"],
    ];
    for command in &commands {
        let targets = [
            (missing.to_str().expect("path"), "no vault there"),
            (etc.to_str().expect("path"), "not a phigate vault"),
            (url, "PostgreSQL URL"),
        ];
        for (target, expected) in targets {
            // `vault forget` and `vault rotate-key` do take a PostgreSQL vault (tested
            // with the database).
            if matches!(command.get(1), Some(&"forget" | &"rotate-key")) && target == url {
                continue;
            }
            // So do reveal, stats and verify: a URL is a database to reach, never a
            // directory (there is none here: refused without the password in the message).
            let takes_pg = matches!(command.last(), Some(&"reveal" | &"stats" | &"verify"));
            let expected = if takes_pg && target == url {
                "cannot open"
            } else {
                expected
            };
            let mut args = command.clone();
            args.extend(["--vault", target, "--key-file", &key]);
            let out = run_in(&args);
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
            assert!(err.contains(expected), "{args:?}: {err}");
            assert!(
                !err.contains("s3cret"),
                "the URL's password was printed: {err}"
            );
            assert!(out.stdout.is_empty(), "{args:?}");
            assert!(!missing.exists(), "{args:?} created {}", missing.display());
            assert_eq!(
                snapshot(&etc),
                etc_before,
                "{args:?} wrote into {}",
                etc.display()
            );
            assert_eq!(
                entries(dir.path()),
                before,
                "{args:?} created something beside the vault"
            );
        }
    }
    let migrate = run_in(&[
        "vault",
        "migrate",
        "--from",
        &format!("sled:{}", missing.display()),
        "--to",
        url,
        "--key-file",
        &key,
    ]);
    assert_eq!(migrate.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&migrate.stderr).contains("no vault there"));
    assert_eq!(entries(dir.path()), before, "migrate created something");

    // `vault init` refuses a URL and a directory that is not empty…
    for (target, expected) in [
        (url, "PostgreSQL URL"),
        (etc.to_str().expect("path"), "not empty"),
    ] {
        let out = run_in(&["vault", "init", "--vault", target, "--key-file", &key]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{target}: {err}");
        assert!(err.contains(expected), "{err}");
        assert!(!err.contains("s3cret"), "{err}");
    }
    assert_eq!(snapshot(&etc), etc_before);
    assert_eq!(entries(dir.path()), before);
    // …creates a new vault, which the other commands then use…
    let m = missing.to_str().expect("path");
    init_vault(&key, m);
    let stats = ok(&run_in(&[
        "vault",
        "stats",
        "--vault",
        m,
        "--key-file",
        &key,
    ]));
    assert_eq!(json(&stats)["tokens"], 0, "{stats}");
    let scanned = ok(&run_in(&[
        "scan",
        "--policy",
        "reversible",
        "--vault",
        m,
        "--key-file",
        &key,
    ]));
    assert!(!scanned.contains("Przybylo"));
    // …and never re-initialises one.
    let again = run_in(&["vault", "init", "--vault", m, "--key-file", &key]);
    assert_eq!(again.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("a vault already exists"),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    let revealed = ok(&run(
        &["reveal", "--vault", m, "--key-file", &key],
        scanned.as_bytes(),
    ));
    assert_eq!(revealed, NOTE);
}

/// HL7 v2 and CSV through `scan --policy reversible` and `reveal` on a vault: the message and
/// the table come back byte for byte (escapes and quotes included), from a file and from
/// `--jsonl` lines with their own `content_type`.
#[test]
fn hl7_and_csv_reveal_byte_for_byte_through_the_vault() {
    let dir = tempfile::tempdir().expect("tempdir");
    let key = keygen(dir.path(), "k");
    let vault = dir.path().join("vault");
    let v = vault.to_str().expect("path");
    init_vault(&key, v);
    let hl7 = "MSH|^~\\&|EMR|CLINIC|||20240312||ADT^A08|M1|P|2.5.1\r\
               PID|1||MRX-55120^^^C^MR||Przybylo\\T\\Healey^Suzette||19480229|F|||12 Elm St^^Calvert^MI^49001\r\
               NTE|1||Suzette Przybylo called \\F\\ son Hank; \\.br\\follow up\r";
    let csv =
        "patient_name,mrn,note\r\n\"Przybylo, Suzette\",MRX-55120,\"son \"\"Hank\"\" called\"\r\n";
    for (body, ct) in [(hl7, "application/hl7-v2"), (csv, "text/csv")] {
        let scanned = run(
            &[
                "scan",
                "--policy",
                "reversible",
                "--content-type",
                ct,
                "--vault",
                v,
                "--key-file",
                &key,
            ],
            body.as_bytes(),
        );
        assert!(
            scanned.status.success(),
            "{}",
            String::from_utf8_lossy(&scanned.stderr)
        );
        let tokens = String::from_utf8(scanned.stdout).expect("utf8");
        for phi in ["Przybylo", "MRX-55120", "Suzette", "Hank"] {
            assert!(!tokens.contains(phi), "{phi} in {tokens}");
        }
        let revealed = run(
            &[
                "reveal",
                "--content-type",
                ct,
                "--vault",
                v,
                "--key-file",
                &key,
            ],
            tokens.as_bytes(),
        );
        assert!(
            revealed.status.success(),
            "{}",
            String::from_utf8_lossy(&revealed.stderr)
        );
        assert_eq!(String::from_utf8(revealed.stdout).expect("utf8"), body);
        let line = serde_json::json!({"id": 1, "text": tokens, "content_type": ct}).to_string();
        let revealed = run(
            &["reveal", "--jsonl", "--vault", v, "--key-file", &key],
            format!("{line}\n").as_bytes(),
        );
        assert!(
            revealed.status.success(),
            "{}",
            String::from_utf8_lossy(&revealed.stderr)
        );
        let rec: serde_json::Value =
            serde_json::from_slice(&revealed.stdout).expect("one json line");
        assert_eq!(rec["text"], body);
    }
}
