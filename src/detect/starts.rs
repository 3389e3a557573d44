//! Where a text rule's match can start, read from its pattern.
//!
//! Owns the analysis of a rule's syntax (its possible first bytes; whether every match
//! begins at a word boundary) and the [`StartTable`] a group of rules is searched with:
//! one byte lookup says whether any rule of the group could start a match at a position,
//! so the group's automaton runs anchored at those positions only, instead of walking
//! every byte of the text. Everything here is derived from the patterns themselves, so a
//! new rule needs no declaration: a rule whose starts cannot be narrowed is searched as
//! before, over the whole text.

use regex_syntax::hir::{Hir, HirKind, Look};

/// Where, at most, one rule's matches can start.
#[derive(Clone, Copy, Debug)]
pub struct RuleStarts {
    /// The bytes a match can begin with (all bytes when that is not finite).
    pub first: [bool; 256],
    /// Every match begins at a word boundary and with a word byte, so the byte before it
    /// (if any) is not a word byte.
    pub word_start: bool,
    /// Every match begins at the start of a line (`(?m)^`, `\A`), so it starts the text or
    /// follows a line break.
    pub line_start: bool,
}

/// More distinct first bytes than this, without a word boundary in front, and a rule can
/// start almost anywhere: it is searched over the whole text instead.
const MAX_LOOSE_FIRST_BYTES: usize = 12;

impl RuleStarts {
    /// Reads a pattern (with its definitions expanded). A pattern that does not parse here
    /// can start anywhere, which is always correct.
    /// (The rule set reads parsed patterns, [`RuleStarts::of_hir`]; the tests read text.)
    #[cfg(test)]
    pub fn of(pattern: &str) -> RuleStarts {
        let hir = regex_syntax::ParserBuilder::new()
            .unicode(false)
            .utf8(false)
            .build()
            .parse(pattern);
        let Ok(hir) = hir else {
            return RuleStarts {
                first: [true; 256],
                word_start: false,
                line_start: false,
            };
        };
        RuleStarts::of_hir(&hir)
    }

    /// Reads a pattern already parsed (the rule set parses each pattern once, as it is
    /// compiled, for all its readings).
    pub fn of_hir(hir: &Hir) -> RuleStarts {
        let first = first_bytes_of(hir);
        let all_word_bytes = (0..=255u8).all(|b| !first[usize::from(b)] || is_word_byte(b));
        RuleStarts {
            first,
            word_start: all_word_bytes && begins_at_word_boundary(hir),
            line_start: begins_at_line_start(hir),
        }
    }

    /// Whether the positions this rule can start at are few enough to visit one by one
    /// (line starts are: a rule anchored there, such as a contact list's row, would
    /// otherwise walk the whole text for the few lines it can match).
    pub fn narrow(&self) -> bool {
        self.word_start
            || self.line_start
            || self.first.iter().filter(|&&b| b).count() <= MAX_LOOSE_FIRST_BYTES
    }
}

/// The bytes a match of `hir` can begin with (all bytes when that is not finite).
fn first_bytes_of(hir: &Hir) -> [bool; 256] {
    use regex_syntax::hir::literal::{ExtractKind, Extractor};
    let mut set = [true; 256];
    let mut ex = Extractor::new();
    ex.kind(ExtractKind::Prefix)
        .limit_literal_len(1)
        .limit_class(256)
        .limit_total(512);
    let seq = ex.extract(hir);
    if let Some(lits) = seq.literals() {
        if lits.iter().all(|l| !l.as_bytes().is_empty()) {
            set = [false; 256];
            for l in lits {
                set[usize::from(l.as_bytes()[0])] = true;
            }
        }
    }
    set
}

/// Whether every match of `hir` begins with a word-boundary assertion (`\b`, `\b{start}`).
/// Conservative: anything it does not recognise answers no.
fn begins_at_word_boundary(hir: &Hir) -> bool {
    match hir.kind() {
        HirKind::Look(look) => matches!(
            look,
            Look::WordAscii | Look::WordStartAscii | Look::WordStartHalfAscii
        ),
        HirKind::Concat(parts) => parts.first().is_some_and(begins_at_word_boundary),
        HirKind::Alternation(branches) => branches.iter().all(begins_at_word_boundary),
        HirKind::Capture(cap) => begins_at_word_boundary(&cap.sub),
        HirKind::Repetition(rep) => rep.min > 0 && begins_at_word_boundary(&rep.sub),
        HirKind::Empty | HirKind::Literal(_) | HirKind::Class(_) => false,
    }
}

/// Whether every match of `hir` begins with a start-of-line or start-of-text assertion
/// (`(?m)^`, `^`, `\A`). Conservative: anything it does not recognise answers no.
fn begins_at_line_start(hir: &Hir) -> bool {
    match hir.kind() {
        HirKind::Look(look) => matches!(look, Look::Start | Look::StartLF | Look::StartCRLF),
        HirKind::Concat(parts) => parts.first().is_some_and(begins_at_line_start),
        HirKind::Alternation(branches) => branches.iter().all(begins_at_line_start),
        HirKind::Capture(cap) => begins_at_line_start(&cap.sub),
        HirKind::Repetition(rep) => rep.min > 0 && begins_at_line_start(&rep.sub),
        HirKind::Empty | HirKind::Literal(_) | HirKind::Class(_) => false,
    }
}

/// Whether `p` starts a line: the text's start, or just after a line feed or a carriage
/// return (the rules are compiled with `crlf`, so `(?m)^` holds after either).
fn at_line_start(hay: &[u8], p: usize) -> bool {
    p == 0 || matches!(hay[p - 1], b'\n' | b'\r')
}

/// An ASCII word byte, as the ASCII `\b` of the rules' syntax reads it.
pub fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// What a byte says about whether a group's match can start on it. Each kind allows a
/// superset of the positions of the kinds before it (a line break is not a word byte), so
/// the union of two rules' kinds is the later one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Start {
    Never,
    /// Only at the start of a line.
    AfterLineBreak,
    /// Only where the previous byte is not a word byte.
    AfterNonWordByte,
    Anywhere,
}

/// For a group of rules, the positions where any of them can start a match.
#[derive(Clone, Debug)]
pub struct StartTable {
    by_byte: Box<[Start; 256]>,
}

impl StartTable {
    /// The union of the rules' possible starts.
    pub fn union<'a>(rules: impl IntoIterator<Item = &'a RuleStarts>) -> StartTable {
        StartTable::union_within(rules, |_| true)
    }

    /// The union of the rules' possible starts at the bytes `within` accepts only: a
    /// group that shares its rules' starts with other groups by first byte.
    pub fn union_within<'a>(
        rules: impl IntoIterator<Item = &'a RuleStarts>,
        within: impl Fn(u8) -> bool,
    ) -> StartTable {
        let mut by_byte = Box::new([Start::Never; 256]);
        for r in rules {
            let kind = match (r.line_start, r.word_start) {
                (true, _) => Start::AfterLineBreak,
                (false, true) => Start::AfterNonWordByte,
                (false, false) => Start::Anywhere,
            };
            for (b, slot) in by_byte.iter_mut().enumerate() {
                if r.first[b] && u8::try_from(b).is_ok_and(&within) {
                    *slot = (*slot).max(kind);
                }
            }
        }
        StartTable { by_byte }
    }

    /// The first position at or after `from` where a match of the group can start.
    pub fn next(&self, hay: &[u8], from: usize) -> Option<usize> {
        (from..hay.len()).find(|&p| self.allows(hay, p))
    }

    /// Whether a match of the group can start on byte `b` anywhere (what [`Self::allows`]
    /// may answer yes to; no where it always answers no).
    pub fn may_start_on(&self, b: u8) -> bool {
        self.by_byte[usize::from(b)] != Start::Never
    }

    /// Whether a match of the group can start at `p` (a position inside `hay`).
    pub fn allows(&self, hay: &[u8], p: usize) -> bool {
        match self.by_byte[usize::from(hay[p])] {
            Start::Never => false,
            Start::AfterLineBreak => at_line_start(hay, p),
            Start::Anywhere => true,
            Start::AfterNonWordByte => p == 0 || !is_word_byte(hay[p - 1]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first_bytes(pattern: &str) -> [bool; 256] {
        RuleStarts::of(pattern).first
    }

    #[test]
    fn first_bytes_follow_the_pattern() {
        let digits = first_bytes(r"\b\d{3}-\d{2}");
        assert!(digits[usize::from(b'7')] && !digits[usize::from(b'a')]);
        let cue = first_bytes(r"(?i)\b(?:mrn|chart)");
        assert!(cue[usize::from(b'M')] && cue[usize::from(b'c')] && !cue[usize::from(b'x')]);
        assert!(first_bytes(r"\w*x").iter().all(|&b| b) || first_bytes(r"\w*x")[usize::from(b'x')]);
    }

    #[test]
    fn a_word_boundary_in_front_of_every_branch_is_recognised() {
        assert!(RuleStarts::of(r"\b\d{3}-\d{4}\b").word_start);
        assert!(RuleStarts::of(r"(?i)\b(?:mrn|chart)\s*(?P<v>\d+)").word_start);
        assert!(RuleStarts::of(r"\b\d{3}|\b[A-Z]{2}\d").word_start);
        // One branch without `\b`, an optional `\b`, or a non-word first byte: no.
        assert!(!RuleStarts::of(r"\b\d{3}|x\d").word_start);
        assert!(!RuleStarts::of(r"(?:\b[0-9a-f]{1,4})?::").word_start);
        assert!(!RuleStarts::of(r"\b\(\d{3}\)").word_start);
        assert!(!RuleStarts::of(r"(?:^|[^0-9])'(?P<v>\d\d)\b").narrow());
        assert!(RuleStarts::of(r"\+[1-9]\d{9,14}\b").narrow());
    }

    #[test]
    fn a_line_start_in_front_of_every_branch_is_recognised() {
        let row = RuleStarts::of(r"(?m)^[^\S\n]*(?:\|[^\S\n]*)?[A-Za-z\x80-\xFF]+\t+\d+");
        assert!(row.line_start && !row.word_start && row.narrow());
        assert!(RuleStarts::of(r"(?m)^a|^b").line_start);
        // One branch without `^`, or an optional `^`: no.
        assert!(!RuleStarts::of(r"(?m)^a|b").line_start);
        assert!(!RuleStarts::of(r"(?m)(?:^)?[ a-z]+x").line_start);
    }

    #[test]
    fn a_line_start_rule_is_tried_only_where_a_line_starts() {
        let rules = [
            RuleStarts::of(r"(?m)^[^\S\n]*[a-z]+"),
            RuleStarts::of(r"\b\d{3}"),
        ];
        let t = StartTable::union(&rules);
        let hay = b"ab 123\n  cd\rx 9";
        let mut found = Vec::new();
        let mut p = 0;
        while let Some(q) = t.next(hay, p) {
            found.push(q);
            p = q + 1;
        }
        // The text's start, the digits after a space, the space after `\n` (not the one
        // after it), the letter after `\r`, and `9`, which starts a word.
        assert_eq!(found, vec![0, 3, 7, 12, 14]);
    }

    #[test]
    fn the_table_stops_only_where_a_rule_can_start() {
        let rules = [
            RuleStarts::of(r"\b\d{3}-\d{4}\b"),
            RuleStarts::of(r"\+[1-9]\d{9,14}\b"),
        ];
        let t = StartTable::union(&rules);
        let hay = b"ab12 x+44 9a";
        let mut found = Vec::new();
        let mut p = 0;
        while let Some(q) = t.next(hay, p) {
            found.push(q);
            p = q + 1;
        }
        // Not `1` or `2` (inside the word `ab12`); `+` anywhere; the `4` after `+` and the
        // `9` after a space start words.
        assert_eq!(found, vec![6, 7, 10]);
    }
}
