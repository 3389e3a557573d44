//! Numbers under a phone column of a table written in text (issue 13, stop 42): a
//! Markdown or pipe table whose header names a column `Phone`, `Tel`, `Ext` or the like
//! holds a contact's number in every row of that column, however short (`| John Hasler |
//! grandson | 1261 |`: an extension alone), where no rule's shape reads it.
//!
//! Reads only lines that open with `|`; a table ends at the first line that does not. The
//! header cells that name a phone column are data: `phone_column_headers` in
//! `patterns/text/structures.toml`.

use rustc_hash::FxHashSet;

use crate::phi::{PhiType, Span};

/// Most cells a row is read for: a wider table is no contacts table.
const MAX_COLUMNS: usize = 12;

/// The numbers under a phone column of every pipe table in `text`, as PHONE spans;
/// `headers` are the whole header cells (lower case) that name such a column.
pub(crate) fn phone_columns(text: &str, headers: &FxHashSet<Box<[u8]>>) -> Vec<Span> {
    let mut out = Vec::new();
    if !text.contains('|') {
        return out;
    }
    let b = text.as_bytes();
    let mut column: Option<usize> = None;
    let mut at = 0;
    while at < b.len() {
        let end = b[at..]
            .iter()
            .position(|&c| c == b'\n')
            .map_or(b.len(), |n| at + n);
        let line = &b[at..end];
        let trimmed = line.trim_ascii_start();
        if !trimmed.starts_with(b"|") {
            column = None;
        } else {
            let cells = cells(line, at);
            match column {
                None => {
                    column = cells.iter().take(MAX_COLUMNS).position(|&(a, z)| {
                        headers.contains(b[a..z].trim_ascii().to_ascii_lowercase().as_slice())
                    });
                }
                Some(k) => {
                    if let Some(&(a, z)) = cells.get(k) {
                        if let Some(span) = number_in(b, a, z) {
                            out.push(span);
                        }
                    }
                }
            }
        }
        at = end + 1;
    }
    out
}

/// The cells of a pipe-table line starting at byte `offset`: the byte ranges between its
/// pipes, the empty one before the first pipe left out.
fn cells(line: &[u8], offset: usize) -> Vec<(usize, usize)> {
    let pipes: Vec<usize> = line
        .iter()
        .enumerate()
        .filter(|(_, &c)| c == b'|')
        .map(|(n, _)| offset + n)
        .collect();
    pipes.windows(2).map(|w| (w[0] + 1, w[1])).collect()
}

/// The cell `a..z` holds a number one dials and nothing else (digits, with spaces, dots,
/// dashes, brackets, a `+` or an `x` extension; three digits or more; a separator row's
/// `---` is none): its trimmed span.
fn number_in(b: &[u8], a: usize, z: usize) -> Option<Span> {
    let lead = b[a..z]
        .iter()
        .take_while(|c| c.is_ascii_whitespace())
        .count();
    let trail = b[a..z]
        .iter()
        .rev()
        .take_while(|c| c.is_ascii_whitespace())
        .count();
    let (start, end) = (a + lead, z.saturating_sub(trail));
    if start >= end {
        return None;
    }
    let cell = &b[start..end];
    let digits = cell.iter().filter(|c| c.is_ascii_digit()).count();
    let dialable = cell.iter().all(|c| {
        c.is_ascii_digit() || matches!(c, b' ' | b'.' | b'-' | b'(' | b')' | b'+' | b'x' | b'X')
    });
    (digits >= 3 && dialable && cell[0] != b'-').then_some(Span {
        start,
        end,
        ty: PhiType::Phone,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<&str> {
        let structures = super::super::structure::Structures::build(include_str!(
            "../../patterns/text/structures.toml"
        ))
        .expect("structures");
        phone_columns(text, &structures.phone_column_headers)
            .iter()
            .map(|s| &text[s.start..s.end])
            .collect()
    }

    #[test]
    fn numbers_under_a_phone_column_are_found() {
        let text = "| Name | Relation | Phone |\n|---|---|---|\n| John Hasler | grandson | 1261 |\n| David Kelly | therapist | (555) 201-3344 x12 |\nThanks";
        assert_eq!(found(text), vec!["1261", "(555) 201-3344 x12"]);
        let lower = "| name | ext |\n|---|---|\n| ward clerk | 4471 |";
        assert_eq!(found(lower), vec!["4471"]);
    }

    #[test]
    fn other_columns_and_other_tables_stay() {
        for text in [
            "| Test | Result | Units |\n|---|---|---|\n| Hgb | 1261 | g/L |",
            "| Name | Phone |\n|---|---|\n| Ann | see chart |",
            "| Name | Phone |\n|---|---|\nDose 1261 mg | 4412 |",
            "no table | 1261 | here",
        ] {
            assert_eq!(found(text), Vec::<&str>::new(), "{text}");
        }
    }
}
