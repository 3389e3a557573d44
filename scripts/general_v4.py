#!/usr/bin/env python3
"""general_v4: a small general-domain corpus kept held out (stop 48, helper general48).

Written before any change of stop 48 and never tuned on: only its figures are read, never
its misses. Genres none of `general_dev.py`, `general_v2.py` or `general_v3.py` has (news
items, obituaries and birth notices, property listings, club rosters, award notices,
itineraries, rental agreements, job applications, classified ads, notary notices, volunteer
rotas, alumni updates) and name and address locales v3 does not use (Italian, Spanish,
Brazilian, Swiss, Canadian French, Romanian, Czech, Slovenian, Lithuanian, Filipino, Indian,
Indonesian, Greek and Russian in their own scripts, Hebrew, Thai), plus English ones.

Usage:
    python3 scripts/general_v4.py --seed 31 --count 400 > /tmp/general-v4.jsonl
    python3 ../shared/eval/score.py --safe-harbor /tmp/general-v4.jsonl -- target/release/phigate scan --jsonl

Synthetic data only: every value is generated; the templates were written for this script.
"""
import argparse
import datetime
import json
import random
import sys

from faker import Faker

from corpus_common import fix_string_hashing, render, seeded_fakers

NAME_LOCALES = ["en_US", "en_US", "en_GB", "en_CA", "en_NZ", "en_IN", "en_PH", "it_IT",
                "it_IT", "es_ES", "es_ES", "pt_BR", "pt_BR", "de_CH", "fr_CA", "fr_CH",
                "ro_RO", "ro_RO", "cs_CZ", "sl_SI", "lt_LT", "fil_PH", "hi_IN", "id_ID",
                "el_GR", "ru_RU", "he_IL", "th_TH", "de_DE", "nl_BE", "uk_UA", "bg_BG"]
ADDRESS_LOCALES = ["en_US", "en_GB", "en_CA", "en_NZ", "it_IT", "es_ES", "pt_BR", "de_CH",
                   "fr_CA", "ro_RO", "cs_CZ", "sl_SI", "lt_LT", "en_PH", "en_IN", "id_ID",
                   "de_DE", "nl_BE"]

TEMPLATES = [
    "LOCAL NEWS - {city}: {name}, {age}, was honoured on {date} for forty years of service to the village choir.",
    "Police are asking anyone who saw a blue van near {street} on {date} to contact Sgt. {last} on {phone}.",
    "OBITUARY\n{name} of {city} passed away peacefully on {date}, aged {age}. Beloved wife of {name2}. Funeral at St Anne's, {street}, on {date2}.",
    "Births: to {first} and {name2}, a daughter, {first3}, born {date} at home in {city}.",
    "FOR SALE: three-bed flat, {address}. Viewing by appointment with the owner, {name}, tel {phone}.",
    "Club roster 2024/25\nCaptain: {name}\nTreasurer: {name2} ({email})\nGround: {address}",
    "The {year} bursary goes to {name} of {city}; the panel chaired by Prof. {last2} met on {date}.",
    "Itinerary for {name}\n{date}: arrive, transfer to {street}, {city}\n{date2}: meeting with {name2}\nMobile on the trip: {phone}",
    "This agreement of {date} is between {name} (landlord), of {address}, and {name2} (tenant).",
    "Dear hiring team, I am {name} and I would like to apply for the role. You can reach me at {email} or {phone}. I live at {address}.",
    "Lost cat! Grey tabby, answers to Miso. Last seen {date} on {street}. Call {first} on {phone}.",
    "Notary deed no. {ref} signed on {date} before notary {name} by {name2}, born {dob}, residing at {address}.",
    "Volunteer rota - {date}\nmorning: {name}\nafternoon: {name2}\nkeys with {first3} ({phone})",
    "Alumni news: {name} (class of {year}) has moved to {city} and would love to hear from old friends at {email}.",
    "Congratulations to {name} and {name2} on their wedding on {date} at {city} town hall!",
    "Meter reading for {address}: customer {name}, account {ref}, read on {date}.",
    "{name} called to say the plumber will come to {street} on {date}; ring back on {phone}.",
    "Wanted: piano lessons for my son. Contact {first} {last} - {email}",
    "Guest list: {name}, {name2}, {name3}",
    "Sender: {name}, {address}\nRecipient: {name2}, {address2}",
    "Minutes: {name} opened the meeting; {name2} reported on the budget. Next meeting {date} at {street}.",
    "Hi {first}, just checking you got my message about {date}? {first2}",
    "Certificate of attendance: this is to certify that {name}, born {dob} in {city}, attended the course.",
    "Pick-up for {name} at {address} at {time}, driver {first2} ({phone}).",
]

TITLES = ["Mr", "Mrs", "Ms", "Dr", "Sig.", "Sra.", "Dna.", "Herr", "Frau", "M.", "Mme"]


US = Faker("en_US")


def date_value(rng):
    d = datetime.date(1931, 1, 1) + datetime.timedelta(days=rng.randint(0, 33000))
    fmts = ["%d/%m/%Y", "%m/%d/%Y", "%Y-%m-%d", "%d %B %Y", "%B %d, %Y", "%d.%m.%Y",
            "%d %b %Y", "%A, %d %B %Y", "%d/%m/%y", "%b %d %Y"]
    return d.strftime(rng.choice(fmts)).replace(" 0", " ").lstrip("0")


class Values:
    def __init__(self, person, addr):
        self.p, self.a = person, addr

    def __call__(self, kind, _fake, rng):
        p, a = self.p, self.a
        if kind in ("name", "name2", "name3"):
            n = p.name()
            if rng.random() < 0.15:
                n = f"{rng.choice(TITLES)} {n}"
            return n, "NAME"
        if kind in ("first", "first2", "first3"):
            return p.first_name(), "NAME"
        if kind in ("last", "last2"):
            return p.last_name(), "NAME"
        if kind == "city":
            return a.city(), "LOCATION"
        if kind in ("street",):
            return a.street_address(), "LOCATION"
        if kind in ("address", "address2"):
            return a.address().replace("\n", ", "), "LOCATION"
        if kind == "phone":
            for f in (a, p, US):
                try:
                    return f.phone_number(), "PHONE"
                except AttributeError:
                    continue
        if kind == "email":
            return p.email() if rng.random() < 0.5 else p.free_email(), "EMAIL"
        if kind in ("date", "date2", "dob"):
            return date_value(rng), "DATE"
        if kind == "age":
            return str(rng.choice([rng.randint(20, 89), rng.randint(90, 104)])), "AGE"
        if kind == "year":
            return str(rng.randint(1960, 2024)), None
        if kind == "time":
            return f"{rng.randint(6, 21)}:{rng.choice(['00', '15', '30', '45'])}", None
        if kind == "ref":
            return p.bothify(rng.choice(["####/##", "??-#####", "N-######"])).upper(), "ID"
        raise KeyError(kind)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=31)
    ap.add_argument("--count", type=int, default=400)
    args = ap.parse_args()
    fix_string_hashing()
    rng = random.Random(args.seed)
    US.seed_instance(rng.randint(0, 2**31))
    people = seeded_fakers(sorted(set(NAME_LOCALES)), rng)
    places = seeded_fakers(sorted(set(ADDRESS_LOCALES)), rng)
    for i in range(args.count):
        loc = rng.choice(NAME_LOCALES)
        addr = loc if loc in places else rng.choice(ADDRESS_LOCALES)
        values = Values(people[loc], places[addr])
        pieces = [render(rng.choice(TEMPLATES), values, None, rng) for _ in range(rng.randint(1, 2))]
        texts, spans, off = [], [], 0
        for text, s in pieces:
            spans += [dict(x, start=x["start"] + off, end=x["end"] + off) for x in s]
            texts.append(text)
            off += len(text) + 2
        doc = {"id": f"general-v4-{args.seed}-{i}", "source": loc, "format": "text",
               "text": "\n\n".join(texts), "spans": spans}
        sys.stdout.write(json.dumps(doc, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
