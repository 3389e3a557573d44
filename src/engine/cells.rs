//! Tables laid out in text: each cell under a header that names a PHI field is that
//! field's value (red team 55, J6 and J10).
//!
//! Owns finding such cells in prose: markup tables (`<th>` header cells, then `<td>` cells:
//! a FHIR `text.div`, an HTML note), Markdown tables (`| Zip | Age |` over a `|---|---|`
//! row), tables delimited by `|`, `;` or tabs under a header of field names, and tables aligned
//! by blanks (`NAME            DOB         MRN`, its rows' values under the header's
//! columns). A cell is typed by its column's header through the field rules
//! (`patterns/fields.toml`), as a CSV cell is ([`super::csv`]); a header the rules do not
//! know types nothing, so a clinical table (`| Grip | 22 kg |`) is read as the prose it
//! was, and every cell no header types is read as prose too. A name part's header
//! (`First`, `Last`, `Given`, `Family`: `name_keys`) types a cell only when it reads as a
//! name, since `Last` also heads a lab's last value.

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
    if piece.contains(['|', ';', '\t']) {
        let mut lines = Vec::new();
        delimited(engine, text, within.clone(), &mut lines);
        merge(&mut out, lines);
    }
    if may_align(piece) {
        let mut lines = Vec::new();
        aligned(engine, text, within, &mut lines);
        merge(&mut out, lines);
    }
    let words = engine.detector.lexicon();
    out.retain(|(r, ty)| !(*ty == PhiType::Name && names_a_relative(words, &text[r.clone()])));
    out
}

/// `more` added to `out` but for the cells that overlap one already there: the tables
/// read first win (markup, then delimited, then aligned; they do not overlap in practice).
fn merge(out: &mut Vec<(Range<usize>, PhiType)>, mut more: Vec<(Range<usize>, PhiType)>) {
    more.retain(|(r, _)| !out.iter().any(|(o, _)| o.start < r.end && r.start < o.end));
    out.extend(more);
    out.sort_by_key(|(r, _)| r.start);
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
            at = cell.end;
        } else {
            out.push_str(&as_typed);
            written.push(Span {
                start: cell.start,
                end: cell.end,
                ty: *ty,
            });
            at = cell.end + realign(text, cell.end, value, &as_typed, &mut out);
        }
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

/// The blanks after a cell that stands in a column (two blanks or more, then the next
/// column's value) made up for its rewrite's length, so the next columns stay under their
/// headers: the blanks a longer rewrite takes are skipped (two are kept), a shorter one is
/// padded. Returns how many blanks of the text to skip.
fn realign(text: &str, end: usize, value: &str, rewrite: &str, out: &mut String) -> usize {
    let rest = &text.as_bytes()[end..];
    let blanks = rest.iter().take_while(|&&b| b == b' ').count();
    let next = rest.get(blanks);
    if blanks < 2 || next.is_none_or(|&b| b == b'\n' || b == b'\r') {
        return 0;
    }
    let (was, now) = (value.chars().count(), rewrite.chars().count());
    if now < was {
        out.extend(std::iter::repeat_n(' ', was - now));
        return 0;
    }
    (now - was).min(blanks - 2)
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

/// What a header cell makes of its column's cells.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Column {
    /// Every cell is a value of this type (`Zip`, `SSN last 4`, `Age at onset`).
    Typed(PhiType),
    /// A part of a person's name (`First`, `Last`, `Given`, `Family`): a cell that reads
    /// as a name is one; another (`Last` → `7.2`, `Negative`) is prose.
    NamePart,
}

/// The column a header cell heads, by the field rules.
fn column_of(engine: &Engine, header: &str) -> Option<Column> {
    if let Some(ty) = header_type(&engine.fields, header) {
        return Some(Column::Typed(ty));
    }
    let h = header.trim();
    if h.len() > MAX_HEADER_CHARS {
        return None;
    }
    // A bare `Name` heads a drug's or an exercise's name as well as a person's.
    let key = normalize_key(h);
    (key == "name" || engine.fields.is_name_key(&key)).then_some(Column::NamePart)
}

/// Types only a person has: a table with such a column is a table of people.
pub(super) const PERSON_ONLY: [PhiType; 7] = [
    PhiType::Age,
    PhiType::Zip,
    PhiType::Mrn,
    PhiType::Phone,
    PhiType::Ssn,
    PhiType::Email,
    PhiType::Address,
];

/// Whether `columns` hold one only a person has (an age, a ZIP, a record number, a
/// phone…). A date says nothing: drugs and exercises have dates too.
fn of_people(columns: impl IntoIterator<Item = Option<Column>>) -> bool {
    columns
        .into_iter()
        .flatten()
        .any(|c| matches!(c, Column::Typed(ty) if PERSON_ONLY.contains(&ty)))
}

/// In a table of people, a name column (`Name`, `First`, `Last`) holds their names: every
/// cell is typed whole, where alone the header may head a drug's or a lab's value and only
/// a cell that reads as a name is one (`ines ward`, whose `ward` is a word).
fn in_table_of(column: Column, people: bool) -> Column {
    match column {
        Column::NamePart if people => Column::Typed(PhiType::Name),
        c => c,
    }
}

/// The cell `r` of a `column`, pushed with its type when the column types it.
fn push_column_cell(
    engine: &Engine,
    text: &str,
    r: Range<usize>,
    column: Column,
    out: &mut Vec<(Range<usize>, PhiType)>,
) {
    match column {
        Column::Typed(ty) => push_cell(text, r, ty, out),
        Column::NamePart => {
            let v = text[r.clone()].trim();
            if !v.is_empty()
                && engine.is_keyed_name_value(v)
                && !names_a_relative(engine.detector.lexicon(), v)
            {
                push_cell(text, r, PhiType::Name, out);
            }
        }
    }
}

/// The type a header cell gives every cell of its column, by the field rules (`Zip`,
/// `SSN last 4`, `Age at onset`; the XML walker's narrative tables read it too).
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
    let mut headers: Vec<Option<Column>> = Vec::new();
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
                        headers[col] = column_of(engine, &without_tags(inner));
                    } else if let Some(Some(column)) = headers.get(col) {
                        let column = in_table_of(*column, of_people(headers.iter().copied()));
                        push_column_cell(engine, text, start..at, column, out);
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

/// Runs of lines cut by `|` (Markdown, with or without outer pipes), `;` or a tab (a TSV
/// export sent as text, red team 58 R5) into the same number of cells, under a header line whose cells are field names, one at least known.
fn delimited(
    engine: &Engine,
    text: &str,
    within: Range<usize>,
    out: &mut Vec<(Range<usize>, PhiType)>,
) {
    let lines = line_ranges(text, within);
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
            for (r, column) in cells.into_iter().zip(&header) {
                if let Some(column) = column {
                    push_column_cell(engine, text, r, *column, out);
                }
            }
            m += 1;
        }
        n = m.max(n + 1);
    }
}

/// The lines of `text[within]`, without their line breaks.
fn line_ranges(text: &str, within: Range<usize>) -> Vec<Range<usize>> {
    let mut lines = Vec::new();
    let mut pos = within.start;
    for line in text[within].split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        lines.push(pos..pos + body.len());
        pos += line.len();
    }
    lines
}

/// A header line: its delimiter and each column's type, when it has two cells or more,
/// every cell a short name and one at least a known field.
fn header_of(
    engine: &Engine,
    text: &str,
    line: Range<usize>,
) -> Option<(char, Vec<Option<Column>>)> {
    let l = &text[line.clone()];
    ['|', ';', '\t'].into_iter().find_map(|d| {
        if !l.contains(d) {
            return None;
        }
        let cells = split_cells(text, line.clone(), d);
        let names_ok =
            cells.len() >= 2 && cells.iter().all(|r| super::csv::key_like(&text[r.clone()]));
        if !names_ok {
            return None;
        }
        let mut types: Vec<Option<Column>> = cells
            .iter()
            .map(|r| column_of(engine, &text[r.clone()]))
            .collect();
        let people = of_people(types.iter().copied());
        for t in types.iter_mut().flatten() {
            *t = in_table_of(*t, people);
        }
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

// === Tables aligned by blanks ===

/// Blanks in a row that cut an aligned line into cells.
const ALIGN_GAP: &str = "  ";

/// A line break and two blanks in a row: the least an aligned table needs.
fn may_align(piece: &str) -> bool {
    piece.contains('\n') && memchr::memmem::find(piece.as_bytes(), ALIGN_GAP.as_bytes()).is_some()
}

/// A column of an aligned table: the character its header starts at, and what it types.
struct Aligned {
    at: usize,
    column: Option<Column>,
}

/// Tables aligned by blanks: a header line of field names cut by two blanks or more
/// (`NAME            DOB         MRN`, `First  Last  City`), two of them known to the field
/// rules (one when a `----` rule follows), then the rows under it (past that rule). A row's
/// cell is what stands under its header, from the header's first character to the next
/// header's, counted in characters. A row ends the table when a word crosses a column's
/// edge, when it holds a value in one column only (a line of prose after the table; a
/// short word there would be taken for a value), or when it is blank or a rule.
fn aligned(
    engine: &Engine,
    text: &str,
    within: Range<usize>,
    out: &mut Vec<(Range<usize>, PhiType)>,
) {
    let lines = line_ranges(text, within);
    let mut n = 0;
    while n < lines.len() {
        let ruled = lines
            .get(n + 1)
            .is_some_and(|r| is_dash_rule(&text[r.clone()]));
        let Some(columns) = aligned_header(engine, &text[lines[n].clone()], ruled) else {
            n += 1;
            continue;
        };
        let mut m = n + 1 + usize::from(ruled);
        while let Some(cells) = lines
            .get(m)
            .and_then(|r| aligned_row(text, r.clone(), &columns))
        {
            for (r, col) in cells.into_iter().zip(&columns) {
                if let Some(column) = col.column {
                    push_column_cell(engine, text, r, column, out);
                }
            }
            m += 1;
        }
        n = m.max(n + 1);
    }
}

/// A header line of an aligned table: its columns, when it has two or more, each a short
/// field name (`key_like`), cut by [`ALIGN_GAP`] or more, and enough of them known.
fn aligned_header(engine: &Engine, line: &str, ruled: bool) -> Option<Vec<Aligned>> {
    if line.contains('\t') || !line.trim().contains(ALIGN_GAP) {
        return None;
    }
    let mut columns = Vec::new();
    for (at, name) in aligned_fields(line) {
        if !super::csv::key_like(name) {
            return None;
        }
        columns.push(Aligned {
            at,
            column: column_of(engine, name),
        });
    }
    let people = of_people(columns.iter().map(|c| c.column));
    for c in &mut columns {
        c.column = c.column.map(|col| in_table_of(col, people));
    }
    let known = columns.iter().filter(|c| c.column.is_some()).count();
    (columns.len() >= 2 && (known >= 2 || ruled && known >= 1)).then_some(columns)
}

/// The fields of a line cut by [`ALIGN_GAP`] or more: each with the character it starts at.
fn aligned_fields(line: &str) -> Vec<(usize, &str)> {
    let mut fields = Vec::new();
    let mut start: Option<(usize, usize)> = None;
    let mut blanks = 0;
    let mut last_end = 0;
    for (col, (i, ch)) in line.char_indices().enumerate() {
        if ch == ' ' {
            blanks += 1;
            if blanks == 2 {
                if let Some((c, b)) = start.take() {
                    fields.push((c, &line[b..last_end]));
                }
            }
            continue;
        }
        blanks = 0;
        if start.is_none() {
            start = Some((col, i));
        }
        last_end = i + ch.len_utf8();
    }
    if let Some((c, b)) = start {
        fields.push((c, &line[b..last_end]));
    }
    fields
}

/// A row under an aligned header: the byte range of each column's cell, or `None` when
/// the line is no row of the table (see [`aligned`]).
fn aligned_row(text: &str, line: Range<usize>, columns: &[Aligned]) -> Option<Vec<Range<usize>>> {
    let row = &text[line.clone()];
    if row.trim().is_empty() || row.contains('\t') || is_dash_rule(row) {
        return None;
    }
    let chars: Vec<(usize, char)> = row.char_indices().collect();
    let byte_at = |col: usize| chars.get(col).map_or(row.len(), |(i, _)| *i);
    let blank_at = |col: usize| chars.get(col).is_none_or(|(_, c)| c.is_whitespace());
    let mut cells = Vec::with_capacity(columns.len());
    let mut filled = 0;
    for (j, col) in columns.iter().enumerate() {
        let start = if j == 0 { 0 } else { col.at };
        // A word across the edge between two columns: the line is not laid out by them.
        if j > 0 && start > 0 && !blank_at(start - 1) && !blank_at(start) {
            return None;
        }
        let end = columns.get(j + 1).map_or(chars.len(), |c| c.at);
        let (s, e) = (byte_at(start), byte_at(end.max(start)));
        if !row[s..e].trim().is_empty() {
            filled += 1;
        }
        cells.push(line.start + s..line.start + e);
    }
    (filled >= 2).then_some(cells)
}

/// `-----  ------`, `=====`: a rule under a header.
fn is_dash_rule(line: &str) -> bool {
    let t = line.trim();
    t.len() >= 3
        && t.contains(['-', '='])
        && t.chars().all(|c| matches!(c, '-' | '=' | ' ' | '+' | '|'))
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

    fn columns(at: &[usize]) -> Vec<Aligned> {
        at.iter().map(|&at| Aligned { at, column: None }).collect()
    }

    #[test]
    fn aligned_fields_are_cut_at_two_blanks() {
        let f = aligned_fields("  Last Name     DOB   Zip");
        assert_eq!(f, vec![(2, "Last Name"), (16, "DOB"), (22, "Zip")]);
        // Characters, not bytes: an accent before a column does not move it.
        let f = aligned_fields("José  Zip");
        assert_eq!(f, vec![(0, "José"), (6, "Zip")]);
    }

    #[test]
    fn aligned_rows_keep_to_their_columns() {
        let header = "NAME            DOB         MRN";
        let cols = columns(
            &aligned_fields(header)
                .iter()
                .map(|f| f.0)
                .collect::<Vec<_>>(),
        );
        let row = "Ines Delacroix  1931-02-03  4410827";
        let cells = aligned_row(row, 0..row.len(), &cols).expect("a row");
        let cells: Vec<&str> = cells.into_iter().map(|r| row[r].trim()).collect();
        assert_eq!(cells, vec!["Ines Delacroix", "1931-02-03", "4410827"]);
        // An empty cell is still a row; a word across a column's edge is none, nor is a
        // line with one column filled (prose after the table), a rule or a blank line.
        let gap = "Ines Delacroix              4410827";
        assert!(aligned_row(gap, 0..gap.len(), &cols).is_some());
        let prose = "Patient tolerated the session without complaint today.";
        assert!(aligned_row(prose, 0..prose.len(), &cols).is_none());
        let short = "Seen.";
        assert!(aligned_row(short, 0..short.len(), &cols).is_none());
        for line in ["-------------   ----------", "", "   "] {
            assert!(aligned_row(line, 0..line.len(), &cols).is_none(), "{line}");
        }
    }

    #[test]
    fn dash_rules() {
        assert!(is_dash_rule("----  ----- ---"));
        assert!(is_dash_rule("===="));
        assert!(!is_dash_rule("- item"));
        assert!(!is_dash_rule("--"));
    }

    #[test]
    fn a_rewrite_keeps_the_next_column_in_place() {
        let text = "93    01085\n";
        let mut out = String::from("over 89");
        // Two blanks kept between the columns, the rest taken by the longer rewrite.
        assert_eq!(realign(text, 2, "93", "over 89", &mut out), 2);
        let mut out = String::from("010");
        assert_eq!(realign("01085  x", 5, "01085", "010", &mut out), 0);
        assert_eq!(out, "010  ");
        // At a line's end, or one blank before the next cell: written as it comes.
        let mut out = String::new();
        assert_eq!(realign("93\nx", 2, "93", "over 89", &mut out), 0);
        assert_eq!(realign("93 | x", 2, "93", "over 89", &mut out), 0);
        assert!(out.is_empty());
    }
}
