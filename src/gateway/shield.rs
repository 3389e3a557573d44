//! The reveal side must not be a token oracle (red team 55, J1).
//!
//! On a reidentify route the outside caller writes the request and the clinic's answer is
//! de-identified on its way back. If the caller sends a guessed value in plain text and
//! the clinic echoes it (a FHIR create answered with the resource, a search, a "not found:
//! <input>" error), the answer would carry the vault's deterministic token of the guess,
//! which the caller compares with the tokens in its de-identified data: one request per
//! guess translates every token it holds.
//!
//! A [`Shield`] is made per reidentify request from what the caller sent, as the gateway
//! read it (the body's text and its JSON strings unescaped, the path and query decoded,
//! the header values). A value of the answer that the caller sent in plain — compared in
//! a normalised form per type, and for names per name part, so `THACKERAY, R.` answered
//! for `Rosalind Thackeray` is caught — is tokenised under a key made for this request
//! alone: a token that matches nothing else, is never stored and reveals nothing. The
//! caller learns nothing it did not send; every other value of the answer keeps the
//! vault's token (so the echo of a token the caller sent comes back as that token).
//!
//! Why a per-request key and not the value as sent: the value is PHI, and an answer
//! leaving the clinic carries none (fail closed), whoever wrote it first. Why not refuse:
//! echoes are the ordinary shape of FHIR writes; `plain_phi = "refuse"` on the route
//! withholds such answers for operators who want that.
//!
//! The comparison errs towards shielding (a name part or an identifier's characters found
//! anywhere in the request): a false match costs only the join on that one token.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use hyper::header::HeaderMap;

use crate::keys::MasterKey;
use crate::phi::PhiType;
use crate::transform::token::{normalize, TokenMinter};

/// Identifier-like values shorter than this (squashed) must match a whole word of the
/// request; longer ones may match anywhere in its squashed text (`413-555-0172` sent,
/// `(413) 555-0172` answered).
const MIN_SQUASHED: usize = 4;

/// Name parts shorter than this are initials: they match too much to mean anything.
const MIN_NAME_PART: usize = 2;

/// Courtesy titles and suffixes: a request saying `Mrs.` says nothing about whose name
/// the answer holds.
const NOT_NAME_PARTS: &[&str] = &["mr", "mrs", "ms", "mx", "dr", "miss", "jr", "sr", "md"];

/// What one reidentify request's caller sent in plain, and the key its echoes are
/// tokenised under.
pub struct Shield {
    /// Every word of the request, lower-cased.
    words: HashSet<String>,
    /// Each view of the request with only its letters and digits, lower-cased, the views
    /// separated by a character no squashed value holds.
    squashed: String,
    minter: TokenMinter,
    shielded: AtomicU64,
    /// The types of the values shielded so far (a bit per [`PhiType::index`]).
    shielded_types: AtomicU64,
    /// The types whose every value is shielded, each occurrence under a token of its own,
    /// once the answer is written again ([`Shield::scatter`]).
    scattered: AtomicU64,
    occurrence: AtomicU64,
}

/// A type's bit in a set of types.
pub fn type_bit(ty: PhiType) -> u64 {
    1 << ty.index()
}

impl Shield {
    /// A shield for a request whose channels read as `views` (each decoded as the clinic
    /// will read it); `None` when no randomness is to be had (the request then fails).
    pub fn of_request<'v>(views: impl IntoIterator<Item = &'v str>) -> Option<Shield> {
        let key = MasterKey::generate().ok()?;
        let mut words = HashSet::new();
        let mut squashed = String::new();
        for view in views {
            for w in view.split(|c: char| !c.is_alphanumeric()) {
                if !w.is_empty() {
                    words.insert(w.to_lowercase());
                }
            }
            squashed.push_str(&squash(view));
            squashed.push('\n');
        }
        Some(Shield {
            words,
            squashed,
            minter: TokenMinter::new(&key, "request"),
            shielded: AtomicU64::new(0),
            shielded_types: AtomicU64::new(0),
            scattered: AtomicU64::new(0),
            occurrence: AtomicU64::new(0),
        })
    }

    /// Whether the caller sent `value` (of type `ty`) in plain in this request; once
    /// scattered, every value of a scattered type is taken as sent.
    pub fn sent(&self, ty: PhiType, value: &str) -> bool {
        if self.scattered.load(Relaxed) & type_bit(ty) != 0 {
            return true;
        }
        match ty {
            PhiType::Name | PhiType::ProviderName => self.sent_name_part(value),
            _ => self.sent_characters(ty, value),
        }
    }

    /// Any part of a name, as a word of the request or (four letters or more) inside its
    /// squashed text (`RosalindThackeray`).
    fn sent_name_part(&self, value: &str) -> bool {
        value
            .split(|c: char| !c.is_alphanumeric())
            .map(str::to_lowercase)
            .filter(|p| p.chars().count() >= MIN_NAME_PART && !NOT_NAME_PARTS.contains(&&**p))
            .any(|p| {
                self.words.contains(&p)
                    || (p.chars().count() >= MIN_SQUASHED && self.squashed.contains(&p))
            })
    }

    /// The value's normalised form's letters and digits, in order, anywhere in the
    /// request (short ones as a word of it): `+1 (413) 555-0172` is `4135550172`.
    fn sent_characters(&self, ty: PhiType, value: &str) -> bool {
        let s = squash(&normalize(ty, value));
        match s.chars().count() {
            0 => false,
            n if n < MIN_SQUASHED => self.words.contains(&s),
            _ => self.squashed.contains(&s),
        }
    }

    /// The token of an echoed value: under this request's key, normalised as the vault
    /// would (so spellings of one value share it within the answer), never stored.
    pub fn token(&self, ty: PhiType, value: &str) -> String {
        self.shielded.fetch_add(1, Relaxed);
        self.shielded_types.fetch_or(type_bit(ty), Relaxed);
        let normal = normalize(ty, value);
        match self.scattered.load(Relaxed) & type_bit(ty) != 0 {
            false => self.minter.mint(ty, &normal, 0),
            true => {
                let n = self.occurrence.fetch_add(1, Relaxed);
                self.minter.mint(ty, &format!("{normal}\0{n}"), 0)
            }
        }
    }

    /// The types of the values shielded so far.
    pub fn shielded_types(&self) -> u64 {
        self.shielded_types.load(Relaxed)
    }

    /// From now on every value of `types` gets a token of its own, per occurrence: for an
    /// answer to a request that revealed values of those types and had its own plain
    /// values of one of them echoed. The vault's token of a revealed value and the
    /// request's token of a guess would otherwise tell whether the guess was the value
    /// (the two alike or not), whichever way either is made; tokens that match nothing,
    /// not even each other, tell nothing. The count starts again for the answer written
    /// anew.
    pub fn scatter(&self, types: u64) {
        self.scattered.store(types, Relaxed);
        self.shielded.store(0, Relaxed);
    }

    /// How many values of the answer were shielded so far.
    pub fn shielded(&self) -> u64 {
        self.shielded.load(Relaxed)
    }
}

/// The views of a request a shield is made from: the path and query as written and
/// decoded, every header value, the body's text, its JSON strings (keys and values)
/// unescaped, and its percent-decoded text (a form).
pub fn request_views(
    path: &str,
    query: Option<&str>,
    headers: &HeaderMap,
    body: &[u8],
) -> Vec<String> {
    let mut views = vec![path.to_string(), percent_decoded(path)];
    if let Some(q) = query {
        views.push(q.to_string());
        views.extend(
            form_urlencoded::parse(q.as_bytes()).flat_map(|(k, v)| [k, v].map(String::from)),
        );
    }
    views.extend(
        headers
            .values()
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned()),
    );
    let text = String::from_utf8_lossy(body);
    if let Ok(doc) = serde_json::from_str::<serde_json::Value>(text.trim()) {
        json_strings(&doc, &mut views);
    }
    views.push(percent_decoded(&text.replace('+', " ")));
    views.push(text.into_owned());
    let encoded = encoded_views(&views);
    views.extend(encoded);
    views
}

/// How deep values encoded inside encoded values are opened (`base64(base64(name))`).
const MAX_ENCODED_DEPTH: usize = 3;

/// The text the words of `views` hold in base64, base32, hexadecimal or uuencode, opened
/// again inside what they hold: the answer side reads those encodings, so a guess sent
/// encoded (`{"g":"T3Jzb2x5YSBCcmFua292aWM="}`) and echoed must be known as sent, or the
/// echo's vault token confirms it (red team 68, F5).
fn encoded_views(views: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let mut layer: Vec<String> = views.to_vec();
    for _ in 0..MAX_ENCODED_DEPTH {
        let opened: Vec<String> = layer
            .iter()
            .flat_map(|v| v.split(|c: char| c.is_whitespace() || "\"',;:{}[]()<>&?".contains(c)))
            .filter(|w| w.len() >= 4)
            .filter_map(crate::engine::encoded_text)
            .collect();
        if opened.is_empty() {
            break;
        }
        out.extend(opened.iter().cloned());
        layer = opened;
    }
    out
}

fn percent_decoded(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

/// Every key and scalar of a JSON document, as text.
fn json_strings(v: &serde_json::Value, out: &mut Vec<String>) {
    use serde_json::Value;
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Number(n) => out.push(n.to_string()),
        Value::Array(a) => a.iter().for_each(|x| json_strings(x, out)),
        Value::Object(o) => o.iter().for_each(|(k, x)| {
            out.push(k.clone());
            json_strings(x, out);
        }),
        Value::Bool(_) | Value::Null => {}
    }
}

/// Letters and digits only, lower-cased.
fn squash(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shield(views: &[&str]) -> Shield {
        Shield::of_request(views.iter().copied()).expect("randomness")
    }

    #[test]
    fn values_sent_in_plain_are_recognised_in_their_answered_forms() {
        let s = shield(&[r#"{"name":"rosalind thackeray","phone":"413-555-0172"}"#]);
        assert!(s.sent(PhiType::Name, "Rosalind Thackeray"));
        assert!(s.sent(PhiType::Name, "THACKERAY, R."), "per name part");
        assert!(s.sent(PhiType::Phone, "(413) 555-0172"));
        assert!(s.sent(PhiType::Phone, "+1 413 555 0172"));
        assert!(!s.sent(PhiType::Name, "Zvezdana Vukovljevic"));
        assert!(!s.sent(PhiType::Phone, "413-555-0173"));
        assert!(
            !s.sent(PhiType::Name, "Mrs. X"),
            "titles and initials say nothing"
        );
    }

    #[test]
    fn values_sent_encoded_are_known_as_sent() {
        // base64 of `Rosalind Thackeray`, base64 of base64 of `413-555-0172`, and hex of
        // `Vukovljevic`.
        let views = request_views(
            "/echo",
            Some("q=Um9zYWxpbmQgVGhhY2tlcmF5"),
            &HeaderMap::new(),
            br#"{"p":"TkRFekxUVTFOUzB3TVRjeQ==","n":"56756b6f766c6a65766963"}"#,
        );
        let s = Shield::of_request(views.iter().map(String::as_str)).expect("randomness");
        assert!(s.sent(PhiType::Name, "Rosalind Thackeray"));
        assert!(s.sent(PhiType::Phone, "(413) 555-0172"));
        assert!(s.sent(PhiType::Name, "Vukovljevic"));
        assert!(!s.sent(PhiType::Name, "Zvezdana Quorvelline"));
    }

    #[test]
    fn tokens_of_echoes_are_the_requests_own_and_consistent_within_it() {
        let a = shield(&["Rosalind Thackeray"]);
        let b = shield(&["Rosalind Thackeray"]);
        let t = a.token(PhiType::Name, "Rosalind Thackeray");
        assert!(t.starts_with("NAME_"), "{t}");
        assert_eq!(t, a.token(PhiType::Name, "THACKERAY, ROSALIND"));
        assert_ne!(t, b.token(PhiType::Name, "Rosalind Thackeray"));
        assert_eq!(a.shielded(), 2);
        a.scatter(type_bit(PhiType::Name) | type_bit(PhiType::Mrn));
        assert!(
            a.sent(PhiType::Mrn, "MR 5520931"),
            "every value, once scattered"
        );
        assert!(
            !a.sent(PhiType::Phone, "413-555-0173"),
            "of the scattered types"
        );
        let (x, y) = (
            a.token(PhiType::Name, "Rosalind Thackeray"),
            a.token(PhiType::Name, "Rosalind Thackeray"),
        );
        assert_ne!(x, y, "per occurrence");
        assert_ne!(x, t);
    }
}
