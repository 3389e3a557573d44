#!/usr/bin/env python3
"""Add names and towns from Faker's locale providers (MIT) to phigate's lists.

`build-name-lists.py` builds `patterns/names/{first_names,surnames}.tsv` from US federal data,
which knows few Baltic, Azerbaijani, Yoruba, Akan, Irish or Belgian names. This script merges
the names of the locales below into those files: a name not already listed is appended with
count 1 (never "popular": in all-capitals text such a name counts only with a cue). Names that
are English or clinical words (`patterns/words/`) or in `common_words.txt`, and names under
three letters, are left out, so jargon is not read as a name. The towns of the address
providers that list real ones (nl_BE: Belgian municipalities and villages; az_AZ) go into
`patterns/places/world_places.tsv` the same way, folded as `build-place-list.py` folds names.
Deterministic: sorted output; running it twice adds nothing.

Usage (Faker installed; any recent version):
    python3 scripts/add-faker-lists.py          # rewrites the two files in place
"""
import importlib
import os
import sys
import unicodedata

LOCALES = ["en_IE", "nl_BE", "fr_BE", "et_EE", "lv_LV", "az_AZ", "yo_NG", "tw_GH"]
ROOT = os.path.join(os.path.dirname(__file__), "..", "patterns")


def words(path):
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        return {l.strip().lower() for l in f if l.strip() and not l.startswith("#")}


def provider_names(prefix):
    out = set()
    for loc in LOCALES:
        p = importlib.import_module(f"faker.providers.person.{loc}").Provider
        for attr in dir(p):
            if attr.startswith(prefix):
                for n in getattr(p, attr):
                    out.add(unicodedata.normalize("NFC", n).lower())
    # Multi-word entries (`van der meer`) are split by the lexicon anyway: keep single words.
    return {n for n in out if " " not in n and len(n) >= 3}


def provider_towns():
    sys.path.insert(0, os.path.dirname(__file__))
    normalize = importlib.import_module("build-place-list").normalize
    out = set()
    for loc in ["nl_BE", "az_AZ"]:
        for town in importlib.import_module(f"faker.providers.address.{loc}").Provider.cities:
            out.update(n for n in normalize(town) if len(n) >= 4)
    return out


def merge(fname, names, skip, kind="1"):
    path = os.path.join(ROOT, fname)
    with open(path, encoding="utf-8") as f:
        lines = [l.rstrip("\n") for l in f if l.strip()]
    have = {l.split("\t")[0] for l in lines}
    new = sorted(n for n in names - have - skip)
    with open(path, "w", encoding="utf-8") as f:
        for l in lines + [f"{n}\t{kind}" for n in new]:
            f.write(l + "\n")
    print(f"{fname}: +{len(new)}")


def main():
    skip = words("words/english.txt") | words("words/clinical.txt") | words("names/common_words.txt")
    merge("names/first_names.tsv", provider_names("first_names"), skip)
    merge("names/surnames.tsv", provider_names("last_names"), skip)
    first = {l.split("\t")[0] for l in open(os.path.join(ROOT, "names/first_names.tsv"), encoding="utf-8")}
    last = {l.split("\t")[0] for l in open(os.path.join(ROOT, "names/surnames.tsv"), encoding="utf-8")}
    merge("places/world_places.tsv", provider_towns(), skip | first | last, kind="city")


if __name__ == "__main__":
    main()
