#!/usr/bin/env python3
"""Names written with letters outside ASCII, in notes and letters (issue 13, `fold`).

A development corpus for how the detector reads international names: Swedish, Norwegian,
Danish, Finnish, Icelandic, Turkish, Hungarian, Swiss and Austrian German, Swiss French,
Polish, Czech, Croatian, Serbian (Latin), Romanian, Portuguese, Spanish and Vietnamese names
(Python Faker's locale lists, MIT) in sentences of this project's own: occupational-therapy
note lines and general English. Each name is written in one of the ways a note writes names:
whole, first name alone, surname after a title (English or the locale's own), with a
particle, hyphenated, as a possessive (`'s` or `’s`), in lower case or in capitals; one
record in eight is written decomposed (NFD: a letter and its combining accent), as some
systems send text.

Two splits with disjoint templates, titles and seeds: `dev` (tune on it) and `holdout`
(score it at the end only). Labels: NAME spans, `label` saying the form, `locale` the
locale, for `../shared/eval/score.py` and `scripts/eval-errors.py`:
    {"id", "source", "format": "text", "text", "spans": [{"start", "end", "type", "label"}]}
Offsets are characters of the text as written (after NFD when the record is decomposed).

Usage:
    python3 scripts/intl-names.py --split dev --seed 1 --count 600 > /tmp/intl-dev.jsonl
    python3 scripts/intl-names.py --breakdown /tmp/intl-dev.jsonl -- target/release/phigate scan --jsonl
The second form prints the share of names left in the output by locale and by form (a
development aid; every value is synthetic).

Synthetic data only: every value is generated.
"""
import argparse
import collections
import json
import random
import re
import sys
import unicodedata

from corpus_common import fix_string_hashing, scan_corpus, seeded_fakers

# Locale -> the locale's own courtesy titles (written before a surname).
LOCALES = {
    "sv_SE": ["Fru", "Herr"],
    "no_NO": ["Fru", "Herr"],
    "da_DK": ["Fru", "Hr."],
    "fi_FI": ["Rouva", "Herra"],
    "is_IS": ["Frú", "Herra"],
    "tr_TR": ["Bay", "Bayan", "Sayın"],
    "hu_HU": ["Úr", "Asszony"],
    "de_CH": ["Frau", "Herr"],
    "de_AT": ["Frau", "Herr"],
    "fr_CH": ["Mme", "M."],
    "pl_PL": ["Pan", "Pani"],
    "cs_CZ": ["Pan", "Paní"],
    "hr_HR": ["Gospodin", "Gospođa"],
    "sr_BA": ["Gospodin", "Gospođa"],
    "ro_RO": ["Domnul", "Doamna"],
    "pt_PT": ["Sr.", "Sra.", "Dona"],
    "pt_BR": ["Sr.", "Sra.", "Dona"],
    "es_ES": ["Sr.", "Sra.", "Don", "Doña"],
    "vi_VN": ["Ông", "Bà", "Anh", "Chị"],
}

ENGLISH_TITLES = {"dev": ["Mr", "Mrs", "Ms", "Mr.", "Mrs."], "holdout": ["Miss", "Ms.", "Dr.", "Dr"]}

PARTICLES = {"pt": ["da", "de", "dos", "das"], "es": ["de", "del", "de la"], "de": ["von", "von der"],
             "sv": ["af", "von"], "fr": ["de", "du"], "no": ["von"], "da": ["von"]}

# `{n}` is the name in the form the record draws; `{p}` a possessive of it.
TEMPLATES = {
    "dev": [
        "OT session with {n} today: worked on upper extremity strengthening.",
        "Pt {n} seen for ADL retraining; tolerated 30 min of activity.",
        "{n} reports pain 4/10 in the right shoulder after the home exercise program.",
        "Discussed energy conservation with {n} and spouse.",
        "Goals reviewed with {n}; will continue 2x/week.",
        "{p} daughter asked about a tub transfer bench.",
        "Spoke with {n} by phone to reschedule.",
        "Patient {n} was independent with lower body dressing.",
        "Thank you for referring {n} to our clinic.",
        "{n} arrived late and was fatigued.",
        "I met {n} at the front desk this morning.",
        "Please ask {n} to bring the splint next visit.",
    ],
    "holdout": [
        "Fine motor coordination assessed; {n} completed the nine-hole peg test.",
        "Caregiver education provided to {n} regarding safe bathing.",
        "{n} demonstrated good carryover of hip precautions.",
        "Reviewed the splint wearing schedule with {n}.",
        "{p} son will assist with meal preparation at home.",
        "Per {n}, the grab bars were installed last week.",
        "Home visit completed; {n} navigated the stairs with a rail.",
        "Letter sent to {n} about the missed appointment.",
        "We wrote to {n} twice without an answer.",
        "The referral for {n} came from the hand clinic.",
    ],
}

FORMS = ["full", "full", "first", "title_last", "particle", "hyphen", "possessive", "last_first"]


def clean(s):
    """A Faker name part without its own titles or suffixes."""
    return re.sub(r"\s+", " ", s).strip()


def name_of(form, loc, fake, rng, split):
    """The name text and its form label."""
    first, last = clean(fake.first_name()), clean(fake.last_name())
    if form == "first":
        return first
    if form == "title_last":
        title = rng.choice(LOCALES[loc] + ENGLISH_TITLES[split])
        return title + " " + last
    if form == "particle":
        parts = PARTICLES.get(loc.split("_")[0])
        if parts:
            return f"{first} {rng.choice(parts)} {last}"
        return f"{first} {last}"
    if form == "hyphen":
        return f"{first} {last}-{clean(fake.last_name())}"
    if form == "last_first":
        return f"{last}, {first}"
    return f"{first} {last}"


def title_span(name, form):
    """Where the name itself is in `name` (a title before it is not PHI)."""
    if form == "title_last":
        cut = name.index(" ") + 1
        return cut, len(name)
    return 0, len(name)


def record(split, i, loc, fake, rng):
    template = rng.choice(TEMPLATES[split])
    form = rng.choice(FORMS)
    if "{p}" in template:
        form = "possessive"
    name = name_of("full" if form == "possessive" else form, loc, fake, rng, split)
    s, e = title_span(name, form)
    case = rng.random()
    whole_case = None
    if case < 0.08:
        name = name[:s] + name[s:].lower()
        form += "+lower"
    elif case < 0.16:
        name = name[:s] + name[s:].upper()
        form += "+upper"
    elif case < 0.20:
        whole_case = "upper"
        form += "+note_upper"
    slot = "{p}" if "{p}" in template else "{n}"
    before, after = template.split(slot)
    if slot == "{p}":
        after = rng.choice(["'s", "\u2019s"]) + after
    text = before + name + after
    start, end = len(before) + s, len(before) + e
    if whole_case == "upper":
        text = text.upper()
    if rng.random() < 0.125:
        # Decomposed: offsets move with the characters before and inside the name.
        pre, mid, post = (unicodedata.normalize("NFD", x)
                          for x in (text[:start], text[start:end], text[end:]))
        text, start, end = pre + mid + post, len(pre), len(pre) + len(mid)
        form += "+nfd"
    spans = [{"start": start, "end": end, "type": "NAME", "label": form, "locale": loc}]
    return {"id": f"intl-{split}-{i}", "source": "intl-names", "format": "text",
            "text": text, "spans": spans}


def generate(split, seed, count):
    # Disjoint seed spaces: the same --seed never draws the same names in both splits.
    rng = random.Random(seed * 2 + (split == "holdout"))
    locales = sorted(LOCALES)
    fakers = seeded_fakers(locales, rng)
    for i in range(count):
        loc = locales[i % len(locales)]
        rec = record(split, i, loc, fakers[loc], rng)
        sys.stdout.write(json.dumps(rec, ensure_ascii=False) + "\n")


def norm(s):
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", s)).strip().lower()


def breakdown(path, cmd, show):
    docs, outs = scan_corpus(path, cmd)
    total, leaked = collections.Counter(), collections.Counter()
    examples = []
    for d in docs:
        out = norm(outs.get(d["id"], ""))
        for g in d["spans"]:
            surf = norm(d["text"][g["start"]:g["end"]])
            parts = [w for w in re.findall(r"\w+", surf) if len(w) >= 2]
            left = [w for w in parts if re.search(r"(?<!\w)" + re.escape(w) + r"(?!\w)", out)]
            keys = [("locale", g["locale"]), ("form", g["label"].split("+")[0])]
            keys += [("style", x) for x in g["label"].split("+")[1:]]
            for k in keys + [("all", "")]:
                total[k] += 1
                leaked[k] += bool(left)
            if left:
                examples.append((g["locale"], g["label"], d["text"][g["start"]:g["end"]], left))
    for k in sorted(total):
        print(f"{k[0]:7} {k[1]:12} {leaked[k]:4} of {total[k]:4} leak ({leaked[k] / total[k]:.3f})")
    for ex in examples[:show]:
        print("  ", ex)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--split", choices=["dev", "holdout"], default="dev")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=600)
    ap.add_argument("--breakdown")
    ap.add_argument("--show", type=int, default=0)
    ap.add_argument("cmd", nargs="*")
    a = ap.parse_args()
    if a.breakdown:
        breakdown(a.breakdown, a.cmd, a.show)
    else:
        fix_string_hashing()
        generate(a.split, a.seed, a.count)


if __name__ == "__main__":
    main()
