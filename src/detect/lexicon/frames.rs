//! Persons read from the frame around them in general-domain messages (issue 13, stop 55,
//! helper `names55`).
//!
//! Owns four readings where the words on both sides of a name, not the name's own lists,
//! say a person is meant, so a given name that is also a word (`Jade`, `brook`) or a name no
//! list holds (`xanthia boesch`) is read: a given name right before a telephone number in
//! brackets (`Guide: Jade (+46 72 056 30 16)`); a lower-case given name signing a message
//! after a spaced dash at the line's end (`if u want his number - john`); one to three
//! name words between an introduction and a word that says who is talking or where they
//! are from (`hi this is april bates calling`, `So proud of xanthia boesch from`); and a
//! given name before `from number` and a house number, how neighbours are named (`brook
//! from number 134 spotted him`). Each starts from a cheap test of the bytes beside the
//! word and reads only its neighbours.

use super::flag;
use super::person::NOT_A_PERSON;
use super::unlisted::NOT_UNLISTED;
use super::words::Shape;
use super::Ctx;
use crate::phi::PhiType;

/// Words after a name that say the person is talking or where they are from (`this is
/// april bates calling`, `proud of xanthia boesch from Löningen`).
const FRAME_TAILS: [&[u8]; 4] = [b"calling", b"speaking", b"here", b"from"];

/// Flags of a word that is never a name word inside a frame: vocabulary, cues, titles,
/// places, function words.
const FRAME_BLOCKED: u64 = NOT_A_PERSON | flag::STOP | flag::VOCAB | flag::PLACE_CUE;

/// The digits of a telephone number in brackets right at `rest`'s start (`(+46 (0)72 056
/// 30 16)`, `((057)-6315377)`): seven digits or more before the closing bracket, and only
/// the marks numbers are written with between them. `None` if no such number opens `rest`.
fn bracketed_phone_digits(rest: &[u8]) -> Option<usize> {
    let inner = rest.strip_prefix(b"(")?;
    if !matches!(inner.first(), Some(b'+' | b'(' | b'0'..=b'9')) {
        return None;
    }
    let mut digits = 0;
    let mut depth = 1;
    for &c in inner.iter().take(32) {
        match c {
            b'0'..=b'9' => digits += 1,
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    return (digits >= 7).then_some(digits);
                }
            }
            b' ' | b'+' | b'-' | b'.' | b'/' => {}
            _ => return None,
        }
    }
    None
}

impl Ctx<'_> {
    /// `Guide: Jade (+46 (0)72 056 30 16)`, `keys with Dirk ((057)-6315377)`: in mixed-case
    /// text a capitalised given name (a word too, such as `Jade`, `Ocean`, `Brook`) right
    /// before a telephone number in brackets is the person the number reaches. Words that
    /// are no given name (`Pharmacy (555-123-4567)`, `Office (…)`) stay.
    pub(super) fn mark_given_before_phone(&self, i: usize, marks: &mut [Option<PhiType>]) {
        let w = &self.words[i];
        // The cheap test first: most words are followed by no ` (`.
        if marks[i].is_some() || !self.text[w.end..].starts_with(b" (") {
            return;
        }
        if !self.word_name_candidate(i) {
            return;
        }
        if bracketed_phone_digits(&self.text[w.end + 1..]).is_some() {
            marks[i] = Some(PhiType::Name);
        }
    }

    /// `if u want his number - john`, `see you there - rebekah`: in mixed-case text a
    /// lower-case given name after a spaced dash that closes its line (or the text) signs
    /// the message. A listed given name that is no common word, vocabulary or function word,
    /// so `Diet - regular`, `Code status - full` and `- none` stay; the dash follows a word
    /// on the same line, so a bulleted list's `- item` is not read.
    pub(super) fn mark_lower_dash_signature(&self, i: usize, marks: &mut [Option<PhiType>]) {
        let w = &self.words[i];
        if marks[i].is_some()
            || self.caps_mode
            || w.shape != Shape::Lower
            || w.end - w.start < 3
            || !self.text[..w.start].ends_with(b" - ")
        {
            return;
        }
        let before = &self.text[..w.start - 3];
        let signed_after_words = before
            .last()
            .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'!' | b'?' | b')'));
        let rest = &self.text[w.end..];
        let closes_line = rest
            .iter()
            .position(|c| *c != b' ')
            .is_none_or(|p| matches!(rest[p], b'\n' | b'\r'));
        // An English word only when many people bear it (`john`, not `rose`: `COMMON`).
        let given = self.has(i, flag::FIRST)
            && !self.has(i, FRAME_BLOCKED | flag::COMMON | flag::NEVER_NAME)
            && (!self.has(i, flag::ENGLISH) || self.has(i, flag::POPULAR));
        if signed_after_words && closes_line && given {
            marks[i] = Some(PhiType::Name);
        }
    }

    /// Word `k` can be a word of a name inside a frame: a listed given name or surname that
    /// is no vocabulary, cue or function word, or a word of four letters or more that no
    /// list holds and that is no misspelling or compound of known words.
    fn frame_name_word(&self, k: usize) -> bool {
        let w = &self.words[k];
        let word = &self.text[w.start..w.end];
        if word.len() < 2 || word.iter().any(u8::is_ascii_digit) || self.has(k, FRAME_BLOCKED) {
            return false;
        }
        if self.has(k, flag::FIRST | flag::LAST) {
            return true;
        }
        w.flags & NOT_UNLISTED == 0
            && w.flags & flag::RARE == 0
            && word.len() >= 4
            && !self.misspelt(word)
            && !self.compound(k)
    }

    /// `wu-tie`: a word of two or three letters that no list holds, right before a hyphen
    /// and the name's next part, opens a name as a longer word would.
    fn hyphened_name_head(&self, k: usize) -> bool {
        let w = &self.words[k];
        k + 1 < self.words.len()
            && self.text[w.end..self.words[k + 1].start] == *b"-"
            && (2..4).contains(&(w.end - w.start))
            && w.flags == 0
            && self.text[w.start..w.end]
                .iter()
                .all(u8::is_ascii_alphabetic)
    }

    /// The introduction that ends right before word `i`: `this is`, `it is`, `it's`/`its`
    /// or `proud of`, joined by single spaces on one line.
    fn frame_intro_before(&self, i: usize) -> bool {
        let spaced = |k: usize| self.text[self.words[k].end..self.words[k + 1].start] == *b" ";
        if i >= 1 && spaced(i - 1) && (self.word_is(i - 1, b"it's") || self.word_is(i - 1, b"its"))
        {
            return true;
        }
        i >= 2
            && spaced(i - 1)
            && spaced(i - 2)
            && (self.word_is(i - 2, b"this") && self.word_is(i - 1, b"is")
                || self.word_is(i - 2, b"it") && self.word_is(i - 1, b"is")
                || self.word_is(i - 2, b"proud") && self.word_is(i - 1, b"of"))
    }

    /// `hi this is april bates calling about my husband`, `hi yes it's Rose Page calling
    /// again`, `So proud of xanthia boesch from Löningen`: in a text not all in capitals, one
    /// to three name words ([`Self::frame_name_word`]) of one case between an introduction
    /// (`this is`, `it's`, `proud of`) and a word that says the person talks or comes from
    /// somewhere (`calling`, `speaking`, `here`, `from`) are the person. The first word is a
    /// listed given name or a word no list holds; a lone given name that is also a common
    /// word is read only before `calling` or `speaking` (`this is honey from the farm`
    /// stays).
    pub(super) fn mark_framed_name(&self, i: usize, marks: &mut [Option<PhiType>]) {
        let w = &self.words[i];
        if marks[i].is_some()
            || self.caps_mode
            || !matches!(w.shape, Shape::Lower | Shape::Cap)
            || !self.frame_intro_before(i)
            || !(self.frame_name_word(i) || self.hyphened_name_head(i))
        {
            return;
        }
        let first_ok = self.has(i, flag::FIRST) || w.flags & NOT_UNLISTED == 0;
        if !first_ok {
            return;
        }
        let mut last = i;
        // Name words taken, a hyphenated name's parts counting as one (`wu-tie`).
        let mut taken = 1;
        loop {
            let t = last + 1;
            if t >= self.words.len() {
                return;
            }
            let gap = &self.text[self.words[last].end..self.words[t].start];
            if gap == b"-" {
                // `wu-tie`, `zulcheatriex-la`: a part after a hyphen, two letters or more of
                // the same case, no function or vocabulary word (an English word may be a
                // name's part once a name word opened it).
                let part = &self.words[t];
                let letters = self.text[part.start..part.end]
                    .iter()
                    .all(u8::is_ascii_alphabetic);
                if part.shape != w.shape
                    || part.end - part.start < 2
                    || !letters
                    || self.has(t, FRAME_BLOCKED)
                {
                    return;
                }
                last = t;
                continue;
            }
            if gap != b" " {
                return;
            }
            if let Some(tail) = FRAME_TAILS.iter().find(|f| self.word_is(t, f)) {
                if self.words[t].shape != Shape::Lower {
                    return;
                }
                let talking = *tail != b"from" && *tail != b"here";
                if last == i && self.has(i, flag::COMMON) && !talking {
                    return;
                }
                break;
            }
            // `brairkklynd ter sarfex`, `wu-tie ibn demleasgear`: a surname particle inside
            // the name, before its next word.
            let particle = self.has(t, flag::PARTICLE | flag::INNER_PARTICLE)
                && self.words[t].shape == w.shape
                && t + 1 < self.words.len()
                && self.text[self.words[t].end..self.words[t + 1].start] == *b" ";
            if particle {
                last = t;
                continue;
            }
            if taken >= 3 || self.words[t].shape != w.shape || !self.frame_name_word(t) {
                return;
            }
            taken += 1;
            last = t;
        }
        for m in &mut marks[i..=last] {
            *m = Some(PhiType::Name);
        }
    }

    /// `brook from number 134 spotted him`, `Ask Ginger from number 8`: a given name right
    /// before `from number` and a house number is a neighbour, named as neighbours are, in
    /// any case. Only a listed given name that is no vocabulary or function word, so `a call
    /// from number 0412…` and `text from number 5` stay.
    pub(super) fn mark_given_from_number(&self, i: usize, marks: &mut [Option<PhiType>]) {
        let w = &self.words[i];
        // The cheap test first: most words are followed by no ` from number `.
        let rest = &self.text[w.end..];
        if marks[i].is_some()
            || !rest.starts_with(b" from number ")
            || !rest.get(13).is_some_and(u8::is_ascii_digit)
        {
            return;
        }
        if !matches!(w.shape, Shape::Lower | Shape::Cap)
            || w.end - w.start < 3
            || !self.has(i, flag::FIRST)
            || self.has(i, FRAME_BLOCKED)
        {
            return;
        }
        marks[i] = Some(PhiType::Name);
    }
}

#[cfg(test)]
mod tests {
    use super::bracketed_phone_digits;
    use crate::detect::lexicon::{finds, keeps};
    use crate::detect::Detector;
    use crate::patterns::Patterns;

    fn detector() -> Detector {
        Detector::build(&Patterns::builtin()).expect("built-in patterns")
    }

    #[test]
    fn a_phone_in_brackets_is_read_whole() {
        assert_eq!(bracketed_phone_digits(b"(+46 (0)72 056 30 16) x"), Some(12));
        assert_eq!(bracketed_phone_digits(b"((057)-6315377)"), Some(10));
        assert_eq!(bracketed_phone_digits(b"(555-1234)"), Some(7));
        assert_eq!(bracketed_phone_digits(b"(see 555-1234)"), None);
        assert_eq!(bracketed_phone_digits(b"(2019)"), None);
        assert_eq!(bracketed_phone_digits(b"(+46 72 056"), None);
    }

    #[test]
    fn a_given_name_before_a_bracketed_phone_is_a_person() {
        let d = detector();
        finds(
            &d,
            "Tour 3. MARIAM SALEH Guide: Jade (+372 5515 5222)",
            "Jade",
        );
        finds(&d, "Room 4. Guide: Ocean (+1-715-971-7878)", "Ocean");
        keeps(
            &d,
            "Call the Pharmacy (555-123-4567) for refills.",
            "Pharmacy",
        );
        keeps(&d, "Tour 3 starts at noon (2019 prices).", "noon");
    }

    #[test]
    fn a_lower_case_given_name_after_a_closing_dash_signs_the_message() {
        let d = detector();
        finds(&d, "Ping me if u want his number - james\nNext", "james");
        finds(&d, "Ping me if u want his number - rebekah", "rebekah");
        keeps(&d, "Diet - regular\nCode status - full", "regular");
        keeps(&d, "Pain 2/10 - mild\nSleep - poor", "mild");
    }

    #[test]
    fn a_name_between_an_introduction_and_calling_is_a_person() {
        let d = detector();
        finds(
            &d,
            "Voicemail: hi this is april bates calling about my husband",
            "april bates",
        );
        finds(
            &d,
            "CUSTOMER: hi yes it's Rose Page calling again",
            "Rose Page",
        );
        keeps(&d, "CUSTOMER: hi yes it's Rose Page calling again", "it's");
        finds(
            &d,
            "Newsletter. So proud of xanthia boesch from Löningen for finishing",
            "xanthia boesch",
        );
        keeps(&d, "Honestly this is really calling for rain", "really");
        keeps(
            &d,
            "Well this is honey from the farm down the road",
            "honey",
        );
    }

    #[test]
    fn a_given_name_before_from_number_is_a_neighbour() {
        let d = detector();
        finds(&d, "cat found! brook from number 134 spotted him", "brook");
        keeps(&d, "There was a call from number 0412 555 019", "call");
    }
}
