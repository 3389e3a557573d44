//! X12 835 (health care claim payment/advice, 005010X221A1) → [`Remitted`] claims.
//!
//! Owns the 835's envelope and the loops the denial report reads. Segments come from the
//! 837 reader's splitter ([`crate::claims::parse::x12`]: delimiters from ISA). Envelopes must
//! nest and count (ISA/IEA, GS `HP`/GE, ST `835`/SE); several interchanges, groups and
//! transactions may follow each other. Inside a transaction: `BPR` (one payment) and `TRN`
//! are checked for presence only; each 2100 `CLP` opens a claim (CLP01 the patient control
//! number the clinic sent, CLP02 its status, CLP03/04 charge and payment, CLP07 the payer's
//! claim number, CLP09 the frequency code: 1 original, 7 replacement, 8 void); `CAS`
//! adjustments (group, then up to six reason/amount/quantity triples) belong to the claim,
//! or to the service line after an `SVC`; `LQ*HE` remark codes (RARC) to the line; `MIA`
//! and `MOA` remark codes to the claim. `PLB` (provider-level adjustments) is not a claim's.
//!
//! An envelope error makes the file unusable; an error inside a claim makes only that claim
//! unusable. Codes are checked for their shape before they are kept, so nothing but codes
//! and amounts leaves this module; errors name segment numbers and positions, never values.

use super::super::error::ClaimsError;
use super::super::parse::x12::{segments, Envelope, Seg, Step};
use super::super::tables::{RemitCodes, StatusKind};

const FORMAT: &str = "X12 835";
/// 835 health care claim payment/advice.
const VERSION: &str = "005010X221A1";

/// A claim's control number as the 835 gives it back. It is the sender's identifier (a token
/// when phigate forwarded the claim), so it is never printed: `Debug` hides it.
#[derive(Clone, PartialEq, Eq)]
pub struct Control(pub String);

impl std::fmt::Debug for Control {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Control({} characters)", self.0.chars().count())
    }
}

/// One adjustment (a CAS triple).
#[derive(Debug, Clone, PartialEq)]
pub struct Adjustment {
    /// CO, PR, OI, PI or CR.
    pub group: String,
    /// The claim adjustment reason code (CARC).
    pub carc: String,
    pub amount: f64,
    /// The service line (its position in the claim, from 1); `None` for the claim's own.
    pub line: Option<usize>,
}

/// One adjudicated claim of an 835.
#[derive(Debug, Clone, PartialEq)]
pub struct Remitted {
    /// Position of the claim in the file, from 1.
    pub index: usize,
    /// CLP01: the patient control number as the clinic sent it.
    pub control: Control,
    /// CLP07: the payer's claim control number, when given (a fallback key; never printed).
    pub payer_claim: Option<Control>,
    /// CLP02 as written (a status the table knows).
    pub status: String,
    pub kind: StatusKind,
    pub charge: f64,
    pub paid: f64,
    /// CLP09: 1 original, 7 replacement, 8 void; `None` when absent.
    pub frequency: Option<String>,
    pub adjustments: Vec<Adjustment>,
    /// Remittance advice remark codes (RARC): LQ*HE, MIA, MOA.
    pub remarks: Vec<String>,
    /// Service lines (SVC).
    pub lines: usize,
}

/// One claim of a remittance: read, or why it could not be.
pub type Read835 = Result<Remitted, ClaimsError>;

/// A claim being read, and the first error inside it (after which its segments are skipped).
struct Open {
    claim: Remitted,
    error: Option<ClaimsError>,
}

/// Reads an 835 file: `Err` when the envelope is unusable; else one result per claim (a file
/// with no claim is not an error: a payment may carry only provider-level adjustments).
pub fn parse(bytes: &[u8], codes: &RemitCodes) -> Result<Vec<Read835>, ClaimsError> {
    let (segs, comps) = segments(FORMAT, bytes)?;
    let mut env = Envelope::default();
    // The open transaction has had its BPR.
    let mut payment = false;
    let mut out: Vec<Read835> = Vec::new();
    let mut cur: Option<Open> = None;
    let finish = |cur: &mut Option<Open>, out: &mut Vec<Read835>| {
        if let Some(o) = cur.take() {
            out.push(match o.error {
                Some(e) => Err(e),
                None => Ok(o.claim),
            });
        }
    };
    for (i, s) in segs.iter().enumerate() {
        let comp = char::from(comps[i]);
        match env.step(s)? {
            Step::Interchange | Step::GroupClosed => continue,
            Step::GroupOpened => {
                if s.el(1) != "HP" {
                    return Err(s.err(
                        "GS01: expected HP (health care claim payment/advice); found another functional identifier",
                    ));
                }
                if s.el(8) != VERSION {
                    return Err(s.err(format!(
                        "GS08: expected {VERSION} (835); found another version"
                    )));
                }
                continue;
            }
            Step::TransactionOpened => {
                if s.el(1) != "835" {
                    return Err(s.err(
                        "ST01: expected 835 (claim payment/advice); found another transaction set",
                    ));
                }
                if !s.el(3).is_empty() && s.el(3) != VERSION {
                    return Err(s.err(format!("ST03: expected {VERSION}; found another version")));
                }
                payment = false;
                continue;
            }
            Step::TransactionClosing => {
                finish(&mut cur, &mut out);
                if !payment {
                    return Err(s.err("the transaction has no BPR (financial information)"));
                }
                env.close_transaction(s)?;
                continue;
            }
            Step::Body => {}
        }
        match s.id {
            "BPR" => {
                if payment {
                    return Err(s.err("a second BPR in one transaction"));
                }
                payment = true;
            }
            "CLP" => {
                finish(&mut cur, &mut out);
                let index = out.len() + 1;
                cur = Some(match clp(s, index, codes) {
                    Ok(claim) => Open { claim, error: None },
                    Err(e) => Open {
                        claim: empty(index),
                        error: Some(e),
                    },
                });
            }
            // The provider-level adjustments (and the summary segments after the last claim)
            // close the claim before them.
            "PLB" => finish(&mut cur, &mut out),
            "CAS" | "SVC" | "LQ" | "MIA" | "MOA" => match cur.as_mut() {
                Some(o) if o.error.is_none() => {
                    if let Err(e) = claim_segment(s, comp, &mut o.claim, codes) {
                        o.error = Some(e);
                    }
                }
                Some(_) => {}
                None => return Err(s.err(format!("{} before any CLP", s.id))),
            },
            _ => {}
        }
    }
    env.end(FORMAT, segs.len())?;
    Ok(out)
}

/// A claim that could not be read (its error carries the reason).
fn empty(index: usize) -> Remitted {
    Remitted {
        index,
        control: Control(String::new()),
        payer_claim: None,
        status: String::new(),
        kind: StatusKind::Other,
        charge: 0.0,
        paid: 0.0,
        frequency: None,
        adjustments: Vec::new(),
        remarks: Vec::new(),
        lines: 0,
    }
}

/// `CLP*control*status*charge*paid*patient share*filing*payer claim no*facility*frequency`
fn clp(s: &Seg<'_>, index: usize, codes: &RemitCodes) -> Result<Remitted, ClaimsError> {
    if s.el(1).is_empty() {
        return Err(s.err("CLP01 (patient control number) is missing"));
    }
    let status = s.el(2);
    let kind = codes
        .status(status)
        .ok_or_else(|| s.err("CLP02 is not a claim status code the remit table knows"))?;
    let frequency = Some(s.el(9))
        .filter(|f| !f.is_empty())
        .map(|f| {
            if f.len() == 1 && f.bytes().all(|b| b.is_ascii_digit()) {
                Ok(f.to_string())
            } else {
                Err(s.err("CLP09 is not a claim frequency code (one digit)"))
            }
        })
        .transpose()?;
    Ok(Remitted {
        index,
        control: Control(s.el(1).to_string()),
        payer_claim: Some(s.el(7))
            .filter(|c| !c.is_empty())
            .map(|c| Control(c.to_string())),
        status: status.to_string(),
        kind,
        charge: amount(s, 3, "CLP03 (charge)")?,
        paid: amount(s, 4, "CLP04 (payment)")?,
        frequency,
        adjustments: Vec::new(),
        remarks: Vec::new(),
        lines: 0,
    })
}

/// A required monetary amount (may be negative on a reversal).
fn amount(s: &Seg<'_>, i: usize, what: &str) -> Result<f64, ClaimsError> {
    s.el(i)
        .parse::<f64>()
        .ok()
        .filter(|a| a.is_finite())
        .ok_or_else(|| s.err(format!("{what} is not an amount")))
}

/// A segment inside a claim (2100 and its 2110 service lines).
fn claim_segment(
    s: &Seg<'_>,
    comp: char,
    c: &mut Remitted,
    codes: &RemitCodes,
) -> Result<(), ClaimsError> {
    let line = (c.lines > 0).then_some(c.lines);
    match s.id {
        "SVC" => {
            let mut composite = s.el(1).split(comp);
            if !matches!(composite.next(), Some("HC" | "NU" | "AD" | "N4" | "ER")) {
                return Err(s.err("SVC01-1 is not a product/service qualifier (HC, NU, …)"));
            }
            amount(s, 2, "SVC02 (charge)")?;
            amount(s, 3, "SVC03 (payment)")?;
            c.lines += 1;
        }
        "CAS" => cas(s, line, c, codes)?,
        "LQ" if s.el(1) == "HE" => {
            let code = s.el(2);
            if !is_rarc(code) {
                return Err(s.err("LQ02 is not a remark code (M, N or MA and digits)"));
            }
            c.remarks.push(code.to_string());
        }
        // MIA05 and MIA20-24, MOA03-07: remark codes (the others are amounts and counts).
        "MIA" | "MOA" => {
            let positions: &[usize] = if s.id == "MIA" {
                &[5, 20, 21, 22, 23, 24]
            } else {
                &[3, 4, 5, 6, 7]
            };
            for &p in positions {
                let code = s.el(p);
                if code.is_empty() {
                    continue;
                }
                if !is_rarc(code) {
                    return Err(s.err(format!("{}{p:02} is not a remark code", s.id)));
                }
                c.remarks.push(code.to_string());
            }
        }
        _ => {}
    }
    Ok(())
}

/// `CAS*group*reason*amount*quantity*reason*amount*quantity…` (up to six triples).
fn cas(
    s: &Seg<'_>,
    line: Option<usize>,
    c: &mut Remitted,
    codes: &RemitCodes,
) -> Result<(), ClaimsError> {
    let group = s.el(1);
    if !codes.group_known(group) {
        return Err(s.err("CAS01 is not an adjustment group code (CO, PR, OI, PI, CR)"));
    }
    let mut any = false;
    for k in 0..6 {
        let at = 2 + 3 * k;
        let reason = s.el(at);
        if reason.is_empty() {
            if !s.el(at + 1).is_empty() {
                return Err(s.err(format!("CAS{:02}: an amount without its reason", at + 1)));
            }
            continue;
        }
        if !is_carc(reason) {
            return Err(s.err(format!(
                "CAS{at:02} is not an adjustment reason code (CARC)"
            )));
        }
        let amount = amount(s, at + 1, &format!("CAS{:02} (amount)", at + 1))?;
        c.adjustments.push(Adjustment {
            group: group.to_string(),
            carc: reason.to_string(),
            amount,
            line,
        });
        any = true;
    }
    if !any {
        return Err(s.err("CAS has no adjustment (CAS02 is empty)"));
    }
    Ok(())
}

/// A CARC's shape: one to three digits, optionally after one letter (`16`, `B15`, `P12`).
pub fn is_carc(code: &str) -> bool {
    let digits = code
        .strip_prefix(|c: char| c.is_ascii_uppercase())
        .unwrap_or(code);
    (1..=3).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
}

/// A RARC's shape: `M`, `N` or `MA` and one to three digits (`N115`, `MA130`).
pub fn is_rarc(code: &str) -> bool {
    let digits = code
        .strip_prefix("MA")
        .or_else(|| code.strip_prefix('M'))
        .or_else(|| code.strip_prefix('N'));
    digits.is_some_and(|d| (1..=3).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit()))
}
