//! User names built from a surname after a login cue (red team 52, H12).
//!
//! Owns finding, right after a cue that names an account (`login rthackeray`, `signed in
//! as rthackeray`, `userid RTHACKERAY`, `acct thackerayr disabled`, `MyChart: rozthackeray`),
//! one word of letters alone that reads as a listed surname with up to three letters of a
//! given name glued before it or one or two after it, or as a given name and a surname
//! glued together. The rules read such a value only when it is shaped like a handle (a
//! digit, `_`, an inner dot) or follows a `:`; a word of letters after a bare cue may be a
//! word (`login failed`, `signed in as guest`), so here it must spell a name. Read from the
//! lexicon's flags, not taught to the tagger (no retrain).

use crate::detect::lexicon::{flag, Lexicon};
use crate::phi::{PhiType, Span};

/// Words that name an account, in lower case; `as` counts only after `signed in`/`logged
/// in`/`log in`.
const CUES: [&[u8]; 7] = [
    b"login",
    b"userid",
    b"username",
    b"user",
    b"acct",
    b"account",
    b"mychart",
];

/// Fewest and most letters of a user name read here.
const MIN_LEN: usize = 5;
const MAX_LEN: usize = 24;

/// Fewest letters of the surname inside it: `lee` in `jlee` is too short to tell.
const MIN_SURNAME: usize = 4;

/// A word that is something else too.
const NOT_A_NAME: u64 = flag::ENGLISH | flag::COMMON | flag::NEVER_NAME | flag::CLINICAL;

/// The user names of `text` after an account cue, as ID spans.
pub fn cued_user_names(text: &str, lexicon: &Lexicon) -> Vec<Span> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut prev: [&[u8]; 2] = [b"", b""];
    while i < b.len() {
        if !b[i].is_ascii_alphabetic() {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && b[i].is_ascii_alphabetic() {
            i += 1;
        }
        let word = &b[start..i];
        if is_cue(word, prev) {
            if let Some((s, e)) = value_after(b, i) {
                if is_user_name(&b[s..e], lexicon) {
                    out.push(Span {
                        start: s,
                        end: e,
                        ty: PhiType::Id,
                    });
                }
            }
        }
        prev = [prev[1], word];
    }
    out
}

/// Whether `word` (after the words `prev`) names an account.
fn is_cue(word: &[u8], prev: [&[u8]; 2]) -> bool {
    if !(2..=8).contains(&word.len()) {
        return false;
    }
    if word.eq_ignore_ascii_case(b"as") {
        let verb = prev[0];
        return prev[1].eq_ignore_ascii_case(b"in")
            && [&b"signed"[..], b"logged", b"log"]
                .iter()
                .any(|v| verb.eq_ignore_ascii_case(v));
    }
    CUES.iter().any(|c| word.eq_ignore_ascii_case(c))
}

/// The word after a cue ending at `at`: past blanks, one `:` or `=` and an `@`; letters
/// only, ending at a blank, a punctuation mark or the text's end.
fn value_after(b: &[u8], at: usize) -> Option<(usize, usize)> {
    let mut k = at;
    let skip = |k: &mut usize| {
        while *k < b.len() && matches!(b[*k], b' ' | b'\t') {
            *k += 1;
        }
    };
    skip(&mut k);
    if k < b.len() && matches!(b[k], b':' | b'=') {
        k += 1;
        skip(&mut k);
    }
    if k < b.len() && b[k] == b'@' {
        k += 1;
    }
    let start = k;
    while k < b.len() && b[k].is_ascii_alphabetic() {
        k += 1;
    }
    let whole_word = b
        .get(k)
        .is_none_or(|c| !c.is_ascii_alphanumeric() && *c != b'_');
    (whole_word && (MIN_LEN..=MAX_LEN).contains(&(k - start))).then_some((start, k))
}

/// Whether `word` (letters, one case) spells a person: a listed surname with up to three
/// letters before it or two after it, or a given name and a surname glued.
fn is_user_name(word: &[u8], lexicon: &Lexicon) -> bool {
    let one_case =
        word.iter().all(u8::is_ascii_lowercase) || word.iter().all(u8::is_ascii_uppercase);
    if !one_case || lexicon.flags(word) & NOT_A_NAME != 0 {
        return false;
    }
    let surname = |w: &[u8]| {
        w.len() >= MIN_SURNAME && {
            let f = lexicon.flags(w);
            f & flag::LAST != 0 && f & NOT_A_NAME == 0
        }
    };
    let n = word.len();
    (1..=3).any(|k| n > k && surname(&word[k..]))
        || (1..=2).any(|k| n > k && surname(&word[..n - k]))
        || (3..n.saturating_sub(MIN_SURNAME - 1)).any(|k| {
            let f = lexicon.flags(&word[..k]);
            f & flag::FIRST != 0 && f & NOT_A_NAME == 0 && surname(&word[k..])
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::lexicon::LexiconSources;
    use crate::patterns::Patterns;

    fn found(text: &str) -> Vec<&str> {
        let p = Patterns::builtin();
        let lex = Lexicon::build(&LexiconSources::of(&p)).expect("lexicon builds");
        cued_user_names(text, &lex)
            .iter()
            .map(|s| &text[s.start..s.end])
            .collect()
    }

    #[test]
    fn user_names_spelled_from_a_surname_after_a_cue_are_found() {
        assert_eq!(found("please reset login rthackeray today"), ["rthackeray"]);
        assert_eq!(found("signed in as rthackeray"), ["rthackeray"]);
        assert_eq!(found("acct thackerayr disabled"), ["thackerayr"]);
        assert_eq!(found("MyChart: rozthackeray"), ["rozthackeray"]);
        assert_eq!(found("userid RTHACKERAY locked"), ["RTHACKERAY"]);
        assert_eq!(found("login: rosalindthackeray"), ["rosalindthackeray"]);
    }

    #[test]
    fn words_after_a_cue_stay() {
        for text in [
            "login failed twice",
            "signed in as guest",
            "wheelchair user since 2019",
            "account balance due",
            "MyChart message sent",
            "user reported pain",
            "login Thackeray",
            "as in thackeray",
        ] {
            assert!(found(text).is_empty(), "{text}: {:?}", found(text));
        }
    }
}
