//! Names written glued together in camel case (`RosalindThackeray`, `rosalindThackeray`,
//! `patientRosalindThackeray`, `MiloVance`).
//!
//! Owns finding, inside one word of letters, a run of capitalised parts that reads as a
//! person's name: a given name and then names, none of them an English, clinical or common
//! word. Read from the lexicon's flags here, not taught to the tagger as a feature: a
//! lexicon flag would change what the tagger reads, and retraining for it cost precision
//! on text it was never tuned on.

use crate::detect::lexicon::{flag, Lexicon};
use crate::phi::{PhiType, Span};

/// Fewest letters of a part of a glued name: `Al` and `Jo` are words of their own too
/// often (`AlGaAs`, `JoAnn` is a name either way).
const MIN_PART: usize = 3;

/// Most parts of one name: a given name, a middle name and a surname.
const MAX_NAME_PARTS: usize = 3;

/// A word that is something else too: such a part makes no glued name (`PowerPoint`,
/// `TheraBand`, `GivMohr`).
const NOT_A_NAME: u64 = flag::ENGLISH | flag::COMMON | flag::NEVER_NAME;

/// The glued names of `text`: one span over the name's parts inside each word that holds
/// one. Most texts have no lower-case letter before a capital inside a word, and cost one
/// pass over their bytes.
pub fn glued_names(text: &str, lexicon: &Lexicon) -> Vec<Span> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_alphabetic() {
            i += 1;
            continue;
        }
        let start = i;
        // Whether a capital follows a lower-case letter inside the word: most words have
        // none, and are not looked at again.
        let mut camel = false;
        while i < b.len() && b[i].is_ascii_alphabetic() {
            camel |= i > start && b[i].is_ascii_uppercase() && b[i - 1].is_ascii_lowercase();
            i += 1;
        }
        if !camel {
            continue;
        }
        // A word glued to digits or to `_` is some other shape (`Rosalind_Thackeray2`, an
        // identifier; a name joined by `_` is the name-slug reading's).
        let cut_off = i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_');
        let after_digit = start > 0 && (b[start - 1].is_ascii_digit() || b[start - 1] == b'_');
        if !cut_off && !after_digit {
            if let Some((s, e)) = name_in_word(&b[start..i], lexicon) {
                out.push(Span {
                    start: start + s,
                    end: start + e,
                    ty: PhiType::Name,
                });
            }
        }
    }
    out
}

/// The byte range of a glued name inside `word`, a run of ASCII letters.
fn name_in_word(word: &[u8], lexicon: &Lexicon) -> Option<(usize, usize)> {
    let mut parts = [(0, 0); MAX_PARTS];
    let n = camel_parts(word, &mut parts);
    if n < 2 {
        return None;
    }
    let parts = &parts[..n];
    (0..n).find_map(|first| {
        let run = name_run(word, &parts[first..], lexicon);
        (run >= 2).then(|| (parts[first].0, parts[first + run - 1].1))
    })
}

/// Most parts of a word looked at: identifiers in code run longer, names never do.
const MAX_PARTS: usize = 8;

/// Cuts a camel-case word into its parts (`patient`, `Rosalind`, `Thackeray`), each at a
/// capital after a lower-case letter, into `parts`; returns how many (1 when the word has no
/// such capital). A run of capitals is no boundary (`HbA`, `PTWarren` stay one part).
/// Parts past [`MAX_PARTS`] are left out.
fn camel_parts(word: &[u8], parts: &mut [(usize, usize); MAX_PARTS]) -> usize {
    let mut n = 0;
    let mut at = 0;
    for k in 1..word.len() {
        if word[k - 1].is_ascii_lowercase() && word[k].is_ascii_uppercase() {
            parts[n] = (at, k);
            n += 1;
            at = k;
            if n == MAX_PARTS - 1 {
                break;
            }
        }
    }
    parts[n] = (at, word.len());
    n + 1
}

/// How many parts from the first of `parts` read as one person's name: a given name first,
/// then names, each a capitalised word of [`MIN_PART`] letters or more, none of them
/// anything else; the first may be in lower case when it opens the word
/// (`rosalindThackeray`). 0 or 1 is no glued name.
fn name_run(word: &[u8], parts: &[(usize, usize)], lexicon: &Lexicon) -> usize {
    let mut n = 0;
    for (k, &(s, e)) in parts.iter().take(MAX_NAME_PARTS).enumerate() {
        let part = &word[s..e];
        let shaped = part.len() >= MIN_PART
            && (part[0].is_ascii_uppercase() || (k == 0 && s == 0))
            && part[1..].iter().all(u8::is_ascii_lowercase);
        if !shaped {
            break;
        }
        let f = lexicon.flags(part);
        let wanted = if k == 0 { flag::FIRST } else { flag::NAME };
        if f & wanted == 0 || f & NOT_A_NAME != 0 {
            break;
        }
        n += 1;
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::lexicon::LexiconSources;
    use crate::patterns::Patterns;

    fn found(text: &str) -> Vec<&str> {
        let p = Patterns::builtin();
        let lex = Lexicon::build(&LexiconSources::of(&p)).expect("lexicon builds");
        glued_names(text, &lex)
            .iter()
            .map(|s| &text[s.start..s.end])
            .collect()
    }

    #[test]
    fn names_glued_in_camel_case_are_found() {
        assert_eq!(found("RosalindThackeray called"), ["RosalindThackeray"]);
        assert_eq!(found("key rosalindThackeray"), ["rosalindThackeray"]);
        assert_eq!(found("patientRosalindThackeray"), ["RosalindThackeray"]);
        assert_eq!(
            found("by MargaretAnnWhitlock today"),
            ["MargaretAnnWhitlock"]
        );
    }

    #[test]
    fn brands_devices_and_schema_words_stay() {
        for text in [
            "PowerPoint slides",
            "TheraBand yellow",
            "GivMohr sling",
            "firstName lastName birthDate",
            "resourceType valueQuantity",
            "the iPhone and YouTube",
            "HbA1c",
            "McDonald",
            "Rosalind_Thackeray2",
        ] {
            assert!(found(text).is_empty(), "{text}: {:?}", found(text));
        }
    }
}
