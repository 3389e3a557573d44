#!/usr/bin/env bash
# Load benchmark: the phigate gateway (de-identifying FHIR webhooks) against nginx as a
# plain TLS reverse proxy, both in front of the same loopback upstream, in one run.
#
#   scripts/load-bench.sh [-d SECONDS] [-c CONNECTIONS] [-r RATE] [-w SECONDS]
#                         [-s "4096 16384"] [-t WRK_THREADS] [-g GATEWAY_THREADS]
#                         [-b PHIGATE_BINARY] [-a AUDIT_PARENT] [-p PERF_DATA] [-k]
#
# Options and the environment variables they override (defaults in brackets):
#   -d DURATION        seconds per measured case [20]; DURATION=3 is a smoke run
#   -c CONCURRENCY     wrk connections [32]
#   -r RATE            the fixed-rate cases' total req/s [1000]; 0 skips them
#   -w WARMUP          unrecorded warm-up seconds before each throughput case [3]
#   -s SIZES           body sizes in bytes ["4096 16384"]
#   -t WRK_THREADS     wrk threads [2]
#   -g GW_THREADS      phigate serve --threads, and nginx worker_processes [nproc]
#   -b PHIGATE_BIN     a built phigate binary [cargo build --release, then target/release]
#   -a AUDIT_PARENT    where the gateway's audit log directory is made [the run's temporary
#                      directory, under $TMPDIR or /tmp]. The gateway waits for the log's
#                      fsync before it forwards a body; on a tmpfs (-a /dev/shm) an fsync
#                      costs nothing, so a run with -a /dev/shm beside one without names
#                      what the durable audit write costs (the summary names the audit
#                      log's file system, and prints phigate_audit_wait_seconds per case)
#   -p PERF_DATA       `perf record --call-graph dwarf` of the gateway into this file during
#                      its as-fast-as-possible case of the first size; read it with
#                      `perf report --no-children -i PERF_DATA`, or by component with
#                      `perf script -i PERF_DATA | scripts/perf-categories.py`; needs perf
#   -k KEEP_TMP=1      keep the temporary directory (configs, logs, wrk output, RSS samples)
#   MAX_CONCURRENT     the gateway's [limits] max_concurrent [512]
#
# What it does, all on loopback: makes a self-signed certificate (openssl CLI), a master
# key and synthetic FHIR Bundles of each size (`phigate synth --kind fhir`, padded with
# Observations: synthetic PHI only); starts an nginx upstream that answers 200 "ok" to
# anything, nginx as a TLS reverse proxy to it, and `phigate serve` with a de-identifying
# route to it; then for each size, drives each proxy with wrk (POST over TLS, keep-alive)
# as fast as it goes, and at a fixed total rate (wrk's Lua delay() hook, see
# load-bench/post.lua), while sampling the gateway's VmRSS every second. It prints a
# summary table at the end and stops every process it started (trap on EXIT).
#
# Needs, on the PATH (or nginx at /usr/sbin/nginx):
#   wrk      Debian/Ubuntu package `wrk` (4.x, with LuaJIT: post.lua uses its ffi)
#   nginx    package `nginx-light` (or `nginx`, `nginx-core`): only the core http, ssl,
#            proxy and upstream keepalive modules are used; the script runs its own
#            instances from configs in the temporary directory (no system service)
#   openssl, curl, python3 (3.8 or later), awk, sed, getconf, and pgrep (procps) or /proc
# Run as root with apt-get available it installs wrk, nginx-light, openssl, curl and python3
# when missing (apt-get update first); otherwise it names what is missing and stops.
# The load generator shares the machine's cores with the proxy under test: read the
# figures as "on this machine", not as the proxy's capacity.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
TPL=$HERE/load-bench

DURATION=${DURATION:-20}
CONCURRENCY=${CONCURRENCY:-32}
RATE=${RATE:-1000}
WARMUP=${WARMUP:-3}
SIZES=${SIZES:-"4096 16384"}
WRK_THREADS=${WRK_THREADS:-2}
GW_THREADS=${GW_THREADS:-$(nproc)}
MAX_CONCURRENT=${MAX_CONCURRENT:-512}
PHIGATE_BIN=${PHIGATE_BIN:-}
AUDIT_PARENT=${AUDIT_PARENT:-}
PERF_DATA=${PERF_DATA:-}
KEEP_TMP=${KEEP_TMP:-0}

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; }
die() { echo "load-bench: $*" >&2; exit 1; }
log() { echo "load-bench: $*" >&2; }

while getopts "d:c:r:w:s:t:g:b:a:p:kh" opt; do
    case $opt in
        d) DURATION=$OPTARG ;;
        c) CONCURRENCY=$OPTARG ;;
        r) RATE=$OPTARG ;;
        w) WARMUP=$OPTARG ;;
        s) SIZES=$OPTARG ;;
        t) WRK_THREADS=$OPTARG ;;
        g) GW_THREADS=$OPTARG ;;
        b) PHIGATE_BIN=$OPTARG ;;
        a) AUDIT_PARENT=$OPTARG ;;
        p) PERF_DATA=$OPTARG ;;
        k) KEEP_TMP=1 ;;
        h) usage; exit 0 ;;
        *) usage >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
[[ $# -eq 0 ]] || { usage >&2; exit 2; }
SIZES=${SIZES//,/ }
for v in DURATION CONCURRENCY RATE WARMUP WRK_THREADS GW_THREADS MAX_CONCURRENT; do
    [[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a whole number (got '${!v}')"
done
for s in $SIZES; do [[ $s =~ ^[0-9]+$ ]] || die "sizes must be byte counts (got '$s')"; done
((DURATION >= 1)) || die "DURATION must be at least 1"
((CONCURRENCY >= WRK_THREADS && WRK_THREADS >= 1)) || die "need CONCURRENCY >= WRK_THREADS >= 1"
((GW_THREADS >= 1)) || die "GW_THREADS must be at least 1"

# --- tools -------------------------------------------------------------------------
NGINX=$(command -v nginx || true)
[[ -z $NGINX && -x /usr/sbin/nginx ]] && NGINX=/usr/sbin/nginx
missing=()
command -v wrk >/dev/null || missing+=(wrk)
[[ -n $NGINX ]] || missing+=(nginx-light)
for c in openssl curl python3; do command -v "$c" >/dev/null || missing+=("$c"); done
for c in awk sed getconf; do command -v "$c" >/dev/null || die "needs $c on the PATH"; done
[[ -z $PERF_DATA ]] || command -v perf >/dev/null || die "-p needs perf (apt-get install linux-perf)"
if ((${#missing[@]})); then
    if [[ $EUID -eq 0 ]] && command -v apt-get >/dev/null; then
        log "installing ${missing[*]} (apt-get; the packages' names, nginx-light for nginx)"
        apt-get update -qq >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
        NGINX=$(command -v nginx || echo /usr/sbin/nginx)
    else
        die "missing: ${missing[*]} (Debian/Ubuntu: apt-get install ${missing[*]}, as root; see the header)"
    fi
fi

if [[ -z $PHIGATE_BIN ]]; then
    log "building phigate (cargo build --release)"
    (cd "$ROOT" && cargo build --release --locked >&2)
    PHIGATE_BIN=$ROOT/target/release/phigate
fi
[[ -x $PHIGATE_BIN ]] || die "no phigate binary at $PHIGATE_BIN"
PHIGATE_BIN=$(cd "$(dirname "$PHIGATE_BIN")" && pwd)/$(basename "$PHIGATE_BIN")

# --- processes and clean-up ----------------------------------------------------------
TMP=$(mktemp -d "${TMPDIR:-/tmp}/phigate-load-bench.XXXXXX")
chmod 755 "$TMP" # nginx workers may run as another user
mkdir -p "$TMP/logs" "$TMP/tmp" "$TMP/results"
PIDS=()
SAMPLER_PID=

cleanup() {
    local rc=$?
    # A signal can land in a subshell ($(...), the sampler) before it resets the traps:
    # only the script itself cleans up.
    [[ $BASHPID == "$$" ]] || exit "$rc"
    set +e
    trap - EXIT INT TERM
    [[ -n $SAMPLER_PID ]] && kill "$SAMPLER_PID" 2>/dev/null
    local pid i
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
    for pid in "${PIDS[@]}"; do
        for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
    done
    wait 2>/dev/null
    if [[ $KEEP_TMP == 1 ]]; then
        log "kept $TMP${AUDIT_PARENT:+ and $AUDIT_DIR}"
    else
        rm -rf "$TMP"
        [[ -n $AUDIT_PARENT && -n ${AUDIT_DIR:-} ]] && rm -rf "$AUDIT_DIR"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Fills @NAME@ placeholders from the variables of the same name.
render() {
    local src=$1 dst=$2 name args=()
    for name in DIR AUDIT_DIR UPSTREAM_PORT PROXY_PORT WORKERS MAX_CONCURRENT KEY_SHA256; do
        args+=(-e "s|@$name@|${!name}|g")
    done
    sed "${args[@]}" "$src" >"$dst"
    ! grep -n '@[A-Z_]*@' "$dst" || die "unfilled placeholder in $dst"
}

wait_http() { # url what
    local i
    for ((i = 0; i < 100; i++)); do
        curl -sk -o /dev/null --max-time 1 "$1" && return 0
        sleep 0.1
    done
    die "$2 did not come up ($1)"
}

children_of() { # pid -> its child pids
    if command -v pgrep >/dev/null; then
        pgrep -P "$1" || true
    else
        awk -v p="$1" '$4 == p { print $1 }' /proc/[0-9]*/stat 2>/dev/null || true
    fi
}

cpu_ticks() { # pids... -> utime+stime summed (clock ticks)
    local pid total=0 t
    for pid in "$@"; do
        t=$(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || echo 0)
        total=$((total + t))
    done
    echo "$total"
}

rss_kb() { # pids... -> VmRSS summed (kB)
    local pid total=0 r
    for pid in "$@"; do
        r=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || true)
        total=$((total + ${r:-0}))
    done
    echo "$total"
}

loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

# The gateway's phigate_audit_wait_seconds (the wait for a request's audit entries to be
# on disk before forwarding), summed over routes, and the log's fsyncs of entries so far
# (phigate_audit_fsyncs_total; 0 from a binary without it): "count sum_seconds fsyncs".
audit_wait() {
    curl -s --max-time 5 "http://$ADMIN_ADDR/metrics" |
        awk '/^phigate_audit_wait_seconds_count/ { n += $2 } /^phigate_audit_wait_seconds_sum/ { s += $2 }
            /^phigate_audit_fsyncs_total/ { f += $2 }
            END { printf "%d %.6f %d\n", n, s, f }'
}

# --- fixtures ------------------------------------------------------------------------
# shellcheck disable=SC2034 # DIR, AUDIT_DIR, KEY_SHA256 and WORKERS are read by render()
DIR=$TMP
if [[ -n $AUDIT_PARENT ]]; then
    [[ -d $AUDIT_PARENT ]] || die "no directory $AUDIT_PARENT (-a)"
    AUDIT_DIR=$(mktemp -d "$AUDIT_PARENT/phigate-load-bench-audit.XXXXXX")
else
    AUDIT_DIR=$TMP/audit
fi
fs_type() { df -PT "$1" 2>/dev/null | awk 'NR == 2 { print $2 }'; }
AUDIT_FS=$(fs_type "$(dirname "$AUDIT_DIR")")
log "fixtures in $TMP"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=localhost \
    -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -days 2 \
    -keyout "$TMP/key.pem" -out "$TMP/cert.pem" 2>/dev/null
chmod 644 "$TMP/key.pem" # readable by nginx workers; a throw-away test key
"$PHIGATE_BIN" keygen --out "$TMP/master.key" >/dev/null 2>&1
"$PHIGATE_BIN" vault init --vault "$TMP/vault" --key-file "$TMP/master.key" >/dev/null
KEY=$(openssl rand -hex 24)
# shellcheck disable=SC2034
KEY_SHA256=$(printf %s "$KEY" | sha256sum | cut -d' ' -f1)
"$PHIGATE_BIN" synth --seed 11 --count 60 --kind fhir >"$TMP/synth.jsonl"
for s in $SIZES; do
    python3 "$TPL/make-body.py" "$TMP/synth.jsonl" "$s" >"$TMP/body-$s.json"
done

read -r UPSTREAM_PORT PROXY_PORT < <(python3 -c '
import socket
socks = [socket.socket() for _ in range(2)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])')
# shellcheck disable=SC2034
WORKERS=$GW_THREADS
render "$TPL/nginx-upstream.conf.in" "$TMP/nginx-upstream.conf"
render "$TPL/nginx-proxy.conf.in" "$TMP/nginx-proxy.conf"
render "$TPL/phigate.toml.in" "$TMP/phigate.toml"

# --- start: upstream, nginx proxy, gateway -------------------------------------------
"$NGINX" -p "$TMP" -e "$TMP/logs/upstream-error.log" -c "$TMP/nginx-upstream.conf" \
    >"$TMP/logs/upstream.out" 2>&1 &
PIDS+=($!)
"$NGINX" -p "$TMP" -e "$TMP/logs/proxy-error.log" -c "$TMP/nginx-proxy.conf" \
    >"$TMP/logs/proxy.out" 2>&1 &
NGINX_PID=$!
PIDS+=("$NGINX_PID")
wait_http "http://127.0.0.1:$UPSTREAM_PORT/" "the nginx upstream"
wait_http "https://127.0.0.1:$PROXY_PORT/hooks/ready" "the nginx proxy"
mapfile -t NGINX_WORKERS < <(children_of "$NGINX_PID")
NGINX_ALL=("$NGINX_PID" "${NGINX_WORKERS[@]}")

: >"$TMP/logs/phigate.out" # read below, maybe before the gateway's shell opens it
(cd "$TMP" && exec "$PHIGATE_BIN" serve --config "$TMP/phigate.toml" --threads "$GW_THREADS") \
    >"$TMP/logs/phigate.out" 2>"$TMP/logs/phigate.err" &
GW_PID=$!
PIDS+=("$GW_PID")
GW_ADDR=''
ADMIN_ADDR=''
for ((i = 0; i < 300; i++)); do
    GW_ADDR=$(sed -n 's|^phigate listening https://||p' "$TMP/logs/phigate.out" | head -1 || true)
    ADMIN_ADDR=$(sed -n 's|^phigate admin http://||p' "$TMP/logs/phigate.out" | head -1 || true)
    [[ -n $GW_ADDR && -n $ADMIN_ADDR ]] && break
    kill -0 "$GW_PID" 2>/dev/null || { cat "$TMP/logs/phigate.err" >&2; die "phigate exited"; }
    sleep 0.1
done
[[ -n $GW_ADDR && -n $ADMIN_ADDR ]] || die "phigate did not print its listening lines"

URL_NGINX=https://127.0.0.1:$PROXY_PORT/hooks/bench
URL_PHIGATE=https://$GW_ADDR/hooks/bench

# --- sanity: both proxies answer 200, and the gateway found PHI ----------------------
for s in $SIZES; do
    for url in "$URL_NGINX" "$URL_PHIGATE"; do
        code=$(curl -sk -o "$TMP/sanity.out" -w '%{http_code}' --max-time 10 -X POST \
            -H "Authorization: Bearer $KEY" -H 'Content-Type: application/fhir+json' \
            --data-binary "@$TMP/body-$s.json" "$url")
        [[ $code == 200 ]] || { cat "$TMP/sanity.out" >&2; die "$url answered $code to the $s-byte body"; }
    done
done
phi_found() { curl -s --max-time 5 "http://$ADMIN_ADDR/metrics" | awk '/^phigate_phi_found_total/ { n += $2 } END { print n + 0 }'; }
(($(phi_found) > 0)) || die "the gateway forwarded the bodies but reported no PHI found"

# --- RSS sampler -----------------------------------------------------------------------
echo idle >"$TMP/phase"
(
    trap - EXIT INT TERM
    while :; do
        printf '%s %s %s %s %s\n' "$(date +%s)" "$(cat "$TMP/phase")" "$(rss_kb "$GW_PID")" \
            "$(rss_kb "${NGINX_ALL[@]}")" \
            "$(awk '/^Threads:/ { print $2 }' "/proc/$GW_PID/status" 2>/dev/null || echo 0)" \
            >>"$TMP/rss.log"
        sleep 1
    done
) &
SAMPLER_PID=$!

CLK_TCK=$(getconf CLK_TCK)
LOAD_START=$(loadavg)

# run_case TARGET MODE SIZE RATE SECONDS [record]: one wrk run; with "record", appends
# a line to results.tsv.
run_case() {
    local target=$1 mode=$2 size=$3 rate=$4 secs=$5 record=${6:-}
    local url pids name
    if [[ $target == phigate ]]; then url=$URL_PHIGATE pids=("$GW_PID"); else url=$URL_NGINX pids=("${NGINX_ALL[@]}"); fi
    name=$target-$mode-$size
    [[ -n $record ]] || name=warmup-$name
    echo "$name" >"$TMP/phase"
    local load t0 t1
    load=$(loadavg)
    t0=$(cpu_ticks "${pids[@]}")
    local aw0=
    [[ $target != phigate || -z $record ]] || aw0=$(audit_wait)
    local perf_pid=
    if [[ -n $PERF_DATA && -n $record && $target == phigate && $mode == max && $size == "${SIZES%% *}" ]]; then
        perf record -F 250 --call-graph dwarf,16384 -o "$PERF_DATA" -p "$GW_PID" -- sleep "$secs" >"$TMP/logs/perf.out" 2>&1 &
        perf_pid=$!
    fi
    BENCH_BODY=$TMP/body-$size.json BENCH_KEY=$KEY BENCH_RATE=$rate BENCH_THREADS=$WRK_THREADS \
        wrk -t "$WRK_THREADS" -c "$CONCURRENCY" -d "${secs}s" --timeout 10s \
        -s "$TPL/post.lua" "$url" >"$TMP/results/$name.wrk" 2>&1 || true
    t1=$(cpu_ticks "${pids[@]}")
    [[ -z $perf_pid ]] || wait "$perf_pid" || log "perf record failed: $(tail -1 "$TMP/logs/perf.out")"
    echo between >"$TMP/phase"
    [[ -n $record ]] || return 0
    if [[ -n $aw0 ]]; then
        # requests that waited, and their summed wait (s): the case's own share
        awk -v mode="$mode" -v size="$size" -v a="$aw0" -v b="$(audit_wait)" 'BEGIN {
            split(a, x, " "); split(b, y, " ")
            n = y[1] - x[1]; t = y[2] - x[2]; f = y[3] - x[3]
            printf "%s\t%s\t%d\t%.3f\t%s\n", mode, size, n, (n > 0 ? 1e3 * t / n : 0),
                (f > 0 && n > 0 ? sprintf("%.3f", f / n) : "-") }' >>"$TMP/audit-wait.tsv"
    fi
    local line
    line=$(grep '^BENCH ' "$TMP/results/$name.wrk" | tail -1) ||
        { cat "$TMP/results/$name.wrk" >&2; die "wrk printed no result for $name"; }
    # requests=.. duration_us=.. -> key=value pairs on one line for awk
    awk -v target="$target" -v mode="$mode" -v size="$size" -v ticks=$((t1 - t0)) \
        -v clk="$CLK_TCK" -v load="${load%% *}" '{
        for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
        secs = v["duration_us"] / 1e6
        printf "%s\t%s\t%s\t%d\t%.3f\t%.1f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%d\t%d\t%.0f\t%s\n",
            mode, size, target, v["requests"], secs, v["requests"] / secs,
            v["p50_us"] / 1000, v["p90_us"] / 1000, v["p99_us"] / 1000, v["p999_us"] / 1000,
            v["max_us"] / 1000, v["status"], v["connect"] + v["read"] + v["write"] + v["timeout"],
            100 * ticks / clk / secs, load
    }' <<<"$line" >>"$TMP/results.tsv"
    sleep 1
}

TOTAL_S=0
for s in $SIZES; do
    TOTAL_S=$((TOTAL_S + 2 * (WARMUP + DURATION + 1)))
    ((RATE > 0)) && TOTAL_S=$((TOTAL_S + 2 * (DURATION + 1)))
done
log "measuring: $DURATION s per case, $CONCURRENCY connections, about $TOTAL_S s in all"
sleep 2 # a couple of idle RSS samples
for s in $SIZES; do
    for target in nginx phigate; do
        ((WARMUP > 0)) && run_case "$target" max "$s" 0 "$WARMUP"
        run_case "$target" max "$s" 0 "$DURATION" record
        log "done: $target, $s bytes, as fast as possible"
    done
    if ((RATE > 0)); then
        for target in nginx phigate; do
            run_case "$target" rate "$s" "$RATE" "$DURATION" record
            log "done: $target, $s bytes, $RATE req/s"
        done
    fi
done
echo end >"$TMP/phase"
sleep 2
kill "$SAMPLER_PID" 2>/dev/null || true
wait "$SAMPLER_PID" 2>/dev/null || true
SAMPLER_PID=
LOAD_END=$(loadavg)
curl -s --max-time 5 "http://$ADMIN_ADDR/metrics" >"$TMP/metrics.txt" || true

# --- summary ---------------------------------------------------------------------------
R=$TMP/results.tsv
BUILD="$PHIGATE_BIN"
if [[ $PHIGATE_BIN == "$ROOT/target/release/phigate" ]] && git -C "$ROOT" rev-parse --git-dir >/dev/null 2>&1; then
    BUILD+=" (built from $(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet HEAD -- src Cargo.toml Cargo.lock || echo ' + uncommitted changes'))"
fi

echo
echo "=== phigate load bench: phigate (de-identifying) vs nginx (plain TLS reverse proxy) ==="
echo "date:        $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "machine:     $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo); $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)"
echo "             wrk (-t $WRK_THREADS), the proxy under test (phigate --threads $GW_THREADS / nginx worker_processes $GW_THREADS)"
echo "             and the nginx upstream all share these cores: figures are for this machine, not capacity."
echo "load avg:    start $LOAD_START; end $LOAD_END (1/5/15 min; other work on the machine adds noise)"
echo "phigate:     $BUILD"
echo "             route deidentify, policy safe-harbor, [limits] max_concurrent $MAX_CONCURRENT, log level warn"
echo "             audit log on ${AUDIT_FS:-?} ($AUDIT_DIR): fsync before forwarding$([[ $AUDIT_FS == tmpfs ]] && echo ' costs nothing on tmpfs')"
echo "nginx:       $("$NGINX" -v 2>&1 | sed 's/^nginx version: //'), TLS proxy with upstream keepalive; no auth, no body inspection"
echo "upstream:    nginx, plain HTTP on loopback, return 200 \"ok\" (shared by both proxies)"
echo "load:        wrk $(wrk -v 2>&1 | awk 'NR==1 { print $2 }'), POST over TLS, keep-alive, $CONCURRENCY connections, $DURATION s per case"
echo "             (after a $WARMUP s unrecorded warm-up for the as-fast-as-possible cases)"
echo "bodies:      synthetic FHIR R4 Bundles (Patient, Encounter, ... + Observations with notes): $(for s in $SIZES; do printf '%s B ' "$s"; done)"
echo

fmt_size() { awk -v s="$1" 'BEGIN { if (s % 1024 == 0) printf "%d KB", s / 1024; else printf "%d B", s }'; }
header() {
    printf '%-7s %-8s %9s %8s %8s %8s %8s %8s %8s %6s %9s\n' size proxy req/s "p50 ms" "p90 ms" "p99 ms" "p99.9" "max ms" non-2xx sock "proxy CPU"
}
row() { # mode size target
    awk -F'\t' -v m="$1" -v s="$2" -v t="$3" -v label="$(fmt_size "$2")" '
        $1 == m && $2 == s && $3 == t {
            printf "%-7s %-8s %9.0f %8.2f %8.2f %8.2f %8.2f %8.2f %8d %6d %8.0f%%\n",
                label, t, $6, $7, $8, $9, $10, $11, $12, $13, $14 }' "$R"
}
field() { awk -F'\t' -v m="$1" -v s="$2" -v t="$3" -v f="$4" '$1 == m && $2 == s && $3 == t { print $f }' "$R"; }

echo "--- Throughput: as fast as possible ($CONCURRENCY connections, $DURATION s) ---"
header
for s in $SIZES; do
    row max "$s" nginx
    row max "$s" phigate
    awk -v p="$(field max "$s" phigate 6)" -v n="$(field max "$s" nginx 6)" 'BEGIN {
        r = (n > 0) ? p / n : 0
        printf "        phigate/nginx throughput = %.2f (target >= 0.33: %s)\n", r, (r >= 1 / 3 ? "met" : "NOT met") }'
done
echo "(proxy CPU: CPU time of the proxy process(es) over the case / wall time; 100% = one core)"
echo

if ((RATE > 0)); then
    echo "--- Fixed rate: $RATE req/s in total over $CONCURRENCY connections ($DURATION s) ---"
    echo "method: Debian's wrk has no wrk2 -R; load-bench/post.lua paces requests with wrk's delay()"
    echo "hook on a per-thread schedule (ms timer resolution, no catch-up bursts). Latency is from"
    echo "sending a request to its answer; no coordinated-omission correction."
    header
    for s in $SIZES; do
        row rate "$s" nginx
        row rate "$s" phigate
        awk -v p="$(field rate "$s" phigate 9)" -v n="$(field rate "$s" nginx 9)" \
            -v pr="$(field rate "$s" phigate 6)" -v want="$RATE" 'BEGIN {
            d = p - n
            printf "        p99 phigate - nginx = %+.2f ms (target <= +1 ms: %s)", d, (d <= 1 ? "met" : "NOT met")
            if (pr < 0.95 * want) printf "; phigate reached only %.0f of %d req/s", pr, want
            printf "\n" }'
    done
    echo
fi

if [[ -s $TMP/audit-wait.tsv ]]; then
    echo "--- Durable audit write: phigate's wait for its audit fsync before forwarding ---"
    echo "(phigate_audit_wait_seconds over each case; group commit: one fsync serves every request"
    echo " waiting at the time. Audit log on ${AUDIT_FS:-?}$([[ $AUDIT_FS == tmpfs ]] && echo ', where an fsync costs nothing').)"
    printf '%-7s %-8s %9s %14s %14s\n' size mode requests "mean wait ms" "fsyncs/req"
    while IFS=$'\t' read -r m sz n w f; do
        printf '%-7s %-8s %9d %14.3f %14s\n' "$(fmt_size "$sz")" "$m" "$n" "$w" "$f"
    done <"$TMP/audit-wait.tsv"
    echo
fi

echo "--- Errors (all cases) ---"
awk -F'\t' '{ st += $12; so += $13 } END {
    printf "wrk: non-2xx/3xx %d, socket errors (connect+read+write+timeout) %d (target 0: %s)\n",
        st, so, (st + so == 0 ? "met" : "NOT met") }' "$R"
if [[ -s $TMP/metrics.txt ]]; then
    printf 'phigate outcomes (/metrics): '
    awk '/^phigate_requests_total/ && $2 > 0 {
            match($1, /route="[^"]*"/); r = substr($1, RSTART + 7, RLENGTH - 8)
            match($1, /outcome="[^"]*"/); o = substr($1, RSTART + 9, RLENGTH - 10)
            printf "%s%s/%s %d", sep, r, o, $2; sep = ", " }
        END { print "" }' "$TMP/metrics.txt"
    awk '/^phigate_phi_found_total/ { n += $2 } /^phigate_tokens_issued_total/ { t = $2 }
        END { printf "phigate PHI found: %d values in all; tokens issued: %d\n", n, t }' "$TMP/metrics.txt"
fi
printf 'phigate log lines at warn or above: %d' "$(grep -c . "$TMP/logs/phigate.err" || true)"
if [[ -s $TMP/logs/phigate.err ]]; then
    echo "; most frequent:"
    # Without colours, times and request ids, so that repeats count together.
    sed -E $'s/\x1b\\[[0-9;]*m//g' "$TMP/logs/phigate.err" |
        sed -E 's/"?(request_id|timestamp|micros)"?[=:]"?[^ ,"]*"?//g; s/^ *[0-9]{4}-[0-9T:.Z+-]+ +//' |
        sort | uniq -c | sort -rn | head -5 | cut -c1-200
else
    echo
fi
printf 'nginx error log lines (proxy, upstream): %d, %d\n' \
    "$(grep -vc ' \[notice\] ' "$TMP/logs/proxy-error.log" || true)" \
    "$(grep -vc ' \[notice\] ' "$TMP/logs/upstream-error.log" || true)"
echo

echo "--- Memory: VmRSS sampled every 1 s (MB) ---"
printf '%-24s %8s %8s %8s %8s %8s\n' phase samples start peak end threads
awk '
    function show(label, p,   pk) {
        printf "%-24s %8d %8.1f %8.1f %8.1f %8d\n", label, n[p], first[p] / 1024, peak[p] / 1024, last[p] / 1024, thr[p] }
    $2 != "between" && $2 !~ /^warmup-/ {
        p = $2
        if (!(p in n)) { order[++k] = p; first[p] = $3 }
        n[p]++; last[p] = $3; if ($3 > peak[p]) peak[p] = $3; if ($5 > thr[p]) thr[p] = $5
    }
    { if (!all_n++) all_first = $3; all_last = $3; if ($3 > all_peak) all_peak = $3; if ($5 > all_thr) all_thr = $5
      if (!ng_n++) ng_first = $4; ng_last = $4; if ($4 > ng_peak) ng_peak = $4 }
    END {
        for (i = 1; i <= k; i++) if (order[i] ~ /^phigate-|^idle$|^end$/) show("phigate " order[i], order[i])
        printf "%-24s %8d %8.1f %8.1f %8.1f %8d\n", "phigate, whole run", all_n, all_first / 1024, all_peak / 1024, all_last / 1024, all_thr
        printf "%-24s %8d %8.1f %8.1f %8.1f\n", "nginx proxy, whole run", ng_n, ng_first / 1024, ng_peak / 1024, ng_last / 1024
    }' "$TMP/rss.log"
echo "(phigate: one process, threads = its peak thread count; nginx proxy: master + $((${#NGINX_ALL[@]} - 1)) workers summed)"
echo
echo "raw results (tsv: mode size proxy requests seconds req/s p50 p90 p99 p99.9 max non2xx sockerr cpu% load1):"
sed 's/^/  /' "$R"
