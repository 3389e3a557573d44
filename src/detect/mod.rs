//! PHI detection in free text.
//!
//! Owns the compiled [`Detector`] (text rules + lexicon, built once at start-up) and the
//! merge of everything they and a payload's learned values find into non-overlapping
//! [`Span`]s. Structured payloads are walked in [`crate::engine`]; what happens to a span is
//! decided in [`crate::transform`].
//!
//! # Layout
//! - [`rules`]: regex rule file, compiled into one multi-pattern automaton.
//! - `starts`: where each rule's match can start, so its group runs only there.
//! - `cues`: the words a rule's match must begin with, so its group runs only where one
//!   of them does.
//! - `gate`: what a rule's match must look like, so a start no rule can match can be
//!   skipped (opt-in: measured slower than walking every start).
//! - [`validate`]: check digits and context checks for rule matches.
//! - [`lexicon`]: name lists, cue words and the word-level name/place detector.
//! - `facility`: facility names after a movement verb, their acronyms, whole names.
//! - `grow`: the rest of a found name beside it (`michelle allen`, `PETERS, GEORGE`).
//! - `titled`: English-word surnames after `Dr` (`per Dr. Tyro`).
//! - `structure`: names in the structures of clinical notes (labels, hand-offs, lists).
//! - [`learned`]: values learned from structured fields, searched in the same payload;
//!   [`learned_words`]: which capitalised word-parts of them are the person.
//! - `repeated_ids`: an identifier found once, found wherever the text repeats it bare
//!   (places have theirs in the lexicon, beside the repeated names).
//! - [`shape`]: identifier shapes, tokenised without a cue (default deny).
//! - [`overlay`]: `patterns.d/` files adding rules and allow-list words to the above.
//! - `memo`: the spans of short texts already scanned, remembered per scratch.
//! - `value_labels`: `IBAN` before its value is a label, not the given name `Iban`.
//! - `words`: the words of one scan (cut, shaped, flagged once), read by every word pass.
//! - [`tagger`]: a statistical token classifier for names and places (weights in
//!   `patterns/model/`).

mod address;
mod contact_numbers;
mod contractions;
mod cues;
mod date_span;
mod eponyms;
mod facility;
mod gate;
mod glued;
mod grow;
mod lab_units;
pub mod learned;
mod learned_words;
pub mod lexicon;
mod memo;
pub mod overlay;
mod repeated_ids;
pub mod rules;
mod salutations;
pub mod shape;
mod starts;
mod street_drive;
mod structure;
mod table;
pub mod tagger;
mod titled;
mod user_names;
pub mod validate;
mod value_labels;
mod words;

use crate::patterns::Patterns;
use crate::phi::PhiType;
use learned::Learned;
use lexicon::{flag, LexHit, LexScratch, Lexicon, LexiconSources};
use rules::{Anchoring, RuleSet, ScanCache};

/// A rule file that could not be loaded; names the file and line, never input text.
#[derive(Debug, thiserror::Error)]
pub enum RuleError {
    #[error("{file}:{line}: {reason}")]
    Syntax {
        file: String,
        line: usize,
        reason: String,
    },
    #[error("{file}:{line}: {reason}")]
    Invalid {
        file: String,
        line: usize,
        reason: String,
    },
}

// Spans are part of the shared vocabulary (transforms rewrite them); detection makes them.
pub use crate::phi::Span;

/// Everything needed to find PHI in text, compiled once.
pub struct Detector {
    rules: RuleSet,
    lexicon: Lexicon,
    /// Overlays' allow-list (lower case): a detection whose whole text is one of these is
    /// not PHI. Empty without overlays.
    allow: std::collections::HashSet<String>,
    /// States and countries (`patterns/places/not-phi-regions.txt`): a LOCATION detection
    /// that is wholly one of them is not PHI under Safe Harbor and stays in the text.
    regions: std::collections::HashSet<String>,
    /// The one-word states and countries of that file that no given-name list holds
    /// (`germany`, `maine`; not `georgia`, `jordan`): a NAME detection that is one of them
    /// right after `from`, `in` or `to` is the place (`Flew in from Germany`).
    unnamed_regions: std::collections::HashSet<String>,
    /// The statistical tagger; `None` when the patterns ship no weights.
    tagger: Option<tagger::Tagger>,
    /// Facility names and their acronyms (`patterns/text/facilities.toml`).
    facilities: facility::Facilities,
    /// English-word surnames after a title (`patterns/text/titled.toml`).
    titled: titled::Titled,
    /// Names in care teams, sign-outs, footers and contact lines
    /// (`patterns/text/structures.toml`).
    structures: structure::Structures,
    /// This detector's identity ([`memo::next_owner`]): a scratch's memo of scans is read
    /// only for the detector that filled it.
    id: u64,
}

/// Per-thread buffers reused across scans.
pub struct Scratch {
    cache: ScanCache,
    lex: LexScratch,
    lex_hits: Vec<LexHit>,
    tag: tagger::TagScratch,
    /// The note words of the last scan (facility names and note structures read them).
    notes: words::NoteWords,
    /// The spans of short texts this scratch scanned already.
    memo: memo::ScanMemo,
    /// How deep the current document sits inside others (JSON in a string, base64 of a
    /// note): bounds recursion over nested payloads.
    pub nesting: usize,
    /// Values that must be found wherever they appear in this document, cue or no cue:
    /// on a reidentify route, the values just revealed to the clinic, so that its answer
    /// cannot echo them to the outside.
    pub echo: Option<std::sync::Arc<Learned>>,
}

impl Scratch {
    /// The rule scan's caches (diagnostics: [`RuleSet::finder_usage`]).
    pub fn rule_cache(&self) -> &ScanCache {
        &self.cache
    }
}

impl Detector {
    /// Compiles the rule files; every failure names its file and line.
    pub fn build(p: &Patterns) -> Result<Detector, RuleError> {
        Detector::build_with(p, Anchoring::AtStarts)
    }

    /// [`Detector::build`], choosing how the rule groups are searched (the equality test
    /// and the cost diagnostics compare the two ways).
    pub fn build_with(p: &Patterns, anchoring: Anchoring) -> Result<Detector, RuleError> {
        let (rules, allow) = overlay::compile_with(
            "patterns/text/rules.toml",
            p.get("text/rules.toml"),
            &p.overlays,
            anchoring,
        )?;
        let mut lexicon = Lexicon::build(&LexiconSources::of(p))?;
        for w in &allow {
            lexicon.allow_word(w);
        }
        let tagger = tagger::Tagger::load(p).map_err(|e| RuleError::Invalid {
            file: "patterns/model".into(),
            line: 0,
            reason: e.to_string(),
        })?;
        let regions = regions_no_one_is_named(p.get("places/not-phi-regions.txt"), &lexicon);
        let unnamed_regions = regions_no_given_name(p.get("places/not-phi-regions.txt"), &lexicon);
        let facilities = facility::Facilities::build(p.get(facility::FILE))?;
        let titled = titled::Titled::build(p.get(titled::FILE))?;
        let structures = structure::Structures::build(p.get(structure::FILE))?;
        Ok(Detector {
            facilities,
            titled,
            structures,
            rules,
            lexicon,
            allow,
            regions,
            unnamed_regions,
            tagger,
            id: memo::next_owner(),
        })
    }

    pub fn rules(&self) -> &RuleSet {
        &self.rules
    }

    /// Whether `word` holds a name glued in camel case (`patientRosalindThackeray`): a
    /// schema's own key never does ([`glued`]).
    pub fn holds_glued_name(&self, word: &str) -> bool {
        !glued::glued_names(word, &self.lexicon).is_empty()
    }

    pub fn lexicon(&self) -> &Lexicon {
        &self.lexicon
    }

    /// The statistical tagger, when the patterns ship weights.
    pub fn tagger(&self) -> Option<&tagger::Tagger> {
        self.tagger.as_ref()
    }

    pub fn scratch(&self) -> Scratch {
        Scratch {
            cache: self.rules.cache(),
            lex: LexScratch::default(),
            lex_hits: Vec::new(),
            tag: tagger::TagScratch::default(),
            notes: words::NoteWords::default(),
            memo: memo::ScanMemo::default(),
            nesting: 0,
            echo: None,
        }
    }

    /// Finds PHI in `text`. Returns sorted, non-overlapping spans; where detections overlap
    /// they are merged into one span (the longest detection's type), so nothing partially
    /// detected survives.
    pub fn scan(&self, text: &str, learned: Option<&Learned>, s: &mut Scratch) -> Vec<Span> {
        self.scan_accented(text, &[], learned, s)
    }

    /// [`Detector::scan`] of a canonical view, given the accents the view dropped
    /// ([`crate::canon::Canon::accents`]): a word is judged a safe word only as written
    /// (`Åsa` is a name, `ASA` aspirin).
    pub fn scan_accented(
        &self,
        text: &str,
        accents: &[lexicon::Accent],
        learned: Option<&Learned>,
        s: &mut Scratch,
    ) -> Vec<Span> {
        let mut values = Vec::new();
        if let Some(l) = learned {
            let mixed_case = text.bytes().any(|b| b.is_ascii_uppercase());
            l.scan(text, |start, end, ty| {
                if !(mixed_case && self.is_lower_case_word_of_a_name(&text[start..end], ty)) {
                    values.push(Span { start, end, ty })
                }
            });
            // `Hand therapy`, `DME: Walker`: a capitalised word-part is the person only
            // where the text names one there.
            values = learned_words::people(&self.lexicon, text, values);
        }
        if let Some(e) = &s.echo {
            e.scan(text, |start, end, ty| values.push(Span { start, end, ty }));
        }
        // Learned and echoed values reach the spans only through `values`: with none found,
        // the spans are those of the text and its accents alone.
        let name = values
            .is_empty()
            .then(|| s.memo.name(self.id, text, accents))
            .flatten();
        if let Some(spans) = name.and_then(|n| s.memo.get(n)) {
            return spans;
        }
        let spans = self.scan_afresh(text, accents, values, s);
        if let Some(n) = name {
            s.memo.remember(n, &spans);
        }
        spans
    }

    /// A learned name part met in lower case where it is also an English or clinical word
    /// (`Walker` the patient, `front-wheeled walker` the device; `May`, `may progress`):
    /// in text that has capitals, the word written small is the word, not the person (red
    /// team 52, H20). Text without capitals cannot tell, and the value stays found.
    fn is_lower_case_word_of_a_name(&self, found: &str, ty: PhiType) -> bool {
        matches!(ty, PhiType::Name | PhiType::ProviderName)
            && found.bytes().all(|b| b.is_ascii_lowercase())
            && self.lexicon.flags(found.as_bytes()) & (flag::ENGLISH | flag::CLINICAL | flag::VOCAB)
                != 0
    }

    /// [`Detector::scan_accented`] without the memo, given the spans of the learned and
    /// echoed values found in `text`.
    fn scan_afresh(
        &self,
        text: &str,
        accents: &[lexicon::Accent],
        values: Vec<Span>,
        s: &mut Scratch,
    ) -> Vec<Span> {
        let mut spans = Vec::new();
        self.rules.scan(text, &mut s.cache, |h| {
            spans.push(Span {
                start: h.start,
                end: h.end,
                ty: self.rules.rules()[h.rule].ty,
            });
        });
        s.lex_hits.clear();
        self.lexicon
            .scan_accented(text, accents, &mut s.lex, &mut s.lex_hits);
        spans.extend(s.lex_hits.iter().map(|h| Span {
            start: h.start,
            end: h.end,
            ty: h.ty,
        }));
        // Where they always were among the detections: `merge` sorts unstably, so spans
        // with the same bounds are read in the order they come.
        spans.extend(values);
        shape::identifier_words(text, |start, end, ty| spans.push(Span { start, end, ty }));
        spans.extend(glued::glued_names(text, &self.lexicon));
        spans.extend(user_names::cued_user_names(text, &self.lexicon));
        if let Some(t) = &self.tagger {
            // The lexicon scan above left its words in `s.lex`: the tagger reuses their flags.
            let known = Some(s.lex.known_words());
            t.scan_known(text, &self.lexicon, known, &mut s.tag, |start, end, ty| {
                spans.push(Span { start, end, ty })
            });
        }
        let mut spans = merge(spans);
        // Lists of people continue from every detector's names, the tagger's included.
        let listed = self.lexicon.listed_people(text, &mut s.lex, &spans);
        if !listed.is_empty() {
            spans.extend(listed.iter().map(|h| Span {
                start: h.start,
                end: h.end,
                ty: h.ty,
            }));
            spans = merge(spans);
        }
        // Names in the structures of notes (care teams, sign-outs, footers), read with the
        // spans found so far; before the names are grown and repeated, so both apply.
        // Both passes over a note's structures and facilities read its words cut one way.
        s.notes
            .read(text.as_bytes(), s.lex.words(), |w| self.lexicon.flags(w));
        let notes = s.notes.words(text.as_bytes());
        let case = s.lex.words().case();
        let structured = self.structures.scan(text, &notes, case, &spans);
        if !structured.is_empty() {
            spans.extend(structured);
            spans = merge(spans);
        }
        // Towns written after a postcode (`postcode 40909, town Pontevedra`): a ZIP's span keeps
        // its own shape (the policy may keep its first three digits), so its town is a span
        // of its own.
        let mut towns = Vec::new();
        for s in spans.iter_mut() {
            match s.ty {
                PhiType::Name | PhiType::ProviderName => {
                    self.whole_name(text, accents, case.mixed(), s)
                }
                PhiType::Address => {
                    s.end = address::whole_address(text.as_bytes(), s.start, s.end, |w| {
                        self.lexicon.flags(w)
                    })
                }
                PhiType::Location => {
                    s.end = address::postcode_after(text.as_bytes(), s.end);
                    if let Some((_, end)) =
                        address::town_after_postcode(text.as_bytes(), s.start, s.end, |w| {
                            self.lexicon.flags(w)
                        })
                    {
                        s.end = end;
                    }
                }
                PhiType::Zip => {
                    if let Some((start, end)) =
                        address::town_after_postcode(text.as_bytes(), s.start, s.end, |w| {
                            self.lexicon.flags(w)
                        })
                    {
                        towns.push(Span {
                            start,
                            end,
                            ty: PhiType::Location,
                        });
                    }
                }
                PhiType::Date => s.end = date_span::whole_date(text.as_bytes(), s),
                _ => {}
            }
        }
        if !towns.is_empty() {
            spans.extend(towns);
            spans = merge(spans);
        }
        let dated = date_span::neighbour_dates(text, &spans);
        spans.extend(dated);
        let repeated = date_span::repeated_ages(text, &spans);
        spans.extend(repeated);
        // Facility names the passes above missed or found in part, read with their spans.
        let facilities = self
            .facilities
            .scan_words(text, &self.lexicon, &notes, case, &spans);
        spans.extend(facilities);
        // `| John Hasler | grandson | 1261 |` under a `Phone` header: an extension alone.
        spans.extend(table::phone_columns(
            text,
            &self.structures.phone_column_headers,
        ));
        let titled = self.titled.scan(text, &self.lexicon, &spans);
        spans.extend(titled);
        // A name found once is found wherever the note repeats it, in any case.
        let names = self.lexicon.repeated_names(text, &s.lex, &spans);
        // A repeat is grown as the first finds were (`Douglas Velazquez` after `Mx.
        // Velazquez`): the rest of its name stands beside it too.
        spans.extend(names.iter().map(|h| {
            let mut span = Span {
                start: h.start,
                end: h.end,
                ty: h.ty,
            };
            self.whole_name(text, accents, case.mixed(), &mut span);
            span
        }));
        let mut spans = merge(spans);
        // `Mr 김, 91, was seen`: an age over 89 set off right after a found name;
        // `owner Ana Berg, 913 78 337`: a number to dial.
        let ages = date_span::ages_after_names(text, &spans);
        let phones = contact_numbers::phones_after_names(text, &spans);
        if !ages.is_empty() || !phones.is_empty() {
            spans.extend(ages);
            spans.extend(phones);
            spans = merge(spans);
        }
        // Places and identifiers found once are found wherever the text repeats them bare.
        let places = self.lexicon.repeated_places(text, &s.lex, &spans);
        let ids = repeated_ids::repeated_identifiers(text, &spans);
        if !places.is_empty() || !ids.is_empty() {
            spans.extend(places.iter().map(|h| Span {
                start: h.start,
                end: h.end,
                ty: h.ty,
            }));
            spans.extend(ids);
            spans = merge(spans);
        }
        // `Liberty Mutual`, `Blue Cross`: an insurer's name is no person or town.
        self.lexicon.drop_organisations(text, &s.lex, &mut spans);
        // `IBAN: GB82…`: a bank value's label in capitals is no given name (`Iban`).
        value_labels::drop_value_labels(text, &self.structures.value_labels, &mut spans);
        // `Barrett esophagus`, `Murphy's sign`, `Jackson-Pratt drain`: eponyms, no people;
        // `Nursing Progress Note`: a heading, no place.
        let word_flags = |w: &[u8]| self.lexicon.flags(w);
        eponyms::drop_eponyms(text, &self.structures, word_flags, &mut spans);
        // `Mom can't make it`: a contraction after a kinship word is no name.
        contractions::drop_contractions(text, &mut spans);
        // `Dear Sir or Madam,`: the role a greeting names is no one.
        salutations::drop_greeted_roles(text, &mut spans);
        // `TSH 2.1 mIU/L`: a unit's atom is no name.
        lab_units::drop_lab_units(text, &mut spans);
        // `on Quarry Hollow Dr near the mill`: the word after a street's Drive is no doctor.
        street_drive::drop_words_after_street_drive(text, &mut spans);
        if !self.allow.is_empty() {
            // Only a whole detection that is an allowed term goes; anything else stays.
            spans.retain(|s| {
                text.get(s.start..s.end)
                    .is_none_or(|t| !self.allow.contains(&t.to_lowercase()))
            });
        }
        spans.retain(|s| {
            let region = || text.get(s.start..s.end).is_some_and(|t| self.is_region(t));
            match s.ty {
                PhiType::Location => !region(),
                // `Flew in from Germany`, `Originally from Poland`: a state or country after
                // a word of place read as a person is the place (only regions no given-name
                // list holds).
                PhiType::Name => {
                    !(place_word_before(text.as_bytes(), s.start)
                        && text
                            .get(s.start..s.end)
                            .is_some_and(|t| self.unnamed_regions.contains(&t.to_lowercase())))
                }
                _ => true,
            }
        });
        // A place that is a kind of care (`Heath Care Proxy`, `POST MORTEM CARE`) stays.
        self.facilities.drop_kinds_of_care(text, &mut spans);
        if spans.is_empty() || !text.contains('_') {
            return spans;
        }
        spare_tokens(text, spans)
    }

    /// Whether a detected place is wholly a state or a country (case and spacing aside,
    /// a leading `the` and a trailing period dropped): Safe Harbor keeps those.
    fn is_region(&self, place: &str) -> bool {
        let folded = place.trim().trim_end_matches('.').to_lowercase();
        let words: Vec<&str> = folded.split_whitespace().collect();
        let words = match words.split_first() {
            Some((&"the", rest)) if !rest.is_empty() => rest,
            _ => &words[..],
        };
        self.regions.contains(&words.join(" "))
    }

    /// Grows a name span to the whole name, so no part of it is left beside the token:
    /// hyphenated and apostrophe parts (`Whitlock-Bayne`, `O'Neil`), a capitalised first
    /// name just before it even when it is also a word (`Faith Whitlock`), and a
    /// capitalised surname-list word just after it.
    fn whole_name(&self, text: &str, accents: &[lexicon::Accent], mixed: bool, s: &mut Span) {
        use lexicon::flag;
        let b = text.as_bytes();
        let flags = |ws: usize, we: usize| {
            let inside = lexicon::AccentCursor::new(accents).within(ws, we);
            self.lexicon.flags_written(b, ws, we, inside)
        };
        // The rest of a name in its own case, and `LAST, FIRST` headers (see `grow`).
        let credential_after = |w: &[u8]| self.structures.credentials_after_name.contains(w);
        let whole = grow::Reader {
            flags: &flags,
            credential_after: &credential_after,
        };
        // Right: `-Moss`, `'Neil`, `-Öztürk`, `-woo`, then one more listed surname.
        while let Some(e) = self.joined_part_after(text, s.end) {
            s.end = e;
        }
        if let Some((ws, we)) = next_word(b, s.end) {
            let w = &b[ws..we];
            let f = flags(ws, we);
            let plain_surname = w[0].is_ascii_uppercase()
                && f & flag::LAST != 0
                && f & (flag::NEVER_NAME | flag::ENGLISH) == 0;
            if plain_surname || self.surname_word_ends_name(b, s.start, we, f, mixed) {
                s.end = we;
            } else if let Some(e) = whole.surname_after(b, s.start, s.end, (ws, we)) {
                s.end = e;
            }
        } else if let Some(e) = whole.first_after_comma(b, s.start, s.end) {
            s.end = e;
        } else if let Some(e) = whole.first_in_quoted_cell(b, s.start, s.end) {
            s.end = e;
        }
        // Right: `van den Berg`, `de la Cruz`: lower-case particles, then a capitalised
        // word, are the rest of the name, even a word (`berg`) no list takes as a surname
        // (red team 69, J).
        if let Some(e) = surname_after_particles(b, s.end, &flags) {
            s.end = e;
        }
        // Left: `Saint-` of `Saint-Fleur`, `Whitlock-` of `Whitlock-Bayne`.
        while let Some(st) = joined_part_before(text, s.start) {
            s.start = st;
        }
        // Left: a capitalised first name, even one that is also a word (Faith, Hope, Bill).
        if let Some((ws, we)) = prev_word(b, s.start) {
            let w = &b[ws..we];
            let f = flags(ws, we);
            let listed_first = f & flag::FIRST != 0;
            let function_word_name = f & flag::COMMON != 0 && after_patient_word(b, ws);
            if w[0].is_ascii_uppercase()
                && listed_first
                && (f & flag::NEVER_NAME == 0 || function_word_name)
            {
                s.start = ws;
            } else if let Some(st) = whole.given_name_before(b, s.start, s.end, (ws, we), mixed) {
                s.start = st;
            }
        } else if let Some(st) = whole.last_before_comma(b, s.start, s.end) {
            s.start = st;
        } else if let Some(st) = whole.last_in_quoted_cell(b, s.start, s.end) {
            s.start = st;
        }
    }
}

/// The word ending right before byte `ws` is `Patient` or `Pt`, capitalised, one space
/// before: what follows is the patient's name, so a given name that is a function word
/// too (`Patient Will Hunter`, `Pt May Okafor`) is the name's first word (red team 58).
fn after_patient_word(b: &[u8], ws: usize) -> bool {
    let before = &b[..ws];
    [&b"Patient "[..], b"Pt ", b"PT "].iter().any(|cue| {
        before.ends_with(cue)
            && before
                .len()
                .checked_sub(cue.len() + 1)
                .is_none_or(|k| !b[k].is_ascii_alphanumeric())
    })
}

impl Detector {
    /// `Hjoreklisa Block.`, `i called anchomedo lackey.`, `dr ifunle dale`: a listed surname
    /// that is also an English word, right after a name found already, where the sentence or
    /// line ends after it, is that name's surname. In mixed-case text both must be
    /// capitalised; a text in one case says nothing by its capitals, so the word's place
    /// (after a name, before the sentence's end) is the evidence. Cue, clinical, role,
    /// relation and facility words are never taken.
    fn surname_word_ends_name(
        &self,
        b: &[u8],
        start: usize,
        we: usize,
        f: u64,
        mixed: bool,
    ) -> bool {
        use lexicon::flag;
        let not_surname = flag::NEVER_NAME | grow::NOT_NAME_WORD;
        let ws = we
            - b[..we]
                .iter()
                .rev()
                .take_while(|c| c.is_ascii_alphabetic())
                .count();
        let capitals = b[start].is_ascii_uppercase() && b[ws].is_ascii_uppercase();
        let ends = matches!(b.get(we), None | Some(b'.' | b',' | b';' | b'\n' | b'\r'));
        f & flag::LAST != 0 && f & not_surname == 0 && ends && (capitals || !mixed)
    }

    /// The end of a name part joined to the name ending at `end` by a hyphen or an
    /// apostrophe: a capitalised part in any script (`-Moss`, `'Neil`, `’Brien`, `-Öztürk`),
    /// or a short lower-case one that is no English or clinical word, as the second syllable
    /// of a Korean or Chinese given name is written (`Hyun-woo`, `Seo-yeon`), but not
    /// `-like`, `'s` or `-who`.
    fn joined_part_after(&self, text: &str, end: usize) -> Option<usize> {
        use lexicon::flag;
        let rest = text.get(end..)?;
        let mark = rest.chars().next()?;
        if !matches!(mark, '-' | '\'' | '\u{2019}') {
            return None;
        }
        let after = &rest[mark.len_utf8()..];
        let len: usize = after
            .chars()
            .take_while(|c| c.is_alphabetic())
            .map(char::len_utf8)
            .sum();
        let part = &after[..len];
        let first = part.chars().next()?;
        let letters = part.chars().count();
        // A syllable after a syllable (`Hyun-woo`, `Ji-min`) may spell an English or
        // clinical word; after a longer part it must not (`Smith-like`, `Jones-type`).
        let before = text[..end]
            .chars()
            .rev()
            .take_while(|c| c.is_alphabetic())
            .count();
        // A function word (`son X-who states`) is a dash's clause; `min` is clinical
        // shorthand in the same stop list, and a syllable (`Ji-min`).
        let f = self.lexicon.flags(part.as_bytes());
        let function_word = f & flag::STOP != 0 && f & (flag::CLINICAL | flag::VOCAB) == 0;
        let syllables = (2..=4).contains(&letters) && (2..=4).contains(&before) && !function_word;
        let unlisted =
            (2..=5).contains(&letters) && f & (flag::ENGLISH | flag::NEVER_NAME | flag::VOCAB) == 0;
        let joined = first.is_uppercase() || first.is_lowercase() && (syllables || unlisted);
        joined.then_some(end + mark.len_utf8() + len)
    }
}

/// The start of a capitalised name part joined by a hyphen to the name starting at `start`
/// (`Saint-` of `Saint-Fleur`, `Whitlock-` of `Whitlock-Bayne`, `Öz-` in any script): a
/// double-barrelled name found by its second half alone would leak its first. A part
/// glued to a digit or a mark before it (`ICD10-`, `x-`) is no name's.
fn joined_part_before(text: &str, start: usize) -> Option<usize> {
    let head = text.get(..start)?.strip_suffix('-')?;
    let len: usize = head
        .chars()
        .rev()
        .take_while(|c| c.is_alphabetic())
        .map(char::len_utf8)
        .sum();
    let part = &head[head.len() - len..];
    let mut chars = part.chars();
    let capitalised = chars.next().is_some_and(char::is_uppercase)
        && chars.next().is_some_and(char::is_alphabetic);
    let glued = head[..head.len() - len]
        .chars()
        .next_back()
        .is_some_and(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '/' | '.'));
    (capitalised && !glued).then_some(head.len() - len)
}

/// The word before `at` is one that puts a place after it (`from`, `in`, `to`).
fn place_word_before(b: &[u8], at: usize) -> bool {
    prev_word(b, at).is_some_and(|(a, z)| {
        let w = b[a..z].to_ascii_lowercase();
        matches!(&*w, b"from" | b"in" | b"to" | b"into" | b"visiting")
    })
}

/// The word after `at` when only one space separates it.
fn next_word(b: &[u8], at: usize) -> Option<(usize, usize)> {
    if b.get(at) != Some(&b' ') {
        return None;
    }
    let start = at + 1;
    let end = start
        + b[start..]
            .iter()
            .take_while(|c| c.is_ascii_alphabetic())
            .count();
    (end > start + 1).then_some((start, end))
}

/// Where the name ending at `end` ends when one to three lower-case particles follow it,
/// one space apart, and then a capitalised word that is no cue, title or function word:
/// the end of that word; `None` otherwise.
fn surname_after_particles(
    b: &[u8],
    end: usize,
    flags: &dyn Fn(usize, usize) -> u64,
) -> Option<usize> {
    use lexicon::flag;
    const MAX_PARTICLES: usize = 3;
    let not_surname = grow::NOT_NAME_WORD | flag::STOP | flag::CREDENTIAL | flag::FACILITY;
    let mut at = end;
    for particles in 0..=MAX_PARTICLES {
        let (ws, we) = next_word(b, at)?;
        let w = &b[ws..we];
        let f = flags(ws, we);
        let particle = w.iter().all(u8::is_ascii_lowercase)
            && f & (flag::PARTICLE | flag::INNER_PARTICLE) != 0;
        if particle && particles < MAX_PARTICLES {
            at = we;
            continue;
        }
        let titled = w[0].is_ascii_uppercase() && w[1..].iter().all(u8::is_ascii_lowercase);
        return (particles > 0 && titled && f & not_surname == 0).then_some(we);
    }
    None
}

/// The word before `at` when only one space separates it.
fn prev_word(b: &[u8], at: usize) -> Option<(usize, usize)> {
    if at < 3 || b[at - 1] != b' ' {
        return None;
    }
    let end = at - 1;
    let start = end
        - b[..end]
            .iter()
            .rev()
            .take_while(|c| c.is_ascii_alphabetic())
            .count();
    let before_ok = start == 0 || !b[start - 1].is_ascii_alphanumeric();
    (end > start + 1 && before_ok).then_some((start, end))
}

/// The one-word states and countries of `not-phi-regions.txt` (lower case) that no
/// given-name list holds (`Detector::unnamed_regions`).
fn regions_no_given_name(source: &str, lexicon: &Lexicon) -> std::collections::HashSet<String> {
    source
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.contains([' ', '.']))
        .map(str::to_lowercase)
        .filter(|r| lexicon.flags(r.as_bytes()) & lexicon::flag::FIRST == 0)
        .collect()
}

/// The states and countries of `not-phi-regions.txt` (lower case) that a detected place may
/// be kept as, leaving out one-word ones that many people are also named (`Jordan`, `Chad`,
/// `Georgia`, `India`, `England`): `message from Jordan` typed as a place may be a person,
/// so such a detection stays tokenised (fail closed).
fn regions_no_one_is_named(source: &str, lexicon: &Lexicon) -> std::collections::HashSet<String> {
    source
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_lowercase)
        .filter(|r| r.contains(' ') || lexicon.flags(r.as_bytes()) & lexicon::flag::POPULAR == 0)
        .collect()
}

/// Tokens already in the text (a callback's answer, a document de-identified twice) are
/// not PHI: detections inside them are dropped, and a detection that overlaps one keeps
/// only its parts outside, so a token is never re-tokenised or cut in two.
fn spare_tokens(text: &str, spans: Vec<Span>) -> Vec<Span> {
    // Only tokens of the mint alphabet: `PHONE_4135550172` is a value in a token's shape.
    let Some(pattern) = crate::phi::token::minted_token_pattern() else {
        return spans;
    };
    let tokens: Vec<(usize, usize)> = pattern
        .find_iter(text)
        .map(|m| (m.start(), m.end()))
        .collect();
    if tokens.is_empty() {
        return spans;
    }
    let mut out = Vec::with_capacity(spans.len());
    for s in spans {
        let mut start = s.start;
        for &(ts, te) in tokens
            .iter()
            .filter(|(ts, te)| *ts < s.end && *te > s.start)
        {
            if ts > start {
                push_trimmed(text, &mut out, start, ts, s.ty);
            }
            start = start.max(te);
        }
        if start < s.end {
            push_trimmed(text, &mut out, start, s.end, s.ty);
        }
    }
    out
}

/// Adds the part of `start..end` left after trimming whitespace and punctuation, if any.
fn push_trimmed(text: &str, out: &mut Vec<Span>, start: usize, end: usize, ty: PhiType) {
    let piece = &text[start..end];
    let lead = piece.len()
        - piece
            .trim_start_matches(|c: char| !c.is_alphanumeric())
            .len();
    let trail = piece.len() - piece.trim_end_matches(|c: char| !c.is_alphanumeric()).len();
    if lead + trail < piece.len() {
        out.push(Span {
            start: start + lead,
            end: end - trail,
            ty,
        });
    }
}

/// When detections overlap, the more specific type names the merged span: a shape-checked
/// identifier beats an address, an address beats a place, a place beats a name.
fn priority(ty: PhiType) -> u8 {
    match ty {
        PhiType::Name | PhiType::ProviderName => 0,
        PhiType::Location => 1,
        PhiType::Date | PhiType::Age | PhiType::Id => 2,
        PhiType::Zip => 3,
        PhiType::Address => 4,
        _ => 5,
    }
}

/// Sorts spans and merges overlaps into their union; [`priority`] picks the type.
pub fn merge(mut spans: Vec<Span>) -> Vec<Span> {
    spans.sort_unstable_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
    let mut out: Vec<Span> = Vec::with_capacity(spans.len());
    for s in spans {
        match out.last_mut() {
            Some(last) if s.start < last.end => {
                last.end = last.end.max(s.end);
                if priority(s.ty) > priority(last.ty) {
                    last.ty = s.ty;
                }
            }
            _ => out.push(s),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn particles_and_a_capitalised_word_end_a_name() {
        let text = b"with Anneke van den Berg. Then Maria de la cruz and Ana van Transport";
        let flags = |ws: usize, we: usize| match &text[ws..we] {
            b"van" | b"den" | b"de" | b"la" => lexicon::flag::PARTICLE,
            b"Transport" => lexicon::flag::FACILITY,
            _ => 0,
        };
        let end_of = |word: &str| {
            let at = std::str::from_utf8(text)
                .unwrap_or("")
                .find(word)
                .unwrap_or(0);
            at + word.len()
        };
        assert_eq!(
            surname_after_particles(text, end_of("Anneke"), &flags),
            Some(end_of("Berg"))
        );
        // A lower-case word after the particles, or a facility word, is no surname.
        assert_eq!(surname_after_particles(text, end_of("Maria"), &flags), None);
        assert_eq!(surname_after_particles(text, end_of("Ana"), &flags), None);
        // No particle: nothing to add.
        assert_eq!(surname_after_particles(text, end_of("Berg."), &flags), None);
    }

    #[test]
    fn the_first_half_of_a_double_barrelled_name_goes_with_the_second() {
        assert_eq!(joined_part_before("met Mirlande Saint-Fleur", 19), Some(13));
        assert_eq!(joined_part_before("SAINT-FLEUR, GUERLINE", 6), Some(0));
        assert_eq!(joined_part_before("Rose-Marie Dorval", 5), Some(0));
        // A part glued to a digit or a mark, a lower-case part, or no hyphen: none.
        assert_eq!(joined_part_before("ICD10-Fleur", 6), None);
        assert_eq!(joined_part_before("non-Smith", 4), None);
        assert_eq!(joined_part_before("Saint Fleur", 6), None);
        assert_eq!(joined_part_before("x-Y-Fleur", 4), None);
    }

    #[test]
    fn merge_unions_ranges_and_keeps_the_most_specific_type() {
        let s = |start, end, ty| Span { start, end, ty };
        let merged = merge(vec![
            s(5, 9, PhiType::Name),
            s(0, 20, PhiType::Address),
            s(30, 35, PhiType::Date),
            s(33, 40, PhiType::Date),
        ]);
        assert_eq!(
            merged,
            vec![s(0, 20, PhiType::Address), s(30, 40, PhiType::Date)]
        );
    }

    #[test]
    fn existing_tokens_are_never_detected_again() {
        // Tokens as the gateway writes them (consonants only): a token-shaped string with a
        // digit or a vowel is read as a value (`PHONE_4135550172`), so it is not spared.
        let text = "Seen with NAME_BBBBBBBBBB and Maria Lopez; NAME_KVDPXHGSBG Lopez called.";
        let s = |start, end| Span {
            start,
            end,
            ty: PhiType::Name,
        };
        let tok = text.find("NAME_B").expect("token");
        let second = text.find("NAME_K").expect("token");
        let spans = spare_tokens(
            text,
            vec![s(tok + 5, tok + 15), s(30, 41), s(second, second + 22)],
        );
        let pieces: Vec<&str> = spans.iter().map(|x| &text[x.start..x.end]).collect();
        assert_eq!(pieces, ["Maria Lopez", "Lopez"]);
    }

    /// The recall classes of issue 13 that live in code rather than in `rules.toml`: each
    /// `[[…]]` must be covered by a detection, and nothing in the keep rows is detected.
    #[test]
    fn unknown_words_in_identifying_places_are_found_and_jargon_is_kept() {
        let detector = Detector::build(&crate::patterns::Patterns::builtin()).expect("builtin");
        let mut scratch = detector.scratch();
        let found = [
            "She lives alone in [[Ceuta]] with her cat.",
            "Son drives her to clinic from [[Kolobrzeg]] weekly.",
            "Left a voicemail for [[Wiktor]] about the splint.",
            "Account updated for [[Fiorenzo Zoppetti]] yesterday.",
            "Road test in [[South Michellemouth]] next week.",
            "Send to [[ul. Fredry 66, Rumia, 48-413]]. Thanks.",
            "Lives at [[7 Edwards Alley, Harveyberg PH9V 2LR]]. Daughter visits.",
            "[[Ylivieska]] resident since 2019, lives alone.",
            "Mail to: Jan Berg / [[Kyrkbacken 3 / 27331]] Leichlingen",
            "Mail to: Jan Berg / Kyrkbacken 3 / 27331 [[Leichlingen]]",
            "Moved to [[Wiekring 12, Kleve]] last spring.",
            "Discharged home. [[Radoslaw]] was born on 05.10.2000 and walks daily.",
            "[[Holly]] was born in the spring.",
            "PT TRANSFERRED TO [[GH]] FOR CATH.",
            "followed at [[gh]] by her cardiologist.",
            "PRONOUNCED BY DR. [[L. RUUSKA]]. FAMILY W/ PT.",
            "GI appetite good, LBM [[11/5]], voiding.",
            "Questions answered by (Dr. [[Arthur Wilson]]) today.",
            "NP [[DJURIC]] MADE AWARE, PT BOLUSED.",
            "Lytes checked, Dr [[B Muse]] in to see pt.",
            "Plan: to [[sacred heart]] hospital at 4pm.",
            "He had TURP at [[reisterstown]] hospital then.",
            "PRESENT HX:[[8/30]] decreased mental status.",
            "Daughter to arrive [[9/9]] @ approx 1900 from Rome.",
        ];
        for case in found {
            let text = case.replace("[[", "").replace("]]", "");
            let want =
                &case[case.find("[[").expect("marker") + 2..case.find("]]").expect("marker")];
            let at = text.find(want).expect("value");
            let spans = detector.scan(&text, None, &mut scratch);
            assert!(
                spans
                    .iter()
                    .any(|s| s.start <= at && s.end >= at + want.len()),
                "{case}: {spans:?}"
            );
        }
        let kept = [
            "Sensitive to Oxacillin and Clindamycin per culture.",
            "Covered with Gelfoam and changed to Cipro today.",
            "Will see him again on Thursday for the splint.",
            "Suctioned with Yankauer as needed.",
            "Monitoring 24 hours after the Spring 2020 fall.",
            "She was born in the spring; It was born of necessity.",
            "Went to BR with assist, then sent to IR for a drain and transferred to CCU.",
            "Grip 4/5, pinch 5/5, pain 7/10 and 10/10 at worst; ratio 0.5/1.",
            "MD AWARE. RN TO FOLLOW. NP NOTIFIED. MD AT BEDSIDE.",
            "Referred to hand therapy clinic, then to pain clinic and to the hospital.",
        ];
        for text in kept {
            let spans = detector.scan(text, None, &mut scratch);
            assert!(spans.is_empty(), "{text}: {spans:?}");
        }
    }
}
