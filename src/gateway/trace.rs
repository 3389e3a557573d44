//! W3C Trace Context (`traceparent`) towards upstreams: a caller's trace is continued when
//! its `traceparent` has exactly the W3C shape (version `00`, lower-case hex trace and
//! parent ids, not all zero, two flag digits); anything else (a second header, another
//! version, upper case, extra text) is replaced by a fresh trace, so the header can never
//! carry a caller's text to the outside. `tracestate` is never forwarded (free text).
//!
//! Even a well-formed trace id is the caller's choice of 32 hex digits, which can spell an
//! SSN, a record number or a date; so the upstream is told a keyed hash of it (a key drawn
//! once per process): every request of one caller trace goes out under one id, and no
//! byte the caller chose crosses.
//!
//! Owns the header's parsing and minting. With span export on (`[otel]`,
//! [`super::telemetry`]), the caller's trace is the request span's parent and the upstream
//! is told the upstream span's parent id under the hashed trace id: phigate's own spans
//! join the caller's trace, the upstream's spans join the hashed one.

use std::sync::OnceLock;

use hyper::header::{HeaderMap, HeaderValue};
use ring::hmac;

const TRACEPARENT: &str = "traceparent";
const TRACESTATE: &str = "tracestate";

/// One hop of a W3C trace: lower-case hex trace id (32), parent span id (16) and flags (2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hop {
    pub trace: String,
    pub parent: String,
    pub flags: String,
}

/// The caller's trace, from the one well-formed `traceparent` it sent.
pub fn caller_trace(headers: &HeaderMap) -> Option<Hop> {
    single_valid(headers)
}

/// Sets the upstream request's `traceparent`: this hop's exported span when there is one
/// (`exported`), else the caller's trace continued under a new parent id, or a fresh trace.
/// Without randomness, none is sent.
pub fn propagate(incoming: &HeaderMap, outgoing: &mut HeaderMap, exported: Option<Hop>) {
    outgoing.remove(TRACESTATE);
    let caller = single_valid(incoming);
    let value = match (exported, caller) {
        // An exported span continues the caller's trace, so its trace id is the caller's.
        (Some(hop), Some(caller)) if hop.trace == caller.trace => {
            outward(&hop.trace).map(|trace| format!("00-{trace}-{}-{}", hop.parent, hop.flags))
        }
        (Some(hop), _) => Some(format!("00-{}-{}-{}", hop.trace, hop.parent, hop.flags)),
        (None, Some(Hop { trace, flags, .. })) => outward(&trace)
            .zip(random_hex::<8>())
            .map(|(trace, parent)| format!("00-{trace}-{parent}-{flags}")),
        (None, None) => random_hex::<16>()
            .zip(random_hex::<8>())
            .map(|(trace, parent)| format!("00-{trace}-{parent}-01")),
    };
    match value.and_then(|v| HeaderValue::from_str(&v).ok()) {
        Some(v) => {
            outgoing.insert(TRACEPARENT, v);
        }
        None => {
            outgoing.remove(TRACEPARENT);
        }
    }
}

/// The one `traceparent` the caller sent, if it is well formed.
fn single_valid(headers: &HeaderMap) -> Option<Hop> {
    let mut all = headers.get_all(TRACEPARENT).iter();
    let v = all.next()?.to_str().ok()?;
    if all.next().is_some() {
        return None;
    }
    parse(v)
}

/// `00-<32 hex>-<16 hex>-<2 hex>`, lower case, ids not all zero.
fn parse(v: &str) -> Option<Hop> {
    let parts: Vec<&str> = v.split('-').collect();
    let [version, trace, parent, flags] = parts.as_slice() else {
        return None;
    };
    let hex = |s: &str, n: usize| {
        s.len() == n
            && s.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    };
    let zero = |s: &str| s.bytes().all(|b| b == b'0');
    let ok = *version == "00"
        && hex(trace, 32)
        && hex(parent, 16)
        && hex(flags, 2)
        && !zero(trace)
        && !zero(parent);
    ok.then(|| Hop {
        trace: trace.to_string(),
        parent: parent.to_string(),
        flags: flags.to_string(),
    })
}

/// The trace id told upstream for a caller's `trace`: the first 16 bytes of its HMAC-SHA256
/// under a key drawn once per process, as lower-case hex. None without randomness.
fn outward(trace: &str) -> Option<String> {
    static KEY: OnceLock<Option<hmac::Key>> = OnceLock::new();
    let key = KEY
        .get_or_init(|| {
            hmac::Key::generate(hmac::HMAC_SHA256, &ring::rand::SystemRandom::new()).ok()
        })
        .as_ref()?;
    let tag = hmac::sign(key, trace.as_bytes());
    Some(crate::audit::hex(&tag.as_ref()[..16]))
}

/// `N` random bytes as lower-case hex (never all zero in practice; retried once if so).
fn random_hex<const N: usize>() -> Option<String> {
    let rng = ring::rand::SystemRandom::new();
    for _ in 0..2 {
        let mut b = [0u8; N];
        ring::rand::SecureRandom::fill(&rng, &mut b).ok()?;
        if b.iter().any(|x| *x != 0) {
            return Some(crate::audit::hex(&b));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    fn through(values: &[&str]) -> String {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(TRACEPARENT, HeaderValue::from_str(v).expect("value"));
        }
        let mut out = HeaderMap::new();
        out.insert(TRACESTATE, HeaderValue::from_static("x=1"));
        propagate(&h, &mut out, None);
        assert!(!out.contains_key(TRACESTATE));
        let v = out[TRACEPARENT].to_str().expect("ascii").to_string();
        assert!(parse(&v).is_some(), "{v}");
        v
    }

    #[test]
    fn a_well_formed_trace_is_continued_under_a_hashed_id_and_a_new_parent() {
        let v = through(&[GOOD]);
        assert!(
            !v.contains("4bf92f3577b34da6"),
            "the caller's trace id crossed: {v}"
        );
        assert!(!v.contains("00f067aa0ba902b7"), "{v}");
        assert!(v.ends_with("-01"));
        // One caller trace goes out under one id, whatever the request.
        let again = through(&[GOOD]);
        assert_eq!(v[3..35], again[3..35], "{v} / {again}");
        assert_ne!(v, again, "each hop has its own parent id");
    }

    #[test]
    fn digits_chosen_by_the_caller_never_cross_in_a_trace_id() {
        // 32 hex digits can spell an SSN and a birth date.
        let v = through(&["00-00000000000123456789195203140000-00f067aa0ba902b7-01"]);
        assert!(!v.contains("123456789"), "{v}");
        assert!(!v.contains("19520314"), "{v}");
    }

    #[test]
    fn anything_else_gets_a_fresh_trace() {
        for bad in [
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
            "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
            "00-Zebulon-Quixote-01",
            "",
        ] {
            let v = through(&[bad]);
            assert!(!v.contains("4bf92f3577b34da6"), "{bad:?} continued: {v}");
        }
        let twice = through(&[GOOD, GOOD]);
        assert!(!twice.contains("4bf92f3577b34da6"), "{twice}");
        assert_ne!(through(&[]), through(&[]), "fresh traces differ");
    }
}
