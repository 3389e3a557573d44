//! Names in the structures of clinical notes (issue 13, branch `notelists`): care teams,
//! sign-outs, family and contact lines, dictation footers, `cc:` lists and role labels,
//! where a clinician's or a relative's name sits in any case and is often in no list.
//!
//! Owns `patterns/text/structures.toml` (person labels, hand-off phrases, list headers,
//! roles, words skipped before a name) and four readings made from it, each over the whole
//! text after the other detectors have run:
//! - a **label-value** reader: a person label and its colon (or a table's `|`), then one or
//!   more names separated by `,`, `;`, `/`, `&` or `and`, each item ending at a role,
//!   credential, relation, punctuation or the line's end (`Attending: X`, `HCP: X (wife)`,
//!   `cc: X, MD; Y`, `Resident: X  Intern: Y`);
//! - a **hand-off** reader: the same values after a phrase with no colon (`signed out to X`,
//!   `d/w X`, `covering for X`, `Electronically signed by X`);
//! - a **list** reader: a numbered or bulleted line whose first item is a name followed by
//!   a role or credential (`1. X - PT`, `2) X (RN)`, `- X, MD`), and every line of a block
//!   under a header of people (`Care team:`, `Consultants`);
//! - **family** items anywhere: a name before a relation in brackets or after a dash
//!   (`X (son)`, `X - daughter`) or between commas after one (`his sister, X, called`).
//!
//! What a value may hold is judged with the lexicon's flags and the word's shape: a word no
//! list holds, or a listed name, written as a name for the note's case, never a word of the
//! vocabulary, a cue, a role or a credential (`Signed out to night float`, `cc: PCP`, `HCP:
//! wife`, `1. Metoprolol 25 mg - cardiology` hold none). Nothing here changes a word's flags,
//! so the tagger does not need retraining when the file changes.
//!
//! It cuts no words and counts no letters itself: it reads the scan's note words
//! ([`super::words::NoteWords`], shared with the facility pass) and the case the word table
//! read.

use serde::Deserialize;

use super::lexicon::flag;
use super::rules::{lower_phrase, lower_words, parse_toml};
use super::words::{NoteWord as Word, TextCase};
use super::RuleError;
use crate::phi::{PhiType, Span};

/// The file this module reads, under `patterns/`.
pub const FILE: &str = "text/structures.toml";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStructures {
    clinician_labels: Vec<String>,
    person_labels: Vec<String>,
    handoff_phrases: Vec<String>,
    meeting_phrases: Vec<String>,
    #[serde(default)]
    place_phrases: Vec<String>,
    skip_before_name: Vec<String>,
    roles: Vec<String>,
    list_headers: Vec<String>,
    value_enders: Vec<String>,
    service_words: Vec<String>,
    service_suffixes: Vec<String>,
    phone_column_headers: Vec<String>,
    // Optional so that a patterns directory written before it still loads.
    #[serde(default)]
    credentials_after_name: Vec<String>,
    #[serde(default)]
    value_labels: Vec<String>,
    #[serde(default)]
    eponym_heads: Vec<String>,
    #[serde(default)]
    eponym_compounds: Vec<String>,
    #[serde(default)]
    eponym_exams: Vec<String>,
    #[serde(default)]
    exam_results: Vec<String>,
    #[serde(default)]
    note_heading_words: Vec<String>,
    #[serde(default)]
    bracket_relations: Vec<String>,
}

/// A phrase of lower-case words.
type Phrase = Vec<Box<[u8]>>;

/// Phrases found by their first word (a linear pass over every phrase at each word was
/// half of this module's cost): each first word's phrases longest first, so the first one
/// that matches is the longest.
#[derive(Default)]
struct Phrases {
    by_first: rustc_hash::FxHashMap<Box<[u8]>, Vec<Phrase>>,
}

impl Phrases {
    /// The phrases of `list`, split into lower-case words; empty ones dropped.
    fn of(list: &[String]) -> Phrases {
        let mut by_first: rustc_hash::FxHashMap<Box<[u8]>, Vec<Phrase>> = Default::default();
        for p in list {
            let phrase: Phrase = lower_phrase(p);
            if let Some(first) = phrase.first() {
                by_first.entry(first.clone()).or_default().push(phrase);
            }
        }
        for phrases in by_first.values_mut() {
            // Stable: phrases of one length keep the file's order.
            phrases.sort_by_key(|p| std::cmp::Reverse(p.len()));
        }
        Phrases { by_first }
    }

    /// The phrases whose first word is `first` (lower case), longest first.
    fn starting(&self, first: &[u8]) -> &[Phrase] {
        self.by_first.get(first).map_or(&[], Vec::as_slice)
    }

    /// Every phrase, in no order.
    fn all(&self) -> impl Iterator<Item = &Phrase> {
        self.by_first.values().flatten()
    }

    /// The first word of every phrase.
    fn firsts(&self) -> impl Iterator<Item = &Box<[u8]>> {
        self.by_first.keys()
    }
}

/// The compiled lists (lower case); phrases are split into words.
#[derive(Default)]
pub struct Structures {
    clinician_labels: Phrases,
    person_labels: Phrases,
    handoff: Phrases,
    /// Phrases after which a patient's or relative's name follows (`spoke to X`, `met X`).
    meeting: Phrases,
    /// Phrases after which, in a note in one case, a town follows (`home visit in X`).
    places: Phrases,
    roles: Phrases,
    headers: Phrases,
    skip: rustc_hash::FxHashSet<Box<[u8]>>,
    /// Words that may follow a name where a value ends with no punctuation (`at`, `who`).
    enders: rustc_hash::FxHashSet<Box<[u8]>>,
    /// Endings of a service's or specialist's name (`-ology`, `-iatry`): never a name here.
    service_suffixes: Vec<Box<[u8]>>,
    /// Every word of a role or service (`nephrology`, `case`, `manager`): never a name here.
    role_words: rustc_hash::FxHashSet<Box<[u8]>>,
    /// The first word of every label, phrase, role and header: a word that is none of
    /// these starts nothing, so the phrases are compared only after one lookup.
    starts: rustc_hash::FxHashSet<Box<[u8]>>,
    /// Whole header cells of a text table's phone column, lower case ([`super::table`]).
    pub(crate) phone_column_headers: rustc_hash::FxHashSet<Box<[u8]>>,
    /// Credentials the lexicon does not flag, written after a name (`od`, `mbbs`), lower
    /// case: a word before one ends a name ([`super::grow`]).
    pub(crate) credentials_after_name: rustc_hash::FxHashSet<Box<[u8]>>,
    /// Labels of a bank value (`iban`, `sort code`), lower case ([`super::value_labels`]).
    pub(crate) value_labels: Vec<Box<[u8]>>,
    /// Words after a surname that make it an eponym (`Barrett esophagus`, `Murphy's sign`),
    /// lower case ([`super::eponyms`]).
    pub(crate) eponym_heads: rustc_hash::FxHashSet<Box<[u8]>>,
    /// Eponyms written as hyphenated surnames (`stevens-johnson`), lower case.
    pub(crate) eponym_compounds: rustc_hash::FxHashSet<Box<[u8]>>,
    /// Eponymous exam tests and grades (`neer`, `gleason`), lower case: no person before
    /// a result or a number.
    pub(crate) eponym_exams: rustc_hash::FxHashSet<Box<[u8]>>,
    /// Words of an exam's result after its eponym (`positive`, `negative`), lower case.
    pub(crate) exam_results: rustc_hash::FxHashSet<Box<[u8]>>,
    /// Words of a note's heading (`nursing progress note`), lower case.
    pub(crate) note_heading_words: rustc_hash::FxHashSet<Box<[u8]>>,
    /// People around a household the lexicon's relations do not hold, read in brackets
    /// after a name (`Tag (caretaker)`), lower case.
    bracket_relations: rustc_hash::FxHashSet<Box<[u8]>>,
}

/// Flags of a word that is never part of a name here, even a listed one: stop words, cues,
/// titles, roles, credentials, relations, labels, facility words and regions.
const NEVER_IN_NAME: u64 = flag::STOP
    | flag::CLINICAL
    | flag::CREDENTIAL
    | flag::ROLE
    | flag::LABEL
    | flag::RELATION
    | flag::PERSON_TITLE
    | flag::PROVIDER_TITLE
    | flag::FACILITY
    | flag::REGION
    | flag::NAME_CUE
    | flag::CONTACT
    | flag::PERSON_VERB
    | flag::DETERMINER
    | flag::PLACE_LABEL
    | flag::EPONYM_HEAD;

/// Flags of a word some list knows as vocabulary: a word with none of these (and no name
/// flag) is one no list holds.
const KNOWN_WORD: u64 = NEVER_IN_NAME | flag::ENGLISH | flag::COMMON | flag::VOCAB;

/// Most words one name runs to (`Maria de la Cruz`, `John A. Smith Jr`).
const MAX_NAME_WORDS: usize = 5;

/// Most lines a block under a header of people runs to.
const MAX_BLOCK_LINES: usize = 12;

impl Structures {
    /// Reads the lists; a file that does not parse names its line, never input text.
    pub fn build(source: &str) -> Result<Structures, RuleError> {
        let raw: RawStructures = parse_toml(&format!("patterns/{FILE}"), source)?;
        let set = |list: &[String]| lower_words(list).collect();
        let s = Structures {
            clinician_labels: Phrases::of(&raw.clinician_labels),
            person_labels: Phrases::of(&raw.person_labels),
            handoff: Phrases::of(&raw.handoff_phrases),
            meeting: Phrases::of(&raw.meeting_phrases),
            places: Phrases::of(&raw.place_phrases),
            roles: Phrases::of(&raw.roles),
            headers: Phrases::of(&raw.list_headers),
            skip: set(&raw.skip_before_name),
            enders: set(&raw.value_enders),
            service_suffixes: lower_words(&raw.service_suffixes).collect(),
            phone_column_headers: raw
                .phone_column_headers
                .iter()
                .map(|h| {
                    h.trim()
                        .to_ascii_lowercase()
                        .into_bytes()
                        .into_boxed_slice()
                })
                .collect(),
            credentials_after_name: set(&raw.credentials_after_name),
            value_labels: raw
                .value_labels
                .iter()
                .map(|l| {
                    l.trim()
                        .to_ascii_lowercase()
                        .into_bytes()
                        .into_boxed_slice()
                })
                .collect(),
            eponym_heads: set(&raw.eponym_heads),
            eponym_compounds: set(&raw.eponym_compounds),
            eponym_exams: set(&raw.eponym_exams),
            exam_results: set(&raw.exam_results),
            note_heading_words: set(&raw.note_heading_words),
            bracket_relations: set(&raw.bracket_relations),
            starts: Default::default(),
            role_words: Default::default(),
        };
        let mut role_words: rustc_hash::FxHashSet<Box<[u8]>> =
            s.roles.all().flatten().cloned().collect();
        role_words.extend(set(&raw.service_words));
        let starts = [
            &s.clinician_labels,
            &s.person_labels,
            &s.handoff,
            &s.meeting,
            &s.places,
            &s.roles,
            &s.headers,
        ]
        .into_iter()
        .flat_map(Phrases::firsts)
        .cloned()
        .collect();
        Ok(Structures {
            starts,
            role_words,
            ..s
        })
    }

    /// Names in the structures of `text` that `found` (the other detectors' spans) may miss,
    /// as NAME and PROVIDER_NAME spans for the caller to merge. `words` are the scan's note
    /// words of `text` (their flags the lexicon's), `case` the case its word table read.
    pub(crate) fn scan(
        &self,
        text: &str,
        words: &[Word<'_>],
        case: TextCase,
        found: &[Span],
    ) -> Vec<Span> {
        let mut out = Vec::new();
        if self.starts.is_empty() {
            return out;
        }
        let reader = Reader {
            s: self,
            text: text.as_bytes(),
            words,
            mixed: case.mixed(),
            found,
        };
        for (i, word) in words.iter().enumerate() {
            reader.family_item(i, &mut out);
            if reader.first_on_line(i) {
                reader.list_line(i, &mut out);
            }
            if matches!(word.lower, b"is" | b"was" | b"a" | b"an") {
                reader.subject_of_age(i, &mut out);
            }
            // A word that starts no label, phrase, role or header: one lookup.
            if self.starts.contains(word.lower) {
                reader.label_or_handoff(i, &mut out);
            }
        }
        out.sort_by_key(|s| (s.start, s.end));
        out.dedup();
        out
    }
}

/// How much a word says that it is a name.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Evidence {
    /// No name at all.
    None,
    /// Part of a name only beside a stronger word: an initial, a particle, a listed name
    /// that is also an English word in a note written in one case (`will`, `smith`).
    Weak,
    /// A word no list holds written as a name, or a listed name that is no English word
    /// (or, in mixed case, one written with its capital).
    Strong,
}

/// One name read from the text: words `a..=z`, and the word after it.
struct Item {
    a: usize,
    z: usize,
}

struct Reader<'a> {
    s: &'a Structures,
    text: &'a [u8],
    words: &'a [Word<'a>],
    /// The note is in mixed case: capitals tell a name only then.
    mixed: bool,
    found: &'a [Span],
}

impl Reader<'_> {
    /// The lexicon's flags of word `k`.
    fn flags(&self, k: usize) -> u64 {
        self.words[k].flags
    }

    /// Word `k` in lower case.
    fn lower(&self, k: usize) -> &[u8] {
        self.words[k].lower
    }

    fn word(&self, k: usize) -> &[u8] {
        &self.text[self.words[k].start..self.words[k].end]
    }

    /// The text between word `k - 1` (or the start) and word `k`.
    fn gap_before(&self, k: usize) -> &[u8] {
        let from = if k == 0 { 0 } else { self.words[k - 1].end };
        &self.text[from..self.words[k].start]
    }

    /// The text between word `k` and word `k + 1` (or the end).
    fn gap_after(&self, k: usize) -> &[u8] {
        let to = self.words.get(k + 1).map_or(self.text.len(), |w| w.start);
        &self.text[self.words[k].end..to]
    }

    /// Words `k` and `k + 1` are on one line with only spaces between them.
    fn spaced(&self, k: usize) -> bool {
        k + 1 < self.words.len() && {
            let gap = self.gap_after(k);
            !gap.is_empty() && gap.iter().all(|c| *c == b' ')
        }
    }

    /// Word `k` opens a line (nothing but spaces or a bullet before it).
    fn opens_line(&self, k: usize) -> bool {
        k == 0 || self.gap_before(k).contains(&b'\n')
    }

    /// Word `k` is a line's first word after its bullet or list number (`1. X`, `- X`).
    fn first_on_line(&self, k: usize) -> bool {
        if self.is_number_marker(k) {
            return false;
        }
        self.opens_line(k) || k > 0 && self.numbered_line(k - 1)
    }

    /// Word `k` is a list number (`1.`, `2)`, `#3`, `1/`).
    fn is_number_marker(&self, k: usize) -> bool {
        let w = self.word(k);
        w.len() <= 2
            && w.iter().all(u8::is_ascii_digit)
            && (matches!(self.gap_after(k).first(), Some(b'.' | b')' | b'/' | b':'))
                || self.gap_before(k).ends_with(b"#"))
    }

    /// Word `k` is a list number that opens its line (`1.`, `#2`), not the end of a code
    /// (`G81.91.`).
    fn numbered_line(&self, k: usize) -> bool {
        self.is_number_marker(k)
            && (self.opens_line(k) || {
                let gap = self.gap_before(k);
                gap.ends_with(b"#") && gap.iter().all(|c| c.is_ascii_whitespace() || *c == b'#')
            })
    }

    /// When a phrase of `phrases` starts at word `i` on one line, its number of words (the
    /// longest one).
    fn phrase_at(&self, i: usize, phrases: &Phrases) -> Option<usize> {
        phrases
            .starting(self.lower(i))
            .iter()
            .find(|p| {
                i + p.len() <= self.words.len()
                    && p.iter().enumerate().all(|(n, w)| self.lower(i + n) == &**w)
                    && (0..p.len() - 1).all(|n| self.spaced(i + n))
            })
            .map(Vec::len)
    }

    /// A word that ends a name as a role or credential (`PT`, `RN`, `case manager`).
    fn role_at(&self, k: usize) -> Option<usize> {
        if let Some(n) = self.phrase_at(k, &self.s.roles) {
            return Some(n);
        }
        (self.flags(k) & (flag::CREDENTIAL | flag::ROLE) != 0).then_some(1)
    }

    /// What word `k` says of being a name.
    fn evidence(&self, k: usize) -> Evidence {
        let w = self.word(k);
        let f = self.flags(k);
        let letters = w.iter().filter(|c| c.is_ascii_alphabetic()).count();
        // Digits, a slash or two hyphens: shorthand (`CXR-TF-PROMOTE`), not a name.
        if w.iter().any(u8::is_ascii_digit)
            || w.contains(&b'/')
            || w.iter().filter(|c| **c == b'-').count() > 1
        {
            return Evidence::None;
        }
        // An initial: `J.` or `J` between two words of a name.
        if letters == 1 {
            return if w[0].is_ascii_uppercase() || !self.mixed {
                Evidence::Weak
            } else {
                Evidence::None
            };
        }
        if f & (flag::PARTICLE | flag::INNER_PARTICLE) != 0 {
            return Evidence::Weak;
        }
        if f & NEVER_IN_NAME != 0
            || self.s.role_words.contains(self.lower(k))
            || self
                .s
                .service_suffixes
                .iter()
                .any(|x| self.lower(k).ends_with(x))
        {
            return Evidence::None;
        }
        let capital = w[0].is_ascii_uppercase();
        let all_caps = w.iter().all(|c| !c.is_ascii_lowercase());
        if self.mixed && !capital {
            return Evidence::None;
        }
        let listed = f & flag::NAME != 0;
        let english = f & (flag::ENGLISH | flag::COMMON | flag::VOCAB) != 0;
        if listed {
            // In mixed case a capital is evidence (`d/w Hope`, `X (son), Rose (daughter)`),
            // but not where every value starts with one: after a colon or at a line's start
            // (`PCP: Unknown`).
            let field_start = self.gap_before(k).iter().any(|c| matches!(c, b':' | b'\n'));
            return if !english || self.mixed && !all_caps && !field_start {
                Evidence::Strong
            } else {
                Evidence::Weak
            };
        }
        if f & KNOWN_WORD != 0 {
            return Evidence::None;
        }
        // A word no list holds: three letters at least in title case, four in a note in one
        // case (shorter ones are shorthand: `recs`); in capitals in a mixed note, four or
        // less is an acronym (`SSRI`) unless a stronger word is beside it (`PURCELL, SHTE`).
        let min = if self.mixed && !all_caps { 3 } else { 4 };
        if letters < min {
            return Evidence::None;
        }
        if self.mixed && all_caps && letters < 5 {
            return Evidence::Weak;
        }
        Evidence::Strong
    }

    /// A name starting at word `v`: words with evidence, one to [`MAX_NAME_WORDS`], joined
    /// by spaces (or a period after an initial), holding a strong word or two listed names;
    /// not a facility's name (`Keller Clinic`).
    fn name_at(&self, v: usize) -> Option<Item> {
        let mut z = v;
        let mut strong = 0;
        let mut listed = 0;
        loop {
            let evidence = match self.evidence(z) {
                Evidence::None if z == v && self.given_name_before_strong(z) => Evidence::Weak,
                e => e,
            };
            match evidence {
                Evidence::None => break,
                Evidence::Strong => strong += 1,
                Evidence::Weak => {}
            }
            if self.flags(z) & flag::NAME != 0 {
                listed += 1;
            }
            if z + 1 - v >= MAX_NAME_WORDS || !self.joined_in_name(z) {
                z += 1;
                break;
            }
            z += 1;
        }
        // `z` is one past the last word taken; trim weak words at the end (`X and`) but
        // listed names (`KIJUMOTUNDE WEAVER`).
        let mut end = z;
        while end > v && self.evidence(end - 1) != Evidence::Strong && !self.listed(end - 1) {
            end -= 1;
        }
        if end == v || strong == 0 && listed < 2 {
            return None;
        }
        let z = end - 1;
        if z + 1 < self.words.len() && self.spaced(z) && self.flags(z + 1) & flag::FACILITY != 0 {
            return None;
        }
        Some(Item { a: v, z })
    }

    /// `will grezak`, `MAY OLOYINLE`: a given name that is also a function word (`will`,
    /// `may`) is a name's first word where a word no list holds (strong evidence) follows
    /// it in the same name; alone, or before a word some list knows, it is the function
    /// word (`dr will see pt`). Only right after its cue (a space, or a label's colon): a
    /// list's next item (`d/w dr. x,will reeval`) is as often the next sentence.
    fn given_name_before_strong(&self, k: usize) -> bool {
        let f = self.flags(k);
        k > 0
            && matches!(self.gap_before(k), b" " | b": ")
            && f & flag::NAME != 0
            && f & NEVER_IN_NAME == flag::STOP
            && self.joined_in_name(k)
            && self.word(k).len() > 1
            && self.evidence(k + 1) == Evidence::Strong
            && self.flags(k + 1) & flag::NAME == 0
    }

    fn listed(&self, k: usize) -> bool {
        self.flags(k) & flag::NAME != 0 && self.evidence(k) != Evidence::None
    }

    /// Word `k` and the next are parts of one name: a space between, or `. ` after an
    /// initial.
    fn joined_in_name(&self, k: usize) -> bool {
        if k + 1 >= self.words.len() {
            return false;
        }
        let gap = self.gap_after(k);
        let initial = self.word(k).len() == 1;
        match gap {
            b" " => true,
            b". " | b"." => initial,
            _ => false,
        }
    }

    /// Skips words allowed before a name (`Dr.`, `attending`, `the`) from word `v`.
    fn skip_to_name(&self, mut v: usize) -> usize {
        while v < self.words.len()
            && self.s.skip.contains(self.lower(v))
            && v + 1 < self.words.len()
            && self
                .gap_after(v)
                .iter()
                .all(|c| matches!(c, b' ' | b'.' | b':'))
        {
            v += 1;
        }
        v
    }

    /// The spans of the names of a value from word `v`: items separated by `,`, `;`, `/`,
    /// `&` or `and`, each maybe followed by a role, credential or relation (`X, MD; Y`, `X
    /// (son), Y (daughter)`), on one line.
    fn values(&self, v: usize, ty: PhiType, out: &mut Vec<Span>) {
        let mut v = v;
        for _ in 0..8 {
            if v >= self.words.len() {
                return;
            }
            v = self.skip_to_name(v);
            let named = self
                .name_at(v)
                .or_else(|| self.weak_then_name(v))
                .map(|item| self.with_weak_first_name(item))
                .filter(|item| self.ends_value(item.z));
            // Only under a label of people: a role's table cell holds a company as often
            // (`nurse | Sunmarket Foods`).
            let whole = || {
                (ty == PhiType::Name)
                    .then(|| self.capitalised_item(v))
                    .flatten()
            };
            let Some(item) = named.or_else(whole) else {
                return;
            };
            self.emit(&item, ty, out);
            let Some(next) = self.after_item(item.z) else {
                return;
            };
            v = next;
        }
    }

    /// `Apologies: Xeno Wilts.`, `Present: Ana Berg, Pus Drimpoumsta.`: in mixed-case text
    /// a value that is a run of two to [`MAX_NAME_WORDS`] capitalised words, one of them
    /// strong evidence, ending at punctuation or its line's end, is one person whole, the
    /// English and clinical words in it too (`Wilts`, `Pus`). No word may be a stop word,
    /// cue, title, role, relation or facility word (`Wife Present`, `Keller Clinic`).
    fn capitalised_item(&self, v: usize) -> Option<Item> {
        const NOT_IN_RUN: u64 = NEVER_IN_NAME & !flag::CLINICAL;
        if !self.mixed {
            return None;
        }
        let title_case = |k: usize| {
            let w = self.word(k);
            w.len() >= 2
                && w[0].is_ascii_uppercase()
                && w[1..]
                    .iter()
                    .all(|c| c.is_ascii_lowercase() || matches!(c, b'-' | b'\''))
                && self.flags(k) & NOT_IN_RUN == 0
        };
        let mut z = v;
        let mut strong = false;
        while z < self.words.len() && title_case(z) {
            strong |= self.evidence(z) == Evidence::Strong;
            if z + 1 - v >= MAX_NAME_WORDS || !self.joined_in_name(z) {
                break;
            }
            z += 1;
        }
        let whole = z > v
            && z < self.words.len()
            && title_case(z)
            && (z + 1 == self.words.len() || self.gap_after(z).iter().any(|c| *c != b' '));
        (strong && whole).then_some(Item { a: v, z })
    }

    /// A name ending at word `z` ends its value: punctuation or the line's end after it, or
    /// a word of `value_enders`, a number, a role, credential, relation or verb of speech.
    fn ends_value(&self, z: usize) -> bool {
        let k = z + 1;
        if k >= self.words.len() {
            return true;
        }
        let gap = self.gap_after(z);
        if gap.iter().any(|c| *c != b' ') {
            return true;
        }
        self.s.enders.contains(self.lower(k))
            || self.word(k).iter().any(u8::is_ascii_digit)
            || self.role_at(k).is_some()
            || self.flags(k) & (flag::RELATION | flag::PERSON_VERB | flag::CONTACT) != 0
    }

    /// `GUY, VANSHANDRA`, `RERT, EMMARINA`: a word that is a name only beside a stronger
    /// one (a listed name that is also a word, a short word in capitals), a comma, a name.
    fn weak_then_name(&self, v: usize) -> Option<Item> {
        if v + 1 >= self.words.len()
            || self.evidence(v) == Evidence::None
            || self.gap_after(v) != b", "
        {
            return None;
        }
        let next = self.name_at(v + 1)?;
        Some(Item { a: v, z: next.z })
    }

    /// `NIETANDEN, CLAY`, `PURCELL, SHTE`: a name, a comma and a word that is a name only
    /// beside a stronger one, where the value ends (the line's end, punctuation, a role or credential).
    fn with_weak_first_name(&self, item: Item) -> Item {
        let k = item.z + 1;
        if k >= self.words.len()
            || self.gap_after(item.z) != b", "
            || self.evidence(k) == Evidence::None
        {
            return item;
        }
        let ends = k + 1 >= self.words.len()
            || self.gap_after(k).iter().any(|c| !matches!(c, b' '))
            || self.role_at(k + 1).is_some();
        if ends && self.name_at(k).is_none_or(|it| it.z == k) {
            Item { a: item.a, z: k }
        } else {
            item
        }
    }

    fn emit(&self, item: &Item, ty: PhiType, out: &mut Vec<Span>) {
        let start = self.words[item.a].start;
        let end = self.words[item.z].end;
        // A span another pass found over this name is left to that pass.
        if self
            .found
            .iter()
            .any(|s| s.start <= start && end <= s.end && s.ty != PhiType::Location)
        {
            return;
        }
        out.push(Span { start, end, ty });
    }

    /// The word after an item's tail and separator, if the value goes on: `, Y`, `; Y`,
    /// `/ Y`, `and Y`, `(RN), Y`, `, MD; Y`, `- PT, Y`.
    fn after_item(&self, z: usize) -> Option<usize> {
        let mut k = z + 1;
        if k >= self.words.len() {
            return None;
        }
        // A tail: `(RN)`, `[RN]`, `, MD`, ` - PT`, ` RN`, `(son)`.
        let gap = self.gap_after(z);
        if !gap.contains(&b'\n') {
            let tail = self
                .role_at(k)
                .or_else(|| (self.flags(k) & flag::RELATION != 0).then_some(1));
            let opens = gap
                .iter()
                .all(|c| matches!(c, b' ' | b'(' | b'[' | b',' | b'-'));
            if let (Some(n), true) = (tail, opens) {
                k += n;
                if k >= self.words.len() {
                    return None;
                }
            }
        }
        let gap = self.gap_before(k);
        if gap.contains(&b'\n') {
            return None;
        }
        let sep: Vec<u8> = gap
            .iter()
            .copied()
            .filter(|c| !matches!(c, b' ' | b')' | b']'))
            .collect();
        match sep.as_slice() {
            b"," | b";" | b"/" | b"&" => Some(k),
            b"" if self.word(k).eq_ignore_ascii_case(b"and") && k + 1 < self.words.len() => {
                (!self.gap_after(k).contains(&b'\n')).then_some(k + 1)
            }
            _ => None,
        }
    }

    /// `Attending: X`, `Family: X (son)`, `Signed out to X`, `d/w Dr. X`, and a label
    /// with nothing after its colon on its line opens a block of names (`Care team:`).
    fn label_or_handoff(&self, i: usize, out: &mut Vec<Span>) {
        let label = self
            .phrase_at(i, &self.s.clinician_labels)
            .map(|n| (n, PhiType::ProviderName))
            .or_else(|| {
                self.phrase_at(i, &self.s.person_labels)
                    .map(|n| (n, PhiType::Name))
            });
        // A table row: a role, `|`, the names (`OT | X`).
        let label = label.or_else(|| {
            self.phrase_at(i, &self.s.roles)
                .filter(|n| self.gap_after(i + n - 1).trim_ascii() == b"|")
                .map(|n| (n, PhiType::ProviderName))
        });
        if let Some((n, ty)) = label {
            if self.label_starts(i) {
                let last = i + n - 1;
                let gap = self.gap_after(last);
                let colon = gap.iter().position(|c| matches!(c, b':' | b'|'));
                if let Some(p) = colon {
                    let rest = &gap[p + 1..];
                    if gap[..p].iter().all(|c| *c == b' ')
                        && !rest.contains(&b'\n')
                        && rest.iter().all(|c| matches!(c, b' ' | b'-' | b'\t'))
                    {
                        self.values(last + 1, ty, out);
                        return;
                    }
                    if gap[..p].iter().all(|c| *c == b' ')
                        && rest.contains(&b'\n')
                        && rest.iter().all(|c| c.is_ascii_whitespace())
                    {
                        self.block(last + 1, ty, out);
                        return;
                    }
                }
                // `Medication reconciliation by X`: a label that ends in `by` or `to` needs no
                // colon.
                if colon.is_none()
                    && matches!(self.lower(last), b"by" | b"to")
                    && gap.iter().all(|c| *c == b' ')
                    && last + 1 < self.words.len()
                {
                    self.lower_name_after_by(last, ty, out);
                    self.values(last + 1, ty, out);
                    return;
                }
            }
        }
        if let Some(n) = self.phrase_at(i, &self.s.handoff) {
            let last = i + n - 1;
            let gap = self.gap_after(last);
            if !gap.contains(&b'\n') && gap.iter().all(|c| matches!(c, b' ' | b':' | b'-')) {
                self.lower_name_after_by(last, PhiType::ProviderName, out);
                self.values(last + 1, PhiType::ProviderName, out);
            }
            return;
        }
        // `SPOKE TO X ABOUT`, `met x in the lobby`: the same reading, for the people a
        // clinician meets (patients, relatives), so a NAME; in a note written in one case
        // only, where capitals cannot show the name (in mixed case the lexicon and tagger
        // read it, and these phrases took a staff word on the PhysioNet check half).
        if let Some(n) = self.phrase_at(i, &self.s.meeting) {
            let last = i + n - 1;
            let gap = self.gap_after(last);
            if !self.mixed && last + 1 < self.words.len() && gap == b" " {
                self.met_person(last + 1, out);
            }
            return;
        }
        // `HOME VISIT IN X ON FRIDAY`, `pt is from x.`: a town, in one case only (in mixed
        // case the lexicon and tagger read the capital).
        if let Some(n) = self.phrase_at(i, &self.s.places) {
            let last = i + n - 1;
            if !self.mixed && last + 1 < self.words.len() && self.gap_after(last) == b" " {
                self.town_after(last + 1, out);
            }
            return;
        }
        // A header of people alone on its line (`CARE TEAM`, `Consultants`).
        if let Some(n) = self.phrase_at(i, &self.s.headers) {
            let last = i + n - 1;
            let gap = self.gap_after(last);
            if self.opens_line(i)
                && last + 1 < self.words.len()
                && gap.contains(&b'\n')
                && gap.iter().all(|c| c.is_ascii_whitespace() || *c == b':')
            {
                self.block(last + 1, PhiType::ProviderName, out);
            }
        }
    }

    /// `Settak is a 45 yo female`, `claldanza ojumbo was an 81-year-old`, `Marta Lord, a
    /// 72-year-old retired teacher`: the words before `is a`, `was an` or `, a` and an age
    /// are the person the sentence is about, in any case. Word `i` is the `is`, `was` or
    /// (after a comma) `a`. The name must open its line or sentence (or follow a word of
    /// `skip_before_name`: `Mr`, `Dr`, `the`), and hold a strong word or two listed names,
    /// so `Patient is a 45 yo` and `She is a 45 yo` stay.
    fn subject_of_age(&self, i: usize, out: &mut Vec<Span>) {
        if i == 0 {
            return;
        }
        let article = if matches!(self.lower(i), b"a" | b"an") {
            if self.gap_before(i) != b", " {
                return;
            }
            i
        } else {
            if !self.spaced(i - 1) || !self.spaced(i) || i + 1 >= self.words.len() {
                return;
            }
            i + 1
        };
        if !matches!(self.lower(article), b"a" | b"an") || !self.age_follows(article) {
            return;
        }
        let z = i - 1;
        // The name's first word: back over words joined in one name, at most
        // MAX_NAME_WORDS, while each has some evidence.
        let mut a = z;
        while a > 0
            && z - a + 1 < MAX_NAME_WORDS
            && self.joined_in_name(a - 1)
            && self.evidence(a - 1) != Evidence::None
        {
            a -= 1;
        }
        let opens = self.opens_line(a)
            || self
                .gap_before(a)
                .iter()
                .any(|c| matches!(c, b'.' | b'!' | b'?' | b':' | b';'))
            || a > 0 && self.spaced(a - 1) && self.s.skip.contains(self.lower(a - 1));
        if !opens {
            return;
        }
        if let Some(item) = self.name_at(a) {
            if item.z == z && (item.a..=item.z).all(|k| self.plain_name_word(k)) {
                self.emit(&item, PhiType::Name, out);
            }
        }
    }

    /// The text after word `article` (`a`, `an`) is an age: digits, then `yo`, `y/o`,
    /// `y.o.`, `year`, `yr` or `-year-old`.
    fn age_follows(&self, article: usize) -> bool {
        let rest = &self.text[self.words[article].end..];
        let Some(rest) = rest.strip_prefix(b" ") else {
            return false;
        };
        let digits = rest.iter().take_while(|c| c.is_ascii_digit()).count();
        if !(1..=3).contains(&digits) {
            return false;
        }
        let unit = &rest[digits..];
        let unit = unit
            .strip_prefix(b"-")
            .or_else(|| unit.strip_prefix(b" "))
            .unwrap_or(unit);
        let opens = |u: &[u8]| {
            unit.get(..u.len())
                .is_some_and(|h| h.eq_ignore_ascii_case(u))
        };
        // `year`, `yr` go on (`years`, `yrs`, `year-old`); `yo`, `y/o`, `y.o` end their word
        // (`45 you`, `45 yoga` are no ages).
        let word_ends = |n: usize| unit.get(n).is_none_or(|c| !c.is_ascii_alphabetic());
        opens(b"year")
            || opens(b"yr")
            || [&b"yo"[..], b"y/o", b"y.o"]
                .iter()
                .any(|u| opens(u) && word_ends(u.len()))
    }

    /// The person after a meeting phrase (`spoke to X about`, `met X Y in`): one name, with
    /// a word that is strong evidence, ending its value. These phrases take staff and
    /// things as often (`spoke with HOUSE STAFF`, `spoke to MD's`, `spoke to PT-STATES`),
    /// so two listed words are not enough, and no word may be a possessive or a hyphened
    /// role.
    fn met_person(&self, v: usize, out: &mut Vec<Span>) {
        let v = self.skip_to_name(v);
        let Some(item) = self.name_at(v) else {
            return;
        };
        let words = item.a..=item.z;
        let plain = words.clone().all(|k| self.plain_name_word(k));
        let strong = words
            .into_iter()
            .any(|k| self.evidence(k) == Evidence::Strong);
        if plain && strong && self.ends_value(item.z) {
            self.emit(&item, PhiType::Name, out);
        }
    }

    /// The town after a place phrase: one or two words no list holds (strong evidence
    /// each), ending the value as a name after a meeting phrase does, and followed by no
    /// facility word (`Vrelsby General` is read by the facility pass).
    fn town_after(&self, v: usize, out: &mut Vec<Span>) {
        let strong = |k: usize| {
            k < self.words.len()
                && self.evidence(k) == Evidence::Strong
                && self.flags(k) & flag::NAME == 0
                && self.plain_name_word(k)
        };
        if !strong(v) {
            return;
        }
        let z = if self.spaced(v) && strong(v + 1) {
            v + 1
        } else {
            v
        };
        let next_flags = self.words.get(z + 1).map_or(0, |w| w.flags);
        if self.ends_value(z) && next_flags & flag::FACILITY == 0 {
            self.emit(&Item { a: v, z }, PhiType::Location, out);
        }
    }

    /// Word `k` is no possessive (`MD's`) and no role or known word joined by a hyphen
    /// (`PT-STATES`).
    fn plain_name_word(&self, k: usize) -> bool {
        let lower = self.lower(k);
        if lower.ends_with(b"'s") {
            return false;
        }
        !lower
            .split(|c| *c == b'-')
            .any(|part| self.s.role_words.contains(part) || self.s.skip.contains(part))
    }

    /// `Note written by dan`, `seen by luis garcia.`: in mixed-case text, where a lower-case
    /// word is no name to [`Self::evidence`], a footer phrase ending in `by` (word `by`)
    /// still takes one or two lower-case words that a name list holds and that are no
    /// English, common or vocabulary word, ending the value. The phrase is the cue; the
    /// lists are the evidence. Before this only the tagger read them, and a retrain after
    /// a change of lexicon flags lost them (stop 39).
    fn lower_name_after_by(&self, by: usize, ty: PhiType, out: &mut Vec<Span>) {
        if !self.mixed || self.lower(by) != b"by" {
            return;
        }
        let v = self.skip_to_name(by + 1);
        let name_word = |k: usize| {
            k < self.words.len()
                && self.word(k).len() >= 3
                && self.word(k).iter().all(u8::is_ascii_lowercase)
                && self.flags(k) & flag::NAME != 0
                && self.flags(k) & KNOWN_WORD == 0
        };
        if !name_word(v) {
            return;
        }
        let z = if self.spaced(v) && name_word(v + 1) {
            v + 1
        } else {
            v
        };
        if self.ends_value(z) {
            self.emit(&Item { a: v, z }, ty, out);
        }
    }

    /// A label starts where a field may: a line's start, after a bullet, or after
    /// punctuation or two spaces that close the field before (`Resident: X  Intern: Y`).
    fn label_starts(&self, i: usize) -> bool {
        if i == 0 {
            return true;
        }
        let gap = self.gap_before(i);
        gap.contains(&b'\n')
            || gap.windows(2).any(|w| w == b"  ")
            || gap
                .iter()
                .any(|c| matches!(c, b';' | b'|' | b'.' | b')' | b'-' | b',' | b'*' | b'\t'))
            || self.is_number_marker(i - 1)
            // `Cardiology consult: X`: a service before the label.
            || gap == b" " && self.s.role_words.contains(self.lower(i - 1))
    }

    /// The lines of a block under a header of people, from word `v`: each line's first
    /// words (after its bullet or number) are read as a value, up to a blank line, a line
    /// that is a label of its own, or [`MAX_BLOCK_LINES`] lines.
    fn block(&self, v: usize, ty: PhiType, out: &mut Vec<Span>) {
        let mut k = v;
        let mut lines = 0;
        while k < self.words.len() && lines < MAX_BLOCK_LINES {
            let gap = self.gap_before(k);
            if lines > 0 && gap.iter().filter(|c| **c == b'\n').count() > 1 {
                return;
            }
            let mut first = k;
            while first < self.words.len() && self.is_number_marker(first) {
                first += 1;
            }
            if first >= self.words.len() {
                return;
            }
            // `1. Cardiology - X`, `RN: X`: a role or service first, then the names.
            match self.role_at(first) {
                Some(n) if first + n < self.words.len() => {
                    let gap = self.gap_before(first + n);
                    if !gap.contains(&b'\n')
                        && gap
                            .iter()
                            .all(|c| matches!(c, b' ' | b'-' | b':' | b'|' | b','))
                    {
                        self.values(first + n, ty, out);
                    }
                }
                Some(_) => {}
                None => self.values(first, ty, out),
            }
            // The next line's first word.
            k = first + 1;
            while k < self.words.len() && !self.gap_before(k).contains(&b'\n') {
                k += 1;
            }
            lines += 1;
        }
    }

    /// `1. X - PT`, `2) X (RN)`, `- X, MD`, `#1 X [RN]`: a numbered or bulleted line whose
    /// name is followed by a role or credential.
    fn list_line(&self, i: usize, out: &mut Vec<Span>) {
        let marked = {
            let gap = self.gap_before(i);
            let line = gap.rsplit(|c| *c == b'\n').next().unwrap_or(gap);
            line.iter().any(|c| matches!(c, b'-' | b'*' | b'+'))
                || line.starts_with("\u{2022}".as_bytes())
                || i > 0 && self.numbered_line(i - 1) && !gap.contains(&b'\n')
        };
        if !marked {
            return;
        }
        let v = self.skip_to_name(i);
        let Some(item) = self.name_at(v).or_else(|| self.weak_then_name(v)) else {
            return;
        };
        // `ORVELLA, DINA (RN)`: a surname, a comma, then the given name before the role.
        let item = match self.gap_after(item.z) {
            b", " => match self.name_at(item.z + 1) {
                Some(rest) => Item {
                    a: item.a,
                    z: rest.z,
                },
                None => self.with_weak_first_name(item),
            },
            _ => item,
        };
        let k = item.z + 1;
        if k >= self.words.len() || self.role_at(k).is_none() {
            return;
        }
        let gap = self.gap_after(item.z);
        if !gap.contains(&b'\n')
            && gap
                .iter()
                .all(|c| matches!(c, b' ' | b'(' | b'[' | b',' | b'-' | b'|' | b'/'))
        {
            self.emit(&item, PhiType::ProviderName, out);
        }
    }

    /// `X (son)`, `X - daughter`: a name right before a relation in brackets or after a
    /// dash; and `sister, X,` between commas after one.
    fn family_item(&self, i: usize, out: &mut Vec<Span>) {
        // The punctuation first: most words have none of it around them.
        let bracket_after = self.gap_after(i) == b" (";
        let around = i > 0 && matches!(self.gap_before(i), b" (" | b" - " | b" -- " | b" [" | b"(")
            || self.gap_after(i) == b", "
            || bracket_after;
        if !around {
            return;
        }
        let relation = self.flags(i) & flag::RELATION != 0;
        // `NIECE (HENRIETTE RAYNAUD) CALLED`, `FAMILY (IAN AND KARA) VISITED`: the names in
        // brackets after a relation (stop 51).
        if bracket_after && (relation || self.lower(i) == b"family") && i + 1 < self.words.len() {
            self.bracketed_names(i + 1, out);
        }
        // `Keys with Tag (caretaker)`: people around a household the lexicon's relations do
        // not hold (`bracket_relations`).
        let bracketed_role = self.s.bracket_relations.contains(self.lower(i));
        if !relation && !bracketed_role {
            return;
        }
        // Before the relation.
        if i > 0 {
            let gap = self.gap_before(i);
            let shaped = matches!(gap, b" (" | b" - " | b" -- " | b" [" | b"(");
            let closes = matches!(self.gap_after(i).first(), Some(b')' | b']'))
                || !matches!(gap, b" (" | b" [" | b"(");
            if shaped && closes {
                if let Some(item) = self.name_ending_at(i - 1) {
                    self.emit(&item, PhiType::Name, out);
                }
            }
        }
        // After it, between commas.
        if i + 1 < self.words.len() && self.gap_after(i) == b", " {
            if let Some(item) = self.name_at(i + 1) {
                if self.gap_after(item.z).first() == Some(&b',') {
                    self.emit(&item, PhiType::Name, out);
                }
            }
        }
    }

    /// `(HENRIETTE RAYNAUD)`, `(IAN AND KARA)`, `(Mary, Joe)`: from word `v`, names joined
    /// by `, `, ` and ` or ` & ` up to the closing bracket, every item a name; nothing when
    /// any item is not (`(deceased)`, `(wife, son)`, `(3 people)`).
    fn bracketed_names(&self, v: usize, out: &mut Vec<Span>) {
        let mut items = Vec::new();
        let mut v = v;
        for _ in 0..4 {
            let Some(item) = self.name_at(v) else {
                return;
            };
            // In a note written in one case a word no list holds in brackets is as often a
            // language or a drug (`interpreter (farsi)`): a listed name must be among them.
            if !self.mixed && !(item.a..=item.z).any(|k| self.listed(k)) {
                return;
            }
            let gap = self.gap_after(item.z);
            let next = item.z + 1;
            if gap.first() == Some(&b')') {
                items.push(item);
                for item in &items {
                    self.emit(item, PhiType::Name, out);
                }
                return;
            }
            v = match gap {
                b", " | b" & " => next,
                b" " if next + 1 < self.words.len()
                    && self.lower(next) == b"and"
                    && self.gap_after(next) == b" " =>
                {
                    next + 1
                }
                _ => return,
            };
            items.push(item);
            if v >= self.words.len() {
                return;
            }
        }
    }

    /// The name that ends at word `z`, read back to where its words start.
    fn name_ending_at(&self, z: usize) -> Option<Item> {
        let mut a = z;
        while a > 0 && z - a + 1 < MAX_NAME_WORDS && self.joined_in_name(a - 1) {
            if self.evidence(a - 1) == Evidence::None {
                break;
            }
            a -= 1;
        }
        // Take the first word that reads a whole name up to `z`.
        (a..=z).find_map(|s| self.name_at(s).filter(|it| it.z == z))
    }
}

#[cfg(test)]
mod tests {
    use super::Phrases;
    use crate::detect::Detector;
    use crate::patterns::Patterns;

    /// Phrases are found by their first word in any case they were written in, longest
    /// first, and a word that starts none finds nothing.
    #[test]
    fn phrases_are_found_by_their_first_word_longest_first() {
        let list = ["Signed out", "signed out to", "signed by", "covering for"]
            .map(String::from)
            .to_vec();
        let p = Phrases::of(&list);
        let lengths: Vec<usize> = p.starting(b"signed").iter().map(Vec::len).collect();
        assert_eq!(lengths, [3, 2, 2]);
        assert_eq!(p.starting(b"signed")[1][1].as_ref(), b"out");
        assert_eq!(p.starting(b"covering").len(), 1);
        assert!(p.starting(b"out").is_empty());
        assert_eq!(p.all().count(), 4);
    }

    fn detector() -> Detector {
        Detector::build(&Patterns::builtin()).expect("built-in patterns")
    }

    /// The strings `phigate` takes out of `text` (the whole detector).
    fn found(d: &Detector, text: &str) -> Vec<String> {
        let mut s = d.scratch();
        d.scan(text, None, &mut s)
            .iter()
            .map(|sp| text[sp.start..sp.end].to_string())
            .collect()
    }

    fn covered(d: &Detector, text: &str, word: &str) -> bool {
        found(d, text).iter().any(|f| f.contains(word))
    }

    #[test]
    fn label_values_take_names_in_any_case() {
        let d = detector();
        for (text, name) in [
            ("Attending: Orvenko Talbrisse\nPlan as above.", "Talbrisse"),
            ("RESIDENT: KELVARD MOSTRINE  INTERN: ADLENA PRUSK", "PRUSK"),
            (
                "hcp: darvelle ostrum (wife)\nno acute events overnight.",
                "ostrum",
            ),
            ("cc: Wendrick Palusto, MD; Imbrella Quost, RN", "Quost"),
            ("Case manager: Trivelda Mornsk", "Mornsk"),
        ] {
            assert!(covered(&d, text, name), "{name} left in {text:?}");
        }
    }

    #[test]
    fn handoffs_and_lists_take_the_clinician() {
        let d = detector();
        for (text, name) in [
            ("Signed out to Kelvarno at change of shift.", "Kelvarno"),
            ("plan d/w dr. ostravik. vitals stable.", "ostravik"),
            ("Pt resting. Note written by luis", "luis"),
            ("Dr. Miloudi notified.\nNote written by dan", "dan"),
            (
                "Care team:\n1. Tomasz Brevikan - PT\n2) ORVELLA, DINSKA (RN)",
                "ORVELLA",
            ),
            ("- Falstrom Vennick, MD\n- Quendra Olsvik, NP", "Olsvik"),
            ("Family: Mirelko (son), Ostravina (daughter)", "Ostravina"),
        ] {
            assert!(covered(&d, text, name), "{name} left in {text:?}");
        }
    }

    #[test]
    fn the_same_structures_keep_what_is_no_name() {
        let d = detector();
        for (text, kept) in [
            ("Signed out to night float at 7pm.", "night float"),
            ("Family: none present", "none present"),
            ("cc: PCP", "PCP"),
            ("HCP: wife", "wife"),
            (
                "1. Metoprolol 25 mg - cardiology\n2. Aspirin 81 mg - cardiology",
                "Metoprolol",
            ),
            ("Consults:\n1. Cardiology\n2. Nephrology", "Nephrology"),
            ("Discussed with pharmacy and the ICU team.", "pharmacy"),
            ("Attending: covering resident", "covering"),
            ("Pt resting. Note written by nursing staff", "nursing"),
            ("Seen by me and plan reviewed.", "me"),
        ] {
            assert!(!covered(&d, text, kept), "{kept} taken from {text:?}");
        }
    }

    #[test]
    fn names_in_brackets_after_a_relation_are_people() {
        let d = detector();
        assert!(covered(
            &d,
            "NIECE (HENRIETTE OKAFOR) CALLED AT 2100.",
            "HENRIETTE"
        ));
        assert!(covered(&d, "MOTHER (JOY EZE) CALLED AT 2100.", "EZE"));
        assert!(covered(&d, "Keys with Harmony (caretaker).", "Harmony"));
        assert!(!covered(
            &d,
            "interpreter (farsi) requested for the visit.",
            "farsi"
        ));
        assert!(!covered(&d, "Family (wife, son) at bedside.", "wife"));
    }
}
