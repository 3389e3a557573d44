#!/usr/bin/env python3
"""blind3: a held-out free-text corpus whose values come from a second generator.

`heldout.py`'s splits and the tagger's training corpora take their names, towns, streets and
phones from Faker, and phigate's name and place lists now include Faker's locale lists: a
Faker-valued corpus no longer tells how phigate does on names it has never seen. blind3
takes its values from Mimesis (MIT licence, its own locale data) in locales and templates
no other split uses. Like blind2 it is for figures only: its templates were written by the
lead, were never shown to the engineers tuning detection, and its leak list is never read.

Writes JSON lines in the scorer's format (`../shared/eval/score.py`):
    {"id", "source", "format": "text", "text", "spans": [{"start", "end", "type", "label"}]}

Usage:
    pip install mimesis==22.*
    python3 scripts/blind3.py --seed 3 --count 500 > /tmp/blind3.jsonl
    python3 ../shared/eval/score.py --safe-harbor /tmp/blind3.jsonl -- target/release/phigate scan --jsonl

Synthetic data only: every value is generated.
"""
import argparse
import datetime
import json
import random
import sys

from mimesis import Address, Person
from mimesis.locales import Locale

from corpus_common import join, render

# US clinics see mostly US records: English is weighted three times.
LOCALES = ["en", "en", "en", "en-gb", "en-au", "de-ch", "it", "es", "pl", "is", "nl-be", "hu",
           "sv", "no", "pt-br", "tr", "cs", "el", "ru"]

TEMPLATES = [
    "S: {name} states the new reacher helps. O: 9-hole peg R 24 s. A: progressing. P: cont 2x/wk until {date}.",
    "Pt {first} {last} arrived w/ {relation} {first2}, who lives on {street} in {city}.",
    "Per phone call {date}: {first_lc} asked whether the van can pick her up at {street}. Told her to ring {phone}.",
    "ASSESSMENT COMPLETED BY {upper_name}, OTR/L, ON {date}.",
    "{name} ({age} y/o) was referred after a fall on the stairs at her flat in {city}, postcode {zip}.",
    "Letter sent to {name} at {street}, {zip} {city} confirming the wheelchair loan.",
    "Note: {first} prefers to be called {nick}. Husband {name} is the primary caregiver.",
    "Patient {synthea_name} was seen for an encounter on {date_iso}. Allergies reviewed.",
    "Re: {name}, DOB {dob}. Please find attached the OT discharge summary. Kind regards, {name2}",
    "MOBILE {phone}   HOME {phone2}   EMAIL {email}",
    "Caregiver training with {first} and her brother {first2} from {city}; both demonstrated safe transfers.",
    "referred by dr {last_lc} for cmc arthroplasty rehab; pt {first_lc} {last_lc} agrees with plan.",
    "Next of kin: {name}. Address: {street}, {city}, {state}. Telephone: {phone}.",
    "{last}, {first} | DOB {dob} | Acct {account} | Visit {date}",
    "The client moved from {city} to live with her daughter {first} in {city2} in {year}.",
    "{age}-year-old retired {job} from {city}; widowed, {relation} {first} visits daily.",
    "Voicemail from {name} ({phone}) asking for the home exercise sheet to be mailed to {street}.",
    "Transferred care to {name2}, OT, at the {city} outpatient clinic on {date}.",
    "Session cancelled: {first} had a dentist appointment in {city}. Rebooked for {date}.",
    "Insurance: policy {policy} held by {name}; group {group}.",
    "Hand therapy referral for {name}, {age}, left distal radius ORIF on {date}, surgeon Dr {last}.",
    "Signed: {name2}, MS, OTR/L {date} {time}",
    "Home assessment at {street}: two steps at the entrance, no rails. {first} will ask the landlord, Mr {last}.",
    "{first}'s goals: cook a simple meal, return to choir at St {saint}'s in {city}.",
]


def date_value(rng, fmt=None):
    d = datetime.date(1930, 1, 1) + datetime.timedelta(days=rng.randint(0, 35000))
    fmts = ["%m/%d/%Y", "%d/%m/%Y", "%Y-%m-%d", "%B %d, %Y", "%d %B %Y", "%b %d", "%d.%m.%Y",
            "%m/%d/%y", "%d-%b-%Y", "%A, %B %d"]
    return d.strftime(fmt or rng.choice(fmts)).replace(" 0", " ")


class Values:
    """Mimesis providers for one locale."""

    def __init__(self, loc, seed):
        self.person = Person(Locale(loc), seed=seed)
        self.address = Address(Locale(loc), seed=seed)


def value(kind, v, rng):
    """One value of a slot kind and its gold type (None: not PHI)."""
    p, a = v.person, v.address
    if kind in ("name", "name2"):
        return p.full_name(), "NAME"
    if kind in ("first", "first2", "nick"):
        return p.first_name(), "NAME"
    if kind == "last":
        return p.last_name(), "NAME"
    if kind == "first_lc":
        return p.first_name().lower(), "NAME"
    if kind == "last_lc":
        return p.last_name().lower(), "NAME"
    if kind == "upper_name":
        return p.full_name().upper(), "NAME"
    if kind == "synthea_name":
        return f"{p.first_name()}{rng.randint(10, 999)} {p.last_name()}{rng.randint(10, 999)}", "NAME"
    if kind == "street":
        return a.address(), "LOCATION"
    if kind in ("city", "city2"):
        return a.city(), "LOCATION"
    if kind == "zip":
        return a.postal_code(), "LOCATION"
    if kind == "state":
        return a.state(), None
    if kind in ("phone", "phone2"):
        return p.telephone(), "PHONE"
    if kind == "email":
        return p.email(), "EMAIL"
    if kind in ("date", "dob"):
        return date_value(rng), "DATE"
    if kind == "date_iso":
        return date_value(rng, "%Y-%m-%dT%H:%M:%S"), "DATE"
    if kind == "year":
        return str(rng.randint(1965, 2025)), "DATE"
    if kind == "time":
        return f"{rng.randint(7, 18)}:{rng.randint(0, 59):02d}", None
    if kind == "age":
        return str(rng.choice([rng.randint(20, 89), rng.randint(90, 103)])), "AGE"
    if kind == "account":
        return str(rng.randint(10**6, 10**8)), "ID"
    if kind == "policy":
        return "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(3)) + str(rng.randint(10**7, 10**9)), "ID"
    if kind == "group":
        return str(rng.randint(10**4, 10**6)), "ID"
    if kind == "relation":
        return rng.choice(["sister", "son", "nephew", "partner", "granddaughter", "friend"]), None
    if kind == "job":
        return rng.choice(["nurse", "machinist", "librarian", "bus driver", "accountant", "baker"]), None
    if kind == "saint":
        return rng.choice(["Mark", "Anne", "Paul", "Bridget", "Joseph"]), None
    raise KeyError(kind)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--count", type=int, default=500)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    values = {loc: Values(loc, rng.randint(0, 2**31)) for loc in dict.fromkeys(LOCALES)}
    for i in range(args.count):
        loc = rng.choice(LOCALES)
        # Two to four sentences per note, all about one locale's people and places.
        text, spans = join(render(rng.choice(TEMPLATES), value, values[loc], rng)
                           for _ in range(rng.randint(2, 4)))
        doc = {"id": f"blind3-{args.seed}-{i}", "source": loc, "format": "text",
               "text": text, "spans": spans}
        sys.stdout.write(json.dumps(doc, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
