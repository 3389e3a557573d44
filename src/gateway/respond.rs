//! The one place errors become HTTP (linkerd's rescue): every failure of a request is a
//! [`Failure`], built from the typed error of the module it came from by a `From` impl, and
//! only here does it become a status, a problem document ([`super::problem`]), a log line,
//! a metrics outcome and a fault.
//!
//! Each failure says whose fault it was ([`Fault`], after pingora's error source): the
//! caller's, the upstream's, the vault's, the audit log's or ours. The fault picks the log
//! level and labels the error counter. What is logged is the cause chain of error messages,
//! which in this crate name fields, positions and limits, never a value or a token; what is
//! answered is the failure's own message, never its cause.

use hyper::StatusCode;

use super::auth::AuthError;
use super::body::BodyError;
use super::channels::ChannelError;
use super::claims::ClaimError;
use super::media::MediaError;
use super::problem::Problem;
use super::Resp;
use crate::audit::AuditError;
use crate::engine::reveal::RevealError;
use crate::engine::ScanError;
use crate::transform::token::TokenError;

/// Whose fault a failure was: what an operator must look at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// The request: its credentials, its body, its method (4xx).
    Client,
    /// The upstream: unreachable, too slow, or an answer that cannot be made safe (5xx).
    Upstream,
    /// The token vault could not be read or written (503).
    Vault,
    /// The audit log could not be written, so nothing is answered (503).
    Audit,
    /// The gateway itself (a failed task, evidence that could not be written).
    Internal,
}

impl Fault {
    /// Every fault, in the order of [`Fault::index`]: the `fault` label's values.
    pub const ALL: [Fault; 5] = [
        Fault::Client,
        Fault::Upstream,
        Fault::Vault,
        Fault::Audit,
        Fault::Internal,
    ];

    /// The `fault` label of `phigate_request_errors_total`.
    pub fn label(self) -> &'static str {
        match self {
            Fault::Client => "client",
            Fault::Upstream => "upstream",
            Fault::Vault => "vault",
            Fault::Audit => "audit",
            Fault::Internal => "internal",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

/// Why a request was not answered by its upstream (or by the API).
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    #[error("no route matches this host and path")]
    NoRoute,
    #[error("the gateway is at its concurrency limit; retry shortly")]
    Overloaded,
    /// A method the target does not take (the message says which it does).
    #[error("{0}")]
    Method(&'static str),
    #[error("Content-Length {declared} is over the {limit}-byte limit ({setting})")]
    Declared {
        declared: usize,
        limit: usize,
        setting: &'static str,
    },
    /// The request's body could not be read or decoded; `setting` names its size limit.
    #[error("{source}{}", limit_note(source, setting))]
    Body {
        source: BodyError,
        setting: &'static str,
    },
    #[error(transparent)]
    Media(#[from] MediaError),
    #[error(transparent)]
    Channel(#[from] ChannelError),
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Scan(#[from] ScanError),
    #[error(transparent)]
    Reveal(#[from] RevealError),
    #[error(transparent)]
    Token(#[from] TokenError),
    #[error(transparent)]
    Claim(#[from] ClaimError),
    #[error(transparent)]
    Upstream(#[from] UpstreamError),
    #[error("the audit log cannot be written; the gateway fails closed")]
    Audit(#[source] Option<AuditError>),
    #[error("the claim's evidence snapshot could not be written; nothing was forwarded")]
    Evidence(#[source] std::io::Error),
    #[error("{0}")]
    Internal(&'static str),
    /// The caller is over its `rate_limit`; it may try again after this many seconds.
    #[error("over this caller's rate limit; retry after {0} s")]
    RateLimited(u64),
    /// The route's upstream is failing and its circuit is open.
    #[error("the upstream is failing; retry after {0} s")]
    CircuitOpen(u64),
}

/// Why an upstream call gave no usable answer. Messages name no address and no body.
#[derive(Debug, thiserror::Error)]
pub enum UpstreamError {
    #[error("the upstream did not answer in time")]
    Timeout,
    #[error("could not connect to the upstream")]
    Connect(#[source] hyper_util::client::legacy::Error),
    #[error("the upstream connection failed")]
    Failed(#[source] hyper_util::client::legacy::Error),
    #[error(transparent)]
    Body(BodyError),
    /// An answer that cannot be read, so cannot be de-identified before it goes outside.
    #[error("{0}")]
    Unreadable(String),
}

impl From<hyper_util::client::legacy::Error> for UpstreamError {
    fn from(e: hyper_util::client::legacy::Error) -> UpstreamError {
        if e.is_connect() {
            UpstreamError::Connect(e)
        } else {
            UpstreamError::Failed(e)
        }
    }
}

impl From<AuditError> for Failure {
    fn from(e: AuditError) -> Failure {
        Failure::Audit(Some(e))
    }
}

fn limit_note(e: &BodyError, setting: &str) -> String {
    match e {
        BodyError::TooLarge { .. } => format!(" ({setting})"),
        _ => String::new(),
    }
}

// === impl Failure ===

impl Failure {
    /// Whose fault the failure was.
    pub fn fault(&self) -> Fault {
        match self {
            Failure::Scan(e) | Failure::Reveal(RevealError::Malformed(e)) => scan_fault(e),
            Failure::Reveal(RevealError::Token(_)) | Failure::Token(_) => Fault::Vault,
            Failure::Auth(AuthError::Secret(_)) => Fault::Internal,
            Failure::Upstream(_)
            | Failure::CircuitOpen(_)
            | Failure::Channel(ChannelError::AnswerHeader | ChannelError::AnswerLocation) => {
                Fault::Upstream
            }
            Failure::Audit(_) => Fault::Audit,
            Failure::Overloaded | Failure::Evidence(_) | Failure::Internal(_) => Fault::Internal,
            _ => Fault::Client,
        }
    }

    /// Seconds the caller should wait before trying again (`Retry-After`), when known.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            Failure::RateLimited(s) | Failure::CircuitOpen(s) => Some(*s),
            _ => None,
        }
    }

    /// The problem document answered for it.
    pub fn problem(&self) -> Problem {
        // A vault error's message says what the store reported: for the log only.
        let detail = match self.fault() {
            Fault::Vault => {
                "the token vault could not be read or written; nothing was forwarded".to_string()
            }
            _ => self.to_string(),
        };
        let (status, kind, title) = self.status_kind_title();
        let mut p = Problem::new(status, kind, title, detail);
        if let Failure::Claim(ClaimError::Rejected(reports)) = self {
            p.extra = Some(Box::new(serde_json::json!({ "claims": reports })));
        }
        p
    }

    /// The status, the metrics outcome (also the problem type) and the title.
    fn status_kind_title(&self) -> (StatusCode, &'static str, &'static str) {
        use StatusCode as S;
        match self {
            Failure::NoRoute => (S::NOT_FOUND, "no_route", "No route"),
            Failure::Overloaded => (
                S::SERVICE_UNAVAILABLE,
                "overloaded",
                "Too many requests in flight",
            ),
            Failure::Method(_) => (S::METHOD_NOT_ALLOWED, "bad_request", "Method not allowed"),
            Failure::Declared { .. } => (S::PAYLOAD_TOO_LARGE, "too_large", "Body too large"),
            Failure::Body { source, .. } => body_status(source),
            Failure::Media(MediaError::Charset(crate::charset::CharsetError::Invalid(_))) => {
                (S::BAD_REQUEST, "bad_request", "Malformed body")
            }
            Failure::Media(_) => (
                S::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_type",
                "Unsupported media type",
            ),
            Failure::Channel(ChannelError::AnswerHeader | ChannelError::AnswerLocation) => (
                S::BAD_GATEWAY,
                "upstream",
                "Upstream answer not de-identifiable",
            ),
            Failure::Channel(_) => (S::BAD_REQUEST, "bad_request", "Bad request"),
            Failure::Auth(e) => auth_status(e),
            Failure::Scan(e) => scan_status(e),
            Failure::Reveal(RevealError::Malformed(e)) => scan_status(e),
            Failure::Reveal(RevealError::KeyCollision) => (
                S::UNPROCESSABLE_ENTITY,
                "reidentify_failed",
                "Body could not be re-identified",
            ),
            Failure::Reveal(RevealError::Token(_)) | Failure::Token(_) => vault_status(),
            Failure::Claim(ClaimError::Unusable(_)) => (
                S::UNPROCESSABLE_ENTITY,
                "claim_unusable",
                "Claim could not be checked",
            ),
            Failure::Claim(ClaimError::Rejected(_)) => (
                S::UNPROCESSABLE_ENTITY,
                "claim_rejected",
                "Claim would be denied",
            ),
            Failure::Upstream(e) => upstream_status(e),
            Failure::Audit(_) => (S::SERVICE_UNAVAILABLE, "audit", "Audit log unavailable"),
            Failure::RateLimited(_) => (S::TOO_MANY_REQUESTS, "rate_limited", "Too many requests"),
            Failure::CircuitOpen(_) => (
                S::SERVICE_UNAVAILABLE,
                "circuit_open",
                "Upstream failing (circuit open)",
            ),
            Failure::Evidence(_) | Failure::Internal(_) => (
                S::INTERNAL_SERVER_ERROR,
                "deidentify_failed",
                "De-identification failed",
            ),
        }
    }
}

/// The log level of a failure: a caller's mistake is routine (debug), except a failed
/// authentication, which an operator watches for (warn); a failing upstream and a request
/// shed at the concurrency cap are the operator's concern (warn); the vault, the audit log
/// and the gateway itself failing are alarms (error).
fn level(failure: &Failure, fault: Fault) -> tracing::Level {
    match (failure, fault) {
        (Failure::Auth(_), Fault::Client) => tracing::Level::WARN,
        // Shedding load is the cap working, not a fault to page for (the metric alerts).
        (Failure::Overloaded | Failure::RateLimited(_), _) => tracing::Level::WARN,
        (_, Fault::Client) => tracing::Level::DEBUG,
        (_, Fault::Upstream) => tracing::Level::WARN,
        _ => tracing::Level::ERROR,
    }
}

/// The log line's message: what failed, in the words an operator searches for.
fn summary(failure: &Failure) -> &'static str {
    match failure {
        Failure::Auth(_) => "authentication failed",
        Failure::Audit(_) => "audit record failed; nothing was answered",
        Failure::Evidence(_) => "claim evidence snapshot failed; nothing was forwarded",
        Failure::Upstream(_) => "upstream failed",
        f if f.fault() == Fault::Vault => "token vault unavailable",
        _ => "request failed",
    }
}

fn scan_fault(e: &ScanError) -> Fault {
    match e {
        ScanError::Token(_) => Fault::Vault,
        _ => Fault::Client,
    }
}

fn vault_status() -> (StatusCode, &'static str, &'static str) {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        "vault",
        "Token vault unavailable",
    )
}

fn body_status(e: &BodyError) -> (StatusCode, &'static str, &'static str) {
    use StatusCode as S;
    match e {
        BodyError::TooLarge { .. } => (S::PAYLOAD_TOO_LARGE, "too_large", "Body too large"),
        BodyError::Timeout(_) => (S::REQUEST_TIMEOUT, "timeout", "Body too slow"),
        BodyError::Ratio { .. } => (S::PAYLOAD_TOO_LARGE, "too_large", "Decompression limit"),
        BodyError::UnknownEncoding => (
            S::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_type",
            "Unsupported content encoding",
        ),
        BodyError::BadEncoding(_) | BodyError::Read(_) => {
            (S::BAD_REQUEST, "bad_request", "Body unreadable")
        }
    }
}

fn auth_status(e: &AuthError) -> (StatusCode, &'static str, &'static str) {
    match e {
        AuthError::NotAllowed(_) => (StatusCode::FORBIDDEN, "auth", "Not allowed on this route"),
        AuthError::Secret(_) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "auth",
            "Authentication unavailable",
        ),
        _ => (StatusCode::UNAUTHORIZED, "auth", "Not authenticated"),
    }
}

fn scan_status(e: &ScanError) -> (StatusCode, &'static str, &'static str) {
    use StatusCode as S;
    match e {
        ScanError::TooLarge { .. } => (S::PAYLOAD_TOO_LARGE, "too_large", "Body too large"),
        ScanError::Token(_) => vault_status(),
        ScanError::Json { .. }
        | ScanError::Utf8 { .. }
        | ScanError::Form(_)
        | ScanError::Hl7(_)
        | ScanError::Csv { .. }
        | ScanError::X12 { .. }
        | ScanError::Xml { .. } => (S::BAD_REQUEST, "bad_request", "Malformed body"),
        // A DOCTYPE, or a document over the XML reader's limits: not read, so refused.
        ScanError::XmlRefused(_) => (
            S::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_type",
            "Unsupported XML",
        ),
        ScanError::Unreadable(_) => (
            S::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_type",
            "Unsupported media type",
        ),
        _ => (
            S::UNPROCESSABLE_ENTITY,
            "deidentify_failed",
            "Body could not be de-identified",
        ),
    }
}

fn upstream_status(e: &UpstreamError) -> (StatusCode, &'static str, &'static str) {
    match e {
        UpstreamError::Timeout => (StatusCode::GATEWAY_TIMEOUT, "timeout", "Upstream timed out"),
        UpstreamError::Connect(_) | UpstreamError::Failed(_) => {
            (StatusCode::BAD_GATEWAY, "upstream", "Upstream unavailable")
        }
        UpstreamError::Body(_) => (
            StatusCode::BAD_GATEWAY,
            "upstream",
            "Upstream answer unusable",
        ),
        UpstreamError::Unreadable(_) => (
            StatusCode::BAD_GATEWAY,
            "upstream",
            "Upstream answer not de-identifiable",
        ),
    }
}

/// A failed request's answer: the failure is logged (with its cause chain and the request
/// id, at its fault's level) and becomes its problem document. Returns the answer, the
/// metrics outcome and the fault.
pub fn rescue(failure: &Failure, request_id: &str) -> (Resp, &'static str, Fault) {
    let fault = failure.fault();
    log(failure, fault, request_id);
    let problem = failure.problem();
    let outcome = problem.kind;
    let mut resp = problem.into_response(request_id);
    if let Some(secs) = failure.retry_after() {
        resp.headers_mut().insert(
            hyper::header::RETRY_AFTER,
            hyper::header::HeaderValue::from(secs),
        );
    }
    (resp, outcome, fault)
}

/// Logs a failure: its message and every cause under it (`outer: inner: …`). Vault errors
/// whose cause is a storage error are found here, through [`std::error::Error::source`].
fn log(failure: &Failure, fault: Fault, request_id: &str) {
    let cause = cause_chain(failure);
    let label = fault.label();
    let what = summary(failure);
    match level(failure, fault) {
        tracing::Level::ERROR => {
            tracing::error!(request_id, fault = label, cause = %cause, "{what}")
        }
        tracing::Level::WARN => tracing::warn!(request_id, fault = label, cause = %cause, "{what}"),
        _ => tracing::debug!(request_id, fault = label, cause = %cause, "{what}"),
    }
}

/// An error and its sources, outermost first. Error messages in this crate name no value
/// or token, so the chain is fit for the log (never for an answer).
pub fn cause_chain(e: &dyn std::error::Error) -> String {
    let mut chain = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        // `#[error(transparent)]` repeats its source's message: said once.
        if !chain.ends_with(&text) {
            chain.push_str(": ");
            chain.push_str(&text);
        }
        source = s.source();
    }
    chain
}

#[cfg(test)]
mod tests {
    use http_body_util::BodyExt;

    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("vault storage error: No space left on device")]
    struct Disk;

    #[derive(Debug, thiserror::Error)]
    #[error("token store unavailable")]
    struct Store(#[source] Disk);

    /// A writer the test's subscriber logs into.
    #[derive(Clone, Default)]
    struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if let Ok(mut b) = self.0.lock() {
                b.extend_from_slice(buf);
            }
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Captured {
        fn text(&self) -> String {
            String::from_utf8(self.0.lock().map(|b| b.clone()).unwrap_or_default())
                .unwrap_or_default()
        }
    }

    /// Runs `f` with a subscriber that logs everything into the returned buffer.
    fn logged(f: impl FnOnce()) -> String {
        let out = Captured::default();
        let writer = out.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_max_level(tracing::Level::DEBUG)
            .with_ansi(false)
            .finish();
        tracing::subscriber::with_default(subscriber, f);
        out.text()
    }

    async fn body_of(r: Resp) -> String {
        let b = r.into_body().collect().await.expect("body").to_bytes();
        String::from_utf8_lossy(&b).into_owned()
    }

    #[tokio::test]
    async fn a_vault_failure_is_a_503_logged_with_its_cause_and_never_answered_with_it() {
        let e = ScanError::Token(TokenError::Unavailable(
            "vault storage error: No space left on device".into(),
        ));
        let failure = Failure::from(e);
        assert_eq!(failure.fault(), Fault::Vault);
        let mut answer = None;
        let log = logged(|| answer = Some(rescue(&failure, "req-7")));
        let (resp, outcome, fault) = answer.expect("rescued");
        assert_eq!(
            (resp.status(), outcome, fault),
            (StatusCode::SERVICE_UNAVAILABLE, "vault", Fault::Vault)
        );
        assert!(log.contains("ERROR"), "{log}");
        assert!(log.contains("req-7"), "{log}");
        assert!(log.contains("No space left on device"), "{log}");
        assert!(
            log.contains("fault=\"vault\"") || log.contains("fault=vault"),
            "{log}"
        );
        assert_eq!(resp.headers()["retry-after"], "1");
        let body = body_of(resp).await;
        assert!(
            body.contains("\"type\":\"https://phigate.dev/problems/vault\""),
            "{body}"
        );
        assert!(!body.contains("No space"), "{body}");
    }

    #[test]
    fn the_cause_chain_follows_sources_and_says_each_message_once() {
        assert_eq!(
            cause_chain(&Store(Disk)),
            "token store unavailable: vault storage error: No space left on device"
        );
        // A transparent wrapper repeats its source's message: not twice in the log.
        let wrapped = Failure::Reveal(RevealError::Token(TokenError::Poisoned));
        assert_eq!(cause_chain(&wrapped), "token store lock poisoned");
    }

    #[test]
    fn faults_pick_the_status_and_the_level() {
        let cases: Vec<(Failure, StatusCode, Fault)> = vec![
            (Failure::NoRoute, StatusCode::NOT_FOUND, Fault::Client),
            (
                Failure::Auth(AuthError::NotAllowed("a".into())),
                StatusCode::FORBIDDEN,
                Fault::Client,
            ),
            (
                Failure::Upstream(UpstreamError::Timeout),
                StatusCode::GATEWAY_TIMEOUT,
                Fault::Upstream,
            ),
            (
                Failure::Channel(ChannelError::AnswerHeader),
                StatusCode::BAD_GATEWAY,
                Fault::Upstream,
            ),
            (
                Failure::Audit(None),
                StatusCode::SERVICE_UNAVAILABLE,
                Fault::Audit,
            ),
            (
                Failure::Evidence(std::io::Error::other("disk full")),
                StatusCode::INTERNAL_SERVER_ERROR,
                Fault::Internal,
            ),
            (
                Failure::Reveal(RevealError::KeyCollision),
                StatusCode::UNPROCESSABLE_ENTITY,
                Fault::Client,
            ),
            (
                Failure::Body {
                    source: BodyError::TooLarge { limit: 10 },
                    setting: "[limits] max_body_bytes",
                },
                StatusCode::PAYLOAD_TOO_LARGE,
                Fault::Client,
            ),
        ];
        for (failure, status, fault) in cases {
            assert_eq!(failure.problem().status, status, "{failure}");
            assert_eq!(failure.fault(), fault, "{failure}");
        }
        let level_of = |f: Failure| level(&f, f.fault());
        assert_eq!(level_of(Failure::NoRoute), tracing::Level::DEBUG);
        assert_eq!(
            level_of(Failure::Auth(AuthError::Replay)),
            tracing::Level::WARN
        );
        assert_eq!(
            level_of(Failure::Upstream(UpstreamError::Timeout)),
            tracing::Level::WARN
        );
        assert_eq!(
            level_of(Failure::Token(TokenError::Poisoned)),
            tracing::Level::ERROR
        );
    }

    #[test]
    fn a_body_limit_names_its_setting_in_the_answer() {
        let f = Failure::Body {
            source: BodyError::TooLarge { limit: 1024 },
            setting: "the route's max_body_bytes",
        };
        let detail = f.problem().detail;
        assert!(
            detail.contains("1024-byte limit") && detail.contains("the route's max_body_bytes"),
            "{detail}"
        );
        let slow = Failure::Body {
            source: BodyError::Timeout(std::time::Duration::from_secs(1)),
            setting: "the route's max_body_bytes",
        };
        assert!(!slow.problem().detail.contains("max_body_bytes"));
    }
}
