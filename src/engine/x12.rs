//! X12 5010 interchanges (837P claims, 835 remittances, 277CA acknowledgements): reading,
//! rewriting element by element, writing back.
//!
//! Owns `patterns/x12.toml` (which element of which segment, under which qualifier, holds
//! which PHI type), the delimiters each ISA declares (element separator after `ISA`, ISA11
//! repetition separator when it is one, ISA16 component separator, the segment terminator
//! after it), and the split into segments, elements, repetitions and components. Everything
//! between values (delimiters, line breaks between segments) is written back byte for byte,
//! and so is every value that nothing changes, so envelope counts (SE01, GE01, IEA01) and
//! control numbers (ISA13/IEA02, GS06/GE02, ST02/SE02) stay valid: values change inside
//! elements, never the number of segments or elements.
//!
//! X12 has no escape sequences: a rewritten value that would hold a delimiter has it
//! replaced (de-identification: the characters a policy writes, such as a mask's `*`) or is
//! refused (re-identification: a revealed value is never allowed to split an element).
//! Tokens use only letters, digits and `_`, which are never delimiters here.
//!
//! Fail closed: an element no rule names and every element of a segment not in the rule
//! file are read like a JSON value under an unknown key ([`Engine::scan_value`]); a body that
//! does not open with a fixed-width ISA, or a segment without an identifier, is refused.

use rustc_hash::FxHashMap;
use serde::Deserialize;

use super::fields::{parse_field, Field, FieldError};
use super::json::{keep_shaped, learnable};
use super::{Engine, Output, ScanError};
use crate::detect::learned::Learned;
use crate::detect::Scratch;
use crate::phi::PhiType;
use crate::transform::policy::Action;
use crate::transform::{DocContext, Transformer};

/// The ISA segment's fixed length, its terminator included.
const ISA_LEN: usize = 106;

// === Rules ===

/// What one element holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Rule {
    Field(Field),
    /// An envelope or structural value: kept while shaped like a code.
    Control,
    /// A value that is no one's PHI where the rule puts it (a billing provider's street,
    /// the submitter's name): kept as written unless it holds one of the interchange's own
    /// PHI values (then scanned).
    Verbatim,
}

/// The rules of one segment under one qualifier condition.
#[derive(Debug)]
struct SegmentRule {
    /// Element number → the values its first component must have.
    when: Vec<(usize, Vec<String>)>,
    /// The loops the rule applies in, by the entity code of the `NM1` or `N1` that opened
    /// them (`85` billing provider); empty: any.
    entity: Vec<String>,
    /// By element number less one.
    elements: Vec<Option<Rule>>,
    default: Option<Rule>,
}

impl SegmentRule {
    fn applies(&self, elements: &[&str], d: &Delims, entity: &str) -> bool {
        if !self.entity.is_empty() && !self.entity.iter().any(|e| e == entity) {
            return false;
        }
        self.when.iter().all(|(n, values)| {
            let el = elements.get(*n).copied().unwrap_or("");
            let first = el.split(d.component).next().unwrap_or("").trim();
            values.iter().any(|v| v == first)
        })
    }

    fn element(&self, n: usize) -> Option<Rule> {
        n.checked_sub(1)
            .and_then(|i| self.elements.get(i).copied().flatten())
            .or(self.default)
    }
}

/// The compiled element rules.
pub struct Rules {
    segments: FxHashMap<String, Vec<SegmentRule>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRules {
    segment: Vec<RawSegment>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSegment {
    id: String,
    #[serde(default)]
    when: FxHashMap<String, Vec<String>>,
    #[serde(default)]
    entity: Vec<String>,
    #[serde(default)]
    elements: FxHashMap<String, String>,
    default: Option<String>,
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
        let mut segments: FxHashMap<String, Vec<SegmentRule>> = FxHashMap::default();
        for s in raw.segment {
            if !is_segment_id(&s.id) {
                return Err(err(format!("`{}` is not a segment identifier", s.id)));
            }
            let compiled = compile(&s).map_err(|reason| err(format!("{}: {reason}", s.id)))?;
            segments.entry(s.id).or_default().push(compiled);
        }
        Ok(Rules { segments })
    }

    /// No rules: every value unnamed (re-identification reads no rules).
    pub fn none() -> Rules {
        Rules {
            segments: FxHashMap::default(),
        }
    }

    /// The rule of element `n` of a segment with these elements (element 0 is its ID), in
    /// the loop `entity` opened; `None` when no rule names it (the value is read as
    /// unknown).
    fn rule(&self, elements: &[&str], d: &Delims, entity: &str, n: usize) -> Option<Rule> {
        let id = elements.first()?;
        self.segments
            .get(*id)?
            .iter()
            .find(|r| r.applies(elements, d, entity))
            .and_then(|r| r.element(n))
    }
}

fn compile(s: &RawSegment) -> Result<SegmentRule, String> {
    let number = |k: &str| {
        k.parse::<usize>()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| format!("`{k}` is not an element number"))
    };
    let mut when = Vec::new();
    for (k, values) in &s.when {
        when.push((number(k)?, values.clone()));
    }
    when.sort();
    if s.entity.iter().any(|e| e.is_empty() || e.len() > 3) {
        return Err("`entity` lists NM101/N101 entity codes (`85`, `PR`)".into());
    }
    let mut elements = Vec::new();
    for (k, v) in &s.elements {
        let n = number(k)?;
        if elements.len() < n {
            elements.resize(n, None);
        }
        elements[n - 1] = Some(action(v)?);
    }
    let default = s.default.as_deref().map(action).transpose()?;
    Ok(SegmentRule {
        when,
        entity: s.entity.clone(),
        elements,
        default,
    })
}

/// The actions an element can have.
fn action(s: &str) -> Result<Rule, String> {
    if s == "control" {
        return Ok(Rule::Control);
    }
    if s == "verbatim" {
        return Ok(Rule::Verbatim);
    }
    match parse_field(s)? {
        f @ (Field::Phi(_) | Field::Keep | Field::Scan | Field::Remove) => Ok(Rule::Field(f)),
        _ => Err(
            "only a PHI type, keep, control, verbatim, scan or remove applies to an X12 element"
                .into(),
        ),
    }
}

/// Two or three upper-case letters or digits, a letter first.
fn is_segment_id(s: &str) -> bool {
    (2..=3).contains(&s.len())
        && s.bytes().next().is_some_and(|b| b.is_ascii_uppercase())
        && s.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

// === Delimiters ===

/// An interchange's delimiters, from its ISA.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Delims {
    element: char,
    component: char,
    /// ISA11 when it is a separator (5010); a 4010 `U` is not.
    repetition: Option<char>,
    segment: char,
}

impl Delims {
    /// Reads the fixed-width ISA at the start of `isa`: the element separator after `ISA`,
    /// exactly 16 of them in 106 characters, ISA16 the component separator and the next
    /// character the segment terminator. Delimiters are distinct ASCII characters that are
    /// not letters, digits or `_` (so a token can never hold one).
    fn of_isa(isa: &str, segment: usize) -> Result<Delims, ScanError> {
        let bad = |reason| ScanError::X12 { segment, reason };
        let b = isa.as_bytes();
        let head = b
            .get(..ISA_LEN)
            .ok_or(bad("ISA is shorter than 106 characters"))?;
        if !head.is_ascii() {
            return Err(bad("ISA is not ASCII"));
        }
        let element = head[3];
        let separators: Vec<usize> = head
            .iter()
            .enumerate()
            .filter(|(_, c)| **c == element)
            .map(|(i, _)| i)
            .collect();
        if separators.len() < 16 || separators[15] != 103 {
            return Err(bad(
                "ISA is not fixed width (16 elements in exactly 106 characters)",
            ));
        }
        let (component, terminator) = (head[104], head[105]);
        let delimiter = |c: u8| !(c.is_ascii_alphanumeric() || c == b'_' || c == b' ');
        let all = [element, component, terminator];
        let distinct = all.iter().enumerate().all(|(i, c)| !all[..i].contains(c));
        if !all.iter().all(|c| delimiter(*c)) || !distinct {
            return Err(bad("ISA declares delimiters that cannot be told apart"));
        }
        // ISA11 sits after the 11th separator (the first one opens ISA01).
        let rep = &head[separators[10] + 1..separators[11]];
        let repetition = match rep {
            [r] if delimiter(*r) && !all.contains(r) => Some(char::from(*r)),
            _ => None,
        };
        Ok(Delims {
            element: char::from(element),
            component: char::from(component),
            repetition,
            segment: char::from(terminator),
        })
    }

    fn holds_delimiter(&self, value: &str) -> bool {
        value.chars().any(|c| self.is_delimiter(c))
    }

    fn is_delimiter(&self, c: char) -> bool {
        c == self.element || c == self.component || c == self.segment || Some(c) == self.repetition
    }
}

// === Walking an interchange ===

/// Where a value sits: the segment (numbered from 1 across the body), its identifier,
/// the element and component numbers as X12 counts them.
#[derive(Clone, Copy, Debug)]
pub struct Place<'a> {
    pub number: usize,
    pub segment: &'a str,
    pub element: usize,
    pub component: usize,
}

/// What rewrites an X12 body: told of each segment first, then asked for each value.
pub(crate) trait Rewriter {
    type Error: From<ScanError>;
    /// Called with each segment's elements (element 0 its identifier) before its values;
    /// most rewriters need only the values.
    fn segment(&mut self, _elements: &[&str], _d: &Delims) -> Result<(), Self::Error> {
        Ok(())
    }
    /// The replacement for a value, or `None` to keep it as written.
    fn value(
        &mut self,
        place: Place<'_>,
        rule: Option<Rule>,
        value: &str,
    ) -> Result<Option<String>, Self::Error>;
    /// The interchange sender's or receiver's ID (ISA06, ISA08) of segment `number`: the
    /// fixed-width ISA is written as read, so a rewriter may only refuse it.
    fn envelope_id(&mut self, _number: usize, _id: &str) -> Result<(), Self::Error> {
        Ok(())
    }
}

/// Rewrites every value of an X12 body. With `out`, the body is written there: separators,
/// whitespace between segments and unchanged values as they came.
fn walk<R: Rewriter>(
    rules: &Rules,
    body: &str,
    r: &mut R,
    mut out: Option<&mut String>,
) -> Result<(), R::Error> {
    let mut pos = 0;
    let mut number = 0;
    let mut d: Option<Delims> = None;
    // The entity code of the NM1 or N1 that opened the current loop.
    let mut entity = String::new();
    loop {
        let gap = body[pos..].len() - body[pos..].trim_start().len();
        if let Some(o) = out.as_deref_mut() {
            o.push_str(&body[pos..pos + gap]);
        }
        pos += gap;
        if pos >= body.len() {
            return Ok(());
        }
        number += 1;
        let rest = &body[pos..];
        if rest.starts_with("ISA") {
            d = Some(Delims::of_isa(rest, number)?);
        }
        let Some(d) = d else {
            return Err(ScanError::X12 {
                segment: number,
                reason: "an interchange starts with ISA",
            }
            .into());
        };
        let (text, terminated) = match rest.find(d.segment) {
            Some(end) => (&rest[..end], true),
            None => (rest, false),
        };
        walk_segment(rules, text, number, &d, &mut entity, r, out.as_deref_mut())?;
        pos += text.len();
        if terminated {
            if let Some(o) = out.as_deref_mut() {
                o.push(d.segment);
            }
            pos += d.segment.len_utf8();
        }
    }
}

/// Segments that open a loop without naming an entity: the loop they end had one.
const LOOP_STARTS: &[&str] = &["ST", "HL", "SBR", "PAT", "CLM", "LX", "CLP", "SVC", "SE"];

/// Keeps the current loop's entity code: set by NM1 and N1 (element 1), cleared by a
/// segment that opens a loop of another kind.
fn track_entity(elements: &[&str], d: &Delims, entity: &mut String) {
    let id = elements.first().copied().unwrap_or("");
    if matches!(id, "NM1" | "N1") {
        entity.clear();
        let code = elements.get(1).and_then(|e| e.split(d.component).next());
        entity.push_str(code.unwrap_or("").trim());
    } else if LOOP_STARTS.contains(&id) {
        entity.clear();
    }
}

fn walk_segment<R: Rewriter>(
    rules: &Rules,
    text: &str,
    number: usize,
    d: &Delims,
    entity: &mut String,
    r: &mut R,
    mut out: Option<&mut String>,
) -> Result<(), R::Error> {
    let elements: Vec<&str> = text.split(d.element).collect();
    let id = elements.first().copied().unwrap_or("");
    if !is_segment_id(id) {
        return Err(ScanError::X12 {
            segment: number,
            reason: "a segment does not start with a 2- or 3-character identifier",
        }
        .into());
    }
    // The ISA is fixed width and declares the delimiters: written as read.
    if id == "ISA" {
        for n in [6, 8] {
            if let Some(v) = elements.get(n).map(|v| v.trim()).filter(|v| !v.is_empty()) {
                r.envelope_id(number, v)?;
            }
        }
        if let Some(o) = out {
            o.push_str(text);
        }
        return Ok(());
    }
    track_entity(&elements, d, entity);
    r.segment(&elements, d)?;
    if let Some(o) = out.as_deref_mut() {
        o.push_str(id);
    }
    for (n, element) in elements.iter().enumerate().skip(1) {
        if let Some(o) = out.as_deref_mut() {
            o.push(d.element);
        }
        let rule = rules.rule(&elements, d, entity, n);
        let repetitions: Vec<&str> = match d.repetition {
            Some(rep) => element.split(rep).collect(),
            None => vec![element],
        };
        for (k, repetition) in repetitions.iter().enumerate() {
            if k > 0 {
                if let (Some(o), Some(rep)) = (out.as_deref_mut(), d.repetition) {
                    o.push(rep);
                }
            }
            for (c, value) in repetition.split(d.component).enumerate() {
                if c > 0 {
                    if let Some(o) = out.as_deref_mut() {
                        o.push(d.component);
                    }
                }
                let place = Place {
                    number,
                    segment: id,
                    element: n,
                    component: c + 1,
                };
                let new = match value.trim().is_empty() {
                    true => None,
                    false => r.value(place, rule, value)?,
                };
                let Some(o) = out.as_deref_mut() else {
                    continue;
                };
                match new {
                    Some(v) if d.holds_delimiter(&v) => {
                        return Err(ScanError::X12 {
                            segment: number,
                            reason: "a rewritten value would hold a delimiter",
                        }
                        .into())
                    }
                    Some(v) => o.push_str(&v),
                    None => o.push_str(value),
                }
            }
        }
    }
    Ok(())
}

/// Rewrites an X12 body with `r` (the reverse direction uses this with a reveal function).
pub(crate) fn rewrite<R: Rewriter>(
    rules: &Rules,
    body: &str,
    r: &mut R,
) -> Result<String, R::Error> {
    let mut out = String::with_capacity(body.len() + body.len() / 4);
    walk(rules, body, r, Some(&mut out))?;
    Ok(out)
}

/// Whether a body opens like an X12 interchange (`ISA` and a delimiter).
pub fn looks_like_x12(body: &str) -> bool {
    let t = body.trim_start();
    t.starts_with("ISA")
        && t.as_bytes()
            .get(3)
            .is_some_and(|b| b.is_ascii_punctuation() || *b == b'|')
}

// === De-identification ===

/// De-identifies an X12 body: the interchange's PHI elements are learned first (so a
/// patient's name is found in a note), then every value is rewritten by its rule.
pub fn deidentify(
    engine: &Engine,
    text: &str,
    t: &Transformer<'_>,
    scratch: &mut Scratch,
) -> Result<Output, ScanError> {
    let rules = &engine.x12;
    let mut learner = Learner::default();
    walk(rules, text, &mut learner, None)?;
    learner.learned.finish();
    let mut d = Deidentifier {
        engine,
        t,
        scratch,
        learned: learner.learned,
        ctx: DocContext::default(),
        delims: None,
        counts: [0; PhiType::ALL.len()],
    };
    let text = rewrite(rules, text, &mut d)?;
    Ok(Output {
        text,
        spans: Vec::new(),
        counts: d.counts,
    })
}

/// Collects the values of PHI-typed elements.
#[derive(Default)]
struct Learner {
    learned: Learned,
}

impl Rewriter for Learner {
    type Error = ScanError;
    fn value(
        &mut self,
        _: Place<'_>,
        rule: Option<Rule>,
        v: &str,
    ) -> Result<Option<String>, ScanError> {
        if let Some(Rule::Field(Field::Phi(ty))) = rule {
            if learnable(ty) {
                self.learned.add(ty, v);
            }
        }
        Ok(None)
    }
}

struct Deidentifier<'e, 't, 's> {
    engine: &'e Engine,
    t: &'e Transformer<'t>,
    scratch: &'s mut Scratch,
    learned: Learned,
    /// The current patient (the last subscriber or patient name loop), for date shifting
    /// and the vault.
    ctx: DocContext,
    /// The current interchange's delimiters.
    delims: Option<Delims>,
    counts: [usize; PhiType::ALL.len()],
}

impl Deidentifier<'_, '_, '_> {
    /// A patient loop's memory ([`crate::memory`]): their name and member ID are
    /// remembered under the loop's patient key, and what is remembered of them is searched
    /// in the loop's text instead of the previous patient's.
    fn recall(&mut self, key: &str, names: [&str; 3], member_id: &str) -> Result<(), ScanError> {
        let mut mine = Learned::default();
        for n in names.iter().filter(|n| !n.is_empty()) {
            mine.remember(PhiType::Name, n);
        }
        if !member_id.is_empty() {
            mine.remember(PhiType::HealthPlan, member_id);
        }
        self.engine
            .recall_patient(self.t, &[key.to_string()], &mut mine)?;
        self.learned.set_memory(mine.take_memory());
        Ok(())
    }
}

/// Entity codes of NM1 segments that name the patient or subscriber.
fn is_patient_loop(elements: &[&str], d: &Delims) -> bool {
    let code = elements.get(1).and_then(|e| e.split(d.component).next());
    matches!(code, Some("IL" | "QC"))
}

impl Rewriter for Deidentifier<'_, '_, '_> {
    type Error = ScanError;

    /// A subscriber or patient name loop (NM1*IL, NM1*QC) starts a new patient: their
    /// member ID, else their name, keys date shifting and the vault batch.
    fn segment(&mut self, elements: &[&str], d: &Delims) -> Result<(), ScanError> {
        self.delims = Some(*d);
        if elements.first() == Some(&"NM1") && is_patient_loop(elements, d) {
            let get = |n: usize| elements.get(n).copied().unwrap_or("").trim();
            let key = match get(9) {
                "" => format!("{}:{} {}", PhiType::Name, get(3), get(4)),
                id => format!("{}:{id}", PhiType::HealthPlan),
            };
            let key = key.to_lowercase();
            self.recall(&key, [get(3), get(4), get(5)], get(9))?;
            self.ctx = DocContext {
                patient_key: Some(key),
            };
        }
        Ok(())
    }

    fn envelope_id(&mut self, number: usize, id: &str) -> Result<(), ScanError> {
        if self.envelope_holds_phi(id) {
            return Err(ScanError::X12 {
                segment: number,
                reason: "an interchange sender or receiver ID that holds PHI (ISA06/ISA08 are written as read)",
            });
        }
        Ok(())
    }

    fn value(
        &mut self,
        _: Place<'_>,
        rule: Option<Rule>,
        value: &str,
    ) -> Result<Option<String>, ScanError> {
        let new = match rule {
            Some(Rule::Control)
                if keep_shaped(value) && !self.engine.control_holds_phi(value, &self.learned) =>
            {
                return Ok(None)
            }
            Some(Rule::Verbatim) if self.is_no_ones_phi(value) => return Ok(None),
            Some(Rule::Field(Field::Keep))
                if self.engine.keeps_code(value, &self.learned, self.scratch) =>
            {
                return Ok(None)
            }
            Some(Rule::Field(Field::Remove)) => String::new(),
            Some(Rule::Field(Field::Phi(ty))) => {
                self.counts[ty.index()] += 1;
                self.phi_value(ty, value)?
            }
            _ => {
                let scanned = self.engine.scan_value(
                    value,
                    &self.learned,
                    self.t,
                    &self.ctx,
                    self.scratch,
                    &mut self.counts,
                )?;
                self.scrub(scanned)
            }
        };
        Ok(Some(new))
    }
}

impl Deidentifier<'_, '_, '_> {
    /// A `verbatim` value is kept while it reads as a place or an organisation only: none
    /// of the interchange's patient values, no identifier shape (a ZIP aside), and nothing
    /// the detector finds but an address, a town or a ZIP. Anything else is scanned, so a
    /// patient's name or number written into a provider's loop does not cross.
    fn is_no_ones_phi(&mut self, v: &str) -> bool {
        let t = v.trim();
        let zip = matches!(t.len(), 5 | 9) && t.bytes().all(|b| b.is_ascii_digit());
        if zip {
            return !self.holds_learned(t);
        }
        if self.engine.identifier_type(t).is_some() || self.holds_learned(t) {
            return false;
        }
        let lexicon = self.engine.detector.lexicon();
        self.engine
            .detector
            .scan(t, None, self.scratch)
            .iter()
            .all(|s| match s.ty {
                PhiType::Address | PhiType::Location | PhiType::Zip => true,
                // A town that is a surname too (`SPRINGFIELD`): the gazetteer says a place.
                PhiType::Name => t[s.start..s.end].split_whitespace().all(|w| {
                    lexicon.flags(w.as_bytes()) & crate::detect::lexicon::flag::PLACE != 0
                }),
                _ => false,
            })
    }

    /// Whether an interchange sender or receiver ID holds PHI: shaped like no code (a
    /// contact detail, an SSN, words), a control value that holds PHI, a date, or ten
    /// digits that are no NPI (a phone number).
    fn envelope_holds_phi(&self, v: &str) -> bool {
        let digits = v.len() == 10 && v.bytes().all(|b| b.is_ascii_digit());
        !keep_shaped(v)
            || self.engine.control_holds_phi(v, &self.learned)
            || super::is_compact_date(v)
            || (digits && !crate::detect::validate::luhn(&format!("80840{v}")))
    }

    /// Whether a value holds one of the interchange's own patient values (a clinician's
    /// name, learned from a provider loop, is no patient's).
    fn holds_learned(&self, v: &str) -> bool {
        let mut hit = false;
        self.learned
            .scan(v, |_, _, ty| hit |= ty != PhiType::ProviderName);
        hit
    }

    fn scrub(&self, s: String) -> String {
        match &self.delims {
            Some(d) => scrub_with(s, d),
            None => s,
        }
    }

    /// A typed value by the policy. An X12 date (`CCYYMMDD`, a range `CCYYMMDD-CCYYMMDD`)
    /// that the policy shifts or generalises is read as a calendar date and a shifted one
    /// written back in the same form; tokens and kept values take the value as written, so
    /// a reveal gives back the same bytes.
    fn phi_value(&self, ty: PhiType, value: &str) -> Result<String, ScanError> {
        let dated = ty == PhiType::Date
            && matches!(self.t.action(ty), Action::DateShift | Action::Generalize);
        if let Some(parts) = dated.then(|| x12_dates(value)).flatten() {
            let mut out = Vec::with_capacity(parts.len());
            for iso in parts {
                let new = self.t.apply_value(ty, &iso, &self.ctx)?;
                out.push(from_iso(&new).unwrap_or(new));
            }
            return Ok(self.scrub(out.join("-")));
        }
        Ok(self.scrub(self.t.apply_value(ty, value, &self.ctx)?))
    }
}

/// `20250114` → [`2025-01-14`]; `20250101-20250131` → both; `None` for any other shape.
fn x12_dates(value: &str) -> Option<Vec<String>> {
    let v = value.trim();
    let one = |s: &str| {
        (s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| format!("{}-{}-{}", &s[..4], &s[4..6], &s[6..]))
    };
    match v.split_once('-') {
        Some((a, b)) => Some(vec![one(a)?, one(b)?]),
        None => Some(vec![one(v)?]),
    }
}

/// `2025-01-14` → `20250114`; `None` for anything else (a year, a redaction).
fn from_iso(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let shaped = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    shaped.then(|| s.replace('-', ""))
}

/// A policy's output made safe for an element: a delimiter character a transform wrote (a
/// mask's `*`, a redaction's bracket under unusual delimiters) is written as `#`, or as
/// `-` when `#` is a delimiter too; the rewrite refuses anything still holding one. The
/// value read held no delimiter, so only what the policy wrote changes.
fn scrub_with(s: String, d: &Delims) -> String {
    if !d.holds_delimiter(&s) {
        return s;
    }
    let fill = if d.is_delimiter('#') { '-' } else { '#' };
    s.chars()
        .map(|c| if d.is_delimiter(c) { fill } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ISA: &str = "ISA*00*          *00*          *ZZ*PHIGATETEST    *ZZ*TESTCLEARING   *250115*1030*^*00501*000000101*0*T*:~";

    fn rules() -> Rules {
        Rules::parse("x12.toml", include_str!("../../patterns/x12.toml")).expect("rules")
    }

    #[test]
    fn delimiters_come_from_the_fixed_width_isa() {
        let d = Delims::of_isa(ISA, 1).expect("isa");
        assert_eq!(
            (d.element, d.component, d.repetition, d.segment),
            ('*', ':', Some('^'), '~')
        );
        let bars = ISA.replace('*', "|").replace(":~", ">\n");
        let d = Delims::of_isa(&bars, 1).expect("isa");
        assert_eq!((d.element, d.component, d.segment), ('|', '>', '\n'));
        let u = ISA.replace("*^*", "*U*");
        assert_eq!(Delims::of_isa(&u, 1).expect("4010").repetition, None);
        for bad in [
            &ISA[..60],
            &ISA.replace("PHIGATETEST    ", "PHIGATETEST"),
            &ISA.replace(":~", "A~"),
            &ISA.replace(":~", "**"),
        ] {
            assert!(Delims::of_isa(bad, 1).is_err(), "{bad}");
        }
    }

    /// Records every value and its rule; changes nothing.
    struct Seen(Vec<String>);
    impl Rewriter for Seen {
        type Error = ScanError;
        fn value(
            &mut self,
            p: Place<'_>,
            rule: Option<Rule>,
            v: &str,
        ) -> Result<Option<String>, ScanError> {
            self.0.push(format!(
                "{}{:02}.{}={v} {rule:?}",
                p.segment, p.element, p.component
            ));
            Ok(None)
        }
    }

    #[test]
    fn every_value_is_visited_with_its_rule_and_the_body_comes_back_whole() {
        let body = format!(
            "{ISA}\r\nGS*HC*A*B*20250115*1030*101*X*005010X222A1~NM1*IL*1*DOE*JANE****MI*M1^M2~\nNM1*PR*2*PLAN*****PI*99999~REF*SY*219099999~SV1*HC:97530:GO*100*UN*2~ZZZ*odd"
        );
        let mut seen = Seen(Vec::new());
        let out = rewrite(&rules(), &body, &mut seen).expect("walks");
        assert_eq!(out, body);
        let has = |s: &str| seen.0.iter().any(|x| x == s);
        assert!(has("NM103.1=DOE Some(Field(Phi(Name)))"), "{:?}", seen.0);
        assert!(has("NM109.1=M1 Some(Field(Phi(HealthPlan)))"));
        assert!(has("NM109.1=M2 Some(Field(Phi(HealthPlan)))"));
        assert!(has("NM109.1=99999 Some(Control)"));
        assert!(has("REF02.1=219099999 Some(Field(Phi(Ssn)))"));
        assert!(has("SV101.2=97530 Some(Field(Keep))"));
        assert!(has("GS06.1=101 Some(Control)"));
        assert!(has("ZZZ01.1=odd None"));
        assert!(!seen.0.iter().any(|x| x.starts_with("ISA")));
    }

    #[test]
    fn a_body_that_is_not_an_interchange_is_refused() {
        for bad in [
            "GS*HC~",
            "hello",
            &format!("{ISA}*BAD~"),
            &format!("{ISA}GS*1~1X*2~"),
        ] {
            let r = rewrite(&rules(), bad, &mut Seen(Vec::new()));
            assert!(matches!(r, Err(ScanError::X12 { .. })), "{bad}");
        }
    }

    #[test]
    fn a_rewritten_value_cannot_split_an_element() {
        struct Star;
        impl Rewriter for Star {
            type Error = ScanError;
            fn value(
                &mut self,
                _: Place<'_>,
                _: Option<Rule>,
                _: &str,
            ) -> Result<Option<String>, ScanError> {
                Ok(Some("A*B".into()))
            }
        }
        let r = rewrite(&rules(), &format!("{ISA}NM1*IL~"), &mut Star);
        assert!(matches!(r, Err(ScanError::X12 { segment: 2, .. })));
        let d = Delims::of_isa(ISA, 1).expect("isa");
        assert_eq!(scrub_with("***1234".into(), &d), "###1234");
        assert_eq!(scrub_with("[NAME]".into(), &d), "[NAME]");
    }

    #[test]
    fn x12_dates_read_and_write_in_their_form() {
        assert_eq!(x12_dates("20250114"), Some(vec!["2025-01-14".into()]));
        assert_eq!(
            x12_dates("20250101-20250131"),
            Some(vec!["2025-01-01".into(), "2025-01-31".into()])
        );
        assert_eq!(x12_dates("2025"), None);
        assert_eq!(from_iso("2024-12-30").as_deref(), Some("20241230"));
        assert_eq!(from_iso("2024"), None);
    }

    #[test]
    fn the_rule_file_compiles_and_bad_rules_are_named() {
        let r = rules();
        let d = Delims::of_isa(ISA, 1).expect("isa");
        let nm1 = [
            "NM1",
            "85",
            "2",
            "CLINIC",
            "",
            "",
            "",
            "",
            "XX",
            "1234567893",
        ];
        assert_eq!(
            r.rule(&nm1, &d, "", 3),
            Some(Rule::Field(Field::Phi(PhiType::ProviderName)))
        );
        assert_eq!(
            r.rule(&nm1, &d, "", 9),
            Some(Rule::Field(Field::Phi(PhiType::License)))
        );
        assert_eq!(
            r.rule(&["CLM", "ACCT1", "250"], &d, "", 1),
            Some(Rule::Field(Field::Phi(PhiType::Account)))
        );
        assert_eq!(
            r.rule(&["CLM", "ACCT1", "250"], &d, "", 2),
            Some(Rule::Field(Field::Keep))
        );
        assert_eq!(r.rule(&["ZX1", "a"], &d, "", 1), None);
        // Addresses by loop: kept in a billing provider's, tokenised in a patient's or a
        // service facility's.
        let n3 = ["N3", "100 MAIN ST"];
        assert_eq!(r.rule(&n3, &d, "85", 1), Some(Rule::Verbatim));
        assert_eq!(r.rule(&n3, &d, "PR", 1), Some(Rule::Verbatim));
        for loop_code in ["QC", "IL", "77", ""] {
            assert_eq!(
                r.rule(&n3, &d, loop_code, 1),
                Some(Rule::Field(Field::Phi(PhiType::Address))),
                "{loop_code}"
            );
        }
        let mut entity = String::new();
        for (seg, expected) in [
            (&["NM1", "85", "2"][..], "85"),
            (&["N3", "100 MAIN ST"][..], "85"),
            (&["HL", "2", "1"][..], ""),
            (&["N1", "PE", "CLINIC"][..], "PE"),
            (&["CLP", "ACCT1"][..], ""),
        ] {
            track_entity(seg, &d, &mut entity);
            assert_eq!(entity, expected, "{seg:?}");
        }
        for (bad, why) in [
            ("[[segment]]\nid = \"nm1\"", "not a segment"),
            (
                "[[segment]]\nid = \"NM1\"\nelements = { 0 = \"NAME\" }",
                "element number",
            ),
            (
                "[[segment]]\nid = \"NM1\"\ndefault = \"contact\"",
                "only a PHI type",
            ),
            (
                "[[segment]]\nid = \"NM1\"\nelements = { 3 = \"NOPE\" }",
                "NM1",
            ),
        ] {
            let e = Rules::parse("x12.toml", bad).err().expect(bad).to_string();
            assert!(e.contains(why), "{bad}: {e}");
        }
    }
}
