//! Validators: checks a rule's match must pass before it counts as PHI.
//!
//! Owns check digits (VIN, Luhn, DEA), format rules (SSN area/group/serial, MBI, IP
//! addresses), date plausibility, and the context checks that tell a date like `7/22` from a
//! score like `3/5`. A validator sees the whole text and the value's byte range and returns
//! the (possibly trimmed) end of the value, or `None` to reject the match.
//!
//! This file holds the validator names, the dispatch and the context helpers they share
//! (what comes before or after a value); the checks themselves live by concern in
//! `identifiers`, `dates` and `places`.

mod dates;
mod identifiers;
mod places;

use std::net::Ipv4Addr;
use std::str::FromStr;

use dates::{
    cued_month, day_range, month_day, numeric_date, partial_date, score_context, scored_after,
    time_count,
};
use identifiers::{
    card_cue_before, handle_after_mark, handle_shaped, iban_end, ipv6, mixed_id, phone_after_at,
    phone_after_role, phone_cue_before, phone_eight, phone_intl, photo_file, plate,
    read_out_number, read_out_number_any_language, url_end,
};
use places::{city, not_unit_initials, profile_name, street, ward_name};

pub use identifiers::{card, dea, hicn, iban, luhn, mbi, ssn, vin, vin_check_digit};

/// A named check from a rule's `validate` field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Validator {
    /// A number read as a person's age after a cue (`turned 93`): not a reading with its unit
    /// (`turned 90 degrees`, `at 93%`) and not part of a longer number (`93/60`).
    AgeNumber,
    /// A payment card number without a cue: 13–19 digits, Luhn-valid, a card-issuer first
    /// digit, not part of a longer run of numbers.
    Card,
    /// A payment card number after a cue (`credit card`): 13–19 digits, any check digit.
    CardCued,
    City,
    /// A user profile's folder after `C:\Users\` or `/home/` that is a person's login,
    /// not a system account's (`Public`, `root`, `runner`).
    ProfileName,
    /// A ward's name before `ward`/`unit` (`Juniper ward`): not a kind of ward or service
    /// (`medical ward`, `step-down unit`) and not a determiner.
    WardName,
    NotUnitInitials,
    Date,
    Dea,
    HasDigit,
    /// A user name or social-media handle: shaped like one (a digit, `_` or an inner `.`), or
    /// written right after a `:`, `=` or `@` that follows its cue (`Username: mnovotny`).
    Handle,
    /// Health Insurance Claim Number: a valid SSN and a beneficiary suffix (`123456789A`).
    Hicn,
    /// IBAN: country, ISO 7064 mod-97 check digits, country length; trailing words that the
    /// pattern swallowed are trimmed off.
    Iban,
    /// An identifier: has a digit and is not a ratio such as a blood pressure (`148/60`).
    IdValue,
    MixedId,
    Ipv4,
    /// A dotted quad written past a filter: octets zero-padded (`10.044.108.027`), dots
    /// defanged (`10[.]44[.]108[.]27`) or spaced (`10 . 44 . 108 . 27`); each octet ≤ 255.
    Ipv4Written,
    Ipv6,
    /// Three dotted arcs or more, one of seven to twelve digits: an OID carrying a number.
    OidLongArc,
    /// Marks text that must be left alone (phigate's own tokens).
    Keep,
    Luhn,
    Mbi,
    MonthDay,
    /// A month after a word of time (`since may 2019`, `in may 15`): a day of 1 to 31, not a
    /// count of time or a dose (`in may 3 hours`, `in mar 10 units`).
    CuedMonth,
    MonthWord,
    /// `8/88`: month and two-digit year, not a ratio or score.
    MonthYear,
    /// Not part of a longer numeric expression (`120/80/60`, `7.4/40`).
    NotGlued,
    PartialDate,
    /// `since 10/2-3`, `NPN 9/29-30`: a month/day and a later day of that month (stop 57).
    DayRange,
    /// `MI 92`, `CABG 25`: a two-digit year after a history word, not glued to a longer
    /// number and not a count of time (`mi 10 years ago`).
    HistoryYear,
    /// An identity document's number after its cue (`passport`, `national ID`): five digits
    /// or more, not a ratio.
    DocumentId,
    /// A telephone number in a non-US format: 9–13 digits, not a run of readings or times.
    PhoneIntl,
    /// A local seven-digit number (`555-0147`), checked as [`Validator::PhoneIntl`] is, and
    /// after a word that introduces a number (`at`, `call`, `cell`): without one, `575-1000`
    /// is a range of readings.
    PhoneLocal,
    /// A number after a word that says it is one to dial (`cell:`, `reached on`): 7–15
    /// digits in any grouping, checked as [`Validator::PhoneIntl`] is otherwise.
    PhoneCued,
    /// Eight digits in a Nordic grouping after a cue (`phone_eight`).
    PhoneEight,
    PhoneRole,
    PhoneAt,
    /// An image file name whose name reads like a person's (`maria_profile_2023.png`).
    PhotoFile,
    /// A licence plate: a digit, or letters only after `vanity plate` / `license plate`.
    Plate,
    Ssn,
    /// An SSN written with spaces (`512 47 3306`), not a row of numbers or a measurement.
    SsnSpaced,
    /// An extension (`x2207`) that is not a count (`x 10`) or part of a number.
    Extension,
    /// A number read out digit by digit (`five one two …`): not a count up or down.
    SpelledDigits,
    /// A number read out digit by digit in another language (the rule's words): seven words
    /// or more, three different ones at least, one of them repeated. A count up or down and a
    /// list of one word repeated are no number; a number of seven digits or more nearly always
    /// repeats one.
    SpelledDigitsIntl,
    Street,
    Url,
    Vin,
    /// A transcript's speaker label that is no role (`ZVEZDANA:`, not `CLINICIAN:`).
    Speaker,
    /// A word spelled out after a name's spelling cue that is no adverb (`correctly`).
    SpelledName,
}

impl FromStr for Validator {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "age_number" => Validator::AgeNumber,
            "card" => Validator::Card,
            "card_cued" => Validator::CardCued,
            "city" => Validator::City,
            "ward_name" => Validator::WardName,
            "profile_name" => Validator::ProfileName,
            "not_unit_initials" => Validator::NotUnitInitials,
            "date" => Validator::Date,
            "dea" => Validator::Dea,
            "document_id" => Validator::DocumentId,
            "extension" => Validator::Extension,
            "handle" => Validator::Handle,
            "has_digit" => Validator::HasDigit,
            "history_year" => Validator::HistoryYear,
            "hicn" => Validator::Hicn,
            "iban" => Validator::Iban,
            "id_value" => Validator::IdValue,
            "mixed_id" => Validator::MixedId,
            "ipv4" => Validator::Ipv4,
            "ipv4_written" => Validator::Ipv4Written,
            "ipv6" => Validator::Ipv6,
            "oid_long_arc" => Validator::OidLongArc,
            "keep" => Validator::Keep,
            "luhn" => Validator::Luhn,
            "mbi" => Validator::Mbi,
            "month_day" => Validator::MonthDay,
            "cued_month" => Validator::CuedMonth,
            "month_word" => Validator::MonthWord,
            "month_year" => Validator::MonthYear,
            "not_glued" => Validator::NotGlued,
            "partial_date" => Validator::PartialDate,
            "day_range" => Validator::DayRange,
            "phone_intl" => Validator::PhoneIntl,
            "phone_local" => Validator::PhoneLocal,
            "phone_cued" => Validator::PhoneCued,
            "phone_eight" => Validator::PhoneEight,
            "phone_role" => Validator::PhoneRole,
            "phone_at" => Validator::PhoneAt,
            "photo_file" => Validator::PhotoFile,
            "plate" => Validator::Plate,
            "ssn" => Validator::Ssn,
            "ssn_spaced" => Validator::SsnSpaced,
            "spelled_digits" => Validator::SpelledDigits,
            "spelled_digits_intl" => Validator::SpelledDigitsIntl,
            "street" => Validator::Street,
            "url" => Validator::Url,
            "vin" => Validator::Vin,
            "speaker" => Validator::Speaker,
            "spelled_name" => Validator::SpelledName,
            other => return Err(format!("unknown validator `{other}`")),
        })
    }
}

impl Validator {
    /// Checks the value `text[start..end]`; returns its end (possibly trimmed) if it passes.
    pub fn check(self, text: &str, start: usize, end: usize) -> Option<usize> {
        let v = &text[start..end];
        let ok = match self {
            Validator::AgeNumber => {
                !unit_or_number_after(text, end)
                    && !glued(text, start, end)
                    && !degrees_after(text, end)
                    && !word_after(text, end)
                        .is_some_and(|w| NOT_AN_AGE_AFTER.contains(&w.as_str()))
            }
            Validator::Card => {
                (card(v, true) || card(v, false) && card_cue_before(text, start))
                    && !in_number_run(text, start, end)
            }
            Validator::CardCued => card(v, false),
            Validator::City => city(v),
            Validator::WardName => ward_name(v),
            Validator::ProfileName => profile_name(v),
            Validator::NotUnitInitials => not_unit_initials(v),
            Validator::Date => numeric_date(text, start, end),
            Validator::Dea => dea(v),
            Validator::DocumentId => {
                v.bytes().filter(u8::is_ascii_digit).count() >= 5 && !is_ratio(v)
            }
            // `ext 20°`, `ext 30 to 45 degrees`: extension in goniometry, an angle or a
            // range of one, not a phone's extension (red team 52, H7).
            Validator::Extension => {
                !unit_or_number_after(text, end)
                    && !glued(text, start, end)
                    && !degrees_after(text, end)
                    && !range_after(text, end)
                    && !motion_before(text, start)
            }
            Validator::Handle => handle_shaped(v) || handle_after_mark(text, start),
            Validator::HasDigit => v.len() >= 3 && v.bytes().any(|b| b.is_ascii_digit()),
            Validator::HistoryYear => !glued(text, start, end) && !time_count(text, end),
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
            Validator::Ipv4Written => ipv4_written(v) && !dotted_neighbour(text, start, end),
            Validator::Ipv6 => ipv6(v),
            Validator::OidLongArc => {
                v.split('.').count() >= 3 && v.split('.').any(|arc| (7..=12).contains(&arc.len()))
            }
            Validator::Keep => true,
            Validator::Luhn => luhn(v),
            Validator::Mbi => mbi(v),
            Validator::MonthDay => month_day(v),
            Validator::CuedMonth => {
                cued_month(v)
                    && !time_count(text, end)
                    && !unit_or_number_after(text, end)
                    && !scored_after(text, end)
            }
            Validator::MonthWord => dates::month_word(v),
            Validator::NotGlued => !glued(text, start, end),
            Validator::MonthYear => !glued(text, start, end) && !score_context(text, start, end),
            Validator::PartialDate => partial_date(text, start, end),
            Validator::DayRange => day_range(text, start, end) && !glued(text, start, end),
            Validator::PhoneIntl => phone_intl(text, start, end, 9..=15),
            Validator::PhoneLocal => {
                phone_intl(text, start, end, 7..=7) && phone_cue_before(text, start)
            }
            Validator::PhoneCued => phone_intl(text, start, end, 7..=15),
            Validator::PhoneEight => phone_eight(text, start, end),
            Validator::PhoneRole => phone_after_role(text, start, end),
            Validator::PhoneAt => phone_after_at(text, start, end),
            Validator::PhotoFile => photo_file(v),
            Validator::Plate => plate(text, start, v),
            Validator::Ssn => ssn(v),
            Validator::SsnSpaced => ssn(v) && !in_number_run(text, start, end),
            Validator::SpelledDigits => read_out_number(v),
            Validator::SpelledDigitsIntl => read_out_number_any_language(v),
            Validator::Street => street(v),
            Validator::Url => return url_end(text, start, end),
            Validator::Vin => vin(v),
            Validator::Speaker => !is_role_label(v),
            Validator::SpelledName => !NOT_SPELLED_NAMES.contains(&v.to_ascii_lowercase().as_str()),
        };
        ok.then_some(end)
    }
}

/// A month/day pair (`4/2`) that no score or setting reading claims, for a note that dates
/// another day of its month within ten days: see `dates::dated_month_pair`. The caller
/// ([`crate::detect`]) checks the neighbour; this checks the pair and its words.
pub(crate) fn dated_month_pair(text: &str, start: usize, end: usize) -> bool {
    dates::dated_month_pair(text, start, end)
}

/// A number set off right after a found person (`Ana Berg, 913 78 337`): see
/// `crate::detect::contact_numbers`. The person is the cue, so eight digits are enough;
/// a date, clock times, round numbers or a reading with its unit are not numbers to dial.
pub(crate) fn phone_after_name(text: &str, start: usize, end: usize) -> bool {
    identifiers::phone_after_name(text, start, end)
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

/// Words after a number that make it a distance, a count or a reading, not an age
/// (`turned 90 feet`), beyond the units every validator knows.
const NOT_AN_AGE_AFTER: &[&str] = &[
    "feet", "foot", "yards", "yd", "meters", "metres", "steps", "beats", "pounds", "percent",
    "points", "breaths", "days", "weeks", "months", "minutes", "seconds", "hours",
];

/// `90°`, `90 °`: an angle (the degree sign is not a word, so the unit list misses it).
/// Words of a joint or of its range of motion: `ext 40` after one (`wrist flex 45, ext
/// 40`, `R elbow ext 30`) is an extension of the joint, not of a telephone (red team 58, P3).
const MOTION_WORDS: &[&str] = &[
    "wrist", "elbow", "shoulder", "knee", "hip", "ankle", "finger", "fingers", "thumb", "digit",
    "digits", "mcp", "pip", "dip", "ip", "cmc", "hand", "neck", "trunk", "spine", "cervical",
    "lumbar", "flex", "flexion", "abd", "add", "rom", "arom", "prom", "aarom", "sup", "pron", "rd",
    "ud", "deg", "degrees",
];

/// Whether a word of [`MOTION_WORDS`] stands in the few words before `start` on its line.
fn motion_before(text: &str, start: usize) -> bool {
    /// How far back, in bytes: `R wrist flex 45, ext ` fits.
    const REACH: usize = 40;
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let mut from = start.saturating_sub(REACH).max(line_start);
    while !text.is_char_boundary(from) {
        from += 1;
    }
    let before = &text[from..start];
    // A telephone number before `ext` makes it the number's (`Hand clinic 413-555-0172 ext 22`).
    let phone_before = before.bytes().filter(u8::is_ascii_digit).count() >= 7;
    !phone_before
        && before
            .split(|c: char| !c.is_ascii_alphabetic())
            .any(|w| MOTION_WORDS.iter().any(|m| w.eq_ignore_ascii_case(m)))
}

fn degrees_after(text: &str, end: usize) -> bool {
    text[end..]
        .trim_start_matches([' ', '\t'])
        .starts_with(['°', 'º'])
}

/// Labels of a transcript's speakers that name a role, not a person (`CLINICIAN:`,
/// `Patient:`, `Speaker 2 (Daughter):`, `Dr Note:`); compared in lower case, word by word.
const ROLE_LABELS: &[&str] = &[
    "speaker",
    "spkr",
    "clinician",
    "provider",
    "doctor",
    "dr",
    "physician",
    "nurse",
    "rn",
    "np",
    "pa",
    "md",
    "therapist",
    "ot",
    "pt",
    "patient",
    "pat",
    "client",
    "caregiver",
    "interpreter",
    "translator",
    "scribe",
    "assistant",
    "ma",
    "tech",
    "technician",
    "q",
    "a",
    "question",
    "answer",
    "mother",
    "father",
    "mom",
    "dad",
    "son",
    "daughter",
    "wife",
    "husband",
    "spouse",
    "partner",
    "sister",
    "brother",
    "parent",
    "guardian",
    "family",
    "friend",
    "unknown",
    "unidentified",
    "other",
    "note",
    "notes",
    "summary",
    "plan",
    "assessment",
    "subjective",
    "objective",
    "history",
    "exam",
    "am",
    "pm",
    "the",
    "and",
    "or",
    "of",
    "to",
    "visit",
    "start",
    "end",
    "pause",
    "inaudible",
    "crosstalk",
    "music",
    "silence",
    "recording",
    "transcript",
    "system",
    "user",
    "agent",
    "bot",
    "ai",
    "staff",
    "resident",
    "attending",
    "student",
    "fellow",
    "intern",
    "team",
    "all",
    "both",
    "multiple",
    "everyone",
    "group",
    "member",
    "relative",
    "neighbor",
    "neighbour",
    "aide",
    "home",
];

fn is_role_label(v: &str) -> bool {
    v.split_whitespace()
        .all(|w| ROLE_LABELS.contains(&w.to_ascii_lowercase().as_str()))
}

/// Words after `name … spelled` that say how, not which letters (`Name spelled correctly on
/// form`).
const NOT_SPELLED_NAMES: &[&str] = &[
    "correctly",
    "incorrectly",
    "wrong",
    "wrongly",
    "right",
    "differently",
    "out",
    "the",
    "backwards",
    "backward",
    "forwards",
    "forward",
    "phonetically",
    "below",
    "above",
    "same",
    "properly",
    "accurately",
    "similarly",
    "here",
    "there",
    "like",
    "with",
    "without",
    "and",
    "but",
    "was",
    "has",
    "had",
    "not",
    "per",
    "for",
    "from",
    "differently",
    "incorrect",
    "correct",
    "fine",
    "ok",
    "okay",
    "letter",
    "letters",
    "out",
    "aloud",
    "back",
];

/// `30 to 45`: the number opens a range (`to` and a number after it).
fn range_after(text: &str, end: usize) -> bool {
    let rest = text[end..].trim_start_matches([' ', '\t']);
    rest.get(..2).is_some_and(|w| w.eq_ignore_ascii_case("to"))
        && rest[2..]
            .trim_start_matches([' ', '\t'])
            .starts_with(|c: char| c.is_ascii_digit())
}

/// `1.2.3.4` inside `1.2.3.4.5` is a version string, not an address.
/// Four groups of one to three digits, each at most 255, whatever is written between them.
fn ipv4_written(v: &str) -> bool {
    let octets: Vec<&str> = v
        .split(|c: char| !c.is_ascii_digit())
        .filter(|g| !g.is_empty())
        .collect();
    octets.len() == 4
        && octets
            .iter()
            .all(|g| g.len() <= 3 && g.parse::<u16>().is_ok_and(|n| n <= 255))
}

fn dotted_neighbour(text: &str, start: usize, end: usize) -> bool {
    let b = text.as_bytes();
    let before = start >= 2 && b[start - 1] == b'.' && b[start - 2].is_ascii_digit();
    let after = end + 1 < b.len() && b[end] == b'.' && b[end + 1].is_ascii_digit();
    before || after
}

/// The longest word [`word_before`] reads back: every list it is compared with holds
/// shorter words, and an unbounded walk made a chain with no space (`1/2-1/2-1/2…`, one
/// candidate every four bytes) cost the square of its length.
const MAX_WORD_BEFORE: usize = 40;

fn word_before(text: &str, start: usize) -> Option<String> {
    let head = text[..start].trim_end_matches([' ', '\t', ':', '(', ',']);
    let w: String = head
        .chars()
        .rev()
        .take_while(|c| !c.is_whitespace() && !matches!(c, ',' | ';' | '(' | ':'))
        .take(MAX_WORD_BEFORE + 1)
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
    // `0.5/1` and `1:2/3` are numbers; `HX:8/30` and `Quartermain.8/31` are a label or a
    // sentence glued to a date.
    let after_number = start > 1 && b[start - 2].is_ascii_digit();
    let before = start > 0 && matches!(b[start - 1], b'/' | b'+' | b'=')
        || start > 0 && matches!(b[start - 1], b'.' | b':') && after_number
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
    // `02/05/2024-03/29/2024`: a whole date with its year before the dash counts too.
    (digits == 4 || (1..=2).contains(&digits))
        && head.len() > digits
        && head[head.len() - digits - 1] == b'/'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_are_shaped_like_one_or_follow_their_field_mark() {
        let check = |text: &str, value: &str| {
            let start = text.find(value).expect("value in text");
            Validator::Handle
                .check(text, start, start + value.len())
                .is_some()
        };
        assert!(check("username jkowalczyk88", "jkowalczyk88"));
        assert!(check("login id aiko.tanaka", "aiko.tanaka"));
        assert!(check("Username: mnovotny", "mnovotny"));
        assert!(check("Twitter @ sunny", "sunny"));
        assert!(!check("handle with care", "with"));
        assert!(!check("seen at bedside", "bedside"));
        assert!(!check("twitter is great.", "great."));
    }

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
        let t = |text: &str| phone_intl(text, 0, text.len(), 9..=15);
        assert!(t("020 7946 0018"));
        assert!(t("01.23.45.67.89"));
        assert!(!t("0800 1200 1600"));
        assert!(!t("0123"));
    }

    #[test]
    fn an_age_after_a_cue_is_not_a_reading() {
        // The value is the two or three digits after `turned `.
        let age = |text: &str| {
            let start = "turned ".len();
            let end = start + text[start..].bytes().take_while(u8::is_ascii_digit).count();
            Validator::AgeNumber.check(text, start, end).is_some()
        };
        assert!(age("turned 93 last May"));
        assert!(age("turned 101."));
        assert!(!age("turned 90 degrees"));
        assert!(!age("turned 90° at the door"));
        assert!(!age("turned 90 feet"));
        assert!(!age("turned 93/60"));
        assert!(!age("turned 93%"));
    }

    #[test]
    fn cued_phones_and_documents_count_their_digits() {
        let whole = |v: Validator, text: &str| v.check(text, 0, text.len()).is_some();
        assert!(whole(Validator::PhoneCued, "6537 9174"));
        assert!(whole(Validator::PhoneCued, "0 32 251 54 38"));
        assert!(!whole(Validator::PhoneCued, "555 01"));
        assert!(!whole(Validator::PhoneCued, "100 200 300 400"));
        assert!(whole(Validator::DocumentId, "756.6413.7058.93"));
        assert!(whole(Validator::DocumentId, "C03005988"));
        assert!(!whole(Validator::DocumentId, "1/2"));
        assert!(!whole(Validator::DocumentId, "A1234"));
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
        // clin55: `adm` is `admitted`; a dashed pair ends a range a word joins to a date.
        assert!(t("83 yo M adm #6-16 from OSH"));
        assert!(t("admitted from 3-23 to #10-21 for CHF"));
        assert!(!t("RR from 3-4 to #5-6 breaths"));
        assert!(!t("pain 4/10-#6-10 today"));
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
        // Right after `weaned`, a second number no PEEP reaches is the day; settings stay.
        assert!(t("Levophed weaned #3/20 and off"));
        assert!(!t("PS weaned #10/5 overnight"));
        assert!(!t("weaned to #10/15 today"));
        // Nothing is weaned off to a setting: the pair after `weaned off` is the day.
        assert!(t("IABP weaned off #9/7 and PA line out"));
        // A line or sentence opens with its date; a score follows what it scores.
        assert!(t("#4/5 CSRU 7P-7A SHIFT SUMMARY"));
        assert!(t("VERY IABP DEPENDENT.  #9/10 PROCAN DCED"));
        assert!(!t("MOTOR.  #4/5 strength"));
        assert!(!t("GIVEN 0.5 #4/5 EACH"));
        assert!(!t("#4/5 x3"));
        // A weekday before dates any pair; so does a date that opens a range to it.
        assert!(t("Monday #4/10 plan for cath"));
        assert!(t("Tues. #5/5 family meeting"));
        assert!(t("from 4/2 to #4/5 on levo"));
        assert!(t("4/2-#4/5 PT ON LEVO"));
        assert!(!t("pain 4/10-#6/10 with movement"));
        assert!(!t("ranges 1/2 to #3/4 assist"));
        // A padded number is no score's, whatever the pair (`1/01` is no full marks).
        assert!(t("s/p R MCA stroke #2/05 resp"));
        assert!(t("last crit on am of #1/01 was 36"));
        assert!(t("LMD (#06/10 CATH"));
        assert!(!t("c/o chest pain #7/10 with"));
        // A test or event a note dates but never scores dates a pair shaped like a score.
        assert!(t("She had G- BM #4/10 and poor apetite"));
        assert!(t("LAST BM #2/10 LARGE"));
        assert!(t("CXR #3/5 showed infiltrate"));
        assert!(t("sputum cx #1/10 negative"));
        assert!(t("wound cx sent #4/10 pending"));
        assert!(!t("CXR #4/10 with pain 6/10"));
        assert!(!t("given #4/10 of dose"));
    }

    #[test]
    fn a_month_pair_beside_a_dated_day_is_read_unless_a_score_claims_it() {
        let t = |s: &str| {
            let at = s.find('#').expect("marker");
            let text = s.replace('#', "");
            let len = text[at..]
                .find(|c: char| !c.is_ascii_digit() && c != '/')
                .unwrap_or(text.len() - at);
            dated_month_pair(&text, at, at + len)
        };
        // `weaned` before a drug's day, an `x/10` with no score word, `was` in a sentence.
        assert!(t("neo off 6/1, dopa weaned #6/3; A-line out"));
        assert!(t("Pt had a large BM #8/10, tolerating diet"));
        assert!(t("last BM was #4/12 per family"));
        // Settings, grades, fractions, full marks, pain scores and rows of pairs stay.
        assert!(!t("PS weaned #10/5 overnight"));
        assert!(!t("weaned #12/5 overnight"));
        assert!(!t("weaned to #4/2 today"));
        assert!(!t("PEEP #8/2 and FiO2 40"));
        assert!(!t("on 40% #10/5 now"));
        assert!(!t("RUE #4/5, LUE weaker"));
        assert!(!t("needs #1/2 assist"));
        assert!(t("Seen by GI.  #10/10 EGD done, no bleed"));
        assert!(!t("pain #10/10 today"));
        assert!(!t("MAE.  #3/3 today"));
        assert!(!t("incisional pain at rest #4/10 with movement"));
        assert!(!t("rated #7/10 at rest"));
        assert!(!t("MAE #4/2 4/3 4/4"));
        assert!(!t("values 3/1, #4/2"));
        assert!(!t("x #4/2 today"));
        assert!(!t("room A#4/2 now"));
        assert!(!t("ratio 1.#4/2 now"));
    }

    #[test]
    fn a_lower_case_month_after_a_word_of_time() {
        // The value is between the two `#`.
        let cued = |s: &str| {
            let at = s.find('#').expect("marker");
            let text = s.replace('#', "");
            let end = s.rfind('#').expect("marker") - 1;
            Validator::CuedMonth.check(&text, at, end).is_some()
        };
        assert!(cued("last used in #may 15#'"));
        assert!(cued("sober since #may 2019#."));
        assert!(!cued("in #may 3# hours"));
        assert!(!cued("charted in #mar 10# units"));
        assert!(!cued("in #may 45#"));
    }

    #[test]
    fn urls_lose_trailing_punctuation() {
        let text = "see https://example.org/a).";
        let start = text.find("https").expect("url");
        assert_eq!(url_end(text, start, text.len()), Some(text.len() - 2));
    }

    #[test]
    fn eight_digit_nordic_numbers_need_a_cue() {
        let check = |text: &str, value: &str| {
            let start = text.find(value).expect("value in text");
            Validator::PhoneEight
                .check(text, start, start + value.len())
                .is_some()
        };
        assert!(check("caller Ane Berg (974 05 025) rang", "974 05 025"));
        assert!(check("ring me on 70 38 91 26 tonight", "70 38 91 26"));
        assert!(!check("reps 20 25 30 35 done", "20 25 30 35"));
    }
}
