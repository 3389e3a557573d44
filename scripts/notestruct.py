#!/usr/bin/env python3
"""Names in the structures of clinical notes, and the same structures holding no PHI
(issue 13, branch `notelists`).

Why: what leaks from notes nobody tuned on is less often a sentence than a *structure*: a
numbered care team (`1. Tomasz Brevik - PT`), a family line (`Family: Mirel (son)`), a
sign-out (`Signed out to Kelvar`), a dictation footer, a `cc:` list, a contact block, a
`Resident:` line. Clinicians' and relatives' names sit there in any case and are often in
no list. The same shapes also hold what must stay (`1. Metoprolol 25 mg - cardiology`,
`Family: none present`, `Signed out to night float`, `cc: PCP`, `HCP: wife`), so every
structure comes both ways and the breakdown shows what is removed and what is kept.

Values. Names are invented by `oov.py`'s character trigram models (`Inventor`: in no list
phigate reads; dev draws from the even locales, holdout from the odd ones), a fifth of
them a listed name, in forms `First Last`, `LAST, First`, `First M. Last`, `F. Last`, one
word. Non-PHI values (roles, services, drugs, relations, `none`) are this file's lists.

Templates are this file's own, written apart from every other generator. Split:
    --split dev      `DEV` templates; seed offset 0       (tune on this one)
    --split holdout  `HOLDOUT` templates, other wording and other list values; seed offset
                     1; names from the other locales     (report only)
A document is four to eight lines of one or more structures, written mixed case (60%),
all capitals (20%) or all lower case (20%).

Output: JSON lines in the scorer's format (`../shared/eval/score.py`):
    {"id", "source", "format": "text", "style", "text",
     "spans": [{"start", "end", "type", "label"}],   # NAME (and DATE) to remove
     "keep": [{"start", "end", "label"}]}             # non-PHI the structure holds
`label` is the structure's class. Usage:
    python3 scripts/notestruct.py --split dev --seed 1 --count 400 > /tmp/ns-dev.jsonl
    python3 ../shared/eval/score.py --safe-harbor /tmp/ns-dev.jsonl -- target/release/phigate scan --jsonl
    python3 scripts/notestruct.py --breakdown /tmp/ns-dev.jsonl [--show 30] -- target/release/phigate scan --jsonl
The breakdown gives, per class and style, the share of names removed (leak recall: the
name's words no longer in the output) and of non-PHI values kept verbatim.
"""
import argparse
import collections
import json
import os
import random
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from corpus_common import fix_string_hashing, scan_corpus  # noqa: E402
from oov import Inventor  # noqa: E402

# Slots: {N} a person's full name, {F} a first name alone, {L} a surname alone, {C} a
# clinician (any form), {D} a date; keep slots {ROLE} {CRED} {SVC} {DRUG} {REL} {NOBODY}
# {TEAM} are non-PHI values that must stay.
DEV = {
    "careteam": [
        "Care team:\n1. {C} - {CRED}\n2. {C} - {CRED}\n3. {C} ({CRED})",
        "CARE TEAM\n1) {C} ({CRED})\n2) {C} ({CRED})",
        "Team members:\n- {C}, {CRED}\n- {C}, {CRED}",
        "Treatment team: {C} ({ROLE}), {C} ({ROLE})",
        "Role | Name\n{ROLE} | {C}\n{ROLE} | {C}",
        "* {C} - {ROLE}\n* {C} - {ROLE}",
    ],
    "signout": [
        "Signed out to {C} at change of shift.",
        "Pt signed out to {C}.",
        "Handed off to {C} for overnight coverage.",
        "Discussed with {C}, who agrees with plan.",
        "Plan d/w {C}.",
        "Covering for {C} today.",
        "Case discussed with attending {C}.",
    ],
    "family": [
        "Family: {F} ({REL}), {F} ({REL})",
        "Family present: {N} ({REL})",
        "Spoke with son {F} by phone.",
        "{F} - {REL}, lives nearby.",
        "Daughter {N} at bedside.",
        "Social hx: lives with {REL} {F}.",
        "Updated wife {F} and son {F}.",
    ],
    "footer": [
        "Dictated by: {C}\nD: {D} T: {D}",
        "Electronically signed by {C} on {D}",
        "Attending: {C}",
        "Dictated By: {C}, {CRED}\nAttending: {C}",
        "Transcribed by: {F}\nJob #: 48213",
        "Signed: {C}, {CRED}",
    ],
    "cc": [
        "cc: {C}, {CRED}",
        "CC: {C}; {C}",
        "cc: Dr. {L}",
        "Copies to: {C}, {C}",
    ],
    "contact": [
        "Contact: {N} ({REL})",
        "HCP: {N}",
        "PCP: {C}",
        "Emergency contact: {N}, {REL}",
        "Health care proxy: {N} ({REL})",
        "Primary care: Dr. {C}",
    ],
    "rolelabel": [
        "Resident: {C}",
        "Intern: {C}",
        "Fellow: {C}",
        "Nurse: {C}",
        "Case manager: {C}",
        "Resident: {C}  Intern: {C}",
        "Social worker: {C}",
    ],
    "medrec": [
        "Medication reconciliation by {C}, {CRED}.",
        "Med rec completed by: {C}",
        "Reconciled by {C} on admission.",
    ],
    "consult": [
        "Consults:\n1. {SVC} - {C}\n2. {SVC} - Dr. {L}",
        "Consulted: {C} ({SVC})",
        "{SVC} consult: {C}",
    ],
}

DEV_KEEP = {
    "careteam": [
        "Care team:\n1. {ROLE} - {SVC}\n2. {ROLE} - {SVC}",
        "1. {DRUG} - {SVC}\n2. {DRUG} - {SVC}",
        "- {ROLE}, {SVC}\n- {ROLE}, {SVC}",
        "Treatment team: {TEAM}",
    ],
    "signout": [
        "Signed out to {TEAM}.",
        "Handed off to {TEAM} at 7pm.",
        "Discussed with {SVC}.",
        "Plan d/w {ROLE}.",
    ],
    "family": [
        "Family: {NOBODY}",
        "Family present: {NOBODY}",
        "Family history: {REL} with diabetes.",
        "Social hx: lives with {REL}.",
    ],
    "footer": [
        "Dictated by: {ROLE}",
        "Attending: {TEAM}",
        "Electronically signed by {ROLE}",
    ],
    "cc": [
        "cc: {ROLE}",
        "CC: {SVC}; {ROLE}",
    ],
    "contact": [
        "Contact: {REL}",
        "HCP: {REL}",
        "PCP: {NOBODY}",
        "Emergency contact: {REL}",
    ],
    "rolelabel": [
        "Resident: {TEAM}",
        "Nurse: {TEAM}",
        "Case manager: {NOBODY}",
    ],
    "medrec": [
        "Medication reconciliation by {ROLE}.",
        "Med rec: {DRUG} continued.",
    ],
    "consult": [
        "Consults:\n1. {SVC}\n2. {SVC}",
        "{SVC} consult: {TEAM}",
    ],
}

HOLDOUT = {
    "careteam": [
        "Providers involved in care:\n  1/ {C}, {CRED}\n  2/ {C}, {CRED}",
        "Inpatient team - {ROLE}: {C}; {ROLE}: {C}",
        "#1 {C} [{CRED}]\n#2 {C} [{CRED}]",
        "Team: {C} / {C} / {C}",
        "Members of the team\n  {C} -- {ROLE}\n  {C} -- {ROLE}",
    ],
    "signout": [
        "Care transferred to {C} at 19:00.",
        "I have signed out this patient to {C}.",
        "Verbal handoff given to {C}.",
        "Case reviewed with {C}.",
        "D/W {C} re: disposition.",
        "Cross-covering for {C}.",
    ],
    "family": [
        "Relatives: {F} (sister), {F} (nephew)",
        "Next of kin: {N} - {REL}",
        "Called the patient's {REL}, {F}, with update.",
        "{N} ({REL}) is the main caregiver.",
        "Visitors: {F} and {F}",
    ],
    "footer": [
        "Dict: {C}\nDD: {D}  DT: {D}",
        "E-signed: {C}, {CRED} {D}",
        "Attending physician: {C}",
        "Cosigned by {C}",
        "Note written by {C}, {ROLE}",
    ],
    "cc": [
        "CC to: {C}",
        "Copy: {C}, {CRED}",
        "cc {C} / {C}",
    ],
    "contact": [
        "Point of contact - {N}",
        "Proxy: {N} ({REL})",
        "Primary care provider: {C}",
        "NOK: {N}",
    ],
    "rolelabel": [
        "Hospitalist: {C}",
        "Charge RN: {C}",
        "Sub-intern: {C}",
        "Care coordinator: {C}",
        "Therapist: {C}",
    ],
    "medrec": [
        "Home medications verified by {C}.",
        "Med history obtained by {C}, {CRED}.",
    ],
    "consult": [
        "Consultants\n  {SVC}: {C}\n  {SVC}: {C}",
        "Seen in consultation by {C} of {SVC}.",
    ],
}

HOLDOUT_KEEP = {
    "careteam": [
        "Providers involved in care:\n  1/ {SVC}\n  2/ {SVC}",
        "#1 {DRUG} [{SVC}]\n#2 {DRUG} [{SVC}]",
        "Team: {TEAM} / {SVC}",
    ],
    "signout": [
        "Care transferred to {TEAM}.",
        "Case reviewed with {ROLE}.",
        "D/W {SVC} re: disposition.",
    ],
    "family": [
        "Relatives: {NOBODY}",
        "Next of kin: {REL}",
        "Visitors: {NOBODY}",
    ],
    "footer": [
        "Attending physician: {TEAM}",
        "Note written by {ROLE}",
    ],
    "cc": [
        "CC to: {ROLE}",
        "Copy: {SVC}",
    ],
    "contact": [
        "Proxy: {REL}",
        "Primary care provider: {NOBODY}",
        "NOK: {REL}",
    ],
    "rolelabel": [
        "Hospitalist: {TEAM}",
        "Charge RN: {TEAM}",
    ],
    "medrec": [
        "Home medications verified by {ROLE}.",
    ],
    "consult": [
        "Consultants\n  {SVC}\n  {SVC}",
    ],
}

# Non-PHI values, each split with its own.
VALUES = {
    "dev": {
        "CRED": ["MD", "RN", "NP", "PA-C", "PT", "OT", "PharmD", "DO", "LCSW", "RD"],
        "ROLE": ["PT", "OT", "RN", "attending", "resident", "intern", "case manager",
                 "social work", "nutrition", "pharmacy", "charge nurse", "SLP"],
        "SVC": ["cardiology", "nephrology", "GI", "ID", "neurology", "palliative care",
                "physical therapy", "psychiatry", "surgery", "pulmonary"],
        "DRUG": ["Metoprolol 25 mg", "Lisinopril 10 mg", "Aspirin 81 mg", "Heparin 5000 units",
                 "Furosemide 40 mg", "Atorvastatin 40 mg"],
        "REL": ["son", "daughter", "wife", "husband", "mother", "sister", "brother", "niece"],
        "NOBODY": ["none present", "none", "not available", "declined", "unknown",
                   "none at bedside"],
        "TEAM": ["night float", "on call team", "covering resident", "day team",
                 "the ICU team", "oncoming team"],
    },
    "holdout": {
        "CRED": ["M.D.", "R.N.", "FNP", "DPT", "CNA", "PA", "MSW", "RRT", "LPN", "NP"],
        "ROLE": ["hospitalist", "wound care nurse", "respiratory therapy", "chaplain",
                 "night nurse", "fellow", "dietitian", "discharge planner", "pharmacist"],
        "SVC": ["Oncology", "Endocrinology", "Rheumatology", "Hematology", "Urology",
                "Orthopedics", "Dermatology", "Vascular surgery"],
        "DRUG": ["Amlodipine 5 mg", "Warfarin 2 mg", "Insulin glargine 20 units",
                 "Pantoprazole 40 mg", "Sertraline 50 mg"],
        "REL": ["spouse", "father", "grandson", "partner", "aunt", "brother", "stepdaughter"],
        "NOBODY": ["no one", "nobody present", "n/a", "none listed", "not at bedside"],
        "TEAM": ["evening team", "overnight hospitalist", "float pool", "primary team",
                 "cross cover"],
    },
}

KEEP_SLOTS = {"CRED", "ROLE", "SVC", "DRUG", "REL", "NOBODY", "TEAM"}


def person(inv, rng, kind):
    """A name in one of the forms notes write: {N} full, {F} first, {L} surname, {C} any."""
    def first():
        return inv.listed("first") if rng.random() < 0.2 else inv.bare("first")

    def last():
        return inv.listed("last") if rng.random() < 0.2 else inv.bare("last")

    if kind == "F":
        return first()
    if kind == "L":
        return last()
    r = rng.random()
    if kind == "N":
        return f"{first()} {last()}" if r < 0.8 else f"{first()} {rng.choice('ABCDEJKLMRST')}. {last()}"
    if r < 0.4:
        return f"{first()} {last()}"
    if r < 0.55:
        return f"{last().upper()}, {first().upper()}"
    if r < 0.68:
        return f"{last()}, {first()}"
    if r < 0.78:
        return f"{first()[0]}. {last()}"
    if r < 0.86:
        return f"{first()} {rng.choice('ABCDEJKLMRST')}. {last()}"
    return last()


def date(rng):
    m, d, y = rng.randint(1, 12), rng.randint(1, 28), rng.choice([91, 95, 2, 11, 19, 24])
    return rng.choice([f"{m:02d}/{d:02d}/{y:02d}", f"{m}/{d}/20{y:02d}"])


def render(template, inv, rng, vals, label):
    text, spans, keep, pos = "", [], [], 0
    for m in re.finditer(r"\{(\w+)\}", template):
        text += template[pos:m.start()]
        slot = m.group(1)
        if slot in KEEP_SLOTS:
            v = rng.choice(vals[slot])
            keep.append({"start": len(text), "end": len(text) + len(v), "label": label})
        elif slot == "D":
            v = date(rng)
            spans.append({"start": len(text), "end": len(text) + len(v), "type": "DATE",
                          "label": label})
        else:
            v = person(inv, rng, slot)
            spans.append({"start": len(text), "end": len(text) + len(v), "type": "NAME",
                          "label": label})
        text += v
        pos = m.end()
    return text + template[pos:], spans, keep


FILLER = [
    "Vital signs stable, afebrile.",
    "Plan: continue current management, reassess in AM.",
    "Assessment: improving, tolerating diet.",
    "No acute events overnight.",
    "Labs reviewed, potassium repleted.",
]


def generate(split, seed, count):
    rng = random.Random(seed * 2 + (0 if split == "dev" else 1))
    inv = Inventor(split, rng)
    phi, nonphi = (DEV, DEV_KEEP) if split == "dev" else (HOLDOUT, HOLDOUT_KEEP)
    vals = VALUES[split]
    classes = sorted(phi)
    for n in range(count):
        text, spans, keep = "", [], []
        for _ in range(rng.randint(2, 5)):
            r = rng.random()
            c = rng.choice(classes)
            if r < 0.15:
                piece, s, k = rng.choice(FILLER), [], []
            elif r < 0.5:
                piece, s, k = render(rng.choice(nonphi[c]), inv, rng, vals, c)
            else:
                piece, s, k = render(rng.choice(phi[c]), inv, rng, vals, c)
            if text:
                text += "\n"
            off = len(text)
            spans += [dict(x, start=x["start"] + off, end=x["end"] + off) for x in s]
            keep += [dict(x, start=x["start"] + off, end=x["end"] + off) for x in k]
            text += piece
        r = rng.random()
        style = "mixed" if r < 0.6 else "capitals" if r < 0.8 else "lower"
        if style == "lower":
            text = text.lower()
        elif style == "capitals":
            text = text.upper()
        yield {"id": f"notestruct-{split}-{seed}-{n}", "source": f"notestruct.py --split {split}",
               "format": "text", "style": style, "text": text, "spans": spans, "keep": keep}


def norm(s):
    return re.sub(r"\s+", " ", s).strip().lower()


def breakdown(corpus, show, cmd):
    docs, outs = scan_corpus(corpus, cmd)
    total, bad = collections.Counter(), collections.Counter()
    examples = collections.defaultdict(list)
    for d in docs:
        out = norm(outs.get(d["id"], ""))
        words = set(re.findall(r"[a-z][a-z'-]*", out))
        for g in d["spans"]:
            surf = d["text"][g["start"]:g["end"]]
            if g["type"] == "NAME":
                # Leaked when any word of two letters or more is still in the output.
                left = any(w.lower() in words for w in re.findall(r"[A-Za-z][A-Za-z'-]+", surf)
                           if len(w) > 1)
            else:
                left = norm(surf) in out
            for k in [("removed", "all"), ("removed", g["label"]),
                      ("removed", g["label"], d["style"]), ("removed style", d["style"])]:
                total[k] += 1
                bad[k] += left
            if left:
                line = d["text"][:g["start"]].rsplit("\n", 1)[-1][-30:]
                examples["leak"].append((d["style"], g["label"], line + "[[" + surf + "]]"))
        for g in d.get("keep", []):
            surf = d["text"][g["start"]:g["end"]]
            lost = norm(surf) not in out
            for k in [("kept", "all"), ("kept", g["label"]), ("kept style", d["style"])]:
                total[k] += 1
                bad[k] += lost
            if lost:
                line = d["text"][:g["start"]].rsplit("\n", 1)[-1][-30:]
                examples["lost"].append((d["style"], g["label"], line + "[[" + surf + "]]"))
    for k in sorted(total):
        n, m = total[k], bad[k]
        print(f"{' / '.join(k):40} {n - m:5} of {n:5} ({(n - m) / n:.3f})")
    rng = random.Random(0)
    for kind in ("leak", "lost"):
        ex = examples[kind]
        for e in rng.sample(ex, min(show, len(ex))):
            print(f"  {kind}:", e)


def main():
    argv = sys.argv[1:]
    if "--breakdown" in argv:
        cut = argv.index("--")
        ap = argparse.ArgumentParser()
        ap.add_argument("--breakdown", required=True)
        ap.add_argument("--show", type=int, default=0)
        a = ap.parse_args(argv[:cut])
        breakdown(a.breakdown, a.show, argv[cut + 1:])
        return
    fix_string_hashing()
    ap = argparse.ArgumentParser()
    ap.add_argument("--split", choices=["dev", "holdout"], required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=400)
    a = ap.parse_args()
    for doc in generate(a.split, a.seed, a.count):
        print(json.dumps(doc, ensure_ascii=False))


if __name__ == "__main__":
    main()
