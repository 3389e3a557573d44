//! The cue words a text rule's match must begin with, read from its pattern, and the one
//! Aho-Corasick pass that finds where any rule with cues can start.
//!
//! Owns the analysis of a rule's syntax into its lower-cased prefixes ([`cue_prefixes`]:
//! `(?i)\b(?:mrn|chart)\s*…` begins with `mrn` or `cha`) and the [`CueFinder`] of a group of
//! such rules: one case-insensitive pass over a text gives the positions where any of the
//! group's rules could start, so the group's automaton runs there instead of at every word
//! start. Every prefix is a necessary condition of a match (a match, lower-cased, begins
//! with one of its rule's prefixes), so a position is never missed. Everything is derived
//! from the patterns, so a rule added to `patterns/text/*.toml` needs no declaration: a rule
//! whose matches can begin with a short or unbounded prefix (a digit, `[A-Z]`, a
//! one-letter word) is simply not a cue rule and is tried at its starts as before.

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use regex_syntax::hir::{Class, Hir, HirKind};

/// A cue prefix is cut at this length (a cut prefix is still a prefix of every match).
const MAX_CUE_LEN: usize = 6;
/// A rule with a possible beginning shorter than this (`f`, a digit) has no cues: its
/// starts would be too many for a cue pass to narrow.
const MIN_CUE_LEN: usize = 2;
/// More distinct lower-cased bytes than this in one class (`[A-Z]`, `\d`) and a pattern's
/// prefixes stop there.
const MAX_CLASS_BYTES: usize = 3;
/// More prefixes than this for one rule and it is treated as having none (the cue pass
/// would grow for little).
const MAX_CUES: usize = 600;

/// A prefix of a pattern's matches, lower-cased, and whether it is the whole match of the
/// part it was read from (only then can a following part extend it).
type Prefix = (Vec<u8>, bool);

/// The lower-cased prefixes every match of `pattern` begins with (after lower-casing the
/// match), or `None` when they are not few and long enough to be worth a cue pass. The
/// pattern is read as the rules are compiled (ASCII, bytes); a pattern that does not parse
/// has no cues.
/// (The rule set reads parsed patterns, [`cue_prefixes_of`]; the tests read text.)
#[cfg(test)]
pub fn cue_prefixes(pattern: &str) -> Option<Vec<Vec<u8>>> {
    let hir = regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .crlf(true)
        .build()
        .parse(pattern)
        .ok()?;
    cue_prefixes_of(&hir)
}

/// [`cue_prefixes`] of a pattern already parsed as the rules are compiled (the rule set
/// parses each pattern once for all its readings).
pub fn cue_prefixes_of(hir: &Hir) -> Option<Vec<Vec<u8>>> {
    let prefixes = prefixes_of(hir)?;
    if prefixes.iter().any(|(p, _)| p.len() < MIN_CUE_LEN) {
        return None;
    }
    Some(shortest_only(
        prefixes.into_iter().map(|(p, _)| p).collect(),
    ))
}

/// Drops every prefix that begins with another one (a text position the longer one allows,
/// the shorter allows too), and duplicates.
fn shortest_only(mut prefixes: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
    prefixes.sort();
    prefixes.dedup();
    let mut kept: Vec<Vec<u8>> = Vec::with_capacity(prefixes.len());
    for p in prefixes {
        // Sorted: a prefix of `p` that is kept sorts just before it, or before a run of
        // strings that all begin with it (the last kept one).
        if kept.last().is_none_or(|k| !p.starts_with(k)) {
            kept.push(p);
        }
    }
    kept
}

/// The lower-cased prefixes of every match of `hir` (`None`: unbounded, or too many).
fn prefixes_of(hir: &Hir) -> Option<Vec<Prefix>> {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => Some(vec![(Vec::new(), true)]),
        HirKind::Literal(lit) => {
            let lower: Vec<u8> = lit.0.iter().map(u8::to_ascii_lowercase).collect();
            Some(vec![cut(lower, true)])
        }
        HirKind::Class(class) => {
            let bytes = class_bytes(class)?;
            Some(bytes.into_iter().map(|b| (vec![b], true)).collect())
        }
        HirKind::Capture(cap) => prefixes_of(&cap.sub),
        HirKind::Repetition(rep) => {
            if rep.max == Some(0) {
                return Some(vec![(Vec::new(), true)]);
            }
            // After one repetition another may follow, so a repeated part's prefixes are
            // whole only when it occurs exactly once.
            let once = rep.max == Some(1);
            let mut out: Vec<Prefix> = prefixes_of(&rep.sub)?
                .into_iter()
                .map(|(p, whole)| (p, whole && once))
                .collect();
            if rep.min == 0 {
                out.push((Vec::new(), true));
            }
            Some(out)
        }
        HirKind::Concat(parts) => {
            let mut acc: Vec<Prefix> = vec![(Vec::new(), true)];
            for part in parts {
                if acc.iter().all(|(_, whole)| !whole) {
                    break;
                }
                let Some(next) = prefixes_of(part) else {
                    // What follows is unbounded: the prefixes so far are all there is.
                    acc.iter_mut().for_each(|(_, whole)| *whole = false);
                    break;
                };
                let mut grown = Vec::with_capacity(acc.len());
                for (p, whole) in acc {
                    if !whole {
                        grown.push((p, false));
                        continue;
                    }
                    for (q, q_whole) in &next {
                        let mut joined = p.clone();
                        joined.extend_from_slice(q);
                        grown.push(cut(joined, *q_whole));
                    }
                }
                grown.sort();
                grown.dedup();
                if grown.len() > MAX_CUES {
                    return None;
                }
                acc = grown;
            }
            Some(acc)
        }
        HirKind::Alternation(branches) => {
            let mut out = Vec::new();
            for b in branches {
                out.extend(prefixes_of(b)?);
                if out.len() > MAX_CUES {
                    return None;
                }
            }
            Some(out)
        }
    }
}

/// A prefix no longer than [`MAX_CUE_LEN`] (a cut one is no longer whole).
fn cut(mut p: Vec<u8>, whole: bool) -> Prefix {
    if p.len() > MAX_CUE_LEN {
        p.truncate(MAX_CUE_LEN);
        return (p, false);
    }
    (p, whole)
}

/// A class's bytes, lower-cased, when they are few (`[Mm]` is `m`), else `None`.
fn class_bytes(class: &Class) -> Option<Vec<u8>> {
    let mut set = [false; 256];
    match class {
        Class::Bytes(c) => {
            for r in c.ranges() {
                if usize::from(r.end() - r.start()) >= 2 * MAX_CLASS_BYTES {
                    return None;
                }
                (r.start()..=r.end()).for_each(|b| set[usize::from(b.to_ascii_lowercase())] = true);
            }
        }
        Class::Unicode(c) => {
            for r in c.ranges() {
                let (start, end) = (u32::from(r.start()), u32::from(r.end()));
                let wide = usize::try_from(end - start).map_or(true, |w| w >= 2 * MAX_CLASS_BYTES);
                if end > 0x7F || wide {
                    return None;
                }
                for ch in start..=end {
                    let b = u8::try_from(ch).ok()?;
                    set[usize::from(b.to_ascii_lowercase())] = true;
                }
            }
        }
    }
    let bytes: Vec<u8> = (0..=255u8).filter(|&b| set[usize::from(b)]).collect();
    (bytes.len() <= MAX_CLASS_BYTES).then_some(bytes)
}

/// For a group of rules with cues: where in a text any of them can start.
#[derive(Clone, Debug)]
pub struct CueFinder {
    /// Every rule's prefixes at once, matched ASCII case-insensitively.
    ac: AhoCorasick,
}

impl CueFinder {
    /// The finder of the union of several rules' prefixes (each from [`cue_prefixes`]).
    pub fn build<'a>(prefixes: impl IntoIterator<Item = &'a Vec<Vec<u8>>>) -> Result<Self, String> {
        let all = shortest_only(prefixes.into_iter().flatten().cloned().collect());
        let ac = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&all)
            .map_err(|e| e.to_string())?;
        Ok(CueFinder { ac })
    }

    /// Every position of `hay` where one of the prefixes begins, ascending, into `out`
    /// (cleared first).
    pub fn starts(&self, hay: &[u8], out: &mut Vec<usize>) {
        out.clear();
        // No prefix begins with another, so each position is found once; matches come
        // in the order of their ends, which for prefixes of different lengths is not the
        // order of their starts.
        out.extend(self.ac.find_overlapping_iter(hay).map(|m| m.start()));
        if !out.is_sorted() {
            out.sort_unstable();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cues(pattern: &str) -> Option<Vec<String>> {
        cue_prefixes(pattern).map(|ps| {
            ps.into_iter()
                .map(|p| String::from_utf8_lossy(&p).into_owned())
                .collect()
        })
    }

    #[test]
    fn a_cue_alternation_gives_its_words_lower_cased_and_cut() {
        assert_eq!(
            cues(r"(?i)\b(?:mrn|chart)\s*(?P<v>\d+)").as_deref(),
            Some(&["chart".to_string(), "mrn".to_string()][..])
        );
        // Cut at the longest length; a word that begins with another is dropped.
        let c = cues(r"(?i)\b(?:telephone|tel|ph|phone)\b").unwrap_or_default();
        assert_eq!(c, vec!["ph".to_string(), "tel".to_string()]);
        // Case is folded: `[Dd]r` and `DR` are one prefix.
        assert_eq!(
            cues(r"\b[Dd]r\.|\bDR\b").as_deref(),
            Some(&["dr".to_string()][..])
        );
    }

    #[test]
    fn optional_and_repeated_parts_continue_or_stop_a_prefix() {
        // `(?:the\s+)?` may be absent: both beginnings are kept.
        let c = cues(r"(?i)\b(?:the\s+)?first\s+of").unwrap_or_default();
        assert_eq!(c, vec!["first".to_string(), "the".to_string()]);
        // A repeated part ends what is known after its first occurrence.
        assert_eq!(cues(r"(?:ab)+c").as_deref(), Some(&["ab".to_string()][..]));
    }

    #[test]
    fn short_or_unbounded_beginnings_have_no_cues() {
        assert_eq!(cues(r"\b\d{3}-\d{4}\b"), None, "a digit");
        assert_eq!(cues(r"(?i)\b(?:fax|f)\s*\d"), None, "a one-letter word");
        assert_eq!(cues(r"\b[A-Z][a-z]+,\s\d\d"), None, "a capital letter");
        assert_eq!(cues(r"(?i)x?\d"), None, "an optional letter before a digit");
        assert_eq!(cues(r"(?:^|\s)@\w+"), None, "an empty branch");
    }

    #[test]
    fn the_finder_reports_every_start_case_insensitively_in_order() {
        let a = cue_prefixes(r"(?i)\bmrn").unwrap_or_default();
        let b = cue_prefixes(r"(?i)\b(?:rn|chart)").unwrap_or_default();
        let f = CueFinder::build([&a, &b]).expect("finder");
        let mut out = Vec::new();
        f.starts(b"MRN 1, Chart 2, mrnrn", &mut out);
        // `MRN` at 0 and its `RN` at 1; `Chart` at 7; `mrn` at 16, `rn` at 17 and 19.
        assert_eq!(out, vec![0, 1, 7, 16, 17, 19]);
    }
}
