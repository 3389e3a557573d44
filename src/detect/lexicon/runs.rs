//! Runs of words that no list holds, read as one person from the sentence around the run
//! (issue 13): in notes written in one case, where capitals tell nothing, and in short chat
//! lines. `unlisted` starts a name at one word; these rules take a run of one to three
//! name words (words no list holds, initials, `Jr`/`III`) and need, on both sides, words
//! that tell of a person: `pt` before and a verb after (`PT ABISSAF NIETTILA REQUIRES MIN
//! A`), a clause start before and `is running`/`was seen` after, `with` before and `and her
//! family` after, a line's start before and `: <message>` after. The vocabulary decides
//! what is a word no list holds (`Ctx::unlisted_word`): `PT REQUIRES MIN A`, `PT EVAL
//! COMPLETED` hold no such word. The rest of a found name is grown by `names::extend_names`.

use super::flag;
use super::person::NOT_A_PERSON;
use super::unlisted::NOT_UNLISTED;
use super::words::Shape;
use super::Ctx;
use crate::phi::PhiType;

/// The most words a run may hold (`CHRINELA A. TANDEL JR.` is four).
const MAX_RUN: usize = 4;

impl Ctx<'_> {
    /// Words `j..=end` are a run of name words, ending at the returned index: each a word
    /// no list holds, an initial with its period, a particle before a name word or a
    /// suffix (`Jr`, `III`) after one, joined by single spaces, hyphens or a period's
    /// space; at least one word no list holds, and the run ends on one or on a suffix.
    fn name_run(&self, j: usize) -> Option<usize> {
        let mut last = None;
        let mut k = j;
        while k < self.words.len() && k < j + MAX_RUN {
            let ends = self.unlisted_word(k) || last.is_some() && self.is_name_suffix(k);
            let inner = self.is_initial(k) && self.followed_by_period(k)
                || self.has(k, flag::PARTICLE | flag::INNER_PARTICLE);
            if !(ends || inner) {
                break;
            }
            if ends {
                last = Some(k);
            }
            if k + 1 >= self.words.len() || !self.joined(k, b".-") {
                break;
            }
            k += 1;
        }
        // `PT EVAL COMPLETED`, `EVAL IS PENDING`: a lone word of four letters is as often a
        // note's abbreviation that no list holds.
        last.filter(|&e| e > j || self.words[j].end - self.words[j].start >= 5)
    }

    /// Every word no list holds in `j..=end` is a name word, no misspelling or adverb
    /// (`run_word`): checked last, once the words around the run have told of a person,
    /// because the misspelling test looks up some fifty neighbours of each word.
    pub(super) fn plain_run(&self, j: usize, end: usize) -> bool {
        (j..=end).all(|k| !self.unlisted_word(k) || self.run_word(k))
    }

    /// After word `end` comes an age (`, 54 y/o`, `, a 71 y/o`) or a date of birth (` dob`).
    fn age_or_birth_after(&self, end: usize) -> bool {
        let rest = &self.text[self.words[end].end..];
        let starts = |p: &[u8]| rest.len() >= p.len() && rest[..p.len()].eq_ignore_ascii_case(p);
        let age = rest.strip_prefix(b", ").is_some_and(|r| {
            let r = r
                .strip_prefix(b"a ")
                .or_else(|| r.strip_prefix(b"A "))
                .unwrap_or(r);
            let digits = r.iter().take_while(|c| c.is_ascii_digit()).count();
            (1..=3).contains(&digits)
                && r[digits..].first() == Some(&b' ')
                && (r[digits + 1..].starts_with(b"y") || r[digits + 1..].starts_with(b"Y"))
        });
        age || starts(b" dob ") || starts(b" dob:")
    }

    /// Word `end` ends a run and one space follows it, or a period and a space after a
    /// suffix (`JR. REPORTS`), before word `end + 1`.
    fn run_then_word(&self, end: usize) -> bool {
        let k = end + 1;
        k < self.words.len()
            && match &self.text[self.words[end].end..self.words[k].start] {
                b" " => true,
                b". " => self.is_name_suffix(end),
                _ => false,
            }
    }

    /// Word `k` is a name's suffix (`Jr`, `Sr`, `II`, `III`, `IV`), in any case.
    fn is_name_suffix(&self, k: usize) -> bool {
        let w = &self.text[self.words[k].start..self.words[k].end];
        [b"jr".as_slice(), b"sr", b"ii", b"iii", b"iv"]
            .iter()
            .any(|s| w.eq_ignore_ascii_case(s))
    }

    /// Word `k` reads as a verb whose subject is the run before it: a verb of speech,
    /// contact or a person's doings (`reports`, `called`, `walked`), or a known word of
    /// five letters or more in the past tense or the third person (`ambulated`,
    /// `tolerated`, `requires`), not a plural noun's ending (`-ss`, `-us`, `-is`).
    pub(super) fn verb_after_run(&self, k: usize) -> bool {
        // Not `is`/`was`: `PT USINS IS 1250`, `pt sedtion was increased` (a copula follows
        // any subject; `mark_run_before_verb` reads it with the `-ing` form after it).
        if self.has(
            k,
            flag::PERSON_VERB | flag::SUBJECT_VERB | flag::IRREGULAR_PAST,
        ) {
            return true;
        }
        let w = &self.text[self.words[k].start..self.words[k].end];
        let known = self.has(k, flag::ENGLISH | flag::VOCAB);
        let ends = |s: &[u8]| w.len() >= 5 && w[w.len() - s.len()..].eq_ignore_ascii_case(s);
        let third_person = ends(b"s") && !ends(b"ss") && !ends(b"us") && !ends(b"is");
        known && (ends(b"ed") || third_person) || w.eq_ignore_ascii_case(b"seen")
    }

    /// After word `end` (the run's last) comes what a person's sentence goes on with: one
    /// space and a verb (`verb_after_run`), `c/o` or `s/p`, or a comma and an age.
    fn predicate_after_run(&self, end: usize) -> bool {
        let rest = &self.text[self.words[end].end..];
        let starts = |p: &[u8]| rest.len() >= p.len() && rest[..p.len()].eq_ignore_ascii_case(p);
        // `patient piegius rausbecker dob 3/4/51`: a person's date of birth follows them.
        if starts(b" c/o ") || starts(b" s/p ") || starts(b" dob ") || starts(b" dob:") {
            return true;
        }
        if starts(b", ") && rest.get(2).is_some_and(u8::is_ascii_digit) {
            return true;
        }
        self.run_then_word(end) && self.verb_after_run(end + 1)
    }

    /// `PT ABISSAF NIETTILA REQUIRES MIN A`, `pt aani ambulated 150 ft`, `PATIENT IHSADOV
    /// TOLERATED TX`, `I SAW YOUR PATIENT E. FINOV TODAY`: in a note written in one case,
    /// `pt` or `patient` (not the `PT` of `OT/PT`), a run of name words and a verb after
    /// it are a person. After `your patient` the run alone is enough (a letter's referral).
    /// In mixed case `names::mark_after_patient` reads the capitals instead.
    pub(super) fn mark_run_after_patient(&self, i: usize, marks: &mut [Option<PhiType>]) {
        let j = i + 1;
        if !(self.caps_mode || self.lower_mode)
            || j >= self.words.len()
            || marks[j].is_some()
            || !(self.word_is(i, b"pt") || self.word_is(i, b"patient"))
            || !self.joined(i, b".")
            || self.words[i].start > 0 && self.text[self.words[i].start - 1] == b'/'
        {
            return;
        }
        let Some(end) = self.name_run(j) else { return };
        let yours = i > 0 && self.word_is(i - 1, b"your") && self.joined(i - 1, b"");
        // An age or a date of birth after the run tells of a person as no verb does: a
        // misspelt word is never given one, so a name one edit from a word (`tellner`,
        // `puttner`) counts there.
        let born = self.age_or_birth_after(end);
        if (yours || born || self.predicate_after_run(end)) && (born || self.plain_run(j, end)) {
            for m in marks.iter_mut().take(end + 1).skip(j) {
                *m = m.or(Some(PhiType::Name));
            }
        }
    }

    /// `primary nurse -> iday murgud`, `NEXT OF KIN = JOREDA BOCHEBES`, `pt id card: renorra
    /// zubov`, `parent/guardian - h. dalaraylov`: in a note written in one case, a field
    /// whose head names a person (a label, a relation or a word of `person_fields`) and
    /// whose separator is a colon, an arrow, `=` or a spaced dash holds a person when its
    /// value is a run of name words. Mixed-case text reads the capitals instead.
    pub(super) fn mark_run_in_person_field(&self, i: usize, marks: &mut [Option<PhiType>]) {
        let j = i + 1;
        if !(self.caps_mode || self.lower_mode)
            || j >= self.words.len()
            || marks[j].is_some()
            || !self.has(i, flag::PERSON_FIELD | flag::LABEL | flag::RELATION)
            || !self.field_separator(i)
        {
            return;
        }
        let Some(end) = self.name_run(j) else { return };
        if self.plain_run(j, end) {
            for m in marks.iter_mut().take(end + 1).skip(j) {
                *m = m.or(Some(PhiType::Name));
            }
        }
    }

    /// Between word `i` and the next on its line lies a field's separator: `:`, `->`, `=`,
    /// `=>` or a dash with a space on each side (a hyphen joins words: `son-in-law`).
    fn field_separator(&self, i: usize) -> bool {
        let gap = &self.text[self.words[i].end..self.words[i + 1].start];
        if gap.len() > 4 {
            return false;
        }
        // The gap's marks without its spaces, in a buffer: this runs for every label word.
        let mut marks = [0u8; 4];
        let mut n = 0;
        for &c in gap.iter().filter(|&&c| c != b' ') {
            marks[n] = c;
            n += 1;
        }
        match &marks[..n] {
            b":" | b"->" | b"=" | b"=>" => true,
            b"-" | b"--" => gap.starts_with(b" ") && gap.ends_with(b" "),
            _ => false,
        }
    }

    /// Word `k` asks for something: `pls`, `please`, `plz`.
    pub(super) fn is_request(&self, k: usize) -> bool {
        [b"pls".as_slice(), b"please", b"plz"]
            .iter()
            .any(|w| self.word_is(k, w))
    }

    /// `recommend jeteugejc otumani continue the brace`, `ADVISED ORVA TELLIK TO REST`: in
    /// a note written in one case, a verb of advice (`advice_verbs`), then a run of name
    /// words and `to`, or a run of two name words or more and a known word, are the person
    /// advised (one word no list holds before a known word is as often a drug or a device).
    pub(super) fn mark_run_after_advice(&self, i: usize, marks: &mut [Option<PhiType>]) {
        let j = i + 1;
        if !(self.caps_mode || self.lower_mode)
            || j >= self.words.len()
            || marks[j].is_some()
            || !self.has(i, flag::ADVICE)
            || self.text[self.words[i].end..self.words[j].start] != *b" "
        {
            return;
        }
        let Some(end) = self.name_run(j) else { return };
        let v = end + 1;
        if !self.run_then_word(end) {
            return;
        }
        let verb_after = self.word_is(v, b"to")
            || end > j
                && self.has(v, flag::ENGLISH)
                && !self.has(v, flag::STOP | flag::DETERMINER | flag::NAME);
        if verb_after && self.plain_run(j, end) {
            for m in marks.iter_mut().take(end + 1).skip(j) {
                *m = m.or(Some(PhiType::Name));
            }
        }
    }

    /// `son-in-law quela k. hulto is the main support`, `HIS SISTER ORVA TELLIK CALLED`: in
    /// a note written in one case, a relation (or an `-in-law`), a run of name words and
    /// after it `is`/`was` or what a person's sentence goes on with are that relative.
    pub(super) fn mark_run_after_relation(&self, i: usize, marks: &mut [Option<PhiType>]) {
        let j = i + 1;
        if !(self.caps_mode || self.lower_mode)
            || j >= self.words.len()
            || marks[j].is_some()
            || !(self.has(i, flag::RELATION) || self.in_law(i))
            || self.text[self.words[i].end..self.words[j].start] != *b" "
        {
            return;
        }
        let Some(end) = self.name_run(j) else { return };
        let v = end + 1;
        let copula = self.run_then_word(end)
            && (self.has(v, flag::COPULA) || self.word_is(v, b"is") || self.word_is(v, b"was"));
        if (copula || self.predicate_after_run(end)) && self.plain_run(j, end) {
            for m in marks.iter_mut().take(end + 1).skip(j) {
                *m = m.or(Some(PhiType::Name));
            }
        }
    }

    /// Word `i` is the `law` of `son-in-law`, `MOTHER-IN-LAW`: a relation, `in` and `law`
    /// joined by hyphens.
    pub(super) fn in_law(&self, i: usize) -> bool {
        let hyphen = |k: usize| self.text[self.words[k].end..self.words[k + 1].start] == *b"-";
        i >= 2
            && self.word_is(i, b"law")
            && self.word_is(i - 1, b"in")
            && hyphen(i - 1)
            && hyphen(i - 2)
            && self.has(i - 2, flag::RELATION)
    }

    /// `visitors today: obola & clie`, `TEAM: E. JANT / JESIEUT DI SONSSONEN`, `copies to
    /// seloveduz fova sr. and ralo o'murajcik`, `team members name_x and ucemirancan scales`:
    /// in a note written in one case, after a head that opens a list of people
    /// (`person_list_heads`), two items or more, each a run of name words or a person
    /// already found, joined by commas, `and`, `&` or slashes, are all people.
    pub(super) fn mark_run_list_after_head(&self, i: usize, marks: &mut [Option<PhiType>]) {
        if !(self.caps_mode || self.lower_mode) || !self.has(i, flag::LIST_HEAD) {
            return;
        }
        // `visitors today:`, `copies to`: one linking word may stand before the list.
        let mut j = i + 1;
        if j < self.words.len() && (self.word_is(j, b"today") || self.word_is(j, b"to")) {
            j += 1;
        }
        if j >= self.words.len()
            || !matches!(
                &self.text[self.words[j - 1].end..self.words[j].start],
                b" " | b": " | b":"
            )
        {
            return;
        }
        let mut items: Vec<(usize, usize, bool)> = Vec::new();
        let mut k = j;
        while items.len() < 6 && k < self.words.len() {
            let found =
                marks[k].is_some_and(|t| matches!(t, PhiType::Name | PhiType::ProviderName));
            let end = if found {
                let mut e = k;
                // At most a run's length: a long run of found words is read once per head.
                while e + 1 < self.words.len()
                    && e + 1 < k + MAX_RUN
                    && marks[e + 1] == marks[k]
                    && self.joined(e, b".-")
                {
                    e += 1;
                }
                e
            } else {
                match self.name_run(k) {
                    Some(e) if marks[k..=e].iter().all(Option::is_none) => e,
                    _ => break,
                }
            };
            items.push((k, end, found));
            match self.list_separator(end) {
                Some(next) => k = next,
                None => break,
            }
        }
        if items.len() < 2 {
            return;
        }
        for &(a, b, found) in &items {
            if !found && self.plain_run(a, b) {
                for m in &mut marks[a..=b] {
                    m.get_or_insert(PhiType::Name);
                }
            }
        }
    }

    /// After word `end` a list goes on to its next item: `, `, ` and `, `, and `, ` & ` or
    /// ` / ` (a suffix's period may come first: `fova sr. and`); the next item's first word.
    fn list_separator(&self, end: usize) -> Option<usize> {
        let next = end + 1;
        if next >= self.words.len() {
            return None;
        }
        let gap = &self.text[self.words[end].end..self.words[next].start];
        let gap = gap.strip_prefix(b".").unwrap_or(gap);
        let and = matches!(gap, b" " | b", ")
            && self.word_is(next, b"and")
            && next + 1 < self.words.len()
            && self.text[self.words[next].end..self.words[next + 1].start] == *b" ";
        match gap {
            _ if and => Some(next + 1),
            b", " | b" & " | b" / " | b"/" => Some(next),
            _ => None,
        }
    }

    /// `Amisari is running late`, `ABRY JUPAL WAS SEEN FOR FOLLOW-UP`, `KRISLA FALOYENG JR.
    /// REPORTS`, `GLOY AKARAEV-KALZMANN SAID`: a run of name words that opens a clause,
    /// before a verb of speech or contact, or before `is`/`was` and a verb's `-ing` form or
    /// `seen`, is the person the clause tells of.
    pub(super) fn mark_run_before_verb(&self, i: usize, marks: &mut [Option<PhiType>]) {
        if marks[i].is_some() || !self.unlisted_word(i) {
            return;
        }
        let subordinate = self.after_subordinator(i);
        let opens = subordinate || self.clause_start(i);
        // In a note written in one case a clause's start is often lost (`AT TODAY'S VISIT
        // BREMITLIN SAILLI COMPLAINED OF`): two name words or more that open the run (no
        // word no list holds right before) and a verb of speech or a person's doings after.
        let one_case = self.caps_mode || self.lower_mode;
        if !(opens || one_case && i > 0 && !self.unlisted_word(i - 1)) {
            return;
        }
        let Some(end) = self.name_run(i) else { return };
        let v = end + 1;
        if !self.run_then_word(end) {
            return;
        }
        if !(opens || end > i && self.has(v, flag::PERSON_VERB | flag::SUBJECT_VERB)) {
            return;
        }
        // After `yesterday`/`when` any known verb in the past or third person tells of the
        // run (`yesterday searis mentioned`, `when pacio kinger came in`).
        let speaks = self.has(v, flag::PERSON_VERB | flag::SUBJECT_VERB)
            || self.has(v, flag::CONTACT) && self.past(v)
            || subordinate && self.verb_after_run(v);
        let is_doing = (self.word_is(v, b"is") || self.word_is(v, b"was"))
            && v + 1 < self.words.len()
            && self.joined(v, b"")
            && self.doing_or_seen(v + 1);
        // `ozet pls call the family back`: a request opening a clause is made to the person
        // named before it (a run of one word too: a request is no verb of speech).
        // In mixed case too: a capitalised word no list holds opening the clause
        // (`Zuhu pls call the family back`).
        let asked = self.is_request(v);
        // One word before a verb of speech is `unlisted::mark_before_person_verb`'s; here
        // the run is longer or the verb is `is running`.
        if (is_doing || asked || speaks && (end > i || subordinate)) && self.plain_run(i, end) {
            for m in marks.iter_mut().take(end + 1).skip(i) {
                *m = m.or(Some(PhiType::Name));
            }
        }
    }

    /// `YESTERDAY ADAKE MENTIONED`, `when pacio kinger came in`: word `i` follows a word
    /// that opens a clause of its own (`when`, `yesterday`, `after`) at a clause start.
    fn after_subordinator(&self, i: usize) -> bool {
        const OPENERS: [&[u8]; 10] = [
            b"when",
            b"yesterday",
            b"today",
            b"tonight",
            b"while",
            b"after",
            b"before",
            b"since",
            b"because",
            b"once",
        ];
        i > 0
            && self.text[self.words[i - 1].end..self.words[i].start] == *b" "
            && self.clause_start(i - 1)
            && OPENERS.iter().any(|w| self.word_is(i - 1, w))
    }

    /// `PT IS KENIARMARED TWOOMILL, LIVES INDEPENDENTLY`, `this is jayn steichold, a 71
    /// y/o`: `pt is`, `patient is` or `this is`, a run of name words, and after a comma an
    /// age or a verb, introduce the person.
    pub(super) fn mark_run_after_identity(&self, i: usize, marks: &mut [Option<PhiType>]) {
        let j = i + 1;
        if i == 0
            || j >= self.words.len()
            || marks[j].is_some()
            || !self.word_is(i, b"is")
            || !self.joined(i - 1, b".")
            || self.text[self.words[i].end..self.words[j].start] != *b" "
            || ![b"pt".as_slice(), b"patient", b"this"]
                .iter()
                .any(|w| self.word_is(i - 1, w))
        {
            return;
        }
        let Some(end) = self.name_run(j) else { return };
        let rest = &self.text[self.words[end].end..];
        let age = rest.strip_prefix(b", ").is_some_and(|r| {
            // `a 71 y/o`, `A 71 Y/O`: the article in the note's case.
            let r = r
                .strip_prefix(b"a ")
                .or_else(|| r.strip_prefix(b"A "))
                .unwrap_or(r);
            r.first().is_some_and(u8::is_ascii_digit)
        });
        let verb = end + 1 < self.words.len()
            && self.text[self.words[end].end..self.words[end + 1].start] == *b", "
            && self.verb_after_run(end + 1);
        if (age || verb) && (self.age_or_birth_after(end) || self.plain_run(j, end)) {
            for m in marks.iter_mut().take(end + 1).skip(j) {
                *m = m.or(Some(PhiType::Name));
            }
        }
    }

    /// Word `k` is a known verb's `-ing` form of five letters or more (`running`, `doing`),
    /// or `seen`.
    fn doing_or_seen(&self, k: usize) -> bool {
        let w = &self.text[self.words[k].start..self.words[k].end];
        let ing = w.len() >= 5 && w[w.len() - 3..].eq_ignore_ascii_case(b"ing");
        ing && self.has(k, flag::ENGLISH | flag::VOCAB) || w.eq_ignore_ascii_case(b"seen")
    }

    /// Word `k` is in the past tense (`called`, `spoke`).
    fn past(&self, k: usize) -> bool {
        let w = &self.text[self.words[k].start..self.words[k].end];
        w.len() > 3 && w[w.len() - 2..].eq_ignore_ascii_case(b"ed")
            || self.has(k, flag::IRREGULAR_PAST)
    }

    /// `DISCUSSED GOALS WITH NWANI BYLIO AND HER FAMILY`, `seen with bedayret alov and her
    /// husband`: `with`, a run of name words and `and his`/`and her`/`and their` are a
    /// person and their company.
    pub(super) fn mark_run_with_company(&self, i: usize, marks: &mut [Option<PhiType>]) {
        let j = i + 1;
        if j >= self.words.len()
            || marks[j].is_some()
            || !self.word_is(i, b"with")
            || self.text[self.words[i].end..self.words[j].start] != *b" "
        {
            return;
        }
        let Some(end) = self.name_run(j) else { return };
        let (and, whose) = (end + 1, end + 2);
        let company = whose < self.words.len()
            && self.text[self.words[end].end..self.words[and].start] == *b" "
            && self.word_is(and, b"and")
            && self.joined(and, b"")
            && ["his", "her", "their"]
                .iter()
                .any(|p| self.word_is(whose, p.as_bytes()));
        if company && self.plain_run(j, end) {
            for m in marks.iter_mut().take(end + 1).skip(j) {
                *m = m.or(Some(PhiType::Name));
            }
        }
    }

    /// `voicemail from seffren.`, `TRANSPORT BY JARIJAGA.`, `seen with joltorriuss and`: in
    /// a note written in one case, a word that takes a person (`voicemail`, `transport`,
    /// `seen`), its preposition and a run of name words that ends the clause are the person.
    pub(super) fn mark_run_after_person_head(&self, i: usize, marks: &mut [Option<PhiType>]) {
        const HEADS: [&[u8]; 24] = [
            b"voicemail",
            b"vm",
            b"call",
            b"calls",
            b"message",
            b"msg",
            b"email",
            b"text",
            b"letter",
            b"referral",
            b"referred",
            b"transport",
            b"transported",
            b"driven",
            b"seen",
            b"accompanied",
            b"brought",
            b"picked",
            b"visit",
            b"visited",
            b"mail",
            b"met",
            b"spoke",
            b"talked",
        ];
        const LINKS: [&[u8]; 5] = [b"from", b"by", b"to", b"with", b"for"];
        let (link, j) = (i + 1, i + 2);
        // Most notes are written in mixed case: answered before the words are read.
        if !(self.caps_mode || self.lower_mode) {
            return;
        }
        // `follow-up for harckhaud critzsimmon`: a follow-up is with a person too.
        let follow_up = i > 0
            && self.word_is(i, b"up")
            && self.word_is(i - 1, b"follow")
            && self.text[self.words[i - 1].end..self.words[i].start] == *b"-";
        if j >= self.words.len()
            || marks[j].is_some()
            || !(follow_up || HEADS.iter().any(|w| self.word_is(i, w)))
            || !LINKS.iter().any(|w| self.word_is(link, w))
            || self.text[self.words[i].end..self.words[link].start] != *b" "
            || self.text[self.words[link].end..self.words[j].start] != *b" "
        {
            return;
        }
        // `voicemail from maria.`: a popular first name that is also an English word (SCOWL
        // holds `maria`, `will`, `mark`) is no word no list holds, but ends the clause here.
        let popular_first = self.has(j, flag::FIRST)
            && self.has(j, flag::POPULAR)
            && !self.has(
                j,
                flag::VOCAB | flag::NEVER_NAME | flag::STRONG_CUE | flag::RELATION,
            )
            && self.words[j].end - self.words[j].start >= 4
            && self.clause_ends_after(j);
        if popular_first {
            marks[j] = Some(PhiType::Name);
            return;
        }
        let Some(end) = self.name_run(j) else { return };
        if self.clause_ends_after(end) && self.plain_run(j, end) {
            for m in marks.iter_mut().take(end + 1).skip(j) {
                *m = m.or(Some(PhiType::Name));
            }
        }
    }

    /// After word `k` the clause ends: the text ends, or a period, comma, semicolon, colon,
    /// bracket or line break follows, or ` and `.
    fn clause_ends_after(&self, k: usize) -> bool {
        let rest = &self.text[self.words[k].end..];
        match rest.first() {
            None => true,
            Some(b'.' | b',' | b';' | b':' | b')' | b'\n' | b'\r') => true,
            Some(b' ') => {
                k + 1 < self.words.len()
                    && self.joined(k, b"")
                    && ["and", "re", "about", "regarding", "today"]
                        .iter()
                        .any(|w| self.word_is(k + 1, w.as_bytes()))
            }
            _ => false,
        }
    }

    /// `Faith: thx. and her email?` under `Samuel: +234 …` (stop 65): in mixed-case text a
    /// capitalised given name that is also a word (`Faith`, `Roman`, `Mats`) opens a chat
    /// line as its sender as surely as a name no list holds does, where the turns around it
    /// have found senders. Headings (`Plan:`, `Art:`) are vocabulary, labels or clinical.
    /// A chat whose senders are written in lower case (`sara: next one at mine` then
    /// `warren: ok!`) counts the same way.
    fn given_word_speaker(&self, i: usize) -> bool {
        let w = &self.words[i];
        !self.caps_mode
            && !self.lower_mode
            && matches!(w.shape, Shape::Cap | Shape::Lower)
            && w.end - w.start >= 3
            && self.has(i, flag::FIRST)
            && !self.has(
                i,
                super::person::NOT_A_PERSON
                    | flag::LABEL
                    | flag::VOCAB
                    | flag::NEVER_NAME
                    | flag::STOP
                    | flag::PLACE_LABEL,
            )
    }

    /// `Adesojika: pt in room 4 is ready`, `GUNVIN: PT IN ROOM 4 IS READY`: a line (or a
    /// sentence: `... no adverse events. Aralmim: pt in room 4 is ready`) that opens with one word no list holds and a colon, then a message with a verb (`is`,
    /// `can`, `will` or a verb of speech within its first six words), is a chat message
    /// and the word its sender or addressee. In mixed case the message opens in lower case
    /// (a note's section heading opens its text with a capital).
    pub(super) fn mark_chat_speaker(&self, i: usize, marks: &mut [Option<PhiType>]) {
        let j = i + 1;
        // `Selamawit: can u send me …` then `Selamawit: thx. and her email?`: a sender
        // found on an earlier line opening a chat line is the sender wherever a line opens
        // with it, verb or not (stop 58).
        if marks[i].is_none()
            && (self.unlisted_word(i) || self.given_word_speaker(i))
            && self.text[self.words[i].end..].starts_with(b": ")
            && self.opens_sender_line(self.words[i].start)
            && (self.sender_found_before(i, marks)
                || self.given_word_speaker(i) && self.opens_alternating_turns(i))
        {
            marks[i] = Some(PhiType::Name);
            return;
        }
        // `Pawlu: can u send me Borg's number` then `Ġorġ: 9975 1930`: a line opening with
        // a word no list holds and `: ` under a line whose sender is found is the one who
        // answers, verb or not (stop 61).
        if marks[i].is_none()
            && (self.unlisted_word(i) || self.given_word_speaker(i))
            && self.text[self.words[i].end..].starts_with(b": ")
            && self.opens_sender_line(self.words[i].start)
            && (self.previous_line_sender_found(i, marks) || self.between_turns_of_one_sender(i))
        {
            marks[i] = Some(PhiType::Name);
            return;
        }
        // Six letters at least: a note's lines open with short headings and their
        // truncations (`Soc:`, `Disp:`, `Dispo:`, `Neuro:`) before text with a verb.
        if j >= self.words.len()
            || marks[i].is_some()
            || self.words[i].end - self.words[i].start < 6
            || !self.unlisted_word(i)
        {
            return;
        }
        let before = &self.text[..self.words[i].start];
        // A chat export joins messages with spaces as often as with line breaks: after a
        // sentence's end is a message's start too.
        let opens_line = before.is_empty()
            || before.ends_with(b"\n")
            || [b". ", b"? ", b"! "]
                .iter()
                .any(|end| before.ends_with(*end));
        if !opens_line
            || self.text[self.words[i].end..self.words[j].start] != *b": "
            || !self.run_word(i)
            || self.compound(i)
        {
            return;
        }
        let cased = self.caps_mode || self.lower_mode || self.words[j].shape == Shape::Lower;
        let line_end = self.text[self.words[j].start..]
            .iter()
            .position(|c| *c == b'\n')
            .map_or(self.text.len(), |p| self.words[j].start + p);
        let verb = (j..self.words.len().min(j + 6))
            .take_while(|&k| self.words[k].end <= line_end)
            .any(|k| {
                self.has(k, flag::COPULA | flag::PERSON_VERB)
                    || ["can", "will", "pls", "please"]
                        .iter()
                        .any(|w| self.word_is(k, w.as_bytes()))
            });
        if cased && verb {
            marks[i] = Some(PhiType::Name);
        }
    }

    /// `josh: running late` / `tekla: ok see you there`: in a chat log whose lines open with
    /// one lower-case word and `: ` (two such lines at least), a line's first word that is
    /// a listed name read in lower case (`Ctx::lower_name`), or a word of four letters or
    /// more that no list holds at all, is the sender. A note's lower-case headings (`plan:`,
    /// `neuro:`) are vocabulary, labels or cue words, never either.
    pub(super) fn mark_lower_speaker(&self, i: usize, marks: &mut [Option<PhiType>]) {
        let w = &self.words[i];
        if marks[i].is_some() || self.caps_mode || w.shape != Shape::Lower {
            return;
        }
        if !self.opens_sender_line(w.start) || !self.text[w.end..].starts_with(b": ") {
            return;
        }
        let digits = self.text[w.start..w.end].iter().any(u8::is_ascii_digit);
        // A word no list holds is also a note's truncated or misspelt heading (`disp:`,
        // `metab:`, `acess:`): it is a sender only before a message in a chat's words.
        let unknown = || {
            w.flags == 0
                && w.end - w.start >= 4
                && !digits
                && !self.misspelt(&self.text[w.start..w.end])
                && !self.compound(i)
                && self.chat_message_after(i)
        };
        // `tommy:` or `faith:` under `anders jensen:`: a listed given name that is also a
        // word (`faith`, `sara`, `flora`) is a sender too where another line opens with a
        // sender that is surely a name in lower case (stop 49).
        let word_name = || !digits && self.lower_given(i) && self.sure_speaker_elsewhere(i);
        if (self.lower_name(i) || unknown() || word_name()) && self.chat_lines() {
            marks[i] = Some(PhiType::Name);
            return;
        }
        // `[17:01] tripti: send pin` after `[07:01] tripti: no still at work lol`: a sender
        // found on an earlier line of the chat is the sender wherever a line opens with it.
        if !digits && self.chat_lines() && self.sender_found_before(i, marks) {
            marks[i] = Some(PhiType::Name);
            return;
        }
        // `Jillian (support): hi, how can I help today?` then `kelly: my order never
        // came`: a line whose sender is a person found already makes the next line's
        // lower-case given name before `: ` (even one that is also a word) a sender too,
        // in a chat of one lower-case line (stop 51).
        // Under a found sender a word no list holds is a sender even where it is one letter
        // off a word (`thansand` beside `thousand`) or opens a town's name of two words
        // (`visnja`, of `Visnja Gora`): the misspelt heading this test keeps (`acess:`)
        // opens a note's line, not the line after a chat message.
        let unlisted_after_chat = || {
            flag::unknown(w.flags & !flag::PLACE_START)
                && w.end - w.start >= 4
                && !self.compound(i)
                && self.chat_message_after(i)
        };
        let given = !digits
            && (self.lower_name(i) || self.lower_given(i) || unknown() || unlisted_after_chat());
        if given && self.previous_line_sender_found(i, marks) {
            marks[i] = Some(PhiType::Name);
        }
    }

    /// The line before word `i`'s opens with a person found already (`marks`) whose name,
    /// maybe with a role in brackets, runs to `: ` within 40 bytes (`Jillian (support):`,
    /// `Agent Kayla:` is not: its first word is no person).
    fn previous_line_sender_found(&self, i: usize, marks: &[Option<PhiType>]) -> bool {
        let Some((prev_start, prev_end)) = self.line_before(self.words[i].start) else {
            return false;
        };
        // The first word of the previous line.
        let Some(k) = (0..i)
            .rev()
            .take_while(|&k| self.words[k].start >= prev_start)
            .last()
        else {
            return false;
        };
        if self.words[k].start != prev_start
            || !matches!(marks[k], Some(PhiType::Name | PhiType::ProviderName))
        {
            return false;
        }
        let line = &self.text[prev_start..prev_end];
        line.windows(2)
            .take(40)
            .position(|p| p == b": ")
            .is_some_and(|p| !line[..p].contains(&b'.'))
    }

    /// The start and end (its line break) of the line before the one that opens at
    /// `line_start`; none for the text's first line.
    fn line_before(&self, line_start: usize) -> Option<(usize, usize)> {
        let end = line_start.checked_sub(1)?;
        let start = self.text[..end]
            .iter()
            .rposition(|c| *c == b'\n')
            .map_or(0, |p| p + 1);
        Some((start, end))
    }

    /// `Pawlu: can u send me …` / `Zorvath: 9975 1930` / `Pawlu: thx`: the lines before and
    /// after word `i`'s open with one other capitalised word of no vocabulary before `: `,
    /// so word `i`'s line is the other side of a conversation. A note's headings do not
    /// take turns around another.
    fn between_turns_of_one_sender(&self, i: usize) -> bool {
        // Words are in text order: the first at or after a line's start is found by halves.
        let first_word_of_line = |start: usize| {
            let k = self.words.partition_point(|w| w.start < start);
            (k < self.words.len() && self.opens_sender_line(self.words[k].start)).then_some(k)
        };
        let line_start = self.words[i].start;
        let Some((prev_start, _)) = self.line_before(line_start) else {
            return false;
        };
        let Some(next_start) = self.text[line_start..]
            .iter()
            .position(|c| *c == b'\n')
            .map(|p| line_start + p + 1)
        else {
            return false;
        };
        let (Some(a), Some(b)) = (
            first_word_of_line(prev_start),
            first_word_of_line(next_start),
        ) else {
            return false;
        };
        let word = |k: usize| &self.text[self.words[k].start..self.words[k].end];
        let sender = |k: usize| {
            self.words[k].shape == Shape::Cap
                && self.words[k].flags & NOT_UNLISTED == 0
                && self.text[self.words[k].end..].starts_with(b": ")
        };
        a < i && b > i && word(a) == word(b) && word(a) != word(i) && sender(a) && sender(b)
    }

    /// Another line of the text opens with a sender (one to three words before `: `) whose
    /// first word is surely a name in lower case (`Ctx::lower_given_sure`) and is not the
    /// word of word `i` (`anders jensen:` for `tommy:`).
    fn sure_speaker_elsewhere(&self, i: usize) -> bool {
        let word = &self.text[self.words[i].start..self.words[i].end];
        (0..self.words.len()).any(|k| {
            let w = &self.words[k];
            let opens_line = self.opens_sender_line(w.start);
            let speaker = || {
                (k..self.words.len().min(k + 3)).any(|z| {
                    let end = self.words[z].end;
                    self.text[end..].starts_with(b": ") && !self.text[w.start..end].contains(&b'\n')
                })
            };
            k != i
                && opens_line
                && self.text[w.start..w.end] != *word
                && speaker()
                && self.lower_given_sure(k)
        })
    }

    /// `jonas strand: where r u` / `vidar: stuck on the bus`: in a chat log (`chat_lines`) a
    /// line opening with two lower-case words and `: ` is a sender's given name and surname
    /// when the first is a listed given name (even one that is also a word) or surely a
    /// name, and the second a listed surname or a word no list holds that is no vocabulary.
    pub(super) fn mark_lower_two_word_speaker(&self, i: usize, marks: &mut [Option<PhiType>]) {
        let j = i + 1;
        let w = &self.words[i];
        if j >= self.words.len()
            || marks[i].is_some() && marks[j].is_some()
            || self.caps_mode
            || w.shape != Shape::Lower
            || self.words[j].shape != Shape::Lower
            || !self.opens_sender_line(w.start)
            || self.text[w.end..self.words[j].start] != *b" "
            || !self.text[self.words[j].end..].starts_with(b": ")
        {
            return;
        }
        let digits = |k: usize| {
            self.text[self.words[k].start..self.words[k].end]
                .iter()
                .any(u8::is_ascii_digit)
        };
        let given = self.lower_given(i) || self.lower_given_sure(i);
        // A surname that is also an English word (`strand`) only after a sure given name.
        let word_like = flag::VOCAB | flag::STOP | flag::NEVER_NAME | NOT_A_PERSON;
        let english_ok = !self.has(j, flag::ENGLISH) || self.lower_given_sure(i);
        let surname = self.has(j, flag::LAST) && !self.has(j, word_like) && english_ok
            || self.unlisted_word(j) && self.words[j].flags == 0;
        if given && surname && !digits(i) && !digits(j) && self.chat_lines() {
            marks[i] = Some(PhiType::Name);
            marks[j] = Some(PhiType::Name);
        }
    }

    /// The first six words of the line after word `i` hold a word of chat (`lol`, `ok`,
    /// `you`): a message, not the text of a note's heading.
    fn chat_message_after(&self, i: usize) -> bool {
        // Not `no`, `will` or `i`: notes write `no hx`, `will cont` and `i spoke` too.
        const CHAT: [&[u8]; 16] = [
            b"me", b"you", b"u", b"ur", b"lol", b"omg", b"ok", b"okay", b"yes", b"yeah", b"yep",
            b"thx", b"thanks", b"hi", b"hey", b"haha",
        ];
        let line_end = self.text[self.words[i].end..]
            .iter()
            .position(|c| *c == b'\n')
            .map_or(self.text.len(), |p| self.words[i].end + p);
        (i + 1..self.words.len().min(i + 7))
            .take_while(|&k| self.words[k].end <= line_end)
            .any(|k| CHAT.iter().any(|w| self.word_is(k, w)))
    }

    /// Two lines of the text or more open with a lower-case speaker and `: ` (a chat log):
    /// one to three lower-case words (a given name and a surname, `antoinette o claonain`,
    /// hyphens and letters outside ASCII inside them) of at most 30 bytes.
    fn chat_lines(&self) -> bool {
        let speaker = |line: &[u8]| {
            let n = line
                .iter()
                // `l'liexdith: omg`: an apostrophe inside a sender's name too (stop 67).
                .take_while(|&&c| {
                    c.is_ascii_lowercase() || matches!(c, b' ' | b'-' | b'\'' | 0x80..)
                })
                .count();
            let words = line[..n]
                .split(|c| *c == b' ')
                .filter(|w| !w.is_empty())
                .count();
            (2..=30).contains(&n)
                && (1..=3).contains(&words)
                && line[0] != b' '
                && line[n..].starts_with(b": ")
        };
        self.text
            .split(|c| *c == b'\n')
            .filter(|line| speaker(after_chat_stamp(line)))
            .nth(1)
            .is_some()
    }

    /// Byte `at` opens a line, or opens it past a chat export's time stamp (`[08:28] `,
    /// `12/03/2021, 14:22 - `): where a chat line's sender stands.
    pub(super) fn opens_sender_line(&self, at: usize) -> bool {
        if at == 0 || self.text[at - 1] == b'\n' {
            return true;
        }
        // A stamp is short: the line opens within 40 bytes before `at` or not at all (a
        // scan back to the line's start would cost the length of a text of one line at
        // every word of it).
        let from = at.saturating_sub(40);
        let line_start = match self.text[from..at].iter().rposition(|c| *c == b'\n') {
            Some(p) => from + p + 1,
            None if from == 0 => 0,
            None => return false,
        };
        let line = &self.text[line_start..];
        line_start + (line.len() - after_chat_stamp(line).len()) == at
    }

    /// `Faith: can u send me …` / `Samuel: +234 …` / `Faith: thx`: the line word `i` opens
    /// as a sender is answered on the next line by another sender, a given name or a word
    /// no list holds, and a later line opens with word `i`'s word again. The turns of a
    /// chat, read before either sender is found (the first line has no found line above).
    fn opens_alternating_turns(&self, i: usize) -> bool {
        let first_word_of_line = |start: usize| {
            let k = self.words.partition_point(|w| w.start < start);
            (k < self.words.len() && self.opens_sender_line(self.words[k].start)).then_some(k)
        };
        let next_line = |from: usize| {
            self.text[from..]
                .iter()
                .position(|c| *c == b'\n')
                .map(|p| from + p + 1)
        };
        let word = |k: usize| &self.text[self.words[k].start..self.words[k].end];
        let sender = |k: usize| {
            self.words[k].shape == Shape::Cap && self.text[self.words[k].end..].starts_with(b": ")
        };
        let Some(b) = next_line(self.words[i].start).and_then(first_word_of_line) else {
            return false;
        };
        if !(sender(b)
            && word(b) != word(i)
            && (self.given_word_speaker(b) || self.unlisted_word(b)))
        {
            return false;
        }
        // The same sender again within the next few lines.
        let mut at = self.words[b].start;
        for _ in 0..4 {
            let Some(k) = next_line(at).and_then(first_word_of_line) else {
                return false;
            };
            if sender(k) && word(k) == word(i) {
                return true;
            }
            at = self.words[k].start;
        }
        false
    }

    /// An earlier line of the text opens (past its time stamp) with word `i`'s word before
    /// `: `, and that word was found a person there (`marks`).
    fn sender_found_before(&self, i: usize, marks: &[Option<PhiType>]) -> bool {
        let word = &self.text[self.words[i].start..self.words[i].end];
        (0..i).any(|k| {
            let w = &self.words[k];
            matches!(marks[k], Some(PhiType::Name))
                && self.text[w.start..w.end].eq_ignore_ascii_case(word)
                && self.text[w.end..].starts_with(b": ")
                && self.opens_sender_line(w.start)
        })
    }

    /// Word `k` is a word no list holds (`Ctx::unlisted_word`) that is no misspelling of a
    /// known word and no adverb: where capitals tell nothing, `pt remaines intubated`, `PT
    /// REMIANS SEDATED`, `pt quicly became` and `PT NASOTRACHEALLY SUCTIONED` have the
    /// shape of a person before a verb.
    pub(super) fn run_word(&self, k: usize) -> bool {
        let w = &self.text[self.words[k].start..self.words[k].end];
        self.unlisted_word(k) && !self.adverb(k) && !self.misspelt(w)
    }

    /// Word `k` ends in `ly` and has six letters or more: an adverb, even misspelt
    /// (`independantly`), never a name.
    pub(super) fn adverb(&self, k: usize) -> bool {
        let w = &self.text[self.words[k].start..self.words[k].end];
        w.len() >= 6 && w[w.len() - 2..].eq_ignore_ascii_case(b"ly")
    }

    /// Word `k` is two known words written as one (`waitlist`, `bedside`), each of three
    /// letters or more: a compound of the vocabulary, not a name.
    pub(super) fn compound(&self, k: usize) -> bool {
        let w = self.text[self.words[k].start..self.words[k].end].to_ascii_lowercase();
        let known = |c: &[u8]| {
            self.lexicon
                .words
                .get_word(c)
                .is_some_and(|f| f & (flag::ENGLISH | flag::VOCAB) != 0)
        };
        (3..w.len().saturating_sub(2)).any(|p| known(&w[..p]) && known(&w[p..]))
    }

    /// `w` (six letters or more) is one edit from a known English or clinical word: a letter
    /// dropped, added, changed or two swapped (`remaines`, `recieving`, `apetite`). Shorter
    /// words are left alone: most short names are one edit from some word (`Fely`, `fly`).
    pub(super) fn misspelt(&self, w: &[u8]) -> bool {
        misspelt_word(self.lexicon, w)
    }
}

/// [`Ctx::misspelt`]'s test, for the readings outside the lexicon's too (stop 57:
/// `facility`, a ward after `transfered to`).
/// `line` past a chat export's time stamp and the spaces after it (`[08:28] `, `[12/03/2021,
/// 14:22] `, `12/03/2021, 14:22 - `), or `line` itself when it opens with none. A stamp is
/// digits, `:` (at least one), `/`, `.`, `,`, `-`, spaces and `AM`/`PM` letters: bracketed,
/// or before ` - ` (a line opening with a bare time is a note's entry, not a chat's).
fn after_chat_stamp(line: &[u8]) -> &[u8] {
    let stamp = |inner: &[u8]| {
        inner.len() <= 26
            && inner.contains(&b':')
            && inner.first().is_some_and(u8::is_ascii_digit)
            && inner
                .iter()
                .all(|c| c.is_ascii_digit() || b":/.,- AaPpMm".contains(c))
    };
    let rest = if let Some(inner) = line.strip_prefix(b"[") {
        match inner.iter().take(27).position(|c| *c == b']') {
            Some(close) if stamp(&inner[..close]) => {
                let rest = inner[close + 1..].trim_ascii_start();
                rest.strip_prefix(b"- ").unwrap_or(rest)
            }
            _ => return line,
        }
    } else {
        match line.windows(3).take(28).position(|w| w == b" - ") {
            Some(dash) if stamp(&line[..dash]) => &line[dash + 3..],
            _ => return line,
        }
    };
    rest.trim_ascii_start()
}

pub(crate) fn misspelt_word(lexicon: &super::Lexicon, w: &[u8]) -> bool {
    if w.len() < 6 || w.len() > 24 || !w.iter().all(u8::is_ascii_alphabetic) {
        return false;
    }
    let lower = w.to_ascii_lowercase();
    // Every candidate is lower-case ASCII, and the rare tier's words carry neither flag
    // asked for: the maps alone answer (up to 24 × 53 look-ups a word, so the saved
    // case folding and second probe are most of this reading's cost).
    const _: () = assert!(flag::RARE & (flag::ENGLISH | flag::VOCAB) == 0);
    let known = |c: &[u8]| {
        lexicon
            .words
            .get_listed_lower(c)
            .is_some_and(|f| f & (flag::ENGLISH | flag::VOCAB) != 0)
    };
    let mut c = Vec::with_capacity(lower.len() + 1);
    for p in 0..lower.len() {
        // Dropped letter: the word with one letter fewer.
        c.clear();
        c.extend_from_slice(&lower[..p]);
        c.extend_from_slice(&lower[p + 1..]);
        if known(&c) {
            return true;
        }
        // Swapped neighbours.
        if p + 1 < lower.len() && lower[p] != lower[p + 1] {
            c.clear();
            c.extend_from_slice(&lower);
            c.swap(p, p + 1);
            if known(&c) {
                return true;
            }
        }
    }
    for p in 0..=lower.len() {
        for letter in b'a'..=b'z' {
            // A letter missing at `p`, or the letter at `p` changed.
            c.clear();
            c.extend_from_slice(&lower[..p]);
            c.push(letter);
            c.extend_from_slice(&lower[p..]);
            if known(&c) {
                return true;
            }
            if p < lower.len() && lower[p] != letter {
                c.clear();
                c.extend_from_slice(&lower);
                c[p] = letter;
                if known(&c) {
                    return true;
                }
            }
        }
    }
    false
}
