//! `POST /v1/claims/remit`: a payer's X12 835 remittance, read against the claims this
//! gateway forwarded, recorded as counts (the `claim_remit` audit entry and the remittance
//! metrics) and answered with the denial summary.
//!
//! Owns the endpoint and [`RemitMetrics`]. The reading and the join are
//! [`crate::claims::remit`]'s; the ledger is read from this gateway's own audit directory
//! (claim decisions and evidence snapshots), on a blocking thread. Nothing of the 835 but
//! codes and counts is kept, logged or answered.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::{Method, Response};

use super::channels::set_request_id;
use super::claims::ClaimError;
use super::handle::{Admitted, Handled};
use super::respond::Failure;
use super::trail::Trail;
use super::Gateway;
use crate::claims::remit::{self, Ledger, Summary};
use crate::claims::tables::RemitCodes;

/// Reads the posted 835, joins it with the forwarded claims and records its counts.
pub async fn remit(
    gw: &Arc<Gateway>,
    req: &Admitted<'_>,
    trail: &Trail,
    request_id: &str,
) -> Handled {
    if req.parts.method != Method::POST {
        return Err(Failure::Method("the API takes POST"));
    }
    if gw.claims.is_none() {
        return Err(Failure::Internal("claim tables are not loaded"));
    }
    let Some(audit_dir) = gw.evidence_dir.parent().map(std::path::Path::to_path_buf) else {
        return Err(Failure::Internal("the audit directory is not known"));
    };
    let body = req.body.clone();
    let g = Arc::clone(gw);
    let read = tokio::task::spawn_blocking(move || {
        let codes = &g
            .claims
            .as_ref()
            .ok_or(Failure::Internal("claim tables are not loaded"))?
            .tables()
            .remit;
        summarize(&audit_dir, &body, codes)
    })
    .await
    .map_err(|_| Failure::Internal("the remittance could not be read"))??;
    if let Some(checker) = &gw.claims {
        gw.claim_metrics
            .remit
            .observe(&read, &checker.tables().remit);
    }
    trail.set_remit(read.detail());
    let json = serde_json::to_vec(&read)
        .map_err(|_| Failure::Internal("the remittance summary could not be written"))?;
    let mut resp = Response::new(Full::new(Bytes::from(json)));
    resp.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    set_request_id(resp.headers_mut(), request_id);
    Ok((resp, "answered"))
}

/// The summary of one 835 body; a body that is not a usable 835 is a 422 naming the
/// position, never a value.
fn summarize(
    audit_dir: &std::path::Path,
    body: &[u8],
    codes: &RemitCodes,
) -> Result<Summary, Failure> {
    remit::x835::parse(body, codes).map_err(|e| ClaimError::Unusable(e.to_string()))?;
    let wanted = remit::controls_named([body], codes);
    let ledger = Ledger::load(audit_dir, Some(&wanted))
        .map_err(|_| Failure::Internal("the forwarded claims could not be read"))?;
    let (summary, _) = remit::summarize([body], codes, &ledger);
    Ok(summary)
}

/// Counters of the remittances read: claims by outcome, clean and unmatched claims, and per
/// edit the denials it caught and those it passed (by CARC). CARC labels are the remit
/// table's codes (`CO-97`), any other is `CO-other`: label values stay a bounded set.
#[derive(Default)]
pub struct RemitMetrics {
    outcomes: Mutex<BTreeMap<&'static str, u64>>,
    clean: AtomicU64,
    unmatched: AtomicU64,
    caught: Mutex<BTreeMap<&'static str, u64>>,
    missed: Mutex<BTreeMap<(&'static str, String), u64>>,
}

impl RemitMetrics {
    pub fn observe(&self, s: &Summary, codes: &RemitCodes) {
        if let Ok(mut o) = self.outcomes.lock() {
            for (k, n) in [
                ("paid", s.paid),
                ("denied", s.denied),
                ("reversal", s.reversals),
                ("other", s.other),
                ("unreadable", s.unreadable),
            ] {
                *o.entry(k).or_default() += n;
            }
        }
        self.clean.fetch_add(s.clean, Relaxed);
        self.unmatched.fetch_add(s.unmatched, Relaxed);
        for (edit, stat) in &s.edits {
            if stat.caught > 0 {
                if let Ok(mut c) = self.caught.lock() {
                    *c.entry(edit).or_default() += stat.caught;
                }
            }
            if let Ok(mut m) = self.missed.lock() {
                for (key, n) in &stat.carc {
                    *m.entry((edit, bounded(key, codes))).or_default() += n;
                }
            }
        }
    }

    /// Appends the remittance metrics to `/metrics`.
    pub fn render(&self, o: &mut String) {
        use std::fmt::Write as _;
        let _ = writeln!(o, "# HELP phigate_claim_remits_total Remitted claims read from payers' 835s, by outcome (the denial rate is denied / (paid + denied)).\n# TYPE phigate_claim_remits_total counter");
        if let Ok(m) = self.outcomes.lock() {
            for (k, n) in m.iter() {
                let _ = writeln!(o, "phigate_claim_remits_total{{outcome=\"{k}\"}} {n}");
            }
        }
        let _ = writeln!(o, "# HELP phigate_claim_remits_clean_total Remitted claims paid on first submission with no denial adjustment (the clean-claim rate is this / (paid + denied)).\n# TYPE phigate_claim_remits_clean_total counter\nphigate_claim_remits_clean_total {}", self.clean.load(Relaxed));
        let _ = writeln!(o, "# HELP phigate_claim_remits_unmatched_total Adjudicated remitted claims not found among the claims phigate forwarded.\n# TYPE phigate_claim_remits_unmatched_total counter\nphigate_claim_remits_unmatched_total {}", self.unmatched.load(Relaxed));
        let _ = writeln!(o, "# HELP phigate_claim_edit_denials_total Claims an edit passed that the payer then denied for a reason the edit exists to catch (its false negatives), by edit and CARC.\n# TYPE phigate_claim_edit_denials_total counter");
        if let Ok(m) = self.missed.lock() {
            for ((edit, carc), n) in m.iter() {
                let _ = writeln!(
                    o,
                    "phigate_claim_edit_denials_total{{edit=\"{edit}\",carc=\"{carc}\"}} {n}"
                );
            }
        }
        let _ = writeln!(o, "# HELP phigate_claim_edit_caught_total Claims forwarded with an edit's finding that the payer denied for a reason the edit exists to catch.\n# TYPE phigate_claim_edit_caught_total counter");
        if let Ok(m) = self.caught.lock() {
            for (edit, n) in m.iter() {
                let _ = writeln!(o, "phigate_claim_edit_caught_total{{edit=\"{edit}\"}} {n}");
            }
        }
    }
}

/// A `group-CARC` key as a label value: kept when the table lists the CARC.
fn bounded(key: &str, codes: &RemitCodes) -> String {
    match key.split_once('-') {
        Some((_, carc)) if codes.carc(carc).is_some() => key.to_string(),
        Some((group, _)) => format!("{group}-other"),
        None => "other".to_string(),
    }
}
