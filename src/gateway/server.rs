//! Sockets and lifecycle: TLS listeners, the admin listener's socket (what it answers is
//! [`super::admin`]'s), certificate and configuration reload on SIGHUP (configuration also
//! on `POST /reload`), and graceful shutdown when the shutdown future given to [`serve`]
//! resolves (the CLI's is SIGTERM or Ctrl-C; a test's is its own).
//!
//! [`serve`] takes listeners already bound ([`bind`] binds the configured ones), so tests
//! bind port 0. A connection permit is taken before each accept (`[limits]
//! max_connections`): a connection beyond the limit waits in the listen backlog. Failed
//! accepts (out of file descriptors) back off exponentially. Each accepted connection gets
//! a TLS handshake under a timeout, then hyper serves it (HTTP/1.1 or HTTP/2 by ALPN) with
//! a head-read timeout and header-size limits. On shutdown the listeners stop accepting,
//! in-flight requests get the grace period to finish, and the vault is flushed.

use std::future::Future;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::{watch, Semaphore};
use tokio_rustls::TlsAcceptor;

use super::admin::{admin_loop, Served};
use super::auth::PeerIdentity;
use super::reload::Running;
use super::{handle, Gateway};
use crate::tls::{self, ReloadingCert};

pub use super::admin::StartingAdmin;

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

    /// Splits into the shutdown future [`serve`] takes and the SIGHUP stream it reloads on.
    pub fn split(mut self) -> (impl Future<Output = ()>, Reloads) {
        let reloads = Reloads {
            #[cfg(unix)]
            hup: self.hup.take(),
        };
        (async move { self.recv().await }, reloads)
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

/// What tells a serving gateway to reload its certificates and configuration: SIGHUP, or
/// nothing (a test's gateway reloads only on `POST /reload`).
pub struct Reloads {
    #[cfg(unix)]
    hup: Option<tokio::signal::unix::Signal>,
}

impl Reloads {
    /// Reloads that never come.
    pub fn none() -> Reloads {
        Reloads {
            #[cfg(unix)]
            hup: None,
        }
    }

    /// Resolves at the next reload signal; never, without one.
    async fn next(&mut self) {
        #[cfg(unix)]
        if let Some(hup) = self.hup.as_mut() {
            if hup.recv().await.is_some() {
                return;
            }
        }
        std::future::pending::<()>().await;
    }
}

/// The sockets a gateway serves, bound by its caller.
pub struct Listeners {
    /// One per `[[listener]]` of the configuration, in its order.
    pub public: Vec<TcpListener>,
    /// The admin listener (plain HTTP: health, readiness, metrics, reload).
    pub admin: TcpListener,
}

/// Binds every configured `[[listener]]`, in order.
pub async fn bind(config: &crate::config::Config) -> anyhow::Result<Vec<TcpListener>> {
    let mut bound = Vec::with_capacity(config.listeners.len());
    for l in &config.listeners {
        let listener = TcpListener::bind(l.listen)
            .await
            .map_err(|e| anyhow::anyhow!("binding {}: {e}", l.listen))?;
        bound.push(listener);
    }
    Ok(bound)
}

/// Runs the gateway on `listeners` until `shutdown` resolves, then drains: no new
/// connections, in-flight requests get the grace period, the vault is flushed and the
/// audit log closed. Prints one `phigate listening …` line per listener to standard output
/// (tests and scripts read the ports from it). `source` is the configuration file reloads
/// re-read (`None` in dev mode); `reloads` says when. The vault and audit log `gw` opened
/// are kept by every reload.
pub async fn serve(
    gw: Gateway,
    source: Option<std::path::PathBuf>,
    listeners: Listeners,
    mut reloads: Reloads,
    shutdown: impl Future<Output = ()>,
) -> anyhow::Result<()> {
    if listeners.public.len() != gw.config.listeners.len() {
        anyhow::bail!(
            "{} listener(s) bound for {} configured",
            listeners.public.len(),
            gw.config.listeners.len()
        );
    }
    let running = Arc::new(Running::new(gw, source));
    let gw = running.current();
    let (stop_tx, stop_rx) = watch::channel(false);
    // One cap for every listener: connections, not requests (HTTP/2 multiplexes).
    let connections = Arc::new(Semaphore::new(gw.config.limits.max_connections.max(1)));
    let mut certs = Vec::new();
    let mut accept_loops = Vec::new();
    // MLLP channels first: their `listening` lines come before the HTTP ones.
    let mllp_loops = super::mllp::start(&running, &stop_rx).await?;
    // Each bound address and its certificate, for the expiry gauge.
    let mut served = Vec::new();
    for (l, listener) in gw.config.listeners.iter().zip(listeners.public) {
        let cert = Arc::new(ReloadingCert::load(&l.cert, &l.key)?);
        let acceptor = TlsAcceptor::from(Arc::new(tls::server_config(
            l.client_ca.as_deref(),
            l.client_auth,
            Arc::clone(&cert),
        )?));
        certs.push(Arc::clone(&cert));
        let addr = listener.local_addr()?;
        println!("phigate listening https://{addr}");
        served.push((addr, Arc::clone(&cert)));
        accept_loops.push(tokio::spawn(accept_loop(
            listener,
            acceptor,
            Arc::clone(&running),
            Arc::clone(&connections),
            stop_rx.clone(),
        )));
    }
    let served: Served = Arc::new(served);
    tokio::spawn(admin_loop(
        listeners.admin,
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
    tell_systemd(sd_notify::NotifyState::Ready);

    drop(gw);
    reload_until(shutdown, &mut reloads, &certs, &running).await;
    let gw = running.current();
    gw.ready.store(false, Ordering::SeqCst);
    tell_systemd(sd_notify::NotifyState::Stopping);
    tracing::info!("shutting down: no new connections; draining in-flight requests");
    let _ = stop_tx.send(true);
    for l in accept_loops.into_iter().chain(mllp_loops) {
        let _ = l.await;
    }
    gw.vault.flush()?;
    gw.audit.close()?;
    tracing::info!("stopped");
    Ok(())
}

/// systemd's `Type=notify` readiness protocol: a datagram to `$NOTIFY_SOCKET`, nothing
/// without it. A failure is logged; serving goes on (systemd times the start-up out).
fn tell_systemd(state: sd_notify::NotifyState<'_>) {
    if let Err(e) = sd_notify::notify(&[state]) {
        tracing::warn!(error = %e, "could not notify systemd");
    }
}

/// Waits for `shutdown`, reloading certificates and configuration at every reload signal
/// meanwhile.
async fn reload_until(
    shutdown: impl Future<Output = ()>,
    reloads: &mut Reloads,
    certs: &[Arc<ReloadingCert>],
    running: &Arc<Running>,
) {
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => return,
            () = reloads.next() => reload_all(certs, running).await,
        }
    }
}

/// A SIGHUP: the configuration, then every listener's certificate, each logged; the
/// certificates' outcome is audited here (the configuration's by [`Running::reload`]).
async fn reload_all(certs: &[Arc<ReloadingCert>], running: &Arc<Running>) {
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

/// Reloads the configuration on a blocking thread (it reads rule files and tables).
/// The outcome is logged and audited by [`Running::reload`].
pub(super) async fn reload_config(running: &Arc<Running>) -> Result<String, String> {
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

/// How long to wait after a failed accept: 1 ms, doubling up to 1 s, back to 1 ms after an
/// accept succeeds. A failed accept is usually the process out of file descriptors, which
/// only closing connections cures: retrying at once would spin, giving up would stop
/// serving for good.
#[derive(Debug)]
pub(super) struct Backoff {
    next: Duration,
}

impl Backoff {
    const FIRST: Duration = Duration::from_millis(1);
    const MAX: Duration = Duration::from_secs(1);

    pub(super) fn new() -> Backoff {
        Backoff { next: Self::FIRST }
    }

    /// The wait before the next try, doubling the one after.
    fn wait(&mut self) -> Duration {
        let d = self.next;
        self.next = (d * 2).min(Self::MAX);
        d
    }

    fn reset(&mut self) {
        self.next = Self::FIRST;
    }
}

/// The next connection, retrying failed accepts with [`Backoff`].
pub(super) async fn accept(
    listener: &TcpListener,
    backoff: &mut Backoff,
) -> (tokio::net::TcpStream, std::net::SocketAddr) {
    loop {
        match listener.accept().await {
            Ok(conn) => {
                backoff.reset();
                return conn;
            }
            Err(e) => {
                let wait = backoff.wait();
                tracing::warn!(error = %e, wait = ?wait, "accept failed; backing off");
                tokio::time::sleep(wait).await;
            }
        }
    }
}

/// Accepts connections while permits last (one per open connection), until `stop`; then
/// stops accepting and gives open connections the grace period to finish.
async fn accept_loop(
    listener: TcpListener,
    acceptor: TlsAcceptor,
    running: Arc<Running>,
    connections: Arc<Semaphore>,
    mut stop: watch::Receiver<bool>,
) {
    let graceful = GracefulShutdown::new();
    let mut backoff = Backoff::new();
    loop {
        // The permit comes first: past the limit, connections wait unaccepted.
        let permit = tokio::select! {
            p = Arc::clone(&connections).acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break,
            },
            _ = stop.changed() => break,
        };
        let (tcp, remote) = tokio::select! {
            conn = accept(&listener, &mut backoff) => conn,
            _ = stop.changed() => break,
        };
        let conn = serve_connection(
            tcp,
            remote,
            acceptor.clone(),
            Arc::clone(&running),
            &graceful,
        );
        tokio::spawn(async move {
            conn.await;
            drop(permit);
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

/// One connection: the TLS handshake under its timeout, then HTTP until the connection
/// ends or a graceful shutdown closes it. Connection settings (timeouts, header limits)
/// come from the snapshot current when the connection arrives; each request takes its own.
fn serve_connection(
    tcp: tokio::net::TcpStream,
    remote: std::net::SocketAddr,
    acceptor: TlsAcceptor,
    running: Arc<Running>,
    graceful: &GracefulShutdown,
) -> impl Future<Output = ()> + Send + 'static {
    let _ = tcp.set_nodelay(true);
    let gw = running.current();
    let builder = http_builder(&gw);
    let handshake = Duration::from_millis(gw.config.timeouts.handshake_ms);
    drop(gw);
    let watcher = graceful.watcher();
    async move {
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
        let svc = service_fn(move |req| handle::handle(running.current(), req, Arc::clone(&peer)));
        let conn = builder
            .serve_connection(TokioIo::new(tls), svc)
            .into_owned();
        if let Err(e) = watcher.watch(conn).await {
            tracing::debug!(%remote, error = %e, "connection ended with an error");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_backoff_doubles_from_a_millisecond_to_a_second_and_resets() {
        let mut b = Backoff::new();
        let waits: Vec<u128> = (0..12).map(|_| b.wait().as_millis()).collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1000, 1000]);
        b.reset();
        assert_eq!(b.wait(), Duration::from_millis(1));
    }

    #[tokio::test]
    async fn a_failing_accept_is_retried_after_its_backoff_not_given_up() {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let mut b = Backoff::new();
        // Two failures already: the next wait would be 4 ms; a success resets it.
        b.wait();
        b.wait();
        let client = tokio::spawn(tokio::net::TcpStream::connect(addr));
        let (_conn, _) = accept(&listener, &mut b).await;
        assert!(client.await.expect("task").is_ok());
        assert_eq!(b.wait(), Duration::from_millis(1), "reset after a success");
    }
}
