//! Audit devices, who and where, purpose, and replicas, through the real gateway binary: a
//! real TLS syslog receiver (RFC 5425 octet-counted frames) and a real HTTPS collector on
//! loopback, taken down and brought back; the certificate subject, address and caller on
//! accepted and refused requests; the route's purpose in the accounting of disclosures;
//! two gateways' logs read as one view, one of them tampered.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::PrivateKeyDer;
use tokio::io::AsyncReadExt;

use super::gw_harness::{client, pem_certs, post, send, sha256_hex, Gateway, Leaf, Pki, Upstream};

/// Synthetic PHI that must never reach a device.
const CANARIES: &[&str] = &["Zebulon", "Quixote", "219-09-9999", "48213377"];
const EMR: (&str, &str) = ("authorization", "Bearer emr-key-1");
const TEXT: (&str, &str) = ("content-type", "text/plain");

fn note() -> String {
    "Patient Zebulon Quixote (MRN 48213377, SSN 219-09-9999) seen 03/14/2025.".to_string()
}

fn assert_no_canary(what: &str, text: &str) {
    for c in CANARIES {
        assert!(!text.contains(c), "{what} holds the canary {c:?}:\n{text}");
    }
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).expect("write");
}

fn server_config(leaf: &Leaf) -> rustls::ServerConfig {
    server_config_for(leaf, None)
}

/// A server configuration, requiring a client certificate of the CA `client_ca` if given.
fn server_config_for(leaf: &Leaf, client_ca: Option<&str>) -> rustls::ServerConfig {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ServerConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .expect("versions");
    let builder = match client_ca {
        None => builder.with_no_client_auth(),
        Some(ca) => {
            let mut roots = rustls::RootCertStore::empty();
            for c in pem_certs(ca) {
                roots.add(c).expect("root");
            }
            let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
                Arc::new(roots),
                provider,
            )
            .build()
            .expect("verifier");
            builder.with_client_cert_verifier(verifier)
        }
    };
    builder
        .with_single_cert(
            pem_certs(&leaf.cert_pem),
            PrivateKeyDer::from_pem_slice(leaf.key_pem.as_bytes()).expect("key"),
        )
        .expect("cert")
}

/// A TLS syslog receiver on loopback: RFC 5425 frames (`LEN SP MSG`) per connection.
/// Stopping it closes its listener and every connection; it can start again on its port.
struct SyslogReceiver {
    addr: SocketAddr,
    messages: Arc<Mutex<Vec<String>>>,
    /// Frames that did not parse (a wrong length, not UTF-8).
    bad: Arc<Mutex<Vec<String>>>,
    tasks: Arc<Mutex<Vec<tokio::task::JoinHandle<()>>>>,
    tls: Arc<rustls::ServerConfig>,
}

impl SyslogReceiver {
    /// `client_ca`: require a client certificate of that CA (mutual TLS).
    async fn start(leaf: &Leaf, addr: SocketAddr, client_ca: Option<&str>) -> SyslogReceiver {
        let r = SyslogReceiver {
            addr,
            messages: Arc::default(),
            bad: Arc::default(),
            tasks: Arc::default(),
            tls: Arc::new(server_config_for(leaf, client_ca)),
        };
        r.listen().await
    }

    async fn listen(self) -> SyslogReceiver {
        // The port was just released (or never taken): retried while the old listener,
        // dropped with its aborted task, lets go of it.
        let mut tries = 0;
        let listener = loop {
            match tokio::net::TcpListener::bind(self.addr).await {
                Ok(l) => break l,
                Err(e) if tries < 100 => {
                    tries += 1;
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(e) => panic!("binding {}: {e}", self.addr),
            }
        };
        let addr = listener.local_addr().expect("addr");
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::clone(&self.tls));
        let (messages, bad, tasks) = (
            Arc::clone(&self.messages),
            Arc::clone(&self.bad),
            Arc::clone(&self.tasks),
        );
        let accept = tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let acceptor = acceptor.clone();
                let (messages, bad) = (Arc::clone(&messages), Arc::clone(&bad));
                let conn = tokio::spawn(async move {
                    if let Ok(tls) = acceptor.accept(tcp).await {
                        read_frames(tls, &messages, &bad).await;
                    }
                });
                tasks.lock().expect("lock").push(conn);
            }
        });
        self.tasks.lock().expect("lock").push(accept);
        SyslogReceiver { addr, ..self }
    }

    /// Closes the listener and every connection.
    fn stop(&self) {
        for t in self.tasks.lock().expect("lock").drain(..) {
            t.abort();
        }
    }

    fn messages(&self) -> Vec<String> {
        self.messages.lock().expect("lock").clone()
    }
}

async fn read_frames(
    mut s: impl tokio::io::AsyncRead + Unpin,
    out: &Mutex<Vec<String>>,
    bad: &Mutex<Vec<String>>,
) {
    let mut buf: Vec<u8> = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        while let Some(sp) = buf.iter().position(|b| *b == b' ') {
            let Some(len) = std::str::from_utf8(&buf[..sp])
                .ok()
                .and_then(|l| l.parse::<usize>().ok())
            else {
                bad.lock()
                    .expect("lock")
                    .push(String::from_utf8_lossy(&buf).into_owned());
                return;
            };
            if buf.len() < sp + 1 + len {
                break;
            }
            match String::from_utf8(buf[sp + 1..sp + 1 + len].to_vec()) {
                Ok(m) => out.lock().expect("lock").push(m),
                Err(_) => bad.lock().expect("lock").push("not UTF-8".into()),
            }
            buf.drain(..sp + 1 + len);
        }
        match s.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

/// One syslog message as the test reads it: its PRI, sequence number (from the
/// structured data) and the entry (the MSG, a stored audit line).
struct Parsed {
    pri: u16,
    seq: u64,
    entry: serde_json::Value,
}

fn parse_syslog(m: &str) -> Parsed {
    let rest = m.strip_prefix('<').expect("PRI");
    let (pri, rest) = rest.split_once(">1 ").expect("version 1");
    // TIMESTAMP HOSTNAME APP-NAME PROCID MSGID, then the structured data.
    let mut fields = rest.splitn(6, ' ');
    let ts = fields.next().expect("timestamp");
    assert!(ts.ends_with('Z') && ts.contains('T'), "{m}");
    let _host = fields.next().expect("hostname");
    assert_eq!(fields.next(), Some("phigate-test"), "APP-NAME: {m}");
    let _pid = fields.next().expect("procid");
    let msgid = fields.next().expect("msgid");
    let sd_and_msg = fields.next().expect("sd");
    let sd_end = sd_and_msg.find("] ").expect("structured data");
    let sd = &sd_and_msg[..=sd_end];
    assert!(sd.starts_with("[phigate@32473 seq=\""), "{m}");
    let seq: u64 = sd
        .split("seq=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .and_then(|s| s.parse().ok())
        .expect("seq");
    let entry: serde_json::Value =
        serde_json::from_str(&sd_and_msg[sd_end + 2..]).expect("MSG is the JSON entry");
    assert_eq!(entry["seq"], seq, "{m}");
    assert_eq!(
        entry["event"]["action"].as_str().unwrap_or("-"),
        msgid,
        "MSGID is the action: {m}"
    );
    assert!(
        sd.contains(&format!(
            "hash=\"{}\"",
            phigate::audit::sha256_hex(&sd_and_msg.as_bytes()[sd_end + 2..])
        )),
        "the hash names the line: {m}"
    );
    Parsed {
        pri: pri.parse().expect("pri"),
        seq,
        entry,
    }
}

/// The test's directory, PKI, upstream and gateway configuration.
struct Site {
    dir: tempfile::TempDir,
    pki: Pki,
    upstream: Upstream,
}

impl Site {
    async fn new() -> Site {
        let dir = tempfile::tempdir().expect("tempdir");
        let d = dir.path();
        let pki = Pki::new("phigate device test CA");
        let server = pki.leaf(&["localhost", "127.0.0.1"], false);
        write(d, "ca.pem", &pki.ca_pem());
        write(d, "cert.pem", &server.cert_pem);
        write(d, "key.pem", &server.key_pem);
        super::support::write_key(&d.join("master.key"), &"cd".repeat(32));
        let upstream = Upstream::start(&pki.leaf(&["localhost"], false)).await;
        super::gw_harness::init_vault(d);
        Site { dir, pki, upstream }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes `phigate.toml` (with `audit` as its `[audit]` part) and starts the gateway.
    fn start(&self, audit: &str) -> Gateway {
        let up = format!("https://localhost:{}", self.upstream.addr.port());
        let config = format!(
            r#"
[[listener]]
listen = "127.0.0.1:0"
cert = "cert.pem"
key = "key.pem"
client_ca = "ca.pem"

[admin]
listen = "127.0.0.1:0"

[vault]
dir = "vault"
key_file = "master.key"

[log]
format = "json"

[[caller]]
name = "emr"
api_key_sha256 = ["{emr}"]

[[caller]]
name = "zap"
api_key_sha256 = ["{zap}"]

[[caller]]
name = "clinic-cert"
mtls_dns_name = "emr.clinic.test"

[[route]]
name = "lab"
prefix = "/lab/"
direction = "deidentify"
upstream = "{up}/outside/"
upstream_ca = "ca.pem"
callers = ["emr", "clinic-cert"]
purpose = "treatment"

{audit}
"#,
            emr = sha256_hex("emr-key-1"),
            zap = sha256_hex("zap-key-1"),
        );
        write(self.path(), "phigate.toml", &config);
        Gateway::start_with_env(
            &self.path().join("phigate.toml"),
            &self.path().join("gateway.log"),
            1,
            &[],
        )
    }

    fn arg(&self, name: &str) -> String {
        self.path().join(name).display().to_string()
    }
}

/// Waits (up to 30 s) for `f` to hold; the timeout is a generous bound, not an assertion
/// about speed.
async fn eventually<F, Fut>(what: &str, mut f: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..300 {
        if f().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{what} did not happen within 30 s");
}

/// Every metric the device alert rules name is in `metrics` (a gateway with a device).
fn alert_rules_name_exported_metrics(metrics: &str) {
    let rules = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("deploy/prometheus/phigate-audit-device-alerts.yaml"),
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
                    .filter(|w| w.starts_with("phigate_"))
                    .map(str::to_string),
            );
        }
    }
    assert!(named.len() >= 4, "{named:?}");
    for name in &named {
        assert!(
            metrics
                .lines()
                .any(|l| l.starts_with(name.as_str()) && l[name.len()..].starts_with(['{', ' '])),
            "device alert rules name `{name}`, which /metrics does not export"
        );
    }
}

/// A free loopback port (bound, then released), for a receiver that must come back on it.
fn free_port() -> SocketAddr {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr")
}

/// The entries of the gateway's log, as stored.
fn log_entries(site: &Site) -> Vec<serde_json::Value> {
    let out = super::support::TestCommand::new([
        "audit",
        "export",
        "--dir",
        site.arg("vault-audit").as_str(),
    ])
    .expect_success();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("entry"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn syslog_over_tls_gets_every_entry_in_order_and_a_full_buffer_fails_closed() {
    let site = Site::new().await;
    let leaf = site.pki.leaf(&["localhost"], false);
    let receiver = SyslogReceiver::start(&leaf, free_port(), None).await;
    let gw = site.start(&format!(
        r#"[[audit.device]]
name = "siem"
kind = "syslog"
address = "127.0.0.1:{port}"
server_name = "localhost"
ca = "ca.pem"
app_name = "phigate-test"
buffer = 3
on_failure = "reject""#,
        port = receiver.addr.port()
    ));
    let c = client(&site.pki.ca_pem(), None);
    let url = format!("https://localhost:{}/lab/x", gw.listeners[0].port());
    for _ in 0..4 {
        let a = send(&c, post(&url, &[EMR, TEXT], note()))
            .await
            .expect("request");
        assert_eq!(a.status, 200, "{}", a.body);
    }
    // A refusal is audited and forwarded too.
    let refused = send(
        &c,
        post(&url, &[TEXT, ("authorization", "Bearer nope")], note()),
    )
    .await
    .expect("request");
    assert_eq!(refused.status, 401);

    // Every entry of the log reaches the receiver, in order, as stored.
    let written = log_entries(&site).len();
    assert!(written >= 5, "{written} entries");
    eventually("every entry at the receiver", || async {
        receiver.messages().len() >= written
    })
    .await;
    let parsed: Vec<Parsed> = receiver
        .messages()
        .iter()
        .map(|m| parse_syslog(m))
        .collect();
    let seqs: Vec<u64> = parsed.iter().map(|p| p.seq).collect();
    assert_eq!(
        seqs,
        (1..=written as u64).collect::<Vec<_>>(),
        "in order, none missing"
    );
    let stored = log_entries(&site);
    for (p, e) in parsed.iter().zip(&stored) {
        assert_eq!(&p.entry, e, "the MSG is the stored entry");
    }
    let failure = parsed
        .iter()
        .find(|p| p.entry["event"]["action"] == "auth_failure")
        .expect("the refusal was forwarded");
    assert_eq!(
        failure.pri,
        13 * 8 + 5,
        "a refusal is a notice in facility 13"
    );
    for m in receiver.messages() {
        assert_no_canary("a syslog message", &m);
    }
    assert!(
        receiver.bad.lock().expect("lock").is_empty(),
        "every frame parsed"
    );
    let m = gw.metrics().await;
    alert_rules_name_exported_metrics(&m);
    assert!(
        m.contains(&format!(
            "phigate_audit_device_sent_total{{device=\"siem\"}} {written}"
        )),
        "{m}"
    );
    assert!(
        m.contains("phigate_audit_device_up{device=\"siem\"} 1"),
        "{m}"
    );

    // The receiver goes away: the buffer (3 entries) fills, then requests fail closed.
    receiver.stop();
    let mut statuses = Vec::new();
    for _ in 0..8 {
        let a = send(&c, post(&url, &[EMR, TEXT], note()))
            .await
            .expect("request");
        assert_no_canary("a refusal", &a.body);
        statuses.push(a.status.as_u16());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(statuses.last(), Some(&503), "{statuses:?}");
    let (ready, _) = gw.admin_request(hyper::Method::GET, "/readyz").await;
    assert_eq!(ready, 503, "not ready while the device cannot take entries");
    let forwarded_while_down = statuses.iter().filter(|s| **s == 200).count();
    // The buffer holds 3; one more may have been written into the connection just as the
    // receiver closed it (TCP took it), before the sender saw the connection gone.
    assert!(forwarded_while_down <= 4, "{statuses:?}");
    let m = gw.metrics().await;
    assert!(
        m.contains("phigate_audit_device_up{device=\"siem\"} 0"),
        "{m}"
    );

    // It comes back on the same port: the buffer drains and requests are served again.
    let before = receiver.messages().len();
    let receiver = receiver.listen().await;
    eventually("serving again", || async {
        send(&c, post(&url, &[EMR, TEXT], note()))
            .await
            .is_ok_and(|a| a.status == 200)
    })
    .await;
    let (ready, _) = gw.admin_request(hyper::Method::GET, "/readyz").await;
    assert_eq!(ready, 200);
    let newest = log_entries(&site)
        .last()
        .and_then(|e| e["seq"].as_u64())
        .expect("entries");
    eventually("the newest entry at the receiver", || async {
        receiver
            .messages()
            .last()
            .is_some_and(|m| parse_syslog(m).seq == newest)
    })
    .await;
    let after: Vec<u64> = receiver.messages()[before..]
        .iter()
        .map(|m| parse_syslog(m).seq)
        .collect();
    assert!(after.windows(2).all(|w| w[0] < w[1]), "in order: {after:?}");
    assert!(
        after.len() >= 2,
        "buffered and new entries arrived: {after:?}"
    );
    for m in receiver.messages() {
        assert_no_canary("a syslog message", &m);
    }
    assert_eq!(gw.stop().code(), Some(0));
    let out = super::support::TestCommand::new([
        "audit",
        "verify",
        "--dir",
        site.arg("vault-audit").as_str(),
        "--key-file",
        site.arg("master.key").as_str(),
    ])
    .expect_success();
    assert!(super::support::text(&out.stdout).contains("\"intact\":true"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_degraded_device_over_mutual_tls_keeps_the_gateway_serving_and_counts_what_it_drops() {
    let site = Site::new().await;
    let leaf = site.pki.leaf(&["localhost"], false);
    // This receiver requires mutual TLS: the gateway presents its device certificate.
    let receiver = SyslogReceiver::start(&leaf, free_port(), Some(&site.pki.ca_pem())).await;
    let identity = site.pki.leaf(&["gateway.clinic.test"], true);
    write(site.path(), "device.pem", &identity.cert_pem);
    write(site.path(), "device-key.pem", &identity.key_pem);
    let gw = site.start(&format!(
        r#"[[audit.device]]
kind = "syslog"
address = "127.0.0.1:{port}"
server_name = "localhost"
ca = "ca.pem"
client_cert = "device.pem"
client_key = "device-key.pem"
app_name = "phigate-test"
buffer = 2
on_failure = "degrade""#,
        port = receiver.addr.port()
    ));
    let c = client(&site.pki.ca_pem(), None);
    let url = format!("https://localhost:{}/lab/x", gw.listeners[0].port());
    let a = send(&c, post(&url, &[EMR, TEXT], note()))
        .await
        .expect("request");
    assert_eq!(a.status, 200);
    eventually("the first entry", || async {
        !receiver.messages().is_empty()
    })
    .await;
    receiver.stop();
    for _ in 0..6 {
        let a = send(&c, post(&url, &[EMR, TEXT], note()))
            .await
            .expect("request");
        assert_eq!(a.status, 200, "degraded: still serving: {}", a.body);
    }
    let m = gw.metrics().await;
    assert!(
        !m.contains("phigate_audit_device_dropped_total{device=\"syslog0\"} 0"),
        "dropped entries are counted: {m}"
    );
    assert!(
        m.contains("phigate_audit_device_dropped_total{device=\"syslog0\"}"),
        "{m}"
    );
    // The file has every entry even so.
    assert!(log_entries(&site).len() >= 7);
    let logs = gw.logs();
    assert!(logs.contains("audit device buffer full"), "logged: {logs}");
    assert_no_canary("the gateway's log", &logs);
    // Back again: new entries arrive.
    let before = receiver.messages().len();
    let receiver = receiver.listen().await;
    eventually("the buffer drained", || async {
        gw.metrics()
            .await
            .contains("phigate_audit_device_pending{device=\"syslog0\"} 0")
    })
    .await;
    let a = send(&c, post(&url, &[EMR, TEXT], note()))
        .await
        .expect("request");
    assert_eq!(a.status, 200);
    let newest = log_entries(&site)
        .last()
        .and_then(|e| e["seq"].as_u64())
        .expect("entries");
    eventually("the newest entry at the receiver", || async {
        receiver.messages()[before..]
            .iter()
            .any(|m| parse_syslog(m).seq == newest)
    })
    .await;
}

/// A real HTTPS collector on loopback: records each POST's authorization and body, and
/// answers 503 while `failing` is set.
struct Collector {
    addr: SocketAddr,
    posts: Arc<Mutex<Vec<(String, String, String)>>>,
    failing: Arc<std::sync::atomic::AtomicBool>,
}

impl Collector {
    async fn start(leaf: &Leaf) -> Collector {
        let mut tls = server_config(leaf);
        tls.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(tls));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let posts: Arc<Mutex<Vec<(String, String, String)>>> = Arc::default();
        let failing: Arc<std::sync::atomic::AtomicBool> = Arc::default();
        let (p, f) = (Arc::clone(&posts), Arc::clone(&failing));
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let acceptor = acceptor.clone();
                let (p, f) = (Arc::clone(&p), Arc::clone(&f));
                tokio::spawn(async move {
                    let Ok(tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let svc =
                        hyper::service::service_fn(move |req: Request<hyper::body::Incoming>| {
                            let (p, f) = (Arc::clone(&p), Arc::clone(&f));
                            async move {
                                let (parts, body) = req.into_parts();
                                let body = body.collect().await?.to_bytes();
                                let header = |h: &str| {
                                    parts
                                        .headers
                                        .get(h)
                                        .and_then(|v| v.to_str().ok())
                                        .unwrap_or("")
                                        .to_string()
                                };
                                let mut resp = Response::new(Full::new(Bytes::new()));
                                if f.load(std::sync::atomic::Ordering::SeqCst) {
                                    *resp.status_mut() = hyper::StatusCode::SERVICE_UNAVAILABLE;
                                } else {
                                    p.lock().expect("lock").push((
                                        header("authorization"),
                                        header("content-type"),
                                        String::from_utf8_lossy(&body).into_owned(),
                                    ));
                                }
                                Ok::<_, hyper::Error>(resp)
                            }
                        });
                    let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                        .serve_connection(TokioIo::new(tls), svc)
                        .await;
                });
            }
        });
        Collector {
            addr,
            posts,
            failing,
        }
    }

    /// Every entry received, in order.
    fn entries(&self) -> Vec<serde_json::Value> {
        self.posts
            .lock()
            .expect("lock")
            .iter()
            .flat_map(|(_, _, body)| {
                body.lines()
                    .map(|l| serde_json::from_str(l).expect("NDJSON line"))
                    .collect::<Vec<serde_json::Value>>()
            })
            .collect()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_https_collector_gets_ndjson_batches_with_its_token_and_retries_after_a_failure() {
    let site = Site::new().await;
    let collector = Collector::start(&site.pki.leaf(&["localhost"], false)).await;
    write(
        site.path(),
        "collector.token",
        "synthetic-collector-token\n",
    );
    let gw = site.start(&format!(
        r#"[[audit.device]]
name = "collector"
kind = "https"
url = "https://localhost:{port}/ingest"
ca = "ca.pem"
bearer_token_file = "collector.token"
on_failure = "reject""#,
        port = collector.addr.port()
    ));
    let c = client(&site.pki.ca_pem(), None);
    let url = format!("https://localhost:{}/lab/x", gw.listeners[0].port());
    for _ in 0..2 {
        let a = send(&c, post(&url, &[EMR, TEXT], note()))
            .await
            .expect("request");
        assert_eq!(a.status, 200);
    }
    eventually("two entries collected", || async {
        collector.entries().len() >= 2
    })
    .await;
    // The collector fails for a while: entries wait in the buffer and are sent again.
    collector
        .failing
        .store(true, std::sync::atomic::Ordering::SeqCst);
    let a = send(&c, post(&url, &[EMR, TEXT], note()))
        .await
        .expect("request");
    assert_eq!(a.status, 200, "the buffer has room");
    tokio::time::sleep(Duration::from_millis(300)).await;
    collector
        .failing
        .store(false, std::sync::atomic::Ordering::SeqCst);
    let written = log_entries(&site);
    eventually("every entry collected", || async {
        collector.entries().len() >= written.len()
    })
    .await;
    let got = collector.entries();
    assert_eq!(got, written, "every entry, in order, exactly as stored");
    for (auth, ct, body) in collector.posts.lock().expect("lock").iter() {
        assert_eq!(auth, "Bearer synthetic-collector-token");
        assert_eq!(ct, "application/x-ndjson");
        assert_no_canary("a collector batch", body);
    }
    let m = gw.metrics().await;
    assert!(
        m.contains("phigate_audit_device_up{device=\"collector\"} 1"),
        "{m}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_events_say_who_and_where_for_accepted_and_refused_requests() {
    let site = Site::new().await;
    let gw = site.start("[limits]\nmax_concurrent = 1");
    let port = gw.listeners[0].port();
    let url = format!("https://localhost:{port}/lab/x");
    // Accepted: a client certificate (mutual TLS).
    let cert_caller = site.pki.leaf(&["emr.clinic.test"], true);
    let mtls = client(&site.pki.ca_pem(), Some(&cert_caller));
    let a = send(&mtls, post(&url, &[TEXT], note()))
        .await
        .expect("request");
    assert_eq!(a.status, 200, "{}", a.body);
    // Refused: a certificate the route does not accept with a wrong key (401), and a known
    // caller the route does not name (403).
    let other = site.pki.leaf(&["someone.else.test"], true);
    let c = client(&site.pki.ca_pem(), Some(&other));
    let a = send(
        &c,
        post(&url, &[TEXT, ("authorization", "Bearer nope")], note()),
    )
    .await
    .expect("request");
    assert_eq!(a.status, 401);
    let a = send(&c, post(&url, &[TEXT, ("x-api-key", "zap-key-1")], note()))
        .await
        .expect("request");
    assert_eq!(a.status, 403);
    // Shed at the concurrency cap (one request at a time): on record with its address.
    let (slow_client, slow_url) = (c.clone(), format!("https://localhost:{port}/lab/slow"));
    let slow =
        tokio::spawn(
            async move { send(&slow_client, post(&slow_url, &[EMR, TEXT], note())).await },
        );
    eventually("the slow request in flight", || async {
        gw.metrics().await.contains("phigate_requests_in_flight 1")
    })
    .await;
    let shed = send(&c, post(&url, &[EMR, TEXT], note()))
        .await
        .expect("request");
    assert_eq!(shed.status, 503, "{}", shed.body);
    assert_eq!(slow.await.expect("task").expect("slow").status, 200);
    assert_eq!(gw.stop().code(), Some(0));

    let entries = log_entries(&site);
    let by = |action: &str, status: Option<u64>| -> serde_json::Value {
        entries
            .iter()
            .find(|e| {
                e["event"]["action"] == action
                    && status.is_none_or(|s| e["event"]["status"].as_u64() == Some(s))
            })
            .unwrap_or_else(|| panic!("{action} {status:?} in {entries:?}"))["event"]
            .clone()
    };
    let ok = by("tokenize", None);
    assert_eq!(ok["caller"], "clinic-cert");
    assert_eq!(ok["purpose"], "treatment");
    // rcgen's leaves carry its default subject; the name is read from the certificate.
    assert_eq!(ok["client_subject"], "CN=rcgen self signed cert");
    assert_eq!(ok["client_cert"].as_str().map(str::len), Some(64));
    assert!(ok["client"]
        .as_str()
        .is_some_and(|a| a.starts_with("127.0.0.1:")));
    let unauthenticated = by("auth_failure", Some(401));
    assert!(unauthenticated["client"]
        .as_str()
        .is_some_and(|a| a.starts_with("127.0.0.1:")));
    assert_eq!(
        unauthenticated["client_subject"],
        "CN=rcgen self signed cert"
    );
    assert_ne!(
        unauthenticated["client_cert"], ok["client_cert"],
        "the other certificate"
    );
    let overloaded = by("request_failed", Some(503));
    assert_eq!(overloaded["outcome"], "overloaded");
    assert!(overloaded["client"]
        .as_str()
        .is_some_and(|a| a.starts_with("127.0.0.1:")));
    assert_eq!(overloaded["client_subject"], "CN=rcgen self signed cert");
    let forbidden = by("auth_failure", Some(403));
    assert_eq!(forbidden["caller"], "zap", "who tried is named");
    assert!(forbidden["client"]
        .as_str()
        .is_some_and(|a| a.starts_with("127.0.0.1:")));
    for e in &entries {
        assert_no_canary("an audit entry", &e.to_string());
    }
}

/// Runs one gateway on `site` with its log in `audit_dir`, sends `n` notes, stops it.
async fn run_replica(site: &Site, audit_dir: &str, n: usize) {
    let gw = site.start(&format!("[audit]\ndir = \"{audit_dir}\""));
    let c = client(&site.pki.ca_pem(), None);
    let url = format!("https://localhost:{}/lab/x", gw.listeners[0].port());
    for _ in 0..n {
        let a = send(&c, post(&url, &[EMR, TEXT], note()))
            .await
            .expect("request");
        assert_eq!(a.status, 200, "{}", a.body);
    }
    assert_eq!(gw.stop().code(), Some(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_logs_read_as_one_view_and_a_tampered_one_is_named() {
    let site = Site::new().await;
    run_replica(&site, "replicas/gw-a", 2).await;
    run_replica(&site, "replicas/gw-b", 1).await;
    run_replica(&site, "replicas/gw-a", 1).await;
    let (a, b) = (site.arg("replicas/gw-a"), site.arg("replicas/gw-b"));
    let (all, key, vault) = (
        site.arg("replicas"),
        site.arg("master.key"),
        site.arg("vault"),
    );
    let audit = |args: &[&str]| {
        let mut v = vec!["audit"];
        v.extend_from_slice(args);
        super::support::TestCommand::new(v)
    };

    // Each chain verified on its own, one line per replica.
    let out = audit(&[
        "verify",
        "--dir",
        &a,
        "--dir",
        &b,
        "--key-file",
        &key,
        "--vault",
        &vault,
    ])
    .expect_success();
    let lines: Vec<serde_json::Value> = super::support::text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert_eq!(
        (lines[0]["replica"].as_str(), lines[0]["intact"].as_bool()),
        (Some("gw-a"), Some(true))
    );
    assert_eq!(
        (lines[1]["replica"].as_str(), lines[1]["entries"].as_u64()),
        (Some("gw-b"), Some(1))
    );

    // The accounting over the directory of replicas: every disclosure, merged by time,
    // each naming its replica and the route's purpose.
    let out = audit(&[
        "disclosures",
        "--dir",
        &all,
        "--key-file",
        &key,
        "--vault",
        &vault,
        "--patient",
        "MRN:48213377",
        "--format",
        "json",
    ])
    .expect_success();
    let acc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(acc["integrity"]["verified"], true, "{acc}");
    let ds = acc["disclosures"].as_array().expect("disclosures");
    let replicas: Vec<&str> = ds.iter().filter_map(|d| d["replica"].as_str()).collect();
    assert_eq!(
        replicas,
        ["gw-a", "gw-a", "gw-b", "gw-a"],
        "merged by time: {acc}"
    );
    let times: Vec<&str> = ds.iter().filter_map(|d| d["time"].as_str()).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");
    assert!(ds.iter().all(|d| d["purpose"] == "treatment"), "{acc}");
    assert_no_canary("the accounting", &acc.to_string());

    // The look-up is on record in the first replica's officer chain: who, by the
    // environment's word and the kernel's.
    let out = audit(&[
        "search",
        "--dir",
        &format!("{a}/officer"),
        "--action",
        "audit_search",
    ])
    .expect_success();
    let lookup: serde_json::Value = serde_json::from_str(
        super::support::text(&out.stdout)
            .lines()
            .next()
            .expect("entry"),
    )
    .expect("json");
    assert!(lookup["event"]["user"].is_string(), "{lookup}");
    assert!(lookup["event"]["uid"].is_u64(), "{lookup}");

    // Search and report read the merged view too.
    let out = audit(&[
        "report",
        "--dir",
        &all,
        "--key-file",
        &key,
        "--vault",
        &vault,
    ])
    .expect_success();
    let report = super::support::text(&out.stdout);
    assert!(
        report.contains("replica gw-a: verified") && report.contains("replica gw-b: verified"),
        "{report}"
    );
    assert!(
        report.contains("replica gw-b") && report.contains("entries:"),
        "{report}"
    );
    let counted: u64 = report
        .lines()
        .filter_map(|l| l.trim().strip_prefix("replica "))
        .filter_map(|l| l.split_whitespace().last()?.parse::<u64>().ok())
        .sum();
    let total: u64 = report
        .lines()
        .find_map(|l| l.strip_prefix("entries: ")?.parse().ok())
        .expect("entries line");
    assert!(total >= 4 && counted == total, "{report}");
    let out = audit(&["search", "--dir", &all, "--action", "tokenize"]).expect_success();
    assert_eq!(super::support::text(&out.stdout).lines().count(), 4);

    // Tamper with replica gw-b: it, and only it, is reported.
    let seg = super::support::walk(Path::new(&b))
        .into_iter()
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("audit-"))
        })
        .expect("segment");
    let text = std::fs::read_to_string(&seg).expect("read");
    std::fs::write(&seg, text.replacen("\"lab\"", "\"lbb\"", 1)).expect("write");
    let out = audit(&[
        "verify",
        "--dir",
        &all,
        "--key-file",
        &key,
        "--vault",
        &vault,
    ])
    .expect_code(1);
    let lines: Vec<serde_json::Value> = super::support::text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    let state: Vec<(&str, bool)> = lines
        .iter()
        .filter_map(|l| Some((l["replica"].as_str()?, l["intact"].as_bool()?)))
        .collect();
    assert!(
        state.contains(&("gw-a", true)) && state.contains(&("gw-b", false)),
        "{lines:?}"
    );
    assert!(super::support::text(&out.stderr).contains("replica gw-b"));
    let out = audit(&[
        "disclosures",
        "--dir",
        &all,
        "--key-file",
        &key,
        "--vault",
        &vault,
        "--patient",
        "MRN:48213377",
    ])
    .expect_code(1);
    let err = super::support::text(&out.stderr);
    assert!(
        err.contains("replica gw-b: NOT VERIFIED") && err.contains("replica gw-a: verified"),
        "{err}"
    );
}
