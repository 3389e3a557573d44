#!/usr/bin/env python3
"""Builds patterns/words/rare.txt: the lower-case, letters-only words of a larger SCOWL size
(Debian's wamerican-huge by default) that patterns/words/english.txt and clinical.txt do not
hold and that no name or place list holds (patterns/names/*, patterns/places/*: every word
of a place's name), so a listed name keeps its name evidence. See patterns/words/SOURCES.md.

    apt-get download wamerican-huge && dpkg-deb -x wamerican-huge_*.deb /tmp/x-wamerican-huge
    python3 scripts/build-rare-words.py \\
        /tmp/x-wamerican-huge/usr/share/dict/american-english-huge > patterns/words/rare.txt
"""
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "patterns"


def lines(name):
    return (ROOT / name).read_text(encoding="utf-8").splitlines()


def entries(name):
    """The first column of a list, lower case, comments and blank lines left out."""
    for line in lines(name):
        if line.strip() and not line.startswith("#"):
            yield line.split("\t")[0].strip().lower()


def main():
    known = set(lines("words/english.txt")) | set(entries("words/clinical.txt"))
    listed = set(entries("names/first_names.tsv")) | set(entries("names/surnames.tsv"))
    listed |= set(entries("names/common_words.txt"))
    for line in lines("names/nicknames.csv")[1:]:
        parts = line.lower().split(",")
        if len(parts) == 3:
            listed |= {parts[0], parts[2]}
    for name in ("places/us_places.tsv", "places/world_places.tsv", "places/not-phi-regions.txt"):
        for place in entries(name):
            listed.add(place)
            listed |= set(re.split(r"[ \-']", place))
    words = Path(sys.argv[1]).read_text(encoding="utf-8").splitlines()
    # Proper nouns are capitalised in SCOWL: lower-case entries only.
    lower = {w for w in words if w and all(c.isalpha() and c.islower() for c in w)}
    for w in sorted(lower - known - listed):
        # The lexicon holds words of at most 40 bytes (`table::MAX_WORD`); a longer one
        # could never be looked up.
        if len(w.encode("utf-8")) <= 40:
            print(w)


if __name__ == "__main__":
    main()
