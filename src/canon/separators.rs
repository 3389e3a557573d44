//! Marks that join values a reader sees apart: a comma between runs of digits that are no
//! thousands (`4135550172,19610823`, a CSV row sent as text) or between a word and a long
//! number (`Hollow Rd,6175550143`), an uncommon mark between the
//! groups of a phone number or an SSN (`413*555*0172`, `413•555•0172`), and `_` between the
//! words of a file name or a slug (`MR4410827_discharge.pdf`, `scan_4410827_19610823.png`).
//!
//! Each hides a value from rules that look for a word's edges, though any reader parts it
//! there. The view reads a comma or a mark as the blank or dash it stands for: the rest of
//! the text is copied as it is, and each mark maps to itself, so spans cover what was
//! written. A `_` is read both ways ([`underscores_parted`]): rules that know a file name
//! or a user name whole (`odile_profile_2023.png`) read it as written.

use super::{Builder, Canon};

/// A mark read as another character: its input range and the character.
type Mark = (usize, usize, char);

/// The groups of digits an uncommon mark may join: a phone's (3, 3, 4) and an SSN's (3, 2, 4).
const GROUPS: [[usize; 3]; 2] = [[3, 3, 4], [3, 2, 4]];

impl Canon {
    /// The view of `text` with such marks read as a space (a comma, `_`) or a dash (a mark
    /// between digit groups), or `None` when it has none.
    pub(super) fn separated(text: &str) -> Option<Canon> {
        let b = text.as_bytes();
        // A value of one word is read whole by the identifier shapes (`MR4410827_v2`) and
        // a code field keeps `in_progress` as written: only text is parted.
        if !b.iter().any(u8::is_ascii_whitespace) {
            return None;
        }
        let mut marks: Vec<Mark> = Vec::new();
        for p in memchr::memchr_iter(b',', b) {
            if parts_numbers(b, p) || parts_word_from_number(b, p) {
                marks.push((p, p + 1, ' '));
            }
        }
        marks.extend(group_marks(text));
        if marks.is_empty() {
            return None;
        }
        // A dash read for a phone's mark wins over a blank read for the same comma.
        marks.sort_unstable_by_key(|&(start, end, c)| (start, end, c != '-'));
        let mut view = Builder::with_capacity(text.len());
        let mut copied = 0;
        for (start, end, c) in marks {
            if start < copied {
                continue;
            }
            view.push_literal(&text[copied..start], copied);
            view.push_mapped(c, start, end);
            copied = end;
        }
        view.push_literal(&text[copied..], copied);
        Some(view.out)
    }
}

/// `text` with each `_` that parts two words of a name written as one read as a space, byte
/// for byte (so its spans are `text`'s), or `None` when it has none. Only text is parted: a
/// value of one word is read whole by the identifier shapes (`MR4410827_v2`).
pub fn underscores_parted(text: &str) -> Option<String> {
    let b = text.as_bytes();
    if !b.iter().any(u8::is_ascii_whitespace) {
        return None;
    }
    let mut out: Option<Vec<u8>> = None;
    for p in memchr::memchr_iter(b'_', b) {
        if parts_words(text, p) {
            out.get_or_insert_with(|| b.to_vec())[p] = b' ';
        }
    }
    // Only an ASCII `_` became an ASCII space: still UTF-8.
    out.map(|o| String::from_utf8_lossy(&o).into_owned())
}

/// Whether the comma at `p` stands between two numbers rather than inside one: digits on
/// both sides, and not a thousands mark (at most three digits before it, exactly three
/// after it, `4,135,550`).
fn parts_numbers(b: &[u8], p: usize) -> bool {
    let before = b[..p]
        .iter()
        .rev()
        .take_while(|c| c.is_ascii_digit())
        .count();
    let after = b[p + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
    before > 0 && after > 0 && !(before <= 3 && after == 3)
}

/// Whether the comma at `p` stands between a word and a long number, with no blank
/// (`42 Quarry Hollow Rd,6175550143`, a CSV row sent as text; red team 68): a letter
/// before it and seven digits or more after it, up to a word's end. No amount or list is
/// written so; a phone, a record number or a birth date is.
fn parts_word_from_number(b: &[u8], p: usize) -> bool {
    let letter_before = p > 0 && b[p - 1].is_ascii_alphabetic();
    let after = b[p + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
    let ends = b
        .get(p + 1 + after)
        .is_none_or(|c| !c.is_ascii_alphanumeric());
    letter_before && after >= 7 && ends
}

/// Whether the `_` at `p` parts two words of a name written as one (`MR4410827_discharge`):
/// a letter or digit on both sides, in a word that is no e-mail address or URL (whose parts
/// a `_` belongs to) and no token of phigate's own (`NAME_FPTZZPVMFR`).
fn parts_words(text: &str, p: usize) -> bool {
    let b = text.as_bytes();
    let alnum = |i: Option<usize>| {
        i.and_then(|i| b.get(i))
            .is_some_and(u8::is_ascii_alphanumeric)
    };
    if !alnum(p.checked_sub(1)) || !alnum(Some(p + 1)) {
        return false;
    }
    let start = text[..p]
        .rfind(|c: char| c.is_whitespace())
        .map_or(0, |i| i + 1);
    let end = text[p..]
        .find(|c: char| c.is_whitespace())
        .map_or(text.len(), |i| p + i);
    let word = &text[start..end];
    if word.contains('@') || word.contains("://") {
        return false;
    }
    !is_token_at(b, p)
}

/// Whether the `_` at `p` is the one of a token phigate writes: a type of capitals before
/// it and capitals or digits after it (`NAME_FPTZZPVMFR`, `ID_VFTKGWKSSK`).
fn is_token_at(b: &[u8], p: usize) -> bool {
    let head = b[..p]
        .iter()
        .rev()
        .take_while(|c| c.is_ascii_uppercase())
        .count();
    let tail = b[p + 1..]
        .iter()
        .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        .count();
    head >= 2 && tail >= 6
}

/// The marks between the groups of a phone number or an SSN written with one uncommon mark
/// twice (`413*555*0172`, `413x555x0172`, `413•555•0172`): each is read as a dash.
fn group_marks(text: &str) -> Vec<Mark> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit() || (i > 0 && b[i - 1].is_ascii_alphanumeric()) {
            i += 1;
            continue;
        }
        match grouped_at(text, i) {
            Some((marks, end)) => {
                out.extend(marks);
                i = end;
            }
            None => i += b[i..].iter().take_while(|c| c.is_ascii_digit()).count(),
        }
    }
    out
}

/// The two marks of a number in [`GROUPS`] opening at `at`, and where the number ends.
fn grouped_at(text: &str, at: usize) -> Option<([Mark; 2], usize)> {
    let b = text.as_bytes();
    let digits = |from: usize| b[from..].iter().take_while(|c| c.is_ascii_digit()).count();
    let first = digits(at);
    if first != 3 {
        return None;
    }
    let mark_at = at + 3;
    let mark = text[mark_at..].chars().next()?;
    if !is_uncommon_mark(mark) {
        return None;
    }
    let len = mark.len_utf8();
    let second = digits(mark_at + len);
    let second_end = mark_at + len + second;
    if !text[second_end..].starts_with(mark) {
        return None;
    }
    let third = digits(second_end + len);
    let end = second_end + len + third;
    let shaped = GROUPS.contains(&[first, second, third]);
    let closed = !b.get(end).is_some_and(u8::is_ascii_alphanumeric);
    (shaped && closed).then_some((
        [
            (mark_at, mark_at + len, '-'),
            (second_end, second_end + len, '-'),
        ],
        end,
    ))
}

/// A mark no number is written with in earnest, and that the view does not already read
/// as a dash, slash, dot or space: `*`, `~`, `x`, `#`, `+`, `=`, `^`, `;`, `:`, a bullet, an
/// emoji or any other symbol.
fn is_uncommon_mark(c: char) -> bool {
    match c {
        '*' | '~' | 'x' | 'X' | '#' | '+' | '=' | '^' | ';' | ':' | '|' | '_' | ',' => true,
        c if c.is_ascii() => false,
        c => !c.is_alphanumeric() && !c.is_whitespace(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(s: &str) -> String {
        Canon::separated(s).map_or_else(|| s.to_string(), |v| v.text().to_string())
    }

    #[test]
    fn marks_that_join_values_read_as_blanks_and_dashes() {
        assert_eq!(view("row: 4135550172,19610823"), "row: 4135550172 19610823");
        assert_eq!(
            view("at 42 Quarry Hollow Rd,6175550143 cell"),
            "at 42 Quarry Hollow Rd 6175550143 cell"
        );
        assert_eq!(
            underscores_parted("Uploaded MR4410827_discharge.pdf").as_deref(),
            Some("Uploaded MR4410827 discharge.pdf")
        );
        assert_eq!(view("call 413*555*0172 ok"), "call 413-555-0172 ok");
        assert_eq!(view("call 413•555•0172 ok"), "call 413-555-0172 ok");
        assert_eq!(view("ssn 512~47~3306"), "ssn 512-47-3306");
        let v = Canon::separated("call 413🙂555🙂0172").expect("a view");
        let at = v.text().find("413").expect("found");
        assert_eq!(v.source_range(at, v.text().len()), (5, 23));
    }

    #[test]
    fn thousands_addresses_and_tokens_stay() {
        for plain in [
            "paid 4,135,550 in 2023",
            "1,250 steps",
            "mail rosa_lind@inbox.example",
            "see https://x.example/a_b",
            "seen NAME_FPTZZPVMFR today",
            "in_progress",
            "4135550172,19610823",
            "3*4*5 grid",
            "reps x,1234 and set,12345678a",
            "a_ b",
        ] {
            assert_eq!(view(plain), plain, "{plain}");
        }
        assert_eq!(
            underscores_parted("a snake_case").as_deref(),
            Some("a snake case")
        );
        for kept in [
            "mail rosa_lind@inbox.example",
            "see https://x.example/a_b",
            "seen NAME_FPTZZPVMFR today",
            "in_progress",
            "a_ b",
        ] {
            assert_eq!(underscores_parted(kept), None, "{kept}");
        }
    }
}
