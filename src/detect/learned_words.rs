//! Whether a learned name part met capitalised in prose is the person or the word.
//!
//! A patient named Grace Hand or May Walker teaches the payload `Hand` and `Walker`; in
//! the same notes `Hand therapy`, `R Hand edema` and `DME: Walker` are the clinical words,
//! capitalised where a sentence, a list item or a label's value starts. A learned part the
//! lexicon knows as an English or clinical word is taken for the person only with name
//! evidence at the occurrence (red team 55, J33): another learned name part beside it
//! (`Grace Hand`, `Hand, Grace`, `Grace R. Hand`), a title, kin, role or name cue before it
//! (`Ms. Hand`, `Pt: Walker`), a verb that tells of a person after it (`Walker reports`),
//! or a relation after its possessive (`Hand's daughter`). Without it the occurrence is
//! left to the other detectors, the tagger among them, so a name they read is still found.
//! Where the text cannot tell (a value of one word, the word in capitals) it stays found.

use super::lexicon::{flag, Lexicon};
use super::Span;
use crate::phi::PhiType;

/// What a learned part must be known as to need evidence: a word of prose or the clinic.
const WORD: u64 = flag::ENGLISH | flag::CLINICAL | flag::VOCAB;

/// A word before a name that says a person follows (`Ms.`, `Dr`, `daughter`, `Patient:`,
/// `NP`, `named`, `called`, `thanks`).
const CUE_BEFORE: u64 = flag::PERSON_TITLE
    | flag::PROVIDER_TITLE
    | flag::RELATION
    | flag::NAME_CUE
    | flag::STRONG_CUE
    | flag::LABEL
    | flag::ROLE
    | flag::NAME_INTRO
    | flag::CONTACT
    | flag::OPENER;

/// A word after a name that tells of the person (`reports`, `drove`, `was`).
const VERB_AFTER: u64 = flag::PERSON_VERB | flag::SUBJECT_VERB | flag::COPULA;

/// The learned occurrences `found` in `text` that read as the person: all but the
/// capitalised word-parts without name evidence.
pub(super) fn people(lex: &Lexicon, text: &str, found: Vec<Span>) -> Vec<Span> {
    if !found.iter().any(|s| needs_evidence(lex, text, s)) {
        return found;
    }
    found
        .iter()
        .filter(|s| !needs_evidence(lex, text, s) || has_name_evidence(lex, text, s, &found))
        .copied()
        .collect()
}

/// A name part written `Capitalised` that the lexicon knows as a word, in a text with
/// other words to read it by.
fn needs_evidence(lex: &Lexicon, text: &str, s: &Span) -> bool {
    let word = &text[s.start..s.end];
    let b = word.as_bytes();
    matches!(s.ty, PhiType::Name | PhiType::ProviderName)
        && b.len() >= 2
        && b[0].is_ascii_uppercase()
        && b[1..].iter().all(u8::is_ascii_lowercase)
        && (text[..s.start].bytes().any(|c| c.is_ascii_alphabetic())
            || text[s.end..].bytes().any(|c| c.is_ascii_alphabetic()))
        && flags(lex, word) & WORD != 0
}

fn has_name_evidence(lex: &Lexicon, text: &str, s: &Span, found: &[Span]) -> bool {
    beside_another_part(text, s, found)
        || word_before(text, s.start).is_some_and(|w| flags(lex, w) & CUE_BEFORE != 0)
        || word_after(&text[s.end..]).is_some_and(|w| tells_of_a_subject(lex, w))
        || possessive_relation(lex, &text[s.end..])
}

/// Another learned name occurrence next to `s`, set apart only by blanks, a comma or a
/// middle initial (`Grace Hand`, `Hand, Grace`, `Grace R. Hand`).
fn beside_another_part(text: &str, s: &Span, found: &[Span]) -> bool {
    found.iter().any(|o| {
        let name = matches!(o.ty, PhiType::Name | PhiType::ProviderName);
        let gap = if o.end <= s.start {
            text.get(o.end..s.start)
        } else if s.end <= o.start {
            text.get(s.end..o.start)
        } else {
            None
        };
        name && gap.is_some_and(is_name_gap)
    })
}

/// Blanks and at most a comma, or an initial with its stop, between two name parts.
fn is_name_gap(gap: &str) -> bool {
    let t = gap.trim();
    let parted = gap.len() > t.len() || gap.starts_with(',');
    let initial = t.len() == 2 && t.as_bytes()[0].is_ascii_uppercase() && t.ends_with('.');
    gap.len() <= 6 && parted && (t.is_empty() || t == "," || initial)
}

/// The word right before `at`, over blanks and one `.` or `:` after it (`Ms. `, `Pt: `).
fn word_before(text: &str, at: usize) -> Option<&str> {
    let before = text[..at].trim_end();
    let before = before.strip_suffix(['.', ':']).unwrap_or(before).trim_end();
    let start = before
        .rfind(|c: char| !c.is_ascii_alphabetic())
        .map_or(0, |i| i + 1);
    let w = &before[start..];
    (!w.is_empty()).then_some(w)
}

/// The first word of `rest` after blanks.
fn word_after(rest: &str) -> Option<&str> {
    let r = rest.trim_start();
    let end = r
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(r.len());
    (end > 0).then(|| &r[..end])
}

/// A word after a name that makes it the subject of a verb: a person verb the lexicon
/// knows (`reports`, `drove`, `was`), an auxiliary, or a lower-case word shaped like a verb
/// in the past (`ambulated`) or the third person (`walks`) that is no clinical noun
/// (`exercises`). A word's verb after it is evidence enough: `Lily ambulated` is the
/// person, and `Walker adjusted` written of the device only costs the word.
fn tells_of_a_subject(lex: &Lexicon, w: &str) -> bool {
    let f = flags(lex, w);
    if f & VERB_AFTER != 0 || AUXILIARIES.contains(&w) {
        return true;
    }
    let lower = w.bytes().all(|b| b.is_ascii_lowercase());
    let past = w.len() >= 4 && w.ends_with("ed");
    let third = w.len() >= 4 && w.ends_with('s') && !w.ends_with("ss") && !w.ends_with("us");
    lower && (past || (third && f & (flag::CLINICAL | flag::VOCAB) == 0))
}

/// Verbs a person is the subject of that no `-ed` or `-s` shows.
const AUXILIARIES: &[&str] = &[
    "is", "has", "had", "will", "would", "can", "could", "did", "does", "should", "must", "got",
    "went", "came", "saw", "felt", "fell", "ate", "slept", "left", "took", "ran",
];

/// `'s` and a relation or role after it (`Hand's daughter`, `Walker's PCP`).
fn possessive_relation(lex: &Lexicon, rest: &str) -> bool {
    let Some(after) = rest
        .strip_prefix("'s")
        .or_else(|| rest.strip_prefix("\u{2019}s"))
    else {
        return false;
    };
    after.starts_with(' ')
        && word_after(after).is_some_and(|w| flags(lex, w) & (flag::RELATION | flag::ROLE) != 0)
}

fn flags(lex: &Lexicon, word: &str) -> u64 {
    lex.flags(word.to_ascii_lowercase().as_bytes())
}
