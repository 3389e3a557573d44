//! Persons in general-domain messages and forms (issue 13, stop 45, helper `general45`).
//!
//! Owns three readings of a name by its place in a message or a record that the clinical
//! readings do not make: the lower-case subject of a verb of contact whose object is the
//! writer (`dino just texted me`, `aleks called us`), a surname and given name written in
//! capitals as one cell of a record in a mixed-case text (`HR record | TUOMISTO, ILTA |`),
//! and a given name and surname typed in lower case inside a mixed-case text (`So proud of
//! aurel szabova`, stop 46).
//! Each starts from a cheap test of the word at hand (its shape) and reads only its
//! neighbours.

use super::flag;
use super::person::NOT_A_PERSON;
use super::unlisted::NOT_UNLISTED;
use super::words::Shape;
use super::Ctx;
use crate::phi::PhiType;

/// Verbs of contact in the past, as a chat writes them before `me` or `us`.
const CONTACTED: [&[u8]; 12] = [
    b"texted",
    b"messaged",
    b"called",
    b"rang",
    b"phoned",
    b"emailed",
    b"e-mailed",
    b"dmed",
    b"dm'd",
    b"pinged",
    b"wrote",
    b"whatsapped",
];

/// Adverbs a chat writes between the subject and its verb (`dino just texted me`).
const BETWEEN: [&[u8]; 5] = [b"just", b"also", b"finally", b"already", b"then"];

impl Ctx<'_> {
    /// `omg dino just texted me`, `aleks called us back`: in text that is not all capitals,
    /// a lower-case word right before a verb of contact whose object is `me` or `us` is the
    /// person who made contact, when it is a listed name read in lower case
    /// ([`Ctx::lower_name`]), or a word of four letters or more that no list holds at all and
    /// that is no misspelling or compound of known words. `someone texted me`, `mom called
    /// us` and `she rang me` are words of the lists, and stay.
    pub(super) fn mark_lower_contact_subject(&self, i: usize, marks: &mut [Option<PhiType>]) {
        let w = &self.words[i];
        if marks[i].is_some() || self.caps_mode || w.shape != Shape::Lower {
            return;
        }
        let spaced = |k: usize| {
            k + 1 < self.words.len()
                && self.text[self.words[k].end..self.words[k + 1].start] == *b" "
        };
        let mut j = i + 1;
        if !spaced(i) {
            return;
        }
        if BETWEEN.iter().any(|b| self.word_is(j, b)) {
            if !spaced(j) {
                return;
            }
            j += 1;
        }
        let object = spaced(j) && (self.word_is(j + 1, b"me") || self.word_is(j + 1, b"us"));
        if !object || !CONTACTED.iter().any(|c| self.word_is(j, c)) {
            return;
        }
        let word = &self.text[w.start..w.end];
        let unknown = || {
            w.flags == 0
                && word.len() >= 4
                && !word.iter().any(u8::is_ascii_digit)
                && !self.misspelt(word)
                && !self.compound(i)
        };
        if self.lower_name(i) || unknown() {
            marks[i] = Some(PhiType::Name);
        }
    }

    /// `HR record | TUOMISTO, ILTA | Born …`, `Name: KEAZAIRK, SUTTTOUVIE\n`: in a text
    /// written in mixed case (a capitals-only note is `mark_unlisted_last_first`'s), two words
    /// in capitals, a comma between them, that make a whole cell or field (a line's start, a
    /// colon or a bar before; a bar, a bracket, a semicolon or the line's end after) are a
    /// surname and a given name, when each is a word of four letters or more that no
    /// vocabulary holds (a listed name, or a word no list holds). Shorter capitals are
    /// acronyms (`BLE, BUE`); vocabulary in capitals is a heading (`ASSESSMENT, PLAN`).
    pub(super) fn mark_caps_last_first_cell(&self, i: usize, marks: &mut [Option<PhiType>]) {
        let j = i + 1;
        if self.caps_mode
            || j >= self.words.len()
            || self.words[i].shape != Shape::Upper
            || self.words[j].shape != Shape::Upper
            || marks[i].is_some() && marks[j].is_some()
            || self.text[self.words[i].end..self.words[j].start] != *b", "
        {
            return;
        }
        let name_word = |k: usize| {
            let w = &self.words[k];
            let word = &self.text[w.start..w.end];
            word.len() >= 4
                && !word.iter().any(u8::is_ascii_digit)
                && (w.flags & NOT_UNLISTED == 0 || self.dictionary_name(k))
        };
        // `SEGRAIBROM-MANDWU, KOTHAN`: a surname's hyphenated parts before it.
        let mut first = i;
        while first > 0
            && self.text[self.words[first - 1].end..self.words[first].start] == *b"-"
            && self.words[first - 1].shape == Shape::Upper
            && i - first < 2
        {
            first -= 1;
        }
        if !(first..=j).all(name_word) {
            return;
        }
        let before = &self.text[..self.words[first].start];
        // A fixed-width export's column gap (two spaces or more, or a tab) bounds a cell too:
        // `8:30  VARDANYAN, HOVHANNES    MR6260057` (stop 55).
        let gap_before = before.ends_with(b"  ") || before.ends_with(b"\t");
        let before = before.strip_suffix(b" ").unwrap_or(before);
        let starts = before.is_empty()
            || gap_before
            || matches!(before[before.len() - 1], b'\n' | b':' | b'|');
        let rest = &self.text[self.words[j].end..];
        let gap_after = rest.starts_with(b"  ") || rest.starts_with(b"\t");
        let rest = rest.strip_prefix(b" ").unwrap_or(rest);
        let ends =
            rest.is_empty() || gap_after || matches!(rest[0], b'|' | b'(' | b';' | b'\n' | b'\r');
        if starts && ends {
            let ty = marks[i].or(marks[j]).unwrap_or(PhiType::Name);
            for m in &mut marks[first..=j] {
                *m = Some(ty);
            }
        }
    }

    /// `"Bitsui, Ahiga",2007-11-04`: in mixed-case text a quoted CSV cell that holds two
    /// capitalised words and a comma between them and nothing else is `LAST, FIRST` when
    /// both are name words: a listed name, or a word no list holds (stop 55; a cell of which
    /// one half is found already is `grow`'s). Cue, function, clinical and place words are
    /// never taken, so `"Hypertension, Essential"` and `"Paris, France"` stay, and an English
    /// word only when a name list holds it too.
    pub(super) fn mark_quoted_last_first_cell(&self, i: usize, marks: &mut [Option<PhiType>]) {
        let j = i + 1;
        let w = &self.words[i];
        if self.caps_mode
            || j >= self.words.len()
            || w.start < 1
            || self.text[w.start - 1] != b'"'
            || self.text[w.end..self.words[j].start] != *b", "
            || self.text.get(self.words[j].end) != Some(&b'"')
            || marks[i].is_some() && marks[j].is_some()
        {
            return;
        }
        let opens = w.start == 1 || matches!(self.text[w.start - 2], b',' | b';' | b'\t' | b'\n');
        let closes = matches!(
            self.text.get(self.words[j].end + 1),
            None | Some(b',' | b';' | b'\t' | b'\n' | b'\r')
        );
        let name_word = |k: usize| {
            let f = self.words[k].flags;
            let word = &self.text[self.words[k].start..self.words[k].end];
            let blocked = NOT_A_PERSON | flag::STOP | flag::VOCAB | flag::PLACE | flag::PLACE_CUE;
            self.words[k].shape == Shape::Cap
                && word.len() >= 3
                && f & blocked == 0
                && (f & flag::NAME != 0 || f & NOT_UNLISTED == 0)
        };
        if opens && closes && name_word(i) && name_word(j) {
            marks[i] = Some(PhiType::Name);
            marks[j] = Some(PhiType::Name);
        }
    }

    /// `kilian o fionnghalaigh`, `aoife ni bhriain`: the Irish `Ó`, `Ní`, `Nic` and `Mac`
    /// written in lower case between a given name and a surname (the view reads `ó` as
    /// `o`). Read only inside `mark_lower_given_surname`, where a listed given name that is no
    /// word stands before it.
    fn irish_particle(&self, k: usize) -> bool {
        [b"o".as_slice(), b"ni", b"nic", b"mac", b"ui"]
            .iter()
            .any(|p| self.word_is(k, p))
    }

    /// `So proud of aurel szabova from Turany`, `Congrats ibrahim van bovene!`: in a text
    /// written in mixed case, a given name in lower case that the lists hold and that is no
    /// English word or vocabulary ([`Ctx::lower_name`]), then (past up to two particles) a
    /// lower-case surname: a listed surname that is no word, or a word of four letters or
    /// more that no list holds and that is no misspelling or compound of known words. Both
    /// typed in lower case is how a name looks in a hurried message; a lower-case given name
    /// alone, or beside a word, stays.
    pub(super) fn mark_lower_given_surname(&self, i: usize, marks: &mut [Option<PhiType>]) {
        let w = &self.words[i];
        if marks[i].is_some()
            || self.caps_mode
            || self.lower_mode
            || w.shape != Shape::Lower
            || !self.has(i, flag::FIRST)
            || self.has(i, flag::ENGLISH)
            || !self.lower_name(i)
        {
            return;
        }
        let mut k = i + 1;
        while k < self.words.len()
            && k <= i + 2
            && self.joined(k - 1, b"")
            && self.words[k].shape == Shape::Lower
            && (self.has(k, flag::PARTICLE | flag::INNER_PARTICLE) || self.irish_particle(k))
        {
            k += 1;
        }
        if k >= self.words.len() || !self.joined(k - 1, b"") || self.words[k].shape != Shape::Lower
        {
            return;
        }
        let s = &self.words[k];
        let word = &self.text[s.start..s.end];
        let word_like = flag::ENGLISH | flag::COMMON | flag::VOCAB | flag::NEVER_NAME | flag::RARE;
        let listed = self.has(k, flag::LAST) && !self.has(k, word_like) && word.len() >= 3;
        let unknown = || {
            s.flags & NOT_UNLISTED == 0
                && s.flags & flag::RARE == 0
                && word.len() >= 4
                && !word.iter().any(u8::is_ascii_digit)
                && !self.misspelt(word)
                && !self.compound(k)
        };
        if listed || unknown() {
            for m in &mut marks[i..=k] {
                *m = Some(PhiType::Name);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::detect::lexicon::{finds, keeps};
    use crate::detect::Detector;
    use crate::patterns::Patterns;

    fn detector() -> Detector {
        Detector::build(&Patterns::builtin()).expect("built-in patterns")
    }

    #[test]
    fn a_caps_last_first_cell_between_column_gaps_is_a_person() {
        let d = detector();
        let row = "Appointments for Kettering\n07/23/2022  9:00  VARDANYAN, HOVHANNES    MR6260057   Kettering";
        finds(&d, row, "VARDANYAN");
        finds(&d, row, "HOVHANNES");
        keeps(
            &d,
            "Results for today\nGlucose  HIGH, FASTING    110",
            "FASTING",
        );
    }

    #[test]
    fn a_quoted_last_first_cell_of_unlisted_words_is_a_person() {
        let d = detector();
        let row = "id,name,born\n17,\"Bitsui, Ahiga\",2007-11-04";
        finds(&d, row, "Bitsui");
        finds(&d, row, "Ahiga");
        keeps(&d, "id,dx\n17,\"Hypertension, Essential\",I10", "Essential");
        keeps(&d, "id,fruit\n17,\"Apples, Oranges\",3", "Oranges");
    }
}
