//! The upcoding word table (`upcoding.toml`): passive-modality and active-treatment wording,
//! compiled once into one Aho-Corasick automaton, and the thresholds the upcoding flag uses.
//! Owns the whole-word counting; the flag itself is [`crate::claims::edits::upcoding`].

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use serde::Deserialize;

use super::{table_err, toml_file};
use crate::claims::catalogue::Severity;
use crate::claims::error::ClaimsError;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UpcodingFile {
    severity: Severity,
    active_codes: Vec<String>,
    min_passive: u32,
    ratio: f64,
    passive: Vec<String>,
    active: Vec<String>,
}

/// Passive/active wording counter for the upcoding flag.
#[derive(Debug)]
pub struct Upcoding {
    pub severity: Severity,
    pub active_codes: Vec<String>,
    pub min_passive: u32,
    pub ratio: f64,
    words: AhoCorasick,
    passive_count: usize,
}

impl Upcoding {
    /// (passive mentions, active mentions) in `text`, whole words only.
    pub fn count(&self, text: &str) -> (u32, u32) {
        let b = text.as_bytes();
        let (mut p, mut a) = (0, 0);
        for m in self.words.find_iter(text) {
            let before = m.start().checked_sub(1).map(|i| b[i]);
            let after = b.get(m.end()).copied();
            let word = |c: Option<u8>| c.is_some_and(|c| c.is_ascii_alphanumeric());
            if word(before) || word(after) {
                continue;
            }
            if m.pattern().as_usize() < self.passive_count {
                p += 1;
            } else {
                a += 1;
            }
        }
        (p, a)
    }
}

pub(super) fn upcoding(text: &str) -> Result<Upcoding, ClaimsError> {
    const F: &str = "upcoding.toml";
    let f: UpcodingFile = toml_file(F, text)?;
    if f.passive.is_empty() || !(f.ratio.is_finite() && f.ratio > 0.0) {
        return Err(table_err(
            F,
            None,
            "needs passive words and a positive ratio",
        ));
    }
    let words = AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::LeftmostLongest)
        .build(f.passive.iter().chain(&f.active))
        .map_err(|e| table_err(F, None, e))?;
    Ok(Upcoding {
        severity: f.severity,
        active_codes: f.active_codes,
        min_passive: f.min_passive,
        ratio: f.ratio,
        words,
        passive_count: f.passive.len(),
    })
}
