#!/usr/bin/env python3
"""Non-PHI content preserved: the share of a labelled corpus's characters outside every
gold span that also lie outside every detected span (what a reader of the de-identified
text still has). Whitespace is not counted. Prints the figure and the most frequent words
lost, so run it only on synthetic corpora.

Usage: preserved.py CORPUS.jsonl [--top N] -- COMMAND...   (COMMAND: phigate scan --jsonl)
Example:
    phigate synth --seed 99 --count 500 --kind text > /tmp/t.jsonl
    python3 scripts/preserved.py /tmp/t.jsonl -- target/debug/phigate scan --jsonl
"""
import collections
import json
import re
import subprocess
import sys


def main():
    argv = sys.argv[1:]
    k = argv.index("--")
    opts, cmd = argv[:k], argv[k + 1:]
    top = int(opts[opts.index("--top") + 1]) if "--top" in opts else 20
    docs = [json.loads(l) for l in open(opts[0]) if l.strip()]
    payload = "".join(json.dumps({"id": d["id"], "text": d["text"]}) + "\n" for d in docs)
    out = subprocess.run(cmd, input=payload.encode(), capture_output=True, check=True).stdout
    outs = {o["id"]: o for o in map(json.loads, out.decode().splitlines())}
    total = kept = 0
    lost = collections.Counter()
    for d in docs:
        b = d["text"].encode()
        gold = bytearray(len(b))
        # Gold offsets are in characters; detections are in UTF-8 bytes.
        char_to_byte = [len(d["text"][:i].encode()) for i in range(len(d["text"]) + 1)]
        for s in d["spans"]:
            for i in range(char_to_byte[s["start"]], char_to_byte[s["end"]]):
                gold[i] = 1
        found = bytearray(len(b))
        for s in outs.get(d["id"], {}).get("spans", []):
            for i in range(s["start"], s["end"]):
                found[i] = 1
        for i, c in enumerate(b):
            if gold[i] or chr(c).isspace():
                continue
            total += 1
            if found[i]:
                continue
            kept += 1
        for s in outs.get(d["id"], {}).get("spans", []):
            if not any(gold[s["start"]:s["end"]]):
                for w in re.findall(r"\w+", b[s["start"]:s["end"]].decode(errors="replace")):
                    lost[w] += 1
    print(json.dumps({"docs": len(docs), "non_phi_chars": total, "kept": kept,
                      "preserved": round(kept / total, 5) if total else None}))
    print("most lost words:", ", ".join(f"{w} {n}" for w, n in lost.most_common(top)))


if __name__ == "__main__":
    main()
