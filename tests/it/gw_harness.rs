//! The gateway under test: a test PKI (rcgen), a real TLS upstream on loopback that records
//! what it receives, the real `phigate serve` binary on port 0, and a TLS client.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{HeaderMap, Request, Response, StatusCode};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo};
use rcgen::{BasicConstraints, CertificateParams, ExtendedKeyUsagePurpose, IsCa, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// A certificate authority for the test, and leaves it signs.
pub struct Pki {
    ca: rcgen::Certificate,
    ca_key: KeyPair,
}

pub struct Leaf {
    pub cert_pem: String,
    pub key_pem: String,
}

impl Pki {
    pub fn new(name: &str) -> Pki {
        let mut p = CertificateParams::new(Vec::<String>::new()).expect("params");
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p.distinguished_name
            .push(rcgen::DnType::CommonName, name.to_string());
        let ca_key = KeyPair::generate().expect("key");
        let ca = p.self_signed(&ca_key).expect("ca");
        Pki { ca, ca_key }
    }

    pub fn ca_pem(&self) -> String {
        self.ca.pem()
    }

    pub fn leaf(&self, names: &[&str], client: bool) -> Leaf {
        let mut p = CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>())
            .expect("params");
        p.extended_key_usages = vec![if client {
            ExtendedKeyUsagePurpose::ClientAuth
        } else {
            ExtendedKeyUsagePurpose::ServerAuth
        }];
        let key = KeyPair::generate().expect("key");
        let cert = p.signed_by(&key, &self.ca, &self.ca_key).expect("sign");
        Leaf {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        }
    }
}

/// One request the upstream received.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub uri: String,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Seen {
    /// Everything that crossed, as one string to search for canaries (the URI also
    /// percent- and plus-decoded, so an encoded canary is still found).
    pub fn everything(&self) -> String {
        let decoded = percent_encoding::percent_decode_str(&self.uri.replace('+', " "))
            .decode_utf8_lossy()
            .into_owned();
        let mut s = format!("{} {}\n{decoded}\n", self.method, self.uri);
        for (k, v) in &self.headers {
            s.push_str(&format!("{k}: {}\n", String::from_utf8_lossy(v.as_bytes())));
        }
        s.push_str(&String::from_utf8_lossy(&self.body));
        s
    }
}

/// A TLS upstream on loopback. It echoes bodies; `/slow` waits before answering.
pub struct Upstream {
    pub addr: SocketAddr,
    pub seen: Arc<Mutex<Vec<Seen>>>,
}

impl Upstream {
    pub async fn start(leaf: &Leaf) -> Upstream {
        let certs = pem_certs(&leaf.cert_pem);
        let key = PrivateKeyDer::from_pem_slice(leaf.key_pem.as_bytes()).expect("key");
        let mut cfg = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .expect("cert");
        cfg.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(cfg));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let record = Arc::clone(&seen);
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let acceptor = acceptor.clone();
                let record = Arc::clone(&record);
                tokio::spawn(async move {
                    let Ok(tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let svc = hyper::service::service_fn(move |req| {
                        upstream_answer(Arc::clone(&record), req)
                    });
                    let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                        .serve_connection(TokioIo::new(tls), svc)
                        .await;
                });
            }
        });
        Upstream { addr, seen }
    }

    pub fn take(&self) -> Vec<Seen> {
        std::mem::take(&mut *self.seen.lock().expect("lock"))
    }
}

async fn upstream_answer(
    record: Arc<Mutex<Vec<Seen>>>,
    req: Request<hyper::body::Incoming>,
) -> Result<Response<Full<Bytes>>, hyper::Error> {
    let (parts, body) = req.into_parts();
    let body = body.collect().await?.to_bytes();
    let path = parts.uri.path().to_string();
    record.lock().expect("lock").push(Seen {
        method: parts.method.to_string(),
        uri: parts.uri.to_string(),
        headers: parts.headers.clone(),
        body: body.clone(),
    });
    if path.contains("/slow") {
        tokio::time::sleep(Duration::from_millis(1500)).await;
    }
    let shape = parts
        .headers
        .get("x-echo-shape")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let uri = parts.uri.to_string();
    let sent = body.clone();
    let (body, shaped_ct, etag) = echo_shape(shape, &uri, body);
    let mut resp = Response::new(Full::new(body));
    if let Some(ct) = shaped_ct {
        resp.headers_mut()
            .insert("content-type", ct.parse().expect("content type"));
    } else if let Some(ct) = parts.headers.get("content-type") {
        resp.headers_mut().insert("content-type", ct.clone());
    }
    if let Some(tag) = etag {
        resp.headers_mut().insert("etag", tag.clone());
        resp.headers_mut().insert("cache-control", tag);
    }
    if let Some(status) = parts
        .headers
        .get("x-echo-status")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u16>().ok())
        .and_then(|v| StatusCode::from_u16(v).ok())
    {
        *resp.status_mut() = status;
    }
    answer_names_the_value(shape, &sent, &mut resp);
    // A header the clinic's answer must not carry to the outside.
    resp.headers_mut()
        .insert("x-patient-name", "Zebulon Quixote".parse().expect("value"));
    Ok(resp)
}

/// The echo shapes that put the echoed value (its first string, as one token of letters,
/// digits and dots) in the answer's own words: `answer_ct_essence` (the media type,
/// `application/vnd.rosalind.thackeray+json`), `answer_location_user` and
/// `answer_location_host` (a `302` whose `Location` names it as userinfo or a host label).
fn answer_names_the_value(shape: &str, sent: &Bytes, resp: &mut Response<Full<Bytes>>) {
    if !shape.starts_with("answer_") {
        return;
    }
    let text = String::from_utf8_lossy(sent).into_owned();
    let mut first = String::new();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    strings(&v, &mut |s| {
        if first.is_empty() {
            first = s.to_string();
        }
    });
    let token: String = first
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '.'
            }
        })
        .collect();
    let set = |resp: &mut Response<Full<Bytes>>, name: &'static str, value: String| {
        if let Ok(v) = hyper::header::HeaderValue::from_str(&value) {
            resp.headers_mut().insert(name, v);
        }
    };
    match shape {
        "answer_ct_essence" => set(
            resp,
            "content-type",
            format!("application/vnd.{token}+json"),
        ),
        "answer_location_user"
        | "answer_location_host"
        | "answer_location_slashes"
        | "answer_location_backslash"
        | "answer_location_nohost"
        | "answer_location_tab" => {
            let loc = match shape {
                "answer_location_user" => format!("https://{token}@emr.example/chart"),
                "answer_location_host" => format!("https://{token}.emr.example/chart"),
                "answer_location_slashes" => format!("//{token}.emr.example/chart"),
                "answer_location_backslash" => format!("/\\{token}.example/chart"),
                "answer_location_nohost" => format!("https:{token}.example/chart"),
                _ => format!("https:\t//{token}.example/chart"),
            };
            set(resp, "location", loc);
            *resp.status_mut() = StatusCode::FOUND;
        }
        _ => {}
    }
}

/// How the echo is reshaped, on request (`x-echo-shape`), so tests can model an inside
/// answer that repeats what it was sent in another form (leak-matrix echo cases):
/// `number` (digit strings, dashes dropped, become JSON numbers), `base64` and `nested`
/// (the body base64-encoded or as a JSON string under one key), `key` (string values
/// become object keys), `etag` (the body moves to `ETag` and `Cache-Control`), `entities`
/// (`-`, `@`, space as HTML character references), `fullwidth` (ASCII letters and digits
/// as full-width forms), `uri` (the request URI is the answer). Anything else: the body.
fn echo_shape(
    shape: &str,
    uri: &str,
    body: Bytes,
) -> (
    Bytes,
    Option<&'static str>,
    Option<hyper::header::HeaderValue>,
) {
    use base64::Engine as _;
    let text = String::from_utf8_lossy(&body).into_owned();
    let json = |v: serde_json::Value| (Bytes::from(v.to_string()), Some("application/json"), None);
    match shape {
        "number" => {
            let mut v: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
            numbers(&mut v);
            json(v)
        }
        "base64" => json(serde_json::json!({
            "blob": base64::engine::general_purpose::STANDARD.encode(&body)
        })),
        "nested" => json(serde_json::json!({ "payload": text })),
        "key" => {
            let mut keys = serde_json::Map::new();
            let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
            strings(&v, &mut |s| {
                keys.insert(s.to_string(), serde_json::Value::from("x"));
            });
            json(serde_json::Value::Object(keys))
        }
        "etag" => {
            let mut one = String::new();
            let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
            strings(&v, &mut |s| one.push_str(s));
            let tag = hyper::header::HeaderValue::from_str(&format!("\"{one}\""))
                .unwrap_or(hyper::header::HeaderValue::from_static("\"x\""));
            (
                Bytes::from_static(b"{}"),
                Some("application/json"),
                Some(tag),
            )
        }
        "entities" => {
            let t = text
                .replace('-', "&#45;")
                .replace('@', "&#64;")
                .replace(' ', "&#160;");
            (Bytes::from(t), Some("text/plain"), None)
        }
        "fullwidth" => {
            let t: String = text
                .chars()
                .map(|c| match c {
                    '0'..='9' | 'A'..='Z' | 'a'..='z' => {
                        char::from_u32(c as u32 + 0xFEE0).unwrap_or(c)
                    }
                    c => c,
                })
                .collect();
            (Bytes::from(t), Some("text/plain; charset=utf-8"), None)
        }
        "uri" => (Bytes::from(uri.to_string()), Some("text/plain"), None),
        // A form answer with a byte that is no UTF-8 (`%FF`) in the middle of each value.
        "form_ff" => {
            let t: Vec<String> = text
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some((k, v)) if v.len() > 2 => {
                        let mut cut = v.len() / 2;
                        while !v.is_char_boundary(cut)
                            || v[cut.saturating_sub(2)..cut].contains('%')
                        {
                            cut -= 1;
                        }
                        format!("{k}={}%FF{}", &v[..cut], &v[cut..])
                    }
                    _ => pair.to_string(),
                })
                .collect();
            (
                Bytes::from(t.join("&")),
                Some("application/x-www-form-urlencoded"),
                None,
            )
        }
        _ => (body, None, None),
    }
}

fn numbers(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::String(s) => {
            let digits: String = s.chars().filter(|c| *c != '-').collect();
            if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) {
                if let Ok(n) = digits.parse::<u64>() {
                    *v = serde_json::Value::from(n);
                }
            }
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(numbers),
        serde_json::Value::Object(o) => o.values_mut().for_each(numbers),
        _ => {}
    }
}

fn strings(v: &serde_json::Value, f: &mut impl FnMut(&str)) {
    match v {
        serde_json::Value::String(s) => f(s),
        serde_json::Value::Array(a) => a.iter().for_each(|x| strings(x, f)),
        serde_json::Value::Object(o) => o.values().for_each(|x| strings(x, f)),
        _ => {}
    }
}

pub fn pem_certs(pem: &str) -> Vec<CertificateDer<'static>> {
    CertificateDer::pem_slice_iter(pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .expect("certs")
}

use rustls::pki_types::pem::PemObject;

/// The gateway process, its addresses, and where its logs go.
pub struct Gateway {
    pub child: Child,
    pub listeners: Vec<SocketAddr>,
    pub admin: SocketAddr,
    pub log: PathBuf,
    /// `[[mllp]]` channels' addresses (printed before the HTTP listeners').
    pub mllp: Vec<SocketAddr>,
}

impl Gateway {
    /// Starts `phigate serve --config` with extra environment variables (fault injection)
    /// and waits for its `listening` lines.
    pub fn start_with_env(
        config: &Path,
        log: &Path,
        expect_listeners: usize,
        env: &[(&str, &str)],
    ) -> Gateway {
        let log_file = std::fs::File::create(log).expect("log file");
        let mut child = Command::new(super::support::bin())
            .args(["serve", "--threads", "2", "--config"])
            .arg(config)
            .envs(env.iter().copied())
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
        let mut listeners = Vec::new();
        let mut mllp = Vec::new();
        let mut admin = None;
        while listeners.len() < expect_listeners || admin.is_none() {
            let line = rx
                .recv_timeout(Duration::from_secs(60))
                .unwrap_or_else(|_| {
                    let _ = child.kill();
                    panic!(
                        "gateway did not start: {}",
                        std::fs::read_to_string(log).unwrap_or_default()
                    )
                });
            if let Some(a) = line.strip_prefix("phigate listening https://") {
                listeners.push(a.parse().expect("addr"));
            } else if let Some(a) = line.strip_prefix("phigate mllp listening mllps://") {
                mllp.push(a.parse().expect("addr"));
            } else if let Some(a) = line.strip_prefix("phigate admin http://") {
                admin = Some(a.parse().expect("addr"));
            }
        }
        Gateway {
            child,
            listeners,
            admin: admin.expect("admin"),
            log: log.to_path_buf(),
            mllp,
        }
    }

    pub fn signal(&self, sig: &str) {
        let status = Command::new("kill")
            .args([&format!("-{sig}"), &self.child.id().to_string()])
            .status()
            .expect("kill");
        assert!(status.success());
    }

    /// SIGTERM, then the exit status (waits at most 30 s).
    pub fn stop(mut self) -> std::process::ExitStatus {
        self.signal("TERM");
        for _ in 0..300 {
            if let Some(s) = self.child.try_wait().expect("wait") {
                return s;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        panic!("gateway did not stop within 30 s of SIGTERM");
    }

    pub fn logs(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub async fn metrics(&self) -> String {
        self.admin_request(hyper::Method::GET, "/metrics").await.1
    }

    /// A request to the admin listener: status and body.
    pub async fn admin_request(&self, method: hyper::Method, path: &str) -> (StatusCode, String) {
        let client: Client<HttpConnector, Full<Bytes>> =
            Client::builder(TokioExecutor::new()).build_http();
        let uri: hyper::Uri = format!("http://{}{path}", self.admin).parse().expect("uri");
        let resp = client
            .request(
                Request::builder()
                    .method(method)
                    .uri(uri)
                    .body(Full::new(Bytes::new()))
                    .expect("req"),
            )
            .await
            .expect("admin request");
        let status = resp.status();
        let body = resp.into_body().collect().await.expect("body").to_bytes();
        (status, String::from_utf8_lossy(&body).into_owned())
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A TLS client trusting the test CA, optionally presenting a client certificate.
pub type TestClient = Client<hyper_rustls::HttpsConnector<HttpConnector>, Full<Bytes>>;

pub fn client(ca_pem: &str, identity: Option<&Leaf>) -> TestClient {
    let mut roots = rustls::RootCertStore::empty();
    for c in pem_certs(ca_pem) {
        roots.add(c).expect("root");
    }
    let builder = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("versions")
    .with_root_certificates(roots);
    let cfg = match identity {
        Some(leaf) => builder
            .with_client_auth_cert(
                pem_certs(&leaf.cert_pem),
                PrivateKeyDer::from_pem_slice(leaf.key_pem.as_bytes()).expect("key"),
            )
            .expect("client cert"),
        None => builder.with_no_client_auth(),
    };
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(cfg)
        .https_only()
        .enable_http1()
        .enable_http2()
        .build();
    Client::builder(TokioExecutor::new()).build(https)
}

/// A response, read whole.
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Answer {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

pub async fn send(client: &TestClient, req: Request<Full<Bytes>>) -> Result<Answer, String> {
    let resp = client.request(req).await.map_err(|e| format!("{e:?}"))?;
    let (parts, body) = resp.into_parts();
    let body = body.collect().await.map_err(|e| e.to_string())?.to_bytes();
    Ok(Answer {
        status: parts.status,
        headers: parts.headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

/// A POST with headers.
pub fn post(url: &str, headers: &[(&str, &str)], body: impl Into<Bytes>) -> Request<Full<Bytes>> {
    let mut b = Request::post(url);
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    b.body(Full::new(body.into())).expect("request")
}

pub fn sha256_hex(s: &str) -> String {
    phigate::gateway::auth::hash_api_key(s)
}

/// A raw TLS stream to the gateway (HTTP/1.1 by hand: slow clients, chunked bodies).
pub async fn raw_tls(
    addr: SocketAddr,
    ca_pem: &str,
) -> tokio_rustls::client::TlsStream<tokio::net::TcpStream> {
    raw_tls_speaking(addr, ca_pem, b"http/1.1").await
}

/// [`raw_tls`] negotiating `protocol` by ALPN (`h2`: HTTP/2 frames by hand, with headers
/// no client library would send).
pub async fn raw_tls_speaking(
    addr: SocketAddr,
    ca_pem: &str,
    protocol: &[u8],
) -> tokio_rustls::client::TlsStream<tokio::net::TcpStream> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in pem_certs(ca_pem) {
        roots.add(cert).expect("root");
    }
    let mut cfg = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("versions")
    .with_root_certificates(roots)
    .with_no_client_auth();
    cfg.alpn_protocols = vec![protocol.to_vec()];
    let tcp = tokio::net::TcpStream::connect(addr).await.expect("connect");
    tokio_rustls::TlsConnector::from(Arc::new(cfg))
        .connect("localhost".try_into().expect("name"), tcp)
        .await
        .expect("handshake")
}

/// `phigate vault init` for a test configuration's `vault` beside `master.key` in `dir`:
/// `serve --config` opens a vault, never creates one.
pub fn init_vault(dir: &Path) {
    let out = Command::new(super::support::bin())
        .args(["vault", "init", "--vault"])
        .arg(dir.join("vault"))
        .arg("--key-file")
        .arg(dir.join("master.key"))
        .output()
        .expect("vault init");
    assert!(
        out.status.success(),
        "vault init: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A gateway served in this process by `phigate::gateway::serve`, on listeners the test
/// bound, until the test's own shutdown future resolves ([`InProcess::shut_down`]).
pub struct InProcess {
    /// The first `[[listener]]`'s bound address.
    pub addr: SocketAddr,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    served: tokio::task::JoinHandle<anyhow::Result<()>>,
}

impl InProcess {
    /// Loads the configuration at `config` (its vault must exist), binds its listeners and
    /// an admin listener on port 0, and serves them in the background.
    pub async fn start(config: &Path) -> InProcess {
        use phigate::gateway::server::{bind, Listeners, Reloads};
        let config = phigate::config::Config::load(config).expect("config");
        let gw = tokio::task::spawn_blocking(move || phigate::gateway::Gateway::load(config))
            .await
            .expect("load task")
            .expect("gateway loads");
        let public = bind(&gw.config).await.expect("bind");
        let addr = public[0].local_addr().expect("addr");
        let admin = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("admin");
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let shutdown = async move {
            let _ = rx.await;
        };
        let listeners = Listeners { public, admin };
        let served = tokio::spawn(phigate::gateway::serve(
            gw,
            None,
            listeners,
            Reloads::none(),
            shutdown,
        ));
        InProcess {
            addr,
            shutdown: Some(tx),
            served,
        }
    }

    /// Resolves the shutdown future the gateway was given.
    pub fn shut_down(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }

    /// Waits (up to `limit`) for `serve` to return, and returns what it returned.
    pub async fn stopped(self, limit: Duration) -> anyhow::Result<()> {
        tokio::time::timeout(limit, self.served)
            .await
            .expect("serve returns after shutdown")
            .expect("serve task")
    }
}
