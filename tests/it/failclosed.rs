//! The engine fails closed on what it does not recognise: every value is read through its
//! canonical view, payloads inside payloads are opened, identifier-shaped values are PHI
//! without a cue, and bodies are read by their real shape. Each row is one way a canary
//! used to cross; the canary must not survive in any decoded view of the output.

use base64::Engine as _;
use phigate::engine::ContentType;

use super::support::deidentify;

/// Synthetic canaries (made up).
const NAME_FIRST: &str = "ansel";
const NAME_LAST: &str = "whitcombe";
const MRN_DIGITS: &str = "4410827";
const SSN_DIGITS: &str = "512473306";
const PHONE_DIGITS: &str = "4135550172";
const EMAIL_LOCAL: &str = "jo.whitcombe";

/// Every reading of `out` a recipient could make, lower-cased and joined: raw, percent-,
/// entity- and base64-decoded, with full-width forms, dashes, spaces and invisible
/// characters normalised.
fn readings(out: &str) -> String {
    let mut views = vec![out.to_string()];
    let mut cur = out.to_string();
    for _ in 0..3 {
        cur = percent_encoding::percent_decode_str(&cur.replace('+', " "))
            .decode_utf8_lossy()
            .into_owned();
        views.push(cur.clone());
    }
    let entity = decode_entities(&cur);
    views.push(entity.clone());
    let b64 = base64::engine::general_purpose::STANDARD;
    for run in out.split(|c: char| !(c.is_ascii_alphanumeric() || "+/=".contains(c))) {
        if run.len() >= 16 {
            if let Ok(bytes) = b64.decode(run) {
                views.push(String::from_utf8_lossy(&bytes).into_owned());
            }
        }
    }
    let joined = views.join("\n");
    let normal: String = joined
        .chars()
        .filter_map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0),
            '\u{200B}'..='\u{200D}' | '\u{00AD}' | '\u{2060}' | '\u{FEFF}' => None,
            '\u{2010}'..='\u{2015}' | '\u{2212}' => Some('-'),
            c if c.is_whitespace() => Some(' '),
            c => Some(c),
        })
        .collect();
    normal.to_lowercase()
}

fn decode_entities(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("&#") {
        out.push_str(&rest[..i]);
        let tail = &rest[i + 2..];
        let Some(end) = tail.find(';') else {
            out.push_str(&rest[i..]);
            return out;
        };
        let num = &tail[..end];
        let code = match num.strip_prefix(['x', 'X']) {
            Some(h) => u32::from_str_radix(h, 16).ok(),
            None => num.parse().ok(),
        };
        match code.and_then(char::from_u32) {
            Some(c) => out.push(c),
            None => out.push_str(&rest[i..i + 2 + end + 1]),
        }
        rest = &tail[end + 1..];
    }
    out.push_str(rest);
    out.replace("&nbsp;", " ").replace("&commat;", "@")
}

/// Which canaries survive in `out`.
fn leaked(out: &str) -> Vec<&'static str> {
    let r = readings(out);
    let digits: String = r.chars().filter(char::is_ascii_digit).collect();
    let squeezed: String = r.chars().filter(|c| c.is_alphanumeric()).collect();
    let mut found = Vec::new();
    for (label, canary) in [
        ("first name", NAME_FIRST),
        ("last name", NAME_LAST),
        ("e-mail", EMAIL_LOCAL),
    ] {
        if r.contains(canary) || squeezed.contains(&canary.replace('.', "")) {
            found.push(label);
        }
    }
    for (label, canary) in [
        ("MRN", MRN_DIGITS),
        ("SSN", SSN_DIGITS),
        ("phone", PHONE_DIGITS),
    ] {
        if digits.contains(canary) {
            found.push(label);
        }
    }
    found
}

/// (case, content type, input)
fn cases() -> Vec<(&'static str, ContentType, String)> {
    let b64 = base64::engine::general_purpose::STANDARD;
    let note = "Ansel Whitcombe, MRN MR4410827, SSN 512-47-3306, phone 413-555-0172.";
    let json = ContentType::Json;
    let fhir = ContentType::FhirJson;
    let hl7 = ContentType::Hl7;
    vec![
        ("entity nbsp in narrative", fhir, r#"{"resourceType":"Observation","text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">Patient Ansel&#160;Whitcombe seen</div>"}}"#.into()),
        ("entity dashes in ssn", json, r#"{"note":"SSN 512&#45;47&#45;3306"}"#.into()),
        ("entity at in e-mail", json, r#"{"note":"write to jo.whitcombe&#64;mail.example"}"#.into()),
        ("full-width ssn", json, r#"{"note":"SSN ５１２-４７-３３０６"}"#.into()),
        ("non-breaking hyphen phone", json, "{\"note\":\"call 413\u{2011}555\u{2011}0172\"}".into()),
        ("zero-width in mrn", json, "{\"note\":\"MRN MR44\u{200b}10827\"}".into()),
        ("double percent e-mail", json, r#"{"note":"jo.whitcombe%2540mail.example"}"#.into()),
        ("json in a string", json, format!("{{\"payload\":{}}}", serde_json::to_string(r#"{"mrn":"MR4410827","name":"Ansel Whitcombe"}"#).expect("json"))),
        ("json in a form value", ContentType::Form, format!("data={}", percent_encoding::utf8_percent_encode(r#"{"ssn":"512-47-3306"}"#, percent_encoding::NON_ALPHANUMERIC))),
        ("url in a query value", ContentType::Form, "next=%2Fchart%3Fmrn%3DMR4410827%26phone%3D4135550172".into()),
        ("base64 note in json", json, format!("{{\"blob\":\"{}\"}}", b64.encode(note))),
        ("base64 text body", ContentType::Text, b64.encode(note)),
        ("json sent as text", ContentType::Text, r#"{"ref":"MR4410827","govId":"512473306"}"#.into()),
        ("top-level json string", json, serde_json::to_string(note).expect("json")),
        ("unknown keys", json, r#"{"ref":"MR4410827","govId":"512473306"}"#.into()),
        ("number under unknown key", json, r#"{"contact":4135550172}"#.into()),
        ("strings in arrays", json, r#"{"tags":["ot","MR4410827"]}"#.into()),
        ("free text under keep key", json, r#"{"status":"Left voicemail for Ansel Whitcombe at 413-555-0172"}"#.into()),
        ("ssn under code", json, r#"{"code":"SSN 512-47-3306"}"#.into()),
        ("fhir code.text", fhir, r#"{"resourceType":"Condition","code":{"text":"Ansel Whitcombe fall, MRN MR4410827"}}"#.into()),
        ("fhir identifier as string", fhir, r#"{"resourceType":"Observation","identifier":"MR4410827"}"#.into()),
        ("fhir maiden-name extension", fhir, r#"{"resourceType":"Patient","extension":[{"url":"http://hl7.org/fhir/StructureDefinition/patient-mothersMaidenName","valueString":"Whitcombe"}]}"#.into()),
        ("fhir valueIdentifier", fhir, r#"{"resourceType":"Observation","extension":[{"url":"http://example.org/x","valueIdentifier":{"value":"MR4410827"}}]}"#.into()),
        ("questionnaire answers", fhir, r#"{"resourceType":"QuestionnaireResponse","item":[{"linkId":"1","answer":[{"valueString":"Ansel Whitcombe"},{"valueInteger":4135550172}]}]}"#.into()),
        ("late resourceType", json, r#"{"name":[{"family":"Whitcombe","given":["Ansel"]}],"resourceType":"Patient"}"#.into()),
        ("name slug key", json, r#"{"ansel_whitcombe":{"visits":3}}"#.into()),
        ("form labelled json", json, "mrn=MR4410827&name=Ansel+Whitcombe".into()),
        ("json labelled form", ContentType::Form, r#"{"mrn":"MR4410827"}"#.into()),
        ("ndjson", ContentType::NdJson, "{\"mrn\":\"MR4410827\"}\n{\"ssn\":\"512-47-3306\"}\n".into()),
        ("glued label", ContentType::Text, "see chartMRN4410827 today".into()),
        ("nul between names", json, r#"{"who":"Ansel\u0000Whitcombe"}"#.into()),
        // HL7 escape characters that open no escape sequence (a stray `\`, or text that
        // is none between two): the text around them is read as text, joined.
        ("hl7 stray escapes in a phone", hl7, format!("{MSH}\rNTE|1|P|call 413\\555\\0172 after 5pm\r")),
        ("hl7 stray escapes in an ssn", hl7, format!("{MSH}\rNTE|1|P|SSN 512\\47\\3306 on file\r")),
        ("hl7 stray escape in an mrn", hl7, format!("{MSH}\rOBX|1|TX|||chart MR44\\10827 reviewed||||||F\r")),
        ("hl7 name behind a lone escape", hl7, format!("{MSH}\rNTE|1|P|Patient Ansel\\Whitcombe\\ seen today\r")),
        ("hl7 unknown sequence in an unknown segment", hl7, format!("{MSH}\rZPI|1|\\4135550172\\|x\r")),
        ("hl7 locally defined sequence", hl7, format!("{MSH}\rNTE|1|P|call \\Z4135550172\\ today\r")),
    ]
}

/// A message header for the HL7 rows.
const MSH: &str = "MSH|^~\\&|EMR|CLINIC|||202403121000||ADT^A08|7|P|2.5";

#[test]
fn nothing_identifying_survives_any_reading() {
    let mut failures = Vec::new();
    for (case, ct, input) in cases() {
        let out = deidentify(&input, ct, "safe-harbor");
        let found = leaked(&out.text);
        if !found.is_empty() {
            failures.push(format!("{case}: {found:?} in {}", out.text));
        }
    }
    assert!(failures.is_empty(), "leaks:\n{}", failures.join("\n"));
}

#[test]
fn markup_and_clinical_content_survive() {
    let div = r#"{"resourceType":"Observation","text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>Grip 45 lbs, 97530 x 4</p></div>"},"code":{"coding":[{"system":"http://loinc.org","code":"83174-8"}]},"valueQuantity":{"value":45,"unit":"lbs"}}"#;
    let out = deidentify(div, ContentType::FhirJson, "safe-harbor").text;
    for kept in [
        "http://www.w3.org/1999/xhtml",
        "Grip 45 lbs, 97530 x 4",
        "83174-8",
        "http://loinc.org",
        "\"value\":45",
    ] {
        assert!(out.contains(kept), "{kept} lost: {out}");
    }
}

#[test]
fn an_hl7_message_sent_as_text_is_read_as_hl7() {
    let body = "MSH|^~\\&|EMR|CLINIC|||202403121000||ADT^A04|1|P|2.5\rPID|1||MR4410827^^^C^MR||Whitcombe^Ansel";
    let out = deidentify(body, ContentType::Text, "safe-harbor").text;
    assert!(leaked(&out).is_empty(), "{out}");
    assert!(out.starts_with("MSH|^~\\&|EMR|CLINIC|||"), "{out}");
    assert!(out.contains("|ADT^A04|1|P|2.5\rPID|1||"), "{out}");
}

#[test]
fn bodies_that_cannot_be_read_are_refused() {
    let e = super::support::engine();
    let master = phigate::keys::MasterKey::from_bytes([42; 32]);
    let store = phigate::transform::token::MemoryTokenStore::new(&master, "");
    let p = e.policy("safe-harbor").expect("policy");
    let t = e.transformer(p, &store, &master);
    let mut scratch = e.detector.scratch();
    // XML sent as text is read as XML; one with a DTD, or that does not read, is refused.
    for (body, refused) in [
        (
            "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY n \"Ansel\">]><x>&n;</x>",
            true,
        ),
        (
            "<?xml version=\"1.0\"?><ClinicalDocument><name>Ansel",
            false,
        ),
    ] {
        let r = e.deidentify(body.as_bytes(), ContentType::Text, &t, &mut scratch);
        match r {
            Err(phigate::engine::ScanError::XmlRefused(_)) => assert!(refused),
            Err(phigate::engine::ScanError::Xml { .. }) => assert!(!refused),
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn a_bom_before_json_is_read() {
    let out = deidentify(
        "\u{feff}{\"mrn\":\"MR4410827\"}",
        ContentType::Json,
        "safe-harbor",
    );
    assert!(leaked(&out.text).is_empty(), "{}", out.text);
}

#[test]
fn a_name_is_replaced_whole() {
    let out = deidentify(
        "Spoke with Faith Whitlock-Bayne about her splint; Ms. Hope Ramirez arrived.",
        ContentType::Text,
        "safe-harbor",
    )
    .text;
    for part in ["Faith", "Whitlock", "Bayne", "Hope", "Ramirez"] {
        assert!(!out.contains(part), "{part} left in {out}");
    }
    assert!(out.contains("about her splint"), "{out}");
}

/// A `keep` key keeps a value only while it reads as a code: code-system and profile URLs
/// stay, a URL whose path or host names a person does not.
#[test]
fn keep_keys_keep_code_system_urls_but_not_named_ones() {
    for url in [
        "http://loinc.org",
        "http://snomed.info/sct",
        "http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient",
        "http://www.nlm.nih.gov/research/umls/rxnorm",
        "https://example.org/fhir/StructureDefinition/x",
        "urn:oid:2.16.840.1.113883.6.238",
    ] {
        let doc = format!(
            r#"{{"resourceType":"Observation","meta":{{"profile":["{url}"]}},"code":{{"coding":[{{"system":"{url}","code":"83174-8"}}]}}}}"#
        );
        let out = deidentify(&doc, ContentType::FhirJson, "safe-harbor").text;
        assert_eq!(out.matches(url).count(), 2, "{url} lost: {out}");
    }
    for url in [
        "https://portal.example/patients/Jane-Whitlock",
        "https://jane-whitlock.example/fhir",
        "https://portal.example/chart/MR4410827",
        "https://portal.example/patients/Whitlock",
    ] {
        let doc = format!(r#"{{"resourceType":"Observation","meta":{{"profile":["{url}"]}}}}"#);
        let out = deidentify(&doc, ContentType::FhirJson, "safe-harbor").text;
        assert!(
            !out.contains("Whitlock") && !out.contains("4410827"),
            "{url} kept: {out}"
        );
    }
}

/// A keep key's path is read piece by piece and then as words: an address cut at its
/// blanks into path pieces, each harmless alone, is still an address; codes with slashes
/// stay.
#[test]
fn a_keep_key_path_is_read_as_words_too() {
    for (path, gone) in [
        ("/patients/4471/Quarry/Hollow/Rd", "Quarry"),
        ("/visits/4471/quarry-hollow-rd/notes", "quarry"),
    ] {
        let doc = format!(r#"{{"status":"{path}"}}"#);
        let out = deidentify(&doc, ContentType::Json, "safe-harbor").text;
        assert!(
            !out.contains(gone) && !out.contains("4471"),
            "{path} kept: {out}"
        );
    }
    for code in ["mL/min/1.73m2", "/fhir/Observation/final", "mg/dL", "a/b/c"] {
        let doc = format!(r#"{{"status":"{code}"}}"#);
        let out = deidentify(&doc, ContentType::Json, "safe-harbor").text;
        assert_eq!(out, doc, "{code} changed");
    }
}

/// A value that is one to three words in capitals no list holds reads as a name when it
/// stands alone (`QUORVELLINE`, a surname written as an EMR writes it, or a name turned
/// by ROT13): there is no sentence to say otherwise. Listed words and short codes stay.
#[test]
fn unlisted_words_in_capitals_standing_alone_are_names() {
    for (doc, gone) in [
        (r#"{"xq":"QUORVELLINE"}"#, "QUORVELLINE"),
        (r#"{"note":"ZELPHINE QUORVELLINE"}"#, "ZELPHINE"),
        (r#"{"note":"Zelphine QUORVELLINE"}"#, "QUORVELLINE"),
        (r#"{"note":"JUVGYBPX"}"#, "JUVGYBPX"),
    ] {
        let out = deidentify(doc, ContentType::Json, "safe-harbor").text;
        assert!(!out.contains(gone), "{doc} kept: {out}");
    }
    for doc in [
        r#"{"xq":"ACTIVE"}"#,
        r#"{"note":"STAT"}"#,
        r#"{"event":"NOTE_SIGNED"}"#,
        r#"{"kind":"FINAL"}"#,
        r#"{"xq":"AMB"}"#,
    ] {
        let out = deidentify(doc, ContentType::Json, "safe-harbor").text;
        assert_eq!(out, doc, "{doc} changed");
    }
}

/// Text that opens with a bracket is read as markup only for markup's own tags: a chat
/// sender in angle brackets (`<Jane Whitlock> …`) is text, and read.
#[test]
fn a_bracketed_name_opening_text_is_read() {
    for text in [
        "<Jane Whitlock> did anyone water the plants?",
        "<p>Seen today.</p><Jane Whitlock> called back",
    ] {
        let out = deidentify(text, ContentType::Text, "safe-harbor").text;
        assert!(!out.contains("Whitlock"), "name kept: {out}");
    }
    let out = deidentify("<p>Grip 45 lbs</p>", ContentType::Text, "safe-harbor").text;
    assert_eq!(out, "<p>Grip 45 lbs</p>");
}
