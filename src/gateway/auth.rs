//! Caller authentication: API keys (stored hashed), mutual-TLS identities and webhook
//! signatures verified on the raw body bytes, with a replay cache; and re-signing the
//! bodies the gateway forwards.
//!
//! Owns the credential formats and every comparison (constant time, through ring). Errors
//! say which check failed, never a key, a signature or body bytes.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use hyper::HeaderMap;
use ring::{digest, hmac};

use crate::audit::{hex, unhex};

use crate::config::{CallerConfig, WebhookScheme, WebhookSecret};

/// Why a caller was not let in. The text is safe to return to the caller.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("no credentials: send an API key, a client certificate or a signed webhook")]
    Missing,
    #[error("API key not recognised")]
    BadApiKey,
    #[error("client certificate not accepted for this route")]
    BadCertificate,
    #[error("webhook signature does not verify")]
    BadSignature,
    #[error("webhook timestamp outside the tolerance")]
    Stale,
    #[error("webhook already received (replay)")]
    Replay,
    #[error("malformed signature headers")]
    Malformed,
    #[error("caller `{0}` may not use this route")]
    NotAllowed(String),
    #[error("reading a secret: {0}")]
    Secret(String),
}

/// A loaded webhook secret.
#[derive(Clone)]
pub struct Signer {
    scheme: WebhookScheme,
    key: hmac::Key,
    tolerance: Duration,
}

impl Signer {
    pub fn load(w: &WebhookSecret) -> Result<Signer, AuthError> {
        let raw = match (&w.secret, &w.secret_file) {
            (Some(s), _) => s.trim().to_string(),
            (None, Some(f)) => std::fs::read_to_string(f)
                .map_err(|e| AuthError::Secret(format!("{}: {e}", f.display())))?
                .trim()
                .to_string(),
            (None, None) => return Err(AuthError::Secret("no secret given".into())),
        };
        let key_bytes = match w.scheme {
            // Standard Webhooks secrets are `whsec_` + base64 of the key bytes.
            WebhookScheme::Standard => B64
                .decode(raw.strip_prefix("whsec_").unwrap_or(&raw))
                .map_err(|_| {
                    AuthError::Secret("a Standard Webhooks secret is whsec_ + base64".into())
                })?,
            // Stripe signs with the secret string itself.
            WebhookScheme::Stripe => raw.into_bytes(),
        };
        Ok(Signer {
            scheme: w.scheme,
            key: hmac::Key::new(hmac::HMAC_SHA256, &key_bytes),
            tolerance: Duration::from_secs(w.tolerance_s),
        })
    }

    /// Checks the signature headers against the raw body; returns the replay-cache key.
    pub fn verify(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        now: SystemTime,
    ) -> Result<String, AuthError> {
        match self.scheme {
            WebhookScheme::Standard => self.verify_standard(headers, body, now),
            WebhookScheme::Stripe => self.verify_stripe(headers, body, now),
        }
    }

    fn verify_standard(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        now: SystemTime,
    ) -> Result<String, AuthError> {
        let id = header_str(headers, "webhook-id")?;
        let ts = header_str(headers, "webhook-timestamp")?;
        let sigs = header_str(headers, "webhook-signature")?;
        check_timestamp(ts, now, self.tolerance)?;
        let expected = self.mac(&[id.as_bytes(), b".", ts.as_bytes(), b".", body]);
        let ok = sigs.split_whitespace().any(|s| {
            s.strip_prefix("v1,")
                .and_then(|b| B64.decode(b).ok())
                .is_some_and(|sig| ct_eq(&sig, expected.as_ref()))
        });
        if !ok {
            return Err(AuthError::BadSignature);
        }
        Ok(format!("standard:{id}"))
    }

    fn verify_stripe(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        now: SystemTime,
    ) -> Result<String, AuthError> {
        let header = header_str(headers, "stripe-signature")?;
        let mut ts = None;
        let mut sigs = Vec::new();
        for part in header.split(',') {
            match part.trim().split_once('=') {
                Some(("t", v)) => ts = Some(v),
                Some(("v1", v)) => sigs.push(v),
                _ => {}
            }
        }
        let ts = ts.ok_or(AuthError::Malformed)?;
        check_timestamp(ts, now, self.tolerance)?;
        let expected = self.mac(&[ts.as_bytes(), b".", body]);
        let ok = sigs
            .iter()
            .any(|s| unhex(s).is_some_and(|sig| ct_eq(&sig, expected.as_ref())));
        if !ok {
            return Err(AuthError::BadSignature);
        }
        Ok(format!(
            "stripe:{ts}:{}",
            sigs.first().copied().unwrap_or_default()
        ))
    }

    /// Signature headers for a body the gateway forwards.
    pub fn sign(&self, id: &str, body: &[u8], now: SystemTime) -> Vec<(&'static str, String)> {
        let ts = now
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs()
            .to_string();
        match self.scheme {
            WebhookScheme::Standard => {
                let mac = self.mac(&[id.as_bytes(), b".", ts.as_bytes(), b".", body]);
                vec![
                    ("webhook-id", id.to_string()),
                    ("webhook-timestamp", ts),
                    (
                        "webhook-signature",
                        format!("v1,{}", B64.encode(mac.as_ref())),
                    ),
                ]
            }
            WebhookScheme::Stripe => {
                let mac = self.mac(&[ts.as_bytes(), b".", body]);
                vec![(
                    "stripe-signature",
                    format!("t={ts},v1={}", hex(mac.as_ref())),
                )]
            }
        }
    }

    fn mac(&self, parts: &[&[u8]]) -> hmac::Tag {
        let mut ctx = hmac::Context::with_key(&self.key);
        for p in parts {
            ctx.update(p);
        }
        ctx.sign()
    }
}

/// Whether the request carries webhook signature headers of any scheme.
pub fn has_signature(headers: &HeaderMap) -> bool {
    headers.contains_key("webhook-signature") || headers.contains_key("stripe-signature")
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Result<&'a str, AuthError> {
    headers
        .get(name)
        .ok_or(AuthError::Malformed)?
        .to_str()
        .map_err(|_| AuthError::Malformed)
}

fn check_timestamp(ts: &str, now: SystemTime, tolerance: Duration) -> Result<(), AuthError> {
    let ts: u64 = ts.parse().map_err(|_| AuthError::Malformed)?;
    let now = now.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
    if now.abs_diff(ts) > tolerance.as_secs() {
        return Err(AuthError::Stale);
    }
    Ok(())
}

/// Equality whose time does not depend on where the inputs differ.
fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// SHA-256 of an API key, as stored in the configuration.
pub fn hash_api_key(key: &str) -> String {
    hex(digest::digest(&digest::SHA256, key.as_bytes()).as_ref())
}

/// A caller as the gateway holds it.
pub struct Caller {
    pub name: String,
    api_key_hashes: Vec<Vec<u8>>,
    pub mtls_dns_name: Option<String>,
    pub webhook: Option<Signer>,
}

impl Caller {
    pub fn load(c: &CallerConfig) -> Result<Caller, AuthError> {
        Ok(Caller {
            name: c.name.clone(),
            api_key_hashes: c
                .api_key_sha256
                .iter()
                .filter_map(|h| unhex(&h.to_ascii_lowercase()))
                .collect(),
            mtls_dns_name: c.mtls_dns_name.clone(),
            webhook: c.webhook.as_ref().map(Signer::load).transpose()?,
        })
    }

    fn has_api_key(&self, hash: &[u8]) -> bool {
        self.api_key_hashes.iter().any(|h| ct_eq(h, hash))
    }
}

/// The API key a request presents, if any.
pub fn presented_api_key(headers: &HeaderMap) -> Option<&str> {
    if let Some(v) = headers.get("x-api-key") {
        return v.to_str().ok();
    }
    headers
        .get(hyper::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(bearer_credential)
}

/// The credential of a `Bearer` authorization; the scheme is case-insensitive (RFC 9110
/// section 11.1), and any run of spaces may follow it.
fn bearer_credential(v: &str) -> Option<&str> {
    let (scheme, rest) = v.trim_start().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| rest.trim_start_matches(' '))
        .filter(|c| !c.is_empty())
}

/// What the TLS layer proved about the client.
#[derive(Debug, Clone, Default)]
pub struct PeerIdentity {
    /// The DER end-entity certificate the client presented (its chain was verified).
    pub cert_end_entity: Option<Vec<u8>>,
    /// The TCP peer (for the access log).
    pub remote: Option<std::net::SocketAddr>,
}

/// Finds the caller among `allowed` that the request's credentials prove. A credential
/// that is presented and wrong fails the request even if another would have passed, so a
/// bad key is never silently ignored.
pub fn authenticate<'a>(
    callers: &'a [Caller],
    allowed: &[String],
    headers: &HeaderMap,
    peer: &PeerIdentity,
    body: &[u8],
    replay: &ReplayCache,
) -> Result<&'a Caller, AuthError> {
    let candidates = || callers.iter().filter(|c| allowed.contains(&c.name));
    if let Some(key) = presented_api_key(headers) {
        let hash = digest::digest(&digest::SHA256, key.as_bytes());
        let found = callers
            .iter()
            .find(|c| c.has_api_key(hash.as_ref()))
            .ok_or(AuthError::BadApiKey)?;
        return permitted(found, allowed);
    }
    if has_signature(headers) {
        let now = SystemTime::now();
        let mut last = AuthError::BadSignature;
        for c in candidates() {
            let Some(signer) = &c.webhook else { continue };
            match signer.verify(headers, body, now) {
                Ok(replay_key) => {
                    replay.check_and_insert(&format!("{}:{replay_key}", c.name), now)?;
                    return Ok(c);
                }
                Err(e @ (AuthError::Stale | AuthError::Malformed)) => last = e,
                Err(_) => {}
            }
        }
        return Err(last);
    }
    if let Some(cert) = &peer.cert_end_entity {
        for c in candidates() {
            if let Some(name) = &c.mtls_dns_name {
                if cert_has_dns_name(cert, name) {
                    return Ok(c);
                }
            }
        }
        return Err(AuthError::BadCertificate);
    }
    Err(AuthError::Missing)
}

fn permitted<'a>(c: &'a Caller, allowed: &[String]) -> Result<&'a Caller, AuthError> {
    if allowed.contains(&c.name) {
        Ok(c)
    } else {
        Err(AuthError::NotAllowed(c.name.clone()))
    }
}

/// Whether a (chain-verified) certificate is valid for `name`, by webpki's own rules.
pub fn cert_has_dns_name(der: &[u8], name: &str) -> bool {
    let cert = rustls::pki_types::CertificateDer::from(der);
    let Ok(ee) = webpki::EndEntityCert::try_from(&cert) else {
        return false;
    };
    let Ok(server_name) = rustls::pki_types::ServerName::try_from(name) else {
        return false;
    };
    ee.verify_is_valid_for_subject_name(&server_name).is_ok()
}

/// Webhook ids seen within the tolerance window; a second delivery is refused. Bounded:
/// the oldest entries go first when it is full.
pub struct ReplayCache {
    inner: Mutex<ReplayInner>,
    window: Duration,
    capacity: usize,
}

struct ReplayInner {
    seen: HashMap<String, SystemTime>,
    order: VecDeque<(SystemTime, String)>,
}

impl ReplayCache {
    pub fn new(window: Duration, capacity: usize) -> ReplayCache {
        ReplayCache {
            inner: Mutex::new(ReplayInner {
                seen: HashMap::new(),
                order: VecDeque::new(),
            }),
            window,
            capacity,
        }
    }

    pub fn check_and_insert(&self, key: &str, now: SystemTime) -> Result<(), AuthError> {
        let mut inner = self.inner.lock().map_err(|_| AuthError::Replay)?;
        while let Some((t, _)) = inner.order.front() {
            let expired = now.duration_since(*t).unwrap_or_default() > self.window;
            if !expired && inner.order.len() < self.capacity {
                break;
            }
            if let Some((_, k)) = inner.order.pop_front() {
                inner.seen.remove(&k);
            }
        }
        if inner.seen.contains_key(key) {
            return Err(AuthError::Replay);
        }
        inner.seen.insert(key.to_string(), now);
        inner.order.push_back((now, key.to_string()));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn standard() -> Signer {
        Signer::load(&WebhookSecret {
            scheme: WebhookScheme::Standard,
            secret: Some("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".into()),
            secret_file: None,
            tolerance_s: 300,
        })
        .expect("secret")
    }

    fn headers(pairs: &[(&'static str, String)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().expect("header"));
        }
        h
    }

    #[test]
    fn standard_webhooks_reference_vector_verifies() {
        // The test vector from the Standard Webhooks specification's reference libraries.
        let body = br#"{"test": 2432232314}"#;
        let h = headers(&[
            ("webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek".into()),
            ("webhook-timestamp", "1614265330".into()),
            (
                "webhook-signature",
                "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=".into(),
            ),
        ]);
        let at = UNIX_EPOCH + Duration::from_secs(1_614_265_330);
        standard().verify(&h, body, at).expect("verifies");
        assert_eq!(
            standard().verify(&h, b"{\"test\": 2432232315}", at),
            Err(AuthError::BadSignature)
        );
        assert_eq!(
            standard().verify(&h, body, at + Duration::from_secs(301)),
            Err(AuthError::Stale)
        );
    }

    #[test]
    fn signing_then_verifying_round_trips_for_both_schemes() {
        let stripe = Signer::load(&WebhookSecret {
            scheme: WebhookScheme::Stripe,
            secret: Some("whsec_stripe_test".into()),
            secret_file: None,
            tolerance_s: 300,
        })
        .expect("secret");
        let now = SystemTime::now();
        for s in [standard(), stripe] {
            let h = headers(&s.sign("msg_1", b"body", now));
            s.verify(&h, b"body", now).expect("own signature verifies");
            assert_eq!(s.verify(&h, b"bodY", now), Err(AuthError::BadSignature));
        }
    }

    #[test]
    fn replay_cache_refuses_a_second_delivery_and_forgets_old_ones() {
        let cache = ReplayCache::new(Duration::from_secs(10), 100);
        let t0 = UNIX_EPOCH + Duration::from_secs(1000);
        cache.check_and_insert("a", t0).expect("first");
        assert_eq!(cache.check_and_insert("a", t0), Err(AuthError::Replay));
        cache
            .check_and_insert("a", t0 + Duration::from_secs(11))
            .expect("expired entries are forgotten");
    }

    #[test]
    fn api_keys_match_by_hash_and_wrong_ones_fail() {
        let caller = Caller::load(&CallerConfig {
            rate_limit: None,
            name: "emr".into(),
            api_key_sha256: vec![hash_api_key("k-123")],
            mtls_dns_name: None,
            webhook: None,
        })
        .expect("caller");
        let callers = [caller];
        let cache = ReplayCache::new(Duration::from_secs(10), 10);
        let peer = PeerIdentity::default();
        let allowed = vec!["emr".to_string()];
        for spelling in ["bearer k-123", "BEARER  k-123"] {
            assert_eq!(
                presented_api_key(&headers(&[("authorization", spelling.into())])),
                Some("k-123")
            );
        }
        let ok = headers(&[("authorization", "Bearer k-123".into())]);
        assert_eq!(
            authenticate(&callers, &allowed, &ok, &peer, b"", &cache).map(|c| c.name.as_str()),
            Ok("emr")
        );
        let bad = headers(&[("x-api-key", "k-124".into())]);
        assert_eq!(
            authenticate(&callers, &allowed, &bad, &peer, b"", &cache).err(),
            Some(AuthError::BadApiKey)
        );
        assert_eq!(
            authenticate(&callers, &allowed, &HeaderMap::new(), &peer, b"", &cache).err(),
            Some(AuthError::Missing)
        );
        assert_eq!(
            authenticate(&callers, &[], &ok, &peer, b"", &cache).err(),
            Some(AuthError::NotAllowed("emr".into()))
        );
    }
}
