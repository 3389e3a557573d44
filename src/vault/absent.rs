//! Which look-up keys the sled index certainly does not hold (a Bloom filter of its keys),
//! so a value the vault has never seen skips the index read that could only miss.
//!
//! On varied traffic most of a document's values are new: each cost a B-tree read that
//! missed, then the record's and the index entry's writes. The filter answers the read
//! from memory when the key was never written.
//!
//! Owns the bit array, its one-time fill from the index, and the answer. Its rules:
//!
//! - every key the index holds sets its bits: the fill reads every key once (on the first
//!   look-up, not at open, so commands that never mint do not pay for it; about 1.4 µs a
//!   key, so a vault of a million look-up keys delays its first look-up by ~1.4 s), and every
//!   writer of an index entry marks the key *before* writing it. Marks made during the fill
//!   are kept, so a key written while the fill reads past its place is still covered;
//! - until the fill has finished (or if it failed), every answer is "maybe": the index is
//!   read, as without the filter;
//! - bits are never cleared: a forgotten key, or any other, may answer "maybe" (a false
//!   positive costs the read it saved, nothing more). A vault that outgrows the array it
//!   was sized for at open answers "maybe" more often, never "absent" for a held key.
//!
//! Even a wrong "absent" would cost time, not a token: the minting path then finds the
//! value's record by its compare-and-swap and hands out the token it already has.
//!
//! It holds bits taken from keyed hashes, never a value.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Once;

use super::index::HASH_LEN;

/// Bits set per key.
const PROBES: usize = 4;
/// Bits per expected key (about 0.2 % false positives at four probes).
const BITS_PER_KEY: u64 = 24;
/// The smallest array (1 MiB): a new vault's first few hundred thousand keys.
const MIN_BITS: u64 = 1 << 23;
/// The largest (32 MiB): past about 11 M keys the answers are "maybe" more often.
const MAX_BITS: u64 = 1 << 28;

pub(super) struct AbsentKeys {
    words: Box<[AtomicU64]>,
    /// Number of bits minus one (a power of two).
    mask: u64,
    fill: Once,
    ready: AtomicBool,
}

impl AbsentKeys {
    /// An empty filter sized for about `expected` keys; it answers "maybe" until filled.
    pub(super) fn with_capacity(expected: u64) -> AbsentKeys {
        let bits = expected
            .saturating_mul(BITS_PER_KEY)
            .clamp(MIN_BITS, MAX_BITS)
            .next_power_of_two();
        let words = (0..bits / 64).map(|_| AtomicU64::new(0)).collect();
        AbsentKeys {
            words,
            mask: bits - 1,
            fill: Once::new(),
            ready: AtomicBool::new(false),
        }
    }

    /// A filled filter that calls every key absent, whatever the index holds: what a
    /// wrong answer would do (tests of the minting path's fallback).
    #[cfg(test)]
    pub(super) fn wrong() -> AbsentKeys {
        let f = AbsentKeys::with_capacity(0);
        f.fill.call_once(|| ());
        f.ready.store(true, Ordering::SeqCst);
        f
    }

    /// Records that the index holds (or is about to hold) `key`. Call before the write.
    pub(super) fn mark(&self, key: &[u8]) {
        for bit in positions(key, self.mask) {
            self.words[(bit / 64) as usize].fetch_or(1 << (bit % 64), Ordering::SeqCst);
        }
    }

    /// Whether `index` certainly lacks `key`. The first call reads every key of `index`
    /// (later callers wait for it); a failed read leaves every answer "maybe".
    pub(super) fn surely_absent(&self, index: &sled::Tree, key: &[u8]) -> bool {
        self.fill.call_once(|| {
            let filled = index.iter().keys().try_for_each(|k| {
                self.mark(&k?);
                Ok::<(), sled::Error>(())
            });
            if filled.is_ok() {
                self.ready.store(true, Ordering::SeqCst);
            }
        });
        self.ready.load(Ordering::SeqCst)
            && positions(key, self.mask).any(|bit| {
                self.words[(bit / 64) as usize].load(Ordering::SeqCst) & (1 << (bit % 64)) == 0
            })
    }
}

/// The bits of a key: four 64-bit words of its keyed hash (the last `HASH_LEN` bytes; a
/// patient's keys start with their subject id, shared by all of them). A key too short to
/// be a look-up key is hashed whole.
fn positions(key: &[u8], mask: u64) -> impl Iterator<Item = u64> {
    let mut seed = [0u8; HASH_LEN];
    if key.len() >= HASH_LEN {
        seed.copy_from_slice(&key[key.len() - HASH_LEN..]);
    } else {
        let d = ring::digest::digest(&ring::digest::SHA256, key);
        seed.copy_from_slice(d.as_ref());
    }
    (0..PROBES).map(move |i| {
        let mut w = [0u8; 8];
        w.copy_from_slice(&seed[i * 8..i * 8 + 8]);
        u64::from_le_bytes(w) & mask
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(i: u32) -> Vec<u8> {
        ring::digest::digest(&ring::digest::SHA256, &i.to_be_bytes())
            .as_ref()
            .to_vec()
    }

    fn tree() -> (tempfile::TempDir, sled::Tree) {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = sled::Config::new().path(dir.path()).open().expect("open");
        let t = db.open_tree("index").expect("tree");
        (dir, t)
    }

    #[test]
    fn keys_already_in_the_index_and_keys_marked_later_are_never_absent() {
        let (_dir, index) = tree();
        for i in 0..500 {
            index.insert(key(i), b"T").expect("insert");
        }
        let f = AbsentKeys::with_capacity(0);
        f.mark(&key(10_000));
        for i in 0..500 {
            assert!(!f.surely_absent(&index, &key(i)), "held key {i}");
        }
        assert!(
            !f.surely_absent(&index, &key(10_000)),
            "marked before the fill"
        );
        f.mark(&key(20_000));
        assert!(
            !f.surely_absent(&index, &key(20_000)),
            "marked after the fill"
        );
        // A patient's key: subject id then hash.
        let theirs = [&[7u8; 16][..], &key(30_000)].concat();
        f.mark(&theirs);
        assert!(!f.surely_absent(&index, &theirs));
        let absent = (100_000..101_000)
            .filter(|&i| f.surely_absent(&index, &key(i)))
            .count();
        assert!(absent > 990, "{absent} of 1000 new keys answered absent");
    }

    #[test]
    fn a_full_array_answers_maybe_not_absent() {
        let (_dir, index) = tree();
        let f = AbsentKeys::with_capacity(0);
        for w in f.words.iter() {
            w.store(u64::MAX, Ordering::SeqCst);
        }
        assert!(!f.surely_absent(&index, &key(1)));
        assert!(!f.surely_absent(&index, b"short"));
    }

    /// What the fill costs a large vault's first look-up (run by hand:
    /// `cargo test --release --lib vault::absent -- --ignored --nocapture`).
    #[test]
    #[ignore]
    fn fill_time_of_a_large_index() {
        let (_dir, index) = tree();
        let n = 300_000u32;
        for i in 0..n {
            index
                .insert(key(i), &b"NAME_0123456789ab"[..])
                .expect("insert");
        }
        let f = AbsentKeys::with_capacity(u64::from(n));
        let t = std::time::Instant::now();
        assert!(!f.surely_absent(&index, &key(1)));
        eprintln!("fill of {n} keys: {:?}", t.elapsed());
    }
}
