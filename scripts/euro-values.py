#!/usr/bin/env python3
"""Names, towns and addresses of Polish, Czech, Slovak, Dutch, Latvian, Norwegian, Swedish and
Danish text in general-domain sentences, with a holdout of values the lists were not built
from (issue 13, branch `nordic`).

Names of Polish, Czech, Slovak, Dutch and Latvian records and Norwegian towns (with their
real postcodes) come from the packages `scripts/add-euro-lists.py` reads (the same pinned
files): the `dev` split draws from the three quarters that script adds to the lists, the
`holdout` split only from the quarter it holds out, so holdout recall measures values no
list was built from (some are listed already from another source). Other towns, Norwegian,
Swedish and Danish names are Python Faker's (listed already) and test the address formats:
`ul. Kowalskiego 12, 00-950 Warszawa`, `Nerudova 12/3, 110 00 Praha 1`, `Hlavna 5, 811 01
Bratislava`, `Kerkstraat 12, 1012 AB Amsterdam`, `Brivibas iela 5, LV-1010 Riga`, `Storgatan
12, 114 55 Stockholm`, `Bygdoy alle 3, 0257 Oslo`, `Norregade 7, 2100 Kobenhavn O`.

The templates are `locale_values.py`'s record writer with templates of this script's own
(disjoint between the splits; this project's, never another project's); tune on `dev` only.
Labels: `first`, `last`, `street`, `town`, `postcode`, each span with `locale` and `source`.

Usage:
    python3 scripts/euro-values.py --packages /tmp/euro-src --split dev --seed 1 --count 800 > /tmp/ev-dev.jsonl
    python3 scripts/euro-values.py --breakdown /tmp/ev-dev.jsonl -- target/release/phigate scan --jsonl
Synthetic data only: every value is generated.
"""
import importlib.util
import os
import random
import re

import locale_values

HERE = os.path.dirname(os.path.abspath(__file__))
LOCALES = ["pl", "cs", "sk", "nl", "lv", "nb", "sv", "da"]
FAKER_LOCALE = {"pl": "pl_PL", "cs": "cs_CZ", "sk": "sk_SK", "nl": "nl_NL", "lv": "lv_LV",
                "nb": "no_NO", "sv": "sv_SE", "da": "da_DK"}
# Which package list a locale's names come from (`add-euro-lists.py`'s sources).
NAME_SOURCES = {"pl": "zxcvbn-pl", "cs": "zxcvbn-cs", "sk": "pynameday-sk", "nl": "zxcvbn-nl", "lv": "lv-namedays"}

DEV_NAME = [
    "{first} {last} has asked us to move the appointment to Friday.",
    "Hi {first}, the tickets are attached.",
    "Booked by: {last}, {first}",
    "Can {first} {last} and {first2} {last2} both attend?",
    "The landlord, Mr {last}, fixed the heating.",
    "{first} will drive; {first2} {last2} brings the food.",
]
HOLDOUT_NAME = [
    "Many thanks, {first} {last}",
    "Contact person: {first} {last}",
    "We met {first} at the station and {first2} {last2} joined later.",
    "Mrs {last} returned the form unsigned.",
    "From: {first} {last}\nSubject: the keys",
    "{last}, {first} - account holder",
]
DEV_ADDRESS = [
    "Please post it to {address}.",
    "{first} {last}, {address}",
    "Our office moved to {address} in March.",
    "He was born in {town} and works there still.",
    "Billing address: {address}",
]
HOLDOUT_ADDRESS = [
    "Send the samples to {address} by courier.",
    "Home: {address}",
    "The flat at {address} is let from May.",
    "My parents still live in {town}.",
    "Recipient {first} {last}\n{address}",
]
# Python Faker's `lv_LV` has no towns (it answers English ones): Latvian towns written here.
LV_TOWNS = ["Rīga", "Daugavpils", "Liepāja", "Jelgava", "Jūrmala", "Ventspils", "Rēzekne", "Valmiera",
            "Jēkabpils", "Ogre", "Tukums", "Cēsis", "Salaspils", "Kuldīga", "Sigulda", "Olaine", "Saldus",
            "Talsi", "Dobele", "Bauska", "Madona", "Limbaži", "Gulbene", "Alūksne", "Krāslava"]
STREET_SUFFIX = {"nb": ["veien", "gata", "vegen", "bakken"], "sv": ["gatan", "vägen", "gränd"],
                 "da": ["vej", "gade", "stræde", "allé"]}


def load(name, file):
    spec = importlib.util.spec_from_file_location(name, os.path.join(HERE, file))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


class Values:
    """Each locale's value pools for one split."""

    def __init__(self, packages, split, rng):
        ae = load("add_euro_lists", "add-euro-lists.py")
        al = ae.load_intl_script()
        fl = al.load_faker_script()
        self.rng = rng
        want_held = split == "holdout"

        def pick(raws, key=lambda r: r):
            out = []
            for r in sorted(set(raws)):
                folded = fl.fold(key(r))
                if folded and len(folded) >= 4 and al.held_out(folded) == want_held:
                    out.append(r)
            return out

        clean = lambda xs: [x for x in xs if re.fullmatch(r"[^\W\d_]+(?:[ '-][^\W\d_]+)*", x)]
        vals = ae.source_values(packages)
        self.pools = {}
        for loc, src in NAME_SOURCES.items():
            self.pools[loc] = {"first": pick(clean(vals[(src, "first")]))}
            if (src, "last") in vals:
                self.pools[loc]["last"] = pick(clean(vals[(src, "last")]))
        self.pools["nb"] = {"town_pc": pick(sorted((t, pc) for pc, t in ae.norway_towns(packages).items()),
                                            key=lambda r: r[0])}
        self.fakers = {}
        from faker import Faker
        for loc, fl_loc in FAKER_LOCALE.items():
            f = Faker(fl_loc)
            f.seed_instance(rng.randrange(1 << 30))
            self.fakers[loc] = f

    def first(self, loc):
        if self.pools.get(loc, {}).get("first"):
            return self.rng.choice(self.pools[loc]["first"]), "pkg"
        return self.fakers[loc].first_name(), "faker"

    def last(self, loc):
        if self.pools.get(loc, {}).get("last"):
            return self.rng.choice(self.pools[loc]["last"]), "pkg"
        return self.fakers[loc].last_name(), "faker"

    def town(self, loc):
        if self.pools.get(loc, {}).get("town_pc"):
            return self.rng.choice(self.pools[loc]["town_pc"])[0], "pkg"
        if loc == "lv":
            return self.rng.choice(LV_TOWNS), "faker"
        return self.fakers[loc].city(), "faker"

    def street(self, loc):
        """A street in the language's own form, from a Faker surname of the locale."""
        r, fake = self.rng, self.fakers[loc]
        stem = re.sub(r"[^\w]", "", fake.last_name())
        if loc == "pl":
            return f"{r.choice(['ul. ', 'ul. ', 'al. ', 'pl. '])}{fake.street_name().replace('ul. ', '')}"
        if loc in ("cs", "sk", "nl"):
            return fake.street_name()
        if loc == "lv":
            return f"{stem} {r.choice(['iela', 'iela', 'prospekts', 'bulvaris'])}"
        return stem + r.choice(STREET_SUFFIX[loc])

    def address(self, loc):
        """(pieces, source): pieces are (text, label or None) in order."""
        r, n = self.rng, str(self.rng.randint(1, 150))
        street = self.street(loc)
        town, src = self.town(loc)
        if loc == "nb":
            town, pc = r.choice(self.pools["nb"]["town_pc"])
            if r.random() < 0.3:
                town = town.upper()
        elif loc == "pl":
            pc = f"{r.randint(0, 99):02d}-{r.randint(0, 999):03d}"
            n += r.choice(["", "", f"/{r.randint(1, 60)}", f" m. {r.randint(1, 60)}"])
        elif loc in ("cs", "sk"):
            pc = f"{r.randint(100, 799)} {r.randint(0, 99):02d}"
            n = r.choice([n, f"{r.randint(100, 3000)}/{n}"])
            if loc == "cs" and r.random() < 0.3:
                town = f"Praha {r.randint(1, 10)}"
        elif loc == "nl":
            pc = f"{r.randint(1000, 9999)} {r.choice('ABCDEFGHJKLMNPRSTVWXZ')}{r.choice('ABCDEFGHJKLMNPRSTVWXZ')}"
            if r.random() < 0.3:
                pc = pc.replace(" ", "")
        elif loc == "lv":
            pc = f"LV-{r.randint(1001, 5750)}"
        elif loc == "sv":
            pc = f"{r.randint(100, 984)} {r.randint(0, 99):02d}"
        else:
            pc = f"{r.randint(1000, 9990):04d}"
            if loc == "da" and r.random() < 0.3:
                town = f"{town} {r.choice(['C', 'K', 'N', 'O', 'S', 'V', 'SV', 'NV'])}"
        return [(f"{street} {n}", "street"), (", ", None), (pc, "postcode"), (" ", None), (town, "town")], src


def generate(packages, split, seed, count):
    rng = random.Random(f"euro-{split}-{seed}")
    values = Values(packages, split, rng)
    names = DEV_NAME if split == "dev" else HOLDOUT_NAME
    addresses = DEV_ADDRESS if split == "dev" else HOLDOUT_ADDRESS
    locale_values.write_corpus(values, rng, LOCALES, (names, addresses), count, f"ev-{split}-{seed}",
                               f"euro-values-{split}")


def main():
    locale_values.main("--packages", "/tmp/euro-src", "folder with add-euro-lists.py's pinned packages", generate)


if __name__ == "__main__":
    main()
