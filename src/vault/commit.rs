//! Group commit for the sled vault: concurrent writers share flushes, and no token is
//! handed out before its mapping is on disk.
//!
//! Owns the flush tickets and the flush generations (see [`GroupCommit`]), and whether the
//! last write failed (the sled vault's `/readyz` answer waits for a write to go through).

use std::sync::atomic::AtomicU64;

use super::VaultError;

/// Group commit: concurrent writers share flushes. A writer takes a ticket after its
/// inserts; one writer at a time flushes, covering every ticket taken before the flush
/// began, and the others wait for a flush that covers theirs instead of starting their own.
///
/// Flush generations let a batch whose values all had tokens skip the flush without
/// handing out a mapping another writer has inserted but not yet flushed: inserts happen
/// under a read lock on the current generation and record it; a flush first moves to the
/// next generation under the write lock (so every insert of the old one has finished),
/// then flushes, then marks the old generation durable.
#[derive(Default)]
pub(super) struct GroupCommit {
    state: std::sync::Mutex<CommitState>,
    done: std::sync::Condvar,
    generation: std::sync::RwLock<u64>,
    /// The newest generation any insert happened in (0: none since open).
    last_insert: AtomicU64,
    /// Every generation up to this one is on disk.
    durable_through: AtomicU64,
    /// Flushes done (for tests and stats).
    pub(super) flushes: AtomicU64,
    /// The last write or flush failed (cleared by the next successful flush).
    pub(super) write_failed: std::sync::atomic::AtomicBool,
    /// Test hook: fail this many flushes (as a failed write would).
    #[cfg(test)]
    pub(super) fail_flushes: std::sync::atomic::AtomicU32,
}

#[derive(Default)]
struct CommitState {
    requested: u64,
    completed: u64,
    flushing: bool,
}

impl GroupCommit {
    /// Runs `insert` inside the current flush generation.
    pub(super) fn inserting<T>(
        &self,
        insert: impl FnOnce() -> Result<T, VaultError>,
    ) -> Result<T, VaultError> {
        use std::sync::atomic::Ordering::SeqCst;
        let generation = self.generation.read().map_err(|_| poisoned())?;
        self.last_insert.fetch_max(*generation + 1, SeqCst);
        let result = insert();
        if matches!(result, Err(VaultError::Storage(_))) {
            self.write_failed.store(true, SeqCst);
        }
        result
    }

    /// Whether every mapping this process has inserted, and so every one a look-up could
    /// have found, is already on disk.
    pub(super) fn all_durable(&self) -> bool {
        use std::sync::atomic::Ordering::SeqCst;
        self.last_insert.load(SeqCst) <= self.durable_through.load(SeqCst)
    }

    /// Flushes, first closing the current generation (waiting for its inserts to finish).
    pub(super) fn flush(&self, db: &sled::Db) -> Result<(), VaultError> {
        use std::sync::atomic::Ordering::SeqCst;
        let closed = {
            let mut g = self.generation.write().map_err(|_| poisoned())?;
            *g += 1;
            *g
        };
        #[cfg(test)]
        if super::keyring::trip(&self.fail_flushes) {
            self.write_failed.store(true, SeqCst);
            return Err(VaultError::Storage("injected flush failure".into()));
        }
        if let Err(e) = db.flush() {
            self.write_failed.store(true, SeqCst);
            return Err(e.into());
        }
        self.write_failed.store(false, SeqCst);
        self.flushes.fetch_add(1, SeqCst);
        self.durable_through.fetch_max(closed, SeqCst);
        Ok(())
    }

    /// Makes this writer's inserts durable: joins a flush that covers them, or runs one.
    pub(super) fn sync(&self, db: &sled::Db) -> Result<(), VaultError> {
        let mut st = self.state.lock().map_err(|_| poisoned())?;
        st.requested += 1;
        let ticket = st.requested;
        loop {
            if st.completed >= ticket {
                return Ok(());
            }
            if st.flushing {
                st = self.done.wait(st).map_err(|_| poisoned())?;
                continue;
            }
            st.flushing = true;
            let covers = st.requested;
            drop(st);
            let result = self.flush(db);
            st = self.state.lock().map_err(|_| poisoned())?;
            st.flushing = false;
            if result.is_ok() {
                st.completed = st.completed.max(covers);
            }
            self.done.notify_all();
            // A failed flush fails this writer; waiters retry with a flush of their own.
            result?;
        }
    }
}

fn poisoned() -> VaultError {
    VaultError::Storage("commit lock poisoned".into())
}
