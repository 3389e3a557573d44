//! The operator's habits (issue 18): the analyzer API and `patterns.d` overlays through the
//! real binary and the real gateway; per-caller rate limits and upstream circuit breaking.

use std::path::Path;

use super::gw_harness::{client, post, send, sha256_hex, Gateway, Pki, Upstream};
use super::support::{run, text, TestCommand};

/// A rule the built-in files do not have: letters only, so no identifier shape finds it.
const OVERLAY: &str = r#"
# Top-level keys come before the first table (TOML).
allow = ["Zebulon Quixote"]

# The clinic's badge words.
[[rule]]
id = "clinic.kitten"
type = "ID"
pattern = '\bKITTEN-[a-z]{4}\b'
match = ["badge [[KITTEN-abcd]] issued"]
no_match = ["KITTEN-ab"]

[keys]
ID = ["badgeRef"]
"#;

const BAD_OVERLAY: &str = "\n[[rule]]\nid = \"broken\"\ntype = \"ID\"\npattern = '\\bKITTEN-[a-z]{4}\\b'\nmatch = [\"badge [[KITTEN-ab]] issued\"]\n";

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).expect("write");
}

#[test]
fn an_overlay_adds_a_rule_an_allow_word_and_a_field_key_through_the_binary() {
    let dir = tempfile::tempdir().expect("tempdir");
    let overlays = dir.path().join("patterns.d");
    std::fs::create_dir(&overlays).expect("mkdir");
    let d = overlays.display().to_string();
    let note = b"Zebulon Quixote got badge KITTEN-wxyz today.";

    // Without the overlay: the badge word stays, the name goes.
    let out = run(&["scan", "--content-type", "text/plain"], note);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let plain = text(&out.stdout);
    assert!(
        plain.contains("KITTEN-wxyz") && !plain.contains("Quixote"),
        "{plain}"
    );

    // With it: the badge word is an ID, and the allowed name stays.
    write(&overlays, "10-clinic.toml", OVERLAY);
    write(&overlays, "notes.txt~", "not an overlay: ignored");
    let out = run(
        &["scan", "--content-type", "text/plain", "--patterns-d", &d],
        note,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let scanned = text(&out.stdout);
    assert!(!scanned.contains("KITTEN-wxyz"), "{scanned}");
    assert!(scanned.contains("Zebulon Quixote"), "{scanned}");
    let json = br#"{"badgeRef": "plain words here", "note": "fine"}"#;
    let out = run(
        &[
            "scan",
            "--content-type",
            "application/json",
            "--patterns-d",
            &d,
        ],
        json,
    );
    let scanned = text(&out.stdout);
    assert!(!scanned.contains("plain words here"), "{scanned}");
    assert!(scanned.contains("\"ID_"), "{scanned}");

    // A rule whose own example it misses is refused, naming the file and line, not the text.
    write(&overlays, "20-bad.toml", BAD_OVERLAY);
    let out = TestCommand::new(["scan", "--content-type", "text/plain", "--patterns-d", &d])
        .stdin(note)
        .expect_code(64);
    let err = text(&out.stderr);
    assert!(err.contains("20-bad.toml:5:"), "{err}");
    assert!(err.contains("broken"), "{err}");
    assert!(!err.contains("KITTEN-ab"), "{err}");
}

struct Running {
    dir: tempfile::TempDir,
    pki: Pki,
    upstream: Upstream,
    gw: Gateway,
    base: String,
}

/// A gateway with the direct API for callers `emr` (with `caller_extra` in its table) and
/// `ehr`, an overlay directory, and `extra` at the end of its configuration.
async fn start(extra: &str) -> Running {
    start_with("", extra).await
}

async fn start_with(caller_extra: &str, extra: &str) -> Running {
    start_full(caller_extra, extra, &[]).await
}

/// [`start_with`], with extra environment variables for the gateway.
async fn start_full(caller_extra: &str, extra: &str, env: &[(&str, &str)]) -> Running {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let pki = Pki::new("operator test CA");
    let server = pki.leaf(&["localhost", "127.0.0.1"], false);
    write(d, "ca.pem", &pki.ca_pem());
    write(d, "cert.pem", &server.cert_pem);
    write(d, "key.pem", &server.key_pem);
    super::support::write_key(&d.join("master.key"), &"cd".repeat(32));
    let upstream = Upstream::start(&pki.leaf(&["localhost"], false)).await;
    std::fs::create_dir(d.join("patterns.d")).expect("mkdir");
    let up = format!("https://localhost:{}", upstream.addr.port());
    let config = format!(
        r#"patterns_d = "patterns.d"

[[listener]]
listen = "127.0.0.1:0"
cert = "cert.pem"
key = "key.pem"

[admin]
listen = "127.0.0.1:0"

[vault]
dir = "vault"
key_file = "master.key"
backup_dir = "backups"

[[caller]]
name = "emr"
api_key_sha256 = ["{emr}"]
{caller_extra}

[[caller]]
name = "ehr"
api_key_sha256 = ["{ehr}"]

[api]
callers = ["emr", "ehr"]
{extra}
"#,
        emr = sha256_hex("emr-key-1"),
        ehr = sha256_hex("ehr-key-1"),
        extra = extra.replace("{up}", &up),
    );
    write(d, "phigate.toml", &config);
    super::gw_harness::init_vault(d);
    let gw = Gateway::start_with_env(&d.join("phigate.toml"), &d.join("gateway.log"), 1, env);
    let base = format!("https://localhost:{}", gw.listeners[0].port());
    Running {
        dir,
        pki,
        upstream,
        gw,
        base,
    }
}

const EMR: (&str, &str) = ("authorization", "Bearer emr-key-1");
const TEXT: (&str, &str) = ("content-type", "text/plain");

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn analyze_answers_spans_without_text_is_audited_and_a_reloaded_overlay_detects() {
    let r = start("").await;
    let c = client(&r.pki.ca_pem(), None);
    let url = format!("{}/v1/analyze", r.base);
    let note = "Seen: Zebulon Quixote, SSN 219-09-9999, badge KITTEN-wxyz.";

    let a = send(&c, post(&url, &[EMR, TEXT], note.to_string()))
        .await
        .expect("analyze");
    assert_eq!(a.status, 200, "{}", a.body);
    let v = a.json();
    let results = v["results"].as_array().expect("results");
    let ssn = results
        .iter()
        .find(|f| f["type"] == "SSN")
        .expect("an SSN finding");
    assert_eq!(ssn["entity_type"], "US_SSN");
    assert_eq!(ssn["score"], 1.0);
    let (s, e) = (
        ssn["start"].as_u64().expect("start") as usize,
        ssn["end"].as_u64().expect("end") as usize,
    );
    assert_eq!(&note[s..e], "219-09-9999");
    assert!(results.iter().any(|f| f["entity_type"] == "PERSON"));
    for value in ["219-09-9999", "Quixote", "KITTEN"] {
        assert!(!a.body.contains(value), "answer quotes {value}: {}", a.body);
    }

    // JSON: findings carry the value's JSON Pointer.
    let doc = r#"{"patient": {"ssn": "219-09-9999"}, "units": 4}"#;
    let a = send(
        &c,
        post(&url, &[EMR, ("content-type", "application/json")], doc),
    )
    .await
    .expect("analyze json");
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.json()["results"][0]["path"], "/patient/ssn");

    // Authenticated like the rest of the API.
    let refused = send(&c, post(&url, &[TEXT], note.to_string()))
        .await
        .expect("refused");
    assert_eq!(refused.status, 401, "{}", refused.body);

    // An overlay dropped in and reloaded: the badge word is found.
    write(&r.dir.path().join("patterns.d"), "clinic.toml", OVERLAY);
    let (status, body) = r.gw.admin_request(hyper::Method::POST, "/reload").await;
    assert_eq!(status, 200, "{body}");
    let a = send(&c, post(&url, &[EMR, TEXT], note.to_string()))
        .await
        .expect("analyze again");
    let v = a.json();
    let badge = v["results"]
        .as_array()
        .expect("results")
        .iter()
        .find(|f| f["type"] == "ID")
        .unwrap_or_else(|| panic!("the overlay's rule finds the badge: {v}"));
    let s = badge["start"].as_u64().expect("start") as usize;
    assert_eq!(&note[s..s + 11], "KITTEN-wxyz");

    // A bad overlay: check-config names its file and line; a reload keeps the old rules.
    write(&r.dir.path().join("patterns.d"), "zz-bad.toml", BAD_OVERLAY);
    let config = r.dir.path().join("phigate.toml").display().to_string();
    let out = run(&["check-config", &config], b"");
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("zz-bad.toml:5:"),
        "{}",
        text(&out.stderr)
    );
    let (status, body) = r.gw.admin_request(hyper::Method::POST, "/reload").await;
    assert_eq!(status, 409, "{body}");
    assert!(body.contains("zz-bad.toml:5:"), "{body}");

    // Audited as `analyze`, with counts, and no value in the log.
    let logs = r.gw.logs();
    let dir = r.dir.path().to_path_buf();
    assert_eq!(r.gw.stop().code(), Some(0));
    assert!(!logs.contains("219-09-9999"), "{logs}");
    let (audit, key) = (dir.join("vault-audit"), dir.join("master.key"));
    let (a, k) = (audit.display().to_string(), key.display().to_string());
    let out = run(
        &[
            "audit",
            "search",
            "--dir",
            &a,
            "--key-file",
            &k,
            "--action",
            "analyze",
        ],
        b"",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let entries: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("entry"))
        .collect();
    assert_eq!(entries.len(), 3, "{entries:?}");
    assert_eq!(entries[0]["event"]["caller"], "emr");
    assert_eq!(entries[0]["event"]["phi"]["SSN"], 1);
    for f in super::support::walk(&audit) {
        let t = String::from_utf8_lossy(&std::fs::read(&f).expect("read")).into_owned();
        assert!(!t.contains("219-09-9999"), "audit file {}", f.display());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_caller_over_its_rate_limit_gets_429_with_retry_after_and_is_counted() {
    // A sustained rate so low that no token comes back during the test: exactly the burst
    // passes, whatever the machine's speed.
    let r = start_with("rate_limit = { per_second = 0.001, burst = 3 }", "").await;
    let c = client(&r.pki.ca_pem(), None);
    let url = format!("{}/v1/analyze", r.base);
    let mut statuses = Vec::new();
    let mut retry_after = Vec::new();
    for _ in 0..5 {
        let a = send(&c, post(&url, &[EMR, TEXT], "Grip 42 lb."))
            .await
            .expect("answer");
        statuses.push(a.status.as_u16());
        if a.status == 429 {
            assert_eq!(a.headers["content-type"], "application/problem+json");
            assert_eq!(
                a.json()["type"]
                    .as_str()
                    .map(|t| t.ends_with("rate-limited")),
                Some(true)
            );
            retry_after.push(
                a.headers["retry-after"]
                    .to_str()
                    .expect("ascii")
                    .parse::<u64>()
                    .expect("seconds"),
            );
        }
    }
    assert_eq!(statuses, [200, 200, 200, 429, 429]);
    assert!(retry_after.iter().all(|s| *s >= 1), "{retry_after:?}");
    // Another caller has its own (unlimited) budget.
    let other = send(
        &c,
        post(
            &url,
            &[("authorization", "Bearer ehr-key-1"), TEXT],
            "Grip 42 lb.",
        ),
    )
    .await
    .expect("answer");
    assert_eq!(other.status, 200);
    let m = r.gw.metrics().await;
    assert!(
        m.contains("phigate_rate_limited_total{caller=\"emr\"} 2"),
        "{m}"
    );
    // A bad limit is refused by the configuration check, naming its key.
    let bad = std::fs::read_to_string(r.dir.path().join("phigate.toml"))
        .expect("config")
        .replace("burst = 3", "burst = 0");
    write(r.dir.path(), "bad.toml", &bad);
    let out = run(
        &[
            "check-config",
            &r.dir.path().join("bad.toml").display().to_string(),
        ],
        b"",
    );
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("caller[0].rate_limit.burst"),
        "{}",
        text(&out.stderr)
    );
}

/// A TLS upstream on a fixed loopback port that can be killed (listener and every
/// connection closed) and started again on the same port.
struct Killable {
    task: tokio::task::JoinHandle<()>,
}

impl Killable {
    async fn start(pki: &Pki, addr: std::net::SocketAddr) -> Killable {
        use hyper_util::rt::{TokioExecutor, TokioIo};
        use rustls::pki_types::pem::PemObject;
        let leaf = pki.leaf(&["localhost"], false);
        let certs = super::gw_harness::pem_certs(&leaf.cert_pem);
        let key =
            rustls::pki_types::PrivateKeyDer::from_pem_slice(leaf.key_pem.as_bytes()).expect("key");
        let cfg = rustls::ServerConfig::builder_with_provider(std::sync::Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .expect("cert");
        let acceptor = tokio_rustls::TlsAcceptor::from(std::sync::Arc::new(cfg));
        // The port was just freed by the previous instance: binding may take a few tries.
        let mut listener = None;
        for _ in 0..100 {
            match tokio::net::TcpListener::bind(addr).await {
                Ok(l) => {
                    listener = Some(l);
                    break;
                }
                Err(_) => tokio::time::sleep(std::time::Duration::from_millis(50)).await,
            }
        }
        let listener = listener.expect("upstream port free again");
        let task = tokio::spawn(async move {
            // Connections live in this task's set: aborting the task closes them all.
            let mut conns = tokio::task::JoinSet::new();
            while let Ok((tcp, _)) = listener.accept().await {
                let acceptor = acceptor.clone();
                conns.spawn(async move {
                    let Ok(tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let svc = hyper::service::service_fn(|_req| async {
                        Ok::<_, std::convert::Infallible>(hyper::Response::new(
                            http_body_util::Full::new(bytes::Bytes::from_static(b"ok")),
                        ))
                    });
                    let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                        .serve_connection(TokioIo::new(tls), svc)
                        .await;
                });
            }
        });
        Killable { task }
    }

    async fn kill(self) {
        self.task.abort();
        let _ = self.task.await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_upstream_opens_its_circuit_fast_503s_then_a_probe_closes_it() {
    // A free loopback port for the upstream, kept across its restart.
    let addr = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr")
    };
    let extra = format!(
        r#"
[circuit]
failures = 2
cool_down_ms = 300

[[route]]
name = "flaky"
prefix = "/flaky/"
direction = "deidentify"
upstream = "https://localhost:{}/in/"
upstream_ca = "ca.pem"
callers = ["emr"]
"#,
        addr.port()
    );
    let r = start(&extra).await;
    let upstream = Killable::start(&r.pki, addr).await;
    let c = client(&r.pki.ca_pem(), None);
    let url = format!("{}/flaky/x", r.base);
    let call = || async {
        send(&c, post(&url, &[EMR, TEXT], "Grip 42 lb."))
            .await
            .expect("answer")
    };
    assert_eq!(call().await.status, 200, "the upstream is up");

    upstream.kill().await;
    // Two failures in a row (refused connections, or a pooled one found closed) open it.
    for _ in 0..2 {
        assert_eq!(call().await.status, 502);
    }
    let open = call().await;
    assert_eq!(open.status, 503, "{}", open.body);
    assert_eq!(open.headers["content-type"], "application/problem+json");
    assert!(open.json()["type"]
        .as_str()
        .is_some_and(|t| t.ends_with("circuit-open")));
    assert!(open.headers.contains_key("retry-after"));
    let m = r.gw.metrics().await;
    assert!(
        m.contains("phigate_upstream_circuit_open{route=\"flaky\"} 1"),
        "{m}"
    );

    // Back up: once the cool-down is over, a probe gets through and closes the circuit.
    let _upstream = Killable::start(&r.pki, addr).await;
    let mut seen = Vec::new();
    for _ in 0..100 {
        let status = call().await.status.as_u16();
        seen.push(status);
        if status == 200 {
            break;
        }
        assert_eq!(status, 503, "only fast 503s while it cools down: {seen:?}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(seen.last(), Some(&200), "{seen:?}");
    let m = r.gw.metrics().await;
    assert!(
        m.contains("phigate_upstream_circuit_open{route=\"flaky\"} 0"),
        "{m}"
    );
    assert!(!r.gw.logs().contains("Grip 42"), "no body in the logs");
}

#[test]
fn summaries_are_text_on_a_terminal_and_json_when_piped_or_asked() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (v, k) = (dir.path().join("vault"), dir.path().join("master.key"));
    super::support::write_key(&k, &"ef".repeat(32));
    let (v, k) = (v.display().to_string(), k.display().to_string());
    let out = run(&["vault", "init", "--vault", &v, "--key-file", &k], b"");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stats = ["vault", "stats", "--vault", &v, "--key-file", &k];

    // Piped (as here): one JSON line, as scripts always got.
    let out = run(&stats, b"");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON when piped");
    assert_eq!(json["tokens"], 0);
    // Asked for text: aligned `key: value` lines.
    let out = run(&[&stats[..], &["--format", "text"]].concat(), b"");
    let shown = text(&out.stdout);
    assert!(
        shown
            .lines()
            .any(|l| l.starts_with("tokens:") && l.ends_with(" 0")),
        "{shown}"
    );
    assert!(shown.contains("bytes on disk:"), "{shown}");

    // On a terminal (a pseudo-terminal from util-linux `script`): text by default.
    let script = std::process::Command::new("script")
        .args([
            "-qec",
            &format!("{} {}", super::support::bin(), stats.join(" ")),
            "/dev/null",
        ])
        .output();
    match script {
        Ok(out) if out.status.success() => {
            let shown = text(&out.stdout);
            assert!(shown.contains("tokens:"), "{shown}");
            assert!(!shown.contains('{'), "{shown}");
        }
        _ => phigate::note_skipped(
            "operator::summaries_are_text_on_a_terminal",
            "no `script` to give the binary a terminal",
        ),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_online_backup_taken_under_traffic_restores_and_reveals_byte_for_byte() {
    let r = start("policy = \"reversible\"").await;
    let c = client(&r.pki.ca_pem(), None);
    let url = format!("{}/v1/deidentify", r.base);
    let note =
        |i: usize| format!("Patient Zebulon Quixote{i} (MRN 5531{i:04}) called (217) 555-{i:04}.");
    let send_note = |i: usize| {
        let (c, url) = (c.clone(), url.clone());
        async move {
            let a = send(&c, post(&url, &[EMR, TEXT], note(i)))
                .await
                .expect("answer");
            assert_eq!(a.status, 200, "{}", a.body);
            (note(i), a.body)
        }
    };
    let mut before = Vec::new();
    for i in 0..10 {
        before.push(send_note(i).await);
    }
    // The backup (through the command line) while more requests mint new tokens.
    let admin = r.gw.admin.to_string();
    let backup =
        tokio::task::spawn_blocking(move || run(&["vault", "backup", "--admin", &admin], b""));
    let during: Vec<_> = (10..40).map(|i| tokio::spawn(send_note(i))).collect();
    let out = backup.await.expect("backup task");
    assert!(out.status.success(), "{}", text(&out.stderr));
    for t in during {
        t.await.expect("request during the backup");
    }
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON when piped");
    let file = summary["file"].as_str().expect("file").to_string();
    assert!(summary["entries"].as_u64().expect("entries") > 0);
    assert!(
        file.starts_with(&r.dir.path().join("backups").display().to_string()),
        "{file}"
    );
    // Still serving after it.
    assert_eq!(send_note(99).await.0, note(99));

    let dir = r.dir.path().to_path_buf();
    assert_eq!(r.gw.stop().code(), Some(0));
    // The restore drill: a new vault, the backup imported, every record decrypts, and what
    // was tokenised before the backup reveals byte for byte.
    let (k, restored) = (dir.join("master.key"), dir.join("restored"));
    let (k, v) = (k.display().to_string(), restored.display().to_string());
    for args in [
        vec!["vault", "init", "--vault", &v, "--key-file", &k],
        vec![
            "vault",
            "import",
            "--vault",
            &v,
            "--key-file",
            &k,
            "--from",
            &file,
        ],
        vec!["vault", "verify", "--vault", &v, "--key-file", &k],
    ] {
        let out = run(&args, b"");
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
    }
    for (input, output) in &before {
        assert_ne!(input, output, "tokenised");
        let out = run(
            &[
                "reveal",
                "--vault",
                &v,
                "--key-file",
                &k,
                "--content-type",
                "text/plain",
            ],
            output.as_bytes(),
        );
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert_eq!(&text(&out.stdout), input);
    }
    // Audited by the gateway that wrote it.
    let (a, key) = (dir.join("vault-audit").display().to_string(), k.clone());
    let out = run(
        &[
            "audit",
            "search",
            "--dir",
            &a,
            "--key-file",
            &key,
            "--action",
            "vault_export",
        ],
        b"",
    );
    assert!(
        text(&out.stdout).contains("online backup"),
        "{}",
        text(&out.stdout)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn traceparent_is_continued_when_well_formed_and_replaced_otherwise() {
    let r = start(
        r#"
[[route]]
name = "out"
prefix = "/out/"
direction = "deidentify"
upstream = "{up}/in/"
upstream_ca = "ca.pem"
callers = ["emr"]
"#,
    )
    .await;
    let c = client(&r.pki.ca_pem(), None);
    let url = format!("{}/out/x", r.base);
    let good = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    for tp in [
        good,
        "00-Zebulon-Quixote-01",
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
    ] {
        let a = send(
            &c,
            post(
                &url,
                &[
                    EMR,
                    TEXT,
                    ("traceparent", tp),
                    ("tracestate", "who=Quixote"),
                ],
                "Grip 42 lb.",
            ),
        )
        .await
        .expect("answer");
        assert_eq!(a.status, 200, "{}", a.body);
    }
    let seen = r.upstream.take();
    assert_eq!(seen.len(), 3);
    let sent: Vec<String> = seen
        .iter()
        .map(|s| {
            s.headers["traceparent"]
                .to_str()
                .expect("ascii")
                .to_string()
        })
        .collect();
    for s in &seen {
        assert!(!s.headers.contains_key("tracestate"));
    }
    // Continued under a keyed hash of the caller's trace id: its digits never cross.
    assert!(
        !sent[0].contains("4bf92f3577b34da6") && sent[0].ends_with("-01"),
        "{sent:?}"
    );
    assert!(
        !sent[0].contains("00f067aa0ba902b7"),
        "a new parent id: {sent:?}"
    );
    for s in &sent[1..] {
        assert!(
            !s.contains("Quixote") && !s.to_lowercase().contains("4bf92f3577b34da6"),
            "{sent:?}"
        );
        let parts: Vec<&str> = s.split('-').collect();
        assert_eq!(
            parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
            [2, 32, 16, 2],
            "{s}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_posts_need_loopback_or_the_admin_token() {
    let r = start("").await;
    let dir = r.dir.path().to_path_buf();
    assert_eq!(r.gw.stop().code(), Some(0));
    let file = dir.join("phigate.toml");
    let original = std::fs::read_to_string(&file).expect("config");
    let wide = original.replace(
        "[admin]\nlisten = \"127.0.0.1:0\"",
        "[admin]\nlisten = \"0.0.0.0:0\"",
    );
    assert_ne!(wide, original);

    // Not on loopback, no token: reads still work, a reload or backup is refused.
    write(&dir, "phigate.toml", &wide);
    let gw = Gateway::start_with_env(&file, &dir.join("gateway2.log"), 1, &[]);
    let (status, body) = gw.admin_request(hyper::Method::POST, "/reload").await;
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("token_file"), "{body}");
    let (status, _) = gw.admin_request(hyper::Method::POST, "/vault/export").await;
    assert_eq!(status, 403);
    assert!(gw.metrics().await.contains("phigate_build_info"));
    assert_eq!(gw.stop().code(), Some(0));

    // With a token file: only requests carrying the token act.
    write(&dir, "admin.token", "0123456789abcdef-operator-token\n");
    let tokened = wide.replace(
        "[admin]\nlisten = \"0.0.0.0:0\"",
        "[admin]\nlisten = \"0.0.0.0:0\"\ntoken_file = \"admin.token\"",
    );
    write(&dir, "phigate.toml", &tokened);
    let gw = Gateway::start_with_env(&file, &dir.join("gateway3.log"), 1, &[]);
    let (status, _) = gw.admin_request(hyper::Method::POST, "/reload").await;
    assert_eq!(status, 403, "no token");
    let admin = gw.admin.to_string();
    let out = TestCommand::new(["reload", "--admin", &admin]).expect_code(1);
    assert!(
        text(&out.stderr).contains("no admin token"),
        "{}",
        text(&out.stderr)
    );
    let token_file = dir.join("admin.token");
    let out = TestCommand::new(["reload", "--admin", &admin])
        .env("PHIGATE_ADMIN_TOKEN_FILE", &token_file)
        .expect_success();
    assert!(
        text(&out.stdout).starts_with("reloaded:"),
        "{}",
        text(&out.stdout)
    );
    write(&dir, "wrong.token", "not-the-right-token-at-all\n");
    let out = TestCommand::new(["reload", "--admin", &admin])
        .env("PHIGATE_ADMIN_TOKEN_FILE", dir.join("wrong.token"))
        .expect_code(1);
    assert!(
        text(&out.stderr).contains("wrong admin token"),
        "{}",
        text(&out.stderr)
    );
    assert!(
        !gw.logs().contains("operator-token"),
        "the token is never logged"
    );
    assert_eq!(gw.stop().code(), Some(0));
}

/// What an OTLP/HTTP collector on loopback received: each POST's path, content type and
/// body.
type Received = std::sync::Arc<std::sync::Mutex<Vec<(String, String, bytes::Bytes)>>>;

/// A plain-http OTLP collector on loopback: answers every POST with an empty 200 (an empty
/// `ExportTraceServiceResponse` is a full success) and keeps what it got.
async fn start_collector() -> (std::net::SocketAddr, Received) {
    use http_body_util::BodyExt;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let received: Received = Received::default();
    let keep = std::sync::Arc::clone(&received);
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let keep = std::sync::Arc::clone(&keep);
            tokio::spawn(async move {
                let svc = hyper::service::service_fn(
                    move |req: hyper::Request<hyper::body::Incoming>| {
                        let keep = std::sync::Arc::clone(&keep);
                        async move {
                            let path = req.uri().path().to_string();
                            let ct = req
                                .headers()
                                .get("content-type")
                                .and_then(|v| v.to_str().ok())
                                .unwrap_or("")
                                .to_string();
                            let body = req.into_body().collect().await?.to_bytes();
                            keep.lock().expect("lock").push((path, ct, body));
                            let mut resp = hyper::Response::new(http_body_util::Full::new(
                                bytes::Bytes::new(),
                            ));
                            resp.headers_mut().insert(
                                "content-type",
                                hyper::header::HeaderValue::from_static("application/x-protobuf"),
                            );
                            Ok::<_, hyper::Error>(resp)
                        }
                    },
                );
                let _ = hyper_util::server::conn::auto::Builder::new(
                    hyper_util::rt::TokioExecutor::new(),
                )
                .serve_connection(hyper_util::rt::TokioIo::new(tcp), svc)
                .await;
            });
        }
    });
    (addr, received)
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

fn holds(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spans_reach_an_otlp_collector_under_the_callers_trace_without_phi() {
    let (collector, received) = start_collector().await;
    let r = start(&format!(
        r#"
[[route]]
name = "out"
prefix = "/out/"
direction = "deidentify"
upstream = "{{up}}/in/"
upstream_ca = "ca.pem"
callers = ["emr"]

[otel]
endpoint = "http://{collector}"
service_name = "phigate-test"
"#
    ))
    .await;
    let c = client(&r.pki.ca_pem(), None);
    // PHI in the path, the query and the body: none of it may reach the collector.
    let url = format!("{}/out/Quixote?patient=Zebulon+Quixote", r.base);
    let trace = "5a1e2b3c4d5e6f708192a3b4c5d6e7f8";
    let caller_parent = "1122334455667788";
    let tp = format!("00-{trace}-{caller_parent}-01");
    let a = send(
        &c,
        post(
            &url,
            &[EMR, TEXT, ("traceparent", tp.as_str())],
            "Zebulon Quixote, SSN 219-09-9999, grip 42 lb.",
        ),
    )
    .await
    .expect("answer");
    assert_eq!(a.status, 200, "{}", a.body);
    let seen = r.upstream.take();
    assert_eq!(seen.len(), 1);
    let sent = seen[0].headers["traceparent"]
        .to_str()
        .expect("ascii")
        .to_string();
    // The upstream is told a keyed hash of the caller's trace id, never the id itself.
    assert!(sent.starts_with("00-") && !sent.contains(trace), "{sent}");
    let upstream_span = sent.split('-').nth(2).expect("parent id").to_string();

    // The last batch is sent when the gateway stops.
    let logs_before_stop = r.gw.logs();
    assert_eq!(r.gw.stop().code(), Some(0));
    let got = received.lock().expect("lock").clone();
    assert!(
        !got.is_empty(),
        "the collector received nothing: {logs_before_stop}"
    );
    let mut all = Vec::new();
    for (path, ct, body) in &got {
        assert_eq!(path, "/v1/traces");
        assert_eq!(ct, "application/x-protobuf");
        all.extend_from_slice(body);
    }
    // Protobuf carries ids as raw bytes and names as UTF-8.
    assert!(
        holds(&all, &unhex(trace)),
        "the caller's trace id is missing"
    );
    assert!(
        holds(&all, &unhex(caller_parent)),
        "the caller's span is not the parent"
    );
    assert!(
        holds(&all, &unhex(&upstream_span)),
        "the upstream was told a span that was not exported"
    );
    for name in [
        "request",
        "detect",
        "vault",
        "audit write",
        "upstream",
        "phigate-test",
    ] {
        assert!(holds(&all, name.as_bytes()), "no `{name}` in the export");
    }
    assert!(holds(&all, b"emr"), "the caller is an attribute");
    for phi in ["Zebulon", "Quixote", "219-09-9999", "patient="] {
        assert!(
            !holds(&all, phi.as_bytes()),
            "`{phi}` reached the collector"
        );
    }
    // The log lines do not carry the spans.
    assert!(
        !logs_before_stop.contains("audit write"),
        "{logs_before_stop}"
    );
}

#[test]
fn check_config_validates_the_otel_section() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let pki = Pki::new("otel check CA");
    let leaf = pki.leaf(&["localhost"], false);
    write(d, "cert.pem", &leaf.cert_pem);
    write(d, "key.pem", &leaf.key_pem);
    super::support::write_key(&d.join("master.key"), &"cd".repeat(32));
    let (v, k) = (d.join("vault"), d.join("master.key"));
    TestCommand::new([
        "vault",
        "init",
        "--vault",
        v.to_str().expect("path"),
        "--key-file",
        k.to_str().expect("path"),
    ])
    .expect_success();
    let base = r#"
[[listener]]
listen = "127.0.0.1:0"
cert = "cert.pem"
key = "key.pem"

[vault]
dir = "vault"
key_file = "master.key"
"#;
    let check = |otel: &str| {
        write(d, "phigate.toml", &format!("{base}\n[otel]\n{otel}\n"));
        TestCommand::new([
            "check-config",
            "--format",
            "json",
            d.join("phigate.toml").to_str().expect("path"),
        ])
        .output()
    };
    let bad = check(
        "endpoint = \"http://user:secret@collector:4318\"\ntimeout_ms = 0\nca = \"missing-ca.pem\"",
    );
    assert_eq!(bad.status.code(), Some(64), "{}", text(&bad.stderr));
    let err = text(&bad.stderr);
    assert!(err.contains("otel.endpoint"), "{err}");
    assert!(err.contains("otel.timeout_ms"), "{err}");
    assert!(!err.contains("secret"), "{err}");
    let missing_ca = check("endpoint = \"https://collector:4318\"\nca = \"missing-ca.pem\"");
    assert_ne!(missing_ca.status.code(), Some(0));
    assert!(
        text(&missing_ca.stderr).contains("[otel] ca"),
        "{}",
        text(&missing_ca.stderr)
    );
    let good = check("endpoint = \"http://127.0.0.1:4318\"");
    assert_eq!(good.status.code(), Some(0), "{}", text(&good.stderr));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn systemd_is_told_ready_once_serving_and_stopping_on_sigterm() {
    let sockets = tempfile::tempdir().expect("tempdir");
    let path = sockets.path().join("notify");
    let sock = std::os::unix::net::UnixDatagram::bind(&path).expect("bind");
    // A bound on waiting for a datagram that never comes, not a timing assertion.
    sock.set_read_timeout(Some(std::time::Duration::from_secs(60)))
        .expect("timeout");
    let notify = path.to_str().expect("path");
    let r = start_full("", "", &[("NOTIFY_SOCKET", notify)]).await;
    let mut buf = [0u8; 256];
    let n = sock.recv(&mut buf).expect("READY=1 from the gateway");
    assert_eq!(&buf[..n], b"READY=1\n");
    // Ready means serving.
    let c = client(&r.pki.ca_pem(), None);
    let url = format!("{}/v1/analyze", r.base);
    let a = send(&c, post(&url, &[EMR, TEXT], "Grip 42 lb."))
        .await
        .expect("answer");
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(r.gw.stop().code(), Some(0));
    let n = sock.recv(&mut buf).expect("STOPPING=1 from the gateway");
    assert_eq!(&buf[..n], b"STOPPING=1\n");
}

#[test]
fn dev_mode_off_loopback_warns_loudly() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut child = std::process::Command::new(super::support::bin())
        .args(["serve", "--dev", "--threads", "1", "--listen", "0.0.0.0:0"])
        .args(["--admin-listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path().join("data"))
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let stderr = std::io::BufReader::new(child.stderr.take().expect("stderr"));
    let mut seen = String::new();
    let mut warned = false;
    // Read until the warning, or until the process ends and closes standard error.
    for line in stderr.lines().map_while(Result::ok) {
        seen.push_str(&line);
        seen.push('\n');
        if line.contains("WARNING: dev mode listening on 0.0.0.0") {
            warned = true;
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(warned, "no warning: {seen}");
    assert!(
        seen.contains("the direct API is off") && seen.contains("Never for real data"),
        "{seen}"
    );
}

/// The metric names in a PromQL expression (`phigate_…`, `process_…`).
fn metric_names(expr: &str) -> impl Iterator<Item = String> + '_ {
    expr.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| w.starts_with("phigate_") || w.starts_with("process_"))
        .map(str::to_string)
}

/// Whether `/metrics` exports `name`: a sample, or the family's `# TYPE` line (a counter
/// with no labelled sample yet).
fn exported(metrics: &str, name: &str) -> bool {
    metrics.lines().any(|l| {
        (l.starts_with(name) && l[name.len()..].starts_with(['{', ' ']))
            || l.strip_prefix("# TYPE ")
                .is_some_and(|t| t.split(' ').next() == Some(name))
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_grafana_dashboard_and_prometheus_rules_name_only_exported_metrics() {
    let r = start_with(
        "rate_limit = { per_second = 100, burst = 100 }",
        r#"
[[route]]
name = "out"
prefix = "/out/"
direction = "deidentify"
upstream = "{up}/in/"
upstream_ca = "ca.pem"
callers = ["emr"]
"#,
    )
    .await;
    let c = client(&r.pki.ca_pem(), None);
    let a = send(
        &c,
        post(
            &format!("{}/out/x", r.base),
            &[EMR, TEXT],
            "Zebulon Quixote, grip 42 lb.",
        ),
    )
    .await
    .expect("answer");
    assert_eq!(a.status, 200, "{}", a.body);
    let refused = send(&c, post(&format!("{}/out/x", r.base), &[TEXT], "x"))
        .await
        .expect("answer");
    assert_eq!(refused.status, 401, "{}", refused.body);
    let metrics = r.gw.metrics().await;
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));

    // The dashboard: JSON, with Prometheus queries in every panel.
    let text = std::fs::read_to_string(repo.join("deploy/grafana/phigate-dashboard.json"))
        .expect("dashboard");
    let dash: serde_json::Value = serde_json::from_str(&text).expect("dashboard JSON");
    let panels = dash["panels"].as_array().expect("panels");
    assert!(panels.len() >= 10, "{} panels", panels.len());
    let mut named = std::collections::BTreeSet::new();
    for p in panels {
        let targets = p["targets"].as_array().expect("targets");
        assert!(!targets.is_empty(), "panel {} has no query", p["title"]);
        for t in targets {
            let expr = t["expr"].as_str().expect("expr");
            assert!(expr.contains("job=\"$job\""), "{expr}: not scoped to $job");
            named.extend(metric_names(expr));
        }
    }
    for must in [
        "phigate_requests_total",
        "phigate_request_duration_seconds_bucket",
        "phigate_upstream_duration_seconds_bucket",
        "phigate_audit_healthy",
        "phigate_certificate_expiry_timestamp_seconds",
    ] {
        assert!(named.contains(must), "the dashboard does not show {must}");
    }
    for name in &named {
        assert!(
            exported(&metrics, name),
            "the dashboard names `{name}`, which /metrics does not export"
        );
    }

    // The PrometheusRule holds exactly the plain rule file's groups.
    let load = |p: &str| {
        let t = std::fs::read_to_string(repo.join(p)).expect("rules");
        yaml_rust2::YamlLoader::load_from_str(&t).expect("yaml")
    };
    let plain = load("deploy/prometheus/phigate-alerts.yaml");
    let crd = load("deploy/prometheus/phigate-prometheusrule.yaml");
    assert_eq!(crd[0]["kind"].as_str(), Some("PrometheusRule"));
    assert_eq!(
        crd[0]["apiVersion"].as_str(),
        Some("monitoring.coreos.com/v1")
    );
    assert_eq!(crd[0]["spec"]["groups"], plain[0]["groups"]);
    for group in plain[0]["groups"].as_vec().expect("groups") {
        for rule in group["rules"].as_vec().expect("rules") {
            for name in metric_names(rule["expr"].as_str().expect("expr")) {
                assert!(
                    exported(&metrics, &name),
                    "rule names `{name}`, not exported"
                );
            }
        }
    }
}
