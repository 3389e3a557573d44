//! Claim scrubbing: catch the OT claims a payer would deny before they leave the clinic.
//!
//! Owns the normalised claim model that FHIR R4 `Claim` ([`fhir`]), the documented JSON claim
//! ([`json`]) and X12 837P ([`x12`]) map into, the edits that run over it ([`edits`]), the
//! tables they read ([`tables`], loaded once from `patterns/claims/` or an operator directory)
//! and the report. The rules and their sources are in `domain/claims.md`; every rule that note
//! marks unverified says so in its table file.
//!
//! A fact a format cannot carry (FHIR and 837P have no minutes, no goals) is `None` in the
//! model, and the edits that need it are skipped and listed in [`ClaimReport::skipped`], never
//! reported as findings. Findings carry codes, numbers and line numbers, never PHI.
//!
//! Entry point: [`Checker::load`] once, then [`Checker::check_bytes`] per payload.

pub mod edits;
pub mod fhir;
pub mod json;
pub mod tables;
pub mod x12;

use std::path::Path;

use serde::Serialize;
use time::Date;

pub use edits::{catalogue, CatalogueEntry};
pub use tables::{TableVersion, Tables};

/// Why a payload or a table could not be used. Messages name positions, files and fields,
/// never payload values.
#[derive(Debug, thiserror::Error)]
pub enum ClaimsError {
    /// A claim table did not load (start-up).
    #[error("claim table {file}: {reason}")]
    Table { file: String, reason: String },
    /// The payload is not a usable claim in the format it claims to be.
    #[error("{format}: {at}: {reason}")]
    Parse {
        format: &'static str,
        at: String,
        reason: String,
    },
    /// No payer profile of that name is loaded. The name is the operator's (a flag or a
    /// route setting), never a claim's: see [`ClaimsError::ClaimProfile`].
    #[error("unknown claim profile `{0}` (loaded: {1})")]
    UnknownProfile(String, String),
    /// A claim names a profile that is not loaded. The name came from the payload, so it is
    /// not repeated (it may be anything).
    #[error("claim {claim}: the profile the claim names is not loaded (loaded: {loaded})")]
    ClaimProfile { claim: usize, loaded: String },
    /// The format hint is not one we read. Hints come from a flag or a content type, which
    /// may carry anything after all: only their shape is described.
    #[error(
        "unknown claim format hint ({0} characters; use fhir, json or x12, or a content type)"
    )]
    UnknownFormat(usize),
}

impl ClaimsError {
    pub(crate) fn parse(
        format: &'static str,
        at: impl Into<String>,
        reason: impl Into<String>,
    ) -> Self {
        ClaimsError::Parse {
            format,
            at: at.into(),
            reason: reason.into(),
        }
    }
}

/// The three input formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Fhir,
    Json,
    X12,
}

impl Format {
    /// Reads a format hint: `fhir`, `json`, `x12` (or `837`), a content type
    /// (`application/fhir+json`, `application/json`, `application/edi-x12`, `text/plain`
    /// holding X12), or `auto` / empty to sniff the bytes.
    pub fn from_hint(hint: &str, bytes: &[u8]) -> Result<Format, ClaimsError> {
        let h = hint
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        match h.as_str() {
            "fhir" | "application/fhir+json" => Ok(Format::Fhir),
            "x12" | "837" | "837p" | "application/edi-x12" | "application/x12" => Ok(Format::X12),
            "json" | "application/json" | "" | "auto" | "text/plain" => Ok(Format::sniff(bytes)),
            _ => Err(ClaimsError::UnknownFormat(hint.chars().count())),
        }
    }

    /// `ISA` first means X12; a JSON object with `resourceType` means FHIR; else the JSON claim.
    pub fn sniff(bytes: &[u8]) -> Format {
        let start = bytes
            .iter()
            .position(|b| !b.is_ascii_whitespace() && *b != 0xEF && *b != 0xBB && *b != 0xBF)
            .unwrap_or(bytes.len());
        let rest = &bytes[start..];
        if rest.starts_with(b"ISA") {
            return Format::X12;
        }
        // A cheap look before any parse: FHIR resources carry `"resourceType"`.
        let head = &rest[..rest.len().min(4096)];
        if head.windows(14).any(|w| w == b"\"resourceType\"") {
            Format::Fhir
        } else {
            Format::Json
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Fhir => "fhir",
            Format::Json => "json",
            Format::X12 => "x12",
        }
    }
}

/// Who furnished a service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
pub enum Role {
    /// Occupational therapist.
    #[serde(rename = "OT")]
    Ot,
    /// Occupational therapy assistant.
    #[serde(rename = "OTA")]
    Ota,
}

/// One diagnosis, in claim order (the first is the first-listed diagnosis).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnosis {
    /// The pointer lines use (FHIR `sequence`, 837P/JSON position from 1).
    pub seq: u32,
    /// As written, upper case, without the dot.
    pub code: String,
    /// Whether it was written with a dot in the right place (or without one).
    pub dot_ok: bool,
}

/// One service line.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Line {
    /// Line number as the source numbers it (FHIR `sequence`, 837P `LX01`, JSON position).
    pub number: u32,
    /// CPT/HCPCS code, upper case.
    pub code: String,
    /// Modifiers, upper case.
    pub modifiers: Vec<String>,
    /// Units; `None` when missing, fractional or negative. Zero is allowed on a JSON line that
    /// documents timed minutes it does not bill (they still count toward the total).
    pub units: Option<u32>,
    /// Minutes of this line (JSON only).
    pub minutes: Option<u32>,
    /// Minutes an OT assistant furnished of this line (JSON only).
    pub assistant_minutes: Option<u32>,
    /// Diagnosis pointers (`Diagnosis::seq` values).
    pub dx_pointers: Vec<u32>,
    /// Date of service; falls back to the claim's.
    pub date: Option<Date>,
    /// Place of service when it differs from the claim's.
    pub place_of_service: Option<String>,
    /// Charge, when given.
    pub charge: Option<f64>,
    /// Allowed amount, when given (KX accrues allowed amounts; the charge is an estimate).
    pub allowed: Option<f64>,
    /// The quantity was written in minutes (837P `SV103=MJ`), not units: `units` is `None`
    /// and `minutes` holds the quantity.
    pub quantity_in_minutes: bool,
    /// Revenue code (837I `SV201`); `None` on professional claims.
    pub revenue_code: Option<String>,
}

impl Line {
    pub fn has_modifier(&self, m: &str) -> bool {
        self.modifiers.iter().any(|x| x == m)
    }
}

/// A functional goal touched in the session (JSON only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Goal {
    pub functional: bool,
    pub updated: bool,
}

/// Plan-of-care facts (JSON only).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlanOfCare {
    /// First treatment day of the episode (the evaluation counts).
    pub first_treatment: Option<Date>,
    /// Date the physician/NPP certified the plan.
    pub certified: Option<Date>,
    /// A signed, dated order or referral is on file (the 2025 initial-certification exception).
    pub referral_on_file: bool,
    /// Date the plan was sent to the referring practitioner.
    pub sent: Option<Date>,
    /// Date of the latest recertification.
    pub recertified: Option<Date>,
    /// End of the certified duration, if shorter than the recertification interval.
    pub certified_through: Option<Date>,
}

/// Progress-report facts (JSON only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgressReport {
    /// Treatment days since the last progress report, not counting this session.
    pub treatment_days_since_last: u32,
    /// A progress report is written in this session.
    pub this_visit: bool,
}

/// Authorisation facts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Authorization {
    pub number_present: bool,
    pub start: Option<Date>,
    pub end: Option<Date>,
    pub visits_authorized: Option<u32>,
    /// Visits used before this one.
    pub visits_used: Option<u32>,
}

/// The normalised claim every format maps into. `None` means "this payload does not say".
#[derive(Debug, Clone, Default)]
pub struct Claim {
    /// Position of the claim in its payload, from 1.
    pub index: usize,
    /// The profile the payload asks for (JSON `profile`, 837P SBR09, FHIR Coverage payer).
    pub profile: Option<String>,
    pub place_of_service: Option<String>,
    pub date: Option<Date>,
    pub diagnoses: Vec<Diagnosis>,
    pub lines: Vec<Line>,
    pub total_timed_minutes: Option<u32>,
    pub total_minutes: Option<u32>,
    pub rendering_role: Option<Role>,
    pub group_size: Option<u32>,
    pub note: Option<String>,
    pub goals: Option<Vec<Goal>>,
    pub plan_of_care: Option<PlanOfCare>,
    pub progress_report: Option<ProgressReport>,
    pub authorization: Option<Authorization>,
    /// Medicare OT charges already billed this calendar year before this claim (for KX).
    pub therapy_charges_ytd: Option<f64>,
    /// Medicare OT allowed amounts already accrued this calendar year (for KX; CMS accrues
    /// allowed amounts, so this wins over `therapy_charges_ytd` when both are given).
    pub therapy_allowed_ytd: Option<f64>,
    /// What kind of claim this is (FHIR `Claim.type` code, e.g. `professional`, `oral`);
    /// `None` when the format does not say (the JSON claim and 837P are professional).
    /// Matched against `patterns/claims/scope.toml`, never shown.
    pub claim_type: Option<String>,
    /// What the claim is for (FHIR `Claim.use`: `claim`, `preauthorization`, …); as above.
    pub claim_use: Option<String>,
    /// An institutional claim (837I): revenue-code lines, no place of service, no diagnosis
    /// pointers, hospital NCCI tables.
    pub institutional: bool,
}

impl Claim {
    /// A line's date of service, or the claim's.
    pub fn line_date(&self, l: &Line) -> Option<Date> {
        l.date.or(self.date)
    }

    /// A line's place of service, or the claim's.
    pub fn line_pos<'a>(&'a self, l: &'a Line) -> Option<&'a str> {
        l.place_of_service
            .as_deref()
            .or(self.place_of_service.as_deref())
    }
}

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

/// One thing wrong with a claim.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// Stable code (see [`catalogue`]), e.g. `units-exceed-time`.
    pub code: &'static str,
    pub severity: Severity,
    /// Codes and numbers only, never PHI.
    pub message: String,
    /// The claim line it concerns (the source's line number); `None` for the whole claim.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
}

/// The result of checking one claim.
#[derive(Debug, Clone, Serialize)]
pub struct ClaimReport {
    /// Position of the claim in its payload, from 1.
    pub claim: usize,
    pub format: Format,
    /// The profile the claim was checked under.
    pub profile: String,
    pub lines: usize,
    pub findings: Vec<Finding>,
    /// Edit families not run because the format does not carry their facts.
    pub skipped: Vec<&'static str>,
    /// Why this claim could not be read (positions and field names, never values); a claim
    /// that could not be read has no findings and does not pass.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl ClaimReport {
    /// Read, and no finding of severity error.
    pub fn passed(&self) -> bool {
        self.error.is_none() && !self.findings.iter().any(|f| f.severity == Severity::Error)
    }

    /// Whether the claim could be read at all.
    pub fn readable(&self) -> bool {
        self.error.is_none()
    }

    /// The report of a claim that could not be read.
    pub fn unreadable(claim: usize, format: Format, profile: &str, e: &ClaimsError) -> Self {
        ClaimReport {
            claim,
            format,
            profile: profile.to_string(),
            lines: 0,
            findings: Vec::new(),
            skipped: Vec::new(),
            error: Some(e.to_string()),
        }
    }

    pub fn errors(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count()
    }
}

/// The loaded tables; cheap to share (`Arc<Checker>`), synchronous, no I/O after load.
#[derive(Debug)]
pub struct Checker {
    tables: Tables,
}

/// The profile used when neither the caller nor the claim names one.
pub const DEFAULT_PROFILE: &str = "medicare";

// === impl Checker ===

impl Checker {
    /// Loads the built-in tables, with any file present in `tables_dir` replacing its
    /// built-in twin (see `patterns/claims/SOURCES.md` for the layout; CMS NCCI PTP and MUE
    /// files found there replace the samples).
    pub fn load(tables_dir: Option<&Path>) -> Result<Checker, ClaimsError> {
        Ok(Checker {
            tables: Tables::load(tables_dir)?,
        })
    }

    /// The tables, e.g. for their versions.
    pub fn tables(&self) -> &Tables {
        &self.tables
    }

    /// Name, source and SHA-256 of every loaded table (for evidence snapshots).
    pub fn versions(&self) -> &[TableVersion] {
        self.tables.versions()
    }

    /// Names of the loaded payer profiles.
    pub fn profiles(&self) -> Vec<&str> {
        self.tables.profile_names()
    }

    /// Parses `bytes` (format from `format_hint`: see [`Format::from_hint`]) and checks every
    /// claim in it, one report per claim: a claim that cannot be read is a report with an
    /// `error`, and does not hide the others. `profile` overrides the profile each claim
    /// names; without either, [`DEFAULT_PROFILE`]. `Err` when the payload itself cannot be
    /// read (not its format, no claim in it); findings are never errors.
    pub fn check_bytes(
        &self,
        format_hint: &str,
        bytes: &[u8],
        profile: Option<&str>,
    ) -> Result<Vec<ClaimReport>, ClaimsError> {
        if let Some(p) = profile {
            self.tables.profile(p)?;
        }
        let format = Format::from_hint(format_hint, bytes)?;
        let claims = parse(format, bytes)?;
        Ok(self.check_parsed(&claims, format, profile))
    }

    /// Checks what [`parse`] read: one report per claim, in payload order.
    pub fn check_parsed(
        &self,
        claims: &[Parsed],
        format: Format,
        profile: Option<&str>,
    ) -> Vec<ClaimReport> {
        let fallback = profile.unwrap_or(DEFAULT_PROFILE);
        claims
            .iter()
            .enumerate()
            .map(|(i, parsed)| match parsed {
                Ok(c) => self
                    .check_claim(c, format, profile)
                    .unwrap_or_else(|e| ClaimReport::unreadable(c.index, format, fallback, &e)),
                Err(e) => ClaimReport::unreadable(i + 1, format, fallback, e),
            })
            .collect()
    }

    /// Checks one parsed claim. `Err` when the profile (the caller's, else the claim's) is not
    /// loaded; a claim-named profile is not echoed.
    pub fn check_claim(
        &self,
        claim: &Claim,
        format: Format,
        profile: Option<&str>,
    ) -> Result<ClaimReport, ClaimsError> {
        let p = match (profile, claim.profile.as_deref()) {
            (Some(p), _) => self.tables.profile(p)?,
            (None, Some(named)) => {
                self.tables
                    .profile(named)
                    .map_err(|_| ClaimsError::ClaimProfile {
                        claim: claim.index,
                        loaded: self.tables.profile_names().join(", "),
                    })?
            }
            (None, None) => self.tables.profile(DEFAULT_PROFILE)?,
        };
        let (findings, skipped) = edits::run(claim, p, &self.tables);
        Ok(ClaimReport {
            claim: claim.index,
            format,
            profile: p.name.clone(),
            lines: claim.lines.len(),
            findings,
            skipped,
            error: None,
        })
    }
}

/// One claim of a payload: read, or why it could not be.
pub type Parsed = Result<Claim, ClaimsError>;

/// Parses a payload in a known format into claims, each read on its own: `Err` only when the
/// document itself cannot be read or holds no claim.
pub fn parse(format: Format, bytes: &[u8]) -> Result<Vec<Parsed>, ClaimsError> {
    let claims = match format {
        Format::Fhir => fhir::parse(bytes)?,
        Format::Json => json::parse(bytes)?,
        Format::X12 => x12::parse(bytes)?,
    };
    if claims.is_empty() {
        return Err(ClaimsError::parse(
            format_name(format),
            "document",
            "no claim found",
        ));
    }
    Ok(claims)
}

fn format_name(f: Format) -> &'static str {
    match f {
        Format::Fhir => "FHIR",
        Format::Json => "JSON claim",
        Format::X12 => "X12 837",
    }
}

/// Parses `YYYY-MM-DD` (a FHIR dateTime's date part too) or `CCYYMMDD`.
pub(crate) fn parse_date(s: &str) -> Option<Date> {
    let s = s.trim();
    let (y, m, d) = if s.len() >= 10 && s.as_bytes()[4] == b'-' && s.as_bytes()[7] == b'-' {
        (s.get(0..4)?, s.get(5..7)?, s.get(8..10)?)
    } else if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
        (s.get(0..4)?, s.get(4..6)?, s.get(6..8)?)
    } else {
        return None;
    };
    let y: i32 = y.parse().ok()?;
    let m: u8 = m.parse().ok()?;
    let d: u8 = d.parse().ok()?;
    Date::from_calendar_date(y, time::Month::try_from(m).ok()?, d).ok()
}

/// Normalises a diagnosis code: upper case, dot removed; says whether the dot was placed
/// after the third character (or absent).
pub(crate) fn diagnosis(seq: u32, raw: &str) -> Diagnosis {
    let t = raw.trim().to_ascii_uppercase();
    let dot_ok = match t.find('.') {
        None => true,
        Some(i) => i == 3 && t.matches('.').count() == 1 && t.len() > 4,
    };
    Diagnosis {
        seq,
        code: t.replace('.', ""),
        dot_ok,
    }
}

/// Units from a decimal: whole and not negative, else `None`.
pub(crate) fn whole_units(v: f64) -> Option<u32> {
    if v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v <= f64::from(u16::MAX) {
        // Checked above: a positive whole number that fits.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        Some(v as u32)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_both_spellings() {
        assert_eq!(parse_date("2025-01-14"), parse_date("20250114"));
        assert!(parse_date("2025-01-14T10:00:00Z").is_some());
        assert!(parse_date("2025-02-30").is_none());
        assert!(parse_date("14/01/2025").is_none());
    }

    #[test]
    fn diagnosis_dots() {
        assert_eq!(diagnosis(1, "i69.351").code, "I69351");
        assert!(diagnosis(1, "I69351").dot_ok);
        assert!(!diagnosis(1, "I6.9351").dot_ok);
        assert!(!diagnosis(1, "I69.").dot_ok);
    }

    #[test]
    fn sniffing() {
        assert_eq!(Format::sniff(b"  ISA*00*"), Format::X12);
        assert_eq!(Format::sniff(br#"{"resourceType":"Claim"}"#), Format::Fhir);
        assert_eq!(Format::sniff(br#"{"lines":[]}"#), Format::Json);
        assert!(Format::from_hint("text/html", b"").is_err());
    }

    #[test]
    fn checker_is_shareable_across_threads() {
        fn shareable<T: Send + Sync>() {}
        shareable::<Checker>();
    }

    #[test]
    fn units() {
        assert_eq!(whole_units(2.0), Some(2));
        assert_eq!(whole_units(1.5), None);
        assert_eq!(whole_units(0.0), Some(0));
        assert_eq!(whole_units(-1.0), None);
    }
}
