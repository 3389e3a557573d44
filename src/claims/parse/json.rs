//! The JSON claim: phigate's documented claim format for EMRs without FHIR.
//!
//! Owns its serde model and the mapping into [`Claim`]. The JSON Schema is
//! `schemas/claim.schema.json`; examples are under `examples/claims/`. A document is one claim
//! object, an array of them, or `{"claims": [...]}`. Unknown keys are refused (a misspelt key
//! must not silently switch an edit off). Errors name the claim, the line and the field (or the
//! line and column of a syntax error) and never quote values or unknown keys: both are the
//! sender's text. Each claim, and each of its lines, is read on its own, so one bad claim
//! does not hide the others.

use serde::Deserialize;

use super::Parsed;
use crate::claims::error::ClaimsError;
use crate::claims::model::{
    diagnosis, parse_date, whole_units, Authorization, Claim, Goal, Line, PlanOfCare,
    ProgressReport, Role,
};

const FORMAT: &str = "JSON claim";

#[derive(Deserialize)]
#[serde(untagged)]
enum Doc {
    Many { claims: Vec<serde_json::Value> },
    List(Vec<serde_json::Value>),
    One(serde_json::Value),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JClaim {
    #[serde(default)]
    schema: Option<String>,
    #[serde(default)]
    profile: Option<String>,
    #[serde(default)]
    payer: Option<String>,
    /// The patient control number (837 CLM01), which the payer's 835 repeats in CLP01. Not
    /// an edit's fact: read only to pair a forwarded claim with its remittance
    /// ([`control_numbers`]), and tokenised like any identifier on its way out.
    #[serde(default)]
    #[allow(dead_code)]
    claim_id: Option<String>,
    date_of_service: String,
    #[serde(default)]
    place_of_service: Option<String>,
    #[serde(default)]
    rendering_role: Option<Role>,
    diagnoses: Vec<String>,
    /// Read one by one (see [`line`]) so an error names its line.
    lines: Vec<serde_json::Value>,
    #[serde(default)]
    total_timed_minutes: Option<u32>,
    #[serde(default)]
    total_minutes: Option<u32>,
    #[serde(default)]
    group_size: Option<u32>,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    goals: Option<Vec<JGoal>>,
    #[serde(default)]
    plan_of_care: Option<JPoc>,
    #[serde(default)]
    progress_report: Option<JProgress>,
    #[serde(default)]
    authorization: Option<JAuth>,
    #[serde(default)]
    therapy_charges_ytd: Option<f64>,
    #[serde(default)]
    therapy_allowed_ytd: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JLine {
    cpt: String,
    #[serde(default)]
    modifiers: Vec<String>,
    units: f64,
    #[serde(default)]
    minutes: Option<u32>,
    #[serde(default)]
    assistant_minutes: Option<u32>,
    #[serde(default)]
    diagnosis_pointers: Vec<u32>,
    #[serde(default)]
    date_of_service: Option<String>,
    #[serde(default)]
    place_of_service: Option<String>,
    #[serde(default)]
    charge: Option<f64>,
    #[serde(default)]
    allowed: Option<f64>,
    #[serde(default)]
    goals: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JGoal {
    #[serde(default)]
    id: Option<String>,
    functional: bool,
    updated: bool,
    #[serde(default)]
    status: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JPoc {
    first_treatment_date: String,
    #[serde(default)]
    certified_date: Option<String>,
    #[serde(default)]
    referral_on_file: bool,
    #[serde(default)]
    sent_to_practitioner_date: Option<String>,
    #[serde(default)]
    recertified_date: Option<String>,
    #[serde(default)]
    certified_through: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JProgress {
    treatment_days_since_last: u32,
    this_visit: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JAuth {
    #[serde(default)]
    number: Option<String>,
    #[serde(default)]
    start: Option<String>,
    #[serde(default)]
    end: Option<String>,
    #[serde(default)]
    visits_authorized: Option<u32>,
    #[serde(default)]
    visits_used: Option<u32>,
}

/// A serde_json message without the values or keys it may quote: serde names the offending
/// value (`invalid type: string "…"`), the unknown variant or the unknown key in back-quotes;
/// what it expected is ours (field names, variant names, types) and is kept.
fn clean(e: &serde_json::Error) -> String {
    let msg = e.to_string();
    let msg = msg
        .rsplit_once(" at line ")
        .map_or(msg.as_str(), |(m, _)| m)
        .to_string();
    // Syntax and end-of-input messages describe the text's shape, never its content.
    if matches!(
        e.classify(),
        serde_json::error::Category::Syntax | serde_json::error::Category::Eof
    ) {
        return msg;
    }
    let expected = msg.split_once(", expected ").map(|(_, x)| x);
    let kind = |what: &str| match expected {
        Some(x) => format!("{what}, expected {x}"),
        None => what.to_string(),
    };
    if msg.starts_with("invalid type") {
        kind("invalid type")
    } else if msg.starts_with("invalid value") {
        kind("invalid value")
    } else if msg.starts_with("invalid length") {
        kind("invalid length")
    } else if msg.starts_with("unknown variant") {
        kind("unknown value (not repeated)")
    } else if msg.starts_with("unknown field") {
        kind("unknown key (not repeated)")
    } else if msg.starts_with("missing field") || msg.starts_with("duplicate field") {
        // Only our own field names reach these.
        msg
    } else if msg.starts_with("data did not match") {
        "not a claim object, an array of them, or {\"claims\": [...]}".to_string()
    } else {
        // Anything else may quote input: keep only that the value was refused.
        "a value is not what the claim format allows".to_string()
    }
}

fn date(field: &str, s: &str, at: &str) -> Result<time::Date, ClaimsError> {
    parse_date(s).ok_or_else(|| {
        ClaimsError::parse(
            FORMAT,
            at.to_string(),
            format!("`{field}` is not a date (YYYY-MM-DD)"),
        )
    })
}

fn opt_date(field: &str, s: Option<&String>, at: &str) -> Result<Option<time::Date>, ClaimsError> {
    s.map(|s| date(field, s, at)).transpose()
}

/// Parses a JSON claim document: `Err` when it is not JSON or not a claim document; else one
/// result per claim.
pub fn parse(bytes: &[u8]) -> Result<Vec<Parsed>, ClaimsError> {
    let doc: Doc = serde_json::from_slice(bytes).map_err(|e| {
        ClaimsError::parse(
            FORMAT,
            format!("line {} column {}", e.line(), e.column()),
            not_json_reason(bytes, &e),
        )
    })?;
    Ok(claims_of(doc))
}

/// [`parse`] of a document already parsed (the gateway's, shared with its de-identifier).
pub fn parse_value(v: &serde_json::Value) -> Result<Vec<Parsed>, ClaimsError> {
    // Read as the bytes are (`Doc` is untagged, so any JSON value is one), so that either
    // way in gives the same claims and the same errors.
    let doc = Doc::deserialize(v).map_err(|e| ClaimsError::parse(FORMAT, "document", clean(&e)))?;
    Ok(claims_of(doc))
}

/// Every claim's `claim_id` (string or number) in document order, `None` where a claim has
/// none; `None` for a document that is not a JSON claim document.
pub fn control_numbers(v: &serde_json::Value) -> Option<Vec<Option<String>>> {
    let claims: Vec<&serde_json::Value> = match v {
        serde_json::Value::Array(a) => a.iter().collect(),
        serde_json::Value::Object(o) => match o.get("claims") {
            Some(serde_json::Value::Array(a)) if o.len() == 1 => a.iter().collect(),
            _ => vec![v],
        },
        _ => return None,
    };
    Some(
        claims
            .into_iter()
            .map(|c| id_text(c.get("claim_id")))
            .collect(),
    )
}

/// A claim id as text: a string, or a number written as the document wrote it.
pub(crate) fn id_text(v: Option<&serde_json::Value>) -> Option<String> {
    match v? {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// One result per claim of a document.
fn claims_of(doc: Doc) -> Vec<Parsed> {
    let values = match doc {
        Doc::Many { claims } => claims,
        Doc::List(v) => v,
        Doc::One(v) => vec![v],
    };
    values
        .into_iter()
        .enumerate()
        .map(|(i, v)| {
            let at = format!("claim {}", i + 1);
            let j: JClaim = serde_json::from_value(v)
                .map_err(|e| ClaimsError::parse(FORMAT, at.clone(), clean(&e)))?;
            map(i + 1, j, &at)
        })
        .collect()
}

/// Why a payload sniffed (or declared) as a JSON claim is not JSON: what was expected and,
/// by shape only, what was found.
fn not_json_reason(bytes: &[u8], e: &serde_json::Error) -> String {
    let first = bytes
        .iter()
        .copied()
        .find(|b| !b.is_ascii_whitespace() && !matches!(b, 0xEF | 0xBB | 0xBF));
    let found = match first {
        None => return "expected a JSON claim; found an empty payload".into(),
        Some(b'{' | b'[') => return clean(e),
        Some(b'<') => "markup (XML or HTML)",
        Some(_) if looks_like_x12(bytes) => "X12 segments without an ISA envelope header",
        Some(b) if b.is_ascii_graphic() => "text that is not JSON",
        Some(_) => "binary data",
    };
    format!("expected a JSON claim (or FHIR JSON, or X12 starting with ISA); found {found}")
}

/// Two or three upper-case letters or digits and `*`/`|` at the start: an X12 segment.
fn looks_like_x12(bytes: &[u8]) -> bool {
    let t = bytes.trim_ascii_start();
    let id = t.iter().take_while(|b| b.is_ascii_alphanumeric()).count();
    (2..=3).contains(&id) && matches!(t.get(id), Some(b'*' | b'|' | b'^'))
}

/// One line, read on its own so an error names it.
fn line(n: usize, v: serde_json::Value, at: &str) -> Result<Line, ClaimsError> {
    let at_line = format!("{at} line {n}");
    let l: JLine = serde_json::from_value(v)
        .map_err(|e| ClaimsError::parse(FORMAT, at_line.clone(), clean(&e)))?;
    let _ = &l.goals;
    Ok(Line {
        number: u32::try_from(n).unwrap_or(u32::MAX),
        code: l.cpt.trim().to_ascii_uppercase(),
        modifiers: l
            .modifiers
            .iter()
            .map(|m| m.trim().to_ascii_uppercase())
            .collect(),
        units: whole_units(l.units),
        minutes: l.minutes,
        assistant_minutes: l.assistant_minutes,
        dx_pointers: l.diagnosis_pointers,
        date: opt_date("date_of_service", l.date_of_service.as_ref(), &at_line)?,
        place_of_service: l.place_of_service,
        charge: l.charge,
        allowed: l.allowed,
        quantity_in_minutes: false,
        revenue_code: None,
    })
}

fn map(index: usize, j: JClaim, at: &str) -> Result<Claim, ClaimsError> {
    let _ = (&j.schema, &j.payer);
    let lines = j
        .lines
        .into_iter()
        .enumerate()
        .map(|(n, v)| line(n + 1, v, at))
        .collect::<Result<Vec<_>, _>>()?;
    let plan_of_care = match j.plan_of_care {
        None => None,
        Some(p) => Some(PlanOfCare {
            first_treatment: Some(date("first_treatment_date", &p.first_treatment_date, at)?),
            certified: opt_date("certified_date", p.certified_date.as_ref(), at)?,
            referral_on_file: p.referral_on_file,
            sent: opt_date(
                "sent_to_practitioner_date",
                p.sent_to_practitioner_date.as_ref(),
                at,
            )?,
            recertified: opt_date("recertified_date", p.recertified_date.as_ref(), at)?,
            certified_through: opt_date("certified_through", p.certified_through.as_ref(), at)?,
        }),
    };
    let authorization = match j.authorization {
        None => None,
        Some(a) => Some(Authorization {
            number_present: a.number.as_deref().is_some_and(|n| !n.trim().is_empty()),
            start: opt_date("start", a.start.as_ref(), at)?,
            end: opt_date("end", a.end.as_ref(), at)?,
            visits_authorized: a.visits_authorized,
            visits_used: a.visits_used,
        }),
    };
    Ok(Claim {
        index,
        profile: j.profile,
        place_of_service: j.place_of_service,
        date: Some(date("date_of_service", &j.date_of_service, at)?),
        diagnoses: j
            .diagnoses
            .iter()
            .enumerate()
            .map(|(i, d)| diagnosis(u32::try_from(i + 1).unwrap_or(u32::MAX), d))
            .collect(),
        lines,
        total_timed_minutes: j.total_timed_minutes,
        total_minutes: j.total_minutes,
        rendering_role: j.rendering_role,
        group_size: j.group_size,
        note: j.note,
        goals: j.goals.map(|g| {
            g.into_iter()
                .map(|g| {
                    let _ = (&g.id, &g.status);
                    Goal {
                        functional: g.functional,
                        updated: g.updated,
                    }
                })
                .collect()
        }),
        plan_of_care,
        progress_report: j.progress_report.map(|p| ProgressReport {
            treatment_days_since_last: p.treatment_days_since_last,
            this_visit: p.this_visit,
        }),
        authorization,
        therapy_charges_ytd: j.therapy_charges_ytd,
        therapy_allowed_ytd: j.therapy_allowed_ytd,
        claim_type: None,
        claim_use: None,
        institutional: false,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const MIN: &str = r#"{"date_of_service":"2025-01-14","diagnoses":["I69.351"],
        "lines":[{"cpt":"97530","modifiers":["go"],"units":2,"minutes":30,"diagnosis_pointers":[1]}]}"#;

    #[test]
    fn one_many_and_wrapped() {
        assert_eq!(claims(MIN).len(), 1);
        let many = format!("[{MIN},{MIN}]");
        let c = claims(&many);
        assert_eq!((c.len(), c[1].index), (2, 2));
        let wrapped = format!(r#"{{"claims":[{MIN}]}}"#);
        let c = claims(&wrapped);
        assert_eq!(c[0].lines[0].modifiers, ["GO"]);
        assert_eq!(c[0].lines[0].minutes, Some(30));
    }

    fn claims(s: &str) -> Vec<Claim> {
        crate::claims::parse::read_cleanly(parse(s.as_bytes()))
    }

    /// The one claim's error.
    fn claim_err(s: &str) -> String {
        parse(s.as_bytes())
            .unwrap()
            .remove(0)
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn errors_name_position_not_values() {
        let e =
            parse(b"{\"date_of_service\": \"2025-01-14\",\n \"diagnoses\": [SECRET").unwrap_err();
        assert!(e.to_string().contains("line 2"), "{e}");
        let bad = MIN.replace("\"units\":2", "\"units\":\"Jane Doe\"");
        let e = claim_err(&bad);
        assert!(!e.contains("Jane"), "{e}");
        assert!(e.contains("claim 1 line 1"), "{e}");
        // Unknown keys are the sender's text too (changed from echoing them, issue 16).
        let bad = MIN.replace("\"units\"", "\"Jane Q Doe\"");
        let e = claim_err(&bad);
        assert!(e.contains("unknown key") && !e.contains("Jane"), "{e}");
        let bad = MIN.replace(
            "\"diagnoses\"",
            "\"rendering_role\":\"Jane Q Doe MRN 12345678\",\"diagnoses\"",
        );
        let e = claim_err(&bad);
        assert!(
            e.contains("`OT`") && !e.contains("Jane") && !e.contains("1234"),
            "{e}"
        );
        let bad = MIN.replace("2025-01-14", "14/01/2025");
        assert!(parse(bad.as_bytes()).unwrap()[0].is_err());
    }

    #[test]
    fn one_bad_claim_does_not_hide_the_others() {
        let bad = MIN.replace("\"units\":2", "\"units\":\"x\"");
        let r = parse(format!("[{MIN},{bad},{MIN}]").as_bytes()).unwrap();
        assert_eq!(
            r.iter().map(Result::is_ok).collect::<Vec<_>>(),
            [true, false, true]
        );
    }

    #[test]
    fn not_json_says_what_was_expected_and_found() {
        let e = parse(b"GS*HC*X~ST*837*0001~").unwrap_err().to_string();
        assert!(
            e.contains("expected a JSON claim") && e.contains("X12 segments without an ISA"),
            "{e}"
        );
        assert!(!e.contains("HC"), "{e}");
        let e = parse(b"<Claim/>").unwrap_err().to_string();
        assert!(e.contains("markup"), "{e}");
    }
}
