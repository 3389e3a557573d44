//! Generic EMR-style JSON webhook payloads with varied key spellings (`first_name`,
//! `firstName`, `FIRST-NAME`, `FirstName`), a free-text `note` and a billing block.

use crate::phi::PhiType as T;

use super::doc::{k, kn, obj, p, s, J};
use super::gen::Gen;
use super::text::{short_note, Persona};
use super::words;

/// How a payload spells multi-word keys.
#[derive(Clone, Copy, Default)]
enum Style {
    #[default]
    Snake,
    Camel,
    UpperKebab,
    Pascal,
}

/// Joins key words in a style: ["first", "name"] → first_name / firstName / FIRST-NAME / FirstName.
fn key(style: Style, parts: &[&str]) -> String {
    match style {
        Style::Snake => parts.join("_"),
        Style::UpperKebab => parts.join("-").to_ascii_uppercase(),
        Style::Camel | Style::Pascal => parts
            .iter()
            .enumerate()
            .map(|(i, w)| {
                if i == 0 && matches!(style, Style::Camel) {
                    w.to_string()
                } else {
                    capitalise(w)
                }
            })
            .collect(),
    }
}

fn capitalise(w: &str) -> String {
    let mut c = w.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

const EVENTS: &[&str] = &[
    "note.signed",
    "appointment.booked",
    "patient.updated",
    "claim.submitted",
    "device.synced",
    "transport.requested",
];

/// Builds objects with keys in one style.
struct Payload<'a> {
    g: &'a mut Gen,
    style: Style,
}

impl Payload<'_> {
    fn k(&self, parts: &[&str]) -> String {
        key(self.style, parts)
    }

    fn patient(&mut self, who: &Persona) -> J {
        let g = &mut *self.g;
        let dob = if g.chance(0.5) {
            g.date_iso(1925, 2005)
        } else {
            g.birth_date()
        };
        let mut f: Vec<(String, J)> = vec![
            (key(self.style, &["first", "name"]), p(T::Name, &who.first)),
            (key(self.style, &["last", "name"]), p(T::Name, &who.last)),
            ("DOB".to_string(), p(T::Date, dob)),
            ("phone".to_string(), p(T::Phone, g.phone())),
            (key(self.style, &["mrn"]), p(T::Mrn, g.mrn())),
        ];
        let optional: [(f64, &[&str], T); 8] = [
            (0.5, &["ssn"], T::Ssn),
            (0.5, &["email"], T::Email),
            (0.6, &["member", "id"], T::HealthPlan),
            (0.4, &["account", "number"], T::Account),
            (0.3, &["fax"], T::Fax),
            (0.3, &["drivers", "license"], T::License),
            (0.3, &["portal", "url"], T::Url),
            (0.3, &["fingerprint", "id"], T::Biometric),
        ];
        for (prob, parts, ty) in optional {
            if g.chance(prob) {
                let v = value_for(g, ty);
                f.push((key(self.style, parts), p(ty, v)));
            }
        }
        if g.chance(0.3) {
            f.push(("age".to_string(), p(T::Age, g.age_over_89())));
        }
        f.push((self.k(&["address"]), self.address(who)));
        J::Obj(f)
    }

    fn address(&mut self, who: &Persona) -> J {
        obj(vec![
            (self.k(&["line1"]), p(T::Address, &who.street)),
            (self.k(&["city"]), p(T::Location, &who.city)),
            (self.k(&["state"]), s(&who.state)),
            (self.k(&["zip"]), p(T::Zip, &who.zip)),
        ])
    }

    fn billing(&mut self) -> J {
        let (cpt, _) = self.g.pick(words::CPT);
        let (icd, _) = self.g.pick(words::ICD10);
        let units = self.g.range(1, 4);
        let minutes = self.g.range(8, 75);
        let acct = self.g.account_number();
        obj(vec![
            (self.k(&["cpt"]), k("cpt", cpt)),
            (self.k(&["units"]), kn("units", units)),
            (self.k(&["minutes"]), kn("minutes", minutes)),
            (self.k(&["icd10"]), J::Arr(vec![k("icd10", icd)])),
            (self.k(&["account"]), p(T::Account, acct)),
        ])
    }

    /// Event-specific block.
    fn extra(&mut self, event: &str, who: &Persona) -> Option<(String, J)> {
        let g = &mut *self.g;
        let block = match event {
            "device.synced" => obj(vec![
                (
                    key(self.style, &["serial", "number"]),
                    p(T::Device, g.device_serial()),
                ),
                (key(self.style, &["ip", "address"]), p(T::Ip, g.ip())),
            ]),
            "transport.requested" => obj(vec![
                ("vin".to_string(), p(T::Vehicle, g.vin())),
                (
                    key(self.style, &["plate"]),
                    p(T::Vehicle, g.license_plate()),
                ),
                (
                    key(self.style, &["pickup", "address"]),
                    p(T::Address, &who.street),
                ),
            ]),
            "appointment.booked" => obj(vec![
                (key(self.style, &["start"]), p(T::Date, g.datetime_iso())),
                (
                    key(self.style, &["location"]),
                    p(T::Location, &who.facility),
                ),
                (key(self.style, &["therapist"]), p(T::ProviderName, &who.ot)),
            ]),
            _ => return None,
        };
        Some((key(self.style, &["details"]), block))
    }
}

/// A PHI value of a type for the optional patient fields.
fn value_for(g: &mut Gen, ty: T) -> String {
    match ty {
        T::Ssn => g.ssn(),
        T::Email => g.email(),
        T::HealthPlan => g.health_plan_id(),
        T::Account => g.account_number(),
        T::Fax => g.fax(),
        T::License => g.license_number(),
        T::Url => g.url(),
        T::Biometric => g.biometric_id(),
        _ => g.other_id(),
    }
}

/// One webhook payload.
pub fn webhook(g: &mut Gen) -> J {
    let who = Persona::new(g);
    let style = g.pick(&[Style::Snake, Style::Camel, Style::UpperKebab, Style::Pascal]);
    let event = g.pick(EVENTS);
    let evt_id = format!("evt_{}", g.other_id());
    let at = g.datetime_iso();
    let mut pl = Payload { g, style };
    let mut f: Vec<(String, J)> = vec![
        ("event".to_string(), s(event)),
        ("id".to_string(), p(T::Id, evt_id)),
        (pl.k(&["occurred", "at"]), p(T::Date, at)),
        ("patient".to_string(), pl.patient(&who)),
    ];
    if pl.g.chance(0.4) {
        let ip = pl.g.ip();
        f.push((pl.k(&["source", "ip"]), p(T::Ip, ip)));
    }
    let n = pl.g.range(1, 3) as usize;
    f.push(("note".to_string(), J::Str(short_note(pl.g, &who, n))));
    if let Some(extra) = pl.extra(event, &who) {
        f.push(extra);
    }
    f.push(("billing".to_string(), pl.billing()));
    f.push((
        pl.k(&["provider"]),
        obj(vec![("name", p(T::ProviderName, &who.prov))]),
    ));
    J::Obj(f)
}
