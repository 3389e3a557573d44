//! Names and places that no list holds (issue 13): the rules that read a person or a town
//! from the sentence alone, when the word itself is in no name or place list.
//!
//! The evidence is the context (a greeting or `per` before a person, a verb such as
//! `reports` after one, a `City:` label or a `, <state>` after a town, an `@` handle), the
//! word's shape (written as a name: title case, or the case of a note written in one case),
//! and the safe vocabulary (the word is no English, clinical, cue or credential word). The
//! rest of a found name is grown by `names::extend_names`; these rules only start it.

use super::flag;
use super::words::{Shape, Word};
use super::Ctx;
use crate::phi::PhiType;

/// Flags that make a word ordinary vocabulary or a cue: never evidence of a person or town.
pub(super) const NOT_UNLISTED: u64 = flag::ENGLISH
    | flag::COMMON
    | flag::VOCAB
    | flag::NEVER_NAME
    | flag::NAME_CUE
    | flag::RELATION
    | flag::LABEL
    | flag::STRONG_CUE
    | flag::PERSON_TITLE
    | flag::PROVIDER_TITLE
    | flag::OPENER
    | flag::PERSON_VERB
    | flag::PLACE_LABEL
    | flag::PLACE_CUE
    | flag::ROLE
    | flag::CONTACT
    | flag::PARTICLE
    | flag::INNER_PARTICLE
    | flag::EPONYM_HEAD;

/// The most words a surname written `Last, First` reaches back over (`van der`, a double
/// surname, given names before it).
const SURNAME_REACH: usize = 3;

/// Word `w` of `text` may be a name or town that no list holds: no vocabulary or cue word,
/// no digit, and written as a name for the note's case: title case (or `McKay`) in mixed
/// text, capitals in a capitals-only note (`caps_mode`; four letters at least: shorter ones
/// are acronyms), lower case of four letters or more in a lower-case note (`lower_mode`).
pub(super) fn unlisted(text: &[u8], w: &Word, caps_mode: bool, lower_mode: bool) -> bool {
    let len = w.end - w.start;
    // The case first: it rules out most words (lower case in a mixed note) before the
    // word's bytes are read.
    let written_as_name = match w.shape {
        Shape::Cap => !caps_mode,
        Shape::Upper => caps_mode && len >= 4,
        Shape::Lower => lower_mode && len >= 4,
        Shape::Mixed => !caps_mode && !lower_mode && gaelic_capitals(&text[w.start..w.end]),
    };
    if !written_as_name {
        return false;
    }
    let word = &text[w.start..w.end];
    // `MD'S`, `apc's`: a possessive or plural with an apostrophe is judged elsewhere.
    let possessive = word.len() > 2 && word[word.len() - 2] == b'\'';
    !(w.flags & NOT_UNLISTED != 0 || len < 3 || possessive || word.iter().any(u8::is_ascii_digit))
}

/// `MacJesdral`, `McQuorvel`: a surname's Gaelic prefix and the capital after it, then
/// lower case (red team general_dev seed 12: `Trym MacJesdral | sales manager`). Other
/// words with a capital inside (`iPad`, `PhD`, `HbA1c`) are not written as names.
pub(super) fn gaelic_capitals(word: &[u8]) -> bool {
    let rest = word
        .strip_prefix(b"Mac")
        .or_else(|| word.strip_prefix(b"Mc"));
    rest.is_some_and(|r| {
        r.len() >= 3 && r[0].is_ascii_uppercase() && r[1..].iter().all(u8::is_ascii_lowercase)
    })
}

impl Ctx<'_> {
    /// Word `i` may be a name or town that no list holds (see [`unlisted`]): read once
    /// per scan for every word, as the rules ask it of each word ten times over.
    pub(super) fn unlisted_word(&self, i: usize) -> bool {
        self.unlisted[i]
    }

    /// `hey Micard`, `Thanks, Pauracio`, `Per Hervinbasla`, `cc: Orayn`, `Regards,\nAnna`:
    /// after a greeting, a sign-off or `per`/`tell`/`ask`, a word no list holds is a person.
    pub(super) fn mark_after_opener(&self, i: usize, marks: &mut [Option<PhiType>]) {
        if self.has(i, flag::OPENER) && self.word_is(i + 1, b"by") {
            self.mark_after_by(i + 1, marks);
            return;
        }
        let j = i + 1;
        let opens = self.has(i, flag::OPENER) || self.ends_greeting(i);
        if !opens || j >= self.words.len() || marks[j].is_some() {
            return;
        }
        let gap = &self.text[self.words[i].end..self.words[j].start];
        // One comma or colon, a space, or a sign-off's line break (`Regards,\nAnna`), or
        // the blank line a letter leaves for the signature (`Sincerely,\n\nAnna`).
        let plain = gap.len() <= 3 && gap.iter().all(|c| matches!(c, b' ' | b',' | b':'));
        let signed = matches!(
            gap,
            b",\n" | b"\n" | b",\r\n" | b",\n\n" | b"\n\n" | b",\r\n\r\n"
        );
        if !(plain || signed) {
            return;
        }
        // `per Cardiology`, `hi team`: the vocabulary check keeps ordinary words out.
        if self.unlisted_word(j) || self.lower_vocative(j) {
            marks[j] = Some(PhiType::Name);
        } else if let Some(surname) = self.initials_then_unlisted(j) {
            // `Regards,\nL. Corez`, `Signed, J. R. Tolkowski`: initials and a surname no
            // list holds.
            marks[j..=surname].fill(Some(PhiType::Name));
        }
    }

    /// `hey josh,`, `Hello tekla,`, `thanks patty!`: after an opener, a word in lower case
    /// in a mixed-case text (where [`unlisted`] reads no lower-case word) is the person
    /// addressed when it is a listed name that is no common word ([`Ctx::lower_name`]), or
    /// a word of four letters or more no list holds at all that ends the phrase (a comma,
    /// `!`, `?` or the line's end after it): `hi all,`, `thanks again,` and `hey guys`
    /// are words; a misspelling (`thanks agian`) ends no greeting often enough to matter.
    fn lower_vocative(&self, j: usize) -> bool {
        let w = &self.words[j];
        if self.caps_mode || self.lower_mode || w.shape != Shape::Lower || w.end - w.start < 3 {
            return false;
        }
        if self.lower_name(j) {
            return true;
        }
        let ends = matches!(
            self.text.get(w.end),
            None | Some(b',' | b'!' | b'?' | b'\n' | b'\r')
        );
        ends && w.flags == 0
            && w.end - w.start >= 4
            && !self.text[w.start..w.end].iter().any(u8::is_ascii_digit)
    }

    /// Word `j` is a listed name that, written in lower case after a cue, is read as the
    /// name: no common word (`will`, `grace`: COMMON decides, as in `dictionary_name`), no
    /// function, cue or clinical word, and an English word only when many people bear it
    /// (`john`, `patty`, `josh`; not `calliope` or `sable`).
    pub(super) fn lower_name(&self, j: usize) -> bool {
        let w = &self.words[j];
        let blocked = flag::STOP
            | flag::VOCAB
            | flag::NAME_CUE
            | flag::RELATION
            | flag::LABEL
            | flag::STRONG_CUE
            | flag::PERSON_TITLE
            | flag::PROVIDER_TITLE
            | flag::PARTICLE
            | flag::ROLE;
        self.dictionary_name(j)
            && w.end - w.start >= 3
            && w.flags & blocked == 0
            && (w.flags & flag::ENGLISH == 0 || w.flags & flag::POPULAR != 0)
            && !self.text[w.start..w.end].iter().any(u8::is_ascii_digit)
    }

    /// `thanks for the lift yesterday, Laxchittklai!`, `Happy birthday, Herje!`: a word no
    /// list holds between a comma and an exclamation mark that ends the sentence is the
    /// person addressed (`Thanks, Everyone!` and `Go, Team!` are words).
    pub(super) fn mark_exclaimed_vocative(&self, i: usize, marks: &mut [Option<PhiType>]) {
        let w = &self.words[i];
        if marks[i].is_some() || w.start < 2 || !self.unlisted_word(i) {
            return;
        }
        if &self.text[w.start - 2..w.start] == b", " && self.text.get(w.end) == Some(&b'!') {
            marks[i] = Some(PhiType::Name);
        }
    }

    /// `MANY THANKS TO TAMANE`, `for the attention of jarma durk`: an opener, a link word
    /// (`opener_links` of `patterns/words/context.toml`) and a word no list holds, one
    /// space apart: the word is the person, as right after the opener.
    pub(super) fn mark_after_opener_link(&self, i: usize, marks: &mut [Option<PhiType>]) {
        let (link, j) = (i + 1, i + 2);
        if j >= self.words.len()
            || marks[j].is_some()
            || !self.has(i, flag::OPENER)
            || !self.has(link, flag::OPENER_LINK)
            || self.text[self.words[i].end..self.words[link].start] != *b" "
            || self.text[self.words[link].end..self.words[j].start] != *b" "
        {
            return;
        }
        if self.unlisted_word(j) {
            marks[j] = Some(PhiType::Name);
        }
    }

    /// `thank you Amittepidan`, `GOOD MORNING MUHYOR`: word `i` ends a two-word greeting
    /// (`greetings` of `patterns/words/context.toml`), which opens as `hey` does.
    fn ends_greeting(&self, i: usize) -> bool {
        if i == 0 || !self.has(i, flag::GREETING_END) || !self.joined(i - 1, b"") {
            return false;
        }
        self.lexicon
            .greetings
            .iter()
            .any(|(first, last)| self.word_is(i, last) && self.word_is(i - 1, first))
    }

    /// Word `j` starts one to three initials, each with its period (`L.`, `J. R.`, `J.R.`),
    /// and a word no list holds follows them: the index of that word.
    fn initials_then_unlisted(&self, j: usize) -> Option<usize> {
        let mut k = j;
        while k < j + 3
            && k + 1 < self.words.len()
            && self.followed_by_period(k)
            && self.joined(k, b".")
            && (self.is_initial(k) || k > j && self.is_capital_letter(k))
        {
            k += 1;
        }
        (k > j && self.unlisted_word(k)).then_some(k)
    }

    /// `Dictated by: Uomar Kape`, `transcribed by fadile.`: after an opener and `by` (word
    /// `by`), up to three words no list holds, initials or listed names are the person.
    fn mark_after_by(&self, by: usize, marks: &mut [Option<PhiType>]) {
        let j = by + 1;
        if j >= self.words.len() || marks[j].is_some() || !self.joined(by, b":") {
            return;
        }
        if !self.unlisted_word(j)
            && !self.dictionary_name(j)
            && self.initials_then_unlisted(j).is_none()
        {
            return;
        }
        marks[j] = Some(PhiType::Name);
        let mut k = j + 1;
        while k < self.words.len()
            && k <= j + 2
            && marks[k].is_none()
            && self.joined(k - 1, b".")
            && (self.unlisted_word(k) || self.is_initial(k) || self.dictionary_name(k))
        {
            marks[k] = Some(PhiType::Name);
            k += 1;
        }
    }

    /// `Per Hervinbasla, the splint ...`: `per` then a word no list holds and a comma, at the
    /// start of a clause, is the person quoted. Not `per` alone (`PER PROTOCAL`, `per
    /// flowsheet`: a misspelt word is unlisted too); the comma after one word is the evidence.
    pub(super) fn mark_per_comma(&self, i: usize, marks: &mut [Option<PhiType>]) {
        let j = i + 1;
        if j + 1 >= self.words.len()
            || !self.word_is(i, b"per")
            || marks[j].is_some()
            || self.text[self.words[i].end..self.words[j].start] != *b" "
            || !self.text[self.words[j].end..].starts_with(b", ")
            || !self.clause_start(i)
            || !self.unlisted_word(j)
        {
            return;
        }
        marks[j] = Some(PhiType::Name);
    }

    /// `* WILVALD VIERO (OT)`, `- masantija anojo`, `ATTENDEES: RIUSZ FAROY, UPKA MEHRONOV`:
    /// an item of a list of people (after a bullet at a line's start, or after `, `, `; ` or
    /// `and` that follow a person already found) made only of two or more name words, at
    /// least one that no list holds, and ending the item, is a person. Two unlisted words
    /// alone as an item are the evidence: a misspelt bullet (`- DIURESING WELL`) has a word.
    pub(super) fn mark_list_item(&self, i: usize, marks: &mut [Option<PhiType>]) {
        let strong = |k: usize| self.unlisted_word(k) || self.dictionary_name(k);
        // The word's own flags first: most words are no name, and reading the text around
        // every word for a bullet or a listed person cost more than the rest of the rule.
        if marks[i].is_some()
            || !strong(i)
            || !(self.after_bullet(i) || self.after_listed_person(i, marks))
        {
            return;
        }
        let mut end = i;
        while end + 1 < self.words.len()
            && end < i + 4
            && self.joined(end, b".-")
            && (strong(end + 1) || self.is_initial(end + 1) || self.extends(end + 1))
        {
            end += 1;
        }
        let names = (i..=end).filter(|&k| strong(k)).count();
        let unlisted = (i..=end).any(|k| self.unlisted_word(k));
        if names < 2 || !unlisted || !self.ends_item(end) {
            return;
        }
        for (k, m) in marks.iter_mut().enumerate().take(end + 1).skip(i) {
            if m.is_none() && (strong(k) || self.is_initial(k)) {
                *m = Some(PhiType::Name);
            }
        }
    }

    /// Word `i` follows a bullet (`- `, `* `, `• `) that opens its line.
    /// Reads backwards from the word only as far as the bullet: scanning back to the line
    /// start for every word made long unbroken lines quadratic.
    fn after_bullet(&self, i: usize) -> bool {
        let is_blank = |c: &u8| *c == b' ' || *c == b'\t' || *c == b'\r';
        let before = &self.text[..self.words[i].start];
        let before =
            &before[..before.len() - before.iter().rev().take_while(|c| is_blank(c)).count()];
        let bullet = [b"-".as_slice(), b"*", "\u{2022}".as_bytes()]
            .into_iter()
            .find(|b| before.ends_with(b));
        let Some(bullet) = bullet else { return false };
        let lead = &before[..before.len() - bullet.len()];
        let lead = &lead[..lead.len() - lead.iter().rev().take_while(|c| is_blank(c)).count()];
        lead.is_empty() || lead.ends_with(b"\n")
    }

    /// Word `i` follows `, `, `; `, `, and ` or ` and ` after a word marked as a person.
    fn after_listed_person(&self, i: usize, marks: &[Option<PhiType>]) -> bool {
        self.after_person_and(i, marks, &[b", ", b"; "])
    }

    /// Word `i` follows one of `separators`, or ` and ` / `, and `, right after a word
    /// marked as a person.
    fn after_person_and(&self, i: usize, marks: &[Option<PhiType>], separators: &[&[u8]]) -> bool {
        let person = |k: usize| matches!(marks[k], Some(PhiType::Name | PhiType::ProviderName));
        if i == 0 {
            return false;
        }
        let gap = &self.text[self.words[i - 1].end..self.words[i].start];
        if separators.contains(&gap) {
            return person(i - 1);
        }
        i >= 2
            && self.word_is(i - 1, b"and")
            && gap == b" "
            && matches!(
                &self.text[self.words[i - 2].end..self.words[i - 1].start],
                b" " | b", "
            )
            && person(i - 2)
    }

    /// Word `i` ends a list item: the text's end, a line break, `(`, `,` or `;` after it.
    fn ends_item(&self, i: usize) -> bool {
        let rest = &self.text[self.words[i].end..];
        let rest = rest.strip_prefix(b".").unwrap_or(rest);
        let rest = rest.strip_prefix(b" ").unwrap_or(rest);
        rest.is_empty() || matches!(rest[0], b'\n' | b'\r' | b'(' | b',' | b';')
    }

    /// `LIVES ALONE IN RAJOKI.`, `he works at the mill in uligaram.`: in a note written in
    /// one case, a word no list holds after `in`, ending its sentence, with a place cue
    /// (`lives`, `works`, `born`) at most four words before in the same sentence, is a town.
    /// Mixed-case text has its own rule (`mark_unknown_after_preposition`); this one needs
    /// the cue and the sentence end because capitals tell nothing here. An opener before the
    /// word (`lives in north salomeyland with`) makes it a town's name with or without the
    /// sentence end; a listed name with a town's ending (`from rebeccaberg.`) after `in`,
    /// `from` or `to` needs no cue.
    ///
    /// A word of travel or residence before the preposition (`drove in from koskrikamo
    /// today`, `took the bus from orola to`, `grew up near badati on`, `outside nandwar
    /// when`) is cue enough without the sentence end: those words take a place, never a
    /// service or a person. So is a region in parentheses after the word (`from hamocov
    /// (kenya)`). A town-ending word after the name (`detrebec junction`) is part of it.
    pub(super) fn mark_one_case_town(&self, i: usize, marks: &mut [Option<PhiType>]) {
        // The preposition may open the text (`from hamocov (kenya)`): `i` is 1 at least.
        if !(self.caps_mode || self.lower_mode)
            || i == 0
            || marks[i].is_some()
            || self.text[self.words[i - 1].end..self.words[i].start] != *b" "
        {
            return;
        }
        let after_in = self.word_is(i - 1, b"in");
        let travel_prep = after_in
            || [b"from".as_slice(), b"to", b"near", b"outside"]
                .iter()
                .any(|p| self.word_is(i - 1, p));
        if !travel_prep {
            return;
        }
        let opened = self.town_opener(i)
            && i + 1 < self.words.len()
            && self.text[self.words[i].end..self.words[i + 1].start] == *b" "
            && self.unlisted_word(i + 1);
        if !opened && !self.unlisted_word(i) {
            return;
        }
        let mut end = if opened { i + 1 } else { i };
        if end + 1 < self.words.len() && self.joined(end, b"-") && self.unlisted_word(end + 1) {
            end += 1;
        }
        let rest = &self.text[self.words[end].end..];
        let ends = rest.is_empty() || matches!(rest[0], b'.' | b',' | b';' | b'\n' | b'\r');
        let cued_by = |f: u64| {
            (i.saturating_sub(6)..i - 1).rev().any(|k| {
                self.has(k, f)
                    && !self.text[self.words[k].end..self.words[i - 1].start]
                        .iter()
                        .any(|c| matches!(c, b'.' | b';' | b'\n' | b':'))
            })
        };
        let cued = cued_by(flag::PLACE_CUE);
        let name_town = end == i && self.is_name_town(i);
        let in_or_from_to = after_in || self.word_is(i - 1, b"from") || self.word_is(i - 1, b"to");
        let town = if after_in {
            cued && (ends || opened) || ends && name_town
        } else {
            in_or_from_to && ends && (name_town || cued && opened)
        };
        let travelled = cued_by(flag::TRAVEL) || self.region_in_parentheses(end);
        if !(town || travelled) {
            return;
        }
        // `detrebec junction`, `pulen springs`: a word that ends towns' names goes with it.
        if end + 1 < self.words.len()
            && self.text[self.words[end].end..self.words[end + 1].start] == *b" "
            && self.has(end + 1, flag::TOWN_END)
            && self.words[end + 1].shape == self.words[end].shape
        {
            end += 1;
        }
        for m in marks.iter_mut().take(end + 1).skip(i) {
            *m = Some(PhiType::Location);
        }
    }

    /// `hamocov (kenya)`, `SKOLA (WALES)`: word `k` is followed by a state, province or
    /// country alone in parentheses.
    fn region_in_parentheses(&self, k: usize) -> bool {
        let r = k + 1;
        r < self.words.len()
            && self.text[self.words[k].end..self.words[r].start] == *b" ("
            && self.has(r, flag::REGION)
            && self.text.get(self.words[r].end) == Some(&b')')
    }

    /// `north`, `new`, `port`: a word that opens a town's name and names nothing alone.
    fn town_opener(&self, i: usize) -> bool {
        crate::detect::address::TOWN_OPENERS
            .iter()
            .any(|o| self.word_is(i, o.as_bytes()))
    }

    /// Word `i` exists and is `w` in any case.
    pub(super) fn word_is(&self, i: usize, w: &[u8]) -> bool {
        self.words
            .get(i)
            .is_some_and(|x| self.text[x.start..x.end].eq_ignore_ascii_case(w))
    }

    /// Word `i` is the preposition after a verb of contact: a listed one (`with`, `to`,
    /// `for`) or `w/`, the notes' `with` (`spoke w/ john`), whose slash the word cut leaves
    /// in the gap.
    pub(super) fn contact_preposition(&self, i: usize) -> bool {
        self.has(i, flag::CONTACT_PREP) || self.with_slash(i)
    }

    /// Word `i` is the `w` of `w/` with one space or none before the next word.
    pub(super) fn with_slash(&self, i: usize) -> bool {
        i + 1 < self.words.len()
            && self.word_is(i, b"w")
            && self.text.get(self.words[i].end) == Some(&b'/')
            && self.joined(i, b"/")
    }

    /// `Idamir reports`, `Colia denies`, `Asha Verno said`, `ovadrakin called`: a word no list
    /// holds right before a verb that tells of a person, or of contacting one, is that person.
    pub(super) fn mark_before_person_verb(&self, i: usize, marks: &mut [Option<PhiType>]) {
        let j = i + 1;
        if j >= self.words.len()
            || marks[i].is_some()
            || !self.unlisted_word(i)
            || !(self.has(j, flag::PERSON_VERB) || self.contact_in_past(j))
            || self.text[self.words[i].end..self.words[j].start] != *b" "
        {
            return;
        }
        // `LASIX PREOP STATES`, `pt had prev expressed`: the person opens the clause, or
        // (in mixed case) is the surname after a first name written as one.
        let first_name_before = i > 0
            && !self.caps_mode
            && !self.lower_mode
            && self.joined(i - 1, b"")
            && (self.unlisted_word(i - 1) || self.dictionary_name(i - 1))
            && self.words[i - 1].shape == Shape::Cap;
        if self.clause_start(i) || self.after_time_opener(i) || first_name_before {
            marks[i] = Some(PhiType::Name);
            return;
        }
        // `RJ Delacroix called`, `rj delacroix called`: two initials written as one word
        // open the clause before the surname.
        let initials_open = i > 0
            && self.text[self.words[i - 1].end..self.words[i].start] == *b" "
            && marks[i - 1].is_none()
            && self.joined_initials(i - 1)
            && self.clause_start(i - 1);
        if initials_open {
            marks[i - 1] = Some(PhiType::Name);
            marks[i] = Some(PhiType::Name);
            return;
        }
        // `THERRES NUSBENBER REPORTS`, `sarvir mohaki reports`: in any case, two words no
        // list holds that open the clause right before the verb are the person's names.
        let pair_opens = i > 0
            && self.text[self.words[i - 1].end..self.words[i].start] == *b" "
            && marks[i - 1].is_none()
            && self.unlisted_word(i - 1)
            && (self.clause_start(i - 1) || self.after_time_opener(i - 1));
        if pair_opens {
            marks[i - 1] = Some(PhiType::Name);
            marks[i] = Some(PhiType::Name);
        }
    }

    /// `Yesterday Stja mentioned`, `THIS MORNING SEARIS CALLED`, `earlier obola said`: a
    /// word of time that opens the clause (`yesterday`, `this morning`) puts the clause's
    /// subject right after it, one space on: word `i` opens the clause as it would alone.
    pub(super) fn after_time_opener(&self, i: usize) -> bool {
        // A closed class of adverbs and the parts of a day: kept here, beside the one
        // reading that asks for them, as `left_message` keeps its words.
        const ADVERBS: [&[u8]; 6] = [
            b"yesterday",
            b"today",
            b"tonight",
            b"earlier",
            b"overnight",
            b"later",
        ];
        const PARTS: [&[u8]; 5] = [b"morning", b"afternoon", b"evening", b"night", b"week"];
        if i == 0 || self.text[self.words[i - 1].end..self.words[i].start] != *b" " {
            return false;
        }
        let t = i - 1;
        if ADVERBS.iter().any(|w| self.word_is(t, w)) {
            return self.clause_start(t);
        }
        t > 0
            && PARTS.iter().any(|w| self.word_is(t, w))
            && (self.word_is(t - 1, b"this") || self.word_is(t - 1, b"last"))
            && self.text[self.words[t - 1].end..self.words[t].start] == *b" "
            && self.clause_start(t - 1)
    }

    /// `Is Trimarna on today?`, `IS MANDELIO ON TODAY?`, `is gundur on call?`: a word no
    /// list holds between a question's opening `is` and `on today`, `on tonight`, `on call`,
    /// `on shift` or `on duty` and its question mark is the person asked after.
    pub(super) fn mark_is_on_duty(&self, i: usize, marks: &mut [Option<PhiType>]) {
        const WHEN: [&[u8]; 6] = [
            b"today",
            b"tonight",
            b"tomorrow",
            b"call",
            b"shift",
            b"duty",
        ];
        let (on, when) = (i + 1, i + 2);
        if marks[i].is_some()
            || when >= self.words.len()
            || i == 0
            || !self.unlisted_word(i)
            || !self.word_is(i - 1, b"is")
            || !self.word_is(on, b"on")
            || !WHEN.iter().any(|w| self.word_is(when, w))
            || !self.clause_start(i - 1)
            || self.text[self.words[i - 1].end..self.words[i].start] != *b" "
            || !self.joined(i, b"")
            || !self.joined(on, b"")
            || !self.text[self.words[when].end..].starts_with(b"?")
        {
            return;
        }
        marks[i] = Some(PhiType::Name);
    }

    /// `RJ`, `rj`: two letters that are no vocabulary or cue word (so no abbreviation such
    /// as `PT`, `OT`, `BP` or `MD`), in capitals, or in lower case in a lower-case note.
    fn joined_initials(&self, k: usize) -> bool {
        let w = &self.words[k];
        let letters = &self.text[w.start..w.end];
        let cased = match w.shape {
            Shape::Upper => !self.lower_mode,
            Shape::Lower => self.lower_mode,
            _ => false,
        };
        letters.len() == 2
            && letters.iter().all(u8::is_ascii_alphabetic)
            && !self.has(k, NOT_UNLISTED)
            && cased
    }

    /// `ovadrakin called`, `EMZIANA RANG`: word `j` is a verb of contacting someone in the
    /// past tense, not followed by a colon. The nouns and present forms (`phone call:`,
    /// `vm`, `talk`) follow words that are no person (`Pohne call: husband …`).
    fn contact_in_past(&self, j: usize) -> bool {
        let w = &self.text[self.words[j].start..self.words[j].end];
        let past = w.len() > 3 && w[w.len() - 2..].eq_ignore_ascii_case(b"ed")
            || self.has(j, flag::IRREGULAR_PAST);
        self.has(j, flag::CONTACT)
            && !self.has(j, flag::THING_FIRST)
            && past
            && self.text.get(self.words[j].end) != Some(&b':')
    }

    /// Word `i` opens a clause: the text's first word, or after a line break or one of
    /// `. ; : , ! ?`, or after `and`.
    pub(super) fn clause_start(&self, i: usize) -> bool {
        if i == 0 {
            return self.text[..self.words[0].start]
                .iter()
                .all(u8::is_ascii_whitespace);
        }
        let gap = &self.text[self.words[i - 1].end..self.words[i].start];
        let prev = &self.text[self.words[i - 1].start..self.words[i - 1].end];
        gap.iter()
            .any(|c| matches!(c, b'\n' | b'.' | b';' | b':' | b',' | b'!' | b'?'))
            || gap == b" " && (prev.eq_ignore_ascii_case(b"and") || prev == b"&")
    }

    /// `@Otia the wheelchair is here`: a chat handle (an `@` after a space or at a line's
    /// start, not inside an e-mail address) names a person.
    pub(super) fn mark_handle(&self, i: usize, marks: &mut [Option<PhiType>]) {
        let w = &self.words[i];
        if marks[i].is_some() || w.start == 0 || self.text[w.start - 1] != b'@' {
            return;
        }
        let free = w.start == 1 || matches!(self.text[w.start - 2], b' ' | b'\n' | b'\t' | b'(');
        // A handle in lower case or with digits after its letters (`@valentimfernandes`,
        // `@bdemirel`, `@jdoe83`) is a user name all the same; a word of the vocabulary
        // (`@home`, `@work`, the `@` of `at`), a cue, a number (`@2pm`, `@40cc`) or an
        // abbreviation in capitals (`IVF @KVO`) is not.
        let handle = || {
            let word = &self.text[w.start..w.end];
            word.len() >= 3
                && word[..3].iter().all(u8::is_ascii_alphabetic)
                && word.iter().any(u8::is_ascii_lowercase)
                && w.flags & NOT_UNLISTED == 0
        };
        if free && (self.unlisted_word(i) || handle()) {
            marks[i] = Some(PhiType::Name);
        }
    }

    /// `Olukwu, Nidmar (MRN on file)`, `Linic, Zayushamax` alone on a line: two words no list
    /// holds, a comma between, standing alone, are `Last, First`. The surname may be double,
    /// carry particles or follow the given names it was written after (`Belosa-Cerreirio,
    /// Eerg`, `van der Brosterch, Jeahmer`, `al-Massolizcon, Ansio`, `RE: PITATA MCHAROVA,
    /// ISABIANETTA`): the whole run from where it stands alone is the person.
    pub(super) fn mark_unlisted_last_first(&self, i: usize, marks: &mut [Option<PhiType>]) {
        let j = i + 1;
        if j >= self.words.len()
            || !self.unlisted_word(i)
            || !self.unlisted_word(j)
            || self.text[self.words[i].end..self.words[j].start] != *b", "
            || marks[i].is_some() && marks[j].is_some()
        {
            return;
        }
        let first = self.surname_start(i);
        let before = &self.text[..self.words[first].start];
        let before = before.strip_suffix(b" ").unwrap_or(before);
        // `* Hathiniya Shpatry (PT) Fajimbui, Runik`: after a bracket closed, too.
        let starts = before.is_empty()
            || matches!(
                before[before.len() - 1],
                b'\n' | b':' | b'.' | b'|' | b';' | b')'
            );
        let rest = &self.text[self.words[j].end..];
        let rest = rest.strip_prefix(b" ").unwrap_or(rest);
        let ends = rest.is_empty() || matches!(rest[0], b'(' | b'|' | b'\n' | b'\r' | b'.' | b';');
        if starts && ends {
            let ty = marks[i].or(marks[j]).unwrap_or(PhiType::Name);
            for m in &mut marks[first..=j] {
                *m = Some(ty);
            }
        }
    }

    /// The first word of the surname that ends at word `i`: back over at most
    /// [`SURNAME_REACH`] words joined to it by a hyphen (`Belosa-Cerreirio`), particles
    /// (`van der`, `al-`) and words no list holds one space before it.
    fn surname_start(&self, i: usize) -> usize {
        let mut a = i;
        while a > 0 && i - a < SURNAME_REACH {
            let gap = &self.text[self.words[a - 1].end..self.words[a].start];
            let joined = gap == b"-" && self.unlisted_word(a - 1);
            let particle = (gap == b" " || gap == b"-")
                && self.has(a - 1, flag::PARTICLE | flag::INNER_PARTICLE);
            let spaced = gap == b" " && self.unlisted_word(a - 1);
            if !(joined || particle || spaced) {
                break;
            }
            a -= 1;
        }
        a
    }

    /// The shapes only a person's name takes, read from the words alone wherever they stand
    /// (issue 13, branch `oov37`): `O'Parroa`, `McOumaimi`, `Walowolukwu-Olago`, `Olius L.
    /// Malidova`, `van Bolain`, `al-massolizcon`, `Tessam Qorvel Jr.`. Each holds a word no
    /// list holds (no misspelling or compound of known words), so `O'clock`, `Semmes-Weinstein`
    /// (vocabulary), `de Quervain` (an eponym) and `Type II` are none.
    pub(super) fn mark_name_shape(&self, i: usize, marks: &mut [Option<PhiType>]) {
        if marks[i].is_some() {
            return;
        }
        let one_case = self.caps_mode || self.lower_mode;
        let name_word = |k: usize| self.unlisted_word(k) && self.run_word(k) && !self.compound(k);
        let gap = |a: usize| &self.text[self.words[a].end..self.words[a + 1].start];
        let n = self.words.len();
        let mark = |from: usize, to: usize, marks: &mut [Option<PhiType>]| {
            for m in &mut marks[from..=to] {
                m.get_or_insert(PhiType::Name);
            }
        };
        // `O'Parroa`, `McOumaimi`, `MCSOODAVERJEE`, `o'tolmqvila`.
        if self.clan_prefixed(i) {
            mark(i, i, marks);
            return;
        }
        // Each shape below holds a word no list holds at `i` or `i - 1`, or starts with a
        // listed name or a particle at `i`: most words are none of these, and are answered
        // here before their neighbours are read.
        let may_start = self.unlisted_word(i)
            || self.dictionary_name(i)
            || self.has(i, flag::PARTICLE | flag::INNER_PARTICLE)
            || i >= 1 && self.unlisted_word(i - 1);
        if !may_start {
            return;
        }
        // `Walowolukwu-Olago`: two capitalised words no list holds joined by a hyphen (in
        // mixed case only: a note in capitals joins shorthand so, `SERO-SANG`).
        if !one_case
            && i + 1 < n
            && gap(i) == b"-"
            && (i == 0 || gap(i - 1) != b"-")
            && self.words[i].end - self.words[i].start >= 4
            && self.words[i + 1].end - self.words[i + 1].start >= 4
            && name_word(i)
            && name_word(i + 1)
        {
            mark(i, i + 1, marks);
            return;
        }
        // `Olius L. Malidova`, `HEINRIDJA P. PUNWEIESEL`: a name word, an initial with its
        // period, a name word; one of the two no list holds.
        if i + 2 < n
            && gap(i) == b" "
            && gap(i + 1) == b". "
            && self.words[i + 1].end - self.words[i + 1].start == 1
            && self.text[self.words[i + 1].start].is_ascii_alphabetic()
            && (one_case || self.text[self.words[i + 1].start].is_ascii_uppercase())
        {
            let listed = |k: usize| {
                self.dictionary_name(k)
                    && !self.has(k, flag::ENGLISH)
                    && match self.words[k].shape {
                        Shape::Cap => !one_case,
                        Shape::Upper => self.caps_mode,
                        Shape::Lower => self.lower_mode,
                        Shape::Mixed => false,
                    }
            };
            let (a, c) = (i, i + 2);
            if (name_word(a) || listed(a))
                && (name_word(c) || listed(c))
                && (name_word(a) || name_word(c))
            {
                mark(a, c, marks);
                return;
            }
        }
        // `van Bolain`, `ter Zubosolova`, `al-Massolizcon`: a particle written in lower case
        // in mixed text, then a capitalised word no list holds; `al-`/`el-` and such a word in
        // a note written in one case.
        if self.has(i, flag::PARTICLE | flag::INNER_PARTICLE) && i + 1 < n {
            let w = &self.text[self.words[i].start..self.words[i].end];
            let arabic = w.eq_ignore_ascii_case(b"al") || w.eq_ignore_ascii_case(b"el");
            let mut k = i + 1;
            if !one_case
                && gap(i) == b" "
                && self.has(k, flag::PARTICLE | flag::INNER_PARTICLE)
                && k + 1 < n
                && self.words[k].shape == Shape::Lower
            {
                k += 1;
            }
            let joined = if arabic {
                matches!(gap(k - 1), b"-" | b" ")
            } else {
                gap(k - 1) == b" "
            };
            let long = self.words[k].end - self.words[k].start >= 4;
            let ok = if one_case {
                arabic && gap(i) == b"-" && long && name_word(k)
            } else {
                self.words[i].shape == Shape::Lower && joined && long && name_word(k)
            };
            if ok {
                mark(i, k, marks);
                return;
            }
        }
        // `Tessam Qorvel Jr.`, `KARTIAN AL-SITKOG III`: words no list holds before a name's
        // suffix (`Jr.`/`Sr.` with their period; `II`-`IV` after two such words, since
        // `Mobitz II` is a heart block).
        if i >= 1 && self.name_suffix_word(i) && gap(i - 1) == b" " {
            let dotted = self.text.get(self.words[i].end) == Some(&b'.');
            let w = &self.text[self.words[i].start..self.words[i].end];
            let roman = w.iter().all(|c| matches!(c, b'I' | b'V' | b'i' | b'v'));
            let first = if i >= 2 && matches!(gap(i - 2), b" " | b"-") && name_word(i - 2) {
                i - 2
            } else {
                i - 1
            };
            let ok = name_word(i - 1)
                && (roman && first + 2 == i && name_word(first) || !roman && dotted);
            if ok {
                mark(first, i, marks);
            }
        }
    }

    /// The shapes of a town's name no list holds, read with no context (issue 13, branch
    /// `oov37`): `New Vyrahy`, `PORT QUELMARSH`, `lake orvessa` (an opener that names
    /// nothing alone, then a word no list holds), `Stratford-on-Quelm`, `SHTAR JUNCTION` (a
    /// word no list holds, then a word that ends a town's name). The word no list holds has
    /// five letters at least and is no misspelling or compound of known words (`NEW
    /// ONSET`, `PORT ACCESSED`, `LAKE` alone hold none).
    pub(super) fn mark_town_shape(&self, i: usize, marks: &mut [Option<PhiType>]) {
        let n = self.words.len();
        if marks[i].is_some() || i + 1 >= n {
            return;
        }
        // Each shape below holds a word no list holds at `i`, `i + 1` or `i + 2`: most words
        // are answered here before the gaps and words around them are read.
        let may_start = self.unlisted_word(i)
            || self.unlisted_word(i + 1)
            || i + 2 < n && self.unlisted_word(i + 2);
        if !may_start {
            return;
        }
        let one_case = self.caps_mode || self.lower_mode;
        let cased = |k: usize| match self.words[k].shape {
            Shape::Cap => !one_case,
            Shape::Upper => self.caps_mode,
            Shape::Lower => self.lower_mode,
            Shape::Mixed => false,
        };
        let long = |k: usize, l: usize| self.words[k].end - self.words[k].start >= l;
        let name_word =
            |k: usize| long(k, 5) && self.unlisted_word(k) && self.run_word(k) && !self.compound(k);
        let gap = |a: usize| &self.text[self.words[a].end..self.words[a + 1].start];
        const OPENERS: [&[u8]; 5] = [b"new", b"port", b"lake", b"fort", b"mount"];
        let (from, to) = if gap(i) == b" "
            && cased(i)
            && OPENERS.iter().any(|o| self.word_is(i, o))
            && marks[i + 1].is_none()
            && name_word(i + 1)
        {
            (i, i + 1)
        } else if i + 2 < n
            && gap(i) == b"-"
            && gap(i + 1) == b"-"
            && self.word_is(i + 1, b"on")
            && cased(i)
            && cased(i + 2)
            && long(i, 4)
            && (self.unlisted_word(i) || self.has(i, flag::PLACE))
            && long(i + 2, 4)
            && self.unlisted_word(i + 2)
            && self.run_word(i + 2)
        {
            (i, i + 2)
        } else if gap(i) == b" "
            && cased(i + 1)
            && self.has(i + 1, flag::TOWN_END)
            && name_word(i)
            && (i == 0 || gap(i - 1) != b"-")
        {
            (i, i + 1)
        } else {
            return;
        };
        for m in &mut marks[from..=to] {
            m.get_or_insert(PhiType::Location);
        }
    }

    /// Word `i` is `O'` or `Mc` and a word no list holds, written as a name for the note's
    /// case (`O'Parroa`, `McOumaimi`; `O'TOLMQVILA`, `mcnuce` in one case): the rest is no
    /// known word (`O'clock`) nor a listed word made plural (`MCDONALDS`), four letters at
    /// least.
    fn clan_prefixed(&self, i: usize) -> bool {
        let w = &self.text[self.words[i].start..self.words[i].end];
        if w.len() < 6
            || !(w[..2].eq_ignore_ascii_case(b"mc") || w[..2].eq_ignore_ascii_case(b"o'"))
        {
            return false;
        }
        let rest = &w[2..];
        if !rest.iter().all(u8::is_ascii_alphabetic)
            || self.has(i, flag::ENGLISH | flag::VOCAB | flag::NEVER_NAME)
        {
            return false;
        }
        let cased = if self.caps_mode {
            w.iter().all(|c| !c.is_ascii_lowercase())
        } else if self.lower_mode {
            w.iter().all(|c| !c.is_ascii_uppercase())
        } else {
            w[0].is_ascii_uppercase()
                && rest[0].is_ascii_uppercase()
                && rest[1..].iter().all(u8::is_ascii_lowercase)
        };
        let rest = rest.to_ascii_lowercase();
        let known = self
            .lexicon
            .words
            .get_word(&rest)
            .is_some_and(|f| f & (flag::ENGLISH | flag::VOCAB) != 0);
        // `MCDONALDS`: a listed name made plural is a shop's name, not a person's.
        let plural = rest.len() > 4
            && rest.ends_with(b"s")
            && self
                .lexicon
                .words
                .get_word(&rest[..rest.len() - 1])
                .is_some();
        cased && !known && !plural
    }

    /// Word `k` is a name's suffix: `Jr`, `Sr`, `II`, `III`, `IV`, in the note's case.
    fn name_suffix_word(&self, k: usize) -> bool {
        let w = &self.text[self.words[k].start..self.words[k].end];
        let upper = self.caps_mode || !self.lower_mode && w.len() > 2;
        let cased = match w {
            [a, b] | [a, b, _] | [a, b, _, _] if upper => {
                !a.is_ascii_lowercase() && !b.is_ascii_lowercase()
            }
            _ => true,
        };
        cased
            && [b"jr".as_slice(), b"sr", b"ii", b"iii", b"iv"]
                .iter()
                .any(|s| w.eq_ignore_ascii_case(s))
    }

    /// `Chafus di Muiz`, `Orayn al-Kipro`, `Mr. dos Inoglu`: a name word or a title, then
    /// particles (`de la`, `van der`, `al-`), then a word no list holds: all one name.
    pub(super) fn mark_across_particles(&self, i: usize, marks: &mut [Option<PhiType>]) {
        let particle = flag::PARTICLE | flag::INNER_PARTICLE;
        let j = i + 1;
        if j >= self.words.len() || !self.has(j, particle) || !self.joined(i, b".") {
            return;
        }
        // A word no list holds opens the name only where capitals tell (`TACHYPNEIC
        // DE-SATTING` is no one).
        let cased = !self.caps_mode && !self.lower_mode;
        let opens = self.has(i, flag::STRONG_CUE)
            || marks[i].is_some_and(|t| matches!(t, PhiType::Name | PhiType::ProviderName))
            || cased && self.unlisted_word(i)
            || self.dictionary_name(i);
        if !opens {
            return;
        }
        let mut k = j;
        while k < self.words.len() && self.has(k, particle) && k < j + 3 {
            // Only `al-`, `el-` are written with a hyphen (`al-Kipro`), not `de-`.
            let hyphen: &[u8] = if self.has(k, flag::INNER_PARTICLE)
                && self.words[k].end - self.words[k].start == 2
            {
                b"-"
            } else {
                b""
            };
            if k + 1 >= self.words.len() || !self.joined(k, hyphen) {
                return;
            }
            k += 1;
        }
        let ends = k < self.words.len()
            && matches!(self.words[k].shape, Shape::Cap | Shape::Upper)
            && (self.unlisted_word(k) || self.dictionary_name(k) || self.has(k, flag::NAME))
            && !self.has(k, flag::NEVER_NAME | flag::STRONG_CUE);
        if !ends {
            return;
        }
        let ty = marks[i]
            .filter(|t| matches!(t, PhiType::Name | PhiType::ProviderName))
            .unwrap_or(PhiType::Name);
        let from = if self.has(i, flag::STRONG_CUE) { j } else { i };
        for m in marks.iter_mut().take(k + 1).skip(from) {
            *m = Some(ty);
        }
    }

    /// `Hometown: Valtija`, `City: New Klasova`, `Branch: Aue`: the value of a place label
    /// (or of a business's place field), up to three words on its line, is a place when it is
    /// a word no list holds or a listed place.
    pub(super) fn mark_after_place_label(&self, i: usize, marks: &mut [Option<PhiType>]) {
        let j = i + 1;
        if !self.has(i, flag::PLACE_LABEL | flag::PLACE_FIELD) || j >= self.words.len() {
            return;
        }
        let gap = &self.text[self.words[i].end..self.words[j].start];
        if !gap.starts_with(b":") || gap.contains(&b'\n') || gap.len() > 3 {
            return;
        }
        let placeish = |k: usize| {
            self.unlisted_word(k)
                || self.has(k, flag::PLACE | flag::PLACE_START)
                    && self.name_shaped(k)
                    && !self.has(k, flag::NEVER_NAME)
        };
        // `New Klasova`, `Port Eisdorf`: an ordinary capitalised word opens the name only
        // when a word no list holds follows it.
        let opener = |k: usize| {
            self.words[k].shape == Shape::Cap
                && !self.has(k, flag::NEVER_NAME)
                && k + 1 < self.words.len()
                && self.joined(k, b"")
                && self.unlisted_word(k + 1)
        };
        let mut k = j;
        while k < self.words.len() && k < j + 3 && (placeish(k) || k == j && opener(k)) {
            if marks[k].is_some() {
                break;
            }
            marks[k] = Some(PhiType::Location);
            if k + 1 >= self.words.len() || !self.joined(k, b"-") {
                break;
            }
            k += 1;
        }
    }

    /// `Goppern, GA`, `Port Eisdorf, MN`, `Bzice, Wales`: a word no list holds right before
    /// a comma and a state, province or country is a town (with an ordinary capitalised word
    /// before it that opens the name: `Port`, `New`). The gazetteer's places count as the
    /// region too (`barchl, bavaria`, `Hetteikko, Vaasa`: regions abroad are listed there,
    /// not among the states), while no word of the vocabulary (`bath`, `mobile`).
    pub(super) fn mark_before_region(&self, i: usize, marks: &mut [Option<PhiType>]) {
        let r = i + 1;
        if r >= self.words.len()
            || marks[i].is_some()
            || !(self.has(r, flag::REGION) || self.gazetteer_place(r))
            || self.text[self.words[i].end..self.words[r].start] != *b", "
            || !self.unlisted_word(i)
        {
            return;
        }
        // Two-letter regions are postal codes written in capitals; those that are also
        // credentials (`MD`, `PA`, `MA`) say `Anna Kowalski, MD` as often.
        let code = &self.text[self.words[r].start..self.words[r].end];
        // In a lower-case note `, ga` is written in lower case: only codes that are no
        // other word (`or`, `me`, `in`, `de` are).
        let other_word = flag::STOP
            | flag::NEVER_NAME
            | flag::ENGLISH
            | flag::PARTICLE
            | flag::INNER_PARTICLE
            | flag::OPENER;
        let cased_code =
            code.iter().all(u8::is_ascii_uppercase) || self.lower_mode && !self.has(r, other_word);
        if code.len() == 2 && (!cased_code || self.has(r, flag::CREDENTIAL)) {
            return;
        }
        // The region ends its phrase: a line end, punctuation, a postcode, or a new sentence.
        let rest = &self.text[self.words[r].end..];
        let rest = rest.strip_prefix(b" ").unwrap_or(rest);
        let ends = rest.is_empty()
            || matches!(
                rest[0],
                b'\n' | b'\r' | b'.' | b',' | b';' | b')' | b'(' | b'|' | b'0'..=b'9'
            )
            || self.words.get(r + 1).is_some_and(|w| {
                w.start == self.words[r].end + 1 && matches!(w.shape, Shape::Cap | Shape::Upper)
            });
        if !ends {
            return;
        }
        marks[i] = Some(PhiType::Location);
        if i > 0
            && marks[i - 1].is_none()
            && self.joined(i - 1, b"-")
            && self.words[i - 1].shape == self.words[i].shape
            && !self.has(
                i - 1,
                flag::NEVER_NAME | flag::PLACE_PREP | NOT_PLACE_OPENER,
            )
        {
            marks[i - 1] = Some(PhiType::Location);
        }
    }
}

impl Ctx<'_> {
    /// Word `k` is a town or region of the gazetteer and no vocabulary or name word.
    fn gazetteer_place(&self, k: usize) -> bool {
        self.has(k, flag::PLACE)
            && !self.has(
                k,
                NOT_UNLISTED | flag::STOP | flag::CLINICAL | flag::FIRST | flag::LAST,
            )
    }
}

/// Words before a town that are never part of its name (`in Goppern, GA`).
const NOT_PLACE_OPENER: u64 = flag::PLACE_CUE
    | flag::PLACE_LABEL
    | flag::LABEL
    | flag::OPENER
    | flag::PERSON_VERB
    | flag::RELATION
    | flag::NAME_CUE;

impl Ctx<'_> {
    /// `SPOKE WITH MARTA OKONJO`, `ines ovadrakin called`: in a note written in one case
    /// (capitals tell nothing), a listed first name and a word no list holds right after
    /// it, or a word no list holds and a listed surname after it, are one person. The
    /// listed word must be no English or common word (`MAY`, `will`), and the other no
    /// vocabulary word (`unlisted_word`): a misspelt verb beside a drug is no one.
    pub(super) fn mark_one_case_pair(&self, i: usize, marks: &mut [Option<PhiType>]) {
        let j = i + 1;
        if !(self.caps_mode || self.lower_mode)
            || j >= self.words.len()
            || marks[i].is_some() && marks[j].is_some()
            || self.text[self.words[i].end..self.words[j].start] != *b" "
        {
            return;
        }
        // A popular name (`MARTA`, `ines`): rare list entries are as often shorthand
        // (`ADEQ HUO`, `imi intracath`, `PACER DELINE`).
        let listed = |k: usize, f: u64| {
            self.has(k, f)
                && self.has(k, flag::POPULAR)
                && self.dictionary_name(k)
                && !self.has(k, flag::ENGLISH)
                && self.words[k].end - self.words[k].start >= 3
        };
        let pair = listed(i, flag::FIRST) && self.unlisted_word(j)
            || self.unlisted_word(i) && listed(j, flag::LAST);
        if pair {
            marks[i] = marks[i].or(Some(PhiType::Name));
            marks[j] = marks[j].or(Some(PhiType::Name));
        }
    }

    /// `spoke with ovadrakin`, `CALLED EMZIANA`, `texted Pauracio`: after a verb of
    /// contacting someone (and `with`, `to`, `for`), a word no list holds, written as a
    /// name for the note's case, is the person. `mark_after_contact` reads listed names.
    /// Verbs that mostly take a thing (`DISCUSSED WITH NEPHROLOGY`) read listed names only.
    pub(super) fn mark_unlisted_after_contact(&self, i: usize, marks: &mut [Option<PhiType>]) {
        if !self.has(i, flag::CONTACT) || self.has(i, flag::THING_FIRST) {
            return;
        }
        let mut j = i + 1;
        let preposition =
            j < self.words.len() && self.joined(i, b"") && self.contact_preposition(j);
        if preposition {
            j += 1;
        }
        // `SPOKE WTIH PT`, `visited durng the evening`: a misspelt preposition is unlisted
        // too. `spoke`/`talked` take their person only after `with` or `to`; after the other
        // verbs a determiner or `pt` right after the word shows a preposition, except
        // after the verbs that take a person and then a thing (`texted Ines the time`).
        let intransitive = self.has(i, flag::PREP_CONTACT);
        let two_objects = self.has(i, flag::TWO_OBJECT);
        let before_determiner =
            j + 1 < self.words.len() && self.has(j + 1, flag::DETERMINER) && self.joined(j, b"");
        if !preposition && (intransitive || before_determiner && !two_objects) {
            return;
        }
        if j < self.words.len()
            && marks[j].is_none()
            && (self.text[self.words[j - 1].end..self.words[j].start] == *b" "
                || preposition && self.with_slash(j - 1))
            && self.unlisted_word(j)
        {
            marks[j] = Some(PhiType::Name);
        }
    }

    /// `Present were Ovadrakin Pizosca, Musufer Haylu and Toisha`, `Team: A / B / C`,
    /// `Emziana & Craselde`: after a person already found and a list separator (`, `, `; `,
    /// `/`, `&`, `and`), an item of one to three name words (no list holds at least one of
    /// them, or a list holds it as a name and no word), ending the item, is the next person.
    pub(super) fn mark_list_next(&self, i: usize, marks: &mut [Option<PhiType>]) {
        let strong = |k: usize| {
            self.unlisted_word(k)
                || self.dictionary_name(k)
                    && (self.caps_mode
                        || self.lower_mode
                        || matches!(self.words[k].shape, Shape::Cap | Shape::Mixed))
        };
        // The word's own flags before the separators around it, as in `mark_list_item`.
        if marks[i].is_some() || !strong(i) || !self.after_separated_person(i, marks) {
            return;
        }
        let mut end = i;
        while end + 1 < self.words.len()
            && end < i + 2
            && self.joined(end, b".-")
            && (strong(end + 1) || self.is_initial(end + 1))
            && marks[end + 1].is_none()
        {
            end += 1;
        }
        let evidence = (i..=end).any(|k| {
            self.unlisted_word(k) || self.dictionary_name(k) && !self.has(k, flag::ENGLISH)
        });
        // `referred by Dr Johnson, Cigna.`: after a comma a lone word is as often the next
        // thing said of the person (a payer, a place); a lone name needs `/`, `&` or `and`.
        let gap = &self.text[self.words[i - 1].end..self.words[i].start];
        let lone_after_comma = end == i && matches!(gap, b", " | b"; ");
        if evidence && !lone_after_comma && self.ends_list_item(end) {
            for m in marks.iter_mut().take(end + 1).skip(i) {
                *m = Some(PhiType::Name);
            }
        }
    }

    /// `VISITORS TODAY: WAZAI & SABETIN`, `team: fion macholuk / balgun pankar`: two items
    /// of one or two name words around ` & ` or ` / `, each with a word no list holds, the
    /// first opening its line, a label's value or a bracket and the second ending its item,
    /// are two people (a misspelt word
    /// does not come paired so).
    pub(super) fn mark_list_pair(&self, i: usize, marks: &mut [Option<PhiType>]) {
        let strong = |k: usize| self.unlisted_word(k) || self.dictionary_name(k);
        if i == 0 || !strong(i - 1) || !strong(i) {
            return;
        }
        let gap = &self.text[self.words[i - 1].end..self.words[i].start];
        if !matches!(gap, b" & " | b" / ") {
            return;
        }
        let joined_name = |k: usize| self.text[self.words[k].end..self.words[k + 1].start] == *b" ";
        let start = if i >= 2 && joined_name(i - 2) && strong(i - 2) && !self.clause_start(i - 1) {
            i - 2
        } else {
            i - 1
        };
        let end = if i + 1 < self.words.len() && joined_name(i) && strong(i + 1) {
            i + 1
        } else {
            i
        };
        // The pair opens a line, a label's value or a bracket: not inside a run of items
        // (`warming,ffp,plts & protamine`, where shorthand lists are written).
        let before = self.text[..self.words[start].start].trim_ascii_end();
        let opens = before.is_empty()
            || self.text[..self.words[start].start].ends_with(b"\n")
            || before.ends_with(b":")
            || before.ends_with(b"(");
        let unlisted = |a: usize, b: usize| (a..=b).any(|k| self.unlisted_word(k));
        if opens && self.ends_list_item(end) && unlisted(start, i - 1) && unlisted(i, end) {
            for m in marks.iter_mut().take(end + 1).skip(start) {
                *m = m.or(Some(PhiType::Name));
            }
        }
    }

    /// Word `i` follows a list separator (`, `, `; `, `/`, `&`, `and`, `, and`) right after a
    /// word marked as a person.
    pub(super) fn after_separated_person(&self, i: usize, marks: &[Option<PhiType>]) -> bool {
        let separators: [&[u8]; 8] = [b", ", b"; ", b"/", b" / ", b" & ", b"&", b", & ", b" + "];
        self.after_person_and(i, marks, &separators)
    }

    /// Word `i` ends a list item: the text's end, a line break, punctuation, a separator or
    /// `and` after it.
    pub(super) fn ends_list_item(&self, i: usize) -> bool {
        let rest = &self.text[self.words[i].end..];
        rest.is_empty()
            || matches!(
                rest[0],
                b'\n' | b'\r' | b'(' | b')' | b',' | b';' | b'.' | b'/' | b'&' | b'!' | b'?'
            )
            || rest.starts_with(b" (")
            || rest.starts_with(b" /")
            || rest.starts_with(b" &")
            || rest.len() > 4 && rest[..5].eq_ignore_ascii_case(b" and ")
    }
}

impl Ctx<'_> {
    /// `the family of Zuhoria called`, `was seen by Pauracio today`: in a note written in
    /// mixed case, a capitalised word that no list holds (not even the rare words of
    /// `patterns/words/rare.txt`), inside a sentence (a lower-case word right before it)
    /// and alone (no capitalised word after it), is a name. No misspelling, adverb or
    /// compound of known words; four letters at least; not a drug's place (after `on`,
    /// `off`, `of`, or before a dose).
    pub(super) fn mark_lone_unlisted(&self, i: usize, marks: &mut [Option<PhiType>]) {
        let n = self.words.len();
        if self.caps_mode
            || self.lower_mode
            || i == 0
            || marks[i].is_some()
            || self.words[i].flags != 0
            || self.words[i].shape != Shape::Cap
            || self.words[i].end - self.words[i].start < 4
            || self.words[i - 1].shape != Shape::Lower
            || self.text[self.words[i - 1].end..self.words[i].start] != *b" "
        {
            return;
        }
        let lone = i + 1 >= n || self.words[i + 1].shape != Shape::Cap;
        let prev = &self.text[self.words[i - 1].start..self.words[i - 1].end];
        // `remains on Integrellin`, `dose of Cosyntropin`, `Fosphenytoin 400mg`: a drug.
        let drug_context = [&b"on"[..], b"off", b"of"]
            .iter()
            .any(|p| prev.eq_ignore_ascii_case(p))
            || i + 1 < n
                && self.text[self.words[i + 1].start..self.words[i + 1].end]
                    .iter()
                    .any(u8::is_ascii_digit);
        if lone
            && !drug_context
            && !self.clause_start(i)
            && self.unlisted_word(i)
            && self.run_word(i)
            && !self.compound(i)
        {
            marks[i] = Some(PhiType::Name);
        }
    }

    /// `SEEN WITH ZUHORIA QALBENT`, `called ovadrakin mesuhel`: in a note written in one
    /// case, two words side by side, one space apart, that no list holds (not even the rare
    /// words), neither a misspelling, adverb or compound of known words, are a person.
    pub(super) fn mark_one_case_unlisted_pair(&self, i: usize, marks: &mut [Option<PhiType>]) {
        let j = i + 1;
        if !(self.caps_mode || self.lower_mode)
            || j >= self.words.len()
            || marks[i].is_some()
            || marks[j].is_some()
            || self.text[self.words[i].end..self.words[j].start] != *b" "
        {
            return;
        }
        // Five letters at least: shorter words are a note's shorthand (`AMTS`, `DRNG`).
        let word = |k: usize| {
            self.words[k].end - self.words[k].start >= 5
                && !self.has(k, flag::RARE)
                && self.unlisted_word(k)
        };
        // Misspellings and compounds are looked up last, for both words at once.
        let plain = |k: usize| self.run_word(k) && !self.compound(k);
        if (self.words[i].flags == 0 || self.words[j].flags == 0)
            && word(i)
            && word(j)
            && plain(i)
            && plain(j)
        {
            marks[i] = Some(PhiType::Name);
            marks[j] = Some(PhiType::Name);
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
    fn a_word_of_time_opening_the_clause_leaves_the_subject_opening_it() {
        let d = detector();
        finds(
            &d,
            "Vitals stable. Yesterday Stja mentioned a fall at home.",
            "Stja",
        );
        finds(
            &d,
            "VITALS STABLE.\nYESTERDAY SEARIS MENTIONED A FALL AT HOME.",
            "SEARIS",
        );
        finds(
            &d,
            "Vitals ok. This morning Gorvak Telun called about the splint.",
            "Gorvak Telun",
        );
        keeps(
            &d,
            "Yesterday swelling reported by pt; today edema improved.",
            "swelling",
        );
        keeps(&d, "Today Lasix increased per cardiology.", "Lasix");
    }

    #[test]
    fn the_word_in_is_x_on_today_is_the_person_asked_after() {
        let d = detector();
        finds(&d, "Splint fits.\nIs Trimarna on today?", "Trimarna");
        finds(
            &d,
            "TOLERATED SESSION WELL.\nIS MANDELIO ON TODAY?\nGRIP 42 LB.",
            "MANDELIO",
        );
        finds(
            &d,
            "the results are back.\nis gundur on call?\nfollow up in two weeks.",
            "gundur",
        );
        keeps(&d, "Is Lasix on today? Is gait on call?", "Lasix");
        keeps(&d, "Is heparin on today? Family asked.", "heparin");
    }
}
