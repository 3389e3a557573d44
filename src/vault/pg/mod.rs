//! The PostgreSQL vault: the same records, keys and tokens as the sled vault, in tables that
//! several gateway replicas share.
//!
//! Tokens are computed by [`TokenMinter`] (a keyed hash), so replicas under one master key
//! agree on every token without coordinating; the database only holds the mappings. Values
//! are sealed exactly as the sled vault seals them (the same [`record`] encoding, the same
//! key hierarchy, the same per-patient subject keys and index keys), so `vault migrate` copies
//! rows without decrypting them and either backend reveals the other's tokens.
//!
//! # Rooms
//!
//! This module holds the vault itself (opening, reveal, verify, forget, rotation to a new
//! master key in one transaction); [`mint`] mints a
//! batch in one transaction, [`options`] reads the URL, [`tls`] adapts rustls to tokio-postgres, [`pool`] lends connections and bridges
//! synchronous callers to the vault's runtime, [`migrate`] owns the schema, [`transfer`]
//! copies to and from a sled vault (`vault migrate`), and [`witness`] keeps the audit log's
//! witness.
//!
//! # Schema (`phigate_schema` version 4)
//!
//! - `phigate_meta(key, value)`: `keycheck` (refuses a wrong master key), `keyid` (the active
//!   value-key id), `keybase` (the first key id of the current master key), `tokenroot` (the
//!   token root wrapped under the master key, hex; [`super::keychain`]), `forgotten` (records
//!   made unrevealable by forgetting patients);
//! - `phigate_tokens(token, record)`: one row per token, the sealed copies ([`record`]);
//! - `phigate_index(key, token, sid)`: look-up key → token; `sid` is the subject id for a
//!   patient's look-ups (so forgetting finds them), null otherwise;
//! - `phigate_holdings(sid, token)`: which records each patient holds (a copy, or a row of
//!   `phigate_value_keys`);
//! - `phigate_value_keys(token, holder, body)`: a shared value's data key wrapped for each
//!   holder (`holder` empty for documents without a patient; [`super::shared`]);
//! - `phigate_subject_keys(sid, body)`: each patient's data key, wrapped under a key derived
//!   from the master key (the keyring's entry body, wrap key id inside);
//! - `phigate_audit_witness(log_id, location, checkpoint)`: see [`witness`];
//! - `phigate_memory(id, hash, entry)` and `phigate_memory_links(sid, id)`: patient
//!   memories' forms and each patient key's memory (version 4; [`memory`]).
//!
//! Migrations run at start-up inside one transaction holding a transaction-level advisory
//! lock, so replicas starting together apply each version once and the others wait, then
//! find it applied. A database whose schema is newer than this binary is refused.
//!
//! # Concurrency and durability
//!
//! A batch first looks its values up in the index; look-ups only ever see committed rows, so
//! a token found there is already durable. The values not found are minted in one
//! transaction, in the order of their tokens (so two replicas lock rows in the same order):
//! `INSERT … ON CONFLICT DO NOTHING` on the token rows (pipelined: sent together, executed in
//! order); for each conflict the row is re-read
//! `FOR UPDATE` and, as in sled, either holds the same value (add this holder's copy if
//! missing) or another value (a collision: the next attempt derives the next token, the same
//! way on every replica). The index and holdings rows are inserted in the same transaction,
//! also with `ON CONFLICT DO NOTHING`. Tokens are returned only after `COMMIT` succeeded
//! ("durable before forwarded"; PostgreSQL's default `synchronous_commit = on` makes a
//! commit durable). Deadlocks and serialisation failures retry the transaction. A new
//! patient's key is inserted in the same way (the loser of a race re-reads the winner's),
//! and every mint for a patient reads the key row `FOR SHARE` inside its transaction, so a
//! concurrent `forget` (which takes it `FOR UPDATE` first) is ordered before or after it.
//!
//! Unlike sled, no durable record count is kept (sled's guard against records lost under
//! intact metadata): every write is transactional, and losing rows is the database's
//! backups' business. [`PgVault::verify`] still decrypts every copy of every record.
//!
//! # The sync/async boundary
//!
//! [`TokenStore`] is synchronous. The vault owns a small tokio runtime of its own
//! (`phigate-pg` threads) on which the connection pool, the connections and every query
//! run; a synchronous call spawns its work there and waits on a channel for the answer
//! (with a time limit). The caller's thread blocks, so it must not be a worker of another
//! runtime: the gateway asks [`VaultStore::is_local`] and, for this vault, runs all vault
//! work on tokio's blocking pool (`spawn_blocking` for bodies, `block_in_place` for the
//! short header and path texts) rather than inline on its workers. The vault's own runtime
//! never blocks, so no call can deadlock waiting for a thread it occupies.
//!
//! # Forgetting
//!
//! [`PgVault::forget`] removes the patient's copies, holdings, look-ups and key row in one
//! transaction, then runs `VACUUM FULL phigate_subject_keys`: a deleted row lingers in the
//! table's pages until vacuumed, and `VACUUM FULL` rewrites the table without it. Limits:
//! the write-ahead log keeps the wrapped key until its segment is recycled, archived WAL
//! and base backups keep it as long as they are kept (replace them, as with sled backups),
//! and other replicas may keep the unwrapped key in memory only for the duration of a
//! request (keys are unwrapped per transaction, never cached).
//!
//! # TLS
//!
//! `sslmode` in the URL: `disable`, `require` (encrypted, server certificate not checked,
//! as libpq does without a root certificate) or `verify-full` (chain to `ca` or
//! `sslrootcert`, or the system roots, and the host name). rustls on ring only.

mod memory;
mod migrate;
mod mint;
mod options;
mod pool;
mod tls;
mod transfer;
mod witness;

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use ring::rand::SystemRandom;
use tokio_postgres::Client;

use super::index::IndexKey;
use super::keychain::{self, unwrap_root, wrap_root, KeyChain};
use super::keyring::{unwrap_entry, wrap_entry, Keys, SubjectKey};
use super::record::{self, Holder};
use super::seal::{Sealer, KEY_ID};
use super::shared;
use super::{Forgotten, Holders, Rotation, SubjectId, VaultError, VaultStore};
use crate::keys::MasterKey;
use crate::phi::PhiType;
use crate::transform::token::{
    Prepared, Revealed, TokenError, TokenMinter, TokenRequest, TokenStore,
};
pub use migrate::SCHEMA_VERSION;
pub use options::PgOptions;
use options::{describe, parse_url};
use pool::{call, spawn_health_check, Pool};
use tls::MakeRustls;
pub use witness::PgWitness;

/// Rows per page when reading a whole table.
const PAGE: i64 = 1000;

fn storage(e: impl std::fmt::Display) -> VaultError {
    VaultError::Storage(format!("postgres: {e}"))
}

impl From<tokio_postgres::Error> for VaultError {
    fn from(e: tokio_postgres::Error) -> Self {
        // Messages name tables and constraints; rows hold only sealed values and hashes.
        match e.as_db_error() {
            Some(db) => storage(format!("{} ({})", db.message(), db.code().code())),
            None => {
                // The causes (a TLS alert, a refused connection) say what to fix.
                let mut msg = e.to_string();
                let mut cause = std::error::Error::source(&e);
                while let Some(c) = cause {
                    msg.push_str(": ");
                    msg.push_str(&c.to_string());
                    cause = c.source();
                }
                storage(msg)
            }
        }
    }
}

// ---- The vault ----

struct Inner {
    runtime: Mutex<Option<tokio::runtime::Runtime>>,
    handle: tokio::runtime::Handle,
    pool: Arc<Pool>,
    healthy: Arc<AtomicBool>,
    /// Which master key derives which key id ([`super::keychain`]).
    chain: KeyChain,
    /// What tokens, look-ups and date shifts derive from.
    root: MasterKey,
    index_key: IndexKey,
    sealer: Sealer,
    /// Key-wrapping key id for new subject keys (the active value key id).
    wrap_id: u32,
    rng: SystemRandom,
    name: String,
}

impl Drop for Inner {
    fn drop(&mut self) {
        // Never blocks, so the vault may be dropped anywhere, even inside another runtime.
        if let Ok(mut rt) = self.runtime.lock() {
            if let Some(rt) = rt.take() {
                rt.shutdown_background();
            }
        }
    }
}

/// The PostgreSQL token vault (see the module documentation).
#[derive(Clone)]
pub struct PgVault {
    inner: Arc<Inner>,
    minter: Arc<TokenMinter>,
    domain: String,
}

impl PgVault {
    /// Connects, migrates the schema, and checks the master key against the key-check
    /// record (written by the first opener). The calling thread blocks.
    pub fn open(opts: &PgOptions, master: &MasterKey) -> Result<PgVault, VaultError> {
        let (cfg, mode, ca) = parse_url(opts)?;
        let name = describe(&cfg);
        let tls = tls::connector(mode, ca.as_deref())?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("phigate-pg")
            .enable_all()
            .build()
            .map_err(storage)?;
        let handle = runtime.handle().clone();
        match PgVault::connect(cfg, tls, name, handle, opts.pool_size, master) {
            Ok(inner) => {
                if let Ok(mut slot) = inner.runtime.lock() {
                    *slot = Some(runtime);
                }
                let minter = Arc::new(TokenMinter::new(&inner.root, ""));
                Ok(PgVault {
                    inner: Arc::new(inner),
                    minter,
                    domain: String::new(),
                })
            }
            Err(e) => {
                // Dropping a runtime waits for its threads, which panics when the caller is
                // itself async (`serve` opens the vault inside its runtime): let it go
                // without waiting, so the caller sees the error, not a panic.
                runtime.shutdown_background();
                Err(e)
            }
        }
    }

    /// Connects, migrates and checks the key on `handle`'s runtime: the vault's state.
    fn connect(
        cfg: tokio_postgres::Config,
        tls: Option<MakeRustls>,
        name: String,
        handle: tokio::runtime::Handle,
        pool_size: usize,
        master: &MasterKey,
    ) -> Result<Inner, VaultError> {
        let pool = Arc::new(Pool::new(cfg, tls, pool_size));
        let check = crate::hex::encode(IndexKey::new(master).key_check().as_ref());
        // A vault without a token root (new, or made before there was one) takes the
        // master key as its root; replicas racing here all offer the same one.
        let offered = crate::hex::encode(&wrap_root(master, master)?);
        let open_err = |reason: String| VaultError::Open {
            path: name.clone(),
            reason,
        };
        let p = Arc::clone(&pool);
        let setup = call(&handle, async move {
            let mut client = p.connect().await?;
            migrate::migrate(&mut client).await?;
            client
                .execute(
                    "INSERT INTO phigate_meta (key, value) VALUES ('keycheck', $1) ON CONFLICT DO NOTHING",
                    &[&check],
                )
                .await?;
            let keycheck: String = client
                .query_one("SELECT value FROM phigate_meta WHERE key = 'keycheck'", &[])
                .await?
                .get(0);
            if keycheck == check {
                client
                    .execute(
                        "INSERT INTO phigate_meta (key, value) VALUES ('tokenroot', $1) ON CONFLICT DO NOTHING",
                        &[&offered],
                    )
                    .await?;
            }
            let rows = client
                .query("SELECT key, value FROM phigate_meta", &[])
                .await?;
            let meta: HashMap<String, String> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
            Ok((meta, check))
        });
        let (meta, check) = match setup {
            Ok(x) => x,
            Err(VaultError::Storage(m)) => return Err(open_err(m)),
            Err(e) => return Err(e),
        };
        if meta.get("keycheck") != Some(&check) {
            return Err(VaultError::WrongKey { path: name });
        }
        let number = |key: &str, default: u32| match meta.get(key) {
            Some(v) => v
                .parse::<u32>()
                .map_err(|_| VaultError::Layout { path: name.clone() }),
            None => Ok(default),
        };
        let active = number("keyid", KEY_ID)?;
        let chain = KeyChain::new(master, number("keybase", 0)?);
        let root = meta
            .get("tokenroot")
            .and_then(|h| crate::hex::decode(h))
            .map(|w| unwrap_root(master, &w))
            .transpose()?
            .flatten()
            .ok_or_else(|| VaultError::WrongKey { path: name.clone() })?;
        let sealer = Sealer::new(&chain, active)?;
        let healthy = Arc::new(AtomicBool::new(true));
        spawn_health_check(&handle, Arc::clone(&pool), Arc::clone(&healthy));
        Ok(Inner {
            runtime: Mutex::new(None),
            handle,
            pool,
            healthy,
            index_key: IndexKey::new(&root),
            chain,
            root,
            sealer,
            wrap_id: active,
            rng: SystemRandom::new(),
            name,
        })
    }

    /// A handle minting in another token domain, sharing the pool and keys.
    pub fn with_domain(&self, domain: &str) -> PgVault {
        PgVault {
            inner: Arc::clone(&self.inner),
            minter: Arc::new(TokenMinter::new(&self.inner.root, domain)),
            domain: domain.to_string(),
        }
    }

    /// The database, for messages.
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// Runs `f` on the vault's runtime and waits for it (see the module documentation).
    fn run<T, F>(&self, f: F) -> Result<T, VaultError>
    where
        T: Send + 'static,
        F: Future<Output = Result<T, VaultError>> + Send + 'static,
    {
        call(&self.inner.handle, f)
    }

    /// The subject id of a patient key (as the sled vault computes it).
    pub fn subject_id(&self, patient_key: &str) -> Option<SubjectId> {
        self.inner.index_key.subject_id(patient_key)
    }

    /// Number of tokens held.
    pub fn len(&self) -> Result<u64, VaultError> {
        let pool = Arc::clone(&self.inner.pool);
        self.run(async move {
            let c = pool.get().await?;
            let n: i64 = c
                .client
                .query_one("SELECT count(*) FROM phigate_tokens", &[])
                .await?
                .get(0);
            Ok(u64::try_from(n).unwrap_or(0))
        })
    }

    pub fn is_empty(&self) -> Result<bool, VaultError> {
        Ok(self.len()? == 0)
    }

    /// Records made unrevealable by forgetting patients.
    pub fn forgotten(&self) -> Result<u64, VaultError> {
        Ok(self
            .meta("forgotten")?
            .and_then(|v| v.parse().ok())
            .unwrap_or(0))
    }

    fn meta(&self, key: &'static str) -> Result<Option<String>, VaultError> {
        let pool = Arc::clone(&self.inner.pool);
        self.run(async move {
            let c = pool.get().await?;
            Ok(c.client
                .query_opt("SELECT value FROM phigate_meta WHERE key = $1", &[&key])
                .await?
                .map(|r| r.get(0)))
        })
    }

    /// Every subject key, unwrapped (verify and reveal of patients' copies).
    async fn all_keys(inner: &Inner, c: &Client) -> Result<Keys, VaultError> {
        let mut keys = Keys::new();
        for r in c
            .query("SELECT sid, body FROM phigate_subject_keys", &[])
            .await?
        {
            let (sid, k) =
                subject_key_row(&inner.chain, r.get(0), r.get(1))?.ok_or(VaultError::Corrupt)?;
            keys.insert(sid, k);
        }
        Ok(keys)
    }

    /// Decrypts every copy of every record; returns how many records were checked.
    pub fn verify(&self) -> Result<usize, VaultError> {
        let inner = Arc::clone(&self.inner);
        self.run(async move {
            let c = inner.pool.get().await?;
            let keys = Self::all_keys(&inner, &c.client).await?;
            let mut n = 0;
            let mut after = String::new();
            loop {
                let rows = c
                    .client
                    .query(
                        "SELECT token, record FROM phigate_tokens WHERE token > $1 ORDER BY token LIMIT $2",
                        &[&after, &PAGE],
                    )
                    .await?;
                if rows.is_empty() {
                    return Ok(n);
                }
                for r in &rows {
                    let token: String = r.get(0);
                    let held: Vec<u8> = r.get(1);
                    if shared::is_shared(&held) {
                        let (vrows, _) =
                            Self::value_key_rows(&inner, &c.client, &c.st, &token, i64::MAX)
                                .await?;
                        if vrows.is_empty() {
                            return Err(VaultError::Corrupt);
                        }
                        for (holder, row) in &vrows {
                            let vk = shared::unwrap_row(
                                &inner.sealer,
                                &keys,
                                token.as_bytes(),
                                *holder,
                                row,
                            )?;
                            shared::open_value(&vk, token.as_bytes(), &held)?;
                        }
                    } else {
                        inner
                            .sealer
                            .open_all(token.as_bytes(), &record::copies(&held)?, &keys)?;
                    }
                    n += 1;
                    after = token;
                }
            }
        })
    }

    /// Who holds copies of a token's value; `None` if the vault does not know the token.
    pub fn holders(&self, token_str: &str) -> Result<Option<Holders>, VaultError> {
        let pool = Arc::clone(&self.inner.pool);
        let token = token_str.to_string();
        let held: Option<Vec<u8>> = self.run(async move {
            let c = pool.get().await?;
            Ok(c.client
                .query_opt(
                    "SELECT record FROM phigate_tokens WHERE token = $1",
                    &[&token],
                )
                .await?
                .map(|r| r.get(0)))
        })?;
        let Some(held) = held else { return Ok(None) };
        if shared::is_shared(&held) {
            let pool = Arc::clone(&self.inner.pool);
            let token = token_str.to_string();
            let holders: Vec<Vec<u8>> = self.run(async move {
                let c = pool.get().await?;
                Ok(c.client
                    .query(
                        "SELECT holder FROM phigate_value_keys WHERE token = $1",
                        &[&token],
                    )
                    .await?
                    .iter()
                    .map(|r| r.get(0))
                    .collect())
            })?;
            let holders = holders
                .iter()
                .map(|h| match h.len() {
                    0 => Ok(Holder::Vault),
                    _ => Ok(Holder::Subject(
                        h.as_slice().try_into().map_err(|_| VaultError::Corrupt)?,
                    )),
                })
                .collect::<Result<Vec<_>, VaultError>>()?;
            return Ok(Some(Holders::from_holders(holders.into_iter())));
        }
        Ok(Some(Holders::of(&record::copies(&held)?)))
    }

    /// Forgets a patient (crypto-shredding, see the module documentation). The patient's
    /// memory goes first, whichever of its patient keys `sid` is (a key that only ever
    /// reached the memory, with no record of its own, forgets the memory).
    pub fn forget(&self, sid: &SubjectId) -> Result<Forgotten, VaultError> {
        let memory = self.forget_memory(sid)?;
        match self.forget_records(sid) {
            Err(VaultError::UnknownSubject) if memory > 0 => Ok(Forgotten::default()),
            other => other,
        }
    }

    /// [`PgVault::forget`] of the subject's records and key.
    fn forget_records(&self, sid: &SubjectId) -> Result<Forgotten, VaultError> {
        let inner = Arc::clone(&self.inner);
        let sid = sid.to_vec();
        self.run(async move {
            let mut c = inner.pool.get().await?;
            let out = {
                let tx = c.client.transaction().await?;
                if tx
                    .query_opt(
                        "SELECT 1 FROM phigate_subject_keys WHERE sid = $1 FOR UPDATE",
                        &[&sid],
                    )
                    .await?
                    .is_none()
                {
                    return Err(VaultError::UnknownSubject);
                }
                let mine: SubjectId = sid.as_slice().try_into().map_err(|_| VaultError::Corrupt)?;
                let mut out = Forgotten::default();
                let tokens = tx
                    .query(
                        "SELECT token FROM phigate_holdings WHERE sid = $1 ORDER BY token",
                        &[&sid],
                    )
                    .await?;
                for r in tokens {
                    let token: String = r.get(0);
                    let Some(row) = tx
                        .query_opt(
                            "SELECT record FROM phigate_tokens WHERE token = $1 FOR UPDATE",
                            &[&token],
                        )
                        .await?
                    else {
                        continue;
                    };
                    let held: Vec<u8> = row.get(0);
                    if shared::is_shared(&held) {
                        // The patient's wrap of the data key goes; the value goes with
                        // its last holder.
                        tx.execute(
                            "DELETE FROM phigate_value_keys WHERE token = $1 AND holder = $2",
                            &[&token, &sid],
                        )
                        .await?;
                        let left = tx
                            .query_opt(
                                "SELECT 1 FROM phigate_value_keys WHERE token = $1 LIMIT 1",
                                &[&token],
                            )
                            .await?;
                        if left.is_none() {
                            tx.execute("DELETE FROM phigate_tokens WHERE token = $1", &[&token])
                                .await?;
                            out.records += 1;
                        } else {
                            out.shared += 1;
                        }
                        continue;
                    }
                    let Some(left) =
                        record::without(&record::copies(&held)?, Holder::Subject(mine))
                    else {
                        continue;
                    };
                    if left.is_empty() {
                        tx.execute("DELETE FROM phigate_tokens WHERE token = $1", &[&token])
                            .await?;
                    } else {
                        tx.execute(
                            "UPDATE phigate_tokens SET record = $2 WHERE token = $1",
                            &[&token, &record::encode(&left)],
                        )
                        .await?;
                    }
                    out.tally(&left);
                }
                for table in ["phigate_holdings", "phigate_index", "phigate_subject_keys"] {
                    tx.execute(&format!("DELETE FROM {table} WHERE sid = $1"), &[&sid])
                        .await?;
                }
                let n = out.records.to_string();
                tx.execute(
                    "INSERT INTO phigate_meta (key, value) VALUES ('forgotten', $1)
                     ON CONFLICT (key) DO UPDATE
                     SET value = (phigate_meta.value::bigint + EXCLUDED.value::bigint)::text",
                    &[&n],
                )
                .await?;
                tx.commit().await?;
                out
            };
            // The deleted key row lingers in the table's pages until vacuumed.
            c.client
                .batch_execute("VACUUM FULL phigate_subject_keys")
                .await
                .map_err(|e| {
                    storage(format!(
                        "the patient is forgotten, but VACUUM FULL phigate_subject_keys failed ({e}); run it by hand"
                    ))
                })?;
            Ok(out)
        })
    }

    /// The token root: what the engine derives date shifts from (tokens too), the same
    /// before and after a master-key rotation.
    pub fn token_root(&self) -> MasterKey {
        keychain::copy(&self.inner.root)
    }

    /// Rotates this vault (opened under its current master key) to the master key `new`,
    /// in one transaction: every patient key, vault-wide copy and vault-wide data key is
    /// re-wrapped or re-sealed under keys derived from `new` (a new key id), the token root
    /// is wrapped under `new`, and the key check becomes `new`'s, so tokens stay the same
    /// and the old key opens nothing. Stop every gateway replica first: one still running
    /// holds the old keys and would write under them.
    pub fn rotate_master(&self, new: &MasterKey) -> Result<Rotation, VaultError> {
        let inner = Arc::clone(&self.inner);
        let new = keychain::copy(new);
        self.run(async move {
            let new_check = crate::hex::encode(IndexKey::new(&new).key_check().as_ref());
            let mut c = inner.pool.get().await?;
            let tx = c.client.transaction().await?;
            let check: String = tx
                .query_one(
                    "SELECT value FROM phigate_meta WHERE key = 'keycheck' FOR UPDATE",
                    &[],
                )
                .await?
                .get(0);
            if check == new_check {
                return Err(VaultError::SameKey {
                    path: inner.name.clone(),
                });
            }
            let meta_u32 = |row: Option<tokio_postgres::Row>, default: u32| {
                row.map_or(Ok(default), |r| {
                    r.get::<_, String>(0)
                        .parse::<u32>()
                        .map_err(|_| VaultError::Layout {
                            path: inner.name.clone(),
                        })
                })
            };
            let get = "SELECT value FROM phigate_meta WHERE key = $1";
            let active = meta_u32(tx.query_opt(get, &[&"keyid"]).await?, KEY_ID)?;
            let base = meta_u32(tx.query_opt(get, &[&"keybase"]).await?, 0)?;
            let new_id = active + 1;
            let chain = KeyChain::rotating(inner.chain.current(), base, &new, new_id);
            let sealer = Sealer::new(&chain, new_id)?;
            let mut r = Rotation {
                key_id: new_id,
                new_master: true,
                ..Rotation::default()
            };
            for row in tx
                .query("SELECT sid, body FROM phigate_subject_keys", &[])
                .await?
            {
                let (sid, key) =
                    subject_key_row(&chain, row.get(0), row.get(1))?.ok_or(VaultError::Corrupt)?;
                let body = wrap_entry(&chain, &inner.rng, &sid, &key, new_id)?;
                tx.execute(
                    "UPDATE phigate_subject_keys SET body = $2 WHERE sid = $1",
                    &[&sid.as_slice(), &body],
                )
                .await?;
                r.subject_keys += 1;
            }
            let none = Keys::new();
            for row in tx
                .query("SELECT token, record FROM phigate_tokens", &[])
                .await?
            {
                let (token, held): (String, Vec<u8>) = (row.get(0), row.get(1));
                if shared::is_shared(&held) {
                    continue;
                }
                let mut copies = record::copies(&held)?;
                let mut moved = false;
                for c in copies.iter_mut() {
                    if matches!(c.key, record::KeyRef::Vault(id) if id != new_id) {
                        let v = sealer.open(token.as_bytes(), c, &none)?;
                        *c = sealer.seal(&token, Holder::Vault, v.ty, &v.value, &none)?;
                        moved = true;
                    }
                }
                if moved {
                    tx.execute(
                        "UPDATE phigate_tokens SET record = $2 WHERE token = $1",
                        &[&token, &record::encode(&copies)],
                    )
                    .await?;
                    r.re_encrypted += 1;
                }
            }
            let empty: Vec<u8> = Vec::new();
            for row in tx
                .query(
                    "SELECT token, body FROM phigate_value_keys WHERE holder = $1",
                    &[&empty],
                )
                .await?
            {
                let (token, body): (String, Vec<u8>) = (row.get(0), row.get(1));
                let t = token.as_bytes();
                let vk = shared::unwrap_row(&sealer, &none, t, Holder::Vault, &body)?;
                let moved =
                    shared::wrap_under(&sealer, &none, t, Holder::Vault, &vk, Some(new_id))?;
                tx.execute(
                    "UPDATE phigate_value_keys SET body = $3 WHERE token = $1 AND holder = $2",
                    &[&token, &empty, &moved],
                )
                .await?;
                r.value_keys += 1;
            }
            let root = crate::hex::encode(&wrap_root(&new, &inner.root)?);
            for (k, v) in [
                ("keycheck", new_check),
                ("tokenroot", root),
                ("keybase", new_id.to_string()),
                ("keyid", new_id.to_string()),
            ] {
                tx.execute(
                    "INSERT INTO phigate_meta (key, value) VALUES ($1, $2)
                     ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                    &[&k, &v],
                )
                .await?;
            }
            tx.commit().await?;
            Ok(r)
        })
    }

    /// Up to `limit` holding rows of a shared record (the vault-wide one first), with the
    /// keys that unwrap them.
    async fn value_key_rows(
        inner: &Inner,
        c: &impl tokio_postgres::GenericClient,
        st: &pool::Stmts,
        token: &str,
        limit: i64,
    ) -> Result<(Vec<(Holder, Vec<u8>)>, Keys), VaultError> {
        let mut rows = Vec::new();
        let mut keys = Keys::new();
        for r in c.query(&st.value_keys, &[&token, &limit]).await? {
            let holder_col: Vec<u8> = r.get(0);
            let holder = if holder_col.is_empty() {
                Holder::Vault
            } else {
                let sid: SubjectId = holder_col
                    .as_slice()
                    .try_into()
                    .map_err(|_| VaultError::Corrupt)?;
                if let Some(body) = r.get::<_, Option<Vec<u8>>>(2) {
                    if let Some((s, k)) = subject_key_row(&inner.chain, &sid, &body)? {
                        keys.insert(s, k);
                    }
                }
                Holder::Subject(sid)
            };
            rows.push((holder, r.get(1)));
        }
        Ok((rows, keys))
    }

    /// A shared record's data key, from the first of (up to `limit` of) its rows that opens.
    async fn value_key(
        inner: &Inner,
        c: &impl tokio_postgres::GenericClient,
        st: &pool::Stmts,
        token: &str,
        limit: i64,
    ) -> Result<shared::ValueKey, VaultError> {
        let (rows, keys) = Self::value_key_rows(inner, c, st, token, limit).await?;
        shared::unwrap_any(
            &inner.sealer,
            &keys,
            token.as_bytes(),
            rows.iter().map(|(h, r)| (*h, r.as_slice())),
        )
    }

    /// Whether a row is held under `token`, read from the index without opening it.
    async fn issued_async(inner: Arc<Inner>, token: String) -> Result<bool, VaultError> {
        let c = inner.pool.get().await?;
        let rows = c.client.query(&c.st.reveal, &[&token]).await?;
        Ok(!rows.is_empty())
    }

    async fn reveal_async(
        inner: Arc<Inner>,
        token: String,
    ) -> Result<Option<Revealed>, VaultError> {
        let c = inner.pool.get().await?;
        let rows = c.client.query(&c.st.reveal, &[&token]).await?;
        let Some(first) = rows.first() else {
            return Ok(None);
        };
        let held: Vec<u8> = first.get(0);
        if shared::is_shared(&held) {
            let vk = Self::value_key(&inner, &c.client, &c.st, &token, 4).await?;
            return Ok(Some(shared::open_value(&vk, token.as_bytes(), &held)?));
        }
        let copies = record::copies(&held)?;
        let mut keys = Keys::new();
        for r in &rows {
            let (Some(s), Some(body)) = (
                r.get::<_, Option<Vec<u8>>>(1),
                r.get::<_, Option<Vec<u8>>>(2),
            ) else {
                continue;
            };
            if let Some((s, k)) = subject_key_row(&inner.chain, &s, &body)? {
                keys.insert(s, k);
            }
        }
        Ok(Some(inner.sealer.open_any(
            token.as_bytes(),
            &copies,
            &keys,
        )?))
    }
}

/// A `phigate_subject_keys` row (subject id, wrapped key) unwrapped; `None` if the key
/// fails its integrity check.
fn subject_key_row(
    chain: &KeyChain,
    sid: &[u8],
    body: &[u8],
) -> Result<Option<(SubjectId, SubjectKey)>, VaultError> {
    let sid: SubjectId = sid.try_into().map_err(|_| VaultError::Corrupt)?;
    Ok(unwrap_entry(chain, &sid, body)?.map(|k| (sid, k)))
}

/// Creates a new, empty database named `prefix` and a random suffix on the server of
/// `base_url` (whose role needs CREATEDB) and returns its URL: tests and benchmarks each
/// take one. Blocks the calling thread.
#[doc(hidden)]
pub fn scratch_database(base_url: &str, prefix: &str) -> Result<String, VaultError> {
    let mut suffix = [0u8; 6];
    ring::rand::SecureRandom::fill(&SystemRandom::new(), &mut suffix)
        .map_err(|_| VaultError::Random)?;
    let name = format!("{prefix}_{}", crate::hex::encode(&suffix));
    let (cfg, mode, ca) = parse_url(&PgOptions::new(base_url))?;
    let pool = Arc::new(Pool::new(cfg, tls::connector(mode, ca.as_deref())?, 1));
    let sql = format!("CREATE DATABASE \"{name}\"");
    // On a thread of its own, so that async tests may call it too.
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(storage)?;
        rt.block_on(async move {
            let client = pool.connect().await?;
            client.batch_execute(&sql).await?;
            Ok::<_, VaultError>(())
        })
    })
    .join()
    .map_err(|_| storage("creating the database panicked"))??;
    let (head, query) = match base_url.split_once('?') {
        Some((h, q)) => (h, format!("?{q}")),
        None => (base_url, String::new()),
    };
    let at = head
        .rfind('/')
        .ok_or_else(|| storage("the url names no database"))?;
    Ok(format!("{}/{name}{query}", &head[..at]))
}

impl TokenStore for PgVault {
    fn tokenize_for(
        &self,
        patient: Option<&str>,
        batch: &[TokenRequest<'_>],
        exact: bool,
    ) -> Result<Vec<String>, TokenError> {
        Ok(self.tokenize_batch(patient, batch, exact)?)
    }

    fn tokenize_prepared(
        &self,
        patient: Option<&str>,
        batch: &[&Prepared],
        exact: bool,
    ) -> Result<Vec<String>, TokenError> {
        Ok(self.tokenize_prepared_batch(patient, batch, exact)?)
    }

    fn provisional(&self, ty: PhiType, value: &str, exact: bool) -> Option<String> {
        Some(self.minter.first(ty, value, exact))
    }

    fn prepare(&self, ty: PhiType, value: &str, exact: bool) -> Option<Prepared> {
        Some(self.minter.prepare(ty, value, exact))
    }

    fn open_memory(&self, patients: &[&str]) -> Result<Option<crate::memory::Memory>, TokenError> {
        Ok(self.open_memory_of(patients)?)
    }

    fn extend_memory(
        &self,
        m: &crate::memory::Memory,
        new: &[(u64, crate::memory::Remembered)],
    ) -> Result<(), TokenError> {
        Ok(self.extend_memory_of(m, new)?)
    }

    fn reveal(&self, token: &str) -> Result<Option<Revealed>, TokenError> {
        let inner = Arc::clone(&self.inner);
        Ok(self.run(Self::reveal_async(inner, token.to_string()))?)
    }

    fn issued(&self, token: &str) -> Result<bool, TokenError> {
        let inner = Arc::clone(&self.inner);
        Ok(self.run(Self::issued_async(inner, token.to_string()))?)
    }
}

impl VaultStore for PgVault {
    fn for_domain(&self, domain: &str) -> Arc<dyn VaultStore> {
        Arc::new(self.with_domain(domain))
    }
    fn token_count(&self) -> Result<u64, VaultError> {
        self.len()
    }
    fn flush(&self) -> Result<(), VaultError> {
        // Every mapping is committed before its token is returned.
        Ok(())
    }
    fn health_check(&self) -> Result<(), VaultError> {
        if self.inner.healthy.load(Ordering::SeqCst) {
            Ok(())
        } else {
            Err(storage(format!("{} does not answer", self.inner.name)))
        }
    }
    fn is_local(&self) -> bool {
        false
    }
    fn backend(&self) -> &'static str {
        "postgres"
    }
    fn token_root(&self) -> MasterKey {
        PgVault::token_root(self)
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::phi::PhiType;
    use crate::transform::token::token_input;
    use crate::vault::SledVault;

    /// The test cluster's URL (scripts/pg-test-cluster.sh), or `None` to skip, unless
    /// PHIGATE_REQUIRE_PG=1 makes a missing cluster a failure.
    fn base_url(test: &str) -> Option<String> {
        match std::env::var("PHIGATE_TEST_PG_URL") {
            Ok(u) if !u.is_empty() => Some(u),
            _ => {
                assert!(
                    std::env::var("PHIGATE_REQUIRE_PG").as_deref() != Ok("1"),
                    "PHIGATE_REQUIRE_PG=1 but PHIGATE_TEST_PG_URL is not set (scripts/pg-test-cluster.sh)"
                );
                crate::note_skipped(
                    test,
                    "set PHIGATE_TEST_PG_URL; see scripts/pg-test-cluster.sh",
                );
                None
            }
        }
    }

    fn fresh(test: &str) -> Option<String> {
        let base = base_url(test)?;
        Some(scratch_database(&base, "phigate_unit").expect("scratch database"))
    }

    fn key(b: u8) -> MasterKey {
        MasterKey::from_bytes([b; 32])
    }

    fn req(ty: PhiType, value: &str) -> TokenRequest<'_> {
        TokenRequest { ty, value }
    }

    fn open(url: &str, k: u8) -> PgVault {
        PgVault::open(&PgOptions::new(url), &key(k)).expect("open")
    }

    #[test]
    fn pg_tokens_match_sled_survive_reopen_reveal_and_refuse_a_wrong_key() {
        let Some(url) = fresh("pg_tokens_match_sled") else {
            return;
        };
        let reqs = [
            req(PhiType::Name, "Zebulon Quixote"),
            req(PhiType::Ssn, "219-09-9999"),
            req(PhiType::Email, "zq-canary@example.org"),
        ];
        let dir = tempfile::tempdir().expect("dir");
        let sled = SledVault::open(dir.path(), &key(5)).expect("sled");
        let from_sled = sled.tokenize(&reqs, false).expect("sled tokens");
        let from_sled_b = sled
            .with_domain("vendor-b")
            .tokenize(&reqs, false)
            .expect("b");
        let tokens = {
            let v = open(&url, 5);
            let t = v.tokenize(&reqs, false).expect("tokens");
            assert_eq!(t, from_sled, "the same tokens as sled");
            assert_eq!(
                v.with_domain("vendor-b").tokenize(&reqs, false).expect("b"),
                from_sled_b
            );
            assert_eq!(v.tokenize(&reqs[..1], false).expect("again")[0], t[0]);
            let p = v
                .tokenize_for(Some("MRN:MRX-1"), &reqs[..1], false)
                .expect("patient");
            assert_eq!(p[0], t[0], "a patient's copy joins the record");
            t
        };
        let v = open(&url, 5);
        for (t, r) in tokens.iter().zip(&reqs) {
            assert_eq!(v.reveal(t).expect("reveal").expect("known").value, r.value);
        }
        assert!(v.reveal("NAME_0000000000").expect("reveal").is_none());
        let again = v
            .tokenize(&[req(PhiType::Name, "ZEBULON  QUIXOTE")], false)
            .expect("t");
        assert_eq!(again[0], tokens[0], "normalised after reopen");
        assert_eq!(v.len().expect("len"), 6);
        assert_eq!(v.verify().expect("verify"), 6);
        assert!(v.health_check().is_ok());
        drop(v);
        match PgVault::open(&PgOptions::new(&url), &key(6)) {
            Err(VaultError::WrongKey { .. }) => {}
            other => panic!("expected WrongKey, got {:?}", other.err()),
        }
    }

    /// Runs `sql` on the vault's database.
    fn execute(v: &PgVault, sql: String) {
        let pool = Arc::clone(&v.inner.pool);
        v.run(async move {
            let c = pool.get().await?;
            c.client.batch_execute(&sql).await?;
            Ok(())
        })
        .expect("execute");
    }

    fn rows(v: &PgVault, table: &'static str) -> i64 {
        let pool = Arc::clone(&v.inner.pool);
        v.run(async move {
            let c = pool.get().await?;
            let sql = format!("SELECT count(*) FROM {table}");
            Ok(c.client.query_one(&sql, &[]).await?.get::<_, i64>(0))
        })
        .expect("count")
    }

    #[test]
    fn pg_a_batch_is_one_transaction_and_a_failure_half_way_leaves_nothing() {
        let Some(url) = fresh("pg_batch_one_transaction") else {
            return;
        };
        let v = open(&url, 12);
        // The second value's look-up row is refused, after every token row of the batch
        // (and the patient's new key) has been written.
        let poison = TokenMinter::new(&key(12), "").mint(
            PhiType::Name,
            &token_input(PhiType::Name, "Poison Value", false),
            0,
        );
        execute(
            &v,
            format!(
                "CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
                 BEGIN
                   IF NEW.token = '{poison}' THEN RAISE EXCEPTION 'refused by the test'; END IF;
                   RETURN NEW;
                 END $$;
                 CREATE TRIGGER refuse_poison BEFORE INSERT ON phigate_index
                   FOR EACH ROW EXECUTE FUNCTION refuse_poison();"
            ),
        );
        let batch = [
            req(PhiType::Name, "First Value"),
            req(PhiType::Name, "Poison Value"),
            req(PhiType::Name, "Third Value"),
        ];
        let err = v
            .tokenize_for(Some("MRN:MRX-9"), &batch, false)
            .expect_err("refused");
        let mut chain = err.to_string();
        let mut cause = std::error::Error::source(&err);
        while let Some(c) = cause {
            chain = format!("{chain}: {c}");
            cause = c.source();
        }
        assert!(chain.contains("refused by the test"), "{chain}");
        for table in [
            "phigate_tokens",
            "phigate_index",
            "phigate_holdings",
            "phigate_subject_keys",
        ] {
            assert_eq!(rows(&v, table), 0, "{table}: the batch left nothing behind");
        }
        execute(&v, "DROP TRIGGER refuse_poison ON phigate_index".into());
        let t = v
            .tokenize_for(Some("MRN:MRX-9"), &batch, false)
            .expect("the same batch, once allowed");
        assert_eq!(t[1], poison);
        assert_eq!(rows(&v, "phigate_tokens"), 3);
        assert_eq!(
            v.reveal(&t[2]).expect("r").expect("known").value,
            "Third Value"
        );
    }

    #[test]
    fn pg_forget_shreds_one_patient_and_vacuums_the_key_table() {
        let Some(url) = fresh("pg_forget") else {
            return;
        };
        let v = open(&url, 7);
        let a = v
            .tokenize_for(
                Some("MRN:MRX-10001"),
                &[
                    req(PhiType::Name, "Zebulon Quixote"),
                    req(PhiType::ProviderName, "Dr Healey Calvert"),
                ],
                true,
            )
            .expect("a");
        let b = v
            .tokenize_for(
                Some("MRN:MRX-20002"),
                &[
                    req(PhiType::Name, "Oswin Trask"),
                    req(PhiType::ProviderName, "Dr Healey Calvert"),
                ],
                true,
            )
            .expect("b");
        assert_eq!(a[1], b[1]);
        let sid = v.subject_id("mrn:mrx10001").expect("sid");
        let done = v.forget(&sid).expect("forget");
        assert_eq!(
            done,
            Forgotten {
                records: 1,
                shared: 1
            }
        );
        assert!(v.reveal(&a[0]).expect("r").is_none());
        assert_eq!(
            v.reveal(&a[1]).expect("r").expect("kept").value,
            "Dr Healey Calvert"
        );
        assert_eq!(
            v.reveal(&b[0]).expect("r").expect("kept").value,
            "Oswin Trask"
        );
        assert_eq!(v.forgotten().expect("forgotten"), 1);
        assert!(matches!(v.forget(&sid), Err(VaultError::UnknownSubject)));
        assert_eq!(v.verify().expect("verify"), 2);
        // The patient comes back under a new key, with the same token.
        let again = v
            .tokenize_for(
                Some("MRN:MRX-10001"),
                &[req(PhiType::Name, "Zebulon Quixote")],
                true,
            )
            .expect("again");
        assert_eq!(again[0], a[0]);
        assert_eq!(
            v.reveal(&again[0]).expect("r").expect("new").value,
            "Zebulon Quixote"
        );
    }

    #[test]
    fn pg_concurrent_mint_from_many_vaults_and_threads_yields_one_token() {
        let Some(url) = fresh("pg_concurrent_mint") else {
            return;
        };
        // Eight separate vaults (pools), as eight replicas would be, starting together:
        // the migrations' advisory lock lets one create the schema.
        let vaults: Vec<PgVault> = std::thread::scope(|s| {
            let hs: Vec<_> = (0..8).map(|_| s.spawn(|| open(&url, 9))).collect();
            hs.into_iter().map(|h| h.join().expect("join")).collect()
        });
        let values: Vec<String> = (0..60).map(|i| format!("Shared Value {i}")).collect();
        let results: Vec<Vec<String>> = std::thread::scope(|s| {
            let hs: Vec<_> = vaults
                .iter()
                .enumerate()
                .map(|(n, v)| {
                    let values = &values;
                    s.spawn(move || {
                        // Each replica sends its own batches, in its own order.
                        let mut order: Vec<usize> = (0..values.len()).collect();
                        order.rotate_left(n * 7 % values.len());
                        if n % 2 == 1 {
                            order.reverse();
                        }
                        let mut out = vec![String::new(); values.len()];
                        for chunk in order.chunks(5) {
                            let reqs: Vec<TokenRequest<'_>> = chunk
                                .iter()
                                .map(|&i| req(PhiType::Name, &values[i]))
                                .collect();
                            let patient = (n % 3 == 0).then_some("MRN:MRX-777");
                            let t = v.tokenize_for(patient, &reqs, false).expect("mint");
                            for (&i, t) in chunk.iter().zip(t) {
                                out[i] = t;
                            }
                        }
                        out
                    })
                })
                .collect();
            hs.into_iter().map(|h| h.join().expect("join")).collect()
        });
        for r in &results[1..] {
            assert_eq!(
                r, &results[0],
                "every replica got the same token for each value"
            );
        }
        assert_eq!(vaults[0].len().expect("len"), 60, "one record per value");
        assert_eq!(vaults[0].verify().expect("verify"), 60);
        let versions = vaults[0]
            .run({
                let pool = Arc::clone(&vaults[0].inner.pool);
                async move {
                    let c = pool.get().await?;
                    let n: i64 = c
                        .client
                        .query_one("SELECT count(*) FROM phigate_schema", &[])
                        .await?
                        .get(0);
                    Ok(n)
                }
            })
            .expect("schema");
        assert_eq!(
            versions,
            i64::from(SCHEMA_VERSION),
            "each migration applied once"
        );
    }

    #[test]
    fn pg_migrate_round_trip_sled_to_pg_to_sled() {
        let Some(url) = fresh("pg_migrate") else {
            return;
        };
        let (a, b) = (
            tempfile::tempdir().expect("a"),
            tempfile::tempdir().expect("b"),
        );
        let sled = SledVault::open(a.path(), &key(3)).expect("sled");
        let plain = sled
            .tokenize(
                &[req(PhiType::Zip, "49001"), req(PhiType::Name, "Ada Quill")],
                false,
            )
            .expect("plain");
        let pat = sled
            .tokenize_for(
                Some("Patient/p1"),
                &[req(PhiType::Name, "Ada Quill"), req(PhiType::Mrn, "MRX-5")],
                false,
            )
            .expect("patient");
        let v = open(&url, 3);
        assert_eq!(v.import_sled(&sled).expect("import"), 3);
        assert_eq!(v.verify().expect("verify"), 3);
        assert_eq!(v.reveal(&pat[1]).expect("r").expect("k").value, "MRX-5");
        // Minting on PostgreSQL finds the migrated mappings.
        assert_eq!(
            v.tokenize_for(Some("Patient/p1"), &[req(PhiType::Mrn, "MRX-5")], false)
                .expect("t"),
            vec![pat[1].clone()]
        );
        // Forgetting on PostgreSQL finds the migrated patient's copies.
        let extra = v
            .tokenize_for(Some("Patient/p2"), &[req(PhiType::Name, "Bo Lark")], false)
            .expect("p2");
        assert!(v.import_sled(&sled).is_err(), "only into an empty database");
        let back = SledVault::open(b.path(), &key(3)).expect("back");
        assert_eq!(v.export_sled(&back).expect("export"), 4);
        assert_eq!(back.verify().expect("verify"), 4);
        for (t, x) in [
            (&plain[0], "49001"),
            (&plain[1], "Ada Quill"),
            (&pat[1], "MRX-5"),
            (&extra[0], "Bo Lark"),
        ] {
            assert_eq!(back.reveal(t).expect("r").expect("k").value, x);
        }
        let sid = back.subject_id("Patient/p1").expect("sid");
        assert_eq!(
            back.forget(&sid).expect("forget"),
            Forgotten {
                records: 1,
                shared: 1
            }
        );
        let sid = v.subject_id("Patient/p1").expect("sid");
        assert_eq!(
            v.forget(&sid).expect("forget"),
            Forgotten {
                records: 1,
                shared: 1
            }
        );
    }

    #[test]
    fn pg_tls_modes_and_password_file() {
        let Some(url) = fresh("pg_tls_modes") else {
            return;
        };
        // Password from a file, CA from the `ca` setting, no password in the URL.
        let (head, query) = url.split_once('?').expect("query");
        let (scheme_user, rest) = head.split_once('@').expect("at");
        let (user, password) = scheme_user
            .trim_start_matches("postgres://")
            .split_once(':')
            .expect("password");
        let ca = form_urlencoded::parse(query.as_bytes())
            .find(|(k, _)| k == "sslrootcert")
            .map(|(_, v)| PathBuf::from(&*v))
            .expect("sslrootcert");
        let dir = tempfile::tempdir().expect("dir");
        let pw = dir.path().join("password");
        std::fs::write(&pw, format!("{password}\n")).expect("write");
        let bare = format!("postgres://{user}@{rest}");
        let with = |mode: &str, ca: Option<PathBuf>| PgOptions {
            url: format!("{bare}?sslmode={mode}"),
            password_file: Some(pw.clone()),
            ca,
            pool_size: 2,
        };
        for opts in [
            with("verify-full", Some(ca.clone())),
            with("require", None),
            with("disable", None),
        ] {
            let v = PgVault::open(&opts, &key(4)).expect(&opts.url);
            v.tokenize(&[req(PhiType::Name, "Ada Quill")], false)
                .expect("t");
        }
        // verify-full against the system roots refuses the self-signed certificate.
        assert!(PgVault::open(&with("verify-full", None), &key(4)).is_err());
        assert!(PgVault::open(&with("prefer", None), &key(4)).is_err());
    }
}
