//! Issue 14 items 1b and 3 through the real gateway binary: an `[[mllp]]` channel between a
//! TLS MLLP sender with a client certificate and a real TLS MLLP receiver on loopback (ACK
//! passthrough, ordering on one connection, NAKs for bad input, a slow and a vanishing
//! receiver, a sender cut off mid-message, size and certificate refusals, the audit trail);
//! and X12 on HTTP routes (an 837P on a claims route, checked then de-identified; a payer's
//! 835 on a reidentify route, revealed by the caller's rules; X12 on `/v1/deidentify`).

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use phigate::gateway::mllp::{control_id, read_frame, write_frame};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::PrivateKeyDer;
use tokio::io::{AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use super::gw_harness::{client, pem_certs, post, send, sha256_hex, Gateway, Leaf, Pki, Upstream};

/// The synthetic patient's values: none may reach a receiver outside.
const CANARIES: &[&str] = &[
    "Whitcombe",
    "Ansel",
    "MR4410827",
    "512-47-3306",
    "555-0172",
    "Orchard",
];

fn adt(control: &str, app: &str) -> String {
    format!(
        "MSH|^~\\&|{app}|SGH|LAB|OUT|20240312083000||ADT^A01^ADT_A01|{control}|P|2.5.1\r\
         PID|1||MR4410827^^^SGH^MR||Whitcombe^Ansel^J||19800312|M|||41 Orchard Lane^^Springfield^IL^62704||(217)555-0172\r\
         NTE|1|P|Ansel Whitcombe, SSN 512-47-3306, called about 97530.\r"
    )
}

/// A TLS MLLP receiver: records every message it reads; by the sending application
/// (MSH-3) it answers `AA` with the control ID, waits 3 s first (`SLOW`), or drops the
/// connection without answering (`KILL`).
struct Receiver {
    addr: std::net::SocketAddr,
    seen: Arc<Mutex<Vec<String>>>,
}

impl Receiver {
    async fn start(leaf: &Leaf) -> Receiver {
        let key = PrivateKeyDer::from_pem_slice(leaf.key_pem.as_bytes()).expect("key");
        let cfg = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(pem_certs(&leaf.cert_pem), key)
        .expect("cert");
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(cfg));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let seen: Arc<Mutex<Vec<String>>> = Arc::default();
        let record = Arc::clone(&seen);
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let (acceptor, record) = (acceptor.clone(), Arc::clone(&record));
                tokio::spawn(async move {
                    let Ok(tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let mut conn = BufReader::new(tls);
                    while let Ok(Some(msg)) = read_frame(&mut conn, 1 << 20).await {
                        let text = String::from_utf8_lossy(&msg).into_owned();
                        record.lock().expect("lock").push(text.clone());
                        if text.starts_with("MSH|^~\\&|KILL|") {
                            return;
                        }
                        if text.starts_with("MSH|^~\\&|SLOW|") {
                            tokio::time::sleep(Duration::from_secs(3)).await;
                        }
                        let id = control_id(&msg).unwrap_or_default();
                        let ack = format!(
                            "MSH|^~\\&|RECV|OUT|||20250101||ACK|A{id}|P|2.5.1\rMSA|AA|{id}\r"
                        );
                        if write_frame(conn.get_mut(), ack.as_bytes()).await.is_err() {
                            return;
                        }
                    }
                });
            }
        });
        Receiver { addr, seen }
    }

    fn seen(&self) -> Vec<String> {
        self.seen.lock().expect("lock").clone()
    }

    fn count(&self, control: &str) -> usize {
        let field = format!("|{control}|P|");
        self.seen().iter().filter(|m| m.contains(&field)).count()
    }
}

/// A TLS MLLP sender with a client certificate.
async fn sender(
    addr: std::net::SocketAddr,
    ca_pem: &str,
    identity: &Leaf,
) -> BufReader<tokio_rustls::client::TlsStream<TcpStream>> {
    let mut roots = rustls::RootCertStore::empty();
    for c in pem_certs(ca_pem) {
        roots.add(c).expect("root");
    }
    let key = PrivateKeyDer::from_pem_slice(identity.key_pem.as_bytes()).expect("key");
    let cfg = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("versions")
    .with_root_certificates(roots)
    .with_client_auth_cert(pem_certs(&identity.cert_pem), key)
    .expect("client cert");
    let tcp = TcpStream::connect(addr).await.expect("connect");
    let tls = tokio_rustls::TlsConnector::from(Arc::new(cfg))
        .connect("localhost".try_into().expect("name"), tcp)
        .await
        .expect("handshake");
    BufReader::new(tls)
}

async fn exchange(
    conn: &mut BufReader<tokio_rustls::client::TlsStream<TcpStream>>,
    msg: &[u8],
) -> Option<String> {
    write_frame(conn.get_mut(), msg).await.expect("send");
    let answer = tokio::time::timeout(Duration::from_secs(20), read_frame(conn, 1 << 20))
        .await
        .expect("an answer in time");
    answer
        .ok()
        .flatten()
        .map(|a| String::from_utf8_lossy(&a).into_owned())
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).expect("write");
}

struct Setup {
    _dir: tempfile::TempDir,
    pki: Pki,
    receiver: Receiver,
    upstream: Upstream,
    gw: Gateway,
}

async fn setup() -> Setup {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let pki = Pki::new("phigate mllp test CA");
    let server = pki.leaf(&["localhost", "127.0.0.1"], false);
    write(d, "ca.pem", &pki.ca_pem());
    write(d, "cert.pem", &server.cert_pem);
    write(d, "key.pem", &server.key_pem);
    super::support::write_key(&d.join("master.key"), &"ab".repeat(32));
    let receiver = Receiver::start(&pki.leaf(&["localhost"], false)).await;
    let upstream = Upstream::start(&pki.leaf(&["localhost"], false)).await;
    let up = format!("https://localhost:{}", upstream.addr.port());
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

[timeouts]
shutdown_grace_ms = 5000

[[caller]]
name = "emr"
api_key_sha256 = ["{emr}"]

[[caller]]
name = "payer"
api_key_sha256 = ["{payer}"]

[[caller]]
name = "lab"
mtls_dns_name = "lab.clinic.test"

[[caller]]
name = "other"
mtls_dns_name = "other.clinic.test"

[api]
callers = ["emr"]

[[route]]
name = "billing"
prefix = "/billing/"
direction = "deidentify"
upstream = "{up}/outside/"
upstream_ca = "ca.pem"
callers = ["emr"]
policy = "reversible"
claims = {{ on_fail = "flag" }}

[[route]]
name = "remit"
prefix = "/remit/"
direction = "reidentify"
upstream = "{up}/emr/"
upstream_ca = "ca.pem"
callers = ["payer"]
reveal = {{ payer = ["NAME"] }}

[[mllp]]
name = "adt"
listen = "127.0.0.1:0"
cert = "cert.pem"
key = "key.pem"
client_ca = "ca.pem"
callers = ["lab"]
upstream = "localhost:{mllp}"
upstream_ca = "ca.pem"
max_message_bytes = 4096
upstream_timeout_ms = 1000
read_timeout_ms = 5000
"#,
        emr = sha256_hex("emr-key-1"),
        payer = sha256_hex("payer-key-1"),
        mllp = receiver.addr.port(),
    );
    write(d, "phigate.toml", &config);
    super::gw_harness::init_vault(d);
    let gw = Gateway::start_with_env(&d.join("phigate.toml"), &d.join("gateway.log"), 1, &[]);
    assert_eq!(gw.mllp.len(), 1, "one MLLP channel listening");
    Setup {
        _dir: dir,
        pki,
        receiver,
        upstream,
        gw,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mllp_forwards_de_identified_in_order_and_answers_with_the_receivers_ack_or_a_nak() {
    let s = setup().await;
    let ca = s.pki.ca_pem();
    let lab = s.pki.leaf(&["lab.clinic.test"], true);
    let addr = s.gw.mllp[0];
    let mut conn = sender(addr, &ca, &lab).await;

    // ACK passthrough: the receiver's own ACK comes back; what it got holds no PHI.
    let ack = exchange(&mut conn, adt("MSG0001", "EMR").as_bytes())
        .await
        .expect("ack");
    assert!(
        ack.contains("|RECV|OUT|") && ack.contains("\rMSA|AA|MSG0001\r"),
        "{ack:?}"
    );
    let seen = s.receiver.seen();
    assert_eq!(seen.len(), 1);
    for c in CANARIES {
        assert!(
            !seen[0].contains(c),
            "{c} reached the receiver: {}",
            seen[0]
        );
    }
    assert!(
        seen[0].contains("|ADT^A01^ADT_A01|MSG0001|P|2.5.1\rPID|1||"),
        "{}",
        seen[0]
    );
    assert!(seen[0].contains("97530"), "codes kept");

    // Ordering: three messages written at once are forwarded and answered in order.
    let mut burst = Vec::new();
    for id in ["MSG0002", "MSG0003", "MSG0004"] {
        burst.extend_from_slice(b"\x0b");
        burst.extend_from_slice(adt(id, "EMR").as_bytes());
        burst.extend_from_slice(b"\x1c\x0d");
    }
    conn.get_mut().write_all(&burst).await.expect("burst");
    for id in ["MSG0002", "MSG0003", "MSG0004"] {
        let a = read_frame(&mut conn, 1 << 20)
            .await
            .expect("ack")
            .expect("frame");
        let a = String::from_utf8_lossy(&a).into_owned();
        assert!(a.contains(&format!("MSA|AA|{id}\r")), "{id}: {a:?}");
    }
    let order: Vec<String> = s.receiver.seen()[1..]
        .iter()
        .map(|m| control_id(m.as_bytes()).expect("id"))
        .collect();
    assert_eq!(order, ["MSG0002", "MSG0003", "MSG0004"]);

    // Bad input (delimiters that cannot be told apart): phigate's own AE, nothing sent.
    let bad = adt("MSG0005", "EMR").replacen("MSH|^~\\&|", "MSH|^^^^|", 1);
    let nak = exchange(&mut conn, bad.as_bytes()).await.expect("nak");
    assert!(nak.starts_with("MSH|^~\\&|PHIGATE|PHIGATE|"), "{nak:?}");
    assert!(nak.contains("\rMSA|AE|MSG0005|"), "{nak:?}");
    for c in CANARIES {
        assert!(!nak.contains(c), "{c} in a NAK");
    }
    assert_eq!(
        s.receiver.count("MSG0005"),
        0,
        "a message not de-identified is not sent"
    );

    // A slow receiver: AE after the upstream timeout; the next message still gets its own
    // ACK (the late one is never taken for it), and the slow one was sent once.
    let nak = exchange(&mut conn, adt("MSG0006", "SLOW").as_bytes())
        .await
        .expect("nak");
    assert!(nak.contains("\rMSA|AE|MSG0006|"), "{nak:?}");
    let ack = exchange(&mut conn, adt("MSG0007", "EMR").as_bytes())
        .await
        .expect("ack");
    assert!(ack.contains("\rMSA|AA|MSG0007\r"), "{ack:?}");

    // A receiver that drops the connection mid-exchange: AE, then the channel reconnects.
    let nak = exchange(&mut conn, adt("MSG0008", "KILL").as_bytes())
        .await
        .expect("nak");
    assert!(nak.contains("\rMSA|AE|MSG0008|"), "{nak:?}");
    let ack = exchange(&mut conn, adt("MSG0009", "EMR").as_bytes())
        .await
        .expect("ack");
    assert!(ack.contains("\rMSA|AA|MSG0009\r"), "{ack:?}");

    // A sender cut off mid-message: nothing of it is forwarded.
    let mut cut = sender(addr, &ca, &lab).await;
    let half = adt("MSG0010", "EMR");
    cut.get_mut().write_all(b"\x0b").await.expect("start");
    cut.get_mut()
        .write_all(&half.as_bytes()[..60])
        .await
        .expect("half");
    cut.get_mut().flush().await.expect("flush");
    drop(cut);

    // Over the size limit: AR, and the connection is closed.
    let mut big_conn = sender(addr, &ca, &lab).await;
    let big = format!("{}NTE|2|P|{}\r", adt("MSG0011", "EMR"), "x".repeat(5000));
    let nak = exchange(&mut big_conn, big.as_bytes()).await.expect("nak");
    assert!(nak.contains("\rMSA|AR|"), "{nak:?}");
    assert!(read_frame(&mut big_conn, 1 << 20)
        .await
        .map(|f| f.is_none())
        .unwrap_or(true));

    // A client certificate of a caller the channel does not name: AR, nothing sent.
    let other = s.pki.leaf(&["other.clinic.test"], true);
    let mut o = sender(addr, &ca, &other).await;
    let nak = exchange(&mut o, adt("MSG0012", "EMR").as_bytes())
        .await
        .expect("nak");
    assert!(nak.contains("\rMSA|AR|MSG0012|"), "{nak:?}");

    // Wait out the slow receiver's late answer, then count: each message sent once at
    // most, none of the refused or cut-off ones at all.
    tokio::time::sleep(Duration::from_secs(3)).await;
    for (id, n) in [
        ("MSG0001", 1),
        ("MSG0004", 1),
        ("MSG0006", 1),
        ("MSG0007", 1),
        ("MSG0008", 1),
        ("MSG0009", 1),
        ("MSG0005", 0),
        ("MSG0010", 0),
        ("MSG0011", 0),
        ("MSG0012", 0),
    ] {
        assert_eq!(s.receiver.count(id), n, "{id} forwarded {n} time(s)");
    }
    for m in s.receiver.seen() {
        for c in CANARIES {
            assert!(!m.contains(c), "{c} reached the receiver");
        }
    }

    // Audited like a route: the channel's forwarded messages and the refused sender.
    let dir = s.gw.log.parent().expect("dir").to_path_buf();
    let (setup_dir, gw) = (s._dir, s.gw);
    assert_eq!(
        gw.stop().code(),
        Some(0),
        "graceful shutdown joins the MLLP listener"
    );
    let (a, k) = (
        dir.join("vault-audit").display().to_string(),
        dir.join("master.key").display().to_string(),
    );
    let out = super::support::run(&["audit", "verify", "--dir", &a, "--key-file", &k], b"");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let out = super::support::run(
        &[
            "audit",
            "search",
            "--dir",
            &a,
            "--key-file",
            &k,
            "--identifier",
            "MR4410827",
            "--type",
            "MRN",
        ],
        b"",
    );
    let hits = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(hits.contains("\"route\":\"mllp:adt\""), "{hits}");
    assert!(hits.contains("\"caller\":\"lab\""), "{hits}");
    for f in super::support::walk(&dir.join("vault-audit")) {
        let text = String::from_utf8_lossy(&std::fs::read(&f).expect("read")).into_owned();
        for c in CANARIES {
            assert!(!text.contains(c), "{c} in {}", f.display());
        }
    }
    drop(setup_dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn x12_837p_on_a_claims_route_and_an_835_on_a_reidentify_route() {
    let s = setup().await;
    let c = client(&s.pki.ca_pem(), None);
    let base = format!("https://localhost:{}", s.gw.listeners[0].port());
    let claim = super::x12::claim_837p("\n");

    // The 837P: checked (flag route: findings, if any, in a header), de-identified,
    // forwarded with its envelope valid.
    let a = send(
        &c,
        post(
            &format!("{base}/billing/claims"),
            &[
                ("authorization", "Bearer emr-key-1"),
                ("content-type", "application/EDI-X12"),
            ],
            claim.clone(),
        ),
    )
    .await
    .expect("837P");
    assert_eq!(a.status, 200, "{}", a.body);
    let got = s.upstream.take();
    assert_eq!(got.len(), 1);
    let sent = String::from_utf8_lossy(&got[0].body).into_owned();
    for v in [
        "WHITCOMBE",
        "MARGUERITE",
        "ACCT77120443",
        "512473306",
        "WXQ88120455",
    ] {
        assert!(!sent.contains(v), "{v} crossed: {sent}");
    }
    assert!(sent.contains("SV1*HC:97530:GO*100*UN*2***1~"), "{sent}");
    assert_eq!(got[0].headers["content-type"], "application/edi-x12");
    phigate::claims::parse(phigate::claims::Format::X12, sent.as_bytes()).expect("envelope valid");
    let id = a.headers["x-request-id"].to_str().expect("id").to_string();
    let dir = s.gw.log.parent().expect("dir").to_path_buf();
    let snap = std::fs::read_to_string(dir.join("vault-audit/evidence").join(format!("{id}.json")))
        .expect("the claim check ran: evidence snapshot");
    assert!(!snap.contains("WHITCOMBE"), "the snapshot is de-identified");

    // The payer's 835 with the 837P's tokens: revealed for the EMR by the payer's rules
    // (names only: the account number stays a token).
    let tokens = super::x12::Tokens::of(&sent);
    let remit = super::x12::remittance_835(&tokens);
    let a = send(
        &c,
        post(
            &format!("{base}/remit/835"),
            &[
                ("x-api-key", "payer-key-1"),
                ("content-type", "application/edi-x12"),
            ],
            remit,
        ),
    )
    .await
    .expect("835");
    assert_eq!(a.status, 200, "{}", a.body);
    let got = s.upstream.take();
    let revealed = String::from_utf8_lossy(&got[0].body).into_owned();
    assert!(revealed.contains("NM1*QC*1*WHITCOMBE*ANSEL~"), "{revealed}");
    assert!(
        revealed.contains(&format!("CLP*{}*1*250", tokens.account)),
        "{revealed}"
    );

    // X12 on the direct API, sniffed from text/plain.
    let a = send(
        &c,
        post(
            &format!("{base}/v1/deidentify"),
            &[
                ("authorization", "Bearer emr-key-1"),
                ("content-type", "text/plain"),
            ],
            claim,
        ),
    )
    .await
    .expect("api");
    assert_eq!(a.status, 200, "{}", a.body);
    assert!(
        !a.body.contains("WHITCOMBE") && a.body.contains("HI*ABK:M6281~"),
        "{}",
        a.body
    );
}

/// A TLS MLLP receiver that requires a client certificate of `client_ca` (mutual TLS) and
/// answers every message with an error ACK that echoes what it got: the patient's name
/// token (PID-5.1) in MSA-3's text and the record number token (PID-3.1) in ERR, as
/// receivers that cannot match a patient do. Records the message count.
struct EchoReceiver {
    addr: std::net::SocketAddr,
    seen: Arc<Mutex<Vec<String>>>,
}

impl EchoReceiver {
    async fn start(leaf: &Leaf, client_ca: &str) -> EchoReceiver {
        let mut roots = rustls::RootCertStore::empty();
        for c in pem_certs(client_ca) {
            roots.add(c).expect("root");
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
            Arc::new(roots),
            Arc::clone(&provider),
        )
        .build()
        .expect("verifier");
        let key = PrivateKeyDer::from_pem_slice(leaf.key_pem.as_bytes()).expect("key");
        let cfg = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("versions")
            .with_client_cert_verifier(verifier)
            .with_single_cert(pem_certs(&leaf.cert_pem), key)
            .expect("cert");
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(cfg));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let seen: Arc<Mutex<Vec<String>>> = Arc::default();
        let record = Arc::clone(&seen);
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let (acceptor, record) = (acceptor.clone(), Arc::clone(&record));
                tokio::spawn(async move {
                    // Without a client certificate the handshake fails here.
                    let Ok(tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let mut conn = BufReader::new(tls);
                    while let Ok(Some(msg)) = read_frame(&mut conn, 1 << 20).await {
                        let text = String::from_utf8_lossy(&msg).into_owned();
                        record.lock().expect("lock").push(text.clone());
                        let pid: Vec<&str> = text
                            .split('\r')
                            .find(|l| l.starts_with("PID|"))
                            .map(|l| l.split('|').collect())
                            .unwrap_or_default();
                        let first = |f: usize| {
                            pid.get(f)
                                .and_then(|v| v.split('^').next())
                                .unwrap_or("")
                                .to_string()
                        };
                        let (name, mrn) = (first(5), first(3));
                        let id = control_id(&msg).unwrap_or_default();
                        let ack = format!(
                            "MSH|^~\\&|RECV|OUT|||20250101||ACK|A{id}|P|2.5.1\r\
                             MSA|AE|{id}|No match for {name}\r\
                             ERR|||204^Unknown key identifier^HL70357|E||||{mrn} unknown\r"
                        );
                        if write_frame(conn.get_mut(), ack.as_bytes()).await.is_err() {
                            return;
                        }
                    }
                });
            }
        });
        EchoReceiver { addr, seen }
    }
}

/// The value of one series in a Prometheus text exposition, or 0 when it is absent.
fn series(metrics: &str, name: &str) -> u64 {
    metrics
        .lines()
        .find_map(|l| l.strip_prefix(name)?.trim().parse().ok())
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mllp_presents_its_certificate_upstream_reveals_the_ack_by_the_callers_rules_and_counts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let pki = Pki::new("phigate mllp mtls test CA");
    let server = pki.leaf(&["localhost", "127.0.0.1"], false);
    let gateway_id = pki.leaf(&["phigate.clinic.test"], true);
    write(d, "ca.pem", &pki.ca_pem());
    write(d, "cert.pem", &server.cert_pem);
    write(d, "key.pem", &server.key_pem);
    write(d, "up.pem", &gateway_id.cert_pem);
    write(d, "up.key", &gateway_id.key_pem);
    super::support::write_key(&d.join("master.key"), &"cd".repeat(32));
    let receiver = EchoReceiver::start(&pki.leaf(&["localhost"], false), &pki.ca_pem()).await;
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

[[caller]]
name = "lab"
mtls_dns_name = "lab.clinic.test"

[[caller]]
name = "ward"
mtls_dns_name = "ward.clinic.test"

[[mllp]]
name = "adt"
listen = "127.0.0.1:0"
cert = "cert.pem"
key = "key.pem"
client_ca = "ca.pem"
callers = ["lab", "ward"]
upstream = "localhost:{port}"
upstream_ca = "ca.pem"
upstream_cert = "up.pem"
upstream_key = "up.key"
reveal = {{ lab = ["NAME"] }}
upstream_timeout_ms = 5000

[[mllp]]
name = "bare"
listen = "127.0.0.1:0"
cert = "cert.pem"
key = "key.pem"
client_ca = "ca.pem"
callers = ["lab"]
upstream = "localhost:{port}"
upstream_ca = "ca.pem"
upstream_timeout_ms = 5000
"#,
        port = receiver.addr.port(),
    );
    write(d, "phigate.toml", &config);
    super::gw_harness::init_vault(d);
    let gw = Gateway::start_with_env(&d.join("phigate.toml"), &d.join("gateway.log"), 1, &[]);
    assert_eq!(gw.mllp.len(), 2, "two MLLP channels listening");
    let ca = pki.ca_pem();
    let lab = pki.leaf(&["lab.clinic.test"], true);
    let ward = pki.leaf(&["ward.clinic.test"], true);

    // mTLS upstream: the receiver admits the gateway by its certificate; the ACK echoes
    // the tokens it got, and the lab (NAME revealed) reads the name back, not the MRN.
    let mut conn = sender(gw.mllp[0], &ca, &lab).await;
    let ack = exchange(&mut conn, adt("MSG0101", "EMR").as_bytes())
        .await
        .expect("ack");
    assert!(
        ack.contains("\rMSA|AE|MSG0101|No match for Whitcombe\r"),
        "{ack:?}"
    );
    assert!(
        ack.contains("||||MRN_") && !ack.contains("MR4410827"),
        "{ack:?}"
    );
    let forwarded = receiver.seen.lock().expect("lock").clone();
    assert_eq!(forwarded.len(), 1);
    assert!(!forwarded[0].contains("Whitcombe") && !forwarded[0].contains("MR4410827"));

    // The ward is not in the reveal rules: the ACK comes back with its tokens.
    let mut w = sender(gw.mllp[0], &ca, &ward).await;
    let ack = exchange(&mut w, adt("MSG0102", "EMR").as_bytes())
        .await
        .expect("ack");
    assert!(
        ack.contains("\rMSA|AE|MSG0102|No match for NAME_"),
        "{ack:?}"
    );
    assert!(!ack.contains("Whitcombe"), "{ack:?}");

    // A channel with no upstream certificate: the receiver refuses the handshake, so the
    // sender gets phigate's AE and nothing was delivered.
    let mut b = sender(gw.mllp[1], &ca, &lab).await;
    let nak = exchange(&mut b, adt("MSG0103", "EMR").as_bytes())
        .await
        .expect("nak");
    assert!(
        nak.starts_with("MSH|^~\\&|PHIGATE|") && nak.contains("\rMSA|AE|MSG0103|"),
        "{nak:?}"
    );
    assert_eq!(receiver.seen.lock().expect("lock").len(), 2);

    // A message that cannot be de-identified: a NAK counted by its reason.
    let bad = adt("MSG0104", "EMR").replacen("MSH|^~\\&|", "MSH|^^^^|", 1);
    let nak = exchange(&mut conn, bad.as_bytes()).await.expect("nak");
    assert!(nak.contains("\rMSA|AE|MSG0104|"), "{nak:?}");

    // Metrics per channel, in the routes' families.
    let m = gw.metrics().await;
    let total = |route: &str, outcome: &str| {
        series(
            &m,
            &format!("phigate_requests_total{{route=\"mllp:{route}\",outcome=\"{outcome}\"}}"),
        )
    };
    assert_eq!(total("adt", "forwarded"), 2, "{m}");
    assert_eq!(total("adt", "deidentify_failed"), 1, "{m}");
    assert_eq!(total("bare", "upstream"), 1, "{m}");
    assert_eq!(total("bare", "forwarded"), 0, "{m}");
    assert_eq!(
        series(
            &m,
            "phigate_request_duration_seconds_count{route=\"mllp:adt\"}"
        ),
        3,
        "{m}"
    );
    assert_eq!(
        series(
            &m,
            "phigate_upstream_duration_seconds_count{route=\"mllp:adt\"}"
        ),
        2,
        "{m}"
    );
    assert_eq!(
        series(
            &m,
            "phigate_request_errors_total{route=\"mllp:bare\",fault=\"upstream\"}"
        ),
        1,
        "{m}"
    );
    assert!(series(&m, "phigate_tokens_revealed_total") >= 1, "{m}");
    for c in CANARIES {
        assert!(!m.contains(c), "{c} in metrics");
    }

    // The reveal for the lab is audited as a reveal on the channel.
    let dir_path = gw.log.parent().expect("dir").to_path_buf();
    assert_eq!(gw.stop().code(), Some(0));
    let a = dir_path.join("vault-audit").display().to_string();
    let k = dir_path.join("master.key").display().to_string();
    let out = super::support::run(
        &[
            "audit",
            "search",
            "--dir",
            &a,
            "--key-file",
            &k,
            "--identifier",
            "Whitcombe",
            "--type",
            "NAME",
        ],
        b"",
    );
    let hits = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        hits.contains("\"action\":\"reveal\"") && hits.contains("\"route\":\"mllp:adt\""),
        "{hits}"
    );
    drop(dir);
}
