//! Words as the patient memory reads them: where they are in a text, and their folded form.
//!
//! Owns the one reading that both sides of the memory share: a remembered form
//! ([`super::forms`]) and a run of a note's words are folded the same way (lower case,
//! accents and ligatures folded, apostrophes dropped, hyphens and punctuation as word
//! breaks), so `Ibáñez`, `IBANEZ` and `ibanez` are one word, and `(555) 013-4567` reads as
//! the words `555 013 4567`.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Most words one remembered form may have (and so the longest run of a text looked up).
pub const MAX_WORDS: usize = 4;

/// Largest gap between two words of one run: `, `, `. `, `) ` but not a sentence apart.
pub const MAX_GAP: usize = 3;

/// One word of a text: its byte range there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Word {
    pub start: usize,
    pub end: usize,
}

/// The words of `text`, in order. A word is a run of letters and digits; an apostrophe
/// between letters stays inside it (`O'Neil`, `De'Andre`) unless it opens a possessive
/// (`Ines's`, `Gerald’s`), which ends the word before it.
pub fn words(text: &str) -> Vec<Word> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c.is_alphanumeric() {
            start.get_or_insert(i);
            continue;
        }
        let inner_apostrophe = is_apostrophe(c)
            && start.is_some()
            && chars.peek().is_some_and(|(_, n)| n.is_alphabetic())
            && !opens_possessive(&text[i + c.len_utf8()..]);
        if inner_apostrophe {
            continue;
        }
        if let Some(s) = start.take() {
            out.push(Word { start: s, end: i });
        }
    }
    if let Some(s) = start {
        out.push(Word {
            start: s,
            end: text.len(),
        });
    }
    out
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{02BC}')
}

/// `s` (what follows an apostrophe) is a possessive ending: `s` then no more letters.
fn opens_possessive(s: &str) -> bool {
    let mut c = s.chars();
    matches!(c.next(), Some('s' | 'S')) && !c.next().is_some_and(char::is_alphanumeric)
}

/// Appends the folded form of one word to `out`: lower case, accents and ligatures folded
/// to ASCII where Unicode decomposes them (and `ß`, `đ`, `ø`, `ł`, `æ`, `œ` that it does
/// not), apostrophes dropped.
pub fn fold_into(word: &str, out: &mut String) {
    if word.is_ascii() {
        out.extend(
            word.bytes()
                .filter(u8::is_ascii_alphanumeric)
                .map(|b| char::from(b.to_ascii_lowercase())),
        );
        return;
    }
    for c in word.nfkd() {
        if is_combining_mark(c) || is_apostrophe(c) {
            continue;
        }
        match c {
            'ß' => out.push_str("ss"),
            'đ' | 'Đ' | 'ð' | 'Ð' => out.push('d'),
            'ø' | 'Ø' => out.push('o'),
            'ł' | 'Ł' => out.push('l'),
            'æ' | 'Æ' => out.push_str("ae"),
            'œ' | 'Œ' => out.push_str("oe"),
            'þ' | 'Þ' => out.push_str("th"),
            'ı' => out.push('i'),
            c if c.is_alphanumeric() => out.extend(c.to_lowercase()),
            _ => {}
        }
    }
}

/// The folded words of a phrase joined by single spaces, as a text's run of the same
/// words is looked up; `None` for a phrase of no words or of more than [`MAX_WORDS`].
pub fn normalize(phrase: &str) -> Option<String> {
    let ws = words(phrase);
    if ws.is_empty() || ws.len() > MAX_WORDS {
        return None;
    }
    let mut out = String::with_capacity(phrase.len());
    for (i, w) in ws.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        fold_into(&phrase[w.start..w.end], &mut out);
    }
    Some(out)
}

/// The folded words of `phrase`, each on its own (for deriving forms word by word).
pub fn folded_words(phrase: &str) -> Vec<String> {
    words(phrase)
        .iter()
        .map(|w| {
            let mut s = String::new();
            fold_into(&phrase[w.start..w.end], &mut s);
            s
        })
        .filter(|s| !s.is_empty())
        .collect()
}

/// Whether a word at `start` opens a sentence or a line: nothing before it but spaces and
/// quotes back to the start of the text, a line break or a full stop (a title's stop, as
/// in `Dr. Rose`, does not count).
pub fn opens_sentence(text: &str, start: usize) -> bool {
    let before = text[..start].trim_end_matches([' ', '\t', '"', '(', '\u{201C}']);
    let Some(last) = before.chars().next_back() else {
        return true;
    };
    match last {
        '\n' | '\r' | '!' | '?' | ':' => true,
        '.' => !after_title(&before[..before.len() - 1]),
        _ => false,
    }
}

/// The text ends with a person's title (`Dr`, `Mrs`).
fn after_title(before: &str) -> bool {
    let word = before
        .rsplit(|c: char| !c.is_ascii_alphabetic())
        .next()
        .unwrap_or("");
    ["dr", "mr", "mrs", "ms", "mx", "miss", "prof"]
        .iter()
        .any(|t| word.eq_ignore_ascii_case(t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accents_and_ligatures_fold_to_the_plain_spelling() {
        assert_eq!(normalize("Ibáñez").as_deref(), Some("ibanez"));
        assert_eq!(normalize("IBANEZ"), normalize("ibáñez"));
        assert_eq!(normalize("Đorđević").as_deref(), Some("dordevic"));
        assert_eq!(normalize("Chloë Straße").as_deref(), Some("chloe strasse"));
        assert_eq!(
            normalize("Pádraig Ó Súilleabháin").as_deref(),
            Some("padraig o suilleabhain")
        );
    }

    #[test]
    fn apostrophes_stay_inside_names_and_possessives_end_them() {
        assert_eq!(normalize("De'Andre").as_deref(), Some("deandre"));
        assert_eq!(normalize("O’Neil").as_deref(), Some("oneil"));
        let t = "Ines's splint, Gerald’s daughter";
        let got: Vec<&str> = words(t).iter().map(|w| &t[w.start..w.end]).collect();
        assert_eq!(got, ["Ines", "s", "splint", "Gerald", "s", "daughter"]);
    }

    #[test]
    fn punctuation_and_hyphens_break_words() {
        assert_eq!(normalize("(555) 013-4567").as_deref(), Some("555 013 4567"));
        assert_eq!(
            normalize("Whitlock-Bayne").as_deref(),
            Some("whitlock bayne")
        );
        assert_eq!(normalize("a b c d e"), None);
        assert_eq!(normalize(" -- "), None);
    }

    #[test]
    fn sentence_openings_are_told_from_titles() {
        let t = "Seen today. Will call.\nRose ok; Dr. Rose said";
        let at = |w: &str, n: usize| t.match_indices(w).nth(n).map(|(i, _)| i).unwrap_or(0);
        assert!(opens_sentence(t, 0));
        assert!(opens_sentence(t, at("Will", 0)));
        assert!(opens_sentence(t, at("Rose", 0)));
        assert!(!opens_sentence(t, at("Rose", 1)));
        assert!(!opens_sentence(t, at("call", 0)));
    }
}
