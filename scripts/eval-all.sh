#!/usr/bin/env bash
# Every recall corpus the repository can make or reach, scored the same way, one table row
# each: the figures issue 13 reports. Needs python3 with Faker (`pip install faker`).
#
#   scripts/eval-all.sh [PHIGATE_BINARY]     # default target/release/phigate
#
# blind2 is for figures only: never read its leak list (it stays a held-out configuration).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/release/phigate}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 scripts/heldout.py --split dev --seed 1 --count 500 >"$tmp/dev.jsonl"
python3 scripts/heldout.py --split blind2 --seed 5 --count 500 >"$tmp/blind2.jsonl"
"$bin" synth --seed 99 --count 500 --kind text >"$tmp/synth.jsonl"
printf '| corpus | leak recall | span recall | precision |\n|---|---|---|---|\n'
score() {
  python3 ../shared/eval/score.py --safe-harbor "$2" -- "$bin" scan --jsonl |
    python3 -c 'import json,sys; d=json.load(sys.stdin); print("| %s | %.4f | %.4f | %.4f |" % (sys.argv[1], d["leak_recall"], d["span_recall"], d["precision"]))' "$1"
}
score "dev (seed 1, 500)" "$tmp/dev.jsonl"
score "blind2 (seed 5, 500; never tuned on)" "$tmp/blind2.jsonl"
score "synth text (seed 99, 500)" "$tmp/synth.jsonl"
if [ -f ../shared/eval/physionet-deid.jsonl ]; then
  score "PhysioNet deid" ../shared/eval/physionet-deid.jsonl
fi
