//! The JSON walker: generic JSON and FHIR R4, by field rules first and free text second.
//!
//! Owns the two passes over a payload: the first learns the values in known PHI fields (a
//! Patient's name, phone, MRN) and the patient key; the second rewrites every field, scanning
//! free-text fields with the learned values added, pseudonymising FHIR ids and references
//! consistently, and decoding base64 text attachments. Serialisation keeps key order.

mod dicom;
mod graphql;

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::fields::{normalize_key, Field};
use super::members::{has_member, member, member_mut};
use super::protocol;
use super::reference;
use super::{is_terminology_code, Engine, Output, ScanError, MAX_CODE_DIGITS};
use crate::detect::learned::Learned;
use crate::detect::{shape, Scratch};
use crate::phi::PhiType;
use crate::transform::{age_under_90, DocContext, Transformer, AGE_AGGREGATE};

/// De-identifies a JSON document (`fhir` switches on the FHIR path rules).
pub fn deidentify(
    engine: &Engine,
    text: &str,
    fhir: bool,
    t: &Transformer<'_>,
    scratch: &mut Scratch,
) -> Result<Output, ScanError> {
    let mut value = parse(text)?;
    let counts = engine.walk_json(&mut value, fhir, t, scratch)?;
    let text = serde_json::to_string(&value).map_err(|_| ScanError::Json {
        line: 0,
        column: 0,
        category: "could not serialise",
    })?;
    Ok(Output {
        text,
        spans: Vec::new(),
        counts,
    })
}

impl Engine {
    /// De-identifies a JSON document already parsed, in place, and returns the PHI found
    /// per type: for a caller that shares one parsed document between the de-identifier
    /// and its own use of it (the gateway's claim check and evidence snapshot). Its values
    /// are one batch to the store ([`Engine::per_document`]). The walk rewrites in place,
    /// so the rare walk again without a batch needs the document as it came: `reread`
    /// gives it (the caller parses the bytes it still holds), which spares every document
    /// a copy made for a case that almost never happens.
    pub fn deidentify_json(
        &self,
        value: &mut Value,
        fhir: bool,
        t: &Transformer<'_>,
        scratch: &mut Scratch,
        reread: impl FnOnce() -> Result<Value, ScanError>,
    ) -> Result<[usize; PhiType::ALL.len()], ScanError> {
        let mut reread = Some(reread);
        let mut first = true;
        self.per_document(t, |t| {
            // The second walk (unbatched) starts again from the document as it came.
            if !std::mem::take(&mut first) {
                let again = reread.take().ok_or(ScanError::Unreadable(
                    "a JSON document that could not be read again",
                ))?;
                *value = again()?;
            }
            self.walk_json(value, fhir, t, scratch)
        })
    }

    /// [`Engine::deidentify_json`] without a batch of its own: the walk itself, for a
    /// document inside another (whose batch it joins) or read from text.
    pub(crate) fn walk_json(
        &self,
        value: &mut Value,
        fhir: bool,
        t: &Transformer<'_>,
        scratch: &mut Scratch,
    ) -> Result<[usize; PhiType::ALL.len()], ScanError> {
        check_depth(value, 0, self.limits.max_depth)?;
        // A resource is FHIR wherever `resourceType` appears, whatever the label said.
        let fhir = fhir || has_resource_type(value, 0);
        let mut l = Learning::default();
        learn(self, value, fhir, None, None, false, None, &mut l);
        if l.patient_key.is_none() {
            // A resource about one patient (an Observation's `subject`) is theirs.
            l.patient_key = l.one_reference().map(str::to_string);
        }
        let keys = l.memory_keys();
        let mut learned = l.learned;
        learned.finish();
        self.recall_patient(t, &keys, &mut learned)?;
        let patient_key = l.patient_key;
        let mut w = Walker {
            engine: self,
            t,
            learned,
            ctx: DocContext { patient_key },
            scratch,
            counts: [0; PhiType::ALL.len()],
            fhir,
            typed_numbers: false,
        };
        w.walk(value, None, None, None)?;
        Ok(w.counts)
    }
}

/// Parses JSON, keeping only the position and category of an error (serde's messages can
/// quote the input).
pub fn parse(text: &str) -> Result<Value, ScanError> {
    serde_json::from_str(text).map_err(|e| {
        let category = match e.classify() {
            serde_json::error::Category::Io => "read error",
            serde_json::error::Category::Syntax if e.to_string().contains("recursion limit") => {
                "nested too deeply"
            }
            serde_json::error::Category::Syntax => "syntax error",
            serde_json::error::Category::Data => "invalid data",
            serde_json::error::Category::Eof => "unexpected end of input",
        };
        ScanError::Json {
            line: e.line(),
            column: e.column(),
            category,
        }
    })
}

/// Whether any object in the top levels of a document names a FHIR `resourceType`.
fn has_resource_type(v: &Value, depth: usize) -> bool {
    match v {
        Value::Object(o) => {
            member(o, "resourceType").is_some_and(Value::is_string)
                || (depth < 3 && o.values().any(|x| has_resource_type(x, depth + 1)))
        }
        Value::Array(a) => depth < 3 && a.iter().any(|x| has_resource_type(x, depth + 1)),
        _ => false,
    }
}

fn check_depth(v: &Value, depth: usize, limit: usize) -> Result<(), ScanError> {
    if depth > limit {
        return Err(ScanError::TooDeep { limit });
    }
    match v {
        Value::Array(a) => a.iter().try_for_each(|x| check_depth(x, depth + 1, limit)),
        Value::Object(o) => o
            .values()
            .try_for_each(|x| check_depth(x, depth + 1, limit)),
        _ => Ok(()),
    }
}

/// How a field is classified, given its object (siblings) and surroundings.
fn classify(
    engine: &Engine,
    fhir: bool,
    key: &str,
    parent: Option<&str>,
    obj: &Map<String, Value>,
    resource: Option<&str>,
) -> Field {
    let field = if fhir {
        engine.fields.fhir(key, parent)
    } else {
        engine.fields.generic(key, parent)
    };
    // A key written as a form array's path (`patient[age]`, `items[0][zip]`) is read by its
    // last segment, as a form body's is.
    let field = match field {
        Field::Scan if key.contains('[') => engine.fields.path_key(key),
        f => f,
    };
    match field {
        Field::Contact => {
            let system = member(obj, "system").and_then(Value::as_str).unwrap_or("");
            let value = member(obj, key).and_then(Value::as_str).unwrap_or("");
            Field::Phi(contact_type(system, value))
        }
        Field::Identifier => Field::Phi(identifier_type(resource)),
        Field::Display => display_type(
            member(obj, "reference")
                .and_then(Value::as_str)
                .unwrap_or(""),
            parent,
        ),
        Field::ResourceId if parent.is_some() && !has_member(obj, "resourceType") => Field::Scan,
        // An Organization's or a Location's own `name` is a facility (`HAVERHILL HOSPITAL`,
        // `GRAVES PEDIATRICS, PC`, `PCP12345`), as the `display` of a reference to one is:
        // a hospital named for a person or a disease is no free text to read.
        Field::Scan
            if fhir
                && key == "name"
                && has_member(obj, "resourceType")
                && matches!(resource, Some("Organization" | "Location"))
                && member(obj, "name").is_some_and(Value::is_string) =>
        {
            Field::Phi(PhiType::Location)
        }
        f => f,
    }
}

/// What a FHIR `telecom.value` is, by the telecom's `system` and the value's own shape
/// (an address with an `@` is an e-mail whatever the system says).
pub(super) fn contact_type(system: &str, value: &str) -> PhiType {
    match system {
        _ if value.contains('@') || system == "email" => PhiType::Email,
        "fax" => PhiType::Fax,
        "url" => PhiType::Url,
        _ => PhiType::Phone,
    }
}

/// What an `identifier.value` is, by the resource that holds it.
pub(super) fn identifier_type(resource: Option<&str>) -> PhiType {
    match resource {
        Some("Patient" | "RelatedPerson" | "Person") => PhiType::Mrn,
        Some("Coverage") => PhiType::HealthPlan,
        Some("Practitioner" | "PractitionerRole") => PhiType::License,
        Some("Account") => PhiType::Account,
        _ => PhiType::Id,
    }
}

/// What a reference's `display` names: by the referenced resource type, else by the
/// element it sits in (`serviceProvider`, `subject`, `performer`).
pub(super) fn display_type(reference: &str, parent: Option<&str>) -> Field {
    // `Organization/123`, or a conditional reference `Organization?identifier=…|…`: a
    // type's name right before a `/` or `?`, read back from each `/` and `?`: a webhook
    // has a dozen displays, and a substring search per name set up seven searchers for
    // each. No name overlaps itself, so every occurrence is one the search would meet.
    let b = reference.as_bytes();
    let by_ref = |types: &[&str]| {
        b.iter().enumerate().any(|(p, c)| {
            matches!(c, b'/' | b'?') && types.iter().any(|t| b[..p].ends_with(t.as_bytes()))
        })
    };
    if by_ref(&["Patient", "RelatedPerson", "Person"]) {
        return Field::Phi(PhiType::Name);
    }
    if by_ref(&["Practitioner", "PractitionerRole"]) {
        return Field::Phi(PhiType::ProviderName);
    }
    if by_ref(&["Organization", "Location"]) {
        return Field::Phi(PhiType::Location);
    }
    match parent.unwrap_or("") {
        "subject" | "patient" | "beneficiary" | "policyholder" | "subscriber" | "payor" => {
            Field::Phi(PhiType::Name)
        }
        "performer" | "practitioner" | "requester" | "author" | "enterer" | "attender"
        | "individual" | "recorder" | "asserter" | "provider" | "careteam" => {
            Field::Phi(PhiType::ProviderName)
        }
        "serviceprovider"
        | "managingorganization"
        | "location"
        | "organization"
        | "insurer"
        | "custodian"
        | "facility"
        | "destination"
        | "origin" => Field::Phi(PhiType::Location),
        _ => Field::Scan,
    }
}

/// What pass one collects: the values of PHI fields, whose record this is, and the keys
/// and values of the payload's patient for the patient memory ([`crate::memory`]).
#[derive(Default)]
struct Learning {
    learned: Learned,
    patient_key: Option<String>,
    /// A Patient resource's `Patient/<id>` and its MRN and SSN identifiers.
    aliases: Vec<String>,
    /// Patients referred to (`subject`, `patient`, `beneficiary`): `Patient/<id>`, or an
    /// identifier on the reference (`MRN:…`).
    references: Vec<String>,
    /// Patient resources in the payload (more than one: no memory, whose would it be).
    patients: usize,
}

impl Learning {
    /// The one patient the payload's references name (`Patient/<id>`), if one.
    fn one_reference(&self) -> Option<&str> {
        let mut refs = self.references.iter().filter(|r| r.starts_with("Patient/"));
        let first = refs.next()?;
        refs.all(|r| r == first).then_some(first.as_str())
    }

    /// The patient keys that reach the payload's patient memory, most specific first:
    /// a single Patient's own keys, else what the references name when they name one
    /// patient, else the patient key (an MRN field of a generic payload).
    fn memory_keys(&self) -> Vec<String> {
        match self.patients {
            0 => {}
            1 => return self.aliases.clone(),
            _ => return Vec::new(),
        }
        let distinct = |r: &&String| r.starts_with("Patient/");
        let named: Vec<&String> = self.references.iter().filter(distinct).collect();
        if named.iter().any(|r| *r != named[0]) {
            return Vec::new();
        }
        if !self.references.is_empty() {
            return self.references.clone();
        }
        self.patient_key.iter().cloned().collect()
    }
}

/// Elements of a Patient resource that name someone else (a contact, a practitioner).
const NOT_THE_PATIENT: &[&str] = &[
    "contact",
    "link",
    "generalpractitioner",
    "managingorganization",
    "communication",
];

/// Elements whose reference names the resource's patient.
const PATIENT_REFERENCES: &[&str] = &["subject", "patient", "beneficiary"];

/// Pass one: values in PHI fields, and whose record this is. `own` is set inside a
/// Patient resource's own elements: their values are the patient's, to remember.
/// `inherit` is the PHI type of an enclosing field, as in the walk: the unknown keys of a
/// `patient_name` object (`{"patient_name": {"a": "quenby"}}`) hold the patient's name,
/// which the notes beside it repeat. Only a value that reads as a name is learned there.
#[allow(clippy::too_many_arguments)]
fn learn(
    engine: &Engine,
    v: &Value,
    fhir: bool,
    parent: Option<&str>,
    resource: Option<&str>,
    own: bool,
    inherit: Option<PhiType>,
    l: &mut Learning,
) {
    match v {
        Value::Array(a) => a
            .iter()
            .for_each(|x| learn(engine, x, fhir, parent, resource, own, inherit, l)),
        Value::String(s) if inherit == Some(PhiType::Name) && engine.is_keyed_name_value(s) => {
            l.learned.add(PhiType::Name, s);
        }
        Value::Object(o) if dicom::is_attribute_set(o) => dicom::learn(engine, o, &mut l.learned),
        Value::Object(o) => {
            let declared = member(o, "resourceType").and_then(Value::as_str);
            let resource = declared.or(resource);
            let own = match declared {
                Some(r) => fhir && r == "Patient",
                None => own,
            };
            if fhir && declared == Some("Patient") {
                l.patients += 1;
                if let Some(id) = member(o, "id").and_then(Value::as_str) {
                    let key = format!("Patient/{id}");
                    l.patient_key.get_or_insert_with(|| key.clone());
                    l.aliases.push(key);
                }
            }
            let mut pair = NamePair::default();
            for (k, x) in o {
                learn_name_key(engine, k, &mut l.learned);
                let key = normalize_key(k);
                pair.note(engine, k, &key, x);
                if fhir && PATIENT_REFERENCES.contains(&&*key) {
                    patient_references(x, &mut l.references);
                }
                let mut field = classify(engine, fhir, &key, parent, o, resource);
                // A key the rules leave to be read takes the enclosing field's type, as in
                // the walk; but only a value that reads as a name is learned from it
                // (`{"address": {"type": "home"}}` must not teach `home`).
                let inherited = matches!((field, inherit), (Field::Scan, Some(_)));
                if let (Field::Scan, Some(ty)) = (field, inherit) {
                    field = Field::Phi(ty);
                }
                // A role's name (`"caregiver": "Hope Bell"`) is searched for in the notes
                // too, but never remembered as the patient's own.
                if let (Field::Scan, Value::String(s)) = (field, x) {
                    if let Field::Phi(ty) = engine.fields.text_field(field, &key) {
                        l.learned.add(ty, s);
                    } else if engine.fields.is_name_key(&key) && engine.is_keyed_name_value(s) {
                        // `{"first": "tam", "last": "quenby"}`: typed a name by the walk
                        // (J2), so searched for in the notes beside it too. A listed surname
                        // that is an English word too (`{"last": "walker"}`) is typed there
                        // but not searched for elsewhere: `walker` is as often the device.
                        l.learned.add(PhiType::Name, s);
                    }
                }
                match (field, x) {
                    (Field::Phi(PhiType::Name), Value::String(s))
                        if inherited && engine.is_keyed_name_value(s) =>
                    {
                        l.learned.add(PhiType::Name, s);
                    }
                    (Field::Phi(_), Value::String(_)) if inherited => {}
                    (Field::Phi(ty), Value::String(s)) => {
                        if learnable(ty) {
                            l.learned.add(ty, s);
                        }
                        if own && (ty != PhiType::Date || key == "birthdate") {
                            l.learned.remember(ty, s);
                        }
                        if matches!(ty, PhiType::Mrn | PhiType::Ssn) {
                            let patient = format!("{ty}:{}", s.to_lowercase());
                            if own {
                                l.aliases.push(patient.clone());
                            }
                            l.patient_key.get_or_insert(patient);
                        }
                    }
                    (Field::Phi(ty), Value::Array(_)) if inherited => {
                        let own = own && !NOT_THE_PATIENT.contains(&&*key);
                        learn(engine, x, fhir, Some(&*key), resource, own, Some(ty), l)
                    }
                    (Field::Phi(ty), Value::Array(items)) if learnable(ty) => {
                        for s in items.iter().filter_map(Value::as_str) {
                            l.learned.add(ty, s);
                            if own {
                                l.learned.remember(ty, s);
                            }
                        }
                        let own = own && !NOT_THE_PATIENT.contains(&&*key);
                        for item in items.iter().filter(|i| i.is_object() || i.is_array()) {
                            learn(engine, item, fhir, Some(&*key), resource, own, Some(ty), l);
                        }
                    }
                    (Field::Phi(ty), Value::Object(_)) => {
                        let own = own && !NOT_THE_PATIENT.contains(&&*key);
                        learn(engine, x, fhir, Some(&*key), resource, own, Some(ty), l)
                    }
                    (_, Value::Object(_) | Value::Array(_)) => {
                        let own = own && !NOT_THE_PATIENT.contains(&&*key);
                        learn(engine, x, fhir, Some(&*key), resource, own, None, l)
                    }
                    _ => {}
                }
            }
            pair.learn(&mut l.learned);
        }
        _ => {}
    }
}

/// `{"first_name": "Orsolya", "last_name": "Brankovic"}`: a given name and a surname side
/// by side name one person, so the user names made of them (`obrankovic`,
/// `orsolya.brankovic`) are found in the payload's other values too (red team 68).
#[derive(Default)]
struct NamePair<'v> {
    first: Option<&'v str>,
    last: Option<&'v str>,
}

impl<'v> NamePair<'v> {
    /// Longer keys are no name part's (`patientfirstname` is the longest listed).
    const MAX_PART_KEY: usize = 24;

    /// Notes member `k` (normalised `key`) of the object when it holds a name part; the
    /// first given name and the first surname count.
    fn note(&mut self, engine: &Engine, k: &str, key: &str, v: &'v Value) {
        let Some(s) = v.as_str().map(str::trim).filter(|s| !s.is_empty()) else {
            return;
        };
        if k.len() > Self::MAX_PART_KEY {
            return;
        }
        if self.first.is_none() && engine.fields.is_given_key(key) {
            self.first = Some(s);
        } else if self.last.is_none() && engine.fields.is_surname_key(key) {
            self.last = Some(s);
        }
    }

    /// The user names of the pair, when the object held both parts.
    fn learn(self, learned: &mut Learned) {
        if let (Some(first), Some(last)) = (self.first, self.last) {
            learned.add_user_names_of(first, last);
        }
    }
}

/// An object key that is a person's name (`"Rosalind Thackeray"`, `"Thackeray, R"`,
/// `"thackeray_rosalind"`) is learned as one (red team 58, R19): its parts and the user
/// names made of it (`rosalind`, `rthackeray`) are then found as keys, hosts and paths of
/// the same payload. Two to four words that read as names only
/// ([`Engine::names_only`]); a schema's key (`firstName`) is no name.
fn learn_name_key(engine: &Engine, k: &str, learned: &mut Learned) {
    if schema_like(k) && !k.contains(['_', '-']) {
        return;
    }
    let words: Vec<&str> = k
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | '_' | '-'))
        .filter(|w| !w.is_empty())
        .collect();
    if (2..=4).contains(&words.len()) && engine.names_only(&words) {
        learned.add(PhiType::Name, k);
    }
}

/// The patients a reference element names: `Patient/<id>` (a full URL's tail too) and an
/// identifier on the reference (`MRN:<value>`).
fn patient_references(v: &Value, out: &mut Vec<String>) {
    let Value::Object(o) = v else { return };
    if let Some(r) = member(o, "reference").and_then(Value::as_str) {
        if let Some(at) = r.find("Patient/") {
            let id = r[at + "Patient/".len()..].split('/').next().unwrap_or("");
            if !id.is_empty() {
                out.push(format!("Patient/{id}"));
            }
        }
    }
    let value = member(o, "identifier")
        .and_then(|i| i.get("value"))
        .and_then(Value::as_str);
    if let Some(v) = value.filter(|v| !v.trim().is_empty()) {
        out.push(format!("{}:{}", PhiType::Mrn, v.to_lowercase()));
    }
}

/// Types worth searching for in free text; short or generic ones (dates, ages) are found
/// by the rules anyway and would match unrelated numbers. A ZIP is learned by its five
/// digits only (`Learned::add`): a bare `01085` in the note beside it is the same ZIP.
pub(crate) fn learnable(ty: PhiType) -> bool {
    !matches!(ty, PhiType::Date | PhiType::Age | PhiType::Location)
}

struct Walker<'e, 't, 's> {
    engine: &'e Engine,
    t: &'t Transformer<'t>,
    learned: Learned,
    ctx: DocContext,
    scratch: &'s mut Scratch,
    counts: [usize; PhiType::ALL.len()],
    fhir: bool,
    /// Inside values whose schema types numbers (GraphQL variables bound to an `Int`
    /// argument): a number must stay a number.
    typed_numbers: bool,
}

impl reference::Tokens for Walker<'_, '_, '_> {
    fn is_resource_type(&self, word: &str) -> bool {
        self.engine.fields.is_resource_type(word)
    }

    fn id_token(&mut self, id: &str) -> Result<String, ScanError> {
        Walker::id_token(self, id)
    }

    fn scan_text(&mut self, s: &str) -> Result<String, ScanError> {
        self.scan(s)
    }

    fn field_value(&mut self, ty: PhiType, value: &str) -> Result<String, ScanError> {
        self.phi_value(ty, value)
    }
}

impl Walker<'_, '_, '_> {
    /// Rewrites `v` in place. `inherit` is the PHI type of an enclosing field (an `address`
    /// object's unknown children are address parts).
    fn walk(
        &mut self,
        v: &mut Value,
        parent: Option<&str>,
        resource: Option<&str>,
        inherit: Option<PhiType>,
    ) -> Result<(), ScanError> {
        match v {
            Value::Array(a) => {
                if inherit.is_none() && self.walk_table(a, parent, resource)? {
                    return Ok(());
                }
                if inherit.is_none() {
                    self.spelled_out(a)?;
                    if (MIN_GROUPS..=MAX_GROUPS).contains(&a.len()) {
                        self.cut_in_groups(a.iter_mut().collect())?;
                    }
                }
                for x in a.iter_mut() {
                    self.walk(x, parent, resource, inherit)?;
                }
            }
            Value::Object(o) => self.walk_object(o, parent, resource, inherit)?,
            Value::String(s) => match inherit {
                Some(ty) => *s = self.phi_value(ty, s)?,
                None => self.scan_in_place(s)?,
            },
            Value::Number(n) => {
                // A long integer under a key not known to be safe is an identifier
                // (`{"contact":4135550172}`); inside a PHI field every number is PHI.
                let digits = integral_digits(n);
                if let Some(ty) = inherit.or_else(|| shape::number_type(&digits)) {
                    self.phi_number(ty, v, &digits)?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn walk_object(
        &mut self,
        o: &mut Map<String, Value>,
        parent: Option<&str>,
        resource: Option<&str>,
        inherit: Option<PhiType>,
    ) -> Result<(), ScanError> {
        let resource_owned = member(o, "resourceType")
            .and_then(Value::as_str)
            .map(str::to_string);
        let resource = resource_owned.as_deref().or(resource);
        if inherit.is_none() && dicom::is_attribute_set(o) {
            return self.walk_dicom(o);
        }
        // A FHIR data-absent-reason (`_birthDate`'s `unknown`, `telecom._value`'s `masked`)
        // says a value is missing: a code of a closed list, not the element's value (J29).
        if self.fhir && is_data_absent_reason(o) {
            return Ok(());
        }
        if inherit.is_none() && is_schema_root(o, parent) {
            return self.walk_schema(o, parent, resource, None);
        }
        // Most objects are no value cut in groups: their size says so before any collecting.
        if inherit.is_none() && (MIN_GROUPS..=MAX_GROUPS).contains(&o.len()) {
            self.cut_in_groups(o.values_mut().collect())?;
        }
        let tabled = match inherit {
            None => self.walk_side_table(o, parent, resource)?,
            Some(_) => None,
        };
        let keys: Vec<String> = o
            .keys()
            .filter(|k| Some(*k) != tabled.as_ref())
            .cloned()
            .collect();
        let mut remove = Vec::new();
        // Read before the walk rewrites the extension's own `url`.
        let extension = extension_type(o);
        let labelled = self.labelled_type(o).or_else(|| self.coded_type(o));
        let years = is_years_quantity(o);
        for k in keys {
            let key = normalize_key(&k);
            let mut field = classify(self.engine, self.fhir, &key, parent, o, resource);
            if let (Field::Scan, Some(ty)) = (field, inherit) {
                field = Field::Phi(ty);
            }
            // An extension's `url` inside a PHI element (`_birthDate`'s `patient-birthTime`)
            // names the extension, by HL7's own canonical URL; its `value[x]` keeps the type.
            if self.fhir
                && key == "url"
                && o.keys().any(|k| k.starts_with("value"))
                && o.get(&k)
                    .and_then(Value::as_str)
                    .is_some_and(is_hl7_extension_url)
            {
                continue;
            }
            // An `instant` (`meta.lastUpdated`, `Bundle.timestamp`, `issued`) needs its
            // time and zone: generalised to its year, it is written as that year's first
            // second (documented convention), so the resource still validates.
            let instant = self.fhir
                && is_instant_element(&key, resource)
                && o.get(&k)
                    .and_then(Value::as_str)
                    .is_some_and(is_full_instant);
            if let Some(Value::String(s)) = member(o, &k) {
                field = self.engine.fields.text_field(field, &key);
                // `{"family": "vukovljevic"}`: a name key's lower-case value (J2).
                if field == Field::Scan && self.engine.is_named_under(&key, s) {
                    field = Field::Phi(PhiType::Name);
                }
            }
            if field == Field::Scan
                && (key.starts_with("value") || PAIRED_VALUE_KEYS.contains(&&*key))
            {
                if let Some(ty) = extension.or(labelled) {
                    field = Field::Phi(ty);
                }
            }
            // A quantity in years is an age (`Observation.valueQuantity` of LOINC 30525-0,
            // `{"value": 93, "unit": "a"}`): aggregated past 89, kept below (red team 52, H2).
            if key == "value" && years && matches!(field, Field::Scan | Field::Keep) {
                field = Field::Phi(PhiType::Age);
            }
            // A GraphQL request's variables take the type of the argument each is bound to.
            if key == "variables" && inherit.is_none() {
                let bound = o
                    .get("query")
                    .and_then(Value::as_str)
                    .map(graphql::bindings)
                    .unwrap_or_default();
                if let (false, Some(Value::Object(vars))) = (bound.is_empty(), o.get_mut(&k)) {
                    self.walk_variables(vars, &bound, resource)?;
                    continue;
                }
            }
            // A questionnaire item's answers take the type its label gives (`linkId: "age"`).
            if key == "answer" && inherit.is_none() {
                if let Some(ty) = labelled {
                    if let Some(x) = member_mut(o, &k) {
                        self.walk(x, Some(&*key), resource, Some(ty))?;
                    }
                    continue;
                }
            }
            // Only an attachment reads it; read here, before `x` borrows the object.
            let content_type = match field {
                Field::Attachment => member(o, "contentType")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                _ => None,
            };
            // A person's narrative is generated from the fields around it and holds their
            // name, birth date and address: it is dropped whole (`text` is optional in FHIR).
            let person = matches!(
                resource,
                Some("Patient" | "RelatedPerson" | "Person" | "Practitioner")
            );
            if self.fhir && key == "text" && person && has_member(o, "resourceType") {
                remove.push(k.clone());
                continue;
            }
            // A coding's code sits beside its code system: a long number there is kept
            // only as a concept id of a terminology that writes them (SNOMED CT by its
            // check digit, RxNorm); beside any other system it is read like any value.
            let system = (field == Field::Keep && key == "code")
                .then(|| {
                    member(o, "system")
                        .and_then(Value::as_str)
                        .map(str::to_string)
                })
                .flatten();
            let coded = system.as_deref();
            let coded_system = (key == "display")
                .then(|| o.get("system").and_then(Value::as_str).map(str::to_string))
                .flatten();
            let coded_system = coded_system.as_deref();
            let Some(x) = member_mut(o, &k) else { continue };
            if self.protocol_field(&k, x)? {
                continue;
            }
            // A CDC Race & Ethnicity coding's display (`Asian` beside `2028-9`; J27).
            if key == "display"
                && coded_system == Some(CDC_RACE_ETHNICITY)
                && x.as_str()
                    .is_some_and(|d| protocol::is_race_category(None, d))
            {
                continue;
            }
            match field {
                // A code, unit or status: kept only while it reads as one
                // ([`Engine::keeps_code`]); a name, date, identifier, encoded text or free
                // text under such a key is read like any value, and an object
                // (`code.text`, `code.coding`) is walked.
                Field::Keep => match x {
                    Value::String(s)
                        if !self.keeps_code(s, coded) || !self.engine.fields.keep_fits(&key, s) =>
                    {
                        self.scan_in_place(s)?
                    }
                    // A list of codes or URLs (`meta.profile`, `name.prefix`): each item is
                    // kept while it reads as one, as a single value would be.
                    Value::Array(a) => {
                        for item in a.iter_mut() {
                            match item {
                                Value::String(s)
                                    if self.keeps_code(s, None)
                                        && self.engine.fields.keep_fits(&key, s) => {}
                                Value::String(s) => self.scan_in_place(s)?,
                                _ => self.walk(item, Some(&*key), resource, None)?,
                            }
                        }
                    }
                    Value::Object(_) => self.walk(x, Some(&*key), resource, None)?,
                    // A number of a record number's length is no code or count
                    // (`{"status":4135550172}`); beside a code system it is read as its
                    // digits are (a concept id of that terminology is kept).
                    Value::Number(n) => {
                        let digits = integral_digits(n);
                        let concept = coded.is_some_and(|sys| is_terminology_code(sys, &digits));
                        let ty = match shape::number_type(&digits) {
                            _ if concept => None,
                            Some(ty) => Some(ty),
                            // A long number beside a system that is no terminology of
                            // long codes: a record number filed as a code.
                            None if coded.is_some() && digits.len() > MAX_CODE_DIGITS => {
                                Some(PhiType::Id)
                            }
                            None => None,
                        };
                        if let Some(ty) = ty {
                            self.phi_number(ty, x, &digits)?;
                        }
                    }
                    _ => {}
                },
                Field::Remove => remove.push(k.clone()),
                Field::Phi(ty) => match x {
                    Value::String(s) => *s = self.phi_value(ty, s)?,
                    Value::Number(n) => {
                        let digits = integral_digits(n);
                        self.phi_number(ty, x, &digits)?;
                    }
                    Value::Object(_) | Value::Array(_) => {
                        self.walk(x, Some(&*key), resource, Some(ty))?
                    }
                    _ => {}
                },
                Field::Attachment => {
                    if !self.attachment(x, content_type.as_deref())? {
                        remove.push(k.clone());
                    }
                }
                // `request.url` of a transaction's POST is the resource type alone
                // (`Encounter`): no id to replace. Only a type FHIR defines is kept.
                Field::Reference
                    if key == "url"
                        && x.as_str()
                            .is_some_and(|u| self.engine.fields.is_resource_type(u)) => {}
                // An id or reference of another JSON type is still read: a number becomes
                // a token like a string id, and an object or array is walked as data.
                Field::ResourceId | Field::Reference => match x {
                    Value::String(s) => *s = reference::pseudonymise(self, s)?,
                    Value::Number(n) => *x = Value::String(self.id_token(&n.to_string())?),
                    Value::Object(_) | Value::Array(_) => {
                        self.walk(x, Some(&*key), resource, None)?
                    }
                    Value::Bool(_) | Value::Null => {}
                },
                Field::Scan | Field::Contact | Field::Identifier | Field::Display => {
                    self.walk(x, Some(&*key), resource, None)?;
                }
            }
            if instant {
                if let Some(Value::String(s)) = o.get_mut(&k) {
                    if s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit()) {
                        s.push_str("-01-01T00:00:00Z");
                    }
                }
            }
        }
        for k in remove {
            o.shift_remove(&k);
        }
        self.scan_keys(o)
    }

    /// A JSON Schema (an LLM tool's `input_schema`/`parameters`, a structured output's
    /// `schema`, an OpenAPI schema; red team 55, J25). Its keywords are structure: `type`
    /// and `format` are kept while they are names of the schema's vocabulary, `pattern`
    /// while it spells nothing ([`protocol::is_literal_free_pattern`]), `$ref`/`$id` while
    /// they read as codes do, `required` while each name reads as a field name does. The
    /// subschemas under `properties` are schemas in turn, not values of a field of that
    /// name: only the instances a subschema holds (`enum`, `const`, `default`, `examples`)
    /// and its keys that are no keyword take the type the property's name gives (`ty`).
    /// `description`, `title` and `$comment` are read as text.
    fn walk_schema(
        &mut self,
        o: &mut Map<String, Value>,
        parent: Option<&str>,
        resource: Option<&str>,
        ty: Option<PhiType>,
    ) -> Result<(), ScanError> {
        let old = std::mem::take(o);
        let mut order = Vec::with_capacity(old.len());
        let mut others = Map::new();
        let mut done = Map::new();
        for (k, mut x) in old {
            if !is_schema_keyword(&k) {
                order.push(None);
                others.insert(k, x);
                continue;
            }
            self.schema_keyword(&k, &mut x, resource, ty)?;
            order.push(Some(k.clone()));
            done.insert(k, x);
        }
        // The rest is an ordinary object whose fields are the property's (fail closed).
        if !others.is_empty() {
            self.walk_object(&mut others, parent, resource, ty)?;
        }
        let mut rest = others.into_iter();
        for k in order {
            let (k, v) = match k {
                Some(k) => match done.shift_remove_entry(&k) {
                    Some(kv) => kv,
                    None => continue,
                },
                None => match rest.next() {
                    Some(kv) => kv,
                    None => continue,
                },
            };
            if o.insert(k, v).is_some() {
                return Err(ScanError::KeyCollision);
            }
        }
        for (k, v) in rest {
            if o.insert(k, v).is_some() {
                return Err(ScanError::KeyCollision);
            }
        }
        Ok(())
    }

    /// One keyword of a schema ([`Walker::walk_schema`]).
    fn schema_keyword(
        &mut self,
        k: &str,
        x: &mut Value,
        resource: Option<&str>,
        ty: Option<PhiType>,
    ) -> Result<(), ScanError> {
        let kept = match (k, &*x) {
            ("type", Value::String(v)) => protocol::is_schema_type(v),
            ("type", Value::Array(a)) => a
                .iter()
                .all(|v| v.as_str().is_some_and(protocol::is_schema_type)),
            ("format", Value::String(v)) => protocol::is_schema_format(v),
            ("pattern", Value::String(v)) => protocol::is_literal_free_pattern(v),
            ("$schema", Value::String(v)) if protocol::is_schema_dialect(v) => true,
            ("$ref" | "$id" | "$schema" | "$anchor" | "$dynamicRef", Value::String(v)) => {
                let v = v.clone();
                self.keeps_code(&v, None)
            }
            ("required", Value::Array(a)) => {
                let names: Vec<String> = a
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect();
                names.len() == a.len() && names.iter().all(|n| self.reads_as_field_name(n))
            }
            _ => false,
        };
        if kept {
            return Ok(());
        }
        match k {
            "properties" | "patternProperties" | "$defs" | "definitions" | "dependentSchemas" => {
                let Value::Object(props) = x else {
                    return self.walk(x, Some(k), resource, None);
                };
                for (name, sub) in props.iter_mut() {
                    let named = match self.engine.fields.generic(&normalize_key(name), None) {
                        Field::Phi(t) => Some(t),
                        _ => None,
                    };
                    match sub {
                        Value::Object(sub) => self.walk_schema(sub, Some(k), resource, named)?,
                        Value::Bool(_) => {}
                        _ => self.walk(sub, Some(k), resource, named)?,
                    }
                }
                // The property names are keys like any other.
                self.scan_keys(props)
            }
            "items"
            | "additionalProperties"
            | "not"
            | "if"
            | "then"
            | "else"
            | "contains"
            | "propertyNames"
            | "additionalItems"
            | "unevaluatedProperties"
            | "unevaluatedItems"
            | "allOf"
            | "anyOf"
            | "oneOf"
            | "prefixItems" => match x {
                Value::Object(sub) => self.walk_schema(sub, Some(k), resource, ty),
                Value::Array(a) => {
                    for sub in a.iter_mut() {
                        match sub {
                            Value::Object(sub) => self.walk_schema(sub, Some(k), resource, ty)?,
                            Value::Bool(_) => {}
                            _ => self.walk(sub, Some(k), resource, ty)?,
                        }
                    }
                    Ok(())
                }
                Value::Bool(_) => Ok(()),
                _ => self.walk(x, Some(k), resource, ty),
            },
            "description" | "title" | "$comment" => self.walk(x, Some(k), resource, None),
            // Instances of the field (and any keyword that was not kept above): typed by
            // the property's name.
            _ => match (ty, &mut *x) {
                (Some(t), Value::Number(n)) => {
                    let digits = integral_digits(n);
                    self.phi_number(t, x, &digits)
                }
                _ => self.walk(x, Some(k), resource, ty),
            },
        }
    }

    /// A name in a schema's `required` list, read as a key is ([`Walker::scan_keys`]).
    fn reads_as_field_name(&self, k: &str) -> bool {
        schema_like(k)
            && !self.engine.is_name_slug(k)
            && !self.engine.detector.holds_glued_name(k)
            && !crate::phi::token::holds_minted(k)
    }

    /// Object keys are data too (a map keyed by MRN, e-mail or name). Keys shaped like
    /// schema names ([`schema_like`]) are left alone, which keeps the detector off the path
    /// for FHIR and ordinary JSON, unless they hold a name glued in camel case
    /// (`patientRosalindThackeray`: scanned) or are names joined by `_` or `-`
    /// (`rosalind_thackeray`: a name whole); any other key is scanned like free text and
    /// renamed, in place, when it holds PHI. Two keys that would become one are refused,
    /// not merged.
    fn scan_keys(&mut self, o: &mut Map<String, Value>) -> Result<(), ScanError> {
        let glued = |k: &str| self.engine.detector.holds_glued_name(k);
        // A key in a token's shape is read, so only a token the store issued is kept (H24).
        let minted = crate::phi::token::holds_minted;
        // `$ref`, `$gte`, `@context`: a JSON Schema's, OData's, MongoDB's or JSON-LD's own.
        // A field name the rules list, in any language and case (`Vorname`, `PLZ`,
        // `Geburtsdatum`; red team 58, P10), is a key's name whole, not a name in it.
        let schema = |k: &str| {
            protocol::is_operator_key(k)
                || protocol::is_cdisc_variable(k)
                || (schema_like(k) && !self.engine.is_name_slug(k) && !glued(k) && !minted(k))
                || self.engine.fields.is_field_name(k)
        };
        // A key that is a name or user name learned in the payload (`rosalind`,
        // `rthackeray`; red team 58, R19) is the person, however schema-like.
        let learned_name = |k: &str| self.learned.is_name(k);
        // A column name in capitals (`SPOUSE_NM`) is a field name too (H16).
        let mut kept: Vec<bool> = o.keys().map(|k| schema(k) && !learned_name(k)).collect();
        for (k, keep) in o.keys().zip(kept.iter_mut()) {
            if !*keep {
                *keep = self
                    .engine
                    .keeps_column_name(k, &self.learned, self.scratch);
            }
        }
        if kept.iter().all(|k| *k) {
            return Ok(());
        }
        let old = std::mem::take(o);
        for ((k, v), keep) in old.into_iter().zip(kept) {
            let vocabulary = protocol::is_operator_key(&k) || protocol::is_cdisc_variable(&k);
            let dated = shape::value_type(&k) == Some(PhiType::Date);
            let k = if keep && (!schema_like(&k) || vocabulary) {
                k
            } else if self.engine.column_name_holds_a_name(&k) && shape::value_type(&k).is_none() {
                self.phi_value(PhiType::Name, &k)?
            } else if !schema_like(&k) || self.engine.detector.holds_glued_name(&k) || minted(&k) {
                self.scan(&k)?
            } else if self.engine.is_name_slug(&k) || self.learned.is_name(&k) {
                self.phi_value(PhiType::Name, &k)?
            } else {
                k
            };
            let k = if dated { distinct_key(o, k) } else { k };
            if o.insert(k, v).is_some() {
                return Err(ScanError::KeyCollision);
            }
        }
        Ok(())
    }

    /// A field an API client writes about the call (red team 55, J24), handled here and
    /// not by its key's rule: an API version under its key (kept by grammar), an LLM
    /// response's `created` time (a date, kept a number: the year's first second where the
    /// policy generalises dates) and a `logit_bias` map of token ids. Returns whether it
    /// was handled.
    fn protocol_field(&mut self, k: &str, x: &mut Value) -> Result<bool, ScanError> {
        match x {
            Value::String(s) => {
                Ok(protocol::is_keyed_protocol_value(k, s)
                    || protocol::is_race_category(Some(k), s))
            }
            Value::Number(n) => {
                let digits = integral_digits(n);
                if !protocol::is_unix_created(k, &digits) {
                    return Ok(false);
                }
                let Some(iso) = digits.parse().ok().and_then(protocol::unix_to_iso) else {
                    return Ok(false);
                };
                let out = self.phi_value(PhiType::Date, &iso)?;
                if out != iso {
                    *x = match protocol::year_start_unix(&out) {
                        Some(secs) => Value::from(secs),
                        None => Value::String(out),
                    };
                }
                Ok(true)
            }
            Value::Object(o) if normalize_key(k) == "logitbias" => Ok(is_token_bias_map(o)),
            _ => Ok(false),
        }
    }

    fn phi_value(&mut self, ty: PhiType, s: &str) -> Result<String, ScanError> {
        if s.trim().is_empty() {
            return Ok(s.to_string());
        }
        Ok(self.t.apply_field(ty, s, &self.ctx, &mut self.counts)?)
    }

    /// A table written as JSON arrays (red team 55, J5): a header row then rows of values
    /// (`[["mrn","zip"],["4410827","01085"]]`, Sheets `values`), or entry pairs
    /// (`[["age",93],["zip","01085"]]`). Each row is read as the object its header makes
    /// of it, so a cell is typed by its column's name as a value by its key; `false` when
    /// `a` is no such table (it is then walked item by item).
    fn walk_table(
        &mut self,
        a: &mut [Value],
        parent: Option<&str>,
        resource: Option<&str>,
    ) -> Result<bool, ScanError> {
        if let Some(pairs) = self.entry_pairs(a) {
            for (row, name) in a.iter_mut().zip(pairs) {
                if let Value::Array(cells) = row {
                    self.walk_row(&[name], &mut cells[1..], parent, resource)?;
                }
            }
            return Ok(true);
        }
        let Some((head, rows)) = a.split_first_mut() else {
            return Ok(false);
        };
        let Some(names) = self.header_names(head) else {
            return Ok(false);
        };
        let width = names.len();
        let all_rows = rows
            .iter()
            .all(|r| r.as_array().is_some_and(|c| c.len() == width));
        if rows.is_empty() || !all_rows {
            return Ok(false);
        }
        for row in rows.iter_mut() {
            if let Value::Array(cells) = row {
                self.walk_row(&names, cells, parent, resource)?;
            }
        }
        Ok(true)
    }

    /// The column names of a header (every cell a short key-like string, no two alike,
    /// one at least a known field), or `None`.
    fn header_names(&self, head: &Value) -> Option<Vec<String>> {
        let cells = head.as_array()?;
        if cells.len() < 2 {
            return None;
        }
        let names: Vec<String> = cells
            .iter()
            .map(|c| {
                c.as_str()
                    .filter(|s| super::csv::key_like(s))
                    .map(str::to_string)
            })
            .collect::<Option<_>>()?;
        let distinct: std::collections::HashSet<&String> = names.iter().collect();
        let known = names.iter().any(|n| self.known_field(n));
        (distinct.len() == names.len() && known).then_some(names)
    }

    /// Entry pairs: two rows or more, each `[name, value]` with every name a known field.
    fn entry_pairs(&self, a: &[Value]) -> Option<Vec<String>> {
        if a.len() < 2 {
            return None;
        }
        a.iter()
            .map(|row| match row.as_array()?.as_slice() {
                [Value::String(k), _] if self.known_field(k) => Some(k.clone()),
                _ => None,
            })
            .collect()
    }

    fn known_field(&self, name: &str) -> bool {
        let key = normalize_key(name);
        let f = self.engine.fields.generic(&key, None);
        self.engine.fields.text_field(f, &key) != Field::Scan
    }

    /// A table whose column names stand beside its rows (red team 55, J5): pandas
    /// `orient="split"` (`columns` + `data`), parallel arrays (`keys` + `values`),
    /// BigQuery (`schema.fields[].name` + `rows[].f[].v`). Each row is read as the object
    /// its names make of it; returns the key of the rows so the object's walk passes it.
    fn walk_side_table(
        &mut self,
        o: &mut Map<String, Value>,
        parent: Option<&str>,
        resource: Option<&str>,
    ) -> Result<Option<String>, ScanError> {
        let Some(names) = TABLE_NAME_KEYS
            .iter()
            .find_map(|k| o.get(*k).and_then(|v| self.side_names(v, 0)))
        else {
            return Ok(None);
        };
        let width = names.len();
        let Some(key) = TABLE_ROW_KEYS
            .iter()
            .find(|k| o.get(**k).is_some_and(|v| rows_fit(v, width)))
        else {
            return Ok(None);
        };
        let Some(Value::Array(rows)) = o.get_mut(*key) else {
            return Ok(None);
        };
        if rows.len() == width && !rows.iter().all(Value::is_array) {
            // Parallel arrays: the values are one row.
            self.walk_row(&names, rows, parent, resource)?;
            return Ok(Some(key.to_string()));
        }
        for row in rows.iter_mut() {
            match row {
                Value::Array(cells) => self.walk_row(&names, cells, parent, resource)?,
                Value::Object(r) => {
                    let Some(Value::Array(f)) = r.get_mut("f") else {
                        continue;
                    };
                    let mut cells: Vec<Value> = f
                        .iter_mut()
                        .map(|c| c.get_mut("v").map(std::mem::take).unwrap_or(Value::Null))
                        .collect();
                    self.walk_row(&names, &mut cells, parent, resource)?;
                    for (c, v) in f.iter_mut().zip(cells) {
                        if let Some(slot) = c.get_mut("v") {
                            *slot = v;
                        }
                    }
                }
                _ => {}
            }
        }
        Ok(Some(key.to_string()))
    }

    /// Column names given beside a table: strings, objects with a `name`, or a schema
    /// object holding them under `fields` (checked as a header row is).
    fn side_names(&self, v: &Value, depth: usize) -> Option<Vec<String>> {
        match v {
            Value::Object(s) if depth == 0 => s.get("fields").and_then(|f| self.side_names(f, 1)),
            Value::Array(items) => {
                let names: Vec<Value> = items
                    .iter()
                    .map(|i| match i {
                        Value::Object(f) => f.get("name").cloned().unwrap_or(Value::Null),
                        other => other.clone(),
                    })
                    .collect();
                self.header_names(&Value::Array(names))
            }
            _ => None,
        }
    }

    /// One row of a table: its cells walked as the values of an object keyed by `names`
    /// (the same rules as a value under its key), then put back in place; a cell its
    /// column removes becomes `null`, so the row keeps its width.
    fn walk_row(
        &mut self,
        names: &[String],
        cells: &mut [Value],
        parent: Option<&str>,
        resource: Option<&str>,
    ) -> Result<(), ScanError> {
        let mut o = Map::new();
        for (n, c) in names.iter().zip(cells.iter_mut()) {
            o.insert(n.clone(), std::mem::take(c));
        }
        self.walk_object(&mut o, parent, resource, None)?;
        if o.len() == names.len() {
            for (c, (_, v)) in cells.iter_mut().zip(o) {
                *c = v;
            }
        } else {
            for (n, c) in names.iter().zip(cells.iter_mut()) {
                *c = o.shift_remove(n).unwrap_or(Value::Null);
            }
        }
        Ok(())
    }

    /// An array that spells a value out one character to an element (`["R","o","s",…]`,
    /// `[5,1,2,4,7,3,3,0,6]`): read as the text its elements make together, and, when that
    /// changes, written back one character to an element. Each element alone is too short
    /// for anything to be read in it.
    fn spelled_out(&mut self, a: &mut [Value]) -> Result<(), ScanError> {
        if a.len() < MIN_SPELLED_OUT {
            return Ok(());
        }
        let mut joined = String::with_capacity(a.len());
        for x in a.iter() {
            match x {
                Value::String(c) if c.chars().count() == 1 => joined.push_str(c),
                Value::Number(n) => match n.as_u64().filter(|d| *d < 10) {
                    Some(d) => joined.push_str(&d.to_string()),
                    None => return Ok(()),
                },
                _ => return Ok(()),
            }
        }
        let mut out = joined.clone();
        self.scan_in_place(&mut out)?;
        if out != joined {
            let chars: Vec<Value> = out.chars().map(|c| Value::from(c.to_string())).collect();
            // The elements after the rewritten value's characters are emptied: the array
            // keeps its length, so no position of the caller's shifts.
            for (k, x) in a.iter_mut().enumerate() {
                *x = chars.get(k).cloned().unwrap_or_else(|| Value::from(""));
            }
            let n = a.len();
            if chars.len() > n {
                if let Some(last) = a.last_mut() {
                    *last = Value::from(out.chars().skip(n - 1).collect::<String>());
                }
            }
        }
        Ok(())
    }

    /// An array's elements or an object's values that are all short groups of digits
    /// (`["512","47","3306"]`, `{"area":"413","exchange":"555","line":"0172"}`): read
    /// joined with dashes, a shape no group has alone (an SSN, a phone number, a date) is
    /// one value cut in pieces. The first piece takes the value's token and the rest are
    /// emptied, so no position of the caller's shifts.
    fn cut_in_groups(&mut self, mut items: Vec<&mut Value>) -> Result<(), ScanError> {
        if !(MIN_GROUPS..=MAX_GROUPS).contains(&items.len()) {
            return Ok(());
        }
        let mut groups = Vec::with_capacity(items.len());
        let mut last_is_number = false;
        let all_numbers = items.iter().all(|x| x.is_number());
        for x in &items {
            let group = match &**x {
                Value::String(s) => s.trim().to_string(),
                Value::Number(n) if n.is_u64() => n.to_string(),
                _ => return Ok(()),
            };
            last_is_number = x.is_number();
            let digits = (1..=MAX_GROUP_DIGITS).contains(&group.len())
                && group.bytes().all(|b| b.is_ascii_digit());
            if !digits {
                return Ok(());
            }
            groups.push(group);
        }
        if last_is_number {
            pad_phone_line(&mut groups);
        }
        let joined = groups.join("-");
        // A date's shape alone takes vital signs (`120-80-72`): the groups must name a day.
        // Numbers with a two-digit year are sets, reps and pounds (`[3,10,12]`, red team
        // 58, P2): a date written as numbers has its year whole (`[1961,8,23]`).
        let Some(ty) = shape::value_type(&joined)
            .filter(|ty| matches!(ty, PhiType::Ssn | PhiType::Phone | PhiType::Date))
            .filter(|ty| *ty != PhiType::Date || names_a_day(&groups))
            .filter(|ty| {
                *ty != PhiType::Date || !all_numbers || groups.iter().any(|g| g.len() == 4)
            })
        else {
            return Ok(());
        };
        let token = self.phi_value(ty, &joined)?;
        if let Some((first, rest)) = items.split_first_mut() {
            **first = Value::from(token);
            for x in rest {
                **x = Value::from("");
            }
        }
        Ok(())
    }

    /// The type an Observation's `code` gives its `value[x]`: a coding `[observation_codes]`
    /// in `patterns/fields.toml` types (LOINC 45392-8 a first name, 30525-0 an age), or a
    /// `code.text` that is a PHI key written out (`First name`, `Census tract`). The code is
    /// the key the resource did not write (red team 55, J2 addendum and J12).
    fn coded_type(&self, o: &Map<String, Value>) -> Option<PhiType> {
        let code = o.get("code")?.as_object()?;
        let coded = code
            .get("coding")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|c| c.get("code").and_then(Value::as_str))
            .find_map(|c| self.engine.fields.observation_type(c));
        if coded.is_some() {
            return coded;
        }
        let text = code.get("text")?.as_str()?;
        if text.len() > MAX_LABEL_LEN {
            return None;
        }
        match self.engine.fields.generic(&normalize_key(text), None) {
            Field::Phi(ty) => Some(ty),
            _ => None,
        }
    }

    /// The type the label of a label/value pair gives its value, read as a key would be
    /// (`{"name": "Age", "value": "93"}`, a FHIR Parameters `name`, a questionnaire item's
    /// `linkId` or `text`, a custom-field list's `label`): the label is the key the
    /// exporter did not write (red team 52, H2 and H23).
    fn labelled_type(&self, o: &Map<String, Value>) -> Option<PhiType> {
        if let Some(ty) = self.patch_path_type(o) {
            return Some(ty);
        }
        LABEL_KEYS.iter().find_map(|k| {
            let label = member(o, k)?.as_str()?;
            if label.len() > MAX_LABEL_LEN {
                return None;
            }
            match self.engine.fields.generic(&normalize_key(label), None) {
                Field::Phi(ty) => Some(ty),
                _ => self.engine.fields.phrase(label),
            }
        })
    }

    /// The type of a JSON Patch operation's `value` (RFC 6902, FHIR PATCH): the field its
    /// `path` points to (`{"op": "replace", "path": "/name/0/family", "value": …}`), read as
    /// a key from the path's last segment back (`/telecom/0/value` is a telecom's; red team
    /// 58, R6). Indexes and `-` (the end of an array) name no field.
    fn patch_path_type(&self, o: &Map<String, Value>) -> Option<PhiType> {
        member(o, "op")?.as_str()?;
        let path = member(o, "path")?.as_str()?;
        if path.len() > MAX_LABEL_LEN {
            return None;
        }
        path.rsplit(['/', '.'])
            .filter(|seg| {
                !seg.is_empty() && *seg != "-" && !seg.bytes().all(|b| b.is_ascii_digit())
            })
            .find_map(
                |seg| match self.engine.fields.generic(&normalize_key(seg), None) {
                    Field::Phi(ty) => Some(ty),
                    _ => None,
                },
            )
    }

    /// The number `v` (written `digits`) of a field typed `ty`, rewritten into a string; an
    /// age under 90 stays the number it was (`apply_field` keeps it).
    fn phi_number(&mut self, ty: PhiType, v: &mut Value, digits: &str) -> Result<(), ScanError> {
        if !(ty == PhiType::Age && age_under_90(digits)) {
            let out = self.phi_value(ty, digits)?;
            // A FHIR integer (or a GraphQL `Int`) must stay one.
            *v = if (self.fhir || self.typed_numbers) && ty == PhiType::Age && out == AGE_AGGREGATE
            {
                Value::from(90)
            } else {
                Value::String(out)
            };
        }
        Ok(())
    }

    fn scan(&mut self, s: &str) -> Result<String, ScanError> {
        self.engine.scan_value(
            s,
            &self.learned,
            self.t,
            &self.ctx,
            self.scratch,
            &mut self.counts,
        )
    }

    /// Whether a value under a `keep` key stays as written ([`Engine::keeps_code_in`]).
    fn keeps_code(&mut self, s: &str, coded: Option<&str>) -> bool {
        self.engine
            .keeps_code_in(s, &self.learned, coded, self.scratch)
    }

    /// [`Walker::scan`] in place: a string in which nothing changed (most of a document's)
    /// is left as it is, not copied.
    fn scan_in_place(&mut self, s: &mut String) -> Result<(), ScanError> {
        let changed = match self.engine.scan_value_cow(
            s,
            &self.learned,
            self.t,
            &self.ctx,
            self.scratch,
            &mut self.counts,
        )? {
            Cow::Owned(new) => Some(new),
            Cow::Borrowed(_) => None,
        };
        if let Some(new) = changed {
            *s = new;
        }
        Ok(())
    }

    fn id_token(&mut self, id: &str) -> Result<String, ScanError> {
        let token = self.t.apply_value(PhiType::Id, id, &self.ctx)?;
        self.counts[PhiType::Id.index()] += 1;
        Ok(token)
    }

    /// Base64 attachment data: text is decoded, scanned and re-encoded; anything else (or
    /// anything that does not decode) is removed. Returns whether the value was kept.
    fn attachment(&mut self, x: &mut Value, content_type: Option<&str>) -> Result<bool, ScanError> {
        let Value::String(data) = x else {
            return Ok(false);
        };
        let walk = super::attachment::Walk {
            engine: self.engine,
            t: self.t,
            scratch: self.scratch,
            learned: &self.learned,
            ctx: &self.ctx,
            counts: &mut self.counts,
        };
        match super::attachment::rewrite(walk, data, content_type)? {
            Some(new) => {
                *data = new;
                Ok(true)
            }
            None => Ok(false),
        }
    }
}

/// A FHIR extension's `value[x]` typed by what its `url` says it holds
/// (`patient-mothersMaidenName` holds a name, `patient-birthPlace` a place).
/// Keys that name the value beside them in a label/value pair.
const LABEL_KEYS: [&str; 11] = [
    "name",
    "linkId",
    "label",
    "key",
    "field",
    "text",
    "title",
    "question",
    "prompt",
    "fieldName",
    "k",
];

/// The keys (normalised) besides `value…` and `answer` that hold a label's value: form
/// builders' `question`/`response` and `fieldName`/`fieldValue`, and `k`/`v` lists (red team
/// 55, J-n).
const PAIRED_VALUE_KEYS: [&str; 4] = ["response", "reply", "fieldvalue", "v"];

/// The longest label read as a key or a phrase (a longer text is a sentence, not a label).
const MAX_LABEL_LEN: usize = 96;

/// A FHIR Quantity in years (`unit` or UCUM `code` `a`, `yr`, `years`).
fn is_years_quantity(o: &Map<String, Value>) -> bool {
    ["code", "unit"].iter().any(|k| {
        member(o, k)
            .and_then(Value::as_str)
            .is_some_and(is_years_unit)
    }) && has_member(o, "value")
}

/// A unit of years, as UCUM (`a`) and people write it: a quantity in it is an age.
pub(super) fn is_years_unit(u: &str) -> bool {
    matches!(
        u.trim().to_ascii_lowercase().as_str(),
        "a" | "yr" | "yrs" | "year" | "years" | "y"
    )
}

fn extension_type(o: &Map<String, Value>) -> Option<PhiType> {
    let url = member(o, "url")?.as_str()?.to_ascii_lowercase();
    let tail = url.rsplit(['/', '#']).next().unwrap_or("");
    // `us-core-birthsex` holds a code (`F`), not a birth date.
    if tail.contains("birthsex") {
        return None;
    }
    if tail.contains("name") {
        Some(PhiType::Name)
    } else if tail.contains("birthplace") || tail.contains("address") {
        Some(PhiType::Address)
    } else if tail.contains("birth") || tail.contains("date") {
        Some(PhiType::Date)
    } else if tail.contains("identifier") || tail.contains("ssn") || tail.contains("mrn") {
        Some(PhiType::Id)
    } else {
        None
    }
}

/// A value shaped like a code, unit, status or URL: one short word, no contact detail.
pub(crate) fn keep_shaped(s: &str) -> bool {
    let view = crate::canon::Canon::of(s);
    let v = view.as_ref().map_or(s, crate::canon::Canon::text).trim();
    one_short_word(v) && !is_contact_or_ssn(shape::value_type(v))
}

/// The first half of [`keep_shaped`], on a value already read canonically and trimmed:
/// one word of at most 256 bytes, without a query mark or an `@`.
pub(crate) fn one_short_word(v: &str) -> bool {
    v.len() <= 256 && !v.contains(char::is_whitespace) && !v.contains(['?', '@'])
}

/// The second half of [`keep_shaped`]: a shape type that is a contact detail or an SSN.
pub(crate) fn is_contact_or_ssn(ty: Option<PhiType>) -> bool {
    matches!(ty, Some(PhiType::Email | PhiType::Ssn | PhiType::Phone))
}

/// A date key's rewrite kept apart from the keys already written (red team 58, P8): a
/// series keyed by day (`{"2026-11-30":…,"2026-12-02":…}`) generalises every key to its
/// year, and merging the days would lose data, so the second becomes `2026 (2)`, in the
/// order the object holds them. Any other collision is still refused.
fn distinct_key(o: &Map<String, Value>, k: String) -> String {
    if !o.contains_key(&k) {
        return k;
    }
    (2..=o.len() + 1)
        .map(|n| format!("{k} ({n})"))
        .find(|c| !o.contains_key(c))
        .unwrap_or(k)
}

/// How many groups of digits, and how long each at most, are read together as one value
/// cut in pieces ([`Walker::cut_in_groups`]): an SSN, a phone number or a date has two to
/// four groups of up to four digits (five for a ZIP+4's first).
const MIN_GROUPS: usize = 2;
const MAX_GROUPS: usize = 4;
const MAX_GROUP_DIGITS: usize = 5;

/// Whether three groups of digits are a calendar date in one of the orders people write
/// (month/day/year, day/month/year, year/month/day), with a two- or four-digit year.
fn names_a_day(groups: &[String]) -> bool {
    let [a, b, c] = groups else {
        return false;
    };
    let n = |g: &String| g.parse::<u32>().ok();
    let (Some(x), Some(y), Some(z)) = (n(a), n(b), n(c)) else {
        return false;
    };
    let month = |m: u32| (1..=12).contains(&m);
    let day = |d: u32| (1..=31).contains(&d);
    let year = |g: &String, v: u32| g.len() == 2 || (g.len() == 4 && (1850..=2150).contains(&v));
    (year(c, z) && ((month(x) && day(y)) || (day(x) && month(y))))
        || (a.len() == 4 && year(a, x) && month(y) && day(z))
}

/// `[413, 555, 172]`: a phone number's line written as a JSON number has lost its leading
/// zeros; they are put back when the groups before it are a US area code and exchange
/// (three digits each, neither starting with 0 or 1), so the groups read as the number.
/// Vital signs (`[120, 80, 72]`) have no such area code and stay.
fn pad_phone_line(groups: &mut [String]) {
    let nanp = |g: &String| g.len() == 3 && g.starts_with(|c: char| ('2'..='9').contains(&c));
    if let [area, exchange, line] = groups {
        if nanp(area) && nanp(exchange) && line.len() < 4 {
            *line = format!("{line:0>4}");
        }
    }
}

/// Fewest one-character elements read together as a value spelled out ([`Walker::spelled_out`]).
const MIN_SPELLED_OUT: usize = 4;

/// A JSON number's digits as an identifier is read from: an integer as written; a float
/// with no fraction (`512473306.0`, `5.12473306e8`) as the integer it is, and one too large
/// for that (`512473306512473306512473306` parsed as `5.1247330651247326e26`) as the digits
/// of its mantissa, which still hold the value written. Any other number as written.
fn integral_digits(n: &serde_json::Number) -> String {
    let written = n.to_string();
    match n.as_f64() {
        Some(f) if !n.is_i64() && !n.is_u64() && f.is_finite() && f.fract() == 0.0 => {
            if f.abs() < EXACT_F64 {
                // Below 2^53 a float with no fraction is an integer exactly.
                format!("{f:.0}")
            } else {
                let mantissa = written.split(['e', 'E']).next().unwrap_or(&written);
                mantissa.replace(['.', '-', '+'], "")
            }
        }
        _ => written,
    }
}

/// 2^53: every integer below it is a float exactly.
const EXACT_F64: f64 = 9_007_199_254_740_992.0;

/// The CDC Race & Ethnicity code system (PHIN VADS), which US Core's race and ethnicity
/// extensions code with.
const CDC_RACE_ETHNICITY: &str = "urn:oid:2.16.840.1.113883.6.238";

/// FHIR's data-absent-reason extension with one of its codes, and nothing else.
fn is_data_absent_reason(o: &Map<String, Value>) -> bool {
    o.len() == 2
        && o.get("url").and_then(Value::as_str)
            == Some("http://hl7.org/fhir/StructureDefinition/data-absent-reason")
        && o.get("valueCode").and_then(Value::as_str).is_some_and(|c| {
            matches!(
                c,
                "unknown"
                    | "asked-unknown"
                    | "temp-unknown"
                    | "not-asked"
                    | "asked-declined"
                    | "masked"
                    | "not-applicable"
                    | "unsupported"
                    | "as-text"
                    | "error"
                    | "not-a-number"
                    | "negative-infinity"
                    | "positive-infinity"
                    | "not-performed"
                    | "not-permitted"
            )
        })
}

/// A canonical URL of an extension HL7 defines (core FHIR or US Core): a fixed base and one
/// word of letters and hyphens (`patient-birthTime`).
pub(super) fn is_hl7_extension_url(u: &str) -> bool {
    [
        "http://hl7.org/fhir/StructureDefinition/",
        "http://hl7.org/fhir/us/core/StructureDefinition/",
    ]
    .iter()
    .any(|base| {
        u.strip_prefix(base).is_some_and(|w| {
            !w.is_empty()
                && w.len() <= 64
                && w.bytes().all(|b| b.is_ascii_alphabetic() || b == b'-')
        })
    })
}

/// The FHIR R4 elements of type `instant` (normalised keys): `meta.lastUpdated`,
/// `Bundle.timestamp`, `Observation`/`DiagnosticReport.issued`, `Provenance`/`AuditEvent`
/// `.recorded`, `Signature.when`, and an `Appointment`'s or a `Slot`'s `start`/`end`.
fn is_instant_element(key: &str, resource: Option<&str>) -> bool {
    matches!(
        key,
        "lastupdated" | "timestamp" | "issued" | "recorded" | "when"
    ) || (matches!(key, "start" | "end") && matches!(resource, Some("Appointment" | "Slot")))
}

/// A full FHIR instant: a date, a time with seconds and a zone (`2026-12-04T09:02:11Z`).
fn is_full_instant(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 20
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && (s.ends_with('Z') || b[b.len() - 6] == b'+' || b[b.len() - 6] == b'-')
}

/// JSON Schema's keywords that [`Walker::schema_keyword`] reads; any other key of a schema
/// object is a field of the object as usual.
fn is_schema_keyword(k: &str) -> bool {
    matches!(
        k,
        "type"
            | "format"
            | "pattern"
            | "$schema"
            | "$ref"
            | "$id"
            | "$anchor"
            | "$dynamicRef"
            | "required"
            | "properties"
            | "patternProperties"
            | "$defs"
            | "definitions"
            | "dependentSchemas"
            | "items"
            | "additionalProperties"
            | "not"
            | "if"
            | "then"
            | "else"
            | "contains"
            | "propertyNames"
            | "additionalItems"
            | "unevaluatedProperties"
            | "unevaluatedItems"
            | "allOf"
            | "anyOf"
            | "oneOf"
            | "prefixItems"
            | "description"
            | "title"
            | "$comment"
            | "enum"
            | "const"
            | "default"
            | "examples"
            | "example"
    )
}

/// An object that is a JSON Schema: one that names its meta-schema (`$schema`), or a
/// schema of an object (`type` `object` with `properties`, each an object or a boolean), or
/// one whose `type` is a schema type under a key that holds schemas (`input_schema`,
/// `parameters`, `schema`, OpenAPI's `schemas`). A value dressed as a schema gains little:
/// only vocabulary words stay unread, and the instances it holds keep their property's type.
fn is_schema_root(o: &Map<String, Value>, parent: Option<&str>) -> bool {
    if o.get("$schema").is_some_and(Value::is_string) {
        return true;
    }
    let typed = match o.get("type") {
        Some(Value::String(t)) => protocol::is_schema_type(t),
        Some(Value::Array(a)) => {
            !a.is_empty()
                && a.iter()
                    .all(|t| t.as_str().is_some_and(protocol::is_schema_type))
        }
        _ => false,
    };
    if !typed {
        return false;
    }
    let object_schema = o.get("type").and_then(Value::as_str) == Some("object")
        && o.get("properties").is_some_and(|p| {
            p.as_object()
                .is_some_and(|p| p.values().all(|v| v.is_object() || v.is_boolean()))
        });
    object_schema
        || matches!(
            parent,
            Some("inputschema" | "parameters" | "schema" | "outputschema" | "jsonschema")
        )
}

/// An OpenAI `logit_bias` map: tokenizer ids (at most six digits, no leading zero) to
/// biases from -100 to 100. Anything else under the key is read as usual.
fn is_token_bias_map(o: &Map<String, Value>) -> bool {
    o.iter().all(|(k, v)| {
        (1..=6).contains(&k.len())
            && k.bytes().all(|b| b.is_ascii_digit())
            && (k == "0" || !k.starts_with('0'))
            && v.as_f64().is_some_and(|b| (-100.0..=100.0).contains(&b))
    })
}

/// A key that reads like a field name: a lower-case start, then letters, `_` or `-`.
fn schema_like(k: &str) -> bool {
    k.starts_with(|c: char| c.is_ascii_lowercase())
        && k.bytes()
            .all(|b| b.is_ascii_alphabetic() || b == b'_' || b == b'-')
}

/// Keys that give a table's column names beside its rows ([`Walker::walk_side_table`]).
const TABLE_NAME_KEYS: &[&str] = &["columns", "header", "headers", "keys", "fields", "schema"];
/// Keys that hold the rows of such a table.
const TABLE_ROW_KEYS: &[&str] = &["data", "rows", "values", "records"];

/// Rows that fit `width` columns: arrays of that width, BigQuery rows (`{"f":[{"v":…}]}`)
/// of that width, or one row of that many values (parallel arrays).
fn rows_fit(v: &Value, width: usize) -> bool {
    let Some(rows) = v.as_array() else {
        return false;
    };
    let fits = |r: &Value| match r {
        Value::Array(c) => c.len() == width,
        Value::Object(o) => o
            .get("f")
            .and_then(Value::as_array)
            .is_some_and(|f| f.len() == width),
        _ => false,
    };
    !rows.is_empty()
        && (rows.iter().all(fits)
            || (rows.len() == width && !rows.iter().any(|r| r.is_array() || r.is_object())))
}
