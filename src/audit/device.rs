//! Audit devices: every entry the log writes, forwarded to a syslog receiver over TLS
//! (RFC 5424 messages, octet-counted per RFC 5425) and/or an HTTPS collector (NDJSON
//! batches), so that a copy of the trail leaves the machine as it is written.
//!
//! Owns the per-device bounded buffer, the sender (one thread per device running its own
//! small runtime, so a device never borrows the gateway's), reconnection with backoff, the
//! wire formats, and the device metrics. Entries are forwarded exactly as the log wrote them
//! (the JSON line with its MAC), and are already free of values: a device sees nothing the
//! file does not hold.
//!
//! The writer hands a batch over once it is on disk ([`Devices::offer`]). A device whose
//! buffer is full either fails the batch (`reject`: the requests that wrote it are answered
//! 503, and [`Devices::admit`] keeps new ones out until the buffer drains) or drops what does
//! not fit for that device only, counting it (`degrade`). Delivery is at least once: an
//! entry leaves the buffer only after a successful write (syslog) or a 2xx (HTTPS); a
//! receiver that restarts may see an entry twice, and tells by its sequence number.

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::AuditError;

/// Why a device could not be set up or could not deliver. Never carries entry content.
#[derive(Debug, Clone, thiserror::Error)]
pub enum DeviceError {
    #[error("audit device {device}: {reason}")]
    Setup { device: String, reason: String },
    #[error("connecting: {0}")]
    Connect(String),
    #[error("writing: {0}")]
    Write(String),
    #[error("the collector answered {0}")]
    Status(u16),
    #[error("no answer in time")]
    Timeout,
}

/// Where a device sends, and how.
#[derive(Debug, Clone)]
pub enum Target {
    /// A syslog receiver over TLS.
    Syslog {
        /// `host:port`.
        address: String,
        /// The name its certificate must carry.
        server_name: String,
        app_name: String,
        facility: u8,
    },
    /// An HTTPS collector taking NDJSON batches.
    Https {
        url: hyper::Uri,
        bearer_token_file: Option<PathBuf>,
    },
}

/// One device as the gateway configures it.
#[derive(Debug, Clone)]
pub struct Spec {
    pub name: String,
    pub target: Target,
    /// PEM CA bundle for the receiver (default: the system roots).
    pub ca: Option<PathBuf>,
    /// Client certificate and key (PEM), for receivers that require mutual TLS.
    pub identity: Option<(PathBuf, PathBuf)>,
    /// Entries held while the device is slow or away.
    pub buffer: usize,
    /// Fail requests while the buffer is full (else drop for this device and count).
    pub reject: bool,
}

/// An entry as handed to the devices: the stored line and what the wire formats name.
#[derive(Debug, Clone)]
pub struct Forwarded {
    pub seq: u64,
    /// SHA-256 (hex) of the line: what the next entry's `prev` names.
    pub hash: String,
    pub ts: String,
    /// The action's name (`tokenize`, `auth_failure`…), or `-`.
    pub action: &'static str,
    pub line: String,
}

/// Entries per delivery.
const BATCH: usize = 256;
const BACKOFF_MIN: Duration = Duration::from_millis(100);
const BACKOFF_MAX: Duration = Duration::from_secs(2);
const IO_TIMEOUT: Duration = Duration::from_secs(10);

/// One device: its buffer, its counters and its sender's wake-up.
#[derive(Debug)]
pub struct Device {
    name: String,
    reject: bool,
    capacity: usize,
    queue: Mutex<VecDeque<Forwarded>>,
    wake: tokio::sync::Notify,
    sent: AtomicU64,
    dropped: AtomicU64,
    up: AtomicBool,
    /// Entries were dropped and none fitted since: logged once per episode, not per batch.
    overflowing: AtomicBool,
    stop: AtomicBool,
}

impl Device {
    fn new(spec: &Spec) -> Device {
        Device {
            name: spec.name.clone(),
            reject: spec.reject,
            capacity: spec.buffer.max(1),
            queue: Mutex::new(VecDeque::new()),
            wake: tokio::sync::Notify::new(),
            sent: AtomicU64::new(0),
            dropped: AtomicU64::new(0),
            up: AtomicBool::new(false),
            overflowing: AtomicBool::new(false),
            stop: AtomicBool::new(false),
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }

    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// Whether the last connection or delivery succeeded.
    pub fn up(&self) -> bool {
        self.up.load(Ordering::Relaxed)
    }

    /// Entries waiting.
    pub fn pending(&self) -> usize {
        self.queue.lock().map_or(0, |q| q.len())
    }

    /// Whether a request may go on as far as this device is concerned.
    fn admits(&self) -> bool {
        !self.reject || self.pending() < self.capacity
    }

    /// Queues what fits; returns how many did not.
    fn push(&self, items: &[Forwarded]) -> usize {
        let Ok(mut q) = self.queue.lock() else {
            return items.len();
        };
        let room = self.capacity.saturating_sub(q.len());
        q.extend(items.iter().take(room).cloned());
        drop(q);
        self.wake.notify_one();
        items.len().saturating_sub(room)
    }

    fn peek(&self, n: usize) -> Vec<Forwarded> {
        self.queue
            .lock()
            .map(|q| q.iter().take(n).cloned().collect())
            .unwrap_or_default()
    }

    fn pop(&self, n: usize) {
        if let Ok(mut q) = self.queue.lock() {
            let n = n.min(q.len());
            q.drain(..n);
        }
    }
}

/// Every configured device.
#[derive(Debug, Default)]
pub struct Devices {
    list: Vec<Arc<Device>>,
}

impl Devices {
    /// Checks each device's settings (CA, certificates, token file), then starts its sender.
    /// Fails on the first device that cannot be set up: a configured copy of the trail that
    /// cannot be made is a start-up error, not a silent gap.
    pub fn start(specs: &[Spec]) -> Result<Devices, DeviceError> {
        let mut list = Vec::new();
        let mut sinks = Vec::new();
        for spec in specs {
            let setup = |reason: String| DeviceError::Setup {
                device: spec.name.clone(),
                reason,
            };
            sinks.push(Sink::new(spec).map_err(|e| setup(e.to_string()))?);
            list.push(Arc::new(Device::new(spec)));
        }
        for (device, sink) in list.iter().zip(sinks) {
            let d = Arc::clone(device);
            std::thread::Builder::new()
                .name(format!("phigate-audit-{}", device.name))
                .spawn(move || send_forever(&d, sink))
                .map_err(|e| DeviceError::Setup {
                    device: device.name.clone(),
                    reason: e.to_string(),
                })?;
        }
        Ok(Devices { list })
    }

    /// What [`Devices::start`] checks (CA, certificates, token file), without connecting
    /// or starting anything: `check-config`.
    pub fn check(specs: &[Spec]) -> Result<(), DeviceError> {
        for spec in specs {
            Sink::new(spec).map_err(|e| DeviceError::Setup {
                device: spec.name.clone(),
                reason: e.to_string(),
            })?;
        }
        Ok(())
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Device> {
        self.list.iter().map(|d| &**d)
    }

    /// Whether every `reject` device has room: what `/readyz` and request admission ask.
    pub fn admit(&self) -> bool {
        self.list.iter().all(|d| d.admits())
    }

    /// Hands entries written (and on disk) to every device. A `reject` device that cannot
    /// take them all fails the batch; a `degrade` device drops the rest and counts them.
    pub fn offer(&self, items: &[Forwarded]) -> Result<(), AuditError> {
        if items.is_empty() {
            return Ok(());
        }
        let mut result = Ok(());
        for d in &self.list {
            let lost = d.push(items);
            if lost == 0 {
                if d.overflowing.swap(false, Ordering::Relaxed) {
                    tracing::warn!(device = %d.name, "audit device buffer has room again");
                }
                continue;
            }
            d.dropped.fetch_add(lost as u64, Ordering::Relaxed);
            if !d.overflowing.swap(true, Ordering::Relaxed) {
                tracing::error!(
                    device = %d.name,
                    entries = lost,
                    reject = d.reject,
                    "audit device buffer full; entries not forwarded to it (the log file has them; counted in phigate_audit_device_dropped_total)"
                );
            }
            if d.reject {
                result = Err(AuditError::DeviceFull {
                    device: d.name.clone(),
                });
            }
        }
        result
    }

    /// Waits up to `wait` for every device to deliver what it holds, then stops the
    /// senders (on shutdown).
    pub fn stop(&self, wait: Duration) {
        let until = std::time::Instant::now() + wait;
        while std::time::Instant::now() < until && self.list.iter().any(|d| d.pending() > 0) {
            std::thread::sleep(Duration::from_millis(20));
        }
        for d in &self.list {
            d.stop.store(true, Ordering::SeqCst);
            d.wake.notify_one();
        }
    }

    /// The Prometheus text of the device metrics.
    pub fn render_metrics(&self) -> String {
        if self.list.is_empty() {
            return String::new();
        }
        let mut out = String::from(
            "# HELP phigate_audit_device_sent_total Audit entries delivered to the device.\n# TYPE phigate_audit_device_sent_total counter\n",
        );
        for d in &self.list {
            let _ = writeln!(
                out,
                "phigate_audit_device_sent_total{{device=\"{}\"}} {}",
                d.name,
                d.sent()
            );
        }
        out.push_str("# HELP phigate_audit_device_dropped_total Audit entries that did not fit the device's buffer (the log file has them).\n# TYPE phigate_audit_device_dropped_total counter\n");
        for d in &self.list {
            let _ = writeln!(
                out,
                "phigate_audit_device_dropped_total{{device=\"{}\"}} {}",
                d.name,
                d.dropped()
            );
        }
        out.push_str("# HELP phigate_audit_device_up Whether the device's last connection or delivery succeeded.\n# TYPE phigate_audit_device_up gauge\n");
        for d in &self.list {
            let _ = writeln!(
                out,
                "phigate_audit_device_up{{device=\"{}\"}} {}",
                d.name,
                u8::from(d.up())
            );
        }
        out.push_str("# HELP phigate_audit_device_pending Audit entries waiting in the device's buffer.\n# TYPE phigate_audit_device_pending gauge\n");
        for d in &self.list {
            let _ = writeln!(
                out,
                "phigate_audit_device_pending{{device=\"{}\"}} {}",
                d.name,
                d.pending()
            );
        }
        out
    }
}

/// The sender thread: its own current-thread runtime, delivering until stopped.
fn send_forever(device: &Arc<Device>, mut sink: Sink) {
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            tracing::error!(device = %device.name, error = %e, "audit device sender could not start");
            return;
        }
    };
    rt.block_on(async {
        let mut backoff = BACKOFF_MIN;
        loop {
            let stopping = device.stop.load(Ordering::SeqCst);
            let batch = device.peek(BATCH);
            if batch.is_empty() {
                if stopping {
                    break;
                }
                let up = sink.probe().await;
                device.up.store(up, Ordering::Relaxed);
                let _ = tokio::time::timeout(Duration::from_secs(1), device.wake.notified()).await;
                continue;
            }
            match sink.deliver(&batch).await {
                Ok(()) => {
                    device.pop(batch.len());
                    device.sent.fetch_add(batch.len() as u64, Ordering::Relaxed);
                    device.up.store(true, Ordering::Relaxed);
                    backoff = BACKOFF_MIN;
                }
                Err(e) => {
                    let was_up = device.up.swap(false, Ordering::Relaxed);
                    if was_up || backoff == BACKOFF_MIN {
                        tracing::warn!(device = %device.name, error = %e, pending = batch.len(), "audit device unreachable; retrying with backoff");
                    }
                    if stopping {
                        break;
                    }
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(BACKOFF_MAX);
                }
            }
        }
    });
}

/// A device's connection.
enum Sink {
    /// Boxed: a TLS stream and an HTTPS client differ much in size.
    Syslog(Box<SyslogSink>),
    Https(Box<HttpsSink>),
}

impl Sink {
    fn new(spec: &Spec) -> Result<Sink, DeviceError> {
        let identity = spec
            .identity
            .as_ref()
            .map(|(c, k)| (c.as_path(), k.as_path()));
        let tls = crate::tls::client_config_as(spec.ca.as_deref(), identity)
            .map_err(|e| DeviceError::Connect(e.to_string()))?;
        Ok(match &spec.target {
            Target::Syslog {
                address,
                server_name,
                app_name,
                facility,
            } => Sink::Syslog(Box::new(SyslogSink {
                address: address.clone(),
                server_name: rustls::pki_types::ServerName::try_from(server_name.clone())
                    .map_err(|e| DeviceError::Connect(format!("server name: {e}")))?,
                connector: tokio_rustls::TlsConnector::from(Arc::new(tls)),
                header: SyslogHeader {
                    host: hostname(),
                    app: app_name.clone(),
                    facility: *facility,
                    pid: std::process::id(),
                },
                conn: None,
            })),
            Target::Https {
                url,
                bearer_token_file,
            } => Sink::Https(Box::new(HttpsSink::new(
                url.clone(),
                bearer_token_file.as_deref(),
                tls,
            )?)),
        })
    }

    async fn deliver(&mut self, batch: &[Forwarded]) -> Result<(), DeviceError> {
        let r = tokio::time::timeout(IO_TIMEOUT, async {
            match self {
                Sink::Syslog(s) => s.deliver(batch).await,
                Sink::Https(h) => h.deliver(batch).await,
            }
        })
        .await;
        match r {
            Ok(r) => r,
            Err(_) => {
                if let Sink::Syslog(s) = self {
                    s.conn = None;
                }
                Err(DeviceError::Timeout)
            }
        }
    }

    /// Whether the device is reachable while idle: the syslog connection is (re)made and
    /// checked; an HTTPS collector is judged by its last delivery.
    async fn probe(&mut self) -> bool {
        match self {
            Sink::Syslog(s) => tokio::time::timeout(IO_TIMEOUT, s.connected())
                .await
                .is_ok_and(|r| r.is_ok()),
            Sink::Https(h) => h.last_ok,
        }
    }
}

/// The fixed part of every RFC 5424 header this process writes.
struct SyslogHeader {
    host: String,
    app: String,
    facility: u8,
    pid: u32,
}

impl SyslogHeader {
    /// One RFC 5424 message: `<PRI>1 TIMESTAMP HOST APP PROCID MSGID [SD] MSG`, the entry's
    /// sequence number and hash in structured data (under the documentation enterprise
    /// number 32473, RFC 5612), the stored JSON line as MSG.
    fn message(&self, f: &Forwarded) -> String {
        let pri = u16::from(self.facility) * 8 + u16::from(severity(f.action));
        format!(
            "<{pri}>1 {} {} {} {} {} [phigate@32473 seq=\"{}\" hash=\"{}\"] {}",
            f.ts, self.host, self.app, self.pid, f.action, f.seq, f.hash, f.line
        )
    }
}

/// Refusals and failures are notices (5), everything else informational (6).
fn severity(action: &str) -> u8 {
    match action {
        "auth_failure" | "reveal_refused" | "request_failed" => 5,
        _ => 6,
    }
}

/// RFC 5425 framing: `MSG-LEN SP SYSLOG-MSG`, the length in octets.
pub fn frame(message: &str) -> String {
    format!("{} {message}", message.len())
}

/// The host name for the HOSTNAME field (`-`, the nil value, when it cannot be read).
fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty() && h.len() <= 255 && h.bytes().all(|b| (33..=126).contains(&b)))
        .unwrap_or_else(|| "-".into())
}

type TlsStream = tokio_rustls::client::TlsStream<tokio::net::TcpStream>;

struct SyslogSink {
    address: String,
    server_name: rustls::pki_types::ServerName<'static>,
    connector: tokio_rustls::TlsConnector,
    header: SyslogHeader,
    conn: Option<TlsStream>,
}

impl SyslogSink {
    /// The open connection, checked for a receiver that went away (it closed, or sent
    /// something a syslog receiver never sends), or a new one.
    async fn connected(&mut self) -> Result<&mut TlsStream, DeviceError> {
        if let Some(c) = &mut self.conn {
            let mut byte = [0u8; 1];
            // Readable now means closed or broken: a receiver only reads.
            if futures_util::FutureExt::now_or_never(c.read(&mut byte)).is_some() {
                self.conn = None;
            }
        }
        if self.conn.is_none() {
            let tcp = tokio::net::TcpStream::connect(&self.address)
                .await
                .map_err(|e| DeviceError::Connect(e.to_string()))?;
            let _ = tcp.set_nodelay(true);
            let tls = self
                .connector
                .connect(self.server_name.clone(), tcp)
                .await
                .map_err(|e| DeviceError::Connect(e.to_string()))?;
            self.conn = Some(tls);
        }
        self.conn
            .as_mut()
            .ok_or_else(|| DeviceError::Connect("no connection".into()))
    }

    async fn deliver(&mut self, batch: &[Forwarded]) -> Result<(), DeviceError> {
        let mut out = String::new();
        for f in batch {
            out.push_str(&frame(&self.header.message(f)));
        }
        let conn = self.connected().await?;
        let written = async {
            conn.write_all(out.as_bytes()).await?;
            conn.flush().await
        }
        .await;
        written.map_err(|e| {
            self.conn = None;
            DeviceError::Write(e.to_string())
        })
    }
}

type HttpsClient = Client<hyper_rustls::HttpsConnector<HttpConnector>, Full<Bytes>>;

struct HttpsSink {
    url: hyper::Uri,
    bearer: Option<String>,
    client: HttpsClient,
    last_ok: bool,
}

impl HttpsSink {
    fn new(
        url: hyper::Uri,
        token_file: Option<&std::path::Path>,
        tls: rustls::ClientConfig,
    ) -> Result<HttpsSink, DeviceError> {
        let bearer = token_file
            .map(|p| {
                std::fs::read_to_string(p)
                    .map(|t| t.trim().to_string())
                    .map_err(|e| DeviceError::Connect(format!("{}: {e}", p.display())))
            })
            .transpose()?;
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_connect_timeout(Some(IO_TIMEOUT));
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_only()
            .enable_http1()
            .enable_http2()
            .wrap_connector(http);
        Ok(HttpsSink {
            url,
            bearer,
            client: Client::builder(TokioExecutor::new()).build(connector),
            last_ok: false,
        })
    }

    async fn deliver(&mut self, batch: &[Forwarded]) -> Result<(), DeviceError> {
        let result = self.post(batch).await;
        self.last_ok = result.is_ok();
        result
    }

    async fn post(&self, batch: &[Forwarded]) -> Result<(), DeviceError> {
        let mut body = String::new();
        for f in batch {
            body.push_str(&f.line);
            body.push('\n');
        }
        let mut req = hyper::Request::post(self.url.clone())
            .header(hyper::header::CONTENT_TYPE, "application/x-ndjson");
        if let Some(t) = &self.bearer {
            req = req.header(hyper::header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let req = req
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| DeviceError::Write(e.to_string()))?;
        let resp = self
            .client
            .request(req)
            .await
            .map_err(|e| DeviceError::Connect(e.to_string()))?;
        if resp.status().is_success() {
            Ok(())
        } else {
            Err(DeviceError::Status(resp.status().as_u16()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(seq: u64) -> Forwarded {
        Forwarded {
            seq,
            hash: "ab".repeat(32),
            ts: "2026-03-01T10:00:00.000001Z".into(),
            action: "auth_failure",
            line: format!("{{\"seq\":{seq},\"détail\":\"é\"}}"),
        }
    }

    #[test]
    fn frames_count_octets_and_messages_follow_rfc_5424() {
        let h = SyslogHeader {
            host: "gw1".into(),
            app: "phigate".into(),
            facility: 13,
            pid: 42,
        };
        let m = h.message(&entry(7));
        assert!(m.starts_with("<109>1 2026-03-01T10:00:00.000001Z gw1 phigate 42 auth_failure [phigate@32473 seq=\"7\" hash=\""), "{m}");
        let f = frame(&m);
        let (len, rest) = f.split_once(' ').unwrap_or_default();
        assert_eq!(len.parse::<usize>().ok(), Some(rest.len()));
        assert_ne!(
            rest.len(),
            rest.chars().count(),
            "the length counts octets, not characters"
        );
    }

    #[test]
    fn a_device_whose_ca_cannot_be_read_is_named_at_start_up() {
        let spec = Spec {
            name: "siem".into(),
            target: Target::Syslog {
                address: "127.0.0.1:6514".into(),
                server_name: "localhost".into(),
                app_name: "phigate".into(),
                facility: 13,
            },
            ca: Some(PathBuf::from("/nonexistent/phigate-test-ca.pem")),
            identity: None,
            buffer: 1,
            reject: true,
        };
        let e = Devices::check(std::slice::from_ref(&spec))
            .err()
            .map(|e| e.to_string());
        assert!(
            e.as_deref().is_some_and(
                |e| e.contains("audit device siem") && e.contains("phigate-test-ca.pem")
            ),
            "{e:?}"
        );
        assert!(Devices::start(&[spec]).is_err());
    }

    #[test]
    fn a_full_reject_device_fails_the_batch_and_a_degrade_device_counts_what_it_drops() {
        let spec = |reject| Spec {
            name: "d".into(),
            target: Target::Https {
                url: hyper::Uri::from_static("https://collector.invalid/"),
                bearer_token_file: None,
            },
            ca: None,
            identity: None,
            buffer: 2,
            reject,
        };
        // Devices without senders: only the buffers are exercised.
        let strict = Devices {
            list: vec![Arc::new(Device::new(&spec(true)))],
        };
        assert!(strict.offer(&[entry(1), entry(2)]).is_ok());
        assert!(!strict.admit(), "a full reject buffer keeps requests out");
        assert!(matches!(
            strict.offer(&[entry(3)]),
            Err(AuditError::DeviceFull { .. })
        ));
        let loose = Devices {
            list: vec![Arc::new(Device::new(&spec(false)))],
        };
        assert!(loose.offer(&[entry(1), entry(2), entry(3)]).is_ok());
        assert!(loose.admit());
        assert_eq!(loose.list[0].dropped(), 1);
        assert_eq!(loose.list[0].pending(), 2);
        assert!(loose
            .render_metrics()
            .contains("phigate_audit_device_dropped_total{device=\"d\"} 1"));
    }
}
