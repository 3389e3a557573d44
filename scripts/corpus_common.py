"""What the labelled-corpus generators share (`heldout.py`, `dev2.py`, `tagger_corpus.py`).

Each generator has its own templates, locales and value kinds; filling a template, seeding
Faker and joining sentences into a note is done the same way by all of them, here.
"""
import os
import re
import sys

from faker import Faker


def fix_string_hashing():
    """Re-runs the script with PYTHONHASHSEED=0 unless it is already set so.

    Some Faker locales pick from sets, whose order follows Python's per-process string
    hashing: without this a seed would not always write the same corpus.
    """
    if os.environ.get("PYTHONHASHSEED") != "0":
        os.environ["PYTHONHASHSEED"] = "0"
        os.execv(sys.executable, [sys.executable] + sys.argv)


def seeded_fakers(locales, rng):
    """One Faker per locale, each seeded from `rng` in the order given."""
    fakers = {}
    for loc in locales:
        f = Faker(loc)
        f.seed_instance(rng.randint(0, 2**31))
        fakers[loc] = f
    return fakers


def render(template, value, fake, rng):
    """Fills each `{kind}` slot with `value(kind, fake, rng)` -> (text, type or None);
    returns the text and a gold span for every slot whose type is not None."""
    text, spans, pos = "", [], 0
    for m in re.finditer(r"\{(\w+)\}", template):
        text += template[pos:m.start()]
        v, typ = value(m.group(1), fake, rng)
        if typ:
            spans.append({"start": len(text), "end": len(text) + len(v), "type": typ,
                          "label": m.group(1)})
        text += v
        pos = m.end()
    return text + template[pos:], spans


def join(pieces, sep=" "):
    """Sentences `[(text, spans)]` joined by `sep` (one space unless told), spans moved to the
    joined text."""
    texts, spans, off = [], [], 0
    for text, s in pieces:
        spans += [dict(x, start=x["start"] + off, end=x["end"] + off) for x in s]
        texts.append(text)
        off += len(text) + len(sep)
    return sep.join(texts), spans


def strip_marks(s):
    """A name as typed on a keyboard without its letters' marks (`Ó` -> `O`, `đ` -> `d`)."""
    import unicodedata

    for a, b in (("đ", "d"), ("Đ", "D"), ("ı", "i"), ("ø", "o"), ("Ø", "O"), ("ð", "d"),
                 ("Ð", "D"), ("þ", "th"), ("Þ", "Th"), ("æ", "ae"), ("ł", "l"), ("Ł", "L"),
                 ("ß", "ss")):
        s = s.replace(a, b)
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))


def write_doc(out, doc_id, source, text, spans):
    """One labelled document as a JSON line in the scorer's format (`../shared/eval/score.py`);
    `source` records where its values came from (the Faker locales)."""
    import json

    out.write(json.dumps({"id": doc_id, "source": source, "format": "text", "text": text,
                          "spans": spans}, ensure_ascii=False) + "\n")


def scan_corpus(path, cmd):
    """Reads a labelled corpus and runs `cmd` (a `phigate scan --jsonl` command line) over
    its texts; returns the documents and each document's output text by id."""
    import json
    import subprocess

    docs = [json.loads(l) for l in open(path, encoding="utf-8") if l.strip()]
    payload = "".join(json.dumps({"id": d["id"], "text": d["text"], "content_type": "text/plain"})
                      + "\n" for d in docs)
    run = subprocess.run(cmd, input=payload.encode(), capture_output=True, check=True)
    outs = {o["id"]: o["text"] for o in map(json.loads, run.stdout.decode().splitlines())}
    return docs, outs


class Romanised:
    """Names from a given-name and a family-name list, shaped like Faker's person methods."""

    def __init__(self, first, last, rng):
        self.first, self.last, self.rng = first, last, rng

    def first_name(self):
        return self.rng.choice(self.first)

    def last_name(self):
        return self.rng.choice(self.last)

    def name(self):
        return f"{self.first_name()} {self.last_name()}"
