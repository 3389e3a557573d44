#!/usr/bin/env python3
"""Development aid (stop 49): a labelled corpus whose gold PHI is replaced by fresh values of
the same shape, contexts kept. Run on the PhysioNet tune half, it asks whether the detector
reads the tune half's contexts or only its strings: the check half has the same kinds of
sentences with other surrogates, and its misses may not be read.

    python3 scripts/resubstitute.py /tmp/phigate-measure/physio-tune.jsonl SEED > OUT.jsonl

Names become Faker en_US first or last names, in the case the gold string was written in;
place words become city names of other locales (generic words of a facility's name such as
`Memorial`, `St`, `of`, and acronyms of four letters or fewer, stay); dates keep their shape
with other numbers (month 1-12, day 1-28, four-digit years 1930-2020); phones and other
numbers get other digits. Write OUT outside the repository (the corpus is GPL-2.0).
"""
import json
import random
import re
import sys

from faker import Faker

GENERIC = set(
    "of the university hospital memorial general medical center st saint holy cross sacred "
    "heart mary square river harbor bay health vista new north south east west county good "
    "sam".split()
)


def main():
    src, seed = sys.argv[1], int(sys.argv[2])
    rng = random.Random(seed)
    Faker.seed(seed)
    fk = Faker(["en_US"])
    firsts = {fk.first_name().lower() for _ in range(3000)}
    world = Faker(["de_DE", "fr_FR", "it_IT", "es_ES", "en_GB"])
    cities = [c for c in (world.city() for _ in range(2000)) if re.fullmatch(r"[A-Za-z]+", c)]

    def case_like(orig, new):
        if orig.isupper():
            return new.upper()
        if orig.islower():
            return new.lower()
        return new

    def word(w, typ):
        if typ == "LOCATION":
            if w.lower() in GENERIC or (w.isupper() and len(w) <= 4):
                return w
            return case_like(w, rng.choice(cities))
        if w.lower() in firsts or rng.random() < 0.3:
            return case_like(w, fk.first_name())
        return case_like(w, fk.last_name())

    def numbers(s, typ):
        parts = re.split(r"(\d+)", s)
        if typ != "DATE":
            return re.sub(r"\d", lambda _: str(rng.randint(0, 9)), s)
        for i, p in enumerate(parts):
            if not p.isdigit():
                continue
            n, several = int(p), len(parts) > 3
            if len(p) == 4:
                p = str(rng.randint(1930, 2020))
            elif i == 1 and n <= 12 and several:
                p = str(rng.randint(1, 12)).zfill(len(p))
            elif n <= 31 and several:
                p = str(rng.randint(1, 28)).zfill(len(p))
            else:
                p = "".join(str(rng.randint(0, 9)) for _ in p)
            parts[i] = p
        return "".join(parts)

    def substitute(surface, typ):
        if typ in ("NAME", "LOCATION"):
            return re.sub(r"[A-Za-z'-]+", lambda m: word(m.group(0), typ), surface)
        return numbers(surface, typ)

    for line in open(src, encoding="utf-8"):
        if not line.strip():
            continue
        d = json.loads(line)
        t, pos, out, spans = d["text"], 0, [], []
        for g in sorted(d["spans"], key=lambda g: g["start"]):
            out.append(t[pos:g["start"]])
            new = substitute(t[g["start"]:g["end"]], g["type"])
            at = sum(map(len, out))
            out.append(new)
            spans.append(dict(g, start=at, end=at + len(new)))
            pos = g["end"]
        out.append(t[pos:])
        d["text"], d["spans"] = "".join(out), spans
        print(json.dumps(d))


main()
