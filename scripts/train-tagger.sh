#!/bin/sh
# Retrains the statistical tagger from the corpora patterns/model/MANIFEST.toml declares
# and rewrites patterns/model/tagger.bin and the manifest's sha256 fields.
# Deterministic: the same inputs, lexicon, seed and epochs give the same bytes (the test
# detect::tagger::tests::retraining_from_the_manifest_reproduces_the_shipped_weights checks).
# See patterns/model/README.md. The committed corpora need no Python; to regenerate them:
#   REGENERATE=1 scripts/train-tagger.sh      (needs `pip install faker mimesis==22.*`)
set -eu
cd "$(dirname "$0")/.."
if [ "${REGENERATE:-}" = 1 ]; then
  python3 scripts/heldout.py --split dev --seed 1001 --count 1200 > patterns/model/train/dev-faker.jsonl
  python3 scripts/tagger_corpus.py --seed 5 --count 2000 > patterns/model/train/ot-notes.jsonl
  python3 scripts/note_corpus.py --split train --seed 21 --count 3000 > patterns/model/train/notes.jsonl
  python3 scripts/general_dev.py --seed 1011 --count 1000 > patterns/model/train/general-dev.jsonl
  python3 scripts/general_v3.py --split dev --seed 1021 --count 1600 > patterns/model/train/general-v3-dev.jsonl
  python3 scripts/phi_free_general.py --seed 1031 --count 800 > patterns/model/train/phi-free-general.jsonl
  python3 scripts/general_v6.py --seed 1062 --count 700 > patterns/model/train/general-v6-dev.jsonl
  python3 scripts/general_v7.py --seed 1082 --count 700 > patterns/model/train/general-v7-dev.jsonl
  python3 scripts/general_v8.py --seed 1092 --count 700 > patterns/model/train/general-v8-dev.jsonl
fi
# A debug build trains in about a minute of CPU (five runs, as many at a time as there are
# cores); a release build would take minutes to compile.
cargo run --locked --example train_tagger -- patterns/model patterns
