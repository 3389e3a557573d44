//! FHIR R4 `Claim` → [`Claim`]: a Claim resource, or a Bundle holding Claims (with Patient,
//! Coverage, Encounter, Observation entries alongside, or contained in the Claim).
//!
//! Mapped (claims.md §8.1): `item[].productOrService` (CPT/HCPCS), `item[].modifier`,
//! `item[].quantity.value` (units, must be whole), `item[].diagnosisSequence`,
//! `item[].servicedDate`/`servicedPeriod.start`, `item[].locationCodeableConcept` (place of
//! service), `diagnosis[]` (ICD-10-CM, ordered by `sequence`), `billablePeriod.start`,
//! `insurance[].preAuthRef` (an authorisation number is present). The profile is `medicare`
//! when a Coverage's payor or type names Medicare (a heuristic). FHIR has no minutes, goals or
//! plan-of-care facts: those are `None` and their edits are skipped.
//!
//! A diagnosis is `diagnosisCodeableConcept` or `diagnosisReference` to a Condition (contained,
//! `#id`, or a Bundle entry by `fullUrl` or `Condition/id`), whose `code` is read. `item[]
//! .adjudication` with category `eligible` is the line's allowed amount (for KX).
//! `Claim.type` and `use` are kept for the edits, which give claims other than professional
//! claims for payment (institutional, oral, vision, pharmacy; preauthorization,
//! predetermination) only the general edits (`patterns/claims/scope.toml`).
//!
//! Each Claim of a Bundle is read on its own: an error names the Claim and the element and
//! never quotes a value.

use serde_json::Value;

use super::Parsed;
use crate::claims::error::ClaimsError;
use crate::claims::model::{diagnosis, parse_date, whole_units, Authorization, Claim, Line};

const FORMAT: &str = "FHIR";

fn err(at: impl Into<String>, reason: impl Into<String>) -> ClaimsError {
    ClaimsError::parse(FORMAT, at, reason)
}

/// Parses a FHIR R4 Claim or a Bundle of them: `Err` when the document is not JSON, not a
/// Claim or a Bundle holding one; else one result per Claim.
pub fn parse(bytes: &[u8]) -> Result<Vec<Parsed>, ClaimsError> {
    let v: Value = serde_json::from_slice(bytes).map_err(|e| {
        err(
            format!("line {} column {}", e.line(), e.column()),
            "expected FHIR JSON; found text that is not JSON",
        )
    })?;
    parse_value(&v)
}

/// Every Claim's control number in document order (the Claims [`parse_value`] reads): its
/// first `identifier.value`, else its `id`; `None` for a document that is neither a Claim
/// nor a Bundle.
pub fn control_numbers(v: &Value) -> Option<Vec<Option<String>>> {
    let claims: Vec<&Value> = match v.get("resourceType").and_then(Value::as_str)? {
        "Claim" => vec![v],
        "Bundle" => arr(v, "entry")
            .filter_map(|e| e.get("resource"))
            .filter(|r| r.get("resourceType").and_then(Value::as_str) == Some("Claim"))
            .collect(),
        _ => return None,
    };
    Some(
        claims
            .into_iter()
            .map(|c| {
                let identifier = arr(c, "identifier")
                    .next()
                    .and_then(|i| super::json::id_text(i.get("value")));
                identifier.or_else(|| super::json::id_text(c.get("id")))
            })
            .collect(),
    )
}

/// [`parse`] of a document already parsed (the gateway's, shared with its de-identifier).
pub fn parse_value(v: &Value) -> Result<Vec<Parsed>, ClaimsError> {
    let rt = v.get("resourceType").and_then(Value::as_str).unwrap_or("");
    let mut others = Others::default();
    let mut claims: Vec<&Value> = Vec::new();
    match rt {
        "Claim" => claims.push(v),
        "Bundle" => {
            for e in arr(v, "entry") {
                let Some(r) = e.get("resource") else { continue };
                match r.get("resourceType").and_then(Value::as_str) {
                    Some("Claim") => claims.push(r),
                    Some("Coverage") => others.coverages.push(r),
                    Some("Condition") => others.conditions.push((e.get("fullUrl"), r)),
                    _ => {}
                }
            }
            if claims.is_empty() {
                return Err(err("Bundle", "expected a Claim entry; found none"));
            }
        }
        _ => {
            return Err(err(
                "resourceType",
                format!("expected Claim or Bundle; found {}", resource_kind(rt)),
            ))
        }
    }
    Ok(claims
        .into_iter()
        .enumerate()
        .map(|(i, c)| map(i + 1, c, &others))
        .collect())
}

/// Resource types a sender plausibly posts instead of a Claim: named when found. Any other
/// value is input text (it may be anything) and is described, not quoted.
const KNOWN_RESOURCES: [&str; 12] = [
    "ClaimResponse",
    "ExplanationOfBenefit",
    "Coverage",
    "CoverageEligibilityRequest",
    "Patient",
    "Encounter",
    "Condition",
    "Procedure",
    "Observation",
    "ServiceRequest",
    "DocumentReference",
    "Parameters",
];

fn resource_kind(rt: &str) -> String {
    if rt.is_empty() {
        "no resourceType".into()
    } else if let Some(known) = KNOWN_RESOURCES.iter().find(|k| **k == rt) {
        format!("a {known} resource")
    } else {
        "another resourceType".into()
    }
}

/// The Bundle entries a Claim may refer to.
#[derive(Default)]
struct Others<'a> {
    coverages: Vec<&'a Value>,
    /// (fullUrl, Condition)
    conditions: Vec<(Option<&'a Value>, &'a Value)>,
}

fn arr<'a>(v: &'a Value, key: &str) -> impl Iterator<Item = &'a Value> {
    v.get(key).and_then(Value::as_array).into_iter().flatten()
}

/// The first coding's code, preferring one whose system contains `system_hint`.
fn code<'a>(cc: &'a Value, system_hint: &[&str]) -> Option<&'a str> {
    let codings: Vec<&Value> = arr(cc, "coding").collect();
    codings
        .iter()
        .find(|c| {
            c.get("system")
                .and_then(Value::as_str)
                .is_some_and(|s| system_hint.iter().any(|h| s.contains(h)))
        })
        .or(codings.first())
        .and_then(|c| c.get("code"))
        .and_then(Value::as_str)
}

fn mentions_medicare(v: &Value) -> bool {
    let texts = [
        v.pointer("/type/text"),
        v.pointer("/type/coding/0/display"),
        v.pointer("/payor/0/display"),
    ];
    texts
        .iter()
        .flatten()
        .filter_map(|t| t.as_str())
        .any(|t| t.to_ascii_lowercase().contains("medicare"))
}

/// The Condition a `diagnosisReference` points to: contained (`#id`) or a Bundle entry
/// (`fullUrl`, or `Condition/id`).
fn condition<'a>(c: &'a Value, reference: &str, others: &Others<'a>) -> Option<&'a Value> {
    if let Some(id) = reference.strip_prefix('#') {
        return arr(c, "contained").find(|r| {
            r.get("resourceType").and_then(Value::as_str) == Some("Condition")
                && r.get("id").and_then(Value::as_str) == Some(id)
        });
    }
    others.conditions.iter().find_map(|(url, r)| {
        let by_url = url.and_then(Value::as_str) == Some(reference);
        let by_id = r.get("id").and_then(Value::as_str).is_some_and(|id| {
            reference.strip_prefix("Condition/") == Some(id)
                || reference.ends_with(&format!("/Condition/{id}"))
        });
        (by_url || by_id).then_some(*r)
    })
}

/// One diagnosis: its sequence and ICD-10-CM code, from a CodeableConcept or a Condition.
fn diagnosis_entry(
    c: &Value,
    d: &Value,
    others: &Others<'_>,
    here: &dyn Fn() -> String,
) -> Result<(u32, String), ClaimsError> {
    let seq = d
        .get("sequence")
        .and_then(Value::as_u64)
        .and_then(|s| u32::try_from(s).ok())
        .ok_or_else(|| err(here(), "missing sequence"))?;
    let cc = match (
        d.get("diagnosisCodeableConcept"),
        d.get("diagnosisReference"),
    ) {
        (Some(cc), _) => cc,
        (None, Some(r)) => {
            let reference = r
                .get("reference")
                .and_then(Value::as_str)
                .ok_or_else(|| err(here(), "diagnosisReference has no reference"))?;
            let cond = condition(c, reference, others).ok_or_else(|| {
                err(
                    here(),
                    "diagnosisReference: expected a Condition contained in the Claim or in the Bundle; found none",
                )
            })?;
            cond.get("code")
                .ok_or_else(|| err(here(), "the referenced Condition has no code"))?
        }
        (None, None) => {
            return Err(err(
                here(),
                "expected diagnosisCodeableConcept or diagnosisReference; found neither",
            ))
        }
    };
    let code = code(cc, &["icd-10-cm"]).ok_or_else(|| err(here(), "no code"))?;
    Ok((seq, code.to_string()))
}

fn map(index: usize, c: &Value, others: &Others<'_>) -> Parsed {
    let at = |what: String| format!("Claim {index} {what}");
    let contained: Vec<&Value> = arr(c, "contained")
        .filter(|r| r.get("resourceType").and_then(Value::as_str) == Some("Coverage"))
        .collect();
    let medicare = others
        .coverages
        .iter()
        .chain(&contained)
        .any(|cv| mentions_medicare(cv));

    let mut dx: Vec<(u32, String)> = Vec::new();
    for (i, d) in arr(c, "diagnosis").enumerate() {
        dx.push(diagnosis_entry(c, d, others, &|| {
            at(format!("diagnosis[{i}]"))
        })?);
    }
    dx.sort_by_key(|(s, _)| *s);

    let lines = arr(c, "item")
        .enumerate()
        .map(|(i, it)| item(it, &|| at(format!("item[{i}]"))))
        .collect::<Result<Vec<_>, _>>()?;

    let auth = arr(c, "insurance").any(|i| arr(i, "preAuthRef").next().is_some());
    Ok(Claim {
        index,
        profile: medicare.then(|| "medicare".to_string()),
        date: c
            .pointer("/billablePeriod/start")
            .and_then(Value::as_str)
            .and_then(parse_date),
        diagnoses: dx.iter().map(|(s, d)| diagnosis(*s, d)).collect(),
        lines,
        authorization: auth.then(|| Authorization {
            number_present: true,
            ..Authorization::default()
        }),
        claim_type: c
            .get("type")
            .and_then(|t| code(t, &["claim-type"]))
            .map(str::to_string),
        claim_use: c.get("use").and_then(Value::as_str).map(str::to_string),
        ..Claim::default()
    })
}

/// The `eligible` adjudication amount of an item: what the payer allows.
fn allowed(it: &Value) -> Option<f64> {
    arr(it, "adjudication")
        .find(|a| a.get("category").and_then(|c| code(c, &["adjudication"])) == Some("eligible"))
        .and_then(|a| a.pointer("/amount/value"))
        .and_then(Value::as_f64)
}

fn item(it: &Value, here: &dyn Fn() -> String) -> Result<Line, ClaimsError> {
    let number = it
        .get("sequence")
        .and_then(Value::as_u64)
        .and_then(|s| u32::try_from(s).ok())
        .ok_or_else(|| err(here(), "missing sequence"))?;
    let ps = it
        .get("productOrService")
        .ok_or_else(|| err(here(), "no productOrService"))?;
    let cpt = code(ps, &["ama-assn.org", "HCPCS"]).ok_or_else(|| err(here(), "no code"))?;
    let units = match it.pointer("/quantity/value") {
        None => None,
        Some(q) => {
            let q = q
                .as_f64()
                .ok_or_else(|| err(here(), "quantity.value is not a number"))?;
            whole_units(q)
        }
    };
    let date = match it
        .get("servicedDate")
        .or_else(|| it.pointer("/servicedPeriod/start"))
    {
        None => None,
        Some(d) => Some(
            d.as_str()
                .and_then(parse_date)
                .ok_or_else(|| err(here(), "servicedDate is not a date"))?,
        ),
    };
    Ok(Line {
        number,
        code: cpt.trim().to_ascii_uppercase(),
        modifiers: arr(it, "modifier")
            .filter_map(|m| code(m, &[]))
            .map(|m| m.trim().to_ascii_uppercase())
            .collect(),
        units,
        dx_pointers: arr(it, "diagnosisSequence")
            .filter_map(Value::as_u64)
            .filter_map(|s| u32::try_from(s).ok())
            .collect(),
        date,
        place_of_service: it
            .get("locationCodeableConcept")
            .and_then(|l| code(l, &["place-of-service", "Place_of_Service"]))
            .map(str::to_string),
        charge: it.pointer("/net/value").and_then(Value::as_f64),
        allowed: allowed(it),
        ..Line::default()
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn claims(b: &[u8]) -> Vec<Claim> {
        crate::claims::parse::read_cleanly(parse(b))
    }

    #[test]
    fn diagnosis_references_resolve_to_conditions() {
        let b = br##"{"resourceType":"Bundle","entry":[
          {"fullUrl":"urn:uuid:c1","resource":{"resourceType":"Condition","id":"c1","code":{"coding":[{"system":"http://hl7.org/fhir/sid/icd-10-cm","code":"I69.351"}]}}},
          {"resource":{"resourceType":"Condition","id":"c2","code":{"coding":[{"code":"M62.81"}]}}},
          {"resource":{"resourceType":"Claim","contained":[{"resourceType":"Condition","id":"c3","code":{"coding":[{"code":"R27.8"}]}}],
            "diagnosis":[{"sequence":1,"diagnosisReference":{"reference":"urn:uuid:c1"}},
                         {"sequence":2,"diagnosisReference":{"reference":"Condition/c2"}},
                         {"sequence":3,"diagnosisReference":{"reference":"#c3"}}],
            "item":[{"sequence":1,"productOrService":{"coding":[{"code":"97530"}]},"quantity":{"value":1}}]}}]}"##;
        let c = claims(b);
        let codes: Vec<&str> = c[0].diagnoses.iter().map(|d| d.code.as_str()).collect();
        assert_eq!(codes, ["I69351", "M6281", "R278"]);
        let dangling = br#"{"resourceType":"Claim","diagnosis":[{"sequence":1,"diagnosisReference":{"reference":"Condition/Jane-Doe"}}]}"#;
        let e = parse(dangling).unwrap().remove(0).unwrap_err().to_string();
        assert!(e.contains("Condition") && !e.contains("Jane"), "{e}");
    }

    #[test]
    fn type_and_use_are_read() {
        let b = br#"{"resourceType":"Claim","type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/claim-type","code":"oral"}]},"use":"preauthorization"}"#;
        let c = &claims(b)[0];
        assert_eq!(c.claim_type.as_deref(), Some("oral"));
        assert_eq!(c.claim_use.as_deref(), Some("preauthorization"));
    }

    #[test]
    fn claim_in_a_bundle() {
        let b = br#"{"resourceType":"Bundle","type":"collection","entry":[
          {"resource":{"resourceType":"Coverage","status":"active","payor":[{"display":"Medicare Part B"}]}},
          {"resource":{"resourceType":"Claim","status":"active",
            "diagnosis":[{"sequence":2,"diagnosisCodeableConcept":{"coding":[{"system":"http://hl7.org/fhir/sid/icd-10-cm","code":"M62.81"}]}},
                         {"sequence":1,"diagnosisCodeableConcept":{"coding":[{"system":"http://hl7.org/fhir/sid/icd-10-cm","code":"I69.351"}]}}],
            "item":[{"sequence":1,"productOrService":{"coding":[{"system":"http://www.ama-assn.org/go/cpt","code":"97530"}]},
                     "modifier":[{"coding":[{"code":"GO"}]}],"quantity":{"value":2},"diagnosisSequence":[1,2],
                     "servicedDate":"2025-01-14","locationCodeableConcept":{"coding":[{"code":"11"}]}}]}}]}"#;
        let c = claims(b);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].profile.as_deref(), Some("medicare"));
        assert_eq!(c[0].diagnoses[0].code, "I69351");
        let l = &c[0].lines[0];
        assert_eq!(
            (l.units, l.minutes, l.dx_pointers.len()),
            (Some(2), None, 2)
        );
        assert_eq!(l.place_of_service.as_deref(), Some("11"));
    }

    #[test]
    fn fractional_quantity_is_not_units() {
        let b = br#"{"resourceType":"Claim","item":[{"sequence":1,"productOrService":{"coding":[{"code":"97530"}]},"quantity":{"value":1.5}}]}"#;
        assert_eq!(claims(b)[0].lines[0].units, None);
        let e = parse(br#"{"resourceType":"Patient"}"#).unwrap_err();
        assert!(
            e.to_string().contains("Claim or Bundle; found a Patient"),
            "{e}"
        );
        let e = parse(br#"{"resourceType":"Jane Doe"}"#).unwrap_err();
        assert!(!e.to_string().contains("Jane"), "{e}");
    }
}
