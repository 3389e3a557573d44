//! `phigate audit verify`: proves the log was not edited, cut short or rolled back, and
//! names the first bad entry; and the shorter check the writer runs when it opens a log.
//!
//! Checks, in order over every segment: each line parses and its MAC verifies (with the
//! master key) — an edit; sequence numbers run 1, 2, 3… with no gap or repeat — a deletion,
//! insertion or reordering; each line names the SHA-256 of the line before it — the same,
//! even when the attacker recomputed MACs. Then the checkpoints: each one's Ed25519
//! signature verifies, each names the checkpoint before it (a chain: none was removed from
//! the middle), and the entry each names is present with the hash it names — a rewritten
//! tail. Last, what the log alone cannot prove: that its end is the real end. The newest
//! checkpoint is compared with the witness kept in the vault ([`super::witness`]) and with a
//! checkpoint an auditor kept (`--pin`); entries after the newest checkpoint are reported as
//! unanchored, since nothing signed covers them. With only the public key (an auditor), MACs
//! are skipped and everything else is checked.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use super::witness::Witness;
use super::{
    io_err, segments, sha256_hex, split_mac, AuditError, AuditKeys, Checkpoint, Entry, CHECKPOINTS,
    GENESIS,
};

/// The first problem found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: PathBuf,
    /// 1-based line in `file`.
    pub line: usize,
    /// The sequence number expected at that place.
    pub expected_seq: u64,
    pub reason: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} line {} (entry {}): {}",
            self.file.display(),
            self.line,
            self.expected_seq,
            self.reason
        )
    }
}

/// How the log compares with its witness.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WitnessCheck {
    /// No witness was given.
    NotChecked,
    /// The witness holds the log's newest checkpoint.
    Current,
    /// The witness holds the checkpoint before the newest: the writer stores the witness
    /// just after the log's checkpoint file, and was stopped (or is running) in between.
    OneBehind,
    /// No witness, and no chained checkpoint in the log: a log written before witnesses
    /// were kept. Its end is trusted as found (and witnessed from the next checkpoint on).
    AbsentOldLog,
    /// An empty log where no log was witnessed before.
    NothingYet,
}

impl WitnessCheck {
    pub fn as_str(self) -> &'static str {
        match self {
            WitnessCheck::NotChecked => "not checked",
            WitnessCheck::Current => "matches",
            WitnessCheck::OneBehind => "one checkpoint behind (written after the log's)",
            WitnessCheck::AbsentOldLog => "none (the log predates witnesses)",
            WitnessCheck::NothingYet => "none (no entries yet)",
        }
    }
}

/// What a clean verification covered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub entries: u64,
    pub segments: usize,
    pub checkpoints: usize,
    /// Entries after the newest checkpoint (a tail a checkpoint does not yet cover).
    pub unanchored: u64,
    /// The newest checkpoint: what an auditor keeps to `--pin` a later verification to.
    pub newest: Option<Checkpoint>,
    pub witness: WitnessCheck,
}

/// How to check MACs and signatures.
pub enum Trust<'a> {
    /// The master key's audit keys: MACs and checkpoints.
    Keys(&'a AuditKeys),
    /// Only the checkpoint public key (hex).
    PublicKey(Vec<u8>),
}

impl Trust<'_> {
    fn public_key(&self) -> Vec<u8> {
        match self {
            Trust::Keys(k) => k.public_key(),
            Trust::PublicKey(p) => p.clone(),
        }
    }
}

/// What the log is compared with besides itself.
#[derive(Default)]
pub struct Anchors<'a> {
    /// The witness in the vault.
    pub witness: Option<&'a dyn Witness>,
    /// A checkpoint the auditor kept from an earlier verification.
    pub pin: Option<&'a Checkpoint>,
}

/// Checks entry lines in order: MAC, sequence number, link to the line before.
struct Chain<'a> {
    trust: &'a Trust<'a>,
    seq: u64,
    prev: String,
    /// The first line checked sets where the chain stands (the start-up check begins at
    /// the segment holding the newest checkpoint, not at entry 1).
    resume: bool,
}

impl<'a> Chain<'a> {
    fn from_genesis(trust: &'a Trust<'a>) -> Chain<'a> {
        Chain {
            trust,
            seq: 0,
            prev: GENESIS.to_string(),
            resume: false,
        }
    }

    /// Checks the next line: its hash, or why it is bad.
    fn check(&mut self, line: &[u8]) -> Result<String, String> {
        let line = std::str::from_utf8(line).map_err(|_| "not UTF-8".to_string())?;
        let (body, mac) =
            split_mac(line).ok_or_else(|| "no MAC: the line was cut or rewritten".to_string())?;
        if let Trust::Keys(keys) = self.trust {
            if !keys.verify_mac(body.as_bytes(), mac) {
                return Err("MAC does not verify: the entry was edited".into());
            }
        }
        let entry: Entry =
            serde_json::from_str(&body).map_err(|_| "not an audit entry".to_string())?;
        if self.resume {
            self.resume = false;
            self.seq = entry.seq.saturating_sub(1);
            self.prev.clone_from(&entry.prev);
        }
        if entry.seq != self.seq + 1 {
            return Err(format!(
                "sequence {} where {} was expected: entries were deleted, inserted or reordered",
                entry.seq,
                self.seq + 1
            ));
        }
        if entry.prev != self.prev {
            return Err(
                "does not chain to the entry before it: an entry was deleted, inserted or replaced"
                    .into(),
            );
        }
        self.seq = entry.seq;
        self.prev = sha256_hex(line.as_bytes());
        Ok(self.prev.clone())
    }
}

/// Where the walk over the entries ended.
struct Walked {
    /// Hashes of the entries asked for.
    hashes: HashMap<u64, String>,
    /// The last line read (file, 1-based line), for "the log ends here" problems.
    last_place: (PathBuf, usize),
    /// Whether the newest segment ends in a complete line.
    complete: bool,
}

/// Walks the segments `segs` through `chain`, keeping the hashes of the entries in `wanted`.
fn walk(
    segs: &[PathBuf],
    chain: &mut Chain<'_>,
    wanted: &HashSet<u64>,
    start: (PathBuf, usize),
) -> Result<Result<Walked, Problem>, AuditError> {
    let mut walked = Walked {
        hashes: HashMap::new(),
        last_place: start,
        complete: true,
    };
    for path in segs {
        let f = std::fs::File::open(path).map_err(|e| io_err(path, e))?;
        let reader = BufReader::with_capacity(1 << 20, f);
        for (i, line) in reader.split(b'\n').enumerate() {
            let line = line.map_err(|e| io_err(path, e))?;
            if line.is_empty() {
                continue;
            }
            match chain.check(&line) {
                Ok(hash) => {
                    if wanted.contains(&chain.seq) {
                        walked.hashes.insert(chain.seq, hash);
                    }
                    walked.last_place = (path.clone(), i + 1);
                }
                Err(reason) => {
                    return Ok(Err(Problem {
                        file: path.clone(),
                        line: i + 1,
                        expected_seq: chain.seq + 1,
                        reason,
                    }))
                }
            }
        }
    }
    if let Some(last) = segs.last() {
        let len = std::fs::metadata(last).map_err(|e| io_err(last, e))?.len();
        walked.complete = len == 0 || ends_with_newline(last, len)?;
    }
    Ok(Ok(walked))
}

fn ends_with_newline(path: &Path, len: u64) -> Result<bool, AuditError> {
    use std::io::{Read, Seek, SeekFrom};
    let mut f = std::fs::File::open(path).map_err(|e| io_err(path, e))?;
    f.seek(SeekFrom::Start(len - 1))
        .map_err(|e| io_err(path, e))?;
    let mut b = [0u8; 1];
    f.read_exact(&mut b).map_err(|e| io_err(path, e))?;
    Ok(b[0] == b'\n')
}

/// Which checkpoint signatures to check: all (`audit verify`), or the newest (start-up,
/// where the links alone tie the older ones to it and a year of signatures would be slow).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Signatures {
    All,
    NewestOnly,
}

/// Checks the checkpoints' signatures and their chain; the index of the first bad one.
fn check_checkpoints(
    cps: &[Checkpoint],
    public: &[u8],
    signatures: Signatures,
) -> Result<(), (usize, String)> {
    let mut chained = false;
    for (n, cp) in cps.iter().enumerate() {
        let check_sig = signatures == Signatures::All || n + 1 == cps.len();
        if check_sig && !cp.signed_by(public) {
            return Err((n, "checkpoint signature does not verify".into()));
        }
        let before = n.checked_sub(1).and_then(|i| cps.get(i));
        if before.is_some_and(|b| b.seq > cp.seq) {
            return Err((n, "checkpoints out of order".into()));
        }
        match &cp.prev {
            Some(prev) => {
                let expected = before.map_or_else(|| GENESIS.to_string(), Checkpoint::id);
                if *prev != expected {
                    return Err((
                        n,
                        "does not chain to the checkpoint before it: checkpoints were removed, inserted or replaced".into(),
                    ));
                }
                chained = true;
            }
            None if chained => {
                return Err((
                    n,
                    "an unchained (v1) checkpoint after chained ones: checkpoints were replaced"
                        .into(),
                ))
            }
            None => {}
        }
    }
    Ok(())
}

/// Compares the log's checkpoints (already checked) with the witness's; `end` is the log's
/// last entry. The error names what was done to the log.
fn compare_witness(
    cps: &[Checkpoint],
    held: Option<&Checkpoint>,
    public: &[u8],
    end: u64,
) -> Result<WitnessCheck, String> {
    let Some(w) = held else {
        if cps.iter().any(|c| c.prev.is_some()) {
            return Err("the vault holds no witness for this log, but the log was written while witnesses were kept: the witness was deleted, or this is not the log's vault (or its directory moved)".into());
        }
        return Ok(WitnessCheck::AbsentOldLog);
    };
    if !w.signed_by(public) {
        return Err("the witness's signature does not verify".into());
    }
    let newest = cps.last();
    if newest == Some(w) {
        return Ok(WitnessCheck::Current);
    }
    if newest.and_then(|n| n.prev.as_deref()) == Some(w.id().as_str()) {
        return Ok(WitnessCheck::OneBehind);
    }
    if w.seq > end {
        return Err(format!(
            "the log ends at entry {end} but the vault's witness holds a signed checkpoint of entry {}: the log was cut short",
            w.seq
        ));
    }
    if !cps.contains(w) {
        return Err(format!(
            "the log's checkpoints do not include the one the vault's witness holds (entry {}): the log was rolled back to an older copy, or its newest checkpoints were removed",
            w.seq
        ));
    }
    Err(format!(
        "the vault's witness (entry {}) is older than the log's newest checkpoint (entry {}): the vault was rolled back to an older copy; re-anchor it with `phigate audit anchor` after verifying the log against a pinned checkpoint",
        w.seq,
        newest.map_or(0, |n| n.seq)
    ))
}

/// Looks the log up in the witness (by `log_id`, the hash of its first entry; `None` for an
/// empty log) and compares; the inner error names what was done to the log.
fn check_witness(
    w: &dyn Witness,
    cps: &[Checkpoint],
    log_id: Option<&str>,
    public: &[u8],
    end: u64,
) -> Result<Result<WitnessCheck, String>, AuditError> {
    let Some(id) = log_id else {
        if w.knows_location()? {
            return Ok(Err("the log is empty, but the vault witnessed a log in this directory: the log was deleted".into()));
        }
        return Ok(Ok(WitnessCheck::NothingYet));
    };
    Ok(compare_witness(cps, w.load(id)?.as_ref(), public, end))
}

/// The log's id: the SHA-256 of its first entry's line; `None` while it has none.
pub fn log_id(segs: &[PathBuf]) -> Result<Option<String>, AuditError> {
    for path in segs {
        let f = std::fs::File::open(path).map_err(|e| io_err(path, e))?;
        for line in BufReader::new(f).split(b'\n') {
            let line = line.map_err(|e| io_err(path, e))?;
            if !line.is_empty() {
                return Ok(Some(sha256_hex(&line)));
            }
        }
    }
    Ok(None)
}

/// Checks the pinned checkpoint against the log; `hashes` has the entry it names.
fn check_pin(
    pin: &Checkpoint,
    cps: &[Checkpoint],
    hashes: &HashMap<u64, String>,
    public: &[u8],
    end: u64,
) -> Result<(), String> {
    if !pin.signed_by(public) {
        return Err("the pinned checkpoint's signature does not verify with this key".into());
    }
    if pin.seq > end {
        return Err(format!(
            "the log ends at entry {end} but the pinned checkpoint covers entry {}: the log was cut short",
            pin.seq
        ));
    }
    if hashes.get(&pin.seq) != Some(&pin.hash) {
        return Err(format!(
            "entry {} differs from the one the pinned checkpoint signed: the log was rewritten",
            pin.seq
        ));
    }
    if pin.prev.is_some() && !cps.contains(pin) {
        return Err("the log's checkpoints no longer include the pinned checkpoint: they were rolled back or rewritten".into());
    }
    Ok(())
}

/// Verifies the whole log, checking only what the log itself holds.
pub fn verify(dir: &Path, trust: &Trust<'_>) -> Result<Result<Report, Problem>, AuditError> {
    verify_anchored(dir, trust, &Anchors::default())
}

/// Verifies the whole log, and compares its end with the witness and a pinned checkpoint.
pub fn verify_anchored(
    dir: &Path,
    trust: &Trust<'_>,
    anchors: &Anchors<'_>,
) -> Result<Result<Report, Problem>, AuditError> {
    let segs = segments(dir)?;
    let checkpoints = read_checkpoints(dir)?;
    let public = trust.public_key();
    let cp_file = dir.join(CHECKPOINTS);
    let at_checkpoint = |n: usize, reason: String| Problem {
        file: cp_file.clone(),
        line: n + 1,
        expected_seq: checkpoints.get(n).map_or(0, |c| c.seq),
        reason,
    };
    // Hashes are kept only where a checkpoint points, so memory stays flat at any size.
    let mut wanted: HashSet<u64> = checkpoints.iter().map(|c| c.seq).collect();
    if let Some(pin) = anchors.pin {
        wanted.insert(pin.seq);
    }
    let mut chain = Chain::from_genesis(trust);
    let walked = match walk(&segs, &mut chain, &wanted, (cp_file.clone(), 0))? {
        Ok(w) => w,
        Err(p) => return Ok(Err(p)),
    };
    let end = chain.seq;
    let ends_here = |reason: String| Problem {
        file: walked.last_place.0.clone(),
        line: walked.last_place.1 + 1,
        expected_seq: end + 1,
        reason,
    };
    if let Err((n, reason)) = check_checkpoints(&checkpoints, &public, Signatures::All) {
        return Ok(Err(at_checkpoint(n, reason)));
    }
    for (n, cp) in checkpoints.iter().enumerate() {
        match walked.hashes.get(&cp.seq) {
            Some(h) if *h == cp.hash => {}
            Some(_) => {
                return Ok(Err(at_checkpoint(
                    n,
                    format!("entry {} differs from the one the checkpoint signed", cp.seq),
                )))
            }
            None if cp.seq > end => {
                return Ok(Err(ends_here(format!(
                    "the log ends at entry {end} but a signed checkpoint covers entry {}: the log was truncated",
                    cp.seq
                ))))
            }
            None if cp.seq == 0 => {}
            None => {
                return Ok(Err(at_checkpoint(
                    n,
                    format!("entry {} named by a checkpoint is missing", cp.seq),
                )))
            }
        }
    }
    let witness = match anchors.witness {
        None => WitnessCheck::NotChecked,
        Some(w) => match check_witness(w, &checkpoints, log_id(&segs)?.as_deref(), &public, end)? {
            Ok(state) => state,
            Err(reason) => {
                return Ok(Err(Problem {
                    file: PathBuf::from(w.describe()),
                    line: 1,
                    expected_seq: end + 1,
                    reason,
                }))
            }
        },
    };
    if let Some(pin) = anchors.pin {
        if let Err(reason) = check_pin(pin, &checkpoints, &walked.hashes, &public, end) {
            return Ok(Err(ends_here(reason)));
        }
    }
    let newest = checkpoints.last().cloned();
    Ok(Ok(Report {
        entries: end,
        segments: segs.len(),
        checkpoints: checkpoints.len(),
        unanchored: end - newest.as_ref().map_or(0, |c| c.seq.min(end)),
        newest,
        witness,
    }))
}

/// Where the chain stands when the writer opens a log.
#[derive(Debug)]
pub struct Recovered {
    pub seq: u64,
    pub hash: String,
    /// The log's newest checkpoint (the next one chains to it).
    pub newest: Option<Checkpoint>,
    /// Entries after it (written, but not yet checkpointed when the writer stopped).
    pub unanchored: u64,
    pub witness: WitnessCheck,
}

/// The start-up check: the log verifies back to its newest checkpoint (that checkpoint's
/// signature, the chain of checkpoints, every entry from the segment holding it to the end,
/// with MACs) and its newest checkpoint is the witness's. Errors name what is wrong, as
/// [`AuditError::Damaged`]; the writer refuses such a log.
pub fn recover(
    dir: &Path,
    keys: &AuditKeys,
    witness: Option<&dyn Witness>,
) -> Result<Recovered, AuditError> {
    let cp_file = dir.join(CHECKPOINTS);
    let damaged = |path: &Path, reason: String| AuditError::Damaged {
        path: path.display().to_string(),
        reason,
    };
    let checkpoints = read_checkpoints(dir)?;
    let trust = Trust::Keys(keys);
    let public = keys.public_key();
    check_checkpoints(&checkpoints, &public, Signatures::NewestOnly).map_err(|(n, reason)| {
        damaged(&cp_file, format!("checkpoint on line {}: {reason}", n + 1))
    })?;
    let newest = checkpoints.last().cloned();
    let segs = segments(dir)?;
    // From the segment holding the newest checkpoint's entry (names carry first sequence
    // numbers) to the end; everything when there is no checkpoint yet.
    let from = match &newest {
        None => 0,
        Some(cp) => {
            let mut from = 0;
            for (i, p) in segs.iter().enumerate() {
                match segment_first_seq(p) {
                    Some(first) if first <= cp.seq => from = i,
                    Some(_) => break,
                    None => return Err(damaged(p, "not a segment name".into())),
                }
            }
            from
        }
    };
    let tail = segs.get(from..).unwrap_or_default();
    let mut chain = Chain::from_genesis(&trust);
    chain.resume = from > 0;
    let wanted: HashSet<u64> = newest.iter().map(|c| c.seq).collect();
    let walked = walk(tail, &mut chain, &wanted, (cp_file.clone(), 0))?.map_err(|p| {
        damaged(
            &p.file,
            format!("line {} (entry {}): {}", p.line, p.expected_seq, p.reason),
        )
    })?;
    if !walked.complete {
        let last = tail.last().map_or(cp_file.clone(), Clone::clone);
        return Err(damaged(
            &last,
            "the last line is incomplete (a crash mid-write, or truncation)".into(),
        ));
    }
    let end = chain.seq;
    if let Some(cp) = &newest {
        match walked.hashes.get(&cp.seq) {
            Some(h) if *h == cp.hash => {}
            Some(_) => return Err(damaged(&cp_file, format!("entry {} differs from the one the newest checkpoint signed", cp.seq))),
            None => return Err(damaged(&cp_file, format!("the log ends at entry {end} but its newest checkpoint covers entry {}: the log was cut short", cp.seq))),
        }
    }
    let witness_state = match witness {
        None => WitnessCheck::NotChecked,
        Some(w) => check_witness(w, &checkpoints, log_id(&segs)?.as_deref(), &public, end)?
            .map_err(|reason| damaged(dir, format!("{reason}; witness {}", w.describe())))?,
    };
    Ok(Recovered {
        seq: end,
        hash: if end == 0 {
            GENESIS.to_string()
        } else {
            chain.prev
        },
        unanchored: end - newest.as_ref().map_or(0, |c| c.seq),
        newest,
        witness: witness_state,
    })
}

/// The first sequence number a segment's name carries (`audit-<first seq>.jsonl`).
fn segment_first_seq(path: &Path) -> Option<u64> {
    let name = path.file_name()?.to_str()?;
    name.strip_prefix("audit-")?
        .strip_suffix(".jsonl")?
        .parse()
        .ok()
}

pub fn read_checkpoints(dir: &Path) -> Result<Vec<Checkpoint>, AuditError> {
    let path = dir.join(CHECKPOINTS);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io_err(&path, e)),
    };
    let mut out = Vec::new();
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let complete = text.ends_with('\n');
    for (i, line) in lines.iter().enumerate() {
        match serde_json::from_str(line) {
            Ok(cp) => out.push(cp),
            // A last checkpoint cut by a crash mid-write is ignored.
            Err(_) if i + 1 == lines.len() && !complete => {}
            // An invalid one elsewhere fails its signature check.
            Err(_) => out.push(Checkpoint {
                seq: 0,
                hash: String::new(),
                ts: String::new(),
                prev: None,
                sig: String::new(),
            }),
        }
    }
    Ok(out)
}

/// Reads a checkpoint an auditor kept: the JSON line itself, or a file holding it.
pub fn parse_pin(arg: &str) -> Result<Checkpoint, String> {
    let text = if arg.trim_start().starts_with('{') {
        arg.to_string()
    } else {
        std::fs::read_to_string(arg)
            .map_err(|e| format!("reading the pinned checkpoint {arg}: {e}"))?
    };
    serde_json::from_str(text.trim())
        .map_err(|_| "the pinned checkpoint is not a checkpoint line (copy the `pin` field `audit verify` prints)".into())
}
