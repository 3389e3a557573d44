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

use serde_json::Value;

use super::{diagnosis, parse_date, whole_units, Authorization, Claim, ClaimsError, Line};

const FORMAT: &str = "FHIR";

fn err(at: impl Into<String>, reason: impl Into<String>) -> ClaimsError {
    ClaimsError::parse(FORMAT, at, reason)
}

/// Parses a FHIR R4 Claim or a Bundle of them.
pub fn parse(bytes: &[u8]) -> Result<Vec<Claim>, ClaimsError> {
    let v: Value = serde_json::from_slice(bytes).map_err(|e| {
        err(
            format!("line {} column {}", e.line(), e.column()),
            "not JSON",
        )
    })?;
    let rt = v.get("resourceType").and_then(Value::as_str).unwrap_or("");
    let mut coverages: Vec<&Value> = Vec::new();
    let mut claims: Vec<&Value> = Vec::new();
    match rt {
        "Claim" => claims.push(&v),
        "Bundle" => {
            for e in v
                .get("entry")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let Some(r) = e.get("resource") else { continue };
                match r.get("resourceType").and_then(Value::as_str) {
                    Some("Claim") => claims.push(r),
                    Some("Coverage") => coverages.push(r),
                    _ => {}
                }
            }
            if claims.is_empty() {
                return Err(err("Bundle", "no Claim entry"));
            }
        }
        _ => return Err(err("resourceType", "expected Claim or Bundle")),
    }
    claims
        .into_iter()
        .enumerate()
        .map(|(i, c)| map(i + 1, c, &coverages))
        .collect()
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

fn map(index: usize, c: &Value, coverages: &[&Value]) -> Result<Claim, ClaimsError> {
    let at = |what: String| format!("Claim {index} {what}");
    let contained: Vec<&Value> = arr(c, "contained")
        .filter(|r| r.get("resourceType").and_then(Value::as_str) == Some("Coverage"))
        .collect();
    let medicare = coverages
        .iter()
        .chain(&contained)
        .any(|cv| mentions_medicare(cv));

    let mut dx: Vec<(u32, String)> = Vec::new();
    for (i, d) in arr(c, "diagnosis").enumerate() {
        let seq = d
            .get("sequence")
            .and_then(Value::as_u64)
            .and_then(|s| u32::try_from(s).ok())
            .ok_or_else(|| err(at(format!("diagnosis[{i}]")), "missing sequence"))?;
        let cc = d
            .get("diagnosisCodeableConcept")
            .ok_or_else(|| err(at(format!("diagnosis[{i}]")), "no diagnosisCodeableConcept"))?;
        let code = code(cc, &["icd-10-cm"])
            .ok_or_else(|| err(at(format!("diagnosis[{i}]")), "no code"))?;
        dx.push((seq, code.to_string()));
    }
    dx.sort_by_key(|(s, _)| *s);

    let mut lines = Vec::new();
    for (i, it) in arr(c, "item").enumerate() {
        let here = || at(format!("item[{i}]"));
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
        lines.push(Line {
            number,
            code: cpt.trim().to_ascii_uppercase(),
            modifiers: arr(it, "modifier")
                .filter_map(|m| code(m, &[]))
                .map(|m| m.trim().to_ascii_uppercase())
                .collect(),
            units,
            minutes: None,
            assistant_minutes: None,
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
        });
    }

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
        ..Claim::default()
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

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
        let c = parse(b).unwrap();
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
        assert_eq!(parse(b).unwrap()[0].lines[0].units, None);
        let e = parse(br#"{"resourceType":"Patient"}"#).unwrap_err();
        assert!(e.to_string().contains("Claim or Bundle"));
    }
}
