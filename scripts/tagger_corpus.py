#!/usr/bin/env python3
"""Labelled OT notes for training the statistical tagger (`src/detect/tagger`).

Writes JSON lines in the scorer's format (character offsets, like heldout.py) (`../shared/eval/score.py`):
    {"id", "source", "format": "text", "text", "spans": [{"start", "end", "type", "label"}]}

The sentences are this project's own, written for the name and place shapes the rules
miss (issue 13): lower-case and single first names, possessives, accented and non-Latin
names, towns written alone, wards and hospitals, dictation footers; and sentences with no
PHI at all whose eponyms, tests and drugs must stay. Values come from Faker (MIT licence)
in locales that `scripts/heldout.py --split heldout` does not use, so that split stays a
fair test. This script never reads `scripts/heldout.py`'s templates.

Usage (the committed corpus, see patterns/model/README.md):
    pip install faker
    python3 scripts/tagger_corpus.py --seed 5 --count 1500 > patterns/model/train/ot-notes.jsonl

Synthetic data only: every value is generated.
"""
import argparse
import json
import random
import sys

from corpus_common import fix_string_hashing, join, render, seeded_fakers

# None of these is in heldout.py's heldout locale list.
LOCALES = ["en_US", "en_GB", "en_CA", "en_IE", "fr_CA", "de_DE", "fr_FR", "es_ES", "it_IT",
           "pl_PL", "hr_HR", "sl_SI", "hu_HU", "ro_RO", "da_DK", "no_NO", "pt_PT", "es_CO",
           "es_AR", "sk_SK", "lt_LT", "zu_ZA", "yo_NG", "id_ID", "fil_PH", "vi_VN", "en_IN",
           "uk_UA", "el_GR"]

WARDS = ["Ward 4B", "Rosewood ward", "Maple Unit", "the Larkspur wing", "5 North", "Birch ward",
         "Cedar Unit", "Station 7", "Willow ward", "the Heron unit"]
FACILITY_KINDS = ["General Hospital", "Medical Center", "Memorial Hospital", "Rehab Center",
                  "Community Hospital", "Nursing Home", "Clinic", "Infirmary"]
RELATIONS = ["daughter", "son", "wife", "husband", "niece", "nephew", "neighbour", "sister",
             "brother", "grandson", "granddaughter", "partner", "friend", "carer"]

TEMPLATES = [
    "spoke with {first_lc} about the hand program today; she will practise the putty set.",
    "{first}'s {rel} drove her to the session and stayed for the caregiver training.",
    "Pt seen with {rel} {first}. Reviewed energy conservation and bathroom set-up.",
    "Left message for {first} re: dressing stick delivery.",
    "{first} reports less pain with buttons since last week.",
    "per {first_lc}, the grab bars are in and the shower chair fits.",
    "Called {name_lc} to confirm the home visit; no answer.",
    "{name} attended with {rel} {first2}; both understood the splint schedule.",
    "Lives alone in {city}; {rel} in {city2} visits on weekends.",
    "Moved from {city} to be near her {rel}.",
    "Transferred from {ward} at {hospital} after the ORIF.",
    "Seen on {ward} this morning; tolerated 20 minutes of ADL retraining.",
    "Follow-up booked at {hospital}, outpatient hand clinic.",
    "Dictated by: {name}, OTR/L",
    "Signed: {name} OT",
    "Therapist: {first} {last}",
    "Cosigned {last_uc}, {first_uc} OTR/L",
    "MRS {last_uc} SEEN IN {city_uc}, LIVES WITH {rel_uc} {first_uc}.",
    "PT'S {rel_uc} {first_uc} CALLED, WILL VISIT FROM {city_uc} TOMORROW.",
    "Mr {last} and his {rel} {first} asked about driving after the stroke.",
    "{last} family meeting held; {first} to coordinate equipment.",
    "Home visit in {city}: two steps at entry, no rails.",
    "She grew up in {city} and worked as a seamstress.",
    "{first} and {first2} share caregiving duties.",
    "Gave the home program to {first} ({rel}).",
    "Ms. {last} is independent with feeding; {first} helps with lower-body dressing.",
    "Referral from {hospital} for {name}.",
    "Patient {name_lc} prefers to be called {first_lc}.",
    "Writes with left hand since the injury; {first} signs the forms.",
    "{name} returned the reacher to the {city} loan store.",
    # No PHI: eponyms, tests, drugs and jargon must stay O.
    "Jebsen-Taylor hand function test: 52 s dominant, 61 s non-dominant.",
    "Purdue Pegboard both hands 9 pins; Semmes-Weinstein monofilament 4.31 at the thumb.",
    "Allen Cognitive Level 4.6; Barthel Index 70/100; FIM transfers 5.",
    "Started on Gabapentin and Baclofen; Tylenol PRN before therapy.",
    "Box and Block test 38 blocks right, 41 left; Nine Hole Peg Test 24 s.",
    "Finkelstein positive; Phalen and Tinel negative at the wrist.",
    "Kapandji score 8/10; Moberg pick-up test completed.",
    "Issued a Futuro wrist brace and a Rolyan thumb spica.",
    "Cleared by PT for Hoyer lift transfers; Parkinson tremor noted at rest.",
    "COPM performance 4.2, satisfaction 3.8; Canadian Occupational Performance Measure reviewed.",
    "Dressing: mod assist; Grooming: set-up; Toileting: CGA.",
    "Warm-up on the Baltimore Therapeutic Equipment simulator, then Theraband green.",
    "Education on Monday, Wednesday and Friday routines; March goals updated.",
    "Alzheimer disease with Lewy body features; Down syndrome history.",
]


SYLLABLES = ["ca", "lo", "pre", "zo", "ta", "mi", "ri", "na", "flu", "xa", "do", "ve", "hes", "cor",
             "tro", "ben", "sul", "di", "pa", "me"]
DRUG_ENDINGS = ["pan", "zaar", "olol", "pril", "mab", "ine", "ide", "azole", "cillin", "statin",
                "ponin", "nula", "tal", "ex", "in", "ol"]
UNITS = ["mg", "mcg", "ml", "cc", "L", "mmHg", "bpm", "%", "units", "min", "cm", "kg"]


def jargon(rng, english):
    """A sentence with no PHI in the style of hurried notes: common words, misspelt words,
    abbreviations (random letters) and doses. It teaches the tagger that an unknown word is
    not a name by itself; it needs a name's shape, list or context."""
    words = []
    for _ in range(rng.randint(5, 14)):
        r = rng.random()
        if r < 0.5:
            w = rng.choice(english)
        elif r < 0.65:
            w = rng.choice(english)
            if len(w) > 4:
                k = rng.randrange(1, len(w) - 1)
                w = w[:k] + w[k + 1:] if rng.random() < 0.5 else w[:k] + w[k] + w[k:]
        elif r < 0.85:
            w = "".join(rng.choice("abcdefghiklmnoprstuvxyz") for _ in range(rng.randint(2, 4)))
            if rng.random() < 0.4:
                w = w.upper()
        elif r < 0.93:
            w = f"{rng.randint(1, 500)}{rng.choice(UNITS)}"
        else:
            # A drug or device name, as notes capitalise them (Hespan, Cozaar).
            w = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 2)))
            w = (w + rng.choice(DRUG_ENDINGS)).capitalize()
        if rng.random() < 0.15:
            # Headings and emphasis: capitalised words that are no one's name.
            w = w.capitalize()
        words.append(w)
        if rng.random() < 0.12:
            words[-1] += rng.choice([",", ".", ";", ":"])
    s = " ".join(words)
    return (s[0].upper() + s[1:] if rng.random() < 0.5 else s) + "."


def value(kind, fake, rng):
    """One slot's text and gold type (None: not PHI)."""
    base = kind.replace("_lc", "").replace("_uc", "")
    if base in ("first", "first2"):
        v, t = fake.first_name(), "NAME"
    elif base == "last":
        v, t = fake.last_name(), "NAME"
    elif base == "name":
        v, t = fake.first_name() + " " + fake.last_name(), "NAME"
    elif base in ("city", "city2"):
        v, t = fake.city(), "LOCATION"
    elif base == "ward":
        v, t = rng.choice(WARDS), "LOCATION"
    elif base == "hospital":
        v, t = fake.city() + " " + rng.choice(FACILITY_KINDS), "LOCATION"
    elif base == "rel":
        v, t = rng.choice(RELATIONS), None
    else:
        raise KeyError(kind)
    if kind.endswith("_lc"):
        v = v.lower()
    elif kind.endswith("_uc"):
        v = v.upper()
    return v, t



def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--count", type=int, default=1500)
    ap.add_argument("--words", default="patterns/words/english.txt")
    args = ap.parse_args()
    fix_string_hashing()
    rng = random.Random(args.seed)
    english = [w.strip() for w in open(args.words, encoding="utf-8")
               if w.strip() and not w.startswith("#")]
    fakers = seeded_fakers(LOCALES, rng)
    for i in range(args.count):
        loc = rng.choice(LOCALES)
        text, spans = join((jargon(rng, english), []) if rng.random() < 0.4
                           else render(rng.choice(TEMPLATES), value, fakers[loc], rng)
                           for _ in range(rng.randint(2, 5)))
        doc = {"id": f"ot-{args.seed}-{i}", "source": loc, "format": "text",
               "text": text, "spans": spans}
        sys.stdout.write(json.dumps(doc, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
