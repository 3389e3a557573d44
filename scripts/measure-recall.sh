#!/usr/bin/env bash
# The recall figures a detector change is judged by, one table row each, with a fixed
# scoring key so two builds compare token for token: PhysioNet (whole, and its tune and
# check halves split by patient: even patients are read, odd ones only counted), our
# clinical-note corpora, the out-of-vocabulary corpora and the non-PHI share preserved.
# blind2/blind3 are not here: they are `scripts/eval-all.sh`'s, for totals only.
#
#   scripts/measure-recall.sh [PHIGATE_BINARY]      # default target/release/phigate
#
# Corpora are generated once into $MEASURE_DIR (default /tmp/phigate-measure) and reused.
# Needs python3 with Faker (`pip install faker`).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/release/phigate}
dir=${MEASURE_DIR:-/tmp/phigate-measure}
mkdir -p "$dir"
key="$dir/scoring.key"
# A key for scoring only: fixed so that runs compare; never a deployment key.
[ -f "$key" ] || printf '%s\n' "$(printf '5c0e%.0s' $(seq 16))" >"$key"

make_corpus() { # name, command...
  local out="$dir/$1.jsonl"
  shift
  [ -s "$out" ] || "$@" >"$out"
}
make_corpus note-holdout python3 scripts/note_corpus.py --split holdout --seed 41 --count 600
make_corpus note-train python3 scripts/note_corpus.py --split train --seed 40 --count 600
make_corpus oov-holdout python3 scripts/oov.py --split holdout --seed 2 --count 600
make_corpus oov-dev python3 scripts/oov.py --split dev --seed 1 --count 600
make_corpus oov-dev2 python3 scripts/oov.py --split dev2 --seed 3 --count 600
make_corpus synth-text "$bin" synth --seed 99 --count 500 --kind text
physio=../shared/eval/physionet-deid.jsonl
if [ -f "$physio" ] && [ ! -s "$dir/physio-check.jsonl" ]; then
  python3 - "$physio" "$dir" <<'EOF'
import json, sys
src, out = sys.argv[1], sys.argv[2]
with open(f"{out}/physio-tune.jsonl", "w") as tune, open(f"{out}/physio-check.jsonl", "w") as check:
    for line in open(src):
        if line.strip():
            patient = int(json.loads(line)["id"].split("-")[1])
            (tune if patient % 2 == 0 else check).write(line)
EOF
fi

printf '| corpus | leak recall | span recall | precision |\n|---|---|---|---|\n'
score() { # label, corpus
  python3 ../shared/eval/score.py --safe-harbor "$2" -- "$bin" scan --jsonl --key-file "$key" |
    python3 -c 'import json,sys; d=json.load(sys.stdin); print("| %s | %.4f | %.4f | %.4f |" % (sys.argv[1], d["leak_recall"], d["span_recall"], d["precision"]))' "$1"
}
if [ -f "$physio" ]; then
  score "PhysioNet" "$physio"
  score "PhysioNet tune half (even patients)" "$dir/physio-tune.jsonl"
  score "PhysioNet check half (odd patients; totals only)" "$dir/physio-check.jsonl"
fi
score "note holdout (seed 41)" "$dir/note-holdout.jsonl"
score "note train (seed 40)" "$dir/note-train.jsonl"
score "oov holdout (seed 2)" "$dir/oov-holdout.jsonl"
score "oov dev (seed 1)" "$dir/oov-dev.jsonl"
score "oov dev2 (seed 3)" "$dir/oov-dev2.jsonl"
preserved=$(python3 scripts/preserved.py "$dir/synth-text.jsonl" --top 0 -- "$bin" scan --jsonl --key-file "$key" |
  sed -n 1p | python3 -c 'import json,sys; print(json.load(sys.stdin)["preserved"])')
printf '| non-PHI preserved (synth text seed 99) | %s | | |\n' "$preserved"
