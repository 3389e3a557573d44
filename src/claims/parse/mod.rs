//! The claim parsers: FHIR R4 `Claim` ([`fhir`]), the documented JSON claim ([`json`]) and
//! X12 837P/837I ([`x12`]), each mapping its payload into [`Claim`]s, and the format sniffing
//! that picks one.
//!
//! Owns [`Format`] and the dispatch [`parse`]. Every claim of a payload is read on its own, so
//! one bad claim does not hide the others. Owns no edit and no table.

pub mod fhir;
pub mod json;
pub mod x12;

use serde::Serialize;

use super::error::ClaimsError;
use super::model::Claim;

/// The three input formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Fhir,
    Json,
    X12,
}

impl Format {
    /// Reads a format hint: `fhir`, `json`, `x12` (or `837`), a content type
    /// (`application/fhir+json`, `application/json`, `application/edi-x12`, `text/plain`
    /// holding X12), or `auto` / empty to sniff the bytes.
    pub fn from_hint(hint: &str, bytes: &[u8]) -> Result<Format, ClaimsError> {
        let h = hint
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        match h.as_str() {
            "fhir" | "application/fhir+json" => Ok(Format::Fhir),
            "x12" | "837" | "837p" | "application/edi-x12" | "application/x12" => Ok(Format::X12),
            "json" | "application/json" | "" | "auto" | "text/plain" => Ok(Format::sniff(bytes)),
            _ => Err(ClaimsError::UnknownFormat(hint.chars().count())),
        }
    }

    /// `ISA` first means X12; a JSON object with `resourceType` means FHIR; else the JSON claim.
    pub fn sniff(bytes: &[u8]) -> Format {
        let start = bytes
            .iter()
            .position(|b| !b.is_ascii_whitespace() && *b != 0xEF && *b != 0xBB && *b != 0xBF)
            .unwrap_or(bytes.len());
        let rest = &bytes[start..];
        if rest.starts_with(b"ISA") {
            return Format::X12;
        }
        // A cheap look before any parse: FHIR resources carry `"resourceType"`.
        let head = &rest[..rest.len().min(4096)];
        if head.windows(14).any(|w| w == b"\"resourceType\"") {
            Format::Fhir
        } else {
            Format::Json
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Fhir => "fhir",
            Format::Json => "json",
            Format::X12 => "x12",
        }
    }
}

/// One claim of a payload: read, or why it could not be.
pub type Parsed = Result<Claim, ClaimsError>;

/// Parses a payload in a known format into claims, each read on its own: `Err` only when the
/// document itself cannot be read or holds no claim.
pub fn parse(format: Format, bytes: &[u8]) -> Result<Vec<Parsed>, ClaimsError> {
    let claims = match format {
        Format::Fhir => fhir::parse(bytes)?,
        Format::Json => json::parse(bytes)?,
        Format::X12 => x12::parse(bytes)?,
    };
    at_least_one(format, claims)
}

/// [`parse`] of a JSON or FHIR payload already parsed into a document (the gateway parses
/// a claims route's body once, for the claim check and the de-identifier). X12 is text
/// and is read from its bytes with [`parse`]: a document given as X12 is refused.
pub fn parse_document(format: Format, doc: &serde_json::Value) -> Result<Vec<Parsed>, ClaimsError> {
    let claims = match format {
        Format::Fhir => fhir::parse_value(doc)?,
        Format::Json => json::parse_value(doc)?,
        Format::X12 => {
            return Err(ClaimsError::parse(
                format_name(format),
                "document",
                "expected X12 segments; found a JSON document",
            ))
        }
    };
    at_least_one(format, claims)
}

/// The control number (837 CLM01, FHIR `identifier`/`id`, JSON `claim_id`) of every claim
/// of a payload, in the order [`parse`] reports them, read from a copy as it left (JSON
/// and FHIR from `doc` when given, else from the bytes); `None` when the copy cannot be
/// read that way. The values are the copy's: tokens when the de-identifier tokenised them.
pub fn control_numbers(
    format: Format,
    bytes: &[u8],
    doc: Option<&serde_json::Value>,
) -> Option<Vec<Option<String>>> {
    if format == Format::X12 {
        return x12::control_numbers(bytes).map(|c| c.into_iter().map(Some).collect());
    }
    let parsed;
    let doc = match doc {
        Some(d) => d,
        None => {
            parsed = serde_json::from_slice::<serde_json::Value>(bytes).ok()?;
            &parsed
        }
    };
    match format {
        Format::Fhir => fhir::control_numbers(doc),
        _ => json::control_numbers(doc),
    }
}

/// A payload's claims, or the error of a payload that holds none.
fn at_least_one(format: Format, claims: Vec<Parsed>) -> Result<Vec<Parsed>, ClaimsError> {
    if claims.is_empty() {
        return Err(ClaimsError::parse(
            format_name(format),
            "document",
            "no claim found",
        ));
    }
    Ok(claims)
}

fn format_name(f: Format) -> &'static str {
    match f {
        Format::Fhir => "FHIR",
        Format::Json => "JSON claim",
        Format::X12 => "X12 837",
    }
}

/// Every claim of a payload that must read cleanly, for the parsers' tests.
#[cfg(test)]
#[allow(clippy::unwrap_used)]
pub(crate) fn read_cleanly(parsed: Result<Vec<Parsed>, ClaimsError>) -> Vec<Claim> {
    parsed.unwrap().into_iter().map(Result::unwrap).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every JSON and FHIR example (clean, with findings, malformed claims inside a
    /// document): read from a parsed document exactly as from its bytes.
    #[test]
    fn a_parsed_document_reads_as_its_bytes() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/claims");
        let mut read = 0;
        for dir in [dir.clone(), dir.join("malformed")] {
            for entry in std::fs::read_dir(&dir).expect("examples") {
                let path = entry.expect("entry").path();
                let bytes = std::fs::read(&path).unwrap_or_default();
                let Ok(doc) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
                    continue;
                };
                let format = Format::sniff(&bytes);
                let from_bytes = format!("{:?}", parse(format, &bytes));
                let from_doc = format!("{:?}", parse_document(format, &doc));
                assert_eq!(from_doc, from_bytes, "{}", path.display());
                read += 1;
            }
        }
        assert!(read >= 6, "only {read} JSON examples read");
        assert!(parse_document(Format::X12, &serde_json::json!({})).is_err());
    }

    #[test]
    fn sniffing() {
        assert_eq!(Format::sniff(b"  ISA*00*"), Format::X12);
        assert_eq!(Format::sniff(br#"{"resourceType":"Claim"}"#), Format::Fhir);
        assert_eq!(Format::sniff(br#"{"lines":[]}"#), Format::Json);
        assert!(Format::from_hint("text/html", b"").is_err());
    }
}
