//! The real binary: scan modes, bad input, limits, reports, keys. Inputs carry canary values
//! that must never appear in any output, error record or message.

use std::process::{Command, Output};

use crate::support::{bin, run};

const CANARY_NAME: &str = "Zebulon Quixote";
const CANARY_SSN: &str = "219-09-9999";

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn assert_no_canary(out: &Output) {
    for stream in [text(&out.stdout), text(&out.stderr)] {
        assert!(
            !stream.contains(CANARY_NAME)
                && !stream.contains("Zebulon")
                && !stream.contains("Quixote"),
            "name leaked: {stream}"
        );
        assert!(!stream.contains(CANARY_SSN), "SSN leaked: {stream}");
    }
}

#[test]
fn scans_the_bundled_example_and_keeps_clinical_content() {
    let out = Command::new(bin())
        .args(["scan", "examples/note.txt"])
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let s = text(&out.stdout);
    for phi in [
        "Lopez",
        "Maria",
        "00482193",
        "03/14/1956",
        "Kevin",
        "123 Main St",
        "013-4567",
        "maria.lopez@",
        "XJH123456789",
        "1EG4-TE5-MK73",
        "Kowalski",
        "Healey",
        "Calvert",
        "62704",
    ] {
        assert!(!s.contains(phi), "{phi} survived:\n{s}");
    }
    for keep in [
        "97530 x 2 units",
        "38 timed minutes",
        "M62.81",
        "R26.89",
        "Grip strength R 42 lbs",
        "Buttoning 3/5 independent",
        "0-135 degrees",
        "goal 1 met",
        "Will continue",
    ] {
        assert!(s.contains(keep), "{keep} was changed:\n{s}");
    }
    assert!(
        s.contains("DOB: 1956"),
        "date not generalised to the year:\n{s}"
    );
    assert!(s.contains("IL 627"), "ZIP not generalised to ZIP3:\n{s}");
}

#[test]
fn jsonl_keeps_order_reports_byte_spans_and_isolates_bad_lines() {
    let note = format!("Pt {CANARY_NAME} (SSN {CANARY_SSN}) café visit on 03/14/2024.");
    let mut input = Vec::new();
    input.extend_from_slice(
        serde_json::json!({"id": "a", "text": note})
            .to_string()
            .as_bytes(),
    );
    input.push(b'\n');
    input.extend_from_slice(
        format!("{{\"id\": \"b\", \"text\": \"{CANARY_NAME} unterminated\n").as_bytes(),
    );
    input.extend_from_slice(b"{\"id\": \"c\", \"text\": \"bad \xff utf8\"}\n");
    input.extend_from_slice(serde_json::json!({"id": "d", "text": format!("{{\"name\": \"{CANARY_NAME}\"") , "content_type": "application/json"}).to_string().as_bytes());
    input.push(b'\n');
    input.extend_from_slice(
        serde_json::json!({"id": 5, "text": "Seen by Dr. Healey."})
            .to_string()
            .as_bytes(),
    );
    input.push(b'\n');
    let out = run(&["scan", "--jsonl"], &input);
    // Three of five lines failed: each has its error record, and the run says so.
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("3 of 5 lines failed"),
        "{}",
        text(&out.stderr)
    );
    assert_no_canary(&out);
    let lines: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(lines.len(), 5, "one output line per input line");
    assert_eq!(lines[0]["id"], "a");
    let spans = lines[0]["spans"].as_array().expect("spans");
    let bytes = note.as_bytes();
    let found: Vec<&str> = spans
        .iter()
        .map(|s| {
            std::str::from_utf8(
                &bytes[s["start"].as_u64().expect("start") as usize
                    ..s["end"].as_u64().expect("end") as usize],
            )
            .expect("utf8")
        })
        .collect();
    assert!(found.contains(&CANARY_NAME), "{found:?}");
    assert!(found.contains(&CANARY_SSN), "{found:?}");
    assert!(
        found.contains(&"03/14/2024"),
        "byte offsets must account for the multi-byte é: {found:?}"
    );
    assert!(lines[1]["error"]["reason"]
        .as_str()
        .expect("reason")
        .contains("malformed record"));
    assert_eq!(lines[1]["error"]["line"], 2);
    assert!(lines[2]["error"]["reason"]
        .as_str()
        .expect("reason")
        .contains("UTF-8"));
    assert_eq!(lines[3]["id"], "d");
    assert!(lines[3]["error"]["reason"]
        .as_str()
        .expect("reason")
        .contains("malformed JSON at line 1"));
    assert_eq!(lines[4]["id"], 5);
    assert!(!lines[4]["text"].as_str().expect("text").contains("Healey"));
}

#[test]
fn single_document_errors_exit_nonzero_without_output_or_input_text() {
    let body = format!("{{\"patient\": {{\"name\": \"{CANARY_NAME}\", \"ssn\": \"{CANARY_SSN}\"");
    let out = run(
        &["scan", "--content-type", "application/json"],
        body.as_bytes(),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        out.stdout.is_empty(),
        "nothing may be written for a failed document"
    );
    assert!(text(&out.stderr).contains("malformed JSON"));
    assert_no_canary(&out);

    let deep = format!("{}\"{CANARY_NAME}\"{}", "[".repeat(100), "]".repeat(100));
    let out = run(
        &["scan", "--content-type", "application/json"],
        deep.as_bytes(),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("nested deeper than 64"),
        "{}",
        text(&out.stderr)
    );
    assert_no_canary(&out);

    let big = format!("{CANARY_NAME} ").repeat(20);
    let out = run(&["scan", "--max-bytes", "100"], big.as_bytes());
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("over the 100-byte limit"));
    assert!(out.stdout.is_empty());
    assert_no_canary(&out);

    let out = run(
        &[
            "scan",
            "--content-type",
            "application/x-www-form-urlencoded",
        ],
        b"name=a\x00b",
    );
    assert_eq!(out.status.code(), Some(1));

    let out = run(&["scan", "--content-type", "image/png"], b"x");
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("unsupported content type"));
}

#[test]
fn report_counts_types_without_values() {
    let out = run(
        &["scan", "--report"],
        format!("Mr. {CANARY_NAME}, SSN {CANARY_SSN}, seen 2024-03-14.").as_bytes(),
    );
    assert!(out.status.success());
    let err = text(&out.stderr);
    let report: serde_json::Value = serde_json::from_str(err.trim()).expect("report is JSON");
    assert_eq!(report["phi_found"]["SSN"], 1);
    assert_eq!(report["phi_found"]["DATE"], 1);
    assert!(report["phi_found"]["NAME"].as_u64().expect("names") >= 1);
    assert_no_canary(&out);
}

#[test]
fn keygen_writes_a_private_key_once_and_tokens_are_stable_with_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let key = dir.path().join("master.key");
    let key_s = key.to_str().expect("path");
    let out = Command::new(bin())
        .args(["keygen", "--out", key_s])
        .output()
        .expect("keygen");
    assert!(out.status.success(), "{}", text(&out.stderr));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&key).expect("meta").permissions().mode() & 0o777,
            0o600
        );
    }
    let before = std::fs::read(&key).expect("read key");
    let again = Command::new(bin())
        .args(["keygen", "--out", key_s])
        .output()
        .expect("keygen");
    assert!(
        !again.status.success(),
        "an existing key must never be overwritten"
    );
    assert_eq!(std::fs::read(&key).expect("read key"), before);

    let input = format!("Pt {CANARY_NAME} called.");
    let a = run(&["scan", "--key-file", key_s], input.as_bytes());
    let b = run(&["scan", "--key-file", key_s], input.as_bytes());
    assert!(a.status.success());
    assert_eq!(a.stdout, b.stdout, "same key, same tokens");
    assert_no_canary(&a);
    let other = run(&["scan"], input.as_bytes());
    assert_ne!(a.stdout, other.stdout, "a random key gives other tokens");

    std::fs::write(dir.path().join("bad.key"), "not a key").expect("write");
    let bad = run(
        &[
            "scan",
            "--key-file",
            dir.path().join("bad.key").to_str().expect("path"),
        ],
        b"x",
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(text(&bad.stderr).contains("not a phigate master key"));
}

#[test]
fn a_broken_rule_file_stops_start_up_naming_file_and_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_dir(std::path::Path::new("patterns"), dir.path());
    let rules = dir.path().join("text/rules.toml");
    let src = std::fs::read_to_string(&rules).expect("rules");
    let broken = src.replacen("pattern = '\\b[A-Za-z0-9]", "pattern = '(\\b[A-Za-z0-9]", 1);
    assert_ne!(src, broken);
    std::fs::write(&rules, broken).expect("write");
    let out = run(
        &["scan", "--patterns", dir.path().to_str().expect("path")],
        b"hello",
    );
    assert_eq!(out.status.code(), Some(64), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.contains("patterns/text/rules.toml:") && err.contains("rule `email`"),
        "{err}"
    );
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    for entry in std::fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

#[test]
fn policies_differ_as_documented() {
    let note = "Seen 03/14/2024 in Springfield, IL 62704 by Dr. Healey; SSN 219-09-9999.";
    let lds = run(&["scan", "--policy", "limited-data-set"], note.as_bytes());
    let s = text(&lds.stdout);
    assert!(
        s.contains("03/14/2024") && s.contains("62704"),
        "LDS keeps dates and ZIP: {s}"
    );
    assert!(
        !s.contains("Healey") && !s.contains("219-09-9999"),
        "LDS removes direct identifiers: {s}"
    );
    let unknown = run(&["scan", "--policy", "nope"], b"x");
    assert_eq!(unknown.status.code(), Some(2));
}

#[test]
fn jsonl_output_is_identical_and_ordered_with_any_number_of_threads() {
    let dir = tempfile::tempdir().expect("tempdir");
    let key = dir.path().join("k");
    let key_s = key.to_str().expect("path");
    assert!(Command::new(bin())
        .args(["keygen", "--out", key_s])
        .output()
        .expect("keygen")
        .status
        .success());
    let corpus = Command::new(bin())
        .args(["synth", "--seed", "3", "--count", "300"])
        .output()
        .expect("synth")
        .stdout;
    let one = run(
        &["scan", "--jsonl", "--key-file", key_s, "--threads", "1"],
        &corpus,
    );
    let four = run(
        &["scan", "--jsonl", "--key-file", key_s, "--threads", "4"],
        &corpus,
    );
    assert!(one.status.success() && four.status.success());
    assert_eq!(
        one.stdout, four.stdout,
        "threads change speed, never output"
    );
    let ids = |jsonl: &[u8]| -> Vec<String> {
        text(jsonl)
            .lines()
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).expect("json")["id"]
                    .as_str()
                    .expect("id")
                    .to_string()
            })
            .collect()
    };
    assert_eq!(ids(&one.stdout), ids(&corpus), "input order is kept");
}

/// Waits for `child` at most `secs` seconds; kills it and fails the test if it is still
/// running then.
fn wait_bounded(
    child: &mut std::process::Child,
    secs: u64,
    what: &str,
) -> std::process::ExitStatus {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            return status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what} did not exit within {secs} s after its output pipe closed");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// The status a shell shows for a process whose output pipe closed (`cat big | head -1`).
const BROKEN_PIPE_STATUS: i32 = 141;

#[test]
fn jsonl_scan_piped_into_head_exits_quietly_when_the_pipe_closes() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("big.jsonl");
    let mut lines = String::new();
    for i in 0..40_000 {
        lines.push_str(
            &serde_json::json!({"id": i, "text": format!("Seen on 03/14/2024, MRN MX{i:07}, call 555-013-{:04}.", i % 10_000)})
                .to_string(),
        );
        lines.push('\n');
    }
    std::fs::write(&input, lines).expect("write input");
    for threads in ["1", "4"] {
        let mut child = Command::new(bin())
            .args(["scan", "--jsonl", "--threads", threads])
            .arg(&input)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn");
        let mut first = String::new();
        {
            // `head -1`: read one line, then close the pipe.
            let mut reader = std::io::BufReader::new(child.stdout.take().expect("stdout"));
            reader.read_line(&mut first).expect("read a line");
        }
        assert!(first.starts_with("{\"id\":0,"), "first line: {first}");
        let status = wait_bounded(&mut child, 30, "scan --jsonl");
        let mut stderr = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().expect("stderr"), &mut stderr)
            .expect("stderr");
        assert_eq!(
            status.code(),
            Some(BROKEN_PIPE_STATUS),
            "threads {threads}: {stderr}"
        );
        assert!(
            stderr.is_empty(),
            "a closed pipe is not an error to report: {stderr}"
        );
    }
}

/// Runs the binary with standard output already closed at its reading end.
fn run_into_closed_pipe(args: &[&str]) -> Output {
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    let mut child = Command::new(bin())
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let status = wait_bounded(&mut child, 30, args[0]);
    let mut stderr = Vec::new();
    std::io::Read::read_to_end(&mut child.stderr.take().expect("stderr"), &mut stderr)
        .expect("stderr");
    Output {
        status,
        stdout: Vec::new(),
        stderr,
    }
}

#[test]
fn commands_writing_into_a_closed_pipe_exit_quietly_without_panicking() {
    let dir = tempfile::tempdir().expect("tempdir");
    let key = dir.path().join("k");
    let key_s = key.to_str().expect("utf-8");
    // The vault's log (`vault-audit` beside `vault`), whose witness the search keeps.
    let logdir = dir.path().join("vault-audit");
    let log_s = logdir.to_str().expect("utf-8");
    assert!(run(&["keygen", "--out", key_s], b"").status.success());
    let vault = dir.path().join("vault");
    let init = run(
        &[
            "vault",
            "init",
            "--vault",
            vault.to_str().expect("utf-8"),
            "--key-file",
            key_s,
        ],
        b"",
    );
    assert!(init.status.success(), "{}", text(&init.stderr));
    std::fs::create_dir(&logdir).expect("mkdir");
    // An identifier search records itself, which gives the log an entry to export.
    let search = run(
        &[
            "audit",
            "search",
            "--dir",
            log_s,
            "--key-file",
            key_s,
            "--identifier",
            "MX0000001",
        ],
        b"",
    );
    assert!(search.status.success(), "{}", text(&search.stderr));
    for args in [
        vec!["audit", "pubkey", "--key-file", key_s],
        vec!["audit", "export", "--dir", log_s],
        vec!["audit", "export", "--dir", log_s, "--format", "csv"],
        vec!["audit", "report", "--dir", log_s],
        vec!["audit", "verify", "--dir", log_s, "--key-file", key_s],
        vec!["synth", "--count", "50"],
    ] {
        let out = run_into_closed_pipe(&args);
        assert_eq!(
            out.status.code(),
            Some(BROKEN_PIPE_STATUS),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert!(out.stderr.is_empty(), "{args:?}: {}", text(&out.stderr));
    }
}

#[test]
fn cli_papercuts_errors_once_and_every_option_has_help() {
    let out = run(&["check-config", "no-such-config.toml"], b"");
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert_eq!(
        err.matches("os error 2").count(),
        1,
        "the OS error twice: {err}"
    );
    assert!(err.contains("no-such-config.toml"), "{err}");

    let search = text(&run(&["audit", "search", "--help"], b"").stdout);
    for flag in ["--token", "--caller", "--route", "--since", "--until"] {
        let line = search
            .lines()
            .find(|l| l.trim_start().starts_with(flag))
            .unwrap_or_else(|| panic!("{flag} missing from:\n{search}"));
        let help = line.trim_start().trim_start_matches(flag);
        let help = help.trim_start_matches(|c: char| c != ' ').trim();
        assert!(!help.is_empty(), "{flag} has no help:\n{search}");
    }
    for cmd in [["audit", "export"], ["audit", "report"]] {
        let h = text(&run(&[cmd[0], cmd[1], "--help"], b"").stdout);
        let line = h
            .lines()
            .find(|l| l.trim_start().starts_with("--format"))
            .expect("--format");
        assert!(line.contains('`'), "{cmd:?} --format has no help: {line}");
    }
    let vault = text(&run(&["vault", "--help"], b"").stdout);
    let first = vault.lines().next().unwrap_or_default();
    assert!(
        first.contains("forget") && first.contains("back up"),
        "vault --help: {first}"
    );
    assert!(vault.contains("init"), "{vault}");
}
