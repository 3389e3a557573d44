//! The real gateway on loopback: both directions, every channel that may carry PHI, every
//! kind of caller authentication, bad input, limits, reload and shutdown. PHI canaries
//! (synthetic) must never reach an outside upstream, a response to the outside, or a log.

use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use bytes::Bytes;
use http_body_util::Full;
use hyper::Request;

use super::gw_harness::{client, post, send, sha256_hex, Gateway, InProcess, Leaf, Pki, Upstream};

/// Synthetic PHI that must never cross outward.
const CANARIES: &[&str] = &[
    "Zebulon",
    "Quixote",
    "219-09-9999",
    "555-0143",
    "zq.canary@example.org",
    "48213377",
];

const WEBHOOK_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const DESTINATION_SECRET: &str = "whsec_c2VjcmV0LWZvci10aGUtZGVzdGluYXRpb24=";
const STRIPE_SECRET: &str = "whsec_stripe_test_secret";

fn note() -> String {
    "Patient Zebulon Quixote (MRN 48213377, SSN 219-09-9999) seen 03/14/2025; \
     call (217) 555-0143 or zq.canary@example.org. Grip 42 lb, goals updated."
        .to_string()
}

fn fhir() -> String {
    serde_json::json!({
        "resourceType": "Bundle", "type": "collection",
        "entry": [{"resource": {
            "resourceType": "Patient", "id": "p1",
            "identifier": [{"type": {"coding": [{"code": "MR"}]}, "value": "48213377"}],
            "name": [{"family": "Quixote", "given": ["Zebulon"]}],
            "telecom": [{"system": "phone", "value": "(217) 555-0143"}],
            "birthDate": "1951-02-03"
        }}, {"resource": {
            "resourceType": "Observation", "id": "o1", "status": "final",
            "subject": {"reference": "Patient/p1"},
            "note": [{"text": "Zebulon Quixote tolerated 97530 well."}]
        }}]
    })
    .to_string()
}

fn assert_no_canary(what: &str, text: &str) {
    for c in CANARIES {
        assert!(!text.contains(c), "{what} holds the canary {c:?}:\n{text}");
    }
}

struct Setup {
    _dir: tempfile::TempDir,
    pki: Pki,
    client_leaf: Leaf,
    upstream: Upstream,
    gw: Gateway,
    base: String,
    strict_base: String,
}

/// Writes the test PKI and a configuration exercising every route kind, and starts both
/// the upstream and the gateway.
async fn setup(extra: &str) -> Setup {
    setup_full(extra, "", &[]).await
}

/// `extra` goes into `[limits]`, `tail` at the end of the file, `env` to the process.
async fn setup_full(extra: &str, tail: &str, env: &[(&str, &str)]) -> Setup {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let (pki, upstream) = pki_key_and_upstream(d, "phigate test CA").await;
    let client_leaf = pki.leaf(&["emr.clinic.test"], true);
    let up = format!("https://localhost:{}", upstream.addr.port());
    let config = format!(
        r#"
[[listener]]
listen = "127.0.0.1:0"
cert = "cert.pem"
key = "key.pem"
client_ca = "ca.pem"

[[listener]]
listen = "127.0.0.1:0"
cert = "cert.pem"
key = "key.pem"
client_ca = "ca.pem"
client_auth = "required"

[admin]
listen = "127.0.0.1:0"

[vault]
dir = "vault"
key_file = "master.key"

[limits]
max_decompression_ratio = 20
max_body_bytes = 262144
{extra}

[timeouts]
body_ms = 1500
request_head_ms = 1500
shutdown_grace_ms = 10000

[log]
format = "json"
level = "debug"

[[caller]]
name = "emr"
api_key_sha256 = ["{emr}"]

[[caller]]
name = "zap"
api_key_sha256 = ["{zap}"]

[[caller]]
name = "hooks"
webhook = {{ scheme = "standard", secret = "{WEBHOOK_SECRET}" }}

[[caller]]
name = "stripe"
webhook = {{ scheme = "stripe", secret = "{STRIPE_SECRET}" }}

[[caller]]
name = "clinic-cert"
mtls_dns_name = "emr.clinic.test"

[api]
callers = ["emr"]
reveal = {{ emr = ["NAME"] }}

[[route]]
name = "hooks"
prefix = "/hooks/"
direction = "deidentify"
upstream = "{up}/outside/"
upstream_ca = "ca.pem"
domain = "automation"
callers = ["emr", "hooks", "stripe", "clinic-cert"]
scan_headers = ["x-patient"]
pass_headers = ["x-trace"]
sign = {{ scheme = "standard", secret = "{DESTINATION_SECRET}" }}

[[route]]
name = "small"
prefix = "/small/"
direction = "deidentify"
upstream = "{up}/outside/"
upstream_ca = "ca.pem"
callers = ["emr"]
max_body_bytes = 1024

[[route]]
name = "callback"
prefix = "/callback/"
direction = "reidentify"
upstream = "{up}/emr/"
upstream_ca = "ca.pem"
domain = "automation"
callers = ["zap"]
reveal = {{ zap = ["MRN"] }}

[[route]]
name = "down"
prefix = "/down/"
direction = "deidentify"
upstream = "https://127.0.0.1:1/"
callers = ["emr"]
"#,
        emr = sha256_hex("emr-key-1"),
        zap = sha256_hex("zap-key-1"),
    );
    let config = format!("{config}\n{}\n", tail.replace("{up}", &up));
    write(d, "phigate.toml", &config);
    super::gw_harness::init_vault(d);
    let gw = Gateway::start_with_env(&d.join("phigate.toml"), &d.join("gateway.log"), 2, env);
    let base = format!("https://localhost:{}", gw.listeners[0].port());
    let strict_base = format!("https://localhost:{}", gw.listeners[1].port());
    Setup {
        _dir: dir,
        pki,
        client_leaf,
        upstream,
        gw,
        base,
        strict_base,
    }
}

/// Writes a test CA (`ca.pem`), the gateway's certificate (`cert.pem`, `key.pem`) and the
/// master key into `d`, and starts an upstream with a certificate of the same CA.
async fn pki_key_and_upstream(d: &Path, ca_name: &str) -> (Pki, Upstream) {
    let pki = Pki::new(ca_name);
    let server = pki.leaf(&["localhost", "127.0.0.1"], false);
    write(d, "ca.pem", &pki.ca_pem());
    write(d, "cert.pem", &server.cert_pem);
    write(d, "key.pem", &server.key_pem);
    super::support::write_key(&d.join("master.key"), &"ab".repeat(32));
    let upstream = Upstream::start(&pki.leaf(&["localhost"], false)).await;
    (pki, upstream)
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).expect("write");
}

const EMR: (&str, &str) = ("authorization", "Bearer emr-key-1");
const ZAP: (&str, &str) = ("x-api-key", "zap-key-1");
const FHIR_JSON: (&str, &str) = ("content-type", "application/fhir+json");
const TEXT: (&str, &str) = ("content-type", "text/plain");

fn standard_signature(secret: &str, id: &str, ts: u64, body: &[u8]) -> String {
    let key = base64::engine::general_purpose::STANDARD
        .decode(secret.trim_start_matches("whsec_"))
        .expect("secret");
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &key);
    let mut msg = format!("{id}.{ts}.").into_bytes();
    msg.extend_from_slice(body);
    let tag = ring::hmac::sign(&key, &msg);
    format!(
        "v1,{}",
        base64::engine::general_purpose::STANDARD.encode(tag.as_ref())
    )
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_secs()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outbound_webhooks_lose_their_phi_on_every_channel() {
    let s = setup("").await;
    let c = client(&s.pki.ca_pem(), None);

    // FHIR body, path segment, query string and a scanned header, all with PHI.
    let req = post(
        &format!(
            "{}/hooks/patients/Zebulon%20Quixote/notes?patient_name=Zebulon+Quixote&mrn=48213377&kind=progress&zq.canary@example.org",
            s.base
        ),
        &[EMR, FHIR_JSON, ("x-patient", "Zebulon Quixote"), ("x-trace", "t-1"), ("x-secret-other", "Zebulon")],
        fhir(),
    );
    let a = send(&c, req).await.expect("request");
    assert_eq!(a.status, 200, "{}", a.body);
    let seen = s.upstream.take();
    assert_eq!(seen.len(), 1);
    let got = &seen[0];
    assert_no_canary("what the upstream received", &got.everything());
    assert!(
        got.uri.contains("/outside/patients/NAME_"),
        "path segment tokenised: {}",
        got.uri
    );
    assert!(
        got.uri.contains("kind=progress"),
        "harmless query kept: {}",
        got.uri
    );
    assert!(got.headers["x-patient"]
        .to_str()
        .expect("ascii")
        .starts_with("NAME_"));
    assert_eq!(got.headers["x-trace"], "t-1", "pass-through header kept");
    assert!(
        got.headers.get("x-secret-other").is_none(),
        "unlisted headers stay behind"
    );
    assert!(
        got.headers.get("authorization").is_none(),
        "credentials stay behind"
    );
    assert!(got.headers.contains_key("x-request-id"));
    let body: serde_json::Value = serde_json::from_slice(&got.body).expect("forwarded JSON");
    let family = &body["entry"][0]["resource"]["name"][0]["family"];
    assert!(
        family.as_str().expect("family").starts_with("NAME_"),
        "{body}"
    );
    assert_eq!(
        body["entry"][1]["resource"]["status"], "final",
        "clinical content kept"
    );

    // The forwarded body is re-signed with the destination's secret.
    let id = got.headers["webhook-id"].to_str().expect("id");
    let ts: u64 = got.headers["webhook-timestamp"]
        .to_str()
        .expect("ts")
        .parse()
        .expect("ts");
    assert_eq!(
        got.headers["webhook-signature"].to_str().expect("sig"),
        standard_signature(DESTINATION_SECRET, id, ts, &got.body)
    );

    // The same value gets the same token on the next request (deterministic).
    let a = send(
        &c,
        post(&format!("{}/hooks/n", s.base), &[EMR, TEXT], note()),
    )
    .await
    .expect("request");
    assert_eq!(a.status, 200);
    let text = String::from_utf8_lossy(&s.upstream.take()[0].body).into_owned();
    assert_no_canary("text webhook", &text);
    let family_token = family.as_str().expect("token");
    assert!(text.contains("MRN_"), "{text}");
    let _ = family_token;

    // Gzip bodies are decoded, then de-identified.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, note().as_bytes()).expect("gzip");
    let gz = gz.finish().expect("gzip");
    let a = send(
        &c,
        post(
            &format!("{}/hooks/gz", s.base),
            &[EMR, TEXT, ("content-encoding", "gzip")],
            gz,
        ),
    )
    .await
    .expect("request");
    assert_eq!(a.status, 200, "{}", a.body);
    let seen = s.upstream.take();
    assert_no_canary("gzip webhook", &seen[0].everything());
    assert!(
        seen[0].headers.get("content-encoding").is_none(),
        "forwarded decoded"
    );

    // The direct API.
    let a = send(
        &c,
        post(&format!("{}/v1/deidentify", s.base), &[EMR, TEXT], note()),
    )
    .await
    .expect("api");
    assert_eq!(a.status, 200);
    assert_no_canary("API answer", &a.body);
    assert_eq!(a.body.matches("MRN_").count(), 1, "{}", a.body);
    assert!(s.upstream.take().is_empty(), "the API forwards nothing");

    let metrics = s.gw.metrics().await;
    assert!(
        metrics.contains("phigate_requests_total{route=\"hooks\",outcome=\"forwarded\"} 3"),
        "{metrics}"
    );
    assert!(metrics.contains("phigate_phi_found_total{type=\"NAME\"}"));
    assert_no_canary("metrics", &metrics);
    let logs = s.gw.logs();
    assert_eq!(s.gw.stop().code(), Some(0), "clean exit on SIGTERM");
    assert!(logs.contains("\"request_id\""), "JSON request logs: {logs}");
    assert_no_canary("the gateway's log", &logs);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn callbacks_reveal_only_what_the_caller_may_see_and_answers_leave_de_identified() {
    let s = setup("").await;
    let c = client(&s.pki.ca_pem(), None);
    // Mint tokens for a name and an MRN in the route's domain (through the outbound route).
    let a = send(
        &c,
        post(&format!("{}/hooks/n", s.base), &[EMR, TEXT], note()),
    )
    .await
    .expect("mint");
    assert_eq!(a.status, 200);
    let out = String::from_utf8_lossy(&s.upstream.take()[0].body).into_owned();
    let token = |prefix: &str| -> String {
        let i = out
            .find(prefix)
            .unwrap_or_else(|| panic!("{prefix} in {out}"));
        out[i..i + prefix.len() + 10].to_string()
    };
    let (name, mrn) = (token("NAME_"), token("MRN_"));

    let body =
        serde_json::json!({"patient": name, "mrn": mrn, "forged": "NAME_0000000000"}).to_string();
    let a = send(
        &c,
        post(
            &format!("{}/callback/progress?mrn={mrn}", s.base),
            &[ZAP, ("content-type", "application/json")],
            body,
        ),
    )
    .await
    .expect("callback");
    assert_eq!(a.status, 200, "{}", a.body);
    let seen = s.upstream.take();
    let inside: serde_json::Value = serde_json::from_slice(&seen[0].body).expect("json");
    assert_eq!(
        inside["mrn"], "48213377",
        "MRN revealed to the EMR: {inside}"
    );
    assert_eq!(
        inside["patient"],
        name.as_str(),
        "NAME is not in zap's reveal list"
    );
    assert_eq!(
        inside["forged"], "NAME_0000000000",
        "unknown tokens pass unchanged"
    );
    assert!(
        seen[0].uri.ends_with("?mrn=48213377"),
        "query revealed: {}",
        seen[0].uri
    );

    // The EMR's answer (an echo holding the real MRN) is de-identified on its way out.
    assert_no_canary("the answer to the outside", &a.body);
    assert!(
        a.headers.get("x-patient-name").is_none(),
        "the clinic's headers stay inside"
    );
    let answer = a.json();
    assert_eq!(answer["mrn"], mrn.as_str(), "same token again: {answer}");
    // Only tokens of the consonant alphabet are spared on the way out: a token-shaped
    // string with digits may be a value dressed as a token (red team 51, G12).
    assert_ne!(
        answer["forged"], "NAME_0000000000",
        "a forged token with digits is read as a value: {answer}"
    );

    // The API reveals by the API's rules: NAME only.
    let a = send(
        &c,
        post(
            &format!("{}/v1/reidentify", s.base),
            &[EMR, TEXT],
            format!("{name} {mrn}"),
        ),
    )
    .await
    .expect("api");
    assert_eq!(a.body, format!("Zebulon Quixote {mrn}"));

    let m = s.gw.metrics().await;
    assert!(m.contains("phigate_reveals_refused_total 2"), "{m}");
    assert!(m.contains("phigate_tokens_revealed_total 3"), "{m}");

    // The audit trail: intact, searchable by a plain identifier, free of PHI.
    let dir = s.gw.log.parent().expect("dir").to_path_buf();
    assert_eq!(s.gw.stop().code(), Some(0));
    let (audit, key) = (dir.join("vault-audit"), dir.join("master.key"));
    let (a, k) = (audit.display().to_string(), key.display().to_string());
    let out = super::support::run(&["audit", "verify", "--dir", &a, "--key-file", &k], b"");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let search = |args: &[&str]| -> Vec<serde_json::Value> {
        let mut all = vec!["audit", "search", "--dir", &a, "--key-file", &k];
        all.extend_from_slice(args);
        let out = super::support::run(&all, b"");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| serde_json::from_str(l).expect("entry"))
            .collect()
    };
    let hits = search(&["--identifier", "48213377", "--type", "MRN"]);
    let actions: Vec<&str> = hits
        .iter()
        .filter_map(|e| e["event"]["action"].as_str())
        .collect();
    assert!(
        actions.contains(&"tokenize") && actions.contains(&"reveal"),
        "{actions:?}"
    );
    let refused = search(&["--action", "reveal_refused", "--caller", "zap"]);
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert_eq!(refused[0]["event"]["phi"]["NAME"], 1);
    assert_eq!(refused[0]["event"]["tokens"][0], name.as_str());
    for f in super::support::walk(&audit) {
        let text = String::from_utf8_lossy(&std::fs::read(&f).expect("read")).into_owned();
        assert_no_canary(&format!("audit file {}", f.display()), &text);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_authentication_failure_is_refused_and_nothing_is_forwarded() {
    let s = setup("").await;
    let c = client(&s.pki.ca_pem(), None);
    let url = format!("{}/hooks/x", s.base);
    let body = note();
    let check = |what: &'static str, status: u16| {
        move |a: super::gw_harness::Answer| {
            assert_eq!(a.status, status, "{what}: {}", a.body);
            assert_eq!(
                a.headers["content-type"], "application/problem+json",
                "{what}"
            );
            assert_no_canary(what, &a.body);
        }
    };
    check("no credentials", 401)(
        send(&c, post(&url, &[TEXT], body.clone()))
            .await
            .expect("r"),
    );
    check("wrong key", 401)(
        send(
            &c,
            post(
                &url,
                &[TEXT, ("authorization", "Bearer nope")],
                body.clone(),
            ),
        )
        .await
        .expect("r"),
    );
    let forbidden = send(&c, post(&url, &[TEXT, ZAP], body.clone()))
        .await
        .expect("r");
    assert_eq!(
        forbidden.json()["title"],
        "Not allowed on this route",
        "a known caller on the wrong route is not 'not authenticated'"
    );
    check("caller not on route", 403)(forbidden);

    // Standard Webhooks: good, tampered, stale, replayed.
    let ts = now();
    let sig = standard_signature(WEBHOOK_SECRET, "msg_1", ts, body.as_bytes());
    let ts_s = ts.to_string();
    let signed = |sig: &str, ts: &str| {
        post(
            &url,
            &[
                TEXT,
                ("webhook-id", "msg_1"),
                ("webhook-timestamp", ts),
                ("webhook-signature", sig),
            ],
            body.clone(),
        )
    };
    let ok = send(&c, signed(&sig, &ts_s)).await.expect("r");
    assert_eq!(ok.status, 200, "{}", ok.body);
    check("replayed webhook", 401)(send(&c, signed(&sig, &ts_s)).await.expect("r"));
    let tampered = standard_signature(WEBHOOK_SECRET, "msg_1", ts, b"other body");
    check("bad signature", 401)(send(&c, signed(&tampered, &ts_s)).await.expect("r"));
    let old = (ts - 3600).to_string();
    let stale = standard_signature(WEBHOOK_SECRET, "msg_1", ts - 3600, body.as_bytes());
    check("stale timestamp", 401)(send(&c, signed(&stale, &old)).await.expect("r"));

    // Stripe-style.
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, STRIPE_SECRET.as_bytes());
    let tag = ring::hmac::sign(&key, format!("{ts}.{body}").as_bytes());
    let hex: String = tag.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    let stripe = |h: String| {
        post(
            &url,
            &[TEXT, ("stripe-signature", h.as_str())],
            body.clone(),
        )
    };
    assert_eq!(
        send(&c, stripe(format!("t={ts},v1={hex}")))
            .await
            .expect("r")
            .status,
        200
    );
    check("stripe replay", 401)(
        send(&c, stripe(format!("t={ts},v1={hex}")))
            .await
            .expect("r"),
    );
    check("stripe bad", 401)(
        send(&c, stripe(format!("t={ts},v1={}", "0".repeat(64))))
            .await
            .expect("r"),
    );

    // Mutual TLS: the client certificate identifies the caller; without one, refused.
    let with_cert = client(&s.pki.ca_pem(), Some(&s.client_leaf));
    let a = send(&with_cert, post(&url, &[TEXT], body.clone()))
        .await
        .expect("mtls");
    assert_eq!(a.status, 200, "{}", a.body);
    let other = s.pki.leaf(&["someone.else.test"], true);
    let a = send(
        &client(&s.pki.ca_pem(), Some(&other)),
        post(&url, &[TEXT], body.clone()),
    )
    .await
    .expect("r");
    assert_eq!(a.status, 401, "a certificate for another name: {}", a.body);
    let strict = format!("{}/hooks/x", s.strict_base);
    assert!(
        send(&c, post(&strict, &[TEXT, EMR], body.clone()))
            .await
            .is_err(),
        "the mTLS-required listener refuses a handshake without a client certificate"
    );
    let a = send(&with_cert, post(&strict, &[TEXT], body.clone()))
        .await
        .expect("mtls strict");
    assert_eq!(a.status, 200);

    assert_eq!(
        s.upstream.take().len(),
        4,
        "only the four authenticated requests crossed"
    );
    let m = s.gw.metrics().await;
    assert!(
        m.contains("phigate_requests_total{route=\"hooks\",outcome=\"auth\"} 9"),
        "{m}"
    );
    let logs = s.gw.logs();
    assert!(logs.contains("authentication failed"), "{logs}");
    assert_no_canary("log", &logs);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_fails_closed_with_problem_details() {
    let s = setup("").await;
    let c = client(&s.pki.ca_pem(), None);
    let url = format!("{}/hooks/x", s.base);
    let cases: Vec<(&str, Request<Full<Bytes>>, u16)> = vec![
        (
            "malformed JSON",
            post(
                &url,
                &[EMR, ("content-type", "application/json")],
                "{\"name\": \"Zebulon Quixote\", ",
            ),
            400,
        ),
        (
            "not JSON at all",
            post(
                &url,
                &[EMR, ("content-type", "application/json")],
                "Zebulon Quixote",
            ),
            400,
        ),
        (
            "unknown encoding",
            post(&url, &[EMR, TEXT, ("content-encoding", "zstd")], note()),
            415,
        ),
        (
            "broken gzip",
            post(
                &url,
                &[EMR, TEXT, ("content-encoding", "gzip")],
                "Zebulon Quixote",
            ),
            400,
        ),
        (
            "multipart",
            post(
                &url,
                &[EMR, ("content-type", "multipart/form-data; boundary=x")],
                "--x\r\nZebulon\r\n--x--",
            ),
            415,
        ),
        (
            "binary",
            post(
                &url,
                &[EMR, ("content-type", "application/octet-stream")],
                "Zebulon",
            ),
            415,
        ),
        ("no content type", post(&url, &[EMR], note()), 415),
        (
            "oversize",
            post(
                &format!("{}/small/x", s.base),
                &[EMR, TEXT],
                note().repeat(20),
            ),
            413,
        ),
        (
            "no route",
            post(&format!("{}/nowhere", s.base), &[EMR, TEXT], note()),
            404,
        ),
        (
            "upstream down",
            post(&format!("{}/down/x", s.base), &[EMR, TEXT], note()),
            502,
        ),
    ];
    for (what, req, status) in cases {
        let a = send(&c, req).await.expect(what);
        assert_eq!(a.status, status, "{what}: {}", a.body);
        assert_eq!(
            a.headers["content-type"], "application/problem+json",
            "{what}"
        );
        assert_eq!(a.json()["status"], status, "{what}");
        assert_no_canary(what, &a.body);
    }
    // A gzip bomb: 10 MiB of zeros in ~10 KiB.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    std::io::Write::write_all(&mut gz, &vec![b'a'; 10 << 20]).expect("gzip");
    let bomb = gz.finish().expect("gzip");
    let a = send(
        &c,
        post(&url, &[EMR, TEXT, ("content-encoding", "gzip")], bomb),
    )
    .await
    .expect("bomb");
    assert_eq!(a.status, 413, "{}", a.body);
    assert!(s.upstream.take().is_empty(), "nothing was forwarded");
    // Over HTTP/2 (the client negotiates h2), a body far past the limit and past the
    // flow-control window still gets the 413 answer, not a stream reset.
    for size in [300_000, 2_000_000] {
        let a = send(
            &c,
            post(
                &format!("{}/small/x", s.base),
                &[EMR, TEXT],
                "x".repeat(size),
            ),
        )
        .await
        .unwrap_or_else(|e| panic!("{size}-byte body: {e}"));
        assert_eq!(a.status, 413, "{}", a.body);
        assert_eq!(a.headers["content-type"], "application/problem+json");
    }
    // The 413 names the limit that applied and the setting behind it.
    let a = send(
        &c,
        post(
            &format!("{}/small/x", s.base),
            &[EMR, TEXT],
            "x".repeat(2000),
        ),
    )
    .await
    .expect("oversize");
    let detail = a.json()["detail"].as_str().unwrap_or_default().to_string();
    assert!(
        detail.contains("1024-byte limit") && detail.contains("the route's max_body_bytes"),
        "{detail}"
    );

    // A slow client: the head never finishes; the connection is closed after the limit.
    let mut tls = super::gw_harness::raw_tls(s.gw.listeners[0], &s.pki.ca_pem()).await;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    tls.write_all(b"POST /hooks/x HTTP/1.1\r\nHost: localhost\r\n")
        .await
        .expect("partial head");
    let started = std::time::Instant::now();
    let mut buf = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(20), tls.read_to_end(&mut buf)).await;
    assert!(read.is_ok(), "the gateway closed the slow connection");
    assert!(
        started.elapsed() >= Duration::from_millis(1000),
        "not before the head timeout"
    );

    // HTTP/2 headers the protocol forbids (a blank in `:path`, as a client building URLs
    // from patient values sends): refused, and h2's debug line quoting them is not logged
    // (red team 69, L1).
    let mut h2 =
        super::gw_harness::raw_tls_speaking(s.gw.listeners[0], &s.pki.ca_pem(), b"h2").await;
    let path = "/hooks/p?name=Zebulon Quixote&mrn=48213377";
    tls_write_h2_request(
        &mut h2,
        &[
            (":method", "GET"),
            (":scheme", "https"),
            (":authority", "localhost"),
            (":path", path),
        ],
    )
    .await;
    let mut buf = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), h2.read_to_end(&mut buf)).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_no_canary("the log after a malformed HTTP/2 request", &s.gw.logs());
    assert!(s.upstream.take().is_empty(), "nothing was forwarded");
}

/// Writes HTTP/2's preface, empty settings and one HEADERS frame (end of stream and of
/// headers) of `headers` as HPACK literals without indexing, unchecked.
async fn tls_write_h2_request(
    tls: &mut (impl tokio::io::AsyncWrite + Unpin),
    headers: &[(&str, &str)],
) {
    use tokio::io::AsyncWriteExt;
    fn length(n: usize) -> Vec<u8> {
        assert!(n < 127, "short strings only");
        vec![n as u8]
    }
    fn frame(kind: u8, flags: u8, stream: u32, payload: &[u8]) -> Vec<u8> {
        let len = (payload.len() as u32).to_be_bytes();
        let mut f = vec![len[1], len[2], len[3], kind, flags];
        f.extend(stream.to_be_bytes());
        f.extend(payload);
        f
    }
    let mut block = Vec::new();
    for (name, value) in headers {
        block.push(0);
        block.extend(length(name.len()));
        block.extend(name.as_bytes());
        block.extend(length(value.len()));
        block.extend(value.as_bytes());
    }
    let mut out = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".to_vec();
    out.extend(frame(4, 0, 0, &[]));
    out.extend(frame(1, 0x5, 1, &block));
    tls.write_all(&out).await.expect("h2 frames");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_reloads_the_certificate_and_sigterm_drains_in_flight_requests() {
    let s = setup("").await;
    let c = client(&s.pki.ca_pem(), None);
    // An open connection from before the reload (HTTP/2, kept in the client's pool).
    let api = format!("{}/v1/deidentify", s.base);
    assert_eq!(
        send(&c, post(&api, &[EMR, TEXT], "x"))
            .await
            .expect("before")
            .status,
        200
    );
    // A new certificate from another CA: after SIGHUP, only a client trusting it connects.
    let other = Pki::new("rotated CA");
    let leaf = other.leaf(&["localhost"], false);
    let dir = s.gw.log.parent().expect("dir").to_path_buf();
    write(&dir, "cert.pem", &leaf.cert_pem);
    write(&dir, "key.pem", &leaf.key_pem);
    s.gw.signal("HUP");
    let rotated = client(&other.ca_pem(), None);
    // SIGHUP reloads the whole configuration first (rule files, tables, the detector: seconds
    // in a debug build on a loaded machine), and the certificates after it: the wait is for
    // that to finish, not a bound on how long it takes.
    let mut ok = false;
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while std::time::Instant::now() < deadline {
        if let Ok(a) = send(
            &rotated,
            post(&format!("{}/v1/deidentify", s.base), &[EMR, TEXT], "x"),
        )
        .await
        {
            assert_eq!(a.status, 200);
            ok = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(ok, "the reloaded certificate is served");
    let a = send(&c, post(&api, &[EMR, TEXT], "x"))
        .await
        .expect("the open connection survives the reload");
    assert_eq!(a.status, 200);
    let fresh = client(&s.pki.ca_pem(), None);
    assert!(
        send(&fresh, post(&api, &[EMR, TEXT], "x")).await.is_err(),
        "new connections get the new certificate only"
    );

    // A slow request in flight when SIGTERM arrives still completes.
    let url = format!("{}/hooks/slow", s.base);
    let req = post(&url, &[EMR, TEXT], note());
    let in_flight = tokio::spawn(async move { send(&rotated, req).await });
    tokio::time::sleep(Duration::from_millis(500)).await;
    let gw = s.gw;
    let stop = std::thread::spawn(move || gw.stop());
    let a = in_flight.await.expect("task").expect("drained request");
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(stop.join().expect("stop").code(), Some(0));
}

/// Polls until `f` holds (at most 10 s); a reload runs on its own thread after SIGHUP.
async fn eventually<F, Fut>(what: &str, mut f: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..100 {
        if f().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{what} did not happen within 10 s");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_reloads_routes_and_callers_and_a_bad_config_keeps_the_old_one() {
    let s = setup("").await;
    let c = client(&s.pki.ca_pem(), None);
    let dir = s.gw.log.parent().expect("dir").to_path_buf();
    let file = dir.join("phigate.toml");
    let original = std::fs::read_to_string(&file).expect("config");
    let up = format!("https://localhost:{}", s.upstream.addr.port());
    const NEW: (&str, &str) = ("authorization", "Bearer new-key-1");
    let down = format!("{}/down/x", s.base);
    let hooks = format!("{}/hooks/x", s.base);
    let status = |url: String, who: (&'static str, &'static str)| {
        let c = c.clone();
        async move {
            send(&c, post(&url, &[who, TEXT], "Grip 42 lb."))
                .await
                .map(|a| a.status.as_u16())
                .unwrap_or(0)
        }
    };
    assert_eq!(
        status(down.clone(), EMR).await,
        502,
        "before: upstream down"
    );
    assert_eq!(status(hooks.clone(), NEW).await, 401, "before: unknown key");
    // check-config beside the running gateway, on the same vault: no lock taken.
    let out = super::support::run(&["check-config", &file.display().to_string()], b"");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("exists"));

    // The `down` route gets a live upstream, and a new caller joins `hooks`.
    let changed = original
        .replace(
            "upstream = \"https://127.0.0.1:1/\"",
            &format!("upstream = \"{up}/outside/\"\nupstream_ca = \"ca.pem\""),
        )
        .replace(
            "callers = [\"emr\", \"hooks\"",
            "callers = [\"newbie\", \"emr\", \"hooks\"",
        )
        .replace(
            "[api]",
            &format!(
                "[[caller]]\nname = \"newbie\"\napi_key_sha256 = [\"{}\"]\n\n[api]",
                sha256_hex("new-key-1")
            ),
        );
    assert_ne!(changed, original);
    // Requests keep flowing while the reload happens: none may fail.
    let traffic = {
        let c = c.clone();
        let hooks = hooks.clone();
        tokio::spawn(async move {
            let mut statuses = Vec::new();
            for _ in 0..60 {
                let a = send(&c, post(&hooks, &[EMR, TEXT], "Grip 42 lb.")).await;
                statuses.push(a.map(|a| a.status.as_u16()).unwrap_or(0));
                tokio::time::sleep(Duration::from_millis(15)).await;
            }
            statuses
        })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    write(&dir, "phigate.toml", &changed);
    s.gw.signal("HUP");
    eventually("the new upstream", || {
        let answer = status(down.clone(), EMR);
        async move { answer.await == 200 }
    })
    .await;
    assert_eq!(
        status(hooks.clone(), NEW).await,
        200,
        "the new caller is known"
    );
    s.gw.signal("HUP");
    let statuses = traffic.await.expect("traffic");
    assert!(
        statuses.iter().all(|s| *s == 200),
        "requests during the reload: {statuses:?}"
    );

    // A broken file (an unknown caller) is refused, by the admin endpoint and by SIGHUP.
    let broken = changed.replace("callers = [\"zap\"]", "callers = [\"ghost\"]");
    assert_ne!(broken, changed);
    write(&dir, "phigate.toml", &broken);
    let (code, body) = s.gw.admin_request(hyper::Method::POST, "/reload").await;
    assert_eq!(code, 409, "{body}");
    assert!(
        body.contains("ghost"),
        "the error names the setting: {body}"
    );
    // `phigate reload` says the same and exits 1.
    let admin = s.gw.admin.to_string();
    let out = super::support::run(&["reload", "--admin", &admin], b"");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("ghost"));
    s.gw.signal("HUP");
    // A listener change needs a restart: refused too.
    let moved = changed.replacen("listen = \"127.0.0.1:0\"", "listen = \"127.0.0.1:1\"", 1);
    write(&dir, "phigate.toml", &moved);
    let (code, body) = s.gw.admin_request(hyper::Method::POST, "/reload").await;
    assert_eq!(code, 409, "{body}");
    assert!(
        body.contains("[[listener]]") && body.contains("restart"),
        "{body}"
    );
    eventually("four refusals logged", || {
        let n = s.gw.logs().matches("configuration reload refused").count();
        async move { n >= 4 }
    })
    .await;
    assert_eq!(
        status(down.clone(), EMR).await,
        200,
        "the old config still serves"
    );
    assert_eq!(status(hooks.clone(), NEW).await, 200);
    let (code, _) = s.gw.admin_request(hyper::Method::GET, "/reload").await;
    assert_eq!(code, 404, "reload is POST only");

    // Back to the start, without the `hooks` route, while a slow request is on it: it
    // finishes on the configuration it started with; new requests see the new one.
    let start = original
        .find("[[route]]\nname = \"hooks\"")
        .expect("hooks route");
    let end = start
        + original[start..]
            .find("[[route]]\nname = \"small\"")
            .expect("next");
    let without_hooks = format!("{}{}", &original[..start], &original[end..]);
    let slow = {
        let c = c.clone();
        let url = format!("{}/hooks/slow", s.base);
        tokio::spawn(async move { send(&c, post(&url, &[EMR, TEXT], note())).await })
    };
    tokio::time::sleep(Duration::from_millis(400)).await;
    write(&dir, "phigate.toml", &without_hooks);
    let (code, body) = s.gw.admin_request(hyper::Method::POST, "/reload").await;
    assert_eq!(code, 200, "{body}");
    assert_eq!(status(hooks.clone(), EMR).await, 404, "the route is gone");
    // (--admin: the test's config says port 0; an operator's names the real one.)
    let out = super::support::run(&["reload", "--admin", &admin], b"");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("reloaded:"));
    let a = slow.await.expect("task").expect("the in-flight request");
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(status(hooks.clone(), NEW).await, 404);
    assert_eq!(status(down, EMR).await, 502);
    assert_no_canary("the log", &s.gw.logs());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alert_rules_name_only_metrics_the_gateway_exports_and_access_lines_carry_no_path() {
    let s = setup("").await;
    let c = client(&s.pki.ca_pem(), None);
    let url = format!("{}/hooks/patients/Zebulon%20Quixote?mrn=48213377", s.base);
    let a = send(&c, post(&url, &[EMR, TEXT], note()))
        .await
        .expect("request");
    assert_eq!(a.status, 200, "{}", a.body);
    let metrics = s.gw.metrics().await;
    assert!(
        metrics.contains("phigate_upstream_duration_seconds_count{route=\"hooks\"} 1"),
        "{metrics}"
    );
    // The one forwarded request waited once for its audit entries to be on disk.
    assert!(
        metrics.contains("phigate_audit_wait_seconds_count{route=\"hooks\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("process_resident_memory_bytes "),
        "{metrics}"
    );

    let rules = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/prometheus/phigate-alerts.yaml"),
    )
    .expect("rules");
    let docs = yaml_rust2::YamlLoader::load_from_str(&rules).expect("yaml");
    let mut named = std::collections::BTreeSet::new();
    for group in docs[0]["groups"].as_vec().expect("groups") {
        for rule in group["rules"].as_vec().expect("rules") {
            let expr = rule["expr"].as_str().expect("expr");
            let words = expr.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'));
            named.extend(
                words
                    .filter(|w| w.starts_with("phigate_") || w.starts_with("process_"))
                    .map(str::to_string),
            );
        }
    }
    assert!(named.len() >= 8, "{named:?}");
    for name in &named {
        assert!(
            metrics
                .lines()
                .any(|l| l.starts_with(name.as_str()) && l[name.len()..].starts_with(['{', ' '])),
            "alert rules name `{name}`, which /metrics does not export"
        );
    }

    // The access line: who, how, where to, what came of it; never the path or query.
    let logs = s.gw.logs();
    let line = logs
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|v| v["fields"]["message"] == "request")
        .expect("an access line");
    let f = &line["fields"];
    assert_eq!(f["method"], "POST", "{line}");
    assert_eq!(f["route"], "hooks", "{line}");
    assert_eq!(f["caller"], "emr", "{line}");
    assert_eq!(f["status"], 200, "{line}");
    assert!(
        f["client"]
            .as_str()
            .is_some_and(|c| c.starts_with("127.0.0.1:")),
        "{line}"
    );
    assert!(
        f["bytes_out"].as_u64().is_some() && f["micros"].as_u64().is_some(),
        "{line}"
    );
    assert!(
        !logs.contains("/patients") && !logs.contains("mrn="),
        "no path or query"
    );
    assert_no_canary("the log", &logs);

    // The method is the caller's own token: one that holds an SSN is refused and logged
    // as `OTHER`, never as written (red team 68, F8).
    let mut odd = post(&format!("{}/hooks/x", s.base), &[EMR, TEXT], note());
    *odd.method_mut() = hyper::Method::from_bytes(b"SSN-078-05-1120").expect("a method token");
    let a = send(&c, odd).await.expect("request");
    assert_eq!(a.status, 405, "{}", a.body);
    let logs = s.gw.logs();
    assert!(
        !logs.contains("078-05-1120"),
        "the method is not logged as written"
    );
    assert!(logs.contains("\"method\":\"OTHER\""), "{logs}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_concurrency_cap_answers_a_fast_503() {
    let s = setup("max_concurrent = 1").await;
    let c = client(&s.pki.ca_pem(), None);
    let slow = post(&format!("{}/hooks/slow", s.base), &[EMR, TEXT], note());
    let c2 = c.clone();
    let first = tokio::spawn(async move { send(&c2, slow).await });
    tokio::time::sleep(Duration::from_millis(500)).await;
    let a = send(
        &c,
        post(&format!("{}/hooks/x", s.base), &[EMR, TEXT], note()),
    )
    .await
    .expect("second");
    assert_eq!(a.status, 503, "{}", a.body);
    assert_eq!(a.headers["retry-after"], "1");
    assert_eq!(first.await.expect("task").expect("first").status, 200);
    assert_eq!(
        s.upstream.take().len(),
        1,
        "the refused request was not forwarded"
    );
}

#[test]
fn check_config_runs_the_start_up_checks() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let pki = Pki::new("check CA");
    let leaf = pki.leaf(&["localhost"], false);
    write(d, "cert.pem", &leaf.cert_pem);
    write(d, "key.pem", &leaf.key_pem);
    super::support::write_key(&d.join("master.key"), &"cd".repeat(32));
    let good = format!(
        r#"
[[listener]]
listen = "127.0.0.1:0"
cert = "cert.pem"
key = "key.pem"
[vault]
dir = "vault"
key_file = "master.key"
[[caller]]
name = "emr"
api_key_sha256 = ["{}"]
[[route]]
name = "hooks"
prefix = "/hooks/"
direction = "deidentify"
upstream = "https://automation.example/in/"
callers = ["emr"]
"#,
        sha256_hex("k")
    );
    write(d, "good.toml", &good);
    // No vault yet: the config's start-up checks open one, they never create one.
    let out = super::support::run(
        &["check-config", &d.join("good.toml").display().to_string()],
        b"",
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(stderr.contains("vault init"), "{stderr}");
    assert!(!d.join("vault").exists(), "nothing created");
    super::gw_harness::init_vault(d);
    // Everything under the directory, with sizes: check-config must change none of it.
    fn snapshot(dir: &Path) -> Vec<(String, u64)> {
        let mut all = Vec::new();
        let mut todo = vec![dir.to_path_buf()];
        while let Some(p) = todo.pop() {
            for e in std::fs::read_dir(&p).expect("dir") {
                let e = e.expect("entry");
                let m = e.metadata().expect("metadata");
                if m.is_dir() {
                    todo.push(e.path());
                }
                all.push((
                    e.path().display().to_string(),
                    if m.is_dir() { 0 } else { m.len() },
                ));
            }
        }
        all.sort();
        all
    }
    let before = snapshot(d);
    let out = super::support::run(
        &["check-config", &d.join("good.toml").display().to_string()],
        b"",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let says = String::from_utf8_lossy(&out.stdout);
    assert!(says.contains("1 route(s)"), "{says}");
    assert!(says.contains("vault") && says.contains("exists"), "{says}");
    assert!(!String::from_utf8_lossy(&out.stderr).contains("WARNING"));
    // Side-effect free: nothing was created or written (no audit directory, no lock).
    let after = snapshot(d);
    assert_eq!(before, after, "check-config changed the directory");

    // A grant that makes a token oracle passes, with the warning `serve` gives at start.
    let oracle = format!(
        "{good}[[route]]\nname = \"cb\"\nprefix = \"/cb/\"\ndirection = \"reidentify\"\n\
         upstream = \"https://emr.example/in/\"\ncallers = [\"emr\"]\n\
         reveal = {{ emr = [\"NAME\"] }}\n[api]\ncallers = [\"emr\"]\n"
    );
    write(d, "oracle.toml", &oracle);
    let out = super::support::run(
        &["check-config", &d.join("oracle.toml").display().to_string()],
        b"",
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    // Not a terminal: the JSON summary, whose `warnings` hold it.
    let says: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON summary");
    let warned = says["warnings"].as_array().expect("warnings");
    assert_eq!(warned.len(), 1, "{says}");
    assert!(
        warned[0]
            .as_str()
            .is_some_and(|w| w.contains("reidentify route `cb`") && w.contains("default")),
        "{says}"
    );

    // A master key that others may read is refused, unless the operator insists.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let key = d.join("master.key");
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        let good_path = d.join("good.toml").display().to_string();
        let out = super::support::run(&["check-config", &good_path], b"");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success());
        assert!(
            err.contains("key_file") && err.contains("--allow-insecure-key-permissions"),
            "{err}"
        );
        let out = super::support::run(
            &[
                "check-config",
                "--allow-insecure-key-permissions",
                &good_path,
            ],
            b"",
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    }

    // Every problem at once, each naming its setting.
    let several = good
        .replace("callers = [\"emr\"]", "callers = [\"ghost\"]")
        .replace("cert.pem", "missing.pem")
        .replace("\"master.key\"", "\"no-such.key\"");
    write(d, "several.toml", &several);
    let out = super::support::run(
        &[
            "check-config",
            &d.join("several.toml").display().to_string(),
        ],
        b"",
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("ghost"), "{err}");
    write(
        d,
        "several.toml",
        &several.replace("[\"ghost\"]", "[\"emr\"]"),
    );
    let out = super::support::run(
        &[
            "check-config",
            &d.join("several.toml").display().to_string(),
        ],
        b"",
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("missing.pem") && err.contains("no-such.key"),
        "both problems named: {err}"
    );

    write(
        d,
        "typo.toml",
        &good.replace("prefix =", "prefx = \"/x/\"\nprefix ="),
    );
    let out = super::support::run(
        &["check-config", &d.join("typo.toml").display().to_string()],
        b"",
    );
    assert_eq!(out.status.code(), Some(64));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("prefx"),
        "the unknown key is named"
    );

    write(d, "nocert.toml", &good.replace("cert.pem", "missing.pem"));
    let out = super::support::run(
        &["check-config", &d.join("nocert.toml").display().to_string()],
        b"",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing.pem"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http1_chunked_bodies_are_read_whole_and_de_identified() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let s = setup("").await;
    let mut tls = super::gw_harness::raw_tls(s.gw.listeners[0], &s.pki.ca_pem()).await;
    let text = note();
    let (a, b) = text.split_at(20);
    let req = format!(
        "POST /hooks/chunked HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer emr-key-1\r\n\
         Content-Type: text/plain\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n\
         {:x}\r\n{a}\r\n{:x}\r\n{b}\r\n0\r\n\r\n",
        a.len(),
        b.len()
    );
    tls.write_all(req.as_bytes()).await.expect("write");
    let mut resp = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), tls.read_to_end(&mut resp)).await;
    let resp = String::from_utf8_lossy(&resp);
    assert!(resp.starts_with("HTTP/1.1 200"), "{resp}");
    let seen = s.upstream.take();
    assert_eq!(seen.len(), 1);
    assert_no_canary("chunked body", &seen[0].everything());
    assert!(String::from_utf8_lossy(&seen[0].body).contains("MRN_"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_the_audit_log_cannot_be_written_requests_fail_closed() {
    if !cfg!(debug_assertions) {
        // The binary reads its fault-injection variables in debug builds only.
        phigate::note_skipped(
            "when_the_audit_log_cannot_be_written_requests_fail_closed",
            "fault injection needs a debug build",
        );
        return;
    }
    let s = setup_full("", "", &[("PHIGATE_FAULT_AUDIT_WRITES_AFTER", "2")]).await;
    let c = client(&s.pki.ca_pem(), None);
    let url = format!("{}/hooks/x", s.base);
    let mut statuses = Vec::new();
    for _ in 0..6 {
        let a = send(&c, post(&url, &[EMR, TEXT], note()))
            .await
            .expect("request");
        statuses.push(a.status.as_u16());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(&statuses[..2], &[200, 200], "{statuses:?}");
    assert_eq!(
        statuses.last(),
        Some(&503),
        "fails closed once the log is broken: {statuses:?}"
    );
    let forwarded = s.upstream.take().len();
    assert!(
        forwarded < 6,
        "requests after the failure were not forwarded ({forwarded})"
    );
    let metrics = s.gw.metrics().await;
    assert!(metrics.contains("phigate_audit_healthy 0"), "{metrics}");
    // Every refusal is counted, including those refused before the request was read.
    let refused = statuses.iter().filter(|s| **s == 503).count();
    assert!(
        metrics.contains(&format!(
            "phigate_requests_total{{route=\"hooks\",outcome=\"audit\"}} {refused}"
        )),
        "{refused} refusals: {metrics}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn degraded_audit_mode_keeps_serving_and_raises_the_alarm() {
    if !cfg!(debug_assertions) {
        // The binary reads its fault-injection variables in debug builds only.
        phigate::note_skipped(
            "degraded_audit_mode_keeps_serving_and_raises_the_alarm",
            "fault injection needs a debug build",
        );
        return;
    }
    let s = setup_full(
        "",
        "[audit]\non_failure = \"degrade\"",
        &[("PHIGATE_FAULT_AUDIT_WRITES_AFTER", "1")],
    )
    .await;
    let c = client(&s.pki.ca_pem(), None);
    let url = format!("{}/hooks/x", s.base);
    for _ in 0..5 {
        let a = send(&c, post(&url, &[EMR, TEXT], note()))
            .await
            .expect("request");
        assert_eq!(a.status, 200, "{}", a.body);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let metrics = s.gw.metrics().await;
    assert!(metrics.contains("phigate_audit_healthy 0"), "{metrics}");
    assert!(
        !metrics.contains("phigate_audit_lost_total 0"),
        "lost events are counted: {metrics}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn claims_routes_reject_flag_or_pass_and_keep_de_identified_evidence() {
    let tail = r#"
[[route]]
name = "billing"
prefix = "/billing/"
direction = "deidentify"
upstream = "{up}/outside/"
upstream_ca = "ca.pem"
callers = ["emr"]
claims = { on_fail = "reject" }

[[route]]
name = "billing-flag"
prefix = "/billing-flag/"
direction = "deidentify"
upstream = "{up}/outside/"
upstream_ca = "ca.pem"
callers = ["emr"]
claims = { on_fail = "flag" }
"#;
    let s = setup_full("", tail, &[]).await;
    let c = client(&s.pki.ca_pem(), None);
    let example = |name: &str| {
        std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("examples/claims")
                .join(name),
        )
        .expect("example claim")
    };
    let (bad, clean) = (example("bad.fhir.json"), example("clean.fhir.json"));
    const SYNTHETIC_PATIENT: &str = "Testpatient";

    // Reject: 422 listing every finding, nothing forwarded.
    let a = send(
        &c,
        post(
            &format!("{}/billing/claims", s.base),
            &[EMR, FHIR_JSON],
            bad.clone(),
        ),
    )
    .await
    .expect("bad claim");
    assert_eq!(a.status, 422, "{}", a.body);
    assert_eq!(a.headers["content-type"], "application/problem+json");
    let codes: Vec<String> = a.json()["claims"][0]["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["code"].as_str().expect("code").to_string())
        .collect();
    for expected in [
        "units-untimed-multiple",
        "line-dx-pointer-invalid",
        "mod-discipline-missing",
    ] {
        assert!(
            codes.iter().any(|c| c == expected),
            "{expected} in {codes:?}"
        );
    }
    assert!(
        !a.body.contains(SYNTHETIC_PATIENT),
        "no PHI in the findings: {}",
        a.body
    );
    assert!(
        s.upstream.take().is_empty(),
        "a rejected claim is not forwarded"
    );

    // Pass: forwarded de-identified, with an evidence snapshot on disk.
    let a = send(
        &c,
        post(
            &format!("{}/billing/claims", s.base),
            &[EMR, FHIR_JSON],
            clean,
        ),
    )
    .await
    .expect("clean claim");
    assert_eq!(a.status, 200, "{}", a.body);
    let forwarded = s.upstream.take();
    assert_eq!(forwarded.len(), 1);
    assert!(!forwarded[0].everything().contains(SYNTHETIC_PATIENT));
    let id = a.headers["x-request-id"].to_str().expect("id").to_string();
    let dir = s.gw.log.parent().expect("dir").to_path_buf();
    let snap = std::fs::read_to_string(dir.join("vault-audit/evidence").join(format!("{id}.json")))
        .expect("evidence snapshot");
    let snap_v: serde_json::Value = serde_json::from_str(&snap).expect("json");
    assert_eq!(snap_v["decision"], "passed");
    assert!(
        snap_v["tables"].as_array().is_some_and(|t| !t.is_empty()),
        "rule-table versions"
    );
    assert!(
        !snap.contains(SYNTHETIC_PATIENT),
        "the snapshot is de-identified"
    );
    let received: serde_json::Value =
        serde_json::from_slice(&forwarded[0].body).expect("forwarded JSON");
    assert_eq!(
        snap_v["forwarded"], received,
        "the snapshot holds the document that was forwarded"
    );

    // Flag: forwarded, with the findings in a header both ways.
    let a = send(
        &c,
        post(
            &format!("{}/billing-flag/claims", s.base),
            &[EMR, FHIR_JSON],
            bad.clone(),
        ),
    )
    .await
    .expect("flagged claim");
    assert_eq!(a.status, 200, "{}", a.body);
    let header = a.headers["phigate-claim-findings"]
        .to_str()
        .expect("header")
        .to_string();
    assert!(header.contains("units-untimed-multiple@2"), "{header}");
    let forwarded = s.upstream.take();
    assert_eq!(
        forwarded[0].headers["phigate-claim-findings"],
        header.as_str()
    );

    // The API validates without forwarding.
    let a = send(
        &c,
        post(
            &format!("{}/v1/claims/validate", s.base),
            &[EMR, FHIR_JSON],
            bad,
        ),
    )
    .await
    .expect("validate");
    assert_eq!(a.status, 200);
    assert_eq!(a.json()["passed"], false);
    assert!(s.upstream.take().is_empty());

    let m = s.gw.metrics().await;
    assert!(m.contains("phigate_claims_checked_total 4"), "{m}");
    assert!(m.contains("phigate_claims_passed_total 1"), "{m}");
    assert!(
        m.contains("phigate_claim_findings_total{code=\"units-untimed-multiple\"} 3"),
        "{m}"
    );

    assert_eq!(s.gw.stop().code(), Some(0));
    let out = super::support::run(
        &[
            "audit",
            "export",
            "--dir",
            &dir.join("vault-audit").display().to_string(),
            "--action",
            "claim_decision",
        ],
        b"",
    );
    let outcomes: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).expect("entry")["event"]["outcome"]
                .as_str()
                .unwrap_or("")
                .to_string()
        })
        .collect();
    assert_eq!(
        outcomes,
        ["rejected", "passed", "flagged", "failed"],
        "claim decisions audited"
    );
    // The evidence is found by a token of the forwarded claim.
    let token = snap_v["forwarded"]["entry"][0]["resource"]["id"]
        .as_str()
        .expect("pseudonymised patient id")
        .to_string();
    assert!(token.starts_with("ID_"), "{token}");
    let audit_dir = dir.join("vault-audit").display().to_string();
    let out = super::support::run(
        &["claims", "evidence", "--dir", &audit_dir, "--token", &token],
        b"",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains(&id));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_claim_whose_evidence_cannot_be_written_is_not_forwarded() {
    let tail = r#"
[[route]]
name = "billing"
prefix = "/billing/"
direction = "deidentify"
upstream = "{up}/outside/"
upstream_ca = "ca.pem"
callers = ["emr"]
claims = { on_fail = "reject" }
"#;
    let s = setup_full("", tail, &[]).await;
    let c = client(&s.pki.ca_pem(), None);
    let clean = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/claims/clean.fhir.json"),
    )
    .expect("example claim");
    // A file where the evidence directory goes: no snapshot can be written.
    let dir = s.gw.log.parent().expect("dir").to_path_buf();
    let evidence = dir.join("vault-audit/evidence");
    std::fs::write(&evidence, b"").expect("a file where the directory goes");
    let a = send(
        &c,
        post(
            &format!("{}/billing/claims", s.base),
            &[EMR, FHIR_JSON],
            clean,
        ),
    )
    .await
    .expect("answer");
    assert_eq!(a.status, 500, "{}", a.body);
    assert!(
        a.body.contains("evidence snapshot could not be written"),
        "{}",
        a.body
    );
    assert!(
        s.upstream.take().is_empty(),
        "no claim forwarded without its snapshot"
    );
    let m = s.gw.metrics().await;
    assert!(
        m.contains("phigate_request_errors_total{route=\"billing\",fault=\"internal\"} 1"),
        "{m}"
    );
}

/// Issue 16: a claims route's 422 lists every claim on its own (one that cannot be read has an
/// `error`) and no answer, finding or snapshot repeats an input value.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn claims_answers_and_snapshots_repeat_no_input_value() {
    let tail = r#"
[[route]]
name = "billing"
prefix = "/billing/"
direction = "deidentify"
upstream = "{up}/outside/"
upstream_ca = "ca.pem"
callers = ["emr"]
claims = { on_fail = "reject" }

[[route]]
name = "billing-flag"
prefix = "/billing-flag/"
direction = "deidentify"
upstream = "{up}/outside/"
upstream_ca = "ca.pem"
callers = ["emr"]
claims = { on_fail = "flag" }
"#;
    const JSON: (&str, &str) = ("content-type", "application/json");
    const PHI: &[&str] = &["Jane Q Doe", "12345678", "Elm Street"];
    let p = "Jane Q Doe MRN 12345678 42 Elm Street";
    let line = |cpt: &str, mods: &[&str]| serde_json::json!({"cpt": cpt, "modifiers": mods, "units": 1, "diagnosis_pointers": [1]});
    let body = serde_json::json!([
        {"date_of_service": "2025-01-14", "rendering_role": p, "diagnoses": ["I69.351"],
         "lines": [line("97530", &["GO"])]},
        {"date_of_service": "2025-01-14", "place_of_service": p, "profile": "medicare",
         "diagnoses": ["I69.351", "Z99.9999"], "lines": [line(p, &["95"]), line("97530", &["GO", p])]},
        {"date_of_service": "2025-01-14", "diagnoses": ["I69.351"],
         "lines": [{"cpt": "97530", "units": 1, p: 1}]},
    ])
    .to_string();
    let s = setup_full("", tail, &[]).await;
    let c = client(&s.pki.ca_pem(), None);

    let a = send(
        &c,
        post(
            &format!("{}/billing/claims", s.base),
            &[EMR, JSON],
            body.clone(),
        ),
    )
    .await
    .expect("claims");
    assert_eq!(a.status, 422, "{}", a.body);
    let claims = a.json()["claims"].as_array().expect("claims").clone();
    assert_eq!(claims.len(), 3, "every claim listed: {}", a.body);
    assert!(claims[0]["error"].is_string() && claims[2]["error"].is_string());
    assert!(!claims[1]["findings"].as_array().expect("f").is_empty());
    for phi in PHI {
        assert!(!a.body.contains(phi), "{phi} in the 422: {}", a.body);
    }
    assert!(s.upstream.take().is_empty());

    // Flagged and forwarded: the snapshot's findings repeat nothing either.
    let a = send(
        &c,
        post(
            &format!("{}/billing-flag/claims", s.base),
            &[EMR, JSON],
            body.clone(),
        ),
    )
    .await
    .expect("flagged");
    assert_eq!(a.status, 200, "{}", a.body);
    let header = a.headers["phigate-claim-findings"]
        .to_str()
        .expect("header");
    assert!(header.contains("claim-unreadable"), "{header}");
    let _ = s.upstream.take();
    let id = a.headers["x-request-id"].to_str().expect("id").to_string();
    let dir = s.gw.log.parent().expect("dir").to_path_buf();
    let snap = std::fs::read_to_string(dir.join("vault-audit/evidence").join(format!("{id}.json")))
        .expect("evidence snapshot");
    let snap: serde_json::Value = serde_json::from_str(&snap).expect("json");
    let findings = snap["claims"].to_string();
    for phi in PHI {
        assert!(
            !findings.contains(phi),
            "{phi} in the snapshot's findings: {findings}"
        );
    }

    // A profile asked for in the query is described, not repeated.
    let a = send(
        &c,
        post(
            &format!("{}/v1/claims/validate?profile=Jane%20Q%20Doe", s.base),
            &[EMR, JSON],
            body,
        ),
    )
    .await
    .expect("validate");
    assert_eq!(a.status, 422, "{}", a.body);
    assert!(!a.body.contains("Jane"), "{}", a.body);
    assert_eq!(s.gw.stop().code(), Some(0));
}

/// What a route tokenises is kept under its patient's key, so `vault forget --patient`
/// forgets it (the gateway's recording store used to drop the patient).
#[tokio::test(flavor = "multi_thread")]
async fn a_patient_whose_data_came_through_a_route_can_be_forgotten() {
    let s = setup("").await;
    let c = client(&s.pki.ca_pem(), None);
    let body =
        r#"{"mrn":"MRF-20931","first_name":"Odile","note":"Odile called about her splint."}"#;
    let req = post(
        &format!("{}/hooks/event", s.base),
        &[EMR, ("content-type", "application/json")],
        body,
    );
    let a = send(&c, req).await.expect("request");
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(s.upstream.take().len(), 1);
    let dir = s._dir.path().to_path_buf();
    assert!(s.gw.stop().success());
    let vault = dir.join("vault");
    let key = dir.join("master.key");
    let forgot = super::support::run(
        &[
            "vault",
            "forget",
            "--vault",
            vault.to_str().expect("path"),
            "--key-file",
            key.to_str().expect("path"),
            "--patient",
            "MRN:MRF-20931",
        ],
        b"",
    );
    let out = String::from_utf8_lossy(&forgot.stdout);
    assert!(
        forgot.status.success(),
        "{out} {}",
        String::from_utf8_lossy(&forgot.stderr)
    );
    let v: serde_json::Value = serde_json::from_str(out.trim()).expect("json");
    assert!(v["forgotten"].as_u64().unwrap_or(0) >= 2, "{v}");
}

/// The gateway checks its audit log back to the newest checkpoint, against the vault's
/// witness, before it serves: a log whose newest entries were cut (with their checkpoints)
/// is refused with a clear error (no PHI), where it used to be appended to.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_gateway_refuses_to_start_on_an_audit_log_cut_short() {
    let s = setup("").await;
    let c = client(&s.pki.ca_pem(), None);
    let url = format!("{}/hooks/x", s.base);
    for _ in 0..3 {
        let a = send(&c, post(&url, &[EMR, TEXT], note()))
            .await
            .expect("request");
        assert_eq!(a.status, 200, "{}", a.body);
    }
    let dir = s._dir.path().to_path_buf();
    assert!(s.gw.stop().success());
    let audit = dir.join("vault-audit");
    // Erase the newest entry and every checkpoint covering it: the log stays consistent.
    let seg = phigate::audit::segments(&audit)
        .expect("segments")
        .pop()
        .expect("segment");
    let text = std::fs::read_to_string(&seg).expect("read");
    let mut kept: Vec<&str> = text.lines().collect();
    kept.pop();
    let last = kept.len() as u64;
    std::fs::write(&seg, kept.join("\n") + "\n").expect("write");
    let cps = audit.join(phigate::audit::CHECKPOINTS);
    let text = std::fs::read_to_string(&cps).expect("read");
    let cps_kept: Vec<&str> = text
        .lines()
        .filter(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("json");
            v["seq"].as_u64().expect("seq") <= last
        })
        .collect();
    std::fs::write(&cps, cps_kept.join("\n") + "\n").expect("write");
    let out = std::process::Command::new(super::support::bin())
        .args(["serve", "--threads", "2", "--config"])
        .arg(dir.join("phigate.toml"))
        .output()
        .expect("serve");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains("opening the audit log") && stderr.contains("cut short"),
        "{stderr}"
    );
    assert_no_canary("the start-up error", &stderr);
}

/// Audited before forwarded: SIGKILL the gateway under load, with requests in flight (the
/// upstream's `/slow` path holds them), then every document the upstream received has its
/// durable audit entry. The entry used to be queued after the answer came back, so a crash
/// while the upstream held a request lost the record of what had left.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_forwarded_document_has_its_audit_entry_after_sigkill() {
    let s = setup("").await;
    let c = client(&s.pki.ca_pem(), None);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut tasks = Vec::new();
    for t in 0..8 {
        let (c, stop) = (c.clone(), std::sync::Arc::clone(&stop));
        let url = format!("{}/hooks/{}", s.base, if t % 2 == 0 { "slow" } else { "x" });
        tasks.push(tokio::spawn(async move {
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                let _ = send(&c, post(&url, &[EMR, TEXT], note())).await;
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(2500)).await;
    s.gw.signal("KILL");
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    for t in tasks {
        let _ = t.await;
    }
    let forwarded: Vec<String> = s
        .upstream
        .take()
        .iter()
        .filter_map(|r| r.headers.get("x-request-id"))
        .map(|v| v.to_str().expect("ascii").to_string())
        .collect();
    assert!(forwarded.len() >= 8, "under load: {}", forwarded.len());
    let audit = s._dir.path().join("vault-audit");
    let mut audited = std::collections::HashSet::new();
    for seg in phigate::audit::segments(&audit).expect("segments") {
        let text = std::fs::read_to_string(&seg).expect("read");
        // A line cut by the kill is not an entry.
        for line in text.lines() {
            if let Ok(e) = serde_json::from_str::<phigate::audit::Entry>(line) {
                if e.event.outcome == "forwarded" && !e.event.tokens.is_empty() {
                    audited.extend(e.event.request_id);
                }
            }
        }
    }
    let missing: Vec<&String> = forwarded
        .iter()
        .filter(|id| !audited.contains(*id))
        .collect();
    assert!(
        missing.is_empty(),
        "{} of {} forwarded documents have no audit entry: {missing:?}",
        missing.len(),
        forwarded.len()
    );
}

/// An ADT message carrying the canaries, with `\r` segment ends.
fn adt() -> String {
    "MSH|^~\\&|EMR|CLINIC|HUB|OUT|20250314101500||ADT^A08|MSG0042|P|2.5.1\r\
     PID|1||48213377^^^CLINIC^MR||Quixote^Zebulon||19510203|M|||12 Elm St^^Springfield^IL^62704||(217)555-0143^PRN^PH^zq.canary@example.org||||||219-09-9999\r\
     OBX|1|TX|8251-1^Comment^LN||Zebulon Quixote: grip 42 lb\\.br\\goals updated||||||F\r"
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hl7_and_csv_bodies_cross_de_identified_and_come_back_revealed() {
    let s = setup("").await;
    let c = client(&s.pki.ca_pem(), None);
    let hl7 = ("content-type", "application/hl7-v2");
    // Outbound: the message and a table lose their PHI and keep their shape and type.
    let a = send(
        &c,
        post(&format!("{}/hooks/adt", s.base), &[EMR, hl7], adt()),
    )
    .await
    .expect("hl7");
    assert_eq!(a.status, 200, "{}", a.body);
    let seen = s.upstream.take();
    let out = String::from_utf8_lossy(&seen[0].body).into_owned();
    assert_no_canary("the forwarded HL7 message", &out);
    assert!(
        out.contains("|ADT^A08|MSG0042|P|2.5.1\rPID|1||MRN_"),
        "{out}"
    );
    assert!(out.contains("|8251-1^Comment^LN||NAME_"), "{out}");
    assert!(out.contains("\\.br\\goals updated||||||F\r"), "{out}");
    assert_eq!(seen[0].headers["content-type"], "application/hl7-v2");
    // The upstream's echo answer comes back to the clinic as the upstream sent it.
    assert_eq!(a.body, out);

    let table = "patient_name,mrn,phone,cpt,note\r\n\
                 Zebulon Quixote,48213377,(217) 555-0143,97530,\"called, zq.canary@example.org\"\r\n";
    let a = send(
        &c,
        post(
            &format!("{}/hooks/table", s.base),
            &[EMR, ("content-type", "text/csv")],
            table,
        ),
    )
    .await
    .expect("csv");
    assert_eq!(a.status, 200, "{}", a.body);
    let csv = String::from_utf8_lossy(&s.upstream.take()[0].body).into_owned();
    assert_no_canary("the forwarded table", &csv);
    assert!(
        csv.starts_with("patient_name,mrn,phone,cpt,note\r\nNAME_"),
        "{csv}"
    );
    assert!(csv.contains(",97530,\"called, EMAIL_"), "{csv}");

    // The API, with the other HL7 media type; then revealed by the API's rules (NAME only):
    // names come back escaped in place, the MRN stays a token.
    let er7 = ("content-type", "x-application/hl7-v2+er7");
    let a = send(
        &c,
        post(&format!("{}/v1/deidentify", s.base), &[EMR, er7], adt()),
    )
    .await
    .expect("api");
    assert_eq!(a.status, 200, "{}", a.body);
    assert_no_canary("/v1/deidentify", &a.body);
    let r = send(
        &c,
        post(
            &format!("{}/v1/reidentify", s.base),
            &[EMR, er7],
            a.body.clone(),
        ),
    )
    .await
    .expect("reveal");
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("||Quixote^Zebulon||"), "{}", r.body);
    assert!(
        r.body.contains("|OBX|") || r.body.contains("\rOBX|1|TX|"),
        "{}",
        r.body
    );
    assert!(r.body.contains("PID|1||MRN_"), "{}", r.body);

    // A callback into the clinic: the MRN token in an HL7 body is revealed (zap may see MRN)
    // and the echo leaves de-identified again.
    let i = out.find("MRN_").expect("token");
    let mrn = &out[i..i + 14];
    let msg = format!(
        "MSH|^~\\&|HUB|OUT|EMR|CLINIC|20250314||ORU^R01|CB1|P|2.5.1\rPID|1||{mrn}^^^CLINIC^MR\r"
    );
    let a = send(
        &c,
        post(&format!("{}/callback/hl7", s.base), &[ZAP, hl7], msg),
    )
    .await
    .expect("callback");
    assert_eq!(a.status, 200, "{}", a.body);
    let inside = String::from_utf8_lossy(&s.upstream.take()[0].body).into_owned();
    assert!(inside.contains("PID|1||48213377^^^CLINIC^MR\r"), "{inside}");
    assert_no_canary("the callback's answer", &a.body);
    assert!(
        a.body.contains(&format!("PID|1||{mrn}^^^CLINIC^MR\r")),
        "{}",
        a.body
    );
}

/// A C-CDA header with the gateway canaries (issue 14 item 2).
fn ccda() -> String {
    "<?xml version=\"1.0\"?>\n<ClinicalDocument xmlns=\"urn:hl7-org:v3\">\
     <recordTarget><patientRole><id root=\"2.16.840.1.113883.19.5\" extension=\"48213377\"/>\
     <telecom value=\"tel:(217)555-0143\"/><telecom value=\"mailto:zq.canary@example.org\"/>\
     <patient><name><given>Zebulon</given><family>Quixote</family></name>\
     <birthTime value=\"19510203\"/></patient></patientRole></recordTarget>\
     <component><structuredBody><component><section><code code=\"10164-2\" \
     codeSystem=\"2.16.840.1.113883.6.1\"/><text><paragraph>Zebulon Quixote, SSN 219-09-9999, \
     grip 42 lb.</paragraph></text></section></component></structuredBody></component>\
     </ClinicalDocument>"
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cda_documents_cross_de_identified_and_come_back_revealed() {
    let s = setup("").await;
    let c = client(&s.pki.ca_pem(), None);
    let cda = ("content-type", "application/cda+xml");
    let a = send(
        &c,
        post(&format!("{}/hooks/adt", s.base), &[EMR, cda], ccda()),
    )
    .await
    .expect("cda");
    assert_eq!(a.status, 200, "{}", a.body);
    let seen = s.upstream.take();
    let out = String::from_utf8_lossy(&seen[0].body).into_owned();
    assert_no_canary("the forwarded C-CDA document", &out);
    assert!(out.contains("<birthTime value=\"1951\"/>"), "{out}");
    assert!(out.contains("extension=\"MRN_"), "{out}");
    assert!(phigate::engine::xml::reads(&out), "{out}");
    assert_eq!(seen[0].headers["content-type"], "application/cda+xml");
    // The API, labelled `text/xml`; then revealed by the API's rules (NAME only).
    let xml = ("content-type", "text/xml");
    let a = send(
        &c,
        post(&format!("{}/v1/deidentify", s.base), &[EMR, xml], ccda()),
    )
    .await
    .expect("api");
    assert_eq!(a.status, 200, "{}", a.body);
    assert_no_canary("/v1/deidentify", &a.body);
    let r = send(
        &c,
        post(
            &format!("{}/v1/reidentify", s.base),
            &[EMR, xml],
            a.body.clone(),
        ),
    )
    .await
    .expect("reveal");
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        r.body
            .contains("<given>Zebulon</given><family>Quixote</family>"),
        "{}",
        r.body
    );
    assert!(r.body.contains("extension=\"MRN_"), "{}", r.body);
    // A DOCTYPE is refused with a problem document that names no value; nothing crosses.
    let bomb = "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY q \"Quixote\">]><x>&q;</x>";
    let a = send(
        &c,
        post(&format!("{}/hooks/adt", s.base), &[EMR, cda], bomb),
    )
    .await
    .expect("bomb");
    assert_eq!(a.status, 415, "{}", a.body);
    assert_no_canary("the refusal", &a.body);
    assert!(a.body.contains("DOCTYPE"), "{}", a.body);
    assert!(s.upstream.take().is_empty());
}

/// A configuration served in this process: one listener, one outbound route to the test
/// upstream, `limits` added to `[limits]`.
async fn in_process(limits: &str) -> (tempfile::TempDir, Pki, Upstream, InProcess) {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let (pki, upstream) = pki_key_and_upstream(d, "in-process CA").await;
    let config = format!(
        r#"
[[listener]]
listen = "127.0.0.1:0"
cert = "cert.pem"
key = "key.pem"

[admin]
listen = "127.0.0.1:0"

[vault]
dir = "vault"
key_file = "master.key"

[limits]
{limits}

[timeouts]
request_head_ms = 5000
shutdown_grace_ms = 10000

[[caller]]
name = "emr"
api_key_sha256 = ["{emr}"]

[[route]]
name = "hooks"
prefix = "/hooks/"
direction = "deidentify"
upstream = "https://localhost:{port}/outside/"
upstream_ca = "ca.pem"
callers = ["emr"]
"#,
        emr = sha256_hex("emr-key-1"),
        port = upstream.addr.port(),
    );
    write(d, "phigate.toml", &config);
    super::gw_harness::init_vault(d);
    let gw = InProcess::start(&d.join("phigate.toml")).await;
    (dir, pki, upstream, gw)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_beyond_the_limit_waits_until_one_closes() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (_dir, pki, _up, mut gw) = in_process("max_connections = 1").await;
    let ca = pki.ca_pem();
    // The first connection is served and kept open (HTTP/1.1 keep-alive).
    let mut first = super::gw_harness::raw_tls(gw.addr, &ca).await;
    first
        .write_all(b"GET /nowhere HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .expect("write");
    let mut buf = [0u8; 512];
    let n = first.read(&mut buf).await.expect("answer");
    assert!(
        String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 404"),
        "served: {}",
        String::from_utf8_lossy(&buf[..n])
    );
    // The second waits unaccepted: its TLS handshake does not complete.
    let addr = gw.addr;
    let ca2 = ca.clone();
    let second = tokio::spawn(async move { super::gw_harness::raw_tls(addr, &ca2).await });
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert!(
        !second.is_finished(),
        "a connection over the limit was served"
    );
    // Closing the first lets the second in.
    drop(first);
    let mut second = tokio::time::timeout(Duration::from_secs(5), second)
        .await
        .expect("accepted once the first closed")
        .expect("handshake");
    second
        .write_all(b"GET /nowhere HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await
        .expect("write");
    let mut answer = Vec::new();
    second.read_to_end(&mut answer).await.expect("answer");
    assert!(String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 404"));
    gw.shut_down();
    gw.stopped(Duration::from_secs(15))
        .await
        .expect("clean stop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_by_its_future_drains_in_flight_requests_then_stops_accepting() {
    let (_dir, pki, upstream, mut gw) = in_process("").await;
    let c = client(&pki.ca_pem(), None);
    let url = format!("https://localhost:{}/hooks/slow", gw.addr.port());
    // The upstream holds `/slow` for 1.5 s: shut down while it is in flight.
    let slow = tokio::spawn(async move { send(&c, post(&url, &[EMR, TEXT], note())).await });
    tokio::time::sleep(Duration::from_millis(500)).await;
    gw.shut_down();
    let a = slow
        .await
        .expect("task")
        .expect("the in-flight request is answered");
    assert_eq!(a.status, 200, "{}", a.body);
    assert_no_canary("the forwarded body", &upstream.take()[0].everything());
    let addr = gw.addr;
    gw.stopped(Duration::from_secs(15))
        .await
        .expect("clean stop");
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "nothing listens after shutdown"
    );
}

/// Payers' 835s read against the claims forwarded here (issue 16).
mod remit;

/// Patient memory across payloads (issue 13, item 4).
mod memory;

/// The reveal side is no token oracle (red team 55, J1).
mod oracle;
