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
use super::config::Direction;
use super::problem::{self, Problem};
use super::trail::{Recording, Trail};
use super::{Gateway, Route};
use crate::detect::Scratch;
use crate::reveal::{reveal_json, reveal_text, Allow, RevealError, RevealStats};
use crate::transform::policy::Policy;
use crate::transform::token::TokenStore;
use crate::vault::VaultStore;
use crate::walk::{ContentType, ScanError};

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
fn with_scratch<T>(engine: &crate::walk::Engine, f: impl FnOnce(&mut Scratch) -> T) -> T {
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
    if !gw.audit.admits() {
        return Ok(audit_unavailable().into_response(&request_id));
    }
    gw.metrics.in_flight(1);
    let trail = Arc::new(Trail::default());
    let target = find_target(&gw, &req);
    let metrics_idx = match target {
        Some(Target::Route(i)) => gw.routes[i].metrics_idx,
        Some(_) => gw.metrics.api_route(),
        None => gw.metrics.unmatched_route(),
    };
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
    if let Err(e) = audit_request(&gw, target, &trail, &request_id, resp.status(), outcome) {
        // Fail closed: an answer whose events cannot be recorded is not given.
        tracing::error!(request_id = %request_id, error = %e, "audit record failed");
        resp = audit_unavailable().into_response(&request_id);
        outcome = "audit";
    }
    gw.metrics
        .request_done(metrics_idx, outcome, started.elapsed());
    tracing::info!(
        request_id = %request_id,
        route = route_name(&gw, target),
        status = resp.status().as_u16(),
        outcome,
        micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
        "request"
    );
    Ok(resp)
}

/// Records the request's audit events.
fn audit_request(
    gw: &Gateway,
    target: Option<Target>,
    trail: &Trail,
    request_id: &str,
    status: StatusCode,
    outcome: &str,
) -> Result<(), crate::audit::AuditError> {
    use crate::audit::{Action, Event};
    let reidentify = match target {
        Some(Target::Route(i)) => gw.routes[i].cfg.direction == Direction::Reidentify,
        Some(Target::ApiReidentify) => true,
        _ => false,
    };
    let mut base = Event::new(Action::Tokenize, "");
    base.action = match outcome {
        "forwarded" | "answered" => None,
        "auth" => Some(Action::AuthFailure),
        _ => Some(Action::RequestFailed),
    };
    base.outcome = outcome.to_string();
    base.request_id = Some(request_id.to_string());
    base.route = Some(route_name(gw, target).to_string());
    base.status = Some(status.as_u16());
    for event in trail.events(&base, reidentify) {
        gw.audit.record(event)?;
    }
    Ok(())
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

fn new_request_id() -> String {
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
    if declared_length(&parts.headers).is_some_and(|n| n > limit) {
        return Err(body_problem(&BodyError::TooLarge { limit }));
    }
    let raw = body::read_limited(
        incoming,
        limit,
        Duration::from_millis(gw.config.timeouts.body_ms),
    )
    .await
    .map_err(|e| body_problem(&e))?;
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
    .map_err(|e| body_problem(&e))?;
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
            copy_content_type(&parts.headers, resp.headers_mut());
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
    let route = super::config::ClaimsRoute {
        profile,
        on_fail: super::config::OnFail::Flag,
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
    let ct = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        });
    let Some(ct) = ct else {
        return if body.is_empty() {
            Ok(BodyKind::Empty)
        } else {
            Err(unsupported("a body needs a Content-Type"))
        };
    };
    if pass.iter().any(|p| p.eq_ignore_ascii_case(&ct)) {
        return Ok(BodyKind::Pass);
    }
    if body.is_empty() {
        return Ok(BodyKind::Empty);
    }
    let json_like =
        ct == "application/json" || ct.starts_with("application/") && ct.ends_with("+json");
    if json_like && !looks_like_json(body) {
        return Err(bad_request_titled("Malformed body", "the body is not JSON"));
    }
    let kind = match ct.as_str() {
        "application/fhir+json" => ContentType::FhirJson,
        "application/json" => ContentType::infer(None, body),
        _ if json_like => ContentType::Json,
        "application/x-www-form-urlencoded" => ContentType::Form,
        "text/plain" => ContentType::Text,
        t if t.starts_with("multipart/") => {
            return Err(unsupported("multipart bodies are refused on this route"))
        }
        _ => {
            return Err(unsupported(
                "this content type is not de-identified, so it is refused on this route",
            ))
        }
    };
    Ok(BodyKind::Doc(kind))
}

fn looks_like_json(body: &[u8]) -> bool {
    matches!(
        body.iter().find(|b| !b.is_ascii_whitespace()),
        Some(b'{' | b'[' | b'"') | Some(b'0'..=b'9' | b't' | b'f' | b'n' | b'-')
    )
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

/// De-identifies one short text (a header value or path segment).
fn deidentify_text(gw: &Gateway, side: Side, text: &str, trail: &Trail) -> Result<String, Problem> {
    deidentify_now(gw, side, text.as_bytes(), ContentType::Text, trail)
}

/// De-identifies one document where the caller runs, counting what was found in the
/// metrics and the request's trail. Every channel (body, path, query, header) goes
/// through here.
fn deidentify_now(
    gw: &Gateway,
    side: Side,
    input: &[u8],
    ct: ContentType,
    trail: &Trail,
) -> Result<String, Problem> {
    let (policy, store) = side.recording(gw, trail, None);
    let t = gw.engine.transformer(policy, &store, &gw.master);
    let out = with_scratch(&gw.engine, |s| gw.engine.deidentify(input, ct, &t, s))
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
        let out = match ct {
            ContentType::Json | ContentType::FhirJson => {
                let mut v: serde_json::Value = serde_json::from_str(text).map_err(|e| {
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
                })?;
                reveal_json(&mut v, store, &allow, &mut stats).map_err(|e| reveal_problem(&e))?;
                v.to_string()
            }
            ContentType::Form => reveal_form(text, store, &allow, &mut stats)?,
            ContentType::Text => {
                reveal_text(text, store, &allow, &mut stats).map_err(|e| vault_failed(&e))?
            }
        };
        Ok::<_, Problem>((out, stats))
    })
    .await??;
    gw.metrics
        .reveals(stats.revealed, stats.refused, stats.unknown);
    Ok(Bytes::from(out))
}

fn reveal_form(
    text: &str,
    store: &dyn TokenStore,
    allow: &Allow,
    stats: &mut RevealStats,
) -> Result<String, Problem> {
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (k, v) in form_urlencoded::parse(text.as_bytes()) {
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
    let kind = kind_of(&parts.headers, &body, &route.cfg.pass_content_types)?;
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
                let headers = forwarded_headers(&parts.headers, route, |v| {
                    deidentify_text(gw, side, v, trail)
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
        copy_content_type(&parts.headers, h);
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
    let timeout = Duration::from_millis(gw.config.timeouts.upstream_response_ms);
    let resp = match tokio::time::timeout(timeout, route.client.request(out)).await {
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
            let rkind = kind_of(&rparts.headers, &decoded, &[]).map_err(|p| {
                Problem::new(
                    StatusCode::BAD_GATEWAY,
                    "upstream",
                    "Upstream answer not de-identifiable",
                    p.detail,
                )
            })?;
            let out = deidentify_body(gw, side, rkind, decoded, trail).await?;
            let mut resp = Response::new(Full::new(out));
            *resp.status_mut() = rparts.status;
            copy_content_type(&rparts.headers, resp.headers_mut());
            for name in SAFE_RESPONSE_HEADERS {
                if let Some(v) = rparts.headers.get(*name) {
                    resp.headers_mut().insert(*name, v.clone());
                }
            }
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

/// Headers for the upstream: the safe ones, the pass-through ones the route names, and the
/// scanned ones transformed. Credentials and everything else stay behind.
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
            let new = transform(text)?;
            let (Ok(n), Ok(v)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(&new),
            ) else {
                return Err(bad_request("a scanned header could not be rebuilt"));
            };
            out.append(n, v);
        }
    }
    Ok(out)
}

fn is_hop_by_hop(name: &HeaderName) -> bool {
    HOP_BY_HOP.contains(&name.as_str())
}

fn copy_content_type(from: &HeaderMap, to: &mut HeaderMap) {
    if let Some(v) = from.get(CONTENT_TYPE) {
        to.insert(CONTENT_TYPE, v.clone());
    }
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
        path.push_str(&map_segment(seg, |s| deidentify_text(gw, side, s, trail))?);
    }
    if let Some(q) = uri.query() {
        path.push('?');
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
        RevealError::Token(t) => vault_failed(t),
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
        ScanError::Json { .. } | ScanError::Utf8 { .. } | ScanError::Form(_) => {
            bad_request_titled("Malformed body", &e.to_string())
        }
        _ => Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "deidentify_failed",
            "Body could not be de-identified",
            e.to_string(),
        ),
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
    Problem::new(status, "auth", "Not authenticated", e.to_string())
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
        h.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        assert_eq!(
            kind_of(&h, b"<xml/>", &[]).expect_err("not json").status,
            400
        );
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
