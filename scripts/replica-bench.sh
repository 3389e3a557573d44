#!/usr/bin/env bash
# Throughput of one gateway against two replicas on one PostgreSQL vault, with wrk.
#
#   scripts/pg-test-cluster.sh && source target/pg-test-cluster.env
#   scripts/replica-bench.sh [-d SECONDS] [-c CONNECTIONS] [-b PHIGATE_BINARY]
#
# Cases, each on a fresh database, driving POST /v1/deidentify over TLS (keep-alive) with a
# short clinical note holding one MRN (a patient, so "new" also makes a patient key; no
# name, which would gather one sealed copy per patient in a single record):
#   one replica (--threads 2) / two replicas (--threads 1 each, one wrk per replica),
#   each with "new" values (every request a new MRN: a transaction and a commit) and
#   "known" values (the same note each time: index look-ups only).
# Everything shares this machine's cores (wrk, both replicas, PostgreSQL): read the
# figures as "on this machine". Needs wrk, openssl, psql (the cluster script installs it).
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=10
CONNS=16
BIN=target/release/phigate
while getopts "d:c:b:" o; do
  case $o in
    d) DURATION=$OPTARG ;;
    c) CONNS=$OPTARG ;;
    b) BIN=$OPTARG ;;
    *) exit 64 ;;
  esac
done
: "${PHIGATE_TEST_PG_URL:?run scripts/pg-test-cluster.sh and source target/pg-test-cluster.env}"
[[ -x $BIN ]] || cargo build --release --bin phigate
psql=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)/psql

tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
  -subj "/CN=localhost" -keyout "$tmp/key.pem" -out "$tmp/cert.pem" 2>/dev/null
printf '%s' "$(openssl rand -hex 32)" >"$tmp/master.key"
KEY=bench-key-1
KEY_SHA256=$(printf %s "$KEY" | sha256sum | cut -d' ' -f1)

cat >"$tmp/post.lua" <<'EOF'
-- Every request a new MRN ("new") or the same note ("known").
local mode = os.getenv("BENCH_MODE")
local prefix = os.getenv("BENCH_PREFIX")
local key = os.getenv("BENCH_KEY")
local n = 0
local id = 0
setup = function(thread) id = id + 1; thread:set("tid", id) end
request = function()
  n = n + 1
  local mrn = "48213377"
  if mode == "new" then mrn = string.format("%s%d%07d", prefix, tid or 0, n) end
  local body = "Patient seen today, MRN " .. mrn .. "; follow up in two weeks."
  return wrk.format("POST", "/v1/deidentify",
    { ["Content-Type"] = "text/plain", ["Authorization"] = "Bearer " .. key }, body)
end
done = function(summary, latency, requests)
  io.write(string.format("BENCH %d %d %.1f %.1f\n", summary.requests,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
EOF

start_replica() { # N PORT THREADS DBURL
  cat >"$tmp/r$1.toml" <<EOF
[[listener]]
listen = "127.0.0.1:$2"
cert = "cert.pem"
key = "key.pem"
[admin]
listen = "127.0.0.1:0"
[vault]
backend = "postgres"
url = "$4"
pool_size = 16
key_file = "master.key"
[audit]
dir = "audit-$1"
[limits]
max_concurrent = 512
[log]
format = "json"
level = "warn"
[[caller]]
name = "bench"
api_key_sha256 = ["$KEY_SHA256"]
[api]
callers = ["bench"]
EOF
  "$BIN" serve --threads "$3" --config "$tmp/r$1.toml" >"$tmp/r$1.out" 2>"$tmp/r$1.log" &
  pids+=($!)
  for _ in $(seq 100); do
    grep -q "phigate listening" "$tmp/r$1.out" 2>/dev/null && return 0
    sleep 0.1
  done
  cat "$tmp/r$1.log" >&2
  return 1
}

fresh_db() {
  local name=phigate_rb_$RANDOM$RANDOM
  "$psql" -X -q "$PHIGATE_TEST_PG_URL" -c "CREATE DATABASE $name" >/dev/null
  printf '%s' "${PHIGATE_TEST_PG_URL/\/phigate\?//$name?}"
}

run_case() { # LABEL MODE REPLICAS
  local db; db=$(fresh_db)
  pids=()
  local ports=()
  if [[ $3 == 1 ]]; then
    start_replica 1 18441 2 "$db"; ports=(18441)
  else
    start_replica 1 18441 1 "$db"; start_replica 2 18442 1 "$db"; ports=(18441 18442)
  fi
  local per=$((CONNS / $3)) outs=() wrks=()
  for p in "${ports[@]}"; do
    BENCH_MODE=$2 BENCH_PREFIX=$p BENCH_KEY=$KEY wrk -t1 -c"$per" -d"${DURATION}s" \
      -s "$tmp/post.lua" "https://127.0.0.1:$p" >"$tmp/wrk-$p.out" 2>&1 &
    wrks+=($!)
    outs+=("$tmp/wrk-$p.out")
  done
  wait "${wrks[@]}" || true
  local req=0 err=0 p50="" p99=""
  for o in "${outs[@]}"; do
    read -r _ r e l50 l99 < <(grep '^BENCH' "$o") || { cat "$o" >&2; return 1; }
    req=$((req + r)); err=$((err + e)); p50+="$l50 "; p99+="$l99 "
  done
  printf '| %s | %s | %.0f | %d | %s| %s|\n' "$1" "$2" "$(awk -v r="$req" -v d="$DURATION" 'BEGIN { print r / d }')" "$err" "$p50" "$p99"
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
}

cd "$tmp"
BIN=$(cd "$OLDPWD" && realpath "$BIN")
echo "| gateways | values | req/s | errors | p50 ms (per replica) | p99 ms (per replica) |"
echo "|---|---|---|---|---|---|"
for mode in new known; do
  run_case "one replica, 2 threads" "$mode" 1
  run_case "two replicas, 1 thread each" "$mode" 2
done
