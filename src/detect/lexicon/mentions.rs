//! People mentioned in general-domain messages by a given name alone, where the sentence
//! and not the word says a person is meant (issue 13, stop 47, helper `general47`).
//!
//! Owns five readings: a given name that is also a word after a word that takes a person
//! (`hey its Penny`, `bringing Iris too`, `Hello Daisy,`, `Love, May`); two lower-case
//! given names joined by `and` (`frank and mikael are coming`); a lower-case given name
//! and a Nordic patronymic (`arbjort leosson`); the surname between `the` and `family`
//! (`c/o the Weaver family`); and the Irish `o` between a lower-case given name and
//! surname (`antoinette o claonain`, the view's `ó`). The word list is
//! `patterns/words/person_messages.toml`'s `person_object_heads`.

use super::flag;
use super::person::{LOWER_NAME_BLOCKED, NOT_A_PERSON};
use super::words::Shape;
use super::Ctx;
use crate::detect::salutations::SALUTATION_ROLES;
use crate::phi::PhiType;

/// Months that are given names too: after a head they are as often a date (`see you in
/// May`, `with May rent`), so only a sign-off reads them.
const MONTH_NAMES: [&[u8]; 5] = [b"may", b"june", b"april", b"august", b"march"];

/// Greetings after which a month before a comma is the person greeted (`Hello May,`).
pub(super) const GREETINGS: [&[u8]; 4] = [b"hello", b"hi", b"hey", b"dear"];

/// Words after `are` or `were` that tell of people coming, going or being somewhere (`chase
/// and heather are coming round`): with two given names joined by `and` before them, the
/// names are two people even when both are also words (stop 50).
const PLURAL_PERSON_STATES: [&[u8]; 10] = [
    b"coming",
    b"going",
    b"visiting",
    b"staying",
    b"here",
    b"home",
    b"back",
    b"late",
    b"over",
    b"arriving",
];

/// Verbs before `to` and a person the contact verbs of the lexicon do not hold (`Please
/// report to Jade on your first morning`, `speak to Will`), stop 51: kept here so the
/// tagger's features stay as they are.
const REPORT_VERBS: [&[u8]; 4] = [b"report", b"speak", b"reports", b"speaking"];

/// Endings of Nordic patronymics (`Leósson`, `Björnsdóttir`, `Karlsdotter`, read through
/// the view without marks).
const PATRONYMIC_ENDS: [&[u8]; 3] = [b"sson", b"dottir", b"dotter"];

impl Ctx<'_> {
    /// Word `k` and the gap after it end a mention: the text ends, punctuation follows, or a
    /// lower-case word of the sentence does.
    fn mention_ends(&self, k: usize) -> bool {
        let end = self.words[k].end;
        match self.text.get(end) {
            None => true,
            Some(b',' | b'.' | b'!' | b'?' | b';' | b':' | b')' | b'\n' | b'\r') => true,
            Some(b' ') => {
                k + 1 < self.words.len()
                    && self.joined(k, b"")
                    && self.words[k + 1].shape == Shape::Lower
            }
            _ => false,
        }
    }

    /// Word `k` can be a surname written after a given name in mixed-case text: capitalised,
    /// a listed surname that is no English word, or a word no list holds.
    fn capital_surname(&self, k: usize) -> bool {
        self.words[k].shape == Shape::Cap
            && !self.has(k, NOT_A_PERSON)
            && (self.has(k, flag::LAST) && !self.has(k, flag::ENGLISH) || self.unlisted_word(k))
    }

    /// `hey its Penny, locked out`, `ok! bringing Iris too`, `left it with Sunny next door`,
    /// `Hello Daisy, your refund`, `interview with Ivy Seven`, `Love, May`: in mixed-case
    /// text a given name that is also a word (`word_name_candidate`) right after a word that
    /// takes a person (`person_object_heads`), or after a sign-off opening its sentence and
    /// a comma, is a person when the mention ends there (punctuation or a lower-case word)
    /// or a surname follows. Months are read only after a sign-off.
    pub(super) fn mark_word_name_after_head(&self, i: usize, marks: &mut [Option<PhiType>]) {
        if marks[i].is_some() || i == 0 || !self.word_name_candidate(i) {
            return;
        }
        let h = i - 1;
        let gap = &self.text[self.words[h].end..self.words[i].start];
        let month = MONTH_NAMES.iter().any(|m| self.word_is(i, m));
        // `Hello May, your refund`: a greeting's month before a comma is its person.
        let greeted = GREETINGS.iter().any(|g| self.word_is(h, g))
            && self.text.get(self.words[i].end) == Some(&b',');
        // `my mum June still lives there`: a month right after `mum` is her name (stop 55).
        let mum = [b"mum".as_slice(), b"mummy"]
            .iter()
            .any(|m| self.word_is(h, m));
        let after_head =
            gap == b" " && self.has(h, flag::PERSON_OBJECT) && (!month || greeted || mum);
        let signed = gap == b", " && self.has(h, flag::SIGN_OFF) && self.clause_start(h);
        // `Spoke to Will today`, `talked to Hope,`: a verb of contact, `to`, the person.
        let contacted = gap == b" "
            && h > 0
            && self.word_is(h, b"to")
            && self.joined(h - 1, b"")
            && (self.has(h - 1, flag::CONTACT)
                || REPORT_VERBS.iter().any(|v| self.word_is(h - 1, v)));
        if !after_head && !signed && !contacted {
            return;
        }
        if self.mention_ends(i) {
            marks[i] = Some(PhiType::Name);
        } else if i + 1 < self.words.len()
            && self.text[self.words[i].end..self.words[i + 1].start] == *b" "
            && self.capital_surname(i + 1)
            && self.mention_ends(i + 1)
        {
            marks[i] = Some(PhiType::Name);
            marks[i + 1] = Some(PhiType::Name);
        }
    }

    /// `As you know, Crystal is a 50-year-old right-handed woman`, `Blessing was an
    /// 82 yo`: in mixed-case text a given name that is also a word (`word_name_candidate`)
    /// right before `is`/`was`, an article and an age is the person the age is of (stop 51).
    pub(super) fn mark_word_name_before_age(&self, i: usize, marks: &mut [Option<PhiType>]) {
        // The cheap test first: most words are followed by no ` is a`/` was a`.
        let rest = &self.text[self.words[i].end..];
        if marks[i].is_some()
            || !(rest.starts_with(b" is a") || rest.starts_with(b" was a"))
            || i + 3 >= self.words.len()
            || !self.word_name_candidate(i)
            || !self.joined(i, b"")
        {
            return;
        }
        if self.age_intro_at(i + 1) {
            marks[i] = Some(PhiType::Name);
        }
    }

    /// `Dear Mats,`, `Dear Per,`, `Dear Ms Bell,`: in mixed-case text one capitalised word
    /// between `Dear` (and maybe a courtesy title) and the comma or line break that closes a
    /// letter's salutation is the person written to, even a word or an eponym, unless it
    /// greets a group or a role (`Dear Sir,`, `Dear Colleagues,`; `SALUTATION_ROLES`)
    /// (stop 51).
    ///
    /// `Hi Nice,`, `Hello Seem,`, `Hey Ana-Sofia!`: after `hi`, `hello` or `hey` the same
    /// slot, closed by a comma or `!`, holds the person greeted unless the word greets a
    /// group or no one in particular (`Hi all,`, `Hello there,`: `greeted_word`). A
    /// hyphenated name there is read whole.
    pub(super) fn mark_salutation_name(&self, i: usize, marks: &mut [Option<PhiType>]) {
        let w = &self.words[i];
        if marks[i].is_some()
            || i == 0
            || self.caps_mode
            || w.shape != Shape::Cap
            || w.end - w.start < 2
            || SALUTATION_ROLES.iter().any(|r| self.word_is(i, r))
        {
            return;
        }
        let Some(last) = self.greeting_slot_end(i) else {
            return;
        };
        let mut h = i - 1;
        let titled = self.has(h, flag::PERSON_TITLE | flag::PROVIDER_TITLE);
        if titled && h > 0 && self.joined(h - 1, b"") {
            h -= 1;
        }
        let hello = !titled
            && ["hi", "hello", "hey"]
                .iter()
                .any(|g| self.word_is(h, g.as_bytes()))
            && (i..=last).all(|k| self.greeted_word(k))
            && self.greeting_closed_inline(last);
        if !(self.word_is(h, b"dear") || hello)
            || !self.clause_start(h)
            || !self.joined(h, b".")
            || !titled && h + 1 != i
        {
            return;
        }
        if hello {
            for m in &mut marks[i..=last] {
                *m = m.or(Some(PhiType::Name));
            }
            return;
        }
        // After a title any capitalised word is the surname (`Ms Bell`); alone, a word of
        // another kind (a role, relation or title) greets no one by name.
        let other_kind = flag::LABEL
            | flag::ROLE
            | flag::RELATION
            | flag::CREDENTIAL
            | flag::FACILITY
            | flag::PERSON_TITLE
            | flag::PROVIDER_TITLE;
        if titled || !self.has(i, other_kind) {
            for m in &mut marks[i..=last] {
                *m = m.or(Some(PhiType::Name));
            }
        }
    }

    /// `Astghik, your results from 3 May are normal.`: in mixed-case text a capitalised word
    /// opening a line and addressed with a comma and `you`/`your` is the person written to,
    /// when it is a listed given name that is no English word, vocabulary or cue, or a word no
    /// list holds (stop 52). `Overall, your`, `Doctor, you` are words and stay.
    pub(super) fn mark_vocative_name(&self, i: usize, marks: &mut [Option<PhiType>]) {
        let w = &self.words[i];
        if marks[i].is_some() || self.caps_mode || w.shape != Shape::Cap || w.end - w.start < 3 {
            return;
        }
        // The cheap test first: the bytes after the word.
        let after = &self.text[w.end..];
        if ![&b", your "[..], b", you "]
            .iter()
            .any(|p| after.starts_with(p))
        {
            return;
        }
        let line_start = self.text[..w.start]
            .iter()
            .rev()
            .take_while(|c| **c != b'\n')
            .all(|c| matches!(c, b' ' | b'\t'));
        if !line_start {
            return;
        }
        let blocked = NOT_A_PERSON
            | flag::VOCAB
            | flag::NEVER_NAME
            | flag::STOP
            | flag::NAME_CUE
            | flag::STRONG_CUE
            | flag::ENGLISH;
        let listed = self.has(i, flag::NAME) && !self.has(i, blocked);
        let unknown = self.unlisted_word(i) && w.flags == 0;
        if listed || unknown {
            marks[i] = Some(PhiType::Name);
        }
    }

    /// Word `k` may be one of two lower-case given names joined by `and`: a first-list word
    /// that is no vocabulary, cue or place word (a common-word name such as `will` counts).
    pub(super) fn lower_given(&self, k: usize) -> bool {
        let w = &self.words[k];
        w.shape == Shape::Lower
            && w.end - w.start >= 3
            && self.has(k, flag::FIRST)
            && !self.has(k, NOT_A_PERSON)
            && (!self.has(k, flag::STOP) || self.has(k, flag::COMMON))
    }

    /// Word `k` is surely a name in lower case: a listed given name that is no English word
    /// (`mikael`, `catalina`), or a word of four letters or more no list holds that is no
    /// misspelling or compound of known words (`balatekin`).
    pub(super) fn lower_given_sure(&self, k: usize) -> bool {
        let w = &self.words[k];
        let word = &self.text[w.start..w.end];
        if w.shape != Shape::Lower || word.iter().any(u8::is_ascii_digit) {
            return false;
        }
        (self.lower_name(k) && !self.has(k, LOWER_NAME_BLOCKED))
            || (self.unlisted_word(k)
                && w.flags == 0
                && word.len() >= 4
                && !self.misspelt(word)
                && !self.compound(k))
    }

    /// `frank and mikael are coming round`, `may and catalina`: in mixed-case or lower-case
    /// text two lower-case words joined by `and` or `&`, both given names of the lists (or one a
    /// word no list holds) and one of them no English word, are two people. A given name
    /// that is a word beside another word (`will and testament`) stays.
    pub(super) fn mark_lower_name_pair(&self, i: usize, marks: &mut [Option<PhiType>]) {
        let (and, k) = (i + 1, i + 2);
        // A note written all in lower case is read too: the lists and the `and` say it.
        if self.caps_mode
            || k >= self.words.len()
            || marks[i].is_some() && marks[k].is_some()
            || !self.joined(i, b"&")
            || !self.joined(and, b"")
            || !(self.word_is(and, b"and")
                || self.text[self.words[i].end..self.words[k].start] == *b" & ")
        {
            return;
        }
        let both = (self.lower_given(i) || self.lower_given_sure(i))
            && (self.lower_given(k) || self.lower_given_sure(k));
        let pair = both
            && (self.lower_given_sure(i)
                || self.lower_given_sure(k)
                || self.plural_person_after(k))
            && (self.lower_given(i) || self.lower_given(k));
        if pair {
            marks[i] = Some(PhiType::Name);
            marks[k] = Some(PhiType::Name);
        }
    }

    /// The words after word `k` tell of the people before them: `are`/`were` and a word of
    /// coming, going or being somewhere (`are coming round`, `were here`), or a verb of
    /// company (`came`, `visited`, `stopped by`).
    fn plural_person_after(&self, k: usize) -> bool {
        let (v, s) = (k + 1, k + 2);
        if v >= self.words.len() || !self.joined(k, b"") {
            return false;
        }
        if self.has(v, flag::COMPANY) {
            return true;
        }
        (self.word_is(v, b"are") || self.word_is(v, b"were"))
            && s < self.words.len()
            && self.joined(v, b"")
            && PLURAL_PERSON_STATES.iter().any(|w| self.word_is(s, w))
    }

    /// `we used Daisy Rogers last spring`, `Violet Ó Biaidh`, `Min Feng (resident`: in
    /// mixed-case text a given name that is also a word (`word_name_candidate`) right before
    /// a capitalised surname (a listed one that is no English word, or a word no list holds)
    /// or before a name found already is that person's given name (stop 50). Read after the
    /// other passes, so a surname any of them found counts.
    pub(super) fn mark_word_name_before_surname(&self, i: usize, marks: &mut [Option<PhiType>]) {
        let j = i + 1;
        if marks[i].is_some()
            || j >= self.words.len()
            || self.text[self.words[i].end..self.words[j].start] != *b" "
            || !self.word_name_candidate(i)
            || MONTH_NAMES.iter().any(|m| self.word_is(i, m))
        {
            return;
        }
        // `Paolo Rossi, Via Ida`: the item after a name and a comma is an address's next
        // line as often as another person.
        let after_name = i > 0
            && self.text[self.words[i - 1].end..self.words[i].start] == *b", "
            && matches!(marks[i - 1], Some(PhiType::Name | PhiType::ProviderName));
        if after_name {
            return;
        }
        let found = matches!(marks[j], Some(PhiType::Name | PhiType::ProviderName));
        if found || self.capital_surname(j) && self.mention_ends(j) {
            marks[i] = Some(PhiType::Name);
            marks[j] = Some(PhiType::Name);
            return;
        }
        // `Holly Ó Hicí`: the Irish `Ó` (read as `o`) and a capitalised surname after it.
        let k = j + 1;
        if k < self.words.len()
            && self.word_is(j, b"o")
            && self.words[j].shape == Shape::Cap
            && self.text[self.words[j].end..self.words[k].start] == *b" "
            && self.words[k].shape == Shape::Cap
            && !self.has(k, NOT_A_PERSON | flag::STOP)
            && (matches!(marks[k], Some(PhiType::Name))
                || self.unlisted_word(k)
                || self.has(k, flag::LAST))
        {
            for m in &mut marks[i..=k] {
                *m = Some(PhiType::Name);
            }
        }
    }

    /// `Peace c/o the Ogunleye family`, `Lei c/o Hwang`: in mixed-case text a capitalised
    /// word right before ` c/o ` is the person the post is for, when it is a listed name
    /// (even one that is also a word) or a word no list holds, and no cue, title or clinical
    /// word (stop 50).
    pub(super) fn mark_before_care_of(&self, i: usize, marks: &mut [Option<PhiType>]) {
        let w = &self.words[i];
        if marks[i].is_some()
            || self.caps_mode
            || w.shape != Shape::Cap
            || w.end - w.start < 2
            || !self.text[w.end..].starts_with(b" c/o ")
            || self.has(
                i,
                NOT_A_PERSON | flag::STOP | flag::FACILITY | flag::PLACE_CUE,
            )
        {
            return;
        }
        // What follows `c/o` is post's (`c/o the Ogunleye family`, `c/o Hwang`), not a
        // note's complaint (`Pt c/o pain`): `the` and a capital, or a capital.
        let rest = &self.text[w.end + 5..];
        let rest = rest.strip_prefix(b"the ").unwrap_or(rest);
        let addressed = rest.first().is_some_and(u8::is_ascii_uppercase);
        // A surname that is an English word (`Parcel c/o`) is the thing sent, not its person.
        let named = self.has(i, flag::FIRST)
            || self.has(i, flag::LAST) && !self.has(i, flag::ENGLISH)
            || self.unlisted_word(i);
        if addressed && named {
            marks[i] = Some(PhiType::Name);
        }
    }

    /// `arbjort leosson`, `unnur bjornsdottir`: in mixed-case text a lower-case word ending
    /// like a Nordic patronymic (`-sson`, `-dottir`, `-dotter`) that is no word of any list
    /// but the surnames', right after a lower-case given name of the lists or a word no list
    /// holds, is a name with it (`lesson` is an English word and stays).
    pub(super) fn mark_lower_patronymic(&self, i: usize, marks: &mut [Option<PhiType>]) {
        let w = &self.words[i];
        let word = &self.text[w.start..w.end];
        if i == 0
            || self.caps_mode
            || self.lower_mode
            || w.shape != Shape::Lower
            || word.len() < 6
            || !PATRONYMIC_ENDS.iter().any(|e| word.ends_with(e))
            || self.has(i, LOWER_NAME_BLOCKED)
            || !self.joined(i - 1, b"")
        {
            return;
        }
        let g = i - 1;
        let given = self.words[g].shape == Shape::Lower
            && (self.lower_given(g) || self.unlisted_word(g) && self.words[g].flags == 0);
        if given {
            marks[g] = Some(PhiType::Name);
            marks[i] = Some(PhiType::Name);
        }
    }

    /// Whether word `i` may be a family's name: no word of another kind, but for an
    /// eponym that is a listed surname (`the Allen family`).
    fn may_name_a_family(&self, i: usize) -> bool {
        let other_kind = self.has(i, NOT_A_PERSON | flag::COMPANY);
        let listed_surname = self.has(i, flag::LAST)
            && !self.has(i, (NOT_A_PERSON & !flag::CLINICAL) | flag::COMPANY);
        !other_kind || listed_surname
    }

    /// `c/o the Weaver family`, `the van den Brink family`, `the King family`: in mixed-case
    /// text the capitalised word between `the` (past up to two particles) and `family` is
    /// a surname, even one that is a word or a town, unless it is a cue, title or clinical
    /// word.
    pub(super) fn mark_family_surname(&self, i: usize, marks: &mut [Option<PhiType>]) {
        let f = i + 1;
        if marks[i].is_some()
            || self.caps_mode
            || self.lower_mode
            || f >= self.words.len()
            || self.words[i].shape != Shape::Cap
            || !self.joined(i, b"")
            || !self.word_is(f, b"family")
            // Not `flag::PLACE`: towns are named after families too (`Allen`, `Weaver`).
            || !self.may_name_a_family(i)
        {
            return;
        }
        let mut first = i;
        while first > 0
            && i - first < 2
            && self.joined(first - 1, b"")
            && self.words[first - 1].shape == Shape::Lower
            && self.has(first - 1, flag::PARTICLE | flag::INNER_PARTICLE)
        {
            first -= 1;
        }
        if first == 0 || !self.joined(first - 1, b"") || !self.word_is(first - 1, b"the") {
            return;
        }
        for m in &mut marks[first..=i] {
            *m = Some(PhiType::Name);
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
    fn a_word_name_after_a_head_is_a_person() {
        let d = detector();
        finds(
            &d,
            "SMS from the landlord: hey its Penny, locked out again",
            "Penny",
        );
        finds(&d, "Book club is at mine, ok! bringing Iris too", "Iris");
        finds(&d, "Thanks again for the flowers! Love, Rose", "Rose");
        keeps(
            &d,
            "We meet again with May rent due, the lease ends then.",
            "May",
        );
        keeps(&d, "The bill came with Summit Mobile stickers.", "Summit");
        finds(
            &d,
            "We moved from Busan. my mum June still lives there.",
            "June",
        );
    }

    #[test]
    fn two_lower_case_given_names_joined_by_and_are_people() {
        let d = detector();
        finds(
            &d,
            "Party tonight, frank and mikael are coming round at 7",
            "mikael",
        );
        finds(
            &d,
            "Party tonight, frank and mikael are coming round at 7",
            "frank",
        );
        keeps(&d, "He signed his will and testament today.", "will");
    }

    #[test]
    fn word_names_in_greetings_after_contact_and_before_surnames_are_people() {
        let d = detector();
        finds(&d, "Hello June, your parcel is ready.", "June");
        finds(&d, "Spoke to Will today, he is moving next month.", "Will");
        finds(&d, "we used Daisy Okafor last year", "Daisy");
        finds(&d, "Booked with Holly Ó Hicí for the spring.", "Holly");
        keeps(&d, "Will and testament signed today.", "Will");
    }

    #[test]
    fn two_given_names_that_are_words_before_a_verb_of_coming_are_people() {
        let d = detector();
        finds(&d, "hazel and dale are coming round at 8", "hazel");
        finds(&d, "hazel and dale are coming round at 8", "dale");
        keeps(&d, "Temp rose and fell overnight.", "rose");
    }

    #[test]
    fn the_person_a_parcel_goes_to_in_care_of_is_a_person() {
        let d = detector();
        finds(&d, "Blessing c/o the Adeyemi family, 4 Elm Row", "Blessing");
        finds(&d, "Card c/o the Allen family.", "Allen");
        keeps(&d, "Pt c/o Pain in the left knee.", "Pain");
        keeps(&d, "Parcel c/o the Adeyemi family.", "Parcel");
    }

    #[test]
    fn a_patronymic_and_the_family_name_are_people() {
        let d = detector();
        finds(
            &d,
            "Met her at the market. arbjort leosson said hi",
            "leosson",
        );
        finds(&d, "Parcel c/o the Weaver family, 12 Elm Street", "Weaver");
        keeps(&d, "Today's lesson was about the family tree.", "lesson");
    }

    #[test]
    fn a_name_opening_a_line_and_addressed_with_you_is_a_person() {
        let d = detector();
        finds(
            &d,
            "Subject: lab results\n\nAstghik, your results from 3 May are normal.",
            "Astghik",
        );
        keeps(
            &d,
            "Subject: lab results\n\nOverall, your results are normal.",
            "Overall",
        );
    }

    #[test]
    fn a_word_name_before_an_age_or_in_a_salutation_is_a_person() {
        let d = detector();
        finds(
            &d,
            "As you know, Crystal is a 50-year-old right-handed woman.",
            "Crystal",
        );
        finds(
            &d,
            "Dear Mats,\nWe are pleased to offer you the post.",
            "Mats",
        );
        finds(&d, "Dear Ms Bell,\nPlease accept this letter.", "Bell");
        finds(&d, "Please report to Jade on your first morning.", "Jade");
        finds(&d, "my mum Sonny still lives there.", "Sonny");
        keeps(
            &d,
            "Dear Colleague,\nThank you for the referral.",
            "Colleague",
        );
        keeps(&d, "The bill is a 50-page document.", "bill");
    }
}
