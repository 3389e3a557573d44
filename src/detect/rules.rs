//! Text rules: parsing `patterns/text/rules.toml` and compiling every rule into one
//! multi-pattern regex.
//!
//! Owns the rule file format, `{{def}}` expansion, build-time errors that name the file and
//! line, and the compiled [`RuleSet`] with its search loop. It does not decide what a match
//! means beyond its validator; merging and transforms live elsewhere. Where a rule can
//! start a match (which decides how its group is searched) is [`super::starts`]' and, for
//! rules that begin with cue words, [`super::cues`]'.

use std::collections::BTreeMap;

use regex_automata::hybrid;
use regex_automata::meta::{self, Regex};
use regex_automata::nfa::thompson::{self, pikevm, pikevm::PikeVM, WhichCaptures, NFA};
use regex_automata::util::{start, syntax};
use regex_automata::{Anchored, Input, MatchKind, PatternID, PatternSet};
use regex_syntax::hir::Hir;
use serde::Deserialize;

use super::cues::{cue_prefixes_of, CueFinder};
use super::gate::{GateTable, Runs};
use super::starts::{RuleStarts, StartTable};
use super::validate::Validator;
use super::RuleError;
use crate::phi::PhiType;

/// One rule as written in a rule file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRule {
    id: String,
    #[serde(rename = "type")]
    ty: toml::Spanned<String>,
    pattern: toml::Spanned<String>,
    validate: Option<toml::Spanned<String>>,
    #[serde(default, rename = "match")]
    must_match: Vec<String>,
    #[serde(default)]
    no_match: Vec<String>,
    /// Scan this rule on its own instead of in the shared automaton (for patterns that
    /// could start at almost any word and would blow up the shared DFA's states).
    #[serde(default)]
    solo: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRuleFile {
    #[serde(default)]
    pub defs: BTreeMap<String, String>,
    #[serde(default)]
    pub rule: Vec<RawRule>,
}

/// A compiled rule's metadata; the pattern itself lives in the shared [`RuleSet`] regex.
#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    pub ty: PhiType,
    pub validator: Option<Validator>,
    /// Examples that must be found, with the expected value marked `[[…]]`.
    pub must_match: Vec<String>,
    /// Examples in which this rule must find nothing.
    pub no_match: Vec<String>,
    /// Scanned on its own rather than in the shared automaton.
    pub solo: bool,
}

/// How the rule groups are searched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Anchoring {
    /// Rules whose matches can start only at a few kinds of byte (digits, a word's first
    /// letter, `+`) are tried anchored at those positions, all at once; the rest walk the
    /// whole text.
    AtStarts,
    /// [`Anchoring::AtStarts`] with the gates of `detect::gate`: a candidate position is
    /// walked only if some rule's shape allows a match there. Exact, but measured slower
    /// than walking every candidate (BENCHMARKS.md, 2026-12-01 22:20), so not the default;
    /// kept for the equality test and the cost diagnostics.
    AtStartsGated,
    /// Every group walks the whole text (the reference the anchored search is checked
    /// against, and the way to measure what anchoring saves).
    Off,
}

/// Rules searched together: one forward automaton finds the next candidate.
struct Group {
    /// Rule index of each pattern in `finder` and `regex`.
    rules: Vec<usize>,
    /// The group's patterns at once, forward only: finds the next candidate's end and
    /// pattern.
    finder: hybrid::dfa::DFA,
    /// The group's patterns at once: the fallback when the lazy DFA gives up (it is
    /// configured never to), a PikeVM over the finder's own NFA.
    fallback: PikeVM,
}

impl Group {
    fn build(rules: Vec<usize>, hirs: &[Hir]) -> Result<Group, String> {
        let group_hirs: Vec<&Hir> = rules.iter().map(|&i| &hirs[i]).collect();
        // The fallback's `find` reports where a match starts: the implicit group.
        let nfa = group_nfa(&group_hirs, WhichCaptures::Implicit)?;
        let fallback = fallback_over(&nfa, MatchKind::LeftmostFirst)?;
        let finder = hybrid::dfa::DFA::builder()
            .configure(
                hybrid::dfa::DFA::config()
                    .cache_capacity(32 << 20)
                    // Never give up and fall back to the slow path: a cleared cache is
                    // rebuilt from the text at hand, which stays fast for notes.
                    .minimum_cache_clear_count(None)
                    .match_kind(regex_automata::MatchKind::LeftmostFirst),
            )
            .build_from_nfa(nfa)
            .map_err(|e| first_line(&e.to_string()))?;
        Ok(Group {
            rules,
            finder,
            fallback,
        })
    }

    fn cache(&self) -> GroupCache {
        GroupCache {
            finder: self.finder.create_cache(),
            fallback: None,
        }
    }
}

/// A group's search state.
struct GroupCache {
    finder: hybrid::dfa::Cache,
    /// The fallback's state, made the first time it is needed (never, in practice).
    fallback: Option<pikevm::Cache>,
}

/// The rules (solo and shared alike) whose matches can start only at few kinds of
/// position: one anchored all-matches automaton, run at each position where one of them
/// can start, says which of them match there.
struct AtStarts {
    /// Rule index of each pattern, ascending.
    rules: Vec<usize>,
    /// Where any of them can start.
    positions: Positions,
    /// At a candidate position, whether any of them can match there given the bytes
    /// around it (`None`: every candidate is tried).
    gates: Option<GateTable>,
    /// Their patterns at once, anchored, reporting every pattern that matches.
    which: hybrid::dfa::DFA,
    /// The same: the fallback when the lazy DFA gives up (it is configured never to), a
    /// PikeVM over the lazy DFA's own NFA.
    fallback: PikeVM,
}

/// How a group of anchored rules finds the positions to try.
enum Positions {
    /// Each byte whose start table allows it (a digit, a word's first letter, `+`).
    Table(StartTable),
    /// Where one of the rules' cue prefixes begins (one case-insensitive pass over the
    /// text), if the start table allows it there too: for rules that begin with a few
    /// words, whose starts are far fewer than the text's word starts.
    Cues(CueFinder, StartTable),
    /// Each line's start whose first byte the start table allows: for rules anchored at a
    /// line's start (`(?m)^`, a contact list's row).
    Lines(StartTable),
}

impl AtStarts {
    fn build(
        rules: Vec<usize>,
        hirs: &[Hir],
        positions: Positions,
        gates: Option<GateTable>,
    ) -> Result<Self, String> {
        let group_hirs: Vec<&Hir> = rules.iter().map(|&i| &hirs[i]).collect();
        // Only which patterns match is asked of this automaton and its fallback, never
        // where: no capture states, which every state the lazy DFA builds would walk.
        let nfa = group_nfa(&group_hirs, WhichCaptures::None)?;
        let fallback = fallback_over(&nfa, MatchKind::All)?;
        let which = hybrid::dfa::DFA::builder()
            .configure(
                hybrid::dfa::DFA::config()
                    .cache_capacity(32 << 20)
                    .minimum_cache_clear_count(None)
                    .match_kind(MatchKind::All),
            )
            .build_from_nfa(nfa)
            .map_err(|e| first_line(&e.to_string()))?;
        Ok(AtStarts {
            rules,
            positions,
            gates,
            which,
            fallback,
        })
    }

    fn cache(&self) -> AtStartsCache {
        AtStartsCache {
            which: self.which.create_cache(),
            fallback: None,
            set: PatternSet::new(self.rules.len()),
            live: self.gates.as_ref().map_or_else(Vec::new, GateTable::mask),
            runs: Runs::default(),
            cue_starts: Vec::new(),
            starts: StartStates::default(),
        }
    }

    /// Every (position, rule) where one of these rules matches, in order of position and
    /// then rule, added to `found`.
    fn find(&self, hay: &[u8], cache: &mut AtStartsCache, found: &mut Vec<(usize, usize)>) {
        if let Some(g) = &self.gates {
            cache.runs.reset(g.classes());
        }
        match &self.positions {
            Positions::Table(table) => {
                let mut from = 0;
                while let Some(at) = table.next(hay, from) {
                    from = at + 1;
                    self.try_at(hay, at, cache, found);
                }
            }
            Positions::Cues(finder, table) => {
                let mut starts = std::mem::take(&mut cache.cue_starts);
                finder.starts(hay, &mut starts);
                for &at in &starts {
                    if table.allows(hay, at) {
                        self.try_at(hay, at, cache, found);
                    }
                }
                cache.cue_starts = starts;
            }
            Positions::Lines(table) => {
                let mut at = 0;
                while at < hay.len() {
                    if table.allows(hay, at) {
                        self.try_at(hay, at, cache, found);
                    }
                    match hay[at..].iter().position(|&b| matches!(b, b'\n' | b'\r')) {
                        Some(k) => at += k + 1,
                        None => break,
                    }
                }
            }
        }
    }

    /// Adds to `found` every (at, rule) where one of these rules matches starting at `at`.
    fn try_at(
        &self,
        hay: &[u8],
        at: usize,
        cache: &mut AtStartsCache,
        found: &mut Vec<(usize, usize)>,
    ) {
        if let Some(g) = &self.gates {
            if !g.any_can_match(hay, at, &mut cache.live, &mut cache.runs) {
                return;
            }
        }
        // Clearing and walking the set cost one step per rule, so only when it holds
        // something (most positions match nothing).
        if !cache.set.is_empty() {
            cache.set.clear();
        }
        if self
            .walk(hay, at, &mut cache.which, &mut cache.starts, &mut cache.set)
            .is_err()
        {
            // Only if the lazy DFA gave up; the meta regex never does.
            cache.set.clear();
            let input = Input::new(hay).range(at..).anchored(Anchored::Yes);
            let fallback = cache
                .fallback
                .get_or_insert_with(|| self.fallback.create_cache());
            self.fallback
                .which_overlapping_matches(fallback, &input, &mut cache.set);
        }
        if !cache.set.is_empty() {
            found.extend(cache.set.iter().map(|p| (at, self.rules[p.as_usize()])));
        }
    }

    /// Adds to `set` every pattern with a match starting at `at`: the all-matches automaton
    /// walked by hand from its anchored start state until it dies or the text ends (what
    /// `which_overlapping_matches` does, without its per-call set-up and per-match
    /// returns, which cost more than the walk at most positions).
    fn walk(
        &self,
        hay: &[u8],
        at: usize,
        cache: &mut hybrid::dfa::Cache,
        starts: &mut StartStates,
        set: &mut PatternSet,
    ) -> Result<(), ()> {
        let dfa = &self.which;
        let look_behind = at.checked_sub(1).map(|i| hay[i]);
        let mut sid = starts.get(dfa, cache, look_behind)?;
        // A rule is recorded here as soon as its automaton reaches a match, so only a rule
        // whose shortest match is longer than MAX_WALK is lost by stopping there (no PHI
        // value is); without the bound a run that keeps some automaton alive (`12-34-12-34…`,
        // `SMITH SMITH …`) was walked to its end from each of its starts.
        let end = hay.len().min(at + MAX_WALK);
        for &b in &hay[at..end] {
            // From an untagged state (a plain one: neither match, dead, quit, unknown nor
            // start) the transition is one table read; only a tagged state is asked more,
            // as `next_state` would. A state not yet built is unknown, which is tagged.
            let next = if sid.is_tagged() {
                dfa.next_state(cache, sid, b).map_err(|_| ())?
            } else {
                match dfa.next_state_untagged(cache, sid, b) {
                    n if n.is_unknown() => dfa.next_state(cache, sid, b).map_err(|_| ())?,
                    n => n,
                }
            };
            sid = next;
            if sid.is_tagged() {
                if sid.is_match() {
                    add_matches(dfa, cache, sid, set);
                } else if sid.is_dead() {
                    return Ok(());
                } else if sid.is_quit() {
                    return Err(());
                }
            }
        }
        // Matches show one byte late: the byte after the window (or the text's end) ends
        // a match that ends at the window's edge.
        sid = match hay.get(end) {
            Some(&b) => dfa.next_state(cache, sid, b).map_err(|_| ())?,
            None => dfa.next_eoi_state(cache, sid).map_err(|_| ())?,
        };
        if sid.is_match() {
            add_matches(dfa, cache, sid, set);
        }
        Ok(())
    }
}

/// The kinds of first byte the start-table rules are split by (see `compile_groups`).
const START_KINDS: [fn(u8) -> bool; 3] = [
    |b| b.is_ascii_digit(),
    |b| b.is_ascii_alphabetic(),
    |b| !b.is_ascii_alphanumeric(),
];

/// The most bytes [`AtStarts::walk`] reads from one start (see there).
const MAX_WALK: usize = 512;

/// In [`RuleSet::table_route`], a byte no start-table group may start on.
const NO_GROUP: u8 = u8::MAX;

/// The route of [`RuleSet::table_route`]: for each byte, the start-table group whose table
/// may start a match on it. `None` if a group is gated (its gates' run measurements are
/// reset per group pass) or two groups may start on one byte (the groups are split by
/// kind of first byte, so they do not; checked rather than assumed).
fn table_route(at_starts: &[AtStarts]) -> Option<Box<[u8; 256]>> {
    let mut route = Box::new([NO_GROUP; 256]);
    for (g, a) in at_starts.iter().enumerate() {
        let Positions::Table(table) = &a.positions else {
            continue;
        };
        let g = u8::try_from(g).ok().filter(|&g| g != NO_GROUP)?;
        if a.gates.is_some() {
            return None;
        }
        for b in 0..=255u8 {
            if table.may_start_on(b) {
                let slot = &mut route[usize::from(b)];
                if *slot != NO_GROUP {
                    return None;
                }
                *slot = g;
            }
        }
    }
    Some(route)
}

/// Adds the patterns of a match state to `set`.
fn add_matches(
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

/// The search state of [`AtStarts`], and what it found in the text being scanned.
struct AtStartsCache {
    which: hybrid::dfa::Cache,
    /// The fallback's state, made the first time it is needed (never, in practice).
    fallback: Option<pikevm::Cache>,
    set: PatternSet,
    /// The gates' rules still possible at a position.
    live: Vec<u64>,
    /// The gates' run measurements in the text being scanned.
    runs: Runs,
    /// Where the cue prefixes begin in the text being scanned (cue groups only).
    cue_starts: Vec<usize>,
    /// The automaton's anchored start state for each byte before a position.
    starts: StartStates,
}

/// The anchored start states of an [`AtStarts`] automaton, kept per look-behind byte (and
/// for the text's start) once the lazy DFA has given them: `start_state` per position
/// (a start configuration, the quit set, the start map, the cache's start table) was a
/// tenth of the anchored walks' own cost. A lazy DFA's state ids change when its cache is
/// cleared, so the kept states hold only for the clear count they were read under (the
/// cache is never reset, which would start the count again: it lives in [`AtStartsCache`]
/// beside these states and is made with them).
struct StartStates {
    /// By look-behind byte; index 256 is the text's start (no byte before).
    by_byte: Box<[Option<hybrid::LazyStateID>; 257]>,
    /// The cache's clear count when `by_byte` was filled.
    clears: usize,
}

impl Default for StartStates {
    fn default() -> Self {
        StartStates {
            by_byte: Box::new([None; 257]),
            clears: 0,
        }
    }
}

impl StartStates {
    /// The anchored start state after `look_behind` (`None`: at the text's start), as
    /// `start_state` gives it; `Err` where it gives up.
    fn get(
        &mut self,
        dfa: &hybrid::dfa::DFA,
        cache: &mut hybrid::dfa::Cache,
        look_behind: Option<u8>,
    ) -> Result<hybrid::LazyStateID, ()> {
        if cache.clear_count() != self.clears {
            self.by_byte.fill(None);
            self.clears = cache.clear_count();
        }
        let slot = look_behind.map_or(256, usize::from);
        if let Some(sid) = self.by_byte[slot] {
            return Ok(sid);
        }
        let config = start::Config::new()
            .anchored(Anchored::Yes)
            .look_behind(look_behind);
        let sid = dfa.start_state(cache, &config).map_err(|_| ())?;
        // Building the start state may itself have cleared the cache: keep it only under
        // the clear count it was built in, which is now the current one.
        if cache.clear_count() != self.clears {
            self.by_byte.fill(None);
            self.clears = cache.clear_count();
        }
        self.by_byte[slot] = Some(sid);
        Ok(sid)
    }
}

/// A rule match after validation: the value's byte range and the rule that found it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleHit {
    pub start: usize,
    pub end: usize,
    pub rule: usize,
}

/// Every text rule compiled into one automaton.
pub struct RuleSet {
    rules: Vec<Rule>,
    /// The rules tried only where they can start (none with [`Anchoring::Off`]): the
    /// rules with cue prefixes in one group, tried where a cue begins, the others in
    /// another, tried at every position their start table allows.
    at_starts: Vec<AtStarts>,
    /// For each byte, the one start-table group of `at_starts` that may start a match on
    /// it (its index), or [`NO_GROUP`]: the start-table groups' positions are found in one
    /// pass over the text instead of one pass each. `None` when they cannot share a pass
    /// (gated groups, or groups whose first bytes overlap).
    table_route: Option<Box<[u8; 256]>>,
    /// Whether each rule is in one of `at_starts`.
    anchored: Vec<bool>,
    /// The shared rules that can start almost anywhere, searched over the whole text
    /// (one group, or none).
    shared: Vec<Group>,
    /// The shared rules' indices, ascending (the order they are tried in at a position).
    shared_rules: Vec<usize>,
    /// The solo rules that can start almost anywhere (one group, or none). The solo
    /// rules: every start where one of them matches is visited, and each is tried there,
    /// so they find what a pass of each alone would find, in one pass.
    solo: Vec<Group>,
    /// The solo rules' indices, ascending.
    solo_rules: Vec<usize>,
    /// Each pattern alone: confirms a candidate and extracts its value. Small automata keep
    /// the anchored checks on the fast DFA path instead of growing the shared one.
    singles: Vec<Regex>,
    /// Whether each pattern has a `v` group (only then are captures needed).
    has_value: Vec<bool>,
    /// Each pattern with its definitions expanded.
    patterns: Vec<String>,
    /// The bytes each pattern's match can start with, so a rejected candidate is re-tried
    /// only against rules that could start there.
    first_bytes: Vec<[bool; 256]>,
}

/// Rules from one file, ready to compile: the file's name and text (for `file:line` in
/// errors), the definitions its patterns may use, and whether its examples are checked
/// when it loads (an overlay's are; the built-in file's are checked by the test suite).
pub(super) struct RuleGroup<'a> {
    pub file: &'a str,
    pub source: &'a str,
    pub defs: BTreeMap<String, String>,
    pub rules: Vec<RawRule>,
    pub check_examples: bool,
}

/// Parses a rule file's text (its definitions and rules; nothing compiled yet).
pub(super) fn parse_file(file: &str, source: &str) -> Result<RawRuleFile, RuleError> {
    parse_toml(file, source)
}

/// Parses one of the detector's TOML files into its shape; an error names the file and the
/// line, never the text (the parser's message past its first line quotes the file).
pub(super) fn parse_toml<T: serde::de::DeserializeOwned>(
    file: &str,
    source: &str,
) -> Result<T, RuleError> {
    toml::from_str(source).map_err(|e| RuleError::Syntax {
        file: file.to_string(),
        line: e.span().map(|s| line_of(source, s.start)).unwrap_or(0),
        reason: first_line(e.message()),
    })
}

/// A word list's entries as the detector's passes compare them: trimmed, lower case, bytes.
pub(super) fn lower_words(list: &[String]) -> impl Iterator<Item = Box<[u8]>> + '_ {
    list.iter().map(|w| {
        w.trim()
            .to_ascii_lowercase()
            .into_bytes()
            .into_boxed_slice()
    })
}

/// A phrase's words as [`lower_words`] gives them (`signed out to` → three words).
pub(super) fn lower_phrase(phrase: &str) -> Vec<Box<[u8]>> {
    phrase
        .split_whitespace()
        .map(|w| w.to_ascii_lowercase().into_bytes().into_boxed_slice())
        .collect()
}

impl RuleSet {
    /// Parses and compiles a rule file. `file` is used only in error messages.
    pub fn compile(file: &str, source: &str) -> Result<RuleSet, RuleError> {
        RuleSet::compile_with(file, source, Anchoring::AtStarts)
    }

    /// [`RuleSet::compile`], choosing how the groups are searched (the equality test and
    /// the cost diagnostics compare the two).
    pub fn compile_with(
        file: &str,
        source: &str,
        anchoring: Anchoring,
    ) -> Result<RuleSet, RuleError> {
        let raw = parse_file(file, source)?;
        let group = RuleGroup {
            file,
            source,
            defs: raw.defs,
            rules: raw.rule,
            check_examples: false,
        };
        RuleSet::compile_groups(vec![group], anchoring)
    }

    /// Compiles the rules of several files into one set, in order (at one position, an
    /// earlier rule wins). A group whose examples are checked fails on the first example
    /// its rule misses or wrongly finds, naming the rule's line.
    pub(super) fn compile_groups(
        groups: Vec<RuleGroup<'_>>,
        anchoring: Anchoring,
    ) -> Result<RuleSet, RuleError> {
        let total = groups.iter().map(|g| g.rules.len()).sum();
        let mut rules = Vec::with_capacity(total);
        let mut patterns = Vec::with_capacity(total);
        let mut singles = Vec::with_capacity(total);
        // Each pattern parsed once: the single regex, the groups' automata, the start and
        // cue readings are all made from it (parsing was a sixth of start-up when each of
        // them parsed the pattern again).
        let mut hirs = Vec::with_capacity(total);
        // (rule index, file, line) of each rule whose examples are checked after compiling.
        let mut checks = Vec::new();
        // A failure of the whole set (too many states) is reported against the first file.
        let file = groups.first().map_or(String::new(), |g| g.file.to_string());
        for g in groups {
            for r in g.rules {
                let line = line_of(g.source, r.pattern.span().start);
                let (rule, pattern, hir, single) = compile_rule(g.file, g.source, &g.defs, r)?;
                if g.check_examples {
                    checks.push((rules.len(), g.file.to_string(), line));
                }
                rules.push(rule);
                patterns.push(pattern);
                hirs.push(hir);
                singles.push(single);
            }
        }
        let starts: Vec<RuleStarts> = hirs.iter().map(RuleStarts::of_hir).collect();
        // With anchoring, a rule with cue prefixes is tried where they begin, whether or not
        // its start table alone would narrow it.
        let cues: Vec<Option<Vec<Vec<u8>>>> = hirs
            .iter()
            .map(|h| match anchoring {
                Anchoring::Off => None,
                _ => cue_prefixes_of(h),
            })
            .collect();
        let anchored: Vec<bool> = (0..rules.len())
            .map(|i| anchoring != Anchoring::Off && (starts[i].narrow() || cues[i].is_some()))
            .collect();
        let invalid = |reason| RuleError::Invalid {
            file: file.clone(),
            line: 0,
            reason,
        };
        let group_gates = |members: &[usize]| {
            (anchoring == Anchoring::AtStartsGated).then(|| {
                let group: Vec<(&str, &RuleStarts)> = members
                    .iter()
                    .map(|&i| (patterns[i].as_str(), &starts[i]))
                    .collect();
                GateTable::build(&group)
            })
        };
        let mut at_starts = Vec::new();
        // Rules anchored at a line's start form a group of their own: in the table group their
        // long first cells (a contact row's name) grew that automaton's states, and the scan
        // was slower than walking them over the whole text (BENCHMARKS.md, `speed`).
        let at_line = |i: usize| starts[i].line_start;
        let at_table: Vec<usize> = (0..rules.len())
            .filter(|&i| anchored[i] && cues[i].is_none() && !at_line(i))
            .collect();
        let at_lines: Vec<usize> = (0..rules.len())
            .filter(|&i| anchored[i] && cues[i].is_none() && at_line(i))
            .collect();
        // One automaton per kind of first byte, each tried only where a text byte of its
        // kind is: every position is still walked once, by an automaton of fewer rules,
        // whose states are fewer and whose transitions the walks find in cache more often
        // (the walks' time was the loads of the one big automaton's transitions). A rule
        // that can begin with bytes of several kinds is in each of their automata.
        for kind in START_KINDS {
            let can_begin =
                |i: usize| (0..=255u8).any(|b| kind(b) && starts[i].first[usize::from(b)]);
            let members: Vec<usize> = at_table.iter().copied().filter(|&i| can_begin(i)).collect();
            if members.is_empty() {
                continue;
            }
            let table = StartTable::union_within(members.iter().map(|&i| &starts[i]), kind);
            let gates = group_gates(&members);
            let positions = Positions::Table(table);
            at_starts.push(AtStarts::build(members, &hirs, positions, gates).map_err(invalid)?);
        }
        if !at_lines.is_empty() {
            let table = StartTable::union(at_lines.iter().map(|&i| &starts[i]));
            let gates = group_gates(&at_lines);
            let positions = Positions::Lines(table);
            at_starts.push(AtStarts::build(at_lines, &hirs, positions, gates).map_err(invalid)?);
        }
        let at_cues: Vec<usize> = (0..rules.len()).filter(|&i| cues[i].is_some()).collect();
        if !at_cues.is_empty() {
            let table = StartTable::union(at_cues.iter().map(|&i| &starts[i]));
            let finder = CueFinder::build(at_cues.iter().filter_map(|&i| cues[i].as_ref()))
                .map_err(invalid)?;
            let gates = group_gates(&at_cues);
            let positions = Positions::Cues(finder, table);
            at_starts.push(AtStarts::build(at_cues, &hirs, positions, gates).map_err(invalid)?);
        }
        // The rest are searched over the whole text: the shared automaton holds every rule
        // but the solo ones.
        let loose = |solo: bool| -> Result<Vec<Group>, RuleError> {
            let members: Vec<usize> = (0..rules.len())
                .filter(|&i| rules[i].solo == solo && !anchored[i])
                .collect();
            match members.is_empty() {
                true => Ok(Vec::new()),
                false => Ok(vec![Group::build(members, &hirs).map_err(invalid)?]),
            }
        };
        let shared = loose(false)?;
        let solo = loose(true)?;
        let shared_rules = (0..rules.len()).filter(|&i| !rules[i].solo).collect();
        let solo_rules = (0..rules.len()).filter(|&i| rules[i].solo).collect();
        let has_value = singles
            .iter()
            .map(|r| r.group_info().to_index(PatternID::ZERO, "v").is_some())
            .collect();
        let first_bytes = starts.iter().map(|s| s.first).collect();
        let table_route = table_route(&at_starts);
        let set = RuleSet {
            rules,
            table_route,
            at_starts,
            anchored,
            shared,
            shared_rules,
            solo,
            solo_rules,
            singles,
            has_value,
            patterns,
            first_bytes,
        };
        for (i, file, line) in checks {
            set.check_examples(i)
                .map_err(|reason| RuleError::Invalid { file, line, reason })?;
        }
        Ok(set)
    }

    /// Whether rule `i` finds each of its `match` examples' marked value (`[[…]]`) and
    /// nothing in its `no_match` examples. The message quotes the rule's id and the
    /// example's number, never the example (an operator's example may be real data).
    fn check_examples(&self, i: usize) -> Result<(), String> {
        let rule = &self.rules[i];
        let mut cache = self.cache();
        for (n, ex) in rule.must_match.iter().enumerate() {
            let Some((text, start, end)) = unmark(ex) else {
                return Err(format!(
                    "rule `{}`: match example {} has no [[marked]] value",
                    rule.id,
                    n + 1
                ));
            };
            let hits = self.scan_one(i, &text, &mut cache);
            if !hits.iter().any(|h| h.start == start && h.end == end) {
                return Err(format!(
                    "rule `{}`: match example {} is not found by its pattern",
                    rule.id,
                    n + 1
                ));
            }
        }
        for (n, ex) in rule.no_match.iter().enumerate() {
            if !self.scan_one(i, ex, &mut cache).is_empty() {
                return Err(format!(
                    "rule `{}`: no_match example {} is matched by its pattern",
                    rule.id,
                    n + 1
                ));
            }
        }
        Ok(())
    }

    /// How often the finders' caches were cleared (diagnostics: a high count means the
    /// rule set produces more automaton states than the cache holds).
    pub fn finder_clears(cache: &ScanCache) -> usize {
        let groups: usize = cache
            .shared
            .iter()
            .chain(&cache.solo)
            .map(|g| g.finder.clear_count())
            .sum();
        groups
            + cache
                .at_starts
                .iter()
                .map(|c| c.which.clear_count())
                .sum::<usize>()
    }

    /// Each lazy automaton's name, rule count, cache bytes in use and clear count
    /// (diagnostics: which group builds the states).
    pub fn finder_usage(&self, cache: &ScanCache) -> Vec<(String, usize, usize, usize)> {
        let mut out = Vec::new();
        for (a, c) in self.at_starts.iter().zip(&cache.at_starts) {
            let name = match a.positions {
                Positions::Table(_) => "at-table",
                Positions::Cues(..) => "at-cues",
                Positions::Lines(_) => "at-lines",
            };
            out.push((
                name.to_string(),
                a.rules.len(),
                c.which.memory_usage(),
                c.which.clear_count(),
            ));
        }
        for (name, gs, cs) in [
            ("shared", &self.shared, &cache.shared),
            ("solo", &self.solo, &cache.solo),
        ] {
            for (g, c) in gs.iter().zip(cs) {
                out.push((
                    name.to_string(),
                    g.rules.len(),
                    c.finder.memory_usage(),
                    c.finder.clear_count(),
                ));
            }
        }
        let singles: usize = cache.singles.iter().map(|(c, _)| c.memory_usage()).sum();
        out.push(("singles".to_string(), self.singles.len(), singles, 0));
        out
    }

    /// Each rule's pattern with definitions expanded (benchmarks and diagnostics).
    pub fn pattern(&self, rule: usize) -> &str {
        &self.patterns[rule]
    }

    /// Each rule's own compiled pattern (benchmarks and diagnostics).
    pub fn single(&self, rule: usize) -> &Regex {
        &self.singles[rule]
    }

    /// The rules, indexed by [`RuleHit::rule`].
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Finds every validated rule hit in `text`, calling `emit` for each, left to right.
    ///
    /// When the winning pattern at a position fails validation, the other patterns are tried
    /// anchored at the same position before moving on, so one rule's rejection cannot hide
    /// another rule's match.
    pub fn scan(&self, text: &str, cache: &mut ScanCache, mut emit: impl FnMut(RuleHit)) {
        let hay = text.as_bytes();
        cache.found.clear();
        let routed = self.table_route.as_deref();
        if let Some(route) = routed {
            self.find_routed(hay, route, cache);
        }
        for (a, c) in self.at_starts.iter().zip(cache.at_starts.iter_mut()) {
            if routed.is_some() && matches!(a.positions, Positions::Table(_)) {
                continue;
            }
            a.find(hay, c, &mut cache.found);
        }
        // Each group's finds are in order of position and rule; several groups' are put in
        // that order together (it is the order the scans below read them in).
        if self.at_starts.len() > 1 {
            cache.found.sort_unstable();
        }
        self.scan_solo(text, cache, &mut emit);
        let mut pos = 0;
        let mut k = 0;
        cache.shared_next.fill(Next::Unknown);
        while pos < hay.len() {
            // The next anchored shared match: the first in `found` is the lowest rule index
            // at its position, the one the whole-text automaton would report there.
            while cache
                .found
                .get(k)
                .is_some_and(|&(at, i)| at < pos || self.rules[i].solo)
            {
                k += 1;
            }
            let anchored = cache.found.get(k).map(|&(at, i)| (i, at));
            let loose = self.next_over(
                &self.shared,
                hay,
                pos,
                &mut cache.shared,
                &mut cache.shared_next,
                &mut cache.singles,
            );
            let next = match (anchored, loose) {
                (Some((ai, at)), Some((li, lt))) => Some(if (at, ai) < (lt, li) {
                    (ai, at)
                } else {
                    (li, lt)
                }),
                (a, l) => a.or(l),
            };
            let Some((rule, start)) = next else {
                break;
            };
            let accepted = self
                .accept(text, cache, rule, start)
                .or_else(|| self.accept_other(text, cache, rule, start));
            match accepted {
                Some(hit) => {
                    if self.rules[hit.rule].validator != Some(Validator::Keep) {
                        emit(hit);
                    }
                    pos = hit.end.max(start + 1);
                }
                None => pos = start + 1,
            }
        }
    }

    /// [`AtStarts::find`] for every start-table group at once: one look-up per byte names
    /// the only group that may start there (their first bytes do not overlap), and that
    /// group's table decides. The same (position, rule) pairs as each group's own pass,
    /// in order of position; `scan` sorts them with the other groups' finds as before.
    fn find_routed(&self, hay: &[u8], route: &[u8; 256], cache: &mut ScanCache) {
        for (at, &b) in hay.iter().enumerate() {
            let g = route[usize::from(b)];
            if g == NO_GROUP {
                continue;
            }
            let g = usize::from(g);
            let group = &self.at_starts[g];
            if let Positions::Table(table) = &group.positions {
                if table.allows(hay, at) {
                    group.try_at(hay, at, &mut cache.at_starts[g], &mut cache.found);
                }
            }
        }
    }

    /// The leftmost next candidate of several groups at or after `pos` (at one start, the
    /// lower rule index: the rule the groups' single automaton would have reported). Each
    /// group's candidate is remembered in `memo` until the scan passes it: with no match
    /// of the group starting before it, it is also the group's next candidate from any
    /// later `pos` up to it.
    fn next_over(
        &self,
        groups: &[Group],
        hay: &[u8],
        pos: usize,
        caches: &mut [GroupCache],
        memo: &mut [Next],
        singles: &mut [SingleCache],
    ) -> Option<(usize, usize)> {
        let mut best: Option<(usize, usize)> = None;
        for ((group, cache), next) in groups.iter().zip(caches.iter_mut()).zip(memo.iter_mut()) {
            let found = match *next {
                Next::At(rule, start) if start >= pos => Some((rule, start)),
                Next::Exhausted => None,
                _ => {
                    let found = self.next_candidate(group, hay, pos, cache, singles);
                    *next = found.map_or(Next::Exhausted, |(rule, start)| Next::At(rule, start));
                    found
                }
            };
            if let Some((rule, start)) = found {
                if best.is_none_or(|(b_rule, b_start)| (start, rule) < (b_start, b_rule)) {
                    best = Some((rule, start));
                }
            }
        }
        best
    }

    /// The next candidate of `group` at or after `pos`: which pattern, and where its
    /// match starts (the leftmost start of any of the group's matches).
    ///
    /// A forward-only lazy DFA over the group's patterns finds the end of the leftmost
    /// match and its pattern; that pattern alone then finds the start. This avoids the
    /// reverse search over all patterns, whose automaton is large and slow to build.
    fn next_candidate(
        &self,
        group: &Group,
        hay: &[u8],
        pos: usize,
        cache: &mut GroupCache,
        singles: &mut [SingleCache],
    ) -> Option<(usize, usize)> {
        let input = Input::new(hay).range(pos..);
        let full_search = |cache: &mut GroupCache| {
            let fallback = cache
                .fallback
                .get_or_insert_with(|| group.fallback.create_cache());
            group
                .fallback
                .find(fallback, input.clone())
                .map(|m| (group.rules[m.pattern().as_usize()], m.start()))
        };
        match group.finder.try_search_fwd(&mut cache.finder, &input) {
            Ok(Some(half)) => {
                let rule = group.rules[half.pattern().as_usize()];
                let window = Input::new(hay).range(pos..half.offset());
                match self.singles[rule].search_with(&mut singles[rule].0, &window) {
                    Some(m) => Some((rule, m.start())),
                    // Cannot happen for a well-formed pattern; fall back to the full search.
                    None => full_search(cache),
                }
            }
            Ok(None) => None,
            // Only if the lazy DFA gave up; the meta regex never does.
            Err(_) => full_search(cache),
        }
    }

    /// The solo rules, each as if it ran alone over the whole text: every start where one
    /// of them matches is visited once, each rule is tried there unless its own previous
    /// hit covers it, and a hit moves only that rule past its end.
    fn scan_solo(&self, text: &str, cache: &mut ScanCache, emit: &mut impl FnMut(RuleHit)) {
        let hay = text.as_bytes();
        cache.solo_next.clear();
        cache.solo_next.resize(self.solo_rules.len(), 0);
        cache.solo_group_next.fill(Next::Unknown);
        let mut pos = 0;
        let mut k = 0;
        while pos < hay.len() {
            while cache
                .found
                .get(k)
                .is_some_and(|&(at, i)| at < pos || !self.rules[i].solo)
            {
                k += 1;
            }
            let anchored = cache.found.get(k).map(|&(at, _)| at);
            let loose = self
                .next_over(
                    &self.solo,
                    hay,
                    pos,
                    &mut cache.solo,
                    &mut cache.solo_group_next,
                    &mut cache.singles,
                )
                .map(|(_, start)| start);
            let Some(start) = anchored.into_iter().chain(loose).min() else {
                break;
            };
            // The anchored rules that match here are `found[k..here_end]`.
            let here_end = k + cache.found[k..]
                .iter()
                .take_while(|&&(at, _)| at == start)
                .count();
            for (n, &i) in self.solo_rules.iter().enumerate() {
                if cache.solo_next[n] > start {
                    continue;
                }
                // A loose rule can match here only if its group's next match starts here.
                let may_match = match self.anchored[i] {
                    true => cache.found[k..here_end].iter().any(|&(_, r)| r == i),
                    false => loose == Some(start) && self.first_bytes[i][usize::from(hay[start])],
                };
                if !may_match {
                    continue;
                }
                if let Some(hit) = self.accept(text, cache, i, start) {
                    if self.rules[i].validator != Some(Validator::Keep) {
                        emit(hit);
                    }
                    cache.solo_next[n] = hit.end.max(start + 1);
                }
            }
            pos = start + 1;
        }
    }

    /// Scans with a single rule only (used by the rule-example tests).
    pub fn scan_one(&self, rule: usize, text: &str, cache: &mut ScanCache) -> Vec<RuleHit> {
        let hay = text.as_bytes();
        let mut hits = Vec::new();
        for start in 0..hay.len() {
            if let Some(hit) = self.accept(text, cache, rule, start) {
                if hits.last().is_none_or(|h: &RuleHit| h.end <= hit.start) {
                    hits.push(hit);
                }
            }
        }
        hits
    }

    /// A fresh per-thread search cache.
    pub fn cache(&self) -> ScanCache {
        ScanCache {
            at_starts: self.at_starts.iter().map(AtStarts::cache).collect(),
            found: Vec::new(),
            shared: self.shared.iter().map(Group::cache).collect(),
            shared_next: vec![Next::Unknown; self.shared.len()],
            solo: self.solo.iter().map(Group::cache).collect(),
            solo_group_next: vec![Next::Unknown; self.solo.len()],
            solo_next: Vec::new(),
            singles: self
                .singles
                .iter()
                .map(|r| (r.create_cache(), r.create_captures()))
                .collect(),
        }
    }

    fn accept_other(
        &self,
        text: &str,
        cache: &mut ScanCache,
        skip: usize,
        start: usize,
    ) -> Option<RuleHit> {
        let first = text.as_bytes()[start];
        self.shared_rules
            .iter()
            .copied()
            .filter(|&i| i != skip && self.first_bytes[i][usize::from(first)])
            .find_map(|i| self.accept(text, cache, i, start))
    }

    /// Runs rule `i` anchored at `start`, extracts the value group and validates it.
    fn accept(&self, text: &str, cache: &mut ScanCache, i: usize, start: usize) -> Option<RuleHit> {
        let input = Input::new(text.as_bytes())
            .range(start..)
            .anchored(Anchored::Yes);
        let (re, (c, caps)) = (&self.singles[i], &mut cache.singles[i]);
        // The DFA finds the match first; captures then run on that span alone, which keeps
        // them on the bounded backtracker instead of a slow whole-haystack search.
        let m = re.search_with(c, &input)?;
        let (vs, ve) = if self.has_value[i] {
            re.search_captures_with(c, &input.clone().range(start..m.end()), caps);
            let span = caps.get_group_by_name("v")?;
            (span.start, span.end)
        } else {
            (m.start(), m.end())
        };
        // Byte-oriented patterns may stop inside a multi-byte character; PHI spans never do.
        if vs >= ve || !text.is_char_boundary(vs) || !text.is_char_boundary(ve) {
            return None;
        }
        let rule = &self.rules[i];
        let end = match rule.validator {
            Some(v) => v.check(text, vs, ve)?,
            None => ve,
        };
        Some(RuleHit {
            start: vs,
            end,
            rule: i,
        })
    }
}

/// One rule's metadata, its pattern with definitions expanded, that pattern parsed, and
/// compiled alone (so a bad pattern is reported against its own line).
fn compile_rule(
    file: &str,
    source: &str,
    defs: &BTreeMap<String, String>,
    r: RawRule,
) -> Result<(Rule, String, Hir, Regex), RuleError> {
    let at = |span: std::ops::Range<usize>| line_of(source, span.start);
    let invalid = |line, reason| RuleError::Invalid {
        file: file.to_string(),
        line,
        reason,
    };
    let ty =
        r.ty.get_ref()
            .parse::<PhiType>()
            .map_err(|e| invalid(at(r.ty.span()), e.to_string()))?;
    let validator = match &r.validate {
        None => None,
        Some(v) => Some(
            v.get_ref()
                .parse::<Validator>()
                .map_err(|reason| invalid(at(v.span()), reason))?,
        ),
    };
    let pattern = expand_defs(r.pattern.get_ref(), defs)
        .map_err(|reason| invalid(at(r.pattern.span()), reason))?;
    let compiled = parse(&pattern).and_then(|hir| build_from_hir(&hir).map(|single| (hir, single)));
    let (hir, single) = compiled.map_err(|e| {
        invalid(
            at(r.pattern.span()),
            format!("rule `{}`: {}", r.id, first_line(&e)),
        )
    })?;
    let rule = Rule {
        id: r.id,
        ty,
        validator,
        must_match: r.must_match,
        no_match: r.no_match,
        solo: r.solo,
    };
    Ok((rule, pattern, hir, single))
}

/// Splits an example `a [[b]] c` into its plain text and the byte range of `b`.
pub fn unmark(example: &str) -> Option<(String, usize, usize)> {
    let open = example.find("[[")?;
    let close = example.find("]]")?;
    if close < open + 2 {
        return None;
    }
    let text = format!(
        "{}{}{}",
        &example[..open],
        &example[open + 2..close],
        &example[close + 2..]
    );
    Some((text, open, close - 2))
}

/// A single pattern's search state and capture slots.
type SingleCache = (meta::Cache, regex_automata::util::captures::Captures);

/// A group's next candidate during one scan, as far as it is known.
#[derive(Clone, Copy, Debug)]
enum Next {
    Unknown,
    /// Rule and start.
    At(usize, usize),
    /// No more candidates in this text.
    Exhausted,
}

/// Reusable search state for [`RuleSet::scan`]; one per thread.
pub struct ScanCache {
    at_starts: Vec<AtStartsCache>,
    /// Where the anchored rules match in the text being scanned: (position, rule).
    found: Vec<(usize, usize)>,
    shared: Vec<GroupCache>,
    shared_next: Vec<Next>,
    solo: Vec<GroupCache>,
    solo_group_next: Vec<Next>,
    /// Per solo rule: the first start it may be tried at again (past its last hit).
    solo_next: Vec<usize>,
    singles: Vec<SingleCache>,
}

/// A group's patterns compiled once into the NFA its lazy DFA is built from and its
/// fallback runs on (a meta regex per group compiled the patterns a second and third time,
/// forward and reverse, for a fallback that is never used: BENCHMARKS.md, `rulespeed`).
/// Only the implicit whole-match groups are kept: the lazy DFA ignores capture states and
/// the fallback reports whole matches.
fn group_nfa(hirs: &[&Hir], captures: WhichCaptures) -> Result<NFA, String> {
    thompson::Compiler::new()
        .configure(thompson::Config::new().which_captures(captures))
        .build_many_from_hir(hirs)
        .map_err(|e| first_line(&e.to_string()))
}

/// The PikeVM over a group's NFA (building it only wraps the NFA).
fn fallback_over(nfa: &NFA, kind: MatchKind) -> Result<PikeVM, String> {
    PikeVM::builder()
        .configure(PikeVM::config().match_kind(kind))
        .build_from_nfa(nfa.clone())
        .map_err(|e| first_line(&e.to_string()))
}

/// A pattern parsed with the rules' syntax. The error of a pattern that does not parse is
/// the meta builder's (it names the pattern; the parser's first line says only that parsing
/// failed), as when the pattern was compiled from its text.
fn parse(pattern: &str) -> Result<Hir, String> {
    syntax::parse_with(pattern, &syntax_config()).map_err(|parse_error| {
        match Regex::builder()
            .syntax(syntax_config())
            .configure(meta_config())
            .build(pattern)
        {
            Err(e) => e.to_string(),
            Ok(_) => parse_error.to_string(),
        }
    })
}

/// One parsed pattern's own meta regex.
fn build_from_hir(hir: &Hir) -> Result<Regex, String> {
    Regex::builder()
        .configure(meta_config())
        .build_from_hir(hir)
        .map_err(|e| e.to_string())
}

/// The meta regexes' settings. No prefilter: these regexes confirm a candidate anchored
/// (where a prefilter is never used), find a candidate's start in the short window the
/// group's finder has just walked, or stand in for a lazy DFA that gave up; the literal
/// extraction a prefilter needs was about 200 M instructions of every start-up
/// (BENCHMARKS.md, `densedfa`). A prefilter never changes what a search finds.
fn meta_config() -> meta::Config {
    Regex::config()
        .auto_prefilter(false)
        .utf8_empty(false)
        .nfa_size_limit(Some(64 << 20))
        .hybrid_cache_capacity(128 << 20)
}

/// ASCII, byte-oriented patterns: `\b`, `\d` and `(?i)` are ASCII, so the DFAs never meet a
/// Unicode word boundary they cannot handle.
fn syntax_config() -> syntax::Config {
    syntax::Config::new().unicode(false).utf8(false).crlf(true)
}

/// Replaces each `{{name}}` with its definition.
fn expand_defs(pattern: &str, defs: &BTreeMap<String, String>) -> Result<String, String> {
    let mut out = String::with_capacity(pattern.len());
    let mut rest = pattern;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        let close = after.find("}}").ok_or("unclosed `{{` in pattern")?;
        let name = &after[..close];
        let def = defs
            .get(name)
            .ok_or_else(|| format!("unknown definition `{{{{{name}}}}}`"))?;
        out.push_str(def);
        rest = &after[close + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

pub(crate) use crate::patterns::{first_line, line_of};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_pattern_names_file_and_line() {
        let src = "[[rule]]\nid = \"x\"\ntype = \"NAME\"\npattern = '(unclosed'\n";
        match RuleSet::compile("t.toml", src) {
            Err(RuleError::Invalid { file, line, .. }) => {
                assert_eq!(file, "t.toml");
                assert_eq!(line, 4);
            }
            other => panic!("unexpected {:?}", other.err()),
        }
    }

    #[test]
    fn unknown_type_and_unknown_key_are_refused() {
        let src = "[[rule]]\nid = \"x\"\ntype = \"NOPE\"\npattern = 'a'\n";
        assert!(matches!(
            RuleSet::compile("t", src),
            Err(RuleError::Invalid { line: 3, .. })
        ));
        let src = "[[rule]]\nid = \"x\"\ntype = \"NAME\"\npattern = 'a'\ncolour = 1\n";
        assert!(matches!(
            RuleSet::compile("t", src),
            Err(RuleError::Syntax { .. })
        ));
    }

    #[test]
    fn cue_rules_are_tried_where_their_cues_begin_and_find_what_a_whole_text_search_finds() {
        // A cue rule with `\b`, a cue rule with no `\b` (its first bytes alone would
        // leave it to the whole-text search), a word rule and a digit rule.
        let src = r#"
[[rule]]
id = "mrn"
type = "MRN"
pattern = '(?i)\b(?:mrn|chart\s*no)\s*:?\s*(?P<v>\d{4,8})'
[[rule]]
id = "tel"
type = "PHONE"
pattern = '(?i)(?:tel|ph(?:one)?|cell|mob|home|work|fax|pager|beep|call|text|reach|ring|dial)\s*(?P<v>\d{3}-\d{4})'
[[rule]]
id = "cap"
type = "NAME"
pattern = '\b[A-Z][a-z]+,\s(?P<v>9\d)\b'
[[rule]]
id = "zip"
type = "ZIP"
pattern = '\b\d{5}\b'
"#;
        let cued = RuleSet::compile("t", src).expect("rules");
        let whole = RuleSet::compile_with("t", src, Anchoring::Off).expect("rules");
        assert_eq!(
            cued.at_starts.len(),
            3,
            "a word-start group for digits, one for letters, and a cue group"
        );
        assert!(
            cued.anchored.iter().all(|&a| a),
            "every rule is tried anchored"
        );
        assert!(matches!(cued.at_starts[2].positions, Positions::Cues(..)));
        assert_eq!(cued.at_starts[2].rules, vec![0, 1]);
        assert_eq!(cued.at_starts[0].rules, vec![3], "zip begins with a digit");
        assert_eq!(cued.at_starts[1].rules, vec![2], "cap begins with a letter");
        let text = "MRN: 123456, chart no 7788; Xmrn 1234 is no cue. CELL 555-1234, \
                    xtel555-0000 and Home555-4321; Olsen, 93 y; zip 02139; PHONE 555-9876";
        let hits = |set: &RuleSet| {
            let mut cache = set.cache();
            let mut out = Vec::new();
            set.scan(text, &mut cache, |h| out.push(h));
            out
        };
        let found = hits(&cued);
        assert_eq!(found, hits(&whole));
        let values: Vec<&str> = found.iter().map(|h| &text[h.start..h.end]).collect();
        assert_eq!(
            values,
            ["123456", "7788", "555-1234", "555-0000", "555-4321", "93", "02139", "555-9876"]
        );
    }

    /// The built-in rule file, as the detector compiles it.
    const BUILT_IN_RULES: &str = include_str!("../../patterns/text/rules.toml");

    #[test]
    fn the_start_table_groups_share_one_pass_and_find_what_their_own_passes_find() {
        let set = RuleSet::compile("rules.toml", BUILT_IN_RULES).expect("rules");
        let route = set
            .table_route
            .as_deref()
            .expect("the built-in groups share a pass");
        // Every byte a start-table group may start on is routed to that group.
        for (g, a) in set.at_starts.iter().enumerate() {
            if let Positions::Table(table) = &a.positions {
                for b in 0..=255u8 {
                    let routed = usize::from(route[usize::from(b)]) == g;
                    assert_eq!(routed, table.may_start_on(b), "group {g}, byte {b}");
                }
            }
        }
        let mut own_passes = RuleSet::compile("rules.toml", BUILT_IN_RULES).expect("rules");
        own_passes.table_route = None;
        let text = "Pt Rosalind Okafor (MRN 4410827), DOB 03/14/1961, seen 12-Feb-2024 at \
                    Westfield,MA,01085 by Dr. Hale; call 413-555-0199 or r.okafor@mail.com. \
                    SSN 123-45-6789; +1 413 555 0100; _x9 #A12 ~Q7 \u{e9}t\u{e9} 42 y.o.\n\
                    Home: 12 Birch Lane\tWestfield|MA|01085|USA\r\nMyChart user rthack61";
        let hits = |set: &RuleSet| {
            let mut cache = set.cache();
            let mut out = Vec::new();
            set.scan(text, &mut cache, |h| out.push(h));
            out
        };
        let found = hits(&set);
        assert!(!found.is_empty());
        assert_eq!(found, hits(&own_passes));
    }

    #[test]
    fn defs_expand_and_unknown_defs_fail() {
        let mut defs = BTreeMap::new();
        defs.insert("d".to_string(), "\\d+".to_string());
        assert_eq!(expand_defs("a{{d}}b", &defs).as_deref(), Ok("a\\d+b"));
        assert!(expand_defs("{{zz}}", &defs).is_err());
        assert!(expand_defs("{{d", &defs).is_err());
    }

    /// The walk as it was before the kept start states and the untagged step: a start
    /// state asked of the automaton at every position, every byte stepped by `next_state`.
    fn walk_as_before(
        group: &AtStarts,
        hay: &[u8],
        at: usize,
        cache: &mut hybrid::dfa::Cache,
        set: &mut PatternSet,
    ) -> Result<(), ()> {
        let dfa = &group.which;
        let config = start::Config::new()
            .anchored(Anchored::Yes)
            .look_behind(at.checked_sub(1).map(|i| hay[i]));
        let mut sid = dfa.start_state(cache, &config).map_err(|_| ())?;
        let end = hay.len().min(at + MAX_WALK);
        for &b in &hay[at..end] {
            sid = dfa.next_state(cache, sid, b).map_err(|_| ())?;
            if sid.is_tagged() {
                if sid.is_match() {
                    add_matches(dfa, cache, sid, set);
                } else if sid.is_dead() {
                    return Ok(());
                } else if sid.is_quit() {
                    return Err(());
                }
            }
        }
        sid = match hay.get(end) {
            Some(&b) => dfa.next_state(cache, sid, b).map_err(|_| ())?,
            None => dfa.next_eoi_state(cache, sid).map_err(|_| ())?,
        };
        if sid.is_match() {
            add_matches(dfa, cache, sid, set);
        }
        Ok(())
    }

    /// The start states kept per look-behind byte are the automaton's own, and each
    /// group's walk finds at every position of a mixed text what the walk before finds.
    #[test]
    fn kept_start_states_and_untagged_steps_walk_as_before() {
        let set = RuleSet::compile("rules.toml", BUILT_IN_RULES).expect("rules");
        let text = "MRN: 123456\nSeen by Dr. Olsen, 93 y, at 12 Main St; ZIP 02139-1234.\n\
                    Tel (555) 123-4567, e-mail a.b@example.org; Åsa Öberg, DOB 03/04/1950; \
                    SSN 123-45-6789 on 2024-01-02. Ward 7B, bed 12.\r\nJOHN SMITH MD"
            .as_bytes();
        for group in &set.at_starts {
            let mut cache = group.cache();
            for look_behind in (0..=255u8).map(Some).chain([None]) {
                let kept = cache
                    .starts
                    .get(&group.which, &mut cache.which, look_behind);
                let config = start::Config::new()
                    .anchored(Anchored::Yes)
                    .look_behind(look_behind);
                let own = group
                    .which
                    .start_state(&mut cache.which, &config)
                    .map_err(|_| ());
                assert_eq!(kept, own, "{look_behind:?}");
            }
            let mut before_cache = group.which.create_cache();
            for at in 0..text.len() {
                let mut now = PatternSet::new(group.rules.len());
                let mut before = PatternSet::new(group.rules.len());
                let walked = group.walk(text, at, &mut cache.which, &mut cache.starts, &mut now);
                let walked_before = walk_as_before(group, text, at, &mut before_cache, &mut before);
                assert_eq!(walked, walked_before, "{at}");
                assert_eq!(
                    now.iter().collect::<Vec<_>>(),
                    before.iter().collect::<Vec<_>>(),
                    "{at}"
                );
            }
        }
    }
}
