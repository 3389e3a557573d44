//! Contractions read as names (red team 52, H14).
//!
//! Owns one correction of the merged spans: a person detection's last word that is a verb's
//! contraction (`Mom can't make it` → `can't`, `mrs. Burns con't to be` → `Burns con't`) is
//! no name and is cut off. No name is written with `n't`, `'ll`, `'ve`, `'re` or `'m` at its
//! end, so the reading that took the word after `Mom` or `Burns` went one word too far.

use super::Span;
use crate::phi::PhiType;

/// The endings of an English contraction, in lower case (`'d` is left out: `D'Amico` and
/// `Ma'd` are written by people with names).
const ENDINGS: [&str; 5] = ["n't", "'ll", "'ve", "'re", "'m"];

/// Cuts a contraction off the end of the NAME spans of `spans` (`mrs. Burns con't` keeps
/// `Burns`), and drops a span that was nothing else (`can't`).
pub(crate) fn drop_contractions(text: &str, spans: &mut Vec<Span>) {
    for s in spans.iter_mut().filter(|s| s.ty == PhiType::Name) {
        let Some(found) = text.get(s.start..s.end) else {
            continue;
        };
        if ends_in_contraction(found) {
            let kept = found
                .trim_end()
                .rsplit_once(char::is_whitespace)
                .map_or("", |(head, _)| head.trim_end());
            s.end = s.start + kept.len();
        }
    }
    spans.retain(|s| s.end > s.start);
}

fn ends_in_contraction(found: &str) -> bool {
    let last = found
        .rsplit(char::is_whitespace)
        .next()
        .unwrap_or(found)
        .replace('\u{2019}', "'")
        .to_ascii_lowercase();
    ENDINGS
        .iter()
        .any(|e| last.len() > e.len() && last.ends_with(e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kept(text: &str, start: usize, end: usize) -> Option<&str> {
        let mut spans = vec![Span {
            start,
            end,
            ty: PhiType::Name,
        }];
        drop_contractions(text, &mut spans);
        spans.first().map(|s| &text[s.start..s.end])
    }

    #[test]
    fn a_contraction_after_a_kinship_word_is_no_name() {
        assert_eq!(kept("Mom can't make it", 4, 9), None);
        assert_eq!(kept("Dad we'll see", 4, 9), None);
    }

    #[test]
    fn a_name_before_a_contraction_keeps_its_words() {
        assert_eq!(kept("mrs. Burns con't to be", 5, 16), Some("Burns"));
        assert_eq!(kept("Son isn\u{2019}t available", 0, 11), Some("Son"));
    }

    #[test]
    fn names_with_an_apostrophe_stay() {
        assert_eq!(kept("Mom O'Neill came", 4, 11), Some("O'Neill"));
        assert_eq!(kept("seen D'Amico today", 5, 12), Some("D'Amico"));
    }
}
