//! The tagger's context features of few values, summed in advance.
//!
//! Owns the tables of those sums. Eight of a token's context features read only small
//! numbers: the capitalisation classes of the token and its neighbours, the marks just
//! before and after it, the two previous tags, a line break before it, and the scripts of
//! the token and its neighbours. Each takes at most a few thousand values, so at load every
//! value's weight rows are looked up once (through the same feature functions training
//! uses, [`super::features`]) and summed into a table; scoring a token then reads five table
//! entries instead of hashing eight features and reading eight rows. The sums are integers,
//! so the scores are exactly those of the features summed one by one (a test compares).

use super::features::{
    caps_around, line_start, previous_tags, punct_after, punct_before, scripts_around, Doc, Token,
    EDGE_CAP, EDGE_SCRIPT,
};
use super::memo::add;
use super::model::NCLASS;

/// Capitalisation classes of a token (`features::cap`, 0..=5), and with the edge.
const CAPS: usize = 6;
const CAPS_EDGE: usize = CAPS + 1;
/// Script classes of a token (`tokens::script_of`, 0..=8), and with the edge.
const SCRIPTS: usize = 9;
const SCRIPTS_EDGE: usize = SCRIPTS + 1;
/// Tags (previous predictions): the model's classes.
const TAGS: usize = NCLASS;

/// The sums, one table per group of features read together.
pub(super) struct Narrow {
    /// By (capitalisation before, the token's, after, text mostly capitals).
    caps: Vec<[i32; NCLASS]>,
    /// By the mark before, and the mark after (any byte).
    before: Box<[[i32; NCLASS]; 256]>,
    after: Box<[[i32; NCLASS]; 256]>,
    /// By (previous tag, the one before, the token's capitalisation, text mostly capitals,
    /// line break before): the previous-tag features and the line-start one.
    tags: Vec<[i32; NCLASS]>,
    /// By (the token's script, its capitalisation, script before, script after).
    scripts: Vec<[i32; NCLASS]>,
}

/// A capitalisation class as a table index: the edge after the six classes.
fn cap_index(cap: u64) -> usize {
    if cap == EDGE_CAP {
        CAPS
    } else {
        usize::try_from(cap).unwrap_or(usize::MAX)
    }
}

/// A script class as a table index: the edge after the nine classes.
fn script_index(script: u64) -> usize {
    if script == EDGE_SCRIPT {
        SCRIPTS
    } else {
        usize::try_from(script).unwrap_or(usize::MAX)
    }
}

/// The values a table index stands for, inverse of the index functions.
fn cap_value(k: usize) -> u64 {
    if k == CAPS {
        EDGE_CAP
    } else {
        k as u64
    }
}

fn script_value(k: usize) -> u64 {
    if k == SCRIPTS {
        EDGE_SCRIPT
    } else {
        k as u64
    }
}

/// Index of a row-major cell: `dims` are the table's dimensions, `at` the cell's place in
/// each; `None` when a place is out of its dimension (a value the tables were not built
/// for: the features are then summed one by one).
fn cell(dims: &[usize], at: &[usize]) -> Option<usize> {
    let mut k = 0;
    for (&d, &a) in dims.iter().zip(at) {
        if a >= d {
            return None;
        }
        k = k * d + a;
    }
    Some(k)
}

const CAPS_DIMS: [usize; 4] = [CAPS_EDGE, CAPS, CAPS_EDGE, 2];
const TAGS_DIMS: [usize; 5] = [TAGS, TAGS, CAPS, 2, 2];
const SCRIPTS_DIMS: [usize; 4] = [SCRIPTS, CAPS, SCRIPTS_EDGE, SCRIPTS_EDGE];

/// Every cell of a table of `dims`, in index order.
fn cells(dims: &[usize]) -> impl Iterator<Item = Vec<usize>> + '_ {
    let total: usize = dims.iter().product();
    (0..total).map(move |mut k| {
        let mut at = vec![0; dims.len()];
        for (a, &d) in at.iter_mut().zip(dims).rev() {
            *a = k % d;
            k /= d;
        }
        at
    })
}

impl Narrow {
    /// Sums every value's rows; `row(h)` is the weights' row of feature hash `h`.
    pub(super) fn build(row: impl Fn(u64) -> [i32; NCLASS]) -> Narrow {
        let caps = cells(&CAPS_DIMS)
            .map(|a| {
                let h = caps_around(cap_value(a[0]), a[1] as u64, cap_value(a[2]), a[3] as u64);
                row(h)
            })
            .collect();
        let marks = |f: fn(u8) -> u64| {
            Box::new(std::array::from_fn(|m| {
                row(f(u8::try_from(m).unwrap_or(u8::MAX)))
            }))
        };
        let tags = cells(&TAGS_DIMS)
            .map(|a| {
                let (p1, p2, cap0, upper) = (a[0] as u64, a[1] as u64, a[2] as u64, a[3] as u64);
                let mut s = row(line_start(a[4] == 1, cap0));
                previous_tags(p1, p2, cap0, upper, &mut |h| add(&mut s, row(h)));
                s
            })
            .collect();
        let scripts = cells(&SCRIPTS_DIMS)
            .map(|a| {
                let h = scripts_around(
                    a[0] as u64,
                    a[1] as u64,
                    script_value(a[2]),
                    script_value(a[3]),
                );
                row(h)
            })
            .collect();
        Narrow {
            caps,
            before: marks(punct_before),
            after: marks(punct_after),
            tags,
            scripts,
        }
    }

    /// Adds the narrow features of token `i` (previous tags `prev`, `prev2`) to `scores`;
    /// `row` as for [`Narrow::build`], for a value no table holds.
    pub(super) fn add_to(
        &self,
        scores: &mut [i32; NCLASS],
        d: &Doc<'_>,
        i: usize,
        (prev, prev2): (u8, u8),
        row: impl Fn(u64) -> [i32; NCLASS],
    ) {
        let t = &d.tokens[i];
        let before = i.checked_sub(1).and_then(|j| d.tokens.get(j));
        let after = d.tokens.get(i + 1);
        let cap = |t: Option<&Token>| t.map_or(EDGE_CAP, |t| u64::from(t.cap));
        let script = |t: Option<&Token>| t.map_or(EDGE_SCRIPT, |t| u64::from(t.script));
        let cap0 = u64::from(t.cap);
        let upper = u64::from(d.upper);
        let (p1, p2) = (u64::from(prev), u64::from(prev2));
        let c0 = cap_index(cap0);
        let u = usize::from(d.upper);

        let caps = [cap_index(cap(before)), c0, cap_index(cap(after)), u];
        match cell(&CAPS_DIMS, &caps).and_then(|k| self.caps.get(k)) {
            Some(s) => add(scores, *s),
            None => add(
                scores,
                row(caps_around(cap(before), cap0, cap(after), upper)),
            ),
        }
        add(scores, self.before[usize::from(t.punct_before)]);
        add(scores, self.after[usize::from(t.punct_after)]);
        let tags = [
            usize::from(prev),
            usize::from(prev2),
            c0,
            u,
            usize::from(t.newline_before),
        ];
        match cell(&TAGS_DIMS, &tags).and_then(|k| self.tags.get(k)) {
            Some(s) => add(scores, *s),
            None => {
                add(scores, row(line_start(t.newline_before, cap0)));
                previous_tags(p1, p2, cap0, upper, &mut |h| add(scores, row(h)));
            }
        }
        let s0 = u64::from(t.script);
        let scripts = [
            script_index(s0),
            c0,
            script_index(script(before)),
            script_index(script(after)),
        ];
        match cell(&SCRIPTS_DIMS, &scripts).and_then(|k| self.scripts.get(k)) {
            Some(s) => add(scores, *s),
            None => add(
                scores,
                row(scripts_around(s0, cap0, script(before), script(after))),
            ),
        }
    }
}
