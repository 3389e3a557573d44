//! Where the PostgreSQL vault is and how to reach it: [`PgOptions`] and the URL they hold.
//!
//! Owns the URL's parsing (our TLS settings, `sslmode` and `sslrootcert`, split off before
//! tokio-postgres reads the rest, since it knows neither `verify-full` nor `sslrootcert`),
//! the password file, connection time-outs, and the database's name for messages (never the
//! password).

use std::path::PathBuf;
use std::time::Duration;

use super::storage;
use crate::vault::VaultError;

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

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum SslMode {
    Disable,
    Require,
    VerifyFull,
}

/// Splits our TLS settings off the URL (tokio-postgres knows neither `verify-full` nor
/// `sslrootcert`) and builds the connection settings.
pub(super) fn parse_url(
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
pub(super) fn describe(cfg: &tokio_postgres::Config) -> String {
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
