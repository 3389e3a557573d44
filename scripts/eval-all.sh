#!/usr/bin/env bash
# Every recall corpus the repository can make or reach, scored the same way, one table row
# each: the figures issue 13 reports. Needs python3 with Faker (`pip install faker`).
#
#   scripts/eval-all.sh [PHIGATE_BINARY]     # default target/release/phigate
#
# blind2 and blind3 are for figures only: never read their leak lists (they stay held-out
# configurations). blind3 needs `pip install mimesis` (its values come from Mimesis, not Faker).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/release/phigate}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 scripts/heldout.py --split dev --seed 1 --count 500 >"$tmp/dev.jsonl"
python3 scripts/heldout.py --split blind2 --seed 5 --count 500 >"$tmp/blind2.jsonl"
python3 scripts/blind3.py --seed 3 --count 500 >"$tmp/blind3.jsonl"
"$bin" synth --seed 99 --count 500 --kind text >"$tmp/synth.jsonl"
printf '| corpus | leak recall | span recall | precision |\n|---|---|---|---|\n'
score() {
  python3 ../shared/eval/score.py --safe-harbor "$2" -- "$bin" scan --jsonl |
    python3 -c 'import json,sys; d=json.load(sys.stdin); print("| %s | %.4f | %.4f | %.4f |" % (sys.argv[1], d["leak_recall"], d["span_recall"], d["precision"]))' "$1"
}
score "dev (seed 1, 500)" "$tmp/dev.jsonl"
score "blind2 (seed 5, 500; never tuned on)" "$tmp/blind2.jsonl"
score "blind3 (seed 3, 500; Mimesis values, never tuned on)" "$tmp/blind3.jsonl"
score "synth text (seed 99, 500)" "$tmp/synth.jsonl"
if [ -f ../shared/eval/physionet-deid.jsonl ]; then
  score "PhysioNet deid" ../shared/eval/physionet-deid.jsonl
fi
