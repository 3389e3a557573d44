//! The lexicon's side of the shared word table ([`crate::detect::words`]): each word's
//! flags, looked up once when the table is read. The cutting, shapes and the text's case
//! are the table's; they are re-exported here for the passes of this module.

pub(super) use crate::detect::words::{Shape, Word, Words};

use super::{Accent, Lexicon};

impl Lexicon {
    /// Reads `b` into `words`: cut once, each word's flags looked up as written where the
    /// view dropped `accents` inside it.
    pub(crate) fn read_words(&self, b: &[u8], accents: &[Accent], words: &mut Words) {
        words.read(b, accents, |start, end, inside| {
            self.flags_written(b, start, end, inside)
        });
    }
}
