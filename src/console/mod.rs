//! The compliance officer's console: a read-only web UI over the audit log, on its own TLS
//! listener (`[console]` in the configuration), inside `phigate serve`.
//!
//! Owns the console's listener and connections, routing, the security headers of every
//! answer, and the rule that every page view is audited before the page is answered: an
//! entry (`audit_search`, caller `console`, the officer as `user`, the page as `detail`, a
//! searched identifier only as its keyed hash) made durable first; if it cannot be written
//! the page is refused (503), as the gateway fails closed. Failed sign-ins are audited as
//! `auth_failure` and answered 401 with no detail.
//!
//! Pages are server-rendered HTML with no script at all: a Content-Security-Policy forbids
//! scripts, inline styles, frames and foreign form targets; one stylesheet (screen and
//! print) comes from the console itself. Reading the log is the [`crate::audit`] module's;
//! the pieces are [`auth`] (officers, sessions), [`pages`] (what each page reads and
//! shows) and [`html`] (escaping, the page frame, the stylesheet).

pub mod auth;
pub mod html;
pub mod pages;

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::header::{HeaderName, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

use crate::audit::witness::Witness;
use crate::audit::{Action, AuditLog, Event};
use crate::config::ConsoleConfig;
use crate::tls::{self, ClientAuth, ReloadingCert};
use auth::Officers;
use pages::Page;

/// The `caller` of the console's audit entries.
pub const CALLER: &str = "console";

/// The policy of every answer: nothing but the console's own stylesheet and forms; no
/// script from anywhere, inline or not; never framed.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'none'; \
     style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; \
     base-uri 'none'";

/// Largest form body read (the sign-in and search forms are a few hundred bytes).
const MAX_FORM_BYTES: usize = 8 << 10;
/// How long a client has to send a request's head, and a form body.
const READ_TIMEOUT: Duration = Duration::from_secs(10);
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Why the console cannot start.
#[derive(Debug, thiserror::Error)]
pub enum ConsoleError {
    #[error("[console]: {0}")]
    Tls(#[from] tls::TlsError),
    #[error("[console]: {0}")]
    Officers(String),
    #[error("[console] listen {addr}: {reason}")]
    Bind { addr: String, reason: String },
}

/// The console's state, shared by its connections.
pub struct Console {
    officers: Officers,
    log: Arc<LogView>,
}

/// The log the pages read, and where their views are recorded.
pub struct LogView {
    /// Where page views are recorded (the gateway's own log inside `serve`); its keys hash
    /// searched identifiers and verify the log read.
    audit: Arc<AuditLog>,
    /// The log the pages read.
    log_dir: PathBuf,
    /// The vault's witness of the log's newest checkpoint, when known.
    witness: Option<Arc<dyn Witness>>,
}

impl Console {
    /// The console for `cfg`, reading the log in `log_dir` and recording page views in
    /// `audit` (whose master key wrote that log).
    pub fn new(
        cfg: &ConsoleConfig,
        audit: Arc<AuditLog>,
        log_dir: PathBuf,
        witness: Option<Arc<dyn Witness>>,
    ) -> Result<Console, ConsoleError> {
        let length = Duration::from_secs(cfg.session_minutes.saturating_mul(60));
        Ok(Console {
            officers: Officers::load(&cfg.officers, length).map_err(ConsoleError::Officers)?,
            log: Arc::new(LogView {
                audit,
                log_dir,
                witness,
            }),
        })
    }
}

/// The console listener's TLS: its certificate, and officers' client certificates checked
/// against `client_ca` when there is one (optional: officers may sign in by key instead).
/// The certificate is returned too, for [`reload_on_hangup`].
pub fn tls_acceptor(
    cfg: &ConsoleConfig,
) -> Result<(TlsAcceptor, Arc<ReloadingCert>), ConsoleError> {
    let cert = Arc::new(ReloadingCert::load(&cfg.cert, &cfg.key)?);
    let config = tls::server_config(
        cfg.client_ca.as_deref(),
        ClientAuth::Optional,
        Arc::clone(&cert),
    )?;
    Ok((TlsAcceptor::from(Arc::new(config)), cert))
}

/// Re-reads the console's certificate at every SIGHUP, as the gateway re-reads its
/// listeners' (rotation without a restart); a certificate that does not load leaves the
/// old one in use. Runs until aborted.
pub async fn reload_on_hangup(cert: Arc<ReloadingCert>) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let Ok(mut hup) = signal(SignalKind::hangup()) else {
            return;
        };
        while hup.recv().await.is_some() {
            match cert.reload() {
                Ok(()) => tracing::info!("console certificate reloaded"),
                Err(e) => {
                    tracing::error!(error = %e, "console certificate reload failed; keeping the old one");
                }
            }
        }
    }
    #[cfg(not(unix))]
    drop(cert);
}

/// What `check-config` says of the console: its certificate, key and client CA load.
pub fn check(cfg: &ConsoleConfig) -> Result<String, ConsoleError> {
    tls_acceptor(cfg)?;
    Ok(format!(
        "console on {} ({} officer(s))",
        cfg.listen,
        cfg.officers.len()
    ))
}

/// Binds the console's address.
pub async fn bind(cfg: &ConsoleConfig) -> Result<TcpListener, ConsoleError> {
    TcpListener::bind(cfg.listen)
        .await
        .map_err(|e| ConsoleError::Bind {
            addr: cfg.listen.to_string(),
            reason: e.to_string(),
        })
}

/// Serves the console on `listener` until `shutdown` resolves. Prints `phigate console
/// https://ADDR` to standard output once listening (tests read the port from it).
pub async fn serve(
    console: Arc<Console>,
    listener: TcpListener,
    acceptor: TlsAcceptor,
    shutdown: impl Future<Output = ()>,
) {
    if let Ok(addr) = listener.local_addr() {
        println!("phigate console https://{addr}");
        use std::io::Write as _;
        let _ = std::io::stdout().flush();
    }
    tokio::pin!(shutdown);
    // Officers are few: a small cap keeps a flood of connections from holding memory.
    let permits = Arc::new(tokio::sync::Semaphore::new(64));
    loop {
        let permit = tokio::select! {
            p = Arc::clone(&permits).acquire_owned() => match p { Ok(p) => p, Err(_) => return },
            () = &mut shutdown => return,
        };
        let (tcp, remote) = tokio::select! {
            conn = listener.accept() => match conn {
                Ok(c) => c,
                Err(e) => {
                    tracing::warn!(error = %e, "console accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => return,
        };
        let (console, acceptor) = (Arc::clone(&console), acceptor.clone());
        tokio::spawn(async move {
            connection(console, acceptor, tcp, remote).await;
            drop(permit);
        });
    }
}

/// One connection: the handshake under a timeout, then HTTP/1.1 or HTTP/2.
async fn connection(
    console: Arc<Console>,
    acceptor: TlsAcceptor,
    tcp: tokio::net::TcpStream,
    remote: std::net::SocketAddr,
) {
    let Ok(Ok(tls)) = tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await else {
        tracing::debug!(%remote, "console TLS handshake failed or timed out");
        return;
    };
    let peer_cert: Option<Arc<Vec<u8>>> = tls
        .get_ref()
        .1
        .peer_certificates()
        .and_then(|c| c.first())
        .map(|c| Arc::new(c.as_ref().to_vec()));
    let svc = hyper::service::service_fn(move |req| {
        let (console, peer_cert) = (Arc::clone(&console), peer_cert.clone());
        async move {
            Ok::<_, Infallible>(
                handle(
                    &console,
                    req,
                    peer_cert.as_deref().map(Vec::as_slice),
                    remote,
                )
                .await,
            )
        }
    });
    let mut builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(READ_TIMEOUT);
    if let Err(e) = builder.serve_connection(TokioIo::new(tls), svc).await {
        tracing::debug!(%remote, error = %e, "console connection ended");
    }
}

type Resp = Response<Full<Bytes>>;

/// One request, from credentials to page.
async fn handle(
    console: &Console,
    req: Request<hyper::body::Incoming>,
    peer_cert: Option<&[u8]>,
    remote: std::net::SocketAddr,
) -> Resp {
    let (parts, body) = req.into_parts();
    let path = parts.uri.path().to_string();
    let post = match parts.method {
        Method::GET | Method::HEAD => false,
        Method::POST => true,
        _ => return plain(StatusCode::METHOD_NOT_ALLOWED, "method not allowed"),
    };
    if path == "/style.css" && !post {
        return with_security_headers(
            Response::new(Full::new(Bytes::from_static(html::STYLE.as_bytes()))),
            "text/css; charset=utf-8",
        );
    }
    let fields = if post {
        match read_form(body).await {
            Ok(f) => f,
            Err(status) => return plain(status, "the form could not be read"),
        }
    } else {
        parts
            .uri
            .query()
            .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
            .unwrap_or_default()
    };
    let origin = Origin { remote, peer_cert };
    if post && cross_site(&parts.headers) {
        // A browser sends its client certificate to any page that posts here; only the
        // console's own forms may.
        let _ = record(console, origin.failure("console_cross_site_form")).await;
        return plain(
            StatusCode::FORBIDDEN,
            "forms are accepted from the console only",
        );
    }
    match (post, path.as_str()) {
        (false, "/login") => return login_page(StatusCode::OK, ""),
        (true, "/login") => return sign_in(console, &fields, &origin).await,
        _ => {}
    }
    let officer = match console
        .officers
        .authenticate(&parts.headers, peer_cert, SystemTime::now())
    {
        Ok(o) => o.to_string(),
        Err(e) => {
            // The answer says nothing of which check failed; the log says which.
            let _ = record(console, origin.failure(e.code())).await;
            return unauthorized();
        }
    };
    if post && path == "/logout" {
        let _ = record(console, origin.view(&officer, "console sign-out")).await;
        let mut r = redirect("/login");
        set_header(&mut r, hyper::header::SET_COOKIE, &auth::cleared_cookie());
        return r;
    }
    let page = match Page::parse(&console.log, post, &path, &fields) {
        None => return plain(StatusCode::NOT_FOUND, "no such page"),
        Some(Err(bad)) => {
            let mut e = origin.view(&officer, "console bad input");
            e.outcome = "bad_input".into();
            if record(console, e).await.is_err() {
                return audit_unavailable();
            }
            let body = html::notice("bad-input", "error", &bad.to_string());
            return html_answer(
                StatusCode::BAD_REQUEST,
                html::page("Not understood", &path, Some(&officer), &body),
            );
        }
        Some(Ok(p)) => p,
    };
    let mut event = page.view_event(&officer);
    origin.stamp(&mut event);
    if record(console, event).await.is_err() {
        return audit_unavailable();
    }
    render(console, page, path, officer).await
}

/// Renders a page on a blocking thread (it reads and verifies log files).
async fn render(console: &Console, page: Page, path: String, officer: String) -> Resp {
    let log = Arc::clone(&console.log);
    let done = tokio::task::spawn_blocking(move || {
        page.render(&log)
            .map(|(title, body)| html::page(title, &path, Some(&officer), &body))
    })
    .await;
    match done {
        Ok(Ok(page)) => html_answer(StatusCode::OK, page),
        Ok(Err(e)) => {
            tracing::error!(error = %e, "console page could not read the audit log");
            plain(
                StatusCode::SERVICE_UNAVAILABLE,
                "the audit log could not be read",
            )
        }
        Err(_) => plain(StatusCode::INTERNAL_SERVER_ERROR, "the page failed"),
    }
}

/// Where a request came from, for its audit entries.
struct Origin<'a> {
    remote: std::net::SocketAddr,
    peer_cert: Option<&'a [u8]>,
}

impl Origin<'_> {
    fn stamp(&self, e: &mut Event) {
        e.client = Some(self.remote.to_string());
        e.client_cert = self.peer_cert.map(crate::audit::sha256_hex);
    }

    fn view(&self, officer: &str, detail: &str) -> Event {
        let mut e = Event::new(Action::AuditSearch, "ok");
        e.caller = Some(CALLER.into());
        e.user = Some(officer.to_string());
        e.detail = Some(detail.to_string());
        self.stamp(&mut e);
        e
    }

    fn failure(&self, code: &str) -> Event {
        let mut e = Event::new(Action::AuthFailure, "refused");
        e.caller = Some(CALLER.into());
        e.status = Some(401);
        e.detail = Some(code.to_string());
        self.stamp(&mut e);
        e
    }
}

/// Records an event and waits until it is on disk.
async fn record(console: &Console, e: Event) -> Result<(), crate::audit::AuditError> {
    console.log.audit.record_durable(vec![e]).await
}

/// The sign-in form's POST: an officer's API key becomes a session cookie.
async fn sign_in(
    console: &Console,
    fields: &BTreeMap<String, String>,
    origin: &Origin<'_>,
) -> Resp {
    let key = fields.get("key").map(String::as_str).unwrap_or("");
    match console.officers.by_api_key(key) {
        Ok(officer) => {
            let officer = officer.to_string();
            if record(console, origin.view(&officer, "console sign-in"))
                .await
                .is_err()
            {
                return audit_unavailable();
            }
            let mut r = redirect("/");
            let cookie = console
                .officers
                .session_cookie_for(&officer, SystemTime::now());
            set_header(&mut r, hyper::header::SET_COOKIE, &cookie);
            r
        }
        Err(e) => {
            let _ = record(console, origin.failure(e.code())).await;
            login_page(StatusCode::UNAUTHORIZED, "Not signed in.")
        }
    }
}

fn login_page(status: StatusCode, message: &str) -> Resp {
    let mut body = String::new();
    if !message.is_empty() {
        body.push_str(&html::notice("login-failed", "error", message));
    }
    body.push_str(
        "<form id=\"login\" method=\"post\" action=\"/login\"><fieldset><legend>Officer API key</legend>\
         <label for=\"key\">API key</label>\
         <input id=\"key\" name=\"key\" type=\"password\" autocomplete=\"current-password\" required>\
         <button type=\"submit\">Sign in</button></fieldset></form>\
         <p class=\"hint\">Officers with a client certificate need not sign in.</p>",
    );
    html_answer(status, html::page("Sign in", "/login", None, &body))
}

/// The 401: no detail, a way to sign in.
fn unauthorized() -> Resp {
    let body = "<p>Not signed in. <a href=\"/login\">Sign in</a>.</p>";
    html_answer(
        StatusCode::UNAUTHORIZED,
        html::page("Unauthorized", "", None, body),
    )
}

fn audit_unavailable() -> Resp {
    plain(
        StatusCode::SERVICE_UNAVAILABLE,
        "the audit log cannot record this page view, so the page is not shown",
    )
}

/// Whether a browser says the request comes from another site's page (`Sec-Fetch-Site`).
/// Scripts send no such header and are not affected.
fn cross_site(headers: &hyper::HeaderMap) -> bool {
    headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| !matches!(v, "same-origin" | "none"))
}

async fn read_form(body: hyper::body::Incoming) -> Result<BTreeMap<String, String>, StatusCode> {
    let limited = Limited::new(body, MAX_FORM_BYTES);
    let bytes = match tokio::time::timeout(READ_TIMEOUT, limited.collect()).await {
        Ok(Ok(c)) => c.to_bytes(),
        Ok(Err(_)) => return Err(StatusCode::PAYLOAD_TOO_LARGE),
        Err(_) => return Err(StatusCode::REQUEST_TIMEOUT),
    };
    Ok(form_urlencoded::parse(&bytes).into_owned().collect())
}

fn html_answer(status: StatusCode, page: String) -> Resp {
    let mut r = with_security_headers(
        Response::new(Full::new(Bytes::from(page))),
        "text/html; charset=utf-8",
    );
    *r.status_mut() = status;
    r
}

fn plain(status: StatusCode, text: &'static str) -> Resp {
    let mut r = with_security_headers(
        Response::new(Full::new(Bytes::from_static(text.as_bytes()))),
        "text/plain; charset=utf-8",
    );
    *r.status_mut() = status;
    r
}

fn redirect(to: &'static str) -> Resp {
    let mut r = plain(StatusCode::SEE_OTHER, "");
    r.headers_mut()
        .insert(hyper::header::LOCATION, HeaderValue::from_static(to));
    r
}

fn set_header(r: &mut Resp, name: HeaderName, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        r.headers_mut().insert(name, v);
    }
}

/// The headers every answer carries: no scripts, no framing, no caching, no referrer.
fn with_security_headers(mut r: Resp, content_type: &'static str) -> Resp {
    let h = r.headers_mut();
    let fixed: [(HeaderName, &'static str); 7] = [
        (hyper::header::CONTENT_TYPE, content_type),
        (
            hyper::header::CONTENT_SECURITY_POLICY,
            CONTENT_SECURITY_POLICY,
        ),
        (hyper::header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (hyper::header::CACHE_CONTROL, "no-store"),
        (hyper::header::REFERRER_POLICY, "no-referrer"),
        (hyper::header::X_FRAME_OPTIONS, "DENY"),
        (hyper::header::STRICT_TRANSPORT_SECURITY, "max-age=31536000"),
    ];
    for (name, value) in fixed {
        h.insert(name, HeaderValue::from_static(value));
    }
    r
}
