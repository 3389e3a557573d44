//! Person evidence around first names that are also words (issue 13, branch `personctx`).
//!
//! A capitalised first-name-list word that is also an English word, a month or a town
//! (Hope, Bill, June, Grace, Austin) is kept unless its sentence shows a person. Owns the
//! rules that read such evidence beyond a verb of speech: a verb that takes a human subject
//! or a copula with a person's state after the name (`Hope stayed in the car`, `Sunny was
//! tearful`), a relation in apposition (`Amber, her niece,`, `Amber (niece)`, `Will and his
//! sister June`), a coordination with a person found already (`Amber and Crystal Okafor`),
//! the rest of a one-case name after a title (`Ms. zhang li`, `mr. de la cruz`), and an
//! English-word surname after a found given name (`Seo-yeon Park`), and (stop 62) the
//! capital itself where prose would not write one: inside a clause of lower-case words
//! (`completed by Faith on Monday`, `Pearl and Ruby will attend`). The word lists are
//! `patterns/words/context.toml`'s.

use super::flag;
use super::words::Shape;
use super::Ctx;
use crate::phi::PhiType;

/// Words after a title read as the rest of a one-case name, at most.
const MAX_TITLED_REST: usize = 3;

/// Flags of words that are no person even when a first-name list holds them: vocabulary,
/// credentials, facilities, cues, titles, labels and roles. Function words are refused
/// apart, so that `Will` and `May`, names as well, can be read as people.
pub(super) const NOT_A_PERSON: u64 = flag::CLINICAL
    | flag::CREDENTIAL
    | flag::FACILITY
    | flag::RELATION
    | flag::PERSON_TITLE
    | flag::PROVIDER_TITLE
    | flag::LABEL
    | flag::ROLE
    | flag::NAME_CUE
    | flag::STRONG_CUE
    | flag::REGION;

/// Flags of words a lower-case first name must not carry (`mark_lower_first_name`): any
/// vocabulary, cue, title, role, place or verb word, so `lumen`, `english` and `will` stay.
pub(super) const LOWER_NAME_BLOCKED: u64 = NOT_A_PERSON
    | flag::ENGLISH
    | flag::COMMON
    | flag::VOCAB
    | flag::STOP
    | flag::PLACE_CUE
    | flag::PLACE_LABEL
    | flag::PARTICLE
    | flag::EPONYM_HEAD
    | flag::PERSON_VERB
    | flag::SUBJECT_VERB
    | flag::COPULA
    | flag::CONTACT;

/// Flags of the lower-case word before a capitalised given name that make the name a
/// thing's or the rest of a longer name (`the Will`, `your Bill`, `Pousada do Sol`).
const AFTER_LOWER_BLOCKED: u64 = flag::DETERMINER
    | flag::POSSESSIVE
    | flag::PERSON_TITLE
    | flag::PARTICLE
    | flag::INNER_PARTICLE;

/// Possessives of the speaker or the reader, which `possessives` of `context.toml` (the
/// relations' owners) does not hold: `your Bill`, `my Will` are things.
const OWNERS: [&[u8]; 3] = [b"my", b"your", b"our"];

/// Prepositions before a capitalised word that is a place, a time or a thing far more often
/// than a person (`in Green chart`, `at Hope Street`, `on Grace ward`).
const WHERE_OR_WHEN: [&[u8]; 3] = [b"in", b"at", b"on"];

/// Words before a person that a message is handed to or comes from (`let X know`, `tell
/// X`, `per X`).
const MESSAGE_VERBS: [&[u8]; 7] = [b"let", b"tell", b"told", b"ask", b"asked", b"per", b"thank"];

impl Ctx<'_> {
    /// Word `i` may be a person written as a name that is also a word: capitalised in
    /// mixed-case text, three letters or more, in a first-name list, no cue or vocabulary;
    /// a function word only when it is a common-word name (`Will`, `May`). A text otherwise
    /// in lower case counts as mixed here (`ya. Hope dropped off the boxes`): its one
    /// capitalised word stands out all the more (stop 50).
    pub(super) fn word_name_candidate(&self, i: usize) -> bool {
        let w = &self.words[i];
        !self.caps_mode
            && w.shape == Shape::Cap
            && w.end - w.start >= 3
            && self.has(i, flag::FIRST)
            && !self.has(i, NOT_A_PERSON)
            && (!self.has(i, flag::STOP) || self.has(i, flag::COMMON))
            && !self.text[w.start..w.end].ends_with(b"'s")
    }

    /// The last word of the subject that starts at `i`: `i` alone, or `i and k` when word
    /// `k` is a candidate too (`Amber and Crystal`).
    fn word_name_group(&self, i: usize) -> usize {
        let (and, k) = (i + 1, i + 2);
        if k < self.words.len()
            && self.joined(i, b"")
            && self.joined(and, b"")
            && self.word_is(and, b"and")
            && self.word_name_candidate(k)
        {
            k
        } else {
            i
        }
    }

    /// Word `i` stands where a subject does: at a clause's start, or after an ordinary
    /// lower-case word of the clause (`After the session Joy drove her home`), not after a
    /// preposition, a determiner or another capitalised word (`in May`, `to Austin`, `Blue
    /// Cross`).
    fn subject_position(&self, i: usize) -> bool {
        if self.clause_start(i) {
            return true;
        }
        // The first word after punctuation that opens the text (`- Hope stayed`, a bullet).
        let Some(p) = i.checked_sub(1) else {
            return true;
        };
        let gap = &self.text[self.words[p].end..self.words[i].start];
        // `Yesterday Crystal stayed`, `Later June was upset`: an adverb opening the clause.
        let opening_adverb = self.words[p].shape == Shape::Cap
            && self.clause_start(p)
            && self.has(p, flag::ENGLISH)
            && !self.has(p, flag::NAME | flag::CONTACT_PREP | flag::OPENER_LINK);
        let inside_clause = self.words[p].shape == Shape::Lower && !self.has(p, flag::STOP);
        gap == b" "
            && (opening_adverb || inside_clause)
            && !self.has(
                p,
                flag::PLACE_PREP | flag::PLACE_CUE | flag::DETERMINER | flag::OPENER,
            )
    }

    /// The words from `j` on tell of a person: a verb that takes a human subject or a verb
    /// of speech (`stayed`, `said`), or a copula and a person's state or a possessive (`was
    /// tearful`, `is her main support`).
    fn person_predicate(&self, j: usize) -> bool {
        if j >= self.words.len() || !self.joined(j - 1, b"") {
            return false;
        }
        if self.has(j, flag::SUBJECT_VERB | flag::PERSON_VERB) {
            return true;
        }
        let k = j + 1;
        self.has(j, flag::COPULA)
            && k < self.words.len()
            && self.joined(j, b"")
            && self.has(k, flag::PERSON_STATE | flag::POSSESSIVE)
    }

    /// `Hope stayed in the car`, `Sunny was tearful today`, `Yesterday Crystal stayed
    /// overnight`, `Amber and Crystal visited`: a candidate (or two joined by `and`) in a
    /// subject's position right before a verb of a person is that person.
    pub(super) fn mark_word_name_before_predicate(&self, i: usize, marks: &mut [Option<PhiType>]) {
        if marks[i].is_some() || !self.word_name_candidate(i) || !self.subject_position(i) {
            return;
        }
        let last = self.word_name_group(i);
        if self.person_predicate(last + 1) {
            mark_group(marks, i, last);
        } else if last == i && self.surname_word_after(i) && self.past_act(i + 2) {
            mark_group(marks, i, i + 1);
        }
    }

    /// `completed by Faith on Monday`, `kind regards from Bill and the team`, `please ask
    /// Pearl for the keys`: a candidate capitalised inside a clause of lower-case words is
    /// the person. In mixed-case prose a word is capitalised mid-clause because it is a
    /// proper noun, and this one is a given name. Not after a determiner or a possessive
    /// (`the Will`, `your Bill`), not a month (`in May`, `until June`), and not inside a run
    /// of capitalised words, whose readings are the name, place and facility passes', nor
    /// after `in`, `at` or `on` (see [`WHERE_OR_WHEN`]).
    pub(super) fn mark_word_name_inside_clause(&self, i: usize, marks: &mut [Option<PhiType>]) {
        if marks[i].is_some()
            || i == 0
            || !self.word_name_candidate(i)
            || self.is_month(i)
            || self.capital_next(i)
        {
            return;
        }
        let p = i - 1;
        if !self.clause_start(i) && self.after_lower_word(p, i) {
            marks[i] = Some(PhiType::Name);
            return;
        }
        // `Pearl and Ruby will attend`: the second of two candidates joined by a lower-case
        // `and` is capitalised mid-clause, so both are people.
        let Some(first) = p.checked_sub(1) else {
            return;
        };
        let pair = self.words[p].shape == Shape::Lower
            && self.word_is(p, b"and")
            && self.text[self.words[first].end..self.words[p].start] == *b" "
            && self.text[self.words[p].end..self.words[i].start] == *b" "
            && marks[first].is_none()
            && self.word_name_candidate(first)
            && !self.is_month(first)
            && (self.clause_start(first) && !self.after_comma(first)
                || first
                    .checked_sub(1)
                    .is_some_and(|q| self.after_lower_word(q, first)));
        if pair {
            marks[first] = Some(PhiType::Name);
            marks[i] = Some(PhiType::Name);
        }
    }

    /// Word `i` follows a comma: a list's next item (`Rose, Lily and Iris`, left to the list
    /// readings of `lists.rs`) or an address's (`Paolo Rossi, Via Ida`).
    fn after_comma(&self, i: usize) -> bool {
        i > 0 && self.text[self.words[i - 1].end..self.words[i].start].contains(&b',')
    }

    /// Word `p`, one space before word `i`, is an ordinary lower-case word of the clause: no
    /// determiner, possessive, title or name particle (`the Will`, `your Bill`), not `in`,
    /// `at` or `on`, and no link between capitals (`Pousada do Sol`).
    fn after_lower_word(&self, p: usize, i: usize) -> bool {
        self.text[self.words[p].end..self.words[i].start] == *b" "
            && self.words[p].shape == Shape::Lower
            && !self.has(p, AFTER_LOWER_BLOCKED)
            && !WHERE_OR_WHEN.iter().any(|w| self.word_is(p, w))
            && !OWNERS.iter().any(|w| self.word_is(p, w))
            && !self.links_capitals(p)
    }

    /// Word `p` is `of` or `do` after a capitalised word, the link inside a longer proper
    /// noun (`Pousada do Sol`, `Bank of Hope`, `Church of Grace`). Other short words after
    /// a capital take a person (`Ask Anna for Rose`); particles are refused by their flags.
    fn links_capitals(&self, p: usize) -> bool {
        (self.word_is(p, b"of") || self.word_is(p, b"do"))
            && p.checked_sub(1).is_some_and(|q| {
                self.words[q].shape == Shape::Cap
                    && self.text[self.words[q].end..self.words[p].start] == *b" "
            })
    }

    /// A word not in lower case follows word `i` after a space: `i` opens or continues a
    /// run of capitals (`Rose Garden`, `Faith Clinic`).
    fn capital_next(&self, i: usize) -> bool {
        i + 1 < self.words.len() && self.joined(i, b"") && self.words[i + 1].shape != Shape::Lower
    }

    /// Word `i` is a month's name (`May`, `June`, `August`), which prose capitalises too.
    fn is_month(&self, i: usize) -> bool {
        let w = &self.text[self.words[i].start..self.words[i].end];
        crate::transform::date::MONTHS
            .iter()
            .any(|m| m.as_bytes().eq_ignore_ascii_case(w))
    }

    /// Word `i + 1`, one space after candidate `i`, is a capitalised surname-list word that
    /// is no cue, title, role or function word (`Sue Long`, `Mark Stone`, `Hope Walker`):
    /// English words both, the two together read as a person's name when a person's verb
    /// follows (see [`Self::past_act`]). A clinical word only if many people bear it.
    fn surname_word_after(&self, i: usize) -> bool {
        let j = i + 1;
        j < self.words.len()
            && self.words[j].shape == Shape::Cap
            && self.text[self.words[i].end..self.words[j].start] == *b" "
            && self.has(j, flag::LAST)
            && !self.has(
                j,
                (NOT_A_PERSON & !flag::CLINICAL) | flag::STOP | flag::EPONYM_HEAD,
            )
            && (!self.has(j, flag::CLINICAL) || self.has(j, flag::POPULAR))
            && !self.text[self.words[j].start..self.words[j].end].ends_with(b"'s")
    }

    /// The words from `j` on tell what a person did: a verb of a person (see
    /// [`Self::person_predicate`]) or a past form in `-ed` in lower case that is no name
    /// (`Sue Long completed the HEP`, `Rusty Nail ambulated`). Read only after a first name
    /// and a surname both capitalised: one capitalised word before `-ed` is as often a
    /// thing (`Grant approved`, `Walker adjusted`).
    fn past_act(&self, j: usize) -> bool {
        if self.person_predicate(j) {
            return true;
        }
        let Some(w) = self.words.get(j) else {
            return false;
        };
        let word = &self.text[w.start..w.end];
        self.joined(j - 1, b"")
            && w.shape == Shape::Lower
            && word.len() >= 5
            && word.ends_with(b"ed")
            && !self.has(j, flag::NAME | flag::STOP)
    }

    /// `Pt reports nathan helps with buttons`, `i'll let yessi know`, `per virtanen`: in
    /// mixed-case text, a name written in lower case (four letters or more, no word of
    /// any vocabulary) is a person when a verb of a person or `family` (`boyer family
    /// meeting`) follows it, or a word that hands on a message (`let`, `tell`, `ask`, `per`)
    /// comes before it. Lower case in a note
    /// written with capitals is how a name typed in a hurry looks; the lists say the word is a
    /// name, the sentence says it is used as one.
    pub(super) fn mark_lower_first_name(&self, i: usize, marks: &mut [Option<PhiType>]) {
        let w = &self.words[i];
        if marks[i].is_some()
            || self.caps_mode
            || self.lower_mode
            || w.shape != Shape::Lower
            || w.end - w.start < 4
            || !self.has(i, flag::NAME)
        {
            return;
        }
        if self.let_know(i) {
            marks[i] = Some(PhiType::Name);
            return;
        }
        if self.has(i, LOWER_NAME_BLOCKED) {
            return;
        }
        // `hey mikael`, `met concepta there`: after a word that takes a person too, but
        // `with`, which a note writes before its lower-case words and misspellings (`with
        // ballon insertion`, `with occas. couplets`).
        let handed_on = i > 0
            && self.joined(i - 1, b"")
            && (MESSAGE_VERBS.iter().any(|v| self.word_is(i - 1, v))
                || self.has(i - 1, flag::PERSON_OBJECT) && !self.word_is(i - 1, b"with"));
        let family =
            i + 1 < self.words.len() && self.joined(i, b"") && self.word_is(i + 1, b"family");
        if handed_on || family || self.person_predicate(i + 1) {
            marks[i] = Some(PhiType::Name);
        }
    }

    /// `I'll let rose know`: between `let` and `know` stands a person, so a first name there
    /// is one even when it is also a word; cue, title, role and clinical words are not.
    fn let_know(&self, i: usize) -> bool {
        i > 0
            && i + 1 < self.words.len()
            && self.joined(i - 1, b"")
            && self.joined(i, b"")
            && self.word_is(i - 1, b"let")
            && self.word_is(i + 1, b"know")
            && self.has(i, flag::FIRST)
            && !self.has(i, NOT_A_PERSON | flag::STOP)
    }

    /// `Amber, her niece, visited`, `Sunny (nephew) present`, `Violet (pt's cousin)`, `Will
    /// and his sister June`, `Amber and Crystal, her nieces,`: a candidate (or two joined by
    /// `and`) followed by a relation in apposition, or coordinated with a possessive and a
    /// relation, is a person.
    pub(super) fn mark_word_name_in_apposition(&self, i: usize, marks: &mut [Option<PhiType>]) {
        if marks[i].is_some() || !self.word_name_candidate(i) {
            return;
        }
        let last = self.word_name_group(i);
        let next = last + 1;
        if next >= self.words.len() {
            return;
        }
        let gap = &self.text[self.words[last].end..self.words[next].start];
        let found = match gap {
            b", " => self.possessed_relation(next).is_some(),
            b" (" | b"(" => self
                .possessed_relation(next)
                .or_else(|| self.is_relation(next).then_some(next))
                .is_some_and(|r| self.text.get(self.words[r].end) == Some(&b')')),
            b" " => {
                self.word_is(next, b"and")
                    && next + 1 < self.words.len()
                    && self.joined(next, b"")
                    && self.possessed_relation(next + 1).is_some()
            }
            _ => false,
        };
        if found {
            mark_group(marks, i, last);
        }
    }

    /// `her niece`, `pt's cousin`, `their friends`: a possessive at `k` and a relation right
    /// after it; the relation's index.
    fn possessed_relation(&self, k: usize) -> Option<usize> {
        let r = k + 1;
        let w = &self.text[self.words.get(k)?.start..self.words[k].end];
        let possessive = self.has(k, flag::POSSESSIVE)
            || w.eq_ignore_ascii_case(b"pt's")
            || w.eq_ignore_ascii_case(b"patient's");
        (possessive && r < self.words.len() && self.joined(k, b"") && self.is_relation(r))
            .then_some(r)
    }

    fn is_relation(&self, k: usize) -> bool {
        self.has(k, flag::RELATION | flag::RELATION_PLURAL)
    }

    /// After every other pass: a candidate joined by `and` to a person found (`Hope and
    /// Grace Okafor`, `Dr Lee and Faith`), the rest of a one-case name after a title, and an
    /// English-word surname after a found given name.
    pub(super) fn mark_person_evidence_after_names(&self, marks: &mut [Option<PhiType>]) {
        for i in (0..self.words.len()).rev() {
            self.mark_word_name_before_coordinated_person(i, marks);
        }
        for i in 0..self.words.len() {
            self.mark_surname_after_patient_cue(i, marks);
            self.mark_word_name_before_found_surname(i, marks);
            self.mark_word_name_after_coordinated_person(i, marks);
            self.mark_rest_of_titled_name(i, marks);
            self.mark_word_surname_after_given_name(i, marks);
            self.mark_given_name_before_clinician(i, marks);
        }
    }

    /// `Hope and Grace Okafor visited`: a candidate, `and`, then a person found.
    fn mark_word_name_before_coordinated_person(&self, i: usize, marks: &mut [Option<PhiType>]) {
        let (and, k) = (i + 1, i + 2);
        if k >= self.words.len()
            || marks[i].is_some()
            || !matches!(marks[k], Some(PhiType::Name))
            || self.words[k].shape != Shape::Cap
            || !self.word_name_candidate(i)
            || !self.joined(i, b"")
            || !self.joined(and, b"")
            || !self.word_is(and, b"and")
        {
            return;
        }
        marks[i] = Some(PhiType::Name);
    }

    /// `reviewed with Will Kowalski`, `May Okafor called`: a candidate (a function word too)
    /// one space before a capitalised surname found already that is no English word.
    fn mark_word_name_before_found_surname(&self, i: usize, marks: &mut [Option<PhiType>]) {
        let j = i + 1;
        if j >= self.words.len()
            || marks[i].is_some()
            || !matches!(marks[j], Some(PhiType::Name))
            || self.words[j].shape != Shape::Cap
            || !self.has(j, flag::LAST)
            || self.has(j, flag::ENGLISH | flag::COMMON) && !self.after_patient_cue(i)
            || self.text[self.words[i].end..self.words[j].start] != *b" "
            || !self.word_name_candidate(i)
        {
            return;
        }
        // `Paolo Rossi, Via Ida`: after a comma it is as often the next item of an address.
        if !self.after_comma(i) {
            marks[i] = Some(PhiType::Name);
        }
    }

    /// Word `i` follows `Patient` or `Pt` (capitalised, as a note's subject is written) and
    /// a space: the words from `i` on are the patient's name, so a surname found after a
    /// candidate that is an English word too takes the candidate with it (`Patient Will
    /// Hunter`, red team 58).
    fn after_patient_cue(&self, i: usize) -> bool {
        let Some(p) = i.checked_sub(1) else {
            return false;
        };
        self.words[p].shape == Shape::Cap
            && (self.word_is(p, b"patient") || self.word_is(p, b"pt"))
            && self.text[self.words[p].end..self.words[i].start] == *b" "
    }

    /// `Pt Ward transferred to rehab`, `Patient Hunter reports less pain`: after `Patient`
    /// or `Pt`, a capitalised surname many people bear (an English word too), then what a
    /// person does ([`Self::past_act`]), is the patient named by surname. A department or a
    /// service there (`Patient Transport arrived`) is no popular surname.
    fn mark_surname_after_patient_cue(&self, j: usize, marks: &mut [Option<PhiType>]) {
        if marks[j].is_some()
            || self.caps_mode
            || self.words[j].shape != Shape::Cap
            || !self.after_patient_cue(j)
            || !self.has(j, flag::LAST)
            || !self.has(j, flag::POPULAR)
            || self.has(j, NOT_A_PERSON | flag::STOP)
            || self.text[self.words[j].start..self.words[j].end].ends_with(b"'s")
            || !self.past_act(j + 1)
        {
            return;
        }
        marks[j] = Some(PhiType::Name);
    }

    /// `with Grace Okafor and Faith`: a person found, `and`, then a candidate that is no
    /// function word (`and Will follow up` is the verb).
    fn mark_word_name_after_coordinated_person(&self, i: usize, marks: &mut [Option<PhiType>]) {
        let (and, k) = (i + 1, i + 2);
        if k >= self.words.len()
            || marks[k].is_some()
            || !matches!(marks[i], Some(PhiType::Name))
            || self.words[i].shape != Shape::Cap
            || !self.word_name_candidate(k)
            || self.has(k, flag::STOP)
            || !self.joined(i, b"")
            || !self.joined(and, b"")
            || !self.word_is(and, b"and")
        {
            return;
        }
        // `Maria Lopez and June 3`: a month before a day is a date.
        let digit_after = self.text[self.words[k].end..]
            .iter()
            .find(|c| !c.is_ascii_whitespace())
            .is_some_and(u8::is_ascii_digit);
        if !digit_after {
            marks[k] = Some(PhiType::Name);
        }
    }

    /// `Ms. zhang li`, `mr. de la cruz`, `Mrs. nguyen thi lan`: a name written in lower case
    /// after a title is taken whole: after the first word (found, or a particle), every
    /// lower-case word that a name list holds and no other list does, two letters or more,
    /// and particles followed by one, up to [`MAX_TITLED_REST`] words.
    fn mark_rest_of_titled_name(&self, i: usize, marks: &mut [Option<PhiType>]) {
        let first = i + 1;
        if first >= self.words.len()
            || self.caps_mode
            || !self.has(i, flag::PERSON_TITLE)
            || !self.title_written_as_title(i)
            || !self.joined(i, b".")
            || self.words[first].shape != Shape::Lower
        {
            return;
        }
        let particle = |k: usize| self.has(k, flag::PARTICLE | flag::INNER_PARTICLE);
        let name_word = |k: usize| {
            self.words[k].shape == Shape::Lower
                && self.words[k].end - self.words[k].start >= 2
                && self.has(k, flag::NAME)
                && !self.has(
                    k,
                    flag::ENGLISH | flag::COMMON | flag::STOP | flag::VOCAB | NOT_A_PERSON,
                )
        };
        if marks[first].is_none() && !particle(first) {
            return;
        }
        let mut run = vec![first];
        let mut k = first + 1;
        while k < self.words.len() && run.len() <= MAX_TITLED_REST && self.joined(k - 1, b"") {
            if name_word(k) {
                run.push(k);
                k += 1;
            } else if self.words[k].shape == Shape::Lower && particle(k) {
                k += 1;
            } else {
                break;
            }
        }
        // The run ends at its last name word: particles after it are no part of it.
        let Some(&last) = run.last() else { return };
        if last == first && marks[first].is_none() {
            return;
        }
        // Particles between are part of the name: one run from the first word to the last.
        for m in marks.iter_mut().take(last + 1).skip(first) {
            *m = Some(PhiType::Name);
        }
    }

    /// `Seo-yeon Park`, `Priya Hill called`: a capitalised surname that is also an English or
    /// facility word (`Park`), one space after a given name found already, is the name's
    /// surname, unless what follows makes it a place (`Grace Hill Hospital`, `Lee Park Rd`).
    fn mark_word_surname_after_given_name(&self, j: usize, marks: &mut [Option<PhiType>]) {
        if j == 0
            || marks[j].is_some()
            || !matches!(marks[j - 1], Some(PhiType::Name))
            || !self.surname_written_as_given_name(j)
            || self.text[self.words[j - 1].end..self.words[j].start] != *b" "
            || !self.has(j, flag::LAST)
            || self.has(
                j,
                flag::STOP | flag::CLINICAL | flag::CREDENTIAL | flag::PLACE_CUE | flag::REGION,
            )
        {
            return;
        }
        let next = j + 1;
        let place_after = next < self.words.len()
            && self.joined(j, b"")
            && (matches!(self.words[next].shape, Shape::Cap | Shape::Upper) && !self.caps_mode
                || self.has(next, flag::FACILITY | flag::PLACE_CUE));
        if !place_after {
            marks[j] = Some(PhiType::Name);
        }
    }
}

impl Ctx<'_> {
    /// Word `j` is written as the given name before it: both capitalised in mixed-case text
    /// (`Seo-yeon Park`), or both in lower case or both in capitals when the given name is a
    /// first name a list holds (`michelle allen, who agrees`, `DENNIS WALKER (DOB`): one case
    /// for both words tells nothing in such text, so the list must say the first is a name.
    fn surname_written_as_given_name(&self, j: usize) -> bool {
        let (given, surname) = (self.words[j - 1].shape, self.words[j].shape);
        match surname {
            Shape::Cap => !self.caps_mode && self.given_name_written(j - 1),
            Shape::Lower | Shape::Upper => {
                given == surname
                    && self.has(j - 1, flag::FIRST)
                    && self.words[j].end - self.words[j].start >= 3
            }
            Shape::Mixed => false,
        }
    }

    /// Word `k` is written as a given name: capitalised, or the lower-case half of a
    /// hyphenated one (`yeon` of `Seo-yeon`).
    fn given_name_written(&self, k: usize) -> bool {
        self.words[k].shape == Shape::Cap
            || k > 0
                && self.words[k].shape == Shape::Lower
                && self.words[k - 1].shape == Shape::Cap
                && self.text[self.words[k - 1].end..self.words[k].start] == *b"-"
    }
}

/// Marks words `first..=last` as one person (words between, like `and`, are left: runs are
/// joined only across marked words).
fn mark_group(marks: &mut [Option<PhiType>], first: usize, last: usize) {
    marks[first] = Some(PhiType::Name);
    if last != first {
        marks[last].get_or_insert(PhiType::Name);
    }
}

#[cfg(test)]
mod tests {
    use crate::detect::lexicon::detected_strings;
    use crate::detect::Detector;
    use crate::patterns::Patterns;

    fn detector() -> Detector {
        Detector::build(&Patterns::builtin()).expect("built-in patterns")
    }

    /// A common-word first name before a verb of a person, at a sentence's start or in
    /// its middle, is found; the same words as words are kept.
    #[test]
    fn a_word_name_before_a_verb_of_a_person_is_a_person() {
        let d = detector();
        for (text, name) in [
            (
                "OT note. Hope stayed in the car during the session.",
                "Hope",
            ),
            ("OT note. Bill drove him to the clinic.", "Bill"),
            ("OT note. Sunny was tearful today.", "Sunny"),
            ("OT note. After the session Joy drove her home.", "Joy"),
            ("OT note. Grace is her main support at home.", "Grace"),
            ("- Hope stayed in the car.", "Hope"),
        ] {
            let found = detected_strings(&d, text);
            assert!(found.iter().any(|f| f == name), "{text}: {found:?}");
        }
        for text in [
            "We hope to improve her grip strength by next week.",
            "Will follow up with PT on Monday.",
            "Follow-up visit in May, sooner if needed.",
            "She tends a rose garden and wants to kneel again.",
            "Front desk will bill the insurer for the splint.",
            "Pt was able to park the car and walk in.",
            "Pt has faith that therapy will help.",
            "(Hope to improve.)",
        ] {
            let found = detected_strings(&d, text);
            assert!(found.is_empty(), "{text}: {found:?}");
        }
    }

    /// Relations in apposition or coordination show a person; two names with a plural
    /// relation are both found.
    #[test]
    fn a_word_name_beside_a_relation_is_a_person() {
        let d = detector();
        for (text, names) in [
            ("Amber, her niece, visited.", &["Amber"][..]),
            ("Sunny (nephew) present for education.", &["Sunny"]),
            ("Pt came with Will and his sister June.", &["Will", "June"]),
            (
                "Amber and Crystal, her nieces, visited.",
                &["Amber", "Crystal"],
            ),
        ] {
            let found = detected_strings(&d, text);
            for n in names {
                assert!(found.iter().any(|f| f == n), "{text}: {found:?}");
            }
        }
    }

    /// A one-case name after a title is taken whole; a found given name takes an
    /// English-word surname, not a place's next word.
    #[test]
    fn titled_one_case_names_and_word_surnames_are_whole() {
        let d = detector();
        for (text, name) in [
            ("Spoke with Ms. zhang li about the bench.", "zhang li"),
            ("Pt mr. de la cruz seen for ADL retraining.", "de la cruz"),
            ("Seo-yeon Park called about the equipment.", "Seo-yeon Park"),
        ] {
            let found = detected_strings(&d, text);
            assert!(found.iter().any(|f| f == name), "{text}: {found:?}");
        }
    }

    /// An insurer whose name reads as a person or a town is kept whole; a person named
    /// like one of its words is still found.
    #[test]
    fn insurers_are_no_people_or_places() {
        let d = detector();
        for text in [
            "Billed to Liberty Mutual per the adjuster.",
            "United Healthcare approved 12 visits.",
            "Blue Cross denied the second splint.",
        ] {
            let found = detected_strings(&d, text);
            assert!(found.is_empty(), "{text}: {found:?}");
        }
        // A word after a comma, before a name, is an address's next item.
        let found = detected_strings(&d, "Send it to Paolo Rossi, Via Ida.");
        assert!(!found.iter().any(|f| f.contains("Via")), "{found:?}");
        let found = detected_strings(&d, "Dr. Liberty reviewed the plan.");
        assert!(found.iter().any(|f| f == "Liberty"), "{found:?}");
    }

    /// A first name and a surname that are both English words, capitalised at a clause's
    /// start before what a person did, are a person (red team 58 R3); a device or a phrase
    /// before a verb is not.
    #[test]
    fn two_word_names_of_english_words_before_a_persons_act_are_people() {
        let d = detector();
        for (text, name) in [
            ("Sue Long completed the HEP.", "Sue Long"),
            ("OT note. Mark Stone arrived late.", "Mark Stone"),
            ("Ruby Rose donned socks with sock aid.", "Ruby Rose"),
        ] {
            let found = detected_strings(&d, text);
            assert!(found.iter().any(|f| f.contains(name)), "{text}: {found:?}");
        }
        for text in [
            "Walker adjusted to pt height.",
            "Grace period ended today.",
            "Rolling Walker issued and fitted.",
        ] {
            let found = detected_strings(&d, text);
            assert!(found.is_empty(), "{text}: {found:?}");
        }
    }
}
