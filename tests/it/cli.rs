//! The real binary: scan modes, bad input, limits, reports, keys. Inputs carry canary values
//! that must never appear in any output, error record or message.

use std::process::{Command, Output};

use crate::support::{bin, run, text, TestCommand};

const CANARY_NAME: &str = "Zebulon Quixote";
const CANARY_SSN: &str = "219-09-9999";

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
    let out = TestCommand::new(["scan", "examples/note.txt"]).expect_success();
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
    // Three of five lines failed: each has its error record, and the run says so.
    let out = TestCommand::new(["scan", "--jsonl"])
        .stdin(&input)
        .expect_code(1);
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
    let out = TestCommand::new(["scan", "--content-type", "application/json"])
        .stdin(&body)
        .expect_code(1);
    assert!(
        out.stdout.is_empty(),
        "nothing may be written for a failed document"
    );
    assert!(text(&out.stderr).contains("malformed JSON"));
    assert_no_canary(&out);

    let deep = format!("{}\"{CANARY_NAME}\"{}", "[".repeat(100), "]".repeat(100));
    let out = TestCommand::new(["scan", "--content-type", "application/json"])
        .stdin(&deep)
        .expect_code(1);
    assert!(
        text(&out.stderr).contains("nested deeper than 64"),
        "{}",
        text(&out.stderr)
    );
    assert_no_canary(&out);

    let big = format!("{CANARY_NAME} ").repeat(20);
    let out = TestCommand::new(["scan", "--max-bytes", "100"])
        .stdin(&big)
        .expect_code(1);
    assert!(text(&out.stderr).contains("over the 100-byte limit"));
    assert!(out.stdout.is_empty());
    assert_no_canary(&out);

    TestCommand::new([
        "scan",
        "--content-type",
        "application/x-www-form-urlencoded",
    ])
    .stdin(b"name=a\x00b")
    .expect_code(1);

    let out = TestCommand::new(["scan", "--content-type", "image/png"])
        .stdin(b"x")
        .expect_code(2);
    assert!(text(&out.stderr).contains("unsupported content type"));
}

#[test]
fn report_counts_types_without_values() {
    let out = TestCommand::new(["scan", "--report"])
        .stdin(format!(
            "Mr. {CANARY_NAME}, SSN {CANARY_SSN}, seen 2024-03-14."
        ))
        .expect_success();
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
    TestCommand::new(["keygen", "--out", key_s]).expect_success();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&key).expect("meta").permissions().mode() & 0o777,
            0o600
        );
    }
    let before = std::fs::read(&key).expect("read key");
    // An existing key must never be overwritten.
    let again = TestCommand::new(["keygen", "--out", key_s]).expect_code(2);
    assert!(text(&again.stderr).contains("never overwritten"));
    assert_eq!(std::fs::read(&key).expect("read key"), before);

    let input = format!("Pt {CANARY_NAME} called.");
    let a = TestCommand::new(["scan", "--key-file", key_s])
        .stdin(&input)
        .expect_success();
    // The key file may also come from the environment.
    let b = TestCommand::new(["scan"])
        .env("PHIGATE_KEY_FILE", &key)
        .stdin(&input)
        .expect_success();
    assert_eq!(a.stdout, b.stdout, "same key, same tokens");
    assert_no_canary(&a);
    let other = run(&["scan"], input.as_bytes());
    assert_ne!(a.stdout, other.stdout, "a random key gives other tokens");

    std::fs::write(dir.path().join("bad.key"), "not a key").expect("write");
    let bad = TestCommand::new([
        "scan",
        "--key-file",
        dir.path().join("bad.key").to_str().expect("path"),
    ])
    .stdin(b"x")
    .expect_code(2);
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
    let out = TestCommand::new(["scan", "--patterns", dir.path().to_str().expect("path")])
        .stdin(b"hello")
        .expect_code(64);
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
    let lds = TestCommand::new(["scan", "--policy", "limited-data-set"])
        .stdin(note)
        .expect_success();
    let s = text(&lds.stdout);
    assert!(
        s.contains("03/14/2024") && s.contains("62704"),
        "LDS keeps dates and ZIP: {s}"
    );
    assert!(
        !s.contains("Healey") && !s.contains("219-09-9999"),
        "LDS removes direct identifiers: {s}"
    );
    let unknown = TestCommand::new(["scan", "--policy", "nope"])
        .stdin(b"x")
        .expect_code(2);
    assert!(text(&unknown.stderr).contains("unknown policy `nope`"));
}

#[test]
fn jsonl_output_is_identical_and_ordered_with_any_number_of_threads() {
    let dir = tempfile::tempdir().expect("tempdir");
    let key = dir.path().join("k");
    let key_s = key.to_str().expect("path");
    TestCommand::new(["keygen", "--out", key_s]).expect_success();
    let corpus = TestCommand::new(["synth", "--seed", "3", "--count", "300"])
        .expect_success()
        .stdout;
    let scan = |threads: &str| {
        TestCommand::new(["scan", "--jsonl", "--key-file", key_s, "--threads", threads])
            .stdin(&corpus)
            .expect_success()
    };
    let (one, four) = (scan("1"), scan("4"));
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
    TestCommand::new(["keygen", "--out", key_s]).expect_success();
    let vault = dir.path().join("vault");
    TestCommand::new([
        "vault",
        "init",
        "--vault",
        vault.to_str().expect("utf-8"),
        "--key-file",
        key_s,
    ])
    .expect_success();
    std::fs::create_dir(&logdir).expect("mkdir");
    // An identifier search records itself, which gives the log an entry to export.
    TestCommand::new([
        "audit",
        "search",
        "--dir",
        log_s,
        "--key-file",
        key_s,
        "--identifier",
        "MX0000001",
    ])
    .expect_success();
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
    let out = TestCommand::new(["check-config", "no-such-config.toml"]).expect_code(64);
    let err = text(&out.stderr);
    assert_eq!(
        err.matches("os error 2").count(),
        1,
        "the OS error twice: {err}"
    );
    assert!(err.contains("no-such-config.toml"), "{err}");

    let search = text(
        &TestCommand::new(["audit", "search", "--help"])
            .expect_success()
            .stdout,
    );
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
        let h = text(
            &TestCommand::new([cmd[0], cmd[1], "--help"])
                .expect_success()
                .stdout,
        );
        let line = h
            .lines()
            .find(|l| l.trim_start().starts_with("--format"))
            .expect("--format");
        assert!(line.contains('`'), "{cmd:?} --format has no help: {line}");
    }
    let vault = text(
        &TestCommand::new(["vault", "--help"])
            .expect_success()
            .stdout,
    );
    let first = vault.lines().next().unwrap_or_default();
    assert!(
        first.contains("forget") && first.contains("back up"),
        "vault --help: {first}"
    );
    assert!(vault.contains("init"), "{vault}");
}

/// A configuration with problems in several sections: `check-config` names every one at
/// once, one line each, by file and key, and exits 64 (a bad config file).
#[test]
fn check_config_reports_every_problem_at_once_each_naming_its_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("phigate.toml");
    let digest = "d101499dc8b0fc3c4c17eed2fca52bb0e6c7c642f244f1a995136b9cb56ec6de";
    std::fs::write(
        &path,
        format!(
            r#"
[[listener]]
listen = "127.0.0.1:8443"
cert = "cert.pem"
key = "key.pem"

[vault]
backend = "postgres"
key_file = "master.key"

[[caller]]
name = "emr"
api_key_sha256 = ["{digest}"]

[[caller]]
name = "zap"
api_key_sha256 = ["{}"]

[[route]]
name = "hooks"
prefix = "/hooks/"
direction = "deidentify"
upstream = "https://automation.example.com/in/"
callers = ["emr"]

[[route]]
name = "back"
prefix = "/back/"
direction = "reidentify"
upstream = "ftp://emr.example.com/"
callers = ["emr", "ghost"]
reveal = {{ emr = ["NAME", "SHOESIZE"] }}
"#,
            "0".repeat(64)
        ),
    )
    .expect("write");
    let shown = path.display().to_string();
    let out = TestCommand::new(["check-config", &shown]).expect_code(64);
    let err = text(&out.stderr);
    let lines: Vec<&str> = err.lines().collect();
    let expected = [
        "vault.url: needed for the postgres backend",
        "audit.dir: needed with the postgres backend",
        "caller[1].api_key_sha256: is a placeholder",
        "route[1].callers: unknown caller `ghost`",
        "route[1].upstream: `ftp://emr.example.com/` must be https://",
        "route[1].reveal.emr: unknown PHI type `SHOESIZE`",
    ];
    assert_eq!(lines.len(), expected.len(), "{err}");
    for (line, want) in lines.iter().zip(expected) {
        assert!(
            line.contains(&shown) && line.contains(want),
            "{want}: {line}"
        );
    }
    assert!(!err.contains(digest), "no credential is echoed: {err}");
}

/// Runs `phigate ARGS > stdout_to` under a pseudo-terminal (util-linux `script`), so that
/// standard error is a terminal and standard output a file; returns what reached the
/// terminal, or `None` (after noting the skip) when `script` is not installed.
fn run_on_terminal(test: &str, args: &[&str], stdout_to: &std::path::Path) -> Option<String> {
    let found = Command::new("sh")
        .args(["-c", "command -v script"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        phigate::note_skipped(test, "`script` (util-linux) is not installed");
        return None;
    }
    let quote = |s: &str| format!("'{}'", s.replace('\'', r"'\''"));
    let mut line = quote(bin());
    for a in args {
        line.push(' ');
        line.push_str(&quote(a));
    }
    line.push_str(" > ");
    line.push_str(&quote(stdout_to.to_str().expect("path")));
    let out = Command::new("script")
        .args(["-qfec", &line, "/dev/null"])
        // Drawn at once: the test does not depend on how long the work takes.
        .env("PHIGATE_PROGRESS_DELAY_MS", "0")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run script");
    assert!(out.status.success(), "{line}: {}", text(&out.stdout));
    Some(text(&out.stdout))
}

#[test]
fn progress_bars_appear_on_a_terminal_and_never_in_a_pipe() {
    let test = "progress_bars_appear_on_a_terminal_and_never_in_a_pipe";
    let dir = tempfile::tempdir().expect("tempdir");
    let key = dir.path().join("master.key");
    let key_s = key.to_str().expect("path");
    TestCommand::new(["keygen", "--out", key_s]).expect_success();
    // A file name can hold PHI too: no bar may show it.
    let input = dir.path().join("zebulon-quixote.jsonl");
    let input_s = input.to_str().expect("path");
    let mut corpus = TestCommand::new(["synth", "--count", "60"])
        .expect_success()
        .stdout;
    corpus.extend_from_slice(
        format!("{{\"id\":\"canary\",\"text\":\"Pt {CANARY_NAME} SSN {CANARY_SSN}.\"}}\n")
            .as_bytes(),
    );
    std::fs::write(&input, &corpus).expect("write input");
    let scan = ["scan", "--jsonl", "--key-file", key_s, input_s];

    let on_terminal = dir.path().join("terminal.out");
    let Some(drawn) = run_on_terminal(test, &scan, &on_terminal) else {
        return;
    };
    let total = corpus.len();
    assert!(
        drawn.contains("scan [") && drawn.contains("B/"),
        "no bar on the terminal: {drawn:?}"
    );
    assert!(
        !drawn.contains("Zebulon") && !drawn.contains("Quixote") && !drawn.contains("zebulon"),
        "the bar showed input text or a file name: {drawn:?}"
    );
    assert!(!drawn.contains(CANARY_SSN), "{drawn:?}");
    assert!(
        total > 10_000,
        "the input is large enough to count: {total}"
    );

    // Piped, with the bar's delay at zero: no bar, and the same output as on the terminal.
    let piped = TestCommand::new(scan)
        .env("PHIGATE_PROGRESS_DELAY_MS", "0")
        .expect_success();
    assert!(piped.stderr.is_empty(), "{}", text(&piped.stderr));
    let plain = TestCommand::new(scan).expect_success();
    assert_eq!(piped.stdout, plain.stdout);
    assert_eq!(
        std::fs::read(&on_terminal).expect("read"),
        plain.stdout,
        "the bar changes nothing on standard output"
    );
    assert_no_canary(&plain);

    // The vault's long work: export and import count bytes, verification spins.
    let vault = dir.path().join("vault");
    let vault_s = vault.to_str().expect("path");
    TestCommand::new(["vault", "init", "--vault", vault_s, "--key-file", key_s]).expect_success();
    TestCommand::new([
        "scan",
        "--jsonl",
        "--key-file",
        key_s,
        "--vault",
        vault_s,
        input_s,
    ])
    .expect_success();
    let backup = dir.path().join("vault.backup");
    let backup_s = backup.to_str().expect("path");
    let summary = dir.path().join("summary.out");
    let drawn = run_on_terminal(
        test,
        &[
            "vault",
            "export",
            "--vault",
            vault_s,
            "--key-file",
            key_s,
            "--out",
            backup_s,
        ],
        &summary,
    )
    .expect("script was found above");
    assert!(
        drawn.contains("vault export") && drawn.contains("B ("),
        "{drawn:?}"
    );
    let exported: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&summary).expect("read")).expect("json summary");
    assert!(exported["entries"].as_u64().expect("entries") > 0);

    let restored = dir.path().join("restored");
    let restored_s = restored.to_str().expect("path");
    TestCommand::new(["vault", "init", "--vault", restored_s, "--key-file", key_s])
        .expect_success();
    let drawn = run_on_terminal(
        test,
        &[
            "vault",
            "import",
            "--vault",
            restored_s,
            "--key-file",
            key_s,
            "--from",
            backup_s,
        ],
        &summary,
    )
    .expect("script was found above");
    assert!(drawn.contains("vault import ["), "{drawn:?}");
    let drawn = run_on_terminal(
        test,
        &[
            "vault",
            "verify",
            "--vault",
            restored_s,
            "--key-file",
            key_s,
        ],
        &summary,
    )
    .expect("script was found above");
    assert!(drawn.contains("vault verify"), "{drawn:?}");
    let verified = TestCommand::new([
        "vault",
        "verify",
        "--vault",
        restored_s,
        "--key-file",
        key_s,
    ])
    .env("PHIGATE_PROGRESS_DELAY_MS", "0")
    .expect_success();
    assert!(verified.stderr.is_empty(), "{}", text(&verified.stderr));
    assert!(text(&verified.stdout).starts_with("{\"verified\":"));
}

/// The shell's own pipeline into the real `head`: the scan stops as soon as `head` has
/// its line, quietly, with the status of a process ended by SIGPIPE.
#[test]
fn jsonl_scan_into_the_real_head_stops_quietly() {
    let test = "jsonl_scan_into_the_real_head_stops_quietly";
    let found = Command::new("sh")
        .args(["-c", "command -v head && command -v bash"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        phigate::note_skipped(test, "`head` or `bash` is not installed");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("big.jsonl");
    let mut lines = String::new();
    for i in 0..40_000 {
        lines.push_str(&format!(
            "{{\"id\":{i},\"text\":\"Seen on 03/14/2024, MRN MX{i:07}.\"}}\n"
        ));
    }
    std::fs::write(&input, lines).expect("write input");
    let out = Command::new("bash")
        .args([
            "-c",
            r#""$0" scan --jsonl "$1" 2>"$2" | head -1; echo "status=${PIPESTATUS[0]}""#,
            bin(),
            input.to_str().expect("path"),
            dir.path().join("stderr").to_str().expect("path"),
        ])
        .stdin(std::process::Stdio::null())
        .output()
        .expect("bash");
    let shown = text(&out.stdout);
    let mut got = shown.lines();
    assert!(
        got.next().is_some_and(|l| l.starts_with("{\"id\":0,")),
        "{shown}"
    );
    assert_eq!(got.next(), Some("status=141"), "{shown}");
    let stderr = std::fs::read_to_string(dir.path().join("stderr")).expect("stderr");
    assert!(stderr.is_empty(), "{stderr}");
}

#[test]
fn oversize_input_names_its_size_and_the_option_and_a_run_key_is_pointed_out() {
    let test = "oversize_input_names_its_size_and_the_option_and_a_run_key_is_pointed_out";
    let dir = tempfile::tempdir().expect("tempdir");
    let big = dir.path().join("big.txt");
    std::fs::write(&big, format!("Pt {CANARY_NAME} {}", "a".repeat(3000))).expect("write");
    let big_s = big.to_str().expect("path");
    let size = std::fs::metadata(&big).expect("meta").len();
    let out = TestCommand::new(["scan", "--max-bytes", "1000", big_s]).expect_code(1);
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!("input is {size} bytes, over the 1000-byte limit"))
            && err.contains("--max-bytes"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
    assert_no_canary(&out);
    // From standard input the size is not known past the limit: said so, not guessed.
    let out = TestCommand::new(["scan", "--max-bytes", "1000"])
        .stdin(std::fs::read(&big).expect("read"))
        .expect_code(1);
    assert!(
        text(&out.stderr).contains("more than 1000 bytes"),
        "{}",
        text(&out.stderr)
    );

    // Without --key-file: a person at a terminal is told tokens will not last; a pipe is not.
    let note = dir.path().join("note.txt");
    std::fs::write(&note, format!("Pt {CANARY_NAME} called.")).expect("write");
    let note_s = note.to_str().expect("path");
    let piped = TestCommand::new(["scan", note_s]).expect_success();
    assert!(piped.stderr.is_empty(), "{}", text(&piped.stderr));
    let Some(told) = run_on_terminal(test, &["scan", note_s], &dir.path().join("out.txt")) else {
        return;
    };
    assert!(
        told.contains("no --key-file") && told.contains("keygen"),
        "{told:?}"
    );
    assert!(!told.contains("Quixote"), "{told:?}");
}
