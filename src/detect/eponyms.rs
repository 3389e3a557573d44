//! Eponyms read as people (issue 13, stop 50, helper `physio50`).
//!
//! Owns one correction of the merged spans: a name detection that is a disease, sign,
//! device or method named after someone (`Barrett esophagus`, `Murphy's sign`,
//! `Jackson-Pratt drain`, `Parkland formula`, `Charcot-Marie-Tooth`) goes. Two readings, both
//! from data in `patterns/text/structures.toml`: the word after the name (past a
//! possessive) is one of `eponym_heads`, or the hyphenated word the name stands in is one
//! of `eponym_compounds`. A title before the name (`Dr. Murphy's protocol`) keeps it, and so
//! does a detection of more than two words: a person's whole name before `drain` is a name.
//! A place of one word before a head goes too (`Per Parkland formula`). A given name and a
//! surname before a head are a person's (`Rosalind Thackeray's splint`, `Hope Walker ADL
//! eval`: red team 58, R1) unless the two are a listed compound written with a space
//! (`Austin Flint murmur`, `Jackson Pratt drain`).
//!
//! And two more kinds of words read as a place or a person: a note's heading before `Note`
//! (`Addendum to Nursing Progress Note`, `CCU Nursing Progress/Transfer Note`; the words are
//! `note_heading_words`), and a service (`Seen in Pulmonology`).

use super::lexicon::flag;
use super::structure::Structures;
use super::Span;
use crate::phi::PhiType;

/// Words after a head that make it a verb (`Tara signs the forms`, `had Mary sign the
/// consent`): the name before it is a person.
const OBJECTS: [&[u8]; 9] = [
    b"the", b"a", b"an", b"his", b"her", b"their", b"this", b"that", b"off",
];

/// Titles before a surname that make it a person whatever follows.
const TITLES: [&[u8]; 8] = [
    b"dr", b"mr", b"mrs", b"ms", b"miss", b"mx", b"doctor", b"prof",
];

/// Words naming the patient before a surname (`Pt Katz 6/10 pain`, `Pt: Lawton 85 yo`): a
/// number after the surname is then the person's score or age, not the exam's result.
const PATIENT_CUES: [&[u8]; 2] = [b"pt", b"patient"];

/// Drops the name detections of `spans` that are eponyms; `word_flags` gives a word's lexicon
/// flags (any case; 0 for a word no list knows).
pub(crate) fn drop_eponyms(
    text: &str,
    lists: &Structures,
    word_flags: impl Fn(&[u8]) -> u64,
    spans: &mut Vec<Span>,
) {
    let b = text.as_bytes();
    spans.retain(|s| match s.ty {
        PhiType::Name => !eponym(b, s, lists, &word_flags) && !service(b, s),
        PhiType::Location => {
            !note_heading(b, s, lists) && !place_eponym(b, s, lists) && !service(b, s)
        }
        _ => true,
    });
}

/// A place of one word before an eponym's head (`Parkland formula`).
fn place_eponym(b: &[u8], s: &Span, lists: &Structures) -> bool {
    let one_word = b
        .get(s.start..s.end)
        .is_some_and(|w| !w.is_empty() && w.iter().all(u8::is_ascii_alphabetic));
    one_word && !titled(b, s.start) && head_after(b, s.end, lists)
}

/// `Nursing Progress` before `Note`, `Progress` before `/Transfer Note`: words of a
/// note's heading (`note_heading_words`), heading a note.
fn note_heading(b: &[u8], s: &Span, lists: &Structures) -> bool {
    let Some(inner) = b.get(s.start..s.end) else {
        return false;
    };
    let mut words = inner
        .split(|c| !c.is_ascii_alphabetic())
        .filter(|w| !w.is_empty())
        .peekable();
    if words.peek().is_none()
        || !words.all(|w| lists.note_heading_words.contains(&*w.to_ascii_lowercase()))
    {
        return false;
    }
    let mut k = s.end;
    if b.get(k) == Some(&b'/') {
        k += 1 + b[k + 1..]
            .iter()
            .take_while(|c| c.is_ascii_alphabetic())
            .count();
    }
    let spaces = b[k..].iter().take_while(|c| **c == b' ').count();
    k += spaces;
    let note = b
        .get(k..k + 4)
        .is_some_and(|w| w.eq_ignore_ascii_case(b"note"));
    (1..=2).contains(&spaces) && note && !b.get(k + 4).is_some_and(u8::is_ascii_alphanumeric)
}

/// `Seen in Pulmonology`, `spoke with Travis in Nephrology`: one word naming a service
/// (`-ology`, `-iatry`) is neither a place nor a person.
fn service(b: &[u8], s: &Span) -> bool {
    let Some(inner) = b.get(s.start..s.end) else {
        return false;
    };
    let lower = inner.to_ascii_lowercase();
    inner.len() > 6
        && inner.iter().all(u8::is_ascii_alphabetic)
        && [&b"ology"[..], b"ologies", b"iatry", b"iatrics"]
            .iter()
            .any(|e| lower.ends_with(e))
}

/// Whether name span `s` is an eponym.
fn eponym(b: &[u8], s: &Span, lists: &Structures, word_flags: impl Fn(&[u8]) -> u64) -> bool {
    let Some(inner) = b.get(s.start..s.end) else {
        return false;
    };
    let words = inner
        .split(|c| c.is_ascii_whitespace())
        .filter(|w| !w.is_empty())
        .count();
    if words == 0 || words > 2 || titled(b, s.start) {
        return false;
    }
    // The hyphenated word around the span (`Charcot-[Marie-Tooth]`, `[Ki]-67`).
    let part = |c: &u8| c.is_ascii_alphanumeric() || *c == b'-';
    let from = s.start - b[..s.start].iter().rev().take_while(|c| part(c)).count();
    let to = s.end + b[s.end..].iter().take_while(|c| part(c)).count();
    let whole = b[from..to].to_ascii_lowercase();
    if whole.contains(&b'-') && lists.eponym_compounds.contains(whole.trim_ascii()) {
        return true;
    }
    // `Salter-Harris II`: the detection took the grade after the compound too.
    let first = whole
        .split(|c| c.is_ascii_whitespace())
        .next()
        .unwrap_or_default();
    if words == 2 && first.contains(&b'-') && lists.eponym_compounds.contains(first) {
        return true;
    }
    // `ADL 5/6 on Katz`: an exam's eponym after the score it gave.
    if words == 1
        && lists.eponym_exams.contains(&*inner.to_ascii_lowercase())
        && score_before(b, s.start)
    {
        return true;
    }
    // `Neer positive`, `Gleason 3+4`: an exam's eponym before its result or a number.
    if words == 1
        && lists.eponym_exams.contains(&*inner.to_ascii_lowercase())
        && result_after(b, s.end, lists)
        && !(patient_cue_before(b, s.start) && number_after(b, s.end))
    {
        return true;
    }
    // `JACKSON PRATT DRAIN`: the head inside the detection.
    if words == 2 {
        let last = inner
            .rsplit(|c| c.is_ascii_whitespace())
            .next()
            .unwrap_or_default();
        if lists.eponym_heads.contains(&*last.to_ascii_lowercase()) {
            return true;
        }
        // `Austin Flint murmur`: a listed compound written with a space.
        let joined: Vec<u8> = whole
            .split(|c| c.is_ascii_whitespace())
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(&b'-');
        if lists.eponym_compounds.contains(joined.as_slice()) {
            return head_after(b, to, lists);
        }
        // `Rosalind Thackeray's splint`: a given name opens a person's name, not an eponym;
        // so do two words no list knows (`Zvezdana Vukovljevic ADL eval`): the eponyms of
        // two surnames are the listed compounds.
        let second = whole
            .split(|c| c.is_ascii_whitespace())
            .rfind(|w| !w.is_empty())
            .unwrap_or_default();
        let unknown = |w: &[u8]| flag::unknown(word_flags(w));
        // An initial is no surname (`Miami J collar`).
        let person = word_flags(first) & flag::FIRST != 0 || unknown(first) && unknown(second);
        if person && second.len() >= 2 {
            return false;
        }
    }
    head_after(b, to, lists)
}

/// The word after `end`, past a possessive and one or two spaces, is an eponym's head, and
/// no object follows it (`signs the forms`).
fn head_after(b: &[u8], end: usize, lists: &Structures) -> bool {
    let mut k = end;
    for tail in [&b"'s"[..], "\u{2019}s".as_bytes(), b"s'", b"'"] {
        if b[k..].starts_with(tail) {
            k += tail.len();
            break;
        }
    }
    let Some((k, len)) = word_after_gap(b, k) else {
        return false;
    };
    let next = &b[k..k + len];
    if len == 0
        || b.get(k + len).is_some_and(u8::is_ascii_alphanumeric)
        || !lists.eponym_heads.contains(&*next.to_ascii_lowercase())
    {
        return false;
    }
    let after = k + len + b[k + len..].iter().take_while(|c| **c == b' ').count();
    let object_len = b[after..]
        .iter()
        .take_while(|c| c.is_ascii_alphabetic())
        .count();
    let object = b[after..after + object_len].to_ascii_lowercase();
    !OBJECTS.contains(&&*object)
}

/// Past one or two blanks at `k`: where the next word starts and how many ASCII letters
/// it has (0 when it opens with something else); `None` without that gap.
fn word_after_gap(b: &[u8], k: usize) -> Option<(usize, usize)> {
    let spaces = b[k..]
        .iter()
        .take_while(|c| matches!(c, b' ' | b'\t'))
        .count();
    if !(1..=2).contains(&spaces) {
        return None;
    }
    let k = k + spaces;
    let len = b[k..]
        .iter()
        .take_while(|c| c.is_ascii_alphabetic())
        .count();
    Some((k, len))
}

/// After `end`, past a possessive and one or two spaces: a number, a `+`/`-` sign or a word
/// of an exam's result (`Gleason 3+4`, `Neer +`, `Spurling negative`, `Katz ADL`).
fn result_after(b: &[u8], end: usize, lists: &Structures) -> bool {
    let mut k = end;
    if b[k..].starts_with(b"'s") {
        k += 2;
    }
    let Some((k, len)) = word_after_gap(b, k) else {
        return false;
    };
    match b.get(k) {
        Some(c) if c.is_ascii_digit() || matches!(c, b'+' | b'-') => true,
        _ => {
            len > 0
                && lists
                    .exam_results
                    .contains(&*b[k..k + len].to_ascii_lowercase())
        }
    }
}

/// Before `start`: `on`, `per` or `by` and, before it, a score (`5/6 on`, `42 per`).
fn score_before(b: &[u8], start: usize) -> bool {
    let (word, before) = last_word(b[..start].trim_ascii_end());
    matches!(word.as_slice(), b"on" | b"per" | b"by")
        && before
            .trim_ascii_end()
            .last()
            .is_some_and(u8::is_ascii_digit)
}

/// `Pt`, `Pt:` or `Patient` stands right before `start` (see [`PATIENT_CUES`]).
fn patient_cue_before(b: &[u8], start: usize) -> bool {
    let head = b[..start].trim_ascii_end();
    let head = head
        .strip_suffix(b":")
        .or_else(|| head.strip_suffix(b"."))
        .unwrap_or(head);
    let (word, _) = last_word(head);
    PATIENT_CUES.contains(&&*word)
}

/// After `end`, past one or two spaces, a number (`Katz 6/10`, `Lawton 85 yo`).
fn number_after(b: &[u8], end: usize) -> bool {
    word_after_gap(b, end).is_some_and(|(k, _)| b.get(k).is_some_and(u8::is_ascii_digit))
}

/// A title (`Dr.`, `Mrs`) stands right before `start`.
fn titled(b: &[u8], start: usize) -> bool {
    let head = b[..start].trim_ascii_end();
    let (word, _) = last_word(head.strip_suffix(b".").unwrap_or(head));
    TITLES.contains(&&*word)
}

/// The letters that end `head`, lower-cased, and what stands before them.
fn last_word(head: &[u8]) -> (Vec<u8>, &[u8]) {
    let len = head
        .iter()
        .rev()
        .take_while(|c| c.is_ascii_alphabetic())
        .count();
    let (before, word) = head.split_at(head.len() - len);
    (word.to_ascii_lowercase(), before)
}

#[cfg(test)]
mod tests {
    use crate::detect::Detector;
    use crate::patterns::Patterns;
    use crate::phi::PhiType;

    fn names(text: &str) -> Vec<String> {
        let d = Detector::build(&Patterns::builtin()).unwrap();
        let mut s = d.scratch();
        d.scan(text, None, &mut s)
            .into_iter()
            .filter(|s| matches!(s.ty, PhiType::Name | PhiType::ProviderName))
            .map(|s| text[s.start..s.end].to_owned())
            .collect()
    }

    #[test]
    fn a_surname_before_a_disease_or_device_word_is_an_eponym() {
        for t in [
            "Hx of Barrett's esophagus and Hashimoto's thyroiditis.",
            "Positive Murphy's sign on exam.",
            "Jackson-Pratt drain with 30cc serosang.",
            "PRINCIPAL DIAGNOSIS: Charcot-Marie-Tooth. Seen today.",
            "from Wagner Health, with Ehlers-Danlos. GCS 15.",
            "Per Parkland formula, fluids adjusted.",
            "JP drain intact, Ki-67 index 20%.",
            "Salter-Harris II fx of the distal radius.",
            "Scored ADL 5/6 on Katz, 42 per Berg.",
            "Austin Flint murmur at the apex.",
            "Plan: Miami J collar at all times.",
        ] {
            assert!(names(t).is_empty(), "{t}: {:?}", names(t));
        }
    }

    #[test]
    fn a_note_heading_is_no_place() {
        let d = Detector::build(&Patterns::builtin()).unwrap();
        let mut s = d.scratch();
        for t in [
            "Addendum to Nursing Progress Note: SICU team up",
            "CCU Nursing Progress/Transfer Note 7a-7p:",
            "Nursing Transfer Note",
            "Seen in Pulmonology; spoke with Travis in Nephrology.",
        ] {
            let found: Vec<_> = d
                .scan(t, None, &mut s)
                .into_iter()
                .filter(|s| s.ty == PhiType::Location)
                .collect();
            assert!(found.is_empty(), "{t}");
        }
    }

    #[test]
    fn a_person_before_a_head_word_stays() {
        assert_eq!(names("since the injury; Tara signs the forms."), ["Tara"]);
        assert_eq!(names("Had Bennett sign the consent."), ["Bennett"]);
        assert_eq!(names("Seen by Dr. Murphy today."), ["Murphy"]);
        assert_eq!(names("Dr. Murphy's protocol was followed."), ["Murphy"]);
        assert_eq!(names("Saw 2 patients with Dr. Katz."), ["Katz"]);
        // Red team 58, R1: a given name and a surname before a head word.
        for t in [
            "Rosalind Thackeray's splint was adjusted.",
            "Name: Rosalind Thackeray ADL eval",
            "Pt Rosalind Thackeray protocol day 10.",
            "Zvezdana Vukovljevic ADL eval",
        ] {
            assert!(
                names(t)
                    .iter()
                    .any(|n| n.contains("Thackeray") || n.contains("Vuko")),
                "{t}: {:?}",
                names(t)
            );
        }
        assert!(
            names("Spoke with daughter Mary Ellen Jackson about the drain.")
                .iter()
                .any(|n| n.contains("Jackson"))
        );
    }

    /// An exam's eponym that is a surname, after `Pt` and before a number, is the patient
    /// (red team 58 R18); without the cue the exam stays.
    #[test]
    fn an_eponym_surname_after_a_patient_cue_before_a_number_is_the_patient() {
        for (t, name) in [
            ("Pt Katz 6/10 pain today.", "Katz"),
            ("Pt: Lawton 85 yo female.", "Lawton"),
        ] {
            assert!(
                names(t).iter().any(|n| n.contains(name)),
                "{t}: {:?}",
                names(t)
            );
        }
        for t in ["Katz 5/6 on ADLs.", "Scored ADL 5/6 on Katz, 42 per Berg."] {
            assert!(names(t).is_empty(), "{t}: {:?}", names(t));
        }
    }
}
