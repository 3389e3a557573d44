//! Whole structured values that are a person's name written without the capitals the
//! capitalised-words test needs (red team 55, J2): `zvezdana vukovljevic` under a key
//! nobody knows, in a form or a query, `vukovljevic` under `family` or `q`, and display
//! names dressed with emoji or a sender tag (`Zvezdana 🌸 Vukovljevic`,
//! `Vukovljevic, Zvezdana [EXT]`).
//!
//! Owns the word tests only; [`super::Engine::is_keyed_name_value`] and the scanned-value
//! test decide where they apply. The lexicon's flags are passed in as a function so the
//! tests stay free of the engine.

use std::borrow::Cow;

use crate::detect::lexicon::flag;

/// Shortest word of an unlisted lower-case pair (`zvezdana vukovljevic`): shorter ones
/// are a schema's abbreviations (`sso`, `jwt`, `uri`) more often than names.
const MIN_PAIR_WORD: usize = 4;

/// Shortest unlisted lower-case word read as a name under a name key (`family=orsic`).
const MIN_KEYED_WORD: usize = 3;

/// Longest word read as a name: longer runs of letters are hashes or glued words.
const MAX_NAME_WORD: usize = 24;

/// Most consonants in a row in a name read in lower case (`vukovljevic` has three); more
/// is an abbreviation or a machine string (`smtp`, `ldap`… have fewer vowels still).
const MAX_CONSONANT_RUN: usize = 4;

/// Longest sender tag dropped from a display name's end (`[EXT]`, `[External]`).
const MAX_TAG: usize = 12;

/// `v` without emoji, pictographs, regional indicators, joiners and variation selectors,
/// and without a short bracketed tag at its end (`[EXT]`): the name a person reads there.
/// Borrowed when there is nothing to drop.
pub(super) fn undressed(v: &str) -> Cow<'_, str> {
    let tagged = v
        .trim_end()
        .strip_suffix(']')
        .and_then(|rest| rest.rfind('[').map(|open| (open, rest.len() - open)))
        .filter(|(open, len)| *open > 0 && *len <= MAX_TAG + 1);
    let v = match tagged {
        Some((open, _)) => &v[..open],
        None => v,
    };
    if !v.chars().any(is_decoration) {
        return Cow::Borrowed(v);
    }
    // A decoration between two words stands for a blank: `Zvezdana🌸Vukovljevic`.
    let mut out = String::with_capacity(v.len());
    for c in v.chars() {
        if is_decoration(c) {
            if !out.ends_with(' ') {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// An emoji or pictograph, a regional indicator, a zero-width joiner, a variation
/// selector or a tag character: what chat display names are dressed with.
fn is_decoration(c: char) -> bool {
    matches!(c as u32,
        0x1F000..=0x1FAFF // pictographs, emoji, regional indicators
        | 0x2600..=0x27BF // symbols and dingbats
        | 0x2B00..=0x2BFF // arrows and stars
        | 0x200D          // zero-width joiner
        | 0xFE00..=0xFE0F // variation selectors
        | 0xE0020..=0xE007F // tag characters (flags of regions)
    )
}

/// A word in lower-case letters that reads as a word of a language, not a code: a vowel,
/// no long run of consonants, a name's length.
fn pronounceable_lower(w: &str, min: usize) -> bool {
    let b = w.as_bytes();
    if b.len() < min || b.len() > MAX_NAME_WORD || !b.iter().all(u8::is_ascii_lowercase) {
        return false;
    }
    let vowel = |c: &u8| matches!(c, b'a' | b'e' | b'i' | b'o' | b'u' | b'y');
    let mut run = 0;
    for c in b {
        run = if vowel(c) { 0 } else { run + 1 };
        if run > MAX_CONSONANT_RUN {
            return false;
        }
    }
    b.iter().any(vowel)
}

/// Two or three lower-case words that no list holds (`zvezdana vukovljevic`,
/// `zvezdana.vukovljevic`): a value alone has no sentence to say what they are, and a pair
/// of words in no English, clinical, rare-English, place or name list reads as a person
/// more than as anything else a payload carries in lower case. One word alone is not
/// enough (`gzip`, `oauth`); see [`lower_names`] for keys that name a person.
pub(super) fn unlisted_lower_pair(words: &[&str], flags: impl Fn(&str) -> u64) -> bool {
    (2..=3).contains(&words.len())
        && words
            .iter()
            .all(|w| pronounceable_lower(w, MIN_PAIR_WORD) && flags(w) == 0)
}

/// One to three lower-case words, each a listed name that is no English or common word,
/// or a word no list holds: a name under a key that says it is one.
pub(super) fn lower_names(words: &[&str], flags: impl Fn(&str) -> u64) -> bool {
    (1..=3).contains(&words.len())
        && words.iter().all(|w| {
            let f = flags(w);
            let named =
                f & flag::NAME != 0 && f & (flag::ENGLISH | flag::COMMON | flag::NEVER_NAME) == 0;
            pronounceable_lower(w, MIN_KEYED_WORD) && (f == 0 || named)
        })
}

/// Flags of a listed name that is never read as one under a name key: a word the lists
/// say is no name.
const NEVER_KEYED: u64 = flag::NEVER_NAME;

/// One word, or a full name of two or three words, that the name lists hold whatever else
/// the words are (`hope`, `walker`, `Sue Long`, `grace hand`): under a key that names a
/// person there is no sentence to say otherwise, and a given name that is also an English
/// word (`Hope`, `Grace`, `Miles`) is no less a name there (red team 58, R4). A full name
/// opens with a given name and ends with a surname; a clinical word alone counts only when
/// many people bear it (`walker` under `last`; not `ace` under `first`).
pub(super) fn listed_name_words(words: &[&str], flags: impl Fn(&str) -> u64) -> bool {
    if !words.iter().all(|w| name_word(w)) {
        return false;
    }
    let f = |w: &str| flags(w);
    match words {
        // A surname that is also a word stands alone too often as the word (`Subject:
        // keys` read under a name label); a given name alone is kept to (`first: hope`).
        [one] => {
            let x = f(one);
            let english = x & (flag::ENGLISH | flag::COMMON | flag::VOCAB) != 0;
            x & (if english { flag::FIRST } else { flag::NAME }) != 0
                && x & NEVER_KEYED == 0
                && (x & flag::CLINICAL == 0 || x & flag::POPULAR != 0)
        }
        [first, .., last] if words.len() <= 3 => {
            let (a, z) = (f(first), f(last));
            a & flag::FIRST != 0
                && z & flag::LAST != 0
                && (a | z) & NEVER_KEYED == 0
                && words[1..words.len() - 1]
                    .iter()
                    .all(|w| f(w) & flag::NAME != 0)
        }
        _ => false,
    }
}

/// One word the surname lists hold, whatever else it is (`walker`, `stone`), under a key
/// that holds a surname alone (`last`, `family`): there is no sentence to say otherwise.
/// A function word stays (`the`), and a clinical word unless many people bear it (`walker`
/// does, `ace` does not).
pub(super) fn listed_surname_word(word: &str, flags: impl Fn(&str) -> u64) -> bool {
    let x = flags(word);
    name_word(word)
        && x & flag::LAST != 0
        && x & (NEVER_KEYED & !flag::CLINICAL) == 0
        && (x & flag::CLINICAL == 0 || x & flag::POPULAR != 0)
}

/// A word the name lists could hold: letters only, of a name's length.
fn name_word(w: &str) -> bool {
    let b = w.as_bytes();
    b.len() >= 2 && b.len() <= MAX_NAME_WORD && b.iter().all(u8::is_ascii_alphabetic)
}

/// Two or three capitalised words, a given name first and a surname last, that the name
/// lists hold whatever else they are (`Sue Long`, `Hope Walker`, `Miles Ward`): a value of
/// its own written as a person's name is one, under any key (red team 58, R4: `"name":"Sue
/// Long"`, `"who":"Hope Walker"`). Each word a capital and then lower case, as a display
/// name is written; a phrase of words (`Grace Period`, `Long Term`) is not a given name
/// and a surname.
pub(super) fn capitalised_full_name(words: &[&str], flags: impl Fn(&str) -> u64) -> bool {
    let title = |w: &&str| {
        let b = w.as_bytes();
        b.len() >= 2 && b[0].is_ascii_uppercase() && b[1..].iter().all(u8::is_ascii_lowercase)
    };
    (2..=3).contains(&words.len()) && words.iter().all(title) && listed_name_words(words, flags)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unknown(_: &str) -> u64 {
        0
    }

    #[test]
    fn decorations_and_sender_tags_are_dropped() {
        assert_eq!(
            undressed("Zvezdana 🌸 Vukovljevic")
                .split_whitespace()
                .count(),
            2
        );
        assert_eq!(undressed("🌸Zvezdana🌸").trim(), "Zvezdana");
        assert_eq!(
            undressed("Vukovljevic, Zvezdana [EXT]").trim(),
            "Vukovljevic, Zvezdana"
        );
        assert_eq!(undressed("Zvezdana 🇭🇷").trim(), "Zvezdana");
        // A bracket that is the whole value, or a long one, is no tag.
        assert_eq!(undressed("[EXT]"), "[EXT]");
        assert!(matches!(undressed("plain words"), Cow::Borrowed(_)));
    }

    #[test]
    fn lower_pairs_of_unlisted_words_read_as_names() {
        assert!(unlisted_lower_pair(&["zvezdana", "vukovljevic"], unknown));
        assert!(!unlisted_lower_pair(&["vukovljevic"], unknown));
        // Short abbreviations and consonant runs are codes.
        assert!(!unlisted_lower_pair(&["saml", "sso"], unknown));
        assert!(!unlisted_lower_pair(&["ldap", "smtp"], unknown));
        assert!(!unlisted_lower_pair(&["Zvezdana", "vukovljevic"], unknown));
        // Any listed word (English here) makes it no pair of unknown words.
        assert!(!unlisted_lower_pair(
            &["zvezdana", "walker"],
            |w| u64::from(w == "walker") * flag::ENGLISH
        ));
    }

    #[test]
    fn one_listed_surname_is_a_name_under_a_surname_key() {
        let surname_and_word = |_: &str| flag::LAST | flag::ENGLISH | flag::COMMON;
        assert!(listed_surname_word("walker", surname_and_word));
        assert!(!listed_surname_word("visit", |_| flag::ENGLISH));
        assert!(!listed_surname_word("the", |_| flag::LAST | flag::STOP));
        assert!(!listed_surname_word("hope walker", surname_and_word));
        assert!(!listed_surname_word("w4lker", surname_and_word));
        assert!(listed_surname_word("walker", |_| flag::LAST
            | flag::CLINICAL
            | flag::POPULAR));
        assert!(!listed_surname_word("ace", |_| flag::LAST | flag::CLINICAL));
    }

    #[test]
    fn one_lower_word_is_a_name_only_under_a_name_key() {
        assert!(lower_names(&["vukovljevic"], unknown));
        assert!(lower_names(&["orsic"], unknown));
        assert!(!lower_names(&["vukov1"], unknown));
        assert!(!lower_names(&["walker"], |_| flag::ENGLISH | flag::NAME));
        assert!(lower_names(&["dragana"], |_| flag::NAME));
        assert!(!lower_names(&["a", "b", "c", "d"], unknown));
    }
}
