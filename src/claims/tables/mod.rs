//! The claim-edit tables: loaded once at start-up from `patterns/claims/` (built into the
//! binary) or from an operator directory, and checked as they load.
//!
//! Owns [`Tables`], the directory layout (which file replaces which built-in twin), the
//! version record of every file read, and the shared file helpers (errors as `file line N:
//! reason`). Each table family's types and file format live in their own module: [`codes`]
//! (CPT list, ICD-10-CM), [`dx`] (sequencing, Excludes1, alignment), [`ncci`] (PTP and MUE in
//! CMS's layouts), [`payer`] (profiles, KX thresholds), [`scope`] (claim scope, revenue codes)
//! and [`upcoding`] (wording). A table that does not load stops start-up with its file name,
//! line and reason. Below the edits: reads only the catalogue and the claim model.

pub mod codes;
pub mod dx;
pub mod ncci;
pub mod payer;
pub mod remit;
pub mod scope;
pub mod upcoding;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use ring::digest;
use serde::Serialize;

use super::error::ClaimsError;

pub use codes::{CptInfo, Discipline, Icd10, IcdStatus, Kind};
pub use dx::{Alignment, CodePattern, DxRule, DxRules, Excludes1};
pub use ncci::{Mue, PtpRow};
pub use payer::{Profile, UnitsRule};
pub use remit::{Carc, RemitCodes, StatusKind};
pub use scope::{Revenue, Scope};
pub use upcoding::Upcoding;

/// (file under `patterns/claims/`, built-in contents)
const BUILTIN: &[(&str, &str)] = &[
    (
        "cpt.toml",
        include_str!("../../../patterns/claims/cpt.toml"),
    ),
    (
        "icd10cm.txt",
        include_str!("../../../patterns/claims/icd10cm.txt"),
    ),
    (
        "icd10cm-manifestation.txt",
        include_str!("../../../patterns/claims/icd10cm-manifestation.txt"),
    ),
    (
        "dx-rules.toml",
        include_str!("../../../patterns/claims/dx-rules.toml"),
    ),
    (
        "dx-alignment.toml",
        include_str!("../../../patterns/claims/dx-alignment.toml"),
    ),
    (
        "kx-thresholds.toml",
        include_str!("../../../patterns/claims/kx-thresholds.toml"),
    ),
    (
        "upcoding.toml",
        include_str!("../../../patterns/claims/upcoding.toml"),
    ),
    (
        "scope.toml",
        include_str!("../../../patterns/claims/scope.toml"),
    ),
    (
        "revenue.toml",
        include_str!("../../../patterns/claims/revenue.toml"),
    ),
    (
        "remit.toml",
        include_str!("../../../patterns/claims/remit.toml"),
    ),
    (
        "profiles/medicare.toml",
        include_str!("../../../patterns/claims/profiles/medicare.toml"),
    ),
    (
        "profiles/commercial.toml",
        include_str!("../../../patterns/claims/profiles/commercial.toml"),
    ),
];

/// Where a loaded table came from, for evidence snapshots.
#[derive(Debug, Clone, Serialize)]
pub struct TableVersion {
    pub name: String,
    /// `builtin` or the file path.
    pub source: String,
    pub sha256: String,
}

/// Every table the edits read.
#[derive(Debug)]
pub struct Tables {
    pub cpt: HashMap<String, CptInfo>,
    pub icd: Icd10,
    pub dx_rules: DxRules,
    pub alignment: Alignment,
    pub upcoding: Upcoding,
    /// Calendar year → OT threshold in dollars.
    pub kx: BTreeMap<i32, f64>,
    /// Which claim types and uses the OT edits are for.
    pub scope: Scope,
    /// Revenue codes on institutional claims.
    pub revenue: Revenue,
    /// How an 835 remittance is read (statuses, CARCs and the edits they fall to).
    pub remit: RemitCodes,
    /// Sorted by pair key (column 1 + column 2).
    ptp: Vec<([u8; 10], PtpRow)>,
    pub mue: HashMap<String, Mue>,
    /// True when the NCCI tables are the shipped samples.
    pub ncci_is_sample: bool,
    /// No operator MUE file was given: the MUE limits are the built-in samples.
    pub mue_is_sample: bool,
    profiles: BTreeMap<String, Profile>,
    versions: Vec<TableVersion>,
}

// === impl Tables ===

impl Tables {
    /// Loads every table; files in `dir` replace their built-in twins.
    pub fn load(dir: Option<&Path>) -> Result<Tables, ClaimsError> {
        let mut versions = Vec::new();
        let mut text = |name: &str| -> Result<String, ClaimsError> {
            let builtin = BUILTIN
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, t)| *t)
                .unwrap_or("");
            let (source, t) = match dir.map(|d| d.join(name)).filter(|p| p.is_file()) {
                Some(p) => (p.display().to_string(), read_text(&p)?),
                None => ("builtin".to_string(), builtin.to_string()),
            };
            versions.push(version(name, &source, &t));
            Ok(t)
        };

        let cpt: codes::CptFile = toml_file("cpt.toml", &text("cpt.toml")?)?;
        let icd = codes::icd10(&text("icd10cm.txt")?, &text("icd10cm-manifestation.txt")?)?;
        let dx_rules = dx::dx_rules(&text("dx-rules.toml")?)?;
        let alignment = dx::alignment(&text("dx-alignment.toml")?)?;
        let kx = payer::kx(&text("kx-thresholds.toml")?)?;
        let upcoding = upcoding::upcoding(&text("upcoding.toml")?)?;
        let scope: Scope = toml_file("scope.toml", &text("scope.toml")?)?;
        let revenue: Revenue = toml_file("revenue.toml", &text("revenue.toml")?)?;
        let remit = remit::remit(&text("remit.toml")?)?;

        let mut profiles = BTreeMap::new();
        for name in ["profiles/medicare.toml", "profiles/commercial.toml"] {
            let p = payer::profile(name, &text(name)?)?;
            profiles.insert(p.name.clone(), p);
        }
        if let Some(d) = dir {
            for path in files_in(&d.join("profiles"))? {
                let name = format!("profiles/{}", file_name(&path));
                if !name.ends_with(".toml") || BUILTIN.iter().any(|(n, _)| *n == name) {
                    continue;
                }
                let t = read_text(&path)?;
                versions.push(version(&name, &path.display().to_string(), &t));
                let p = payer::profile(&name, &t)?;
                profiles.insert(p.name.clone(), p);
            }
        }

        // NCCI: operator files (CMS layouts) replace the samples when present.
        let ncci = ncci::load(dir, &mut versions)?;

        Ok(Tables {
            cpt: cpt.codes,
            icd,
            dx_rules,
            alignment,
            upcoding,
            kx,
            scope,
            revenue,
            remit,
            ptp: ncci.ptp,
            mue: ncci.mue,
            ncci_is_sample: ncci.ptp_is_sample,
            mue_is_sample: ncci.mue_is_sample,
            profiles,
            versions,
        })
    }

    pub fn versions(&self) -> &[TableVersion] {
        &self.versions
    }

    pub fn profile(&self, name: &str) -> Result<&Profile, ClaimsError> {
        self.profiles.get(name).ok_or_else(|| {
            ClaimsError::UnknownProfile(name.to_string(), self.profile_names().join(", "))
        })
    }

    pub fn profile_names(&self) -> Vec<&str> {
        self.profiles.keys().map(String::as_str).collect()
    }

    /// PTP rows for (column 1, column 2).
    pub fn ptp(&self, col1: &str, col2: &str) -> &[([u8; 10], PtpRow)] {
        let Some(k) = ncci::pair_key(col1, col2) else {
            return &[];
        };
        let lo = self.ptp.partition_point(|(x, _)| *x < k);
        let hi = self.ptp.partition_point(|(x, _)| *x <= k);
        &self.ptp[lo..hi]
    }

    pub fn ptp_rows(&self) -> usize {
        self.ptp.len()
    }
}

fn table_err(file: &str, line: Option<usize>, reason: impl std::fmt::Display) -> ClaimsError {
    ClaimsError::Table {
        file: match line {
            Some(l) => format!("{file} line {l}"),
            None => file.to_string(),
        },
        reason: reason.to_string(),
    }
}

fn read_text(p: &Path) -> Result<String, ClaimsError> {
    std::fs::read_to_string(p).map_err(|e| table_err(&p.display().to_string(), None, e))
}

/// CMS NCCI files are Latin-1.
fn read_latin1(p: &Path) -> Result<String, ClaimsError> {
    let bytes = std::fs::read(p).map_err(|e| table_err(&p.display().to_string(), None, e))?;
    Ok(match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => e.into_bytes().iter().map(|b| char::from(*b)).collect(),
    })
}

fn version(name: &str, source: &str, text: &str) -> TableVersion {
    let d = digest::digest(&digest::SHA256, text.as_bytes());
    TableVersion {
        name: name.to_string(),
        source: source.to_string(),
        sha256: crate::hex::encode(d.as_ref()),
    }
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn files_in(dir: &Path) -> Result<Vec<PathBuf>, ClaimsError> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let rd = std::fs::read_dir(dir).map_err(|e| table_err(&dir.display().to_string(), None, e))?;
    let mut out: Vec<PathBuf> = rd
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    out.sort();
    Ok(out)
}

fn toml_file<T: serde::de::DeserializeOwned>(file: &str, text: &str) -> Result<T, ClaimsError> {
    toml::from_str(text).map_err(|e| {
        let line = e
            .span()
            .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
        table_err(file, line, e.message())
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn builtin_tables_load_with_the_release_counts() {
        let t = Tables::load(None).unwrap();
        assert_eq!(t.icd.billable_count(), 74_719);
        assert_eq!(t.icd.len(), 98_186);
        assert!(t.icd.release.contains("2026"));
        assert_eq!(
            t.icd.status("M62.81".replace('.', "").as_str()),
            IcdStatus::Billable
        );
        assert_eq!(t.icd.status("M2564"), IcdStatus::Header);
        assert_eq!(t.icd.status("S62101A"), IcdStatus::Billable);
        assert_eq!(t.icd.status("S6210"), IcdStatus::Header);
        assert_eq!(t.icd.status("G20A1"), IcdStatus::Billable);
        assert_eq!(t.icd.status("G20"), IcdStatus::Header);
        assert_eq!(t.icd.status("QA00101"), IcdStatus::Billable);
        assert_eq!(t.icd.status("Q999Z"), IcdStatus::Unknown);
        assert!(t.icd.is_manifestation("G63"));
        assert!(t.icd.is_manifestation("F0280"));
        assert!(!t.icd.is_manifestation("G81"));
        assert!(t.ncci_is_sample);
        assert_eq!(t.profile_names(), ["commercial", "medicare"]);
        assert!(t.versions().iter().any(|v| v.name == "icd10cm.txt"));
    }

    #[test]
    fn upcoding_counts_whole_words() {
        let t = Tables::load(None).unwrap();
        let (p, a) = t
            .upcoding
            .count("Passive ROM, hot pack; PROM. impassive activity");
        assert_eq!((p, a), (3, 1));
    }
}
