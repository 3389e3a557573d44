//! Insurers and companies whose names read as people or towns (issue 13, branch
//! `personctx`): `Liberty Mutual`, `Blue Cross`, `United Healthcare`, `Aetna`.
//!
//! Owns the step that `Detector::scan` runs on its merged spans: a NAME, PROVIDER_NAME or
//! LOCATION span that lies inside one of the phrases of `organisations` in
//! `patterns/words/context.toml`, written as one phrase (single spaces, any case), is
//! dropped. A span that reaches outside the phrase stays: the phrase is no evidence about
//! the words around it (`Dr. Liberty` is a person).

use super::{LexScratch, Lexicon};
use crate::phi::{PhiType, Span};

impl Lexicon {
    /// Whether `words` (a value's words, any case) open with a known organisation's name
    /// (`Blue Cross`, `Liberty Mutual Insurance`): a structured value written so is the
    /// insurer, not a given name and a surname.
    pub fn opens_with_organisation(&self, words: &[&str]) -> bool {
        self.organisations.iter().any(|phrase| {
            phrase.len() <= words.len()
                && phrase
                    .iter()
                    .zip(words)
                    .all(|(p, w)| p.eq_ignore_ascii_case(w.as_bytes()))
        })
    }

    /// Drops the person and place spans of `spans` (sorted) that lie inside a known
    /// organisation's name in `text`, whose words `scratch` holds from its last scan.
    pub fn drop_organisations(&self, text: &str, scratch: &LexScratch, spans: &mut Vec<Span>) {
        let dropped = |s: &Span| {
            matches!(
                s.ty,
                PhiType::Name | PhiType::ProviderName | PhiType::Location
            )
        };
        // Only a person or a place can go: without one the spans stay as they are.
        if self.organisations.is_empty() || !spans.iter().any(dropped) {
            return;
        }
        let b = text.as_bytes();
        let words = scratch.words().list();
        spans.retain(|s| {
            if !dropped(s) {
                return true;
            }
            // The phrase starts at the span's first word or at most two words before it.
            let at = words.partition_point(|w| w.end <= s.start);
            let from = at.saturating_sub(2);
            !(from..=at.min(words.len().saturating_sub(1))).any(|k| {
                self.organisation_at(b, words, k)
                    .is_some_and(|end| words[k].start <= s.start && s.end <= end)
            })
        });
    }

    /// The end of a known organisation's name that starts at word `k`, the longest. Only
    /// the phrases whose first letter is the word's are tried (the phrases are sorted by it,
    /// [`first_letter`]): three words around every person and place span were compared
    /// with every phrase.
    fn organisation_at(&self, b: &[u8], words: &[super::Word], k: usize) -> Option<usize> {
        // The word table may be empty (a span found with no word read, as fuzzed HL7 and X12
        // give): no word, no phrase.
        let letter = b.get(words.get(k)?.start)?.to_ascii_lowercase();
        let from = self
            .organisations
            .partition_point(|p| first_letter(p) < Some(letter));
        self.organisations[from..]
            .iter()
            .take_while(|p| first_letter(p) == Some(letter))
            .filter_map(|phrase| {
                let last = k + phrase.len() - 1;
                if last >= words.len() {
                    return None;
                }
                let matches = phrase.iter().enumerate().all(|(n, p)| {
                    let w = &words[k + n];
                    let spaced = n == 0 || b[words[k + n - 1].end..w.start] == *b" ";
                    spaced && b[w.start..w.end].eq_ignore_ascii_case(p)
                });
                matches.then_some(words[last].end)
            })
            .max()
    }
}

/// The first byte of a phrase's first word (lower case, as the phrases are kept): the key
/// the organisations are sorted by.
pub(super) fn first_letter(phrase: &[Box<[u8]>]) -> Option<u8> {
    phrase.first().and_then(|w| w.first()).copied()
}

#[cfg(test)]
mod tests {
    use super::super::LexScratch;
    use crate::detect::Detector;
    use crate::patterns::Patterns;
    use crate::phi::{PhiType, Span};

    /// A span with no word read yet (an empty word table, as the fuzzed HL7 and X12 inputs
    /// gave) is kept, not looked up past the table's end.
    #[test]
    fn a_span_with_no_words_read_is_kept() {
        let d = Detector::build(&Patterns::builtin()).expect("built-in patterns");
        let mut spans = vec![Span {
            start: 0,
            end: 4,
            ty: PhiType::Name,
        }];
        d.lexicon()
            .drop_organisations("Anna", &LexScratch::default(), &mut spans);
        assert_eq!(spans.len(), 1);
    }
}
