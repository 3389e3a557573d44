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
    _upstream: Upstream,
    gw: Gateway,
    base: String,
}

/// A gateway with the direct API for caller `emr`, an overlay directory, and `extra` at the
/// end of its configuration.
async fn start(extra: &str) -> Running {
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

[[caller]]
name = "emr"
api_key_sha256 = ["{emr}"]

[api]
callers = ["emr"]
{extra}
"#,
        emr = sha256_hex("emr-key-1"),
        extra = extra.replace("{up}", &up),
    );
    write(d, "phigate.toml", &config);
    super::gw_harness::init_vault(d);
    let gw = Gateway::start_with_env(&d.join("phigate.toml"), &d.join("gateway.log"), 1, &[]);
    let base = format!("https://localhost:{}", gw.listeners[0].port());
    Running {
        dir,
        pki,
        _upstream: upstream,
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
