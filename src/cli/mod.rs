//! The `phigate` command line.
//!
//! Owns argument parsing (clap), the dispatch to one module per command family ([`scan`],
//! [`reveal`], [`vault`], [`audit`], [`claims`] and [`remit`], [`serve`]), and mapping failures to
//! exit codes: 0 success, 1 a document or record failed, 2 unusable input or arguments,
//! 64 a bad rule, policy or config file, 141 standard output was closed early (`… | head`:
//! the status a shell reports for a process ended by SIGPIPE, as for `cat`; nothing is
//! printed). Key files are read and written by [`crate::keys::file`]; `serve` installs the
//! signal listener before start-up. Messages never contain input text.

/// `println!` that returns the write error instead of panicking on a closed pipe.
macro_rules! outln {
    ($($arg:tt)*) => {
        writeln!(std::io::stdout().lock(), $($arg)*)
    };
}

pub mod audit;
pub mod audited;
pub mod claims;
mod console;
mod progress;
pub mod remit;
pub mod reveal;
pub mod scan;
pub mod serve;
pub mod vault;

use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::{Parser, Subcommand};

use crate::engine::ContentType;

pub use audit::{AuditCommand, AuditFilterArgs, AuditLogArgs, WitnessArgs};
pub use claims::{ClaimsCheckArgs, ClaimsCommand};
pub use reveal::RevealArgs;
pub use scan::ScanArgs;
pub use serve::ServeArgs;
pub use vault::{ForgetArgs, PgArgs, VaultArgs, VaultCommand};

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
        /// Summary output: `text` (the default on a terminal) or `json` (the default when
        /// piped).
        #[arg(long, global = true, value_enum)]
        format: Option<Format>,
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
    /// Run only the officer's console (`[console]` of --config) over an audit log, e.g. a
    /// copy on an officer's workstation; page views go to the officer's log `DIR/officer`.
    Console(console::ConsoleArgs),
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
        /// `text` (the default on a terminal) or `json` (the default when piped).
        #[arg(long, value_enum)]
        format: Option<Format>,
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
    /// Scrub claims (FHIR R4 Claim, JSON claim, X12 837P/837I) before they go to the payer,
    /// and read payers' 835 remittances against them.
    Claims {
        #[command(subcommand)]
        command: ClaimsCommand,
    },
}

/// Standard output closed before everything was written (`phigate … | head`): 128 + SIGPIPE,
/// the status a shell shows for `cat` or `yes` in the same place. Rust ignores SIGPIPE, so a
/// write fails with `BrokenPipe` instead of killing the process; every write to standard
/// output goes through `?` (never `println!`, which panics) and ends up here.
const EXIT_BROKEN_PIPE: u8 = 141;

/// Runs the parsed command line.
pub fn run(cli: Cli) -> ExitCode {
    let result = match cli.command {
        Command::Scan(args) => scan::run(&args),
        Command::Keygen { out } => keygen(&out).map(|()| ExitCode::SUCCESS),
        Command::Reveal(args) => reveal::run(&args),
        Command::Vault { command, format } => {
            set_format(format);
            vault::run(&command).map(|()| ExitCode::SUCCESS)
        }
        Command::Audit { command } => audit::run(&command),
        Command::Serve(args) => serve::serve(&args).map(|()| ExitCode::SUCCESS),
        Command::Console(args) => console::run(&args).map(|()| ExitCode::SUCCESS),
        Command::Reload { config, admin } => serve::reload(config.as_deref(), admin),
        Command::CheckConfig {
            file,
            allow_insecure_key_permissions,
            format,
        } => {
            set_format(format);
            serve::check_config(&file, allow_insecure_key_permissions)
        }
        Command::Synth { seed, count, kind } => {
            synth(seed, count, kind.as_deref()).map(|()| ExitCode::SUCCESS)
        }
        Command::Claims { command } => claims::run(&command),
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
pub(super) fn error_message(e: &anyhow::Error) -> String {
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

/// How a command prints its summary (counts, verdicts): for a person or for a program.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
}

/// The `--format` of this run, set once by [`run`] (one command per process).
static FORMAT: std::sync::OnceLock<Option<Format>> = std::sync::OnceLock::new();

fn set_format(f: Option<Format>) {
    let _ = FORMAT.set(f);
}

/// The format in force: the one asked for, else text on a terminal and JSON when piped (a
/// script reading the output gets what it always got).
pub(super) fn output_format() -> Format {
    use std::io::IsTerminal;
    match FORMAT.get().copied().flatten() {
        Some(f) => f,
        None if io::stdout().is_terminal() => Format::Text,
        None => Format::Json,
    }
}

/// Prints a command's summary: one JSON line, or `key: value` lines for a person.
pub(crate) fn summary(v: &serde_json::Value) -> io::Result<()> {
    match output_format() {
        Format::Json => outln!("{v}"),
        Format::Text => outln!("{}", summary_text(v)),
    }
}

/// `key: value` lines (keys with spaces for underscores; strings unquoted; anything
/// nested as compact JSON).
fn summary_text(v: &serde_json::Value) -> String {
    let Some(obj) = v.as_object() else {
        return v.to_string();
    };
    let width = obj.keys().map(String::len).max().unwrap_or(0);
    let lines: Vec<String> = obj
        .iter()
        .map(|(k, v)| {
            let shown = match v {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Null => "-".to_string(),
                other => other.to_string(),
            };
            format!(
                "{:width$}  {shown}",
                format!("{}:", k.replace('_', " ")),
                width = width + 1
            )
        })
        .collect();
    lines.join("\n")
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
            || c.is::<crate::patterns::FileError>()
            || c.is::<crate::config::ConfigError>()
            || matches!(
                c.downcast_ref::<crate::config::PolicyLoadError>(),
                Some(crate::config::PolicyLoadError::Parse(_))
            )
    }) {
        64
    } else {
        2
    }
}

fn json_category(e: &serde_json::Error) -> &'static str {
    match e.classify() {
        serde_json::error::Category::Io => "read error",
        serde_json::error::Category::Syntax => "syntax error",
        serde_json::error::Category::Data => "missing or mistyped field (need id and text)",
        serde_json::error::Category::Eof => "unexpected end of line",
    }
}

/// The input a command reads: the file named, or standard input when none or `-`.
fn open_input(file: Option<&Path>) -> anyhow::Result<Box<dyn Read>> {
    Ok(match file {
        Some(p) if p.as_os_str() != "-" => {
            Box::new(File::open(p).with_context(|| format!("opening {}", p.display()))?)
        }
        _ => Box::new(io::stdin().lock()),
    })
}

/// `--content-type`, parsed once for the whole command.
fn content_type_arg(arg: Option<&str>) -> anyhow::Result<Option<ContentType>> {
    arg.map(|ct| ct.parse::<ContentType>().map_err(anyhow::Error::msg))
        .transpose()
}

fn keygen(out: &Path) -> anyhow::Result<()> {
    crate::keys::write_new_key(out)?;
    eprintln!(
        "phigate: wrote a new master key to {}; back it up: tokens cannot be revealed without it",
        out.display()
    );
    Ok(())
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
