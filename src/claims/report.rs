//! What checking a claim produces: its [`Finding`]s and the per-claim [`ClaimReport`].
//!
//! Findings are values, not errors; they carry codes, numbers and line numbers, never PHI.
//! Owns no edit (see [`super::edits`]) and no rendering (the CLI and the gateway render).

use serde::Serialize;

use super::catalogue::Severity;
use super::error::ClaimsError;
use super::parse::Format;

/// One thing wrong with a claim.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// Stable code (see [`catalogue`](super::catalogue::catalogue)), e.g. `units-exceed-time`.
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
