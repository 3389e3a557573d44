//! `phigate claims remit`: payers' X12 835 remittances read against the claims the gateway
//! forwarded, as a text or JSON report.
//!
//! Owns the arguments' use, the two renderings and the exit status (0 read, 2 a file is not a
//! usable 835, 64 a table does not load). Reads the gateway's audit directory, writes
//! nothing. Prints codes, counts, rates and aggregated amounts only: never a control number,
//! a name or a patient's amount.

use std::fmt::Write as _;
use std::io::{self, Read, Write as _};
use std::process::ExitCode;

use super::claims::ClaimsRemitArgs;
use crate::claims::remit::{self, Ledger, Summary};
use crate::claims::Checker;

pub(super) fn run(args: &ClaimsRemitArgs) -> anyhow::Result<ExitCode> {
    let checker = match Checker::load(args.tables.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("phigate: {e}");
            return Ok(ExitCode::from(64));
        }
    };
    let codes = &checker.tables().remit;
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut unusable = false;
    for file in &args.files {
        let name = file.display().to_string();
        let bytes = if name == "-" {
            let mut b = Vec::new();
            io::stdin().read_to_end(&mut b).map(|_| b)
        } else {
            std::fs::read(file)
        };
        match bytes {
            Ok(b) => files.push((name, b)),
            Err(e) => {
                eprintln!("phigate: {name}: cannot read: {e}");
                unusable = true;
            }
        }
    }
    let wanted = remit::controls_named(files.iter().map(|(_, b)| b.as_slice()), codes);
    let ledger = Ledger::load(&args.dir, Some(&wanted))?;
    let (summary, errors) =
        remit::summarize(files.iter().map(|(_, b)| b.as_slice()), codes, &ledger);
    let errors: Vec<(String, String)> = errors
        .into_iter()
        .map(|(i, e)| (files[i].0.clone(), e.to_string()))
        .collect();
    unusable |= !errors.is_empty();
    if args.format == "json" {
        let doc = serde_json::json!({
            "files": files.len(),
            "errors": errors.iter().map(|(f, e)| serde_json::json!({"file": f, "error": e})).collect::<Vec<_>>(),
            "missing_snapshots": ledger.missing_snapshots,
            "summary": summary,
        });
        outln!("{doc}")?;
    } else {
        for (f, e) in &errors {
            eprintln!("phigate: {f}: {e}");
        }
        outln!(
            "{}",
            text(&summary, files.len(), ledger.missing_snapshots).trim_end()
        )?;
    }
    Ok(ExitCode::from(if unusable { 2 } else { 0 }))
}

/// The text report.
pub fn text(s: &Summary, files: usize, missing_snapshots: usize) -> String {
    let pct = |r: Option<f64>| r.map_or_else(|| "-".to_string(), |r| format!("{:.1}%", r * 100.0));
    let mut o = String::new();
    let _ = writeln!(
        o,
        "remittances: {files} file(s), {} claim(s): {} adjudicated, {} reversal(s), {} not adjudicated, {} unreadable",
        s.remits, s.adjudicated, s.reversals, s.other, s.unreadable
    );
    let _ = writeln!(
        o,
        "paid {}, denied {}, clean {}: denial rate {}, clean-claim rate {}",
        s.paid,
        s.denied,
        s.clean,
        pct(s.denial_rate),
        pct(s.clean_claim_rate)
    );
    let _ = writeln!(
        o,
        "charged {:.2}, paid {:.2} (all adjudicated claims)",
        s.charged, s.paid_amount
    );
    let _ = writeln!(
        o,
        "forwarded by phigate: {} matched, {} not found{}",
        s.matched,
        s.unmatched,
        if missing_snapshots > 0 {
            format!(" ({missing_snapshots} claim decision(s) without their evidence snapshot)")
        } else {
            String::new()
        }
    );
    let _ = writeln!(
        o,
        "denials by reason (group-CARC: claims): {}",
        list(&s.carc)
    );
    let _ = writeln!(o, "remarks (RARC: claims): {}", list(&s.rarc));
    let _ = writeln!(
        o,
        "\nedits on matched claims: checked, warned, caught (warned and denied for its reason), missed (passed and denied for its reason), false-negative rate"
    );
    let mut any = false;
    for (code, e) in s.telling_edits() {
        any = true;
        let _ = writeln!(
            o,
            "  {code:<28} {:>6} {:>6} {:>6} {:>6} {:>7}  {}",
            e.checked,
            e.warned,
            e.caught,
            e.missed,
            pct(e.false_negative_rate),
            list(&e.carc)
        );
    }
    if !any {
        let _ = writeln!(
            o,
            "  (no edit warned on, caught or missed a remitted claim)"
        );
    }
    o
}

/// `CO-97 2, CO-16 1`: most frequent first.
fn list(m: &std::collections::BTreeMap<String, u64>) -> String {
    if m.is_empty() {
        return "-".to_string();
    }
    let mut v: Vec<_> = m.iter().collect();
    v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    v.iter()
        .map(|(k, n)| format!("{k} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}
