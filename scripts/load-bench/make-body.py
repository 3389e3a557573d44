#!/usr/bin/env python3
"""Builds a synthetic FHIR R4 webhook body of exactly SIZE bytes for scripts/load-bench.sh.

usage: make-body.py SYNTH.jsonl SIZE > body.json

SYNTH.jsonl is `phigate synth --kind fhir` output (labelled synthetic documents; their
"text" field is a FHIR Bundle). The first Bundle that has a Patient and fits is the base;
Observation entries (with their notes, which carry fake names, phones and dates) from the
other Bundles are re-pointed at that Patient and appended until the body is nearly SIZE
bytes, then one last Observation note is padded with clinical filler to hit SIZE exactly.
Everything here is synthetic: never feed this real data.
"""

import copy
import json
import sys

FILLER = (
    " Tolerated the session well; grip and pinch strength improving; continue the home"
    " exercise programme three times a week and review splint fit next visit."
)


def dump(doc):
    return json.dumps(doc, separators=(",", ":"), ensure_ascii=True)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    path, size = sys.argv[1], int(sys.argv[2])
    bundles = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line:
                bundles.append(json.loads(json.loads(line)["text"]))
    if not bundles:
        sys.exit("make-body.py: no synthetic documents in " + path)

    # Observations with a note (free text with PHI) are the padding material.
    observations = [
        e
        for b in bundles
        for e in b.get("entry", [])
        if e.get("resource", {}).get("resourceType") == "Observation"
        and e["resource"].get("note")
    ]
    if not observations:
        sys.exit("make-body.py: no Observation with a note in the synthetic documents")

    # The last entry: an Observation whose note is padded to make the body exactly SIZE.
    last = copy.deepcopy(observations[0])
    last["fullUrl"] = "urn:uuid:00000000-0000-4000-8000-999999999999"
    last["resource"]["id"] = "obs-bench-last"
    last["resource"]["note"] = [{"text": last["resource"]["note"][0]["text"].rstrip()}]

    def with_last(b):
        b = copy.deepcopy(b)
        b["entry"].append(last)
        return b

    # Base: the first bundle with a Patient that leaves room for the last entry.
    base = None
    for b in bundles:
        types = [e.get("resource", {}).get("resourceType") for e in b.get("entry", [])]
        if "Patient" in types and len(dump(with_last(b))) <= size:
            base = copy.deepcopy(b)
            break
    if base is None:
        sys.exit("make-body.py: %d bytes is too small for a Bundle with a Patient" % size)
    patient = next(e["resource"] for e in base["entry"] if e["resource"]["resourceType"] == "Patient")
    ref = "Patient/" + patient["id"]
    last["resource"]["subject"] = {"reference": ref}

    n = 0
    while True:
        obs = copy.deepcopy(observations[n % len(observations)])
        n += 1
        obs["fullUrl"] = "urn:uuid:00000000-0000-4000-8000-%012d" % n
        obs["resource"]["id"] = "obs-bench-%d" % n
        obs["resource"]["subject"] = {"reference": ref}
        trial = copy.deepcopy(base)
        trial["entry"].append(obs)
        if len(dump(with_last(trial))) > size:
            break
        base = trial

    base = with_last(base)
    missing = size - len(dump(base))
    pad = (FILLER * (missing // len(FILLER) + 1))[:missing]
    base["entry"][-1]["resource"]["note"][0]["text"] += pad
    out = dump(base)
    if len(out.encode("utf-8")) != size:
        sys.exit("make-body.py: could not hit %d bytes (got %d)" % (size, len(out)))
    json.loads(out)
    sys.stdout.write(out)


if __name__ == "__main__":
    main()
