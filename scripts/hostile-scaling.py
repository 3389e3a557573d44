#!/usr/bin/env python3
"""Hostile-input scaling probe: does any input shape cost more than its length?

Each shape is one document made of a short unit repeated (`Name: ` × n, `a.` × n, a JSON
object with n keys ...), written at two sizes, SMALL and 4 × SMALL bytes, and scanned by
`phigate scan` once each. The CPU time of the larger divided by the smaller's is about 4
when the cost is linear and about 16 when it is quadratic; a shape over --flag (default 8)
is reported as superlinear and the exit status is 1. Start-up (~0.1 s) is measured on an
empty document and taken off both.

    python3 scripts/hostile-scaling.py [--bin target/release/phigate] [--small 524288]

Figures are CPU seconds on a shared machine: orders of magnitude, not benchmarks. The
gateway's default body limit is 4 MiB (`[limits] max_body_bytes`); a shape at, say,
1 s per MB there costs a core 4 s per request, which the request timeout does not stop.
"""

import argparse
import base64
import json
import os
import resource
import subprocess
import sys
import tempfile
import urllib.parse


def repeat(unit, size):
    return (unit * (size // len(unit) + 1))[:size]


def json_keys(size):
    n = size // 24
    return json.dumps({f"k{i:07d}": f"Smith {i % 97}" for i in range(n)})


def json_array(size):
    return json.dumps([{"name": "Ann Lee", "dob": "1/2/1950"}] * (size // 40))


def json_in_string(size):
    inner = json.dumps({"note": repeat("Pt John Smith seen. ", size // 2)})
    return json.dumps({"payload": inner})


def base64_note(size):
    note = repeat("Pt Ann Lee DOB 01/02/1950 MRN 12345678. ", size * 3 // 4)
    return json.dumps({"blob": base64.b64encode(note.encode()).decode()})


def percent_note(size):
    return urllib.parse.quote(repeat("name=Ann Lee&", size // 3))


# (name, content type, builder(size) -> text)
SHAPES = [
    ("`Name: ` x", "text/plain", lambda n: repeat("Name: ", n)),
    ("`Dr. ` x", "text/plain", lambda n: repeat("Dr. ", n)),
    ("`a.` x", "text/plain", lambda n: repeat("a.", n)),
    ("`1-2-3-4-` x", "text/plain", lambda n: repeat("1-2-3-4-", n)),
    ("`1/2/3/4/` x", "text/plain", lambda n: repeat("1/2/3/4/", n)),
    ("`1/2-` x", "text/plain", lambda n: repeat("1/2-", n)),
    ("`12-34-` x", "text/plain", lambda n: repeat("12-34-", n)),
    ("`SMITH ` x", "text/plain", lambda n: repeat("SMITH ", n)),
    ("`JOHN SMITH ` x", "text/plain", lambda n: repeat("JOHN SMITH ", n)),
    ("`Mary's ` x", "text/plain", lambda n: repeat("Mary's ", n)),
    ("`Thanks,\\nJohn Smith\\n` x", "text/plain", lambda n: repeat("Thanks,\nJohn Smith\n", n)),
    ("`Smith, ` x", "text/plain", lambda n: repeat("Smith, ", n)),
    ("`Room 318 4E-17 ` x", "text/plain", lambda n: repeat("Room 318 4E-17 ", n)),
    ("`seen 3/4 and 3/5/2020. ` x", "text/plain", lambda n: repeat("seen 3/4 and 3/5/2020. ", n)),
    ("`to Towson Memorial Hospital ` x", "text/plain",
     lambda n: repeat("went to Towson Memorial Hospital from Baltimore. ", n)),
    ("`from QUARTERMAIN to QUARTERMAIN3 ` x", "text/plain",
     lambda n: repeat("from QUARTERMAIN to QUARTERMAIN3 at SEDLEY. ", n)),
    ("`Dorđević Ibáñez ` x", "text/plain", lambda n: repeat("Đorđević Ibáñez ", n)),
    ("`a@b.c` x", "text/plain", lambda n: repeat("a@b.c", n)),
    ("`one double two, ` x", "text/plain", lambda n: repeat("one double two, ", n)),
    ("`5five5-` x", "text/plain", lambda n: repeat("5five5-", n)),
    ("`J0hn Sm1th ` x", "text/plain", lambda n: repeat("J0hn Sm1th ", n)),
    ("`Acct 4471 2290 ` x", "text/plain", lambda n: repeat("Acct 4471 2290 ", n)),
    ("one word", "text/plain", lambda n: repeat("A", n)),
    ("newlines", "text/plain", lambda n: repeat("\n", n)),
    ("a note x", "text/plain", lambda n: repeat(
        "Pt John Smith DOB 01/02/1950 MRN 12345678 lives at 12 Oak St, Towson MD 21204, "
        "ph 410-555-1234. ", n)),
    ("`<p>` then `<a ` x (no `>`)", "text/plain", lambda n: "<p>" + repeat("<a ", n)),
    ("`<p>` then `<!--` x (no `-->`)", "text/plain", lambda n: "<p>" + repeat("<!--", n)),
    ("`<p a\"x\"` x (one long tag)", "text/plain", lambda n: "<p " + repeat('a"x"', n) + ">"),
    ("`<b>Ann</b> ` x", "text/plain", lambda n: repeat("<b>Ann</b> Lee ", n)),
    ("JSON, n keys", "application/json", json_keys),
    ("JSON, n objects", "application/json", json_array),
    ("JSON in a JSON string", "application/json", json_in_string),
    ("base64 note in JSON", "application/json", base64_note),
    ("form, percent-encoded", "application/x-www-form-urlencoded", percent_note),
    # HL7 escape characters that open no sequence (red team 50, F14: each one rescanned
    # its word, 100 kB took 4-8 s).
    ("HL7 `\\` x", "application/hl7-v2", lambda n: "MSH|^~\\&|" + repeat("\\", n)),
    ("HL7 `\\X` x", "application/hl7-v2", lambda n: "MSH|^~\\&|" + repeat("\\X", n)),
    ("HL7 `\\H\\a` x", "application/hl7-v2", lambda n: "MSH|^~\\&|" + repeat("\\H\\a", n)),
]


def cpu_seconds(binary, path, content_type):
    """CPU seconds (user + system) of one `phigate scan` of `path`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(
        [binary, "scan", "--content-type", content_type, path],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        # A refusal is a fine answer to a hostile document; its cost still counts.
        reason = done.stderr.decode(errors="replace").strip().splitlines()[-1:]
        print(f"    (refused: {reason[0] if reason else done.returncode})", file=sys.stderr)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", default="target/release/phigate")
    ap.add_argument("--small", type=int, default=512 * 1024, help="smaller size in bytes")
    ap.add_argument("--flag", type=float, default=8.0, help="ratio reported as superlinear")
    args = ap.parse_args()
    bad = []
    with tempfile.TemporaryDirectory() as tmp:
        empty = os.path.join(tmp, "empty.txt")
        open(empty, "w").close()
        base = min(cpu_seconds(args.bin, empty, "text/plain") for _ in range(3))
        print(f"start-up {base:.3f} s; sizes {args.small} and {4 * args.small} bytes\n")
        print("| shape | small (s) | 4x (s) | ratio | MB/s at 4x |")
        print("|---|---|---|---|---|")
        for name, ctype, build in SHAPES:
            times = []
            for size in (args.small, 4 * args.small):
                path = os.path.join(tmp, "doc")
                with open(path, "w", encoding="utf-8") as f:
                    f.write(build(size))
                real = os.path.getsize(path)
                # The faster of two runs: a shared machine only ever adds time.
                spent = min(cpu_seconds(args.bin, path, ctype) for _ in range(2))
                times.append((max(spent - base, 0.01), real))
            (t1, _), (t4, n4) = times
            ratio = t4 / t1
            mark = " **superlinear**" if ratio > args.flag and t4 > 0.2 else ""
            if mark:
                bad.append(name)
            print(f"| {name} | {t1:.3f} | {t4:.3f} | {ratio:.1f}{mark} | {n4 / t4 / 1e6:.1f} |")
    if bad:
        print(f"\nsuperlinear: {', '.join(bad)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
