//! The word-level detector for names and named places.
//!
//! Owns the lexicon (name lists, English words, cue words and allow-lists, each word mapped
//! to a set of flags by one hash lookup) and the rules that combine a word's flags, its
//! capitalisation and its neighbours into NAME, PROVIDER_NAME and LOCATION spans. Shapes
//! with digits (dates, phone numbers) belong to the regex rules, not here.

use rustc_hash::FxHashMap;
use serde::Deserialize;

use super::rules::{first_line, line_of};
use super::RuleError;
use crate::phi::PhiType;

/// Word flags, one bit each.
pub mod flag {
    pub const FIRST: u32 = 1 << 0;
    pub const LAST: u32 = 1 << 1;
    /// A name that is also a common word (Will, Grace, Brown): needs context.
    pub const COMMON: u32 = 1 << 2;
    pub const ENGLISH: u32 = 1 << 3;
    pub const PERSON_TITLE: u32 = 1 << 4;
    pub const PROVIDER_TITLE: u32 = 1 << 5;
    pub const RELATION: u32 = 1 << 6;
    pub const NAME_CUE: u32 = 1 << 7;
    pub const STRONG_CUE: u32 = 1 << 8;
    pub const CREDENTIAL: u32 = 1 << 9;
    pub const FACILITY: u32 = 1 << 10;
    pub const PLACE_CUE: u32 = 1 << 11;
    pub const STOP: u32 = 1 << 12;
    pub const CLINICAL: u32 = 1 << 13;
    /// A cue after which any name-shaped word is a name (`named`, `signed`).
    pub const NAME_INTRO: u32 = 1 << 14;
    /// A name borne by many people (see [`super::POPULAR_COUNT`]).
    pub const POPULAR: u32 = 1 << 15;
    /// `to`, `from`, `at`, `in` after a place cue.
    pub const PLACE_PREP: u32 = 1 << 16;
    /// A one-word US city or county (gazetteer).
    pub const PLACE: u32 = 1 << 17;
    /// The first word of a multi-word place name (`cedar` of `cedar rapids`).
    pub const PLACE_START: u32 = 1 << 18;
    /// A field label whose value is a person (`Patient:`, `Contact:`).
    pub const LABEL: u32 = 1 << 19;
    /// Any name-list membership.
    pub const NAME: u32 = FIRST | LAST;
    /// Words that can never be part of a name.
    pub const NEVER_NAME: u32 = STOP | CLINICAL | CREDENTIAL | FACILITY;
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLexicon {
    person_titles: Vec<String>,
    provider_titles: Vec<String>,
    relations: Vec<String>,
    name_cues: Vec<String>,
    name_intros: Vec<String>,
    strong_cues: Vec<String>,
    credentials: Vec<String>,
    facility_words: Vec<String>,
    place_cues: Vec<String>,
    place_prepositions: Vec<String>,
    labels: Vec<String>,
    stopwords: Vec<String>,
    clinical_words: Vec<String>,
    clinical_suffixes: Vec<String>,
    clinical_drugs: Vec<String>,
}

/// The source texts a lexicon is built from.
pub struct LexiconSources<'a> {
    pub cues_file: &'a str,
    pub cues: &'a str,
    pub first_names: &'a str,
    pub surnames: &'a str,
    pub common_words: &'a str,
    pub english: &'a str,
    /// `name<TAB>kind` lines of US cities and counties.
    pub places: &'a str,
}

/// Every known word with its flags.
pub struct Lexicon {
    words: FxHashMap<Box<[u8]>, u32>,
    /// Multi-word place names (`cedar rapids`), lower case, single-spaced.
    place_phrases: rustc_hash::FxHashSet<Box<[u8]>>,
    /// Drug-class endings: an unknown word ending so is clinical (lower case).
    clinical_suffixes: Vec<Box<[u8]>>,
}

/// A name with at least this many bearers (SSA births or census count) is "popular": in
/// all-capitals notes, where capitalisation says nothing, only popular names count on list
/// evidence alone. Rare list entries (Vea, Mech, Bolus) are far more often jargon.
pub const POPULAR_COUNT: u64 = 2000;

/// Longest word looked up; longer runs of letters are never names.
const MAX_WORD: usize = 40;

impl Lexicon {
    pub fn build(src: &LexiconSources<'_>) -> Result<Lexicon, RuleError> {
        let raw: RawLexicon = toml::from_str(src.cues).map_err(|e| RuleError::Syntax {
            file: src.cues_file.to_string(),
            line: e.span().map(|s| line_of(src.cues, s.start)).unwrap_or(0),
            reason: first_line(e.message()),
        })?;
        let mut lex = Lexicon {
            words: FxHashMap::default(),
            place_phrases: Default::default(),
            clinical_suffixes: Vec::new(),
        };
        lex.words.reserve(160_000);
        for w in src.english.lines() {
            lex.add(w, flag::ENGLISH);
        }
        for (list, f) in [(src.first_names, flag::FIRST), (src.surnames, flag::LAST)] {
            for line in list.lines().filter(|l| !l.starts_with('#')) {
                let mut cols = line.split('\t');
                let name = cols.next().unwrap_or("");
                let count: u64 = cols.next().and_then(|c| c.trim().parse().ok()).unwrap_or(0);
                lex.add(
                    name,
                    if count >= POPULAR_COUNT {
                        f | flag::POPULAR
                    } else {
                        f
                    },
                );
            }
        }
        for line in src.places.lines().filter(|l| !l.starts_with('#')) {
            let name = line.split('\t').next().unwrap_or("").trim();
            if name.contains(' ') {
                let first = name.split(' ').next().unwrap_or("");
                lex.add(first, flag::PLACE_START);
                lex.place_phrases
                    .insert(name.as_bytes().to_vec().into_boxed_slice());
            } else {
                lex.add(name, flag::PLACE);
            }
        }
        for w in src.common_words.lines().filter(|l| !l.starts_with('#')) {
            lex.add(w, flag::COMMON);
        }
        lex.clinical_suffixes = raw
            .clinical_suffixes
            .iter()
            .map(|s| s.to_ascii_lowercase().into_bytes().into_boxed_slice())
            .collect();
        let lists: [(&Vec<String>, u32); 14] = [
            (&raw.labels, flag::LABEL),
            (&raw.place_prepositions, flag::PLACE_PREP),
            (&raw.name_intros, flag::NAME_INTRO),
            (&raw.person_titles, flag::PERSON_TITLE),
            (&raw.provider_titles, flag::PROVIDER_TITLE),
            (&raw.relations, flag::RELATION),
            (&raw.name_cues, flag::NAME_CUE),
            (&raw.strong_cues, flag::STRONG_CUE),
            (&raw.credentials, flag::CREDENTIAL),
            (&raw.facility_words, flag::FACILITY),
            (&raw.place_cues, flag::PLACE_CUE),
            (&raw.stopwords, flag::STOP),
            (&raw.clinical_words, flag::CLINICAL),
            (&raw.clinical_drugs, flag::CLINICAL),
        ];
        for (list, f) in lists {
            for w in list {
                lex.add(w, f);
            }
        }
        Ok(lex)
    }

    fn add(&mut self, word: &str, f: u32) {
        let w = word.trim();
        if w.is_empty() || w.len() > MAX_WORD {
            return;
        }
        let key: Box<[u8]> = w.to_ascii_lowercase().into_bytes().into_boxed_slice();
        *self.words.entry(key).or_insert(0) |= f;
    }

    /// Flags of a word, case-insensitively; 0 for an unknown word.
    pub fn flags(&self, word: &[u8]) -> u32 {
        if word.len() > MAX_WORD {
            return 0;
        }
        let mut buf = [0u8; MAX_WORD];
        let lower = &mut buf[..word.len()];
        lower.copy_from_slice(word);
        lower.make_ascii_lowercase();
        match self.words.get(&*lower) {
            Some(&f) => f,
            None if self.clinical_suffixes.iter().any(|s| lower.ends_with(s)) => flag::CLINICAL,
            None => 0,
        }
    }

    /// Number of distinct words known.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }
}

/// Capitalisation of a word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shape {
    /// `Maria`
    Cap,
    /// `MARIA` (or a single capital letter)
    Upper,
    /// `maria`
    Lower,
    /// `McDonald`, `iPad`, or anything else
    Mixed,
}

#[derive(Clone, Copy, Debug)]
struct Word {
    start: usize,
    end: usize,
    flags: u32,
    shape: Shape,
}

/// A span found by the lexicon pass.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LexHit {
    pub start: usize,
    pub end: usize,
    pub ty: PhiType,
}

/// Reusable buffers for [`Lexicon::scan`].
#[derive(Default)]
pub struct LexScratch {
    words: Vec<Word>,
    marks: Vec<Option<PhiType>>,
}

impl Lexicon {
    /// Finds names and named places in `text`, appending to `out`.
    pub fn scan(&self, text: &str, scratch: &mut LexScratch, out: &mut Vec<LexHit>) {
        let bytes = text.as_bytes();
        self.tokenize(bytes, &mut scratch.words);
        let words = &scratch.words;
        scratch.marks.clear();
        scratch.marks.resize(words.len(), None);
        let caps_mode = is_mostly_upper(bytes);
        let ctx = Ctx {
            text: bytes,
            words,
            caps_mode,
        };
        for i in 0..words.len() {
            ctx.mark_cued(i, &mut scratch.marks);
            ctx.mark_dictionary(i, &mut scratch.marks);
            ctx.mark_foreign_name(i, &mut scratch.marks);
            ctx.mark_last_first(i, &mut scratch.marks);
            ctx.mark_credentialed(i, &mut scratch.marks);
            ctx.mark_facility(i, &mut scratch.marks);
            ctx.mark_place(i, &mut scratch.marks);
            ctx.mark_gazetteer(i, &self.place_phrases, &mut scratch.marks);
            ctx.mark_unknown_after_preposition(i, &mut scratch.marks);
            ctx.mark_unknown_pair(i, &mut scratch.marks);
            ctx.mark_initial_surname(i, &mut scratch.marks);
        }
        ctx.extend_names(&mut scratch.marks);
        ctx.extend_conjunctions(&mut scratch.marks);
        emit_runs(bytes, words, &scratch.marks, out);
    }

    fn tokenize(&self, b: &[u8], words: &mut Vec<Word>) {
        words.clear();
        let mut i = 0;
        while i < b.len() {
            if !is_word_byte(b[i]) {
                i += 1;
                continue;
            }
            let start = i;
            while i < b.len() && (is_word_byte(b[i]) || is_inner_apostrophe(b, i)) {
                i += 1;
            }
            let w = &b[start..i];
            if w.iter().all(u8::is_ascii_digit) {
                continue;
            }
            words.push(Word {
                start,
                end: i,
                flags: self.flags(w),
                shape: shape_of(w),
            });
        }
    }
}

fn is_word_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c >= 0x80
}

/// `O'Brien`: an apostrophe between two letters stays inside the word.
fn is_inner_apostrophe(b: &[u8], i: usize) -> bool {
    b[i] == b'\''
        && i > 0
        && b[i - 1].is_ascii_alphabetic()
        && b.get(i + 1).is_some_and(u8::is_ascii_alphabetic)
}

fn shape_of(w: &[u8]) -> Shape {
    let first_upper = w[0].is_ascii_uppercase();
    let rest_lower = w[1..].iter().all(|c| !c.is_ascii_uppercase());
    let all_upper = w.iter().all(|c| !c.is_ascii_lowercase());
    if first_upper && all_upper {
        Shape::Upper
    } else if first_upper && rest_lower {
        Shape::Cap
    } else if w[0].is_ascii_lowercase() && rest_lower {
        Shape::Lower
    } else {
        Shape::Mixed
    }
}

/// Notes typed in capitals carry no capitalisation evidence.
fn is_mostly_upper(b: &[u8]) -> bool {
    let (mut up, mut low) = (0usize, 0usize);
    for &c in b {
        up += usize::from(c.is_ascii_uppercase());
        low += usize::from(c.is_ascii_lowercase());
    }
    up > 20 && up > 2 * low
}

struct Ctx<'a> {
    text: &'a [u8],
    words: &'a [Word],
    caps_mode: bool,
}

impl Ctx<'_> {
    fn has(&self, i: usize, f: u32) -> bool {
        self.words[i].flags & f != 0
    }

    /// Looks like it could be written as a name: capitalised, or any case in an all-caps note.
    fn name_shaped(&self, i: usize) -> bool {
        let w = &self.words[i];
        let letters = self.text[w.start..w.end]
            .iter()
            .any(u8::is_ascii_alphabetic)
            || self.text[w.start] >= 0x80;
        letters
            && !self.text[w.start..w.end].iter().any(u8::is_ascii_digit)
            && match w.shape {
                Shape::Cap | Shape::Mixed => true,
                Shape::Upper => true,
                Shape::Lower => false,
            }
    }

    /// Evidence from the lists alone: in a name list, not a common or clinical word.
    fn dictionary_name(&self, i: usize) -> bool {
        let f = self.words[i].flags;
        // COMMON (names that are frequent words) decides, not ENGLISH: the full word list
        // also holds rare senses of common names (`maria`, `john`, `bill`).
        f & flag::NAME != 0 && f & (flag::COMMON | flag::NEVER_NAME) == 0
    }

    /// A capitalised word nobody has heard of: after a cue it is most likely a name.
    fn unknown_word(&self, i: usize) -> bool {
        let w = &self.words[i];
        w.flags & (flag::ENGLISH | flag::NEVER_NAME | flag::NAME_CUE | flag::RELATION) == 0
            && w.end - w.start >= 2
    }

    /// Only spaces (no line break) between word `i` and word `i + 1`.
    fn joined(&self, i: usize, allow: &[u8]) -> bool {
        let (a, b) = (self.words[i].end, self.words[i + 1].start);
        let gap = &self.text[a..b];
        gap.len() <= 3 && !gap.is_empty() && gap.iter().all(|c| *c == b' ' || allow.contains(c))
    }

    fn followed_by_period(&self, i: usize) -> bool {
        self.text.get(self.words[i].end) == Some(&b'.')
    }

    fn is_initial(&self, i: usize) -> bool {
        let w = &self.words[i];
        let c = self.text[w.start];
        // `50'S.`, `N/V.` and `u/o.` end in a letter, but are not initials.
        let free_standing = w.start == 0
            || matches!(
                self.text[w.start - 1],
                b' ' | b'\t' | b'\n' | b'(' | b',' | b';'
            );
        w.end - w.start == 1
            && free_standing
            && c.is_ascii_alphabetic()
            && (c.is_ascii_uppercase() || self.followed_by_period(i))
    }

    /// `R.` and `L.` are right and left far more often than initials.
    fn is_side_abbreviation(&self, i: usize) -> bool {
        matches!(
            self.text[self.words[i].start].to_ascii_uppercase(),
            b'R' | b'L'
        )
    }

    /// Cue words: `Dr. Healey`, `her son Kevin`, `patient Maria Lopez`, `named Lomish`.
    fn mark_cued(&self, i: usize, marks: &mut [Option<PhiType>]) {
        let f = self.words[i].flags;
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
            if self.name_shaped(next) && self.after_label(next) {
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
                    || f & flag::RELATION != 0 && popular_first)
        } else {
            // Weak cues (`per`, `with`, `spoke`): a name-list word written like a name; in
            // capitals-only notes it must also be a popular name.
            let w = &self.words[next];
            let written_as_name = if self.caps_mode {
                w.flags & flag::POPULAR != 0 && w.end - w.start >= 3
            } else {
                matches!(w.shape, Shape::Cap | Shape::Upper)
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

    /// After a title (`Dr.`, `MRS`, `ms`) the next word is a name unless it is an ordinary
    /// English word that no name list knows (`MS: SEDATED` is mental status). Clinical
    /// eponyms are allowed here: `Dr. Foley` is a person.
    fn after_title(&self, cue: usize, next: usize) -> bool {
        let gap = &self.text[self.words[cue].end..self.words[next].start];
        if gap.contains(&b':') {
            return false;
        }
        let english_only = self.has(next, flag::ENGLISH) && !self.has(next, flag::NAME);
        // `MR`/`MS` without a period are as often mitral regurgitation or mental status:
        // only a word no dictionary knows, or a listed name that is not also a word, follows.
        let word = &self.text[self.words[cue].start..self.words[cue].end];
        let ambiguous = (word.eq_ignore_ascii_case(b"ms") || word.eq_ignore_ascii_case(b"mr"))
            && !self.followed_by_period(cue);
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
    fn after_label(&self, next: usize) -> bool {
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
    fn title_written_as_title(&self, i: usize) -> bool {
        let w = &self.words[i];
        let free = w.start == 0
            || matches!(
                self.text[w.start - 1],
                b' ' | b'\t' | b'\n' | b'(' | b',' | b';' | b'"'
            );
        let word = &self.text[w.start..w.end];
        let ambiguous = word.eq_ignore_ascii_case(b"ms") || word.eq_ignore_ascii_case(b"mr");
        free && (!ambiguous || self.followed_by_period(i) || w.shape != Shape::Lower)
    }

    /// `with Dawn Brown`, `Attn: Will King`: a capitalised first name followed by a
    /// capitalised surname (or a word no list knows), in mixed-case text, is a person even
    /// when both names are also ordinary words.
    fn first_last_pair(&self, i: usize) -> bool {
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
    fn mark_last_first(&self, i: usize, marks: &mut [Option<PhiType>]) {
        let j = i + 1;
        if self.caps_mode || j >= self.words.len() || marks[i].is_some() && marks[j].is_some() {
            return;
        }
        let gap = &self.text[self.words[i].end..self.words[j].start];
        if gap != b", " {
            return;
        }
        let surname = matches!(self.words[i].shape, Shape::Cap | Shape::Mixed)
            && (self.has(i, flag::LAST) || self.unknown_word(i))
            && !self.has(
                i,
                flag::NEVER_NAME
                    | flag::STRONG_CUE
                    | flag::RELATION
                    | flag::LABEL
                    | flag::PLACE_CUE,
            );
        let first = self.words[j].shape == Shape::Cap
            && self.has(j, flag::FIRST)
            && !self.has(j, flag::NEVER_NAME | flag::STRONG_CUE);
        // What follows must end the name: `(`, `|`, `is`, a line end, the end of the text.
        let rest = &self.text[self.words[j].end..];
        let rest = rest.strip_prefix(b" ").unwrap_or(rest);
        let ends = rest.is_empty()
            || matches!(rest[0], b'(' | b'|' | b'\n' | b'\r' | b'.' | b';' | b'-')
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
    fn capitalised_common_name(&self, i: usize) -> bool {
        !self.caps_mode && self.words[i].shape == Shape::Cap && self.has(i, flag::NAME)
    }

    /// The word a cue applies to: skips `.`, `:` and `is`/`named` (`son is Kevin`).
    fn next_after_cue(&self, i: usize) -> Option<usize> {
        let mut j = i + 1;
        while j < self.words.len() {
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
            return Some(j);
        }
        None
    }

    fn mark_dictionary(&self, i: usize, marks: &mut [Option<PhiType>]) {
        if marks[i].is_some() || !self.dictionary_name(i) {
            return;
        }
        let w = &self.words[i];
        let shaped = match w.shape {
            Shape::Cap | Shape::Mixed => true,
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
    fn name_neighbour(&self, i: usize) -> bool {
        let near = |j: usize| {
            self.has(j, flag::NAME) && !self.has(j, flag::ENGLISH | flag::COMMON | flag::NEVER_NAME)
        };
        i > 0 && self.joined(i - 1, b",") && near(i - 1)
            || i + 1 < self.words.len() && self.joined(i, b",") && near(i + 1)
    }

    /// `Thảo Muñoz`, `Søren Young`: a capitalised word with non-ASCII letters that no list
    /// knows, next to another capitalised word, is a name in English clinical text.
    fn mark_foreign_name(&self, i: usize, marks: &mut [Option<PhiType>]) {
        let w = &self.words[i];
        let word = &self.text[w.start..w.end];
        if self.caps_mode
            || w.shape != Shape::Cap
            || !word.iter().any(|&b| b >= 0x80)
            || w.flags != 0
        {
            return;
        }
        let neighbour = |k: usize| {
            self.words[k].shape == Shape::Cap
                && !self.has(
                    k,
                    flag::STOP | flag::NEVER_NAME | flag::NAME_CUE | flag::LABEL,
                )
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

    /// A lower-case name-list word counts when a neighbour is also a name or a cue.
    fn lower_name_context(&self, i: usize) -> bool {
        let prev = i.checked_sub(1).map(|p| self.words[p].flags).unwrap_or(0);
        let next = self.words.get(i + 1).map(|w| w.flags).unwrap_or(0);
        prev & (flag::NAME_INTRO | flag::RELATION | flag::STRONG_CUE) != 0
            || (next & flag::NAME != 0 && next & (flag::ENGLISH | flag::COMMON) == 0)
            || next & flag::CREDENTIAL != 0
    }

    /// `Anna Kowalski, OTR/L`, `HEALEY RN`, `q. lander rrt`: the words before a credential
    /// are a clinician.
    fn mark_credentialed(&self, i: usize, marks: &mut [Option<PhiType>]) {
        let len = self.words[i].end - self.words[i].start;
        if !self.has(i, flag::CREDENTIAL)
            || i == 0
            || self.words[i].shape == Shape::Lower && !self.caps_mode && len < 3
        {
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
            let lower_ok = w.shape != Shape::Lower || self.caps_mode || len >= 3;
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
            && (len > 2 || listed || self.strong_credential(i))
        {
            for k in chain {
                marks[k] = Some(PhiType::ProviderName);
            }
        }
    }

    fn strong_credential(&self, i: usize) -> bool {
        let w = &self.text[self.words[i].start..self.words[i].end];
        ["md", "rn", "np", "pa"]
            .iter()
            .any(|c| w.eq_ignore_ascii_case(c.as_bytes()))
    }

    /// `Calvert Hospital`, `Fairview Skilled Nursing Facility`, `Lakewood Hand Clinic`: the
    /// capitalised words before a facility word name a place when at least one of them is
    /// distinctive (in no dictionary, or a name that is not a common word).
    fn mark_facility(&self, i: usize, marks: &mut [Option<PhiType>]) {
        if !self.has(i, flag::FACILITY) || i == 0 || self.words[i].shape == Shape::Lower {
            return;
        }
        let mut chain = Vec::with_capacity(5);
        let mut j = i;
        while j > 0 && chain.len() < 5 && self.joined(j - 1, b"'&.-") {
            let k = j - 1;
            let w = &self.words[k];
            let word = &self.text[w.start..w.end];
            let inner_apostrophe = word.contains(&b'\'') && !word.ends_with(b"'s");
            // Facility words inside a name (`Savannah Rehab Center`) do not end it.
            let blocked = !self.has(k, flag::FACILITY)
                && self.has(
                    k,
                    flag::STOP
                        | flag::CLINICAL
                        | flag::CREDENTIAL
                        | flag::PLACE_CUE
                        | flag::NAME_CUE
                        | flag::RELATION,
                );
            if blocked
                || inner_apostrophe
                || w.shape == Shape::Lower
                || w.end - w.start < 2
                || word.iter().any(u8::is_ascii_digit)
            {
                break;
            }
            chain.push(k);
            j = k;
        }
        // The leftmost distinctive word starts the place name; generic words to its left
        // (`Outside`, `General`) are not part of it.
        let distinctive = |k: usize| {
            let w = &self.words[k];
            let generic = GENERIC_FACILITY_WORDS
                .iter()
                .any(|g| self.text[w.start..w.end].eq_ignore_ascii_case(g.as_bytes()))
                || self.has(k, flag::FACILITY);
            !generic
                && (!self.has(k, flag::ENGLISH)
                    || self.has(k, flag::NAME) && !self.has(k, flag::COMMON)
                    || self.has(k, flag::PLACE))
        };
        let Some(pos) = chain.iter().rposition(|&k| distinctive(k)) else {
            return;
        };
        for &k in &chain[..=pos] {
            // The facility word is stronger evidence than a name list (Calvert Hospital).
            marks[k] = Some(PhiType::Location);
        }
    }

    /// `E. Welsh`, `Z. MILLER`, `q. lander`: an initial with its period, then a surname.
    fn mark_initial_surname(&self, i: usize, marks: &mut [Option<PhiType>]) {
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
        let surname = self.has(j, flag::NAME) && !self.has(j, flag::STOP | flag::CLINICAL)
            || self.unknown_word(j) && w.end - w.start >= 3 && !self.caps_mode;
        let shaped = self.name_shaped(j) || w.shape == Shape::Lower && !self.caps_mode;
        if surname && shaped && !self.has(j, flag::NEVER_NAME | flag::STRONG_CUE) {
            let ty = marks[j].or(marks[i]).unwrap_or(PhiType::Name);
            marks[i] = Some(ty);
            marks[j] = Some(ty);
        }
    }

    /// Known US cities and counties: `in Kalamazoo`, `from Cedar Rapids`, `Peoria, IL`.
    /// A gazetteer word that is also an English word (Mobile, Reading, Hope) needs place
    /// context; a distinctive one written as a name counts on its own.
    fn mark_gazetteer(
        &self,
        i: usize,
        phrases: &rustc_hash::FxHashSet<Box<[u8]>>,
        marks: &mut [Option<PhiType>],
    ) {
        if marks[i].is_some() || !self.name_shaped(i) {
            return;
        }
        let end = if self.has(i, flag::PLACE_START) {
            self.phrase_end(i, phrases)
        } else {
            None
        };
        let (last, multi) = match end {
            Some(j) => (j, true),
            None if self.has(i, flag::PLACE) => (i, false),
            None => return,
        };
        let context = self.place_context_before(i) || self.state_after(last);
        let words = i..=last;
        let all_capitalised = words.clone().all(|k| self.words[k].shape == Shape::Cap);
        let has_rare_word = words.clone().any(|k| {
            !self.has(
                k,
                flag::ENGLISH | flag::COMMON | flag::NEVER_NAME | flag::STOP,
            )
        });
        let blocked = words
            .clone()
            .any(|k| self.has(k, flag::NEVER_NAME | flag::STOP));
        let accept = if multi {
            // `Cedar Rapids` written as a name, or a phrase with a rare word after `in`.
            !blocked && (all_capitalised && !self.caps_mode || context && has_rare_word)
        } else {
            let rare = !self.has(
                i,
                flag::ENGLISH | flag::COMMON | flag::NEVER_NAME | flag::STOP,
            );
            let distinctive =
                rare && !self.has(i, flag::NAME) && self.words[i].end - self.words[i].start >= 5;
            // `in Savannah`: a capitalised, uncommon word after a place cue in mixed-case text.
            let written_as_place = !self.caps_mode
                && self.words[i].shape == Shape::Cap
                && !self.has(i, flag::COMMON | flag::NEVER_NAME | flag::STOP);
            let after_street = self.after_street(i);
            (rare || written_as_place) && (context || after_street)
                || distinctive && !self.caps_mode
        };
        if accept {
            for m in marks.iter_mut().take(last + 1).skip(i) {
                *m = Some(PhiType::Location);
            }
        }
    }

    /// The last word of the longest place phrase starting at `i`, if any.
    fn phrase_end(&self, i: usize, phrases: &rustc_hash::FxHashSet<Box<[u8]>>) -> Option<usize> {
        let mut key = self.text[self.words[i].start..self.words[i].end].to_ascii_lowercase();
        let mut best = None;
        for j in i + 1..(i + 4).min(self.words.len()) {
            if !self.joined(j - 1, b".") {
                break;
            }
            // `St. Cloud`: the gazetteer keeps the abbreviation's period.
            if self.text[self.words[j - 1].end..self.words[j].start].starts_with(b".") {
                key.push(b'.');
            }
            key.push(b' ');
            key.extend(
                self.text[self.words[j].start..self.words[j].end]
                    .iter()
                    .map(u8::to_ascii_lowercase),
            );
            if phrases.contains(key.as_slice()) {
                best = Some(j);
            }
        }
        best
    }

    /// `12 Mill Rd, Peoria`: a comma after a street suffix introduces the city.
    fn after_street(&self, i: usize) -> bool {
        const SUFFIXES: &[&str] = &[
            "st", "street", "rd", "road", "ave", "avenue", "blvd", "ln", "lane", "dr", "drive",
            "ct", "court", "pl", "place", "way", "pkwy", "hwy", "ter", "cir",
        ];
        if i == 0
            || !self.joined(i - 1, b",.")
            || !self.text[self.words[i - 1].end..self.words[i].start].contains(&b',')
        {
            return false;
        }
        let prev = &self.text[self.words[i - 1].start..self.words[i - 1].end];
        SUFFIXES
            .iter()
            .any(|s| prev.eq_ignore_ascii_case(s.as_bytes()))
            || prev.iter().all(u8::is_ascii_digit)
    }

    /// `in`, `from`, `to`, `near` (or a residence or movement verb) just before.
    fn place_context_before(&self, i: usize) -> bool {
        i > 0 && self.joined(i - 1, b"") && self.has(i - 1, flag::PLACE_PREP | flag::PLACE_CUE)
    }

    /// `, IL` right after.
    fn state_after(&self, last: usize) -> bool {
        let Some(next) = self.words.get(last + 1) else {
            return false;
        };
        let gap = &self.text[self.words[last].end..next.start];
        let word = &self.text[next.start..next.end];
        gap.starts_with(b",")
            && gap.len() <= 3
            && word.len() == 2
            && word.iter().all(u8::is_ascii_uppercase)
    }

    /// `transferred to Quartermain`, `lives in Catonsville`, `ADMITTED TO GH`: after a
    /// movement or residence verb and a preposition, a word no dictionary knows is a place.
    fn mark_place(&self, i: usize, marks: &mut [Option<PhiType>]) {
        if !self.has(i, flag::PLACE_CUE)
            || i + 2 >= self.words.len()
            || !self.has(i + 1, flag::PLACE_PREP)
        {
            return;
        }
        if !self.joined(i, b"") {
            return;
        }
        let mut k = i + 2;
        // `to the Zagaria campus`
        if self.text[self.words[k].start..self.words[k].end].eq_ignore_ascii_case(b"the")
            && k + 1 < self.words.len()
        {
            k += 1;
        }
        let mut taken = 0;
        while k < self.words.len() && taken < 3 && self.joined(k - 1, b".'") {
            let w = &self.words[k];
            let placeish = !self.has(
                k,
                flag::NEVER_NAME
                    | flag::ENGLISH
                    | flag::NAME_CUE
                    | flag::RELATION
                    | flag::STRONG_CUE,
            ) && w.end - w.start >= if self.caps_mode { 4 } else { 3 }
                && !self.text[w.start..w.end].iter().any(u8::is_ascii_digit)
                && (w.shape != Shape::Lower || w.end - w.start >= 5)
                || self.dictionary_name(k) && w.shape != Shape::Lower;
            if !placeish || marks[k].is_some() && marks[k] != Some(PhiType::Name) {
                break;
            }
            marks[k] = Some(PhiType::Location);
            taken += 1;
            k += 1;
        }
    }

    /// `lives alone in Ceuta`, `drove her from Kolobrzeg`, `moved to Tadepalligudem`,
    /// `a voicemail for Wiktor`: in mixed-case text a capitalised word that no list knows
    /// (not English, not a name, not clinical) right after a preposition is a place or a
    /// person; either way it is identifying (a safe-vocabulary reading: unknown is suspect).
    /// `in South Michellemouth`, `from Lake Tylermouth`: a place-name opener may come first.
    fn mark_unknown_after_preposition(&self, i: usize, marks: &mut [Option<PhiType>]) {
        const PLACE_PREPOSITIONS: &[&[u8]] = &[b"in", b"from", b"near", b"to", b"at"];
        const PERSON_PREPOSITIONS: &[&[u8]] = &[b"for", b"with", b"by"];
        const PLACE_OPENERS: &[&[u8]] = &[
            b"north", b"south", b"east", b"west", b"new", b"lake", b"port", b"mount", b"san",
            b"santa", b"saint", b"st", b"fort", b"el", b"la", b"las", b"los", b"le", b"bad",
        ];
        if self.caps_mode || i == 0 || marks[i].is_some() || !self.joined(i - 1, b"") {
            return;
        }
        let prev = &self.text[self.words[i - 1].start..self.words[i - 1].end];
        let is = |list: &[&[u8]], w: &[u8]| list.iter().any(|p| w.eq_ignore_ascii_case(p));
        let ty = if is(PLACE_PREPOSITIONS, prev) {
            PhiType::Location
        } else if is(PERSON_PREPOSITIONS, prev) {
            PhiType::Name
        } else {
            return;
        };
        let word = &self.text[self.words[i].start..self.words[i].end];
        let opener = ty == PhiType::Location
            && self.words[i].shape == Shape::Cap
            && is(PLACE_OPENERS, word)
            && i + 1 < self.words.len()
            && self.joined(i, b".")
            && self.unknown_capitalised(i + 1);
        let first = if opener { i + 1 } else { i };
        // After `to`, `at` and `by` short unknown words are more often jargon (`to Lcx`).
        let min_len = if matches!(prev.len(), 2) && !prev.eq_ignore_ascii_case(b"in") {
            5
        } else {
            4
        };
        if !self.unknown_capitalised(first)
            || self.words[first].end - self.words[first].start < min_len
        {
            return;
        }
        for m in marks.iter_mut().take(first + 1).skip(i) {
            *m = Some(ty);
        }
        // `from Gorzow Wielkopolski`, `for Nuray Atzler`: the rest of a many-word name.
        let mut k = first + 1;
        while k < self.words.len() && k < first + 3 && self.joined(k - 1, b"-") {
            if !self.name_part(k) || marks[k].is_some() {
                break;
            }
            marks[k] = Some(ty);
            k += 1;
        }
    }

    /// `Fiorenzo Zoppetti`, `Mirco Gabba`: two capitalised words side by side that no list
    /// knows as English or clinical, at least one of them known to no list at all, read as
    /// a name in mixed-case text.
    fn mark_unknown_pair(&self, i: usize, marks: &mut [Option<PhiType>]) {
        let j = i + 1;
        if self.caps_mode || j >= self.words.len() || !self.joined(i, b"") {
            return;
        }
        let unknown = |k: usize| self.unknown_capitalised(k) && self.words[k].flags == 0;
        let pair = self.name_part(i) && self.name_part(j) && (unknown(i) || unknown(j));
        let long_enough = self.words[i].end - self.words[i].start >= 3
            && self.words[j].end - self.words[j].start >= 3;
        if pair && long_enough && marks[i].is_none() && marks[j].is_none() {
            marks[i] = Some(PhiType::Name);
            marks[j] = Some(PhiType::Name);
        }
    }

    /// A title-case word that may be part of a name: not English, clinical or a cue.
    fn name_part(&self, k: usize) -> bool {
        self.words[k].shape == Shape::Cap
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

    /// A title-case word, at least three letters and no digit, that no list knows.
    fn unknown_capitalised(&self, i: usize) -> bool {
        let w = &self.words[i];
        w.shape == Shape::Cap
            && w.end - w.start >= 3
            && w.flags & !(flag::FIRST | flag::LAST | flag::POPULAR) == 0
            && !self.text[w.start..w.end].iter().any(u8::is_ascii_digit)
    }

    /// `Dr. Rakusin and Toolis`, `Suzette and Hank`: a name, a conjunction, another name.
    fn extend_conjunctions(&self, marks: &mut [Option<PhiType>]) {
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
    fn extend_names(&self, marks: &mut [Option<PhiType>]) {
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

    /// A comma joins names only in `LAST, FIRST` order: the word after it is a first name.
    fn comma_ok(&self, a: usize, b: usize) -> bool {
        let gap = &self.text[self.words[a].end..self.words[b].start];
        !gap.contains(&b',')
            || self.has(b, flag::FIRST)
                && !self.has(b, flag::COMMON)
                && self.words[b].end - self.words[b].start > 2
    }

    fn extends(&self, j: usize) -> bool {
        if self.has(j, flag::NEVER_NAME | flag::NAME_CUE | flag::RELATION) {
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

    fn extends_left(&self, j: usize) -> bool {
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

/// Words before a facility word that describe it rather than name it.
const GENERIC_FACILITY_WORDS: &[&str] = &[
    "outside",
    "community",
    "local",
    "other",
    "same",
    "previous",
    "acute",
    "state",
    "general",
    "regional",
    "private",
    "public",
    "nearby",
    "new",
    "old",
    "home",
    "nursing",
    "rehab",
    "medical",
    "health",
    "county",
    "city",
    "university",
    "children's",
    "childrens",
    "veterans",
    "transfer",
    "osh",
    "hospital",
    "center",
    "clinic",
];

/// Turns marked words into spans, joining neighbours of the same type.
fn emit_runs(text: &[u8], words: &[Word], marks: &[Option<PhiType>], out: &mut Vec<LexHit>) {
    let mut i = 0;
    while i < words.len() {
        let Some(ty) = marks[i] else {
            i += 1;
            continue;
        };
        let start = words[i].start;
        let mut end = words[i].end;
        let mut j = i + 1;
        while j < words.len() && marks[j] == Some(ty) {
            let gap = &text[end..words[j].start];
            if gap.len() > 3 || gap.contains(&b'\n') {
                break;
            }
            end = words[j].end;
            j += 1;
        }
        // `Healey's`: the possessive stays in the text.
        if end - start > 2 && text[..end].ends_with(b"'s") {
            end -= 2;
        }
        // An initial keeps its period (`J.`).
        if end - start == 1 && text.get(end) == Some(&b'.') {
            end += 1;
        }
        out.push(LexHit { start, end, ty });
        i = j;
    }
}
