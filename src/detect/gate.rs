//! What a text rule's match must look like, read from its pattern, so the anchored rule
//! search can skip a position where no rule could match without running its automaton.
//!
//! Owns the analysis of a rule's syntax into a [`Shape`] (the classes of its first few
//! bytes, the bytes a match can hold at all, a set of bytes every match holds one of, and
//! its least length) and the [`GateTable`] of a group of rules: at a candidate position it
//! says which of the group's rules could still match there. Every test is a necessary
//! condition of a match, so a gate never drops one: a rule whose shape says nothing is
//! simply always tried. Everything is derived from the patterns (regex-syntax's HIR), so a
//! rule added to `patterns/text/*.toml` is gated correctly with no declaration.
//!
//! Used only with [`super::rules::Anchoring::AtStartsGated`]: on synthetic notes the tests
//! cost more instructions than the automaton walks they save (BENCHMARKS.md, 2026-12-01
//! 22:20), so the default search walks every candidate start.

use regex_syntax::hir::{Class, Hir, HirKind};

use super::starts::{is_word_byte, RuleStarts};

/// How many leading bytes of a match are classified.
const PREFIX_LEN: usize = 4;

/// A set of bytes.
type ByteSet = [bool; 256];

/// What every match of one rule is made of, as far as its pattern tells.
#[derive(Clone, Debug)]
pub struct Shape {
    /// For the first bytes of a match (as many as are certain): the bytes each can be.
    prefix: Vec<ByteSet>,
    /// The bytes a match can contain at all.
    alphabet: ByteSet,
    /// Every match contains at least one of these bytes (all bytes when none is known).
    needs: ByteSet,
    /// The least length of a match.
    min_len: usize,
}

impl Shape {
    /// Reads a pattern (definitions expanded), parsed as the rules are compiled. A pattern
    /// that does not parse here gets a shape that never excludes anything.
    pub fn of(pattern: &str) -> Shape {
        let hir = regex_syntax::ParserBuilder::new()
            .unicode(false)
            .utf8(false)
            .crlf(true)
            .build()
            .parse(pattern);
        let Ok(hir) = hir else {
            return Shape::anything();
        };
        let mut alphabet = [false; 256];
        alphabet_of(&hir, &mut alphabet);
        let (mut prefix, _) = prefix_of(&hir);
        prefix.truncate(PREFIX_LEN);
        Shape {
            prefix,
            alphabet,
            needs: needed_of(&hir).unwrap_or([true; 256]),
            min_len: hir.properties().minimum_len().unwrap_or(0),
        }
    }

    fn anything() -> Shape {
        Shape {
            prefix: Vec::new(),
            alphabet: [true; 256],
            needs: [true; 256],
            min_len: 0,
        }
    }

    /// Whether the run test ([`Runs`]) is worth making for this rule: it can exclude a
    /// position, and the rule's matches cannot cross a space, so a run is about a word
    /// long. (A run that crosses spaces is measured once per rule and text, over most of
    /// the text: on notes that cost more than the automaton walks it saved.)
    fn run_test_pays(&self) -> bool {
        let narrows = !self.alphabet.iter().all(|&b| b)
            || !self.needs.iter().all(|&b| b)
            || self.min_len > self.prefix.len();
        narrows && !self.alphabet[usize::from(b' ')]
    }
}

/// The bytes any match of `hir` can contain, added to `set`.
fn alphabet_of(hir: &Hir, set: &mut ByteSet) {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => {}
        HirKind::Literal(lit) => lit.0.iter().for_each(|&b| set[usize::from(b)] = true),
        HirKind::Class(class) => add_class(class, set),
        HirKind::Repetition(rep) => {
            if rep.max != Some(0) {
                alphabet_of(&rep.sub, set);
            }
        }
        HirKind::Capture(cap) => alphabet_of(&cap.sub, set),
        HirKind::Concat(parts) | HirKind::Alternation(parts) => {
            parts.iter().for_each(|p| alphabet_of(p, set));
        }
    }
}

/// Adds a class's bytes to `set`. A Unicode class (not produced with Unicode off, but
/// handled) adds every non-ASCII byte for any non-ASCII character it holds.
fn add_class(class: &Class, set: &mut ByteSet) {
    match class {
        Class::Bytes(c) => {
            for r in c.ranges() {
                (r.start()..=r.end()).for_each(|b| set[usize::from(b)] = true);
            }
        }
        Class::Unicode(c) => {
            for r in c.ranges() {
                for ch in r.start()..=r.end() {
                    match u8::try_from(u32::from(ch)) {
                        Ok(b) if b.is_ascii() => set[usize::from(b)] = true,
                        _ => {
                            (0x80..=0xFF).for_each(|b| set[b] = true);
                            break;
                        }
                    }
                }
            }
        }
    }
}

fn class_set(class: &Class) -> ByteSet {
    let mut set = [false; 256];
    add_class(class, &mut set);
    set
}

/// How often a byte is expected in clinical text, roughly (a higher weight is a worse
/// gate). Only the order matters: it picks which required byte set to test.
fn weight(b: u8) -> u32 {
    match b {
        b' ' => 150,
        b'a'..=b'z' => 40,
        b'\n' | b',' | b'.' => 12,
        b'A'..=b'Z' => 4,
        b'0'..=b'9' => 3,
        b'-' | b'/' | b':' | b'(' | b')' => 3,
        _ => 1,
    }
}

fn score(set: &ByteSet) -> u32 {
    (0..=255u8)
        .filter(|&b| set[usize::from(b)])
        .map(weight)
        .sum()
}

/// A set of bytes of which every match of `hir` contains at least one (the rarest such set
/// found), or `None` when no set is known.
fn needed_of(hir: &Hir) -> Option<ByteSet> {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => None,
        HirKind::Literal(lit) => {
            let rarest = lit.0.iter().copied().min_by_key(|&b| weight(b))?;
            let mut set = [false; 256];
            set[usize::from(rarest)] = true;
            Some(set)
        }
        HirKind::Class(class) => Some(class_set(class)),
        HirKind::Repetition(rep) => match rep.min {
            0 => None,
            _ => needed_of(&rep.sub),
        },
        HirKind::Capture(cap) => needed_of(&cap.sub),
        HirKind::Concat(parts) => parts.iter().filter_map(needed_of).min_by_key(score),
        HirKind::Alternation(branches) => {
            let mut union = [false; 256];
            for b in branches {
                let set = needed_of(b)?;
                (0..256).for_each(|i| union[i] |= set[i]);
            }
            Some(union)
        }
    }
}

/// The classes of the first bytes of every match of `hir`: entry `j` holds byte `j` of
/// every match longer than `j`. Each entry is a byte every match has (so the list is never
/// longer than the least match). The flag says whether every match is exactly as long as
/// the list (what follows in a concatenation then starts at a known offset).
fn prefix_of(hir: &Hir) -> (Vec<ByteSet>, bool) {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => (Vec::new(), true),
        HirKind::Literal(lit) => {
            let list = lit
                .0
                .iter()
                .map(|&b| {
                    let mut set = [false; 256];
                    set[usize::from(b)] = true;
                    set
                })
                .collect();
            (list, true)
        }
        HirKind::Class(class) => (vec![class_set(class)], true),
        HirKind::Capture(cap) => prefix_of(&cap.sub),
        HirKind::Concat(parts) => {
            let mut out = Vec::new();
            for part in parts {
                let (list, exact) = prefix_of(part);
                out.extend(list);
                if !exact || out.len() >= PREFIX_LEN {
                    let whole = exact && out.len() <= PREFIX_LEN;
                    return (out, whole);
                }
            }
            (out, true)
        }
        HirKind::Alternation(branches) => {
            let lists: Vec<(Vec<ByteSet>, bool)> = branches.iter().map(prefix_of).collect();
            let len = lists.iter().map(|(l, _)| l.len()).min().unwrap_or(0);
            let exact = lists.iter().all(|(l, e)| *e && l.len() == len);
            let out = (0..len)
                .map(|j| {
                    let mut set = [false; 256];
                    for (l, _) in &lists {
                        (0..256).for_each(|i| set[i] |= l[j][i]);
                    }
                    set
                })
                .collect();
            (out, exact)
        }
        HirKind::Repetition(rep) => {
            if rep.min == 0 {
                return (Vec::new(), rep.max == Some(0));
            }
            let (one, exact) = prefix_of(&rep.sub);
            if !exact {
                return (one, false);
            }
            let mut out = Vec::new();
            let times = usize::try_from(rep.min).unwrap_or(usize::MAX);
            for _ in 0..times {
                out.extend(one.iter().copied());
                if out.len() >= PREFIX_LEN || one.is_empty() {
                    break;
                }
            }
            let whole = rep.max == Some(rep.min) && out.len() <= PREFIX_LEN;
            // Only exact if every repetition was listed.
            let listed_all = one.is_empty() || out.len() == one.len() * times;
            (out, whole && listed_all)
        }
    }
}

/// A set of rules, one bit per rule of a group.
type Mask = Vec<u64>;

/// For a group of rules (tried anchored at candidate positions): which of them can match
/// at a position, from the bytes there.
#[derive(Clone, Debug)]
pub struct GateTable {
    /// Words per mask.
    words: usize,
    /// For offset `j` of a match and byte `b`: the rules whose match can have `b` there
    /// (rules that do not know their byte `j` allow every byte), at `(j * 256 + b) * words`.
    by_offset: Vec<u64>,
    /// The rules that need the byte before the match to be a non-word byte.
    word_start: Mask,
    /// The rules put to the run test (alphabet, required bytes, least length); the
    /// others need no more than the table.
    run_tested: Mask,
    /// Per rule, its run class (an index into `classes`; `usize::MAX` if not run-tested).
    class_of: Vec<usize>,
    /// Per rule, the least length of its match.
    min_len: Vec<usize>,
    /// The distinct (alphabet, required bytes) of the run-tested rules.
    classes: Vec<(ByteSet, ByteSet)>,
}

impl GateTable {
    /// The table of a group: `rules[k]` is the pattern and start of the group's rule `k`.
    pub fn build(rules: &[(&str, &RuleStarts)]) -> GateTable {
        let n = rules.len();
        let words = n.div_ceil(64).max(1);
        let mut by_offset = vec![0u64; PREFIX_LEN * 256 * words];
        let mut word_start = vec![0u64; words];
        let mut run_tested = vec![0u64; words];
        // Rules whose runs are measured share the measurement when their alphabet and
        // required bytes are the same.
        let mut classes: Vec<(ByteSet, ByteSet)> = Vec::new();
        let mut class_of = Vec::with_capacity(n);
        let mut min_len = Vec::with_capacity(n);
        for (k, (pattern, starts)) in rules.iter().enumerate() {
            let shape = Shape::of(pattern);
            let (w, bit) = (k / 64, 1u64 << (k % 64));
            for j in 0..PREFIX_LEN {
                for b in 0..256 {
                    let allowed = match (j, shape.prefix.get(j)) {
                        // The start analysis is kept as the first byte's test (it is what
                        // the start table already used).
                        (0, Some(set)) => set[b] && starts.first[b],
                        (0, None) => starts.first[b],
                        (_, Some(set)) => set[b],
                        (_, None) => true,
                    };
                    if allowed {
                        by_offset[(j * 256 + b) * words + w] |= bit;
                    }
                }
            }
            if starts.word_start {
                word_start[w] |= bit;
            }
            if shape.run_test_pays() {
                run_tested[w] |= bit;
                let key = (shape.alphabet, shape.needs);
                let class = match classes.iter().position(|c| *c == key) {
                    Some(c) => c,
                    None => {
                        classes.push(key);
                        classes.len() - 1
                    }
                };
                class_of.push(class);
            } else {
                class_of.push(usize::MAX);
            }
            min_len.push(shape.min_len);
        }
        GateTable {
            words,
            by_offset,
            word_start,
            run_tested,
            class_of,
            min_len,
            classes,
        }
    }

    /// A mask with room for this table's rules.
    pub fn mask(&self) -> Mask {
        vec![0; self.words]
    }

    /// Whether any rule of the group can match at `at`: the rules its bytes allow are left
    /// in `live`, then each rule that needs one is put to its run test.
    pub fn any_can_match(&self, hay: &[u8], at: usize, live: &mut Mask, runs: &mut Runs) -> bool {
        live.fill(u64::MAX);
        if at > 0 && is_word_byte(hay[at - 1]) {
            live.iter_mut()
                .zip(&self.word_start)
                .for_each(|(l, w)| *l &= !w);
        }
        for (j, &b) in hay[at..].iter().take(PREFIX_LEN).enumerate() {
            let row = &self.by_offset[(j * 256 + usize::from(b)) * self.words..];
            live.iter_mut().zip(row).for_each(|(l, r)| *l &= r);
        }
        // Rules only the table tests: if one is left, the position must be tried.
        if live.iter().zip(&self.run_tested).any(|(l, t)| l & !t != 0) {
            return true;
        }
        for (w, &word) in live.iter().enumerate() {
            let mut bits = word;
            while bits != 0 {
                let k = w * 64 + bits.trailing_zeros() as usize;
                bits &= bits - 1;
                let (Some(&class), Some(&min_len)) = (self.class_of.get(k), self.min_len.get(k))
                else {
                    return true;
                };
                let Some((alphabet, needs)) = self.classes.get(class) else {
                    return true;
                };
                if runs.may_hold(hay, at, class, alphabet, needs, min_len) {
                    return true;
                }
            }
        }
        false
    }

    /// The number of run classes (the length of [`Runs`]' state).
    pub fn classes(&self) -> usize {
        self.classes.len()
    }
}

/// Per run class, what is known about the text ahead while one text is scanned left to
/// right: where the run of the class's alphabet bytes ends and where its next required
/// byte is.
/// Positions only grow, so each is found once per text (amortised linear).
#[derive(Debug, Default)]
pub struct Runs {
    /// Per class: (run start, run end) of the last run measured.
    run: Vec<(usize, usize)>,
    /// Per class: position of the next required byte at or after the last query (or the
    /// text's length when there is none).
    next_need: Vec<usize>,
}

impl Runs {
    /// Forgets the previous text.
    pub fn reset(&mut self, classes: usize) {
        self.run.clear();
        self.run.resize(classes, (usize::MAX, 0));
        self.next_need.clear();
        self.next_need.resize(classes, usize::MAX);
    }

    /// Whether a match of a rule of class `k` can start at `at`: the bytes from `at` on
    /// that its alphabet allows are at least `min_len`, and hold one of its required bytes.
    fn may_hold(
        &mut self,
        hay: &[u8],
        at: usize,
        k: usize,
        alphabet: &ByteSet,
        needs: &ByteSet,
        min_len: usize,
    ) -> bool {
        let (Some(run), Some(need)) = (self.run.get_mut(k), self.next_need.get_mut(k)) else {
            return true;
        };
        // The last run measured covers `at` if it started at or before it and ends after
        // it (its end is then also the end of the run from `at`).
        if !(run.0 <= at && at < run.1) {
            let end = hay[at..]
                .iter()
                .position(|&b| !alphabet[usize::from(b)])
                .map_or(hay.len(), |i| at + i);
            *run = (at, end);
        }
        let end = run.1;
        if end - at < min_len {
            return false;
        }
        if *need == usize::MAX || *need < at {
            *need = hay[at..]
                .iter()
                .position(|&b| needs[usize::from(b)])
                .map_or(hay.len(), |i| at + i);
        }
        *need < end
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set_of(bytes: &[u8]) -> ByteSet {
        let mut s = [false; 256];
        bytes.iter().for_each(|&b| s[usize::from(b)] = true);
        s
    }

    #[test]
    fn an_email_needs_its_at_sign_and_no_space() {
        let s = Shape::of(r"\b[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+\.[A-Za-z]{2,}\b");
        assert_eq!(s.needs, set_of(b"@"));
        assert!(!s.alphabet[usize::from(b' ')] && s.alphabet[usize::from(b'@')]);
        assert_eq!(s.min_len, 6);
        assert_eq!(s.prefix.len(), 1);
    }

    #[test]
    fn prefixes_follow_fixed_parts_and_stop_at_variable_ones() {
        let s = Shape::of(r"(?i)\b(?:mrn|chart)\s*(?P<v>\d+)");
        assert_eq!(s.prefix.len(), 3);
        assert!(s.prefix[0][usize::from(b'M')] && s.prefix[0][usize::from(b'c')]);
        assert!(s.prefix[1][usize::from(b'R')] && s.prefix[1][usize::from(b'h')]);
        assert!(!s.prefix[1][usize::from(b'x')]);
        let s = Shape::of(r"\d{3}-\d{2}");
        assert_eq!(s.prefix.len(), PREFIX_LEN);
        assert!(s.prefix[3][usize::from(b'-')] && !s.prefix[3][usize::from(b'1')]);
        // An optional part ends what is known.
        let s = Shape::of(r"a?bc");
        assert!(s.prefix.is_empty());
        let s = Shape::of(r"\d{1,3}x");
        assert_eq!(s.prefix.len(), 1);
    }

    #[test]
    fn required_bytes_are_the_rarest_known_and_alternations_unite() {
        assert_eq!(Shape::of(r"[A-Z][a-z]+, [A-Z]{2}").needs, set_of(b","));
        let s = Shape::of(r"x\d+|y#");
        assert!(s.needs[usize::from(b'#')] && s.needs[usize::from(b'7')]);
        // A branch with nothing required leaves the rule with nothing required.
        assert!(Shape::of(r"a\d|\b").needs.iter().all(|&b| b));
    }

    #[test]
    fn the_table_keeps_a_position_only_where_a_rule_can_match() {
        let patterns = [
            r"\b[A-Za-z0-9][A-Za-z0-9.]*@[a-z]+\.[a-z]{2,}\b",
            r"(?i)\bmrn\s*\d+",
        ];
        let starts: Vec<RuleStarts> = patterns.iter().map(|p| RuleStarts::of(p)).collect();
        let rules: Vec<(&str, &RuleStarts)> = patterns.iter().copied().zip(&starts).collect();
        let table = GateTable::build(&rules);
        let mut live = table.mask();
        let mut runs = Runs::default();
        let mut at = |hay: &[u8], at: usize| {
            runs.reset(table.classes());
            table.any_can_match(hay, at, &mut live, &mut runs)
        };
        assert!(at(b"mail ann@x.org now", 5));
        assert!(!at(b"mail ann now @", 5), "the @ is past a space");
        assert!(at(b"MRN 12", 0));
        assert!(!at(b"MRI 12", 0));
        assert!(!at(b"xmrn 12", 1), "not at a word start");
    }
}
