#!/usr/bin/env python3
"""A labelled free-text corpus of the numeric identifiers issue 13 measures: ages over 89,
phone numbers, dates and identifiers (national IDs, passports, licences, bank and card
numbers, IBANs), written every way people write them, among clinical numbers that must stay
(scores, doses, measurements, codes, counts).

Writes JSON lines in the scorer's format (`../shared/eval/score.py`):
    {"id", "source", "format": "text", "text", "spans": [{"start", "end", "type", "label"}]}
Each span's `label` is `class:form` (`age:yo`, `phone:de_DE`, `id:ssn:pl_PL`), so leaks can
be counted by class with `--by-class` (see below).

Two disjoint configurations keep the held-out figures honest:
    --split dev      the forms issue 13 lists, half of Faker's phone and ID locales, and the
                     sentences rules were fixed against
    --split holdout  other sentences, other locales, other spellings of the same values:
                     report its figures, never tune a rule on its misses

Usage:
    python3 scripts/number_corpus.py --split dev --seed 1 --count 500 > /tmp/numbers-dev.jsonl
    python3 ../shared/eval/score.py --safe-harbor /tmp/numbers-dev.jsonl -- target/release/phigate scan --jsonl
    python3 scripts/number_corpus.py --by-class /tmp/numbers-dev.jsonl -- target/release/phigate scan --jsonl

Values come from Faker (MIT licence) and from this script; the sentences are this project's
own. Synthetic data only.
"""
import argparse
import collections
import importlib
import json
import pkgutil
import random
import re
import subprocess
import sys

import faker.providers.bank
import faker.providers.phone_number
import faker.providers.ssn
from faker import Faker

from corpus_common import fix_string_hashing, join, render


def provider_locales(package):
    return sorted(m.name for m in pkgutil.iter_modules(package.__path__))


def halves(locales):
    """Alternate locales between the splits so each sees a spread of regions."""
    return {"dev": locales[0::2], "holdout": locales[1::2]}


PHONE_LOCALES = halves(provider_locales(faker.providers.phone_number))
SSN_LOCALES = halves(provider_locales(faker.providers.ssn))
BANK_LOCALES = halves(provider_locales(faker.providers.bank))

# Ages over 89, each as a format with `{n}` for the number. The value marked is the number;
# the words around it are context the scorer does not count.
AGE_FORMS = {
    "dev": [
        "{n}-year-old", "{n} yo", "{n}yo", "{n} y/o", "{n} y.o.", "aged {n}", "age {n}",
        "Age: {n}", "{n} years of age", "{n} yrs", "({n})", "{n}F", "{n} M", "a {n} year old",
        "turned {n}", "at {n}", "{n}rd birthday", "{n} años", "{n} Jahre", "{n} ans",
        "{n} Jahre alt", "edad {n}", "{n}-jährige", "âgée de {n} ans", "{n} anni",
        "{n} years old", "AGE {n}", "{n} yr old", "{n}M",
    ],
    "holdout": [
        "{n}-yr-old", "{n} yr. old", "age of {n}", "{n}y", "{n} y", "{n}-y-o", "{n} yrs old",
        "{n} y.o", "{n}-years-old", "aged: {n}", "{n}yrs", "{n} anos", "{n} jaar", "{n} lat",
        "{n} år", "Alter {n}", "{n} ans révolus", "{n}yF", "{n} yo M", "{n}/F", "{n} yof",
        "{n} y/o female", "{n} year-old", "now {n}", "{n}th birthday", "{n}-year old",
    ],
}

AGE_TEMPLATES = {
    "dev": [
        "Pt is a {age} woman seen for gait training; MMSE 27/30.",
        "{age} with CHF, BP 93/60, SpO2 93% on RA.",
        "Referred for falls; {age}, lives alone with 2 cats.",
        "Husband {age} is her main carer; she takes metoprolol 25 mg BID.",
        "Mother ({age}) attended; ICD-10 R26.81, CPT 97110 x 3 units.",
        "HPI: {age} male, walked 90 feet with rolling walker.",
    ],
    "holdout": [
        "Seen today: {age}, reports knee pain 6/10 after 93 steps.",
        "Her father, {age}, needs help with stairs; HR 96, RR 18.",
        "Client {age} attends 2x/week; Berg 41/56, TUG 19 sec.",
        "Note from the aide: {age} resident, glucose 93 mg/dL.",
        "ASSESSMENT: {age} PATIENT WITH COPD, FEV1 90% PREDICTED.",
    ],
}

PHONE_EXTRA = {
    "dev": [
        lambda r: f"+1{r.randint(201, 989)}555{r.randint(0, 9999):04d}",
        lambda r: f"({r.randint(201, 989)}) 555-{r.randint(0, 9999):04d} ext. {r.randint(10, 9999)}",
        lambda r: f"{r.randint(201, 989)}-555-{r.randint(0, 9999):04d} x{r.randint(100, 9999)}",
        lambda r: f"1-800-{r.choice(['FLOWERS', 'CALLNOW', 'MYCLINIC', 'GETCARE'])}",
        lambda r: f"tel:+1-{r.randint(201, 989)}-555-{r.randint(0, 9999):04d}",
        lambda r: f"+44 (0){r.randint(20, 29)} {r.randint(1000, 9999)} {r.randint(1000, 9999)}",
        lambda r: f"{r.randint(201, 989)}.555.{r.randint(0, 9999):04d}",
        lambda r: f"{r.randint(201, 989)}/555-{r.randint(0, 9999):04d}",
    ],
    "holdout": [
        lambda r: f"+33 (0){r.randint(1, 9)} {r.randint(10, 99)} {r.randint(10, 99)} {r.randint(10, 99)} {r.randint(10, 99)}",
        lambda r: f"1-{r.randint(201, 989)}-555-{r.randint(0, 9999):04d} ext {r.randint(10, 999)}",
        lambda r: f"tel:{r.randint(201, 989)}555{r.randint(0, 9999):04d}",
        lambda r: f"1-888-{r.choice(['NURSE4U', 'HEALTHY', 'RX-REFILL'])}",
        lambda r: f"+49 (0){r.randint(30, 89)} {r.randint(100000, 9999999)}",
        lambda r: f"+1.{r.randint(201, 989)}.555.{r.randint(0, 9999):04d}",
    ],
}

PHONE_TEMPLATES = {
    "dev": [
        "Daughter can be reached on {phone} after 5 pm; BP 120/80.",
        "Call back number {phone} given to the front desk.",
        "Pt's cell: {phone}. Next visit in 2 weeks, 3 sets of 10 reps.",
        "Left a message at {phone} re: HEP.",
        "Emergency contact (son) {phone}, lives 90 miles away.",
    ],
    "holdout": [
        "Niece says ring her at {phone} if he falls again.",
        "Contact via {phone} (mobile), pain 4/10 today.",
        "PHONE ON FILE {phone} VERIFIED AT INTAKE.",
        "wife's number is {phone}, she drives him on tuesdays.",
        "Pharmacy faxed from {phone}; 90 tablets dispensed.",
    ],
}

DATE_FORMATS = {
    "dev": ["%m/%d/%Y", "%d.%m.%Y", "%B %d, %Y", "%d %B %Y", "%Y-%m-%d", "%b %d", "%d-%b-%Y",
            "%m/%d/%y", "%B %Y", "%d %b %Y", "%m-%d-%Y"],
    "holdout": ["%d/%m/%Y", "%b. %d, %Y", "%Y/%m/%d", "%d %b", "%B %d", "%-d.%-m.%Y",
                "%d-%m-%Y", "%b %Y", "%-m/%-d/%y"],
}

DATE_TEMPLATES = {
    "dev": [
        "Admitted on {date} after a fall at home.",
        "DOB {date}; allergies NKDA.",
        "Surgery {date}, ROM 0-90 degrees since.",
        "Next appointment: {date} at 10:30.",
    ],
    "holdout": [
        "She was discharged {date} to a SNF.",
        "DATE OF INJURY {date}, WORK STATUS: OFF.",
        "last seen by PCP {date}, no changes to meds.",
    ],
}

ID_TEMPLATES = {
    "dev": [
        "National ID {id} checked at registration.",
        "{cue} {id} on file; copay collected.",
        "Per insurance form, {cue}: {id}.",
        "Identity document {id} scanned to chart.",
    ],
    "holdout": [
        "The interpreter copied {cue} {id} into the consent form.",
        "{cue} ({id}) verified by the clerk.",
        "his {cue} is {id}, per the daughter.",
    ],
}


def age_value(rng, split):
    n = rng.choice([90, 91, 92, 93, 94, 95, 96, 97, 98, 99, 100, 101, 102, 103, 104, 105])
    form = rng.choice(AGE_FORMS[split])
    if form == "{n}rd birthday" or form == "{n}th birthday":
        form = "{n}" + {1: "st", 2: "nd", 3: "rd"}.get(n % 10 if n % 100 not in (11, 12, 13) else 0, "th") + " birthday"
    return form, str(n)


def phone_value(rng, split, fakers):
    if rng.random() < 0.3:
        return rng.choice(PHONE_EXTRA[split])(rng), "extra"
    loc = rng.choice(PHONE_LOCALES[split])
    return fakers[loc].phone_number(), loc


def date_value(rng, split, fake):
    d = fake.date_between(start_date="-100y", end_date="+1y")
    fmt = rng.choice(DATE_FORMATS[split])
    return d.strftime(fmt), fmt


def driver_licence(rng):
    """US-style driver's licence numbers in a few states' shapes."""
    L = "ABCDEFGHJKLMNPRSTWXYZ"
    return rng.choice([
        lambda: rng.choice(L) + "".join(str(rng.randint(0, 9)) for _ in range(7)),
        lambda: rng.choice(L) + "%03d-%04d-%04d" % (rng.randint(0, 999), rng.randint(0, 9999), rng.randint(0, 9999)),
        lambda: "%09d" % rng.randint(10**8, 10**9 - 1),
        lambda: rng.choice(L) + "%d-%03d-%02d-%03d" % (rng.randint(100, 999), rng.randint(0, 999), rng.randint(0, 99), rng.randint(0, 999)),
    ])()


ID_KINDS = {
    "ssn": ["SSN", "social security no.", "national ID", "ID number", "personal number"],
    "passport": ["passport", "Passport No.", "passport number"],
    "licence": ["driver's license", "DL#", "driving licence", "Driver License"],
    "iban": ["IBAN", "bank account", "account"],
    "bban": ["bank account", "account no.", "acct"],
    "card": ["credit card", "Visa", "card number", "card"],
}


def id_value(rng, split, fakers):
    kind = rng.choice(list(ID_KINDS))
    if kind == "ssn":
        loc = rng.choice(SSN_LOCALES[split])
        return kind, str(fakers[loc].ssn()), loc
    if kind == "passport":
        loc = rng.choice(["en_US", "de_AT", "it_IT", "ru_RU"])
        return kind, fakers[loc].passport_number(), loc
    if kind == "licence":
        return kind, driver_licence(rng), "us"
    loc = rng.choice(BANK_LOCALES[split])
    if kind == "iban":
        v = fakers[loc].iban()
        if rng.random() < 0.5:
            v = " ".join(v[i:i + 4] for i in range(0, len(v), 4))
        return kind, v, loc
    if kind == "bban":
        return kind, fakers[loc].bban(), loc
    return kind, fakers["en_US"].credit_card_number(), "en_US"


def sentence(rng, split, fakers):
    klass = rng.choice(["age", "age", "phone", "phone", "date", "id"])
    en = fakers["en_US"]
    if klass == "age":
        form, n = age_value(rng, split)
        tpl = rng.choice(AGE_TEMPLATES[split])
        pre, post = form.split("{n}")
        tpl = tpl.replace("{age}", pre + "{n}" + post)
        text, spans = render(tpl, lambda k, f, r: (n, "AGE"), en, rng)
        label = "age:" + form.replace("{n}", "N")
    elif klass == "phone":
        v, loc = phone_value(rng, split, fakers)
        text, spans = render(rng.choice(PHONE_TEMPLATES[split]), lambda k, f, r: (v, "PHONE"), en, rng)
        label = "phone:" + loc
    elif klass == "date":
        v, fmt = date_value(rng, split, en)
        text, spans = render(rng.choice(DATE_TEMPLATES[split]), lambda k, f, r: (v, "DATE"), en, rng)
        label = "date:" + fmt
    else:
        kind, v, loc = id_value(rng, split, fakers)
        typ = {"ssn": "SSN", "passport": "LICENSE", "licence": "LICENSE", "iban": "ACCOUNT",
               "bban": "ACCOUNT", "card": "ACCOUNT"}[kind]
        tpl = rng.choice(ID_TEMPLATES[split]).replace("{cue}", rng.choice(ID_KINDS[kind]))
        text, spans = render(tpl, lambda k, f, r: (v, typ), en, rng)
        label = f"id:{kind}:{loc}"
    for s in spans:
        s["label"] = label
    # Some notes are typed in one case throughout; skip a case where it changes a length.
    c = rng.random()
    if c < 0.1 and len(text.lower()) == len(text):
        text = text.lower()
    elif c < 0.2 and len(text.upper()) == len(text):
        text = text.upper()
    return text, spans


def age_shadowed(text, span):
    """Whether an age's digits also stand elsewhere in the note (`93` in `SpO2 93%`): the
    scorer counts a gold string left anywhere in the output as a leak, so such a note would
    charge a kept measurement to the age. Notes like that are drawn again."""
    if span["type"] != "AGE":
        return False
    v = text[span["start"]:span["end"]].lower()
    return text.lower().count(v) > 1


def answers(fake, method):
    try:
        getattr(fake, method)
        return True
    except AttributeError:
        return False


def generate(split, seed, count):
    rng = random.Random(seed)
    locales = sorted(set(sum(PHONE_LOCALES.values(), []) + sum(SSN_LOCALES.values(), [])
                         + sum(BANK_LOCALES.values(), []) + ["en_US", "de_AT", "it_IT", "ru_RU"]))
    fakers = {}
    for loc in locales:
        try:
            f = Faker(loc)
        except AttributeError:
            continue
        f.seed_instance(rng.randint(0, 2**31))
        fakers[loc] = f
    # A provider module without its locale's other providers cannot be built by Faker: keep
    # only the locales whose method answers.
    for table, method in ((PHONE_LOCALES, "phone_number"), (SSN_LOCALES, "ssn"), (BANK_LOCALES, "bban")):
        for sp in table:
            table[sp] = [l for l in table[sp] if l in fakers and answers(fakers[l], method)]
    for i in range(count):
        while True:
            pieces = [sentence(rng, split, fakers) for _ in range(rng.randint(2, 4))]
            text, spans = join(pieces)
            if not any(age_shadowed(text, s) for s in spans):
                break
        yield {"id": f"numbers-{split}-{seed}-{i}", "source": f"numbers/{split}",
               "format": "text", "text": text, "spans": spans}


def by_class(corpus, cmd):
    """Leaks (gold strings still in the output, as score.py counts them) per span label."""
    docs = [json.loads(l) for l in open(corpus) if l.strip()]
    payload = "".join(json.dumps({"id": d["id"], "text": d["text"], "content_type": "text/plain"}) + "\n" for d in docs)
    out = subprocess.run(cmd, input=payload.encode(), capture_output=True).stdout.decode()
    outs = {o["id"]: o["text"] for o in map(json.loads, out.splitlines())}
    norm = lambda s: re.sub(r"\s+", " ", s).strip().lower()
    total, leaked, examples = collections.Counter(), collections.Counter(), collections.defaultdict(list)
    for d in docs:
        o = norm(outs.get(d["id"], ""))
        for g in d["spans"]:
            surf = norm(d["text"][g["start"]:g["end"]])
            if len(surf) < 2:
                continue
            klass = g["label"].split(":")[0]
            sub = g["label"]
            for key in (klass, sub):
                total[key] += 1
            if surf in o:
                leaked[klass] += 1
                leaked[sub] += 1
                i = o.find(surf)
                examples[sub].append(o[max(0, i - 40):i + len(surf) + 25])
    for key in sorted(total):
        if ":" not in key or leaked[key]:
            print(f"{key:40} {total[key]:5} leaked {leaked[key]:4}  recall {1 - leaked[key] / total[key]:.3f}")
            for e in examples[key][:3]:
                print("      ", repr(e))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--split", choices=["dev", "holdout"], default="dev")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=500)
    ap.add_argument("--by-class", metavar="CORPUS")
    args, rest = ap.parse_known_args()
    if args.by_class:
        return by_class(args.by_class, rest[rest.index("--") + 1:])
    fix_string_hashing()
    for doc in generate(args.split, args.seed, args.count):
        sys.stdout.write(json.dumps(doc, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
