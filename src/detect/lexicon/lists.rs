//! Lists of people continued from a person any detector found (issue 13).
//!
//! Owns the pass that `Detector::scan` runs once every detector's spans are merged. The list
//! rules of `unlisted` (`mark_list_item`, `mark_list_pair`, `mark_list_next`) run inside
//! `Lexicon::scan` on the lexicon's own marks, so a list whose first person only the
//! statistical tagger (or a learned value) found was never continued (`Family present
//! (Emziana, Toisha)`). Here they run again from every NAME and PROVIDER_NAME span; and a
//! list that is clearly of people also takes popular first names that are common words
//! (`Inga, Rut and Gun came by`), which the rules that read unlisted words leave.

use super::unlisted::NOT_UNLISTED;
use super::words::Shape;
use super::{emit_runs, flag, Ctx, LexHit, LexScratch, Lexicon};
use crate::phi::{PhiType, Span};

/// Words either side of a list searched for a word that says the list is of people.
const SENTENCE_REACH: usize = 24;

/// Words before a list searched for the company word that opens it (`Present at the
/// meeting were`).
const OPENER_REACH: usize = 5;

/// The most words of a run joined by `and` to a person after it.
const AND_RUN: usize = 3;

/// Separators between the items of a list of people.
const SEPARATORS: [&[u8]; 9] = [
    b", ", b"; ", b" / ", b"/", b" & ", b" and ", b", and ", b" AND ", b", AND ",
];

impl Lexicon {
    /// Words of `text` (scanned last by `scratch`) outside `spans` that continue a list of
    /// people from a NAME or PROVIDER_NAME span; `spans` sorted, not overlapping.
    pub fn listed_people(
        &self,
        text: &str,
        scratch: &mut LexScratch,
        spans: &[Span],
    ) -> Vec<LexHit> {
        let mut out = Vec::new();
        // The words, their case and what was read of them when `text` was scanned.
        let LexScratch {
            words,
            marks,
            unlisted,
        } = scratch;
        let (words, case) = (words.list(), words.case());
        // Every rule here starts from a person found or a company word.
        if !spans.iter().any(|s| is_person(s.ty))
            && !words.iter().any(|w| w.flags & flag::COMPANY != 0)
        {
            return out;
        }
        let b = text.as_bytes();
        marks.clear();
        marks.resize(words.len(), None);
        let mut s = 0;
        for (k, w) in words.iter().enumerate() {
            while s < spans.len() && spans[s].end <= w.start {
                s += 1;
            }
            if let Some(span) = spans.get(s).filter(|sp| sp.start < w.end) {
                marks[k] = Some(span.ty);
            }
        }
        let found: Vec<bool> = marks.iter().map(Option::is_some).collect();
        let ctx = Ctx {
            text: b,
            words,
            caps_mode: case.upper,
            lower_mode: case.lower,
            lexicon: self,
            unlisted,
        };
        for i in 0..words.len() {
            ctx.mark_list_item(i, marks);
            ctx.mark_company_list(i, marks);
        }
        // Left to right, so each item found makes the next one follow a person.
        for i in 0..words.len() {
            ctx.mark_list_pair(i, marks);
            ctx.mark_list_next(i, marks);
            ctx.mark_common_name_in_list(i, marks);
        }
        // Right to left: `Hope` before `Faith`, once `Faith` is found; a pair before `and`
        // and a person, once the person after it is.
        for i in (0..words.len()).rev() {
            ctx.mark_common_name_opening_list(i, marks);
            ctx.mark_run_before_and_person(i, marks);
        }
        for (m, was) in marks.iter_mut().zip(&found) {
            if *was {
                *m = None;
            }
        }
        emit_runs(b, words, marks, &mut out);
        out
    }
}

fn is_person(ty: PhiType) -> bool {
    matches!(ty, PhiType::Name | PhiType::ProviderName)
}

/// Flags of words that are no person in a list: vocabulary, cues, verbs and places, as
/// for an unlisted name, less English and common words (`Rut`, `Hope` are list members
/// here), plus company words and regions.
const NOT_A_MEMBER: u64 =
    NOT_UNLISTED & !(flag::ENGLISH | flag::COMMON) | flag::COMPANY | flag::REGION;

impl Ctx<'_> {
    /// `Inga, Rut and Gun came by`, `Mary, Rose and Lily visited`: after a person and a list
    /// separator, a lone item written as a name (a listed first name or a word no list
    /// holds; in mixed-case text also any capitalised word right before the verb that ends
    /// the list: `Spoke with Ines, Toisha and Sabeltin`) is the next
    /// person even when it is a common word, if the sentence says people are meant (a verb
    /// of speech, contact or company, or a relation). `Rose, Lily` in a garden and `May,
    /// June` as months follow no person and have no such word; `Dr Lee, Cardiology and
    /// Pharmacy about the plan` has no first name and no verb after its last item.
    pub(super) fn mark_common_name_in_list(&self, i: usize, marks: &mut [Option<PhiType>]) {
        if marks[i].is_some() {
            return;
        }
        let listed = self.list_member_word(i);
        let member = listed && (self.has(i, flag::FIRST) || self.before_people_verb(i))
            || self.unlisted_word(i);
        if !member
            || !self.ends_person_item(i)
            || !self.after_separated_person(i, marks)
            || !self.sentence_tells_of_people(i)
        {
            return;
        }
        marks[i] = Some(PhiType::Name);
    }

    /// `visited by Hope, Faith and Bill`: the lone first item of such a list, right after a
    /// name cue (`by`, `with`), a label's colon or a bracket, when the item after it is a
    /// person already found.
    pub(super) fn mark_common_name_opening_list(&self, i: usize, marks: &mut [Option<PhiType>]) {
        let j = i + 1;
        if j >= self.words.len()
            || i == 0
            || marks[i].is_some()
            || !matches!(marks[j], Some(PhiType::Name | PhiType::ProviderName))
            || !self.list_member_word(i)
            || !self.has(i, flag::FIRST)
        {
            return;
        }
        let after = &self.text[self.words[i].end..self.words[j].start];
        let separated = matches!(after, b", " | b" & " | b" / " | b"/" | b"; ");
        let before = &self.text[self.words[i - 1].end..self.words[i].start];
        let opens = before == b" " && self.has(i - 1, flag::NAME_CUE)
            || matches!(before, b": " | b" (" | b"(");
        if separated && opens && self.sentence_tells_of_people(i) {
            marks[i] = Some(PhiType::Name);
        }
    }

    /// `Falenrya Kraieder and Frahorudia Reiseindl attended`, `VILVILOSLA SCHNER AND STEND
    /// GODAM ATTENDED`, `Nangani & Enatin`: a run of one to [`AND_RUN`] name words that
    /// opens a clause (a line, a sentence, a label's value), then `and` or `&` and a person
    /// found already, is a person too: what is joined to a person by `and` at a clause's
    /// start is another. Each word is written as a name for the note's case and is a word no
    /// list holds or a listed name that is no word; one at least is a word no list holds.
    /// Word `i` is the run's last word.
    pub(super) fn mark_run_before_and_person(&self, i: usize, marks: &mut [Option<PhiType>]) {
        if marks[i].is_some() || i + 1 >= self.words.len() {
            return;
        }
        let after = &self.text[self.words[i].end..self.words[i + 1].start];
        let person = |k: usize| {
            matches!(
                marks.get(k),
                Some(Some(PhiType::Name | PhiType::ProviderName))
            )
        };
        let joined_to_person = if after == b" & " {
            person(i + 1)
        } else {
            after == b" "
                && self.word_is(i + 1, b"and")
                && i + 2 < self.words.len()
                && self.text[self.words[i + 1].end..self.words[i + 2].start] == *b" "
                && person(i + 2)
        };
        if !joined_to_person {
            return;
        }
        let cased = |k: usize| match self.words[k].shape {
            Shape::Cap | Shape::Mixed => !self.caps_mode && !self.lower_mode,
            Shape::Upper => self.caps_mode,
            Shape::Lower => self.lower_mode,
        };
        let name_word = |k: usize| {
            self.unlisted_word(k)
                || cased(k) && self.dictionary_name(k) && !self.has(k, flag::ENGLISH)
        };
        let mut start = i;
        while start > 0
            && i - start + 1 < AND_RUN
            && !self.clause_start(start)
            && matches!(
                &self.text[self.words[start - 1].end..self.words[start].start],
                b" " | b"-"
            )
            && name_word(start - 1)
        {
            start -= 1;
        }
        // Not `and` itself: `X and Y and <person>` is read item by item, right to left.
        let opens = self.clause_start(start)
            && !(start > 0
                && self.text[self.words[start - 1].end..self.words[start].start] == *b" ");
        if !opens
            || !(start..=i).all(|k| name_word(k) && marks[k].is_none())
            || !(start..=i).any(|k| self.unlisted_word(k) && self.run_word(k))
        {
            return;
        }
        for m in &mut marks[start..=i] {
            *m = Some(PhiType::Name);
        }
    }

    /// `Family present (Emziana, Toisha)`, `VISITORS TODAY: WAZAI & SABETIN`, `present at the
    /// meeting were osojani ster, inny truskotino and pacon olabo`: two items or more of one
    /// to three name words (unlisted words, listed names, initials), joined by list
    /// separators, that open after a company word (`present`, `visitors`, at most
    /// [`OPENER_REACH`] words before in the same clause) and end the list, each item with a
    /// word no list holds or a listed name that is no word, are people. A list of relations
    /// or drugs (`family present (wife, son)`) has no such items.
    pub(super) fn mark_company_list(&self, i: usize, marks: &mut [Option<PhiType>]) {
        // The first item starts at `i` (`person_item`): its word is asked before the words
        // before it are walked for a company word.
        if marks[i].is_some()
            || i == 0
            || !(self.unlisted_word(i) || self.dictionary_name(i))
            || !self.opens_company_list(i)
        {
            return;
        }
        let mut items: Vec<(usize, usize)> = Vec::new();
        let mut k = i;
        loop {
            let Some(end) = self.person_item(k) else {
                return;
            };
            items.push((k, end));
            let next = end + 1;
            if next >= self.words.len() || items.len() >= 8 {
                break;
            }
            let gap = &self.text[self.words[end].end..self.words[next].start];
            if !SEPARATORS.contains(&gap) {
                break;
            }
            k = next;
        }
        let last = items.last().map_or(i, |&(_, e)| e);
        if items.len() < 2 || !self.ends_list_item(last) {
            return;
        }
        for (a, b) in items {
            for m in marks.iter_mut().take(b + 1).skip(a) {
                *m = m.or(Some(PhiType::Name));
            }
        }
    }

    /// Word `i` opens a list after a company word: right after `: `, `(` or a space, with
    /// a company word at most [`OPENER_REACH`] words before and no clause end between.
    fn opens_company_list(&self, i: usize) -> bool {
        let gap = &self.text[self.words[i - 1].end..self.words[i].start];
        if !matches!(gap, b": " | b" (" | b"(" | b" " | b":") {
            return false;
        }
        let mut k = i;
        while k > 0 && i - k < OPENER_REACH {
            let between = &self.text[self.words[k - 1].end..self.words[k].start];
            if k < i
                && between
                    .iter()
                    .any(|c| matches!(c, b'.' | b';' | b'\n' | b'!' | b'?'))
            {
                return false;
            }
            k -= 1;
            if self.has(k, flag::COMPANY) {
                return true;
            }
        }
        false
    }

    /// The last word of an item of one to three name words starting at word `k`, with a
    /// word no list holds or a listed name that is no word in it; `None` when word `k`
    /// starts no such item.
    fn person_item(&self, k: usize) -> Option<usize> {
        let strong = |j: usize| self.unlisted_word(j) || self.dictionary_name(j);
        if !strong(k) {
            return None;
        }
        let mut end = k;
        while end + 1 < self.words.len()
            && end < k + 2
            && self.joined(end, b".-")
            && (strong(end + 1)
                || self.is_initial(end + 1)
                || self.has(end + 1, flag::PARTICLE | flag::INNER_PARTICLE))
        {
            end += 1;
        }
        let evidence = (k..=end).any(|j| {
            self.unlisted_word(j) || self.dictionary_name(j) && !self.has(j, flag::ENGLISH)
        });
        evidence.then_some(end)
    }

    /// Word `i` may be a lone person in a list of people: three letters or more, no
    /// digit, no vocabulary, cue or place word, written as a name for the note's case, and
    /// a listed first name (in any case) or capitalised in mixed-case text.
    fn list_member_word(&self, i: usize) -> bool {
        let w = &self.words[i];
        let mixed = !self.caps_mode && !self.lower_mode;
        let written = match w.shape {
            Shape::Cap => !self.caps_mode,
            Shape::Upper => self.caps_mode,
            Shape::Lower => self.lower_mode,
            Shape::Mixed => false,
        };
        written
            && w.end - w.start >= 3
            && !self.text[w.start..w.end].iter().any(u8::is_ascii_digit)
            && !self.has(i, NOT_A_MEMBER)
            && (self.has(i, flag::FIRST) || mixed && w.shape == Shape::Cap)
    }

    /// Word `i` comes right before a verb of speech, contact or company (`Gun came by`).
    fn before_people_verb(&self, i: usize) -> bool {
        i + 1 < self.words.len()
            && self.text[self.words[i].end..self.words[i + 1].start] == *b" "
            && self.has(i + 1, flag::PERSON_VERB | flag::CONTACT | flag::COMPANY)
    }

    /// Word `i` ends an item of a list of people: punctuation, a separator or `and` after
    /// it (`ends_list_item`), or the verb or function word that goes on with the sentence
    /// (`and Gun came by`, `and Bill today`).
    fn ends_person_item(&self, i: usize) -> bool {
        let goes_on = flag::PERSON_VERB | flag::CONTACT | flag::COMPANY | flag::STOP;
        self.ends_list_item(i)
            || i + 1 < self.words.len()
                && self.text[self.words[i].end..self.words[i + 1].start] == *b" "
                && self.has(i + 1, goes_on)
    }

    /// The sentence around word `i` (to `.`, `!`, `?`, `;` or a line break, at most
    /// [`SENTENCE_REACH`] words each way) has a word that tells of people: a verb of
    /// speech, contact or company (`came`, `visited`), or a relation (`son`).
    fn sentence_tells_of_people(&self, i: usize) -> bool {
        let tells = flag::PERSON_VERB | flag::CONTACT | flag::COMPANY | flag::RELATION;
        let ends = |a: usize| {
            self.text[self.words[a].end..self.words[a + 1].start]
                .iter()
                .any(|c| matches!(c, b'.' | b'!' | b'?' | b';' | b'\n'))
        };
        let mut k = i;
        while k > 0 && i - k < SENTENCE_REACH && !ends(k - 1) {
            k -= 1;
            if self.has(k, tells) {
                return true;
            }
        }
        let mut k = i;
        while k + 1 < self.words.len() && k - i < SENTENCE_REACH && !ends(k) {
            k += 1;
            if self.has(k, tells) {
                return true;
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use crate::detect::Detector;
    use crate::patterns::Patterns;

    use super::super::detected_strings as found;

    fn covered(found: &[String], word: &str) -> bool {
        found
            .iter()
            .any(|f| f.split(|c: char| !c.is_alphanumeric()).any(|w| w == word))
    }

    #[test]
    fn common_word_names_after_a_person_in_a_list_of_people_are_found() {
        let d = Detector::build(&Patterns::builtin()).expect("built-in patterns");
        for (text, names) in [
            (
                "Inga, Rut and Gun came by this afternoon.",
                &["Inga", "Rut", "Gun"][..],
            ),
            (
                "Pt was visited by Hope, Faith and Bill today.",
                &["Hope", "Faith", "Bill"],
            ),
            (
                "Mary, Rose and Lily visited the patient today.",
                &["Mary", "Rose", "Lily"],
            ),
            (
                "Spoke with Ines, Toisha and Sabeltin about the plan.",
                &["Ines", "Toisha", "Sabeltin"],
            ),
        ] {
            let f = found(&d, text);
            for n in names {
                assert!(covered(&f, n), "{n} in {text:?}: {f:?}");
            }
        }
    }

    #[test]
    fn flowers_months_and_departments_in_lists_stay() {
        let d = Detector::build(&Patterns::builtin()).expect("built-in patterns");
        for text in [
            // Not `She planted Rose, Lily and Iris`: a given name capitalised inside a
            // clause is a person since stop 62 (`person.rs`).
            "She planted the Rose, Lily and Iris bulbs in the garden.",
            "Appointments in May, June and July.",
            "FAMILY PRESENT (WIFE, SON). PT/OT EVAL TODAY, ADL MIN A, SOB WITH EXERTION, NAD, WNL.",
        ] {
            assert!(
                found(&d, text).is_empty(),
                "{text:?}: {:?}",
                found(&d, text)
            );
        }
        // After a person, with no verb that tells of people or no first name.
        let f = found(&d, "Seen by Dr Lee, May and June follow-ups booked.");
        assert!(!covered(&f, "May") && !covered(&f, "June"), "{f:?}");
        let f = found(
            &d,
            "Spoke with Dr Lee, Cardiology and Pharmacy about the plan.",
        );
        assert!(
            !covered(&f, "Cardiology") && !covered(&f, "Pharmacy"),
            "{f:?}"
        );
    }

    #[test]
    fn a_list_after_a_company_word_is_of_people_in_any_case() {
        let d = Detector::build(&Patterns::builtin()).expect("built-in patterns");
        for (text, names) in [
            ("Family present (Emziana, Toisha).", &["Emziana", "Toisha"][..]),
            (
                "present at the meeting were wazorri kelbint, sabeltin orova and toisha. pt resting in bed.",
                &["wazorri", "kelbint", "sabeltin", "orova", "toisha"],
            ),
        ] {
            let f = found(&d, text);
            for n in names {
                assert!(covered(&f, n), "{n} in {text:?}: {f:?}");
            }
        }
    }
}
