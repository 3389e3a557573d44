#!/usr/bin/env bash
# The gateway's cost per request without the load generator: one `phigate serve` (one
# worker thread) on loopback, the load bench's synthetic FHIR webhook sent N times over one
# TLS keep-alive connection by a small Python client, one request at a time.
#
#   scripts/gw-replay.sh [-b PHIGATE_BINARY] [-s SIZE] [-n REQUESTS] [-m cpu|callgrind] [-a DIR]
#                        [-k KEY_FILE] [-o FORWARDED_BODY] [-v BODIES]
#
#   -b  a built phigate binary [target/release/phigate]
#   -s  body size in bytes [4096] (scripts/load-bench/make-body.py, synth seed 11, as the
#       load bench makes it)
#   -n  requests [2000 for cpu, 300 for callgrind]
#   -m  cpu: the gateway's user+system CPU time over the N requests (after 50 warm-up
#       requests) from /proc/PID/stat, divided by N. callgrind: the whole process under
#       valgrind --tool=callgrind twice, with 20 and with 20+N requests; the difference in
#       instructions divided by N is the instructions per request (start-up and warm-up
#       cancel out). Callgrind does not see the machine's load; CPU time does.
#   -a  where the audit log directory is made [the temporary directory]; one request at a
#       time means one audit fsync per request, whose kernel time counts as the gateway's:
#       -a /dev/shm (a tmpfs) leaves it out
#   -k  the master key file to use [a new one]: two binaries given the same key forward the
#       same tokens, so their forwarded bodies can be compared
#   -o  write the last body the upstream received (the de-identified webhook) here
#   -v  send BODIES different webhooks in turn (synth seeds 11, 12, …: a different patient,
#       notes and answers in each) instead of one repeated [1]: what the detector's memo of
#       short texts and the vault's remembered look-ups are worth on varied traffic
#
# In callgrind mode CG_KEEP=FILE keeps the 20+N-request profile and CG_KEEP_BASE=FILE the
# 20-request one: their difference, function by function, is the per-request split.
#
# Everything is synthetic (phigate synth) and on 127.0.0.1; every process it starts is
# stopped on exit. The audit log goes in the temporary directory.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
BIN=$ROOT/target/release/phigate
SIZE=4096
N=
MODE=cpu
AUDIT_PARENT=
KEY_FILE=
OUT=
BODIES=1
while getopts "b:s:n:m:a:k:o:v:" opt; do
    case $opt in
        b) BIN=$OPTARG ;;
        s) SIZE=$OPTARG ;;
        n) N=$OPTARG ;;
        m) MODE=$OPTARG ;;
        a) AUDIT_PARENT=$OPTARG ;;
        k) KEY_FILE=$(cd "$(dirname "$OPTARG")" && pwd)/$(basename "$OPTARG") ;;
        o) OUT=$(cd "$(dirname "$OPTARG")" && pwd)/$(basename "$OPTARG") ;;
        v) BODIES=$OPTARG ;;
        *) sed -n '2,20p' "$0"; exit 2 ;;
    esac
done
[[ $MODE == cpu || $MODE == callgrind ]] || { echo "gw-replay: -m cpu|callgrind" >&2; exit 2; }
[[ -n $N ]] || { [[ $MODE == cpu ]] && N=2000 || N=300; }
[[ -x $BIN ]] || { echo "gw-replay: no binary at $BIN" >&2; exit 1; }
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")

TMP=$(mktemp -d "${TMPDIR:-/tmp}/phigate-gw-replay.XXXXXX")
AUDIT_DIR=$TMP/audit
[[ -z $AUDIT_PARENT ]] || AUDIT_DIR=$(mktemp -d "$AUDIT_PARENT/phigate-gw-replay-audit.XXXXXX")
GW_PID=
UP_PID=
cleanup() {
    set +e
    [[ -n $GW_PID ]] && kill "$GW_PID" 2>/dev/null && wait "$GW_PID" 2>/dev/null
    [[ -n $UP_PID ]] && kill "$UP_PID" 2>/dev/null && wait "$UP_PID" 2>/dev/null
    [[ -z $OUT || ! -e $TMP/upstream.last ]] || cp "$TMP/upstream.last" "$OUT"
    rm -rf "$TMP"
    [[ -z $AUDIT_PARENT ]] || rm -rf "$AUDIT_DIR"
}
trap cleanup EXIT

cd "$TMP"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=localhost \
    -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -days 2 -keyout key.pem -out cert.pem 2>/dev/null
if [[ -n $KEY_FILE ]]; then cp "$KEY_FILE" master.key; else "$BIN" keygen --out master.key >/dev/null 2>&1; fi
"$BIN" vault init --vault vault --key-file master.key >/dev/null
KEY=$(openssl rand -hex 24)
KEY_SHA256=$(printf %s "$KEY" | sha256sum | cut -d' ' -f1)
for ((i = 0; i < BODIES; i++)); do
    "$BIN" synth --seed $((11 + i)) --count 60 --kind fhir >synth.jsonl
    python3 "$HERE/load-bench/make-body.py" synth.jsonl "$SIZE" >"body.$i.json"
done

# A minimal upstream: answers 200 "ok" to anything, keep-alive.
python3 - >upstream.port <<'EOF' &
import http.server, socketserver, sys, os
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        n = int(self.headers.get("Content-Length", 0)); body = self.rfile.read(n)
        with open("upstream.last.tmp", "wb") as f: f.write(body)
        os.replace("upstream.last.tmp", "upstream.last")
        self.send_response(200); self.send_header("Content-Length", "2"); self.end_headers()
        self.wfile.write(b"ok")
    def log_message(self, *a): pass
s = socketserver.ThreadingTCPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
EOF
UP_PID=$!
for _ in $(seq 50); do [[ -s upstream.port ]] && break; sleep 0.1; done
UPSTREAM_PORT=$(cat upstream.port)
sed -e "s|@AUDIT_DIR@|$AUDIT_DIR|" -e "s|@MAX_CONCURRENT@|64|" -e "s|@KEY_SHA256@|$KEY_SHA256|" \
    -e "s|@UPSTREAM_PORT@|$UPSTREAM_PORT|" "$HERE/load-bench/phigate.toml.in" >phigate.toml

# start [wrapper...]: starts the gateway, sets GW_PID and GW_ADDR.
start() {
    : >gw.out
    "$@" "$BIN" serve --config phigate.toml --threads 1 >gw.out 2>gw.err &
    GW_PID=$!
    GW_ADDR=
    for _ in $(seq 1200); do
        GW_ADDR=$(sed -n 's|^phigate listening https://||p' gw.out | head -1)
        [[ -n $GW_ADDR ]] && return 0
        kill -0 "$GW_PID" 2>/dev/null || { cat gw.err >&2; exit 1; }
        sleep 0.1
    done
    echo "gw-replay: the gateway did not start" >&2
    exit 1
}
stop() { kill -INT "$GW_PID"; wait "$GW_PID" 2>/dev/null || true; GW_PID=; }

# send COUNT [PAUSE_FILE]: COUNT requests over one connection; with PAUSE_FILE, sends 50,
# writes the file, waits for it to be removed, then sends COUNT.
send() {
    python3 - "$GW_ADDR" "$KEY" "$1" "${2:-}" <<'EOF'
import http.client, os, ssl, sys, time
addr, key, count, pause = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
host, port = addr.rsplit(":", 1)
ctx = ssl._create_unverified_context()
c = http.client.HTTPSConnection(host, int(port), context=ctx, timeout=600)
import glob, itertools
bodies = itertools.cycle([open(p, "rb").read() for p in sorted(glob.glob("body.*.json"))])
hdr = {"Authorization": "Bearer " + key, "Content-Type": "application/fhir+json"}
def one():
    c.request("POST", "/hooks/bench", body=next(bodies), headers=hdr)
    r = c.getresponse(); r.read()
    if r.status != 200: sys.exit(f"gw-replay: answer {r.status}")
if pause:
    for _ in range(50): one()
    open(pause, "w").close()
    while os.path.exists(pause): time.sleep(0.01)
for _ in range(count): one()
EOF
}

ticks() { awk '{ print $14, $15 }' "/proc/$GW_PID/stat"; }

if [[ $MODE == cpu ]]; then
    start
    send "$N" pause &
    SENDER=$!
    while [[ ! -e pause ]]; do sleep 0.01; done
    read -r u0 s0 < <(ticks)
    rm pause
    wait "$SENDER"
    read -r u1 s1 < <(ticks)
    python3 - "$SIZE" "$N" "$u0" "$s0" "$u1" "$s1" <<'EOF'
import os, sys
size, n, u0, s0, u1, s1 = map(int, sys.argv[1:])
hz = os.sysconf("SC_CLK_TCK")
per = lambda t: 1e6 * t / hz / n
load = " ".join(open("/proc/loadavg").read().split()[:3])
print(f"{size} bytes, {n} requests: {per(u1 - u0 + s1 - s0):.1f} us CPU per request "
      f"(user {per(u1 - u0):.1f}, system {per(s1 - s0):.1f}; load average {load})")
EOF
    stop
else
    total() { # requests -> total instructions of the whole process
        start valgrind --tool=callgrind --callgrind-out-file="$TMP/cg.$1" -q
        send "$1"
        stop
        awk '/^summary:|^totals:/ { print $2; exit }' "$TMP/cg.$1"
    }
    a=$(total 20)
    b=$(total $((20 + N)))
    cp "$TMP/cg.$((20 + N))" "${CG_KEEP:-/dev/null}" 2>/dev/null || true
    cp "$TMP/cg.20" "${CG_KEEP_BASE:-/dev/null}" 2>/dev/null || true
    python3 -c "print(f'{$SIZE} bytes: {($b-$a)/$N/1e3:,.1f} k instructions per request ($N requests; totals $a / $b)')"
fi
