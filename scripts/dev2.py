#!/usr/bin/env python3
"""A second development corpus for free-text recall (issue 13, round four: `dev2`).

Same JSON-lines format as `scripts/heldout.py` (the scorer's format, `../shared/eval/score.py`):
    {"id", "source", "format": "text", "text", "spans": [{"start", "end", "type", "label"}]}

Its locales are not in `heldout.py --split dev` and its sentences are this project's own,
written in the styles a US OT/rehab clinic and a general clinic use: terse progress notes,
all-capitals dictation, emails and letters, phone-message logs, discharge summaries,
referrals, intake forms as prose, contact lists. Values are written as people write them:
towns alone, first names or surnames alone, lower case, street lines without a town,
national phone formats, dates in many forms. Values come from Faker (MIT). It is a
development set: detectors may be tuned on it.

Usage:
    python3 scripts/dev2.py --seed 1 --count 500 > /tmp/dev2.jsonl

Synthetic data only: every value is generated.
"""
import argparse
import json
import random
import sys

from corpus_common import fix_string_hashing, join, render, seeded_fakers

# en_US three times: most of a US clinic's people are local.
LOCALES = ["en_US", "en_US", "en_US", "en_IE", "nl_BE", "et_EE", "lv_LV", "az_AZ", "yo_NG",
           "tw_GH", "fr_BE"]

TEMPLATES = [
    # terse OT progress notes
    "Pt {first} seen for 45 min OT. ADLs min A. Lives w/ daughter {first2} in {city}.",
    "S: pt reports {first} drove her from {city} today. O: grip 18 lb R. A: progressing. P: cont POC.",
    "{date}: {lastcap} tol tx well, UE HEP reviewed, next visit {date2}.",
    "tx note - {lowname} arrived late, wife {first} present. f/u {date}.",
    "Home safety eval at {street}. Pt {name} (age {age}) navigates 3 steps w/ rail.",
    # all-capitals dictation
    "PATIENT {uname} WAS SEEN ON {date}. SHE LIVES IN {ucity} WITH HER SON {ufirst}.",
    "DICTATED BY {uname} ON {date}. HOME PHONE {phone}.",
    # emails and letters
    "Hi {first}, just confirming {lastcap}'s eval on {date}. Call me at {phone}. Thanks, {first2}",
    "Dear Dr. {last}, thank you for referring {name}, DOB {dob}, who we saw in our {city} clinic.",
    "Re: {name}. Please send records to {street}, {city} {zip}, attn {first}.",
    # phone-message logs
    "{date} 10:42 msg from {first} ({relation}) re: appt, cb {phone}.",
    "Phone call: {lowfirst} called from {city}, asking to move visit to {date}. Left VM at {phone}.",
    "TC w/ {name} at {phone} - she is staying w/ family in {city} until {date}.",
    # discharge summaries
    "Discharged {date} to home at {street}. Follow-up with Dr. {last} in {city} on {date2}.",
    "DISCHARGE SUMMARY. Name: {name}. MRN: {mrn}. Admitted {date}, discharged {date2}.",
    # referrals
    "Referral from {name}, {city} Family Practice, fax {phone}, for {first} {last2}, age {age}.",
    "Referred by {first} at {city} Rehab for hand therapy; pt {lastcap} works as a welder.",
    # intake as prose
    "Intake: {name} was born on {dob} in {city}. Emergency contact is her brother {first}, {phone}.",
    "Pt is a {age} yo who moved here from {city} last year; lives at {street} with partner {first}.",
    "She gives her email as {email} and her cell as {phone}; mailing address {street}.",
    # contact lists
    "Contacts: {name} (mother) {phone}; {name2} (neighbor) {phone2}.",
    "Care team: {first} {last} OT, {first2} PT; family {lowname}, {city}.",
    # clinical sentences with no PHI, to watch precision
    "Jebsen-Taylor and Purdue Pegboard improved; 9-hole peg 24 s R, grip 7/13 on scale.",
    "Pt tolerated AROM and theraband; pain 3/10; edema decreased, splint refitted.",
]

DATE_FORMATS = ["%m/%d/%Y", "%m/%d/%y", "%-m/%-d", "%Y-%m-%d", "%B %-d, %Y", "%b %-d", "%-d %b %Y",
                "%d-%b-%Y", "%-m-%-d-%y", "%A %B %-d", "%b. %-d, %Y", "%-d.%-m.%Y"]
RELATIONS = ["wife", "husband", "daughter", "son", "sister", "neighbor", "caregiver"]


def date_value(fake, rng):
    d = fake.date_between(start_date="-80y", end_date="+1y")
    return d.strftime(rng.choice(DATE_FORMATS))


def phone_value(fake, rng):
    try:
        p = fake.phone_number()
    except AttributeError:
        p = fake.numerify("0### ### ####")
    return p


def entity(kind, fake, rng):
    """One value of a slot kind and its gold type (None: not PHI)."""
    base = kind.rstrip("2")
    if base == "name":
        return fake.name(), "NAME"
    if base == "uname":
        return fake.name().upper(), "NAME"
    if base == "lowname":
        return fake.name().lower(), "NAME"
    if base == "first":
        return fake.first_name(), "NAME"
    if base == "ufirst":
        return fake.first_name().upper(), "NAME"
    if base == "lowfirst":
        return fake.first_name().lower(), "NAME"
    if base in ("last", "lastcap"):
        return fake.last_name(), "NAME"
    if base == "street":
        return fake.street_address().replace("\n", ", "), "LOCATION"
    if base == "city":
        return fake.city(), "LOCATION"
    if base == "ucity":
        return fake.city().upper(), "LOCATION"
    if base == "zip":
        return fake.postcode(), "LOCATION"
    if base == "phone":
        return phone_value(fake, rng), "PHONE"
    if base == "email":
        return fake.email(), "EMAIL"
    if base in ("date", "dob"):
        return date_value(fake, rng), "DATE"
    if base == "age":
        return str(rng.choice([rng.randint(20, 89), rng.randint(90, 103)])), "AGE"
    if base == "mrn":
        return str(rng.randint(10**6, 10**8)), "ID"
    if base == "relation":
        return rng.choice(RELATIONS), None
    raise KeyError(kind)



def main():
    fix_string_hashing()
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=500)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    fakers = seeded_fakers(sorted(set(LOCALES)), rng)
    for i in range(args.count):
        loc = rng.choice(LOCALES)
        text, spans = join(render(rng.choice(TEMPLATES), entity, fakers[loc], rng)
                           for _ in range(rng.randint(2, 4)))
        doc = {"id": f"dev2-{args.seed}-{i}", "source": loc, "format": "text",
               "text": text, "spans": spans}
        sys.stdout.write(json.dumps(doc, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
