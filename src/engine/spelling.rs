//! Values that read one way and are written another: an HL7 `Ans\X65\l`, an XML
//! `Ans&#101;l` or `O&apos;Brien`, where the reading (`Ansel`) is what detection sees and
//! the writing is what the sender chose among equivalent spellings.
//!
//! Owns [`Spelled`] (a value's reading, its written form and the pieces where they
//! differ), the private-use markers that carry a spelling inside a value, and
//! [`Engine::scan_spelled`], which finds PHI in the reading and replaces it in the written
//! form. So a rewritten value keeps every spelling outside what changed, and under exact
//! tokens (the `reversible` policy) a token stands for the value as written: reveal then
//! restores the original bytes. A value revealed into another format gets its plain
//! reading ([`render`]).
//!
//! A marker's text is checked again where it is written (a delimiter of the message it is
//! revealed into, a malformed reference), and what does not pass is escaped as its
//! reading: a spelling can never break a structure.

use std::borrow::Cow;
use std::ops::Range;

use super::{nested, to_source, Engine, ScanError};
use crate::detect::learned::Learned;
use crate::detect::{Scratch, Span};
use crate::phi::PhiType;
use crate::transform::{DocContext, Transformer};

/// Opens an HL7 escape sequence kept as written (`\X65\`, `\H\`): the sequence's text,
/// without its escape characters, follows up to [`HL7_CLOSE`].
pub const HL7_OPEN: char = '\u{E000}';
pub const HL7_CLOSE: char = '\u{E001}';
/// An HL7 escape character that opens no escape sequence (a lone `\`, or one before text
/// that is no sequence, as in `413\555\0172`): written back as the message's escape
/// character, read as what it stands between suggests (`engine::hl7`).
pub const HL7_LONE: char = '\u{E004}';
/// Opens an XML character as written (`&#65;`, `&apos;`, a literal `>`), up to [`XML_CLOSE`].
pub const XML_OPEN: char = '\u{E002}';
pub const XML_CLOSE: char = '\u{E003}';

/// One place where the reading and the writing differ.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Piece {
    reading: Range<usize>,
    written: Range<usize>,
}

/// A value as it reads and as it is written (with markers where they differ).
#[derive(Debug, Default)]
pub struct Spelled<'a> {
    pub reading: Cow<'a, str>,
    pub written: Cow<'a, str>,
    pieces: Vec<Piece>,
}

impl<'a> Spelled<'a> {
    /// A value written as it reads.
    pub fn same(value: Cow<'a, str>) -> Spelled<'a> {
        Spelled {
            written: value.clone(),
            reading: value,
            pieces: Vec::new(),
        }
    }

    /// Whether any part is written otherwise than it reads.
    pub fn differs(&self) -> bool {
        !self.pieces.is_empty()
    }

    /// The form tokens are made from: the written one under exact tokens, so reveal gives
    /// back the spelling; the reading otherwise, so every spelling shares one token.
    fn token_input(&self, exact: bool) -> &str {
        if exact {
            &self.written
        } else {
            &self.reading
        }
    }

    /// Where reading offset `pos` falls in the written form; inside a piece, its start
    /// (`end_side` false) or end, so a span never cuts a spelling in two. Something that
    /// reads as nothing at `pos` ([`SpelledBuilder::hidden`]) is left outside the span on
    /// either side: a span takes it only from inside (`Thack\H\eray`), so an XML cut a
    /// span merely starts at stays where it was (`; <content>MR4410827`).
    ///
    /// Pieces are in order and apart, so the last one starting before `pos` decides (a
    /// binary search: a value of many pieces costs no pass per span).
    fn to_written(&self, pos: usize, end_side: bool) -> usize {
        let k = self.pieces.partition_point(|p| {
            p.reading.start < pos || (!end_side && p.reading.is_empty() && p.reading.start == pos)
        });
        let Some(p) = k.checked_sub(1).and_then(|k| self.pieces.get(k)) else {
            return pos;
        };
        if pos >= p.reading.end {
            return p.written.end + (pos - p.reading.end);
        }
        if end_side {
            p.written.end
        } else {
            p.written.start
        }
    }
}

/// Builds a [`Spelled`] piece by piece, in order.
#[derive(Default)]
pub struct SpelledBuilder {
    reading: String,
    written: String,
    pieces: Vec<Piece>,
}

impl SpelledBuilder {
    pub fn with_capacity(n: usize) -> SpelledBuilder {
        SpelledBuilder {
            reading: String::with_capacity(n),
            written: String::with_capacity(n + 8),
            pieces: Vec::new(),
        }
    }

    /// Text that reads as it is written.
    pub fn same(&mut self, s: &str) {
        self.reading.push_str(s);
        self.written.push_str(s);
    }

    /// A character that reads as it is written.
    pub fn same_char(&mut self, c: char) {
        self.reading.push(c);
        self.written.push(c);
    }

    /// `reading`, written as `open` + `spelling` + `close`.
    pub fn piece(&mut self, reading: &str, open: char, spelling: &str, close: char) {
        if reading.is_empty() {
            // Nothing to read (a formatting command): both forms carry the marker.
            self.same_char(open);
            self.same(spelling);
            self.same_char(close);
            return;
        }
        let r = self.reading.len();
        let w = self.written.len();
        self.reading.push_str(reading);
        self.written.push(open);
        self.written.push_str(spelling);
        self.written.push(close);
        self.pieces.push(Piece {
            reading: r..self.reading.len(),
            written: w..self.written.len(),
        });
    }

    /// A whole value read and written as `s` is, its spellings kept (XML character data
    /// joined across the markup that cuts it, `engine::xml`).
    pub fn spelled(&mut self, s: &Spelled<'_>) {
        let (r, w) = (self.reading.len(), self.written.len());
        self.reading.push_str(&s.reading);
        self.written.push_str(&s.written);
        self.pieces.extend(s.pieces.iter().map(|p| Piece {
            reading: p.reading.start + r..p.reading.end + r,
            written: p.written.start + w..p.written.end + w,
        }));
    }

    /// The last character read so far.
    pub fn last_read(&self) -> Option<char> {
        self.reading.chars().next_back()
    }

    /// Something written (`open` + `spelling` + `close`) that reads as nothing: an HL7
    /// formatting command inside a word. A span over it takes it whole.
    pub fn hidden(&mut self, open: char, spelling: &str, close: char) {
        let r = self.reading.len();
        let w = self.written.len();
        self.written.push(open);
        self.written.push_str(spelling);
        self.written.push(close);
        self.pieces.push(Piece {
            reading: r..r,
            written: w..self.written.len(),
        });
    }

    /// `reading` (possibly nothing), written as the one marker `written` (an HL7 lone
    /// escape character). A span over it takes the marker whole.
    pub fn marker(&mut self, reading: &str, written: char) {
        let r = self.reading.len();
        let w = self.written.len();
        self.reading.push_str(reading);
        self.written.push(written);
        self.pieces.push(Piece {
            reading: r..self.reading.len(),
            written: w..self.written.len(),
        });
    }

    pub fn finish<'a>(self) -> Spelled<'a> {
        if self.pieces.is_empty() {
            return Spelled::same(Cow::Owned(self.reading));
        }
        Spelled {
            reading: Cow::Owned(self.reading),
            written: Cow::Owned(self.written),
            pieces: self.pieces,
        }
    }
}

/// Where a revealed value is written: markers of that format are kept (its writer spells
/// them), those of any other are read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Render {
    Plain,
    Hl7,
    Xml,
}

/// A value from the vault as `render` writes it: every marker not of that format replaced
/// by its reading. Borrowed when there is none.
pub fn render(value: &str, render: Render) -> Cow<'_, str> {
    let keeps_hl7 = render == Render::Hl7;
    let keeps_xml = render == Render::Xml;
    let has = |open| value.contains(open);
    let hl7 = !keeps_hl7 && (has(HL7_OPEN) || has(HL7_LONE));
    let xml = !keeps_xml && has(XML_OPEN);
    if !hl7 && !xml {
        return Cow::Borrowed(value);
    }
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(i) =
        rest.find(|c| (hl7 && (c == HL7_OPEN || c == HL7_LONE)) || (xml && c == XML_OPEN))
    {
        out.push_str(&rest[..i]);
        let open = rest[i..].chars().next().unwrap_or(HL7_OPEN);
        if open == HL7_LONE {
            // A lone escape character reads as itself outside HL7.
            out.push('\\');
            rest = &rest[i + HL7_LONE.len_utf8()..];
            continue;
        }
        let close = if open == HL7_OPEN {
            HL7_CLOSE
        } else {
            XML_CLOSE
        };
        let after = &rest[i + open.len_utf8()..];
        let Some(j) = after.find(close) else {
            out.push_str(&rest[i..]);
            return Cow::Owned(out);
        };
        let inner = &after[..j];
        if open == HL7_OPEN {
            // A hex sequence reads as its text; a formatting command as nothing.
            if let Some(text) = inner
                .strip_prefix(['X', 'x'])
                .and_then(super::hl7::decode_hex)
            {
                out.push_str(&text);
            }
        } else {
            out.push_str(&super::xml::read_unit(inner).unwrap_or_default());
        }
        rest = &after[j + close.len_utf8()..];
    }
    out.push_str(rest);
    Cow::Owned(out)
}

impl Engine {
    /// [`Engine::scan_value`] for a value with a spelling: PHI is found in the reading and
    /// replaced in the written form, so what is returned is written form (markers
    /// included) with tokens in place. Nested payloads and encoded runs are opened from
    /// the reading and come back as read. Borrowed (the written form) when nothing
    /// changed, so an unchanged value costs no copy.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn scan_spelled<'v>(
        &self,
        v: &'v Spelled<'_>,
        learned: &Learned,
        t: &Transformer<'_>,
        ctx: &DocContext,
        scratch: &mut Scratch,
        counts: &mut [usize; PhiType::ALL.len()],
    ) -> Result<Cow<'v, str>, ScanError> {
        if !v.differs() {
            // Read as written: the reading is the written form.
            return self.scan_value_cow(&v.reading, learned, t, ctx, scratch, counts);
        }
        let reading = v.reading.as_ref();
        let exact = t.policy.exact_tokens;
        if let Some(out) = nested::deidentify_nested(self, reading, t, ctx, scratch, counts)? {
            return Ok(Cow::Owned(out));
        }
        if self.is_scanned_name_value(reading) {
            counts[PhiType::Name.index()] += 1;
            return Ok(Cow::Owned(t.apply_value(
                PhiType::Name,
                v.token_input(exact),
                ctx,
            )?));
        }
        let learned = (!learned.is_empty()).then_some(learned);
        if let Some(runs) = nested::encoded_runs(self, reading, t, scratch, counts)? {
            let out = self.scan_text(&runs, learned, t, ctx, scratch, counts)?;
            return Ok(Cow::Owned(out.into_owned()));
        }
        let (canon, view_spans) = self.read_checked(reading, learned, t, scratch)?;
        if view_spans.is_empty() {
            return Ok(Cow::Borrowed(&v.written));
        }
        for s in &view_spans {
            counts[s.ty.index()] += 1;
        }
        let view = canon.as_ref().map_or(reading, crate::canon::Canon::text);
        let (spans, values) = to_source(canon.as_ref(), view, &view_spans);
        let mut written_spans: Vec<Span> = Vec::with_capacity(spans.len());
        let mut written_values: Vec<&str> = Vec::with_capacity(spans.len());
        for (s, value) in spans.iter().zip(values) {
            let start = v.to_written(s.start, false);
            let start = written_spans.last().map_or(start, |l| start.max(l.end));
            let end = v.to_written(s.end, true);
            if start >= end {
                continue;
            }
            written_spans.push(Span {
                start,
                end,
                ty: s.ty,
            });
            written_values.push(if exact { &v.written[start..end] } else { value });
        }
        Ok(Cow::Owned(t.apply_read(
            &v.written,
            &written_spans,
            &written_values,
            ctx,
        )?))
    }

    /// One whole value of type `ty`, tokenised from the form [`Spelled`] says, and counted
    /// in `counts` when it is rewritten ([`Transformer::apply_field`]).
    pub(crate) fn phi_spelled(
        &self,
        ty: PhiType,
        v: &Spelled<'_>,
        t: &Transformer<'_>,
        ctx: &DocContext,
        counts: &mut [usize],
    ) -> Result<String, ScanError> {
        Ok(t.apply_field(ty, v.token_input(t.policy.exact_tokens), ctx, counts)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reading_offsets_map_to_the_written_form_without_cutting_a_piece() {
        let mut b = SpelledBuilder::default();
        b.same("Ans");
        b.piece("e", HL7_OPEN, "X65", HL7_CLOSE);
        b.same("l ");
        b.piece("Mar", HL7_OPEN, "X4D6172", HL7_CLOSE);
        let s = b.finish();
        assert_eq!(s.reading, "Ansel Mar");
        assert_eq!(s.written, "Ans\u{E000}X65\u{E001}l \u{E000}X4D6172\u{E001}");
        // "Ansel" is reading 0..5.
        let (a, z) = (s.to_written(0, false), s.to_written(5, true));
        assert_eq!(&s.written[a..z], "Ans\u{E000}X65\u{E001}l");
        // Half of "Mar" takes the whole sequence.
        let (a, z) = (s.to_written(7, false), s.to_written(8, true));
        assert_eq!(&s.written[a..z], "\u{E000}X4D6172\u{E001}");
    }

    #[test]
    fn values_revealed_elsewhere_read_plainly() {
        let v = "Ans\u{E000}X65\u{E001}l O\u{E002}&apos;\u{E003}Brien\u{E000}H\u{E001}";
        assert_eq!(render(v, Render::Plain), "Ansel O'Brien");
        assert_eq!(render("C:\u{E004}notes", Render::Plain), "C:\\notes");
        assert_eq!(render("C:\u{E004}notes", Render::Hl7), "C:\u{E004}notes");
        assert_eq!(
            render(v, Render::Hl7),
            "Ans\u{E000}X65\u{E001}l O'Brien\u{E000}H\u{E001}"
        );
        assert_eq!(render(v, Render::Xml), "Ansel O\u{E002}&apos;\u{E003}Brien");
        assert!(matches!(render("plain", Render::Plain), Cow::Borrowed(_)));
    }
}
