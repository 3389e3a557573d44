#!/usr/bin/env python3
"""Add names and towns from every Faker locale (MIT) to phigate's lists.

`build-name-lists.py` builds `patterns/names/{first_names,surnames}.tsv` from US federal data,
which knows few names from outside the US. This script merges the names of every locale
Faker ships a person provider for (first, middle and last names, their romanised and kana
forms, name pairs) into those files: a name not already listed is appended with count 1
(never "popular": in all-capitals text such a name counts only with a cue). The towns and
regions of every address provider (cities, municipalities, communes, villages, districts,
provinces, counties, prefectures; never countries, never US states, never generated street
parts) go into `patterns/places/world_places.tsv` the same way.

Every value is folded as the detector reads text (`src/canon.rs`: Latin letters without their
accents, `Đ` as `D`, compatibility forms decomposed, so Hangul is read as its jamo) and put
in lower case, so a list entry is the word the lexicon looks up.

Safeguards, so jargon is not read as a name or a town:
- names that are English or clinical words (`patterns/words/`) or in `common_words.txt`, and
  towns that are also any of those or a listed first name or surname, are left out;
- Latin, Greek and Cyrillic names under three letters and towns under four are left out
  (`Al`, `Ed`, `Pe`); names in other scripts need two letters (`민준`, `太郎`), and a
  one-letter Han or Hangul surname (`王`, `김`) is kept because those scripts write the whole
  name as one run (`王秀英`), which the lexicon splits at a listed surname;
- multi-word names (`Ó Súilleabháin`, `van der Berg`) give their words of four letters or
  more, hyphenated ones their parts (`Jean-Pierre`).

The rows this script wrote before (count 1 in the name lists) are replaced, so a rerun with
the same Faker writes the same files; `world_places.tsv` is only appended to (the GeoNames rows
and the Faker rows share the kind `city`), so running it twice adds nothing.

Usage (Faker installed; 40.63.0 made the committed lists):
    python3 scripts/add-faker-lists.py          # rewrites the three files in place
"""
import importlib
import os
import pkgutil
import re
import unicodedata

ROOT = os.path.join(os.path.dirname(__file__), "..", "patterns")

# Person-provider attributes read: first or middle names into `first_names.tsv`, last names
# into `surnames.tsv` (a name that is both goes into both).
FIRST_ATTR = re.compile(r"^(first|middle)_(name|kana_name|romanized_name)s?(_|$)|^first_name_.*pairs$")
LAST_ATTR = re.compile(r"^last_(name|kana_name|romanized_name)s?(_|$)|^last_name_pairs$|_last_names$")

# Address-provider attributes that list real towns or regions. Left out on purpose: street
# names and their parts (`places` of pt_PT, `city_parts` of hu_HU), generated-name parts
# (`city_prefixes`, `city_suffixes`: `Port`, `-ville`), area words (`area_names` of bn_BD),
# countries (Safe Harbor keeps them) and abbreviations.
TOWN_ATTRS = {
    "cities", "city_names", "real_city_names", "municipalities", "communes", "concelhos",
    "freguesias", "localities", "towns", "amphoes", "tambons", "villages", "settlements",
    "districts", "metropolitan_cities", "boroughs", "bairros", "metro_manila_lgus",
    "province_lgus", "states", "regions", "provinces", "prefectures", "departments",
    "wilayas", "cantons", "counties", "distritos", "estados", "region_names",
    "region_republics", "region_krai", "region_oblast", "luzon_provinces",
    "visayas_provinces", "mindanao_provinces", "union_territories",
}
# US states are Safe Harbor's to keep; the US towns come from `build-place-list.py`.
US_LOCALES = {"en", "en_US"}

# `src/canon.rs`: Latin letters that do not decompose but have a plain reading.
FOLD_LETTERS = {"Đ": "D", "Ð": "D", "đ": "d", "ð": "d", "Ł": "L", "ł": "l", "Ø": "O", "ø": "o",
                "ß": "ss", "Æ": "AE", "æ": "ae", "Œ": "OE", "œ": "oe", "Þ": "Th", "þ": "th",
                "ı": "i", "Ħ": "H", "ħ": "h"}
INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff]")
DASH = re.compile("[\u2010-\u2015\u2212\ufe58\ufe63\uff0d\u2043]")


def fold(s):
    """The detector's reading of `s` (`src/canon.rs`), in lower case."""
    out = []
    for c in INVISIBLE.sub("", s):
        if c.isascii():
            out.append(c)
        elif c in FOLD_LETTERS:
            out.append(FOLD_LETTERS[c])
        else:
            d = COMBINING.sub("", unicodedata.normalize("NFKD", c))
            out.append(" " if d.isspace() else DASH.sub("-", d))
    return "".join(out).lower().replace("\u2019", "'")


def script_of(s):
    """`latin` (Latin, Greek, Cyrillic: scripts with short words that are jargon), `han`
    (Han, Hangul, kana: names written without spaces) or `other`."""
    for c in s:
        if not c.isalpha():
            continue
        name = unicodedata.name(c, "")
        if name.startswith(("LATIN", "GREEK", "CYRILLIC")):
            return "latin"
        if name.startswith(("CJK", "HANGUL", "HIRAGANA", "KATAKANA")):
            return "han"
        return "other"
    return "latin"


def strings(value):
    """Every string in a provider list: entries, dictionary keys and values, tuple items."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from strings(k)
            yield from strings(v)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for v in value:
            yield from strings(v)


def providers(kind):
    pkg = importlib.import_module(f"faker.providers.{kind}")
    for m in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        if m.ispkg:
            yield m.name, importlib.import_module(f"faker.providers.{kind}.{m.name}").Provider


def name_forms(raw, surname):
    """The list entries of one provider name (none, one, or the parts of a hyphenated one)."""
    s = unicodedata.normalize("NFC", raw.strip())
    if " " in s:
        # `Ó Súilleabháin`, `van der Berg`, `de la Cruz`: the lexicon reads one word at a
        # time, so the words of four letters or more go in; particles and initials do not.
        return [fold(w) for w in re.split(r"[ -]", s)
                if len(w) >= 4 and not any(c.isdigit() for c in w) and "." not in w]
    out = []
    for part in s.split("-"):
        script = script_of(part)
        shortest = {"latin": 3, "han": 1 if surname else 2, "other": 2}[script]
        if len(part) >= shortest and not any(c.isdigit() for c in part):
            out.append(fold(part))
    return out


def provider_names():
    first, last = set(), set()
    for _, p in providers("person"):
        for attr in sorted(vars(p)):
            to_first, to_last = FIRST_ATTR.search(attr), LAST_ATTR.search(attr)
            if not (to_first or to_last):
                continue
            for raw in strings(getattr(p, attr)):
                for n in name_forms(raw, surname=bool(to_last)):
                    (last if to_last else first).add(n)
    return first, last


def town_forms(raw):
    s = re.sub(r"\([^)]*\)", " ", unicodedata.normalize("NFC", raw))
    out = []
    for part in re.split(r" / |,| - ", s):
        part = re.sub(r"\s+", " ", fold(part)).strip()
        shortest = 4 if script_of(part) == "latin" else 2
        if len(part) >= shortest and not any(c.isdigit() for c in part):
            out.append(part)
    return out


def provider_towns():
    out = set()
    for loc, p in providers("address"):
        if loc in US_LOCALES:
            continue
        for attr in sorted(a for a in vars(p) if a in TOWN_ATTRS):
            for raw in strings(getattr(p, attr)):
                # Codes and abbreviations (`15101`, `TA`, `AC`) are not town names.
                if raw.isupper() and len(raw) <= 3:
                    continue
                out.update(town_forms(raw))
    return out


def words(path):
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        return {l.strip().lower() for l in f if l.strip() and not l.startswith("#")}


def read_rows(fname):
    with open(os.path.join(ROOT, fname), encoding="utf-8") as f:
        return [l.rstrip("\n") for l in f if l.strip()]


def write_rows(fname, rows):
    with open(os.path.join(ROOT, fname), "w", encoding="utf-8") as f:
        for l in rows:
            f.write(l + "\n")


def merge_names(fname, names, skip):
    # Rows with count 1 are this script's: replaced, so the list is the same whatever ran before.
    kept = [l for l in read_rows(fname) if l.split("\t")[1:2] != ["1"]]
    have = {l.split("\t")[0] for l in kept}
    new = sorted(names - have - skip)
    write_rows(fname, kept + [f"{n}\t1" for n in new])
    print(f"{fname}: {len(kept)} federal rows, +{len(new)} from Faker")
    return have | set(new)


def merge_places(fname, towns, skip):
    lines = read_rows(fname)
    have = {l.split("\t")[0] for l in lines}
    new = sorted(towns - have - skip)
    write_rows(fname, lines + [f"{n}\tcity" for n in new])
    print(f"{fname}: +{len(new)}")


def main():
    skip = words("words/english.txt") | words("words/clinical.txt") | words("names/common_words.txt")
    first, last = provider_names()
    first = merge_names("names/first_names.tsv", first, skip)
    last = merge_names("names/surnames.tsv", last, skip)
    us = {l.split("\t")[0] for l in read_rows("places/us_places.tsv")}
    merge_places("places/world_places.tsv", provider_towns(), skip | first | last | us)


if __name__ == "__main__":
    main()
