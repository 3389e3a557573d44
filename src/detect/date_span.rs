//! Whole dates and ages: grows a found date over the day that ends a range written with
//! one month (`March 3-5, 2024`, `May 2 to 30`), and finds an age over 89 again wherever the
//! same note repeats the number alone (`a 102-year-old man … At 102, he still drives`).
//!
//! It also reads an age over 89 set off right after a found name (`Mr 김, 91, was seen`,
//! `Da-eun Seo (94) will be seen`): the name is the evidence the number is a person's age.
//!
//! All work on spans the rules and lexicon already found; nothing here starts a date or
//! an age on its own evidence.

use super::{validate, Span};
use crate::phi::PhiType;
use crate::transform::date::MONTHS;

/// Words after a number that make it a count, not the day ending a range.
const COUNT_WORDS: &[&[u8]] = &[
    b"times",
    b"x",
    b"reps",
    b"sets",
    b"sessions",
    b"visits",
    b"days",
    b"weeks",
    b"wks",
    b"hours",
    b"hrs",
    b"minutes",
    b"mins",
    b"min",
    b"months",
    b"years",
    b"yrs",
    b"mg",
    b"ml",
    b"lbs",
    b"kg",
    b"cm",
    b"%",
];

/// Units after a number that make it a reading (with [`COUNT_WORDS`]).
const READING_UNITS: &[&[u8]] = &[
    b"bpm", b"mmhg", b"f", b"c", b"degrees", b"deg", b"mm", b"cc", b"sec", b"s", b"ft", b"in",
    b"lb", b"g", b"mcg", b"units", b"beats", b"percent",
];

/// Joins between the two days of a range.
const RANGE_JOINS: &[&[u8]] = &[
    b"-",
    b"\xe2\x80\x93",
    b"to",
    b"through",
    b"thru",
    b"until",
    b"and",
];

/// The end of a date span grown over a range's closing day, when one follows: only for
/// dates written with a month name (a numeric `7/22 - 3` is more often a score and a count).
pub(super) fn whole_date(text: &[u8], s: &Span) -> usize {
    let written_month = text[s.start..s.end].iter().any(u8::is_ascii_alphabetic);
    if !written_month {
        return s.end;
    }
    let mut at = skip_spaces(text, s.end);
    let Some(join) = RANGE_JOINS.iter().find(|j| starts_with_word(text, at, j)) else {
        return s.end;
    };
    at = skip_spaces(text, at + join.len());
    let digits = text[at..].iter().take_while(|c| c.is_ascii_digit()).count();
    let day = std::str::from_utf8(&text[at..at + digits])
        .ok()
        .and_then(|d| d.parse::<u32>().ok());
    if !(1..=2).contains(&digits) || !day.is_some_and(|d| (1..=31).contains(&d)) {
        return s.end;
    }
    let mut end = at + digits;
    for suffix in [&b"st"[..], b"nd", b"rd", b"th"] {
        if text[end..].starts_with(suffix) {
            end += suffix.len();
            break;
        }
    }
    // `3-5/10`, `2 to 3.5`, `4-5x`: part of a longer number or glued to a word.
    if text
        .get(end)
        .is_some_and(|&c| c.is_ascii_alphanumeric() || matches!(c, b'/' | b':' | b'%'))
        || text.get(end) == Some(&b'.') && text.get(end + 1).is_some_and(u8::is_ascii_digit)
    {
        return s.end;
    }
    let next = skip_spaces(text, end);
    let count = COUNT_WORDS.iter().any(|w| starts_with_word(text, next, w));
    if count {
        return s.end;
    }
    // `, 2024` after the closing day belongs to the range.
    year_after(text, end).unwrap_or(end)
}

/// Every place the note repeats an age over 89 that was found (`102`), written alone: not
/// part of a decimal, a ratio, a range or a longer number.
pub(super) fn repeated_ages(text: &str, spans: &[Span]) -> Vec<Span> {
    let b = text.as_bytes();
    let mut ages: Vec<&str> = spans
        .iter()
        .filter(|s| s.ty == PhiType::Age)
        .filter_map(|s| text.get(s.start..s.end))
        .filter(|v| v.len() <= 3 && v.bytes().all(|c| c.is_ascii_digit()))
        .collect();
    ages.sort_unstable();
    ages.dedup();
    let mut out = Vec::new();
    for age in ages {
        for (at, _) in text.match_indices(age) {
            let end = at + age.len();
            let before_ok = at == 0 || !b[at - 1].is_ascii_alphanumeric() && !joins(b[at - 1]);
            let after_ok = b
                .get(end)
                .is_none_or(|&c| !c.is_ascii_alphanumeric() && !matches!(c, b'/' | b'%'))
                && !(b.get(end).is_some_and(|&c| matches!(c, b'.' | b',' | b'-'))
                    && b.get(end + 1).is_some_and(u8::is_ascii_digit));
            // `SpO2 97 %`, `97 lbs`, `HR 97 bpm`: a reading, not the age again.
            let next = skip_spaces(b, end);
            let unit = COUNT_WORDS
                .iter()
                .chain(READING_UNITS)
                .any(|w| starts_with_word(b, next, w));
            if before_ok && after_ok && !unit {
                out.push(Span {
                    start: at,
                    end,
                    ty: PhiType::Age,
                });
            }
        }
    }
    out
}

/// Ages over 89 written right after a found name, set off by a comma (`Mr 김, 91, was`,
/// `Tou Her, 93.`) or in brackets (`Da-eun Seo (94) will be seen`). The rules read this
/// after a capitalised ASCII word only (`age.after_name`); a name the lexicon or the tagger
/// found in any script is as good a person. The number must close its clause: a unit, `%`,
/// a ratio or a decimal after it (`Jones, 95% on RA`, `Smith (93/60)`) is a reading.
pub(super) fn ages_after_names(text: &str, spans: &[Span]) -> Vec<Span> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    for s in spans.iter().filter(|s| s.ty == PhiType::Name) {
        if let Some((start, end)) = age_set_off_after(b, s.end) {
            out.push(Span {
                start,
                end,
                ty: PhiType::Age,
            });
        }
    }
    out
}

/// The digits of an age over 89 at `at` as `, 93,`/`, 93.`/`, 93)` or ` (93)`.
fn age_set_off_after(b: &[u8], at: usize) -> Option<(usize, usize)> {
    let rest = b.get(at..)?;
    let (open, bracket) = if rest.starts_with(b", ") {
        (2, false)
    } else if rest.starts_with(b" (") {
        (2, true)
    } else {
        return None;
    };
    let start = at + open;
    let digits = b[start..].iter().take_while(|c| c.is_ascii_digit()).count();
    let end = start + digits;
    if !(2..=3).contains(&digits)
        || !number(&b[start..end]).is_some_and(|n| (90..=119).contains(&n))
    {
        return None;
    }
    let next = b.get(end).copied();
    let after = b.get(end + 1).copied();
    let closes = if bracket {
        next == Some(b')')
    } else {
        match next {
            None | Some(b'\n') | Some(b')') => true,
            // `, 93, widowed` and `, 93.` end the aside; `, 93,5` and `, 93.5` are numbers.
            Some(b',') | Some(b'.') => after.is_none_or(|c| c == b' ' || c == b'\n'),
            _ => false,
        }
    };
    closes.then_some((start, end))
}

/// How many days apart a month/day pair and a date the note found may lie for the date to
/// vouch for the pair: notes of one stay count days within a week or two.
const NEIGHBOUR_DAYS: u8 = 10;

/// Month/day pairs (`levo weaned 4/2`) that the rules left, found where the note dates
/// another day of the same month within [`NEIGHBOUR_DAYS`] (`extub 4/1`) and no score or
/// setting reading claims them ([`validate::dated_month_pair`]). The note's dated days are
/// read only when it holds a found date and an uncovered pair; `spans` are the merged
/// spans (sorted by start) and are not changed, so a pair read here never dates another.
pub(super) fn neighbour_dates(text: &str, spans: &[Span]) -> Vec<Span> {
    let mut out = Vec::new();
    if !spans.iter().any(|s| s.ty == PhiType::Date) {
        return out;
    }
    let b = text.as_bytes();
    let mut days: Option<Vec<(u8, u8)>> = None;
    for (slash, _) in text.match_indices('/') {
        let Some((start, end, month, day)) = bare_pair(b, slash) else {
            continue;
        };
        let i = spans.partition_point(|s| s.start < end);
        if spans[..i].iter().rev().take(4).any(|s| s.end > start) {
            continue;
        }
        let days = days.get_or_insert_with(|| neighbour_days(b, spans));
        if dated_nearby(days, month, day) && validate::dated_month_pair(text, start, end) {
            out.push(Span {
                start,
                end,
                ty: PhiType::Date,
            });
        }
    }
    out
}

/// The `m/d` around the slash at `slash`: one or two digits each side, no digit beyond
/// them, a month of 1 to 12 and a day of 1 to 31. Returns its bounds, month and day.
fn bare_pair(b: &[u8], slash: usize) -> Option<(usize, usize, u8, u8)> {
    // Three digits at most are read each way: a third says the pair is part of a number.
    let before = b[..slash]
        .iter()
        .rev()
        .take(3)
        .take_while(|c| c.is_ascii_digit())
        .count();
    let after = b[slash + 1..]
        .iter()
        .take(3)
        .take_while(|c| c.is_ascii_digit())
        .count();
    if !(1..=2).contains(&before) || !(1..=2).contains(&after) {
        return None;
    }
    let (start, end) = (slash - before, slash + 1 + after);
    let month = number(&b[start..slash])?;
    let day = number(&b[slash + 1..end])?;
    ((1..=12).contains(&month) && (1..=31).contains(&day)).then_some((start, end, month, day))
}

/// One or two ASCII digits as a number.
fn number(digits: &[u8]) -> Option<u8> {
    digits.iter().try_fold(0u8, |n, c| {
        c.is_ascii_digit()
            .then(|| n.saturating_mul(10).saturating_add(c - b'0'))
    })
}

/// A date of `month` within [`NEIGHBOUR_DAYS`] of `day` among the sorted `days`.
fn dated_nearby(days: &[(u8, u8)], month: u8, day: u8) -> bool {
    let from = (month, day.saturating_sub(NEIGHBOUR_DAYS));
    let i = days.partition_point(|d| *d < from);
    days.get(i)
        .is_some_and(|&(m, d)| m == month && d <= day.saturating_add(NEIGHBOUR_DAYS))
}

/// The month (1 to 12) that `word` names, whole or cut short to three letters or more.
fn month_named(word: &[u8]) -> Option<usize> {
    let named = |m: &[u8]| {
        word.len() >= 3 && m.len() >= word.len() && m[..word.len()].eq_ignore_ascii_case(word)
    };
    MONTHS
        .iter()
        .position(|m| named(m.as_bytes()))
        .map(|i| i + 1)
}

/// The (month, day) of every date span that names both (`4/1`, `4/12/2101`, `2024-04-12`,
/// `April 8`, `8 Apr 2024`), sorted. Dotted dates are left out: `4.12.24` may be read
/// either way round.
pub(super) fn neighbour_days(text: &[u8], spans: &[Span]) -> Vec<(u8, u8)> {
    let mut days: Vec<(u8, u8)> = spans
        .iter()
        .filter(|s| s.ty == PhiType::Date)
        .filter_map(|s| text.get(s.start..s.end))
        .filter_map(month_and_day)
        .collect();
    days.sort_unstable();
    days.dedup();
    days
}

/// The month and day a found date names, if it names both.
fn month_and_day(v: &[u8]) -> Option<(u8, u8)> {
    let valid = |m: u8, d: u8| ((1..=12).contains(&m) && (1..=31).contains(&d)).then_some((m, d));
    // Runs of digits and of letters, with the byte that follows each.
    let mut parts: Vec<(&[u8], Option<u8>)> = Vec::new();
    let mut i = 0;
    while i < v.len() {
        let digit = v[i].is_ascii_digit();
        let len = v[i..]
            .iter()
            .take_while(|c| c.is_ascii_digit() == digit && c.is_ascii_alphanumeric())
            .count();
        if len == 0 {
            i += 1;
            continue;
        }
        parts.push((&v[i..i + len], v.get(i + len).copied()));
        i += len;
    }
    let month_word = parts.iter().enumerate().find_map(|(at, (p, _))| {
        p[0].is_ascii_alphabetic()
            .then(|| month_named(p))
            .flatten()
            .map(|m| (at, m))
    });
    if let Some((at, month)) = month_word {
        let short = |p: &&(&[u8], Option<u8>)| p.0.len() <= 2 && p.0[0].is_ascii_digit();
        // `April 8`, `Apr 8th`, else `8 April`.
        let day = parts[at + 1..]
            .iter()
            .find(short)
            .or_else(|| parts[..at].iter().rev().find(short))?;
        return valid(u8::try_from(month).ok()?, number(day.0)?);
    }
    let (first, sep) = *parts.first()?;
    let second = parts.get(1)?.0;
    match (first.len(), sep) {
        (4, Some(b'-' | b'/')) => valid(number(second)?, number(parts.get(2)?.0)?),
        (1..=2, Some(b'/' | b'-')) => valid(number(first)?, number(second)?),
        _ => None,
    }
}

/// Characters that glue a number into a longer expression (`3.102`, `4/102`, `A-102`).
fn joins(c: u8) -> bool {
    matches!(c, b'.' | b'/' | b'-' | b'+' | b'#' | b'$')
}

fn skip_spaces(text: &[u8], mut at: usize) -> usize {
    while text.get(at) == Some(&b' ') {
        at += 1;
    }
    at
}

/// `word` at `at`, not followed by another letter (`to` but not `today`).
fn starts_with_word(text: &[u8], at: usize, word: &[u8]) -> bool {
    let Some(rest) = text.get(at..) else {
        return false;
    };
    rest.len() >= word.len()
        && rest[..word.len()].eq_ignore_ascii_case(word)
        && (!word[0].is_ascii_alphabetic()
            || rest
                .get(word.len())
                .is_none_or(|c| !c.is_ascii_alphabetic()))
}

/// The end of `, 2024` or ` 2024` right after `at`, if a plausible year follows.
fn year_after(text: &[u8], at: usize) -> Option<usize> {
    let mut i = at;
    if text.get(i) == Some(&b',') {
        i += 1;
    }
    i = skip_spaces(text, i);
    if i == at {
        return None;
    }
    let digits = text[i..].iter().take_while(|c| c.is_ascii_digit()).count();
    let year = std::str::from_utf8(&text[i..i + digits])
        .ok()
        .and_then(|d| d.parse::<u32>().ok())?;
    let follows_ok = text
        .get(i + digits)
        .is_none_or(|c| !c.is_ascii_alphanumeric());
    (digits == 4 && (1800..=2100).contains(&year) && follows_ok).then_some(i + digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str, value: &str) -> usize {
        let start = text.find(value).expect("value");
        let s = Span {
            start,
            end: start + value.len(),
            ty: PhiType::Date,
        };
        whole_date(text.as_bytes(), &s)
    }

    #[test]
    fn a_range_with_one_month_is_one_date() {
        let t = "Out of work March 3-5, 2024 after the fall.";
        assert_eq!(
            &t[t.find("March").expect("m")..date(t, "March 3")],
            "March 3-5, 2024"
        );
        let t = "Away May 2 to 30 visiting family.";
        assert_eq!(
            &t[t.find("May").expect("m")..date(t, "May 2")],
            "May 2 to 30"
        );
    }

    #[test]
    fn counts_scores_and_numeric_dates_are_not_grown() {
        for (t, v) in [
            ("Seen March 3 - 2 sets of 10.", "March 3"),
            ("On June 4 to 5/10 pain.", "June 4"),
            ("Seen 7/22 - 3 reps.", "7/22"),
            ("On May 2 to 3.5 hours.", "May 2"),
        ] {
            let start = t.find(v).expect("value");
            assert_eq!(date(t, v), start + v.len(), "{t}");
        }
    }

    fn found(t: &str, value: &str) -> Span {
        let start = t.find(value).expect("value");
        Span {
            start,
            end: start + value.len(),
            ty: PhiType::Date,
        }
    }

    #[test]
    fn a_month_pair_is_a_date_beside_a_found_day_of_its_month() {
        let t = "Extubated 6/1. Dopamine weaned 6/2. Pain 6/10 at rest. Neo weaned 7/2. Weaned 6/3 6/4.";
        let dated = neighbour_dates(t, &[found(t, "6/1")]);
        let values: Vec<&str> = dated.iter().map(|s| &t[s.start..s.end]).collect();
        // `6/10` is a pain score, `7/2` has no dated day in July, `6/3 6/4` is a row.
        assert_eq!(values, vec!["6/2"]);
        // A month name dates its days too; a day more than ten away does not.
        let t = "Admitted April 20. Levo weaned 4/2, neo weaned 4/28.";
        let dated = neighbour_dates(t, &[found(t, "April 20")]);
        let values: Vec<&str> = dated.iter().map(|s| &t[s.start..s.end]).collect();
        assert_eq!(values, vec!["4/28"]);
        // No found date, nothing to read by.
        assert!(neighbour_dates("Levo weaned 4/2.", &[]).is_empty());
    }

    #[test]
    fn found_dates_name_their_month_and_day() {
        for (v, md) in [
            ("4/1", Some((4, 1))),
            ("4/12/2101", Some((4, 12))),
            ("2024-04-12", Some((4, 12))),
            ("April 8th", Some((4, 8))),
            ("8 Apr 2024", Some((4, 8))),
            ("Sept. 3", Some((9, 3))),
            ("March 3-5, 2024", Some((3, 3))),
            ("nov. 2016", None),
            ("4.12.24", None),
            ("13/4", None),
        ] {
            assert_eq!(month_and_day(v.as_bytes()), md, "{v}");
        }
        let days = [(3, 30), (4, 1), (4, 25)];
        assert!(dated_nearby(&days, 4, 11));
        assert!(!dated_nearby(&days, 4, 12));
        assert!(dated_nearby(&days, 4, 15));
        assert!(!dated_nearby(&days, 5, 1));
    }

    #[test]
    fn an_age_over_89_set_off_after_a_found_name_is_an_age() {
        let t = "Mr \u{AE40}, 91, was seen. Da-eun Seo (94) will be seen. Jones, 95% on RA. \
                 Smith (93/60). Lee, 85, walks. Kim, 93.5 kg. Park, 102.";
        let spans: Vec<Span> = [
            "\u{AE40}",
            "Da-eun Seo",
            "Jones",
            "Smith",
            "Lee",
            "Kim",
            "Park",
        ]
        .iter()
        .map(|n| found_name(t, n))
        .collect();
        let ages: Vec<&str> = ages_after_names(t, &spans)
            .iter()
            .map(|s| &t[s.start..s.end])
            .collect();
        assert_eq!(ages, vec!["91", "94", "102"]);
    }

    fn found_name(t: &str, value: &str) -> Span {
        let start = t.find(value).expect("value in text");
        Span {
            start,
            end: start + value.len(),
            ty: PhiType::Name,
        }
    }

    #[test]
    fn an_age_over_89_is_found_again_where_it_is_repeated_alone() {
        let t = "Pleasant 102-year-old man. At 102, he walks; temp 102.3, BP 102/60, room A-102, \
                 HR 102 bpm, 102% of goal.";
        let age = Span {
            start: 9,
            end: 12,
            ty: PhiType::Age,
        };
        let found = repeated_ages(t, &[age]);
        let at: Vec<usize> = found.iter().map(|s| s.start).collect();
        assert_eq!(at, vec![9, t.find("At 102").expect("at") + 3]);
    }
}
