//! A request on a route: the claim check, every channel made safe for where it goes
//! (de-identified for the outside, revealed for the clinic), the evidence snapshot, the
//! signature, the upstream call under its timeout, and the answer treated the same way on
//! its way back (an answer that goes outside is de-identified first).
//!
//! Fails closed: any failure before the upstream is called forwards nothing; any failure
//! treating an answer that leaves the clinic answers a problem instead of the answer.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::{HeaderMap, HeaderValue, CONTENT_LENGTH};
use hyper::http::request::Parts;
use hyper::{Method, Request, Response};
use tracing::Instrument;

use super::api::caller_allow;
use super::body;
use super::channels::{
    answer_headers, decoded_path, deidentified_headers, encoded_path, map_path, path_after_prefix,
    returned_headers, revealed_headers, set_request_id, upstream_uri,
};
use super::claims::{self, ClaimError, Decision};
use super::handle::{audit_before_forwarding, Admitted, Handled};
use super::media::{content_type_str, kind_of, readable_body, set_content_type, BodyKind};
use super::respond::{Failure, UpstreamError};
use super::shield;
use super::telemetry;
use super::trail::Trail;
use super::work::{
    deidentify_body, deidentify_document, deidentify_field, deidentify_keeping_document,
    parse_document, reidentify_body, vault_inline, Deidentified, Revealer, Side,
};
use super::{Gateway, Resp, Route};
use crate::config::{Direction, PlainPhi};
use crate::engine::protocol::is_protocol_value;
use crate::engine::reveal::Allow;
use crate::engine::{reads_as_path, ContentType};

/// Findings of a flagged claim (codes and line numbers only), on the forwarded request and
/// on the answer.
const FINDINGS_HEADER: &str = "phigate-claim-findings";

/// What crosses to the upstream, each channel already made safe.
struct Outbound {
    body: Bytes,
    /// The body's JSON document, when it was de-identified as one (for the evidence).
    doc: Option<serde_json::Value>,
    /// The path after the route prefix, and the query.
    path_and_query: String,
    headers: HeaderMap,
}

/// Forwards a request on route `i` and treats the answer.
pub async fn forward(
    gw: &Arc<Gateway>,
    i: usize,
    req: Admitted<'_>,
    request_id: &str,
    trail: &Arc<Trail>,
) -> Handled {
    let route = &gw.routes[i];
    let parts = &req.parts;
    require_standard_method(&parts.method)?;
    // Before anything is de-identified: a request that cannot be forwarded mints nothing.
    let pass = gw
        .circuits
        .admit(
            &route.cfg.name,
            &route.upstream.to_string(),
            &gw.config.circuit,
            Instant::now(),
        )
        .map_err(|wait| Failure::CircuitOpen(super::ratelimit::retry_after_secs(wait)))?;
    let kind = kind_of(&parts.headers, &req.body, &route.cfg.pass_content_types)?;
    let body = readable_body(&parts.headers, req.body.clone(), kind)?;
    // A claims route's JSON body is parsed once: checked, then de-identified in place.
    let doc = claim_document(gw, route, kind, &body);
    let decision = check_claim(gw, route, parts, &body, doc.as_ref(), trail)?;
    let mut outbound = match route.cfg.direction {
        Direction::Deidentify => {
            let keep = match decision.is_some() {
                true => Keep::Document(doc),
                false => Keep::Nothing,
            };
            let span = telemetry::detect_span("deidentify", body.len());
            deidentified(gw, i, parts, kind, body, keep, trail)
                .instrument(span)
                .await?
        }
        Direction::Reidentify => {
            shield_request(route, parts, &body, trail)?;
            let allow = caller_allow(&route.reveal, &req.caller.name);
            let span = telemetry::detect_span("reidentify", body.len());
            revealed(gw, i, parts, kind, body, allow, trail)
                .instrument(span)
                .await?
        }
    };
    let findings = decision.as_ref().and_then(findings_header);
    let forwarded = outbound.body.clone();
    let doc = outbound.doc.take();
    let mut out = upstream_request(route, parts, kind, outbound)?;
    set_request_id(out.headers_mut(), request_id);
    let upstream_span = telemetry::upstream_span(&route.cfg.name, forwarded.len());
    super::trace::propagate(
        &parts.headers,
        out.headers_mut(),
        telemetry::hop(&upstream_span),
    );
    if let Some(v) = &findings {
        out.headers_mut().insert(FINDINGS_HEADER, v.clone());
    }
    if let Some(d) = &decision {
        write_evidence(gw, route, request_id, &forwarded, doc.as_ref(), d)?;
    }
    sign(route, out.headers_mut(), request_id, &forwarded);
    audit_before_forwarding(gw, i, trail, request_id, &req.origin).await?;
    let called = call_upstream(gw, route, out)
        .instrument(upstream_span.clone())
        .await;
    if let Ok((p, b)) = &called {
        upstream_span.record("http.response.status_code", p.status.as_u16());
        upstream_span.record("http.response.body.size", b.len());
    }
    pass.record(matches!(&called, Ok((p, _)) if !p.status.is_server_error()));
    let (rparts, rbody) = called?;
    let mut resp = match route.cfg.direction {
        Direction::Deidentify => answer_inside(rparts, rbody),
        Direction::Reidentify => answer_outside(gw, i, rparts, rbody, trail).await?,
    };
    set_request_id(resp.headers_mut(), request_id);
    if let Some(v) = findings {
        resp.headers_mut().insert(FINDINGS_HEADER, v);
    }
    Ok((resp, "forwarded"))
}

/// The methods of RFC 9110 and PATCH; anything else (an extension method, or a value that
/// is not a method at all) is not forwarded.
fn require_standard_method(m: &Method) -> Result<(), Failure> {
    match *m {
        Method::GET
        | Method::HEAD
        | Method::POST
        | Method::PUT
        | Method::PATCH
        | Method::DELETE
        | Method::OPTIONS => Ok(()),
        _ => Err(Failure::Method(
            "only the standard HTTP methods are forwarded",
        )),
    }
}

/// The body of a claims route as one parsed JSON document, when it is one: the claim
/// check reads it and the de-identifier then rewrites it in place, so it is parsed once.
/// `None` on other routes and for other bodies (X12, a form), which keep their own ways.
fn claim_document(
    gw: &Gateway,
    route: &Route,
    kind: BodyKind,
    body: &[u8],
) -> Option<serde_json::Value> {
    let claims_route = route.cfg.claims.is_some() && gw.claims.is_some();
    let json = matches!(
        kind,
        BodyKind::Doc(ContentType::Json | ContentType::FhirJson)
    );
    (claims_route && json)
        .then(|| parse_document(&gw.engine, body))
        .flatten()
}

/// On a claims route, the claim is checked as the clinic wrote it, before anything is
/// de-identified; a rejected claim goes no further.
fn check_claim(
    gw: &Gateway,
    route: &Route,
    parts: &Parts,
    body: &[u8],
    doc: Option<&serde_json::Value>,
    trail: &Trail,
) -> Result<Option<Decision>, Failure> {
    let (Some(cr), Some(checker)) = (&route.cfg.claims, &gw.claims) else {
        return Ok(None);
    };
    let ct = content_type_str(&parts.headers);
    let d = claims::decide(checker, cr, ct, body, doc, &gw.claim_metrics)?;
    trail.set_claim(d.outcome(), claims::codes(d.reports()));
    match d {
        Decision::Reject(reports) => Err(ClaimError::Rejected(reports).into()),
        d => Ok(Some(d)),
    }
}

/// The `phigate-claim-findings` header of a flagged claim.
fn findings_header(d: &Decision) -> Option<HeaderValue> {
    match d {
        Decision::Flag(reports) => HeaderValue::from_str(&claims::findings_header(reports)).ok(),
        _ => None,
    }
}

/// Whether the body's JSON document is kept after de-identification (for a claim's
/// evidence), with the document when it was parsed already.
enum Keep {
    Nothing,
    Document(Option<serde_json::Value>),
}

/// Every channel de-identified for the outside: the body (its JSON document kept as
/// `keep` says, for a claim's evidence), the path (segment by segment, matrix parameters
/// apart), the query (as a form) and the forwarded headers.
async fn deidentified(
    gw: &Arc<Gateway>,
    i: usize,
    parts: &Parts,
    kind: BodyKind,
    body: Bytes,
    keep: Keep,
    trail: &Arc<Trail>,
) -> Result<Outbound, Failure> {
    let side = Side::Route(i);
    let route = &gw.routes[i];
    let body = match keep {
        Keep::Document(doc) => {
            deidentify_keeping_document(gw, side, kind, body, doc, trail).await?
        }
        Keep::Nothing => Deidentified {
            body: deidentify_body(gw, side, kind, body, trail).await?,
            doc: None,
        },
    };
    let _vault = telemetry::vault_span().entered();
    vault_inline(gw, || {
        let mut field = |v: &str| deidentify_field(gw, side, v, trail);
        let pq = map_path(path_after_prefix(route, &parts.uri), true, &mut field)?;
        let mut pq = path_read_whole(pq, &mut field)?;
        if let Some(q) = parts.uri.query() {
            // `;` separates pairs as `&` does for many servers (HTML 4): read it as one.
            let q = q.replace(';', "&");
            pq.push('?');
            pq.push_str(&deidentify_document(
                gw,
                side,
                q.as_bytes(),
                ContentType::Form,
                trail,
            )?);
        }
        let headers = deidentified_headers(&parts.headers, route, field)?;
        Ok(Outbound {
            body: body.body,
            doc: body.doc,
            path_and_query: pq,
            headers,
        })
    })
}

/// The de-identified path read once more as a whole, its segments as words: a value cut
/// across segments (`/patients/4471/Quarry/Hollow/Rd`), each harmless alone, is replaced
/// whole, and the path is written back from what is left.
fn path_read_whole(
    path: String,
    field: &mut impl FnMut(&str) -> Result<String, Failure>,
) -> Result<String, Failure> {
    let decoded = decoded_path(&path)?;
    if !reads_as_path(&decoded) {
        return Ok(path);
    }
    let out = if decoded.split('/').any(is_protocol_value) {
        runs_read_whole(&decoded, field)?
    } else {
        field(&decoded)?
    };
    Ok(if out == decoded {
        path
    } else {
        encoded_path(&out)
    })
}

/// Notes what the caller of a reidentify request sent in plain, before anything is
/// revealed: the answer gives none of it the vault's token ([`shield`]).
fn shield_request(route: &Route, parts: &Parts, body: &[u8], trail: &Trail) -> Result<(), Failure> {
    let views = shield::request_views(
        path_after_prefix(route, &parts.uri),
        parts.uri.query(),
        &parts.headers,
        body,
    );
    let shield = shield::Shield::of_request(views.iter().map(String::as_str))
        .ok_or(Failure::Internal("no randomness for the request's key"))?;
    trail.set_shield(shield);
    Ok(())
}

/// A path with a model id in it (`/model/anthropic.claude-3-5-sonnet-20240620-v1:0/invoke`):
/// the id's segment stays as written, and the runs of segments between such ids are each
/// read whole, as a path without one is (the id's date would otherwise be read as a date).
fn runs_read_whole(
    decoded: &str,
    field: &mut impl FnMut(&str) -> Result<String, Failure>,
) -> Result<String, Failure> {
    let mut out: Vec<String> = Vec::new();
    let mut run: Vec<&str> = Vec::new();
    let mut flush = |run: &mut Vec<&str>, out: &mut Vec<String>| -> Result<(), Failure> {
        if !run.is_empty() {
            let joined = run.join("/");
            out.push(if reads_as_path(&joined) {
                field(&joined)?
            } else {
                joined
            });
            run.clear();
        }
        Ok(())
    };
    for seg in decoded.split('/') {
        if is_protocol_value(seg) {
            flush(&mut run, &mut out)?;
            out.push(seg.to_string());
        } else {
            run.push(seg);
        }
    }
    flush(&mut run, &mut out)?;
    Ok(out.join("/"))
}

/// Every channel revealed for the clinic, as far as the caller may see: the body, the path,
/// the query and the route's scanned headers.
async fn revealed(
    gw: &Arc<Gateway>,
    i: usize,
    parts: &Parts,
    kind: BodyKind,
    body: Bytes,
    allow: Allow,
    trail: &Arc<Trail>,
) -> Result<Outbound, Failure> {
    let side = Side::Route(i);
    let route = &gw.routes[i];
    let body = reidentify_body(gw, side, kind, body, allow.clone(), trail).await?;
    let _vault = telemetry::vault_span().entered();
    vault_inline(gw, || {
        let mut r = Revealer::new(gw, side, trail, &allow);
        let mut pq = map_path(
            path_after_prefix(route, &parts.uri),
            false,
            &mut |v: &str| r.field(v),
        )?;
        if let Some(q) = parts.uri.query() {
            pq.push('?');
            pq.push_str(&r.query(q)?);
        }
        let headers = revealed_headers(&parts.headers, route, |v| r.field(v))?;
        Ok(Outbound {
            body,
            doc: None,
            path_and_query: pq,
            headers,
        })
    })
}

/// The request to the upstream: the route's URL with the safe path and query, the safe
/// headers, and the body with its rebuilt `Content-Type`.
fn upstream_request(
    route: &Route,
    parts: &Parts,
    kind: BodyKind,
    outbound: Outbound,
) -> Result<Request<Full<Bytes>>, Failure> {
    let uri = upstream_uri(&route.upstream, &outbound.path_and_query)?;
    let has_body = kind != BodyKind::Empty || !outbound.body.is_empty();
    let len = outbound.body.len();
    let mut out = Request::new(Full::new(outbound.body));
    *out.method_mut() = parts.method.clone();
    *out.uri_mut() = uri;
    *out.headers_mut() = outbound.headers;
    if has_body {
        set_content_type(&parts.headers, out.headers_mut(), kind);
        out.headers_mut()
            .insert(CONTENT_LENGTH, HeaderValue::from(len));
    }
    Ok(out)
}

/// The evidence snapshot is on disk before the claim leaves (fail closed).
fn write_evidence(
    gw: &Gateway,
    route: &Route,
    request_id: &str,
    forwarded: &[u8],
    doc: Option<&serde_json::Value>,
    decision: &Decision,
) -> Result<(), Failure> {
    let checker = gw
        .claims
        .as_ref()
        .ok_or(Failure::Internal("claim tables are not loaded"))?;
    claims::write_snapshot(
        &gw.evidence_dir,
        request_id,
        &route.cfg.name,
        claims::Forwarded {
            bytes: forwarded,
            doc,
        },
        decision,
        checker,
    )
    .map_err(Failure::Evidence)?;
    Ok(())
}

/// Signs the forwarded body for the upstream, where the route has a signing secret.
fn sign(route: &Route, h: &mut HeaderMap, request_id: &str, body: &[u8]) {
    let Some(signer) = &route.signer else {
        return;
    };
    for (name, value) in signer.sign(&format!("msg_{request_id}"), body, SystemTime::now()) {
        if let Ok(v) = HeaderValue::from_str(&value) {
            h.insert(name, v);
        }
    }
}

/// Calls the upstream and reads its answer whole, each under the route's timeout and body
/// limit.
async fn call_upstream(
    gw: &Gateway,
    route: &Route,
    out: Request<Full<Bytes>>,
) -> Result<(hyper::http::response::Parts, Bytes), Failure> {
    let timeout = Duration::from_millis(gw.config.timeouts.upstream_response_ms);
    let sent = Instant::now();
    let answered = tokio::time::timeout(timeout, route.client.request(out)).await;
    gw.metrics.upstream_done(route.metrics_idx, sent.elapsed());
    let resp: Response<Incoming> = answered
        .map_err(|_| UpstreamError::Timeout)?
        .map_err(UpstreamError::from)?;
    let (rparts, rbody) = resp.into_parts();
    let rbody = body::read_limited(rbody, route_limit(gw, route), timeout)
        .await
        .map_err(UpstreamError::Body)?;
    Ok((rparts, rbody))
}

fn route_limit(gw: &Gateway, route: &Route) -> usize {
    route
        .cfg
        .max_body_bytes
        .unwrap_or(gw.config.limits.max_body_bytes)
}

/// The outside's answer goes back inside: returned as it came.
fn answer_inside(rparts: hyper::http::response::Parts, rbody: Bytes) -> Resp {
    let mut resp = Response::new(Full::new(rbody));
    *resp.status_mut() = rparts.status;
    returned_headers(&rparts.headers, resp.headers_mut());
    resp
}

/// The clinic's answer goes outside: decoded, read and de-identified first, like any
/// outbound body. What was just revealed to the clinic is found in its answer whatever the
/// detector would say (the trail's echo list).
async fn answer_outside(
    gw: &Arc<Gateway>,
    i: usize,
    rparts: hyper::http::response::Parts,
    rbody: Bytes,
    trail: &Arc<Trail>,
) -> Result<Resp, Failure> {
    let limit = route_limit(gw, &gw.routes[i]);
    let ratio = gw.config.limits.max_decompression_ratio;
    let decoded =
        body::decode(&rparts.headers, rbody, limit, ratio).map_err(UpstreamError::Body)?;
    let unreadable = |e: super::media::MediaError| UpstreamError::Unreadable(e.to_string());
    let rkind = kind_of(&rparts.headers, &decoded, &[]).map_err(unreadable)?;
    let decoded = readable_body(&rparts.headers, decoded, rkind).map_err(unreadable)?;
    let mut resp = deidentified_answer(gw, i, &rparts, rkind, decoded.clone(), trail).await?;
    if let Some(shield) = trail.shield() {
        // The request both revealed values and had plain values of its own, of a revealed
        // type, echoed: the caller could test a guess against a token it holds (the echo
        // of the token's value and of the guess coming back alike or not). Such an answer
        // carries no token of those types that can be compared with anything: each value
        // is tokenised per occurrence.
        let revealed = trail.revealed_types();
        if shield.shielded_types() & revealed != 0 {
            shield.scatter(revealed);
            resp = deidentified_answer(gw, i, &rparts, rkind, decoded, trail).await?;
        }
    }
    plain_echoes(gw, i, trail)?;
    Ok(resp)
}

/// The clinic's answer, body and headers, de-identified for the outside.
async fn deidentified_answer(
    gw: &Arc<Gateway>,
    i: usize,
    rparts: &hyper::http::response::Parts,
    rkind: BodyKind,
    decoded: Bytes,
    trail: &Arc<Trail>,
) -> Result<Resp, Failure> {
    let side = Side::Route(i);
    let out = deidentify_body(gw, side, rkind, decoded, trail).await?;
    let mut resp = Response::new(Full::new(out));
    *resp.status_mut() = rparts.status;
    set_content_type(&rparts.headers, resp.headers_mut(), rkind);
    // A redirect may name the clinic's own host only.
    let own_host = gw.routes[i].upstream.host();
    vault_inline(gw, || {
        answer_headers(&rparts.headers, resp.headers_mut(), own_host, |v| {
            deidentify_field(gw, side, v, trail)
        })
    })?;
    Ok(resp)
}

/// Counts the answer's values the caller had sent in plain (each tokenised under the
/// request's own key), and withholds the answer when the route says so.
fn plain_echoes(gw: &Gateway, i: usize, trail: &Trail) -> Result<(), Failure> {
    let n = trail.shield().map_or(0, |s| s.shielded());
    if n == 0 {
        return Ok(());
    }
    gw.metrics.plain_echoes(n);
    trail.set_shielded(n);
    match gw.routes[i].cfg.plain_phi {
        PlainPhi::Shield => Ok(()),
        PlainPhi::Refuse => Err(UpstreamError::Unreadable(
            "the answer echoes values the caller sent in plain (plain_phi = \"refuse\")".into(),
        )
        .into()),
    }
}
