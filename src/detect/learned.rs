//! Values learned from a payload's structured fields, scrubbed from the same payload's text.
//!
//! Owns the per-payload dictionary (a patient's name parts, MRN, phone, street line…) and
//! its case-insensitive, whole-word search. A FHIR Patient named Maria Lopez makes `Maria`,
//! `Lopez`, `LOPEZ, MARIA` and `Mrs. Lopez` findable anywhere in that payload's notes.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};

use crate::phi::PhiType;

/// Values collected while walking one payload; build once, then search its free text.
#[derive(Default)]
pub struct Learned {
    values: Vec<(String, PhiType)>,
    automaton: Option<AhoCorasick>,
}

/// Shortest learned value worth searching for; shorter ones match inside too many words.
const MIN_LEN: usize = 2;

impl Learned {
    /// Records a structured value. Names are also split into their parts, and phone-like
    /// values are recorded in their bare-digit form too.
    pub fn add(&mut self, ty: PhiType, value: &str) {
        let v = value.trim();
        if v.len() < MIN_LEN {
            return;
        }
        self.push(ty, v);
        match ty {
            PhiType::Name | PhiType::ProviderName => {
                for part in v.split(|c: char| c.is_whitespace() || c == ',') {
                    let part = part.trim_matches(|c: char| !c.is_alphanumeric());
                    if part.len() >= MIN_LEN && !is_title(part) {
                        self.push(ty, part);
                    }
                }
            }
            PhiType::Phone | PhiType::Fax | PhiType::Ssn => {
                let digits: String = v.chars().filter(char::is_ascii_digit).collect();
                if digits.len() >= 7 {
                    self.push(ty, &digits);
                }
            }
            _ => {}
        }
        self.automaton = None;
    }

    fn push(&mut self, ty: PhiType, v: &str) {
        if !self.values.iter().any(|(x, _)| x.eq_ignore_ascii_case(v)) {
            self.values.push((v.to_string(), ty));
        }
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The learned values (for tests and the date-shift patient key).
    pub fn values(&self) -> impl Iterator<Item = (&str, PhiType)> {
        self.values.iter().map(|(v, t)| (v.as_str(), *t))
    }

    /// Builds the automaton; call after the last [`Learned::add`].
    pub fn finish(&mut self) {
        if self.values.is_empty() {
            self.automaton = None;
            return;
        }
        self.automaton = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            // Built once per payload and used on a few kilobytes: a cheap-to-build NFA beats
            // a DFA whose construction would cost more than every search it speeds up.
            .kind(Some(AhoCorasickKind::NoncontiguousNFA))
            .build(self.values.iter().map(|(v, _)| v.as_bytes()))
            .ok();
    }

    /// Whole-word occurrences of learned values in `text`.
    pub fn scan(&self, text: &str, mut emit: impl FnMut(usize, usize, PhiType)) {
        let Some(ac) = &self.automaton else { return };
        let b = text.as_bytes();
        for m in ac.find_iter(b) {
            let (s, e) = (m.start(), m.end());
            let left_ok = s == 0 || !b[s - 1].is_ascii_alphanumeric();
            let right_ok = e == b.len() || !b[e].is_ascii_alphanumeric();
            if left_ok && right_ok && text.is_char_boundary(s) && text.is_char_boundary(e) {
                emit(s, e, self.values[m.pattern().as_usize()].1);
            }
        }
    }
}

fn is_title(w: &str) -> bool {
    [
        "mr", "mrs", "ms", "dr", "miss", "jr", "sr", "ii", "iii", "md",
    ]
    .iter()
    .any(|t| w.eq_ignore_ascii_case(t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_every_written_form_of_a_learned_name() {
        let mut l = Learned::default();
        l.add(PhiType::Name, "Maria Lopez");
        l.finish();
        let text =
            "Maria Lopez seen. LOPEZ, MARIA called; Mrs. Lopez ok; Maria smiled; Lopezville no.";
        let mut hits = Vec::new();
        l.scan(text, |s, e, _| hits.push(&text[s..e]));
        assert_eq!(hits, ["Maria Lopez", "LOPEZ", "MARIA", "Lopez", "Maria"]);
    }

    #[test]
    fn phone_digits_are_learned() {
        let mut l = Learned::default();
        l.add(PhiType::Phone, "(555) 013-4567");
        l.finish();
        let mut n = 0;
        l.scan("call 5550134567 now", |_, _, t| {
            assert_eq!(t, PhiType::Phone);
            n += 1;
        });
        assert_eq!(n, 1);
    }
}
