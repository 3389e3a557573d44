//! CSV (RFC 4180) and TSV tables: reading cells, rewriting them by column, writing back.
//!
//! Owns the cell reader (quoted cells with doubled quotes and line breaks inside, `\r\n`,
//! `\n` or `\r` row ends, each kept as written) and the writer: a cell nothing changes is
//! written byte for byte, quotes included; a rewritten one is quoted when it was, or when
//! it must be. A header row names the columns, and each name goes through the JSON key rules
//! ([`super::fields::FieldRules::generic`]): a PHI column is transformed whole, a code
//! column kept while its values are shaped like codes, and every other cell read like a
//! JSON value under an unknown key ([`Engine::scan_value`]).
//!
//! Fail closed: a table with no header (no cell of the first row is a known field name) or
//! with rows of different lengths has every cell read as unknown; a quote that never closes,
//! or text after a closing quote, is refused. TSV (IANA `text/tab-separated-values`) has no
//! quoting: its cells are taken as written.
//!
//! A table also arrives as text: a CSV or TSV export pasted into a JSON string or sent as
//! `text/plain`. [`table_delimiter`] finds one by its shape and header, so it is read by
//! column as well, not as prose.

use std::borrow::Cow;

use super::fields::{normalize_key, Field};
use super::json::learnable;
use super::{Engine, Output, ScanError};
use crate::detect::learned::Learned;
use crate::detect::Scratch;
use crate::phi::{PhiType, Span};
use crate::transform::{DocContext, Transformer};

/// One cell: as written, and as it reads.
struct Cell<'a> {
    raw: &'a str,
    value: Cow<'a, str>,
    quoted: bool,
}

/// One row and the line end written after it (empty for the last row).
struct Row<'a> {
    cells: Vec<Cell<'a>>,
    end: &'a str,
}

impl Row<'_> {
    /// A blank line: one empty, unquoted cell.
    fn is_blank(&self) -> bool {
        matches!(self.cells.as_slice(), [c] if c.raw.is_empty())
    }
}

/// Reads a table. `quoting`: RFC 4180 quoted cells (CSV); off for TSV.
fn read(text: &str, delimiter: u8, quoting: bool) -> Result<Vec<Row<'_>>, ScanError> {
    let bytes = text.as_bytes();
    let mut rows = Vec::new();
    let mut cells = Vec::new();
    let mut i = 0;
    let mut line = 1;
    loop {
        let (cell, next) = if quoting && bytes.get(i) == Some(&b'"') {
            read_quoted(text, i, &mut line)?
        } else {
            let end = bytes[i..]
                .iter()
                .position(|b| *b == delimiter || matches!(b, b'\r' | b'\n'))
                .map_or(bytes.len(), |p| i + p);
            let raw = &text[i..end];
            (
                Cell {
                    raw,
                    value: Cow::Borrowed(raw),
                    quoted: false,
                },
                end,
            )
        };
        cells.push(cell);
        match bytes.get(next) {
            Some(b) if *b == delimiter => i = next + 1,
            Some(b'\r' | b'\n') => {
                let len = if bytes[next..].starts_with(b"\r\n") {
                    2
                } else {
                    1
                };
                rows.push(Row {
                    cells: std::mem::take(&mut cells),
                    end: &text[next..next + len],
                });
                line += 1;
                i = next + len;
                if i == bytes.len() {
                    return Ok(rows);
                }
            }
            Some(_) => {
                return Err(ScanError::Csv {
                    line,
                    reason: "text after a closing quote",
                })
            }
            None => {
                rows.push(Row { cells, end: "" });
                return Ok(rows);
            }
        }
    }
}

/// A quoted cell starting at `start` (the opening quote); returns it and where it ends.
fn read_quoted<'a>(
    text: &'a str,
    start: usize,
    line: &mut usize,
) -> Result<(Cell<'a>, usize), ScanError> {
    let bytes = text.as_bytes();
    let opened = *line;
    let mut i = start + 1;
    let mut doubled = false;
    loop {
        match bytes.get(i) {
            None => {
                return Err(ScanError::Csv {
                    line: opened,
                    reason: "a quoted cell never closes",
                })
            }
            Some(b'"') if bytes.get(i + 1) == Some(&b'"') => {
                doubled = true;
                i += 2;
            }
            Some(b'"') => break,
            Some(b'\n') => {
                *line += 1;
                i += 1;
            }
            Some(_) => i += 1,
        }
    }
    let inner = &text[start + 1..i];
    let value = if doubled {
        Cow::Owned(inner.replace("\"\"", "\""))
    } else {
        Cow::Borrowed(inner)
    };
    Ok((
        Cell {
            raw: &text[start..=i],
            value,
            quoted: true,
        },
        i + 1,
    ))
}

/// Writes a rewritten cell: quoted when it was or when it must be (CSV); for TSV, which
/// cannot quote, a tab or line break a transform wrote becomes a space.
fn write_cell(value: &str, was_quoted: bool, delimiter: u8, quoting: bool, out: &mut String) {
    if !quoting {
        out.extend(value.chars().map(|c| match c {
            '\t' | '\r' | '\n' => ' ',
            c => c,
        }));
        return;
    }
    let must = value
        .bytes()
        .any(|b| b == delimiter || matches!(b, b'"' | b'\r' | b'\n'));
    if was_quoted || must {
        out.push('"');
        out.push_str(&value.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(value);
    }
}

/// De-identifies a CSV (`,`) or TSV (`\t`) table.
pub fn deidentify(
    engine: &Engine,
    text: &str,
    delimiter: u8,
    t: &Transformer<'_>,
    scratch: &mut Scratch,
) -> Result<Output, ScanError> {
    let quoting = delimiter != b'\t';
    let rows = read(text, delimiter, quoting)?;
    let (head, columns) = match column_rules(engine, &rows) {
        Some((head, cols)) => (head, Some(cols)),
        None => (0, None),
    };
    let mut learned = Learned::default();
    let body = if columns.is_some() {
        &rows[head + 1..]
    } else {
        &rows[..]
    };
    if let Some(cols) = &columns {
        for row in body {
            for (cell, f) in row.cells.iter().zip(cols) {
                if let Field::Phi(ty) = f {
                    if learnable(*ty) {
                        learned.add(*ty, &cell.value);
                    }
                }
            }
        }
    }
    learned.finish();
    let mut w = Writer {
        engine,
        t,
        scratch,
        learned,
        recalled_for: None,
        text,
        spans: Vec::new(),
        counts: [0; PhiType::ALL.len()],
        out: String::with_capacity(text.len() + text.len() / 4),
        delimiter,
        quoting,
    };
    for (n, row) in rows.iter().enumerate() {
        match &columns {
            // A title or comment line above the header is read as text.
            Some(_) if n < head => w.row(row, None)?,
            Some(cols) if n == head => w.header(row, cols)?,
            Some(cols) => w.row(row, Some(cols))?,
            None => w.row(row, None)?,
        }
    }
    Ok(Output {
        text: w.out,
        spans: w.spans,
        counts: w.counts,
    })
}

/// Most title or comment lines read above a header (`Patient export 2026-12-05`, `# …`).
const MAX_PREAMBLE: usize = 3;

/// The header's row and each column's rule from it, or `None` when the table has no header
/// (no cell of its first row, after at most [`MAX_PREAMBLE`] lines of one cell or opening
/// with `#`, is a known field name) or is ragged.
fn column_rules(engine: &Engine, rows: &[Row<'_>]) -> Option<(usize, Vec<Field>)> {
    let head = preamble(rows);
    // A one-column table has no title line: its first row is its header.
    let head = match rows.get(head) {
        Some(r) if r.cells.len() >= 2 => head,
        _ => 0,
    };
    let header = rows.get(head)?;
    let width = header.cells.len();
    if rows[head..]
        .iter()
        .any(|r| r.cells.len() != width && !r.is_blank())
    {
        return None;
    }
    let mut rules: Vec<Field> = header
        .cells
        .iter()
        .map(|c| {
            let key = normalize_key(&c.value);
            engine
                .fields
                .text_field(engine.fields.generic(&key, None), &key)
        })
        .collect();
    // In a table of people (a column only a person has: an age, a ZIP, an MRN…), a bare
    // `Name`, `First` or `Last` column holds their names whole, as in a text's table
    // ([`super::cells`]): `name,age,zip` over `tam quenby,93,01085` crossed in a JSON
    // string before.
    let people = rules
        .iter()
        .any(|f| matches!(f, Field::Phi(ty) if super::cells::PERSON_ONLY.contains(ty)));
    if people {
        for (rule, cell) in rules.iter_mut().zip(&header.cells) {
            let key = normalize_key(cell.value.trim());
            if *rule == Field::Scan && (key == "name" || engine.fields.is_name_key(&key)) {
                *rule = Field::Phi(PhiType::Name);
            }
        }
    }
    rules
        .iter()
        .any(|f| *f != Field::Scan)
        .then_some((head, rules))
}

/// Delimiters a body labelled CSV is read with, in the order a tie is settled: the
/// comma, the semicolon of European spreadsheets (whose decimal mark is the comma), and
/// the tab and pipe of exports labelled `text/csv` all the same (red team 58, R5/P7).
const LABELLED: &[u8] = b",;\t|";

/// The delimiter of a body labelled CSV, or `None` when no delimiter cuts it into a table
/// (the caller reads it as text, never as one cell a row). Excel's first line `sep=X`
/// names it; else it is the delimiter that cuts every row past the title lines into the
/// same number of cells, two or more (the most cells when several do); else `;` when the
/// first delimited line has semicolons and no comma, or `,`. Read with the wrong one, a
/// row was one cell: a tab or pipe table crossed as one value a row, age and ZIP intact.
pub fn labelled_delimiter(text: &str) -> Option<u8> {
    if let Some(d) = sep_hint(text) {
        return Some(d);
    }
    let consistent = LABELLED
        .iter()
        .enumerate()
        .filter_map(|(rank, &d)| consistent_width(text, d).map(|w| (w, std::cmp::Reverse(rank), d)))
        .max();
    if let Some((_, _, d)) = consistent {
        return Some(d);
    }
    let line = text
        .lines()
        .take(MAX_PREAMBLE + 1)
        .find(|l| l.contains([',', ';']));
    match line.map(|l| (l.contains(';'), l.contains(','))) {
        Some((true, false)) => Some(b';'),
        Some(_) => Some(b','),
        None if text.bytes().any(|b| b == b'\t' || b == b'|') => None,
        None => Some(b','),
    }
}

/// The delimiter Excel's first line names (`sep=;`, `sep=|`, `sep=` and a tab).
fn sep_hint(text: &str) -> Option<u8> {
    let first = text.split(['\r', '\n']).next()?;
    match first.strip_prefix("sep=")?.as_bytes() {
        [d] if LABELLED.contains(d) => Some(*d),
        _ => None,
    }
}

/// Excel's `sep=X` line as a row read with its delimiter: `sep=` and one empty cell.
fn is_sep_row(row: &Row<'_>) -> bool {
    matches!(row.cells.as_slice(), [s, e] if s.raw == "sep=" && e.raw.is_empty())
}

/// The number of cells `d` cuts every filled row into, past the title lines, when it is
/// the same for all, two or more, over two rows or more (a header and a row at least). One
/// row is no evidence: cut by `;`, a CSV's note of HTML entities (`&#x35;&#x31;…`) was
/// one wide row under a header read as a title line, and the entities crossed unread.
fn consistent_width(text: &str, d: u8) -> Option<usize> {
    let rows = read(text, d, d != b'\t').ok()?;
    let head = preamble(&rows);
    let mut filled = rows[head..].iter().filter(|r| !r.is_blank());
    let width = filled.next()?.cells.len();
    let mut rest = filled.peekable();
    rest.peek()?;
    (width >= 2 && rest.all(|r| r.cells.len() == width)).then_some(width)
}

/// The title or comment lines above a table's header: at most [`MAX_PREAMBLE`] rows of
/// one cell or opening with `#`, or Excel's `sep=` line first.
fn preamble(rows: &[Row<'_>]) -> usize {
    rows.iter()
        .take(MAX_PREAMBLE)
        .enumerate()
        .take_while(|(n, r)| {
            r.cells.len() == 1 || r.cells[0].raw.starts_with('#') || (*n == 0 && is_sep_row(r))
        })
        .count()
}

/// Delimiters of a table in a string of a structured payload (an `"export"` value).
pub const IN_STRINGS: &[u8] = b"\t,";
/// Delimiters of a table sent as a text body: a comma only. A note laid out with tabs
/// reads like a TSV table, and read by column its values lose the sentence around them
/// (one such note of the held-out notes leaked a value more); a TSV or pipe table in
/// text is read as prose with its cells typed by their header ([`super::cells`]).
pub const IN_TEXT: &[u8] = b",";

/// The delimiter of a table written as text (a CSV or TSV export pasted into a JSON
/// string or sent as `text/plain`), or `None` when `text` is no such table: two rows or
/// more, every row with the same number of cells (two or more), a header of key-like
/// names of which one at least is a known field. Such a table is read by its header
/// ([`deidentify`]) instead of as prose: a ZIP, an age or a lower-case name under its
/// column would cross as prose. `delimiters`: the ones tried, in order.
pub fn table_delimiter(engine: &Engine, text: &str, delimiters: &[u8]) -> Option<u8> {
    let t = text.trim_end_matches(['\r', '\n']);
    let first_end = t.find(['\r', '\n'])?;
    let head = &t[..first_end];
    delimiters.iter().copied().find(|&d| {
        let width = head.bytes().filter(|&b| b == d).count() + 1;
        width >= 2
            && head.split(char::from(d)).all(key_like)
            && read(t, d, d != b'\t').is_ok_and(|rows| {
                let filled = rows.iter().filter(|r| !r.is_blank());
                filled.clone().count() >= 2
                    && filled.clone().all(|r| r.cells.len() == width)
                    && column_rules(engine, &rows).is_some()
            })
    })
}

/// Longest header name read as a column's name.
const MAX_KEY_CHARS: usize = 40;

/// A header cell that reads as a column's name (`mrn`, `Last Name`, `PAT_ZIP`, `Age (yrs)`),
/// not a phrase of prose: short, opening with a letter, of letters, digits, blanks and
/// the marks of names, three words at most.
pub(crate) fn key_like(cell: &str) -> bool {
    let c = cell.trim().trim_matches('"');
    c.len() <= MAX_KEY_CHARS
        && c.chars().next().is_some_and(|ch| ch.is_ascii_alphabetic())
        && c.chars()
            .all(|ch| ch.is_ascii_alphanumeric() || " _-#.()/".contains(ch))
        && c.split_whitespace().count() <= 3
}

struct Writer<'e, 't, 's> {
    engine: &'e Engine,
    t: &'e Transformer<'t>,
    scratch: &'s mut Scratch,
    learned: Learned,
    /// The patient key whose memory `learned` carries (rows of one patient in a run
    /// share it: the vault is read when the patient changes).
    recalled_for: Option<String>,
    /// The table as it came: spans are byte ranges in it.
    text: &'e str,
    /// Each rewritten cell, whole, with the type that rewrote it (what `scan --jsonl`
    /// reports, so a table read as text is scored like the text it came as).
    spans: Vec<Span>,
    counts: [usize; PhiType::ALL.len()],
    out: String,
    delimiter: u8,
    quoting: bool,
}

impl Writer<'_, '_, '_> {
    /// Known column names stay; any other header cell is text like a form's unknown key.
    fn header(&mut self, row: &Row<'_>, cols: &[Field]) -> Result<(), ScanError> {
        let ctx = DocContext::default();
        for (i, (cell, f)) in row.cells.iter().zip(cols).enumerate() {
            self.separator(i);
            let before = self.counts;
            let new = match f {
                // A column name in capitals (`SPOUSE_NM`) stays as written (H16).
                Field::Scan
                    if self.engine.keeps_column_name(
                        cell.value.trim(),
                        &self.learned,
                        self.scratch,
                    ) =>
                {
                    None
                }
                // One with a name in it is a name whole (`ROSALIND_THACKERAY_NOTE`).
                Field::Scan if self.engine.column_name_holds_a_name(cell.value.trim()) => Some(
                    self.t
                        .apply_field(PhiType::Name, &cell.value, &ctx, &mut self.counts)?,
                ),
                Field::Scan => Some(self.scan(&cell.value, &ctx)?),
                _ => None,
            };
            let ty = self.found_since(&before);
            self.cell(cell, new, ty);
        }
        self.out.push_str(row.end);
        Ok(())
    }

    fn row(&mut self, row: &Row<'_>, cols: Option<&[Field]>) -> Result<(), ScanError> {
        let ctx = DocContext {
            patient_key: cols.and_then(|c| patient_key(row, c)),
        };
        match (cols, &ctx.patient_key) {
            (Some(cols), Some(key)) => self.recall(row, cols, key)?,
            _ if self.recalled_for.take().is_some() => self.learned.set_memory(None),
            _ => {}
        }
        for (i, cell) in row.cells.iter().enumerate() {
            self.separator(i);
            let field = cols.and_then(|c| c.get(i)).copied().unwrap_or(Field::Scan);
            let v = cell.value.as_ref();
            let before = self.counts;
            let new = match field {
                _ if v.is_empty() => None,
                Field::Keep if self.engine.keeps_code(v, &self.learned, self.scratch) => None,
                Field::Remove => Some(String::new()),
                Field::Phi(ty) if !v.trim().is_empty() => {
                    Some(self.t.apply_field(ty, v, &ctx, &mut self.counts)?)
                }
                _ => Some(self.scan(v, &ctx)?),
            };
            let ty = match field {
                Field::Phi(ty) => Some(ty),
                _ => self.found_since(&before),
            };
            self.cell(cell, new, ty);
        }
        self.out.push_str(row.end);
        Ok(())
    }

    /// A row with a patient key: its patient's values (not dates: a table's date column
    /// is as often a visit as a birth) are remembered, and their memory is searched in the
    /// row's text ([`crate::memory`]).
    fn recall(&mut self, row: &Row<'_>, cols: &[Field], key: &str) -> Result<(), ScanError> {
        let mut mine = Learned::default();
        for (cell, f) in row.cells.iter().zip(cols) {
            match f {
                Field::Phi(PhiType::Date) => {}
                Field::Phi(ty) => mine.remember(*ty, &cell.value),
                _ => {}
            }
        }
        let same_patient = self.recalled_for.as_deref() == Some(key);
        if same_patient && mine.patient_values().is_empty() {
            return Ok(());
        }
        self.engine
            .recall_patient(self.t, &[key.to_string()], &mut mine)?;
        self.learned.set_memory(mine.take_memory());
        self.recalled_for = Some(key.to_string());
        Ok(())
    }

    fn scan(&mut self, v: &str, ctx: &DocContext) -> Result<String, ScanError> {
        self.engine.scan_value(
            v,
            &self.learned,
            self.t,
            ctx,
            self.scratch,
            &mut self.counts,
        )
    }

    fn separator(&mut self, i: usize) {
        if i > 0 {
            self.out.push(char::from(self.delimiter));
        }
    }

    /// The first type counted since `before`: what rewrote a scanned cell.
    fn found_since(&self, before: &[usize; PhiType::ALL.len()]) -> Option<PhiType> {
        PhiType::ALL
            .iter()
            .copied()
            .find(|ty| self.counts[ty.index()] > before[ty.index()])
    }

    /// The cell as written when nothing changed it; a changed one is a span of type `ty`.
    fn cell(&mut self, cell: &Cell<'_>, new: Option<String>, ty: Option<PhiType>) {
        match new {
            Some(n) if n != cell.value => {
                let start = (cell.raw.as_ptr() as usize).wrapping_sub(self.text.as_ptr() as usize);
                if let (Some(ty), true) = (ty, start <= self.text.len()) {
                    let end = start + cell.raw.len();
                    self.spans.push(Span { start, end, ty });
                }
                write_cell(&n, cell.quoted, self.delimiter, self.quoting, &mut self.out)
            }
            _ => self.out.push_str(cell.raw),
        }
    }
}

/// A row's patient: its first MRN or SSN column (dates shift alike for one patient).
fn patient_key(row: &Row<'_>, cols: &[Field]) -> Option<String> {
    row.cells.iter().zip(cols).find_map(|(c, f)| match f {
        Field::Phi(ty @ (PhiType::Mrn | PhiType::Ssn)) if !c.value.trim().is_empty() => {
            Some(format!("{ty}:{}", c.value.to_lowercase()))
        }
        _ => None,
    })
}

/// Reveals tokens in every cell of a table, writing each changed cell back quoted as
/// needed; `reveal` maps one cell's text.
pub fn rewrite_cells<E>(
    text: &str,
    delimiter: u8,
    mut reveal: impl FnMut(&str) -> Result<String, E>,
) -> Result<String, E>
where
    E: From<ScanError>,
{
    let quoting = delimiter != b'\t';
    let rows = read(text, delimiter, quoting)?;
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    for row in &rows {
        for (i, cell) in row.cells.iter().enumerate() {
            if i > 0 {
                out.push(char::from(delimiter));
            }
            let new = reveal(&cell.value)?;
            if new == cell.value {
                out.push_str(cell.raw);
            } else {
                write_cell(&new, cell.quoted, delimiter, quoting, &mut out);
            }
        }
        out.push_str(row.end);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(text: &str, d: u8) -> Vec<Vec<String>> {
        read(text, d, d != b'\t')
            .expect("reads")
            .iter()
            .map(|r| r.cells.iter().map(|c| c.value.to_string()).collect())
            .collect()
    }

    #[test]
    fn rfc4180_cells_and_line_ends() {
        let t = "a,\"b,1\",\"say \"\"hi\"\"\"\r\n\"two\nlines\",,x\n";
        assert_eq!(
            values(t, b','),
            vec![vec!["a", "b,1", "say \"hi\""], vec!["two\nlines", "", "x"]]
        );
        assert_eq!(values("a\tb\"c\n", b'\t'), vec![vec!["a", "b\"c"]]);
        assert!(matches!(
            read("a,\"open\n", b',', true),
            Err(ScanError::Csv { line: 1, .. })
        ));
        assert!(matches!(
            read("a\n\"x\"y,b", b',', true),
            Err(ScanError::Csv { line: 2, .. })
        ));
    }

    #[test]
    fn a_csv_label_is_read_with_the_delimiter_that_cuts_it() {
        // Excel's hint line names it, whatever the rows hold.
        assert_eq!(labelled_delimiter("sep=;\na;b\n1,5;2\n"), Some(b';'));
        assert_eq!(labelled_delimiter("sep=|\r\na|b\r\n"), Some(b'|'));
        // Otherwise the one that cuts every row alike, the widest when several do.
        assert_eq!(labelled_delimiter("a\tb\tc\n1\t2\t3\n"), Some(b'\t'));
        assert_eq!(
            labelled_delimiter("name|age|zip\nx y|93|01085\n"),
            Some(b'|')
        );
        assert_eq!(labelled_delimiter("a,b;c\n1,2;3\n"), Some(b','));
        assert_eq!(labelled_delimiter("a;b\n\"1,5\";2\n"), Some(b';'));
        assert_eq!(
            labelled_delimiter("Export 2026-12-05\na\tb\n1\t2\n"),
            Some(b'\t')
        );
        // A ragged comma table is still a CSV; text with no comma or semicolon is none.
        assert_eq!(labelled_delimiter("a,b\n1,2,3\n"), Some(b','));
        assert_eq!(labelled_delimiter("one\ttwo\nthree\n"), None);
        assert_eq!(labelled_delimiter("mrn\nMR1\n"), Some(b','));
    }

    #[test]
    fn excel_s_hint_line_is_no_header() {
        let rows = read("sep=;\na;b\n1;2\n", b';', true).expect("reads");
        assert_eq!(preamble(&rows), 1);
        let rows = read("a;b\nsep=;\n", b';', true).expect("reads");
        assert_eq!(preamble(&rows), 0);
    }

    #[test]
    fn rewritten_cells_keep_or_gain_quotes() {
        let mut out = String::new();
        write_cell("NAME_X", true, b',', true, &mut out);
        write_cell("a,b", false, b',', true, &mut out);
        write_cell("plain", false, b',', true, &mut out);
        write_cell("a\tb", false, b'\t', false, &mut out);
        assert_eq!(out, "\"NAME_X\"\"a,b\"plaina b");
    }
}
