#!/usr/bin/env python3
"""Development aid: list false positives and missed gold spans of `phigate scan --jsonl`
on a labelled corpus (the evaluation format). Prints surface strings, so run it only on
synthetic or development corpora, never on real data.

Usage: eval-errors.py CORPUS.jsonl [--fp N] [--fn N] [--safe-harbor] -- COMMAND...

--safe-harbor lists as missed only what HIPAA Safe Harbor requires removing, the same
filter as the scorer's flag (`score.py --safe-harbor`): no job titles, nationalities or
organisations, no ages under 90, bare years or weekdays, no countries or US states (read
from `geo_allowed.json` beside the corpus, as the scorer reads it beside itself). False
positives are counted against every gold span, as the scorer counts precision.
"""
import collections, json, os, re, subprocess, sys

NOT_SAFE_HARBOR = {"TITLE", "NRP", "ORGANIZATION"}
WEEKDAYS = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}


def allowed_geo(corpus):
    """Countries and US states the scorer leaves out under Safe Harbor."""
    path = os.path.join(os.path.dirname(os.path.abspath(corpus)), "geo_allowed.json")
    if not os.path.exists(path):
        return set()
    g = json.load(open(path))
    return {x.lower() for x in g["countries"] + g["us_states"] + g["us_state_abbr"]}


def safe_harbor_requires(typ, surface, geo):
    """Whether Safe Harbor requires removing a gold span (the scorer's rule)."""
    s = re.sub(r"\s+", " ", surface).strip().lower()
    if len(s) < 2 or typ in NOT_SAFE_HARBOR:
        return False
    if typ == "AGE":
        m = re.search(r"\d+", s)
        return bool(m) and int(m.group()) >= 90
    if typ == "DATE" and (re.fullmatch(r"\d{4}", s) or s in WEEKDAYS):
        return False
    return not (typ == "LOCATION" and s in geo)


def main():
    argv = sys.argv[1:]
    k = argv.index("--")
    opts, cmd = argv[:k], argv[k + 1:]
    corpus = opts[0]
    nfp = int(opts[opts.index("--fp") + 1]) if "--fp" in opts else 60
    nfn = int(opts[opts.index("--fn") + 1]) if "--fn" in opts else 60
    docs = [json.loads(l) for l in open(corpus) if l.strip()]
    safe_harbor = "--safe-harbor" in opts
    geo = allowed_geo(corpus) if safe_harbor else set()
    payload = "".join(json.dumps({"id": d["id"], "text": d["text"]}) + "\n" for d in docs)
    out = subprocess.run(cmd, input=payload.encode(), capture_output=True).stdout.decode()
    outs = {o["id"]: o for o in map(json.loads, out.splitlines())}
    fp, fn = collections.Counter(), collections.Counter()
    for d in docs:
        o = outs.get(d["id"], {})
        t = d["text"]
        b = t.encode()
        preds = [(len(b[:s["start"]].decode(errors="ignore")), len(b[:s["end"]].decode(errors="ignore")), s["type"]) for s in o.get("spans", [])]
        for a, z, ty in preds:
            if not any(a < g["end"] and g["start"] < z for g in d["spans"]):
                ctx = t[max(0, a - 25):a] + "[[" + t[a:z] + "]]" + t[z:z + 25]
                fp[(ty, ctx.replace("\n", " "))] += 1
        for g in d["spans"]:
            if safe_harbor and not safe_harbor_requires(g["type"], t[g["start"]:g["end"]], geo):
                continue
            if not any(a < g["end"] and g["start"] < z for a, z, _ in preds):
                a, z = g["start"], g["end"]
                ctx = t[max(0, a - 25):a] + "[[" + t[a:z] + "]]" + t[z:z + 25]
                fn[(g["type"], ctx.replace("\n", " "))] += 1
    print(f"FP {sum(fp.values())}  FN {sum(fn.values())}")
    print("--- false positives")
    for (ty, c), n in fp.most_common(nfp):
        print(f"{n:3} {ty:14} {c}")
    print("--- missed")
    for (ty, c), n in fn.most_common(nfn):
        print(f"{n:3} {ty:14} {c}")

main()
