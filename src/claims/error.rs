//! The one error type of the claims module: why a payload or a table could not be used.
//!
//! Messages name positions, files and fields, never payload values: a claim's text is the
//! sender's and may hold PHI.

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
