//! `[[mllp]]`: HL7 v2 listeners that speak MLLP over TLS (issue 14 item 1b).
//!
//! Owns one MLLP channel's settings: where it listens and with which certificate, the CA
//! whose client certificates it accepts (mutual TLS) and the callers (by certificate name)
//! that may send, the MLLP upstream it forwards to (host:port over TLS, with its CA), the
//! policy and token domain messages are de-identified under, its limits, the client
//! certificate it presents to the upstream (mutual TLS upstream) and which PHI types each
//! caller may have revealed in the upstream's ACK. Every problem
//! is reported with its key (`mllp[1].upstream`). A channel's settings are read at start:
//! changing them (its policy included) needs a restart; a reload changes the callers it admits.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::Problems;

/// One MLLP channel: inside senders → de-identified → an outside MLLP receiver.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MllpConfig {
    pub name: String,
    pub listen: std::net::SocketAddr,
    pub cert: PathBuf,
    pub key: PathBuf,
    /// PEM CAs whose client certificates are accepted. Required: a sender without a
    /// certificate of these CAs cannot finish the handshake (MLLP has no other credential).
    #[serde(default)]
    pub client_ca: Option<PathBuf>,
    /// Callers (`mtls_dns_name` callers) that may send; empty: any client `client_ca`
    /// accepts.
    #[serde(default)]
    pub callers: Vec<String>,
    /// The MLLP receiver, `host:port`, reached over TLS.
    pub upstream: String,
    /// PEM CAs the upstream's certificate must chain to (the system roots without it).
    #[serde(default)]
    pub upstream_ca: Option<PathBuf>,
    /// The certificate (PEM chain) and key presented to the upstream when it asks for one
    /// (a receiver with mutual TLS). Both or neither.
    #[serde(default)]
    pub upstream_cert: Option<PathBuf>,
    #[serde(default)]
    pub upstream_key: Option<PathBuf>,
    /// Which PHI types each caller may have revealed in the upstream's ACK (MSA-3 text, ERR
    /// and any other field that echoes a token); a caller not named gets the ACK with its
    /// tokens as they came.
    #[serde(default)]
    pub reveal: BTreeMap<String, Vec<String>>,
    #[serde(default = "default_policy")]
    pub policy: String,
    #[serde(default)]
    pub domain: String,
    /// Largest message accepted, in bytes (larger: `MSA|AR`, connection closed).
    #[serde(default = "default_max_message")]
    pub max_message_bytes: usize,
    /// How long a sender may stay silent, between messages or inside one.
    #[serde(default = "default_read_timeout")]
    pub read_timeout_ms: u64,
    /// How long the upstream has to connect and answer a message with its ACK.
    #[serde(default = "default_upstream_timeout")]
    pub upstream_timeout_ms: u64,
}

fn default_policy() -> String {
    "safe-harbor".into()
}

fn default_max_message() -> usize {
    1 << 20
}

fn default_read_timeout() -> u64 {
    60_000
}

fn default_upstream_timeout() -> u64 {
    30_000
}

impl MllpConfig {
    /// The upstream's host name (for TLS) and port.
    pub fn upstream_host_port(&self) -> Option<(&str, u16)> {
        let (host, port) = self.upstream.rsplit_once(':')?;
        let port = port.parse().ok().filter(|p| *p > 0)?;
        (!host.is_empty() && !host.contains('/')).then_some((host, port))
    }

    pub(super) fn resolve_paths(&mut self, base: &Path) {
        let fix = |p: &mut PathBuf| {
            if p.is_relative() {
                *p = base.join(&*p);
            }
        };
        fix(&mut self.cert);
        fix(&mut self.key);
        for p in [
            &mut self.client_ca,
            &mut self.upstream_ca,
            &mut self.upstream_cert,
            &mut self.upstream_key,
        ]
        .into_iter()
        .flatten()
        {
            fix(p);
        }
    }
}

/// Checks every channel: unique names, a `host:port` upstream, known mTLS callers (which
/// need a `client_ca`), limits above zero.
pub(super) fn check_all(
    channels: &[MllpConfig],
    mtls_callers: &HashSet<String>,
    problems: &mut Problems,
) {
    let mut names = HashSet::new();
    for (i, c) in channels.iter().enumerate() {
        let key = |k: &str| format!("mllp[{}].{k}", i + 1);
        if c.name.is_empty() || !names.insert(c.name.as_str()) {
            problems.at(key("name"), "a unique, non-empty name is needed");
        }
        if c.upstream_host_port().is_none() {
            problems.at(key("upstream"), "write the MLLP receiver as host:port");
        }
        if c.client_ca.is_none() {
            problems.at(
                key("client_ca"),
                "senders are authenticated by client certificate: client_ca is needed",
            );
        }
        for name in &c.callers {
            if !mtls_callers.contains(name) {
                problems.at(
                    key("callers"),
                    format!("`{name}` is not a [[caller]] with mtls_dns_name"),
                );
            }
        }
        if c.upstream_cert.is_some() != c.upstream_key.is_some() {
            problems.at(
                key("upstream_cert"),
                "upstream_cert and upstream_key go together",
            );
        }
        for (caller, types) in &c.reveal {
            let at = key(&format!("reveal.{caller}"));
            if !c.callers.contains(caller) {
                problems.at(
                    &at,
                    format!("`{caller}` is not one of this channel's callers"),
                );
            }
            for t in types {
                if t.parse::<crate::phi::PhiType>().is_err() {
                    problems.at(&at, format!("unknown PHI type `{t}`"));
                }
            }
        }
        if c.max_message_bytes == 0 || c.read_timeout_ms == 0 || c.upstream_timeout_ms == 0 {
            problems.at(key("limits"), "sizes and timeouts must be above zero");
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::config::{Config, TEST_BASE};

    const CHANNEL: &str = r#"
[[caller]]
name = "lab"
mtls_dns_name = "lab.clinic.test"

[[mllp]]
name = "adt"
listen = "127.0.0.1:2575"
cert = "cert.pem"
key = "key.pem"
client_ca = "ca.pem"
callers = ["lab"]
upstream = "hie.example.org:2575"
"#;

    #[test]
    fn a_channel_parses_with_defaults() {
        let c = Config::parse("t.toml", &format!("{TEST_BASE}{CHANNEL}")).expect("parses");
        let m = &c.mllp[0];
        assert_eq!(m.upstream_host_port(), Some(("hie.example.org", 2575)));
        assert_eq!(
            (m.policy.as_str(), m.max_message_bytes),
            ("safe-harbor", 1 << 20)
        );
    }

    #[test]
    fn upstream_identity_and_reveal_rules_are_checked() {
        let good = format!(
            "{TEST_BASE}{CHANNEL}upstream_cert = \"up.pem\"\nupstream_key = \"up.key\"\nreveal = {{ lab = [\"NAME\", \"MRN\"] }}\n"
        );
        let c = Config::parse("t.toml", &good).expect("parses");
        assert!(c.mllp[0].upstream_cert.is_some() && c.mllp[0].reveal["lab"].len() == 2);
        for (extra, key) in [
            ("upstream_cert = \"up.pem\"\n", "mllp[1].upstream_cert"),
            ("reveal = { emr = [\"NAME\"] }\n", "mllp[1].reveal.emr"),
            ("reveal = { lab = [\"NAMES\"] }\n", "mllp[1].reveal.lab"),
        ] {
            let bad = format!("{TEST_BASE}{CHANNEL}{extra}");
            let e = Config::parse("t.toml", &bad).expect_err(key);
            assert!(e.to_string().contains(key), "{key}: {e}");
        }
    }

    #[test]
    fn bad_channels_are_named_by_key() {
        for (change, key) in [
            ("hie.example.org:2575", "mllp[1].upstream"),
            ("callers = [\"lab\"]", "mllp[1].callers"),
            ("client_ca = \"ca.pem\"", "mllp[1].client_ca"),
        ] {
            let bad = match key {
                "mllp[1].upstream" => CHANNEL.replace(change, "https://hie.example.org/"),
                "mllp[1].callers" => CHANNEL.replace(change, "callers = [\"emr\"]"),
                _ => CHANNEL.replace(change, ""),
            };
            let e = Config::parse("t.toml", &format!("{TEST_BASE}{bad}")).expect_err(key);
            assert!(e.to_string().contains(key), "{key}: {e}");
        }
        let typo = CHANNEL.replace("upstream =", "upstrem = \"x\"\nupstream =");
        let e = Config::parse("t.toml", &format!("{TEST_BASE}{typo}")).expect_err("unknown key");
        assert!(e.to_string().contains("upstrem"), "{e}");
    }
}
