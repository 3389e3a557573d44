//! The word after a street's `Dr` read as a doctor's name (red team 52, H7/H9).
//!
//! Owns one correction of the merged spans: in `lives on Quarry Hollow Dr near the mill` the
//! street rule reads `Quarry Hollow Dr` as the street, and the tagger reads `Dr near` as a
//! title and a name. A person detection of one lower-case word right after a `Dr` that ends
//! an address span is that `Dr`'s next word, not a name: the `Dr` is Drive.

use super::Span;
use crate::phi::PhiType;

/// Drops the NAME and PROVIDER_NAME spans of `spans` that are the lower-case word after a
/// street's `Dr`.
pub(crate) fn drop_words_after_street_drive(text: &str, spans: &mut Vec<Span>) {
    let b = text.as_bytes();
    let drive_ends: Vec<usize> = spans
        .iter()
        .filter(|s| s.ty == PhiType::Address && b[..s.end].ends_with(b"Dr"))
        .map(|s| s.end)
        .collect();
    if drive_ends.is_empty() {
        return;
    }
    spans.retain(|s| {
        !matches!(s.ty, PhiType::Name | PhiType::ProviderName) || !is_word_after(b, s, &drive_ends)
    });
}

/// Whether `s` is one lower-case word one or two blanks after one of `drive_ends`.
fn is_word_after(b: &[u8], s: &Span, drive_ends: &[usize]) -> bool {
    let Some(word) = b.get(s.start..s.end) else {
        return false;
    };
    let gap = b[..s.start]
        .iter()
        .rev()
        .take_while(|c| matches!(c, b' ' | b'\t'))
        .count();
    (1..=2).contains(&gap)
        && drive_ends.contains(&(s.start - gap))
        && !word.is_empty()
        && word.iter().all(u8::is_ascii_lowercase)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kept(text: &str, street: &str, word: &str) -> Vec<PhiType> {
        let at = |w: &str| text.find(w).expect("in text");
        let mut spans = vec![
            Span {
                start: at(street),
                end: at(street) + street.len(),
                ty: PhiType::Address,
            },
            Span {
                start: at(word),
                end: at(word) + word.len(),
                ty: PhiType::ProviderName,
            },
        ];
        drop_words_after_street_drive(text, &mut spans);
        spans.iter().map(|s| s.ty).collect()
    }

    #[test]
    fn the_word_after_a_street_drive_is_no_doctor() {
        let text = "lives on Quarry Hollow Dr near the mill";
        assert_eq!(kept(text, "Quarry Hollow Dr", "near"), [PhiType::Address]);
    }

    #[test]
    fn a_doctor_after_a_street_stays() {
        let text = "lives on Quarry Hollow Dr; Dr Smith saw her";
        assert_eq!(
            kept(text, "Quarry Hollow Dr", "Smith"),
            [PhiType::Address, PhiType::ProviderName]
        );
    }
}
