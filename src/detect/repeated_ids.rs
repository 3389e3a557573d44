//! An identifier found once in a document is found wherever the document repeats it
//! (issue 13).
//!
//! Owns the document-level pass for numbers and codes: the text of a detected record
//! number, account, licence, device serial, phone, e-mail or other identifier is that
//! identifier everywhere else the same text writes it (`Claim ID: 88ZX-4410 … rejected
//! 88ZX-4410 twice`). The rules find an identifier by its cue or its shape; its repeat
//! often has neither, and a bare repeat gives away what the first find removed.

use crate::phi::{PhiType, Span};

/// Shortest identifier carried, in bytes: shorter values (`12`, `4B`) are as often counts,
/// doses or room letters as the identifier.
const MIN_CARRIED: usize = 5;

/// Fewest digits an identifier carried holds: a code of letters is a word as often.
const MIN_DIGITS: usize = 3;

/// Most distinct identifiers carried per document (a bound on the searches).
const MAX_CARRIED: usize = 32;

/// Whether a span of this type holds an identifier whose repeats are the same identifier.
fn carried_type(ty: PhiType) -> bool {
    matches!(
        ty,
        PhiType::Phone
            | PhiType::Fax
            | PhiType::Email
            | PhiType::Ssn
            | PhiType::Mrn
            | PhiType::Account
            | PhiType::HealthPlan
            | PhiType::License
            | PhiType::Vehicle
            | PhiType::Device
            | PhiType::Url
            | PhiType::Ip
            | PhiType::Biometric
            | PhiType::Id
    )
}

/// Every repeat of a carried identifier of `spans` (sorted, not overlapping) that lies
/// outside every span and stands apart from the letters and digits around it, typed as the
/// span it repeats.
pub(super) fn repeated_identifiers(text: &str, spans: &[Span]) -> Vec<Span> {
    let mut carried: Vec<(&str, PhiType)> = Vec::new();
    for s in spans.iter().filter(|s| carried_type(s.ty)) {
        let Some(value) = text.get(s.start..s.end).map(str::trim) else {
            continue;
        };
        let digits = value.bytes().filter(u8::is_ascii_digit).count();
        if value.len() >= MIN_CARRIED
            && (digits >= MIN_DIGITS || matches!(s.ty, PhiType::Email | PhiType::Url))
            && carried.len() < MAX_CARRIED
            && !carried.iter().any(|(v, _)| *v == value)
        {
            carried.push((value, s.ty));
        }
    }
    let b = text.as_bytes();
    let mut out = Vec::new();
    for (value, ty) in carried {
        for (at, _) in text.match_indices(value) {
            let end = at + value.len();
            if stands_apart(b, at, end) && !overlaps(spans, at, end) {
                out.push(Span { start: at, end, ty });
            }
        }
    }
    out
}

/// Neither the byte before `start` nor the one at `end` continues the value (a letter, a
/// digit, or any byte of a character outside ASCII).
fn stands_apart(b: &[u8], start: usize, end: usize) -> bool {
    let joins = |c: &u8| c.is_ascii_alphanumeric() || *c >= 0x80;
    !start
        .checked_sub(1)
        .and_then(|i| b.get(i))
        .is_some_and(joins)
        && !b.get(end).is_some_and(joins)
}

/// Whether `start..end` overlaps a span of `spans` (sorted by start, not overlapping).
fn overlaps(spans: &[Span], start: usize, end: usize) -> bool {
    let i = spans.partition_point(|s| s.end <= start);
    spans.get(i).is_some_and(|s| s.start < end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(text: &str, value: &str, ty: PhiType) -> Span {
        let start = text.find(value).expect("value in text");
        Span {
            start,
            end: start + value.len(),
            ty,
        }
    }

    #[test]
    fn a_bare_repeat_of_a_found_identifier_is_found() {
        let t = "Claim ID: 88ZX-4410. Payer rejected 88ZX-4410 twice.";
        let found = repeated_identifiers(t, &[span(t, "88ZX-4410", PhiType::Id)]);
        assert_eq!(found.len(), 1);
        assert_eq!(&t[found[0].start..found[0].end], "88ZX-4410");
        assert_eq!(found[0].ty, PhiType::Id);
    }

    #[test]
    fn a_repeat_inside_a_longer_number_or_a_short_value_is_not_carried() {
        let t = "MRN 44192 on file; order 1441923 and dose 12 mg, 12 tabs.";
        let spans = [span(t, "44192", PhiType::Mrn)];
        assert!(repeated_identifiers(t, &spans).is_empty());
        let short = [span(t, "12", PhiType::Id)];
        assert!(repeated_identifiers(t, &short).is_empty());
    }
}
