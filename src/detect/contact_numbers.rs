//! Numbers to dial written right after a found person (red team 58, R14).
//!
//! Owns one reading of the merged spans: a number of eight to fifteen digits set off right
//! after a NAME or provider span (`owner Ana Berg, 913 78 337`, `driver Ana Berg (04 3137
//! 212)`, `ask for Ana: 300 981 90 76`) is that person's phone number, in whatever grouping
//! their country writes it. The phone rules know the groupings of many countries but not
//! all, and an uncued eight-digit grouping is as often a count or a reading; written beside
//! a person, it is a number to reach them. Names the lexicon or the tagger found count as
//! much as capitalised words, so this reads after every name pass.

use super::{validate, Span};
use crate::phi::PhiType;

/// What may stand between a name and its number: a comma, a colon, an opening bracket or a
/// dash, with the blanks around them.
const SET_OFF: &[&[u8]] = &[
    b", ",
    b",",
    b" (",
    b"(",
    b": ",
    b":",
    b" - ",
    b" / ",
    b" \xE2\x80\x93 ",
    b" \xE2\x80\x94 ",
];

/// Phone spans for numbers set off right after a found person in `text`; `spans` are the
/// merged spans, which are not changed.
pub(super) fn phones_after_names(text: &str, spans: &[Span]) -> Vec<Span> {
    let b = text.as_bytes();
    spans
        .iter()
        .filter(|s| matches!(s.ty, PhiType::Name | PhiType::ProviderName))
        .filter_map(|s| number_set_off_after(b, s.end))
        .filter(|&(start, end)| validate::phone_after_name(text, start, end))
        .map(|(start, end)| Span {
            start,
            end,
            ty: PhiType::Phone,
        })
        .collect()
}

/// The bounds of a number set off at `at` (`, 913 78 337`, ` (04 3137 212)`), its opening
/// `+` or bracket included; `None` when no number follows the setting-off mark.
fn number_set_off_after(b: &[u8], at: usize) -> Option<(usize, usize)> {
    let rest = b.get(at..)?;
    let mark = SET_OFF.iter().find(|m| rest.starts_with(m))?;
    let start = at + mark.len();
    let end = number_end(b, start)?;
    Some((start, end))
}

/// The end of a dialled number starting at `start`: digits in groups cut by one blank, dot,
/// dash or slash, with an optional `+` first and an area code in brackets; `None` when it
/// does not start with a digit (or `+`, `(`).
fn number_end(b: &[u8], start: usize) -> Option<usize> {
    let mut i = start;
    if b.get(i) == Some(&b'+') {
        i += 1;
    }
    let mut open = false;
    let mut end = None;
    while let Some(&c) = b.get(i) {
        let next_digit = b.get(i + 1).is_some_and(u8::is_ascii_digit);
        let next_area = b.get(i + 1) == Some(&b'(') && b.get(i + 2).is_some_and(u8::is_ascii_digit);
        match c {
            b'0'..=b'9' => end = Some(i + 1),
            b'(' if !open && next_digit => open = true,
            b')' if open => {
                open = false;
                end = Some(i + 1);
            }
            b' ' | b'.' | b'-' | b'/' if end.is_some() && (next_digit || next_area) => {}
            _ => break,
        }
        i += 1;
    }
    // An area code opened and never closed is no number's bracket.
    end.filter(|_| !open)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str, name: &str) -> Vec<String> {
        let start = text.find(name).expect("name in text");
        let spans = [Span {
            start,
            end: start + name.len(),
            ty: PhiType::Name,
        }];
        phones_after_names(text, &spans)
            .iter()
            .map(|s| text[s.start..s.end].to_string())
            .collect()
    }

    #[test]
    fn numbers_set_off_after_a_person_are_phones() {
        assert_eq!(
            found("(owner Ana Berg, 913 78 337) is due", "Ana Berg"),
            ["913 78 337"]
        );
        assert_eq!(
            found("driver Ana Berg (04 3137 212). itinerary", "Ana Berg"),
            ["04 3137 212"]
        );
        assert_eq!(
            found("ask for Ana: 300 981 90 76. parish", "Ana"),
            ["300 981 90 76"]
        );
        assert_eq!(
            found("keys with Ana Berg (18 0648-9924)", "Ana Berg"),
            ["18 0648-9924"]
        );
        assert_eq!(
            found("Ana Berg - +44 (20) 7946 0958 today", "Ana Berg"),
            ["+44 (20) 7946 0958"]
        );
    }

    #[test]
    fn readings_dates_and_short_numbers_after_a_name_are_not() {
        for (text, name) in [
            ("Jones, 95 on RA", "Jones"),
            ("Smith (120 80 60) stable", "Smith"),
            ("Berg, 12/03/2024 seen", "Berg"),
            ("Berg, 2024-03-12 seen", "Berg"),
            ("Berg: 1000 1200 1600 2000", "Berg"),
            ("Berg, 1200 mg 1300 mg", "Berg"),
            ("Berg, 12 345 678 mg daily", "Berg"),
            ("Berg: 12:30 14:45 16:00", "Berg"),
            ("Berg, 1200 1230 1300 1330", "Berg"),
        ] {
            assert!(found(text, name).is_empty(), "{text}");
        }
    }
}
