//! The audit log's anchoring thread: signs checkpoints of heads already on disk, appends
//! them to `checkpoints.jsonl` and stores them in the witness.
//!
//! Owns the chain of checkpoints (the newest one, the witness, its retries). It runs apart
//! from the writer so that a checkpoint's own writes (the checkpoint file's fsync, the
//! witness's file, fsync and directory fsync: three more waits on a busy disk, once a
//! second) never stand between a request and the fsync of its entries: the writer goes on
//! appending and group-committing while a checkpoint is written. The writer hands over a
//! head only after the fsync that made it durable, so a checkpoint never names an entry
//! that a crash could lose (a log cut short of its checkpoint is refused on open).

use std::fs::OpenOptions;
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Instant;

use super::witness::Witness;
use super::{
    io_err, segments, verify, AuditError, AuditKeys, Checkpoint, Head, CHECKPOINTS,
    CHECKPOINT_ENTRIES, CHECKPOINT_EVERY, GENESIS,
};

/// What the writer tells the anchoring thread.
pub(super) enum Anchor {
    /// Every entry up to this head is on disk.
    Durable(Head),
    /// Every entry up to this head is on disk; anchor it now (a sync or a close), then
    /// acknowledge.
    Now(Head, mpsc::Sender<Result<(), String>>),
}

pub(super) struct Anchorer {
    pub(super) dir: PathBuf,
    pub(super) keys: Arc<AuditKeys>,
    /// The newest head known to be on disk.
    pub(super) head: Head,
    /// The sequence number the newest checkpoint covers (entries after it are unanchored).
    pub(super) anchored: u64,
    /// When the last checkpoint was signed.
    pub(super) last_checkpoint: Instant,
    /// The newest checkpoint, which the next one chains to.
    pub(super) newest: Option<Checkpoint>,
    /// Where every checkpoint is also stored, outside the log directory.
    pub(super) witness: Option<Box<dyn Witness>>,
    /// The log's id in the witness ([`verify::log_id`]), once known.
    pub(super) log_id: Option<String>,
    /// The newest checkpoint is not in the witness yet (retried every second).
    pub(super) witness_pending: bool,
    pub(super) witness_lagging: Arc<AtomicBool>,
    /// Checkpoints signed (a metric).
    pub(super) checkpoints: Arc<AtomicU64>,
}

impl Anchorer {
    /// Anchors the heads the writer sends: at least every second while entries arrive
    /// (or every 10,000 entries), at once when asked, and the tail once the log goes idle.
    pub(super) fn run(&mut self, rx: mpsc::Receiver<Anchor>, failed: &AtomicBool) {
        loop {
            let mut acks = Vec::new();
            match rx.recv_timeout(self.wait()) {
                Ok(m) => self.take(m, &mut acks),
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    if self.witness_pending {
                        self.store_witness();
                    }
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            }
            // Heads queued meanwhile: only the newest matters.
            while let Ok(m) = rx.try_recv() {
                self.take(m, &mut acks);
            }
            let result = if self.due() || (!acks.is_empty() && self.unanchored() > 0) {
                self.checkpoint()
            } else {
                Ok(())
            };
            if let Err(e) = &result {
                failed.store(true, Ordering::SeqCst);
                tracing::error!(error = %e, "audit checkpoint failed");
            }
            for ack in acks {
                let _ = ack.send(result.clone().map_err(|e| e.to_string()));
            }
        }
    }

    fn take(&mut self, m: Anchor, acks: &mut Vec<mpsc::Sender<Result<(), String>>>) {
        let head = match m {
            Anchor::Durable(head) => head,
            Anchor::Now(head, ack) => {
                acks.push(ack);
                head
            }
        };
        if head.seq >= self.head.seq {
            self.head = head;
        }
    }

    fn unanchored(&self) -> u64 {
        self.head.seq.saturating_sub(self.anchored)
    }

    /// Whether the tail on disk is due a checkpoint by age or size.
    fn due(&self) -> bool {
        let n = self.unanchored();
        n > 0 && (self.last_checkpoint.elapsed() >= CHECKPOINT_EVERY || n >= CHECKPOINT_ENTRIES)
    }

    /// How long to wait for the writer before looking again: until the unanchored tail is
    /// due, or a second (the witness's retry).
    fn wait(&self) -> std::time::Duration {
        if self.unanchored() > 0 {
            CHECKPOINT_EVERY.saturating_sub(self.last_checkpoint.elapsed())
        } else {
            CHECKPOINT_EVERY
        }
    }

    /// Signs a checkpoint of the head, chained to the newest, appends it to the log's
    /// checkpoint file and then stores it in the witness. In that order: a crash in between
    /// leaves the witness one checkpoint behind, which the start-up check accepts (and
    /// catches up), whereas a witness ahead of the log would look like a cut log.
    pub(super) fn checkpoint(&mut self) -> Result<(), AuditError> {
        self.anchored = self.head.seq;
        self.last_checkpoint = Instant::now();
        let prev = self
            .newest
            .as_ref()
            .map_or_else(|| GENESIS.to_string(), Checkpoint::id);
        let cp = self
            .keys
            .sign_checkpoint(self.head.seq, &self.head.hash, &prev);
        let path = self.dir.join(CHECKPOINTS);
        let mut f = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|e| io_err(&path, e))?;
        let mut line = cp.line();
        line.push('\n');
        f.write_all(line.as_bytes()).map_err(|e| io_err(&path, e))?;
        f.sync_data().map_err(|e| io_err(&path, e))?;
        self.newest = Some(cp);
        self.checkpoints.fetch_add(1, Ordering::Relaxed);
        self.witness_pending = self.witness.is_some();
        self.store_witness();
        Ok(())
    }

    /// Stores the newest checkpoint in the witness. A failure (its vault unreachable) is
    /// not a failed write of the log, whose entries are on disk: the log reports itself
    /// unhealthy (the gateway fails closed) and the thread retries every second.
    fn store_witness(&mut self) {
        let (Some(w), Some(cp)) = (&self.witness, &self.newest) else {
            return;
        };
        let result = (|| {
            if self.log_id.is_none() {
                self.log_id = verify::log_id(&segments(&self.dir)?)?;
            }
            let id = self
                .log_id
                .as_deref()
                .ok_or_else(|| io_err(&self.dir, "a checkpoint of a log without entries"))?;
            w.store(id, cp)
        })();
        match result {
            Ok(()) => {
                self.witness_pending = false;
                self.witness_lagging.store(false, Ordering::SeqCst);
            }
            Err(e) => {
                self.witness_lagging.store(true, Ordering::SeqCst);
                tracing::error!(error = %e, witness = %w.describe(), "audit witness not written; retrying");
            }
        }
    }
}
