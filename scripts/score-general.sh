#!/usr/bin/env bash
# The general-domain and notes-v3 corpora of issue 13, each scored with a fixed key: one
# table row each (leak recall, span recall, precision). Corpora are generated once into
# $GENERAL_DIR (default /tmp/g) and reused; needs python3 with Faker and Mimesis
# (`pip install faker mimesis`). Held-out corpora (general v2, v3 holdout seeds 22/23, v7
# seed 81, v8 seed 91, notes v3 holdout): read their totals only, never their leaks.
#
#   scripts/score-general.sh [PHIGATE_BINARY]      # default target/release/phigate
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/release/phigate}
dir=${GENERAL_DIR:-/tmp/g}
key=${MEASURE_DIR:-/tmp/phigate-measure}/scoring.key
mkdir -p "$dir" "$(dirname "$key")"
# The same fixed scoring key as scripts/measure-recall.sh; never a deployment key.
[ -f "$key" ] || printf '%s\n' "$(printf '5c0e%.0s' $(seq 16))" >"$key"
g() { # name, command...
  local out="$dir/$1.jsonl"
  shift
  [ -s "$out" ] || "$@" >"$out"
}
g general-dev11 python3 scripts/general_dev.py --seed 11
g general-dev12 python3 scripts/general_dev.py --seed 12
g general-v2 python3 scripts/general_v2.py --seed 13
g general-v3-dev python3 scripts/general_v3.py --split dev --seed 21
g general-v3-holdout python3 scripts/general_v3.py --split holdout --seed 22
g general-v3-s23 python3 scripts/general_v3.py --split holdout --seed 23
g general-v4 python3 scripts/general_v4.py --seed 31
g general-v5 python3 scripts/general_v5.py --seed 51
g general-v6 python3 scripts/general_v6.py --seed 61
g general-v7-s81 python3 scripts/general_v7.py --seed 81
g general-v7-s82 python3 scripts/general_v7.py --seed 82
g general-v8-s91 python3 scripts/general_v8.py --seed 91
g general-v8-s92 python3 scripts/general_v8.py --seed 92
g notes-v3-dev python3 scripts/notes_v3.py --split dev --seed 71
g notes-v3-holdout python3 scripts/notes_v3.py --split holdout --seed 72
printf '| corpus | leak recall | span recall | precision |\n|---|---|---|---|\n'
for f in "$dir"/*.jsonl; do
  python3 ../shared/eval/score.py --safe-harbor "$f" -- "$bin" scan --jsonl --key-file "$key" |
    python3 -c 'import json,sys; d=json.load(sys.stdin); print("| %s | %.4f | %.4f | %.4f |" % (sys.argv[1], d["leak_recall"], d["span_recall"], d["precision"]))' "$(basename "$f" .jsonl)"
done
