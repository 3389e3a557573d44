//! A JSON object's members looked up by key without hashing it.
//!
//! serde_json's `Map` (an `IndexMap` with std's SipHash) hashes the key of every `get`,
//! ~200 instructions each: the walker asks a few keys of every object (`resourceType`, the
//! label keys, each key it rewrites), and those look-ups were a twentieth of a FHIR
//! bundle's scan (BENCHMARKS.md, stop 56). Most objects hold a handful of keys, and
//! comparing them is cheaper than one hash. A map's keys are unique, so the member found
//! by comparing is the one `get` finds; a large object is still asked through the map.

use serde_json::{Map, Value};

/// Objects with more keys than this are looked up through the map's hash.
const MAX_COMPARED_KEYS: usize = 12;

/// The member `key` of `o`, as `o.get(key)` gives it.
pub(super) fn member<'a>(o: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    if o.len() > MAX_COMPARED_KEYS {
        return o.get(key);
    }
    o.iter().find(|(k, _)| k.as_str() == key).map(|(_, v)| v)
}

/// The member `key` of `o` to rewrite, as `o.get_mut(key)` gives it.
pub(super) fn member_mut<'a>(o: &'a mut Map<String, Value>, key: &str) -> Option<&'a mut Value> {
    if o.len() > MAX_COMPARED_KEYS {
        return o.get_mut(key);
    }
    o.iter_mut()
        .find(|(k, _)| k.as_str() == key)
        .map(|(_, v)| v)
}

/// Whether `o` has the member `key`, as `o.contains_key(key)` says.
pub(super) fn has_member(o: &Map<String, Value>, key: &str) -> bool {
    member(o, key).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every key asked of objects small and large, present or not, gives what the map's
    /// own look-ups give.
    #[test]
    fn the_members_are_the_maps_own() {
        for size in [0, 1, 2, 5, MAX_COMPARED_KEYS, MAX_COMPARED_KEYS + 1, 40] {
            let mut o = Map::new();
            for i in 0..size {
                o.insert(format!("k{i}"), Value::from(i));
            }
            let asked: Vec<String> = (0..size + 3)
                .map(|i| format!("k{i}"))
                .chain(["".to_string(), "k".to_string(), "K0".to_string()])
                .collect();
            for key in &asked {
                assert_eq!(member(&o, key), o.get(key), "{size} {key}");
                assert_eq!(has_member(&o, key), o.contains_key(key), "{size} {key}");
                let expected = o.get(key).cloned();
                if let Some(v) = member_mut(&mut o, key) {
                    *v = Value::from("seen");
                }
                assert_eq!(expected.is_some(), o.get(key) == Some(&Value::from("seen")));
                if let Some(old) = expected {
                    o.insert(key.clone(), old);
                }
            }
        }
    }
}
