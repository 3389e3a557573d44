//! X12 837P (005010X222A1) and 837I (005010X223A2) → [`Claim`]s.
//!
//! Owns envelope checking and the loops the edits read. Delimiters come from the ISA segment,
//! which is fixed width (106 characters with its terminator): the element separator follows
//! `ISA`, ISA16 is the component separator and the next character terminates segments.
//! Envelopes must nest and count correctly (ISA/IEA control numbers, GS/GE group counts,
//! ST/SE segment counts and control numbers). Inside a transaction: 2000B `HL*…*22` and `SBR`
//! (the payer billed: SBR01 its responsibility, SBR09 `MB`/`MA` → the `medicare` profile),
//! 2300 `CLM` (one claim each; CLM05-1 place of service), `HI` (ABK principal, ABF others),
//! `REF*G1` (authorisation number present), `DTP*472` (service date, claim or line), 2320 `SBR`
//! (other payers: only read to find the primary payer when the 2000B payer is not primary),
//! 2400 `LX` + `SV1` (code, modifiers, units or minutes, place of service, diagnosis
//! pointers). Other segments are read for structure only.
//!
//! 837I (hospital-based OT: outpatient departments, rehab agencies, CORFs) has the same
//! envelope and loops; its CLM05-1 is a facility type code, not a place of service, its lines
//! are 2400 `SV2*revenue code*HC:code:modifiers*charge*UN*units` and point to no diagnosis.
//! The claim is marked institutional; the edits that do not apply to it say so.
//!
//! The profile is the primary payer's: 2000B when `SBR01=P`, else a 2320 `SBR01=P` (a
//! crossover claim billed to Medicaid or a supplemental payer after Medicare keeps Medicare's
//! edits, GO included). A 2320 SBR never overwrites a primary 2000B payer.
//!
//! An envelope error makes the file unusable; an error inside a claim (2300 and its lines)
//! makes only that claim unusable, and the others are still read. Errors name the segment
//! number (from 1, across the file), its identifier and its byte offset, never element values.

use super::Parsed;
use crate::claims::error::ClaimsError;
use crate::claims::model::{diagnosis, parse_date, whole_units, Authorization, Claim, Line};

const FORMAT: &str = "X12 837";
const ISA_LEN: usize = 106;
/// 837P professional.
const VERSION: &str = "005010X222A1";
/// 837I institutional.
const VERSION_I: &str = "005010X223A2";

/// What an implementation-guide version is, for "expected … found …" messages. Only these
/// known codes are named; any other value is described, not quoted.
fn guide(version: &str) -> &'static str {
    match version {
        "005010X222A1" => "837P professional (005010X222A1)",
        "005010X223A2" => "837I institutional (005010X223A2)",
        "005010X223A1" | "005010X223" => {
            "837I of an earlier addendum (005010X223A1 or base); phigate reads 005010X223A2"
        }
        "005010X224A2" | "005010X224A1" => "837D dental (005010X224A2)",
        "004010X098A1" => "837P 4010 (004010X098A1), retired",
        "" => "no version",
        _ => "another implementation guide version",
    }
}

/// One segment: where it is, its identifier and its elements (never shown in messages).
pub(crate) struct Seg<'a> {
    /// 1-based segment number in the file.
    pub(crate) n: usize,
    /// Byte offset of the segment in the file.
    pub(crate) at: usize,
    pub(crate) id: &'a str,
    pub(crate) els: Vec<&'a str>,
    /// The transaction the file was read as, for messages (`X12 837`, `X12 835`).
    format: &'static str,
}

impl Seg<'_> {
    /// Element `i` (1-based, as X12 numbers them); empty when absent.
    pub(crate) fn el(&self, i: usize) -> &str {
        self.els.get(i).copied().unwrap_or("")
    }

    fn where_(&self) -> String {
        format!("segment {} ({}) at byte {}", self.n, self.id, self.at)
    }

    pub(crate) fn err(&self, reason: impl Into<String>) -> ClaimsError {
        ClaimsError::parse(self.format, self.where_(), reason)
    }

    /// Checks a trailer (IEA, GE, SE) against what its header opened: element 2 repeats the
    /// header's control number (`header` names that element) and element 1 counts what the
    /// envelope holds (`counted` says what, for the message).
    pub(crate) fn closes(
        &self,
        header: &str,
        control: &str,
        count: usize,
        counted: impl FnOnce() -> String,
    ) -> Result<(), ClaimsError> {
        if self.el(2) != control {
            return Err(self.err(format!(
                "{}02 does not match the {header} control number",
                self.id
            )));
        }
        if self.el(1).parse::<usize>().ok() != Some(count) {
            return Err(self.err(format!("{}01 does not count {}", self.id, counted())));
        }
        Ok(())
    }
}

struct Delims {
    element: u8,
    component: u8,
    segment: u8,
}

fn read_isa(
    format: &'static str,
    bytes: &[u8],
    at: usize,
    n: usize,
) -> Result<Delims, ClaimsError> {
    let here = || format!("segment {n} (ISA) at byte {at}");
    let isa = bytes
        .get(at..at + ISA_LEN)
        .ok_or_else(|| ClaimsError::parse(format, here(), "ISA is shorter than 106 characters"))?;
    let element = isa[3];
    if !(isa[3].is_ascii() && isa[104].is_ascii() && isa[105].is_ascii()) {
        return Err(ClaimsError::parse(
            format,
            here(),
            "ISA delimiters must be ASCII",
        ));
    }
    if element.is_ascii_alphanumeric() || element.is_ascii_whitespace() {
        return Err(ClaimsError::parse(
            format,
            here(),
            "no element separator after ISA",
        ));
    }
    // Fixed width: the 16th element separator is character 104 (ISA16 is 105, then the
    // segment terminator).
    let sixteenth = isa
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == element)
        .nth(15)
        .map(|(i, _)| i);
    if sixteenth != Some(103) {
        return Err(ClaimsError::parse(
            format,
            here(),
            "ISA is not fixed width: 16 elements in exactly 106 characters (ISA06/ISA08 are 15 characters)",
        ));
    }
    let component = isa[104];
    let segment = isa[105];
    if segment.is_ascii_alphanumeric() || segment == element || component == element {
        return Err(ClaimsError::parse(
            format,
            here(),
            "ISA16 (component separator) or the segment terminator is not a delimiter",
        ));
    }
    Ok(Delims {
        element,
        component,
        segment,
    })
}

/// Splits the file into segments, re-reading delimiters at every ISA; errors name `format`.
/// Also returns each segment's component separator.
pub(crate) fn segments<'a>(
    format: &'static str,
    bytes: &'a [u8],
) -> Result<(Vec<Seg<'a>>, Vec<u8>), ClaimsError> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        ClaimsError::parse(
            format,
            format!("byte {}", e.valid_up_to()),
            "not ASCII/UTF-8 text",
        )
    })?;
    let mut segs = Vec::new();
    let mut components = Vec::new();
    let mut pos = if bytes.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let mut delims: Option<Delims> = None;
    let mut n = 0usize;
    loop {
        // Skip line breaks and spaces between segments.
        while pos < bytes.len() && bytes[pos].is_ascii_whitespace() {
            pos += 1;
        }
        if pos >= bytes.len() {
            break;
        }
        n += 1;
        if bytes[pos..].starts_with(b"ISA") {
            delims = Some(read_isa(format, bytes, pos, n)?);
        }
        let Some(d) = &delims else {
            return Err(ClaimsError::parse(
                format,
                format!("segment 1 at byte {pos}"),
                "the file does not start with ISA",
            ));
        };
        let end = bytes[pos..]
            .iter()
            .position(|b| *b == d.segment)
            .map(|i| pos + i)
            .ok_or_else(|| {
                ClaimsError::parse(
                    format,
                    format!("segment {n} at byte {pos}"),
                    "no segment terminator before the end of the file",
                )
            })?;
        let raw = &text[pos..end];
        let sep = char::from(d.element);
        let els: Vec<&str> = raw.split(sep).collect();
        let id = els[0];
        let id_ok = (2..=3).contains(&id.len())
            && id
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
            && id.as_bytes()[0].is_ascii_uppercase();
        if !id_ok {
            return Err(ClaimsError::parse(
                format,
                format!("segment {n} at byte {pos}"),
                "not a segment identifier (2-3 upper-case letters or digits)",
            ));
        }
        segs.push(Seg {
            n,
            at: pos,
            id,
            els,
            format,
        });
        components.push(d.component);
        pos = end + 1;
    }
    Ok((segs, components))
}

/// Where the reader is in an interchange's envelope (ISA … GS … ST … SE … GE … IEA),
/// checked the same way for every transaction set; what a set requires of its GS and ST
/// (functional identifier, version, transaction set id) is its reader's to check.
#[derive(Default)]
pub(crate) struct Envelope<'a> {
    isa13: Option<&'a str>,
    groups: usize,
    gs06: Option<&'a str>,
    transactions: usize,
    st02: Option<&'a str>,
    st_count: usize,
}

/// What a segment is to the envelope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    /// ISA or IEA.
    Interchange,
    /// GS: a functional group opened (its GS01 and GS08 still to be checked).
    GroupOpened,
    /// GE.
    GroupClosed,
    /// ST: a transaction opened (its ST01 and ST03 still to be checked).
    TransactionOpened,
    /// SE: the reader closes what it holds, then calls [`Envelope::close_transaction`].
    TransactionClosing,
    /// Any other segment, inside a transaction.
    Body,
}

impl<'a> Envelope<'a> {
    /// Counts `s` into the open transaction and checks it against the envelope.
    pub(crate) fn step(&mut self, s: &'a Seg<'_>) -> Result<Step, ClaimsError> {
        if self.st02.is_some() {
            self.st_count += 1;
        }
        match s.id {
            "ISA" => {
                if self.isa13.is_some() {
                    return Err(s.err("ISA inside an open interchange (missing IEA)"));
                }
                *self = Envelope {
                    isa13: Some(s.el(13)),
                    ..Envelope::default()
                };
                Ok(Step::Interchange)
            }
            "IEA" => {
                let isa13 = self.isa13.ok_or_else(|| s.err("IEA without ISA"))?;
                if self.gs06.is_some() {
                    return Err(s.err("IEA inside an open functional group (missing GE)"));
                }
                s.closes("ISA13", isa13, self.groups, || {
                    format!("the interchange's {} groups", self.groups)
                })?;
                *self = Envelope::default();
                Ok(Step::Interchange)
            }
            "GS" => {
                if self.isa13.is_none() {
                    return Err(s.err("GS outside an interchange"));
                }
                if self.gs06.is_some() {
                    return Err(s.err("GS inside an open group (missing GE)"));
                }
                self.gs06 = Some(s.el(6));
                self.transactions = 0;
                self.groups += 1;
                Ok(Step::GroupOpened)
            }
            "GE" => {
                let gs06 = self.gs06.ok_or_else(|| s.err("GE without GS"))?;
                if self.st02.is_some() {
                    return Err(s.err("GE inside an open transaction (missing SE)"));
                }
                s.closes("GS06", gs06, self.transactions, || {
                    format!("the group's {} transactions", self.transactions)
                })?;
                self.gs06 = None;
                Ok(Step::GroupClosed)
            }
            "ST" => {
                if self.gs06.is_none() {
                    return Err(s.err("ST outside a functional group"));
                }
                if self.st02.is_some() {
                    return Err(s.err("ST inside an open transaction (missing SE)"));
                }
                self.st02 = Some(s.el(2));
                self.st_count = 1;
                self.transactions += 1;
                Ok(Step::TransactionOpened)
            }
            "SE" if self.st02.is_none() => Err(s.err("SE without ST")),
            "SE" => Ok(Step::TransactionClosing),
            _ if self.st02.is_none() => Err(s.err("segment outside a transaction (ST…SE)")),
            _ => Ok(Step::Body),
        }
    }

    /// At the end of the file (after `segments` segments of a `format` file): an error when
    /// an envelope is still open.
    pub(crate) fn end(&self, format: &'static str, segments: usize) -> Result<(), ClaimsError> {
        let missing = if self.st02.is_some() {
            "SE"
        } else if self.gs06.is_some() {
            "GE"
        } else if self.isa13.is_some() {
            "IEA"
        } else {
            return Ok(());
        };
        Err(ClaimsError::parse(
            format,
            format!("end of file after segment {segments}"),
            format!("the file ends inside an open envelope (missing {missing})"),
        ))
    }

    /// Checks the SE that [`Envelope::step`] answered `TransactionClosing` and closes the
    /// transaction.
    pub(crate) fn close_transaction(&mut self, s: &Seg<'_>) -> Result<(), ClaimsError> {
        let st02 = self.st02.ok_or_else(|| s.err("SE without ST"))?;
        s.closes("ST02", st02, self.st_count, || {
            format!("the {} segments from ST to SE", self.st_count)
        })?;
        self.st02 = None;
        Ok(())
    }
}

/// A payer named by an `SBR`: its responsibility (SBR01) and whether it is Medicare (SBR09).
#[derive(Clone, Copy)]
struct Payer {
    primary: bool,
    medicare: bool,
}

impl Payer {
    fn of(s: &Seg<'_>) -> Payer {
        Payer {
            primary: s.el(1) == "P",
            medicare: matches!(s.el(9), "MB" | "MA"),
        }
    }
}

/// A claim being read: the claim, the primary payer its 2320 loops name, and the first error
/// inside it (after which its segments are skipped).
struct Open {
    claim: Claim,
    other_primary: Option<Payer>,
    error: Option<ClaimsError>,
}

impl Open {
    /// The claim with its profile (the primary payer's), or its error.
    fn close(mut self, subscriber: Option<Payer>) -> Parsed {
        if let Some(e) = self.error {
            return Err(e);
        }
        let payer = match subscriber {
            Some(p) if p.primary => Some(p),
            other => self.other_primary.or(other),
        };
        self.claim.profile =
            payer.map(|p| if p.medicare { "medicare" } else { "commercial" }.to_string());
        Ok(self.claim)
    }
}

/// Parses an 837P file: `Err` when the envelope is unusable; else one result per claim.
pub fn parse(bytes: &[u8]) -> Result<Vec<Parsed>, ClaimsError> {
    let (segs, comps) = segments(FORMAT, bytes)?;
    let mut env = Envelope::default();
    // The open group is 837I (its GS08).
    let mut institutional = false;
    let mut claims: Vec<Parsed> = Vec::new();
    let mut subscriber: Option<Payer> = None;
    let mut cur: Option<Open> = None;
    let mut in_line = false;

    let finish = |cur: &mut Option<Open>, claims: &mut Vec<Parsed>, sub: Option<Payer>| {
        if let Some(c) = cur.take() {
            claims.push(c.close(sub));
        }
    };

    for (i, s) in segs.iter().enumerate() {
        let comp = char::from(comps[i]);
        match env.step(s)? {
            Step::Interchange | Step::GroupClosed => continue,
            Step::GroupOpened => {
                if s.el(1) != "HC" {
                    return Err(s.err("GS01: expected HC (health care claim); found another functional identifier"));
                }
                institutional = match s.el(8) {
                    VERSION => false,
                    VERSION_I => true,
                    other => {
                        return Err(s.err(format!(
                            "GS08: expected {VERSION} (837P) or {VERSION_I} (837I); found {}",
                            guide(other)
                        )))
                    }
                };
                continue;
            }
            Step::TransactionOpened => {
                if s.el(1) != "837" {
                    return Err(s.err(
                        "ST01: expected 837 (health care claim); found another transaction set",
                    ));
                }
                let expected = if institutional { VERSION_I } else { VERSION };
                if !s.el(3).is_empty() && s.el(3) != expected {
                    return Err(s.err(format!(
                        "ST03: expected {expected} (as GS08); found {}",
                        guide(s.el(3))
                    )));
                }
                subscriber = None;
                continue;
            }
            Step::TransactionClosing => {
                finish(&mut cur, &mut claims, subscriber);
                in_line = false;
                env.close_transaction(s)?;
                continue;
            }
            Step::Body => {}
        }
        match s.id {
            "HL" => {
                // A new subscriber (22) or patient (23) level ends the claim before it.
                finish(&mut cur, &mut claims, subscriber);
                in_line = false;
                if s.el(3) == "22" {
                    subscriber = None;
                }
                if !matches!(s.el(3), "20" | "22" | "23") {
                    return Err(s.err("HL03 is not 20, 22 or 23"));
                }
            }
            "CLM" => {
                finish(&mut cur, &mut claims, subscriber);
                in_line = false;
                let mut open = Open {
                    claim: Claim {
                        index: claims.len() + 1,
                        institutional,
                        ..Claim::default()
                    },
                    other_primary: None,
                    error: None,
                };
                // 837P: place of service; 837I: facility type code (not a place of service).
                match (s.el(5).split(comp).next().unwrap_or(""), institutional) {
                    ("", false) => {
                        open.error = Some(s.err("CLM05-1 (place of service) is missing"));
                    }
                    ("", true) => {
                        open.error = Some(s.err("CLM05-1 (facility type code) is missing"));
                    }
                    (_, true) => {}
                    (pos, false) => open.claim.place_of_service = Some(pos.to_string()),
                }
                cur = Some(open);
            }
            // 2000B: the payer billed. (Before any CLM of this subscriber.)
            "SBR" if cur.is_none() => subscriber = Some(Payer::of(s)),
            _ => {
                if let Some(open) = cur.as_mut().filter(|o| o.error.is_none()) {
                    if let Err(e) = claim_segment(s, comp, open, &mut in_line) {
                        open.error = Some(e);
                    }
                } else if cur.is_none() && matches!(s.id, "HI" | "LX" | "SV1") {
                    return Err(s.err(format!("{} before CLM", s.id)));
                }
            }
        }
    }
    env.end(FORMAT, segs.len())?;
    Ok(claims)
}

/// The patient control number (CLM01) of every claim of a file, in file order, read as
/// leniently as a de-identified copy needs: its ISA may no longer be fixed width (a token
/// is longer than the value it replaced), so the element separator is the character after
/// `ISA` and the segment terminator the one after ISA16. `None` when no ISA is found. The
/// evidence of a forwarded claim pairs these with the claim reports (a payer's 835 names
/// the claim by CLM01 in CLP01).
pub fn control_numbers(bytes: &[u8]) -> Option<Vec<String>> {
    let start = bytes.windows(3).position(|w| w == b"ISA").filter(|i| {
        bytes[..*i]
            .iter()
            .all(|b| b.is_ascii_whitespace() || *b >= 0x80)
    })?;
    let element = *bytes.get(start + 3)?;
    let sixteenth = bytes[start..]
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == element)
        .nth(15)
        .map(|(i, _)| start + i)?;
    let terminator = *bytes.get(sixteenth + 2)?;
    let text = std::str::from_utf8(&bytes[start..]).ok()?;
    let sep = char::from(element);
    Some(
        text.split(char::from(terminator))
            .map(str::trim_start)
            .filter_map(|seg| {
                let mut els = seg.split(sep);
                (els.next() == Some("CLM")).then(|| els.next().unwrap_or("").to_string())
            })
            .collect(),
    )
}

/// One segment inside a claim (2300 and its 2320/2400 loops).
fn claim_segment(
    s: &Seg<'_>,
    comp: char,
    open: &mut Open,
    in_line: &mut bool,
) -> Result<(), ClaimsError> {
    let c = &mut open.claim;
    match s.id {
        // 2320: another payer. Only a primary one matters (crossover claims).
        "SBR" => {
            let p = Payer::of(s);
            if p.primary {
                open.other_primary = Some(p);
            }
        }
        "HI" => hi(s, comp, c)?,
        "REF" if s.el(1) == "G1" => {
            c.authorization = Some(Authorization {
                number_present: !s.el(2).is_empty(),
                ..Authorization::default()
            });
        }
        "LX" => {
            let number: u32 = s
                .el(1)
                .parse()
                .map_err(|_| s.err("LX01 is not a line number"))?;
            c.lines.push(Line {
                number,
                ..Line::default()
            });
            *in_line = true;
        }
        "SV1" | "SV2" => {
            if (s.id == "SV2") != c.institutional {
                return Err(s.err(if c.institutional {
                    "expected SV2 (837I service line); found SV1"
                } else {
                    "expected SV1 (837P service line); found SV2"
                }));
            }
            let line = match (*in_line, c.lines.last_mut()) {
                (true, Some(l)) if l.code.is_empty() && l.revenue_code.is_none() => l,
                _ => return Err(s.err(format!("{} without its LX", s.id))),
            };
            if c.institutional {
                sv2(s, comp, line)?;
            } else {
                sv1(s, comp, line)?;
            }
        }
        "DTP" if s.el(1) == "472" => {
            let v = s.el(3);
            let d = match s.el(2) {
                "D8" => parse_date(v),
                "RD8" => v.split('-').next().and_then(parse_date),
                _ => None,
            }
            .ok_or_else(|| s.err("DTP03 is not a D8/RD8 date"))?;
            match (*in_line, c.lines.last_mut()) {
                (true, Some(l)) => l.date = Some(d),
                _ => c.date = Some(d),
            }
        }
        _ => {}
    }
    Ok(())
}

/// `HI*ABK:code*ABF:code…`: diagnoses in order.
fn hi(s: &Seg<'_>, comp: char, c: &mut Claim) -> Result<(), ClaimsError> {
    for (k, e) in s.els.iter().enumerate().skip(1) {
        if e.is_empty() {
            continue;
        }
        let mut parts = e.split(comp);
        let qual = parts.next().unwrap_or("");
        let code = parts.next().unwrap_or("");
        match qual {
            "ABK" | "ABF" => {
                if code.is_empty() {
                    return Err(s.err(format!("HI{k:02} has no code")));
                }
                if (qual == "ABK") != c.diagnoses.is_empty() {
                    return Err(s.err(format!(
                        "HI{k:02}: ABK (principal) must come first and once"
                    )));
                }
                let seq = u32::try_from(c.diagnoses.len() + 1).unwrap_or(u32::MAX);
                c.diagnoses.push(diagnosis(seq, code));
            }
            "BK" | "BF" => {
                return Err(s.err(format!(
                    "HI{k:02} is ICD-9 (BK/BF); 837P 5010 claims use ICD-10-CM (ABK/ABF)"
                )));
            }
            // Other HI qualifiers (condition codes, …) are not diagnoses.
            _ => {}
        }
    }
    Ok(())
}

/// `SV2*revenue code*HC:code:m1:m2:m3:m4*charge*UN*units` (837I).
fn sv2(s: &Seg<'_>, comp: char, line: &mut Line) -> Result<(), ClaimsError> {
    let rev = s.el(1);
    if rev.len() != 4 || !rev.bytes().all(|b| b.is_ascii_digit()) {
        return Err(s.err("SV201 is not a 4-digit revenue code"));
    }
    line.revenue_code = Some(rev.to_string());
    if !s.el(2).is_empty() {
        procedure(s, "SV202", s.el(2), comp, line)?;
    }
    if !s.el(3).is_empty() {
        line.charge = Some(
            s.el(3)
                .parse()
                .map_err(|_| s.err("SV203 (charge) is not a number"))?,
        );
    }
    if s.el(4) != "UN" {
        return Err(s.err("SV204: expected UN (units); found another unit of measure"));
    }
    let units: f64 = s
        .el(5)
        .parse()
        .map_err(|_| s.err("SV205 (units) is not a number"))?;
    line.units = whole_units(units);
    Ok(())
}

/// A procedure composite (`HC:code:m1:m2:m3:m4`, SV101 or SV202) into the line.
fn procedure(
    s: &Seg<'_>,
    element: &str,
    composite: &str,
    comp: char,
    line: &mut Line,
) -> Result<(), ClaimsError> {
    let mut c = composite.split(comp);
    if c.next().unwrap_or("") != "HC" {
        return Err(s.err(format!("{element}-1 is not HC (CPT/HCPCS)")));
    }
    // A code of the wrong shape is the line's problem, not the claim's: the edits report it
    // as unknown (without repeating it) and check the rest.
    let code = c.next().unwrap_or("");
    if code.is_empty() {
        return Err(s.err(format!("{element}-2 (procedure code) is missing")));
    }
    line.code = code.to_ascii_uppercase();
    line.modifiers = c
        .take(4)
        .filter(|m| !m.is_empty())
        .map(str::to_ascii_uppercase)
        .collect();
    Ok(())
}

/// `SV1*HC:code:m1:m2:m3:m4*charge*UN*units*POS**ptr1:ptr2…`
fn sv1(s: &Seg<'_>, comp: char, line: &mut Line) -> Result<(), ClaimsError> {
    procedure(s, "SV101", s.el(1), comp, line)?;
    if !s.el(2).is_empty() {
        line.charge = Some(
            s.el(2)
                .parse()
                .map_err(|_| s.err("SV102 (charge) is not a number"))?,
        );
    }
    let quantity: f64 = s
        .el(4)
        .parse()
        .map_err(|_| s.err("SV104 (quantity) is not a number"))?;
    match s.el(3) {
        "UN" => line.units = whole_units(quantity),
        // MJ (minutes) is valid 837P, meant for anesthesia: kept as minutes for the edits,
        // which report that OT codes bill units.
        "MJ" => {
            line.quantity_in_minutes = true;
            line.minutes = whole_units(quantity);
        }
        _ => {
            return Err(
                s.err("SV103: expected UN (units) or MJ (minutes); found another unit of measure")
            )
        }
    }
    if !s.el(5).is_empty() {
        line.place_of_service = Some(s.el(5).to_string());
    }
    for p in s.el(7).split(comp).filter(|p| !p.is_empty()) {
        let p: u32 = p
            .parse()
            .map_err(|_| s.err("SV107 (diagnosis pointer) is not a number"))?;
        if !(1..=12).contains(&p) {
            return Err(s.err("SV107 pointers are 1 to 12"));
        }
        line.dx_pointers.push(p);
    }
    if line.dx_pointers.len() > 4 {
        return Err(s.err("SV107 has more than 4 pointers"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// The claims.md §8.2 example (all data fake).
    pub const SAMPLE: &str = "ISA*00*          *00*          *ZZ*PHIGATETEST    *ZZ*TESTCLEARING   *250115*1030*^*00501*000000101*0*T*:~
GS*HC*PHIGATETEST*TESTCLEARING*20250115*1030*101*X*005010X222A1~
ST*837*0001*005010X222A1~
BHT*0019*00*OTBATCH0001*20250115*1030*CH~
NM1*41*2*SUNRISE HAND THERAPY*****46*TESTSUB01~
PER*IC*BILLING OFFICE*TE*5555550100~
NM1*40*2*TEST CLEARINGHOUSE*****46*TESTCH01~
HL*1**20*1~
NM1*85*2*SUNRISE HAND THERAPY*****XX*1234567893~
N3*100 MAIN ST~
N4*SPRINGFIELD*IL*627010000~
REF*EI*123456789~
HL*2*1*22*0~
SBR*P*18*******MB~
NM1*IL*1*DOE*JANE****MI*1EG4TE5MK73~
N3*1 ELM ST~
N4*SPRINGFIELD*IL*627020000~
DMG*D8*19470312*F~
NM1*PR*2*TEST MEDICARE MAC*****PI*99999~
CLM*ACCT1001*250***11:B:1*Y*A*Y*Y~
HI*ABK:I69351*ABF:M6281*ABF:R278~
NM1*DN*1*SMITH*JOHN****XX*1245319599~
LX*1~
SV1*HC:97530:GO*100*UN*2***1:2~
DTP*472*D8*20250114~
LX*2~
SV1*HC:97535:GO*100*UN*2***1:3~
DTP*472*D8*20250114~
LX*3~
SV1*HC:97110:GO*50*UN*1***1:2~
DTP*472*D8*20250114~
SE*30*0001~
GE*1*101~
IEA*1*000000101~
";

    proptest::proptest! {
        // Any truncation or byte change of a valid file is an error or claims, never a panic.
        #[test]
        fn mutated_files_never_panic(cut in 0usize..1200, at in 0usize..1200, b in proptest::num::u8::ANY) {
            let mut bytes = SAMPLE.as_bytes().to_vec();
            let at = at % bytes.len();
            bytes[at] = b;
            bytes.truncate(cut.max(1));
            let _ = parse(&bytes);
            let _ = crate::claims::fhir::parse(&bytes);
            let _ = crate::claims::json::parse(&bytes);
        }
    }

    fn claims(s: &str) -> Vec<Claim> {
        crate::claims::parse::read_cleanly(parse(s.as_bytes()))
    }

    #[test]
    fn control_numbers_are_read_from_a_de_identified_copy() {
        // A token longer than the value it replaced breaks ISA's fixed width.
        let copy = two_claims("LX*1~\nSV1*HC:97530:GO*100*UN*2***1:2~\n")
            .replace("000000101*0*T", "ID_MHG64XCGAS*0*T")
            .replace("CLM*ACCT1001*", "CLM*ACCOUNT_0123456789*");
        assert_eq!(
            control_numbers(copy.as_bytes()).unwrap(),
            ["ACCOUNT_0123456789", "ACCT1002"]
        );
        assert_eq!(control_numbers(b"no interchange here"), None);
    }

    #[test]
    fn the_domain_note_example() {
        let c = claims(SAMPLE);
        assert_eq!(c.len(), 1);
        let c = &c[0];
        assert_eq!(c.profile.as_deref(), Some("medicare"));
        assert_eq!(c.place_of_service.as_deref(), Some("11"));
        assert_eq!(c.diagnoses.len(), 3);
        assert_eq!(c.lines.len(), 3);
        assert_eq!(c.lines[1].code, "97535");
        assert_eq!(c.lines[1].modifiers, ["GO"]);
        assert_eq!(c.lines[1].units, Some(2));
        assert_eq!(c.lines[1].dx_pointers, [1, 3]);
        assert!(c.lines[2].date.is_some());
        assert_eq!(c.total_timed_minutes, None);
    }

    #[test]
    fn delimiters_come_from_isa() {
        let other = SAMPLE.replace('*', "|").replace('~', "\n");
        // Component separator stays ':' (ISA16) and the terminator becomes a newline.
        let c = claims(&other);
        assert_eq!(c[0].lines[0].dx_pointers, [1, 2]);
    }

    /// The file's error, or else its first claim's.
    fn err_of(s: &str) -> String {
        match parse(s.as_bytes()) {
            Err(e) => e.to_string(),
            Ok(c) => c.into_iter().find_map(Result::err).unwrap().to_string(),
        }
    }

    /// A second claim after the first, for the same subscriber.
    fn two_claims(first_lines: &str) -> String {
        let second = "CLM*ACCT1002*100***11:B:1*Y*A*Y*Y~\nHI*ABK:I69351~\nLX*1~\nSV1*HC:97530:GO*100*UN*1***1~\nDTP*472*D8*20250114~\n";
        SAMPLE
            .replace("LX*1~\nSV1*HC:97530:GO*100*UN*2***1:2~\n", first_lines)
            .replace(
                "SE*30*0001~",
                &format!(
                    "{second}SE*{}*0001~",
                    30 + 5 + first_lines.matches('~').count() - 2
                ),
            )
    }

    #[test]
    fn a_bad_line_spoils_only_its_claim() {
        for bad in [
            "LX*1~\nSV1*XX:97530:GO*100*UN*2***1:2~\n",
            "LX*1~\nSV1*HC:97530:GO*100*DA*2***1:2~\n",
            "LX*1~\nSV1*HC:97530:GO*100*UN*2***1:99~\n",
        ] {
            let r = parse(two_claims(bad).as_bytes()).unwrap();
            assert_eq!(r.len(), 2, "{bad}");
            assert!(r[0].is_err() && r[1].is_ok(), "{bad}");
            let e = r[0].as_ref().unwrap_err().to_string();
            assert!(e.contains("(SV1)"), "{e}");
        }
    }

    #[test]
    fn minutes_and_odd_codes_are_read_not_refused() {
        let c = claims(&two_claims("LX*1~\nSV1*HC:97530:GO*100*MJ*30***1:2~\n"));
        let l = &c[0].lines[0];
        assert_eq!(
            (l.units, l.minutes, l.quantity_in_minutes),
            (None, Some(30), true)
        );
        let c = claims(&two_claims("LX*1~\nSV1*HC:JANE DOE:GO*100*UN*2***1:2~\n"));
        assert_eq!(c[0].lines.len(), 3);
    }

    #[test]
    fn crossover_claims_keep_the_primary_payer() {
        // 2000B Medicare primary; 2320 names Medicaid as the other (secondary) payer.
        let other = "SBR*S*18*******MC~\nNM1*PR*2*TEST MEDICAID*****PI*88888~\n";
        let x = two_claims("LX*1~\nSV1*HC:97530:GO*100*UN*2***1:2~\n");
        let x = x.replacen("NM1*DN*", &format!("{other}NM1*DN*"), 1);
        let x = x.replace(&format!("SE*{}*0001~", 35), &format!("SE*{}*0001~", 37));
        let c = claims(&x);
        assert_eq!(c[0].profile.as_deref(), Some("medicare"));
        assert_eq!(c[1].profile.as_deref(), Some("medicare"));
        // Billed to Medicaid as secondary (2000B S) after Medicare primary (2320 P): Medicare.
        let y = x
            .replace("SBR*P*18*******MB~", "SBR*S*18*******MC~")
            .replace(
                "SBR*S*18*******MC~\nNM1*PR*2*TEST MEDICAID",
                "SBR*P*18*******MB~\nNM1*PR*2*TEST MEDICARE",
            );
        let c = claims(&y);
        assert_eq!(c[0].profile.as_deref(), Some("medicare"));
        assert_eq!(c[1].profile.as_deref(), Some("commercial"));
    }

    #[test]
    fn other_guides_say_what_was_expected_and_found() {
        let e = err_of(&SAMPLE.replace("005010X222A1", "005010X224A2"));
        assert!(
            e.contains("expected 005010X222A1") && e.contains("found 837D"),
            "{e}"
        );
        let e = err_of(&SAMPLE.replace("005010X222A1", "005010X223A1"));
        assert!(e.contains("earlier addendum"), "{e}");
        // An 837P body under an 837I envelope: the line segment says it.
        let e = err_of(&SAMPLE.replace("005010X222A1", "005010X223A2"));
        assert!(e.contains("expected SV2") && e.contains("found SV1"), "{e}");
    }

    #[test]
    fn an_837i_reads_revenue_lines() {
        let i = SAMPLE
            .replace("005010X222A1", "005010X223A2")
            .replace("CLM*ACCT1001*250***11:B:1", "CLM*ACCT1001*250***13:A:1")
            .replace(
                "SV1*HC:97530:GO*100*UN*2***1:2~",
                "SV2*0430*HC:97530:GO*100*UN*2~",
            )
            .replace(
                "SV1*HC:97535:GO*100*UN*2***1:3~",
                "SV2*0434*HC:97535:GO*100*UN*2~",
            )
            .replace("SV1*HC:97110:GO*50*UN*1***1:2~", "SV2*0430**50*UN*1~");
        let c = &claims(&i)[0];
        assert!(c.institutional);
        assert_eq!(c.place_of_service, None);
        assert_eq!(c.profile.as_deref(), Some("medicare"));
        let l = &c.lines[1];
        assert_eq!(
            (l.revenue_code.as_deref(), l.code.as_str(), l.units),
            (Some("0434"), "97535", Some(2))
        );
        assert_eq!(l.modifiers, ["GO"]);
        assert!(c.lines[2].code.is_empty());
    }

    #[test]
    fn malformed_inputs_name_segment_and_position() {
        let e = err_of(&SAMPLE.replace("SE*30*0001~", "SE*29*0001~"));
        assert!(e.contains("segment 32 (SE)") && e.contains("SE01"), "{e}");
        assert!(!e.contains("29"), "{e}");
        let e = err_of(&SAMPLE.replace(
            "SV1*HC:97535:GO*100*UN*2***1:3~",
            "SV1*HC:97535:GO*100*UN*X***1:3~",
        ));
        assert!(e.contains("(SV1)") && e.contains("SV104"), "{e}");
        let e = err_of(&SAMPLE.replace("IEA*1*000000101~", ""));
        assert!(e.contains("missing IEA"), "{e}");
        let e = err_of(&SAMPLE.replace("*PHIGATETEST    *", "*PHIGATETEST*"));
        assert!(e.contains("segment 1 (ISA)"), "{e}");
        let e = err_of(&SAMPLE.replace("LX*2~\n", "").replace("SE*30*", "SE*29*"));
        assert!(e.contains("SV1 without its LX"), "{e}");
        let e = err_of(&SAMPLE.replace("HI*ABK:I69351*", "HI*BK:4380*"));
        assert!(e.contains("ICD-9"), "{e}");
        let e = err_of(&SAMPLE.replace("GE*1*101~", "GE*1*102~"));
        assert!(e.contains("GE02"), "{e}");
        let e = err_of(&SAMPLE.replace("N3*1 ELM ST~", "n3*1 ELM ST~"));
        assert!(e.contains("segment 16 at byte"), "{e}");
        assert!(!e.contains("ELM"), "{e}");
        let e = err_of("GS*HC~");
        assert!(e.contains("does not start with ISA"), "{e}");
    }
}
