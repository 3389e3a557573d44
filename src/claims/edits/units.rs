//! Units vs minutes: the CMS 8-minute rule (total timed minutes → units, then the
//! distribution over codes; Pub. 100-04 ch. 5 §20.2), the AMA rule of eights (each code on its
//! own), untimed codes and descriptor limits, add-on codes and 97150 group rules.
//!
//! Minutes come only from the JSON claim; FHIR and 837P carry none, so the minute checks are
//! skipped for them (`units-vs-minutes` in the report's `skipped`). With a total but no
//! per-code minutes, what the total bounds is still checked (CMS: the total's units; rule of
//! eights: 8 minutes for a code's first unit and 15 for each further one), and the per-code
//! check is listed as skipped (`units-distribution` or `units-per-code`).

use std::collections::BTreeMap;

use time::Date;

use super::Ctx;
use crate::claims::tables::{Kind, UnitsRule};

/// CMS: total timed units for `t` total timed minutes: `(t + 7) / 15`.
pub fn cms_total_units(t: u32) -> u32 {
    (t + 7) / 15
}

/// AMA rule of eights: units for one code's own minutes.
pub fn rule_of_eights(m: u32) -> u32 {
    (m + 7) / 15
}

/// CMS distribution of the total units over codes with `minutes` each: `floor(m/15)` each,
/// then one leftover unit each to the largest remainders (ties: the earlier code).
pub fn cms_distribute(minutes: &[u32]) -> Vec<u32> {
    let total = cms_total_units(minutes.iter().sum());
    let mut units: Vec<u32> = minutes.iter().map(|m| m / 15).collect();
    let base: u32 = units.iter().sum();
    let left = usize::try_from(total.saturating_sub(base)).unwrap_or(usize::MAX);
    let mut order: Vec<usize> = (0..minutes.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(minutes[i] % 15));
    for &i in order.iter().take(left) {
        units[i] += 1;
    }
    units
}

/// Timed lines of one date, aggregated per code (several lines may bill one code).
struct Day {
    /// code → (units, minutes if every line of that code has them)
    codes: BTreeMap<String, (u32, Option<u32>, u32)>,
    /// Whether every timed line has minutes.
    all_minutes: bool,
}

pub(crate) fn check(cx: &mut Ctx<'_>) {
    let claim = cx.claim;
    let tables = cx.tables;

    for l in &claim.lines {
        if l.quantity_in_minutes {
            cx.report(
                "units-in-minutes",
                Some(l.number),
                format!(
                    "line {}: the quantity is in minutes (837P SV103=MJ, for anesthesia); OT codes bill units (SV103=UN) converted from minutes by the 8-minute rule",
                    l.number
                ),
            );
        } else if l.units.is_none() || (l.units == Some(0) && l.minutes.is_none()) {
            // Zero units only make sense on a line that documents minutes it does not bill.
            cx.report(
                "units-invalid",
                Some(l.number),
                format!(
                    "line {}: units must be a whole number of at least 1",
                    l.number
                ),
            );
        }
        // An 837I revenue line may carry no HCPCS code (the revenue edits report that).
        let no_code = l.code.is_empty() && l.revenue_code.is_some();
        if !no_code && !tables.cpt.contains_key(&l.code) {
            // Not quoted: an unknown code is whatever the sender wrote.
            cx.report(
                "cpt-unknown",
                Some(l.number),
                format!(
                    "line {}: the procedure code is not in the OT code table; its units are not checked",
                    l.number
                ),
            );
        }
    }

    // Per date: units per code (all codes) and the timed picture.
    let mut per_date: BTreeMap<Option<Date>, BTreeMap<&str, (u32, u32)>> = BTreeMap::new();
    let mut days: BTreeMap<Option<Date>, Day> = BTreeMap::new();
    for l in &claim.lines {
        let date = claim.line_date(l);
        let units = l.units.unwrap_or(0);
        let e = per_date
            .entry(date)
            .or_default()
            .entry(l.code.as_str())
            .or_insert((0, l.number));
        e.0 += units;
        let Some(info) = tables.cpt.get(&l.code) else {
            continue;
        };
        // A quantity in minutes has no units to weigh against them (reported above).
        if !info.timed || l.quantity_in_minutes {
            continue;
        }
        let day = days.entry(date).or_insert_with(|| Day {
            codes: BTreeMap::new(),
            all_minutes: true,
        });
        day.all_minutes &= l.minutes.is_some();
        let c = day
            .codes
            .entry(l.code.clone())
            .or_insert((0, Some(0), l.number));
        c.0 += units;
        c.1 = match (c.1, l.minutes) {
            (Some(a), Some(b)) => Some(a + b),
            _ => None,
        };
    }

    // Untimed codes and descriptor limits, add-on codes.
    for (date, codes) in &per_date {
        for (code, (units, line)) in codes {
            let Some(info) = tables.cpt.get(*code) else {
                continue;
            };
            let max = info.max_units.or((!info.timed).then_some(1));
            if let Some(max) = max {
                if *units > max {
                    let (fcode, what) = if info.timed {
                        ("units-over-descriptor", "its descriptor allows")
                    } else {
                        ("units-untimed-multiple", "an untimed code allows")
                    };
                    cx.report(
                        fcode,
                        Some(*line),
                        format!(
                            "{code}: {units_n} on one date of service; {what} {max}",
                            units_n = super::Units::of(units)
                        ),
                    );
                }
            }
            if let Some(primary) = &info.addon_of {
                if !codes.contains_key(primary.as_str()) {
                    cx.report(
                        "addon-without-primary",
                        Some(*line),
                        format!(
                            "{code} is an add-on code billed without {primary} on the same date"
                        ),
                    );
                }
            }
        }
        let _ = date;
    }

    // 97150 group rules.
    let group_lines: Vec<_> = claim
        .lines
        .iter()
        .filter(|l| {
            tables
                .cpt
                .get(&l.code)
                .is_some_and(|i| i.kind == Kind::Group)
        })
        .collect();
    if let (Some(first), Some(n)) = (group_lines.first(), claim.group_size) {
        if n < 2 {
            cx.report(
                "group-size",
                Some(first.number),
                format!(
                    "{}: group of {n}; group therapy needs 2 or more patients",
                    first.code
                ),
            );
        }
    }

    // Minutes.
    if days.is_empty() {
        return;
    }
    let single_day = days.len() == 1;
    let declared = claim.total_timed_minutes.filter(|_| single_day);
    if declared.is_none() && !days.values().all(|d| d.all_minutes) {
        cx.skip("units-vs-minutes");
        return;
    }
    let group_minutes: u32 = group_lines.iter().filter_map(|l| l.minutes).sum();

    for day in days.values() {
        let per_code_sum: Option<u32> = day
            .all_minutes
            .then(|| day.codes.values().map(|(_, m, _)| m.unwrap_or(0)).sum());
        let t = match (declared, per_code_sum) {
            (Some(d), Some(s)) => {
                if d != s {
                    if group_minutes > 0 && s + group_minutes == d {
                        cx.report(
                            "group-minutes-counted",
                            group_lines.first().map(|l| l.number),
                            format!(
                                "total timed minutes {d} include {group_minutes} group-therapy minutes; 97150 is untimed"
                            ),
                        );
                    } else {
                        cx.report(
                            "minutes-total-mismatch",
                            None,
                            format!("per-code timed minutes add up to {s}, the total says {d}"),
                        );
                    }
                }
                // The smaller figure is the one the documentation supports for sure.
                d.min(s)
            }
            (Some(d), None) => d,
            (None, Some(s)) => s,
            (None, None) => continue,
        };
        if let Some(total) = claim.total_minutes {
            if t > total {
                cx.report(
                    "minutes-timed-over-total",
                    None,
                    format!("{t} timed minutes exceed the {total} total treatment minutes"),
                );
            }
        }
        let billed: u32 = day.codes.values().map(|(u, _, _)| u).sum();
        match cx.profile.units_rule {
            UnitsRule::CmsTotalTime => cms(cx, day, t, billed, per_code_sum.is_some()),
            UnitsRule::PerCode => {
                if !day.all_minutes {
                    per_code_bound(cx, day, t, billed);
                }
                per_code(cx, day);
            }
        }
    }
}

fn cms(cx: &mut Ctx<'_>, day: &Day, t: u32, billed: u32, have_per_code: bool) {
    if !have_per_code {
        cx.skip("units-distribution");
    }
    let allowed = cms_total_units(t);
    if billed > allowed {
        cx.report(
            "units-exceed-time",
            None,
            format!(
                "{billed} timed units billed; {t} total timed minutes support at most {allowed} (8-minute rule)"
            ),
        );
        return;
    }
    if billed < allowed {
        cx.report(
            "units-below-time",
            None,
            format!("{billed} timed units billed; {t} total timed minutes support {allowed}"),
        );
        // Under-billing itself is only a warning, but no code may carry more than its share:
        // 5 + 40 minutes billed 1 + 1 gives the 5-minute code a unit CMS gives the other.
        if have_per_code {
            over_share(cx, day, billed, allowed);
        }
        return;
    }
    if !have_per_code {
        return;
    }
    // Distribution: each code floor(m/15) or one more; leftovers to the largest remainders.
    let mut plus_one_min_rem: Option<(u32, &str, u32)> = None;
    let mut none_max_rem: Option<(u32, &str)> = None;
    for (code, (units, minutes, line)) in &day.codes {
        let m = minutes.unwrap_or(0);
        let floor = m / 15;
        if *units == floor + 1 && m % 15 == 0 {
            // The extra unit has no minutes of its own (30 + 8 billed 3 + 0): CMS gives it to
            // the code whose minutes are left over (2 + 1).
            cx.report(
                "units-code-distribution",
                Some(*line),
                format!(
                    "{code}: {units_n} for {m} minutes; unit {units} has no minutes of its own (the 8-minute rule gives it {floor}; a leftover unit goes to a code with minutes left over)", units_n = super::Units::of(units)),
            );
        } else if *units < floor || *units > floor + 1 {
            cx.report(
                "units-code-distribution",
                Some(*line),
                format!(
                    "{code}: {units_n} for {m} minutes; the 8-minute rule gives it {floor} or {}",
                    floor + 1,
                    units_n = super::Units::of(units)
                ),
            );
        } else if *units == floor + 1 {
            if plus_one_min_rem.is_none_or(|(r, _, _)| m % 15 < r) {
                plus_one_min_rem = Some((m % 15, code, *line));
            }
        } else if m % 15 > 0 && none_max_rem.is_none_or(|(r, _)| m % 15 > r) {
            none_max_rem = Some((m % 15, code));
        }
    }
    if let (Some((small, got, line)), Some((big, missed))) = (plus_one_min_rem, none_max_rem) {
        if small < big {
            cx.report(
                "units-remainder-order",
                Some(line),
                format!(
                    "the leftover unit went to {got} ({small} remaining minutes) before {missed} ({big})"
                ),
            );
        }
    }
}

/// The most units the CMS distribution can give each code (ties at the last leftover go
/// either way: CMS example 2): `floor(m/15)`, plus one when its remainder is among the
/// remainders that receive the leftover units.
pub fn cms_max_units(minutes: &[u32]) -> Vec<u32> {
    let total = cms_total_units(minutes.iter().sum());
    let base: u32 = minutes.iter().map(|m| m / 15).sum();
    let left = usize::try_from(total.saturating_sub(base)).unwrap_or(usize::MAX);
    let mut rems: Vec<u32> = minutes.iter().map(|m| m % 15).collect();
    rems.sort_unstable_by(|a, b| b.cmp(a));
    let threshold = left.checked_sub(1).and_then(|i| rems.get(i)).copied();
    minutes
        .iter()
        .map(|m| {
            let extra = threshold.is_some_and(|thr| m % 15 > 0 && m % 15 >= thr);
            m / 15 + u32::from(extra)
        })
        .collect()
}

/// On an under-billed day: codes billed more units than the distribution could give them.
fn over_share(cx: &mut Ctx<'_>, day: &Day, billed: u32, allowed: u32) {
    let minutes: Vec<u32> = day.codes.values().map(|(_, m, _)| m.unwrap_or(0)).collect();
    let max = cms_max_units(&minutes);
    for ((code, (units, m, line)), most) in day.codes.iter().zip(max) {
        if *units > most {
            cx.report(
                "units-code-distribution",
                Some(*line),
                format!(
                    "{code}: {units_n} for {} minutes; the 8-minute rule gives it at most {most} on this day ({billed} of {allowed} units billed: the units went to the wrong code)",
                    m.unwrap_or(0), units_n = super::Units::of(units)),
            );
        }
    }
}

/// Rule of eights without per-code minutes: each code billed needs 8 minutes for its first
/// unit and 15 for each further one, so `u` units on `k` codes need at least `15u - 7k`.
fn per_code_bound(cx: &mut Ctx<'_>, day: &Day, t: u32, billed: u32) {
    cx.skip("units-per-code");
    let codes = day.codes.values().filter(|(u, _, _)| *u > 0).count();
    let codes = u32::try_from(codes).unwrap_or(u32::MAX);
    let need = (15 * billed).saturating_sub(7 * codes);
    if need > t {
        cx.report(
            "units-exceed-time",
            None,
            format!(
                "{billed} timed units on {codes} code(s) need at least {need} timed minutes under the rule of eights (8 for a code's first unit, 15 for each further one); the total is {t}. Per-code minutes are not given, so each code's own units were not checked"
            ),
        );
    }
}

fn per_code(cx: &mut Ctx<'_>, day: &Day) {
    for (code, (units, minutes, line)) in &day.codes {
        let Some(m) = minutes else {
            continue;
        };
        let allowed = rule_of_eights(*m);
        if *units > allowed {
            cx.report(
                "units-per-code-exceed",
                Some(*line),
                format!(
                    "{code}: {units_n} for {m} minutes; the rule of eights allows {allowed}",
                    units_n = super::Units::of(units)
                ),
            );
        } else if *units < allowed {
            cx.report(
                "units-per-code-below",
                Some(*line),
                format!(
                    "{code}: {units_n} for {m} minutes; the rule of eights gives {allowed}",
                    units_n = super::Units::of(units)
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::edits::testutil::{claim, codes};

    #[test]
    fn total_units_table() {
        // claims.md §2.1 table: 0–7 → 0, 8–22 → 1, 23–37 → 2, …, 113–127 → 8.
        for (t, u) in [
            (0, 0),
            (7, 0),
            (8, 1),
            (22, 1),
            (23, 2),
            (37, 2),
            (38, 3),
            (52, 3),
            (53, 4),
            (67, 4),
            (68, 5),
            (82, 5),
            (83, 6),
            (97, 6),
            (98, 7),
            (112, 7),
            (113, 8),
            (127, 8),
            (128, 9),
        ] {
            assert_eq!(cms_total_units(t), u, "T={t}");
        }
    }

    // The CMS manual's worked examples (claims.md §2.1).
    #[test]
    fn cms_example_1_remainders_9_vs_8() {
        assert_eq!(cms_distribute(&[24, 23]), [2, 1]);
        let c = claim(&[("97112", 2, Some(24)), ("97110", 1, Some(23))]);
        assert!(codes(&c, "medicare").is_empty());
        let c = claim(&[("97112", 1, Some(24)), ("97110", 2, Some(23))]);
        assert_eq!(codes(&c, "medicare"), ["units-remainder-order"]);
    }

    #[test]
    fn cms_example_2_tie_either_way_never_three_of_one() {
        assert_eq!(cms_distribute(&[20, 20]).iter().sum::<u32>(), 3);
        for (a, b) in [(2, 1), (1, 2)] {
            let c = claim(&[("97112", a, Some(20)), ("97110", b, Some(20))]);
            assert!(codes(&c, "medicare").is_empty(), "{a}+{b}");
        }
        let c = claim(&[("97112", 3, Some(20)), ("97110", 0, Some(20))]);
        assert!(codes(&c, "medicare").contains(&"units-code-distribution"));
    }

    #[test]
    fn cms_example_3_33_and_7_minutes() {
        assert_eq!(cms_distribute(&[33, 7]), [2, 1]);
        let c = claim(&[("97110", 2, Some(33)), ("97140", 1, Some(7))]);
        assert!(codes(&c, "medicare").is_empty());
        // All three to 97110: the leftover went to remainder 3 over remainder 7.
        let c = claim(&[("97110", 3, Some(33)), ("97140", 0, Some(7))]);
        assert!(codes(&c, "medicare").contains(&"units-remainder-order"));
    }

    #[test]
    fn cms_example_4_four_codes_49_minutes() {
        assert_eq!(cms_distribute(&[18, 13, 10, 8]), [1, 1, 1, 0]);
        let mut c = claim(&[
            ("97110", 1, Some(18)),
            ("97140", 1, Some(13)),
            ("97116", 1, Some(10)),
            ("97035", 0, Some(8)),
        ]);
        // 97035 carries its 8 minutes with 0 units: documented, counted, not billed.
        c.total_timed_minutes = Some(49);
        assert!(
            codes(&c, "medicare").is_empty(),
            "{:?}",
            codes(&c, "medicare")
        );
    }

    #[test]
    fn over_and_under_billing_against_the_total() {
        let mut c = claim(&[("97530", 3, None), ("97535", 2, None)]);
        c.total_timed_minutes = Some(67);
        assert_eq!(codes(&c, "medicare"), ["units-exceed-time"]);
        c.total_timed_minutes = Some(68);
        assert!(codes(&c, "medicare").is_empty());
        c.total_timed_minutes = Some(90);
        assert_eq!(codes(&c, "medicare"), ["units-below-time"]);
    }

    #[test]
    fn rule_of_eights_table() {
        // claims.md §2.2: 7+7+7 → 0 units per code; 10+10+10 → 3; 33+7 → 2+0.
        assert_eq!([7, 7, 7].map(rule_of_eights), [0, 0, 0]);
        assert_eq!([10, 10, 10].map(rule_of_eights), [1, 1, 1]);
        assert_eq!([33, 7].map(rule_of_eights), [2, 0]);
        assert_eq!(cms_distribute(&[7, 7, 7]), [1, 0, 0]);
        assert_eq!(cms_distribute(&[10, 10, 10]).iter().sum::<u32>(), 2);
    }

    #[test]
    fn commercial_counts_each_code_alone() {
        let c = claim(&[("97110", 2, Some(33)), ("97140", 1, Some(7))]);
        assert_eq!(codes(&c, "commercial"), ["units-per-code-exceed"]);
        let c = claim(&[
            ("97530", 1, Some(10)),
            ("97535", 1, Some(10)),
            ("97110", 1, Some(10)),
        ]);
        assert!(codes(&c, "commercial").is_empty());
        assert_eq!(codes(&c, "medicare"), ["units-exceed-time"]);
        let c = claim(&[("97530", 1, Some(25))]);
        assert_eq!(codes(&c, "commercial"), ["units-per-code-below"]);
    }

    #[test]
    fn untimed_and_descriptor_limits() {
        let c = claim(&[("97165", 2, None)]);
        assert_eq!(codes(&c, "medicare"), ["units-untimed-multiple"]);
        let c = claim(&[("97129", 2, Some(30))]);
        assert!(codes(&c, "medicare").contains(&"units-over-descriptor"));
        let c = claim(&[("97130", 1, Some(15))]);
        let found = codes(&c, "medicare");
        assert!(found.contains(&"addon-without-primary"), "{found:?}");
        let c = claim(&[("97129", 1, Some(15)), ("97130", 1, Some(15))]);
        assert!(!codes(&c, "medicare").contains(&"addon-without-primary"));
    }

    #[test]
    fn group_rules() {
        let mut c = claim(&[("97150", 1, None), ("97530", 1, Some(15))]);
        c.group_size = Some(1);
        assert!(codes(&c, "medicare").contains(&"group-size"));
        c.group_size = Some(3);
        c.lines[0].minutes = Some(30);
        c.total_timed_minutes = Some(45);
        assert!(codes(&c, "medicare").contains(&"group-minutes-counted"));
        c.total_timed_minutes = Some(15);
        assert!(codes(&c, "medicare").is_empty());
        let mut c = claim(&[("97150", 2, None)]);
        c.group_size = Some(4);
        assert_eq!(codes(&c, "medicare"), ["units-untimed-multiple"]);
    }

    #[test]
    fn minutes_consistency() {
        let mut c = claim(&[("97530", 2, Some(30))]);
        c.total_timed_minutes = Some(35);
        assert_eq!(codes(&c, "medicare"), ["minutes-total-mismatch"]);
        c.total_timed_minutes = Some(30);
        c.total_minutes = Some(25);
        assert!(codes(&c, "medicare").contains(&"minutes-timed-over-total"));
    }

    #[test]
    fn invalid_units_and_unknown_codes() {
        let mut c = claim(&[("97530", 1, None)]);
        c.lines[0].units = None;
        assert!(codes(&c, "medicare").contains(&"units-invalid"));
        let c = claim(&[("99213", 1, None)]);
        assert!(codes(&c, "medicare").contains(&"cpt-unknown"));
    }

    fn skipped(c: &crate::claims::Claim, p: &str) -> Vec<&'static str> {
        let t = crate::claims::edits::testutil::tables();
        crate::claims::edits::run(c, t.profile(p).unwrap(), t).1
    }

    #[test]
    fn a_total_without_per_code_minutes_still_bounds_the_units() {
        // Issue 16: 97530 x4 with 20 timed minutes passed silently under commercial.
        let mut c = claim(&[("97530", 4, None)]);
        c.total_timed_minutes = Some(20);
        for p in ["medicare", "commercial"] {
            assert_eq!(codes(&c, p), ["units-exceed-time"], "{p}");
        }
        assert!(skipped(&c, "commercial").contains(&"units-per-code"));
        assert!(skipped(&c, "medicare").contains(&"units-distribution"));
        // Rule of eights: 1 + 1 on two codes needs 8 + 8; 2 + 1 needs 23 + 8.
        let mut c = claim(&[("97530", 1, None), ("97535", 1, None)]);
        c.total_timed_minutes = Some(16);
        assert!(codes(&c, "commercial").is_empty());
        c.lines[0].units = Some(2);
        c.total_timed_minutes = Some(30);
        assert_eq!(codes(&c, "commercial"), ["units-exceed-time"]);
        c.total_timed_minutes = Some(31);
        assert!(codes(&c, "commercial").is_empty());
    }

    #[test]
    fn a_unit_without_its_own_minutes_is_an_error() {
        // 30 + 8 minutes: CMS bills 2 + 1, never 3 + 0 (the third unit has no minutes).
        assert_eq!(cms_distribute(&[30, 8]), [2, 1]);
        let c = claim(&[("97530", 3, Some(30)), ("97535", 0, Some(8))]);
        let f = crate::claims::edits::testutil::run_as(&c, "medicare");
        let hit = f
            .iter()
            .find(|f| f.code == "units-code-distribution")
            .expect("reported");
        assert_eq!(
            (hit.severity, hit.line),
            (crate::claims::Severity::Error, Some(1))
        );
        let c = claim(&[("97530", 2, Some(30)), ("97535", 1, Some(8))]);
        assert!(codes(&c, "medicare").is_empty());
    }

    #[test]
    fn an_under_billed_day_still_gets_the_distribution_check() {
        // 5 + 40 minutes billed 1 + 1: 45 minutes support 3 units (0 + 3); the 5-minute
        // code carries a unit it cannot have.
        let c = claim(&[("97530", 1, Some(5)), ("97535", 1, Some(40))]);
        let f = crate::claims::edits::testutil::run_as(&c, "medicare");
        let hit = f
            .iter()
            .find(|f| f.code == "units-code-distribution")
            .expect("reported");
        assert_eq!(hit.line, Some(1));
        assert!(f.iter().any(|f| f.code == "units-below-time"));
        // Billing less than a code's minutes support is under-billing only (a warning).
        let c = claim(&[("97530", 1, Some(30))]);
        assert_eq!(codes(&c, "medicare"), ["units-below-time"]);
        let c = claim(&[("97530", 0, Some(5)), ("97535", 2, Some(40))]);
        assert_eq!(codes(&c, "medicare"), ["units-below-time"]);
    }

    #[test]
    fn most_units_per_code() {
        assert_eq!(cms_max_units(&[5, 40]), [0, 3]);
        // Ties at the leftover go either way (CMS example 2).
        assert_eq!(cms_max_units(&[20, 20]), [2, 2]);
        assert_eq!(cms_max_units(&[7, 7, 7]), [1, 1, 1]);
        assert_eq!(cms_max_units(&[30, 8]), [2, 1]);
        assert_eq!(cms_max_units(&[30]), [2]);
    }

    #[test]
    fn minutes_as_quantity_are_reported_not_refused() {
        let mut c = claim(&[("97530", 1, None)]);
        c.lines[0].units = None;
        c.lines[0].minutes = Some(30);
        c.lines[0].quantity_in_minutes = true;
        let f = codes(&c, "medicare");
        assert!(
            f.contains(&"units-in-minutes") && !f.contains(&"units-invalid"),
            "{f:?}"
        );
    }

    #[test]
    fn no_minutes_is_skipped_not_an_error() {
        let c = claim(&[("97530", 4, None)]);
        let t = crate::claims::edits::testutil::tables();
        let (f, skipped) = crate::claims::edits::run(&c, t.profile("medicare").unwrap(), t);
        assert!(f.is_empty(), "{f:?}");
        assert!(skipped.contains(&"units-vs-minutes"));
    }
}
