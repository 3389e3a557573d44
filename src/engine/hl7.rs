//! HL7 v2.x messages in ER7 (`MSH|^~\&|…`): reading, rewriting value by value, writing back.
//!
//! Owns `patterns/hl7.toml` (which segment field, and which component of it, is which PHI
//! type), the delimiters each header declares (MSH-1/MSH-2, FHS, BHS), segment separators
//! (`\r`, `\n` or `\r\n`, each kept as written), the split into fields, repetitions,
//! components and subcomponents, and HL7 escape sequences: decoded before detection,
//! re-escaped when a value is rewritten. A value that nothing changes is written back byte
//! for byte, escapes included.
//!
//! Fail closed: a field no rule names, every field of an unknown segment (Z-segments too) and
//! a line that is not a segment are read like a JSON value under an unknown key
//! ([`Engine::scan_value`]: the detector and the identifier-shape default deny).
//!
//! The same walk serves the reverse direction ([`rewrite`] with a reveal function), so a
//! revealed value is escaped like any other and the message stays valid.

use std::borrow::Cow;

use rustc_hash::FxHashMap;
use serde::Deserialize;

use super::fields::{parse_field, Field, FieldError};
use super::json::{keep_shaped, learnable};
use super::spelling::{self, Spelled, SpelledBuilder};
use super::{Engine, Output, ScanError};
use crate::detect::learned::Learned;

use crate::detect::Scratch;
use crate::phi::PhiType;
use crate::transform::{age_in_number_slot, DocContext, Transformer};

/// Stands for an escape sequence with no character of its own (`\H\`, `\.sp2\`, `\C2842\`)
/// while a value is read: private-use code points, so detection sees a separator and the
/// sequence is written back as it was.
/// A hex sequence whose re-escape would differ (`\X65\` for `e`) is kept the same way in the
/// written form ([`Spelled`]), so a rewritten or revealed value keeps its spelling.
const SEQ_OPEN: char = spelling::HL7_OPEN;
const SEQ_CLOSE: char = spelling::HL7_CLOSE;
/// An escape character that opens no sequence, in the written form ([`spelling::HL7_LONE`]).
const SEQ_LONE: char = spelling::HL7_LONE;

// === Rules ===

/// The compiled field rules: per segment, a table indexed by field number, so a value's
/// rule is one hash look-up per segment and an index per field.
pub struct Rules {
    segments: FxHashMap<[u8; 3], Segment>,
}

/// One segment's field rules, by field number (index 0, the segment ID, holds none).
#[derive(Debug, Default)]
struct Segment {
    fields: Vec<Option<FieldRule>>,
    /// Whether any of its fields holds a PHI type (a message's learning pass reads only
    /// those segments).
    learns: bool,
}

impl Segment {
    fn field(&self, n: usize) -> Option<&FieldRule> {
        self.fields.get(n).and_then(Option::as_ref)
    }
}

/// What one field holds: the whole field, or each component.
#[derive(Clone, Debug, Default)]
struct FieldRule {
    whole: Option<Field>,
    /// By component number less one.
    components: Vec<Option<Field>>,
    /// Components not listed; `None`: read as unknown.
    default: Option<Field>,
    /// A control field (message type, control ID, version): kept while shaped like a code,
    /// even when it reads like a name (`SIU` is a surname too).
    control: bool,
    /// Whether some component is of a PHI type (set by [`Rules::parse`]).
    learns: bool,
}

impl FieldRule {
    fn component(&self, n: usize) -> Option<Field> {
        self.whole.or_else(|| {
            n.checked_sub(1)
                .and_then(|i| self.components.get(i).copied().flatten())
                .or(self.default)
        })
    }

    /// Whether some component of the field is of a PHI type.
    fn holds_phi(&self) -> bool {
        let phi = |f: &Option<Field>| matches!(f, Some(Field::Phi(_)));
        phi(&self.whole) || phi(&self.default) || self.components.iter().any(phi)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRules {
    types: FxHashMap<String, FxHashMap<String, String>>,
    fields: FxHashMap<String, String>,
}

impl Rules {
    pub fn parse(file: &str, source: &str) -> Result<Rules, FieldError> {
        let err = |line, reason: String| FieldError {
            file: file.to_string(),
            line,
            reason,
        };
        let raw: RawRules =
            toml::from_str(source).map_err(|e| FieldError::toml(file, source, &e))?;
        let mut segments: FxHashMap<[u8; 3], Segment> = FxHashMap::default();
        for (place, rule) in &raw.fields {
            let (seg, n) = parse_place(place)
                .ok_or_else(|| err(0, format!("`{place}` is not a field (write it like PID-5)")))?;
            let mut compiled =
                compile(rule, &raw.types).map_err(|reason| err(0, format!("{place}: {reason}")))?;
            compiled.learns = compiled.holds_phi();
            let segment = segments.entry(seg).or_default();
            if segment.fields.len() <= n {
                segment.fields.resize(n + 1, None);
            }
            segment.learns |= compiled.learns;
            segment.fields[n] = Some(compiled);
        }
        Ok(Rules { segments })
    }

    /// The rules of segment `id`; `None` for a segment no rule names.
    fn segment(&self, id: &str) -> Option<&Segment> {
        self.segments.get(&seg_key(id)?)
    }

    /// The rule for component `component` of field `field` of `segment`; `None` when no
    /// rule names it (the value is read as unknown).
    #[cfg(test)]
    fn rule(&self, segment: &str, field: usize, component: usize) -> Option<Field> {
        self.segment(segment)?.field(field)?.component(component)
    }
}

/// `PID-5` → (`PID`, 5).
fn parse_place(s: &str) -> Option<([u8; 3], usize)> {
    let (seg, n) = s.split_once('-')?;
    let seg = seg_key(seg)?;
    let n: usize = n.parse().ok()?;
    (n > 0).then_some((seg, n))
}

/// A segment ID as a map key without allocating: three upper-case letters or digits.
fn seg_key(seg: &str) -> Option<[u8; 3]> {
    let b: [u8; 3] = seg.as_bytes().try_into().ok()?;
    b.iter()
        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        .then_some(b)
}

/// A field's rule text: a field action, or a data type with the PHI type of its `$` parts.
fn compile(
    rule: &str,
    types: &FxHashMap<String, FxHashMap<String, String>>,
) -> Result<FieldRule, String> {
    let mut words = rule.split_whitespace();
    let first = words.next().ok_or("empty rule")?;
    let param = words.next().map(parse_field).transpose()?;
    if first == "control" {
        return Ok(FieldRule {
            whole: Some(Field::Keep),
            control: true,
            ..FieldRule::default()
        });
    }
    let Some(ty) = types.get(first) else {
        return Ok(FieldRule {
            whole: Some(action(parse_field(first)?)?),
            ..FieldRule::default()
        });
    };
    let mut out = FieldRule::default();
    for (k, v) in ty {
        let field = match v.as_str() {
            "$" => param.ok_or_else(|| format!("type {first} needs a PHI type after it"))?,
            v => parse_field(v)?,
        };
        let field = action(field)?;
        if k == "default" {
            out.default = Some(field);
            continue;
        }
        let n: usize = k
            .parse()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| format!("type {first}: `{k}` is not a component number"))?;
        if out.components.len() < n {
            out.components.resize(n, None);
        }
        out.components[n - 1] = Some(field);
    }
    Ok(out)
}

/// The actions a message field can have.
fn action(f: Field) -> Result<Field, String> {
    match f {
        Field::Phi(_) | Field::Keep | Field::Scan | Field::Remove => Ok(f),
        _ => Err("only a PHI type, keep, scan or remove applies to an HL7 field".into()),
    }
}

// === Delimiters and escapes ===

/// A message's delimiters, from its header (MSH-1 and MSH-2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Delims {
    field: char,
    component: char,
    repetition: char,
    escape: char,
    subcomponent: char,
    /// v2.7's truncation character, when MSH-2 declares one.
    truncation: Option<char>,
}

/// `|^~\&`: used until a header says otherwise.
const STANDARD: Delims = Delims {
    field: '|',
    component: '^',
    repetition: '~',
    escape: '\\',
    subcomponent: '&',
    truncation: None,
};

/// Segments that declare the delimiters in their first two fields.
fn is_header(segment: &str) -> bool {
    matches!(segment, "MSH" | "FHS" | "BHS")
}

/// Whether `text` opens with a header segment whose delimiters read (`MSH|^~\&|`, and as
/// well `MSH#^~\&#`: HL7 lets MSH-1 be any character).
pub(super) fn opens_with_header(text: &str) -> bool {
    text.get(..3).is_some_and(is_header) && Delims::of_header(text).is_ok()
}

impl Delims {
    /// The delimiters a header line declares: four (or five) distinct punctuation
    /// characters. Anything else is refused: values could not be told apart.
    fn of_header(line: &str) -> Result<Delims, ScanError> {
        let bad = ScanError::Hl7("a header's delimiters cannot be read");
        let mut chars = line.chars().skip(3);
        let field = chars.next().ok_or(bad)?;
        let enc: Vec<char> = chars.take_while(|c| *c != field).collect();
        let mut all = enc.clone();
        all.push(field);
        let distinct = all.iter().enumerate().all(|(i, c)| !all[..i].contains(c));
        let punct = all.iter().all(|c| c.is_ascii_punctuation());
        if !(4..=5).contains(&enc.len()) || !distinct || !punct {
            return Err(ScanError::Hl7("a header's delimiters cannot be read"));
        }
        Ok(Delims {
            field,
            component: enc[0],
            repetition: enc[1],
            escape: enc[2],
            subcomponent: enc[3],
            truncation: enc.get(4).copied(),
        })
    }
}

/// A value as it reads (escape sequences decoded) and as it is written: a sequence that the
/// writer would not give back as it came (`\X65\`, a hex escape of a printable character)
/// is kept in the written form as a marker. Borrowed when it has no escape.
///
/// Fail closed: only what the standard defines is a sequence ([`is_sequence`]). An escape
/// character that opens anything else (`413\555\0172`, `path \Whitcombe\`) or has no
/// closing one is lone: the text around it is read as text, and it is written back as it
/// came ([`lone_reading`]).
fn decode<'r>(raw: &'r str, d: &Delims) -> Spelled<'r> {
    if !raw.contains(d.escape) {
        return Spelled::same(Cow::Borrowed(raw));
    }
    let mut b = SpelledBuilder::with_capacity(raw.len());
    let mut rest = raw;
    let esc = d.escape.len_utf8();
    let mut read = String::new();
    let mut again = String::new();
    // The word around the last lone escape character, and whether it holds an `@`: the
    // next lone one in the same word reuses it, so a run of them costs one pass, not one
    // per character (`\\\…` was quadratic).
    let mut word: Option<(std::ops::Range<usize>, bool)> = None;
    while let Some(i) = rest.find(d.escape) {
        b.same(&rest[..i]);
        let after = &rest[i + esc..];
        let Some(j) = after.find(d.escape).filter(|j| is_sequence(&after[..*j])) else {
            let at = raw.len() - rest.len() + i;
            let before = raw[..at].chars().next_back();
            let at_sign = match &word {
                Some((r, at_sign)) if r.contains(&at) => *at_sign,
                _ => {
                    let r = word_at(raw, at);
                    let at_sign = raw[r.clone()].contains('@');
                    word = Some((r, at_sign));
                    at_sign
                }
            };
            let reading = lone_reading(before, after.chars().next(), at_sign);
            b.marker(reading, SEQ_LONE);
            rest = after;
            continue;
        };
        let seq = &after[..j];
        // A formatting command inside a word (`Thack\H\eray`, `MR441\N\0827`) renders as
        // nothing (or breaks a word a reader joins again), so it reads as nothing: the word
        // is read whole. Between a lower-case letter and a capital it starts a word
        // (`Thackeray\H\Rosalind`) and reads as a blank, as it does beside one.
        let next = after[j + esc..].chars().next();
        if is_formatting(seq) && joins(b.last_read(), next) {
            b.hidden(SEQ_OPEN, seq, SEQ_CLOSE);
            rest = &after[j + esc..];
            continue;
        }
        // Beside a blank or starting a word (`with \H\Orsolya Brankovic\N\ today`), a
        // command reads as a blank: its own letters (`H`, `N`) must not glue to the word
        // next to it, which would hide a name from detection (red team 68). (`\E\` there
        // is the escape character itself, decoded below.)
        if is_formatting(seq) && seq != "E" {
            b.piece(" ", SEQ_OPEN, seq, SEQ_CLOSE);
            rest = &after[j + esc..];
            continue;
        }
        read.clear();
        decode_sequence(seq, d, &mut read);
        again.clear();
        escape_into(&read, d, &mut again);
        if again == rest[i..i + esc + j + esc] {
            b.same(&read);
        } else {
            b.piece(&read, SEQ_OPEN, seq, SEQ_CLOSE);
        }
        rest = &after[j + esc..];
    }
    b.same(rest);
    b.finish()
}

/// How a lone escape character reads, by the characters it stands between: nothing
/// between two digits (`413\555\0172`, `512\47\3306` and `MR44\10827` read whole, as a
/// phone, an SSN and a record number), a hyphen inside a word that holds an `@`
/// (`jo.whit\combe@…` reads as one e-mail address), a space anywhere else
/// (`Ansel\Whitcombe` reads as a name, `4471\Quarry\Hollow\Rd` as a street line).
/// (`at_sign`: the word around it holds an `@`.)
fn lone_reading(before: Option<char>, after: Option<char>, at_sign: bool) -> &'static str {
    match (before, after) {
        (Some(a), Some(b)) if a.is_ascii_digit() && b.is_ascii_digit() => "",
        _ if at_sign => "-",
        _ => " ",
    }
}

/// Where the word (between white space) around byte `at` of `raw` lies.
fn word_at(raw: &str, at: usize) -> std::ops::Range<usize> {
    let start = raw[..at].rfind(char::is_whitespace).map_or(0, |i| i + 1);
    let end = raw[at..]
        .find(char::is_whitespace)
        .map_or(raw.len(), |i| at + i);
    start..end
}

/// A sequence that is no character of the text and breaks no line: highlighting (`H`,
/// `N`), a character-set switch (`C…`, `M…`), skip, fill, no-fill and centre commands, and
/// the escape character itself (`E`), which a sender has no reason to write inside a word.
/// (`.br`, `.sp`, `.in`, `.ti` break a line: they stay line breaks, as a viewer shows them.)
fn is_formatting(seq: &str) -> bool {
    matches!(seq, "H" | "N" | "E" | ".fi" | ".nf" | ".ce")
        || seq.starts_with(['C', 'M'])
        || seq.starts_with(".sk")
}

/// Whether a formatting command between `before` and `after` sits inside one word: no
/// blank on either side (`Thack\H\eray`, `1961-\H\08-23`, `74\H\@inbox`), but for a
/// lower-case letter before a capital (a new word).
fn joins(before: Option<char>, after: Option<char>) -> bool {
    match (before, after) {
        (Some(a), Some(b)) if !a.is_whitespace() && !b.is_whitespace() => {
            !(a.is_lowercase() && b.is_uppercase())
        }
        _ => false,
    }
}

/// Whether `seq` (the text between two escape characters) is an escape sequence the
/// standard defines: a delimiter (`F S T R E P`), a formatting command (`H N`, `.br`,
/// `.sp`, `.in`, `.ti`, `.sk` with a number, `.fi .nf .ce`), or hex (`X`, and the
/// character sets `C`, `M`). A locally defined `\Z…\` is none: its text means what the
/// sender says, so it is read as text.
fn is_sequence(seq: &str) -> bool {
    let hex = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit());
    let number = |s: &str| {
        let s = s.strip_prefix(['+', '-']).unwrap_or(s);
        s.bytes().all(|b| b.is_ascii_digit())
    };
    match seq {
        "F" | "S" | "T" | "R" | "E" | "P" | "H" | "N" | ".br" | ".fi" | ".nf" | ".ce" => true,
        // `x` too: the standard writes `X`, but a viewer reads `\x61\` as `a` as well.
        _ if seq.starts_with(['X', 'x', 'C', 'M']) => hex(&seq[1..]),
        _ => [".sp", ".in", ".ti", ".sk"]
            .iter()
            .any(|c| seq.strip_prefix(c).is_some_and(number)),
    }
}

/// One escape sequence's text (between the escape characters).
fn decode_sequence(seq: &str, d: &Delims, out: &mut String) {
    let c = match seq {
        "F" => Some(d.field),
        "S" => Some(d.component),
        "T" => Some(d.subcomponent),
        "R" => Some(d.repetition),
        "E" => Some(d.escape),
        "P" => d.truncation,
        ".br" => Some('\n'),
        _ => None,
    };
    if let Some(c) = c {
        out.push(c);
        return;
    }
    if let Some(text) = seq.strip_prefix(['X', 'x']).and_then(decode_hex) {
        out.push_str(&text);
        return;
    }
    out.push(SEQ_OPEN);
    out.push_str(seq);
    out.push(SEQ_CLOSE);
}

/// `\X4D6172\`: bytes in hex, read as UTF-8, or as Latin-1 when they are not UTF-8.
pub(super) fn decode_hex(hex: &str) -> Option<String> {
    if hex.is_empty() {
        return None;
    }
    let bytes = crate::hex::decode(hex)?;
    Some(match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => e.into_bytes().iter().map(|b| char::from(*b)).collect(),
    })
}

/// Writes a value with every delimiter, line break and control character escaped, so a
/// rewritten (or revealed) value can never break the message's structure.
fn escape_into(value: &str, d: &Delims, out: &mut String) {
    // Most rewritten values (tokens, redactions) are plain ASCII with nothing to escape.
    let delims = [d.field, d.component, d.repetition, d.escape, d.subcomponent].map(ascii);
    let plain = |b: &u8| {
        (b' '..=b'~').contains(b) && !delims.contains(b) && d.truncation != Some(char::from(*b))
    };
    if value.as_bytes().iter().all(plain) {
        out.push_str(value);
        return;
    }
    let mut chars = value.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let seq = match c {
            c if c == d.field => "F",
            c if c == d.component => "S",
            c if c == d.subcomponent => "T",
            c if c == d.repetition => "R",
            c if c == d.escape => "E",
            c if Some(c) == d.truncation => "P",
            '\n' => ".br",
            SEQ_LONE => {
                out.push(d.escape);
                continue;
            }
            SEQ_OPEN => match value[i..].find(SEQ_CLOSE) {
                Some(j) => {
                    let inner = &value[i + SEQ_OPEN.len_utf8()..i + j];
                    if writable_sequence(inner, d) {
                        out.push(d.escape);
                        out.push_str(inner);
                        out.push(d.escape);
                    } else {
                        // Spelled for another message's delimiters: written as it reads.
                        escape_into(&spelling::render(inner, spelling::Render::Plain), d, out);
                    }
                    while chars.peek().is_some_and(|(k, _)| *k <= i + j) {
                        chars.next();
                    }
                    continue;
                }
                None => {
                    out.push(c);
                    continue;
                }
            },
            c if c.is_control() && c != '\t' => {
                out.push(d.escape);
                out.push('X');
                let mut buf = [0u8; 4];
                // HL7 writes its hex escapes in capitals.
                let bytes = c.encode_utf8(&mut buf).as_bytes();
                out.push_str(&crate::hex::encode(bytes).to_ascii_uppercase());
                out.push(d.escape);
                continue;
            }
            c => {
                out.push(c);
                continue;
            }
        };
        out.push(d.escape);
        out.push_str(seq);
        out.push(d.escape);
    }
}

/// Whether a kept sequence's text can sit between two escape characters of this message:
/// none of its delimiters, no line break or control character.
fn writable_sequence(inner: &str, d: &Delims) -> bool {
    !inner.chars().any(|c| {
        c.is_control()
            || [d.field, d.component, d.repetition, d.escape, d.subcomponent].contains(&c)
            || Some(c) == d.truncation
            || c == SEQ_OPEN
    })
}

// === Walking a message ===

/// Where a value sits: segment, field and component numbers as the standard counts them.
#[derive(Clone, Copy, Debug)]
pub struct Place<'a> {
    pub segment: &'a str,
    pub field: usize,
    pub component: usize,
}

/// One line of the body and the separator written after it (empty for the last).
struct Line<'a> {
    text: &'a str,
    separator: &'a str,
}

/// Splits at `\r`, `\n` and `\r\n`, keeping each separator as written.
fn lines(body: &str) -> Vec<Line<'_>> {
    let bytes = body.as_bytes();
    let mut out = Vec::with_capacity(body.len() / 64 + 1);
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        if matches!(bytes[i], b'\r' | b'\n') {
            let end = if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
                i + 2
            } else {
                i + 1
            };
            out.push(Line {
                text: &body[start..i],
                separator: &body[i..end],
            });
            start = end;
            i = end;
        } else {
            i += 1;
        }
    }
    out.push(Line {
        text: &body[start..],
        separator: "",
    });
    out
}

/// The segment ID of a line (three upper-case letters or digits, then the field separator
/// or nothing); `None` for a line that is not a segment.
fn segment_id<'a>(line: &'a str, d: &Delims) -> Option<&'a str> {
    let id = line.get(..3)?;
    let shaped = id
        .bytes()
        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    let rest = &line[3..];
    let follows = rest.is_empty() || rest.starts_with(d.field) || is_header(id);
    (shaped && follows).then_some(id)
}

/// Walks every value of one line. `f` gets each non-empty value as it reads (escapes
/// decoded) and returns its replacement, or `None` to keep it; with `out`, the line is
/// written there, rewritten values re-escaped and the rest byte for byte. A line that is
/// not a segment is one value (place: segment `""`, field 0), read and written as it is.
fn walk_line<E>(
    line: &str,
    d: &Delims,
    mut out: Option<&mut String>,
    f: &mut impl FnMut(Place<'_>, &Spelled<'_>) -> Result<Option<String>, E>,
) -> Result<(), E> {
    let Some(id) = segment_id(line, d) else {
        let place = Place {
            segment: "",
            field: 0,
            component: 0,
        };
        let new = if line.trim().is_empty() {
            None
        } else {
            f(place, &Spelled::same(Cow::Borrowed(line)))?
        };
        if let Some(o) = out {
            o.push_str(new.as_deref().unwrap_or(line));
        }
        return Ok(());
    };
    let header = is_header(id);
    for (i, field) in line.split(d.field).enumerate() {
        if let Some(o) = out.as_deref_mut() {
            if i > 0 {
                o.push(d.field);
            }
        }
        // A header's first field is its delimiters (MSH-2), the segment ID is field 0.
        if i == 0 || (header && i == 1) {
            if let Some(o) = out.as_deref_mut() {
                o.push_str(field);
            }
            continue;
        }
        let number = if header { i + 1 } else { i };
        walk_field(id, number, field, d, out.as_deref_mut(), f)?;
    }
    Ok(())
}

fn walk_field<E>(
    segment: &str,
    number: usize,
    field: &str,
    d: &Delims,
    mut out: Option<&mut String>,
    f: &mut impl FnMut(Place<'_>, &Spelled<'_>) -> Result<Option<String>, E>,
) -> Result<(), E> {
    // One pass over the field's bytes, cutting at each repetition, component and
    // subcomponent separator: the values of splitting by each in turn, in the same order,
    // without searching each part three times. The delimiters are ASCII (`Delims`), so
    // every cut is at a character boundary.
    let [rep, comp, sub] = [d.repetition, d.component, d.subcomponent].map(ascii);
    let mut component = 1;
    let mut start = 0;
    for (i, b) in field.bytes().enumerate() {
        if b != rep && b != comp && b != sub {
            continue;
        }
        let place = Place {
            segment,
            field: number,
            component,
        };
        walk_value(place, &field[start..i], d, out.as_deref_mut(), f)?;
        if let Some(o) = out.as_deref_mut() {
            o.push(char::from(b));
        }
        if b == rep {
            component = 1;
        } else if b == comp {
            component += 1;
        }
        start = i + 1;
    }
    let place = Place {
        segment,
        field: number,
        component,
    };
    walk_value(place, &field[start..], d, out, f)
}

/// A delimiter's byte: every delimiter is ASCII punctuation ([`Delims::of_header`] refuses
/// anything else, and the standard ones are), so this never gives a byte a value can hold
/// in a wider character.
fn ascii(c: char) -> u8 {
    u8::try_from(c).ok().filter(u8::is_ascii).unwrap_or(0)
}

fn walk_value<E>(
    place: Place<'_>,
    raw: &str,
    d: &Delims,
    out: Option<&mut String>,
    f: &mut impl FnMut(Place<'_>, &Spelled<'_>) -> Result<Option<String>, E>,
) -> Result<(), E> {
    // Empty and HL7's explicit null (`""`) hold nothing.
    if raw.is_empty() || raw == "\"\"" {
        if let Some(o) = out {
            o.push_str(raw);
        }
        return Ok(());
    }
    let value = decode(raw, d);
    let new = f(place, &value)?;
    if let Some(o) = out {
        match new {
            Some(n) if n != *value.written => escape_into(&n, d, o),
            _ => o.push_str(raw),
        }
    }
    Ok(())
}

/// The body's messages: each runs from a header (MSH) or batch envelope segment (FHS, BHS,
/// BTS, FTS) to the next one. Yields line ranges.
fn messages(lines: &[Line<'_>]) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, l) in lines.iter().enumerate() {
        let starts = matches!(l.text.get(..3), Some("MSH" | "FHS" | "BHS" | "BTS" | "FTS"));
        if starts && i > start {
            out.push(start..i);
            start = i;
        }
    }
    out.push(start..lines.len());
    out
}

/// One message's lines with its delimiters, for a [`Rewriter`] to read before rewriting.
pub struct Message<'m> {
    lines: &'m [Line<'m>],
    delims: Delims,
}

impl Message<'_> {
    /// Calls `f` with every non-empty value the rules give a PHI type, as it reads, in
    /// message order. Only the fields that hold one are split and decoded: the rest of the
    /// message is the rewriting walk's.
    fn each_phi_value(&self, rules: &Rules, mut f: impl FnMut(Place<'_>, PhiType, &str)) {
        let d = &self.delims;
        for l in self.lines {
            let Some(id) = segment_id(l.text, d) else {
                continue;
            };
            let Some(segment) = rules.segment(id).filter(|s| s.learns) else {
                continue;
            };
            let header = is_header(id);
            for (i, field) in l.text.split(d.field).enumerate() {
                // As in `walk_line`: the segment ID, and a header's delimiters, hold no value.
                if i == 0 || (header && i == 1) {
                    continue;
                }
                let number = if header { i + 1 } else { i };
                let Some(rule) = segment.field(number).filter(|r| r.learns) else {
                    continue;
                };
                for rep in field.split(d.repetition) {
                    for (c, component) in rep.split(d.component).enumerate() {
                        let Some(Field::Phi(ty)) = rule.component(c + 1) else {
                            continue;
                        };
                        let place = Place {
                            segment: id,
                            field: number,
                            component: c + 1,
                        };
                        for raw in component.split(d.subcomponent) {
                            if !(raw.is_empty() || raw == "\"\"") {
                                f(place, ty, &decode(raw, d).reading);
                            }
                        }
                    }
                }
            }
        }
    }
}

/// What rewrites an HL7 body: told of each message first, then asked for each value.
pub trait Rewriter {
    type Error: From<ScanError>;
    /// Called with each message before [`Rewriter::value`] sees its values.
    fn begin(&mut self, message: &Message<'_>) -> Result<(), Self::Error>;
    /// The replacement for a value (as it reads, and as it is written), or `None` to keep
    /// it as written. A replacement is in written form: markers are spelled back.
    fn value(
        &mut self,
        place: Place<'_>,
        value: &Spelled<'_>,
    ) -> Result<Option<String>, Self::Error>;
}

/// Rewrites every value of an HL7 body, message by message. Separators, empty values and
/// unchanged values are written as they came; rewritten ones are escaped.
pub fn rewrite<R: Rewriter>(body: &str, r: &mut R) -> Result<String, R::Error> {
    let lines = lines(body);
    let mut out = String::with_capacity(body.len() + body.len() / 4);
    let mut d = STANDARD;
    for range in messages(&lines) {
        let msg = &lines[range];
        if let Some(first) = msg.first() {
            if segment_id(first.text, &d).is_some_and(is_header) {
                d = Delims::of_header(first.text)?;
            }
        }
        r.begin(&Message {
            lines: msg,
            delims: d,
        })?;
        let mut f = |p: Place<'_>, v: &Spelled<'_>| r.value(p, v);
        for l in msg {
            walk_line(l.text, &d, Some(&mut out), &mut f)?;
            out.push_str(l.separator);
        }
    }
    Ok(out)
}

// === De-identification ===

/// De-identifies an HL7 v2 body: each message's PHI fields are learned first (so the
/// patient's name is found in its notes), then every value is rewritten by its rule.
pub fn deidentify(
    engine: &Engine,
    text: &str,
    t: &Transformer<'_>,
    scratch: &mut Scratch,
) -> Result<Output, ScanError> {
    let mut d = Deidentifier {
        engine,
        t,
        scratch,
        learned: Learned::default(),
        ctx: DocContext::default(),
        counts: [0; PhiType::ALL.len()],
        // No segment ID is three zero bytes.
        current: ([0; 3], None),
        observation: Observation::default(),
    };
    let text = rewrite(text, &mut d)?;
    Ok(Output {
        text,
        spans: Vec::new(),
        counts: d.counts,
    })
}

struct Deidentifier<'e, 't, 's> {
    engine: &'e Engine,
    t: &'e Transformer<'t>,
    scratch: &'s mut Scratch,
    /// The current message's PHI field values.
    learned: Learned,
    ctx: DocContext,
    counts: [usize; PhiType::ALL.len()],
    /// The segment whose values are being rewritten, and its rules: looked up once per
    /// segment, not once per value.
    current: ([u8; 3], Option<&'e Segment>),
    observation: Observation,
}

/// What the OBX being read says its value is: OBX-3 names the concept before OBX-5 holds
/// the value, so the walk remembers the type the code gives ([`FieldRules::observation_type`]:
/// `OBX|1|NM|30525-0^Age^LN||93` is an age, not a bare number).
///
/// [`FieldRules::observation_type`]: super::fields::FieldRules::observation_type
#[derive(Default)]
struct Observation {
    /// The last OBX field number read: a lower one starts the next OBX.
    field: usize,
    ty: Option<PhiType>,
    /// OBX-2 says the value is a number (`NM`): an age in it must stay one.
    numeric: bool,
}

impl Observation {
    /// Notes a value at `p`; the PHI type OBX-5 takes from its OBX-3 code, if any.
    fn read(&mut self, p: &Place<'_>, value: &str, engine: &Engine) -> Option<PhiType> {
        if p.segment != "OBX" || p.field < self.field {
            self.ty = None;
            self.numeric = false;
        }
        self.field = if p.segment == "OBX" { p.field } else { 0 };
        match (p.segment, p.field, p.component) {
            ("OBX", 2, 1) => {
                self.numeric = value == "NM";
                None
            }
            ("OBX", 3, 1) => {
                self.ty = engine.fields.observation_type(value);
                None
            }
            ("OBX", 5, _) => self.ty,
            _ => None,
        }
    }
}

impl<'e> Deidentifier<'e, '_, '_> {
    /// The rules of segment `id` (`None` for one no rule names, or a line that is not a
    /// segment), from the last look-up while the walk stays in one segment.
    fn segment(&mut self, id: &str) -> Option<&'e Segment> {
        let key = seg_key(id)?;
        if self.current.0 != key {
            self.current = (key, self.engine.hl7.segments.get(&key));
        }
        self.current.1
    }
}

impl Rewriter for Deidentifier<'_, '_, '_> {
    type Error = ScanError;

    /// Learns the message's PHI fields, and its patient (the first PID-3 ID) for date
    /// shifting and the vault; the PID's values are the patient's to remember, and every
    /// PID-3 ID reaches their memory ([`crate::memory`]).
    fn begin(&mut self, message: &Message<'_>) -> Result<(), ScanError> {
        let rules = &self.engine.hl7;
        // The last message's values are forgotten, their allocations reused.
        let mut learned = std::mem::take(&mut self.learned);
        learned.clear();
        let mut patient_key = None;
        let mut ids = Vec::new();
        message.each_phi_value(rules, |p, ty, v| {
            if learnable(ty) {
                learned.add(ty, v);
            }
            // PID-7 is the birth date; the PID's other dates are not who they are.
            if p.segment == "PID" && (ty != PhiType::Date || p.field == 7) {
                learned.remember(ty, v);
            }
            let id = p.segment == "PID" && p.field == 3 && p.component == 1;
            if id && !v.trim().is_empty() {
                let key = format!("{ty}:{}", v.to_lowercase());
                patient_key.get_or_insert_with(|| key.clone());
                ids.push(key);
            }
        });
        learned.finish();
        self.engine.recall_patient(self.t, &ids, &mut learned)?;
        self.learned = learned;
        self.ctx = DocContext { patient_key };
        Ok(())
    }

    fn value(&mut self, p: Place<'_>, v: &Spelled<'_>) -> Result<Option<String>, ScanError> {
        let value = v.reading.as_ref();
        let field = self.segment(p.segment).and_then(|s| s.field(p.field));
        let rule = field.and_then(|f| f.component(p.component));
        let control = field.is_some_and(|f| f.control);
        // A control field (MSH-10's control ID, MSH-12's version) is the sender's free
        // choice: kept while code-shaped and none of the message's values, no name and no
        // date (F29); else read like any value.
        let control_ok = || {
            keep_shaped(value)
                && !super::is_compact_date(value)
                && !self.engine.control_holds_phi(value, &self.learned)
        };
        if rule == Some(Field::Keep) && control && control_ok() {
            return Ok(None);
        }
        let rule = match self.observation.read(&p, value, self.engine) {
            Some(ty) => Some(Field::Phi(ty)),
            None => rule,
        };
        Ok(Some(match rule {
            // A code, unit or status: kept only while it is shaped like one.
            Some(Field::Keep) if self.engine.keeps_code(value, &self.learned, self.scratch) => {
                return Ok(None)
            }
            Some(Field::Remove) => String::new(),
            Some(Field::Phi(ty)) if !value.trim().is_empty() => {
                let new = self
                    .engine
                    .phi_spelled(ty, v, self.t, &self.ctx, &mut self.counts)?;
                if ty == PhiType::Age && self.observation.numeric {
                    age_in_number_slot(new)
                } else {
                    new
                }
            }
            _ => match self.engine.scan_spelled(
                v,
                &self.learned,
                self.t,
                &self.ctx,
                self.scratch,
                &mut self.counts,
            )? {
                // Nothing found: written back as it came.
                Cow::Borrowed(_) => return Ok(None),
                Cow::Owned(new) => new,
            },
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_decode_and_re_escape_to_the_same_bytes() {
        let d = STANDARD;
        for raw in [
            "Smith\\T\\Jones",
            "a\\F\\b\\S\\c\\R\\d\\E\\ e",
            "line one\\.br\\line two",
            "plain",
        ] {
            let v = decode(raw, &d);
            let mut out = String::new();
            escape_into(&v.reading, &d, &mut out);
            assert_eq!(out, raw);
        }
        assert_eq!(decode("Ans\\X65\\l", &d).reading, "Ansel");
        assert_eq!(decode("caf\\XE9\\", &d).reading, "café");
        assert_eq!(decode("lone \\ escape", &d).reading, "lone   escape");
        // Stray escape characters: between digits they join them, in an e-mail address they
        // are a hyphen, elsewhere a space; the written form gives the bytes back.
        for (raw, reading) in [
            ("MR44\\10827", "MR4410827"),
            ("call 413\\555\\0172", "call 4135550172"),
            ("Ansel\\Whitcombe\\ seen", "Ansel Whitcombe  seen"),
            ("4471\\Quarry\\Hollow Rd", "4471 Quarry Hollow Rd"),
            (
                "mail jo.whit\\combe@mail.example",
                "mail jo.whit-combe@mail.example",
            ),
            ("\\Zlocal\\ C:\\notes\\", " Zlocal  C: notes "),
            ("end\\", "end "),
        ] {
            let v = decode(raw, &d);
            assert_eq!(v.reading, reading, "{raw}");
            assert!(v.differs(), "{raw}");
            let mut out = String::new();
            escape_into(&v.written, &d, &mut out);
            assert_eq!(out, raw);
        }
        let mut out = String::new();
        escape_into("a|b^c&d~e\\f\rg", &d, &mut out);
        assert_eq!(out, "a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f\\X0D\\g");
    }

    #[test]
    fn formatting_inside_a_word_reads_as_nothing() {
        let d = STANDARD;
        for (raw, reading) in [
            ("Thack\\H\\eray MR441\\N\\0827", "Thackeray MR4410827"),
            ("Thack\\.sk1\\eray", "Thackeray"),
            ("MR441\\C2842\\0827", "MR4410827"),
            ("Th\\x61\\ckeray", "Thackeray"),
            // The escape character itself inside a word: no sender writes one there.
            ("413\\E\\555\\E\\0172", "4135550172"),
            ("1961-\\H\\08-23", "1961-08-23"),
        ] {
            let v = decode(raw, &d);
            assert_eq!(v.reading, reading, "{raw}");
            let mut out = String::new();
            escape_into(&v.written, &d, &mut out);
            assert_eq!(out, raw, "{raw}");
        }
        // A capital after a lower-case letter starts a word, and a command beside a blank
        // reads as one: its letters never join the word next to it (red team 68); a line
        // break stays one.
        for (raw, reading) in [
            ("Thackeray\\H\\Rosalind", "Thackeray Rosalind"),
            (
                "with \\H\\Orsolya Brankovic\\N\\ today",
                "with  Orsolya Brankovic  today",
            ),
            (
                "\\H\\bold\\N\\ and \\.sp2\\ kept",
                " bold  and \u{E000}.sp2\u{E001} kept",
            ),
        ] {
            let v = decode(raw, &d);
            assert_eq!(v.reading, reading, "{raw}");
            let mut out = String::new();
            escape_into(&v.written, &d, &mut out);
            assert_eq!(out, raw, "{raw}");
        }
        assert_eq!(decode("one\\.br\\two", &d).reading, "one\ntwo");
    }

    #[test]
    fn a_run_of_lone_escapes_is_read_in_one_pass() {
        let d = STANDARD;
        let raw = "\\".repeat(200_000);
        assert_eq!(decode(&raw, &d).reading.len(), 200_000);
        let raw = "\\X".repeat(100_000);
        assert_eq!(decode(&raw, &d).reading.len(), 200_000);
    }

    #[test]
    fn hex_escapes_keep_their_spelling_in_the_written_form() {
        let d = STANDARD;
        for raw in [
            "Ans\\X65\\l",
            "caf\\XE9\\ \\XC3A9\\",
            "cr \\X0d\\ and \\X0D\\",
            "\\H\\bold\\N\\ \\F\\",
        ] {
            let v = decode(raw, &d);
            let mut out = String::new();
            escape_into(&v.written, &d, &mut out);
            assert_eq!(out, raw);
        }
        let v = decode("Ans\\X65\\l \\F\\", &d);
        assert_eq!(v.reading, "Ansel |");
        assert!(v.differs());
        assert!(!decode("a\\S\\b\\X0D\\", &d).differs());
        // Spelled for a message whose delimiters differ, a sequence is written as it reads.
        let mut out = String::new();
        escape_into("\u{E000}H|x\u{E001}", &d, &mut out);
        assert_eq!(out, "H\\F\\x");
    }

    #[test]
    fn delimiters_come_from_the_header() {
        let d = Delims::of_header("MSH#:@!$%#EMR").expect("declared");
        assert_eq!(
            (d.field, d.component, d.repetition, d.escape, d.subcomponent),
            ('#', ':', '@', '!', '$')
        );
        assert_eq!(d.truncation, Some('%'));
        for bad in ["MSH|^~\\|", "MSH|^^\\&|", "MSH|^~a&|", "MSH"] {
            assert!(Delims::of_header(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn segment_ends_are_kept_as_written() {
        let body = "MSH|a\rPID|b\nPV1|c\r\nOBX|d\r";
        let l = lines(body);
        let seps: Vec<&str> = l.iter().map(|l| l.separator).collect();
        assert_eq!(seps, ["\r", "\n", "\r\n", "\r", ""]);
        let texts: Vec<&str> = l.iter().map(|l| l.text).collect();
        assert_eq!(texts, ["MSH|a", "PID|b", "PV1|c", "OBX|d", ""]);
    }

    #[test]
    fn every_value_is_visited_at_its_place_and_untouched_lines_come_back_whole() {
        let line = "PID|1||MR1^^^C^MR~X9&sub||Doe^Jane|\"\"";
        let mut seen = Vec::new();
        let mut out = String::new();
        walk_line::<ScanError>(line, &STANDARD, Some(&mut out), &mut |p, v| {
            let v = &v.reading;
            seen.push(format!("{}-{}.{}={v}", p.segment, p.field, p.component));
            Ok(None)
        })
        .expect("walks");
        assert_eq!(out, line);
        assert_eq!(
            seen,
            [
                "PID-1.1=1",
                "PID-3.1=MR1",
                "PID-3.4=C",
                "PID-3.5=MR",
                "PID-3.1=X9",
                "PID-3.1=sub",
                "PID-5.1=Doe",
                "PID-5.2=Jane"
            ]
        );
        // Header fields are numbered from MSH-1 (the separator); MSH-2 is not a value.
        let mut places = Vec::new();
        walk_line::<ScanError>("MSH|^~\\&|APP", &STANDARD, None, &mut |p, _| {
            places.push(p.field);
            Ok(None)
        })
        .expect("walks");
        assert_eq!(places, [3]);
    }

    #[test]
    fn the_rule_file_compiles_and_types_expand() {
        let r = Rules::parse("hl7.toml", include_str!("../../patterns/hl7.toml")).expect("rules");
        assert_eq!(r.rule("PID", 3, 1), Some(Field::Phi(PhiType::Mrn)));
        assert_eq!(r.rule("PID", 3, 4), Some(Field::Keep));
        assert_eq!(r.rule("PID", 5, 2), Some(Field::Phi(PhiType::Name)));
        assert_eq!(r.rule("PID", 5, 7), Some(Field::Keep));
        assert_eq!(r.rule("PV1", 7, 1), Some(Field::Phi(PhiType::License)));
        assert_eq!(r.rule("PV1", 7, 2), Some(Field::Phi(PhiType::ProviderName)));
        assert_eq!(r.rule("PID", 18, 1), Some(Field::Phi(PhiType::Account)));
        assert_eq!(r.rule("OBX", 5, 1), Some(Field::Scan));
        assert_eq!(r.rule("PID", 99, 1), None);
        assert_eq!(r.rule("ZPI", 1, 1), None);
        for (bad, why) in [
            ("[types]\n[fields]\nPID = \"NAME\"", "not a field"),
            ("[types]\n[fields]\nPID-5 = \"NOPE\"", "PID-5"),
            (
                "[types.CX]\n1 = \"$\"\n[fields]\nPID-3 = \"CX\"",
                "needs a PHI type",
            ),
            ("[types]\n[fields]\nPID-5 = \"contact\"", "only a PHI type"),
        ] {
            let e = Rules::parse("hl7.toml", bad).err().expect(bad).to_string();
            assert!(e.contains(why), "{bad}: {e}");
        }
    }
}
