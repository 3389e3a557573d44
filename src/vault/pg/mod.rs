//! The PostgreSQL vault: the same records, keys and tokens as the sled vault, in tables that
//! several gateway replicas share.
//!
//! Tokens are computed by [`TokenMinter`] (a keyed hash), so replicas under one master key
//! agree on every token without coordinating; the database only holds the mappings. Values
//! are sealed exactly as the sled vault seals them (the same [`record`] encoding, the same
//! key hierarchy, the same per-patient subject keys and index keys), so `vault migrate` copies
//! rows without decrypting them and either backend reveals the other's tokens.
//!
//! # Schema (`phigate_schema` version 1)
//!
//! - `phigate_meta(key, value)`: `keycheck` (refuses a wrong master key), `keyid` (the active
//!   value-key id), `forgotten` (records made unrevealable by forgetting patients);
//! - `phigate_tokens(token, record)`: one row per token, the sealed copies ([`record`]);
//! - `phigate_index(key, token, sid)`: look-up key → token; `sid` is the subject id for a
//!   patient's look-ups (so forgetting finds them), null otherwise;
//! - `phigate_holdings(sid, token)`: which records hold a copy under which patient's key;
//! - `phigate_subject_keys(sid, body)`: each patient's data key, wrapped under a key derived
//!   from the master key (the keyring's entry body, wrap key id inside).
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

use std::collections::HashMap;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use ring::hmac;
use ring::rand::SystemRandom;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio_postgres::error::SqlState;
use tokio_postgres::tls::{ChannelBinding, MakeTlsConnect, TlsConnect, TlsStream};
use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, GenericClient, NoTls, Statement};

use super::keyring::{new_subject_key, unwrap_entry, wrap_entry, Keys};
use super::record::{self, Holder, Sealed};
use super::{
    index_key_with, open_any_with, seal_copy, subject_id_with, value_key, Forgotten, SledVault,
    SubjectId, TreeId, ValueKeys, VaultError, VaultStore, KEY_ID, SUBJECT_ID_LEN,
};
use crate::keys::{MasterKey, Purpose};
use crate::phi::PhiType;
use crate::transform::token::{
    token_input, Revealed, TokenError, TokenMinter, TokenRequest, TokenStore,
};

/// The schema version this binary writes.
pub const SCHEMA_VERSION: i32 = 2;
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
];
/// The advisory lock migrations hold ("phigate" and the schema table's purpose).
const MIGRATION_LOCK: i64 = 0x7068_6967_6174_6531;
/// How long a synchronous call waits for the database before failing (closed).
const CALL_TIMEOUT: Duration = Duration::from_secs(30);
/// Transactions retried after a deadlock or serialisation failure.
const TX_ATTEMPTS: usize = 8;
/// Rows per page when reading a whole table.
const PAGE: i64 = 1000;

/// Where the database is and how to reach it.
#[derive(Debug, Clone)]
pub struct PgOptions {
    /// `postgres://user@host:port/db?sslmode=disable|require|verify-full[&sslrootcert=FILE]`
    pub url: String,
    /// A file holding the password (overrides one in the URL).
    pub password_file: Option<PathBuf>,
    /// CA bundle for `verify-full` (overrides `sslrootcert`; default: the system roots).
    pub ca: Option<PathBuf>,
    /// Connections in the pool.
    pub pool_size: usize,
}

impl PgOptions {
    pub fn new(url: &str) -> PgOptions {
        PgOptions {
            url: url.to_string(),
            password_file: None,
            ca: None,
            pool_size: 4,
        }
    }
}

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

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SslMode {
    Disable,
    Require,
    VerifyFull,
}

/// Splits our TLS settings off the URL (tokio-postgres knows neither `verify-full` nor
/// `sslrootcert`) and builds the connection settings.
fn parse_url(
    opts: &PgOptions,
) -> Result<(tokio_postgres::Config, SslMode, Option<PathBuf>), VaultError> {
    let (base, query) = match opts.url.split_once('?') {
        Some((b, q)) => (b, q),
        None => (opts.url.as_str(), ""),
    };
    let mut mode = SslMode::VerifyFull;
    let mut rootcert = None;
    let mut rest = form_urlencoded::Serializer::new(String::new());
    for (k, v) in form_urlencoded::parse(query.as_bytes()) {
        match &*k {
            "sslmode" => {
                mode = match &*v {
                    "disable" => SslMode::Disable,
                    "require" => SslMode::Require,
                    "verify-full" => SslMode::VerifyFull,
                    other => {
                        return Err(storage(format!(
                            "sslmode `{other}` is not supported (disable, require or verify-full)"
                        )))
                    }
                }
            }
            "sslrootcert" => rootcert = Some(PathBuf::from(&*v)),
            _ => {
                rest.append_pair(&k, &v);
            }
        }
    }
    let rest = rest.finish();
    let url = if rest.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{rest}")
    };
    let mut cfg: tokio_postgres::Config = url
        .parse()
        .map_err(|e| storage(format!("the vault url does not parse: {e}")))?;
    if let Some(file) = &opts.password_file {
        let pw = std::fs::read_to_string(file)
            .map_err(|e| storage(format!("reading {}: {e}", file.display())))?;
        cfg.password(pw.trim_end_matches(['\r', '\n']));
    }
    cfg.ssl_mode(if mode == SslMode::Disable {
        tokio_postgres::config::SslMode::Disable
    } else {
        tokio_postgres::config::SslMode::Require
    });
    cfg.connect_timeout(Duration::from_secs(10));
    cfg.application_name("phigate");
    Ok((cfg, mode, opts.ca.clone().or(rootcert)))
}

/// Names the database for messages (never the password).
fn describe(cfg: &tokio_postgres::Config) -> String {
    let host = cfg
        .get_hosts()
        .first()
        .map(|h| match h {
            tokio_postgres::config::Host::Tcp(h) => h.clone(),
            #[cfg(unix)]
            tokio_postgres::config::Host::Unix(p) => p.display().to_string(),
        })
        .unwrap_or_default();
    let port = cfg.get_ports().first().copied().unwrap_or(5432);
    format!(
        "postgres://{host}:{port}/{}",
        cfg.get_dbname().unwrap_or("")
    )
}

// ---- TLS: a small MakeTlsConnect over tokio-rustls (ring) ----

#[derive(Clone)]
struct MakeRustls {
    config: Arc<rustls::ClientConfig>,
}

struct RustlsConnect {
    config: Arc<rustls::ClientConfig>,
    name: rustls::pki_types::ServerName<'static>,
}

struct RustlsStream<S>(tokio_rustls::client::TlsStream<S>);

impl<S> MakeTlsConnect<S> for MakeRustls
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    type Stream = RustlsStream<S>;
    type TlsConnect = RustlsConnect;
    type Error = std::io::Error;

    fn make_tls_connect(&mut self, domain: &str) -> std::io::Result<RustlsConnect> {
        let name = rustls::pki_types::ServerName::try_from(domain.to_string())
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
        Ok(RustlsConnect {
            config: Arc::clone(&self.config),
            name,
        })
    }
}

impl<S> TlsConnect<S> for RustlsConnect
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    type Stream = RustlsStream<S>;
    type Error = std::io::Error;
    type Future = Pin<Box<dyn Future<Output = std::io::Result<RustlsStream<S>>> + Send>>;

    fn connect(self, stream: S) -> Self::Future {
        Box::pin(async move {
            let s = tokio_rustls::TlsConnector::from(self.config)
                .connect(self.name, stream)
                .await?;
            Ok(RustlsStream(s))
        })
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncRead for RustlsStream<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncWrite for RustlsStream<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> TlsStream for RustlsStream<S> {
    fn channel_binding(&self) -> ChannelBinding {
        // SCRAM without channel binding (the server's certificate was checked, or, with
        // `require`, deliberately not).
        ChannelBinding::none()
    }
}

/// `sslmode=require`: encrypted, the certificate not checked (libpq's meaning without a
/// root certificate). Handshake signatures are still verified.
#[derive(Debug)]
struct NoCertCheck(Arc<rustls::crypto::CryptoProvider>);

impl rustls::client::danger::ServerCertVerifier for NoCertCheck {
    fn verify_server_cert(
        &self,
        _: &rustls::pki_types::CertificateDer<'_>,
        _: &[rustls::pki_types::CertificateDer<'_>],
        _: &rustls::pki_types::ServerName<'_>,
        _: &[u8],
        _: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }
    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

fn tls_config(mode: SslMode, ca: Option<&Path>) -> Result<Option<MakeRustls>, VaultError> {
    let config = match mode {
        SslMode::Disable => return Ok(None),
        SslMode::VerifyFull => crate::tls::client_config(ca).map_err(storage)?,
        SslMode::Require => {
            let provider = crate::tls::provider();
            rustls::ClientConfig::builder_with_provider(Arc::clone(&provider))
                .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
                .map_err(storage)?
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(NoCertCheck(provider)))
                .with_no_client_auth()
        }
    };
    Ok(Some(MakeRustls {
        config: Arc::new(config),
    }))
}

// ---- The pool ----

/// Prepared statements, per connection.
struct Stmts {
    lookup: Statement,
    insert_token: Statement,
    lock_token: Statement,
    update_token: Statement,
    insert_index: Statement,
    insert_holding: Statement,
    key_for_share: Statement,
    insert_key: Statement,
    reveal: Statement,
}

struct Conn {
    client: Client,
    st: Stmts,
}

impl Conn {
    async fn prepare(client: Client) -> Result<Conn, VaultError> {
        let st = Stmts {
            lookup: client
                .prepare("SELECT key, token FROM phigate_index WHERE key = ANY($1)")
                .await?,
            insert_token: client
                .prepare(
                    "INSERT INTO phigate_tokens (token, record) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                )
                .await?,
            lock_token: client
                .prepare("SELECT record FROM phigate_tokens WHERE token = $1 FOR UPDATE")
                .await?,
            update_token: client
                .prepare("UPDATE phigate_tokens SET record = $2 WHERE token = $1")
                .await?,
            insert_index: client
                .prepare(
                    "INSERT INTO phigate_index (key, token, sid) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                )
                .await?,
            insert_holding: client
                .prepare(
                    "INSERT INTO phigate_holdings (sid, token) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                )
                .await?,
            key_for_share: client
                .prepare("SELECT body FROM phigate_subject_keys WHERE sid = $1 FOR SHARE")
                .await?,
            insert_key: client
                .prepare(
                    "INSERT INTO phigate_subject_keys (sid, body) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                )
                .await?,
            reveal: client
                .prepare(
                    "SELECT t.record, k.sid, k.body FROM phigate_tokens t
                     LEFT JOIN phigate_holdings h ON h.token = t.token
                     LEFT JOIN phigate_subject_keys k ON k.sid = h.sid
                     WHERE t.token = $1",
                )
                .await?,
        };
        Ok(Conn { client, st })
    }
}

struct Pool {
    cfg: tokio_postgres::Config,
    tls: Option<MakeRustls>,
    idle: Mutex<Vec<Conn>>,
    permits: tokio::sync::Semaphore,
}

/// A connection checked out of the pool; returned on drop unless it broke.
struct Pooled<'a> {
    conn: Option<Conn>,
    pool: &'a Pool,
    _permit: tokio::sync::SemaphorePermit<'a>,
}

impl std::ops::Deref for Pooled<'_> {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        self.conn.as_ref().unwrap_or_else(|| unreachable!())
    }
}

impl std::ops::DerefMut for Pooled<'_> {
    fn deref_mut(&mut self) -> &mut Conn {
        self.conn.as_mut().unwrap_or_else(|| unreachable!())
    }
}

impl Drop for Pooled<'_> {
    fn drop(&mut self) {
        if let Some(c) = self.conn.take() {
            if !c.client.is_closed() {
                if let Ok(mut idle) = self.pool.idle.lock() {
                    idle.push(c);
                }
            }
        }
    }
}

impl Pool {
    async fn connect(&self) -> Result<Client, VaultError> {
        let spawn = |conn: Pin<Box<dyn Future<Output = ()> + Send>>| {
            tokio::spawn(conn);
        };
        let client = match &self.tls {
            None => {
                let (client, conn) = self.cfg.connect(NoTls).await?;
                spawn(Box::pin(async move {
                    let _ = conn.await;
                }));
                client
            }
            Some(tls) => {
                let (client, conn) = self.cfg.connect(tls.clone()).await?;
                spawn(Box::pin(async move {
                    let _ = conn.await;
                }));
                client
            }
        };
        Ok(client)
    }

    async fn get(&self) -> Result<Pooled<'_>, VaultError> {
        let permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| storage("the pool is closed"))?;
        let reused = loop {
            let c = self.idle.lock().map_err(|_| storage("pool lock"))?.pop();
            match c {
                Some(c) if c.client.is_closed() => continue,
                other => break other,
            }
        };
        let conn = match reused {
            Some(c) => c,
            None => Conn::prepare(self.connect().await?).await?,
        };
        Ok(Pooled {
            conn: Some(conn),
            pool: self,
            _permit: permit,
        })
    }
}

// ---- The vault ----

struct Inner {
    runtime: Mutex<Option<tokio::runtime::Runtime>>,
    handle: tokio::runtime::Handle,
    pool: Arc<Pool>,
    healthy: Arc<AtomicBool>,
    master: MasterKey,
    index_key: hmac::Key,
    value_keys: ValueKeys,
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
    /// Connects, migrates the schema, and checks the master key against the key-check
    /// record (written by the first opener). The calling thread blocks.
    pub fn open(opts: &PgOptions, master: &MasterKey) -> Result<PgVault, VaultError> {
        let (cfg, mode, ca) = parse_url(opts)?;
        let name = describe(&cfg);
        let tls = tls_config(mode, ca.as_deref())?;
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
                Ok(PgVault {
                    inner: Arc::new(inner),
                    minter: Arc::new(TokenMinter::new(master, "")),
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
        let pool = Arc::new(Pool {
            cfg,
            tls,
            idle: Mutex::new(Vec::new()),
            permits: tokio::sync::Semaphore::new(pool_size.max(1)),
        });
        let index_key = master.derive(Purpose::Index, "").hmac();
        let check = hex(hmac::sign(&index_key, b"phigate key check").as_ref());
        let open_err = |reason: String| VaultError::Open {
            path: name.clone(),
            reason,
        };
        let p = Arc::clone(&pool);
        let setup = call(&handle, async move {
            let mut client = p.connect().await?;
            migrate(&mut client).await?;
            client
                .execute(
                    "INSERT INTO phigate_meta (key, value) VALUES ('keycheck', $1) ON CONFLICT DO NOTHING",
                    &[&check],
                )
                .await?;
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
        let active = match meta.get("keyid") {
            Some(v) => v
                .parse::<u32>()
                .map_err(|_| VaultError::Layout { path: name.clone() })?,
            None => KEY_ID,
        };
        let value_keys = (1..=active)
            .map(|id| value_key(master, id).map(|k| (id, k)))
            .collect::<Result<Vec<_>, _>>()?;
        let healthy = Arc::new(AtomicBool::new(true));
        spawn_health_check(&handle, Arc::clone(&pool), Arc::clone(&healthy));
        Ok(Inner {
            runtime: Mutex::new(None),
            handle,
            pool,
            healthy,
            master: MasterKey::from_bytes(*master.as_bytes()),
            index_key,
            value_keys: std::sync::RwLock::new(value_keys),
            wrap_id: active,
            rng: SystemRandom::new(),
            name,
        })
    }

    /// A handle minting in another token domain, sharing the pool and keys.
    pub fn with_domain(&self, domain: &str) -> PgVault {
        PgVault {
            inner: Arc::clone(&self.inner),
            minter: Arc::new(TokenMinter::new(&self.inner.master, domain)),
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
        subject_id_with(&self.inner.index_key, patient_key)
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
            let sid: Vec<u8> = r.get(0);
            let body: Vec<u8> = r.get(1);
            let sid: SubjectId = sid.as_slice().try_into().map_err(|_| VaultError::Corrupt)?;
            let k = unwrap_entry(&inner.master, &sid, &body)?.ok_or(VaultError::Corrupt)?;
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
                    let copies = record::decode(&held).ok_or(VaultError::Corrupt)?;
                    for copy in &copies {
                        open_any_with(
                            &inner.value_keys,
                            token.as_bytes(),
                            std::slice::from_ref(copy),
                            &keys,
                        )?;
                    }
                    n += 1;
                    after = token;
                }
            }
        })
    }

    /// Who holds copies of a token's value; `None` if the vault does not know the token.
    pub fn holders(&self, token: &str) -> Result<Option<super::Holders>, VaultError> {
        let pool = Arc::clone(&self.inner.pool);
        let token = token.to_string();
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
        let copies = record::decode(&held).ok_or(VaultError::Corrupt)?;
        Ok(Some(super::Holders {
            subjects: copies
                .iter()
                .filter_map(|c| match c.key.holder() {
                    Holder::Subject(sid) => Some(sid),
                    Holder::Vault => None,
                })
                .collect(),
            vault_wide: copies.iter().any(|c| c.key.holder() == Holder::Vault),
        }))
    }

    /// Forgets a patient (crypto-shredding, see the module documentation).
    pub fn forget(&self, sid: &SubjectId) -> Result<Forgotten, VaultError> {
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
                    let mut copies = record::decode(&held).ok_or(VaultError::Corrupt)?;
                    let before = copies.len();
                    copies.retain(|c| c.key.holder() != Holder::Subject(mine));
                    if copies.len() == before {
                        continue;
                    }
                    if copies.is_empty() {
                        tx.execute("DELETE FROM phigate_tokens WHERE token = $1", &[&token])
                            .await?;
                        out.records += 1;
                    } else {
                        tx.execute(
                            "UPDATE phigate_tokens SET record = $2 WHERE token = $1",
                            &[&token, &record::encode(&copies)],
                        )
                        .await?;
                        out.shared += 1;
                    }
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
                let copy = seal_copy(
                    &inner.value_keys,
                    &inner.rng,
                    &it.first,
                    holder,
                    it.ty,
                    &it.value,
                    &keys,
                )?;
                Ok(record::encode(std::slice::from_ref(&copy)))
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
                let copy = seal_copy(
                    &inner.value_keys,
                    &inner.rng,
                    &token,
                    holder,
                    it.ty,
                    &it.value,
                    &keys,
                )?;
                let new = record::encode(std::slice::from_ref(&copy));
                if tx.execute(&st.insert_token, &[&token, &new]).await? == 1 {
                    break token;
                }
                let Some(row) = tx.query_opt(&st.lock_token, &[&token]).await? else {
                    continue; // forgotten meanwhile: insert afresh
                };
                let held: Vec<u8> = row.get(0);
                let mut copies = record::decode(&held).ok_or(VaultError::Corrupt)?;
                Self::load_keys(inner, &tx, &copies, &mut keys).await?;
                let other = open_any_with(&inner.value_keys, token.as_bytes(), &copies, &keys)?;
                if other.ty != it.ty || token_input(other.ty, &other.value, exact) != it.norm {
                    // A collision: the next attempt, as every replica and sled derive it.
                    attempt += 1;
                    continue;
                }
                if !copies.iter().any(|c| c.key.holder() == holder) {
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
            let s: Vec<u8> = r.get(0);
            let body: Vec<u8> = r.get(1);
            let s: SubjectId = s.as_slice().try_into().map_err(|_| VaultError::Corrupt)?;
            if let Some(k) = unwrap_entry(&inner.master, &s, &body)? {
                keys.insert(s, k);
            }
        }
        Ok(())
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
        let copies = record::decode(&held).ok_or(VaultError::Corrupt)?;
        let mut keys = Keys::new();
        for r in &rows {
            let (Some(s), Some(body)) = (
                r.get::<_, Option<Vec<u8>>>(1),
                r.get::<_, Option<Vec<u8>>>(2),
            ) else {
                continue;
            };
            let s: SubjectId = s.as_slice().try_into().map_err(|_| VaultError::Corrupt)?;
            if let Some(k) = unwrap_entry(&inner.master, &s, &body)? {
                keys.insert(s, k);
            }
        }
        Ok(Some(open_any_with(
            &inner.value_keys,
            token.as_bytes(),
            &copies,
            &keys,
        )?))
    }

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
                        let copies = record::decode(&v).ok_or(VaultError::Corrupt)?;
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
                    TreeId::Index => {
                        let token = String::from_utf8(v).map_err(|_| VaultError::Corrupt)?;
                        let sid: Option<&[u8]> =
                            (k.len() == SUBJECT_ID_LEN + 32).then(|| &k[..SUBJECT_ID_LEN]);
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

/// Creates a new, empty database named `prefix` and a random suffix on the server of
/// `base_url` (whose role needs CREATEDB) and returns its URL: tests and benchmarks each
/// take one. Blocks the calling thread.
#[doc(hidden)]
pub fn scratch_database(base_url: &str, prefix: &str) -> Result<String, VaultError> {
    let mut suffix = [0u8; 6];
    ring::rand::SecureRandom::fill(&SystemRandom::new(), &mut suffix)
        .map_err(|_| VaultError::Random)?;
    let name = format!("{prefix}_{}", hex(&suffix));
    let (cfg, mode, ca) = parse_url(&PgOptions::new(base_url))?;
    let pool = Arc::new(Pool {
        cfg,
        tls: tls_config(mode, ca.as_deref())?,
        idle: Mutex::new(Vec::new()),
        permits: tokio::sync::Semaphore::new(1),
    });
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

// ---- The audit log's witness ----

/// The witness ([`crate::audit::witness`]) of the log in one directory on this host, kept
/// in `phigate_audit_witness`. Its location is `host:path`, since replicas on several hosts
/// may use the same path for their own logs.
pub struct PgWitness {
    vault: PgVault,
    location: String,
}

impl PgVault {
    /// The witness of the audit log in `log_dir` on this host.
    pub fn audit_witness(&self, log_dir: &Path) -> PgWitness {
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .or_else(|_| std::fs::read_to_string("/etc/hostname"))
            .map(|h| h.trim().to_string())
            .unwrap_or_else(|_| "localhost".into());
        PgWitness {
            vault: self.clone(),
            location: format!("{host}:{}", crate::audit::witness::location(log_dir)),
        }
    }
}

impl PgWitness {
    fn failed(&self, e: VaultError) -> crate::audit::AuditError {
        crate::audit::AuditError::Io {
            path: format!("{} (audit witness)", self.vault.name()),
            reason: e.to_string(),
        }
    }
}

impl crate::audit::witness::Witness for PgWitness {
    fn describe(&self) -> String {
        format!("{} table phigate_audit_witness", self.vault.name())
    }

    fn load(
        &self,
        log_id: &str,
    ) -> Result<Option<crate::audit::Checkpoint>, crate::audit::AuditError> {
        let pool = Arc::clone(&self.vault.inner.pool);
        let id = log_id.to_string();
        let text: Option<String> = self
            .vault
            .run(async move {
                let c = pool.get().await?;
                Ok(c.client
                    .query_opt(
                        "SELECT checkpoint FROM phigate_audit_witness WHERE log_id = $1",
                        &[&id],
                    )
                    .await?
                    .map(|r| r.get(0)))
            })
            .map_err(|e| self.failed(e))?;
        text.map(|t| serde_json::from_str(&t))
            .transpose()
            .map_err(|_| self.failed(storage("a witness row is not a checkpoint")))
    }

    fn store(
        &self,
        log_id: &str,
        checkpoint: &crate::audit::Checkpoint,
    ) -> Result<(), crate::audit::AuditError> {
        let pool = Arc::clone(&self.vault.inner.pool);
        let (id, location, line) = (log_id.to_string(), self.location.clone(), checkpoint.line());
        self.vault
            .run(async move {
                let c = pool.get().await?;
                c.client
                    .execute(
                        "INSERT INTO phigate_audit_witness (log_id, location, checkpoint) VALUES ($1, $2, $3)
                         ON CONFLICT (log_id) DO UPDATE SET location = EXCLUDED.location, checkpoint = EXCLUDED.checkpoint",
                        &[&id, &location, &line],
                    )
                    .await?;
                Ok(())
            })
            .map_err(|e| self.failed(e))
    }

    fn knows_location(&self) -> Result<bool, crate::audit::AuditError> {
        let pool = Arc::clone(&self.vault.inner.pool);
        let location = self.location.clone();
        self.vault
            .run(async move {
                let c = pool.get().await?;
                Ok(c.client
                    .query_opt(
                        "SELECT 1 FROM phigate_audit_witness WHERE location = $1 LIMIT 1",
                        &[&location],
                    )
                    .await?
                    .is_some())
            })
            .map_err(|e| self.failed(e))
    }
}

/// Runs `f` on `handle`'s runtime and waits for the answer on a channel.
fn call<T, F>(handle: &tokio::runtime::Handle, f: F) -> Result<T, VaultError>
where
    T: Send + 'static,
    F: Future<Output = Result<T, VaultError>> + Send + 'static,
{
    let (tx, rx) = std::sync::mpsc::sync_channel(1);
    handle.spawn(async move {
        let _ = tx.send(f.await);
    });
    match rx.recv_timeout(CALL_TIMEOUT) {
        Ok(r) => r,
        Err(_) => Err(storage(format!(
            "no answer within {} s",
            CALL_TIMEOUT.as_secs()
        ))),
    }
}

/// Checks the database once a second, so `/readyz` can ask without blocking. It keeps a
/// connection of its own: waiting for a pooled one under load would report a busy vault as
/// down.
fn spawn_health_check(handle: &tokio::runtime::Handle, pool: Arc<Pool>, healthy: Arc<AtomicBool>) {
    let weak = Arc::downgrade(&pool);
    drop(pool);
    handle.spawn(async move {
        let mut own: Option<Client> = None;
        loop {
            tokio::time::sleep(Duration::from_secs(1)).await;
            let Some(pool) = weak.upgrade() else { return };
            let ok = tokio::time::timeout(Duration::from_secs(5), async {
                let c = match own.take() {
                    Some(c) if !c.is_closed() => c,
                    _ => pool.connect().await?,
                };
                c.simple_query("SELECT 1").await?;
                own = Some(c);
                Ok::<_, VaultError>(())
            })
            .await
            .is_ok_and(|r| r.is_ok());
            healthy.store(ok, Ordering::SeqCst);
        }
    });
}

/// Applies pending migrations under a transaction-level advisory lock.
async fn migrate(client: &mut Client) -> Result<(), VaultError> {
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

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl TokenStore for PgVault {
    fn tokenize(&self, batch: &[TokenRequest<'_>], exact: bool) -> Result<Vec<String>, TokenError> {
        self.tokenize_for(None, batch, exact)
    }

    fn tokenize_for(
        &self,
        patient: Option<&str>,
        batch: &[TokenRequest<'_>],
        exact: bool,
    ) -> Result<Vec<String>, TokenError> {
        if batch.is_empty() {
            return Ok(Vec::new());
        }
        let sid = patient.and_then(|p| self.subject_id(p));
        let items = batch
            .iter()
            .enumerate()
            .map(|(pos, r)| {
                let norm = token_input(r.ty, r.value, exact);
                Item {
                    pos,
                    ty: r.ty,
                    value: r.value.to_string(),
                    key: index_key_with(
                        &self.inner.index_key,
                        &self.domain,
                        sid.as_ref(),
                        r.ty,
                        &norm,
                    ),
                    first: self.minter.mint(r.ty, &norm, 0),
                    norm,
                }
            })
            .collect();
        let inner = Arc::clone(&self.inner);
        let minter = Arc::clone(&self.minter);
        Ok(self.run(Self::tokenize_async(inner, minter, sid, items, exact))?)
    }

    fn reveal(&self, token: &str) -> Result<Option<Revealed>, TokenError> {
        let inner = Arc::clone(&self.inner);
        Ok(self.run(Self::reveal_async(inner, token.to_string()))?)
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
}

#[cfg(test)]
mod tests {
    use super::*;

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
