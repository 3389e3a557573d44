//! Whole dates and ages: grows a found date over the day that ends a range written with
//! one month (`March 3-5, 2024`, `May 2 to 30`), and finds an age over 89 again wherever the
//! same note repeats the number alone (`a 102-year-old man … At 102, he still drives`).
//!
//! Both work on spans the rules and lexicon already found; nothing here starts a date or
//! an age on its own evidence.

use super::Span;
use crate::phi::PhiType;

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
