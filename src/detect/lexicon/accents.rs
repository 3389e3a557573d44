//! Words the canonical view wrote without their accents (issue 13).
//!
//! Owns how a word whose letters lost their accents in the view (`Åsa` read as `Asa`) gets
//! its flags. The name and place lists are written without accents, so the folded word
//! keeps its list evidence; but a word is a known safe word (English, clinical vocabulary,
//! a stop word, a name common as a word) only when its own spelling is one: `Åsa` is not
//! `asa` (aspirin), `Ángel` is not `angel`. Eponyms written with their accents (`Sjögren`,
//! `Ménière`) are in the clinical vocabulary as written, so they stay safe.

use super::{flag, Lexicon};
use crate::canon::Accent;
// The cursor is the word table's: the scan and its passes read accents the same way.
pub use crate::detect::words::AccentCursor;

/// Flags that say a word is ordinary vocabulary or a surname particle, never a name on its
/// own: read only from the word's own spelling, never from its folded one (`Văn` and `Lê`
/// of a Vietnamese name are not the particles `van` and `le`).
const SAFE: u64 = flag::ENGLISH
    | flag::RARE
    | flag::COMMON
    | flag::VOCAB
    | flag::STOP
    | flag::CLINICAL
    | flag::CREDENTIAL
    | flag::FACILITY
    | flag::PARTICLE
    | flag::INNER_PARTICLE;

/// `text[start..end]` with each accent's letter written back (`Asa` → `Åsa`); `None` when
/// an accent does not sit on character boundaries of the word.
pub(super) fn own_spelling(
    text: &[u8],
    start: usize,
    end: usize,
    accents: &[Accent],
) -> Option<String> {
    let mut out = String::with_capacity(end - start + 2 * accents.len());
    let mut pos = start;
    for a in accents {
        let stop = a.at + a.len;
        if a.at < pos || stop > end {
            return None;
        }
        out.push_str(std::str::from_utf8(text.get(pos..a.at)?).ok()?);
        out.push(a.letter);
        pos = stop;
    }
    out.push_str(std::str::from_utf8(text.get(pos..end)?).ok()?);
    Some(out)
}

impl Lexicon {
    /// Flags of the view word `text[start..end]`, given the accents the view dropped inside
    /// it: its list and cue evidence as folded, its safe-word flags only as written.
    pub fn flags_written(&self, text: &[u8], start: usize, end: usize, inside: &[Accent]) -> u64 {
        let folded = self.flags(&text[start..end]);
        if inside.is_empty() {
            return folded;
        }
        let own = own_spelling(text, start, end, inside).map_or(0, |w| self.flags(w.as_bytes()));
        folded & !SAFE | own
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::canon::Canon;
    use crate::patterns::Patterns;

    fn lexicon() -> Lexicon {
        Lexicon::build(&super::super::LexiconSources::of(&Patterns::builtin())).expect("lexicon")
    }

    /// The flags of each view word of `s`, as the scan reads them.
    fn view_flags(lex: &Lexicon, s: &str) -> Vec<(String, u64)> {
        let view = Canon::of(s).expect("a view");
        let text = view.text().as_bytes();
        let mut cursor = AccentCursor::new(view.accents());
        let mut out = Vec::new();
        for (start, w) in view.text().split(' ').scan(0, |at, w| {
            let s = *at;
            *at += w.len() + 1;
            Some((s, w))
        }) {
            let end = start + w.len();
            let f = lex.flags_written(text, start, end, cursor.within(start, end));
            out.push((w.to_string(), f));
        }
        out
    }

    /// What the detector finds in the canonical view of `s`, as view strings.
    fn found(d: &crate::detect::Detector, s: &str) -> Vec<String> {
        let view = Canon::of(s);
        let (text, accents) = view
            .as_ref()
            .map_or((s, &[][..]), |c| (c.text(), c.accents()));
        let mut scratch = d.scratch();
        d.scan_accented(text, accents, None, &mut scratch)
            .iter()
            .map(|x| text[x.start..x.end].to_string())
            .collect()
    }

    /// `Åsa` is found as a name where `Asa` written plainly is aspirin; accented words
    /// beside a capitalised word are a name in mixed case and in capitals, but not the
    /// title or the English word next to them.
    #[test]
    fn accented_names_are_found_and_plain_words_kept() {
        let d = crate::detect::Detector::build(&Patterns::builtin()).expect("patterns");
        let f = found(&d, "Patient Åsa Lindqvist seen for hand therapy.");
        assert!(f.iter().any(|x| x.starts_with("Asa")), "{f:?}");
        let f = found(
            &d,
            "Pt takes ASA 81 mg daily; asa held before the injection.",
        );
        assert!(!f.iter().any(|x| x.to_lowercase().contains("asa")), "{f:?}");
        let f = found(&d, "DISCUSSED THE SPLINT. SEEN ÓLAFUR HRAPPSSON TODAY.");
        assert!(f.iter().any(|x| x.contains("OLAFUR")), "{f:?}");
        assert!(!f.iter().any(|x| x.contains("SEEN")), "{f:?}");
        let f = found(&d, "Hx of Sjögren syndrome and Ménière disease.");
        assert!(f.is_empty(), "{f:?}");
    }

    #[test]
    fn own_spelling_writes_the_accents_back() {
        for s in [
            "Åsa",
            "Đorđević",
            "Pádraig Ó Súilleabháin",
            "Chloë",
            "Işıl",
            "Gülçe",
        ] {
            let view = Canon::of(s).expect("a view");
            let t = view.text().as_bytes();
            assert_eq!(
                own_spelling(t, 0, t.len(), view.accents()).as_deref(),
                Some(s),
                "{s}"
            );
        }
        // Decomposed input is written back composed.
        let nfd = "A\u{30a}sa Lindqvist";
        let view = Canon::of(nfd).expect("a view");
        assert_eq!(view.text(), "Asa Lindqvist");
        let t = view.text().as_bytes();
        assert_eq!(
            own_spelling(t, 0, 3, view.accents()).as_deref(),
            Some("Åsa")
        );
    }

    /// `Åsa` keeps the first-name evidence of `asa` but not its clinical sense; the ASCII
    /// `ASA` is still aspirin; eponyms written with accents stay clinical.
    #[test]
    fn a_folded_word_is_safe_only_as_written() {
        let lex = lexicon();
        let safe = flag::CLINICAL | flag::ENGLISH | flag::STOP | flag::VOCAB | flag::COMMON;
        let asa = lex.flags(b"asa");
        assert_ne!(asa & flag::CLINICAL, 0);
        assert_ne!(asa & flag::FIRST, 0);
        let f = view_flags(&lex, "Åsa Ángel");
        assert_eq!(f[0].1 & safe, 0, "{f:?}");
        assert_ne!(f[0].1 & flag::FIRST, 0, "{f:?}");
        assert_eq!(f[1].1 & (flag::ENGLISH | flag::COMMON), 0, "{f:?}");
        for w in ["Sjögren", "Ménière", "Barré", "Bárány"] {
            let f = view_flags(&lex, w);
            assert_ne!(f[0].1 & flag::CLINICAL, 0, "{w}: {f:?}");
        }
    }
}
