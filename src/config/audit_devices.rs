//! `[[audit.device]]`: where the gateway forwards its audit entries besides the log file.
//!
//! Owns the shape of a device (a syslog receiver over TLS, RFC 5424 framed per RFC 5425,
//! or an HTTPS collector taking NDJSON batches), its bounded buffer and its failure mode
//! (the file's `reject` or `degrade`), and the checks that each kind has what it needs.
//! The devices themselves are [`crate::audit::device`]'s.

use std::path::PathBuf;

use serde::Deserialize;

use super::storage::AuditFailure;
use super::Problems;
use crate::audit::device::{Spec, Target};

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum AuditDeviceKind {
    /// RFC 5424 messages, octet-counted (RFC 5425), over TLS.
    Syslog,
    /// NDJSON batches POSTed to an HTTPS URL.
    Https,
}

/// One audit device.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AuditDeviceConfig {
    /// Names the device in metrics and logs (default: `<kind><index>`, e.g. `syslog0`).
    #[serde(default)]
    pub name: Option<String>,
    pub kind: AuditDeviceKind,
    /// Syslog: the receiver's `host:port` (6514 is the registered port).
    #[serde(default)]
    pub address: Option<String>,
    /// Syslog: the name the receiver's certificate must carry (default: the address's host).
    #[serde(default)]
    pub server_name: Option<String>,
    /// HTTPS: the collector's URL.
    #[serde(default)]
    pub url: Option<String>,
    /// PEM CA bundle for the receiver's certificate (default: the system roots).
    #[serde(default)]
    pub ca: Option<PathBuf>,
    /// Syslog: a client certificate and key (PEM) for receivers that require mutual TLS.
    #[serde(default)]
    pub client_cert: Option<PathBuf>,
    #[serde(default)]
    pub client_key: Option<PathBuf>,
    /// HTTPS: a file holding a bearer token (sent as `Authorization: Bearer …`).
    #[serde(default)]
    pub bearer_token_file: Option<PathBuf>,
    /// Syslog: APP-NAME (default `phigate`).
    #[serde(default)]
    pub app_name: Option<String>,
    /// Syslog: facility number 0–23 (default 13, log audit).
    #[serde(default)]
    pub facility: Option<u8>,
    /// Entries held while the device is slow or away (default 10 000).
    #[serde(default)]
    pub buffer: Option<usize>,
    /// `reject` (default): while the buffer is full requests fail with 503 and `/readyz`
    /// says not ready; `degrade`: entries that do not fit are dropped for this device
    /// (counted in `phigate_audit_device_dropped_total`), the file still has them.
    #[serde(default)]
    pub on_failure: AuditFailure,
}

impl AuditDeviceConfig {
    /// The device's name in metrics and logs.
    pub fn label(&self, index: usize) -> String {
        self.name.clone().unwrap_or_else(|| {
            let kind = match self.kind {
                AuditDeviceKind::Syslog => "syslog",
                AuditDeviceKind::Https => "https",
            };
            format!("{kind}{index}")
        })
    }
}

impl AuditDeviceConfig {
    /// The device as the audit log runs it (the config was checked: a syslog device has
    /// its address, an https device its URL).
    pub fn spec(&self, index: usize) -> Spec {
        let target = match self.kind {
            AuditDeviceKind::Syslog => {
                let address = self.address.clone().unwrap_or_default();
                let host = address
                    .rsplit_once(':')
                    .map_or(address.as_str(), |(h, _)| h)
                    .trim_start_matches('[')
                    .trim_end_matches(']')
                    .to_string();
                Target::Syslog {
                    server_name: self.server_name.clone().unwrap_or(host),
                    address,
                    app_name: self.app_name.clone().unwrap_or_else(|| "phigate".into()),
                    facility: self.facility.unwrap_or(13),
                }
            }
            AuditDeviceKind::Https => Target::Https {
                url: self
                    .url
                    .as_deref()
                    .and_then(|u| u.parse().ok())
                    .unwrap_or_default(),
                bearer_token_file: self.bearer_token_file.clone(),
            },
        };
        Spec {
            name: self.label(index),
            target,
            ca: self.ca.clone(),
            identity: self.client_cert.clone().zip(self.client_key.clone()),
            buffer: self.buffer.unwrap_or(10_000),
            reject: self.on_failure == AuditFailure::Reject,
        }
    }
}

/// What each kind needs and what it may not have.
pub(super) fn check(devices: &[AuditDeviceConfig], problems: &mut Problems) {
    let mut names = std::collections::HashSet::new();
    for (i, d) in devices.iter().enumerate() {
        let key = |k: &str| format!("audit.device[{i}].{k}");
        if !names.insert(d.label(i)) {
            problems.at(key("name"), "another device has this name");
        }
        match d.kind {
            AuditDeviceKind::Syslog => {
                match d.address.as_deref() {
                    None => problems.at(key("address"), "needed for a syslog device"),
                    Some(a)
                        if a.rsplit_once(':')
                            .is_none_or(|(_, p)| p.parse::<u16>().is_err()) =>
                    {
                        problems.at(key("address"), "must be host:port")
                    }
                    Some(_) => {}
                }
                if d.url.is_some() || d.bearer_token_file.is_some() {
                    problems.at(
                        key("url"),
                        "url and bearer_token_file are for https devices",
                    );
                }
                if d.client_cert.is_some() != d.client_key.is_some() {
                    problems.at(key("client_cert"), "client_cert and client_key go together");
                }
                if d.facility.is_some_and(|f| f > 23) {
                    problems.at(key("facility"), "a syslog facility is 0 to 23");
                }
                if let Some(app) = &d.app_name {
                    if app.is_empty()
                        || app.len() > 48
                        || !app.bytes().all(|b| (33..=126).contains(&b))
                    {
                        problems.at(
                            key("app_name"),
                            "1 to 48 printable ASCII characters, no spaces",
                        );
                    }
                }
            }
            AuditDeviceKind::Https => {
                match d.url.as_deref().map(str::parse::<hyper::Uri>) {
                    None => problems.at(key("url"), "needed for an https device"),
                    Some(Ok(u)) if u.scheme_str() == Some("https") && u.host().is_some() => {}
                    Some(_) => problems.at(key("url"), "must be an https:// URL with a host"),
                }
                if d.address.is_some() || d.client_cert.is_some() || d.client_key.is_some() {
                    problems.at(
                        key("address"),
                        "address and client certificates are for syslog devices",
                    );
                }
            }
        }
        if d.buffer == Some(0) {
            problems.at(key("buffer"), "must be at least 1");
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used)]
    use super::super::{Config, TEST_BASE};
    use super::*;

    #[test]
    fn devices_parse_with_their_defaults_and_paths_beside_the_file() {
        let text = format!(
            "{TEST_BASE}\n[[audit.device]]\nkind = \"syslog\"\naddress = \"siem.example.org:6514\"\nca = \"siem-ca.pem\"\n\n\
             [[audit.device]]\nname = \"collector\"\nkind = \"https\"\nurl = \"https://collector.example.org/ingest\"\n\
             bearer_token_file = \"token\"\non_failure = \"degrade\"\nbuffer = 50\n"
        );
        let mut c = Config::parse("t.toml", &text).expect("parses");
        c.resolve_paths(std::path::Path::new("/etc/phigate"));
        let d = &c.audit.devices;
        let syslog = d[0].spec(0);
        assert_eq!(syslog.name, "syslog0");
        assert!(syslog.reject && syslog.buffer == 10_000);
        assert_eq!(
            syslog.ca.as_deref(),
            Some(std::path::Path::new("/etc/phigate/siem-ca.pem"))
        );
        match syslog.target {
            Target::Syslog {
                server_name,
                facility,
                app_name,
                ..
            } => assert_eq!(
                (server_name.as_str(), facility, app_name.as_str()),
                ("siem.example.org", 13, "phigate")
            ),
            other => panic!("{other:?}"),
        }
        let https = d[1].spec(1);
        assert_eq!(
            (https.name.as_str(), https.reject, https.buffer),
            ("collector", false, 50)
        );
    }

    #[test]
    fn every_device_problem_is_named() {
        let text = format!(
            "{TEST_BASE}\n[[audit.device]]\nkind = \"syslog\"\nurl = \"https://x.example/\"\nfacility = 30\nclient_cert = \"c.pem\"\n\n\
             [[audit.device]]\nkind = \"https\"\nurl = \"http://collector.example.org/\"\nbuffer = 0\n\n\
             [[audit.device]]\nname = \"https1\"\nkind = \"syslog\"\naddress = \"no-port\"\napp_name = \"two words\"\n"
        );
        let e = Config::parse("t.toml", &text)
            .expect_err("rejected")
            .to_string();
        for key in [
            "audit.device[0].address: needed",
            "audit.device[0].url",
            "audit.device[0].facility",
            "audit.device[0].client_cert",
            "audit.device[1].url: must be an https://",
            "audit.device[1].buffer",
            "audit.device[2].name: another device",
            "audit.device[2].address: must be host:port",
            "audit.device[2].app_name",
        ] {
            assert!(e.contains(key), "{key} in:\n{e}");
        }
    }
}
