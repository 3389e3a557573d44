//! `phigate claims …`: check claim files before they go to the payer, and print the
//! evidence snapshots of forwarded claims.
//!
//! Owns the claims arguments, the human and JSON reports, and the exit status (0 passed,
//! 1 a finding is an error, 2 nothing in a file could be read, 64 a table does not load).

use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Subcommand};

/// `phigate claims …`
#[derive(Subcommand, Debug)]
pub enum ClaimsCommand {
    /// Check claim files; every claim is reported on its own (one that cannot be read has
    /// an `error`). Exit 0 when no finding is an error (warnings allowed), 1 when at least
    /// one is or a claim could not be read, 2 when nothing in a file could be read, 64 when a
    /// table does not load.
    Check(ClaimsCheckArgs),
    /// Print the evidence snapshots (the claim as forwarded, de-identified; its findings;
    /// the rule-table versions; the time) of every forwarded claim holding a token.
    Evidence {
        /// The gateway's audit directory (snapshots are in its `evidence/`).
        #[arg(long, env = "PHIGATE_AUDIT_DIR")]
        dir: PathBuf,
        /// A token from the claim (its patient, claim id, …).
        #[arg(long)]
        token: String,
    },
    /// Read payers' X12 835 remittances against the claims the gateway forwarded: the
    /// denial rate, the clean-claim rate, denials by CARC/RARC and, per edit, the claims it
    /// passed that the payer then denied (its false negatives). Prints codes and counts only.
    /// Exit 0, or 2 when a file is not a usable 835, 64 when a table does not load.
    Remit(ClaimsRemitArgs),
}

/// `phigate claims remit`
#[derive(Args, Debug)]
pub struct ClaimsRemitArgs {
    /// The gateway's audit directory (its claim decisions and `evidence/` snapshots).
    #[arg(long, env = "PHIGATE_AUDIT_DIR")]
    pub dir: PathBuf,
    /// Output: `text` or `json` (one document).
    #[arg(long, default_value = "text", value_parser = ["text", "json"])]
    pub format: String,
    /// A directory whose files replace the built-in claim tables (`remit.toml` among them).
    #[arg(long)]
    pub tables: Option<PathBuf>,
    /// 835 files (`-` for standard input).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
}

/// `phigate claims check`
#[derive(Args, Debug)]
pub struct ClaimsCheckArgs {
    /// Payer profile (medicare, commercial, or one in `--tables DIR/profiles/`); default:
    /// the profile each claim names (JSON `profile`, 837P SBR09, FHIR Coverage), else medicare.
    #[arg(long)]
    pub profile: Option<String>,
    /// Output: `human` or `json` (one JSON line per file).
    #[arg(long, default_value = "human", value_parser = ["human", "json"])]
    pub format: String,
    /// Input format: auto (sniffed), fhir, json or x12.
    #[arg(long, default_value = "auto", value_parser = ["auto", "fhir", "json", "x12"])]
    pub input: String,
    /// A directory whose files replace the built-in claim tables (patterns/claims layout);
    /// CMS NCCI PTP (`ccipra*.txt`) and MUE (`*mue*.csv`) files found there replace the samples.
    #[arg(long)]
    pub tables: Option<PathBuf>,
    /// Claim files (`-` for standard input).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
}

pub(super) fn run(command: &ClaimsCommand) -> anyhow::Result<ExitCode> {
    use crate::claims::{Checker, ClaimReport};
    let args = match command {
        ClaimsCommand::Check(args) => args,
        ClaimsCommand::Evidence { dir, token } => return claim_evidence(dir, token),
        ClaimsCommand::Remit(args) => return super::remit::run(args),
    };
    let checker = match Checker::load(args.tables.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("phigate: {e}");
            return Ok(ExitCode::from(64));
        }
    };
    if let Some(p) = &args.profile {
        checker.tables().profile(p)?;
    }
    let json = args.format == "json";
    let (mut unusable, mut failed) = (false, false);
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    for file in &args.files {
        let name = file.display().to_string();
        let bytes = if name == "-" {
            let mut b = Vec::new();
            io::stdin().read_to_end(&mut b).map(|_| b)
        } else {
            std::fs::read(file)
        };
        let result = bytes
            .map_err(|e| format!("cannot read: {e}"))
            .and_then(|b| {
                checker
                    .check_bytes(&args.input, &b, args.profile.as_deref())
                    .map_err(|e| e.to_string())
            });
        match result {
            Err(reason) => {
                unusable = true;
                if json {
                    writeln!(
                        out,
                        "{}",
                        serde_json::json!({"file": name, "error": reason})
                    )?;
                } else {
                    out.flush()?;
                    eprintln!("phigate: {name}: {reason}");
                }
            }
            // Nothing in the file could be read: as unusable as a file that is not a claim.
            Ok(reports) if !reports.iter().any(ClaimReport::readable) => {
                unusable = true;
                if json {
                    writeln!(
                        out,
                        "{}",
                        serde_json::json!({"file": name, "error": "no claim in the file could be read", "passed": false, "claims": reports})
                    )?;
                } else {
                    out.flush()?;
                    for r in &reports {
                        let e = r.error.as_deref().unwrap_or("");
                        eprintln!("phigate: {name}: claim {}: {e}", r.claim);
                    }
                }
            }
            Ok(reports) => {
                failed |= reports.iter().any(|r| !r.passed());
                if json {
                    let passed = reports.iter().all(ClaimReport::passed);
                    let doc =
                        serde_json::json!({"file": name, "passed": passed, "claims": reports});
                    writeln!(out, "{doc}")?;
                } else {
                    for r in &reports {
                        write_claim_report(&mut out, &name, r)?;
                    }
                }
            }
        }
    }
    out.flush()?;
    Ok(ExitCode::from(if unusable {
        2
    } else if failed {
        1
    } else {
        0
    }))
}

fn write_claim_report(
    out: &mut impl Write,
    file: &str,
    r: &crate::claims::ClaimReport,
) -> io::Result<()> {
    let errors = r.errors();
    let warnings = r.findings.len() - errors;
    if let Some(e) = &r.error {
        return writeln!(
            out,
            "{file}: claim {} ({}): UNREADABLE: {e}",
            r.claim,
            r.format.as_str()
        );
    }
    let verdict = if r.passed() { "passed" } else { "FAILED" };
    writeln!(
        out,
        "{file}: claim {} ({}, {}, {} lines): {verdict}, {errors} errors, {warnings} warnings",
        r.claim,
        r.format.as_str(),
        r.profile,
        r.lines
    )?;
    for f in &r.findings {
        let line = f.line.map(|l| format!("line {l}")).unwrap_or_default();
        writeln!(
            out,
            "  {:<7} {:<28} {:<8} {}",
            f.severity.as_str(),
            f.code,
            line,
            f.message
        )?;
    }
    if !r.skipped.is_empty() {
        writeln!(
            out,
            "  skipped (not in this format): {}",
            r.skipped.join(", ")
        )?;
    }
    Ok(())
}

/// Finds a token's `claim_decision` entries in the audit log and prints their snapshots.
fn claim_evidence(dir: &Path, token: &str) -> anyhow::Result<ExitCode> {
    use crate::audit::{query, Action};
    let filter = query::Filter {
        token: Some(token.to_string()),
        action: Some(Action::ClaimDecision),
        ..query::Filter::default()
    };
    let mut ids = Vec::new();
    query::scan(dir, &filter, |e, _| {
        if let Some(id) = &e.event.request_id {
            ids.push(id.clone());
        }
    })?;
    let mut found = 0;
    for id in ids {
        // Request ids are hex, so they are safe as file names.
        if !id.bytes().all(|b| b.is_ascii_hexdigit()) {
            continue;
        }
        let path = dir.join("evidence").join(format!("{id}.json"));
        if let Ok(text) = std::fs::read_to_string(&path) {
            let v: serde_json::Value = serde_json::from_str(&text)
                .with_context(|| format!("{} is not a snapshot", path.display()))?;
            outln!("{v}")?;
            found += 1;
        }
    }
    if found == 0 {
        eprintln!("phigate: no forwarded claim holds that token");
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}
