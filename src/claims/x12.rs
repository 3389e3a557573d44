//! X12 837P (005010X222A1) → [`Claim`]s.
//!
//! Owns envelope checking and the loops the edits read. Delimiters come from the ISA segment,
//! which is fixed width (106 characters with its terminator): the element separator follows
//! `ISA`, ISA16 is the component separator and the next character terminates segments.
//! Envelopes must nest and count correctly (ISA/IEA control numbers, GS/GE group counts,
//! ST/SE segment counts and control numbers). Inside a transaction: 2000B `HL*…*22` and `SBR`
//! (SBR09 `MB`/`MA` → the `medicare` profile), 2300 `CLM` (one claim each; CLM05-1 place of
//! service), `HI` (ABK principal, ABF others), `REF*G1` (authorisation number present),
//! `DTP*472` (service date, claim or line), 2400 `LX` + `SV1` (code, modifiers, units, place of
//! service, diagnosis pointers). Other segments are read for structure only.
//!
//! Errors name the segment number (from 1, across the file), its identifier and its byte
//! offset, never element values.

use super::{diagnosis, parse_date, whole_units, Authorization, Claim, ClaimsError, Line};

const FORMAT: &str = "X12 837P";
const ISA_LEN: usize = 106;
const VERSION: &str = "005010X222A1";

struct Seg<'a> {
    /// 1-based segment number in the file.
    n: usize,
    /// Byte offset of the segment in the file.
    at: usize,
    id: &'a str,
    els: Vec<&'a str>,
}

impl Seg<'_> {
    /// Element `i` (1-based, as X12 numbers them); empty when absent.
    fn el(&self, i: usize) -> &str {
        self.els.get(i).copied().unwrap_or("")
    }

    fn where_(&self) -> String {
        format!("segment {} ({}) at byte {}", self.n, self.id, self.at)
    }

    fn err(&self, reason: impl Into<String>) -> ClaimsError {
        ClaimsError::parse(FORMAT, self.where_(), reason)
    }
}

struct Delims {
    element: u8,
    component: u8,
    segment: u8,
}

fn read_isa(bytes: &[u8], at: usize, n: usize) -> Result<Delims, ClaimsError> {
    let here = || format!("segment {n} (ISA) at byte {at}");
    let isa = bytes
        .get(at..at + ISA_LEN)
        .ok_or_else(|| ClaimsError::parse(FORMAT, here(), "ISA is shorter than 106 characters"))?;
    let element = isa[3];
    if !(isa[3].is_ascii() && isa[104].is_ascii() && isa[105].is_ascii()) {
        return Err(ClaimsError::parse(
            FORMAT,
            here(),
            "ISA delimiters must be ASCII",
        ));
    }
    if element.is_ascii_alphanumeric() || element.is_ascii_whitespace() {
        return Err(ClaimsError::parse(
            FORMAT,
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
            FORMAT,
            here(),
            "ISA is not fixed width: 16 elements in exactly 106 characters (ISA06/ISA08 are 15 characters)",
        ));
    }
    let component = isa[104];
    let segment = isa[105];
    if segment.is_ascii_alphanumeric() || segment == element || component == element {
        return Err(ClaimsError::parse(
            FORMAT,
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

/// Splits the file into segments, re-reading delimiters at every ISA.
fn segments(bytes: &[u8]) -> Result<(Vec<Seg<'_>>, Vec<u8>), ClaimsError> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        ClaimsError::parse(
            FORMAT,
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
            delims = Some(read_isa(bytes, pos, n)?);
        }
        let Some(d) = &delims else {
            return Err(ClaimsError::parse(
                FORMAT,
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
                    FORMAT,
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
                FORMAT,
                format!("segment {n} at byte {pos}"),
                "not a segment identifier (2-3 upper-case letters or digits)",
            ));
        }
        segs.push(Seg {
            n,
            at: pos,
            id,
            els,
        });
        components.push(d.component);
        pos = end + 1;
    }
    Ok((segs, components))
}

#[derive(Default)]
struct Envelope<'a> {
    isa13: Option<&'a str>,
    groups: usize,
    gs06: Option<&'a str>,
    transactions: usize,
    st02: Option<&'a str>,
    st_count: usize,
}

/// Parses an 837P file into claims (several per file).
pub fn parse(bytes: &[u8]) -> Result<Vec<Claim>, ClaimsError> {
    let (segs, comps) = segments(bytes)?;
    let mut env = Envelope::default();
    let mut claims: Vec<Claim> = Vec::new();
    let mut subscriber_medicare: Option<bool> = None;
    let mut cur: Option<Claim> = None;
    let mut in_line = false;

    let finish = |cur: &mut Option<Claim>, claims: &mut Vec<Claim>| {
        if let Some(c) = cur.take() {
            claims.push(c);
        }
    };

    for (i, s) in segs.iter().enumerate() {
        let comp = char::from(comps[i]);
        if env.st02.is_some() {
            env.st_count += 1;
        }
        match s.id {
            "ISA" => {
                if env.isa13.is_some() {
                    return Err(s.err("ISA inside an open interchange (missing IEA)"));
                }
                env = Envelope {
                    isa13: Some(s.el(13)),
                    ..Envelope::default()
                };
            }
            "IEA" => {
                let isa13 = env.isa13.ok_or_else(|| s.err("IEA without ISA"))?;
                if env.gs06.is_some() {
                    return Err(s.err("IEA inside an open functional group (missing GE)"));
                }
                if s.el(2) != isa13 {
                    return Err(s.err("IEA02 does not match the ISA13 control number"));
                }
                if s.el(1).parse::<usize>().ok() != Some(env.groups) {
                    return Err(s.err(format!(
                        "IEA01 says {} groups; the interchange has {}",
                        s.el(1),
                        env.groups
                    )));
                }
                env = Envelope::default();
            }
            "GS" => {
                if env.isa13.is_none() {
                    return Err(s.err("GS outside an interchange"));
                }
                if env.gs06.is_some() {
                    return Err(s.err("GS inside an open group (missing GE)"));
                }
                if s.el(1) != "HC" {
                    return Err(s.err("GS01 is not HC (health care claim)"));
                }
                if s.el(8) != VERSION {
                    return Err(s.err(format!("GS08 is not {VERSION} (837P 5010)")));
                }
                env.gs06 = Some(s.el(6));
                env.transactions = 0;
                env.groups += 1;
            }
            "GE" => {
                let gs06 = env.gs06.ok_or_else(|| s.err("GE without GS"))?;
                if env.st02.is_some() {
                    return Err(s.err("GE inside an open transaction (missing SE)"));
                }
                if s.el(2) != gs06 {
                    return Err(s.err("GE02 does not match the GS06 control number"));
                }
                if s.el(1).parse::<usize>().ok() != Some(env.transactions) {
                    return Err(s.err(format!(
                        "GE01 says {} transactions; the group has {}",
                        s.el(1),
                        env.transactions
                    )));
                }
                env.gs06 = None;
            }
            "ST" => {
                if env.gs06.is_none() {
                    return Err(s.err("ST outside a functional group"));
                }
                if env.st02.is_some() {
                    return Err(s.err("ST inside an open transaction (missing SE)"));
                }
                if s.el(1) != "837" {
                    return Err(s.err("ST01 is not 837"));
                }
                if !s.el(3).is_empty() && s.el(3) != VERSION {
                    return Err(s.err(format!("ST03 is not {VERSION}")));
                }
                env.st02 = Some(s.el(2));
                env.st_count = 1;
                env.transactions += 1;
                subscriber_medicare = None;
            }
            "SE" => {
                let st02 = env.st02.ok_or_else(|| s.err("SE without ST"))?;
                finish(&mut cur, &mut claims);
                in_line = false;
                if s.el(2) != st02 {
                    return Err(s.err("SE02 does not match the ST02 control number"));
                }
                if s.el(1).parse::<usize>().ok() != Some(env.st_count) {
                    return Err(s.err(format!(
                        "SE01 says {} segments; ST to SE has {}",
                        s.el(1),
                        env.st_count
                    )));
                }
                env.st02 = None;
            }
            _ if env.st02.is_none() => {
                return Err(s.err("segment outside a transaction (ST…SE)"));
            }
            "HL" => {
                // A new subscriber (22) or patient (23) level ends the claim before it.
                finish(&mut cur, &mut claims);
                in_line = false;
                if s.el(3) == "22" {
                    subscriber_medicare = None;
                }
                if !matches!(s.el(3), "20" | "22" | "23") {
                    return Err(s.err("HL03 is not 20, 22 or 23"));
                }
            }
            "SBR" => {
                let code = s.el(9);
                subscriber_medicare = Some(matches!(code, "MB" | "MA"));
            }
            "CLM" => {
                finish(&mut cur, &mut claims);
                in_line = false;
                let pos = s.el(5).split(comp).next().unwrap_or("");
                if pos.is_empty() {
                    return Err(s.err("CLM05-1 (place of service) is missing"));
                }
                cur = Some(Claim {
                    index: claims.len() + 1,
                    profile: subscriber_medicare
                        .map(|m| if m { "medicare" } else { "commercial" }.to_string()),
                    place_of_service: Some(pos.to_string()),
                    ..Claim::default()
                });
            }
            "HI" => {
                let c = cur.as_mut().ok_or_else(|| s.err("HI before CLM"))?;
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
                            return Err(s.err(format!("HI{k:02} is ICD-9 (BK/BF); 837P 5010 claims use ICD-10-CM (ABK/ABF)")));
                        }
                        // Other HI qualifiers (condition codes, …) are not diagnoses.
                        _ => {}
                    }
                }
            }
            "REF" if s.el(1) == "G1" => {
                if let Some(c) = cur.as_mut() {
                    c.authorization = Some(Authorization {
                        number_present: !s.el(2).is_empty(),
                        ..Authorization::default()
                    });
                }
            }
            "LX" => {
                let c = cur.as_mut().ok_or_else(|| s.err("LX before CLM"))?;
                let number: u32 = s
                    .el(1)
                    .parse()
                    .map_err(|_| s.err("LX01 is not a line number"))?;
                c.lines.push(Line {
                    number,
                    ..Line::default()
                });
                in_line = true;
            }
            "SV1" => {
                let c = cur.as_mut().ok_or_else(|| s.err("SV1 before CLM"))?;
                let line = match (in_line, c.lines.last_mut()) {
                    (true, Some(l)) if l.code.is_empty() => l,
                    _ => return Err(s.err("SV1 without its LX")),
                };
                sv1(s, comp, line)?;
            }
            "DTP" if s.el(1) == "472" => {
                let c = cur.as_mut().ok_or_else(|| s.err("DTP*472 before CLM"))?;
                let v = s.el(3);
                let d = match s.el(2) {
                    "D8" => parse_date(v),
                    "RD8" => v.split('-').next().and_then(parse_date),
                    _ => None,
                }
                .ok_or_else(|| s.err("DTP03 is not a D8/RD8 date"))?;
                match (in_line, c.lines.last_mut()) {
                    (true, Some(l)) => l.date = Some(d),
                    _ => c.date = Some(d),
                }
            }
            _ => {}
        }
    }
    if env.st02.is_some() || env.gs06.is_some() || env.isa13.is_some() {
        let what = if env.st02.is_some() {
            "SE"
        } else if env.gs06.is_some() {
            "GE"
        } else {
            "IEA"
        };
        return Err(ClaimsError::parse(
            FORMAT,
            format!("end of file after segment {}", segs.len()),
            format!("the file ends inside an open envelope (missing {what})"),
        ));
    }
    Ok(claims)
}

/// `SV1*HC:code:m1:m2:m3:m4*charge*UN*units*POS**ptr1:ptr2…`
fn sv1(s: &Seg<'_>, comp: char, line: &mut Line) -> Result<(), ClaimsError> {
    let mut c = s.el(1).split(comp);
    let qual = c.next().unwrap_or("");
    if qual != "HC" {
        return Err(s.err("SV101-1 is not HC (CPT/HCPCS)"));
    }
    let code = c.next().unwrap_or("");
    if code.len() != 5 || !code.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(s.err("SV101-2 is not a 5-character procedure code"));
    }
    line.code = code.to_ascii_uppercase();
    line.modifiers = c
        .take(4)
        .filter(|m| !m.is_empty())
        .map(str::to_ascii_uppercase)
        .collect();
    if !s.el(2).is_empty() {
        line.charge = Some(
            s.el(2)
                .parse()
                .map_err(|_| s.err("SV102 (charge) is not a number"))?,
        );
    }
    if s.el(3) != "UN" {
        return Err(s.err("SV103 is not UN (units)"));
    }
    let units: f64 = s
        .el(4)
        .parse()
        .map_err(|_| s.err("SV104 (units) is not a number"))?;
    line.units = whole_units(units);
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

    #[test]
    fn the_domain_note_example() {
        let c = parse(SAMPLE.as_bytes()).unwrap();
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
        let c = parse(other.as_bytes()).unwrap();
        assert_eq!(c[0].lines[0].dx_pointers, [1, 2]);
    }

    fn err_of(s: &str) -> String {
        parse(s.as_bytes()).unwrap_err().to_string()
    }

    #[test]
    fn malformed_inputs_name_segment_and_position() {
        let e = err_of(&SAMPLE.replace("SE*30*0001~", "SE*29*0001~"));
        assert!(e.contains("segment 32 (SE)") && e.contains("SE01"), "{e}");
        let e = err_of(&SAMPLE.replace(
            "SV1*HC:97535:GO*100*UN*2***1:3~",
            "SV1*HC:97535:GO*100*UN*X***1:3~",
        ));
        assert!(e.contains("(SV1)") && e.contains("SV104"), "{e}");
        let e = err_of(&SAMPLE.replace("IEA*1*000000101~", ""));
        assert!(e.contains("missing IEA"), "{e}");
        let e = err_of(&SAMPLE.replace("*PHIGATETEST    *", "*PHIGATETEST*"));
        assert!(e.contains("segment 1 (ISA)"), "{e}");
        let e = err_of(&SAMPLE.replace("LX*2~\n", ""));
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
