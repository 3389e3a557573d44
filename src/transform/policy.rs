//! Policies: which transform each PHI type gets.
//!
//! Owns the policy file format (`patterns/policies/*.toml`) and its validation: every PHI
//! type must have an action, so a policy written before a type existed fails at start-up
//! instead of silently letting that type through.

use std::str::FromStr;

use serde::Deserialize;

use crate::patterns::line_of;
use crate::phi::PhiType;

/// What happens to one detected value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Per-patient consistent shift; only for dates (other types are tokenised).
    DateShift,
    /// Safe Harbor generalisation: ZIP → ZIP3 (`000` when restricted), date → year,
    /// age → `over 89`; types without a generalisation are redacted.
    Generalize,
    /// Left as it is.
    Keep,
    /// All but the last four characters masked.
    Mask,
    /// Replaced by `[TYPE]`; irreversible.
    Redact,
    /// Replaced by a deterministic typed token; reversible through the store.
    Token,
}

impl FromStr for Action {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "date_shift" => Action::DateShift,
            "generalize" => Action::Generalize,
            "keep" => Action::Keep,
            "mask" => Action::Mask,
            "redact" => Action::Redact,
            "token" => Action::Token,
            other => return Err(format!("unknown action `{other}` (expected token, redact, generalize, date_shift, mask or keep)")),
        })
    }
}

/// A loaded policy.
#[derive(Clone, Debug)]
pub struct Policy {
    pub name: String,
    pub description: String,
    /// Tokens from exact spellings (no normalisation), so reveal restores bytes exactly.
    pub exact_tokens: bool,
    /// Largest date shift, in days, either way.
    pub date_shift_max_days: u32,
    actions: [Action; PhiType::ALL.len()],
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    exact_tokens: bool,
    #[serde(default = "default_shift")]
    date_shift_max_days: u32,
    actions: toml::Spanned<toml::Table>,
}

fn default_shift() -> u32 {
    365
}

/// A policy file that cannot be used; names the file and line.
pub type PolicyError = crate::patterns::FileError;

impl Policy {
    pub fn parse(file: &str, source: &str) -> Result<Policy, PolicyError> {
        let err = |line, reason| PolicyError {
            file: file.to_string(),
            line,
            reason,
        };
        let raw: RawPolicy =
            toml::from_str(source).map_err(|e| PolicyError::toml(file, source, &e))?;
        let table_line = line_of(source, raw.actions.span().start);
        let mut actions: [Option<Action>; PhiType::ALL.len()] = [None; PhiType::ALL.len()];
        for (key, value) in raw.actions.get_ref() {
            let ty = key
                .parse::<PhiType>()
                .map_err(|e| err(table_line, e.to_string()))?;
            let action = value
                .as_str()
                .ok_or_else(|| format!("action for {ty} must be a string"))
                .and_then(Action::from_str)
                .map_err(|reason| err(table_line, reason))?;
            actions[ty.index()] = Some(action);
        }
        let missing: Vec<&str> = PhiType::ALL
            .iter()
            .filter(|t| actions[t.index()].is_none())
            .map(|t| t.as_str())
            .collect();
        if !missing.is_empty() {
            return Err(err(
                table_line,
                format!("no action for {}", missing.join(", ")),
            ));
        }
        let actions = actions.map(|a| a.unwrap_or(Action::Redact));
        if raw.date_shift_max_days == 0 || raw.date_shift_max_days > 3650 {
            return Err(err(
                0,
                "date_shift_max_days must be between 1 and 3650".to_string(),
            ));
        }
        Ok(Policy {
            name: raw.name,
            description: raw.description,
            exact_tokens: raw.exact_tokens,
            date_shift_max_days: raw.date_shift_max_days,
            actions,
        })
    }

    pub fn action(&self, ty: PhiType) -> Action {
        self.actions[ty.index()]
    }

    /// A copy with one type's action changed (used by tests and the gateway's route config).
    pub fn with_action(mut self, ty: PhiType, action: Action) -> Policy {
        self.actions[ty.index()] = action;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_types_and_bad_actions_are_refused() {
        let src = "name = \"x\"\n[actions]\nNAME = \"token\"\n";
        let e = Policy::parse("p.toml", src).expect_err("incomplete");
        assert!(e.reason.contains("no action for PROVIDER_NAME"), "{e}");
        let src = "name = \"x\"\n[actions]\nNAME = \"scramble\"\n";
        assert!(Policy::parse("p.toml", src)
            .expect_err("bad")
            .reason
            .contains("unknown action"));
    }
}
