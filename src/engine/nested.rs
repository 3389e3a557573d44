//! Payloads inside payloads: a value is read as what it is, not as what holds it.
//!
//! Owns recognising, in one string value, a JSON document (`"payload":"{\"mrn\":…}"`), an
//! HL7 message or XML document, a URL with its own query, a form (`a=1&b=2`), a JWT,
//! uuencode (a whole value), and base64 (a whole value, or a long run in text) that
//! decodes to text; and the sniffing of a whole body's real shape whatever its
//! label. Each nested payload is de-identified by the engine like a document of its own and
//! written back in its own encoding. Nesting is bounded ([`MAX_NESTING`]); below that bound a
//! value is scanned as text, so depth never makes anything pass unread.

use std::borrow::Cow;

use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine as _;

use super::{Engine, ScanError};
use crate::canon::is_quoted_printable;
use crate::detect::Scratch;
use crate::phi::PhiType;
use crate::transform::{DocContext, Transformer};

/// How many payloads deep a value may sit and still be opened.
pub const MAX_NESTING: usize = 4;

/// Shortest base64 run worth decoding inside text (18 bytes of data).
const MIN_B64_RUN: usize = 24;
/// Shortest whole value worth decoding as base64.
const MIN_B64_VALUE: usize = 16;
/// Binary base64 longer than this is removed rather than tokenised.
const MAX_B64_ID: usize = 128;

/// What a body that is not JSON really is, read from its bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    Form,
    /// HL7 v2 (`MSH|…`): walked by [`super::hl7`].
    Hl7,
    /// An X12 interchange (`ISA*…`): walked by [`super::x12`].
    X12,
    /// XML or a C-CDA document: walked by [`super::xml`] (refused when it does not read).
    Xml,
    Text,
}

/// A body or value that opens and closes like a JSON document: it is tried as JSON first
/// (one parse, by the walker itself) and read by its other shape only if it does not parse.
pub fn opens_like_json(s: &str) -> bool {
    let t = s.trim();
    (t.starts_with('{') && t.ends_with('}')) || (t.starts_with('[') && t.ends_with(']'))
}

/// The shape of a body that is not JSON, by its content.
pub fn sniff(body: &str) -> Shape {
    let t = body.trim_start();
    if super::x12::looks_like_x12(t) {
        return Shape::X12;
    }
    // Every string of a JSON walk is sniffed: the segment searches run only when the text
    // holds a `|` at all (one byte search), since each of them needs one.
    if t.contains('|')
        && (t.starts_with("MSH|")
            || t.starts_with("FHS|")
            || t.starts_with("BHS|")
            || t.contains("\rPID|")
            || t.contains("\nPID|"))
    {
        return Shape::Hl7;
    }
    if t.starts_with("<?xml")
        || t.starts_with("<ClinicalDocument")
        || (t.starts_with('<')
            && t.contains("</")
            && !t.starts_with("<div")
            && !t.starts_with("<p"))
    {
        return Shape::Xml;
    }
    if is_form(t.trim_end()) {
        return Shape::Form;
    }
    Shape::Text
}

/// `a=1&b=2` (no spaces, every part a `key=value` with a plain key). Not a value written in
/// quoted-printable (`Rosalind=20Thackeray`): read as a form, its first word would be a key.
pub fn is_form(s: &str) -> bool {
    // `=` first: one byte search rules out nearly every string, before the per-char
    // whitespace test.
    if !s.contains('=') || s.contains(char::is_whitespace) || is_quoted_printable(s) {
        return false;
    }
    let mut any_value = false;
    for part in s.split('&') {
        let Some((k, v)) = part.split_once('=') else {
            return false;
        };
        let key_ok = !k.is_empty()
            && k.bytes().all(|b| {
                b.is_ascii_alphanumeric()
                    || matches!(b, b'_' | b'.' | b'-' | b'[' | b']' | b'%' | b'+')
            });
        if !key_ok {
            return false;
        }
        any_value |= !v.is_empty();
    }
    any_value || s.contains('&')
}

/// De-identifies `value` if it is a payload of its own; `None` when it is plain text.
pub fn deidentify_nested(
    engine: &Engine,
    value: &str,
    t: &Transformer<'_>,
    ctx: &DocContext,
    scratch: &mut Scratch,
    counts: &mut [usize; PhiType::ALL.len()],
) -> Result<Option<String>, ScanError> {
    if scratch.nesting >= MAX_NESTING {
        return Ok(None);
    }
    let v = value.trim();
    if v.len() < 3 {
        return Ok(None);
    }
    scratch.nesting += 1;
    let out = open(engine, v, t, ctx, scratch, counts);
    scratch.nesting -= 1;
    out
}

fn open(
    engine: &Engine,
    v: &str,
    t: &Transformer<'_>,
    ctx: &DocContext,
    scratch: &mut Scratch,
    counts: &mut [usize; PhiType::ALL.len()],
) -> Result<Option<String>, ScanError> {
    if opens_like_json(v) {
        if let Some(out) = engine.try_json(v, false, t, scratch)? {
            add(counts, &out.counts);
            return Ok(Some(out.text));
        }
    }
    // Sniffed once: the checks below each ask for one shape of the same string.
    let shape = sniff(v);
    // An HL7 message in a string (its segments end in `\r`): walked as the message it is.
    if shape == Shape::Hl7 {
        let out = super::hl7::deidentify(engine, v, t, scratch)?;
        add(counts, &out.counts);
        return Ok(Some(out.text));
    }
    // An XML document in a string (a C-CDA in a JSON field): walked as the document it is;
    // one that does not read as XML is scanned as the text it is.
    if shape == Shape::Xml && super::xml::reads(v) {
        let out = super::xml::deidentify(engine, v, t, scratch)?;
        add(counts, &out.counts);
        return Ok(Some(out.text));
    }
    // An X12 interchange in a string: walked as one; one that does not read as an
    // interchange is left to the text reading below.
    if shape == Shape::X12 {
        match super::x12::deidentify(engine, v, t, scratch) {
            Ok(out) => {
                add(counts, &out.counts);
                return Ok(Some(out.text));
            }
            Err(ScanError::X12 { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    if let Some(out) = uu_value(engine, v, t, scratch, counts)? {
        return Ok(Some(out));
    }
    if v.contains(char::is_whitespace) {
        return Ok(None);
    }
    if let Some(out) = url_with_query(engine, v, t, ctx, scratch, counts)? {
        return Ok(Some(out));
    }
    if let Some(out) = base64_value(engine, v, t, scratch, counts)? {
        return Ok(Some(out));
    }
    if is_jwt(v) {
        counts[PhiType::Id.index()] += 1;
        return Ok(Some(t.apply_value(PhiType::Id, v, ctx)?));
    }
    if is_form(v) {
        let out = super::form::deidentify(engine, v, t, scratch)?;
        add(counts, &out.counts);
        return Ok(Some(out.text));
    }
    Ok(None)
}

fn add(into: &mut [usize; PhiType::ALL.len()], from: &[usize; PhiType::ALL.len()]) {
    for (a, b) in into.iter_mut().zip(from) {
        *a += b;
    }
}

/// `https://host/path?name=…&mrn=…#frag`: the part before `?` as text, the query as a form.
fn url_with_query(
    engine: &Engine,
    v: &str,
    t: &Transformer<'_>,
    ctx: &DocContext,
    scratch: &mut Scratch,
    counts: &mut [usize; PhiType::ALL.len()],
) -> Result<Option<String>, ScanError> {
    let Some((head, rest)) = v.split_once('?') else {
        return Ok(None);
    };
    let url_like = head.contains("://") || head.starts_with('/');
    if !url_like || !rest.contains('=') {
        return Ok(None);
    }
    let (query, fragment) = match rest.split_once('#') {
        Some((q, f)) => (q, Some(f)),
        None => (rest, None),
    };
    let mut out = String::with_capacity(v.len());
    out.push_str(&engine.scan_text(head, None, t, ctx, scratch, counts)?);
    out.push('?');
    let q = super::form::deidentify(engine, query, t, scratch)?;
    add(counts, &q.counts);
    out.push_str(&q.text);
    if let Some(f) = fragment {
        out.push('#');
        out.push_str(&engine.scan_text(f, None, t, ctx, scratch, counts)?);
    }
    Ok(Some(out))
}

/// A whole value in base64: text is decoded, de-identified as a document and re-encoded in
/// the same alphabet; long binary is removed (a photo, a scan); short binary is left to the
/// identifier-shape check.
fn base64_value(
    engine: &Engine,
    v: &str,
    t: &Transformer<'_>,
    scratch: &mut Scratch,
    counts: &mut [usize; PhiType::ALL.len()],
) -> Result<Option<String>, ScanError> {
    if v.len() < MIN_B64_VALUE || !v.bytes().all(is_b64_byte) {
        return Ok(None);
    }
    let compact: Cow<'_, str> = if v.contains(['\r', '\n']) {
        Cow::Owned(v.replace(['\r', '\n'], ""))
    } else {
        Cow::Borrowed(v)
    };
    let Some((bytes, alphabet)) = decode_b64(&compact) else {
        return Ok(None);
    };
    match readable_text(&bytes) {
        Some((text, encoding)) => {
            let out = engine.deidentify_sniffed(&text, t, scratch)?;
            add(counts, &out.counts);
            if out.text == text {
                return Ok(Some(v.to_string()));
            }
            Ok(Some(
                alphabet.encode(crate::charset::encode(&out.text, encoding)),
            ))
        }
        None if v.len() > MAX_B64_ID && has_b64_signs(v) => Ok(Some(String::new())),
        None => Ok(None),
    }
}

/// A whole value in uuencode that decodes to text: de-identified as a document and
/// encoded back the same way (its `begin` line kept).
fn uu_value(
    engine: &Engine,
    v: &str,
    t: &Transformer<'_>,
    scratch: &mut Scratch,
    counts: &mut [usize; PhiType::ALL.len()],
) -> Result<Option<String>, ScanError> {
    let Some(uu) = super::uu::decode(v) else {
        return Ok(None);
    };
    let Some((text, encoding)) = readable_text(&uu.bytes) else {
        return Ok(None);
    };
    let out = engine.deidentify_sniffed(&text, t, scratch)?;
    add(counts, &out.counts);
    if out.text == text {
        return Ok(Some(v.to_string()));
    }
    let bytes = crate::charset::encode(&out.text, encoding);
    Ok(Some(super::uu::encode(uu.begin, &bytes)))
}

/// Rewrites base64 runs inside free text that decode to text; `None` when there are none.
pub fn base64_runs(
    engine: &Engine,
    text: &str,
    t: &Transformer<'_>,
    scratch: &mut Scratch,
    counts: &mut [usize; PhiType::ALL.len()],
) -> Result<Option<String>, ScanError> {
    if scratch.nesting >= MAX_NESTING || text.len() < MIN_B64_RUN {
        return Ok(None);
    }
    let bytes = text.as_bytes();
    let mut out: Option<String> = None;
    let mut last = 0;
    let mut i = 0;
    while i < bytes.len() {
        if !in_b64_run(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && in_b64_run(bytes[i]) {
            i += 1;
        }
        let run = &text[start..i];
        if run.len() < MIN_B64_RUN || !has_b64_signs(run) {
            continue;
        }
        let Some((decoded, alphabet)) = decode_b64(run) else {
            continue;
        };
        let Some((inner, encoding)) = readable_text(&decoded) else {
            continue;
        };
        scratch.nesting += 1;
        let res = engine.deidentify_sniffed(&inner, t, scratch);
        scratch.nesting -= 1;
        let res = res?;
        add(counts, &res.counts);
        if res.text != inner {
            let o = out.get_or_insert_with(|| String::with_capacity(text.len()));
            o.push_str(&text[last..start]);
            o.push_str(&alphabet.encode(crate::charset::encode(&res.text, encoding)));
            last = i;
        }
    }
    Ok(out.map(|mut o| {
        o.push_str(&text[last..]);
        o
    }))
}

/// A byte a base64 run inside a line is made of (not a line break): every byte of every
/// text is tested, so the test is one look-up in [`B64_RUN_BYTES`].
fn in_b64_run(b: u8) -> bool {
    B64_RUN_BYTES[usize::from(b)]
}

/// [`in_b64_run`] of each byte value.
const B64_RUN_BYTES: [bool; 256] = b64_run_bytes();

const fn b64_run_bytes() -> [bool; 256] {
    let mut table = [false; 256];
    let mut b: u8 = 0;
    loop {
        table[b as usize] = is_b64_byte(b) && !matches!(b, b'\r' | b'\n');
        if b == u8::MAX {
            return table;
        }
        b += 1;
    }
}

const fn is_b64_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'-' | b'_' | b'\r' | b'\n')
}

/// Words are letters only; base64 of anything mixes cases and digits.
fn has_b64_signs(run: &str) -> bool {
    let upper = run.bytes().any(|b| b.is_ascii_uppercase());
    let lower = run.bytes().any(|b| b.is_ascii_lowercase());
    let digit = run.bytes().any(|b| b.is_ascii_digit());
    upper && lower && (digit || run.len() >= 32)
}

/// Decodes with whichever alphabet fits, returning the alphabet to re-encode with.
fn decode_b64(s: &str) -> Option<(Vec<u8>, &'static base64::engine::GeneralPurpose)> {
    let url = s.contains(['-', '_']);
    let padded = s.ends_with('=');
    let engine = match (url, padded) {
        (false, true) => &STANDARD,
        (false, false) if s.len().is_multiple_of(4) => &STANDARD,
        (false, false) => &STANDARD_NO_PAD,
        (true, true) => &URL_SAFE,
        (true, false) => &URL_SAFE_NO_PAD,
    };
    engine.decode(s).ok().map(|b| (b, engine))
}

/// Decoded bytes that are text a person wrote (UTF-8, or UTF-16 by BOM or shape), not
/// binary; with how they were written.
fn readable_text(bytes: &[u8]) -> Option<(String, crate::charset::Encoding)> {
    let (text, encoding) = crate::charset::decode_text(bytes, None).ok()?;
    let total = text.chars().count();
    if total < 4 {
        return None;
    }
    let control = text
        .chars()
        .filter(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        .count();
    let wordish = text
        .chars()
        .filter(|c| c.is_alphanumeric() || c.is_whitespace() || ",.;:-@/()#'\"{}[]".contains(*c))
        .count();
    (control == 0 && wordish * 10 >= total * 8).then_some((text, encoding))
}

/// A JSON Web Token: its claims can name the patient, and it cannot be edited and stay valid.
fn is_jwt(v: &str) -> bool {
    let parts: Vec<&str> = v.split('.').collect();
    parts.len() == 3
        && parts[0].starts_with("eyJ")
        && parts.iter().all(|p| {
            p.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        assert!(opens_like_json(" {\"mrn\":\"MR1\"}\n"));
        assert!(!opens_like_json("{ not closed"));
        assert_eq!(sniff("MSH|^~\\&|EMR|X\rPID|1||MR1"), Shape::Hl7);
        assert_eq!(
            sniff("<?xml version=\"1.0\"?><ClinicalDocument/>"),
            Shape::Xml
        );
        assert_eq!(sniff("name=Ansel&mrn=MR1"), Shape::Form);
        assert_eq!(sniff("\nISA*00*          *00*"), Shape::X12);
        assert_eq!(sniff("ISAAC NEWTON"), Shape::Text);
        assert_eq!(sniff("Patient seen today."), Shape::Text);
        assert!(!is_form("TWFyaWE="));
        assert!(is_form("a=b"));
        // The cheap tests in front keep every answer: no `=`, or a space, is no form; a
        // `PID|` segment after the first line is still HL7; a `|` alone is not.
        assert!(!is_form(""));
        assert!(!is_form("a=b c=d"));
        assert!(!is_form("a=b\tc"));
        assert_eq!(sniff("EVN|A01\nPID|1||MR1"), Shape::Hl7);
        assert_eq!(sniff("x\rPID|1"), Shape::Hl7);
        assert_eq!(sniff("a | b, no segment"), Shape::Text);
        assert_eq!(sniff("PID 1 seen"), Shape::Text);
    }

    #[test]
    fn base64_alphabets_and_text() {
        let enc = STANDARD.encode("Ansel Whitcombe MRN MR4410827");
        let (bytes, _) = decode_b64(&enc).expect("decodes");
        assert!(readable_text(&bytes).is_some());
        assert!(readable_text(&[0, 159, 146, 150, 1, 2, 3, 4]).is_none());
        assert!(!has_b64_signs("abcdefghijklmnopqrstuvwxyz"));
    }
}
