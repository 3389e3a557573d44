//! `phigate scan`: de-identify a file, standard input, or a stream of JSON lines.
//!
//! Owns the scan arguments, loading the engine and policy they name, the `--jsonl` pipeline
//! (a reader, worker threads, a writer that keeps input order), and the `--report` totals.
//! With a vault, a line's tokens are audited and durable before the line is written.

use std::io::{self, BufRead, BufReader, BufWriter, IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use serde::Deserialize;

use super::audited::CliAudit;
use super::progress::{self, Progress};
use super::{content_type_arg, error_message, json_category, open_input};
use crate::detect::Scratch;
use crate::engine::{ContentType, Engine, Output};
use crate::keys::{read_master_key, MasterKey};
use crate::patterns::Patterns;
use crate::phi::PhiType;
use crate::transform::token::{MemoryTokenStore, TokenStore};
use crate::transform::Transformer;
use crate::vault::SledVault;

#[derive(Args, Debug)]
pub struct ScanArgs {
    /// Input file; standard input when absent or `-`.
    pub file: Option<PathBuf>,
    /// Policy: safe-harbor (default), limited-data-set, reversible, or a policy file path.
    #[arg(long, default_value = "safe-harbor")]
    pub policy: String,
    /// Content type (text/plain, application/json, application/fhir+json,
    /// application/x-www-form-urlencoded, application/hl7-v2, text/csv,
    /// text/tab-separated-values, application/xml or application/cda+xml,
    /// application/edi-x12, text/calendar, text/vcard); inferred from the extension or
    /// content if absent.
    #[arg(long)]
    pub content_type: Option<String>,
    /// Read JSON lines {"id", "text", "content_type"?} and write one line per input:
    /// {"id", "text", "spans": [{"start", "end", "type"}]} (UTF-8 byte offsets), or
    /// {"id", "error": {"line", "reason"}} for a line that failed. Exit status 1, and a count
    /// on standard error, when any line failed. The id is the caller's label, copied as
    /// given so outputs join to inputs: use an opaque one (`note-0001`), never a patient's
    /// name, MRN or file name.
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
    /// Add the overlay files (`*.toml`: rules, allow-list words, field keys) of this
    /// directory on top of the rule files.
    #[arg(long)]
    pub patterns_d: Option<PathBuf>,
    /// Largest document accepted, in bytes.
    #[arg(long, default_value_t = 16 << 20)]
    pub max_bytes: usize,
    /// Deepest JSON nesting accepted.
    #[arg(long, default_value_t = 64)]
    pub max_depth: usize,
}

fn load_engine(args: &ScanArgs) -> anyhow::Result<Engine> {
    let patterns = match &args.patterns {
        Some(dir) => Patterns::from_dir(dir).context("reading rule files")?,
        None => Patterns::builtin(),
    };
    let patterns = match &args.patterns_d {
        Some(dir) => patterns
            .with_overlays(dir)
            .context("reading overlay files")?,
        None => patterns,
    };
    let mut engine = Engine::build(&patterns).context("loading rule files")?;
    engine.limits.max_bytes = args.max_bytes;
    engine.limits.max_depth = args.max_depth;
    Ok(engine)
}

pub(super) fn run(args: &ScanArgs) -> anyhow::Result<ExitCode> {
    let engine = load_engine(args)?;
    let policy = crate::config::load_policy(&engine, &args.policy)?;
    let master = match &args.key_file {
        Some(p) => read_master_key(p)?,
        None => {
            warn_of_a_run_key();
            MasterKey::generate()?
        }
    };
    // With a vault, what is tokenised is audited (in the vault's log) as the gateway audits it.
    let vault = match &args.vault {
        Some(dir) => {
            let dir = super::vault::sled_dir(dir, "scan --vault")?;
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
    // Date shifts derive from the vault's token root (a rotation carries it over).
    let root = match &vault {
        Some((v, _)) => v.token_root(),
        None => crate::keys::MasterKey::from_bytes(*master.as_bytes()),
    };
    let t = engine.transformer(&policy, store, &root);
    let forced = content_type_arg(args.content_type.as_deref())?;
    let input = open_input(args.file.as_deref())?;
    if args.jsonl {
        // Output lines on the same terminal would tear a bar apart: none then.
        let progress = (!io::stdout().is_terminal())
            .then(|| Progress::bytes("scan", progress::file_len(args.file.as_deref())));
        let input: Box<dyn Read> = match &progress {
            Some(p) => Box::new(p.reader(input)),
            None => input,
        };
        let threads = args
            .threads
            .unwrap_or_else(|| {
                std::thread::available_parallelism()
                    .map(|n| n.get())
                    .unwrap_or(1)
            })
            .clamp(1, 64);
        let totals = scan_jsonl(&engine, &t, forced, input, threads, audit)?;
        drop(progress);
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
        let size = progress::file_len(args.file.as_deref());
        // Held until its tokens are audited.
        let mut text = Vec::new();
        let code = scan_one(
            &engine,
            &t,
            forced,
            name.as_deref(),
            (input, size),
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

/// Without --key-file the tokens are this run's only; said to a person at a terminal (a
/// script's standard error stays as it was).
fn warn_of_a_run_key() {
    if io::stderr().is_terminal() {
        eprintln!(
            "phigate: no --key-file: a random key is used, so tokens differ on every run \
             (`phigate keygen --out FILE` makes a key to keep)"
        );
    }
}

#[allow(clippy::too_many_arguments)]
fn scan_one(
    engine: &Engine,
    t: &Transformer<'_>,
    forced: Option<ContentType>,
    name: Option<&str>,
    (input, size): (Box<dyn Read>, Option<u64>),
    out: &mut impl Write,
    scratch: &mut Scratch,
    totals: &mut Report,
) -> anyhow::Result<ExitCode> {
    let mut body = Vec::new();
    let limit = engine.limits.max_bytes;
    input
        .take(limit as u64 + 1)
        .read_to_end(&mut body)
        .context("reading input")?;
    if body.len() > limit {
        // Reading stopped one byte past the limit: the real size is the file's, if known.
        totals.errors += 1;
        let size = match size {
            Some(n) => format!("{n} bytes"),
            None => format!("more than {limit} bytes"),
        };
        eprintln!(
            "phigate: input is {size}, over the {limit}-byte limit (raise it with --max-bytes)"
        );
        return Ok(ExitCode::from(1));
    }
    let ct = forced.unwrap_or_else(|| ContentType::infer(name, &body));
    let progress = Progress::spinner("scan: de-identifying");
    let result = engine.deidentify(&body, ct, t, scratch);
    progress.finish();
    match result {
        Ok(o) => {
            out.write_all(o.text.as_bytes())?;
            totals.add(&o);
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            totals.errors += 1;
            eprintln!("phigate: {}", super::error_message(&e.into()));
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
        .map_err(|e| (rec.id.clone(), super::error_message(&e.into())))
}

/// One output line of `--jsonl`, written field by field in this order (the order the
/// records have always had) without building a `serde_json::Value` of it: no copy of the
/// text, no map per span.
#[derive(serde::Serialize)]
struct JsonlOut<'a> {
    id: &'a serde_json::Value,
    text: &'a str,
    spans: Vec<SpanOut>,
}

#[derive(serde::Serialize)]
struct SpanOut {
    start: usize,
    end: usize,
    #[serde(rename = "type")]
    ty: &'static str,
}

fn write_record(out: &mut impl Write, id: &serde_json::Value, o: &Output) -> io::Result<()> {
    let spans = o
        .spans
        .iter()
        .map(|s| SpanOut {
            start: s.start,
            end: s.end,
            ty: s.ty.as_str(),
        })
        .collect();
    let rec = JsonlOut {
        id,
        text: &o.text,
        spans,
    };
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
