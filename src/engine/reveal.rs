//! Re-identification: replacing tokens in text, JSON, forms, HL7 v2 messages, X12
//! interchanges, CSV/TSV tables and XML documents with the values they stand for (in structured bodies, value by value, so a
//! revealed value is escaped or quoted as its format needs).
//!
//! Owns [`reidentify`], the reverse of [`Engine::deidentify`](super::Engine::deidentify):
//! one document and its content type in, the document with its tokens revealed out, read
//! by the same sniffing ([`nested::opens_like_json`], [`nested::sniff`]) as the forward
//! direction. Also owns the token-finding pattern, the allow-list of PHI types a caller may
//! have revealed, and the counts of what was revealed, refused or unknown. Unknown and
//! forged tokens are left as they are and only counted; no value or token appears in an
//! error.

use regex::Regex;
use serde_json::{Map, Value};

use crate::engine::spelling::{render, Render};
use crate::engine::{hl7, json, nested, x12, xml, ContentType, ScanError};
use crate::phi::PhiType;
use crate::transform::token::{Revealed, TokenError, TokenStore};

/// What a reveal did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct RevealStats {
    pub revealed: usize,
    /// Tokens of a type the caller may not have revealed.
    pub refused: usize,
    /// Token-shaped strings the store does not know (forged, or from another vault).
    pub unknown: usize,
}

/// Which PHI types may be revealed.
#[derive(Debug, Clone)]
pub struct Allow(Option<Vec<PhiType>>);

impl Allow {
    pub fn all() -> Allow {
        Allow(None)
    }

    pub fn only(types: Vec<PhiType>) -> Allow {
        Allow(Some(types))
    }

    pub fn permits(&self, ty: PhiType) -> bool {
        self.0.as_ref().is_none_or(|t| t.contains(&ty))
    }
}

/// The token pattern ([`crate::phi::token::token_pattern`]), or the error that stops a
/// reveal when it cannot be built.
fn token_pattern() -> Result<&'static Regex, TokenError> {
    crate::phi::token::token_pattern()
        .ok_or_else(|| TokenError::Unavailable("token pattern does not compile".into()))
}

/// Replaces every revealable token in `text`.
pub fn reveal_text(
    text: &str,
    store: &dyn TokenStore,
    allow: &Allow,
    stats: &mut RevealStats,
) -> Result<String, TokenError> {
    reveal_text_as(text, Render::Plain, store, allow, stats)
}

/// [`reveal_text`] for a value `render` writes: a value kept with its HL7 or XML spelling
/// ([`crate::engine::spelling`]) keeps it there and reads plainly anywhere else.
fn reveal_text_as(
    text: &str,
    as_: Render,
    store: &dyn TokenStore,
    allow: &Allow,
    stats: &mut RevealStats,
) -> Result<String, TokenError> {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for m in token_pattern()?.find_iter(text) {
        let Some((start, r)) = lookup(text, m.start(), m.end(), store)? else {
            out.push_str(&text[last..m.end()]);
            stats.unknown += 1;
            last = m.end();
            continue;
        };
        out.push_str(&text[last..start]);
        if allow.permits(r.ty) {
            out.push_str(&render(&r.value, as_));
            stats.revealed += 1;
        } else {
            out.push_str(&text[start..m.end()]);
            stats.refused += 1;
        }
        last = m.end();
    }
    out.push_str(&text[last..]);
    Ok(out)
}

/// Looks up the token found at `start..end`. When it is glued to a letter or digit before
/// it and the store does not know it, the shorter prefixes its own prefix ends with are
/// tried, longest first (`xZIP_…` may be `xZ` + `IP_…`). Returns where the known token
/// starts.
fn lookup(
    text: &str,
    start: usize,
    end: usize,
    store: &dyn TokenStore,
) -> Result<Option<(usize, Revealed)>, TokenError> {
    if let Some(r) = store.reveal(&text[start..end])? {
        return Ok(Some((start, r)));
    }
    let glued = text[..start]
        .chars()
        .next_back()
        .is_some_and(char::is_alphanumeric);
    if !glued {
        return Ok(None);
    }
    let prefix = text[start..end].split('_').next().unwrap_or_default();
    let mut shorter: Vec<&str> = PhiType::ALL
        .iter()
        .map(|t| t.token_prefix())
        .filter(|p| p.len() < prefix.len() && prefix.ends_with(p))
        .collect();
    shorter.sort_unstable_by_key(|p| std::cmp::Reverse(p.len()));
    for p in shorter {
        let at = start + prefix.len() - p.len();
        if let Some(r) = store.reveal(&text[at..end])? {
            return Ok(Some((at, r)));
        }
    }
    Ok(None)
}

/// Why a document could not be revealed.
#[derive(Debug, thiserror::Error)]
pub enum RevealError {
    /// Two object keys reveal to the same key (or a revealed key to one already there):
    /// refused, never merged, so no value is silently dropped.
    #[error("two object keys re-identify to the same key")]
    KeyCollision,
    #[error(transparent)]
    Token(#[from] TokenError),
    /// A body that cannot be read as its type (the message names a position, no value).
    #[error(transparent)]
    Malformed(#[from] ScanError),
}

/// Re-identifies one UTF-8 document by its content type. As in de-identification the label
/// is a hint where it names text: a text body that is JSON is revealed as JSON (so revealed
/// values are escaped in it), one that is an HL7 message as HL7. A body labelled JSON that
/// does not parse is refused (the error names a position, never the input).
pub fn reidentify(
    text: &str,
    content_type: ContentType,
    store: &dyn TokenStore,
    allow: &Allow,
    stats: &mut RevealStats,
) -> Result<String, RevealError> {
    match content_type {
        ContentType::Json | ContentType::FhirJson => reveal_json_text(text, store, allow, stats),
        ContentType::NdJson => reveal_lines(text, store, allow, stats),
        ContentType::Form => Ok(reveal_form(text, store, allow, stats)?),
        ContentType::Text => reveal_sniffed(text, store, allow, stats),
        ContentType::Hl7 => reveal_hl7(text, store, allow, stats),
        ContentType::Csv => {
            let d = crate::engine::csv::labelled_delimiter(text).unwrap_or(b',');
            reveal_table(text, d, store, allow, stats)
        }
        ContentType::Tsv => reveal_table(text, b'\t', store, allow, stats),
        ContentType::Xml => reveal_xml(text, store, allow, stats),
        ContentType::X12 => reveal_x12(text, store, allow, stats),
    }
}

/// A document of unknown shape: JSON if it parses as JSON, HL7 if it reads as a message,
/// text otherwise.
fn reveal_sniffed(
    text: &str,
    store: &dyn TokenStore,
    allow: &Allow,
    stats: &mut RevealStats,
) -> Result<String, RevealError> {
    if nested::opens_like_json(text) {
        if let Ok(v) = json::parse(text.trim()) {
            return reveal_json_value(v, store, allow, stats);
        }
    }
    match nested::sniff(text) {
        nested::Shape::Hl7 => return reveal_hl7(text, store, allow, stats),
        nested::Shape::Xml => return reveal_xml(text, store, allow, stats),
        nested::Shape::X12 => return reveal_x12(text, store, allow, stats),
        _ => {}
    }
    Ok(reveal_text(text, store, allow, stats)?)
}

/// A JSON document, parsed (errors keep only a position), revealed and written out.
fn reveal_json_text(
    text: &str,
    store: &dyn TokenStore,
    allow: &Allow,
    stats: &mut RevealStats,
) -> Result<String, RevealError> {
    reveal_json_value(json::parse(text)?, store, allow, stats)
}

fn reveal_json_value(
    mut v: Value,
    store: &dyn TokenStore,
    allow: &Allow,
    stats: &mut RevealStats,
) -> Result<String, RevealError> {
    reveal_json(&mut v, store, allow, stats)?;
    Ok(v.to_string())
}

/// NDJSON: each non-blank line a JSON document; blank lines kept as they are.
fn reveal_lines(
    text: &str,
    store: &dyn TokenStore,
    allow: &Allow,
    stats: &mut RevealStats,
) -> Result<String, RevealError> {
    let lines = text.split('\n').map(|line| {
        if line.trim().is_empty() {
            Ok(line.to_string())
        } else {
            reveal_json_text(line, store, allow, stats)
        }
    });
    Ok(lines.collect::<Result<Vec<_>, _>>()?.join("\n"))
}

/// Replaces tokens in a form (a body or a query), keys too: a bare query term or an unknown
/// key was tokenised on the way out.
pub fn reveal_form(
    text: &str,
    store: &dyn TokenStore,
    allow: &Allow,
    stats: &mut RevealStats,
) -> Result<String, TokenError> {
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (k, v) in form_urlencoded::parse(text.as_bytes()) {
        let k = reveal_text(&k, store, allow, stats)?;
        let v = reveal_text(&v, store, allow, stats)?;
        out.append_pair(&k, &v);
    }
    Ok(out.finish())
}

/// Replaces tokens in every value of an HL7 v2 body; each revealed value is re-escaped, so
/// a value restored with its `^` or `&` keeps the message valid. A value with no token is
/// written as it came, so with exact tokens the message comes back byte for byte.
pub fn reveal_hl7(
    text: &str,
    store: &dyn TokenStore,
    allow: &Allow,
    stats: &mut RevealStats,
) -> Result<String, RevealError> {
    struct Revealer<'a> {
        store: &'a dyn TokenStore,
        allow: &'a Allow,
        stats: &'a mut RevealStats,
    }
    impl hl7::Rewriter for Revealer<'_> {
        type Error = RevealError;
        fn begin(&mut self, _: &hl7::Message<'_>) -> Result<(), RevealError> {
            Ok(())
        }
        fn value(
            &mut self,
            _: hl7::Place<'_>,
            v: &crate::engine::spelling::Spelled<'_>,
        ) -> Result<Option<String>, RevealError> {
            // Every token has an underscore; most values have none.
            if !v.written.contains('_') {
                return Ok(None);
            }
            let out = reveal_text_as(&v.written, Render::Hl7, self.store, self.allow, self.stats)?;
            Ok(Some(out))
        }
    }
    hl7::rewrite(
        text,
        &mut Revealer {
            store,
            allow,
            stats,
        },
    )
}

/// Replaces tokens in every value of an XML document (element text, attribute values,
/// CDATA, comments, processing instructions); each revealed value is escaped for where it
/// sits, and everything else is written as it came, so with exact tokens the document
/// comes back byte for byte.
pub fn reveal_xml(
    text: &str,
    store: &dyn TokenStore,
    allow: &Allow,
    stats: &mut RevealStats,
) -> Result<String, RevealError> {
    xml::rewrite(text, |slot, v: &str| {
        // Every token has an underscore; most values have none.
        if !v.contains('_') {
            return Ok(None);
        }
        // Only text and attribute values are written with references.
        let as_ = match slot {
            xml::Slot::Text(_) | xml::Slot::Attr(_) => Render::Xml,
            _ => Render::Plain,
        };
        Ok::<_, RevealError>(Some(reveal_text_as(v, as_, store, allow, stats)?))
    })
}

/// Replaces tokens in every value of an X12 interchange (an 835's CLP01 and NM1*QC, a
/// 277CA's TRN02). A value with no token is written as it came; a revealed value that would
/// hold one of the interchange's delimiters is refused (X12 cannot escape it), so the
/// interchange keeps its structure and its counts.
pub fn reveal_x12(
    text: &str,
    store: &dyn TokenStore,
    allow: &Allow,
    stats: &mut RevealStats,
) -> Result<String, RevealError> {
    struct Revealer<'a> {
        store: &'a dyn TokenStore,
        allow: &'a Allow,
        stats: &'a mut RevealStats,
    }
    impl x12::Rewriter for Revealer<'_> {
        type Error = RevealError;
        fn value(
            &mut self,
            _: x12::Place<'_>,
            _: Option<x12::Rule>,
            v: &str,
        ) -> Result<Option<String>, RevealError> {
            if !v.contains('_') {
                return Ok(None);
            }
            Ok(Some(reveal_text(v, self.store, self.allow, self.stats)?))
        }
    }
    x12::rewrite(
        &x12::Rules::none(),
        text,
        &mut Revealer {
            store,
            allow,
            stats,
        },
    )
}

/// Replaces tokens in every cell of a CSV (read with the delimiter it was de-identified
/// with) or TSV (`\t`) table, quoting revealed cells as they need.
pub fn reveal_table(
    text: &str,
    delimiter: u8,
    store: &dyn TokenStore,
    allow: &Allow,
    stats: &mut RevealStats,
) -> Result<String, RevealError> {
    crate::engine::csv::rewrite_cells(text, delimiter, |cell| {
        if !cell.contains('_') {
            return Ok(cell.to_string());
        }
        Ok::<_, RevealError>(reveal_text(cell, store, allow, stats)?)
    })
}

/// Replaces tokens in every string of a JSON value, object keys included, so revealed
/// values are escaped correctly when the document is written out again.
pub fn reveal_json(
    v: &mut Value,
    store: &dyn TokenStore,
    allow: &Allow,
    stats: &mut RevealStats,
) -> Result<(), RevealError> {
    match v {
        Value::String(s) => *s = reveal_text(s, store, allow, stats)?,
        Value::Array(a) => {
            for x in a {
                reveal_json(x, store, allow, stats)?;
            }
        }
        Value::Object(o) => {
            for x in o.values_mut() {
                reveal_json(x, store, allow, stats)?;
            }
            reveal_keys(o, store, allow, stats)?;
        }
        _ => {}
    }
    Ok(())
}

/// Reveals the tokens in an object's keys, in place and in order. The map is rebuilt only
/// when a key holds something token-shaped.
fn reveal_keys(
    o: &mut Map<String, Value>,
    store: &dyn TokenStore,
    allow: &Allow,
    stats: &mut RevealStats,
) -> Result<(), RevealError> {
    let pattern = token_pattern()?;
    if !o.keys().any(|k| pattern.is_match(k)) {
        return Ok(());
    }
    let old = std::mem::take(o);
    for (k, v) in old {
        let k = if pattern.is_match(&k) {
            reveal_text(&k, store, allow, stats)?
        } else {
            k
        };
        if o.insert(k, v).is_some() {
            return Err(RevealError::KeyCollision);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::MasterKey;
    use crate::transform::token::{MemoryTokenStore, TokenRequest};

    #[test]
    fn reveals_allowed_types_and_counts_the_rest() {
        let store = MemoryTokenStore::new(&MasterKey::from_bytes([4; 32]), "");
        let t = store
            .tokenize(
                &[
                    TokenRequest {
                        ty: PhiType::Name,
                        value: "Maria Lopez",
                    },
                    TokenRequest {
                        ty: PhiType::Ssn,
                        value: "219-09-9999",
                    },
                ],
                true,
            )
            .expect("tokens");
        let text = format!("{} has {} and NAME_0000000000.", t[0], t[1]);
        let mut stats = RevealStats::default();
        let out = reveal_text(&text, &store, &Allow::only(vec![PhiType::Name]), &mut stats)
            .expect("reveal");
        assert_eq!(
            out,
            format!("Maria Lopez has {} and NAME_0000000000.", t[1])
        );
        assert_eq!(
            stats,
            RevealStats {
                revealed: 1,
                refused: 1,
                unknown: 1
            }
        );
    }

    #[test]
    fn json_values_are_escaped_on_the_way_out() {
        let store = MemoryTokenStore::new(&MasterKey::from_bytes([4; 32]), "");
        let t = store
            .tokenize(
                &[TokenRequest {
                    ty: PhiType::Name,
                    value: "O\"Brien",
                }],
                true,
            )
            .expect("t");
        let mut v = serde_json::json!({"n": t[0]});
        reveal_json(&mut v, &store, &Allow::all(), &mut RevealStats::default()).expect("ok");
        assert_eq!(v.to_string(), r#"{"n":"O\"Brien"}"#);
    }

    fn store_with(values: &[(PhiType, &str)]) -> (MemoryTokenStore, Vec<String>) {
        let store = MemoryTokenStore::new(&MasterKey::from_bytes([4; 32]), "");
        let batch: Vec<TokenRequest<'_>> = values
            .iter()
            .map(|&(ty, value)| TokenRequest { ty, value })
            .collect();
        let tokens = store.tokenize(&batch, true).expect("tokens");
        (store, tokens)
    }

    #[test]
    fn json_keys_are_revealed_in_place_and_in_order() {
        let (store, t) = store_with(&[(PhiType::Mrn, "A-1001"), (PhiType::Email, "m@x.org")]);
        let doc = format!(
            r#"{{"first":1,"{}":{{"{}":"x","note":"{}"}},"last":2}}"#,
            t[0], t[1], t[0]
        );
        let mut v: Value = serde_json::from_str(&doc).expect("json");
        let mut stats = RevealStats::default();
        reveal_json(&mut v, &store, &Allow::all(), &mut stats).expect("reveal");
        assert_eq!(
            v.to_string(),
            r#"{"first":1,"A-1001":{"m@x.org":"x","note":"A-1001"},"last":2}"#
        );
        assert_eq!(stats.revealed, 3);
    }

    #[test]
    fn json_keys_of_refused_types_stay_tokens() {
        let (store, t) = store_with(&[(PhiType::Mrn, "A-1001")]);
        let mut v = serde_json::json!({ t[0].clone(): 1 });
        let mut stats = RevealStats::default();
        reveal_json(
            &mut v,
            &store,
            &Allow::only(vec![PhiType::Name]),
            &mut stats,
        )
        .expect("reveal");
        assert_eq!(v, serde_json::json!({ t[0].clone(): 1 }));
        assert_eq!(stats.refused, 1);
    }

    #[test]
    fn colliding_revealed_keys_are_refused_not_merged() {
        let (store, t) = store_with(&[(PhiType::Mrn, "A-1001")]);
        // A token key and the value it stands for, side by side.
        let mut v = serde_json::json!({ "A-1001": 1, t[0].clone(): 2 });
        let err = reveal_json(&mut v, &store, &Allow::all(), &mut RevealStats::default())
            .expect_err("collision");
        assert!(matches!(err, RevealError::KeyCollision));
        // The message names neither the key nor the value.
        assert!(!err.to_string().contains("A-1001") && !err.to_string().contains(&t[0]));
    }

    #[test]
    fn tokens_glued_to_the_text_before_them_are_revealed() {
        let (store, t) = store_with(&[
            (PhiType::Phone, "555-0100"),
            (PhiType::Mrn, "A-1001"),
            (PhiType::Name, "Maria Lopez"),
        ]);
        // A literal backslash-n (an escaped newline left in the text), an id glued to its
        // label, and a stray capital.
        let text = format!(r"Call:\n{} idMRN{} X{}.", t[0], &t[1][3..], t[2]);
        let mut stats = RevealStats::default();
        let out = reveal_text(&text, &store, &Allow::all(), &mut stats).expect("reveal");
        assert_eq!(out, r"Call:\n555-0100 idA-1001 XMaria Lopez.");
        assert_eq!(stats.revealed, 3);
    }

    #[test]
    fn a_glued_prefix_is_read_longest_first_then_shorter() {
        let (store, t) = store_with(&[(PhiType::Zip, "02139"), (PhiType::Ip, "10.0.0.7")]);
        // `xZIP_…` holding a ZIP token is the ZIP; `xZ` + an IP token is the IP.
        let text = format!("x{} xZ{}", t[0], t[1]);
        let mut stats = RevealStats::default();
        let out = reveal_text(&text, &store, &Allow::all(), &mut stats).expect("reveal");
        assert_eq!(out, "x02139 xZ10.0.0.7");
        assert_eq!(stats.revealed, 2);
        // Not glued, `ZIP_…` is a ZIP token (here an unknown one), never `Z` + an IP token.
        let unglued = format!("at Z{}", t[1]);
        let mut stats = RevealStats::default();
        let out = reveal_text(&unglued, &store, &Allow::all(), &mut stats).expect("reveal");
        assert_eq!(out, unglued);
        assert_eq!(stats.unknown, 1);
    }

    #[test]
    fn a_token_followed_by_a_word_character_is_not_a_token() {
        let (store, t) = store_with(&[(PhiType::Name, "Maria Lopez")]);
        for text in [
            format!("{}X", t[0]),
            format!("{}_", t[0]),
            format!("{}9", t[0]),
        ] {
            let mut stats = RevealStats::default();
            let out = reveal_text(&text, &store, &Allow::all(), &mut stats).expect("reveal");
            assert_eq!(out, text);
            assert_eq!(stats, RevealStats::default());
        }
    }

    #[test]
    fn the_pattern_finds_glued_tokens_for_the_detector_too() {
        let text = "idMRN_0123456789 and XNAME_ABCDEFGHJK";
        let found: Vec<&str> = token_pattern()
            .expect("pattern")
            .find_iter(text)
            .map(|m| m.as_str())
            .collect();
        assert_eq!(found, ["MRN_0123456789", "NAME_ABCDEFGHJK"]);
    }
}
