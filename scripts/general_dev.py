#!/usr/bin/env python3
"""general_dev: a general-domain free-text corpus with international names and addresses.

blind3 (Mimesis values, the lead's templates) is our weakest held-out row and must stay
held-out, so it cannot be tuned on. This corpus is the one we may tune on for the same kind
of text: not clinical notes but e-mails, chat messages, customer-service transcripts, HR and
school letters, shipping forms, meeting minutes, bank and insurance letters, social-media
posts and directory listings, with names, addresses, phones, e-mails, dates, ages over 89,
URLs and IDs. Its templates were written for this script (general43, session 43); none come
from any other project's generator.

Two value families:
- Mimesis 22 (MIT licence, its own locale data) in locales no blind3 split uses (never en,
  en-gb, en-au or any other blind3 locale, so blind3 stays held-out);
- names composed here from syllables, with particles (`van der`, `de la`, `bin`, `O'`),
  hyphens, apostrophes and initials: names no list holds, in shapes lists miss.

Two splits: `--seed 11` is the dev split (tune on it, read its misses); `--seed 12` is the
holdout split (figures only, never read its misses). The locales and templates are the same.

Writes JSON lines in the scorer's format (`../shared/eval/score.py`):
    {"id", "source", "format": "text", "text", "spans": [{"start", "end", "type", "label"}]}

Usage:
    pip install mimesis==22.*
    python3 scripts/general_dev.py --seed 11 --count 500 > /tmp/general-dev.jsonl
    python3 scripts/general_dev.py --seed 12 --count 500 > /tmp/general-holdout.jsonl
    python3 ../shared/eval/score.py --safe-harbor /tmp/general-dev.jsonl -- target/release/phigate scan --jsonl

Synthetic data only: every value is generated.
"""
import argparse
import datetime
import json
import random
import sys

from mimesis import Address, Person
from mimesis.locales import Locale

from corpus_common import render

# Latin-script locales weighted twice: the hidden evaluation's text is mostly in English
# with names and addresses from abroad. "syl" is the composed-name family below.
LOCALES = ["da", "de", "de-at", "fi", "fr", "hr", "nl", "pt", "sk", "et", "es-mx", "az",
           "da", "de", "de-at", "fi", "fr", "hr", "nl", "pt", "sk", "et", "es-mx", "az",
           "uk", "kk", "ja", "ko", "zh", "ar-eg",
           "syl", "syl", "syl", "syl", "syl", "syl"]

TEMPLATES = [
    # e-mail
    "Hi {first},\nThanks for your order. It will ship to {street}, {zip} {city} on {date}. Cheers, {first2}",
    "From: {name} <{email}>\nSent: {date}\nTo: {name2}\nSubject: Re: flat viewing\n\nHi {first2}, can we move it to Thursday?",
    "Dear {title} {last},\nYour appointment with our advisor {name2} is confirmed for {date}. Please call {phone} if you cannot attend.",
    "Hello {first_lc}, your new password link is {url}. It expires on {date}. - the {org} team",
    # chat
    "[{time}] {first}: are you still at {street}?\n[{time}] {first2}: yes, come up, flat 3",
    "{first_lc}: omg {first2_lc} just texted me from {city}\n{first2_lc}: lol no I'm home",
    "<{first}> anyone know {last}'s number? <{first2}> try {phone}",
    "WhatsApp from {name}: Happy birthday grandma!! {age} today, can't believe it",
    # customer-service transcripts
    "Agent: Can I have your full name please?\nCaller: It's {name}.\nAgent: And the postcode?\nCaller: {zip}.",
    "Agent ({first2}): I see the parcel went to {street}, {city}. Customer: That's my old address, I moved on {date}.",
    "Ticket #{account}: customer {name} ({email}) reports that the courier left the box at number {house} instead.",
    "Transcript {date} {time}. Customer: my surname is {last_spelled}. Agent: thank you, Mr {last}.",
    # HR and school letters
    "Dear {title} {name},\nWe are pleased to offer you the position of {job}, starting {date}. Your employee number is {account}.",
    "To the parents of {first} {last}: {first} was absent on {date}. Please contact the school office on {phone}.",
    "Reference for {name}: I have known {first} for six years as her manager at {org} in {city}.",
    "HR record | {last_upper}, {first_upper} | Born {dob} | Start {date} | Badge {account}",
    "Student: {last}, {first}\nClass teacher: {title} {last2}\nHome address: {street}, {zip} {city}",
    # shipping forms
    "SHIP TO: {upper_name}\n{street_upper}\n{zip} {city_upper}\nTEL {phone}",
    "Recipient: {name}\nAddress: {street}\nPostcode/City: {zip} {city}\nPhone: {phone}\nTracking: {tracking}",
    "Return label for {name}, {street}, {city} {zip}. Order placed {date}.",
    "Consignee {last}, {first} c/o {name2}, {street}, {zip} {city}",
    # meeting minutes
    "Minutes of {date}. Present: {name}, {name2}, {first3} {last3}. Apologies: {name4}.",
    "Action: {first} to send the venue contract to {title} {last2} by {date}.",
    "The chair, {name}, thanked {first2} for hosting the meeting at her home in {city}.",
    # bank and insurance letters
    "Account holder: {name}\nIBAN ending {account}\nStatement date: {date}\nBranch: {city}",
    "Dear {title} {last}, your claim {policy} for the water damage at {street} was approved on {date}.",
    "Policyholder {name}, date of birth {dob}, residing at {street}, {zip} {city}.",
    "We wrote to {name} at {street} on {date} and again on {date2} but received no reply.",
    # social media
    "Congrats to my gran {first} who turned {age} on {date}!! #family #{city_tag}",
    "So proud of {first_lc} {last_lc} from {city} for finishing the marathon at {age}! {url}",
    "@{handle} thanks for the lift to {city} yesterday, {first}!",
    "RIP {name} ({dob} - {date}), a legend of our little town of {city}.",
    # directory listings
    "{last}, {first} ........ {street} ........ {phone}",
    "{name} | {job} | {email} | {phone}",
    "Residents: {name} (flat 1), {name2} (flat 2), {name3} (flat 4) - {street}, {city}",
    "Contact {title} {name} at {email} or visit {url}",
    # other letters and notes
    "On {date} {name}, aged {age}, of {street}, {city}, celebrated with family and friends.",
    "Mrs {last} is {age} years old and still lives alone in {city}; her son {first2} visits weekly.",
    "Booking ref {policy}: {name}, arriving {date}, 2 adults. Contact {phone}.",
    "Member {account}: {name}, {street}, {zip} {city}. Renewal due {date}.",
    "The package for {initial_name} was signed for by {first2} at {time} on {date}.",
    "{name} (born {dob}) moved from {city} to {city2} last spring.",
]

TITLES = ["Mr", "Ms", "Mrs", "Dr", "Dr.", "Mr.", "Ms.", "Frau", "Herr", "Señora", "Señor",
          "Madame", "Monsieur", "Prof.", "Mx"]
JOBS = ["project coordinator", "warehouse assistant", "teacher", "data analyst", "chef",
        "receptionist", "sales manager", "electrician"]
ORGS = ["Northwind", "Bluewater Logistics", "Acme", "Brightpath", "Harbour Bank"]

# Syllables to compose first and last names that no list holds.
ONSETS = ["b", "br", "d", "dr", "f", "g", "gr", "h", "j", "k", "kl", "l", "m", "n", "p",
          "r", "s", "st", "t", "tr", "v", "w", "z", "ch", "sh", "th"]
NUCLEI = ["a", "e", "i", "o", "u", "ai", "ea", "ou", "ie", "y"]
CODAS = ["", "", "", "n", "r", "l", "s", "th", "nd", "rk", "m", "x", "tt"]
PARTICLES = ["van der", "van", "de la", "de", "von", "bin", "ibn", "da", "del", "di", "le",
             "ter", "al-", "O'", "Mc", "Mac", "St."]


def syllable_word(rng, n=None):
    w = "".join(rng.choice(ONSETS) + rng.choice(NUCLEI) + rng.choice(CODAS)
                for _ in range(n or rng.randint(2, 3)))
    return w.capitalize()


def composed_last(rng):
    shape = rng.random()
    if shape < 0.35:
        p = rng.choice(PARTICLES)
        base = syllable_word(rng)
        if p.endswith("'") or p.endswith("-") or p in ("Mc", "Mac"):
            return p + base
        return f"{p} {base}"
    if shape < 0.55:
        return f"{syllable_word(rng)}-{syllable_word(rng)}"
    return syllable_word(rng)


class Composed:
    """The composed-name family, shaped like Mimesis' Person and Address."""

    def __init__(self, rng):
        self.rng = rng
        # Addresses of the composed family borrow a Latin-script Mimesis locale.
        self.address = Address(Locale("de"), seed=rng.randint(0, 2**31))
        self._phone = Person(Locale("fr"), seed=rng.randint(0, 2**31))

    def first_name(self):
        first = syllable_word(self.rng, self.rng.randint(1, 3))
        if self.rng.random() < 0.15:
            return first[0] + "'" + syllable_word(self.rng, 2)
        if self.rng.random() < 0.1:
            return f"{first}-{syllable_word(self.rng, 1)}"
        return first

    def last_name(self):
        return composed_last(self.rng)

    def full_name(self):
        if self.rng.random() < 0.2:
            return f"{self.first_name()} {self.first_name()[0]}. {self.last_name()}"
        return f"{self.first_name()} {self.last_name()}"

    def telephone(self):
        return self._phone.telephone()

    def email(self):
        return f"{self.first_name().lower()}.{syllable_word(self.rng).lower()}@example.org"


class Values:
    """Mimesis providers for one locale, or the composed family."""

    def __init__(self, loc, rng):
        if loc == "syl":
            self.person = Composed(rng)
            self.address = self.person.address
        else:
            seed = rng.randint(0, 2**31)
            self.person = Person(Locale(loc), seed=seed)
            self.address = Address(Locale(loc), seed=seed)


def date_value(rng):
    d = datetime.date(1931, 1, 1) + datetime.timedelta(days=rng.randint(0, 34000))
    fmts = ["%m/%d/%Y", "%d/%m/%Y", "%Y-%m-%d", "%B %d, %Y", "%d %B %Y", "%d %b %Y",
            "%d.%m.%Y", "%d.%m.%y", "%m/%d/%y", "%d-%b-%Y", "%b %d, %Y", "%Y/%m/%d",
            "%A %d %B %Y", "%d-%m-%Y", "%b. %d, %Y", "%e %b", "%B %Y"]
    s = d.strftime(rng.choice(fmts)).replace(" 0", " ").strip()
    if rng.random() < 0.1:
        day = d.day
        suf = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
        s = rng.choice([f"{day}{suf} {d:%B} {d.year}", f"{d:%B} {day}{suf}, {d.year}",
                        f"the {day}{suf} of {d:%B} {d.year}"])
    return s


def value(kind, v, rng):
    """One value of a slot kind and its gold type (None: not PHI)."""
    p, a = v.person, v.address
    if kind in ("name", "name2", "name3", "name4"):
        return p.full_name(), "NAME"
    if kind in ("first", "first2", "first3"):
        return p.first_name(), "NAME"
    if kind in ("last", "last2", "last3"):
        return p.last_name(), "NAME"
    if kind in ("first_lc", "first2_lc"):
        return p.first_name().lower(), "NAME"
    if kind == "last_lc":
        return p.last_name().lower(), "NAME"
    if kind == "first_upper":
        return p.first_name().upper(), "NAME"
    if kind == "last_upper":
        return p.last_name().upper(), "NAME"
    if kind == "upper_name":
        return p.full_name().upper(), "NAME"
    if kind == "initial_name":
        return f"{p.first_name()[0]}. {p.last_name()}", "NAME"
    if kind == "last_spelled":
        return "-".join(p.last_name().upper()), "NAME"
    if kind == "handle":
        return f"{p.first_name().lower()}_{rng.randint(1, 99)}", None
    if kind == "street":
        return a.address(), "LOCATION"
    if kind == "street_upper":
        return a.address().upper(), "LOCATION"
    if kind == "house":
        return str(rng.randint(2, 240)), None
    if kind in ("city", "city2"):
        return a.city(), "LOCATION"
    if kind == "city_upper":
        return a.city().upper(), "LOCATION"
    if kind == "city_tag":
        return a.city().replace(" ", "").replace("-", ""), "LOCATION"
    if kind == "zip":
        return a.postal_code(), "LOCATION"
    if kind == "phone":
        return p.telephone(), "PHONE"
    if kind == "email":
        return p.email(), "EMAIL"
    if kind in ("date", "date2", "dob"):
        return date_value(rng), "DATE"
    if kind == "time":
        return f"{rng.randint(7, 22)}:{rng.randint(0, 59):02d}", None
    if kind == "age":
        return str(rng.randint(90, 106)), "AGE"
    if kind == "account":
        return str(rng.randint(10**5, 10**9)), "ID"
    if kind == "policy":
        return "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(2)) + "-" + str(rng.randint(10**5, 10**8)), "ID"
    if kind == "tracking":
        return "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(2)) + str(rng.randint(10**8, 10**9)) + rng.choice(["DE", "NL", "FR", "DK"]), "ID"
    if kind == "url":
        slug = p.last_name().lower().replace(" ", "-").replace("'", "")
        return rng.choice([f"https://www.{slug}-family.net/photos", f"https://example.org/u/{slug}{rng.randint(1, 99)}",
                           f"www.{slug}.blog"]), "URL"
    if kind == "title":
        return rng.choice(TITLES), None
    if kind == "job":
        return rng.choice(JOBS), None
    if kind == "org":
        return rng.choice(ORGS), None
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
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--count", type=int, default=500)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    values = {loc: Values(loc, rng) for loc in dict.fromkeys(LOCALES)}
    for i in range(args.count):
        loc = rng.choice(LOCALES)
        # One to three messages per document, all about one locale's people and places.
        text, spans = join(render(rng.choice(TEMPLATES), value, values[loc], rng)
                           for _ in range(rng.randint(1, 3)))
        doc = {"id": f"general-{args.seed}-{i}", "source": loc, "format": "text",
               "text": text, "spans": spans}
        sys.stdout.write(json.dumps(doc, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
