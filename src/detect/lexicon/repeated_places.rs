//! A place found once in a document is found wherever the document repeats it (issue 13).
//!
//! Owns the document-level pass for towns, streets and facilities: the words of a
//! detected LOCATION span, and the pieces of an ADDRESS span between its commas and numbers
//! (`Oak Hollow` of `18 Birchwood Lane, Oak Hollow`), are a place everywhere else the same
//! text writes them (`Oak Hollow is rural`, `Brightwater staff called`). Each detector
//! judges a place from its own sentence; a town read once inside an address or after `lives
//! in` is bare later, and the scorer (and any reader) finds the bare one.
//!
//! Names have their own pass (`repeated`): a person's words need the name lists' evidence,
//! a place's words need less, as a whole phrase of two words or more that a detector read
//! as a place is that place wherever it repeats.

use std::ops::Range;

use super::words::{Shape, Word};
use super::{flag, LexHit, LexScratch, Lexicon};
use crate::phi::{PhiType, Span};

/// Flags that make a word ordinary vocabulary, a cue or a region: never carried alone
/// (`Bay`, `Hospital`, `MA`), only inside a phrase of two words or more.
const NOT_CARRIED_ALONE: u64 = super::unlisted::NOT_UNLISTED | flag::REGION | flag::NUMBERED;

/// Words that open a place's span without being part of its name (`the Bay`).
const LEADING: u64 = flag::STOP | flag::DETERMINER | flag::PLACE_PREP;

/// Shortest single word carried, in bytes: shorter ones are abbreviations.
const MIN_CARRIED: usize = 4;

/// Most distinct phrases carried per document (a bound on the comparisons per word).
const MAX_CARRIED: usize = 32;

/// Longest phrase carried, in words: longer spans are runs a detector took whole.
const MAX_PHRASE: usize = 4;

impl Lexicon {
    /// Every run of words of `text` (scanned last by `scratch`) outside `spans` that repeats
    /// a carried phrase of a LOCATION or ADDRESS span, as a LOCATION; `spans` sorted, not
    /// overlapping.
    pub fn repeated_places(&self, text: &str, scratch: &LexScratch, spans: &[Span]) -> Vec<LexHit> {
        if !spans
            .iter()
            .any(|s| matches!(s.ty, PhiType::Location | PhiType::Address))
        {
            return Vec::new();
        }
        let b = text.as_bytes();
        let words = scratch.words.list();
        let mixed = scratch.words.case().mixed();
        let (carried, inside) = carried_places(b, words, spans, mixed);
        let mut out = Vec::new();
        if carried.is_empty() {
            return out;
        }
        let mut k = 0;
        while k < words.len() {
            let found = carried
                .iter()
                .find(|p| repeats_at(b, words, &inside, p, k, mixed));
            match found {
                Some(p) => {
                    let last = k + p.len() - 1;
                    out.push(LexHit {
                        start: words[k].start,
                        end: words[last].end,
                        ty: PhiType::Location,
                    });
                    k = last + 1;
                }
                None => k += 1,
            }
        }
        out
    }
}

/// The phrases (word index ranges) carried from the place spans, longest first so that a
/// repeat of the whole phrase wins over one of its words; and which words lie in a span.
fn carried_places(
    b: &[u8],
    words: &[Word],
    spans: &[Span],
    mixed: bool,
) -> (Vec<Range<usize>>, Vec<bool>) {
    let mut carried: Vec<Range<usize>> = Vec::new();
    let mut inside = vec![false; words.len()];
    for span in spans {
        let first = words.partition_point(|w| w.end <= span.start);
        let last = first + words[first..].partition_point(|w| w.start < span.end);
        inside[first..last].fill(true);
        if !matches!(span.ty, PhiType::Location | PhiType::Address) {
            continue;
        }
        // The words wholly inside: a span may start or end within a word.
        let whole = |w: &Word| w.start >= span.start && w.end <= span.end;
        let from = first + words[first..last].iter().take_while(|w| !whole(w)).count();
        let to = last
            - words[from..last]
                .iter()
                .rev()
                .take_while(|w| !whole(w))
                .count();
        let within = from..to;
        for piece in pieces(b, words, within) {
            carry(b, words, piece, mixed, &mut carried);
        }
    }
    carried.sort_by_key(|p| std::cmp::Reverse(p.len()));
    (carried, inside)
}

/// The pieces of a place span's words: runs set apart by spaces or hyphens only, a comma,
/// a line break or a number (`22`, `NW8`) ending one. A run after a sentence's or a
/// field's punctuation (`GA. Jebsen-Taylor`, `Town: Ely`) is left: a span that reached past
/// one was grown too far, and its tail is no part of the place.
fn pieces(b: &[u8], words: &[Word], within: Range<usize>) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut piece: Option<Range<usize>> = None;
    let mut cut = false;
    for k in within.clone() {
        let w = &words[k];
        let gap = (k > within.start).then(|| &b[words[k - 1].end..w.start]);
        if !gap.is_some_and(plain_gap) {
            if let Some(p) = piece.take() {
                out.push(p);
            }
            cut |= gap.is_some_and(|g| g.iter().any(|c| b".;:!?()[]{}|".contains(c)));
        }
        if cut || b[w.start..w.end].iter().any(u8::is_ascii_digit) {
            if let Some(p) = piece.take() {
                out.push(p);
            }
            continue;
        }
        match piece.as_mut() {
            Some(p) => p.end = k + 1,
            None => piece = Some(k..k + 1),
        }
    }
    out.extend(piece);
    out
}

/// Carries piece `p` (its leading stop words dropped) as a phrase, and each word of it that
/// no vocabulary holds as a phrase of its own (`Brightwater` of `Brightwater Memorial
/// Hospital`).
fn carry(b: &[u8], words: &[Word], p: Range<usize>, mixed: bool, carried: &mut Vec<Range<usize>>) {
    let mut p = p;
    while p.start < p.end && words[p.start].flags & LEADING != 0 {
        p.start += 1;
    }
    // `Oak Hollow MA`: the state after a town is the scorer's and Safe Harbor's to keep.
    while p.start < p.end && words[p.end - 1].flags & flag::REGION != 0 {
        p.end -= 1;
    }
    if p.is_empty() || p.len() > MAX_PHRASE {
        return;
    }
    if p.len() > 1 {
        // A phrase of ordinary words in lower case (`good effect` misread) is no name of a
        // place: in mixed-case text a place's words are capitalised.
        let named = !mixed || p.clone().all(|k| words[k].shape != Shape::Lower);
        if named {
            push_once(b, words, p.clone(), carried);
        }
    }
    for k in p {
        let w = &words[k];
        if w.flags & NOT_CARRIED_ALONE == 0
            && w.end - w.start >= MIN_CARRIED
            && (!mixed || w.shape != Shape::Lower)
        {
            push_once(b, words, k..k + 1, carried);
        }
    }
}

/// Adds `p` unless a phrase of the same words (any case) is carried already.
fn push_once(b: &[u8], words: &[Word], p: Range<usize>, carried: &mut Vec<Range<usize>>) {
    let same = |q: &Range<usize>| {
        q.len() == p.len()
            && q.clone().zip(p.clone()).all(|(x, y)| {
                b[words[x].start..words[x].end]
                    .eq_ignore_ascii_case(&b[words[y].start..words[y].end])
            })
    };
    if carried.len() < MAX_CARRIED && !carried.iter().any(same) {
        carried.push(p);
    }
}

/// Whether the words from `k` repeat phrase `p` outside every span: the same words in any
/// case, set apart by spaces or hyphens only; in mixed-case text a single word is a repeat
/// only written with a capital (`Brightwater`, not a lower-case word that shares it).
fn repeats_at(
    b: &[u8],
    words: &[Word],
    inside: &[bool],
    p: &Range<usize>,
    k: usize,
    mixed: bool,
) -> bool {
    let n = p.len();
    if k + n > words.len() || p.contains(&k) {
        return false;
    }
    if p.len() == 1 && mixed && words[k].shape == Shape::Lower {
        return false;
    }
    (0..n).all(|i| {
        let (w, c) = (&words[k + i], &words[p.start + i]);
        !inside[k + i]
            && b[w.start..w.end].eq_ignore_ascii_case(&b[c.start..c.end])
            && (i == 0 || plain_gap(&b[words[k + i - 1].end..w.start]))
    })
}

/// A gap between two words of one name: spaces, tabs or a hyphen, nothing else.
fn plain_gap(gap: &[u8]) -> bool {
    !gap.is_empty() && gap.iter().all(|c| matches!(c, b' ' | b'\t' | b'-'))
}

#[cfg(test)]
mod tests {
    use crate::detect::Detector;
    use crate::patterns::Patterns;

    use super::super::detected_strings as found;

    #[test]
    fn a_town_read_in_an_address_is_found_where_the_text_repeats_it() {
        let d = Detector::build(&Patterns::builtin()).expect("built-in patterns");
        let t =
            "Address: 18 Birchwood Lane, Oak Hollow, MA 01730. She walks around Oak Hollow daily.";
        let f = found(&d, t);
        assert_eq!(
            f.iter().filter(|x| x.contains("Oak Hollow")).count(),
            2,
            "{f:?}"
        );
    }

    #[test]
    fn a_capitalised_repeat_of_an_unlisted_town_is_found_and_a_lower_case_one_stays() {
        let d = Detector::build(&Patterns::builtin()).expect("built-in patterns");
        // In mixed-case text a lower-case repeat of a word no list holds is as often an
        // ordinary word that shares it: only repeats written with a capital are carried.
        let t = "Moved from Quarrington last year. The quarrington bus runs hourly; \
                 Quarrington has a clinic.";
        let f = found(&d, t);
        assert_eq!(f.iter().filter(|x| *x == "Quarrington").count(), 2, "{f:?}");
        assert!(!f.iter().any(|x| x.contains("quarrington")), "{f:?}");
    }
}
