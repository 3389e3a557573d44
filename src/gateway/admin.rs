//! The admin listener (plain HTTP, for the operator and the orchestrator): `/healthz`,
//! `/readyz`, `/metrics`, `POST /reload` and `POST /vault/export` (an online backup),
//! and, while start-up waits, the [`StartingAdmin`] that answers live-but-not-ready.
//!
//! Owns what the admin endpoints answer; the gateway's own listeners and lifecycle are
//! [`super::server`]'s.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::watch;

use super::reload::Running;
use super::server::{accept, reload_config, Backoff};
use crate::tls::ReloadingCert;

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

/// The listeners' bound addresses and certificates.
pub(super) type Served = Arc<Vec<(std::net::SocketAddr, Arc<ReloadingCert>)>>;

pub(super) async fn admin_loop(
    listener: TcpListener,
    running: Arc<Running>,
    served: Served,
    mut stop: watch::Receiver<bool>,
) {
    let mut backoff = Backoff::new();
    loop {
        let (tcp, _) = tokio::select! {
            conn = accept(&listener, &mut backoff) => conn,
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
    if req.method() == hyper::Method::POST {
        if let Err(why) = operator_may_post(&gw.config.admin, req.headers()) {
            tracing::warn!(reason = why, "admin POST refused");
            let mut resp = Response::new(Full::new(Bytes::from(format!("refused: {why}\n"))));
            *resp.status_mut() = StatusCode::FORBIDDEN;
            return Ok(resp);
        }
    }
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
        // Writes a backup file on this machine; nothing of the vault goes over HTTP.
        "/vault/export" if req.method() == hyper::Method::POST => {
            match super::backup::export(gw).await {
                Ok(summary) => (StatusCode::OK, "application/json", format!("{summary}\n")),
                Err(e) => {
                    tracing::error!(cause = %super::respond::cause_chain(&e), "online vault backup failed");
                    (
                        StatusCode::CONFLICT,
                        "text/plain",
                        format!("vault export failed: {e}\n"),
                    )
                }
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
                 # HELP phigate_audit_healthy Whether the audit log is being written.\n# TYPE phigate_audit_healthy gauge\nphigate_audit_healthy {}\n\
                 # HELP phigate_audit_fsyncs_total fsyncs of audit entries (group commit: one per batch of requests).\n# TYPE phigate_audit_fsyncs_total counter\nphigate_audit_fsyncs_total {}\n\
                 # HELP phigate_audit_checkpoints_total Signed audit checkpoints (written off the requests' path).\n# TYPE phigate_audit_checkpoints_total counter\nphigate_audit_checkpoints_total {}\n",
                gw.audit.written(),
                gw.audit.dropped(),
                u8::from(gw.audit.healthy()),
                gw.audit.fsyncs(),
                gw.audit.checkpoints()
            ));
            text.push_str(&gw.audit.devices().render_metrics());
            text.push_str(&gw.claim_metrics.render());
            text.push_str(&gw.rate.render());
            text.push_str(
                &gw.circuits.render(
                    gw.routes
                        .iter()
                        .map(|r| (r.cfg.name.as_str(), r.upstream.to_string())),
                ),
            );
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

/// Whether a POST (a reload, a backup) may act: with `[admin] token_file`, only with that
/// token; without one, only on a loopback admin listener (anyone who can reach a wider one
/// could otherwise reload or fill the disk with backups). A token that cannot be read
/// refuses every POST.
fn operator_may_post(
    cfg: &crate::config::AdminConfig,
    headers: &hyper::HeaderMap,
) -> Result<(), &'static str> {
    let Some(file) = &cfg.token_file else {
        return match cfg.listen.ip().is_loopback() {
            true => Ok(()),
            false => Err("the admin listener is not on loopback and [admin] token_file is not set"),
        };
    };
    let expected =
        std::fs::read_to_string(file).map_err(|_| "[admin] token_file cannot be read")?;
    let expected = expected.trim();
    if expected.len() < 16 {
        return Err("[admin] token_file holds fewer than 16 characters");
    }
    let given = headers
        .get(hyper::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or("no admin token")?;
    // Digests compared, so the comparison's time says nothing about the token.
    let digest = |s: &str| ring::digest::digest(&ring::digest::SHA256, s.trim().as_bytes());
    match digest(given).as_ref() == digest(expected).as_ref() {
        true => Ok(()),
        false => Err("wrong admin token"),
    }
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
