#!/usr/bin/env python3
"""Add first names and surnames from Faker's locale person providers (MIT) to phigate's lists.

`build-name-lists.py` builds `patterns/names/{first_names,surnames}.tsv` from US federal data,
which knows few Baltic, Azerbaijani, Yoruba, Akan, Irish or Belgian names. This script merges
the names of the locales below into those files: a name not already listed is appended with
count 1 (never "popular": in all-capitals text such a name counts only with a cue). Names that
are English or clinical words (`patterns/words/`) or in `common_words.txt`, and names under
three letters, are left out, so jargon is not read as a name. Deterministic: sorted output.

Usage (Faker installed; any recent version):
    python3 scripts/add-faker-names.py          # rewrites the two files in place
"""
import importlib
import os
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


def merge(fname, names, skip):
    path = os.path.join(ROOT, "names", fname)
    with open(path, encoding="utf-8") as f:
        lines = [l.rstrip("\n") for l in f if l.strip()]
    have = {l.split("\t")[0] for l in lines}
    new = sorted(n for n in names - have - skip)
    with open(path, "w", encoding="utf-8") as f:
        for l in lines + [f"{n}\t1" for n in new]:
            f.write(l + "\n")
    print(f"{fname}: +{len(new)}")


def main():
    skip = words("words/english.txt") | words("words/clinical.txt") | words("names/common_words.txt")
    merge("first_names.tsv", provider_names("first_names"), skip)
    merge("surnames.tsv", provider_names("last_names"), skip)


if __name__ == "__main__":
    main()
