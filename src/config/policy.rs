//! Which policy a name means: a built-in one (`safe-harbor`, `limited-data-set`,
//! `reversible`) or a policy file at that path.
//!
//! Owns the one lookup that `scan --policy`, every route's `policy` and `[api] policy`
//! share, so that a name means the same thing on the command line and in the gateway.

use std::path::Path;

use crate::engine::Engine;
use crate::patterns::FileError;
use crate::transform::policy::Policy;

/// A policy name that is neither built in nor a usable policy file.
#[derive(Debug, thiserror::Error)]
pub enum PolicyLoadError {
    #[error(
        "unknown policy `{name}` (built-in: safe-harbor, limited-data-set, reversible; \
         or a file path)"
    )]
    Unknown { name: String },
    #[error("reading policy {name}")]
    Read {
        name: String,
        source: std::io::Error,
    },
    /// The file exists but is not a policy: a bad policy file, like a bad rule file.
    #[error(transparent)]
    Parse(#[from] FileError),
}

/// The policy `name` stands for: built into `engine`, or read from the file it names.
pub fn load_policy(engine: &Engine, name: &str) -> Result<Policy, PolicyLoadError> {
    if let Some(p) = engine.policy(name) {
        return Ok(p.clone());
    }
    let path = Path::new(name);
    if !path.exists() {
        return Err(PolicyLoadError::Unknown {
            name: name.to_string(),
        });
    }
    let text = std::fs::read_to_string(path).map_err(|source| PolicyLoadError::Read {
        name: name.to_string(),
        source,
    })?;
    Ok(Policy::parse(name, &text)?)
}
