//! Field rules: what a structured value is, from its key and where it sits.
//!
//! Owns `patterns/fields.toml`: key normalisation (`first_name`, `firstName` and
//! `FIRST-NAME` are one key), the generic JSON key table, the FHIR path table, and the
//! person/provider parents that make a bare `name` key a name.

use std::borrow::Cow;

use rustc_hash::{FxHashMap, FxHashSet};
use serde::Deserialize;

use crate::phi::PhiType;

/// What to do with one structured value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    /// The whole value is PHI of this type.
    Phi(PhiType),
    /// Free text: run the detector over it.
    Scan,
    /// A code, unit or status: pass through.
    Keep,
    /// Drop the value (photos, binary attachments).
    Remove,
    /// FHIR `telecom.value`: phone, fax or e-mail by its `system`.
    Contact,
    /// FHIR `identifier.value`: MRN on a Patient, ID elsewhere.
    Identifier,
    /// FHIR `attachment.data`: base64; text is decoded and scanned, binary removed.
    Attachment,
    /// A FHIR resource's own `id`.
    ResourceId,
    /// A FHIR reference (`Patient/123`, `urn:uuid:…`).
    Reference,
    /// FHIR `display`: a name when it labels a person reference.
    Display,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFields {
    keys: FxHashMap<String, Vec<String>>,
    keep: Vec<String>,
    person_parents: Vec<String>,
    provider_parents: Vec<String>,
    fhir: FxHashMap<String, String>,
    #[serde(default)]
    resource_types: Vec<String>,
    #[serde(default)]
    affixed: RawAffixed,
    #[serde(default)]
    observation_codes: FxHashMap<String, Vec<String>>,
    #[serde(default)]
    dicom: RawDicom,
    #[serde(default)]
    name_keys: Vec<String>,
    #[serde(default)]
    surname_keys: Vec<String>,
    #[serde(default)]
    given_keys: Vec<String>,
    #[serde(default)]
    note_heading_keys: Vec<String>,
    #[serde(default)]
    search_params: FxHashMap<String, Vec<String>>,
    #[serde(default)]
    content_lines: FxHashMap<String, Vec<String>>,
    #[serde(default)]
    keep_shapes: FxHashMap<String, String>,
}

/// `[dicom]`: DICOM JSON attributes by tag, by value representation, and the tag groups
/// whose tags are kept as keys.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawDicom {
    #[serde(default)]
    groups: Vec<String>,
    #[serde(default)]
    tags: FxHashMap<String, String>,
    #[serde(default)]
    vr: FxHashMap<String, String>,
}

/// The compiled `[dicom]` tables (tags and groups in upper case).
#[derive(Default)]
pub struct DicomRules {
    groups: FxHashSet<String>,
    tags: FxHashMap<String, Field>,
    vr: FxHashMap<String, Field>,
}

impl DicomRules {
    /// What the value of attribute `tag` with value representation `vr` is: the tag's rule,
    /// else the VR's, else `None` (read like a value under an unknown key).
    pub fn field(&self, tag: &str, vr: &str) -> Option<Field> {
        self.tags
            .get(&tag.to_ascii_uppercase())
            .or_else(|| self.vr.get(vr))
            .copied()
    }

    /// Whether `tag` (eight hex digits) is in a standard group the tables name: such a key
    /// is structure. Any other key, a private tag's included, is read like any key, so no
    /// value travels as a made-up tag.
    pub fn is_known_tag(&self, tag: &str) -> bool {
        tag.len() == 8
            && tag.bytes().all(|b| b.is_ascii_hexdigit())
            && self.groups.contains(&tag[..4].to_ascii_uppercase())
    }
}

/// `[affixed]`: PHI key stems (`dob`, `ssn`, `street`, `county`) that keep their type with
/// one of the listed affixes or a number after them (`dob_month`, `ssn_last4`, `street_2`,
/// `county_name`).
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawAffixed {
    #[serde(default)]
    affixes: Vec<String>,
    #[serde(default)]
    stems: FxHashMap<String, Vec<String>>,
}

/// The compiled field tables.
pub struct FieldRules {
    keys: FxHashMap<String, Field>,
    person_parents: FxHashMap<String, ()>,
    provider_parents: FxHashMap<String, ()>,
    fhir: FxHashMap<String, Field>,
    /// The `parent.key` rules of `fhir` again, by parent and then key: a walk asks for
    /// every key of every object, and a normalised key holds no dot, so the pair is found
    /// without writing `parent.key` out.
    fhir_pairs: FxHashMap<String, FxHashMap<String, Field>>,
    /// FHIR's resource type names (`Encounter`), kept where a type stands alone.
    resource_types: FxHashSet<String>,
    /// `[affixed]` stems, longest first, and the affixes that may follow them.
    affixed_stems: Vec<(String, PhiType)>,
    affixes: FxHashSet<String>,
    /// `[observation_codes]`: the PHI type of an observation's value by the concept its code
    /// names (LOINC 30525-0, an age), for the readers that see a code beside a value.
    observation_codes: FxHashMap<String, PhiType>,
    pub dicom: DicomRules,
    /// Keys under which a lone lower-case word no list holds is a name (`family`).
    name_keys: FxHashSet<String>,
    /// The name keys of a surname alone (`last`, `family`), under which one listed surname
    /// is the person's even when it is an English word too (`walker`).
    surname_keys: FxHashSet<String>,
    /// The keys of a given name alone (`first`, `given`): `patterns/fields.toml`.
    given_keys: FxHashSet<String>,
    /// Keys a note also writes as a heading (`ID=afebrile`, infectious disease): in a prose
    /// line of few pairs they type nothing.
    note_heading_keys: FxHashSet<String>,
    /// FHIR search parameters of a query or a `_search` form, by their name without a
    /// modifier (`family`, `address-city`).
    search_params: FxHashMap<String, PhiType>,
    /// vCard and iCalendar properties and parameters (`FN`, `TEL`, `CN`), by name in lower
    /// case: the type of their value.
    content_lines: FxHashMap<String, PhiType>,
    /// Keep keys whose codes have one syntax (`cpt`, `icd10`, `modifier`), by normalised
    /// key: the whole value must match to be kept.
    keep_shapes: FxHashMap<String, regex::Regex>,
}

/// A field file that cannot be used.
pub type FieldError = crate::patterns::FileError;

impl FieldRules {
    pub fn parse(file: &str, source: &str) -> Result<FieldRules, FieldError> {
        let err = |line, reason| FieldError {
            file: file.to_string(),
            line,
            reason,
        };
        let raw: RawFields =
            toml::from_str(source).map_err(|e| FieldError::toml(file, source, &e))?;
        let mut keys = FxHashMap::default();
        for (ty, list) in raw.keys {
            let ty: PhiType = ty
                .parse()
                .map_err(|e: crate::phi::UnknownPhiType| err(0, e.to_string()))?;
            for k in list {
                keys.insert(normalize_key(&k).into_owned(), Field::Phi(ty));
            }
        }
        for k in raw.keep {
            keys.entry(normalize_key(&k).into_owned())
                .or_insert(Field::Keep);
        }
        let mut fhir = FxHashMap::default();
        for (path, action) in raw.fhir {
            let field = parse_field(&action)
                .map_err(|reason| err(0, format!("fhir `{path}`: {reason}")))?;
            let norm: Vec<Cow<'_, str>> = path.split('.').map(normalize_key).collect();
            fhir.insert(norm.join("."), field);
        }
        let mut fhir_pairs: FxHashMap<String, FxHashMap<String, Field>> = FxHashMap::default();
        for (path, field) in &fhir {
            // Only a rule of exactly two parts can be one parent and one normalised key.
            if let Some((parent, key)) = path.split_once('.').filter(|(_, k)| !k.contains('.')) {
                fhir_pairs
                    .entry(parent.to_string())
                    .or_default()
                    .insert(key.to_string(), *field);
            }
        }
        let set = |v: Vec<String>| {
            v.into_iter()
                .map(|k| (normalize_key(&k).into_owned(), ()))
                .collect()
        };
        let mut affixed_stems = Vec::new();
        for (ty, list) in raw.affixed.stems {
            let ty: PhiType = ty
                .parse()
                .map_err(|e: crate::phi::UnknownPhiType| err(0, e.to_string()))?;
            affixed_stems.extend(list.iter().map(|k| (normalize_key(k).into_owned(), ty)));
        }
        affixed_stems.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
        let mut observation_codes = FxHashMap::default();
        for (ty, list) in raw.observation_codes {
            let ty: PhiType = ty
                .parse()
                .map_err(|e: crate::phi::UnknownPhiType| err(0, e.to_string()))?;
            observation_codes.extend(list.into_iter().map(|code| (code, ty)));
        }
        let dicom_table = |table: FxHashMap<String, String>| {
            table
                .into_iter()
                .map(|(k, action)| {
                    parse_field(&action)
                        .map(|f| (k.to_ascii_uppercase(), f))
                        .map_err(|reason| err(0, format!("dicom `{k}`: {reason}")))
                })
                .collect::<Result<FxHashMap<_, _>, _>>()
        };
        let dicom = DicomRules {
            groups: raw
                .dicom
                .groups
                .iter()
                .map(|g| g.to_ascii_uppercase())
                .collect(),
            tags: dicom_table(raw.dicom.tags)?,
            vr: dicom_table(raw.dicom.vr)?,
        };
        let mut search_params = FxHashMap::default();
        for (ty, list) in raw.search_params {
            let ty: PhiType = ty
                .parse()
                .map_err(|e: crate::phi::UnknownPhiType| err(0, e.to_string()))?;
            search_params.extend(list.iter().map(|k| (normalize_key(k).into_owned(), ty)));
        }
        let mut content_lines = FxHashMap::default();
        for (ty, list) in raw.content_lines {
            let ty: PhiType = ty
                .parse()
                .map_err(|e: crate::phi::UnknownPhiType| err(0, e.to_string()))?;
            content_lines.extend(list.iter().map(|k| (k.to_ascii_lowercase(), ty)));
        }
        let mut keep_shapes = FxHashMap::default();
        for (key, pattern) in raw.keep_shapes {
            let whole = format!("^(?:{pattern})$");
            let re = regex::Regex::new(&whole)
                .map_err(|e| err(0, format!("keep_shapes `{key}`: {e}")))?;
            keep_shapes.insert(normalize_key(&key).into_owned(), re);
        }
        Ok(FieldRules {
            keep_shapes,
            dicom,
            observation_codes,
            name_keys: raw
                .name_keys
                .iter()
                .map(|k| normalize_key(k).into_owned())
                .collect(),
            surname_keys: raw
                .surname_keys
                .iter()
                .map(|k| normalize_key(k).into_owned())
                .collect(),
            given_keys: raw
                .given_keys
                .iter()
                .map(|k| normalize_key(k).into_owned())
                .collect(),
            note_heading_keys: raw
                .note_heading_keys
                .iter()
                .map(|k| normalize_key(k).into_owned())
                .collect(),
            search_params,
            content_lines,
            affixed_stems,
            affixes: raw
                .affixed
                .affixes
                .iter()
                .map(|a| normalize_key(a).into_owned())
                .collect(),
            keys,
            person_parents: set(raw.person_parents),
            provider_parents: set(raw.provider_parents),
            fhir,
            fhir_pairs,
            resource_types: raw.resource_types.into_iter().collect(),
        })
    }

    /// The PHI type of an observation's value when its code names a concept of
    /// `[observation_codes]` (an age, a first name, a birth date), whatever the value's shape.
    pub fn observation_type(&self, code: &str) -> Option<PhiType> {
        self.observation_codes.get(code.trim()).copied()
    }

    /// Adds an overlay file's `[keys]` (`TYPE = ["key", …]`): each key's value is PHI of
    /// that type, whatever the built-in tables said of it. The rest of the file is the
    /// detector's ([`crate::detect::overlay`]).
    pub fn add_overlay(&mut self, file: &str, source: &str) -> Result<(), FieldError> {
        #[derive(Deserialize)]
        struct RawOverlayKeys {
            #[serde(default)]
            keys: std::collections::BTreeMap<toml::Spanned<String>, Vec<String>>,
        }
        let raw: RawOverlayKeys =
            toml::from_str(source).map_err(|e| FieldError::toml(file, source, &e))?;
        for (ty, list) in raw.keys {
            let ty_at = crate::patterns::line_of(source, ty.span().start);
            let ty: PhiType = ty
                .get_ref()
                .parse()
                .map_err(|e: crate::phi::UnknownPhiType| FieldError {
                    file: file.to_string(),
                    line: ty_at,
                    reason: e.to_string(),
                })?;
            for k in list {
                self.keys
                    .insert(normalize_key(&k).into_owned(), Field::Phi(ty));
            }
        }
        Ok(())
    }

    /// A generic JSON or form field, by its (normalised) key and its parent's key.
    pub fn generic(&self, key: &str, parent: Option<&str>) -> Field {
        if let Some(f) = self.keys.get(key) {
            return *f;
        }
        if key == "name" || key == "displayname" {
            match parent {
                Some(p) if self.person_parents.contains_key(p) => return Field::Phi(PhiType::Name),
                Some(p) if self.provider_parents.contains_key(p) => {
                    return Field::Phi(PhiType::ProviderName)
                }
                _ => {}
            }
        }
        // `patient_phone`, `guarantorEmail`: the suffix says what it is.
        for (suffix, ty) in SUFFIXES {
            if key.len() > suffix.len() && key.ends_with(suffix) {
                return Field::Phi(*ty);
            }
        }
        self.affixed(key).map_or(Field::Scan, Field::Phi)
    }

    /// The type of a PHI key stem with an affix after it (`dobmonth`, `ssnlast4`,
    /// `street2`, `countyname`): a birth date split into three keys is still a birth date
    /// (red team 51, G24). A number after the stem is an index of one or two digits: a
    /// longer one is a value glued to its label (`ssn_078-05-1120`, `phone6175550143`), so
    /// such a key is no field name and is read as text (red team 68, F1).
    fn affixed(&self, key: &str) -> Option<PhiType> {
        self.affixed_stems.iter().find_map(|(stem, ty)| {
            let rest = key.strip_prefix(stem.as_str())?;
            let numbered =
                (1..=2).contains(&rest.len()) && rest.bytes().all(|b| b.is_ascii_digit());
            (numbered || self.affixes.contains(rest)).then_some(*ty)
        })
    }

    /// A field whose value is text (a JSON string, a form value, a CSV cell): the key
    /// rules first; then a key that names a person's role (`patient`, `caregiver`,
    /// `therapist`: the `person_parents` and `provider_parents` lists) holds that person's
    /// name (`{"patient": "Rose Page"}`), which free-text detection cannot see in words that
    /// are also ordinary English. Only text: under such a key an object is walked as before.
    pub fn text_field(&self, field: Field, key: &str) -> Field {
        match field {
            Field::Scan if self.person_parents.contains_key(key) => Field::Phi(PhiType::Name),
            Field::Scan if self.provider_parents.contains_key(key) => {
                Field::Phi(PhiType::ProviderName)
            }
            f => f,
        }
    }

    /// Whether a lone lower-case word no list holds is a name under this (normalised)
    /// key (`family`, `given`, `kin`): `patterns/fields.toml` `name_keys` (red team 55, J2).
    /// Whether a raw key is a field name the rules list whole (`[keys]`, `name_keys`,
    /// `keep`), in any language and case: `Vorname`, `Geburtsdatum`, `PLZ`. A suffix rule
    /// does not count (`thackeray_phone` holds a name).
    pub fn is_field_name(&self, raw: &str) -> bool {
        let key = normalize_key(raw);
        self.keys.contains_key(&*key) || self.name_keys.contains(&*key)
    }

    pub fn is_name_key(&self, key: &str) -> bool {
        self.name_keys.contains(key)
    }

    /// Whether a normalised key holds a surname alone (`last`, `family`, `surname`):
    /// `patterns/fields.toml` `surname_keys`.
    pub fn is_surname_key(&self, key: &str) -> bool {
        self.surname_keys.contains(key)
    }

    /// Whether a normalised key holds a given name alone (`first`, `given`):
    /// `patterns/fields.toml` `given_keys`.
    pub fn is_given_key(&self, key: &str) -> bool {
        self.given_keys.contains(key)
    }

    /// Whether a normalised key is also a note's heading abbreviation (`id`: infectious
    /// disease): `patterns/fields.toml` `note_heading_keys`.
    pub fn is_note_heading_key(&self, key: &str) -> bool {
        self.note_heading_keys.contains(key)
    }

    /// A query or form key as a FHIR search parameter (`family`, `given:contains`,
    /// `name:exact`, `address-city`): the parameter, its modifier dropped, names what is
    /// searched for whatever the value's case (red team 55, J2). `None` for any other key.
    pub fn search_param(&self, raw: &str) -> Option<PhiType> {
        let base = raw.split_once(':').map_or(raw, |(base, _modifier)| base);
        // `:missing` takes `true`/`false`, no value searched for.
        if raw.ends_with(":missing") {
            return None;
        }
        self.search_params.get(&*normalize_key(base)).copied()
    }

    /// Whether `value` under the keep key `key` (normalised) is written in that key's code
    /// syntax (`patterns/fields.toml` `[keep_shapes]`: `{"cpt": "97530"}`, not `{"cpt":
    /// "Smith"}`); a key without one fits any value. A value that does not fit is read as
    /// text (red team 69, S4).
    pub fn keep_fits(&self, key: &str, value: &str) -> bool {
        self.keep_shapes
            .get(key)
            .is_none_or(|re| re.is_match(value.trim()))
    }

    /// The type a vCard or iCalendar property or parameter gives its value (`FN`, `TEL`,
    /// `BDAY`, `CN`): `patterns/fields.toml` `[content_lines]`. `None` for any other name.
    pub fn content_line(&self, name: &str) -> Option<PhiType> {
        self.content_lines.get(&name.to_ascii_lowercase()).copied()
    }

    /// A FHIR field: `parent.key` first, then `key`, then the generic key rules.
    pub fn fhir(&self, key: &str, parent: Option<&str>) -> Field {
        if let Some(f) = parent.and_then(|p| self.fhir_pair(p, key)) {
            return f;
        }
        if let Some(f) = self.fhir.get(key) {
            return *f;
        }
        match self.generic(key, parent) {
            // FHIR's own vocabulary: `name` on a Patient is a HumanName object, handled by
            // its parts; a bare `name` string elsewhere (Organization, Location) is scanned.
            Field::Phi(PhiType::Name) if key == "name" => Field::Scan,
            f => f,
        }
    }
}

impl FieldRules {
    /// The type a label written as a phrase gives its value: a questionnaire item's text
    /// (`What is your ZIP code?`, `How old are you?`, `Vehicle plate number`) or a
    /// custom field's label, which the key table does not hold whole (red team 52, H3).
    /// The phrase's words, fillers dropped, are read as keys, longest run first; a single
    /// word counts only when it says one thing (`long`, `cell`, `mail` do not). A yes/no
    /// question (`Do you have a phone?`) types nothing: its answer is no value of that kind.
    pub fn phrase(&self, label: &str) -> Option<PhiType> {
        let words = phrase_words(label);
        if words.is_empty() || words.len() > MAX_PHRASE_WORDS {
            return None;
        }
        if YES_NO_OPENERS.contains(&words[0].as_str()) {
            return None;
        }
        if let Some(ty) = phrase_cue(&words) {
            return Some(ty);
        }
        let words: Vec<&str> = words
            .iter()
            .map(String::as_str)
            .filter(|w| !PHRASE_FILLERS.contains(w))
            .collect();
        for len in (1..=words.len().min(4)).rev() {
            for (at, run) in words.windows(len).enumerate() {
                if len == 1 && WEAK_ALONE.contains(&run[0]) {
                    continue;
                }
                // The field's name is the phrase's head: at its end (`your ZIP code`) or
                // before `of` (`town of residence`); a key word that qualifies another
                // (`street crossing safety`, `zip lock bag`, `age group`) names no field.
                let next = words.get(at + len).copied();
                if !matches!(next, None | Some("of")) {
                    continue;
                }
                if let Field::Phi(ty) = self.generic(&run.concat(), None) {
                    return Some(ty);
                }
            }
        }
        None
    }
}

impl FieldRules {
    /// A key written as a path (`patient[zip]`, `patient[name][first]`, `items[0][zip]`,
    /// `visit.age`: Rails, PHP and jQuery form arrays, dotted exports): the key whole first,
    /// then its last named segment with the one before it as parent, then the two joined
    /// either way (`name[first]` is `firstname`). Array indices are no names (red team 52,
    /// H22).
    pub fn path_key(&self, raw: &str) -> Field {
        let whole = self.generic(&normalize_key(raw), None);
        if whole != Field::Scan || !raw.contains(['[', '.']) {
            return whole;
        }
        let segments: Vec<Cow<'_, str>> = raw
            .split(['[', ']', '.'])
            .filter(|s| !s.is_empty() && !s.bytes().all(|b| b.is_ascii_digit()))
            .map(normalize_key)
            .collect();
        let Some((last, before)) = segments.split_last() else {
            return whole;
        };
        let parent = before.last().map(|p| &**p);
        let mut tries = vec![self.generic(last, parent)];
        if let Some(p) = parent {
            tries.push(self.generic(&format!("{p}{last}"), None));
            tries.push(self.generic(&format!("{last}{p}"), None));
        }
        tries
            .into_iter()
            .find(|f| *f != Field::Scan)
            .unwrap_or_else(|| self.text_field(Field::Scan, last))
    }
}

/// A phrase's words, lower case: split at anything not a letter or digit and where a
/// lower-case letter meets an upper-case one (`howOldAreYou`).
fn phrase_words(label: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut prev_lower = false;
    for ch in label.chars() {
        if !ch.is_alphanumeric() {
            if !word.is_empty() {
                words.push(std::mem::take(&mut word));
            }
            prev_lower = false;
            continue;
        }
        if ch.is_uppercase() && prev_lower && !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
        prev_lower = ch.is_lowercase();
        word.extend(ch.to_lowercase());
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// Phrases that name a kind in words no key spells: `how old`, `initials`, `years old`.
fn phrase_cue(words: &[String]) -> Option<PhiType> {
    let has = |w: &str| words.iter().any(|x| x == w);
    let pair = |a: &str, b: &str| words.windows(2).any(|p| p[0] == a && p[1] == b);
    if pair("how", "old") || pair("years", "old") {
        Some(PhiType::Age)
    } else if has("initials") {
        Some(PhiType::Name)
    } else {
        None
    }
}

/// The most words a label may have to be read as a phrase (a longer one is a sentence).
const MAX_PHRASE_WORDS: usize = 12;

/// Words that open a question answered yes or no.
const YES_NO_OPENERS: &[&str] = &[
    "do", "does", "did", "is", "are", "was", "were", "have", "has", "had", "can", "could", "will",
    "would", "should", "may", "any",
];

/// Words a question or label wraps round the field's name.
const PHRASE_FILLERS: &[&str] = &[
    "what", "which", "whats", "is", "are", "your", "you", "the", "a", "an", "please", "enter",
    "provide", "give", "list", "in", "at", "for", "to", "my", "s", "current", "patient",
    "patients", "pt", "here", "below", "type", "write", "if", "known", "and", "live", "lives",
    "living", "now", "today", "do",
];

/// Keys that say one thing as a key but not as one word of a phrase (`How long…`,
/// `white cell count`, `mail reminders`, `link to portal`).
const WEAK_ALONE: &[&str] = &[
    "long",
    "lon",
    "lat",
    "cell",
    "mail",
    "link",
    "url",
    "id",
    "fin",
    "dl",
    "tel",
    "geo",
    "ip",
    "serial",
    "certificate",
    "license",
    "account",
    "mobile",
    "residence",
    "contact",
];

impl FieldRules {
    /// Whether `s` is the name of a FHIR resource type (`Encounter`), as written.
    pub fn is_resource_type(&self, s: &str) -> bool {
        self.resource_types.contains(s)
    }

    /// The `parent.key` rule, if any. Keys from a walk are normalised (no dots) and are
    /// looked up by parts; a key or parent with a dot in it is written out and looked up
    /// whole, as the rule would read.
    fn fhir_pair(&self, parent: &str, key: &str) -> Option<Field> {
        if parent.contains('.') || key.contains('.') {
            return self.fhir.get(&format!("{parent}.{key}")).copied();
        }
        self.fhir_pairs.get(parent)?.get(key).copied()
    }
}

const SUFFIXES: &[(&str, PhiType)] = &[
    ("firstname", PhiType::Name),
    ("lastname", PhiType::Name),
    ("fullname", PhiType::Name),
    ("phone", PhiType::Phone),
    ("phonenumber", PhiType::Phone),
    ("email", PhiType::Email),
    ("ssn", PhiType::Ssn),
    ("dob", PhiType::Date),
    ("birthdate", PhiType::Date),
    ("zip", PhiType::Zip),
    ("zipcode", PhiType::Zip),
    ("mrn", PhiType::Mrn),
    ("memberid", PhiType::HealthPlan),
    ("address", PhiType::Address),
];

pub(crate) fn parse_field(s: &str) -> Result<Field, String> {
    Ok(match s {
        "scan" => Field::Scan,
        "keep" => Field::Keep,
        "remove" => Field::Remove,
        "contact" => Field::Contact,
        "identifier" => Field::Identifier,
        "attachment" => Field::Attachment,
        "resource_id" => Field::ResourceId,
        "reference" => Field::Reference,
        "display" => Field::Display,
        other => Field::Phi(
            other
                .parse()
                .map_err(|e: crate::phi::UnknownPhiType| e.to_string())?,
        ),
    })
}

/// `first_name`, `firstName`, `FIRST-NAME`, `First Name` → `firstname`.
pub fn normalize_key(key: &str) -> Cow<'_, str> {
    // A Salesforce custom field's suffix (`Patient_Age__c`, a person account's `__pc`) is
    // no part of the field's name (red team 55, J-z).
    let key = ["__c", "__pc"]
        .iter()
        .find_map(|s| key.strip_suffix(s))
        .filter(|k| !k.is_empty())
        .unwrap_or(key);
    // Every key of a JSON walk comes through here twice (learning, then rewriting). Many
    // FHIR keys (`id`, `name`, `system`, `value`, `reference`) are already normalised: they
    // are borrowed, without an allocation.
    if !key
        .bytes()
        .any(|b| !b.is_ascii() || b.is_ascii_uppercase() || is_key_separator(b))
    {
        return Cow::Borrowed(key);
    }
    // Nearly all other keys are ASCII: bytes then, without the per-char Unicode
    // lower-casing.
    if key.is_ascii() {
        let mut out = String::with_capacity(key.len());
        out.extend(
            key.bytes()
                .filter(|&b| !is_key_separator(b))
                .map(|b| char::from(b.to_ascii_lowercase())),
        );
        return Cow::Owned(out);
    }
    Cow::Owned(
        key.chars()
            .filter(|c| !matches!(c, '_' | '-' | ' ' | '.'))
            .flat_map(char::to_lowercase)
            .collect(),
    )
}

/// The bytes a key's spelling may hold between its words (`first_name`, `first-name`).
fn is_key_separator(b: u8) -> bool {
    matches!(b, b'_' | b'-' | b' ' | b'.')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> FieldRules {
        FieldRules::parse("fields.toml", include_str!("../../patterns/fields.toml"))
            .expect("fields")
    }

    #[test]
    fn ascii_and_other_keys_normalise_alike() {
        assert_eq!(
            normalize_key("First_Name.Of-Patient X"),
            "firstnameofpatientx"
        );
        assert_eq!(normalize_key("Prénom_Du-PATIENT"), "prénomdupatient");
        assert_eq!(normalize_key("ÉTAT civil"), "étatcivil");
        assert_eq!(normalize_key(""), "");
        assert_eq!(normalize_key("Patient_Age__c"), "patientage");
        assert_eq!(normalize_key("SSN_Last_4__pc"), "ssnlast4");
        assert_eq!(normalize_key("__c"), "c");
        // Already normalised: borrowed, not copied.
        assert!(matches!(
            normalize_key("reference"),
            Cow::Borrowed("reference")
        ));
        assert!(matches!(normalize_key("birthDate"), Cow::Owned(k) if k == "birthdate"));
        assert!(matches!(normalize_key("zip-code"), Cow::Owned(k) if k == "zipcode"));
    }

    #[test]
    fn key_spellings_normalise_to_one_rule() {
        let r = rules();
        for k in ["first_name", "firstName", "FIRST-NAME", "First Name"] {
            assert_eq!(
                r.generic(&normalize_key(k), None),
                Field::Phi(PhiType::Name),
                "{k}"
            );
        }
        assert_eq!(r.generic("dob", None), Field::Phi(PhiType::Date));
        assert_eq!(r.generic("cpt", None), Field::Keep);
        assert_eq!(r.generic("note", None), Field::Scan);
        assert_eq!(r.generic("patientphone", None), Field::Phi(PhiType::Phone));
    }

    #[test]
    fn bare_name_depends_on_parent() {
        let r = rules();
        assert_eq!(
            r.generic("name", Some("patient")),
            Field::Phi(PhiType::Name)
        );
        assert_eq!(
            r.generic("name", Some("therapist")),
            Field::Phi(PhiType::ProviderName)
        );
        assert_eq!(r.generic("name", Some("exercise")), Field::Scan);
        let text = |k: &str| r.text_field(r.generic(k, None), k);
        assert_eq!(text("patient"), Field::Phi(PhiType::Name));
        assert_eq!(text("caregiver"), Field::Phi(PhiType::Name));
        assert_eq!(text("therapist"), Field::Phi(PhiType::ProviderName));
        assert_eq!(text("cpt"), Field::Keep);
        assert_eq!(text("note"), Field::Scan);
    }

    #[test]
    fn fhir_paths() {
        let r = rules();
        assert_eq!(r.fhir("family", Some("name")), Field::Phi(PhiType::Name));
        assert_eq!(
            r.fhir("postalcode", Some("address")),
            Field::Phi(PhiType::Zip)
        );
        assert_eq!(r.fhir("state", Some("address")), Field::Keep);
        assert_eq!(r.fhir("value", Some("telecom")), Field::Contact);
        assert_eq!(r.fhir("reference", Some("subject")), Field::Reference);
        assert_eq!(r.fhir("birthdate", None), Field::Phi(PhiType::Date));
    }

    #[test]
    fn question_phrases_name_their_field() {
        let r = rules();
        for (q, ty) in [
            ("How old are you?", PhiType::Age),
            ("Age (years)", PhiType::Age),
            ("Patient initials", PhiType::Name),
            ("Vehicle plate number", PhiType::Vehicle),
            ("What is your ZIP code?", PhiType::Zip),
            (
                "Please enter the name of your town of residence",
                PhiType::Location,
            ),
            ("Last 4 of SSN", PhiType::Ssn),
            ("howOldAreYou", PhiType::Age),
            ("patient-initials", PhiType::Name),
            ("Town you live in", PhiType::Location),
            ("Mother's maiden name", PhiType::Name),
            ("Date of birth", PhiType::Date),
        ] {
            assert_eq!(r.phrase(q), Some(ty), "{q}");
        }
        for q in [
            "Do you have a phone?",
            "How long have you had the pain?",
            "White cell count",
            "Would you like mail reminders?",
            "Pain score today",
            "Street crossing safety",
            "Zip lock bag opening",
            "Age group",
            "Visit number this episode",
            "",
        ] {
            assert_eq!(r.phrase(q), None, "{q}");
        }
    }

    #[test]
    fn path_keys_are_read_by_their_last_segment() {
        let r = rules();
        for (k, f) in [
            ("patient[zip]", Field::Phi(PhiType::Zip)),
            ("patient[age]", Field::Phi(PhiType::Age)),
            ("patient[plate]", Field::Phi(PhiType::Vehicle)),
            ("patient[name]", Field::Phi(PhiType::Name)),
            ("patient[name][first]", Field::Phi(PhiType::Name)),
            ("items[0][zip]", Field::Phi(PhiType::Zip)),
            ("visit.age", Field::Phi(PhiType::Age)),
            ("metadata[patient]", Field::Phi(PhiType::Name)),
            ("items[0][note]", Field::Scan),
            ("items[]", Field::Scan),
            ("status", Field::Keep),
        ] {
            assert_eq!(r.path_key(k), f, "{k}");
        }
    }

    #[test]
    fn every_two_part_rule_is_found_by_its_parts() {
        let r = rules();
        let mut pairs = 0;
        for (path, field) in &r.fhir {
            let Some((parent, key)) = path.split_once('.') else {
                continue;
            };
            pairs += 1;
            assert_eq!(r.fhir_pair(parent, key), Some(*field), "{path}");
        }
        assert!(pairs > 10, "the table has parent.key rules ({pairs})");
        // A key with a dot (not one a walk makes) is looked up as written out.
        let mut dotted = rules();
        dotted.fhir.insert("a.b.c".into(), Field::Remove);
        assert_eq!(dotted.fhir_pair("a.b", "c"), Some(Field::Remove));
        assert_eq!(dotted.fhir_pair("a", "b.c"), Some(Field::Remove));
        assert_eq!(dotted.fhir_pair("a", "b"), None);
        assert_eq!(r.fhir_pair("nosuchparent", "family"), None);
    }
}
