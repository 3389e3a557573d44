#!/usr/bin/env bash
# Whether two phigate builds de-identify every corpus byte for byte alike: for a change that
# must not change output (a speed refactor, issue 19). Runs `scan --jsonl` of both binaries
# over each corpus (the measure-recall and score-general corpora, the PhysioNet development
# corpus, and synthetic FHIR and JSON webhooks made here) and compares the outputs' digests.
#
#   scripts/output-identity.sh NEW_BINARY BASE_BINARY
#
# Run scripts/measure-recall.sh and scripts/score-general.sh once first: their corpora are
# read from $MEASURE_DIR (default /tmp/phigate-measure) and $GENERAL_DIR (default /tmp/g).
# Exit status 1 and the names of the corpora that differ when any does.
set -euo pipefail
cd "$(dirname "$0")/.."
new=$1 base=$2
measure=${MEASURE_DIR:-/tmp/phigate-measure}
general=${GENERAL_DIR:-/tmp/g}
key=$measure/scoring.key
[ -f "$key" ] || { echo "no $key: run scripts/measure-recall.sh first" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$base" synth --seed 5 --count 200 --kind fhir >"$work/synth-fhir.jsonl"
"$base" synth --seed 5 --count 300 --kind json >"$work/synth-json.jsonl"
status=0
for corpus in "$measure"/*.jsonl "$general"/*.jsonl ../shared/eval/*.jsonl "$work"/synth-*.jsonl; do
    [ -s "$corpus" ] || continue
    python3 - "$corpus" >"$work/in.jsonl" <<'PY'
import json, sys
types = {"text": "text/plain", "fhir-json": "application/fhir+json", "json": "application/json"}
for line in open(sys.argv[1]):
    if line.strip():
        d = json.loads(line)
        ct = d.get("content_type") or types.get(d.get("format", "text"), "text/plain")
        print(json.dumps({"id": d["id"], "text": d["text"], "content_type": ct}))
PY
    a=$("$base" scan --jsonl --key-file "$key" <"$work/in.jsonl" | sha256sum)
    b=$("$new" scan --jsonl --key-file "$key" <"$work/in.jsonl" | sha256sum)
    if [ "$a" != "$b" ]; then
        echo "differs: $corpus"
        status=1
    fi
done
[ "$status" = 0 ] && echo "identical on every corpus"
exit "$status"
