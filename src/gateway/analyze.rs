//! `POST /v1/analyze`: where the PHI in a text or JSON body is, and of which type, in
//! Presidio's field names where they fit (`entity_type`, `start`, `end`, `score`) plus our
//! own `type` (the token prefix's type name). Nothing is tokenised into the vault and
//! nothing is forwarded; the answer carries offsets and types, never the matched text.
//!
//! Authenticated by the `[api]` callers like `/v1/deidentify`, and audited (action
//! `analyze`, with the counts per type). The analysis itself is
//! [`crate::engine::Engine::analyze`].

use std::sync::Arc;

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::{Method, Response};
use serde_json::{json, Map, Value};

use super::channels::set_request_id;
use super::handle::{Admitted, Handled};
use super::media::{kind_of, readable_body, BodyKind, MediaError};
use super::respond::Failure;
use super::trail::Trail;
use super::work::{cpu_work, with_scratch};
use super::Gateway;
use crate::engine::analyze::{Analysis, Finding};
use crate::engine::ContentType;
use crate::keys::MasterKey;
use crate::phi::PhiType;

/// Presidio's entity names for our types, where Presidio has one; ours otherwise.
const PRESIDIO: &[(PhiType, &str)] = &[
    (PhiType::Name, "PERSON"),
    (PhiType::ProviderName, "PERSON"),
    (PhiType::Address, "LOCATION"),
    (PhiType::Location, "LOCATION"),
    (PhiType::Zip, "LOCATION"),
    (PhiType::Date, "DATE_TIME"),
    (PhiType::Phone, "PHONE_NUMBER"),
    (PhiType::Fax, "PHONE_NUMBER"),
    (PhiType::Email, "EMAIL_ADDRESS"),
    (PhiType::Ssn, "US_SSN"),
    (PhiType::Url, "URL"),
    (PhiType::Ip, "IP_ADDRESS"),
];

/// Every finding is a decision phigate acts on (it transforms all of them), not a
/// probability; Presidio's field is kept so its clients read the answer unchanged.
const SCORE: f64 = 1.0;

/// Answers `POST /v1/analyze`.
pub async fn analyze(
    gw: &Arc<Gateway>,
    req: Admitted<'_>,
    trail: &Arc<Trail>,
    request_id: &str,
) -> Handled {
    if req.parts.method != Method::POST {
        return Err(Failure::Method("the API takes POST"));
    }
    let ct = match kind_of(&req.parts.headers, &req.body, &[])? {
        BodyKind::Doc(ct @ (ContentType::Text | ContentType::Json | ContentType::FhirJson)) => ct,
        _ => {
            return Err(Failure::Media(MediaError::Unsupported(
                "/v1/analyze reads text/plain, application/json and application/fhir+json",
            )))
        }
    };
    let body = readable_body(&req.parts.headers, req.body.clone(), BodyKind::Doc(ct))?;
    let key = MasterKey::generate().map_err(|_| Failure::Internal("no randomness for analysis"))?;
    let worker = Arc::clone(gw);
    let analysis = cpu_work(gw, body.len(), move || {
        with_scratch(&worker.engine, |s| {
            worker.engine.analyze(&body, ct, &key, s)
        })
    })
    .await??;
    trail.found(&analysis.counts);
    let answer = answer(&analysis);
    let mut resp = Response::new(Full::new(Bytes::from(answer.to_string())));
    resp.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    set_request_id(resp.headers_mut(), request_id);
    Ok((resp, "answered"))
}

/// The JSON answer: `results` (one object per finding) and `counts` per type.
fn answer(a: &Analysis) -> Value {
    let results: Vec<Value> = a.findings.iter().map(result).collect();
    let counts: Map<String, Value> = PhiType::ALL
        .iter()
        .zip(&a.counts)
        .filter(|(_, n)| **n > 0)
        .map(|(t, n)| (t.as_str().to_string(), json!(n)))
        .collect();
    json!({ "results": results, "counts": counts })
}

fn result(f: &Finding) -> Value {
    let mut r = json!({
        "entity_type": presidio_name(f.ty),
        "type": f.ty.as_str(),
        "start": f.start,
        "end": f.end,
        "score": SCORE,
        "start_byte": f.start_byte,
        "end_byte": f.end_byte,
    });
    if let (Some(path), Some(obj)) = (&f.path, r.as_object_mut()) {
        obj.insert("path".into(), json!(path));
        if f.in_key {
            obj.insert("in_key".into(), json!(true));
        }
    }
    if f.whole {
        if let Some(obj) = r.as_object_mut() {
            obj.insert("whole".into(), json!(true));
        }
    }
    r
}

fn presidio_name(ty: PhiType) -> &'static str {
    PRESIDIO
        .iter()
        .find(|(t, _)| *t == ty)
        .map_or(ty.as_str(), |(_, n)| n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_use_presidio_names_and_never_carry_text() {
        let a = Analysis {
            findings: vec![Finding {
                ty: PhiType::Ssn,
                start: 4,
                end: 15,
                start_byte: 4,
                end_byte: 15,
                path: Some("/ssn".into()),
                in_key: false,
                whole: false,
            }],
            counts: {
                let mut c = [0; PhiType::ALL.len()];
                c[PhiType::Ssn.index()] = 1;
                c
            },
        };
        let v = answer(&a);
        assert_eq!(v["results"][0]["entity_type"], "US_SSN");
        assert_eq!(v["results"][0]["type"], "SSN");
        assert_eq!(v["results"][0]["path"], "/ssn");
        assert_eq!(v["counts"]["SSN"], 1);
        assert_eq!(presidio_name(PhiType::Mrn), "MRN");
    }
}
