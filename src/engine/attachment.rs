//! A base64 attachment's data (FHIR `Attachment.data`, `Binary.data`), in JSON or XML:
//! text is decoded in its charset, de-identified by its format (HL7 v2 and XML by their
//! readers, anything else as text) and encoded back; anything else is dropped.
//!
//! Fail closed: an image, a PDF, data that does not decode, or text that cannot be read
//! is never forwarded, since no detector has read it.

use base64::Engine as _;

use super::{Engine, ScanError};
use crate::detect::learned::Learned;
use crate::detect::Scratch;
use crate::phi::PhiType;
use crate::transform::{DocContext, Transformer};

/// What one walker lends the attachment reader: the engine, the transformer, the
/// document's learned values and context, and its counts (to which a nested document's
/// are added).
pub(crate) struct Walk<'a, 'e, 't> {
    pub engine: &'e Engine,
    pub t: &'e Transformer<'t>,
    pub scratch: &'a mut Scratch,
    pub learned: &'a Learned,
    pub ctx: &'a DocContext,
    pub counts: &'a mut [usize; PhiType::ALL.len()],
}

/// The data `data` de-identified (base64, as it came; unchanged when nothing was found),
/// or `None` when it must be dropped: not text by `content_type`, not base64, not
/// readable in its charset, or a nested document its reader refused.
pub(crate) fn rewrite(
    w: Walk<'_, '_, '_>,
    data: &str,
    content_type: Option<&str>,
) -> Result<Option<String>, ScanError> {
    let essence = content_type
        .map(|c| {
            c.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .unwrap_or_default();
    // HL7 v2 is a format the gateway reads elsewhere: its attachment is read as one
    // (its fields by their rules) rather than dropped.
    let is_hl7 = matches!(
        essence.as_str(),
        "application/hl7-v2" | "application/hl7-v2+er7" | "x-application/hl7-v2+er7"
    );
    let is_text = is_hl7
        || content_type
            .is_some_and(|c| c.starts_with("text/") || c.contains("json") || c.contains("xml"));
    if !is_text {
        return Ok(None);
    }
    let b64 = base64::engine::general_purpose::STANDARD;
    let Ok(bytes) = b64.decode(data.trim().as_bytes()) else {
        return Ok(None);
    };
    // Read in the charset the attachment declares (or its BOM, or the shape of UTF-16),
    // and written back the same way; text that cannot be read is dropped.
    let charset = content_type.and_then(|c| {
        c.split(';').find_map(|p| {
            let (k, v) = p.split_once('=')?;
            k.trim()
                .eq_ignore_ascii_case("charset")
                .then(|| v.trim().to_string())
        })
    });
    let Ok((text, encoding)) = crate::charset::decode_text(&bytes, charset.as_deref()) else {
        return Ok(None);
    };
    if text.contains('\0') {
        return Ok(None);
    }
    let nested = if is_hl7 {
        super::hl7::deidentify(w.engine, &text, w.t, w.scratch)
    } else if essence.contains("xml") && super::xml::reads(&text) {
        // A document read as XML keeps its markup whole: a token never spans a tag.
        super::xml::deidentify(w.engine, &text, w.t, w.scratch)
    } else {
        let scanned = w
            .engine
            .scan_value(&text, w.learned, w.t, w.ctx, w.scratch, w.counts)?;
        return Ok(Some(encoded(data, &text, &scanned, encoding)));
    };
    // A message that does not read as its format (or holds PHI in its markup) is dropped.
    let Ok(out) = nested else {
        return Ok(None);
    };
    for (a, b) in w.counts.iter_mut().zip(&out.counts) {
        *a += b;
    }
    Ok(Some(encoded(data, &text, &out.text, encoding)))
}

/// `data` as it came when nothing changed, else `scanned` in the text's encoding.
fn encoded(data: &str, text: &str, scanned: &str, encoding: crate::charset::Encoding) -> String {
    if scanned == text {
        return data.to_string();
    }
    let b64 = base64::engine::general_purpose::STANDARD;
    b64.encode(crate::charset::encode(scanned, encoding))
}
