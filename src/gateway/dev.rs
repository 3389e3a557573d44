//! `phigate serve --dev`: everything a first run needs, made on the spot under a data
//! directory (a master key, a self-signed certificate, a vault), plus a built-in echo
//! upstream on loopback so the demo routes show exactly what the outside would receive.
//!
//! Never for production: the API key is the published `phigate-dev-key`. On a listener
//! other than loopback the direct API (which reveals to its caller) is switched off, so
//! the published key reaches only the demo routes and their loopback echo.

use std::net::SocketAddr;
use std::path::Path;

use anyhow::Context;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;

use super::auth::hash_api_key;
use crate::config::Config;

/// The API key of the dev caller (documented in the README; dev mode only).
pub const DEV_API_KEY: &str = "phigate-dev-key";

/// Whether `listen` is reachable from other machines, where the published dev key must
/// not reach the direct API.
pub fn exposed(listen: SocketAddr) -> bool {
    !listen.ip().is_loopback()
}

/// The direct API for the dev caller, on loopback only.
fn api_section(listen: SocketAddr, all_types: &str) -> String {
    if exposed(listen) {
        "# Not loopback: no direct API for the published dev key.\n".into()
    } else {
        format!("[api]\ncallers = [\"dev\"]\nreveal = {{ dev = [{all_types}] }}\n")
    }
}

/// Creates what is missing under `dir` (never overwriting) and returns the configuration.
pub fn prepare(
    dir: &Path,
    listen: SocketAddr,
    admin: SocketAddr,
    echo: SocketAddr,
) -> anyhow::Result<Config> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let key = dir.join("master.key");
    if !key.exists() {
        crate::keys::write_new_key(&key)?;
    }
    // Dev mode is one of the two ways a vault is created (`vault init` is the other);
    // `serve --config` only opens one.
    let vault = dir.join("vault");
    if let Err(crate::vault::VaultError::NotFound { .. }) =
        crate::vault::SledVault::check_existing(&vault)
    {
        let master = crate::keys::read_master_key(&key)?;
        crate::vault::SledVault::create(&vault, &master)?.flush()?;
    }
    let (cert, cert_key) = (dir.join("cert.pem"), dir.join("key.pem"));
    if !cert.exists() || !cert_key.exists() {
        let (c, k) = crate::tls::self_signed()?;
        std::fs::write(&cert, c).with_context(|| format!("writing {}", cert.display()))?;
        write_private(&cert_key, k.as_bytes())?;
    }
    let all = crate::phi::PhiType::ALL
        .iter()
        .map(|t| format!("\"{}\"", t.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    let text = format!(
        r#"
[[listener]]
listen = "{listen}"
cert = "cert.pem"
key = "key.pem"

[admin]
listen = "{admin}"

[vault]
dir = "vault"
key_file = "master.key"

[[caller]]
name = "dev"
api_key_sha256 = ["{hash}"]

{api}
[[route]]
name = "demo"
prefix = "/demo/"
direction = "deidentify"
upstream = "http://{echo}/outside/"
allow_plain_http = true
callers = ["dev"]

[[route]]
name = "demo-callback"
prefix = "/callback/"
direction = "reidentify"
upstream = "http://{echo}/emr/"
allow_plain_http = true
callers = ["dev"]
reveal = {{ dev = [{all}] }}
"#,
        hash = hash_api_key(DEV_API_KEY),
        api = api_section(listen, &all),
    );
    let path = dir.join("dev.toml");
    std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
    Ok(Config::load(&path)?)
}

fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    use std::io::Write as _;
    opts.open(path)
        .and_then(|mut f| f.write_all(bytes))
        .with_context(|| format!("writing {}", path.display()))
}

/// Binds the echo upstream on loopback and serves it in the background.
pub async fn start_echo() -> anyhow::Result<SocketAddr> {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            tokio::spawn(async move {
                let _ = hyper::server::conn::http1::Builder::new()
                    .timer(TokioTimer::new())
                    .header_read_timeout(std::time::Duration::from_secs(10))
                    .serve_connection(TokioIo::new(tcp), service_fn(echo))
                    .await;
            });
        }
    });
    Ok(addr)
}

/// Answers with the body it received and its content type.
async fn echo(req: Request<hyper::body::Incoming>) -> Result<Response<Full<Bytes>>, hyper::Error> {
    let ct = req.headers().get(hyper::header::CONTENT_TYPE).cloned();
    let body = req.into_body().collect().await?.to_bytes();
    let mut resp = Response::new(Full::new(body));
    if let Some(ct) = ct {
        resp.headers_mut().insert(hyper::header::CONTENT_TYPE, ct);
    }
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_published_key_reaches_the_api_only_on_loopback() {
        let dir = tempfile::tempdir().expect("tempdir");
        let echo = SocketAddr::from(([127, 0, 0, 1], 9));
        let admin = SocketAddr::from(([127, 0, 0, 1], 0));
        let local = prepare(
            dir.path(),
            "127.0.0.1:8443".parse().expect("addr"),
            admin,
            echo,
        )
        .expect("loopback");
        assert_eq!(local.api.callers, ["dev"]);
        let open = prepare(
            dir.path(),
            "0.0.0.0:8443".parse().expect("addr"),
            admin,
            echo,
        )
        .expect("exposed");
        assert!(open.api.callers.is_empty(), "no direct API when exposed");
        assert!(open
            .routes
            .iter()
            .all(|r| r.prefix == "/demo/" || r.prefix == "/callback/"));
    }
}
