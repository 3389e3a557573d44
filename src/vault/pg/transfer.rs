//! `vault migrate`: copying a sled vault into an empty PostgreSQL database and back.
//!
//! Both backends keep the same records, look-up keys and wrapped subject keys under the same
//! master key, so rows are copied as they are, never decrypted; the counters (active key id,
//! forgotten records) travel with them.

use std::sync::Arc;

use tokio_postgres::types::ToSql;

use super::mint::holder_col;
use super::{storage, PgVault, PAGE};
use crate::vault::index::lookup_subject;
use crate::vault::memory;
use crate::vault::record::{self, Holder};
use crate::vault::seal::KEY_ID;
use crate::vault::shared;
use crate::vault::{SledVault, TreeId, VaultError};

impl PgVault {
    /// Copies a sled vault's records, index, subject keys and counters into this (empty)
    /// database; both are under the same master key, so nothing is decrypted.
    pub fn import_sled(&self, sled: &SledVault) -> Result<u64, VaultError> {
        if !self.is_empty()? {
            return Err(storage(format!(
                "{} already holds tokens; migrate into an empty database",
                self.inner.name
            )));
        }
        let mut batch: Vec<(TreeId, Vec<u8>, Vec<u8>)> = Vec::new();
        let mut n = 0u64;
        for e in sled.entries() {
            let (tree, k, v) = e?;
            if tree == TreeId::Tokens {
                n += 1;
            }
            batch.push((tree, k.to_vec(), v.to_vec()));
            if batch.len() >= 2000 {
                self.insert_rows(std::mem::take(&mut batch))?;
            }
        }
        self.insert_rows(batch)?;
        let keyid = sled.active_key_id()?.to_string();
        let forgotten = sled.forgotten()?.to_string();
        let pool = Arc::clone(&self.inner.pool);
        self.run(async move {
            let c = pool.get().await?;
            for (k, v) in [("keyid", keyid), ("forgotten", forgotten)] {
                c.client
                    .execute(
                        "INSERT INTO phigate_meta (key, value) VALUES ($1, $2)
                         ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                        &[&k, &v],
                    )
                    .await?;
            }
            Ok(())
        })?;
        Ok(n)
    }

    fn insert_rows(&self, rows: Vec<(TreeId, Vec<u8>, Vec<u8>)>) -> Result<(), VaultError> {
        let pool = Arc::clone(&self.inner.pool);
        self.run(async move {
            let mut c = pool.get().await?;
            let tx = c.client.transaction().await?;
            for (tree, k, v) in rows {
                match tree {
                    TreeId::Keyring => {
                        tx.execute(
                            "INSERT INTO phigate_subject_keys (sid, body) VALUES ($1, $2)",
                            &[&k, &v],
                        )
                        .await?;
                    }
                    TreeId::Tokens => {
                        let token = String::from_utf8(k).map_err(|_| VaultError::Corrupt)?;
                        // A shared record's holders come as holding rows.
                        let copies = if shared::is_shared(&v) {
                            Vec::new()
                        } else {
                            record::copies(&v)?
                        };
                        tx.execute(
                            "INSERT INTO phigate_tokens (token, record) VALUES ($1, $2)",
                            &[&token, &v],
                        )
                        .await?;
                        for c in &copies {
                            if let Holder::Subject(s) = c.key.holder() {
                                tx.execute(
                                    "INSERT INTO phigate_holdings (sid, token) VALUES ($1, $2)",
                                    &[&s.as_slice(), &token],
                                )
                                .await?;
                            }
                        }
                    }
                    TreeId::Holdings => {
                        let (token, holder) =
                            shared::parse_holding_key(&k).ok_or(VaultError::Corrupt)?;
                        let token = std::str::from_utf8(token)
                            .map_err(|_| VaultError::Corrupt)?
                            .to_string();
                        tx.execute(
                            "INSERT INTO phigate_value_keys (token, holder, body) VALUES ($1, $2, $3)",
                            &[&token, &holder_col(holder), &v],
                        )
                        .await?;
                        if let Holder::Subject(s) = holder {
                            tx.execute(
                                "INSERT INTO phigate_holdings (sid, token) VALUES ($1, $2)
                                 ON CONFLICT DO NOTHING",
                                &[&s.as_slice(), &token],
                            )
                            .await?;
                        }
                    }
                    TreeId::Meta => {
                        // The token root (the only metadata that travels), as hex.
                        let key = String::from_utf8(k).map_err(|_| VaultError::Corrupt)?;
                        tx.execute(
                            "INSERT INTO phigate_meta (key, value) VALUES ($1, $2)
                             ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                            &[&key, &crate::hex::encode(&v)],
                        )
                        .await?;
                    }
                    // Sled packs a document's forms into one row; here each is its own row
                    // (a form written twice by two documents at once is kept once).
                    TreeId::Memory if k.len() == memory::FORM_KEY_LEN => {
                        let id = &k[..k.len() - 8];
                        for (hash, form) in memory::read_forms(&k, &v) {
                            tx.execute(
                                "INSERT INTO phigate_memory (id, hash, entry) VALUES ($1, $2, $3)
                                 ON CONFLICT DO NOTHING",
                                &[&id, &hash.to_be_bytes().as_slice(), &form.encode().as_slice()],
                            )
                            .await?;
                        }
                    }
                    // Back links are the links' `id` column here.
                    TreeId::MemoryLinks if k.len() == memory::BACK_LINK_LEN => {}
                    TreeId::MemoryLinks => {
                        tx.execute(
                            "INSERT INTO phigate_memory_links (sid, id) VALUES ($1, $2)",
                            &[&k, &v],
                        )
                        .await?;
                    }
                    TreeId::Memory => return Err(VaultError::Corrupt),
                    TreeId::Index => {
                        let token = String::from_utf8(v).map_err(|_| VaultError::Corrupt)?;
                        let sid = lookup_subject(&k);
                        tx.execute(
                            "INSERT INTO phigate_index (key, token, sid) VALUES ($1, $2, $3)",
                            &[&k, &token, &sid],
                        )
                        .await?;
                    }
                }
            }
            tx.commit().await?;
            Ok(())
        })
    }

    /// Copies this database's records, index, subject keys and counters into an empty sled
    /// vault opened under the same master key.
    pub fn export_sled(&self, sled: &SledVault) -> Result<u64, VaultError> {
        if !sled.is_empty() {
            return Err(VaultError::Storage(
                "the sled vault already holds tokens; migrate into a new directory".into(),
            ));
        }
        let keyid: u32 = self
            .meta("keyid")?
            .and_then(|v| v.parse().ok())
            .unwrap_or(KEY_ID);
        let pool = Arc::clone(&self.inner.pool);
        let ring: Vec<(Vec<u8>, Vec<u8>)> = self.run(async move {
            let c = pool.get().await?;
            Ok(c.client
                .query("SELECT sid, body FROM phigate_subject_keys", &[])
                .await?
                .iter()
                .map(|r| (r.get(0), r.get(1)))
                .collect())
        })?;
        sled.activate_key_id(keyid)?;
        sled.restore_keyring(&ring, keyid)?;
        if let Some(root) = self.meta("tokenroot")?.and_then(|h| crate::hex::decode(&h)) {
            sled.restore_entry(TreeId::Meta, b"tokenroot", &root)?;
        }
        let mut n = 0u64;
        for (tree, sql) in [
            (
                TreeId::Tokens,
                "SELECT token::bytea, record FROM phigate_tokens WHERE token::bytea > $1 ORDER BY token::bytea LIMIT $2",
            ),
            (
                TreeId::Index,
                "SELECT key, token::bytea FROM phigate_index WHERE key > $1 ORDER BY key LIMIT $2",
            ),
            (
                TreeId::Memory,
                "SELECT id || hash, entry FROM phigate_memory WHERE id || hash > $1
                 ORDER BY id || hash LIMIT $2",
            ),
            // Each link, and its back link (memory id ‖ subject id → empty) sled keeps.
            (
                TreeId::MemoryLinks,
                "SELECT k, v FROM (SELECT sid AS k, id AS v FROM phigate_memory_links
                                   UNION ALL
                                   SELECT id || sid, ''::bytea FROM phigate_memory_links) x
                 WHERE k > $1 ORDER BY k LIMIT $2",
            ),
            (
                TreeId::Holdings,
                "SELECT token::bytea || '\\x00'::bytea || holder, body FROM phigate_value_keys
                 WHERE token::bytea || '\\x00'::bytea || holder > $1
                 ORDER BY token::bytea || '\\x00'::bytea || holder LIMIT $2",
            ),
        ] {
            let mut after: Vec<u8> = Vec::new();
            loop {
                let pool = Arc::clone(&self.inner.pool);
                let from = after.clone();
                let rows: Vec<(Vec<u8>, Vec<u8>)> = self.run(async move {
                    let c = pool.get().await?;
                    let params: [&(dyn ToSql + Sync); 2] = [&from, &PAGE];
                    Ok(c.client
                        .query(sql, &params)
                        .await?
                        .iter()
                        .map(|r| (r.get(0), r.get(1)))
                        .collect())
                })?;
                let Some(last) = rows.last() else { break };
                after = last.0.clone();
                for (k, v) in &rows {
                    sled.restore_entry(tree, k, v)?;
                    if tree == TreeId::Tokens {
                        n += 1;
                    }
                }
            }
        }
        sled.restore_forgotten(self.forgotten()?)?;
        sled.flush()?;
        Ok(n)
    }
}
