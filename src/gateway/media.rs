//! What a body is: its `Content-Type` read into parts, the treatment that follows from it
//! ([`BodyKind`]: a document the engine reads, a type the route passes unscanned, or
//! nothing), its charset converted to UTF-8, and the `Content-Type` forwarded with it.
//!
//! Only the parsed parts of a `Content-Type` are ever forwarded, so a parameter
//! (`; patient="…"`) never crosses. A type the engine cannot read is refused, not passed.
//! Reading and decoding the bytes is [`super::body`]'s.

use std::borrow::Cow;

use bytes::Bytes;
use hyper::header::{HeaderMap, HeaderValue, CONTENT_LENGTH, CONTENT_TYPE};

use crate::charset::{self, CharsetError};
use crate::engine::ContentType;

/// Why a body's type or charset cannot be read. Messages quote no header value.
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    #[error("{0}")]
    Unsupported(&'static str),
    #[error(transparent)]
    Charset(#[from] CharsetError),
}

/// What to do with a body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyKind {
    Empty,
    Doc(ContentType),
    /// A type the route forwards unscanned.
    Pass,
}

/// The treatment of a body by its `Content-Type` (`pass` lists the route's unscanned types).
pub fn kind_of(headers: &HeaderMap, body: &[u8], pass: &[String]) -> Result<BodyKind, MediaError> {
    let Some(media) = MediaType::of(headers)? else {
        return if body.is_empty() {
            Ok(BodyKind::Empty)
        } else {
            Err(MediaError::Unsupported("a body needs a Content-Type"))
        };
    };
    let ct = media.essence.as_str();
    if pass.iter().any(|p| p.eq_ignore_ascii_case(ct)) {
        if !body.is_empty() && !signature_fits(ct, body) {
            return Err(MediaError::Unsupported(
                "the body is not what its Content-Type says, so it is not passed unscanned",
            ));
        }
        return Ok(BodyKind::Pass);
    }
    if body.is_empty() {
        return Ok(BodyKind::Empty);
    }
    document_type(ct).map(BodyKind::Doc)
}

/// File signatures of the types a route commonly passes unscanned: the bytes such a body
/// starts with (DICOM's `DICM` follows a 128-byte preamble).
const SIGNATURES: &[(&str, usize, &[u8])] = &[
    ("application/pdf", 0, b"%PDF-"),
    ("image/png", 0, b"\x89PNG\r\n\x1a\n"),
    ("image/jpeg", 0, b"\xff\xd8\xff"),
    ("image/gif", 0, b"GIF8"),
    ("image/tiff", 0, b"II*\0"),
    ("image/tiff", 0, b"MM\0*"),
    ("application/zip", 0, b"PK\x03\x04"),
    ("application/gzip", 0, b"\x1f\x8b"),
    ("application/dicom", 128, b"DICM"),
];

/// Whether a body passed unscanned starts as its type's files do. The operator vouched
/// for the type, not for whatever is labelled with it: a JSON note labelled
/// `application/pdf` must not cross unread (red team 68). A type with no signature
/// here is taken at its word.
fn signature_fits(essence: &str, body: &[u8]) -> bool {
    let mut known = SIGNATURES
        .iter()
        .filter(|(t, _, _)| *t == essence)
        .peekable();
    known.peek().is_none()
        || known.any(|(_, at, magic)| body.get(*at..).is_some_and(|b| b.starts_with(magic)))
}

/// The engine's content type for a media type, or why it is refused.
fn document_type(essence: &str) -> Result<ContentType, MediaError> {
    Ok(match essence {
        "application/fhir+json" | "application/json+fhir" => ContentType::FhirJson,
        "application/json" | "text/json" | "application/x-json" => ContentType::Json,
        "application/x-www-form-urlencoded" => ContentType::Form,
        "text/plain" => ContentType::Text,
        "application/hl7-v2" | "x-application/hl7-v2+er7" => ContentType::Hl7,
        "text/csv" => ContentType::Csv,
        "text/tab-separated-values" => ContentType::Tsv,
        "application/xml" | "text/xml" | "application/cda+xml" => ContentType::Xml,
        "application/edi-x12" | "application/x12" => ContentType::X12,
        t if t.starts_with("multipart/") => {
            return Err(MediaError::Unsupported(
                "multipart bodies are refused on this route",
            ))
        }
        t => t.parse::<ContentType>().map_err(|_| {
            MediaError::Unsupported(
                "this content type is not de-identified, so it is refused on this route",
            )
        })?,
    })
}

/// A `Content-Type` read into its parts.
struct MediaType {
    /// `type/subtype`, lower case, checked to be RFC 9110 tokens.
    essence: String,
    charset: Option<String>,
}

impl MediaType {
    fn of(headers: &HeaderMap) -> Result<Option<MediaType>, MediaError> {
        let Some(v) = headers.get(CONTENT_TYPE) else {
            return Ok(None);
        };
        let v = v
            .to_str()
            .map_err(|_| MediaError::Unsupported("the Content-Type is not visible ASCII"))?;
        let mut parts = v.split(';');
        let essence = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        if !is_media_range(&essence, b"!#$&^_.+-") {
            return Err(MediaError::Unsupported(
                "the Content-Type is not a media type",
            ));
        }
        let charset = parts.find_map(|p| {
            let (k, v) = p.split_once('=')?;
            k.trim()
                .eq_ignore_ascii_case("charset")
                .then(|| v.trim().trim_matches('"').to_ascii_lowercase())
        });
        Ok(Some(MediaType { essence, charset }))
    }

    /// The header to forward: the media type, and `charset=utf-8` where the body is text
    /// (every de-identified body is forwarded as UTF-8).
    ///
    /// Fail closed: the essence is the sender's text too (`application/vnd.mr4410827+json`).
    /// A type named in [`KNOWN_ESSENCES`] goes on as it came; a document of any other name
    /// goes on under the canonical name of what the engine read it as; a passed type is
    /// the route's own (its configuration names it); an empty body's unknown type is dropped.
    fn forwarded(&self, kind: BodyKind) -> Option<HeaderValue> {
        let known = KNOWN_ESSENCES.contains(&self.essence.as_str());
        let essence = match kind {
            _ if known => self.essence.as_str(),
            BodyKind::Doc(ct) => canonical_essence(ct),
            BodyKind::Pass => self.essence.as_str(),
            BodyKind::Empty => return None,
        };
        let converted = matches!(kind, BodyKind::Doc(_));
        let textual = essence.starts_with("text/") || self.charset.is_some();
        let v = if textual && converted {
            format!("{essence}; charset=utf-8")
        } else {
            essence.to_string()
        };
        HeaderValue::from_str(&v).ok()
    }
}

/// Media types forwarded by name: the ones the engine reads by name, and common ones a
/// caller asks for (`Accept`). Any other name is the sender's text and is never forwarded.
pub const KNOWN_ESSENCES: &[&str] = &[
    "application/json",
    "application/fhir+json",
    "application/json+fhir",
    "application/fhir+xml",
    "application/xml+fhir",
    "application/fhir+ndjson",
    "application/x-ndjson",
    "application/ndjson",
    "application/jsonl",
    "application/x-jsonlines",
    "application/json-patch+json",
    "application/merge-patch+json",
    "application/problem+json",
    "application/problem+xml",
    "application/ld+json",
    "application/geo+json",
    "application/x-json",
    "text/json",
    "application/x-www-form-urlencoded",
    "text/plain",
    "text/calendar",
    "text/vcard",
    "text/markdown",
    "text/csv",
    "application/csv",
    "text/tab-separated-values",
    "application/hl7-v2",
    "x-application/hl7-v2+er7",
    "application/hl7-v2+er7",
    "text/x-hl7",
    "application/edi-hl7",
    "application/x-hl7",
    "application/hl7-v2+xml",
    "application/xml",
    "text/xml",
    "application/cda+xml",
    "application/xhtml+xml",
    "application/soap+xml",
    "application/atom+xml",
    "application/edi-x12",
    "application/x12",
    "application/octet-stream",
    "application/pdf",
    "application/zip",
    "application/gzip",
    "application/dicom",
    "application/dicom+json",
    "application/dicom+xml",
    "application/jose",
    "application/jwt",
    "text/html",
    "text/css",
    "text/javascript",
    "application/javascript",
    "text/event-stream",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "image/svg+xml",
    "image/tiff",
    "audio/mpeg",
    "video/mp4",
    "multipart/form-data",
    "multipart/mixed",
    "multipart/related",
];

/// The name a document the engine read as `ct` is forwarded under when its own is unknown.
fn canonical_essence(ct: ContentType) -> &'static str {
    match ct {
        ContentType::Text => "text/plain",
        ContentType::Json => "application/json",
        ContentType::FhirJson => "application/fhir+json",
        ContentType::Form => "application/x-www-form-urlencoded",
        ContentType::NdJson => "application/x-ndjson",
        ContentType::Hl7 => "application/hl7-v2",
        ContentType::Csv => "text/csv",
        ContentType::Tsv => "text/tab-separated-values",
        ContentType::Xml => "application/xml",
        ContentType::X12 => "application/edi-x12",
    }
}

/// Whether an `Accept` media range may be forwarded: `*/*`, a registered top-level type's
/// `type/*`, or a [`KNOWN_ESSENCES`] type.
pub fn is_known_range(essence: &str) -> bool {
    const TOP: &[&str] = &[
        "application",
        "text",
        "image",
        "audio",
        "video",
        "multipart",
        "font",
        "model",
        "message",
    ];
    essence == "*/*"
        || essence
            .strip_suffix("/*")
            .is_some_and(|top| TOP.contains(&top))
        || KNOWN_ESSENCES.contains(&essence)
}

/// Whether `essence` is `type/subtype`, each an RFC 9110 token of alphanumerics and the
/// punctuation `extra` allows (`Accept` ranges also allow `*`).
pub fn is_media_range(essence: &str, extra: &[u8]) -> bool {
    let token = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || extra.contains(&b))
    };
    essence
        .split_once('/')
        .is_some_and(|(t, sub)| token(t) && token(sub))
}

/// A document body as UTF-8, converted from the charset it declares (or carries in a BOM);
/// other bodies as they are. A body that cannot be read is refused.
pub fn readable_body(
    headers: &HeaderMap,
    body: Bytes,
    kind: BodyKind,
) -> Result<Bytes, MediaError> {
    let BodyKind::Doc(_) = kind else {
        return Ok(body);
    };
    let media = MediaType::of(headers)?;
    let declared = media.as_ref().and_then(|m| m.charset.as_deref());
    Ok(match charset::to_utf8(&body, declared)? {
        Cow::Borrowed(b) => body.slice_ref(b),
        Cow::Owned(b) => Bytes::from(b),
    })
}

/// Sets the forwarded `Content-Type`, rebuilt from its parsed parts.
pub fn set_content_type(from: &HeaderMap, to: &mut HeaderMap, kind: BodyKind) {
    let Ok(Some(media)) = MediaType::of(from) else {
        return;
    };
    if let Some(v) = media.forwarded(kind) {
        to.insert(CONTENT_TYPE, v);
    }
}

/// The `Content-Type` as sent (the claim parser takes it as a format hint), or "".
pub fn content_type_str(h: &HeaderMap) -> &str {
    h.get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// The declared `Content-Length`, if it is a number.
pub fn declared_length(h: &HeaderMap) -> Option<usize> {
    h.get(CONTENT_LENGTH)?.to_str().ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The status a refused body is answered with.
    fn status(r: Result<BodyKind, MediaError>) -> u16 {
        let e = r.expect_err("refused");
        super::super::respond::Failure::from(e)
            .problem()
            .status
            .as_u16()
    }

    #[test]
    fn content_types_decide_treatment() {
        let mut h = HeaderMap::new();
        assert_eq!(kind_of(&h, b"", &[]).expect("empty"), BodyKind::Empty);
        assert!(kind_of(&h, b"x", &[]).is_err(), "a body needs a type");
        h.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/fhir+json; charset=utf-8"),
        );
        assert_eq!(
            kind_of(&h, b"{}", &[]).expect("fhir"),
            BodyKind::Doc(ContentType::FhirJson)
        );
        h.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("multipart/form-data; boundary=x"),
        );
        assert_eq!(status(kind_of(&h, b"--x", &[])), 415, "multipart");
        // A passed type's body must start as its files do (red team 68).
        let mut pdf = HeaderMap::new();
        pdf.insert(CONTENT_TYPE, HeaderValue::from_static("application/pdf"));
        let pass = ["application/pdf".to_string()];
        assert_eq!(
            kind_of(&pdf, b"%PDF-1.7\n...", &pass).expect("a PDF"),
            BodyKind::Pass
        );
        assert_eq!(
            status(kind_of(&pdf, br#"{"name":"Orsolya Brankovic"}"#, &pass)),
            415,
            "JSON labelled as a PDF"
        );
        assert_eq!(
            kind_of(&h, b"--x", &["multipart/form-data".into()]).expect("passed"),
            BodyKind::Pass
        );
        // Labels users send are read, not refused; the engine reads the body's real shape.
        for (label, kind) in [
            ("text/json", ContentType::Json),
            ("application/json+fhir", ContentType::FhirJson),
            ("application/vnd.clinic.event+json", ContentType::Json),
            ("application/x-ndjson", ContentType::NdJson),
            ("application/fhir+ndjson", ContentType::NdJson),
        ] {
            h.insert(CONTENT_TYPE, HeaderValue::from_static(label));
            assert_eq!(kind_of(&h, b"{}", &[]).expect(label), BodyKind::Doc(kind));
        }
        for label in ["application/xml", "text/xml", "application/cda+xml"] {
            h.insert(CONTENT_TYPE, HeaderValue::from_static(label));
            assert_eq!(
                kind_of(&h, b"<x/>", &[]).expect(label),
                BodyKind::Doc(ContentType::Xml)
            );
        }
        h.insert(CONTENT_TYPE, HeaderValue::from_static("application/pdf"));
        assert_eq!(status(kind_of(&h, b"%PDF", &[])), 415, "pdf");
        h.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("text/plain; patient=\"Ansel\""),
        );
        let mut out = HeaderMap::new();
        set_content_type(&h, &mut out, BodyKind::Doc(ContentType::Text));
        assert_eq!(out[CONTENT_TYPE], "text/plain; charset=utf-8");
    }

    #[test]
    fn an_unknown_essence_is_forwarded_under_its_canonical_name() {
        let mut h = HeaderMap::new();
        for (label, kind, sent) in [
            (
                "application/vnd.mr4410827+json",
                BodyKind::Doc(ContentType::Json),
                "application/json",
            ),
            (
                "application/x-rosalind.thackeray+xml; charset=utf-8",
                BodyKind::Doc(ContentType::Xml),
                "application/xml; charset=utf-8",
            ),
            (
                "application/fhir+json",
                BodyKind::Doc(ContentType::FhirJson),
                "application/fhir+json",
            ),
            (
                "text/json",
                BodyKind::Doc(ContentType::Json),
                "text/json; charset=utf-8",
            ),
        ] {
            h.insert(CONTENT_TYPE, HeaderValue::from_static(label));
            let mut out = HeaderMap::new();
            set_content_type(&h, &mut out, kind);
            assert_eq!(out[CONTENT_TYPE], sent, "{label}");
        }
        h.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/vnd.mr4410827+json"),
        );
        let mut out = HeaderMap::new();
        set_content_type(&h, &mut out, BodyKind::Empty);
        assert!(
            out.get(CONTENT_TYPE).is_none(),
            "an empty body's unknown type"
        );
        assert!(is_known_range("*/*") && is_known_range("text/*"));
        assert!(is_known_range("application/fhir+json"));
        assert!(!is_known_range("text/rosalind.thackeray"));
        assert!(!is_known_range("thackeray/*"));
    }
}
