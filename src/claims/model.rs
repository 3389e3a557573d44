//! The normalised claim that every input format maps into, and how raw values become it.
//!
//! Owns [`Claim`] and its parts, and the three normalisations every parser and table shares:
//! dates ([`parse_date`]), diagnosis codes ([`diagnosis`]) and whole units ([`whole_units`]).
//! `None` means "this payload does not say": the edits that need the fact are skipped, never
//! reported. Owns no parsing of a format (see [`super::parse`]) and no edit.

use serde::Serialize;
use time::Date;

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

    /// The modifiers of `set` this line carries, in `set`'s order.
    pub fn modifiers_among<'s>(&self, set: &[&'s str]) -> Vec<&'s str> {
        set.iter()
            .copied()
            .filter(|m| self.has_modifier(m))
            .collect()
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
    fn units() {
        assert_eq!(whole_units(2.0), Some(2));
        assert_eq!(whole_units(1.5), None);
        assert_eq!(whole_units(0.0), Some(0));
        assert_eq!(whole_units(-1.0), None);
    }
}
