//! Denial feedback: what payers did with the claims phigate forwarded, read from their X12
//! 835 remittances, and what that says about each edit.
//!
//! Owns the join (a remitted claim's CLP01 is the control number the claim left with, a
//! token when phigate tokenised it, found in the [`ledger`] of forwarded claims; CLP07, the
//! payer's claim number, is tried second) and the [`Summary`]: the clinic's denial rate and
//! clean-claim rate, the denial reasons (CARC, RARC) and, per edit, how many claims it passed
//! that the payer then denied for a reason the edit exists to catch (its measured false
//! negatives). Which CARC falls to which edit is data (`patterns/claims/remit.toml`).
//!
//! Reading the 835 is [`x835`]'s; printing is the caller's. A summary holds codes, counts
//! and aggregated amounts only: never a control number, a name or a patient's amount.

pub mod ledger;
pub mod x835;

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::catalogue::catalogue;
use super::tables::{RemitCodes, StatusKind};
pub use ledger::{Forwarded, Ledger, LedgerError};
pub use x835::{Adjustment, Control, Read835, Remitted};

/// The figures of one or more remittances.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Summary {
    /// Claims in the remittances (read or not).
    pub remits: u64,
    /// Claims that could not be read (counted nowhere else).
    pub unreadable: u64,
    /// Reversals of earlier payments (CLP02 22): not adjudications of their own.
    pub reversals: u64,
    /// Claims the payer did not adjudicate (not its claim, predetermination).
    pub other: u64,
    /// Claims adjudicated: paid plus denied.
    pub adjudicated: u64,
    pub paid: u64,
    /// Denied (CLP02 4), or nothing paid with a denial adjustment.
    pub denied: u64,
    /// Paid on its first submission, with no denial adjustment on any line.
    pub clean: u64,
    /// Adjudicated claims found among the claims phigate forwarded.
    pub matched: u64,
    /// Adjudicated claims not found there.
    pub unmatched: u64,
    /// denied / adjudicated.
    pub denial_rate: Option<f64>,
    /// clean / adjudicated.
    pub clean_claim_rate: Option<f64>,
    /// Charges and payments over the adjudicated claims (sums only).
    pub charged: f64,
    pub paid_amount: f64,
    /// `group-CARC` of denial adjustments → claims carrying it.
    pub carc: BTreeMap<String, u64>,
    /// RARC → adjudicated claims carrying it.
    pub rarc: BTreeMap<String, u64>,
    /// Finding code → what the payers' decisions say of it (edits checked on a matched claim).
    pub edits: BTreeMap<&'static str, EditStat>,
}

/// What remittances say of one edit, over the matched claims it was checked on.
#[derive(Debug, Default, Clone, Serialize)]
pub struct EditStat {
    pub family: &'static str,
    /// Matched, adjudicated claims the edit ran on (see `remit.toml` `[skipped]`).
    pub checked: u64,
    /// Of those, claims forwarded with this finding (a warning, or an error on a flag route).
    pub warned: u64,
    /// Warned claims the payer denied for a reason this edit exists to catch.
    pub caught: u64,
    /// Claims the edit passed that the payer denied for such a reason: its false negatives.
    pub missed: u64,
    /// missed / (missed + caught): the share of the denials it should catch that it passed.
    pub false_negative_rate: Option<f64>,
    /// `group-CARC` → missed claims denied with it.
    pub carc: BTreeMap<String, u64>,
    /// RARC → missed claims carrying it.
    pub rarc: BTreeMap<String, u64>,
}

impl Summary {
    /// Adds one read remittance claim; `forwarded` finds a forwarded claim by control number.
    pub fn add<'f>(
        &mut self,
        r: &Remitted,
        codes: &RemitCodes,
        forwarded: impl Fn(&str) -> Option<&'f Forwarded>,
    ) {
        self.remits += 1;
        match r.kind {
            StatusKind::Reversal => {
                self.reversals += 1;
                return;
            }
            StatusKind::Other => {
                self.other += 1;
                return;
            }
            StatusKind::Paid | StatusKind::Denied => {}
        }
        self.adjudicated += 1;
        self.charged += r.charge;
        self.paid_amount += r.paid;
        let denials: Vec<&Adjustment> = r
            .adjustments
            .iter()
            .filter(|a| codes.is_denial(&a.group, &a.carc))
            .collect();
        let denied = r.kind == StatusKind::Denied || (r.paid <= 0.0 && !denials.is_empty());
        if denied {
            self.denied += 1;
        } else {
            self.paid += 1;
        }
        count_distinct(&mut self.carc, denials.iter().map(|a| carc_key(a)));
        count_distinct(&mut self.rarc, r.remarks.iter().cloned());
        let found = forwarded(&r.control.0)
            .or_else(|| r.payer_claim.as_ref().and_then(|p| forwarded(&p.0)));
        let original = r.frequency.as_deref().is_none_or(|f| f == "1")
            && found.is_none_or(|f| f.submissions <= 1);
        if !denied && denials.is_empty() && original && r.paid > 0.0 {
            self.clean += 1;
        }
        let Some(f) = found else {
            self.unmatched += 1;
            return;
        };
        self.matched += 1;
        for e in catalogue() {
            if !codes.ran(e.code, e.family, &f.skipped) {
                continue;
            }
            let stat = self.edits.entry(e.code).or_insert_with(|| EditStat {
                family: e.family,
                ..EditStat::default()
            });
            stat.checked += 1;
            let warned = f.codes.iter().any(|c| c == e.code);
            stat.warned += u64::from(warned);
            let theirs: Vec<&&Adjustment> = denials
                .iter()
                .filter(|a| codes.attributes(&a.carc, e.code, e.family))
                .collect();
            if theirs.is_empty() {
                continue;
            }
            if warned {
                stat.caught += 1;
            } else {
                stat.missed += 1;
                count_distinct(&mut stat.carc, theirs.iter().map(|a| carc_key(a)));
                count_distinct(&mut stat.rarc, r.remarks.iter().cloned());
            }
        }
    }

    /// Adds a claim that could not be read.
    pub fn add_unreadable(&mut self) {
        self.remits += 1;
        self.unreadable += 1;
    }

    /// Computes the rates; call once every claim is added.
    pub fn finish(&mut self) {
        self.denial_rate = ratio(self.denied, self.adjudicated);
        self.clean_claim_rate = ratio(self.clean, self.adjudicated);
        for s in self.edits.values_mut() {
            s.false_negative_rate = ratio(s.missed, s.missed + s.caught);
        }
    }

    /// The edits a remittance said something about (a warning, a catch or a miss), for
    /// short listings.
    pub fn telling_edits(&self) -> impl Iterator<Item = (&&'static str, &EditStat)> {
        self.edits
            .iter()
            .filter(|(_, s)| s.warned + s.caught + s.missed > 0)
    }

    /// The audit detail of a recorded remittance: counts only, `key=value` words that
    /// [`Summary::from_detail`] reads back (the compliance report sums them).
    pub fn detail(&self) -> String {
        format!(
            "remits={} adjudicated={} denied={} clean={} matched={} unmatched={} reversals={} unreadable={}",
            self.remits,
            self.adjudicated,
            self.denied,
            self.clean,
            self.matched,
            self.unmatched,
            self.reversals,
            self.unreadable
        )
    }

    /// The counts of an audit detail written by [`Summary::detail`] (unknown words ignored).
    pub fn counts_of_detail(detail: &str) -> BTreeMap<String, u64> {
        detail
            .split_whitespace()
            .filter_map(|w| w.split_once('='))
            .filter_map(|(k, v)| Some((k.to_string(), v.parse().ok()?)))
            .collect()
    }
}

/// `CO-97`: an adjustment's group and reason.
fn carc_key(a: &Adjustment) -> String {
    format!("{}-{}", a.group, a.carc)
}

/// Counts each distinct key once.
fn count_distinct(m: &mut BTreeMap<String, u64>, keys: impl Iterator<Item = String>) {
    for k in keys.collect::<BTreeSet<_>>() {
        *m.entry(k).or_default() += 1;
    }
}

fn ratio(n: u64, d: u64) -> Option<f64> {
    (d > 0).then(|| n as f64 / d as f64)
}

/// Reads remittance files into one summary: `files` are (name, bytes); a file that cannot
/// be read at all is returned with its error (the caller reports it) and adds nothing.
pub fn summarize<'a>(
    files: impl IntoIterator<Item = &'a [u8]>,
    codes: &RemitCodes,
    ledger: &Ledger,
) -> (Summary, Vec<(usize, super::ClaimsError)>) {
    let mut s = Summary::default();
    let mut errors = Vec::new();
    for (i, bytes) in files.into_iter().enumerate() {
        match x835::parse(bytes, codes) {
            Ok(claims) => {
                for c in claims {
                    match c {
                        Ok(r) => s.add(&r, codes, |k| ledger.get(k)),
                        Err(_) => s.add_unreadable(),
                    }
                }
            }
            Err(e) => errors.push((i, e)),
        }
    }
    s.finish();
    (s, errors)
}

/// The control numbers (CLP01, CLP07) a set of remittance files names, for a ledger that
/// loads only those; files that do not read are skipped (they add nothing to a summary).
pub fn controls_named<'a>(
    files: impl IntoIterator<Item = &'a [u8]>,
    codes: &RemitCodes,
) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for bytes in files {
        for r in x835::parse(bytes, codes).into_iter().flatten().flatten() {
            out.insert(r.control.0);
            if let Some(p) = r.payer_claim {
                out.insert(p.0);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
