//! The PostgreSQL vault's connections: a small pool of prepared connections, and the
//! bridge from synchronous callers to the vault's own runtime.
//!
//! Owns connecting (with or without TLS), the statements every connection prepares once,
//! lending connections out (a broken one is dropped, not returned), running a future on the
//! vault's runtime for a synchronous caller with a time limit ([`call`]), and the once-a-second
//! health check that lets `/readyz` ask without blocking.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio_postgres::{Client, NoTls, Statement};

use super::storage;
use super::tls::MakeRustls;
use crate::vault::VaultError;

/// How long a synchronous call waits for the database before failing (closed).
const CALL_TIMEOUT: Duration = Duration::from_secs(30);

/// Prepared statements, per connection.
pub(super) struct Stmts {
    pub(super) lookup: Statement,
    pub(super) insert_token: Statement,
    pub(super) lock_token: Statement,
    pub(super) update_token: Statement,
    pub(super) insert_index: Statement,
    pub(super) insert_holding: Statement,
    pub(super) key_for_share: Statement,
    pub(super) insert_key: Statement,
    pub(super) reveal: Statement,
    pub(super) value_keys: Statement,
    pub(super) insert_value_key: Statement,
}

/// A connection and its prepared statements.
pub(super) struct Conn {
    pub(super) client: Client,
    pub(super) st: Stmts,
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
                    // A few holders' keys are enough to open a record (any one that
                    // opens), however many patients hold it.
                    "SELECT t.record, k.sid, k.body FROM phigate_tokens t
                     LEFT JOIN LATERAL (SELECT sid FROM phigate_holdings
                                        WHERE token = t.token LIMIT 8) h ON true
                     LEFT JOIN phigate_subject_keys k ON k.sid = h.sid
                     WHERE t.token = $1",
                )
                .await?,
            value_keys: client
                .prepare(
                    "SELECT v.holder, v.body, k.body FROM phigate_value_keys v
                     LEFT JOIN phigate_subject_keys k ON k.sid = v.holder
                     WHERE v.token = $1 ORDER BY v.holder LIMIT $2",
                )
                .await?,
            insert_value_key: client
                .prepare(
                    "INSERT INTO phigate_value_keys (token, holder, body) VALUES ($1, $2, $3)
                     ON CONFLICT (token, holder) DO UPDATE SET body = EXCLUDED.body",
                )
                .await?,
        };
        Ok(Conn { client, st })
    }
}

/// The connections of one vault, at most `permits` lent out at a time.
pub(super) struct Pool {
    cfg: tokio_postgres::Config,
    tls: Option<MakeRustls>,
    idle: Mutex<Vec<Conn>>,
    permits: tokio::sync::Semaphore,
}

/// A connection checked out of the pool; returned on drop unless it broke.
pub(super) struct Pooled<'a> {
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
    pub(super) fn new(cfg: tokio_postgres::Config, tls: Option<MakeRustls>, size: usize) -> Pool {
        Pool {
            cfg,
            tls,
            idle: Mutex::new(Vec::new()),
            permits: tokio::sync::Semaphore::new(size.max(1)),
        }
    }

    /// A new connection, its driver spawned on the current runtime.
    pub(super) async fn connect(&self) -> Result<Client, VaultError> {
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

    /// A connection from the pool (a new one if none is idle), waiting for a permit.
    pub(super) async fn get(&self) -> Result<Pooled<'_>, VaultError> {
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

/// Runs `f` on `handle`'s runtime and waits for the answer on a channel.
pub(super) fn call<T, F>(handle: &tokio::runtime::Handle, f: F) -> Result<T, VaultError>
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
pub(super) fn spawn_health_check(
    handle: &tokio::runtime::Handle,
    pool: Arc<Pool>,
    healthy: Arc<AtomicBool>,
) {
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
