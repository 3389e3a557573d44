#!/usr/bin/env python3
"""Where the gateway's CPU goes, by component, from a perf profile with DWARF call graphs.

    scripts/load-bench.sh -s 4096 -r 0 -p /tmp/gw.data      # records the 4 KB case
    perf script -i /tmp/gw.data | scripts/perf-categories.py [-v]

Each sample goes to the component of the innermost frame that names one (so malloc,
memcpy or regex_automata count for whoever called them): detection, the JSON walk,
tokenisation, the vault, the audit trail and writer, serde_json, TLS, hyper, tracing,
tokio. It also prints the share of each thread (the audit writer is `phigate-audit`).
-v lists the leaf functions of samples no rule claimed. Profiles need a build with
debug info (the release profile has `debug = 1`) and `--call-graph dwarf` (frame
pointers are not kept, so `-g` stacks stop short).
"""
import collections
import re
import sys

RULES = [
    ("detection (src/detect)", r"phigate::detect::"),
    ("patient memory (src/memory, engine::recall)", r"phigate::memory::|phigate::engine::recall"),
    ("vault look-up (sled, src/vault)", r"phigate::vault::|\bsled::"),
    ("audit (trail, subject hashes, writer, fsync)",
     r"phigate::audit::|phigate::gateway::trail|audit_request|audit_before"),
    ("tokenisation (transform: HMAC, batch)", r"phigate::transform::|ring::hmac|phigate::phi::token"),
    ("JSON parse/serialise (serde_json)", r"serde_json::|phigate::engine::json::parse"),
    ("walk (engine, not detection)", r"phigate::engine::|phigate::canon"),
    ("TLS (rustls, ring aead)", r"rustls|aes_gcm|aes_hw|gcm_|ring_core.*aes|ring::aead"),
    ("hyper / HTTP", r"\bhyper::|hyper_util|\bh2::|http_body"),
    ("tracing / telemetry", r"tracing|telemetry|opentelemetry"),
    ("gateway (handle, auth, forward, metrics)", r"phigate::gateway::"),
    ("tokio runtime", r"tokio::"),
]


def main() -> None:
    counts: collections.Counter = collections.Counter()
    threads: collections.Counter = collections.Counter()
    unclaimed: collections.Counter = collections.Counter()
    total = 0
    stack: list = []
    thread = ""

    def flush() -> None:
        nonlocal total
        if not stack:
            return
        total += 1
        threads[thread] += 1
        for frame in stack:
            for name, pat in RULES:
                if re.search(pat, frame):
                    counts[name] += 1
                    return
        counts["kernel (syscalls, scheduling)" if "[kernel" in stack[0] else "other"] += 1
        unclaimed[stack[0][:90]] += 1

    for line in sys.stdin:
        if not line.strip():
            flush()
            stack = []
        elif line[0] not in " \t":
            stack = []
            thread = line.split()[0]
        else:
            parts = line.strip().split(None, 1)
            stack.append(parts[-1])
    flush()
    if not total:
        sys.exit("no samples on stdin (perf script output expected)")
    for name, n in counts.most_common():
        print(f"{100 * n / total:6.1f}%  {name}")
    print(f"samples: {total}; by thread: " + ", ".join(
        f"{t} {100 * n / total:.1f}%" for t, n in threads.most_common()))
    if "-v" in sys.argv:
        for leaf, n in unclaimed.most_common(15):
            print(f"   {100 * n / total:5.1f}% {leaf}")


if __name__ == "__main__":
    main()
