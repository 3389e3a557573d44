//! DICOM JSON (PS3.18 F.2, DICOMweb metadata) inside the JSON walker: attribute sets read by
//! tag and value representation, as `[dicom]` in `patterns/fields.toml` says.
//!
//! An attribute set is an object whose every key is eight hex digits and whose every value
//! is an attribute (`{"vr": "PN", "Value": [{"Alphabetic": "Vukovljevic^Zvezdana"}]}`). Read
//! as ordinary JSON its tag keys are unknown keys (rewritten as identifiers) and a person's
//! name sits under `Alphabetic`, which says nothing. Fail closed: a set of any other shape is
//! walked as ordinary JSON; a tag outside the standard groups is read like any key; an
//! attribute no rule types is read like a value under an unknown key.

use serde_json::{Map, Value};

use super::{learnable, ScanError, Walker};
use crate::detect::learned::Learned;
use crate::engine::fields::Field;
use crate::engine::Engine;
use crate::transform::AGE_AGGREGATE;

/// The keys an attribute may hold (PS3.18 F.2.2).
const ATTRIBUTE_KEYS: &[&str] = &["vr", "Value", "InlineBinary", "BulkDataURI"];

/// Whether `o` is a DICOM JSON attribute set.
pub(super) fn is_attribute_set(o: &Map<String, Value>) -> bool {
    !o.is_empty()
        && o.iter().all(|(k, v)| {
            k.len() == 8 && k.bytes().all(|b| b.is_ascii_hexdigit()) && is_attribute(v)
        })
}

fn is_attribute(v: &Value) -> bool {
    let Some(a) = v.as_object() else {
        return false;
    };
    a.get("vr").and_then(Value::as_str).is_some_and(is_vr)
        && a.keys().all(|k| ATTRIBUTE_KEYS.contains(&k.as_str()))
}

/// A value representation: two capital letters (`PN`, `DA`, `SQ`).
fn is_vr(s: &str) -> bool {
    s.len() == 2 && s.bytes().all(|b| b.is_ascii_uppercase())
}

/// Pass one over an attribute set: the values its PHI attributes hold (a person name's
/// components too: `Vukovljevic^Zvezdana`), so a description or comment that repeats them
/// is found.
pub(super) fn learn(engine: &Engine, o: &Map<String, Value>, l: &mut Learned) {
    for (tag, attr) in o {
        let vr = attr.get("vr").and_then(Value::as_str).unwrap_or("");
        let Some(values) = attr.get("Value").and_then(Value::as_array) else {
            continue;
        };
        if vr == "SQ" {
            for set in values.iter().filter_map(Value::as_object) {
                if is_attribute_set(set) {
                    learn(engine, set, l);
                }
            }
            continue;
        }
        let Some(Field::Phi(ty)) = engine.fields.dicom.field(tag, vr) else {
            continue;
        };
        if !learnable(ty) {
            continue;
        }
        for v in values {
            let strings: Vec<&str> = match v {
                Value::String(s) => vec![s.as_str()],
                Value::Object(name) => name.values().filter_map(Value::as_str).collect(),
                _ => Vec::new(),
            };
            for s in strings {
                l.add(ty, s);
                s.split('^')
                    .filter(|part| part.len() > 1)
                    .for_each(|part| l.add(ty, part));
            }
        }
    }
}

/// Writes generalised values back in their value representation's form (PS3.5 6.2), so
/// the data set stays valid: an age over 89 (`over 89`) is `090Y`, the category's floor;
/// a date cut to its year is that year's first day (`19610101`), as a FHIR instant's
/// year is its first second; a date the policy removed whole (`[DATE]`) is an empty
/// value (`null`). Tokens of the reversible policies are left as written.
fn conform_to_vr(vr: &str, values: &mut Value) {
    let Value::Array(items) = values else {
        return;
    };
    for item in items {
        let Value::String(s) = item else {
            continue;
        };
        match vr {
            "AS" if s == AGE_AGGREGATE => *s = "090Y".to_string(),
            "DA" if s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit()) => s.push_str("0101"),
            "DA" if s == "[DATE]" => *item = Value::Null,
            _ => {}
        }
    }
}

impl Walker<'_, '_, '_> {
    /// Rewrites a DICOM JSON attribute set in place ([`is_attribute_set`] holds).
    pub(super) fn walk_dicom(&mut self, o: &mut Map<String, Value>) -> Result<(), ScanError> {
        for (tag, attr) in o.iter_mut() {
            let Some(a) = attr.as_object_mut() else {
                continue;
            };
            let vr = a
                .get("vr")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            let rule = self.engine.fields.dicom.field(tag, &vr);
            for (k, x) in a.iter_mut() {
                match k.as_str() {
                    "vr" => {}
                    "Value" if vr == "SQ" => self.walk_items(x)?,
                    "Value" => {
                        self.walk_dicom_value(x, rule, tag)?;
                        conform_to_vr(&vr, x);
                    }
                    // Bulk data inline (base64) or by reference: read like any value.
                    _ => self.walk(x, Some(tag), None, None)?,
                }
            }
        }
        self.rename_unknown_tags(o)
    }

    /// A sequence's items: attribute sets, each read as one.
    fn walk_items(&mut self, x: &mut Value) -> Result<(), ScanError> {
        let Value::Array(items) = x else {
            return self.walk(x, None, None, None);
        };
        for item in items {
            match item {
                Value::Object(set) if is_attribute_set(set) => self.walk_dicom(set)?,
                other => self.walk(other, None, None, None)?,
            }
        }
        Ok(())
    }

    /// One attribute's `Value` array, by the rule its tag or VR gives.
    fn walk_dicom_value(
        &mut self,
        x: &mut Value,
        rule: Option<Field>,
        tag: &str,
    ) -> Result<(), ScanError> {
        match rule {
            Some(Field::Phi(ty)) => self.walk(x, Some(tag), None, Some(ty)),
            Some(Field::Keep) => {
                let Value::Array(items) = x else {
                    return self.walk(x, Some(tag), None, None);
                };
                for item in items {
                    let kept = match item {
                        Value::String(s) => self.keeps_code(s, None),
                        Value::Number(_) | Value::Bool(_) | Value::Null => true,
                        _ => false,
                    };
                    if !kept {
                        self.walk(item, Some(tag), None, None)?;
                    }
                }
                Ok(())
            }
            _ => self.walk(x, Some(tag), None, None),
        }
    }

    /// Tags outside the standard groups (private or made up) are keys like any other: read,
    /// and renamed when they hold PHI.
    fn rename_unknown_tags(&mut self, o: &mut Map<String, Value>) -> Result<(), ScanError> {
        if o.keys().all(|k| self.engine.fields.dicom.is_known_tag(k)) {
            return Ok(());
        }
        let old = std::mem::take(o);
        for (k, v) in old {
            let k = if self.engine.fields.dicom.is_known_tag(&k) {
                k
            } else {
                self.scan(&k)?
            };
            if o.insert(k, v).is_some() {
                return Err(ScanError::KeyCollision);
            }
        }
        Ok(())
    }
}
