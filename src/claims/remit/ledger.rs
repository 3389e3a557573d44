//! The ledger of forwarded claims: for each control number a claim left with (a token), the
//! finding codes it carried and the edit families that did not run on it, read from the
//! gateway's audit directory.
//!
//! Owns the reading side of the record the gateway keeps when it forwards a claim: a
//! `claim_decision` audit entry (outcome `passed` or `flagged`, the request id, every token
//! of the request) and the evidence snapshot `evidence/<request id>.json` whose `controls`
//! member gives each claim's control number as it left (a token, or null when it was not
//! one) beside its report in `claims`. Only entries naming a wanted token are followed, so a
//! remittance reads the snapshots of its own claims, not the whole history. A claim forwarded
//! more than once (a resubmission) counts its submissions and keeps the latest findings.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use crate::audit::{query, Action, AuditError};

/// Why the ledger could not be read.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    #[error(transparent)]
    Audit(#[from] AuditError),
}

/// What phigate knows of one forwarded claim.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Forwarded {
    /// Finding codes on the claim when it was (last) forwarded.
    pub codes: Vec<String>,
    /// Edit families that did not run (the format does not carry their facts).
    pub skipped: Vec<String>,
    /// How many times a claim with this control number was forwarded.
    pub submissions: u32,
}

/// Forwarded claims by the control number they left with.
#[derive(Debug, Default)]
pub struct Ledger {
    claims: HashMap<String, Forwarded>,
    /// `claim_decision` entries whose snapshot was missing or unreadable.
    pub missing_snapshots: usize,
}

impl Ledger {
    /// Reads the forwarded claims of `audit_dir` whose control number is in `wanted` (every
    /// forwarded claim when `wanted` is `None`).
    pub fn load(audit_dir: &Path, wanted: Option<&BTreeSet<String>>) -> Result<Self, LedgerError> {
        let filter = query::Filter {
            action: Some(Action::ClaimDecision),
            ..query::Filter::default()
        };
        let mut requests: Vec<String> = Vec::new();
        query::scan(audit_dir, &filter, |e, _| {
            let ev = &e.event;
            let forwarded = matches!(ev.outcome.as_str(), "passed" | "flagged");
            let named = wanted.is_none_or(|w| ev.tokens.iter().any(|t| w.contains(t)));
            if let (true, true, Some(id)) = (forwarded, named, &ev.request_id) {
                // Request ids are hex, so they are safe as file names.
                if id.bytes().all(|b| b.is_ascii_hexdigit()) && !requests.contains(id) {
                    requests.push(id.clone());
                }
            }
        })?;
        let mut ledger = Ledger::default();
        for id in requests {
            let path = audit_dir.join("evidence").join(format!("{id}.json"));
            let snapshot = std::fs::read(&path)
                .ok()
                .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok());
            match snapshot {
                Some(s) => ledger.add_snapshot(&s, wanted),
                None => ledger.missing_snapshots += 1,
            }
        }
        Ok(ledger)
    }

    /// The forwarded claim that left with `control`.
    pub fn get(&self, control: &str) -> Option<&Forwarded> {
        self.claims.get(control)
    }

    pub fn len(&self) -> usize {
        self.claims.len()
    }

    pub fn is_empty(&self) -> bool {
        self.claims.is_empty()
    }

    /// Adds the claims of one snapshot (in the order the log wrote them, oldest first).
    fn add_snapshot(&mut self, s: &serde_json::Value, wanted: Option<&BTreeSet<String>>) {
        let empty = Vec::new();
        let controls = s["controls"].as_array().unwrap_or(&empty);
        let reports = s["claims"].as_array().unwrap_or(&empty);
        for (control, report) in controls.iter().zip(reports) {
            let Some(control) = control.as_str() else {
                continue;
            };
            if wanted.is_some_and(|w| !w.contains(control)) {
                continue;
            }
            let strings = |v: &serde_json::Value| -> Vec<String> {
                v.as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|x| x.as_str().map(String::from))
                            .collect()
                    })
                    .unwrap_or_default()
            };
            let codes: Vec<String> = report["findings"]
                .as_array()
                .map(|f| {
                    f.iter()
                        .filter_map(|x| x["code"].as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default();
            let entry = self.claims.entry(control.to_string()).or_default();
            entry.codes = codes;
            entry.skipped = strings(&report["skipped"]);
            entry.submissions += 1;
        }
    }

    /// A ledger from known claims (tests, benches).
    pub fn from_claims(claims: impl IntoIterator<Item = (String, Forwarded)>) -> Self {
        Ledger {
            claims: claims.into_iter().collect(),
            missing_snapshots: 0,
        }
    }
}
