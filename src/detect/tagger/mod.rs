//! The statistical tagger: names and places the rules cannot see.
//!
//! Owns a greedy averaged-perceptron token classifier (classes O, NAME, LOCATION) over
//! hashed features — the word, its shape, affixes, capitalisation and script (Latin,
//! Cyrillic, Han…, with the neighbours' scripts), its lexicon flags,
//! the two words and shapes either side, the punctuation around it and the previous tags —
//! and the spans it reports to [`super::Detector::scan`]. The weights and the decision
//! threshold are data (`patterns/model/`, see its README); [`train`] makes them from the
//! corpora the manifest declares, deterministically.
//!
//! Split by concern: `features` (tokens and feature hashes, shared with training),
//! `tokens` (cutting a text into tokens, one pass over its bytes), `model` (weights file and manifest), `train` (the trainer), `gates` (where the text's
//! style leaves capitals no evidence), `memo` (per-word sums), `narrow` (context features
//! of few values, summed in advance), `skip` (the tokens not worth scoring).

mod features;
mod gates;
mod memo;
pub mod model;
mod narrow;
#[cfg(test)]
mod reference;
mod skip;
mod tokens;
pub mod train;

use crate::patterns::Patterns;
use crate::phi::PhiType;
use features::{
    evidence, features_of, mostly_upper, never_tagged, plain_word, row, shaped, single_letter, Doc,
    Part, Token,
};
use model::{Manifest, Weights, NCLASS};
pub use skip::Gate;
use tokens::tokenize_known;

use super::lexicon::{KnownWords, Lexicon};

/// Where the manifest and weights live under `patterns/`.
pub const MANIFEST_FILE: &str = "model/MANIFEST.toml";
pub const WEIGHTS_FILE: &str = "model/tagger.bin";

/// The lexicon files whose flags are features: a model is only valid with the ones it was
/// trained with.
pub use super::lexicon::LEXICON_FILES;

/// A tagger manifest or weights file that cannot be used (never quotes input text).
#[derive(Debug, thiserror::Error)]
pub enum TaggerError {
    #[error("patterns/model/MANIFEST.toml: {0}")]
    Manifest(String),
    #[error("patterns/model/tagger.bin: {0}")]
    Weights(String),
    #[error("training input {file}: {reason}")]
    Input { file: String, reason: String },
}

/// The compiled tagger.
pub struct Tagger {
    /// The weights' scale and hash bits (their table is `rows`).
    weights: Weights,
    /// The weights, one row of class scores per hash bucket (one bounds check per row).
    rows: Vec<[i16; NCLASS]>,
    /// The context features of few values, summed in advance from `rows`.
    narrow: narrow::Narrow,
    /// The manifest's thresholds in quantised units: for a telling capital in mixed-case
    /// text (the corpora's own ground), and for every other token (all-capital and
    /// lower-case notes, where the model is further from what it was trained on).
    threshold: i32,
    threshold_unshaped: i32,
    /// Where capitals tell nothing (see [`gates`]): the bar for a token, and for a span
    /// without other evidence (the manifest's `[caseless]`; without it, the unshaped bar
    /// and `i32::MAX`, i.e. evidence needed as elsewhere).
    caseless_token: i32,
    caseless_span: i32,
    shift: u32,
    /// This tagger's identity for the per-word sums a scratch keeps ([`memo`]).
    id: u64,
}

/// Per-thread buffers.
#[derive(Default)]
pub struct TagScratch {
    tokens: Vec<Token>,
    sums: memo::TokenSums,
}

const O: u8 = 0;

impl Tagger {
    /// Loads the tagger from the manifest and weights; `None` when the weights file is
    /// empty (a patterns directory may switch the tagger off that way). A weights file
    /// whose sha256 is not the manifest's is refused, so a half-copied model never runs.
    pub fn load(p: &Patterns) -> Result<Option<Tagger>, TaggerError> {
        let bytes = p.get_bytes(WEIGHTS_FILE);
        if bytes.is_empty() {
            return Ok(None);
        }
        let manifest = Manifest::parse(p.get(MANIFEST_FILE))?;
        if model::sha256_hex(bytes) != manifest.weights_sha256 {
            return Err(TaggerError::Weights(
                "sha256 differs from the manifest's weights_sha256".into(),
            ));
        }
        let weights = Weights::read(bytes)?;
        if weights.bits != manifest.hash_bits {
            return Err(TaggerError::Weights(
                "hash bits differ from the manifest".into(),
            ));
        }
        let mut tagger = Tagger::new(weights, manifest.threshold, manifest.threshold_unshaped);
        if let Some(c) = manifest.caseless {
            tagger.caseless_token = tagger.quantise(c.token);
            tagger.caseless_span = tagger.quantise(c.span);
        }
        Ok(Some(tagger))
    }

    pub fn new(mut weights: Weights, threshold: f32, threshold_unshaped: f32) -> Tagger {
        // Thresholds are a few dozen units and the scale at most 32,000 per unit: far
        // inside i32 (and `as` saturates besides).
        #[allow(clippy::cast_possible_truncation)]
        let q = |t: f32| (t * weights.scale).round() as i32;
        let (threshold, threshold_unshaped) = (q(threshold), q(threshold_unshaped));
        let shift = 64 - u32::from(weights.bits);
        // The table moves into rows (not copied: it is the tagger's largest allocation).
        let rows: Vec<[i16; NCLASS]> = std::mem::take(&mut weights.table)
            .chunks_exact(NCLASS)
            .map(|r| std::array::from_fn(|c| r[c]))
            .collect();
        let narrow = narrow::Narrow::build(|h| row_of(&rows, h, shift));
        Tagger {
            weights,
            rows,
            narrow,
            threshold,
            threshold_unshaped,
            caseless_token: threshold_unshaped,
            caseless_span: i32::MAX,
            shift,
            id: memo::next_owner(),
        }
    }

    /// A threshold in the weights' quantised units.
    fn quantise(&self, t: f32) -> i32 {
        // As in `new`: a few dozen units times the scale, far inside i32.
        #[allow(clippy::cast_possible_truncation)]
        let q = (t * self.weights.scale).round() as i32;
        q
    }

    /// Calls `out` with each NAME or LOCATION span found in `text`. Adjacent tokens of one
    /// class separated only by spaces, dots or hyphens make one span.
    pub fn scan(
        &self,
        text: &str,
        lex: &Lexicon,
        s: &mut TagScratch,
        out: impl FnMut(usize, usize, PhiType),
    ) {
        self.scan_known(text, lex, None, s, out);
    }

    /// [`Tagger::scan`] reusing the flags of the lexicon scan's words of the same `text`
    /// (see [`KnownWords`]); the spans are the same.
    pub fn scan_known(
        &self,
        text: &str,
        lex: &Lexicon,
        known: Option<KnownWords<'_>>,
        s: &mut TagScratch,
        out: impl FnMut(usize, usize, PhiType),
    ) {
        self.scan_gated(text, lex, known, Gate::On, s, out);
    }

    /// [`Tagger::scan_known`] with the gate on or off (`Gate::Off` scores every token: the
    /// reference the gate is compared with).
    pub fn scan_gated(
        &self,
        text: &str,
        lex: &Lexicon,
        known: Option<KnownWords<'_>>,
        gate: Gate,
        s: &mut TagScratch,
        mut out: impl FnMut(usize, usize, PhiType),
    ) {
        tokenize_known(text, lex, known, &mut s.tokens);
        // The per-word sums read this tagger's weights and this lexicon's flags.
        let owner = (self.id, std::ptr::from_ref(lex).addr());
        let doc = Doc {
            text: text.as_bytes(),
            tokens: &s.tokens,
            upper: mostly_upper(text.as_bytes()),
        };
        let (mut prev, mut prev2) = (O, O);
        let mut open: Option<Open> = None;
        for (i, t) in doc.tokens.iter().enumerate() {
            let caseless = t.caseless;
            let scored = t.alpha && (gate == Gate::Off || !skip::skip(t, caseless, prev == O));
            let (best, sure, margin) = if scored {
                self.classify(&doc, i, prev, prev2, caseless, (owner, &mut s.sums))
            } else {
                (O, false, 0)
            };
            prev2 = prev;
            prev = best;
            let tag = if sure && !never_tagged(t) { best } else { O };
            match &mut open {
                Some(o) if o.class == tag && joins(&doc.text[o.end..t.start]) => {
                    o.end = t.end;
                    o.evidence |= evidence(&doc, i);
                    o.letters_only &= single_letter(t);
                    o.plain &= plain_word(t);
                    o.caseless &= caseless;
                    o.margin = o.margin.max(margin);
                }
                _ => {
                    if let Some(o) = open.take() {
                        o.report(self.caseless_span, &mut out);
                    }
                    open = (tag != O).then(|| Open {
                        start: t.start,
                        end: t.end,
                        class: tag,
                        evidence: evidence(&doc, i),
                        letters_only: single_letter(t),
                        plain: plain_word(t),
                        caseless,
                        margin,
                    });
                }
            }
        }
        if let Some(o) = open {
            o.report(self.caseless_span, &mut out);
        }
    }

    /// How often the gate fires on `text` (diagnostics, `examples/rulecost.rs`): tokens with
    /// a letter, and of them those the gate would skip after an O (an upper bound: after a
    /// tagged token it scores).
    pub fn gate_counts(&self, text: &str, lex: &Lexicon, s: &mut TagScratch) -> (usize, usize) {
        tokenize_known(text, lex, None, &mut s.tokens);
        let alpha = s.tokens.iter().filter(|t| t.alpha);
        let skipped = s
            .tokens
            .iter()
            .filter(|t| t.alpha && skip::skip(t, t.caseless, true));
        (alpha.count(), skipped.count())
    }

    /// The weights of feature hash `h`, one per class.
    fn row(&self, h: u64) -> [i32; NCLASS] {
        row_of(&self.rows, h, self.shift)
    }

    /// The best class of token `i`, whether it clears its threshold over O, and by how much
    /// it outscores O. `caseless`: the token stands where capitals tell nothing.
    fn classify(
        &self,
        d: &Doc<'_>,
        i: usize,
        prev: u8,
        prev2: u8,
        caseless: bool,
        (owner, sums): (memo::Owner, &mut memo::TokenSums),
    ) -> (u8, bool, i32) {
        // The token's own features are summed once per word (see `memo`); integer sums, so
        // the scores are exactly those of one sum over every feature.
        let mut scores = sums.get(owner, d, i, |h| self.row(h));
        features_of(d, i, prev, prev2, false, Part::Context, |h| {
            memo::add(&mut scores, self.row(h))
        });
        self.narrow
            .add_to(&mut scores, d, i, (prev, prev2), |h| self.row(h));
        let best = argmax(&scores);
        let margin = scores[best as usize] - scores[O as usize];
        let bar = if shaped(d, &d.tokens[i]) {
            self.threshold
        } else if caseless {
            self.caseless_token
        } else {
            self.threshold_unshaped
        };
        (best, best != O && margin >= bar, margin)
    }
}

/// The weights of feature hash `h` in `rows` (table `shift` as [`row`] reads it), one per
/// class.
fn row_of(rows: &[[i16; NCLASS]], h: u64, shift: u32) -> [i32; NCLASS] {
    rows.get(row(h, shift))
        .map_or([0; NCLASS], |r| r.map(i32::from))
}

/// The first highest score's index (ties go to O, the lowest index).
pub(crate) fn argmax(scores: &[i32; NCLASS]) -> u8 {
    let mut best = 0u8;
    for (c, &s) in (0u8..).zip(scores.iter()) {
        if s > scores[usize::from(best)] {
            best = c;
        }
    }
    best
}

/// A span being built from tagged tokens.
struct Open {
    start: usize,
    end: usize,
    class: u8,
    /// Some token has evidence beyond the score ([`evidence`]).
    evidence: bool,
    /// Every token is a lone letter.
    letters_only: bool,
    /// Every token is a [`plain_word`].
    plain: bool,
    /// Every token stands where capitals tell nothing ([`gates`]).
    caseless: bool,
    /// The highest margin over O of its tokens.
    margin: i32,
}

impl Open {
    /// Reports the span if it has evidence, or, where the text's style leaves capitals no
    /// evidence, a score of at least `caseless_bar`.
    fn report(self, caseless_bar: i32, out: &mut impl FnMut(usize, usize, PhiType)) {
        let style_excuses = self.caseless && self.margin >= caseless_bar;
        if (self.evidence || style_excuses) && !self.letters_only && !self.plain {
            out(self.start, self.end, class_type(self.class));
        }
    }
}

/// Whether the bytes between two tokens keep them in one entity (`Mary Ann`, `St. Paul`).
fn joins(gap: &[u8]) -> bool {
    !gap.is_empty() && gap.len() <= 3 && gap.iter().all(|c| matches!(c, b' ' | b'.' | b'-'))
}

fn class_type(c: u8) -> PhiType {
    if c == 1 {
        PhiType::Name
    } else {
        PhiType::Location
    }
}

/// sha256 over the lexicon files (name, length, contents), recorded in the manifest.
pub fn lexicon_digest(p: &Patterns) -> String {
    let mut buf = Vec::new();
    for name in LEXICON_FILES {
        let text = p.get(name);
        buf.extend_from_slice(name.as_bytes());
        buf.extend_from_slice(&(text.len() as u64).to_le_bytes());
        buf.extend_from_slice(text.as_bytes());
    }
    model::sha256_hex(&buf)
}

#[cfg(test)]
mod tests;
