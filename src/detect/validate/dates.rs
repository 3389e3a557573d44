//! Date checks: numeric dates that are plausible, and the context that tells a bare
//! month/day (`7/22`) from a score, a ratio or a ventilator setting (`3/5`, `5/10`).

use super::{dotted_neighbour, glued, word_after, word_before};

/// `m/d/y`, `d.m.y` and friends: one reading of the parts must be a real calendar date.
pub(super) fn numeric_date(text: &str, start: usize, end: usize) -> bool {
    let v = &text[start..end];
    let date_part = v
        .split(|c: char| c.is_ascii_whitespace() || c == '@')
        .next()
        .unwrap_or(v);
    let parts: Vec<u32> = date_part
        .split(['/', '.', '-'])
        .filter_map(|p| p.parse().ok())
        .collect();
    let percent = text.as_bytes().get(end) == Some(&b'%');
    if parts.len() != 3 || percent || dotted_neighbour(text, start, end) || glued(text, start, end)
    {
        return false;
    }
    let (a, b, year) = (parts[0], parts[1], parts[2]);
    let year_ok = year < 100 || (1800..=2100).contains(&year);
    let md = (1..=12).contains(&a) && (1..=31).contains(&b);
    let dm = (1..=12).contains(&b) && (1..=31).contains(&a);
    year_ok && (md || dm)
}

pub(super) fn month_day(v: &str) -> bool {
    !starts_lowercase_may(v) && cued_month(v)
}

/// A month and a day of 1 to 31, or a four-digit year, whatever the month's case: the
/// rule's cue (`since`, `in`) has told the month from the verb.
pub(super) fn cued_month(v: &str) -> bool {
    let day: String = v
        .split(|c: char| !c.is_ascii_alphanumeric())
        .find(|w| w.bytes().next().is_some_and(|b| b.is_ascii_digit()))
        .map(|w| w.chars().take_while(char::is_ascii_digit).collect())
        .unwrap_or_default();
    day.len() == 4 || day.parse::<u32>().is_ok_and(|d| (1..=31).contains(&d))
}

/// Lower-case `may`/`mar` are far more often verbs than months, unless a year follows or
/// the day is written as an ordinal (`mar 14th`, `may 3rd`: no verb is followed so).
pub(super) fn starts_lowercase_may(v: &str) -> bool {
    let verb = v
        .split(|c: char| !c.is_ascii_alphabetic())
        .any(|w| w == "may" || w == "mar");
    verb && !has_year(v) && !has_ordinal_day(v)
}

/// A run of four digits in `v`: a year.
fn has_year(v: &str) -> bool {
    v.split(|c: char| !c.is_ascii_digit()).any(|d| d.len() == 4)
}

/// A word of `v` is a day written as an ordinal: one or two digits and `st`, `nd`, `rd`
/// or `th`.
fn has_ordinal_day(v: &str) -> bool {
    v.split(|c: char| !c.is_ascii_alphanumeric()).any(|w| {
        let digits = w.bytes().take_while(u8::is_ascii_digit).count();
        (1..=2).contains(&digits)
            && matches!(
                &w.as_bytes()[digits..],
                b"st" | b"nd" | b"rd" | b"th" | b"ST" | b"ND" | b"RD" | b"TH"
            )
    })
}

/// `date.month_year` and `date.spelled` in lower case: `may` is a verb whatever follows,
/// `mar` the drug record (`per mar 2000 units`); a lower-case `march` before a four-digit
/// year is the month (`march 2024`: no one marches a year).
pub(super) fn month_word(v: &str) -> bool {
    if v.starts_with("may") {
        return false;
    }
    if !v.starts_with("mar") {
        return true;
    }
    v.starts_with("march") && has_year(v)
}

/// Cues that make even `5/5` a date.
pub(super) const STRONG_DATE_CUE: &[&str] = &[
    "dated",
    "dos",
    "since",
    "admitted",
    "discharged",
    "dob",
    "born",
    "appt",
    "appointment",
    "onset",
    "surgery",
];

/// Words around `m/d` that mark a score, ratio or fraction rather than a date.
pub(super) const SCORE_BEFORE: &[&str] = &[
    "psv",
    "peep",
    "ps",
    "cpap",
    "bipap",
    "peep/ps",
    "ps/peep",
    "settings",
    "setting",
    "simv",
    "ac",
    "vent",
    "str",
    "strength",
    "mmt",
    "strength",
    "pain",
    "score",
    "scale",
    "scored",
    "rated",
    "grade",
    "bp",
    "assist",
    "x",
    "power",
    "reflexes",
    "sensation",
    "murmur",
    "ratio",
    "gcs",
    "rass",
    "cam",
    "apgar",
    "trials",
    "reps",
    "of",
    "was",
    "level",
    "dose",
    "rate",
    "b/p",
    // Cognitive screens scored out of a total (`recall 7/13`, `MoCA 22/30`).
    "recall",
    "moca",
    "slums",
    "mmse",
    "registration",
    "orientation",
    "delayed",
    // Parts of a test or goals counted out of a total (`subtests 4/7 completed`, `goals
    // 3/5 met`).
    "subtests",
    "subtest",
    "goals",
    "items",
    "questions",
    // Functional scales scored out of a total (`FIM 5/7`, `Katz ADL 5/6`, `ADL 5/6 on
    // Katz`; red team 52, H7).
    "fim",
    "adl",
    "adls",
    "iadl",
    "iadls",
    "katz",
    "lawton",
    "barthel",
    "index",
    // A hand test and the FIM's items scored so (`Jebsen-Taylor 7/13`, `FIM eating 6/7`;
    // red team 58, P1). `dressing` is not here: a wound dressing is changed on a day.
    "jebsen",
    "taylor",
    "eating",
    "grooming",
    "bathing",
    "toileting",
    "transfers",
    "locomotion",
    "stairs",
    "comprehension",
    "expression",
];

pub(super) const SCORE_AFTER: &[&str] = &[
    // Parts counted out of a total (`7/7 subtests`, `sensation intact 6/6 digits`).
    "subtests",
    "subtest",
    "digits",
    "independent",
    "independence",
    "assist",
    "assistance",
    "reps",
    "repetitions",
    "trials",
    "attempts",
    "sets",
    "strength",
    "pain",
    "correct",
    "accuracy",
    "score",
    "times",
    "grade",
    "murmur",
    "mmhg",
    "mg",
    "ml",
    "units",
    "hours",
    "hrs",
    "min",
    "minutes",
    "days",
    "of",
    "points",
    "pts",
    "steps",
    "items",
    "tasks",
    "cues",
    "cuing",
    "cueing",
    "%",
    "ratio",
    "x",
    "sec",
    "seconds",
    "lbs",
    "kg",
    "cm",
    "in",
    "degrees",
    "deg",
    "sessions",
    "visits",
    // Doses and flows written after a range or a fraction (`4-5 l np`, `4-6 puffs`, `5-10
    // bpm`, `1/2 NS`, `7/5 peep`): a quantity, not a date.
    "l",
    "lpm",
    "liters",
    "puffs",
    "puff",
    "bpm",
    "ns",
    "nss",
    "peep",
    // A count of parts done (`4/7 completed`, `3/5 goals met`, `2/3 answered`): no event is
    // dated by a bare past participle after its day.
    "completed",
    "achieved",
    "answered",
    "goals",
    // Things counted out of a total in a task (`5/6 buttons`, `4/5 blocks`).
    "buttons",
    "blocks",
    "pegs",
    "coins",
];

/// Score words that are also everyday words: they mark a score only for score-shaped pairs.
pub(super) const WEAK_SCORE_WORDS: &[&str] = &["of", "was", "in", "x", "level", "rate", "times"];

pub(super) const DATE_CUE_BEFORE: &[&str] = &[
    "on",
    "since",
    "dated",
    "date",
    "dos",
    "from",
    "until",
    "till",
    "thru",
    "through",
    "seen",
    "admitted",
    "admit",
    // `83 yo M adm 6-16 from OSH` (clin55): the nursing shorthand of `admitted`.
    "adm",
    "discharged",
    "d/c",
    "by",
    "next",
    "last",
    "scheduled",
    "eval",
    "visit",
    "dob",
    "born",
    "started",
    "start",
    "began",
    "due",
    "before",
    "after",
    "evaluated",
    "appt",
    "appointment",
    "returned",
    "surgery",
    "injury",
    "onset",
    // Events an ICU or discharge note dates (`A-line placed 9-23`, `family meeting 2/3`,
    // `see Dr. Lee's note 5-13`, `bed available 02/03`).
    "placed",
    "inserted",
    "removed",
    "note",
    "meeting",
    "available",
    "avail",
    "transferred",
    "arrived",
    "extubated",
    "intubated",
    "reintubated",
    "expired",
    "deceased",
    "died",
    "effective",
    // A return visit's day (`return 2/3`, `RTC 4/5`; red team 69, B).
    "return",
    "returns",
    "rtc",
    "recheck",
];

/// Hedges before a date (`around 4/25`, `approx 3/2`) that a score can take too (`pain
/// around 4/10`): a cue only where no score word stands right before the hedge.
const DATE_HEDGES: &[&str] = &["around", "approximately", "approx", "circa"];

/// A month/day date without a year. OT notes are full of `3/5` scores and `1/2` fractions,
/// so the value must look like a date and the words around it must not mark a score.
pub(super) fn partial_date(text: &str, start: usize, end: usize) -> bool {
    partial_date_reading(text, start, end, true)
}

/// `since 10/2-3`, `NPN 9/29-30`, `cultures from 10/13-15` (stop 57, `physio57`): a month,
/// a day and a later day of that month after the rule's cue are a range of days. A pressure
/// (`PAP 40/18-20`) has no month before its slash; a fraction and a dose (`1/2-3 tabs`), a
/// setting near a vent (`PS 10/5-8`) and a pair after a score word are left.
pub(super) fn day_range(text: &str, start: usize, end: usize) -> bool {
    let mut nums = text[start..end]
        .split(['/', '-'])
        .map(|p| p.parse::<u32>().ok());
    let (Some(Some(month)), Some(Some(first)), Some(Some(last)), None) =
        (nums.next(), nums.next(), nums.next(), nums.next())
    else {
        return false;
    };
    let fraction = first <= 4 && month < first;
    let prev = word_before(text, start);
    let scored = prev
        .as_deref()
        .is_some_and(|w| SCORE_BEFORE.contains(&w) && !DATE_CUE_BEFORE.contains(&w));
    (1..=12).contains(&month)
        && first >= 1
        && first < last
        && last <= 31
        && !fraction
        && !scored
        && !near_vent_settings(text, start)
}

/// [`partial_date`], reading a range's first pair only when `ranges` (the first pair is
/// read without it, so a chain `1/2-1/2-1/2…` costs one look back per pair, not the chain).
fn partial_date_reading(text: &str, start: usize, end: usize, ranges: bool) -> bool {
    let v = &text[start..end];
    let mut nums = v.split(['/', '-']).filter_map(|p| p.parse::<u32>().ok());
    let (Some(month), Some(day)) = (nums.next(), nums.next()) else {
        return false;
    };
    if glued(text, start, end) {
        return false;
    }
    let prev = word_before(text, start);
    if after_percent(text, start) {
        return false;
    }
    if near_vent_settings(text, start)
        && !weaned_on_a_day(prev.as_deref(), day)
        && !weaned_off(text, start)
    {
        return false;
    }
    let dash = v.contains('-');
    let next = word_after(text, end);
    let is = |w: &Option<String>, list: &[&str]| w.as_deref().is_some_and(|w| list.contains(&w));
    // Little words (`of`, `was`, `in`) say "score" only for pairs shaped like one: a common
    // denominator or a numerator above it (`3 of 4/5`, `3/4 in`); `am of 8/28` is a date.
    // `2/05`, `06/10`, `1/01`: no score, fraction or setting is written with a leading
    // zero; a padded number is a date's (a dash still needs its cue: `04-05`, a range).
    let padded = !dash && v.split('/').any(|p| p.len() == 2 && p.starts_with('0'));
    let score_shaped =
        !padded && (matches!(day, 2..=6 | 8 | 10 | 12 | 16 | 20 | 24 | 25 | 30) || month >= day);
    let scored_before = is(&prev, SCORE_BEFORE) && (score_shaped || !is(&prev, WEAK_SCORE_WORDS));
    let scored_after = is(&next, SCORE_AFTER) && (score_shaped || !is(&next, WEAK_SCORE_WORDS));
    if scored_before && !is(&prev, DATE_CUE_BEFORE) || scored_after {
        return false;
    }
    // `Monday 4/10`, `Tues 5/5`: a weekday before dates the pair whatever its numbers (no
    // score is given a day of the week); so does a date it ends a range from (`4/2-4/5`,
    // `from 4/2 to 4/5`).
    if weekday_before(prev.as_deref()) || ranges && ends_range_from_date(text, start) {
        return true;
    }
    // `around 8-9 am`: hours, not a day.
    if dash && is(&next, &["am", "pm"]) {
        return false;
    }
    let cued = is(&prev, DATE_CUE_BEFORE) || is(&prev, DATE_HEDGES) && !scored_hedge(text, start);
    let fraction = day <= 4 && month < day;
    if padded {
        return true;
    }
    // `5/5`, `2/2`, `4/4`, `10/10`: full marks on a scale; a date only with a strong cue.
    // `9/9` is no common score.
    if month == day && (day <= 5 || day == 10) && !is(&prev, STRONG_DATE_CUE) {
        return false;
    }
    // Out of 5 or 10 only when the first number fits under the second: `11/5` is no score.
    let scale = matches!(day, 5 | 10) && month <= day;
    if dash {
        // `4-5` is far more often a range than a date; dashes need a date cue.
        return cued && !fraction;
    }
    if fraction || scale {
        return cued
            || scale
                && !fraction
                && (opens_sentence(text, start) && word_follows(&next)
                    || dated_event_before(text, start, end, prev.as_deref()));
    }
    true
}

/// Tests, procedures and events a note dates but never scores out of 5 or 10 (`last BM
/// 4/10`, `CXR 2/5`, `blood cx 3/10`): a pain score or a grade follows what it scores, and
/// none of these is scored. Kept to nouns (and `sent`, `drawn`): a verb such as `given`
/// stands before a fraction of a dose as often as before a day.
const DATED_EVENTS: &[&str] = &[
    "bm",
    "cxr",
    "ct",
    "cta",
    "mri",
    "mra",
    "echo",
    "tte",
    "tee",
    "ekg",
    "ecg",
    "eeg",
    "cath",
    "cabg",
    "egd",
    "ercp",
    "colonoscopy",
    "bronch",
    "bronchoscopy",
    "picc",
    "ett",
    "foley",
    "lytes",
    "labs",
    "cx",
    "cxs",
    "culture",
    "cultures",
    "bcx",
    "ucx",
    "ua",
    "dialysis",
    "hd",
    "cvvh",
    "cvvhd",
    "transfusion",
    "ptca",
    "stent",
    "trach",
    "tracheostomy",
    "peg",
    "extubation",
    "intubation",
    "admission",
    "sent",
    "drawn",
];

/// A pair shaped like a score out of 5 or 10 (`4/10`) right after a dated event
/// ([`DATED_EVENTS`]), with no score word in its clause (`CXR 4/10, pain 6/10` stays).
fn dated_event_before(text: &str, start: usize, end: usize, prev: Option<&str>) -> bool {
    prev.is_some_and(|w| DATED_EVENTS.contains(&w)) && !score_word_in_clause(text, start, end)
}

/// The hedge right before `start` (`around`) follows a score word (`pain around 4/10`).
fn scored_hedge(text: &str, start: usize) -> bool {
    let head = text[..start].trim_end_matches([' ', '\t', ':', '(', ',']);
    let hedge = head.len()
        - head
            .bytes()
            .rev()
            .take_while(u8::is_ascii_alphabetic)
            .count();
    word_before(text, hedge).is_some_and(|w| SCORE_BEFORE.contains(&w.as_str()))
}

/// Weekdays as notes write them, whole or cut short (`Tues`, `Thurs`); `sat` is left out
/// (oxygen saturation: `sat 4/5`?), and `sun` (`sun 2/3 of the day`).
const WEEKDAYS: &[&str] = &[
    "monday",
    "mon",
    "tuesday",
    "tues",
    "tue",
    "wednesday",
    "wed",
    "thursday",
    "thurs",
    "thur",
    "thu",
    "friday",
    "fri",
    "saturday",
    "sunday",
];

/// The word before a pair is a weekday (`Tues 4/11`, `Monday, 4/10`).
fn weekday_before(prev: Option<&str>) -> bool {
    prev.is_some_and(|w| WEEKDAYS.contains(&w.trim_end_matches('.')))
}

/// Words that join the two ends of a range of days (`4/2 to 4/5`, `4/2 thru 4/5`).
const RANGE_WORDS: &[&str] = &["to", "thru", "through", "until", "till"];

/// The pair at `start` ends a range (`4/2-4/5`, `4/2 - 4/5`, `4/2 to 4/5`) whose first
/// pair is itself read as a date: a range of scores (`pain 4/10-6/10`) fails with its
/// first pair.
fn ends_range_from_date(text: &str, start: usize) -> bool {
    // Bytes, not `str` slices: the text before may hold any character, and a range's
    // words and numbers are ASCII.
    let trim = |h: &[u8]| -> usize { h.len() - h.iter().rev().take_while(|c| **c == b' ').count() };
    let b = text.as_bytes();
    let mut end = trim(&b[..start]);
    // A range joined by a word may hold dashed pairs (`from 3-23 to 10-21`, clin55); one
    // joined by a dash holds slashed pairs only (`3-4-5` is no range of days).
    let mut worded = false;
    if b[..end].ends_with(b"-") {
        end = trim(&b[..end - 1]);
    } else {
        worded = true;
        let head = &b[..end];
        let Some(word) = RANGE_WORDS.iter().find(|w| {
            head.len() > w.len()
                && head[head.len() - w.len()..].eq_ignore_ascii_case(w.as_bytes())
                && head[head.len() - w.len() - 1] == b' '
        }) else {
            return false;
        };
        end = trim(&b[..end - word.len()]);
    }
    let first = end
        - b[..end]
            .iter()
            .rev()
            .take_while(|c| c.is_ascii_digit() || **c == b'/' || worded && **c == b'-')
            .count();
    let pair = &b[first..end];
    let mark = |c: &u8| *c == b'/' || *c == b'-';
    let shaped = pair.iter().filter(|c| mark(c)).count() == 1
        && pair.split(mark).all(|n| (1..=2).contains(&n.len()))
        && (first == 0 || !b[first - 1].is_ascii_alphanumeric())
        && month_and_day(&text[first..end]);
    shaped && partial_date_reading(text, first, end, false)
}

/// `m/d` with a month of 1 to 12 and a day of 1 to 31.
fn month_and_day(pair: &str) -> bool {
    let mut nums = pair
        .split(['/', '-'])
        .map(|n| n.parse::<u32>().unwrap_or(0));
    let (month, day) = (nums.next().unwrap_or(0), nums.next().unwrap_or(0));
    (1..=12).contains(&month) && (1..=31).contains(&day)
}

/// Units of time after a number: the number counts them (`mi 10 years ago`, `CVA 15 yrs`),
/// it is no year.
const TIME_UNITS: &[&str] = &[
    "years", "year", "yrs", "yr", "y", "yo", "months", "month", "mos", "mo", "weeks", "week",
    "wks", "wk", "days", "day", "d", "hours", "hrs", "hr", "ago",
];

/// The number ending at `end` is followed by a unit of time (`10 years ago`, `12 yrs`).
pub(super) fn time_count(text: &str, end: usize) -> bool {
    word_after(text, end).is_some_and(|w| TIME_UNITS.contains(&w.as_str()))
}

/// A pair after a percentage in one list of settings (`500X10, 40%, & 5/8`, `40% 5/5`): the
/// PEEP and pressure support after the oxygen, not a date. Only spaces, commas and `&` or
/// `and` may stand between them, so a sentence's end (`sats 95%. 10/3 CXR`) breaks the list.
fn after_percent(text: &str, start: usize) -> bool {
    let mut head = text[..start].trim_end_matches([' ', '\t', ',', '&']);
    if let Some(h) = head.strip_suffix(" and") {
        head = h.trim_end_matches([' ', '\t', ',']);
    }
    head.len() < start && head.ends_with('%')
}

/// `IABP weaned off 9/7`: nothing is weaned off to a setting (settings are `weaned to
/// 10/5`), so a pair right after `weaned off` is the day it happened.
fn weaned_off(text: &str, start: usize) -> bool {
    let head = text[..start].trim_end_matches([' ', '\t']);
    let tail = head.get(head.len().saturating_sub(10)..).unwrap_or("");
    tail.eq_ignore_ascii_case("weaned off")
}

/// A pair that opens a line or a sentence (`4/5 CSRU SHIFT SUMMARY`, `...DEPENDENT.  9/10
/// PROCAN DCED`): a note's entries start with their date, while a score follows what it
/// scores (`MMT 4/5`, `pain 6/10`). Not after a number's period (`0.5 4/5`).
fn opens_sentence(text: &str, start: usize) -> bool {
    let head = text[..start].trim_end_matches([' ', '\t']);
    let b = head.as_bytes();
    match b.last() {
        None | Some(b'\n') => true,
        Some(b'.') => head.len() < start && b.len() >= 2 && b[b.len() - 2].is_ascii_alphabetic(),
        _ => false,
    }
}

/// The word after a pair is a word of letters (a unit, drug or heading), not a number, a
/// mark or a score's noun (those were ruled out before).
fn word_follows(next: &Option<String>) -> bool {
    next.as_deref()
        .is_some_and(|w| w.len() >= 2 && w.bytes().all(|c| c.is_ascii_alphabetic()))
}

/// The word after a number marks it a count, a dose or a score (`3 reps`, `10 units`).
pub(super) fn scored_after(text: &str, end: usize) -> bool {
    word_after(text, end).is_some_and(|w| SCORE_AFTER.contains(&w.as_str()))
}

/// The words around a number pair mark a score or ratio (`MMT 4/5`, `5/60 ratio`).
pub(super) fn score_context(text: &str, start: usize, end: usize) -> bool {
    let is = |w: Option<String>, list: &[&str]| w.as_deref().is_some_and(|w| list.contains(&w));
    is(word_before(text, start), SCORE_BEFORE) || is(word_after(text, end), SCORE_AFTER)
}

/// `Levophed weaned 3/20`, `weaned 11/17 to trach mask`: a pair right after `weaned` (no
/// `to`) whose second number is 13 or more is the day it happened: a pressure support over
/// a PEEP that high is no weaning step, and settings are written `weaned to 10/5`.
fn weaned_on_a_day(prev: Option<&str>, day: u32) -> bool {
    prev == Some("weaned") && day >= 13
}

/// Words in the 16 bytes before a pair that name a ventilator setting.
const VENT: &[&str] = &[
    "psv", "peep", "cpap", "bipap", "ps ", "ps/", "flowby", "settings", "vent", "fio2", "simv",
    "imv",
];

/// Ventilator settings (`PSV 10/5`, `flowby 6/3`, `CPAP/PS 5/5`) look like dates.
pub(super) fn near_vent_settings(text: &str, start: usize) -> bool {
    let window = window_before(text, start);
    window.contains("wean") || VENT.iter().any(|v| window.contains(v))
}

/// The 16 bytes before `start`, lower-cased (fewer where a character would be cut).
fn window_before(text: &str, start: usize) -> String {
    let from = start.saturating_sub(16);
    text.get(from..start).unwrap_or("").to_ascii_lowercase()
}

/// A month/day pair that [`partial_date`] leaves, read as a date because the note dates
/// another day of its month within ten days (the caller checks that): `levo weaned 4/2`
/// beside `extub 4/1`. The neighbour says the note counts days in that month; it does not
/// make a score a date, so what marks one still rules the pair out: a score or setting
/// word before or after it (`pain`, `PS`, `peep`), a percentage before it, a pair shaped
/// like a grade out of 5 (`4/5`, `5/5`, `2/2`) or a fraction (`1/2`, `3/4`), an `x/10`
/// (`10/10` too) with a score word in its clause (`pain at incision 4/10`), and a run of
/// pairs (`4/5 4/5 3/5`).
///
/// `weaned` alone stands before drugs weaned on a day as often as before a setting, so it
/// rules out only a pair shaped like pressure support over PEEP (`weaned 10/5`).
pub(super) fn dated_month_pair(text: &str, start: usize, end: usize) -> bool {
    let b = text.as_bytes();
    let pair = &b[start..end];
    let slash = pair.iter().filter(|c| **c == b'/').count();
    let shaped = slash == 1
        && pair
            .split(|c| *c == b'/')
            .all(|n| (1..=2).contains(&n.len()) && n.iter().all(u8::is_ascii_digit));
    if !shaped || !month_and_day(&text[start..end]) {
        return false;
    }
    let mut nums = text[start..end]
        .split('/')
        .map(|n| n.parse::<u32>().unwrap_or(0));
    let (month, day) = (nums.next().unwrap_or(0), nums.next().unwrap_or(0));
    let letter_touches = start > 0 && b[start - 1].is_ascii_alphanumeric()
        || b.get(end).is_some_and(u8::is_ascii_alphanumeric);
    if letter_touches || glued(text, start, end) || after_percent(text, start) {
        return false;
    }
    let fraction = day <= 4 && month < day;
    let grade = day == 5 && month <= 5;
    // `10/10` is read as any `x/10` is, below: with no score word in its clause.
    let full_marks = month == day && day <= 5;
    if fraction || grade || full_marks {
        return false;
    }
    let window = window_before(text, start);
    let prev = word_before(text, start);
    let next = word_after(text, end);
    let is = |w: &Option<String>, list: &[&str]| w.as_deref().is_some_and(|w| list.contains(&w));
    if VENT.iter().any(|v| window.contains(v)) {
        return false;
    }
    let setting_shaped = (5..=12).contains(&day) && month >= day;
    if window.contains("wean") && (setting_shaped || is(&prev, &["to"])) {
        return false;
    }
    // `of`, `was`, `in` before a dated day are words of a sentence (`BM was 4/12`); the
    // weak words that count (`x`, `level`, `rate`, `times`) still say score.
    let sentence_word = is(&prev, &["of", "was", "in"]);
    let scored_before = is(&prev, SCORE_BEFORE) && !is(&prev, DATE_CUE_BEFORE) && !sentence_word;
    if scored_before || is(&next, SCORE_AFTER) {
        return false;
    }
    if day == 10 && month <= 10 && score_word_in_clause(text, start, end) {
        return false;
    }
    !pair_beside(b, start, end)
}

/// A score word (one of [`SCORE_BEFORE`] that is no everyday word) in the clause around a
/// pair: `pain at incision 4/10`, `4/10 with movement, pain meds given`.
fn score_word_in_clause(text: &str, start: usize, end: usize) -> bool {
    let stops = |c: char| matches!(c, '.' | ';' | '\n');
    let head = &text[..start];
    let from = head.rfind(stops).map_or(0, |i| i + 1);
    let from = from.max(head.len().saturating_sub(40));
    let tail = &text[end..];
    let to = tail.find(stops).unwrap_or(tail.len()).min(40);
    // Bytes: 40 back may fall inside a character; the score words are ASCII.
    let words = String::from_utf8_lossy(&text.as_bytes()[from..end + to]).to_ascii_lowercase();
    words
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '/')
        .any(|w| SCORE_BEFORE.contains(&w) && !WEAK_SCORE_WORDS.contains(&w))
}

/// Another number pair right before or after this one, with only spaces, tabs or commas
/// between them: a row of grades or settings (`4/5 4/5 3/5`, `10/5, 12/5`).
fn pair_beside(b: &[u8], start: usize, end: usize) -> bool {
    let gap = |c: &u8| matches!(c, b' ' | b'\t' | b',');
    let is_pair = |tok: &[u8]| {
        let mut parts = tok.split(|c| *c == b'/');
        let (Some(a), Some(c)) = (parts.next(), parts.next()) else {
            return false;
        };
        !a.is_empty() && !c.is_empty() && a.iter().chain(c).all(u8::is_ascii_digit)
    };
    let before_end = start - b[..start].iter().rev().take_while(|c| gap(c)).count();
    let before = if before_end < start {
        let head = &b[..before_end];
        let from = before_end
            - head
                .iter()
                .rev()
                .take_while(|c| c.is_ascii_digit() || **c == b'/')
                .count();
        is_pair(&head[from..])
    } else {
        false
    };
    let after_start = end + b[end..].iter().take_while(|c| gap(c)).count();
    let after = after_start > end && {
        let tail = &b[after_start..];
        let len = tail
            .iter()
            .take_while(|c| c.is_ascii_digit() || **c == b'/')
            .count();
        is_pair(&tail[..len])
    };
    before || after
}
