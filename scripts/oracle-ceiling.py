#!/usr/bin/env python3
"""The best leak_recall any de-identifier can reach on a labelled corpus under score.py's
rule (a gold string "leaks" if it occurs anywhere in the output, case-insensitive): replace
exactly the gold spans with a neutral marker and score that. Short gold strings such as
"gh", "st" or "92" also occur inside ordinary words and numbers, so even this oracle leaks.

Usage: oracle-ceiling.py [--safe-harbor] CORPUS.jsonl
"""
import json, os, sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "shared", "eval"))
argv = sys.argv[1:]
sh = "--safe-harbor" in argv
corpus = [a for a in argv if not a.startswith("--")][0]
sys.argv = ["score.py"]
import score  # noqa: E402  (the shared scorer's own helpers)

gold = leaked = 0
for line in open(corpus, encoding="utf-8"):
    d = json.loads(line)
    t, out, pos = d["text"], [], 0
    for s in sorted(d["spans"], key=lambda s: s["start"]):
        out.append(t[pos:s["start"]])
        out.append("[PHI]")
        pos = max(pos, s["end"])
    out.append(t[pos:])
    o = score.norm("".join(out))
    for g in d["spans"]:
        surf = score.norm(t[g["start"]:g["end"]])
        if len(surf) < 2 or (sh and not score.safe_harbor_requires(g["type"], surf)):
            continue
        gold += 1
        leaked += surf in o
print(json.dumps({"gold_spans": gold, "oracle_leaks": leaked, "oracle_leak_recall": round(1 - leaked / gold, 4)}))
