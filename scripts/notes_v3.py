#!/usr/bin/env python3
"""Clinical notes in styles the other generators do not write, labelled (issue 13).

The hidden evaluation has adversarial OT notes, i2b2-style notes and Synthea note
attachments; our other generators (note_corpus.py, oov.py, synthea_like.py, dev2.py,
letters.py) each have their own templates, which the detector has been read against. This one
is written from scratch in other styles, for a fresh estimate and fresh misses:
  - nursing shift notes written all in capitals with ward abbreviations;
  - telegraphic ICU progress notes by system (NEURO: ... CV: ...);
  - discharge summaries with headed sections, the header block (UNIT NUMBER, ADMISSION
    DATE) and dictation footers (`D: 11/02/91 T: 11/05/91`, `JK481/20931`, `Batch: 7123`);
  - "Record date:" notes citing outside hospitals, wards, rooms and units;
  - referral letters, telephone encounters, family-meeting notes with relatives' names
    written in lower case;
  - Synthea-style note text with digit-suffixed names (`Delphine417 Kuhn263`);
  - dates in many forms (spelled, ordinal, month/day only, ranges, `4/10`, month and year),
    ages of 90 and over in figures and in words, record identifiers after their cues (CSN,
    MRN glued to its label, claim/ICN, accession, account, encounter, specimen), pagers.
PHI-free lines keep clinical words, drugs, eponyms and scores (7/13, 4/5, 132/84) so that
precision is measured too.

Split: `--split dev` uses templates whose index in their list is not 3 mod 4 and the DEV
locales; `--split holdout` uses every template and the HOLDOUT locales (so a quarter of its
templates were never read). Read misses of dev only; holdout is for figures.

    python3 scripts/notes_v3.py --split dev --seed 71 --count 500 > /tmp/notes-v3-dev.jsonl
    python3 scripts/notes_v3.py --split holdout --seed 72 --count 500 > /tmp/notes-v3-holdout.jsonl

Synthetic data only: names, streets, towns and phones come from Faker (MIT); every template
is this project's own.
"""
import argparse
import datetime
import json
import random
import re
import sys

from corpus_common import fix_string_hashing, seeded_fakers
from note_corpus import DIAGNOSES, DRUGS, TESTS

DEV_LOCALES = ["en_US"] * 6 + ["es_MX", "en_GB", "de_DE", "it_IT", "pl_PL", "vi_VN",
                                 "en_IN", "fr_FR", "pt_BR", "en_NG"]
HOLDOUT_LOCALES = ["en_US"] * 6 + ["es_CO", "en_IE", "nl_NL", "fil_PH", "cs_CZ", "tr_TR",
                                     "en_KE", "ro_RO", "sv_SE", "en_AU"]

RELS = ["daughter", "son", "wife", "husband", "sister", "brother", "niece", "grandson",
        "granddaughter", "HCP", "health care proxy", "POA", "significant other", "mother",
        "father", "stepson", "daughter-in-law", "friend", "neighbor"]
HOSP_KINDS = ["Hospital", "Medical Center", "General", "Memorial", "Regional", "Community Hospital",
              "Rehab", "Nursing and Rehab", "Health", "Hospice House", "VNA", "Urgent Care",
              "Senior Living", "Manor", "Gardens", "Extended Care"]
UNITS = ["6 West", "11 North", "Ellison 8", "Blake 12", "4 South", "Phillips 3", "Tower 9",
         "Reisman 4", "Bigelow 11", "Farr 2", "White 6", "Lunder 10"]
ABBR_LINES = [
    "VSS, AFEBRILE. LUNGS CTA BILAT. ABD SOFT NT ND, +BS X4.",
    "NEURO: A+O X3, MAE, PERRLA 3MM BRISK. DENIES PAIN.",
    "CV: NSR 70S-80S, NO ECTOPY. SBP 110-130. PALP PULSES.",
    "RESP: 2L NC, SATS 94-97%. CPT DONE, STRONG NONPROD COUGH.",
    "GI: TF @ GOAL 60CC/HR VIA NGT, RESIDUALS <30CC. BM X1 GUAIAC NEG.",
    "GU: FOLEY DRAINING CLEAR YELLOW URINE 40-60CC/HR.",
    "SKIN: STAGE II DECUB COCCYX, DSG CHANGED, DUODERM INTACT.",
    "ID: TMAX 100.2, VANCO/ZOSYN CONT, BLD CX X2 SENT.",
    "K 3.4 REPLETED W/ 40MEQ KCL PO. MG 1.8 REPLETED.",
    "HCT 27.9 STABLE, NO S/S BLEEDING. INR 1.3.",
    "OOB TO CHAIR X2 W/ ASSIST OF 2, TOL WELL.",
    "PLAN: CONT TO MONITOR, WEAN O2 AS TOL, ? DC TO FLOOR IN AM.",
    "pain 4/10 at incision, medicated w/ morphine 2mg iv w/ effect.",
    "grip 22# R, 14# L; Jebsen-Taylor subtests 4/7 completed.",
    "Purdue Pegboard R 11 L 8 B 7 pairs; Semmes-Weinstein 4.31 median distribution.",
    "MMSE 24/30, MoCA 19/30; clock drawing 3/4.",
    "Strength 4/5 BUE, 3+/5 hip flexors; sensation grossly intact.",
    "BP 132/84, HR 88, RR 18, T 98.6, SpO2 96% RA.",
    "GCS 7/13 on arrival? no - GCS E3V4M6 = 13/15 after fluids.",
    "Berg 41/56, TUG 14.2 s with RW; Tinetti 19/28.",
    "I/O +1.2L, LOS +4.8L. Lasix 40 IV given, diuresing well.",
    "Trach 8.0 Shiley, cuff up, sx'd for mod amt thick tan secretions.",
    "Swan-Ganz numbers: CVP 12, PAD 18, CI 2.1, SVR 1400.",
    "A-line R radial, dampened, re-zeroed and flushed.",
    "Hct 29 -> 31 after 1 U PRBC. Plt 142.",
    "Ambulated 150 ft x 2 with RW and CGA; no LOB.",
    "Full code. Allergies: PCN (rash), sulfa.",
    "Wt 71.4 kg (admit 68.9). FS BS 142-188, covered per SSI.",
]


# --- templates by document kind -----------------------------------------------------------
# Slots: {pt} full name in some form, {ptf} {ptl} first/last, {pttl} title and surname,
# {fam} relative's first name, {famn} relative's full name, {rel}; {doc} a physician,
# {docl} surname, {rn} a nurse (first name or full), {rnf}; {oh} an outside hospital,
# {hosp} our hospital, {unit} {room} {city} {city2} {street} {zip} {addr};
# {date} any form, {md} month/day only, {spelled} spelled date, {range} date range,
# {my} month and year, {dob}, {old} an age of 90+ in some form, {age} any age;
# ids: {mrn} {csn} {claim} {icn} {acc} {acct} {enc} {unitno} {job} {spec};
# {phone} {pager} {fax} {email}; fillers {drug} {dx} {test} {abbr} {num}.
# Modifiers: :lc :uc :poss.

NURSING = [
    "NSG NOTE 7A-7P: PT {ptl:uc} A+O X2, CONFUSED TO TIME. {rel:uc} {fam:uc} AT BEDSIDE MOST OF SHIFT.",
    "CALLED DR {docl:uc} RE: K 3.1, ORDERS RECEIVED FOR KCL.",
    "{rel:uc} ({famn:uc}) CALLED AT 2100, UPDATED ON POC. PHONE {phone}.",
    "PT TRANSFERRED TO RM {room} ON {unit:uc} AT 1530 VIA BED.",
    "SEEN BY {doc:uc}, NEW ORDERS NOTED. PLAN FOR CT ON {md}.",
    "PT C/O N/V X1, MEDICATED W/ ZOFRAN 4MG IV. {rnf:uc} RN AWARE.",
    "D/C PLANNING: RETURN TO {oh:uc} PER CM, BED AVAILABLE {md}.",
    "{ptf:uc} TEARFUL THIS AM, STATES MISSES {rel:uc} {fam:uc}. SW CONSULT PLACED.",
    "FAMILY ({fam:uc} AND {fam2:uc}) VISITED, BROUGHT PT'S HEARING AIDS FROM HOME IN {city:uc}.",
    "PER {rel:uc}, PT LIVES ALONE AT {street:uc}, {city:uc}.",
    "REPORT GIVEN TO {rn:uc}, RN ON {unit:uc}.",
    "PT IS A {old:uc} Y/O F ADMITTED {md} FROM {oh:uc} WITH UROSEPSIS.",
    "MRN {mrn} ARMBAND CHECKED, ALLERGIES VERIFIED W/ PT.",
    "PT'S {rel:uc} {famn:uc} IS HCP, # ON CHART {phone}.",
    "PAGED HO {docl:uc} X2 RE: SBP 80S, NO CALLBACK; CHARGE RN {rnf:uc} NOTIFIED.",
    "BELONGINGS (GLASSES, DENTURES) SENT HOME W/ {rel:uc} ON {md}.",
]

ICU = [
    "NEURO: sedated on propofol, RASS -2. Family ({rel} {fam}) updated by Dr. {docl}.",
    "CV: HR 90s AF, amio gtt; see {doc} note {md}.",
    "SOCIAL: {rel} {fam:lc} called x2 overnight, #{phone}; full code per {fam}.",
    "{age} y/o M transferred from {oh} {md} w/ SAH, intubated at OSH.",
    "Pt of Dr. {docl}; followed at {oh} cardiology, last echo {date}.",
    "ID: cx from {oh} ({md}) grew MSSA; on nafcillin since {md2}.",
    "Dispo: to {unit} when bed avail; HCP {famn} aware.",
    "Events: self-extubated {md} 0300, reintubated by {docl} (anesthesia).",
    "Pt seen w/ {rn}, RN; {rel} at bedside, asks for call from attending at {phone}.",
    "Access: R IJ TLC placed {md} by {docl}, L radial A-line {md2}.",
    "ICU day {num}, HD #{num2}, s/p ex-lap {date}.",
    "Comm: mtg w/ {rel}s {fam:lc} and {fam2:lc} planned for {weekday} {md}.",
    "{old} yo female, DNR/DNI, from {oh}, with {dx}.",
    "Accepting MD at {oh} is Dr. {docl2}; pager {pager}.",
    "Labs drawn at {time}; acc# {acc}; results to {rnf}.",
    "Micro: sputum cx {md} (specimen {spec}) pending.",
]

DISCHARGE = [
    "DISCHARGE SUMMARY\nNAME: {ptl:uc}, {ptf:uc}\nUNIT NUMBER: {unitno}",
    "ADMISSION DATE: {date}\nDISCHARGE DATE: {date2}",
    "PRINCIPAL DIAGNOSIS: {dx}.",
    "HISTORY OF PRESENT ILLNESS: The patient is a {age}-year-old with {dx} who presented to the {oh} emergency room on {spelled}.",
    "She was transferred to {hosp} on {md} for further management.",
    "HOSPITAL COURSE: The patient was admitted to the {unit} service under Dr. {docl}.",
    "She was seen in consultation by Dr. {doc2l} of Cardiology on {md}.",
    "Her {rel}, {famn}, was present for the family meeting on {md}.",
    "DISPOSITION: Discharged to {oh} in {city} on {spelled}.",
    "FOLLOW-UP: Dr. {docl} in clinic on {md} at 10:30; call {phone} to confirm.",
    "Record date: {iso}",
    "PCP: {doc}, {oh}",
    "This {old}-year-old woman from {city} was last seen here in {my}.",
    "She reports a fall at home ({street}) around {holiday}.",
    "Records from {oh} ({date} to {date2}) reviewed.",
    "Outside films from {oh} dated {md} show no fracture.",
    "She lives at {oh} and her {rel} {famn} visits {range}.",
    "Admitted {range} for CHF exacerbation at {oh}.",
    "The patient was seen by physical therapy from {range} and discharged on {spelled}.",
    "Patient ID: {mrn}   Account #: {acct}   Encounter: {enc}",
]

FOOTER = [
    "Dictated By: {docl:uc}, {docf:uc} {mi}., M.D. {initials}\nAttending: {doc2l:uc}, {doc2f:uc}, M.D. {initials2}",
    "D: {slash} T: {slash2}\n{job}\nBatch: {batch}   Index No. {index}",
    "cc: {doc}; {doc2}, {oh}",
    "Electronically signed: {doc}  {slash} {time}",
    "DD: {slash}  DT: {slash2}  DICT JOB: {batch}",
    "[report_end]\nTR: {initials_lc}  DD: {slash}  TD: {slash2}  CC: {docl}",
    "Signed by {rn}, RN on {date} at {time}.",
    "Transcriptionist: {rnf:lc}/{initials_lc}  Job #: {batch}",
]

REFERRAL = [
    "{oh}\n{street}\n{city}, {state} {zip}",
    "{spelled}",
    "Dear Dr. {docl},",
    "RE: {pt}   DOB: {dob}   MRN: {mrn}",
    "I had the pleasure of seeing your patient {pttl} in the hand clinic on {md}.",
    "As you know, {ptf} is a {age}-year-old right-handed retired machinist from {city}.",
    "He was accompanied today by his {rel} {fam}, who provides most of the history.",
    "He was previously followed by Dr. {doc2l} at {oh} until {my}.",
    "I have asked him to return in six weeks, around {md}.",
    "Please do not hesitate to call me at {phone} or fax {fax}.",
    "With best regards,\n{doc}",
    "cc: {famn}, {street}, {city} {zip}",
    "Claim #: {claim}   ICN: {icn}",
    "Authorization {claim} approved through {date}.",
]

PHONE = [
    "TELEPHONE ENCOUNTER {slash} {time}",
    "Caller: {famn} ({rel})   Relationship verified.",
    "Call back #: {phone}   Best time: after 5",
    "Message: pt's {rel} {fam:lc} states pt has had loose stools x3 days since {weekday}.",
    "Returned call, spoke w/ {fam:lc}; advised to bring pt to {oh} ED if worse.",
    "Routed to {rn}, RN for triage.",
    "Pt called re: refill of {drug}; pharmacy is the CVS on {street} in {city}.",
    "CSN: {csn}",
    "Message taken by {rnf:lc} @ {time} on {md}.",
    "LM on VM at {phone} for {ptf:lc} to call back re: MRI on {md}.",
    "{ptf} called from her {rel}'s home in {city2}, number there {phone}.",
    "Spoke with {fam} at {oh} rehab front desk, ext {ext}.",
]

FAMILY = [
    "Family meeting {md}: present were pt's {rel}s {fam:lc} and {fam2:lc}, Dr. {docl}, {rn} RN, and SW {rnf2}.",
    "{fam:lc} ({rel}) is the HCP; {fam2:lc} lives in {city2} and joined by phone.",
    "the family (wife {fam:lc}, son {fam2:lc}) agree with comfort measures.",
    "{famn:lc} asked whether pt can go home to {city} with hospice.",
    "Plan reviewed w/ {ptf:lc}'s {rel} who will call {phone} with decision by {md}.",
    "{rel} {fam} reports pt was independent until {my}.",
    "pt's {rel}, {fam:lc} {ptl:lc}, was tearful but understood.",
    "goals of care: per {fam:lc}, pt would not want trach/PEG.",
    "Pt turns {old} on {md}; family hopes she can be home by then.",
    "Grandchildren {fam2} and {fam3} visit on weekends from {city2}.",
]

SYNTHEA = [
    "{iso}\n\n# Chief Complaint\n- Cough\n- Fever",
    "# History of Present Illness\n{sy_pt} is a {age} year-old non-hispanic white female.",
    "{sy_pt_f} has a history of prediabetes, hypertension (finding).",
    "# Social History\n Patient is married. Patient quit smoking at age 32.\n{sy_pt_f} is an active member of the church. Patient has a high school education.",
    "Patient currently has Medicaid.",
    "# Allergies\nNo Known Allergies.",
    "# Medications\nlisinopril 10 MG Oral Tablet; amlodipine 5 MG Oral Tablet",
    "# Assessment and Plan\nPatient is presenting with acute bronchitis (disorder).",
    "The patient was prescribed the following medications:\n- acetaminophen 325 MG Oral Tablet",
    "Encounter at {sy_hosp} with {sy_doc} on {iso}.",
    "{sy_pt} (born {iso_dob}) lives at {street}, {city}, Massachusetts {zip}.",
    "Referred by {sy_doc} ({sy_hosp}).",
    "Mother's maiden name: {sy_last}.",
    "{sy_pt_f} is {old} years old; lives with {rel} {sy_fam}.",
]

NO_PHI = [
    "Patient tolerated session well with rest breaks.",
    "Continue current plan of care; reassess in 2 weeks.",
    "Splint fabricated: volar resting hand orthosis, R.",
    "Educated on joint protection and energy conservation.",
    "ASSESSMENT:\nImproving ROM; edema decreased.",
    "No acute events overnight.",
    "Hand hygiene performed; fall precautions in place.",
    "Home exercise program reviewed; pt demonstrated independently.",
    "Per Parkland formula, fluids adjusted.",
    "Allen test normal bilaterally; Finkelstein positive L.",
    "Braden 14, Morse 45: high fall risk.",
    "Dupuytren cord noted at R ring finger.",
    "Heberden and Bouchard nodes present.",
    "Kanavel signs negative.",
    "Coumadin held for INR 3.4.",
]

KINDS = {"nursing": NURSING, "icu": ICU, "discharge": DISCHARGE, "referral": REFERRAL,
         "phone": PHONE, "family": FAMILY, "synthea": SYNTHEA}
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
ORD_WORDS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth",
             "ninth", "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth",
             "sixteenth", "seventeenth", "eighteenth", "nineteenth", "twentieth"]
TENS = ["ninety", "Ninety", "NINETY"]
UNITS_W = ["", "-one", "-two", "-three", "-four", "-five", "-six", "-seven", "-eight", "-nine"]
HOLIDAYS = ["Christmas", "Thanksgiving", "Easter", "New Year's", "Labor Day", "the Fourth of July",
            "Memorial Day", "Christmas Eve", "Halloween"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def split_list(items, split):
    """dev: templates not 3 mod 4; holdout: all of them (a quarter never read)."""
    return items if split == "holdout" else [t for i, t in enumerate(items) if i % 4 != 3]


def ordinal(n):
    return str(n) + ("th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th"))


def a_day(rng):
    return datetime.date(1925, 1, 1) + datetime.timedelta(days=rng.randint(0, 36000))


def date_forms(kind, rng):
    d = a_day(rng)
    m = MONTHS[d.month - 1]
    if kind == "md":
        return rng.choice([f"{d.month}/{d.day}", f"{d.month:02d}/{d.day:02d}", f"{d.month}-{d.day}",
                           f"{m[:3]} {d.day}", f"{d.day}-{m[:3]}", f"{m} {ordinal(d.day)}"])
    if kind == "spelled":
        return rng.choice([f"{m} {ordinal(d.day)}, {d.year}", f"the {ordinal(d.day)} of {m}",
                           f"{m} {ORD_WORDS[min(d.day, 20) - 1]}", f"{ordinal(d.day)} {m} {d.year}",
                           f"{m} the {ordinal(d.day)}", f"{m.upper()} {d.day}, {d.year}"])
    if kind == "my":
        return rng.choice([f"{m} {d.year}", f"{m[:3]} {d.year}", f"{d.month}/{d.year}",
                           f"{d.month:02d}/{d.year % 100:02d}", f"{m} of {d.year}",
                           f"early {m} {d.year}"])
    if kind == "iso":
        return rng.choice([d.isoformat(), d.isoformat(), d.strftime("%Y%m%d")])
    if kind == "slash":
        return rng.choice([d.strftime("%m/%d/%y"), d.strftime("%m/%d/%Y"), f"{d.month}/{d.day}/{d.year % 100:02d}"])
    if kind == "range":
        e = d + datetime.timedelta(days=rng.randint(1, 20))
        return rng.choice([f"{d.month}/{d.day}-{e.month}/{e.day}", f"{d.month}/{d.day} to {e.month}/{e.day}",
                           f"{m} {d.day}-{d.day + 3}", f"{d.month}/{d.day}/{d.year % 100:02d}-{e.month}/{e.day}/{e.year % 100:02d}",
                           f"{m[:3]} {d.day} - {MONTHS[e.month - 1][:3]} {e.day}, {e.year}",
                           f"between {m} {d.day} and {MONTHS[e.month - 1]} {e.day}"])
    return rng.choice([d.strftime("%m/%d/%Y"), d.strftime("%m/%d/%y"), f"{m} {d.day}, {d.year}",
                       f"{d.day} {m[:3]} {d.year}", d.strftime("%d-%b-%Y").upper(), d.isoformat(),
                       f"{d.month}/{d.day}/{d.year}", f"{m[:3]}. {d.day}", f"{d.month}.{d.day}.{d.year % 100:02d}"])


def old_age(rng):
    a = rng.randint(90, 104)
    if rng.random() < 0.4 and a < 100:
        return rng.choice(TENS) + UNITS_W[a - 90]
    return str(a)


def ident(kind, rng):
    d = lambda n: "".join(str(rng.randint(0, 9)) for _ in range(n))
    L = lambda: rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ")
    return {
        "mrn": lambda: rng.choice([d(7), d(8), "00" + d(6), L() + d(7), d(3) + "-" + d(2) + "-" + d(2)]),
        "csn": lambda: d(rng.choice([9, 10, 11])),
        "claim": lambda: rng.choice([d(4) + L() + d(7), L() + L() + d(9), d(12), d(3) + "-" + d(6) + "-" + d(2)]),
        "icn": lambda: d(rng.choice([13, 14])),
        "acc": lambda: rng.choice([L() + L() + "-" + d(2) + "-" + d(5), d(2) + "-" + L() + "-" + d(6), L() + d(8), d(10)]),
        "acct": lambda: rng.choice([d(8), d(10), "V" + d(9)]),
        "enc": lambda: rng.choice([d(7), d(9), "E" + d(8)]),
        "unitno": lambda: rng.choice([d(3) + "-" + d(2) + "-" + d(2), d(3) + "-" + d(3) + "-" + d(3), d(7)]),
        "spec": lambda: rng.choice([L() + d(2) + "-" + d(5), "S" + d(2) + "-" + d(4), d(2) + L() + "-" + d(6)]),
        "job": lambda: L() + L() + d(3) + "/" + d(5),
        "batch": lambda: d(rng.choice([4, 5, 6])),
        "index": lambda: L() + L() + L() + L() + d(rng.choice([2, 3, 4])),
    }[kind]()


# --- the cast of one document -------------------------------------------------------------

def person(fake, rng):
    return {"first": fake.first_name(), "last": fake.last_name(), "first2": fake.first_name()}


def cast(fakers, locales, rng):
    us = fakers["en_US"]
    f = lambda: fakers[rng.choice(locales)]
    home = f()
    c = {"pt": person(home, rng), "fam": person(home, rng), "doc": person(f(), rng),
         "doc2": person(f(), rng), "rn": person(f(), rng), "rn2": person(f(), rng),
         "rel": rng.choice(RELS), "home": home, "us": us,
         "title": rng.choice(["Mr.", "Mrs.", "Ms.", "Mr", "Mrs", "Miss"])}
    c["fam"]["last"] = c["pt"]["last"] if rng.random() < 0.5 else c["fam"]["last"]
    c["fam2"], c["fam3"] = home.first_name(), home.first_name()
    c["city"], c["city2"] = us.city(), rng.choice([us, home]).city()
    c["street"] = us.street_address()
    c["zip"] = us.postcode()
    c["state"] = us.state_abbr()
    c["oh"] = outside(us, rng)
    c["hosp"] = outside(us, rng)
    c["sy"] = {k: v + str(rng.randint(1, 999)) for k, v in
               (("first", c["pt"]["first"]), ("last", c["pt"]["last"]),
                ("fam", c["fam"]["first"]), ("docf", c["doc"]["first"]),
                ("docl", c["doc"]["last"]), ("maiden", us.last_name()))}
    return c


def outside(us, rng):
    r = rng.random()
    if r < 0.35:
        return us.city() + " " + rng.choice(HOSP_KINDS)
    if r < 0.55:
        return "St. " + us.first_name() + "'s " + rng.choice(["Hospital", "Medical Center", "Home"])
    if r < 0.7:
        return us.last_name() + " " + rng.choice(HOSP_KINDS)
    if r < 0.85:
        return us.city() + " VA"
    return us.last_name() + " " + rng.choice(["House", "Village", "Pointe", "Place"])


# --- slots ------------------------------------------------------------------------------

N, L, D, I, P = "NAME", "LOCATION", "DATE", "ID", "PHONE"


def phone(c, rng):
    d = lambda n: "".join(str(rng.randint(0, 9)) for _ in range(n))
    # Area codes and exchanges start with 2-9 (NANP).
    a = lambda: str(rng.randint(2, 9)) + d(2)
    return rng.choice([c["us"].phone_number(), f"({a()}) {a()}-{d(4)}", f"{a()}.{a()}.{d(4)}",
                       f"{a()}-{a()}-{d(4)}", f"{a()}-{d(4)}", f"{a()} {a()} {d(4)}"])


def slot(kind, c, rng):
    pt, fam, doc, doc2, rn = c["pt"], c["fam"], c["doc"], c["doc2"], c["rn"]
    sy = c["sy"]
    if kind == "pt":
        r = rng.random()
        if r < 0.4:
            return [(pt["first"], N), (" ", None), (pt["last"], N)]
        if r < 0.6:
            return [(pt["last"], N), (", ", None), (pt["first"], N)]
        if r < 0.8:
            return [(pt["first"], N), (" ", None), (pt["first2"][0] + ". " + pt["last"], N)]
        return [(pt["last"].upper(), N), (", ", None), (pt["first"].upper(), N)]
    one = {"ptf": (pt["first"], N), "ptl": (pt["last"], N), "fam": (fam["first"], N),
           "fam2": (c["fam2"], N), "fam3": (c["fam3"], N), "docl": (doc["last"], N),
           "docf": (doc["first"], N), "doc2l": (doc2["last"], N), "doc2f": (doc2["first"], N),
           "docl2": (doc2["last"], N), "rnf": (rn["first"], N), "rnf2": (c["rn2"]["first"], N),
           "oh": (c["oh"], L), "hosp": (c["hosp"], L), "city": (c["city"], L),
           "city2": (c["city2"], L), "street": (c["street"], L), "zip": (c["zip"], "ZIP"),
           "rel": (c["rel"], None), "state": (c["state"], None),
           "sy_pt_f": (sy["first"], N), "sy_last": (sy["maiden"], N), "sy_fam": (sy["fam"], N),
           "mi": (pt["first2"][0], None)}
    if kind in one:
        return [one[kind]]
    if kind == "pttl":
        return [(c["title"] + " ", None), (pt["last"], N)]
    if kind == "famn":
        return [(fam["first"], N), (" ", None), (fam["last"], N)]
    if kind in ("doc", "doc2"):
        p = c[kind]
        return rng.choice([[("Dr. ", None), (p["last"], N)],
                           [(p["first"], N), (" ", None), (p["last"], N), (", MD", None)],
                           [("Dr. ", None), (p["first"], N), (" ", None), (p["last"], N)],
                           [(p["first"][0] + ". " + p["last"], N), (" MD", None)]])
    if kind == "rn":
        return rng.choice([[(rn["first"], N)], [(rn["first"], N), (" ", None), (rn["last"], N)],
                           [(rn["first"], N), (" ", None), (rn["last"][0] + ".", N)]])
    if kind == "sy_pt":
        return [(sy["first"], N), (" ", None), (sy["last"], N)]
    if kind == "sy_doc":
        return [("Dr. ", None), (sy["docf"], N), (" ", None), (sy["docl"], N)]
    if kind == "sy_hosp":
        return [(c["city"].upper() + rng.choice([" HOSPITAL", " MEDICAL CENTER", " FAMILY PRACTICE"]), L)]
    if kind in ("initials", "initials2", "initials_lc"):
        v = rng.choice("ABCDEFGHJKLMNPRSTW") + rng.choice("ABCDEFGHJKLMNPRSTW") + str(rng.randint(1, 999))
        return [(v.lower() if kind == "initials_lc" else v, I)]
    if kind == "unit":
        return [(rng.choice(UNITS), L)]
    if kind == "room":
        return [(rng.choice([str(rng.randint(200, 1299)), str(rng.randint(2, 12)) + rng.choice("ABCD")
                             + str(rng.randint(10, 40)), str(rng.randint(300, 999)) + "-" + rng.choice("AB12")]), L)]
    if kind in ("date", "date2", "dob"):
        return [(date_forms("any", rng), D)]
    if kind in ("md", "md2", "spelled", "my", "iso", "range", "slash", "slash2"):
        return [(date_forms(kind.rstrip("2"), rng), D)]
    if kind == "iso_dob":
        return [(date_forms("iso", rng), D)]
    if kind == "holiday":
        return [(rng.choice(HOLIDAYS), D)]
    if kind == "old":
        return [(old_age(rng), "AGE")]
    if kind == "age":
        a = rng.randint(19, 99)
        return [(str(a), "AGE")]
    if kind in ("mrn", "csn", "claim", "icn", "acc", "acct", "enc", "unitno", "spec", "job",
                "batch", "index"):
        return [(ident(kind, rng), I)]
    if kind in ("phone", "fax"):
        return [(phone(c, rng), P)]
    if kind == "pager":
        return [(rng.choice([str(rng.randint(10000, 99999)), "#" + str(rng.randint(1000, 9999)),
                             str(rng.randint(2, 9)) + "-" + str(rng.randint(1000, 9999))]), P)]
    if kind == "ext":
        return [(str(rng.randint(2000, 79999)), P)]
    if kind == "time":
        return [(rng.choice(["%02d%02d", "%d:%02d", "%02d:%02d"]) % (rng.randint(0, 23), rng.randint(0, 59)), None)]
    if kind == "weekday":
        return [(rng.choice(WEEKDAYS), None)]
    if kind in ("num", "num2"):
        return [(str(rng.randint(1, 30)), None)]
    if kind == "drug":
        return [(rng.choice(DRUGS), None)]
    if kind == "dx":
        return [(rng.choice(DIAGNOSES), None)]
    raise KeyError(kind)


def modify(parts, mod):
    def case(s, f):
        return "".join(f(ch) if len(f(ch)) == 1 else ch for ch in s)
    if mod == "lc":
        return [(case(t, str.lower), ty) for t, ty in parts]
    if mod == "uc":
        return [(case(t, str.upper), ty) for t, ty in parts]
    if mod == "poss":
        return parts + [("'s", None)]
    return parts


def render(template, c, rng):
    text, spans, pos = "", [], 0
    for m in re.finditer(r"\{(\w+)(?::(\w+))?\}", template):
        text += template[pos:m.start()]
        for t, ty in modify(slot(m.group(1), c, rng), m.group(2)):
            if ty and t:
                spans.append({"start": len(text), "end": len(text) + len(t), "type": ty})
            text += t
        pos = m.end()
    return text + template[pos:], spans


def document(c, rng, kinds, split):
    kind = rng.choice(sorted(kinds))
    pool = kinds[kind]
    pieces = []
    picks = rng.sample(pool, min(len(pool), rng.randint(3, 8)))
    if kind in ("discharge", "synthea", "referral"):
        picks.sort(key=pool.index)  # a headed document keeps its order
    for t in picks:
        if rng.random() < 0.25:
            pieces.append(render(rng.choice(ABBR_LINES + NO_PHI), c, rng))
        pieces.append(render(t, c, rng))
    if kind in ("discharge", "icu", "nursing", "referral") and rng.random() < 0.6:
        pieces.append(render(rng.choice(split_list(FOOTER, split)), c, rng))
    sep = "\n" if rng.random() < 0.7 or kind == "synthea" else " "
    texts, spans, off = [], [], 0
    for text, s in pieces:
        spans += [dict(x, start=x["start"] + off, end=x["end"] + off) for x in s]
        texts.append(text)
        off += len(text) + len(sep)
    text = sep.join(texts)
    if kind == "nursing" and rng.random() < 0.7:
        text = "".join(ch.upper() if len(ch.upper()) == 1 else ch for ch in text)
    return kind, text, spans


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=71)
    ap.add_argument("--count", type=int, default=500)
    ap.add_argument("--split", choices=["dev", "holdout"], default="dev")
    args = ap.parse_args()
    fix_string_hashing()
    rng = random.Random(args.seed)
    locales = DEV_LOCALES if args.split == "dev" else HOLDOUT_LOCALES
    fakers = seeded_fakers(sorted(set(locales)), rng)
    kinds = {k: split_list(v, args.split) for k, v in KINDS.items()}
    for i in range(args.count):
        c = cast(fakers, locales, rng)
        kind, text, spans = document(c, rng, kinds, args.split)
        doc = {"id": f"v3-{args.split}-{args.seed}-{i}", "source": f"{kind}:{c['home']._locales[0]}",
               "format": "text", "text": text, "spans": spans}
        sys.stdout.write(json.dumps(doc, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
