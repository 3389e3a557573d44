//! Document-level de-identification: content types, limits, and the walkers for text, JSON
//! (generic and FHIR R4) and form bodies.
//!
//! Owns the [`Engine`] (everything compiled at start-up: detector, field rules, policies)
//! and [`Engine::deidentify`], which takes one document's bytes and its content type and
//! returns the de-identified document, or a [`ScanError`] that names a position and a
//! reason but never any input text.
//!
//! # Layout
//! - [`fields`]: field rules for structured payloads.
//! - [`json`]: the JSON / FHIR walker.
//! - [`form`]: `application/x-www-form-urlencoded` bodies.

pub mod fields;
pub mod form;
pub mod json;

use std::collections::HashSet;
use std::str::FromStr;

use crate::detect::learned::Learned;
use crate::detect::{Detector, RuleError, Scratch, Span};
use crate::keys::MasterKey;
use crate::patterns::Patterns;
use crate::phi::PhiType;
use crate::transform::policy::{Policy, PolicyError};
use crate::transform::token::{TokenError, TokenStore};
use crate::transform::{parse_zip3_list, DocContext, Transformer};
use fields::{FieldError, FieldRules};

/// The payload kinds phigate understands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContentType {
    Text,
    Json,
    FhirJson,
    Form,
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
            "text/plain" | "text" | "text/markdown" | "text/csv" => ContentType::Text,
            "application/json" | "json" | "text/json" => ContentType::Json,
            "application/fhir+json" | "fhir" | "fhir-json" | "application/json+fhir" => {
                ContentType::FhirJson
            }
            "application/x-www-form-urlencoded" | "form" => ContentType::Form,
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
        }
        match body.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'{') | Some(b'[') => sniff_json(body),
            _ => ContentType::Text,
        }
    }
}

fn sniff_json(body: &[u8]) -> ContentType {
    let head = &body[..body.len().min(4096)];
    if head.windows(14).any(|w| w == b"\"resourceType\"") {
        ContentType::FhirJson
    } else {
        ContentType::Json
    }
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
    #[error("two object keys de-identify to the same key")]
    KeyCollision,
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
    #[error(transparent)]
    Fields(#[from] FieldError),
    #[error(transparent)]
    Policy(#[from] PolicyError),
}

/// Everything compiled at start-up.
pub struct Engine {
    pub detector: Detector,
    pub fields: FieldRules,
    pub policies: Vec<Policy>,
    pub zip3_restricted: HashSet<String>,
    pub limits: Limits,
}

impl Engine {
    pub fn build(p: &Patterns) -> Result<Engine, BuildError> {
        let detector = Detector::build(p)?;
        let fields = FieldRules::parse("patterns/fields.toml", p.get("fields.toml"))?;
        let mut policies = Vec::new();
        for name in ["safe-harbor", "limited-data-set", "reversible"] {
            let file = format!("policies/{name}.toml");
            policies.push(Policy::parse(&format!("patterns/{file}"), p.get(&file))?);
        }
        Ok(Engine {
            detector,
            fields,
            policies,
            zip3_restricted: parse_zip3_list(p.get("zip3-restricted.txt")),
            limits: Limits::default(),
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

    /// De-identifies one document.
    pub fn deidentify(
        &self,
        input: &[u8],
        content_type: ContentType,
        t: &Transformer<'_>,
        scratch: &mut Scratch,
    ) -> Result<Output, ScanError> {
        if input.len() > self.limits.max_bytes {
            return Err(ScanError::TooLarge {
                size: input.len(),
                limit: self.limits.max_bytes,
            });
        }
        let text = std::str::from_utf8(input).map_err(|e| ScanError::Utf8 {
            offset: e.valid_up_to(),
        })?;
        match content_type {
            ContentType::Text => self.deidentify_text(text, t, scratch),
            ContentType::Json => json::deidentify(self, text, false, t, scratch),
            ContentType::FhirJson => json::deidentify(self, text, true, t, scratch),
            ContentType::Form => form::deidentify(self, text, t, scratch),
        }
    }

    /// Plain text: detect, then transform.
    pub fn deidentify_text(
        &self,
        text: &str,
        t: &Transformer<'_>,
        scratch: &mut Scratch,
    ) -> Result<Output, ScanError> {
        let spans = self.detector.scan(text, None, scratch);
        let ctx = DocContext {
            patient_key: patient_key_from_text(text, &spans),
        };
        let out = t.apply(text, &spans, &ctx)?;
        let mut counts = [0; PhiType::ALL.len()];
        for s in &spans {
            counts[s.ty.index()] += 1;
        }
        Ok(Output {
            text: out,
            spans,
            counts,
        })
    }

    /// Scans one free-text value inside a structured payload.
    pub(crate) fn scan_value(
        &self,
        value: &str,
        learned: &Learned,
        t: &Transformer<'_>,
        ctx: &DocContext,
        scratch: &mut Scratch,
        counts: &mut [usize; PhiType::ALL.len()],
    ) -> Result<String, ScanError> {
        let learned = (!learned.is_empty()).then_some(learned);
        let spans = self.detector.scan(value, learned, scratch);
        if spans.is_empty() {
            return Ok(value.to_string());
        }
        for s in &spans {
            counts[s.ty.index()] += 1;
        }
        Ok(t.apply(value, &spans, ctx)?)
    }
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
