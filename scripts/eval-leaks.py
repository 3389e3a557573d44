#!/usr/bin/env python3
"""Development aid: list gold PHI strings that survive in `phigate scan --jsonl` output, with
the output context around them. Prints surface strings: synthetic or development corpora only.

Usage: eval-leaks.py CORPUS.jsonl [--type T] [--n N] [--safe-harbor] -- COMMAND...

--safe-harbor lists only what the scorer's --safe-harbor counts (`../shared/eval/score.py`'s
own rule is imported, so the two never disagree): states, countries, bare years and the
like are not listed.
"""
import collections, json, os, re, subprocess, sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "eval"))

def norm(s):
    return re.sub(r"\s+", " ", s).strip().lower()

argv = sys.argv[1:]
k = argv.index("--")
opts, cmd = argv[:k], argv[k + 1:]
want = opts[opts.index("--type") + 1] if "--type" in opts else None
n = int(opts[opts.index("--n") + 1]) if "--n" in opts else 40
if "--safe-harbor" in opts:
    from score import safe_harbor_requires
else:
    def safe_harbor_requires(typ, surface):
        return True
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
        if not safe_harbor_requires(g["type"], d["text"][g["start"]:g["end"]]):
            continue
        i = o.find(surf)
        print(f'{g["type"]:14} {d.get("format","text"):9} {surf!r:40} ...{o[max(0,i-50):i+len(surf)+30]!r}')
        shown += 1
        if shown >= n:
            sys.exit(0)
