//! The direct API: `POST /v1/deidentify` and `POST /v1/reidentify` answer the body itself
//! de-identified or revealed (nothing is forwarded), and `POST /v1/claims/validate`
//! answers every claim's findings. Callers, policy, domain and reveal rules are the
//! `[api]` section's.

use std::sync::Arc;

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::{Method, Response};

use super::channels::set_request_id;
use super::claims;
use super::handle::{Admitted, Handled};
use super::media::{content_type_str, kind_of, readable_body, set_content_type, BodyKind};
use super::respond::Failure;
use super::trail::Trail;
use super::work::{deidentify_body, reidentify_body, Side};
use super::Gateway;
use crate::config::{ClaimsRoute, Direction, OnFail};
use crate::engine::reveal::Allow;

/// `POST /v1/deidentify` and `POST /v1/reidentify`: the body, de-identified under the API's
/// policy, or with the tokens the caller may see revealed.
pub async fn transform(
    gw: &Arc<Gateway>,
    direction: Direction,
    req: Admitted<'_>,
    trail: &Arc<Trail>,
    request_id: &str,
) -> Handled {
    let (kind, body) = api_body(&req)?;
    let out = match direction {
        Direction::Deidentify => deidentify_body(gw, Side::Api, kind, body, trail).await?,
        Direction::Reidentify => {
            let allow = caller_allow(&gw.api.reveal, &req.caller.name);
            reidentify_body(gw, Side::Api, kind, body, allow, trail).await?
        }
    };
    Ok((answered(&req, kind, out, request_id), "answered"))
}

/// The reveal rules of a caller; a caller without any may see nothing revealed.
pub fn caller_allow(rules: &std::collections::HashMap<String, Allow>, caller: &str) -> Allow {
    rules
        .get(caller)
        .cloned()
        .unwrap_or(Allow::only(Vec::new()))
}

/// A POSTed body's kind and its UTF-8 text.
fn api_body(req: &Admitted<'_>) -> Result<(BodyKind, Bytes), Failure> {
    require_post(&req.parts.method)?;
    let kind = kind_of(&req.parts.headers, &req.body, &[])?;
    let body = readable_body(&req.parts.headers, req.body.clone(), kind)?;
    Ok((kind, body))
}

fn require_post(method: &Method) -> Result<(), Failure> {
    match *method {
        Method::POST => Ok(()),
        _ => Err(Failure::Method("the API takes POST")),
    }
}

fn answered(req: &Admitted<'_>, kind: BodyKind, body: Bytes, request_id: &str) -> super::Resp {
    let mut resp = Response::new(Full::new(body));
    set_content_type(&req.parts.headers, resp.headers_mut(), kind);
    set_request_id(resp.headers_mut(), request_id);
    resp
}

/// `POST /v1/claims/validate[?profile=P]`: every claim's findings, nothing forwarded.
pub fn validate_claims(
    gw: &Gateway,
    req: &Admitted<'_>,
    trail: &Trail,
    request_id: &str,
) -> Handled {
    require_post(&req.parts.method)?;
    let checker = gw
        .claims
        .as_ref()
        .ok_or(Failure::Internal("claim tables are not loaded"))?;
    let profile = req.parts.uri.query().and_then(|q| {
        form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "profile")
            .map(|(_, v)| v.into_owned())
    });
    let route = ClaimsRoute {
        profile,
        on_fail: OnFail::Flag,
    };
    let ct = content_type_str(&req.parts.headers);
    let decision = claims::decide(checker, &route, ct, &req.body, None, &gw.claim_metrics)?;
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
