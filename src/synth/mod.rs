//! Labelled synthetic documents containing PHI, for tests, benches and evaluation.
//!
//! Owns the deterministic, seeded generator of invented PHI values ([`Gen`]) and the three
//! document kinds built from it: occupational-therapy text notes, FHIR R4 bundles and generic
//! JSON webhooks. Every document carries byte spans for its PHI ([`LabelledSpan`]) and for the
//! clinical content that de-identification must leave intact ([`LabelledKeep`]).
//! [`to_eval_jsonl`] writes the evaluation corpus format read by `shared/eval/score.py`.
//!
//! All values are invented: 555-01xx phone lines, `example.*` domains, documentation IP
//! ranges, syntactically valid but random SSNs, MBIs and VINs.
//!
//! Submodules: `gen` (values), `words` (lists), `doc` (segments, span-recording builder, JSON
//! tree), `text` (notes), `fhir` (bundles), `webhook` (JSON payloads).

mod doc;
mod fhir;
mod gen;
mod text;
mod webhook;
mod words;

#[cfg(test)]
mod tests;

use std::io::Write;

use crate::phi::PhiType;

use doc::{write_json, Builder};
pub use gen::{vin_check_digit, Gen, Ymd, MBI_LETTERS};

/// The syntax of a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Plain clinical text.
    Text,
    /// A FHIR R4 JSON Bundle.
    FhirJson,
    /// A generic JSON payload.
    Json,
}

impl Format {
    /// The name used in evaluation corpora: "text", "fhir-json" or "json".
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::FhirJson => "fhir-json",
            Format::Json => "json",
        }
    }
}

/// A PHI span: byte offsets `start..end` into [`LabelledDoc::text`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LabelledSpan {
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset one past the last byte.
    pub end: usize,
    /// The PHI type.
    pub ty: PhiType,
}

/// Non-PHI clinical content that must survive de-identification untouched (byte offsets).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LabelledKeep {
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset one past the last byte.
    pub end: usize,
    /// One of "cpt", "icd10", "measurement", "units", "minutes", "goal_status".
    pub kind: &'static str,
}

/// A generated document with its labels.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelledDoc {
    /// Stable id: `synth-<seed>-<index>-<format>`.
    pub id: String,
    /// The document's syntax.
    pub format: Format,
    /// The document itself.
    pub text: String,
    /// PHI spans, in text order.
    pub phi: Vec<LabelledSpan>,
    /// Content to keep, in text order.
    pub keep: Vec<LabelledKeep>,
    /// PHI inside encoded content (base64 FHIR attachments) that spans cannot address;
    /// empty for non-FHIR documents.
    pub embedded_phi: Vec<(PhiType, String)>,
}

/// Mixes a batch seed and a document index into a per-document seed (SplitMix64).
fn doc_seed(seed: u64, i: usize, salt: u64) -> u64 {
    let mut z = seed
        .wrapping_add((i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15))
        .wrapping_add(salt.wrapping_mul(0xD1B5_4A32_D192_ED03));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn finish(
    id: String,
    format: Format,
    b: Builder,
    embedded_phi: Vec<(PhiType, String)>,
) -> LabelledDoc {
    LabelledDoc {
        id,
        format,
        text: b.text,
        phi: b.phi,
        keep: b.keep,
        embedded_phi,
    }
}

fn text_doc(seed: u64, i: usize) -> LabelledDoc {
    let mut g = Gen::new(doc_seed(seed, i, 1));
    let who = text::Persona::new(&mut g);
    let mut b = Builder {
        caps: g.chance(0.12),
        ..Builder::default()
    };
    let segs = text::note(&mut g, &who);
    b.segs(&segs, false);
    finish(
        format!("synth-{seed}-{i}-text"),
        Format::Text,
        b,
        Vec::new(),
    )
}

fn fhir_doc(seed: u64, i: usize) -> LabelledDoc {
    let mut g = Gen::new(doc_seed(seed, i, 2));
    let bundle = fhir::bundle(&mut g);
    let mut b = Builder::default();
    write_json(&mut b, &bundle.json);
    finish(
        format!("synth-{seed}-{i}-fhir"),
        Format::FhirJson,
        b,
        bundle.embedded,
    )
}

fn webhook_doc(seed: u64, i: usize) -> LabelledDoc {
    let mut g = Gen::new(doc_seed(seed, i, 3));
    let json = webhook::webhook(&mut g);
    let mut b = Builder::default();
    write_json(&mut b, &json);
    finish(
        format!("synth-{seed}-{i}-json"),
        Format::Json,
        b,
        Vec::new(),
    )
}

/// A mixed corpus of `n` documents: about 60% text notes, 25% FHIR bundles, 15% JSON webhooks.
/// Document `i` depends only on `(seed, i)`, so a longer corpus extends a shorter one.
pub fn generate(seed: u64, n: usize) -> Vec<LabelledDoc> {
    (0..n)
        .map(|i| match doc_seed(seed, i, 0) % 20 {
            0..=11 => text_doc(seed, i),
            12..=16 => fhir_doc(seed, i),
            _ => webhook_doc(seed, i),
        })
        .collect()
}

/// `n` occupational-therapy text notes.
pub fn text_notes(seed: u64, n: usize) -> Vec<LabelledDoc> {
    (0..n).map(|i| text_doc(seed, i)).collect()
}

/// `n` FHIR R4 bundles.
pub fn fhir_bundles(seed: u64, n: usize) -> Vec<LabelledDoc> {
    (0..n).map(|i| fhir_doc(seed, i)).collect()
}

/// `n` generic JSON webhook payloads.
pub fn json_webhooks(seed: u64, n: usize) -> Vec<LabelledDoc> {
    (0..n).map(|i| webhook_doc(seed, i)).collect()
}

/// Byte offset → char offset for every char boundary of `text` (and its end).
fn char_offsets(text: &str) -> Vec<(usize, usize)> {
    let mut map: Vec<(usize, usize)> = text
        .char_indices()
        .enumerate()
        .map(|(c, (b, _))| (b, c))
        .collect();
    map.push((text.len(), text.chars().count()));
    map
}

/// Char offset of a byte offset, or the char containing it if not on a boundary.
fn to_char(map: &[(usize, usize)], byte: usize) -> usize {
    match map.binary_search_by_key(&byte, |&(b, _)| b) {
        Ok(i) => map[i].1,
        Err(i) => map[i.saturating_sub(1)].1,
    }
}

/// "PROVIDER_NAME" → "ProviderName", the corpus `label` field.
fn label_of(ty: PhiType) -> String {
    ty.as_str()
        .split('_')
        .map(|w| {
            let lower = w.to_ascii_lowercase();
            let mut c = lower.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

/// One span of an evaluation corpus line (char offsets).
#[derive(serde::Serialize)]
struct EvalSpan {
    start: usize,
    end: usize,
    #[serde(rename = "type")]
    ty: &'static str,
    label: String,
}

/// One evaluation corpus line, fields in the order of the reference corpus.
#[derive(serde::Serialize)]
struct EvalLine<'a> {
    id: &'a str,
    source: &'static str,
    format: &'static str,
    text: &'a str,
    spans: Vec<EvalSpan>,
}

/// Writes one JSON line per document in the evaluation corpus format
/// (`{"id","source":"phigate-synth","format","text","spans":[{"start","end","type","label"}]}`)
/// with CHARACTER offsets, as `shared/eval/score.py` expects.
pub fn to_eval_jsonl(docs: &[LabelledDoc], out: &mut impl Write) -> std::io::Result<()> {
    for d in docs {
        let map = char_offsets(&d.text);
        let spans = d
            .phi
            .iter()
            .map(|s| EvalSpan {
                start: to_char(&map, s.start),
                end: to_char(&map, s.end),
                ty: s.ty.as_str(),
                label: label_of(s.ty),
            })
            .collect();
        let line = EvalLine {
            id: &d.id,
            source: "phigate-synth",
            format: d.format.as_str(),
            text: &d.text,
            spans,
        };
        serde_json::to_writer(&mut *out, &line)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}
