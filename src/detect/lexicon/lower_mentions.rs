//! Given names typed in lower case in a mixed-case text where the sentence has a slot for a
//! person (issue 13, stop 49, helper `general49`): `left the keys with stefan at`, `spoke
//! w/ noreen;`, `Message taken by edward @ 11:46`, `LM for cauã to call back`, `tell her
//! tymon sent you`, `henrique (father) is the HCP`, `reviewed w/ faith's son`.
//!
//! The lists say the word is a given name and no English, clinical or cue word
//! ([`Ctx::lower_name`]); the slot says it is used as one. A given name that is also a word
//! (`grace`, `faith`, `joy`) is read only where a relation names the person: in
//! parentheses after it or after its possessive.

use super::flag;
use super::mentions::GREETINGS;
use super::person::NOT_A_PERSON;
use super::words::Shape;
use super::Ctx;
use crate::phi::PhiType;

/// Flags a lower-case given name read here must not carry beyond [`Ctx::lower_name`]'s:
/// persons' and places' cue words and verbs.
const SLOT_BLOCKED: u64 = NOT_A_PERSON
    | flag::PLACE_CUE
    | flag::PLACE_LABEL
    | flag::EPONYM_HEAD
    | flag::PERSON_VERB
    | flag::SUBJECT_VERB
    | flag::COPULA
    | flag::CONTACT;

/// Words after which a lower-case given name ending its phrase is the person the words are
/// about, beside `person_object_heads` (`with`, `text`, `meet`): `by` (`taken by edward @`,
/// `signed for by ida.`) and `remember`.
const SLOT_HEADS: [&[u8]; 2] = [b"by", b"remember"];

/// Auxiliaries that, after a relation and a given name, make the name the subject
/// (`son-in-law grant will pick her up`, `wife joy has the keys`).
const RELATIVE_AUXILIARIES: [&[u8]; 11] = [
    b"is", b"was", b"will", b"has", b"had", b"can", b"would", b"could", b"should", b"did", b"does",
];

impl Ctx<'_> {
    /// Word `k` is a lower-case given name of the lists that is no word (`lower_name`) nor
    /// any cue or verb, in a text written in mixed case.
    fn lower_slot_name(&self, k: usize) -> bool {
        !self.caps_mode
            && !self.lower_mode
            && self.words[k].shape == Shape::Lower
            && self.has(k, flag::FIRST)
            && self.lower_name(k)
            && !self.has(k, SLOT_BLOCKED)
    }

    /// The text after word `k` ends a person's mention in a slot: punctuation, the text's
    /// end, ` @` (`taken by lea @ 11:46`) or ` at` (`with stefan at Skoltorget 40`).
    fn slot_mention_ends(&self, k: usize) -> bool {
        let rest = &self.text[self.words[k].end..];
        matches!(
            rest.first(),
            None | Some(b',' | b'.' | b'!' | b'?' | b';' | b')' | b'\n' | b'\r')
        ) || rest.starts_with(b" @")
            || (k + 1 < self.words.len() && self.joined(k, b"") && self.word_is(k + 1, b"at"))
    }

    /// `with stefan at`, `spoke w/ noreen;`, `taken by edward @`, `for cauã to call back`,
    /// `tymon sent you`: a lower-case given name (`lower_slot_name`) after a word that takes
    /// a person where its mention ends there, between `for` and `to`, or before `sent`.
    pub(super) fn mark_lower_name_in_slot(&self, i: usize, marks: &mut [Option<PhiType>]) {
        if marks[i].is_some() || i == 0 || !self.lower_slot_name(i) {
            return;
        }
        let h = i - 1;
        let after_head = (self.joined(h, b"") || self.with_slash(h))
            && (self.has(h, flag::PERSON_OBJECT)
                || self.with_slash(h)
                || SLOT_HEADS.iter().any(|w| self.word_is(h, w)));
        let next_is =
            |w: &[u8]| i + 1 < self.words.len() && self.joined(i, b"") && self.word_is(i + 1, w);
        let for_to = self.joined(h, b"") && self.word_is(h, b"for") && next_is(b"to");
        if (after_head && self.slot_mention_ends(i)) || for_to || next_is(b"sent") {
            marks[i] = Some(PhiType::Name);
        }
    }

    /// `spare key is with alex miles at no. 118`, `does anyone remember xia du?`, `met
    /// peace akinwale at the conference`, `customer ben parsons asked`, `cc: timothy henry,
    /// chad baker`: in mixed-case text, a lower-case given name of the lists (even one that
    /// is also a word) and a lower-case surname (a listed one, even a word, or a word no list
    /// holds) after a word that takes a person, or after a person found and a comma, where
    /// the mention ends or a verb of a person follows (stop 50).
    pub(super) fn mark_lower_pair_in_slot(&self, i: usize, marks: &mut [Option<PhiType>]) {
        let j = i + 1;
        if i == 0
            || j >= self.words.len()
            || marks[i].is_some() && marks[j].is_some()
            || self.caps_mode
            || self.lower_mode
            || self.words[i].shape != Shape::Lower
            || self.words[j].shape != Shape::Lower
            || self.text[self.words[i].end..self.words[j].start] != *b" "
            || !(self.lower_given(i) || self.lower_given_sure(i))
            || self.has(i, SLOT_BLOCKED)
        {
            return;
        }
        let digits = |k: usize| {
            self.text[self.words[k].start..self.words[k].end]
                .iter()
                .any(u8::is_ascii_digit)
        };
        let h = i - 1;
        let gap = &self.text[self.words[h].end..self.words[i].start];
        // `pt's wife, max rout, was tearful`: a relation and then, set off, who it is.
        let apposed = gap == b", " && self.has(h, flag::RELATION) && self.comma_after(j);
        let head = (self.joined(h, b"") || self.with_slash(h))
            && (self.has(h, flag::PERSON_OBJECT)
                || SLOT_HEADS.iter().any(|w| self.word_is(h, w))
                || self.word_is(h, b"customer"))
            || gap == b", " && matches!(marks[h], Some(PhiType::Name)) && self.lower_given_sure(i)
            || gap == b": " && self.word_is(h, b"cc")
            || apposed;
        let word_like =
            flag::VOCAB | flag::STOP | flag::NEVER_NAME | NOT_A_PERSON | flag::PLACE_CUE;
        let s = &self.words[j];
        let surname = self.has(j, flag::LAST) && !self.has(j, word_like)
            || self.unlisted_word(j) && s.flags == 0 && s.end - s.start >= 2;
        let verb = j + 1 < self.words.len()
            && self.joined(j, b"")
            && self.has(j + 1, flag::PERSON_VERB | flag::SUBJECT_VERB);
        if head && surname && !digits(i) && !digits(j) && (self.slot_mention_ends(j) || verb) {
            marks[i] = Some(PhiType::Name);
            marks[j] = Some(PhiType::Name);
        }
    }

    /// `when pacio kinger came in`, `spoke to brady borlst about transport`, `pt is
    /// claldanza ojumbo, lives alone`: in a note written all in one case, two words side by
    /// side that no list holds at all (no English, clinical, name or place word; four letters
    /// or more, no digit) where a person stands (after a word that takes a person, a
    /// relation, a title, `when`, `pt`, `pt is`, a verb of contact and its preposition, or
    /// before a verb of a person) are a name. Not after any cue (`to`, `with`, `and`):
    /// PhysioNet's lower-case notes lost precision. The case
    /// of such a note says nothing; two unknown words in a row in a person's place are
    /// seldom two misspellings (stop 64). A note in capitals reads the same (`PT IS
    /// CLALDANZA OJUMBO`, `FRIDENT OLOYINLE COMPLAINED OF`; stop 67).
    pub(super) fn mark_slot_unlisted_pair(&self, i: usize, marks: &mut [Option<PhiType>]) {
        let j = i + 1;
        let shape = if self.lower_mode {
            Shape::Lower
        } else if self.caps_mode {
            Shape::Upper
        } else {
            return;
        };
        if i == 0
            || j >= self.words.len()
            || marks[i].is_some()
            || marks[j].is_some()
            || self.text[self.words[i].end..self.words[j].start] != *b" "
        {
            return;
        }
        let unknown = |k: usize| {
            let w = &self.words[k];
            w.shape == shape
                && w.flags == 0
                && self.unlisted_word(k)
                && w.end - w.start >= 4
                && self.text[w.start..w.end]
                    .iter()
                    .all(u8::is_ascii_alphabetic)
        };
        if !unknown(i) || !unknown(j) {
            return;
        }
        // Capitals are how nurses' notes are written, misspellings and all (`PT IS
        // LETHARIGIC SOMNELENT`): there one of the two must be no slip from a known word,
        // and neither an adverb (`AMBULATNG INDEPENDANTLY`).
        let plain = |k: usize| self.run_word(k) && !self.compound(k);
        if self.caps_mode && (!plain(i) && !plain(j) || self.adverb(i) || self.adverb(j)) {
            return;
        }
        let h = i - 1;
        let head = self.joined(h, b"")
            && (self.has(h, flag::PERSON_OBJECT | flag::RELATION | flag::PERSON_TITLE)
                || self.word_is(h, b"when")
                || self.word_is(h, b"pt")
                || self.word_is(h, b"is") && h > 0 && self.word_is(h - 1, b"pt")
                || self.has(h, flag::CONTACT_PREP)
                    && h > 0
                    && self.joined(h - 1, b"")
                    && self.has(h - 1, flag::CONTACT));
        let verb = j + 1 < self.words.len()
            && self.joined(j, b"")
            && self.has(j + 1, flag::PERSON_VERB | flag::SUBJECT_VERB);
        if head || verb {
            marks[i] = Some(PhiType::Name);
            marks[j] = Some(PhiType::Name);
        }
    }

    /// `Message taken by joy @ 17:56`, `spoke w/ grace;`: a lower-case given name that is
    /// also a word (`lower_given_word`) where the slot leaves no other reading: between
    /// `by` and ` @` (a message's taker and its time), or after a verb of contact and
    /// `with`/`w/` where its mention ends.
    ///
    /// `LM on VM for dawn to call back`, `Message taken by virginia @ 11:42` (stop 65): a
    /// voicemail's `for … to call back` is the same kind of slot, and in these two slots a
    /// given name that is also a state's (`virginia`, `georgia`) counts too: no place
    /// takes a message or calls back.
    pub(super) fn mark_lower_word_name_in_slot(&self, i: usize, marks: &mut [Option<PhiType>]) {
        let w = &self.words[i];
        if marks[i].is_some()
            || i < 2
            || self.caps_mode
            || self.lower_mode
            || w.shape != Shape::Lower
        {
            return;
        }
        let given = self.lower_given_word(i);
        let state_named = !given
            && w.end - w.start >= 4
            && self.given_flags(w.flags & !flag::REGION)
            && self.has(i, flag::REGION);
        if !given && !state_named {
            return;
        }
        let h = i - 1;
        let call_back = self.joined(h, b"")
            && self.word_is(h, b"for")
            && [&b" to call"[..], b" to return", b" to ring"]
                .iter()
                .any(|p| self.text[w.end..].starts_with(p));
        let taken_by =
            self.joined(h, b"") && self.word_is(h, b"by") && self.text[w.end..].starts_with(b" @");
        if call_back || taken_by {
            marks[i] = Some(PhiType::Name);
            return;
        }
        if !given {
            return;
        }
        let with = self.with_slash(h) || self.joined(h, b"") && self.word_is(h, b"with");
        let contact = with && self.joined(h - 1, b"") && self.has(h - 1, flag::CONTACT);
        let ends = matches!(
            self.text.get(w.end),
            None | Some(b',' | b'.' | b'!' | b'?' | b';' | b'\n' | b'\r')
        );
        // `tell her ping sent you`: the one who sent someone (stop 50).
        let sent_you = i + 2 < self.words.len()
            && self.joined(i, b"")
            && self.word_is(i + 1, b"sent")
            && self.joined(i + 1, b"")
            && self.word_is(i + 2, b"you");
        // `left the keys with grace at Betonibulevardi 14`: `with`, the name, and `at` before
        // a place written with a capital or a number (stop 50).
        let with_at = self.joined(h, b"")
            && self.word_is(h, b"with")
            && self.text[w.end..].starts_with(b" at ")
            && self
                .text
                .get(w.end + 4)
                .is_some_and(|c| c.is_ascii_digit() || c.is_ascii_uppercase());
        if contact && ends || sent_you || with_at {
            marks[i] = Some(PhiType::Name);
        }
    }

    /// `henrique (father) is the HCP`, `grace (mother)`, `reviewed w/ faith's son`: a
    /// lower-case given name, even one that is also a word, right before a relation in
    /// parentheses, or written as a possessive before a relation, is that relative.
    pub(super) fn mark_lower_name_before_relation(&self, i: usize, marks: &mut [Option<PhiType>]) {
        let w = &self.words[i];
        if marks[i].is_some()
            || self.caps_mode
            || self.lower_mode
            || w.shape != Shape::Lower
            || i + 1 >= self.words.len()
        {
            return;
        }
        let r = i + 1;
        let gap = &self.text[w.end..self.words[r].start];
        let relation = self.has(r, flag::RELATION);
        let word = &self.text[w.start..w.end];
        let found = match word.strip_suffix(b"'s") {
            // The possessive's own flags are cut down (see `flags`): the stem's decide.
            Some(stem) if stem.len() >= 3 => {
                let f = self.lexicon.words.get_word(stem).unwrap_or(0);
                gap == b" " && relation && self.given_flags(f)
            }
            Some(_) => false,
            // A relation in brackets leaves the word before it no other reading: a given
            // name that is also a clinical abbreviation counts too (`max (wife)`).
            None => gap == b" (" && self.relation_closes(r) && self.lower_given_in_sure_slot(i),
        };
        if found {
            marks[i] = Some(PhiType::Name);
        }
    }

    /// Word `r` is a relation that closes its brackets (`(wife)`), or opens `significant
    /// other)` / `significant others)`.
    fn relation_closes(&self, r: usize) -> bool {
        let closes = |k: usize| self.text.get(self.words[k].end) == Some(&b')');
        self.has(r, flag::RELATION) && closes(r)
            || r + 1 < self.words.len()
                && self.word_is(r, b"significant")
                && self.joined(r, b"")
                && (self.word_is(r + 1, b"other") || self.word_is(r + 1, b"others"))
                && closes(r + 1)
    }

    /// Word `k` is followed right away by a comma (`max rout,`).
    fn comma_after(&self, k: usize) -> bool {
        self.text.get(self.words[k].end) == Some(&b',')
    }

    /// Word `k` is a lower-case given name of three letters or more in a slot that leaves it
    /// no other reading (before a relation in brackets, after a greeting):
    /// [`Self::lower_given_word`], or one that is also a clinical abbreviation
    /// (`max`, `pat`; a shorthand the lists hold among the function words of notes), never
    /// a cue, place or other function word.
    pub(super) fn lower_given_in_sure_slot(&self, k: usize) -> bool {
        let w = &self.words[k];
        let f = w.flags;
        self.lower_given_word(k)
            || w.end - w.start >= 3
                && !self.text[w.start..w.end].iter().any(u8::is_ascii_digit)
                && f & flag::FIRST != 0
                && f & ((SLOT_BLOCKED | flag::NEVER_NAME) & !(flag::CLINICAL | flag::STOP)) == 0
                && (f & flag::STOP == 0 || f & flag::COMMON != 0)
    }

    /// `hi mark, can we move`, `hello urban, your new password`: in text not in capitals a
    /// lower-case given name of the lists, even one that is also a word, or any word a
    /// greeting does not address to a group or a stranger ([`Self::greeted_word`]), right after a
    /// greeting that opens its clause and before the comma or `!` that closes the greeting,
    /// is the person greeted (red team 58, R12). Relations, titles and function words stay
    /// (`hi mom,`, `hello sir,`, `hi all,`).
    pub(super) fn mark_lower_greeted_name(&self, i: usize, marks: &mut [Option<PhiType>]) {
        let w = &self.words[i];
        if marks[i].is_some() || i == 0 || self.caps_mode || w.shape != Shape::Lower {
            return;
        }
        let Some(last) = self.greeting_slot_end(i) else {
            return;
        };
        if !self.greeting_closed_inline(last) {
            return;
        }
        let h = i - 1;
        let word = |k: usize| {
            self.words[k].shape == Shape::Lower
                && (self.lower_given_in_sure_slot(k) || self.greeted_word(k))
        };
        if self.text[self.words[h].end..w.start] == *b" "
            && GREETINGS.iter().any(|g| self.word_is(h, g))
            && self.clause_start(h)
            && (i..=last).all(word)
        {
            for m in &mut marks[i..=last] {
                *m = m.or(Some(PhiType::Name));
            }
        }
    }

    /// The last word of a greeting's slot that opens at word `i`: `i` itself before the
    /// comma, `!` or line break that closes the greeting, or the second half of a
    /// hyphenated name before it (`hello kaikyttverk-zas,`, `Hey Ana-Sofia!`).
    pub(super) fn greeting_slot_end(&self, i: usize) -> Option<usize> {
        let closes = |k: usize| {
            matches!(
                self.text.get(self.words[k].end),
                Some(b',' | b'!' | b'\n' | b'\r')
            )
        };
        if closes(i) {
            return Some(i);
        }
        let j = i + 1;
        (j < self.words.len()
            && self.text[self.words[i].end..self.words[j].start] == *b"-"
            && matches!(self.words[j].shape, Shape::Lower | Shape::Cap)
            && closes(j))
        .then_some(j)
    }

    /// The greeting's slot ending at word `last` is closed by a comma or `!` on its line
    /// (`hi mark,`, `Hi Nice,`): after `hi`/`hello`/`hey` a word closed by a line break
    /// alone is as often a heading or a test page (`Hello World`).
    pub(super) fn greeting_closed_inline(&self, last: usize) -> bool {
        matches!(self.text.get(self.words[last].end), Some(b',' | b'!'))
    }

    /// Word `k`, alone in a greeting's slot, is the name of whom it greets: the slot holds a
    /// person or one of the few words for a group or a stranger (`all`, `everyone`,
    /// `customer`: `greeting_addressees`, relations, titles, roles and labels), so an
    /// English word, a stop word or one no list holds is a name there (`hello urban,`,
    /// `hello hol,`, `hi per,`). Two letters at least, with no digit.
    pub(super) fn greeted_word(&self, k: usize) -> bool {
        // Not stop words as such: `hi per,` greets Per; the stop words that greet a group
        // (`all`, `there`, `again`, `both`) are addressees.
        const NOT_GREETED: u64 = flag::ADDRESSEE
            | flag::RELATION
            | flag::RELATION_PLURAL
            | flag::PERSON_TITLE
            | flag::PROVIDER_TITLE
            | flag::ROLE
            | flag::CREDENTIAL
            | flag::LABEL
            | flag::DETERMINER
            | flag::POSSESSIVE
            | flag::GREETING_END;
        let w = &self.words[k];
        let word = &self.text[w.start..w.end];
        word.len() >= 2 && !word.iter().any(u8::is_ascii_digit) && !self.has(k, NOT_GREETED)
    }

    /// Word `k` is a lower-case person's name where the sentence leaves no other reading:
    /// a listed given name, even one that is also a word (`lower_given_word`), or a word of
    /// four letters or more no list holds that is no misspelling or compound (`wairimu`).
    fn lower_person_word(&self, k: usize) -> bool {
        let w = &self.words[k];
        let word = &self.text[w.start..w.end];
        if w.shape != Shape::Lower || word.iter().any(u8::is_ascii_digit) {
            return false;
        }
        self.lower_given_word(k) && !self.has(k, flag::STOP)
            || self.unlisted_word(k)
                && w.flags == 0
                && word.len() >= 4
                && !self.misspelt(word)
                && !self.compound(k)
    }

    /// `ok, wairimu can you cover the run?`, `thanks, esther could you`: in mixed-case
    /// text a lower-case name opening a clause right before `can you`, `could you`, `would
    /// you` or `will you` is the person asked (stop 51).
    pub(super) fn mark_lower_vocative_before_request(
        &self,
        i: usize,
        marks: &mut [Option<PhiType>],
    ) {
        // The cheap test first: the words after.
        let rest = &self.text[self.words[i].end..];
        let asks = [&b" can you"[..], b" could you", b" would you", b" will you"]
            .iter()
            .any(|p| rest.starts_with(p));
        if !asks
            || marks[i].is_some()
            || i == 0
            || self.caps_mode
            || self.lower_mode
            || self.text[self.words[i - 1].end..self.words[i].start] != *b", "
            || !self.lower_person_word(i)
            || self.has(i, SLOT_BLOCKED)
        {
            return;
        }
        marks[i] = Some(PhiType::Name);
    }

    /// `son-in-law grant will pick her up`, `husband art called`, `lives with son jack.`:
    /// in mixed case, a lower-case given name right after a relation word (or an
    /// `-in-law`), before a verb of its own or the end of its phrase, is that relative. No
    /// function word is read so (`wife will call`, `daughter may visit`), and a word after
    /// it must be a verb (`daughter rose and` is left).
    pub(super) fn mark_lower_name_after_relation(&self, i: usize, marks: &mut [Option<PhiType>]) {
        if i == 0 || marks[i].is_some() || self.caps_mode || self.lower_mode {
            return;
        }
        let r = i - 1;
        let w = &self.words[i];
        if !(self.has(r, flag::RELATION) || self.in_law(r))
            || self.text[self.words[r].end..w.start] != *b" "
            || self.has(i, flag::STOP)
            || !self.lower_given_word(i)
        {
            return;
        }
        let ends = matches!(
            self.text.get(w.end),
            None | Some(b',' | b'.' | b';' | b')' | b'\n' | b'\r')
        );
        let v = i + 1;
        let verb_next = v < self.words.len()
            && self.text[w.end..self.words[v].start] == *b" "
            && (self.has(
                v,
                flag::PERSON_VERB | flag::SUBJECT_VERB | flag::COPULA | flag::CONTACT,
            ) || RELATIVE_AUXILIARIES.iter().any(|a| self.word_is(v, a)));
        if ends || verb_next {
            marks[i] = Some(PhiType::Name);
        }
    }

    /// Word `k` is a lower-case given name of the lists, three letters or more, that may
    /// also be a word (`grace`) but is no cue, title, place or function word.
    fn lower_given_word(&self, k: usize) -> bool {
        let w = &self.words[k];
        w.end - w.start >= 3
            && !self.text[w.start..w.end].iter().any(u8::is_ascii_digit)
            && self.given_flags(w.flags)
    }

    /// Flags `f` are a given name's that may also be a common word (`grace`, `joy`), and no
    /// cue, title, place or function word's.
    fn given_flags(&self, f: u64) -> bool {
        f & flag::FIRST != 0
            && f & (SLOT_BLOCKED | flag::NEVER_NAME | flag::VOCAB) == 0
            && (f & flag::STOP == 0 || f & flag::COMMON != 0)
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
    fn a_lower_case_given_name_in_a_persons_slot_is_a_person() {
        let d = detector();
        finds(&d, "hi, I left the keys with stefan at the shop.", "stefan");
        finds(&d, "Message taken by edward @ 11:46 on May 12th.", "edward");
        finds(&d, "LM on VM for osvaldo to call back re: MRI.", "osvaldo");
        finds(&d, "The code is 4411. tell her noreen sent you", "noreen");
        finds(&d, "Message taken by joy @ 17:56 on Dec 13.", "joy");
        finds(
            &d,
            "Returned call, spoke w/ grace; advised to come in.",
            "grace",
        );
        keeps(&d, "Dressing changed with care; spoke with family.", "care");
        keeps(&d, "Pt taken by wheelchair to the car.", "wheelchair");
        keeps(&d, "Home with lasix, follow up in two weeks.", "lasix");
    }

    #[test]
    fn a_lower_case_given_name_and_surname_in_a_persons_slot_are_a_person() {
        let d = detector();
        finds(
            &d,
            "the spare key is with oskar lindqvist at no. 14",
            "lindqvist",
        );
        finds(&d, "does anyone remember tamsin okafor?", "tamsin");
        keeps(&d, "Transfer with max assist at bedside.", "assist");
    }

    #[test]
    fn a_given_name_that_is_a_word_who_sent_someone_or_holds_the_keys_is_a_person() {
        let d = detector();
        finds(&d, "The gate code is 4411. tell her dawn sent you", "dawn");
        finds(&d, "I left the keys with frank at 12 Mill Lane.", "frank");
        keeps(&d, "Home with joy at last.", "joy");
    }

    #[test]
    fn a_lower_case_given_name_before_a_relation_is_that_relative() {
        let d = detector();
        finds(&d, "Stable. henrique (father) is the HCP.", "henrique");
        finds(&d, "Plan reviewed w/ faith's son who will call.", "faith's");
        keeps(&d, "Plan reviewed w/ the son who will call.", "son");
    }

    #[test]
    fn a_lower_case_name_asked_to_do_something_or_signing_after_a_dash_is_a_person() {
        let d = detector();
        finds(
            &d,
            "[8:27] June: ok, wairimu can you cover the early run?",
            "wairimu",
        );
        keeps(&d, "Sure, someone can you help me?", "someone");
    }

    /// `kelly: my order never came` under `Jillian (support):`: the line after a found
    /// sender's opens with a sender too (`runs.rs`, `mark_lower_speaker`).
    #[test]
    fn a_lower_case_sender_after_a_found_sender_is_a_person() {
        let d = detector();
        finds(
            &d,
            "Jillian (support): hi, how can I help today?\nkelly: my order never came",
            "kelly",
        );
        keeps(
            &d,
            "Plan: continue lasix.\nneuro: intact, moving all limbs",
            "neuro",
        );
    }
}
