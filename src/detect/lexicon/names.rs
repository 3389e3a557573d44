//! The rules that mark people: cued names (titles, labels, relations), dictionary names in
//! a name-shaped context, foreign and unknown names, `Last, First` order, credentialed
//! clinicians, initials, and the passes that grow a marked name over its neighbours.

use super::flag;
use super::words::Shape;
use super::Ctx;
use crate::phi::PhiType;

/// Most words a cue's name may lie past the cue (`son is named Kevin`, `Dr. J. R. Tolkowski`:
/// up to three initials or linking words skipped, then the name).
const MAX_CUE_SKIPS: usize = 5;

impl Ctx<'_> {
    /// Cue words: `Dr. Healey`, `her son Kevin`, `patient Maria Lopez`, `named Lomish`.
    pub(super) fn mark_cued(&self, i: usize, marks: &mut [Option<PhiType>]) {
        self.mark_cued_as(i, self.words[i].flags, marks);
    }

    /// `Son-in-law Ojumbo called`, `her daughter-in-law Settak`: the `law` of an in-law
    /// is the relation [`Ctx::mark_cued`] reads (the word alone is no relation).
    pub(super) fn mark_cued_in_law(&self, i: usize, marks: &mut [Option<PhiType>]) {
        if self.in_law(i) {
            self.mark_cued_as(i, self.words[i].flags | flag::RELATION, marks);
        }
    }

    /// [`Ctx::mark_cued`] with word `i`'s flags as `f`.
    fn mark_cued_as(&self, i: usize, f: u64, marks: &mut [Option<PhiType>]) {
        let cues =
            flag::STRONG_CUE | flag::RELATION | flag::NAME_CUE | flag::NAME_INTRO | flag::LABEL;
        if f & cues == 0 {
            return;
        }
        let Some(next) = self.next_after_cue(i) else {
            return;
        };
        let gap = &self.text[self.words[i].end..self.words[next].start];
        // `Patient: Art White`, `Emergency contact: Grace Muñoz`: a label names whoever
        // follows it, whatever words their names are.
        if f & flag::LABEL != 0 && gap.contains(&b':') && !gap.contains(&b'\n') {
            // In a lower-case note a name is written in lower case too (`guarantor: ilser`).
            // `Mother's maiden name: Thomas5.`: Synthea's glued number keeps it a name.
            let numbered = self.words[next].shape == Shape::Cap && self.has(next, flag::NUMBERED);
            let written =
                self.name_shaped(next) || numbered || self.lower_mode && self.unlisted_word(next);
            if written && self.after_label(next) {
                marks[next] = Some(PhiType::Name);
            }
            return;
        }
        if f & flag::STRONG_CUE == 0
            && gap
                .iter()
                .any(|c| matches!(c, b'.' | b';' | b':' | b'!' | b'?'))
            && f & flag::NAME_INTRO == 0
        {
            return;
        }
        if f & flag::STRONG_CUE != 0 && !self.title_written_as_title(i) {
            return;
        }
        if f & (flag::STRONG_CUE | flag::RELATION) != 0 && self.function_given_name(i, next) {
            let provider = f & flag::PROVIDER_TITLE != 0 && f & flag::PERSON_TITLE == 0;
            let kind = if provider {
                PhiType::ProviderName
            } else {
                PhiType::Name
            };
            marks[next] = Some(kind);
            marks[next + 1] = Some(kind);
            return;
        }
        // Titles and cues are never names themselves (`husband, Dr Healey`); a function word
        // only after a title and written like a name (`Dr. Will Cole`).
        let titled_word = f & flag::STRONG_CUE != 0
            && !self.caps_mode
            && self.words[next].shape == Shape::Cap
            && self.has(next, flag::NAME);
        let cap_first_name =
            !self.caps_mode && self.words[next].shape == Shape::Cap && self.has(next, flag::FIRST);
        let named_relative = f & flag::RELATION != 0 && cap_first_name;
        if self.has(next, flag::STRONG_CUE | flag::CREDENTIAL | flag::RELATION)
            || self.has(next, flag::STOP) && !titled_word && !named_relative
        {
            return;
        }
        let accept = if f & flag::STRONG_CUE != 0 {
            self.after_title(i, next)
        } else if self.has(next, flag::NEVER_NAME) {
            // `his brother Art`: a clinical abbreviation written as a first name.
            named_relative
        } else if f & (flag::RELATION | flag::NAME_INTRO) != 0 {
            let shaped = self.name_shaped(next)
                || self.words[next].shape == Shape::Lower
                    && self.words[next].end - self.words[next].start >= 3;
            let short_caps = self.caps_mode && self.words[next].end - self.words[next].start <= 3;
            let popular_first = self.has(next, flag::FIRST) && self.has(next, flag::POPULAR);
            shaped
                && (self.dictionary_name(next)
                    || self.unknown_word(next) && !short_caps
                    || self.capitalised_common_name(next)
                    || f & flag::RELATION != 0 && popular_first
                    || f & flag::RELATION != 0 && self.relative_named_by_word(i, next))
        } else {
            // Weak cues (`per`, `with`, `spoke`): a name-list word written like a name; in
            // capitals-only notes it must also be a popular name. In mixed-case text two or
            // three capitals are an acronym (`with LE spasm`, `SVG to OM`), as in
            // `mark_dictionary`.
            let w = &self.words[next];
            let written_as_name = if self.caps_mode {
                w.flags & flag::POPULAR != 0 && w.end - w.start >= 3
            } else {
                w.shape == Shape::Cap || w.shape == Shape::Upper && w.end - w.start >= 4
            };
            self.name_shaped(next) && self.dictionary_name(next) && written_as_name
                || self.first_last_pair(next)
        };
        if accept {
            let provider = f & flag::PROVIDER_TITLE != 0 && f & flag::PERSON_TITLE == 0;
            marks[next] = Some(if provider {
                PhiType::ProviderName
            } else {
                PhiType::Name
            });
        }
    }

    /// `daughter will grezak visited`, `DR MAY OLOYINLE REVIEWED`, `Brother Will Grezak
    /// will pick her up`: right after a relation or a title, a given name that is also a
    /// function word (`will`, `may`) is the name's first word when a word no list holds,
    /// no misspelling, follows it in the same case; before a known word it is the
    /// function word (`daughter will visit`, `dr will see pt`). As the structure pass
    /// reads it after a meeting phrase (stop 66); stop 67.
    fn function_given_name(&self, cue: usize, k: usize) -> bool {
        let next = k + 1;
        if next >= self.words.len()
            || !self.joined(cue, b"")
            || !self.joined(k, b"")
            || !self.has(k, flag::STOP)
            || !self.has(k, flag::FIRST)
            || self.words[k].end - self.words[k].start < 3
        {
            return false;
        }
        let (a, b) = (&self.words[k], &self.words[next]);
        let same_case = if self.caps_mode || self.lower_mode {
            a.shape == b.shape && matches!(a.shape, Shape::Upper | Shape::Lower)
        } else {
            a.shape == Shape::Cap && b.shape == Shape::Cap
        };
        same_case
            && b.flags & flag::NAME == 0
            && self.unknown_word(next)
            && b.end - b.start >= 4
            && self.run_word(next)
    }

    /// `her son Wean visits weekly`, `his wife Seem, who`: in mixed-case text a relation
    /// written in lower case, then a capitalised word inside the clause and after it a
    /// verb or the end of the mention (a comma, `)`, `;`), is that relative, even when the
    /// word is English and on no name list: a sentence does not capitalise a word there
    /// for any other reason. Vocabulary, function words and words of another kind stay
    /// (`son Jr,`, `wife Present`: the relation is capitalised or no verb follows).
    fn relative_named_by_word(&self, relation: usize, k: usize) -> bool {
        let w = &self.words[k];
        if self.caps_mode
            || self.lower_mode
            || self.words[relation].shape != Shape::Lower
            || w.shape != Shape::Cap
            || w.end - w.start < 3
            || self.has(
                k,
                super::person::NOT_A_PERSON
                    | flag::STOP
                    | flag::VOCAB
                    | flag::NEVER_NAME
                    | flag::DETERMINER
                    | flag::POSSESSIVE,
            )
        {
            return false;
        }
        let ends = matches!(self.text.get(w.end), Some(b',' | b')' | b';'));
        let verb = k + 1 < self.words.len()
            && self.joined(k, b"")
            && self.words[k + 1].shape == Shape::Lower
            && self.verb_after_run(k + 1);
        ends || verb
    }

    /// After a title (`Dr.`, `MRS`, `ms`) the next word is a name unless it is an ordinary
    /// English word that no name list knows (`MS: SEDATED` is mental status). Clinical
    /// eponyms are allowed here: `Dr. Foley` is a person.
    pub(super) fn after_title(&self, cue: usize, next: usize) -> bool {
        let gap = &self.text[self.words[cue].end..self.words[next].start];
        if gap.contains(&b':') {
            return false;
        }
        let english_only = self.has(next, flag::ENGLISH) && !self.has(next, flag::NAME);
        // `MR`/`MS` without a period are as often mitral regurgitation or mental status:
        // only a word no dictionary knows, or a listed name that is not also a word, follows.
        // Written `Mr`/`Ms` in mixed-case text they are the titles (`Mr Wilson, 93, was
        // seen`): the abbreviations are written in capitals.
        let word = &self.text[self.words[cue].start..self.words[cue].end];
        let title_case = self.words[cue].shape == Shape::Cap && !self.caps_mode;
        let ambiguous = (word.eq_ignore_ascii_case(b"ms") || word.eq_ignore_ascii_case(b"mr"))
            && !self.followed_by_period(cue)
            && !title_case;
        if ambiguous && !(self.dictionary_name(next) || self.unknown_word(next)) {
            return false;
        }
        let lower_ok = self.followed_by_period(cue)
            || self.has(next, flag::NAME)
            || self.unknown_word(next) && self.words[next].end - self.words[next].start >= 4;
        let shaped = self.name_shaped(next) || self.words[next].shape == Shape::Lower && lower_ok;
        shaped && !english_only
    }

    /// After a label only a word that could be a name counts: not a function word, not a
    /// clinical word, and in capitals-only notes not an ordinary English word.
    pub(super) fn after_label(&self, next: usize) -> bool {
        if self.first_last_pair(next) {
            return true;
        }
        if self.has(
            next,
            flag::STOP | flag::CLINICAL | flag::CREDENTIAL | flag::STRONG_CUE,
        ) {
            return false;
        }
        let english_only =
            self.has(next, flag::ENGLISH | flag::COMMON) && !self.has(next, flag::NAME);
        !english_only
            && (!self.caps_mode || !self.has(next, flag::ENGLISH) || self.has(next, flag::POPULAR))
    }

    /// `Ms.`, `Ms`, `MS.` are titles; `MS` or `ms` alone is mental status or morphine, and a
    /// title glued to something before it (`3+MR.`) is an abbreviation.
    pub(super) fn title_written_as_title(&self, i: usize) -> bool {
        let w = &self.words[i];
        let free = w.start == 0
            || matches!(
                self.text[w.start - 1],
                b' ' | b'\t' | b'\n' | b'(' | b',' | b';' | b'"'
            );
        let word = &self.text[w.start..w.end];
        let ambiguous = word.eq_ignore_ascii_case(b"ms") || word.eq_ignore_ascii_case(b"mr");
        // In a note written in lower case, `mr`/`ms` before a word no list holds, no
        // misspelling, is the title (`left vm for ms sardinatmi`).
        let lower_title = self.lower_mode
            && i + 1 < self.words.len()
            && self.joined(i, b"")
            && self.run_word(i + 1);
        free && (!ambiguous || self.followed_by_period(i) || w.shape != Shape::Lower || lower_title)
    }

    /// `with Dawn Brown`, `Attn: Will King`: a capitalised first name followed by a
    /// capitalised surname (or a word no list knows), in mixed-case text, is a person even
    /// when both names are also ordinary words.
    pub(super) fn first_last_pair(&self, i: usize) -> bool {
        let Some(next) = (i + 1 < self.words.len()).then_some(i + 1) else {
            return false;
        };
        let cap = |k: usize| self.words[k].shape == Shape::Cap;
        // `O'Connor`, `McDonald`: mixed capitals are still a written surname.
        let surname_cap = matches!(self.words[next].shape, Shape::Cap | Shape::Mixed);
        !self.caps_mode
            && cap(i)
            && surname_cap
            && self.joined(i, b"")
            && self.has(i, flag::FIRST)
            && (self.has(next, flag::LAST) || self.unknown_word(next))
            && !self.has(next, flag::NEVER_NAME | flag::STRONG_CUE | flag::RELATION)
            && !self.has(i, flag::CLINICAL | flag::CREDENTIAL)
    }

    /// `Lindqvist, Frank (MR# …)`, `Delacroix, Grace is …`: a capitalised surname, a comma
    /// and a capitalised first name, standing alone rather than in a list of words.
    ///
    /// `RICE, DANA  MRN …`: in capitals, the pair counts only opening its line, and then
    /// two spaces before the next field also end it (a header's layout, not a sentence's).
    pub(super) fn mark_last_first(&self, i: usize, marks: &mut [Option<PhiType>]) {
        let j = i + 1;
        if j >= self.words.len() || marks[i].is_some() && marks[j].is_some() {
            return;
        }
        let gap = &self.text[self.words[i].end..self.words[j].start];
        if gap != b", " {
            return;
        }
        let header = self.words[i].shape == Shape::Upper
            && self.words[j].shape == Shape::Upper
            && self.words[i].end - self.words[i].start > 1
            && self.opens_line(i);
        if self.caps_mode && !header {
            return;
        }
        let surname = (matches!(self.words[i].shape, Shape::Cap | Shape::Mixed) || header)
            && (self.has(i, flag::LAST) || self.unknown_word(i))
            && !self.has(
                i,
                flag::NEVER_NAME
                    | flag::STRONG_CUE
                    | flag::RELATION
                    | flag::LABEL
                    | flag::PLACE_CUE,
            );
        let first = (self.words[j].shape == Shape::Cap || header)
            && self.has(j, flag::FIRST)
            && !self.has(j, flag::NEVER_NAME | flag::STRONG_CUE);
        // What follows must end the name: `(`, `|`, `is`, a line end, the end of the text.
        let rest = &self.text[self.words[j].end..];
        let rest = rest.strip_prefix(b" ").unwrap_or(rest);
        let ends = rest.is_empty()
            || matches!(rest[0], b'(' | b'|' | b'\n' | b'\r' | b'.' | b';' | b'-')
            || header && rest[0] == b' '
            || rest.starts_with(b"is ")
            || rest.starts_with(b"was ");
        if surname && first && ends {
            let ty = marks[i].or(marks[j]).unwrap_or(PhiType::Name);
            marks[i] = Some(ty);
            marks[j] = Some(ty);
        }
    }

    /// `son Will`: a common-word name counts after a relation only when written with a
    /// capital in mixed-case text.
    pub(super) fn capitalised_common_name(&self, i: usize) -> bool {
        !self.caps_mode && self.words[i].shape == Shape::Cap && self.has(i, flag::NAME)
    }

    /// The word a cue applies to: skips `.`, `:` and `is`/`named` (`son is Kevin`).
    /// At most [`MAX_CUE_SKIPS`] words are skipped, so a run of cue words
    /// (`Name: Name: Name: …`) costs each cue a few steps, not the rest of the run.
    pub(super) fn next_after_cue(&self, i: usize) -> Option<usize> {
        let mut j = i + 1;
        while j < self.words.len() && j <= i + MAX_CUE_SKIPS {
            let gap = &self.text[self.words[j - 1].end..self.words[j].start];
            if gap.len() > 4
                || gap.contains(&b'\n') && gap.len() > 2
                || gap
                    .iter()
                    .any(|c| matches!(c, b';' | b'(' | b')' | b'/' | b'='))
            {
                return None;
            }
            let w = &self.text[self.words[j].start..self.words[j].end];
            if w.eq_ignore_ascii_case(b"is")
                || w.eq_ignore_ascii_case(b"named")
                || w.eq_ignore_ascii_case(b"name")
                || w.eq_ignore_ascii_case(b"by") && self.has(i, flag::NAME_INTRO)
            {
                j += 1;
                continue;
            }
            // `DR. L. RUUSKA`, `Dr B Muse`, `Dr. J. R. Tolkowski`, `Signed, J.R. Ames`: a
            // title's or a label's name may start with up to three initials.
            if self.has(i, flag::STRONG_CUE | flag::NAME_INTRO | flag::LABEL)
                && j <= i + 3
                && j + 1 < self.words.len()
                && (self.is_initial(j) || j > i + 1 && self.is_capital_letter(j))
                && (self.followed_by_period(j) || self.words[j + 1].shape == Shape::Cap)
            {
                j += 1;
                continue;
            }
            return Some(j);
        }
        None
    }

    /// `NP Djuric made aware`, `MD SPEARS`: a clinician's role written before the name. The
    /// word after it must be a name by the lists or a word no list knows (`MD AWARE`, `RN
    /// TO FOLLOW` are not names); in capitals-only notes a common-word name does not count.
    pub(super) fn mark_after_role(&self, i: usize, marks: &mut [Option<PhiType>]) {
        let next = i + 1;
        if next >= self.words.len()
            || marks[next].is_some()
            || !self.has(i, flag::ROLE)
            || self.words[i].shape == Shape::Lower
            || self.artery_pa(i)
            || &self.text[self.words[i].end..self.words[next].start] != b" "
            || !self.name_shaped(next)
            || self.has(
                next,
                flag::NEVER_NAME | flag::STOP | flag::NAME_CUE | flag::RELATION,
            )
            || self.caps_mode && self.has(next, flag::COMMON)
        {
            return;
        }
        let listed = self.has(next, flag::NAME);
        let unknown = self.unknown_word(next) && self.words[next].end - self.words[next].start >= 4;
        if listed || unknown && !self.has(next, flag::ENGLISH) {
            marks[next] = Some(PhiType::ProviderName);
        }
    }

    /// `john smith is a 45 yo male`, `mary ann okafor was an 82-year-old`: two or three
    /// lower-case words that open a clause, one of them a listed name and none a word of
    /// ours that could open such a sentence (`the patient`, `this pleasant`), before `is a`
    /// or `was an` and an age, are the patient a note opens with. Capitalised names there
    /// are found already; lower case needs the age to say a person is meant.
    pub(super) fn mark_lower_name_before_age(&self, i: usize, marks: &mut [Option<PhiType>]) {
        if self.caps_mode || marks[i].is_some() {
            return;
        }
        let blocked = flag::STOP
            | flag::DETERMINER
            | flag::RELATION
            | flag::VOCAB
            | flag::NEVER_NAME
            | flag::NAME_CUE
            | flag::STRONG_CUE
            | flag::LABEL
            | flag::ROLE
            | flag::PERSON_TITLE
            | flag::PROVIDER_TITLE
            | flag::CREDENTIAL;
        let name_word = |k: usize| {
            let w = &self.words[k];
            w.shape == Shape::Lower && w.end - w.start >= 2 && !self.has(k, blocked)
        };
        // Word `i` opens the run whatever its length: read before the text around it.
        if !name_word(i) || !self.clause_start(i) {
            return;
        }
        for len in [2, 3] {
            let verb = i + len;
            if verb + 2 >= self.words.len() || !(i..verb).all(name_word) {
                continue;
            }
            let named = (i..verb).any(|k| self.has(k, flag::NAME));
            if !named || !(i..=verb).all(|k| self.joined(k, b"")) {
                continue;
            }
            if self.age_intro_at(verb) {
                for m in &mut marks[i..verb] {
                    *m = m.or(Some(PhiType::Name));
                }
                return;
            }
        }
    }

    /// Words `v..v+3` read `is a 45 yo`, `was an 82-year-old`, `is a 7 y/o` (the age
    /// itself is no word: the word table leaves digit runs to the rules).
    pub(super) fn age_intro_at(&self, v: usize) -> bool {
        let word = |k: usize| &self.text[self.words[k].start..self.words[k].end];
        let verb = matches!(word(v), b"is" | b"was");
        let article = matches!(word(v + 1), b"a" | b"an");
        let gap = &self.text[self.words[v + 1].end..self.words[v + 2].start];
        let digits = gap.iter().filter(|c| c.is_ascii_digit()).count();
        let age = (1..=3).contains(&digits)
            && gap.len() <= 6
            && gap
                .iter()
                .all(|c| c.is_ascii_digit() || matches!(c, b' ' | b'-'));
        let unit = matches!(
            word(v + 2),
            b"yo" | b"y" | b"yr" | b"yrs" | b"year" | b"years" | b"yom" | b"yof"
        );
        verb && article && age && unit
    }

    /// `NSG NOTE 7A-7P: PT WARREN A+O X2`, `Pt Okonkwo a&o x3`: the one word between `pt`
    /// and an orientation mark (`A+O`, `A&O`, `AAO`, `AOX`) is the patient's surname, in any
    /// case, when it is a listed name that is no clinical or cue word, or a word of four
    /// letters or more no list holds (stop 51). A word of the state (`PT AWAKE A+O`) is
    /// vocabulary and stays. A room number (`pt Gill rm 252`) closes the word as the mark
    /// does (stop 52).
    pub(super) fn mark_name_before_orientation(&self, i: usize, marks: &mut [Option<PhiType>]) {
        // The cheap test first: the bytes after the word.
        let end = self.words[i].end;
        let next: [u8; 4] = match self.text.get(end..end + 4) {
            Some(b) => [b[0], b[1], b[2], b[3]].map(|c| c.to_ascii_lowercase()),
            None => return,
        };
        let oriented = matches!(&next, b" a+o" | b" a&o" | b" aao" | b" aox");
        // `PAGE: pt Gill rm 252 BP 82/50`: a room number after the word marks it as well.
        let roomed = &next == b" rm " && self.text.get(end + 4).is_some_and(|c| c.is_ascii_digit());
        if !(oriented || roomed) || marks[i].is_some() || i == 0 || !self.word_is(i - 1, b"pt") {
            return;
        }
        if !self.joined(i - 1, b"") {
            return;
        }
        let w = &self.words[i];
        let word = &self.text[w.start..w.end];
        if word.iter().any(u8::is_ascii_digit) || word.len() < 2 {
            return;
        }
        let blocked = super::person::NOT_A_PERSON
            | flag::VOCAB
            | flag::NEVER_NAME
            | flag::STOP
            | flag::NAME_CUE
            | flag::STRONG_CUE;
        let listed = self.has(i, flag::NAME) && !self.has(i, blocked);
        let unknown = self.unlisted_word(i) && w.flags == 0 && word.len() >= 4;
        if listed || unknown {
            marks[i] = Some(PhiType::Name);
        }
    }

    /// `Wojciech was born on…`, `Holly was born in…`: a capitalised word that is not a
    /// pronoun or vocabulary of ours, right before `was born`/`were born`, is a person.
    pub(super) fn mark_before_born(&self, i: usize, marks: &mut [Option<PhiType>]) {
        if marks[i].is_some()
            || self.caps_mode
            || self.words[i].shape != Shape::Cap
            || self.has(
                i,
                flag::NEVER_NAME | flag::STOP | flag::NAME_CUE | flag::RELATION,
            )
            || i + 2 >= self.words.len()
            || self.has(i, flag::ENGLISH) && !self.has(i, flag::NAME)
            || !self.joined(i, b"")
            || !self.joined(i + 1, b"")
        {
            return;
        }
        let word = |k: usize| &self.text[self.words[k].start..self.words[k].end];
        let was = word(i + 1) == b"was" || word(i + 1) == b"were";
        if was && word(i + 2) == b"born" {
            marks[i] = Some(PhiType::Name);
        }
    }

    pub(super) fn mark_dictionary(&self, i: usize, marks: &mut [Option<PhiType>]) {
        if marks[i].is_some() || !self.dictionary_name(i) || self.particle_before_vocabulary(i) {
            return;
        }
        // `Wegener's granulomatosis`, `Bell's palsy`, `Duran protocol`: a possessive, or a
        // word of the clinical vocabulary, right before a disease or method word.
        let possessive = self.text[..self.words[i].end].ends_with(b"'s");
        let eponym = possessive || self.has(i, flag::VOCAB);
        if eponym
            && i + 1 < self.words.len()
            && self.joined(i, b"-")
            && self.has(i + 1, flag::EPONYM_HEAD)
        {
            return;
        }
        let w = &self.words[i];
        let shaped = match w.shape {
            Shape::Cap => true,
            // `LEs anasarcic`: an acronym's plural, though `Les` is a name.
            Shape::Mixed => !super::acronym_plural(&self.text[w.start..w.end]),
            // In mixed-case text short capitals are acronyms (IP, OT, ICU), not names; in
            // capitals-only notes the lists must be backed by popularity or a neighbour.
            Shape::Upper if self.caps_mode => {
                w.end - w.start >= 2
                    && (w.flags & flag::POPULAR != 0 && w.end - w.start >= 4
                        || self.name_neighbour(i))
            }
            Shape::Upper => w.end - w.start >= 4,
            // Lower-case notes: only well-attested, non-English names, and not too short.
            Shape::Lower => w.end - w.start >= 4 && self.lower_name_context(i),
        };
        if shaped {
            marks[i] = Some(PhiType::Name);
        }
    }

    /// Another name-list word right next to this one (`SUZETTE HANK`, `Maria Lopez`).
    pub(super) fn name_neighbour(&self, i: usize) -> bool {
        let near = |j: usize| {
            self.has(j, flag::NAME) && !self.has(j, flag::ENGLISH | flag::COMMON | flag::NEVER_NAME)
        };
        i > 0 && self.joined(i - 1, b",") && near(i - 1)
            || i + 1 < self.words.len() && self.joined(i, b",") && near(i + 1)
    }

    /// `Thảo Muñoz`, `Søren Young`: a capitalised word with non-ASCII letters that no list
    /// knows, next to another capitalised word, is a name in English clinical text. The
    /// view writes accented Latin letters plainly (`Thao`): such a word counts when the
    /// view dropped an accent in it and, as written, it is no known word (name and place
    /// lists, which hold names without accents, may know it: `Åge Nævdal`).
    pub(super) fn mark_foreign_name(&self, i: usize, marks: &mut [Option<PhiType>]) {
        let w = &self.words[i];
        let word = &self.text[w.start..w.end];
        let listed = flag::NAME | flag::POPULAR | flag::PLACE | flag::PLACE_START | flag::RARE;
        // Asked last: its bytes are read only of a word written as a name.
        let foreign = || {
            word.iter().any(|&b| b >= 0x80) && flag::unknown(w.flags)
                || w.accented && w.flags & !listed == 0
        };
        // In a note written in capitals an accent is still evidence (`ÓLAFUR LEONHARDSSON`);
        // capitalisation is not, so only a word the view dropped an accent from counts.
        let caps = self.caps_mode && w.accented && w.end - w.start >= 3;
        let written = if caps { Shape::Upper } else { Shape::Cap };
        if self.caps_mode && !caps || w.shape != written || !foreign() {
            return;
        }
        let neighbour = |k: usize| {
            self.words[k].shape == written
                && !self.has(
                    k,
                    flag::STOP | flag::NEVER_NAME | flag::NAME_CUE | flag::LABEL,
                )
                // In capitals every word is shaped so: not a title, a relative or a word
                // that is only English (`SEEN`, `FRU`, `SON`).
                && !(caps
                    && (self.has(k, flag::STRONG_CUE | flag::RELATION | flag::PERSON_TITLE)
                        || self.has(k, flag::ENGLISH) && !self.has(k, flag::NAME)))
        };
        let left = i > 0 && self.joined(i - 1, b"") && neighbour(i - 1);
        let right = i + 1 < self.words.len() && self.joined(i, b"") && neighbour(i + 1);
        if left || right {
            marks[i] = Some(PhiType::Name);
            if left && marks[i - 1].is_none() {
                marks[i - 1] = Some(PhiType::Name);
            }
            if right && marks[i + 1].is_none() {
                marks[i + 1] = Some(PhiType::Name);
            }
        }
    }

    /// `محمد العلي`, `דוד כהן`, `Γιώργος`, `राहुल शर्मा`, `王秀英`: a word written in a script
    /// other than Latin, among words in Latin letters, is a name or a place its bearer wrote
    /// in their own script (a place when the gazetteer lists it). The canonical view has
    /// already read accented Latin letters as plain ones, so what is left is another script;
    /// Latin letters without a plain reading (`ə`, `ɛ`) do not count, nor does a word with
    /// a lower-case ASCII letter in it (`μg`). Prose in another script (a long run of such
    /// words, or one long unspaced run) is left to the other rules.
    pub(super) fn mark_other_script(&self, i: usize, marks: &mut [Option<PhiType>]) {
        let w = &self.words[i];
        if marks[i].is_some() || w.flags & flag::NEVER_NAME != 0 || !self.other_script_word(i) {
            return;
        }
        if self.other_script_run(i) > MAX_OTHER_SCRIPT_RUN {
            return;
        }
        marks[i] = Some(if w.flags & (flag::PLACE | flag::PLACE_START) != 0 {
            PhiType::Location
        } else {
            PhiType::Name
        });
    }

    /// Word `i` is written in another script: two or more of its letters are, and the rest
    /// are digits or capitals glued on (`昆陽街9段36號`, `张家港路M座`); at most
    /// [`MAX_OTHER_SCRIPT_LETTERS`] letters, since unspaced scripts write a sentence as one run.
    fn other_script_word(&self, i: usize) -> bool {
        let w = &self.words[i];
        // A letter of another script is never ASCII: a word in ASCII (most words) has none,
        // and is answered without decoding it.
        if self.text[w.start..w.end].is_ascii() {
            return false;
        }
        let Ok(word) = std::str::from_utf8(&self.text[w.start..w.end]) else {
            return false;
        };
        let glued = |c: char| c.is_ascii_digit() || c.is_ascii_uppercase();
        let letters = word.chars().filter(|&c| is_other_script(c)).count();
        (2..=MAX_OTHER_SCRIPT_LETTERS).contains(&letters)
            && word.chars().all(|c| is_other_script(c) || glued(c))
    }

    /// How many words of three letters or more stand in the run of other-script words
    /// around word `i` (on one line, with no Latin word between), counted up to one past
    /// [`MAX_OTHER_SCRIPT_RUN`].
    fn other_script_run(&self, i: usize) -> usize {
        let counts = |k: usize| {
            let w = &self.words[k];
            let chars = self.text[w.start..w.end]
                .iter()
                .filter(|&&b| b & 0xC0 != 0x80)
                .count();
            usize::from(chars >= 3)
        };
        // A Latin comma, semicolon or bar parts the items of a list (`Present: خالد الفتحي,
        // نور الايمان الشيخ, نورهان البركاتي`): each is its own run. Prose in these scripts
        // writes its own comma (`،`, `，`).
        let apart = |a: usize, b: usize| {
            self.text[self.words[a].end..self.words[b].start]
                .iter()
                .any(|&c| matches!(c, b'\n' | b',' | b';' | b'|') || c.is_ascii_alphabetic())
        };
        let mut n = counts(i);
        let mut k = i;
        while k > 0
            && n <= MAX_OTHER_SCRIPT_RUN
            && !apart(k - 1, k)
            && self.other_script_word(k - 1)
        {
            k -= 1;
            n += counts(k);
        }
        let mut k = i;
        while k + 1 < self.words.len()
            && n <= MAX_OTHER_SCRIPT_RUN
            && !apart(k, k + 1)
            && self.other_script_word(k + 1)
        {
            k += 1;
            n += counts(k);
        }
        n
    }

    /// A lower-case name-list word counts when a neighbour is also a name or a cue.
    pub(super) fn lower_name_context(&self, i: usize) -> bool {
        let prev = i.checked_sub(1).map(|p| self.words[p].flags).unwrap_or(0);
        let next = self.words.get(i + 1).map(|w| w.flags).unwrap_or(0);
        prev & (flag::NAME_INTRO | flag::RELATION | flag::STRONG_CUE) != 0
            || (next & flag::NAME != 0 && next & (flag::ENGLISH | flag::COMMON) == 0)
            || next & flag::CREDENTIAL != 0
    }

    /// `Anna Kowalski, OTR/L`, `HEALEY RN`, `q. lander rrt`: the words before a credential
    /// are a clinician.
    pub(super) fn mark_credentialed(&self, i: usize, marks: &mut [Option<PhiType>]) {
        // Nearly every word is no credential: answered before anything around it is read.
        if !self.has(i, flag::CREDENTIAL) || i == 0 || self.artery_pa(i) {
            return;
        }
        let len = self.words[i].end - self.words[i].start;
        // `ereggy saynaeva, pt, dpt`: two credentials in a row are written only after a
        // name, so they are evidence in a lower-case note too.
        let paired = self.credential_pair(i);
        // `referral from aachak belabaes, np.`: in a lower-case note a strong credential
        // after a comma is written in lower case like everything else.
        let comma_before = i > 0 && self.text[self.words[i - 1].end..self.words[i].start] == *b", ";
        let lower_ok_here = !self.caps_mode
            && (len >= 3
                || self.lower_mode && (paired || comma_before && self.strong_credential(i)));
        if self.words[i].shape == Shape::Lower && !self.caps_mode && !lower_ok_here {
            return;
        }
        if !self.joined(i - 1, b",") {
            return;
        }
        // Ambiguous two-letter credentials (PT, OT, MS, DO, MA) need the comma.
        let gap_has_comma = self.text[self.words[i - 1].end..self.words[i].start].contains(&b',');
        if len <= 2 && !gap_has_comma && !self.strong_credential(i) {
            return;
        }
        let mut chain = Vec::with_capacity(4);
        let mut j = i;
        while j > 0 && chain.len() < 4 {
            let k = j - 1;
            let w = &self.words[k];
            let lower_ok = w.shape != Shape::Lower || self.caps_mode || lower_ok_here;
            let has_digit = self.text[w.start..w.end].iter().any(u8::is_ascii_digit);
            let unknown =
                self.unknown_word(k) && w.end - w.start >= if self.caps_mode { 4 } else { 3 };
            let ok = lower_ok
                && !has_digit
                && !self.has(k, flag::NEVER_NAME | flag::NAME_CUE | flag::STRONG_CUE)
                && (self.is_initial(k)
                    || self.dictionary_name(k)
                    || self.has(k, flag::FIRST)
                        && self.has(k, flag::POPULAR)
                        && !self.has(k, flag::ENGLISH)
                    // `Frank Hill, COTA/L`: before a credential, capitalised list names count
                    // even when they are also common words.
                    || !self.caps_mode && w.shape == Shape::Cap && self.has(k, flag::NAME)
                    || unknown);
            if !ok {
                break;
            }
            chain.push(k);
            if k == 0 || !self.joined(k - 1, b".-") {
                break;
            }
            j = k;
        }
        // `4 L NP` is a flow rate, not a person: a chain of initials alone does not count.
        // Two-letter credentials (PA, NP, PT) also abbreviate anatomy and devices: they need
        // a word from the name lists in the chain.
        let listed = chain
            .iter()
            .any(|&k| self.has(k, flag::NAME) && !self.has(k, flag::ENGLISH));
        if chain.iter().any(|&k| !self.is_initial(k))
            && (len > 2 || listed || self.strong_credential(i) || paired)
        {
            for k in chain {
                marks[k] = Some(PhiType::ProviderName);
            }
        }
    }

    /// Word `i` is `PA` before a word that makes it the pulmonary artery (`CORDIS W PA
    /// LINE`, `PA CATHETER R IJ`, `PA PRESSURES 40/20`; `patterns/words/person_messages.toml`
    /// `artery_words`): no physician assistant, so neither the words before it nor the
    /// word after it are a clinician.
    pub(super) fn artery_pa(&self, i: usize) -> bool {
        i + 1 < self.words.len()
            && self.word_is(i, b"pa")
            && self.has(i + 1, flag::ARTERY)
            && self.joined(i, b"")
    }

    /// Credential `i` is followed by `, ` and another credential (`PT, DPT`, `OT, OTR/L`).
    fn credential_pair(&self, i: usize) -> bool {
        i + 1 < self.words.len()
            && self.has(i + 1, flag::CREDENTIAL)
            && self.text[self.words[i].end..self.words[i + 1].start] == *b", "
    }

    pub(super) fn strong_credential(&self, i: usize) -> bool {
        let w = &self.text[self.words[i].start..self.words[i].end];
        ["md", "rn", "np", "pa"]
            .iter()
            .any(|c| w.eq_ignore_ascii_case(c.as_bytes()))
    }

    /// `E. Welsh`, `Z. MILLER`, `q. lander`: an initial with its period, then a surname.
    pub(super) fn mark_initial_surname(&self, i: usize, marks: &mut [Option<PhiType>]) {
        if i + 1 >= self.words.len()
            || !self.is_initial(i)
            || self.is_side_abbreviation(i)
            || !self.followed_by_period(i)
            || !self.joined(i, b".")
        {
            return;
        }
        let j = i + 1;
        let w = &self.words[j];
        // A surname that is also an eponym (`Allen`, `Wilson`, `Taylor`) is one after an
        // initial when written as a name and no possessive or test word follows it (`M.
        // Allen`, not `R. Allen test`; stop 50).
        let eponym_surname = w.shape == Shape::Cap
            && self.has(j, flag::LAST)
            && self.has(j, flag::CLINICAL)
            && !self.has(j, flag::STOP)
            && !self.text[w.start..w.end].ends_with(b"'s")
            && !(j + 1 < self.words.len() && self.has(j + 1, flag::EPONYM_HEAD | flag::CLINICAL));
        // In capitals an initial before a word no list holds is as often shorthand (`A.
        // FIB`), but not right after a relation or a title (`PARTNER K. SETTAK`; stop 67).
        let cued = i > 0
            && self.joined(i - 1, b"")
            && self.has(
                i - 1,
                flag::RELATION | flag::PERSON_TITLE | flag::STRONG_CUE,
            )
            && w.end - w.start >= 4
            && self.run_word(j);
        let surname = self.has(j, flag::NAME) && !self.has(j, flag::STOP | flag::CLINICAL)
            || eponym_surname
            || self.unknown_word(j) && w.end - w.start >= 3 && (!self.caps_mode || cued);
        // A SOAP heading's letter before an English word is no initial (`O. SEE CAREVUE`).
        if self.soap_heading(i) && self.has(j, flag::ENGLISH) {
            return;
        }
        let shaped = self.name_shaped(j) || w.shape == Shape::Lower && !self.caps_mode;
        let never = if eponym_surname {
            flag::STOP | flag::CREDENTIAL | flag::FACILITY | flag::STRONG_CUE
        } else {
            flag::NEVER_NAME | flag::STRONG_CUE
        };
        if surname && shaped && !self.has(j, never) {
            let ty = marks[j].or(marks[i]).unwrap_or(PhiType::Name);
            marks[i] = Some(ty);
            marks[j] = Some(ty);
        }
    }

    /// `S.`, `O.`, `A.`, `P.` at the start of a line or after a run of spaces: the
    /// subjective, objective, assessment and plan headings of a progress note.
    fn soap_heading(&self, i: usize) -> bool {
        let w = &self.words[i];
        let letter = self.text[w.start].to_ascii_uppercase();
        let before = &self.text[..w.start];
        let at_line_start = before.is_empty()
            || before.ends_with(b"\n")
            || before.ends_with(b"  ")
            || before.ends_with(b"\t");
        matches!(letter, b'S' | b'O' | b'A' | b'P') && at_line_start
    }

    /// `Fiorenzo Zoppetti`, `Mirco Gabba`: two capitalised words side by side that no list
    /// knows as English or clinical, at least one of them known to no list at all, read as
    /// a name in mixed-case text.
    pub(super) fn mark_unknown_pair(&self, i: usize, marks: &mut [Option<PhiType>]) {
        let j = i + 1;
        // Both words are title case (`name_part`): the shape is asked before the gap.
        if self.caps_mode
            || j >= self.words.len()
            || self.words[i].shape != Shape::Cap
            || !self.joined(i, b"")
        {
            return;
        }
        let unknown = |k: usize| self.unknown_capitalised(k) && flag::unknown(self.words[k].flags);
        let pair = self.name_part(i) && self.name_part(j) && (unknown(i) || unknown(j));
        let long_enough = self.words[i].end - self.words[i].start >= 3
            && self.words[j].end - self.words[j].start >= 3;
        if pair && long_enough && marks[i].is_none() && marks[j].is_none() {
            marks[i] = Some(PhiType::Name);
            marks[j] = Some(PhiType::Name);
        }
    }

    /// A title-case word that may be part of a name: not English, clinical or a cue.
    pub(super) fn name_part(&self, k: usize) -> bool {
        self.title_cased(k)
            && !self.has(
                k,
                flag::ENGLISH
                    | flag::COMMON
                    | flag::STOP
                    | flag::NEVER_NAME
                    | flag::NAME_CUE
                    | flag::LABEL
                    | flag::RELATION
                    | flag::PERSON_TITLE
                    | flag::PROVIDER_TITLE
                    | flag::PLACE_CUE,
            )
            && !self.text[self.words[k].start..self.words[k].end]
                .iter()
                .any(u8::is_ascii_digit)
    }

    /// Word `k` is written in title case: `Maria`, or a Gaelic surname's `MacJesdral`.
    fn title_cased(&self, k: usize) -> bool {
        let w = &self.words[k];
        w.shape == Shape::Cap
            || w.shape == Shape::Mixed
                && super::unlisted::gaelic_capitals(&self.text[w.start..w.end])
    }

    /// A title-case word, at least three letters and no digit, that no list knows.
    pub(super) fn unknown_capitalised(&self, i: usize) -> bool {
        let w = &self.words[i];
        self.title_cased(i)
            && w.end - w.start >= 3
            && w.flags
                & !(flag::FIRST
                    | flag::LAST
                    | flag::POPULAR
                    | flag::PLACE
                    | flag::PLACE_START
                    | flag::PARTICLE
                    | flag::RARE)
                == 0
            && !self.text[w.start..w.end].iter().any(u8::is_ascii_digit)
    }

    /// `Dr. Rakusin and Toolis`, `Suzette and Hank`: a name, a conjunction, another name.
    pub(super) fn extend_conjunctions(&self, marks: &mut [Option<PhiType>]) {
        for i in 0..self.words.len().saturating_sub(2) {
            let Some(ty) = marks[i] else { continue };
            if !matches!(ty, PhiType::Name | PhiType::ProviderName) || marks[i + 2].is_some() {
                continue;
            }
            let conj = &self.text[self.words[i + 1].start..self.words[i + 1].end];
            let is_and = conj.eq_ignore_ascii_case(b"and") || conj == b"&";
            let lower_name = self.words[i + 2].shape == Shape::Lower
                && self.has(i + 2, flag::FIRST)
                && self.has(i + 2, flag::POPULAR);
            if is_and
                && self.joined(i, b"")
                && self.joined(i + 1, b"")
                && (self.name_shaped(i + 2) || lower_name)
                && !self.has(i + 2, flag::NEVER_NAME | flag::STRONG_CUE)
                && (self.dictionary_name(i + 2)
                    || lower_name
                    || self.unknown_word(i + 2) && !self.caps_mode)
            {
                marks[i + 2] = Some(ty);
            }
        }
    }

    /// Grows each name to its neighbours: `Maria Xyzzy`, `LOPEZ, MARIA`, `J. Smith`.
    pub(super) fn extend_names(&self, marks: &mut [Option<PhiType>]) {
        let n = self.words.len();
        for _ in 0..2 {
            for i in 0..n {
                let Some(ty) = marks[i] else { continue };
                if !matches!(ty, PhiType::Name | PhiType::ProviderName) {
                    continue;
                }
                if i + 1 < n
                    && marks[i + 1].is_none()
                    && self.joined(i, b"-.,")
                    && !self.sentence_ends_after(i)
                    && self.extends(i + 1)
                    && self.comma_ok(i, i + 1)
                {
                    marks[i + 1] = Some(ty);
                }
                if i > 0
                    && marks[i - 1].is_none()
                    && self.joined(i - 1, b"-.,")
                    && self.extends_left(i - 1)
                    && self.comma_ok(i - 1, i)
                {
                    marks[i - 1] = Some(ty);
                }
            }
        }
    }

    /// `John Smith. MRN: …`, `Zorvath Quilleran. DOB 3/4/1950`: after a period and a space
    /// that end a sentence (after a word of three letters or more, not an initial's or a short
    /// abbreviation's: `J. Smith`, `St. John`), the name does not grow over a label (a word
    /// before a colon) or, in mixed-case text, an acronym opening the next sentence. A
    /// capitalised word there may still be a name's (`… Tuscany. Manesz …`).
    pub(super) fn sentence_ends_after(&self, i: usize) -> bool {
        let w = &self.words[i];
        let next = &self.words[i + 1];
        let gap = &self.text[w.end..next.start];
        if !gap.starts_with(b". ") || w.end - w.start < 3 {
            return false;
        }
        let label = self.text.get(next.end) == Some(&b':');
        let acronym = !self.caps_mode && next.shape == Shape::Upper;
        label || acronym
    }

    /// A comma joins names only in `LAST, FIRST` order: the word after it is a first name.
    pub(super) fn comma_ok(&self, a: usize, b: usize) -> bool {
        let gap = &self.text[self.words[a].end..self.words[b].start];
        !gap.contains(&b',')
            || self.has(b, flag::FIRST)
                && !self.has(b, flag::COMMON)
                && self.words[b].end - self.words[b].start > 2
    }

    pub(super) fn extends(&self, j: usize) -> bool {
        // A title is not part of the name (`Dr. David White` → `Dr. PROV_…`): the token
        // replaces the person, the title says nothing about who.
        let title = flag::PERSON_TITLE | flag::PROVIDER_TITLE | flag::STRONG_CUE;
        if self.has(j, flag::NAME_CUE | flag::RELATION | title) {
            return false;
        }
        // `son-in-law`'s `law` (a listed surname) and a request's `pls` open or follow a
        // name, they are no part of it.
        if self.in_law(j) || self.is_request(j) {
            return false;
        }
        if self.has(j, flag::PARTICLE) {
            return self.particle_inside_name(j);
        }
        if self.surname_after_first_name(j) {
            return true;
        }
        if self.has(j, flag::NEVER_NAME) {
            return false;
        }
        if self.is_initial(j) {
            return true;
        }
        let w = &self.words[j];
        if w.shape == Shape::Lower {
            // `dr. bob culhane`, `Janet logan`: lower-case surnames after a name, if no
            // dictionary knows them as words.
            return !self.has(j, flag::ENGLISH | flag::COMMON)
                && w.end - w.start >= 3
                && !self.text[w.start..w.end].iter().any(u8::is_ascii_digit);
        }
        let capitalised = matches!(self.words[j].shape, Shape::Cap | Shape::Mixed)
            || self.words[j].shape == Shape::Upper
                && (self.caps_mode || self.words[j].end - self.words[j].start > 1);
        capitalised && (self.has(j, flag::NAME) || !self.has(j, flag::ENGLISH))
    }

    /// `Dr. Arthur Wilson`, `Dr Ferdinand Halfpenny`: in mixed-case text, a capitalised word
    /// one space after a listed first name is its surname even when it is also a word or an
    /// eponym (Wilson's disease), unless it is a function word, a credential or a facility.
    fn surname_after_first_name(&self, j: usize) -> bool {
        j > 0
            && !self.caps_mode
            && self.words[j].shape == Shape::Cap
            && self.has(j - 1, flag::FIRST)
            && &self.text[self.words[j - 1].end..self.words[j].start] == b" "
            && !self.has(
                j,
                flag::STOP | flag::CREDENTIAL | flag::FACILITY | flag::PLACE_CUE,
            )
            && (self.has(j, flag::LAST) || !self.has(j, flag::CLINICAL))
    }

    /// `De Quervain`, `de novo`: a particle before clinical vocabulary or an ordinary word
    /// is no name on list evidence.
    fn particle_before_vocabulary(&self, i: usize) -> bool {
        self.has(i, flag::PARTICLE)
            && (i + 1 >= self.words.len()
                || self.has(i + 1, flag::NEVER_NAME | flag::VOCAB)
                || self.has(i + 1, flag::ENGLISH) && !self.has(i + 1, flag::NAME)
                || self.words[i + 1].shape == Shape::Lower)
    }

    /// `de` in `Maria de la Cruz`: a particle belongs to a name when what follows it (more
    /// particles, then a capitalised word) could be the rest of the name.
    fn particle_inside_name(&self, j: usize) -> bool {
        // `DOS` in capitals is date of service, not `dos Santos`.
        if self.words[j].shape == Shape::Upper && !self.caps_mode {
            return false;
        }
        let mut k = j + 1;
        while k < self.words.len() && self.joined(k - 1, b"") {
            if self.has(k, flag::PARTICLE) {
                k += 1;
                continue;
            }
            return matches!(self.words[k].shape, Shape::Cap | Shape::Mixed)
                && !self.has(k, flag::NEVER_NAME | flag::STRONG_CUE | flag::NAME_CUE);
        }
        false
    }

    pub(super) fn extends_left(&self, j: usize) -> bool {
        if self.has(j, flag::PARTICLE) {
            return self.particle_inside_name(j);
        }
        // `it's Rose Page calling`, `that's john`: a lower-case word ending in `'s` (a
        // contraction or a possessive) is never the start of the name after it (stop 55).
        let w = &self.words[j];
        if w.shape == Shape::Lower && self.text[w.start..w.end].ends_with(b"'s") {
            return false;
        }
        // `Hill, Grace`: before a comma and a name, a capitalised surname counts even when
        // it is also a common word.
        let gap = &self.text[self.words[j].end..self.words[j + 1].start];
        let last_first = gap.contains(&b',')
            && !self.caps_mode
            && self.words[j].shape == Shape::Cap
            && self.has(j, flag::LAST);
        self.extends(j)
            && (self.is_initial(j)
                || last_first
                || self.has(j, flag::NAME) && !self.has(j, flag::COMMON)
                || !self.has(j, flag::ENGLISH))
    }
}

impl Ctx<'_> {
    /// `Delphine417 Kshlerin58`: Synthea glues a number to every name it writes in a note.
    /// A title-case word with such a number is a name when its stem is a listed name or a
    /// word no list knows; vocabulary (`Stage3`, `Bed12`) is not.
    pub(super) fn mark_numbered_name(&self, i: usize, marks: &mut [Option<PhiType>]) {
        let w = &self.words[i];
        if marks[i].is_some() || w.flags & flag::NUMBERED == 0 || w.shape != Shape::Cap {
            return;
        }
        let name_or_unknown =
            flag::NUMBERED | flag::NUMBERED_NAME | flag::COMMON | flag::PLACE | flag::PLACE_START;
        let digits = self.text[w.start..w.end]
            .iter()
            .filter(|c| c.is_ascii_digit())
            .count();
        let stem_len = w.end - w.start - digits;
        // An unknown stem needs the shape Synthea gives it (`Kshlerin58`); a short one with
        // one digit is a lab value (`Svo2`, `Sao2`).
        let listed = w.flags & flag::NUMBERED_NAME != 0;
        // A listed three-letter stem (`Amy567`, `Sue591`) with two digits or more where
        // Synthea writes a person: it writes short first names too, but `Jan12` and `Dec12`
        // are dates; an English one needs three digits (`Day14` is a day).
        let short = stem_len == 3
            && listed
            && digits >= 2
            && (digits == 3 || w.flags & flag::ENGLISH == 0)
            && self.numbered_person_context(i);
        let shaped = short || stem_len >= 4 && (listed || digits >= 2);
        // A listed name that is also an English word or a country (`Brandy87`, `Chase373`,
        // `Jordan385`): two or more digits glued on are no word's spelling. A name of the
        // safe clinical vocabulary (`Braden`, `Lawton`) needs three, as Synthea mostly
        // writes: scores glue two (`Braden18`). The clinical words that must never be a
        // name stay out whatever the number (`Fent100`, `Bolus500`, `Neo100` are doses,
        // `Foley16` a size, `Glasgow15` a score), and so do stop, credential, facility and
        // place-cue words.
        let english_name = listed
            && digits >= 2
            && (digits == 3 || w.flags & flag::VOCAB == 0)
            && w.flags & (flag::NEVER_NAME | flag::PLACE_CUE) == 0
            && self.numbered_person_context(i);
        let allowed = if english_name {
            name_or_unknown | flag::ENGLISH | flag::REGION | flag::VOCAB
        } else {
            name_or_unknown
        };
        if w.flags & !allowed == 0 && shaped || self.opens_age_sentence(w.end) {
            marks[i] = Some(PhiType::Name);
        }
    }

    /// Whether the text after a word reads `is a 10 year-old` (also `was`, `an`, `month-old`,
    /// `year old`): the opening of Synthea's history of present illness, whose subject is
    /// always the patient. It decides a numbered word whatever its stem is (`Lee67`,
    /// `Jesus426`: a word or a blocked name with two digits is no name elsewhere).
    fn opens_age_sentence(&self, end: usize) -> bool {
        let rest = &self.text[end..self.text.len().min(end + 40)];
        let mut words = rest
            .split(|c| c.is_ascii_whitespace() || *c == b'-')
            .filter(|w| !w.is_empty());
        let verb = words
            .next()
            .is_some_and(|v| v.eq_ignore_ascii_case(b"is") || v.eq_ignore_ascii_case(b"was"));
        let article = words
            .next()
            .is_some_and(|a| a.eq_ignore_ascii_case(b"a") || a.eq_ignore_ascii_case(b"an"));
        let number = words
            .next()
            .is_some_and(|n| (1..=3).contains(&n.len()) && n.iter().all(u8::is_ascii_digit));
        let unit = words.next().is_some_and(|u| {
            [
                &b"year"[..],
                b"years",
                b"month",
                b"months",
                b"week",
                b"weeks",
                b"day",
                b"days",
            ]
            .iter()
            .any(|x| u.eq_ignore_ascii_case(x))
        });
        let old = words.next().is_some_and(|o| o.eq_ignore_ascii_case(b"old"));
        rest.first().is_some_and(u8::is_ascii_whitespace)
            && verb
            && article
            && number
            && unit
            && old
    }

    /// Where Synthea writes a person whose numbered name is also a word (`Sugar150` in an
    /// ICU note is a glucose): beside another numbered word (`Brandy87 Kshlerin58`), after
    /// a person's title (`Mrs. Brandy87`), after a relation or a name's label, or as the
    /// subject of `is`/`was`/`has` (`Brandy87 is a 17 year-old`, the history of present
    /// illness of every Synthea note).
    fn numbered_person_context(&self, i: usize) -> bool {
        let n = self.words.len();
        let numbered = |j: usize| self.has(j, flag::NUMBERED) && self.words[j].shape == Shape::Cap;
        let next = i + 1 < n && self.joined(i, b"");
        let prev = i > 0 && self.joined(i - 1, b".");
        let verb = next && {
            let v = &self.words[i + 1];
            let t = &self.text[v.start..v.end];
            [&b"is"[..], b"was", b"has"]
                .iter()
                .any(|x| t.eq_ignore_ascii_case(x))
        };
        // After a relation or a name's label (`lives with POA Heather856`, `Mother's maiden
        // name: Wood943`) the numbered word is the person the cue announces.
        let cued =
            i > 0 && self.joined(i - 1, b":") && self.has(i - 1, flag::RELATION | flag::NAME_INTRO);
        next && numbered(i + 1)
            || prev && self.joined(i - 1, b"") && numbered(i - 1)
            || prev && self.has(i - 1, flag::PERSON_TITLE | flag::PROVIDER_TITLE)
            || verb
            || cued
    }

    /// `Gerald's daughter`, `Rose's husband`: a capitalised possessive right before a
    /// relation word is the relative's person, when it is a listed name (even a common
    /// word) or a word no list knows.
    pub(super) fn mark_possessive_before_relation(&self, i: usize, marks: &mut [Option<PhiType>]) {
        let w = &self.words[i];
        let word = &self.text[w.start..w.end];
        if marks[i].is_some()
            || self.caps_mode
            || w.shape != Shape::Cap
            || !word.ends_with(b"'s")
            || i + 1 >= self.words.len()
            || !self.joined(i, b"")
            || !self.has(i + 1, flag::RELATION)
        {
            return;
        }
        let blocked = flag::NEVER_NAME
            | flag::STOP
            | flag::RELATION
            | flag::NAME_CUE
            | flag::LABEL
            | flag::PERSON_TITLE
            | flag::PROVIDER_TITLE;
        let known_word = self.has(i, flag::ENGLISH | flag::VOCAB) && !self.has(i, flag::NAME);
        if !self.has(i, blocked) && !known_word {
            marks[i] = Some(PhiType::Name);
        }
    }

    /// `phone call: elizabeth called from…`, `david phoned`: a lower-case listed name that is
    /// no English or clinical word, right before a verb of contacting someone, is its subject.
    pub(super) fn mark_before_contact(&self, i: usize, marks: &mut [Option<PhiType>]) {
        let j = i + 1;
        if self.caps_mode || j >= self.words.len() || marks[i].is_some() {
            return;
        }
        if !self.has(j, flag::CONTACT) || !self.joined(i, b"") {
            return;
        }
        let w = &self.words[i];
        let not_word = flag::ENGLISH
            | flag::COMMON
            | flag::VOCAB
            | flag::NEVER_NAME
            | flag::NAME_CUE
            | flag::RELATION
            | flag::LABEL
            | flag::STRONG_CUE
            | flag::STOP;
        if w.shape == Shape::Lower
            && w.end - w.start >= 3
            && self.has(i, flag::NAME)
            && !self.has(i, not_word)
        {
            marks[i] = Some(PhiType::Name);
        }
    }

    /// `Frank Bishop notified of the transfer`, `Grace Young updated`, `Helen Price called`:
    /// in mixed-case text, a capitalised listed first name and a capitalised surname right
    /// before a verb of contact (`contact_verbs` in the lexicon) are the person told or
    /// calling, even when both are ordinary words. A single word there is left alone:
    /// `Family updated`, `Team notified` are relatives and services.
    pub(super) fn mark_pair_before_contact(&self, i: usize, marks: &mut [Option<PhiType>]) {
        let verb = i + 2;
        if verb >= self.words.len() || !self.has(verb, flag::CONTACT) {
            return;
        }
        if !self.joined(i + 1, b"") || !self.first_last_pair(i) {
            return;
        }
        for k in [i, i + 1] {
            if marks[k].is_none() {
                marks[k] = Some(PhiType::Name);
            }
        }
    }

    /// `Hope stayed in the car`? No verb of speech, no name. `Grace said`, `Bill called`,
    /// `Faith reports`: a capitalised first-name-list word that opens a clause right before a
    /// verb that tells of a person is that person, even when it is also an English word. Not
    /// in one-case notes, where capitals do not say a name is written.
    pub(super) fn mark_listed_first_before_person_verb(
        &self,
        i: usize,
        marks: &mut [Option<PhiType>],
    ) {
        let j = i + 1;
        if j >= self.words.len()
            || marks[i].is_some()
            || self.caps_mode
            || self.lower_mode
            || self.words[i].shape != Shape::Cap
            || self.words[i].end - self.words[i].start < 3
            || !self.has(j, flag::PERSON_VERB)
            || self.text[self.words[i].end..self.words[j].start] != *b" "
        {
            return;
        }
        let not_a_person = flag::NEVER_NAME
            | flag::RELATION
            | flag::PERSON_TITLE
            | flag::PROVIDER_TITLE
            | flag::LABEL
            | flag::ROLE
            | flag::NAME_CUE;
        // A town's name is often a first name too (`Grace`, `Austin`); before `said` it is
        // the person.
        if self.has(i, flag::FIRST) && !self.has(i, not_a_person) && self.clause_start(i) {
            marks[i] = Some(PhiType::Name);
        }
    }

    /// `husband (Frank)`, `daughter (Maria Ortiz) called`, `husband (art)`: a name in
    /// parentheses right after a relation word, even when it is also an English word. Not
    /// `son (HCP)` or `wife (RN)`: credentials, cues and clinical words are left.
    pub(super) fn mark_relative_in_parentheses(&self, i: usize, marks: &mut [Option<PhiType>]) {
        let first = i + 1;
        // In a lower-case note only the lower-case reading below can hold.
        if first >= self.words.len()
            || self.caps_mode
            || !self.has(i, flag::RELATION)
            || !matches!(
                &self.text[self.words[i].end..self.words[first].start],
                b" (" | b"("
            )
        {
            return;
        }
        let refused = flag::NEVER_NAME | flag::RELATION | flag::STRONG_CUE | flag::ROLE;
        // `husband (art)`: a lower-case given name there too, even one that is a word.
        let name_word = |k: usize| {
            self.words[k].shape == Shape::Cap
                && !self.has(k, refused)
                && (self.has(k, flag::NAME) || self.unknown_word(k))
                || self.words[k].shape == Shape::Lower && self.lower_given_in_sure_slot(k)
        };
        let closes = |k: usize| self.text.get(self.words[k].end) == Some(&b')');
        if !name_word(first) {
            return;
        }
        let last = if closes(first) {
            first
        } else if first + 1 < self.words.len()
            && self.joined(first, b"")
            && name_word(first + 1)
            && closes(first + 1)
        {
            first + 1
        } else {
            return;
        };
        for m in marks.iter_mut().take(last + 1).skip(first) {
            m.get_or_insert(PhiType::Name);
        }
    }

    /// `Pt Qabiloglu works as a welder`: after `pt` or `patient`, a capitalised word of four
    /// letters or more that no list knows (no English, clinical, cue or name-list word) is
    /// the patient's name. Not in all-capitals or lower-case notes, where `PT HTN` is
    /// shorthand and `pt recieved` a misspelt verb.
    pub(super) fn mark_after_patient(&self, i: usize, marks: &mut [Option<PhiType>]) {
        let j = i + 1;
        // `Pt. Muhaylov declined`: the abbreviation's period is allowed.
        if j >= self.words.len() || marks[j].is_some() {
            return;
        }
        // The cue word before the gap after it: most words are no cue.
        let cue = &self.text[self.words[i].start..self.words[i].end];
        if !cue.eq_ignore_ascii_case(b"pt") && !cue.eq_ignore_ascii_case(b"patient") {
            return;
        }
        if !self.joined(i, b".") {
            return;
        }
        // Where capitals tell nothing, a word no list holds after `pt` is as often a
        // misspelt verb (`PT RECIEVED`, `pt diuresing`): tried, and it cost PhysioNet's
        // precision 3.5 points.
        if self.caps_mode || self.lower_mode {
            return;
        }
        let w = &self.words[j];
        let blocked = flag::COMMON
            | flag::STOP
            | flag::CLINICAL
            | flag::LABEL
            | flag::PERSON_TITLE
            | flag::PROVIDER_TITLE
            | flag::CREDENTIAL
            | flag::PLACE;
        if w.shape == Shape::Cap
            && w.end - w.start >= 4
            && self.name_shaped(j)
            && self.unknown_word(j)
            && !self.has(j, blocked)
        {
            marks[j] = Some(PhiType::Name);
        }
    }

    /// `spoke with ines`, `called rj delacroix`, `voicemail for marguerite`: after a verb of
    /// contacting someone, a lower-case listed name that is no English or clinical word is
    /// a person, and so are lower-case initials before a surname.
    /// `follow up with sarah`, `f/u with kowalczyk`, `followed up with Grace`: the word after
    /// `with`. `follow` is no verb of contact (most of its uses tell of no person: `will
    /// follow`, `follow commands`), so only the whole phrase counts.
    fn follow_up_object(&self, i: usize) -> Option<usize> {
        if i + 3 >= self.words.len() {
            return None;
        }
        let word = |k: usize| &self.text[self.words[k].start..self.words[k].end];
        let is = |k: usize, w: &[u8]| word(k).eq_ignore_ascii_case(w);
        let follow = ["follow", "followed", "following", "follows"]
            .iter()
            .any(|w| is(i, w.as_bytes()));
        let follow_up = follow && is(i + 1, b"up") && self.joined(i, b"-");
        let gap = &self.text[self.words[i].end..self.words[i + 1].start];
        let f_u = is(i, b"f") && is(i + 1, b"u") && gap == b"/";
        // Read for every word: `with` and its gap only after the phrase before it is found.
        ((follow_up || f_u) && is(i + 2, b"with") && self.joined(i + 1, b"")).then_some(i + 3)
    }

    pub(super) fn mark_after_contact(&self, i: usize, marks: &mut [Option<PhiType>]) {
        if self.caps_mode {
            return;
        }
        let j = match self.follow_up_object(i) {
            Some(j) => j,
            None if !self.has(i, flag::CONTACT) => return,
            None => {
                let next = i + 1;
                if next < self.words.len() && self.joined(i, b"") && self.contact_preposition(next)
                {
                    next + 1
                } else if self.has(i, flag::PREP_CONTACT) {
                    // `Reviewed Allen Cognitive Level`: these verbs take a thing without `with`.
                    return;
                } else {
                    next
                }
            }
        };
        if j >= self.words.len()
            || marks[j].is_some()
            || !(self.joined(j - 1, b"") || self.with_slash(j - 1))
        {
            return;
        }
        let lower = |k: usize| {
            self.words[k].shape == Shape::Lower
                && !self.text[self.words[k].start..self.words[k].end]
                    .iter()
                    .any(u8::is_ascii_digit)
        };
        let not_word = flag::ENGLISH
            | flag::COMMON
            | flag::VOCAB
            | flag::NEVER_NAME
            | flag::NAME_CUE
            | flag::RELATION
            | flag::LABEL
            | flag::STRONG_CUE;
        let len = |k: usize| self.words[k].end - self.words[k].start;
        // `Left a voicemail for Glen`, `spoke with Hope`: a capitalised first name, even one
        // that is also a word, when a verb of contact shows a person.
        let w = &self.words[j];
        let written_as_name = w.shape == Shape::Cap && len(j) >= 3;
        let blocked = flag::STOP
            | flag::NEVER_NAME
            | flag::NAME_CUE
            | flag::RELATION
            | flag::LABEL
            | flag::STRONG_CUE
            | flag::PERSON_TITLE
            | flag::PROVIDER_TITLE
            | flag::PARTICLE;
        if written_as_name && self.has(j, flag::FIRST) && !self.has(j, blocked) {
            marks[j] = Some(PhiType::Name);
            return;
        }
        if !lower(j) {
            return;
        }
        // `spoke with john`, `called patty`: a popular name that is also a rare English word.
        if (len(j) >= 3 && self.has(j, flag::NAME) && !self.has(j, not_word)) || self.lower_name(j)
        {
            marks[j] = Some(PhiType::Name);
            return;
        }
        // `rj delacroix`: one or two letters, then a surname or a word no list knows.
        let k = j + 1;
        if len(j) <= 2
            && !self.has(j, not_word)
            && k < self.words.len()
            && self.joined(j, b"")
            && lower(k)
            && len(k) >= 3
            && !self.has(k, not_word)
        {
            marks[j] = Some(PhiType::Name);
            marks[k] = Some(PhiType::Name);
        }
    }
}

/// Longest run of other-script words (of three letters or more) read as names and places:
/// a name with its patronymic and surname, or a street, town and region.
const MAX_OTHER_SCRIPT_RUN: usize = 6;

/// Longest other-script word read as a name or place, in letters (`广西壮族自治区六盘水市`).
const MAX_OTHER_SCRIPT_LETTERS: usize = 24;

/// A letter or mark of a script other than Latin (any case): not ASCII, not a Latin letter
/// of the extended blocks, not a space, digit or symbol.
fn is_other_script(c: char) -> bool {
    !c.is_ascii()
        && !matches!(c, '\u{00C0}'..='\u{02AF}' | '\u{1E00}'..='\u{1EFF}')
        && (c.is_alphabetic() || is_inner_mark(c))
}

/// Vowel signs and viramas of the Indic scripts, Thai vowels, Hebrew and Arabic points:
/// marks inside words that are not letters themselves.
fn is_inner_mark(c: char) -> bool {
    matches!(c, '\u{0591}'..='\u{05C7}' | '\u{0610}'..='\u{061A}' | '\u{064B}'..='\u{065F}'
        | '\u{0900}'..='\u{0DFF}' | '\u{0E31}'..='\u{0E4E}' | '\u{3099}'..='\u{309A}')
}

#[cfg(test)]
mod sentence_tests {
    use crate::detect::lexicon::{detected_strings, finds, keeps};
    use crate::detect::Detector;
    use crate::patterns::Patterns;

    /// A name ends at its sentence: the label that opens the next one is no part of it, so
    /// the name's token is the same wherever the note writes it.
    #[test]
    fn a_name_does_not_grow_over_the_next_sentence() {
        let d = Detector::build(&Patterns::builtin()).expect("built-in patterns");
        for (text, name) in [
            ("Name: John Smith. MRN: 1234567.", "John Smith"),
            ("Met Zorvath Quilleran. DOB 3/4/1950.", "Zorvath Quilleran"),
            ("Seen with John Smith. DOB is fine.", "John Smith"),
            ("Name: John Smith. Dob: 3/4/1950.", "John Smith"),
        ] {
            let found = detected_strings(&d, text);
            assert!(found.iter().any(|f| f == name), "{text}: {found:?}");
        }
        // An initial's period is no sentence end.
        let found = detected_strings(&d, "Name: J. Smith. MRN 1234567.");
        assert!(found.iter().any(|f| f == "J. Smith"), "{found:?}");
    }

    /// `PT OKONKWO A+O X2`: the word between `pt` and an orientation mark is the patient's
    /// name; a word of the patient's state there is not.
    #[test]
    fn the_word_between_pt_and_an_orientation_mark_is_the_patient() {
        let d = Detector::build(&Patterns::builtin()).expect("built-in patterns");
        let found = detected_strings(&d, "NSG NOTE 7A-7P: PT OKONKWO A+O X2, CONFUSED TO TIME.");
        assert!(found.iter().any(|f| f == "OKONKWO"), "{found:?}");
        let found = detected_strings(&d, "NSG NOTE 7A-7P: PT AWAKE A+O X3, CALM.");
        assert!(!found.iter().any(|f| f.contains("AWAKE")), "{found:?}");
        let found = detected_strings(&d, "PAGE to ICU: pt Gill rm 252 BP 82/50, pls call.");
        assert!(found.iter().any(|f| f == "Gill"), "{found:?}");
        let found = detected_strings(&d, "pt transferred rm 12 at 14:00.");
        assert!(
            !found.iter().any(|f| f.contains("transferred")),
            "{found:?}"
        );
    }

    /// `PA LINE`, `PA CATHETER`: the pulmonary artery's line, not a physician assistant,
    /// so neither the device before it nor the word after it is a clinician; a clinician
    /// written with `PA` still is.
    #[test]
    fn a_pulmonary_artery_line_is_no_physician_assistant() {
        let d = Detector::build(&Patterns::builtin()).expect("built-in patterns");
        for (text, word) in [
            (
                "CANTRAL-INTRODUCER W PA LINE RFEM & ALINE L-RAD.",
                "INTRODUCER",
            ),
            ("CANTRAL-INTRODUCER W PA LINE RFEM & ALINE L-RAD.", "RFEM"),
            ("CORDIS W PA LINE R IJ. D/C'D PA LINE.", "LINE"),
            ("INTRODUCER W PA CATH. TLC W PA PORT.", "INTRODUCER"),
            (
                "Introducer with PA line in R IJ. Cordis w PA catheter.",
                "Cordis",
            ),
        ] {
            keeps(&d, text, word);
        }
        finds(&d, "Seen by Marguerite Okafor PA today.", "Okafor");
        finds(
            &d,
            "Plan discussed with Yolanda Brightwater, PA.",
            "Brightwater",
        );
    }

    /// A relative's unlisted name in a note in capitals stays a name even when it is one
    /// letter from an English word (`MOTHER TARLAN`, `DAUGHTER PERBER`): stop 58 tried
    /// reading such a word as a misspelt verb (`WIFE AGRESS`) and lost these names on the
    /// oov corpora, so the misspelling reading was taken back out.
    #[test]
    fn an_unlisted_word_after_a_relation_in_capitals_is_a_name() {
        let d = Detector::build(&Patterns::builtin()).expect("built-in patterns");
        finds(&d, "PT RESTING. WIFE ZORVATH AT BEDSIDE.", "ZORVATH");
        finds(
            &d,
            "INR 2.4.\nMOTHER TARLAN FIYEVA SIGNED THE CONSENT.\nMANY THANKS.",
            "TARLAN",
        );
    }

    /// `LEs anasarcic`: an acronym's plural is no name, though `Les` is one.
    #[test]
    fn an_acronyms_plural_is_no_name() {
        let d = Detector::build(&Patterns::builtin()).expect("built-in patterns");
        keeps(
            &d,
            "Femoral line remaining in place. LEs anasarcic improving.",
            "LEs",
        );
        keeps(
            &d,
            "Pulses palpable. UEs warm, LEs cool and mottled.",
            "LEs",
        );
        finds(&d, "Spoke with Les Okonkwo, her brother, by phone.", "Les");
    }
}
