//! Whole names (issue 13, build point 3: "when part of a name is found, the rest is found
//! too"): the listed given name or surname written beside a name found already, in the
//! name's own case, even when it is also an English word (`niece michelle allen`, `cynthia
//! potter lpn`, `family (sharon ball)`, `RE: DENNIS WALKER (DOB`, `holly patrick, md`), and
//! the other half of a `LAST, FIRST` header (`PETERS, GEORGE  MRN`, `Cosigned CARTER,
//! HEATHER MD`, `YOUNG, RUBEN - FRIDAY`).
//!
//! Read by [`super::Detector`]'s whole-name step after every detector has run, so a name
//! any of them found (the lexicon, the tagger, the note structures) grows alike. The word
//! taken must look like the rest of a name and nothing else: written in the case of the
//! found name, in a name list, no function word, cue, title, role, credential or facility
//! word, a clinical word only if it is a popular name (Allen, Taylor, Walker), and the name
//! must end right after it (punctuation, the line's end, a possessive or a credential), so
//! `Allen cognitive level`, `Evans exercises` and `Smith fracture` keep their eponyms.

use super::lexicon::flag;

/// Flags of a cue, title, relation, role, label, place or verb word: never a name's surname
/// or other part beside a found name. Shared by [`NOT_NAME_PART`] and
/// `Detector::surname_word_ends_name`, so the two readings cannot drift apart.
pub(super) const NOT_NAME_WORD: u64 = flag::RELATION
    | flag::ROLE
    | flag::LABEL
    | flag::PERSON_VERB
    | flag::CONTACT
    | flag::PLACE_CUE
    | flag::PLACE_LABEL
    | flag::DETERMINER
    | flag::REGION
    | flag::PERSON_TITLE
    | flag::PROVIDER_TITLE
    | flag::NAME_CUE
    | flag::STRONG_CUE
    | flag::EPONYM_HEAD
    | flag::SIGN_OFF
    | flag::COPULA
    | flag::SUBJECT_VERB
    | flag::PARTICLE;

/// Flags of a word that is never the rest of a name beside a found one, even a listed one:
/// [`NOT_NAME_WORD`], function, credential and facility words, openers and greetings.
const NOT_NAME_PART: u64 = NOT_NAME_WORD
    | flag::STOP
    | flag::CREDENTIAL
    | flag::FACILITY
    | flag::OPENER
    | flag::GREETING_END
    | flag::NAME_INTRO;

/// How a word is written: the case a name's parts share.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Case {
    Lower,
    Upper,
    /// A capital, then lower case (`Smith`; `McKay` too).
    Title,
}

/// The case of an ASCII word of two letters or more; `None` for anything else.
fn case_of(w: &[u8]) -> Option<Case> {
    if w.len() < 2 || !w.iter().all(u8::is_ascii_alphabetic) {
        return None;
    }
    if w.iter().all(u8::is_ascii_lowercase) {
        Some(Case::Lower)
    } else if w.iter().all(u8::is_ascii_uppercase) {
        Some(Case::Upper)
    } else if w[0].is_ascii_uppercase() && w[1].is_ascii_lowercase() {
        Some(Case::Title)
    } else {
        None
    }
}

/// The ASCII letters that end right at `end` (the last word of a span).
fn word_before(b: &[u8], end: usize) -> &[u8] {
    let n = b[..end]
        .iter()
        .rev()
        .take_while(|c| c.is_ascii_alphabetic())
        .count();
    &b[end - n..end]
}

/// The ASCII letters that start right at `start` (the first word of a span).
fn word_after(b: &[u8], start: usize) -> &[u8] {
    let n = b[start..]
        .iter()
        .take_while(|c| c.is_ascii_alphabetic())
        .count();
    &b[start..start + n]
}

/// What the whole-name step reads a word with: its flags, and whether it is a credential
/// written after a name.
pub(super) struct Reader<'a> {
    pub flags: &'a dyn Fn(usize, usize) -> u64,
    pub credential_after: &'a dyn Fn(&[u8]) -> bool,
}

impl Reader<'_> {
    /// A word a name may hold beside a found one: in a name list (`list`), no cue,
    /// function, title or facility word; a clinical word only if many people bear it.
    fn name_part(&self, f: u64, list: u64) -> bool {
        f & list != 0
            && f & NOT_NAME_PART == 0
            && (f & flag::CLINICAL == 0 || f & flag::POPULAR != 0)
    }

    /// A credential or role word at `ws..we` (`MD`, `lpn`, `od`, `MBBS`).
    fn credential(&self, b: &[u8], ws: usize, we: usize) -> bool {
        let w = &b[ws..we];
        (self.flags)(ws, we) & (flag::CREDENTIAL | flag::ROLE) != 0
            || (self.credential_after)(&w.to_ascii_lowercase())
    }

    /// The name ends right at `end`: the text or line ends, punctuation that closes a phrase,
    /// a possessive (`smith's visit`), a bracket or a dash, or one space and a credential
    /// (`potter lpn`, `Holly Patrick, MD`).
    fn name_ends_at(&self, b: &[u8], end: usize) -> bool {
        let rest = &b[end..];
        match rest.first() {
            None | Some(b'.' | b';' | b':' | b')' | b'\n' | b'\r') => true,
            Some(b',') => true,
            Some(b'\'') => {
                rest.starts_with(b"'s") && !rest.get(2).is_some_and(u8::is_ascii_alphabetic)
            }
            // `DENNIS WALKER (DOB …)`, `Smith - daughter`: a bracket or a dash after it.
            Some(b' ') if rest.starts_with(b" (") || rest.starts_with(b" - ") => true,
            Some(b' ') => {
                let ws = end + 1;
                let w = word_after(b, ws);
                let we = ws + w.len();
                !w.is_empty()
                    && !b.get(we).is_some_and(u8::is_ascii_alphanumeric)
                    && (self.credential(b, ws, we) || self.person_verb(b, ws, we))
            }
            _ => false,
        }
    }

    /// A verb at `ws..we` whose subject is the name before it (`Hope Walker ambulated`,
    /// `Sue Long completed`): a listed verb of a person or of speech, or a past form in
    /// `-ed` in lower case that no list holds as a name. A device or an eponym is followed
    /// by what it is or does to a thing (`Walker in place`, `Allen cognitive level`), a
    /// person by what they did.
    fn person_verb(&self, b: &[u8], ws: usize, we: usize) -> bool {
        let w = &b[ws..we];
        let f = (self.flags)(ws, we);
        if case_of(w) != Some(Case::Lower) || f & (flag::NAME | flag::STOP) != 0 {
            return false;
        }
        f & (flag::PERSON_VERB | flag::SUBJECT_VERB) != 0 || (w.len() >= 5 && w.ends_with(b"ed"))
    }

    /// What ends a `LAST, FIRST` header after its first name: the line's end, a bracket, a
    /// dash, two spaces before the next field, a period, or a credential.
    fn header_ends_at(&self, b: &[u8], end: usize) -> bool {
        let rest = &b[end..];
        rest.is_empty()
            || matches!(rest[0], b'\n' | b'\r' | b'(' | b'|' | b'.' | b';')
            || rest.starts_with(b"  ")
            || rest.starts_with(b" -")
            || rest.starts_with(b" (")
            || rest.starts_with(b" ") && self.name_ends_at(b, end)
    }

    /// Where a header's surname may stand: at a line's start, after a label's colon or a
    /// label or name intro (`Re: HELLBERG,`, `Cosigned CARTER,`).
    fn header_place(&self, b: &[u8], start: usize) -> bool {
        let before = &b[..start];
        let trimmed = before.trim_ascii_end();
        if trimmed.is_empty() || trimmed.ends_with(b"\n") || trimmed.ends_with(b":") {
            return true;
        }
        let w = word_before(b, trimmed.len());
        let ws = trimmed.len() - w.len();
        !w.is_empty()
            && before.len() - trimmed.len() == 1
            && (self.flags)(ws, trimmed.len()) & (flag::LABEL | flag::NAME_INTRO) != 0
    }

    /// The end of the rest of the name after a found name `start..end` (`michelle` →
    /// `michelle allen`), or `None`. `next` is the word after one space.
    pub(super) fn surname_after(
        &self,
        b: &[u8],
        start: usize,
        end: usize,
        next: (usize, usize),
    ) -> Option<usize> {
        let (ws, we) = next;
        let case = case_of(word_before(b, end))?;
        let f = (self.flags)(ws, we);
        (case_of(&b[ws..we]) == Some(case)
            && self.name_part(f, flag::LAST)
            && self.name_ends_at(b, we)
            && start < end)
            .then_some(we)
    }

    /// The start of a given name before a found name `start..end` (`holly patrick, md`,
    /// `RE: DENNIS WALKER`, `spoke with Per Lundh`), or `None`. `prev` is the word before one
    /// space; `mixed`: the text is written in mixed case.
    pub(super) fn given_name_before(
        &self,
        b: &[u8],
        start: usize,
        end: usize,
        prev: (usize, usize),
        mixed: bool,
    ) -> Option<usize> {
        let (ws, we) = prev;
        let case = case_of(word_after(b, start))?;
        if case_of(&b[ws..we]) != Some(case) {
            return None;
        }
        let f = (self.flags)(ws, we);
        if self.name_part(f, flag::FIRST) {
            // A lower-case word is a name's only where the name ends as one: `holly patrick,
            // md`, not `to mark smith`.
            let lower_ok = case != Case::Lower
                || f & flag::POPULAR != 0 && self.name_ends_at(b, end) && b.get(end) != Some(&b'.');
            return lower_ok.then_some(ws);
        }
        // `spoke with Per Lundh`: a given name that is also a function word, capitalised
        // mid-sentence in mixed-case text (after a lower-case word), so never `Per protocol`
        // opening a sentence or `per Smith`.
        let stop_name = mixed
            && case == Case::Title
            && f & flag::FIRST != 0
            && f & flag::STOP != 0
            && f & (NOT_NAME_PART & !(flag::STOP | flag::OPENER | flag::NAME_CUE)) == 0;
        let mid_sentence =
            ws >= 2 && b[ws - 1] == b' ' && case_of(word_before(b, ws - 1)) == Some(Case::Lower);
        (stop_name && mid_sentence).then_some(ws)
    }

    /// `CARTER, HEATHER MD`, `HELLBERG, JUNIOR -`: the first name after a surname found at a
    /// header's place, a comma and a space; the end of it, or `None`.
    pub(super) fn first_after_comma(&self, b: &[u8], start: usize, end: usize) -> Option<usize> {
        let rest = b.get(end..)?.strip_prefix(b", ")?;
        let ws = end + 2;
        let w = word_after(b, ws);
        let we = ws + w.len();
        let case = case_of(word_before(b, end))?;
        let one_word = !b[start..end].contains(&b' ');
        (!rest.is_empty()
            && case_of(w) == Some(case)
            && case != Case::Lower
            && one_word
            && self.header_place(b, start)
            && self.name_part((self.flags)(ws, we), flag::FIRST)
            && self.header_ends_at(b, we))
        .then_some(we)
    }

    /// `"Yellowhorse, Ahiga",1992-01-02`: the given name of a quoted CSV cell that holds
    /// `LAST, FIRST` and nothing else, its surname found; the end of it, or `None`. The
    /// cell's shape is the evidence, so the given name need be in no list (a spreadsheet
    /// export names people the lists never met), only no cue, function or clinical word.
    pub(super) fn first_in_quoted_cell(&self, b: &[u8], start: usize, end: usize) -> Option<usize> {
        b.get(end..)?.strip_prefix(b", ")?;
        let ws = end + 2;
        let w = word_after(b, ws);
        let we = ws + w.len();
        let case = case_of(word_before(b, end))?;
        (quoted_cell_opens(b, joined_start(b, start))
            && b.get(we) == Some(&b'"')
            && case_of(w) == Some(case)
            && case != Case::Lower
            && self.cell_name_part((self.flags)(ws, we)))
        .then_some(we)
    }

    /// `"Saint-Fleur, Mirlande",1932-12-16`: the surname of a quoted `LAST, FIRST` cell
    /// whose given name was found; its start, or `None` (see [`Self::first_in_quoted_cell`]).
    pub(super) fn last_in_quoted_cell(&self, b: &[u8], start: usize, end: usize) -> Option<usize> {
        let before = b[..start].strip_suffix(b", ")?;
        let w = word_before(b, before.len());
        let (ws, we) = (before.len() - w.len(), before.len());
        let case = case_of(word_after(b, start))?;
        let cell_start = joined_start(b, ws);
        (quoted_cell_opens(b, cell_start)
            && b.get(end) == Some(&b'"')
            && case_of(w) == Some(case)
            && case != Case::Lower
            && self.cell_name_part((self.flags)(ws, we)))
        .then_some(cell_start)
    }

    /// A word of a quoted `LAST, FIRST` cell: no cue, function, title or facility word, and
    /// a clinical word only if many people bear it (`"Hypertension, Essential"` is none).
    fn cell_name_part(&self, f: u64) -> bool {
        f & NOT_NAME_PART == 0 && (f & flag::CLINICAL == 0 || f & flag::POPULAR != 0)
    }

    /// `PETERS, GEORGE  MRN`, `YOUNG, RUBEN - FRIDAY`: the surname before a first name found
    /// after it, a comma and a space, at a header's place; its start, or `None`.
    pub(super) fn last_before_comma(&self, b: &[u8], start: usize, end: usize) -> Option<usize> {
        let before = b[..start].strip_suffix(b", ")?;
        let w = word_before(b, before.len());
        let (ws, we) = (before.len() - w.len(), before.len());
        let case = case_of(word_after(b, start))?;
        let one_word = !b[start..end].contains(&b' ');
        (case_of(w) == Some(case)
            && case != Case::Lower
            && one_word
            && self.header_place(b, ws)
            && self.name_part((self.flags)(ws, we), flag::LAST)
            && self.header_ends_at(b, end))
        .then_some(ws)
    }
}

/// The start of a surname of parts joined by hyphens or apostrophes that holds `at`
/// (`Saint-Fleur`, `O'Neil`).
fn joined_start(b: &[u8], at: usize) -> usize {
    at - b[..at]
        .iter()
        .rev()
        .take_while(|c| c.is_ascii_alphabetic() || matches!(c, b'-' | b'\''))
        .count()
}

/// A CSV cell opens in quotes right before `at`: a `"` at the line's start or after a
/// field separator.
fn quoted_cell_opens(b: &[u8], at: usize) -> bool {
    at >= 1
        && b[at - 1] == b'"'
        && (at == 1 || matches!(b[at - 2], b',' | b';' | b'\t' | b'\n' | b'\r'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases_are_read_from_ascii_words_only() {
        assert!(case_of(b"allen") == Some(Case::Lower));
        assert!(case_of(b"WALKER") == Some(Case::Upper));
        assert!(case_of(b"McKay") == Some(Case::Title));
        assert!(case_of(b"A").is_none());
        assert!(case_of(b"d4n").is_none());
    }
}
