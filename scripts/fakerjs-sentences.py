#!/usr/bin/env python3
"""Names, towns and phone numbers of `@faker-js/faker` locales in sentences (issue 13, `locales`).

A corpus for the lists `add-fakerjs-lists.py` builds and the national phone rules, from a
generator other than Python Faker: values drawn (seeded) from the locale definitions of the
npm package `@faker-js/faker` (MIT), in this project's own general-domain sentences, labelled
for `../shared/eval/score.py` and for the per-locale breakdown below:
    {"id", "source", "format": "text", "text", "spans": [{"start", "end", "type", "label", "locale"}]}
Labels: first, last, city, phone (`phone` drawn from the locale's phone and cell formats, `#`
any digit, `!` a digit from 2 to 9; half of the phone sentences have no cue word).

Splits, so a figure can be reported that nothing was tuned on:
    --split dev      the locales the brief names (tr sv hu nb_NO de_CH de_AT es da pl cs_CZ):
                     the lists are built from every locale, so for names and towns this split
                     measures coverage, not generalisation; phone rules were written against it
    --split holdout  the other European locales (fi fr_CH it nl pt_PT ro sk hr el uk de fr ...):
                     never tune a rule on its misses
Python Faker's `scripts/locale-sentences.py` is the held-out check for the names and towns.

Usage:
    (cd /tmp && npm pack @faker-js/faker@9.9.0)
    python3 scripts/fakerjs-sentences.py --tgz /tmp/faker-js-faker-9.9.0.tgz --split dev > /tmp/fj.jsonl
    python3 scripts/fakerjs-sentences.py --breakdown /tmp/fj.jsonl -- target/release/phigate scan --jsonl

Synthetic data only: every value is generated.
"""
import argparse
import collections
import json
import os
import random
import re
import subprocess
import sys
import tarfile
import tempfile

from corpus_common import join, scan_corpus

DEV = ["tr", "sv", "hu", "nb_NO", "de_CH", "de_AT", "es", "da", "pl", "cs_CZ"]
HOLDOUT = ["fi", "fr_CH", "it", "nl", "nl_BE", "pt_PT", "ro", "sk", "hr", "el", "uk", "de", "fr", "lv"]

DUMP_JS = r"""
const { allLocales } = require(process.argv[1]);
const flat = (v) => v == null ? [] : typeof v === 'string' ? [v]
  : Array.isArray(v) ? v.flatMap(flat) : Object.values(v).flatMap(flat);
const out = {};
for (const loc of process.argv.slice(2)) {
  const d = allLocales[loc], p = d.person || {}, l = d.location || {};
  const bareCity = JSON.stringify(l.city_pattern || []) === '["{{location.city_name}}"]';
  const cells = flat((d.cell_phone || {}).formats).filter((f) => !f.includes('{{'));
  out[loc] = {
    first: flat(p.first_name), last: flat(p.last_name),
    city: bareCity ? flat(l.city_name) : [],
    phone: flat((d.phone_number || {}).format).concat(cells),
  };
}
process.stdout.write(JSON.stringify(out));
"""

NAME_TEMPLATES = [
    "{first} {last} booked the table for eight.",
    "The parcel was signed for by {first} {last}.",
    "Thanks to {first} for the flowers; {last} sends regards.",
    "Minutes taken by {last}, {first}.",
]
CITY_TEMPLATES = [
    "{first} moved to {city} last spring.",
    "The conference this year is in {city}.",
    "Born in {city}, {first} {last} now teaches music.",
]
PHONE_CUED = [
    "Call {phone} after six.",
    "Tel. {phone}",
    "Her mobile is {phone}.",
    "You can reach {first} on {phone}.",
]
PHONE_BARE = [
    "{first} {last}, {phone}",
    "{first} left {phone} on the form.",
    "Ring-back: {first} ({phone}).",
    "Reservation for {last} - {phone} - two nights.",
]


def dump(tgz, locales):
    with tempfile.TemporaryDirectory() as tmp:
        with tarfile.open(tgz) as t:
            t.extractall(tmp, filter="data")
        entry = os.path.join(tmp, "package", "dist", "index.cjs")
        raw = subprocess.run(["node", "-e", DUMP_JS, entry, *locales], check=True,
                             capture_output=True).stdout
    return json.loads(raw)


def fill(fmt, rng):
    return re.sub(r"[#!]", lambda m: str(rng.randint(0 if m.group() == "#" else 2, 9)), fmt)


def render(template, vals, loc):
    text, spans, pos = "", [], 0
    for m in re.finditer(r"\{(\w+)\}", template):
        text += template[pos:m.start()]
        v = vals[m.group(1)]
        typ = {"first": "NAME", "last": "NAME", "city": "LOCATION", "phone": "PHONE"}[m.group(1)]
        spans.append({"start": len(text), "end": len(text) + len(v), "type": typ,
                      "label": m.group(1), "locale": loc})
        text += v
        pos = m.end()
    return text + template[pos:], spans


def generate(tgz, split, seed, count):
    locales = DEV if split == "dev" else HOLDOUT
    data = dump(tgz, locales)
    rng = random.Random(f"{seed}-{split}")
    for i in range(count):
        loc = locales[i % len(locales)]
        d = data[loc]
        pieces = []
        for _ in range(2):
            pool = list(NAME_TEMPLATES)
            if d["city"]:
                pool += CITY_TEMPLATES
            if d["phone"]:
                pool += PHONE_CUED + PHONE_BARE
            tpl = rng.choice(pool)
            vals = {"first": rng.choice(d["first"]), "last": rng.choice(d["last"]),
                    "city": rng.choice(d["city"]) if d["city"] else "",
                    "phone": fill(rng.choice(d["phone"]), rng) if d["phone"] else ""}
            pieces.append(render(tpl, vals, loc))
        text, spans = join(pieces)
        rec = {"id": f"fj-{split}-{seed}-{i}", "source": "fakerjs-sentences", "format": "text",
               "text": text, "spans": spans}
        sys.stdout.write(json.dumps(rec, ensure_ascii=False) + "\n")


def breakdown(path, cmd, show):
    """Share of values of each label and locale of which a word (three letters or more, or
    four digits or more) survives in the output."""
    docs, outs = scan_corpus(path, cmd)
    total, leaked = collections.Counter(), collections.Counter()
    examples = []
    for d in docs:
        out = re.sub(r"\s+", " ", outs.get(d["id"], "")).lower()
        for g in d["spans"]:
            surf = d["text"][g["start"]:g["end"]].lower()
            parts = [w for w in re.findall(r"\w+", surf) if len(w) >= 3 and not w.isdigit()]
            parts += [w for w in re.findall(r"\d+", surf) if len(w) >= 4]
            left = [w for w in parts if re.search(r"(?<!\w)" + re.escape(w) + r"(?!\w)", out)]
            key = (g["label"], g["locale"])
            total[key] += 1
            total[(g["label"], "*")] += 1
            if left:
                leaked[key] += 1
                leaked[(g["label"], "*")] += 1
                examples.append((g["label"], g["locale"], surf))
    labels = sorted({k[0] for k in total})
    locs = sorted({k[1] for k in total if k[1] != "*"}) + ["*"]
    print("locale  " + " ".join(f"{l:>14}" for l in labels))
    for loc in locs:
        cells = []
        for l in labels:
            n = total[(l, loc)]
            cells.append(f"{leaked[(l, loc)]:>4}/{n:<4} {leaked[(l, loc)] / n:.2f}" if n else " " * 14)
        print(f"{loc:7} " + " ".join(f"{c:>14}" for c in cells))
    for ex in examples[:show]:
        print("  ", ex)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tgz")
    ap.add_argument("--split", choices=["dev", "holdout"], default="dev")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--breakdown")
    ap.add_argument("--show", type=int, default=0)
    ap.add_argument("cmd", nargs="*")
    a = ap.parse_args()
    if a.breakdown:
        breakdown(a.breakdown, a.cmd, a.show)
    else:
        generate(a.tgz, a.split, a.seed, a.count)


if __name__ == "__main__":
    main()
