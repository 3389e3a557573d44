//! Identifier shapes: values and words that look like record numbers, whatever their label.
//!
//! Owns the default-deny half of detection. A structured value that is not known to be safe
//! and reads like an identifier (letters and digits, a long digit run, an e-mail, phone,
//! SSN or date shape) is PHI without any cue ([`value_type`]); in free text, a word that is a
//! label glued to a number (`MR4410827`, `chartMRN73019264`) or a bare run of seven or more
//! digits is PHI too ([`identifier_words`]). Tokens phigate minted are never matched here
//! (the detector spares them afterwards).

use crate::phi::PhiType;

/// Longest structured value still read as one identifier.
const MAX_ID_LEN: usize = 128;

/// The PHI type of a whole structured value shaped like an identifier, or `None`.
pub fn value_type(v: &str) -> Option<PhiType> {
    let v = v.trim();
    if v.len() < 4 || v.len() > MAX_ID_LEN || v.contains(char::is_whitespace) {
        return None;
    }
    if crate::phi::token::looks_minted(v) || is_icd10(v) {
        return None;
    }
    if is_email(v) {
        return Some(PhiType::Email);
    }
    let digits = v.bytes().filter(u8::is_ascii_digit).count();
    let letters = v.bytes().filter(u8::is_ascii_alphabetic).count();
    let others = v.len() - digits - letters;
    if is_ssn(v) {
        return Some(PhiType::Ssn);
    }
    if letters == 0 && (10..=11).contains(&digits) && others <= 4 && is_phone_punct(v) {
        return Some(PhiType::Phone);
    }
    if letters == 0 && looks_like_date(v) || is_iso_date_time(v) {
        return Some(PhiType::Date);
    }
    // A version, a decimal or a ratio is not a record number: `1.2.3`, `98.6`, `120/80`,
    // an amount `12345.67`. Seven digits or more otherwise are the record number they
    // spell with a separator put in (`4,410,827`, `4410827.0`, `4410827/1`; G19).
    if letters == 0
        && others > 0
        && v.bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b',' || b == b'/')
        && (digits < 7 || is_amount(v))
    {
        return None;
    }
    if digits >= 5 || (longest_digit_run(v) >= 3 && letters >= 1 && v.len() >= 6) {
        return Some(PhiType::Id);
    }
    None
}

/// An amount with cents and at most six digits before them (`12345.67`, `250000.00`).
fn is_amount(v: &str) -> bool {
    v.split_once('.').is_some_and(|(whole, cents)| {
        (1..=6).contains(&whole.len())
            && cents.len() == 2
            && whole
                .bytes()
                .chain(cents.bytes())
                .all(|b| b.is_ascii_digit())
    })
}

fn longest_digit_run(v: &str) -> usize {
    v.split(|c: char| !c.is_ascii_digit())
        .map(str::len)
        .max()
        .unwrap_or(0)
}

/// A JSON number under a key not known to be safe: long integers are identifiers
/// (`{"contact":4135550172}`); quantities and small counts are not.
pub fn number_type(n: &str) -> Option<PhiType> {
    let digits = n.trim_start_matches('-');
    if digits.len() >= 7 && digits.bytes().all(|b| b.is_ascii_digit()) {
        Some(if digits.len() == 10 || digits.len() == 11 {
            PhiType::Phone
        } else {
            PhiType::Id
        })
    } else {
        None
    }
}

/// Free-text words shaped like identifiers: `label` + digits (`MR4410827`, `ID#55012`) and
/// bare digit runs of seven or more. Calls `found(start, end, type)` for each.
pub fn identifier_words(text: &str, mut found: impl FnMut(usize, usize, PhiType)) {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_alphanumeric() {
            i += 1;
            continue;
        }
        let start = i;
        // Whether the word holds a digit, read as it is cut (not in a second pass).
        let mut digit = false;
        while i < bytes.len()
            && (bytes[i].is_ascii_alphanumeric() || matches!(bytes[i], b'#' | b'_'))
        {
            digit |= bytes[i].is_ascii_digit();
            i += 1;
        }
        // A number's own punctuation (`1,234.5`, `3.14`) makes it a quantity: skip it whole.
        let glued_punct = i < bytes.len()
            && matches!(bytes[i], b'.' | b',' | b'/')
            && bytes.get(i + 1).is_some_and(u8::is_ascii_digit);
        let before_punct = start > 0
            && matches!(bytes[start - 1], b'.' | b',' | b'/' | b'-')
            && start >= 2
            && bytes[start - 2].is_ascii_digit();
        if glued_punct || before_punct {
            while i < bytes.len()
                && (bytes[i].is_ascii_alphanumeric() || matches!(bytes[i], b'.' | b',' | b'/'))
            {
                i += 1;
            }
            continue;
        }
        // Every identifier word holds four digits or more: a word without one (nearly
        // every word of a note) is not looked at again. A genome's variant or position
        // (`rs1801133`, `chr17:43044295`) is public, no person's (red team 52, H28).
        if digit
            && is_identifier_word(&text[start..i])
            && !is_genome_reference(bytes, start, i)
            && !is_cued_hcpcs(bytes, start, i)
        {
            found(start, i, PhiType::Id);
        }
    }
}

/// How far back, on the same line, a HCPCS cue may stand before a list of its codes.
const HCPCS_CUE_REACH: usize = 64;

/// A HCPCS Level II code (`L3908` a wrist orthosis, `E0143` a walker, `G0283`): a section
/// letter and four digits, after a cue on its line (`HCPCS`, `L-code`, `G-codes`) — the
/// orthoses and equipment an OT note bills, no person's number (red team 55's minor items).
/// Uncued, the same shape may be anyone's record number and stays one.
fn is_cued_hcpcs(b: &[u8], start: usize, end: usize) -> bool {
    let w = &b[start..end];
    let section = matches!(
        w.first(),
        Some(b'A' | b'B' | b'C' | b'E' | b'G' | b'H' | b'J' | b'K' | b'L' | b'M' | b'P' | b'Q')
            | Some(b'R' | b'S' | b'T' | b'V')
    );
    if !(section && w.len() == 5 && w[1..].iter().all(u8::is_ascii_digit)) {
        return false;
    }
    let from = start.saturating_sub(HCPCS_CUE_REACH);
    let line = b[from..start]
        .rsplit(|&c| c == b'\n')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    line.windows(5).any(|x| x == b"hcpcs")
        || line
            .windows(6)
            .any(|x| x[0].is_ascii_alphabetic() && &x[1..] == b"-code")
}

/// `MR4410827`, `chartMRN73019264`, `ID#55012`, `4410827`; not `COVID19`, `HbA1c`, `97530`.
fn is_identifier_word(w: &str) -> bool {
    if w.contains('_') {
        // Tokens and snake_case names are no identifiers, but a piece of seven digits or
        // more is, whatever is glued to it (`4410827_xxxx`; G20): tokens hold no digits.
        return w
            .split('_')
            .any(|p| p.bytes().filter(u8::is_ascii_digit).count() >= 7 && is_identifier_word(p));
    }
    let b = w.as_bytes();
    let lead = b.iter().take_while(|c| c.is_ascii_alphabetic()).count();
    let rest = &b[lead..];
    let rest = rest.strip_prefix(b"#").unwrap_or(rest);
    let digits = rest.iter().take_while(|c| c.is_ascii_digit()).count();
    let tail = &rest[digits..];
    // A short tail is a check letter or a suffix (`MR4410827pt`); behind seven digits or
    // more any letters are glued on (`MR4410827abc`, `MR4410827visit`; G20).
    let tail_ok = (tail.len() <= 2 || digits >= 7) && tail.iter().all(u8::is_ascii_alphabetic);
    if lead == 0 {
        return (digits >= 7 && tail.is_empty()) || is_digit_led_identifier(b);
    }
    lead <= 12 && digits >= 4 && tail_ok && !is_unit_suffix(&w[..lead])
}

/// A dbSNP variant id (`rs1801133`: `rs` in lower case and digits only) or the position
/// after a chromosome (`chr17:43044295`, `chrX:1234567`, a range's ends too): a reference
/// to the public genome, not an identifier of anyone.
fn is_genome_reference(b: &[u8], start: usize, end: usize) -> bool {
    let word = &b[start..end];
    if let Some(digits) = word.strip_prefix(b"rs") {
        return (3..=10).contains(&digits.len()) && digits.iter().all(u8::is_ascii_digit);
    }
    if !word.iter().all(u8::is_ascii_digit) {
        return false;
    }
    // Back past a range's `-` (`chr17:43044295-43125483`) to the chromosome's `:`.
    let mut k = start;
    if k > 0 && b[k - 1] == b'-' {
        k -= 1;
        k -= b[..k]
            .iter()
            .rev()
            .take_while(|c| c.is_ascii_digit())
            .count();
    }
    if k == 0 || b[k - 1] != b':' {
        return false;
    }
    let head = &b[..k - 1];
    let chrom = head
        .iter()
        .rev()
        .take_while(|c| c.is_ascii_alphanumeric())
        .count();
    let name = head[head.len() - chrom..].to_ascii_lowercase();
    name.strip_prefix(b"chr").is_some_and(|n| {
        matches!(n, b"x" | b"y" | b"m" | b"mt")
            || (1..=2).contains(&n.len()) && n.iter().all(u8::is_ascii_digit)
    })
}

/// `7280144RM`, `72801A44`: seven digits or more with one to three letters among or after
/// them is a record number (written back to front, or a check letter inside); not a
/// quantity (`1000000IU`, `2500000mg`) whose letters are a unit, nor numbers set apart by
/// `x` (`600x50x12`).
fn is_digit_led_identifier(b: &[u8]) -> bool {
    let digits = b.iter().filter(|c| c.is_ascii_digit()).count();
    let letters = b.len() - digits;
    if digits < 7 || !(1..=3).contains(&letters) {
        return false;
    }
    // `600x50x12`, `650X10X100`: ventilator settings and dimensions, not a record number;
    // but a first number of seven digits or more is one with an extension after it
    // (`4135550172x12`; G20).
    let first_run = b.iter().take_while(|c| c.is_ascii_digit()).count();
    if first_run < 7
        && b.iter()
            .all(|c| c.is_ascii_digit() || matches!(c, b'x' | b'X'))
    {
        return false;
    }
    let last_digit = b.iter().rposition(u8::is_ascii_digit).unwrap_or(0);
    let unit = &b[last_digit + 1..];
    unit.is_empty() || !is_quantity_unit(unit)
}

/// Letters after a number that make it a quantity.
fn is_quantity_unit(unit: &[u8]) -> bool {
    matches!(
        unit.to_ascii_lowercase().as_slice(),
        b"mg"
            | b"mcg"
            | b"ug"
            | b"ml"
            | b"l"
            | b"kg"
            | b"g"
            | b"lb"
            | b"lbs"
            | b"iu"
            | b"u"
            | b"cm"
            | b"mm"
            | b"m"
            | b"km"
            | b"h"
            | b"hr"
            | b"hrs"
            | b"min"
            | b"s"
            | b"ms"
            | b"k"
            | b"st"
            | b"nd"
            | b"rd"
            | b"th"
    )
}

/// Letters that make a number a quantity or a model name rather than a record number.
fn is_unit_suffix(lead: &str) -> bool {
    matches!(
        lead.to_ascii_lowercase().as_str(),
        "x" | "v"
            | "q"
            | "h"
            | "rev"
            | "ver"
            | "cpt"
            | "icd"
            | "hcpcs"
            | "loinc"
            | "snomed"
            | "ndc"
    )
}

/// An ICD-10-CM code (`M19.041`, `S52.501A`, `Z96.651`): a diagnosis, not a person.
fn is_icd10(v: &str) -> bool {
    let (cat, sub) = v.split_once('.').unwrap_or((v, ""));
    let c = cat.as_bytes();
    c.len() == 3
        && c[0].is_ascii_uppercase()
        && c[1].is_ascii_digit()
        && c[2].is_ascii_alphanumeric()
        && sub.len() <= 4
        && sub
            .bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
        && (v.contains('.') || !sub.is_empty() || v.len() == 3)
}

fn is_email(v: &str) -> bool {
    let Some((local, domain)) = v.split_once('@') else {
        return false;
    };
    !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.')
}

fn is_ssn(v: &str) -> bool {
    let b = v.as_bytes();
    b.len() == 11
        && b.iter().enumerate().all(|(i, c)| match i {
            3 | 6 => *c == b'-' || *c == b' ' || *c == b'.',
            _ => c.is_ascii_digit(),
        })
}

fn is_phone_punct(v: &str) -> bool {
    v.bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'.' | b'(' | b')' | b'+'))
}

/// `2024-03-12`, `03/12/1980`, `19800312`, `2024-03-12T10:00:00Z`.
/// `2024-07-02T14:00:00-06:00`, `2020-12-05T17:15:00.000Z`: an ISO 8601 date-time, as
/// FHIR and most APIs write instants. Its `T` and `Z` are letters, so without this it read
/// as a record number and lost the year a date keeps.
fn is_iso_date_time(v: &str) -> bool {
    let Some((date, time)) = v.split_once('T') else {
        return false;
    };
    let date_ok = date.len() == 10
        && date.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    let (clock, zone) = match time.find(['Z', '+', '-']) {
        Some(at) => time.split_at(at),
        None => (time, ""),
    };
    let clock = clock.split_once('.').map_or(clock, |(hms, frac)| {
        if !frac.is_empty() && frac.bytes().all(|b| b.is_ascii_digit()) {
            hms
        } else {
            "x"
        }
    });
    let clock_ok = matches!(clock.len(), 5 | 8)
        && clock.bytes().enumerate().all(|(i, b)| match i {
            2 | 5 => b == b':',
            _ => b.is_ascii_digit(),
        });
    let zone_ok = match zone.as_bytes() {
        [] | [b'Z'] => true,
        [b'+' | b'-', rest @ ..] => {
            let digits: Vec<u8> = rest.iter().copied().filter(|&b| b != b':').collect();
            digits.len() == 4 && digits.iter().all(u8::is_ascii_digit)
        }
        _ => false,
    };
    date_ok && clock_ok && zone_ok
}

fn looks_like_date(v: &str) -> bool {
    let head = v.split('T').next().unwrap_or(v);
    let parts: Vec<&str> = head.split(['-', '/', '.']).collect();
    if parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit()))
    {
        return parts.iter().any(|p| p.len() == 4) || parts[2].len() == 2;
    }
    head.len() == 8
        && head.bytes().all(|b| b.is_ascii_digit())
        && matches!(&head[..2], "19" | "20")
        && matches!(
            &head[4..6],
            "01" | "02" | "03" | "04" | "05" | "06" | "07" | "08" | "09" | "10" | "11" | "12"
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn structured_values_shaped_like_identifiers() {
        assert_eq!(value_type("MR4410827"), Some(PhiType::Id));
        assert_eq!(value_type("512473306"), Some(PhiType::Id));
        assert_eq!(value_type("512-47-3306"), Some(PhiType::Ssn));
        assert_eq!(value_type("413-555-0172"), Some(PhiType::Phone));
        assert_eq!(value_type("jo@mail.example"), Some(PhiType::Email));
        assert_eq!(value_type("1980-03-12"), Some(PhiType::Date));
        assert_eq!(value_type("2024-07-02T14:00:00-06:00"), Some(PhiType::Date));
        assert_eq!(value_type("2020-12-05T17:15:00.123Z"), Some(PhiType::Date));
        assert_eq!(value_type("2020-12-05T17:15Z"), Some(PhiType::Date));
        // Not a date-time: an identifier that only starts like one stays an identifier.
        assert_eq!(value_type("2020-12-05TX7781234"), Some(PhiType::Id));
        assert_eq!(
            value_type("3f2a9c1e-7b4d-4e8a-9c2f-1a2b3c4d5e6f"),
            Some(PhiType::Id)
        );
        // A record number with a separator put in (red team 51, G19).
        for id in [
            "4,410,827",
            "4.410.827",
            "4410827.0",
            "4410827/1",
            "441.0827",
            "0.4410827",
        ] {
            assert_eq!(value_type(id), Some(PhiType::Id), "{id}");
        }
        for safe in [
            "final",
            "97",
            "v1.2.3",
            "M62.81",
            "12.50",
            "12345.67",
            "120/80",
            "2.16.840",
            "7/13",
            "A1C",
            "NAME_7K3F9Q2MXA",
            "left hand",
        ] {
            assert_eq!(value_type(safe), None, "{safe}");
        }
    }

    #[test]
    fn numbers() {
        assert_eq!(number_type("4135550172"), Some(PhiType::Phone));
        assert_eq!(number_type("4410827"), Some(PhiType::Id));
        assert_eq!(number_type("120"), None);
        assert_eq!(number_type("12.5"), None);
    }

    #[test]
    fn words_in_free_text() {
        let text = "Chart MR4410827 and chartMRN73019264, call 4135550172; 97530 x 4, HbA1c 6.5, COVID19, 1,234,567 and 3.1415926 and NAME_7K3F9Q2MXA.";
        let mut got = Vec::new();
        identifier_words(text, |s, e, _| got.push(&text[s..e]));
        assert_eq!(got, ["MR4410827", "chartMRN73019264", "4135550172"]);
    }

    #[test]
    fn cued_hcpcs_codes_are_no_identifiers() {
        let text = "Fitted HCPCS L3908 wrist orthosis; billed L3807, A4565.\nG-codes G8984 and G8985. Badge L3908 here\nstaff id E7712 at desk.";
        let mut got = Vec::new();
        identifier_words(text, |s, e, _| got.push(&text[s..e]));
        // The last line has no cue: its code-shaped words stay identifiers.
        assert_eq!(got, ["E7712"]);
        let uncued = "Seen by W1234 and Z9999 today, L3908 fitted.";
        let mut got = Vec::new();
        identifier_words(uncued, |s, e, _| got.push(&uncued[s..e]));
        assert_eq!(got, ["W1234", "Z9999", "L3908"]);
    }

    #[test]
    fn genome_references_are_no_identifiers() {
        let text = "MTHFR rs1801133 C>T, variant at chr17:43044295 and chrX:1234567-1234999, RS1801133, chart MR4410827";
        let mut got = Vec::new();
        identifier_words(text, |s, e, _| got.push(&text[s..e]));
        assert_eq!(got, ["RS1801133", "MR4410827"]);
    }

    #[test]
    fn digit_led_words_with_a_few_letters_are_identifiers_unless_a_unit_follows() {
        let text = "Chart 7280144RM, 72801A44 and 4410827Q; dose 1000000IU, 2500000mg, 97530GP, 1961st, AC 600x50x12, 20250314";
        let mut got = Vec::new();
        identifier_words(text, |s, e, _| got.push(&text[s..e]));
        assert_eq!(got, ["7280144RM", "72801A44", "4410827Q", "20250314"]);
    }

    #[test]
    fn identifiers_with_letters_or_an_extension_glued_on() {
        let text = "chart MR4410827abc, MR4410827visit, cb 4135550172x12, ref 4410827_xxxxxxxx, vent 600x50x12, NAME_BCDFGHJKMN";
        let mut got = Vec::new();
        identifier_words(text, |s, e, _| got.push(&text[s..e]));
        assert_eq!(
            got,
            [
                "MR4410827abc",
                "MR4410827visit",
                "4135550172x12",
                "4410827_xxxxxxxx"
            ]
        );
    }
}
