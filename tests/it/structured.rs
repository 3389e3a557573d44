//! Structured payloads through the engine: field rules, learned values in free text, FHIR
//! references, attachments, forms.

use base64::Engine as _;
use serde_json::{json, Value};

use crate::support::{deidentify, deidentify_in};
use phigate::engine::ContentType;

fn fhir_patient_bundle(note_b64: &str) -> Value {
    json!({
        "resourceType": "Bundle", "type": "collection",
        "entry": [
            {"fullUrl": "urn:uuid:aaa", "resource": {
                "resourceType": "Patient", "id": "pat-1",
                "identifier": [{"type": {"coding": [{"code": "MR"}]}, "value": "MRX-55120"}],
                "name": [{"family": "Przybylo", "given": ["Suzette"]}],
                "telecom": [{"system": "phone", "value": "(555) 013-9911"}, {"system": "fax", "value": "555-013-9922"}],
                "birthDate": "1948-02-29",
                "photo": [{"contentType": "image/jpeg", "data": "AAAA"}],
                "address": [{"line": ["77 Elm Avenue"], "city": "Kalamazoo", "state": "MI", "postalCode": "49001"}]}},
            {"resource": {"resourceType": "Observation", "id": "obs-1", "status": "final",
                "subject": {"reference": "Patient/pat-1", "display": "Suzette Przybylo"},
                "code": {"coding": [{"system": "http://loinc.org", "code": "83174-3"}]},
                "valueQuantity": {"value": 42, "unit": "lb"},
                "note": [{"text": "PRZYBYLO, SUZETTE tolerated 97530; Suzette says call 5550139911."}]}},
            {"resource": {"resourceType": "DocumentReference", "id": "doc-1", "status": "current",
                "subject": {"reference": "Patient/pat-1"},
                "content": [
                    {"attachment": {"contentType": "text/plain", "data": note_b64}},
                    {"attachment": {"contentType": "application/pdf", "data": "JVBERi0xLjQK"}}]}}
        ]
    })
}

#[test]
fn fhir_fields_learned_values_references_and_attachments() {
    let b64 = base64::engine::general_purpose::STANDARD;
    let note = b64.encode("Mrs. Przybylo seen 2024-03-01 for ADL training, MRN MRX-55120.");
    let input = fhir_patient_bundle(&note).to_string();
    let out = deidentify(&input, ContentType::FhirJson, "safe-harbor");
    for phi in [
        "Przybylo",
        "PRZYBYLO",
        "Suzette",
        "SUZETTE",
        "MRX-55120",
        "013-9911",
        "5550139911",
        "013-9922",
        "77 Elm",
        "Kalamazoo",
        "pat-1",
        "1948-02-29",
        "49001",
    ] {
        assert!(!out.text.contains(phi), "{phi} survived: {}", out.text);
    }
    let v: Value = serde_json::from_str(&out.text).expect("output is JSON");
    let patient = &v["entry"][0]["resource"];
    assert!(patient.get("photo").is_none(), "photos are removed");
    assert_eq!(patient["address"][0]["state"], "MI");
    assert_eq!(patient["address"][0]["postalCode"], "490");
    assert_eq!(patient["birthDate"], "1948");
    assert!(patient["telecom"][1]["value"]
        .as_str()
        .expect("fax")
        .starts_with("FAX_"));
    let id = patient["id"].as_str().expect("id");
    assert_eq!(
        v["entry"][1]["resource"]["subject"]["reference"],
        format!("Patient/{id}"),
        "references follow the pseudonymised id"
    );
    assert_eq!(v["entry"][1]["resource"]["valueQuantity"]["value"], 42);
    assert!(v["entry"][1]["resource"]["note"][0]["text"]
        .as_str()
        .expect("note")
        .contains("97530"));
    let content = &v["entry"][2]["resource"]["content"];
    let text_att = content[0]["attachment"]["data"]
        .as_str()
        .expect("text attachment kept");
    let decoded = String::from_utf8(b64.decode(text_att).expect("base64")).expect("utf8");
    assert!(
        !decoded.contains("Przybylo") && !decoded.contains("MRX-55120"),
        "{decoded}"
    );
    assert!(decoded.contains("ADL training"));
    assert!(
        content[1]["attachment"].get("data").is_none(),
        "binary attachments are removed"
    );
    assert_eq!(content[1]["attachment"]["contentType"], "application/pdf");
}

#[test]
fn generic_json_key_spellings_and_free_text() {
    let input = json!({
        "event": "note.signed",
        "patient": {"first_name": "Hank", "LastName": "Certusi", "DOB": "02/29/1948", "SSN": "219-09-9999",
                     "phone": "555.013.7777", "address": {"street": "9 Birch Rd", "city": "Peoria", "zip": "61602"},
                     "member_id": 99120034, "name": "Hank Certusi"},
        "note": "Hank Certusi did 3 sets; CERTUSI, HANK reports pain 2/10.",
        "billing": {"cpt": "97110", "units": 2, "minutes": 28}
    })
    .to_string();
    let out = deidentify(&input, ContentType::Json, "safe-harbor");
    for phi in [
        "Hank",
        "HANK",
        "Certusi",
        "CERTUSI",
        "02/29/1948",
        "219-09-9999",
        "013-7777",
        "9 Birch",
        "Peoria",
        "61602",
        "99120034",
    ] {
        assert!(!out.text.contains(phi), "{phi} survived: {}", out.text);
    }
    let v: Value = serde_json::from_str(&out.text).expect("JSON");
    assert_eq!(
        v["billing"],
        json!({"cpt": "97110", "units": 2, "minutes": 28})
    );
    assert_eq!(v["event"], "note.signed");
    assert_eq!(v["patient"]["SSN"], "[SSN]");
    assert!(v["note"].as_str().expect("note").contains("pain 2/10"));
}

/// A town under its key in the languages of the records clinics exchange is a place even
/// when it is an English word (`Wohnort`, `ciudad`, `ville`: red team 58).
#[test]
fn towns_under_their_keys_in_other_languages_are_places() {
    let input = json!({"Wohnort": "Reading", "ciudad": "bath", "ville": "Nice", "note": "nice"})
        .to_string();
    let out = deidentify(&input, ContentType::Json, "safe-harbor");
    let v: Value = serde_json::from_str(&out.text).expect("JSON");
    for key in ["Wohnort", "ciudad", "ville"] {
        let s = v[key].as_str().expect("a string");
        assert!(s.starts_with("LOC_"), "{key}: {s}");
    }
    assert_eq!(v["note"], "nice");
}

/// A value of capitalised words no list holds is a name under a key nobody knows: there is
/// no sentence around it to say otherwise. Words a list holds (English, clinical, places)
/// and statuses stay.
#[test]
fn unlisted_capitalised_words_alone_under_an_unknown_key_are_names() {
    let input = json!({
        "xq": "Quorvelline",
        "zz": "Blythe Quorvelline",
        // How EHR lists write a patient (red team 51, G21): initials do not hide the name.
        "l1": "Vukovljevic, Zvezdana I.",
        "l2": "Vukovljevic, Z.",
        "l3": "Vukovljevic Z.",
        "l4": "Orsic, Zvezdana M",
        "st": "Completed",
        "ev": "Tinetti",
        "mood": "Anxious"
    })
    .to_string();
    let out = deidentify(&input, ContentType::Json, "safe-harbor");
    let v: Value = serde_json::from_str(&out.text).expect("JSON");
    for key in ["xq", "zz", "l1", "l2", "l3", "l4"] {
        let s = v[key].as_str().expect("a string");
        assert!(
            !s.contains("Quorvelline")
                && !s.contains("Vukovljevic")
                && !s.contains("Orsic")
                && s.contains("NAME"),
            "{key}: {s}"
        );
    }
    assert_eq!(v["st"], "Completed");
    assert_eq!(v["ev"], "Tinetti");
    assert_eq!(v["mood"], "Anxious");
}

/// Names typed in lower case as whole values (red team 55, J2): two words no list holds
/// under any scanned key, one under a name key, and display names dressed with emoji or an
/// external-sender tag. Codes, statuses and English words stay.
#[test]
fn lower_case_names_alone_are_names() {
    let input = json!({
        "x": "zvezdana vukovljevic",
        "name": "zvezdana vukovljevic",
        "family": "vukovljevic",
        "kin": "orsic",
        "h": "zvezdana.vukovljevic",
        "display": "Zvezdana \u{1F338} Vukovljevic",
        "who": "\u{1F338}Zvezdana\u{1F338}",
        "from": "Vukovljevic, Zvezdana [EXT]",
        "enc": "gzip",
        "auth": "saml sso",
        "st": "in_progress",
        "first": "walker"
    })
    .to_string();
    let out = deidentify(&input, ContentType::Json, "safe-harbor");
    let v: Value = serde_json::from_str(&out.text).expect("JSON");
    for key in ["x", "name", "family", "kin", "h", "display", "who", "from"] {
        let s = v[key].as_str().expect("a string");
        assert!(
            !s.contains("vukovljevic")
                && !s.contains("Vukovljevic")
                && !s.contains("orsic")
                && !s.contains("Zvezdana")
                && s.contains("NAME"),
            "{key}: {s}"
        );
    }
    assert_eq!(v["enc"], "gzip");
    assert_eq!(v["auth"], "saml sso");
    assert_eq!(v["st"], "in_progress");
}

/// A surname of the lists that is an English word too is the person's under a key that
/// holds a surname alone, in JSON and in a form (red team 58: `{"last":"walker"}`); a word
/// no surname list holds stays there, and a surname key is no reason to read other keys.
#[test]
fn listed_surnames_that_are_words_are_names_under_surname_keys() {
    let input =
        json!({"first": "hope", "last": "walker", "family": "stone", "note": "walker"}).to_string();
    let out = deidentify(&input, ContentType::Json, "safe-harbor");
    let v: Value = serde_json::from_str(&out.text).expect("JSON");
    for key in ["first", "last", "family"] {
        let s = v[key].as_str().expect("a string");
        assert!(s.starts_with("NAME_"), "{key}: {s}");
    }
    assert_eq!(v["note"], "walker");
    let other = deidentify(r#"{"last":"visit"}"#, ContentType::Json, "safe-harbor");
    assert_eq!(other.text, r#"{"last":"visit"}"#);
    let form = deidentify("first=hope&last=walker", ContentType::Form, "safe-harbor");
    assert!(
        !form.text.contains("walker") && !form.text.contains("hope"),
        "{}",
        form.text
    );
}

/// A name the walk types by its key's reading (`{"first": "tam"}` under a person, J2) or by
/// the person object it sits in is learned in pass one too, so a note beside it that
/// repeats it in lower case loses it (stop 64: `tam` and `quenby` crossed in the note).
#[test]
fn names_typed_under_person_objects_are_found_in_the_notes_beside_them() {
    for input in [
        json!({"patient": {"first": "tam", "last": "quenby"}, "note": "tam called; quenby family ok"}),
        json!({"client": {"first": "Tam", "last": "Quenby"}, "note": "tam called; quenby family ok"}),
        json!({"patient_name": {"a": "quenby", "b": "tam"}, "note": "tam called; quenby family ok"}),
        json!({"patientName": [{"v": "tam"}, {"v": "quenby"}], "note": "tam called; quenby family ok"}),
    ] {
        let out = deidentify(&input.to_string(), ContentType::Json, "safe-harbor");
        let v: Value = serde_json::from_str(&out.text).expect("JSON");
        let note = v["note"].as_str().expect("a string");
        assert!(
            !note.to_lowercase().contains("quenby") && note.contains("NAME_"),
            "{input}: {note}"
        );
        assert!(note.contains("family ok"), "{note}");
    }
    // Only what reads as a name is learned from an enclosing field: an address's `type`
    // (`home`) is typed there but not searched for in the note.
    let input = json!({"address": {"type": "home", "line": "7 Mill Row"}, "note": "home visit; lives at home"});
    let out = deidentify(&input.to_string(), ContentType::Json, "safe-harbor");
    let v: Value = serde_json::from_str(&out.text).expect("JSON");
    assert_eq!(v["note"], "home visit; lives at home");
}

/// FHIR search parameters in a query or a `_search` form name what they search for
/// whatever its case (red team 55, J2); `address-state`, paging and `:missing` stay.
#[test]
fn fhir_search_parameters_are_typed_by_their_name() {
    let out = deidentify(
        "family=vukovljevic&given=zvezdana&name:contains=vukov&address-city=ashby&address-state=MA&_count=10&family:missing=true",
        ContentType::Form,
        "safe-harbor",
    );
    for phi in ["vukov", "zvezdana", "ashby"] {
        assert!(!out.text.contains(phi), "{phi}: {}", out.text);
    }
    for kept in ["address-state=MA", "_count=10", "missing=true"] {
        assert!(out.text.contains(kept), "{kept}: {}", out.text);
    }
}

/// An Observation coded with LOINC's first- or last-name code holds a name in its
/// `valueString`, whatever its case (red team 55, J2 addendum).
#[test]
fn observations_coded_as_name_parts_hold_names() {
    let input = json!({
        "resourceType": "Observation",
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "45394-4", "display": "Last name"}]},
        "valueString": "vukovljevic"
    })
    .to_string();
    let out = deidentify(&input, ContentType::FhirJson, "safe-harbor");
    assert!(!out.text.contains("vukovljevic"), "{}", out.text);
}

#[test]
fn form_bodies_by_key() {
    let out = deidentify(
        "first_name=Hank&dob=1948-02-29&note=Hank+called+from+555-013-7777&cpt=97110",
        ContentType::Form,
        "safe-harbor",
    );
    assert!(
        !out.text.contains("Hank") && !out.text.contains("7777"),
        "{}",
        out.text
    );
    assert!(
        out.text.contains("cpt=97110") && out.text.contains("dob=1948"),
        "{}",
        out.text
    );
}

#[test]
fn reversible_policy_tokenises_everything_and_text_is_a_fixed_point() {
    let note = "Pt Suzette Przybylo, DOB 02/29/1948, ZIP 49001, age 93 yo.";
    let out = deidentify(note, ContentType::Text, "reversible");
    assert!(
        !out.text.contains("1948") && !out.text.contains("49001") && !out.text.contains("93"),
        "{}",
        out.text
    );
    // Tokens are never detected again by the store that issued them; any other store
    // (`scan` without a vault: the run's memory) cannot vouch for them, so reads them as
    // values (red team 52, H24).
    let master = phigate::keys::MasterKey::from_bytes([42; 32]);
    let store = phigate::transform::token::MemoryTokenStore::new(&master, "");
    let out = deidentify_in(&store, note, ContentType::Text, "reversible");
    let again = deidentify_in(&store, &out.text, ContentType::Text, "reversible");
    assert_eq!(again.text, out.text, "tokens are never detected again");
    let elsewhere = deidentify(&out.text, ContentType::Text, "reversible");
    assert_ne!(
        elsewhere.text, out.text,
        "another store's tokens are values"
    );
}

/// Red team 52, H24: a string in the shape of a token, in the mint alphabet, that the
/// store never issued is a value (ten base-19 digits hold a phone, an SSN or a date):
/// tokenised wherever it is, keys and kept codes included, while the store's own tokens
/// pass unchanged.
#[test]
fn token_shaped_strings_the_store_did_not_issue_are_values_red_team_52_h24() {
    let master = phigate::keys::MasterKey::from_bytes([42; 32]);
    let store = phigate::transform::token::MemoryTokenStore::new(&master, "");
    let first = deidentify_in(
        &store,
        r#"{"phone":"413-555-0172","patientName":"Rosalind Thackeray"}"#,
        ContentType::Json,
        "safe-harbor",
    );
    let v: Value = serde_json::from_str(&first.text).expect("JSON");
    let phone = v["phone"].as_str().expect("phone token").to_string();
    let name = v["patientName"].as_str().expect("name token").to_string();
    // 4135550172, 512473306 and 19610823 in base 19 over the mint alphabet.
    let forged = ["PHONE_BBGQXFPTRK", "SSN_BBBPWZKMRH", "DATE_BBBBKXNDQQ"];
    let input = json!({
        "ref2": forged[0],
        "note": format!("on file {} {}; seen {name}, cb {phone}", forged[1], forged[2]),
        "code": {"coding": [{"system": "http://loinc.org", "code": forged[0]}]},
        forged[1]: true,
        "msg": format!("{name} {phone}"),
    })
    .to_string();
    let out = deidentify_in(&store, &input, ContentType::Json, "safe-harbor");
    for f in forged {
        assert!(!out.text.contains(f), "{f} kept: {}", out.text);
    }
    assert!(
        out.text.contains(&format!("seen {name}, cb {phone}\"")),
        "issued tokens kept: {}",
        out.text
    );
    assert!(out.text.contains(&format!("\"msg\":\"{name} {phone}\"")));
    // In plain text and in HL7, the same.
    for (text, ct) in [
        (format!("cb {} and {phone}", forged[0]), ContentType::Text),
        (
            format!(
                "MSH|^~\\&|A|B|C|D|2026||ORU^R01|1|P|2.5\rNTE|1||cb {} and {phone}\r",
                forged[0]
            ),
            ContentType::Hl7,
        ),
    ] {
        let out = deidentify_in(&store, &text, ct, "safe-harbor");
        assert!(!out.text.contains(forged[0]), "{}", out.text);
        assert!(out.text.contains(&format!("and {phone}")), "{}", out.text);
    }
}

#[test]
fn json_object_keys_holding_phi_are_renamed_and_schema_keys_kept() {
    let input = r#"{"patients":{"zq.canary@example.org":{"visits":2},"MRN 48213377":{"visits":1}},"resourceType":"Bundle","note_text":"ok"}"#;
    let out = deidentify(input, ContentType::Json, "safe-harbor");
    assert!(!out.text.contains("zq.canary@example.org"), "{}", out.text);
    assert!(!out.text.contains("48213377"), "{}", out.text);
    let v: serde_json::Value = serde_json::from_str(&out.text).expect("json");
    let patients = v["patients"].as_object().expect("object");
    assert_eq!(patients.len(), 2, "both entries kept: {}", out.text);
    assert!(
        patients.keys().any(|k| k.starts_with("EMAIL_")),
        "{}",
        out.text
    );
    assert_eq!(v["resourceType"], "Bundle");
    assert_eq!(v["note_text"], "ok");
}

#[test]
fn form_keys_holding_phi_are_scanned() {
    let out = deidentify(
        "zq.canary@example.org=1&kind=progress",
        ContentType::Form,
        "safe-harbor",
    );
    assert!(!out.text.contains("canary"), "{}", out.text);
    assert!(out.text.contains("kind=progress"), "{}", out.text);
}

#[test]
fn fhir_and_json_date_times_keep_only_their_year() {
    let bundle = json!({
        "resourceType": "Bundle", "type": "transaction", "timestamp": "2022-05-28T15:15:00Z",
        "entry": [{"resource": {"resourceType": "Encounter", "id": "enc-1", "status": "finished",
            "period": {"start": "2024-07-02T14:00:00-06:00", "end": "2024-07-02T15:05:30.250+05:30"}}}]
    });
    let out = deidentify(&bundle.to_string(), ContentType::FhirJson, "safe-harbor");
    let v: Value = serde_json::from_str(&out.text).expect("output is JSON");
    // An `instant` needs its time and zone: the year's first second (stop 56, J29).
    assert_eq!(v["timestamp"], "2022-01-01T00:00:00Z");
    let period = &v["entry"][0]["resource"]["period"];
    assert_eq!(
        (&period["start"], &period["end"]),
        (&json!("2024"), &json!("2024"))
    );
    // Under an unknown key in a generic webhook the same; an identifier that only starts
    // like a date-time is still an identifier, tokenised whole.
    let webhook = json!({"signedWhen": "2023-11-04T09:30Z", "ref": "2020-12-05TX7781234"});
    let out = deidentify(&webhook.to_string(), ContentType::Json, "safe-harbor");
    let v: Value = serde_json::from_str(&out.text).expect("output is JSON");
    assert_eq!(v["signedWhen"], "2023");
    assert!(!out.text.contains("7781234"), "{}", out.text);
}

/// Safe Harbor removes ages over 89 wherever they are written: a field named for an age
/// (JSON number or string, form, CSV column, XML element or attribute) holds `over 89`
/// after (a FHIR `Age`'s number the category's floor, 90), and a younger age is kept as it
/// was, number type included.
#[test]
fn ages_over_89_in_fields_are_aggregated_and_younger_ones_kept() {
    let json = deidentify(
        r#"{"patient": {"age": 93, "ageYears": "95 years", "first_name": "Rose"}, "caregiver": {"age": 45, "age_years": "61"}}"#,
        ContentType::Json,
        "safe-harbor",
    );
    let v: Value = serde_json::from_str(&json.text).expect("JSON");
    assert_eq!(v["patient"]["age"], "over 89", "{}", json.text);
    assert_eq!(v["patient"]["ageYears"], "over 89", "{}", json.text);
    assert_eq!(v["caregiver"]["age"], 45, "{}", json.text);
    assert_eq!(v["caregiver"]["age_years"], "61", "{}", json.text);

    let form = deidentify("age=97&cpt=97110", ContentType::Form, "safe-harbor");
    assert!(
        !form.text.contains("97&") && form.text.contains("cpt=97110"),
        "{}",
        form.text
    );

    let csv = deidentify(
        "id,age,units\n1,101,2\n2,64,3\n",
        ContentType::Csv,
        "safe-harbor",
    );
    assert!(!csv.text.contains("101"), "{}", csv.text);
    assert!(csv.text.contains(",64,3"), "{}", csv.text);

    let xml = deidentify(
        r#"<patient><firstName>Rose</firstName><lastName>Page</lastName><age>94</age><contact phone="5550139911" age="92"/><visit><age>30</age></visit></patient>"#,
        ContentType::Xml,
        "safe-harbor",
    );
    for phi in [">Rose<", ">Page<", ">94<", "5550139911", "\"92\""] {
        assert!(!xml.text.contains(phi), "{phi} survived: {}", xml.text);
    }
    assert!(xml.text.contains("<age>30</age>"), "{}", xml.text);

    let fhir = deidentify(
        r#"{"resourceType": "Condition", "id": "c1", "onsetAge": {"value": 96, "unit": "a", "system": "http://unitsofmeasure.org", "code": "a"}}"#,
        ContentType::FhirJson,
        "safe-harbor",
    );
    let v: Value = serde_json::from_str(&fhir.text).expect("JSON");
    // A FHIR decimal must stay a number: the category's floor, 90 (stop 56, J29).
    assert_eq!(v["onsetAge"]["value"], 90, "{}", fhir.text);
    assert_eq!(v["onsetAge"]["unit"], "a", "{}", fhir.text);
}

/// A key that names a person's role holds that person's name when its value is text:
/// `{"patient": "Rose Page"}`, a `Caregiver` CSV column, `client=` in a form. Names that
/// are also English words (`Rose`, `Hope`, `Page`) are not found by free-text detection
/// alone, so before these keys were read they crossed. The name is then found in the
/// document's notes too; an object under such a key is still walked field by field.
#[test]
fn a_role_key_with_a_text_value_is_a_name() {
    let json = deidentify(
        r#"{"patient": "Rose Page", "caregiver": "Hope Bell", "attending": "Rich Gold",
            "client": {"name": "June May", "gender": "female"},
            "note": "Hope Bell drove Rose Page in; Rich Gold signed.", "cpt": "97110"}"#,
        ContentType::Json,
        "safe-harbor",
    );
    for phi in ["Rose", "Page", "Hope", "Bell", "Rich Gold", "June", "May"] {
        assert!(!json.text.contains(phi), "{phi} survived: {}", json.text);
    }
    let v: Value = serde_json::from_str(&json.text).expect("JSON");
    assert_eq!(v["client"]["gender"], "female", "{}", json.text);
    assert_eq!(v["cpt"], "97110", "{}", json.text);
    assert!(
        v["attending"]
            .as_str()
            .is_some_and(|s| s.starts_with("PROV_")),
        "{}",
        json.text
    );

    let csv = deidentify(
        "Caregiver,Therapist,CPT\nHope Bell,Dawn Brown,97110\n",
        ContentType::Csv,
        "safe-harbor",
    );
    for phi in ["Hope", "Bell", "Dawn", "Brown"] {
        assert!(!csv.text.contains(phi), "{phi} survived: {}", csv.text);
    }
    assert!(csv.text.contains(",97110"), "{}", csv.text);

    let form = deidentify(
        "client=Faith+Moss&cpt=97110",
        ContentType::Form,
        "safe-harbor",
    );
    assert!(
        !form.text.contains("Faith") && !form.text.contains("Moss"),
        "{}",
        form.text
    );
    assert!(form.text.contains("cpt=97110"), "{}", form.text);
}

/// A Synthea-shaped bundle (issue 13): names with digit suffixes, the mother's maiden name
/// and birthplace extensions, conditional references by NPI, facility names, the Location's
/// coordinates and the note in a DocumentReference and a DiagnosticReport. Every PHI value
/// goes, in the fields and in the decoded note, and in a coding's display too, whatever its
/// code system (a display is text the sender wrote: it is read, never trusted); the clinical
/// content stays: codes, the birth-sex code, profile URLs, a transaction's `request.url` when
/// it is a resource type, code systems inside conditional references.
#[test]
fn synthea_bundle_phi_goes_and_clinical_content_stays() {
    let b64 = base64::engine::general_purpose::STANDARD;
    let note = "\n2019-03-02\n\n# History of Present Illness\nBrandy87 is a 94 year-old \
                hispanic white female. Patient has a history of viral sinusitis (disorder).\n";
    let npi = "http://hl7.org/fhir/sid/us-npi";
    let ethnicity = json!({"url": "ombCategory", "valueCoding": {
        "system": "urn:oid:2.16.840.1.113883.6.238", "code": "2135-2",
        "display": "Hispanic or Latino"}});
    let input = json!({"resourceType": "Bundle", "type": "transaction", "entry": [
        {"fullUrl": "urn:uuid:5f1c2d3e-0000-4000-8000-00000000aaaa", "resource": {
            "resourceType": "Patient", "id": "5f1c2d3e-0000-4000-8000-00000000aaaa",
            "meta": {"profile": ["http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient"]},
            "extension": [
                {"url": "http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity",
                 "extension": [ethnicity]},
                {"url": "http://hl7.org/fhir/StructureDefinition/patient-mothersMaidenName",
                 "valueString": "Loreen412 Ullrich385"},
                {"url": "http://hl7.org/fhir/us/core/StructureDefinition/us-core-birthsex",
                 "valueCode": "F"},
                {"url": "http://hl7.org/fhir/StructureDefinition/patient-birthPlace",
                 "valueAddress": {"city": "Haverhill", "state": "Massachusetts", "country": "US"}}],
            "identifier": [{"system": "http://hl7.org/fhir/sid/us-ssn", "value": "999-54-7641"}],
            "name": [{"use": "official", "family": "Kshlerin58", "given": ["Brandy87"], "prefix": ["Mrs."]}],
            "birthDate": "1925-05-03"},
         "request": {"method": "POST", "url": "Patient"}},
        {"fullUrl": "urn:uuid:0b0b", "resource": {"resourceType": "Encounter", "id": "0b0b",
            "subject": {"reference": "urn:uuid:5f1c2d3e-0000-4000-8000-00000000aaaa",
                        "display": "Mrs. Brandy87 Kshlerin58"},
            "participant": [{"individual": {
                "reference": format!("Practitioner?identifier={npi}|9999963294"),
                "display": "Dr. Jospeh404 Walter473"}}],
            "serviceProvider": {
                "reference": "Organization?identifier=https://github.com/synthetichealth/synthea|ef58ea08",
                "display": "GRAVES PEDIATRICS, PC"}},
         "request": {"method": "POST", "url": "Encounter"}},
        {"fullUrl": "urn:uuid:0c0c", "resource": {"resourceType": "Practitioner", "id": "0c0c",
            "identifier": [{"system": npi, "value": "9999963294"}],
            "name": [{"family": "Walter473", "given": ["Jospeh404"], "prefix": ["Dr."]}]},
         "request": {"method": "POST", "url": "Practitioner"}},
        {"fullUrl": "urn:uuid:0d0d", "resource": {"resourceType": "Location", "id": "0d0d",
            "name": "GRAVES PEDIATRICS, PC",
            "position": {"longitude": -71.0766, "latitude": 42.7779}},
         "request": {"method": "POST", "url": "Location"}},
        {"fullUrl": "urn:uuid:0e0e", "resource": {"resourceType": "ExplanationOfBenefit", "id": "0e0e",
            "item": [{"sequence": 1, "locationCodeableConcept": {"coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/ex-serviceplace", "code": "19",
                "display": "Off Campus-Outpatient Hospital"}],
                "text": "Off Campus-Outpatient Hospital"}}]},
         "request": {"method": "POST", "url": "ExplanationOfBenefit"}},
        {"fullUrl": "urn:uuid:0e1e", "resource": {"resourceType": "Condition", "id": "0e1e",
            "code": {"coding": [{"system": "http://snomed.info/sct", "code": "444814009",
                "display": "Sinusitis, per Ignatius Pemberton-Quill 413-555-0172"}],
                "text": "Sinusitis, per Ignatius Pemberton-Quill 413-555-0172"}},
         "request": {"method": "POST", "url": "Thackeray"}},
        {"fullUrl": "urn:uuid:0f0f", "resource": {"resourceType": "DocumentReference", "id": "0f0f",
            "content": [{"attachment": {"contentType": "text/plain; charset=utf-8",
                                        "data": b64.encode(note)}}]},
         "request": {"method": "POST", "url": "DocumentReference"}},
        {"fullUrl": "urn:uuid:1a1a", "resource": {"resourceType": "DiagnosticReport", "id": "1a1a",
            "presentedForm": [{"contentType": "text/plain; charset=utf-8", "data": b64.encode(note)}]},
         "request": {"method": "POST", "url": "DiagnosticReport"}}
    ]})
    .to_string();
    let out = deidentify(&input, ContentType::FhirJson, "safe-harbor");
    for phi in [
        "Brandy87",
        "Kshlerin58",
        "Loreen412",
        "Ullrich385",
        "Haverhill",
        "999-54-7641",
        "1925-05-03",
        "5f1c2d3e",
        "Jospeh404",
        "Walter473",
        "9999963294",
        "GRAVES",
        "71.0766",
        "42.7779",
        "Pemberton",
        "555-0172",
        "Thackeray",
    ] {
        assert!(!out.text.contains(phi), "{phi} survived: {}", out.text);
    }
    let v: Value = serde_json::from_str(&out.text).expect("output is JSON");
    let e = |i: usize| &v["entry"][i]["resource"];
    let patient = e(0);
    assert_eq!(
        patient["meta"]["profile"][0],
        "http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient"
    );
    assert_eq!(
        patient["extension"][0]["extension"][0]["valueCoding"]["code"],
        "2135-2"
    );
    assert_eq!(patient["extension"][2]["valueCode"], "F");
    assert_eq!(
        patient["extension"][3]["valueAddress"]["state"],
        "Massachusetts"
    );
    assert_eq!(v["entry"][1]["request"]["url"], "Encounter");
    // The NPI in the conditional reference becomes the token the Practitioner's own
    // identifier gets; the code system stays readable.
    let by_npi = e(1)["participant"][0]["individual"]["reference"]
        .as_str()
        .expect("reference");
    let npi_token = e(2)["identifier"][0]["value"].as_str().expect("npi token");
    assert_eq!(by_npi, format!("Practitioner?identifier={npi}|{npi_token}"));
    let place = &e(4)["item"][0]["locationCodeableConcept"];
    assert_eq!(place["coding"][0]["code"], "19");
    assert_eq!(
        e(5)["code"]["coding"][0]["system"],
        "http://snomed.info/sct"
    );
    for (i, data) in [
        (6, &e(6)["content"][0]["attachment"]["data"]),
        (7, &e(7)["presentedForm"][0]["data"]),
    ] {
        let data = data
            .as_str()
            .unwrap_or_else(|| panic!("entry {i}: note kept"));
        let decoded = String::from_utf8(b64.decode(data).expect("base64")).expect("utf8");
        for phi in ["Brandy87", "2019-03-02", "94 year-old"] {
            assert!(
                !decoded.contains(phi),
                "entry {i}: {phi} survived: {decoded}"
            );
        }
        assert!(decoded.contains("viral sinusitis (disorder)"), "{decoded}");
    }
}

#[test]
fn references_keep_only_the_shapes_fhir_defines() {
    let input = json!({
        "resourceType": "Observation", "id": 5551234, "status": "final",
        "subject": {"reference": "Thackeray/123"},
        "encounter": {"reference": "Encounter/enc-9/_history/2"},
        "performer": [{"reference": "https://ehr.example/fhir/Practitioner/pr-77"}],
        "basedOn": [{"reference": {"text": "Rosalind Thackeray 413-555-0172"}}],
        "derivedFrom": [{"reference": "urn:uuid:0f1e-22"}, {"reference": "#c1"}]
    })
    .to_string();
    let out = deidentify(&input, ContentType::FhirJson, "safe-harbor");
    for phi in [
        "5551234",
        "Thackeray",
        "Rosalind",
        "555-0172",
        "enc-9",
        "pr-77",
        "0f1e-22",
    ] {
        assert!(!out.text.contains(phi), "{phi} survived: {}", out.text);
    }
    let v: Value = serde_json::from_str(&out.text).expect("output is JSON");
    let reference = |p: &str| v.pointer(p).and_then(Value::as_str).expect(p).to_string();
    assert!(v["id"].is_string(), "a number id becomes a token");
    assert!(
        !reference("/subject/reference").contains('/'),
        "one opaque token"
    );
    let enc = reference("/encounter/reference");
    assert!(
        enc.starts_with("Encounter/") && enc.contains("/_history/"),
        "{enc}"
    );
    assert!(reference("/performer/0/reference").contains("/Practitioner/"));
    assert!(reference("/derivedFrom/0/reference").starts_with("urn:uuid:"));
    assert!(reference("/derivedFrom/1/reference").starts_with('#'));
}

/// A value cut into groups of digits across an array's items or an object's values is read
/// joined: a phone number whose line lost its leading zero as a JSON number, a date of birth
/// as three numbers. Vital signs and scores in the same shapes stay as they are.
#[test]
fn values_cut_in_groups_go_and_vital_signs_stay() {
    let input = json!({
        "cb": {"area": 413, "exchange": 555, "line": 172},
        "born": [8, 23, 1961],
        "bp": {"sys": 120, "dia": 80, "hr": 72},
        "triple": [250, 80, 72],
        "pair": [120, 80],
        "scores": {"a": 4, "b": 5, "c": 3}
    });
    let out = deidentify(&input.to_string(), ContentType::Json, "safe-harbor");
    let v: Value = serde_json::from_str(&out.text).expect("output is JSON");
    assert_ne!(v["cb"]["area"], json!(413), "{}", out.text);
    assert_eq!(v["cb"]["line"], json!(""), "{}", out.text);
    assert_ne!(v["born"][1], json!(23), "{}", out.text);
    for key in ["bp", "triple", "pair", "scores"] {
        assert_eq!(v[key], input[key], "{key}: {}", out.text);
    }
}

/// A document reads the same whatever the scratch scanned before it: the tagger keeps the
/// sums of words it has seen, and a word written with an accent (`ó`, read `o`) must not
/// take the sums of the plain word scanned earlier (`c/o`).
#[test]
fn a_text_reads_the_same_whatever_was_scanned_before_it() {
    let e = crate::support::engine();
    let master = phigate::keys::MasterKey::from_bytes([42; 32]);
    let store = phigate::transform::token::MemoryTokenStore::new(&master, "");
    let t = e.transformer(e.policy("safe-harbor").expect("policy"), &store, &master);
    let doc = "does anyone remember mrs. finola ó connbhuí? she lived on 7582 king tunnel \
               apt. 016 years ago.";
    let read = |before: &[&str]| {
        let mut scratch = e.detector.scratch();
        for b in before {
            e.deidentify(b.as_bytes(), ContentType::Text, &t, &mut scratch)
                .expect("de-identifies");
        }
        e.deidentify(doc.as_bytes(), ContentType::Text, &t, &mut scratch)
            .expect("de-identifies")
            .text
    };
    let alone = read(&[]);
    for before in [
        "Nicole c/o the Chavez family, 85739 Kristen Crest Suite 642",
        "Jo and Ana o Brien, c/o Ward 4",
    ] {
        assert_eq!(read(&[before]), alone, "after {before:?}");
    }
}

/// Red team 52: H1 (published code-system URIs kept), H19 (a ZIP that lost its leading zero
/// generalised to its own prefix), H25 (coordinates under their keys and in notes), H20
/// (learned names that are words, and placeholders, not taken from the text).
#[test]
fn code_systems_zips_coordinates_and_learned_words_red_team_52() {
    let claim = json!({"resourceType": "Claim", "diagnosis": [{"sequence": 1,
        "diagnosisCodeableConcept": {"coding": [
            {"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "M25.531"}]}}],
        "item": [{"productOrService": {"coding": [
            {"system": "http://hl7.org/fhir/sid/ndc", "code": "0002-8215-01"}]}}],
        "provider": {"identifier": {"system": "http://hl7.org/fhir/sid/us-npi", "value": "1234567893"}}});
    let out = deidentify(&claim.to_string(), ContentType::FhirJson, "safe-harbor");
    for system in ["sid/icd-10-cm", "sid/ndc", "sid/us-npi"] {
        assert!(out.text.contains(system), "{system} lost: {}", out.text);
    }
    // Not a prefix list: a path after a listed URI is read as any other.
    let forged = json!({"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm/Rosalind-Thackeray", "code": "x"}]});
    let out = deidentify(&forged.to_string(), ContentType::Json, "safe-harbor");
    assert!(!out.text.contains("Thackeray"), "{}", out.text);

    let zips = json!({"zip": 1085, "patient": {"postalCode": "3601"}, "z2": {"zip": "1085-1234"}});
    let out = deidentify(&zips.to_string(), ContentType::Json, "safe-harbor");
    let v: Value = serde_json::from_str(&out.text).expect("output is JSON");
    assert_eq!(v["zip"], "010", "{}", out.text);
    assert_eq!(
        v["patient"]["postalCode"], "000",
        "036 is a restricted prefix: {}",
        out.text
    );
    assert_eq!(v["z2"]["zip"], "010", "{}", out.text);

    let evv = json!({"visitId": "V-88123", "checkIn": {"lat": 42.125103, "lng": -72.749512, "accuracy": 8},
        "checkOut": {"latitude": "42.1251", "longitude": "-72.7495"},
        "geometry": {"type": "Point", "coordinates": [-72.749512, 42.125103]},
        "note": "EVV check-in at 42.125103, -72.749512; home @ 42°07'30.4\"N 72°44'58.2\"W"});
    let out = deidentify(&evv.to_string(), ContentType::Json, "safe-harbor");
    for phi in ["42.125", "72.749", "42.1251", "72.7495", "42°07", "72°44"] {
        assert!(!out.text.contains(phi), "{phi} survived: {}", out.text);
    }
    assert!(out.text.contains("\"accuracy\":8"), "{}", out.text);

    let walker = json!({"lastName": "Walker", "firstName": "May", "ssn": "NONE",
        "note": "May Walker ambulates with front-wheeled walker; may progress to cane. None known. WALKER tolerated."});
    let out = deidentify(&walker.to_string(), ContentType::Json, "safe-harbor");
    let v: Value = serde_json::from_str(&out.text).expect("output is JSON");
    let note = v["note"].as_str().expect("note is text");
    for kept in ["front-wheeled walker", "may progress", "None known"] {
        assert!(note.contains(kept), "{kept} lost: {note}");
    }
    for phi in ["May Walker", "WALKER"] {
        assert!(!note.contains(phi), "{phi} survived: {note}");
    }
    // Text without capitals cannot tell the word from the name: the name goes.
    let lower = json!({"lastName": "Walker", "note": "walker ambulating with walker"});
    let out = deidentify(&lower.to_string(), ContentType::Json, "safe-harbor");
    assert!(!out.text.contains("walker"), "{}", out.text);
}

/// Red team 55, J33: a learned name part that is a clinical or English word is the person
/// only where the text names a person there (another part beside it, a title or cue before
/// it, a verb of a person after it); capitalised where a sentence or a label's value starts,
/// it is the word.
#[test]
fn learned_name_parts_that_are_words_need_name_evidence_red_team_55() {
    let cases = [
        (
            json!({"lastName": "Hand", "firstName": "Grace",
                "note": "Hand therapy 2x/wk. R Hand edema improving.\nDME: Walker, Cane.\nPlan: Hand splint."}),
            &[
                "Hand therapy",
                "R Hand edema",
                "DME: Walker, Cane",
                "Hand splint",
            ][..],
            &[][..],
        ),
        // A note that names her: each name is found (and a word the note's names repeat
        // may go with them).
        (
            json!({"lastName": "Hand", "firstName": "Grace",
                "note": "Seen: Grace Hand. Ms. Hand tolerated tx. Hand, Grace signed. Hand reports less pain. HAND, GRACE on the label."}),
            &["tolerated tx"][..],
            &[
                "Grace Hand",
                "Ms. Hand",
                "Hand, Grace",
                "Hand reports",
                "HAND",
                "Grace",
            ][..],
        ),
        (
            json!({"lastName": "Walker", "firstName": "May",
                "note": "DME: Walker (front-wheeled). Pt: Walker, May. Walker reports pain 3/10. Dr. Kim saw Ms Walker."}),
            &["DME: Walker (front-wheeled)"][..],
            &["Walker, May", "Walker reports", "Ms Walker"][..],
        ),
        (
            json!({"lastName": "Bell", "firstName": "Hope",
                "note": "Bell's palsy resolved. Hope to return to work. Bell's daughter called. Hope Bell seen."}),
            &["Bell's palsy", "Hope to return"][..],
            &["Bell's daughter", "Hope Bell"][..],
        ),
        (
            json!({"lastName": "Rose", "firstName": "Lily",
                "note": "Lily ambulated 50 ft. Rose walks with a cane. Lily has a ride home."}),
            &["ambulated"][..],
            &["Lily", "Rose"][..],
        ),
    ];
    for (payload, kept, gone) in cases {
        let out = deidentify(&payload.to_string(), ContentType::Json, "safe-harbor");
        let v: Value = serde_json::from_str(&out.text).expect("output is JSON");
        let note = v["note"].as_str().expect("note is text");
        for k in kept {
            assert!(note.contains(k), "{k} lost: {note}");
        }
        for phi in gone {
            assert!(!note.contains(phi), "{phi} survived: {note}");
        }
    }
    // A value of one word cannot tell: the learned name goes.
    let alone = json!({"lastName": "Walker", "firstName": "May", "contact": "Walker"});
    let out = deidentify(&alone.to_string(), ContentType::Json, "safe-harbor");
    assert!(!out.text.contains("\"Walker\""), "{}", out.text);
}

/// An HL7 address flattened into JSON keeps none of its parts: the town is read by its
/// place before the state (a tagger retrain once lost it), the ZIP cut to three digits.
#[test]
fn a_flattened_hl7_address_keeps_no_part() {
    let pid = json!({"PID": {"11": "77 QUARRY HOLLOW RD^^WESTFIELD^MA^01085"},
        "note": "Address: 12 Elm St^Apt 2^South Hadley^MA^01075^USA"});
    let out = deidentify(&pid.to_string(), ContentType::Json, "safe-harbor");
    for phi in [
        "QUARRY",
        "WESTFIELD",
        "01085",
        "Elm St",
        "South Hadley",
        "01075",
    ] {
        assert!(!out.text.contains(phi), "{phi} survived: {}", out.text);
    }
    assert!(out.text.contains("^MA^"), "{}", out.text);
}

/// An OID is a registry's number kept as written only while its arcs are short: a record
/// number, phone number, SSN or birth date written as an arc is read (red team 51, G13).
#[test]
fn oids_keep_registry_arcs_and_read_identifier_arcs() {
    let kept = json!({"code": {"coding": [{"system": "urn:oid:2.16.840.1.113883.6.96", "code": "22298006"}]},
        "extension": [{"url": "urn:oid:1.2.840.114350.1.13.324.2.7.2.686980"}]});
    let out = deidentify(&kept.to_string(), ContentType::FhirJson, "safe-harbor");
    for oid in [
        "2.16.840.1.113883.6.96",
        "1.2.840.114350.1.13.324.2.7.2.686980",
    ] {
        assert!(out.text.contains(oid), "{oid} lost: {}", out.text);
    }
    let forged = json!({"code": "urn:oid:1.2.4135550172.4410827",
        "status": "urn:oid:2.16.840.1.113883.512473306",
        "extension": [{"url": "urn:oid:1.2.4410827.19610823"}],
        "coding": [{"system": "urn:oid:1.2.4410827", "code": "x"}],
        "note": "see urn:oid:1.2.840.4410827.19610823"});
    let out = deidentify(&forged.to_string(), ContentType::FhirJson, "safe-harbor");
    for phi in ["4135550172", "4410827", "19610823", "512473306"] {
        assert!(!out.text.contains(phi), "{phi} survived: {}", out.text);
    }
    let cda = r#"<ClinicalDocument xmlns="urn:hl7-org:v3"><templateId root="2.16.840.1.113883.10.20.22.1.1"/><templateId root="2.16.840.1.113883.4410827.19610823"/><code code="34133-9" codeSystem="1.2.840.4410827.19610823.512473306"/></ClinicalDocument>"#;
    let out = deidentify(cda, ContentType::Xml, "safe-harbor");
    assert!(
        out.text.contains("2.16.840.1.113883.10.20.22.1.1"),
        "{}",
        out.text
    );
    for phi in ["4410827", "19610823", "512473306"] {
        assert!(!out.text.contains(phi), "{phi} survived: {}", out.text);
    }
}

/// A FHIR attachment holding an HL7 v2 message is read as HL7 (its fields by their rules)
/// and kept; an XML one is read as XML, so a token never swallows a tag (red team 51).
#[test]
fn hl7_and_xml_attachments_are_read_in_their_own_format() {
    let b64 = base64::engine::general_purpose::STANDARD;
    let hl7 = "MSH|^~\\&|EMR|CLINIC|HUB|OUT|20250301||ADT^A08|M1|P|2.5.1\rPID|1||MR4410827^^^C^MR||Thackeray^Rosalind\r";
    let xml = "<p><n>Rosalind Thackeray</n><id>MR4410827</id></p>";
    let doc = |ct: &str, data: &str| {
        json!({"resourceType": "DocumentReference", "id": "d1", "status": "current",
               "content": [{"attachment": {"contentType": ct, "data": b64.encode(data)}}]})
        .to_string()
    };
    for (ct, data, keeps) in [
        ("application/hl7-v2", hl7, "MSH|^~\\&|EMR"),
        ("text/xml", xml, "</n><id>"),
    ] {
        let out = deidentify(&doc(ct, data), ContentType::FhirJson, "safe-harbor");
        let v: Value = serde_json::from_str(&out.text).expect("JSON");
        let data = v["content"][0]["attachment"]["data"]
            .as_str()
            .expect("the attachment is kept");
        let text = String::from_utf8(b64.decode(data).expect("base64")).expect("utf8");
        assert!(
            text.contains(keeps) && !text.contains("Thackeray") && !text.contains("4410827"),
            "{ct}: {text}"
        );
    }
}

/// Red team 52, H2 and H23: an age in a FHIR Quantity in years, and values whose meaning is
/// in the label beside them (FHIR Parameters, questionnaire answers, label/value lists).
#[test]
fn ages_in_year_quantities_and_labelled_values_red_team_52() {
    let obs = json!({"resourceType": "Observation", "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "30525-0", "display": "Age"}]},
        "valueQuantity": {"value": 93, "unit": "a", "system": "http://unitsofmeasure.org", "code": "a"}});
    let out = deidentify(&obs.to_string(), ContentType::FhirJson, "safe-harbor");
    assert!(!out.text.contains("93"), "{}", out.text);
    let young = obs.to_string().replace("93", "45");
    let out = deidentify(&young, ContentType::FhirJson, "safe-harbor");
    assert!(
        out.text.contains("\"value\":45"),
        "an age under 90 stays: {}",
        out.text
    );

    let params = json!({"resourceType": "Parameters", "parameter": [
        {"name": "age", "valueInteger": 93}, {"name": "count", "valueInteger": 93}]});
    let out = deidentify(&params.to_string(), ContentType::FhirJson, "safe-harbor");
    let v: Value = serde_json::from_str(&out.text).expect("output is JSON");
    assert_ne!(v["parameter"][0]["valueInteger"], 93, "{}", out.text);
    assert_eq!(
        v["parameter"][1]["valueInteger"], 93,
        "a count is no age: {}",
        out.text
    );

    let qr = json!({"resourceType": "QuestionnaireResponse", "status": "completed", "item": [
        {"linkId": "1", "text": "Age", "answer": [{"valueInteger": 93}]},
        {"linkId": "2", "text": "Zip", "answer": [{"valueString": "01085"}]}]});
    let out = deidentify(&qr.to_string(), ContentType::FhirJson, "safe-harbor");
    assert!(
        !out.text.contains("93") && !out.text.contains("01085"),
        "{}",
        out.text
    );

    let pairs = json!({"fields": [{"name": "Age", "value": "93"}, {"label": "Phone", "value": "413 555 0172"},
        {"name": "Visit type", "value": "follow-up"}]});
    let out = deidentify(&pairs.to_string(), ContentType::Json, "safe-harbor");
    for phi in ["\"93\"", "0172"] {
        assert!(!out.text.contains(phi), "{phi} survived: {}", out.text);
    }
    assert!(out.text.contains("follow-up"), "{}", out.text);
}

/// Red team 52, H3: a questionnaire answer typed by its question written as a phrase
/// (`How old are you?`, `Patient initials`, `Vehicle plate number`), not only by a label
/// the key table holds whole; a yes/no question types nothing.
#[test]
fn questionnaire_answers_typed_by_their_question_red_team_52_h3() {
    let qr = json!({"resourceType": "QuestionnaireResponse", "status": "completed", "item": [
        {"linkId": "1", "text": "How old are you?", "answer": [{"valueString": "93"}]},
        {"linkId": "2", "text": "Patient initials", "answer": [{"valueString": "R.I.T."}]},
        {"linkId": "3", "text": "Vehicle plate number", "answer": [{"valueString": "7XKJ22"}]},
        {"linkId": "4", "text": "Age (years)", "answer": [{"valueInteger": 93}]},
        {"linkId": "5", "text": "Please enter the name of your town of residence",
         "answer": [{"valueString": "Ware"}]},
        {"linkId": "patient-zip-code", "answer": [{"valueString": "01085"}]},
        {"linkId": "6", "text": "Do you have a phone?", "answer": [{"valueString": "yes"}]},
        {"linkId": "7", "text": "How long have you had the pain?",
         "answer": [{"valueString": "3 weeks"}]}]});
    let out = deidentify(&qr.to_string(), ContentType::FhirJson, "safe-harbor");
    for phi in ["93", "R.I.T.", "7XKJ22", "\"Ware\"", "01085"] {
        assert!(!out.text.contains(phi), "{phi} survived: {}", out.text);
    }
    for kept in ["\"yes\"", "3 weeks"] {
        assert!(out.text.contains(kept), "{kept} was changed: {}", out.text);
    }
}

/// Red team 52, H22: keys written as form-array paths (`patient[age]`,
/// `patient[name][first]`, `items[0][zip]`) in a form body and in JSON are read by their
/// last segment, as `patient.age` is.
#[test]
fn bracket_path_keys_are_field_names_red_team_52_h22() {
    let form = "patient[zip]=01085&patient[age]=93&patient[plate]=7XKJ22\
                &patient[name][first]=Ansel&items[0][zip]=02134&visit[kind]=follow-up";
    let out = deidentify(form, ContentType::Form, "safe-harbor");
    for phi in ["01085", "=93", "7XKJ22", "Ansel", "02134"] {
        assert!(!out.text.contains(phi), "{phi} survived: {}", out.text);
    }
    assert!(out.text.contains("follow-up"), "{}", out.text);
    let json = json!({"patient[age]": 93, "patient[zip]": "01085", "pt[plate]": "7XKJ22",
        "items[0][kind]": "follow-up"});
    let out = deidentify(&json.to_string(), ContentType::Json, "safe-harbor");
    for phi in ["93", "01085", "7XKJ22"] {
        assert!(!out.text.contains(phi), "{phi} survived: {}", out.text);
    }
    assert!(out.text.contains("follow-up"), "{}", out.text);
}

/// Red team 52, H13: FHIR elements named `data` that are no attachment (a SampledData's
/// waveform, a Consent provision's data references) are read, not dropped.
#[test]
fn sampled_data_and_consent_data_are_no_attachments_red_team_52_h13() {
    let obs = json!({"resourceType": "Observation", "status": "final", "code": {"text": "ECG lead II"},
        "valueSampledData": {"origin": {"value": 2048}, "period": 10, "dimensions": 1,
                             "data": "2041 2043 2037 2050 2061 2075 E U"}});
    let out = deidentify(&obs.to_string(), ContentType::FhirJson, "safe-harbor");
    assert!(
        out.text.contains("2041 2043 2037 2050 2061 2075 E U"),
        "{}",
        out.text
    );
    let consent = json!({"resourceType": "Consent", "status": "active", "provision": {
        "type": "permit", "data": [{"meaning": "instance",
                                    "reference": {"reference": "Observation/o1"}}]}});
    let out = deidentify(&consent.to_string(), ContentType::FhirJson, "safe-harbor");
    assert!(
        out.text.contains("\"meaning\":\"instance\""),
        "{}",
        out.text
    );
    let note = json!({"resourceType": "Observation", "status": "final", "code": {"text": "ECG"},
        "valueSampledData": {"origin": {"value": 0}, "period": 10, "dimensions": 1,
                             "data": "Rosalind Thackeray MRN 4410827"}});
    let out = deidentify(&note.to_string(), ContentType::FhirJson, "safe-harbor");
    assert!(
        !out.text.contains("Thackeray") && !out.text.contains("4410827"),
        "{}",
        out.text
    );
}

/// Red team 55, J-n: form builders' question/answer, prompt/response, fieldName/fieldValue
/// and k/v lists type their value by the label, as name/value lists do.
#[test]
fn question_answer_and_kv_pairs_typed_by_their_label_red_team_55() {
    let pairs = json!({
        "questions_and_answers": [{"question": "Your age", "answer": "93"},
            {"question": "Last 4 of SSN", "answer": "3306"}],
        "items": [{"prompt": "Zip", "response": "01085"},
            {"fieldName": "Plate", "fieldValue": "7XKJ22"}, {"k": "age", "v": "94"},
            {"question": "Visit type", "answer": "follow-up"}]});
    let out = deidentify(&pairs.to_string(), ContentType::Json, "safe-harbor");
    for phi in ["\"93\"", "3306", "01085", "7XKJ22", "\"94\""] {
        assert!(!out.text.contains(phi), "{phi} survived: {}", out.text);
    }
    assert!(out.text.contains("follow-up"), "{}", out.text);
}

/// Red team 55, J-i: keys in the languages of the records clinics exchange (`edad`,
/// `Kennzeichen`, `codigo_postal`) type their bare values as the English keys do.
#[test]
fn keys_in_other_languages_type_their_values_red_team_55() {
    let body = json!({"edad": 93, "Alter": "94", "matricula": "7XKJ22",
        "Kennzeichen": "B-XK 4471", "codigo_postal": "01085", "Age (yrs)": 95,
        "fecha_nacimiento": "23/08/1961", "count": 93});
    let out = deidentify(&body.to_string(), ContentType::Json, "safe-harbor");
    for phi in ["\"94\"", "7XKJ22", "4471", "01085", ":95", "08/1961"] {
        assert!(!out.text.contains(phi), "{phi} survived: {}", out.text);
    }
    let v: Value = serde_json::from_str(&out.text).expect("output is JSON");
    assert_ne!(v["edad"], 93, "{}", out.text);
    assert_eq!(v["count"], 93, "a count is no age: {}", out.text);
}

/// Red team 55, J-x and J-z: OMOP's birth month and day, and Salesforce custom fields
/// (`Patient_Age__c`) are typed by their names.
#[test]
fn omop_birth_parts_and_salesforce_custom_fields_red_team_55() {
    let body = json!({"year_of_birth": 1961, "month_of_birth": 8, "day_of_birth": 23,
        "Patient_Age__c": 93, "SSN_Last_4__c": "3306", "License_Plate__c": "7XKJ22",
        "Mother_Maiden_Name__c": "Orsic", "Visit_Count__c": 93});
    let out = deidentify(&body.to_string(), ContentType::Json, "safe-harbor");
    let v: Value = serde_json::from_str(&out.text).expect("output is JSON");
    for k in ["month_of_birth", "day_of_birth", "Patient_Age__c"] {
        assert!(v[k].is_string(), "{k}: {}", out.text);
    }
    for phi in ["3306", "7XKJ22", "Orsic"] {
        assert!(!out.text.contains(phi), "{phi} survived: {}", out.text);
    }
    assert_eq!(v["Visit_Count__c"], 93, "{}", out.text);
}

/// An age band whose top is under 90 is no identifier (`Age group: 65-74` became
/// `over 89`); an open band or one reaching 90 may hold an age over 89 and is aggregated.
#[test]
fn age_bands_under_90_are_kept_and_open_ones_aggregated() {
    let out = deidentify(
        r#"{"age":"65-74","patient_age":"18 to 64 years","age_years":"<18","ageYears":"85+","currentAge":"85-94"}"#,
        ContentType::Json,
        "safe-harbor",
    );
    let v: Value = serde_json::from_str(&out.text).expect("JSON");
    assert_eq!(v["age"], "65-74", "{}", out.text);
    assert_eq!(v["patient_age"], "18 to 64 years", "{}", out.text);
    assert_eq!(v["age_years"], "<18", "{}", out.text);
    assert_eq!(v["ageYears"], "over 89", "{}", out.text);
    assert!(!out.text.contains("94"), "{}", out.text);
    let table = deidentify(
        "mrn,age\n4410827,65-74\n4410828,91-95\n",
        ContentType::Csv,
        "safe-harbor",
    );
    assert!(table.text.contains(",65-74\n"), "{}", table.text);
    assert!(
        !table.text.contains("91") && !table.text.contains("95"),
        "{}",
        table.text
    );
}

/// Red team 51, G11: a record number or a surname in a path written without a scheme in
/// free text is read as a path value's pieces are.
#[test]
fn paths_without_a_scheme_in_text_are_read_piece_by_piece_red_team_51_g11() {
    let note = "see emr.example/patients/4410827/chart; open /patients/5520931/thackeray; \
                ref 6630142/7740253; row: 4135550172/19610823; BP 120/80, DOB 08/23/1961, \
                eGFR 60 mL/min/1.73m2, s/p fall.";
    let out = deidentify(note, ContentType::Text, "safe-harbor");
    for phi in [
        "4410827",
        "5520931",
        "thackeray",
        "6630142",
        "7740253",
        "4135550172",
        "19610823",
    ] {
        assert!(!out.text.contains(phi), "{phi} survived: {}", out.text);
    }
    for kept in [
        "emr.example/patients/",
        "BP 120/80",
        "mL/min/1.73m2",
        "s/p fall",
    ] {
        assert!(out.text.contains(kept), "{kept} lost: {}", out.text);
    }
}

/// Red team 52, H16: column names in capitals (Epic Clarity's) are field names, kept as
/// written, unless they hold a value (a name, an identifier, a token's shape). A piece
/// that is a listed name and no English word reads as a name (`DEAN_LIST` is tokenised:
/// fail closed).
#[test]
fn column_names_in_capitals_are_kept_unless_they_hold_a_value_red_team_52_h16() {
    let out = deidentify(
        r#"{"SPOUSE_NM":"x","EMERG_CONTACT_NM":"x","EMERG_CONTACT_PH":"x","PCP_PROV_ID":"x","DR_NM":"x","DEAN_LIST":"x","PAT_MRN_ID":"x","ADD_LINE_2":"x","ROSALIND_THACKERAY":"x","THACKERAY_NOTE":"x","MR4410827_NOTE":"x","PHONE_BBGQXFPTRK":"x"}"#,
        ContentType::Json,
        "safe-harbor",
    );
    for kept in [
        "SPOUSE_NM",
        "EMERG_CONTACT_NM",
        "EMERG_CONTACT_PH",
        "PCP_PROV_ID",
        "DR_NM",
        "PAT_MRN_ID",
        "ADD_LINE_2",
    ] {
        assert!(
            out.text.contains(&format!("\"{kept}\"")),
            "{kept}: {}",
            out.text
        );
    }
    for value in ["ROSALIND", "THACKERAY", "4410827", "BBGQXFPTRK"] {
        assert!(!out.text.contains(value), "{value}: {}", out.text);
    }
    let table = deidentify(
        "MRN,SPOUSE_NM,PCP_PROV_ID,EMERG_CONTACT_PH,THACKERAY_NOTE\n4410827,x,y,z,w\n",
        ContentType::Csv,
        "safe-harbor",
    );
    assert!(
        table
            .text
            .starts_with("MRN,SPOUSE_NM,PCP_PROV_ID,EMERG_CONTACT_PH,"),
        "{}",
        table.text
    );
    assert!(!table.text.contains("THACKERAY"), "{}", table.text);
}

/// A GraphQL request's variables take the type of the argument each is bound to in the
/// operation (`patients(age: $a)`): client-made variable names say nothing (red team 55,
/// J13). A variable bound to a paging argument keeps its number.
#[test]
fn graphql_variables_are_typed_by_their_arguments() {
    let doc = r#"{"query":"query($z:String,$a:Int,$s:String,$f:Int){patients(zip:$z,age:$a,ssnLast4:$s,first:$f){id}}","variables":{"z":"01085","a":93,"s":"3306","f":10}}"#;
    let out = deidentify(doc, ContentType::Json, "safe-harbor").text;
    for gone in ["01085", "93", "3306"] {
        assert!(
            !out.contains(&format!("\"{gone}\"")) && !out.contains(&format!(":{gone}")),
            "{gone} crossed in {out}"
        );
    }
    assert!(out.contains(r#""f":10"#), "{out}");
    // An `Int` variable stays a number: an age past 89 is the category's floor.
    assert!(out.contains(r#""a":90"#), "{out}");
    assert!(out.contains("patients(zip:$z,age:$a"), "{out}");
}

/// An OData `$filter`'s literals take the type of the property they are compared with
/// (`LastName eq 'vukovljevic'`, `contains(Address/City,'Westfield')`); a status stays
/// (red team 55, J13).
#[test]
fn odata_filter_literals_are_typed_by_their_property() {
    let q = "$filter=LastName%20eq%20'vukovljevic'%20and%20Zip%20eq%20'01085'%20and%20contains(Address/City,'Westfield')%20and%20Status%20eq%20'active'";
    let out = deidentify(q, ContentType::Form, "safe-harbor").text;
    for gone in ["vukovljevic", "01085", "Westfield"] {
        assert!(!out.contains(gone), "{gone} crossed in {out}");
    }
    assert!(out.contains("%27active%27"), "{out}");
}

/// A variable named like another variable's argument keeps both values (`$n` bound to
/// `name` beside a variable called `name`): renaming for typing never merges two.
#[test]
fn graphql_variables_never_merge() {
    let doc = r#"{"query":"query($n:String,$name:String){a(name:$n){id}}","variables":{"n":"Rosalind Thackeray","name":"active"}}"#;
    let out = deidentify(doc, ContentType::Json, "safe-harbor").text;
    let v: Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(
        v["variables"].as_object().map(|o| o.len()),
        Some(2),
        "{out}"
    );
    assert!(!out.contains("Thackeray"), "{out}");
}

/// Tables aligned by blanks in text (issue 13, J10): a cell under a header the field
/// rules know is typed, a name part's (`First`, `Last`) when it reads as a name, and the
/// next column stays under its header; a clinical table and prose with wide gaps are
/// read as before.
#[test]
fn aligned_tables_in_text_are_typed_by_their_header() {
    let note = "Roster\n\
                NAME              DOB         MRN      AGE\n\
                ines delacroix    1931-02-03  4410827  94\n\
                \n\
                First     Last         City\n\
                ----      ----         ----\n\
                zvezdana  vukovljevic  hampden\n\
                \n\
                Joint     ROM     Strength\n\
                Shoulder  120     4/5\n\
                Plan:  continue HEP  twice daily.\n";
    let out = deidentify(note, ContentType::Text, "safe-harbor");
    for phi in [
        "delacroix",
        "1931-02",
        "4410827",
        "zvezdana",
        "vukovljevic",
        "hampden",
        " 94",
    ] {
        assert!(!out.text.contains(phi), "{phi}: {}", out.text);
    }
    for kept in [
        "Joint     ROM     Strength\nShoulder  120     4/5\n",
        "Plan:  continue HEP  twice daily.",
    ] {
        assert!(out.text.contains(kept), "{kept}: {}", out.text);
    }
    // The date written shorter is padded: the MRN column stays under its header.
    let lines: Vec<&str> = out.text.lines().collect();
    let at = |line: &str, w: &str| line.find(w).map(|b| line[..b].chars().count());
    assert_eq!(at(lines[1], "MRN"), at(lines[2], "MRN_"), "{}", out.text);
}

/// Name parts as labels (J10): `First: Ines    Last: Delacroix` (two pairs laid out on one
/// line), `Surname:`, in any case; a kinship or a lab's last value under them stays.
#[test]
fn name_part_labels_and_pairs_laid_out_on_a_line() {
    let note = "Intake\nFirst: Ines    Last: Delacroix\nSurname: Vukovljevic\n\
                Given: zvezdana    Age: 52\nFamily: wife at bedside\nLast: 7.2\n";
    let out = deidentify(note, ContentType::Text, "safe-harbor");
    for phi in ["Ines", "Delacroix", "Vukovljevic", "zvezdana"] {
        assert!(!out.text.contains(phi), "{phi}: {}", out.text);
    }
    for kept in ["Family: wife at bedside", "Last: 7.2", "Age: 52"] {
        assert!(out.text.contains(kept), "{kept}: {}", out.text);
    }
}

/// SQL `UPDATE … SET` and `WHERE … = / IN (…)` values typed by their columns, as an
/// INSERT's are (J11); a status and a comparison stay.
#[test]
fn sql_updates_and_where_clauses_are_typed_by_column() {
    let sql = "UPDATE patients SET fname = 'zvezdana', zip = '01085', age = 93 \
               WHERE mrn = '4410827';\n\
               SELECT * FROM visits v WHERE v.lname IN ('vukovljevic', 'orsic') \
               AND status = 'done';\n";
    let out = deidentify(sql, ContentType::Text, "safe-harbor");
    for phi in [
        "zvezdana",
        "01085",
        "4410827",
        "vukovljevic",
        "orsic",
        "= 93",
    ] {
        assert!(!out.text.contains(phi), "{phi}: {}", out.text);
    }
    for kept in ["age = 90", "status = 'done'", "zip = '010'"] {
        assert!(out.text.contains(kept), "{kept}: {}", out.text);
    }
}

/// A YAML mapping's bare values typed by key as its quoted ones are (J11): a number stays
/// a number (`age: 90`), a date keeps its year; a note's capitalised labels are no YAML.
#[test]
fn yaml_bare_values_are_typed_by_key() {
    let yaml = "patient:\n  name: Ines Delacroix\n  age: 94\n  dob: 1961-08-23\n  \
                zip: 01085\n  status: active\n";
    let out = deidentify(yaml, ContentType::Text, "safe-harbor");
    for phi in ["Ines", "Delacroix", "08-23", "01085", "age: 94"] {
        assert!(!out.text.contains(phi), "{phi}: {}", out.text);
    }
    for kept in ["age: 90", "status: active", "dob: 1961", "zip: 010"] {
        assert!(out.text.contains(kept), "{kept}: {}", out.text);
    }
}

/// Other syntaxes quoted in a JSON string (red team 58, R17): a GraphQL operation's
/// arguments, an OData `$filter`, vCard and iCalendar content lines, each value typed by
/// its argument, property or parameter; a number stays a number, text stays text.
#[test]
fn graphql_odata_vcard_and_icalendar_in_json_strings_are_typed_by_key() {
    let input = json!({
        "graphql": {"query": "mutation { updatePatient(family: \"vukovljevic\", given: \"zvezdana\", zip: \"01085\", age: 93, status: ACTIVE) { id } }"},
        "odata": "$filter=LastName eq 'vukovljevic' and Zip eq '01085' and Age gt 93 and Status eq 'done'",
        "vcard": "BEGIN:VCARD\nVERSION:3.0\nFN:zvezdana vukovljevic\nN:vukovljevic;zvezdana;;;\nTEL;TYPE=cell,voice:413 555 01 72\nADR:;;4471 quarry hollow rd;ludlow;MA;01056;US\nBDAY:1930-03-12\nEND:VCARD",
        "ics": "BEGIN:VEVENT\nSUMMARY:OT eval\nATTENDEE;CN=Hope Walker:mailto:otter.lake.74@inbox.example\nORGANIZER;CN=\"Miles Ward\":mailto:mw@clinic.example\nEND:VEVENT"
    });
    let out = deidentify(&input.to_string(), ContentType::Json, "safe-harbor");
    for phi in [
        "vukovljevic",
        "zvezdana",
        "01085",
        "01056",
        "age: 93",
        "gt 93",
        "quarry hollow",
        "ludlow",
        "555 01 72",
        "03-12",
        "Hope Walker",
        "Miles Ward",
    ] {
        assert!(!out.text.contains(phi), "{phi}: {}", out.text);
    }
    let v: Value = serde_json::from_str(&out.text).expect("output is JSON");
    let query = v["graphql"]["query"].as_str().expect("query");
    assert!(
        query.contains("age: 90,"),
        "a number stays a number: {query}"
    );
    assert!(query.contains("status: ACTIVE"), "{query}");
    let odata = v["odata"].as_str().expect("odata");
    assert!(odata.contains("Age gt 90"), "{odata}");
    assert!(odata.contains("Status eq 'done'"), "{odata}");
    let vcard = v["vcard"].as_str().expect("vcard");
    assert!(
        vcard.contains(";MA;010;US"),
        "region and country kept: {vcard}"
    );
    assert!(vcard.contains("\nEND:VCARD"), "{vcard}");
    let ics = v["ics"].as_str().expect("ics");
    assert!(ics.contains("SUMMARY:OT eval\n"), "{ics}");
}

/// JSON keys (red team 58, P8, P10): a series keyed by day is written keyed by year with
/// the days kept apart, not refused; a field name in another language stays a field name
/// and types its value.
#[test]
fn date_keys_stay_apart_and_foreign_field_names_stay() {
    let input = r#"{"visits":{"2026-11-30":{"minutes":45},"2026-12-02":{"minutes":30}},
        "Vorname":"jurgen","Nachname":"weiss","Geburtsdatum":"23.08.1961","Wohnort":"berlin","PLZ":"10115"}"#;
    let out = deidentify(input, ContentType::Json, "safe-harbor");
    let v: Value = serde_json::from_str(&out.text).expect("output is JSON");
    let visits = v["visits"].as_object().expect("visits");
    assert_eq!(visits.len(), 2, "{}", out.text);
    assert!(
        !out.text.contains("11-30") && !out.text.contains("12-02"),
        "{}",
        out.text
    );
    for key in ["Vorname", "Nachname", "Geburtsdatum", "PLZ"] {
        assert!(v.get(key).is_some(), "{key}: {}", out.text);
    }
    for phi in ["jurgen", "weiss", "23.08"] {
        assert!(!out.text.contains(phi), "{phi}: {}", out.text);
    }
}

/// User names and name parts as keys and in text (red team 58, R19): a key that is a
/// person's name teaches the payload the name, so its parts and the user names made of it
/// go too.
#[test]
fn name_parts_and_user_names_made_of_a_name_key_go() {
    let input = r#"{"Rosalind Thackeray":{"seen":true},"by_patient":{"rthackeray":2,"rosalind":4,"visits":1},
        "log":"host rthackeray-laptop.clinic.local synced /users/rthackeray/notes"}"#;
    let out = deidentify(input, ContentType::Json, "safe-harbor");
    for phi in ["rthackeray", "rosalind", "Rosalind", "Thackeray"] {
        assert!(!out.text.contains(phi), "{phi}: {}", out.text);
    }
    let v: Value = serde_json::from_str(&out.text).expect("output is JSON");
    assert_eq!(v["by_patient"]["visits"], json!(1), "{}", out.text);
    assert_eq!(v["by_patient"].as_object().map(|o| o.len()), Some(3));
}

/// Numbers that are sets, reps and pounds are no date (red team 58, P2), a date written as
/// numbers with its year whole is; base64 padding is no form (P9).
#[test]
fn digit_groups_with_a_short_year_stay_and_base64_padding_stays() {
    let input =
        r#"{"sets_reps_lbs":[3,10,12],"born":[8,23,1961],"blob":"Z3JpcCBzdHJlbmd0aCBvaw=="}"#;
    let out = deidentify(input, ContentType::Json, "safe-harbor");
    let v: Value = serde_json::from_str(&out.text).expect("output is JSON");
    assert_eq!(v["sets_reps_lbs"], json!([3, 10, 12]), "{}", out.text);
    assert_ne!(v["born"][1], json!(23), "{}", out.text);
    assert_eq!(v["blob"], json!("Z3JpcCBzdHJlbmd0aCBvaw=="), "{}", out.text);
}

/// A code field keeps a value only while it reads as a code (red team 68): names joined
/// by punctuation or with digits glued on, a month among digits, a street line run
/// together, and keys that glue a value to their label are read, while the codes of
/// ordinary words and numbers stay as written.
#[test]
fn code_fields_read_joined_names_dates_and_streets_and_keep_real_codes() {
    let body = json!({
        "code": "Orsolya-Brankovic", "status": "Orsolya417", "gender": "(Brankovic)",
        "language": "Brankovic:Orsolya", "unit": "14Mar1961", "system": "42-Quarry-Hollow-Rd",
        "ssn_078-05-1120": 5, "phone6175550143": 1,
    });
    let out = deidentify(&body.to_string(), ContentType::Json, "safe-harbor").text;
    for leaked in [
        "Orsolya",
        "Brankovic",
        "14Mar1961",
        "Quarry",
        "078-05-1120",
        "6175550143",
    ] {
        assert!(!out.contains(leaked), "{leaked} in {out}");
    }
    let codes = json!({
        "status": "entered-in-error", "category": "vital-signs", "language": "en-US",
        "system": "ICD-10-CM", "code": "8480-6", "unit": "mg/dL",
    });
    let out = deidentify(&codes.to_string(), ContentType::Json, "safe-harbor").text;
    let out: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(out, codes, "codes stay as written");
}

/// A given name and a surname side by side are one person: the user names made of them are
/// found in the payload's other values (red team 68).
#[test]
fn user_names_of_a_given_name_and_surname_side_by_side_are_found_in_other_values() {
    let body = json!({
        "patient": {"first_name": "Orsolya", "last_name": "Brankovic"},
        "login": "obrankovic", "created_by": "orsolya.brankovic", "tag": "brankovico",
        "status": "active",
    });
    let out = deidentify(&body.to_string(), ContentType::Json, "safe-harbor").text;
    for leaked in ["orsolya", "brankovic"] {
        assert!(!out.to_lowercase().contains(leaked), "{leaked} in {out}");
    }
    assert!(out.contains(r#""status":"active""#), "{out}");
}
