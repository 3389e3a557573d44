//! Handling one request: match a route, authenticate the caller, de-identify or
//! re-identify every channel that may carry PHI (body, path, query, configured headers),
//! forward, and treat the answer the same way on its way out.
//!
//! Fails closed: any failure before the upstream is called answers a problem document and
//! forwards nothing; any failure treating an answer that leaves the clinic answers a
//! problem document instead of the answer.

use std::cell::RefCell;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::{HeaderMap, HeaderName, HeaderValue, CONTENT_LENGTH, CONTENT_TYPE, HOST};
use hyper::{Method, Request, Response, StatusCode, Uri};
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, CONTROLS};

use super::auth::{self, AuthError, Caller, PeerIdentity};
use super::body::{self, BodyError};
use super::claims;
use super::problem::{self, Problem};
use super::trail::{Recording, Trail};
use super::{Gateway, Route};
use crate::charset;
use crate::config::Direction;
use crate::detect::Scratch;
use crate::engine::reveal::{
    reveal_hl7, reveal_json, reveal_table, reveal_text, Allow, RevealError, RevealStats,
};
use crate::engine::{nested, ContentType, ScanError};
use crate::transform::policy::Policy;
use crate::transform::token::TokenStore;
use crate::vault::VaultStore;

/// The response type of every handler.
pub type Resp = Response<Full<Bytes>>;

/// Findings of a flagged claim (codes and line numbers only), on the forwarded request and
/// on the answer.
const FINDINGS_HEADER: &str = "phigate-claim-findings";

/// Request headers forwarded as they are on every route: none can carry PHI.
const SAFE_REQUEST_HEADERS: &[&str] = &["accept", "user-agent", "idempotency-key"];
/// Response headers returned to a caller outside the clinic (reidentify routes).
const SAFE_RESPONSE_HEADERS: &[&str] = &["cache-control", "retry-after", "etag"];
/// Hop-by-hop headers (RFC 9110 section 7.6.1), never forwarded in either direction.
const HOP_BY_HOP: &[&str] = &[
    "connection",
    "keep-alive",
    "proxy-connection",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

/// Characters escaped in a rebuilt path segment.
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'/')
    .add(b'%');

thread_local! {
    /// Detection scratch space, one per blocking worker thread.
    static SCRATCH: RefCell<Option<Scratch>> = const { RefCell::new(None) };
}

/// Runs `f` with this thread's detection scratch space, made on first use.
fn with_scratch<T>(engine: &crate::engine::Engine, f: impl FnOnce(&mut Scratch) -> T) -> T {
    SCRATCH.with(|cell| {
        let mut slot = cell.borrow_mut();
        let scratch = slot.get_or_insert_with(|| engine.detector.scratch());
        f(scratch)
    })
}

/// Where a request goes.
#[derive(Clone, Copy)]
enum Target {
    Route(usize),
    ApiDeidentify,
    ApiReidentify,
    ApiClaims,
}

/// Handles one request end to end; never fails (every error is a response).
pub async fn handle(
    gw: Arc<Gateway>,
    req: Request<Incoming>,
    peer: Arc<PeerIdentity>,
) -> Result<Resp, std::convert::Infallible> {
    let started = Instant::now();
    let request_id = new_request_id();
    let Ok(_permit) = Arc::clone(&gw.in_flight).try_acquire_owned() else {
        gw.metrics.request_done(
            gw.metrics.unmatched_route(),
            "overloaded",
            started.elapsed(),
        );
        return Ok(problem::overloaded().into_response(&request_id));
    };
    let target = find_target(&gw, &req);
    // For the access log: never the path or query (they can hold PHI).
    let method = req.method().clone();
    let bytes_in = declared_length(req.headers());
    let metrics_idx = match target {
        Some(Target::Route(i)) => gw.routes[i].metrics_idx,
        Some(_) => gw.metrics.api_route(),
        None => gw.metrics.unmatched_route(),
    };
    if !gw.audit.admits() {
        // Refused before anything is read: counted, so the alert on `outcome="audit"` fires.
        gw.metrics
            .request_done(metrics_idx, "audit", started.elapsed());
        return Ok(audit_unavailable().into_response(&request_id));
    }
    gw.metrics.in_flight(1);
    let trail = Arc::new(Trail::default());
    let result = match target {
        None => Err(problem::not_found()),
        Some(t) => handle_target(&gw, t, req, &peer, &request_id, &trail).await,
    };
    gw.metrics.in_flight(-1);
    let (mut resp, mut outcome) = match result {
        Ok((resp, outcome)) => (resp, outcome),
        Err(p) => {
            p.log_cause(&request_id);
            let kind = p.kind;
            (p.into_response(&request_id), kind)
        }
    };
    if let Err(e) = audit_request(&gw, target, &trail, &request_id, resp.status(), outcome).await {
        // Fail closed: an answer whose events cannot be recorded is not given.
        tracing::error!(request_id = %request_id, error = %e, "audit record failed");
        resp = audit_unavailable().into_response(&request_id);
        outcome = "audit";
    }
    gw.metrics
        .request_done(metrics_idx, outcome, started.elapsed());
    tracing::info!(
        request_id = %request_id,
        client = %peer.remote.map_or_else(String::new, |a| a.to_string()),
        method = %method,
        route = route_name(&gw, target),
        caller = trail.caller().as_deref().unwrap_or(""),
        status = resp.status().as_u16(),
        outcome,
        bytes_in,
        bytes_out = hyper::body::Body::size_hint(resp.body()).exact(),
        micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
        "request"
    );
    Ok(resp)
}

/// Records the finished request's audit events, and waits until they are on disk: the
/// answer is given only then. Events recorded before the body was forwarded are not
/// repeated; what the answer added (its own tokenisation) or a failure after forwarding is.
async fn audit_request(
    gw: &Gateway,
    target: Option<Target>,
    trail: &Trail,
    request_id: &str,
    status: StatusCode,
    outcome: &str,
) -> Result<(), crate::audit::AuditError> {
    use crate::audit::Action;
    let mut base = base_event(gw, target, request_id, outcome);
    base.action = match outcome {
        "forwarded" | "answered" => None,
        "auth" => Some(Action::AuthFailure),
        _ => Some(Action::RequestFailed),
    };
    base.status = Some(status.as_u16());
    let mut events = trail.events(&base, reidentifies(gw, target));
    if trail.recorded() && base.action.is_none() {
        events.retain(|e| !e.phi.is_empty() || !e.tokens.is_empty());
    }
    gw.audit.record_durable(events).await
}

/// Records the request's events so far and waits until they are on disk, before its body
/// is forwarded: a crash after forwarding cannot lose the record of what left.
async fn audit_before_forwarding(
    gw: &Gateway,
    i: usize,
    trail: &Trail,
    request_id: &str,
) -> Result<(), Problem> {
    let target = Some(Target::Route(i));
    let base = base_event(gw, target, request_id, "forwarded");
    let events = trail.take_events(&base, reidentifies(gw, target));
    gw.audit.record_durable(events).await.map_err(|e| {
        tracing::error!(request_id, error = %e, "audit record failed; nothing was forwarded");
        audit_unavailable()
    })
}

/// The fields every audit event of a request shares (the action is filled in later).
fn base_event(
    gw: &Gateway,
    target: Option<Target>,
    request_id: &str,
    outcome: &str,
) -> crate::audit::Event {
    let mut base = crate::audit::Event::new(crate::audit::Action::Tokenize, outcome);
    base.action = None;
    base.request_id = Some(request_id.to_string());
    base.route = Some(route_name(gw, target).to_string());
    base
}

/// Whether the request reveals (its events are reveals) rather than tokenises.
fn reidentifies(gw: &Gateway, target: Option<Target>) -> bool {
    match target {
        Some(Target::Route(i)) => gw.routes[i].cfg.direction == Direction::Reidentify,
        Some(Target::ApiReidentify) => true,
        _ => false,
    }
}

fn audit_unavailable() -> Problem {
    Problem::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "audit",
        "Audit log unavailable",
        "the audit log cannot be written; the gateway fails closed",
    )
}

fn route_name(gw: &Gateway, t: Option<Target>) -> &str {
    match t {
        Some(Target::Route(i)) => &gw.routes[i].cfg.name,
        Some(Target::ApiDeidentify) => "api:deidentify",
        Some(Target::ApiReidentify) => "api:reidentify",
        Some(Target::ApiClaims) => "api:claims",
        None => "-",
    }
}

pub fn new_request_id() -> String {
    let mut b = [0u8; 12];
    // A failed random read still yields a (weaker) unique-enough id from the clock.
    if ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut b).is_err() {
        let t = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or_default();
        b.copy_from_slice(&t.as_nanos().to_be_bytes()[4..]);
    }
    crate::audit::hex(&b)
}

/// The request's host without a port: `:authority` on HTTP/2, `Host` on HTTP/1.1.
fn request_host(req: &Request<Incoming>) -> Option<String> {
    let raw = req.uri().host().map(str::to_string).or_else(|| {
        req.headers()
            .get(HOST)
            .and_then(|h| h.to_str().ok())
            .map(str::to_string)
    })?;
    let host = match raw.rsplit_once(':') {
        Some((h, port))
            if port.bytes().all(|b| b.is_ascii_digit()) && !h.ends_with(']')
                || raw.starts_with('[') =>
        {
            h.trim_start_matches('[').trim_end_matches(']').to_string()
        }
        _ => raw,
    };
    Some(host.to_ascii_lowercase())
}

fn find_target(gw: &Gateway, req: &Request<Incoming>) -> Option<Target> {
    let path = req.uri().path();
    if !gw.api.callers.is_empty() {
        match path {
            "/v1/deidentify" => return Some(Target::ApiDeidentify),
            "/v1/reidentify" => return Some(Target::ApiReidentify),
            "/v1/claims/validate" => return Some(Target::ApiClaims),
            _ => {}
        }
    }
    let host = request_host(req);
    gw.routes
        .iter()
        .enumerate()
        .filter(|(_, r)| path.starts_with(&r.cfg.prefix))
        .filter(|(_, r)| match &r.cfg.host {
            Some(h) => host.as_deref() == Some(h.to_ascii_lowercase().as_str()),
            None => true,
        })
        .max_by_key(|(_, r)| (r.cfg.host.is_some(), r.cfg.prefix.len()))
        .map(|(i, _)| Target::Route(i))
}

async fn handle_target(
    gw: &Arc<Gateway>,
    target: Target,
    req: Request<Incoming>,
    peer: &PeerIdentity,
    request_id: &str,
    trail: &Arc<Trail>,
) -> Result<(Resp, &'static str), Problem> {
    let (parts, incoming) = req.into_parts();
    let (limit, callers): (usize, &[String]) = match target {
        Target::Route(i) => {
            let r = &gw.routes[i];
            (
                r.cfg
                    .max_body_bytes
                    .unwrap_or(gw.config.limits.max_body_bytes),
                &r.cfg.callers,
            )
        }
        _ => (gw.config.limits.max_body_bytes, &gw.api.callers),
    };
    let setting = limit_setting(gw, target);
    if let Some(n) = declared_length(&parts.headers).filter(|n| *n > limit) {
        return Err(Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            "Body too large",
            format!("Content-Length {n} is over the {limit}-byte limit ({setting})"),
        ));
    }
    let raw = body::read_limited(
        incoming,
        limit,
        Duration::from_millis(gw.config.timeouts.body_ms),
    )
    .await
    .map_err(|e| limit_problem(&e, setting))?;
    let caller = auth::authenticate(&gw.callers, callers, &parts.headers, peer, &raw, &gw.replay)
        .map_err(|e| {
        tracing::warn!(request_id, reason = %e, "authentication failed");
        auth_problem(&e)
    })?;
    trail.set_caller(&caller.name);
    let decoded = body::decode(
        &parts.headers,
        raw,
        limit,
        gw.config.limits.max_decompression_ratio,
    )
    .map_err(|e| limit_problem(&e, setting))?;
    match target {
        Target::Route(i) => forward(gw, i, parts, decoded, caller, request_id, trail).await,
        Target::ApiClaims => validate_claims(gw, &parts, &decoded, trail, request_id),
        Target::ApiDeidentify | Target::ApiReidentify => {
            if parts.method != Method::POST {
                return Err(Problem::new(
                    StatusCode::METHOD_NOT_ALLOWED,
                    "bad_request",
                    "Method not allowed",
                    "the API takes POST",
                ));
            }
            let kind = kind_of(&parts.headers, &decoded, &[])?;
            let decoded = readable_body(&parts.headers, decoded, kind)?;
            let body = if matches!(target, Target::ApiDeidentify) {
                deidentify_body(gw, Side::Api, kind, decoded, trail).await?
            } else {
                let allow = gw
                    .api
                    .reveal
                    .get(&caller.name)
                    .cloned()
                    .unwrap_or(Allow::only(Vec::new()));
                reidentify_body(gw, Side::Api, kind, decoded, allow, trail).await?
            };
            let mut resp = Response::new(Full::new(body));
            set_content_type(&parts.headers, resp.headers_mut(), kind);
            set_request_id(resp.headers_mut(), request_id);
            Ok((resp, "answered"))
        }
    }
}

/// `POST /v1/claims/validate[?profile=P]`: every claim's findings, nothing forwarded.
fn validate_claims(
    gw: &Gateway,
    parts: &hyper::http::request::Parts,
    body: &[u8],
    trail: &Trail,
    request_id: &str,
) -> Result<(Resp, &'static str), Problem> {
    if parts.method != Method::POST {
        return Err(Problem::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "bad_request",
            "Method not allowed",
            "the API takes POST",
        ));
    }
    let checker = gw
        .claims
        .as_ref()
        .ok_or_else(|| internal("claim tables are not loaded"))?;
    let profile = parts.uri.query().and_then(|q| {
        form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "profile")
            .map(|(_, v)| v.into_owned())
    });
    let route = crate::config::ClaimsRoute {
        profile,
        on_fail: crate::config::OnFail::Flag,
    };
    let ct = content_type_str(&parts.headers);
    let decision = claims::decide(checker, &route, &ct, body, &gw.claim_metrics)?;
    let passed = matches!(decision, claims::Decision::Pass(_));
    trail.set_claim(
        if passed { "passed" } else { "failed" },
        claims::codes(decision.reports()),
    );
    let json = serde_json::json!({ "passed": passed, "claims": decision.reports() });
    let mut resp = Response::new(Full::new(Bytes::from(json.to_string())));
    resp.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    set_request_id(resp.headers_mut(), request_id);
    Ok((resp, "answered"))
}

fn content_type_str(h: &HeaderMap) -> String {
    h.get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

fn declared_length(h: &HeaderMap) -> Option<usize> {
    h.get(CONTENT_LENGTH)?.to_str().ok()?.parse().ok()
}

/// What to do with a body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum BodyKind {
    Empty,
    Doc(ContentType),
    /// A type the route forwards unscanned.
    Pass,
}

fn kind_of(headers: &HeaderMap, body: &[u8], pass: &[String]) -> Result<BodyKind, Problem> {
    let Some(media) = MediaType::of(headers)? else {
        return if body.is_empty() {
            Ok(BodyKind::Empty)
        } else {
            Err(unsupported("a body needs a Content-Type"))
        };
    };
    let ct = media.essence.as_str();
    if pass.iter().any(|p| p.eq_ignore_ascii_case(ct)) {
        return Ok(BodyKind::Pass);
    }
    if body.is_empty() {
        return Ok(BodyKind::Empty);
    }
    let kind = match ct {
        "application/fhir+json" | "application/json+fhir" => ContentType::FhirJson,
        "application/json" | "text/json" | "application/x-json" => ContentType::Json,
        "application/x-www-form-urlencoded" => ContentType::Form,
        "text/plain" => ContentType::Text,
        "application/hl7-v2" | "x-application/hl7-v2+er7" => ContentType::Hl7,
        "text/csv" => ContentType::Csv,
        "text/tab-separated-values" => ContentType::Tsv,
        t if t.starts_with("multipart/") => {
            return Err(unsupported("multipart bodies are refused on this route"))
        }
        t => match t.parse::<ContentType>() {
            Ok(kind) => kind,
            Err(_) => {
                return Err(unsupported(
                    "this content type is not de-identified, so it is refused on this route",
                ))
            }
        },
    };
    Ok(BodyKind::Doc(kind))
}

/// A `Content-Type` read into its parts; only these parts are ever forwarded, so a
/// parameter (`; patient="…"`) never crosses.
struct MediaType {
    /// `type/subtype`, lower case, checked to be RFC 9110 tokens.
    essence: String,
    charset: Option<String>,
}

impl MediaType {
    fn of(headers: &HeaderMap) -> Result<Option<MediaType>, Problem> {
        let Some(v) = headers.get(CONTENT_TYPE) else {
            return Ok(None);
        };
        let v = v
            .to_str()
            .map_err(|_| unsupported("the Content-Type is not visible ASCII"))?;
        let mut parts = v.split(';');
        let essence = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let token = |s: &str| {
            !s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"!#$&^_.+-".contains(&b))
        };
        match essence.split_once('/') {
            Some((t, sub)) if token(t) && token(sub) => {}
            _ => return Err(unsupported("the Content-Type is not a media type")),
        }
        let charset = parts.find_map(|p| {
            let (k, v) = p.split_once('=')?;
            k.trim()
                .eq_ignore_ascii_case("charset")
                .then(|| v.trim().trim_matches('"').to_ascii_lowercase())
        });
        Ok(Some(MediaType { essence, charset }))
    }

    /// The header to forward: the media type, and `charset=utf-8` where the body is text
    /// (every de-identified body is forwarded as UTF-8).
    fn forwarded(&self, converted: bool) -> Option<HeaderValue> {
        let textual = self.essence.starts_with("text/") || self.charset.is_some();
        let v = if textual && converted {
            format!("{}; charset=utf-8", self.essence)
        } else {
            self.essence.clone()
        };
        HeaderValue::from_str(&v).ok()
    }
}

/// A body as UTF-8, converted from the charset it declares (or carries in a BOM); a body
/// that cannot be read is refused.
fn utf8_body(headers: &HeaderMap, body: Bytes) -> Result<Bytes, Problem> {
    let media = MediaType::of(headers)?;
    let declared = media.as_ref().and_then(|m| m.charset.as_deref());
    match charset::to_utf8(&body, declared) {
        Ok(std::borrow::Cow::Borrowed(b)) => Ok(body.slice_ref(b)),
        Ok(std::borrow::Cow::Owned(b)) => Ok(Bytes::from(b)),
        Err(e @ charset::CharsetError::Unsupported(_)) => Err(unsupported(&e.to_string())),
        Err(e) => Err(bad_request_titled("Malformed body", &e.to_string())),
    }
}

/// A document body as UTF-8; other bodies as they are.
fn readable_body(headers: &HeaderMap, body: Bytes, kind: BodyKind) -> Result<Bytes, Problem> {
    match kind {
        BodyKind::Doc(_) => utf8_body(headers, body),
        _ => Ok(body),
    }
}

/// Sets the forwarded `Content-Type`, rebuilt from its parsed parts.
fn set_content_type(from: &HeaderMap, to: &mut HeaderMap, kind: BodyKind) {
    let Ok(Some(media)) = MediaType::of(from) else {
        return;
    };
    if let Some(v) = media.forwarded(matches!(kind, BodyKind::Doc(_))) {
        to.insert(CONTENT_TYPE, v);
    }
}

fn unsupported(detail: &str) -> Problem {
    Problem::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_type",
        "Unsupported media type",
        detail,
    )
}

/// Which tokenising settings apply: a route's, or the API's.
#[derive(Clone, Copy)]
enum Side {
    Route(usize),
    Api,
}

impl Side {
    fn policy_and_store(self, gw: &Gateway) -> (&Policy, &dyn VaultStore) {
        match self {
            Side::Route(i) => (&gw.routes[i].policy, &*gw.routes[i].store),
            Side::Api => (&gw.api.policy, &*gw.api.store),
        }
    }

    /// The policy, and the store seen through the request's trail.
    fn recording<'a>(
        self,
        gw: &'a Gateway,
        trail: &'a Trail,
        allow: Option<&'a Allow>,
    ) -> (&'a Policy, Recording<'a>) {
        let (policy, store) = self.policy_and_store(gw);
        let rec = Recording {
            store,
            trail,
            keys: gw.audit.keys(),
            allow,
        };
        (policy, rec)
    }
}

/// Bodies up to this size are processed on the runtime's own worker threads.
const INLINE_LIMIT: usize = 64 << 10;

/// Runs CPU-bound work. Small bodies run inline: the runtime has one worker per core, so
/// there is no thread hop and no more threads than cores. Large ones go to the blocking
/// pool, at most one per core at a time, so a few big bodies cannot stall every
/// connection and the thread count stays bounded.
///
/// With a remote vault (PostgreSQL) the work also waits on the database, which must not
/// happen on a runtime worker: every body goes to the blocking pool, small ones without a
/// per-core permit (they mostly wait; `max_concurrent` bounds them).
async fn cpu_work<T: Send + 'static>(
    gw: &Arc<Gateway>,
    size: usize,
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Problem> {
    let local = gw.vault.is_local();
    if size <= INLINE_LIMIT && local {
        return Ok(f());
    }
    if size <= INLINE_LIMIT {
        return tokio::task::spawn_blocking(f)
            .await
            .map_err(|_| internal("the de-identification task failed"));
    }
    let _permit = gw
        .cpu
        .acquire()
        .await
        .map_err(|_| internal("the worker pool is closed"))?;
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|_| internal("the de-identification task failed"))
}

/// Runs short vault work (a header, the path and query) on the current thread: inline with
/// a local vault, and with a remote one through `block_in_place`, so that waiting on the
/// database never holds up the other tasks of a runtime worker.
fn vault_inline<T>(gw: &Gateway, f: impl FnOnce() -> T) -> T {
    if gw.vault.is_local() {
        f()
    } else {
        tokio::task::block_in_place(f)
    }
}

/// De-identifies a body (detection is CPU work: see [`cpu_work`]).
async fn deidentify_body(
    gw: &Arc<Gateway>,
    side: Side,
    kind: BodyKind,
    body: Bytes,
    trail: &Arc<Trail>,
) -> Result<Bytes, Problem> {
    let BodyKind::Doc(ct) = kind else {
        return Ok(body);
    };
    let gw2 = Arc::clone(gw);
    let trail2 = Arc::clone(trail);
    let size = body.len();
    let out = cpu_work(gw, size, move || {
        deidentify_now(&gw2, side, &body, ct, &trail2)
    })
    .await??;
    Ok(Bytes::from(out))
}

/// De-identifies one value on its own (a header, a path segment): identifier shapes and
/// names are found without a cue.
fn deidentify_field(
    gw: &Gateway,
    side: Side,
    text: &str,
    trail: &Trail,
) -> Result<String, Problem> {
    run_engine(gw, side, trail, |t, s| {
        gw.engine.deidentify_field(text, t, s)
    })
}

/// De-identifies one document where the caller runs. Every channel (body, path, query,
/// header) goes through here or [`deidentify_field`].
fn deidentify_now(
    gw: &Gateway,
    side: Side,
    input: &[u8],
    ct: ContentType,
    trail: &Trail,
) -> Result<String, Problem> {
    run_engine(gw, side, trail, |t, s| {
        gw.engine.deidentify(input, ct, t, s)
    })
}

/// Runs the engine with this thread's scratch space and the request's echo list (what was
/// revealed to the clinic is PHI in whatever it sends out), counting what was found in the
/// metrics and the request's trail.
fn run_engine(
    gw: &Gateway,
    side: Side,
    trail: &Trail,
    f: impl FnOnce(
        &crate::transform::Transformer<'_>,
        &mut Scratch,
    ) -> Result<crate::engine::Output, ScanError>,
) -> Result<String, Problem> {
    let (policy, store) = side.recording(gw, trail, None);
    let t = gw.engine.transformer(policy, &store, &gw.master);
    let echo = trail.echo();
    let out = with_scratch(&gw.engine, |s| {
        s.echo = echo;
        s.nesting = 0;
        let out = f(&t, s);
        s.echo = None;
        out
    })
    .map_err(|e| scan_problem(&e))?;
    gw.metrics.phi_found(&out.counts);
    gw.metrics.tokens_issued(out.counts.iter().sum());
    trail.found(&out.counts);
    Ok(out.text)
}

/// Replaces tokens in a body with the values the caller may see.
async fn reidentify_body(
    gw: &Arc<Gateway>,
    side: Side,
    kind: BodyKind,
    body: Bytes,
    allow: Allow,
    trail: &Arc<Trail>,
) -> Result<Bytes, Problem> {
    let BodyKind::Doc(ct) = kind else {
        return Ok(body);
    };
    let gw2 = Arc::clone(gw);
    let trail2 = Arc::clone(trail);
    let size = body.len();
    let (out, stats) = cpu_work(gw, size, move || {
        let (_, rec) = side.recording(&gw2, &trail2, Some(&allow));
        let store = &rec;
        let mut stats = RevealStats::default();
        let text = std::str::from_utf8(&body).map_err(|e| {
            Problem::new(
                StatusCode::BAD_REQUEST,
                "bad_request",
                "Malformed body",
                format!("invalid UTF-8 at byte {}", e.valid_up_to()),
            )
        })?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let json_doc = |doc: &str, stats: &mut RevealStats| {
            reveal_json_value(parse_json_body(doc)?, store, &allow, stats)
        };
        let out = match ct {
            ContentType::Json | ContentType::FhirJson => json_doc(text, &mut stats)?,
            ContentType::NdJson => text
                .split('\n')
                .map(|line| {
                    if line.trim().is_empty() {
                        Ok(line.to_string())
                    } else {
                        json_doc(line, &mut stats)
                    }
                })
                .collect::<Result<Vec<_>, _>>()?
                .join("\n"),
            ContentType::Form => reveal_form(text, store, &allow, &mut stats)?,
            // A text body that is JSON is revealed as JSON, so values are escaped in it;
            // one that is an HL7 message, as HL7.
            ContentType::Text => match nested::opens_like_json(text)
                .then(|| serde_json::from_str(text.trim()).ok())
                .flatten()
            {
                Some(v) => reveal_json_value(v, store, &allow, &mut stats)?,
                None if nested::sniff(text) == nested::Shape::Hl7 => {
                    reveal_hl7(text, store, &allow, &mut stats).map_err(|e| reveal_problem(&e))?
                }
                None => {
                    reveal_text(text, store, &allow, &mut stats).map_err(|e| vault_failed(&e))?
                }
            },
            ContentType::Hl7 => {
                reveal_hl7(text, store, &allow, &mut stats).map_err(|e| reveal_problem(&e))?
            }
            ContentType::Csv | ContentType::Tsv => {
                let delimiter = if ct == ContentType::Csv { b',' } else { b'\t' };
                reveal_table(text, delimiter, store, &allow, &mut stats)
                    .map_err(|e| reveal_problem(&e))?
            }
        };
        Ok::<_, Problem>((out, stats))
    })
    .await??;
    gw.metrics
        .reveals(stats.revealed, stats.refused, stats.unknown);
    Ok(Bytes::from(out))
}

/// A JSON body, or a 400 that names the position (serde's message can quote the input).
fn parse_json_body(doc: &str) -> Result<serde_json::Value, Problem> {
    serde_json::from_str(doc).map_err(|e| {
        Problem::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            "Malformed body",
            format!(
                "JSON does not parse at line {} column {}",
                e.line(),
                e.column()
            ),
        )
    })
}

fn reveal_json_value(
    mut v: serde_json::Value,
    store: &dyn TokenStore,
    allow: &Allow,
    stats: &mut RevealStats,
) -> Result<String, Problem> {
    reveal_json(&mut v, store, allow, stats).map_err(|e| reveal_problem(&e))?;
    Ok(v.to_string())
}

fn reveal_form(
    text: &str,
    store: &dyn TokenStore,
    allow: &Allow,
    stats: &mut RevealStats,
) -> Result<String, Problem> {
    // Keys too: a bare query term or an unknown key was tokenised on the way out.
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (k, v) in form_urlencoded::parse(text.as_bytes()) {
        let k = reveal_text(&k, store, allow, stats).map_err(|e| vault_failed(&e))?;
        let v = reveal_text(&v, store, allow, stats).map_err(|e| vault_failed(&e))?;
        out.append_pair(&k, &v);
    }
    Ok(out.finish())
}

/// Forwards a request on a route and treats the answer.
async fn forward(
    gw: &Arc<Gateway>,
    i: usize,
    parts: hyper::http::request::Parts,
    body: Bytes,
    caller: &Caller,
    request_id: &str,
    trail: &Arc<Trail>,
) -> Result<(Resp, &'static str), Problem> {
    let route = &gw.routes[i];
    if !is_standard_method(&parts.method) {
        return Err(Problem::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "bad_request",
            "Method not allowed",
            "only the standard HTTP methods are forwarded",
        ));
    }
    let kind = kind_of(&parts.headers, &body, &route.cfg.pass_content_types)?;
    let body = readable_body(&parts.headers, body, kind)?;
    let side = Side::Route(i);
    // Claims are checked as the clinic wrote them, before anything is de-identified.
    let decision = match (&route.cfg.claims, &gw.claims) {
        (Some(cr), Some(checker)) => {
            let d = claims::decide(
                checker,
                cr,
                &content_type_str(&parts.headers),
                &body,
                &gw.claim_metrics,
            )?;
            trail.set_claim(d.outcome(), claims::codes(d.reports()));
            if let claims::Decision::Reject(reports) = &d {
                return Err(claims::rejection(reports));
            }
            Some(d)
        }
        _ => None,
    };
    let allow = route
        .reveal
        .get(&caller.name)
        .cloned()
        .unwrap_or(Allow::only(Vec::new()));
    let (body, path_and_query, headers) = match route.cfg.direction {
        Direction::Deidentify => {
            let body = deidentify_body(gw, side, kind, body, trail).await?;
            let (pq, headers) = vault_inline(gw, || {
                let pq = deidentify_path_and_query(gw, side, route, &parts.uri, trail)?;
                let headers = deidentified_headers(&parts.headers, route, |v| {
                    deidentify_field(gw, side, v, trail)
                })?;
                Ok::<_, Problem>((pq, headers))
            })?;
            (body, pq, headers)
        }
        Direction::Reidentify => {
            let body = reidentify_body(gw, side, kind, body, allow.clone(), trail).await?;
            let mut stats = RevealStats::default();
            let (_, rec) = side.recording(gw, trail, Some(&allow));
            let (pq, headers) = vault_inline(gw, || {
                let pq = reidentify_path_and_query(route, &parts.uri, &rec, &allow, &mut stats)?;
                let headers = forwarded_headers(&parts.headers, route, |v| {
                    reveal_text(v, &rec, &allow, &mut stats).map_err(|e| vault_failed(&e))
                })?;
                Ok::<_, Problem>((pq, headers))
            })?;
            gw.metrics
                .reveals(stats.revealed, stats.refused, stats.unknown);
            (body, pq, headers)
        }
    };
    let uri = upstream_uri(&route.upstream, &path_and_query)?;
    let mut out = Request::new(Full::new(body.clone()));
    *out.method_mut() = parts.method.clone();
    *out.uri_mut() = uri;
    *out.headers_mut() = headers;
    let h = out.headers_mut();
    if kind != BodyKind::Empty || !body.is_empty() {
        set_content_type(&parts.headers, h, kind);
        h.insert(CONTENT_LENGTH, HeaderValue::from(body.len()));
    }
    set_request_id(h, request_id);
    let findings_header = match &decision {
        Some(d @ claims::Decision::Flag(_)) => {
            HeaderValue::from_str(&claims::findings_header(d.reports())).ok()
        }
        _ => None,
    };
    if let Some(v) = &findings_header {
        h.insert(FINDINGS_HEADER, v.clone());
    }
    if let (Some(d), Some(checker)) = (&decision, &gw.claims) {
        // The evidence snapshot is on disk before the claim leaves (fail closed).
        claims::write_snapshot(
            &gw.evidence_dir,
            request_id,
            &route.cfg.name,
            &body,
            d,
            checker,
        )
        .map_err(|e| {
            tracing::error!(request_id, error = %e, "claim evidence snapshot failed");
            internal("the claim's evidence snapshot could not be written; nothing was forwarded")
        })?;
    }
    if let Some(signer) = &route.signer {
        for (name, value) in signer.sign(&format!("msg_{request_id}"), &body, SystemTime::now()) {
            if let Ok(v) = HeaderValue::from_str(&value) {
                h.insert(name, v);
            }
        }
    }
    audit_before_forwarding(gw, i, trail, request_id).await?;
    let timeout = Duration::from_millis(gw.config.timeouts.upstream_response_ms);
    let sent = Instant::now();
    let answered = tokio::time::timeout(timeout, route.client.request(out)).await;
    gw.metrics.upstream_done(route.metrics_idx, sent.elapsed());
    let resp = match answered {
        Err(_) => {
            return Err(Problem::new(
                StatusCode::GATEWAY_TIMEOUT,
                "timeout",
                "Upstream timed out",
                "the upstream did not answer in time",
            ))
        }
        Ok(Err(e)) => {
            tracing::warn!(request_id, route = %route.cfg.name, error = %upstream_error_kind(&e), "upstream failed");
            return Err(Problem::new(
                StatusCode::BAD_GATEWAY,
                "upstream",
                "Upstream unavailable",
                upstream_error_kind(&e),
            ));
        }
        Ok(Ok(r)) => r,
    };
    let (rparts, rbody) = resp.into_parts();
    let limit = route
        .cfg
        .max_body_bytes
        .unwrap_or(gw.config.limits.max_body_bytes);
    let rbody = body::read_limited(rbody, limit, timeout)
        .await
        .map_err(|e| {
            Problem::new(
                StatusCode::BAD_GATEWAY,
                "upstream",
                "Upstream answer unusable",
                e.to_string(),
            )
        })?;
    let resp = match route.cfg.direction {
        // The outside's answer goes back inside: returned as it came.
        Direction::Deidentify => {
            let mut resp = Response::new(Full::new(rbody));
            *resp.status_mut() = rparts.status;
            for (name, value) in &rparts.headers {
                if !is_hop_by_hop(name) && name != CONTENT_LENGTH {
                    resp.headers_mut().append(name, value.clone());
                }
            }
            resp
        }
        // The clinic's answer goes outside: de-identified first, like any outbound body.
        Direction::Reidentify => {
            let decoded = body::decode(
                &rparts.headers,
                rbody,
                limit,
                gw.config.limits.max_decompression_ratio,
            )
            .map_err(|e| {
                Problem::new(
                    StatusCode::BAD_GATEWAY,
                    "upstream",
                    "Upstream answer unusable",
                    e.to_string(),
                )
            })?;
            let rkind = kind_of(&rparts.headers, &decoded, &[])
                .and_then(|k| Ok((k, readable_body(&rparts.headers, decoded, k)?)));
            let (rkind, decoded) = rkind.map_err(|p| {
                Problem::new(
                    StatusCode::BAD_GATEWAY,
                    "upstream",
                    "Upstream answer not de-identifiable",
                    p.detail,
                )
            })?;
            // What was just revealed to the clinic is found in its answer whatever the
            // detector would say: the answer goes outside.
            let out = deidentify_body(gw, side, rkind, decoded, trail).await?;
            let mut resp = Response::new(Full::new(out));
            *resp.status_mut() = rparts.status;
            set_content_type(&rparts.headers, resp.headers_mut(), rkind);
            vault_inline(gw, || {
                answer_headers(&rparts.headers, resp.headers_mut(), |v| {
                    deidentify_field(gw, side, v, trail)
                })
            })?;
            resp
        }
    };
    let mut resp = resp;
    set_request_id(resp.headers_mut(), request_id);
    if let Some(v) = findings_header {
        resp.headers_mut().insert(FINDINGS_HEADER, v);
    }
    Ok((resp, "forwarded"))
}

/// The names of upstream failures, without addresses or bodies.
fn upstream_error_kind(e: &hyper_util::client::legacy::Error) -> &'static str {
    if e.is_connect() {
        "could not connect to the upstream"
    } else {
        "the upstream connection failed"
    }
}

/// Headers for the clinic (reidentify routes): the safe ones and the pass-through ones the
/// route names as they came, the scanned ones with their tokens revealed. Credentials and
/// everything else stay behind.
fn forwarded_headers(
    incoming: &HeaderMap,
    route: &Route,
    mut transform: impl FnMut(&str) -> Result<String, Problem>,
) -> Result<HeaderMap, Problem> {
    let mut out = HeaderMap::new();
    for name in SAFE_REQUEST_HEADERS
        .iter()
        .copied()
        .chain(route.cfg.pass_headers.iter().map(String::as_str))
    {
        for v in incoming.get_all(name) {
            if let Ok(n) = HeaderName::from_bytes(name.as_bytes()) {
                if !is_hop_by_hop(&n) {
                    out.append(n, v.clone());
                }
            }
        }
    }
    for name in &route.cfg.scan_headers {
        for v in incoming.get_all(name.as_str()) {
            let text = v
                .to_str()
                .map_err(|_| bad_request("a scanned header is not visible ASCII"))?;
            append_header(&mut out, name, &transform(text)?)?;
        }
    }
    Ok(out)
}

/// Headers for the outside (deidentify routes): every header that crosses is read and
/// made safe. `Accept` is rebuilt from its media types; cookies are joined into one
/// (HTTP/2 sends crumbs) and read as `name=value` pairs; every other value is
/// de-identified like a field. Credentials and unlisted headers stay behind.
fn deidentified_headers(
    incoming: &HeaderMap,
    route: &Route,
    mut deidentify: impl FnMut(&str) -> Result<String, Problem>,
) -> Result<HeaderMap, Problem> {
    let mut out = HeaderMap::new();
    let names = SAFE_REQUEST_HEADERS
        .iter()
        .copied()
        .chain(route.cfg.pass_headers.iter().map(String::as_str))
        .chain(route.cfg.scan_headers.iter().map(String::as_str));
    let mut seen: Vec<String> = Vec::new();
    for name in names {
        let lower = name.to_ascii_lowercase();
        if seen.contains(&lower)
            || HeaderName::from_bytes(lower.as_bytes()).is_ok_and(|n| is_hop_by_hop(&n))
        {
            continue;
        }
        seen.push(lower.clone());
        let mut values = Vec::new();
        for v in incoming.get_all(lower.as_str()) {
            values.push(
                v.to_str()
                    .map_err(|_| bad_request("a forwarded header is not visible ASCII"))?,
            );
        }
        if values.is_empty() {
            continue;
        }
        if lower == "cookie" {
            let pairs = values.join(";").replace(';', "&").replace(' ', "");
            let form = deidentify(&pairs)?;
            append_header(&mut out, &lower, &form.replace('&', "; "))?;
            continue;
        }
        for v in values {
            let new = if lower == "accept" {
                rebuilt_accept(v)
            } else {
                deidentify(v)?
            };
            append_header(&mut out, &lower, &new)?;
        }
    }
    Ok(out)
}

/// The headers of the clinic's answer that go outside (reidentify routes): the safe ones,
/// de-identified, and a redirect's `Location` with its path and query de-identified.
fn answer_headers(
    from: &HeaderMap,
    to: &mut HeaderMap,
    mut deidentify: impl FnMut(&str) -> Result<String, Problem>,
) -> Result<(), Problem> {
    for name in SAFE_RESPONSE_HEADERS.iter().copied().chain(["location"]) {
        for v in from.get_all(name) {
            let text = v.to_str().map_err(|_| bad_gateway_header())?;
            let new = if name == "location" {
                deidentified_location(text, &mut deidentify)?
            } else {
                deidentify(text)?
            };
            append_header(to, name, &new)?;
        }
    }
    Ok(())
}

fn bad_gateway_header() -> Problem {
    Problem::new(
        StatusCode::BAD_GATEWAY,
        "upstream",
        "Upstream answer not de-identifiable",
        "a header of the answer is not visible ASCII",
    )
}

/// A redirect target: scheme and host kept (they name the clinic's own service), every
/// path segment and the query de-identified.
fn deidentified_location(
    loc: &str,
    deidentify: &mut impl FnMut(&str) -> Result<String, Problem>,
) -> Result<String, Problem> {
    let (origin, rest) = match loc.find("://") {
        Some(i) => {
            let after = i + 3;
            let path_at = loc[after..].find('/').map_or(loc.len(), |p| after + p);
            loc.split_at(path_at)
        }
        None => ("", loc),
    };
    let (path, query) = match rest.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (rest, None),
    };
    let mut out = origin.to_string();
    for (n, seg) in path.split('/').enumerate() {
        if n > 0 {
            out.push('/');
        }
        out.push_str(&map_segment(seg, &mut *deidentify)?);
    }
    if let Some(q) = query {
        out.push('?');
        let mut parts = Vec::new();
        for (k, v) in form_urlencoded::parse(q.as_bytes()) {
            parts.push((deidentify(&k)?, deidentify(&v)?));
        }
        let mut ser = form_urlencoded::Serializer::new(String::new());
        for (k, v) in parts {
            ser.append_pair(&k, &v);
        }
        out.push_str(&ser.finish());
    }
    Ok(out)
}

/// `Accept` as its media ranges and their weights only; other parameters are dropped.
fn rebuilt_accept(v: &str) -> String {
    let token = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$&^_.+-*".contains(&b))
    };
    let mut ranges = Vec::new();
    for range in v.split(',') {
        let mut parts = range.split(';');
        let essence = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let valid = essence
            .split_once('/')
            .is_some_and(|(t, s)| token(t) && token(s));
        if !valid {
            continue;
        }
        let q = parts.find_map(|p| {
            let (k, v) = p.split_once('=')?;
            let v = v.trim();
            (k.trim() == "q" && v.len() <= 5 && v.bytes().all(|b| b.is_ascii_digit() || b == b'.'))
                .then(|| v.to_string())
        });
        ranges.push(match q {
            Some(q) => format!("{essence};q={q}"),
            None => essence,
        });
    }
    if ranges.is_empty() {
        "*/*".to_string()
    } else {
        ranges.join(", ")
    }
}

fn append_header(out: &mut HeaderMap, name: &str, value: &str) -> Result<(), Problem> {
    let (Ok(n), Ok(v)) = (
        HeaderName::from_bytes(name.as_bytes()),
        HeaderValue::from_str(value),
    ) else {
        return Err(bad_request("a header could not be rebuilt"));
    };
    out.append(n, v);
    Ok(())
}

/// The methods of RFC 9110 and PATCH; anything else (an extension method, or a value that
/// is not a method at all) is not forwarded.
fn is_standard_method(m: &Method) -> bool {
    matches!(
        *m,
        Method::GET
            | Method::HEAD
            | Method::POST
            | Method::PUT
            | Method::PATCH
            | Method::DELETE
            | Method::OPTIONS
    )
}

fn is_hop_by_hop(name: &HeaderName) -> bool {
    HOP_BY_HOP.contains(&name.as_str())
}

fn set_request_id(h: &mut HeaderMap, id: &str) {
    if let Ok(v) = HeaderValue::from_str(id) {
        h.insert("x-request-id", v);
    }
}

/// The path after the route prefix, segment by segment, and the query as a form.
fn deidentify_path_and_query(
    gw: &Gateway,
    side: Side,
    route: &Route,
    uri: &Uri,
    trail: &Trail,
) -> Result<String, Problem> {
    let rest = &uri.path()[route.cfg.prefix.len()..];
    let mut path = String::with_capacity(rest.len());
    for (n, seg) in rest.split('/').enumerate() {
        if n > 0 {
            path.push('/');
        }
        // Matrix parameters (`chart;mrn=…`): each `;` piece is a value of its own.
        for (k, piece) in seg.split(';').enumerate() {
            if k > 0 {
                path.push(';');
            }
            path.push_str(&map_segment(piece, |s| {
                deidentify_field(gw, side, s, trail)
            })?);
        }
    }
    if let Some(q) = uri.query() {
        path.push('?');
        // `;` separates pairs as `&` does for many servers (HTML 4): read it as one.
        let q = q.replace(';', "&");
        path.push_str(&deidentify_now(
            gw,
            side,
            q.as_bytes(),
            ContentType::Form,
            trail,
        )?);
    }
    Ok(path)
}

fn reidentify_path_and_query(
    route: &Route,
    uri: &Uri,
    store: &dyn TokenStore,
    allow: &Allow,
    stats: &mut RevealStats,
) -> Result<String, Problem> {
    let rest = &uri.path()[route.cfg.prefix.len()..];
    let mut path = String::with_capacity(rest.len());
    for (n, seg) in rest.split('/').enumerate() {
        if n > 0 {
            path.push('/');
        }
        path.push_str(&map_segment(seg, |s| {
            reveal_text(s, store, allow, stats).map_err(|e| vault_failed(&e))
        })?);
    }
    if let Some(q) = uri.query() {
        path.push('?');
        path.push_str(&reveal_form(q, store, allow, stats)?);
    }
    Ok(path)
}

/// Applies `f` to a percent-decoded path segment, re-encoding only when it changed.
fn map_segment(
    seg: &str,
    f: impl FnOnce(&str) -> Result<String, Problem>,
) -> Result<String, Problem> {
    if seg.is_empty() {
        return Ok(String::new());
    }
    let decoded = percent_decode_str(seg)
        .decode_utf8()
        .map_err(|_| bad_request("a path segment is not UTF-8"))?;
    let new = f(&decoded)?;
    if new == decoded {
        return Ok(seg.to_string());
    }
    Ok(utf8_percent_encode(&new, SEGMENT).to_string())
}

/// The upstream URL: its path, then the request's path after the prefix, then the query.
fn upstream_uri(base: &Uri, rest: &str) -> Result<Uri, Problem> {
    let base_path = base.path().trim_end_matches('/');
    let joined = if rest.is_empty() || rest.starts_with('?') {
        format!("{base_path}{rest}")
    } else {
        format!("{base_path}/{}", rest.trim_start_matches('/'))
    };
    let joined = if joined.is_empty() || joined.starts_with('?') {
        format!("/{joined}")
    } else {
        joined
    };
    let mut parts = base.clone().into_parts();
    parts.path_and_query = Some(
        joined
            .parse()
            .map_err(|_| bad_request("the upstream path could not be built"))?,
    );
    Uri::from_parts(parts).map_err(|_| bad_request("the upstream URL could not be built"))
}

fn bad_request(detail: &str) -> Problem {
    bad_request_titled("Bad request", detail)
}

fn bad_request_titled(title: &'static str, detail: &str) -> Problem {
    Problem::new(StatusCode::BAD_REQUEST, "bad_request", title, detail)
}

fn internal(detail: &str) -> Problem {
    Problem::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "deidentify_failed",
        "De-identification failed",
        detail,
    )
}

fn vault_problem() -> Problem {
    Problem::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "vault",
        "Token vault unavailable",
        "the token vault could not be read or written; nothing was forwarded",
    )
}

/// A vault call failed: 503, and the cause is logged with the request id when the answer
/// is given ([`Problem::log_cause`]).
fn vault_failed(e: &dyn std::error::Error) -> Problem {
    vault_problem().caused_by(e)
}

fn reveal_problem(e: &RevealError) -> Problem {
    match e {
        RevealError::Token(t) | RevealError::Malformed(ScanError::Token(t)) => vault_failed(t),
        RevealError::Malformed(s) => scan_problem(s),
        RevealError::KeyCollision => Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "reidentify_failed",
            "Body could not be re-identified",
            e.to_string(),
        ),
    }
}

fn scan_problem(e: &ScanError) -> Problem {
    match e {
        ScanError::TooLarge { .. } => Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            "Body too large",
            e.to_string(),
        ),
        ScanError::Token(t) => vault_failed(t),
        ScanError::Json { .. }
        | ScanError::Utf8 { .. }
        | ScanError::Form(_)
        | ScanError::Hl7(_)
        | ScanError::Csv { .. } => bad_request_titled("Malformed body", &e.to_string()),
        ScanError::Unreadable(_) => unsupported(&e.to_string()),
        _ => Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "deidentify_failed",
            "Body could not be de-identified",
            e.to_string(),
        ),
    }
}

/// Which setting sets a request's body limit (named in the 413, so the operator knows
/// what to raise; the route's name is not shown to the caller).
fn limit_setting(gw: &Gateway, target: Target) -> &'static str {
    match target {
        Target::Route(i) if gw.routes[i].cfg.max_body_bytes.is_some() => {
            "the route's max_body_bytes"
        }
        _ => "[limits] max_body_bytes",
    }
}

/// [`body_problem`], with the setting behind a size limit named.
fn limit_problem(e: &BodyError, setting: &str) -> Problem {
    match e {
        BodyError::TooLarge { .. } => Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            "Body too large",
            format!("{e} ({setting})"),
        ),
        _ => body_problem(e),
    }
}

fn body_problem(e: &BodyError) -> Problem {
    match e {
        BodyError::TooLarge { .. } => Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            "Body too large",
            e.to_string(),
        ),
        BodyError::Timeout(_) => Problem::new(
            StatusCode::REQUEST_TIMEOUT,
            "timeout",
            "Body too slow",
            e.to_string(),
        ),
        BodyError::Ratio { .. } => Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            "Decompression limit",
            e.to_string(),
        ),
        BodyError::UnknownEncoding(_) => Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_type",
            "Unsupported content encoding",
            e.to_string(),
        ),
        BodyError::BadEncoding(_) | BodyError::Read(_) => Problem::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            "Body unreadable",
            e.to_string(),
        ),
    }
}

fn auth_problem(e: &AuthError) -> Problem {
    let status = match e {
        AuthError::NotAllowed(_) => StatusCode::FORBIDDEN,
        AuthError::Secret(_) => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::UNAUTHORIZED,
    };
    let title = match status {
        StatusCode::FORBIDDEN => "Not allowed on this route",
        StatusCode::INTERNAL_SERVER_ERROR => "Authentication unavailable",
        _ => "Not authenticated",
    };
    Problem::new(status, "auth", title, e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upstream_uri_joins_paths_and_queries() {
        let base: Uri = "https://up.example/in/".parse().expect("uri");
        assert_eq!(
            upstream_uri(&base, "a/b?x=1").expect("u").to_string(),
            "https://up.example/in/a/b?x=1"
        );
        assert_eq!(
            upstream_uri(&base, "").expect("u").to_string(),
            "https://up.example/in"
        );
        assert_eq!(
            upstream_uri(&base, "?q=1").expect("u").to_string(),
            "https://up.example/in?q=1"
        );
        let root: Uri = "https://up.example".parse().expect("uri");
        assert_eq!(
            upstream_uri(&root, "").expect("u").to_string(),
            "https://up.example/"
        );
    }

    #[test]
    fn segments_are_re_encoded_only_when_changed() {
        let same = map_segment("a%20b", |s| Ok(s.to_string())).expect("ok");
        assert_eq!(same, "a%20b");
        let changed = map_segment("Maria%20Lopez", |_| Ok("NAME_X Y/Z".into())).expect("ok");
        assert_eq!(changed, "NAME_X%20Y%2FZ");
    }

    #[test]
    fn content_types_decide_treatment() {
        let mut h = HeaderMap::new();
        assert_eq!(kind_of(&h, b"", &[]).expect("empty"), BodyKind::Empty);
        assert!(kind_of(&h, b"x", &[]).is_err(), "a body needs a type");
        h.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/fhir+json; charset=utf-8"),
        );
        assert_eq!(
            kind_of(&h, b"{}", &[]).expect("fhir"),
            BodyKind::Doc(ContentType::FhirJson)
        );
        h.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("multipart/form-data; boundary=x"),
        );
        assert_eq!(kind_of(&h, b"--x", &[]).expect_err("multipart").status, 415);
        assert_eq!(
            kind_of(&h, b"--x", &["multipart/form-data".into()]).expect("passed"),
            BodyKind::Pass
        );
        // Labels users send are read, not refused; the engine reads the body's real shape.
        for (label, kind) in [
            ("text/json", ContentType::Json),
            ("application/json+fhir", ContentType::FhirJson),
            ("application/vnd.clinic.event+json", ContentType::Json),
            ("application/x-ndjson", ContentType::NdJson),
            ("application/fhir+ndjson", ContentType::NdJson),
        ] {
            h.insert(CONTENT_TYPE, HeaderValue::from_static(label));
            assert_eq!(kind_of(&h, b"{}", &[]).expect(label), BodyKind::Doc(kind));
        }
        h.insert(CONTENT_TYPE, HeaderValue::from_static("application/xml"));
        assert_eq!(kind_of(&h, b"<x/>", &[]).expect_err("xml").status, 415);
        h.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("text/plain; patient=\"Ansel\""),
        );
        let mut out = HeaderMap::new();
        set_content_type(&h, &mut out, BodyKind::Doc(ContentType::Text));
        assert_eq!(out[CONTENT_TYPE], "text/plain; charset=utf-8");
    }

    #[test]
    fn accept_keeps_media_ranges_and_weights_only() {
        assert_eq!(
            rebuilt_accept("application/json; patient=\"Ansel Whitcombe\", text/*;q=0.5"),
            "application/json, text/*;q=0.5"
        );
        assert_eq!(rebuilt_accept("Ansel Whitcombe"), "*/*");
    }

    #[test]
    fn redirects_keep_their_origin() {
        let mut calls = Vec::new();
        let out = deidentified_location(
            "https://emr.example/chart/MR4410827?next=a",
            &mut |v: &str| {
                calls.push(v.to_string());
                Ok(if v == "MR4410827" {
                    "ID_X".to_string()
                } else {
                    v.to_string()
                })
            },
        )
        .expect("location");
        assert_eq!(out, "https://emr.example/chart/ID_X?next=a");
    }

    #[test]
    fn a_vault_failure_is_a_503_that_keeps_its_cause_for_the_log() {
        use crate::transform::token::TokenError;
        let e = ScanError::Token(TokenError::Unavailable(
            "vault storage error: No space left on device".into(),
        ));
        let p = scan_problem(&e);
        assert_eq!(p.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(p.kind, "vault");
        assert_eq!(
            p.cause.as_deref(),
            Some("token store unavailable: vault storage error: No space left on device")
        );
        assert!(!p.detail.contains("No space"));
    }
}
