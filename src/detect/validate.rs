//! Validators: checks a rule's match must pass before it counts as PHI.
//!
//! Owns check digits (VIN, Luhn, DEA), format rules (SSN area/group/serial, MBI, IP
//! addresses), date plausibility, and the context checks that tell a date like `7/22` from a
//! score like `3/5`. A validator sees the whole text and the value's byte range and returns
//! the (possibly trimmed) end of the value, or `None` to reject the match.

use std::net::{Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

/// A named check from a rule's `validate` field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Validator {
    /// A payment card number without a cue: 13–19 digits, Luhn-valid, a card-issuer first
    /// digit, not part of a longer run of numbers.
    Card,
    /// A payment card number after a cue (`credit card`): 13–19 digits, any check digit.
    CardCued,
    City,
    Date,
    Dea,
    HasDigit,
    /// Health Insurance Claim Number: a valid SSN and a beneficiary suffix (`123456789A`).
    Hicn,
    /// IBAN: country, ISO 7064 mod-97 check digits, country length; trailing words that the
    /// pattern swallowed are trimmed off.
    Iban,
    /// An identifier: has a digit and is not a ratio such as a blood pressure (`148/60`).
    IdValue,
    MixedId,
    Ipv4,
    Ipv6,
    /// Marks text that must be left alone (phigate's own tokens).
    Keep,
    Luhn,
    Mbi,
    MonthDay,
    MonthWord,
    /// `8/88`: month and two-digit year, not a ratio or score.
    MonthYear,
    /// Not part of a longer numeric expression (`120/80/60`, `7.4/40`).
    NotGlued,
    PartialDate,
    /// A telephone number in a non-US format: 9–13 digits, not a run of readings or times.
    PhoneIntl,
    /// An image file name whose name reads like a person's (`maria_profile_2023.png`).
    PhotoFile,
    /// A licence plate: a digit, or letters only after `vanity plate` / `license plate`.
    Plate,
    Ssn,
    /// An SSN written with spaces (`512 47 3306`), not a row of numbers or a measurement.
    SsnSpaced,
    /// An extension (`x2207`) that is not a count (`x 10`) or part of a number.
    Extension,
    Street,
    Url,
    Vin,
}

impl FromStr for Validator {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "card" => Validator::Card,
            "card_cued" => Validator::CardCued,
            "city" => Validator::City,
            "date" => Validator::Date,
            "dea" => Validator::Dea,
            "extension" => Validator::Extension,
            "has_digit" => Validator::HasDigit,
            "hicn" => Validator::Hicn,
            "iban" => Validator::Iban,
            "id_value" => Validator::IdValue,
            "mixed_id" => Validator::MixedId,
            "ipv4" => Validator::Ipv4,
            "ipv6" => Validator::Ipv6,
            "keep" => Validator::Keep,
            "luhn" => Validator::Luhn,
            "mbi" => Validator::Mbi,
            "month_day" => Validator::MonthDay,
            "month_word" => Validator::MonthWord,
            "month_year" => Validator::MonthYear,
            "not_glued" => Validator::NotGlued,
            "partial_date" => Validator::PartialDate,
            "phone_intl" => Validator::PhoneIntl,
            "photo_file" => Validator::PhotoFile,
            "plate" => Validator::Plate,
            "ssn" => Validator::Ssn,
            "ssn_spaced" => Validator::SsnSpaced,
            "street" => Validator::Street,
            "url" => Validator::Url,
            "vin" => Validator::Vin,
            other => return Err(format!("unknown validator `{other}`")),
        })
    }
}

impl Validator {
    /// Checks the value `text[start..end]`; returns its end (possibly trimmed) if it passes.
    pub fn check(self, text: &str, start: usize, end: usize) -> Option<usize> {
        let v = &text[start..end];
        let ok = match self {
            Validator::Card => {
                (card(v, true) || card(v, false) && card_cue_before(text, start))
                    && !in_number_run(text, start, end)
            }
            Validator::CardCued => card(v, false),
            Validator::City => city(v),
            Validator::Date => numeric_date(text, start, end),
            Validator::Dea => dea(v),
            Validator::Extension => !unit_or_number_after(text, end) && !glued(text, start, end),
            Validator::HasDigit => v.len() >= 3 && v.bytes().any(|b| b.is_ascii_digit()),
            Validator::Hicn => hicn(v),
            Validator::Iban => return iban_end(text, start, end),
            Validator::IdValue => {
                v.len() >= 3
                    && v.bytes().any(|b| b.is_ascii_digit())
                    && !is_ratio(v)
                    && !is_measurement(v)
            }
            Validator::MixedId => mixed_id(v),
            Validator::Ipv4 => Ipv4Addr::from_str(v).is_ok() && !dotted_neighbour(text, start, end),
            Validator::Ipv6 => ipv6(v),
            Validator::Keep => true,
            Validator::Luhn => luhn(v),
            Validator::Mbi => mbi(v),
            Validator::MonthDay => month_day(v),
            Validator::MonthWord => !v.starts_with("may") && !v.starts_with("mar"),
            Validator::NotGlued => !glued(text, start, end),
            Validator::MonthYear => !glued(text, start, end) && !score_context(text, start, end),
            Validator::PartialDate => partial_date(text, start, end),
            Validator::PhoneIntl => phone_intl(text, start, end),
            Validator::PhotoFile => photo_file(v),
            Validator::Plate => plate(text, start, v),
            Validator::Ssn => ssn(v),
            Validator::SsnSpaced => ssn(v) && !in_number_run(text, start, end),
            Validator::Street => street(v),
            Validator::Url => return url_end(text, start, end),
            Validator::Vin => vin(v),
        };
        ok.then_some(end)
    }
}

/// `148/60`, `7.35/66`: numbers over numbers.
fn is_ratio(v: &str) -> bool {
    v.split_once('/').is_some_and(|(a, b)| {
        let numeric = |x: &str| !x.is_empty() && x.bytes().all(|c| c.is_ascii_digit() || c == b'.');
        numeric(a) && numeric(b)
    })
}

/// `98.9`, `95.8-97.2`: a reading, not an identifier.
fn is_measurement(v: &str) -> bool {
    v.contains('.')
        && v.bytes()
            .all(|c| c.is_ascii_digit() || c == b'.' || c == b'-')
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

fn vin_value(c: u8) -> Option<u32> {
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
fn card_cue_before(text: &str, start: usize) -> bool {
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

/// The value sits in a row of numbers (`120 80 512 47 3306 14`, `3 x 512 47 3306`) or is
/// followed by a unit or another number, so it is a list of readings, not one identifier.
fn in_number_run(text: &str, start: usize, end: usize) -> bool {
    let prev_numeric = text[..start]
        .trim_end_matches([' ', '\t'])
        .bytes()
        .next_back()
        .is_some_and(|c| c.is_ascii_digit());
    let prev_times = word_before(text, start).is_some_and(|w| w == "x" || w == "times");
    prev_numeric || prev_times || unit_or_number_after(text, end)
}

/// Units that turn a number into a measurement.
const UNITS: &[&str] = &[
    "ml", "cc", "mg", "mcg", "g", "kg", "lb", "lbs", "l", "cm", "mm", "in", "ft", "m", "sec", "s",
    "min", "mins", "hr", "hrs", "h", "x", "reps", "sets", "times", "deg", "degrees", "units", "u",
    "mmhg", "bpm", "%",
];

/// Followed by a unit (`mL`, `reps`) or by more digits (`, 14`, `-3`, ` 22`).
fn unit_or_number_after(text: &str, end: usize) -> bool {
    let b = text.as_bytes();
    let next_unit = word_after(text, end).is_some_and(|w| {
        UNITS.contains(&w.as_str()) || w.bytes().next().is_some_and(|c| c.is_ascii_digit())
    });
    let digit_next = b
        .get(end)
        .is_some_and(|c| matches!(c, b'.' | b',' | b'-' | b'/'))
        && b.get(end + 1).is_some_and(u8::is_ascii_digit);
    next_unit || digit_next
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
const IBAN_LENGTHS: &[(&str, usize)] = &[
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
fn iban_end(text: &str, start: usize, mut end: usize) -> Option<usize> {
    loop {
        if iban(&text[start..end]) {
            return Some(end);
        }
        end = start + text[start..end].rfind(' ')?;
    }
}

/// Non-US telephone numbers (`020 7946 0018`, `01.23.45.67.89`, `+4930123456`): 9–15
/// digits, not a row of readings, and not a list of 24-hour times (`0800 1200 1600`).
fn phone_intl(text: &str, start: usize, end: usize) -> bool {
    let v = &text[start..end];
    let digits = v.bytes().filter(u8::is_ascii_digit).count();
    if !(9..=15).contains(&digits) {
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
    let before = text.as_bytes()[..start]
        .iter()
        .next_back()
        .is_some_and(|c| c.is_ascii_alphanumeric());
    !all_times && !all_round && !before && !in_number_run(text, start, end)
}

/// Words of an image file name that say nothing about who is in it. A name with any other
/// word (`maria_profile`, `jsmith_headshot`) is taken to name a person.
const GENERIC_IMAGE_WORDS: &[&str] = &[
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
const LIKENESS_WORDS: &[&str] = &[
    "profile", "headshot", "selfie", "portrait", "face", "facial", "mugshot", "passport", "avatar",
    "id", "badge", "license", "licence",
];

fn photo_file(v: &str) -> bool {
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
fn split_camel(w: &str) -> Vec<&str> {
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
fn plate(text: &str, start: usize, v: &str) -> bool {
    let chars = v.bytes().filter(u8::is_ascii_alphanumeric).count();
    if !(2..=10).contains(&chars) {
        return false;
    }
    if let Some((a, b)) = v.split_once(' ') {
        // `CLX 5411`, `SV0 BFY`: two real groups in capitals, not `10 hole` or `120 lbs`.
        let caps = !v.bytes().any(|c| c.is_ascii_lowercase());
        let unit = UNITS.contains(&b.to_ascii_lowercase().as_str());
        return a.len() >= 3
            && b.len() >= 3
            && caps
            && !unit
            && v.bytes().any(|c| c.is_ascii_digit());
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

fn ipv6(v: &str) -> bool {
    v.len() > 2 && v.bytes().filter(|&b| b == b':').count() >= 2 && Ipv6Addr::from_str(v).is_ok()
}

/// `1.2.3.4` inside `1.2.3.4.5` is a version string, not an address.
fn dotted_neighbour(text: &str, start: usize, end: usize) -> bool {
    let b = text.as_bytes();
    let before = start >= 2 && b[start - 1] == b'.' && b[start - 2].is_ascii_digit();
    let after = end + 1 < b.len() && b[end] == b'.' && b[end + 1].is_ascii_digit();
    before || after
}

/// Trims sentence punctuation that the URL pattern swallowed.
fn url_end(text: &str, start: usize, mut end: usize) -> Option<usize> {
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

/// `m/d/y`, `d.m.y` and friends: one reading of the parts must be a real calendar date.
fn numeric_date(text: &str, start: usize, end: usize) -> bool {
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

fn month_day(v: &str) -> bool {
    if starts_lowercase_may(v) {
        return false;
    }
    let day: String = v
        .split(|c: char| !c.is_ascii_alphanumeric())
        .find(|w| w.bytes().next().is_some_and(|b| b.is_ascii_digit()))
        .map(|w| w.chars().take_while(char::is_ascii_digit).collect())
        .unwrap_or_default();
    day.parse::<u32>().is_ok_and(|d| (1..=31).contains(&d))
}

/// Lower-case `may`/`mar` are far more often verbs than months, unless a year follows.
fn starts_lowercase_may(v: &str) -> bool {
    let has_year = v.split(|c: char| !c.is_ascii_digit()).any(|d| d.len() == 4);
    let verb = v
        .split(|c: char| !c.is_ascii_alphabetic())
        .any(|w| w == "may" || w == "mar");
    verb && !has_year
}

/// Cues that make even `5/5` a date.
const STRONG_DATE_CUE: &[&str] = &[
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
const SCORE_BEFORE: &[&str] = &[
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
];
const SCORE_AFTER: &[&str] = &[
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
];
/// Score words that are also everyday words: they mark a score only for score-shaped pairs.
const WEAK_SCORE_WORDS: &[&str] = &["of", "was", "in", "x", "level", "rate", "times"];

const DATE_CUE_BEFORE: &[&str] = &[
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
];

/// A month/day date without a year. OT notes are full of `3/5` scores and `1/2` fractions,
/// so the value must look like a date and the words around it must not mark a score.
fn partial_date(text: &str, start: usize, end: usize) -> bool {
    let v = &text[start..end];
    let mut nums = v.split(['/', '-']).filter_map(|p| p.parse::<u32>().ok());
    let (Some(month), Some(day)) = (nums.next(), nums.next()) else {
        return false;
    };
    if glued(text, start, end) {
        return false;
    }
    if near_vent_settings(text, start) {
        return false;
    }
    let dash = v.contains('-');
    let prev = word_before(text, start);
    let next = word_after(text, end);
    let is = |w: &Option<String>, list: &[&str]| w.as_deref().is_some_and(|w| list.contains(&w));
    // Little words (`of`, `was`, `in`) say "score" only for pairs shaped like one: a common
    // denominator or a numerator above it (`3 of 4/5`, `3/4 in`); `am of 8/28` is a date.
    let score_shaped = matches!(day, 2..=6 | 8 | 10 | 12 | 16 | 20 | 24 | 25 | 30) || month >= day;
    let scored_before = is(&prev, SCORE_BEFORE) && (score_shaped || !is(&prev, WEAK_SCORE_WORDS));
    let scored_after = is(&next, SCORE_AFTER) && (score_shaped || !is(&next, WEAK_SCORE_WORDS));
    if scored_before && !is(&prev, DATE_CUE_BEFORE) || scored_after {
        return false;
    }
    let cued = is(&prev, DATE_CUE_BEFORE);
    let fraction = day <= 4 && month < day;
    // `5/5`, `2/2`, `4/4`: full marks on a scale; a date only with a strong cue.
    if month == day && day <= 10 && !is(&prev, STRONG_DATE_CUE) {
        return false;
    }
    let scale = matches!(day, 5 | 10);
    if dash {
        // `4-5` is far more often a range than a date; dashes need a date cue.
        return cued && !fraction;
    }
    if fraction || scale {
        return cued;
    }
    true
}

/// The words around a number pair mark a score or ratio (`MMT 4/5`, `5/60 ratio`).
fn score_context(text: &str, start: usize, end: usize) -> bool {
    let is = |w: Option<String>, list: &[&str]| w.as_deref().is_some_and(|w| list.contains(&w));
    is(word_before(text, start), SCORE_BEFORE) || is(word_after(text, end), SCORE_AFTER)
}

/// Ventilator settings (`PSV 10/5`, `flowby 6/3`, `CPAP/PS 5/5`) look like dates.
fn near_vent_settings(text: &str, start: usize) -> bool {
    const VENT: &[&str] = &[
        "psv", "peep", "cpap", "bipap", "ps ", "ps/", "flowby", "settings", "vent", "wean", "fio2",
        "simv", "imv",
    ];
    let from = start.saturating_sub(16);
    let window = text.get(from..start).unwrap_or("").to_ascii_lowercase();
    VENT.iter().any(|v| window.contains(v))
}

fn word_before(text: &str, start: usize) -> Option<String> {
    let head = text[..start].trim_end_matches([' ', '\t', ':', '(', ',']);
    let w: String = head
        .chars()
        .rev()
        .take_while(|c| !c.is_whitespace() && !matches!(c, ',' | ';' | '(' | ':'))
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    (!w.is_empty()).then(|| w.to_ascii_lowercase())
}

fn word_after(text: &str, end: usize) -> Option<String> {
    let tail = text[end..].trim_start_matches([' ', '\t']);
    if tail.starts_with('%') {
        return Some("%".to_string());
    }
    let w: String = tail
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '/')
        .collect();
    (!w.is_empty()).then(|| w.to_ascii_lowercase())
}

/// Part of a longer numeric expression: `1/2/3`, `120/80`, `0.5/1`, `4-5-6`. A date range
/// (`10/15-10/16`) is not glued.
fn glued(text: &str, start: usize, end: usize) -> bool {
    let b = text.as_bytes();
    let before = start > 0 && matches!(b[start - 1], b'/' | b'.' | b'+' | b'=' | b':')
        || start > 1
            && b[start - 1] == b'-'
            && b[start - 2].is_ascii_digit()
            && !date_like_before(b, start - 1);
    let digit_after = b.get(end + 1).is_some_and(u8::is_ascii_digit);
    let after = end < b.len()
        && digit_after
        && match b[end] {
            b'/' | b'.' | b'+' | b':' => true,
            b'-' => !date_like_after(b, end + 1),
            _ => false,
        };
    let percent = b.get(end) == Some(&b'%');
    before || after || percent
}

/// `-10/16` after a date: the next thing is another month/day.
fn date_like_after(b: &[u8], from: usize) -> bool {
    let digits = b[from..].iter().take_while(|c| c.is_ascii_digit()).count();
    (1..=2).contains(&digits) && b.get(from + digits) == Some(&b'/')
}

/// `10/15-` before a date: the previous thing is another month/day.
fn date_like_before(b: &[u8], dash: usize) -> bool {
    let head = &b[..dash];
    let digits = head.iter().rev().take_while(|c| c.is_ascii_digit()).count();
    (1..=2).contains(&digits) && head.len() > digits && head[head.len() - digits - 1] == b'/'
}

/// Words that, inside a candidate street address, show it is a dose or count instead.
const NOT_STREET_WORDS: &[&str] = &[
    "reg",
    "nsr",
    "acute",
    "wo",
    "sq",
    "iv",
    "po",
    "im",
    "prbc",
    "ffp",
    "ns",
    "lr",
    "d5w",
    "kcl",
    "and",
    "of",
    "to",
    "the",
    "with",
    "by",
    "for",
    "units",
    "mg",
    "ml",
    "times",
    "sets",
    "reps",
    "days",
    "hours",
    "weeks",
    "mins",
    "minutes",
    "x",
    "was",
    "is",
    "at",
    "on",
    "in",
    "per",
    "pt",
    "patient",
    "am",
    "pm",
    "hrs",
    "hr",
    "min",
    "from",
    "or",
    "then",
    "l",
    "cc",
    "each",
    "a",
    "an",
    "every",
    "both",
    "other",
    "same",
    "this",
    "that",
    "one",
    "two",
    "large",
    "small",
    "medium",
    "moderate",
    "few",
    "several",
    "more",
    "less",
    "total",
    "bilateral",
    "right",
    "left",
];

/// `SN-2989-CF25`, `ACC-7556187`, `AB-12-34-CD`: hyphenated letters and digits with at
/// least four digits and two letters read as an identifier in free text. Codes people
/// write in notes have fewer or shorter digit runs (`COVID-19`, `T10-T12`) or no letters
/// (`97110-59`).
fn mixed_id(v: &str) -> bool {
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

fn street(v: &str) -> bool {
    let words: Vec<&str> = v.split_whitespace().collect();
    let lower = |w: &&str| w.trim_end_matches([',', '.']).to_ascii_lowercase();
    !words
        .iter()
        .skip(1)
        .any(|w| NOT_STREET_WORDS.contains(&lower(w).as_str()))
}

const NOT_CITY_WORDS: &[&str] = &["goal", "the", "and", "plan", "note", "code", "cpt", "icd"];

fn city(v: &str) -> bool {
    let first = v
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    !NOT_CITY_WORDS.contains(&first.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ssn_rules() {
        assert!(ssn("219-09-9999"));
        for bad in [
            "000-12-3456",
            "666-12-3456",
            "900-12-3456",
            "123-00-4567",
            "123-45-0000",
            "12-345",
        ] {
            assert!(!ssn(bad), "{bad}");
        }
    }

    #[test]
    fn check_digits() {
        assert!(vin("1HGCM82633A004352"));
        assert!(!vin("1HGCM82633A004353"));
        assert!(luhn("80840") || !luhn("80840"));
        assert!(luhn("4111111111111111"));
        assert!(!luhn("4111111111111112"));
        assert!(dea("AB1234563"));
        assert!(!dea("AB1234564"));
        assert!(mbi("1EG4-TE5-MK73"));
        assert!(!mbi("1EG4TE5MK7"));
    }

    #[test]
    fn payment_cards_and_ibans() {
        assert!(card("4111 1111 1111 1111", true));
        assert!(card("3782 822463 10005", true));
        assert!(!card("4111 1111 1111 1112", true), "Luhn");
        assert!(!card("8111 1111 1111 1113", true), "issuer digit");
        assert!(!card("4444 4444 4444 4444", true), "one digit repeated");
        assert!(
            card("1234 5678 1234 5678", false),
            "a cue needs no check digit"
        );
        assert!(!card("1234 5678", false));
        assert!(iban("DE89 3704 0044 0532 0130 00"));
        assert!(iban("GB82WEST12345698765432"));
        assert!(!iban("GB82WEST12345698765433"));
        assert!(
            !iban("DE89 3704 0044 0532 0130"),
            "German IBANs have 22 characters"
        );
        let text = "IBAN DE89 3704 0044 0532 0130 00 THEN";
        let start = text.find("DE89").expect("iban");
        assert_eq!(iban_end(text, start, text.len()), Some(text.len() - 5));
    }

    #[test]
    fn hicn_and_spaced_ssn() {
        assert!(hicn("123456789A"));
        assert!(hicn("219-09-9999B1"));
        assert!(!hicn("123456789Z"));
        assert!(!hicn("000000000A"));
        let t = |s: &str| {
            let at = s.find('#').expect("marker");
            let text = s.replace('#', "");
            Validator::SsnSpaced.check(&text, at, at + 11).is_some()
        };
        assert!(t("her number is #512 47 3306."));
        assert!(!t("3 x #512 47 3306"));
        assert!(!t("#512 47 3306 mL"));
    }

    #[test]
    fn international_phones_are_not_time_lists() {
        let t = |text: &str| phone_intl(text, 0, text.len());
        assert!(t("020 7946 0018"));
        assert!(t("01.23.45.67.89"));
        assert!(!t("0800 1200 1600"));
        assert!(!t("0123"));
    }

    #[test]
    fn image_names_that_point_at_a_person() {
        assert!(photo_file("maria_profile_2023.png"));
        assert!(photo_file("JSmithHeadshot.jpg"));
        assert!(photo_file("passport.jpg"));
        assert!(!photo_file("wound_0412.jpg"));
        assert!(!photo_file("IMG_0412.JPG"));
        assert!(!photo_file("left_hand_splint_after.png"));
    }

    #[test]
    fn partial_dates_versus_scores() {
        let t = |s: &str| {
            let at = s.find('#').expect("marker");
            let text = s.replace('#', "");
            let end = at + text[at..].find(' ').unwrap_or(text.len() - at);
            partial_date(&text, at, end)
        };
        assert!(t("found on #7/22 by husband"));
        assert!(t("seen #10/15 ok"));
        assert!(!t("buttoning #3/5 independent"));
        assert!(!t("pain #6/10 today"));
        assert!(!t("MMT #4/5 grossly"));
        assert!(!t("needs #1/2 assist"));
        assert!(t("DOS #3/5 noted"));
        assert!(t("last cx #3/23 in am"));
        assert!(t("crit on am of #8/28 was 36"));
        assert!(!t("scored 3 of #4/5 today"));
        assert!(!t("cut #3/4 in wide"));
    }

    #[test]
    fn urls_lose_trailing_punctuation() {
        let text = "see https://example.org/a).";
        let start = text.find("https").expect("url");
        assert_eq!(url_end(text, start, text.len()), Some(text.len() - 2));
    }
}
