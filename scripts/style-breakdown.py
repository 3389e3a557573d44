#!/usr/bin/env python3
"""Leak recall of names and places by the text's style, script and class (issue 13).

Why: the tagger's span gates want evidence a capital usually gives; in all-capital or
all-lower-case text, and in scripts without case, that evidence is missing. A corpus total
hides those styles, so this prints them apart.

Usage:
    python3 scripts/note_corpus.py --split holdout --seed 41 --count 600 > /tmp/hold.jsonl
    python3 scripts/style-breakdown.py /tmp/hold.jsonl -- target/release/phigate scan --jsonl

A gold NAME or LOCATION span leaks when its surface string still occurs in the output
(case-insensitive, whitespace folded), the rule of `../shared/eval/score.py`. A document's
style is "capitals" (no lower-case letter), "lower" (no capital) or "mixed"; a span's script
is "non-Latin" when it holds a letter beyond Latin Extended (U+024F), else "Latin".
Synthetic corpora only (a development aid; it prints no surface strings unless --show N).
"""
import argparse
import collections
import json
import re
import sys

from corpus_common import scan_corpus

CLASSES = ("NAME", "LOCATION")


def norm(s):
    return re.sub(r"\s+", " ", s).strip().lower()


def style(text):
    letters = [c for c in text if c.isalpha() and c.lower() != c.upper()]
    if not any(c.islower() for c in letters):
        return "capitals"
    if not any(c.isupper() for c in letters):
        return "lower"
    return "mixed"


def script(surface):
    return "non-Latin" if any(c.isalpha() and ord(c) > 0x24F for c in surface) else "Latin"


def main():
    argv = sys.argv[1:]
    if "--" not in argv:
        sys.exit("usage: style-breakdown.py CORPUS [--show N] -- COMMAND...")
    cut = argv.index("--")
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("--show", type=int, default=0, help="print N leaked examples")
    a = ap.parse_args(argv[:cut])
    cmd = argv[cut + 1:]
    docs, outs = scan_corpus(a.corpus, cmd)
    total, leaked = collections.Counter(), collections.Counter()
    examples = []
    for d in docs:
        out = norm(outs.get(d["id"], ""))
        st = style(d["text"])
        for g in d["spans"]:
            if g["type"] not in CLASSES:
                continue
            surf = d["text"][g["start"]:g["end"]]
            keys = [("all",), ("style", st), ("script", script(surf)), ("class", g["type"]),
                    ("style x class", st, g["type"]), ("style x script", st, script(surf))]
            left = norm(surf) in out
            for k in keys:
                total[k] += 1
                leaked[k] += left
            if left:
                examples.append((st, g["type"], surf))
    for k in sorted(total):
        n, m = total[k], leaked[k]
        print(f"{' / '.join(k):34} {n - m:5} of {n:5} removed (leak recall {(n - m) / n:.3f})")
    for ex in examples[:a.show]:
        print("  ", ex)


if __name__ == "__main__":
    main()
