//! The accounting of disclosures (HIPAA §164.528): every audited event that carried one
//! patient's data out, in time order, with its date, recipient, a description of what was
//! disclosed and its purpose, and the integrity of the log it was read from.
//!
//! Owns selecting those events (by the keyed subject hashes the gateway records, so the
//! patient's identifier is never stored or compared in clear), pairing them with their
//! request's claim decision, and rendering the accounting as text, JSON, CSV and a printable
//! HTML page. Verifying the log is the caller's (it knows the witness); this module only
//! states the result it is given.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use serde::Serialize;

use super::query::{csv_field, esc, format_bound, Filter};
use super::replicas::{self, Replica};
use super::{Action, AuditError, Entry};

/// One disclosure of the patient's data.
#[derive(Debug, Clone, Serialize)]
pub struct Disclosure {
    /// The entry's sequence number in the log (to find it with `audit search`).
    pub seq: u64,
    /// When (RFC 3339, as the log wrote it).
    pub time: String,
    pub route: String,
    /// The recipient: the route's upstream host when the log recorded it, else the route.
    pub destination: String,
    /// Who sent the request (a configured caller, or `cli`).
    pub caller: String,
    /// `tokenize` (sent on de-identified), `reveal` (values shown to the caller), `redact`.
    pub action: String,
    /// What was disclosed, in words.
    pub description: String,
    /// PHI types and how many values of each.
    pub phi: BTreeMap<String, u64>,
    /// The route's purpose of use as configured (`treatment`, `payment`…); for entries
    /// written before routes had one, the route's name.
    pub purpose: String,
    /// The claim decision made in the same request, with its finding codes, if any.
    pub claim: Option<String>,
    pub request_id: Option<String>,
    /// The replica whose log holds the entry, when several were read as one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replica: Option<String>,
}

/// How the log the accounting was read from stood up to verification.
#[derive(Debug, Clone, Serialize)]
pub struct Integrity {
    pub verified: bool,
    /// One sentence for the reader: verified through which entry and checkpoint, or what
    /// was wrong.
    pub statement: String,
    pub entries: u64,
    /// The newest signed checkpoint: the entry it covers and when it was signed.
    pub checkpoint_seq: Option<u64>,
    pub checkpoint_time: Option<String>,
    /// Entries after the newest checkpoint (not yet covered by a signature).
    pub unanchored: u64,
}

impl Integrity {
    /// The statement of a verification's result: through which entry and signed
    /// checkpoint the log verified, or its first problem. An empty log verifies nothing.
    /// (`audit disclosures`, `audit report` and the officer's console all state this.)
    pub fn of(result: Result<super::verify::Report, super::verify::Problem>) -> Integrity {
        let unverified = |statement: String| Integrity {
            verified: false,
            statement,
            entries: 0,
            checkpoint_seq: None,
            checkpoint_time: None,
            unanchored: 0,
        };
        let r = match result {
            Ok(r) if r.entries == 0 => {
                return unverified("the log holds no entries, so nothing is verified".into())
            }
            Ok(r) => r,
            Err(p) => return unverified(format!("NOT VERIFIED: {p}")),
        };
        let cp = r.newest.as_ref();
        let through = cp.map_or_else(
            || "no signed checkpoint".to_string(),
            |c| format!("signed checkpoint at entry {} ({})", c.seq, c.ts),
        );
        let tail = if r.unanchored == 0 {
            String::new()
        } else {
            format!(
                "; {} newest entries are not yet covered by a checkpoint",
                r.unanchored
            )
        };
        Integrity {
            verified: true,
            statement: format!(
                "verified before answering: {} entries in {} segment(s), MACs and hash chain intact, {through}; witness {}{tail}",
                r.entries,
                r.segments,
                r.witness.as_str()
            ),
            entries: r.entries,
            checkpoint_seq: cp.map(|c| c.seq),
            checkpoint_time: cp.map(|c| c.ts.clone()),
            unanchored: r.unanchored,
        }
    }
}

/// The accounting as handed to the patient's requester.
#[derive(Debug, Clone, Serialize)]
pub struct Accounting {
    /// The identifier's type(s) searched, never its value.
    pub identifier_types: Vec<String>,
    /// The period covered (RFC 3339; empty for an open end, stated as "start of log"/"now").
    pub since: String,
    pub until: String,
    pub generated: String,
    pub integrity: Integrity,
    pub disclosures: Vec<Disclosure>,
}

/// Whether an event of this action discloses the data of the subjects it names.
fn discloses(action: Option<Action>) -> bool {
    matches!(
        action,
        Some(Action::Tokenize | Action::Reveal | Action::Redact)
    )
}

/// Every disclosure naming one of `subjects` in `filter`'s period, oldest first, each
/// with its request's claim decision.
pub fn collect(
    dir: &Path,
    subjects: &[String],
    filter: &Filter,
) -> Result<Vec<Disclosure>, AuditError> {
    collect_replicas(&[Replica::single(dir)], subjects, filter)
}

/// [`collect`] over several replicas' logs, merged by time; each disclosure names its
/// replica when there is more than one.
pub fn collect_replicas(
    replicas: &[Replica],
    subjects: &[String],
    filter: &Filter,
) -> Result<Vec<Disclosure>, AuditError> {
    let mut found = Vec::new();
    let mut claims: BTreeMap<String, String> = BTreeMap::new();
    let several = replicas.len() > 1;
    replicas::scan(replicas, filter, |i, e, _| {
        let ev = &e.event;
        if ev.action == Some(Action::ClaimDecision) {
            if let Some(id) = &ev.request_id {
                claims.insert(id.clone(), claim_text(&ev.outcome, ev.detail.as_deref()));
            }
        } else if discloses(ev.action) && ev.subjects.iter().any(|s| subjects.contains(s)) {
            let mut d = disclosure_of(e);
            d.replica = several.then(|| replicas[i].name.clone());
            found.push(d);
        }
    })?;
    for d in &mut found {
        d.claim = d.request_id.as_ref().and_then(|id| claims.get(id).cloned());
    }
    Ok(found)
}

fn claim_text(outcome: &str, codes: Option<&str>) -> String {
    match codes {
        Some(c) if !c.is_empty() => format!("{outcome} ({c})"),
        _ => outcome.to_string(),
    }
}

fn disclosure_of(e: &Entry) -> Disclosure {
    let ev = &e.event;
    let route = ev.route.clone().unwrap_or_else(|| "-".into());
    let action = ev.action.map(Action::as_str).unwrap_or("unknown");
    Disclosure {
        seq: e.seq,
        time: e.ts.clone(),
        destination: ev.destination.clone().unwrap_or_else(|| route.clone()),
        caller: ev.caller.clone().unwrap_or_else(|| "-".into()),
        action: action.to_string(),
        description: describe(action, &ev.phi),
        phi: ev.phi.clone(),
        purpose: ev.purpose.clone().unwrap_or_else(|| route.clone()),
        route,
        claim: None,
        request_id: ev.request_id.clone(),
        replica: None,
    }
}

/// What was disclosed, in words an officer can hand over.
fn describe(action: &str, phi: &BTreeMap<String, u64>) -> String {
    let what = counts(phi);
    match action {
        "tokenize" => format!("record sent with identifiers replaced by tokens ({what})"),
        "reveal" => format!("identifiers revealed to the caller ({what})"),
        "redact" => format!("record sent with identifiers removed ({what})"),
        other => format!("{other} ({what})"),
    }
}

/// `MRN 1, NAME 2`.
fn counts(phi: &BTreeMap<String, u64>) -> String {
    if phi.is_empty() {
        return "no values counted".into();
    }
    phi.iter()
        .map(|(t, n)| format!("{t} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The period's ends as shown: the bound, or the open end in words.
fn period(a: &Accounting) -> (String, String) {
    let or = |s: &str, open: &str| {
        if s.is_empty() {
            open.to_string()
        } else {
            s.to_string()
        }
    };
    (
        or(&a.since, "the start of the log"),
        or(&a.until, &format!("now ({})", a.generated)),
    )
}

/// A filter's bounds as the accounting states them.
pub fn bounds(filter: &Filter) -> (String, String) {
    (
        filter.since.map(format_bound).unwrap_or_default(),
        filter.until.map(format_bound).unwrap_or_default(),
    )
}

const UNVERIFIED_BANNER: &str =
    "WARNING: THE AUDIT LOG DID NOT VERIFY. This accounting may be incomplete or altered.";

pub fn to_json(a: &Accounting) -> String {
    serde_json::to_string_pretty(a).unwrap_or_else(|_| "{}".into())
}

pub fn to_text(a: &Accounting) -> String {
    let mut s = String::new();
    let (from, to) = period(a);
    if !a.integrity.verified {
        let _ = writeln!(s, "{UNVERIFIED_BANNER}\n");
    }
    let _ = writeln!(s, "Accounting of disclosures (45 CFR 164.528)");
    let _ = writeln!(s, "Identifier type(s): {}", a.identifier_types.join(", "));
    let _ = writeln!(s, "Period: {from} to {to}");
    let _ = writeln!(s, "Integrity: {}", a.integrity.statement);
    let _ = writeln!(s, "Disclosures: {}\n", a.disclosures.len());
    for d in &a.disclosures {
        let _ = writeln!(
            s,
            "{}  to {}  via route {} by {}{}\n    {}\n    purpose: {}{}",
            d.time,
            d.destination,
            d.route,
            d.caller,
            d.replica
                .as_ref()
                .map(|r| format!("  (replica {r})"))
                .unwrap_or_default(),
            d.description,
            d.purpose,
            d.claim
                .as_ref()
                .map(|c| format!("; claim decision: {c}"))
                .unwrap_or_default()
        );
    }
    s
}

pub fn to_csv(a: &Accounting) -> String {
    let mut s = String::from(
        "time,destination,route,caller,action,description,phi,purpose,claim,seq,verified,replica\n",
    );
    for d in &a.disclosures {
        let phi = d
            .phi
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(" ");
        let _ = writeln!(
            s,
            "{},{},{},{},{},{},{},{},{},{},{},{}",
            csv_field(&d.time),
            csv_field(&d.destination),
            csv_field(&d.route),
            csv_field(&d.caller),
            csv_field(&d.action),
            csv_field(&d.description),
            csv_field(&phi),
            csv_field(&d.purpose),
            csv_field(d.claim.as_deref().unwrap_or("")),
            d.seq,
            a.integrity.verified,
            csv_field(d.replica.as_deref().unwrap_or("")),
        );
    }
    s
}

/// A printable page: inline CSS only, and a Content-Security-Policy that forbids scripts
/// and every network load, so the page shows the same offline, printed or forwarded.
pub fn to_html(a: &Accounting) -> String {
    let (from, to) = period(a);
    let mut s = String::new();
    let _ = write!(
        s,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'none'; style-src 'unsafe-inline'\">\n\
         <title>Accounting of disclosures</title>\n<style>\
         body{{font-family:sans-serif;margin:2em;color:#111}}\
         table{{border-collapse:collapse;width:100%}}th,td{{border:1px solid #888;padding:4px;text-align:left;vertical-align:top}}\
         .warn{{border:3px solid #b00;color:#b00;padding:1em;font-weight:bold}}\
         @media print{{body{{margin:0}}}}</style></head><body>\n"
    );
    if !a.integrity.verified {
        let _ = writeln!(
            s,
            "<p class=\"warn\" id=\"unverified\">{UNVERIFIED_BANNER}</p>"
        );
    }
    let _ = writeln!(
        s,
        "<h1>Accounting of disclosures</h1>\n<p>Under 45 CFR 164.528.</p>\n<dl>\
         <dt>Identifier type(s)</dt><dd>{}</dd>\
         <dt>Period covered</dt><dd id=\"period\">{} to {}</dd>\
         <dt>Integrity of the audit log</dt><dd id=\"integrity\">{}</dd>\
         <dt>Disclosures</dt><dd>{}</dd><dt>Generated</dt><dd>{}</dd></dl>",
        esc(&a.identifier_types.join(", ")),
        esc(&from),
        esc(&to),
        esc(&a.integrity.statement),
        a.disclosures.len(),
        esc(&a.generated),
    );
    s.push_str(
        "<table><thead><tr><th>Date</th><th>Recipient</th><th>What was disclosed</th>\
         <th>Purpose</th><th>Caller</th><th>Claim decision</th></tr></thead><tbody>\n",
    );
    for d in &a.disclosures {
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{} (route {})</td><td>{}</td><td>{}</td></tr>",
            esc(&d.time),
            esc(&d.destination),
            esc(&d.description),
            esc(&d.purpose),
            esc(&d.route),
            esc(&d.caller),
            esc(d.claim.as_deref().unwrap_or("-")),
        );
    }
    s.push_str("</tbody></table>\n</body></html>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accounting(verified: bool) -> Accounting {
        Accounting {
            identifier_types: vec!["MRN".into()],
            since: String::new(),
            until: "2026-04-01T00:00:00Z".into(),
            generated: "2026-04-02T00:00:00Z".into(),
            integrity: Integrity {
                verified,
                statement: "verified".into(),
                entries: 1,
                checkpoint_seq: Some(1),
                checkpoint_time: None,
                unanchored: 0,
            },
            disclosures: vec![Disclosure {
                seq: 1,
                time: "2026-03-02T10:00:00Z".into(),
                route: "lab<x>".into(),
                destination: "=evil.example".into(),
                caller: "emr".into(),
                action: "tokenize".into(),
                description: describe("tokenize", &BTreeMap::from([("MRN".into(), 2)])),
                phi: BTreeMap::from([("MRN".into(), 2)]),
                purpose: "lab<x>".into(),
                claim: None,
                request_id: None,
                replica: None,
            }],
        }
    }

    #[test]
    fn html_escapes_states_the_period_and_forbids_scripts() {
        let html = to_html(&accounting(true));
        assert!(html.contains("script-src 'none'"));
        assert!(!html.contains("<script"));
        assert!(html.contains("lab&lt;x&gt;") && !html.contains("lab<x>"));
        assert!(html.contains("the start of the log to 2026-04-01T00:00:00Z"));
        assert!(!html.contains("unverified"));
        assert!(to_html(&accounting(false)).contains("id=\"unverified\""));
    }

    #[test]
    fn the_purpose_is_the_routes_and_an_old_entry_without_one_names_its_route() {
        let mut e = Entry {
            seq: 3,
            ts: "2026-03-02T10:00:00Z".into(),
            prev: super::super::GENESIS.into(),
            event: crate::audit::Event::new(Action::Tokenize, "forwarded"),
        };
        e.event.route = Some("claims-to-billing".into());
        assert_eq!(disclosure_of(&e).purpose, "claims-to-billing");
        e.event.purpose = Some("payment".into());
        let d = disclosure_of(&e);
        assert_eq!(
            (d.purpose.as_str(), d.route.as_str()),
            ("payment", "claims-to-billing")
        );
        assert!(to_text(&Accounting {
            disclosures: vec![d],
            ..accounting(true)
        })
        .contains("purpose: payment"));
    }

    #[test]
    fn csv_never_starts_a_field_with_a_formula() {
        let csv = to_csv(&accounting(true));
        assert!(csv.contains(",'=evil.example,"), "{csv}");
        assert!(csv.contains("MRN 2"));
    }

    #[test]
    fn text_warns_first_when_unverified() {
        assert!(to_text(&accounting(false)).starts_with("WARNING"));
        assert!(!to_text(&accounting(true)).contains("WARNING"));
    }
}
