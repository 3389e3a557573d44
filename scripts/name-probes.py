#!/usr/bin/env python3
"""Person-name probes in clinical and OT messages (issue 13, branch `names9`).

A development corpus for the readings of a person in the places messages put one: a name
opening a line before a role (`Maria Lopez OTR/L`), a possessive (`Gerald's daughter
called`, `MARIA'S walker`), a signature on the line after `Thanks,` or `--`, a one-case name
before a verb of contact (`ines garcia called back`), an `on call` label, a name that is also
an English word beside a clinician's surname. Templates are this project's own; values are
Faker person names of many locales (synthetic only). Records are in the scorer's format:
    {"id", "source", "format": "text", "text", "spans": [{"start", "end", "type", "label"}]}
with character offsets; every name slot is a NAME span.

Splits: `tune` fills the even-numbered templates with names of English locales and is the
one whose misses are read; `check` fills the odd-numbered templates with names of locales
tune never uses, and is only counted. Deterministic for a seed.

Usage:
    python3 scripts/name-probes.py --split tune --seed 5 --count 600 > /tmp/probes-tune.jsonl
    python3 scripts/name-probes.py --split check --seed 6 --count 600 > /tmp/probes-check.jsonl
    python3 ../shared/eval/score.py --safe-harbor /tmp/probes-tune.jsonl -- \
        target/release/phigate scan --jsonl --key-file KEY
"""
import argparse
import json
import random
import sys

from corpus_common import fix_string_hashing, render, seeded_fakers

TUNE_LOCALES = ["en_US", "en_GB", "en_IN", "en_AU", "en_CA", "en_IE", "en_NZ"]
CHECK_LOCALES = ["es_ES", "es_MX", "fr_FR", "de_DE", "it_IT", "pt_BR", "nl_NL", "pl_PL",
                 "tr_TR", "vi_VN", "sv_SE", "da_DK", "fi_FI", "cs_CZ", "ro_RO", "de_AT"]

# Given names that are also English words: a list of this script's own.
WORD_NAMES = ["Rose", "Hope", "Bill", "Page", "May", "Faith", "Grant", "Joy", "Grace",
              "Dawn", "Amber", "Crystal", "Summer", "Autumn", "Mark", "Will", "Gene", "Pearl",
              "Ruby", "Iris", "Holly", "Chase", "Hunter", "Wade", "Drew", "Dean", "Miles",
              "Faye", "Jewel", "Ivy", "Robin", "Sage", "Skip", "Rusty", "Sandy", "Lily"]

ROLES = ["OTR/L", "OTR", "OT", "PT", "DPT", "COTA", "COTA/L", "PTA", "RN", "MD", "NP", "SLP",
         "LPN", "CNA", "MSW", "PA-C"]

# Slots: {first} {last} (a locale's names, capitalised), {first_l} {last_l} (lower case),
# {FIRST} (capitals), {word} (a given name that is an English word), {clin} (a clinician's
# surname, en_US), {role} (a credential, not PHI). A template's text after `|` is its case:
# `lower` writes the whole record in lower case (fillers included).
TEMPLATES = [
    # 0-9: a name opening a line before a role.
    "{first} {last} {role}\nPt seen for ADL retraining in the gym, tolerated session well.",
    "{first} {last} {role}\nTx 45 min: UB dressing with min A, fair carryover.",
    "Tx note\n{first} {last} {role}\nReviewed HEP with pt and caregiver.",
    "Co-signed:\n{first} {last}, {role}\nGoals updated per plan of care.",
    "{first} {last} {role} - covering for the rehab team today.",
    "{first} {last} {role} will see pt tomorrow AM for shower transfer.",
    "Session notes\n{first} {last} {role}, evaluating therapist\nPt motivated, good effort.",
    "{first} {last} {role}\nPlease page with questions.",
    "{first} {last} {role}\nDischarge summary sent to the PCP.",
    "{first} {last} {role} (float)\nPt declined session, educated on benefits.",
    # 10-19: possessives.
    "{first}'s daughter called to ask about discharge date.",
    "Spoke with {last}'s wife re: home setup and tub bench.",
    "{FIRST}'S walker was left in the gym, returned to room.",
    "Pt reports {first}'s son will drive her to therapy on Tues.",
    "Checked {first}'s chart before the session; no new orders.",
    "{last}'s appointment moved to 2pm due to transport.",
    "{first}'s husband asked for a copy of the exercise sheet.",
    "Reviewed {last}'s HEP; pt independent with all reps.",
    "{FIRST}'S mother is the main caregiver at home.",
    "{first}'s chart updated with new precautions.",
    # 20-29: signatures.
    "Please let me know if the time works.\nThanks,\n{first} {last}",
    "I will fax the updated plan of care this afternoon.\nRegards,\n{first} {last}",
    "Pt can start outpatient OT next week.\nBest,\n{first}",
    "Equipment order is in, delivery Monday.\n--\n{first} {last}",
    "Reminder that the group session is cancelled.\nThanks,\n{first}",
    "Splint is ready for pickup at the front desk.\nBest regards,\n{first} {last}",
    "Can we move the eval to Thursday?\nThanks!\n{first} {last}\nOccupational Therapy",
    "Paperwork signed and scanned.\nCheers,\n{first} {last}",
    "Following up on the DME request.\nRegards,\n{first}",
    "Let me know how the visit goes.\nThank you,\n{first} {last}",
    # 30-39: one-case notes, a name before a verb of contact.
    "{first_l} {last_l} called back re: sched for next wk|lower",
    "{first_l} {last_l} texted that pt will be late today|lower",
    "{first_l} {last_l} emailed the fmla forms, will review|lower",
    "{first_l} {last_l} left a message about the shower chair|lower",
    "per chart, {first_l} {last_l} called to confirm transport|lower",
    "{first_l} {last_l} called and asked for the hep handout|lower",
    "spoke with {first_l} {last_l} re: sched, agreed on tues|lower",
    "{first_l} {last_l} texted pics of the bathroom setup|lower",
    "pt's sister {first_l} {last_l} called re: discharge|lower",
    "{first_l} {last_l} emailed re: equipment delivery|lower",
    # 40-49: on-call labels and names beside a clinician.
    "On call: {first} {last}\nPage for any issues overnight.",
    "on-call OT: {first} {last} (weekend)",
    "Weekend on call - {first} {last}\nPlease route calls to the main line.",
    "On-call: {first} {last}, ext 2231",
    "{word} {clin} {role} saw pt for splint check.",
    "Co-treat with {word} {clin} this AM, pt tolerated well.",
    "Discussed with Dr. {clin} and {word} {last} from rehab.",
    "{word} {clin}, {role}, will cover Friday.",
    "Per {word} {clin} pt may shower with cover.",
    "Pt seen with {word} {clin} for transfers.",
]

FILLERS = [
    "Pt alert and oriented, follows 2-step commands.",
    "Vitals stable throughout session.",
    "Plan: continue POC 3x/wk for 4 wks.",
    "Educated on energy conservation and joint protection.",
    "Good sitting balance, fair standing balance.",
    "No complaints of pain at rest.",
    "Will update the care team after the next visit.",
    "Pt wears glasses and hearing aids.",
]


def value(slot, fake, clin_fake, rng):
    if slot == "first":
        return fake.first_name(), "NAME"
    if slot == "last":
        return fake.last_name(), "NAME"
    if slot == "first_l":
        return fake.first_name().lower(), "NAME"
    if slot == "last_l":
        return fake.last_name().lower(), "NAME"
    if slot == "FIRST":
        return fake.first_name().upper(), "NAME"
    if slot == "word":
        return rng.choice(WORD_NAMES), "NAME"
    if slot == "clin":
        return clin_fake.last_name(), "NAME"
    if slot == "role":
        return rng.choice(ROLES), None
    raise KeyError(slot)


def fill(template, fake, clin_fake, rng):
    return render(template, lambda slot, f, r: value(slot, f, clin_fake, r), fake, rng)


def main():
    fix_string_hashing()
    ap = argparse.ArgumentParser()
    ap.add_argument("--split", choices=["tune", "check"], required=True)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--count", type=int, default=600)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    locales = TUNE_LOCALES if a.split == "tune" else CHECK_LOCALES
    fakers = seeded_fakers(locales, rng)
    clin_fake = seeded_fakers(["en_US"], rng)["en_US"]
    parity = 0 if a.split == "tune" else 1
    templates = [(n, t) for n, t in enumerate(TEMPLATES) if n % 2 == parity]
    for k in range(a.count):
        n, template = templates[k % len(templates)]
        loc = locales[rng.randrange(len(locales))]
        body, _, case = template.partition("|")
        filler = rng.choice(FILLERS)
        if case == "lower":
            # Lowered before filling: a lowered name can change its length (`İ`).
            body, filler = body.lower(), filler.lower()
        text, spans = fill(body, fakers[loc], clin_fake, rng)
        # A filler before or after, so the record reads as a note and its case is its own.
        if rng.random() < 0.5:
            off = len(filler) + 1
            text = filler + "\n" + text
            spans = [dict(s, start=s["start"] + off, end=s["end"] + off) for s in spans]
        else:
            text = text + "\n" + filler
        rec = {"id": f"probe-{a.split}-{k}", "source": f"name-probes/{n}/{loc}",
               "format": "text", "text": text, "spans": spans}
        sys.stdout.write(json.dumps(rec, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
