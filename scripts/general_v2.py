#!/usr/bin/env python3
"""general_v2: a second general-domain holdout, written so as not to be tuned on.

`general_dev.py` (general43) is the corpus we tune on for general-domain text; its holdout
split (`--seed 12`) shares its templates, so a fix fitted to those templates lifts both. This
script is the guard against that (helper general45, session 45): other sentence templates
(e-mails, chat, web forms, support tickets, CVs, shipping notes, bank and delivery messages,
reviews, voicemail transcripts), another value family (Faker, MIT licence, not Mimesis) in
other locales, and other identifier, phone and address formats (SSNs, IBANs, licence plates,
passport and driver's licence numbers, IP addresses, multi-line Faker addresses).

It is a holdout only: report its figures (`--seed 13`), never read its misses. Its templates
were written for this script; none come from any other project's generator.

Writes JSON lines in the scorer's format (`../shared/eval/score.py`):
    {"id", "source", "format": "text", "text", "spans": [{"start", "end", "type", "label"}]}

Usage:
    python3 scripts/general_v2.py --seed 13 --count 500 > /tmp/general-v2.jsonl
    python3 ../shared/eval/score.py --safe-harbor /tmp/general-v2.jsonl -- target/release/phigate scan --jsonl

Synthetic data only: every value is generated.
"""
import argparse
import datetime
import json
import random
import sys

from faker import Faker

from corpus_common import fix_string_hashing, render, seeded_fakers

# English-language text about people from many places: en_US weighted, then Faker locales
# general_dev.py's Mimesis family does not cover (or covers with other data).
LOCALES = ["en_US", "en_US", "en_US", "en_US", "en_GB", "en_CA", "en_IN", "en_NZ",
           "en_IE", "fr_CA", "fr_CH", "de_CH", "it_IT", "es_ES", "es_AR", "es_CO", "pl_PL",
           "sv_SE", "no_NO", "nl_BE", "pt_BR", "ro_RO", "hu_HU", "cs_CZ", "tr_TR", "lt_LT",
           "sl_SI", "da_DK", "vi_VN", "id_ID", "ga_IE", "el_GR", "ru_RU", "he_IL"]

TEMPLATES = [
    # e-mails
    "Good morning {first},\n\nPlease find attached the lease for {address_line}. Kind regards,\n{name2}\n{phone}",
    "---------- Forwarded message ---------\nFrom: {email}\nDate: {date}\nSubject: invoice\n\n{first2}, can you pay this before Friday? Thanks, {first}",
    "Hey {first_lc}!! long time. I'm in {city} till {date}, text me at {phone} xx {first2_lc}",
    "Dear Sir or Madam, I am writing on behalf of my father, {name}, who lives at {street}, {city} {postcode}.",
    # chat and SMS
    "{first} ({time}): running late, parked outside {street}\n{first2} ({time}): ok see u soon",
    "sms from {phone}: hi its {first_lc} can u call me back",
    "you: did {first_lc} get the keys?\n{first2_lc}: yeah she picked them up from {street}",
    "[{date} {time}] <{handle}> my cousin {name} just moved to {city} lol",
    # web forms
    "Full name: {name}\nDate of birth: {dob}\nStreet: {street}\nTown: {city}\nPostcode: {postcode}\nMobile: {phone}",
    "First name* {first}  Last name* {last}  E-mail* {email}  Phone {phone}",
    "name={first}+{last}&city={city}&tel={phone}",
    "Applicant {last_upper}, {first}; passport {passport}; issued {date}",
    # support tickets
    "Case {ticket} opened by {name} ({email}). Customer says the router at {address_line} drops at night. Last IP {ip}.",
    "Support chat. Visitor: hi my name is {first} {last} and my card ending {card4} was charged twice. Agent {first2}: sorry about that!",
    "Escalated: caller {name}, SSN {ssn}, disputes a payment made on {date}.",
    "Ticket {ticket} | requester: {first_lc} {last_lc} | callback {phone}",
    # CVs
    "CURRICULUM VITAE\n{upper_name}\n{address_line}\n{phone} | {email}\nBorn {dob} in {city}",
    "{name} - References available on request. Referee: {title} {name2}, {org}, tel. {phone}",
    "Experience: 2015-2020 shift lead, {org}, {city}. Contact me: {email}",
    # shipping and delivery notes
    "Delivery note\nDeliver to: {name}\n{address_multi}\nNotes: leave with neighbour at no. {house}",
    "Your parcel {tracking} is on its way to {first} {last}, {city}. Expected {date}.",
    "Driver note: {first} not home, card left at {street}. Rebook via {url}",
    "Collected by {initial_name} on {date} at {time}, vehicle reg {plate}.",
    # bank messages
    "Payment of 120.00 to {name} ({iban}) was sent on {date}. Ref: rent {street}.",
    "Your new card for {upper_name} will arrive at {address_line} within 5 working days.",
    "Standing order: payee {last}, {first}; sort code {sort_code}; account {account}",
    "Alert: a login from {ip} ({city}) to the account of {name} on {date} at {time}.",
    # reviews, posts, voicemail
    "Voicemail {date}: Hi, this is {name} calling about the flat on {street}. My number is {phone}. Bye.",
    "5 stars! {first} from {city} fixed our boiler the same day. Ask for {first} {last}.",
    "Happy {age}th birthday to our wonderful nan {name}! Party at {street} on {date}.",
    "In loving memory of {name}, born {dob} in {city}, died {date}, aged {age}.",
    "Lost dog near {street}, {city}! Please ring {first} on {phone}.",
    # letters and records
    "Re: {name}, D.O.B. {dob}, driver's licence {licence}. The vehicle is registered at {address_line}.",
    "Tenant: {name}. Guarantor: {name2}, {street}, {city}. Move-in {date}.",
    "The witness, {first} {last}, of {city}, stated that she saw {name2} at {time} on {date}.",
    "We confirm that {title} {last} (employee ID {employee}) worked here from {date} to {date2}.",
    "Emergency contact for {first}: {name2} ({relation}), {phone}",
    "My name is {name}, I was born on {dob} and I live in {city}.",
    "{name}, {age}, of {city}, was the oldest runner this year.",
]

TITLES = ["Mr", "Mrs", "Ms", "Miss", "Dr", "Prof", "Mr.", "Mrs.", "Dr.", "Sr.", "Sra.", "Mme",
          "M.", "Sig.", "Pani", "Pan"]
ORGS = ["Greenfield Plumbing", "Orbit Telecom", "Riverside Cafe", "Tandem Couriers",
        "Maple & Co", "Copperline Bank"]
RELATIONS = ["sister", "brother", "mother", "father", "husband", "wife", "neighbour", "friend",
             "daughter", "son", "partner"]

US = Faker("en_US")
GB = Faker("en_GB")


def date_value(rng):
    d = datetime.date(1925, 1, 1) + datetime.timedelta(days=rng.randint(0, 36000))
    fmts = ["%m/%d/%Y", "%d/%m/%Y", "%Y-%m-%d", "%B %d, %Y", "%d %B %Y", "%d %b %Y",
            "%d.%m.%Y", "%m-%d-%Y", "%b %d %Y", "%d %b. %Y", "%a, %d %b %Y", "%Y.%m.%d",
            "%B %d", "%d/%m/%y", "%m.%d.%Y"]
    return d.strftime(rng.choice(fmts)).replace(" 0", " ")


def phone(f, rng):
    p = f.phone_number()
    r = rng.random()
    if r < 0.15:
        return US.numerify(rng.choice(["###-###-####", "(###) ###-####", "###.###.####",
                                       "+1 ### ### ####", "1-###-###-####"]))
    if r < 0.25:
        return GB.phone_number()
    return p


def value(kind, f, rng):
    """One value of a slot kind and its gold type (None: not PHI)."""
    if kind in ("name", "name2"):
        return f.name(), "NAME"
    if kind in ("first", "first2"):
        return f.first_name(), "NAME"
    if kind == "last":
        return f.last_name(), "NAME"
    if kind in ("first_lc", "first2_lc"):
        return f.first_name().lower(), "NAME"
    if kind == "last_lc":
        return f.last_name().lower(), "NAME"
    if kind == "last_upper":
        return f.last_name().upper(), "NAME"
    if kind == "upper_name":
        return f.name().upper(), "NAME"
    if kind == "initial_name":
        return f"{f.first_name()[0]}. {f.last_name()}", "NAME"
    if kind == "handle":
        return f"{f.first_name().lower()}{rng.randint(1, 999)}", None
    if kind == "street":
        return f.street_address(), "LOCATION"
    if kind == "address_line":
        return f.address().replace("\n", ", "), "LOCATION"
    if kind == "address_multi":
        return f.address(), "LOCATION"
    if kind == "city":
        return f.city(), "LOCATION"
    if kind == "postcode":
        return f.postcode(), "LOCATION"
    if kind == "house":
        return str(rng.randint(2, 180)), None
    if kind == "phone":
        return phone(f, rng), "PHONE"
    if kind == "email":
        return f.email(), "EMAIL"
    if kind in ("date", "date2", "dob"):
        return date_value(rng), "DATE"
    if kind == "time":
        return f"{rng.randint(6, 23)}:{rng.randint(0, 59):02d}", None
    if kind == "age":
        return str(rng.randint(90, 104)), "AGE"
    if kind == "ssn":
        return US.ssn(), "ID"
    if kind == "iban":
        return (f.iban() if hasattr(f, "iban") else GB.iban()), "ID"
    if kind == "passport":
        return US.bothify("?########").upper(), "ID"
    if kind == "licence":
        return US.bothify(rng.choice(["?###-####-####", "?#######", "##-???-####"])).upper(), "ID"
    if kind == "plate":
        return f.license_plate(), "ID"
    if kind == "ip":
        return US.ipv4_public(), "ID"
    if kind == "ticket":
        return f"#{rng.randint(10000, 9999999)}", "ID"
    if kind == "card4":
        return str(rng.randint(1000, 9999)), None
    if kind == "account":
        return str(rng.randint(10**7, 10**8 - 1)), "ID"
    if kind == "employee":
        return US.bothify("EMP-#####"), "ID"
    if kind == "sort_code":
        return US.numerify("##-##-##"), None
    if kind == "tracking":
        return US.bothify("1Z###???##########").upper(), "ID"
    if kind == "url":
        return rng.choice([f"https://rebook.example.com/{rng.randint(10**6, 10**7)}",
                           f"https://www.{f.last_name().lower().replace(' ', '')}photos.com"]), "URL"
    if kind == "title":
        return rng.choice(TITLES), None
    if kind == "org":
        return rng.choice(ORGS), None
    if kind == "relation":
        return rng.choice(RELATIONS), None
    raise KeyError(kind)


def join(pieces):
    """Messages `[(text, spans)]` joined by a blank line, spans moved to the joined text."""
    texts, spans, off = [], [], 0
    for text, s in pieces:
        spans += [dict(x, start=x["start"] + off, end=x["end"] + off) for x in s]
        texts.append(text)
        off += len(text) + 2
    return "\n\n".join(texts), spans


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--count", type=int, default=500)
    args = ap.parse_args()
    fix_string_hashing()
    rng = random.Random(args.seed)
    US.seed_instance(rng.randint(0, 2**31))
    GB.seed_instance(rng.randint(0, 2**31))
    fakers = seeded_fakers(sorted(set(LOCALES)), rng)
    for i in range(args.count):
        loc = rng.choice(LOCALES)
        text, spans = join(render(rng.choice(TEMPLATES), value, fakers[loc], rng)
                           for _ in range(rng.randint(1, 3)))
        doc = {"id": f"general-v2-{args.seed}-{i}", "source": loc, "format": "text",
               "text": text, "spans": spans}
        sys.stdout.write(json.dumps(doc, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
