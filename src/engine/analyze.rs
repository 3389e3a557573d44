//! Analysis: where a document's PHI is and of which type, without transforming it.
//!
//! Owns [`Engine::analyze`], which answers `POST /v1/analyze`. It runs the real
//! de-identifier (so it finds exactly what a route would transform: field rules, nested
//! payloads, learned values, overlays) with the `reversible` policy into a throw-away
//! in-memory token store, then lines the output up with the input: every token in the output
//! is revealed from that store (its exact spelling) and found at its place in the input.
//! Nothing reaches the vault. A string whose output cannot be lined up with its input (a
//! value re-encoded inside it, base64 say) is reported whole, with every type found in it:
//! over-reporting, never silence.

use serde_json::Value;

use super::{ContentType, Engine, ScanError};
use crate::detect::Scratch;
use crate::keys::MasterKey;
use crate::phi::token::token_pattern;
use crate::phi::PhiType;
use crate::transform::token::{MemoryTokenStore, TokenStore};

/// One finding: a PHI type and where it is. Offsets are into the string the finding is in
/// (the body for text; the string value, or the key, at `path` for JSON), in Unicode code
/// points (`start`, `end`, as Presidio counts) and in UTF-8 bytes. Never the value itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub ty: PhiType,
    pub start: usize,
    pub end: usize,
    pub start_byte: usize,
    pub end_byte: usize,
    /// The JSON Pointer (RFC 6901) of the value, for JSON documents.
    pub path: Option<String>,
    /// Whether the finding is in the object key at `path` rather than its value.
    pub in_key: bool,
    /// Whether the string could not be lined up and is reported whole.
    pub whole: bool,
}

/// What [`Engine::analyze`] found, and how many of each type.
#[derive(Debug, Default)]
pub struct Analysis {
    pub findings: Vec<Finding>,
    pub counts: [usize; PhiType::ALL.len()],
}

impl Engine {
    /// Finds the PHI in a text or JSON document. `key` mints the throw-away tokens (a fresh
    /// random key per call keeps them unguessable, so no input can pose as one).
    pub fn analyze(
        &self,
        input: &[u8],
        content_type: ContentType,
        key: &MasterKey,
        scratch: &mut Scratch,
    ) -> Result<Analysis, ScanError> {
        let text = self.readable(input)?;
        let store = MemoryTokenStore::new(key, "");
        let policy = self.policy("reversible").ok_or(ScanError::Unreadable(
            "a document without the reversible policy",
        ))?;
        let t = self.transformer(policy, &store, key);
        let out = self.deidentify(input, content_type, &t, scratch)?;
        let mut analysis = Analysis {
            counts: out.counts,
            ..Analysis::default()
        };
        let json = matches!(content_type, ContentType::Json | ContentType::FhirJson);
        let docs = match json {
            true => serde_json::from_str::<Value>(text.trim())
                .ok()
                .zip(serde_json::from_str::<Value>(&out.text).ok()),
            false => None,
        };
        match docs {
            Some((before, after)) => {
                let mut path = String::new();
                walk(&before, &after, &mut path, &store, &mut analysis.findings);
            }
            None => line_up(text, &out.text, None, false, &store, &mut analysis.findings),
        }
        Ok(analysis)
    }
}

/// Walks the input document and its de-identified copy side by side.
fn walk(
    before: &Value,
    after: &Value,
    path: &mut String,
    store: &dyn TokenStore,
    out: &mut Vec<Finding>,
) {
    let here = Some(path.as_str());
    match (before, after) {
        (Value::String(b), Value::String(a)) => line_up(b, a, here, false, store, out),
        (Value::Object(b), Value::Object(a)) if b.len() == a.len() => {
            for ((bk, bv), (ak, av)) in b.iter().zip(a) {
                let len = path.len();
                path.push('/');
                // A key that holds PHI is written as what replaced it: the answer never
                // carries the matched text, a path included (red team 68).
                path.push_str(&ak.replace('~', "~0").replace('/', "~1"));
                if bk != ak {
                    line_up(bk, ak, Some(path.as_str()), true, store, out);
                }
                walk(bv, av, path, store, out);
                path.truncate(len);
            }
        }
        (Value::Array(b), Value::Array(a)) if b.len() == a.len() => {
            for (i, (bv, av)) in b.iter().zip(a).enumerate() {
                let len = path.len();
                path.push('/');
                path.push_str(&i.to_string());
                walk(bv, av, path, store, out);
                path.truncate(len);
            }
        }
        // A number or flag that became a token is PHI as written.
        (b, Value::String(a)) if !b.is_object() && !b.is_array() => {
            line_up(&b.to_string(), a, here, false, store, out);
        }
        // Shapes that differ (a value removed, a subtree replaced): whatever the output holds
        // there is reported against the whole input node.
        (b, a) if b != a => whole(&b.to_string(), &types_in(a, store), here, false, out),
        _ => {}
    }
}

/// Lines up one input string with its output: literal text must match, and each token
/// must reveal to the input at its place. Anything else reports the string whole.
fn line_up(
    input: &str,
    output: &str,
    path: Option<&str>,
    in_key: bool,
    store: &dyn TokenStore,
    out: &mut Vec<Finding>,
) {
    if input == output {
        return;
    }
    let Some(re) = token_pattern() else {
        return whole(input, &[PhiType::Id], path, in_key, out);
    };
    let mut found = Vec::new();
    let mut types = Vec::new();
    let mut at_in = 0;
    let mut at_out = 0;
    let mut aligned = true;
    for m in re.find_iter(output) {
        let Ok(Some(r)) = store.reveal(m.as_str()) else {
            continue; // a token that was in the input already: literal text
        };
        types.push(r.ty);
        let literal = &output[at_out..m.start()];
        let value_at = at_in + literal.len();
        let fits = input.get(at_in..value_at) == Some(literal)
            && input
                .get(value_at..)
                .is_some_and(|rest| rest.starts_with(&r.value));
        if !fits || r.value.is_empty() {
            aligned = false;
            continue;
        }
        found.push((r.ty, value_at, value_at + r.value.len()));
        at_in = value_at + r.value.len();
        at_out = m.end();
    }
    aligned = aligned && input.get(at_in..) == output.get(at_out..);
    if !aligned || found.is_empty() {
        if types.is_empty() {
            types.push(PhiType::Id);
        }
        return whole(input, &types, path, in_key, out);
    }
    for (ty, s, e) in found {
        out.push(Finding {
            ty,
            start: chars_to(input, s),
            end: chars_to(input, e),
            start_byte: s,
            end_byte: e,
            path: path.map(str::to_string),
            in_key,
            whole: false,
        });
    }
}

/// One finding per type over the whole string.
fn whole(input: &str, types: &[PhiType], path: Option<&str>, in_key: bool, out: &mut Vec<Finding>) {
    let mut types = types.to_vec();
    types.sort();
    types.dedup();
    for ty in types {
        out.push(Finding {
            ty,
            start: 0,
            end: input.chars().count(),
            start_byte: 0,
            end_byte: input.len(),
            path: path.map(str::to_string),
            in_key,
            whole: true,
        });
    }
}

/// The types of the throw-away tokens anywhere in an output node.
fn types_in(v: &Value, store: &dyn TokenStore) -> Vec<PhiType> {
    let text = v.to_string();
    let mut types: Vec<PhiType> = token_pattern()
        .map(|re| {
            re.find_iter(&text)
                .filter_map(|m| store.reveal(m.as_str()).ok().flatten().map(|r| r.ty))
                .collect()
        })
        .unwrap_or_default();
    if types.is_empty() {
        // Removed or replaced by the policy without a token: still something found.
        types.push(PhiType::Id);
    }
    types
}

/// The number of code points before byte `at`.
fn chars_to(s: &str, at: usize) -> usize {
    s.get(..at).map_or(0, |p| p.chars().count())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::patterns::Patterns;

    fn analyze(input: &str, ct: ContentType) -> Analysis {
        let engine = Engine::build(&Patterns::builtin()).expect("engine");
        let mut scratch = engine.detector.scratch();
        let key = MasterKey::from_bytes([7; 32]);
        engine
            .analyze(input.as_bytes(), ct, &key, &mut scratch)
            .expect("analyzes")
    }

    #[test]
    fn text_findings_point_at_the_values() {
        let text = "Seen: Zebulon Quixote, SSN 219-09-9999, call (217) 555-0143.";
        let a = analyze(text, ContentType::Text);
        let got: Vec<(PhiType, &str)> = a
            .findings
            .iter()
            .map(|f| (f.ty, &text[f.start_byte..f.end_byte]))
            .collect();
        assert!(got.contains(&(PhiType::Ssn, "219-09-9999")), "{got:?}");
        assert!(got.contains(&(PhiType::Phone, "(217) 555-0143")), "{got:?}");
        assert!(got
            .iter()
            .any(|(t, v)| *t == PhiType::Name && v.contains("Quixote")));
        assert!(a.findings.iter().all(|f| !f.whole && f.path.is_none()));
    }

    #[test]
    fn offsets_count_code_points_and_json_findings_carry_their_path() {
        let text = "Café é: SSN 219-09-9999";
        let a = analyze(text, ContentType::Text);
        let f = a
            .findings
            .iter()
            .find(|f| f.ty == PhiType::Ssn)
            .expect("ssn");
        assert_eq!(f.end - f.start, 11);
        assert_eq!(f.start_byte - f.start, 2, "two 2-byte characters before it");
        let doc = r#"{"patient":{"ssn":"219-09-9999","note":"call (217) 555-0143"},"units":4}"#;
        let a = analyze(doc, ContentType::Json);
        let paths: Vec<(&str, PhiType, usize)> = a
            .findings
            .iter()
            .map(|f| (f.path.as_deref().unwrap_or(""), f.ty, f.start))
            .collect();
        assert!(
            paths.contains(&("/patient/ssn", PhiType::Ssn, 0)),
            "{paths:?}"
        );
        assert!(
            paths.contains(&("/patient/note", PhiType::Phone, 5)),
            "{paths:?}"
        );
        assert!(!paths.iter().any(|(p, _, _)| *p == "/units"), "{paths:?}");
        // A key that holds PHI is no path segment as written (red team 68).
        let doc = r#"{"Orsolya Brankovic":{"ssn":"219-09-9999"},"patients":{"88412207":1}}"#;
        let a = analyze(doc, ContentType::Json);
        assert!(a.findings.iter().any(|f| f.in_key), "the keys are findings");
        for f in &a.findings {
            let p = f.path.as_deref().unwrap_or("");
            assert!(!p.contains("Brankovic") && !p.contains("88412207"), "{p}");
        }
    }

    #[test]
    fn a_string_that_cannot_be_lined_up_is_reported_whole() {
        let mut out = Vec::new();
        let key = MasterKey::from_bytes([1; 32]);
        let store = MemoryTokenStore::new(&key, "");
        line_up("abc", "xyz", Some("/a"), false, &store, &mut out);
        assert_eq!(out.len(), 1);
        assert!(out[0].whole && out[0].end == 3 && out[0].ty == PhiType::Id);
    }
}
