//! TLS for the gateway and the PostgreSQL vault: listener configurations (TLS 1.2 and 1.3
//! only, ALPN h2 and http/1.1, optional mutual TLS), certificates that reload on SIGHUP, the
//! client configurations (upstreams, and the vault's database, verified or, for
//! `sslmode=require`, encrypted only), the self-signed certificate `serve --dev` makes, and
//! the expiry of the certificate being served (for the `phigate_certificate_expiry_seconds`
//! gauge).
//!
//! Everything runs on rustls with ring, the project's one crypto stack.

use std::path::Path;
use std::sync::{Arc, RwLock};

use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{ClientHello, ResolvesServerCert, WebPkiClientVerifier};
use rustls::sign::CertifiedKey;
use rustls::{RootCertStore, ServerConfig};

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("reading {path}: {reason}")]
    Read { path: String, reason: String },
    #[error("{path}: no {what} found in the PEM file")]
    Empty { path: String, what: &'static str },
    #[error("TLS configuration: {0}")]
    Config(String),
}

pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn read_pem(path: &Path) -> Result<Vec<u8>, TlsError> {
    std::fs::read(path).map_err(|e| TlsError::Read {
        path: path.display().to_string(),
        reason: e.to_string(),
    })
}

pub fn load_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let pem = read_pem(path)?;
    let certs = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| TlsError::Read {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
    if certs.is_empty() {
        return Err(TlsError::Empty {
            path: path.display().to_string(),
            what: "certificate",
        });
    }
    Ok(certs)
}

fn load_key(path: &Path) -> Result<PrivateKeyDer<'static>, TlsError> {
    let pem = read_pem(path)?;
    PrivateKeyDer::from_pem_slice(&pem).map_err(|e| match e {
        rustls::pki_types::pem::Error::NoItemsFound => TlsError::Empty {
            path: path.display().to_string(),
            what: "private key",
        },
        e => TlsError::Read {
            path: path.display().to_string(),
            reason: e.to_string(),
        },
    })
}

pub fn load_roots(path: &Path) -> Result<RootCertStore, TlsError> {
    let mut roots = RootCertStore::empty();
    for c in load_certs(path)? {
        roots
            .add(c)
            .map_err(|e| TlsError::Config(format!("{}: {e}", path.display())))?;
    }
    Ok(roots)
}

/// The listener's certificate, swapped in place on reload so open connections keep theirs
/// and new handshakes get the new one.
#[derive(Debug)]
pub struct ReloadingCert {
    cert_path: std::path::PathBuf,
    key_path: std::path::PathBuf,
    current: RwLock<Arc<CertifiedKey>>,
}

impl ReloadingCert {
    pub fn load(cert: &Path, key: &Path) -> Result<ReloadingCert, TlsError> {
        let ck = certified_key(cert, key)?;
        Ok(ReloadingCert {
            cert_path: cert.to_path_buf(),
            key_path: key.to_path_buf(),
            current: RwLock::new(Arc::new(ck)),
        })
    }

    /// Re-reads the files; on any error the old certificate stays in use.
    pub fn reload(&self) -> Result<(), TlsError> {
        let ck = certified_key(&self.cert_path, &self.key_path)?;
        let mut cur = self
            .current
            .write()
            .map_err(|_| TlsError::Config("certificate lock poisoned".into()))?;
        *cur = Arc::new(ck);
        Ok(())
    }
}

impl ReloadingCert {
    /// When the served leaf certificate expires (Unix seconds), if it can be read.
    pub fn not_after(&self) -> Option<i64> {
        let current = self.current.read().ok()?;
        not_after(current.cert.first()?.as_ref())
    }
}

/// A certificate's notAfter (Unix seconds), read from its DER: Certificate → TBS →
/// (version) serial, signature, issuer, validity → notAfter. Only this one field is
/// needed, so a small DER walk replaces an X.509 parser dependency.
pub fn not_after(der: &[u8]) -> Option<i64> {
    let (_, cert, _) = der_tlv(der)?;
    let (_, tbs, _) = der_tlv(cert)?;
    let (tag, _, mut rest) = der_tlv(tbs)?;
    if tag == 0xA0 {
        rest = der_tlv(rest)?.2; // the explicit version came first; skip the serial
    }
    let rest = der_tlv(rest)?.2; // signature algorithm
    let rest = der_tlv(rest)?.2; // issuer
    let (_, validity, _) = der_tlv(rest)?;
    let (_, _, after) = der_tlv(validity)?;
    let (tag, time, _) = der_tlv(after)?;
    let text = std::str::from_utf8(time).ok()?.strip_suffix('Z')?;
    let (year, rest) = match tag {
        // UTCTime: two-digit years, 1950–2049 (RFC 5280 4.1.2.5.1).
        0x17 => {
            let yy: i32 = text.get(..2)?.parse().ok()?;
            (if yy >= 50 { 1900 + yy } else { 2000 + yy }, text.get(2..)?)
        }
        0x18 => (text.get(..4)?.parse().ok()?, text.get(4..)?),
        _ => return None,
    };
    let field = |i: usize| -> Option<u8> { rest.get(i..i + 2)?.parse().ok() };
    let date =
        time::Date::from_calendar_date(year, time::Month::try_from(field(0)?).ok()?, field(2)?)
            .ok()?;
    let at = date
        .with_hms(field(4)?, field(6)?, field(8)?)
        .ok()?
        .assume_utc();
    Some(at.unix_timestamp())
}

/// A certificate's subject as an RFC 4514 string (`CN=emr-prod,O=Clinic`), the most
/// specific name first; `None` if the certificate or its subject does not parse. webpki
/// finds the subject; the names in it are read here, as [`not_after`] reads its one field.
/// Attribute types this does not name are written as dotted OIDs with their value in hex.
pub fn subject(der: &[u8]) -> Option<String> {
    let cert_der = rustls::pki_types::CertificateDer::from(der);
    let cert = webpki::EndEntityCert::try_from(&cert_der).ok()?;
    let mut rdns = Vec::new();
    let mut rest = cert.subject();
    while !rest.is_empty() {
        let (tag, set, next) = der_tlv(rest)?;
        if tag != 0x31 {
            return None;
        }
        let mut parts = Vec::new();
        let mut attrs = set;
        while !attrs.is_empty() {
            let (tag, attr, after) = der_tlv(attrs)?;
            if tag != 0x30 {
                return None;
            }
            let (oid_tag, oid, value) = der_tlv(attr)?;
            if oid_tag != 0x06 {
                return None;
            }
            let (vtag, vbytes, _) = der_tlv(value)?;
            parts.push(attribute_text(oid, vtag, vbytes, value)?);
            attrs = after;
        }
        rdns.push(parts.join("+"));
        rest = next;
    }
    rdns.reverse();
    let text = rdns.join(",");
    // A subject is a name, not a document: anything longer is cut (on a char boundary).
    Some(text.chars().take(512).collect())
}

/// `CN=value`, or `2.5.4.99=#0c03616263` for a type without a short name.
fn attribute_text(oid: &[u8], tag: u8, value: &[u8], encoded: &[u8]) -> Option<String> {
    const NAMES: &[(&[u8], &str)] = &[
        (&[0x55, 0x04, 0x03], "CN"),
        (&[0x55, 0x04, 0x06], "C"),
        (&[0x55, 0x04, 0x07], "L"),
        (&[0x55, 0x04, 0x08], "ST"),
        (&[0x55, 0x04, 0x09], "STREET"),
        (&[0x55, 0x04, 0x0a], "O"),
        (&[0x55, 0x04, 0x0b], "OU"),
        (
            &[0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x19],
            "DC",
        ),
        (
            &[0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x01],
            "UID",
        ),
    ];
    let name = NAMES.iter().find(|(o, _)| *o == oid).map(|(_, n)| *n);
    let text = match tag {
        // UTF8String, PrintableString, IA5String, TeletexString (read as Latin-1).
        0x0c | 0x13 | 0x16 => std::str::from_utf8(value).ok().map(str::to_string),
        0x14 => Some(value.iter().map(|b| char::from(*b)).collect()),
        // BMPString: UTF-16, big-endian.
        0x1e if value.len().is_multiple_of(2) => {
            let units = value.chunks(2).map(|c| u16::from_be_bytes([c[0], c[1]]));
            char::decode_utf16(units)
                .collect::<Result<String, _>>()
                .ok()
        }
        _ => None,
    };
    match (name, text) {
        (Some(n), Some(t)) => Some(format!("{n}={}", escape_dn_value(&t))),
        _ => Some(format!(
            "{}=#{}",
            dotted_oid(oid)?,
            crate::hex::encode(encoded)
        )),
    }
}

/// RFC 4514 escaping: the specials, a leading `#` or space, a trailing space; control
/// characters as `\XX`.
fn escape_dn_value(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    let last = v.chars().count().saturating_sub(1);
    for (i, c) in v.chars().enumerate() {
        match c {
            ',' | '+' | '"' | '\\' | '<' | '>' | ';' => {
                out.push('\\');
                out.push(c);
            }
            '#' if i == 0 => out.push_str("\\#"),
            ' ' if i == 0 || i == last => out.push_str("\\ "),
            c if c.is_control() => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("\\{b:02X}"));
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// An OBJECT IDENTIFIER's content as dotted decimal.
fn dotted_oid(oid: &[u8]) -> Option<String> {
    let (&first, _) = oid.split_first()?;
    let mut arcs = vec![u64::from(first / 40).min(2), 0];
    arcs[1] = u64::from(first) - arcs[0] * 40;
    let mut n: u64 = 0;
    for &b in &oid[1..] {
        n = n.checked_mul(128)? | u64::from(b & 0x7f);
        if b & 0x80 == 0 {
            arcs.push(n);
            n = 0;
        }
    }
    Some(
        arcs.iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join("."),
    )
}

/// One DER element: its tag, its content, and what follows it.
fn der_tlv(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n]
            .iter()
            .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
        (len, &rest[n..])
    };
    if rest.len() < len {
        return None;
    }
    Some((tag, &rest[..len], &rest[len..]))
}

fn certified_key(cert: &Path, key: &Path) -> Result<CertifiedKey, TlsError> {
    let chain = load_certs(cert)?;
    let der = load_key(key)?;
    CertifiedKey::from_der(chain, der, &provider())
        .map_err(|e| TlsError::Config(format!("{} and {}: {e}", cert.display(), key.display())))
}

impl ResolvesServerCert for ReloadingCert {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        self.current.read().ok().map(|c| Arc::clone(&c))
    }
}

/// Whether a listener with a client CA lets clients without a certificate in (callers
/// may then authenticate by API key) or refuses them in the handshake.
#[derive(Debug, Clone, Copy, Default, serde::Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ClientAuth {
    #[default]
    Optional,
    Required,
}

/// The rustls server configuration of one listener: its certificate, and client
/// certificates checked against `client_ca` when there is one.
pub fn server_config(
    client_ca: Option<&Path>,
    client_auth: ClientAuth,
    cert: Arc<ReloadingCert>,
) -> Result<ServerConfig, TlsError> {
    let builder = ServerConfig::builder_with_provider(provider())
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|e| TlsError::Config(e.to_string()))?;
    let builder = match client_ca {
        Some(ca) => {
            let roots = Arc::new(load_roots(ca)?);
            let v = WebPkiClientVerifier::builder_with_provider(roots, provider());
            let v = match client_auth {
                ClientAuth::Optional => v.allow_unauthenticated(),
                ClientAuth::Required => v,
            };
            builder
                .with_client_cert_verifier(v.build().map_err(|e| TlsError::Config(e.to_string()))?)
        }
        None => builder.with_no_client_auth(),
    };
    let mut config = builder.with_cert_resolver(cert);
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

/// The client configuration for an upstream: the system roots, or the route's CA bundle.
pub fn client_config(ca: Option<&Path>) -> Result<rustls::ClientConfig, TlsError> {
    client_config_as(ca, None)
}

/// [`client_config`], presenting the certificate and key (PEM files) `identity` when the
/// server asks for one (an audit device's receiver with mutual TLS).
pub fn client_config_as(
    ca: Option<&Path>,
    identity: Option<(&Path, &Path)>,
) -> Result<rustls::ClientConfig, TlsError> {
    let roots = match ca {
        Some(path) => load_roots(path)?,
        None => {
            let mut roots = RootCertStore::empty();
            let found = rustls_native_certs::load_native_certs();
            for c in found.certs {
                // A system bundle with one unparsable certificate should not stop start-up.
                let _ = roots.add(c);
            }
            roots
        }
    };
    let config = rustls::ClientConfig::builder_with_provider(provider())
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|e| TlsError::Config(e.to_string()))?
        .with_root_certificates(roots);
    let config = match identity {
        None => config.with_no_client_auth(),
        Some((cert, key)) => config
            .with_client_auth_cert(load_certs(cert)?, load_key(key)?)
            .map_err(|e| {
                TlsError::Config(format!("{} and {}: {e}", cert.display(), key.display()))
            })?,
    };
    // ALPN (h2, http/1.1) is set by the HTTPS connector from the enabled versions.
    Ok(config)
}

/// A client configuration that encrypts but does not check the server's certificate: the
/// PostgreSQL vault's `sslmode=require` (libpq's meaning without a root certificate).
/// Handshake signatures are still verified, with the same provider and versions as
/// [`client_config`].
pub fn unverified_client_config() -> Result<rustls::ClientConfig, TlsError> {
    let provider = provider();
    Ok(
        rustls::ClientConfig::builder_with_provider(Arc::clone(&provider))
            .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
            .map_err(|e| TlsError::Config(e.to_string()))?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(NoCertCheck(provider)))
            .with_no_client_auth(),
    )
}

/// Accepts any server certificate; checks handshake signatures (see
/// [`unverified_client_config`]).
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

/// A self-signed certificate and key (PEM) for `localhost` and 127.0.0.1, for `--dev`.
pub fn self_signed() -> Result<(String, String), TlsError> {
    let names = vec![
        "localhost".to_string(),
        "127.0.0.1".to_string(),
        "::1".to_string(),
    ];
    let ck =
        rcgen::generate_simple_self_signed(names).map_err(|e| TlsError::Config(e.to_string()))?;
    Ok((ck.cert.pem(), ck.key_pair.serialize_pem()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_subject_reads_as_rfc_4514_most_specific_first() {
        let mut p = rcgen::CertificateParams::new(vec!["localhost".to_string()]).expect("params");
        let mut dn = rcgen::DistinguishedName::new();
        dn.push(rcgen::DnType::CountryName, "US");
        dn.push(rcgen::DnType::OrganizationName, "Clinic, Inc.");
        dn.push(rcgen::DnType::CommonName, "emr-prod");
        p.distinguished_name = dn;
        let key = rcgen::KeyPair::generate().expect("key");
        let cert = p.self_signed(&key).expect("cert");
        assert_eq!(
            subject(cert.der()).as_deref(),
            Some("CN=emr-prod,O=Clinic\\, Inc.,C=US")
        );
        assert_eq!(subject(b"not a certificate"), None);
        assert_eq!(dotted_oid(&[0x55, 0x04, 0x63]).as_deref(), Some("2.5.4.99"));
        assert_eq!(escape_dn_value(" #a\n"), "\\ #a\\0A");
    }

    #[test]
    fn not_after_is_read_from_the_der() {
        let mut p = rcgen::CertificateParams::new(vec!["localhost".to_string()]).expect("params");
        p.not_after = rcgen::date_time_ymd(2031, 7, 9);
        let key = rcgen::KeyPair::generate().expect("key");
        let cert = p.clone().self_signed(&key).expect("cert");
        // 2031-07-09T00:00:00Z
        assert_eq!(not_after(cert.der()), Some(1_941_321_600));
        p.not_after = rcgen::date_time_ymd(2061, 1, 2); // GeneralizedTime from 2050 on
        let cert = p.self_signed(&key).expect("cert");
        assert_eq!(not_after(cert.der()), Some(2_871_849_600));
        assert_eq!(not_after(b"not a certificate"), None);
    }
}
