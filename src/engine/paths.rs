//! Paths written in free text: `emr.example/patients/4410827/chart`, `/patients/4410827/thackeray`,
//! `ref 4410827/5520931` (red team 51, G11).
//!
//! Owns [`path_words`], the words of a text that are paths without a scheme. A URL with a
//! scheme is read whole by the URL rules, and a structured value that is a path is read
//! with its separators as blanks ([`super::Engine::scan_path_words`]); a path inside a
//! sentence was read as one word, and the digit-run rule does not start after a `/` (a
//! date's or a fraction's separator), so a record number or a surname glued into a path
//! crossed. Such a word is read piece by piece the way a path value is.
//!
//! A word is a path when it holds a `/` and no `://`, and one of: it starts with `/` and has
//! two pieces or more (`/patients/4410827`); its first piece is a host name or an IPv4
//! address (`emr.example/p/4410827`); it has three pieces or more, one with a letter; or a
//! piece is a run of seven digits or more (`4410827/5520931`). Dates, fractions, ratios,
//! units and clinical shorthand (`08/23/1961`, `5/6`, `120/80`, `mg/dL`, `s/p`, `and/or`)
//! are none of these.

/// Digits from which a piece alone is a record number (the bare-run rule's threshold).
const MIN_RECORD_DIGITS: usize = 7;

/// Longest word read as a path.
const MAX_PATH_WORD: usize = 512;

/// The byte ranges of `text`'s words that are paths (see the module header), without the
/// punctuation a sentence puts around a word.
pub(super) fn path_words(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let b = text.as_bytes();
    // Only a word that holds a `/` may be a path (`is_path`; the punctuation trimmed off a
    // word is never one): words are found from their slashes, and the words of prose
    // between them are not cut (issue 19). A `/` is one byte of no other character.
    let mut from = 0;
    while let Some(k) = memchr::memchr(b'/', &b[from..]) {
        let slash = from + k;
        let start = text[..slash]
            .char_indices()
            .rev()
            .find(|&(_, c)| c.is_whitespace())
            .map_or(0, |(i, c)| i + c.len_utf8());
        let end = text[slash..]
            .char_indices()
            .find(|&(_, c)| c.is_whitespace())
            .map_or(text.len(), |(i, _)| slash + i);
        if let Some(range) = trimmed(text, start, end).filter(|&(a, b)| is_path(&text[a..b])) {
            out.push(range);
        }
        from = end;
    }
    out
}

/// `start..end` without the sentence's punctuation around the word.
fn trimmed(text: &str, start: usize, end: usize) -> Option<(usize, usize)> {
    let word = &text[start..end];
    let outer = |c: char| {
        matches!(
            c,
            '.' | ',' | ';' | ':' | '(' | ')' | '"' | '\'' | '<' | '>' | '[' | ']' | '!' | '?'
        )
    };
    let lead = word.len() - word.trim_start_matches(outer).len();
    let kept = word.trim_matches(outer);
    (!kept.is_empty()).then(|| (start + lead, start + lead + kept.len()))
}

/// Whether a word (no blank in it) is a path without a scheme.
fn is_path(word: &str) -> bool {
    if word.len() > MAX_PATH_WORD || !word.contains('/') || word.contains("://") {
        return false;
    }
    let pieces: Vec<&str> = word.split('/').filter(|p| !p.is_empty()).collect();
    if pieces.len() < 2 {
        return false;
    }
    let rooted = word.starts_with('/');
    let hosted = !rooted && is_host(pieces[0]);
    // Two pieces at least that are words (`patients/thackeray/notes`), not settings or
    // doses (`AC/40/450/10/14`, `150cc/hr-D51/2NS`, `mL/min/1.73m2`).
    let lettered = pieces.len() >= 3
        && pieces
            .iter()
            .filter(|p| p.len() >= 3 && p.bytes().all(|b| b.is_ascii_alphabetic()))
            .count()
            >= 2;

    let record = pieces
        .iter()
        .any(|p| longest_digit_run(p) >= MIN_RECORD_DIGITS);
    rooted || hosted || lettered || record
}

/// A host name in lower case (`emr.example`, `portal.clinic.example`; not a dose such as
/// `D5.NS`) or an IPv4 address.
fn is_host(piece: &str) -> bool {
    let labels: Vec<&str> = piece.split('.').collect();
    if labels.len() < 2 || labels.iter().any(|l| l.is_empty()) {
        return false;
    }
    let label_chars = |l: &&str| {
        l.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    };
    if !labels.iter().all(label_chars) {
        return false;
    }
    let ipv4 = labels.len() == 4
        && labels
            .iter()
            .all(|l| l.len() <= 3 && l.bytes().all(|b| b.is_ascii_digit()));
    let tld = labels
        .last()
        .is_some_and(|l| l.len() >= 2 && l.bytes().all(|b| b.is_ascii_alphabetic()));
    ipv4 || tld
}

fn longest_digit_run(s: &str) -> usize {
    s.split(|c: char| !c.is_ascii_digit())
        .map(str::len)
        .max()
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(text: &str) -> Vec<&str> {
        path_words(text)
            .into_iter()
            .map(|(a, b)| &text[a..b])
            .collect()
    }

    /// [`path_words`] as it was: every blank-separated word cut and tried.
    fn path_words_of_every_word(text: &str) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut start = None;
        for (i, c) in text
            .char_indices()
            .chain(std::iter::once((text.len(), ' ')))
        {
            match (c.is_whitespace(), start) {
                (false, None) => start = Some(i),
                (true, Some(s)) => {
                    if let Some(range) = trimmed(text, s, i).filter(|&(a, b)| is_path(&text[a..b]))
                    {
                        out.push(range);
                    }
                    start = None;
                }
                _ => {}
            }
        }
        out
    }

    /// Words found from their slashes are the paths found by trying every word: at the
    /// text's ends, between other blanks (a no-break space, a line separator), after
    /// punctuation, and in words with several slashes.
    #[test]
    fn paths_found_from_slashes_are_those_of_every_word() {
        let texts = [
            "",
            "/",
            "no slash here",
            "/patients/4410827/thackeray",
            "see emr.example/patients/4410827/chart, then open /patients/4410827/thackeray.",
            "(/a/b/c)\u{a0}ref 4410827/5520931\u{2028}x/y/zz\tpat/ients/home/",
            "BP 120/80, mg/dL s/p and/or 08/23/1961 //// a//b//c",
            "Åsa/Öztürk/records/4410827 é/émr.example/p/q\n\u{3000}/x/yyy/zzz",
            "ends in a path: portal.clinic.example/p/4410827",
        ];
        for t in texts {
            assert_eq!(path_words(t), path_words_of_every_word(t), "{t:?}");
        }
        assert_eq!(
            path_words("x /a/b/c y").len(),
            1,
            "a rooted path is found (the test can fail)"
        );
    }

    #[test]
    fn paths_without_a_scheme_are_found_in_sentences() {
        assert_eq!(
            paths("see emr.example/patients/4410827/chart, then open /patients/4410827/thackeray."),
            [
                "emr.example/patients/4410827/chart",
                "/patients/4410827/thackeray"
            ]
        );
        assert_eq!(
            paths("ref 4410827/5520931 and row: 4135550172/19610823"),
            ["4410827/5520931", "4135550172/19610823"]
        );
        assert_eq!(paths("see patients/4410827 today"), ["patients/4410827"]);
        assert_eq!(
            paths("see 10.44.108.27/p/4410827"),
            ["10.44.108.27/p/4410827"]
        );
        assert_eq!(
            paths("(portal.clinic.example/u/rthackeray)"),
            ["portal.clinic.example/u/rthackeray"]
        );
    }

    #[test]
    fn dates_fractions_units_and_shorthand_are_no_paths() {
        for text in [
            "DOB 08/23/1961, BP 120/80, FIM 5/7, Katz 5/6",
            "Cr 1.1 mg/dL, s/p fall, c/o pain, and/or, w/o, y/o, N/V",
            "PT WHEENED TO AC/40/450/10/14 BREATHING, IVF @ 150cc/hr-D51/2NS, D5.NS/20KCL",
            "eGFR 60 mL/min/1.73m2, N/V/D",
            "https://emr.example/patients/4410827 is read by the URL rules",
            "no slash here",
        ] {
            assert!(paths(text).is_empty(), "{text}: {:?}", paths(text));
        }
    }
}
