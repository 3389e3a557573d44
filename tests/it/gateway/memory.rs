//! Issue 13, item 4, patient memory through the real gateway: a FHIR Patient teaches the
//! vault who the patient is; a later Observation that only refers to them, and an HL7
//! message with only their MRN, have the patient's name scrubbed from their free text
//! (lower case, no cue); `vault forget` removes the memory's rows from the store.

use std::path::Path;

use phigate::vault::SledVault;

use super::super::gw_harness::{client, post, send};
use super::{setup, EMR};

const FHIR: (&str, &str) = ("content-type", "application/fhir+json");
const ER7: (&str, &str) = ("content-type", "x-application/hl7-v2+er7");

/// A synthetic patient (made up for this test).
fn patient() -> String {
    serde_json::json!({
        "resourceType": "Patient", "id": "pt-ines-7",
        "identifier": [{"type": {"coding": [{"code": "MR"}]}, "value": "MRX-48213"}],
        "name": [{"family": "Delacroix-Ibáñez", "given": ["Inès"]}],
        "telecom": [{"system": "phone", "value": "(413) 555-0187"}],
        "address": [{"line": ["14 Rue Lafayette"], "city": "Holyoke", "postalCode": "01040"}],
        "birthDate": "1979-11-23"
    })
    .to_string()
}

/// An Observation naming the patient only by reference, its note in lower case.
fn observation(note: &str) -> String {
    serde_json::json!({
        "resourceType": "Observation", "id": "obs-1", "status": "final",
        "subject": {"reference": "Patient/pt-ines-7"},
        "note": [{"text": note}]
    })
    .to_string()
}

/// An ORU whose PID has the MRN and nothing else of the patient.
fn oru(obx: &str) -> String {
    [
        "MSH|^~\\&|EMR|CLINIC|GW|CLINIC|20250301120000||ORU^R01|MSG00031|P|2.5.1",
        "PID|1||MRX-48213^^^CLINIC^MR",
        "OBR|1||ORD-77|97165^OT EVAL^CPT",
        &format!("OBX|1|TX|NOTE^Note||{obx}||||||F"),
    ]
    .join("\r")
}

fn master(dir: &Path) -> phigate::keys::MasterKey {
    phigate::keys::read_master_key(&dir.join("master.key")).expect("master key")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_patient_is_remembered_across_payloads_and_forgotten_with_the_vault() {
    let s = setup("").await;
    let c = client(&s.pki.ca_pem(), None);
    let api = format!("{}/v1/deidentify", s.base);

    // The EMR's structured patient data.
    let a = send(&c, post(&api, &[EMR, FHIR], patient()))
        .await
        .expect("patient");
    assert_eq!(a.status, 200, "{}", a.body);
    assert!(!a.body.contains("Delacroix"), "{}", a.body);

    // Later: only a reference to the patient, and her first name in lower case.
    let note = "spoke with ines re: splint; ibanez family to call 4135550187. \
                Grip 42 lb, pain eased.";
    let a = send(&c, post(&api, &[EMR, FHIR], observation(note)))
        .await
        .expect("observation");
    assert_eq!(a.status, 200, "{}", a.body);
    let out = a.body.to_lowercase();
    for phi in ["ines", "ibanez", "4135550187"] {
        assert!(!out.contains(phi), "{phi} left in {}", a.body);
    }
    assert!(a.body.contains("spoke with NAME_"), "{}", a.body);
    assert!(
        a.body.contains("Grip 42 lb, pain eased."),
        "the clinical text stays: {}",
        a.body
    );

    // An HL7 result with the same MRN and the surname in its free text.
    let a = send(
        &c,
        post(
            &api,
            &[EMR, ER7],
            oru("splint fitted; delacroix to return in 2 wk"),
        ),
    )
    .await
    .expect("oru");
    assert_eq!(a.status, 200, "{}", a.body);
    assert!(!a.body.to_lowercase().contains("delacroix"), "{}", a.body);
    assert!(a.body.contains("splint fitted; NAME_"), "{}", a.body);

    let dir = s._dir.path().to_path_buf();
    assert!(s.gw.stop().success());
    let vault = dir.join("vault");
    {
        let v = SledVault::open_existing(&vault, &master(&dir)).expect("open vault");
        let rows = v.memory_rows("Patient/pt-ines-7").expect("rows");
        assert!(rows > 20, "the patient's forms and two links: {rows}");
        assert_eq!(v.memory_rows("MRN:MRX-48213").expect("rows"), rows);
        assert_eq!(
            v.memory_len(),
            rows + 2,
            "links and back links, one patient"
        );
    }

    let forgot = super::super::support::run(
        &[
            "vault",
            "forget",
            "--vault",
            vault.to_str().expect("path"),
            "--key-file",
            dir.join("master.key").to_str().expect("path"),
            "--patient",
            "Patient/pt-ines-7",
        ],
        b"",
    );
    assert!(
        forgot.status.success(),
        "{}",
        String::from_utf8_lossy(&forgot.stderr)
    );
    let v = SledVault::open_existing(&vault, &master(&dir)).expect("open vault");
    assert_eq!(v.memory_rows("MRN:MRX-48213").expect("rows"), 0);
    assert_eq!(v.memory_len(), 0, "no memory row is left");
}
