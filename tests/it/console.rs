//! The compliance officer's console (issue 17): the real `phigate serve` with a `[console]`
//! listener, a real TLS upstream, synthetic patients sent through the gateway, and then the
//! console read over TLS (plain HTTP tests) and in real headless Chromium driven over the
//! Chrome DevTools Protocol (load pages, follow links, submit forms, assert on the DOM).
//!
//! Throughout: no page holds a patient's name or identifier, every page view is in the
//! audit log, and an audited field holding markup is shown as text and never runs.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::{Request, StatusCode};

use super::gw_harness::{
    client, pem_certs, post, send, sha256_hex, Answer, Gateway, Leaf, Pki, TestClient, Upstream,
};
use phigate::audit::query::{scan, Filter};
use phigate::audit::{Action, Entry, Event};

/// Two synthetic patients, sent through the gateway.
const PATIENT_A: (&str, &str) = ("Zebulon Quixote", "48213377");
const PATIENT_B: (&str, &str) = ("Odile Varga", "50000001");
const OFFICER_KEY: &str = "officer-key-olivia-1";
/// Markup written into an audited field before the gateway starts: it must be shown as
/// text, and must never run.
const INJECTED: &str = "<script>document.title='pwned'</script><b id=\"injected\">x</b>";

/// A gateway with a console, after patient A went out by `emr` and patient B by `emr`, one
/// request refused (403) and one with a bad key (401).
struct Desk {
    dir: tempfile::TempDir,
    pki: Pki,
    /// The officer `carla`'s client certificate.
    officer_cert: Leaf,
    console: SocketAddr,
    _upstream: Upstream,
    gw: Gateway,
}

impl Desk {
    fn audit_dir(&self) -> PathBuf {
        self.dir.path().join("vault-audit")
    }

    fn url(&self, path: &str) -> String {
        format!("https://localhost:{}{path}", self.console.port())
    }

    fn client(&self) -> TestClient {
        client(&self.pki.ca_pem(), None)
    }

    /// Every entry of the log, oldest first.
    fn entries(&self) -> Vec<Entry> {
        let mut all = Vec::new();
        scan(&self.audit_dir(), &Filter::default(), |e, _| {
            all.push(e.clone())
        })
        .expect("scan");
        all
    }

    /// The console's own entries (page views, sign-ins, failures).
    fn console_entries(&self) -> Vec<Event> {
        self.entries()
            .into_iter()
            .map(|e| e.event)
            .filter(|e| e.caller.as_deref() == Some("console"))
            .collect()
    }

    async fn get(&self, c: &TestClient, path: &str, headers: &[(&str, &str)]) -> Answer {
        let mut b = Request::get(self.url(path));
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        send(c, b.body(Full::new(Bytes::new())).expect("request"))
            .await
            .expect("console answers")
    }

    async fn form(&self, c: &TestClient, path: &str, fields: &[(&str, &str)]) -> Answer {
        let body: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        send(
            c,
            post(
                &self.url(path),
                &[
                    ("authorization", &format!("Bearer {OFFICER_KEY}")),
                    ("content-type", "application/x-www-form-urlencoded"),
                ],
                body,
            ),
        )
        .await
        .expect("console answers")
    }
}

const BEARER: (&str, &str) = ("authorization", "Bearer officer-key-olivia-1");

/// Writes entries the gateway cannot be made to write from outside (an administration
/// event, claim decisions, a refused reveal) into the log, witnessed in the vault as the
/// gateway witnesses it, before the gateway opens the log.
fn seed_log(d: &Path) {
    use phigate::audit::witness::FileWitness;
    use phigate::audit::{AuditLog, Settings};
    let master = phigate::keys::read_master_key(&d.join("master.key")).expect("key");
    let dir = d.join("vault-audit");
    let witness = FileWitness::in_vault(&d.join("vault"), &dir);
    let log = AuditLog::open_witnessed(&dir, &master, Settings::default(), Some(Box::new(witness)))
        .expect("open log");
    let mut forget = Event::new(Action::VaultForget, "ok");
    forget.user = Some("ops".into());
    forget.caller = Some("cli".into());
    forget.detail = Some(INJECTED.into());
    let mut clean = Event::new(Action::ClaimDecision, "passed");
    clean.caller = Some("biller".into());
    let mut dirty = Event::new(Action::ClaimDecision, "rejected");
    dirty.caller = Some("biller".into());
    dirty.detail = Some("NCCI_PTP MUE_UNITS".into());
    let mut refused = Event::new(Action::RevealRefused, "refused");
    refused.caller = Some("zap".into());
    refused.phi.insert("SSN".into(), 2);
    let mut revealed = Event::new(Action::Reveal, "ok");
    revealed.caller = Some("zap".into());
    revealed.phi.insert("MRN".into(), 1);
    for e in [forget, clean, dirty, refused, revealed] {
        log.record(e).expect("record");
    }
    log.close().expect("close");
}

async fn desk() -> Desk {
    desk_on(None).await
}

/// The desk on a sled vault, or on the PostgreSQL database `pg` (whose vault keeps the
/// log's witness; the log is then not seeded, since a log's witness lives in its vault).
async fn desk_on(pg: Option<&str>) -> Desk {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let pki = Pki::new("console test CA");
    let server = pki.leaf(&["localhost", "127.0.0.1"], false);
    std::fs::write(d.join("ca.pem"), pki.ca_pem()).expect("ca");
    std::fs::write(d.join("cert.pem"), &server.cert_pem).expect("cert");
    std::fs::write(d.join("key.pem"), &server.key_pem).expect("key");
    super::support::write_key(&d.join("master.key"), &"5b".repeat(32));
    let upstream = Upstream::start(&pki.leaf(&["localhost"], false)).await;
    let officer_cert = pki.leaf(&["carla.officers.test"], true);
    let fingerprint =
        phigate::audit::sha256_hex(pem_certs(&officer_cert.cert_pem).remove(0).as_ref());
    let config = format!(
        r#"
[[listener]]
listen = "127.0.0.1:0"
cert = "cert.pem"
key = "key.pem"

[admin]
listen = "127.0.0.1:0"

{vault}

[[caller]]
name = "emr"
api_key_sha256 = ["{emr}"]

[[caller]]
name = "zap"
api_key_sha256 = ["{zap}"]

[[route]]
name = "lab"
prefix = "/lab/"
direction = "deidentify"
upstream = "https://localhost:{port}/outside/"
upstream_ca = "ca.pem"
callers = ["emr"]

[console]
listen = "127.0.0.1:0"
cert = "cert.pem"
key = "key.pem"
client_ca = "ca.pem"

[[console.officer]]
name = "olivia"
api_key_sha256 = ["{officer}"]

[[console.officer]]
name = "carla"
cert_sha256 = ["{fingerprint}"]
"#,
        emr = sha256_hex("emr-key-1"),
        zap = sha256_hex("zap-key-1"),
        officer = sha256_hex(OFFICER_KEY),
        port = upstream.addr.port(),
        vault = match pg {
            None => "[vault]\ndir = \"vault\"\nkey_file = \"master.key\"".to_string(),
            Some(url) => format!(
                "[vault]\nbackend = \"postgres\"\nurl = \"{url}\"\npool_size = 2\n\
                 key_file = \"master.key\"\n\n[audit]\ndir = \"vault-audit\""
            ),
        },
    );
    std::fs::write(d.join("phigate.toml"), config).expect("config");
    if pg.is_none() {
        super::gw_harness::init_vault(d);
        seed_log(d);
    }
    let (gw, console) = start(&d.join("phigate.toml"), &d.join("gateway.log"));
    let url = format!("https://localhost:{}/lab/x", gw.listeners[0].port());
    let note = |(name, mrn): (&str, &str)| format!("Patient {name}, MRN {mrn}, seen today.");
    let text = ("content-type", "text/plain");
    let plain = client(&pki.ca_pem(), None);
    let sent = [
        (("authorization", "Bearer emr-key-1"), PATIENT_A, 200),
        (("authorization", "Bearer emr-key-1"), PATIENT_B, 200),
        (("x-api-key", "zap-key-1"), PATIENT_A, 403),
        (("authorization", "Bearer wrong"), PATIENT_A, 401),
    ];
    for (cred, patient, status) in sent {
        let a = send(&plain, post(&url, &[text, cred], note(patient)))
            .await
            .expect("request");
        assert_eq!(a.status.as_u16(), status, "{}", a.body);
    }
    assert_eq!(upstream.take().len(), 2, "the allowed requests crossed");
    Desk {
        dir,
        pki,
        officer_cert,
        console,
        _upstream: upstream,
        gw,
    }
}

/// Starts `phigate serve` and reads its listener, admin and console addresses.
fn start(config: &Path, log: &Path) -> (Gateway, SocketAddr) {
    let log_file = std::fs::File::create(log).expect("log file");
    let mut child = Command::new(super::support::bin())
        .args(["serve", "--threads", "2", "--config"])
        .arg(config)
        .stdout(Stdio::piped())
        .stderr(log_file)
        .spawn()
        .expect("spawn gateway");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let (mut listener, mut admin, mut console) = (None, None, None);
    while listener.is_none() || admin.is_none() || console.is_none() {
        let Ok(line) = rx.recv_timeout(Duration::from_secs(60)) else {
            let _ = child.kill();
            panic!(
                "gateway did not start: {}",
                std::fs::read_to_string(log).unwrap_or_default()
            );
        };
        let addr = |prefix: &str| line.strip_prefix(prefix).map(|a| a.parse().expect("addr"));
        listener = listener.or(addr("phigate listening https://"));
        admin = admin.or(addr("phigate admin http://"));
        console = console.or(addr("phigate console https://"));
    }
    let gw = Gateway {
        child,
        listeners: listener.into_iter().collect(),
        admin: admin.expect("admin"),
        log: log.to_path_buf(),
        mllp: Vec::new(),
    };
    (gw, console.expect("console"))
}

/// No page, header or entry may hold a patient's name or identifier.
fn assert_no_phi(what: &str, text: &str) {
    for v in [PATIENT_A.0, PATIENT_A.1, PATIENT_B.0, PATIENT_B.1] {
        assert!(!text.contains(v), "{what} holds {v:?}:\n{text}");
    }
}

fn assert_security_headers(a: &Answer) {
    let h = |name: &str| {
        a.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    let csp = h("content-security-policy");
    for part in [
        "default-src 'none'",
        "script-src 'none'",
        "style-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ] {
        assert!(csp.contains(part), "CSP {csp:?} lacks {part}");
    }
    assert_eq!(h("x-content-type-options"), "nosniff");
    assert_eq!(h("cache-control"), "no-store");
    assert_eq!(h("referrer-policy"), "no-referrer");
    assert!(!a.body.contains("<script"), "no page holds a script");
}

/// Today and tomorrow (UTC) as dates, for period filters.
fn today_and_tomorrow() -> (String, String) {
    let now = time::OffsetDateTime::now_utc().date();
    let tomorrow = now.next_day().expect("tomorrow");
    (now.to_string(), tomorrow.to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_refuses_missing_and_wrong_credentials_with_no_detail_and_audits_them() {
    let desk = desk().await;
    let c = desk.client();
    let before = desk.console_entries().len();
    let none = desk.get(&c, "/integrity", &[]).await;
    let wrong = desk
        .get(
            &c,
            "/integrity",
            &[("authorization", "Bearer officer-key-wrong")],
        )
        .await;
    let forged = desk
        .get(
            &c,
            "/integrity",
            &[("cookie", "phigate_console=v1.6f.9999999999.00")],
        )
        .await;
    for a in [&none, &wrong, &forged] {
        assert_eq!(a.status, StatusCode::UNAUTHORIZED);
        assert_security_headers(a);
        assert!(!a.body.contains("API key not") && !a.body.contains("session"));
        assert!(!a.body.contains("statement"), "no page content");
    }
    let login = desk
        .form(&c, "/login", &[("key", "officer-key-wrong")])
        .await;
    assert_eq!(login.status, StatusCode::UNAUTHORIZED);
    // A form posted from another site's page is refused, even with good credentials.
    let cross = send(
        &c,
        post(
            &desk.url("/search"),
            &[BEARER, ("sec-fetch-site", "cross-site")],
            "by=token&value=NAME_7K3F9Q2MXA",
        ),
    )
    .await
    .expect("answer");
    assert_eq!(cross.status, StatusCode::FORBIDDEN);
    let failures: Vec<Event> = desk
        .console_entries()
        .into_iter()
        .skip(before)
        .filter(|e| e.action == Some(Action::AuthFailure))
        .collect();
    let codes: Vec<&str> = failures
        .iter()
        .filter_map(|e| e.detail.as_deref())
        .collect();
    assert_eq!(
        codes,
        [
            "console_no_credentials",
            "console_bad_api_key",
            "console_bad_session",
            "console_bad_api_key",
            "console_cross_site_form"
        ]
    );
    assert!(failures.iter().all(|e| e.client.is_some()));
    let ok = desk.get(&c, "/integrity", &[BEARER]).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert_security_headers(&ok);

    // check-config names the console, and a console whose certificate is missing fails it.
    let config = desk.dir.path().join("phigate.toml");
    let out = super::support::TestCommand::new([
        std::ffi::OsStr::new("check-config"),
        config.as_os_str(),
    ])
    .expect_success();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("console on 127.0.0.1:0 (2 officer(s))"),
        "{text}"
    );
    let broken = desk.dir.path().join("broken.toml");
    let original = std::fs::read_to_string(&config).expect("config");
    let text = original.replace(
        "[console]\nlisten = \"127.0.0.1:0\"\ncert = \"cert.pem\"",
        "[console]\nlisten = \"127.0.0.1:0\"\ncert = \"missing.pem\"",
    );
    assert_ne!(text, original);
    std::fs::write(&broken, text).expect("write");
    let out = super::support::TestCommand::new([
        std::ffi::OsStr::new("check-config"),
        broken.as_os_str(),
    ])
    .output();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing.pem"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_view_is_audited_by_officer_and_no_page_shows_a_patients_data() {
    let desk = desk().await;
    let c = desk.client();
    let (today, tomorrow) = today_and_tomorrow();
    let pages = [
        "/",
        "/integrity",
        "/activity",
        "/search",
        "/disclosures",
        "/reveals",
        "/claims",
        "/vault",
    ];
    let before = desk.console_entries().len();
    for p in pages {
        let a = desk.get(&c, p, &[BEARER]).await;
        assert_eq!(a.status, StatusCode::OK, "{p}: {}", a.body);
        assert_security_headers(&a);
        assert_no_phi(p, &a.body);
        assert!(a.body.contains("Skip to content"), "{p} has a skip link");
    }
    let views: Vec<Event> = desk.console_entries().into_iter().skip(before).collect();
    assert_eq!(views.len(), pages.len(), "one entry per page view");
    for v in &views {
        assert_eq!(v.action, Some(Action::AuditSearch));
        assert_eq!(v.user.as_deref(), Some("olivia"));
        assert!(v
            .detail
            .as_deref()
            .is_some_and(|d| d.starts_with("console ")));
    }

    // The integrity page states the verification, the checkpoint and the key.
    let a = desk.get(&c, "/integrity", &[BEARER]).await;
    assert!(a.body.contains("The audit log verifies."), "{}", a.body);
    assert!(a.body.contains("id=\"pubkey\""));
    let master = phigate::keys::read_master_key(&desk.dir.path().join("master.key")).expect("key");
    let keys = phigate::audit::AuditKeys::derive(&master).expect("keys");
    assert!(
        a.body.contains(&keys.public_key_hex()),
        "the public key is shown"
    );

    // Activity and its period filter.
    let a = desk.get(&c, "/activity", &[BEARER]).await;
    assert!(a.body.contains("<td>lab</td><td>emr</td>"), "{}", a.body);
    let a = desk
        .get(&c, &format!("/activity?since={tomorrow}"), &[BEARER])
        .await;
    assert!(
        a.body.contains("Entries: <span id=\"entries\">0</span>"),
        "{}",
        a.body
    );
    let a = desk.get(&c, "/activity?since=March", &[BEARER]).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(a.body.contains("since:"), "{}", a.body);

    // A search by identifier: found, never shown, stored only as its hash.
    let before = desk.entries().len();
    let a = desk
        .form(
            &c,
            "/search",
            &[
                ("by", "identifier"),
                ("type", "MRN"),
                ("value", PATIENT_A.1),
            ],
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_no_phi("search results", &a.body);
    assert!(a.body.contains("1 matching entries"), "{}", a.body);
    let hash = phigate::audit::subject_hash(&keys, phigate::phi::PhiType::Mrn, PATIENT_A.1);
    let view = desk.entries().remove(before).event;
    assert_eq!(view.subjects, [hash]);
    assert_eq!(view.detail.as_deref(), Some("console search by identifier"));

    // The accounting of disclosures for patient A, this period and the next.
    let a = desk
        .form(
            &c,
            "/disclosures",
            &[
                ("type", "MRN"),
                ("value", PATIENT_A.1),
                ("since", &today),
                ("until", &today),
            ],
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_no_phi("accounting", &a.body);
    assert!(a.body.contains("id=\"disclosure-count\">1<"), "{}", a.body);
    assert!(
        a.body.contains("<td>localhost</td><td>1</td>"),
        "{}",
        a.body
    );
    assert!(a.body.contains("verified before answering"), "{}", a.body);
    let a = desk
        .form(
            &c,
            "/disclosures",
            &[
                ("type", "MRN"),
                ("value", PATIENT_A.1),
                ("since", &tomorrow),
            ],
        )
        .await;
    assert!(a.body.contains("id=\"disclosure-count\">0<"), "{}", a.body);

    // Reveals, refusals, claims and administration, from the seeded entries.
    let a = desk.get(&c, "/reveals", &[BEARER]).await;
    assert!(
        a.body.contains("<td>zap</td><td>SSN</td><td>2</td>"),
        "{}",
        a.body
    );
    assert!(
        a.body.contains("<td>zap</td><td>MRN</td><td>1</td>"),
        "{}",
        a.body
    );
    let a = desk.get(&c, "/claims", &[BEARER]).await;
    assert!(a.body.contains("id=\"clean-rate\">50.0%<"), "{}", a.body);
    assert!(a.body.contains("<td>NCCI_PTP</td><td>1</td>"), "{}", a.body);
    let a = desk.get(&c, "/vault", &[BEARER]).await;
    assert!(a.body.contains("vault_forget"), "{}", a.body);
    assert!(
        a.body
            .contains("&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;"),
        "markup in an entry is escaped: {}",
        a.body
    );

    // Nothing the console wrote to the log holds a patient's data either.
    let log = desk
        .entries()
        .iter()
        .map(|e| serde_json::to_string(e).expect("json"))
        .collect::<Vec<_>>()
        .join("\n");
    assert_no_phi("the audit log", &log);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn officers_sign_in_by_client_certificate_or_by_a_session_cookie_from_the_form() {
    let desk = desk().await;
    let with_cert = client(&desk.pki.ca_pem(), Some(&desk.officer_cert));
    let a = desk.get(&with_cert, "/claims", &[]).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert!(a.body.contains("Signed in as carla"));
    let view = desk.console_entries().pop().expect("view");
    assert_eq!(view.user.as_deref(), Some("carla"));
    let der = pem_certs(&desk.officer_cert.cert_pem).remove(0);
    assert_eq!(
        view.client_cert,
        Some(phigate::audit::sha256_hex(der.as_ref()))
    );
    // A certificate from the same CA that no officer holds is refused.
    let stranger = desk.pki.leaf(&["someone.test"], true);
    let a = desk
        .get(&client(&desk.pki.ca_pem(), Some(&stranger)), "/claims", &[])
        .await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);

    // The sign-in form: an officer's key becomes a strict, HTTP-only, secure cookie.
    let c = desk.client();
    let a = desk.form(&c, "/login", &[("key", OFFICER_KEY)]).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    let cookie = a
        .headers
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .expect("cookie")
        .to_string();
    for attr in ["Secure", "HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(attr), "{cookie} lacks {attr}");
    }
    let pair = cookie.split(';').next().expect("pair").to_string();
    let a = desk.get(&c, "/vault", &[("cookie", &pair)]).await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.body.contains("Signed in as olivia"));
}

// ---- Headless Chromium ------------------------------------------------------------------

/// A minimal Chrome DevTools Protocol client over the browser's websocket: one page
/// target, attached in flat mode; every call waits at most [`CDP_TIMEOUT`].
mod cdp {
    use std::net::TcpStream;
    use std::path::Path;
    use std::process::{Child, Command, Stdio};
    use std::time::{Duration, Instant};

    use serde_json::{json, Value};
    use tungstenite::{Message, WebSocket};

    pub const CDP_TIMEOUT: Duration = Duration::from_secs(20);

    /// The browser process; killed when dropped, whatever happened.
    pub struct Browser {
        child: Child,
        ws: WebSocket<TcpStream>,
        next: u64,
        session: String,
    }

    impl Drop for Browser {
        fn drop(&mut self) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }

    impl Browser {
        pub fn launch(chromium: &Path, profile: &Path) -> Browser {
            let child = Command::new(chromium)
                .args([
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--remote-debugging-port=0",
                    "--ignore-certificate-errors",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--disable-extensions",
                ])
                .arg(format!("--user-data-dir={}", profile.display()))
                .arg("about:blank")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("spawn chromium");
            let port_file = profile.join("DevToolsActivePort");
            let start = Instant::now();
            let text = loop {
                match std::fs::read_to_string(&port_file) {
                    Ok(t) if t.lines().count() >= 2 => break t,
                    _ if start.elapsed() > CDP_TIMEOUT => {
                        let mut c = child;
                        let _ = c.kill();
                        let _ = c.wait();
                        panic!("chromium wrote no DevToolsActivePort");
                    }
                    _ => std::thread::sleep(Duration::from_millis(100)),
                }
            };
            let mut lines = text.lines();
            let port = lines.next().expect("port").trim().to_string();
            let path = lines.next().expect("path").trim().to_string();
            let tcp = TcpStream::connect(format!("127.0.0.1:{port}")).expect("connect cdp");
            tcp.set_read_timeout(Some(CDP_TIMEOUT)).expect("timeout");
            tcp.set_write_timeout(Some(CDP_TIMEOUT)).expect("timeout");
            let (ws, _) = tungstenite::client(format!("ws://127.0.0.1:{port}{path}"), tcp)
                .expect("websocket");
            let mut b = Browser {
                child,
                ws,
                next: 0,
                session: String::new(),
            };
            let target = b.call("Target.createTarget", json!({"url": "about:blank"}));
            let id = target["targetId"].as_str().expect("target").to_string();
            let attached = b.call(
                "Target.attachToTarget",
                json!({"targetId": id, "flatten": true}),
            );
            b.session = attached["sessionId"].as_str().expect("session").to_string();
            b
        }

        /// Sends a command (to the page once attached) and returns its result.
        pub fn call(&mut self, method: &str, params: Value) -> Value {
            match self.try_call(method, params) {
                Ok(v) => v,
                Err(e) => panic!("{method}: {e}"),
            }
        }

        /// A command's result, or its error (a page navigating away answers some with one).
        fn try_call(&mut self, method: &str, params: Value) -> Result<Value, Value> {
            self.next += 1;
            let id = self.next;
            let mut msg = json!({"id": id, "method": method, "params": params});
            if !self.session.is_empty() {
                msg["sessionId"] = json!(self.session);
            }
            self.ws
                .send(Message::Text(msg.to_string().into()))
                .expect("cdp send");
            let start = Instant::now();
            loop {
                assert!(start.elapsed() < CDP_TIMEOUT, "{method}: no answer");
                let m = self.ws.read().expect("cdp read");
                let Message::Text(t) = m else { continue };
                let v: Value = serde_json::from_str(t.as_str()).expect("cdp json");
                if v["id"].as_u64() == Some(id) {
                    return match v.get("error") {
                        Some(e) => Err(e.clone()),
                        None => Ok(v["result"].clone()),
                    };
                }
            }
        }

        /// Evaluates JavaScript in the page (DevTools' evaluation, not the page's own
        /// scripts, which the policy forbids) and returns its value.
        pub fn eval(&mut self, js: &str) -> Value {
            match self.try_eval(js) {
                Some(v) => v,
                None => panic!("{js}: threw or failed"),
            }
        }

        fn try_eval(&mut self, js: &str) -> Option<Value> {
            let r = self
                .try_call(
                    "Runtime.evaluate",
                    json!({"expression": js, "returnByValue": true}),
                )
                .ok()?;
            if r.get("exceptionDetails").is_some() {
                return None;
            }
            Some(r["result"]["value"].clone())
        }

        /// Marks the document loaded now, so that waiting for the next one cannot mistake
        /// it for its successor at the same path.
        fn mark_stale(&mut self) {
            let _ = self.try_eval("document.documentElement.dataset.stale = '1'; true");
        }

        pub fn text(&mut self, selector: &str) -> String {
            let js = format!(
                "(document.querySelector({}) || {{textContent: ''}}).textContent",
                json!(selector)
            );
            self.eval(&js).as_str().unwrap_or("").to_string()
        }

        /// Waits until the page at `path` has loaded (after a click or a navigation).
        pub fn wait_for(&mut self, path: &str) {
            let start = Instant::now();
            let js = format!(
                "location.pathname === {} && document.readyState === 'complete' \
                 && !document.documentElement.dataset.stale",
                json!(path)
            );
            while self.try_eval(&js) != Some(Value::Bool(true)) {
                assert!(start.elapsed() < CDP_TIMEOUT, "page {path} did not load");
                std::thread::sleep(Duration::from_millis(100));
            }
        }

        pub fn goto(&mut self, url: &str, path: &str) {
            self.mark_stale();
            self.call("Page.navigate", json!({ "url": url }));
            self.wait_for(path);
        }

        /// Clicks the element (a link or a button), as a keyboard or mouse user would.
        pub fn click(&mut self, selector: &str) {
            self.mark_stale();
            let js = format!("document.querySelector({}).click(); true", json!(selector));
            assert_eq!(self.eval(&js), Value::Bool(true), "{selector}");
        }

        pub fn fill(&mut self, selector: &str, value: &str) {
            let js = format!(
                "document.querySelector({}).value = {}; true",
                json!(selector),
                json!(value)
            );
            assert_eq!(self.eval(&js), Value::Bool(true), "{selector}");
        }

        pub fn html(&mut self) -> String {
            self.eval("document.documentElement.outerHTML")
                .as_str()
                .unwrap_or("")
                .to_string()
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_officer_answers_who_received_a_patients_data_in_headless_chromium() {
    let chromium = Path::new("/usr/bin/chromium");
    if !chromium.exists() {
        assert!(
            std::env::var_os("PHIGATE_REQUIRE_CHROMIUM").is_none(),
            "chromium is required here but not installed"
        );
        phigate::note_skipped(
            "an_officer_answers_who_received_a_patients_data_in_headless_chromium",
            "/usr/bin/chromium is not installed",
        );
        return;
    }
    let desk = desk().await;
    let profile = desk.dir.path().join("chromium-profile");
    let (today, _) = today_and_tomorrow();
    let base = format!("https://127.0.0.1:{}", desk.console.port());
    let before = desk.console_entries().len();
    // The browser is driven from a blocking thread (its protocol client is synchronous).
    let visited = tokio::task::spawn_blocking(move || {
        let mut b = cdp::Browser::launch(chromium, &profile);
        let mut pages = Vec::new();
        b.goto(&format!("{base}/integrity"), "/integrity");
        assert_eq!(b.text("h1"), "Unauthorized", "no page before signing in");
        b.goto(&format!("{base}/login"), "/login");
        b.fill("#key", OFFICER_KEY);
        b.click("#login button[type=submit]");
        b.wait_for("/");
        assert_eq!(b.text("#officer"), "Signed in as olivia");
        // Keyboard: a skip link first, every field labelled, the current page marked.
        let first_focusable =
            b.eval("document.querySelector('a[href], button, input, select').className");
        assert_eq!(first_focusable, "skip");
        pages.push(b.html());

        b.click("nav a[href='/integrity']");
        b.wait_for("/integrity");
        assert_eq!(b.text("#verify-status"), "The audit log verifies.");
        assert_eq!(b.text("#pubkey").len(), 64);
        assert_eq!(b.text("#fingerprint").len(), 64);
        assert!(b.text("#checkpoint").starts_with("entry "));
        assert_eq!(
            b.eval("document.querySelector('nav a[aria-current=page]').textContent"),
            "Integrity"
        );
        pages.push(b.html());

        b.click("nav a[href='/activity']");
        b.wait_for("/activity");
        assert!(
            b.eval("document.querySelectorAll('#activity tbody tr').length")
                .as_u64()
                >= Some(1)
        );
        pages.push(b.html());

        b.click("nav a[href='/search']");
        b.wait_for("/search");
        b.fill("#type", "MRN");
        b.fill("#value", PATIENT_B.1);
        b.click("#search button[type=submit]");
        b.wait_for("/search");
        assert!(
            b.text("#result-count").starts_with("1 matching entries"),
            "{}",
            b.text("#result-count")
        );
        assert_eq!(b.eval("document.querySelector('#value').value"), "");
        pages.push(b.html());

        // The question of the issue: who received patient A's data this period, and is
        // the log complete?
        b.click("nav a[href='/disclosures']");
        b.wait_for("/disclosures");
        b.fill("#type", "MRN");
        b.fill("#value", PATIENT_A.1);
        b.fill("#since", &today);
        b.fill("#until", &today);
        b.click("#accounting button[type=submit]");
        b.wait_for("/disclosures");
        assert_eq!(b.text("#disclosure-count"), "1");
        assert_eq!(b.text("#recipients tbody td"), "localhost");
        assert!(b
            .text("#integrity")
            .starts_with("verified before answering"));
        let labelled = b.eval(
            "[...document.querySelectorAll('input, select')].every(i => i.labels.length > 0)",
        );
        assert_eq!(labelled, true, "every field has a label");
        // Printable: navigation and forms are not printed, the accounting is.
        b.call(
            "Emulation.setEmulatedMedia",
            serde_json::json!({"media": "print"}),
        );
        assert_eq!(
            b.eval("getComputedStyle(document.querySelector('nav')).display"),
            "none"
        );
        assert_eq!(
            b.eval("getComputedStyle(document.querySelector('#accounting')).display"),
            "none"
        );
        assert_ne!(
            b.eval("getComputedStyle(document.querySelector('#disclosures')).display"),
            "none"
        );
        b.call(
            "Emulation.setEmulatedMedia",
            serde_json::json!({"media": ""}),
        );
        pages.push(b.html());

        b.click("nav a[href='/reveals']");
        b.wait_for("/reveals");
        pages.push(b.html());
        b.click("nav a[href='/claims']");
        b.wait_for("/claims");
        assert_eq!(b.text("#clean-rate"), "50.0%");
        pages.push(b.html());

        // The markup written into an entry is text on the page, and never ran.
        b.click("nav a[href='/vault']");
        b.wait_for("/vault");
        assert!(b
            .text("#admin")
            .contains("<script>document.title='pwned'</script>"));
        assert_eq!(b.eval("document.scripts.length"), 0);
        assert_eq!(b.eval("document.querySelector('#injected') === null"), true);
        assert_ne!(b.eval("document.title"), "pwned");
        // And the policy itself blocks an inline script put into the page.
        b.eval(
            "const s = document.createElement('script'); \
             s.textContent = \"document.title = 'csp-bypassed'\"; \
             document.body.appendChild(s); true",
        );
        assert_ne!(
            b.eval("document.title"),
            "csp-bypassed",
            "CSP blocks inline scripts"
        );
        pages.push(b.html());

        b.click(".signout button");
        b.wait_for("/login");
        b.goto(&format!("{base}/claims"), "/claims");
        assert_eq!(b.text("h1"), "Unauthorized", "signed out");
        pages
    })
    .await
    .expect("browser test");
    for (i, html) in visited.iter().enumerate() {
        assert_no_phi(&format!("page {i} in the browser"), html);
    }
    // Every page the browser loaded signed in is in the log, by officer.
    let views: Vec<Event> = desk
        .console_entries()
        .into_iter()
        .skip(before)
        .filter(|e| e.action == Some(Action::AuditSearch))
        .collect();
    let details: Vec<&str> = views.iter().filter_map(|e| e.detail.as_deref()).collect();
    for page in [
        "console sign-in",
        "console overview",
        "console integrity",
        "console activity",
        "console search by identifier",
        "console disclosures",
        "console vault",
        "console sign-out",
    ] {
        assert!(details.contains(&page), "{page} not audited: {details:?}");
    }
    assert!(views.iter().all(|e| e.user.as_deref() == Some("olivia")));
}

/// Copies a log directory's files (not the officer's subdirectory or the lock).
fn copy_log(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read dir").flatten() {
        let name = e.file_name();
        if e.path().is_file() && name != "lock" {
            std::fs::copy(e.path(), to.join(name)).expect("copy");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_alone_reads_a_copied_log_and_records_views_in_the_officers_log() {
    let desk = desk().await;
    // Everything the gateway wrote so far is on disk and checkpointed once a page shows.
    let c = desk.client();
    assert_eq!(desk.get(&c, "/", &[BEARER]).await.status, StatusCode::OK);
    let copy = desk.dir.path().join("copied-audit");
    copy_log(&desk.audit_dir(), &copy);
    let mut child = Command::new(super::support::bin())
        .args(["console", "--config"])
        .arg(desk.dir.path().join("phigate.toml"))
        .arg("--dir")
        .arg(&copy)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn console");
    let stdout = child.stdout.take().expect("stdout");
    let line = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .find_map(|l| {
            l.strip_prefix("phigate console https://")
                .map(str::to_string)
        });
    let Some(addr) = line else {
        let _ = child.kill();
        panic!("the console did not start");
    };
    let port = addr.parse::<SocketAddr>().expect("addr").port();
    let url = format!("https://localhost:{port}/integrity");
    let req = |auth: &str| {
        Request::get(&url)
            .header("authorization", auth)
            .body(Full::new(Bytes::new()))
            .expect("request")
    };
    let a = send(&c, req("Bearer wrong")).await.expect("answer");
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    let a = send(&c, req(&format!("Bearer {OFFICER_KEY}")))
        .await
        .expect("answer");
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert!(a.body.contains("The audit log verifies."), "{}", a.body);
    assert!(a.body.contains("witness\">not checked"), "{}", a.body);
    let mut officer = Vec::new();
    scan(&copy.join("officer"), &Filter::default(), |e, _| {
        officer.push(e.event.clone())
    })
    .expect("officer log");
    let details: Vec<_> = officer.iter().filter_map(|e| e.detail.clone()).collect();
    assert_eq!(details, ["console_bad_api_key", "console integrity"]);
    assert_eq!(officer[1].user.as_deref(), Some("olivia"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_certificate_is_rotated_on_sighup() {
    let desk = desk().await;
    let served = |tls: &tokio_rustls::client::TlsStream<tokio::net::TcpStream>| {
        tls.get_ref().1.peer_certificates().expect("certs")[0]
            .as_ref()
            .to_vec()
    };
    let before = served(&super::gw_harness::raw_tls(desk.console, &desk.pki.ca_pem()).await);
    let next = desk.pki.leaf(&["localhost", "127.0.0.1"], false);
    let d = desk.dir.path();
    std::fs::write(d.join("cert.pem"), &next.cert_pem).expect("cert");
    std::fs::write(d.join("key.pem"), &next.key_pem).expect("key");
    let wanted = pem_certs(&next.cert_pem).remove(0).as_ref().to_vec();
    assert_ne!(before, wanted);
    desk.gw.signal("HUP");
    // The reload happens after the signal arrives; new handshakes then get the new one.
    let mut now = before;
    for _ in 0..300 {
        now = served(&super::gw_harness::raw_tls(desk.console, &desk.pki.ca_pem()).await);
        if now == wanted {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(now, wanted, "the console serves the rotated certificate");
    let c = desk.client();
    assert_eq!(desk.get(&c, "/", &[BEARER]).await.status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_postgres_vault_the_console_checks_the_logs_witness_there() {
    let Some(url) = super::pgvault::database("console_postgres_witness") else {
        return;
    };
    let desk = desk_on(Some(&url)).await;
    let c = desk.client();
    let a = desk.get(&c, "/integrity", &[BEARER]).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert!(a.body.contains("The audit log verifies."), "{}", a.body);
    assert!(a.body.contains("id=\"witness\">matches<"), "{}", a.body);
    let a = desk
        .form(
            &c,
            "/disclosures",
            &[("type", "NAME"), ("value", PATIENT_B.0)],
        )
        .await;
    assert!(a.body.contains("id=\"disclosure-count\">1<"), "{}", a.body);
    assert_no_phi("accounting", &a.body);
}
