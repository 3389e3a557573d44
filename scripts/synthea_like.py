#!/usr/bin/env python3
"""Synthea-style FHIR R4 bundles and clinical notes, labelled for the scorer (issue 13).

phigate is scored on corpora that include Synthea output: FHIR R4 transaction bundles and the
plain-text clinical notes Synthea writes base64 into DocumentReference `content.attachment`
and DiagnosticReport `presentedForm`. The real generator (Java, from a jar not on the package
registries this machine reaches) cannot run here, so this script writes documents of the
same shape, from Synthea's public description of its output: the FHIR R4 exporter's resource
fields and the text note template (`templates/notes/note.ftl`: date line, `# Chief
Complaint`, `# History of Present Illness` opening with the patient's first name and age,
social history, allergies, medications, assessment and plan). Every template here is this
project's own; no Synthea file is copied.

What Synthea puts in a record, all labelled (character offsets, the scorer's format):
  - names with digit suffixes (`Delphine417 Kshlerin58`), prefixes Mr./Mrs./Ms./Dr., maiden
    names, the mother's maiden name extension, practitioners `Dr. Jospeh404 Walter473`;
  - dates and date-times everywhere (`birthDate`, `period.start`, `issued`, `authoredOn`…);
  - addresses (street with Unit/Suite/Apt, town, ZIP) with geolocation latitude/longitude,
    the birthplace extension, facility names (`HAVERHILL HOSPITAL`, `PCP12345`);
  - phones `555-xxx-xxxx`, practitioner e-mails, identifiers: the person UUID (also the
    Patient id and every `urn:uuid:` reference to it), MRN, SSN `999-xx-xxxx`, driver's
    licence `S999…`, passport `X…X`, NPI (also inside conditional references);
  - ages (only 90 and over count under Safe Harbor; younger ones are labelled AGE and left
    out by `score.py --safe-harbor`).
Kept (unlabelled, must survive): codes and display texts (SNOMED, LOINC, RxNorm, CVX),
states, countries, race/ethnicity texts, units, values, insurer names, Synthea's narrative.

Records: per patient one bundle (`format: fhir-json`) and, since the scorer sees only the
raw JSON of a bundle (base64 hides a note's words), every note again as a `text` record.

    python3 scripts/synthea_like.py --seed 7 --patients 200 > /tmp/synthea-like.jsonl

Deterministic for a seed. Names, streets and e-mail users come from Faker (MIT licence);
the Massachusetts towns, ZIP prefixes and the clinical codes are public facts written out
here. Synthetic data only: every value is generated.
"""
import argparse
import base64
import datetime
import json
import random
import uuid

from corpus_common import fix_string_hashing, seeded_fakers


class Phi:
    """A PHI value (string or number) to be labelled where it is written."""

    def __init__(self, typ, value):
        self.typ, self.value = typ, value


class Mixed:
    """A string made of plain pieces and `Phi` pieces (`Practitioner?identifier=…|NPI`)."""

    def __init__(self, *parts):
        self.parts = tuple(q for p in parts for q in (p.parts if isinstance(p, Mixed) else (p,)))


class Doc:
    """Text with gold spans, built piece by piece."""

    def __init__(self):
        self.text, self.spans = "", []

    def add(self, s, typ=None):
        if typ and s:
            self.spans.append({"start": len(self.text), "end": len(self.text) + len(s),
                               "type": typ})
        self.text += s


def dump(doc, v, indent=0):
    """Pretty JSON (2 spaces, as Synthea writes) with spans for `Phi` values."""
    pad = "  " * indent
    if isinstance(v, dict):
        if not v:
            doc.add("{}")
            return
        doc.add("{\n")
        items = list(v.items())
        for i, (k, x) in enumerate(items):
            doc.add(pad + "  " + json.dumps(k) + ": ")
            dump(doc, x, indent + 1)
            doc.add(",\n" if i + 1 < len(items) else "\n")
        doc.add(pad + "}")
    elif isinstance(v, list):
        doc.add("[\n")
        for i, x in enumerate(v):
            doc.add(pad + "  ")
            dump(doc, x, indent + 1)
            doc.add(",\n" if i + 1 < len(v) else "\n")
        doc.add(pad + "]")
    elif isinstance(v, Phi):
        if isinstance(v.value, str):
            doc.add('"')
            doc.add(json.dumps(v.value)[1:-1], v.typ)
            doc.add('"')
        else:
            doc.add(json.dumps(v.value), v.typ)
    elif isinstance(v, Mixed):
        doc.add('"')
        for p in v.parts:
            if isinstance(p, Phi):
                doc.add(json.dumps(p.value)[1:-1], p.typ)
            else:
                doc.add(json.dumps(p)[1:-1])
        doc.add('"')
    else:
        doc.add(json.dumps(v))


def plain(v):
    """The value with `Phi`/`Mixed` unwrapped (for base64 payloads)."""
    if isinstance(v, Phi):
        return v.value
    if isinstance(v, Mixed):
        return "".join(plain(p) if isinstance(p, Phi) else p for p in v.parts)
    return v


# --- public facts: Massachusetts towns with a ZIP each, facilities' kinds ----------------

TOWNS = [("Haverhill", "01830"), ("Lawrence", "01841"), ("Lowell", "01852"),
         ("Worcester", "01608"), ("Springfield", "01103"), ("Boston", "02108"),
         ("Cambridge", "02139"), ("Quincy", "02169"), ("Brockton", "02301"),
         ("New Bedford", "02740"), ("Fall River", "02720"), ("Lynn", "01901"),
         ("Newton", "02458"), ("Somerville", "02143"), ("Framingham", "01701"),
         ("Waltham", "02451"), ("Malden", "02148"), ("Medford", "02155"),
         ("Taunton", "02780"), ("Chicopee", "01013"), ("Weymouth", "02188"),
         ("Revere", "02151"), ("Peabody", "01960"), ("Methuen", "01844"),
         ("Barnstable", "02630"), ("Pittsfield", "01201"), ("Attleboro", "02703"),
         ("Arlington", "02474"), ("Everett", "02149"), ("Salem", "01970"),
         ("Westfield", "01085"), ("Leominster", "01453"), ("Fitchburg", "01420"),
         ("Beverly", "01915"), ("Holyoke", "01040"), ("Marlborough", "01752"),
         ("Woburn", "01801"), ("Chelsea", "02150"), ("Braintree", "02184"),
         ("Shrewsbury", "01545"), ("Dartmouth", "02747"), ("Chelmsford", "01824"),
         ("Andover", "01810"), ("Natick", "01760"), ("Randolph", "02368"),
         ("Watertown", "02472"), ("Franklin", "02038"), ("Falmouth", "02540"),
         ("Tewksbury", "01876"), ("Dracut", "01826"), ("Billerica", "01821"),
         ("Amherst", "01002"), ("Northampton", "01060"), ("Gloucester", "01930"),
         ("Agawam", "01001"), ("Plymouth", "02360"), ("Milford", "01757"),
         ("Wakefield", "01880"), ("Stoughton", "02072"), ("Needham", "02492"),
         ("Burlington", "01803"), ("Danvers", "01923"), ("Saugus", "01906"),
         ("Easthampton", "01027"), ("Greenfield", "01301"), ("Gardner", "01440"),
         ("Marshfield", "02050"), ("Norwood", "02062"), ("Dedham", "02026"),
         ("Belmont", "02478"), ("Wellesley", "02481"), ("Athol", "01331"),
         ("Ware", "01082"), ("Sturbridge", "01566"), ("Nantucket", "02554"),
         ("Provincetown", "02657"), ("Lenox", "01240"), ("Hopkinton", "01748"),
         ("Westborough", "01581"), ("Ipswich", "01938")]
HOSPITAL_KINDS = ["HOSPITAL", "GENERAL HOSPITAL", "MEDICAL CENTER", "MEDICAL CTR",
                  "HEALTH CENTER", "COMMUNITY HEALTH CENTER", "URGENT CARE, P.C.",
                  "FAMILY PRACTICE", "PEDIATRICS, PC", "MEDICAL ASSOCIATES INC",
                  "HEALTHCARE LLC", "WALK-IN CLINIC"]
INSURERS = ["Medicaid", "Medicare", "Blue Cross Blue Shield", "Aetna", "Cigna Health",
            "UnitedHealthcare", "Humana", "Anthem", "NO_INSURANCE", "Dual Eligible"]
RACES = [("2106-3", "White"), ("2054-5", "Black or African American"), ("2028-9", "Asian"),
         ("1002-5", "American Indian or Alaska Native"), ("2131-1", "Other")]
ETHNIC = [("2186-5", "Not Hispanic or Latino", "non-hispanic"),
          ("2135-2", "Hispanic or Latino", "hispanic")]
CONDITIONS = [("444814009", "Viral sinusitis (disorder)"),
              ("195662009", "Acute viral pharyngitis (disorder)"),
              ("10509002", "Acute bronchitis (disorder)"),
              ("59621000", "Essential hypertension (disorder)"),
              ("44054006", "Diabetes mellitus type 2 (disorder)"),
              ("15777000", "Prediabetes (finding)"),
              ("162864005", "Body mass index 30+ - obesity (finding)"),
              ("40055000", "Chronic sinusitis (disorder)"),
              ("233678006", "Childhood asthma (disorder)"),
              ("53741008", "Coronary Heart Disease (disorder)"),
              ("68496003", "Polyp of colon (disorder)"),
              ("73595000", "Stress (finding)"), ("160903007", "Full-time employment (finding)"),
              ("424393004", "Reports of violence in the environment (finding)"),
              ("65363002", "Otitis media (disorder)"), ("43878008", "Streptococcal sore throat (disorder)"),
              ("26929004", "Alzheimer's disease (disorder)"), ("49436004", "Atrial fibrillation (disorder)"),
              ("230690007", "Cerebrovascular accident (disorder)"),
              ("271737000", "Anemia (disorder)"), ("370143000", "Major depressive disorder (disorder)"),
              ("399211009", "History of myocardial infarction (situation)"),
              ("84757009", "Epilepsy (disorder)"), ("62106007", "Concussion with no loss of consciousness (disorder)")]
MEDS = [("314076", "lisinopril 10 MG Oral Tablet"), ("860975", "24 HR Metformin hydrochloride 500 MG Extended Release Oral Tablet"),
        ("308136", "amLODIPine 2.5 MG Oral Tablet"), ("313782", "Acetaminophen 325 MG Oral Tablet"),
        ("834061", "Penicillin V Potassium 250 MG Oral Tablet"), ("308182", "Amoxicillin 250 MG Oral Capsule"),
        ("895994", "120 ACTUAT Fluticasone propionate 0.044 MG/ACTUAT Metered Dose Inhaler"),
        ("245314", "albuterol 5 MG/ML Inhalation Solution"), ("310965", "Ibuprofen 200 MG Oral Tablet"),
        ("197361", "amLODIPine 5 MG Oral Tablet"), ("1049221", "Acetaminophen 325 MG / oxyCODONE Hydrochloride 5 MG Oral Tablet"),
        ("312961", "Simvastatin 20 MG Oral Tablet"), ("1190795", "Clopidogrel 75 MG Oral Tablet"),
        ("855332", "Warfarin Sodium 5 MG Oral Tablet"), ("106892", "insulin isophane, human 70 UNT/ML / insulin, regular, human 30 UNT/ML Injectable Suspension [Humulin]")]
PROCS = [("430193006", "Medication Reconciliation (procedure)"),
         ("710824005", "Assessment of health and social care needs (procedure)"),
         ("171207006", "Depression screening (procedure)"),
         ("428211000124100", "Assessment of substance use (procedure)"),
         ("73761001", "Colonoscopy (procedure)"), ("117015009", "Throat culture (procedure)"),
         ("23426006", "Measurement of respiratory function (procedure)"),
         ("76601001", "Intramuscular injection (procedure)"),
         ("274804006", "Evaluation of uterine fundal height (procedure)")]
VACCINES = [("140", "Influenza, seasonal, injectable, preservative free"), ("113", "Td (adult) preservative free"),
            ("133", "Pneumococcal conjugate PCV 13"), ("62", "HPV, quadrivalent"), ("208", "SARS-COV-2 (COVID-19) vaccine, mRNA, spike protein, LNP, preservative free, 30 mcg/0.3mL dose")]
OBS = [("8302-2", "Body Height", "cm", 150, 190), ("29463-7", "Body Weight", "kg", 45, 120),
       ("39156-5", "Body mass index (BMI) [Ratio]", "kg/m2", 18, 38),
       ("8462-4", "Diastolic Blood Pressure", "mm[Hg]", 60, 95),
       ("8480-6", "Systolic Blood Pressure", "mm[Hg]", 100, 160),
       ("8867-4", "Heart rate", "/min", 55, 100), ("9279-1", "Respiratory rate", "/min", 12, 20),
       ("2339-0", "Glucose", "mg/dL", 70, 140), ("4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood", "%", 4, 9),
       ("2093-3", "Cholesterol [Mass/volume] in Serum or Plasma", "mg/dL", 150, 260),
       ("72514-3", "Pain severity - 0-10 verbal numeric rating [Score] - Reported", "{score}", 0, 10)]
ALLERGIES = ["allergy to mould", "house dust mite allergy", "shellfish allergy", "allergy to peanuts",
             "animal dander (substance)", "latex (substance)", "penicillin v (substance)",
             "grass pollen (substance)", "tree pollen (substance)"]
SYMPTOMS = ["Cough.", "Sore throat.", "Fever.", "Headache.", "Fatigue.", "Nasal congestion.",
            "Shortness of breath.", "Chest pain.", "Abdominal pain."]
ENC_TYPES = [("162673000", "General examination of patient (procedure)", "AMB"),
             ("185349003", "Encounter for check up (procedure)", "AMB"),
             ("185345009", "Encounter for symptom (procedure)", "AMB"),
             ("410620009", "Well child visit (procedure)", "AMB"),
             ("50849002", "Emergency room admission (procedure)", "EMER"),
             ("183452005", "Emergency hospital admission (procedure)", "IMP"),
             ("390906007", "Follow-up encounter (procedure)", "AMB")]
SYNTHEA = "https://github.com/synthetichealth/synthea"
NPI = "http://hl7.org/fhir/sid/us-npi"


def num_suffix(rng):
    return str(rng.randint(1, 999))


class World:
    """The seeded sources every record draws from."""

    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.fake = seeded_fakers(["en_US"], self.rng)["en_US"]
        self.orgs = [self.organization() for _ in range(40)]
        self.docs = [self.practitioner(o) for o in self.orgs for _ in range(2)]

    def uid(self):
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def name_part(self, first, female=None):
        f = self.fake
        if first:
            n = f.first_name_female() if female else (f.first_name_male() if female is False
                                                          else f.first_name())
        else:
            n = f.last_name()
        return n + num_suffix(self.rng)

    def street(self):
        return self.fake.street_address()

    def town(self):
        return self.rng.choice(TOWNS)

    def date_time(self, day):
        t = datetime.datetime.combine(day, datetime.time(self.rng.randint(0, 23),
                                                         self.rng.randint(0, 59), self.rng.randint(0, 59)))
        off = self.rng.choice(["-04:00", "-05:00"])
        return t.strftime("%Y-%m-%dT%H:%M:%S") + off

    def organization(self):
        town, zipc = self.town()
        r = self.rng.random()
        if r < 0.25:
            name = "PCP" + str(self.rng.randint(1000, 399999))
        elif r < 0.6:
            name = town.upper() + " " + self.rng.choice(HOSPITAL_KINDS)
        else:
            name = self.fake.last_name().upper() + " " + self.rng.choice(HOSPITAL_KINDS)
        digits = "".join(str(self.rng.randint(0, 9)) for _ in range(7))
        phone = self.rng.choice(["978", "617", "508", "413", "781"]) + digits
        if self.rng.random() < 0.4:
            phone = phone[:3] + "-" + phone[3:6] + "-" + phone[6:]
        return {"id": self.uid(), "name": name, "street": self.street().upper(),
                "city": town.upper() if self.rng.random() < 0.7 else town, "zip": zipc,
                "phone": phone, "lat": round(42 + self.rng.random(), 6),
                "lon": round(-72 + self.rng.random() * 1.5, 6)}

    def practitioner(self, org):
        female = self.rng.random() < 0.5
        return {"given": self.name_part(True, female), "family": self.name_part(False),
                "npi": "99999" + str(self.rng.randint(10000, 99999)), "org": org,
                "female": female}


def addr(w, street, city, zipc, lat=None, lon=None, state="MA"):
    a = {}
    if lat is not None:
        a["extension"] = [{"url": "http://hl7.org/fhir/StructureDefinition/geolocation",
                           "extension": [{"url": "latitude", "valueDecimal": Phi("LOCATION", lat)},
                                         {"url": "longitude", "valueDecimal": Phi("LOCATION", lon)}]}]
    a["line"] = [Phi("LOCATION", street)]
    a["city"] = Phi("LOCATION", city)
    a["state"] = state
    a["postalCode"] = Phi("LOCATION", zipc)
    a["country"] = "US"
    return a


def coding(system, code, display):
    return {"coding": [{"system": system, "code": code, "display": display}], "text": display}


SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"


def note_text(w, p, when, age, conds, meds, procs, vaccines, insurer, enc_conds):
    """A note in the shape of Synthea's text note template; returns a Doc."""
    d = Doc()
    d.add("\n")
    d.add(when.strftime("%Y-%m-%d"), "DATE")
    d.add("\n\n# Chief Complaint\n")
    syms = w.rng.sample(SYMPTOMS, w.rng.randint(0, 2))
    d.add("".join("- " + s + "\n" for s in syms) if syms else "No complaints.\n")
    d.add("\n# History of Present Illness\n")
    d.add(p["given"][0], "NAME")
    if w.rng.random() < 0.15 and len(p["given"]) > 1:
        d.add(" ")
        d.add(p["given"][1], "NAME")
    d.add(" is a ")
    if age > 0:
        d.add(str(age), "AGE")
        d.add(" year-old")
    else:
        months = w.rng.randint(1, 11)
        d.add(f"{months} month-old")
    d.add(f" {p['ethnic'][2]} {p['race'][1].lower()} {'female' if p['female'] else 'male'}.")
    if conds:
        d.add(" Patient has a history of " + ", ".join(c[1].lower() for c in conds) + ".")
    d.add("\n\n# Social History\n")
    if age > 18:
        d.add("Patient is married." if p["married"] else "Patient is single.")
    if age > 16 and p["smoker"]:
        d.add(" Patient is an active smoker")
    elif p["quit"] and age > p["quit"]:
        d.add(" Patient quite smoking at age ")
        d.add(str(p["quit"]), "AGE")
    else:
        d.add(" Patient has never smoked")
    d.add(" and is an alcoholic." if p["alcoholic"] else ".")
    if age >= 16:
        d.add(" Patient identifies as " + w.rng.choice(["heterosexual", "homosexual", "bisexual"]) + ".")
    d.add("\n\nPatient comes from a " + w.rng.choice(["low", "middle", "high"]) + " socioeconomic background.")
    if age >= 18:
        d.add(" " + w.rng.choice(["Patient did not finish high school.", "Patient has a high school education.",
                                  "Patient has completed some college courses.", "Patient is a college graduate."]))
    d.add(" Patient currently has " + insurer.replace("_", " ") + ".\n")
    d.add("\n# Allergies\n")
    d.add(", ".join(p["allergies"]) if p["allergies"] else "No Known Allergies.")
    d.add("\n\n# Medications\n")
    d.add("; ".join(m[1].lower() for m in meds) if meds else "No Active Medications.")
    d.add("\n\n# Assessment and Plan\n")
    if enc_conds:
        d.add("Patient is presenting with " + ", ".join(c[1].lower() for c in enc_conds) + ". ")
    d.add("\n\n## Plan\n")
    if vaccines:
        d.add("Patient was given the following immunizations: " + ", ".join(v[1].lower() for v in vaccines) + ". ")
    d.add("\n")
    if procs:
        d.add("The following procedures were conducted:\n" + "".join("- " + x[1].lower() + "\n" for x in procs))
    if meds:
        d.add("The patient was prescribed the following medications:\n" + "".join("- " + m[1].lower() + "\n" for m in meds))
    return d


def patient_record(w, idx):
    rng, fake = w.rng, w.fake
    female = rng.random() < 0.5
    # Ages spread to include the 90+ Safe Harbor cases.
    age = rng.choice([rng.randint(0, 17), rng.randint(18, 64), rng.randint(18, 89),
                      rng.randint(65, 89), rng.randint(90, 105)])
    today = datetime.date(2024, 1, 1) + datetime.timedelta(days=rng.randint(0, 700))
    birth = today - datetime.timedelta(days=age * 365 + rng.randint(0, 360))
    given = [w.name_part(True, female)]
    if rng.random() < 0.6:
        given.append(w.name_part(True, female))
    family = w.name_part(False)
    married = age > 20 and rng.random() < 0.55
    town, zipc = w.town()
    btown = w.town()[0]
    p = {"id": w.uid(), "given": given, "family": family, "female": female, "married": married,
         "race": rng.choice(RACES), "ethnic": rng.choice(ETHNIC),
         "smoker": rng.random() < 0.15, "quit": rng.choice([0, 0, rng.randint(20, 70)]),
         "alcoholic": rng.random() < 0.05,
         "allergies": rng.sample(ALLERGIES, rng.choice([0, 0, 1, 2]))}
    maiden = w.name_part(False) if female and married else None
    prefix = ("Mrs." if married else "Ms.") if female else "Mr."
    ssn = f"999-{rng.randint(10, 99)}-{rng.randint(1000, 9999)}"
    dl = "S999" + str(rng.randint(10000, 99999))
    ppn = "X" + str(rng.randint(10000000, 99999999)) + "X"
    phone = f"555-{rng.randint(100, 999)}-{rng.randint(1000, 9999)}"
    mother = w.name_part(True, True) + " " + w.name_part(False)
    mom_given, mom_family = mother.split(" ")
    pid = p["id"]
    deceased = age >= 90 and rng.random() < 0.3
    names = [{"use": "official", "family": Phi("NAME", family),
              "given": [Phi("NAME", g) for g in given]}]
    if age >= 18:
        names[0]["prefix"] = [prefix]
    if maiden:
        names.append({"use": "maiden", "family": Phi("NAME", maiden),
                      "given": [Phi("NAME", g) for g in given], "prefix": [prefix]})
    patient = {
        "resourceType": "Patient", "id": Phi("ID", pid),
        "meta": {"profile": ["http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient"]},
        "text": {"status": "generated",
                 "div": "<div xmlns=\"http://www.w3.org/1999/xhtml\">Generated by <a href=\"https://github.com/synthetichealth/synthea\">Synthea</a>.Version identifier: v3.2.0-" + str(rng.randint(100, 999)) + "-g" + "%07x" % rng.getrandbits(28) + "\n .   Person seed: " + str(rng.randint(-2**62, 2**62)) + "  Population seed: " + str(rng.randint(10**12, 10**13)) + "</div>"},
        "extension": [
            {"url": "http://hl7.org/fhir/us/core/StructureDefinition/us-core-race",
             "extension": [{"url": "ombCategory", "valueCoding": {"system": "urn:oid:2.16.840.1.113883.6.238", "code": p["race"][0], "display": p["race"][1]}},
                           {"url": "text", "valueString": p["race"][1]}]},
            {"url": "http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity",
             "extension": [{"url": "ombCategory", "valueCoding": {"system": "urn:oid:2.16.840.1.113883.6.238", "code": p["ethnic"][0], "display": p["ethnic"][1]}},
                           {"url": "text", "valueString": p["ethnic"][1]}]},
            {"url": "http://hl7.org/fhir/StructureDefinition/patient-mothersMaidenName",
             "valueString": Mixed(Phi("NAME", mom_given), " ", Phi("NAME", mom_family))},
            {"url": "http://hl7.org/fhir/us/core/StructureDefinition/us-core-birthsex", "valueCode": "F" if female else "M"},
            {"url": "http://hl7.org/fhir/StructureDefinition/patient-birthPlace",
             "valueAddress": {"city": Phi("LOCATION", btown), "state": "Massachusetts", "country": "US"}},
            {"url": "http://synthetichealth.github.io/synthea/disability-adjusted-life-years", "valueDecimal": round(rng.random() * 3, 14)},
            {"url": "http://synthetichealth.github.io/synthea/quality-adjusted-life-years", "valueDecimal": round(age * 0.95 + rng.random(), 14)},
        ],
        "identifier": [
            {"system": SYNTHEA, "value": Phi("ID", pid)},
            {"type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MR", "display": "Medical Record Number"}], "text": "Medical Record Number"},
             "system": "http://hospital.smarthealthit.org", "value": Phi("ID", pid)},
            {"type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "SS", "display": "Social Security Number"}], "text": "Social Security Number"},
             "system": "http://hl7.org/fhir/sid/us-ssn", "value": Phi("ID", ssn)},
        ],
        "name": names,
        "telecom": [{"system": "phone", "value": Phi("PHONE", phone), "use": "home"}],
        "gender": "female" if female else "male",
        "birthDate": Phi("DATE", birth.isoformat()),
    }
    if age >= 16:
        patient["identifier"].append(
            {"type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "DL", "display": "Driver's license number"}], "text": "Driver's license number"},
             "system": "urn:oid:2.16.840.1.113883.4.3.25", "value": Phi("ID", dl)})
    if age >= 18 and rng.random() < 0.5:
        patient["identifier"].append(
            {"type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "PPN", "display": "Passport Number"}], "text": "Passport Number"},
             "system": "http://standardhealthrecord.org/fhir/StructureDefinition/passportNumber", "value": Phi("ID", ppn)})
    if deceased:
        patient["deceasedDateTime"] = Phi("DATE", w.date_time(today))
    patient["address"] = [addr(w, w.street(), town, zipc, round(42 + rng.random(), 14),
                               round(-72 + rng.random() * 1.5, 14))]
    patient["maritalStatus"] = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-MaritalStatus", "code": "M" if married else "S", "display": "Married" if married else "Never Married"}], "text": "Married" if married else "Never Married"}
    patient["multipleBirthBoolean"] = False
    patient["communication"] = [{"language": {"coding": [{"system": "urn:ietf:bcp:47", "code": "en-US", "display": "English (United States)"}], "text": "English (United States)"}}]

    entries = [(pid, patient)]
    purl = Mixed("urn:uuid:", Phi("ID", pid))
    pname = Mixed(*sum(([Phi("NAME", g), " "] for g in given), []), Phi("NAME", family))
    pref = lambda: {"reference": purl}  # noqa: E731
    insurer = rng.choice(INSURERS)
    conds_all = rng.sample(CONDITIONS, rng.randint(1, 5))
    meds_all = rng.sample(MEDS, rng.randint(0, 4))
    notes = []
    n_enc = rng.randint(2, 5)
    for k in range(n_enc):
        day = today - datetime.timedelta(days=(n_enc - 1 - k) * rng.randint(30, 400))
        enc_age = max(0, age - (today - day).days // 365)
        doc = rng.choice(w.docs)
        org = doc["org"] if rng.random() < 0.7 else rng.choice(w.orgs)
        start = w.date_time(day)
        end_t = datetime.datetime.fromisoformat(start) + datetime.timedelta(minutes=rng.choice([15, 30, 45, 60]))
        end = end_t.isoformat()
        eid = w.uid()
        et = rng.choice(ENC_TYPES)
        dr = Mixed("Dr. ", Phi("NAME", doc["given"]), " ", Phi("NAME", doc["family"]))
        dref = Mixed("Practitioner?identifier=" + NPI + "|", Phi("ID", doc["npi"]))
        enc = {"resourceType": "Encounter", "id": eid,
               "meta": {"profile": ["http://hl7.org/fhir/us/core/StructureDefinition/us-core-encounter"]},
               "identifier": [{"use": "official", "system": SYNTHEA, "value": eid}],
               "status": "finished",
               "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": et[2]},
               "type": [coding(SNOMED, et[0], et[1])],
               "subject": {"reference": purl, "display": Mixed("Mr. " if not female else ("Mrs. " if married else "Ms. "), pname) if enc_age >= 18 else pname},
               "participant": [{"type": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "code": "PPRF", "display": "primary performer"}], "text": "primary performer"}],
                                "period": {"start": Phi("DATE", start), "end": Phi("DATE", end)},
                                "individual": {"reference": dref, "display": dr}}],
               "period": {"start": Phi("DATE", start), "end": Phi("DATE", end)},
               "location": [{"location": {"reference": Mixed("Location?identifier=" + SYNTHEA + "|", org["id"]), "display": Phi("LOCATION", org["name"])}}],
               "serviceProvider": {"reference": Mixed("Organization?identifier=" + SYNTHEA + "|", org["id"]), "display": Phi("LOCATION", org["name"])}}
        if rng.random() < 0.3:
            enc["reasonCode"] = [coding(SNOMED, *rng.choice(CONDITIONS))]
        entries.append((eid, enc))
        eref = {"reference": "urn:uuid:" + eid}
        enc_conds = rng.sample(conds_all, rng.randint(0, min(2, len(conds_all))))
        for c in enc_conds:
            cid = w.uid()
            entries.append((cid, {"resourceType": "Condition", "id": cid,
                                  "clinicalStatus": coding("http://terminology.hl7.org/CodeSystem/condition-clinical", "active", "active") if False else {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": "active"}]},
                                  "verificationStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-ver-status", "code": "confirmed"}]},
                                  "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-category", "code": "encounter-diagnosis", "display": "Encounter Diagnosis"}]}],
                                  "code": coding(SNOMED, *c), "subject": pref(), "encounter": eref,
                                  "onsetDateTime": Phi("DATE", start), "recordedDate": Phi("DATE", start)}))
        for o in rng.sample(OBS, rng.randint(2, 5)):
            oid = w.uid()
            val = round(o[3] + rng.random() * (o[4] - o[3]), 1)
            entries.append((oid, {"resourceType": "Observation", "id": oid, "status": "final",
                                  "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "vital-signs", "display": "vital-signs"}]}],
                                  "code": coding(LOINC, o[0], o[1]), "subject": pref(), "encounter": eref,
                                  "effectiveDateTime": Phi("DATE", start), "issued": Phi("DATE", start[:19] + "." + str(rng.randint(100, 999)) + start[19:]),
                                  "valueQuantity": {"value": val, "unit": o[2], "system": "http://unitsofmeasure.org", "code": o[2]}}))
        vaccines = rng.sample(VACCINES, rng.choice([0, 0, 1]))
        for v in vaccines:
            iid = w.uid()
            entries.append((iid, {"resourceType": "Immunization", "id": iid, "status": "completed",
                                  "vaccineCode": coding("http://hl7.org/fhir/sid/cvx", *v), "patient": pref(),
                                  "encounter": eref, "occurrenceDateTime": Phi("DATE", start), "primarySource": True,
                                  "location": {"reference": Mixed("Location?identifier=" + SYNTHEA + "|", org["id"]), "display": Phi("LOCATION", org["name"])}}))
        procs = rng.sample(PROCS, rng.choice([0, 1, 2]))
        for x in procs:
            xid = w.uid()
            entries.append((xid, {"resourceType": "Procedure", "id": xid, "status": "completed",
                                  "code": coding(SNOMED, *x), "subject": pref(), "encounter": eref,
                                  "performedPeriod": {"start": Phi("DATE", start), "end": Phi("DATE", end)},
                                  "location": {"reference": Mixed("Location?identifier=" + SYNTHEA + "|", org["id"]), "display": Phi("LOCATION", org["name"])}}))
        meds = rng.sample(meds_all, rng.randint(0, len(meds_all)))
        for m in meds:
            mid = w.uid()
            entries.append((mid, {"resourceType": "MedicationRequest", "id": mid, "status": "active", "intent": "order",
                                  "medicationCodeableConcept": coding(RXNORM, *m), "subject": pref(), "encounter": eref,
                                  "authoredOn": Phi("DATE", start), "requester": {"reference": dref, "display": dr},
                                  "dosageInstruction": [{"sequence": 1, "text": "Take as directed.", "asNeededBoolean": False,
                                                         "timing": {"repeat": {"frequency": 1, "period": 1.0, "periodUnit": "d"}}}]}))
        # The note: DocumentReference attachment and DiagnosticReport presentedForm.
        nd = note_text(w, p, day, enc_age, conds_all, meds_all, procs, vaccines, insurer, enc_conds)
        notes.append(nd)
        b64 = base64.b64encode(nd.text.encode()).decode()
        rid = w.uid()
        entries.append((rid, {"resourceType": "DiagnosticReport", "id": rid, "status": "final",
                              "category": [{"coding": [{"system": "http://loinc.org", "code": "34117-2", "display": "History and physical note"}]}],
                              "code": {"coding": [{"system": "http://loinc.org", "code": "34117-2", "display": "History and physical note"}]},
                              "subject": pref(), "encounter": eref, "effectiveDateTime": Phi("DATE", start),
                              "issued": Phi("DATE", start[:19] + ".000" + start[19:]),
                              "performer": [{"reference": dref, "display": dr}],
                              "presentedForm": [{"contentType": "text/plain; charset=utf-8", "data": b64}]}))
        did = w.uid()
        entries.append((did, {"resourceType": "DocumentReference", "id": did,
                              "meta": {"profile": ["http://hl7.org/fhir/us/core/StructureDefinition/us-core-documentreference"]},
                              "identifier": [{"system": "urn:ietf:rfc:3986", "value": "urn:uuid:" + did}],
                              "status": "superseded",
                              "type": {"coding": [{"system": "http://loinc.org", "code": "34117-2", "display": "History and physical note"}]},
                              "category": [{"coding": [{"system": "http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category", "code": "clinical-note", "display": "Clinical Note"}]}],
                              "subject": pref(), "date": Phi("DATE", start[:19] + ".000" + start[19:]),
                              "author": [{"reference": dref, "display": dr}],
                              "custodian": {"reference": Mixed("Organization?identifier=" + SYNTHEA + "|", org["id"]), "display": Phi("LOCATION", org["name"])},
                              "content": [{"attachment": {"contentType": "text/plain; charset=utf-8", "data": b64},
                                           "format": {"system": "http://ihe.net/fhir/ihe.formatcode.fhir/CodeSystem/formatcode", "code": "urn:ihe:iti:xds:2017:mimeTypeSufficient", "display": "mimeType Sufficient"}}],
                              "context": {"encounter": [eref], "period": {"start": Phi("DATE", start), "end": Phi("DATE", end)}}}))
        # Claim and ExplanationOfBenefit.
        cid = w.uid()
        entries.append((cid, {"resourceType": "Claim", "id": cid, "status": "active",
                              "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/claim-type", "code": "professional"}]},
                              "use": "claim", "patient": {"reference": purl, "display": pname},
                              "billablePeriod": {"start": Phi("DATE", start), "end": Phi("DATE", end)},
                              "created": Phi("DATE", end), "provider": {"reference": Mixed("Organization?identifier=" + SYNTHEA + "|", org["id"]), "display": Phi("LOCATION", org["name"])},
                              "priority": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/processpriority", "code": "normal"}]},
                              "insurance": [{"sequence": 1, "focal": True, "coverage": {"display": insurer}}],
                              "item": [{"sequence": 1, "productOrService": coding(SNOMED, et[0], et[1]), "encounter": [eref]}],
                              "total": {"value": round(rng.random() * 900 + 50, 2), "currency": "USD"}}))
        xid = w.uid()
        entries.append((xid, {"resourceType": "ExplanationOfBenefit", "id": xid,
                              "contained": [{"resourceType": "ServiceRequest", "id": "referral", "status": "completed", "intent": "order",
                                             "subject": pref(), "requester": {"reference": dref}, "performer": [{"reference": dref}]},
                                            {"resourceType": "Coverage", "id": "coverage", "status": "active",
                                             "type": {"text": insurer}, "beneficiary": pref(), "payor": [{"display": insurer}]}],
                              "identifier": [{"system": "https://bluebutton.cms.gov/resources/variables/clm_id", "value": cid},
                                             {"system": "https://bluebutton.cms.gov/resources/identifier/claim-group", "value": str(rng.randint(10**10, 10**11))}],
                              "status": "active", "use": "claim", "patient": pref(),
                              "billablePeriod": {"start": Phi("DATE", start), "end": Phi("DATE", end)},
                              "created": Phi("DATE", end), "insurer": {"display": insurer},
                              "provider": {"reference": dref},
                              "referral": {"reference": "#referral"},
                              "claim": {"reference": "urn:uuid:" + cid},
                              "outcome": "complete",
                              "careTeam": [{"sequence": 1, "provider": {"reference": dref},
                                            "role": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/claimcareteamrole", "code": "primary", "display": "Primary provider"}]}}],
                              "insurance": [{"focal": True, "coverage": {"reference": "#coverage", "display": insurer}}],
                              "item": [{"sequence": 1, "productOrService": coding(SNOMED, et[0], et[1]),
                                        "servicedPeriod": {"start": Phi("DATE", start), "end": Phi("DATE", end)},
                                        "locationCodeableConcept": coding("http://terminology.hl7.org/CodeSystem/ex-serviceplace", "19", "Off Campus-Outpatient Hospital"),
                                        "encounter": [eref]}],
                              "total": [{"category": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/adjudication", "code": "submitted", "display": "Submitted Amount"}], "text": "Submitted Amount"},
                                         "amount": {"value": round(rng.random() * 900 + 50, 2), "currency": "USD"}}]}))
    # A device (HIPAA's device identifiers and serial numbers), a care team and the
    # bundle's provenance, as Synthea writes them.
    if rng.random() < 0.35:
        made = birth + datetime.timedelta(days=rng.randint(0, max(1, (today - birth).days)))
        expires = made + datetime.timedelta(days=rng.randint(400, 2000))
        di = str(rng.randint(10**13, 10**14 - 1))
        lot = str(rng.randint(10**9, 10**10 - 1))
        serial = str(rng.randint(10**9, 10**10 - 1))
        hrf = Mixed("(01)", Phi("ID", di), "(11)", Phi("DATE", made.strftime("%y%m%d")), "(17)",
                    Phi("DATE", expires.strftime("%y%m%d")), "(10)", Phi("ID", lot), "(21)", Phi("ID", serial))
        vid = w.uid()
        dev = rng.choice([("706180003", "Respiratory humidifier (physical object)"),
                          ("14106009", "Cardiac pacemaker, device (physical object)"),
                          ("337414009", "Blood glucose meter (physical object)")])
        entries.append((vid, {"resourceType": "Device", "id": vid,
                              "udiCarrier": [{"deviceIdentifier": Phi("ID", di), "carrierHRF": hrf}],
                              "status": "active", "distinctIdentifier": Phi("ID", lot),
                              "manufactureDate": Phi("DATE", w.date_time(made)),
                              "expirationDate": Phi("DATE", w.date_time(expires)),
                              "lotNumber": Phi("ID", lot), "serialNumber": Phi("ID", serial),
                              "deviceName": [{"name": dev[1], "type": "user-friendly-name"}],
                              "type": coding(SNOMED, *dev), "patient": pref()}))
    ctid = w.uid()
    cdoc = rng.choice(w.docs)
    entries.append((ctid, {"resourceType": "CareTeam", "id": ctid, "status": "active",
                           "subject": pref(),
                           "period": {"start": Phi("DATE", w.date_time(today - datetime.timedelta(days=rng.randint(30, 900))))},
                           "participant": [
                               {"role": [coding(SNOMED, "116154003", "Patient (person)")],
                                "member": {"reference": purl, "display": pname}},
                               {"role": [coding(SNOMED, "223366009", "Healthcare professional (occupation)")],
                                "member": {"reference": Mixed("Practitioner?identifier=" + NPI + "|", Phi("ID", cdoc["npi"])),
                                           "display": Mixed("Dr. ", Phi("NAME", cdoc["given"]), " ", Phi("NAME", cdoc["family"]))}},
                               {"role": [coding(SNOMED, "224891009", "Healthcare services (qualifier value)")],
                                "member": {"reference": Mixed("Organization?identifier=" + SYNTHEA + "|", cdoc["org"]["id"]),
                                           "display": Phi("LOCATION", cdoc["org"]["name"])}}],
                           "managingOrganization": [{"reference": Mixed("Organization?identifier=" + SYNTHEA + "|", cdoc["org"]["id"]),
                                                     "display": Phi("LOCATION", cdoc["org"]["name"])}]}))
    pvid = w.uid()
    entries.append((pvid, {"resourceType": "Provenance", "id": pvid,
                           "target": [{"reference": purl}],
                           "recorded": Phi("DATE", w.date_time(today)),
                           "agent": [{"type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/provenance-participant-type", "code": "author", "display": "Author"}], "text": "Author"},
                                      "who": {"reference": Mixed("Practitioner?identifier=" + NPI + "|", Phi("ID", cdoc["npi"])),
                                              "display": Mixed("Dr. ", Phi("NAME", cdoc["given"]), " ", Phi("NAME", cdoc["family"]))},
                                      "onBehalfOf": {"reference": Mixed("Organization?identifier=" + SYNTHEA + "|", cdoc["org"]["id"]),
                                                     "display": Phi("LOCATION", cdoc["org"]["name"])}}]}))
    # Practitioner, Organization and Location resources (Synthea writes them in their own
    # hospital/practitioner bundles; one of each here, as a bundle carries them).
    doc = rng.choice(w.docs)
    org = doc["org"]
    prid = w.uid()
    entries.append((prid, {"resourceType": "Practitioner", "id": prid,
                           "identifier": [{"system": NPI, "value": Phi("ID", doc["npi"])}], "active": True,
                           "name": [{"family": Phi("NAME", doc["family"]), "given": [Phi("NAME", doc["given"])], "prefix": ["Dr."]}],
                           "telecom": [{"extension": [{"url": "http://hl7.org/fhir/us/core/StructureDefinition/us-core-direct", "valueBoolean": True}],
                                        "system": "email", "value": Mixed(Phi("NAME", doc["given"]), ".", Phi("NAME", doc["family"]), "@example.com"), "use": "work"}],
                           "address": [addr(w, org["street"], org["city"], org["zip"])],
                           "gender": "female" if doc["female"] else "male"}))
    entries.append((org["id"], {"resourceType": "Organization", "id": org["id"],
                                "identifier": [{"system": SYNTHEA, "value": org["id"]}], "active": True,
                                "type": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/organization-type", "code": "prov", "display": "Healthcare Provider"}], "text": "Healthcare Provider"}],
                                "name": Phi("LOCATION", org["name"]),
                                "telecom": [{"system": "phone", "value": Phi("PHONE", org["phone"])}],
                                "address": [addr(w, org["street"], org["city"], org["zip"])]}))
    lid = w.uid()
    entries.append((lid, {"resourceType": "Location", "id": lid, "status": "active",
                          "name": Phi("LOCATION", org["name"]),
                          "telecom": [{"system": "phone", "value": Phi("PHONE", org["phone"])}],
                          "address": addr(w, org["street"], org["city"], org["zip"]),
                          "position": {"longitude": Phi("LOCATION", org["lon"]), "latitude": Phi("LOCATION", org["lat"])},
                          "managingOrganization": {"reference": Mixed("Organization?identifier=" + SYNTHEA + "|", org["id"]), "display": Phi("LOCATION", org["name"])}}))
    bundle = {"resourceType": "Bundle", "type": "transaction",
              "entry": [{"fullUrl": Mixed("urn:uuid:", Phi("ID", rid)) if rid == pid else "urn:uuid:" + rid,
                         "resource": res,
                         "request": {"method": "POST", "url": res["resourceType"]}} for rid, res in entries]}
    b = Doc()
    dump(b, bundle)
    out = [{"id": f"synthea-{idx}-bundle", "source": "synthea-like", "format": "fhir-json",
            "text": b.text, "spans": b.spans}]
    for j, nd in enumerate(notes):
        out.append({"id": f"synthea-{idx}-note-{j}", "source": "synthea-like", "format": "text",
                    "text": nd.text, "spans": nd.spans})
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--patients", type=int, default=200)
    ap.add_argument("--notes-only", action="store_true")
    ap.add_argument("--bundles-only", action="store_true")
    args = ap.parse_args()
    w = World(args.seed)
    for i in range(args.patients):
        for rec in patient_record(w, i):
            if args.notes_only and rec["format"] != "text":
                continue
            if args.bundles_only and rec["format"] == "text":
                continue
            print(json.dumps(rec))


if __name__ == "__main__":
    fix_string_hashing()
    main()
