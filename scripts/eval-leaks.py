#!/usr/bin/env python3
"""Development aid: list gold PHI strings that survive in `phigate scan --jsonl` output, with
the output context around them. Prints surface strings: synthetic or development corpora only.

Usage: eval-leaks.py CORPUS.jsonl [--type T] [--n N] -- COMMAND...
"""
import collections, json, re, subprocess, sys

def norm(s):
    return re.sub(r"\s+", " ", s).strip().lower()

argv = sys.argv[1:]
k = argv.index("--")
opts, cmd = argv[:k], argv[k + 1:]
want = opts[opts.index("--type") + 1] if "--type" in opts else None
n = int(opts[opts.index("--n") + 1]) if "--n" in opts else 40
docs = [json.loads(l) for l in open(opts[0]) if l.strip()]
CT = {"text": "text/plain", "fhir-json": "application/fhir+json", "json": "application/json"}
payload = "".join(json.dumps({"id": d["id"], "text": d["text"], "content_type": CT.get(d.get("format", "text"))}) + "\n" for d in docs)
outs = {o["id"]: o for o in map(json.loads, subprocess.run(cmd, input=payload.encode(), capture_output=True).stdout.decode().splitlines())}
shown = 0
for d in docs:
    out = outs.get(d["id"], {}).get("text", "")
    o = norm(out)
    for g in d["spans"]:
        surf = norm(d["text"][g["start"]:g["end"]])
        if len(surf) < 2 or (want and g["type"] != want) or surf not in o:
            continue
        i = o.find(surf)
        print(f'{g["type"]:14} {d.get("format","text"):9} {surf!r:40} ...{o[max(0,i-50):i+len(surf)+30]!r}')
        shown += 1
        if shown >= n:
            sys.exit(0)
