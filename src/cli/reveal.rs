//! `phigate reveal`: replace tokens with the values they stand for (the EMR side).
//!
//! Owns the reveal arguments, the caller's allowed types, and holding output until the
//! reveals in it are audited. Every reveal is recorded in the vault's audit log.

use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;

use super::audited::CliAudit;
use super::vault::{open_pg, open_vault, VaultArgs};
use super::{content_type_arg, json_category, open_input};
use crate::engine::reveal::{reidentify, Allow, RevealStats};
use crate::engine::ContentType;
use crate::keys::read_master_key;
use crate::phi::PhiType;
use crate::transform::token::TokenStore;

#[derive(Args, Debug)]
pub struct RevealArgs {
    #[command(flatten)]
    pub vault: VaultArgs,
    /// Input file; standard input when absent or `-`.
    pub file: Option<PathBuf>,
    /// Only these PHI types are revealed (comma-separated, e.g. NAME,MRN); others stay
    /// tokens and are counted as refused. Default: every type.
    #[arg(long, value_delimiter = ',')]
    pub allow: Vec<String>,
    /// Read and write JSON lines {"id", "text", "content_type"?} as `scan --jsonl` does.
    #[arg(long)]
    pub jsonl: bool,
    /// The audit log the reveals are recorded in (default: `<vault dir>-audit`; required
    /// with `--vault postgres://…`).
    #[arg(long)]
    pub audit_dir: Option<PathBuf>,
    /// Content type of the input (as for `scan`; with `--jsonl`, of lines without their
    /// own): HL7 v2, CSV/TSV and XML are revealed value by value, so restored values are
    /// escaped or quoted. JSON, HL7 and XML are also recognised by their content.
    #[arg(long)]
    pub content_type: Option<String>,
}

/// `reveal --jsonl`: records revealed per audit commit (each commit waits for a disk write).
const REVEAL_CHUNK: usize = 256;

/// How `reveal` reads a text: by a table or message label, else by its shape (JSON, an
/// HL7 message or text), as the engine reads a text body.
fn reveal_type(forced: Option<ContentType>) -> ContentType {
    match forced {
        Some(
            ct @ (ContentType::Hl7
            | ContentType::Csv
            | ContentType::Tsv
            | ContentType::Xml
            | ContentType::X12),
        ) => ct,
        _ => ContentType::Text,
    }
}

pub(super) fn run(args: &RevealArgs) -> anyhow::Result<ExitCode> {
    let master = read_master_key(&args.vault.key_file)?;
    let (vault, audit): (Box<dyn TokenStore>, CliAudit) = match args.vault.pg_options() {
        Some(_) => {
            let v = open_pg(&args.vault)?;
            let dir = args
                .audit_dir
                .as_deref()
                .context("--audit-dir is needed with a PostgreSQL vault")?;
            let audit = CliAudit::open(
                dir,
                Box::new(v.audit_witness(dir)),
                &master,
                "cli:reveal",
                true,
            )?;
            (Box::new(v), audit)
        }
        None => {
            let v = open_vault(&args.vault, "reveal")?;
            let vault_dir = args.vault.vault.as_path();
            let dir = args
                .audit_dir
                .clone()
                .unwrap_or_else(|| crate::audit::default_dir(vault_dir));
            let witness = Box::new(crate::audit::witness::FileWitness::in_vault(
                vault_dir, &dir,
            ));
            let audit = CliAudit::open(&dir, witness, &master, "cli:reveal", true)?;
            (Box::new(v), audit)
        }
    };
    let allow = if args.allow.is_empty() {
        Allow::all()
    } else {
        let types = args
            .allow
            .iter()
            .map(|t| t.parse::<PhiType>())
            .collect::<Result<Vec<_>, _>>()?;
        Allow::only(types)
    };
    let input = open_input(args.file.as_deref())?;
    let store = audit.recording(vault.as_ref(), Some(&allow));
    let forced = content_type_arg(args.content_type.as_deref())?;
    let mut out = BufWriter::new(io::stdout().lock());
    let mut stats = RevealStats::default();
    // Output is held until the reveals in it are audited (a chunk of records at a time).
    let mut held = Vec::new();
    if args.jsonl {
        let mut records = 0usize;
        for line in BufReader::new(input).lines() {
            let line = line.context("reading input")?;
            if line.trim().is_empty() {
                continue;
            }
            let mut rec: serde_json::Value = serde_json::from_str(&line).map_err(|e| {
                anyhow::anyhow!(
                    "malformed record at column {}: {}",
                    e.column(),
                    json_category(&e)
                )
            })?;
            let ct = match rec.get("content_type").and_then(|c| c.as_str()) {
                Some(c) => Some(c.parse::<ContentType>().map_err(anyhow::Error::msg)?),
                None => forced,
            };
            if let Some(serde_json::Value::String(text)) = rec.get_mut("text") {
                *text = reidentify(text, reveal_type(ct), &store, &allow, &mut stats)?;
            }
            serde_json::to_writer(&mut held, &rec)?;
            held.push(b'\n');
            records += 1;
            if records.is_multiple_of(REVEAL_CHUNK) {
                audit.commit()?;
                out.write_all(&held)?;
                held.clear();
            }
        }
    } else {
        let mut body = String::new();
        input
            .take(64 << 20)
            .read_to_string(&mut body)
            .context("reading input (must be UTF-8)")?;
        let revealed = reidentify(&body, reveal_type(forced), &store, &allow, &mut stats)?;
        held.extend_from_slice(revealed.as_bytes());
    }
    audit.close()?;
    out.write_all(&held)?;
    out.flush()?;
    eprintln!(
        "{}",
        serde_json::json!({"revealed": stats.revealed, "refused": stats.refused, "unknown": stats.unknown})
    );
    Ok(ExitCode::SUCCESS)
}
