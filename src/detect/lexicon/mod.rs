//! The word-level detector for names and named places.
//!
//! Owns the lexicon (name lists, English words, cue words and allow-lists, each word mapped
//! to a set of flags by one hash lookup) and the rules that combine a word's flags, its
//! capitalisation and its neighbours into NAME, PROVIDER_NAME and LOCATION spans. Shapes
//! with digits (dates, phone numbers) belong to the regex rules, not here.
//!
//! Split by concern: `words` cuts text into words and reads their capitalisation;
//! `person` reads the person evidence around first names that are also words,
//! `organisations` drops names and places inside insurers' names;
//! `names` holds the rules that mark people, `places` the rules that mark facilities,
//! towns and streets; this file builds the lexicon, runs the passes in order and joins the
//! marked words into spans.

use serde::Deserialize;

mod accents;
mod errands;
mod forms;
mod frames;
mod lists;
mod lower_mentions;
mod mentions;
mod messages;
mod names;
mod organisations;
mod person;
mod places;
mod rare;
mod repeated;
mod repeated_places;
mod runs;
mod summary;
mod table;
mod unlisted;
mod words;

use super::rules::{line_of, lower_phrase, lower_words, parse_toml};
use super::RuleError;
pub use crate::canon::Accent;
use crate::phi::PhiType;
pub use accents::AccentCursor;
pub(crate) use runs::misspelt_word;
use table::{Key, WordTable, MAX_WORD};
use words::{Shape, Word, Words};

/// Word flags, one bit each (a `u64`: the first 32 were full by issue 13's round four).
pub mod flag {
    pub const FIRST: u64 = 1 << 0;
    pub const LAST: u64 = 1 << 1;
    /// A name that is also a common word (Will, Grace, Brown): needs context.
    pub const COMMON: u64 = 1 << 2;
    pub const ENGLISH: u64 = 1 << 3;
    pub const PERSON_TITLE: u64 = 1 << 4;
    pub const PROVIDER_TITLE: u64 = 1 << 5;
    pub const RELATION: u64 = 1 << 6;
    pub const NAME_CUE: u64 = 1 << 7;
    pub const STRONG_CUE: u64 = 1 << 8;
    pub const CREDENTIAL: u64 = 1 << 9;
    pub const FACILITY: u64 = 1 << 10;
    pub const PLACE_CUE: u64 = 1 << 11;
    pub const STOP: u64 = 1 << 12;
    pub const CLINICAL: u64 = 1 << 13;
    /// A cue after which any name-shaped word is a name (`named`, `signed`).
    pub const NAME_INTRO: u64 = 1 << 14;
    /// A name borne by many people (see [`super::POPULAR_COUNT`]).
    pub const POPULAR: u64 = 1 << 15;
    /// `to`, `from`, `at`, `in` after a place cue.
    pub const PLACE_PREP: u64 = 1 << 16;
    /// A one-word US city or county (gazetteer).
    pub const PLACE: u64 = 1 << 17;
    /// The first word of a multi-word place name (`cedar` of `cedar rapids`).
    pub const PLACE_START: u64 = 1 << 18;
    /// A field label whose value is a person (`Patient:`, `Contact:`).
    pub const LABEL: u64 = 1 << 19;
    /// A clinician's role written before the name (`NP Djuric`, `MD SPEARS`).
    pub const ROLE: u64 = 1 << 20;
    /// In the safe clinical vocabulary (`patterns/words/clinical.txt`): a known word, never
    /// "unknown" evidence. One that no name list holds is also clinical (never a name); one
    /// that is also a listed name (Allen, Jamar) keeps its name flags, so the vocabulary
    /// never costs a popular name its list evidence.
    pub const VOCAB: u64 = 1 << 21;
    /// A word made of a name-like stem and a short number glued to it (`Delphine417`,
    /// `Kshlerin58`), as Synthea writes every patient's name; the other flags are the stem's.
    pub const NUMBERED: u64 = 1 << 22;
    /// A [`NUMBERED`] word whose stem is in a name list.
    pub const NUMBERED_NAME: u64 = 1 << 26;
    /// A person-contact verb (`spoke`, `called`, `voicemail`): the name after it may be
    /// written in lower case (`spoke with ines`).
    pub const CONTACT: u64 = 1 << 23;
    /// A surname particle (`de`, `van`, `la`): never a name alone, but part of the name
    /// around it (`Maria de la Cruz`, `De Quervain` is no one).
    pub const PARTICLE: u64 = 1 << 24;
    /// A word that makes the possessive before it an eponym (`Wegener's syndrome`).
    pub const EPONYM_HEAD: u64 = 1 << 25;
    /// A word right before a person in messages and letters (`hey`, `Thanks`, `per`): a
    /// word after it that no list holds as English or clinical is the person.
    pub const OPENER: u64 = 1 << 27;
    /// A verb that follows the person it tells of (`reports`, `denies`, `said`).
    pub const PERSON_VERB: u64 = 1 << 28;
    /// A field label whose value is a place (`Hometown:`, `City:`).
    pub const PLACE_LABEL: u64 = 1 << 29;
    /// A state, province or country (`GA`, `Wales`): the word before `, <region>` is a town.
    pub const REGION: u64 = 1 << 30;
    /// A short word inside a surname after a particle or a name (`la` of `de la Cruz`, `van`,
    /// `al-`): never a name on its own.
    pub const INNER_PARTICLE: u64 = 1 << 31;
    /// The last word of a two-word greeting (`you` of `thank you`, `morning` of `good
    /// morning`); which first word it needs is in [`super::Lexicon`]'s greetings.
    pub const GREETING_END: u64 = 1 << 32;
    /// A preposition between a verb of contact and its person (`with`, `to`, `for`).
    pub const CONTACT_PREP: u64 = 1 << 33;
    /// A verb of contact that takes its person only after a preposition (`spoke`).
    pub const PREP_CONTACT: u64 = 1 << 34;
    /// A verb of contact that takes a person and then a thing (`texted`, `told`).
    pub const TWO_OBJECT: u64 = 1 << 35;
    /// A word that follows a preposition, not a person (`the`, `his`, `pt`).
    pub const DETERMINER: u64 = 1 << 36;
    /// A verb of contact in the past tense not ending in `-ed` (`spoke`, `rang`).
    pub const IRREGULAR_PAST: u64 = 1 << 37;
    /// A word that says the people of a list came or were there (`came`, `visited`).
    pub const COMPANY: u64 = 1 << 38;
    /// A word between an opener and its person (`to` of `many thanks to`, `of` of `for the
    /// attention of`).
    pub const OPENER_LINK: u64 = 1 << 39;
    /// A verb that takes a person as its subject (`stayed`, `drove`, `feels`).
    pub const SUBJECT_VERB: u64 = 1 << 40;
    /// A word that links a person to how they are (`was`, `seemed`).
    pub const COPULA: u64 = 1 << 41;
    /// How a person is, after a copula (`tearful`, `anxious`).
    pub const PERSON_STATE: u64 = 1 << 42;
    /// A possessive determiner before a relation or role (`her`, `his`, `their`).
    pub const POSSESSIVE: u64 = 1 << 43;
    /// A relation in the plural (`nieces`, `friends`).
    pub const RELATION_PLURAL: u64 = 1 << 44;
    /// A verb of contact whose past form mostly follows a thing (`plan discussed`, `HEP
    /// reviewed`): the word before it is not read as a person.
    pub const THING_FIRST: u64 = 1 << 45;
    /// What a person has, after a possessive (`walker` of `Mark's walker`, `daughter`).
    pub const POSSESSION: u64 = 1 << 46;
    /// The last word of a line that closes a message before the sender's name (`Thanks,`,
    /// `Best regards,`); which lines are in [`super::Lexicon`]'s sign-offs.
    pub const SIGN_OFF: u64 = 1 << 47;
    /// A word of travelling or living somewhere (`drove`, `bus`, `grew`, `spends`): in a
    /// note written in one case, a word no list holds after its place preposition is a town.
    pub const TRAVEL: u64 = 1 << 48;
    /// A word that ends a town's name (`heights` of `Haing Heights`, `junction`).
    pub const TOWN_END: u64 = 1 << 49;
    /// The head of a field whose value is a person (`nurse` of `primary nurse ->`, `kin` of
    /// `next of kin =`, `card` of `id card:`).
    pub const PERSON_FIELD: u64 = 1 << 50;
    /// A word after which a list of people follows (`visitors`, `team`, `copies to`).
    pub const LIST_HEAD: u64 = 1 << 51;
    /// A verb of advice that takes a person and then what they are to do (`recommend`).
    pub const ADVICE: u64 = 1 << 52;
    /// A real English word of SCOWL's larger sizes (`patterns/words/rare.txt`) that no name
    /// or place list holds: it only means "not unknown", so a rare word (`hyperesthesia`,
    /// `horsebox`) is no evidence for the readings with no cue (a lone capitalised word,
    /// two words side by side in one case). Weaker than [`ENGLISH`]: every other reading
    /// takes it as an unknown word ([`unknown`]), so a cue before it (`Dr.`, `Hello`) still
    /// reads it as a name. Past the tagger's feature mask: no feature reads it.
    pub const RARE: u64 = 1 << 53;
    /// A verb that hands a parcel or a message over, before `by` and the person who took
    /// it (`received by`, `collected by`).
    pub const HANDOVER: u64 = 1 << 54;
    /// A verb of asking or telling, before its person and `to` (`ask Holly to sign`).
    pub const REQUEST: u64 = 1 << 55;
    /// Where a person is not, after a copula (`was absent`, `is off`).
    pub const PRESENCE: u64 = 1 << 56;
    /// A field label whose value is a business's town (`Branch:`, `Office:`, `Depot:`).
    pub const PLACE_FIELD: u64 = 1 << 57;
    /// A word right before a person named by a given name alone (`hey its Penny`,
    /// `bringing Iris too`, `with Sunny next door`).
    pub const PERSON_OBJECT: u64 = 1 << 58;
    /// A word after `PA` that makes it the pulmonary artery, not a physician assistant
    /// (`PA LINE`, `PA CATHETER`, `PA PRESSURES`).
    pub const ARTERY: u64 = 1 << 59;
    /// A word a greeting addresses that is no person's name (`hi all,`, `hello world!`,
    /// `dear customer,`): the one-word vocatives of `greeting_addressees`.
    pub const ADDRESSEE: u64 = 1 << 60;

    /// No list holds the word (flags `f`), the rare words of [`RARE`] aside: what the
    /// readings that predate the rare words call an unknown word. Measured (stop 38):
    /// reading rare words as known there too lost names after cues (`Hello Skat`, `ask
    /// Musit`, `Pt Betta`), so only the readings with no cue read the rare flag.
    pub fn unknown(f: u64) -> bool {
        f == 0 || f == RARE
    }
    /// The flags of `patterns/words/context.toml`: they describe a word as written, so a
    /// word read through another (`the1`, a stem with digits) never has them.
    pub const CONTEXT: u64 = GREETING_END
        | CONTACT_PREP
        | PREP_CONTACT
        | TWO_OBJECT
        | DETERMINER
        | IRREGULAR_PAST
        | COMPANY
        | OPENER_LINK
        | SUBJECT_VERB
        | COPULA
        | PERSON_STATE
        | POSSESSIVE
        | RELATION_PLURAL
        | THING_FIRST
        | POSSESSION
        | SIGN_OFF
        | TRAVEL
        | TOWN_END
        | PERSON_FIELD
        | LIST_HEAD
        | ADVICE
        | ADDRESSEE;
    /// Any name-list membership.
    pub const NAME: u64 = FIRST | LAST;
    /// Words that can never be part of a name.
    pub const NEVER_NAME: u64 = STOP | CLINICAL | CREDENTIAL | FACILITY;
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
    // Optional so that a patterns directory written before it still loads.
    #[serde(default)]
    town_suffixes: Vec<String>,
    #[serde(default)]
    role_titles: Vec<String>,
    #[serde(default)]
    contact_verbs: Vec<String>,
    #[serde(default)]
    name_particles: Vec<String>,
    #[serde(default)]
    eponym_heads: Vec<String>,
    #[serde(default)]
    person_openers: Vec<String>,
    #[serde(default)]
    person_verbs: Vec<String>,
    #[serde(default)]
    place_labels: Vec<String>,
    #[serde(default)]
    regions: Vec<String>,
    #[serde(default)]
    inner_particles: Vec<String>,
}

/// `patterns/words/context.toml`: the short lists the rules for unlisted names read.
/// Every list optional, so a patterns directory written before one still loads.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawContext {
    #[serde(default)]
    greetings: Vec<String>,
    #[serde(default)]
    contact_prepositions: Vec<String>,
    #[serde(default)]
    prepositional_contact_verbs: Vec<String>,
    #[serde(default)]
    two_object_contact_verbs: Vec<String>,
    #[serde(default)]
    determiners: Vec<String>,
    #[serde(default)]
    irregular_past_contact_verbs: Vec<String>,
    #[serde(default)]
    company_words: Vec<String>,
    #[serde(default)]
    opener_links: Vec<String>,
    #[serde(default)]
    subject_verbs: Vec<String>,
    #[serde(default)]
    copulas: Vec<String>,
    #[serde(default)]
    person_states: Vec<String>,
    #[serde(default)]
    possessives: Vec<String>,
    #[serde(default)]
    relation_plurals: Vec<String>,
    #[serde(default)]
    thing_first_contact_verbs: Vec<String>,
    #[serde(default)]
    organisations: Vec<String>,
    #[serde(default)]
    greeting_addressees: Vec<String>,
}

/// The source texts a lexicon is built from.
pub struct LexiconSources<'a> {
    pub cues_file: &'a str,
    pub cues: &'a str,
    pub first_names: &'a str,
    pub surnames: &'a str,
    pub common_words: &'a str,
    pub english: &'a str,
    /// The safe clinical vocabulary, one lower-case word a line, `#` comments.
    pub clinical: &'a str,
    /// `name<TAB>kind` lines of US cities and counties.
    pub places: &'a str,
    /// `name<TAB>city` lines of towns outside the US (GeoNames, 15,000 people or more).
    pub world_places: &'a str,
    /// The short word lists around a person (`patterns/words/context.toml`).
    pub context: &'a str,
    /// The word lists of persons in messages (`patterns/words/person_messages.toml`). Not
    /// in [`LEXICON_FILES`]: no feature of the tagger reads their flags.
    pub messages: &'a str,
    /// Rare English words, one lower-case word a line (`patterns/words/rare.txt`). Not in
    /// [`LEXICON_FILES`]: no feature of the tagger reads their flag ([`flag::RARE`]).
    pub rare: &'a str,
}

/// Rare English words: read by the lexicon, not hashed into the tagger's manifest (see
/// [`LexiconSources::rare`]).
pub const RARE_FILE: &str = "words/rare.txt";

/// The word lists of persons in messages and letters: read by the lexicon, not hashed into
/// the tagger's manifest (see [`LexiconSources::messages`]).
pub const MESSAGES_FILE: &str = "words/person_messages.toml";

/// The pattern files a lexicon is built from, in the order [`LexiconSources::of`] reads
/// them (the tagger's manifest hashes them in this order too).
pub const LEXICON_FILES: [&str; 9] = [
    "text/lexicon.toml",
    "names/first_names.tsv",
    "names/surnames.tsv",
    "names/common_words.txt",
    "words/english.txt",
    "words/clinical.txt",
    "places/us_places.tsv",
    "places/world_places.tsv",
    "words/context.toml",
];

impl<'a> LexiconSources<'a> {
    /// The lexicon of a pattern tree, from [`LEXICON_FILES`]: one list, so the detector,
    /// the tagger's trainer and the tagger's manifest always mean the same files.
    pub fn of(p: &'a crate::patterns::Patterns) -> LexiconSources<'a> {
        let [cues, first_names, surnames, common_words, english, clinical, places, world_places, context] =
            LEXICON_FILES.map(|f| p.get(f));
        LexiconSources {
            cues_file: "patterns/text/lexicon.toml",
            cues,
            first_names,
            surnames,
            common_words,
            english,
            clinical,
            places,
            world_places,
            context,
            messages: p.get(MESSAGES_FILE),
            rare: p.get(RARE_FILE),
        }
    }
}

/// Every known word with its flags.
pub struct Lexicon {
    words: WordTable,
    /// Multi-word place names (`cedar rapids`), lower case, single-spaced.
    place_phrases: rustc_hash::FxHashSet<Box<[u8]>>,
    /// Drug-class endings: an unknown word ending so is clinical (lower case).
    clinical_suffixes: Suffixes,
    /// Endings that make a town of a name (`Shannonbury`, `Rebeccaberg`), lower case.
    town_suffixes: Vec<Box<[u8]>>,
    /// Two-word greetings (`thank you`), lower case; their last words are [`flag::GREETING_END`].
    greetings: Vec<Greeting>,
    /// Insurers and companies whose names read as people or towns, each as its lower-case
    /// words (see `organisations`), sorted by first letter.
    organisations: Vec<Vec<Box<[u8]>>>,
    /// Lines that close a message before the sender's name (`thanks`, `best regards`),
    /// lower case, single-spaced; their last words are [`flag::SIGN_OFF`].
    sign_offs: Vec<Box<[u8]>>,
}

/// `patterns/words/person_messages.toml`: the lists of `messages`. Every list optional, so
/// a patterns directory written before one still loads.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawMessages {
    #[serde(default)]
    person_possessions: Vec<String>,
    #[serde(default)]
    sign_offs: Vec<String>,
    #[serde(default)]
    travel_words: Vec<String>,
    #[serde(default)]
    town_ends: Vec<String>,
    #[serde(default)]
    person_fields: Vec<String>,
    #[serde(default)]
    person_list_heads: Vec<String>,
    #[serde(default)]
    advice_verbs: Vec<String>,
    #[serde(default)]
    handover_verbs: Vec<String>,
    #[serde(default)]
    request_verbs: Vec<String>,
    #[serde(default)]
    presence_states: Vec<String>,
    #[serde(default)]
    place_fields: Vec<String>,
    #[serde(default)]
    person_object_heads: Vec<String>,
    #[serde(default)]
    artery_words: Vec<String>,
}

/// A two-word greeting, lower case: (first word, last word).
type Greeting = (Box<[u8]>, Box<[u8]>);

/// A set of word endings, grouped by their last byte: an unknown word is compared only
/// with the endings that end as it does (a few of the 72, or none), not with every one.
/// Which endings match is the same as comparing with all of them.
#[derive(Default)]
struct Suffixes {
    /// Index: an ending's last byte.
    by_last: Vec<Vec<Box<[u8]>>>,
    /// An empty ending (every word ends so).
    empty: bool,
}

impl Suffixes {
    fn new(endings: impl IntoIterator<Item = Box<[u8]>>) -> Suffixes {
        let mut set = Suffixes {
            by_last: vec![Vec::new(); 256],
            empty: false,
        };
        for e in endings {
            match e.last() {
                Some(&last) => set.by_last[usize::from(last)].push(e),
                None => set.empty = true,
            }
        }
        set
    }

    /// Whether `word` ends with one of the endings.
    fn any_ends(&self, word: &[u8]) -> bool {
        let Some(&last) = word.last() else {
            return self.empty;
        };
        self.empty
            || self
                .by_last
                .get(usize::from(last))
                .is_some_and(|es| es.iter().any(|e| word.ends_with(e)))
    }
}

/// A name with at least this many bearers (SSA births or census count) is "popular": in
/// all-capitals notes, where capitalisation says nothing, only popular names count on list
/// evidence alone. Rare list entries (Vea, Mech, Bolus) are far more often jargon.
pub const POPULAR_COUNT: u64 = 2000;

impl Lexicon {
    pub fn build(src: &LexiconSources<'_>) -> Result<Lexicon, RuleError> {
        let raw: RawLexicon = parse_toml(src.cues_file, src.cues)?;
        let mut lex = Lexicon {
            words: WordTable::default(),
            place_phrases: Default::default(),
            clinical_suffixes: Suffixes::default(),
            town_suffixes: Vec::new(),
            greetings: Vec::new(),
            organisations: Vec::new(),
            sign_offs: Vec::new(),
        };
        lex.words.reserve(160_000);
        for w in lines(src.english) {
            lex.add(w, flag::ENGLISH);
        }
        for (list, f) in [(src.first_names, flag::FIRST), (src.surnames, flag::LAST)] {
            for line in lines(list).filter(|l| !l.starts_with('#')) {
                let (name, count) = two_columns(line);
                let count: u64 = count.and_then(|c| c.trim().parse().ok()).unwrap_or(0);
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
        let place_lines = lines(src.places).chain(lines(src.world_places));
        for line in place_lines.filter(|l| !l.starts_with('#')) {
            let name = two_columns(line).0.trim();
            if let Some(space) = name.bytes().position(|b| b == b' ') {
                let first = &name[..space];
                lex.add(first, flag::PLACE_START);
                lex.place_phrases
                    .insert(name.as_bytes().to_vec().into_boxed_slice());
            } else {
                lex.add(name, flag::PLACE);
            }
        }
        for w in lines(src.common_words).filter(|l| !l.starts_with('#')) {
            lex.add(w, flag::COMMON);
        }
        lex.clinical_suffixes = Suffixes::new(lower_words(&raw.clinical_suffixes));
        lex.town_suffixes = lower_words(&raw.town_suffixes).collect();
        let lists: [(&Vec<String>, u64); 23] = [
            (&raw.person_openers, flag::OPENER),
            (&raw.person_verbs, flag::PERSON_VERB),
            (&raw.place_labels, flag::PLACE_LABEL),
            (&raw.regions, flag::REGION),
            (&raw.inner_particles, flag::INNER_PARTICLE),
            (&raw.eponym_heads, flag::EPONYM_HEAD),
            (&raw.contact_verbs, flag::CONTACT),
            (&raw.name_particles, flag::PARTICLE),
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
            (&raw.role_titles, flag::ROLE),
        ];
        for (list, f) in lists {
            for w in list {
                lex.add(w, f);
            }
        }
        lex.add_context(src.context)?;
        lex.add_messages(src.messages)?;
        lex.add_vocabulary(src.clinical);
        // Built without any name or place list's entries (see patterns/words/SOURCES.md;
        // a test checks), so the flag never sits on a listed name. Kept apart from the
        // maps (see `rare`) and read as if added to them: installed last, it adds its flag
        // to the words the other lists hold too.
        lex.words
            .set_rare(rare::RareWords::build(src.rare), flag::RARE);
        Ok(lex)
    }

    /// The short lists of `patterns/words/context.toml`, each word given its list's flag;
    /// a greeting's last word is flagged and the pair kept whole.
    fn add_context(&mut self, source: &str) -> Result<(), RuleError> {
        const FILE: &str = "patterns/words/context.toml";
        let raw: RawContext = parse_toml(FILE, source)?;
        for g in &raw.greetings {
            let lower = g.trim().to_ascii_lowercase();
            let words: Vec<&str> = lower.split_whitespace().collect();
            let [first, last] = words[..] else {
                return Err(RuleError::Invalid {
                    file: FILE.to_string(),
                    line: line_of(source, source.find("greetings").unwrap_or(0)),
                    reason: "a greeting is two words".to_string(),
                });
            };
            self.add(last, flag::GREETING_END);
            self.greetings
                .push((first.as_bytes().into(), last.as_bytes().into()));
        }
        let lists: [(&Vec<String>, u64); 14] = [
            (&raw.greeting_addressees, flag::ADDRESSEE),
            (&raw.subject_verbs, flag::SUBJECT_VERB),
            (&raw.copulas, flag::COPULA),
            (&raw.person_states, flag::PERSON_STATE),
            (&raw.possessives, flag::POSSESSIVE),
            (&raw.relation_plurals, flag::RELATION_PLURAL),
            (&raw.thing_first_contact_verbs, flag::THING_FIRST),
            (&raw.contact_prepositions, flag::CONTACT_PREP),
            (&raw.prepositional_contact_verbs, flag::PREP_CONTACT),
            (&raw.two_object_contact_verbs, flag::TWO_OBJECT),
            (&raw.determiners, flag::DETERMINER),
            (&raw.irregular_past_contact_verbs, flag::IRREGULAR_PAST),
            (&raw.company_words, flag::COMPANY),
            (&raw.opener_links, flag::OPENER_LINK),
        ];
        for (list, f) in lists {
            for w in list {
                self.add(w, f);
            }
        }
        self.organisations = raw
            .organisations
            .iter()
            .map(|o| lower_phrase(o))
            .filter(|ws: &Vec<Box<[u8]>>| !ws.is_empty())
            .collect();
        // Sorted by first letter, so a word is compared only with the phrases it can open.
        self.organisations
            .sort_by_key(|p| organisations::first_letter(p));
        Ok(())
    }

    /// The lists of `patterns/words/person_messages.toml`: possessions flagged, each
    /// sign-off kept whole and its last word flagged.
    fn add_messages(&mut self, source: &str) -> Result<(), RuleError> {
        let raw: RawMessages = parse_toml("patterns/words/person_messages.toml", source)?;
        for (list, f) in [
            (&raw.person_possessions, flag::POSSESSION),
            (&raw.travel_words, flag::TRAVEL),
            (&raw.town_ends, flag::TOWN_END),
            (&raw.person_fields, flag::PERSON_FIELD),
            (&raw.person_list_heads, flag::LIST_HEAD),
            (&raw.advice_verbs, flag::ADVICE),
            (&raw.handover_verbs, flag::HANDOVER),
            (&raw.request_verbs, flag::REQUEST),
            (&raw.presence_states, flag::PRESENCE),
            (&raw.place_fields, flag::PLACE_FIELD),
            (&raw.person_object_heads, flag::PERSON_OBJECT),
            (&raw.artery_words, flag::ARTERY),
        ] {
            for w in list {
                self.add(w, f);
            }
        }
        for line in &raw.sign_offs {
            let words = lower_phrase(line);
            let Some(last) = words.last() else {
                continue;
            };
            self.words.add(last, flag::SIGN_OFF);
            self.sign_offs.push(words.join(&b' ').into_boxed_slice());
        }
        Ok(())
    }

    /// Whether `line` (its words apart by spaces, any case) is a sign-off.
    fn is_sign_off(&self, line: &[u8]) -> bool {
        let words = line
            .split(|c| c.is_ascii_whitespace())
            .filter(|w| !w.is_empty());
        self.sign_offs.iter().any(|s| {
            let mut parts = s.split(|&c| c == b' ');
            let mut ws = words.clone();
            loop {
                match (parts.next(), ws.next()) {
                    (None, None) => return true,
                    (Some(a), Some(b)) if a.eq_ignore_ascii_case(b) => {}
                    _ => return false,
                }
            }
        })
    }

    /// The safe vocabulary goes in last, so a word's name-list membership is known: a
    /// popular name stays a name, a rare one needs a cue, anything else is clinical.
    fn add_vocabulary(&mut self, list: &str) {
        for w in lines(list).map(trim) {
            if w.is_empty() || w.starts_with('#') || w.contains(char::is_whitespace) {
                continue;
            }
            // An eponym written with its accents (`barré`, `sjögren`) is in no name list (the
            // lists hold names without accents), so it is clinical: written so, it is the
            // eponym, whatever its plain spelling (`barre`, `Barre`) is.
            let known = self.words.get_word(w.as_bytes()).unwrap_or(0);
            // A popular name keeps its evidence (Taylor, Allen); a rare one that is also
            // vocabulary (Semmes, Purdue, Phalen) needs a cue, as common words do.
            let f = if known & flag::POPULAR != 0 {
                flag::VOCAB
            } else if known & flag::NAME != 0 {
                flag::VOCAB | flag::COMMON
            } else {
                flag::VOCAB | flag::CLINICAL
            };
            self.add(w, f);
        }
    }

    fn add(&mut self, word: &str, f: u64) {
        let w = trim(word);
        if w.is_empty() || w.len() > MAX_WORD {
            return;
        }
        self.words.add(w.as_bytes(), f);
    }

    /// An overlay's allow-list word: never part of a name or place on list evidence (it
    /// is marked clinical vocabulary, as `clinical_words` are).
    pub fn allow_word(&mut self, word: &str) {
        if !word.trim().contains(char::is_whitespace) {
            self.add(word, flag::CLINICAL);
        }
    }

    /// Flags of a word, case-insensitively; 0 for an unknown word.
    pub fn flags(&self, word: &[u8]) -> u64 {
        // A number (a sixth of a note's tokens: vitals, doses, dates) that no list holds
        // and no clinical ending ends is no word: every look-up below misses, and no reading
        // of `derived_flags` takes a word without letters (issue 19).
        if table::is_number(word)
            && !self.words.holds_numbers()
            && !self.clinical_suffixes.any_ends(word)
        {
            return 0;
        }
        self.looked_up_flags(word)
    }

    /// [`Lexicon::flags`] by look-up, without the answer for numbers no list holds.
    fn looked_up_flags(&self, word: &[u8]) -> u64 {
        // Most words are short ASCII ones: looked up from their bytes, without a `Key`.
        let short = self.words.get_short_ascii(word);
        // A rare word (and nothing more) is read on as an unknown word is, so a drug's
        // ending still makes it clinical: the rare flag only adds to what it reads as.
        let mut rare = false;
        if let Ok(Some(f)) = short {
            if f != flag::RARE {
                return f;
            }
            rare = true;
        }
        let Some(key) = Key::lower(word) else {
            return 0;
        };
        if short.is_err() {
            if let Some(f) = self.words.get(&key) {
                if f != flag::RARE {
                    return f;
                }
                rare = true;
            }
        }
        let derived = self.derived_flags(word, &key);
        if rare {
            derived | flag::RARE
        } else {
            derived
        }
    }

    /// Flags of a word no list holds as written: read from a drug's ending, a possessive's
    /// stem, a name without its apostrophe, a stem with digits, look-alike digits.
    fn derived_flags(&self, word: &[u8], key: &Key) -> u64 {
        // Han and Hangul letters are three bytes from 0xE1 on.
        if word.first().is_some_and(|&b| b >= 0xE1) {
            if let Some(f) = self.run_name_flags(word) {
                return f;
            }
        }
        let lower = key.as_bytes();
        if self.clinical_suffixes.any_ends(lower) {
            return flag::CLINICAL;
        }
        // `Gerald's`: a possessive is judged by its stem as a word, not as a cue or a
        // credential (`bs's` is bowel sounds). Capitals (`PAC's`, `ABI's`) are acronyms.
        let capitals = word.iter().filter(|c| c.is_ascii_uppercase()).count();
        if let Some(stem) = lower.strip_suffix(b"'s").filter(|s| s.len() >= 3) {
            let kept = flag::NAME
                | flag::POPULAR
                | flag::COMMON
                | flag::ENGLISH
                | flag::STOP
                | flag::CLINICAL
                | flag::VOCAB
                | flag::PLACE;
            return match self.words.get_word(stem) {
                Some(f) if capitals <= 1 => f & kept,
                Some(_) => flag::CLINICAL,
                None => 0,
            };
        }
        // `O'Malley`, `D'Shawn`: name lists write them without the apostrophe.
        let apostrophe = lower.iter().position(|&c| c == b'\'');
        if apostrophe.is_some_and(|p| (1..=2).contains(&p) && lower.len() - p > 3) {
            let joined: Vec<u8> = lower.iter().copied().filter(|&c| c != b'\'').collect();
            return self.words.get_word(&joined).unwrap_or(0);
        }
        // `Delphine417`: a stem of letters with one to three digits glued on.
        let digits = lower
            .iter()
            .rev()
            .take_while(|c| c.is_ascii_digit())
            .count();
        let stem = &lower[..lower.len() - digits];
        // Counts glued to a word (`Cabgx4`, `Stoolsx2`) are not names.
        let count = stem.ends_with(b"x");
        if (1..=3).contains(&digits)
            && stem.len() >= 3
            && !count
            && stem.iter().all(u8::is_ascii_alphabetic)
        {
            // Only the numbered-name pass reads the stem's name lists: to every other pass
            // `PaO2` or `Pao2` is no name (Pao is a surname).
            let f = self.words.get_word(stem).unwrap_or(0);
            let listed = if f & flag::NAME != 0 {
                flag::NUMBERED_NAME
            } else {
                0
            };
            return flag::NUMBERED | listed | f & !(flag::NAME | flag::POPULAR | flag::CONTEXT);
        }
        self.unleeted_name_flags(lower).unwrap_or(0)
    }

    /// `J0hn`, `Sm1th`, `M4ria`, `Th4ck3r4y`, `7h4ck3r4y`: a listed name with digits written
    /// for letters that look like them, as a writer slips a name past a filter. A digit
    /// counts between two letters, or alone at an end of a word of five or more when another
    /// digit is inside it (`L5`, `q4h`, `HbA1c`, `10am`, `5days` keep theirs: too short, two
    /// digits or a lone digit at an end, or too few letters), letters must outnumber digits,
    /// and only a reading that a name list holds is taken, so no clinical shorthand becomes a
    /// name.
    fn unleeted_name_flags(&self, lower: &[u8]) -> Option<u64> {
        const LOOKS_LIKE: [(u8, &[u8]); 6] = [
            (b'0', b"o"),
            (b'1', b"il"),
            (b'3', b"e"),
            (b'4', b"a"),
            (b'5', b"s"),
            (b'7', b"t"),
        ];
        /// Most digits read in one word: `Th4ck3r4y` has three, `7h4ck3r4y` four.
        const MOST_DIGITS: usize = 5;
        if lower.len() < 4 || !lower.iter().all(u8::is_ascii_alphanumeric) {
            return None;
        }
        // Most words reaching here hold no digit between letters: read the positions into a
        // fixed array, without allocating, and give up past the most a name could carry.
        let mut digits = [0usize; MOST_DIGITS];
        let mut n = 0;
        let letter = |k: usize| lower.get(k).is_some_and(u8::is_ascii_alphabetic);
        for k in (0..lower.len()).filter(|&k| lower[k].is_ascii_digit()) {
            let last = lower.len() - 1;
            let placed = match k {
                0 => lower.len() >= 5 && letter(1),
                _ if k == last => lower.len() >= 5 && letter(k - 1),
                _ => letter(k - 1) && letter(k + 1),
            };
            if n == MOST_DIGITS || !placed {
                return None;
            }
            digits[n] = k;
            n += 1;
        }
        let digits = &digits[..n];
        // A digit at an end alone (`5days`, `1week`) is a count glued on, not a letter.
        let at_end = digits.iter().any(|&k| k == 0 || k == lower.len() - 1);
        if digits.is_empty() || lower.len() - n <= n || lower.len() - n < 3 || (at_end && n < 2) {
            return None;
        }
        let letters_for = |d: u8| LOOKS_LIKE.iter().find(|(k, _)| *k == d).map(|(_, l)| *l);
        let mut word = lower.to_vec();
        // Each digit may stand for one of at most two letters (`1`: i or l): try them all.
        let choices: Vec<&[u8]> = digits
            .iter()
            .map(|&k| letters_for(lower[k]))
            .collect::<Option<_>>()?;
        let tries: usize = choices.iter().map(|c| c.len()).product();
        for t in 0..tries {
            let mut rest = t;
            for (&k, letters) in digits.iter().zip(&choices) {
                word[k] = letters[rest % letters.len()];
                rest /= letters.len();
            }
            if let Some(f) = self.words.get_word(&word).filter(|f| f & flag::NAME != 0) {
                return Some(f & !flag::VOCAB);
            }
        }
        None
    }

    /// `Shannonbury`, `Rebeccaberg`, `Douglaschester`: an unknown word made of a listed first
    /// name or surname and a town ending is a town, as English and American towns are named
    /// (and as generators of test addresses name them). The stem is a whole listed name of
    /// three letters or more that is no English word. Read by the gazetteer pass only: the
    /// word's flags, and so the tagger's features, stay those of an unknown word.
    fn is_name_town(&self, word: &[u8]) -> bool {
        self.town_suffixes.iter().any(|suffix| {
            word.len() >= suffix.len() + 3
                && word[word.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
                && self.is_listed_stem(&word[..word.len() - suffix.len()])
        })
    }

    /// A listed first name or surname that is no English word or never-name word.
    fn is_listed_stem(&self, stem: &[u8]) -> bool {
        let lower = stem.to_ascii_lowercase();
        self.words
            .get_word(&lower)
            .is_some_and(|f| f & flag::NAME != 0 && f & (flag::ENGLISH | flag::NEVER_NAME) == 0)
    }

    /// `王秀英`, `김민준`: Han and Hangul write a whole name as one run of letters, surname
    /// first. A run of two to four syllables whose first one or two are a listed surname and
    /// whose rest is a listed first name is that name (a run the lists hold whole was found
    /// before). `None` for any other word.
    fn run_name_flags(&self, word: &[u8]) -> Option<u64> {
        let text = std::str::from_utf8(word).ok()?;
        let starts = syllable_starts(text)?;
        if !(2..=4).contains(&starts.len()) {
            return None;
        }
        (1..=2.min(starts.len() - 1)).find_map(|k| {
            let (surname, given) = text.split_at(starts[k]);
            let surname = self.words.get_word(surname.as_bytes())?;
            let given = self.words.get_word(given.as_bytes())?;
            (surname & flag::LAST != 0 && given & flag::FIRST != 0 && given & flag::COMMON == 0)
                .then_some(flag::FIRST | flag::LAST)
        })
    }

    /// Whether `phrase` (lower case, single-spaced) is a multi-word place the gazetteer
    /// holds (`new haven`).
    pub fn is_place_phrase(&self, phrase: &[u8]) -> bool {
        self.place_phrases.contains(phrase)
    }

    /// Number of distinct words the word table's maps hold (the rare tier's words, kept
    /// apart in `rare`, are not counted).
    pub fn len(&self) -> usize {
        self.words.len()
    }

    pub fn is_empty(&self) -> bool {
        self.words.len() == 0
    }
}

/// The lines of a list, as [`str::lines`] yields them (split at `\n`, a `\r` right before
/// a `\n` dropped, no empty last line after a final `\n`). Found byte by byte: list lines are
/// short, and setting up a character search per line was a sixth of the lexicon's
/// start-up (half a million lines).
pub(super) fn lines(text: &str) -> impl Iterator<Item = &str> + '_ {
    let mut rest = Some(text).filter(|t| !t.is_empty());
    std::iter::from_fn(move || {
        let t = rest?;
        match t.bytes().position(|b| b == b'\n') {
            Some(n) => {
                // A `\n` is one byte: both sides are on character boundaries.
                rest = Some(&t[n + 1..]).filter(|r| !r.is_empty());
                let line = &t[..n];
                Some(line.strip_suffix('\r').unwrap_or(line))
            }
            // The last line, with no `\n` after it, keeps a `\r` it ends with.
            None => {
                rest = None;
                Some(t)
            }
        }
    })
}

/// `word` trimmed as [`str::trim`] trims it, without decoding characters when it starts
/// and ends with a visible ASCII character (every line of the shipped lists).
pub(super) fn trim(word: &str) -> &str {
    match (word.as_bytes().first(), word.as_bytes().last()) {
        (Some(a), Some(z)) if a.is_ascii_graphic() && z.is_ascii_graphic() => word,
        _ => word.trim(),
    }
}

/// The first two tab-separated columns of a list line, as `line.split('\t')` yields them
/// (the second `None` when the line has no tab). Read byte by byte: the lines are short,
/// and setting up a character search twice per line was a sixth of the lexicon's start-up.
fn two_columns(line: &str) -> (&str, Option<&str>) {
    let tab = |s: &str| s.bytes().position(|b| b == b'\t');
    match tab(line) {
        None => (line, None),
        Some(t) => {
            let rest = &line[t + 1..];
            (&line[..t], Some(tab(rest).map_or(rest, |u| &rest[..u])))
        }
    }
}

/// Where each syllable of a run of Han or Hangul letters starts (byte offsets): every Han
/// letter and every precomposed Hangul syllable is one; Hangul read as jamo (the canonical
/// view decomposes it) starts a syllable at each leading consonant. `None` when the run holds
/// anything else.
fn syllable_starts(text: &str) -> Option<Vec<usize>> {
    let mut starts = Vec::new();
    for (at, c) in text.char_indices() {
        match c {
            // CJK unified ideographs (and extension A), Hangul syllables, leading consonants.
            '\u{3400}'..='\u{4DBF}'
            | '\u{4E00}'..='\u{9FFF}'
            | '\u{AC00}'..='\u{D7A3}'
            | '\u{1100}'..='\u{115F}' => starts.push(at),
            // Hangul vowels and trailing consonants continue the syllable they follow.
            '\u{1160}'..='\u{11FF}' if !starts.is_empty() => {}
            _ => return None,
        }
    }
    Some(starts)
}

/// The words of a [`Lexicon::scan`] with their flags, looked up by exact position: the
/// tagger cuts the same text into tokens that are mostly the same words, and a word's
/// flags depend only on its bytes, so reusing them saves its second hash lookup.
pub struct KnownWords<'a> {
    words: crate::detect::words::Cursor<'a>,
    /// The accents the scanned view dropped, for a word the scan cut otherwise.
    accents: AccentCursor<'a>,
}

impl KnownWords<'_> {
    /// Flags of the word at exactly `start..end`, when the scan cut the same word there.
    /// Positions must be asked in increasing order (tokens do not overlap).
    pub fn get(&mut self, start: usize, end: usize) -> Option<u64> {
        self.words.at(start, end).map(|w| w.flags)
    }

    /// Flags of the word `text[start..end]` of the scanned text: the scan's, when it cut
    /// the same word, else looked up as the scan would (its accents kept, see `accents`).
    /// Positions must be asked in increasing order.
    pub fn flags(&mut self, lex: &Lexicon, text: &[u8], start: usize, end: usize) -> u64 {
        let inside = self.accents.within(start, end);
        self.get(start, end)
            .unwrap_or_else(|| lex.flags_written(text, start, end, inside))
    }
}

impl LexScratch {
    /// The words of the last scan, for [`KnownWords::get`].
    pub fn known_words(&self) -> KnownWords<'_> {
        KnownWords {
            words: self.words.cursor(),
            accents: AccentCursor::new(self.words.accents()),
        }
    }

    /// The word table of the last scan: its words, their flags and the text's case, for
    /// the passes that read the same text after it.
    pub(crate) fn words(&self) -> &Words {
        &self.words
    }
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
    /// The last scanned text's words (with its case and accents), read once per scan.
    words: Words,
    marks: Vec<Option<PhiType>>,
    /// Of each word of `words`, whether it may be a name no list holds
    /// (`unlisted::unlisted`), read once per scan.
    unlisted: Vec<bool>,
}

impl Lexicon {
    /// Finds names and named places in `text`, appending to `out`.
    pub fn scan(&self, text: &str, scratch: &mut LexScratch, out: &mut Vec<LexHit>) {
        self.scan_accented(text, &[], scratch, out);
    }

    /// [`Lexicon::scan`] of a canonical view, given the accents it dropped (see
    /// `accents`): a word is a safe word only as written.
    pub fn scan_accented(
        &self,
        text: &str,
        accents: &[Accent],
        scratch: &mut LexScratch,
        out: &mut Vec<LexHit>,
    ) {
        self.scan_reading(
            text,
            accents,
            scratch,
            out,
            |c: &Ctx<'_>, i, m: &mut [_]| c.read_word(i, m),
        );
    }

    /// [`Lexicon::scan_accented`], the first pass's readings of each word run by `read`
    /// (the tests check the readings a word's summary skips with another).
    fn scan_reading(
        &self,
        text: &str,
        accents: &[Accent],
        scratch: &mut LexScratch,
        out: &mut Vec<LexHit>,
        read: impl Fn(&Ctx<'_>, usize, &mut [Option<PhiType>]),
    ) {
        let bytes = text.as_bytes();
        self.read_words(bytes, accents, &mut scratch.words);
        let words = scratch.words.list();
        scratch.marks.clear();
        scratch.marks.resize(words.len(), None);
        let case = scratch.words.case();
        scratch.unlisted.clear();
        scratch.unlisted.extend(
            words
                .iter()
                .map(|w| unlisted::unlisted(bytes, w, case.upper, case.lower)),
        );
        let ctx = Ctx {
            text: bytes,
            words,
            caps_mode: case.upper,
            lower_mode: case.lower,
            lexicon: self,
            unlisted: &scratch.unlisted,
        };
        // The first pass: each word's readings, those its summary rules out skipped.
        for i in 0..words.len() {
            read(&ctx, i, &mut scratch.marks);
        }
        // After every word is marked, so a name found to the right of its particles counts.
        for i in 0..words.len() {
            ctx.mark_across_particles(i, &mut scratch.marks);
        }
        ctx.extend_names(&mut scratch.marks);
        // A list's later items follow a person found only by growing the first one
        // (`ATTENDEES: RIUSZ FAROY, UPKA MEHRONOV`): read the items again, then grow them.
        for i in 0..words.len() {
            ctx.mark_list_item(i, &mut scratch.marks);
        }
        ctx.extend_names(&mut scratch.marks);
        // Each item found makes the next one follow a person: `A, B and C` in order.
        for i in 0..words.len() {
            ctx.mark_list_pair(i, &mut scratch.marks);
            ctx.mark_list_next(i, &mut scratch.marks);
            // After the other readings, so an item they found makes the list.
            ctx.mark_run_list_after_head(i, &mut scratch.marks);
        }
        ctx.extend_names(&mut scratch.marks);
        ctx.mark_person_evidence_after_names(&mut scratch.marks);
        for i in 0..words.len() {
            ctx.mark_given_after_surname(i, &mut scratch.marks);
            ctx.mark_word_name_before_surname(i, &mut scratch.marks);
        }
        ctx.extend_conjunctions(&mut scratch.marks);
        emit_runs(bytes, words, &scratch.marks, out);
    }
}

struct Ctx<'a> {
    text: &'a [u8],
    words: &'a [Word],
    caps_mode: bool,
    /// Nearly no capital in the text: lower case tells nothing (see [`TextCase`]).
    lower_mode: bool,
    /// The lexicon, for readings that look past a word's flags (towns named after people, a
    /// misspelling's neighbours in `runs`).
    lexicon: &'a Lexicon,
    /// Of each word, whether it may be a name no list holds (see `unlisted_word`).
    unlisted: &'a [bool],
}
impl Ctx<'_> {
    fn has(&self, i: usize, f: u64) -> bool {
        self.words[i].flags & f != 0
    }

    /// Looks like it could be written as a name: capitalised, or any case in an all-caps note.
    fn name_shaped(&self, i: usize) -> bool {
        let w = &self.words[i];
        // The shape first: it rules out most words before their bytes are read.
        let shaped = match w.shape {
            Shape::Cap => true,
            // `LEs anasarcic`, `UEs edematous`: capitals with a plural `s` are an acronym's
            // plural (lower extremities), which no name is written as.
            Shape::Mixed => !acronym_plural(&self.text[w.start..w.end]),
            Shape::Upper => true,
            Shape::Lower => false,
        };
        let letters = || {
            self.text[w.start..w.end]
                .iter()
                .any(u8::is_ascii_alphabetic)
                || self.text[w.start] >= 0x80
        };
        shaped && letters() && !self.text[w.start..w.end].iter().any(u8::is_ascii_digit)
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
        w.flags & (flag::ENGLISH | flag::NEVER_NAME | flag::NAME_CUE | flag::RELATION | flag::VOCAB)
            == 0
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

    /// Word `i` is one capital letter: the second initial of `J.R.`, which `is_initial`
    /// does not take alone (its period comes right before it).
    fn is_capital_letter(&self, i: usize) -> bool {
        let w = &self.words[i];
        w.end - w.start == 1 && self.text[w.start].is_ascii_uppercase()
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
}

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

/// `LEs`, `UEs`, `ABGs`: two capitals or more, then only the plural's `s`.
fn acronym_plural(w: &[u8]) -> bool {
    w.len() >= 3 && w.ends_with(b"s") && w[..w.len() - 1].iter().all(u8::is_ascii_uppercase)
}

/// The detected strings of `text` (synthetic), for the tests of the passes in this module.
#[cfg(test)]
fn detected_strings(d: &crate::detect::Detector, text: &str) -> Vec<String> {
    let mut s = d.scratch();
    d.scan(text, None, &mut s)
        .iter()
        .map(|x| text[x.start..x.end].to_string())
        .collect()
}

/// Asserts that a detected span of `text` holds `name`.
#[cfg(test)]
fn finds(d: &crate::detect::Detector, text: &str, name: &str) {
    let found = detected_strings(d, text);
    assert!(found.iter().any(|f| f.contains(name)), "{text}: {found:?}");
}

/// Asserts that no detected span of `text` holds `word`.
#[cfg(test)]
fn keeps(d: &crate::detect::Detector, text: &str, word: &str) {
    let found = detected_strings(d, text);
    assert!(!found.iter().any(|f| f.contains(word)), "{text}: {found:?}");
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The grouped endings answer exactly as comparing a word with every ending does: the
    /// shipped list and a list with an empty and a one-byte ending, over words that end
    /// with, contain or fall short of them.
    #[test]
    fn grouped_endings_match_as_every_ending_compared() {
        let raw: RawLexicon =
            toml::from_str(crate::patterns::Patterns::builtin().get(LEXICON_FILES[0]))
                .expect("lexicon.toml parses");
        let shipped: Vec<Box<[u8]>> = raw
            .clinical_suffixes
            .iter()
            .map(|s| s.to_ascii_lowercase().into_bytes().into_boxed_slice())
            .collect();
        let small: Vec<Box<[u8]>> = ["", "a", "mab", "ab"]
            .iter()
            .map(|s| s.as_bytes().into())
            .collect();
        let mut words: Vec<Vec<u8>> = ["", "a", "b", "mab", "xmab", "mabx", "ab", "amoxicillin"]
            .iter()
            .map(|w| w.as_bytes().to_vec())
            .collect();
        for e in &shipped {
            words.push(e.to_vec());
            words.push([b"zz".as_slice(), e].concat());
            words.push(e[1..].to_vec());
            words.push([e.as_ref(), b"s".as_slice()].concat());
        }
        let mut matched = 0;
        for list in [shipped, small] {
            let grouped = Suffixes::new(list.iter().cloned());
            for w in &words {
                let every = list.iter().any(|e| w.ends_with(e));
                assert_eq!(
                    grouped.any_ends(w),
                    every,
                    "{:?}",
                    String::from_utf8_lossy(w)
                );
                matched += usize::from(every);
            }
        }
        assert!(matched > 100 && matched < 2 * words.len(), "{matched}");
    }

    /// A number's flags are those its look-up gives, in the shipped lexicon (where no list
    /// holds one, so none is looked up) and once an overlay lists one (`911`).
    #[test]
    fn a_number_reads_as_its_look_up_reads_it() {
        let mut lex = Lexicon::build(&LexiconSources::of(&crate::patterns::Patterns::builtin()))
            .expect("lexicon");
        let mut numbers: Vec<String> = (0..2_000).map(|n| n.to_string()).collect();
        numbers.extend(["007", "0120", "4410827", "51247330612"].map(String::from));
        numbers.push("9".repeat(MAX_WORD + 1));
        let same = |lex: &Lexicon| {
            for n in &numbers {
                assert_eq!(
                    lex.flags(n.as_bytes()),
                    lex.looked_up_flags(n.as_bytes()),
                    "{n}"
                );
            }
        };
        assert!(
            !lex.words.holds_numbers(),
            "the fast answer is the one taken"
        );
        same(&lex);
        lex.allow_word("911");
        assert!(lex.words.holds_numbers());
        assert_ne!(lex.flags(b"911"), 0);
        same(&lex);
    }

    /// The columns read by bytes are the columns `split('\t')` gives, lines without a tab,
    /// with empty columns and with more than two columns included.
    #[test]
    fn list_columns_are_read_as_split_reads_them() {
        for line in [
            "smith\t2442977",
            "smith",
            "",
            "\t",
            "a\t\tb",
            "cedar rapids\tcity\textra",
            "\u{17b}ory\t12 ",
            "x\t",
        ] {
            let mut cols = line.split('\t');
            let split = (cols.next().unwrap_or(""), cols.next());
            assert_eq!(two_columns(line), split, "{line:?}");
        }
    }

    /// The case read a block at a time keeps both thresholds exactly, across blocks: a
    /// capital in fifty letters tips a lower-case note, twenty capitals make none.
    #[test]
    fn text_case_keeps_its_thresholds_across_blocks() {
        let case = |t: String| {
            let c = crate::detect::words::TextCase::of(t.as_bytes());
            (c.upper, c.lower)
        };
        let lower = "a".repeat(300);
        assert_eq!(case(format!("{lower}BBBBB")), (false, true));
        assert_eq!(case(format!("{lower}BBBBBB")), (false, false));
        assert_eq!(case("A1 ".repeat(150)), (true, false));
        assert_eq!(case("A".repeat(20)), (false, false));
        assert_eq!(
            case(format!("{}{}", "A".repeat(41), "b".repeat(20))),
            (true, false)
        );
        assert_eq!(
            case(format!("{}{}", "A".repeat(40), "b".repeat(20))),
            (false, false)
        );
        assert_eq!(case("Ab\u{e9} ".repeat(100)), (false, false));
    }

    /// The rare words only mean "not unknown": none is a name or a place the lists hold
    /// (so no listed name loses its evidence) or already English or clinical vocabulary,
    /// and a rare word reads with the rare flag alone (`scripts/build-rare-words.py`).
    #[test]
    fn rare_words_are_no_listed_name_place_or_vocabulary() {
        let p = crate::patterns::Patterns::builtin();
        let lex = Lexicon::build(&LexiconSources::of(&p)).expect("builds");
        let rare = p.get(RARE_FILE);
        assert!(
            rare.lines().count() > 100_000,
            "the rare words are embedded"
        );
        let listed = flag::NAME | flag::PLACE | flag::PLACE_START | flag::ENGLISH | flag::VOCAB;
        for w in rare.lines() {
            let f = lex.words.get_word(w.as_bytes()).unwrap_or(0);
            assert!(f & flag::RARE != 0 && f & listed == 0, "{w}: {f:#x}");
        }
        assert_eq!(lex.flags(b"horsebox"), flag::RARE);
        assert_eq!(lex.flags(b"Horsebox"), flag::RARE);
    }

    /// The lines and the trimming of the lists are `str::lines`' and `str::trim`'s.
    #[test]
    fn list_lines_and_trimming_are_the_standard_ones() {
        for t in [
            "",
            "\n",
            "a",
            "a\n",
            "a\n\n",
            "a\r\nb",
            "a\rb\r",
            "\r\n\r\n",
            " x \n\ty\r",
            "é\nü\n",
            "a\r",
            "\n\na",
        ] {
            assert_eq!(
                lines(t).collect::<Vec<_>>(),
                t.lines().collect::<Vec<_>>(),
                "{t:?}"
            );
        }
        for w in [
            "", " ", "a", " a", "a ", "\u{a0}a", "a\u{a0}", "\x0ba", "é", " é ", "a b", "\t",
        ] {
            assert_eq!(trim(w), w.trim(), "{w:?}");
        }
    }

    /// Every word of `patterns/words/context.toml` is a word the lexicon knows from its other
    /// lists already (English or a cue), so its list only adds a flag to a known word; a
    /// word read through a stem with digits (`the1`) never has one.
    #[test]
    fn context_words_are_known_words_and_their_flags_stay_with_them() {
        let p = crate::patterns::Patterns::builtin();
        let lex = Lexicon::build(&LexiconSources::of(&p)).expect("builds");
        let raw: RawContext = toml::from_str(p.get("words/context.toml")).expect("parses");
        let lists = [
            &raw.contact_prepositions,
            &raw.prepositional_contact_verbs,
            &raw.two_object_contact_verbs,
            &raw.determiners,
            &raw.irregular_past_contact_verbs,
            &raw.company_words,
            &raw.opener_links,
            &raw.subject_verbs,
            &raw.copulas,
            &raw.person_states,
            &raw.possessives,
            &raw.relation_plurals,
            &raw.thing_first_contact_verbs,
        ];
        let mut words: Vec<String> = lists.iter().flat_map(|l| l.iter().cloned()).collect();
        for g in &raw.greetings {
            words.extend(g.split_whitespace().map(str::to_string));
        }
        assert!(words.len() > 20, "{words:?}");
        for w in &words {
            let f = lex.flags(w.as_bytes());
            assert!(f & !flag::CONTEXT != 0, "{w}");
        }
        assert!(lex.flags(b"you") & flag::GREETING_END != 0);
        assert!(lex.flags(b"THE") & flag::DETERMINER != 0);
        assert_eq!(lex.flags(b"the1") & flag::CONTEXT, 0);
        assert_eq!(
            lex.flags(b"Spoke") & flag::CONTEXT,
            flag::PREP_CONTACT | flag::IRREGULAR_PAST
        );
    }

    /// Every word of `patterns/words/person_messages.toml` is a word the lexicon knows from
    /// its other lists, so its flags only add to a known word (and an unknown word stays
    /// unknown to the readings of names no list holds); the sign-offs are read whole.
    #[test]
    fn message_words_are_known_words_and_sign_offs_are_whole_lines() {
        let p = crate::patterns::Patterns::builtin();
        let lex = Lexicon::build(&LexiconSources::of(&p)).expect("builds");
        let raw: RawMessages = toml::from_str(p.get(MESSAGES_FILE)).expect("parses");
        let mut words: Vec<String> = raw.person_possessions.clone();
        words.extend(raw.travel_words.iter().cloned());
        words.extend(raw.town_ends.iter().cloned());
        words.extend(raw.person_fields.iter().cloned());
        words.extend(raw.person_list_heads.iter().cloned());
        words.extend(raw.advice_verbs.iter().cloned());
        words.extend(raw.handover_verbs.iter().cloned());
        words.extend(raw.request_verbs.iter().cloned());
        words.extend(raw.presence_states.iter().cloned());
        words.extend(raw.place_fields.iter().cloned());
        words.extend(raw.person_object_heads.iter().cloned());
        words.extend(raw.artery_words.iter().cloned());
        for s in &raw.sign_offs {
            words.extend(s.split_whitespace().map(str::to_string));
        }
        assert!(words.len() > 40, "{words:?}");
        for w in &words {
            let f = lex.flags(w.as_bytes());
            assert!(f & !flag::CONTEXT != 0, "{w}");
        }
        assert!(lex.flags(b"Walker") & flag::POSSESSION != 0);
        assert!(lex.flags(b"REGARDS") & flag::SIGN_OFF != 0);
        assert!(lex.is_sign_off(b"Best  Regards"));
        assert!(lex.is_sign_off(b"thanks"));
        assert!(!lex.is_sign_off(b"regards"[..3].as_ref()));
        assert!(!lex.is_sign_off(b"best regards to all"));
        assert!(!lex.is_sign_off(b""));
    }

    #[test]
    fn a_greeting_that_is_not_two_words_is_refused_with_its_file() {
        let mut p = crate::patterns::Patterns::builtin();
        for (name, text) in p.files.iter_mut() {
            if *name == "words/context.toml" {
                *text = std::borrow::Cow::Owned("greetings = [\"good day sir\"]\n".into());
            }
        }
        let err = Lexicon::build(&LexiconSources::of(&p))
            .err()
            .expect("refused");
        assert!(err.to_string().contains("words/context.toml"), "{err}");
    }

    #[test]
    fn han_and_hangul_runs_are_cut_into_syllables() {
        // Every Han letter is a syllable (three bytes each).
        assert_eq!(syllable_starts("王秀英"), Some(vec![0, 3, 6]));
        // Precomposed Hangul, and the same name as the canonical view writes it (jamo).
        assert_eq!(syllable_starts("김민준"), Some(vec![0, 3, 6]));
        let jamo = "\u{1100}\u{1175}\u{11B7}\u{1106}\u{1175}\u{11AB}";
        assert_eq!(syllable_starts(jamo), Some(vec![0, 9]));
        // A run with anything else in it, or starting mid-syllable, is no name run.
        assert_eq!(syllable_starts("王a"), None);
        assert_eq!(syllable_starts("\u{1175}\u{11B7}"), None);
        assert_eq!(syllable_starts("Елена"), None);
    }
}
