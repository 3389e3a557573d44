//! The claim-edit tables: loaded once at start-up from `patterns/claims/` (built into the
//! binary) or from an operator directory, and checked as they load.
//!
//! Owns the file layout and parsing of every table: the CPT list, the ICD-10-CM code set
//! (generated from the CDC release, see `patterns/claims/SOURCES.md`), diagnosis sequencing
//! and conflict rules, the CPT↔diagnosis alignment table, NCCI PTP and MUE tables in CMS's
//! published layouts, KX thresholds, upcoding words and the payer profiles. A table that does
//! not load stops start-up with its file name, line and reason.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use ring::digest;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};
use time::Date;

use super::edits::catalogue;
use super::{parse_date, ClaimsError, Severity};

/// (file under `patterns/claims/`, built-in contents)
const BUILTIN: &[(&str, &str)] = &[
    ("cpt.toml", include_str!("../../patterns/claims/cpt.toml")),
    (
        "icd10cm.txt",
        include_str!("../../patterns/claims/icd10cm.txt"),
    ),
    (
        "icd10cm-manifestation.txt",
        include_str!("../../patterns/claims/icd10cm-manifestation.txt"),
    ),
    (
        "dx-rules.toml",
        include_str!("../../patterns/claims/dx-rules.toml"),
    ),
    (
        "dx-alignment.toml",
        include_str!("../../patterns/claims/dx-alignment.toml"),
    ),
    (
        "kx-thresholds.toml",
        include_str!("../../patterns/claims/kx-thresholds.toml"),
    ),
    (
        "upcoding.toml",
        include_str!("../../patterns/claims/upcoding.toml"),
    ),
    (
        "scope.toml",
        include_str!("../../patterns/claims/scope.toml"),
    ),
    (
        "revenue.toml",
        include_str!("../../patterns/claims/revenue.toml"),
    ),
    (
        "profiles/medicare.toml",
        include_str!("../../patterns/claims/profiles/medicare.toml"),
    ),
    (
        "profiles/commercial.toml",
        include_str!("../../patterns/claims/profiles/commercial.toml"),
    ),
];

const PTP_SAMPLE: (&str, &str) = (
    "ncci/ptp-sample.txt",
    include_str!("../../patterns/claims/ncci/ptp-sample.txt"),
);
const MUE_SAMPLE: (&str, &str) = (
    "ncci/mue-sample.csv",
    include_str!("../../patterns/claims/ncci/mue-sample.csv"),
);

/// Where a loaded table came from, for evidence snapshots.
#[derive(Debug, Clone, Serialize)]
pub struct TableVersion {
    pub name: String,
    /// `builtin` or the file path.
    pub source: String,
    pub sha256: String,
}

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
struct CptFile {
    codes: HashMap<String, CptInfo>,
}

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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UpcodingFile {
    severity: Severity,
    active_codes: Vec<String>,
    min_passive: u32,
    ratio: f64,
    passive: Vec<String>,
    active: Vec<String>,
}

/// Passive/active wording counter for the upcoding flag.
#[derive(Debug)]
pub struct Upcoding {
    pub severity: Severity,
    pub active_codes: Vec<String>,
    pub min_passive: u32,
    pub ratio: f64,
    words: AhoCorasick,
    passive_count: usize,
}

impl Upcoding {
    /// (passive mentions, active mentions) in `text`, whole words only.
    pub fn count(&self, text: &str) -> (u32, u32) {
        let b = text.as_bytes();
        let (mut p, mut a) = (0, 0);
        for m in self.words.find_iter(text) {
            let before = m.start().checked_sub(1).map(|i| b[i]);
            let after = b.get(m.end()).copied();
            let word = |c: Option<u8>| c.is_some_and(|c| c.is_ascii_alphanumeric());
            if word(before) || word(after) {
                continue;
            }
            if m.pattern().as_usize() < self.passive_count {
                p += 1;
            } else {
                a += 1;
            }
        }
        (p, a)
    }
}

/// One PTP row in force for a date range.
#[derive(Debug, Clone, Copy)]
pub struct PtpRow {
    /// YYYYMMDD
    pub effective: u32,
    /// YYYYMMDD, `None` when the edit is not deleted.
    pub deleted: Option<u32>,
    /// 0 never bypassable, 1 bypassable with an NCCI modifier, 9 not applicable.
    pub indicator: u8,
}

/// An MUE limit.
#[derive(Debug, Clone, Copy)]
pub struct Mue {
    pub value: u32,
    /// MUE adjudication indicator: 1 line edit, 2 absolute DOS edit, 3 DOS edit (clinical).
    pub mai: u8,
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

        let cpt: CptFile = toml_file("cpt.toml", &text("cpt.toml")?)?;
        let mut icd = parse_icd("icd10cm.txt", &text("icd10cm.txt")?)?;
        icd.manifestation = parse_code_list(
            "icd10cm-manifestation.txt",
            &text("icd10cm-manifestation.txt")?,
        )?;
        let dx_rules = dx_rules(&text("dx-rules.toml")?)?;
        let alignment = alignment(&text("dx-alignment.toml")?)?;
        let kx = kx(&text("kx-thresholds.toml")?)?;
        let upcoding = upcoding(&text("upcoding.toml")?)?;
        let scope: Scope = toml_file("scope.toml", &text("scope.toml")?)?;
        let revenue: Revenue = toml_file("revenue.toml", &text("revenue.toml")?)?;

        let mut profiles = BTreeMap::new();
        for name in ["profiles/medicare.toml", "profiles/commercial.toml"] {
            let p = profile(name, &text(name)?)?;
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
                let p = profile(&name, &t)?;
                profiles.insert(p.name.clone(), p);
            }
        }

        // NCCI: operator files (CMS layouts) replace the samples when present.
        let (ptp_files, mue_files) = match dir {
            Some(d) => ncci_files(d)?,
            None => (Vec::new(), Vec::new()),
        };
        let ncci_is_sample = ptp_files.is_empty();
        let mut ptp = Vec::new();
        if ptp_files.is_empty() {
            versions.push(version(PTP_SAMPLE.0, "builtin", PTP_SAMPLE.1));
            parse_ptp(PTP_SAMPLE.0, PTP_SAMPLE.1, &mut ptp)?;
        } else {
            for p in &ptp_files {
                let t = read_latin1(p)?;
                versions.push(version(&file_name(p), &p.display().to_string(), &t));
                parse_ptp(&p.display().to_string(), &t, &mut ptp)?;
            }
        }
        ptp.sort_by_key(|a| a.0);
        let mut mue = HashMap::new();
        let mue_is_sample = mue_files.is_empty();
        if mue_files.is_empty() {
            versions.push(version(MUE_SAMPLE.0, "builtin", MUE_SAMPLE.1));
            parse_mue(MUE_SAMPLE.0, MUE_SAMPLE.1, &mut mue)?;
        } else {
            for p in &mue_files {
                let t = read_latin1(p)?;
                versions.push(version(&file_name(p), &p.display().to_string(), &t));
                parse_mue(&p.display().to_string(), &t, &mut mue)?;
            }
        }

        Ok(Tables {
            cpt: cpt.codes,
            icd,
            dx_rules,
            alignment,
            upcoding,
            kx,
            scope,
            revenue,
            ptp,
            mue,
            ncci_is_sample,
            mue_is_sample,
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
        let Some(k) = pair_key(col1, col2) else {
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

fn pair_key(a: &str, b: &str) -> Option<[u8; 10]> {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != 5 || b.len() != 5 {
        return None;
    }
    let mut k = [0u8; 10];
    k[..5].copy_from_slice(a);
    k[5..].copy_from_slice(b);
    Some(k)
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
        sha256: d.as_ref().iter().map(|b| format!("{b:02x}")).collect(),
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

/// PTP files (`ccipra*`/`*ptp*`, .txt) and MUE files (`*mue*`, .csv/.txt) in `dir` or
/// `dir/ncci/`.
fn ncci_files(dir: &Path) -> Result<(Vec<PathBuf>, Vec<PathBuf>), ClaimsError> {
    let mut ptp = Vec::new();
    let mut mue = Vec::new();
    for d in [dir.to_path_buf(), dir.join("ncci")] {
        for p in files_in(&d)? {
            let n = file_name(&p).to_ascii_lowercase();
            if (n.starts_with("ccipra") || n.contains("ptp")) && n.ends_with(".txt") {
                ptp.push(p);
            } else if n.contains("mue") && (n.ends_with(".csv") || n.ends_with(".txt")) {
                mue.push(p);
            }
        }
    }
    Ok((ptp, mue))
}

fn toml_file<T: serde::de::DeserializeOwned>(file: &str, text: &str) -> Result<T, ClaimsError> {
    toml::from_str(text).map_err(|e| {
        let line = e
            .span()
            .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
        table_err(file, line, e.message())
    })
}

fn valid_code(c: &str) -> bool {
    (3..=7).contains(&c.len())
        && c.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
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

fn dx_rules(text: &str) -> Result<DxRules, ClaimsError> {
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

fn alignment(text: &str) -> Result<Alignment, ClaimsError> {
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

fn kx(text: &str) -> Result<BTreeMap<i32, f64>, ClaimsError> {
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

fn upcoding(text: &str) -> Result<Upcoding, ClaimsError> {
    const F: &str = "upcoding.toml";
    let f: UpcodingFile = toml_file(F, text)?;
    if f.passive.is_empty() || !(f.ratio.is_finite() && f.ratio > 0.0) {
        return Err(table_err(
            F,
            None,
            "needs passive words and a positive ratio",
        ));
    }
    let words = AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::LeftmostLongest)
        .build(f.passive.iter().chain(&f.active))
        .map_err(|e| table_err(F, None, e))?;
    Ok(Upcoding {
        severity: f.severity,
        active_codes: f.active_codes,
        min_passive: f.min_passive,
        ratio: f.ratio,
        words,
        passive_count: f.passive.len(),
    })
}

fn profile(file: &str, text: &str) -> Result<Profile, ClaimsError> {
    let mut p: Profile = toml_file(file, text)?;
    p.telehealth_until = match &p.telehealth_until_raw {
        None => None,
        Some(s) => Some(
            parse_date(s)
                .ok_or_else(|| table_err(file, None, "telehealth_until is not YYYY-MM-DD"))?,
        ),
    };
    let known = catalogue();
    for code in p.disabled.iter().chain(p.severity.keys()) {
        if !known.iter().any(|c| c.code == code) {
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

fn ymd(s: &str) -> Option<u32> {
    (s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

/// CMS PTP layout: a copyright notice and wrapped header, then tab-separated rows
/// `col1, col2, pre-1996, effective, deletion ('*' none), indicator, rationale`.
fn parse_ptp(file: &str, text: &str, out: &mut Vec<([u8; 10], PtpRow)>) -> Result<(), ClaimsError> {
    let mut rows = 0usize;
    for (i, line) in text.lines().enumerate() {
        let f: Vec<&str> = line.split('\t').map(str::trim).collect();
        // Header and notice lines do not start with two codes and an 8-digit date.
        let is_row = f.len() >= 6
            && f[0].len() == 5
            && f[1].len() == 5
            && f[0].bytes().all(|b| b.is_ascii_alphanumeric())
            && ymd(f[3]).is_some();
        if !is_row {
            continue;
        }
        let bad = |what: &str| table_err(file, Some(i + 1), what.to_string());
        let deleted = match f[4] {
            "*" | "" => None,
            d => Some(ymd(d).ok_or_else(|| bad("deletion date is not YYYYMMDD or *"))?),
        };
        let indicator = match f[5] {
            "0" => 0,
            "1" => 1,
            "9" => 9,
            _ => return Err(bad("modifier indicator is not 0, 1 or 9")),
        };
        let k = pair_key(f[0], f[1]).ok_or_else(|| bad("codes are not 5 characters"))?;
        out.push((
            k,
            PtpRow {
                effective: ymd(f[3]).unwrap_or(0),
                deleted,
                indicator,
            },
        ));
        rows += 1;
    }
    if rows == 0 {
        return Err(table_err(
            file,
            None,
            "no PTP rows (expected CMS tab-separated layout)",
        ));
    }
    Ok(())
}

/// Splits one CSV line (quotes allowed).
fn csv_fields(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    out.push(cur);
    out
}

/// CMS MUE layout: a copyright line, a header, then CSV rows
/// `code, MUE value, MAI (leading digit), rationale`.
fn parse_mue(file: &str, text: &str, out: &mut HashMap<String, Mue>) -> Result<(), ClaimsError> {
    let mut rows = 0usize;
    for (i, line) in text.lines().enumerate() {
        let f = csv_fields(line);
        let code = f.first().map(|s| s.trim()).unwrap_or("");
        let is_row = f.len() >= 3
            && code.len() == 5
            && code.bytes().all(|b| b.is_ascii_alphanumeric())
            && f[1].trim().parse::<u32>().is_ok();
        if !is_row {
            continue;
        }
        let mai = match f[2].trim().bytes().next() {
            Some(b @ b'1'..=b'3') => b - b'0',
            _ => {
                return Err(table_err(
                    file,
                    Some(i + 1),
                    "MUE adjudication indicator does not start with 1, 2 or 3",
                ))
            }
        };
        let value = f[1].trim().parse().unwrap_or(0);
        out.insert(code.to_string(), Mue { value, mai });
        rows += 1;
    }
    if rows == 0 {
        return Err(table_err(
            file,
            None,
            "no MUE rows (expected CMS CSV layout)",
        ));
    }
    Ok(())
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
    fn code_patterns() {
        let p = CodePattern::new("I69?5");
        assert!(p.matches("I69351"));
        assert!(p.matches("I69054"));
        assert!(!p.matches("I69398"));
        assert!(!p.matches("I69"));
    }

    #[test]
    fn ptp_layout_with_dates_and_duplicates() {
        let mut rows = Vec::new();
        let text = "Copyright notice\nColumn 1\tColumn 2\t*\tEff\tDel\tMod\tRat\n\
                    97140\t97530\t\t20200101\t*\t1\tx\n97140\t97530\t\t20190101\t20191231\t0\tx\n";
        parse_ptp("t", text, &mut rows).unwrap();
        assert_eq!(rows.len(), 2);
        let mut bad = Vec::new();
        let err = parse_ptp("t", "97140\t97530\t\t20200101\t*\t7\tx\n", &mut bad).unwrap_err();
        assert!(err.to_string().contains("t line 1"), "{err}");
    }

    #[test]
    fn mue_layout() {
        let mut m = HashMap::new();
        let text = "\"Copyright, AMA\"\nHCPCS/CPT Code,Practitioner Services MUE Values,MUE Adjudication Indicator,MUE Rationale\n97110,6,\"3 Date of Service Edit: Clinical\",Clinical\n";
        parse_mue("m", text, &mut m).unwrap();
        assert_eq!(m["97110"].value, 6);
        assert_eq!(m["97110"].mai, 3);
    }

    #[test]
    fn a_misspelt_profile_key_stops_loading() {
        let t = include_str!("../../patterns/claims/profiles/medicare.toml")
            .replace("kx = true", "kx_enabled = true");
        let e = profile("profiles/medicare.toml", &t).unwrap_err();
        assert!(e.to_string().contains("profiles/medicare.toml"), "{e}");
        let t = include_str!("../../patterns/claims/profiles/medicare.toml")
            .replace("disabled = []", "disabled = [\"no-such-code\"]");
        assert!(profile("p", &t).is_err());
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
