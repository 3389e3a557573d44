//! The PostgreSQL vault's schema: its versions and the migrations between them.
//!
//! Owns `phigate_schema` (the versions applied), the SQL of each version, and how they run:
//! at start-up, inside one transaction holding a transaction-level advisory lock, so replicas
//! starting together apply each version once and the others wait, then find it applied. A
//! database whose schema is newer than this binary is refused.

use tokio_postgres::Client;

use super::storage;
use crate::vault::VaultError;

/// The schema version this binary writes.
pub const SCHEMA_VERSION: i32 = 4;
/// Migrations by version; each runs once, in order, in the start-up transaction.
const MIGRATIONS: &[(i32, &str)] = &[
    (
        1,
        "CREATE TABLE phigate_meta (key text PRIMARY KEY, value text NOT NULL);
     CREATE TABLE phigate_tokens (token text PRIMARY KEY, record bytea NOT NULL);
     CREATE TABLE phigate_index (key bytea PRIMARY KEY, token text NOT NULL, sid bytea);
     CREATE INDEX phigate_index_sid ON phigate_index (sid) WHERE sid IS NOT NULL;
     CREATE TABLE phigate_holdings (sid bytea NOT NULL, token text NOT NULL,
                                    PRIMARY KEY (sid, token));
     CREATE TABLE phigate_subject_keys (sid bytea PRIMARY KEY, body bytea NOT NULL);",
    ),
    // The audit logs' witnesses (crate::audit::witness): each log's newest checkpoint.
    (
        2,
        "CREATE TABLE phigate_audit_witness (log_id text PRIMARY KEY, location text NOT NULL,
                                         checkpoint text NOT NULL);
     CREATE INDEX phigate_audit_witness_location ON phigate_audit_witness (location);",
    ),
    // Shared values (crate::vault::shared): a value's data key wrapped for each holder;
    // `holder` is the subject id, or empty for documents without a patient.
    (
        3,
        "CREATE TABLE phigate_value_keys (token text NOT NULL, holder bytea NOT NULL,
                                      body bytea NOT NULL, PRIMARY KEY (token, holder));",
    ),
    // Patient memory (crate::vault::memory): a memory's forms (keyed hashes) and each
    // patient key's link to its memory.
    (
        4,
        "CREATE TABLE phigate_memory (id bytea NOT NULL, hash bytea NOT NULL,
                                  entry bytea NOT NULL, PRIMARY KEY (id, hash));
     CREATE TABLE phigate_memory_links (sid bytea PRIMARY KEY, id bytea NOT NULL);
     CREATE INDEX phigate_memory_links_id ON phigate_memory_links (id);",
    ),
];
/// The advisory lock migrations hold ("phigate" and the schema table's purpose).
const MIGRATION_LOCK: i64 = 0x7068_6967_6174_6531;

/// Applies pending migrations under a transaction-level advisory lock.
pub(super) async fn migrate(client: &mut Client) -> Result<(), VaultError> {
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS phigate_schema (
             version integer PRIMARY KEY,
             applied_at timestamptz NOT NULL DEFAULT now())",
    )
    .await?;
    let current: i32 = tx
        .query_one("SELECT coalesce(max(version), 0) FROM phigate_schema", &[])
        .await?
        .get(0);
    if current > SCHEMA_VERSION {
        return Err(storage(format!(
            "the database schema is version {current}, newer than this phigate knows ({SCHEMA_VERSION}); upgrade phigate"
        )));
    }
    for (version, sql) in MIGRATIONS {
        if *version > current {
            tx.batch_execute(sql).await?;
            tx.execute(
                "INSERT INTO phigate_schema (version) VALUES ($1)",
                &[version],
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}
