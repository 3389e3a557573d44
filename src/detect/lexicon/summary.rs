//! The per-word summary that decides which readings of the lexicon pass run at a word
//! (issue 19).
//!
//! The first pass asks ~90 readings of every word, and each reading opens with its own test
//! of the word (its shape in the text's case, a flag, the gap after it, a neighbour's flag),
//! most of which fail for most words. Here each word is summarised once — its shape in the
//! text's case, whether it is a listed name or a word no list holds, a few byte tests — and
//! each reading names a necessary condition for it to mark anything at that word: a set of
//! summary bits (any of them) and a set of the word's own flags (any of them; none named:
//! no flag needed). A reading whose condition fails returns before reading `marks` or
//! writing them in every case, so it is skipped; the others run in their order, unchanged.
//!
//! Each condition is taken from the reading's own opening test (an early `return` that reads
//! only the word, the text's case and its neighbours' flags), never from a guess about the
//! text. The test below runs every skipped reading on a copy of the marks and checks that it
//! changes nothing. A new reading is added to [`readings!`] below with [`ANY_WORD`] and no
//! flags until its opening test is read.

use super::words::Shape;
use super::{flag, Ctx};
use crate::phi::PhiType;

/// The text's case as the readings read it: neither (`MIXED`), `caps_mode` or `lower_mode`
/// (never both: a text is upper when its capitals outnumber twice its lower-case letters,
/// lower when capitals are fewer than one letter in fifty).
const MIXED: u8 = 1;
const CAPS: u8 = 2;
const LOWER: u8 = 4;
const ANY_CASE: u8 = MIXED | CAPS | LOWER;
const NOT_CAPS: u8 = MIXED | LOWER;
const ONE_CASE: u8 = CAPS | LOWER;

/// A word's shape, as one bit each.
const CAP: u8 = 1;
const UPPER: u8 = 2;
const LOW: u8 = 4;
const MIX: u8 = 8;
const ANY_SHAPE: u8 = CAP | UPPER | LOW | MIX;

/// Bits 0–11 of a summary: the word's shape in the text's case (one of twelve, exactly one
/// set): bit `4 * case + shape`.
const fn cased(cases: u8, shapes: u8) -> u64 {
    let mut bits = 0u64;
    let mut c = 0;
    while c < 3 {
        let mut s = 0;
        while s < 4 {
            if cases & (1 << c) != 0 && shapes & (1 << s) != 0 {
                bits |= 1 << (4 * c + s);
            }
            s += 1;
        }
        c += 1;
    }
    bits
}

/// Set for every word: the readings with no test of their own word to skip on.
const ANY_WORD: u64 = 1 << 12;
/// `unlisted::unlisted`: the word may be a name no list holds.
const UNLISTED: u64 = 1 << 13;
/// `Ctx::dictionary_name`.
const DICTIONARY: u64 = 1 << 14;
/// `Ctx::name_shaped`.
const NAME_SHAPED: u64 = 1 << 15;
/// A next word follows after exactly `, `.
const GAP_COMMA: u64 = 1 << 16;
/// A byte outside ASCII in the word, or an accent the view dropped inside it.
const NOT_ASCII: u64 = 1 << 17;
/// A word of one byte.
const ONE_BYTE: u64 = 1 << 18;
/// The word before is `pt` (any case).
const AFTER_PT: u64 = 1 << 19;
/// The word has [`flag::CONTACT`] or opens with `f` (`follow`, `f/u`).
const CONTACT_OR_F: u64 = 1 << 20;
/// The next word has [`flag::CONTACT`].
const NEXT_CONTACT: u64 = 1 << 21;
/// The word after the next has [`flag::CONTACT`].
const SECOND_CONTACT: u64 = 1 << 22;
/// `pt` or `patient` (any case).
const PATIENT: u64 = 1 << 23;
/// `per` (any case).
const PER: u64 = 1 << 24;
/// `call` (any case).
const CALL: u64 = 1 << 25;
/// `is` (any case).
const IS: u64 = 1 << 26;
/// `with` (any case).
const WITH: u64 = 1 << 27;
/// Right after `@`, `#` or `"`.
const AFTER_SIGIL: u64 = 1 << 28;
/// Five letters or more, all ASCII letters, in a shape other than mixed.
const LONG_LETTERS: u64 = 1 << 29;
/// `flag::unknown` of the word's flags.
const UNKNOWN: u64 = 1 << 30;
/// A word no list holds at the word, the next or the one after.
const UNLISTED_NEAR: u64 = 1 << 31;
/// The word opens the text or a line, or a chat line past its time stamp (`[08:28] tripti:`,
/// where the chat-sender readings read a line's opening word too; general58 and speed58 met
/// at merge).
const LINE_START: u64 = 1 << 32;
/// Right after ` - `.
const AFTER_SPACED_DASH: u64 = 1 << 33;
/// The word before ends right before `, `.
const COMMA_BEFORE: u64 = 1 << 34;
/// The next word has [`flag::RELATION`].
const NEXT_RELATION: u64 = 1 << 35;
/// The next word is `and`, or ` & ` stands between the word and the one after the next.
const AND_NEXT: u64 = 1 << 36;
/// The word before is `it's`, `its`, `is` or `of` (any case): the end of an introduction
/// (`this is`, `proud of`).
const AFTER_INTRO: u64 = 1 << 37;

const CAP_NOT_CAPS: u64 = cased(NOT_CAPS, CAP);
const LOWER_NOT_CAPS: u64 = cased(NOT_CAPS, LOW);
const CAP_MIXED: u64 = cased(MIXED, CAP);
const LOWER_MIXED: u64 = cased(MIXED, LOW);
const IN_ONE_CASE: u64 = cased(ONE_CASE, ANY_SHAPE);

/// The readings of the first pass in their order, each with the summary bits (any) and the
/// word's flags (any; 0: none needed) it needs to mark anything at a word. Generates
/// [`Reading`], [`READINGS`] and [`Ctx::run_reading`].
macro_rules! readings {
    ($($name:ident: $bits:expr, $flags:expr;)*) => {
        #[allow(non_camel_case_types, clippy::enum_variant_names)]
        #[derive(Clone, Copy, Debug)]
        enum Reading {
            $($name,)*
        }

        /// (reading, summary bits, flags) in the order the readings run.
        const READINGS: &[(Reading, u64, u64)] = &[$((Reading::$name, $bits, $flags),)*];

        impl Ctx<'_> {
            fn run_reading(&self, r: Reading, i: usize, marks: &mut [Option<PhiType>]) {
                match r {
                    $(Reading::$name => self.$name(i, marks),)*
                }
            }
        }
    };
}

readings! {
    mark_cued: ANY_WORD,
        flag::STRONG_CUE | flag::RELATION | flag::NAME_CUE | flag::NAME_INTRO | flag::LABEL;
    // The `law` of an in-law: an English word (`patterns/words/english.txt`).
    mark_cued_in_law: ANY_WORD, flag::ENGLISH;
    mark_dictionary: DICTIONARY, 0;
    mark_before_born: CAP_NOT_CAPS, 0;
    mark_lower_name_before_age: LOWER_NOT_CAPS, 0;
    mark_name_before_orientation: AFTER_PT, 0;
    mark_after_role: ANY_WORD, flag::ROLE;
    mark_foreign_name: NOT_ASCII, 0;
    mark_other_script: NOT_ASCII, 0;
    mark_last_first: GAP_COMMA, 0;
    mark_credentialed: ANY_WORD, flag::CREDENTIAL;
    mark_facility: ANY_WORD, flag::FACILITY;
    mark_place: ANY_WORD, flag::PLACE_CUE;
    mark_gazetteer_phrases: NAME_SHAPED, 0;
    mark_ward: LONG_LETTERS, 0;
    mark_named_shop: UNLISTED | UNKNOWN, 0;
    mark_hospital_acronym: cased(ANY_CASE, UPPER), 0;
    mark_unknown_after_preposition: CAP_NOT_CAPS, 0;
    mark_unknown_pair: CAP_NOT_CAPS, 0;
    mark_initial_surname: ONE_BYTE, 0;
    mark_numbered_name: ANY_WORD, flag::NUMBERED;
    mark_possessive_before_relation: CAP_NOT_CAPS, 0;
    mark_possessive_name: cased(MIXED, CAP | UPPER), 0;
    mark_role_line: cased(MIXED, UPPER), flag::CREDENTIAL | flag::ROLE;
    mark_credential_line: ANY_WORD, flag::CREDENTIAL;
    mark_signature: cased(ANY_CASE, CAP), 0;
    mark_one_case_signature: IN_ONE_CASE, 0;
    mark_one_case_salutation: IN_ONE_CASE, 0;
    mark_lower_pair_contact: cased(LOWER, ANY_SHAPE), flag::FIRST;
    mark_on_call: CALL, 0;
    mark_after_contact: CONTACT_OR_F, 0;
    mark_before_contact: NEXT_CONTACT, 0;
    mark_pair_before_contact: SECOND_CONTACT, 0;
    mark_after_patient: PATIENT, 0;
    mark_after_opener: ANY_WORD, flag::OPENER | flag::GREETING_END;
    mark_exclaimed_vocative: UNLISTED, 0;
    mark_after_opener_link: ANY_WORD, flag::OPENER;
    mark_per_comma: PER, 0;
    mark_list_item: UNLISTED | DICTIONARY, 0;
    mark_one_case_town: IN_ONE_CASE, 0;
    mark_before_person_verb: UNLISTED, 0;
    mark_is_on_duty: UNLISTED, 0;
    mark_listed_first_before_person_verb: CAP_MIXED, 0;
    mark_word_name_before_predicate: CAP_NOT_CAPS, flag::FIRST;
    mark_word_name_in_apposition: CAP_NOT_CAPS, flag::FIRST;
    mark_word_name_inside_clause: CAP_NOT_CAPS, flag::FIRST;
    mark_lower_first_name: LOWER_MIXED, flag::NAME;
    mark_relative_in_parentheses: cased(NOT_CAPS, ANY_SHAPE), flag::RELATION;
    mark_handle: AFTER_SIGIL, 0;
    mark_unlisted_last_first: GAP_COMMA, 0;
    mark_after_place_label: ANY_WORD, flag::PLACE_LABEL | flag::PLACE_FIELD;
    mark_before_region: GAP_COMMA, 0;
    mark_one_case_pair: IN_ONE_CASE, 0;
    mark_unlisted_after_contact: ANY_WORD, flag::CONTACT;
    mark_run_after_patient: PATIENT, 0;
    mark_run_in_person_field: IN_ONE_CASE, flag::PERSON_FIELD | flag::LABEL | flag::RELATION;
    mark_run_after_relation: IN_ONE_CASE, 0;
    mark_run_after_advice: IN_ONE_CASE, flag::ADVICE;
    mark_run_after_identity: IS, 0;
    mark_run_before_verb: UNLISTED, 0;
    mark_run_with_company: WITH, 0;
    mark_run_after_person_head: IN_ONE_CASE, 0;
    mark_chat_speaker: UNLISTED | cased(MIXED, CAP | LOW), 0;
    mark_lower_speaker: LINE_START, 0;
    mark_lower_two_word_speaker: LINE_START, 0;
    mark_lower_contact_subject: LOWER_NOT_CAPS, 0;
    mark_caps_last_first_cell: GAP_COMMA, 0;
    mark_quoted_last_first_cell: AFTER_SIGIL, 0;
    mark_lower_given_surname: LOWER_MIXED, flag::FIRST;
    mark_lower_name_after_relation: LOWER_MIXED, flag::FIRST;
    mark_after_handover: CAP_MIXED, 0;
    mark_before_request_to: CAP_MIXED, 0;
    mark_word_name_after_head: CAP_NOT_CAPS, flag::FIRST;
    mark_word_name_before_age: CAP_NOT_CAPS, flag::FIRST;
    mark_salutation_name: CAP_NOT_CAPS, 0;
    mark_given_before_phone: CAP_NOT_CAPS, flag::FIRST;
    mark_lower_dash_signature: AFTER_SPACED_DASH, 0;
    mark_framed_name: AFTER_INTRO, 0;
    mark_given_from_number: cased(ANY_CASE, LOW | CAP), flag::FIRST;
    mark_vocative_name: CAP_NOT_CAPS, 0;
    mark_lower_name_in_slot: LOWER_MIXED, flag::FIRST;
    mark_lower_pair_in_slot: LOWER_MIXED, 0;
    mark_slot_unlisted_pair: cased(LOWER, LOW) | cased(CAPS, UPPER), 0;
    mark_lower_word_name_in_slot: LOWER_MIXED, flag::FIRST;
    mark_lower_name_before_relation: NEXT_RELATION, 0;
    mark_lower_greeted_name: LOWER_NOT_CAPS, 0;
    mark_lower_vocative_before_request: COMMA_BEFORE, 0;
    mark_lower_name_pair: AND_NEXT, 0;
    mark_lower_patronymic: LOWER_MIXED, 0;
    mark_family_surname: CAP_MIXED, 0;
    mark_before_care_of: CAP_NOT_CAPS, 0;
    mark_absent_subject: CAP_MIXED, 0;
    mark_hashtag_place: AFTER_SIGIL, 0;
    mark_name_shape: ANY_WORD, 0;
    mark_town_shape: UNLISTED_NEAR, 0;
    mark_lone_unlisted: CAP_MIXED, 0;
    mark_one_case_unlisted_pair: IN_ONE_CASE, 0;
    mark_after_signature_delimiter: LINE_START, 0;
    mark_before_and_i: AND_NEXT, 0;
}

/// The readings as a set, one bit each in [`READINGS`]' order (at most 128).
type ReadingSet = u128;

/// For each summary bit, the readings it lets run; for each flag, the readings it lets
/// run; the readings that need no flag; every flag some reading needs.
struct Tables {
    by_bit: [ReadingSet; 64],
    by_flag: [ReadingSet; 64],
    no_flag: ReadingSet,
    flags: u64,
}

const TABLES: Tables = tables();

const fn tables() -> Tables {
    assert!(READINGS.len() <= 128, "a reading set is a u128");
    let mut t = Tables {
        by_bit: [0; 64],
        by_flag: [0; 64],
        no_flag: 0,
        flags: 0,
    };
    let mut r = 0;
    while r < READINGS.len() {
        let (_, bits, flags) = READINGS[r];
        assert!(bits != 0, "every reading runs on some summary bit");
        let one: ReadingSet = 1 << r;
        let mut b = 0;
        while b < 64 {
            if bits & (1 << b) != 0 {
                t.by_bit[b] |= one;
            }
            if flags & (1 << b) != 0 {
                t.by_flag[b] |= one;
            }
            b += 1;
        }
        if flags == 0 {
            t.no_flag |= one;
        }
        t.flags |= flags;
        r += 1;
    }
    t
}

/// The union of `table`'s entries at the set bits of `bits`.
fn union_at(mut bits: u64, table: &[ReadingSet; 64]) -> ReadingSet {
    let mut set = 0;
    while bits != 0 {
        set |= table[bits.trailing_zeros() as usize];
        bits &= bits - 1;
    }
    set
}

impl Ctx<'_> {
    /// Runs the first pass's readings at word `i`, in order, skipping those whose
    /// condition its summary fails.
    pub(super) fn read_word(&self, i: usize, marks: &mut [Option<PhiType>]) {
        let mut active = self.may_read(i);
        while active != 0 {
            let r = active.trailing_zeros() as usize;
            active &= active - 1;
            self.run_reading(READINGS[r].0, i, marks);
        }
    }

    /// The readings whose condition word `i` meets.
    fn may_read(&self, i: usize) -> ReadingSet {
        let by_bits = union_at(self.summary(i), &TABLES.by_bit);
        let flags = self.words[i].flags & TABLES.flags;
        by_bits & (TABLES.no_flag | union_at(flags, &TABLES.by_flag))
    }

    /// Word `i`'s summary bits (see the constants above).
    fn summary(&self, i: usize) -> u64 {
        let w = &self.words[i];
        let word = &self.text[w.start..w.end];
        let case = if self.caps_mode {
            CAPS
        } else if self.lower_mode {
            LOWER
        } else {
            MIXED
        };
        let shape = match w.shape {
            Shape::Cap => CAP,
            Shape::Upper => UPPER,
            Shape::Lower => LOW,
            Shape::Mixed => MIX,
        };
        let has = |k: usize, f: u64| self.words.get(k).is_some_and(|x| x.flags & f != 0);
        let unlisted = |k: usize| self.unlisted.get(k).copied().unwrap_or(false);
        let mut s = ANY_WORD | cased(case, shape);
        let mut set = |bit: u64, on: bool| {
            if on {
                s |= bit;
            }
        };
        set(UNLISTED, self.unlisted[i]);
        set(DICTIONARY, self.dictionary_name(i));
        // A word in lower case is never name-shaped: its bytes are not read.
        set(NAME_SHAPED, w.shape != Shape::Lower && self.name_shaped(i));
        set(
            GAP_COMMA,
            self.words
                .get(i + 1)
                .is_some_and(|n| &self.text[w.end..n.start] == b", "),
        );
        set(NOT_ASCII, w.accented || !word.is_ascii());
        set(ONE_BYTE, word.len() == 1);
        set(AFTER_PT, i > 0 && self.word_is(i - 1, b"pt"));
        set(
            CONTACT_OR_F,
            w.flags & flag::CONTACT != 0 || matches!(word.first(), Some(b'f' | b'F')),
        );
        set(NEXT_CONTACT, has(i + 1, flag::CONTACT));
        set(SECOND_CONTACT, has(i + 2, flag::CONTACT));
        set(
            AFTER_SIGIL,
            w.start > 0 && matches!(self.text[w.start - 1], b'@' | b'#' | b'"'),
        );
        set(
            LONG_LETTERS,
            word.len() >= 5 && w.shape != Shape::Mixed && word.iter().all(u8::is_ascii_alphabetic),
        );
        set(UNKNOWN, flag::unknown(w.flags));
        set(
            UNLISTED_NEAR,
            unlisted(i) || unlisted(i + 1) || unlisted(i + 2),
        );
        set(
            LINE_START,
            w.start == 0
                || self.text[w.start - 1] == b'\n'
                || self.text[w.start - 1] == b' ' && self.opens_sender_line(w.start),
        );
        set(AFTER_SPACED_DASH, self.text[..w.start].ends_with(b" - "));
        set(
            COMMA_BEFORE,
            i > 0 && &self.text[self.words[i - 1].end..w.start] == b", ",
        );
        set(NEXT_RELATION, has(i + 1, flag::RELATION));
        set(
            AND_NEXT,
            self.words.get(i + 2).is_some_and(|k| {
                self.word_is(i + 1, b"and") || &self.text[w.end..k.start] == b" & "
            }),
        );
        set(
            AFTER_INTRO,
            i > 0
                && [&b"it's"[..], b"its", b"is", b"of"]
                    .iter()
                    .any(|w| self.word_is(i - 1, w)),
        );
        s | key_word(word)
    }

    /// [`Ctx::mark_gazetteer`] with the lexicon's place phrases.
    fn mark_gazetteer_phrases(&self, i: usize, marks: &mut [Option<PhiType>]) {
        self.mark_gazetteer(i, &self.lexicon.place_phrases, marks);
    }
}

/// The summary bit of the cue words the readings open on (`pt`, `patient`, `per`, `call`,
/// `is`, `with`), any case; 0 for any other word.
fn key_word(word: &[u8]) -> u64 {
    let is = |w: &[u8]| word.eq_ignore_ascii_case(w);
    match word.len() {
        2 if is(b"pt") => PATIENT,
        2 if is(b"is") => IS,
        3 if is(b"per") => PER,
        4 if is(b"call") => CALL,
        4 if is(b"with") => WITH,
        7 if is(b"patient") => PATIENT,
        _ => 0,
    }
}

#[cfg(test)]
impl Ctx<'_> {
    /// [`Ctx::read_word`] that runs every reading: the skipped ones on a copy of the
    /// marks, asserting that they change nothing.
    pub(super) fn read_word_checked(&self, i: usize, marks: &mut [Option<PhiType>]) {
        let active = self.may_read(i);
        for (r, &(reading, _, _)) in READINGS.iter().enumerate() {
            if active & (1 << r) != 0 {
                self.run_reading(reading, i, marks);
                continue;
            }
            let mut copy = marks.to_vec();
            self.run_reading(reading, i, &mut copy);
            let word = &self.text[self.words[i].start..self.words[i].end];
            assert_eq!(
                copy,
                marks,
                "{reading:?} skipped at word {i} ({:?}) marks",
                String::from_utf8_lossy(word)
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::lexicon::LexScratch;
    use crate::detect::Detector;
    use crate::patterns::Patterns;

    /// Texts that open the readings: synthetic notes and webhooks, and sentences written for
    /// the cues the summary reads (its key words, gaps, sigils, other scripts).
    fn texts() -> Vec<String> {
        let mut texts: Vec<String> = [
            "PAGE: pt Gill rm 252 BP 82/50. Pt Gill a+o x3. Pt. Muhaylov declined.",
            "Follow up with Sarah Ohlsen; f/u with kowalczyk. Spoke with ines about Grace's walker.",
            "Per Hervinbasla, the plan holds. per Orayn, ok. Call @jdoe or #Springfield today.",
            "\"Doe, John\",\"Roe, Jane\"\nSMITH, ANNA\nKowalczyk, Piotr\nDr. Åsa Lindqvist and Muñoz.",
            "昆陽街9段36號 张家港路M座 and ÓLAFUR LEONHARDSSON came. Is Amittepidan on call today?",
            "thank you Amittepidan! hey Micard, Thanks, Pauracio\nRegards,\nAnna\n- tomas\n",
            "Patient is a 45 year old. Sarah Kline is a nurse. NP Djuric saw pt. MD SPEARS, RN.",
            "Her daughter (Maria) visited with Tom and Jerry. Lives in Cedar Rapids, IA. SVMC ER.",
            "Delphine417 Kshlerin58 J. R. Tolkien, M. Allen; Haing Heights; Shannonbury pharmacy",
            "voicemail from maria. the team: riusz faroy, upka mehronov. ask Holly to sign it.",
            "anders jensen: are you coming\ntommy: yes\nfaith: ok see you then - mary\nOk, thanks",
            "[08:28] tanveer: hey r u home?\n[07:01] tripti: no still at work lol\n[17:01] tripti: send pin",
            "12/03/2021, 14:22 - lukasz: hey\n12/03/2021, 14:25 - angelika: ok see you",
            "Spoke with Dr. Lee. ok thanks, mary can you call back? maria (sister) and carol's \
             husband came; john and mary & sue visited. This is april bates calling, hi it's \
             rose page calling again. So proud of xanthia boesch from Löningen.",
            "when pacio kinger came in. pt is claldanza ojumbo, lives alone. spoke to ravusto \
             belkiny; frident oloyinle complained.",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for seed in [21, 57] {
            texts.extend(
                crate::synth::text_notes(seed, 12)
                    .into_iter()
                    .map(|d| d.text),
            );
            texts.extend(
                crate::synth::json_webhooks(seed, 3)
                    .into_iter()
                    .map(|d| d.text),
            );
        }
        // The same texts in one case: the readings of notes typed in capitals or in lower case.
        let one_case: Vec<String> = texts
            .iter()
            .flat_map(|t| [t.to_uppercase(), t.to_lowercase()])
            .collect();
        texts.extend(one_case);
        texts
    }

    /// Every reading a word's summary skips changes no mark when run (checked at each word,
    /// on the marks as the pass left them there), so the pass finds what running every
    /// reading at every word finds.
    #[test]
    fn the_readings_a_summary_skips_mark_nothing() {
        let d = Detector::build(&Patterns::builtin()).expect("built-in patterns");
        let lex = d.lexicon();
        let mut scratch = LexScratch::default();
        for text in texts() {
            let (mut checked, mut skipped) = (Vec::new(), Vec::new());
            lex.scan_reading(
                &text,
                &[],
                &mut scratch,
                &mut checked,
                |c: &Ctx<'_>, i, m: &mut [_]| c.read_word_checked(i, m),
            );
            lex.scan_reading(
                &text,
                &[],
                &mut scratch,
                &mut skipped,
                |c: &Ctx<'_>, i, m: &mut [_]| c.read_word(i, m),
            );
            assert_eq!(checked, skipped, "{text}");
        }
    }

    /// Every reading runs on some summary bit (an empty condition would drop it silently).
    #[test]
    fn every_reading_has_a_condition() {
        assert!(READINGS.len() <= 128);
        assert_eq!(
            TABLES.by_bit.iter().fold(0, |a, s| a | s).count_ones() as usize,
            READINGS.len()
        );
    }
}
