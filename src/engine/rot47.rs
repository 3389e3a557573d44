//! Words written in ROT47 (`#@D2=:?5 %924<6C2J` is `Rosalind Thackeray`, `|#cc`_gaf` is
//! `MR4410827`): every printable ASCII character 47 places on, so letters and digits
//! become punctuation and the detector reads nothing.
//!
//! Owns telling such words from ordinary ones and writing the view the detector reads
//! instead. The sign is a word of punctuation and letters whose turn is a word or an
//! identifier: letters of one case or capitalised, digits, and the marks of an e-mail
//! address; ordinary words hold no punctuation, and ordinary words with punctuation
//! (`q4h.`, `(2/10)`, `1961-08-23`) turn into brackets and carets. Each word is turned in
//! its own place, so a span of the view is the same span of the text.

use std::ops::Range;

/// Fewest characters in a word taken for ROT47 alone.
const MIN_WORD: usize = 4;
/// Fewest characters in a word taken for ROT47 next to a longer one (`#5` is `Rd`).
const MIN_SHORT_WORD: usize = 2;

/// `b` 47 places on among the printable ASCII characters (`!` to `~`).
fn rot47(b: u8) -> u8 {
    match b {
        b'!'..=b'~' => b'!' + (b - b'!' + 47) % 94,
        _ => b,
    }
}

/// The view of `text` with its ROT47 words turned back, and where they are; `None` when
/// it holds none.
pub fn view(text: &str) -> Option<(String, Vec<Range<usize>>)> {
    let b = text.as_bytes();
    // Most texts hold no strong word: one pass over the words finds that out.
    let any_strong = b
        .split(u8::is_ascii_whitespace)
        .any(|w| turned_word(trimmed(w)) == Turned::Strong);
    if !any_strong {
        return None;
    }
    // Every word: where it is, and whether it reads turned.
    let mut words: Vec<(Range<usize>, Turned)> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() {
            i += 1;
        }
        let end = start + trimmed(&b[start..i]).len();
        words.push((start..end, turned_word(&b[start..end])));
    }
    // Strong words, and the weak words next to a turned one, on either side, in a run.
    let mut on: Vec<bool> = words.iter().map(|(_, t)| *t == Turned::Strong).collect();
    for k in 1..words.len() {
        on[k] |= on[k - 1] && words[k].1 == Turned::Weak;
    }
    for k in (0..words.len().saturating_sub(1)).rev() {
        on[k] |= on[k + 1] && words[k].1 == Turned::Weak;
    }
    let turned: Vec<Range<usize>> = words
        .iter()
        .zip(&on)
        .filter(|(_, on)| **on)
        .map(|((r, _), _)| r.clone())
        .collect();
    if turned.is_empty() {
        return None;
    }
    let mut out = b.to_vec();
    for r in &turned {
        out[r.clone()].iter_mut().for_each(|c| *c = rot47(*c));
    }
    // Only ASCII bytes were turned, into ASCII: the view is still UTF-8.
    String::from_utf8(out).ok().map(|v| (v, turned))
}

/// `w` without a sentence's stop after it (ROT47 writes `,` as `[`: a `,` is no part of
/// the word).
fn trimmed(w: &[u8]) -> &[u8] {
    let end = w
        .iter()
        .rposition(|c| !matches!(c, b',' | b';' | b':' | b')'))
        .map_or(0, |p| p + 1);
    &w[..end]
}

/// How surely a word is ROT47.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Turned {
    No,
    /// Its turn reads, but it is short (`#5`), has one mark only (`pt's`), or is a word in
    /// brackets or quotes as written (`(97760)`, `(aged`, `"F2CCJ`): turned only beside a
    /// [`Turned::Strong`] word.
    Weak,
    Strong,
}

/// Whether a word's ROT47 reads as a word, a number or an identifier: it holds a mark no
/// word holds, and its turn holds letters or digits, no marks but `.`, `-`, `_`, `@`, each
/// run of letters in one case or capitalised.
fn turned_word(w: &[u8]) -> Turned {
    // One mark over and over is a form's blank or a rule (`______` turns into `000000`,
    // `=====` into `lllll`): read turned, a blank after `MRN:` became an MRN.
    if w.len() < MIN_SHORT_WORD
        || !w.iter().all(u8::is_ascii_graphic)
        || w.iter().all(u8::is_ascii_alphanumeric)
        || w.iter().all(|&c| c == w[0])
    {
        return Turned::No;
    }
    // One pass over the turn, allocating nothing: its marks, digits and runs of letters
    // (each of one case or capitalised; the longest).
    let (mut digits, mut longest, mut run, mut cased) = (0, 0, 0, true);
    let (mut run_upper, mut run_lower_tail) = (true, true);
    for c in w.iter().map(|&c| rot47(c)) {
        if c.is_ascii_alphabetic() {
            if run == 0 {
                run_upper = true;
                run_lower_tail = true;
            } else {
                run_lower_tail &= c.is_ascii_lowercase();
            }
            run_upper &= c.is_ascii_uppercase();
            run += 1;
            longest = longest.max(run);
            continue;
        }
        // A run of letters ends: one case, or a capital and lower case after it.
        cased &= run == 0 || run_upper || run_lower_tail;
        run = 0;
        if c.is_ascii_digit() {
            digits += 1;
        } else if !matches!(c, b'.' | b'-' | b'_' | b'@') {
            return Turned::No;
        }
    }
    cased &= run == 0 || run_upper || run_lower_tail;
    // A turned word or name has a run of two letters (`Rd`, `MR`), or is a number of three
    // digits or more: `a+b=c` turns into `2Z3l4`.
    if !cased || !(longest >= 2 || (longest == 0 && digits >= 3)) {
        return Turned::No;
    }
    let t: Vec<u8> = w.iter().map(|&c| rot47(c)).collect();
    if !reads_turned(&t) {
        return Turned::No;
    }
    // One opening and one closing bracket or quote around a word are as written.
    let inner = match w {
        [b'(' | b'[' | b'"' | b'\'', rest @ ..] => rest,
        _ => w,
    };
    let inner = match inner {
        [rest @ .., b')' | b']' | b'"' | b'\''] => rest,
        _ => inner,
    };
    // Two marks at least: one is an apostrophe or a stray sign as often (`pt's` turns
    // into `AEVD`).
    let marks = inner.iter().filter(|c| !c.is_ascii_alphanumeric()).count();
    if w.len() < MIN_WORD || marks < 2 {
        Turned::Weak
    } else {
        Turned::Strong
    }
}

/// A turn shaped like what is written in ROT47 to hide it: a word in lower case or
/// capitalised (`Rosalind`, `Rd`), a number (`4471`), a number with dashes or dots
/// (`413-555-0172`), a record number (`MR4410827`) or an e-mail address. Clinical shorthand
/// turns into mixed shapes (`Ca++` is `r2ZZ`, `today??` is `E@52Jnn`, `****` is `YYYY`).
fn reads_turned(t: &[u8]) -> bool {
    let letters = t.iter().filter(|c| c.is_ascii_alphabetic()).count();
    let digits = t.iter().filter(|c| c.is_ascii_digit()).count();
    let word = letters == t.len()
        && (t.iter().all(u8::is_ascii_lowercase)
            || (t[0].is_ascii_uppercase() && t[1..].iter().all(u8::is_ascii_lowercase)));
    let number = digits == t.len() && digits >= 3;
    let grouped = digits >= 7
        && t.iter()
            .all(|c| c.is_ascii_digit() || matches!(c, b'-' | b'.'));
    let prefix = t.iter().take_while(|c| c.is_ascii_uppercase()).count();
    let record = (1..=4).contains(&prefix)
        && t.len() - prefix >= 4
        && t[prefix..].iter().all(u8::is_ascii_digit);
    let email = t.iter().filter(|&&c| c == b'@').count() == 1
        && t.first().is_some_and(u8::is_ascii_alphanumeric)
        && t.last().is_some_and(u8::is_ascii_alphabetic)
        && t.iter().skip_while(|&&c| c != b'@').any(|&c| c == b'.');
    word || number || grouped || record || email
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rot47_words_are_turned_in_place() {
        let (v, turned) = view("Pt #@D2=:?5 %924<6C2J seen, |#cc`_gaf").expect("turned");
        assert_eq!(v, "Pt Rosalind Thackeray seen, MR4410827");
        assert_eq!(turned.len(), 3);
        let (v, _) = view("at ccf` \"F2CCJ w@==@H #5, ok").expect("turned");
        assert_eq!(v, "at 4471 Quarry Hollow Rd, ok");
    }

    #[test]
    fn ordinary_text_is_not_turned() {
        for plain in [
            "seen today for grip strength (2/10), q4h. 1961-08-23 BP 120/80",
            "pain 6/10; ROM 120-130; x2, f/u prn.",
            "{\"note\":\"ok\"} <b>x</b> a+b=c 50% @home",
            "MR4410827 NAME_7K3F9Q2MXA",
            "room #5 bed 2; see #12 (x3)",
            "training (97760) x 2 units, 17 min",
            "Mrs. Smith (aged over 89) is; Acct #: 4410827",
            "\"quoted\" words ('single') [97535]",
            "Heath Care Proxy is pt's daughter.",
            "MRN: ______ Plate: ______ DOB: __/__/____",
            "=====  *****  ~~~~~~",
        ] {
            assert!(view(plain).is_none(), "{plain}");
        }
    }
}
