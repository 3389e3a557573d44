#!/usr/bin/env python3
"""Names, towns and addresses of Turkish, Hungarian, Finnish, Icelandic, Scandinavian and German
text in general-domain sentences, with a holdout of values the lists were not built from
(issue 13).

Values of Turkish, Hungarian, Finnish and Icelandic records come from the national PyPI
packages `scripts/add-intl-lists.py` reads (the same pinned wheels): the `dev` split draws
from the three quarters that script adds to the lists, the `holdout` split only from the
quarter it holds out (`held_out`), so holdout recall measures values no list was built from
(a held-out value may still be listed from another source: `--breakdown` reports that
share); Icelandic records have towns and streets from `iceaddr` but names from Python Faker's
`sv_SE` (no Icelandic name source). Swedish, Norwegian, Danish and German records take their
names and towns from Python Faker (`sv_SE`, `no_NO`, `da_DK`, `de_DE`; listed already) and
test only the address formats; so do the Finnish records' towns and streets (`fi_FI`).
Addresses are written in each country's own format (`Storgatan 12, 114 55 Stockholm`,
`Laugavegur 7, 101 Reykjavík`, `Atatürk Cd. No: 5 Kadıköy/İstanbul`, `Váci utca 3., 1052
Budapest`, `Karl Johans gate 1, 0154 Oslo`); street names are the packages' own (Hungarian,
Icelandic) or built here from a name and the language's street word.

The two splits have disjoint sentence templates (this project's own: messages, letters,
forms; never another project's) and disjoint seeds; tune on `dev` only. Labels: `first`,
`last`, `name`, `street`, `town`, `postcode`, each span with `locale` and `source`:
    {"id", "source", "format": "text", "text", "spans": [{"start", "end", "type", "label", "locale"}]}

Usage:
    python3 scripts/intl-values.py --wheels /tmp/intl-src --split dev --seed 1 --count 700 > /tmp/iv-dev.jsonl
    python3 scripts/intl-values.py --breakdown /tmp/iv-dev.jsonl -- target/release/phigate scan --jsonl
The second form prints the share of values left in the output by locale and by label.

Synthetic data only: every value is generated.
"""
import importlib.util
import os
import random
import re

import locale_values

HERE = os.path.dirname(os.path.abspath(__file__))
LOCALES = ["tr", "hu", "fi", "is", "sv", "nb", "da", "de"]
FAKER_LOCALE = {"sv": "sv_SE", "nb": "no_NO", "da": "da_DK", "de": "de_DE", "fi": "fi_FI"}

DEV_NAME = [
    "My name is {first} {last} and I would like to change my booking.",
    "{first} {last} signed the lease yesterday.",
    "Dear {first}, thank you for your letter of last week.",
    "The form was countersigned by {last}, {first}.",
    "Please ask {first} to call {first2} {last2} back this afternoon.",
    "Mr {last} asked whether the invoice had been paid.",
    "Attendees: {first} {last}, {first2} {last2}.",
    "{first}'s sister will pick up the keys.",
]
HOLDOUT_NAME = [
    "Thanks again, {first} - see you at the meeting on Monday.",
    "Applicant: {first} {last}",
    "I spoke with {first} {last} about the refund and she agreed.",
    "Regards, {first} {last}",
    "Our neighbour {first} {last} looked after the dog.",
    "Ms {last} will send the documents by post.",
    "Witness: {last}, {first}; second witness {first2} {last2}.",
    "The parcel is for {first} and {first2}.",
]
DEV_ADDRESS = [
    "{first} {last} lives at {address} with her son.",
    "Ship to: {address}",
    "Our new address is {address} from the first of the month.",
    "She grew up in {town} and still visits every summer.",
    "Please send the contract to {address}.",
    "Address: {address}\nPhone: see file",
]
HOLDOUT_ADDRESS = [
    "We have moved! Find us at {address} after June.",
    "Delivery address {address}, ring twice.",
    "{first} {last}\n{address}",
    "The meeting will be held at {address} on Tuesday.",
    "They bought a flat in {town} last year.",
    "Invoice to {first} {last}, {address}, before the 15th.",
]

# Street words each language writes after a name (suffix, or a word of its own).
STREET_SUFFIX = {
    "sv": ["gatan", "vägen", "stigen", "gränd", "backen"],
    "nb": ["veien", "gata", "vegen", "bakken", "stien"],
    "da": ["vej", "gade", "stræde", "allé"],
    "fi": ["katu", "tie", "kuja", "polku"],
    "de": ["straße", "strasse", "weg", "gasse", "platz", "allee"],
}
# Street words written as a word of their own after a name (Norwegian `Karl Johans gate`).
STREET_WORD = {"nb": ["gate", "vei"], "da": ["Allé", "Vej"], "sv": ["väg"], "de": ["Straße"]}


def load_lists_script():
    spec = importlib.util.spec_from_file_location("add_intl_lists", os.path.join(HERE, "add-intl-lists.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


class Values:
    """Each locale's value pools for one split."""

    def __init__(self, wheels, split, rng):
        al = load_lists_script()
        fl = al.load_faker_script()
        self.rng = rng
        want_held = split == "holdout"

        def pick(raws, key=lambda r: r):
            out = []
            for r in sorted(set(raws)):
                folded = fl.fold(key(r))
                if folded and al.held_out(folded) == want_held:
                    out.append(r)
            return out

        vals = al.source_values(wheels)
        z = al.open_wheel(wheels, "magyar-4.2.0-py3-none-any.whl")
        hu = al.python_lists(z, "magyar.py", {"utca", "irsz"})
        z.close()
        clean = lambda xs: [x for x in xs if re.fullmatch(r"[^\W\d_]+(?:[ '-][^\W\d_]+)*", x)]
        tr_first = clean(vals[("ayikla", "first")] + vals[("neym", "first")])
        self.pools = {
            "tr": {"first": pick(tr_first), "last": pick(clean(vals[("ayikla", "last")])),
                   "town": [t.title() for t in pick(clean(vals[("ayikla", "town")]))]},
            "hu": {"first": pick(clean(vals[("magyar", "first")])), "last": pick(clean(vals[("magyar", "last")])),
                   "street": pick(hu["utca"]),
                   "town_pc": pick([(r["telepules"], r["iranyitoszam"]) for r in hu["irsz"]
                                    if r["telepules"] and not r["kozterulet"]], key=lambda r: r[0])},
            "fi": {"first": pick(clean(vals[("finnish", "first")])), "last": pick(clean(vals[("finnish", "last")]))},
            "is": {"town": pick(clean(vals[("iceaddr", "town")])), "street": pick(icelandic_streets(wheels, al))},
        }
        self.known = {fl.fold(x) for x in fl.words("names/common_words.txt")}
        self.fakers = {}
        from faker import Faker
        for loc, fl_loc in FAKER_LOCALE.items():
            f = Faker(fl_loc)
            f.seed_instance(rng.randrange(1 << 30))
            self.fakers[loc] = f

    def first(self, loc):
        if loc in self.pools and self.pools[loc].get("first"):
            return self.rng.choice(self.pools[loc]["first"]), "pkg"
        return self.fakers.get(loc, self.fakers["sv"]).first_name(), "faker"

    def last(self, loc):
        if loc in self.pools and self.pools[loc].get("last"):
            return self.rng.choice(self.pools[loc]["last"]), "pkg"
        return self.fakers.get(loc, self.fakers["sv"]).last_name(), "faker"

    def town(self, loc):
        pool = self.pools.get(loc, {})
        if pool.get("town"):
            return self.rng.choice(pool["town"]), "pkg"
        if pool.get("town_pc"):
            return self.rng.choice(pool["town_pc"])[0], "pkg"
        return self.fakers.get(loc, self.fakers["sv"]).city(), "faker"

    def address(self, loc):
        """(pieces, source): pieces are (text, label or None) in order."""
        r, n = self.rng, str(self.rng.randint(1, 120))
        if loc == "tr":
            street = self.rng.choice(self.pools["tr"]["last"] + self.pools["tr"]["first"])
            district, province = self.town("tr")[0], self.town("tr")[0]
            kind = r.choice(["Sokak", "Sk.", "Sok.", "Caddesi", "Cad.", "Cd.", "Bulvarı"])
            house = r.choice([f"No: {n}", f"No:{n}", f"No: {n}/{r.randint(1, 20)}", f"No {n}"])
            if r.random() < 0.5:
                mah = self.rng.choice(self.pools["tr"]["first"])
                lead = [(f"{mah} Mah. {street} {kind} {house}", "street")]
            else:
                lead = [(f"{street} {kind} {house}", "street")]
            if r.random() < 0.5:
                return lead + [(" ", None), (district, "town"), ("/", None), (province, "town")], "pkg"
            pc = f"{r.randint(1, 81):02d}{r.randint(0, 999):03d}"
            return lead + [(", ", None), (pc, "postcode"), (" ", None), (district, "town"), ("/", None),
                           (province, "town")], "pkg"
        if loc == "hu":
            street = r.choice(self.pools["hu"]["street"])
            town, pc = r.choice(self.pools["hu"]["town_pc"])
            if r.random() < 0.6:
                return [(f"{street} {n}.", "street"), (", ", None), (str(pc), "postcode"), (" ", None),
                        (town, "town")], "pkg"
            return [(str(pc), "postcode"), (" ", None), (town, "town"), (", ", None),
                    (f"{street} {n}.", "street")], "pkg"
        if loc == "is":
            street = r.choice(self.pools["is"]["street"])
            town = r.choice(self.pools["is"]["town"])
            pc = str(r.randint(101, 902))
            return [(f"{street} {n}", "street"), (", ", None), (pc, "postcode"), (" ", None), (town, "town")], "pkg"
        fake = self.fakers[loc]
        stem = re.sub(r"[^\w]", "", fake.last_name())
        if loc in STREET_WORD and r.random() < 0.3:
            street = f"{fake.first_name()} {stem}s {r.choice(STREET_WORD[loc])}"
        else:
            street = stem + r.choice(STREET_SUFFIX[loc])
        town = fake.city()
        if loc == "sv":
            pc = f"{r.randint(100, 984)} {r.randint(0, 99):02d}"
        elif loc in ("fi", "de"):
            pc = f"{r.randint(1000, 99999):05d}"
        else:
            pc = f"{r.randint(1000, 9990):04d}"
        house = n + (r.choice(["", "", "A", "B"]) if loc != "de" else "")
        if loc == "fi" and r.random() < 0.4:
            house += f" A {r.randint(1, 40)}"
        return [(f"{street} {house}", "street"), (", ", None), (pc, "postcode"), (" ", None), (town, "town")], "faker"


def icelandic_streets(wheels, al):
    import sqlite3
    import tempfile

    with al.open_wheel(wheels, "iceaddr-0.6.2-py3-none-any.whl") as z, tempfile.TemporaryDirectory() as tmp:
        con = sqlite3.connect(z.extract("iceaddr/iceaddr.db", tmp))
        rows = [r[0] for r in con.execute("SELECT DISTINCT heiti_nf FROM stadfong WHERE heiti_nf IS NOT NULL ORDER BY 1")]
        con.close()
    return [s for s in rows if re.fullmatch(r"[^\W\d_]+(?: [^\W\d_]+)?", s)]


def generate(wheels, split, seed, count):
    rng = random.Random(f"{split}-{seed}")
    values = Values(wheels, split, rng)
    names = DEV_NAME if split == "dev" else HOLDOUT_NAME
    addresses = DEV_ADDRESS if split == "dev" else HOLDOUT_ADDRESS
    locale_values.write_corpus(values, rng, LOCALES, (names, addresses), count, f"iv-{split}-{seed}",
                               f"intl-values-{split}")


def main():
    locale_values.main("--wheels", "/tmp/intl-src", "folder with add-intl-lists.py's pinned wheels", generate)


if __name__ == "__main__":
    main()
