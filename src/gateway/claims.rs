//! Claim scrub in the gateway: claims routes check every claim before it leaves
//! (`claims = { profile, on_fail }`), `POST /v1/claims/validate` checks on request, and
//! every forwarded claim leaves a de-identified evidence snapshot.
//!
//! Owns the decision (pass, reject with 422 listing every finding, or flag with a header),
//! the snapshots (`<audit dir>/evidence/<request id>.json`: the claim as forwarded, the
//! findings, the rule-table versions and the time; found by any token in it through the
//! audit log's `claim_decision` entries), and the claim metrics. Findings carry codes and
//! numbers only, so answers and logs stay free of PHI.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Mutex;

use crate::claims::{Checker, ClaimReport, Format, Severity};
use crate::config::{ClaimsRoute, OnFail};

/// Why a claim is not forwarded (answered 422 by [`super::respond`]).
#[derive(Debug, thiserror::Error)]
pub enum ClaimError {
    /// Nothing of the payload could be read as claims (the message names no value).
    #[error("{0}")]
    Unusable(String),
    /// Errors found on a `reject` route: the answer lists every finding.
    #[error("{}", rejection_detail(.0))]
    Rejected(Vec<ClaimReport>),
}

/// What a claims route does with a payload.
pub enum Decision {
    /// No error-severity finding (warnings may be listed).
    Pass(Vec<ClaimReport>),
    /// Errors found, and the route flags rather than rejects.
    Flag(Vec<ClaimReport>),
    /// Errors found: answer 422, forward nothing.
    Reject(Vec<ClaimReport>),
}

impl Decision {
    pub fn reports(&self) -> &[ClaimReport] {
        match self {
            Decision::Pass(r) | Decision::Flag(r) | Decision::Reject(r) => r,
        }
    }

    pub fn outcome(&self) -> &'static str {
        match self {
            Decision::Pass(_) => "passed",
            Decision::Flag(_) => "flagged",
            Decision::Reject(_) => "rejected",
        }
    }
}

/// Checks a payload on a claims route. The decision is the file's: a payload nothing of which
/// can be read is a 422 `claim_unusable`; otherwise every claim has its report (a claim that
/// could not be read is a report with an `error`, and counts as failed: a claims route only
/// forwards what it could check). `doc` is the body already parsed as JSON, when the
/// gateway parsed it (once, for this check and the de-identifier): a JSON or FHIR claim is
/// then read from it, not parsed again; X12 is read from the bytes.
pub fn decide(
    checker: &Checker,
    route: &ClaimsRoute,
    content_type: &str,
    body: &[u8],
    doc: Option<&serde_json::Value>,
    metrics: &ClaimMetrics,
) -> Result<Decision, ClaimError> {
    if let Some(p) = &route.profile {
        // The name may come from a request's query: described, not repeated.
        checker.tables().profile(p).map_err(|_| {
            ClaimError::Unusable(format!(
                "the requested claim profile is not loaded (loaded: {})",
                checker.profiles().join(", ")
            ))
        })?;
    }
    let format =
        Format::from_hint(content_type, body).map_err(|e| ClaimError::Unusable(e.to_string()))?;
    let claims = match (format, doc) {
        (Format::Json | Format::Fhir, Some(doc)) => crate::claims::parse_document(format, doc),
        _ => crate::claims::parse(format, body),
    }
    .map_err(|e| ClaimError::Unusable(e.to_string()))?;
    let reports = checker.check_parsed(&claims, format, route.profile.as_deref());
    metrics.observe(&reports);
    metrics.units(
        claims
            .iter()
            .filter_map(|c| c.as_ref().ok())
            .flat_map(|c| c.lines.iter())
            .filter_map(|l| l.units)
            .map(u64::from)
            .sum(),
    );
    let failed = reports.iter().any(|r| !r.passed());
    Ok(match (failed, route.on_fail) {
        (false, _) => Decision::Pass(reports),
        (true, OnFail::Flag) => Decision::Flag(reports),
        (true, OnFail::Reject) => Decision::Reject(reports),
    })
}

/// The 422's detail: how many findings, and how many claims could not be read.
fn rejection_detail(reports: &[ClaimReport]) -> String {
    let errors: usize = reports.iter().map(ClaimReport::errors).sum();
    let unreadable = reports.iter().filter(|r| !r.readable()).count();
    if unreadable == 0 {
        format!("{errors} error finding(s); nothing was forwarded")
    } else {
        format!(
            "{errors} error finding(s), {unreadable} claim(s) that could not be read; nothing was forwarded"
        )
    }
}

/// The `phigate-claim-findings` header value: `code@line` items, errors first; a claim that
/// could not be read is `claim-unreadable`.
pub fn findings_header(reports: &[ClaimReport]) -> String {
    let mut items: Vec<(Severity, String)> = Vec::new();
    for r in reports {
        if !r.readable() {
            items.push((Severity::Error, UNREADABLE.to_string()));
        }
        for f in &r.findings {
            let at = f.line.map(|l| format!("@{l}")).unwrap_or_default();
            items.push((f.severity, format!("{}{at}", f.code)));
        }
    }
    items.sort_by_key(|i| std::cmp::Reverse(i.0));
    items
        .into_iter()
        .map(|(_, s)| s)
        .collect::<Vec<_>>()
        .join(", ")
}

/// How a claim that could not be read shows among finding codes (header, audit detail).
const UNREADABLE: &str = "claim-unreadable";

/// The finding codes of a decision, for the audit entry's detail.
pub fn codes(reports: &[ClaimReport]) -> String {
    let mut codes: Vec<&str> = reports
        .iter()
        .flat_map(|r| {
            let unreadable = (!r.readable()).then_some(UNREADABLE);
            unreadable
                .into_iter()
                .chain(r.findings.iter().map(|f| f.code))
        })
        .collect();
    codes.sort_unstable();
    codes.dedup();
    codes.join(" ")
}

/// A claim as it left: its bytes, and the JSON document they were written from when the
/// de-identifier kept it (then the snapshot holds that document, not a re-parse).
pub struct Forwarded<'a> {
    pub bytes: &'a [u8],
    pub doc: Option<&'a serde_json::Value>,
}

impl Forwarded<'_> {
    /// The control number (CLM01, FHIR identifier or id, JSON `claim_id`) each claim of
    /// `reports` left with, when it is a token; all `None` when the copy as it left cannot
    /// be paired with the reports claim for claim.
    fn controls(&self, reports: &[ClaimReport]) -> Vec<Option<String>> {
        let read = reports
            .first()
            .and_then(|r| crate::claims::parse::control_numbers(r.format, self.bytes, self.doc));
        match read {
            Some(c) if c.len() == reports.len() => c
                .into_iter()
                .map(|c| c.filter(|c| crate::phi::token::looks_like_token(c)))
                .collect(),
            _ => vec![None; reports.len()],
        }
    }

    /// The snapshot's `forwarded` member: the document, else the bytes read as JSON, else
    /// the bytes as a string (an X12 claim).
    fn as_json(&self) -> Cow<'_, serde_json::Value> {
        if let Some(doc) = self.doc {
            return Cow::Borrowed(doc);
        }
        Cow::Owned(serde_json::from_slice(self.bytes).unwrap_or_else(|_| {
            serde_json::Value::String(String::from_utf8_lossy(self.bytes).into_owned())
        }))
    }
}

/// Writes the evidence snapshot of a forwarded claim. `forwarded` is the claim as it left
/// (de-identified); the file name is the request id, found through the audit log. Fails
/// closed: a snapshot that cannot be built or written in full is an error (the claim is
/// then not forwarded), never an empty or partial file.
pub fn write_snapshot(
    dir: &Path,
    request_id: &str,
    route: &str,
    forwarded: Forwarded<'_>,
    decision: &Decision,
    checker: &Checker,
) -> std::io::Result<PathBuf> {
    let snapshot = Snapshot {
        request_id,
        route,
        time: crate::audit::now_rfc3339(),
        decision: decision.outcome(),
        claims: decision.reports(),
        controls: forwarded.controls(decision.reports()),
        tables: checker.versions(),
        forwarded: forwarded.as_json(),
    };
    write_json_durably(dir, request_id, &snapshot)
}

/// An evidence snapshot, in the order its fields are written.
#[derive(serde::Serialize)]
struct Snapshot<'a> {
    request_id: &'a str,
    route: &'a str,
    time: String,
    decision: &'static str,
    claims: &'a [ClaimReport],
    /// Each claim's control number as it left, beside its report: a token, or null when
    /// it left as something else (then nothing is kept: it may be the clinic's value).
    /// A payer's 835 names the claim by it (`phigate claims remit`).
    controls: Vec<Option<String>>,
    tables: &'a [crate::claims::TableVersion],
    forwarded: Cow<'a, serde_json::Value>,
}

/// Writes `<dir>/<name>.json` through a temporary file, synced before it is renamed into
/// place; on any failure nothing is left under the final name.
fn write_json_durably(
    dir: &Path,
    name: &str,
    value: &impl serde::Serialize,
) -> std::io::Result<PathBuf> {
    let bytes = serde_json::to_vec_pretty(value).map_err(std::io::Error::other)?;
    std::fs::create_dir_all(dir)?;
    let path = dir.join(format!("{name}.json"));
    let tmp = dir.join(format!(".{name}.tmp"));
    let written = std::fs::write(&tmp, &bytes)
        .and_then(|()| std::fs::File::open(&tmp)?.sync_all())
        .and_then(|()| std::fs::rename(&tmp, &path));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written.map(|()| path)
}

/// Claim metrics: the clean-claim rate, findings by code, units per visit.
#[derive(Default)]
pub struct ClaimMetrics {
    checked: AtomicU64,
    passed: AtomicU64,
    units: AtomicU64,
    findings: Mutex<BTreeMap<&'static str, u64>>,
    /// What payers' remittances said (`POST /v1/claims/remit`).
    pub remit: super::remit::RemitMetrics,
}

impl ClaimMetrics {
    pub fn observe(&self, reports: &[ClaimReport]) {
        for r in reports {
            self.checked.fetch_add(1, Relaxed);
            if r.passed() {
                self.passed.fetch_add(1, Relaxed);
            }
            if let Ok(mut f) = self.findings.lock() {
                for x in &r.findings {
                    *f.entry(x.code).or_default() += 1;
                }
            }
        }
    }

    pub fn units(&self, n: u64) {
        self.units.fetch_add(n, Relaxed);
    }

    pub fn render(&self) -> String {
        use std::fmt::Write as _;
        let mut o = String::new();
        let checked = self.checked.load(Relaxed);
        let _ = writeln!(o, "# HELP phigate_claims_checked_total Claims checked.\n# TYPE phigate_claims_checked_total counter\nphigate_claims_checked_total {checked}");
        let _ = writeln!(o, "# HELP phigate_claims_passed_total Claims with no error finding (the clean-claim rate is passed / checked).\n# TYPE phigate_claims_passed_total counter\nphigate_claims_passed_total {}", self.passed.load(Relaxed));
        let _ = writeln!(o, "# HELP phigate_claim_units_total Units billed on checked claims (units per visit is this / checked).\n# TYPE phigate_claim_units_total counter\nphigate_claim_units_total {}", self.units.load(Relaxed));
        let _ = writeln!(o, "# HELP phigate_claim_findings_total Findings by edit code.\n# TYPE phigate_claim_findings_total counter");
        if let Ok(f) = self.findings.lock() {
            for (code, n) in f.iter() {
                let _ = writeln!(o, "phigate_claim_findings_total{{code=\"{code}\"}} {n}");
            }
        }
        self.remit.render(&mut o);
        o
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A value whose serialisation fails, as a snapshot part that cannot be written would.
    struct Unserialisable;

    impl serde::Serialize for Unserialisable {
        fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
            Err(serde::ser::Error::custom("cannot serialise"))
        }
    }

    #[test]
    fn a_snapshot_that_cannot_be_built_is_an_error_and_leaves_no_file() {
        let dir = tempfile::tempdir().expect("dir");
        let err =
            write_json_durably(dir.path(), "req-1", &Unserialisable).expect_err("fails closed");
        assert_eq!(err.kind(), std::io::ErrorKind::Other);
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .map(|d| d.filter_map(Result::ok).map(|e| e.file_name()).collect())
            .unwrap_or_default();
        assert!(left.is_empty(), "nothing written: {left:?}");
    }

    #[test]
    fn a_snapshot_that_cannot_be_written_leaves_no_file() {
        let dir = tempfile::tempdir().expect("dir");
        // The evidence "directory" is a file: nothing can be created under it.
        let not_a_dir = dir.path().join("evidence");
        std::fs::write(&not_a_dir, b"").expect("file");
        assert!(write_json_durably(&not_a_dir, "req-1", &serde_json::json!({"a": 1})).is_err());
    }

    #[test]
    fn the_forwarded_document_is_kept_as_it_is_and_other_claims_as_read() {
        let doc = serde_json::json!({"resourceType": "Claim", "id": "ID_0000000000"});
        // The kept document wins over its bytes (which are not even read).
        let kept = Forwarded {
            bytes: b"not json",
            doc: Some(&doc),
        };
        assert_eq!(*kept.as_json(), doc);
        let json = Forwarded {
            bytes: br#"{"a":1}"#,
            doc: None,
        };
        assert_eq!(*json.as_json(), serde_json::json!({"a": 1}));
        let x12 = Forwarded {
            bytes: b"ISA*00~",
            doc: None,
        };
        assert_eq!(*x12.as_json(), serde_json::json!("ISA*00~"));
    }

    /// A report of a readable claim in `format`, as the snapshot pairs with controls.
    fn report(format: Format) -> ClaimReport {
        ClaimReport {
            claim: 1,
            format,
            profile: "medicare".into(),
            lines: 1,
            findings: Vec::new(),
            skipped: Vec::new(),
            error: None,
        }
    }

    #[test]
    fn only_tokens_are_kept_as_control_numbers() {
        let doc =
            serde_json::json!([{"claim_id": "ID_0123456789"}, {"claim_id": "PCN-2025-0001"}, {}]);
        let f = Forwarded {
            bytes: b"",
            doc: Some(&doc),
        };
        let reports = vec![report(Format::Json); 3];
        assert_eq!(
            f.controls(&reports),
            [Some("ID_0123456789".to_string()), None, None]
        );
        // A copy that does not pair claim for claim with the reports keeps nothing.
        assert_eq!(f.controls(&reports[..2]), [None, None]);
        let fhir = serde_json::json!({"resourceType": "Claim", "id": "ID_ABCDEFGHJK", "identifier": [{"value": "ACCOUNT_0123456789"}]});
        let f = Forwarded {
            bytes: b"",
            doc: Some(&fhir),
        };
        assert_eq!(
            f.controls(&[report(Format::Fhir)]),
            [Some("ACCOUNT_0123456789".to_string())]
        );
    }

    #[test]
    fn a_snapshot_is_written_in_full_under_its_name() {
        let dir = tempfile::tempdir().expect("dir");
        let v = serde_json::json!({"request_id": "req-1", "forwarded": {"n": "NAME_0000000000"}});
        let path = write_json_durably(dir.path(), "req-1", &v).expect("written");
        assert_eq!(path, dir.path().join("req-1.json"));
        let back: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&path).expect("read")).expect("json");
        assert_eq!(back, v);
        assert!(!dir.path().join(".req-1.tmp").exists());
    }
}
