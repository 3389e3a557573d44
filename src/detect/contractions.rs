//! Contractions read as names (red team 52, H14).
//!
//! Owns one correction of the merged spans: a person detection whose last word is a verb's
//! contraction (`Mom can't make it` → `can't`, `Son isn't available` → `Son isn't`) is no
//! name. No name is written with `n't`, `'ll`, `'ve`, `'re` or `'m` at its end, so the
//! kinship reading that took the word after `Mom` or `Son` went one word too far.

use super::Span;
use crate::phi::PhiType;

/// The endings of an English contraction, in lower case (`'d` is left out: `D'Amico` and
/// `Ma'd` are written by people with names).
const ENDINGS: [&str; 5] = ["n't", "'ll", "'ve", "'re", "'m"];

/// Drops the NAME spans of `spans` whose last word ends in a contraction.
pub(crate) fn drop_contractions(text: &str, spans: &mut Vec<Span>) {
    spans.retain(|s| {
        !matches!(s.ty, PhiType::Name)
            || !text
                .get(s.start..s.end)
                .is_some_and(ends_in_contraction)
    });
}

fn ends_in_contraction(found: &str) -> bool {
    let last = found
        .rsplit(char::is_whitespace)
        .next()
        .unwrap_or(found)
        .replace('\u{2019}', "'")
        .to_ascii_lowercase();
    ENDINGS.iter().any(|e| last.len() > e.len() && last.ends_with(e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kept(text: &str, start: usize, end: usize) -> bool {
        let mut spans = vec![Span {
            start,
            end,
            ty: PhiType::Name,
        }];
        drop_contractions(text, &mut spans);
        !spans.is_empty()
    }

    #[test]
    fn a_contraction_after_a_kinship_word_is_no_name() {
        assert!(!kept("Mom can't make it", 4, 9));
        assert!(!kept("Son isn\u{2019}t available", 0, 11));
        assert!(!kept("Dad we'll see", 4, 9));
    }

    #[test]
    fn names_with_an_apostrophe_stay() {
        assert!(kept("Mom O'Neill came", 4, 11));
        assert!(kept("seen D'Amico today", 5, 12));
    }
}
