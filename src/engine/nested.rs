//! Payloads inside payloads: a value is read as what it is, not as what holds it.
//!
//! Owns recognising, in one string value, a JSON document (`"payload":"{\"mrn\":…}"`), an
//! HL7 message or XML document, a URL with its own query, a form (`a=1&b=2`), a JWT,
//! uuencode (a whole value), and hexadecimal, base32 or base64 (a whole value, or a run in
//! text: [`super::encoded`]) that decodes to text; and the sniffing of a whole body's real shape whatever its
//! label. Each nested payload is de-identified by the engine like a document of its own and
//! written back in its own encoding. Nesting is bounded ([`MAX_NESTING`]); below that bound a
//! value is scanned as text, so depth never makes anything pass unread.

use super::{encoded, Engine, ScanError};
use crate::canon::is_quoted_printable;
use crate::detect::Scratch;
use crate::phi::PhiType;
use crate::transform::{DocContext, Transformer};

/// How many payloads deep a value may sit and still be opened.
pub const MAX_NESTING: usize = 4;

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
    // Any field separator: MSH-1 is the sender's choice (`MSH#^~\&#…`).
    if super::hl7::opens_with_header(t) {
        return Shape::Hl7;
    }
    if t.starts_with("<?xml")
        || t.starts_with("<ClinicalDocument")
        || (t.starts_with('<')
            && t.contains("</")
            && !opens_with_tag(t, "div")
            && !opens_with_tag(t, "p"))
    {
        return Shape::Xml;
    }
    if is_form(t.trim_end()) {
        return Shape::Form;
    }
    Shape::Text
}

/// `t` opens with the tag `name` (`<p>`, `<p class=…>`), not one that only starts alike
/// (`<pt>`, `<patient>`: a record's root, read as XML).
fn opens_with_tag(t: &str, name: &str) -> bool {
    t.strip_prefix('<')
        .and_then(|r| r.strip_prefix(name))
        .is_some_and(|r| r.starts_with(|c: char| c == '>' || c == '/' || c.is_whitespace()))
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
        // `…Nw==`: a base64 value's padding, not a key and a value (red team 58, P9; read
        // as a form, its `=` was written back `%3D` and the value no longer decoded).
        if !key_ok || (!v.is_empty() && v.bytes().all(|b| b == b'=')) {
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
    let v = value.trim();
    if v.len() < 3 {
        return Ok(None);
    }
    if scratch.nesting >= MAX_NESTING {
        return too_deep(v, t, ctx, counts);
    }
    scratch.nesting += 1;
    let out = open(engine, v, t, ctx, scratch, counts);
    scratch.nesting -= 1;
    out
}

/// A value at the nesting bound: plain text is scanned as text (`None`), but a payload that
/// would open once more (JSON, HL7, XML, an encoded value) is not read, so it is not
/// forwarded either: it is replaced whole by an identifier's token.
fn too_deep(
    v: &str,
    t: &Transformer<'_>,
    ctx: &DocContext,
    counts: &mut [usize; PhiType::ALL.len()],
) -> Result<Option<String>, ScanError> {
    let payload = opens_like_json(v)
        || sniff(v) != Shape::Text
        || !matches!(encoded::value(v), encoded::Value::Plain);
    if !payload {
        return Ok(None);
    }
    counts[PhiType::Id.index()] += 1;
    Ok(Some(t.apply_value(PhiType::Id, v, ctx)?))
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
    // A CSV or TSV table in a string (a report export in a webhook): read by its header.
    if shape == Shape::Text {
        if let Some(delimiter) = super::csv::table_delimiter(engine, v, super::csv::IN_STRINGS) {
            let out = super::csv::deidentify(engine, v, delimiter, t, scratch)?;
            add(counts, &out.counts);
            return Ok(Some(out.text));
        }
    }
    // A whole value in uuencode, hexadecimal, base32, base64 or base85: text is decoded,
    // de-identified as a document and written back the same way; long binary base64 is
    // removed (a photo, a scan); short binary is left to the identifier-shape check.
    // Before forms: base32's padding (`…S===`) reads as a key and an empty value.
    match encoded::value(v) {
        // Text that holds nothing to remove leaves the value to be read as it is written
        // too (`None`): a short name may decode to something readable by chance.
        encoded::Value::Text(hidden) => {
            return Ok(
                deidentify_decoded(engine, &hidden.text, t, scratch, counts)?
                    .map(|o| hidden.encode(&o)),
            );
        }
        encoded::Value::Binary => return Ok(Some(String::new())),
        encoded::Value::Plain => {}
    }
    if v.contains(char::is_whitespace) {
        return Ok(None);
    }
    if let Some(out) = url_with_query(engine, v, t, ctx, scratch, counts)? {
        return Ok(Some(out));
    }
    if v.starts_with('/') {
        return path(engine, v, t, ctx, scratch, counts).map(Some);
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
    if head.starts_with('/') {
        out.push_str(&path(engine, head, t, ctx, scratch, counts)?);
    } else {
        out.push_str(&engine.scan_text(head, None, t, ctx, scratch, counts)?);
    }
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

/// A path (`/patients/whitlock/notes`), each segment read as a value of its own: a name
/// alone in a segment has no sentence around it for the detector to read it by, but as
/// a value of its own it reads as one. Then the segments are read together as words: a
/// value cut across them (`/patients/4471/Quarry/Hollow/Rd`) is harmless piece by piece.
fn path(
    engine: &Engine,
    v: &str,
    t: &Transformer<'_>,
    ctx: &DocContext,
    scratch: &mut Scratch,
    counts: &mut [usize; PhiType::ALL.len()],
) -> Result<String, ScanError> {
    let none = crate::detect::learned::Learned::default();
    let mut out = String::with_capacity(v.len());
    for (n, seg) in v.split('/').enumerate() {
        if n > 0 {
            out.push('/');
        }
        if !seg.is_empty() {
            out.push_str(&engine.scan_value_cow(seg, &none, t, ctx, scratch, counts)?);
        }
    }
    if !super::reads_as_path(&out) {
        return Ok(out);
    }
    let whole = engine.scan_path_words(&out, None, t, ctx, scratch, counts)?;
    Ok(whole.into_owned())
}

/// Text decoded out of a value, de-identified as a document of its own; `None` when
/// nothing in it changed (the value is then kept exactly as written).
fn deidentify_decoded(
    engine: &Engine,
    text: &str,
    t: &Transformer<'_>,
    scratch: &mut Scratch,
    counts: &mut [usize; PhiType::ALL.len()],
) -> Result<Option<String>, ScanError> {
    let out = engine.deidentify_sniffed(text, t, scratch)?;
    add(counts, &out.counts);
    Ok((out.text != text).then_some(out.text))
}

/// Rewrites the encoded runs inside free text (hexadecimal, base32, base64) that decode to
/// text holding something to remove, and replaces the binary files pasted into it in
/// base64 ([`super::blobs`]); `None` when there are none. Runs written under a character
/// escape layer are read too ([`escaped_runs`]).
pub fn encoded_runs(
    engine: &Engine,
    text: &str,
    t: &Transformer<'_>,
    scratch: &mut Scratch,
    counts: &mut [usize; PhiType::ALL.len()],
) -> Result<Option<String>, ScanError> {
    let written = written_runs(engine, text, t, scratch, counts)?;
    let escaped = escaped_runs(
        engine,
        written.as_deref().unwrap_or(text),
        t,
        scratch,
        counts,
    )?;
    Ok(escaped.or(written))
}

/// The encoded runs of `text` as written: [`encoded_runs`] without the escape layer.
fn written_runs(
    engine: &Engine,
    text: &str,
    t: &Transformer<'_>,
    scratch: &mut Scratch,
    counts: &mut [usize; PhiType::ALL.len()],
) -> Result<Option<String>, ScanError> {
    let too_deep = scratch.nesting >= MAX_NESTING;
    let blocks = encoded::Blocks::of(text);
    let files = super::blobs::runs(text, &blocks);
    let mut out: Option<String> = None;
    let mut last = 0;
    let mut files_left = files.iter().peekable();
    for (range, hidden) in encoded::runs(text, &blocks) {
        // A file goes whole, with any run read inside it.
        if files
            .iter()
            .any(|f| f.start < range.end && range.start < f.end)
        {
            continue;
        }
        while let Some(f) = files_left.next_if(|f| f.end <= range.start) {
            let o = out.get_or_insert_with(|| String::with_capacity(text.len()));
            o.push_str(&text[last..f.start]);
            o.push_str(super::blobs::PLACEHOLDER);
            last = f.end;
        }
        // Past the nesting bound a run that decodes to text is not read, so it goes.
        if too_deep {
            counts[PhiType::Id.index()] += 1;
            let o = out.get_or_insert_with(|| String::with_capacity(text.len()));
            o.push_str(&text[last..range.start]);
            last = range.end;
            continue;
        }
        scratch.nesting += 1;
        let res = deidentify_decoded(engine, &hidden.text, t, scratch, counts);
        scratch.nesting -= 1;
        if let Some(rewritten) = res? {
            let o = out.get_or_insert_with(|| String::with_capacity(text.len()));
            o.push_str(&text[last..range.start]);
            o.push_str(&hidden.encode(&rewritten));
            last = range.end;
        }
    }
    for f in files_left {
        let o = out.get_or_insert_with(|| String::with_capacity(text.len()));
        o.push_str(&text[last..f.start]);
        o.push_str(super::blobs::PLACEHOLDER);
        last = f.end;
    }
    Ok(out.map(|mut o| {
        o.push_str(&text[last..]);
        o
    }))
}

/// Rewrites the encoded runs that only the canonical view of `text` shows: a run with
/// some or all of its characters written as escapes (`%55%6D%39…`, `=55=6D…`,
/// `&#85;&#109;…`, or one `%63` inside base64), which the run finder never sees as
/// written and the detector sees only as a run of letters (red team 55, J23). Each is
/// decoded and de-identified as [`written_runs`] does, and written back in its run
/// encoding without the escapes (the escape layer hides, it carries no meaning); past
/// the nesting bound it goes whole. `None` when there are none.
fn escaped_runs(
    engine: &Engine,
    text: &str,
    t: &Transformer<'_>,
    scratch: &mut Scratch,
    counts: &mut [usize; PhiType::ALL.len()],
) -> Result<Option<String>, ScanError> {
    if !may_escape(text) {
        return Ok(None);
    }
    let Some(view) = crate::canon::Canon::unescaped(text) else {
        return Ok(None);
    };
    let shown = view.text();
    let blocks = encoded::Blocks::of(shown);
    let too_deep = scratch.nesting >= MAX_NESTING;
    let mut out: Option<String> = None;
    let mut last = 0;
    for (range, hidden) in encoded::runs(shown, &blocks) {
        let (start, end) = view.source_range(range.start, range.end);
        // A run written as the view shows it was the written runs' to read.
        if start < last || text.get(start..end) == shown.get(range.clone()) {
            continue;
        }
        let rewritten = if too_deep {
            counts[PhiType::Id.index()] += 1;
            Some(String::new())
        } else {
            scratch.nesting += 1;
            let res = deidentify_decoded(engine, &hidden.text, t, scratch, counts);
            scratch.nesting -= 1;
            res?.map(|r| hidden.encode(&r))
        };
        if let Some(r) = rewritten {
            let o = out.get_or_insert_with(|| String::with_capacity(text.len()));
            o.push_str(&text[last..start]);
            o.push_str(&r);
            last = end;
        }
    }
    Ok(out.map(|mut o| {
        o.push_str(&text[last..]);
        o
    }))
}

/// Whether `text` holds a character escape the canonical view undoes (a cheap test before
/// building the view): `%`, `&`, `\`, or quoted-printable.
fn may_escape(text: &str) -> bool {
    memchr::memchr3(b'%', b'&', b'\\', text.as_bytes()).is_some() || is_quoted_printable(text)
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
        assert!(!is_form("UGF0aWVudCBSb3PhbGluZA=="));
        assert!(!is_form("SGk="), "one `=` of padding and no value");
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
        assert_eq!(sniff("<p>Seen.</p>"), Shape::Text);
        assert_eq!(sniff("<pt><age>93</age></pt>"), Shape::Xml);
    }
}
