//! The NCCI tables in CMS's published layouts: procedure-to-procedure pairs (PTP, tab
//! separated) and medically unlikely edits (MUE, CSV). Operator files found in the tables
//! directory replace the built-in samples, which are marked as samples so the edits never
//! block on them. Owns the layouts, the sample fallback and the pair key.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::{file_name, files_in, read_latin1, table_err, version, TableVersion};
use crate::claims::error::ClaimsError;

const PTP_SAMPLE: (&str, &str) = (
    "ncci/ptp-sample.txt",
    include_str!("../../../patterns/claims/ncci/ptp-sample.txt"),
);

const MUE_SAMPLE: (&str, &str) = (
    "ncci/mue-sample.csv",
    include_str!("../../../patterns/claims/ncci/mue-sample.csv"),
);

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

pub(super) fn pair_key(a: &str, b: &str) -> Option<[u8; 10]> {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != 5 || b.len() != 5 {
        return None;
    }
    let mut k = [0u8; 10];
    k[..5].copy_from_slice(a);
    k[5..].copy_from_slice(b);
    Some(k)
}

/// PTP files (`ccipra*`/`*ptp*`, .txt) and MUE files (`*mue*`, .csv/.txt) in `dir` or
/// `dir/ncci/`.
/// The NCCI tables as loaded: operator files in CMS's layouts, else the built-in samples.
pub(super) struct Ncci {
    /// Sorted by pair key (column 1 + column 2).
    pub ptp: Vec<([u8; 10], PtpRow)>,
    pub mue: HashMap<String, Mue>,
    pub ptp_is_sample: bool,
    pub mue_is_sample: bool,
}

/// Loads PTP and MUE tables from `dir` (or `dir/ncci/`), each falling back to its sample on
/// its own, and records every file read in `versions`.
pub(super) fn load(
    dir: Option<&Path>,
    versions: &mut Vec<TableVersion>,
) -> Result<Ncci, ClaimsError> {
    let (ptp_files, mue_files) = match dir {
        Some(d) => ncci_files(d)?,
        None => (Vec::new(), Vec::new()),
    };
    let mut ptp = Vec::new();
    let ptp_is_sample = parse_each(&ptp_files, PTP_SAMPLE, versions, |file, text| {
        parse_ptp(file, text, &mut ptp)
    })?;
    ptp.sort_by_key(|a| a.0);
    let mut mue = HashMap::new();
    let mue_is_sample = parse_each(&mue_files, MUE_SAMPLE, versions, |file, text| {
        parse_mue(file, text, &mut mue)
    })?;
    Ok(Ncci {
        ptp,
        mue,
        ptp_is_sample,
        mue_is_sample,
    })
}

/// Feeds every file to `parse`, or the built-in `sample` when there is none; `true` when the
/// sample was used. CMS publishes these files in Latin-1.
fn parse_each(
    files: &[PathBuf],
    sample: (&str, &str),
    versions: &mut Vec<TableVersion>,
    mut parse: impl FnMut(&str, &str) -> Result<(), ClaimsError>,
) -> Result<bool, ClaimsError> {
    if files.is_empty() {
        versions.push(version(sample.0, "builtin", sample.1));
        parse(sample.0, sample.1)?;
        return Ok(true);
    }
    for p in files {
        let text = read_latin1(p)?;
        let source = p.display().to_string();
        versions.push(version(&file_name(p), &source, &text));
        parse(&source, &text)?;
    }
    Ok(false)
}

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
}
