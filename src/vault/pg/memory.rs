//! The PostgreSQL vault's patient memory ([`crate::vault::memory`] rows in two tables).
//!
//! Owns `phigate_memory(id, hash, entry)` (a memory's forms) and
//! `phigate_memory_links(sid, id)` (each patient key's memory; the back links sled keeps
//! are the `id` index here). Opening a memory is one round trip (the links and the first
//! linked memory's forms in one statement); extending one is a transaction that only runs
//! when a payload taught something new; forgetting removes a memory with all its links.

use std::sync::Arc;

use rustc_hash::FxHashMap;

use super::PgVault;
use crate::memory::{Memory, Remembered};
use crate::vault::memory as rows;
use crate::vault::{SubjectId, VaultError};

/// The links of the given subject ids, then the forms of the first one linked (in the
/// order given): link rows have `hash` null, form rows `sid` null.
const OPEN: &str = "WITH l AS (SELECT sid, id FROM phigate_memory_links WHERE sid = ANY($1)),
     first AS (SELECT id FROM l ORDER BY array_position($1, l.sid) LIMIT 1)
     SELECT sid, id, NULL::bytea AS hash, NULL::bytea AS entry FROM l
     UNION ALL
     SELECT NULL, m.id, m.hash, m.entry FROM phigate_memory m WHERE m.id = (SELECT id FROM first)";

/// One row of [`OPEN`]: subject id, memory id, hash, entry.
type OpenRow = (Option<Vec<u8>>, Vec<u8>, Option<Vec<u8>>, Option<Vec<u8>>);

impl PgVault {
    /// The memory a document's patient keys reach ([`crate::transform::token::TokenStore::open_memory`]).
    pub(super) fn open_memory_of(&self, patients: &[&str]) -> Result<Option<Memory>, VaultError> {
        let sids = rows::subject_ids(&self.inner.index_key, patients);
        if sids.is_empty() {
            return Ok(None);
        }
        let pool = Arc::clone(&self.inner.pool);
        let params: Vec<Vec<u8>> = sids.iter().map(|s| s.to_vec()).collect();
        let found: Vec<OpenRow> = self.run(async move {
            let c = pool.get().await?;
            Ok(c.client
                .query(OPEN, &[&params])
                .await?
                .iter()
                .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
                .collect())
        })?;
        let mut links: Vec<Option<SubjectId>> = vec![None; sids.len()];
        let mut forms = FxHashMap::default();
        for (sid, id, hash, entry) in found {
            match (sid, hash, entry) {
                (Some(sid), _, _) => {
                    if let Some(at) = sids.iter().position(|s| s[..] == sid[..]) {
                        links[at] = rows::read_sid(&id);
                    }
                }
                (None, Some(hash), Some(entry)) => {
                    let key = [id.as_slice(), hash.as_slice()].concat();
                    forms.extend(rows::read_forms(&key, &entry));
                }
                _ => {}
            }
        }
        let Some((id, _, unlinked)) = rows::resolve(&sids, &links) else {
            return Ok(None);
        };
        Ok(Some(rows::memory(
            &self.inner.index_key,
            id,
            forms,
            unlinked,
        )))
    }

    /// Writes new forms and links in one transaction.
    pub(super) fn extend_memory_of(
        &self,
        m: &Memory,
        new: &[(u64, Remembered)],
    ) -> Result<(), VaultError> {
        let pool = Arc::clone(&self.inner.pool);
        let id = m.id().to_vec();
        let links: Vec<Vec<u8>> = m.unlinked().iter().map(|s| s.to_vec()).collect();
        let forms: Vec<(Vec<u8>, Vec<u8>)> = new
            .iter()
            .map(|(h, r)| (h.to_be_bytes().to_vec(), r.encode().to_vec()))
            .collect();
        self.run(async move {
            let mut c = pool.get().await?;
            let tx = c.client.transaction().await?;
            for sid in &links {
                tx.execute(
                    "INSERT INTO phigate_memory_links (sid, id) VALUES ($1, $2)
                     ON CONFLICT (sid) DO NOTHING",
                    &[sid, &id],
                )
                .await?;
            }
            for (hash, entry) in &forms {
                tx.execute(
                    "INSERT INTO phigate_memory (id, hash, entry) VALUES ($1, $2, $3)
                     ON CONFLICT (id, hash) DO UPDATE SET entry = EXCLUDED.entry",
                    &[&id, hash, entry],
                )
                .await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    /// Removes the memory `sid` reaches and every link to it; the rows removed.
    pub(super) fn forget_memory(&self, sid: &SubjectId) -> Result<u64, VaultError> {
        let pool = Arc::clone(&self.inner.pool);
        let sid = sid.to_vec();
        self.run(async move {
            let c = pool.get().await?;
            let n: i64 = c
                .client
                .query_one(
                    "WITH m AS (SELECT id FROM phigate_memory_links WHERE sid = $1),
                          f AS (DELETE FROM phigate_memory WHERE id IN (SELECT id FROM m)
                                RETURNING 1),
                          l AS (DELETE FROM phigate_memory_links WHERE id IN (SELECT id FROM m)
                                RETURNING 1)
                     SELECT (SELECT count(*) FROM f) + (SELECT count(*) FROM l)",
                    &[&sid],
                )
                .await?
                .get(0);
            Ok(u64::try_from(n).unwrap_or(0))
        })
    }

    /// Rows of the patient memory a patient key reaches (forms and links); 0 for none.
    pub fn memory_rows(&self, patient_key: &str) -> Result<usize, VaultError> {
        let Some(sid) = self.subject_id(patient_key) else {
            return Ok(0);
        };
        let pool = Arc::clone(&self.inner.pool);
        let sid = sid.to_vec();
        self.run(async move {
            let c = pool.get().await?;
            let n: i64 = c
                .client
                .query_one(
                    "WITH m AS (SELECT id FROM phigate_memory_links WHERE sid = $1)
                     SELECT (SELECT count(*) FROM phigate_memory WHERE id IN (SELECT id FROM m))
                          + (SELECT count(*) FROM phigate_memory_links
                             WHERE id IN (SELECT id FROM m))",
                    &[&sid],
                )
                .await?
                .get(0);
            Ok(usize::try_from(n).unwrap_or(0))
        })
    }

    /// Every memory row of the database (forms and links), whatever patient.
    pub fn memory_len(&self) -> Result<u64, VaultError> {
        let pool = Arc::clone(&self.inner.pool);
        self.run(async move {
            let c = pool.get().await?;
            let n: i64 = c
                .client
                .query_one(
                    "SELECT (SELECT count(*) FROM phigate_memory)
                          + (SELECT count(*) FROM phigate_memory_links)",
                    &[],
                )
                .await?
                .get(0);
            Ok(u64::try_from(n).unwrap_or(0))
        })
    }
}
