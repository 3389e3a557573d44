//! `phigate audit …`: verify, search, export, report on and anchor the audit log, and give
//! a patient's accounting of disclosures.
//!
//! Owns the audit arguments, finding a log's witness (in the vault given, or the sled vault
//! beside the log), and recording identifier searches (an officer's look-up is itself
//! audited), and the accounting of disclosures (`audit disclosures`: the log is verified
//! first and the result stated in the answer). A mistyped log directory is an error, never
//! a clean, empty log.

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::{Args, Subcommand};

use super::vault::{is_pg_url, sled_dir, witness_at, PgArgs, WitnessAt};
use crate::audit::replicas::Replica;
use crate::keys::{read_master_key, MasterKey};
use crate::phi::PhiType;
use crate::vault::SledVault;

#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// Check every entry's MAC, the hash chain and the signed checkpoints; names the first
    /// bad entry. Exit 0 intact, 1 tampered.
    Verify {
        #[command(flatten)]
        log: AuditLogArgs,
        /// Verify with only the checkpoint public key (hex file from `audit pubkey`), as an
        /// auditor without the master key would: chain and checkpoints, not MACs.
        #[arg(long, conflicts_with = "key_file")]
        pubkey: Option<PathBuf>,
        /// Accept a log with no entries (or no directory yet): without it, a missing or
        /// empty log fails, since a deleted or mistyped log proves nothing.
        #[arg(long)]
        allow_empty: bool,
        #[command(flatten)]
        witness: WitnessArgs,
        /// A checkpoint kept from an earlier verification (the `pin` line it printed, or a
        /// file holding it): the log must still hold it, and everything it covers.
        #[arg(long)]
        pin: Option<String>,
        /// Accept entries after the newest checkpoint (a live gateway's last second): without
        /// it they fail verification, since no signature covers them yet.
        #[arg(long)]
        allow_unanchored: bool,
        /// `text` (the default on a terminal) or `json` (the default when piped).
        #[arg(long, value_enum)]
        format: Option<super::Format>,
    },
    /// Entries matching every given filter, as stored (JSON lines).
    Search {
        #[command(flatten)]
        log: AuditLogArgs,
        #[command(flatten)]
        filter: AuditFilterArgs,
        /// A plain identifier (an MRN, a name…) to find: hashed as the gateway hashes it,
        /// never stored or printed. The lookup is itself audited.
        #[arg(long)]
        identifier: Option<String>,
        /// The PHI type of --identifier (default: every type).
        #[arg(long = "type", requires = "identifier")]
        ty: Option<String>,
    },
    /// Write entries as JSON lines or CSV to standard output.
    Export {
        #[command(flatten)]
        log: AuditLogArgs,
        #[command(flatten)]
        filter: AuditFilterArgs,
        /// `jsonl` (entries exactly as stored, MACs included) or `csv`.
        #[arg(long, default_value = "jsonl", value_parser = ["jsonl", "csv"])]
        format: String,
    },
    /// Activity per route and caller, reveals per caller and type, refusals, claims. With
    /// --key-file the log is verified first and the report states the result.
    Report {
        #[command(flatten)]
        log: AuditLogArgs,
        #[command(flatten)]
        filter: AuditFilterArgs,
        #[command(flatten)]
        witness: WitnessArgs,
        /// `text`, or `html` (one self-contained page, no network needed).
        #[arg(long, default_value = "text", value_parser = ["text", "html"])]
        format: String,
    },
    /// Store the log's newest checkpoint as its witness in the vault, after the log verifies
    /// (against a checkpoint kept earlier, with --pin): for a vault restored from a backup
    /// or a new vault, whose witness is missing or older than the log.
    Anchor {
        #[command(flatten)]
        log: AuditLogArgs,
        #[command(flatten)]
        witness: WitnessArgs,
        /// A checkpoint kept from an earlier verification, that the log must still hold.
        #[arg(long)]
        pin: Option<String>,
    },
    /// The accounting of disclosures of one patient (HIPAA 164.528): every request that
    /// carried their data out, oldest first, with date, recipient, what was disclosed and
    /// purpose. The log is verified first and the result stated; a log that does not verify
    /// gives no accounting (exit 1) unless --allow-unverified. The look-up is itself audited.
    Disclosures {
        #[command(flatten)]
        log: AuditLogArgs,
        /// The patient's identifier as the gateway saw it, with its PHI type: `MRN:12345`,
        /// `NAME:Jane Doe`, or the bare value with --type. Hashed as the gateway hashes it,
        /// never stored or printed.
        #[arg(long)]
        patient: String,
        /// The PHI type of --patient (MRN, NAME, SSN…), when it has no `TYPE:` prefix.
        #[arg(long = "type")]
        ty: Option<String>,
        /// From this time, inclusive: RFC 3339 or a date (UTC).
        #[arg(long)]
        since: Option<String>,
        /// Up to this time, exclusive: RFC 3339, or a date, which includes that whole day.
        #[arg(long)]
        until: Option<String>,
        /// `text`, `json`, `csv`, or `html` (a printable page with no scripts).
        #[arg(long, default_value = "text", value_parser = ["text", "json", "csv", "html"])]
        format: String,
        /// Give the accounting even if the log does not verify, marked as unverified.
        #[arg(long)]
        allow_unverified: bool,
        #[command(flatten)]
        witness: WitnessArgs,
    },
    /// Print the checkpoint public key (hex) to hand to an auditor.
    Pubkey {
        #[arg(long, env = "PHIGATE_KEY_FILE")]
        key_file: PathBuf,
    },
}

/// The vault holding an audit log's witness.
#[derive(Args, Debug)]
pub struct WitnessArgs {
    /// The vault the log was written with (a directory, or `postgres://…` with
    /// --key-file): its witness of the log's newest checkpoint catches a log cut short or
    /// rolled back. Default: the sled vault `X` beside a log directory `X-audit`.
    #[arg(long)]
    pub vault: Option<PathBuf>,
    #[command(flatten)]
    pub pg: PgArgs,
}

#[derive(Args, Debug)]
pub struct AuditLogArgs {
    /// The audit log directory. Repeat it for several replicas' logs, or give a directory
    /// whose subdirectories are replicas' logs: they are read as one view (entries merged
    /// by time), and each replica's chain is verified on its own.
    #[arg(long, env = "PHIGATE_AUDIT_DIR", required = true)]
    pub dir: Vec<PathBuf>,
    /// Master key file (for MACs and identifier hashes).
    #[arg(long, env = "PHIGATE_KEY_FILE")]
    pub key_file: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct AuditFilterArgs {
    /// Only entries naming this token (as it appears in de-identified output).
    #[arg(long)]
    pub token: Option<String>,
    /// Only entries by this caller (a name from the config's callers; `cli` and `officer`
    /// for command-line actions).
    #[arg(long)]
    pub caller: Option<String>,
    /// Only entries on this route (a route name from the config).
    #[arg(long)]
    pub route: Option<String>,
    /// tokenize, reveal, reveal_refused, auth_failure, claim_decision, vault_export, …
    #[arg(long)]
    pub action: Option<String>,
    /// From this time, inclusive: RFC 3339 (2026-03-01T09:00:00-05:00; offsets are
    /// respected) or a date (2026-03-01, from 00:00 UTC).
    #[arg(long)]
    pub since: Option<String>,
    /// Up to this time, exclusive: RFC 3339, or a date, which includes that whole day (UTC).
    #[arg(long)]
    pub until: Option<String>,
}

impl AuditLogArgs {
    /// The replicas behind the directories given, each checked to exist first.
    fn replicas(&self) -> anyhow::Result<Vec<Replica>> {
        for d in &self.dir {
            require_audit_dir(d)?;
        }
        Ok(crate::audit::replicas::discover(&self.dir)?)
    }

    /// The one log a command that writes or anchors works on.
    fn only(&self) -> anyhow::Result<&Path> {
        match self.dir.as_slice() {
            [one] => Ok(one),
            _ => bail!("this command works on one log: give one --dir"),
        }
    }

    /// Where an officer's look-up is recorded: the first log given (or, for a directory of
    /// replicas, its first replica).
    fn record_dir(&self, replicas: &[Replica]) -> PathBuf {
        replicas
            .first()
            .map_or_else(|| self.dir[0].clone(), |r| r.dir.clone())
    }
}

fn audit_filter(f: &AuditFilterArgs) -> anyhow::Result<crate::audit::query::Filter> {
    let bound = |s: &Option<String>, flag: &str, upper: bool| {
        s.as_deref()
            .map(|v| crate::audit::query::parse_bound(v, upper))
            .transpose()
            .map_err(|e| anyhow::anyhow!("{flag}: {e}"))
    };
    Ok(crate::audit::query::Filter {
        token: f.token.clone(),
        caller: f.caller.clone(),
        route: f.route.clone(),
        action: f
            .action
            .as_deref()
            .map(str::parse)
            .transpose()
            .map_err(|e: String| anyhow::anyhow!(e))?,
        subjects: Vec::new(),
        since: bound(&f.since, "--since", false)?,
        until: bound(&f.until, "--until", true)?,
    })
}

pub(super) fn run(command: &AuditCommand) -> anyhow::Result<ExitCode> {
    use crate::audit::{query, verify, AuditKeys};
    let keys_for = |log: &AuditLogArgs| -> anyhow::Result<AuditKeys> {
        let path = log
            .key_file
            .as_deref()
            .context("--key-file (or PHIGATE_KEY_FILE) is needed")?;
        Ok(AuditKeys::derive(&read_master_key(path)?)?)
    };
    match command {
        AuditCommand::Anchor { log, witness, pin } => {
            let dir = log.only()?;
            require_audit_dir(dir)?;
            let keys = keys_for(log)?;
            let pin = pin
                .as_deref()
                .map(verify::parse_pin)
                .transpose()
                .map_err(|e| anyhow::anyhow!(e))?;
            let w = log_witness(dir, log.key_file.as_deref(), witness)?
                .context("--vault is needed (the vault that keeps the witness)")?;
            let anchors = verify::Anchors {
                witness: None,
                pin: pin.as_ref(),
            };
            let report = match verify::verify_anchored(dir, &verify::Trust::Keys(&keys), &anchors)?
            {
                Ok(r) => r,
                Err(p) => bail!("the log does not verify, so it is not anchored: {p}"),
            };
            let (Some(newest), Some(id)) = (
                report.newest,
                verify::log_id(&crate::audit::segments(dir)?)?,
            ) else {
                bail!("the log has no checkpoint to anchor");
            };
            w.store(&id, &newest)?;
            super::summary(
                &serde_json::json!({"anchored": newest.seq, "witness": w.describe(), "pin": newest.line()}),
            )?;
        }
        AuditCommand::Disclosures {
            log,
            patient,
            ty,
            since,
            until,
            format,
            allow_unverified,
            witness,
        } => {
            let args = DisclosureArgs {
                patient,
                ty: ty.as_deref(),
                since: since.as_deref(),
                until: until.as_deref(),
                format,
                allow_unverified: *allow_unverified,
            };
            return disclosures(log, witness, &args);
        }
        AuditCommand::Pubkey { key_file } => {
            outln!(
                "{}",
                AuditKeys::derive(&read_master_key(key_file)?)?.public_key_hex()
            )?;
        }
        AuditCommand::Verify {
            log,
            pubkey,
            allow_empty,
            witness,
            pin,
            allow_unanchored,
            format,
        } => {
            super::set_format(*format);
            let replicas = if *allow_empty {
                crate::audit::replicas::discover(&log.dir)?
            } else {
                log.replicas()?
            };
            if pin.is_some() && replicas.len() > 1 {
                bail!("--pin names one log's checkpoint: give one --dir");
            }
            let keys;
            let trust = match pubkey {
                Some(p) => {
                    let text = std::fs::read_to_string(p)
                        .with_context(|| format!("reading {}", p.display()))?;
                    let key = crate::audit::unhex(text.trim())
                        .context("the public key file is not hex")?;
                    verify::Trust::PublicKey(key)
                }
                None => {
                    keys = keys_for(log)?;
                    verify::Trust::Keys(&keys)
                }
            };
            let pin = pin
                .as_deref()
                .map(verify::parse_pin)
                .transpose()
                .map_err(|e| anyhow::anyhow!(e))?;
            let check = VerifyCheck {
                trust: &trust,
                pin: pin.as_ref(),
                witness,
                key_file: log.key_file.as_deref(),
                allow_empty: *allow_empty,
                allow_unanchored: *allow_unanchored,
                several: replicas.len() > 1,
            };
            // Each replica's chain on its own; every replica is reported before the answer.
            let mut intact = true;
            for replica in &replicas {
                intact &= verify_replica(replica, &check)?;
            }
            if !intact {
                return Ok(ExitCode::from(1));
            }
        }
        AuditCommand::Search {
            log,
            filter,
            identifier,
            ty,
        } => {
            let mut f = audit_filter(filter)?;
            let replicas = log.replicas()?;
            if let Some(value) = identifier {
                let master = read_master_key(
                    log.key_file
                        .as_deref()
                        .context("--key-file is needed to search by identifier")?,
                )?;
                let keys = AuditKeys::derive(&master)?;
                let types: Vec<PhiType> = match ty {
                    Some(t) => vec![t
                        .parse()
                        .map_err(|_| anyhow::anyhow!("unknown PHI type `{t}`"))?],
                    None => PhiType::ALL.to_vec(),
                };
                f.subjects = types
                    .iter()
                    .map(|t| crate::audit::subject_hash(&keys, *t, value))
                    .collect();
                record_officer_search(
                    &log.record_dir(&replicas),
                    &master,
                    &f.subjects,
                    "identifier",
                )?;
            }
            let mut out = PipeWatch::new(io::stdout().lock());
            let result = query::export_replicas(&replicas, &f, false, &mut out);
            out.check(result)?;
        }
        AuditCommand::Export {
            log,
            filter,
            format,
        } => {
            let f = audit_filter(filter)?;
            let replicas = log.replicas()?;
            let mut out = PipeWatch::new(BufWriter::new(io::stdout().lock()));
            let result = query::export_replicas(&replicas, &f, format == "csv", &mut out)
                .map(|_| ())
                .map_err(anyhow::Error::from)
                .and_then(|()| Ok(out.flush()?));
            out.check(result)?;
        }
        AuditCommand::Report {
            log,
            filter,
            format,
            witness,
        } => {
            let f = audit_filter(filter)?;
            let replicas = log.replicas()?;
            let integrity = report_integrity(log, &replicas, witness)?;
            let s = query::summarize_replicas(&replicas, &f)?;
            let text = if format == "html" {
                query::report_html(&s, &integrity)
            } else {
                query::report_text(&s, &integrity)
            };
            let mut out = io::stdout().lock();
            out.write_all(text.as_bytes())?;
            out.flush()?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A writer that remembers a closed pipe, for library calls that report write errors as
/// their own error type: the closed pipe then ends the command quietly like any other.
struct PipeWatch<W> {
    inner: W,
    closed: bool,
}

impl<W: Write> PipeWatch<W> {
    fn new(inner: W) -> Self {
        PipeWatch {
            inner,
            closed: false,
        }
    }

    fn check<T, E: Into<anyhow::Error>>(&self, result: Result<T, E>) -> anyhow::Result<T> {
        match result {
            Err(_) if self.closed => Err(io::Error::from(io::ErrorKind::BrokenPipe).into()),
            other => other.map_err(Into::into),
        }
    }

    fn note<T>(&mut self, r: io::Result<T>) -> io::Result<T> {
        if let Err(e) = &r {
            self.closed |= e.kind() == io::ErrorKind::BrokenPipe;
        }
        r
    }
}

impl<W: Write> Write for PipeWatch<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let r = self.inner.write(buf);
        self.note(r)
    }

    fn flush(&mut self) -> io::Result<()> {
        let r = self.inner.flush();
        self.note(r)
    }
}

/// The witness `audit verify` and `audit anchor` use: in the vault given (a directory or a
/// PostgreSQL URL, which needs the master key), or in the sled vault beside the log.
fn log_witness(
    dir: &Path,
    key_file: Option<&Path>,
    args: &WitnessArgs,
) -> anyhow::Result<Option<Box<dyn crate::audit::witness::Witness>>> {
    let at = match &args.vault {
        Some(v) if v.to_str().is_some_and(is_pg_url) => {
            Some(WitnessAt::Pg(args.pg.options(&v.to_string_lossy(), 1)))
        }
        Some(v) => {
            let dir = sled_dir(v, "audit --vault")?;
            SledVault::check_existing(dir)?;
            Some(WitnessAt::Sled(dir.to_path_buf()))
        }
        None => vault_beside(dir).map(WitnessAt::Sled),
    };
    let master = key_file.map(read_master_key).transpose()?;
    at.map(|a| witness_at(&a, dir, master.as_ref())).transpose()
}

/// The sled vault `X` beside a log directory `X-audit` (the default layout), if there is one:
/// `audit verify` compares the log with its witness without being told.
fn vault_beside(log_dir: &Path) -> Option<PathBuf> {
    log_dir
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.strip_suffix("-audit"))
        .map(|n| log_dir.with_file_name(n))
        .filter(|v| SledVault::check_existing(v).is_ok())
}

/// An audit command's `--dir` must be an existing directory: a mistyped path must not read
/// as a clean, empty log ("no activity").
fn require_audit_dir(dir: &Path) -> anyhow::Result<()> {
    match std::fs::metadata(dir) {
        Ok(m) if m.is_dir() => Ok(()),
        Ok(_) => bail!("audit log {} is not a directory", dir.display()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            bail!("audit log {} does not exist", dir.display())
        }
        Err(e) => bail!("audit log {}: {e}", dir.display()),
    }
}

/// Identifier searches are audited: in the main log when no gateway holds it and its
/// witness is known (the sled vault beside it: the witness must follow every checkpoint,
/// or the gateway would refuse the log next time), otherwise (held, or damaged) in the
/// officer's own chain beside it (`DIR/officer`), verified the same way.
fn record_officer_search(
    dir: &Path,
    master: &MasterKey,
    subjects: &[String],
    what: &str,
) -> anyhow::Result<()> {
    use crate::audit::witness::{FileWitness, Witness};
    use crate::audit::{Action, AuditError, AuditLog, Event, Settings};
    let officer = || AuditLog::open(&dir.join("officer"), master, Settings::default());
    let log = match vault_beside(dir) {
        None => officer()?,
        Some(vault) => {
            let witness: Box<dyn Witness> = Box::new(FileWitness::in_vault(&vault, dir));
            match AuditLog::open_witnessed(dir, master, Settings::default(), Some(witness)) {
                Ok(l) => l,
                // A damaged main log takes nothing more (the writer refuses it), but a
                // look-up given with --allow-unverified must still be on record.
                Err(AuditError::Locked { .. } | AuditError::Damaged { .. }) => officer()?,
                Err(e) => return Err(e.into()),
            }
        }
    };
    let mut e = Event::new(Action::AuditSearch, "ok");
    e.caller = Some("officer".into());
    e.user = Some(super::audited::os_user());
    e.uid = super::audited::os_uid();
    e.detail = Some(what.into());
    e.subjects = subjects.to_vec();
    log.record(e)?;
    log.close()?;
    Ok(())
}

/// What `audit disclosures` was asked.
struct DisclosureArgs<'a> {
    patient: &'a str,
    ty: Option<&'a str>,
    since: Option<&'a str>,
    until: Option<&'a str>,
    format: &'a str,
    allow_unverified: bool,
}

/// The identifier's type and value: `--type T --patient V`, or `--patient T:V`. A type is
/// required, since the gateway hashes a value with its type.
fn patient_identifier<'a>(
    patient: &'a str,
    ty: Option<&str>,
) -> anyhow::Result<(PhiType, &'a str)> {
    let parse = |t: &str| -> anyhow::Result<PhiType> {
        t.trim()
            .parse()
            .map_err(|_| anyhow::anyhow!("unknown PHI type `{t}` (MRN, NAME, SSN, …)"))
    };
    match (ty, patient.split_once(':')) {
        (Some(t), _) => Ok((parse(t)?, patient)),
        (None, Some((t, v))) if !v.is_empty() => Ok((parse(t)?, v)),
        _ => bail!("--patient needs its PHI type: `--patient MRN:12345` or `--type MRN`"),
    }
}

/// `audit disclosures`: verify, record the look-up, then write the accounting.
fn disclosures(
    log: &AuditLogArgs,
    witness: &WitnessArgs,
    args: &DisclosureArgs<'_>,
) -> anyhow::Result<ExitCode> {
    use crate::audit::{disclosures as acc, AuditKeys};
    let (ty, value) = patient_identifier(args.patient, args.ty)?;
    let filter = audit_filter(&AuditFilterArgs {
        token: None,
        caller: None,
        route: None,
        action: None,
        since: args.since.map(str::to_string),
        until: args.until.map(str::to_string),
    })?;
    let replicas = log.replicas()?;
    let master = read_master_key(
        log.key_file
            .as_deref()
            .context("--key-file (or PHIGATE_KEY_FILE) is needed")?,
    )?;
    let keys = AuditKeys::derive(&master)?;
    let integrity = replicas_integrity(log, &replicas, witness, &keys)?;
    if !integrity.verified && !args.allow_unverified {
        // Exit 1, as `audit verify` answers a log that does not verify.
        eprintln!(
            "phigate: the audit log does not verify, so no accounting is given from it: {} (--allow-unverified gives one marked as unverified)",
            integrity.statement
        );
        return Ok(ExitCode::from(1));
    }
    let subjects = vec![crate::audit::subject_hash(&keys, ty, value)];
    // The look-up is on record before anything is answered from the log.
    record_officer_search(
        &log.record_dir(&replicas),
        &master,
        &subjects,
        "disclosures",
    )?;
    let (since, until) = acc::bounds(&filter);
    let accounting = acc::Accounting {
        identifier_types: vec![ty.as_str().to_string()],
        since,
        until,
        generated: crate::audit::now_rfc3339(),
        integrity,
        disclosures: acc::collect_replicas(&replicas, &subjects, &filter)?,
    };
    let text = match args.format {
        "json" => acc::to_json(&accounting) + "\n",
        "csv" => acc::to_csv(&accounting),
        "html" => acc::to_html(&accounting),
        _ => acc::to_text(&accounting),
    };
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// What a report says of its log: the verification statement when the key is given, else
/// that nothing was checked (a report is never silent about it).
fn report_integrity(
    log: &AuditLogArgs,
    replicas: &[Replica],
    witness: &WitnessArgs,
) -> anyhow::Result<String> {
    let Some(key_file) = log.key_file.as_deref() else {
        return Ok(
            "not checked: give --key-file (or PHIGATE_KEY_FILE) to verify the log first".into(),
        );
    };
    let master = read_master_key(key_file)?;
    let keys = crate::audit::AuditKeys::derive(&master)?;
    Ok(replicas_integrity(log, replicas, witness, &keys)?.statement)
}

/// [`log_integrity`] of every replica: verified only if each is, the statement naming
/// each replica when there are several (so a tampered one is named).
fn replicas_integrity(
    log: &AuditLogArgs,
    replicas: &[Replica],
    witness: &WitnessArgs,
    keys: &crate::audit::AuditKeys,
) -> anyhow::Result<crate::audit::disclosures::Integrity> {
    let mut each = Vec::new();
    for r in replicas {
        each.push((
            r,
            log_integrity(&r.dir, log.key_file.as_deref(), witness, keys)?,
        ));
    }
    if let [(_, one)] = each.as_slice() {
        return Ok(one.clone());
    }
    let statement = each
        .iter()
        .map(|(r, i)| format!("replica {}: {}", r.name, i.statement))
        .collect::<Vec<_>>()
        .join(" | ");
    Ok(crate::audit::disclosures::Integrity {
        verified: !each.is_empty() && each.iter().all(|(_, i)| i.verified),
        statement,
        entries: each.iter().map(|(_, i)| i.entries).sum(),
        // Checkpoints belong to one chain each; the combined view has none of its own.
        checkpoint_seq: None,
        checkpoint_time: None,
        unanchored: each.iter().map(|(_, i)| i.unanchored).sum(),
    })
}

/// Verifies the log (against its witness when one is known) and states the result in
/// words: through which entry and signed checkpoint, or the first problem.
fn log_integrity(
    dir: &Path,
    key_file: Option<&Path>,
    witness: &WitnessArgs,
    keys: &crate::audit::AuditKeys,
) -> anyhow::Result<crate::audit::disclosures::Integrity> {
    use crate::audit::disclosures::Integrity;
    use crate::audit::verify;
    let w = log_witness(dir, key_file, witness)?;
    let anchors = verify::Anchors {
        witness: w.as_deref(),
        pin: None,
    };
    let result = verify::verify_anchored(dir, &verify::Trust::Keys(keys), &anchors)?;
    Ok(Integrity::of(result))
}

/// What `audit verify` checks each replica against.
struct VerifyCheck<'a> {
    trust: &'a crate::audit::verify::Trust<'a>,
    pin: Option<&'a crate::audit::Checkpoint>,
    witness: &'a WitnessArgs,
    key_file: Option<&'a Path>,
    allow_empty: bool,
    allow_unanchored: bool,
    /// Several replicas: each line names its replica.
    several: bool,
}

/// Verifies one replica's log (and the officer's chain beside it), printing one JSON line
/// for each; whether both are intact.
fn verify_replica(replica: &Replica, check: &VerifyCheck<'_>) -> anyhow::Result<bool> {
    use crate::audit::verify;
    let main = replica.dir.as_path();
    let witness = log_witness(main, check.key_file, check.witness)?;
    let anchors = verify::Anchors {
        witness: witness.as_deref(),
        pin: check.pin,
    };
    let mut dirs = vec![main.to_path_buf()];
    let officer = main.join("officer");
    if officer.is_dir() {
        dirs.push(officer);
    }
    let name = check.several.then_some(replica.name.as_str());
    for dir in dirs {
        // The witness and the pin are the main log's; the officer's log has neither.
        let progress = super::progress::Progress::spinner("audit verify: checking the chain");
        let result = if dir == main {
            verify::verify_anchored(&dir, check.trust, &anchors)?
        } else {
            verify::verify(&dir, check.trust)?
        };
        progress.finish();
        let d = dir.display().to_string();
        match result {
            Ok(r) if r.entries == 0 && !check.allow_empty && dir == main => {
                eprintln!(
                    "phigate: audit log {} holds no entries, so nothing is verified (--allow-empty when an empty log is expected)",
                    dir.display()
                );
                return Ok(false);
            }
            Ok(r) => {
                let anchored = r.unanchored == 0 || check.allow_unanchored;
                let mut line = serde_json::json!({"dir": d, "intact": anchored, "entries": r.entries,
                    "segments": r.segments, "checkpoints": r.checkpoints, "after_last_checkpoint": r.unanchored,
                    "witness": r.witness.as_str(), "pin": r.newest.as_ref().map(crate::audit::Checkpoint::line)});
                if let Some(n) = name {
                    line["replica"] = n.into();
                }
                super::summary(&line)?;
                if !anchored {
                    eprintln!(
                        "phigate: audit log {d}: {} entries after the newest checkpoint are not anchored by any signature (they could be removed unnoticed); --allow-unanchored accepts them (a live gateway checkpoints every second)",
                        r.unanchored
                    );
                    return Ok(false);
                }
            }
            Err(p) => {
                let mut line = serde_json::json!({"dir": d, "intact": false,
                    "file": p.file.display().to_string(), "line": p.line, "entry": p.expected_seq, "reason": p.reason});
                if let Some(n) = name {
                    line["replica"] = n.into();
                }
                super::summary(&line)?;
                match name {
                    Some(n) => eprintln!("phigate: audit log of replica {n} tampered: {p}"),
                    None => eprintln!("phigate: audit log tampered: {p}"),
                }
                return Ok(false);
            }
        }
    }
    Ok(true)
}
