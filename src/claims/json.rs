//! The JSON claim: phigate's documented claim format for EMRs without FHIR.
//!
//! Owns its serde model and the mapping into [`Claim`]. The JSON Schema is
//! `schemas/claim.schema.json`; examples are under `examples/claims/`. A document is one claim
//! object, an array of them, or `{"claims": [...]}`. Unknown keys are refused (a misspelt key
//! must not silently switch an edit off). Errors name the line and column and never quote
//! values.

use serde::Deserialize;

use super::{
    diagnosis, parse_date, whole_units, Authorization, Claim, ClaimsError, Goal, Line, PlanOfCare,
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
    date_of_service: String,
    #[serde(default)]
    place_of_service: Option<String>,
    #[serde(default)]
    rendering_role: Option<Role>,
    diagnoses: Vec<String>,
    lines: Vec<JLine>,
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

/// A serde_json message without the values it may quote.
fn clean(e: &serde_json::Error) -> String {
    let msg = e.to_string();
    let msg = msg
        .rsplit_once(" at line ")
        .map_or(msg.as_str(), |(m, _)| m)
        .to_string();
    if msg.starts_with("invalid type") || msg.starts_with("invalid value") {
        // "invalid type: string \"…\", expected u32" → keep the kind and the expectation.
        let kind = msg.split(':').next().unwrap_or("invalid value");
        let expected = msg.rsplit_once(", expected ").map_or("", |(_, x)| x);
        format!("{kind}, expected {expected}")
    } else {
        msg
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

/// Parses a JSON claim document.
pub fn parse(bytes: &[u8]) -> Result<Vec<Claim>, ClaimsError> {
    let doc: Doc = serde_json::from_slice(bytes).map_err(|e| {
        ClaimsError::parse(
            FORMAT,
            format!("line {} column {}", e.line(), e.column()),
            clean(&e),
        )
    })?;
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

fn map(index: usize, j: JClaim, at: &str) -> Result<Claim, ClaimsError> {
    let _ = (&j.schema, &j.payer);
    let mut lines = Vec::with_capacity(j.lines.len());
    for (n, l) in j.lines.into_iter().enumerate() {
        let at_line = format!("{at} line {}", n + 1);
        let _ = &l.goals;
        lines.push(Line {
            number: u32::try_from(n + 1).unwrap_or(u32::MAX),
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
        });
    }
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
        assert_eq!(parse(MIN.as_bytes()).unwrap().len(), 1);
        let many = format!("[{MIN},{MIN}]");
        let c = parse(many.as_bytes()).unwrap();
        assert_eq!((c.len(), c[1].index), (2, 2));
        let wrapped = format!(r#"{{"claims":[{MIN}]}}"#);
        let c = parse(wrapped.as_bytes()).unwrap();
        assert_eq!(c[0].lines[0].modifiers, ["GO"]);
        assert_eq!(c[0].lines[0].minutes, Some(30));
    }

    #[test]
    fn errors_name_position_not_values() {
        let e =
            parse(b"{\"date_of_service\": \"2025-01-14\",\n \"diagnoses\": [SECRET").unwrap_err();
        assert!(e.to_string().contains("line 2"), "{e}");
        let bad = MIN.replace("\"units\":2", "\"units\":\"Jane Doe\"");
        let e = parse(bad.as_bytes()).unwrap_err().to_string();
        assert!(!e.contains("Jane"), "{e}");
        assert!(e.contains("claim 1"), "{e}");
        let bad = MIN.replace("\"units\"", "\"unitz\"");
        let e = parse(bad.as_bytes()).unwrap_err().to_string();
        assert!(e.contains("unknown field `unitz`"), "{e}");
        let bad = MIN.replace("2025-01-14", "14/01/2025");
        assert!(parse(bad.as_bytes()).is_err());
    }
}
