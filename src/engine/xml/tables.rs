//! Narrative tables in XML: a CDA section's `<text><table>`, an XHTML body, an HTML note
//! read as XML. A `<td>` under a `<th>` that names a PHI field (`Age`, `Zip`, `SSN last
//! 4`, `Age at onset`) holds that field's value (red team 55, J6), as a CSV cell under its
//! header does and as [`crate::engine::cells`] reads the same tables inside a string (a
//! FHIR `text.div`).
//!
//! Owns following the table structure while the reader streams: which column a cell is
//! in (`colspan` counted), the header of each column (the `<th>` cells, or the cells of a
//! `<thead>` row), tables nested in cells. A header the field rules do not know types
//! nothing, so a clinical table (`Grip | 22 kg`) is read as the prose it was; only text
//! a rule leaves to be read (`scan`) takes its column's type.

use crate::engine::cells::header_type;
use crate::engine::fields::FieldRules;
use crate::phi::PhiType;

/// Widest `colspan` counted (a larger one is read as this).
const MAX_COLSPAN: usize = 64;
/// Most columns a table's header is kept for.
const MAX_COLUMNS: usize = 256;

/// Longest cell text typed as its column's value (a longer one is prose, read as such).
const MAX_VALUE_CHARS: usize = 200;

/// Whether a run of a cell's text reads as one value: not blank, one line, not longer
/// than a value.
pub(super) fn holds_a_value(reading: &str) -> bool {
    let v = reading.trim();
    !v.is_empty() && v.len() <= MAX_VALUE_CHARS && !v.contains('\n')
}

/// The elements that lay a table out: a cell's type is decided by them, never inherited.
pub(super) fn is_table_element(local: &str) -> bool {
    [
        "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "colgroup", "col",
    ]
    .iter()
    .any(|n| local.eq_ignore_ascii_case(n))
}

/// One open table: its columns' types, the row being read, and the cell open in it.
#[derive(Default)]
struct Table {
    headers: Vec<Option<PhiType>>,
    col: usize,
    in_head: bool,
    /// The open cell: its first column, its span, whether it heads, its text so far.
    cell: Option<Cell>,
    /// The row's header cells read so far: column, span and type. A row of header cells
    /// only names the columns when its row ends; one with data cells labels them.
    row_heads: Vec<(usize, usize, Option<PhiType>)>,
    row_has_data: bool,
    /// The type the row's first cell names, when it is a data cell holding a field name
    /// (`<td>Age</td><td>93</td>`: a label and its value).
    row_label: Option<PhiType>,
}

struct Cell {
    col: usize,
    span: usize,
    heads: bool,
    text: String,
}

/// Longest cell text gathered to be read as a name.
const MAX_NAME_CHARS: usize = 64;

/// The tables open at the reader's position, innermost last.
#[derive(Default)]
pub(super) struct Tables {
    open: Vec<Table>,
}

impl Tables {
    /// An element opens (`local`: its local name; `colspan`: its attribute, if any).
    /// Returns the type of a data cell's value, when its header names one.
    pub(super) fn open(&mut self, local: &str, colspan: Option<&str>) -> Option<PhiType> {
        let name = local.to_ascii_lowercase();
        if name == "table" {
            self.open.push(Table::default());
            return None;
        }
        let table = self.open.last_mut()?;
        match name.as_str() {
            "thead" => table.in_head = true,
            "tbody" | "tfoot" => table.in_head = false,
            "tr" => table.start_row(),
            "th" | "td" => return table.open_cell(name == "th", colspan),
            _ => {}
        }
        None
    }

    /// An empty element (`<td/>`): a cell that takes its columns and holds nothing.
    pub(super) fn empty(&mut self, local: &str, colspan: Option<&str>, keys: Option<&FieldRules>) {
        if local.eq_ignore_ascii_case("table") {
            return;
        }
        self.open(local, colspan);
        self.close(local, keys);
    }

    /// Character data read at the reader's position (a cell's text is gathered).
    pub(super) fn text(&mut self, reading: &str) {
        if let Some(cell) = self.open.last_mut().and_then(|t| t.cell.as_mut()) {
            if cell.text.len() <= MAX_NAME_CHARS {
                cell.text.push_str(reading);
            }
        }
    }

    /// An element closes: a cell is read; a row or a table ends.
    pub(super) fn close(&mut self, local: &str, keys: Option<&FieldRules>) {
        let name = local.to_ascii_lowercase();
        if name == "table" {
            self.open.pop();
            return;
        }
        let Some(t) = self.open.last_mut() else {
            return;
        };
        match name.as_str() {
            "thead" => t.in_head = false,
            "tr" => t.end_row(),
            "th" | "td" => t.close_cell(keys),
            _ => {}
        }
    }
}

impl Table {
    fn start_row(&mut self) {
        self.end_row();
        self.col = 0;
        self.row_has_data = false;
        self.row_label = None;
    }

    /// A row of header cells only names the columns under it.
    fn end_row(&mut self) {
        self.cell = None;
        let heads = std::mem::take(&mut self.row_heads);
        if self.row_has_data {
            return;
        }
        for (col, span, ty) in heads {
            let end = (col + span).min(MAX_COLUMNS);
            if self.headers.len() < end {
                self.headers.resize(end, None);
            }
            for h in self.headers.iter_mut().take(end).skip(col) {
                *h = ty;
            }
        }
    }

    /// A cell opens; a data cell's type: the one its row's header cell names, else its
    /// column's header's, else, in a table with no header row, the field its row's first
    /// cell names (the second cell of `<td>Age</td><td>93</td>`).
    fn open_cell(&mut self, th: bool, colspan: Option<&str>) -> Option<PhiType> {
        let span = colspan
            .and_then(|s| s.trim().parse::<usize>().ok())
            .unwrap_or(1)
            .clamp(1, MAX_COLSPAN);
        let col = self.col;
        self.col = self.col.saturating_add(span);
        let heads = th || self.in_head;
        self.cell = Some(Cell {
            col,
            span,
            heads,
            text: String::new(),
        });
        if heads {
            return None;
        }
        self.row_has_data = true;
        let row_head = self.row_heads.last().and_then(|(_, _, ty)| *ty);
        row_head
            .or(self.headers.get(col).copied().flatten())
            .or(self
                .row_label
                .filter(|_| col == 1 && self.headers.is_empty()))
    }

    fn close_cell(&mut self, keys: Option<&FieldRules>) {
        let Some(cell) = self.cell.take() else {
            return;
        };
        let ty = match keys {
            Some(k) if cell.text.len() <= MAX_NAME_CHARS => header_type(k, &cell.text),
            _ => None,
        };
        if cell.heads {
            self.row_heads.push((cell.col, cell.span, ty));
        } else if cell.col == 0 {
            self.row_label = ty;
        }
    }
}
