#!/usr/bin/env python3
"""Labelled notes in many document styles for training the statistical tagger (issue 13).

Writes JSON lines in the scorer's format (`../shared/eval/score.py`, character offsets):
    {"id", "source", "format": "text", "text", "spans": [{"start", "end", "type", "label"}]}

Why: the tagger trained on a few dozen sentence shapes learnt those shapes; a configuration
nobody tuned on scored far lower. This generator writes many document kinds (SOAP and OT
progress notes, discharge summaries, referral and insurance letters, e-mails and portal
messages, phone logs, dictations with headers and footers, scheduling messages, ICU and
nursing shorthand, intake forms as "Label: value" lines, tables, lists), each document with
its own cast (patient, family, clinicians with titles and credentials, staff) and places,
written in several styles (all capitals, all lower case, typos, terse shorthand), plus many
lines with no PHI (eponyms, tests, drugs, devices, units, codes, headings) so precision
holds. Names, towns, streets, postcodes and phones come from Faker (MIT) in every locale it
has (non-Latin scripts included). Every template here is this project's own.

Split (for an honest estimate of generalisation, see patterns/model/README.md):
    --split train    templates whose index in their list is not 4 mod 5, locales not held out
    --split holdout  only the other templates (index 4 mod 5) and only HOLDOUT_LOCALES
PHI-free lines and headers/footers are split the same way.

Usage (the committed corpus, see patterns/model/README.md):
    pip install faker
    python3 scripts/note_corpus.py --split train --seed 21 --count 3000 > patterns/model/train/notes.jsonl
    python3 scripts/note_corpus.py --split holdout --seed 3 --count 500 > /tmp/notes-holdout.jsonl

Synthetic data only: every value is generated.
"""
import argparse
import datetime
import json
import random
import re
import sys

from faker.config import AVAILABLE_LOCALES

from corpus_common import fix_string_hashing, seeded_fakers

# Held out of training: a spread of scripts and regions (Latin, Cyrillic, Arabic, CJK,
# Indic, African, Nordic, Iberian American).
HOLDOUT_LOCALES = ["bg_BG", "ar_EG", "zh_TW", "ta_IN", "sw", "is_IS", "es_CL", "nl_NL",
                   "en_NZ", "tr_TR", "cs_CZ", "ka_GE", "ig_NG", "fr_CH", "en_PH"]
# Locales whose Faker has no person names of its own (it would fall back to en_US).
NO_PERSON = {"la", "en", "de", "es", "ar_AA", "fr_QC"}
# Most people in a US clinic's notes are local: these locales are drawn more often.
LOCAL = ["en_US", "en_US", "en_US", "en_US", "en_GB", "en_CA", "en_AU", "es_MX", "en_IE"]

# --- values that are not PHI (spans None) -----------------------------------------------

RELATIONS = ["daughter", "son", "wife", "husband", "mother", "father", "niece", "nephew",
             "neighbour", "neighbor", "sister", "brother", "grandson", "granddaughter",
             "partner", "friend", "carer", "caregiver", "aunt", "uncle", "cousin",
             "step-daughter", "son-in-law", "daughter-in-law", "fiancé", "roommate",
             "guardian", "POA", "spouse"]
CREDENTIALS = ["MD", "DO", "RN", "BSN, RN", "NP", "FNP-C", "PA-C", "OTR/L", "COTA/L", "PT, DPT",
               "PTA", "SLP", "CCC-SLP", "LCSW", "MSW", "RD", "PharmD", "CNA", "LPN", "MBBS",
               "FRCS", "MRCP", "PhD", "CRNA", "DPM", "OD", "DDS", "RRT", "CHT"]
ROLES = ["attending", "resident", "intern", "charge nurse", "case manager", "social worker",
         "OT", "PT", "speech therapist", "dietitian", "pharmacist", "hospitalist",
         "neurologist", "cardiologist", "PCP", "surgeon", "interpreter", "chaplain",
         "scheduler", "front desk", "care coordinator", "nurse navigator", "psychologist"]
WARDS = ["Ward 4B", "Rosewood ward", "Maple Unit", "5 North", "Birch ward", "Cedar Unit",
         "Station 7", "Willow ward", "Heron unit", "Oak ward", "3 West", "Lark ward",
         "Sycamore Unit", "Fern ward", "7 East", "Aspen wing", "Juniper ward", "Elm Unit"]
FACILITY_KINDS = ["General Hospital", "Medical Center", "Memorial Hospital", "Rehab Center",
                  "Community Hospital", "Nursing Home", "Clinic", "Infirmary", "Health Center",
                  "Regional Medical Center", "Care Home", "Hospice", "Urgent Care",
                  "Family Practice", "Skilled Nursing Facility", "Surgery Center",
                  "Children's Hospital", "Assisted Living", "Medical Group", "Hand Clinic"]
DEPTS = ["Cardiology", "Radiology", "Neurology", "Orthopaedics", "Orthopedics", "Oncology",
         "Dermatology", "Rheumatology", "Endocrinology", "Pulmonology", "Nephrology",
         "Urology", "Gastroenterology", "Hand Therapy", "Occupational Therapy",
         "Physical Therapy", "Speech Therapy", "Pain Management", "Geriatrics", "Pediatrics",
         "Obstetrics", "Emergency Department", "ICU", "PACU", "Infusion Center", "Pharmacy",
         "Medical Records", "Billing", "Patient Access", "Social Work", "Wound Care"]
INSURERS = ["Medicare", "Medicaid", "Blue Cross Blue Shield", "Aetna", "Cigna",
            "UnitedHealthcare", "Humana", "Kaiser Permanente", "Tricare", "Anthem",
            "workers' comp", "Molina", "Ambetter", "the VA", "MassHealth", "Medi-Cal"]
DRUGS = ["Gabapentin", "Baclofen", "Tylenol", "acetaminophen", "ibuprofen", "Motrin",
         "Lisinopril", "Metoprolol", "atorvastatin", "Lipitor", "metformin", "Eliquis",
         "apixaban", "warfarin", "Coumadin", "Xarelto", "heparin", "enoxaparin", "Lovenox",
         "furosemide", "Lasix", "prednisone", "Medrol", "amoxicillin", "Augmentin",
         "ceftriaxone", "vancomycin", "Zosyn", "Keppra", "levetiracetam", "Depakote",
         "sertraline", "Zoloft", "Prozac", "trazodone", "Seroquel", "Haldol", "Ativan",
         "lorazepam", "oxycodone", "Percocet", "Norco", "morphine", "Dilaudid", "tramadol",
         "Flexeril", "cyclobenzaprine", "Lyrica", "Celebrex", "meloxicam", "Voltaren gel",
         "omeprazole", "Protonix", "Zofran", "ondansetron", "Senna", "Colace", "MiraLAX",
         "insulin glargine", "Lantus", "Humalog", "Synthroid", "levothyroxine", "Aricept",
         "donepezil", "Namenda", "Sinemet", "carbidopa-levodopa", "Botox", "Plavix",
         "aspirin", "Norvasc", "amlodipine", "Coreg", "digoxin", "Cozaar", "losartan",
         "Hespan", "albuterol", "Spiriva", "Advair", "Symbicort", "DuoNeb", "Narcan",
         "propofol", "fentanyl", "Precedex", "norepinephrine", "Levophed", "vasopressin"]
DOSES = ["5 mg", "10mg", "20 mg", "25mcg", "50 mg", "100 mg", "250mg", "500 mg", "1 g", "2g",
         "0.5 mg", "40 units", "8 units", "2 puffs", "15 mL", "1 tab", "2 tabs", "325mg"]
FREQ = ["daily", "BID", "TID", "QID", "q6h", "q4-6h PRN", "at bedtime", "qHS", "PRN",
        "once weekly", "q8h", "with meals", "AC", "PO daily", "IV q12h", "SQ daily"]
TESTS = ["Jebsen-Taylor hand function test", "Purdue Pegboard", "Semmes-Weinstein monofilament",
         "Nine Hole Peg Test", "Box and Block test", "Berg Balance Scale", "Timed Up and Go",
         "Tinetti", "Barthel Index", "FIM", "Katz ADL", "Lawton IADL", "MoCA",
         "Montreal Cognitive Assessment", "Mini-Cog", "Folstein MMSE", "SLUMS",
         "Allen Cognitive Level", "Kohlman Evaluation of Living Skills", "COPM",
         "Canadian Occupational Performance Measure", "Fugl-Meyer", "Modified Ashworth",
         "Tardieu scale", "Borg RPE", "Glasgow Coma Scale", "Braden scale", "Morse Fall Scale",
         "Beck Depression Inventory", "PHQ-9", "GAD-7", "Epworth", "Mallampati", "NIHSS",
         "Rankin", "Apgar", "Snellen chart", "Ishihara plates", "Dix-Hallpike", "Romberg",
         "Finkelstein", "Phalen", "Tinel", "Spurling", "Lachman", "McMurray", "Hawkins-Kennedy",
         "Neer", "Thomas test", "Ober test", "FABER", "Trendelenburg", "Kapandji",
         "Moberg pick-up test", "Rivermead Behavioural Memory Test", "Action Research Arm Test",
         "Dynamometer", "pinch gauge", "goniometry", "DASH", "QuickDASH", "Wells score",
         "Child-Pugh", "CURB-65", "APACHE II", "SOFA", "CHA2DS2-VASc", "HAS-BLED"]
DIAGNOSES = ["Parkinson disease", "Alzheimer dementia", "Lewy body dementia", "Huntington disease",
             "Guillain-Barré syndrome", "Bell palsy", "Dupuytren contracture",
             "de Quervain tenosynovitis", "Colles fracture", "Smith fracture", "boxer's fracture",
             "Bennett fracture", "boutonnière deformity", "swan neck deformity",
             "Heberden nodes", "Raynaud phenomenon", "Sjögren syndrome", "Crohn disease",
             "Graves disease", "Hashimoto thyroiditis", "Addison disease", "Cushing syndrome",
             "Charcot-Marie-Tooth", "Duchenne muscular dystrophy", "Ehlers-Danlos",
             "Marfan syndrome", "Down syndrome", "Stevens-Johnson syndrome", "Kawasaki disease",
             "Barrett esophagus", "Mallory-Weiss tear", "Wernicke encephalopathy",
             "Broca aphasia", "Horner syndrome", "Brown-Séquard syndrome", "CVA", "TBI",
             "left MCA stroke", "right hemiparesis", "COPD", "CHF", "HFrEF", "A-fib", "DVT",
             "PE", "UTI", "C. diff colitis", "MRSA", "sepsis", "AKI", "CKD stage 3", "T2DM",
             "DKA", "hypothyroidism", "osteoarthritis", "rheumatoid arthritis",
             "carpal tunnel syndrome", "rotator cuff tear", "adhesive capsulitis",
             "trigger finger", "lateral epicondylitis", "CRPS", "TKA", "THA", "ORIF",
             "spinal stenosis", "multiple sclerosis", "ALS", "myasthenia gravis",
             "Hodgkin lymphoma", "Burkitt lymphoma", "Wilms tumor", "Ewing sarcoma"]
DEVICES = ["Foley catheter", "PICC line", "Hickman line", "Swan-Ganz", "Jackson-Pratt drain",
           "Penrose drain", "NG tube", "PEG tube", "trach", "BiPAP", "CPAP", "Hoyer lift",
           "Rifton chair", "rolling walker", "4WW", "quad cane", "wheelchair", "tub bench",
           "shower chair", "raised toilet seat", "reacher", "sock aid", "long-handled sponge",
           "dressing stick", "built-up utensils", "Dycem", "Theraputty", "Theraband",
           "Rolyan thumb spica", "Futuro wrist brace", "resting hand splint", "Miami J collar",
           "Aspen collar", "Jobst stockings", "Tubigrip", "Kinesio tape", "TENS unit",
           "hospital bed", "bedside commode", "grab bars", "Baltimore Therapeutic Equipment",
           "SaeboFlex", "mirror box", "pulse oximeter", "Steri-Strips", "Ace wrap", "Velcro strap"]
HEADINGS = ["ASSESSMENT", "PLAN", "Subjective", "Objective", "Assessment/Plan", "HPI",
            "History of Present Illness", "Review of Systems", "ROS", "Past Medical History",
            "PMH", "PSH", "Social History", "Family History", "Medications", "Allergies",
            "Vital Signs", "Physical Exam", "Labs", "Imaging", "Impression", "Recommendations",
            "Goals", "Short-Term Goals", "Long-Term Goals", "Precautions", "Discharge Plan",
            "Disposition", "Hospital Course", "Follow-Up", "Patient Education", "Interventions",
            "Functional Status", "ADLs", "IADLs", "Cognition", "Home Environment", "Prior Level of Function",
            "Chief Complaint", "Reason for Referral", "Diagnosis", "Procedures", "Consults",
            "CODE STATUS", "NEURO", "CV", "RESP", "GI/GU", "SKIN", "PSYCHOSOCIAL", "LINES"]
CODES = ["M79.641", "G56.01", "I63.9", "S52.501A", "M19.041", "R26.81", "Z96.651", "I10",
         "E11.9", "J44.1", "97535", "97110", "97530", "97165", "97166", "97140", "99213",
         "99214", "G0283", "L8000", "E0143", "A4253", "J1885", "LOINC 2345-7", "CPT 97112",
         "ICD-10 M75.101", "HCPCS E0163"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

# Shorthand that ICU, nursing and ward notes write in any case: no one's name or place.
# (Written from general clinical usage; words seen among the PhysioNet corpus's false
# positives were left out on purpose, so that corpus stays an evaluation set.)
ABBREVIATIONS = [
    "RLE", "LLE", "RUE", "LUE", "PVC",
    "PAC", "SVT", "NSR", "SR", "abd", "abx", "afeb", "amb", "ARF",
    "ASA", "BM", "BS", "BSx4", "CABG", "c/o", "CP", "CTA", "CTAB", "cx", "d/c", "DOE", "dsg",
    "dx", "ETT", "ext", "f/u", "FFP", "fx", "GCS", "gtt", "HOB", "HR", "hx", "I&O", "IABP",
    "ICP", "IVF", "JVD", "KVO", "LFTs", "LOC", "MAE", "MAP", "MS", "NAD", "NGT", "NKDA",
    "NPO", "NT", "ND", "OOB", "PERRL", "PLT", "PRBC", "PRN", "pt", "PTT", "q1h", "RA", "RRR",
    "r/o", "RT", "SBP", "SOB", "s/p", "SQ", "sx", "TF", "TLC", "tx", "UO", "VS", "VSS", "w/",
    "w/o", "WNL", "x2", "yo", "CCU", "MICU", "SICU", "CVICU", "PACU", "OR", "ED",
    "INR", "K", "Mg", "Phos", "Ca", "ABG", "VBG", "lytes", "CXR", "KUB", "TTE", "TEE", "cath",
    "freq", "occ", "min", "mod", "max", "assist", "cont",
    "sys", "resp", "neuro", "cardiac", "renal", "lytes rep", "sats", "coags", "trop", "BNP",
    "A-line", "art line", "CVP", "PA line", "SvO2", "PEEP", "FiO2", "CPAP", "PS", "SIMV", "AC",
    "TV", "RR", "MDI", "HHN", "NC", "FM", "NRB", "trach mask", "VAP bundle",
]
# Named protocols, regimens and approaches (eponyms): a capitalised word before "protocol",
# "exercises" or "technique" is seldom a person in the note.
PROTOCOLS = ["Indiana", "Belfast", "Manchester", "Washington", "Bobath",
             "Brunnstrom", "Rood", "Kabat", "Mulligan", "McKenzie", "Maitland", "Cyriax",
             "Kaltenborn", "Feldenkrais", "Williams", "Codman", "Otago", "Epley", "Brandt-Daroff",
             "Buerger-Allen", "Kegel", "Jobe", "Semont", "Frenkel", "Cawthorne-Cooksey",
             "Schroth", "Alexander", "Graston", "Watson", "Stanmore", "Saint John", "Evans",
             "Chow", "Strickland", "Silfverskiöld", "Lister", "Nalebuff", "Swanson"]
# Places that Safe Harbor lets stay (states, countries, regions): never labelled.
REGIONS = ["Texas", "Ohio", "Georgia",
           "Virginia", "Arizona", "Massachusetts", "Michigan", "Oregon", "Maine",
           "Mexico", "Canada", "Ireland", "India", "the Philippines", "Nigeria", "Poland",
           "Germany", "Vietnam", "Brazil", "Puerto Rico", "the Midwest", "New England",
           "the UK", "Europe", "Asia", "South America", "the Caribbean"]


def shorthand(rng):
    """A line of ward shorthand: abbreviations, numbers and vitals, no PHI, in any case."""
    words = []
    for _ in range(rng.randint(4, 12)):
        r = rng.random()
        if r < 0.6:
            words.append(rng.choice(ABBREVIATIONS))
        elif r < 0.8:
            words.append(str(rng.randint(1, 200)) + rng.choice(["", "%", "/min", "cc", "mg"]))
        else:
            words.append(rng.choice(["and", "with", "on", "to", "per", "at", "then", "no"]))
        if rng.random() < 0.2:
            words[-1] += rng.choice([",", ".", ";", ":"])
    line = " ".join(words)
    r = rng.random()
    return line.upper() if r < 0.35 else line.lower() if r < 0.5 else line


# --- sentence templates, by document kind ------------------------------------------------
# Slots: {pt} patient's name in some form, {ptf} first name, {ptl} surname, {pttl} title and
# surname; {fam}/{famn}/{rel} a family member's first name, full name, relation; {doc}
# a physician ("Dr. X", "X, MD"), {docl} the physician's surname, {clin} another clinician
# with credentials, {clinf} that clinician's first name, {staff} a staff member's first name;
# {city} {city2} {street} {zip} {state} {addr} {hosp} {ward}; {phone} {fax} {email} {date}
# {date2} {dob} {age} {mrn}; and fillers that are not PHI: {drug} {dose} {freq} {test}
# {dx} {device} {dept} {ins} {code} {num} {month} {weekday} {time} {role} {employer}.
# An initial is one span with the surname that follows it (a lone "J." would count as leaked
# wherever the letter and a full stop appear). A modifier after a colon changes the case:
# {ptf:lc}, {city:uc}, {ptl:poss} ('s after).

SOAP = [
    "S: {ptf} reports pain 4/10 in the R wrist, worse with {device} use.",
    "S: pt states her {rel} {fam} has been helping with showers.",
    "S: \"I just want to get back to my garden,\" per {ptf}.",
    "O: grip 18 lb R, 32 lb L; {test} completed.",
    "O: AROM shoulder flex 0-120; {test} 4.31 at the thumb.",
    "A: {ptl} progressing toward goals; limited by fatigue.",
    "A: {pttl} tolerated tx well, min A for LB dressing.",
    "P: cont POC 2x/wk x 4 wks; next visit {date}.",
    "P: f/u with {doc} re: {dx}; HEP reviewed with {fam}.",
    "Pt {ptf} seen for 45 min OT. ADLs min A.",
    "{pt} seen bedside on {ward}; {dx}, day 3 post-op.",
    "{ptf:lc} was seen today for {dx}. Tolerated {test}.",
    "Pt arrived with {rel} ({fam}) who stayed for the session.",
    "{pttl} seen in clinic for follow-up of {dx}.",
    "tx note - {pt:lc} arrived late, {rel} {fam} present.",
    "{ptl} tol tx well, UE HEP reviewed, next visit {date}.",
    "Reviewed {device} use with {ptf} and {rel} {fam}.",
    "Spoke with {fam:lc} about the home program; she will practise the putty set.",
    "{fam}'s car broke down so {ptf} missed the {weekday} session.",
    "Per {ptf}, the grab bars are in and the {device} fits.",
    "Co-treat with {clin} for transfers.",
    "Discussed with {clinf}, who agrees with the plan.",
    "Seen jointly with {doc}; {dx} confirmed on exam.",
    "Pt {ptl:uc} educated on energy conservation.",
    "Session held at home, {street}, {city}; two steps at entry, no rails.",
    "Pt lives in {city} with {rel} {fam}, who works nights.",
    "{ptf} and {fam} share the driving to {city2} for dialysis.",
    "{ptl:poss} {rel} asked about driving after the stroke.",
    "{pt} ({age} y/o) {dx}, {device} at all times.",
    "{age}yo F w/ {dx}, pmh {dx2}, lives alone in {city}.",
    "{age} y.o. male referred by {doc} for {dx}.",
    "Plan discussed with {ptf}, {rel} ({famn}) and {clin}.",
]

PROGRESS_OT = [
    "Patient {ptf} completed upper-body dressing with set-up only.",
    "{ptf} needed verbal cues x3 for sequencing during grooming.",
    "Kitchen task: {ptf} made tea safely; {rel} {fam} observed.",
    "Splint check: {device} fits well, no pressure areas; {ptf} to wear at night.",
    "Caregiver training with {famn} on {device} transfers.",
    "{fam} (pt's {rel}) will bring the {device} from {city} on {weekday}.",
    "Home visit planned for {date} at {street}.",
    "Pt reports {fam:lc} helps with buttons and shoelaces.",
    "{ptf} wants to return to work at {employer} in {month}.",
    "Worked on fine motor tasks; {test} {num} s dominant hand.",
    "Lives in a two-storey house in {city}; bathroom upstairs.",
    "Moved from {city} to {city2} to be near her {rel}.",
    "{ptf} grew up in {city} and worked as a seamstress.",
    "Equipment loaned from the {city} loan store: {device}.",
    "Pt's {rel}, {famn}, is the main carer.",
    "{ptf:uc} SEEN FOR ADL RETRAINING. {rel:uc} {fam:uc} PRESENT.",
    "Tx focused on {dx}-related tremor; {drug} taken before session.",
    "Pt's goal: to dress independently before {rel} {fam}'s wedding in {month}.",
    "Transferred from {ward} at {hosp} after the {dx}.",
    "Seen on {ward} this morning; tolerated 20 minutes of ADL retraining.",
    "Follow-up booked at {hosp}, outpatient hand clinic.",
    "Referral from {hosp} for {pt}.",
    "Writes with left hand since the injury; {fam} signs the forms.",
    "{pt} returned the {device} to the {city} loan store.",
]

DISCHARGE = [
    "DISCHARGE SUMMARY", "Patient: {pt}  MRN: {mrn}",
    "Admitted: {date}  Discharged: {date2}",
    "Attending: {doc}",
    "{pt} is a {age}-year-old with {dx} admitted from {city} for {dx2}.",
    "Mr. {ptl} was transferred from {hosp} on {date}.",
    "Hospital course was complicated by {dx2}; treated with {drug} {dose} {freq}.",
    "Discharged home to {addr} with {rel} {famn}.",
    "Discharged to {hosp} for rehab; report called to {clin}.",
    "Follow up with {doc} at {hosp} in 2 weeks ({phone}).",
    "Home health to start {date}; agency contact {staff} at {phone}.",
    "Discussed the plan with the patient's {rel}, {famn}, who agrees.",
    "Condition at discharge: stable. Diet: cardiac. Activity: as tolerated.",
    "Discharge medications: {drug} {dose} {freq}; {drug2} {dose2} {freq2}.",
    "She will stay with her {rel} in {city} for the first week.",
    "Pending labs to be followed by {doc}.",
    "The patient was seen and examined by me on the day of discharge. {doc}",
]

REFERRAL = [
    "Dear {doc},", "Dear Dr. {docl},", "Dear Colleague,",
    "Thank you for seeing {pt}, DOB {dob}, who has {dx}.",
    "I am writing to refer {pttl} of {addr} for assessment of {dx}.",
    "{ptf} lives with her {rel} {fam} in {city} and relies on a {device}.",
    "Re: {pt}, {street}, {city} {zip}",
    "RE: {pt:uc} (DOB {dob})",
    "She was previously under the care of {doc2} at {hosp}.",
    "Please contact me on {phone} or {email} with any questions.",
    "Yours sincerely,", "Kind regards,", "Best wishes,", "Sincerely,",
    "{clin}", "{doc}, {dept}, {hosp}",
    "cc: {doc2}; {famn} ({rel})",
    "Enclosed: {test} results, medication list ({drug}, {drug2}).",
    "Insurance: {ins}, member ID {mrn}.",
    "Prior authorization requested for {code} ({device}).",
    "The claim for {pt} (DOS {date}) was denied by {ins}; appeal attached.",
    "To whom it may concern: {pt} is under my care for {dx}.",
    "{ptf} is unable to work at {employer} until {date}.",
]

EMAIL = [
    "Hi {ptf},", "Hello {fam},", "Hi Dr. {docl},", "Hey {staff:lc},", "Good morning {clinf},",
    "Thanks {staff}!", "Thanks, {clinf}", "Best, {staff}", "Cheers, {clinf}", "-- {clinf}",
    "Subject: {ptl} appointment {date}",
    "From: {email}", "To: {email2}",
    "Sent: {weekday}, {date} {time}",
    "{fam} called to say {ptf} has a fever; can someone call back on {phone}?",
    "Can we move {pt:poss} visit to {weekday}? {rel:cap} {fam} can drive her then.",
    "Your results from {date} are ready; please log in to the portal.",
    "Message from patient: my {rel} {fam} will pick up the {device} from {city}.",
    "I spoke with {famn} this morning; she is worried about her {rel}.",
    "Please fax the notes to {doc} at {fax}.",
    "{ptf} is asking if {drug} can be refilled at the {city} pharmacy.",
    "Reminder: {ptl} family meeting {weekday} at {time}.",
    "i'll let {fam:lc} know, thanks",
    "ok will tell {ptf:lc} when she calls",
    "Fwd: referral for {pt}",
    "Re: {ptl:uc}, {ptf:uc} - {test} results",
    "Hi team, {ptf} was discharged to {city} yesterday.",
    "Sorry for the delay - {clinf} was out sick.",
    "Please update the address to {addr}.",
    "New phone for {ptf}: {phone}",
]

PHONE_LOG = [
    "{time} Called {pt:lc} re: {device} delivery; left VM.",
    "{time} Call from {famn} ({rel}), asking for callback on {phone}.",
    "{date} {time} - spoke with {fam}, pt doing better.",
    "TC to pt at {phone}; no answer, LMOM.",
    "Phone call: {rel} {fam} reports {ptf} fell at home in {city}.",
    "Returned call to {ptf}; confirmed appt {date} with {doc}.",
    "Called {hosp} for records; spoke with {staff} in {dept}.",
    "Pharmacy ({city}) called about {drug} interaction.",
    "{staff} from {ins} called re: authorization.",
    "Left message for {ptf} re: {device}.",
    "Called {fam:lc} to confirm the home visit; no answer.",
    "Spoke to pt's {rel} {famn} @ {phone} - will bring pt {weekday}.",
    "Msg taken by {staff:lc}: {ptf} wants to cancel.",
    "Callback # {phone} (cell), ask for {fam}.",
]

DICTATION = [
    "DICTATED BY: {doc}", "Dictated by: {clin}", "Dictated but not read.",
    "D: {date} T: {date2} Job #{num}", "Transcribed by: {staff}",
    "cc: {doc2}", "Electronically signed by {doc} on {date} at {time}",
    "Signed: {clin}", "Cosigned {docl:uc}, {docfirst:uc} MD", "Therapist: {clin}",
    "Attending physician: {doc}", "Referring physician: {doc2}",
    "PATIENT NAME: {pt:uc}", "DATE OF SERVICE: {date}", "LOCATION: {hosp:uc}",
    "This is a {age}-year-old right-hand-dominant woman from {city}.",
    "THE PATIENT IS A {age}-YEAR-OLD MAN WHO LIVES IN {city:uc} WITH HIS {rel:uc}.",
    "PATIENT {pt:uc} WAS SEEN ON {date}. LIVES WITH {rel:uc} {fam:uc}.",
    "MRS {ptl:uc} SEEN IN {city:uc}, LIVES WITH {rel:uc} {fam:uc}.",
    "PT'S {rel:uc} {fam:uc} CALLED, WILL VISIT FROM {city:uc} TOMORROW.",
    "Mr. {ptl} is seen today at the request of {doc}.",
    "He was accompanied by his {rel}, {famn}, who provides history.",
    "End of dictation.", "[dictation ends]",
]

SCHEDULING = [
    "Appt for {pt} on {date} at {time} with {clin}, {dept}.",
    "{ptl}, {ptf} - {weekday} {time} - {dept} - rm {num}",
    "Reminder: {ptf}, you have an appointment at {hosp}, {street}, on {date}.",
    "Rescheduled {ptl} to {date2}; {rel} to drive.",
    "No-show: {pt} ({mrn}). Letter sent to {addr}.",
    "Waitlist: {pt:lc}, prefers mornings, call {phone}.",
    "Transport booked from {street}, {city} to {hosp} for {date}.",
    "Interpreter ({lang}) requested for {ptf:poss} visit; contact {staff}.",
    "Please arrive 15 minutes early. Parking is at {street}.",
    "New patient: {pt}, referred by {doc}, {ins}.",
]

ICU_NURSING = [
    "0700 pt A&Ox3, VSS, on 2L NC. {rel} {fam} at bedside.",
    "Neuro: GCS 14, PERRLA. CV: NSR 80s. Resp: LS clear.",
    "Turned q2h, {device} in place, skin intact.",
    "{fam} ({rel}) updated by phone at {time}.",
    "Pt c/o pain 6/10, {drug} {dose} given at {time}.",
    "Family ({famn}) requests update from {doc}.",
    "Bed {num}, {ward}: {ptl}, {age}F, {dx}.",
    "Handoff to {clinf:lc} RN at 1900.",
    "pt's {rel} {fam:lc} here all day, going home to {city} tonight.",
    "Received from {hosp} ED via EMS at {time}.",
    "I/O 1200/800. Foley draining clear yellow urine.",
    "{ptl:uc} {age}M {dx:uc}, FULL CODE, {rel:uc} {fam:uc} IS HCP.",
    "Dr. {docl} notified of K 3.1; replaced per protocol.",
    "PRN {drug} x1 for agitation per {docl}.",
    "Sitter at bedside. {rel} {fam} to stay overnight.",
]

INTAKE_LINES = [
    "Name: {pt}", "Patient name: {pt}", "Last name: {ptl}", "First name: {ptf}",
    "Preferred name: {ptf}", "DOB: {dob}", "Date of birth: {dob}", "Age: {age}",
    "Address: {street}", "City: {city}", "Town: {city}", "Postcode: {zip}", "ZIP: {zip}",
    "Home address: {addr}", "Phone: {phone}", "Mobile: {phone}", "Home phone: {phone}",
    "Email: {email}", "Emergency contact: {famn} ({rel}) {phone}",
    "Next of kin: {famn}, {rel}", "Contact: {fam} - {rel} - {phone}",
    "Primary care: {doc}", "PCP: {doc}, {hosp}", "Referring provider: {doc2}",
    "Pharmacy: {city} {pharm}", "Employer: {employer}", "Occupation: {job}",
    "Insurance: {ins}", "Member ID: {mrn}", "MRN: {mrn}", "Language: {lang}",
    "Marital status: married", "Lives with: {rel} ({fam})", "Place of birth: {city}",
    "Allergies: {drug}", "Current medications: {drug} {dose} {freq}",
    "Reason for visit: {dx}", "Signature: {pt}", "Completed by: {staff}",
]

# Lines with no PHI at all: every capital here is someone's test, drug, device or heading.
NO_PHI = [
    "{test}: {num} s dominant, {num2} s non-dominant.",
    "{test} and {test2} both within normal limits.",
    "Started on {drug} {dose} {freq}; {drug2} PRN before therapy.",
    "Hx of {dx} and {dx2}; no known drug allergies.",
    "Issued a {device} and a {device2}; wearing schedule reviewed.",
    "Cleared by PT for {device} transfers; {dx} tremor noted at rest.",
    "{heading}: {dx}, stable.",
    "{heading:uc}", "{heading}:", "--- {heading} ---", "## {heading}",
    "Dressing: mod assist; Grooming: set-up; Toileting: CGA.",
    "BP 132/78, HR 88, RR 16, SpO2 97% RA, T 98.6 F.",
    "Na 138, K 4.1, Cr 1.2, BUN 22, Hgb 10.4, WBC 7.8.",
    "Billed {code} x{num} units; {code2} for the orthosis.",
    "Dx code {code}; secondary {code2}.",
    "Education on {weekday}, {weekday2} and Friday routines; {month} goals updated.",
    "Goals: independent with {device} by {month}.",
    "Precautions: sternal, falls, {dx}.",
    "Pt reports {drug} helps; side effects discussed.",
    "Continue {drug} {dose} {freq}; hold if SBP < 100.",
    "{dept} consult placed for {dx}.",
    "Seen in {dept}; {test} ordered.",
    "{ins} authorised {num} visits.",
    "Braden {num}, Morse {num2}; fall precautions in place.",
    "No PHI discussed. Equipment list updated.",
    "Pt tolerated session without adverse events.",
    "Will continue per plan of care.",
    "HEP: {protocol} exercises 2x daily, {protocol2} protocol progression next week.",
    "Rehab potential good; prognosis fair.",
    "Plan: {device}, {test} next week, {drug} review.",
    "ADL retraining, {device} training, therapeutic exercise ({code}).",
    "Warm-up on the {device}, then Theraband green, 3x10.",
    "A&Ox4, follows 2-step commands, {test} 24/30.",
    "Neuro: CN II-XII intact; {test} negative.",
    "CXR: no acute process. EKG: NSR, no ST changes.",
    "MRI brain: small {dx} without mass effect.",
    "{drug} {dose} PO {freq} x 7 days, then taper.",
    "Reviewed {test}; {num}/{num2} on re-test.",
    "Flowsheet: {device} on, HOB 30, SCDs on.",
    "Dual-task gait with {device}; Borg 13/20.",
    "{month} plan: taper {drug}, start {drug2}.",
    "Care plan updated per {dept} recommendations.",
    "Heberden and Bouchard nodes bilaterally; Finkelstein positive.",
    "Phalen and Tinel negative at the wrist; Spurling negative.",
    "Kapandji score 8/10; Moberg pick-up test completed.",
    "Allen Cognitive Level 4.6; Barthel Index 70/100; FIM transfers 5.",
    "COPM performance 4.2, satisfaction 3.8.",
    "{test} ({code}) scheduled; NPO after midnight.",
    "{dx}: {drug}; {dx2}: {drug2}.",
    "{protocol} protocol week {num}; tendon glides x 10.",
    "Tendon glides, then {protocol} protocol passive flexion x {num}.",
    "Started {protocol} exercises; {protocol2} technique for the shoulder.",
    "Per {protocol} protocol, {device} at all times except hygiene.",
    "{protocol}-style splint; {protocol2} approach for tone.",
    "Flew in from {region} last week; no travel since.",
    "Originally from {region}; moved here as a child.",
    "Insurance plan is out of network in {region}.",
    "{region} Medicaid pending; {ins} secondary.",
    "Visiting family in {region} over the holidays, will resume in {month}.",
]

# Headers and footers that frame a document; the same slots.
HEADERS = [
    "{hosp:uc}\n{dept}", "{hosp}\n{street}, {city} {zip}\nTel {phone}  Fax {fax}",
    "OCCUPATIONAL THERAPY PROGRESS NOTE", "Progress Note - {dept}", "NURSING NOTE {date}",
    "Patient: {pt}    DOB: {dob}    MRN: {mrn}", "{ptl:uc}, {ptf:uc}  MRN {mrn}",
    "Date: {date}", "{date} {time}", "Encounter: {date}, {dept}, {hosp}",
    "PHONE ENCOUNTER", "Telephone note - {date}", "Portal message", "From the desk of {doc}",
    "CONFIDENTIAL", "Page 1 of 2", "[{date} {time}] {clin}",
]
FOOTERS = [
    "{clin}", "-- {clin}", "Signed: {clin} {date}", "Electronically signed: {doc} {date} {time}",
    "Dictated by {doc}. Transcribed by {staff:lc}.", "Thanks, {staff}", "{clinf} x{num}",
    "CONFIDENTIALITY NOTICE: this message may contain protected health information.",
    "Page 2 of 2", "{hosp} | {street} | {city} | {phone}", "cc: {doc2}, {famn}",
    "Reviewed and agree. {doc}", "Note written by {clinf:lc}",
]

KINDS = {"soap": SOAP, "ot": PROGRESS_OT, "discharge": DISCHARGE, "referral": REFERRAL,
         "email": EMAIL, "phone": PHONE_LOG, "dictation": DICTATION, "schedule": SCHEDULING,
         "icu": ICU_NURSING, "intake": INTAKE_LINES}
LANGS = ["Spanish", "Mandarin", "Cantonese", "Arabic", "Russian", "Vietnamese", "Haitian Creole",
         "Portuguese", "Polish", "Somali", "Tagalog", "Korean", "ASL", "Farsi", "Hindi"]
JOBS = ["retired teacher", "nurse", "bus driver", "engineer", "student", "farmer", "chef",
        "electrician", "accountant", "homemaker", "carpenter", "cashier", "veteran"]
PHARM = ["Pharmacy", "Drug Store", "Apothecary", "Chemist"]


def split_list(items, split):
    """The split's share of a list: held-out items are every fifth (index 4 mod 5)."""
    return [t for i, t in enumerate(items) if (i % 5 == 4) == (split == "holdout")]


# --- the cast of one document -----------------------------------------------------------

def ask(fake, method, fallback):
    """`fake.method()`, or the fallback locale's where the locale has no such provider."""
    try:
        return str(getattr(fake, method)()).strip()
    except AttributeError:
        return str(getattr(fallback, method)()).strip()


def person(fake, rng):
    first = fake.first_name()
    if rng.random() < 0.1:
        first = fake.first_name()  # a second draw: fewer of the most frequent names
    return {"first": first, "last": fake.last_name(), "middle": fake.first_name()}


def a_date(rng):
    d = datetime.date(1930, 1, 1) + datetime.timedelta(days=rng.randint(0, 35000))
    forms = ["%m/%d/%Y", "%d/%m/%Y", "%Y-%m-%d", "%B %d, %Y", "%d %B %Y", "%b %d", "%d.%m.%Y",
             "%m/%d/%y", "%m-%d-%Y", "%d-%b-%Y", "%b %d %Y", "%m/%d"]
    return d.strftime(rng.choice(forms))


def cast(fakers, locales, rng):
    """Who and where one document is about: its people from one or two locales."""
    home = fakers[rng.choice(locales)]
    other = fakers[rng.choice(locales)]
    fam_fake = home if rng.random() < 0.7 else other
    c = {"pt": person(home, rng), "fam": person(fam_fake, rng), "doc": person(other, rng),
         "doc2": person(fakers[rng.choice(locales)], rng), "clin": person(home, rng),
         "staff": person(other, rng), "rel": rng.choice(RELATIONS), "home": home,
         "other": other, "cred": rng.choice(CREDENTIALS), "title": rng.choice(
             ["Mr.", "Mrs.", "Ms.", "Mr", "Mrs", "Ms", "Miss", "Mx.", "Sr.", "Sra."])}
    us = fakers.get("en_US") or fakers[sorted(fakers)[0]]
    c["us"] = us
    c["city"], c["city2"] = ask(home, "city", us), ask(other, "city", us)
    c["street"] = ask(home, "street_address", us).replace("\n", ", ")
    c["zip"] = ask(home, "postcode", us)
    c["hosp"] = (rng.choice([ask(home, "city", us), home.last_name(), "St. " + home.first_name(),
                             c["city"]]) + " " + rng.choice(FACILITY_KINDS))
    return c


# --- slot values -------------------------------------------------------------------------

N, L = "NAME", "LOCATION"


def slot(kind, c, rng):
    """A slot's text as parts [(text, type or None, label)]."""
    pt, fam, doc, clin = c["pt"], c["fam"], c["doc"], c["clin"]
    if kind == "pt":
        r = rng.random()
        if r < 0.45:
            return [(pt["first"], N, "first"), (" ", None, ""), (pt["last"], N, "last")]
        if r < 0.6:
            return [(pt["last"], N, "last"), (", ", None, ""), (pt["first"], N, "first")]
        if r < 0.72:
            return [(pt["first"], N, "first"), (" ", None, ""),
                    (pt["middle"][0] + ". " + pt["last"], N, "initial_last")]
        if r < 0.82:
            return [(pt["first"][0] + ". " + pt["last"], N, "initial_last")]
        if r < 0.9:
            return [(pt["first"], N, "first"), (" ", None, ""), (pt["middle"], N, "middle"),
                    (" ", None, ""), (pt["last"], N, "last")]
        return [(c["title"] + " ", None, ""), (pt["last"], N, "last")]
    if kind == "ptf":
        return [(pt["first"], N, "first")]
    if kind == "ptl":
        return [(pt["last"], N, "last")]
    if kind == "pttl":
        return [(c["title"] + " ", None, ""), (pt["last"], N, "last")]
    if kind == "fam":
        return [(fam["first"], N, "family_first")]
    if kind == "famn":
        return [(fam["first"], N, "family_first"), (" ", None, ""), (fam["last"], N, "family_last")]
    if kind in ("doc", "doc2"):
        d = c[kind]
        r = rng.random()
        if r < 0.35:
            return [(rng.choice(["Dr. ", "Dr ", "DR. ", "Doctor "]), None, ""), (d["last"], N, "doctor")]
        if r < 0.65:
            return [(d["first"], N, "doctor"), (" ", None, ""), (d["last"], N, "doctor"),
                    (rng.choice([", MD", " MD", ", M.D.", ", DO", " MBBS", ", MD, PhD"]), None, "")]
        if r < 0.85:
            return [("Dr. ", None, ""), (d["first"], N, "doctor"), (" ", None, ""), (d["last"], N, "doctor")]
        return [("Dr. ", None, ""), (d["first"][0] + ". " + d["last"], N, "doctor")]
    if kind == "docl":
        return [(doc["last"], N, "doctor")]
    if kind == "docfirst":
        return [(doc["first"], N, "doctor")]
    if kind == "clin":
        r = rng.random()
        if r < 0.6:
            return [(clin["first"], N, "clinician"), (" ", None, ""), (clin["last"], N, "clinician"),
                    (rng.choice([", ", " "]) + c["cred"], None, "")]
        if r < 0.8:
            return [(c["cred"] + " ", None, ""), (clin["first"], N, "clinician"), (" ", None, ""),
                    (clin["last"], N, "clinician")]
        return [(clin["first"][0] + ". " + clin["last"], N, "clinician"),
                (" (" + rng.choice(ROLES) + ")", None, "")]
    if kind == "clinf":
        return [(clin["first"], N, "clinician")]
    if kind == "staff":
        return [(c["staff"]["first"], N, "staff")] if rng.random() < 0.6 else [
            (c["staff"]["first"], N, "staff"), (" ", None, ""), (c["staff"]["last"], N, "staff")]
    if kind in ("city", "city2", "street", "hosp"):
        return [(c[kind], L, kind)]
    if kind == "zip":
        return [(c["zip"], "ZIP", "zip")]
    if kind == "ward":
        return [(rng.choice(WARDS), L, "ward")]
    if kind == "state":
        return [(ask(c["home"], "state", c["us"]), None, "")]
    if kind == "addr":
        parts = [(c["street"], L, "street"), (", ", None, ""), (c["city"], L, "city"), (" ", None, ""),
                 (c["zip"], "ZIP", "zip")]
        if rng.random() < 0.3:
            # The state between town and postcode is not PHI under Safe Harbor.
            parts[3] = (", " + ask(c["home"], "state_abbr" if rng.random() < 0.5 else "state",
                                   c["us"]) + " ", None, "")
        return parts if rng.random() < 0.8 else parts[:3]
    if kind == "pharm":
        return [(rng.choice(PHARM), None, "")]
    if kind in ("phone", "fax"):
        return [(ask(rng.choice([c["home"], c["other"]]), "phone_number", c["us"]), "PHONE", kind)]
    if kind in ("email", "email2"):
        p = rng.choice([pt, fam, clin])
        user = rng.choice([p["first"], p["first"] + "." + p["last"], p["first"][0] + p["last"],
                           p["last"] + str(rng.randint(1, 99))]).lower()
        user = re.sub(r"[^a-z0-9.]", "", user) or "user"
        return [(user + "@" + ask(c["other"], "free_email_domain", c["us"]), "EMAIL", "email")]
    if kind in ("date", "date2", "dob"):
        return [(a_date(rng), "DATE", kind)]
    if kind == "age":
        a = rng.randint(18, 104) if rng.random() < 0.8 else rng.randint(1, 17)
        return [(str(a), "AGE" if a >= 90 else None, "age")]
    if kind == "mrn":
        n = rng.choice(["{:08d}", "A{:07d}", "{:06d}", "MRN{:07d}", "{:010d}"]).format(
            rng.randint(0, 9_999_999))
        return [(n, "ID", "mrn")]
    if kind == "employer":
        return [(ask(c["home"], "company", c["us"]), "ORGANIZATION", "employer")]
    # Fillers that are not PHI.
    pick = {"rel": [c["rel"]], "drug": DRUGS, "drug2": DRUGS, "dose": DOSES, "dose2": DOSES,
            "freq": FREQ, "freq2": FREQ, "test": TESTS, "test2": TESTS, "dx": DIAGNOSES,
            "dx2": DIAGNOSES, "device": DEVICES, "device2": DEVICES, "dept": DEPTS,
            "ins": INSURERS, "code": CODES, "code2": CODES, "month": MONTHS,
            "weekday": WEEKDAYS, "weekday2": WEEKDAYS, "role": ROLES, "heading": HEADINGS,
            "lang": LANGS, "job": JOBS, "region": REGIONS,
            "protocol": PROTOCOLS, "protocol2": PROTOCOLS}
    if kind in ("num", "num2"):
        return [(str(rng.randint(1, 60)), None, "")]
    if kind == "time":
        return [(rng.choice(["%02d:%02d", "%d:%02d", "%02d%02d"]) % (rng.randint(0, 23),
                                                                   rng.randint(0, 59)), None, "")]
    if kind in pick:
        return [(rng.choice(pick[kind]), None, "")]
    raise KeyError(kind)


def modify(parts, mod):
    """A slot modifier: lc, uc, cap (first letter), poss ('s after the value)."""
    def case(s, f):
        # Only where the case change keeps the length (`ß`.upper() is `SS`): offsets hold.
        return "".join(f(ch) if len(f(ch)) == 1 else ch for ch in s)
    if mod == "lc":
        return [(case(t, str.lower), ty, lab) for t, ty, lab in parts]
    if mod == "uc":
        return [(case(t, str.upper), ty, lab) for t, ty, lab in parts]
    if mod == "cap":
        return [(t[:1].upper() + t[1:], ty, lab) for t, ty, lab in parts]
    if mod == "poss":
        return parts + [("'s", None, "")]
    return parts


def typo(text, rng):
    """A misspelt word or two in a template's own words (never inside a value)."""
    words = text.split(" ")
    for _ in range(rng.randint(1, 2)):
        i = rng.randrange(len(words))
        w = words[i]
        if len(w) > 4 and w.isalpha():
            k = rng.randrange(1, len(w) - 1)
            w = rng.choice([w[:k] + w[k + 1:], w[:k] + w[k] + w[k:],
                            w[:k - 1] + w[k] + w[k - 1] + w[k + 1:]])
            words[i] = w
    return " ".join(words)


def render(template, c, rng, misspell):
    """The template filled from the cast: text and gold spans (character offsets)."""
    text, spans, pos = "", [], 0
    for m in re.finditer(r"\{(\w+)(?::(\w+))?\}", template):
        lit = template[pos:m.start()]
        text += typo(lit, rng) if misspell and len(lit) > 8 and rng.random() < 0.5 else lit
        for t, ty, lab in modify(slot(m.group(1), c, rng), m.group(2)):
            if ty and t:
                spans.append({"start": len(text), "end": len(text) + len(t), "type": ty,
                              "label": lab})
            text += t
        pos = m.end()
    return text + template[pos:], spans


def table(c, rng):
    """A contact or care-team table: the values in columns."""
    rows, spans = [], []
    head = rng.choice(["| Name | Relation | Phone |\n|---|---|---|",
                       "Name\tRole\tPhone", "NAME            ROLE        PHONE"])
    text = head + "\n"
    fmt = "| {} | {} | {} |" if head.startswith("|") else ("{}\t{}\t{}" if "\t" in head
                                                           else "{:<16}{:<12}{}")
    for who, role in [("fam", c["rel"]), ("clin", "therapist"), ("doc", "physician")][
            :rng.randint(2, 3)]:
        p = c[who]
        name = p["first"] + " " + p["last"]
        phone = ask(c["home"], "phone_number", c["us"])
        line = fmt.format(name, role, phone)
        s = text.__len__() + line.index(name)
        spans.append({"start": s, "end": s + len(p["first"]), "type": N, "label": who})
        spans.append({"start": s + len(p["first"]) + 1, "end": s + len(name), "type": N, "label": who})
        ps = text.__len__() + line.rindex(phone)
        spans.append({"start": ps, "end": ps + len(phone), "type": "PHONE", "label": "phone"})
        text += line + "\n"
    return text.rstrip("\n"), spans


def restyle(text, style):
    """A whole document in capitals or lower case, letter by letter (offsets hold)."""
    f = str.upper if style == "upper" else str.lower
    return "".join(f(ch) if len(f(ch)) == 1 else ch for ch in text)


def document(c, rng, kinds, no_phi, headers, footers):
    kind = rng.choice(sorted(kinds))
    pool = kinds[kind]
    misspell = rng.random() < 0.2
    pieces, used = [], set()
    if rng.random() < 0.5:
        pieces.append(render(rng.choice(headers), c, rng, False))
    for _ in range(rng.randint(2, 7)):
        r = rng.random()
        template = rng.choice(pool)
        if template in used:
            template = rng.choice(pool)  # once more: a note seldom says a line twice
        used.add(template)
        if r < 0.22:
            pieces.append(render(rng.choice(no_phi), c, rng, misspell))
        elif r < 0.3:
            pieces.append((shorthand(rng), []))
        elif r < 0.35:
            pieces.append(table(c, rng))
        elif r < 0.4 and kind != "intake":
            # A list: "- value" lines.
            items = [render("- " + rng.choice(pool), c, rng, misspell) for _ in range(rng.randint(2, 4))]
            pieces.append(join(items, "\n"))
        else:
            pieces.append(render(template, c, rng, misspell))
    if rng.random() < 0.5:
        pieces.append(render(rng.choice(footers), c, rng, False))
    sep = "\n" if kind in ("intake", "discharge", "dictation", "icu") or rng.random() < 0.5 else " "
    text, spans = join(pieces, sep)
    r = rng.random()
    if r < 0.08:
        text = restyle(text, "upper")
    elif r < 0.14:
        text = restyle(text, "lower")
    return kind, text, spans


def join(pieces, sep):
    texts, spans, off = [], [], 0
    for text, s in pieces:
        spans += [dict(x, start=x["start"] + off, end=x["end"] + off) for x in s]
        texts.append(text)
        off += len(text) + len(sep)
    return sep.join(texts), spans


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=21)
    ap.add_argument("--count", type=int, default=3000)
    ap.add_argument("--split", choices=["train", "holdout"], default="train")
    args = ap.parse_args()
    fix_string_hashing()
    rng = random.Random(args.seed)
    everyone = [x for x in AVAILABLE_LOCALES if x not in NO_PERSON]
    if args.split == "holdout":
        locales = HOLDOUT_LOCALES
    else:
        others = [x for x in everyone if x not in HOLDOUT_LOCALES]
        locales = others + [x for x in LOCAL if x in others] * 6
    fakers = seeded_fakers(sorted(set(locales)), rng)
    kinds = {k: split_list(v, args.split) for k, v in KINDS.items()}
    no_phi = split_list(NO_PHI, args.split)
    headers, footers = split_list(HEADERS, args.split), split_list(FOOTERS, args.split)
    for i in range(args.count):
        c = cast(fakers, locales, rng)
        kind, text, spans = document(c, rng, kinds, no_phi, headers, footers)
        doc = {"id": f"note-{args.split}-{args.seed}-{i}", "source": f"{kind}:{c['home']._locales[0]}",
               "format": "text", "text": text, "spans": spans}
        sys.stdout.write(json.dumps(doc, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
