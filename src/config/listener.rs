//! `[[listener]]` and `[admin]`: where the gateway listens, and with which certificates.
//!
//! Owns the TLS listeners' settings (re-read on SIGHUP, but a changed address needs a
//! restart) and the admin listener's address (plain HTTP, loopback by default).

use std::net::SocketAddr;
use std::path::PathBuf;

use serde::Deserialize;

/// One TLS listener.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ListenerConfig {
    pub listen: SocketAddr,
    /// PEM certificate chain and private key; re-read on SIGHUP.
    pub cert: PathBuf,
    pub key: PathBuf,
    /// PEM bundle of CAs whose client certificates are accepted (mutual TLS).
    #[serde(default)]
    pub client_ca: Option<PathBuf>,
    /// With `client_ca`: `required` refuses the handshake without a client certificate;
    /// `optional` lets routes decide (a caller identified by certificate still needs one).
    #[serde(default)]
    pub client_auth: ClientAuth,
}

// Whether client certificates are required is a TLS setting; the config names it.
pub use crate::tls::ClientAuth;

/// The admin listener: health, readiness and metrics, plain HTTP, loopback by default.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AdminConfig {
    #[serde(default = "default_admin_listen")]
    pub listen: SocketAddr,
    /// A file holding the token that `POST /reload` and `POST /vault/export` must carry
    /// (`Authorization: Bearer …`). Without one they are refused unless the admin listener
    /// is on loopback.
    #[serde(default)]
    pub token_file: Option<std::path::PathBuf>,
}

impl Default for AdminConfig {
    fn default() -> Self {
        AdminConfig {
            listen: default_admin_listen(),
            token_file: None,
        }
    }
}

fn default_admin_listen() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 9090))
}
