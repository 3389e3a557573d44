"""What the locale value generators share (`intl-values.py`, `euro-values.py`).

Each generator has its own value pools, address formats and sentence templates; filling a
template with one locale's values, writing the corpus, the per-locale breakdown and the
command line are the same for both, here.
"""
import argparse
import collections
import json
import re
import sys

from corpus_common import fix_string_hashing, join, render, scan_corpus

TYPES = {"first": "NAME", "last": "NAME", "street": "LOCATION", "town": "LOCATION", "postcode": "ZIP"}


def record(values, loc, templates, rng):
    """One sentence from `templates` with `values`' names, towns and addresses of `loc`:
    (text, spans), each span labelled with its kind, locale and value source."""
    template = rng.choice(templates)
    sources = set()

    def value(kind, fake, rng):
        k = kind.rstrip("0123456789")
        if k in ("first", "last"):
            v, src = getattr(values, k)(loc)
        elif k == "town":
            v, src = values.town(loc)
        else:
            raise KeyError(kind)
        sources.add(src)
        return v, TYPES[k]

    if "{address}" in template:
        pieces, src = values.address(loc)
        sources.add(src)
        before, after = template.split("{address}")
        text, spans = render(before, value, None, rng)
        for piece, label in pieces:
            if label:
                spans.append({"start": len(text), "end": len(text) + len(piece), "type": TYPES[label],
                              "label": label})
            text += piece
        t2, s2 = render(after, value, None, rng)
        spans += [dict(s, start=s["start"] + len(text), end=s["end"] + len(text)) for s in s2]
        text += t2
    else:
        text, spans = render(template, value, None, rng)
    for s in spans:
        s["label"] = s["label"].rstrip("0123456789")
        s["locale"] = loc
        s["source"] = "/".join(sorted(sources))
    return text, spans


def write_corpus(values, rng, locales, templates, count, id_prefix, source):
    """Writes `count` records to stdout, locales in turn, each a name sentence and an address
    sentence; `templates` is (name templates, address templates) of the split."""
    names, addresses = templates
    for i in range(count):
        loc = locales[i % len(locales)]
        text, spans = join([record(values, loc, names, rng), record(values, loc, addresses, rng)])
        rec = {"id": f"{id_prefix}-{i}", "source": source, "format": "text", "text": text, "spans": spans}
        sys.stdout.write(json.dumps(rec, ensure_ascii=False) + "\n")


def norm(s):
    return re.sub(r"\s+", " ", s).strip().lower()


def breakdown(path, cmd, show):
    """Prints the share of values left in `cmd`'s output by label, locale and both."""
    docs, outs = scan_corpus(path, cmd)
    total, leaked = collections.Counter(), collections.Counter()
    examples = []
    for d in docs:
        out = norm(outs.get(d["id"], ""))
        for g in d["spans"]:
            surf = norm(d["text"][g["start"]:g["end"]])
            keys = [("label", g["label"]), ("locale", g["locale"]), ("locale/label", f"{g['locale']}/{g['label']}")]
            total.update(keys)
            # score.py's reading: the value's surface string still in the output.
            if surf and surf in out:
                leaked.update(keys)
                examples.append((g["locale"], g["label"], surf))
    for group in ("label", "locale", "locale/label"):
        print(f"by {group}:")
        for key in sorted(k for k in total if k[0] == group):
            print(f"  {key[1]:14} {leaked[key]:4} of {total[key]:4} leak, recall {1 - leaked[key] / total[key]:.4f}")
    for ex in examples[:show]:
        print("  ", ex)


def main(source_flag, source_default, source_help, generate):
    """The command line both generators share; `generate(folder, split, seed, count)` writes
    the corpus, `--breakdown CORPUS -- COMMAND` scores one."""
    ap = argparse.ArgumentParser()
    ap.add_argument(source_flag, dest="source", default=source_default, help=source_help)
    ap.add_argument("--split", choices=["dev", "holdout"], default="dev")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=800)
    ap.add_argument("--breakdown")
    ap.add_argument("--show", type=int, default=0)
    ap.add_argument("cmd", nargs="*")
    a = ap.parse_args()
    if a.breakdown:
        breakdown(a.breakdown, a.cmd, a.show)
    else:
        fix_string_hashing()
        generate(a.source, a.split, a.seed, a.count)
