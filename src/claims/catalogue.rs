//! The catalogue of finding codes: every code phigate can report, its family, its default
//! severity and a one-line summary, and the [`Severity`] scale itself.
//!
//! The bottom of the claims module: the tables check payer profiles against it (a profile
//! may only name known codes) and the edits take their default severities from it. It reads
//! nothing else in the module.

use serde::Serialize;

/// How much a finding matters: an error blocks the claim, a warning does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// One finding code: stable, documented, with its default severity.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct CatalogueEntry {
    pub code: &'static str,
    pub severity: Severity,
    pub family: &'static str,
    pub summary: &'static str,
}

const fn e(
    code: &'static str,
    severity: Severity,
    family: &'static str,
    summary: &'static str,
) -> CatalogueEntry {
    CatalogueEntry {
        code,
        severity,
        family,
        summary,
    }
}

use Severity::{Error as E, Warning as W};

const CATALOGUE: &[CatalogueEntry] = &[
    e(
        "units-invalid",
        E,
        "units",
        "units missing, fractional or not positive",
    ),
    e(
        "units-exceed-time",
        E,
        "units",
        "timed units above what the total timed minutes support (CMS 8-minute rule)",
    ),
    e(
        "units-below-time",
        W,
        "units",
        "timed units below what the total timed minutes support (under-billing)",
    ),
    e(
        "units-code-distribution",
        E,
        "units",
        "a code's units outside floor(minutes/15) .. floor+1, or a unit with no minutes of its own (CMS distribution)",
    ),
    e(
        "units-remainder-order",
        W,
        "units",
        "a leftover unit went to a smaller remainder than one that got none",
    ),
    e(
        "units-per-code-exceed",
        E,
        "units",
        "a code's units above (minutes+7)/15 (rule of eights)",
    ),
    e(
        "units-per-code-below",
        W,
        "units",
        "a code's units below (minutes+7)/15 (rule of eights)",
    ),
    e(
        "minutes-total-mismatch",
        W,
        "units",
        "per-code timed minutes do not add up to the total timed minutes",
    ),
    e(
        "minutes-timed-over-total",
        E,
        "units",
        "timed minutes exceed total treatment minutes",
    ),
    e(
        "units-untimed-multiple",
        E,
        "units",
        "an untimed code billed with more than 1 unit on a date of service",
    ),
    e(
        "units-over-descriptor",
        E,
        "units",
        "more units than the code's descriptor allows (97129: one)",
    ),
    e(
        "addon-without-primary",
        E,
        "units",
        "an add-on code without its primary code on the date",
    ),
    e(
        "group-size",
        E,
        "units",
        "97150 billed for a group of fewer than 2 patients",
    ),
    e(
        "group-minutes-counted",
        E,
        "units",
        "97150 (untimed) minutes counted in the timed-minute total",
    ),
    e(
        "units-in-minutes",
        E,
        "units",
        "a line's quantity is in minutes (837P SV103=MJ); OT codes bill units (UN)",
    ),
    e(
        "rev-hcpcs-missing",
        E,
        "revenue",
        "837I: an OT revenue-code line (043x) without a HCPCS code [unverified]",
    ),
    e(
        "rev-code-mismatch",
        W,
        "revenue",
        "837I: an OT therapy code under a revenue code outside 043x [unverified]",
    ),
    e(
        "claim-out-of-scope",
        W,
        "scope",
        "not an outpatient OT professional claim for payment: only the general edits ran",
    ),
    e(
        "cpt-unknown",
        W,
        "units",
        "a code not in the OT code table (not checked for units)",
    ),
    e("dx-missing", E, "diagnosis", "the claim has no diagnosis"),
    e(
        "dx-syntax",
        E,
        "diagnosis",
        "a diagnosis is not ICD-10-CM syntax",
    ),
    e(
        "dx-unknown",
        E,
        "diagnosis",
        "a diagnosis is not in the loaded ICD-10-CM release",
    ),
    e(
        "dx-header",
        E,
        "diagnosis",
        "a diagnosis is a header (has children), not a billable code",
    ),
    e(
        "dx-not-first",
        E,
        "diagnosis",
        "a manifestation or external-cause code is first-listed",
    ),
    e(
        "dx-first-only",
        W,
        "diagnosis",
        "a Z code that may only be first-listed is not first",
    ),
    e(
        "dx-usually-secondary",
        W,
        "diagnosis",
        "a Z code that is normally secondary is first-listed",
    ),
    e(
        "dx-excludes1",
        E,
        "diagnosis",
        "two diagnoses that an Excludes1 note forbids together",
    ),
    e(
        "line-no-dx-pointer",
        E,
        "pointers",
        "a line points to no diagnosis",
    ),
    e(
        "line-dx-pointer-invalid",
        E,
        "pointers",
        "a line points to a diagnosis the claim does not have",
    ),
    e(
        "dx-cpt-alignment",
        W,
        "pointers",
        "no diagnosis the line points to supports its code (alignment table)",
    ),
    e(
        "ncci-ptp-not-allowed",
        E,
        "ncci",
        "an NCCI PTP pair with modifier indicator 0 on one date",
    ),
    e(
        "ncci-ptp-modifier-required",
        E,
        "ncci",
        "an NCCI PTP pair with indicator 1 without 59/XE/XS/XP/XU on the column-2 line",
    ),
    e(
        "mue-exceeded",
        E,
        "ncci",
        "units above the code's MUE limit",
    ),
    e(
        "mod-discipline-missing",
        E,
        "modifiers",
        "a therapy line without GO/GP/GN (Medicare)",
    ),
    e(
        "mod-discipline-multiple",
        E,
        "modifiers",
        "more than one discipline modifier on a line",
    ),
    e(
        "mod-discipline-mismatch",
        W,
        "modifiers",
        "GP or GN on an OT claim line",
    ),
    e(
        "mod-co-missing",
        E,
        "modifiers",
        "an OT assistant furnished the service (over 10 %) and CO is missing",
    ),
    e(
        "mod-co-without-go",
        E,
        "modifiers",
        "CO without GO, or CQ with GO",
    ),
    e(
        "mod-kx-missing",
        E,
        "modifiers",
        "a line above the year's therapy threshold without KX",
    ),
    e(
        "mod-distinct-multiple",
        E,
        "modifiers",
        "59 with an X modifier, or two X modifiers, on one line",
    ),
    e(
        "mod-distinct-unneeded",
        W,
        "modifiers",
        "59/XE/XS/XP/XU on a line no loaded PTP pair needs it for",
    ),
    e(
        "mod-telehealth-pos",
        E,
        "modifiers",
        "modifier 95 with a place of service other than 02/10",
    ),
    e(
        "mod-telehealth-missing",
        E,
        "modifiers",
        "place of service 02/10 without modifier 95",
    ),
    e(
        "mod-telehealth-expired",
        W,
        "modifiers",
        "telehealth after the profile's flexibility end date",
    ),
    e(
        "doc-goal-not-updated",
        E,
        "documentation",
        "no functional goal updated in the session",
    ),
    e(
        "doc-cert-late",
        E,
        "documentation",
        "plan of care not certified within 30 days of the first treatment",
    ),
    e(
        "doc-recert-overdue",
        E,
        "documentation",
        "plan of care not recertified within 90 days (or the certified duration)",
    ),
    e(
        "doc-progress-report-due",
        E,
        "documentation",
        "no progress report by the 10th treatment day",
    ),
    e(
        "doc-progress-report-by-ota",
        E,
        "documentation",
        "a progress report written by an OT assistant",
    ),
    e(
        "auth-outside-window",
        E,
        "documentation",
        "date of service outside the authorisation window",
    ),
    e(
        "auth-visits-exceeded",
        E,
        "documentation",
        "more visits than authorised",
    ),
    e(
        "auth-number-missing",
        W,
        "documentation",
        "authorisation facts without an authorisation number",
    ),
    e(
        "upcoding-passive-note",
        W,
        "upcoding",
        "note dominated by passive-modality wording while active codes are billed",
    ),
];

/// Every finding code phigate can report.
pub fn catalogue() -> &'static [CatalogueEntry] {
    CATALOGUE
}

/// The catalogue's severity for `code`; an unknown code is an error, so a typo in an edit
/// blocks rather than waves a claim through.
pub(crate) fn default_severity(code: &str) -> Severity {
    entry(code).map_or(Severity::Error, |c| c.severity)
}

/// Whether `code` is in the catalogue.
pub(crate) fn is_known(code: &str) -> bool {
    entry(code).is_some()
}

fn entry(code: &str) -> Option<&'static CatalogueEntry> {
    CATALOGUE.iter().find(|c| c.code == code)
}
