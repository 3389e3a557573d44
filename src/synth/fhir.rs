//! FHIR R4 Bundles (transaction or collection) with Patient, RelatedPerson, Encounter,
//! Observation, Condition, Procedure, Coverage, Claim, DocumentReference (base64 note),
//! QuestionnaireResponse, Communication and Device resources, all about one invented patient.

use base64::Engine;

use crate::phi::PhiType as T;

use super::doc::{k, kn, n, obj, p, phi_values, plain, reference, s, Segs, J};
use super::gen::Gen;
use super::text::{expand, note, short_note, Persona};
use super::words;

const CPT_SYSTEM: &str = "http://www.ama-assn.org/go/cpt";
const ICD_SYSTEM: &str = "http://hl7.org/fhir/sid/icd-10-cm";

/// A generated bundle: its JSON tree and the PHI inside base64 attachments.
pub struct Bundle {
    /// The Bundle resource.
    pub json: J,
    /// PHI values inside base64 attachment data (not addressable as spans).
    pub embedded: Vec<(T, String)>,
}

/// Context for one bundle: generator, persona and the patient's resource id.
struct Ctx<'a> {
    g: &'a mut Gen,
    who: Persona,
    pid: String,
    embedded: Vec<(T, String)>,
}

impl Ctx<'_> {
    fn subject(&self) -> J {
        obj(vec![("reference", reference("Patient", &self.pid))])
    }

    fn coding(system: &str, kind: &'static str, code: &str, display: &str) -> J {
        obj(vec![(
            "coding",
            J::Arr(vec![obj(vec![
                ("system", s(system)),
                ("code", k(kind, code)),
                ("display", s(display)),
            ])]),
        )])
    }

    fn free_text(&mut self, template: &str) -> J {
        J::Str(expand(self.g, &self.who, template))
    }

    fn patient(&mut self) -> J {
        let g = &mut *self.g;
        let w = &self.who;
        let mut ids = vec![obj(vec![
            ("use", s("usual")),
            (
                "type",
                obj(vec![(
                    "coding",
                    J::Arr(vec![obj(vec![
                        ("system", s("http://terminology.hl7.org/CodeSystem/v2-0203")),
                        ("code", s("MR")),
                    ])]),
                )]),
            ),
            ("system", s("urn:oid:2.16.840.1.113883.3.7421")),
            ("value", p(T::Mrn, g.mrn())),
        ])];
        if g.chance(0.4) {
            ids.push(obj(vec![
                ("system", s("http://hl7.org/fhir/sid/us-ssn")),
                ("value", p(T::Ssn, g.ssn())),
            ]));
        }
        if g.chance(0.3) {
            ids.push(obj(vec![
                ("system", s("urn:oid:2.16.840.1.113883.4.3.17")),
                ("value", p(T::License, g.license_number())),
            ]));
        }
        let mut telecom = vec![obj(vec![
            ("system", s("phone")),
            ("value", p(T::Phone, g.phone())),
            ("use", s(g.pick(&["home", "mobile", "work"]))),
        ])];
        if g.chance(0.6) {
            telecom.push(obj(vec![
                ("system", s("email")),
                ("value", p(T::Email, g.email())),
            ]));
        }
        if g.chance(0.3) {
            telecom.push(obj(vec![
                ("system", s("fax")),
                ("value", p(T::Fax, g.fax())),
            ]));
        }
        let (mcode, mdisp) = g.pick(&[("M", "Married"), ("S", "Never Married"), ("W", "Widowed")]);
        let mut fields = vec![
            ("resourceType", s("Patient")),
            ("id", p(T::Id, self.pid.clone())),
            ("identifier", J::Arr(ids)),
            ("active", J::Bool(true)),
            (
                "name",
                J::Arr(vec![obj(vec![
                    ("use", s("official")),
                    ("family", p(T::Name, &w.last)),
                    ("given", J::Arr(vec![p(T::Name, &w.first)])),
                ])]),
            ),
            ("telecom", J::Arr(telecom)),
            ("gender", s(if w.female { "female" } else { "male" })),
            ("birthDate", p(T::Date, g.date_iso(1925, 2005))),
            (
                "address",
                J::Arr(vec![obj(vec![
                    ("use", s("home")),
                    ("line", J::Arr(vec![p(T::Address, &w.street)])),
                    ("city", p(T::Location, &w.city)),
                    ("state", s(&w.state)),
                    ("postalCode", p(T::Zip, &w.zip)),
                ])]),
            ),
            (
                "maritalStatus",
                obj(vec![(
                    "coding",
                    J::Arr(vec![obj(vec![
                        (
                            "system",
                            s("http://terminology.hl7.org/CodeSystem/v3-MaritalStatus"),
                        ),
                        ("code", s(mcode)),
                        ("display", s(mdisp)),
                    ])]),
                )]),
            ),
        ];
        if g.chance(0.5) {
            fields.push((
                "contact",
                J::Arr(vec![obj(vec![
                    ("relationship", J::Arr(vec![obj(vec![("text", s(w.rel))])])),
                    (
                        "name",
                        obj(vec![
                            ("family", p(T::Name, &w.rel_last)),
                            ("given", J::Arr(vec![p(T::Name, &w.rel_first)])),
                        ]),
                    ),
                    (
                        "telecom",
                        J::Arr(vec![obj(vec![
                            ("system", s("phone")),
                            ("value", p(T::Phone, g.phone())),
                        ])]),
                    ),
                ])]),
            ));
        }
        obj(fields)
    }

    fn related_person(&mut self, id: &str) -> J {
        let phone = self.g.phone();
        let w = &self.who;
        obj(vec![
            ("resourceType", s("RelatedPerson")),
            ("id", p(T::Id, id)),
            ("patient", self.subject()),
            ("relationship", J::Arr(vec![obj(vec![("text", s(w.rel))])])),
            (
                "name",
                J::Arr(vec![obj(vec![
                    ("family", p(T::Name, &w.rel_last)),
                    ("given", J::Arr(vec![p(T::Name, &w.rel_first)])),
                ])]),
            ),
            (
                "telecom",
                J::Arr(vec![obj(vec![
                    ("system", s("phone")),
                    ("value", p(T::Phone, phone)),
                ])]),
            ),
        ])
    }

    fn encounter(&mut self, id: &str) -> J {
        let (start, end) = (self.g.datetime_iso(), self.g.datetime_iso());
        let w = &self.who;
        obj(vec![
            ("resourceType", s("Encounter")),
            ("id", p(T::Id, id)),
            ("status", s("finished")),
            (
                "class",
                obj(vec![
                    (
                        "system",
                        s("http://terminology.hl7.org/CodeSystem/v3-ActCode"),
                    ),
                    ("code", s("AMB")),
                ]),
            ),
            (
                "subject",
                obj(vec![
                    ("reference", reference("Patient", &self.pid)),
                    ("display", p(T::Name, format!("{} {}", w.first, w.last))),
                ]),
            ),
            (
                "participant",
                J::Arr(vec![obj(vec![(
                    "individual",
                    obj(vec![("display", p(T::ProviderName, &w.ot))]),
                )])]),
            ),
            (
                "period",
                obj(vec![("start", p(T::Date, start)), ("end", p(T::Date, end))]),
            ),
            (
                "serviceProvider",
                obj(vec![("display", p(T::Location, &w.facility))]),
            ),
        ])
    }

    fn observation(&mut self, id: &str) -> J {
        let (label, value, unit, code) = match self.g.range(0, 2) {
            0 => ("Grip strength", self.g.range(8, 85), "lb", "[lb_av]"),
            1 => ("Nine-hole peg test", self.g.range(17, 60), "s", "s"),
            _ => (
                "Shoulder flexion active range",
                self.g.range(60, 170),
                "deg",
                "deg",
            ),
        };
        let when = self.g.datetime_iso();
        let note = self.free_text(
            "Measured by {ot}. {first} reports less pain; {Pos} {rel} {relfirst} present. {grip}.",
        );
        obj(vec![
            ("resourceType", s("Observation")),
            ("id", p(T::Id, id)),
            ("status", s("final")),
            ("code", obj(vec![("text", s(label))])),
            ("subject", self.subject()),
            ("effectiveDateTime", p(T::Date, when)),
            (
                "valueQuantity",
                obj(vec![
                    ("value", kn("measurement", value)),
                    ("unit", s(unit)),
                    ("system", s("http://unitsofmeasure.org")),
                    ("code", s(code)),
                ]),
            ),
            ("note", J::Arr(vec![obj(vec![("text", note)])])),
        ])
    }

    fn condition(&mut self, id: &str) -> J {
        let (code, desc) = self.g.pick(words::ICD10);
        let onset = self.g.date_iso(2018, 2025);
        obj(vec![
            ("resourceType", s("Condition")),
            ("id", p(T::Id, id)),
            ("code", Self::coding(ICD_SYSTEM, "icd10", code, desc)),
            ("subject", self.subject()),
            ("onsetDateTime", p(T::Date, onset)),
        ])
    }

    fn procedure(&mut self, id: &str) -> J {
        let (code, desc) = self.g.pick(words::CPT);
        let when = self.g.datetime_iso();
        obj(vec![
            ("resourceType", s("Procedure")),
            ("id", p(T::Id, id)),
            ("status", s("completed")),
            ("code", Self::coding(CPT_SYSTEM, "cpt", code, desc)),
            ("subject", self.subject()),
            ("performedDateTime", p(T::Date, when)),
            (
                "performer",
                J::Arr(vec![obj(vec![(
                    "actor",
                    obj(vec![("display", p(T::ProviderName, &self.who.ot))]),
                )])]),
            ),
        ])
    }

    fn coverage(&mut self, id: &str) -> J {
        let plan = self.g.health_plan_id();
        let payor = self
            .g
            .pick(&["Medicare Part B", "Acme Health Plan", "State Medicaid"]);
        obj(vec![
            ("resourceType", s("Coverage")),
            ("id", p(T::Id, id)),
            ("status", s("active")),
            ("subscriberId", p(T::HealthPlan, plan)),
            ("beneficiary", self.subject()),
            ("payor", J::Arr(vec![obj(vec![("display", s(payor))])])),
        ])
    }

    fn claim(&mut self, id: &str, coverage_id: &str) -> J {
        let (cpt, cpt_desc) = self.g.pick(words::CPT);
        let (icd, icd_desc) = self.g.pick(words::ICD10);
        let acct = self.g.account_number();
        let (created, served) = (self.g.date_iso(2019, 2025), self.g.date_iso(2019, 2025));
        let units = self.g.range(1, 4);
        obj(vec![
            ("resourceType", s("Claim")),
            ("id", p(T::Id, id)),
            ("status", s("active")),
            ("use", s("claim")),
            (
                "identifier",
                J::Arr(vec![obj(vec![
                    ("system", s("urn:oid:2.16.840.1.113883.3.7421.4")),
                    ("value", p(T::Account, acct)),
                ])]),
            ),
            ("patient", self.subject()),
            ("created", p(T::Date, created)),
            (
                "provider",
                obj(vec![("display", p(T::ProviderName, &self.who.prov))]),
            ),
            (
                "diagnosis",
                J::Arr(vec![obj(vec![
                    ("sequence", n(1)),
                    (
                        "diagnosisCodeableConcept",
                        Self::coding(ICD_SYSTEM, "icd10", icd, icd_desc),
                    ),
                ])]),
            ),
            (
                "insurance",
                J::Arr(vec![obj(vec![
                    ("sequence", n(1)),
                    ("focal", J::Bool(true)),
                    (
                        "coverage",
                        obj(vec![("reference", reference("Coverage", coverage_id))]),
                    ),
                ])]),
            ),
            (
                "item",
                J::Arr(vec![obj(vec![
                    ("sequence", n(1)),
                    (
                        "productOrService",
                        Self::coding(CPT_SYSTEM, "cpt", cpt, cpt_desc),
                    ),
                    ("servicedDate", p(T::Date, served)),
                    ("quantity", obj(vec![("value", kn("units", units))])),
                ])]),
            ),
        ])
    }

    fn document_reference(&mut self, id: &str) -> J {
        let segs = note(self.g, &self.who);
        self.embedded.extend(phi_values(&segs));
        let data = base64::engine::general_purpose::STANDARD.encode(plain(&segs));
        let when = self.g.datetime_iso();
        obj(vec![
            ("resourceType", s("DocumentReference")),
            ("id", p(T::Id, id)),
            ("status", s("current")),
            ("subject", self.subject()),
            ("date", p(T::Date, when)),
            (
                "author",
                J::Arr(vec![obj(vec![(
                    "display",
                    p(T::ProviderName, &self.who.ot),
                )])]),
            ),
            ("description", s("OT progress note")),
            (
                "content",
                J::Arr(vec![obj(vec![(
                    "attachment",
                    obj(vec![
                        ("contentType", s("text/plain")),
                        ("data", s(data)),
                        ("title", s("ot-note.txt")),
                    ]),
                )])]),
            ),
        ])
    }

    fn questionnaire_response(&mut self, id: &str) -> J {
        let when = self.g.datetime_iso();
        let answers = [
            ("Emergency contact", "{relfull}, {phone}"),
            ("Home address", "{street}, {city}, {state} {zip}"),
            (
                "Describe your goals",
                "I am {age90} and want to cook for my {rel} again.",
            ),
            ("Preferred pharmacy fax", "{fax}"),
        ];
        let items: Vec<J> = answers
            .iter()
            .enumerate()
            .map(|(i, (q, a))| {
                let answer = J::Str(expand(self.g, &self.who, a));
                obj(vec![
                    ("linkId", s((i + 1).to_string())),
                    ("text", s(*q)),
                    ("answer", J::Arr(vec![obj(vec![("valueString", answer)])])),
                ])
            })
            .collect();
        obj(vec![
            ("resourceType", s("QuestionnaireResponse")),
            ("id", p(T::Id, id)),
            ("status", s("completed")),
            ("subject", self.subject()),
            ("authored", p(T::Date, when)),
            ("item", J::Arr(items)),
        ])
    }

    fn communication(&mut self, id: &str) -> J {
        let when = self.g.datetime_iso();
        let k_sent = self.g.range(2, 4) as usize;
        let text: Segs = short_note(self.g, &self.who, k_sent);
        obj(vec![
            ("resourceType", s("Communication")),
            ("id", p(T::Id, id)),
            ("status", s("completed")),
            ("subject", self.subject()),
            ("sent", p(T::Date, when)),
            (
                "payload",
                J::Arr(vec![obj(vec![("contentString", J::Str(text))])]),
            ),
        ])
    }

    fn device(&mut self, id: &str) -> J {
        let serial = self.g.device_serial();
        let name = self
            .g
            .pick(&["TENS unit", "activity tracker", "pulse oximeter"]);
        obj(vec![
            ("resourceType", s("Device")),
            ("id", p(T::Id, id)),
            ("serialNumber", p(T::Device, serial)),
            (
                "deviceName",
                J::Arr(vec![obj(vec![
                    ("name", s(name)),
                    ("type", s("user-friendly-name")),
                ])]),
            ),
            ("patient", self.subject()),
        ])
    }
}

/// Resource kinds after the Patient, with their inclusion probability and id prefix.
const OPTIONAL: &[(&str, f64, &str)] = &[
    ("RelatedPerson", 0.5, "rp"),
    ("Encounter", 0.8, "enc"),
    ("Observation", 0.7, "obs"),
    ("Condition", 0.7, "cond"),
    ("Procedure", 0.6, "proc"),
    ("Coverage", 0.7, "cov"),
    ("Claim", 0.5, "claim"),
    ("DocumentReference", 0.4, "doc"),
    ("QuestionnaireResponse", 0.4, "qr"),
    ("Communication", 0.5, "comm"),
    ("Device", 0.35, "dev"),
];

/// One bundle about one invented patient.
pub fn bundle(g: &mut Gen) -> Bundle {
    let who = Persona::new(g);
    let pid = g.resource_id("pat");
    let transaction = g.chance(0.5);
    let mut cx = Ctx {
        g,
        who,
        pid,
        embedded: Vec::new(),
    };
    let mut entries = vec![("Patient", cx.patient(), cx.pid.clone())];
    let coverage_id = cx.g.resource_id("cov");
    for (kind, prob, prefix) in OPTIONAL {
        if !cx.g.chance(*prob) {
            continue;
        }
        let id = if *kind == "Coverage" {
            coverage_id.clone()
        } else {
            cx.g.resource_id(prefix)
        };
        let res = resource(&mut cx, kind, &id, &coverage_id);
        entries.push((kind, res, id));
    }
    let entry: Vec<J> = entries
        .into_iter()
        .map(|(kind, res, id)| entry(&mut cx, kind, res, &id, transaction))
        .collect();
    let bundle_id = cx.g.uuid();
    let stamp = cx.g.datetime_iso();
    let json = obj(vec![
        ("resourceType", s("Bundle")),
        ("id", p(T::Id, bundle_id)),
        (
            "type",
            s(if transaction {
                "transaction"
            } else {
                "collection"
            }),
        ),
        ("timestamp", p(T::Date, stamp)),
        ("entry", J::Arr(entry)),
    ]);
    Bundle {
        json,
        embedded: cx.embedded,
    }
}

fn resource(cx: &mut Ctx<'_>, kind: &str, id: &str, coverage_id: &str) -> J {
    match kind {
        "RelatedPerson" => cx.related_person(id),
        "Encounter" => cx.encounter(id),
        "Observation" => cx.observation(id),
        "Condition" => cx.condition(id),
        "Procedure" => cx.procedure(id),
        "Coverage" => cx.coverage(id),
        "Claim" => cx.claim(id, coverage_id),
        "DocumentReference" => cx.document_reference(id),
        "QuestionnaireResponse" => cx.questionnaire_response(id),
        "Communication" => cx.communication(id),
        _ => cx.device(id),
    }
}

fn entry(cx: &mut Ctx<'_>, kind: &str, res: J, id: &str, transaction: bool) -> J {
    let uuid = cx.g.uuid();
    let mut fields = vec![
        (
            "fullUrl",
            J::Str(vec![
                super::doc::lit("urn:uuid:"),
                super::doc::phi(T::Id, uuid),
            ]),
        ),
        ("resource", res),
    ];
    if transaction {
        fields.push((
            "request",
            obj(vec![("method", s("PUT")), ("url", reference(kind, id))]),
        ));
    }
    obj(fields)
}
