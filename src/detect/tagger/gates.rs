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

/// Fills `out` with one flag per token: whether it stands where capitals tell nothing.
pub fn caseless_tokens(text: &str, tokens: &[Token], out: &mut Vec<bool>) {
    out.clear();
    let mut line = LineCase::default();
    for t in tokens {
        if t.start >= line.end {
            line = LineCase::around(text, t.start);
        }
        out.push(line.one_case || uncased(&text[t.start..t.end]));
    }
}

/// The case of the line holding a given byte.
#[derive(Default)]
struct LineCase {
    /// Byte just past the line's end.
    end: usize,
    /// The line has cased letters, all upper or all lower case.
    one_case: bool,
}

impl LineCase {
    /// The line holding byte `at`. The line's letters are read once, ASCII bytes by a
    /// table-free test and only other characters decoded (this runs over every byte of
    /// every text the tagger sees).
    fn around(text: &str, at: usize) -> LineCase {
        let b = text.as_bytes();
        let start = b[..at]
            .iter()
            .rposition(|&c| c == b'\n')
            .map_or(0, |p| p + 1);
        let end = b[at..]
            .iter()
            .position(|&c| c == b'\n')
            .map_or(b.len(), |p| at + p);
        let (mut upper, mut lower) = (false, false);
        let line = &b[start..end];
        let mut i = 0;
        while i < line.len() {
            let c = line[i];
            if c < 0x80 {
                upper |= c.is_ascii_uppercase();
                lower |= c.is_ascii_lowercase();
                i += 1;
                continue;
            }
            // A character beyond ASCII: decode it (`i` stays on character boundaries).
            let ch = text
                .get(start + i..)
                .and_then(|rest| rest.chars().next())
                .unwrap_or(' ');
            upper |= ch.is_uppercase();
            lower |= ch.is_lowercase();
            i += ch.len_utf8();
        }
        LineCase {
            end,
            one_case: upper != lower,
        }
    }
}

/// A word with no cased letter (`张伟`, `محمد`): its script has no capitals to tell.
fn uncased(word: &str) -> bool {
    // An ASCII letter is cased: most words are answered by that alone.
    if word.bytes().any(|b| b.is_ascii_alphabetic()) {
        return false;
    }
    word.chars()
        .all(|c| !c.is_alphabetic() || !(c.is_uppercase() || c.is_lowercase()))
}
