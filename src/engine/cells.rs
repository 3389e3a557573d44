//! Tables laid out in text: each cell under a header that names a PHI field is that
//! field's value (red team 55, J6 and J10).
//!
//! Owns finding such cells in prose: markup tables (`<th>` header cells, then `<td>` cells:
//! a FHIR `text.div`, an HTML note), Markdown tables (`| Zip | Age |` over a `|---|---|`
//! row) and tables delimited by `|` or `;` under a header of field names. A cell is typed
//! by its column's header through the field rules (`patterns/fields.toml`), as a CSV cell
//! is ([`super::csv`]); a header the rules do not know types nothing, so a clinical table
//! (`| Grip | 22 kg |`) is read as the prose it was, and every cell no header types is
//! read as prose too.

use std::ops::Range;

use super::fields::{normalize_key, Field, FieldRules};
use super::Engine;
use crate::detect::lexicon::{flag, Lexicon};
use crate::detect::Span;
use crate::phi::PhiType;
use crate::transform::token::TokenError;
use crate::transform::{DocContext, Transformer};

/// Longest header cell read as a column's name.
const MAX_HEADER_CHARS: usize = 40;
/// Longest cell typed by its header (a longer one is prose, read as such).
const MAX_CELL_CHARS: usize = 200;

/// The cells of `text[within]` typed by their column's header, in order and apart.
pub fn typed(engine: &Engine, text: &str, within: Range<usize>) -> Vec<(Range<usize>, PhiType)> {
    let piece = &text[within.clone()];
    let mut out = Vec::new();
    if piece.contains('<') {
        markup(engine, text, within.clone(), &mut out);
    }
    if piece.contains('|') || piece.contains(';') {
        let mut lines = Vec::new();
        delimited(engine, text, within, &mut lines);
        // Markup and delimited tables do not overlap in practice; if they do, markup wins.
        lines.retain(|(r, _): &(Range<usize>, PhiType)| {
            !out.iter().any(|(o, _)| o.start < r.end && r.start < o.end)
        });
        out.extend(lines);
        out.sort_by_key(|(r, _)| r.start);
    }
    let words = engine.detector.lexicon();
    out.retain(|(r, ty)| !(*ty == PhiType::Name && names_a_relative(words, &text[r.clone()])));
    out
}

/// Whether a cell a name header types (`Relative`, `Contact`) names a kinship, not a
/// person (`Mother`, `Stepdaughter`): every word of it a relation word of the lexicon.
/// Such a cell is read as the prose it is.
pub fn names_a_relative(words: &Lexicon, cell: &str) -> bool {
    let mut any = false;
    for w in cell
        .split(|c: char| c.is_whitespace() || c == '-' || c == '/')
        .filter(|w| !w.is_empty())
    {
        if words.flags(w.as_bytes()) & flag::RELATION == 0 {
            return false;
        }
        any = true;
    }
    any
}

/// `text` (read whole: `spans` and their `values` as the reader found them) written with
/// each of `cells` as its column's type and the spans around them as read, with the spans
/// written. A span running into a cell keeps its part outside the cell. A cell its type
/// leaves as written (an age under 90) is written as read instead, so a name beside the age
/// in one cell still goes.
pub fn write_in_place(
    text: &str,
    spans: &[Span],
    values: &[&str],
    cells: &[(Range<usize>, PhiType)],
    t: &Transformer<'_>,
    ctx: &DocContext,
    counts: &mut [usize; PhiType::ALL.len()],
) -> Result<(String, Vec<Span>), TokenError> {
    let mut out = String::with_capacity(text.len());
    let mut written = Vec::with_capacity(spans.len() + cells.len());
    let mut at = 0;
    for (cell, ty) in cells {
        if cell.start < at || cell.end > text.len() {
            continue;
        }
        write_as_read(
            text,
            at..cell.start,
            spans,
            values,
            t,
            ctx,
            counts,
            &mut out,
            &mut written,
        )?;
        let value = &text[cell.clone()];
        let as_typed = t.apply_field(*ty, value, ctx, counts)?;
        let read_inside = spans
            .iter()
            .any(|s| s.start < cell.end && cell.start < s.end);
        if as_typed == value && read_inside {
            write_as_read(
                text,
                cell.clone(),
                spans,
                values,
                t,
                ctx,
                counts,
                &mut out,
                &mut written,
            )?;
        } else {
            out.push_str(&as_typed);
            written.push(Span {
                start: cell.start,
                end: cell.end,
                ty: *ty,
            });
        }
        at = cell.end;
    }
    write_as_read(
        text,
        at..text.len(),
        spans,
        values,
        t,
        ctx,
        counts,
        &mut out,
        &mut written,
    )?;
    Ok((out, written))
}

/// `text[part]` written with the spans that fall in it, each cut to the part.
#[allow(clippy::too_many_arguments)]
fn write_as_read(
    text: &str,
    part: Range<usize>,
    spans: &[Span],
    values: &[&str],
    t: &Transformer<'_>,
    ctx: &DocContext,
    counts: &mut [usize; PhiType::ALL.len()],
    out: &mut String,
    written: &mut Vec<Span>,
) -> Result<(), TokenError> {
    if part.is_empty() {
        return Ok(());
    }
    let mut inside = Vec::new();
    let mut inside_values = Vec::new();
    for (s, v) in spans.iter().zip(values) {
        let (start, end) = (s.start.max(part.start), s.end.min(part.end));
        if start >= end {
            continue;
        }
        // A span cut by a cell is written as the text it keeps.
        let whole = start == s.start && end == s.end;
        inside_values.push(if whole { *v } else { &text[start..end] });
        inside.push(Span {
            start: start - part.start,
            end: end - part.start,
            ty: s.ty,
        });
        counts[s.ty.index()] += 1;
        written.push(Span {
            start,
            end,
            ty: s.ty,
        });
    }
    out.push_str(&t.apply_read(&text[part], &inside, &inside_values, ctx)?);
    Ok(())
}

/// The type a header cell gives its column, by the field rules (`Zip`, `SSN last 4`,
/// `Age at onset`).
fn column_type(engine: &Engine, header: &str) -> Option<PhiType> {
    header_type(&engine.fields, header)
}

/// [`column_type`] by `fields` alone (the XML walker's narrative tables read it).
pub fn header_type(fields: &FieldRules, header: &str) -> Option<PhiType> {
    let h = header.trim();
    if h.is_empty() || h.len() > MAX_HEADER_CHARS {
        return None;
    }
    let key = normalize_key(h);
    match fields.text_field(fields.generic(&key, None), &key) {
        Field::Phi(ty) => Some(ty),
        Field::Scan => fields.phrase(h),
        _ => None,
    }
}

// === Markup tables ===

/// One tag: its lower-case name, whether it closes, and the byte after its `>`.
struct Tag<'a> {
    name: &'a str,
    closing: bool,
    end: usize,
}

/// The tag opening at `at` (a `<`), if it reads as one.
fn tag_at(text: &str, at: usize) -> Option<Tag<'_>> {
    let rest = &text[at + 1..];
    let (closing, rest) = match rest.strip_prefix('/') {
        Some(r) => (true, r),
        None => (false, rest),
    };
    let name_len = rest
        .bytes()
        .position(|b| !b.is_ascii_alphanumeric() && b != b':')
        .unwrap_or(rest.len());
    let close = rest.find('>')?;
    let name = &rest[..name_len];
    // A namespace prefix (`<h:td>`) names the same element.
    let name = name.rsplit(':').next().unwrap_or(name);
    let end = text.len() - rest.len() + close + 1;
    (!name.is_empty()).then_some(Tag { name, closing, end })
}

/// `<th>` headers and the `<td>` cells under them, table by table.
fn markup(
    engine: &Engine,
    text: &str,
    within: Range<usize>,
    out: &mut Vec<(Range<usize>, PhiType)>,
) {
    let mut headers: Vec<Option<PhiType>> = Vec::new();
    let mut col = 0;
    let mut cell: Option<(usize, bool)> = None;
    let mut i = within.start;
    while let Some(p) = text[i..within.end].find('<') {
        let at = i + p;
        let Some(tag) = tag_at(&text[..within.end], at) else {
            i = at + 1;
            continue;
        };
        let name = tag.name.to_ascii_lowercase();
        match (name.as_str(), tag.closing) {
            ("table", _) => {
                headers.clear();
                col = 0;
                cell = None;
            }
            ("tr", false) => {
                col = 0;
                cell = None;
            }
            ("th" | "td", false) => cell = Some((tag.end, name == "th")),
            ("th" | "td", true) => {
                if let Some((start, th)) = cell.take() {
                    let inner = &text[start..at];
                    if th {
                        if headers.len() <= col {
                            headers.resize(col + 1, None);
                        }
                        headers[col] = column_type(engine, &without_tags(inner));
                    } else if let Some(Some(ty)) = headers.get(col) {
                        push_cell(text, start..at, *ty, out);
                    }
                }
                col += 1;
            }
            _ => {}
        }
        i = tag.end;
    }
}

/// A cell's text without the markup inside it (`<b>Zip</b>`).
fn without_tags(inner: &str) -> String {
    let mut out = String::with_capacity(inner.len());
    let mut in_tag = false;
    for c in inner.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// A typed cell's value: its text without the blanks around it; one with markup or an
/// escape inside, or longer than a value, is left to the prose reading.
fn push_cell(text: &str, r: Range<usize>, ty: PhiType, out: &mut Vec<(Range<usize>, PhiType)>) {
    let inner = &text[r.clone()];
    let v = inner.trim();
    if v.is_empty() || v.len() > MAX_CELL_CHARS || v.contains(['<', '&', '\n']) {
        return;
    }
    let start = r.start + (inner.len() - inner.trim_start().len());
    out.push((start..start + v.len(), ty));
}

// === Delimited and Markdown tables ===

/// Runs of lines cut by `|` (Markdown, with or without outer pipes) or `;` into the same
/// number of cells, under a header line whose cells are field names, one at least known.
fn delimited(
    engine: &Engine,
    text: &str,
    within: Range<usize>,
    out: &mut Vec<(Range<usize>, PhiType)>,
) {
    let mut lines = Vec::new();
    let mut pos = within.start;
    for line in text[within.clone()].split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        lines.push(pos..pos + body.len());
        pos += line.len();
    }
    let mut n = 0;
    while n < lines.len() {
        let Some((delim, header)) = header_of(engine, text, lines[n].clone()) else {
            n += 1;
            continue;
        };
        let width = header.len();
        let mut m = n + 1;
        while m < lines.len() {
            let line = &text[lines[m].clone()];
            if delim == '|' && is_rule_row(line) {
                m += 1;
                continue;
            }
            let cells = split_cells(text, lines[m].clone(), delim);
            if cells.len() != width {
                break;
            }
            for (r, ty) in cells.into_iter().zip(&header) {
                if let Some(ty) = ty {
                    push_cell(text, r, *ty, out);
                }
            }
            m += 1;
        }
        n = m.max(n + 1);
    }
}

/// A header line: its delimiter and each column's type, when it has two cells or more,
/// every cell a short name and one at least a known field.
fn header_of(
    engine: &Engine,
    text: &str,
    line: Range<usize>,
) -> Option<(char, Vec<Option<PhiType>>)> {
    let l = &text[line.clone()];
    ['|', ';'].into_iter().find_map(|d| {
        if !l.contains(d) {
            return None;
        }
        let cells = split_cells(text, line.clone(), d);
        let names_ok =
            cells.len() >= 2 && cells.iter().all(|r| super::csv::key_like(&text[r.clone()]));
        if !names_ok {
            return None;
        }
        let types: Vec<Option<PhiType>> = cells
            .iter()
            .map(|r| column_type(engine, &text[r.clone()]))
            .collect();
        types.iter().any(Option::is_some).then_some((d, types))
    })
}

/// `|---|:---:|` (a Markdown header's rule).
fn is_rule_row(line: &str) -> bool {
    let t = line.trim();
    t.contains('-') && t.chars().all(|c| matches!(c, '|' | '-' | ':' | ' ' | '\t'))
}

/// A line's cells between `d`; for `|`, the outer pipes of a Markdown row open and close
/// the row rather than cutting empty cells.
fn split_cells(text: &str, line: Range<usize>, d: char) -> Vec<Range<usize>> {
    let l = &text[line.clone()];
    let mut start = line.start;
    let mut end = line.end;
    if d == '|' {
        let lead = l.len() - l.trim_start().len();
        let trimmed = l.trim();
        if let Some(r) = trimmed.strip_prefix('|') {
            start += lead + 1;
            end = start + r.len();
            if r.ends_with('|') {
                end -= 1;
            }
        }
    }
    if start > end {
        return Vec::new();
    }
    let mut cells = Vec::new();
    let mut at = start;
    for part in text[start..end].split(d) {
        cells.push(at..at + part.len());
        at += part.len() + d.len_utf8();
    }
    cells
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_rows_and_rules() {
        let t = "| MRN | Zip |";
        let cells: Vec<&str> = split_cells(t, 0..t.len(), '|')
            .into_iter()
            .map(|r| t[r].trim())
            .collect();
        assert_eq!(cells, vec!["MRN", "Zip"]);
        assert!(is_rule_row("|---|:---:|"));
        assert!(!is_rule_row("| a | b |"));
        assert_eq!(without_tags("<b>Zip</b> code"), "Zip code");
    }
}
