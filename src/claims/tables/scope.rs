//! The scope tables: which claim types and uses the OT edits are for (`scope.toml`, with the
//! reason each other kind is not) and which revenue codes mean OT on an institutional claim
//! (`revenue.toml`). Owns their types; both are read straight from TOML.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::claims::catalogue::Severity;

/// `revenue.toml`: the revenue codes that mean OT on an institutional claim.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Revenue {
    ot_prefixes: Vec<String>,
    pub missing_hcpcs: Severity,
    pub mismatch: Severity,
}

impl Revenue {
    /// Whether `code` is an OT revenue code.
    pub fn is_ot(&self, code: &str) -> bool {
        self.ot_prefixes
            .iter()
            .any(|p| code.starts_with(p.as_str()))
    }
}

/// `scope.toml`: the claim types and uses the OT edits are for, and why the others are not.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scope {
    in_scope_types: Vec<String>,
    in_scope_uses: Vec<String>,
    types: BTreeMap<String, String>,
    uses: BTreeMap<String, String>,
}

impl Scope {
    /// Why a claim of this type and use is out of scope; `None` when it is in (an absent
    /// type or use is taken as the professional claim it is most likely to be).
    pub fn reason(&self, claim_type: Option<&str>, claim_use: Option<&str>) -> Option<&str> {
        out_reason(claim_type, &self.in_scope_types, &self.types, "other_type")
            .or_else(|| out_reason(claim_use, &self.in_scope_uses, &self.uses, "other_use"))
    }
}

/// The reason a value is out of scope: its own, else the table's `other`; `None` when absent
/// or in scope.
fn out_reason<'a>(
    value: Option<&str>,
    inside: &[String],
    reasons: &'a BTreeMap<String, String>,
    other: &str,
) -> Option<&'a str> {
    let v = value?;
    if inside.iter().any(|x| x == v) {
        return None;
    }
    Some(
        reasons
            .get(v)
            .or_else(|| reasons.get(other))
            .map_or("not an OT professional claim for payment", String::as_str),
    )
}
