//! Claim scrubbing: catch the OT claims a payer would deny before they leave the clinic.
//!
//! Owns the [`Checker`] (tables loaded once, then one report per claim) and the public face
//! of the module; the rules and their sources are in `domain/claims.md`, and every rule that
//! note marks unverified says so in its table file.
//!
//! Layout, each layer reading only those below it:
//! - [`edits`]: the edit families that turn a claim into findings;
//! - [`parse`] (FHIR R4 `Claim`, the documented JSON claim, X12 837P/837I) and [`tables`]
//!   (loaded from `patterns/claims/` or an operator directory);
//! - [`model`] (the normalised claim), [`report`] (findings and reports), [`error`];
//! - [`catalogue`](mod@catalogue): every finding code and its default severity;
//! - beside them, [`remit`]: payers' X12 835 remittances read against the claims forwarded
//!   (denial and clean-claim rates, each edit's measured false negatives).
//!
//! A fact a format cannot carry (FHIR and 837P have no minutes, no goals) is `None` in the
//! model, and the edits that need it are skipped and listed in [`ClaimReport::skipped`], never
//! reported as findings. Findings carry codes, numbers and line numbers, never PHI.
//!
//! Entry point: [`Checker::load`] once, then [`Checker::check_bytes`] per payload.

pub mod catalogue;
pub mod edits;
pub mod error;
pub mod model;
pub mod parse;
pub mod remit;
pub mod report;
pub mod tables;

use std::path::Path;

pub use catalogue::{catalogue, CatalogueEntry, Severity};
pub use error::ClaimsError;
pub use model::{Authorization, Claim, Diagnosis, Goal, Line, PlanOfCare, ProgressReport, Role};
pub use parse::{fhir, json, parse, parse_document, x12, Format, Parsed};
pub use report::{ClaimReport, Finding};
pub use tables::{TableVersion, Tables};

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checker_is_shareable_across_threads() {
        fn shareable<T: Send + Sync>() {}
        shareable::<Checker>();
    }
}
