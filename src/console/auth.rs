//! Who is reading the console: officers from `[[console.officer]]`, proved by an API key
//! (`Authorization: Bearer …`, or typed once into the sign-in form), by a client certificate
//! (its SHA-256 fingerprint, or a DNS name it carries), or by the session cookie the
//! sign-in form sets.
//!
//! Owns the officers' credentials, the comparisons (constant time, through ring) and the
//! session cookie: `v1.<officer name in hex>.<expiry, Unix seconds>.<HMAC-SHA256>`, keyed by
//! a random key made when the console starts (a restart signs everyone out), sent
//! `Secure; HttpOnly; SameSite=Strict`. A credential that is presented and wrong fails the
//! request even if another would have passed. Errors name which check failed, never a key.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hyper::HeaderMap;
use ring::{digest, hmac, rand};

use crate::config::OfficerConfig;
use crate::gateway::auth::{cert_has_dns_name, presented_api_key};
use crate::hex;

/// The session cookie's name.
pub const COOKIE: &str = "phigate_console";

/// Why a request was not let in. Never shown to the client (it gets a bare 401); recorded
/// in the audit log as the failure's detail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("no credentials")]
    Missing,
    #[error("API key not recognised")]
    BadApiKey,
    #[error("client certificate not recognised")]
    BadCertificate,
    #[error("session not valid or expired")]
    BadSession,
}

impl AuthError {
    /// A short code for the audit entry.
    pub fn code(self) -> &'static str {
        match self {
            AuthError::Missing => "console_no_credentials",
            AuthError::BadApiKey => "console_bad_api_key",
            AuthError::BadCertificate => "console_bad_certificate",
            AuthError::BadSession => "console_bad_session",
        }
    }
}

/// An officer as the console holds them.
struct Officer {
    name: String,
    api_key_hashes: Vec<Vec<u8>>,
    cert_fingerprints: Vec<Vec<u8>>,
    mtls_dns_name: Option<String>,
}

/// The officers and the session key.
pub struct Officers {
    officers: Vec<Officer>,
    session_key: hmac::Key,
    session_length: Duration,
}

impl Officers {
    /// Loads the configured officers and makes a fresh session key.
    pub fn load(configs: &[OfficerConfig], session_length: Duration) -> Result<Officers, String> {
        let key = hmac::Key::generate(hmac::HMAC_SHA256, &rand::SystemRandom::new())
            .map_err(|_| "no randomness for the console's session key".to_string())?;
        let digests = |hs: &[String]| {
            hs.iter()
                .filter_map(|h| hex::decode(&h.to_ascii_lowercase()))
                .collect()
        };
        Ok(Officers {
            officers: configs
                .iter()
                .map(|c| Officer {
                    name: c.name.clone(),
                    api_key_hashes: digests(&c.api_key_sha256),
                    cert_fingerprints: digests(&c.cert_sha256),
                    mtls_dns_name: c.mtls_dns_name.clone(),
                })
                .collect(),
            session_key: key,
            session_length,
        })
    }

    /// The officer a request's credentials prove: its bearer key, else its session cookie,
    /// else its client certificate (`peer_cert`, chain already verified by TLS).
    pub fn authenticate(
        &self,
        headers: &HeaderMap,
        peer_cert: Option<&[u8]>,
        now: SystemTime,
    ) -> Result<&str, AuthError> {
        if let Some(key) = presented_api_key(headers) {
            return self.by_api_key(key);
        }
        if let Some(cookie) = session_cookie(headers) {
            return self.by_session(cookie, now);
        }
        if let Some(cert) = peer_cert {
            return self.by_certificate(cert);
        }
        Err(AuthError::Missing)
    }

    /// The officer whose API key this is (the sign-in form's check, too).
    pub fn by_api_key(&self, key: &str) -> Result<&str, AuthError> {
        let hash = digest::digest(&digest::SHA256, key.as_bytes());
        self.officers
            .iter()
            .find(|o| o.api_key_hashes.iter().any(|h| ct_eq(h, hash.as_ref())))
            .map(|o| o.name.as_str())
            .ok_or(AuthError::BadApiKey)
    }

    fn by_certificate(&self, der: &[u8]) -> Result<&str, AuthError> {
        let fingerprint = digest::digest(&digest::SHA256, der);
        self.officers
            .iter()
            .find(|o| {
                o.cert_fingerprints
                    .iter()
                    .any(|f| ct_eq(f, fingerprint.as_ref()))
                    || o.mtls_dns_name
                        .as_deref()
                        .is_some_and(|n| cert_has_dns_name(der, n))
            })
            .map(|o| o.name.as_str())
            .ok_or(AuthError::BadCertificate)
    }

    fn by_session(&self, cookie: &str, now: SystemTime) -> Result<&str, AuthError> {
        let (signed, mac) = cookie.rsplit_once('.').ok_or(AuthError::BadSession)?;
        let mac = hex::decode(mac).ok_or(AuthError::BadSession)?;
        hmac::verify(&self.session_key, signed.as_bytes(), &mac)
            .map_err(|_| AuthError::BadSession)?;
        let mut parts = signed.split('.');
        let (Some("v1"), Some(name), Some(expires), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(AuthError::BadSession);
        };
        let expires: u64 = expires.parse().map_err(|_| AuthError::BadSession)?;
        if unix(now) >= expires {
            return Err(AuthError::BadSession);
        }
        let name = hex::decode(name)
            .and_then(|b| String::from_utf8(b).ok())
            .ok_or(AuthError::BadSession)?;
        // An officer removed from the configuration has no session left.
        self.officers
            .iter()
            .find(|o| o.name == name)
            .map(|o| o.name.as_str())
            .ok_or(AuthError::BadSession)
    }

    /// The `Set-Cookie` value that signs `officer` in until the session length is over.
    pub fn session_cookie_for(&self, officer: &str, now: SystemTime) -> String {
        let expires = unix(now) + self.session_length.as_secs();
        let signed = format!("v1.{}.{expires}", hex::encode(officer.as_bytes()));
        let mac = hmac::sign(&self.session_key, signed.as_bytes());
        format!(
            "{COOKIE}={signed}.{}; Path=/; Max-Age={}; Secure; HttpOnly; SameSite=Strict",
            hex::encode(mac.as_ref()),
            self.session_length.as_secs()
        )
    }
}

/// The `Set-Cookie` value that ends a session in the browser.
pub fn cleared_cookie() -> String {
    format!("{COOKIE}=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Strict")
}

/// The console's session cookie among the request's cookies, if any.
fn session_cookie(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(hyper::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(name, value)| *name == COOKIE && !value.is_empty())
        .map(|(_, value)| value)
}

fn unix(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs()
}

/// Equality whose time does not depend on where the inputs differ.
fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used)]
    use super::*;
    use crate::gateway::auth::hash_api_key;

    fn officers() -> Officers {
        Officers::load(
            &[OfficerConfig {
                name: "olivia".into(),
                api_key_sha256: vec![hash_api_key("officer-key-1")],
                cert_sha256: vec![],
                mtls_dns_name: None,
            }],
            Duration::from_secs(600),
        )
        .expect("officers")
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, v.parse().expect("header"));
        }
        h
    }

    #[test]
    fn a_bearer_key_names_its_officer_and_a_wrong_one_fails() {
        let o = officers();
        let now = SystemTime::now();
        let ok = headers(&[("authorization", "Bearer officer-key-1")]);
        assert_eq!(o.authenticate(&ok, None, now), Ok("olivia"));
        let bad = headers(&[("authorization", "Bearer officer-key-2")]);
        assert_eq!(o.authenticate(&bad, None, now), Err(AuthError::BadApiKey));
        assert_eq!(
            o.authenticate(&HeaderMap::new(), None, now),
            Err(AuthError::Missing)
        );
        assert_eq!(
            o.authenticate(&HeaderMap::new(), Some(b"not a cert"), now),
            Err(AuthError::BadCertificate)
        );
    }

    #[test]
    fn a_session_cookie_works_until_it_expires_and_cannot_be_forged() {
        let o = officers();
        let now = SystemTime::now();
        let set = o.session_cookie_for("olivia", now);
        assert!(set.contains("HttpOnly") && set.contains("SameSite=Strict"));
        let value = set.split(';').next().expect("pair");
        let h = headers(&[("cookie", &format!("theme=dark; {value}"))]);
        assert_eq!(o.authenticate(&h, None, now), Ok("olivia"));
        let later = now + Duration::from_secs(601);
        assert_eq!(o.authenticate(&h, None, later), Err(AuthError::BadSession));
        // Another officer's name under the same MAC does not verify.
        let forged = value.replace(&hex::encode(b"olivia"), &hex::encode(b"mallory"));
        let h = headers(&[("cookie", &forged)]);
        assert_eq!(o.authenticate(&h, None, now), Err(AuthError::BadSession));
        // Another console's (or an earlier run's) cookie does not verify either.
        let h = headers(&[("cookie", value)]);
        assert_eq!(
            officers().authenticate(&h, None, now),
            Err(AuthError::BadSession)
        );
    }
}
