//! Tests of the synthetic generator: determinism, span exactness, value validity, coverage.

#![allow(clippy::expect_used, clippy::unwrap_used)] // tests: a panic is the failure report

use base64::Engine;

use super::doc::{write_json, Builder, Seg, J};
use super::*;

fn phi_segs_of_tree(j: &J, out: &mut Vec<(PhiType, String)>) {
    match j {
        J::Obj(pairs) => pairs.iter().for_each(|(_, v)| phi_segs_of_tree(v, out)),
        J::Arr(items) => items.iter().for_each(|v| phi_segs_of_tree(v, out)),
        J::Str(segs) => out.extend(doc::phi_values(segs)),
        J::Num(..) | J::Bool(_) => {}
    }
}

fn assert_spans_match(b: &Builder, expected: &[(PhiType, String)], caps: bool) {
    assert_eq!(b.phi.len(), expected.len());
    for (span, (ty, value)) in b.phi.iter().zip(expected) {
        let want = if caps {
            value.to_uppercase()
        } else {
            value.clone()
        };
        assert_eq!(span.ty, *ty);
        assert_eq!(
            &b.text[span.start..span.end],
            want,
            "span slices the generated value"
        );
    }
}

#[test]
fn same_seed_same_output_and_seeds_differ() {
    assert_eq!(generate(42, 80), generate(42, 80));
    assert_ne!(generate(42, 20), generate(43, 20));
    // A longer corpus extends a shorter one.
    assert_eq!(generate(9, 30)[..], generate(9, 50)[..30]);
}

#[test]
fn text_spans_slice_exactly_the_generated_values() {
    for seed in 0..200 {
        let mut g = Gen::new(seed);
        let who = text::Persona::new(&mut g);
        let segs = text::note(&mut g, &who);
        let caps = seed % 5 == 0;
        let mut b = Builder {
            caps,
            ..Builder::default()
        };
        b.segs(&segs, false);
        assert_spans_match(&b, &doc::phi_values(&segs), caps);
        let keeps: Vec<&str> = segs
            .iter()
            .filter_map(|s| match s {
                Seg::Keep(_, v) => Some(v.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(b.keep.len(), keeps.len());
        for (k, v) in b.keep.iter().zip(keeps) {
            let want = if caps {
                v.to_uppercase()
            } else {
                v.to_string()
            };
            assert_eq!(&b.text[k.start..k.end], want);
        }
    }
}

#[test]
fn json_spans_slice_exactly_the_generated_values() {
    for seed in 0..100 {
        let mut g = Gen::new(seed);
        let trees = [fhir::bundle(&mut g).json, webhook::webhook(&mut g)];
        for tree in trees {
            let mut expected = Vec::new();
            phi_segs_of_tree(&tree, &mut expected);
            let mut b = Builder::default();
            write_json(&mut b, &tree);
            assert_spans_match(&b, &expected, false);
        }
    }
}

#[test]
fn spans_are_ordered_on_char_boundaries_and_trimmed() {
    for d in generate(5, 400) {
        let mut last = 0;
        for s in &d.phi {
            assert!(s.start < s.end && s.end <= d.text.len(), "{}", d.id);
            assert!(s.start >= last, "overlap or disorder in {}", d.id);
            assert!(d.text.is_char_boundary(s.start) && d.text.is_char_boundary(s.end));
            let v = &d.text[s.start..s.end];
            assert_eq!(v.trim(), v, "untrimmed span in {}", d.id);
            assert!(
                !v.contains('"') && !v.contains('\\'),
                "escaped span in {}",
                d.id
            );
            last = s.end;
        }
        for k in &d.keep {
            assert!(d.text.is_char_boundary(k.start) && d.text.is_char_boundary(k.end));
            let overlaps = d.phi.iter().any(|s| s.start < k.end && k.start < s.end);
            assert!(!overlaps, "keep overlaps PHI in {}", d.id);
        }
    }
}

fn valid_vin(v: &str) -> bool {
    let b = v.as_bytes();
    b.len() == 17
        && !v.contains(['I', 'O', 'Q'])
        && b.iter().all(u8::is_ascii_alphanumeric)
        && vin_check_digit(b) == b[8]
}

fn valid_mbi(v: &str) -> bool {
    let b = v.as_bytes();
    let letter = |c: u8| MBI_LETTERS.contains(&c);
    let digit = |c: u8| c.is_ascii_digit();
    let pattern = b"CAXNAXNAANN";
    b.len() == 11
        && b.iter().zip(pattern).all(|(&c, &p)| match p {
            b'C' => (b'1'..=b'9').contains(&c),
            b'A' => letter(c),
            b'N' => digit(c),
            _ => letter(c) || digit(c),
        })
}

fn valid_ssn(v: &str) -> bool {
    let d: String = v.chars().filter(char::is_ascii_digit).collect();
    if d.len() != 9 || v.len() > 11 {
        return false;
    }
    let (area, group, serial) = (&d[..3], &d[3..5], &d[5..]);
    area != "000" && area != "666" && !area.starts_with('9') && group != "00" && serial != "0000"
}

#[test]
fn generated_identifiers_are_valid() {
    let mut g = Gen::new(11);
    for _ in 0..2000 {
        assert!(valid_vin(&g.vin()));
        assert!(valid_mbi(&g.mbi()));
        assert!(valid_ssn(&g.ssn()));
    }
    // A known VIN from the NHTSA examples: 1M8GDM9AXKP042788 has check digit X.
    assert_eq!(vin_check_digit(b"1M8GDM9AXKP042788"), b'X');
    assert_eq!(vin_check_digit(b"11111111111111111"), b'1');
}

#[test]
fn labelled_values_in_documents_are_valid() {
    let docs = generate(3, 300);
    let (mut vins, mut mbis) = (0, 0);
    for d in &docs {
        for s in &d.phi {
            let v = d.text[s.start..s.end].to_ascii_uppercase();
            match s.ty {
                PhiType::Ssn => assert!(valid_ssn(&v), "{v}"),
                PhiType::Vehicle if v.len() == 17 => {
                    assert!(valid_vin(&v), "{v}");
                    vins += 1;
                }
                PhiType::HealthPlan if valid_mbi(&v.replace('-', "")) => mbis += 1,
                PhiType::Email => assert!(v.contains('@')),
                PhiType::Phone | PhiType::Fax => {
                    assert!(v.chars().filter(char::is_ascii_digit).count() >= 10, "{v}")
                }
                _ => {}
            }
        }
    }
    assert!(vins > 10 && mbis > 10, "vins {vins} mbis {mbis}");
}

#[test]
fn every_safe_harbor_class_appears_at_least_50_times_in_500_docs() {
    let docs = generate(2024, 500);
    let mut counts = [0usize; PhiType::ALL.len()];
    for d in &docs {
        for s in &d.phi {
            counts[s.ty.index()] += 1;
        }
    }
    let report: Vec<String> = PhiType::ALL
        .iter()
        .map(|t| format!("{}={}", t.as_str(), counts[t.index()]))
        .collect();
    eprintln!("counts over 500 docs: {}", report.join(" "));
    for t in PhiType::ALL {
        assert!(counts[t.index()] >= 50, "{t} only {}", counts[t.index()]);
    }
    let formats = |f: Format| docs.iter().filter(|d| d.format == f).count();
    eprintln!(
        "formats: text={} fhir={} json={}",
        formats(Format::Text),
        formats(Format::FhirJson),
        formats(Format::Json)
    );
    assert!((250..=350).contains(&formats(Format::Text)));
    assert!((90..=160).contains(&formats(Format::FhirJson)));
    assert!((40..=110).contains(&formats(Format::Json)));
    for kind in [
        "cpt",
        "icd10",
        "measurement",
        "units",
        "minutes",
        "goal_status",
    ] {
        let c = docs
            .iter()
            .flat_map(|d| &d.keep)
            .filter(|k| k.kind == kind)
            .count();
        assert!(c >= 50, "keep {kind} only {c}");
    }
}

#[test]
fn json_documents_parse_and_fhir_bundles_are_bundles() {
    for d in fhir_bundles(8, 60) {
        let v: serde_json::Value = serde_json::from_str(&d.text).expect("FHIR parses");
        assert_eq!(v["resourceType"], "Bundle");
        assert!(v["entry"][0]["resource"]["resourceType"] == "Patient");
        let ty = v["type"].as_str().unwrap_or_default();
        assert!(ty == "transaction" || ty == "collection");
    }
    for d in json_webhooks(8, 60) {
        let v: serde_json::Value = serde_json::from_str(&d.text).expect("webhook parses");
        assert!(v["event"].is_string() && v["patient"].is_object());
        assert!(d.embedded_phi.is_empty());
    }
}

#[test]
fn embedded_phi_is_in_the_decoded_attachment() {
    let mut seen = 0;
    for d in fhir_bundles(4, 80) {
        let v: serde_json::Value = serde_json::from_str(&d.text).expect("parses");
        let mut decoded = String::new();
        for e in v["entry"].as_array().into_iter().flatten() {
            if let Some(data) = e["resource"]["content"][0]["attachment"]["data"].as_str() {
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(data)
                    .expect("base64");
                decoded.push_str(&String::from_utf8(bytes).expect("utf-8"));
            }
        }
        for (_, value) in &d.embedded_phi {
            assert!(decoded.contains(value.as_str()), "{value}");
            seen += 1;
        }
    }
    assert!(seen > 50);
}

#[test]
fn text_notes_have_no_unexpanded_slots_and_some_caps_and_negatives() {
    let docs = text_notes(1, 200);
    assert!(docs.iter().all(|d| !d.text.contains('{')));
    assert!(docs.iter().any(|d| d.text == d.text.to_uppercase()));
    assert!(docs.iter().any(|d| d.text.contains("Will continue")));
    assert!(docs.iter().any(|d| d.phi.iter().any(|s| {
        let v = &d.text[s.start..s.end];
        s.ty == PhiType::Name && v.contains(", ")
    })));
}

#[test]
fn eval_jsonl_uses_char_offsets_for_non_ascii_text() {
    let docs = generate(77, 120);
    assert!(
        docs.iter().any(|d| !d.text.is_ascii()),
        "some non-ASCII names"
    );
    let mut buf = Vec::new();
    to_eval_jsonl(&docs, &mut buf).expect("write to Vec");
    let out = String::from_utf8(buf).expect("utf-8");
    let mut non_ascii_spans = 0;
    for (line, d) in out.lines().zip(&docs) {
        let v: serde_json::Value = serde_json::from_str(line).expect("line parses");
        assert_eq!(v["id"], d.id.as_str());
        assert_eq!(v["source"], "phigate-synth");
        assert_eq!(v["format"], d.format.as_str());
        let chars: Vec<char> = v["text"].as_str().unwrap_or_default().chars().collect();
        let spans = v["spans"].as_array().expect("spans array");
        assert_eq!(spans.len(), d.phi.len());
        for (js, s) in spans.iter().zip(&d.phi) {
            let offset = |key: &str| usize::try_from(js[key].as_u64().expect(key)).expect(key);
            let (a, z) = (offset("start"), offset("end"));
            let by_char: String = chars[a..z].iter().collect();
            let by_byte = &d.text[s.start..s.end];
            assert_eq!(by_char, by_byte);
            assert_eq!(js["type"], s.ty.as_str());
            if !by_byte.is_ascii() {
                non_ascii_spans += 1;
            }
        }
    }
    assert_eq!(out.lines().count(), docs.len());
    assert!(non_ascii_spans > 0);
    assert_eq!(label_of(PhiType::ProviderName), "ProviderName");
    assert_eq!(label_of(PhiType::Ssn), "Ssn");
}

#[test]
fn gen_methods_cover_the_listed_forms() {
    let mut g = Gen::new(3);
    let dates: Vec<String> = (0..400).map(|_| g.date()).collect();
    assert!(dates.iter().any(|d| d.contains('T') && d.ends_with('Z')));
    assert!(dates.iter().any(|d| d.split('/').count() == 2));
    assert!(dates.iter().any(|d| d.contains(", ")));
    let phones: Vec<String> = (0..400).map(|_| g.phone()).collect();
    assert!(phones.iter().any(|p| p.starts_with("+44")));
    assert!(phones.iter().any(|p| p.contains("ext.")));
    assert!(phones.iter().any(|p| p.starts_with('(')));
    let zips: Vec<String> = (0..100).map(|_| g.zip()).collect();
    assert!(zips.iter().any(|z| z.len() == 10) && zips.iter().any(|z| z.len() == 5));
    for _ in 0..100 {
        let age = g.age_over_89();
        let n: u32 = age
            .chars()
            .filter(char::is_ascii_digit)
            .collect::<String>()
            .parse()
            .unwrap_or(0);
        assert!(n >= 90, "{age}");
        assert!(g.ipv6().starts_with("2001:db8:"));
        assert_eq!(g.ipv4().split('.').count(), 4);
        for v in [
            g.url(),
            g.email(),
            g.device_serial(),
            g.biometric_id(),
            g.other_id(),
        ] {
            assert!(!v.is_empty() && v.trim() == v);
        }
        assert!(!g.license_plate().is_empty() && !g.license_number().is_empty());
        assert!(!g.mrn().is_empty() && !g.account_number().is_empty());
        assert!(!g.health_plan_id().is_empty() && !g.street_address().is_empty());
        assert!(!g.city().is_empty() && !g.full_name().is_empty() && !g.fax().is_empty());
    }
}
