//! Where capitals tell nothing: the text's style as a gate for the tagger's spans.
//!
//! Owns the question "is this token's capitalisation evidence at all?". A span the model
//! scores well is normally reported only with evidence beyond its score (a telling capital,
//! a listed name, a cue word: `features::evidence`). On a line whose letters are all one
//! case (an all-capital ICU line, an all-lower-case portal message), and for a word in a
//! script without case (Han, Arabic, Tamil), no capital can tell, so that evidence is
//! missing by the style, not by the word. Such a span may instead clear a higher score bar
//! (`threshold_caseless` in `patterns/model/MANIFEST.toml`).

use super::features::Token;

/// The case of the line being read: whether it has capitals and lower-case letters so far.
/// The tokeniser ([`super::tokens`]) tells it every cased character, token or not, and
/// closes it at each line break.
#[derive(Default)]
pub struct LineCase {
    upper: bool,
    lower: bool,
}

impl LineCase {
    /// A character (or run of them) of the line, with or without a capital and a lower-case
    /// letter.
    pub fn add(&mut self, upper: bool, lower: bool) {
        self.upper |= upper;
        self.lower |= lower;
    }

    /// Ends the line whose tokens are `tokens`: where its cased letters are all one case,
    /// capitals tell nothing in any of them ([`Token::caseless`], already set for a word
    /// whose script has no case). Then starts the next line.
    pub fn close(&mut self, tokens: &mut [Token]) {
        if self.upper != self.lower {
            for t in tokens {
                t.caseless = true;
            }
        }
        *self = LineCase::default();
    }
}
