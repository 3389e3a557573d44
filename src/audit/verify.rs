//! `phigate audit verify`: proves the log was not edited, and names the first bad entry.
//!
//! Checks, in order over every segment: each line parses and its MAC verifies (with the
//! master key) — an edit; sequence numbers run 1, 2, 3… with no gap or repeat — a deletion,
//! insertion or reordering; each line names the SHA-256 of the line before it — the same,
//! even when the attacker recomputed MACs; each checkpoint's Ed25519 signature verifies and
//! the entry it names is present with the hash it names — a truncation or a rewritten tail.
//! With only the public key (an auditor), MACs are skipped and everything else is checked.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use ring::signature;

use super::{
    checkpoint_message, segments, sha256_hex, split_mac, unhex, AuditError, AuditKeys, Checkpoint,
    Entry, CHECKPOINTS, GENESIS,
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

/// What a clean verification covered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub entries: u64,
    pub segments: usize,
    pub checkpoints: usize,
    /// Entries after the newest checkpoint (a tail a checkpoint does not yet cover).
    pub unanchored: u64,
}

/// How to check MACs and signatures.
pub enum Trust<'a> {
    /// The master key's audit keys: MACs and checkpoints.
    Keys(&'a AuditKeys),
    /// Only the checkpoint public key (hex).
    PublicKey(Vec<u8>),
}

pub fn verify(dir: &Path, trust: &Trust<'_>) -> Result<Result<Report, Problem>, AuditError> {
    let segs = segments(dir)?;
    let checkpoints = read_checkpoints(dir)?;
    // Hashes are kept only where a checkpoint points, so memory stays flat at any size.
    let wanted: std::collections::HashSet<u64> = checkpoints.iter().map(|c| c.seq).collect();
    let mut seq = 0u64;
    let mut prev = GENESIS.to_string();
    let mut hashes: HashMap<u64, String> = HashMap::new();
    let mut last_place = (dir.join(CHECKPOINTS), 0usize);
    for path in &segs {
        let f = std::fs::File::open(path).map_err(|e| super::io_err(path, e))?;
        let reader = BufReader::with_capacity(1 << 20, f);
        for (i, line) in reader.split(b'\n').enumerate() {
            let line = line.map_err(|e| super::io_err(path, e))?;
            let bad = |reason: String| Problem {
                file: path.clone(),
                line: i + 1,
                expected_seq: seq + 1,
                reason,
            };
            let Ok(line) = std::str::from_utf8(&line) else {
                return Ok(Err(bad("not UTF-8".into())));
            };
            if line.is_empty() {
                continue;
            }
            let Some((body, mac)) = split_mac(line) else {
                return Ok(Err(bad("no MAC: the line was cut or rewritten".into())));
            };
            if let Trust::Keys(keys) = trust {
                if !keys.verify_mac(body.as_bytes(), mac) {
                    return Ok(Err(bad("MAC does not verify: the entry was edited".into())));
                }
            }
            let entry: Entry = match serde_json::from_str(&body) {
                Ok(e) => e,
                Err(_) => return Ok(Err(bad("not an audit entry".into()))),
            };
            if entry.seq != seq + 1 {
                return Ok(Err(bad(format!(
                    "sequence {} where {} was expected: entries were deleted, inserted or reordered",
                    entry.seq,
                    seq + 1
                ))));
            }
            if entry.prev != prev {
                return Ok(Err(bad(
                    "does not chain to the entry before it: an entry was deleted, inserted or replaced".into(),
                )));
            }
            seq = entry.seq;
            prev = sha256_hex(line.as_bytes());
            if wanted.contains(&seq) {
                hashes.insert(seq, prev.clone());
            }
            last_place = (path.clone(), i + 1);
        }
    }
    let mut newest = 0u64;
    for (n, cp) in checkpoints.iter().enumerate() {
        let at = |reason: String| Problem {
            file: dir.join(CHECKPOINTS),
            line: n + 1,
            expected_seq: cp.seq,
            reason,
        };
        if !checkpoint_signature_ok(trust, cp) {
            return Ok(Err(at("checkpoint signature does not verify".into())));
        }
        match hashes.get(&cp.seq) {
            Some(h) if *h == cp.hash => {}
            Some(_) => return Ok(Err(at(format!("entry {} differs from the one the checkpoint signed", cp.seq)))),
            None if cp.seq > seq => {
                return Ok(Err(Problem {
                    file: last_place.0.clone(),
                    line: last_place.1 + 1,
                    expected_seq: seq + 1,
                    reason: format!(
                        "the log ends at entry {seq} but a signed checkpoint covers entry {}: the log was truncated",
                        cp.seq
                    ),
                }))
            }
            None if cp.seq == 0 => {}
            None => return Ok(Err(at(format!("entry {} named by a checkpoint is missing", cp.seq)))),
        }
        newest = newest.max(cp.seq);
    }
    Ok(Ok(Report {
        entries: seq,
        segments: segs.len(),
        checkpoints: checkpoints.len(),
        unanchored: seq - newest,
    }))
}

fn checkpoint_signature_ok(trust: &Trust<'_>, cp: &Checkpoint) -> bool {
    let public = match trust {
        Trust::Keys(k) => unhex(&k.public_key_hex()),
        Trust::PublicKey(p) => Some(p.clone()),
    };
    let (Some(public), Some(sig)) = (public, unhex(&cp.sig)) else {
        return false;
    };
    signature::UnparsedPublicKey::new(&signature::ED25519, public)
        .verify(&checkpoint_message(cp.seq, &cp.hash, &cp.ts), &sig)
        .is_ok()
}

pub fn read_checkpoints(dir: &Path) -> Result<Vec<Checkpoint>, AuditError> {
    let path = dir.join(CHECKPOINTS);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(super::io_err(&path, e)),
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
                sig: String::new(),
            }),
        }
    }
    Ok(out)
}
