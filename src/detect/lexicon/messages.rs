//! Persons where messages and letters put them (issue 13, branch `names9`).
//!
//! Owns the readings of a name by its place in a message rather than by its lists alone: a
//! possessive before what a person has (`Mark's chart`, `ISAAC'S walker`), a name opening a
//! line before its credential (`Rosemary Ward MD`), a signature on the line after `Thanks,`
//! or `--`, a one-case first name and surname before a verb of contact (`jane fisher
//! called`), the name after an `on call` label, and a given name that is also a word right
//! before a clinician found already (`May Morris RN`). Each starts from a cheap test of the
//! word at hand (its flag, shape or first byte) and reads only its neighbours. The word
//! lists are `patterns/words/person_messages.toml`'s.

use super::flag;
use super::words::Shape;
use super::Ctx;
use crate::phi::PhiType;

/// Flags of words that are never a person's own name where these readings look: cues,
/// titles, labels, roles, credentials and the small words around a person.
const NOT_OWN_NAME: u64 = flag::CREDENTIAL
    | flag::FACILITY
    | flag::RELATION
    | flag::NAME_CUE
    | flag::STRONG_CUE
    | flag::LABEL
    | flag::ROLE
    | flag::PERSON_TITLE
    | flag::PROVIDER_TITLE
    | flag::PLACE_CUE
    | flag::DETERMINER
    | flag::POSSESSIVE
    | flag::REGION
    | flag::EPONYM_HEAD;

/// Flags a one-case name before a verb of contact must not carry: any cue, function word,
/// clinical word or verb, so `pain team called` and `the nurse called` stay.
const ONE_CASE_BLOCKED: u64 = NOT_OWN_NAME
    | flag::NEVER_NAME
    | flag::CONTACT
    | flag::CONTACT_PREP
    | flag::PLACE_PREP
    | flag::COPULA
    | flag::SUBJECT_VERB
    | flag::PERSON_VERB
    | flag::SIGN_OFF;

/// Words a signature or an `on call` label holds at most.
const MAX_NAME_WORDS: usize = 3;

impl Ctx<'_> {
    /// Word `i` is the first on its line.
    pub(super) fn opens_line(&self, i: usize) -> bool {
        let before = match i.checked_sub(1) {
            Some(p) => &self.text[self.words[p].end..self.words[i].start],
            None => return true,
        };
        before.contains(&b'\n')
    }

    /// Word `k` ends its line: the text ends after it or a line break comes before the next.
    fn ends_line(&self, k: usize) -> bool {
        match self.words.get(k + 1) {
            Some(n) => self.text[self.words[k].end..n.start].contains(&b'\n'),
            None => true,
        }
    }

    /// `Mark's chart`, `Jay's daughter called`, `MARIA'S walker`, `Isaac's`: in mixed-case
    /// text a possessive whose stem is a listed name is a person. A stem no English word
    /// shares needs nothing more, written in capitals too (which the lexicon reads as an
    /// acronym, `PAC's`); a stem that is also a word (`Mark`, `Will`, `Rose`) needs one of
    /// the person possessions after it, and so does a stem no list holds at all
    /// (`Mikelsaar's number`). Clinical, cue and relation stems are left (`Parkinson's`,
    /// `Doctor's`, `Son's`), and so is `St. Mary's`.
    pub(super) fn mark_possessive_name(&self, i: usize, marks: &mut [Option<PhiType>]) {
        let w = &self.words[i];
        if marks[i].is_some()
            || self.caps_mode
            || self.lower_mode
            || !matches!(w.shape, Shape::Cap | Shape::Upper)
        {
            return;
        }
        let word = &self.text[w.start..w.end];
        let Some(stem) = word
            .strip_suffix(b"'s")
            .or_else(|| word.strip_suffix(b"'S"))
        else {
            return;
        };
        if stem.len() < 3 {
            return;
        }
        // The stem's own flags: the possessive's are cut down to a few (see `flags`).
        let f = self.lexicon.words.get_word(stem).unwrap_or(0);
        // `Mikelsaar's number`, `Kjøller's address`: a stem no list holds at all is a
        // person only before one of the person possessions (below).
        let unlisted_stem = f == 0 && stem.iter().all(|c| c.is_ascii_alphabetic() || *c >= 0x80);
        if f & flag::NAME == 0 && !unlisted_stem
            || f & (NOT_OWN_NAME | flag::CLINICAL | flag::VOCAB) != 0
        {
            return;
        }
        let next = i + 1;
        let joined = next < self.words.len() && self.joined(i, b"");
        if joined && self.has(next, flag::FACILITY | flag::PLACE_CUE | flag::EPONYM_HEAD) {
            return;
        }
        if i > 0 && (self.word_is(i - 1, b"st") || self.word_is(i - 1, b"saint")) {
            return;
        }
        let owns = joined && self.has(next, flag::POSSESSION);
        let sure =
            !unlisted_stem && f & (flag::COMMON | flag::ENGLISH | flag::PLACE | flag::STOP) == 0;
        if sure || owns {
            marks[i] = Some(PhiType::Name);
        }
    }

    /// `Rosemary Ward MD`, `Grant Allen OTR/L`, `Sandy Welch PT`: in mixed-case text two
    /// capitalised words opening a line right before a credential written in capitals are
    /// the clinician, when the first is a listed first name and the second a listed
    /// surname or a word no list knows, even when both are also words. Two-letter
    /// credentials need no comma here: the line's start says a name is written.
    pub(super) fn mark_role_line(&self, i: usize, marks: &mut [Option<PhiType>]) {
        if !self.has(i, flag::CREDENTIAL | flag::ROLE)
            || i < 2
            || self.artery_pa(i)
            || self.caps_mode
            || self.lower_mode
            || self.words[i].shape != Shape::Upper
        {
            return;
        }
        let (a, b) = (i - 2, i - 1);
        if self.words[a].shape != Shape::Cap
            || !matches!(self.words[b].shape, Shape::Cap | Shape::Mixed)
            || !self.joined(a, b"")
            || !self.joined(b, b"")
            || !self.opens_line(a)
            || !self.has(a, flag::FIRST)
            || self.has(a, NOT_OWN_NAME)
            || self.has(b, NOT_OWN_NAME)
        {
            return;
        }
        if !(self.has(b, flag::LAST) || self.unknown_capitalised(b) || self.words[b].accented) {
            return;
        }
        for k in [a, b] {
            if marks[k].is_none() {
                marks[k] = Some(PhiType::ProviderName);
            }
        }
    }

    /// `ODDFRA URBAN, MSW`, `angaluwa fields, msw`, `Fren Herring, MSW`, `cheryl ho slp`: a
    /// line that is only two words, a comma (or, for a listed first name and surname, a
    /// space) and a credential (or two: `, PT, DPT`) is a clinician's
    /// signature line, whatever the case, even when the surname is also a word. Each word
    /// is a listed name or a word no list holds, one of them is no English word, and none
    /// is a cue, title, clinical or never-a-name word (`Wound Care, RN`, `Social Work,
    /// MSW` stay). Two-letter credentials count only when strong (`MD`, `RN`, `NP`, `PA`):
    /// `PT`, `OT`, `MS` also abbreviate a heading's subject.
    pub(super) fn mark_credential_line(&self, i: usize, marks: &mut [Option<PhiType>]) {
        if i < 2 || !self.has(i, flag::CREDENTIAL) || !self.joined(i - 1, b",") {
            return;
        }
        let len = self.words[i].end - self.words[i].start;
        let gap = &self.text[self.words[i - 1].end..self.words[i].start];
        let comma = gap == b", ";
        if !comma && gap != b" " || len <= 2 && !self.strong_credential(i) {
            return;
        }
        let mut end = i;
        while end + 1 < self.words.len()
            && end < i + 2
            && self.text[self.words[end].end..self.words[end + 1].start] == *b", "
            && self.has(end + 1, flag::CREDENTIAL)
        {
            end += 1;
        }
        let (a, b) = (i - 2, i - 1);
        if !self.ends_line(end) || !self.opens_line(a) || !self.joined(a, b"") {
            return;
        }
        let blocked = NOT_OWN_NAME | flag::NEVER_NAME | flag::CLINICAL | flag::STRONG_CUE;
        let name_word = |k: usize| {
            let w = &self.words[k];
            w.end - w.start >= 2
                && w.shape != Shape::Mixed
                && !self.text[w.start..w.end].iter().any(u8::is_ascii_digit)
                && !self.has(k, blocked)
                && (self.has(k, flag::NAME) || self.unlisted_word(k))
        };
        let not_english = |k: usize| !self.has(k, flag::ENGLISH | flag::COMMON | flag::VOCAB);
        // `cynthia potter lpn`, `cheryl ho slp`: with no comma the line reads as a heading
        // as well (`Wound Care RN`), so it must be a listed first name and a listed surname.
        let listed_pair = comma || self.has(a, flag::FIRST) && self.has(b, flag::LAST);
        if !(name_word(a) && name_word(b) && (not_english(a) || not_english(b)) && listed_pair) {
            return;
        }
        for k in [a, b] {
            marks[k].get_or_insert(PhiType::ProviderName);
        }
    }

    /// A word that can stand in a signature or after an `on call` label: capitalised, no
    /// digit, no cue, and a listed name or a word no list knows.
    fn signed_name_word(&self, k: usize) -> bool {
        let w = &self.words[k];
        matches!(w.shape, Shape::Cap | Shape::Mixed)
            && !self.text[w.start..w.end].iter().any(u8::is_ascii_digit)
            && !self.has(k, NOT_OWN_NAME | flag::SIGN_OFF)
            && (self.has(k, flag::NAME) && (!self.has(k, flag::STOP) || self.has(k, flag::COMMON))
                || self.unknown_capitalised(k)
                || w.accented && !self.has(k, flag::NEVER_NAME))
    }

    /// `Thanks,` / `Best regards,` / `--` on a line of its own, then `Dana Whit` alone on
    /// the next: in mixed-case text one to three capitalised words that make the line after
    /// a sign-off (or end before `, OTR/L`) are the sender.
    pub(super) fn mark_signature(&self, i: usize, marks: &mut [Option<PhiType>]) {
        if i == 0 || marks[i].is_some() || self.words[i].shape != Shape::Cap {
            return;
        }
        let p = i - 1;
        let gap = &self.text[self.words[p].end..self.words[i].start];
        let Some(nl) = gap.iter().rposition(|&c| c == b'\n') else {
            return;
        };
        if self.caps_mode
            || self.lower_mode
            || !gap[nl + 1..].iter().all(|&c| c == b' ' || c == b'\t')
        {
            return;
        }
        let before = &gap[..nl];
        let signed = if self.has(p, flag::SIGN_OFF)
            && before
                .iter()
                .all(|&c| matches!(c, b',' | b'!' | b'.' | b' ' | b'\t' | b'\r'))
        {
            let line_start = self.text[..self.words[p].start]
                .iter()
                .rposition(|&c| c == b'\n')
                .map_or(0, |n| n + 1);
            // The whole line (`Best wishes,`), or a sign-off opening its sentence where
            // lines were run together (`... are back. Best wishes,\nDiye`).
            self.lexicon
                .is_sign_off(&self.text[line_start..self.words[p].end])
                || self.sign_off_ends_at(p)
                || gap.starts_with(b",") && self.phrase_sign_off_ends_at(p)
        } else {
            // `--` alone on the line before (the line of word `p` ended before it).
            before
                .split(|&c| c == b'\n')
                .skip(1)
                .last()
                .is_some_and(|l| l.iter().filter(|c| !c.is_ascii_whitespace()).eq(b"--"))
        };
        if !signed {
            return;
        }
        if !self.signed_name_word(i) {
            return;
        }
        let mut last = i;
        while last + 1 < self.words.len()
            && self.joined(last, b"")
            && self.signed_name_word(last + 1)
        {
            if last + 1 - i == MAX_NAME_WORDS {
                return;
            }
            last += 1;
        }
        // The longest run that ends where a signature can end: `Seyinlari Patient name
        // ...` is signed `Seyinlari`, the next sentence opening on a word that is also a
        // name.
        let Some(k) = (i..=last).rev().find(|&k| self.signature_ends_at(k)) else {
            return;
        };
        for m in &mut marks[i..=k] {
            m.get_or_insert(PhiType::Name);
        }
    }

    /// A signature's last word can be word `k`: its line ends there, a credential follows
    /// after a comma (`, OTR/L`), or lines were run together and the next sentence opens
    /// with a capitalised word that is no name, or is one but also clinical vocabulary, a
    /// label, role, relation or title (`Best wishes,\nDartie The patient's sister`, `Best wishes,\nSeyinlari Patient
    /// name on the wristband`).
    fn signature_ends_at(&self, k: usize) -> bool {
        let n = k + 1;
        if self.ends_line(k) {
            return true;
        }
        if n >= self.words.len() {
            return false;
        }
        let credential_after = self.text[self.words[k].end..self.words[n].start].starts_with(b", ")
            && self.has(n, flag::CREDENTIAL);
        let sentence_after = self.joined(k, b"")
            && matches!(self.words[n].shape, Shape::Cap | Shape::Upper)
            && (!self.has(n, flag::NAME)
                && self.has(n, flag::STOP | flag::ENGLISH | flag::COMMON | flag::VOCAB)
                || self.has(
                    n,
                    flag::VOCAB | flag::LABEL | flag::ROLE | flag::RELATION | flag::PERSON_TITLE,
                ));
        credential_after || sentence_after
    }

    /// A sign-off of two or three words ends at word `p`, its words one space apart
    /// (`Best wishes`, `KIND REGARDS`): a phrase that closes a message wherever it stands,
    /// so a comma and a line break after it sign the next line even where the phrase does
    /// not open its sentence (`Reviewed and signed, Akdongun Mcgly MD Best wishes,\nViguel`).
    fn phrase_sign_off_ends_at(&self, p: usize) -> bool {
        (1..3.min(p + 1)).any(|n| {
            let first = p - n;
            (first..p).all(|q| self.text[self.words[q].end..self.words[q + 1].start] == *b" ")
                && self
                    .lexicon
                    .is_sign_off(&self.text[self.words[first].start..self.words[p].end])
        })
    }

    /// `best wishes,\ngonur`, `BEST WISHES, MEKANI`, `thanks, orayn kelbe`: in a note
    /// written in one case, where a signature has no capitals to show, one to three words no
    /// list holds right after a sign-off that opens its sentence and a comma (or a line
    /// break) are the sender. The words must be no misspelling (`thanks, apreciated`).
    pub(super) fn mark_one_case_signature(&self, i: usize, marks: &mut [Option<PhiType>]) {
        if !(self.caps_mode || self.lower_mode)
            || i == 0
            || marks[i].is_some()
            || !self.has(i - 1, flag::SIGN_OFF)
            || !self.unlisted_word(i)
        {
            return;
        }
        let p = i - 1;
        let gap = &self.text[self.words[p].end..self.words[i].start];
        let blank = |g: &[u8]| g.iter().all(|c| matches!(c, b' ' | b'\t' | b'\r' | b'\n'));
        let separated = gap.len() <= 4
            && match gap.split_first() {
                Some((b',', rest)) => !rest.is_empty() && blank(rest),
                _ => gap.contains(&b'\n') && blank(gap),
            };
        // A comma and a line break after the sign-off: the next line is signed whatever
        // stands before the sign-off (`... md best wishes,\nviguel`).
        let line_signed = gap.starts_with(b",") && gap.contains(&b'\n');
        if !separated
            || !(self.sign_off_ends_at(p) || line_signed && self.phrase_sign_off_ends_at(p))
        {
            return;
        }
        let mut k = i;
        while k + 1 < self.words.len()
            && k + 1 - i < MAX_NAME_WORDS
            && self.joined(k, b"")
            && self.unlisted_word(k + 1)
        {
            k += 1;
        }
        // Alone on the line after `best wishes,`, a word no list holds signs the message
        // even when it is one letter off a word (`CLONDA`, `TILINA`): no sentence goes on
        // there to misspell.
        let alone = line_signed && i == k && self.ends_line(k);
        if alone || self.plain_run(i, k) {
            for m in &mut marks[i..=k] {
                m.get_or_insert(PhiType::Name);
            }
        }
    }

    /// `-- \nSettak\nSent from my phone`: the line right after an e-mail's signature
    /// delimiter (a line holding only `--`), when it holds one to three words that are
    /// each a word no list holds or a listed name that is no function, clinical or role
    /// word, is the sender's name (stop 67, the letters probe). A word one letter off a
    /// known word counts too, as alone after `best wishes,`: no sentence goes on there
    /// to misspell.
    pub(super) fn mark_after_signature_delimiter(&self, i: usize, marks: &mut [Option<PhiType>]) {
        // The previous line, without its line break and trailing blanks, must end in `--`
        // (most lines do not: asked before the line's start is looked for).
        let Some(before) = self.text[..self.words[i].start].strip_suffix(b"\n") else {
            return;
        };
        let kept = before
            .iter()
            .rposition(|c| !matches!(c, b' ' | b'\t' | b'\r'))
            .map_or(0, |p| p + 1);
        let before = &before[..kept];
        if marks[i].is_some() || !before.ends_with(b"--") {
            return;
        }
        let line_start = before
            .iter()
            .rposition(|c| *c == b'\n')
            .map_or(0, |p| p + 1);
        if before[line_start..].trim_ascii_start() != b"--" {
            return;
        }
        let name_word = |k: usize| {
            self.unlisted_word(k)
                || self.has(k, flag::NAME)
                    && !self.has(
                        k,
                        flag::STOP | flag::CLINICAL | flag::CREDENTIAL | flag::ROLE | flag::LABEL,
                    )
        };
        let mut k = i;
        while !self.ends_line(k) {
            if k + 1 - i == MAX_NAME_WORDS || !self.joined(k, b".") {
                return;
            }
            k += 1;
        }
        if (i..=k).all(name_word) {
            for m in &mut marks[i..=k] {
                m.get_or_insert(PhiType::Name);
            }
        }
    }

    /// `Settak and I went hiking`, `claldanza ojumbo and i met`: one or two words no list
    /// holds (no misspelling) right before `and I` and a next word are a person: nothing
    /// but a person stands beside the writer there (stop 67, the letters probe).
    pub(super) fn mark_before_and_i(&self, i: usize, marks: &mut [Option<PhiType>]) {
        if i + 3 >= self.words.len()
            || marks[i].is_some()
            || !self.word_is(i + 1, b"and")
            || !self.word_is(i + 2, b"i")
            || !self.joined(i, b"")
            || !self.joined(i + 1, b"")
            || !self.joined(i + 2, b"")
            || !self.run_word(i)
        {
            return;
        }
        marks[i] = Some(PhiType::Name);
        if i > 0 && self.joined(i - 1, b"") && self.run_word(i - 1) {
            marks[i - 1].get_or_insert(PhiType::Name);
        }
    }

    /// A sign-off of one to three words ends at word `p` and opens its sentence (the text
    /// or a line starts before it, or a sentence ends): `best wishes` of `... digits. best
    /// wishes, gonur`, not the `best` of `the best, ...`.
    fn sign_off_ends_at(&self, p: usize) -> bool {
        (0..3.min(p + 1)).any(|n| {
            let first = p - n;
            let before = match first.checked_sub(1) {
                Some(q) => &self.text[self.words[q].end..self.words[first].start],
                None => &self.text[..self.words[first].start],
            };
            let opens = first == 0
                || before
                    .iter()
                    .any(|c| matches!(c, b'\n' | b'.' | b'!' | b'?'));
            opens
                && self
                    .lexicon
                    .is_sign_off(&self.text[self.words[first].start..self.words[p].end])
        })
    }

    /// `dear ruby machan,`, `DEAR MERCY MACUEZ,`: in a note written in one case, the one to
    /// three words between `dear` and the comma that ends the salutation's line are the
    /// person written to, when each is a listed name or a word no list holds and one at
    /// least is no list's (`dear colleague,`, `dear care team,` stay).
    pub(super) fn mark_one_case_salutation(&self, i: usize, marks: &mut [Option<PhiType>]) {
        let j = i + 1;
        if !(self.caps_mode || self.lower_mode)
            || j >= self.words.len()
            || !self.word_is(i, b"dear")
            || !self.joined(i, b"")
        {
            return;
        }
        let name_word = |k: usize| {
            self.unlisted_word(k)
                || self.has(k, flag::NAME) && !self.has(k, flag::NEVER_NAME | NOT_OWN_NAME)
        };
        let mut k = j;
        while name_word(k)
            && k + 1 - j < MAX_NAME_WORDS
            && k + 1 < self.words.len()
            && self.joined(k, b"")
        {
            k += 1;
        }
        if !name_word(k) {
            k -= 1;
        }
        if k < j {
            return;
        }
        let rest = &self.text[self.words[k].end..];
        let closes = rest.starts_with(b",") || rest.starts_with(b"\n") || rest.is_empty();
        let unlisted = (j..=k).any(|n| self.unlisted_word(n) && !self.has(n, flag::NAME));
        if closes && unlisted && self.plain_run(j, k) {
            for m in &mut marks[j..=k] {
                m.get_or_insert(PhiType::Name);
            }
        }
    }

    /// `jane fisher called back`, `pt's sister ana ruiz called`, `thomas white emailed the
    /// forms`, `kim woods left a message`, `spoke with max holland re: sched`: in a note
    /// written all in lower case, a popular first name and a listed surname, even ones that
    /// are words, right before a verb of contact at a clause's start (or after a relation),
    /// or right after a verb of contact and its preposition, are the person. A single
    /// word is left to the other readings.
    pub(super) fn mark_lower_pair_contact(&self, i: usize, marks: &mut [Option<PhiType>]) {
        if !self.lower_mode || i + 1 >= self.words.len() || marks[i].is_some() {
            return;
        }
        let (a, b) = (i, i + 1);
        if !self.has(a, flag::FIRST)
            || !self.has(a, flag::POPULAR)
            || !self.has(b, flag::LAST)
            || self.has(a, ONE_CASE_BLOCKED)
            || self.has(b, ONE_CASE_BLOCKED)
            || self.words[a].shape != Shape::Lower
            || self.words[b].shape != Shape::Lower
            || self.words[b].end - self.words[b].start < 2
            || !self.joined(a, b"")
        {
            return;
        }
        let v = b + 1;
        let contact_after = v < self.words.len()
            && self.joined(b, b"")
            && (self.has(v, flag::CONTACT | flag::TWO_OBJECT) || self.left_message(v))
            && (self.clause_start(a)
                || a > 0 && self.joined(a - 1, b"") && self.has(a - 1, flag::RELATION));
        let contact_before = a >= 2
            && self.joined(a - 2, b"")
            && self.joined(a - 1, b"")
            && self.has(a - 1, flag::CONTACT_PREP)
            && self.has(a - 2, flag::CONTACT | flag::PREP_CONTACT);
        if contact_after || contact_before {
            for k in [a, b] {
                marks[k].get_or_insert(PhiType::Name);
            }
        }
    }

    /// Words from `v` read `left a message`, `left message`, `left vm`, `left a voicemail`.
    fn left_message(&self, v: usize) -> bool {
        if !self.word_is(v, b"left") || v + 1 >= self.words.len() || !self.joined(v, b"") {
            return false;
        }
        let what =
            if self.word_is(v + 1, b"a") && v + 2 < self.words.len() && self.joined(v + 1, b"") {
                v + 2
            } else {
                v + 1
            };
        [b"message".as_slice(), b"msg", b"vm", b"voicemail"]
            .iter()
            .any(|m| self.word_is(what, m))
    }

    /// `On call: Dana Whit`, `on-call OT: Raj Patel`, `Weekend on call - Ana Ruiz`, `on call
    /// is Gerald`: after an `on call` label (a credential may name whose), a `:` or a dash
    /// and one to three name words on the same line are the clinician on call, an initial
    /// with its period among them (`On call: R. Baupp`). In a note written in one case only
    /// listed names that are no words and words no list holds (no misspelling of a known
    /// word: `ON CALL: PAGED`, `on call: pls page` hold none) count (`ON CALL: BOLUWA
    /// OGULI`).
    pub(super) fn mark_on_call(&self, i: usize, marks: &mut [Option<PhiType>]) {
        let w = &self.words[i];
        if w.end - w.start != 4 || i == 0 || !self.word_is(i, b"call") {
            return;
        }
        let on_gap = &self.text[self.words[i - 1].end..w.start];
        if !self.word_is(i - 1, b"on") || !(on_gap == b" " || on_gap == b"-") {
            return;
        }
        let mut k = i + 1;
        while k < self.words.len()
            && k <= i + 2
            && self.joined(k - 1, b"")
            && self.has(k, flag::CREDENTIAL | flag::ROLE)
        {
            k += 1;
        }
        let Some(next) = self.words.get(k) else {
            return;
        };
        let sep = &self.text[self.words[k - 1].end..next.start];
        let mut first = k;
        if self.word_is(k, b"is") && sep == b" " {
            first = k + 1;
            if first >= self.words.len() || !self.joined(k, b"") {
                return;
            }
        } else if !(sep.contains(&b':') || sep == b" - " || sep == b" -- ") || sep.contains(&b'\n')
        {
            return;
        }
        let mut last = None;
        for j in first..(first + MAX_NAME_WORDS).min(self.words.len()) {
            let initial = |k: usize| self.is_initial(k) && self.followed_by_period(k);
            if j > first && !(self.joined(j - 1, b"") || initial(j - 1) && self.joined(j - 1, b"."))
            {
                break;
            }
            if initial(j) {
                continue;
            }
            let ok = if self.lower_mode || self.caps_mode {
                self.has(j, flag::NAME)
                    && !self.has(j, ONE_CASE_BLOCKED | flag::ENGLISH | flag::COMMON)
                    || self.run_word(j)
            } else {
                self.signed_name_word(j)
            };
            if !ok {
                break;
            }
            last = Some(j);
        }
        if let Some(last) = last {
            for m in &mut marks[first..=last] {
                m.get_or_insert(PhiType::ProviderName);
            }
        }
    }

    /// `May Morris RN`, `Will Mueller, MSW`, `co-treat with Rose Whitfield PT`: a
    /// capitalised first-list word one space before a clinician found already is the
    /// clinician's given name, even when it is also a word (a function word too, when it is
    /// a common-word name). Runs after the clinicians are marked.
    pub(super) fn mark_given_name_before_clinician(&self, i: usize, marks: &mut [Option<PhiType>]) {
        let j = i + 1;
        if j >= self.words.len()
            || marks[i].is_some()
            || marks[j] != Some(PhiType::ProviderName)
            || self.caps_mode
            || self.lower_mode
            || self.words[i].shape != Shape::Cap
            || self.words[j].shape != Shape::Cap
            || self.text[self.words[i].end..self.words[j].start] != *b" "
            || !self.has(i, flag::FIRST)
            || self.has(
                i,
                NOT_OWN_NAME | flag::CLINICAL | flag::CONTACT_PREP | flag::PLACE_PREP,
            )
            || self.has(i, flag::STOP) && !self.has(i, flag::COMMON)
        {
            return;
        }
        marks[i] = Some(PhiType::ProviderName);
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
    fn a_listed_name_in_a_possessive_is_a_person() {
        let d = detector();
        finds(
            &d,
            "Vitals stable.\nISAAC'S walker was left in the gym.",
            "ISAAC",
        );
        finds(&d, "Checked Mark's chart before the session.", "Mark");
        finds(
            &d,
            "Reviewed plan. Jay's daughter called about discharge.",
            "Jay",
        );
        keeps(&d, "Pt has Parkinson's disease, tremor noted.", "Parkinson");
        keeps(
            &d,
            "Reviewed HEP. Hope's effect on her mood was discussed.",
            "Hope",
        );
        keeps(&d, "Today's session went well, pt motivated.", "Today");
        keeps(&d, "Vitals stable.\nPT'S goals were reviewed today.", "PT");
    }

    #[test]
    fn a_name_opening_a_line_before_a_credential_is_a_clinician() {
        let d = detector();
        finds(
            &d,
            "Pt seen today.\nRosemary Ward MD\nDischarge summary sent.",
            "Rosemary",
        );
        finds(
            &d,
            "Pt seen today.\nSandy Welch PT\nWill follow up.",
            "Welch",
        );
        keeps(
            &d,
            "Pt seen today.\nWound Care RN consulted for the heel.",
            "Wound",
        );
        keeps(&d, "Pt seen today.\nMay Need PT follow up at home.", "Need");
    }

    #[test]
    fn the_line_after_a_sign_off_is_the_sender() {
        let d = detector();
        finds(&d, "Can we move the eval?\nThanks,\nVeer", "Veer");
        finds(&d, "Splint is ready.\nBest regards,\nMason Hill", "Mason");
        finds(
            &d,
            "Order is in.\n--\nPhoebe Grant\nOccupational Therapy",
            "Phoebe",
        );
        keeps(
            &d,
            "Can we move the eval?\nThanks,\nThe Rehab Team",
            "Rehab",
        );
        keeps(
            &d,
            "Thanks,\nPlease call the front desk with questions.",
            "Please",
        );
    }

    #[test]
    fn a_one_case_pair_before_a_verb_of_contact_is_a_person() {
        let d = detector();
        finds(
            &d,
            "per chart, jane fisher called to confirm transport",
            "fisher",
        );
        finds(
            &d,
            "thomas white emailed the fmla forms, will review",
            "thomas",
        );
        finds(
            &d,
            "kim woods left a message about the shower chair",
            "woods",
        );
        keeps(
            &d,
            "the front desk called to confirm transport today",
            "front",
        );
        keeps(&d, "pain team called re: the pca, will review", "pain");
    }

    #[test]
    fn the_name_after_an_on_call_label_is_the_clinician() {
        let d = detector();
        finds(
            &d,
            "Pt resting.\nOn call: Dana Whitfield\nPage for issues.",
            "Dana",
        );
        finds(&d, "Pt resting.\non-call OT: Raj Patel (weekend)", "Raj");
        keeps(
            &d,
            "Pt resting. Resident on call paged, no new orders.",
            "paged",
        );
        keeps(&d, "Pt resting.\nOn call: None\nPage for issues.", "None");
    }

    #[test]
    fn a_word_name_before_a_found_clinician_is_the_given_name() {
        let d = detector();
        finds(
            &d,
            "Vitals stable. May Morris RN saw pt for splint check.",
            "May Morris",
        );
        finds(
            &d,
            "Vitals stable. Will Mueller MSW saw pt today.",
            "Will Mueller",
        );
        keeps(&d, "Pt tolerated tx. Per Morris RN pt may shower.", "Per");
    }

    #[test]
    fn a_two_word_sign_off_signs_the_next_line_wherever_it_stands() {
        let d = detector();
        finds(
            &d,
            "Primary nurse updated. Konsoluwa Chan, MSW\nSocial Work Best wishes,\nBarlodhrany",
            "Barlodhrany",
        );
        finds(
            &d,
            "Splint fits well.\nReviewed and signed, Tarko Mevlin MD Best wishes,\nViguel",
            "Viguel",
        );
        finds(
            &d,
            "GRIP 42 LB RIGHT.\nBEST WISHES,\nCLONDA\nFOLLOW UP IN 2 WEEKS.",
            "CLONDA",
        );
        finds(
            &d,
            "Walked 200 ft with a cane. Best wishes,\nSeyinlari Patient name checked.",
            "Seyinlari",
        );
        keeps(
            &d,
            "Session went well. Kind regards,\nOccupational Therapy Dept",
            "Therapy",
        );
        keeps(&d, "Kind regards,\nRehab Team", "Rehab");
        keeps(&d, "Best wishes in your new role,\nThe OT team", "The");
    }

    #[test]
    fn a_line_of_two_name_words_and_a_credential_is_a_clinician() {
        let d = detector();
        finds(
            &d,
            "FOLLOW UP IN 2 WEEKS.\nODDFRA URBAN, MSW\nSOCIAL WORK",
            "ODDFRA URBAN",
        );
        finds(
            &d,
            "follow up in 2 weeks.\nangaluwa fields, msw\nsocial work",
            "angaluwa fields",
        );
        finds(&d, "Seen today.\nFren Herring, MSW", "Fren Herring");
        keeps(&d, "Splint checked.\nWound Care, RN\nSeen today.", "Wound");
        keeps(&d, "Splint checked.\nCase Management, MSW", "Case");
    }
}
