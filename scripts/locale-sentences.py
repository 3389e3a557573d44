#!/usr/bin/env python3
"""Names and addresses of every Faker locale in general-domain sentences (issue 13, `gazette`).

A development corpus for the name and place lists and the address rules: each record is one
or two sentences of this project's own (not clinical, not from any other project's
templates) filled with Faker values of one locale, labelled for `../shared/eval/score.py`:
    {"id", "source", "format": "text", "text", "spans": [{"start", "end", "type", "label"}]}
Labels: first, last, name (as the locale's `name()` writes it), street (`street_address()`),
city, postcode. Locales: every locale Faker lists, in its order; a locale without an address
provider gets the name templates only. Deterministic for a seed (string hashing is fixed).

Usage:
    python3 scripts/locale-sentences.py --seed 7 --count 1000 > /tmp/loc.jsonl
    python3 scripts/locale-sentences.py --breakdown /tmp/loc.jsonl -- target/release/phigate scan --jsonl
The second form prints the share of values of each label left in the output (leaked), and
the locales that leak most: a development aid, surface strings are synthetic.

Synthetic data only: every value is generated.
"""
import argparse
import collections
import importlib
import json
import random
import re
import sys

from corpus_common import fix_string_hashing, join, render, scan_corpus, seeded_fakers

NAME_TEMPLATES = [
    "My name is {name} and I would like to change my booking.",
    "Please forward the parcel to {first} {last} before Friday.",
    "{name} signed the lease yesterday.",
    "Dear {first}, thank you for your letter.",
    "The form was countersigned by {last}, {first}.",
    "We spoke to {first} on the phone; {last} will call back.",
    "Ms {last} asked whether the invoice had been paid.",
    "Attendees: {name}, {name2}.",
]
ADDRESS_TEMPLATES = [
    "{name} lives at {street}, {city} {postcode}.",
    "Ship to: {street}, {postcode} {city}",
    "The office moved to {street} last spring.",
    "Our new address is {street}, {city}.",
    "She grew up in {city} and still visits every summer.",
    "Postcode {postcode}, town {city}.",
    "Contact {first} {last} at {street} for the keys.",
    "{address}",
]


def has_address(loc):
    try:
        p = importlib.import_module(f"faker.providers.address.{loc}").Provider
    except ModuleNotFoundError:
        return False
    return "street_address_formats" in vars(p) or "address_formats" in vars(p)


def value(kind, fake, rng):
    k = kind.rstrip("0123456789")
    if k == "name":
        return fake.name(), "NAME"
    if k == "first":
        return fake.first_name(), "NAME"
    if k == "last":
        return fake.last_name(), "NAME"
    if k == "street":
        return fake.street_address(), "LOCATION"
    if k == "city":
        return fake.city(), "LOCATION"
    if k == "postcode":
        return fake.postcode(), "ZIP"
    if k == "address":
        return fake.address().replace("\n", ", "), "LOCATION"
    raise KeyError(kind)


def generate(seed, count):
    from faker.config import AVAILABLE_LOCALES

    rng = random.Random(seed)
    locales = sorted(AVAILABLE_LOCALES)
    fakers = seeded_fakers(locales, rng)
    addr = {loc: has_address(loc) for loc in locales}
    for i in range(count):
        loc = locales[i % len(locales)]
        fake = fakers[loc]
        pieces = []
        for _ in range(2):
            pool = NAME_TEMPLATES + (ADDRESS_TEMPLATES if addr[loc] else [])
            text, spans = render(rng.choice(pool), value, fake, rng)
            for s in spans:
                s["label"] = s["label"].rstrip("0123456789")
                s["locale"] = loc
            pieces.append((text, spans))
        text, spans = join(pieces)
        rec = {"id": f"loc-{seed}-{i}", "source": "locale-sentences", "format": "text",
               "text": text, "spans": spans}
        sys.stdout.write(json.dumps(rec, ensure_ascii=False) + "\n")


def norm(s):
    return re.sub(r"\s+", " ", s).strip().lower()


def breakdown(path, cmd, show):
    docs, outs = scan_corpus(path, cmd)
    total, leaked, by_loc = collections.Counter(), collections.Counter(), collections.Counter()
    examples = []
    for d in docs:
        out = norm(outs.get(d["id"], ""))
        for g in d["spans"]:
            surf = norm(d["text"][g["start"]:g["end"]])
            # A value counts as leaked when any word of three letters or more of it survives.
            parts = [w for w in re.findall(r"\w+", surf) if len(w) >= 3 and not w.isdigit()]
            parts += [w for w in re.findall(r"\d+", surf) if len(w) >= 4]
            left = [w for w in parts if re.search(r"(?<!\w)" + re.escape(w) + r"(?!\w)", out)]
            total[g["label"]] += 1
            if left:
                leaked[g["label"]] += 1
                by_loc[g["locale"]] += 1
                examples.append((g["label"], g["locale"], surf, left))
    for label in sorted(total):
        print(f"{label:9} {leaked[label]:5} of {total[label]:5} leak ({leaked[label] / total[label]:.3f})")
    print("all       %5d of %5d leak (%.3f)" % (sum(leaked.values()), sum(total.values()),
                                               sum(leaked.values()) / sum(total.values())))
    print("locales leaking most:", ", ".join(f"{l} {n}" for l, n in by_loc.most_common(15)))
    for ex in examples[:show]:
        print("  ", ex)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--breakdown")
    ap.add_argument("--show", type=int, default=0)
    ap.add_argument("cmd", nargs="*")
    a = ap.parse_args()
    if a.breakdown:
        breakdown(a.breakdown, a.cmd, a.show)
    else:
        fix_string_hashing()
        generate(a.seed, a.count)


if __name__ == "__main__":
    main()
