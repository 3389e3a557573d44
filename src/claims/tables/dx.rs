//! The diagnosis tables: sequencing and conflict rules (`dx-rules.toml`: codes never first,
//! first-listed only, usually secondary, Excludes1 pairs) and the CPT↔diagnosis alignment
//! table (`dx-alignment.toml`), both written as [`CodePattern`]s. Owns their types, their
//! file formats and the pattern syntax.

use std::collections::HashMap;

use serde::Deserialize;

use super::{table_err, toml_file};
use crate::claims::catalogue::Severity;
use crate::claims::error::ClaimsError;

/// A code pattern: a prefix without the dot where `?` matches any one character.
#[derive(Debug, Clone)]
pub struct CodePattern(Vec<u8>);

impl CodePattern {
    fn new(s: &str) -> CodePattern {
        CodePattern(s.trim().to_ascii_uppercase().replace('.', "").into_bytes())
    }

    pub fn matches(&self, code: &str) -> bool {
        let c = code.as_bytes();
        c.len() >= self.0.len() && self.0.iter().zip(c).all(|(p, b)| *p == b'?' || p == b)
    }
}

fn any_match(pats: &[CodePattern], code: &str) -> bool {
    pats.iter().any(|p| p.matches(code))
}

/// A list of code patterns with a severity and a reason.
#[derive(Debug, Clone)]
pub struct DxRule {
    pub patterns: Vec<CodePattern>,
    pub severity: Severity,
    pub why: String,
}

impl DxRule {
    pub fn matches(&self, code: &str) -> bool {
        any_match(&self.patterns, code)
    }
}

/// An Excludes1 pair of code families.
#[derive(Debug, Clone)]
pub struct Excludes1 {
    pub a: Vec<CodePattern>,
    pub b: Vec<CodePattern>,
    pub a_seventh: Option<u8>,
    pub b_seventh: Option<u8>,
    pub why: String,
}

impl Excludes1 {
    fn side(pats: &[CodePattern], seventh: Option<u8>, code: &str) -> bool {
        any_match(pats, code) && seventh.is_none_or(|s| code.as_bytes().get(6) == Some(&s))
    }

    pub fn matches_a(&self, code: &str) -> bool {
        Self::side(&self.a, self.a_seventh, code)
    }

    pub fn matches_b(&self, code: &str) -> bool {
        Self::side(&self.b, self.b_seventh, code)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PatRuleFile {
    pattern: Vec<String>,
    severity: Severity,
    why: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExclFile {
    a: Vec<String>,
    b: Vec<String>,
    #[serde(default)]
    a_seventh: Option<String>,
    #[serde(default)]
    b_seventh: Option<String>,
    why: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DxRulesFile {
    #[serde(default)]
    not_first: Vec<PatRuleFile>,
    #[serde(default)]
    first_only: Vec<PatRuleFile>,
    #[serde(default)]
    usually_secondary: Vec<PatRuleFile>,
    #[serde(default)]
    excludes1: Vec<ExclFile>,
}

/// Diagnosis sequencing and conflict rules.
#[derive(Debug, Default)]
pub struct DxRules {
    pub not_first: Vec<DxRule>,
    pub first_only: Vec<DxRule>,
    pub usually_secondary: Vec<DxRule>,
    pub excludes1: Vec<Excludes1>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AlignFile {
    severity: Severity,
    groups: HashMap<String, Vec<String>>,
    codes: HashMap<String, String>,
}

/// CPT → diagnosis families that support it.
#[derive(Debug, Default)]
pub struct Alignment {
    pub severity: Option<Severity>,
    pub codes: HashMap<String, (String, Vec<CodePattern>)>,
}

fn patterns(file: &str, list: &[String]) -> Result<Vec<CodePattern>, ClaimsError> {
    list.iter()
        .map(|s| {
            let p = CodePattern::new(s);
            if p.0.is_empty() || !p.0.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'?') {
                Err(table_err(file, None, format!("bad code pattern `{s}`")))
            } else {
                Ok(p)
            }
        })
        .collect()
}

fn seventh(file: &str, s: Option<&String>) -> Result<Option<u8>, ClaimsError> {
    match s.map(|s| s.as_bytes()) {
        None => Ok(None),
        Some([c]) if c.is_ascii_alphanumeric() => Ok(Some(c.to_ascii_uppercase())),
        Some(_) => Err(table_err(
            file,
            None,
            "a 7th character is one letter or digit",
        )),
    }
}

pub(super) fn dx_rules(text: &str) -> Result<DxRules, ClaimsError> {
    const F: &str = "dx-rules.toml";
    let f: DxRulesFile = toml_file(F, text)?;
    let rules = |v: Vec<PatRuleFile>| -> Result<Vec<DxRule>, ClaimsError> {
        v.into_iter()
            .map(|r| {
                Ok(DxRule {
                    patterns: patterns(F, &r.pattern)?,
                    severity: r.severity,
                    why: r.why,
                })
            })
            .collect()
    };
    Ok(DxRules {
        not_first: rules(f.not_first)?,
        first_only: rules(f.first_only)?,
        usually_secondary: rules(f.usually_secondary)?,
        excludes1: f
            .excludes1
            .into_iter()
            .map(|e| {
                Ok(Excludes1 {
                    a: patterns(F, &e.a)?,
                    b: patterns(F, &e.b)?,
                    a_seventh: seventh(F, e.a_seventh.as_ref())?,
                    b_seventh: seventh(F, e.b_seventh.as_ref())?,
                    why: e.why,
                })
            })
            .collect::<Result<_, ClaimsError>>()?,
    })
}

pub(super) fn alignment(text: &str) -> Result<Alignment, ClaimsError> {
    const F: &str = "dx-alignment.toml";
    let f: AlignFile = toml_file(F, text)?;
    let mut codes = HashMap::new();
    for (cpt, group) in f.codes {
        let list = f
            .groups
            .get(&group)
            .ok_or_else(|| table_err(F, None, format!("code {cpt}: unknown group `{group}`")))?;
        codes.insert(cpt, (group.clone(), patterns(F, list)?));
    }
    Ok(Alignment {
        severity: Some(f.severity),
        codes,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn code_patterns() {
        let p = CodePattern::new("I69?5");
        assert!(p.matches("I69351"));
        assert!(p.matches("I69054"));
        assert!(!p.matches("I69398"));
        assert!(!p.matches("I69"));
    }
}
