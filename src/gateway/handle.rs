//! One request from head to answer: the concurrency cap, the target it goes to (a route or
//! the direct API), reading its body under the target's limits, authenticating its caller,
//! the audit events it leaves (recorded durably before the answer is given), the metrics
//! and the access log line.
//!
//! Fails closed: every failure is a [`Failure`] that [`respond::rescue`] answers; an answer
//! whose audit events cannot be recorded is replaced by a 503. What happens on a route is
//! [`super::forward`]'s, on the API [`super::api`]'s.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use hyper::body::Incoming;
use hyper::header::HOST;
use hyper::{Request, StatusCode};
use tracing::Instrument;

use super::auth::{self, Caller, PeerIdentity};
use super::body;
use super::media::declared_length;
use super::respond::{self, Failure, Fault};
use super::telemetry;
use super::trail::Trail;
use super::{analyze, api, forward, Gateway, Resp};
use crate::audit::{Action, Event};
use crate::config::Direction;

/// Where a request goes.
#[derive(Clone, Copy)]
pub enum Target {
    Route(usize),
    ApiDeidentify,
    ApiReidentify,
    ApiClaims,
    ApiRemit,
    ApiAnalyze,
}

/// A request whose body is read and whose caller is known.
pub struct Admitted<'g> {
    pub parts: hyper::http::request::Parts,
    /// The body, content codings undone (not yet converted to UTF-8).
    pub body: Bytes,
    pub caller: &'g Caller,
    /// Where the request came from, for its audit events.
    pub origin: Origin,
}

/// Where a request came from, as its audit events record it: the client's address, and the
/// fingerprint and subject of the certificate it presented (its chain was verified).
#[derive(Debug, Clone, Default)]
pub struct Origin {
    client: Option<String>,
    client_cert: Option<String>,
    client_subject: Option<String>,
}

impl Origin {
    fn of(peer: &PeerIdentity) -> Origin {
        Origin {
            client: peer.remote.map(|a| a.to_string()),
            client_cert: peer
                .cert_end_entity
                .as_deref()
                .map(crate::audit::sha256_hex),
            client_subject: peer
                .cert_end_entity
                .as_deref()
                .and_then(crate::tls::subject),
        }
    }

    fn stamp(&self, e: &mut Event) {
        e.client.clone_from(&self.client);
        e.client_cert.clone_from(&self.client_cert);
        e.client_subject.clone_from(&self.client_subject);
    }
}

/// What a handled request came to: the answer and its metrics outcome.
pub type Handled = Result<(Resp, &'static str), Failure>;

/// The fields of the access log line, gathered before the request is consumed. Never the
/// path or query: they can hold PHI.
struct Access {
    started: Instant,
    target: Option<Target>,
    method: hyper::Method,
    bytes_in: Option<usize>,
    client: String,
}

/// Handles one request end to end; never fails (every error is a response).
pub async fn handle(
    gw: Arc<Gateway>,
    req: Request<Incoming>,
    peer: Arc<PeerIdentity>,
) -> Result<Resp, Infallible> {
    let started = Instant::now();
    let request_id = new_request_id();
    let Ok(_permit) = Arc::clone(&gw.in_flight).try_acquire_owned() else {
        let unmatched = gw.metrics.unmatched_route();
        note_shed(&gw, &peer, &request_id);
        return Ok(refuse(
            &gw,
            unmatched,
            Failure::Overloaded,
            &request_id,
            started,
        ));
    };
    let target = find_target(&gw, &req);
    let metrics_idx = metrics_index(&gw, target);
    if !gw.audit.admits() {
        // Refused before anything is read: counted, so the alert on `outcome="audit"` fires.
        return Ok(refuse(
            &gw,
            metrics_idx,
            Failure::Audit(None),
            &request_id,
            started,
        ));
    }
    let access = Access {
        started,
        target,
        method: req.method().clone(),
        bytes_in: declared_length(req.headers()),
        client: peer.remote.map_or_else(String::new, |a| a.to_string()),
    };
    let span = telemetry::request_span(
        req.headers(),
        route_name(&gw, target),
        req.method(),
        &request_id,
    );
    gw.metrics.in_flight(1);
    let trail = Arc::new(Trail::default());
    let origin = Origin::of(&peer);
    let result = match target {
        None => Err(Failure::NoRoute),
        Some(t) => {
            handle_target(&gw, t, req, &peer, &request_id, &trail)
                .instrument(span.clone())
                .await
        }
    };
    gw.metrics.in_flight(-1);
    let mut answered = Answered::of(result, &request_id);
    let status = answered.resp.status();
    let outcome = answered.outcome;
    let audited = audit_request(&gw, target, &trail, &origin, &request_id, status, outcome);
    if let Err(e) = audited.instrument(span.clone()).await {
        // Fail closed: an answer whose events cannot be recorded is not given.
        answered = Answered::of(Err(Failure::from(e)), &request_id);
    }
    answered.count(&gw, metrics_idx, started);
    telemetry::record_answer(
        &span,
        trail.caller().as_deref(),
        answered.resp.status().as_u16(),
        access.bytes_in,
        hyper::body::Body::size_hint(answered.resp.body()).exact(),
    );
    access.log(&gw, &trail, &request_id, &answered);
    Ok(answered.resp)
}

/// A request's answer and how it is counted: its outcome and, for a failure, its fault.
struct Answered {
    resp: Resp,
    outcome: &'static str,
    fault: Option<Fault>,
}

impl Answered {
    fn of(result: Handled, request_id: &str) -> Answered {
        match result {
            Ok((resp, outcome)) => Answered {
                resp,
                outcome,
                fault: None,
            },
            Err(failure) => {
                let (resp, outcome, fault) = respond::rescue(&failure, request_id);
                Answered {
                    resp,
                    outcome,
                    fault: Some(fault),
                }
            }
        }
    }

    /// Counts the request in its route's metrics: outcome, latency and fault.
    fn count(&self, gw: &Gateway, metrics_idx: usize, started: Instant) {
        gw.metrics
            .request_done(metrics_idx, self.outcome, started.elapsed());
        if let Some(f) = self.fault {
            gw.metrics.request_failed(metrics_idx, f);
        }
    }
}

/// A request shed at the concurrency cap is on record too (who, from where), without
/// waiting: nothing of it was read or forwarded, and a full queue must not slow the
/// shedding. Its route is not looked up (that is work the cap exists to avoid).
fn note_shed(gw: &Gateway, peer: &PeerIdentity, request_id: &str) {
    if !gw.audit.admits() {
        // The log (or a device) takes nothing now; its own alarm is already raised.
        return;
    }
    let mut e = Event::new(Action::RequestFailed, "overloaded");
    e.request_id = Some(request_id.to_string());
    e.status = Some(StatusCode::SERVICE_UNAVAILABLE.as_u16());
    Origin::of(peer).stamp(&mut e);
    if let Err(err) = gw.audit.record(e) {
        tracing::warn!(error = %err, request_id = %request_id, "shed request not audited");
    }
}

/// A request refused before it is read (overloaded, audit log closed): counted, answered.
fn refuse(
    gw: &Gateway,
    metrics_idx: usize,
    failure: Failure,
    request_id: &str,
    started: Instant,
) -> Resp {
    let answered = Answered::of(Err(failure), request_id);
    answered.count(gw, metrics_idx, started);
    answered.resp
}

impl Access {
    /// The access log line: who, how, where to, what came of it.
    fn log(&self, gw: &Gateway, trail: &Trail, request_id: &str, answered: &Answered) {
        let resp = &answered.resp;
        tracing::info!(
            request_id = %request_id,
            client = %self.client,
            method = super::telemetry::loggable_method(&self.method),
            route = route_name(gw, self.target),
            caller = trail.caller().as_deref().unwrap_or(""),
            status = resp.status().as_u16(),
            outcome = answered.outcome,
            fault = answered.fault.map_or("", Fault::label),
            bytes_in = self.bytes_in,
            bytes_out = hyper::body::Body::size_hint(resp.body()).exact(),
            micros = u64::try_from(self.started.elapsed().as_micros()).unwrap_or(u64::MAX),
            "request"
        );
    }
}

async fn handle_target(
    gw: &Arc<Gateway>,
    target: Target,
    req: Request<Incoming>,
    peer: &PeerIdentity,
    request_id: &str,
    trail: &Arc<Trail>,
) -> Handled {
    let admitted = admit(gw, target, req, peer)
        .await
        .inspect_err(|f| note_refused_caller(trail, f))?;
    trail.set_caller(&admitted.caller.name);
    match target {
        Target::Route(i) => forward::forward(gw, i, admitted, request_id, trail).await,
        Target::ApiClaims => api::validate_claims(gw, &admitted, trail, request_id),
        Target::ApiRemit => super::remit::remit(gw, &admitted, trail, request_id).await,
        Target::ApiAnalyze => {
            let span = telemetry::detect_span("analyze", admitted.body.len());
            analyze::analyze(gw, admitted, trail, request_id)
                .instrument(span)
                .await
        }
        Target::ApiDeidentify => {
            let span = telemetry::detect_span("deidentify", admitted.body.len());
            api::transform(gw, Direction::Deidentify, admitted, trail, request_id)
                .instrument(span)
                .await
        }
        Target::ApiReidentify => {
            let span = telemetry::detect_span("reidentify", admitted.body.len());
            api::transform(gw, Direction::Reidentify, admitted, trail, request_id)
                .instrument(span)
                .await
        }
    }
}

/// A caller who proved who they are but may not use the target (a 403) is named in the
/// refusal's audit event: the officer asks who tried, not only that someone did.
fn note_refused_caller(trail: &Trail, failure: &Failure) {
    if let Failure::Auth(auth::AuthError::NotAllowed(name)) = failure {
        trail.set_caller(name);
    }
}

/// Reads the request's body under the target's size and time limits, authenticates its
/// caller (a signature covers the body as sent) and undoes its content codings.
async fn admit<'g>(
    gw: &'g Gateway,
    target: Target,
    req: Request<Incoming>,
    peer: &PeerIdentity,
) -> Result<Admitted<'g>, Failure> {
    let (parts, incoming) = req.into_parts();
    let (limit, setting) = body_limit(gw, target);
    if let Some(declared) = declared_length(&parts.headers).filter(|n| *n > limit) {
        return Err(Failure::Declared {
            declared,
            limit,
            setting,
        });
    }
    let timeout = Duration::from_millis(gw.config.timeouts.body_ms);
    let raw = body::read_limited(incoming, limit, timeout)
        .await
        .map_err(|source| Failure::Body { source, setting })?;
    let callers = match target {
        Target::Route(i) => &gw.routes[i].cfg.callers,
        Target::ApiDeidentify => &gw.api.deidentify_callers,
        Target::ApiReidentify => &gw.api.reidentify_callers,
        Target::ApiAnalyze => &gw.api.analyze_callers,
        _ => &gw.api.callers,
    };
    let caller = auth::authenticate(&gw.callers, callers, &parts.headers, peer, &raw, &gw.replay)?;
    within_rate(gw, &caller.name)?;
    let ratio = gw.config.limits.max_decompression_ratio;
    let body = body::decode(&parts.headers, raw, limit, ratio)
        .map_err(|source| Failure::Body { source, setting })?;
    Ok(Admitted {
        parts,
        body,
        caller,
        origin: Origin::of(peer),
    })
}

/// Takes one request from the caller's rate limit, if it has one; over it, a 429.
fn within_rate(gw: &Gateway, caller: &str) -> Result<(), Failure> {
    let limit = gw
        .config
        .callers
        .iter()
        .find(|c| c.name == caller)
        .and_then(|c| c.rate_limit);
    match limit {
        Some(limit) => gw
            .rate
            .take(caller, &limit, Instant::now())
            .map_err(|wait| Failure::RateLimited(super::ratelimit::retry_after_secs(wait))),
        None => Ok(()),
    }
}

/// A target's body limit, and the setting that sets it (named in the 413, so the operator
/// knows what to raise; the route's name is not shown to the caller).
fn body_limit(gw: &Gateway, target: Target) -> (usize, &'static str) {
    let global = gw.config.limits.max_body_bytes;
    match target {
        Target::Route(i) => match gw.routes[i].cfg.max_body_bytes {
            Some(n) => (n, "the route's max_body_bytes"),
            None => (global, "[limits] max_body_bytes"),
        },
        _ => (global, "[limits] max_body_bytes"),
    }
}

/// Records the finished request's audit events, and waits until they are on disk: the
/// answer is given only then. Events recorded before the body was forwarded are not
/// repeated; what the answer added (its own tokenisation) or a failure after forwarding is.
async fn audit_request(
    gw: &Gateway,
    target: Option<Target>,
    trail: &Trail,
    origin: &Origin,
    request_id: &str,
    status: StatusCode,
    outcome: &str,
) -> Result<(), crate::audit::AuditError> {
    let mut base = base_event(gw, target, request_id, outcome);
    origin.stamp(&mut base);
    base.action = match outcome {
        // An analysis tokenises nothing: its event says what was looked at and found.
        "answered" if matches!(target, Some(Target::ApiAnalyze)) => Some(Action::Analyze),
        "forwarded" | "answered" => None,
        "auth" => Some(Action::AuthFailure),
        _ => Some(Action::RequestFailed),
    };
    base.status = Some(status.as_u16());
    let mut events = trail.events(&base, reidentifies(gw, target));
    if trail.recorded() && base.action.is_none() {
        events.retain(|e| !e.phi.is_empty() || !e.tokens.is_empty());
    }
    let span = telemetry::audit_span(events.len());
    gw.audit.record_durable(events).instrument(span).await
}

/// Records the request's events so far and waits until they are on disk, before its body
/// is forwarded: a crash after forwarding cannot lose the record of what left.
pub async fn audit_before_forwarding(
    gw: &Gateway,
    i: usize,
    trail: &Trail,
    request_id: &str,
    origin: &Origin,
) -> Result<(), Failure> {
    let target = Some(Target::Route(i));
    let mut base = base_event(gw, target, request_id, "forwarded");
    origin.stamp(&mut base);
    let events = trail.take_events(&base, reidentifies(gw, target));
    let span = telemetry::audit_span(events.len());
    let waiting = Instant::now();
    let recorded = gw.audit.record_durable(events).instrument(span).await;
    gw.metrics
        .audit_waited(gw.routes[i].metrics_idx, waiting.elapsed());
    Ok(recorded?)
}

/// The fields every audit event of a request shares (the action is filled in later).
fn base_event(gw: &Gateway, target: Option<Target>, request_id: &str, outcome: &str) -> Event {
    let mut base = Event::new(Action::Tokenize, outcome);
    base.action = None;
    base.request_id = Some(request_id.to_string());
    base.route = Some(route_name(gw, target).to_string());
    base.destination = destination(gw, target);
    base.purpose = match target {
        Some(Target::Route(i)) => gw.routes[i].cfg.purpose.clone(),
        _ => None,
    };
    base
}

/// The recipient of a route's traffic: its upstream host (the accounting of disclosures
/// names it). The gateway's own API answers the caller, so it has none.
fn destination(gw: &Gateway, t: Option<Target>) -> Option<String> {
    match t {
        Some(Target::Route(i)) => gw.routes[i].cfg.upstream.host().map(str::to_string),
        _ => None,
    }
}

/// Whether the request reveals (its events are reveals) rather than tokenises.
fn reidentifies(gw: &Gateway, target: Option<Target>) -> bool {
    match target {
        Some(Target::Route(i)) => gw.routes[i].cfg.direction == Direction::Reidentify,
        Some(Target::ApiReidentify) => true,
        _ => false,
    }
}

fn route_name(gw: &Gateway, t: Option<Target>) -> &str {
    match t {
        Some(Target::Route(i)) => &gw.routes[i].cfg.name,
        Some(Target::ApiDeidentify) => "api:deidentify",
        Some(Target::ApiReidentify) => "api:reidentify",
        Some(Target::ApiClaims) => "api:claims",
        Some(Target::ApiRemit) => "api:remit",
        Some(Target::ApiAnalyze) => "api:analyze",
        None => "-",
    }
}

fn metrics_index(gw: &Gateway, target: Option<Target>) -> usize {
    match target {
        Some(Target::Route(i)) => gw.routes[i].metrics_idx,
        Some(_) => gw.metrics.api_route(),
        None => gw.metrics.unmatched_route(),
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

/// The API path (when the API has callers), else the route with the longest matching
/// prefix, a route naming the request's host before one that does not.
fn find_target(gw: &Gateway, req: &Request<Incoming>) -> Option<Target> {
    let path = req.uri().path();
    if gw.api.enabled {
        match path {
            "/v1/deidentify" => return Some(Target::ApiDeidentify),
            "/v1/reidentify" => return Some(Target::ApiReidentify),
            "/v1/claims/validate" => return Some(Target::ApiClaims),
            "/v1/claims/remit" => return Some(Target::ApiRemit),
            "/v1/analyze" => return Some(Target::ApiAnalyze),
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
