//! Minting a batch in the PostgreSQL vault: one look-up for the whole batch, then one
//! transaction for the values it did not find.
//!
//! Owns the steps of the module documentation's "Concurrency and durability": the values
//! not found are minted in the order of their first-attempt tokens (the same lock order on
//! every replica), token rows first (pipelined), then collisions and other holders' records
//! row by row, then holdings and look-ups (pipelined), and `COMMIT` before any token is
//! returned. A refusal anywhere rolls the whole batch back; deadlocks and serialisation
//! failures retry it.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use tokio_postgres::error::SqlState;
use tokio_postgres::types::ToSql;
use tokio_postgres::GenericClient;

use super::pool::{Conn, Stmts};
use super::{subject_key_row, Inner, PgVault};
use crate::phi::PhiType;
use crate::transform::token::{token_input, TokenMinter, TokenRequest};
use crate::vault::keyring::{new_subject_key, unwrap_entry, wrap_entry, Keys};
use crate::vault::record::{self, Holder, Sealed};
use crate::vault::seal::same_value;
use crate::vault::{SubjectId, VaultError};

/// Transactions retried after a deadlock or serialisation failure.
const TX_ATTEMPTS: usize = 8;

/// One value of a batch, owned (the work runs on the vault's runtime).
struct Item {
    pos: usize,
    ty: PhiType,
    value: String,
    norm: String,
    key: Vec<u8>,
    first: String,
}

impl PgVault {
    /// The tokens of a batch for one patient's document (or none), in order.
    pub(super) fn tokenize_batch(
        &self,
        patient: Option<&str>,
        batch: &[TokenRequest<'_>],
        exact: bool,
    ) -> Result<Vec<String>, VaultError> {
        if batch.is_empty() {
            return Ok(Vec::new());
        }
        let sid = patient.and_then(|p| self.subject_id(p));
        let items = batch
            .iter()
            .enumerate()
            .map(|(pos, r)| self.item(pos, sid.as_ref(), r, exact))
            .collect();
        let inner = Arc::clone(&self.inner);
        let minter = Arc::clone(&self.minter);
        self.run(Self::tokenize_async(inner, minter, sid, items, exact))
    }

    /// One value of a batch, with its look-up key and its first-attempt token.
    fn item(&self, pos: usize, sid: Option<&SubjectId>, r: &TokenRequest<'_>, exact: bool) -> Item {
        let norm = token_input(r.ty, r.value, exact);
        Item {
            pos,
            ty: r.ty,
            value: r.value.to_string(),
            key: self.inner.index_key.lookup(&self.domain, sid, r.ty, &norm),
            first: self.minter.mint(r.ty, &norm, 0),
            norm,
        }
    }

    /// Looks up, or mints in one transaction, the tokens of a batch.
    async fn tokenize_async(
        inner: Arc<Inner>,
        minter: Arc<TokenMinter>,
        sid: Option<SubjectId>,
        mut items: Vec<Item>,
        exact: bool,
    ) -> Result<Vec<String>, VaultError> {
        let mut out = vec![String::new(); items.len()];
        let mut c = inner.pool.get().await?;
        let keys: Vec<&[u8]> = items.iter().map(|i| i.key.as_slice()).collect();
        let found: HashMap<Vec<u8>, String> = c
            .client
            .query(&c.st.lookup, &[&keys])
            .await?
            .into_iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect();
        items.retain(|i| match found.get(&i.key) {
            Some(t) => {
                out[i.pos].clone_from(t);
                false
            }
            None => true,
        });
        if items.is_empty() {
            return Ok(out);
        }
        // The same lock order on every replica: by first-attempt token.
        items.sort_by(|a, b| a.first.cmp(&b.first));
        let mut tries = 0;
        loop {
            match Self::mint(&inner, &minter, &mut c, sid, &items, exact).await {
                Ok(tokens) => {
                    for (i, t) in items.iter().zip(tokens) {
                        out[i.pos] = t;
                    }
                    return Ok(out);
                }
                Err(e) if retryable(&e) && tries + 1 < TX_ATTEMPTS => {
                    tries += 1;
                    tokio::time::sleep(Duration::from_millis(2 << tries.min(6))).await;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// The subject's key, read `FOR SHARE` in the transaction (created if new).
    async fn subject_key(
        inner: &Inner,
        c: &impl GenericClient,
        st: &Stmts,
        sid: &SubjectId,
    ) -> Result<Keys, VaultError> {
        let id = sid.as_slice();
        let mut row = c.query_opt(&st.key_for_share, &[&id]).await?;
        if row.is_none() {
            let key = new_subject_key(&inner.rng)?;
            let body = wrap_entry(&inner.master, &inner.rng, sid, &key, inner.wrap_id)?;
            c.execute(&st.insert_key, &[&id, &body]).await?;
            // This transaction's key, or the one a concurrent opener committed first.
            row = c.query_opt(&st.key_for_share, &[&id]).await?;
        }
        let body: Vec<u8> = row.ok_or(VaultError::UnknownSubject)?.get(0);
        let key = unwrap_entry(&inner.master, sid, &body)?.ok_or(VaultError::Corrupt)?;
        let mut keys = Keys::new();
        keys.insert(*sid, key);
        Ok(keys)
    }

    async fn mint(
        inner: &Inner,
        minter: &TokenMinter,
        c: &mut Conn,
        sid: Option<SubjectId>,
        items: &[Item],
        exact: bool,
    ) -> Result<Vec<String>, VaultError> {
        let st = &c.st;
        let tx = c.client.transaction().await?;
        let mut keys = match &sid {
            Some(s) => Self::subject_key(inner, &tx, st, s).await?,
            None => Keys::new(),
        };
        let holder = sid.map_or(Holder::Vault, Holder::Subject);
        let sid_col: Option<&[u8]> = sid.as_ref().map(|s| s.as_slice());
        // First attempts, pipelined (sent together, executed in this order): most values
        // are new, and their insert is all they need.
        let firsts = items
            .iter()
            .map(|it| {
                let copy = inner
                    .sealer
                    .seal(&it.first, holder, it.ty, &it.value, &keys)?;
                Ok(record::encode_one(&copy))
            })
            .collect::<Result<Vec<_>, VaultError>>()?;
        let params: Vec<[&(dyn ToSql + Sync); 2]> = items
            .iter()
            .zip(&firsts)
            .map(|(it, rec)| [&it.first as &(dyn ToSql + Sync), rec as _])
            .collect();
        let inserted = futures_util::future::try_join_all(
            params.iter().map(|p| tx.execute(&st.insert_token, p)),
        )
        .await?;
        let mut tokens = Vec::with_capacity(items.len());
        for (it, n) in items.iter().zip(inserted) {
            if n == 1 {
                tokens.push(it.first.clone());
                continue;
            }
            // The token is taken: by this value (another holder, or a concurrent minter) or
            // by another (a collision).
            let mut attempt = 0u32;
            let token = loop {
                let token = minter.mint(it.ty, &it.norm, attempt);
                let copy = inner.sealer.seal(&token, holder, it.ty, &it.value, &keys)?;
                let new = record::encode_one(&copy);
                if tx.execute(&st.insert_token, &[&token, &new]).await? == 1 {
                    break token;
                }
                let Some(row) = tx.query_opt(&st.lock_token, &[&token]).await? else {
                    continue; // forgotten meanwhile: insert afresh
                };
                let held: Vec<u8> = row.get(0);
                let mut copies = record::copies(&held)?;
                Self::load_keys(inner, &tx, &copies, &mut keys).await?;
                let other = inner.sealer.open_any(token.as_bytes(), &copies, &keys)?;
                if !same_value(&other, it.ty, &it.norm, exact) {
                    // A collision: the next attempt, as every replica and sled derive it.
                    attempt += 1;
                    continue;
                }
                if !record::held_by(&copies, holder) {
                    copies.push(copy);
                    tx.execute(&st.update_token, &[&token, &record::encode(&copies)])
                        .await?;
                }
                break token;
            };
            tokens.push(token);
        }
        // Holdings and look-ups, pipelined too.
        let lookups: Vec<&[u8]> = items.iter().map(|it| it.key.as_slice()).collect();
        let holdings: Vec<[&(dyn ToSql + Sync); 2]> = match &sid_col {
            Some(s) => tokens
                .iter()
                .map(|t| [s as &(dyn ToSql + Sync), t as _])
                .collect(),
            None => Vec::new(),
        };
        let index: Vec<[&(dyn ToSql + Sync); 3]> = lookups
            .iter()
            .zip(&tokens)
            .map(|(k, t)| [k as &(dyn ToSql + Sync), t as _, &sid_col as _])
            .collect();
        futures_util::future::try_join_all(
            holdings
                .iter()
                .map(|p| tx.execute(&st.insert_holding, p))
                .chain(
                    index
                        .iter()
                        .map(|p| tx.execute(&st.insert_index, p.as_slice())),
                ),
        )
        .await?;
        tx.commit().await?;
        Ok(tokens)
    }

    /// Adds to `keys` the subject keys of `copies` it lacks.
    async fn load_keys(
        inner: &Inner,
        c: &impl GenericClient,
        copies: &[Sealed],
        keys: &mut Keys,
    ) -> Result<(), VaultError> {
        if copies.iter().any(|c| c.key.holder() == Holder::Vault) {
            return Ok(());
        }
        let want: Vec<Vec<u8>> = copies
            .iter()
            .filter_map(|c| match c.key.holder() {
                Holder::Subject(s) if !keys.contains_key(&s) => Some(s.to_vec()),
                _ => None,
            })
            .collect();
        if want.is_empty() {
            return Ok(());
        }
        for r in c
            .query(
                "SELECT sid, body FROM phigate_subject_keys WHERE sid = ANY($1)",
                &[&want],
            )
            .await?
        {
            if let Some((s, k)) = subject_key_row(&inner.master, r.get(0), r.get(1))? {
                keys.insert(s, k);
            }
        }
        Ok(())
    }
}

/// Whether a failed batch may run again: a deadlock, a serialisation failure, or a unique
/// violation from a replica inserting the same new row a moment earlier. The SQLSTATE is
/// read from the message's `(code)` suffix that `From<tokio_postgres::Error>` writes.
fn retryable(e: &VaultError) -> bool {
    match e {
        VaultError::Storage(m) => [
            SqlState::T_R_DEADLOCK_DETECTED,
            SqlState::T_R_SERIALIZATION_FAILURE,
            SqlState::UNIQUE_VIOLATION,
        ]
        .iter()
        .any(|s| m.ends_with(&format!("({})", s.code()))),
        _ => false,
    }
}
