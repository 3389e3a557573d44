//! The tamper-evident audit log: who tokenised or revealed what, when, through what.
//!
//! Owns the on-disk format and the writer. Each entry is one JSON line in a segment file
//! (`audit-<first seq>.jsonl`) carrying a sequence number, a time, the SHA-256 of the
//! previous line and a keyed MAC (the audit key from the vault's key hierarchy) over the
//! line without its MAC. Segments rotate by size or day; the chain continues across them.
//! At least every second while entries arrive (and on every sync and close) a thread of
//! its own ([`anchor`], off the requests' path) appends a checkpoint (the newest sequence
//! number and hash on disk, and the previous checkpoint's id) signed with an Ed25519 key
//! derived from the master key; its public key is what the
//! privacy officer hands an auditor (`phigate audit pubkey`). Each checkpoint is also
//! stored in a witness outside the log directory ([`witness`]), and a log is checked back
//! to its newest checkpoint and against the witness whenever it is opened for writing
//! ([`verify::recover`]): a log cut short or rolled back is refused.
//!
//! No PHI is ever written: events carry types, counts, tokens (which are keyed hashes),
//! routes, callers and outcomes. Writing happens on a dedicated thread fed by a bounded
//! queue. A request's events are durable before its body leaves: it waits for the fsync of
//! the batch they were written in ([`AuditLog::record_durable`], group commit), never for a
//! checkpoint. If writing fails the log reports itself unhealthy and the gateway fails
//! closed (or degrades, if configured). Entries on disk are also handed to the audit
//! devices ([`device`]: syslog over TLS, HTTPS collectors), whose full buffers fail closed
//! the same way. Several replicas' logs are read as one through [`replicas`].

mod anchor;
pub mod device;
pub mod disclosures;
pub mod query;
pub mod replicas;
pub mod verify;
pub mod witness;

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

use ring::{digest, hmac, signature};

use crate::transform::token::TAG_LEN;
use serde::{Deserialize, Serialize};

use crate::keys::{MasterKey, Purpose};
use witness::Witness;

/// Why the audit log cannot be used. Never carries event content.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("audit log {path}: {reason}")]
    Io { path: String, reason: String },
    #[error("audit log {path} is held by another process")]
    Locked { path: String },
    #[error("audit log is not writable (an earlier write failed); failing closed")]
    Unavailable,
    #[error("audit log queue is full; failing closed")]
    Full,
    #[error("audit device {device} is not keeping up (its buffer is full); failing closed")]
    DeviceFull { device: String },
    #[error(
        "audit log {path} does not verify ({reason}); nothing is written to it; run `phigate audit verify`"
    )]
    Damaged { path: String, reason: String },
}

fn io_err(path: &Path, e: impl std::fmt::Display) -> AuditError {
    AuditError::Io {
        path: path.display().to_string(),
        reason: e.to_string(),
    }
}

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Tokenize,
    Reveal,
    RevealRefused,
    Redact,
    ClaimDecision,
    AuthFailure,
    ConfigReload,
    VaultExport,
    VaultImport,
    VaultRotateKey,
    VaultForget,
    AuditSearch,
    RequestFailed,
    VaultMigrate,
    /// A payer's remittance read: counts of paid, denied and clean claims (no values).
    ClaimRemit,
    /// `POST /v1/analyze`: a document looked at, PHI counted, nothing tokenised.
    Analyze,
}

impl Action {
    pub const ALL: &'static [Action] = &[
        Action::Tokenize,
        Action::Reveal,
        Action::RevealRefused,
        Action::Redact,
        Action::ClaimDecision,
        Action::AuthFailure,
        Action::ConfigReload,
        Action::VaultExport,
        Action::VaultImport,
        Action::VaultRotateKey,
        Action::VaultForget,
        Action::AuditSearch,
        Action::RequestFailed,
        Action::VaultMigrate,
        Action::ClaimRemit,
        Action::Analyze,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Tokenize => "tokenize",
            Action::Reveal => "reveal",
            Action::RevealRefused => "reveal_refused",
            Action::Redact => "redact",
            Action::ClaimDecision => "claim_decision",
            Action::AuthFailure => "auth_failure",
            Action::ConfigReload => "config_reload",
            Action::VaultExport => "vault_export",
            Action::VaultImport => "vault_import",
            Action::VaultRotateKey => "vault_rotate_key",
            Action::VaultForget => "vault_forget",
            Action::AuditSearch => "audit_search",
            Action::RequestFailed => "request_failed",
            Action::VaultMigrate => "vault_migrate",
            Action::ClaimRemit => "claim_remit",
            Action::Analyze => "analyze",
        }
    }
}

impl std::str::FromStr for Action {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Action::ALL
            .iter()
            .copied()
            .find(|a| a.as_str() == s)
            .ok_or_else(|| format!("unknown action `{s}`"))
    }
}

/// One audited event. Every field is safe to store: no value of PHI appears here.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub action: Option<Action>,
    /// `ok`, `refused`, `failed`, or a short reason code.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub outcome: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caller: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// PHI found or revealed, per type name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub phi: BTreeMap<String, u64>,
    /// Tokens handed out or looked up (tokens are keyed hashes, not PHI).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tokens: Vec<String>,
    /// Keyed hashes of identifiers an officer may search by (see [`identifier_hash`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subjects: Vec<String>,
    /// Short fixed text (a finding code, a file name); never request content.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Where the data went: the route's upstream host (what an accounting of disclosures
    /// names as the recipient).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination: Option<String>,
    /// The client's network address (`ip:port`) for a gateway request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<String>,
    /// The SHA-256 fingerprint (hex) of the client certificate presented, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_cert: Option<String>,
    /// That certificate's subject (`CN=emr-prod,O=Clinic`): a system caller's name, issued
    /// by the operator's CA, never a patient's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_subject: Option<String>,
    /// The route's purpose of use (`treatment`, `payment`…), from its configuration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purpose: Option<String>,
    /// The operating-system user behind a command-line action (`alice`, or `alice (sudo
    /// by bob)`): who acted, where `caller` only says `cli` or `officer`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// The real user id of the command-line process: the kernel's word beside `user`,
    /// which is the environment's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<u32>,
}

impl Event {
    pub fn new(action: Action, outcome: &str) -> Event {
        Event {
            action: Some(action),
            outcome: outcome.to_string(),
            ..Event::default()
        }
    }
}

/// An entry as written: the event plus its place in the chain.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Entry {
    pub seq: u64,
    /// RFC 3339, UTC, microseconds.
    pub ts: String,
    /// SHA-256 (hex) of the previous entry's line; 64 zeros for the first.
    pub prev: String,
    pub event: Event,
}

/// A signed statement that the log held `seq` entries ending in `hash`, and (from v2 on)
/// that the checkpoint before it was `prev`: the checkpoints form a chain of their own, so
/// none can be taken out of the middle unnoticed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub seq: u64,
    pub hash: String,
    pub ts: String,
    /// The previous checkpoint's [`Checkpoint::id`] ([`GENESIS`] for a log's first). Absent
    /// in checkpoints written before checkpoints were chained (v1), which stay valid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prev: Option<String>,
    /// Ed25519 signature (hex) over [`Checkpoint::message`].
    pub sig: String,
}

impl Checkpoint {
    /// The signed bytes.
    pub fn message(&self) -> Vec<u8> {
        match &self.prev {
            None => checkpoint_message(self.seq, &self.hash, &self.ts),
            Some(prev) => format!(
                "phigate audit checkpoint v2\n{}\n{}\n{}\n{prev}",
                self.seq, self.hash, self.ts
            )
            .into_bytes(),
        }
    }

    /// What the next checkpoint names as its `prev`: the SHA-256 of the signed bytes.
    pub fn id(&self) -> String {
        sha256_hex(&self.message())
    }

    /// Whether the Ed25519 public key `public` signed it.
    pub fn signed_by(&self, public: &[u8]) -> bool {
        unhex(&self.sig).is_some_and(|sig| {
            signature::UnparsedPublicKey::new(&signature::ED25519, public)
                .verify(&self.message(), &sig)
                .is_ok()
        })
    }

    /// The checkpoint as one JSON line: what `checkpoints.jsonl` holds, what `audit verify`
    /// prints for an auditor to keep, and what `--pin` takes back.
    pub fn line(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";
const MAC_SUFFIX_LEN: usize = r#","mac":""}"#.len() + 64;
pub const CHECKPOINTS: &str = "checkpoints.jsonl";

/// The keys the log uses, derived from the master key.
pub struct AuditKeys {
    mac: hmac::Key,
    signing: signature::Ed25519KeyPair,
    /// Keyed hashes of identifiers (for searches by a plain identifier).
    identifiers: hmac::Key,
    /// Subject hashes of prepared values already hashed under `identifiers`.
    subjects: SubjectMemo,
}

/// How many subject hashes [`SubjectMemo`] keeps (about 100 bytes each); when full it
/// starts again empty, a bound on memory whatever the traffic.
const SUBJECT_MEMO_CAPACITY: usize = 32 * 1024;

/// The subject hashes of values prepared by a token minter, by the minter's id and the
/// whole keyed hash its first attempt came from ([`crate::transform::token::Prepared::minted_tag`]):
/// every FHIR webhook repeats its patient's name, MRN and phone, and each would otherwise
/// be hashed again per request. It holds keyed hashes only, never a value; it lives with the
/// key its hashes are made with, so it never outlives that key.
#[derive(Default)]
struct SubjectMemo {
    map: Mutex<SubjectHashes>,
}

/// (minter id, tag) → subject hash.
type SubjectHashes = rustc_hash::FxHashMap<(u64, [u8; TAG_LEN]), Box<str>>;

impl SubjectMemo {
    /// The subject hash remembered for a prepared value; a poisoned lock is a miss.
    fn get(&self, minter: u64, tag: &[u8; TAG_LEN]) -> Option<String> {
        let map = self.map.lock().ok()?;
        map.get(&(minter, *tag)).map(|h| h.to_string())
    }

    fn remember(&self, minter: u64, tag: &[u8; TAG_LEN], hash: &str) {
        let Ok(mut map) = self.map.lock() else {
            return;
        };
        if map.len() >= SUBJECT_MEMO_CAPACITY {
            map.clear();
        }
        map.insert((minter, *tag), hash.into());
    }
}

impl AuditKeys {
    pub fn derive(master: &MasterKey) -> Result<AuditKeys, AuditError> {
        let seed = master.derive(Purpose::Audit, "ed25519");
        let signing =
            signature::Ed25519KeyPair::from_seed_unchecked(seed.as_bytes()).map_err(|_| {
                AuditError::Io {
                    path: "-".into(),
                    reason: "could not derive the checkpoint signing key".into(),
                }
            })?;
        Ok(AuditKeys {
            mac: master.derive(Purpose::Audit, "mac").hmac(),
            signing,
            identifiers: master.derive(Purpose::Audit, "identifiers").hmac(),
            subjects: SubjectMemo::default(),
        })
    }

    /// The checkpoint public key (hex), for auditors.
    pub fn public_key_hex(&self) -> String {
        use signature::KeyPair as _;
        hex(self.signing.public_key().as_ref())
    }

    pub fn mac_hex(&self, body: &[u8]) -> String {
        hex(hmac::sign(&self.mac, body).as_ref())
    }

    pub fn verify_mac(&self, body: &[u8], mac_hex: &str) -> bool {
        unhex(mac_hex).is_some_and(|m| hmac::verify(&self.mac, body, &m).is_ok())
    }

    /// The searchable form of an identifier: a keyed hash of its type and normalised value.
    pub fn identifier_hash(&self, ty: &str, normalized: &str) -> String {
        let mut ctx = hmac::Context::with_key(&self.identifiers);
        ctx.update(ty.as_bytes());
        ctx.update(b"\0");
        ctx.update(normalized.as_bytes());
        hex(&ctx.sign().as_ref()[..16])
    }

    /// A new (v2) checkpoint of the head `seq`/`hash`, chained to the checkpoint `prev`.
    fn sign_checkpoint(&self, seq: u64, hash: &str, prev: &str) -> Checkpoint {
        let mut cp = Checkpoint {
            seq,
            hash: hash.to_string(),
            ts: now_rfc3339(),
            prev: Some(prev.to_string()),
            sig: String::new(),
        };
        cp.sig = hex(self.signing.sign(&cp.message()).as_ref());
        cp
    }

    /// The checkpoint public key (raw bytes).
    pub fn public_key(&self) -> Vec<u8> {
        use signature::KeyPair as _;
        self.signing.public_key().as_ref().to_vec()
    }
}

/// The signed bytes of a v1 (unchained) checkpoint.
pub fn checkpoint_message(seq: u64, hash: &str, ts: &str) -> Vec<u8> {
    format!("phigate audit checkpoint v1\n{seq}\n{hash}\n{ts}").into_bytes()
}

pub use crate::hex::{decode as unhex, encode as hex};

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(digest::digest(&digest::SHA256, bytes).as_ref())
}

/// The current time, RFC 3339 UTC with microseconds.
pub fn now_rfc3339() -> String {
    let now = time::OffsetDateTime::now_utc();
    let fmt = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z"
    );
    now.format(&fmt)
        .unwrap_or_else(|_| "1970-01-01T00:00:00.000000Z".into())
}

/// Splits a written line into the bytes its MAC covers and the MAC. The MAC covers the
/// line with `,"mac":"…"` removed, so verification needs no re-serialisation.
pub fn split_mac(line: &str) -> Option<(String, &str)> {
    if line.len() < MAC_SUFFIX_LEN + 2 || !line.ends_with("\"}") {
        return None;
    }
    let cut = line.len() - MAC_SUFFIX_LEN;
    let suffix = line.get(cut..)?;
    let mac = suffix.strip_prefix(r#","mac":""#)?.strip_suffix("\"}")?;
    let mut body = line.get(..cut)?.to_string();
    body.push('}');
    Some((body, mac))
}

/// Serialises an entry into its line (without the newline).
pub fn entry_line(keys: &AuditKeys, entry: &Entry) -> String {
    let body = serde_json::to_string(entry).unwrap_or_else(|_| "{}".into());
    let mac = keys.mac_hex(body.as_bytes());
    let mut line = body;
    line.pop();
    line.push_str(r#","mac":""#);
    line.push_str(&mac);
    line.push_str("\"}");
    line
}

/// Segment files of a log directory, oldest first.
pub fn segments(dir: &Path) -> Result<Vec<PathBuf>, AuditError> {
    let mut out = Vec::new();
    let rd = match std::fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(io_err(dir, e)),
    };
    for e in rd.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with("audit-") && name.ends_with(".jsonl") {
            out.push(e.path());
        }
    }
    out.sort();
    Ok(out)
}

fn segment_name(first_seq: u64) -> String {
    format!("audit-{first_seq:016}.jsonl")
}

/// Settings of the writer.
#[derive(Debug, Clone)]
pub struct Settings {
    pub max_segment_bytes: u64,
    pub queue: usize,
    /// On a write failure: stop accepting events (fail closed) or keep serving with an alarm.
    pub degrade: bool,
    /// Where every entry is forwarded once it is on disk ([`device`]).
    pub devices: Arc<device::Devices>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            max_segment_bytes: 64 << 20,
            queue: 65_536,
            degrade: false,
            devices: Arc::default(),
        }
    }
}

/// Where the chain stands.
#[derive(Clone)]
struct Head {
    seq: u64,
    hash: String,
}

enum Msg {
    Event(String, Box<Event>),
    /// Events whose sender waits until they are on disk (group commit: acknowledged after
    /// the fsync of the batch they were written in).
    Durable(String, Vec<Event>, DurableAck),
    /// Flush everything queued so far, checkpoint, then acknowledge.
    Sync(mpsc::Sender<Result<(), String>>),
}

type DurableAck = tokio::sync::oneshot::Sender<Result<(), String>>;

/// How long a request waits for its audit entries to be on disk before failing closed.
const DURABLE_WAIT: Duration = Duration::from_secs(10);

/// The writer's answer to durable events (its failure's text, without event content).
fn durable_result(r: Result<(), String>) -> Result<(), AuditError> {
    r.map_err(|reason| AuditError::Io {
        path: "-".into(),
        reason,
    })
}

/// The handle every component records through. Cheap to share.
pub struct AuditLog {
    tx: Mutex<Option<mpsc::SyncSender<Msg>>>,
    failed: Arc<AtomicBool>,
    /// The witness could not be written (its vault is unreachable): the log is unhealthy
    /// until a retry succeeds, since its newest entries are not witnessed meanwhile.
    witness_lagging: Arc<AtomicBool>,
    degrade: bool,
    written: Arc<AtomicU64>,
    /// fsyncs of the entries' segment files (group commit: one per batch), and checkpoints
    /// signed: metrics, to name the durable write's cost per request.
    fsyncs: Arc<AtomicU64>,
    checkpoints: Arc<AtomicU64>,
    dropped: AtomicU64,
    keys: Arc<AuditKeys>,
    worker: Mutex<Option<std::thread::JoinHandle<()>>>,
    devices: Arc<device::Devices>,
}

impl AuditLog {
    /// Opens (or creates) the log in `dir` with no witness (tests, benches, the officer's
    /// own log); see [`AuditLog::open_witnessed`].
    pub fn open(
        dir: &Path,
        master: &MasterKey,
        settings: Settings,
    ) -> Result<AuditLog, AuditError> {
        AuditLog::open_witnessed(dir, master, settings, None)
    }

    /// Opens (or creates) the log in `dir`, checks that it verifies back to its newest
    /// checkpoint and that this checkpoint is the witness's ([`verify::recover`]), and starts
    /// the writer thread, which stores every new checkpoint in the witness too. A log that
    /// does not verify is refused, as is a second process on the same directory.
    pub fn open_witnessed(
        dir: &Path,
        master: &MasterKey,
        settings: Settings,
        witness: Option<Box<dyn Witness>>,
    ) -> Result<AuditLog, AuditError> {
        std::fs::create_dir_all(dir).map_err(|e| io_err(dir, e))?;
        let lock_path = dir.join("lock");
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| io_err(&lock_path, e))?;
        if lock.try_lock().is_err() {
            return Err(AuditError::Locked {
                path: dir.display().to_string(),
            });
        }
        let keys = Arc::new(AuditKeys::derive(master)?);
        let found = verify::recover(dir, &keys, witness.as_deref())?;
        // A tail the writer left unanchored (it was stopped between fsync and checkpoint),
        // or a witness one checkpoint behind, is anchored before anything new is written.
        let catch_up = found.unanchored > 0
            || matches!(
                found.witness,
                verify::WitnessCheck::OneBehind | verify::WitnessCheck::AbsentOldLog
            ) && found.newest.is_some();
        let (tx, rx) = mpsc::sync_channel(settings.queue.max(1));
        let failed = Arc::new(AtomicBool::new(false));
        let witness_lagging = Arc::new(AtomicBool::new(false));
        let written = Arc::new(AtomicU64::new(0));
        let fsyncs = Arc::new(AtomicU64::new(0));
        let checkpoints = Arc::new(AtomicU64::new(0));
        let head = Head {
            seq: found.seq,
            hash: found.hash,
        };
        let mut anchorer = anchor::Anchorer {
            dir: dir.to_path_buf(),
            keys: Arc::clone(&keys),
            head: head.clone(),
            anchored: found.seq.saturating_sub(found.unanchored),
            last_checkpoint: std::time::Instant::now(),
            newest: found.newest,
            witness,
            log_id: None,
            witness_pending: false,
            witness_lagging: Arc::clone(&witness_lagging),
            checkpoints: Arc::clone(&checkpoints),
        };
        if catch_up {
            anchorer.checkpoint()?;
        }
        let (anchor_tx, anchor_rx) = mpsc::channel();
        let f1 = Arc::clone(&failed);
        let anchor_thread = std::thread::Builder::new()
            .name("phigate-audit-anchor".into())
            .spawn(move || anchorer.run(anchor_rx, &f1))
            .map_err(|e| io_err(dir, e))?;
        let mut writer = Writer {
            dir: dir.to_path_buf(),
            keys: Arc::clone(&keys),
            head,
            segment: None,
            max_segment_bytes: settings.max_segment_bytes,
            anchors: Some(anchor_tx),
            anchor_thread: Some(anchor_thread),
            fsyncs: Arc::clone(&fsyncs),
            devices: Arc::clone(&settings.devices),
            outbox: Vec::new(),
            _lock: lock,
        };
        let (f2, w2) = (Arc::clone(&failed), Arc::clone(&written));
        let worker = std::thread::Builder::new()
            .name("phigate-audit".into())
            .spawn(move || writer.run(rx, &f2, &w2))
            .map_err(|e| io_err(dir, e))?;
        Ok(AuditLog {
            tx: Mutex::new(Some(tx)),
            failed,
            witness_lagging,
            degrade: settings.degrade,
            written,
            fsyncs,
            checkpoints,
            dropped: AtomicU64::new(0),
            keys,
            worker: Mutex::new(Some(worker)),
            devices: settings.devices,
        })
    }

    pub fn keys(&self) -> &AuditKeys {
        &self.keys
    }

    /// Whether events are being written. False after a write failure.
    pub fn healthy(&self) -> bool {
        !self.failed.load(Ordering::SeqCst) && !self.witness_lagging.load(Ordering::SeqCst)
    }

    /// Whether a request may proceed: the log is healthy, or degraded mode is on; and every
    /// audit device that rejects has room in its buffer.
    pub fn admits(&self) -> bool {
        (self.healthy() || self.degrade) && self.devices.admit()
    }

    /// The audit devices entries are forwarded to (for their metrics).
    pub fn devices(&self) -> &device::Devices {
        &self.devices
    }

    pub fn written(&self) -> u64 {
        self.written.load(Ordering::Relaxed)
    }

    /// fsyncs of the log's entries so far (one per group-committed batch).
    pub fn fsyncs(&self) -> u64 {
        self.fsyncs.load(Ordering::Relaxed)
    }

    /// Checkpoints signed so far (each one more fsync of the checkpoint file, and the
    /// witness's writes, off the requests' path).
    pub fn checkpoints(&self) -> u64 {
        self.checkpoints.load(Ordering::Relaxed)
    }

    /// Events lost while degraded (written to the alarm metric).
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// Queues an event. Never blocks: a full queue or a failed writer is an error (the
    /// caller fails closed), except in degraded mode where the event is counted as lost.
    pub fn record(&self, event: Event) -> Result<(), AuditError> {
        let result = self.try_record(event);
        match result {
            Err(_) if self.degrade => {
                self.dropped.fetch_add(1, Ordering::Relaxed);
                tracing::error!("audit event lost (degraded mode)");
                Ok(())
            }
            other => other,
        }
    }

    fn try_record(&self, event: Event) -> Result<(), AuditError> {
        if !self.healthy() {
            return Err(AuditError::Unavailable);
        }
        let guard = self.tx.lock().map_err(|_| AuditError::Unavailable)?;
        let tx = guard.as_ref().ok_or(AuditError::Unavailable)?;
        tx.try_send(Msg::Event(now_rfc3339(), Box::new(event)))
            .map_err(|e| match e {
                mpsc::TrySendError::Full(_) => AuditError::Full,
                mpsc::TrySendError::Disconnected(_) => AuditError::Unavailable,
            })
    }

    /// Writes `events` and waits until they are on disk: what a request records before its
    /// body leaves (forwarded or answered). The writer batches concurrent requests' events
    /// into one fsync and acknowledges each (group commit). Never blocks a runtime thread;
    /// a full queue, a failed writer or no acknowledgement within 10 s is an error (the
    /// caller fails closed), except in degraded mode where the events are counted as lost.
    pub async fn record_durable(&self, events: Vec<Event>) -> Result<(), AuditError> {
        if events.is_empty() {
            return Ok(());
        }
        let n = events.len() as u64;
        let result = self.try_record_durable(events).await;
        match result {
            Err(_) if self.degrade => {
                self.dropped.fetch_add(n, Ordering::Relaxed);
                tracing::error!("audit events lost (degraded mode)");
                Ok(())
            }
            other => other,
        }
    }

    async fn try_record_durable(&self, events: Vec<Event>) -> Result<(), AuditError> {
        let ack = self.send_durable(events)?;
        match tokio::time::timeout(DURABLE_WAIT, ack).await {
            Ok(Ok(r)) => durable_result(r),
            _ => Err(AuditError::Unavailable),
        }
    }

    /// [`AuditLog::record_durable`] for a thread outside any async runtime (the command
    /// line): blocks until the events are on disk. Never degraded: a command fails instead.
    pub fn record_durable_blocking(&self, events: Vec<Event>) -> Result<(), AuditError> {
        if events.is_empty() {
            return Ok(());
        }
        let ack = self.send_durable(events)?;
        ack.blocking_recv()
            .map_err(|_| AuditError::Unavailable)
            .and_then(durable_result)
    }

    /// Queues events for the writer to acknowledge once they are on disk.
    fn send_durable(
        &self,
        events: Vec<Event>,
    ) -> Result<tokio::sync::oneshot::Receiver<Result<(), String>>, AuditError> {
        if !self.healthy() {
            return Err(AuditError::Unavailable);
        }
        let (ack_tx, ack_rx) = tokio::sync::oneshot::channel();
        let guard = self.tx.lock().map_err(|_| AuditError::Unavailable)?;
        let tx = guard.as_ref().ok_or(AuditError::Unavailable)?;
        tx.try_send(Msg::Durable(now_rfc3339(), events, ack_tx))
            .map_err(|e| match e {
                mpsc::TrySendError::Full(_) => AuditError::Full,
                mpsc::TrySendError::Disconnected(_) => AuditError::Unavailable,
            })?;
        Ok(ack_rx)
    }

    /// Waits until everything queued so far is on disk (and checkpointed).
    pub fn sync(&self) -> Result<(), AuditError> {
        let (ack_tx, ack_rx) = mpsc::channel();
        {
            let guard = self.tx.lock().map_err(|_| AuditError::Unavailable)?;
            let tx = guard.as_ref().ok_or(AuditError::Unavailable)?;
            tx.send(Msg::Sync(ack_tx))
                .map_err(|_| AuditError::Unavailable)?;
        }
        match ack_rx.recv_timeout(Duration::from_secs(30)) {
            Ok(Ok(())) => Ok(()),
            _ => Err(AuditError::Unavailable),
        }
    }

    /// Writes everything queued and stops the writer.
    pub fn close(&self) -> Result<(), AuditError> {
        let result = self.sync();
        if let Ok(mut tx) = self.tx.lock() {
            tx.take();
        }
        if let Some(w) = self.worker.lock().ok().and_then(|mut w| w.take()) {
            let _ = w.join();
            // The devices get a moment to deliver the last entries, then stop.
            self.devices.stop(Duration::from_secs(5));
        }
        result
    }
}

impl Drop for AuditLog {
    fn drop(&mut self) {
        let _ = self.close();
    }
}

struct Segment {
    file: BufWriter<File>,
    path: PathBuf,
    bytes: u64,
    day: String,
}

struct Writer {
    dir: PathBuf,
    keys: Arc<AuditKeys>,
    head: Head,
    segment: Option<Segment>,
    max_segment_bytes: u64,
    /// Where heads go once on disk, to be checkpointed ([`anchor`]); dropped, then joined,
    /// when the writer stops.
    anchors: Option<mpsc::Sender<anchor::Anchor>>,
    anchor_thread: Option<std::thread::JoinHandle<()>>,
    fsyncs: Arc<AtomicU64>,
    /// Where entries go once on disk, and the entries of the batch being written.
    devices: Arc<device::Devices>,
    outbox: Vec<device::Forwarded>,
    /// Held for the writer's life: one process per log directory.
    _lock: File,
}

/// A checkpoint is signed at least this often while entries arrive (and on every sync and
/// close), so a truncation can hide at most this much of the tail.
const CHECKPOINT_EVERY: Duration = Duration::from_secs(1);
const CHECKPOINT_ENTRIES: u64 = 10_000;

impl Writer {
    /// Group commit: takes every message already queued (up to 4,096 entries), writes
    /// them, makes them durable with one fsync, and answers every request among them;
    /// requests that arrive during that fsync queue up for the next one. Checkpoints are
    /// the anchoring thread's ([`anchor`]), handed each head once it is on disk.
    fn run(&mut self, rx: mpsc::Receiver<Msg>, failed: &AtomicBool, written: &AtomicU64) {
        while let Ok(first) = rx.recv() {
            let mut acks = Vec::new();
            let mut durable = Vec::new();
            let mut batch = 0usize;
            let mut result = self.handle(first, &mut acks, &mut durable, &mut batch);
            // Batch whatever else is already queued into the same fsync.
            while result.is_ok() && batch < 4096 {
                match rx.try_recv() {
                    Ok(m) => result = self.handle(m, &mut acks, &mut durable, &mut batch),
                    Err(_) => break,
                }
            }
            if result.is_ok() && (batch > 0 || !acks.is_empty()) {
                result = self.sync_segment();
            }
            // Entries on disk go to the devices; a `reject` device that cannot take them
            // fails the requests that wrote them, without failing the log itself.
            let outbox = std::mem::take(&mut self.outbox);
            let forwarded = match &result {
                Ok(()) => self.devices.offer(&outbox),
                Err(_) => Ok(()),
            };
            // Requests go on once their entries are on disk; signing a checkpoint and
            // writing the witness (a database, perhaps) happen after, off their path.
            for ack in durable {
                let answer = result.clone().and(forwarded.clone());
                let _ = ack.send(answer.map_err(|e| e.to_string()));
            }
            match &result {
                Ok(()) => {
                    written.fetch_add(batch as u64, Ordering::Relaxed);
                    self.anchor(batch, acks);
                }
                Err(e) => {
                    failed.store(true, Ordering::SeqCst);
                    tracing::error!(error = %e, "audit log write failed");
                    for ack in acks {
                        let _ = ack.send(Err(e.to_string()));
                    }
                }
            }
        }
        // The anchoring thread finishes what it was handed, then stops.
        self.anchors.take();
        if let Some(t) = self.anchor_thread.take() {
            let _ = t.join();
        }
    }

    /// Hands the head just made durable to the anchoring thread: a sync's acknowledgement
    /// goes with it, answered once the head is checkpointed. A sync whose anchoring thread
    /// is gone gets no answer, which its caller reads as a failure.
    fn anchor(&self, batch: usize, acks: Vec<mpsc::Sender<Result<(), String>>>) {
        let Some(anchors) = &self.anchors else {
            return;
        };
        if batch > 0 && acks.is_empty() {
            let _ = anchors.send(anchor::Anchor::Durable(self.head.clone()));
        }
        for ack in acks {
            let _ = anchors.send(anchor::Anchor::Now(self.head.clone(), ack));
        }
    }

    fn handle(
        &mut self,
        m: Msg,
        acks: &mut Vec<mpsc::Sender<Result<(), String>>>,
        durable: &mut Vec<DurableAck>,
        batch: &mut usize,
    ) -> Result<(), AuditError> {
        match m {
            Msg::Event(ts, event) => {
                self.append(ts, *event)?;
                *batch += 1;
            }
            Msg::Durable(ts, events, ack) => {
                // Acknowledged whatever happens: a failure is answered too.
                durable.push(ack);
                for event in events {
                    self.append(ts.clone(), event)?;
                    *batch += 1;
                }
            }
            Msg::Sync(ack) => acks.push(ack),
        }
        Ok(())
    }

    fn append(&mut self, ts: String, event: Event) -> Result<(), AuditError> {
        #[cfg(debug_assertions)]
        if injected_failure(self.head.seq) {
            return Err(io_err(
                &self.dir,
                "injected write failure (PHIGATE_FAULT_AUDIT_WRITES_AFTER)",
            ));
        }
        let day = ts.get(..10).unwrap_or("").to_string();
        let rotate = match &self.segment {
            None => true,
            Some(s) => s.bytes >= self.max_segment_bytes || s.day != day,
        };
        let seq = self.head.seq + 1;
        if rotate {
            self.open_segment(seq, day)?;
        }
        let entry = Entry {
            seq,
            ts,
            prev: std::mem::take(&mut self.head.hash),
            event,
        };
        let line = entry_line(&self.keys, &entry);
        let seg = self.segment.as_mut().ok_or(AuditError::Unavailable)?;
        seg.file
            .write_all(line.as_bytes())
            .and_then(|()| seg.file.write_all(b"\n"))
            .map_err(|e| io_err(&seg.path, e))?;
        seg.bytes += line.len() as u64 + 1;
        let hash = sha256_hex(line.as_bytes());
        if !self.devices.is_empty() {
            self.outbox.push(device::Forwarded {
                seq,
                hash: hash.clone(),
                ts: entry.ts,
                action: entry.event.action.map_or("-", Action::as_str),
                line,
            });
        }
        self.head = Head { seq, hash };
        Ok(())
    }

    fn open_segment(&mut self, first_seq: u64, day: String) -> Result<(), AuditError> {
        if let Some(mut old) = self.segment.take() {
            old.file.flush().map_err(|e| io_err(&old.path, e))?;
            old.file
                .get_ref()
                .sync_data()
                .map_err(|e| io_err(&old.path, e))?;
        }
        // Continue the newest segment after a restart if it is still today's and small.
        let existing = segments(&self.dir)?.pop();
        let (path, bytes) = match existing {
            Some(p) if self.segment_reusable(&p, &day) => {
                let len = std::fs::metadata(&p).map(|m| m.len()).unwrap_or(0);
                (p, len)
            }
            _ => (self.dir.join(segment_name(first_seq)), 0),
        };
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|e| io_err(&path, e))?;
        if bytes == 0 {
            sync_dir(&self.dir)?;
        }
        self.segment = Some(Segment {
            file: BufWriter::with_capacity(1 << 16, file),
            path,
            bytes,
            day,
        });
        Ok(())
    }

    fn segment_reusable(&self, path: &Path, day: &str) -> bool {
        let Ok(meta) = std::fs::metadata(path) else {
            return false;
        };
        if meta.len() >= self.max_segment_bytes {
            return false;
        }
        let modified_day = meta
            .modified()
            .ok()
            .map(|t| time::OffsetDateTime::from(t).date().to_string());
        modified_day.as_deref() == Some(day) || meta.len() == 0
    }

    /// Makes everything written to the current segment durable.
    fn sync_segment(&mut self) -> Result<(), AuditError> {
        if let Some(seg) = self.segment.as_mut() {
            seg.file.flush().map_err(|e| io_err(&seg.path, e))?;
            seg.file
                .get_ref()
                .sync_data()
                .map_err(|e| io_err(&seg.path, e))?;
            self.fsyncs.fetch_add(1, Ordering::Relaxed);
        }
        Ok(())
    }
}

impl Clone for AuditError {
    fn clone(&self) -> Self {
        match self {
            AuditError::Io { path, reason } => AuditError::Io {
                path: path.clone(),
                reason: reason.clone(),
            },
            AuditError::Locked { path } => AuditError::Locked { path: path.clone() },
            AuditError::Unavailable => AuditError::Unavailable,
            AuditError::Full => AuditError::Full,
            AuditError::DeviceFull { device } => AuditError::DeviceFull {
                device: device.clone(),
            },
            AuditError::Damaged { path, reason } => AuditError::Damaged {
                path: path.clone(),
                reason: reason.clone(),
            },
        }
    }
}

/// Fault injection for tests of the fail-closed path; compiled into debug builds only.
#[cfg(debug_assertions)]
fn injected_failure(written: u64) -> bool {
    std::env::var("PHIGATE_FAULT_AUDIT_WRITES_AFTER")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .is_some_and(|n| written >= n)
}

fn sync_dir(dir: &Path) -> Result<(), AuditError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| io_err(dir, e))
}

/// The searchable hash of a value of PHI type `ty`, normalised as the vault normalises it.
pub fn subject_hash(keys: &AuditKeys, ty: crate::phi::PhiType, value: &str) -> String {
    let norm = crate::transform::token::normalize(ty, value);
    keys.identifier_hash(ty.as_str(), &norm)
}

/// [`subject_hash`] of a value tokenised in a document's batch, reading its normalised
/// form from what its provisional token computed when there is one (the same hash, under
/// the audit's own key; only the normalisation is not done again).
///
/// A value a minter prepared is hashed once per audit key: its tag (the keyed hash of its
/// type, mode and token input) names it, and the hash is remembered under the tag.
pub fn prepared_subject_hash(keys: &AuditKeys, p: &crate::transform::token::Prepared) -> String {
    let Some((minter, tag)) = p.minted_tag() else {
        return subject_hash(keys, p.ty(), p.value());
    };
    if let Some(hash) = keys.subjects.get(minter, tag) {
        return hash;
    }
    let hash = match p.normalized() {
        Some(norm) => keys.identifier_hash(p.ty().as_str(), norm),
        None => subject_hash(keys, p.ty(), p.value()),
    };
    keys.subjects.remember(minter, tag, &hash);
    hash
}

/// The default audit directory: `<vault dir>-audit` beside the vault directory.
pub fn default_dir(vault_dir: &Path) -> PathBuf {
    let parent = vault_dir.parent().unwrap_or(Path::new("."));
    let name = vault_dir
        .file_name()
        .map(|n| format!("{}-audit", n.to_string_lossy()))
        .unwrap_or_else(|| "audit".into());
    parent.join(name)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used)]
    use super::*;

    #[test]
    fn a_prepared_values_subject_hash_is_its_subject_hash() {
        use crate::phi::PhiType;
        use crate::transform::token::{Prepared, TokenMinter};
        let master = MasterKey::from_bytes([6; 32]);
        let keys = AuditKeys::derive(&master).expect("keys");
        let minter = TokenMinter::new(&master, "");
        for (ty, value) in [
            (PhiType::Name, "Lopez, Maria"),
            (PhiType::Phone, "+1 (555) 013-4567"),
            (PhiType::Mrn, "mrx-55120"),
        ] {
            let want = subject_hash(&keys, ty, value);
            for exact in [false, true] {
                let p = minter.prepare(ty, value, exact);
                // Hashed, then answered from the memo.
                assert_eq!(prepared_subject_hash(&keys, &p), want);
                assert_eq!(prepared_subject_hash(&keys, &p), want);
            }
            let guessed = Prepared::guessed(ty, value, false, "X".into());
            assert_eq!(prepared_subject_hash(&keys, &guessed), want);
        }
        assert_ne!(
            subject_hash(&keys, PhiType::Name, "Maria Lopez"),
            subject_hash(&keys, PhiType::Name, "Ana Ruiz")
        );
        // Remembered hashes stay apart by value, and a value spelled another way that
        // normalises alike shares its hash.
        let prepared =
            |v: &str| prepared_subject_hash(&keys, &minter.prepare(PhiType::Name, v, false));
        assert_eq!(
            prepared("Ana Ruiz"),
            subject_hash(&keys, PhiType::Name, "Ana Ruiz")
        );
        assert_ne!(prepared("Ana Ruiz"), prepared("Maria Lopez"));
        assert_eq!(prepared("Maria Lopez"), prepared("Lopez, Maria"));
    }

    /// A log written before checkpoints were chained and witnessed: its v1 checkpoints
    /// (signed over the v1 message, no `prev`) are rewritten in place of the v2 ones.
    fn make_old_log(dir: &Path, master: &MasterKey, n: usize) {
        let log = AuditLog::open(dir, master, Settings::default()).expect("open");
        for _ in 0..n {
            log.record(Event::new(Action::Tokenize, "ok"))
                .expect("record");
        }
        log.close().expect("close");
        let keys = AuditKeys::derive(master).expect("keys");
        let cps = verify::read_checkpoints(dir).expect("checkpoints");
        let mut text = String::new();
        for cp in cps {
            let sig = hex(keys
                .signing
                .sign(&checkpoint_message(cp.seq, &cp.hash, &cp.ts))
                .as_ref());
            let old = Checkpoint {
                prev: None,
                sig,
                ..cp
            };
            text.push_str(&old.line());
            text.push('\n');
        }
        std::fs::write(dir.join(CHECKPOINTS), text).expect("write");
    }

    /// Verifies the log in `dir` with `master`'s audit keys against the vault's file witness.
    fn verify_with_file_witness(
        dir: &Path,
        vault: &Path,
        master: &MasterKey,
    ) -> Result<verify::Report, verify::Problem> {
        let keys = AuditKeys::derive(master).expect("keys");
        let w = witness::FileWitness::in_vault(vault, dir);
        let anchors = verify::Anchors {
            witness: Some(&w),
            pin: None,
        };
        verify::verify_anchored(dir, &verify::Trust::Keys(&keys), &anchors).expect("io")
    }

    #[test]
    fn a_log_written_before_witnesses_is_read_then_witnessed_from_its_next_checkpoint() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let (dir, vault) = (tmp.path().join("audit"), tmp.path().join("vault"));
        let master = MasterKey::from_bytes([3; 32]);
        make_old_log(&dir, &master, 5);
        let r = verify_with_file_witness(&dir, &vault, &master).expect("an old log verifies");
        assert_eq!(r.witness, verify::WitnessCheck::AbsentOldLog);
        assert!(r.newest.as_ref().is_some_and(|c| c.prev.is_none()));
        // Opening it with a witness anchors it at once: a chained checkpoint follows the
        // old ones, and the witness holds it.
        let log = AuditLog::open_witnessed(
            &dir,
            &master,
            Settings::default(),
            Some(Box::new(witness::FileWitness::in_vault(&vault, &dir))),
        )
        .expect("an old log opens");
        log.record(Event::new(Action::Reveal, "ok"))
            .expect("record");
        log.close().expect("close");
        let r = verify_with_file_witness(&dir, &vault, &master).expect("intact");
        assert_eq!((r.entries, r.witness), (6, verify::WitnessCheck::Current));
        // From now on a missing witness is an attack, not an old log.
        std::fs::remove_dir_all(vault.join(witness::WITNESS_DIR)).expect("rm");
        let p = verify_with_file_witness(&dir, &vault, &master).expect_err("no witness");
        assert!(p.reason.contains("no witness"), "{p}");
    }

    /// A witness whose `store` waits until the test opens its gate (a slow database, a
    /// disk busy with the checkpoint's fsyncs), and says when a store has begun.
    struct GatedWitness {
        inner: witness::FileWitness,
        gate: Arc<(Mutex<bool>, std::sync::Condvar)>,
        entered: Mutex<mpsc::Sender<()>>,
    }

    impl Witness for GatedWitness {
        fn describe(&self) -> String {
            self.inner.describe()
        }
        fn load(&self, log_id: &str) -> Result<Option<Checkpoint>, AuditError> {
            self.inner.load(log_id)
        }
        fn store(&self, log_id: &str, checkpoint: &Checkpoint) -> Result<(), AuditError> {
            if let Ok(tx) = self.entered.lock() {
                let _ = tx.send(());
            }
            let (open, cv) = &*self.gate;
            let mut open = open.lock().expect("gate");
            while !*open {
                open = cv.wait(open).expect("gate");
            }
            self.inner.store(log_id, checkpoint)
        }
        fn knows_location(&self) -> Result<bool, AuditError> {
            self.inner.knows_location()
        }
    }

    #[test]
    fn requests_are_made_durable_while_a_checkpoint_is_still_being_witnessed() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let (dir, vault) = (tmp.path().join("audit"), tmp.path().join("vault"));
        let master = MasterKey::from_bytes([5; 32]);
        let gate = Arc::new((Mutex::new(false), std::sync::Condvar::new()));
        let (entered_tx, entered) = mpsc::channel();
        let log = Arc::new(
            AuditLog::open_witnessed(
                &dir,
                &master,
                Settings::default(),
                Some(Box::new(GatedWitness {
                    inner: witness::FileWitness::in_vault(&vault, &dir),
                    gate: Arc::clone(&gate),
                    entered: Mutex::new(entered_tx),
                })),
            )
            .expect("open"),
        );
        log.record_durable_blocking(vec![Event::new(Action::Tokenize, "ok")])
            .expect("first request");
        // A sync asks for a checkpoint at once; its witness store waits at the gate.
        let syncing = {
            let log = Arc::clone(&log);
            std::thread::spawn(move || log.sync())
        };
        entered
            .recv_timeout(Duration::from_secs(60))
            .expect("the checkpoint reached its witness");
        // Meanwhile requests still get their entries on disk and their answer: the
        // checkpoint is not on their path. (The bound only stops a hang from hanging the
        // suite; before the anchoring thread these never returned while the gate was shut.)
        let (done_tx, done) = mpsc::channel();
        {
            let log = Arc::clone(&log);
            std::thread::spawn(move || {
                for i in 0..5 {
                    let mut e = Event::new(Action::Tokenize, "ok");
                    e.request_id = Some(format!("r{i}"));
                    let _ = done_tx.send(log.record_durable_blocking(vec![e]));
                }
            });
        }
        for _ in 0..5 {
            let answer = done
                .recv_timeout(Duration::from_secs(60))
                .expect("answered while the witness waits");
            assert!(answer.is_ok(), "{answer:?}");
        }
        assert!(log.fsyncs() >= 2, "each answer followed an fsync");
        assert!(
            !syncing.is_finished(),
            "the sync still waits for its checkpoint"
        );
        // The six entries are on disk, in the chain, before any checkpoint covers the last five.
        let on_disk: usize = segments(&dir)
            .expect("segments")
            .iter()
            .map(|p| std::fs::read_to_string(p).expect("read").lines().count())
            .sum();
        assert_eq!(on_disk, 6);
        {
            let (open, cv) = &*gate;
            *open.lock().expect("gate") = true;
            cv.notify_all();
        }
        syncing.join().expect("sync thread").expect("sync");
        log.sync().expect("a sync anchors the rest");
        log.close().expect("close");
        let r = verify_with_file_witness(&dir, &vault, &master).expect("the log verifies");
        assert_eq!((r.entries, r.witness), (6, verify::WitnessCheck::Current));
        let newest = verify::read_checkpoints(&dir).expect("checkpoints").pop();
        assert_eq!(
            newest.map(|c| c.seq),
            Some(6),
            "the last checkpoint covers all"
        );
    }

    #[test]
    fn a_witness_one_checkpoint_behind_is_a_crash_between_two_writes_and_is_caught_up() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let (dir, vault) = (tmp.path().join("audit"), tmp.path().join("vault"));
        let master = MasterKey::from_bytes([4; 32]);
        let open = || {
            AuditLog::open_witnessed(
                &dir,
                &master,
                Settings::default(),
                Some(Box::new(witness::FileWitness::in_vault(&vault, &dir))),
            )
        };
        let log = open().expect("open");
        log.record(Event::new(Action::Tokenize, "ok"))
            .expect("record");
        log.sync().expect("sync");
        let w = witness::FileWitness::in_vault(&vault, &dir);
        let id = verify::log_id(&segments(&dir).expect("segments"))
            .expect("read")
            .expect("id");
        let behind = w.load(&id).expect("load").expect("stored");
        log.record(Event::new(Action::Tokenize, "ok"))
            .expect("record");
        log.close().expect("close");
        // The process died after the checkpoint file, before the witness.
        w.store(&id, &behind).expect("store");
        let log = open().expect("a witness one behind is accepted");
        log.close().expect("close");
        let newest = verify::read_checkpoints(&dir).expect("cps").pop();
        assert_eq!(w.load(&id).expect("load"), newest, "caught up at start-up");
    }
}
