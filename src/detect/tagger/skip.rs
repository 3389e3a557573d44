//! Which tokens the tagger need not score: its gate.
//!
//! Owns the question "can scoring this token change what the tagger reports?". Scoring a
//! token (its cached word sums plus ~25 context features) is most of the tagger's cost, and
//! most tokens of a note are lower-case words of the common vocabulary that cannot become
//! part of a reported span whatever they score. A token is tagged O without scoring when
//! it is all lower case, on a line that has capitals and lower case, on no name, place or
//! particle list, and either [`never_tagged`] (stop words, clinical words, credentials:
//! tagged O whatever the score) or an English word (`patient`, `walking`: alone it makes a
//! `plain_word` span, which is never reported).
//!
//! What this changes is the chain of previous tags (each token's tag is a feature of the
//! next two tokens): a skipped token counts as O there. So a word right after a tagged
//! token, or followed by a dot (`pl. Korczaka`), is scored. Capitalised words that start a
//! place (`Los`, `Port`, `New`, `Rue`) and tokens with digits (`B16`, `x977`) are
//! never-tagged too, but their tag leads the next word into a span (`Los Muermos`), so they
//! are scored as before. The corpora's changed spans are listed in `BENCHMARKS.md` (branch
//! `tagskip`). The decision reads only lexicon flags and capitalisation; training scores
//! every token, so the shipped weights stay valid.

use super::features::{cap, never_tagged, Token};
use crate::detect::lexicon::flag;

/// Whether the tagger scores every token (the reference, for comparisons) or only those
/// the gate lets through.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Gate {
    #[default]
    On,
    Off,
}

/// Flags that make a lower-case word a possible part of a name or place: list entries,
/// particles (`van`, `de`, `der`) and place starts.
const NAMELIKE: u64 =
    flag::NAME | flag::PLACE | flag::PLACE_START | flag::PARTICLE | flag::INNER_PARTICLE;

/// Whether token `t` is tagged O without scoring. `caseless`: it stands where capitals
/// tell nothing (see `gates`), where a lower-case word may well be a name. `prev_o`: the
/// token before was tagged O; after a tagged token even a lower-case word may carry the
/// span on (`Hrádek nad Nisou`), so it is scored. A word with a dot after it may be an
/// abbreviation that starts a street or place (`pl. Korczaka`), so it is scored too.
pub fn skip(t: &Token, caseless: bool, prev_o: bool) -> bool {
    !caseless
        && prev_o
        && t.punct_after != b'.'
        && t.cap == cap::LOWER
        && t.flags & NAMELIKE == 0
        && (never_tagged(t) || t.flags & flag::ENGLISH != 0)
}
