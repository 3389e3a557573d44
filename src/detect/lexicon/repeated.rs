//! A name found once in a document is found wherever the document repeats it (issue 13).
//!
//! Owns the document-level pass over the words of one scan: a word inside a detected name
//! that is no vocabulary or cue word (`Ovadrakin`, `Ines`) is a name everywhere else the
//! same text writes it, in any case (`ovadrakin called`, `OVADRAKIN`). The rules and the
//! tagger each judge a word from its own sentence; a note that names its patient with a
//! title once and bare later (`Mrs Ovadrakin … ovadrakin states`) would otherwise leak the
//! bare one, most of all in one-case text where capitals cannot tell.

use super::words::Shape;
use super::{flag, LexHit, LexScratch, Lexicon};
use crate::phi::{PhiType, Span};

/// Flags that make a word ordinary vocabulary or a cue: never carried to its repeats (a
/// name span may hold a title or a common word: `Dr`, `Will`).
const NOT_CARRIED: u64 = super::unlisted::NOT_UNLISTED | flag::REGION | flag::NUMBERED;

/// The vocabulary flags a listed name may also have and still be carried, as a common-word
/// name (`Salmon`, `Rice`, `Sue`, `YOUNG`): repeated only as it was written, with a capital.
const COMMON_WORD: u64 = flag::ENGLISH | flag::COMMON | flag::VOCAB;

/// A word carried from a person's span to its repeats.
struct Carried<'t> {
    word: &'t [u8],
    ty: PhiType,
    /// For a common-word or three-letter name, the shape it was found in (see `COMMON_WORD`).
    shape: Option<Shape>,
    /// Found as a surname at least once: the last word of a span with no comma before it
    /// (`Sandra Salmon`), or the word before a span's comma (`Salmon, Sandra`).
    surname: bool,
    /// Found with a capital inside a whole name of two words or more (`Xanthia Boesch`): a
    /// word no list holds is then a name, and repeats in lower case too (`so xanthia
    /// said`). A word found in lower case is not evidence (`pt's carer Wendy`: a span
    /// that took a word too many would carry it to every `carer`).
    in_whole_name: bool,
}

/// Shortest word carried, in bytes: shorter ones are initials and abbreviations.
const MIN_CARRIED: usize = 4;

/// Most distinct words carried per document (a bound on the comparisons per word).
const MAX_CARRIED: usize = 64;

impl Lexicon {
    /// Every word of `text` (scanned last by `scratch`) outside `spans` that repeats, in any
    /// case, a carried word of a NAME or PROVIDER_NAME span; `spans` sorted, not overlapping.
    pub fn repeated_names(&self, text: &str, scratch: &LexScratch, spans: &[Span]) -> Vec<LexHit> {
        // Only a person's span is carried (below): without one there is nothing to repeat,
        // and most short values have none.
        if !spans
            .iter()
            .any(|s| matches!(s.ty, PhiType::Name | PhiType::ProviderName))
        {
            return Vec::new();
        }
        let b = text.as_bytes();
        // The scan that cut these words read the text's case already.
        let mixed = scratch.words.case().mixed();
        let mut carried: Vec<Carried> = Vec::new();
        let mut inside = vec![false; scratch.words.list().len()];
        let mut s = 0;
        // Whether span `.0` is a whole name of two words or more: judged once per span, not
        // once per word in it (a span of a thousand words was read a thousand times).
        let mut whole_of: Option<(usize, bool)> = None;
        for (k, w) in scratch.words.list().iter().enumerate() {
            while s < spans.len() && spans[s].end <= w.start {
                s += 1;
            }
            let Some(span) = spans.get(s).filter(|sp| sp.start < w.end) else {
                continue;
            };
            inside[k] = true;
            let stem = stem_of(&b[w.start..w.end]);
            let person = matches!(span.ty, PhiType::Name | PhiType::ProviderName);
            // The found word is evidence enough to repeat: a listed name, or a word of a name
            // of two words or more written as one (`Ovadrakin Pizosca`, spaces and hyphens
            // only). A lone word no list holds is as often a misspelling or a payer a rule
            // took (`ASSYMPTOMATIC`, `last meds`, `Frank Schröder. Medicare`): not carried.
            let whole = match whole_of {
                Some((at, whole)) if at == s => whole,
                _ => {
                    let whole = whole_name(&text[span.start..span.end]);
                    whole_of = Some((s, whole));
                    whole
                }
            };
            let written = w.flags & flag::NAME != 0 || whole;
            // `Patient: Salmon, Sandra … A: Salmon progressing`: a listed name that is also a
            // word is carried too, but only to repeats written as it was (see below).
            // Only in mixed-case text: in one case a word's capitals say nothing of it.
            let common = mixed
                && w.flags & flag::NAME != 0
                && w.flags & COMMON_WORD != 0
                && w.flags & (NOT_CARRIED & !COMMON_WORD) == 0
                && w.shape != Shape::Lower;
            // `Sue`, `Ann`: a listed name of three letters, found capitalised, is carried as a
            // common-word name is (to repeats written as it was): shorter than a carried
            // word, but an initial or an abbreviation is in no name list or is in capitals.
            let short = w.flags & flag::NAME != 0
                && w.flags & (NOT_CARRIED & !COMMON_WORD) == 0
                && w.shape == Shape::Cap
                && stem.len() == MIN_CARRIED - 1;
            // `get`: a word may reach past its span either side.
            let surname = w.end == span.end
                && b.get(span.start..w.start)
                    .is_some_and(|h| !h.contains(&b','))
                || b.get(w.end..span.end).is_some_and(|t| t.starts_with(b","));
            // A word carried already may be found as a surname again (`Sandra Salmon`).
            if let Some(c) = carried
                .iter_mut()
                .find(|c| c.word.eq_ignore_ascii_case(stem))
            {
                c.surname |= surname && person;
                c.in_whole_name |= whole && person && w.shape != Shape::Lower;
                continue;
            }
            if person
                && written
                && (w.flags & NOT_CARRIED == 0 || common || short)
                && (stem.len() >= MIN_CARRIED || short)
                && stem
                    .iter()
                    .all(|c| c.is_ascii_alphabetic() || *c >= 0x80 || *c == b'\'')
                && carried.len() < MAX_CARRIED
            {
                carried.push(Carried {
                    word: stem,
                    ty: span.ty,
                    shape: (w.flags & NOT_CARRIED != 0 || short).then_some(w.shape),
                    surname,
                    in_whole_name: whole && w.shape != Shape::Lower,
                });
            }
        }
        let mut out = repeated_whole_names(text, spans);
        if carried.is_empty() {
            return out;
        }
        for (k, w) in scratch.words.list().iter().enumerate() {
            if inside[k] {
                continue;
            }
            let stem = stem_of(&b[w.start..w.end]);
            let found = carried.iter().find(|c| c.word.eq_ignore_ascii_case(stem));
            if let Some(c) = found {
                // In mixed-case text a lower-case repeat of a word no list holds, or of a
                // rare list entry, is as often the ordinary word (`Ballon pump … ballon
                // site`); a popular name repeats in any case (`Ines … spoke with ines`), and
                // so does a word no vocabulary holds that was found inside a whole name of
                // two words or more (`Patient: Xanthia Boesch … so xanthia said`).
                let lower_ok = w.flags & flag::POPULAR != 0 || c.in_whole_name && c.shape.is_none();
                if mixed && w.shape == Shape::Lower && !lower_ok {
                    continue;
                }
                if c.shape
                    .is_some_and(|sh| !self.common_word_repeat(b, scratch, k, sh, c.surname))
                {
                    continue;
                }
                out.push(LexHit {
                    start: w.start,
                    end: w.start + stem.len(),
                    ty: c.ty,
                });
            }
        }
        out
    }

    /// Word `k` repeats a common-word or three-letter name found written with shape `shape`
    /// (see `COMMON_WORD`): it is the name only written the same way, never in lower case,
    /// not as an eponym (`Young's modulus`, `Price syndrome`: a head word after it), not
    /// before a number (`Jan 25`), not opening a sentence or a bullet, and right after a
    /// label's colon only a name found as a surname (`surname`).
    fn common_word_repeat(
        &self,
        b: &[u8],
        scratch: &LexScratch,
        k: usize,
        shape: Shape,
        surname: bool,
    ) -> bool {
        let words = scratch.words.list();
        let w = &words[k];
        let eponym = words
            .get(k + 1)
            .is_some_and(|n| n.flags & flag::EPONYM_HEAD != 0);
        // `Jan 25`, `May 3`: a month before its day, not the name.
        let after = &b[w.end..];
        let after = after.strip_prefix(b" ").unwrap_or(after);
        let dated = after.first().is_some_and(u8::is_ascii_digit);
        // `Young patients …`, `- Price list`: a sentence's or a bullet's first word has its
        // capital from its place, not from being a name.
        let before = b[..w.start].trim_ascii_end();
        let opening = match before.last() {
            None | Some(b'.' | b'!' | b'?' | b'\n' | b'\r') => true,
            Some(b'-' | b'*') => {
                let rest = before[..before.len() - 1].trim_ascii_end();
                rest.is_empty() || rest.ends_with(b"\n")
            }
            // `Assessment: Mark the calendar`, `A: Hope to progress`, `A: Grace period`: after
            // a label a given name that is also a word opens a phrase as often as it names
            // someone; a name found as a surname is the note's subject there (`Sandra Salmon
            // … A: Salmon progressing`), as note headers name a patient by surname.
            Some(b':') => !surname,
            _ => false,
        };
        w.shape == shape && shape != Shape::Lower && !eponym && !dated && !opening
    }
}

/// Most words of a whole name repeated as a phrase (a span longer than this is a run of
/// words a rule took, not one person's name).
const MAX_PHRASE_WORDS: usize = 4;

/// `Patient: Hope Walker … Hope Walker ambulated`, `son Miles Ward … Miles Ward called`:
/// every place outside `spans` where the text repeats, in any case and between word
/// boundaries, a person's span of two to four words written as one name. The words one by
/// one may be English (`Hope`, `Walker`, `Ward`) and are then carried to their repeats only
/// with care; the two together, found once as a person, are that person again.
fn repeated_whole_names(text: &str, spans: &[Span]) -> Vec<LexHit> {
    let mut phrases: Vec<(String, PhiType)> = Vec::new();
    for s in spans {
        if !matches!(s.ty, PhiType::Name | PhiType::ProviderName) {
            continue;
        }
        let Some(found) = text.get(s.start..s.end) else {
            continue;
        };
        let found = found.trim();
        let words = found.split(' ').filter(|w| !w.is_empty()).count();
        // Each word a word of its own (`Ng` in `Ng Thi` too): a span of single letters is
        // initials, and the phrase must read as the name and nothing shorter.
        let worded = found
            .split(' ')
            .filter(|w| !w.is_empty())
            .all(|w| w.len() >= 2);
        if whole_name(found) && (2..=MAX_PHRASE_WORDS).contains(&words) && worded {
            let phrase = found.to_ascii_lowercase();
            if !phrases.iter().any(|(p, _)| *p == phrase) && phrases.len() < MAX_CARRIED {
                phrases.push((phrase, s.ty));
            }
        }
    }
    let mut out = Vec::new();
    if phrases.is_empty() {
        return out;
    }
    let lower = text.to_ascii_lowercase();
    let b = lower.as_bytes();
    for (phrase, ty) in &phrases {
        let mut from = 0;
        while let Some(at) = lower.get(from..).and_then(|t| t.find(phrase.as_str())) {
            let start = from + at;
            let end = start + phrase.len();
            from = end;
            let bounded = start.checked_sub(1).is_none_or(|p| !is_word_byte(b[p]))
                && b.get(end).is_none_or(|c| !is_word_byte(*c));
            // A repeat the spans hold whole is found already; one they hold in part
            // (`NAME_… Walker`) is grown to the whole name by the merge.
            let covered = spans.iter().any(|s| s.start <= start && end <= s.end);
            if bounded && !covered {
                out.push(LexHit {
                    start,
                    end,
                    ty: *ty,
                });
            }
        }
    }
    out
}

/// A byte that continues a word: a letter, a digit, or any byte of a non-ASCII letter.
fn is_word_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c >= 0x80
}

/// `found` (a span's text) is a name of two words or more written as one: letters, spaces,
/// hyphens and apostrophes only.
fn whole_name(found: &str) -> bool {
    let found = found.trim();
    found.contains(' ')
        && found
            .bytes()
            .all(|c| c.is_ascii_alphabetic() || c >= 0x80 || matches!(c, b' ' | b'-' | b'\''))
}

/// A word without its possessive `'s` (`Ovadrakin's`).
fn stem_of(word: &[u8]) -> &[u8] {
    match word
        .strip_suffix(b"'s")
        .or_else(|| word.strip_suffix(b"'S"))
    {
        Some(stem) if stem.len() >= MIN_CARRIED => stem,
        _ => word,
    }
}

#[cfg(test)]
mod tests {
    use crate::detect::Detector;
    use crate::patterns::Patterns;

    use super::super::detected_strings as found;

    #[test]
    fn a_word_of_a_whole_name_is_found_where_the_note_repeats_it() {
        let d = Detector::build(&Patterns::builtin()).expect("built-in patterns");
        let t = "DAUGHTER GRETA VOLKRANSKI VISITED. PLAN REVIEWED WITH VOLKRANSKI.";
        let f = found(&d, t);
        assert_eq!(
            f.iter().filter(|x| x.contains("VOLKRANSKI")).count(),
            2,
            "{f:?}"
        );
    }

    #[test]
    fn a_lower_case_repeat_of_a_rare_word_in_mixed_text_stays() {
        let d = Detector::build(&Patterns::builtin()).expect("built-in patterns");
        let t = "Ballon pump to right femoral site. Right groin with ballon insertion site.";
        let f = found(&d, t);
        assert!(!f.iter().any(|x| x.contains("ballon")), "{f:?}");
    }

    #[test]
    fn an_unlisted_word_of_a_capitalised_whole_name_repeats_in_lower_case() {
        let d = Detector::build(&Patterns::builtin()).expect("built-in patterns");
        let t = "Patient: Xanthia Boesch. Seen today; so xanthia said the splint fits.";
        let f = found(&d, t);
        assert!(f.iter().any(|x| x == "xanthia"), "{f:?}");
    }

    /// A whole name found once as a person is found where the note repeats it, though each
    /// of its words is an English word (red team 58 R3).
    #[test]
    fn a_whole_name_of_english_words_is_found_where_the_note_repeats_it() {
        let d = Detector::build(&Patterns::builtin()).expect("built-in patterns");
        for (t, name) in [
            (
                "Patient: Hope Walker\nPain 3/10. Later Hope Walker ambulated 100 ft.",
                "Hope Walker ambulated",
            ),
            (
                "Spoke w/ pt's son Miles Ward re: d/c plan.\nMiles Ward called re: DME.",
                "Miles Ward called",
            ),
        ] {
            let f = found(&d, t);
            let at = t.find(name).expect("repeat in text");
            let mut s = d.scratch();
            let spans = d.scan(t, None, &mut s);
            let whole = &name[..name.rfind(' ').unwrap_or(name.len())];
            assert!(
                spans
                    .iter()
                    .any(|x| x.start <= at && at + whole.len() <= x.end),
                "{t}: {f:?}"
            );
        }
        // Never found as a person: the words repeat only as words.
        let t = "Walker in place. We hope to progress. Ward round at 9.";
        assert!(found(&d, t).is_empty(), "{:?}", found(&d, t));
    }
}
