//! Document-level de-identification: content types, limits, and the walkers for text, JSON
//! (generic and FHIR R4) and form bodies.
//!
//! Owns the [`Engine`] (everything compiled at start-up: detector, field rules, policies)
//! and its two directions: [`Engine::deidentify`] takes one document's bytes and its
//! content type and returns the de-identified document, or a [`ScanError`] that names a
//! position and a reason but never any input text; [`Engine::reidentify`] takes the same
//! and returns the document with its tokens revealed ([`reveal`]). Both read a body by its
//! real shape through one sniffer ([`nested`]). Each de-identifying entry point
//! ([`Engine::deidentify`], [`Engine::deidentify_json`], [`Engine::deidentify_field`])
//! owns its document's batch: the values go to the token store once, after the walk
//! ([`crate::transform::batch`]), and nothing is returned before the store has them.
//!
//! # Layout
//! - [`fields`]: field rules for structured payloads.
//! - [`json`]: the JSON / FHIR walker.
//! - [`form`]: `application/x-www-form-urlencoded` bodies.
//! - [`hl7`]: HL7 v2.x messages (ER7), by the field rules of `patterns/hl7.toml`.
//! - [`csv`]: CSV and TSV tables, columns by their header through the JSON key rules.
//! - [`xml`]: XML documents, C-CDA / CDA R2 by the rules of `patterns/cda.toml`.
//! - [`x12`]: X12 interchanges (837P, 835, 277CA), by the element rules of `patterns/x12.toml`.
//! - [`nested`]: payloads inside payloads (JSON in strings, URLs, forms; base64, base32 and
//!   hexadecimal by [`encoded`]) and body sniffing.
//! - [`recall`]: the patient memory's step in a walk (open, extend, search with it).
//! - [`reveal`]: re-identification, value by value in every format above.
//! - [`spelling`]: values read one way and written another (HL7 and XML escapes), so
//!   rewritten and revealed values keep their spelling.
//!
//! Every string is read through its canonical view ([`crate::canon`]) before detection, and
//! every body by its real shape whatever its label: what cannot be read is refused.

pub mod analyze;
mod attachment;
mod base85;
mod blobs;
mod cells;
mod char_codes;
pub mod csv;
mod embedded;
mod encoded;
pub mod fields;
pub mod form;
pub mod hl7;
pub mod json;
mod members;
mod name_values;
pub mod nested;
mod odata;
mod paths;
pub(crate) mod protocol;
pub mod recall;
pub mod reference;
pub mod reveal;
mod reversed;
mod rot47;
mod serialised;
pub mod spelling;
mod turned;
mod uu;
pub mod x12;
pub mod xml;

use std::borrow::Cow;
use std::collections::HashSet;
use std::ops::Range;
use std::str::FromStr;

use crate::canon::Canon;
use crate::detect::learned::Learned;
use crate::detect::shape;
use crate::detect::{Detector, RuleError, Scratch, Span};
use crate::keys::MasterKey;
use crate::patterns::Patterns;
use crate::phi::PhiType;
use crate::transform::policy::Policy;
use crate::transform::token::{TokenError, TokenStore};
use crate::transform::{parse_zip3_list, DateKey, DocContext, Transformer};
use fields::FieldRules;

/// The payload kinds phigate understands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContentType {
    Text,
    Json,
    FhirJson,
    Form,
    /// Newline-delimited JSON: one document per line.
    NdJson,
    /// HL7 v2.x in ER7 (`MSH|^~\&|…`).
    Hl7,
    /// Comma-separated values (RFC 4180).
    Csv,
    /// Tab-separated values.
    Tsv,
    /// XML: C-CDA / CDA R2 by its rules, any other document by the same defaults.
    Xml,
    /// X12 5010 (`ISA*…~`): 837P claims, 835 remittances, 277CA acknowledgements.
    X12,
}

/// A text that opens as an HTML page (`<!DOCTYPE html>`, `<html>`), whatever the case.
fn is_html_page(text: &str) -> bool {
    let head: String = text
        .trim_start()
        .chars()
        .take(14)
        .collect::<String>()
        .to_ascii_lowercase();
    head.starts_with("<!doctype html") || head.starts_with("<html")
}

impl FromStr for ContentType {
    type Err = String;

    /// Accepts media types with parameters (`application/json; charset=utf-8`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let base = s
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        Ok(match base.as_str() {
            // HTML is read as text: markup in text is read by the text reader (and a body
            // that reads as XML by the XML reader, `deidentify_sniffed`).
            "text/plain" | "text" | "text/markdown" | "text/html" => ContentType::Text,
            // vCard and iCalendar bodies: text whose content lines the text reader types by
            // property (`engine::serialised`).
            "text/calendar" | "text/vcard" | "text/x-vcard" | "text/directory" => ContentType::Text,
            "application/hl7-v2"
            | "x-application/hl7-v2+er7"
            | "application/hl7-v2+er7"
            | "text/x-hl7"
            | "application/edi-hl7"
            | "application/x-hl7"
            | "hl7"
            | "er7" => ContentType::Hl7,
            "text/csv" | "application/csv" | "csv" => ContentType::Csv,
            "text/tab-separated-values" | "tsv" => ContentType::Tsv,
            "application/xml" | "text/xml" | "application/cda+xml" | "xml" | "cda" => {
                ContentType::Xml
            }
            "application/edi-x12"
            | "application/x12"
            | "x12"
            | "edi"
            | "837"
            | "835"
            | "277"
            | "837p"
            | "277ca" => ContentType::X12,
            "application/json" | "json" | "text/json" => ContentType::Json,
            "application/fhir+json" | "fhir" | "fhir-json" | "application/json+fhir" => {
                ContentType::FhirJson
            }
            "application/x-www-form-urlencoded" | "form" => ContentType::Form,
            "application/x-ndjson"
            | "application/ndjson"
            | "application/fhir+ndjson"
            | "application/jsonl"
            | "application/x-jsonlines"
            | "ndjson" => ContentType::NdJson,
            b if b.starts_with("application/") && b.ends_with("+json") => ContentType::Json,
            b if b.starts_with("application/") && b.ends_with("+xml") => ContentType::Xml,
            _ => return Err(format!("unsupported content type `{base}`")),
        })
    }
}

impl ContentType {
    /// Guesses from a file extension, then from the first non-blank byte.
    pub fn infer(path: Option<&str>, body: &[u8]) -> ContentType {
        if let Some(p) = path {
            let lower = p.to_ascii_lowercase();
            if lower.ends_with(".fhir.json") {
                return ContentType::FhirJson;
            }
            if lower.ends_with(".json") || lower.ends_with(".jsonl") {
                return sniff_json(body);
            }
            if lower.ends_with(".txt") || lower.ends_with(".text") || lower.ends_with(".md") {
                return ContentType::Text;
            }
            if lower.ends_with(".hl7") || lower.ends_with(".er7") {
                return ContentType::Hl7;
            }
            if lower.ends_with(".csv") {
                return ContentType::Csv;
            }
            if lower.ends_with(".tsv") || lower.ends_with(".tab") {
                return ContentType::Tsv;
            }
            if lower.ends_with(".xml") || lower.ends_with(".cda") {
                return ContentType::Xml;
            }
            if [".x12", ".edi", ".837", ".835", ".277"]
                .iter()
                .any(|e| lower.ends_with(e))
            {
                return ContentType::X12;
            }
        }
        match body.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'{') | Some(b'[') if reads_as_json(body) => sniff_json(body),
            _ => ContentType::Text,
        }
    }
}

/// Whether an undeclared body that opens like JSON is JSON. A note that starts with a
/// bracket (`[08/04/93 0117] Pt seen…`) is text: read as malformed JSON it would be
/// refused, when the text path reads and de-identifies all of it. A declared JSON body
/// (content type or `.json` name) is never guessed at and is refused when malformed.
fn reads_as_json(body: &[u8]) -> bool {
    serde_json::from_slice::<serde::de::IgnoredAny>(body).is_ok()
}

fn sniff_json(body: &[u8]) -> ContentType {
    let head = &body[..body.len().min(4096)];
    if head.windows(14).any(|w| w == b"\"resourceType\"") {
        ContentType::FhirJson
    } else {
        ContentType::Json
    }
}

/// Most digits an identifier-shaped value in a code field may have and be kept (LOINC
/// `29463-7`, CPT, control IDs like `MSG00001`); with more it is read as an identifier
/// (an MRN or visit number filed in the wrong field).
const MAX_CODE_DIGITS: usize = 6;

/// Most digits of an all-digit code beside a code system (SNOMED CT concept ids have up to
/// 18).
const MAX_CODING_DIGITS: usize = 18;

/// The highest RxNorm concept id kept beside an RxNorm system. RXCUIs are assigned in
/// sequence and have no check digit: in 2026 they run to about 2.8 million, so a code of
/// seven digits above this bound or of eight (an MRN such as `4410827`, a phone prefix
/// such as `41355501`) is no concept yet and is read like any other value (red team 51,
/// G22). Raise it when RxNorm's ids near it.
const MAX_RXCUI: u64 = 3_499_999;

/// Most digits in one arc of an OID kept as a registry's number. Registries hand out short
/// arcs (HL7's `2.16.840.1.113883.6.96`, a vendor's `1.2.840.114350`); an arc of seven digits
/// or more is a record number, a phone number or a birth date written as an arc (red team
/// 51, G13), or an instance UID's serial, which identifies one study as an MRN does.
const MAX_OID_ARC_DIGITS: usize = 6;

/// The text a whole value (trimmed) holds in uuencode, hexadecimal, base32 or base64, as
/// the walk decodes it (`T3Jzb2x5YQ==` → `Orsolya`), or `None`. For the reveal side's
/// shield, which must know what a caller sent in any form the answer is read in.
pub fn encoded_text(v: &str) -> Option<String> {
    match encoded::value(v) {
        encoded::Value::Text(h) => Some(h.text),
        encoded::Value::Binary | encoded::Value::Plain => None,
    }
}

/// Whether `v` is an OID kept as written: digit arcs without leading zeros, separated by
/// dots, none longer than [`MAX_OID_ARC_DIGITS`], or a UUID written as an OID (`2.25.` and
/// one arc of twenty digits or more, a random number that carries nothing).
pub(crate) fn is_registry_oid(v: &str) -> bool {
    let arcs: Vec<&str> = v.split('.').collect();
    let syntax = arcs.len() >= 2
        && arcs.iter().all(|a| {
            !a.is_empty()
                && a.bytes().all(|b| b.is_ascii_digit())
                && (a.len() == 1 || !a.starts_with('0'))
        });
    let short = arcs.iter().all(|a| a.len() <= MAX_OID_ARC_DIGITS);
    let uuid = matches!(arcs.as_slice(), ["2", "25", n] if n.len() >= 20);
    syntax && (short || uuid)
}

/// Whether `v` is a calendar date written `CCYYMMDD` (years 1800–2199): a birth date filed
/// as a message control ID reads so.
pub(crate) fn is_compact_date(v: &str) -> bool {
    let v = v.trim();
    v.len() == 8
        && v.bytes().all(|b| b.is_ascii_digit())
        && matches!(&v[..2], "18" | "19" | "20" | "21")
        && ("01"..="12").contains(&&v[4..6])
        && ("01"..="31").contains(&&v[6..8])
}

/// Whether `code` (all digits) is a concept id of the terminology `system` names, by that
/// terminology's own shape: a SNOMED CT concept id (6–18 digits, a concept partition `00`
/// or `10` before a valid Verhoeff check digit) or an RxNorm one (up to [`MAX_RXCUI`]). Any
/// other system (`urn:x`, a clinic's own) keeps no long number: an SSN, a phone number or
/// a birth date filed as a "code" beside it is read as one.
pub(crate) fn is_terminology_code(system: &str, code: &str) -> bool {
    if code.is_empty() || !code.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let system = system.trim().trim_end_matches('/').to_ascii_lowercase();
    match system.as_str() {
        "http://snomed.info/sct" | "urn:oid:2.16.840.1.113883.6.96" => {
            let n = code.len();
            (6..=MAX_CODING_DIGITS).contains(&n)
                && matches!(&code[n - 3..n - 1], "00" | "10")
                && verhoeff_valid(code)
        }
        "http://www.nlm.nih.gov/research/umls/rxnorm" | "urn:oid:2.16.840.1.113883.6.88" => {
            code.len() <= 7 && code.parse::<u64>().is_ok_and(|n| n <= MAX_RXCUI)
        }
        _ => false,
    }
}

/// The longest URI the terminology list is asked about (its longest entry is under 100).
const MAX_SYSTEM_URI: usize = 160;

/// The URIs of `patterns/terminology-systems.txt`, lower case and without a trailing slash.
fn terminology_systems(source: &str) -> HashSet<String> {
    parse_zip3_list(source)
        .into_iter()
        .map(|uri| uri.trim_end_matches('/').to_ascii_lowercase())
        .collect()
}

/// The Verhoeff check (SNOMED CT's check digit): `digits` ends in its own check digit.
fn verhoeff_valid(digits: &str) -> bool {
    const D: [[u8; 10]; 10] = [
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
        [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
        [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
        [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
        [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
        [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
        [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
        [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
        [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
        [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
    ];
    const P: [[u8; 10]; 8] = [
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
        [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
        [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
        [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
        [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
        [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
        [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
        [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
    ];
    let mut c = 0u8;
    for (i, b) in digits.bytes().rev().enumerate() {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return false;
        }
        c = D[usize::from(c)][usize::from(P[i % 8][usize::from(d)])];
    }
    c == 0
}

/// Fewest letters of a lower-case word alone in a URL's path read as a name: a schema's
/// and a site's short words (`fhir`, `auth`) are on name lists too.
const MIN_PATH_NAME: usize = 5;

/// Fewest pieces of a path read together as words: an address or a name cut into pieces
/// takes three at least (`4471/Quarry/Rd`); one or two pieces are judged alone.
const MIN_PATH_PIECES_READ: usize = 3;

/// Fewest letters of a word in capitals that no list holds read as a name when it stands
/// alone as a value (`QUORVELLINE`): shorter ones are a table's codes (`AMB`, `STAT`).
const MIN_UNLISTED_CAPITALS: usize = 5;

/// What follows the scheme of a URL (`https://`) or URN (`urn:`), if `v` is one.
fn url_rest(v: &str) -> Option<&str> {
    if let Some((scheme, rest)) = v.split_once("://") {
        let scheme_like = !scheme.is_empty()
            && scheme
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'.');
        return scheme_like.then_some(rest);
    }
    v.strip_prefix("urn:")
}

/// Limits on one document.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Largest document accepted, in bytes.
    pub max_bytes: usize,
    /// Deepest JSON nesting accepted.
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 16 << 20,
            max_depth: 64,
        }
    }
}

/// Why a document could not be de-identified. Messages name positions and reasons only.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error("input is {size} bytes, over the {limit}-byte limit")]
    TooLarge { size: usize, limit: usize },
    #[error("input is not valid UTF-8 (first bad byte at offset {offset})")]
    Utf8 { offset: usize },
    #[error("malformed JSON at line {line}, column {column}: {category}")]
    Json {
        line: usize,
        column: usize,
        category: &'static str,
    },
    #[error("JSON nested deeper than {limit} levels")]
    TooDeep { limit: usize },
    #[error("malformed form body: {0}")]
    Form(&'static str),
    #[error("malformed HL7 v2 message: {0}")]
    Hl7(&'static str),
    #[error("malformed X12 at segment {segment}: {reason}")]
    X12 {
        segment: usize,
        reason: &'static str,
    },
    #[error("malformed CSV at line {line}: {reason}")]
    Csv { line: usize, reason: &'static str },
    #[error("malformed XML at byte {offset}: {reason}")]
    Xml { offset: usize, reason: &'static str },
    /// XML that is well-formed but uses what the reader refuses (a DOCTYPE) or is over
    /// its limits.
    #[error("XML refused: {0}")]
    XmlRefused(&'static str),
    #[error("two object keys de-identify to the same key")]
    KeyCollision,
    #[error("the body is {0}, which is not de-identified; nothing was forwarded")]
    Unreadable(&'static str),
    #[error(transparent)]
    Token(#[from] TokenError),
}

/// A de-identified document.
#[derive(Debug, Default)]
pub struct Output {
    pub text: String,
    /// Byte spans of detected PHI in the input (text documents only).
    pub spans: Vec<Span>,
    /// PHI found, per type (indexed by [`PhiType::index`]).
    pub counts: [usize; PhiType::ALL.len()],
}

/// A start-up failure: a rule, field or policy file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error(transparent)]
    Rules(#[from] RuleError),
    /// A field or policy file (one error shape: `file:line: reason`).
    #[error(transparent)]
    File(#[from] crate::patterns::FileError),
}

static NEXT_GENERATION: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Everything compiled at start-up.
pub struct Engine {
    pub detector: Detector,
    pub fields: FieldRules,
    /// HL7 v2 field rules (`patterns/hl7.toml`).
    pub hl7: hl7::Rules,
    /// XML / C-CDA rules (`patterns/cda.toml`).
    pub xml: xml::Rules,
    /// X12 element rules (`patterns/x12.toml`).
    pub x12: x12::Rules,
    pub policies: Vec<Policy>,
    pub zip3_restricted: HashSet<String>,
    /// Code-system URIs kept as written (`patterns/terminology-systems.txt`), lower case and
    /// without a trailing slash.
    terminology_systems: HashSet<String>,
    pub limits: Limits,
    /// Procedure codes the clinic bills (`patterns/claims/cpt.toml`): five digits that are
    /// a code, not an identifier, wherever they appear.
    pub procedure_codes: HashSet<String>,
    /// Whether payloads' patients are remembered and recalled ([`crate::memory`]); on by
    /// default, off by `[engine] patient_memory = false`.
    pub patient_memory: bool,
    /// Given names and their nicknames, for remembered names.
    pub nicknames: crate::memory::forms::Nicknames,
    /// Tells this engine from every other built in the process: per-thread scratch space
    /// holds search caches of one engine's automata and must not serve another's (a reload
    /// builds a new engine, possibly with other rules).
    pub generation: u64,
}

impl Engine {
    pub fn build(p: &Patterns) -> Result<Engine, BuildError> {
        let detector = Detector::build(p)?;
        let mut fields = FieldRules::parse("patterns/fields.toml", p.get("fields.toml"))?;
        for o in &p.overlays {
            fields.add_overlay(&o.file, &o.text)?;
        }
        let hl7 = hl7::Rules::parse("patterns/hl7.toml", p.get("hl7.toml"))?;
        let xml = xml::Rules::parse("patterns/cda.toml", p.get("cda.toml"))?;
        let x12 = x12::Rules::parse("patterns/x12.toml", p.get("x12.toml"))?;
        let mut policies = Vec::new();
        for name in ["safe-harbor", "limited-data-set", "reversible"] {
            let file = format!("policies/{name}.toml");
            policies.push(Policy::parse(&format!("patterns/{file}"), p.get(&file))?);
        }
        Ok(Engine {
            detector,
            fields,
            hl7,
            xml,
            x12,
            policies,
            zip3_restricted: parse_zip3_list(p.get("zip3-restricted.txt")),
            terminology_systems: terminology_systems(p.get("terminology-systems.txt")),
            limits: Limits::default(),
            procedure_codes: procedure_codes(p.get("claims/cpt.toml")),
            patient_memory: true,
            nicknames: crate::memory::forms::Nicknames::parse(p.get("names/nicknames.csv")),
            generation: NEXT_GENERATION.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        })
    }

    /// A built-in policy by name.
    pub fn policy(&self, name: &str) -> Option<&Policy> {
        self.policies.iter().find(|p| p.name == name)
    }

    /// A transformer for one policy and store.
    pub fn transformer<'a>(
        &'a self,
        policy: &'a Policy,
        store: &'a dyn TokenStore,
        master: &MasterKey,
    ) -> Transformer<'a> {
        Transformer::new(policy, store, master, &self.zip3_restricted)
    }

    /// [`Engine::transformer`] with the date key already derived (a caller that makes one
    /// per request).
    pub fn transformer_keyed<'a>(
        &'a self,
        policy: &'a Policy,
        store: &'a dyn TokenStore,
        date_key: &DateKey,
    ) -> Transformer<'a> {
        Transformer::with_date_key(policy, store, date_key, &self.zip3_restricted)
    }

    /// De-identifies one document. The label is a hint: the body is read by its real shape
    /// (JSON sent as text or as a form is walked as JSON, an HL7 message sent as text is
    /// walked as HL7, an XML document sent as text is walked as XML), and a body that opens
    /// like something phigate reads but does not read as it is refused, never passed on as
    /// text.
    ///
    /// The document's values go to the token store as one batch once the walk is done
    /// ([`Engine::per_document`]): one write (one PostgreSQL transaction) per patient of the
    /// document, not one per value, and nothing is returned before that write succeeded.
    pub fn deidentify(
        &self,
        input: &[u8],
        content_type: ContentType,
        t: &Transformer<'_>,
        scratch: &mut Scratch,
    ) -> Result<Output, ScanError> {
        let text = self.readable(input)?;
        self.per_document(t, |t| self.deidentify_read(text, content_type, t, scratch))
    }

    /// Walks one document with its values batched, then writes them to the store. When the
    /// store answered a value with another token than the one written (a collision that a
    /// later attempt resolved: very rare), or two keys met on a provisional token, the
    /// document is walked again without a batch, so only tokens the store holds are ever
    /// returned. A failed write is the walk's error: nothing is returned to forward.
    pub(crate) fn per_document<T>(
        &self,
        t: &Transformer<'_>,
        mut walk: impl FnMut(&Transformer<'_>) -> Result<T, ScanError>,
    ) -> Result<T, ScanError> {
        match t.with_batch(&mut walk) {
            Ok(Some(out)) => Ok(out),
            Ok(None) | Err(ScanError::KeyCollision) => walk(t),
            Err(e) => Err(e),
        }
    }

    /// [`Engine::deidentify`] of a document read as text, inside its batch.
    fn deidentify_read(
        &self,
        text: &str,
        content_type: ContentType,
        t: &Transformer<'_>,
        scratch: &mut Scratch,
    ) -> Result<Output, ScanError> {
        match content_type {
            ContentType::Json | ContentType::FhirJson => {
                let fhir = content_type == ContentType::FhirJson;
                match json::deidentify(self, text, fhir, t, scratch) {
                    // A form labelled JSON is read as the form it is.
                    Err(ScanError::Json { .. }) if nested::is_form(text.trim()) => {
                        form::deidentify(self, text, t, scratch)
                    }
                    other => other,
                }
            }
            ContentType::NdJson => self.deidentify_lines(text, t, scratch),
            ContentType::Form => match nested::opens_like_json(text) {
                true => match self.try_json(text.trim(), false, t, scratch)? {
                    Some(out) => Ok(out),
                    None => form::deidentify(self, text, t, scratch),
                },
                false => form::deidentify(self, text, t, scratch),
            },
            ContentType::Text => self.deidentify_sniffed(text, t, scratch),
            // A table or message label on JSON is a hint like any other.
            ContentType::Hl7 | ContentType::Csv | ContentType::Tsv
                if nested::opens_like_json(text) =>
            {
                match self.try_json(text.trim(), false, t, scratch)? {
                    Some(out) => Ok(out),
                    None => self.deidentify_labelled(text, content_type, t, scratch),
                }
            }
            ContentType::Hl7 | ContentType::Csv | ContentType::Tsv => {
                self.deidentify_labelled(text, content_type, t, scratch)
            }
            // A JSON body labelled XML is read as the JSON it is.
            ContentType::Xml if nested::opens_like_json(text) => {
                match self.try_json(text.trim(), false, t, scratch)? {
                    Some(out) => Ok(out),
                    None => xml::deidentify(self, text, t, scratch),
                }
            }
            ContentType::Xml => xml::deidentify(self, text, t, scratch),
            // An interchange is read as one whatever else it resembles; a body labelled
            // X12 that is not one is refused, never read as text.
            ContentType::X12 => x12::deidentify(self, text, t, scratch),
        }
    }

    /// Re-identifies one document: the reverse of [`Engine::deidentify`], under the same
    /// size limit and UTF-8 reading, dispatched on the content type by
    /// [`reveal::reidentify`]. Only tokens of the types `allow` permits are revealed.
    pub fn reidentify(
        &self,
        input: &[u8],
        content_type: ContentType,
        store: &dyn TokenStore,
        allow: &reveal::Allow,
        stats: &mut reveal::RevealStats,
    ) -> Result<String, reveal::RevealError> {
        let text = self.readable(input)?;
        reveal::reidentify(text, content_type, store, allow, stats)
    }

    /// A document as UTF-8 text without its byte-order mark, if it is within the limit.
    pub fn readable<'a>(&self, input: &'a [u8]) -> Result<&'a str, ScanError> {
        if input.len() > self.limits.max_bytes {
            return Err(ScanError::TooLarge {
                size: input.len(),
                limit: self.limits.max_bytes,
            });
        }
        let input = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
        std::str::from_utf8(input).map_err(|e| ScanError::Utf8 {
            offset: e.valid_up_to(),
        })
    }

    /// HL7 and tables by their label; a body labelled HL7 that does not open with a header
    /// is still walked as segments (every value then read as unknown), never passed on.
    fn deidentify_labelled(
        &self,
        text: &str,
        content_type: ContentType,
        t: &Transformer<'_>,
        scratch: &mut Scratch,
    ) -> Result<Output, ScanError> {
        match content_type {
            // A body no delimiter cuts into a table is read as the text it is.
            ContentType::Csv => match csv::labelled_delimiter(text) {
                Some(d) => csv::deidentify(self, text, d, t, scratch),
                None => self.deidentify_text(text, t, scratch),
            },
            ContentType::Tsv => csv::deidentify(self, text, b'\t', t, scratch),
            _ => hl7::deidentify(self, text, t, scratch),
        }
    }

    /// A document of unknown shape (a text body, decoded base64): by what it really is.
    pub fn deidentify_sniffed(
        &self,
        text: &str,
        t: &Transformer<'_>,
        scratch: &mut Scratch,
    ) -> Result<Output, ScanError> {
        if nested::opens_like_json(text) {
            if let Some(out) = self.try_json(text.trim(), false, t, scratch)? {
                return Ok(out);
            }
        }
        match nested::sniff(text) {
            nested::Shape::Form => form::deidentify(self, text, t, scratch),
            nested::Shape::Hl7 => hl7::deidentify(self, text, t, scratch),
            // An HTML page that is not well-formed XML (`<br>`, unclosed `<p>`) is read
            // as the text it is, as HTML in a JSON note is; other XML that does not read
            // is refused.
            nested::Shape::Xml if is_html_page(text) && !xml::reads(text) => {
                self.deidentify_text(text, t, scratch)
            }
            nested::Shape::Xml => xml::deidentify(self, text, t, scratch),
            nested::Shape::X12 => x12::deidentify(self, text, t, scratch),
            // A CSV or TSV export sent as text is read by its header, not as prose.
            nested::Shape::Text => match csv::table_delimiter(self, text, csv::IN_TEXT) {
                Some(delimiter) => csv::deidentify(self, text, delimiter, t, scratch),
                None => self.deidentify_text(text, t, scratch),
            },
        }
    }

    /// `text` walked as JSON, or `None` when it does not parse as JSON (the caller then
    /// reads it as what else it is). Parsed once: the walker is the parser.
    pub(crate) fn try_json(
        &self,
        text: &str,
        fhir: bool,
        t: &Transformer<'_>,
        scratch: &mut Scratch,
    ) -> Result<Option<Output>, ScanError> {
        match json::deidentify(self, text, fhir, t, scratch) {
            Ok(out) => Ok(Some(out)),
            Err(ScanError::Json { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// One value on its own (a header, a path segment): read like a string inside a
    /// structured payload, so identifier shapes, names and nested payloads are found
    /// without a cue. Its values are one batch, as a document's are.
    pub fn deidentify_field(
        &self,
        value: &str,
        t: &Transformer<'_>,
        scratch: &mut Scratch,
    ) -> Result<Output, ScanError> {
        self.per_document(t, |t| self.field_in_batch(value, t, scratch))
    }

    /// [`Engine::deidentify_field`] inside its batch.
    fn field_in_batch(
        &self,
        value: &str,
        t: &Transformer<'_>,
        scratch: &mut Scratch,
    ) -> Result<Output, ScanError> {
        let mut counts = [0; PhiType::ALL.len()];
        let text = self.scan_value(
            value,
            &Learned::default(),
            t,
            &DocContext::default(),
            scratch,
            &mut counts,
        )?;
        Ok(Output {
            text,
            spans: Vec::new(),
            counts,
        })
    }

    /// NDJSON: each line a JSON document; blank lines kept.
    fn deidentify_lines(
        &self,
        text: &str,
        t: &Transformer<'_>,
        scratch: &mut Scratch,
    ) -> Result<Output, ScanError> {
        let mut out = Output::default();
        for (n, line) in text.split('\n').enumerate() {
            if n > 0 {
                out.text.push('\n');
            }
            if line.trim().is_empty() {
                out.text.push_str(line);
                continue;
            }
            let doc =
                json::deidentify(self, line.trim(), false, t, scratch).map_err(|e| match e {
                    ScanError::Json {
                        column, category, ..
                    } => ScanError::Json {
                        line: n + 1,
                        column,
                        category,
                    },
                    e => e,
                })?;
            out.text.push_str(&doc.text);
            for (a, b) in out.counts.iter_mut().zip(&doc.counts) {
                *a += b;
            }
        }
        Ok(out)
    }

    /// Plain text: read through its canonical view, detect, then transform.
    pub fn deidentify_text(
        &self,
        text: &str,
        t: &Transformer<'_>,
        scratch: &mut Scratch,
    ) -> Result<Output, ScanError> {
        let mut counts = [0; PhiType::ALL.len()];
        // Records quoted in the text are read as records; each piece of prose between them
        // as text, its spans moved to where it stands in the whole.
        let ctx = DocContext::default();
        if let Some(parts) = embedded::split(self, text, t, &ctx, scratch, &mut counts)? {
            // What the typed cells hold is searched for in the prose too, as a structured
            // payload's values are (`ATTENDEE;CN=Tamsin Quenby` … `SUMMARY:eval - quenby`).
            let learned = embedded::learned(text, &parts);
            let learned = (!learned.is_empty()).then_some(&learned);
            let mut out = Output {
                text: String::with_capacity(text.len()),
                spans: Vec::new(),
                counts,
            };
            for part in parts {
                let (r, piece) = match part {
                    embedded::Part::Record(r) => {
                        out.text.push_str(&r);
                        continue;
                    }
                    embedded::Part::Cell(v, at, ty) => {
                        out.text.push_str(&v);
                        out.spans.push(Span {
                            start: at.start,
                            end: at.end,
                            ty,
                        });
                        continue;
                    }
                    embedded::Part::Prose(r) => {
                        let piece =
                            self.deidentify_prose(&text[r.clone()], &[], learned, t, scratch)?;
                        (r, piece)
                    }
                    embedded::Part::Table(r, cells) => {
                        let piece =
                            self.deidentify_prose(&text[r.clone()], &cells, learned, t, scratch)?;
                        (r, piece)
                    }
                };
                out.text.push_str(&piece.text);
                // Spans are byte ranges of the input: the piece's, moved to it.
                out.spans.extend(piece.spans.into_iter().map(|mut s| {
                    s.start += r.start;
                    s.end += r.start;
                    s
                }));
                for (a, b) in out.counts.iter_mut().zip(&piece.counts) {
                    *a += b;
                }
            }
            return Ok(out);
        }
        self.deidentify_prose(text, &[], None, t, scratch)
    }

    /// Text without records in it: its encoded runs opened, then read as plain text, with
    /// `cells` (table cells typed by their header, ranges of `text`) written as their type;
    /// `learned`: values typed elsewhere in the body, searched for here too.
    fn deidentify_prose(
        &self,
        text: &str,
        cells: &[embedded::Cell],
        learned: Option<&Learned>,
        t: &Transformer<'_>,
        scratch: &mut Scratch,
    ) -> Result<Output, ScanError> {
        let mut counts = [0; PhiType::ALL.len()];
        if let Some(rewritten) = nested::encoded_runs(self, text, t, scratch, &mut counts)? {
            // Opening the runs moves the cells: the text is read cut around them instead.
            if !cells.is_empty() {
                return self.deidentify_cut_at_cells(text, cells, learned, t, scratch);
            }
            // The runs are done: read the rest as plain text. Looking for runs again would
            // find the re-encoded ones, and a rewrite that is not a fixed point (found by
            // fuzzing) recursed until the stack overflowed.
            let mut out = self.deidentify_plain_text(&rewritten, &[], learned, t, scratch)?;
            out.spans.clear();
            for (a, b) in out.counts.iter_mut().zip(&counts) {
                *a += b;
            }
            return Ok(out);
        }
        self.deidentify_plain_text(text, cells, learned, t, scratch)
    }

    /// Text holding encoded runs and typed cells: each cell written as its type, the prose
    /// between them read piece by piece.
    fn deidentify_cut_at_cells(
        &self,
        text: &str,
        cells: &[embedded::Cell],
        learned: Option<&Learned>,
        t: &Transformer<'_>,
        scratch: &mut Scratch,
    ) -> Result<Output, ScanError> {
        let mut out = Output::default();
        let mut at = 0;
        let read = |out: &mut Output, r: Range<usize>, scratch: &mut Scratch| {
            if r.is_empty() {
                return Ok::<(), ScanError>(());
            }
            let piece = self.deidentify_prose(&text[r.clone()], &[], learned, t, scratch)?;
            out.text.push_str(&piece.text);
            out.spans.extend(piece.spans.into_iter().map(|mut s| {
                s.start += r.start;
                s.end += r.start;
                s
            }));
            for (a, b) in out.counts.iter_mut().zip(&piece.counts) {
                *a += b;
            }
            Ok(())
        };
        for (cell, ty) in cells {
            if cell.start < at || cell.end > text.len() {
                continue;
            }
            read(&mut out, at..cell.start, scratch)?;
            let ctx = DocContext::default();
            let value = t.apply_field(*ty, &text[cell.clone()], &ctx, &mut out.counts)?;
            out.text.push_str(&value);
            out.spans.push(Span {
                start: cell.start,
                end: cell.end,
                ty: *ty,
            });
            at = cell.end;
        }
        read(&mut out, at..text.len(), scratch)?;
        Ok(out)
    }

    /// Text without encoded runs left to open: canonical view, detection, transformation;
    /// `cells` are written as their type in place (the text is read whole around them).
    fn deidentify_plain_text(
        &self,
        text: &str,
        cells: &[embedded::Cell],
        learned: Option<&Learned>,
        t: &Transformer<'_>,
        scratch: &mut Scratch,
    ) -> Result<Output, ScanError> {
        let mut counts = [0; PhiType::ALL.len()];
        let (canon, mut view_spans) = self.read_checked(text, learned, t, scratch)?;
        let view = canon.as_ref().map_or(text, Canon::text);
        let ctx = DocContext {
            patient_key: patient_key_from_text(view, &view_spans),
        };
        // A note naming a remembered patient (their MRN) is read again with their memory.
        if let Some(mut memory) = self.recall_text_patient(t, ctx.patient_key.as_deref())? {
            for (v, ty) in learned.into_iter().flat_map(Learned::values) {
                memory.add(ty, v);
            }
            view_spans = self.read_checked(text, Some(&memory), t, scratch)?.1;
        }
        let (spans, values) = to_source(canon.as_ref(), view, &view_spans);
        if !cells.is_empty() {
            let (out, spans) =
                cells::write_in_place(text, &spans, &values, cells, t, &ctx, &mut counts)?;
            return Ok(Output {
                text: out,
                spans,
                counts,
            });
        }
        let out = t.apply_read(text, &spans, &values, &ctx)?;
        for s in &spans {
            counts[s.ty.index()] += 1;
        }
        Ok(Output {
            text: out,
            spans,
            counts,
        })
    }

    /// Scans one string value inside a structured payload: a nested payload is opened and
    /// de-identified as a document; anything else is read as text.
    pub(crate) fn scan_value(
        &self,
        value: &str,
        learned: &Learned,
        t: &Transformer<'_>,
        ctx: &DocContext,
        scratch: &mut Scratch,
        counts: &mut [usize; PhiType::ALL.len()],
    ) -> Result<String, ScanError> {
        self.scan_value_cow(value, learned, t, ctx, scratch, counts)
            .map(Cow::into_owned)
    }

    /// [`Engine::scan_value`], borrowing `value` back when nothing in it changed (most
    /// values of a message or a table), so no copy is made of it.
    pub(crate) fn scan_value_cow<'v>(
        &self,
        value: &'v str,
        learned: &Learned,
        t: &Transformer<'_>,
        ctx: &DocContext,
        scratch: &mut Scratch,
        counts: &mut [usize; PhiType::ALL.len()],
    ) -> Result<Cow<'v, str>, ScanError> {
        // An LLM model id (`claude-3-5-sonnet-20241022`) is the API's word, by its grammar.
        if protocol::is_protocol_value(value) {
            return Ok(Cow::Borrowed(value));
        }
        if let Some(out) = nested::deidentify_nested(self, value, t, ctx, scratch, counts)? {
            return Ok(Cow::Owned(out));
        }
        if self.is_scanned_name_value(value) {
            counts[PhiType::Name.index()] += 1;
            return Ok(Cow::Owned(t.apply_value(PhiType::Name, value, ctx)?));
        }
        let learned = (!learned.is_empty()).then_some(learned);
        // Records quoted in the text (a fenced JSON record in a chat message) are read as
        // records, the prose around them as prose.
        if let Some(parts) = embedded::split(self, value, t, ctx, scratch, counts)? {
            let mut out = String::with_capacity(value.len());
            for part in parts {
                match part {
                    embedded::Part::Record(r) | embedded::Part::Cell(r, ..) => out.push_str(&r),
                    embedded::Part::Prose(r) => {
                        out.push_str(&self.scan_prose(&value[r], learned, t, ctx, scratch, counts)?)
                    }
                    embedded::Part::Table(r, cells) => out.push_str(
                        &self.scan_table(&value[r], &cells, learned, t, ctx, scratch, counts)?,
                    ),
                }
            }
            return Ok(Cow::Owned(out));
        }
        let out = self.scan_prose(value, learned, t, ctx, scratch, counts)?;
        match out {
            Cow::Borrowed(_) if reads_as_path(value) => {
                self.scan_path_words(value, learned, t, ctx, scratch, counts)
            }
            out => Ok(out),
        }
    }

    /// Prose in a value: its encoded runs opened, then read as text.
    fn scan_prose<'v>(
        &self,
        value: &'v str,
        learned: Option<&Learned>,
        t: &Transformer<'_>,
        ctx: &DocContext,
        scratch: &mut Scratch,
        counts: &mut [usize; PhiType::ALL.len()],
    ) -> Result<Cow<'v, str>, ScanError> {
        Ok(
            match nested::encoded_runs(self, value, t, scratch, counts)? {
                Some(rewritten) => Cow::Owned(
                    self.scan_text(&rewritten, learned, t, ctx, scratch, counts)?
                        .into_owned(),
                ),
                None => self.scan_text(value, learned, t, ctx, scratch, counts)?,
            },
        )
    }

    /// Prose in a value holding table cells typed by their header: read whole, each cell
    /// written as its type in place; with encoded runs in it, read cut around the cells.
    #[allow(clippy::too_many_arguments)]
    fn scan_table(
        &self,
        value: &str,
        cells: &[embedded::Cell],
        learned: Option<&Learned>,
        t: &Transformer<'_>,
        ctx: &DocContext,
        scratch: &mut Scratch,
        counts: &mut [usize; PhiType::ALL.len()],
    ) -> Result<String, ScanError> {
        let mut run_counts = [0; PhiType::ALL.len()];
        if nested::encoded_runs(self, value, t, scratch, &mut run_counts)?.is_some() {
            let mut out = String::with_capacity(value.len());
            let mut at = 0;
            for (cell, ty) in cells {
                if cell.start < at || cell.end > value.len() {
                    continue;
                }
                let prose = &value[at..cell.start];
                out.push_str(&self.scan_prose(prose, learned, t, ctx, scratch, counts)?);
                out.push_str(&t.apply_field(*ty, &value[cell.clone()], ctx, counts)?);
                at = cell.end;
            }
            out.push_str(&self.scan_prose(&value[at..], learned, t, ctx, scratch, counts)?);
            return Ok(out);
        }
        let (canon, view_spans) = self.read_checked(value, learned, t, scratch)?;
        let view = canon.as_ref().map_or(value, Canon::text);
        let (spans, values) = to_source(canon.as_ref(), view, &view_spans);
        let (out, _) = cells::write_in_place(value, &spans, &values, cells, t, ctx, counts)?;
        Ok(out)
    }

    /// A path (`/patients/4471/Quarry/Hollow/Rd`) read with its separators as blanks: a
    /// value cut at its blanks into pieces, each harmless alone, is still the value. The
    /// blanks take the separators' places byte for byte, so what is found there is
    /// replaced in the path as written.
    fn scan_path_words<'v>(
        &self,
        value: &'v str,
        learned: Option<&Learned>,
        t: &Transformer<'_>,
        ctx: &DocContext,
        scratch: &mut Scratch,
        counts: &mut [usize; PhiType::ALL.len()],
    ) -> Result<Cow<'v, str>, ScanError> {
        let words = value.replace(PATH_SEPARATORS, " ");
        self.scan_read_as(value, &words, learned, t, ctx, scratch, counts)
    }

    /// Reads one string through its canonical view and transforms what [`Engine::read`]
    /// finds there.
    /// Borrowed when nothing was found.
    pub(crate) fn scan_text<'v>(
        &self,
        value: &'v str,
        learned: Option<&Learned>,
        t: &Transformer<'_>,
        ctx: &DocContext,
        scratch: &mut Scratch,
        counts: &mut [usize; PhiType::ALL.len()],
    ) -> Result<Cow<'v, str>, ScanError> {
        self.scan_read_as(value, value, learned, t, ctx, scratch, counts)
    }

    /// [`Engine::scan_text`] of `value` as `read_as` reads: a text of the same bytes but
    /// some read otherwise, one for one, so spans found there are `value`'s.
    #[allow(clippy::too_many_arguments)]
    fn scan_read_as<'v>(
        &self,
        value: &'v str,
        read_as: &str,
        learned: Option<&Learned>,
        t: &Transformer<'_>,
        ctx: &DocContext,
        scratch: &mut Scratch,
        counts: &mut [usize; PhiType::ALL.len()],
    ) -> Result<Cow<'v, str>, ScanError> {
        debug_assert_eq!(value.len(), read_as.len());
        let (canon, view_spans) = self.read_checked(read_as, learned, t, scratch)?;
        if view_spans.is_empty() {
            return Ok(Cow::Borrowed(value));
        }
        for s in &view_spans {
            counts[s.ty.index()] += 1;
        }
        let view = canon.as_ref().map_or(read_as, Canon::text);
        let (spans, values) = to_source(canon.as_ref(), view, &view_spans);
        Ok(Cow::Owned(t.apply_read(value, &spans, &values, ctx)?))
    }
}

impl Engine {
    /// [`Engine::read`], with the view's token-shaped strings that the store did not issue
    /// added as values ([`Transformer::unissued_tokens`]): the detector spares every string
    /// in a token's shape, and only the store can tell a token from a value dressed as one
    /// (red team 52, H24).
    pub(crate) fn read_checked(
        &self,
        value: &str,
        learned: Option<&Learned>,
        t: &Transformer<'_>,
        scratch: &mut Scratch,
    ) -> Result<(Option<Canon>, Vec<Span>), ScanError> {
        let (canon, spans) = self.read(value, learned, scratch);
        let view = canon.as_ref().map_or(value, Canon::text);
        let forged = t.unissued_tokens(view)?;
        if forged.is_empty() {
            return Ok((canon, spans));
        }
        let mut all = spans;
        all.extend(forged);
        Ok((canon, crate::detect::merge(all)))
    }

    /// What detection finds in `value`: its canonical view (`None` when it is the value
    /// itself) and spans of that view. A value shaped like an identifier is PHI whole
    /// (default deny); anything else goes to the detector.
    fn read(
        &self,
        value: &str,
        learned: Option<&Learned>,
        scratch: &mut Scratch,
    ) -> (Option<Canon>, Vec<Span>) {
        let canon = Canon::of(value);
        let view = canon.as_ref().map_or(value, Canon::text);
        let spans = match self.identifier_type(view) {
            Some(ty) => vec![Span {
                start: view.len() - view.trim_start().len(),
                end: view.trim_end().len(),
                ty,
            }],
            None => {
                let accents = canon.as_ref().map_or(&[][..], Canon::accents);
                let spans = self.detector.scan_accented(view, accents, learned, scratch);
                let spans = self.with_joined_words(value, canon.as_ref(), spans, learned, scratch);
                let spans = self.with_parted_underscores(view, spans, learned, scratch);
                let spans = self.with_path_words(view, spans, learned, scratch);
                let spans = self.with_reversed_runs(view, spans, learned, scratch);
                // Both turns read the same words: they are cut and looked up once.
                let turnable = turned::Turnable::of(view, self.detector.lexicon());
                let spans =
                    self.with_turned(&turnable, turned::Turn::Rot13, spans, learned, scratch);
                let spans =
                    self.with_turned(&turnable, turned::Turn::Backwards, spans, learned, scratch);
                let spans = self.with_rot47(view, spans, learned, scratch);
                with_spelling_alphabet(value, canon.as_ref(), spans)
            }
        };
        (canon, spans)
    }

    /// `spans` of `canon`'s view, and what `value` holds read with the markup that cuts its
    /// words read as nothing ([`Canon::joined`]: `Rosa<span class="x">lind`,
    /// `MR441<!--x-->0827`), placed in `canon`'s view over what they cover there.
    fn with_joined_words(
        &self,
        value: &str,
        canon: Option<&Canon>,
        spans: Vec<Span>,
        learned: Option<&Learned>,
        scratch: &mut Scratch,
    ) -> Vec<Span> {
        let Some(canon) = canon.filter(|c| c.cuts_words()) else {
            return spans;
        };
        let Some(joined) = Canon::joined(value) else {
            return spans;
        };
        let found = self
            .detector
            .scan_accented(joined.text(), joined.accents(), learned, scratch)
            .into_iter()
            .filter_map(|s| {
                let (start, end) = joined.source_range(s.start, s.end);
                let (start, end) = canon.view_range(start, end)?;
                Some(Span {
                    start,
                    end,
                    ty: s.ty,
                })
            })
            .collect();
        reversed::merged(spans, found)
    }

    /// `spans` of `view`, and what its paths without a scheme hold read as a path value is
    /// ([`paths`]: `see emr.example/patients/4410827/chart`): each such word alone, its
    /// separators as blanks, and each piece that reads as a name in a path
    /// (`/patients/4410827/thackeray`).
    fn with_path_words(
        &self,
        view: &str,
        spans: Vec<Span>,
        learned: Option<&Learned>,
        scratch: &mut Scratch,
    ) -> Vec<Span> {
        let mut found = Vec::new();
        for (start, end) in paths::path_words(view) {
            let word = &view[start..end];
            let words = word.replace(PATH_SEPARATORS, " ");
            let at = |s: Span| Span {
                start: s.start + start,
                end: s.end + start,
                ty: s.ty,
            };
            found.extend(
                self.detector
                    .scan(&words, learned, scratch)
                    .into_iter()
                    .map(at),
            );
            let mut piece_start = start;
            for piece in word.split('/') {
                if self.url_piece_reads_as_name(piece, true) {
                    found.push(Span {
                        start: piece_start,
                        end: piece_start + piece.len(),
                        ty: PhiType::Name,
                    });
                }
                piece_start += piece.len() + 1;
            }
        }
        if found.is_empty() {
            return spans;
        }
        reversed::merged(spans, found)
    }

    /// `spans` of `view`, and what it holds with the `_` that glue words into one read as
    /// spaces (`MR4410827_discharge.pdf`): byte for byte, so the spans are `view`'s.
    fn with_parted_underscores(
        &self,
        view: &str,
        spans: Vec<Span>,
        learned: Option<&Learned>,
        scratch: &mut Scratch,
    ) -> Vec<Span> {
        let Some(parted) = crate::canon::underscores_parted(view) else {
            return spans;
        };
        let found = self.detector.scan(&parted, learned, scratch);
        reversed::merged(spans, found)
    }

    /// `spans` of `view`, and what each run of it written backwards holds read the other
    /// way round ([`reversed::reversed_runs`]).
    fn with_reversed_runs(
        &self,
        view: &str,
        spans: Vec<Span>,
        learned: Option<&Learned>,
        scratch: &mut Scratch,
    ) -> Vec<Span> {
        let mut out = spans;
        for (start, end) in reversed::reversed_runs(view) {
            let run = &view[start..end];
            let back = self
                .detector
                .scan(&reversed::reversed(run), learned, scratch);
            let found = reversed::written_spans(&back, run.len())
                .into_iter()
                .map(|s| Span {
                    start: s.start + start,
                    end: s.end + start,
                    ty: s.ty,
                })
                .collect();
            out = reversed::merged(out, found);
        }
        out
    }

    /// `spans` of `view`, and what its ROT47 words hold turned back ([`rot47::view`]),
    /// where a span holds one of them.
    fn with_rot47(
        &self,
        view: &str,
        spans: Vec<Span>,
        learned: Option<&Learned>,
        scratch: &mut Scratch,
    ) -> Vec<Span> {
        let Some((turned, words)) = rot47::view(view) else {
            return spans;
        };
        let mut found = self.detector.scan(&turned, learned, scratch);
        found.retain(|s| words.iter().any(|w| s.start < w.end && w.start < s.end));
        reversed::merged(spans, found)
    }

    /// `spans` of `view`, and what it holds with its words turned back ([`turned::view`]):
    /// each word is turned in its own place, so the view's spans are `view`'s.
    fn with_turned(
        &self,
        view: &turned::Turnable<'_>,
        turn: turned::Turn,
        spans: Vec<Span>,
        learned: Option<&Learned>,
        scratch: &mut Scratch,
    ) -> Vec<Span> {
        let Some((turned, words)) = turned::view(view, turn, self.detector.lexicon()) else {
            return spans;
        };
        let mut found = self.detector.scan(&turned, learned, scratch);
        // Where only some words were turned, only what holds one of them is theirs.
        if let Some(words) = words {
            found.retain(|s| words.iter().any(|w| s.start < w.end && w.start < s.end));
        }
        reversed::merged(spans, found)
    }

    /// A short structured value made only of listed names (`Whitcombe`, `ines`, `Ansel J
    /// Whitcombe`): in a field of its own there is no sentence to say otherwise, so it is a
    /// name. A word that is also English or clinical vocabulary never counts.
    pub fn is_name_value(&self, value: &str) -> bool {
        self.value_reads_as_name(value, Unlisted::NeedsAName)
    }

    /// [`Engine::is_name_value`], or a value of one to three capitalised words no list
    /// holds at all (`Quorvelline`, `Blythe Quorvelline`): a value scanned as text, under a
    /// key nobody knows, has no sentence around it to say what such a word is, and a word
    /// that is no English, clinical, rare-English, place or name-list word is more likely
    /// a surname than anything else a payload carries alone. Not used for markup names or
    /// code fields, where a schema's own words stand alone.
    pub(crate) fn is_scanned_name_value(&self, value: &str) -> bool {
        self.value_reads_as_name(value, Unlisted::MayStandAlone)
    }

    fn value_reads_as_name(&self, value: &str, unlisted: Unlisted) -> bool {
        // Cheap refusals first: most values are long, numeric or many-worded.
        let t = value.trim();
        if t.is_empty()
            || t.len() > 256
            || t.bytes().any(|b| b.is_ascii_digit())
            || t.split_whitespace().nth(4).is_some()
        {
            return false;
        }
        let canon = Canon::of(value);
        let v = canon.as_ref().map_or(value, Canon::text).trim();
        // A display name dressed with emoji or an external-sender tag is still the name
        // (`Zvezdana 🌸 Vukovljevic`, `Vukovljevic, Zvezdana [EXT]`; red team 55, J2).
        let undressed = name_values::undressed(v);
        let v = undressed.trim();
        // A name written as one identifier is still its words: `rosalind_thackeray`,
        // `rosalind.thackeray`, `RosalindThackeray`.
        let words: Vec<&str> = v
            .split(|c: char| c.is_whitespace() || matches!(c, ',' | '+' | '/' | '_' | '.'))
            .flat_map(camel_words)
            .filter(|w| !w.is_empty())
            .collect();
        if words.is_empty() || words.len() > 4 || v.len() > 64 {
            return false;
        }
        let flags = |w: &str| self.detector.lexicon().flags(w.as_bytes());
        self.names_only(&words)
            || (unlisted == Unlisted::MayStandAlone
                && (self.unlisted_capitalised(&without_initials(&words))
                    || name_values::capitalised_full_name(&words, flags)
                        && !self.detector.lexicon().opens_with_organisation(&words)
                    || name_values::unlisted_lower_pair(&words, |w| {
                        self.detector.lexicon().flags(w.as_bytes())
                    })))
    }

    /// A whole value under a key that names a person or a search (`name`, `given`,
    /// `family`, `username`, `q`; patterns/fields.toml `name_keys`): one to three
    /// lower-case words, each on a name list (and no English word) or on no list at all
    /// (`zvezdana vukovljevic`, `vukovljevic`), or anything
    /// [`Engine::is_scanned_name_value`] reads. Typed-in names arrive in lower case
    /// with nothing around them exactly there (red team 55, J2).
    pub(crate) fn is_keyed_name_value(&self, value: &str) -> bool {
        if self.is_scanned_name_value(value) {
            return true;
        }
        let t = name_values::undressed(value.trim());
        let words: Vec<&str> = t
            .split(|c: char| c.is_whitespace() || matches!(c, ',' | '+' | '_' | '.'))
            .filter(|w| !w.is_empty())
            .collect();
        let flags = |w: &str| self.detector.lexicon().flags(w.as_bytes());
        name_values::lower_names(&words, flags) || name_values::listed_name_words(&words, flags)
    }

    /// Whether a JSON or form value under a (normalised) name key reads as the name:
    /// [`Engine::is_keyed_name_value`], and under a key that holds a surname alone (`last`,
    /// `family`: `surname_keys`) one listed surname even when it is an English word too
    /// (`{"last":"walker"}`, red team 58).
    pub(crate) fn is_named_under(&self, key: &str, value: &str) -> bool {
        if !self.fields.is_name_key(key) {
            return false;
        }
        let flags = |w: &str| self.detector.lexicon().flags(w.as_bytes());
        self.is_keyed_name_value(value)
            || self.fields.is_surname_key(key)
                && name_values::listed_surname_word(value.trim(), flags)
    }

    /// One to three capitalised words (`Quorvelline`) of three letters or more, or words in
    /// capitals of [`MIN_UNLISTED_CAPITALS`] letters or more (`QUORVELLINE`), none of which
    /// any list holds, the rare English words included. Shorter words in capitals stand
    /// alone as codes (`AMB`, `STAT`).
    fn unlisted_capitalised(&self, words: &[&str]) -> bool {
        let capitalised = |w: &str| {
            let b = w.as_bytes();
            let title = b.len() >= 3 && b[1..].iter().all(u8::is_ascii_lowercase);
            let capitals =
                b.len() >= MIN_UNLISTED_CAPITALS && b[1..].iter().all(u8::is_ascii_uppercase);
            b[0].is_ascii_uppercase() && (title || capitals)
        };
        (1..=3).contains(&words.len())
            && words
                .iter()
                .all(|w| capitalised(w) && self.detector.lexicon().flags(w.as_bytes()) == 0)
    }

    /// A value under a code field (a JSON `status` or `code` key, HL7 `keep`, a CSV `cpt`
    /// column) that may stay as written. The key only says what the value should be; a
    /// value is kept while it reads as that: shaped like a code, not a long identifier (a
    /// code is short; a record number filed in the wrong field is not), no date, no text
    /// written in an encoding, no URL whose path holds a name or a record number, none of
    /// the payload's own PHI values and not a name (but for upper-case table codes of up to
    /// three characters). Anything else is scanned, which keeps what holds nothing.
    /// Whether a control value (a message control ID, an application's or a trading
    /// partner's code, a reference number), kept while it is shaped like a code, holds PHI
    /// all the same (red team 50, F29): one of the message's own values, a name alone
    /// (`THACKERAY`, `THACKERAY_R`), or a date written with separators (no control value is
    /// written so). Table codes of up to three characters (`AL`, `NE`, `CH`) are never read
    /// as names.
    pub(crate) fn control_holds_phi(&self, value: &str, learned: &Learned) -> bool {
        let v = value.trim();
        let mut hit = false;
        learned.scan(v, |_, _, _| hit = true);
        if hit {
            return true;
        }
        let separated_date =
            shape::value_type(v) == Some(PhiType::Date) && !v.bytes().all(|b| b.is_ascii_digit());
        separated_date || (v.len() > 3 && self.is_name_value(&v.replace(['_', '-', '.'], " ")))
    }

    /// A published code-system or identifier-system URI of the shipped list.
    pub(crate) fn is_terminology_system(&self, value: &str) -> bool {
        value.len() <= MAX_SYSTEM_URI
            && self
                .terminology_systems
                .contains(&value.trim_end_matches('/').to_ascii_lowercase())
    }

    pub(crate) fn keeps_code(&self, value: &str, learned: &Learned, scratch: &mut Scratch) -> bool {
        self.keeps_code_in(value, learned, None, scratch)
    }

    /// [`Engine::keeps_code`] for a value that is a coding's code beside its `system`
    /// (`coded`), where an all-digit value that is a concept id of that terminology
    /// ([`is_terminology_code`]: SNOMED CT by its check digit, RxNorm) is a concept, not a
    /// record number. A date is never kept, whatever the system.
    pub(crate) fn keeps_code_in(
        &self,
        value: &str,
        learned: &Learned,
        coded: Option<&str>,
        scratch: &mut Scratch,
    ) -> bool {
        // Read as a person reads it: full-width digits are digits (`ＭＲ４４１０８２７`).
        let canon = Canon::of(value);
        let v = canon.as_ref().map_or(value, Canon::text).trim();
        let mut phi = false;
        learned.scan(v, |_, _, _| phi = true);
        // A token-shaped code is read: kept only if the store issued it (H24).
        if phi || crate::phi::token::holds_minted(v) {
            return false;
        }
        if self.is_terminology_system(v) {
            return true;
        }
        // Table codes (`AU`, `IP`, `SIU`) are short upper-case words that are sometimes
        // surnames too: they are not read as names; longer values are. Such a code is
        // shaped like a code by construction.
        let table_code = v.len() <= 3
            && v.bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        if table_code {
            return true;
        }
        // `json::keep_shaped(value)`, on the view read above (the same canonical, trimmed
        // text), its shape type kept for the date test below: each read once.
        if !json::one_short_word(v) {
            return false;
        }
        let ty = shape::value_type(v);
        if json::is_contact_or_ssn(ty) {
            return false;
        }
        if let Some(rest) = url_rest(v) {
            return self.keeps_url_rest(rest, learned, scratch);
        }
        if v.contains('/') && !self.keeps_path(v, learned, scratch) {
            return false;
        }
        if ty == Some(PhiType::Date) {
            return false;
        }
        if coded.is_some_and(|system| is_terminology_code(system, v)) {
            return true;
        }
        let digits = v.bytes().filter(u8::is_ascii_digit).count();
        if digits > MAX_CODE_DIGITS && self.identifier_type(v).is_some() {
            return false;
        }
        // Text in base64, hex, base32 or uuencode is no code: the scan reads it.
        if matches!(encoded::value(v), encoded::Value::Text(_)) {
            return false;
        }
        !self.is_name_value(v) && !self.code_words_hold_phi(v)
    }

    /// A code's letter runs, read apart from the punctuation and digits that join them,
    /// are names only (`Orsolya-Brankovic`, `Brankovic:Orsolya`, `(Brankovic)`,
    /// `Orsolya417`), a month name stands beside digits (`14Mar1961`, `Mar-14-1961`), or a
    /// number stands with three words (`42-Quarry-Hollow-Rd`):
    /// no code is written so, and [`Engine::is_name_value`] reads only blanks, commas,
    /// dots, slashes and underscores between words (red team 68). Codes made of ordinary
    /// words (`entered-in-error`, `vital-signs`, `en-US`) hold no name-list word alone.
    fn code_words_hold_phi(&self, v: &str) -> bool {
        let words: Vec<&str> = v
            .split(|c: char| !c.is_ascii_alphabetic())
            .filter(|w| !w.is_empty())
            .collect();
        if words.is_empty() || words.len() > 4 {
            return false;
        }
        let month = |w: &&str| {
            w.len() >= 3
                && crate::transform::date::MONTHS
                    .iter()
                    .any(|m| m.starts_with(&*w.to_ascii_lowercase()))
        };
        let digits = v.bytes().any(|b| b.is_ascii_digit());
        let dated = digits && words.iter().any(month);
        // A number and three words or more (`42-Quarry-Hollow-Rd`) is a street line or a
        // sentence run together, not a code (`ICD-10-CM` has two).
        let line = digits && words.iter().filter(|w| w.len() >= 2).count() >= 3;
        dated || line || self.names_only(&words)
    }

    /// The part of a URL or URN after its scheme, kept while no piece of it is a record
    /// number or reads as a name (`https://x.example/p/Jane-Whitlock`). An OID (`urn:oid:`)
    /// is a registry's number for a code system or an organisation, kept while its arcs are
    /// short (see [`is_registry_oid`]).
    fn keeps_url_rest(&self, rest: &str, learned: &Learned, scratch: &mut Scratch) -> bool {
        if let Some(oid) = rest.strip_prefix("oid:") {
            return is_registry_oid(oid);
        }
        // The host's last label (`org`, `info`) is the registry's, not the site's, and as a
        // word alone it may be on a name list.
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (host, path) = rest.split_at(end);
        let host = host.rsplit_once('.').map_or(host, |(site, _tld)| site);
        // A URN's parts and a URL's user and port are set apart by `:` and `@`
        // (`urn:patient:Rosalind-Thackeray`, `jane.doe:pw@host`): each may be a name.
        self.keeps_url_piece(host, false)
            && !host
                .split([':', '@'])
                .any(|piece| self.url_piece_reads_as_name(piece, false))
            && self.keeps_path(path, learned, scratch)
    }

    /// A path (`/patients/whitlock`, `mg/dL`) kept while no piece of it is a record number
    /// or reads as a name, and while its pieces read together as words hold nothing either:
    /// an address or a name can be cut into pieces that are each harmless
    /// (`/patients/4471/Quarry/Hollow/Rd`).
    fn keeps_path(&self, path: &str, learned: &Learned, scratch: &mut Scratch) -> bool {
        if !path
            .split(['/', '#', ';', '=', '&', ':', '?'])
            .all(|piece| self.keeps_url_piece(piece, true))
        {
            return false;
        }
        if !reads_as_path(path) {
            return true;
        }
        let words = path.replace(PATH_SEPARATORS, " ");
        let learned = (!learned.is_empty()).then_some(learned);
        self.detector.scan(&words, learned, scratch).is_empty()
    }

    fn keeps_url_piece(&self, piece: &str, in_path: bool) -> bool {
        if piece.is_empty() {
            return true;
        }
        let digits = piece.bytes().filter(u8::is_ascii_digit).count();
        let record_number = digits > MAX_CODE_DIGITS && self.identifier_type(piece).is_some();
        !record_number && !self.url_piece_reads_as_name(piece, in_path)
    }

    /// A piece of a URL that reads as a person's name: two words or more (`Jane-Whitlock`,
    /// `jane.whitlock`) that read as one, one capitalised word on a name list
    /// (`Whitlock`), or, in the path, one lower-case word of [`MIN_PATH_NAME`] letters or
    /// more on one (`/patients/whitlock`). A site's name and a schema's short words
    /// (`fhir`, `auth`, `core`) are no one's, however many name lists also hold them.
    fn url_piece_reads_as_name(&self, piece: &str, in_path: bool) -> bool {
        let words = piece.replace(['-', '_', '.', '+'], " ");
        let several = words.split_whitespace().nth(1).is_some();
        let capitalised = piece.starts_with(|c: char| c.is_ascii_uppercase())
            && piece[1..].bytes().all(|b| b.is_ascii_lowercase());
        let lower_word = in_path
            && piece.len() >= MIN_PATH_NAME
            && piece.bytes().all(|b| b.is_ascii_lowercase());
        (several || capitalised || lower_word) && self.is_name_value(&words)
    }

    /// [`shape::value_type`], except for the clinic's own procedure codes.
    pub fn identifier_type(&self, view: &str) -> Option<PhiType> {
        if self.procedure_codes.contains(view.trim()) {
            return None;
        }
        shape::value_type(view)
    }

    /// A JSON key that is a slug of a name (`ansel_whitcombe`, `whitcombe-ansel`).
    /// A key written as a column name in capitals (`SPOUSE_NM`, `PCP_PROV_ID`, `ADD_LINE_2`,
    /// Epic Clarity's columns), kept as written: its pieces are a schema's abbreviations,
    /// not a sentence's words, so a cue before one (`SPOUSE`, `PCP`, `DR`) does not make the
    /// next (`NM`, `PROV`) a name (red team 52, H16: `SPOUSE_NM` became `SPOUSE_NAME_…`).
    /// Such a key is still a value, and read as one, when it is shaped like an identifier,
    /// is a name whole (`ROSALIND_THACKERAY`), has a piece that is a listed name and no
    /// word (`THACKERAY_NOTE`, `MARY_NOTE`), holds a token's shape, or when what the
    /// detector finds in it reaches past one short piece (`GRACE_BROWN_NOTE`).
    pub(crate) fn keeps_column_name(
        &self,
        key: &str,
        learned: &Learned,
        scratch: &mut Scratch,
    ) -> bool {
        if !is_upper_snake(key)
            || shape::value_type(key).is_some()
            || crate::phi::token::holds_minted(key)
            || self.is_name_slug(key)
            || key.split('_').any(|piece| self.piece_is_a_name(piece))
        {
            return false;
        }
        let words = key.replace('_', " ");
        let learned = (!learned.is_empty()).then_some(learned);
        self.detector
            .scan(&words, learned, scratch)
            .iter()
            .all(|s| within_a_short_piece(&words, s))
    }

    /// A column name in capitals with a piece that is a listed name and no word
    /// (`ROSALIND_THACKERAY_NOTE`): the detector, reading it as a heading, found only part
    /// of the name, so such a key is a name whole (fail closed).
    pub(crate) fn column_name_holds_a_name(&self, key: &str) -> bool {
        is_upper_snake(key) && key.split('_').any(|piece| self.piece_is_a_name(piece))
    }

    /// A piece of a column name that is a listed name and no word (`THACKERAY`, `MARY`;
    /// not `DEAN`, `NM` or `PROV`).
    fn piece_is_a_name(&self, piece: &str) -> bool {
        use crate::detect::lexicon::flag;
        if piece.len() < 3 || !piece.bytes().all(|b| b.is_ascii_alphabetic()) {
            return false;
        }
        let f = self.detector.lexicon().flags(piece.as_bytes());
        f & flag::NAME != 0 && f & (flag::ENGLISH | flag::COMMON | flag::NEVER_NAME) == 0
    }

    pub fn is_name_slug(&self, key: &str) -> bool {
        if !key.contains(['_', '-']) {
            return false;
        }
        let parts: Vec<&str> = key.split(['_', '-']).collect();
        (2..=4).contains(&parts.len()) && self.names_only(&parts)
    }

    /// Words that together read as a name: at least one on a name list, and none that is
    /// an English or clinical word (an unlisted word may be a rare surname); single letters
    /// are initials.
    pub(crate) fn names_only(&self, words: &[&str]) -> bool {
        use crate::detect::lexicon::flag;
        let mut named = 0;
        for w in words {
            if !w.bytes().all(|b| b.is_ascii_alphabetic() || b == b'\'') || w.is_empty() {
                return false;
            }
            if w.len() == 1 {
                continue;
            }
            let f = self.detector.lexicon().flags(w.as_bytes());
            if f & (flag::ENGLISH | flag::COMMON | flag::NEVER_NAME) != 0 {
                return false;
            }
            if f & flag::NAME != 0 {
                named += 1;
            } else if !flag::unknown(f) {
                return false;
            }
        }
        named > 0
    }
}

/// What sets a path's pieces apart, read as blanks when its pieces are read together
/// ([`reads_as_path`]). Each is one byte, as a blank is. Not `_`: a token's own
/// (`NAME_…`) would come apart.
const PATH_SEPARATORS: [char; 8] = ['/', '\\', '-', '+', '=', '&', ';', ':'];

/// A value with no blank in it cut by `/` or a backslash into [`MIN_PATH_PIECES_READ`] pieces or
/// more with a letter in one: a path, whose pieces are read together as words too.
pub(crate) fn reads_as_path(v: &str) -> bool {
    let v = v.trim();
    if v.len() > MAX_PATH_READ || v.contains(char::is_whitespace) {
        return false;
    }
    let pieces = v.split(['/', '\\']).filter(|p| !p.is_empty()).count();
    pieces >= MIN_PATH_PIECES_READ && v.bytes().any(|b| b.is_ascii_alphabetic())
}

/// Longest key read as a column name ([`Engine::keeps_column_name`]).
const MAX_COLUMN_NAME: usize = 64;

/// A key in capitals, digits and `_`, with one `_` at least (`PAT_MRN_ID`).
fn is_upper_snake(key: &str) -> bool {
    key.len() <= MAX_COLUMN_NAME
        && key.starts_with(|c: char| c.is_ascii_uppercase())
        && key.contains('_')
        && key
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

/// Longest piece of a column name that a detection may take and the name still be kept:
/// a schema's abbreviation (`NM`, `PH`, `PROV`), not a name.
const MAX_ABBREVIATION: usize = 4;

/// Whether a detection in a column name read with blanks for its `_` lies inside one piece
/// of at most [`MAX_ABBREVIATION`] characters.
fn within_a_short_piece(words: &str, s: &Span) -> bool {
    let start = words[..s.start].rfind(' ').map_or(0, |p| p + 1);
    let end = words[s.end..].find(' ').map_or(words.len(), |p| s.end + p);
    !words[s.start..s.end].contains(' ') && end - start <= MAX_ABBREVIATION
}

/// Longest value read as a path: a URL's path, not a document.
const MAX_PATH_READ: usize = 2048;

/// `w` cut where a lower-case letter meets a capital (`RosalindThackeray`, `McDonald`).
fn camel_words(w: &str) -> impl Iterator<Item = &str> {
    let b = w.as_bytes();
    let mut cuts: Vec<usize> = (1..b.len())
        .filter(|&i| b[i].is_ascii_uppercase() && b[i - 1].is_ascii_lowercase())
        .collect();
    cuts.push(w.len());
    let mut from = 0;
    cuts.into_iter().map(move |to| {
        let piece = &w[from..to];
        from = to;
        piece
    })
}

/// The words of a value without its initials (lone capitals: `Vukovljevic, Zvezdana I.`,
/// `Vukovljevic Z.`), which is how EHR lists write a patient ("LAST, First M."); the
/// words left are what says whether the value is a name (red team 51, G21). A value of
/// initials only keeps them, and so is no name.
fn without_initials<'a>(words: &[&'a str]) -> Vec<&'a str> {
    let initial = |w: &&str| w.len() == 1 && w.as_bytes()[0].is_ascii_uppercase();
    let rest: Vec<&str> = words.iter().filter(|w| !initial(w)).copied().collect();
    if rest.is_empty() || words.len() - rest.len() > 2 {
        return words.to_vec();
    }
    rest
}

/// Whether a structured value of capitalised words no list holds reads as a name
/// ([`Engine::is_scanned_name_value`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unlisted {
    /// At least one word must be on a name list.
    NeedsAName,
    /// Capitalised words no list holds are a name on their own.
    MayStandAlone,
}

/// Spans found in a canonical view, as ranges of the input they were read from, each with
/// how it reads. Where two spans come from one input character (a ligature cut in two),
/// the first takes it whole.
fn to_source<'v>(
    canon: Option<&Canon>,
    view: &'v str,
    spans: &[Span],
) -> (Vec<Span>, Vec<&'v str>) {
    let mut out: Vec<Span> = Vec::with_capacity(spans.len());
    let mut values = Vec::with_capacity(spans.len());
    for s in spans {
        let (start, end) = canon.map_or((s.start, s.end), |c| c.source_range(s.start, s.end));
        let start = out.last().map_or(start, |l| start.max(l.end));
        if start < end {
            out.push(Span {
                start,
                end,
                ty: s.ty,
            });
            values.push(&view[s.start..s.end]);
        }
    }
    (out, values)
}

/// The code numbers of `patterns/claims/cpt.toml` (`[codes.97530]`); an unreadable file
/// gives none (the claims checker reports it), so codes are then merely tokenised.
fn procedure_codes(source: &str) -> HashSet<String> {
    toml::from_str::<toml::Table>(source)
        .ok()
        .and_then(|t| t.get("codes").and_then(|c| c.as_table()).cloned())
        .map(|codes| codes.keys().cloned().collect())
        .unwrap_or_default()
}

/// For a note with no structured patient: the first MRN, else the first patient name.
fn patient_key_from_text(text: &str, spans: &[Span]) -> Option<String> {
    let pick = |ty| {
        spans
            .iter()
            .find(|s| s.ty == ty)
            .map(|s| format!("{ty}:{}", &text[s.start..s.end].to_lowercase()))
    };
    pick(PhiType::Mrn).or_else(|| pick(PhiType::Name))
}

/// `spans` of `canon`'s view, and every word `value` spells in the spelling alphabet
/// (`thats zulu victor uniform kilo oscar victor`) as a name. The view reads such a run as
/// the word it spells, which finds a listed surname; one no list holds was left (stop 53).
/// Four code words in a row are a spelling, and what a note spells out is a name or an
/// identifier: read as a name, it is never forwarded. Only text with a view can hold one.
fn with_spelling_alphabet(value: &str, canon: Option<&Canon>, spans: Vec<Span>) -> Vec<Span> {
    let Some(canon) = canon else {
        return spans;
    };
    let found: Vec<Span> = crate::canon::spelling_alphabet_runs(value)
        .into_iter()
        .filter_map(|(start, end)| {
            let (start, end) = canon.view_range(start, end)?;
            Some(Span {
                start,
                end,
                ty: PhiType::Name,
            })
        })
        .collect();
    if found.is_empty() {
        return spans;
    }
    reversed::merged(spans, found)
}

#[cfg(test)]
mod tests {
    use super::ContentType;

    #[test]
    fn terminology_codes_are_read_by_their_own_shape() {
        let sct = "http://snomed.info/sct";
        for code in ["44054006", "444814009", "73211009", "38341003", "22298006"] {
            assert!(super::is_terminology_code(sct, code), "{code}");
        }
        // A birth date, an SSN, a phone number, a record number: no concept id.
        for code in [
            "19610823",
            "512473306",
            "4135550172",
            "4410827",
            "4111111111111111",
        ] {
            assert!(!super::is_terminology_code(sct, code), "{code}");
            assert!(!super::is_terminology_code("urn:x", code), "{code}");
        }
        let rx = "http://www.nlm.nih.gov/research/umls/rxnorm";
        assert!(super::is_terminology_code(rx, "197361"));
        assert!(super::is_terminology_code(rx, "1049502"));
        for code in ["4135550172", "4410827", "41355501", "5524931"] {
            assert!(!super::is_terminology_code(rx, code), "{code}");
        }
    }

    #[test]
    fn an_undeclared_body_is_json_only_when_it_reads_as_json() {
        let note = b"[08/04/93 0117] Pt resting, family at bedside.";
        assert_eq!(ContentType::infer(None, note), ContentType::Text);
        assert_eq!(
            ContentType::infer(None, b"{\"note\": \"x\"}"),
            ContentType::Json
        );
        assert_eq!(
            ContentType::infer(None, b" {\"resourceType\": \"Patient\"}"),
            ContentType::FhirJson
        );
        // A body named `.json` is declared JSON: the engine refuses it when malformed.
        assert_eq!(ContentType::infer(Some("a.json"), note), ContentType::Json);
    }
}
