//! Identifier checks: check digits (SSN rules, Luhn, DEA, VIN, MBI, HICN, IBAN mod-97),
//! telephone numbers outside the US, licence plates, IPv6 and URLs, identifiers by shape,
//! and photo file names that read like a person's name.

use std::net::Ipv6Addr;
use std::str::FromStr;

use super::{in_number_run, UNITS};

/// A number read out digit by digit (`five one two, four seven, …`), possibly with `double` and
/// `triple` (`double two`), `dash` between groups, or digits mixed in (`5five5`): at least two digit words, seven to
/// nineteen digits in all, and no count up or down one at a time (`one two three …`, `nine
/// eight seven …`: a count, as in a cognitive screen, not a number).
pub(super) fn read_out_number(v: &str) -> bool {
    let mut words = 0;
    let mut digits = 0;
    let mut repeat = 1;
    for part in v.split(|c: char| !c.is_ascii_alphanumeric()) {
        let mut rest = part;
        while !rest.is_empty() {
            let lead = rest.bytes().take_while(u8::is_ascii_digit).count();
            digits += lead;
            rest = &rest[lead..];
            let letters = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
            if letters == 0 {
                continue;
            }
            let word = rest[..letters].to_ascii_lowercase();
            rest = &rest[letters..];
            match word.as_str() {
                "double" => repeat = 2,
                "triple" => repeat = 3,
                // Read out between groups (`five one two dash four seven`).
                "dash" | "hyphen" => {}
                w if digit_of_word(w).is_some() => {
                    words += 1;
                    digits += repeat;
                    repeat = 1;
                }
                _ => return false,
            }
        }
    }
    words >= 2 && (7..=19).contains(&digits) && !counted(v)
}

/// A run of digit words in any language (the rule chose them) that reads as a number: seven
/// to twenty-five words, three different ones at least, and one said twice or more.
pub(super) fn read_out_number_any_language(v: &str) -> bool {
    let words: Vec<String> = v
        .split([' ', ',', '.', '-'])
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let mut distinct = words.clone();
    distinct.sort_unstable();
    distinct.dedup();
    (7..=25).contains(&words.len()) && distinct.len() >= 3 && distinct.len() < words.len()
}

/// The digit a digit word stands for (`oh` is zero, as numbers are read aloud).
fn digit_of_word(w: &str) -> Option<usize> {
    const WORDS: [&str; 10] = [
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
    ];
    let w = if w == "oh" { "zero" } else { w };
    WORDS.iter().position(|d| *d == w)
}

/// Digit words that count up or down one at a time (`one two three …`, `nine eight seven …`):
/// a count, as in a cognitive screen, not a number read out. Digits written as digits are
/// not part of a count, and two words are too few to make one (`5five5-8six7`).
fn counted(v: &str) -> bool {
    let digits: Vec<Option<usize>> = v
        .split(|c: char| !c.is_ascii_alphabetic())
        .map(str::to_ascii_lowercase)
        .filter(|w| !w.is_empty() && w != "dash" && w != "hyphen")
        .map(|w| digit_of_word(&w))
        .collect();
    if digits.len() < 3 {
        return false;
    }
    let up = digits
        .windows(2)
        .all(|p| matches!((p[0], p[1]), (Some(a), Some(b)) if b == a + 1));
    let down = digits
        .windows(2)
        .all(|p| matches!((p[0], p[1]), (Some(a), Some(b)) if a == b + 1));
    up || down
}

/// SSA rules: area not 000, 666 or 9xx; group not 00; serial not 0000.
pub fn ssn(v: &str) -> bool {
    let digits: Vec<u8> = v
        .bytes()
        .filter(u8::is_ascii_digit)
        .map(|b| b - b'0')
        .collect();
    if digits.len() != 9 {
        return false;
    }
    let area = u32::from(digits[0]) * 100 + u32::from(digits[1]) * 10 + u32::from(digits[2]);
    let group = digits[3] * 10 + digits[4];
    let serial = digits[5..].iter().fold(0u32, |a, &d| a * 10 + u32::from(d));
    area != 0 && area != 666 && area < 900 && group != 0 && serial != 0
}

/// The Luhn check used by NPIs (with the 80840 prefix) and card numbers.
pub fn luhn(v: &str) -> bool {
    let digits: Vec<u32> = v
        .bytes()
        .filter(u8::is_ascii_digit)
        .map(|b| u32::from(b - b'0'))
        .collect();
    if digits.len() < 2 {
        return false;
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            if i % 2 == 1 {
                if d * 2 > 9 {
                    d * 2 - 9
                } else {
                    d * 2
                }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// DEA registration numbers: two letters, seven digits, last digit a checksum.
pub fn dea(v: &str) -> bool {
    let b = v.as_bytes();
    if b.len() != 9 || !b[..2].iter().all(u8::is_ascii_alphabetic) {
        return false;
    }
    let d: Vec<u32> = b[2..]
        .iter()
        .filter(|c| c.is_ascii_digit())
        .map(|c| u32::from(c - b'0'))
        .collect();
    if d.len() != 7 {
        return false;
    }
    let sum = d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5]);
    sum % 10 == d[6]
}

/// ISO 3779 VIN check digit (position 9).
pub fn vin(v: &str) -> bool {
    let b = v.as_bytes();
    b.len() == 17
        && b.iter().any(u8::is_ascii_digit)
        && b.iter().any(u8::is_ascii_alphabetic)
        && vin_check_digit(b).is_some_and(|check| b[8].to_ascii_uppercase() == check)
}

/// The check digit (position 9) of a 17-character VIN; position 9's own value is ignored.
/// `None` when a character is not allowed in a VIN (I, O, Q).
pub fn vin_check_digit(vin: &[u8]) -> Option<u8> {
    const WEIGHTS: [u32; 17] = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];
    let mut sum = 0;
    for (&c, w) in vin.iter().zip(WEIGHTS) {
        sum += vin_value(c.to_ascii_uppercase())? * w;
    }
    Some(match sum % 11 {
        10 => b'X',
        r => b'0' + u8::try_from(r).ok()?,
    })
}

pub(super) fn vin_value(c: u8) -> Option<u32> {
    Some(match c {
        b'0'..=b'9' => u32::from(c - b'0'),
        b'A' | b'J' => 1,
        b'B' | b'K' | b'S' => 2,
        b'C' | b'L' | b'T' => 3,
        b'D' | b'M' | b'U' => 4,
        b'E' | b'N' | b'V' => 5,
        b'F' | b'W' => 6,
        b'G' | b'P' | b'X' => 7,
        b'H' | b'Y' => 8,
        b'R' | b'Z' => 9,
        _ => return None,
    })
}

/// Medicare Beneficiary Identifier: 11 characters (dashes allowed), the shape is enforced by
/// the pattern; here we check length and that letters avoid S, L, O, I, B, Z.
pub fn mbi(v: &str) -> bool {
    let chars: Vec<u8> = v.bytes().filter(|&b| b != b'-').collect();
    chars.len() == 11
        && !chars.iter().any(|c| {
            matches!(
                c.to_ascii_uppercase(),
                b'S' | b'L' | b'O' | b'I' | b'B' | b'Z'
            )
        })
        && chars.iter().filter(|c| c.is_ascii_alphabetic()).count() >= 2
}

/// Payment card numbers: 13–19 digits; without a cue also Luhn-valid with a card-issuer
/// first digit (2–6: Mastercard, Amex/Diners/JCB, Visa, Mastercard, Discover/UnionPay) and
/// not one digit repeated.
pub fn card(v: &str, strict: bool) -> bool {
    let digits: Vec<u8> = v.bytes().filter(u8::is_ascii_digit).collect();
    if !(13..=19).contains(&digits.len()) {
        return false;
    }
    if !strict {
        return true;
    }
    let one_digit = digits.iter().all(|&d| d == digits[0]);
    (b'2'..=b'6').contains(&digits[0]) && !one_digit && luhn(v)
}

/// A card cue just before the number (`credit card`, `Visa:`, `cc#`): then any 13–19
/// digits are a card number, check digit or not.
pub(super) fn card_cue_before(text: &str, start: usize) -> bool {
    const CUES: &[&str] = &[
        "card",
        "cc",
        "visa",
        "mastercard",
        "amex",
        "express",
        "discover",
        "maestro",
        "jcb",
        "diners",
    ];
    let tail = String::from_utf8_lossy(&text.as_bytes()[start.saturating_sub(32)..start])
        .to_ascii_lowercase();
    let words: Vec<&str> = tail
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let last = &words[words.len().saturating_sub(3)..];
    // The last three words before the number: `credit card number`, `Visa on file`.
    last.iter().any(|w| CUES.contains(w))
}

/// HICN: the nine digits are a valid SSN; the suffix is one of the beneficiary codes.
pub fn hicn(v: &str) -> bool {
    let digits: String = v.chars().filter(char::is_ascii_digit).take(9).collect();
    let suffix: String = v
        .trim_start_matches(|c: char| c.is_ascii_digit() || c == '-' || c == ' ')
        .to_string();
    let suffix_ok = match suffix.as_bytes() {
        [l] => matches!(
            l,
            b'A' | b'B' | b'C' | b'D' | b'E' | b'F' | b'H' | b'J' | b'K' | b'M' | b'T' | b'W'
        ),
        [l, d] => {
            matches!(
                l,
                b'B' | b'C' | b'D' | b'E' | b'F' | b'J' | b'K' | b'T' | b'W'
            ) && d.is_ascii_digit()
        }
        _ => false,
    };
    digits.len() == 9 && ssn(&digits) && suffix_ok
}

/// IBAN lengths by country (ISO 13616 registry, the countries most often seen).
pub(super) const IBAN_LENGTHS: &[(&str, usize)] = &[
    ("AD", 24),
    ("AE", 23),
    ("AT", 20),
    ("BA", 20),
    ("BE", 16),
    ("BG", 22),
    ("BH", 22),
    ("BR", 29),
    ("CH", 21),
    ("CR", 22),
    ("CY", 28),
    ("CZ", 24),
    ("DE", 22),
    ("DK", 18),
    ("DO", 28),
    ("EE", 20),
    ("EG", 29),
    ("ES", 24),
    ("FI", 18),
    ("FO", 18),
    ("FR", 27),
    ("GB", 22),
    ("GE", 22),
    ("GI", 23),
    ("GL", 18),
    ("GR", 27),
    ("HR", 21),
    ("HU", 28),
    ("IE", 22),
    ("IL", 23),
    ("IS", 26),
    ("IT", 27),
    ("JO", 30),
    ("KW", 30),
    ("KZ", 20),
    ("LB", 28),
    ("LI", 21),
    ("LT", 20),
    ("LU", 20),
    ("LV", 21),
    ("MC", 27),
    ("MD", 24),
    ("ME", 22),
    ("MK", 19),
    ("MT", 31),
    ("MU", 30),
    ("NL", 18),
    ("NO", 15),
    ("PK", 24),
    ("PL", 28),
    ("PS", 29),
    ("PT", 25),
    ("QA", 29),
    ("RO", 24),
    ("RS", 22),
    ("SA", 24),
    ("SE", 24),
    ("SI", 19),
    ("SK", 24),
    ("SM", 27),
    ("TN", 24),
    ("TR", 26),
    ("UA", 29),
    ("VG", 24),
    ("XK", 20),
];

/// ISO 7064 mod 97-10 over the IBAN rearranged (first four characters moved to the end,
/// letters as 10–35); valid when the remainder is 1.
pub fn iban(v: &str) -> bool {
    let b: Vec<u8> = v
        .bytes()
        .filter(|c| !c.is_ascii_whitespace() && *c != b'-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if !(15..=34).contains(&b.len())
        || !b[..2].iter().all(u8::is_ascii_alphabetic)
        || !b[2..4].iter().all(u8::is_ascii_digit)
        || !b.iter().all(u8::is_ascii_alphanumeric)
    {
        return false;
    }
    let country = std::str::from_utf8(&b[..2]).unwrap_or("");
    if let Some(&(_, len)) = IBAN_LENGTHS.iter().find(|(c, _)| *c == country) {
        if b.len() != len {
            return false;
        }
    }
    let mut rem: u32 = 0;
    for &c in b[4..].iter().chain(&b[..4]) {
        let n = if c.is_ascii_digit() {
            u32::from(c - b'0')
        } else {
            u32::from(c - b'A') + 10
        };
        rem = if n >= 10 {
            (rem * 100 + n) % 97
        } else {
            (rem * 10 + n) % 97
        };
    }
    rem == 1
}

/// The longest prefix of the match, cut at a space, that is a valid IBAN (the pattern may
/// take a following upper-case word as one more group).
pub(super) fn iban_end(text: &str, start: usize, mut end: usize) -> Option<usize> {
    loop {
        if iban(&text[start..end]) {
            return Some(end);
        }
        end = start + text[start..end].rfind(' ')?;
    }
}

/// Non-US telephone numbers (`020 7946 0018`, `01.23.45.67.89`, `+4930123456`): 9–15
/// digits, not a row of readings, and not a list of 24-hour times (`0800 1200 1600`).
/// Words right before a number that make it one to dial (`reach her at 555-0147`).
const PHONE_CUES_BEFORE: &[&str] = &[
    "at", "call", "phone", "tel", "cell", "mobile", "home", "work", "number", "no", "contact",
    "pager", "reach", "dial", "text", "is", "on", "chart",
];

/// Words a little before a number that make it one to dial (`call the caregiver at`).
const PHONE_CUES_NEAR: &[&str] = &[
    "call", "phone", "tel", "cell", "reach", "dial", "contact", "number", "mobile",
];

/// A seven-digit number is a phone number only after a cue: right before it, or one of the
/// stronger ones within the few words before.
pub(super) fn phone_cue_before(text: &str, start: usize) -> bool {
    // `co/ci/svr 4-5/2.5-2.8/855-1000`: glued to a list of readings.
    if text[..start].ends_with('/') {
        return false;
    }
    // `#696-5305`: a number sign glued before seven digits marks a number to dial or an
    // identifier, PHI either way.
    if text[..start].ends_with('#') {
        return true;
    }
    let head = text[..start].trim_end_matches([' ', ':', '#', '\t']);
    let from = head.len().saturating_sub(40);
    let window = head.get(from..).unwrap_or("").to_ascii_lowercase();
    let words: Vec<&str> = window
        .split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| !w.is_empty())
        .collect();
    let last = words.last().copied().unwrap_or("");
    let right_before = head.ends_with(|c: char| c.is_ascii_alphabetic());
    right_before && PHONE_CUES_BEFORE.contains(&last)
        || words
            .iter()
            .rev()
            .take(5)
            .any(|w| PHONE_CUES_NEAR.contains(w))
}

/// Eight digits in a Nordic grouping (`974 05 025`, `70 38 91 26`, `08-41 69 81`): as short
/// as seven-digit local numbers, so a number to dial only after a cue (`phone_cue_before`)
/// or after a caller named within the few words before (`caller Ane Berg (974 05 025)`),
/// stop 51.
pub(super) fn phone_eight(text: &str, start: usize, end: usize) -> bool {
    if !phone_intl(text, start, end, 8..=8) {
        return false;
    }
    let from = start.saturating_sub(40);
    let window = text
        .as_bytes()
        .get(from..start)
        .unwrap_or_default()
        .to_ascii_lowercase();
    phone_cue_before(text, start) || window.windows(6).any(|w| w == b"caller")
}

pub(super) fn phone_intl(
    text: &str,
    start: usize,
    end: usize,
    allowed_digits: std::ops::RangeInclusive<usize>,
) -> bool {
    let before = text.as_bytes()[..start]
        .iter()
        .next_back()
        .is_some_and(|c| c.is_ascii_alphanumeric());
    phone_shaped(&text[start..end], allowed_digits) && !before && !in_number_run(text, start, end)
}

/// A number after the word for the person it reaches (`daughter 4975 4743`, `Nicole Lee
/// friend 0473.993.277`, a contact table's `step-daughter207.740.6898x642`): the role word is
/// the cue, so six digits are enough and the number may be glued to it; a date is no number
/// to dial.
pub(super) fn phone_after_role(text: &str, start: usize, end: usize) -> bool {
    phone_shaped(&text[start..end], 6..=15)
        && !super::dates::numeric_date(text, start, end)
        && !in_number_run(text, start, end)
}

/// A number of eight to fifteen digits set off right after a found person: no date, no
/// reading (`in_number_run`: a unit or more numbers after it).
pub(super) fn phone_after_name(text: &str, start: usize, end: usize) -> bool {
    let v = &text[start..end];
    phone_shaped(v, 8..=15)
        && !super::dates::numeric_date(text, start, end)
        && !year_first_date(v)
        && !in_number_run(text, start, end)
}

/// `2024-03-12`, `2024/3/12`: a year, a month and a day.
fn year_first_date(v: &str) -> bool {
    let parts: Vec<&str> = v.split(['-', '/', '.']).collect();
    let number = |p: &str| p.parse::<u32>().ok();
    matches!(parts.as_slice(), [y, m, d]
        if y.len() == 4
            && number(y).is_some_and(|y| (1800..=2100).contains(&y))
            && number(m).is_some_and(|m| (1..=12).contains(&m))
            && number(d).is_some_and(|d| (1..=31).contains(&d)))
}

/// A number after an at sign (`Ana Diaz @ (96) 692586`): notes write `@` before a time and a
/// reading too (`Glucose @ 0600-281`), so eight digits at least and no clock time first.
pub(super) fn phone_after_at(text: &str, start: usize, end: usize) -> bool {
    let v = &text[start..end];
    let first: String = v
        .trim_start_matches(['+', '('])
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let clock_first = first.len() == 4
        && first[..2].parse::<u32>().is_ok_and(|h| h < 24)
        && first[2..].parse::<u32>().is_ok_and(|m| m < 60);
    !clock_first && phone_intl(text, start, end, 8..=15)
}

/// Whether `v` has a phone number's count of digits in groups that are not all clock times
/// or round numbers.
fn phone_shaped(v: &str, allowed_digits: std::ops::RangeInclusive<usize>) -> bool {
    let digits = v.bytes().filter(u8::is_ascii_digit).count();
    if !allowed_digits.contains(&digits) {
        return false;
    }
    let groups: Vec<&str> = v
        .split(|c: char| !c.is_ascii_digit())
        .filter(|g| !g.is_empty())
        .collect();
    let clock = |g: &&str| {
        g.len() == 4
            && g[..2].parse::<u32>().is_ok_and(|h| h < 24)
            && g[2..].parse::<u32>().is_ok_and(|m| m < 60)
    };
    let all_times = groups.len() > 1 && groups.iter().all(clock);
    // `100 200 300`, `1000 1200 1600`: doses and schedules, not a number anyone dials.
    let all_round = groups.len() > 1 && groups.iter().all(|g| g.ends_with('0'));
    !all_times && !all_round
}

/// Words of an image file name that say nothing about who is in it. A name with any other
/// word (`maria_profile`, `jsmith_headshot`) is taken to name a person.
pub(super) const GENERIC_IMAGE_WORDS: &[&str] = &[
    "img",
    "image",
    "images",
    "dsc",
    "dscn",
    "dcim",
    "pxl",
    "photo",
    "photos",
    "pic",
    "pics",
    "picture",
    "scan",
    "scanned",
    "screenshot",
    "screen",
    "shot",
    "capture",
    "snapshot",
    "chart",
    "graph",
    "diagram",
    "figure",
    "fig",
    "logo",
    "icon",
    "banner",
    "header",
    "footer",
    "xray",
    "x",
    "ray",
    "mri",
    "ct",
    "us",
    "ekg",
    "ecg",
    "wound",
    "skin",
    "rash",
    "incision",
    "ulcer",
    "pressure",
    "injury",
    "edema",
    "scar",
    "lesion",
    "left",
    "right",
    "l",
    "r",
    "lt",
    "rt",
    "bilat",
    "hand",
    "hands",
    "arm",
    "leg",
    "foot",
    "feet",
    "knee",
    "shoulder",
    "hip",
    "elbow",
    "wrist",
    "ankle",
    "back",
    "spine",
    "neck",
    "finger",
    "thumb",
    "exercise",
    "exercises",
    "hep",
    "home",
    "program",
    "plan",
    "handout",
    "form",
    "page",
    "doc",
    "document",
    "file",
    "report",
    "result",
    "results",
    "lab",
    "labs",
    "splint",
    "brace",
    "orthosis",
    "before",
    "after",
    "pre",
    "post",
    "day",
    "week",
    "final",
    "draft",
    "copy",
    "new",
    "old",
    "edit",
    "edited",
    "thumbnail",
    "small",
    "large",
    "crop",
    "cropped",
    "rom",
    "grip",
    "test",
    "sample",
    "template",
    "example",
    "front",
    "side",
    "view",
    "lateral",
    "ap",
    "pa",
    "wheelchair",
    "seating",
    "posture",
    "setup",
    "equipment",
    "device",
    "adaptive",
    "kitchen",
    "bathroom",
    "bed",
    "tub",
    "shower",
    "chair",
    "room",
    "the",
    "of",
    "and",
    "a",
    "an",
    "to",
    "at",
    "in",
    "on",
    "v",
    "ver",
    "version",
    "rev",
    "tmp",
    "temp",
    "untitled",
    "attachment",
    "upload",
    "uploaded",
    "export",
    "output",
    "graphic",
    "map",
    "table",
    "signature",
];

/// Words in an image file name that always point at a person's likeness.
pub(super) const LIKENESS_WORDS: &[&str] = &[
    "profile", "headshot", "selfie", "portrait", "face", "facial", "mugshot", "passport", "avatar",
    "id", "badge", "license", "licence",
];

pub(super) fn photo_file(v: &str) -> bool {
    let stem = v.rsplit_once('.').map(|(s, _)| s).unwrap_or(v);
    let words: Vec<String> = stem
        .split(|c: char| !c.is_ascii_alphabetic())
        .flat_map(split_camel)
        .filter(|w| !w.is_empty())
        .map(|w| w.to_ascii_lowercase())
        .collect();
    words.iter().any(|w| LIKENESS_WORDS.contains(&w.as_str()))
        || words
            .iter()
            .any(|w| w.len() >= 3 && !GENERIC_IMAGE_WORDS.contains(&w.as_str()))
}

/// `JSmithHeadshot` → `J`, `Smith`, `Headshot`; lower-case and upper-case runs stay whole.
pub(super) fn split_camel(w: &str) -> Vec<&str> {
    let b = w.as_bytes();
    let mut out = Vec::new();
    let mut from = 0;
    for i in 1..b.len() {
        if b[i].is_ascii_uppercase() && b[i - 1].is_ascii_lowercase() {
            out.push(&w[from..i]);
            from = i;
        }
    }
    out.push(&w[from..]);
    out
}

/// Licence plates: a digit, or (vanity plates) capital letters after a plate cue that
/// leaves no doubt.
pub(super) fn plate(text: &str, start: usize, v: &str) -> bool {
    let chars = v.bytes().filter(u8::is_ascii_alphanumeric).count();
    if !(2..=10).contains(&chars) {
        return false;
    }
    if v.contains(' ') {
        // `CLX 5411`, `SV0 BFY`: real groups in capitals, not `10 hole` or `120 lbs`;
        // `VY 79394`, `PM 3104 GP`: a short letter group beside a run of digits.
        let groups: Vec<&str> = v.split(' ').filter(|g| !g.is_empty()).collect();
        let caps = !v.bytes().any(|c| c.is_ascii_lowercase());
        let last = groups.last().copied().unwrap_or("");
        let unit = UNITS.contains(&last.to_ascii_lowercase().as_str());
        let long_groups = groups.iter().all(|g| g.len() >= 3);
        let digit_run = groups
            .iter()
            .any(|g| g.len() >= 3 && g.bytes().all(|c| c.is_ascii_digit()));
        let letters = v.bytes().any(|c| c.is_ascii_alphabetic());
        // `AF 8H950`, `KS 400HQ`: a group of four or more holding letters and digits.
        let mixed_group = groups.iter().any(|g| {
            g.len() >= 4
                && g.bytes().any(|c| c.is_ascii_digit())
                && g.bytes().any(|c| c.is_ascii_alphabetic())
        });
        return caps
            && !unit
            && v.bytes().any(|c| c.is_ascii_digit())
            && (long_groups || mixed_group || digit_run && letters);
    }
    if v.bytes().any(|b| b.is_ascii_digit()) {
        return chars >= 3;
    }
    let cue = String::from_utf8_lossy(&text.as_bytes()[start.saturating_sub(24)..start])
        .to_ascii_lowercase();
    let strong = [
        "vanity",
        "license plate",
        "licence plate",
        "plate reads",
        "plate:",
        "plate #",
    ]
    .iter()
    .any(|c| cue.contains(c));
    strong && chars >= 3 && v.bytes().all(|b| b.is_ascii_uppercase() || b == b'-')
}

pub(super) fn ipv6(v: &str) -> bool {
    v.len() > 2 && v.bytes().filter(|&b| b == b':').count() >= 2 && Ipv6Addr::from_str(v).is_ok()
}

/// Trims sentence punctuation that the URL pattern swallowed.
pub(super) fn url_end(text: &str, start: usize, mut end: usize) -> Option<usize> {
    let b = text.as_bytes();
    while end > start
        && matches!(
            b[end - 1],
            b'.' | b',' | b';' | b':' | b'!' | b'?' | b')' | b'\'' | b'"'
        )
    {
        end -= 1;
    }
    let v = &text[start..end];
    let host_len = v.split_once("://").map(|(_, rest)| rest).unwrap_or(v).len();
    (host_len >= 4 && v.contains('.') || v.contains("://") && host_len >= 1).then_some(end)
}

/// `SN-2989-CF25`, `ACC-7556187`, `AB-12-34-CD`: hyphenated letters and digits with at
/// least four digits and two letters read as an identifier in free text. Codes people
/// write in notes have fewer or shorter digit runs (`COVID-19`, `T10-T12`) or no letters
/// (`97110-59`).
pub(super) fn mixed_id(v: &str) -> bool {
    let digits = v.bytes().filter(u8::is_ascii_digit).count();
    let letters = v.bytes().filter(u8::is_ascii_alphabetic).count();
    // Spinal and other anatomical ranges (`T10-T12`, `C1-C7`) have short digit runs.
    let longest_run = v
        .split(|c: char| !c.is_ascii_digit())
        .map(str::len)
        .max()
        .unwrap_or(0);
    // A prefix (`SN-`, `ACC-`) or a letters-then-digits group (`CF250`) makes it an
    // identifier; digits before letters are a measurement with its unit (`40-100CC`).
    let groups: Vec<&str> = v.split('-').collect();
    let prefix = groups[0].len() <= 4 && groups[0].bytes().all(|b| b.is_ascii_alphabetic());
    let coded = groups.iter().any(|g| {
        let letters = g.bytes().take_while(u8::is_ascii_alphabetic).count();
        let rest = &g[letters..];
        letters > 0 && rest.len() >= 3 && rest.bytes().all(|b| b.is_ascii_digit())
    });
    // `HR-110-133`, `BP130-140`, `AC-350-40`: a label and a range of values.
    let values = v.trim_start_matches(|c: char| c.is_ascii_alphabetic() || c == '-');
    let range = values.contains('-')
        && values
            .split('-')
            .all(|g| (1..=3).contains(&g.len()) && g.bytes().all(|b| b.is_ascii_digit()));
    digits >= 4 && letters >= 2 && longest_run >= 3 && (prefix || coded) && !range
}

/// A user name's own shape: a digit, an underscore, or a dot inside it (`jkowalczyk88`,
/// `rj_delacroix`, `aiko.tanaka`), which ordinary words after the cue (`handle with`) lack.
pub(super) fn handle_shaped(v: &str) -> bool {
    let inner = v.get(1..v.len().saturating_sub(1)).unwrap_or("");
    v.bytes().any(|b| b.is_ascii_digit() || b == b'_') || inner.contains('.')
}

/// Whether the value at `start` follows `:`, `=` or `@` (spaces aside): the cue named a
/// field, so the word after it is the user name whatever it looks like.
pub(super) fn handle_after_mark(text: &str, start: usize) -> bool {
    text[..start]
        .bytes()
        .rev()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| matches!(b, b':' | b'=' | b'@'))
}
