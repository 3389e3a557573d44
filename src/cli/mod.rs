//! The `phigate` command line.
//!
//! Owns argument parsing (clap), loading what each command needs, and mapping failures to
//! exit codes: 0 success, 1 a document or record failed, 2 unusable input or arguments,
//! 64 a bad rule, policy or config file, 141 standard output was closed early (`… | head`:
//! the status a shell reports for a process ended by SIGPIPE, as for `cat`; nothing is
//! printed). Messages never contain input text.

pub mod audit;

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::{Args, Parser, Subcommand};
use serde::Deserialize;

use crate::cli::audit::CliAudit;
use crate::detect::Scratch;
use crate::engine::reveal::{
    reveal_hl7, reveal_json, reveal_table, reveal_text, Allow, RevealStats,
};
use crate::engine::{ContentType, Engine, Output};
use crate::keys::{MasterKey, KEY_LEN};
use crate::patterns::Patterns;
use crate::phi::PhiType;
use crate::transform::policy::Policy;
use crate::transform::token::{MemoryTokenStore, TokenStore};
use crate::transform::Transformer;
use crate::vault::{backup, SledVault};

/// phigate: a HIPAA de-identification gateway.
#[derive(Parser, Debug)]
#[command(name = "phigate", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// De-identify a file or standard input to standard output.
    Scan(ScanArgs),
    /// Write a new random master key to a file (mode 0600; never overwrites).
    Keygen {
        /// Where to write the key.
        #[arg(long)]
        out: PathBuf,
    },
    /// Replace tokens with the values they stand for (the EMR side of the gateway).
    Reveal(RevealArgs),
    /// Create, inspect, verify, back up, restore, re-key, migrate the token vault and
    /// forget a patient in it.
    Vault {
        #[command(subcommand)]
        command: VaultCommand,
    },
    /// Verify, search, export and report on the tamper-evident audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Run the gateway: TLS listeners, routes, the admin listener (health, metrics).
    Serve(ServeArgs),
    /// Ask a running gateway to reload its configuration (POST /reload on its admin
    /// listener, like SIGHUP); prints the outcome, exits 1 if the reload was refused.
    Reload {
        /// The gateway's configuration file (its [admin] listen is used).
        #[arg(long, env = "PHIGATE_CONFIG", required_unless_present = "admin")]
        config: Option<PathBuf>,
        /// The admin listener's address instead of reading it from --config.
        #[arg(long, conflicts_with = "config")]
        admin: Option<std::net::SocketAddr>,
    },
    /// Run the start-up checks of `serve --config FILE`, reporting every problem; opens,
    /// creates and locks nothing (safe beside a running gateway).
    CheckConfig {
        /// The configuration file.
        file: PathBuf,
        /// Accept a master key file that group or others may read (refused otherwise).
        #[arg(long)]
        allow_insecure_key_permissions: bool,
    },
    /// Write a labelled synthetic corpus (JSON lines, the evaluation format) to stdout.
    Synth {
        /// Random seed; the same seed gives the same corpus.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Number of documents.
        #[arg(long, default_value_t = 500)]
        count: usize,
        /// Only one kind of document: text, fhir or json.
        #[arg(long)]
        kind: Option<String>,
    },
    /// Scrub claims (FHIR R4 Claim, JSON claim, X12 837P) before they go to the payer.
    Claims {
        #[command(subcommand)]
        command: ClaimsCommand,
    },
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
    /// Restore a backup into an empty vault (the restore drill: export, `vault init` a new
    /// directory, import, reveal).
    Import {
        #[command(flatten)]
        vault: VaultArgs,
        /// Backup file to read.
        #[arg(long)]
        from: PathBuf,
    },
    /// Re-encrypt every value under a new encryption key; no token changes.
    RotateKey(VaultArgs),
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
    /// PostgreSQL vault: a file holding the password.
    #[arg(long)]
    pub password_file: Option<PathBuf>,
    /// PostgreSQL vault: CA bundle for sslmode=verify-full.
    #[arg(long)]
    pub ca: Option<PathBuf>,
}

impl VaultArgs {
    /// The PostgreSQL vault `--vault` names, if it is a URL (never taken for a directory).
    fn pg(&self) -> Option<crate::vault::PgOptions> {
        let url = self.vault.to_str().filter(|s| is_pg_url(s))?;
        Some(crate::vault::PgOptions {
            url: url.to_string(),
            password_file: self.password_file.clone(),
            ca: self.ca.clone(),
            pool_size: 2,
        })
    }
}

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
    /// own): HL7 v2 and CSV/TSV are revealed value by value, so restored values are escaped
    /// or quoted. JSON and HL7 are also recognised by their content.
    #[arg(long)]
    pub content_type: Option<String>,
}

#[derive(Args, Debug)]
pub struct ScanArgs {
    /// Input file; standard input when absent or `-`.
    pub file: Option<PathBuf>,
    /// Policy: safe-harbor (default), limited-data-set, reversible, or a policy file path.
    #[arg(long, default_value = "safe-harbor")]
    pub policy: String,
    /// Content type (text/plain, application/json, application/fhir+json,
    /// application/x-www-form-urlencoded, application/hl7-v2, text/csv,
    /// text/tab-separated-values); inferred from the extension or content if absent.
    #[arg(long)]
    pub content_type: Option<String>,
    /// Read JSON lines {"id", "text", "content_type"?} and write one line per input:
    /// {"id", "text", "spans": [{"start", "end", "type"}]} (UTF-8 byte offsets), or
    /// {"id", "error": {"line", "reason"}} for a line that failed. Exit status 1, and a count
    /// on standard error, when any line failed.
    #[arg(long)]
    pub jsonl: bool,
    /// Worker threads for --jsonl (output order is kept); default: one per core.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Write per-type counts of PHI found (never values) to standard error.
    #[arg(long)]
    pub report: bool,
    /// Master key file (from `phigate keygen`); tokens are stable across runs with the
    /// same key. Without one, a random key is used and tokens last for this run only.
    #[arg(long, env = "PHIGATE_KEY_FILE")]
    pub key_file: Option<PathBuf>,
    /// Keep token mappings in this vault directory (made by `phigate vault init`; requires
    /// --key-file): tokens are written to disk before the output line that holds them.
    #[arg(long, requires = "key_file")]
    pub vault: Option<PathBuf>,
    /// Token domain (one per outside destination): the same value gets a different token in
    /// each domain, so two vendors cannot join their data on tokens.
    #[arg(long, default_value = "")]
    pub domain: String,
    /// Read rule files from this directory instead of the built-in ones.
    #[arg(long)]
    pub patterns: Option<PathBuf>,
    /// Largest document accepted, in bytes.
    #[arg(long, default_value_t = 16 << 20)]
    pub max_bytes: usize,
    /// Deepest JSON nesting accepted.
    #[arg(long, default_value_t = 64)]
    pub max_depth: usize,
}

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
    /// Activity per route and caller, reveals per caller and type, refusals, claims.
    Report {
        #[command(flatten)]
        log: AuditLogArgs,
        #[command(flatten)]
        filter: AuditFilterArgs,
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
    /// PostgreSQL vault: a file holding the password.
    #[arg(long)]
    pub password_file: Option<PathBuf>,
    /// PostgreSQL vault: CA bundle for sslmode=verify-full.
    #[arg(long)]
    pub ca: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct AuditLogArgs {
    /// The audit log directory.
    #[arg(long, env = "PHIGATE_AUDIT_DIR")]
    pub dir: PathBuf,
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

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// The configuration file (see deploy/phigate.example.toml).
    #[arg(
        long,
        env = "PHIGATE_CONFIG",
        required_unless_present = "dev",
        conflicts_with = "dev"
    )]
    pub config: Option<PathBuf>,
    /// Development mode: makes a master key, a self-signed certificate and a vault under
    /// --data-dir, and serves demo routes to a built-in echo upstream. Never for production.
    #[arg(long)]
    pub dev: bool,
    /// Where --dev keeps its key, certificate and vault.
    #[arg(long, default_value = "phigate-data")]
    pub data_dir: PathBuf,
    /// The --dev TLS listener address.
    #[arg(long, default_value = "127.0.0.1:8443")]
    pub listen: std::net::SocketAddr,
    /// The --dev admin listener address (health, readiness, metrics).
    #[arg(long, default_value = "127.0.0.1:9090")]
    pub admin_listen: std::net::SocketAddr,
    /// Worker threads (default: one per core).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Accept a master key file that group or others may read (refused otherwise).
    #[arg(long)]
    pub allow_insecure_key_permissions: bool,
}

/// Standard output closed before everything was written (`phigate … | head`): 128 + SIGPIPE,
/// the status a shell shows for `cat` or `yes` in the same place. Rust ignores SIGPIPE, so a
/// write fails with `BrokenPipe` instead of killing the process; every write to standard
/// output goes through `?` (never `println!`, which panics) and ends up here.
const EXIT_BROKEN_PIPE: u8 = 141;

/// `println!` that returns the write error instead of panicking on a closed pipe.
macro_rules! outln {
    ($($arg:tt)*) => {
        writeln!(io::stdout().lock(), $($arg)*)
    };
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> ExitCode {
    let result = match cli.command {
        Command::Scan(args) => scan(&args),
        Command::Keygen { out } => keygen(&out).map(|()| ExitCode::SUCCESS),
        Command::Reveal(args) => reveal(&args),
        Command::Vault { command } => {
            with_vault_audit(&command, |event| vault(&command, event)).map(|()| ExitCode::SUCCESS)
        }
        Command::Audit { command } => audit(&command),
        Command::Serve(args) => serve(&args).map(|()| ExitCode::SUCCESS),
        Command::Reload { config, admin } => reload(config.as_deref(), admin),
        Command::CheckConfig {
            file,
            allow_insecure_key_permissions,
        } => crate::gateway::check_config(&file, allow_insecure_key_permissions).and_then(
            |summary| {
                outln!("{summary}")?;
                Ok(ExitCode::SUCCESS)
            },
        ),
        Command::Synth { seed, count, kind } => {
            synth(seed, count, kind.as_deref()).map(|()| ExitCode::SUCCESS)
        }
        Command::Claims { command } => claims(&command),
    };
    match result {
        Ok(code) => code,
        Err(e) if is_broken_pipe(&e) => ExitCode::from(EXIT_BROKEN_PIPE),
        Err(e) => {
            eprintln!("phigate: {}", error_message(&e));
            ExitCode::from(exit_code_for(&e))
        }
    }
}

/// The error and its causes, `a: b: c`, leaving out a cause whose text the message already
/// ends with (an error that prints its source would otherwise show it twice:
/// `reading x.toml: No such file … (os error 2): No such file … (os error 2)`).
fn error_message(e: &anyhow::Error) -> String {
    let mut msg = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if msg.is_empty() {
            msg = text;
        } else if !msg.ends_with(&text) {
            msg.push_str(": ");
            msg.push_str(&text);
        }
    }
    msg
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}

/// A failure to load a rule, policy or config file is a usage error (64).
fn exit_code_for(e: &anyhow::Error) -> u8 {
    if e.chain().any(|c| {
        c.is::<crate::engine::BuildError>()
            || c.is::<crate::transform::policy::PolicyError>()
            || c.is::<crate::config::ConfigError>()
    }) {
        64
    } else {
        2
    }
}

fn load_engine(args: &ScanArgs) -> anyhow::Result<Engine> {
    let patterns = match &args.patterns {
        Some(dir) => Patterns::from_dir(dir).context("reading rule files")?,
        None => Patterns::builtin(),
    };
    let mut engine = Engine::build(&patterns).context("loading rule files")?;
    engine.limits.max_bytes = args.max_bytes;
    engine.limits.max_depth = args.max_depth;
    Ok(engine)
}

fn load_policy(engine: &Engine, name: &str) -> anyhow::Result<Policy> {
    if let Some(p) = engine.policy(name) {
        return Ok(p.clone());
    }
    let path = Path::new(name);
    if !path.exists() {
        bail!("unknown policy `{name}` (built-in: safe-harbor, limited-data-set, reversible; or a file path)");
    }
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading policy {}", path.display()))?;
    Ok(Policy::parse(&path.display().to_string(), &text)?)
}

/// Reads a master key file: 64 hex characters (whitespace ignored).
pub fn read_master_key(path: &Path) -> anyhow::Result<MasterKey> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading key file {}", path.display()))?;
    let hex: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let mut bytes = [0u8; KEY_LEN];
    if hex.len() != KEY_LEN * 2 {
        bail!(
            "key file {} is not a phigate master key (expected {} hex characters)",
            path.display(),
            KEY_LEN * 2
        );
    }
    for (i, b) in bytes.iter_mut().enumerate() {
        *b = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).map_err(|_| {
            anyhow::anyhow!(
                "key file {} is not a phigate master key (not hex)",
                path.display()
            )
        })?;
    }
    Ok(MasterKey::from_bytes(bytes))
}

fn keygen(out: &Path) -> anyhow::Result<()> {
    write_new_key(out)?;
    eprintln!(
        "phigate: wrote a new master key to {}; back it up: tokens cannot be revealed without it",
        out.display()
    );
    Ok(())
}

/// Writes a new random master key (mode 0600), refusing to overwrite a file.
/// The master key protects every vault record: a key file that group or others may read
/// is refused unless the operator says otherwise (`keygen` writes it 0600).
pub fn check_key_permissions(path: &Path, allow_insecure: bool) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .with_context(|| format!("reading key file {}", path.display()))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 && !allow_insecure {
            bail!(
                "[vault] key_file {} is readable by group or others (mode {:o}): \
                 `chmod 600` it, or pass --allow-insecure-key-permissions",
                path.display(),
                mode & 0o777
            );
        }
    }
    #[cfg(not(unix))]
    let _ = (path, allow_insecure);
    Ok(())
}

pub fn write_new_key(out: &Path) -> anyhow::Result<()> {
    let key = MasterKey::generate()?;
    let hex: String = key.as_bytes().iter().map(|b| format!("{b:02x}")).collect();
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(out).with_context(|| {
        format!(
            "creating {} (an existing key is never overwritten)",
            out.display()
        )
    })?;
    f.write_all(format!("{hex}\n").as_bytes())?;
    f.sync_all()?;
    Ok(())
}

fn scan(args: &ScanArgs) -> anyhow::Result<ExitCode> {
    let engine = load_engine(args)?;
    let policy = load_policy(&engine, &args.policy)?;
    let master = match &args.key_file {
        Some(p) => read_master_key(p)?,
        None => MasterKey::generate()?,
    };
    // With a vault, what is tokenised is audited (in the vault's log) as the gateway audits it.
    let vault = match &args.vault {
        Some(dir) => {
            let dir = sled_dir(dir, "scan --vault")?;
            let v = SledVault::open_existing_domain(dir, &master, &args.domain)?;
            let log = crate::audit::default_dir(dir);
            let witness = Box::new(crate::audit::witness::FileWitness::in_vault(dir, &log));
            Some((
                v,
                CliAudit::open(&log, witness, &master, "cli:scan", false)?,
            ))
        }
        None => None,
    };
    let audit = vault.as_ref().map(|(_, a)| a);
    let recording = vault.as_ref().map(|(v, a)| a.recording(v, None));
    let memory;
    let store: &dyn TokenStore = match &recording {
        Some(r) => r,
        None => {
            memory = MemoryTokenStore::new(&master, &args.domain);
            &memory
        }
    };
    let t = engine.transformer(&policy, store, &master);
    let forced = match &args.content_type {
        Some(ct) => Some(ct.parse::<ContentType>().map_err(anyhow::Error::msg)?),
        None => None,
    };
    let input: Box<dyn Read> = match &args.file {
        Some(p) if p.as_os_str() != "-" => {
            Box::new(File::open(p).with_context(|| format!("opening {}", p.display()))?)
        }
        _ => Box::new(io::stdin().lock()),
    };
    if args.jsonl {
        let threads = args
            .threads
            .unwrap_or_else(|| {
                std::thread::available_parallelism()
                    .map(|n| n.get())
                    .unwrap_or(1)
            })
            .clamp(1, 64);
        let totals = scan_jsonl(&engine, &t, forced, input, threads, audit)?;
        if let Some(a) = audit {
            a.close()?;
        }
        if args.report {
            totals.print();
        }
        // Each failed line has its error record in the output; the status and one line on
        // standard error make sure a script (or an operator) notices that some failed.
        if totals.errors > 0 {
            eprintln!(
                "phigate: {} of {} lines failed (their output lines are error records){}",
                totals.errors,
                totals.documents + totals.errors,
                if args.vault.is_some() {
                    "; a line is printed only once its tokens are in the vault"
                } else {
                    ""
                }
            );
            return Ok(ExitCode::from(1));
        }
        return Ok(ExitCode::SUCCESS);
    }
    let stdout = io::stdout().lock();
    let mut out = BufWriter::with_capacity(1 << 16, stdout);
    let mut scratch = engine.detector.scratch();
    let mut totals = Report::default();
    let code = {
        let name = args.file.as_ref().map(|p| p.display().to_string());
        // Held until its tokens are audited.
        let mut text = Vec::new();
        let code = scan_one(
            &engine,
            &t,
            forced,
            name.as_deref(),
            input,
            &mut text,
            &mut scratch,
            &mut totals,
        )?;
        if let Some(a) = audit {
            a.close()?;
        }
        out.write_all(&text)?;
        code
    };
    out.flush()?;
    if args.report {
        totals.print();
    }
    Ok(code)
}

#[allow(clippy::too_many_arguments)]
fn scan_one(
    engine: &Engine,
    t: &Transformer<'_>,
    forced: Option<ContentType>,
    name: Option<&str>,
    input: Box<dyn Read>,
    out: &mut impl Write,
    scratch: &mut Scratch,
    totals: &mut Report,
) -> anyhow::Result<ExitCode> {
    let mut body = Vec::new();
    input
        .take(engine.limits.max_bytes as u64 + 1)
        .read_to_end(&mut body)
        .context("reading input")?;
    let ct = forced.unwrap_or_else(|| ContentType::infer(name, &body));
    match engine.deidentify(&body, ct, t, scratch) {
        Ok(o) => {
            out.write_all(o.text.as_bytes())?;
            totals.add(&o);
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            totals.errors += 1;
            eprintln!("phigate: {}", error_message(&e.into()));
            Ok(ExitCode::from(1))
        }
    }
}

#[derive(Deserialize)]
struct JsonlIn {
    id: serde_json::Value,
    text: String,
    #[serde(default)]
    content_type: Option<String>,
}

/// One input line of a `--jsonl` stream.
enum Line {
    Record(usize, Vec<u8>),
    Oversize(usize),
}

/// Lines per unit of work: large enough to amortise hand-offs, small enough that a slow
/// producer (a pipe fed line by line) still sees each answer promptly.
const BATCH_LINES: usize = 32;

/// `--jsonl`: a reader (this thread) cuts the input into batches, `threads` workers
/// de-identify them, and a writer puts the results back in input order. Every channel is
/// bounded, so memory stays flat however long the stream. With a vault, a worker's tokens
/// are durable before its batch reaches the writer, so no line leaves before its tokens.
fn scan_jsonl(
    engine: &Engine,
    t: &Transformer<'_>,
    forced: Option<ContentType>,
    input: Box<dyn Read>,
    threads: usize,
    audit: Option<&CliAudit>,
) -> anyhow::Result<Report> {
    // A record may be JSON-escaped, so its line can be longer than the document limit.
    let line_limit = engine
        .limits
        .max_bytes
        .saturating_mul(2)
        .saturating_add(1024);
    let (work_tx, work_rx) = std::sync::mpsc::sync_channel::<(u64, Vec<Line>)>(threads * 2);
    // The workers own the work queue's receiving end: when the writer stops (the output
    // pipe closed), each worker's next hand-off fails and it exits, the last one drops the
    // receiver, and the reader's next send fails instead of waiting forever.
    let work_rx = std::sync::Arc::new(std::sync::Mutex::new(work_rx));
    let (done_tx, done_rx) = std::sync::mpsc::sync_channel::<(u64, Vec<u8>, Report)>(threads * 2);
    std::thread::scope(|s| {
        for _ in 0..threads {
            let (done_tx, work_rx) = (done_tx.clone(), std::sync::Arc::clone(&work_rx));
            s.spawn(move || {
                let mut scratch = engine.detector.scratch();
                loop {
                    let job = match work_rx.lock() {
                        Ok(rx) => rx.recv(),
                        Err(_) => return,
                    };
                    let Ok((seq, lines)) = job else { return };
                    let (buf, report) =
                        process_batch(engine, t, forced, &lines, line_limit, &mut scratch);
                    if done_tx.send((seq, buf, report)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(done_tx);
        drop(work_rx);
        let writer = s.spawn(move || -> io::Result<Report> {
            let mut out = BufWriter::with_capacity(1 << 16, io::stdout().lock());
            let mut pending = std::collections::BTreeMap::new();
            let mut next = 0u64;
            let mut totals = Report::default();
            for (seq, buf, report) in done_rx {
                pending.insert(seq, (buf, report));
                while let Some((buf, report)) = pending.remove(&next) {
                    // Its tokens (and any other batch's done so far) are audited first.
                    if let Some(a) = audit {
                        a.commit()
                            .map_err(|e| io::Error::other(error_message(&e)))?;
                    }
                    out.write_all(&buf)?;
                    totals.merge(&report);
                    next += 1;
                }
                out.flush()?;
            }
            Ok(totals)
        });
        let read = read_batches(input, line_limit, |seq, batch| {
            work_tx.send((seq, batch)).is_ok()
        });
        drop(work_tx);
        let totals = writer
            .join()
            .map_err(|_| anyhow::anyhow!("output thread failed"))??;
        read?;
        Ok(totals)
    })
}

/// Reads lines, handing them over in batches; stops early if `send` says no one listens.
fn read_batches(
    input: Box<dyn Read>,
    line_limit: usize,
    mut send: impl FnMut(u64, Vec<Line>) -> bool,
) -> anyhow::Result<()> {
    let mut reader = BufReader::with_capacity(1 << 16, input);
    let mut batch = Vec::with_capacity(BATCH_LINES);
    let mut seq = 0u64;
    let mut line_no = 0usize;
    loop {
        let mut line = Vec::new();
        let n = (&mut reader)
            .take(line_limit as u64)
            .read_until(b'\n', &mut line)
            .context("reading input")?;
        if n == 0 {
            break;
        }
        line_no += 1;
        if line.last() != Some(&b'\n') && n == line_limit {
            skip_rest_of_line(&mut reader)?;
            batch.push(Line::Oversize(line_no));
        } else if !line.iter().all(u8::is_ascii_whitespace) {
            batch.push(Line::Record(line_no, line));
        }
        if batch.len() == BATCH_LINES || !batch.is_empty() && reader.buffer().is_empty() {
            if !send(seq, std::mem::take(&mut batch)) {
                return Ok(());
            }
            seq += 1;
        }
    }
    if !batch.is_empty() {
        send(seq, batch);
    }
    Ok(())
}

/// De-identifies one batch into its output lines.
fn process_batch(
    engine: &Engine,
    t: &Transformer<'_>,
    forced: Option<ContentType>,
    lines: &[Line],
    line_limit: usize,
    scratch: &mut Scratch,
) -> (Vec<u8>, Report) {
    let mut buf = Vec::new();
    let mut report = Report::default();
    for line in lines {
        // Writing into a Vec cannot fail.
        let written = match line {
            Line::Oversize(no) => {
                report.errors += 1;
                write_error(
                    &mut buf,
                    &serde_json::Value::Null,
                    *no,
                    &format!("line is over the {line_limit}-byte limit"),
                )
            }
            Line::Record(no, bytes) => match process_record(engine, t, forced, bytes, scratch) {
                Ok((id, o)) => {
                    report.add(&o);
                    write_record(&mut buf, &id, &o)
                }
                Err((id, reason)) => {
                    report.errors += 1;
                    write_error(&mut buf, &id, *no, &reason)
                }
            },
        };
        debug_assert!(written.is_ok());
    }
    (buf, report)
}

fn skip_rest_of_line(reader: &mut impl BufRead) -> io::Result<()> {
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok(());
        }
        if let Some(i) = buf.iter().position(|&b| b == b'\n') {
            reader.consume(i + 1);
            return Ok(());
        }
        let len = buf.len();
        reader.consume(len);
    }
}

type RecordError = (serde_json::Value, String);

fn process_record(
    engine: &Engine,
    t: &Transformer<'_>,
    forced: Option<ContentType>,
    line: &[u8],
    scratch: &mut Scratch,
) -> Result<(serde_json::Value, Output), RecordError> {
    let rec: JsonlIn = match std::str::from_utf8(line) {
        Err(e) => {
            return Err((
                serde_json::Value::Null,
                format!("invalid UTF-8 at byte {}", e.valid_up_to()),
            ))
        }
        Ok(s) => serde_json::from_str(s).map_err(|e| {
            (
                serde_json::Value::Null,
                format!(
                    "malformed record at column {}: {}",
                    e.column(),
                    json_category(&e)
                ),
            )
        })?,
    };
    // An id is echoed back; only scalar ids are accepted so nothing else can be reflected.
    if !(rec.id.is_string() || rec.id.is_number()) {
        return Err((
            serde_json::Value::Null,
            "record id must be a string or number".into(),
        ));
    }
    let ct = match (forced, &rec.content_type) {
        (Some(ct), _) => ct,
        (None, Some(c)) => c.parse::<ContentType>().map_err(|e| (rec.id.clone(), e))?,
        (None, None) => ContentType::infer(None, rec.text.as_bytes()),
    };
    engine
        .deidentify(rec.text.as_bytes(), ct, t, scratch)
        .map(|o| (rec.id.clone(), o))
        .map_err(|e| (rec.id.clone(), error_message(&e.into())))
}

fn json_category(e: &serde_json::Error) -> &'static str {
    match e.classify() {
        serde_json::error::Category::Io => "read error",
        serde_json::error::Category::Syntax => "syntax error",
        serde_json::error::Category::Data => "missing or mistyped field (need id and text)",
        serde_json::error::Category::Eof => "unexpected end of line",
    }
}

fn write_record(out: &mut impl Write, id: &serde_json::Value, o: &Output) -> io::Result<()> {
    let spans: Vec<serde_json::Value> = o
        .spans
        .iter()
        .map(|s| serde_json::json!({"start": s.start, "end": s.end, "type": s.ty.as_str()}))
        .collect();
    let rec = serde_json::json!({"id": id, "text": o.text, "spans": spans});
    serde_json::to_writer(&mut *out, &rec)?;
    out.write_all(b"\n")
}

fn write_error(
    out: &mut impl Write,
    id: &serde_json::Value,
    line: usize,
    reason: &str,
) -> io::Result<()> {
    let rec = serde_json::json!({"id": id, "error": {"line": line, "reason": reason}});
    serde_json::to_writer(&mut *out, &rec)?;
    out.write_all(b"\n")
}

/// Per-type totals for `--report`.
#[derive(Default)]
struct Report {
    documents: usize,
    errors: usize,
    counts: [usize; PhiType::ALL.len()],
}

impl Report {
    fn merge(&mut self, other: &Report) {
        self.documents += other.documents;
        self.errors += other.errors;
        for (t, c) in self.counts.iter_mut().zip(other.counts) {
            *t += c;
        }
    }

    fn add(&mut self, o: &Output) {
        self.documents += 1;
        for (t, c) in self.counts.iter_mut().zip(o.counts) {
            *t += c;
        }
    }

    fn print(&self) {
        let by_type: serde_json::Map<String, serde_json::Value> = PhiType::ALL
            .iter()
            .filter(|t| self.counts[t.index()] > 0)
            .map(|t| (t.as_str().to_string(), self.counts[t.index()].into()))
            .collect();
        let rec = serde_json::json!({"documents": self.documents, "errors": self.errors, "phi_found": by_type});
        eprintln!("{rec}");
    }
}

/// Opens the existing sled vault `args` names (never creates one: that is `vault init`).
fn open_vault(args: &VaultArgs, what: &str) -> anyhow::Result<SledVault> {
    let dir = sled_dir(&args.vault, what)?;
    let master = read_master_key(&args.key_file)?;
    Ok(SledVault::open_existing(dir, &master)?)
}

/// Opens the PostgreSQL vault `args` names (it exists once a gateway or `vault migrate`
/// has set its schema up; a wrong master key is refused by its key-check record).
fn open_pg(args: &VaultArgs) -> anyhow::Result<crate::vault::PgVault> {
    let opts = args.pg().context("--vault is not a PostgreSQL URL")?;
    let master = read_master_key(&args.key_file)?;
    Ok(crate::vault::PgVault::open(&opts, &master)?)
}

/// Whether `--vault` names a PostgreSQL vault rather than a directory.
fn is_pg_url(s: &str) -> bool {
    s.starts_with("postgres://") || s.starts_with("postgresql://")
}

/// `--vault` for a command that works only on a sled vault directory. A URL is refused,
/// never taken for a directory (which would create one named after it, password and all);
/// the message does not repeat the URL, which may hold the password.
fn sled_dir<'a>(vault: &'a Path, what: &str) -> anyhow::Result<&'a Path> {
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
            outln!(
                "{}",
                serde_json::json!({"created": dir.display().to_string(), "tokens": 0})
            )?;
        }
        VaultCommand::Stats(args) if args.pg().is_some() => {
            let v = open_pg(args)?;
            let stats = serde_json::json!({"backend": "postgres", "tokens": v.len()?,
                "forgotten": v.forgotten()?});
            outln!("{stats}")?;
        }
        VaultCommand::Verify(args) if args.pg().is_some() => {
            let v = open_pg(args)?;
            let n = v.verify()?;
            outln!(
                "{}",
                serde_json::json!({"verified": n, "forgotten": v.forgotten()?})
            )?;
        }
        VaultCommand::Stats(args) => {
            let v = open_vault(args, "vault stats")?;
            let stats = serde_json::json!({"tokens": v.len(), "patients": v.subjects()?,
                "forgotten": v.forgotten()?, "bytes_on_disk": v.size_on_disk()?});
            outln!("{stats}")?;
        }
        VaultCommand::Verify(args) => {
            let v = open_vault(args, "vault verify")?;
            let n = v.verify()?;
            outln!(
                "{}",
                serde_json::json!({"verified": n, "forgotten": v.forgotten()?})
            )?;
        }
        VaultCommand::Forget(args) => forget(args, event)?,
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
            let mut w = BufWriter::new(file);
            let stats = backup::export(&v, &master, &mut w)?;
            w.into_inner().map_err(|e| e.into_error())?.sync_all()?;
            outln!(
                "{}",
                serde_json::json!({"entries": stats.entries, "frames": stats.frames})
            )?;
        }
        VaultCommand::Import { vault, from } => {
            let master = read_master_key(&vault.key_file)?;
            let v = open_vault(vault, "vault import")?;
            let mut r = BufReader::new(
                File::open(from).with_context(|| format!("opening {}", from.display()))?,
            );
            let stats = backup::import(&v, &master, &mut r)?;
            outln!(
                "{}",
                serde_json::json!({"entries": stats.entries, "frames": stats.frames})
            )?;
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
            let pg = |url: &str| -> anyhow::Result<crate::vault::PgVault> {
                let opts = crate::vault::PgOptions {
                    url: url.to_string(),
                    password_file: password_file.clone(),
                    ca: ca.clone(),
                    pool_size: 2,
                };
                Ok(crate::vault::PgVault::open(&opts, &master)?)
            };
            let is_pg = is_pg_url;
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
            if verified as u64 != records {
                bail!("copied {records} records but {verified} verify");
            }
            outln!(
                "{}",
                serde_json::json!({"records": records, "verified": verified})
            )?;
        }
        VaultCommand::RotateKey(args) => {
            let r = open_vault(args, "vault rotate-key")?.rotate_key()?;
            outln!(
                "{}",
                serde_json::json!({"key_id": r.key_id, "re_encrypted": r.re_encrypted,
                    "patient_keys_rewrapped": r.subject_keys})
            )?;
        }
    }
    Ok(())
}

/// `vault forget`: resolves the patient (by key, by token, or both agreeing), forgets
/// them, and prints counts (never a value, a token or the patient key).
fn forget(args: &ForgetArgs, event: &mut crate::audit::Event) -> anyhow::Result<()> {
    let done = match args.vault.pg() {
        // `--vault postgres://…`: the shared vault of gateway replicas.
        Some(opts) => {
            let master = read_master_key(&args.vault.key_file)?;
            let v = crate::vault::PgVault::open(&opts, &master)?;
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
    outln!(
        "{}",
        serde_json::json!({"forgotten": done.records, "shared_kept": done.shared})
    )?;
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

/// `reveal --jsonl`: records revealed per audit commit (each commit waits for a disk write).
const REVEAL_CHUNK: usize = 256;
fn is_table_or_hl7(ct: Option<ContentType>) -> bool {
    matches!(
        ct,
        Some(ContentType::Hl7 | ContentType::Csv | ContentType::Tsv)
    )
}

/// Reveals one text by its content type: HL7 and tables value by value (so restored values
/// are escaped or quoted), a text that is an HL7 message as HL7, anything else as text.
fn reveal_as(
    text: &str,
    ct: Option<ContentType>,
    store: &dyn crate::transform::token::TokenStore,
    allow: &Allow,
    stats: &mut RevealStats,
) -> anyhow::Result<String> {
    let hl7 = crate::engine::nested::sniff(text) == crate::engine::nested::Shape::Hl7;
    Ok(match ct {
        Some(ContentType::Hl7) => reveal_hl7(text, store, allow, stats)?,
        Some(ContentType::Csv) => reveal_table(text, b',', store, allow, stats)?,
        Some(ContentType::Tsv) => reveal_table(text, b'\t', store, allow, stats)?,
        _ if hl7 => reveal_hl7(text, store, allow, stats)?,
        _ => reveal_text(text, store, allow, stats)?,
    })
}

fn reveal(args: &RevealArgs) -> anyhow::Result<ExitCode> {
    let master = read_master_key(&args.vault.key_file)?;
    let (vault, audit): (Box<dyn TokenStore>, CliAudit) = match args.vault.pg() {
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
    let input: Box<dyn Read> = match &args.file {
        Some(p) if p.as_os_str() != "-" => {
            Box::new(File::open(p).with_context(|| format!("opening {}", p.display()))?)
        }
        _ => Box::new(io::stdin().lock()),
    };
    let store = audit.recording(vault.as_ref(), Some(&allow));
    let forced = match &args.content_type {
        Some(ct) => Some(ct.parse::<ContentType>().map_err(anyhow::Error::msg)?),
        None => None,
    };
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
                *text = reveal_as(text, ct, &store, &allow, &mut stats)?;
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
        let trimmed = body.trim_start();
        let json = (trimmed.starts_with('{') || trimmed.starts_with('['))
            .then(|| serde_json::from_str::<serde_json::Value>(&body).ok())
            .flatten();
        match json {
            Some(mut v) if !is_table_or_hl7(forced) => {
                reveal_json(&mut v, &store, &allow, &mut stats)?;
                serde_json::to_writer(&mut held, &v)?;
            }
            _ => held.extend_from_slice(
                reveal_as(&body, forced, &store, &allow, &mut stats)?.as_bytes(),
            ),
        }
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

fn synth(seed: u64, count: usize, kind: Option<&str>) -> anyhow::Result<()> {
    let docs = match kind {
        None => crate::synth::generate(seed, count),
        Some("text") => crate::synth::text_notes(seed, count),
        Some("fhir") => crate::synth::fhir_bundles(seed, count),
        Some("json") => crate::synth::json_webhooks(seed, count),
        Some(other) => bail!("unknown kind `{other}` (text, fhir or json)"),
    };
    let mut out = BufWriter::new(io::stdout().lock());
    crate::synth::to_eval_jsonl(&docs, &mut out)?;
    out.flush()?;
    Ok(())
}

fn reload(config: Option<&Path>, admin: Option<std::net::SocketAddr>) -> anyhow::Result<ExitCode> {
    let admin = match (admin, config) {
        (Some(a), _) => a,
        (None, Some(path)) => crate::config::Config::load(path)?.admin.listen,
        (None, None) => bail!("--config or --admin is needed"),
    };
    let (ok, text) = crate::gateway::reload::request(admin)
        .with_context(|| format!("asking the admin listener {admin} to reload"))?;
    if ok {
        outln!("{}", text.trim_end())?;
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("phigate: {}", text.trim_end());
        Ok(ExitCode::from(1))
    }
}

fn serve(args: &ServeArgs) -> anyhow::Result<()> {
    let mut rt = tokio::runtime::Builder::new_multi_thread();
    rt.enable_all().thread_name("phigate");
    if let Some(n) = args.threads {
        rt.worker_threads(n.max(1));
    }
    let rt = rt.build().context("starting the async runtime")?;
    let result = rt.block_on(async {
        let config = if args.dev {
            let echo = crate::gateway::dev::start_echo().await?;
            crate::gateway::dev::prepare(&args.data_dir, args.listen, args.admin_listen, echo)?
        } else {
            let path = args.config.as_deref().context("--config or --dev is needed")?;
            crate::config::Config::load(path)?
        };
        init_logging(&config.log);
        check_key_permissions(&config.vault.key_file, args.allow_insecure_key_permissions)?;
        if args.dev && crate::gateway::dev::exposed(args.listen) {
            // Loud on purpose: the dev key is published in the README.
            tracing::warn!(listen = %args.listen, "dev mode on a non-loopback address");
            eprintln!(
                "phigate: WARNING: dev mode listening on {} (not loopback): anyone who can reach \
                 it can use the published dev key on the demo routes; the direct API is off. \
                 Never for real data.",
                args.listen
            );
        }
        let mut terminate = crate::gateway::server::Terminate::listen();
        let admin = crate::gateway::server::StartingAdmin::bind(config.admin.listen).await?;
        let Some(gw) = load_gateway(config, &mut terminate).await? else {
            return Ok(());
        };
        let admin = admin.into_listener().await?;
        if args.dev {
            eprintln!(
                "phigate: dev mode (data in {}; API key `{}`); try:\n  curl -sk https://localhost:{}/demo/webhook -H 'Authorization: Bearer {}' -H 'Content-Type: application/fhir+json' --data-binary @examples/fhir-bundle.json",
                args.data_dir.display(),
                crate::gateway::dev::DEV_API_KEY,
                args.listen.port(),
                crate::gateway::dev::DEV_API_KEY,
            );
        }
        // Dev mode's configuration is generated, so there is no file to reload.
        let source = if args.dev { None } else { args.config.clone() };
        crate::gateway::serve(gw, source, admin, terminate).await
    });
    // A connection attempt still under way when start-up was stopped is not waited for.
    rt.shutdown_timeout(std::time::Duration::from_secs(1));
    result
}

/// Loads the gateway; with a PostgreSQL vault that cannot be reached (down, refusing the
/// password), retries with backoff (1 s doubling to 30 s), logging why, while the admin
/// listener answers not ready. Other failures (a wrong master key, a bad file) end start-up.
/// `None` when stopped (SIGTERM) while waiting.
async fn load_gateway(
    config: crate::config::Config,
    terminate: &mut crate::gateway::server::Terminate,
) -> anyhow::Result<Option<crate::gateway::Gateway>> {
    let retries = config.vault.backend == crate::config::VaultBackend::Postgres;
    let mut wait = std::time::Duration::from_secs(1);
    let result = loop {
        let attempt = config.clone();
        // Opening the vault blocks on the network: off the runtime's workers.
        let load = tokio::task::spawn_blocking(move || crate::gateway::Gateway::load(attempt));
        let result = tokio::select! {
            r = load => r.context("start-up panicked")?,
            () = terminate.recv() => break Ok(None),
        };
        match result {
            Ok(gw) => break Ok(Some(gw)),
            Err(e) if retries && vault_unreachable(&e) => {
                tracing::error!(
                    error = %error_message(&e),
                    retry_in_s = wait.as_secs(),
                    "the PostgreSQL vault cannot be reached; not ready, retrying"
                );
                tokio::select! {
                    () = tokio::time::sleep(wait) => {}
                    () = terminate.recv() => break Ok(None),
                }
                wait = (wait * 2).min(std::time::Duration::from_secs(30));
            }
            Err(e) => break Err(e),
        }
    };
    result
}

/// Whether start-up failed because the vault's database could not be reached or refused
/// the connection (worth retrying), rather than for a reason waiting cannot fix.
fn vault_unreachable(e: &anyhow::Error) -> bool {
    use crate::vault::VaultError;
    e.chain().any(|c| {
        matches!(
            c.downcast_ref::<VaultError>(),
            Some(VaultError::Open { .. } | VaultError::Storage(_))
        )
    })
}

/// Logs go to standard error; `RUST_LOG` overrides the configured level.
fn init_logging(cfg: &crate::config::LogConfig) {
    use std::io::IsTerminal;
    use tracing_subscriber::EnvFilter;
    // rustls warns once per connection from clients that send an IP address as SNI
    // (wrk, curl to https://127.0.0.1): harmless, so only its errors are shown.
    let level = cfg.level.as_deref().unwrap_or("info");
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(format!("rustls=error,{level}")))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(io::stderr().is_terminal())
        .with_writer(io::stderr);
    let _ = match cfg.format {
        crate::config::LogFormat::Json => builder.json().try_init(),
        crate::config::LogFormat::Text => builder.try_init(),
    };
}

/// Vault administration is audited: the log is opened before the action (no log, no
/// action) and the outcome recorded after it.
fn with_vault_audit(
    command: &VaultCommand,
    action: impl FnOnce(&mut crate::audit::Event) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    use crate::audit::{Action, Event};
    if let VaultCommand::Migrate {
        from,
        to,
        key_file,
        audit_dir,
        ..
    } = command
    {
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
            (Some(d), _) => d.clone(),
            (None, Some(d)) => crate::audit::default_dir(Path::new(d)),
            (None, None) => bail!("--audit-dir is needed when neither side is a sled vault"),
        };
        let master = read_master_key(key_file)?;
        let (password_file, ca) = match command {
            VaultCommand::Migrate {
                password_file, ca, ..
            } => (password_file.clone(), ca.clone()),
            _ => (None, None),
        };
        let at = |end: &str| match end.strip_prefix("sled:") {
            Some(d) => WitnessAt::Sled(PathBuf::from(d)),
            None => WitnessAt::Pg(crate::vault::PgOptions {
                url: end.to_string(),
                password_file: password_file.clone(),
                ca: ca.clone(),
                pool_size: 1,
            }),
        };
        // The log's witness is in the source vault; once copied, the target holds it too,
        // so that a gateway on the target finds it.
        let log = open_admin_log(&dir, &master, Some(&at(from)))?;
        let mut event = Event::new(Action::VaultMigrate, "");
        let result = action(&mut event);
        event.outcome = if result.is_ok() { "ok" } else { "failed" }.into();
        event.caller = Some("cli".into());
        let kind = |s: &str| {
            if s.starts_with("sled:") {
                "sled"
            } else {
                "postgres"
            }
        };
        event.detail = Some(format!("{} to {}", kind(from), kind(to)));
        log.record(event)?;
        log.close()?;
        drop(log);
        if result.is_ok() {
            carry_witness(&dir, &master, &at(from), &at(to))
                .context("copying the audit log's witness to the target vault")?;
        }
        return result;
    }
    let (args, what, name) = match command {
        VaultCommand::Export { vault, .. } => (vault, Action::VaultExport, "vault export"),
        VaultCommand::Import { vault, .. } => (vault, Action::VaultImport, "vault import"),
        VaultCommand::RotateKey(args) => (args, Action::VaultRotateKey, "vault rotate-key"),
        VaultCommand::Forget(args) => (&args.vault, Action::VaultForget, "vault forget"),
        _ => return action(&mut Event::default()),
    };
    let master = read_master_key(&args.key_file)?;
    let is_url = args.vault.to_str().is_some_and(is_pg_url);
    if !(is_url && matches!(command, VaultCommand::Forget(_))) {
        // No vault, no audit directory beside it: refused before the log is opened.
        SledVault::check_existing(sled_dir(&args.vault, name)?)?;
    }
    let dir = match command {
        VaultCommand::Forget(ForgetArgs {
            audit_dir: Some(d), ..
        }) => d.clone(),
        _ if is_url => bail!("--audit-dir is needed with a PostgreSQL vault"),
        _ => crate::audit::default_dir(&args.vault),
    };
    let at = match command {
        VaultCommand::Forget(f) if is_url => {
            WitnessAt::Pg(f.vault.pg().context("--vault is not a PostgreSQL URL")?)
        }
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
    event.outcome = if result.is_ok() { "ok" } else { "failed" }.into();
    event.caller = Some("cli".into());
    log.record(event)?;
    log.close()?;
    result
}

/// A vault named on the command line, as the keeper of an audit log's witness.
enum WitnessAt {
    Sled(PathBuf),
    Pg(crate::vault::PgOptions),
}

/// The witness of the log in `log_dir` kept in the vault `at` (a PostgreSQL vault is
/// opened for it, which needs the master key).
fn witness_at(
    at: &WitnessAt,
    log_dir: &Path,
    master: Option<&MasterKey>,
) -> anyhow::Result<Box<dyn crate::audit::witness::Witness>> {
    Ok(match at {
        WitnessAt::Sled(dir) => Box::new(crate::audit::witness::FileWitness::in_vault(
            dir, log_dir,
        )),
        WitnessAt::Pg(opts) => Box::new(
            crate::vault::PgVault::open(
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

fn audit(command: &AuditCommand) -> anyhow::Result<ExitCode> {
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
            require_audit_dir(&log.dir)?;
            let keys = keys_for(log)?;
            let pin = pin
                .as_deref()
                .map(verify::parse_pin)
                .transpose()
                .map_err(|e| anyhow::anyhow!(e))?;
            let w = log_witness(log, witness)?
                .context("--vault is needed (the vault that keeps the witness)")?;
            let anchors = verify::Anchors {
                witness: None,
                pin: pin.as_ref(),
            };
            let report =
                match verify::verify_anchored(&log.dir, &verify::Trust::Keys(&keys), &anchors)? {
                    Ok(r) => r,
                    Err(p) => bail!("the log does not verify, so it is not anchored: {p}"),
                };
            let (Some(newest), Some(id)) = (
                report.newest,
                verify::log_id(&crate::audit::segments(&log.dir)?)?,
            ) else {
                bail!("the log has no checkpoint to anchor");
            };
            w.store(&id, &newest)?;
            outln!(
                "{}",
                serde_json::json!({"anchored": newest.seq, "witness": w.describe(), "pin": newest.line()})
            )?;
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
        } => {
            if !allow_empty {
                require_audit_dir(&log.dir)?;
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
            let witness = log_witness(log, witness)?;
            let anchors = verify::Anchors {
                witness: witness.as_deref(),
                pin: pin.as_ref(),
            };
            let mut dirs = vec![log.dir.clone()];
            let officer = log.dir.join("officer");
            if officer.is_dir() {
                dirs.push(officer);
            }
            for dir in dirs {
                // The witness and the pin are the main log's; the officer's log has neither.
                let result = if dir == log.dir {
                    verify::verify_anchored(&dir, &trust, &anchors)?
                } else {
                    verify::verify(&dir, &trust)?
                };
                let d = dir.display().to_string();
                match result {
                    Ok(r) if r.entries == 0 && !allow_empty && dir == log.dir => {
                        eprintln!(
                            "phigate: audit log {} holds no entries, so nothing is verified (--allow-empty when an empty log is expected)",
                            dir.display()
                        );
                        return Ok(ExitCode::from(1));
                    }
                    Ok(r) => {
                        let anchored = r.unanchored == 0 || *allow_unanchored;
                        outln!(
                            "{}",
                            serde_json::json!({"dir": d, "intact": anchored, "entries": r.entries,
                                "segments": r.segments, "checkpoints": r.checkpoints, "after_last_checkpoint": r.unanchored,
                                "witness": r.witness.as_str(), "pin": r.newest.as_ref().map(crate::audit::Checkpoint::line)})
                        )?;
                        if !anchored {
                            eprintln!(
                                "phigate: audit log {d}: {} entries after the newest checkpoint are not anchored by any signature (they could be removed unnoticed); --allow-unanchored accepts them (a live gateway checkpoints every second)",
                                r.unanchored
                            );
                            return Ok(ExitCode::from(1));
                        }
                    }
                    Err(p) => {
                        outln!(
                            "{}",
                            serde_json::json!({"dir": d, "intact": false,
                                "file": p.file.display().to_string(), "line": p.line, "entry": p.expected_seq, "reason": p.reason})
                        )?;
                        eprintln!("phigate: audit log tampered: {p}");
                        return Ok(ExitCode::from(1));
                    }
                }
            }
        }
        AuditCommand::Search {
            log,
            filter,
            identifier,
            ty,
        } => {
            let mut f = audit_filter(filter)?;
            require_audit_dir(&log.dir)?;
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
                record_officer_search(&log.dir, &master, &f.subjects)?;
            }
            let mut out = PipeWatch::new(io::stdout().lock());
            let result = query::export(&log.dir, &f, false, &mut out);
            out.check(result)?;
        }
        AuditCommand::Export {
            log,
            filter,
            format,
        } => {
            let f = audit_filter(filter)?;
            require_audit_dir(&log.dir)?;
            let mut out = PipeWatch::new(BufWriter::new(io::stdout().lock()));
            let result = query::export(&log.dir, &f, format == "csv", &mut out)
                .map(|_| ())
                .map_err(anyhow::Error::from)
                .and_then(|()| Ok(out.flush()?));
            out.check(result)?;
        }
        AuditCommand::Report {
            log,
            filter,
            format,
        } => {
            let f = audit_filter(filter)?;
            require_audit_dir(&log.dir)?;
            let s = query::summarize(&log.dir, &f)?;
            let text = if format == "html" {
                query::report_html(&s)
            } else {
                query::report_text(&s)
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
    log: &AuditLogArgs,
    args: &WitnessArgs,
) -> anyhow::Result<Option<Box<dyn crate::audit::witness::Witness>>> {
    let at = match &args.vault {
        Some(v) if v.to_str().is_some_and(is_pg_url) => {
            Some(WitnessAt::Pg(crate::vault::PgOptions {
                url: v.to_string_lossy().into_owned(),
                password_file: args.password_file.clone(),
                ca: args.ca.clone(),
                pool_size: 1,
            }))
        }
        Some(v) => {
            let dir = sled_dir(v, "audit --vault")?;
            SledVault::check_existing(dir)?;
            Some(WitnessAt::Sled(dir.to_path_buf()))
        }
        None => vault_beside(&log.dir).map(WitnessAt::Sled),
    };
    let master = log.key_file.as_deref().map(read_master_key).transpose()?;
    at.map(|a| witness_at(&a, &log.dir, master.as_ref()))
        .transpose()
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
/// or the gateway would refuse the log next time), otherwise in the officer's own chain
/// beside it (`DIR/officer`), verified the same way.
fn record_officer_search(
    dir: &Path,
    master: &MasterKey,
    subjects: &[String],
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
                Err(AuditError::Locked { .. }) => officer()?,
                Err(e) => return Err(e.into()),
            }
        }
    };
    let mut e = Event::new(Action::AuditSearch, "ok");
    e.caller = Some("officer".into());
    e.detail = Some("identifier".into());
    e.subjects = subjects.to_vec();
    log.record(e)?;
    log.close()?;
    Ok(())
}

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

fn claims(command: &ClaimsCommand) -> anyhow::Result<ExitCode> {
    use crate::claims::{Checker, ClaimReport};
    let args = match command {
        ClaimsCommand::Check(args) => args,
        ClaimsCommand::Evidence { dir, token } => return claim_evidence(dir, token),
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
