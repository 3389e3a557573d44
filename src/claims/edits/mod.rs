//! The claim edits, one module per family.
//!
//! Owns which edits run, in what order, and how a finding gets its severity: the catalogue's
//! default, or a table's (alignment, upcoding, diagnosis rules), overridden by the payer
//! profile's `[severity]`; a profile's `disabled` list drops a code. Each family that needs a
//! fact the payload does not carry records itself in `skipped` instead of reporting.
//!
//! A claim that is not an outpatient OT professional claim for payment (its type and use
//! against `patterns/claims/scope.toml`) gets only the general edits (diagnoses and pointers),
//! one `claim-out-of-scope` warning with the table's reason, and the OT families listed as
//! skipped.
//!
//! Messages name a line's code only when it is in the OT code table (known and code-shaped);
//! any other code is the sender's text and is named by its line number: see [`Ctx::label`].

pub mod docs;
pub mod dx;
pub mod modifiers;
pub mod ncci;
pub mod revenue;
pub mod units;
pub mod upcoding;

use super::catalogue::{default_severity, Severity};
use super::model::{Claim, Line};
use super::report::Finding;
use super::tables::{Profile, Tables};

/// `1 unit`, `3 units`: findings are read by billers, so the count agrees with its noun.
pub(crate) struct Units(u32);

impl Units {
    pub(crate) fn of(n: impl std::borrow::Borrow<u32>) -> Units {
        Units(*n.borrow())
    }
}

impl std::fmt::Display for Units {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            1 => f.write_str("1 unit"),
            n => write!(f, "{n} units"),
        }
    }
}

/// The state one claim's edits share.
pub(crate) struct Ctx<'a> {
    pub claim: &'a Claim,
    pub profile: &'a Profile,
    pub tables: &'a Tables,
    findings: Vec<Finding>,
    skipped: Vec<&'static str>,
}

impl Ctx<'_> {
    /// Reports `code` with the catalogue's severity (or the profile's override).
    pub fn report(&mut self, code: &'static str, line: Option<u32>, message: String) {
        self.report_as(code, default_severity(code), line, message);
    }

    /// Reports `code` with a table's severity (the profile's override still wins).
    pub fn report_as(
        &mut self,
        code: &'static str,
        severity: Severity,
        line: Option<u32>,
        message: String,
    ) {
        if !self.profile.enabled(code) {
            return;
        }
        let severity = self.profile.severity.get(code).copied().unwrap_or(severity);
        self.findings.push(Finding {
            code,
            severity,
            message,
            line,
        });
    }

    /// Reports `code` with at most `cap` severity: the catalogue's (or the profile's) unless
    /// that is stronger. For findings from data that cannot justify blocking a claim (the
    /// sample NCCI tables).
    pub fn report_capped(
        &mut self,
        code: &'static str,
        cap: Severity,
        line: Option<u32>,
        message: String,
    ) {
        let before = self.findings.len();
        self.report(code, line, message);
        if let Some(f) = self.findings.get_mut(before) {
            f.severity = f.severity.min(cap);
        }
    }

    /// Records that an edit family could not run on this payload.
    pub fn skip(&mut self, family: &'static str) {
        if !self.skipped.contains(&family) {
            self.skipped.push(family);
        }
    }

    /// How a message names a line's code: the code when the OT code table knows it, else
    /// `the code on line N` (an unknown code is the sender's text and may be anything).
    pub fn label(&self, l: &Line) -> String {
        if self.tables.cpt.contains_key(&l.code) {
            l.code.clone()
        } else {
            format!("the code on line {}", l.number)
        }
    }
}

/// The edit families an out-of-scope claim does not get.
const OT_FAMILIES: [&str; 6] = [
    "units",
    "ncci",
    "modifiers",
    "documentation",
    "upcoding",
    "kx",
];

/// Runs every edit over one claim.
pub(crate) fn run(
    claim: &Claim,
    profile: &Profile,
    tables: &Tables,
) -> (Vec<Finding>, Vec<&'static str>) {
    let mut cx = Ctx {
        claim,
        profile,
        tables,
        findings: Vec::new(),
        skipped: Vec::new(),
    };
    let out_of_scope = tables
        .scope
        .reason(claim.claim_type.as_deref(), claim.claim_use.as_deref());
    if let Some(why) = out_of_scope {
        cx.report(
            "claim-out-of-scope",
            None,
            format!("{why}; only the diagnosis and pointer edits ran"),
        );
        dx::check(&mut cx);
        for f in OT_FAMILIES {
            cx.skip(f);
        }
    } else {
        units::check(&mut cx);
        dx::check(&mut cx);
        revenue::check(&mut cx);
        let needs_distinct = ncci::check(&mut cx);
        modifiers::check(&mut cx, needs_distinct.as_deref());
        docs::check(&mut cx);
        upcoding::check(&mut cx);
    }
    // Errors first, then by line, stable within.
    cx.findings
        .sort_by_key(|f| (std::cmp::Reverse(f.severity), f.line.unwrap_or(0)));
    (cx.findings, cx.skipped)
}

#[cfg(test)]
pub(crate) mod testutil {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use std::sync::OnceLock;

    use super::*;
    use crate::claims::model::{diagnosis, parse_date};

    pub fn tables() -> &'static Tables {
        static T: OnceLock<Tables> = OnceLock::new();
        T.get_or_init(|| Tables::load(None).unwrap())
    }

    /// A clean Medicare-style claim skeleton on 2025-01-14 with I69.351 and M62.81.
    pub fn claim(lines: &[(&str, u32, Option<u32>)]) -> Claim {
        Claim {
            index: 1,
            date: parse_date("2025-01-14"),
            place_of_service: Some("11".into()),
            diagnoses: vec![diagnosis(1, "I69.351"), diagnosis(2, "M62.81")],
            lines: lines
                .iter()
                .enumerate()
                .map(|(i, (code, units, minutes))| Line {
                    number: u32::try_from(i + 1).unwrap(),
                    code: (*code).into(),
                    modifiers: vec!["GO".into()],
                    units: Some(*units),
                    minutes: *minutes,
                    dx_pointers: vec![1],
                    ..Line::default()
                })
                .collect(),
            ..Claim::default()
        }
    }

    pub fn run_as(c: &Claim, profile: &str) -> Vec<Finding> {
        let t = tables();
        run(c, t.profile(profile).unwrap(), t).0
    }

    pub fn codes(c: &Claim, profile: &str) -> Vec<&'static str> {
        run_as(c, profile).iter().map(|f| f.code).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::testutil::*;
    use super::*;
    use crate::claims::catalogue::catalogue;

    #[test]
    fn a_count_of_one_is_singular() {
        assert_eq!(Units::of(1).to_string(), "1 unit");
        assert_eq!(Units::of(3).to_string(), "3 units");
        assert_eq!(Units::of(0).to_string(), "0 units");
    }

    #[test]
    fn codes_are_unique_and_kebab_case() {
        let mut seen = std::collections::HashSet::new();
        for c in catalogue() {
            assert!(seen.insert(c.code), "{} twice", c.code);
            assert!(c
                .code
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'));
        }
    }

    #[test]
    fn a_clean_claim_has_no_findings() {
        let c = claim(&[("97530", 2, Some(30)), ("97535", 1, Some(15))]);
        assert_eq!(codes(&c, "medicare"), Vec::<&str>::new());
        assert_eq!(codes(&c, "commercial"), Vec::<&str>::new());
    }

    #[test]
    fn out_of_scope_claims_get_only_the_general_edits() {
        for (t, u, scoped) in [
            (Some("professional"), Some("claim"), false),
            (None, None, false),
            (Some("oral"), Some("claim"), true),
            (Some("vision"), None, true),
            (Some("pharmacy"), None, true),
            (Some("institutional"), None, true),
            (Some("Jane Doe"), None, true),
            (Some("professional"), Some("preauthorization"), true),
            (None, Some("predetermination"), true),
        ] {
            // No GO, 2 units of an untimed code: the OT edits would fail it.
            let mut c = claim(&[("97165", 2, None)]);
            c.lines[0].modifiers.clear();
            c.claim_type = t.map(str::to_string);
            c.claim_use = u.map(str::to_string);
            let f = run_as(&c, "medicare");
            if scoped {
                assert_eq!(f.len(), 1, "{t:?} {u:?}: {f:?}");
                assert_eq!(f[0].code, "claim-out-of-scope");
                assert!(!f[0].message.contains("Jane"), "{}", f[0].message);
            } else {
                assert!(f.iter().all(|f| f.code != "claim-out-of-scope"), "{f:?}");
            }
        }
    }

    #[test]
    fn profile_overrides_apply() {
        let mut c = claim(&[("97530", 1, None)]);
        c.place_of_service = Some("02".into());
        let telehealth_missing = |profile: &str| {
            run_as(&c, profile)
                .into_iter()
                .find(|f| f.code == "mod-telehealth-missing")
                .map(|f| f.severity)
        };
        assert_eq!(telehealth_missing("medicare"), Some(Severity::Error));
        assert_eq!(telehealth_missing("commercial"), Some(Severity::Warning));
    }
}
