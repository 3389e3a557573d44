#!/usr/bin/env python3
"""Clinical movement sentences with invented facility names (issue 13, branch `facility`).

A labelled corpus in the scorer's format (`../shared/eval/score.py`):
    {"id", "source", "format": "text", "text", "spans": [{"start", "end", "type", "label"}]}

Each note is three to six sentences of a nursing or transfer note in one of three cases
(as written, ALL CAPITALS, all lower case). Most sentences move the patient between
places: hospitals, medical centres, rehab centres, nursing homes, hospices, clinics, VA
centres, campuses, buildings and wards, written whole (`Greater Westport Medical Center`,
`St. Brigid's`), shortened (`Westport Med Ctr`), as an acronym of two to five capitals
(`GWMC`), as a ward with its floor number (`Larkin 3`), or as a town after `lives in`.
Every such name is labelled LOCATION (a ward: its name only, not the floor number). The
other sentences say the same things about units and services that are not PHI (`to
MICU`, `d/c to SNF`, `admitted to General Medicine`, `back to the floor`): nothing there
is labelled, so a detection is a false span.

Two splits with their own names, facility words' spellings, verbs and sentence shapes:
`dev` (read and tuned on) and `holdout` (only scored: no fix may be written against it).
Every name is invented here (syllables joined at random, or English words that name
places); synthetic data only.

Usage:
    python3 scripts/facilities.py --split dev --seed 1 --count 400 > /tmp/fac-dev.jsonl
    python3 scripts/facilities.py --split holdout --seed 2 --count 400 > /tmp/fac-holdout.jsonl
"""
import argparse
import json
import os
import random
import re
import sys

# Syllables invented names are made of; each split has its own, so no name is shared.
SYLLABLES = {
    "dev": (["Har", "Wex", "Lark", "Pel", "Thorn", "Ash", "Kes", "Bram", "Cor", "Dun",
             "Fen", "Gal", "Mor", "Quen", "Stan", "Tal", "Wil", "Brig", "Hol", "Rav"],
            ["row", "ley", "in", "ham", "bury", "grove", "trel", "well", "more", "ford",
             "ston", "wick", "den", "mere", "by"]),
    "holdout": (["Cal", "Ebb", "Glen", "Hex", "Iver", "Jor", "Lam", "Mal", "Nor", "Oak",
                 "Pry", "Rud", "Sel", "Tre", "Ulver", "Vos", "Yar", "Zell", "Bex", "Cran"],
                ["dale", "ton", "hurst", "brook", "field", "gate", "leigh", "worth", "combe",
                 "stead", "lyn", "mont", "haven", "side", "holm"]),
}

# English words and phrases that name facilities in plain English.
ENGLISH_NAMES = {
    "dev": ["Holy Rood", "Sacred Heart", "Good Samaritan", "Mercy", "Lakeview", "Union",
            "Providence", "Grace", "Riverside", "Bayview", "Pine Valley", "Twin Oaks"],
    "holdout": ["Holy Spirit", "Good Hope", "Sisters of Charity", "Harbor", "Fairview",
                "Hillside", "Northgate", "Mount Carmel", "Star of the Sea", "Silver Lake",
                "Meadowbrook", "Trinity"],
}

# Facility words after a name, and how each split spells them.
KINDS = {
    "dev": ["Hospital", "Medical Center", "Med Ctr", "Regional Medical Center", "Regional",
            "Memorial Hospital", "Memorial", "General Hospital", "General", "Rehab",
            "Rehabilitation Center", "Nursing Home", "Nursing and Rehab", "Hospice", "Clinic",
            "Health Center", "Campus", "Community Hospital", "SNF", "Healthcare"],
    "holdout": ["Hosp", "Medical Centre", "Med Center", "Regional Hospital", "Memorial Med Ctr",
                "Gen Hospital", "Rehab Center", "Nursing Facility", "Skilled Nursing",
                "Hospice House", "Family Clinic", "Health System", "Infirmary",
                "Care Center", "Convalescent Home", "Specialty Hospital", "Medical Campus"],
}

# Place verbs with their prepositions: each split its own.
TO_VERBS = {
    "dev": ["transferred to", "taken to", "went to", "sent to", "d/c to", "c/o to",
            "back to", "discharged to", "going to"],
    "holdout": ["transported to", "med-flighted to", "will be transferred to", "headed to",
                "dc'd to", "admitted to", "brought to", "to be sent to", "moved to"],
}
FROM_VERBS = {
    "dev": ["transferred from", "admitted from", "MedFlight from", "came from", "returned from"],
    "holdout": ["arrived from", "transported from", "referred from", "brought in from",
                "flown in from"],
}

# Sentences that move the patient. Slots: {fac} a facility name, {abbr} an acronym,
# {ward} a ward name (its floor number follows in the template), {town} a town, {to} and
# {from} a verb and its preposition.
MOVES = {
    "dev": [
        "Pt {to} {fac} for further care.",
        "{from} {fac} with fever and hypotension.",
        "Was {to} {fac} yesterday, now back with SOB.",
        "Seen by the {abbr} nurse this morning.",
        "{from} {abbr} after cath.",
        "Plan {to} {abbr} when stable.",
        "Back to {ward} 3 this afternoon.",
        "Will go back to {ward} 5 once a bed is open.",
        "Lives in {town} with her husband.",
        "Family lives in {town}, will visit tomorrow.",
        "Outside records from {fac} reviewed.",
        "Followed at {fac} for CHF.",
        "Recent admission at {fac} for pneumonia.",
        "Pt {to} the {fac}.",
        "Initially seen at {fac} ED, then {to} {abbr}.",
    ],
    "holdout": [
        "Patient {to} {fac} overnight.",
        "{from} {fac} on a heparin drip.",
        "Discussed with the {abbr} team, accepting tomorrow.",
        "Records faxed from {abbr} this AM.",
        "Bed requested on {ward} 4.",
        "Plan: {ward} 6 tomorrow if afebrile.",
        "Returned to {town} after the last admission.",
        "Moved to {town} last year to be near her son.",
        "Had a stent placed at {fac} in the spring.",
        "Hospice intake nurse from {fac} called.",
        "{from} {abbr} with a GI bleed.",
        "Her PCP at {fac} was updated.",
        "Wife drove him {to_bare} {fac}.",
        "Will need placement, {fac} has a bed.",
    ],
}

# Clinical sentences about places that are no one's: units, services, rooms, generic
# facilities. Nothing here is labelled.
KEEPS = {
    "dev": [
        "Transferred to MICU for closer monitoring.",
        "Taken to OR for ex-lap, back to CSRU after.",
        "Went to IR for a line, returned to the floor.",
        "Plan d/c to SNF vs rehab when stable.",
        "Admitted to General Medicine from the ED.",
        "Seen in the EW overnight, sent to CCU.",
        "Back from PACU at 1500.",
        "Family aware, lives in an apartment alone.",
        "Will go to Cardiology Clinic next week.",
        "Returned from CT, no acute changes.",
        "Sent to cath lab, back to the unit.",
        "Transferred from the outside hospital for higher level of care.",
        "To Step Down when a bed opens.",
    ],
    "holdout": [
        "Came up from the ED on a nitro drip.",
        "Transferred to the SICU after surgery.",
        "Returned from MRI, tolerated well.",
        "Will need rehab vs nursing home placement.",
        "Taken to the OR emergently.",
        "Admitted to Cardiology overnight.",
        "Sent to Interventional Radiology for drainage.",
        "Back to the floor in stable condition.",
        "Lives in a group home with staff.",
        "Transfer to Neurosurgery service discussed.",
        "Brought to the EP lab for ablation.",
        "Followed in Renal Clinic as an outpatient.",
    ],
}

FILLERS = [
    "Neuro: A&O x3, MAE.",
    "CV: HR 80s NSR, BP stable.",
    "Resp: LS clear, sats 96% on 2L NC.",
    "GI: tolerating clears, +BS.",
    "GU: foley draining clear yellow urine.",
    "Skin intact.",
    "Pain controlled with PO meds.",
    "Family in to visit, questions answered.",
    "Will continue to monitor.",
]


def clinical_words():
    """The safe clinical vocabulary, so no acronym written here is a unit's or a test's."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "patterns", "words",
                        "clinical.txt")
    with open(path) as f:
        return {w.strip().lower() for w in f if w.strip() and not w.startswith("#")}


CLINICAL = clinical_words()


class Note:
    """One note's sentences, filled slot by slot with labelled values."""

    def __init__(self, split, rng):
        self.split, self.rng = split, rng

    def invented(self):
        first, second = SYLLABLES[self.split]
        return self.rng.choice(first) + self.rng.choice(second)

    def proper(self):
        """A facility's proper words: invented, English, a saint or a university."""
        r = self.rng.random()
        if r < 0.35:
            return self.invented()
        if r < 0.5:
            return self.invented() + " " + self.invented()
        if r < 0.7:
            return self.rng.choice(ENGLISH_NAMES[self.split])
        if r < 0.8:
            saint = self.rng.choice(["St. ", "Saint ", "St "])
            return saint + self.invented() + self.rng.choice(["'s", "", ""])
        if r < 0.9:
            return "Greater " + self.invented()
        return "University of " + self.invented()

    def facility(self):
        proper = self.proper()
        # A saint's or an English name is often written without its facility word.
        bare = proper.startswith(("St", "Saint")) or proper in ENGLISH_NAMES[self.split]
        if bare and self.rng.random() < 0.4:
            return proper
        return proper + " " + self.rng.choice(KINDS[self.split])

    def acronym(self):
        """Two to five capitals that no clinical vocabulary holds (`GWMC`, `KH`)."""
        while True:
            end = self.rng.choice(["H", "MC", "C", "RH", "HC", "VA", "S"])
            n = self.rng.choice([2, 3, 3, 4, 4, 5])
            letters = "BCDFGHJKLMNPRSTWYZ"
            word = "".join(self.rng.choice(letters) for _ in range(max(n - len(end), 1))) + end
            if word.lower() not in CLINICAL and len(set(word)) > 1:
                return word

    def value(self, slot):
        """(text, type or None) for one slot."""
        if slot == "fac":
            return self.facility(), "LOCATION"
        if slot == "abbr":
            return self.acronym(), "LOCATION"
        if slot == "ward":
            return self.invented(), "LOCATION"
        if slot == "town":
            return self.invented() + self.rng.choice(["", "", " " + self.rng.choice(
                ["Falls", "Springs", "Heights", "Marsh", "Hills"])]), "LOCATION"
        if slot == "to":
            return self.rng.choice(TO_VERBS[self.split]), None
        if slot == "to_bare":
            return "to", None
        if slot == "from":
            return self.rng.choice(FROM_VERBS[self.split]), None
        raise KeyError(slot)

    def render(self, template):
        text, spans, pos = "", [], 0
        for m in re.finditer(r"\{(\w+)\}", template):
            text += template[pos:m.start()]
            v, typ = self.value(m.group(1))
            if typ:
                spans.append({"start": len(text), "end": len(text) + len(v), "type": typ,
                              "label": m.group(1)})
            text += v
            pos = m.end()
        text += template[pos:]
        # A sentence starts with a capital, whatever its first slot holds.
        return text[:1].upper() + text[1:], spans

    def write(self):
        pieces = []
        for _ in range(self.rng.randint(3, 6)):
            r = self.rng.random()
            if r < 0.55:
                pieces.append(self.render(self.rng.choice(MOVES[self.split])))
            elif r < 0.8:
                pieces.append((self.rng.choice(KEEPS[self.split]), []))
            else:
                pieces.append((self.rng.choice(FILLERS), []))
        texts, spans, off = [], [], 0
        for text, s in pieces:
            spans += [dict(x, start=x["start"] + off, end=x["end"] + off) for x in s]
            texts.append(text)
            off += len(text) + 1
        text = " ".join(texts)
        case = self.rng.random()
        if case < 0.3:
            text = text.upper()
        elif case < 0.5:
            text = text.lower()
        return text, spans


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", choices=sorted(SYLLABLES), required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=400)
    a = ap.parse_args()
    rng = random.Random(f"{a.split}-{a.seed}")
    for n in range(a.count):
        text, spans = Note(a.split, rng).write()
        rec = {"id": f"facilities-{a.split}-{n}", "source": "facilities", "format": "text",
               "text": text, "spans": spans}
        sys.stdout.write(json.dumps(rec) + "\n")


if __name__ == "__main__":
    main()
