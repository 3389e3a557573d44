//! XML documents, C-CDA / CDA R2 first: reading them safely, rewriting value by value,
//! writing them back byte for byte around what changed.
//!
//! Owns `patterns/cda.toml` (which element's text and which attribute is which PHI type,
//! by path), the reader's limits and refusals, XML escapes (decoded before detection,
//! re-escaped when a value is rewritten) and the writer. Markup is never rebuilt: the
//! declaration, tags, attribute order, quoting and spacing, namespace prefixes and end tags
//! are written back as they came, and only the bytes of a changed value are replaced.
//!
//! The reader (quick-xml, streaming, plus checks of its own) refuses a `<!DOCTYPE` (no DTD,
//! so no entity declarations, external entities or expansion bombs), any entity reference
//! but the five XML predefines and character references, text or a second element outside
//! the root, an element left open, and documents deeper, wider or with more elements than
//! [`MAX_DEPTH`], [`MAX_ATTRIBUTES`] and [`MAX_ELEMENTS`] allow. Errors name a byte offset
//! and a reason, never input text.
//!
//! Fail closed: element text and attribute values no rule names are read like a JSON value
//! under an unknown key ([`Engine::scan_value`]: the detector, learned header values and
//! the identifier-shape default deny), in a CDA document or any other XML. Comments,
//! CDATA sections and processing instructions are scanned as text too (comments are kept,
//! not dropped, so a reversible round trip gives the document back whole).
//!
//! The same reader and writer serve the reverse direction ([`rewrite`] with a reveal
//! function), so a revealed value is escaped like any other and the document stays
//! well-formed.

use std::borrow::Cow;

use quick_xml::events::Event;
use quick_xml::Reader;
use rustc_hash::FxHashMap;
use serde::Deserialize;

use super::fields::{normalize_key, Field, FieldError, FieldRules};
use super::json::{is_years_unit, learnable};
use super::reference::{self, Tokens as _};
use super::spelling::{Spelled, SpelledBuilder, XML_CLOSE, XML_OPEN};
use super::{is_registry_oid, Engine, Output, ScanError};
use crate::detect::learned::Learned;
use crate::detect::lexicon::Lexicon;
use crate::detect::Scratch;
use crate::phi::token::looks_like_token;
use crate::phi::PhiType;
use crate::transform::policy::Action as PolicyAction;
use crate::transform::{age_in_number_slot, DocContext, Transformer};

mod fhir;
mod joined;
mod tables;

/// Deepest element nesting read (C-CDA entries nest a few dozen deep at most).
pub const MAX_DEPTH: usize = 256;
/// Most attributes on one element.
pub const MAX_ATTRIBUTES: usize = 256;
/// Most elements in one document.
pub const MAX_ELEMENTS: usize = 1 << 20;

// === Rules ===

/// What a value is, by the rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Phi(PhiType),
    /// An age in a quantity's `value` (`<value xsi:type="PQ" value="93" unit="a"/>`): a
    /// number must stay one, so an age over 89 is written as the category's floor.
    AgeQuantity,
    Scan,
    /// A code, kept while code-shaped; `coded`: a digit-only concept id of the terminology
    /// its element's `codeSystem` names ([`super::is_terminology_code`]).
    Keep {
        coded: bool,
    },
    Literal,
    Oid,
    /// A FHIR `system`: kept while it is an OID URN (`urn:oid:1.2.36.1`) or a terminology
    /// the project lists (`http://loinc.org`), else scanned.
    System,
    /// A FHIR resource's `id` or a reference to one (`Patient/123`): its ids become tokens
    /// as in FHIR JSON ([`super::reference::pseudonymise`]), so the two forms agree.
    Reference,
    /// A FHIR extension's `url`: kept while it is an HL7 extension's canonical URL, else
    /// scanned.
    ExtensionUrl,
    /// A FHIR attachment's `contentType`: kept while it is a media type, and remembered for
    /// the `data` after it.
    ContentType,
    /// A FHIR attachment's base64 `data`: text is de-identified and encoded back, anything
    /// else masked ([`super::attachment::rewrite`]), as in FHIR JSON.
    Attachment,
    /// An `id`'s root; `extension`: the element has one.
    Root {
        extension: bool,
    },
    Contact,
    Time,
}

/// A rule as the file writes it, before the element it sits on is known.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RuleAction {
    Phi(PhiType),
    Scan,
    Keep,
    Literal,
    Oid,
    Root,
    Contact,
    Time,
}

fn parse_action(s: &str) -> Result<RuleAction, String> {
    Ok(match s {
        "scan" => RuleAction::Scan,
        "keep" => RuleAction::Keep,
        "literal" => RuleAction::Literal,
        "oid" => RuleAction::Oid,
        "root" => RuleAction::Root,
        "contact" => RuleAction::Contact,
        "time" => RuleAction::Time,
        other => RuleAction::Phi(
            other
                .parse()
                .map_err(|e: crate::phi::UnknownPhiType| e.to_string())?,
        ),
    })
}

/// One rule: the element path it ends with (outermost first) and its action.
#[derive(Clone, Debug)]
struct PathRule {
    path: Vec<String>,
    action: RuleAction,
}

/// The compiled rules, indexed by the element (or attribute) they end at; longest first.
#[derive(Default)]
pub struct Rules {
    elements: FxHashMap<String, Vec<PathRule>>,
    attributes: FxHashMap<String, Vec<PathRule>>,
    /// Identifier schemes by root OID: the PHI type of the `extension` beside that root.
    roots: FxHashMap<String, PhiType>,
    /// The markup vocabularies' own element and attribute names, as written (`li`, `lang`):
    /// never read as PHI where a document uses them as names.
    markup_names: rustc_hash::FxHashSet<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRules {
    elements: FxHashMap<String, String>,
    attributes: FxHashMap<String, String>,
    #[serde(default)]
    roots: FxHashMap<String, String>,
    #[serde(default)]
    markup_names: Vec<String>,
}

impl Rules {
    pub fn parse(file: &str, source: &str) -> Result<Rules, FieldError> {
        let err = |reason: String| FieldError {
            file: file.to_string(),
            line: 0,
            reason,
        };
        let raw: RawRules =
            toml::from_str(source).map_err(|e| FieldError::toml(file, source, &e))?;
        let mut rules = Rules {
            markup_names: raw.markup_names.iter().cloned().collect(),
            ..Rules::default()
        };
        for (path, action) in &raw.elements {
            let action = parse_action(action).map_err(|r| err(format!("{path}: {r}")))?;
            let segments = segments(path).ok_or_else(|| err(format!("`{path}` is not a path")))?;
            let last = segments.last().cloned().unwrap_or_default();
            rules.elements.entry(last).or_default().push(PathRule {
                path: segments,
                action,
            });
        }
        for (place, action) in &raw.attributes {
            let action = parse_action(action).map_err(|r| err(format!("{place}: {r}")))?;
            let (path, attr) = place
                .split_once('@')
                .filter(|(_, a)| !a.is_empty())
                .ok_or_else(|| err(format!("`{place}` names no attribute (path@name)")))?;
            let segments = match path {
                "" => Vec::new(),
                p => segments(p).ok_or_else(|| err(format!("`{place}` is not a path")))?,
            };
            rules
                .attributes
                .entry(attr.to_string())
                .or_default()
                .push(PathRule {
                    path: segments,
                    action,
                });
        }
        for (root, ty) in &raw.roots {
            let ty = ty
                .parse()
                .map_err(|e: crate::phi::UnknownPhiType| err(format!("roots {root}: {e}")))?;
            rules.roots.insert(root.clone(), ty);
        }
        for list in rules
            .elements
            .values_mut()
            .chain(rules.attributes.values_mut())
        {
            list.sort_by_key(|r| std::cmp::Reverse(r.path.len()));
        }
        Ok(rules)
    }

    /// The rule for text directly inside the last element of `stack`, if one ends there.
    fn element(&self, stack: &[&str]) -> Option<RuleAction> {
        let last = stack.last()?;
        self.elements
            .get(*last)?
            .iter()
            .find(|r| ends_with(stack, &r.path))
            .map(|r| r.action)
    }

    /// The rule for attribute `name` of the last element of `stack`.
    fn attribute(&self, stack: &[&str], name: &str) -> Option<RuleAction> {
        if name == "xmlns" || name.starts_with("xmlns:") {
            return Some(RuleAction::Keep);
        }
        let local = name.rsplit(':').next().unwrap_or(name);
        [name, local]
            .into_iter()
            .filter_map(|n| self.attributes.get(n))
            .flat_map(|list| list.iter())
            .find(|r| ends_with(stack, &r.path))
            .map(|r| r.action)
    }
}

/// `a/b/c` → [a, b, c]; `None` for an empty segment.
fn segments(path: &str) -> Option<Vec<String>> {
    let s: Vec<String> = path.split('/').map(str::to_string).collect();
    s.iter().all(|p| !p.is_empty()).then_some(s)
}

/// Whether the element stack ends with `path` (`*` matches any one element).
fn ends_with(stack: &[&str], path: &[String]) -> bool {
    path.len() <= stack.len()
        && stack[stack.len() - path.len()..]
            .iter()
            .zip(path)
            .all(|(s, p)| p == "*" || p == s)
}

// === Reading ===

/// One piece of a document, in order; together they are the document, byte for byte.
enum Item<'a> {
    /// Markup written back as it came: the declaration, end tags, white space between
    /// top-level items.
    Markup(&'a str),
    /// Character data between tags, references decoded in `value`.
    Text {
        raw: &'a str,
        value: Spelled<'a>,
        action: Action,
    },
    CData {
        raw: &'a str,
        inner: &'a str,
    },
    Comment {
        raw: &'a str,
        inner: &'a str,
    },
    /// `<?target body?>`.
    Pi {
        raw: &'a str,
        head: &'a str,
        body: &'a str,
    },
    /// A start or empty-element tag.
    Tag {
        raw: &'a str,
        attrs: Vec<Attr<'a>>,
    },
    /// Character data already rewritten, as it is written out (a piece of a word cut by
    /// markup, rewritten with the rest of its run: [`joined`]).
    Written(String),
}

/// An attribute: where it and its value sit in the tag (the value inside the quotes), how
/// it reads.
struct Attr<'a> {
    name: &'a str,
    name_start: usize,
    /// Its element has no `nullFlavor`, so a value that cannot be written validly may
    /// become `nullFlavor="MSK"`.
    maskable: bool,
    start: usize,
    end: usize,
    quote: char,
    value: Spelled<'a>,
    action: Action,
}

/// Where a value sits, for whoever rewrites it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slot {
    Text(Action),
    Attr(Action),
    CData,
    Comment,
    Pi,
}

fn malformed(offset: usize, reason: &'static str) -> ScanError {
    ScanError::Xml { offset, reason }
}

/// An element open while reading: the action for text inside it.
struct Frame {
    text: Action,
    /// The type a narrative table cell's header names, for text the rules leave to be
    /// read (a `<td>` under `<th>Age</th>`, and the elements inside it: [`tables`]).
    cell: Option<PhiType>,
    /// The PHI type a child `code` names for the element's `value` (a CDA observation
    /// coded LOINC 30525-0 holds an age: [`FieldRules::observation_type`]).
    coded: Option<PhiType>,
    /// The PHI type a child label element names for its sibling `value` (`<entry>
    /// <key>dob</key><value>…</value></entry>`: [`label_type`]).
    label: Option<PhiType>,
    /// In a FHIR document, what the element's children so far say of a later one's value.
    siblings: fhir::Siblings,
}

/// Reads a whole document into its items. `rules`: `None` reads every value as `scan`
/// (the reverse direction needs no rules).
fn read<'a>(
    text: &'a str,
    rules: Option<&Rules>,
    keys: Option<&FieldRules>,
    words: Option<&Lexicon>,
) -> Result<Vec<Item<'a>>, ScanError> {
    let mut reader = Reader::from_str(text);
    let cfg = reader.config_mut();
    cfg.trim_text(false);
    cfg.check_end_names = true;
    cfg.check_comments = true;
    cfg.expand_empty_elements = false;
    let mut st = ReadState {
        text,
        rules,
        keys,
        words,
        items: Vec::with_capacity(text.len() / 24 + 4),
        stack: Vec::with_capacity(32),
        names: Vec::with_capacity(32),
        text_from: None,
        tables: tables::Tables::default(),
        roots: 0,
        elements: 0,
        fhir: false,
    };
    loop {
        let start = offset(reader.buffer_position());
        let event = reader
            .read_event()
            .map_err(|e| malformed(offset(reader.error_position()), quick_xml_reason(&e)))?;
        let end = offset(reader.buffer_position());
        let raw = text.get(start..end).ok_or(malformed(
            start,
            "an event does not fall on character boundaries",
        ))?;
        if !matches!(event, Event::Text(_) | Event::GeneralRef(_)) {
            st.flush_text(start)?;
        }
        match event {
            Event::Text(_) | Event::GeneralRef(_) => {
                st.text_from.get_or_insert(start);
            }
            Event::Start(_) => st.open(raw, start, false)?,
            Event::Empty(_) => st.open(raw, start, true)?,
            Event::End(_) => {
                st.stack.pop();
                if let Some(name) = st.names.pop() {
                    st.tables.close(name, st.keys);
                }
                st.items.push(Item::Markup(raw));
            }
            Event::Decl(_) => {
                check_declaration(raw).map_err(|why| malformed(start, why))?;
                st.items.push(Item::Markup(raw));
            }
            Event::DocType(_) => {
                return Err(ScanError::XmlRefused(
                    "a DOCTYPE (DTDs and the entities they declare are not read)",
                ))
            }
            Event::PI(_) => {
                let inner = raw.get(2..raw.len().saturating_sub(2)).unwrap_or("");
                let target = inner
                    .find(|c: char| c.is_ascii_whitespace())
                    .unwrap_or(inner.len());
                st.items.push(Item::Pi {
                    raw,
                    head: &raw[..2 + target],
                    body: &inner[target..],
                });
            }
            Event::Comment(_) => st.items.push(Item::Comment {
                raw,
                inner: raw.get(4..raw.len().saturating_sub(3)).unwrap_or(""),
            }),
            Event::CData(_) => {
                if st.stack.is_empty() {
                    return Err(malformed(start, "character data outside the root element"));
                }
                st.items.push(Item::CData {
                    raw,
                    inner: raw.get(9..raw.len().saturating_sub(3)).unwrap_or(""),
                });
            }
            Event::Eof => break,
        }
    }
    if !st.stack.is_empty() {
        return Err(malformed(text.len(), "an element is not closed"));
    }
    if st.roots == 0 {
        return Err(malformed(text.len(), "no root element"));
    }
    Ok(st.items)
}

/// An XML declaration is written back as it came, so it may say only what a declaration
/// says: `version`, `encoding` and `standalone`, with values of their own shapes.
fn check_declaration(raw: &str) -> Result<(), &'static str> {
    let bad = "an XML declaration with more than its version, encoding and standalone";
    let inner = raw
        .strip_prefix("<?xml")
        .and_then(|r| r.strip_suffix("?>"))
        .ok_or(bad)?;
    let tag = format!("<x{inner}>");
    let attrs = attributes(&tag, 1).map_err(|_| bad)?;
    let shaped = |v: &str, extra: &[u8]| {
        !v.is_empty()
            && v.len() <= 40
            && v.bytes()
                .all(|b| b.is_ascii_alphanumeric() || extra.contains(&b))
    };
    for a in &attrs {
        let ok = match a.name {
            // Only the versions there are: any other token is the sender's text.
            "version" => matches!(a.raw_value, "1.0" | "1.1"),
            "encoding" => shaped(a.raw_value, b"._-"),
            "standalone" => matches!(a.raw_value, "yes" | "no"),
            _ => false,
        };
        if !ok {
            return Err(bad);
        }
    }
    Ok(())
}

fn offset(pos: u64) -> usize {
    usize::try_from(pos).unwrap_or(usize::MAX)
}

/// A reason for a reader error, from a fixed list (the error itself may quote input).
fn quick_xml_reason(e: &quick_xml::Error) -> &'static str {
    use quick_xml::errors::IllFormedError as I;
    match e {
        quick_xml::Error::Syntax(_) => "markup that does not parse",
        quick_xml::Error::IllFormed(I::MismatchedEndTag { .. }) => {
            "an end tag does not match its start tag"
        }
        quick_xml::Error::IllFormed(I::UnmatchedEndTag(_)) => "an end tag with no start tag",
        quick_xml::Error::IllFormed(I::DoubleHyphenInComment) => "`--` inside a comment",
        quick_xml::Error::IllFormed(_) => "ill-formed markup",
        _ => "unreadable markup",
    }
}

struct ReadState<'a, 'r> {
    text: &'a str,
    rules: Option<&'r Rules>,
    /// The JSON and form key rules, for elements and attributes no XML rule names (`<age>`,
    /// `<firstName>` in an XML that is no CDA).
    keys: Option<&'r FieldRules>,
    /// The word lists, for a cell a name header types that holds a kinship word.
    words: Option<&'r Lexicon>,
    items: Vec<Item<'a>>,
    stack: Vec<Frame>,
    /// The open elements' local names (the paths rules are matched against).
    names: Vec<&'a str>,
    /// Where the current run of text and references began.
    text_from: Option<usize>,
    /// The narrative tables open here: which header each cell is under.
    tables: tables::Tables,
    roots: usize,
    elements: usize,
    /// The root element is in FHIR's namespace: `value` attributes are typed by FHIR's
    /// field rules ([`fhir`]).
    fhir: bool,
}

impl<'a> ReadState<'a, '_> {
    /// Ends a run of character data (text and references are one value) at `end`.
    fn flush_text(&mut self, end: usize) -> Result<(), ScanError> {
        let Some(start) = self.text_from.take() else {
            return Ok(());
        };
        let raw = self.text.get(start..end).ok_or(malformed(
            start,
            "text does not fall on character boundaries",
        ))?;
        let Some(frame) = self.stack.last() else {
            if raw.trim_matches(is_xml_space).is_empty() {
                self.items.push(Item::Markup(raw));
                return Ok(());
            }
            return Err(malformed(start, "text outside the root element"));
        };
        let frame = (frame.text, frame.cell);
        let value = decode(raw, None).map_err(|(at, why)| malformed(start + at, why))?;
        let reading = value.reading.as_ref();
        self.tables.text(reading);
        self.note_label(reading);
        let action = match frame {
            (Action::Scan, Some(ty))
                if tables::holds_a_value(reading)
                    && !(ty == PhiType::Name
                        && self.words.is_some_and(|w| {
                            crate::engine::cells::names_a_relative(w, reading)
                        })) =>
            {
                Action::Phi(ty)
            }
            (action, _) => action,
        };
        self.items.push(Item::Text { raw, value, action });
        Ok(())
    }

    /// A start tag (or an empty-element tag) at `start`.
    fn open(&mut self, raw: &'a str, start: usize, empty: bool) -> Result<(), ScanError> {
        if self.stack.is_empty() {
            self.roots += 1;
            if self.roots > 1 {
                return Err(malformed(start, "a second root element"));
            }
        }
        self.elements += 1;
        if self.elements > MAX_ELEMENTS {
            return Err(ScanError::XmlRefused(
                "more elements than the reader's limit",
            ));
        }
        if self.stack.len() >= MAX_DEPTH {
            return Err(ScanError::XmlRefused(
                "elements nested deeper than the reader's limit",
            ));
        }
        let qname = tag_name(raw);
        let local = qname.rsplit(':').next().unwrap_or(qname);
        let parent_text = self.stack.last().map_or(Action::Scan, |f| f.text);
        self.names.push(local);
        let mut attrs =
            attributes(raw, qname.len()).map_err(|(at, why)| malformed(start + at, why))?;
        if self.stack.is_empty() {
            self.fhir =
                fhir::declares_fhir(&attrs) || self.keys.is_some_and(|k| k.is_resource_type(local));
        }
        let fhir_value = self.fhir_value(&attrs);
        let has = |name: &str| attrs.iter().any(|a| a.name == name);
        let (extension, unit) = (has("extension"), has("unit"));
        let attr_value = |name: &str| {
            attrs
                .iter()
                .find(|a| a.name == name)
                .map(|a| a.raw_value.trim())
        };
        // A quantity in years is an age (`<value xsi:type="PQ" value="93" unit="a"/>`), as
        // in FHIR; a value beside a code that names a PHI concept takes its type.
        let years = attr_value("unit").is_some_and(is_years_unit);
        if local == "code" {
            let coded = attr_value("code").and_then(|c| self.keys?.observation_type(c));
            if let (Some(ty), Some(parent)) = (coded, self.stack.last_mut()) {
                parent.coded = Some(ty);
            }
        }
        let coded = match local {
            "value" => self.stack.last().and_then(|f| f.coded),
            _ => None,
        };
        // A code system names a terminology by its OID; only that terminology's own shape
        // keeps a long number (SNOMED CT by its check digit, RxNorm): beside any other
        // system an SSN, a phone number or a record number is read as one (F19, in CDA).
        let system = attrs
            .iter()
            .find(|a| a.name == "codeSystem")
            .map(|a| format!("urn:oid:{}", a.raw_value.trim()));
        let label = self.label_of(&attrs, local);
        // What the element's own name types (`<firstName value="…"/>`, `<zip v="…"/>`): its
        // value attribute holds that field, as its text would. A date is left to the TS
        // rule, which writes a changed time stamp back as one.
        let own = match self.key_rule(local, self.names.iter().rev().nth(1).copied()) {
            Some(RuleAction::Phi(ty)) if ty != PhiType::Date => Some(ty),
            _ => None,
        };
        let maskable = !has("nullFlavor");
        let colspan = attrs
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case("colspan"))
            .map(|a| a.raw_value);
        let cell = if empty {
            self.tables.empty(local, colspan, self.keys);
            None
        } else {
            self.tables.open(local, colspan)
        };
        let cell = match tables::is_table_element(local) {
            true => cell,
            // Inline markup in a cell (`<td><content>93</content></td>`) is the cell's.
            false => self.stack.last().and_then(|f| f.cell),
        };
        // An identifier whose root names its scheme (the SSA's root for an SSN) is typed by it.
        let scheme = attrs
            .iter()
            .find(|a| a.name == "root")
            .and_then(|a| self.rules.and_then(|r| r.roots.get(a.raw_value.trim())))
            .copied();
        let mut out = Vec::with_capacity(attrs.len());
        for a in attrs.drain(..) {
            let rule = self
                .rules
                .and_then(|r| r.attribute(&self.names, a.name))
                .or_else(|| self.key_rule(a.name, Some(local)))
                .unwrap_or(RuleAction::Scan);
            let action = match (rule, scheme) {
                _ if a.name == "value" && fhir_value.is_some() => {
                    fhir_value.unwrap_or(Action::Scan)
                }
                // An extension's `url` names it by HL7's canonical URL, as in FHIR JSON.
                _ if self.fhir
                    && a.name == "url"
                    && matches!(local, "extension" | "modifierExtension") =>
                {
                    Action::ExtensionUrl
                }
                _ if a.name == "value" && coded == Some(PhiType::Age) => Action::AgeQuantity,
                _ if a.name == "value" && coded.is_some() => {
                    coded.map_or(Action::Scan, Action::Phi)
                }
                (RuleAction::Phi(_), Some(ty)) if a.name == "extension" => Action::Phi(ty),
                // A label says what the value is, over the CDA default (`@value` a time).
                _ if is_labelled_value(a.name) && label.is_some() => {
                    label.map_or(Action::Scan, Action::Phi)
                }
                _ if is_labelled_value(a.name) && own == Some(PhiType::Age) => Action::AgeQuantity,
                _ if is_labelled_value(a.name) && own.is_some() => {
                    own.map_or(Action::Scan, Action::Phi)
                }
                (RuleAction::Time, _) if unit && years => Action::AgeQuantity,
                (rule, _) => match rule {
                    RuleAction::Phi(ty) => Action::Phi(ty),
                    RuleAction::Scan => Action::Scan,
                    RuleAction::Keep => Action::Keep {
                        coded: system.as_deref().is_some_and(|system| {
                            super::is_terminology_code(system, a.raw_value.trim())
                        }),
                    },
                    RuleAction::Literal => Action::Literal,
                    RuleAction::Oid => Action::Oid,
                    RuleAction::Root => Action::Root { extension },
                    RuleAction::Contact => Action::Contact,
                    RuleAction::Time if unit => Action::Scan,
                    RuleAction::Time => Action::Time,
                },
            };
            let value = decode(a.raw_value, Some(a.quote))
                .map_err(|(at, why)| malformed(start + a.start + at, why))?;
            out.push(Attr {
                name: a.name,
                name_start: a.name_start,
                maskable,
                start: a.start,
                end: a.start + a.raw_value.len(),
                quote: a.quote,
                value,
                action,
            });
        }
        let text = match self.rules.and_then(|r| r.element(&self.names)) {
            _ if coded.is_some() => coded.map_or(Action::Scan, Action::Phi),
            Some(RuleAction::Phi(ty)) => Action::Phi(ty),
            Some(RuleAction::Keep) => Action::Keep { coded: false },
            Some(RuleAction::Scan) => Action::Scan,
            // Attribute-only actions on element text read as text.
            Some(_) => Action::Scan,
            None => match self.key_rule(local, self.names.iter().rev().nth(1).copied()) {
                Some(RuleAction::Phi(ty)) => Action::Phi(ty),
                _ => parent_text,
            },
        };
        // An element a label names (`<field name="age">93</field>`) holds that field.
        let text = match (text, label) {
            (Action::Scan, Some(ty)) => Action::Phi(ty),
            (text, _) => text,
        };
        self.items.push(Item::Tag { raw, attrs: out });
        if empty {
            self.names.pop();
        } else {
            self.stack.push(Frame {
                text,
                coded: None,
                cell,
                label: None,
                siblings: fhir::Siblings::default(),
            });
        }
        Ok(())
    }
}

impl ReadState<'_, '_> {
    /// In a FHIR document, the type FHIR's field rules give the `value` attribute of the
    /// element just opened (its name is the last of `names`); the element is noted on its
    /// parent's frame for the siblings after it (a telecom's `system`, a `reference`).
    fn fhir_value(&mut self, attrs: &[RawAttr<'_>]) -> Option<Action> {
        let keys = self.keys.filter(|_| self.fhir)?;
        let value = attrs.iter().find(|a| a.name == "value")?.raw_value;
        let siblings = self.stack.last().map(|f| &f.siblings);
        // An untyped value is read as text, never as CDA's time stamp: a changed one is
        // written as a value (FHIR has no `nullFlavor`).
        let action = fhir::value_action(keys, &self.names, siblings, value).unwrap_or(Action::Scan);
        let n = self.names.len();
        let mut age_at = None;
        if let (Some(frame), Some(&local)) = (self.stack.last_mut(), self.names.last()) {
            let parent = n.checked_sub(2).map(|i| self.names[i]);
            frame.siblings.note(local, value, parent);
            // This element's tag is the next item pushed.
            age_at = frame.siblings.years_number(local, value, self.items.len());
        }
        if let Some(Item::Tag { attrs, .. }) = age_at.and_then(|at| self.items.get_mut(at)) {
            for a in attrs.iter_mut().filter(|a| a.name == "value") {
                if matches!(a.action, Action::Scan | Action::Keep { .. }) {
                    a.action = Action::AgeQuantity;
                }
            }
        }
        Some(action)
    }

    /// The field an element is labelled with: by a label attribute (`name`, `key`, `id`,
    /// `n`…) or, for a `value` element, by the label element before it in its parent.
    fn label_of(&self, attrs: &[RawAttr<'_>], local: &str) -> Option<PhiType> {
        let keys = self.keys?;
        let by_attribute = attrs
            .iter()
            .filter(|a| {
                LABEL_ATTRIBUTES
                    .iter()
                    .any(|l| a.name.eq_ignore_ascii_case(l))
            })
            .find_map(|a| label_type(keys, a.raw_value));
        by_attribute.or_else(|| {
            is_labelled_value(local)
                .then(|| self.stack.last().and_then(|f| f.label))
                .flatten()
        })
    }

    /// Text of a label element (`<key>dob</key>`) names the field of its sibling `value`.
    fn note_label(&mut self, reading: &str) {
        let (Some(keys), Some(&local)) = (self.keys, self.names.last()) else {
            return;
        };
        if !LABEL_ELEMENTS.iter().any(|l| local.eq_ignore_ascii_case(l)) {
            return;
        }
        let Some(ty) = label_type(keys, reading) else {
            return;
        };
        let n = self.stack.len();
        if let Some(parent) = n.checked_sub(2).and_then(|i| self.stack.get_mut(i)) {
            parent.label = Some(ty);
        }
    }

    /// What the JSON key rules say of a name no XML rule names: a PHI type only (`<age>`,
    /// `<firstName>`, `lastName="…"`), never `keep`, so an unknown name is still read as
    /// text. Identifiers are left to the identifier-shape default: a CDA `ID` attribute is
    /// a reference target, not a record number.
    fn key_rule(&self, name: &str, parent: Option<&str>) -> Option<RuleAction> {
        let keys = self.keys?;
        let parent = parent.map(normalize_key);
        match keys.generic(&normalize_key(name), parent.as_deref()) {
            Field::Phi(ty) if ty != PhiType::Id => Some(RuleAction::Phi(ty)),
            _ => None,
        }
    }
}

/// Attributes that name the field their element holds, in its text or its `value`
/// attribute (`<field name="age">93</field>`, `<param key="surname" value="ward"/>`,
/// `<attr n="city" v="ludlow"/>`), as JSON's `{"name": "age", "value": "93"}` does (red
/// team 58, R8).
const LABEL_ATTRIBUTES: [&str; 9] = [
    "name",
    "key",
    "label",
    "field",
    "fieldName",
    "id",
    "n",
    "k",
    "linkId",
];

/// Elements whose text names the field of the `value` beside them (`<entry><key>dob</key>
/// <value>…</value></entry>`, XML-RPC's `<member><name>…</name><value>…`).
const LABEL_ELEMENTS: [&str; 7] = ["key", "name", "label", "field", "fieldName", "k", "n"];

/// Attributes and elements that hold the value a label names.
const LABELLED_VALUES: [&str; 4] = ["value", "v", "val", "fieldValue"];

/// The longest label read as a field's name (a longer text is a sentence, not a label).
const MAX_LABEL_LEN: usize = 96;

fn is_labelled_value(name: &str) -> bool {
    LABELLED_VALUES.iter().any(|l| name.eq_ignore_ascii_case(l))
}

/// The PHI type a label names by the JSON key rules (`age`, `last_name`, `PatientAge`,
/// `plate`) or as a phrase (`Vehicle plate number`); an identifier is one here, since the
/// label says so.
fn label_type(keys: &FieldRules, label: &str) -> Option<PhiType> {
    let label = label.trim();
    if label.is_empty() || label.len() > MAX_LABEL_LEN {
        return None;
    }
    match keys.generic(&normalize_key(label), None) {
        Field::Phi(ty) => Some(ty),
        _ => keys.phrase(label),
    }
}

fn is_xml_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

/// The qualified name of a start tag (`<cda:id root=…>` → `cda:id`).
fn tag_name(raw: &str) -> &str {
    let inner = &raw[1.min(raw.len())..];
    let end = inner
        .find(|c: char| is_xml_space(c) || c == '>' || c == '/')
        .unwrap_or(inner.len());
    &inner[..end]
}

/// An attribute as written: its name, and its value's span inside the tag.
struct RawAttr<'a> {
    name: &'a str,
    name_start: usize,
    start: usize,
    raw_value: &'a str,
    quote: char,
}

/// The attributes of a start tag, each with where its value sits. Refuses what XML
/// refuses: no space before a name, no `=` or quotes, `<` in a value, a name twice.
fn attributes(raw: &str, name_len: usize) -> Result<Vec<RawAttr<'_>>, (usize, &'static str)> {
    let b = raw.as_bytes();
    let end = if raw.ends_with("/>") {
        raw.len() - 2
    } else {
        raw.len().saturating_sub(1)
    };
    let mut out: Vec<RawAttr<'_>> = Vec::new();
    let mut i = 1 + name_len;
    loop {
        let before = i;
        while i < end && matches!(b[i], b' ' | b'\t' | b'\r' | b'\n') {
            i += 1;
        }
        if i >= end {
            return Ok(out);
        }
        if i == before {
            return Err((i, "attributes not separated by white space"));
        }
        let name_start = i;
        while i < end && !matches!(b[i], b'=' | b' ' | b'\t' | b'\r' | b'\n') {
            i += 1;
        }
        let name = &raw[name_start..i];
        while i < end && matches!(b[i], b' ' | b'\t' | b'\r' | b'\n') {
            i += 1;
        }
        if name.is_empty() || b.get(i) != Some(&b'=') {
            return Err((name_start, "an attribute without a value"));
        }
        i += 1;
        while i < end && matches!(b[i], b' ' | b'\t' | b'\r' | b'\n') {
            i += 1;
        }
        let quote = match b.get(i) {
            Some(q @ (b'"' | b'\'')) if i < end => *q,
            _ => return Err((i, "an attribute value without quotes")),
        };
        let value_start = i + 1;
        let close = raw[value_start..end]
            .find(char::from(quote))
            .map(|p| value_start + p)
            .ok_or((value_start, "an attribute value that never closes"))?;
        let raw_value = &raw[value_start..close];
        if raw_value.contains('<') {
            return Err((value_start, "`<` inside an attribute value"));
        }
        if out.iter().any(|a| a.name == name) {
            return Err((name_start, "an attribute written twice"));
        }
        if out.len() >= MAX_ATTRIBUTES {
            return Err((name_start, "more attributes than the reader's limit"));
        }
        out.push(RawAttr {
            name,
            name_start,
            start: value_start,
            raw_value,
            quote: char::from(quote),
        });
        i = close + 1;
    }
}

/// `#233` or `#xE9` as the character it stands for, when XML allows that character.
fn char_ref(name: &str) -> Option<char> {
    let n = name.strip_prefix('#')?;
    let code = match n.strip_prefix('x') {
        Some(hex) if !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()) => {
            u32::from_str_radix(hex, 16).ok()?
        }
        None if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => n.parse().ok()?,
        _ => return None,
    };
    let c = char::from_u32(code)?;
    let allowed = matches!(c, '\t' | '\n' | '\r')
        || ('\u{20}'..='\u{D7FF}').contains(&c)
        || ('\u{E000}'..='\u{FFFD}').contains(&c)
        || c >= '\u{10000}';
    allowed.then_some(c)
}

/// A value as it reads and as it is written (`None`: character data; `Some(quote)`: an
/// attribute value in those quotes): a reference or character the writer would not give
/// back as it came (`&#65;`, `&apos;` in text, a literal `>`) is kept in the written form
/// as a marker. The five predefined entities and character references are read; any
/// other reference is refused (nothing declares it: DTDs are not read). Errors give the
/// offset in `raw`.
fn decode(raw: &str, quote: Option<char>) -> Result<Spelled<'_>, (usize, &'static str)> {
    let special = |c: char| match quote {
        None => c == '>',
        Some(_) => matches!(c, '\t' | '\n' | '\r'),
    };
    if !raw.contains(|c| c == '&' || special(c)) {
        return Ok(Spelled::same(Cow::Borrowed(raw)));
    }
    let mut b = SpelledBuilder::with_capacity(raw.len());
    let mut canonical = String::new();
    let mut buf = [0u8; 4];
    let mut i = 0;
    while let Some(n) = raw[i..].find(|c| c == '&' || special(c)) {
        b.same(&raw[i..i + n]);
        i += n;
        let rest = &raw[i..];
        let (unit, read) = if let Some(after) = rest.strip_prefix('&') {
            let semi = after
                .find(';')
                .filter(|n| *n <= 12)
                .ok_or((i, "an `&` that starts no reference"))?;
            let unit = &rest[..semi + 2];
            let read = reference(&after[..semi])
                .ok_or((i, "an entity other than the five XML predefines"))?;
            (unit, read)
        } else {
            let c = rest.chars().next().unwrap_or('>');
            (&rest[..c.len_utf8()], c)
        };
        canonical.clear();
        escape_char(read, quote, &mut canonical);
        if canonical == unit {
            b.same_char(read);
        } else {
            b.piece(read.encode_utf8(&mut buf), XML_OPEN, unit, XML_CLOSE);
        }
        i += unit.len();
    }
    b.same(&raw[i..]);
    Ok(b.finish())
}

/// A predefined entity's or a character reference's character (`amp`, `#233`).
fn reference(name: &str) -> Option<char> {
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        n => char_ref(n)?,
    })
}

/// How a kept spelling reads: a reference's character, or the literal character itself;
/// `None` for anything else.
pub(super) fn read_unit(unit: &str) -> Option<String> {
    if let Some(name) = unit.strip_prefix('&').and_then(|u| u.strip_suffix(';')) {
        return reference(name).map(String::from);
    }
    let mut chars = unit.chars();
    let c = chars.next()?;
    chars.next().is_none().then(|| c.to_string())
}

/// Writes a kept spelling where it may stand for its character (`quote`: in an attribute
/// value), or its reading escaped when it may not (a `<`, a lone `&`, the quote, a `>`
/// that would close `]]>`, anything malformed).
fn write_unit(unit: &str, quote: Option<char>, out: &mut String) {
    let Some(read) = read_unit(unit) else {
        return;
    };
    let literal_ok = match unit {
        "<" | "&" => false,
        ">" => !out.ends_with("]]"),
        u => quote.is_none_or(|q| !u.starts_with(q)),
    };
    if unit.starts_with('&') || literal_ok {
        out.push_str(unit);
    } else {
        for c in read.chars() {
            escape_char(c, quote, out);
        }
    }
}

// === Writing ===

/// Character data: `&`, `<` and `>` escaped (`>` so `]]>` can never appear); a kept
/// spelling ([`decode`]) is written as it came.
fn escape_text(v: &str, out: &mut String) {
    escape_value(v, None, out);
}

/// An attribute value inside `quote`: white space other than a space is written as a
/// character reference, which attribute-value normalisation leaves alone.
fn escape_attr(v: &str, quote: char, out: &mut String) {
    escape_value(v, Some(quote), out);
}

fn escape_value(v: &str, quote: Option<char>, out: &mut String) {
    let mut rest = v;
    while let Some(i) = rest.find(XML_OPEN) {
        for c in rest[..i].chars() {
            escape_char(c, quote, out);
        }
        let after = &rest[i + XML_OPEN.len_utf8()..];
        let Some(j) = after.find(XML_CLOSE) else {
            rest = after;
            continue;
        };
        write_unit(&after[..j], quote, out);
        rest = &after[j + XML_CLOSE.len_utf8()..];
    }
    for c in rest.chars() {
        escape_char(c, quote, out);
    }
}

/// One character as the writer spells it in character data (`quote` `None`) or in an
/// attribute value.
fn escape_char(c: char, quote: Option<char>, out: &mut String) {
    match (c, quote) {
        ('&', _) => out.push_str("&amp;"),
        ('<', _) => out.push_str("&lt;"),
        ('>', None) => out.push_str("&gt;"),
        ('"', Some('"')) => out.push_str("&quot;"),
        ('\'', Some('\'')) => out.push_str("&apos;"),
        ('\t', Some(_)) => out.push_str("&#9;"),
        ('\n', Some(_)) => out.push_str("&#10;"),
        ('\r', Some(_)) => out.push_str("&#13;"),
        (c, _) => out.push(c),
    }
}

/// Calls `f` with every value of a read document (text, attributes, CDATA, comments,
/// processing instructions) as it reads.
fn each_value(items: &[Item<'_>], mut f: impl FnMut(Slot, &str)) {
    for item in items {
        match item {
            Item::Text { value, action, .. } => f(Slot::Text(*action), &value.reading),
            Item::Tag { attrs, .. } => {
                for a in attrs {
                    f(Slot::Attr(a.action), &a.value.reading);
                }
            }
            _ => {}
        }
    }
}

/// What replaces a value.
#[derive(Debug, PartialEq, Eq)]
enum Replacement {
    Value(String),
    /// An attribute whose value cannot be written so its type stays valid (a date the
    /// policy removes from a TS, a token where a TS or an OID must be): the whole
    /// attribute becomes `nullFlavor="MSK"` (masked), or, where the element already has a
    /// `nullFlavor` (its own, or one masked value), it is left out, which that
    /// `nullFlavor` allows; `text` is never written there, since no TS or OID can hold
    /// it. A token is carried in a comment right after the tag ([`CARRIER`]), so reveal can
    /// put the attribute back.
    Masked {
        text: String,
    },
}

/// Opens the comment that carries a masked attribute's token: `<!--phigate:value=DATE_…-->`.
/// Comments are outside every schema, so the document stays valid and reversible.
const CARRIER: &str = "phigate:";

/// After [`CARRIER`], marks an attribute that was left out (its element had a
/// `nullFlavor`), not masked: `<!--phigate:+value=DATE_…-->`. Reveal writes it after the
/// tag's last attribute.
const LEFT_OUT: char = '+';

/// The comment carrying attribute `name`'s token; `left_out`: the attribute was left out,
/// not masked.
fn carrier(name: &str, token: &str, left_out: bool) -> String {
    let mark = if left_out { "+" } else { "" };
    format!("<!--{CARRIER}{mark}{name}={token}-->")
}

/// A carrier comment's attribute name and token, and whether the attribute was left out,
/// when the comment is one and the name is a plain XML name the tag does not already have.
fn read_carrier<'a>(inner: &'a str, attrs: &[Attr<'_>]) -> Option<(&'a str, &'a str, bool)> {
    let rest = inner.strip_prefix(CARRIER)?;
    let left_out = rest.starts_with(LEFT_OUT);
    let rest = rest.strip_prefix(LEFT_OUT).unwrap_or(rest);
    let (name, token) = rest.split_once('=')?;
    let plain_name = name.bytes().enumerate().all(|(i, b)| {
        b.is_ascii_alphabetic() || (i > 0 && (b.is_ascii_digit() || matches!(b, b'_' | b'-')))
    });
    let fresh = !attrs.iter().any(|a| a.name == name);
    (plain_name && !name.is_empty() && fresh && looks_like_token(token))
        .then_some((name, token, left_out))
}

/// Writes a read document with each value `f` replaces (`None`: kept as written).
/// `restore`: the reverse direction, where a masked attribute and its carrier comment are
/// written back as the attribute when `f` reveals the token.
fn write<E>(
    items: &[Item<'_>],
    size: usize,
    restore: bool,
    f: &mut impl FnMut(Slot, &Spelled<'_>) -> Result<Option<Replacement>, E>,
) -> Result<String, E> {
    use Replacement::{Masked, Value};
    let mut out = String::with_capacity(size + size / 8);
    // Carrier comments already turned back into their tag's attributes.
    let mut skip = 0;
    for (i, item) in items.iter().enumerate() {
        if skip > 0 {
            skip -= 1;
            continue;
        }
        match item {
            Item::Markup(raw) => out.push_str(raw),
            Item::Written(done) => out.push_str(done),
            Item::Text { raw, value, action } => match f(Slot::Text(*action), value)? {
                Some(Value(new) | Masked { text: new }) if new != *value.written => {
                    escape_text(&new, &mut out)
                }
                _ => out.push_str(raw),
            },
            Item::CData { raw, inner } => match f(Slot::CData, &same(inner))? {
                Some(Value(new) | Masked { text: new }) if new != *inner => {
                    out.push_str("<![CDATA[");
                    out.push_str(&new.replace("]]>", "]]]]><![CDATA[>"));
                    out.push_str("]]>");
                }
                _ => out.push_str(raw),
            },
            Item::Comment { raw, inner } => match f(Slot::Comment, &same(inner))? {
                Some(Value(new) | Masked { text: new }) if new != *inner => {
                    out.push_str("<!--");
                    let mut safe = new.replace("--", "- -");
                    if safe.ends_with('-') {
                        safe.push(' ');
                    }
                    out.push_str(&safe);
                    out.push_str("-->");
                }
                _ => out.push_str(raw),
            },
            Item::Pi { raw, head, body } => match f(Slot::Pi, &same(body))? {
                Some(Value(new) | Masked { text: new }) if new != *body => {
                    out.push_str(head);
                    out.push_str(&new.replace("?>", "? >"));
                    out.push_str("?>");
                }
                _ => out.push_str(raw),
            },
            Item::Tag { raw, attrs } => {
                let restored = match restore {
                    true => restored_attributes(attrs, &items[i + 1..], f)?,
                    false => Vec::new(),
                };
                skip = restored.len();
                let mut in_place = restored.iter().filter(|r| !r.left_out);
                let mut last = 0;
                // One `nullFlavor` per element: where there is one already, an attribute that
                // cannot be written is left out.
                let mut masked = false;
                let mut carried = String::new();
                for a in attrs {
                    if is_masked(a) {
                        if let Some(r) = in_place.next() {
                            out.push_str(&raw[last..a.name_start]);
                            out.push_str(&r.name);
                            out.push('=');
                            out.push(a.quote);
                            escape_attr(&r.value, a.quote, &mut out);
                            out.push(a.quote);
                            last = a.end + 1;
                            continue;
                        }
                    }
                    match f(Slot::Attr(a.action), &a.value)? {
                        Some(Masked { text }) if a.maskable && !masked => {
                            masked = true;
                            out.push_str(&raw[last..a.name_start]);
                            out.push_str("nullFlavor=");
                            out.push(a.quote);
                            out.push_str("MSK");
                            out.push(a.quote);
                            last = a.end + 1;
                            if looks_like_token(&text) {
                                carried.push_str(&carrier(a.name, &text, false));
                            }
                        }
                        Some(Masked { text }) => {
                            // Left out with the space before it.
                            let before = raw[..a.name_start].trim_end_matches(is_xml_space);
                            out.push_str(&raw[last.min(before.len())..before.len()]);
                            last = a.end + 1;
                            if looks_like_token(&text) {
                                carried.push_str(&carrier(a.name, &text, true));
                            }
                        }
                        Some(Value(new)) if new != *a.value.written => {
                            out.push_str(&raw[last..a.start]);
                            escape_attr(&new, a.quote, &mut out);
                            last = a.end;
                        }
                        _ => {}
                    }
                }
                // Left-out attributes come back after the tag's last attribute.
                let end = attrs.last().map_or(tag_name(raw).len() + 1, |a| a.end + 1);
                let end = end.max(last).min(raw.len());
                out.push_str(&raw[last..end]);
                for r in restored.iter().filter(|r| r.left_out) {
                    out.push(' ');
                    out.push_str(&r.name);
                    out.push_str("=\"");
                    escape_attr(&r.value, '"', &mut out);
                    out.push('"');
                }
                out.push_str(&raw[end..]);
                out.push_str(&carried);
            }
        }
    }
    Ok(out)
}

/// `nullFlavor="MSK"`, as a masked attribute is written.
fn is_masked(a: &Attr<'_>) -> bool {
    a.name == "nullFlavor" && a.value.written == "MSK"
}

/// An attribute a carrier comment gives back.
struct Restored {
    name: String,
    value: String,
    /// Written after the tag's last attribute, not in place of `nullFlavor="MSK"`.
    left_out: bool,
}

/// The attributes the carrier comments right after a tag (`next`) stand for, in order,
/// as long as `f` reveals each carried token: a token the caller may not see stays in its
/// comment, and so do the carriers after it. An in-place carrier counts only while the tag
/// has a masked attribute left for it.
fn restored_attributes<E>(
    attrs: &[Attr<'_>],
    next: &[Item<'_>],
    f: &mut impl FnMut(Slot, &Spelled<'_>) -> Result<Option<Replacement>, E>,
) -> Result<Vec<Restored>, E> {
    let mut masks = attrs.iter().filter(|a| is_masked(a)).count();
    let mut out: Vec<Restored> = Vec::new();
    for item in next {
        let Item::Comment { inner, .. } = item else {
            break;
        };
        let Some((name, token, left_out)) = read_carrier(inner, attrs) else {
            break;
        };
        if out.iter().any(|r| r.name == name) || (!left_out && masks == 0) {
            break;
        }
        let value = match f(Slot::Attr(Action::Scan), &same(token))? {
            Some(Replacement::Value(v) | Replacement::Masked { text: v }) if v != token => v,
            _ => break,
        };
        if !left_out {
            masks -= 1;
        }
        out.push(Restored {
            name: name.to_string(),
            value,
            left_out,
        });
    }
    Ok(out)
}

/// A value with no references (CDATA, a comment, a processing instruction).
fn same(v: &str) -> Spelled<'_> {
    Spelled::same(Cow::Borrowed(v))
}

/// Rewrites every value of an XML document with `f` (the reverse direction: no rules,
/// every slot is `scan`). `f` gets each value as written, kept spellings as markers
/// ([`super::spelling`]), and answers in the same form. Unchanged values and all markup are
/// written as they came.
pub fn rewrite<E: From<ScanError>>(
    text: &str,
    mut f: impl FnMut(Slot, &str) -> Result<Option<String>, E>,
) -> Result<String, E> {
    let items = read(text, None, None, None)?;
    write(&items, text.len(), true, &mut |slot, v| {
        Ok(f(slot, &v.written)?.map(Replacement::Value))
    })
}

/// Whether a document reads as XML (for sniffing: a body that opens like XML but does not
/// read is refused by the caller, not read as text).
pub fn reads(text: &str) -> bool {
    read(text, None, None, None).is_ok()
}

// === De-identification ===

/// De-identifies an XML document: the values the rules type are learned first (the
/// patient's name is then found in the narrative), then every value is rewritten by its
/// rule and the document written back around them.
pub fn deidentify(
    engine: &Engine,
    text: &str,
    t: &Transformer<'_>,
    scratch: &mut Scratch,
) -> Result<Output, ScanError> {
    let mut items = read(
        text,
        Some(&engine.xml),
        Some(&engine.fields),
        Some(engine.detector.lexicon()),
    )?;
    let (learned, ctx) = learn(&items);
    let mut d = Deidentifier {
        engine,
        t,
        scratch,
        learned,
        ctx,
        counts: [0; PhiType::ALL.len()],
        content_type: None,
    };
    if d.names_hold_phi(&items) {
        return Err(ScanError::XmlRefused(
            "an element, attribute, namespace prefix or processing-instruction name that holds PHI",
        ));
    }
    d.rewrite_cut_words(&mut items)?;
    let out = write(&items, text.len(), false, &mut |slot, v| d.value(slot, v))?;
    Ok(Output {
        text: out,
        spans: Vec::new(),
        counts: d.counts,
    })
}

/// The document's PHI values by rule, and its patient (the first MRN) for date shifting
/// and the vault.
fn learn(items: &[Item<'_>]) -> (Learned, DocContext) {
    let mut learned = Learned::default();
    let mut patient_key = None;
    each_value(items, |slot, v| {
        let action = match slot {
            Slot::Text(a) | Slot::Attr(a) => a,
            _ => return,
        };
        match action {
            Action::Phi(ty) => {
                learn_value(&mut learned, ty, v);
                if ty == PhiType::Mrn && patient_key.is_none() && !v.trim().is_empty() {
                    patient_key = Some(format!("{ty}:{}", v.trim().to_lowercase()));
                }
            }
            Action::Contact => {
                if let Some((_, ty, rest)) = contact_parts(v) {
                    learned.add(ty, rest);
                }
            }
            _ => {}
        }
    });
    learned.finish();
    (learned, DocContext { patient_key })
}

/// The top-level media types IANA registers (RFC 6838 and its additions).
const MEDIA_TOP_LEVEL_TYPES: [&str; 10] = [
    "application",
    "audio",
    "example",
    "font",
    "haptics",
    "image",
    "message",
    "model",
    "multipart",
    "text",
];

/// A media type as an attachment's `contentType` writes it (`text/plain; charset=utf-8`,
/// `application/fhir+xml`): a type and a subtype of token characters, then parameters.
fn is_media_type(v: &str) -> bool {
    let mut parts = v.split(';');
    let essence = parts.next().unwrap_or("").trim();
    let token = |t: &str| {
        !t.is_empty()
            && t.len() <= 127
            && t.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$&^_.+-".contains(&b))
    };
    let Some((ty, sub)) = essence.split_once('/') else {
        return false;
    };
    token(ty)
        && token(sub)
        && MEDIA_TOP_LEVEL_TYPES
            .iter()
            .any(|t| ty.eq_ignore_ascii_case(t))
        && parts.all(|p| {
            p.split_once('=')
                .is_some_and(|(k, v)| token(k.trim()) && token(v.trim().trim_matches('"')))
        })
}

/// Learns one typed header value. Beyond what every walker learns, a document's own
/// towns and organisations (LOCATION) and its five-digit ZIP codes are learned too: in
/// one document they are specific enough, and a narrative repeats them after a street
/// line the detector ended early (`…, Harrowgate NH 03031`).
pub(super) fn learn_value(learned: &mut Learned, ty: PhiType, v: &str) {
    let v = v.trim();
    match ty {
        PhiType::Zip => {
            let zip5: String = v.chars().take_while(char::is_ascii_digit).collect();
            if zip5.len() == 5 {
                learned.add(ty, &zip5);
            }
        }
        PhiType::Location if v.chars().count() >= 4 => learned.add(ty, v),
        ty if learnable(ty) => learned.add(ty, v),
        _ => {}
    }
}

/// `tel:+1-413-555-0172` → (`tel:`, PHONE, `+1-413-555-0172`); `None` for a scheme that
/// is not a contact's.
fn contact_parts(v: &str) -> Option<(&str, PhiType, &str)> {
    let colon = v.find(':')?;
    let ty = match v[..colon].trim().to_ascii_lowercase().as_str() {
        "tel" | "sms" => PhiType::Phone,
        "fax" => PhiType::Fax,
        "mailto" => PhiType::Email,
        "http" | "https" => PhiType::Url,
        _ => return None,
    };
    let rest = &v[colon + 1..];
    (!rest.trim().is_empty()).then_some((&v[..=colon], ty, rest))
}

/// An OID kept as written (see [`is_registry_oid`]).
fn is_oid(v: &str) -> bool {
    is_registry_oid(v)
}

/// Any HL7 TS: four to fourteen digits, an optional fraction and zone (what the CDA
/// schema's TS pattern admits).
fn is_ts(v: &str) -> bool {
    let digits = v.bytes().take_while(u8::is_ascii_digit).count();
    let rest = &v[digits..];
    let (frac, zone) = match rest.find(['+', '-']) {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (rest, "0000"),
    };
    let frac_ok = frac.is_empty()
        || (digits == 14
            && frac.len() > 1
            && frac.starts_with('.')
            && frac[1..].bytes().all(|b| b.is_ascii_digit()));
    (4..=14).contains(&digits)
        && digits % 2 == 0
        && frac_ok
        && zone.len() == 4
        && zone.bytes().all(|b| b.is_ascii_digit())
}

/// An II root the CDA schema admits: an OID, a UUID or a RUID (a letter, then letters,
/// digits and hyphens).
fn is_root(v: &str) -> bool {
    let uuid = v.len() == 36
        && v.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        });
    let ruid = v.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
        && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    is_oid(v) || uuid || ruid
}

/// An HL7 TS with at least a day: `YYYYMMDD`, then optional time digits, fraction and
/// zone. Returns the date digits and the rest.
fn ts_parts(v: &str) -> Option<(&str, &str)> {
    let digits = v.bytes().take_while(u8::is_ascii_digit).count();
    if !(8..=14).contains(&digits) {
        return None;
    }
    let rest = &v[digits..];
    let rest_ok = rest.is_empty()
        || rest
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'+' | b'-'));
    let (m, d) = (&v[4..6], &v[6..8]);
    let valid = ("01"..="12").contains(&m) && ("01"..="31").contains(&d);
    (rest_ok && valid).then_some((&v[..8], &v[8..]))
}

struct Deidentifier<'e, 't, 's> {
    engine: &'e Engine,
    t: &'e Transformer<'t>,
    scratch: &'s mut Scratch,
    learned: Learned,
    ctx: DocContext,
    counts: [usize; PhiType::ALL.len()],
    /// The last FHIR attachment `contentType` written: the type of the `data` after it
    /// (FHIR writes `contentType` first). Taken by that `data`.
    content_type: Option<String>,
}

/// Every name a document's markup spells: element and attribute names (namespace prefixes
/// included, so `xmlns:PREFIX` too) and processing-instruction targets. End tags repeat
/// their start tag's name (the reader checks it).
fn each_name<'a>(items: &[Item<'a>], mut f: impl FnMut(&'a str)) {
    for item in items {
        match item {
            Item::Tag { raw, attrs } => {
                f(tag_name(raw));
                for a in attrs {
                    f(a.name);
                }
            }
            Item::Pi { head, .. } => f(head.get(2..).unwrap_or("")),
            _ => {}
        }
    }
}

impl reference::Tokens for Deidentifier<'_, '_, '_> {
    fn is_resource_type(&self, word: &str) -> bool {
        self.engine.fields.is_resource_type(word)
    }

    fn id_token(&mut self, id: &str) -> Result<String, ScanError> {
        let token = self.t.apply_value(PhiType::Id, id, &self.ctx)?;
        self.counts[PhiType::Id.index()] += 1;
        Ok(token)
    }

    fn scan_text(&mut self, s: &str) -> Result<String, ScanError> {
        self.engine.scan_value(
            s,
            &self.learned,
            self.t,
            &self.ctx,
            self.scratch,
            &mut self.counts,
        )
    }

    fn field_value(&mut self, ty: PhiType, value: &str) -> Result<String, ScanError> {
        self.phi(ty, value)
    }
}

impl Deidentifier<'_, '_, '_> {
    /// Whether any name in the markup holds PHI. A name cannot be rewritten into another
    /// and stay valid against the document's schema, so such a document is refused (fail
    /// closed): names are read like values (the identifier-shape default deny, names on
    /// their own, the detector and the document's own PHI values), each distinct part once.
    fn names_hold_phi(&mut self, items: &[Item<'_>]) -> bool {
        let mut seen = rustc_hash::FxHashSet::default();
        let mut found = false;
        each_name(items, |name| {
            for part in name.split(':') {
                if found
                    || part.is_empty()
                    || self.engine.xml.markup_names.contains(part)
                    || !seen.insert(part)
                {
                    continue;
                }
                found = self.name_part_holds_phi(part);
            }
        });
        found
    }

    /// One name part (`patientRole`, `Whitcombe_Ansel`, `MR4410827`): read whole, and as
    /// words where `_`, `-` and `.` separate them, each word also alone.
    fn name_part_holds_phi(&mut self, part: &str) -> bool {
        let words = part.replace(['_', '-', '.'], " ");
        self.engine.identifier_type(part).is_some()
            || self.engine.is_name_value(&words)
            // A name written into a name loses its capitals and spaces (`ansel.whitcombe`),
            // so each word is read on its own too.
            || words.split_whitespace().any(|w| self.engine.is_name_value(w))
            || self.email_in_name(part)
            || self.is_learned(&words)
            || !self
                .engine
                .detector
                .scan(&words, Some(&self.learned), self.scratch)
                .is_empty()
    }

    /// An e-mail address written into a name, its `@` (which no XML name can hold) turned
    /// into an `_`: each `_` is read as the `@` in turn.
    fn email_in_name(&mut self, part: &str) -> bool {
        part.match_indices('_').any(|(i, _)| {
            let at = format!("{}@{}", &part[..i], &part[i + 1..]);
            self.engine
                .detector
                .scan(&at, None, self.scratch)
                .iter()
                .any(|s| s.ty == PhiType::Email)
        })
    }

    /// The replacement for one value, or `None` to keep it as written.
    fn value(&mut self, slot: Slot, v: &Spelled<'_>) -> Result<Option<Replacement>, ScanError> {
        if let (Slot::Attr(Action::Time), Some((date, rest))) = (slot, ts_parts(&v.reading)) {
            return self.ts(&v.reading, date, rest).map(Some);
        }
        let new = self.plain_value(slot, v)?;
        // A rewritten TS or root must still be one (a token is neither): else masked.
        Ok(new.map(|text| match slot {
            Slot::Attr(Action::Time) if !is_ts(&text) => Replacement::Masked { text },
            Slot::Attr(Action::Root { .. }) if !is_root(&text) => Replacement::Masked { text },
            Slot::Attr(Action::Attachment) if text.is_empty() => Replacement::Masked { text },
            _ => Replacement::Value(text),
        }))
    }

    /// The replacement for any value but a TS, in written form.
    fn plain_value(
        &mut self,
        slot: Slot,
        spelled: &Spelled<'_>,
    ) -> Result<Option<String>, ScanError> {
        let v = spelled.reading.as_ref();
        if v.trim().is_empty() {
            return Ok(None);
        }
        let action = match slot {
            Slot::Text(a) | Slot::Attr(a) => a,
            Slot::CData | Slot::Comment | Slot::Pi => Action::Scan,
        };
        let kept = match action {
            Action::Phi(ty) => {
                let new =
                    self.engine
                        .phi_spelled(ty, spelled, self.t, &self.ctx, &mut self.counts)?;
                return Ok(Some(new));
            }
            Action::AgeQuantity => {
                let new = self.engine.phi_spelled(
                    PhiType::Age,
                    spelled,
                    self.t,
                    &self.ctx,
                    &mut self.counts,
                )?;
                return Ok(Some(age_in_number_slot(new)));
            }
            Action::Keep { coded } => self.keeps_code(v, coded),
            Action::Literal => !v.contains(char::is_whitespace) && !self.is_learned(v),
            Action::Oid => is_oid(v),
            Action::System => {
                v.trim().strip_prefix("urn:oid:").is_some_and(is_oid)
                    || self.engine.is_terminology_system(v.trim())
            }
            // A search or a text with blanks is read as text, its markup escaped as any.
            Action::Reference if !reference::reads_as_text(v, |t| self.is_resource_type(t)) => {
                let new = reference::pseudonymise(self, v)?;
                return Ok((new != v).then_some(new));
            }
            Action::ExtensionUrl => super::json::is_hl7_extension_url(v.trim()),
            Action::ContentType => {
                self.content_type = Some(v.trim().to_string());
                is_media_type(v.trim())
            }
            Action::Attachment => {
                let walk = super::attachment::Walk {
                    engine: self.engine,
                    t: self.t,
                    scratch: self.scratch,
                    learned: &self.learned,
                    ctx: &self.ctx,
                    counts: &mut self.counts,
                };
                let content_type = self.content_type.take();
                return Ok(Some(
                    match super::attachment::rewrite(walk, v, content_type.as_deref())? {
                        Some(new) if new == v => return Ok(None),
                        Some(new) => new,
                        // No FHIR value can say "masked": the writer masks it.
                        None => String::new(),
                    },
                ));
            }
            Action::Root { extension } if is_oid(v) => {
                if extension {
                    true
                } else {
                    // Masked (no token is an OID) by `value`, and carried.
                    return self.phi(PhiType::Id, v).map(Some);
                }
            }
            Action::Contact => {
                if let Some((scheme, ty, rest)) = contact_parts(v) {
                    let new = self.phi(ty, rest)?;
                    return Ok(Some(format!("{scheme}{new}")));
                }
                false
            }
            Action::Root { .. } | Action::Reference | Action::Scan | Action::Time => false,
        };
        if kept {
            return Ok(None);
        }
        let new = self.engine.scan_spelled(
            spelled,
            &self.learned,
            self.t,
            &self.ctx,
            self.scratch,
            &mut self.counts,
        )?;
        Ok(match new {
            Cow::Owned(new) if new != *spelled.written => Some(new),
            _ => None,
        })
    }

    fn phi(&mut self, ty: PhiType, v: &str) -> Result<String, ScanError> {
        Ok(self.t.apply_field(ty, v, &self.ctx, &mut self.counts)?)
    }

    /// A code kept as written: code-shaped by the engine's test, or a concept id of the
    /// terminology its element names (`coded`), unless it is a date or one of the
    /// document's own values.
    fn keeps_code(&mut self, v: &str, coded: bool) -> bool {
        if self.engine.keeps_code(v, &self.learned, self.scratch) {
            return true;
        }
        let t = v.trim();
        coded && ts_parts(t).is_none() && !self.is_learned(t)
    }

    fn is_learned(&self, v: &str) -> bool {
        let mut hit = false;
        self.learned.scan(v, |_, _, _| hit = true);
        hit
    }

    /// An HL7 TS: a year or a shifted date is written back as a TS (the time of day kept
    /// after a shift); a token replaces the whole value (the reversible policy: reveal
    /// needs it there); a date the policy removes masks the attribute.
    fn ts(&mut self, v: &str, date: &str, rest: &str) -> Result<Replacement, ScanError> {
        let action = self.t.action(PhiType::Date);
        match action {
            PolicyAction::Keep => Ok(Replacement::Value(v.to_string())),
            // A token is no TS: masked, and carried for reveal.
            PolicyAction::Token => self
                .phi(PhiType::Date, v)
                .map(|text| Replacement::Masked { text }),
            PolicyAction::Generalize | PolicyAction::DateShift => {
                self.counts[PhiType::Date.index()] += 1;
                let iso = format!("{}-{}-{}", &date[..4], &date[4..6], &date[6..8]);
                let new = self.t.apply_value(PhiType::Date, &iso, &self.ctx)?;
                let b = new.as_bytes();
                Ok(match b.len() {
                    4 if b.iter().all(u8::is_ascii_digit) => Replacement::Value(new),
                    10 if b[4] == b'-' && b[7] == b'-' => {
                        Replacement::Value(format!("{}{rest}", new.replace('-', "")))
                    }
                    _ => Replacement::Masked { text: new },
                })
            }
            _ => {
                let text = self.phi(PhiType::Date, v)?;
                Ok(Replacement::Masked { text })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> Rules {
        Rules::parse("cda.toml", include_str!("../../patterns/cda.toml")).expect("rules")
    }

    #[test]
    fn the_rule_file_compiles_and_the_longest_path_wins() {
        let r = rules();
        let name = |s: &[&str]| r.element(s);
        assert_eq!(
            name(&["recordTarget", "patientRole", "patient", "name", "given"]),
            Some(RuleAction::Phi(PhiType::Name))
        );
        assert_eq!(
            name(&[
                "author",
                "assignedAuthor",
                "assignedPerson",
                "name",
                "given"
            ]),
            Some(RuleAction::Phi(PhiType::ProviderName))
        );
        assert_eq!(name(&["section", "text"]), None);
        assert_eq!(
            r.attribute(
                &["ClinicalDocument", "recordTarget", "patientRole", "id"],
                "extension"
            ),
            Some(RuleAction::Phi(PhiType::Mrn))
        );
        assert_eq!(
            r.attribute(&["ClinicalDocument", "id"], "extension"),
            Some(RuleAction::Phi(PhiType::Id))
        );
        assert_eq!(r.attribute(&["x"], "xsi:type"), Some(RuleAction::Keep));
        assert_eq!(r.attribute(&["x"], "xmlns:sdtc"), Some(RuleAction::Keep));
        assert_eq!(r.attribute(&["x"], "foo"), None);
        assert_eq!(r.roots.get("2.16.840.1.113883.4.1"), Some(&PhiType::Ssn));
        for (bad, why) in [
            (
                "[elements]\n\"a//b\" = \"NAME\"\n[attributes]",
                "not a path",
            ),
            (
                "[elements]\n[attributes]\n\"id\" = \"ID\"",
                "names no attribute",
            ),
            ("[elements]\n\"a\" = \"NOPE\"\n[attributes]", "a:"),
        ] {
            let e = Rules::parse("cda.toml", bad).err().expect(bad).to_string();
            assert!(e.contains(why), "{bad}: {e}");
        }
    }

    #[test]
    fn references_decode_and_unknown_entities_are_refused() {
        assert_eq!(
            decode("O&apos;Brien &amp; Co &#233;&#xE9;", None)
                .expect("ok")
                .reading,
            "O'Brien & Co éé"
        );
        for bad in ["&nbsp;", "a & b", "&#0;", "&#xD800;", "&#x;", "&lol9;"] {
            assert!(decode(bad, None).is_err(), "{bad}");
        }
    }

    #[test]
    fn needless_references_keep_their_spelling_in_the_written_form() {
        for (raw, quote) in [
            ("Ans&#101;l O&apos;Brien &amp; &lt;b&gt; a > b", None),
            ("&#x41;nsel&#9;&quot; x > y '", Some('"')),
            ("tab\there &gt; &apos;", Some('\'')),
        ] {
            let v = decode(raw, quote).expect("reads");
            let mut out = String::new();
            escape_value(&v.written, quote, &mut out);
            assert_eq!(out, raw);
        }
        let v = decode("Ans&#101;l &amp;", None).expect("reads");
        assert_eq!(v.reading, "Ansel &");
        assert!(v.differs());
        assert!(!decode("a &amp; &lt;b", None).expect("reads").differs());
        // A kept `'` is written as a reference inside single quotes, a `<` never literally.
        let mut out = String::new();
        escape_attr(
            "\u{E002}'\u{E003}\u{E002}<\u{E003}\u{E002}&bogus;\u{E003}",
            '\'',
            &mut out,
        );
        assert_eq!(out, "&apos;&lt;");
    }

    #[test]
    fn attributes_keep_their_spans_and_bad_ones_are_refused() {
        let raw = "<id root='1.2.3'\n  extension=\"A&amp;1\"/>";
        let a = attributes(raw, 2).expect("attrs");
        assert_eq!(a.len(), 2);
        assert_eq!(
            &raw[a[1].start..a[1].start + a[1].raw_value.len()],
            "A&amp;1"
        );
        assert_eq!(a[0].quote, '\'');
        for bad in [
            "<a b=\"1\"c=\"2\">",
            "<a b>",
            "<a b=1>",
            "<a b=\"1\" b=\"2\">",
            "<a b=\"<\">",
        ] {
            assert!(attributes(bad, 1).is_err(), "{bad}");
        }
    }

    #[test]
    fn documents_that_are_not_well_formed_are_refused() {
        for bad in [
            "<a><b></a>",
            "<a>",
            "<a/><b/>",
            "text <a/>",
            "<a/> text",
            "",
            "<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>",
            "<a>&ent;</a>",
            "<?xml version=\"1.0\" patient=\"Ansel\"?><a/>",
            "<?xml version=\"1.0 Ansel\"?><a/>",
            "<?xml version=\"MR4410827\"?><a/>",
            "<?xml version=\"2.0\"?><a/>",
        ] {
            assert!(read(bad, None, None, None).is_err(), "{bad}");
        }
        let ok =
            "<?xml version=\"1.0\"?>\n<!-- c --><a x='1'><![CDATA[<b>]]><?pi body?>t&lt;</a>\n";
        let items = read(ok, None, None, None).expect("reads");
        let out =
            write::<ScanError>(&items, ok.len(), false, &mut |_, _| Ok(None)).expect("writes");
        assert_eq!(out, ok);
        // A masked attribute becomes `nullFlavor="MSK"`, in its own quotes and place; on an
        // element with a `nullFlavor` already it is left out, never written as text.
        let ok =
            "<a><t x='1' value='19210823' y=\"2\"/><t value=\"19201231\" nullFlavor=\"UNK\"/></a>";
        let items = read(ok, None, None, None).expect("reads");
        let out = write::<ScanError>(&items, ok.len(), false, &mut |s, v| {
            Ok((s == Slot::Attr(Action::Scan)
                && (v.reading == "19210823" || v.reading == "19201231"))
                .then(|| Replacement::Masked {
                    text: "[DATE]".into(),
                }))
        })
        .expect("writes");
        assert_eq!(
            out,
            "<a><t x='1' nullFlavor='MSK' y=\"2\"/><t nullFlavor=\"UNK\"/></a>"
        );
        let ok =
            "<?xml version=\"1.0\"?>\n<!-- c --><a x='1'><![CDATA[<b>]]><?pi body?>t&lt;</a>\n";
        let items = read(ok, None, None, None).expect("reads");
        let out =
            write::<ScanError>(&items, ok.len(), false, &mut |_, _| Ok(None)).expect("writes");
        assert_eq!(out, ok);
    }

    #[test]
    fn time_stamps_and_oids() {
        assert_eq!(ts_parts("19610823"), Some(("19610823", "")));
        assert_eq!(
            ts_parts("20240301093000-0500"),
            Some(("20240301", "093000-0500"))
        );
        for no in [
            "1961",
            "196108",
            "19611323",
            "2024030109300000000",
            "2024-03-01",
        ] {
            assert_eq!(ts_parts(no), None, "{no}");
        }
        assert!(is_oid("2.16.840.1.113883.19.5"));
        assert!(is_oid("2.25.329800735698586629295641978511506172918"));
        for no in [
            "2",
            "2.01",
            "2..1",
            "a.1",
            "2.16.840.1.113883.19.5.",
            "2.16.840.1.113883.4410827",
            "1.2.840.4410827.19610823.512473306",
        ] {
            assert!(!is_oid(no), "{no}");
        }
        assert_eq!(
            contact_parts("tel:+1(413)555-0172"),
            Some(("tel:", PhiType::Phone, "+1(413)555-0172"))
        );
        assert_eq!(contact_parts("urn:x"), None);
    }
}
