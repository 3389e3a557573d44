//! Occupational-therapy text notes: progress, SOAP, evaluation, discharge and billing notes
//! written from sentence templates whose `{slot}`s expand to labelled PHI, kept clinical
//! content (CPT, ICD-10, measurements, units, minutes, goal status) or plain words.

use crate::phi::PhiType;

use super::doc::{keep, lit, phi, Seg, Segs};
use super::gen::Gen;
use super::words;

/// The people and places one document talks about, so repeated mentions agree.
#[derive(Debug, Clone)]
pub struct Persona {
    /// Patient given name.
    pub first: String,
    /// Patient family name.
    pub last: String,
    /// True for a female patient (drives titles and pronouns).
    pub female: bool,
    /// Relationship word of the relative ("son", "wife").
    pub rel: &'static str,
    /// Relative's given name.
    pub rel_first: String,
    /// Relative's family name.
    pub rel_last: String,
    /// Referring / supervising physician, full name.
    pub prov: String,
    /// Physician family name.
    pub prov_last: String,
    /// Treating therapist, full name.
    pub ot: String,
    /// Street line.
    pub street: String,
    /// City.
    pub city: String,
    /// State abbreviation (not PHI).
    pub state: String,
    /// ZIP or ZIP+4.
    pub zip: String,
    /// Treating facility.
    pub facility: String,
}

impl Persona {
    /// Invents a patient, a relative, two clinicians and a home.
    pub fn new(g: &mut Gen) -> Persona {
        let female = g.chance(0.55);
        let first = g.given_name(female);
        let (rel, rel_female) = g.pick(words::RELATIONS);
        let last = g.last_name();
        let rel_last = if g.chance(0.7) {
            last.clone()
        } else {
            g.last_name()
        };
        let prov_last = g.last_name();
        let prov = format!("{} {prov_last}", g.first_name());
        let (city, state, zip) = g.place();
        Persona {
            female,
            rel,
            rel_first: g.given_name(rel_female),
            rel_last,
            prov,
            prov_last,
            ot: format!("{} {}", g.first_name(), g.last_name()),
            street: g.street_address(),
            city,
            state,
            zip,
            facility: g.facility(),
            first,
            last,
        }
    }
}

/// Headers: the patient block at the top of a note.
const HEADERS: &[&str] = &[
    "OCCUPATIONAL THERAPY PROGRESS NOTE\nPatient: {full}    DOB: {dob}    MRN: {mrn}\nDate of service: {date}\n",
    "OT Daily Note - {lastfirst} (MR# {mrn})\nVisit date: {date}\n",
    "SOAP NOTE    Name: {lastfirst}    Acct #: {acct}    DOS: {date}\n",
    "Billing note for {full}, account {acct}, DOS {date}.\n",
    "Re: {title} {last} (DOB {dob})\nFacility: {facility}\n",
    "OT Evaluation\nPatient Name: {full}\nMRN: {mrn}\nReferring: Dr. {prov}\n",
    "Discharge Summary - Occupational Therapy\n{full} | DOB {dob} | {facility}\n",
    "Hand therapy follow-up, {title} {full}, seen {date}.\n",
    "",
];

/// Sentences carrying PHI; each Safe Harbor class has at least two.
const PHI_SENTENCES: &[&str] = &[
    "{title} {last} ({age90}) is a {sexw} seen for {icddesc} ({icd}).",
    "Pt is {age90}, lives alone at {street}, {city}, {state} {zip}.",
    "Lives with {pos} {rel} {relfirst} at {street}, {city}, {state} {zip}.",
    "{Pos} {rel} {relfull} attended caregiver training and can be reached at {phone}.",
    "Home phone {phone}; cell {phone}.",
    "Please fax signed plan of care to Dr. {provlast} at {fax}.",
    "Fax: {fax}  Attn: {prov}.",
    "Patient e-mail on file: {email}.",
    "HEP videos sent to {email} and posted at {url}.",
    "SSN {ssn} verified at registration.",
    "Social Security #: {ssn}.",
    "Medicare ID {mbi}; secondary Member ID {plan}.",
    "Member ID: {plan}    Acct #: {acct}.",
    "Billing acct {acct} updated; MR# {mrn}.",
    "Driver's license # {lic} copied for identity verification.",
    "Pt reports driving again; vehicle VIN {vin}, plate {plate}.",
    "Disability parking placard requested for plate {plate}.",
    "Adaptive driving eval scheduled; VIN {vin} on the modified van.",
    "Telehealth visit via {url} from IP {ip}.",
    "Remote login from {ip} noted in the portal audit.",
    "Wrist-worn activity tracker, device serial {dev}, synced on {date}.",
    "TENS unit S/N {dev} issued for home use.",
    "Check-in completed by fingerprint ID {fp}.",
    "Voiceprint ID {vp} enrolled for phone verification.",
    "Enrolled in research study, study ID {oid}.",
    "Workers' comp case # {oid}; employer notified.",
    "Seen at {facility} in {city} on {date}.",
    "DOB: {dob}; admitted {date}; discharged {date}.",
    "Next appointment {date} at {time} with {ot}.",
    "Discussed progress with Dr. {prov} on {date}.",
    "{lastfirst} is a {age90} resident of {facility}.",
    "Provider license # {lic} on file for {ot}.",
    "Pt's {rel}, {relfull} ({email}), requested copies of notes.",
    "Now {age90}, pt wants to keep gardening with raised beds.",
    "Returned call from {title} {last} at {phone} on {date}.",
    "Pt transported from {street}, {city} by {pos} {rel} {relfirst}.",
    "Insurance: Medicare, MBI {mbi}. Secondary plan member # {plan}.",
    "Pulse oximeter serial number {dev} loaned; return by {date}.",
    "Retina scan ID {ret} used for medication cabinet access at {facility}.",
    "Van plate {plate} registered to {pos} {rel} {relfull}.",
    "Patient account {acct}, claim {oid}, DOS {date}.",
    "MRN {mrn}; alternate contact {relfull}, {phone}, fax {fax}.",
];

/// Sentences carrying kept clinical content and no PHI.
const CLINICAL_SENTENCES: &[&str] = &[
    "{grip} (R), {grip} (L).",
    "{pinch}; {rom}.",
    "{peg} with the dominant hand.",
    "{copm}; satisfaction improved since eval.",
    "Treated with {cptdesc} ({cpt}) x {units}, {min} total.",
    "Tx: {cpt} {cptdesc}, {units}; {cpt} {cptdesc}, {units}.",
    "Dx: {icd} {icddesc}; secondary {icd}.",
    "Goal: independent {adl} with adaptive equipment - {goal}.",
    "STG 2 ({adl}): {goal}.",
    "Total timed treatment {min}; billed {units}.",
    "Pt tolerated {min} of {cptdesc} without adverse events.",
    "{rom} after manual therapy ({cpt_mt}).",
    "LTG: {adl} with modified independence - {goal}.",
    "{grip} today vs {grip} at evaluation.",
];

/// Signature lines.
const SIGNATURES: &[&str] = &[
    "Signed: {ot}, {cred} {date}",
    "Electronically signed by {ot}, {cred} on {date}",
    "{ot}, {cred}",
    "Cosigned: Dr. {prov}",
    "Therapist: {ot} ({cred}) | Supervising physician: {prov}, MD",
];

/// Writes one note's segments from templates.
struct Writer<'a> {
    g: &'a mut Gen,
    who: &'a Persona,
    /// Code index a following description slot should reuse (code written first).
    cpt_last: Option<usize>,
    /// Code index a following code slot should reuse (description written first).
    cpt_next: Option<usize>,
    icd_last: Option<usize>,
    icd_next: Option<usize>,
}

impl<'a> Writer<'a> {
    fn new(g: &'a mut Gen, who: &'a Persona) -> Writer<'a> {
        Writer {
            g,
            who,
            cpt_last: None,
            cpt_next: None,
            icd_last: None,
            icd_next: None,
        }
    }

    /// Expands one template into segments.
    fn expand(&mut self, template: &str, out: &mut Segs) {
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            let Some(close) = rest[open..].find('}').map(|c| open + c) else {
                break;
            };
            push_lit(out, &rest[..open]);
            let seg = self.slot(&rest[open + 1..close]);
            match seg {
                Seg::Lit(t) => push_lit(out, &t),
                other => out.push(other),
            }
            rest = &rest[close + 1..];
        }
        push_lit(out, rest);
    }

    /// The segment for one `{slot}`.
    fn slot(&mut self, name: &str) -> Seg {
        use PhiType as T;
        let w = self.who;
        let g = &mut *self.g;
        match name {
            "first" => phi(T::Name, &w.first),
            "last" => phi(T::Name, &w.last),
            "full" => phi(T::Name, format!("{} {}", w.first, w.last)),
            "lastfirst" => phi(T::Name, format!("{}, {}", w.last, w.first)),
            "title" => lit(if w.female {
                g.pick(&["Mrs.", "Ms."])
            } else {
                "Mr."
            }),
            "sexw" => lit(if w.female { "female" } else { "male" }),
            "pos" => lit(if w.female { "her" } else { "his" }),
            "Pos" => lit(if w.female { "Her" } else { "His" }),
            "rel" => lit(w.rel),
            "relfirst" => phi(T::Name, &w.rel_first),
            "relfull" => phi(T::Name, format!("{} {}", w.rel_first, w.rel_last)),
            "prov" => phi(T::ProviderName, &w.prov),
            "provlast" => phi(T::ProviderName, &w.prov_last),
            "ot" => phi(T::ProviderName, &w.ot),
            "cred" => lit(g.pick(words::CREDENTIALS)),
            "date" => phi(T::Date, g.date()),
            "dob" => phi(T::Date, g.birth_date()),
            "time" => lit(format!(
                "{}:{:02} {}",
                g.range(1, 12),
                g.pick(&[0, 15, 30, 45]),
                g.pick(&["AM", "PM"])
            )),
            "age90" => phi(T::Age, g.age_over_89()),
            "street" => phi(T::Address, &w.street),
            "city" => phi(T::Location, &w.city),
            "state" => lit(&w.state),
            "zip" => phi(T::Zip, &w.zip),
            "facility" => phi(T::Location, &w.facility),
            _ => self.id_or_clinical(name),
        }
    }

    /// Identifier and clinical slots.
    fn id_or_clinical(&mut self, name: &str) -> Seg {
        use PhiType as T;
        let g = &mut *self.g;
        match name {
            "phone" => phi(T::Phone, g.phone()),
            "fax" => phi(T::Fax, g.fax()),
            "email" => phi(T::Email, g.email()),
            "ssn" => phi(T::Ssn, g.ssn()),
            "mrn" => phi(T::Mrn, g.mrn()),
            "acct" => phi(T::Account, g.account_number()),
            "plan" => phi(T::HealthPlan, g.health_plan_id()),
            "mbi" => phi(T::HealthPlan, g.mbi()),
            "lic" => phi(T::License, g.license_number()),
            "vin" => phi(T::Vehicle, g.vin()),
            "plate" => phi(T::Vehicle, g.license_plate()),
            "dev" => phi(T::Device, g.device_serial()),
            "url" => phi(T::Url, g.url()),
            "ip" => phi(T::Ip, g.ip()),
            "bio" => phi(T::Biometric, g.biometric_id()),
            "oid" => phi(T::Id, g.other_id()),
            "cpt" => {
                let i = code_index(g, &mut self.cpt_next, &mut self.cpt_last, words::CPT.len());
                keep("cpt", words::CPT[i].0)
            }
            "cptdesc" => {
                let i = code_index(g, &mut self.cpt_last, &mut self.cpt_next, words::CPT.len());
                lit(words::CPT[i].1)
            }
            "icd" => {
                let i = code_index(
                    g,
                    &mut self.icd_next,
                    &mut self.icd_last,
                    words::ICD10.len(),
                );
                keep("icd10", words::ICD10[i].0)
            }
            "icddesc" => {
                let i = code_index(
                    g,
                    &mut self.icd_last,
                    &mut self.icd_next,
                    words::ICD10.len(),
                );
                lit(words::ICD10[i].1)
            }
            "cpt_mt" => keep("cpt", "97140"),
            "fp" => phi(T::Biometric, g.fingerprint_id()),
            "vp" => phi(T::Biometric, g.voiceprint_id()),
            "ret" => phi(T::Biometric, g.retina_id()),
            "adl" => lit(g.pick(words::ADLS)),
            "goal" => keep("goal_status", g.pick(words::GOAL_STATUS)),
            "units" => keep("units", units(g)),
            "min" => keep("minutes", minutes(g)),
            _ => measurement(g, name).unwrap_or_else(|| lit(format!("{{{name}}}"))),
        }
    }
}

/// Index of a code/description pair: reuses `pending` (set by the partner slot written
/// just before), otherwise picks a fresh one and leaves it in `partner` for the partner slot.
fn code_index(
    g: &mut Gen,
    pending: &mut Option<usize>,
    partner: &mut Option<usize>,
    n: usize,
) -> usize {
    if let Some(i) = pending.take() {
        return i;
    }
    let i = g.index(n);
    *partner = Some(i);
    i
}

/// "3 units" / "1 unit".
fn units(g: &mut Gen) -> String {
    match g.range(1, 4) {
        1 => "1 unit".to_string(),
        n => format!("{n} units"),
    }
}

/// "38 minutes" / "45 min".
fn minutes(g: &mut Gen) -> String {
    let m = g.range(8, 75);
    if g.chance(0.7) {
        format!("{m} minutes")
    } else {
        format!("{m} min")
    }
}

/// Measurement slots (kind "measurement").
fn measurement(g: &mut Gen, name: &str) -> Option<Seg> {
    let text = match name {
        "grip" => format!("grip strength {} lbs", g.range(8, 85)),
        "pinch" => format!(
            "{} {} lbs",
            g.pick(&["pinch", "lateral pinch", "tip pinch", "3-point pinch"]),
            g.range(3, 22)
        ),
        "rom" => {
            let joint = g.pick(&["shoulder flexion", "shoulder abduction", "elbow flexion"]);
            if g.chance(0.3) {
                format!("wrist extension 0-{}°", g.range(20, 70))
            } else {
                format!("{joint} 0-{} degrees", g.range(60, 170))
            }
        }
        "peg" => format!("9-hole peg test {} s", g.range(17, 60)),
        "copm" => format!("COPM performance {}.{}", g.range(2, 9), g.range(0, 9)),
        _ => return None,
    };
    Some(keep("measurement", text))
}

/// Appends plain text, merging with a previous plain segment.
fn push_lit(out: &mut Segs, s: &str) {
    if s.is_empty() {
        return;
    }
    if let Some(Seg::Lit(prev)) = out.last_mut() {
        prev.push_str(s);
    } else {
        out.push(lit(s));
    }
}

/// Picks `k` distinct templates from `list` in random order.
fn choose<'t>(g: &mut Gen, list: &[&'t str], k: usize) -> Vec<&'t str> {
    let mut pool: Vec<&str> = list.to_vec();
    let mut out = Vec::new();
    while out.len() < k && !pool.is_empty() {
        let i = g.index(pool.len());
        out.push(pool.swap_remove(i));
    }
    out
}

/// Expands a list of sentence templates separated by spaces or newlines.
fn sentences(wr: &mut Writer<'_>, templates: &[&str], out: &mut Segs) {
    for (i, t) in templates.iter().enumerate() {
        if i > 0 {
            let sep = if wr.g.chance(0.2) { "\n" } else { " " };
            push_lit(out, sep);
        }
        wr.expand(t, out);
    }
}

/// A whole note for `who`: header, body sections, billing line and signature.
pub fn note(g: &mut Gen, who: &Persona) -> Segs {
    let mut wr = Writer::new(g, who);
    let mut out = Segs::new();
    let header = wr.g.pick(HEADERS);
    wr.expand(header, &mut out);
    let n_phi = wr.g.range(4, 9) as usize;
    let n_clin = wr.g.range(2, 6) as usize;
    let n_neg = wr.g.range(1, 3) as usize;
    let phi_t = choose(wr.g, PHI_SENTENCES, n_phi);
    let clin_t = choose(wr.g, CLINICAL_SENTENCES, n_clin);
    let neg_t = choose(wr.g, words::NEGATIVES, n_neg);
    let (s_part, p_part) = phi_t.split_at(phi_t.len() / 2);
    if wr.g.chance(0.5) {
        soap(&mut wr, [s_part, &clin_t, &neg_t, p_part], &mut out);
    } else {
        let mut all: Vec<&str> = phi_t.iter().chain(&clin_t).chain(&neg_t).copied().collect();
        let order = choose(wr.g, &all, all.len());
        all = order;
        sentences(&mut wr, &all, &mut out);
        push_lit(&mut out, "\n");
    }
    let sig = wr.g.pick(SIGNATURES);
    wr.expand(sig, &mut out);
    push_lit(&mut out, "\n");
    out
}

/// S/O/A/P sections.
fn soap(wr: &mut Writer<'_>, parts: [&[&str]; 4], out: &mut Segs) {
    let labels = if wr.g.chance(0.5) {
        ["S: ", "O: ", "A: ", "P: "]
    } else {
        ["Subjective: ", "Objective: ", "Assessment: ", "Plan: "]
    };
    for (label, part) in labels.iter().zip(parts) {
        push_lit(out, label);
        sentences(wr, part, out);
        push_lit(out, "\n");
    }
}

/// A short free-text note (for JSON `note` fields and FHIR narrative): `n` PHI sentences
/// and one clinical sentence, on one line.
pub fn short_note(g: &mut Gen, who: &Persona, n: usize) -> Segs {
    let mut wr = Writer::new(g, who);
    let mut out = Segs::new();
    let mut ts = choose(wr.g, PHI_SENTENCES, n);
    ts.extend(choose(wr.g, CLINICAL_SENTENCES, 1));
    if wr.g.chance(0.3) {
        ts.extend(choose(wr.g, words::NEGATIVES, 1));
    }
    for (i, t) in ts.iter().enumerate() {
        if i > 0 {
            push_lit(&mut out, " ");
        }
        wr.expand(t, &mut out);
    }
    out
}

/// Expands a single template (used by the JSON generators for templated strings).
pub fn expand(g: &mut Gen, who: &Persona, template: &str) -> Segs {
    let mut wr = Writer::new(g, who);
    let mut out = Segs::new();
    wr.expand(template, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_slot_in_templates_is_known() {
        let mut g = Gen::new(7);
        let who = Persona::new(&mut g);
        let all = HEADERS
            .iter()
            .chain(PHI_SENTENCES)
            .chain(CLINICAL_SENTENCES)
            .chain(SIGNATURES);
        for t in all {
            let segs = expand(&mut g, &who, t);
            let text = super::super::doc::plain(&segs);
            assert!(!text.contains('{'), "unknown slot in {t}: {text}");
        }
    }
}
