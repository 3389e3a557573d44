//! `phigate vault …`: create, inspect, verify, back up, restore, re-key, migrate and forget.
//!
//! Owns the vault arguments, opening a sled or PostgreSQL vault from them (a URL is never
//! taken for a directory), and the audit entry every administrative action leaves: the log
//! is opened before the action (no log, no action) and the outcome recorded after it.

use std::fs::File;
use std::io::{BufReader, BufWriter};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use clap::{Args, Subcommand};

use super::progress::Progress;
use crate::audit::{Action, Event};
use crate::keys::{read_master_key, MasterKey};
use crate::vault::{backup, PgOptions, PgVault, SledVault};

/// Runs a vault command, audited: the log is opened before the action (no log, no action)
/// and the outcome recorded after it.
pub(super) fn run(command: &VaultCommand) -> anyhow::Result<()> {
    with_vault_audit(command, |event| vault(command, event))
}

/// `phigate vault …`
#[derive(Subcommand, Debug)]
pub enum VaultCommand {
    /// Create a new, empty vault in a new or empty directory. The only command that creates
    /// a sled vault: every other one opens an existing vault and refuses a path without one.
    Init(VaultArgs),
    /// Count tokens and bytes on disk.
    Stats(VaultArgs),
    /// Decrypt every record; fails if any record is corrupted or under an unknown key.
    Verify(VaultArgs),
    /// Write an encrypted, integrity-checked backup (never overwrites a file).
    Export {
        #[command(flatten)]
        vault: VaultArgs,
        /// Backup file to create.
        #[arg(long)]
        out: PathBuf,
    },
    /// Back up a running gateway's vault without stopping it: asks its admin listener
    /// (`POST /vault/export`) to write a backup, in `vault export`'s format, into its
    /// `[vault] backup_dir`; prints the file and counts.
    Backup {
        /// The gateway's configuration file (its [admin] listen is used).
        #[arg(long, env = "PHIGATE_CONFIG", required_unless_present = "admin")]
        config: Option<PathBuf>,
        /// The admin listener's address instead of reading it from --config.
        #[arg(long, conflicts_with = "config")]
        admin: Option<std::net::SocketAddr>,
    },
    /// Restore a backup into an empty vault (the restore drill: export, `vault init` a new
    /// directory, import, reveal).
    Import {
        #[command(flatten)]
        vault: VaultArgs,
        /// Backup file to read.
        #[arg(long)]
        from: PathBuf,
    },
    /// With --new-key-file: move the vault to a new master key (after the old one may have
    /// been exposed). Every patient key, value key and vault-wide value is re-wrapped or
    /// re-sealed under the new key, and the token secret is carried over, so no token
    /// changes; afterwards the old key file opens nothing. Resumable: if it stops part-way,
    /// run it again with the same two key files (the vault refuses to open meanwhile). The
    /// sled vault's audit log, kept under the old key, is closed and moved aside
    /// (`<dir>.retired-<time>`); a new log starts under the new key. Without
    /// --new-key-file (sled only): a new value-key id under the same master key.
    RotateKey(RotateArgs),
    /// Forget one patient (crypto-shredding): destroy the patient's data key and remove
    /// their copies, so the tokens of their documents never reveal again; other patients'
    /// documents keep every token. Prints counts only. Run it while no gateway holds the
    /// vault, and replace backups made before it.
    Forget(ForgetArgs),
    /// Copy a vault between sled and PostgreSQL, either way (records, look-ups, patient
    /// keys and counters, still sealed: both ends use the same master key), then decrypt
    /// every copied record. The target must be empty; stop the gateways first.
    Migrate {
        /// `sled:DIR` or `postgres://user@host:port/db?sslmode=…`
        #[arg(long)]
        from: String,
        /// `sled:DIR` or `postgres://…`
        #[arg(long)]
        to: String,
        /// Master key file (from `phigate keygen`).
        #[arg(long, env = "PHIGATE_KEY_FILE")]
        key_file: PathBuf,
        /// PostgreSQL: a file holding the password.
        #[arg(long)]
        password_file: Option<PathBuf>,
        /// PostgreSQL: CA bundle for sslmode=verify-full.
        #[arg(long)]
        ca: Option<PathBuf>,
        /// The audit log to record the migration in (default: beside the sled vault).
        #[arg(long)]
        audit_dir: Option<PathBuf>,
    },
}

/// `phigate vault forget`: which patient.
#[derive(Args, Debug)]
pub struct ForgetArgs {
    #[command(flatten)]
    pub vault: VaultArgs,
    /// The patient key as phigate derives it from a document: `MRN:<mrn>` when the
    /// document names an MRN (a structured MRN field, or the first MRN in a note), `SSN:<ssn>`
    /// for a structured SSN field, `NAME:<name>` for a note without an MRN (its first name),
    /// `Patient/<id>` for a FHIR bundle's Patient resource. Spelling is normalised as for
    /// tokens (`MRN:mrx-55120` and `MRN:MRX55120` are one patient).
    #[arg(long, required_unless_present = "token")]
    pub patient: Option<String>,
    /// A token from the patient's documents (their MRN's token, say): forgets the one
    /// patient whose documents hold it. With --patient, it must belong to that patient.
    #[arg(long)]
    pub token: Option<String>,
    /// The audit log to record the forget in (default: `<vault dir>-audit`; required with
    /// `--vault postgres://…`).
    #[arg(long)]
    pub audit_dir: Option<PathBuf>,
}

/// `phigate vault rotate-key`: the vault, its key, and the new key.
#[derive(Args, Debug)]
pub struct RotateArgs {
    #[command(flatten)]
    pub vault: VaultArgs,
    /// The new master key file (from `phigate keygen`); --key-file is the current one.
    #[arg(long)]
    pub new_key_file: Option<PathBuf>,
    /// The audit log to record the rotation in (default: `<vault dir>-audit`; required with
    /// `--vault postgres://…`).
    #[arg(long)]
    pub audit_dir: Option<PathBuf>,
}

/// Where the vault is and which key opens it.
#[derive(Args, Debug)]
pub struct VaultArgs {
    /// Vault directory (made by `phigate vault init`; no other command creates one), or a
    /// PostgreSQL vault's `postgres://…` URL (stats, verify, forget, reveal).
    #[arg(long)]
    pub vault: PathBuf,
    /// Master key file (from `phigate keygen`).
    #[arg(long, env = "PHIGATE_KEY_FILE")]
    pub key_file: PathBuf,
    #[command(flatten)]
    pub pg: PgArgs,
}

/// How to reach a PostgreSQL vault named by URL: the password and the CA to trust.
#[derive(Args, Debug, Clone, Default)]
pub struct PgArgs {
    /// PostgreSQL vault: a file holding the password.
    #[arg(long)]
    pub password_file: Option<PathBuf>,
    /// PostgreSQL vault: CA bundle for sslmode=verify-full.
    #[arg(long)]
    pub ca: Option<PathBuf>,
}

impl PgArgs {
    /// The options to open the vault at `url` with a pool of `pool_size` connections (a
    /// command needs one or two).
    pub fn options(&self, url: &str, pool_size: usize) -> PgOptions {
        PgOptions {
            url: url.to_string(),
            password_file: self.password_file.clone(),
            ca: self.ca.clone(),
            pool_size,
        }
    }
}

impl VaultArgs {
    /// The PostgreSQL vault `--vault` names, if it is a URL (never taken for a directory).
    pub(super) fn pg_options(&self) -> Option<PgOptions> {
        let url = self.vault.to_str().filter(|s| is_pg_url(s))?;
        Some(self.pg.options(url, 2))
    }
}

/// Opens the existing sled vault `args` names (never creates one: that is `vault init`).
pub(super) fn open_vault(args: &VaultArgs, what: &str) -> anyhow::Result<SledVault> {
    let dir = sled_dir(&args.vault, what)?;
    let master = read_master_key(&args.key_file)?;
    Ok(SledVault::open_existing(dir, &master)?)
}

/// Opens the PostgreSQL vault `args` names (it exists once a gateway or `vault migrate`
/// has set its schema up; a wrong master key is refused by its key-check record).
pub(super) fn open_pg(args: &VaultArgs) -> anyhow::Result<PgVault> {
    let opts = args
        .pg_options()
        .context("--vault is not a PostgreSQL URL")?;
    let master = read_master_key(&args.key_file)?;
    Ok(PgVault::open(&opts, &master)?)
}

/// Whether `--vault` names a PostgreSQL vault rather than a directory.
pub(super) fn is_pg_url(s: &str) -> bool {
    s.starts_with("postgres://") || s.starts_with("postgresql://")
}

/// `--vault` for a command that works only on a sled vault directory. A URL is refused,
/// never taken for a directory (which would create one named after it, password and all);
/// the message does not repeat the URL, which may hold the password.
pub(super) fn sled_dir<'a>(vault: &'a Path, what: &str) -> anyhow::Result<&'a Path> {
    let Some(s) = vault.to_str() else {
        return Ok(vault);
    };
    if is_pg_url(s) {
        bail!(
            "`{what}` works on a sled vault directory, and --vault is a PostgreSQL URL; \
             PostgreSQL vaults are used by `serve`, `reveal`, `vault stats`, `vault verify`, \
             `vault forget` and `vault migrate` (to copy one into a sled vault)"
        );
    }
    if s.contains("://") {
        bail!("--vault is a URL; `{what}` needs a vault directory");
    }
    Ok(vault)
}

/// Runs a vault command; what its audit entry should say beyond its action and outcome
/// (a forget's patient and counts) goes into `event`.
fn vault(command: &VaultCommand, event: &mut crate::audit::Event) -> anyhow::Result<()> {
    match command {
        VaultCommand::Init(args) => {
            let dir = sled_dir(&args.vault, "vault init")?;
            let master = read_master_key(&args.key_file)?;
            SledVault::create(dir, &master)?.flush()?;
            super::summary(
                &serde_json::json!({"created": dir.display().to_string(), "tokens": 0}),
            )?;
        }
        VaultCommand::Stats(args) if args.pg_options().is_some() => {
            let v = open_pg(args)?;
            let stats = serde_json::json!({"backend": "postgres", "tokens": v.len()?,
                "forgotten": v.forgotten()?});
            super::summary(&stats)?;
        }
        VaultCommand::Verify(args) if args.pg_options().is_some() => {
            let v = open_pg(args)?;
            let progress = Progress::spinner("vault verify: decrypting every record");
            let n = v.verify()?;
            progress.finish();
            super::summary(&serde_json::json!({"verified": n, "forgotten": v.forgotten()?}))?;
        }
        VaultCommand::Stats(args) => {
            let v = open_vault(args, "vault stats")?;
            let stats = serde_json::json!({"tokens": v.len(), "patients": v.subjects()?,
                "forgotten": v.forgotten()?, "bytes_on_disk": v.size_on_disk()?});
            super::summary(&stats)?;
        }
        VaultCommand::Verify(args) => {
            let v = open_vault(args, "vault verify")?;
            let progress = Progress::spinner("vault verify: decrypting every record");
            let n = v.verify()?;
            progress.finish();
            super::summary(&serde_json::json!({"verified": n, "forgotten": v.forgotten()?}))?;
        }
        VaultCommand::Forget(args) => forget(args, event)?,
        VaultCommand::Backup { config, admin } => {
            let progress = Progress::spinner("vault backup: the gateway is writing it");
            online_backup(config.as_deref(), *admin, progress)?;
        }
        VaultCommand::Export { vault, out } => {
            let master = read_master_key(&vault.key_file)?;
            let v = open_vault(vault, "vault export")?;
            let file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(out)
                .with_context(|| {
                    format!(
                        "creating {} (an existing file is never overwritten)",
                        out.display()
                    )
                })?;
            // The counting writer hides the file, so a second handle syncs it.
            let synced = file.try_clone()?;
            let progress = Progress::bytes("vault export", None);
            let mut w = BufWriter::new(progress.writer(file));
            let stats = backup::export(&v, &master, &mut w)?;
            w.into_inner().map_err(|e| e.into_error())?;
            synced.sync_all()?;
            progress.finish();
            super::summary(&serde_json::json!({"entries": stats.entries, "frames": stats.frames}))?;
        }
        VaultCommand::Import { vault, from } => {
            let master = read_master_key(&vault.key_file)?;
            let v = open_vault(vault, "vault import")?;
            let file = File::open(from).with_context(|| format!("opening {}", from.display()))?;
            let progress = Progress::bytes("vault import", super::progress::file_len(Some(from)));
            let mut r = BufReader::new(progress.reader(file));
            let stats = backup::import(&v, &master, &mut r)?;
            progress.finish();
            super::summary(&serde_json::json!({"entries": stats.entries, "frames": stats.frames}))?;
        }
        VaultCommand::Migrate {
            from,
            to,
            key_file,
            password_file,
            ca,
            ..
        } => {
            let master = read_master_key(key_file)?;
            let conn = PgArgs {
                password_file: password_file.clone(),
                ca: ca.clone(),
            };
            let pg = |url: &str| -> anyhow::Result<PgVault> {
                Ok(PgVault::open(&conn.options(url, 2), &master)?)
            };
            let is_pg = is_pg_url;
            let progress = Progress::spinner("vault migrate: copying, then verifying");
            let (records, verified) = match (from.strip_prefix("sled:"), to.strip_prefix("sled:")) {
                (Some(dir), None) if is_pg(to) => {
                    let source = SledVault::open_existing(Path::new(dir), &master)?;
                    let target = pg(to)?;
                    (target.import_sled(&source)?, target.verify()?)
                }
                (None, Some(dir)) if is_pg(from) => {
                    let source = pg(from)?;
                    let target = SledVault::open_existing(Path::new(dir), &master)?;
                    (source.export_sled(&target)?, target.verify()?)
                }
                _ => bail!("--from and --to: one `sled:DIR` and one `postgres://…` URL"),
            };
            progress.finish();
            if verified as u64 != records {
                bail!("copied {records} records but {verified} verify");
            }
            super::summary(&serde_json::json!({"records": records, "verified": verified}))?;
        }
        VaultCommand::RotateKey(args) => {
            let r = rotate(args)?;
            event.detail = Some(format!(
                "key id {}, new master key {}, {} values re-encrypted, {} patient keys and {} value keys re-wrapped",
                r.key_id, r.new_master, r.re_encrypted, r.subject_keys, r.value_keys
            ));
            super::summary(
                &serde_json::json!({"key_id": r.key_id, "re_encrypted": r.re_encrypted,
                    "patient_keys_rewrapped": r.subject_keys,
                    "value_keys_rewrapped": r.value_keys, "new_master_key": r.new_master,
                    "already_done": r.already_done}),
            )?;
        }
    }
    Ok(())
}

/// `vault backup`: the running gateway writes the backup (and audits it) itself.
fn online_backup(
    config: Option<&Path>,
    admin: Option<std::net::SocketAddr>,
    progress: Progress,
) -> anyhow::Result<()> {
    let (admin, token) = super::serve::admin_target(config, admin)?;
    let (ok, body) = crate::gateway::reload::admin_post(admin, "/vault/export", token.as_deref())
        .with_context(|| format!("asking the admin listener {admin} for a backup"))?;
    progress.finish();
    if !ok {
        bail!("{}", body.trim_end());
    }
    let summary: serde_json::Value =
        serde_json::from_str(body.trim()).context("reading the admin listener's answer")?;
    super::summary(&summary)?;
    Ok(())
}

/// `vault rotate-key`: to a new master key (sled or PostgreSQL), or a new value-key id
/// under the same one (sled).
fn rotate(args: &RotateArgs) -> anyhow::Result<crate::vault::Rotation> {
    let old = read_master_key(&args.vault.key_file)?;
    Ok(match (&args.new_key_file, args.vault.pg_options()) {
        (None, None) => open_vault(&args.vault, "vault rotate-key")?.rotate_key()?,
        (None, Some(_)) => bail!(
            "a PostgreSQL vault rotates to a new master key: give --new-key-file (from `phigate keygen`)"
        ),
        (Some(new_file), Some(opts)) => {
            let new = read_master_key(new_file)?;
            PgVault::open(&opts, &old)?.rotate_master(&new)?
        }
        (Some(new_file), None) => {
            let new = read_master_key(new_file)?;
            let dir = sled_dir(&args.vault.vault, "vault rotate-key")?;
            SledVault::rotate_master(dir, &old, &new)?
        }
    })
}

/// After a rotation to a new master key: the audit log (kept under the old key, closed
/// by now) moves aside to `<dir>.retired-<time>`, its witness following it, so that a new
/// log starts in `dir` under the new key. The retired log still verifies with the old key
/// (or its `audit.pub`) and the auditor's pins.
fn retire_log(dir: &Path, at: &WitnessAt, old: &MasterKey, new: &MasterKey) -> anyhow::Result<()> {
    let Some(id) = crate::audit::verify::log_id(&crate::audit::segments(dir)?)? else {
        return Ok(());
    };
    let stamp: String = crate::audit::now_rfc3339()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    let mut retired = dir.as_os_str().to_owned();
    retired.push(format!(".retired-{stamp}"));
    let retired = PathBuf::from(retired);
    // A PostgreSQL witness is reached through the vault, which only the new key opens now.
    let key = match at {
        WitnessAt::Sled(_) => old,
        WitnessAt::Pg(_) => new,
    };
    // The witness moves first: it is found by the log's id wherever the log is, but also
    // remembers where the log was written, and a witness still naming `dir` while `dir` is
    // empty reads as a deleted log. Killed between the two steps, the log is still in `dir`
    // and the next run retires it again.
    if let Some(cp) = witness_at(at, dir, Some(key))?.load(&id)? {
        witness_at(at, &retired, Some(key))?.store(&id, &cp)?;
    }
    crate::failpoint::hit("retire.witness-moved");
    std::fs::rename(dir, &retired)
        .with_context(|| format!("moving the old audit log to {}", retired.display()))?;
    crate::failpoint::hit("retire.log-moved");
    eprintln!(
        "phigate: the audit log under the old key is closed and moved to {}; a new log starts under the new key",
        retired.display()
    );
    Ok(())
}

/// `vault forget`: resolves the patient (by key, by token, or both agreeing), forgets
/// them, and prints counts (never a value, a token or the patient key).
fn forget(args: &ForgetArgs, event: &mut crate::audit::Event) -> anyhow::Result<()> {
    let done = match args.vault.pg_options() {
        // `--vault postgres://…`: the shared vault of gateway replicas.
        Some(opts) => {
            let master = read_master_key(&args.vault.key_file)?;
            let v = PgVault::open(&opts, &master)?;
            let sid = forget_subject(args, |p| v.subject_id(p), |t| Ok(v.holders(t)?))?;
            forgotten_patient(event, &sid);
            v.forget(&sid)?
        }
        None => {
            let v = open_vault(&args.vault, "vault forget")?;
            let sid = forget_subject(args, |p| v.subject_id(p), |t| Ok(v.holders(t)?))?;
            forgotten_patient(event, &sid);
            v.forget(&sid)?
        }
    };
    event.detail = Some(format!(
        "forgotten {} records, {} shared kept",
        done.records, done.shared
    ));
    super::summary(&serde_json::json!({"forgotten": done.records, "shared_kept": done.shared}))?;
    Ok(())
}

/// Names the patient in the forget's audit entry by their subject id: a keyed hash of the
/// patient key (never the key itself), the same on every forget of that patient.
fn forgotten_patient(event: &mut crate::audit::Event, sid: &crate::vault::SubjectId) {
    event.subjects = vec![crate::audit::hex(sid)];
}

/// The patient `vault forget` names: by key, by token, or both agreeing.
fn forget_subject(
    args: &ForgetArgs,
    subject_id: impl Fn(&str) -> Option<crate::vault::SubjectId>,
    holders: impl Fn(&str) -> anyhow::Result<Option<crate::vault::Holders>>,
) -> anyhow::Result<crate::vault::SubjectId> {
    let by_patient = match &args.patient {
        Some(p) => Some(subject_id(p).context("--patient is empty (expected e.g. MRN:<mrn>)")?),
        None => None,
    };
    let by_token = match &args.token {
        None => None,
        Some(t) => {
            let holders = holders(t.trim())?
                .context("the vault does not know this token (or it is already forgotten)")?;
            match (holders.subjects.as_slice(), by_patient) {
                (_, Some(p)) if holders.subjects.contains(&p) => Some(p),
                (_, Some(_)) => bail!("the token does not belong to that patient's documents"),
                ([one], None) => Some(*one),
                ([], None) => bail!(
                    "the token comes only from documents without a patient key; it belongs to no patient"
                ),
                (many, None) => bail!(
                    "the token is held by {} patients' documents (a shared value such as a clinician); name the patient with --patient",
                    many.len()
                ),
            }
        }
    };
    by_patient
        .or(by_token)
        .context("--patient or --token is needed")
}

/// Opens the audit log for `command`, runs `action`, and records its outcome.
fn with_vault_audit(
    command: &VaultCommand,
    action: impl FnOnce(&mut Event) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    if let VaultCommand::Migrate {
        from,
        to,
        key_file,
        audit_dir,
        password_file,
        ca,
    } = command
    {
        let conn = PgArgs {
            password_file: password_file.clone(),
            ca: ca.clone(),
        };
        return with_migrate_audit(from, to, key_file, audit_dir.as_deref(), &conn, action);
    }
    let (args, what, name) = match command {
        VaultCommand::Export { vault, .. } => (vault, Action::VaultExport, "vault export"),
        VaultCommand::Import { vault, .. } => (vault, Action::VaultImport, "vault import"),
        VaultCommand::RotateKey(r) => (&r.vault, Action::VaultRotateKey, "vault rotate-key"),
        VaultCommand::Forget(args) => (&args.vault, Action::VaultForget, "vault forget"),
        _ => return action(&mut Event::default()),
    };
    let master = read_master_key(&args.key_file)?;
    let is_url = args.vault.to_str().is_some_and(is_pg_url);
    if !(is_url
        && matches!(
            command,
            VaultCommand::Forget(_) | VaultCommand::RotateKey(_)
        ))
    {
        // No vault, no audit directory beside it: refused before the log is opened.
        SledVault::check_existing(sled_dir(&args.vault, name)?)?;
        if !matches!(command, VaultCommand::RotateKey(_)) {
            // A key the vault refuses (the old one, after a rotation that moved the log
            // aside) must not start a log of its own where the vault's log belongs.
            drop(SledVault::open_existing(&args.vault, &master)?);
        }
    }
    let dir = match command {
        VaultCommand::Forget(ForgetArgs {
            audit_dir: Some(d), ..
        })
        | VaultCommand::RotateKey(RotateArgs {
            audit_dir: Some(d), ..
        }) => d.clone(),
        _ if is_url => bail!("--audit-dir is needed with a PostgreSQL vault"),
        _ => crate::audit::default_dir(&args.vault),
    };
    let at = match command {
        _ if is_url => WitnessAt::Pg(
            args.pg_options()
                .context("--vault is not a PostgreSQL URL")?,
        ),
        _ => WitnessAt::Sled(args.vault.clone()),
    };
    let log = open_admin_log(&dir, &master, Some(&at)).map_err(|e| {
        // A wrong master key fails the log's check first; say what is wrong with the key
        // (the vault's key check), not that the log does not verify.
        match &at {
            WitnessAt::Sled(v) => match SledVault::open_existing(v, &master) {
                Err(wrong @ crate::vault::VaultError::WrongKey { .. }) => wrong.into(),
                _ => e,
            },
            WitnessAt::Pg(_) => e,
        }
    })?;
    let mut event = Event::new(what, "");
    let result = action(&mut event);
    crate::failpoint::hit("vault.action-done");
    record_outcome(&log, event, &result)?;
    crate::failpoint::hit("vault.outcome-recorded");
    if let (
        Ok(()),
        VaultCommand::RotateKey(RotateArgs {
            new_key_file: Some(new),
            ..
        }),
    ) = (&result, command)
    {
        retire_log(&dir, &at, &master, &read_master_key(new)?)?;
    }
    result
}

/// `vault migrate`, audited in the log beside its sled end (or `--audit-dir`), whose
/// witness is in the source vault; once copied, the target holds the witness too, so that
/// a gateway on the target finds it.
fn with_migrate_audit(
    from: &str,
    to: &str,
    key_file: &Path,
    audit_dir: Option<&Path>,
    conn: &PgArgs,
    action: impl FnOnce(&mut Event) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    // The log goes beside the sled side, unless given; URLs never name a directory.
    let sled_dir = from
        .strip_prefix("sled:")
        .or_else(|| to.strip_prefix("sled:"));
    // Both ends are checked before the log is opened: a mistyped path must not leave
    // an audit directory behind.
    for (end, flag) in [(from, "--from"), (to, "--to")] {
        match end.strip_prefix("sled:") {
            Some(d) => SledVault::check_existing(Path::new(d))?,
            None if is_pg_url(end) => {}
            None => bail!("{flag}: expected `sled:DIR` or a `postgres://…` URL"),
        }
    }
    let dir = match (audit_dir, sled_dir) {
        (Some(d), _) => d.to_path_buf(),
        (None, Some(d)) => crate::audit::default_dir(Path::new(d)),
        (None, None) => bail!("--audit-dir is needed when neither side is a sled vault"),
    };
    let master = read_master_key(key_file)?;
    let at = |end: &str| match end.strip_prefix("sled:") {
        Some(d) => WitnessAt::Sled(PathBuf::from(d)),
        None => WitnessAt::Pg(conn.options(end, 1)),
    };
    let log = open_admin_log(&dir, &master, Some(&at(from)))?;
    let mut event = Event::new(Action::VaultMigrate, "");
    let result = action(&mut event);
    let kind = |s: &str| {
        if s.starts_with("sled:") {
            "sled"
        } else {
            "postgres"
        }
    };
    event.detail = Some(format!("{} to {}", kind(from), kind(to)));
    record_outcome(&log, event, &result)?;
    drop(log);
    if result.is_ok() {
        carry_witness(&dir, &master, &at(from), &at(to))
            .context("copying the audit log's witness to the target vault")?;
    }
    result
}

/// Records how a command-line action ended, then checkpoints and closes the log.
fn record_outcome(
    log: &crate::audit::AuditLog,
    mut event: Event,
    result: &anyhow::Result<()>,
) -> anyhow::Result<()> {
    event.outcome = if result.is_ok() { "ok" } else { "failed" }.into();
    event.caller = Some("cli".into());
    event.user = Some(super::audited::os_user());
    event.uid = super::audited::os_uid();
    log.record(event)?;
    log.close()?;
    Ok(())
}

/// A vault named on the command line, as the keeper of an audit log's witness.
pub(super) enum WitnessAt {
    Sled(PathBuf),
    Pg(PgOptions),
}

/// The witness of the log in `log_dir` kept in the vault `at` (a PostgreSQL vault is
/// opened for it, which needs the master key).
pub(super) fn witness_at(
    at: &WitnessAt,
    log_dir: &Path,
    master: Option<&MasterKey>,
) -> anyhow::Result<Box<dyn crate::audit::witness::Witness>> {
    Ok(match at {
        WitnessAt::Sled(dir) => Box::new(crate::audit::witness::FileWitness::in_vault(
            dir, log_dir,
        )),
        WitnessAt::Pg(opts) => Box::new(
            PgVault::open(
                opts,
                master.context("a PostgreSQL vault's witness needs --key-file (opening the vault checks the master key)")?,
            )
                .context("opening the PostgreSQL vault (it keeps the audit log's witness)")?
                .audit_witness(log_dir),
        ),
    })
}

/// The audit log a command line action is recorded in, witnessed in the vault `at` (as the
/// gateway does), so that the log's end stays checked.
fn open_admin_log(
    dir: &Path,
    master: &MasterKey,
    at: Option<&WitnessAt>,
) -> anyhow::Result<crate::audit::AuditLog> {
    let witness = at.map(|a| witness_at(a, dir, Some(master))).transpose()?;
    crate::audit::AuditLog::open_witnessed(dir, master, crate::audit::Settings::default(), witness)
        .context("opening the audit log (vault administration is always audited)")
}

/// Stores the log's newest checkpoint, as witnessed in `from`, in the witness in `to`.
fn carry_witness(
    dir: &Path,
    master: &MasterKey,
    from: &WitnessAt,
    to: &WitnessAt,
) -> anyhow::Result<()> {
    let Some(id) = crate::audit::verify::log_id(&crate::audit::segments(dir)?)? else {
        return Ok(());
    };
    if let Some(cp) = witness_at(from, dir, Some(master))?.load(&id)? {
        witness_at(to, dir, Some(master))?.store(&id, &cp)?;
    }
    Ok(())
}
