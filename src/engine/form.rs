//! `application/x-www-form-urlencoded` bodies: each value by its key's field rule.
//!
//! Owns decoding and re-encoding form pairs. Keys are kept; values under PHI keys are
//! transformed whole, the rest scanned as free text with the PHI-key values learned first.

use super::fields::{normalize_key, Field};
use super::{Engine, Output, ScanError};
use crate::detect::learned::Learned;
use crate::detect::Scratch;
use crate::phi::PhiType;
use crate::transform::{DocContext, Transformer};

/// The pairs of a form as `form_urlencoded::parse` reads them (`&` between pairs, the
/// first `=` between key and value, `+` a blank), but strict: a key or value that is not
/// UTF-8 once percent-decoded is an error, never decoded lossily. Fail closed: a lossy
/// reading (`Thack%FFeray` → `Thack\u{FFFD}eray`) would forward a value nobody read as
/// written.
pub fn strict_pairs(text: &str) -> Result<Vec<(String, String)>, &'static str> {
    let mut pairs = Vec::new();
    for piece in text.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = piece.split_once('=').unwrap_or((piece, ""));
        pairs.push((strict_decoded(k)?, strict_decoded(v)?));
    }
    Ok(pairs)
}

/// One form key or value: `+` is a blank, then percent-decoded as UTF-8 or refused. A `%`
/// that opens no escape (`%GBrankovic`) is refused too: decoders differ on it (kept as
/// written, dropped, an error), so the text around it was read one way and may be read
/// another way past the gateway (red team 68).
fn strict_decoded(raw: &str) -> Result<String, &'static str> {
    let b = raw.as_bytes();
    let lone_percent = memchr::memchr_iter(b'%', b).any(|p| {
        !b.get(p + 1..p + 3)
            .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit))
    });
    if lone_percent {
        return Err("a form key or value has a `%` that opens no percent-escape");
    }
    let plus = raw.replace('+', " ");
    percent_encoding::percent_decode_str(&plus)
        .decode_utf8()
        .map(|c| c.into_owned())
        .map_err(|_| "a form key or value is not UTF-8 once percent-decoded")
}

pub fn deidentify(
    engine: &Engine,
    text: &str,
    t: &Transformer<'_>,
    scratch: &mut Scratch,
) -> Result<Output, ScanError> {
    if text
        .bytes()
        .any(|b| b.is_ascii_control() && !matches!(b, b'\r' | b'\n' | b'\t'))
    {
        return Err(ScanError::Form("control character in body"));
    }
    let pairs = strict_pairs(text.trim_end()).map_err(ScanError::Form)?;
    let fields: Vec<Field> = pairs
        .iter()
        .map(|(k, _)| {
            let key = normalize_key(k);
            match engine.fields.path_key(k) {
                Field::Scan => engine.fields.text_field(Field::Scan, &key),
                f => f,
            }
        })
        .zip(&pairs)
        .map(|(f, (k, v))| typed_by_search(engine, f, k, v))
        .collect();
    let mut learned = Learned::default();
    let mut patient_key = None;
    for ((_, v), f) in pairs.iter().zip(&fields) {
        if let Field::Phi(ty) = f {
            learned.add(*ty, v);
            if patient_key.is_none() && matches!(ty, PhiType::Mrn | PhiType::Ssn) {
                patient_key = Some(format!("{ty}:{}", v.to_lowercase()));
            }
        }
    }
    learned.finish();
    let ctx = DocContext { patient_key };
    let mut counts = [0; PhiType::ALL.len()];
    let mut out = form_urlencoded::Serializer::new(String::with_capacity(text.len()));
    for ((k, v), f) in pairs.iter().zip(&fields) {
        // A key that is no known field name is text like any value (`?Maria+Lopez`, a
        // bare query term), so it is scanned too; known names stay as they are.
        let key = match f {
            // OData's `$select`, `$orderby`: the protocol's own operators.
            Field::Scan if super::protocol::is_operator_key(k) => k.clone(),
            Field::Scan => {
                let parts =
                    path_segments_scanned(engine, k, &learned, t, &ctx, scratch, &mut counts)?;
                engine.scan_value(&parts, &learned, t, &ctx, scratch, &mut counts)?
            }
            // A key the rules type by its path (`mrn[48213377]` is an MRN field) is still
            // written by the sender: its segments are read all the same.
            _ => path_segments_scanned(engine, k, &learned, t, &ctx, scratch, &mut counts)?,
        };
        let new = match f {
            // A status or code parameter is kept only while it reads as one.
            Field::Keep
                if engine.keeps_code(v, &learned, scratch)
                    && engine.fields.keep_fits(&normalize_key(k), v) =>
            {
                v.clone()
            }
            // `api-version=2024-10-21` (Azure OpenAI): the API's date, by key and grammar.
            _ if super::protocol::is_keyed_protocol_value(k, v) => v.clone(),
            Field::Phi(ty) if !v.trim().is_empty() => t.apply_field(*ty, v, &ctx, &mut counts)?,
            _ if super::odata::is_filter_key(k) => {
                let typed = filter_literals_typed(engine, v, t, &ctx, &mut counts)?;
                engine.scan_value(&typed, &learned, t, &ctx, scratch, &mut counts)?
            }
            _ => engine.scan_value(v, &learned, t, &ctx, scratch, &mut counts)?,
        };
        out.append_pair(&key, &new);
    }
    Ok(Output {
        text: out.finish(),
        spans: Vec::new(),
        counts,
    })
}

/// Digits of the longest array index in a form-array path (`items[0]`, `rows[1024]`).
const MAX_INDEX_DIGITS: usize = 4;

/// A key written as a form-array path (`pt[Zabrowskiq]`, `a[b][Zabrowskiq]`) with each
/// segment that is no field name read as a key of its own: a surname in brackets is the
/// surname a bare key is (red team 69, S1). Indices and field names stay as written; the
/// caller still reads the whole key.
#[allow(clippy::too_many_arguments)]
fn path_segments_scanned(
    engine: &Engine,
    key: &str,
    learned: &Learned,
    t: &Transformer<'_>,
    ctx: &DocContext,
    scratch: &mut Scratch,
    counts: &mut [usize; PhiType::ALL.len()],
) -> Result<String, ScanError> {
    if !key.contains('[') {
        return Ok(key.to_string());
    }
    let mut out = String::with_capacity(key.len());
    for piece in key.split_inclusive(['[', ']']) {
        let segment = piece.trim_end_matches(['[', ']']);
        let bracket = &piece[segment.len()..];
        let named = engine.fields.generic(&normalize_key(segment), None) != Field::Scan;
        // An array index is a short number; a longer one is a value (`mrn[48213377]`).
        let index =
            segment.len() <= MAX_INDEX_DIGITS && segment.bytes().all(|b| b.is_ascii_digit());
        if segment.is_empty() || named || index {
            out.push_str(segment);
        } else {
            out.push_str(&engine.scan_value(segment, learned, t, ctx, scratch, counts)?);
        }
        out.push_str(bracket);
    }
    Ok(out)
}

/// An OData `$filter` with each literal a property types replaced by its transform
/// (`LastName eq 'vukovljevic'` → `LastName eq 'NAME_…'`); the caller scans the rest.
fn filter_literals_typed(
    engine: &Engine,
    expr: &str,
    t: &Transformer<'_>,
    ctx: &DocContext,
    counts: &mut [usize; PhiType::ALL.len()],
) -> Result<String, ScanError> {
    let mut out = expr.to_string();
    for (range, ty) in super::odata::typed_literals(expr, &engine.fields)
        .into_iter()
        .rev()
    {
        let literal = expr[range.clone()].replace("''", "'");
        let new = t.apply_field(ty, &literal, ctx, counts)?;
        out.replace_range(range, &new.replace('\'', "''"));
    }
    Ok(out)
}

/// A form or query field the key rules left to the scan, typed by what it searches for: a
/// FHIR search parameter (`family`, `given:contains`, `address-city`) whatever its value's
/// case, and a name key's lower-case name (`kin=orsic`; red team 55, J2).
fn typed_by_search(engine: &Engine, f: Field, key: &str, value: &str) -> Field {
    if f != Field::Scan {
        return f;
    }
    if let Some(ty) = engine.fields.search_param(key) {
        return Field::Phi(ty);
    }
    if engine.is_named_under(&normalize_key(key), value) {
        return Field::Phi(PhiType::Name);
    }
    f
}

#[cfg(test)]
mod tests {
    use super::strict_pairs;

    #[test]
    fn a_percent_that_opens_no_escape_is_refused_and_escapes_decode() {
        for bad in [
            "note=spoke+with+%GBrankovic",
            "note=100%",
            "a%2=1",
            "note=%FF",
        ] {
            assert!(strict_pairs(bad).is_err(), "{bad}");
        }
        assert_eq!(
            strict_pairs("note=100%25+sure&who=O%27Brien").expect("a form"),
            vec![
                ("note".to_string(), "100% sure".to_string()),
                ("who".to_string(), "O'Brien".to_string()),
            ]
        );
    }
}
