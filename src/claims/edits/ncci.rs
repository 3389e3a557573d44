//! NCCI procedure-to-procedure pairs and MUE limits, from tables in CMS's published layouts
//! (loaded by [`crate::claims::tables`]; the repository ships only marked samples).
//!
//! A PTP row applies to two codes on one date of service (one claim = one beneficiary and
//! one provider). Indicator 0: never billable together; 1: the column-2 line needs 59 or
//! XE/XS/XP/XU; 9: not applicable. A row is in force when its effective date ≤ DOS ≤ its
//! deletion date (inclusive: our reading of the layout, unverified against CMS's
//! documentation); duplicates keep the row with the latest effective date in force.
//!
//! Institutional (837I) claims skip the family: their tables are the hospital ones.
//! Without operator tables the built-in samples are used; their rows are unverified, so what
//! they find is at most a warning that says it came from a sample, never a reason to block.

use std::collections::BTreeMap;

use time::Date;

use super::Ctx;
use crate::claims::catalogue::Severity;
use crate::claims::tables::PtpRow;

/// Appended to a finding from a sample table.
const SAMPLE_NOTE: &str =
    " (sample NCCI table, not CMS data: a warning only; load the CMS files with --tables)";

/// The strongest severity a finding from these tables may have, and the note it carries.
fn trust(sample: bool) -> (Severity, &'static str) {
    if sample {
        (Severity::Warning, SAMPLE_NOTE)
    } else {
        (Severity::Error, "")
    }
}

/// The distinct-procedure modifiers that bypass an indicator-1 edit.
pub const DISTINCT: [&str; 5] = ["59", "XE", "XS", "XP", "XU"];

fn ymd(d: Date) -> u32 {
    let y = u32::try_from(d.year()).unwrap_or(0);
    y * 10_000 + u32::from(u8::from(d.month())) * 100 + u32::from(d.day())
}

fn in_force(rows: &[([u8; 10], PtpRow)], dos: Option<Date>) -> Option<PtpRow> {
    rows.iter()
        .map(|(_, r)| *r)
        .filter(|r| match dos {
            Some(d) => {
                let d = ymd(d);
                r.effective <= d && r.deleted.is_none_or(|x| d <= x)
            }
            None => r.deleted.is_none(),
        })
        .max_by_key(|r| r.effective)
}

/// Runs the PTP and MUE edits. Returns, per line index, whether a PTP pair needs a distinct
/// modifier on it (for the modifier edits); `None` when the profile skips NCCI.
pub(crate) fn check(cx: &mut Ctx<'_>) -> Option<Vec<bool>> {
    let claim = cx.claim;
    // Institutional claims are edited against CMS's hospital outpatient PTP and facility MUE
    // tables, which phigate does not load (the samples and operator files are practitioner).
    if claim.institutional {
        cx.skip("ncci");
        return None;
    }
    let t = cx.tables;
    let (cap, sample) = trust(t.ncci_is_sample);
    let (mue_cap, mue_sample) = trust(t.mue_is_sample);
    let mut needs = vec![false; claim.lines.len()];
    if cx.profile.ncci {
        for (i, a) in claim.lines.iter().enumerate() {
            for (j, b) in claim.lines.iter().enumerate() {
                if i == j || a.code == b.code || claim.line_date(a) != claim.line_date(b) {
                    continue;
                }
                let Some(row) = in_force(t.ptp(&a.code, &b.code), claim.line_date(a)) else {
                    continue;
                };
                match row.indicator {
                    0 => cx.report_capped(
                        "ncci-ptp-not-allowed",
                        cap,
                        Some(b.number),
                        format!(
                            "{} (column 2) is not payable with {} (column 1) on the same date; no modifier bypasses it{sample}",
                            b.code, a.code
                        ),
                    ),
                    1 => {
                        needs[j] = true;
                        let on_b = DISTINCT.iter().any(|m| b.has_modifier(m));
                        if !on_b {
                            let hint = if DISTINCT.iter().any(|m| a.has_modifier(m)) {
                                "; the modifier is on the column-1 line, it belongs on the column-2 line"
                            } else {
                                ""
                            };
                            cx.report_capped(
                                "ncci-ptp-modifier-required",
                                cap,
                                Some(b.number),
                                format!(
                                    "{} (column 2) with {} (column 1) needs 59 or XE/XS/XP/XU on line {} when the services were distinct{hint}{sample}",
                                    b.code, a.code, b.number
                                ),
                            );
                        }
                    }
                    _ => {}
                }
            }
        }
    }

    if cx.profile.mue {
        let mut per_day: BTreeMap<(Option<Date>, &str), (u32, u32)> = BTreeMap::new();
        for l in &claim.lines {
            let units = l.units.unwrap_or(0);
            let Some(mue) = t.mue.get(&l.code) else {
                continue;
            };
            if mue.mai == 1 && units > mue.value {
                cx.report_capped(
                    "mue-exceeded",
                    mue_cap,
                    Some(l.number),
                    format!(
                        "{}: {units_n} on one line; the MUE is {} (line edit){mue_sample}",
                        l.code,
                        mue.value,
                        units_n = super::Units::of(units)
                    ),
                );
            }
            let e = per_day
                .entry((claim.line_date(l), l.code.as_str()))
                .or_insert((0, l.number));
            e.0 += units;
        }
        for ((_, code), (units, line)) in per_day {
            let Some(mue) = t.mue.get(code) else {
                continue;
            };
            if mue.mai != 1 && units > mue.value {
                cx.report_capped(
                    "mue-exceeded",
                    mue_cap,
                    Some(line),
                    format!(
                        "{code}: {units_n} on one date of service; the MUE is {} (adjudication indicator {}){mue_sample}",
                        mue.value, mue.mai, units_n = super::Units::of(units)),
                );
            }
        }
    }
    cx.profile.ncci.then_some(needs)
}

#[cfg(test)]
mod tests {
    use crate::claims::edits::testutil::{claim, codes, run_as};
    use crate::claims::model::parse_date;

    #[test]
    fn indicator_1_needs_a_distinct_modifier_on_column_2() {
        let c = claim(&[("97530", 1, None), ("97168", 1, None)]);
        let f = run_as(&c, "medicare");
        let hit = f
            .iter()
            .find(|f| f.code == "ncci-ptp-modifier-required")
            .expect("finding");
        assert_eq!(hit.line, Some(2));
        assert!(hit.message.contains("sample"));
        // Sample pairs are unverified: they warn, they do not block (issue 16).
        assert_eq!(hit.severity, crate::claims::Severity::Warning);
        let mut c = claim(&[("97530", 1, None), ("97168", 1, None)]);
        c.lines[1].modifiers.push("XU".into());
        assert!(codes(&c, "medicare").is_empty());
        // On the column-1 line it does not count.
        let mut c = claim(&[("97530", 1, None), ("97168", 1, None)]);
        c.lines[0].modifiers.push("59".into());
        assert!(codes(&c, "medicare").contains(&"ncci-ptp-modifier-required"));
    }

    #[test]
    fn withdrawn_edits_apply_only_in_their_window() {
        let mut c = claim(&[("97165", 1, None), ("97530", 1, None)]);
        c.date = parse_date("2020-01-10");
        assert!(codes(&c, "medicare").contains(&"ncci-ptp-not-allowed"));
        c.date = parse_date("2020-02-10");
        assert!(!codes(&c, "medicare").contains(&"ncci-ptp-not-allowed"));
    }

    #[test]
    fn different_dates_do_not_pair() {
        let mut c = claim(&[("97530", 1, None), ("97168", 1, None)]);
        c.lines[1].date = parse_date("2025-01-15");
        assert!(codes(&c, "medicare").is_empty());
    }

    #[test]
    fn sample_pairs_never_block() {
        // 97150 + 97110 without 59: a sample indicator-1 pair.
        let mut c = claim(&[("97150", 1, None), ("97110", 1, Some(15))]);
        c.group_size = Some(3);
        for p in ["medicare", "commercial"] {
            let f = run_as(&c, p);
            let hit = f
                .iter()
                .find(|f| f.code == "ncci-ptp-modifier-required")
                .expect("reported");
            assert_eq!(hit.severity, crate::claims::Severity::Warning, "{p}");
            assert!(
                f.iter()
                    .all(|f| f.severity == crate::claims::Severity::Warning),
                "{p}: {f:?}"
            );
        }
    }

    #[test]
    fn mue_per_date_of_service() {
        let c = claim(&[("97035", 2, None), ("97035", 1, None)]);
        assert!(codes(&c, "medicare").contains(&"mue-exceeded"));
        let c = claim(&[("97035", 2, None)]);
        assert!(!codes(&c, "medicare").contains(&"mue-exceeded"));
    }
}
