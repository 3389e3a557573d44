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
use crate::transform::token::{token_input, Prepared, TokenMinter, TokenRequest};
use crate::vault::keyring::{new_subject_key, unwrap_entry, wrap_entry, Keys};
use crate::vault::record::{self, Holder, Sealed};
use crate::vault::seal::same_value;
use crate::vault::shared;
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
        self.tokenize_items(sid, items, exact)
    }

    /// [`PgVault::tokenize_batch`] of prepared values: each one's token input and first
    /// attempt are reused from its provisional token (the look-up key is still computed).
    pub(super) fn tokenize_prepared_batch(
        &self,
        patient: Option<&str>,
        batch: &[&Prepared],
        exact: bool,
    ) -> Result<Vec<String>, VaultError> {
        if batch.is_empty() {
            return Ok(Vec::new());
        }
        let sid = patient.and_then(|p| self.subject_id(p));
        let items = batch
            .iter()
            .enumerate()
            .map(|(pos, p)| {
                let (norm, first) = self.minter.reuse(p, exact);
                self.item_of(
                    pos,
                    sid.as_ref(),
                    p.ty(),
                    p.value(),
                    norm.into_owned(),
                    first.into_owned(),
                )
            })
            .collect();
        self.tokenize_items(sid, items, exact)
    }

    /// Looks up, or mints, the items of one batch on the vault's runtime.
    fn tokenize_items(
        &self,
        sid: Option<SubjectId>,
        items: Vec<Item>,
        exact: bool,
    ) -> Result<Vec<String>, VaultError> {
        let inner = Arc::clone(&self.inner);
        let minter = Arc::clone(&self.minter);
        self.run(Self::tokenize_async(inner, minter, sid, items, exact))
    }

    /// One value of a batch, with its look-up key and its first-attempt token.
    fn item(&self, pos: usize, sid: Option<&SubjectId>, r: &TokenRequest<'_>, exact: bool) -> Item {
        let norm = token_input(r.ty, r.value, exact);
        let first = self.minter.mint(r.ty, &norm, 0);
        self.item_of(pos, sid, r.ty, r.value, norm, first)
    }

    /// One value of a batch whose token input and first-attempt token are known.
    fn item_of(
        &self,
        pos: usize,
        sid: Option<&SubjectId>,
        ty: PhiType,
        value: &str,
        norm: String,
        first: String,
    ) -> Item {
        Item {
            pos,
            ty,
            value: value.to_string(),
            key: self.inner.index_key.lookup(&self.domain, sid, ty, &norm),
            first,
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
            let body = wrap_entry(&inner.chain, &inner.rng, sid, &key, inner.wrap_id)?;
            c.execute(&st.insert_key, &[&id, &body]).await?;
            // This transaction's key, or the one a concurrent opener committed first.
            row = c.query_opt(&st.key_for_share, &[&id]).await?;
        }
        let body: Vec<u8> = row.ok_or(VaultError::UnknownSubject)?.get(0);
        let key = unwrap_entry(&inner.chain, sid, &body)?.ok_or(VaultError::Corrupt)?;
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
                if Self::add_holder(inner, &tx, st, &token, &held, holder, it, exact, &mut keys)
                    .await?
                {
                    break token;
                }
                // A collision: the next attempt, as every replica and sled derive it.
                attempt += 1;
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

    /// Makes `holder` a holder of the locked record `held` of `token` if it holds this
    /// value (`false`: another value, a collision): a holding row for a shared record; for
    /// a one-copy record, its conversion into a shared record ([`crate::vault::shared`]),
    /// rows for every holder, in this transaction.
    #[allow(clippy::too_many_arguments)]
    async fn add_holder(
        inner: &Inner,
        tx: &impl GenericClient,
        st: &Stmts,
        token: &str,
        held: &[u8],
        holder: Holder,
        it: &Item,
        exact: bool,
        keys: &mut Keys,
    ) -> Result<bool, VaultError> {
        let t = token.as_bytes();
        if shared::is_shared(held) {
            let (rows, row_keys) = PgVault::value_key_rows(inner, tx, st, token, 4).await?;
            keys.extend(row_keys);
            let vk = shared::unwrap_any(
                &inner.sealer,
                keys,
                t,
                rows.iter().map(|(h, r)| (*h, r.as_slice())),
            )?;
            let other = shared::open_value(&vk, t, held)?;
            if !same_value(&other, it.ty, &it.norm, exact) {
                return Ok(false);
            }
            let row = shared::wrap_for(&inner.sealer, keys, t, holder, &vk)?;
            tx.execute(&st.insert_value_key, &[&token, &holder_col(holder), &row])
                .await?;
            return Ok(true);
        }
        let copies = record::copies(held)?;
        Self::load_keys(inner, tx, &copies, keys, true).await?;
        let other = inner.sealer.open_any(t, &copies, keys)?;
        if !same_value(&other, it.ty, &it.norm, exact) {
            return Ok(false);
        }
        if record::held_by(&copies, holder) {
            return Ok(true);
        }
        let vk = shared::ValueKey::generate(&inner.rng)?;
        for h in copies.iter().map(|c| c.key.holder()).chain([holder]) {
            let row = shared::wrap_for(&inner.sealer, keys, t, h, &vk)?;
            tx.execute(&st.insert_value_key, &[&token, &holder_col(h), &row])
                .await?;
        }
        let record = shared::seal_value(&vk, token, other.ty, &other.value)?;
        tx.execute(&st.update_token, &[&token, &record]).await?;
        Ok(true)
    }

    /// Adds to `keys` the subject keys of `copies` it lacks (`all`: even when a vault-wide
    /// copy would open the record without them).
    async fn load_keys(
        inner: &Inner,
        c: &impl GenericClient,
        copies: &[Sealed],
        keys: &mut Keys,
        all: bool,
    ) -> Result<(), VaultError> {
        if !all && copies.iter().any(|c| c.key.holder() == Holder::Vault) {
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
            if let Some((s, k)) = subject_key_row(&inner.chain, r.get(0), r.get(1))? {
                keys.insert(s, k);
            }
        }
        Ok(())
    }
}

/// The `holder` column of a holding row: the subject id, or empty for the vault-wide key.
pub(super) fn holder_col(holder: Holder) -> Vec<u8> {
    match holder {
        Holder::Vault => Vec::new(),
        Holder::Subject(sid) => sid.to_vec(),
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
