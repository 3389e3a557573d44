//! The code tables: the OT CPT/HCPCS list (`cpt.toml`: timed or not, therapy, discipline,
//! kind, add-on parent, descriptor limit) and the ICD-10-CM code set (`icd10cm.txt`,
//! generated from the CDC release, see `patterns/claims/SOURCES.md`, with its manifestation
//! codes). Owns their types and their file formats; the loading order is [`super::Tables`]'s.

use std::collections::HashMap;

use rustc_hash::{FxHashMap, FxHashSet};
use serde::Deserialize;

use super::table_err;
use crate::claims::error::ClaimsError;

/// What a CPT/HCPCS code is, for the edits.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CptInfo {
    pub timed: bool,
    pub therapy: bool,
    #[serde(default)]
    pub discipline: Discipline,
    pub kind: Kind,
    #[serde(default)]
    pub addon_of: Option<String>,
    #[serde(default)]
    pub max_units: Option<u32>,
    #[serde(default)]
    pub note: Option<String>,
}

/// Which discipline may bill a code.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Discipline {
    #[default]
    Any,
    Ot,
}

/// What kind of service a code is (the upcoding check reads it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Active,
    Eval,
    Group,
    Other,
    Passive,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CptFile {
    pub(super) codes: HashMap<String, CptInfo>,
}

type Key = [u8; 8];

fn key(code: &str) -> Option<Key> {
    let b = code.as_bytes();
    if b.is_empty() || b.len() > 8 {
        return None;
    }
    let mut k = [0u8; 8];
    k[..b.len()].copy_from_slice(b);
    Some(k)
}

/// The ICD-10-CM code set: every category, subcategory and code, and which are billable.
#[derive(Debug, Default)]
pub struct Icd10 {
    pub release: String,
    /// code (no dot) → billable
    codes: FxHashMap<Key, bool>,
    manifestation: FxHashSet<Key>,
}

/// What the code set says about a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IcdStatus {
    Billable,
    Header,
    Unknown,
}

impl Icd10 {
    pub fn status(&self, code: &str) -> IcdStatus {
        match key(code).and_then(|k| self.codes.get(&k)) {
            Some(true) => IcdStatus::Billable,
            Some(false) => IcdStatus::Header,
            None => IcdStatus::Unknown,
        }
    }

    pub fn is_manifestation(&self, code: &str) -> bool {
        key(code).is_some_and(|k| self.manifestation.contains(&k))
    }

    pub fn billable_count(&self) -> usize {
        self.codes.values().filter(|b| **b).count()
    }

    pub fn len(&self) -> usize {
        self.codes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }
}

fn valid_code(c: &str) -> bool {
    (3..=7).contains(&c.len())
        && c.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// The code set from `icd10cm.txt` with the manifestation codes of
/// `icd10cm-manifestation.txt` marked.
pub(super) fn icd10(codes: &str, manifestation: &str) -> Result<Icd10, ClaimsError> {
    let mut icd = parse_icd("icd10cm.txt", codes)?;
    icd.manifestation = parse_code_list("icd10cm-manifestation.txt", manifestation)?;
    Ok(icd)
}

fn parse_icd(file: &str, text: &str) -> Result<Icd10, ClaimsError> {
    let mut icd = Icd10::default();
    icd.codes.reserve(100_000);
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if let Some(r) = line.strip_prefix("# release:") {
            icd.release = r.trim().to_string();
            continue;
        }
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let bad = || {
            table_err(
                file,
                Some(i + 1),
                "expected `H CODE`, `CODE` or `CODE:CHARS`",
            )
        };
        if let Some(h) = line.strip_prefix("H ") {
            if !valid_code(h) {
                return Err(bad());
            }
            icd.codes.insert(key(h).ok_or_else(bad)?, false);
        } else if let Some((stem, chars)) = line.split_once(':') {
            if stem.len() != 6 || !valid_code(stem) || chars.is_empty() {
                return Err(bad());
            }
            for c in chars.bytes() {
                if !(c.is_ascii_uppercase() || c.is_ascii_digit()) {
                    return Err(bad());
                }
                let mut k = key(stem).ok_or_else(bad)?;
                k[6] = c;
                icd.codes.insert(k, true);
            }
        } else {
            if !valid_code(line) {
                return Err(bad());
            }
            icd.codes.insert(key(line).ok_or_else(bad)?, true);
        }
    }
    if icd.codes.is_empty() {
        return Err(table_err(file, None, "no codes"));
    }
    Ok(icd)
}

fn parse_code_list(file: &str, text: &str) -> Result<FxHashSet<Key>, ClaimsError> {
    let mut out = FxHashSet::default();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if !valid_code(line) {
            return Err(table_err(file, Some(i + 1), "not an ICD-10-CM code"));
        }
        out.extend(key(line));
    }
    Ok(out)
}
