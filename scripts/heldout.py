#!/usr/bin/env python3
"""A labelled free-text corpus for measuring recall on text no rule was tuned on.

Writes JSON lines in the scorer's format (`../shared/eval/score.py`):
    {"id", "source", "format": "text", "text", "spans": [{"start", "end", "type", "label"}]}

Values come from Faker (MIT licence) in many locales; the sentences are this project's own.
Two disjoint configurations keep a held-out set honest:

    --split dev      locales and templates used while developing detectors
    --split heldout  other locales and other templates, looked at only to report figures
    --split blind2   a third set (new locales, new templates, new value kinds) written after
                     `heldout` had been looked at; report its figures only, never its leaks

Usage:
    pip install faker==37.*   # any recent Faker
    python3 scripts/heldout.py --split heldout --seed 7 --count 500 > /tmp/heldout.jsonl
    python3 ../shared/eval/score.py --safe-harbor /tmp/heldout.jsonl -- target/release/phigate scan --jsonl

Synthetic data only: every value is generated.
"""
import argparse
import json
import random
import sys

from faker import Faker

from corpus_common import fix_string_hashing, join, render, seeded_fakers

LOCALES = {
    "dev": ["en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "it_IT", "pl_PL", "vi_VN", "en_IN"],
    "heldout": ["en_US", "en_AU", "nl_NL", "pt_BR", "sv_SE", "tr_TR", "ga_IE", "es_MX", "de_AT",
                "cs_CZ", "fi_FI", "en_NZ"],
    # US clinics see mostly US records: en_US is weighted three times.
    "blind2": ["en_US", "en_US", "en_US", "en_CA", "fr_CA", "da_DK", "no_NO", "ro_RO", "hu_HU",
               "hr_HR", "pt_PT", "es_CO", "id_ID", "sk_SK", "sl_SI", "de_CH", "es_AR"],
}

# Templates: {slot} names an entity kind below; text outside slots is not PHI.
TEMPLATES = {
    "dev": [
        "OT progress note. Patient {name} (DOB {dob}) seen {date} for fine-motor training. Lives at {street}, {city} {zip}. Daughter {first} can be reached at {phone}.",
        "Spoke with {first} about the home program; she will email photos to {email}. Next visit {date}.",
        "Referral from Dr. {last} for {name}, MRN {mrn}. Insurance member ID {member}. Call back {phone}.",
        "{name} is a {age}-year-old retired teacher who lives alone in {city}. Goals: independent dressing by {date}.",
        "Hi, my name is {name} and I moved to {street}, {city} last month. My number is {phone}.",
        "Please send the signed forms to {name}, {street}, {city}, {zip}.",
        "Home safety visit at {street} on {date}; spouse {first} present. Grab bars recommended.",
        "Card on file {card} for {name}; billing address {street}, {city}.",
        "Pt reports son {first} {last} drives her to clinic from {city}. Contact {phone} or {email}.",
        "Discharge summary for {name} ({sex}, {age} y/o), admitted {date}, discharged {date2}. SSN {ssn}.",
        "Wheelchair seating eval: {name}, serial of current chair {serial}, vendor rep {first} at {phone}.",
        "Left a voicemail for {first} at {phone} re: splint pickup on {date}.",
        "The patient's wife, {name}, asked that letters go to {email} instead of {street}.",
        "Transfer from {city} General; receiving therapist {name}. Fax {phone}.",
        "Driver rehab: licence {license}, plate {plate}; road test scheduled {date} in {city}.",
        "{first} was born on {dob} and works as a chef in {city}.",
        "Account {account} for {name} was updated on {date}.",
        "Telehealth session from {ip}; patient {name} logged in with {email}.",
    ],
    "heldout": [
        "Occupational therapy daily note {date}: {name} completed 3 sets of putty exercises. Home address on file: {street}, {city} {zip}.",
        "{name} called from {phone} to reschedule; new appointment {date}.",
        "Family meeting held with {first} (niece) and {name}; plan reviewed. Niece's email {email}.",
        "Evaluation: {age} y.o. {sex} referred by {name} for hand therapy after fall at home ({street}, {city}).",
        "Good morning, this is {name} from {city}. You can text me at {phone} or write to {email}.",
        "Shipping label: {name} / {street} / {zip} {city}",
        "Patient seen at home, {street}. Caregiver {first} reports independence with feeding since {date}.",
        "Payment of $40 received by card ending {card4}; payer {name}, {email}.",
        "{name}'s DOB is {dob}; MRN {mrn}; SSN {ssn}.",
        "Per {first}, the patient's brother {name} lives in {city} and visits weekly.",
        "Wrote to {name} at {street}, {city}, {zip} regarding the adaptive equipment loan.",
        "IBAN for reimbursement: {iban} (account holder {name}).",
        "Progress toward goals reviewed with {name} on {date}; next re-eval {date2}.",
        "Vehicle modifications for {name}: plate {plate}, VIN {vin}.",
        "Login from {ip} by {email} on {date}.",
        "Mr. {last} reports his daughter {first} moved to {city}.",
        "Dr. {name} reviewed the splint on {date}; phone {phone}.",
        "The client ({name}, {age}) prefers calls after 5pm at {phone}.",
    ],
    "blind2": [
        "Spoke with {first_lc} this am re: HEP compliance; she reports pain 3/10. F/u {date}.",
        "OT/PT co-treat with {name}. Her husband {first} drove her in from {city}; best number {phone}.",
        "DICTATED BY: {upper_name}  D: {date_short}  T: {date_short}  JOB#: {job}",
        "{upper_name} IS A {age}-YEAR-OLD WHO LIVES WITH HER SON AT {upper_street}, {upper_city}.",
        "Seen bedside in Room {room}. Nurse {first} reports poor sleep; daughter {name} phoned from {city}.",
        "Correspondence: {name}, {street}, {city} {zip}. Tel. {phone}. E-mail: {email}.",
        "Workers' comp claim {wc} for {name}; employer contact {first} {last}, {phone}.",
        "Medicaid ID {medicaid}; guardian {name} ({relation}) signs all consents.",
        "Home visit {date}: the ramp at {street} is too steep; {first} will call a contractor.",
        "Pt grew up in {city} and moved here in {year} after her husband {first} passed.",
        "Fax the signed POC to Dr {last} at {phone} before {date}.",
        "Ms {last} ({age} yo) attends with her carer {first}; Purdue Pegboard R 11, L 9.",
        "Texted a reminder to {phone} for {first}'s session on {date}.",
        "Transport booked from {street} to clinic on {date}; driver will ask for {name}.",
        "Emergency contact: {name}, {relation}, {phone}; alt {email}.",
        "Study ID {study} enrolled {date}; consent witnessed by {name}.",
        "{first} {last} was discharged from {city} Rehabilitation Hospital on {date}.",
        "Mailing address changed to {street}, {city}, {zip} at {first}'s request on {date}.",
        "Grip (Jamar pos 2): R 18 kg, L 14 kg. {name} says her grandson {first} helps with groceries.",
        "cc: {name}, {street}, {city}",
        "Caller identified as {first_lc} {last_lc}, pt's neighbour; no information released.",
        "DOB {dob}, age {age}; lives in {city}; PCP Dr. {name}; pharmacy {phone}.",
        "Wound photo saved as {photo} and uploaded by {first}.",
        "Vehicle: plate {plate}; licence no. {license} (exp {date}).",
    ],
}


def upper(kind, fake, rng):
    value, typ = entity(kind, fake, rng)
    return value.upper(), typ


def lower(kind, fake, rng):
    value, typ = entity(kind, fake, rng)
    return value.lower(), typ


# Locale-independent values (SSNs, cards) come from these, seeded in main() so that a seed
# always writes the same corpus.
US = Faker("en_US")
DE = Faker("de_DE")


def date_formats(fake, rng):
    d = fake.date_between(start_date="-90y", end_date="+1y")
    fmts = ["%m/%d/%Y", "%d/%m/%Y", "%Y-%m-%d", "%B %d, %Y", "%d %B %Y", "%b %d, %Y", "%m-%d-%Y",
            "%d.%m.%Y", "%B %d", "%d %b %Y", "%m/%d/%y"]
    return d.strftime(rng.choice(fmts)).replace(" 0", " ")


def entity(kind, fake, rng):
    """One value of a slot kind and its gold type (None: not PHI)."""
    if kind == "name":
        return fake.name(), "NAME"
    if kind == "first":
        return fake.first_name(), "NAME"
    if kind == "last":
        return fake.last_name(), "NAME"
    if kind == "street":
        return fake.street_address().replace("\n", ", "), "LOCATION"
    if kind == "city":
        return fake.city(), "LOCATION"
    if kind == "zip":
        return fake.postcode(), "LOCATION"
    if kind == "phone":
        return fake.phone_number(), "PHONE"
    if kind == "email":
        return fake.email(), "EMAIL"
    if kind in ("date", "date2", "dob"):
        return date_formats(fake, rng), "DATE"
    if kind == "age":
        return str(rng.choice([rng.randint(18, 89), rng.randint(90, 104)])), "AGE"
    if kind == "sex":
        return rng.choice(["male", "female", "M", "F"]), None
    if kind == "mrn":
        return rng.choice(["", "MR", "A"]) + str(rng.randint(10**5, 10**9)), "ID"
    if kind == "member":
        return fake.bothify("???#########").upper(), "ID"
    if kind == "account":
        return fake.bothify("ACC-#######"), "ID"
    if kind == "serial":
        return fake.bothify("SN-####-??##").upper(), "ID"
    if kind == "ssn":
        return US.ssn(), "ID"
    if kind == "card":
        return US.credit_card_number(), "ID"
    if kind == "card4":
        return str(rng.randint(1000, 9999)), None
    if kind == "iban":
        return fake.iban() if hasattr(fake, "iban") else DE.iban(), "ID"
    if kind == "license":
        return fake.bothify("?#######").upper(), "ID"
    if kind == "plate":
        return fake.license_plate(), "ID"
    if kind == "vin":
        return fake.vin() if hasattr(fake, "vin") else US.vin(), "ID"
    if kind == "ip":
        return fake.ipv4_public(), "ID"
    return blind2_entity(kind, fake, rng)


def blind2_entity(kind, fake, rng):
    """Value kinds only the blind2 split uses."""
    if kind == "first_lc":
        return lower("first", fake, rng)
    if kind == "last_lc":
        return lower("last", fake, rng)
    if kind == "upper_name":
        return upper("name", fake, rng)
    if kind == "upper_street":
        return upper("street", fake, rng)
    if kind == "upper_city":
        return upper("city", fake, rng)
    if kind == "date_short":
        return fake.date_between(start_date="-5y", end_date="today").strftime("%m/%d/%y"), "DATE"
    if kind == "job":
        return fake.bothify("??###/#####").upper(), "ID"
    if kind == "room":
        return rng.choice([str(rng.randint(100, 999)) + rng.choice(["", "A", "B"]),
                           f"{rng.randint(2, 9)}{rng.choice('NSEW')}-{rng.randint(1, 40)}"]), "LOCATION"
    if kind == "wc":
        return f"WC-{rng.randint(2015, 2026)}-{rng.randint(10**5, 10**6 - 1)}", "ID"
    if kind == "medicaid":
        return fake.bothify("??########").upper(), "ID"
    if kind == "study":
        return fake.bothify("ST-###-####"), "ID"
    if kind == "relation":
        return rng.choice(["daughter", "son", "niece", "spouse", "sister", "court-appointed guardian"]), None
    if kind == "year":
        return str(rng.randint(1960, 2024)), "DATE"
    if kind == "photo":
        return f"{fake.first_name().lower()}_{fake.last_name().lower()}_{rng.randint(2019, 2026)}.jpg", "NAME"
    raise KeyError(kind)



def main():
    fix_string_hashing()
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--split", choices=LOCALES, required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=500)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    US.seed_instance(rng.randint(0, 2**31))
    DE.seed_instance(rng.randint(0, 2**31))
    fakers = seeded_fakers(LOCALES[args.split], rng)
    for i in range(args.count):
        loc = rng.choice(LOCALES[args.split])
        # Two to four sentences per note, all about one locale's people and places.
        text, spans = join(render(rng.choice(TEMPLATES[args.split]), entity, fakers[loc], rng)
                           for _ in range(rng.randint(2, 4)))
        doc = {"id": f"{args.split}-{args.seed}-{i}", "source": loc, "format": "text",
               "text": text, "spans": spans}
        sys.stdout.write(json.dumps(doc, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
