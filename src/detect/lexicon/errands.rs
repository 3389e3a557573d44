//! Persons and places in the errands of general-domain messages (issue 13, stop 46, helper
//! `general46`).
//!
//! Owns four readings the clinical ones do not make: the person who took a parcel or a
//! message (`signed for by Dome`, `received by Robin`), the person asked to do something
//! (`Please ask Holly to sign`), a person a register marks away (`Eyvaz was absent today`),
//! and a town written as a hashtag (`#family #Aue`). Each word list is
//! `patterns/words/person_messages.toml`'s. Each starts from a cheap test of the word at hand
//! (its shape, its mark) and reads only its neighbours.

use super::flag;
use super::words::Shape;
use super::Ctx;
use crate::phi::PhiType;

impl Ctx<'_> {
    /// Word `i` may be a person named in an errand: capitalised in mixed-case text, and a
    /// given name of the lists (a word as well, such as `Holly`, included) or a word of
    /// three letters or more that no list holds.
    fn errand_person(&self, i: usize) -> bool {
        let w = &self.words[i];
        !self.caps_mode
            && !self.lower_mode
            && w.shape == Shape::Cap
            && w.end - w.start >= 3
            && (self.word_name_candidate(i) || self.unlisted_word(i))
    }

    /// `Parcel signed for by Dome at 14:12`, `The package was received by Robin`: after a
    /// verb that hands a thing over (`handover_verbs`), or `signed for`, and `by`, a
    /// capitalised given name or a word no list holds is the person who took it.
    pub(super) fn mark_after_handover(&self, i: usize, marks: &mut [Option<PhiType>]) {
        if marks[i].is_some() || i < 2 || !self.errand_person(i) {
            return;
        }
        let by = i - 1;
        if !self.word_is(by, b"by") || !self.joined(by, b"") || !self.joined(by - 1, b"") {
            return;
        }
        let verb = if self.word_is(by - 1, b"for") && by >= 2 && self.joined(by - 2, b"") {
            by - 2
        } else {
            by - 1
        };
        // `picked up by`: the particle between the verb and `by`.
        let verb = if self.word_is(verb, b"up") && verb >= 1 && self.joined(verb - 1, b"") {
            verb - 1
        } else {
            verb
        };
        if self.has(verb, flag::HANDOVER) {
            marks[i] = Some(PhiType::Name);
        }
    }

    /// `Please ask Holly to sign the form`, `told Pearl to wait`: between a verb of asking
    /// or telling (`request_verbs`) and `to`, a capitalised given name or a word no list
    /// holds is the person asked. `to` must open a verb (a lower-case word after it), so
    /// `ask Austin to Boston` style places stay.
    pub(super) fn mark_before_request_to(&self, i: usize, marks: &mut [Option<PhiType>]) {
        let to = i + 1;
        if marks[i].is_some()
            || i == 0
            || to + 1 >= self.words.len()
            || !self.errand_person(i)
            || !self.has(i - 1, flag::REQUEST)
            || !self.joined(i - 1, b"")
            || !self.joined(i, b"")
            || !self.joined(to, b"")
            || !self.word_is(to, b"to")
            || self.words[to + 1].shape != Shape::Lower
        {
            return;
        }
        marks[i] = Some(PhiType::Name);
    }

    /// `Eyvaz was absent today`, `Tuovi is off sick`: a capitalised word no list holds (or a
    /// given name of the lists) opening a clause, then `was` or `is` and where a person is
    /// not (`presence_states`), is that person. Clinical findings are words of the lists
    /// (`Edema was absent`, `Pulses absent`), so they stay.
    pub(super) fn mark_absent_subject(&self, i: usize, marks: &mut [Option<PhiType>]) {
        let (copula, state) = (i + 1, i + 2);
        if marks[i].is_some()
            || state >= self.words.len()
            || !self.errand_person(i)
            || !self.clause_start(i)
            || !(self.word_is(copula, b"was") || self.word_is(copula, b"is"))
            || !self.joined(i, b"")
            || !self.joined(copula, b"")
            || !self.has(state, flag::PRESENCE)
        {
            return;
        }
        marks[i] = Some(PhiType::Name);
    }

    /// `#family #Aue`, `a week in #Fritzlar.`: a hashtag that is a capitalised word no list
    /// holds (three letters or more) names a place as often as anything; it is kept from the
    /// output as one. A hashtag glued to a word (`C#`, `issue#Aue`) is no hashtag.
    ///
    /// A place of two words is written as one in a hashtag (`#LasPalmas`, `#NarvaJõesuu`,
    /// stop 65): title-case parts glued together, one of them a place or a word no list
    /// holds. Phrases of words (`#HappyBirthday`, `#ThrowbackThursday`) stay.
    pub(super) fn mark_hashtag_place(&self, i: usize, marks: &mut [Option<PhiType>]) {
        let w = &self.words[i];
        if marks[i].is_some()
            || w.start == 0
            || self.text[w.start - 1] != b'#'
            || !matches!(w.shape, Shape::Cap | Shape::Mixed)
            || self.caps_mode
            || w.end - w.start < 3
            || !(w.shape == Shape::Cap && self.unlisted_word(i) || self.camel_place(i))
        {
            return;
        }
        let free = w.start == 1 || matches!(self.text[w.start - 2], b' ' | b'\n' | b'\t' | b'(');
        if free {
            marks[i] = Some(PhiType::Location);
        }
    }
}

impl Ctx<'_> {
    /// Word `i` is two or three title-case parts glued together (`LasPalmas`), each of two
    /// letters or more, one of them a listed place or a word no list holds and none a
    /// function word.
    fn camel_place(&self, i: usize) -> bool {
        let w = &self.words[i];
        let word = &self.text[w.start..w.end];
        if w.shape != Shape::Mixed || !word.iter().all(u8::is_ascii_alphabetic) {
            return false;
        }
        let starts: Vec<usize> = (0..word.len())
            .filter(|&k| word[k].is_ascii_uppercase())
            .collect();
        if starts.first() != Some(&0) || !(2..=3).contains(&starts.len()) {
            return false;
        }
        let mut placed = false;
        for (n, &a) in starts.iter().enumerate() {
            let b = starts.get(n + 1).copied().unwrap_or(word.len());
            if b - a < 2 {
                return false;
            }
            let part = word[a..b].to_ascii_lowercase();
            let f = self.lexicon.words.get_word(&part).unwrap_or(0);
            if f & flag::STOP != 0 {
                return false;
            }
            placed |= f == 0
                || f & flag::PLACE != 0 && f & (flag::ENGLISH | flag::COMMON | flag::VOCAB) == 0;
        }
        placed
    }

    /// `Patient Quarrington, Zelphine seen today`, `Consignee Gaspar, Gumesindo c/o …`: a
    /// surname found alone (one word marked a name, the word before it not), a comma, and a
    /// capitalised word that no list holds or a given name of the lists, inside a sentence
    /// that goes on in lower case (or a bracket, `c/o`, the line's end): that word is the
    /// given name written after the surname. Read after the other passes, so a surname any
    /// of them found counts.
    pub(super) fn mark_given_after_surname(&self, i: usize, marks: &mut [Option<PhiType>]) {
        let j = i + 1;
        if j >= self.words.len()
            || self.caps_mode
            || self.lower_mode
            || marks[j].is_some()
            || !matches!(marks[i], Some(PhiType::Name | PhiType::ProviderName))
            || i > 0 && marks[i - 1].is_some() && self.joined(i - 1, b"-'.")
            || self.text[self.words[i].end..self.words[j].start] != *b", "
            || self.words[j].shape != Shape::Cap
            || !(self.unlisted_word(j) || self.dictionary_name(j))
        {
            return;
        }
        let rest = &self.text[self.words[j].end..];
        let rest = rest.strip_prefix(b" ").unwrap_or(rest);
        let goes_on = match rest.first() {
            None | Some(b'\n' | b'\r' | b'(') => true,
            Some(c) => c.is_ascii_lowercase(),
        };
        if goes_on {
            marks[j] = marks[i];
        }
    }
}
