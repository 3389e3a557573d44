//! Property: a generated PHI value placed in any Safe Harbor field of a generated FHIR
//! Patient bundle never survives de-identification.

use proptest::prelude::*;
use serde_json::{json, Value};

use phigate::engine::ContentType;
use phigate::synth::Gen;

use crate::support::deidentify;

/// (path description, how to put a value there)
fn place(field: usize, value: &str) -> Value {
    let mut patient = json!({"resourceType": "Patient", "id": "p1", "gender": "female"});
    let v = Value::String(value.to_string());
    match field {
        0 => patient["name"] = json!([{"family": v}]),
        1 => patient["name"] = json!([{"given": [v]}]),
        2 => patient["name"] = json!([{"text": v}]),
        3 => patient["telecom"] = json!([{"system": "phone", "value": v}]),
        4 => patient["telecom"] = json!([{"system": "email", "value": v}]),
        5 => patient["address"] = json!([{"line": [v]}]),
        6 => patient["address"] = json!([{"city": v}]),
        7 => patient["address"] = json!([{"postalCode": v}]),
        8 => patient["birthDate"] = v,
        9 => patient["identifier"] = json!([{"value": v}]),
        10 => patient["contact"] = json!([{"name": {"family": v}}]),
        _ => {
            patient["text"] =
                json!({"status": "generated", "div": format!("<div>Patient {value}</div>")})
        }
    }
    json!({"resourceType": "Bundle", "type": "collection", "entry": [{"resource": patient}]})
}

fn value_for(g: &mut Gen, field: usize) -> String {
    match field {
        0 | 10 => g.last_name(),
        1 => g.first_name(),
        2 | 11 => g.full_name(),
        3 => g.phone(),
        4 => g.email(),
        5 => g.street_address(),
        6 => g.city(),
        7 => g.zip(),
        8 => g.date(),
        _ => g.mrn(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

    #[test]
    fn phi_in_any_safe_harbor_field_never_survives(seed in any::<u64>(), field in 0usize..12) {
        let mut g = Gen::new(seed);
        let value = value_for(&mut g, field);
        let input = place(field, &value).to_string();
        let out = deidentify(&input, ContentType::FhirJson, "safe-harbor");
        // The ZIP3 prefix legitimately stays; the full value must not.
        prop_assert!(!out.text.contains(value.as_str()), "field {} value {:?} survived in {}", field, value, out.text);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, .. ProptestConfig::default() })]

    /// Arbitrary bytes, as any content type, either de-identify or fail with an error; they
    /// never panic (a panic would drop a request without an answer or an audit record).
    #[test]
    fn arbitrary_input_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512), ct in 0usize..4) {
        let e = crate::support::engine();
        let master = phigate::keys::MasterKey::from_bytes([1; 32]);
        let store = phigate::transform::token::MemoryTokenStore::new(&master, "");
        let t = e.transformer(e.policy("safe-harbor").expect("policy"), &store, &master);
        let mut scratch = e.detector.scratch();
        let ct = [ContentType::Text, ContentType::Json, ContentType::FhirJson, ContentType::Form][ct];
        let _ = e.deidentify(&bytes, ct, &t, &mut scratch);
    }

    /// Text made of clinical-looking pieces (digits, slashes, capitals, cue words) exercises
    /// every rule and validator boundary; spans must stay sorted, disjoint and on character
    /// boundaries.
    #[test]
    fn spans_are_sorted_disjoint_and_on_char_boundaries(
        parts in proptest::collection::vec(prop_oneof![
            Just("Dr. "), Just("MRN: "), Just("12/"), Just("3/5 "), Just("555-"), Just("0134 "),
            Just("Mr "), Just("é"), Just("Lopez"), Just(", "), Just("Maria "), Just("@x.org "),
            Just("Hospital "), Just("in "), Just("Peoria"), Just("92 yo "), Just("\n"), Just("'92 "),
        ], 0..40)
    ) {
        let text: String = parts.concat();
        let e = crate::support::engine();
        let mut scratch = e.detector.scratch();
        let spans = e.detector.scan(&text, None, &mut scratch);
        for w in spans.windows(2) {
            prop_assert!(w[0].end <= w[1].start, "overlap in {text:?}: {spans:?}");
        }
        for s in &spans {
            prop_assert!(s.start < s.end && text.is_char_boundary(s.start) && text.is_char_boundary(s.end));
        }
    }
}
