//! Patient memory through the engine with a real sled vault on disk (issue 13, item 4):
//! what a FHIR Patient, an HL7 PID, an X12 patient loop or a CSV row teaches is scrubbed
//! from the same patient's later payloads of every format (a FHIR reference, an identifier
//! on a reference, a PID-3, a member ID, an MRN column, an MRN in a note), and only theirs;
//! forms that are also words need evidence; nothing is written for a patient already
//! remembered. All names and numbers are made up.

use phigate::engine::{ContentType, Engine};
use phigate::keys::MasterKey;
use phigate::memory::{Level, Remembered};
use phigate::phi::PhiType;
use phigate::transform::token::TokenStore;
use phigate::vault::SledVault;

use super::support::engine;

struct Vault {
    _dir: tempfile::TempDir,
    vault: SledVault,
    master: MasterKey,
}

impl Vault {
    fn new() -> Vault {
        let dir = tempfile::tempdir().expect("tempdir");
        let master = MasterKey::from_bytes([17; 32]);
        let vault = SledVault::open(dir.path(), &master).expect("vault");
        Vault {
            _dir: dir,
            vault,
            master,
        }
    }

    fn run_with(&self, e: &Engine, body: &str, ct: ContentType) -> String {
        let t = e.transformer(
            e.policy("safe-harbor").expect("policy"),
            &self.vault,
            &self.master,
        );
        let mut scratch = e.detector.scratch();
        e.deidentify(body.as_bytes(), ct, &t, &mut scratch)
            .expect("de-identifies")
            .text
    }

    fn run(&self, body: &str, ct: ContentType) -> String {
        self.run_with(engine(), body, ct)
    }
}

fn patient(id: &str, mrn: &str, family: &str, given: &[&str]) -> String {
    serde_json::json!({
        "resourceType": "Patient", "id": id,
        "identifier": [{"value": mrn}],
        "name": [{"family": family, "given": given}],
        "telecom": [{"system": "phone", "value": "(413) 555-0187"}],
        "birthDate": "1979-11-23",
        "contact": [{"name": {"family": "Quennell", "given": ["Tobiah"]}}]
    })
    .to_string()
}

fn observation(subject: serde_json::Value, note: &str) -> String {
    serde_json::json!({
        "resourceType": "Observation", "id": "o1", "status": "final",
        "subject": subject, "note": [{"text": note}]
    })
    .to_string()
}

fn assert_gone(out: &str, phi: &[&str]) {
    let lower = out.to_lowercase();
    for p in phi {
        assert!(!lower.contains(&p.to_lowercase()), "{p} left in {out}");
    }
}

#[test]
fn a_reference_or_an_identifier_on_it_recalls_the_patient() {
    let v = Vault::new();
    v.run(
        &patient("pt-9", "MRX-55120", "Delacroix", &["Inès", "Marguerite"]),
        ContentType::FhirJson,
    );
    let note = "spoke with ines re: splint. marguerite delacroix's phone 413.555.0187; \
                dob 11/23/1979, seen 2 wk ago.";
    let by_ref = v.run(
        &observation(serde_json::json!({"reference": "Patient/pt-9"}), note),
        ContentType::FhirJson,
    );
    assert_gone(
        &by_ref,
        &["ines", "marguerite", "delacroix", "555.0187", "11/23/1979"],
    );
    assert!(by_ref.contains("spoke with NAME_"), "{by_ref}");
    assert!(by_ref.contains("seen 2 wk ago"), "{by_ref}");
    let by_id = v.run(
        &observation(
            serde_json::json!({"identifier": {"value": "mrx-55120"}}),
            "ines tolerated the splint",
        ),
        ContentType::FhirJson,
    );
    assert_gone(&by_id, &["ines"]);
    // The Patient's contact is not the patient: not remembered as hers.
    let m = v
        .vault
        .open_memory(&["Patient/pt-9"])
        .expect("open")
        .expect("kept");
    let held = |form: &str| {
        let r = Remembered {
            ty: PhiType::Name,
            level: Level::Beside,
        };
        m.missing_hashes(&[(m.hash(form), r)]).is_empty()
    };
    assert!(held("ines") && held("delacroix") && held("marguerite delacroix"));
    assert!(!held("tobiah") && !held("quennell"));
}

#[test]
fn an_hl7_pid_teaches_and_a_later_pid_3_recalls() {
    let v = Vault::new();
    let adt = [
        "MSH|^~\\&|EMR|CLINIC|GW|CLINIC|20250301120000||ADT^A04|M1|P|2.5.1",
        "PID|1||MRX-60611^^^CLINIC^MR||IBÁÑEZ^PÁDRAIG^^^^^L||19620214|M|||7 Hauptstrasse^^Easthampton^MA^01027||(413)555-0142",
    ]
    .join("\r");
    v.run(&adt, ContentType::Hl7);
    let mdm = [
        "MSH|^~\\&|EMR|CLINIC|GW|CLINIC|20250302120000||MDM^T02|M2|P|2.5.1",
        "PID|1||MRX-60611^^^CLINIC^MR",
        "OBX|1|TX|NOTE^Note||padraig ibanez lives at 7 hauptstrasse, born 02/14/1962||||||F",
    ]
    .join("\r");
    let out = v.run(&mdm, ContentType::Hl7);
    assert_gone(&out, &["padraig", "ibanez", "hauptstrasse", "02/14/1962"]);
}

#[test]
fn claims_tables_and_notes_recall_their_patient() {
    let v = Vault::new();
    v.run(
        &patient("pt-3", "MRX-70707", "Okonkwo-Laurier", &["Chidinma"]),
        ContentType::FhirJson,
    );
    // A note naming the patient by MRN, the rest lower case.
    let note = v.run(
        "MRN MRX-70707: chidinma reports less pain; laurier family supportive.",
        ContentType::Text,
    );
    assert_gone(&note, &["chidinma", "laurier"]);
    // A table with an MRN column.
    let csv = v.run(
        "mrn,note\nMRX-70707,chidinma okonkwo did well\nMRX-00001,chidinma is a word here\n",
        ContentType::Csv,
    );
    let rows: Vec<&str> = csv.lines().collect();
    assert!(!rows[1].to_lowercase().contains("chidinma"), "{csv}");
    assert!(
        rows[2].contains("is a word here"),
        "another patient's row is not searched with her memory: {csv}"
    );
}

#[test]
fn words_nicknames_and_initials_need_evidence() {
    let v = Vault::new();
    v.run(
        &patient("pt-5", "MRX-80808", "Rose", &["William"]),
        ContentType::FhirJson,
    );
    let subject = serde_json::json!({"reference": "Patient/pt-5"});
    let plain = "BP rose after exercise. Will follow up; OT plan unchanged, 5 ml given.";
    let out = v.run(&observation(subject.clone(), plain), ContentType::FhirJson);
    assert!(out.contains(plain), "nothing here is the patient: {out}");
    let named = "Met with Bill Rose and his wife; W.R. agreed. Spoke to Bill later.";
    let out = v.run(&observation(subject, named), ContentType::FhirJson);
    assert_gone(&out, &["bill", "rose", "w.r"]);
    assert!(out.contains("and his wife"), "{out}");
}

#[test]
fn a_remembered_patient_costs_no_write_and_memory_can_be_switched_off() {
    let v = Vault::new();
    let p = patient("pt-7", "MRX-90909", "Vasquez-Thorne", &["Anneliese"]);
    v.run(&p, ContentType::FhirJson);
    let rows = v.vault.memory_len();
    assert!(rows > 10, "{rows}");
    v.run(&p, ContentType::FhirJson);
    assert_eq!(v.vault.memory_len(), rows, "nothing new to remember");

    let mut off = Engine::build(&phigate::patterns::Patterns::builtin()).expect("engine");
    off.patient_memory = false;
    let other = Vault::new();
    other.run_with(&off, &p, ContentType::FhirJson);
    assert_eq!(
        other.vault.memory_len(),
        0,
        "switched off: nothing remembered"
    );
}

/// An 837P with one subscriber (the patient) and a claim note.
fn claim(nm1: &str, note: &str) -> String {
    super::x12::interchange(
        super::x12::ISA_837,
        "GS*HC*PHIGATETEST*TESTCLEARING*20250115*1030*101*X*005010X222A1",
        "ST*837*0001*005010X222A1",
        &[
            "BHT*0019*00*OTBATCH0001*20250115*1030*CH",
            "NM1*41*2*SUNRISE HAND THERAPY*****46*TESTSUB01",
            "PER*IC*BILLING OFFICE*TE*5555550100",
            "NM1*40*2*TEST CLEARINGHOUSE*****46*TESTCH01",
            "HL*1**20*1",
            "NM1*85*2*SUNRISE HAND THERAPY*****XX*1234567893",
            "N3*100 MAIN ST",
            "N4*SPRINGFIELD*IL*627010000",
            "REF*EI*123456789",
            "HL*2*1*22*0",
            "SBR*P*18*GRP55120******CI",
            nm1,
            "NM1*PR*2*TEST COMMERCIAL PLAN*****PI*99999",
            "CLM*ACCT77120443*250***11:B:1*Y*A*Y*Y",
            note,
            "LX*1",
            "SV1*HC:97530:GO*100*UN*2***1",
            "DTP*472*D8*20250114",
        ],
        "",
    )
}

#[test]
fn a_claims_member_id_recalls_the_subscriber() {
    let v = Vault::new();
    v.run(
        &claim(
            "NM1*IL*1*HALVORSEN*ELIZABETH****MI*WXQ00011",
            "NTE*ADD*FIRST VISIT",
        ),
        ContentType::X12,
    );
    // The next claim's loop names her by member ID; its note by nickname and surname.
    let out = v.run(
        &claim(
            "NM1*IL*1*H*E****MI*WXQ00011",
            "NTE*ADD*spoke with halvorsen re splint; Betsy will call",
        ),
        ContentType::X12,
    );
    assert_gone(&out, &["betsy", "halvorsen"]);
    assert!(out.contains("re splint; NAME_"), "{out}");
    assert!(out.contains(" will call"), "{out}");
}
