//! Reading detected dates and rewriting them: Safe Harbor generalisation (year only) and
//! per-patient date shifting that keeps the written form.
//!
//! Owns date parsing for the forms the text rules detect (ISO, numeric with any separator,
//! month names, partial `7/22`, month-year) and their rendering after a shift. Calendar
//! arithmetic is the `time` crate's.

use time::{Date, Duration, Month};

/// Month names in lower case, January first (also patient memory's written birth dates).
pub(crate) const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// How the date was written, so a shifted date can be written the same way.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Style {
    /// `2024-03-14` (separator) + trailing time text
    Iso(char),
    /// `03/14/2024`, `3-14-24`; `day_first` for `14.03.2024`; year digits
    Numeric {
        sep: char,
        day_first: bool,
        year_digits: usize,
        pad: bool,
    },
    /// `7/22`
    MonthDay(char),
    /// `March 14, 2024`, `14 Mar 2024`, `Mar 14th`
    Named {
        day_first: bool,
        abbreviated: bool,
        upper: bool,
    },
    /// `March 2019`, `8/2019`
    MonthYear { numeric: bool },
}

/// A date as read from text: year may be missing (`7/22`), day may be missing (`March 2019`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParsedDate {
    pub year: Option<i32>,
    pub month: u8,
    pub day: Option<u8>,
    style: Style,
    /// Text after the date part (a time of day), kept unchanged.
    rest: String,
}

/// Reads a detected date; `None` when the text is not one of the known forms.
pub fn parse(s: &str) -> Option<ParsedDate> {
    let s = s.trim();
    if s.bytes().next()?.is_ascii_digit() {
        parse_numeric(s).or_else(|| parse_named(s))
    } else {
        parse_named(s)
    }
}

fn split_date_and_rest(s: &str) -> (&str, &str) {
    let end = s.find(['T', ' ', '@']).unwrap_or(s.len());
    (&s[..end], &s[end..])
}

fn parse_numeric(s: &str) -> Option<ParsedDate> {
    let (date, rest) = split_date_and_rest(s);
    let sep = date.chars().find(|c| matches!(c, '/' | '-' | '.'))?;
    let parts: Vec<&str> = date.split(sep).collect();
    if !parts
        .iter()
        .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let n: Vec<u32> = parts.iter().filter_map(|p| p.parse().ok()).collect();
    let rest = rest.to_string();
    match n.as_slice() {
        [y, m, d] if parts[0].len() == 4 => Some(ParsedDate {
            year: Some(i32::try_from(*y).ok()?),
            month: month(*m)?,
            day: Some(day(*d)?),
            style: Style::Iso(sep),
            rest,
        }),
        [a, b, y] => {
            let day_first = *a > 12;
            let (m, d) = if day_first { (*b, *a) } else { (*a, *b) };
            let year = if parts[2].len() == 2 {
                expand_two_digit_year(*y)
            } else {
                i32::try_from(*y).ok()?
            };
            let pad = parts[0].len() == 2 || parts[1].len() == 2;
            Some(ParsedDate {
                year: Some(year),
                month: month(m)?,
                day: Some(day(d)?),
                style: Style::Numeric {
                    sep,
                    day_first,
                    year_digits: parts[2].len(),
                    pad,
                },
                rest,
            })
        }
        [m, y] if parts[1].len() == 4 => Some(ParsedDate {
            year: Some(i32::try_from(*y).ok()?),
            month: month(*m)?,
            day: None,
            style: Style::MonthYear { numeric: true },
            rest,
        }),
        [m, d] => Some(ParsedDate {
            year: None,
            month: month(*m)?,
            day: Some(day(*d)?),
            style: Style::MonthDay(sep),
            rest,
        }),
        _ => None,
    }
}

fn parse_named(s: &str) -> Option<ParsedDate> {
    let words: Vec<&str> = s
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | '-' | '/'))
        .filter(|w| !w.is_empty())
        .collect();
    let mut month_idx = None;
    let mut month_at = 0;
    let mut abbreviated = false;
    for (i, w) in words.iter().enumerate() {
        let lw = w.trim_end_matches('.').to_ascii_lowercase();
        if lw.len() >= 3 {
            if let Some(m) = MONTHS
                .iter()
                .position(|name| name.starts_with(&lw) || lw == "sept")
            {
                month_idx = Some(m);
                month_at = i;
                abbreviated = lw.len() < MONTHS[m].len();
                break;
            }
        }
    }
    let m = month_idx?;
    let upper = words[month_at]
        .chars()
        .filter(char::is_ascii_alphabetic)
        .all(|c| c.is_ascii_uppercase());
    let mut day_v = None;
    let mut year = None;
    let mut day_first = false;
    // `March 14-16` is a range of days, not the 14th of 2016 (red team 69): a second day
    // after a dash, greater than the first, is no year.
    let range = day_range(s);
    for (i, w) in words.iter().enumerate() {
        let digits: String = w.chars().take_while(char::is_ascii_digit).collect();
        // A time of day (`19:05:12`) holds no year.
        if digits.is_empty() || w.contains(':') {
            continue;
        }
        let v: u32 = digits.parse().ok()?;
        if digits.len() == 4 {
            year = Some(i32::try_from(v).ok()?);
        } else if day_v.is_none() && (1..=31).contains(&v) && !(i > month_at && day_v.is_some()) {
            day_v = Some(day(v)?);
            day_first = i < month_at;
        } else if day_v.is_some() && digits.len() == 2 && w.len() == 2 && year.is_none() && !range {
            // Two digits alone: `17th` is another day (`the 3rd, 10th and 17th of May`).
            year = Some(expand_two_digit_year(v));
        }
    }
    let style = if day_v.is_none() {
        Style::MonthYear { numeric: false }
    } else {
        Style::Named {
            day_first,
            abbreviated,
            upper,
        }
    };
    Some(ParsedDate {
        year,
        month: u8::try_from(m + 1).ok()?,
        day: day_v,
        style,
        rest: String::new(),
    })
}

/// Whether `s` holds two day numbers joined by a dash, the second the greater
/// (`14-16`, `14 – 16`): a range of days.
fn day_range(s: &str) -> bool {
    let b = s.as_bytes();
    let number_at = |from: usize| {
        let len = b[from..].iter().take_while(|c| c.is_ascii_digit()).count();
        (len > 0 && len <= 2)
            .then(|| s[from..from + len].parse::<u32>().ok())
            .flatten()
            .map(|n| (n, from + len))
    };
    let mut i = 0;
    while i < b.len() {
        let starts = b[i].is_ascii_digit() && (i == 0 || !b[i - 1].is_ascii_digit());
        if let Some((first, end)) = starts.then(|| number_at(i)).flatten() {
            let rest = s[end..].trim_start();
            if let Some(after) = rest.strip_prefix(['-', '\u{2013}', '\u{2014}']) {
                let after = after.trim_start();
                let at = s.len() - after.len();
                if let Some((second, _)) = number_at(at) {
                    if second > first && second <= 31 {
                        return true;
                    }
                }
            }
            i = end;
            continue;
        }
        i += 1;
    }
    false
}

fn month(v: u32) -> Option<u8> {
    u8::try_from(v).ok().filter(|m| (1..=12).contains(m))
}

fn day(v: u32) -> Option<u8> {
    u8::try_from(v).ok().filter(|d| (1..=31).contains(d))
}

/// Two-digit years: 00–30 are this century, the rest the last.
fn expand_two_digit_year(y: u32) -> i32 {
    let y = i32::try_from(y).unwrap_or(0);
    if y <= 30 {
        2000 + y
    } else {
        1900 + y
    }
}

impl ParsedDate {
    /// Moves the date by `days`, keeping its written form. A date without a year is shifted
    /// within a leap year and written without one; a month-year is shifted from mid-month.
    pub fn shift(&self, days: i64) -> Option<String> {
        let year = self.year.unwrap_or(2000);
        let d = self.day.unwrap_or(15);
        let date = Date::from_calendar_date(year, Month::try_from(self.month).ok()?, d).ok()?;
        let shifted = date.checked_add(Duration::days(days))?;
        let mut out = ParsedDate {
            year: self.year.map(|_| shifted.year()),
            month: u8::from(shifted.month()),
            day: self.day.map(|_| shifted.day()),
            style: self.style.clone(),
            rest: self.rest.clone(),
        };
        if self.year.is_none() {
            out.year = None;
        }
        Some(out.render())
    }

    /// The year alone, as Safe Harbor allows.
    pub fn year_only(&self) -> Option<String> {
        self.year.map(|y| y.to_string())
    }

    fn render(&self) -> String {
        let m = self.month;
        let mut s = match &self.style {
            Style::Iso(sep) => {
                format!(
                    "{:04}{sep}{:02}{sep}{:02}",
                    self.year.unwrap_or(0),
                    m,
                    self.day.unwrap_or(1)
                )
            }
            Style::Numeric {
                sep,
                day_first,
                year_digits,
                pad,
            } => {
                let y = self.year.unwrap_or(0);
                let y = if *year_digits == 2 {
                    format!("{:02}", y.rem_euclid(100))
                } else {
                    y.to_string()
                };
                let d = self.day.unwrap_or(1);
                let (a, b) = if *day_first { (d, m) } else { (m, d) };
                if *pad {
                    format!("{a:02}{sep}{b:02}{sep}{y}")
                } else {
                    format!("{a}{sep}{b}{sep}{y}")
                }
            }
            Style::MonthDay(sep) => format!("{m}{sep}{}", self.day.unwrap_or(1)),
            Style::Named {
                day_first,
                abbreviated,
                upper,
            } => {
                let name = month_name(m, *abbreviated, *upper);
                let d = self.day.unwrap_or(1);
                match (day_first, self.year) {
                    (true, Some(y)) => format!("{d} {name} {y}"),
                    (true, None) => format!("{d} {name}"),
                    (false, Some(y)) => format!("{name} {d}, {y}"),
                    (false, None) => format!("{name} {d}"),
                }
            }
            Style::MonthYear { numeric: true } => format!("{m}/{}", self.year.unwrap_or(0)),
            Style::MonthYear { numeric: false } => {
                format!("{} {}", month_name(m, false, false), self.year.unwrap_or(0))
            }
        };
        s.push_str(&self.rest);
        s
    }
}

fn month_name(m: u8, abbreviated: bool, upper: bool) -> String {
    let full = MONTHS[usize::from(m.clamp(1, 12) - 1)];
    let base = if abbreviated { &full[..3] } else { full };
    let mut out: String = base.to_string();
    if upper {
        out = out.to_ascii_uppercase();
    } else if let Some(first) = out.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_detected_forms() {
        let p = |s| parse(s).unwrap_or_else(|| panic!("parse {s}"));
        assert_eq!(
            (
                p("2024-03-14").year,
                p("2024-03-14").month,
                p("2024-03-14").day
            ),
            (Some(2024), 3, Some(14))
        );
        assert_eq!(p("14.03.2024").day, Some(14));
        assert_eq!(p("3-14-24").year, Some(2024));
        assert_eq!(p("9/3/97").year, Some(1997));
        assert_eq!((p("7/22").year, p("7/22").month), (None, 7));
        assert_eq!(p("March 14, 2024").day, Some(14));
        assert_eq!(p("14 Mar 2024").month, 3);
        assert_eq!(p("Mar 14th").day, Some(14));
        assert_eq!(p("March 2019").day, None);
        assert_eq!(
            (
                p("12-Mar-1928").year,
                p("12-Mar-1928").month,
                p("12-Mar-1928").day
            ),
            (Some(1928), 3, Some(12))
        );
        assert_eq!(p("8/2019").day, None);
        assert!(parse("hello").is_none());
    }

    #[test]
    fn shift_keeps_form_and_intervals() {
        let shift = |s: &str, d| parse(s).and_then(|p| p.shift(d)).unwrap_or_default();
        assert_eq!(shift("2024-03-14", 20), "2024-04-03");
        assert_eq!(shift("2024-03-14T09:30:00Z", -14), "2024-02-29T09:30:00Z");
        assert_eq!(shift("03/14/2024", 1), "03/15/2024");
        assert_eq!(shift("7/22", 10), "8/1");
        assert_eq!(shift("March 14, 2024", 30), "April 13, 2024");
        assert_eq!(shift("MAR 14", 1), "MAR 15");
        assert_eq!(shift("14.03.2024", 1), "15.03.2024");
    }

    #[test]
    fn a_range_of_days_or_a_time_gives_no_year() {
        assert_eq!(parse("March 14-16").and_then(|d| d.year_only()), None);
        assert_eq!(
            parse("March 14 \u{2013} 16").and_then(|d| d.year_only()),
            None
        );
        assert_eq!(
            parse("Mar 12, 2026 19:05:12").and_then(|d| d.year_only()),
            Some("2026".into())
        );
        assert_eq!(
            parse("14 Mar 61").and_then(|d| d.year_only()),
            Some("1961".into())
        );
        assert_eq!(
            parse("March 14, 61").and_then(|d| d.year_only()),
            Some("1961".into())
        );
        assert_eq!(
            parse("3rd, 10th and 17th of September").and_then(|d| d.year_only()),
            None
        );
    }

    #[test]
    fn year_only() {
        assert_eq!(
            parse("03/14/1956").and_then(|p| p.year_only()).as_deref(),
            Some("1956")
        );
        assert_eq!(parse("7/22").and_then(|p| p.year_only()), None);
    }
}
