//! MLLP over TLS (issue 14 item 1b): HL7 v2 senders inside the clinic, an MLLP receiver
//! outside, every message de-identified on the way.
//!
//! Owns the `[[mllp]]` listeners: MLLP framing (`0x0B` message `0x1C 0x0D`) with a size
//! limit and read timeouts, the sender's authentication (mutual TLS, caller by certificate
//! name, as on HTTP routes), one message in flight per connection (read, de-identify, audit,
//! forward, wait for the upstream's ACK, answer; so the order on a connection is kept), and
//! the negative acknowledgements phigate writes itself.
//!
//! What the sender gets back:
//! - the upstream's ACK: it answers a de-identified message, so it may echo tokens (MSA-3
//!   text, ERR). For a caller the channel's `reveal` rules name, the ACK is revealed as an
//!   HL7 message with those types only, audited (`reveal`) before it is answered; for any
//!   other caller, or when the ACK cannot be read or the reveal not audited, it is passed
//!   as it came, tokens and all (a token is never PHI);
//! - `MSA|AE` written by phigate when the message cannot be de-identified or the upstream
//!   did not answer (connection refused or lost, timeout): the message was sent at most once
//!   and is never re-sent by phigate; the sender may retry;
//! - `MSA|AR` when the sender is not allowed or the message is over the size limit (the
//!   connection is then closed).
//!
//! A NAK carries no PHI: its MSH is phigate's own, and the original control ID (MSA-2) is
//! copied only when it is shaped like a control ID. A frame cut off mid-message forwards
//! nothing. The upstream connection is dropped after any failure, so a late ACK can never
//! be taken for the next message's. The upstream is reached over TLS with the channel's CA,
//! presenting `upstream_cert` when one is configured (a receiver with mutual TLS).
//!
//! Metrics: each channel is a route named `mllp:NAME` in the HTTP routes' families
//! (`phigate_requests_total` by outcome, so NAKs by reason: `auth`, `too_large`,
//! `deidentify_failed`, `audit`, `upstream`, `timeout`; errors by fault; the message's
//! latency from frame read to answer; the upstream's ACK latency).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio_rustls::client::TlsStream as ClientTls;
use tokio_rustls::{TlsAcceptor, TlsConnector};

use super::auth::{authenticate, PeerIdentity};
use super::reload::Running;
use super::respond::Fault;
use super::trail::{Recording, Trail};
use super::Gateway;
use crate::audit::{Action, Event};
use crate::config::{ClientAuth, MllpConfig};
use crate::engine::reveal::{Allow, RevealStats};
use crate::engine::ContentType;
use crate::tls::{self, ReloadingCert};
use crate::transform::policy::Policy;

const START: u8 = 0x0B;
const END: [u8; 2] = [0x1C, 0x0D];

/// Why an MLLP channel cannot start, or a frame cannot be read. Messages name settings and
/// sizes, never message content.
#[derive(Debug, thiserror::Error)]
pub enum MllpError {
    #[error("mllp `{0}`: {1}")]
    Setup(String, String),
    #[error("the message is over the {0}-byte limit")]
    TooLarge(usize),
    #[error("bytes outside an MLLP frame")]
    Unframed,
    #[error("the connection closed inside a message")]
    Truncated,
    #[error("timed out")]
    Timeout,
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
}

// === Framing ===

/// Reads one framed message. `Ok(None)`: the connection closed cleanly between messages.
/// Line breaks between frames are skipped; any other byte outside a frame is refused (the
/// next frame's start could not be trusted).
pub async fn read_frame<R: AsyncBufRead + Unpin>(
    r: &mut R,
    max: usize,
) -> Result<Option<Vec<u8>>, MllpError> {
    loop {
        let buf = r.fill_buf().await?;
        let Some(&b) = buf.first() else {
            return Ok(None);
        };
        r.consume(1);
        match b {
            START => break,
            b'\r' | b'\n' => continue,
            _ => return Err(MllpError::Unframed),
        }
    }
    let mut msg = Vec::new();
    loop {
        let buf = r.fill_buf().await?;
        if buf.is_empty() {
            return Err(MllpError::Truncated);
        }
        let (take, done) = match buf.iter().position(|b| *b == END[0]) {
            Some(i) => (i, true),
            None => (buf.len(), false),
        };
        if msg.len() + take > max {
            return Err(MllpError::TooLarge(max));
        }
        msg.extend_from_slice(&buf[..take]);
        r.consume(take);
        if done {
            r.consume(1);
            let next = r.fill_buf().await?;
            if next.first() != Some(&END[1]) {
                return Err(MllpError::Unframed);
            }
            r.consume(1);
            return Ok(Some(msg));
        }
    }
}

/// Writes one message in its frame.
pub async fn write_frame<W: AsyncWrite + Unpin>(w: &mut W, msg: &[u8]) -> std::io::Result<()> {
    let mut framed = Vec::with_capacity(msg.len() + 3);
    framed.push(START);
    framed.extend_from_slice(msg);
    framed.extend_from_slice(&END);
    w.write_all(&framed).await?;
    w.flush().await
}

// === Acknowledgements ===

/// MSH-10 of a message, when it is shaped like a control ID (letters, digits, `-._`, at
/// most 20 characters, not an SSN, phone or e-mail by shape: the test the HL7 walker
/// applies before it forwards MSH-10 as a control field): only then is it echoed in a
/// NAK's MSA-2.
pub fn control_id(msg: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(msg).ok()?;
    let msh = text.trim_start().split(['\r', '\n']).next()?;
    let sep = msh.strip_prefix("MSH")?.chars().next()?;
    // Split on the field separator: ["MSH", MSH-2, MSH-3, …]; MSH-10 is index 9.
    let id = msh.split(sep).nth(9)?.trim();
    let shaped = !id.is_empty()
        && id.len() <= 20
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'))
        && crate::engine::json::keep_shaped(id);
    shaped.then(|| id.to_string())
}

/// A negative acknowledgement written by phigate: its own MSH (no field of the message
/// copied but a control ID-shaped MSH-10), `MSA|code|control id`, and an ERR with a fixed
/// reason code.
pub fn nak(code: &str, control: Option<&str>, reason: &str) -> Vec<u8> {
    let now = time::OffsetDateTime::now_utc();
    let stamp = format!(
        "{:04}{:02}{:02}{:02}{:02}{:02}",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second()
    );
    let id = crate::gateway::handle::new_request_id();
    let control = control.unwrap_or("");
    format!(
        "MSH|^~\\&|PHIGATE|PHIGATE|||{stamp}||ACK|{id}|P|2.5.1\rMSA|{code}|{control}|{reason}\rERR|||{err}|E\r",
        err = if code == "AR" { "207" } else { "207^Application internal error^HL70357" }
    )
    .into_bytes()
}

// === Channels ===

/// One `[[mllp]]` channel, ready to accept.
struct Channel {
    cfg: MllpConfig,
    policy: Policy,
    acceptor: TlsAcceptor,
    connector: TlsConnector,
    server_name: rustls::pki_types::ServerName<'static>,
    host_port: (String, u16),
    /// What each caller may have revealed in the upstream's ACK.
    reveal: HashMap<String, Allow>,
}

/// The start-up checks of one channel (certificates, CAs, upstream, policy), without
/// binding: what `check-config` and a reload run.
pub fn check(engine: &crate::engine::Engine, cfg: &MllpConfig) -> Result<(), MllpError> {
    Channel::build(engine, cfg).map(|_| ())
}

impl Channel {
    fn build(engine: &crate::engine::Engine, cfg: &MllpConfig) -> Result<Channel, MllpError> {
        let setup = |e: String| MllpError::Setup(cfg.name.clone(), e);
        let cert =
            Arc::new(ReloadingCert::load(&cfg.cert, &cfg.key).map_err(|e| setup(e.to_string()))?);
        let mut server = tls::server_config(cfg.client_ca.as_deref(), ClientAuth::Required, cert)
            .map_err(|e| setup(e.to_string()))?;
        server.alpn_protocols.clear();
        let identity = cfg
            .upstream_cert
            .as_deref()
            .zip(cfg.upstream_key.as_deref());
        let client = tls::client_config_as(cfg.upstream_ca.as_deref(), identity)
            .map_err(|e| setup(e.to_string()))?;
        let mut reveal = HashMap::new();
        for (caller, names) in &cfg.reveal {
            let types = names
                .iter()
                .map(|n| {
                    n.parse()
                        .map_err(|_| setup(format!("unknown PHI type `{n}`")))
                })
                .collect::<Result<Vec<_>, _>>()?;
            reveal.insert(caller.clone(), Allow::only(types));
        }
        let (host, port) = cfg
            .upstream_host_port()
            .ok_or_else(|| setup("upstream is not host:port".into()))?;
        let server_name = rustls::pki_types::ServerName::try_from(host.to_string())
            .map_err(|_| setup("upstream host is not a name".into()))?;
        let policy =
            crate::config::load_policy(engine, &cfg.policy).map_err(|e| setup(e.to_string()))?;
        Ok(Channel {
            policy,
            acceptor: TlsAcceptor::from(Arc::new(server)),
            connector: TlsConnector::from(Arc::new(client)),
            server_name,
            host_port: (host.to_string(), port),
            reveal,
            cfg: cfg.clone(),
        })
    }
}

/// Binds every `[[mllp]]` channel and serves each until `stop`; prints one
/// `phigate mllp listening mllps://ADDR` line per channel (tests read the ports from it).
/// Returns the accept loops; each ends once its connections have finished their message
/// in flight (or the grace period is over).
pub async fn start(
    running: &Arc<Running>,
    stop: &watch::Receiver<bool>,
) -> anyhow::Result<Vec<tokio::task::JoinHandle<()>>> {
    let gw = running.current();
    let mut loops = Vec::new();
    for cfg in &gw.config.mllp {
        let channel = Arc::new(Channel::build(&gw.engine, cfg)?);
        let listener = TcpListener::bind(cfg.listen)
            .await
            .map_err(|e| anyhow::anyhow!("mllp `{}`: binding {}: {e}", cfg.name, cfg.listen))?;
        println!("phigate mllp listening mllps://{}", listener.local_addr()?);
        loops.push(tokio::spawn(accept_loop(
            listener,
            channel,
            Arc::clone(running),
            stop.clone(),
        )));
    }
    Ok(loops)
}

async fn accept_loop(
    listener: TcpListener,
    channel: Arc<Channel>,
    running: Arc<Running>,
    mut stop: watch::Receiver<bool>,
) {
    let mut connections = JoinSet::new();
    loop {
        let accepted = tokio::select! {
            a = listener.accept() => a,
            _ = stop.changed() => break,
        };
        match accepted {
            Ok((tcp, remote)) => {
                let c = Connection {
                    channel: Arc::clone(&channel),
                    running: Arc::clone(&running),
                    remote,
                    stop: stop.clone(),
                };
                connections.spawn(c.serve(tcp));
            }
            // A full file table or a reset before accept: wait a little, keep serving.
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
        while connections.try_join_next().is_some() {}
    }
    drop(listener);
    let grace = Duration::from_millis(running.current().config.timeouts.shutdown_grace_ms);
    let drained = tokio::time::timeout(grace, async {
        while connections.join_next().await.is_some() {}
    });
    if drained.await.is_err() {
        tracing::warn!(channel = %channel.cfg.name, "mllp: grace period over; closing connections");
        connections.abort_all();
    }
}

/// One sender's connection and its upstream connection (opened on the first message, kept
/// while it works).
struct Connection {
    channel: Arc<Channel>,
    running: Arc<Running>,
    remote: std::net::SocketAddr,
    stop: watch::Receiver<bool>,
}

/// What became of one message.
enum Outcome {
    /// The upstream's ACK (revealed for the caller), to pass back.
    Acked(Vec<u8>),
    /// phigate's own NAK; `close` ends the connection after it. `why` is the metrics
    /// outcome (the NAK's reason), `fault` whose fault it was.
    Nak {
        answer: Vec<u8>,
        close: bool,
        why: &'static str,
        fault: Fault,
    },
}

impl Outcome {
    /// Counts the message in the channel's metrics.
    fn count(&self, gw: &Gateway, channel: &str, started: Instant) {
        let Some(idx) = gw.metrics.index_of(&format!("mllp:{channel}")) else {
            return;
        };
        match self {
            Outcome::Acked(_) => gw.metrics.request_done(idx, "forwarded", started.elapsed()),
            Outcome::Nak { why, fault, .. } => {
                gw.metrics.request_done(idx, why, started.elapsed());
                gw.metrics.request_failed(idx, *fault);
            }
        }
    }
}

impl Connection {
    async fn serve(mut self, tcp: TcpStream) {
        let cfg = &self.channel.cfg;
        let timeout = Duration::from_millis(cfg.read_timeout_ms);
        let Ok(Ok(tls)) = tokio::time::timeout(timeout, self.channel.acceptor.accept(tcp)).await
        else {
            return;
        };
        let peer = PeerIdentity {
            cert_end_entity: tls
                .get_ref()
                .1
                .peer_certificates()
                .and_then(|c| c.first())
                .map(|c| c.as_ref().to_vec()),
            remote: Some(self.remote),
        };
        let caller = self.caller(&peer);
        let (read, mut write) = tokio::io::split(tls);
        let mut read = BufReader::new(read);
        let mut upstream: Option<BufReader<ClientTls<TcpStream>>> = None;
        loop {
            let frame = tokio::select! {
                f = tokio::time::timeout(timeout, read_frame(&mut read, cfg.max_message_bytes)) => f,
                _ = self.stop.changed() => return,
            };
            let started = Instant::now();
            let outcome = match frame {
                Ok(Ok(Some(msg))) => self.one(&msg, caller.as_deref(), &mut upstream).await,
                Ok(Err(MllpError::TooLarge(_))) => Outcome::Nak {
                    answer: nak("AR", None, "message over the size limit"),
                    close: true,
                    why: "too_large",
                    fault: Fault::Client,
                },
                // A clean close, a cut-off frame, a timeout: nothing to answer, nothing sent.
                _ => return,
            };
            outcome.count(&self.running.current(), &cfg.name, started);
            let (answer, close) = match outcome {
                Outcome::Acked(a) => (a, false),
                Outcome::Nak { answer, close, .. } => (answer, close),
            };
            if write_frame(&mut write, &answer).await.is_err() || close {
                let _ = write.shutdown().await;
                return;
            }
        }
    }

    /// The caller the client certificate proves, among the channel's callers; `Some("")`
    /// when the channel names none (any client its CA accepts).
    fn caller(&self, peer: &PeerIdentity) -> Option<String> {
        let gw = self.running.current();
        if self.channel.cfg.callers.is_empty() {
            return Some(String::new());
        }
        let headers = hyper::HeaderMap::new();
        authenticate(
            &gw.callers,
            &self.channel.cfg.callers,
            &headers,
            peer,
            b"",
            &gw.replay,
        )
        .ok()
        .map(|c| c.name.clone())
    }

    /// One message: refused, de-identified and forwarded, or answered with a NAK.
    async fn one(
        &self,
        msg: &[u8],
        caller: Option<&str>,
        upstream: &mut Option<BufReader<ClientTls<TcpStream>>>,
    ) -> Outcome {
        let gw = self.running.current();
        let control = control_id(msg);
        let request_id = crate::gateway::handle::new_request_id();
        let trail = Arc::new(Trail::default());
        let Some(caller) = caller else {
            self.audit(
                &gw,
                &trail,
                &request_id,
                Action::AuthFailure,
                "refused",
                None,
            )
            .await;
            return Outcome::Nak {
                answer: nak("AR", control.as_deref(), "sender not allowed"),
                close: true,
                why: "auth",
                fault: Fault::Client,
            };
        };
        if !caller.is_empty() {
            trail.set_caller(caller);
        }
        let out = match self.deidentify(&gw, msg, &trail).await {
            Ok(out) => out,
            Err(reason) => {
                self.audit(
                    &gw,
                    &trail,
                    &request_id,
                    Action::RequestFailed,
                    "refused",
                    Some(reason),
                )
                .await;
                return Outcome::Nak {
                    answer: nak(
                        "AE",
                        control.as_deref(),
                        "message could not be de-identified",
                    ),
                    close: false,
                    why: "deidentify_failed",
                    fault: if reason == "not-deidentified" {
                        Fault::Client
                    } else {
                        Fault::Internal
                    },
                };
            }
        };
        // The record of what leaves is on disk before it leaves.
        if !self
            .audit(
                &gw,
                &trail,
                &request_id,
                Action::Tokenize,
                "forwarded",
                None,
            )
            .await
        {
            return Outcome::Nak {
                answer: nak("AE", control.as_deref(), "audit log unavailable"),
                close: false,
                why: "audit",
                fault: Fault::Audit,
            };
        }
        let limit = Duration::from_millis(self.channel.cfg.upstream_timeout_ms);
        let sent = Instant::now();
        match tokio::time::timeout(limit, self.exchange(upstream, out.as_bytes())).await {
            Ok(Ok(ack)) => {
                if let Some(idx) = gw
                    .metrics
                    .index_of(&format!("mllp:{}", self.channel.cfg.name))
                {
                    gw.metrics.upstream_done(idx, sent.elapsed());
                }
                Outcome::Acked(self.reveal_ack(&gw, caller, ack, &request_id).await)
            }
            failed => {
                *upstream = None;
                let (why, outcome) = match failed {
                    Err(_) => ("upstream-timeout", "timeout"),
                    _ => ("upstream-failed", "upstream"),
                };
                tracing::warn!(channel = %self.channel.cfg.name, request_id, why, "mllp: no ACK from upstream");
                Outcome::Nak {
                    answer: nak("AE", control.as_deref(), "upstream did not acknowledge"),
                    close: false,
                    why: outcome,
                    fault: Fault::Upstream,
                }
            }
        }
    }

    /// The message de-identified as HL7 v2 under the channel's policy and token domain,
    /// on the blocking pool; the error is a fixed reason code.
    async fn deidentify(
        &self,
        gw: &Arc<Gateway>,
        msg: &[u8],
        trail: &Arc<Trail>,
    ) -> Result<String, &'static str> {
        let (gw, channel, trail, msg) = (
            Arc::clone(gw),
            Arc::clone(&self.channel),
            Arc::clone(trail),
            msg.to_vec(),
        );
        let work = tokio::task::spawn_blocking(move || {
            let store = gw.mllp_store(&channel.cfg.domain);
            let rec = Recording {
                store: &*store,
                trail: &trail,
                keys: gw.audit.keys(),
                allow: None,
                shield: None,
            };
            let t = gw
                .engine
                .transformer_keyed(&channel.policy, &rec, &gw.date_key);
            // The worker thread's scratch: a fresh one per message would rebuild every
            // search automaton's cache, the largest part of detection's cost.
            let out = super::work::with_scratch(&gw.engine, |scratch| {
                gw.engine.deidentify(&msg, ContentType::Hl7, &t, scratch)
            })
            .map_err(|_| "not-deidentified")?;
            trail.found(&out.counts);
            Ok(out.text)
        });
        work.await.map_err(|_| "deidentify-task-failed")?
    }

    /// The upstream's ACK as the caller may see it: revealed with the types the channel's
    /// `reveal` rules give the caller, and audited before it is answered. Anything else (no
    /// rules, no token, an ACK that does not read as HL7, a vault or audit failure) gives
    /// the ACK as it came: its tokens stand for values the sender sent.
    async fn reveal_ack(
        &self,
        gw: &Arc<Gateway>,
        caller: &str,
        ack: Vec<u8>,
        request_id: &str,
    ) -> Vec<u8> {
        let Some(allow) = self.channel.reveal.get(caller) else {
            return ack;
        };
        // Every token has an underscore.
        if !ack.contains(&b'_') {
            return ack;
        }
        let trail = Arc::new(Trail::default());
        trail.set_caller(caller);
        let (gw2, channel, allow, trail2, input) = (
            Arc::clone(gw),
            Arc::clone(&self.channel),
            allow.clone(),
            Arc::clone(&trail),
            ack.clone(),
        );
        let work = tokio::task::spawn_blocking(move || {
            let store = gw2.mllp_store(&channel.cfg.domain);
            let rec = Recording {
                store: &*store,
                trail: &trail2,
                keys: gw2.audit.keys(),
                allow: Some(&allow),
                shield: None,
            };
            let mut stats = RevealStats::default();
            let out = gw2
                .engine
                .reidentify(&input, ContentType::Hl7, &rec, &allow, &mut stats)
                .ok()?;
            gw2.metrics
                .reveals(stats.revealed, stats.refused, stats.unknown);
            Some((out, stats.revealed + stats.refused))
        });
        let (revealed, touched) = match work.await {
            Ok(Some(done)) => done,
            _ => {
                tracing::warn!(channel = %self.channel.cfg.name, request_id, "mllp: the ACK could not be revealed; passed as it came");
                return ack;
            }
        };
        if touched == 0 {
            return ack;
        }
        let recorded = self
            .audit(gw, &trail, request_id, Action::Reveal, "revealed", None)
            .await;
        if recorded {
            revealed.into_bytes()
        } else {
            ack
        }
    }

    /// Sends one message upstream (connecting first if needed) and reads its ACK.
    async fn exchange(
        &self,
        upstream: &mut Option<BufReader<ClientTls<TcpStream>>>,
        msg: &[u8],
    ) -> Result<Vec<u8>, MllpError> {
        if upstream.is_none() {
            let (host, port) = &self.channel.host_port;
            let tcp = TcpStream::connect((host.as_str(), *port)).await?;
            let tls = self
                .channel
                .connector
                .connect(self.channel.server_name.clone(), tcp)
                .await?;
            *upstream = Some(BufReader::new(tls));
        }
        let conn = upstream.as_mut().ok_or(MllpError::Truncated)?;
        write_frame(conn.get_mut(), msg).await?;
        // An ACK is small; the channel's message limit bounds it all the same.
        read_frame(conn, self.channel.cfg.max_message_bytes)
            .await?
            .ok_or(MllpError::Truncated)
    }

    /// Records the message's audit events durably; false when the log could not take them.
    async fn audit(
        &self,
        gw: &Gateway,
        trail: &Trail,
        request_id: &str,
        action: Action,
        outcome: &str,
        detail: Option<&'static str>,
    ) -> bool {
        let mut base = Event::new(action, outcome);
        let per_value = matches!(action, Action::Tokenize | Action::Reveal);
        if per_value {
            base.action = None;
        }
        base.request_id = Some(request_id.to_string());
        base.route = Some(format!("mllp:{}", self.channel.cfg.name));
        base.destination = Some(self.channel.host_port.0.clone());
        base.detail = detail.map(str::to_string);
        let events = if per_value {
            trail.take_events(&base, action == Action::Reveal)
        } else {
            vec![base]
        };
        gw.audit.record_durable(events).await.is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn frames(bytes: &[u8], max: usize) -> Vec<Result<Option<Vec<u8>>, String>> {
        let mut r = BufReader::new(bytes);
        let mut out = Vec::new();
        loop {
            let f = read_frame(&mut r, max).await.map_err(|e| e.to_string());
            let end = !matches!(f, Ok(Some(_)));
            out.push(f);
            if end {
                return out;
            }
        }
    }

    #[tokio::test]
    async fn frames_are_read_whole_and_broken_ones_refused() {
        let two = b"\x0bMSH|a\rPID|1\x1c\x0d\r\n\x0bMSH|b\x1c\x0d";
        assert_eq!(
            frames(two, 100).await,
            vec![
                Ok(Some(b"MSH|a\rPID|1".to_vec())),
                Ok(Some(b"MSH|b".to_vec())),
                Ok(None)
            ]
        );
        let cut = frames(b"\x0bMSH|a\rPID|Doe", 100).await;
        assert!(matches!(cut.last(), Some(Err(e)) if e.contains("closed inside")));
        let stray = frames(b"MSH|a\x1c\x0d", 100).await;
        assert!(matches!(stray.last(), Some(Err(e)) if e.contains("outside")));
        let big = frames(b"\x0b0123456789\x1c\x0d", 5).await;
        assert!(matches!(big.last(), Some(Err(e)) if e.contains("limit")));
        let no_cr = frames(b"\x0bMSH|a\x1cX", 100).await;
        assert!(matches!(no_cr.last(), Some(Err(_))));
    }

    #[test]
    fn a_nak_copies_only_a_control_shaped_id() {
        let msg = b"MSH|^~\\&|EMR|SGH|LAB|SGH|20240312||ADT^A01|MSG00001|P|2.5.1\rPID|1||MR1";
        assert_eq!(control_id(msg).as_deref(), Some("MSG00001"));
        for bad in [
            "MSH|^~\\&|EMR|SGH|LAB|SGH|20240312||ADT^A01|Ansel Whitcombe|P|2.5.1",
            "MSH|^~\\&|EMR|SGH|LAB|SGH|20240312||ADT^A01|219-09-9999|P|2.5.1",
            "MSH|^~\\&|EMR|SGH|LAB|SGH|20240312||ADT^A01|a@b.org|P|2.5.1",
            "PID|1",
        ] {
            assert_eq!(control_id(bad.as_bytes()), None, "{bad}");
        }
        let n = String::from_utf8(nak(
            "AE",
            Some("MSG00001"),
            "message could not be de-identified",
        ))
        .expect("ascii");
        assert!(n.starts_with("MSH|^~\\&|PHIGATE|PHIGATE|||"), "{n}");
        assert!(
            n.contains("\rMSA|AE|MSG00001|message could not be de-identified\r"),
            "{n}"
        );
    }
}
