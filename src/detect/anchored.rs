//! The anchored all-matches automaton of the rules tried only where they can start.
//!
//! Owns how "which of these patterns match starting exactly here?" is answered: a dense DFA
//! built whole at start-up, walked by hand from its anchored start state, so a scan never
//! builds a state (a lazy DFA spent about 44% of a cold rule scan building them; BENCHMARKS.md,
//! 2026-12-02). A rule set whose DFA would outgrow [`DENSE_SIZE_LIMIT`] (an operator's
//! overlay, say) falls back to the lazy DFA, and that to the meta regex if it gives up, so
//! every rule set compiles and answers the same.

use regex_automata::dfa::{dense, Automaton, StartKind};
use regex_automata::hybrid;
use regex_automata::meta::{self, Regex};
use regex_automata::util::start;
use regex_automata::{Anchored, Input, MatchKind, PatternSet};

use super::rules::{first_line, meta_config, syntax_config};

/// The most memory the dense automaton (and its construction) may take; past it, the lazy
/// one is used. The built-in rules need a few MiB (BENCHMARKS.md, 2026-12-02).
const DENSE_SIZE_LIMIT: usize = 64 << 20;

/// Several patterns at once, anchored, reporting every pattern that matches.
pub(super) enum AllMatches {
    /// Every state built at start-up.
    Dense(dense::DFA<Vec<u32>>),
    /// States built while scanning (only when the dense automaton is too large).
    Lazy {
        dfa: hybrid::dfa::DFA,
        /// The fallback when the lazy DFA gives up; it never does.
        regex: Regex,
    },
}

/// The search state of [`AllMatches`] (none for the dense automaton).
pub(super) enum AllMatchesCache {
    Dense,
    Lazy {
        dfa: hybrid::dfa::Cache,
        regex: meta::Cache,
    },
}

impl AllMatches {
    /// Compiles the patterns: dense if it fits, lazy otherwise.
    pub(super) fn build(patterns: &[&str]) -> Result<AllMatches, String> {
        let dense = dense::DFA::builder()
            .syntax(syntax_config())
            .configure(
                dense::DFA::config()
                    .match_kind(MatchKind::All)
                    .start_kind(StartKind::Anchored)
                    // The walk below reads no accelerators, and an accelerated state
                    // would be one more special state to test at each byte.
                    .accelerate(false)
                    .dfa_size_limit(Some(DENSE_SIZE_LIMIT))
                    .determinize_size_limit(Some(DENSE_SIZE_LIMIT)),
            )
            .build_many(patterns);
        match dense {
            Ok(dfa) => Ok(AllMatches::Dense(dfa)),
            Err(e) if e.is_size_limit_exceeded() => AllMatches::build_lazy(patterns),
            Err(e) => Err(first_line(&e.to_string())),
        }
    }

    fn build_lazy(patterns: &[&str]) -> Result<AllMatches, String> {
        let regex = Regex::builder()
            .syntax(syntax_config())
            .configure(meta_config().match_kind(MatchKind::All))
            .build_many(patterns)
            .map_err(|e| first_line(&e.to_string()))?;
        let dfa = hybrid::dfa::DFA::builder()
            .syntax(syntax_config())
            .configure(
                hybrid::dfa::DFA::config()
                    .cache_capacity(32 << 20)
                    .minimum_cache_clear_count(None)
                    .match_kind(MatchKind::All),
            )
            .build_many(patterns)
            .map_err(|e| first_line(&e.to_string()))?;
        Ok(AllMatches::Lazy { dfa, regex })
    }

    /// Whether the automaton was built whole (diagnostics and tests).
    pub(super) fn is_dense(&self) -> bool {
        matches!(self, AllMatches::Dense(_))
    }

    /// The heap memory the automaton holds (diagnostics; 0 for the lazy one, whose cache
    /// grows per thread).
    pub(super) fn memory_usage(&self) -> usize {
        match self {
            AllMatches::Dense(dfa) => dfa.memory_usage(),
            AllMatches::Lazy { .. } => 0,
        }
    }

    pub(super) fn cache(&self) -> AllMatchesCache {
        match self {
            AllMatches::Dense(_) => AllMatchesCache::Dense,
            AllMatches::Lazy { dfa, regex } => AllMatchesCache::Lazy {
                dfa: dfa.create_cache(),
                regex: regex.create_cache(),
            },
        }
    }

    /// How often the lazy automaton's cache was cleared (0 for the dense one).
    pub(super) fn clear_count(cache: &AllMatchesCache) -> usize {
        match cache {
            AllMatchesCache::Dense => 0,
            AllMatchesCache::Lazy { dfa, .. } => dfa.clear_count(),
        }
    }

    /// Adds to `set` every pattern with a match starting at `at`.
    pub(super) fn matches_at(
        &self,
        hay: &[u8],
        at: usize,
        cache: &mut AllMatchesCache,
        set: &mut PatternSet,
    ) {
        match (self, cache) {
            (AllMatches::Dense(dfa), _) => walk_dense(dfa, hay, at, set),
            (AllMatches::Lazy { dfa, regex }, AllMatchesCache::Lazy { dfa: dc, regex: rc }) => {
                if walk_lazy(dfa, hay, at, dc, set).is_err() {
                    set.clear();
                    let input = Input::new(hay).range(at..).anchored(Anchored::Yes);
                    regex.which_overlapping_matches_with(rc, &input, set);
                }
            }
            // A cache made for the other kind of automaton: start a matching one.
            (AllMatches::Lazy { .. }, cache) => {
                *cache = self.cache();
                self.matches_at(hay, at, cache, set);
            }
        }
    }
}

/// The anchored start configuration at `at`: the byte before decides `\b` and `^`.
fn start_at(hay: &[u8], at: usize) -> start::Config {
    start::Config::new()
        .anchored(Anchored::Yes)
        .look_behind(at.checked_sub(1).map(|i| hay[i]))
}

/// The dense automaton walked from its anchored start state until it dies or the text
/// ends, every match state's patterns added to `set` (what `try_which_overlapping_matches`
/// does, without its per-call set-up and per-match returns, which cost more than the walk
/// at most positions). It has no quit bytes (ASCII `\b` only), so it cannot fail.
fn walk_dense(dfa: &dense::DFA<Vec<u32>>, hay: &[u8], at: usize, set: &mut PatternSet) {
    let Ok(mut sid) = dfa.start_state(&start_at(hay, at)) else {
        return;
    };
    for &b in &hay[at..] {
        sid = dfa.next_state(sid, b);
        if dfa.is_special_state(sid) {
            if dfa.is_match_state(sid) {
                add_dense_matches(dfa, sid, set);
            } else if dfa.is_dead_state(sid) {
                return;
            }
        }
    }
    sid = dfa.next_eoi_state(sid);
    if dfa.is_match_state(sid) {
        add_dense_matches(dfa, sid, set);
    }
}

fn add_dense_matches(
    dfa: &dense::DFA<Vec<u32>>,
    sid: regex_automata::util::primitives::StateID,
    set: &mut PatternSet,
) {
    for i in 0..dfa.match_len(sid) {
        // The set has room for every pattern of the automaton.
        let _ = set.try_insert(dfa.match_pattern(sid, i));
    }
}

/// [`walk_dense`] on the lazy automaton: `Err` if it gave up (a quit byte or too many
/// cache clears, neither of which the configuration allows).
fn walk_lazy(
    dfa: &hybrid::dfa::DFA,
    hay: &[u8],
    at: usize,
    cache: &mut hybrid::dfa::Cache,
    set: &mut PatternSet,
) -> Result<(), ()> {
    let mut sid = dfa.start_state(cache, &start_at(hay, at)).map_err(|_| ())?;
    for &b in &hay[at..] {
        sid = dfa.next_state(cache, sid, b).map_err(|_| ())?;
        if sid.is_tagged() {
            if sid.is_match() {
                add_lazy_matches(dfa, cache, sid, set);
            } else if sid.is_dead() {
                return Ok(());
            } else if sid.is_quit() {
                return Err(());
            }
        }
    }
    sid = dfa.next_eoi_state(cache, sid).map_err(|_| ())?;
    if sid.is_match() {
        add_lazy_matches(dfa, cache, sid, set);
    }
    Ok(())
}

fn add_lazy_matches(
    dfa: &hybrid::dfa::DFA,
    cache: &hybrid::dfa::Cache,
    sid: hybrid::LazyStateID,
    set: &mut PatternSet,
) {
    for i in 0..dfa.match_len(cache, sid) {
        // The set has room for every pattern of the automaton.
        let _ = set.try_insert(dfa.match_pattern(cache, sid, i));
    }
}
