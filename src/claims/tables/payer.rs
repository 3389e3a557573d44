//! The payer tables: profiles (`profiles/*.toml`: which units rule, which modifiers, plan of
//! care intervals, NCCI and MUE switches, disabled codes and severity overrides) and the KX
//! thresholds by year (`kx-thresholds.toml`). A profile may only name finding codes the
//! catalogue knows, so a typo stops start-up instead of silently disabling nothing.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;
use time::Date;

use super::{table_err, toml_file};
use crate::claims::catalogue::{is_known, Severity};
use crate::claims::error::ClaimsError;
use crate::claims::model::parse_date;

/// How timed units are counted from minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum UnitsRule {
    /// CMS 8-minute rule: total timed minutes → units, then distributed.
    CmsTotalTime,
    /// AMA rule of eights: each code on its own.
    PerCode,
}

/// A payer profile (`patterns/claims/profiles/*.toml`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub name: String,
    pub units_rule: UnitsRule,
    pub discipline_modifier: bool,
    pub assistant_modifier: bool,
    pub kx: bool,
    pub telehealth_modifier: String,
    pub telehealth_pos: Vec<String>,
    #[serde(default, rename = "telehealth_until")]
    telehealth_until_raw: Option<String>,
    #[serde(skip)]
    pub telehealth_until: Option<Date>,
    pub plan_of_care: bool,
    pub cert_days: i64,
    pub recert_days: i64,
    pub progress_report_visits: u32,
    pub ncci: bool,
    pub mue: bool,
    #[serde(default)]
    pub disabled: Vec<String>,
    #[serde(default)]
    pub severity: HashMap<String, Severity>,
}

impl Profile {
    pub fn enabled(&self, code: &str) -> bool {
        !self.disabled.iter().any(|d| d == code)
    }
}

pub(super) fn profile(file: &str, text: &str) -> Result<Profile, ClaimsError> {
    let mut p: Profile = toml_file(file, text)?;
    p.telehealth_until = match &p.telehealth_until_raw {
        None => None,
        Some(s) => Some(
            parse_date(s)
                .ok_or_else(|| table_err(file, None, "telehealth_until is not YYYY-MM-DD"))?,
        ),
    };
    for code in p.disabled.iter().chain(p.severity.keys()) {
        if !is_known(code) {
            return Err(table_err(
                file,
                None,
                format!("unknown finding code `{code}`"),
            ));
        }
    }
    if p.name.is_empty() {
        return Err(table_err(file, None, "profile needs a name"));
    }
    Ok(p)
}

pub(super) fn kx(text: &str) -> Result<BTreeMap<i32, f64>, ClaimsError> {
    const F: &str = "kx-thresholds.toml";
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct KxFile {
        years: BTreeMap<String, f64>,
    }
    let f: KxFile = toml_file(F, text)?;
    f.years
        .into_iter()
        .map(|(y, v)| {
            let year = y
                .parse::<i32>()
                .map_err(|_| table_err(F, None, format!("`{y}` is not a year")))?;
            if !(v.is_finite() && v > 0.0) {
                return Err(table_err(
                    F,
                    None,
                    format!("{year}: threshold must be positive"),
                ));
            }
            Ok((year, v))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn a_misspelt_profile_key_stops_loading() {
        let t = include_str!("../../../patterns/claims/profiles/medicare.toml")
            .replace("kx = true", "kx_enabled = true");
        let e = profile("profiles/medicare.toml", &t).unwrap_err();
        assert!(e.to_string().contains("profiles/medicare.toml"), "{e}");
        let t = include_str!("../../../patterns/claims/profiles/medicare.toml")
            .replace("disabled = []", "disabled = [\"no-such-code\"]");
        assert!(profile("p", &t).is_err());
    }
}
