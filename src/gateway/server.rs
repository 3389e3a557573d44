//! Sockets and lifecycle: TLS listeners, the admin listener, certificate and configuration
//! reload on SIGHUP (configuration also on `POST /reload`), and graceful shutdown on
//! SIGTERM or Ctrl-C.
//!
//! Each accepted connection gets a TLS handshake under a timeout, then hyper serves it
//! (HTTP/1.1 or HTTP/2 by ALPN) with a head-read timeout and header-size limits. On
//! shutdown the listeners stop accepting, in-flight requests get the grace period to
//! finish, and the vault is flushed.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;

use super::auth::PeerIdentity;
use super::reload::Running;
use super::{handle, Gateway};
use crate::tls::{self, ReloadingCert};

/// The admin listener, bound before the gateway is loaded: while start-up waits (for its
/// PostgreSQL vault), it answers `/healthz` ok and everything else 503, so an orchestrator
/// sees a live process that is not ready. Prints the `phigate admin …` line.
pub struct StartingAdmin {
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<TcpListener>,
}

impl StartingAdmin {
    pub async fn bind(addr: std::net::SocketAddr) -> anyhow::Result<StartingAdmin> {
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|e| anyhow::anyhow!("binding admin {addr}: {e}"))?;
        println!("phigate admin http://{}", listener.local_addr()?);
        use std::io::Write as _;
        let _ = std::io::stdout().flush();
        let (stop, mut stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            loop {
                tokio::select! {
                    r = listener.accept() => if let Ok((tcp, _)) = r {
                        tokio::spawn(async move {
                            let _ = hyper::server::conn::http1::Builder::new()
                                .timer(TokioTimer::new())
                                .header_read_timeout(Duration::from_secs(10))
                                .serve_connection(TokioIo::new(tcp), service_fn(starting_answer))
                                .await;
                        });
                    },
                    _ = &mut stopped => return listener,
                }
            }
        });
        Ok(StartingAdmin { stop, task })
    }

    /// Stops answering and hands the listener over to the gateway.
    pub async fn into_listener(self) -> anyhow::Result<TcpListener> {
        let _ = self.stop.send(());
        Ok(self.task.await?)
    }
}

async fn starting_answer(
    req: Request<hyper::body::Incoming>,
) -> Result<Response<Full<Bytes>>, std::convert::Infallible> {
    let (status, body) = match req.uri().path() {
        "/healthz" => (StatusCode::OK, "ok\n"),
        "/readyz" => (StatusCode::SERVICE_UNAVAILABLE, "not ready (starting)\n"),
        _ => (StatusCode::SERVICE_UNAVAILABLE, "starting\n"),
    };
    let mut resp = Response::new(Full::new(Bytes::from_static(body.as_bytes())));
    *resp.status_mut() = status;
    Ok(resp)
}

/// SIGTERM and Ctrl-C, listened for from the start of `serve`: a signal that arrives while
/// start-up waits, or between start-up and serving, is kept until asked for, never lost
/// (once a handler is installed, a signal nobody listens for would be dropped).
/// SIGHUP is listened for from the start too, so a `systemctl reload` while start-up waits
/// does not end the process (SIGHUP's default action); it is acted on once serving.
pub struct Terminate {
    #[cfg(unix)]
    term: Option<tokio::signal::unix::Signal>,
    #[cfg(unix)]
    hup: Option<tokio::signal::unix::Signal>,
}

impl Terminate {
    /// Starts listening (inside the runtime).
    pub fn listen() -> Terminate {
        Terminate {
            #[cfg(unix)]
            term: tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok(),
            #[cfg(unix)]
            hup: tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()).ok(),
        }
    }

    /// The SIGHUP listener installed by [`Terminate::listen`], for the serving loop.
    #[cfg(unix)]
    fn take_hangup(&mut self) -> Option<tokio::signal::unix::Signal> {
        self.hup.take()
    }

    /// Resolves on SIGTERM or Ctrl-C.
    pub async fn recv(&mut self) {
        #[cfg(unix)]
        if let Some(term) = self.term.as_mut() {
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
            return;
        }
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Runs the gateway until SIGTERM or Ctrl-C, answering admin requests on `admin` (bound by
/// [`StartingAdmin`]). Prints one `phigate listening …` line per bound listener to standard
/// output (tests and scripts read the ports from it). `source` is the configuration file
/// reloads re-read (`None` in dev mode). The vault and audit log `gw` opened are kept by
/// every reload.
pub async fn serve(
    gw: Gateway,
    source: Option<std::path::PathBuf>,
    admin: TcpListener,
    mut terminate: Terminate,
) -> anyhow::Result<()> {
    let running = Arc::new(Running::new(gw, source));
    let gw = running.current();
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut certs = Vec::new();
    let mut accept_loops = Vec::new();
    // Each bound address and its certificate, for the expiry gauge.
    let mut served = Vec::new();
    for l in &gw.config.listeners {
        let cert = Arc::new(ReloadingCert::load(&l.cert, &l.key)?);
        let acceptor = TlsAcceptor::from(Arc::new(tls::server_config(l, Arc::clone(&cert))?));
        certs.push(Arc::clone(&cert));
        let listener = TcpListener::bind(l.listen)
            .await
            .map_err(|e| anyhow::anyhow!("binding {}: {e}", l.listen))?;
        let addr = listener.local_addr()?;
        println!("phigate listening https://{addr}");
        served.push((addr, Arc::clone(&cert)));
        accept_loops.push(tokio::spawn(accept_loop(
            listener,
            acceptor,
            Arc::clone(&running),
            stop_rx.clone(),
        )));
    }
    let served: Served = Arc::new(served);
    tokio::spawn(admin_loop(
        admin,
        Arc::clone(&running),
        served,
        stop_rx.clone(),
    ));
    use std::io::Write as _;
    let _ = std::io::stdout().flush();
    gw.ready.store(true, Ordering::SeqCst);
    tracing::info!(
        listeners = gw.config.listeners.len(),
        routes = gw.routes.len(),
        "ready"
    );

    drop(gw);
    wait_for_shutdown(&certs, &running, &mut terminate).await;
    let gw = running.current();
    gw.ready.store(false, Ordering::SeqCst);
    tracing::info!("shutting down: no new connections; draining in-flight requests");
    let _ = stop_tx.send(true);
    for l in accept_loops {
        let _ = l.await;
    }
    gw.vault.flush()?;
    gw.audit.close()?;
    tracing::info!("stopped");
    Ok(())
}

/// Waits for SIGTERM or Ctrl-C, reloading certificates and configuration on every SIGHUP
/// meanwhile.
async fn wait_for_shutdown(
    certs: &[Arc<ReloadingCert>],
    running: &Arc<Running>,
    terminate: &mut Terminate,
) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let hup = terminate
            .take_hangup()
            .map_or_else(|| signal(SignalKind::hangup()), Ok);
        let Ok(mut hup) = hup else {
            terminate.recv().await;
            return;
        };
        loop {
            tokio::select! {
                () = terminate.recv() => return,
                _ = hup.recv() => {
                    // Logged and audited by the reload itself.
                    let _ = reload_config(running).await;
                    let gw = running.current();
                    let mut outcome = "ok";
                    for c in certs {
                        match c.reload() {
                            Ok(()) => tracing::info!("certificate reloaded"),
                            Err(e) => {
                                outcome = "failed";
                                tracing::error!(error = %e, "certificate reload failed; keeping the old one");
                            }
                        }
                    }
                    let mut e = crate::audit::Event::new(crate::audit::Action::ConfigReload, outcome);
                    e.detail = Some("certificates".into());
                    if let Err(err) = gw.audit.record(e) {
                        tracing::error!(error = %err, "audit record failed");
                    }
                }
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (certs, running);
        terminate.recv().await;
    }
}

/// Reloads the configuration on a blocking thread (it reads rule files and tables).
/// The outcome is logged and audited by [`Running::reload`].
async fn reload_config(running: &Arc<Running>) -> Result<String, String> {
    let r = Arc::clone(running);
    match tokio::task::spawn_blocking(move || r.reload()).await {
        Ok(result) => result.map_err(|e| e.to_string()),
        Err(e) => Err(format!("reload task failed: {e}")),
    }
}

fn http_builder(gw: &Gateway) -> auto::Builder<TokioExecutor> {
    let mut b = auto::Builder::new(TokioExecutor::new());
    let head = Duration::from_millis(gw.config.timeouts.request_head_ms);
    b.http1()
        .timer(TokioTimer::new())
        .header_read_timeout(head)
        .max_buf_size(gw.config.limits.max_header_bytes.max(8192));
    b.http2()
        .timer(TokioTimer::new())
        .max_header_list_size(u32::try_from(gw.config.limits.max_header_bytes).unwrap_or(u32::MAX))
        .max_concurrent_streams(256)
        .keep_alive_interval(Some(Duration::from_secs(30)))
        .keep_alive_timeout(Duration::from_secs(10));
    b
}

async fn accept_loop(
    listener: TcpListener,
    acceptor: TlsAcceptor,
    running: Arc<Running>,
    mut stop: watch::Receiver<bool>,
) {
    let graceful = GracefulShutdown::new();
    loop {
        let (tcp, remote) = tokio::select! {
            r = listener.accept() => match r {
                Ok(x) => x,
                Err(e) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = stop.changed() => break,
        };
        let _ = tcp.set_nodelay(true);
        let acceptor = acceptor.clone();
        // Connection settings (timeouts, header limits) come from the snapshot current
        // when the connection arrives; each request takes its own snapshot below.
        let gw = running.current();
        let builder = http_builder(&gw);
        let handshake = Duration::from_millis(gw.config.timeouts.handshake_ms);
        drop(gw);
        let running = Arc::clone(&running);
        let watcher = graceful.watcher();
        tokio::spawn(async move {
            let tls = match tokio::time::timeout(handshake, acceptor.accept(tcp)).await {
                Ok(Ok(s)) => s,
                Ok(Err(e)) => {
                    tracing::debug!(%remote, error = %e, "TLS handshake failed");
                    return;
                }
                Err(_) => {
                    tracing::debug!(%remote, "TLS handshake timed out");
                    return;
                }
            };
            let peer = Arc::new(PeerIdentity {
                cert_end_entity: tls
                    .get_ref()
                    .1
                    .peer_certificates()
                    .and_then(|c| c.first())
                    .map(|c| c.as_ref().to_vec()),
                remote: Some(remote),
            });
            let svc =
                service_fn(move |req| handle::handle(running.current(), req, Arc::clone(&peer)));
            let conn = builder
                .serve_connection(TokioIo::new(tls), svc)
                .into_owned();
            if let Err(e) = watcher.watch(conn).await {
                tracing::debug!(%remote, error = %e, "connection ended with an error");
            }
        });
    }
    // Stop accepting (the listener drops here), then let open connections finish.
    drop(listener);
    let grace_ms = running.current().config.timeouts.shutdown_grace_ms;
    let grace = Duration::from_millis(grace_ms);
    if tokio::time::timeout(grace, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!(grace_ms, "grace period over; closing remaining connections");
    }
}

/// The listeners' bound addresses and certificates.
type Served = Arc<Vec<(std::net::SocketAddr, Arc<ReloadingCert>)>>;

async fn admin_loop(
    listener: TcpListener,
    running: Arc<Running>,
    served: Served,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        let tcp = tokio::select! {
            r = listener.accept() => match r {
                Ok((tcp, _)) => tcp,
                Err(_) => { tokio::time::sleep(Duration::from_millis(50)).await; continue; }
            },
            _ = stop.changed() => return,
        };
        let running = Arc::clone(&running);
        let served = Arc::clone(&served);
        tokio::spawn(async move {
            let svc = service_fn(move |req| admin(Arc::clone(&running), Arc::clone(&served), req));
            let _ = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(Duration::from_secs(10))
                .serve_connection(TokioIo::new(tcp), svc)
                .await;
        });
    }
}

async fn admin(
    running: Arc<Running>,
    served: Served,
    req: Request<hyper::body::Incoming>,
) -> Result<Response<Full<Bytes>>, std::convert::Infallible> {
    let gw = running.current();
    let (status, content_type, body) = match req.uri().path() {
        // POST only: a crawler or a health probe must not reload by accident.
        "/reload" if req.method() == hyper::Method::POST => {
            drop(gw);
            match reload_config(&running).await {
                Ok(summary) => (
                    StatusCode::OK,
                    "text/plain",
                    format!("reloaded: {summary}\n"),
                ),
                Err(e) => (
                    StatusCode::CONFLICT,
                    "text/plain",
                    format!("reload refused, old configuration kept: {e}\n"),
                ),
            }
        }
        "/healthz" => (StatusCode::OK, "text/plain", "ok\n".to_string()),
        "/readyz" => {
            let ready = gw.ready.load(Ordering::SeqCst)
                && gw.vault.health_check().is_ok()
                && gw.audit.admits();
            if ready {
                (StatusCode::OK, "text/plain", "ready\n".to_string())
            } else {
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "text/plain",
                    "not ready\n".to_string(),
                )
            }
        }
        "/metrics" => {
            let mut text = gw.metrics.render();
            text.push_str(&format!(
                "# HELP phigate_audit_entries_total Audit entries written.\n# TYPE phigate_audit_entries_total counter\nphigate_audit_entries_total {}\n\
                 # HELP phigate_audit_lost_total Audit events lost while degraded (an alarm).\n# TYPE phigate_audit_lost_total counter\nphigate_audit_lost_total {}\n\
                 # HELP phigate_audit_healthy Whether the audit log is being written.\n# TYPE phigate_audit_healthy gauge\nphigate_audit_healthy {}\n",
                gw.audit.written(),
                gw.audit.dropped(),
                u8::from(gw.audit.healthy())
            ));
            text.push_str(&gw.claim_metrics.render());
            text.push_str(&super::process::render());
            text.push_str(&certificate_expiry(&served));
            (StatusCode::OK, "text/plain; version=0.0.4", text)
        }
        _ => (
            StatusCode::NOT_FOUND,
            "text/plain",
            "not found\n".to_string(),
        ),
    };
    let mut resp = Response::new(Full::new(Bytes::from(body)));
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static(content_type),
    );
    Ok(resp)
}

/// When each listener's served certificate expires (it changes on SIGHUP).
fn certificate_expiry(served: &Served) -> String {
    use std::fmt::Write as _;
    let mut out = String::from(
        "# HELP phigate_certificate_expiry_timestamp_seconds When the listener's certificate expires (Unix seconds).\n# TYPE phigate_certificate_expiry_timestamp_seconds gauge\n",
    );
    for (addr, cert) in served.iter() {
        if let Some(t) = cert.not_after() {
            let _ = writeln!(
                out,
                "phigate_certificate_expiry_timestamp_seconds{{listener=\"{addr}\"}} {t}"
            );
        }
    }
    out
}
