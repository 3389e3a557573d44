//! W3C Trace Context (`traceparent`) towards upstreams: a caller's trace is continued when
//! its `traceparent` has exactly the W3C shape (version `00`, lower-case hex trace and
//! parent ids, not all zero, two flag digits); anything else (a second header, another
//! version, upper case, extra text) is replaced by a fresh trace, so the header can never
//! carry a caller's text to the outside. `tracestate` is never forwarded (free text).
//!
//! Owns the header's parsing and minting. Exporting spans (OTLP) is not built in.

use hyper::header::{HeaderMap, HeaderValue};

const TRACEPARENT: &str = "traceparent";
const TRACESTATE: &str = "tracestate";

/// Sets the upstream request's `traceparent`: the caller's trace continued under a new
/// parent id (this hop), or a fresh trace. Without randomness, none is sent.
pub fn propagate(incoming: &HeaderMap, outgoing: &mut HeaderMap) {
    outgoing.remove(TRACESTATE);
    let continued = single_valid(incoming);
    let value = match continued {
        Some((trace, flags)) => {
            random_hex::<8>().map(|parent| format!("00-{trace}-{parent}-{flags}"))
        }
        None => random_hex::<16>()
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

/// The trace id and flags of the one `traceparent` the caller sent, if it is well formed.
fn single_valid(headers: &HeaderMap) -> Option<(String, String)> {
    let mut all = headers.get_all(TRACEPARENT).iter();
    let v = all.next()?.to_str().ok()?;
    if all.next().is_some() {
        return None;
    }
    parse(v)
}

/// `00-<32 hex>-<16 hex>-<2 hex>`, lower case, ids not all zero: (trace id, flags).
fn parse(v: &str) -> Option<(String, String)> {
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
    ok.then(|| (trace.to_string(), flags.to_string()))
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
        propagate(&h, &mut out);
        assert!(!out.contains_key(TRACESTATE));
        let v = out[TRACEPARENT].to_str().expect("ascii").to_string();
        assert!(parse(&v).is_some(), "{v}");
        v
    }

    #[test]
    fn a_well_formed_trace_is_continued_under_a_new_parent() {
        let v = through(&[GOOD]);
        assert!(v.starts_with("00-4bf92f3577b34da6a3ce929d0e0e4736-"), "{v}");
        assert!(!v.contains("00f067aa0ba902b7"), "{v}");
        assert!(v.ends_with("-01"));
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
