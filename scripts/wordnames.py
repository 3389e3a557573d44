#!/usr/bin/env python3
"""First names that are also English words, as people and as words (issue 13, `personctx`).

Why: a first name that is also a word or a town (Hope, Bill, June, Grace, Park) is kept
unless something in the sentence shows a person. This generator writes sentences where such
names are people (a verb that takes a human subject, a kinship noun in apposition, a
coordination with another person, a surname after them, a title before a one-case name, an
English-word surname after a given name) and sentences where the same words are ordinary
words, months, towns or insurers (`hope to improve`, `will follow up`, `in May`, `Liberty
Mutual`), each labelled for `../shared/eval/score.py`:
    {"id", "source", "format": "text", "text", "class", "spans": [{"start", "end", "type", "label"}]}
A record is one filler sentence of a note (no PHI) and one sentence of its class. Classes
starting `find:` hold names (type NAME); `keep:` classes hold none.

Split (tune on dev only; report holdout):
    --split dev      DEV templates, DEV name words, DEV relations
    --split holdout  HOLD templates, HOLD name words, HOLD relations (written apart: other
                     verbs, other sentence shapes, other names)
Names and surnames are this file's own short lists (synthetic people; the word-names are
ordinary English words that are also given names).

Usage:
    python3 scripts/wordnames.py --split dev --seed 1 --count 600 > /tmp/wn-dev.jsonl
    python3 scripts/wordnames.py --breakdown /tmp/wn-dev.jsonl -- target/debug/phigate scan --jsonl
The second form prints, per class, the share of names found whole (find classes) and the
share of sentences with any detection outside the gold spans (every class), and lists the
misses and false positives with `--show N`.

Synthetic data only: every value is generated.
"""
import argparse
import collections
import json
import random
import subprocess
import sys

# ---- name words (given names that are also English words or towns) ----
DEV_WORDNAMES = ["Hope", "Bill", "Sunny", "Will", "June", "Amber", "Crystal", "Grace", "Faith",
                 "Rose", "May", "Austin", "Joy", "Dawn", "Holly", "Mark", "Frank", "Ruby",
                 "Summer", "Pearl", "Ivy", "Jack"]
HOLD_WORDNAMES = ["Violet", "Daisy", "Lily", "Heather", "Robin", "Brandy", "Chance", "Hunter",
                  "April", "Hazel", "Olive", "Ray", "Chase", "Sage", "Angel", "Melody", "Penny",
                  "Ginger", "Sandy", "Glen", "Destiny", "Autumn"]
# Surnames that are no English word (the person's other half).
DEV_SURNAMES = ["Okafor", "Delgado", "Kowalski", "Nakamura", "Brennan", "Haddad", "Lindqvist",
                "Moreau", "Petrov", "Ramirez"]
HOLD_SURNAMES = ["Adeyemi", "Castellano", "Novak", "Yamada", "Fitzgerald", "Mansour",
                 "Johansson", "Dubois", "Ivanova", "Quintero"]
# Given names no word list holds, then surnames that are English words.
DEV_GIVEN = ["Seo-yeon", "Priya", "Tomasz", "Olumide", "Mei", "Anneliese", "Rafael", "Ingrid",
             "Dmitri", "Fatima"]
DEV_WORD_SURNAMES = ["Park", "Hill", "Young", "Rice", "Bell", "Moon", "King", "Long", "Stone",
                     "Wood"]
HOLD_GIVEN = ["Ji-woo", "Anjali", "Wojciech", "Chinedu", "Xiu", "Margarethe", "Joaquin",
              "Solveig", "Svetlana", "Yusuf"]
HOLD_WORD_SURNAMES = ["Song", "Lane", "Fox", "Cook", "Little", "Snow", "Day", "Field", "Marsh",
                      "Reed"]
# One-case names after a title: (given, surname) written lower case.
DEV_ONECASE = [("zhang", "li"), ("de la", "cruz"), ("nguyen", "thi lan"), ("maria", "santos"),
               ("wei", "chen"), ("ana", "da silva")]
HOLD_ONECASE = [("liu", "yang"), ("van der", "berg"), ("tran", "van minh"), ("jose", "reyes"),
                ("hui", "wang"), ("luis", "dos santos")]
DEV_RELATIONS = ["niece", "nephew", "daughter", "son", "sister", "brother", "wife", "husband",
                 "friend", "neighbor", "caregiver"]
HOLD_RELATIONS = ["granddaughter", "grandson", "cousin", "aunt", "uncle", "mother", "father",
                  "partner", "roommate", "stepdaughter"]
DEV_TITLES = ["Ms.", "Mr.", "ms.", "mr.", "Mrs."]
HOLD_TITLES = ["Mrs", "Ms", "Mr", "mrs.", "Miss"]

# Plural relations for two people named together.
PLURALS = ["nieces", "nephews", "daughters", "sons", "friends", "neighbors", "cousins"]

FILLERS = [
    "OT progress note.",
    "Pt seen for ADL retraining.",
    "Session 45 min, tolerated well.",
    "Home safety reviewed with pt.",
    "Social work note.",
    "Pain 3/10 at rest.",
    "Family history and social history updated.",
    "Message from front desk.",
]

# ---- templates: {f} a word-name, {f2} another, {rel} a relation, {last} a surname,
# {given}/{wlast} a given name and an English-word surname, {title} {o1} {o2} a one-case name.
DEV = {
    "find:verb-start": [
        "{f} stayed in the car during the session.",
        "{f} drove him to the clinic this morning.",
        "{f} was tearful today when discussing discharge.",
        "{f} brought his walker from home.",
        "{f} helped her with the shower transfer.",
        "{f} visited after lunch and stayed an hour.",
        "{f} is her main support at home.",
        "{f} feels overwhelmed with caregiving.",
    ],
    "find:verb-mid": [
        "After the session {f} drove her home.",
        "Per the nurse, {f} was anxious about the stairs.",
        "This afternoon {f} cried when the plan was explained.",
        "At noon {f} brought clean clothes.",
        "Yesterday {f} stayed overnight with him.",
        "Later {f} was upset about the wait.",
    ],
    "find:apposition": [
        "{f}, her {rel}, visited this afternoon.",
        "Her {rel} {f} will assist with meals.",
        "{f} ({rel}) present for education.",
        "Pt lives with his {rel}, {f}, in a ranch home.",
        "Discussed the plan with her {rel} {f} at bedside.",
    ],
    "find:coordination": [
        "Pt came with {f} and his {rel} {f2}.",
        "{f} and {f2}, her {rels}, visited.",
        "Daughter {f} and {f2} will share the care.",
        "Plan reviewed with {f} and {f2} at bedside.",
    ],
    "find:first-last": [
        "{f} {last} called to reschedule.",
        "Emergency plan reviewed with {f} {last}.",
        "Pt's friend {f} {last} drove her in.",
    ],
    "find:word-surname": [
        "{given} {wlast} called about the equipment.",
        "Pt accompanied by {given} {wlast}, her {rel}.",
        "Message left for {given} {wlast} re: home visit.",
        "Seen with interpreter {given} {wlast}.",
    ],
    "find:title-onecase": [
        "{title} {o1} {o2} seen for ADL retraining.",
        "Spoke with {title} {o1} {o2} about the bench.",
        "Pt {title} {o1} {o2} tolerated the session.",
    ],
    "keep:words": [
        "We hope to improve her grip strength by next week.",
        "Will follow up with PT on Monday.",
        "Follow-up visit in May, sooner if needed.",
        "She tends a rose garden and wants to kneel again.",
        "Front desk will bill the insurer for the splint.",
        "Pt was able to park the car and walk in.",
        "Visit moved to June; pt agrees.",
        "Amber colored urine noted; RN aware.",
        "Crystal clear instructions given for the HEP.",
        "Pt has faith that therapy will help.",
        "Sunny weather; pt walked outside with a cane.",
        "Pt may shower with the dressing covered.",
        "Family will drive pt to the follow-up.",
        "Grace period for the copay explained.",
        "Pt is a joy to work with.",
        "Awoke at dawn with hand pain.",
        "Mark the splint with her initials.",
        "Pt was frank about missing doses.",
        "Grip strength improved in May and June.",
        "Pt will bring the bill from the pharmacy.",
        "Dawn and dusk routines reviewed.",
        "Hope and motivation are good.",
    ],
    "keep:orgs": [
        "Insurance: Liberty Mutual, claim pending.",
        "Blue Cross denied the second splint.",
        "United Healthcare approved 12 visits.",
        "Aetna requires prior authorization for the bench.",
        "Billed to Liberty Mutual per the adjuster.",
        "Coverage through Blue Shield changed in March.",
    ],
}
HOLD = {
    "find:verb-start": [
        "{f} waited in the lobby until the end of the visit.",
        "{f} picked her up after therapy.",
        "{f} was crying at the bedside.",
        "{f} lives next door and checks on him daily.",
        "{f} assisted with the tub transfer.",
        "{f} seemed worried about the cost.",
        "{f} is his only child.",
    ],
    "find:verb-mid": [
        "Before discharge {f} picked up the prescriptions.",
        "According to pt, {f} was nervous about driving.",
        "Today {f} arrived late and apologized.",
        "Per chart, {f} took her to the pharmacy.",
        "Around 2 pm {f} left to get the car.",
    ],
    "find:apposition": [
        "{f}, his {rel}, is the emergency contact.",
        "The {rel}, {f}, manages the medications.",
        "Her {rel} ({f}) asked about the splint.",
        "{f} (pt's {rel}) will transport.",
    ],
    "find:coordination": [
        "Her {rel} {f} and {f2} took turns at the bedside.",
        "Visitors today were {f} and {f2}.",
        "{f}, {f2} and the pt reviewed the schedule.",
    ],
    "find:first-last": [
        "Contact: {f} {last}, cell on file.",
        "{f} {last} will bring the walker.",
    ],
    "find:word-surname": [
        "{given} {wlast} is the health care proxy.",
        "Called {given} {wlast} with the results.",
        "Pt's {rel} {given} {wlast} asked about transport.",
    ],
    "find:title-onecase": [
        "{title} {o1} {o2} arrived on time.",
        "Treated {title} {o1} {o2} for hand therapy.",
    ],
    "keep:words": [
        "Robin's egg blue splint material chosen by pt.",
        "Pt hopes to return to work by April.",
        "Heather-colored bruising over the forearm.",
        "Plan to chase the lab results tomorrow.",
        "Sage advice given re: pacing.",
        "Olive oil used for scar massage.",
        "X-ray reviewed; no fracture.",
        "Pt takes a chance on the stairs without the rail.",
        "Hazel eyes, pupils equal.",
        "Pt will lily-pad between chairs; fall risk discussed.",
        "Ginger tea for nausea per pt.",
        "Sandy soil in the garden; pt uses a kneeler.",
        "Pt rode the ferry to the island last week.",
        "A penny-sized wound on the left heel.",
        "Hunter green theraputty issued.",
        "Daisy chain of extension cords removed for safety.",
        "Autumn leaves on the ramp are a fall risk.",
    ],
    "keep:orgs": [
        "Primary insurer: Liberty Mutual.",
        "Secondary: Blue Cross Blue Shield of Texas.",
        "UnitedHealthcare and Aetna both on file.",
        "Prior auth sent to Cigna and Humana.",
    ],
}


def pick_pair(rng, names):
    a, b = rng.sample(names, 2)
    return a, b


def fill(template, rng, split):
    wn = DEV_WORDNAMES if split == "dev" else HOLD_WORDNAMES
    sur = DEV_SURNAMES if split == "dev" else HOLD_SURNAMES
    given = DEV_GIVEN if split == "dev" else HOLD_GIVEN
    wlast = DEV_WORD_SURNAMES if split == "dev" else HOLD_WORD_SURNAMES
    onecase = DEV_ONECASE if split == "dev" else HOLD_ONECASE
    rels = DEV_RELATIONS if split == "dev" else HOLD_RELATIONS
    titles = DEV_TITLES if split == "dev" else HOLD_TITLES
    f, f2 = pick_pair(rng, wn)
    o1, o2 = rng.choice(onecase)
    values = {
        "f": (f, "first"), "f2": (f2, "first"), "last": (rng.choice(sur), "last"),
        "given": (rng.choice(given), "first"), "wlast": (rng.choice(wlast), "last"),
        "rel": (rng.choice(rels), None), "rels": (rng.choice(PLURALS), None), "title": (rng.choice(titles), None),
        "o1": (o1, "first"), "o2": (o2, "last"),
    }
    text, spans, pos = "", [], 0
    import re
    for m in re.finditer(r"\{(\w+)\}", template):
        text += template[pos:m.start()]
        v, label = values[m.group(1)]
        if label:
            spans.append({"start": len(text), "end": len(text) + len(v), "type": "NAME",
                          "label": label})
        text += v
        pos = m.end()
    text += template[pos:]
    # `{given} {wlast}` and `{o1} {o2}` are one person: one span.
    merged = []
    for s in spans:
        if merged and merged[-1]["end"] + 1 == s["start"] and text[merged[-1]["end"]] == " ":
            merged[-1] = dict(merged[-1], end=s["end"], label="name")
        else:
            merged.append(s)
    return text, merged


def generate(split, seed, count):
    rng = random.Random(f"wordnames-{split}-{seed}")
    table = DEV if split == "dev" else HOLD
    classes = sorted(table)
    for n in range(count):
        cls = classes[n % len(classes)]
        template = rng.choice(table[cls])
        filler = rng.choice(FILLERS)
        text, spans = fill(template, rng, split)
        off = len(filler) + 1
        spans = [dict(s, start=s["start"] + off, end=s["end"] + off) for s in spans]
        yield {"id": f"wn-{split}-{seed}-{n}", "source": f"wordnames-{split}", "format": "text",
               "class": cls, "text": f"{filler} {text}", "spans": spans}


def breakdown(path, cmd, show):
    docs = [json.loads(l) for l in open(path, encoding="utf-8") if l.strip()]
    payload = "".join(json.dumps({"id": d["id"], "text": d["text"]}) + "\n" for d in docs)
    out = subprocess.run(cmd, input=payload.encode(), capture_output=True, check=True).stdout
    outs = {o["id"]: o for o in map(json.loads, out.decode().splitlines())}
    found = collections.Counter()
    total = collections.Counter()
    fp_docs = collections.Counter()
    ndocs = collections.Counter()
    misses, fps = [], []
    for d in docs:
        cls = d["class"]
        b = d["text"].encode()
        c2b = [len(d["text"][:i].encode()) for i in range(len(d["text"]) + 1)]
        det = [(s["start"], s["end"]) for s in outs.get(d["id"], {}).get("spans", [])]
        gold = [(c2b[s["start"]], c2b[s["end"]]) for s in d["spans"]]
        ndocs[cls] += 1
        for g in gold:
            total[cls] += 1
            covered = all(any(a <= i < e for a, e in det) for i in range(*g) if b[i:i+1] != b" ")
            if covered:
                found[cls] += 1
            else:
                misses.append((cls, d["text"], b[g[0]:g[1]].decode()))
        extra = [b[a:e].decode(errors="replace") for a, e in det
                 if not any(ga <= a and e <= ge for ga, ge in gold)]
        if extra:
            fp_docs[cls] += 1
            fps.append((cls, d["text"], extra))
    print(f"{'class':24} {'names found':>14} {'sentences with FP':>20}")
    for cls in sorted(ndocs):
        rec = f"{found[cls]}/{total[cls]} {found[cls]/total[cls]:.3f}" if total[cls] else "-"
        print(f"{cls:24} {rec:>14} {fp_docs[cls]:>8}/{ndocs[cls]} {fp_docs[cls]/ndocs[cls]:.3f}")
    tf, tt = sum(found.values()), sum(total.values())
    print(f"{'all find':24} {tf}/{tt} {tf/tt:.3f}")
    kd = sum(v for k, v in ndocs.items() if k.startswith("keep"))
    kf = sum(v for k, v in fp_docs.items() if k.startswith("keep"))
    print(f"{'all keep (FP sentences)':24} {kf}/{kd} {kf/max(kd,1):.3f}")
    if show:
        for m in misses[:show]:
            print("MISS", m)
        for f in fps[:show]:
            print("FP  ", f)


def main():
    argv = sys.argv[1:]
    if "--breakdown" in argv:
        k = argv.index("--")
        opts, cmd = argv[:k], argv[k + 1:]
        show = int(opts[opts.index("--show") + 1]) if "--show" in opts else 0
        breakdown(opts[opts.index("--breakdown") + 1], cmd, show)
        return
    ap = argparse.ArgumentParser()
    ap.add_argument("--split", choices=["dev", "holdout"], required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=600)
    a = ap.parse_args()
    for rec in generate(a.split, a.seed, a.count):
        print(json.dumps(rec, ensure_ascii=False))


if __name__ == "__main__":
    main()
