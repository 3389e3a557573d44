//! The remittance table (`remit.toml`): which 835 claim statuses (CLP02) pay, deny or
//! reverse, which adjustment groups exist, and which claim adjustment reason codes (CARC)
//! deny a service and which edits should have caught them.
//!
//! Owns the file format and its checks (every family and finding code it names is in the
//! catalogue, no CARC twice); reading an 835 is [`crate::claims::remit`]'s.

use std::collections::{BTreeSet, HashMap};

use serde::Deserialize;

use super::{table_err, toml_file};
use crate::claims::catalogue::{catalogue, is_known};
use crate::claims::error::ClaimsError;

const FILE: &str = "remit.toml";

/// What a claim status (CLP02) means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusKind {
    Paid,
    Denied,
    Reversal,
    /// Counted, not adjudicated (not the payer's claim, predetermination).
    Other,
}

/// One CARC's row.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Carc {
    pub code: String,
    /// The adjustment refuses (part of) the service, rather than sharing or reducing it.
    pub denial: bool,
    pub summary: String,
    /// Edit families whose codes should have caught a denial with this CARC.
    #[serde(default)]
    pub families: Vec<String>,
    /// Single finding codes that should have caught it.
    #[serde(default)]
    pub codes: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    status: Status,
    skipped: HashMap<String, Vec<String>>,
    groups: Groups,
    carc: Vec<Carc>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Status {
    paid: Vec<String>,
    denied: Vec<String>,
    reversal: Vec<String>,
    other: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Groups {
    known: Vec<String>,
}

/// The loaded table.
#[derive(Debug)]
pub struct RemitCodes {
    status: HashMap<String, StatusKind>,
    groups: BTreeSet<String>,
    carc: HashMap<String, Carc>,
    /// A report's `skipped` name → the finding codes of the edits that did not run.
    skipped: HashMap<String, Vec<String>>,
    /// The catalogue's edit families.
    families: BTreeSet<&'static str>,
}

impl RemitCodes {
    /// What CLP02 `code` means; `None` for a status the table does not know.
    pub fn status(&self, code: &str) -> Option<StatusKind> {
        self.status.get(code).copied()
    }

    pub fn group_known(&self, group: &str) -> bool {
        self.groups.contains(group)
    }

    /// The CARC's row, if the table has one.
    pub fn carc(&self, code: &str) -> Option<&Carc> {
        self.carc.get(code)
    }

    /// Whether the edit `code` (of `family`) ran on a claim whose report lists `skipped`.
    /// A skipped name is a catalogue family (an out-of-scope claim skips whole families) or
    /// a name of the `[skipped]` table; any other is taken to cover every edit (nothing is
    /// claimed of a claim the table cannot judge).
    pub fn ran(&self, code: &str, family: &str, skipped: &[String]) -> bool {
        skipped.iter().all(|s| match self.skipped.get(s) {
            Some(codes) => !codes.iter().any(|c| c == code),
            None => s != family && self.families.contains(s.as_str()),
        })
    }

    /// Whether an adjustment denies: the table's word for a listed CARC; otherwise a CO or
    /// PI adjustment (the provider may not bill the patient for it) does.
    pub fn is_denial(&self, group: &str, carc: &str) -> bool {
        match self.carc.get(carc) {
            Some(c) => c.denial,
            None => matches!(group, "CO" | "PI"),
        }
    }

    /// Whether a denial with `carc` is one the edit `code` (of `family`) should have caught.
    pub fn attributes(&self, carc: &str, code: &str, family: &str) -> bool {
        self.carc.get(carc).is_some_and(|c| {
            c.denial
                && (c.codes.iter().any(|x| x == code) || c.families.iter().any(|f| f == family))
        })
    }
}

/// Reads and checks `remit.toml`.
pub fn remit(text: &str) -> Result<RemitCodes, ClaimsError> {
    let f: File = toml_file(FILE, text)?;
    let mut status = HashMap::new();
    for (kind, codes) in [
        (StatusKind::Paid, &f.status.paid),
        (StatusKind::Denied, &f.status.denied),
        (StatusKind::Reversal, &f.status.reversal),
        (StatusKind::Other, &f.status.other),
    ] {
        for c in codes {
            if status.insert(c.clone(), kind).is_some() {
                return Err(table_err(
                    FILE,
                    None,
                    format!("claim status {c} is listed twice"),
                ));
            }
        }
    }
    for (name, codes) in &f.skipped {
        if let Some(bad) = codes.iter().find(|x| !is_known(x)) {
            return Err(table_err(
                FILE,
                None,
                format!("skipped `{name}`: unknown finding code `{bad}`"),
            ));
        }
    }
    let families: BTreeSet<&'static str> = catalogue().iter().map(|e| e.family).collect();
    let mut carc = HashMap::new();
    for c in f.carc {
        if let Some(bad) = c.families.iter().find(|x| !families.contains(x.as_str())) {
            return Err(table_err(
                FILE,
                None,
                format!("CARC {}: unknown edit family `{bad}`", c.code),
            ));
        }
        if let Some(bad) = c.codes.iter().find(|x| !is_known(x)) {
            return Err(table_err(
                FILE,
                None,
                format!("CARC {}: unknown finding code `{bad}`", c.code),
            ));
        }
        let code = c.code.clone();
        if carc.insert(code.clone(), c).is_some() {
            return Err(table_err(
                FILE,
                None,
                format!("CARC {code} is listed twice"),
            ));
        }
    }
    Ok(RemitCodes {
        status,
        groups: f.groups.known.into_iter().collect(),
        carc,
        skipped: f.skipped,
        families,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const BUILTIN: &str = include_str!("../../../patterns/claims/remit.toml");

    #[test]
    fn the_builtin_table_loads_and_reads_as_written() {
        let r = remit(BUILTIN).unwrap();
        assert_eq!(r.status("1"), Some(StatusKind::Paid));
        assert_eq!(r.status("4"), Some(StatusKind::Denied));
        assert_eq!(r.status("22"), Some(StatusKind::Reversal));
        assert_eq!(r.status("99"), None);
        assert!(r.group_known("CO") && !r.group_known("XX"));
        assert!(!r.is_denial("PR", "1") && !r.is_denial("CO", "45"));
        assert!(r.is_denial("CO", "97") && r.is_denial("CO", "999"));
        assert!(!r.is_denial("PR", "999"));
        assert!(r.attributes("97", "ncci-ptp-not-allowed", "ncci"));
        assert!(r.attributes("119", "mod-kx-missing", "modifiers"));
        assert!(!r.attributes("119", "mod-co-missing", "modifiers"));
        assert!(!r.attributes("45", "units-exceed-time", "units"));
        let skipped = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert!(r.ran("mue-exceeded", "ncci", &skipped(&["kx", "goals"])));
        assert!(!r.ran("mue-exceeded", "ncci", &skipped(&["ncci"])));
        assert!(!r.ran(
            "mue-exceeded",
            "ncci",
            &skipped(&["a-name-not-in-the-table"])
        ));
        // Out-of-scope claims skip whole families.
        assert!(!r.ran("units-invalid", "units", &skipped(&["units", "modifiers"])));
        assert!(r.ran("dx-missing", "diagnosis", &skipped(&["units", "modifiers"])));
    }

    #[test]
    fn unknown_families_codes_and_repeats_are_refused() {
        for (from, to, says) in [
            (
                "families = [\"ncci\"]",
                "families = [\"nccx\"]",
                "unknown edit family",
            ),
            (
                "codes = [\"mod-kx-missing\"]",
                "codes = [\"mod-kx-misspelt\"]",
                "unknown finding code",
            ),
            ("code = \"253\"", "code = \"45\"", "CARC 45 is listed twice"),
            ("denied = [\"4\"]", "denied = [\"4\", \"1\"]", "status 1"),
        ] {
            let e = remit(&BUILTIN.replacen(from, to, 1))
                .unwrap_err()
                .to_string();
            assert!(e.contains(says), "{e}");
        }
    }
}
