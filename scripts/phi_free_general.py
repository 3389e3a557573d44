#!/usr/bin/env python3
"""Labelled short documents, mostly free of PHI, that teach the statistical tagger which
capitalised words in everyday and clinical text are not names or places.

The general-domain inputs of the tagger's manifest (`general_v3.py`, `general_dev.py`) are
full of people called Rose or Iris, of `X Y (born 1950)` and of street names with `De`;
trained on them alone the tagger took `Iris` in a list of flowers, `Baby Girl (born at 32
weeks)` and the `De` of `De Quervain` (BENCHMARKS.md, stop 52). These lines are this
project's own, written in those inputs' kinds of text (chat, SMS, e-mail, notes, letters):
  * eponyms with a particle (`De Quervain`, `de Quervain's`, `von Willebrand`, `Le Fort`)
    and without one (`Dupuytren`, `Colles`, `Finkelstein`), with or without an ICD-10 code;
  * newborn and litter lines (`Baby Girl (born at 32 weeks)`, `Twin B`, `the lambs (born
    early)`), with the family's surname marked when it is written;
  * flower, plant and colour words written with capitals (`Rose, Lily and Iris`, `Holly`,
    `Sage`, an `Iris` in an eye examination);
and, in about a third of the documents, a contrast sentence where such a word is a person
(a flower name as a given name, alone or before a surname; a newborn's or a patient's
surname), marked as a NAME, so the tagger learns the context rather than the word alone.
Values (surnames, given names) come from Faker (MIT licence) in locales outside
`heldout.py --split heldout` and `note_corpus.py`'s HOLDOUT_LOCALES.

Usage (the committed corpus, see patterns/model/README.md):
    python3 scripts/phi_free_general.py --seed 1031 --count 800 > patterns/model/train/phi-free-general.jsonl

Synthetic data only: every value is generated; deterministic for a seed.
"""
import argparse
import random
import sys

from corpus_common import fix_string_hashing, join, render, seeded_fakers, write_doc

LOCALES = ["en_US", "en_GB", "en_CA", "en_IE", "de_DE", "fr_FR", "es_ES", "it_IT", "pl_PL",
           "pt_PT", "da_DK", "hu_HU", "en_IN", "fil_PH"]

PARTICLE_EPONYMS = [
    ("De Quervain", ["tenosynovitis", "release", "syndrome", "disease"]),
    ("de Quervain", ["tenosynovitis", "release", "thyroiditis"]),
    ("de Quervain's", ["tenosynovitis", "thyroiditis", "disease"]),
    ("De Quervain's", ["tenosynovitis", "release", "thyroiditis"]),
    ("DeQuervain's", ["tenosynovitis", "release"]),
    ("von Willebrand", ["disease", "factor", "panel"]),
    ("Von Willebrand", ["disease", "factor"]),
    ("von Hippel-Lindau", ["syndrome", "disease"]),
    ("Le Fort", ["I fracture", "II fracture", "III fracture", "osteotomy"]),
    ("Van der Woude", ["syndrome"]),
    ("De Lange", ["syndrome"]),
    ("Cornelia de Lange", ["syndrome"]),
    ("Di George", ["syndrome"]),
    ("Da Costa", ["syndrome"]),
    ("De Musset", ["sign"]),
    ("Van Herick", ["grading", "angle"]),
    ("von Recklinghausen", ["disease"]),
    ("La Peyronie", ["disease"]),
]
PLAIN_EPONYMS = [
    ("Dupuytren", ["contracture", "release", "disease"]), ("Colles", ["fracture"]),
    ("Smith", ["fracture"]), ("Bennett", ["fracture"]), ("Heberden", ["nodes"]),
    ("Bouchard", ["nodes"]), ("Finkelstein", ["test"]), ("Phalen", ["test", "sign"]),
    ("Tinel", ["sign", "test"]), ("Froment", ["sign"]), ("Jamar", ["dynamometer"]),
    ("Kleinert", ["protocol"]), ("Parkinson", ["disease"]), ("Crohn", ["disease"]),
    ("Hashimoto", ["thyroiditis"]), ("Raynaud", ["phenomenon"]), ("Bell", ["palsy"]),
    ("Baker", ["cyst"]), ("Morton", ["neuroma"]), ("Kienböck", ["disease"]),
    ("Guillain-Barré", ["syndrome"]), ("Osgood-Schlatter", ["disease"]),
    ("Trendelenburg", ["gait", "sign"]), ("Romberg", ["test"]), ("Lachman", ["test"]),
]
CODES = ["M65.4", "M65.9", "M72.0", "D68.0", "E06.1", "G56.01", "G56.02", "S52.5", "S02.4",
         "M25.5", "M79.6", "Q87.1", "I73.0", "G51.0"]

NEWBORNS = ["Baby Girl", "Baby Boy", "Baby A", "Baby B", "Twin A", "Twin B", "Infant Girl",
            "Infant Boy", "BABY GIRL", "BABY BOY", "baby girl", "baby boy"]
BORN = ["(born at {w} weeks)", "(born via C-section)", "(born by emergency section)",
        "(born early)", "(born at home)", "(born {n} weeks early)", "(born at {w}+{d} weeks)",
        "(born by induction)", "(born in the birth centre)", "(born breech)"]
LITTERS = ["The twins", "the twins", "Our triplets", "The lambs", "The kittens", "Our foal",
           "The puppies", "The calves", "Both babies", "The baby"]

FLOWERS = ["Rose", "Lily", "Iris", "Daisy", "Violet", "Jasmine", "Poppy", "Holly", "Ivy",
           "Heather", "Fern", "Hazel", "Laurel", "Myrtle", "Marigold", "Primrose", "Dahlia",
           "Magnolia", "Camellia", "Azalea", "Clover", "Peony", "Tulip", "Lavender",
           "Orchid", "Begonia", "Aster", "Freesia", "Snowdrop", "Bluebell"]
COLOURS = ["Rose", "Sage", "Olive", "Heather", "Hazel", "Ivory", "Lavender", "Violet",
           "Coral", "Ruby", "Amber", "Jade", "Pearl", "Willow", "Fern"]
FLOWER_NAMES = ["Rose", "Lily", "Iris", "Daisy", "Violet", "Jasmine", "Poppy", "Holly",
                "Ivy", "Heather", "Hazel", "Laurel", "Myrtle"]

PHI_FREE = [
    # eponyms, particle first
    "{code} {pe} {pe_what}.", "{pe} {pe_what} treated with a thumb spica splint.",
    "Dx: {pe} {pe_what}, right side.", "referred for {pe} {pe_what} - splint and review in 6/52",
    "{pe} {pe_what} again, worse after typing all week.",
    "Lots of people get {pe} {pe_what} after a new baby, the physio said.",
    "Reading up on {pe} {pe_what} before the appointment.",
    "ICD-10 {code} {pe} {pe_what}; {plain} {plain_what}.",
    "Assessment: {pe} {pe_what}. Plan: splint, ice, review.",
    "{pe} {pe_what} ({code}) and {plain} {plain_what} on the problem list.",
    "my {pe} {pe_what} is flaring up again lol",
    # eponyms without a particle
    "{plain} {plain_what} noted on the left; {pe} {pe_what} ruled out.",
    "{code} {plain} {plain_what}.", "Positive {plain} {plain_what} at the wrist.",
    # newborns and litters
    "{nb} {born} is feeding well.", "{nb} {born} went home today.",
    "{nb} {born} weighed {kg} kg this morning.", "{nb} is feeding well and settling.",
    "{litter} {born} are doing well.", "{litter} {born} are all feeding now!",
    "Update: {nb} {born} is off the CPAP.", "{nb} and {nb2} in the special care unit.",
    "{nb} {born}: jaundice settling, feeds 3-hourly.",
    # flowers, plants, colours
    "We planted {f1}, {f2} and {f3} along the fence.",
    "She planted {f1} and {f2} by the back door.",
    "The florist is out of {f1} and {f2} this week.",
    "Seed order: {f1}, {f2}, {f3} (two packets each).",
    "{f1} and {f2} are flowering early this year.",
    "Bulbs for the border: {f1}, {f2}, {f3}.",
    "Bouquet for the table - {f1}, {f2} and a bit of {f3}.",
    "Paint colours on the chart: {c1}, {c2} and {c3}.",
    "Iris: round and reactive, no synechiae.", "Slit lamp: Iris normal, lens clear.",
    "Iris and pupil normal both eyes.", "Iris prolapse excluded on review.",
    "{f1}, {f2} and {f3} in the garden are out at last.",
    "Holly and Ivy wreaths are on sale at the garden centre.",
]
CONTRAST = [
    "{fname} {last} brought {f1} and {f2} from her garden.",
    "Spoke to {fname} {last} about the {f1} bulbs.",
    "{nb} {last} {born} is feeding well.", "{nb} {last} went home with mum today.",
    "Mrs {last} has {pe} {pe_what} in the left wrist.",
    "{first} {last} was seen for {pe} {pe_what}.",
    "{first} {last} (born at {w} weeks) is doing well.",
    "Spoke to {fname} today about the {f1} bulbs.", "Thanks again, {fname}!",
    "{fname} is coming over on Sunday to help with the {f1} bed.",
    "Love, {fname}", "Ask {fname} if the {f1} order came in.",
]
KINDS = ["text", "sms", "chat", "email", "note"]


def value(kind, fake, rng, state):
    """A slot's text and gold type (None for the PHI-free slots)."""
    if kind == "pe":
        state["pe"] = rng.choice(PARTICLE_EPONYMS)
        return state["pe"][0], None
    if kind == "pe_what":
        return rng.choice(state["pe"][1]), None
    if kind == "plain":
        state["plain"] = rng.choice(PLAIN_EPONYMS)
        return state["plain"][0], None
    if kind == "plain_what":
        return rng.choice(state["plain"][1]), None
    if kind == "code":
        return rng.choice(CODES), None
    if kind in ("nb", "nb2"):
        return rng.choice(NEWBORNS), None
    if kind == "born":
        return rng.choice(BORN).format(w=rng.randint(26, 41), d=rng.randint(0, 6),
                                       n=rng.randint(2, 9)), None
    if kind == "w":
        return str(rng.randint(26, 41)), None
    if kind == "kg":
        return "%.1f" % rng.uniform(1.2, 4.4), None
    if kind == "litter":
        return rng.choice(LITTERS), None
    if kind in ("f1", "f2", "f3"):
        picks = state.setdefault("flowers", rng.sample(FLOWERS, 3))
        return picks[int(kind[1]) - 1], None
    if kind in ("c1", "c2", "c3"):
        picks = state.setdefault("colours", rng.sample(COLOURS, 3))
        return picks[int(kind[1]) - 1], None
    if kind == "fname":
        return rng.choice(FLOWER_NAMES), "NAME"
    if kind == "first":
        return fake.first_name(), "NAME"
    if kind == "last":
        return fake.last_name(), "NAME"
    raise KeyError(kind)


def sentence(template, fake, rng):
    state = {}
    return render(template, lambda k, f, r: value(k, f, r, state), fake, rng)


def document(rng, fakers):
    loc = rng.choice(LOCALES)
    fake = fakers[loc]
    pieces = [sentence(rng.choice(PHI_FREE), fake, rng) for _ in range(rng.randint(1, 3))]
    if rng.random() < 0.35:
        pieces.insert(rng.randint(0, len(pieces)), sentence(rng.choice(CONTRAST), fake, rng))
    kind = rng.choice(KINDS)
    sep = {"chat": "\n", "sms": " ", "email": "\n\n"}.get(kind, " ")
    return loc, join(pieces, sep)


def main():
    fix_string_hashing()
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=1031)
    ap.add_argument("--count", type=int, default=800)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    fakers = seeded_fakers(LOCALES, rng)
    for i in range(args.count):
        loc, (text, spans) = document(rng, fakers)
        write_doc(sys.stdout, f"phi-free-{args.seed}-{i}", loc, text, spans)


if __name__ == "__main__":
    main()
