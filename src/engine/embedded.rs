//! Records inside text: a JSON, CSV or XML record quoted in a longer text is read as the
//! record it is, not as prose (red team 55, J3).
//!
//! Owns finding them: a Markdown code fence (```` ```json ````, ```` ```csv ````, ```` ```xml ````,
//! or any other, its body tried by its shape) and, outside fences, a balanced `{"…"…}`,
//! `[{…}]` or `[[…]]` span that parses as JSON (a payload quoted in a log line or a note).
//! Each is opened by [`super::nested::deidentify_nested`], so its keys and header type its
//! values (a ZIP, a plate, SSN last four, a lower-case name under its key) and it is
//! written back as a valid record (`"age":93` read as prose became `"age":over 89`). The
//! text around the records is prose, read as before. A fence body that opens as no record
//! (code, a quote) is prose too, and a JSON span in it is still found.

use std::ops::Range;

use super::xml::learn_value;
use super::{nested, serialised, Engine, ScanError};
use crate::detect::learned::Learned;
use crate::detect::Scratch;
use crate::phi::PhiType;
use crate::transform::{DocContext, Transformer};

/// A piece of a text that holds records: prose (a range of the text, read by the caller
/// as it reads text) or a record already de-identified.
pub enum Part {
    Prose(Range<usize>),
    Record(String),
    /// Prose holding table cells typed by their header: the range, and each cell (a range
    /// of the prose, in order and apart) with its type. The prose is read whole and each
    /// cell is written as its type ([`super::cells::write_in_place`]).
    Table(Range<usize>, Vec<Cell>),
    /// A value of a record serialised in the prose ([`serialised`]: logfmt, SQL, YAML…)
    /// already written as its key types it, and the range of the text it replaces.
    Cell(String, Range<usize>, PhiType),
}

/// A table cell typed by its column's header: where it stands and as what.
pub type Cell = (Range<usize>, PhiType);

/// The text cut into prose and records, each record opened and de-identified; `None` when
/// no record in it opens (the text is then read whole, as it always was).
pub fn split(
    engine: &Engine,
    text: &str,
    t: &Transformer<'_>,
    ctx: &DocContext,
    scratch: &mut Scratch,
    counts: &mut [usize; PhiType::ALL.len()],
) -> Result<Option<Vec<Part>>, ScanError> {
    let records = may_hold_a_record(text);
    let tables = may_hold_a_table(text);
    let pairs = serialised::may_hold_pairs(text);
    if !records && !tables && !pairs {
        return Ok(None);
    }
    let mut parts = Vec::new();
    let mut last = 0;
    let found = if records {
        candidates(text)
    } else {
        Vec::new()
    };
    for (range, fence) in found {
        let mut opened = Vec::new();
        match open(engine, &text[range.clone()], t, ctx, scratch, counts)? {
            Some(out) => opened.push((range, out)),
            // A fence of code or prose: a JSON record quoted in it is still one.
            None if fence => {
                let mut inner = Vec::new();
                json_spans(text, range, &mut inner);
                for r in inner {
                    if let Some(out) = open(engine, &text[r.clone()], t, ctx, scratch, counts)? {
                        opened.push((r, out));
                    }
                }
            }
            None => {}
        }
        for (r, out) in opened {
            if r.start > last {
                parts.push(Part::Prose(last..r.start));
            }
            parts.push(Part::Record(out));
            last = r.end;
        }
    }
    if last < text.len() {
        parts.push(Part::Prose(last..text.len()));
    }
    let mut any = parts.iter().any(|p| matches!(p, Part::Record(_)));
    if tables {
        // A table's prose is read whole, its typed cells in place: cut around them, the
        // tagger read each piece without its neighbours and a name beside a typed cell
        // crossed (`| eddie ward | … | <phone> |`, stop 56's note regression).
        for part in &mut parts {
            let Part::Prose(range) = part else {
                continue;
            };
            let cells: Vec<Cell> = super::cells::typed(engine, text, range.clone())
                .into_iter()
                .map(|(r, ty)| (r.start - range.start..r.end - range.start, ty))
                .collect();
            if !cells.is_empty() {
                any = true;
                *part = Part::Table(range.clone(), cells);
            }
        }
    }
    if pairs {
        any |= cut_serialised(engine, text, t, ctx, counts, &mut parts)?;
    }
    Ok(any.then_some(parts))
}

/// The values of the typed cells among `parts` (serialised values, table cells typed by
/// their header), learned as a structured payload's values are, for the prose to be searched
/// for them.
pub fn learned(text: &str, parts: &[Part]) -> Learned {
    let mut learned = Learned::default();
    for part in parts {
        match part {
            Part::Cell(_, at, ty) => learn_value(&mut learned, *ty, &text[at.clone()]),
            Part::Table(r, cells) => {
                for (cell, ty) in cells {
                    let at = r.start + cell.start..r.start + cell.end;
                    if let Some(v) = text.get(at) {
                        learn_value(&mut learned, *ty, v);
                    }
                }
            }
            Part::Prose(_) | Part::Record(_) => {}
        }
    }
    learned.finish();
    learned
}

/// Values of records serialised in the prose parts by other syntaxes (logfmt, SQL, YAML,
/// object literals, attributes: [`serialised`]) cut out as cells typed by their keys;
/// whether any was. A value its rewrite leaves as it was (an age under 90) stays prose.
fn cut_serialised(
    engine: &Engine,
    text: &str,
    t: &Transformer<'_>,
    ctx: &DocContext,
    counts: &mut [usize; PhiType::ALL.len()],
    parts: &mut Vec<Part>,
) -> Result<bool, ScanError> {
    let mut any = false;
    let mut cut = Vec::with_capacity(parts.len());
    for part in parts.drain(..) {
        let Part::Prose(range) = part else {
            cut.push(part);
            continue;
        };
        let mut at = range.start;
        for v in serialised::typed(engine, text, range.clone()) {
            let value = &text[v.range.clone()];
            let rewritten = t.apply_field(v.ty, value, ctx, counts)?;
            if rewritten == value {
                continue;
            }
            any = true;
            if v.range.start > at {
                cut.push(Part::Prose(at..v.range.start));
            }
            at = v.range.end;
            cut.push(Part::Cell(
                serialised::written(&v, rewritten),
                v.range,
                v.ty,
            ));
        }
        if at < range.end {
            cut.push(Part::Prose(at..range.end));
        }
    }
    *parts = cut;
    Ok(any)
}

/// A table laid out in the text: a markup header cell, or delimiters or columns aligned
/// by two blanks over several lines.
fn may_hold_a_table(text: &str) -> bool {
    let b = text.as_bytes();
    memchr::memchr(b'\n', b).is_some()
        && (memchr::memchr3(b'|', b';', b'\t', b).is_some()
            || memchr::memmem::find(b, b"  ").is_some())
        || memchr::memmem::find(b, b"<th").is_some()
        || memchr::memmem::find(b, b"<TH").is_some()
        || memchr::memmem::find(b, b":th").is_some()
}

/// One byte search rules out nearly every string: a record opens with a fence or a bracket.
fn may_hold_a_record(text: &str) -> bool {
    text.len() >= 8 && memchr::memchr3(b'`', b'{', b'[', text.as_bytes()).is_some()
}

/// A candidate record opened by its reader; `None` when it reads as no record. A JSON
/// record written over several lines is written back over several lines.
fn open(
    engine: &Engine,
    record: &str,
    t: &Transformer<'_>,
    ctx: &DocContext,
    scratch: &mut Scratch,
    counts: &mut [usize; PhiType::ALL.len()],
) -> Result<Option<String>, ScanError> {
    let Some(out) = nested::deidentify_nested(engine, record, t, ctx, scratch, counts)? else {
        return Ok(None);
    };
    let body = record.trim();
    let mut out = match serde_json::from_str::<serde_json::Value>(&out) {
        Ok(v) if body.contains('\n') && nested::opens_like_json(body) => {
            serde_json::to_string_pretty(&v).unwrap_or(out)
        }
        _ => out,
    };
    // The blanks around the record (a fence body's last line break) stay as written.
    let lead = &record[..record.len() - record.trim_start().len()];
    let trail = &record[record.trim_end().len()..];
    out.insert_str(0, lead);
    out.push_str(trail);
    Ok(Some(out))
}

/// The spans of `text` that may be records, in order and apart, each with whether it is
/// a fence's body (whose JSON spans are tried when it opens as no record of its own).
fn candidates(text: &str) -> Vec<(Range<usize>, bool)> {
    let mut out = Vec::new();
    let mut at = 0;
    let mut spans = Vec::new();
    for body in fence_bodies(text) {
        json_spans(text, at..body.start, &mut spans);
        out.extend(spans.drain(..).map(|r| (r, false)));
        at = body.end;
        out.push((body, true));
    }
    json_spans(text, at..text.len(), &mut spans);
    out.extend(spans.drain(..).map(|r| (r, false)));
    out
}

/// The bodies of Markdown code fences: from the line after an opening ```` ``` ```` (or
/// `~~~`) line to the closing one, or to the end of the text when it never closes (an
/// answer cut short is still read as its record).
fn fence_bodies(text: &str) -> Vec<Range<usize>> {
    let mut bodies = Vec::new();
    let mut open: Option<(usize, &str)> = None;
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        let start = pos;
        pos += line.len();
        let l = line.trim();
        match open {
            None => {
                if let Some(marker) = ["```", "~~~"].into_iter().find(|m| l.starts_with(m)) {
                    open = Some((pos, marker));
                }
            }
            Some((body, marker)) if l == marker => {
                bodies.push(body..start);
                open = None;
            }
            Some(_) => {}
        }
    }
    if let Some((body, _)) = open {
        if body < text.len() {
            bodies.push(body..text.len());
        }
    }
    bodies
}

/// Balanced JSON spans in `text[within]` that parse: an object with a quoted key first
/// (`{"mrn":…}`), or an array of objects or arrays. A bracket in prose (`[1]`, `{see
/// below}`) opens no such span.
fn json_spans(text: &str, within: Range<usize>, out: &mut Vec<Range<usize>>) {
    let bytes = text.as_bytes();
    let mut i = within.start;
    while i < within.end {
        let b = bytes[i];
        if (b == b'{' || b == b'[') && opens_a_record(&bytes[i..within.end]) {
            if let Some(end) = balanced_end(&bytes[..within.end], i) {
                let span = &text[i..end];
                if serde_json::from_str::<serde::de::IgnoredAny>(span).is_ok() {
                    out.push(i..end);
                    i = end;
                    continue;
                }
            }
        }
        i += 1;
    }
}

/// `{` then a quoted key, or `[` then `{` or `[` (blanks between allowed).
fn opens_a_record(from: &[u8]) -> bool {
    let next = from[1..].iter().find(|b| !b.is_ascii_whitespace());
    matches!(
        (from[0], next),
        (b'{', Some(b'"')) | (b'[', Some(b'{' | b'['))
    )
}

/// The end (exclusive) of the bracket opened at `start`, counting brackets outside JSON
/// strings; `None` when it never closes.
fn balanced_end(bytes: &[u8], start: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (i, &b) in bytes.iter().enumerate().skip(start) {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(text: &str) -> Vec<&str> {
        candidates(text)
            .into_iter()
            .map(|(r, _)| &text[r])
            .collect()
    }

    #[test]
    fn fences_and_json_spans() {
        let t = "See:\n```json\n{\"a\":1}\n```\nand {\"b\":[1,2]} but not [1] or {see}.";
        assert_eq!(spans(t), vec!["{\"a\":1}\n", "{\"b\":[1,2]}"]);
        assert_eq!(spans("x [[\"a\"],[\"b\"]] y"), vec!["[[\"a\"],[\"b\"]]"]);
        assert_eq!(
            spans("open\n```\nzip,age\n01085,93"),
            vec!["zip,age\n01085,93"]
        );
        assert!(spans("{\"not closed\": 1").is_empty());
        assert!(spans("a {\"x\": y} b").is_empty());
    }
}
