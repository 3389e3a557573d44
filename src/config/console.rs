//! `[console]` and its `[[console.officer]]` entries: the compliance officer's read-only
//! web console, on its own TLS listener.
//!
//! Owns the console's settings (address, certificate, an optional client CA for officers'
//! certificates) and the officers' credentials: API-key digests in the same form callers
//! use (`api_key_sha256`), and client certificates named by their SHA-256 fingerprint
//! (`cert_sha256`) or a DNS name they must carry (`mtls_dns_name`). Checked here: every
//! officer has a credential, digests are real SHA-256 values (never a placeholder),
//! certificate credentials have a client CA to verify them against, names are unique.
//! Messages never quote a secret.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::path::PathBuf;

use serde::Deserialize;

use super::caller::{is_placeholder_digest, is_sha256_hex};
use super::Problems;

/// The console listener and who may use it.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ConsoleConfig {
    pub listen: SocketAddr,
    /// PEM certificate chain and private key of the console listener.
    pub cert: PathBuf,
    pub key: PathBuf,
    /// PEM bundle of CAs whose client certificates officers may present (optional: without
    /// it, officers sign in with their API key).
    #[serde(default)]
    pub client_ca: Option<PathBuf>,
    /// How long a browser session lasts after signing in with an API key, in minutes.
    #[serde(default = "default_session_minutes")]
    pub session_minutes: u64,
    #[serde(rename = "officer", default)]
    pub officers: Vec<OfficerConfig>,
}

fn default_session_minutes() -> u64 {
    60
}

/// A compliance officer allowed to read the console.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct OfficerConfig {
    /// Recorded in the audit log with every page the officer views.
    pub name: String,
    /// SHA-256 (hex) of API keys sent as `Authorization: Bearer KEY` or typed into the
    /// sign-in form.
    #[serde(default)]
    pub api_key_sha256: Vec<String>,
    /// SHA-256 fingerprints (hex) of client certificates (DER) that identify the officer.
    #[serde(default)]
    pub cert_sha256: Vec<String>,
    /// A DNS name the officer's client certificate must carry.
    #[serde(default)]
    pub mtls_dns_name: Option<String>,
}

/// Checks the console section against itself and the listeners it must not share an
/// address with.
pub(super) fn check(console: &ConsoleConfig, taken: &[SocketAddr], problems: &mut Problems) {
    // Port 0 (a test's "any free port") never collides.
    if console.listen.port() != 0 && taken.contains(&console.listen) {
        problems.at(
            "console.listen",
            format!(
                "{} is already a listener or the admin address",
                console.listen
            ),
        );
    }
    if console.officers.is_empty() {
        problems.at(
            "console.officer",
            "at least one [[console.officer]] is needed",
        );
    }
    if console.session_minutes == 0 || console.session_minutes > 24 * 60 {
        problems.at("console.session_minutes", "must be from 1 to 1440");
    }
    let mut names = HashSet::new();
    for (i, o) in console.officers.iter().enumerate() {
        check_officer(i, o, console.client_ca.is_some(), &mut names, problems);
    }
}

fn check_officer<'a>(
    i: usize,
    o: &'a OfficerConfig,
    has_client_ca: bool,
    names: &mut HashSet<&'a str>,
    problems: &mut Problems,
) {
    let key = |field: &str| format!("console.officer[{i}].{field}");
    if o.name.is_empty() || !o.name.chars().all(|c| c.is_ascii_graphic()) {
        problems.at(key("name"), "must be printable ASCII with no spaces");
    }
    if !names.insert(o.name.as_str()) {
        problems.at(
            key("name"),
            format!("officer `{}` is defined twice", o.name),
        );
    }
    for (field, digests) in [
        ("api_key_sha256", &o.api_key_sha256),
        ("cert_sha256", &o.cert_sha256),
    ] {
        if digests.iter().any(|h| !is_sha256_hex(h)) {
            problems.at(key(field), "must be 64 hex characters (a SHA-256)");
        } else if digests.iter().any(|h| is_placeholder_digest(h)) {
            problems.at(
                key(field),
                "is a placeholder or the hash of a well-known key: set a real SHA-256",
            );
        }
    }
    let by_cert = !o.cert_sha256.is_empty() || o.mtls_dns_name.is_some();
    if o.api_key_sha256.is_empty() && !by_cert {
        problems.at(
            key("name"),
            format!(
                "officer `{}` has no credential (api_key_sha256, cert_sha256 or mtls_dns_name)",
                o.name
            ),
        );
    }
    if by_cert && !has_client_ca {
        problems.at(
            key("cert_sha256"),
            "a certificate credential needs console.client_ca to verify it",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Config, ConfigError, TEST_BASE};

    const KEY: &str = "d101499dc8b0fc3c4c17eed2fca52bb0e6c7c642f244f1a995136b9cb56ec6de";

    fn with_console(section: &str) -> Result<Config, ConfigError> {
        Config::parse("t.toml", &format!("{TEST_BASE}\n{section}"))
    }

    #[test]
    fn a_console_with_an_officer_parses() {
        let c = with_console(&format!(
            "[console]\nlisten = \"127.0.0.1:8600\"\ncert = \"c.pem\"\nkey = \"k.pem\"\n\
             [[console.officer]]\nname = \"olivia\"\napi_key_sha256 = [\"{KEY}\"]\n"
        ))
        .expect("parses");
        let console = c.console.expect("console");
        assert_eq!(console.officers[0].name, "olivia");
        assert_eq!(console.session_minutes, 60);
    }

    #[test]
    fn every_console_problem_is_named() {
        let e = with_console(
            "[console]\nlisten = \"127.0.0.1:8443\"\ncert = \"c.pem\"\nkey = \"k.pem\"\n\
             session_minutes = 0\n\
             [[console.officer]]\nname = \"olivia\"\napi_key_sha256 = [\"my-secret\"]\n\
             [[console.officer]]\nname = \"olivia\"\ncert_sha256 = [\"00\"]\n\
             [[console.officer]]\nname = \"nobody\"\n",
        )
        .expect_err("invalid");
        let text = e.to_string();
        for part in [
            "console.listen: 127.0.0.1:8443 is already",
            "console.session_minutes",
            "console.officer[0].api_key_sha256: must be 64 hex",
            "console.officer[1].name: officer `olivia` is defined twice",
            "console.officer[1].cert_sha256: must be 64 hex",
            "console.officer[1].cert_sha256: a certificate credential needs console.client_ca",
            "console.officer[2].name: officer `nobody` has no credential",
        ] {
            assert!(text.contains(part), "{part} missing from:\n{text}");
        }
        assert!(!text.contains("my-secret"), "no secret echoed");
    }
}
