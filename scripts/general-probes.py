#!/usr/bin/env python3
"""Person and place probes in general-domain text (issue 13, helper `general46`).

A development corpus for the classes of names the general-domain corpora still showed
missed: a given name and surname in lower case with no cue, one name opening a sentence, a
given name that is an English word where the sentence shows a person, `SURNAME, Given` in
a sentence, surnames spelled with letters outside ASCII, romanised East Asian names in a
list, towns in hashtags and after a branch or office label, a surname spelled out letter by
letter. Templates are this script's own (not any other generator's); values are Faker's, in
many locales (synthetic only). Records are in the scorer's format:
    {"id", "source", "format": "text", "text", "spans": [{"start", "end", "type", "label"}]}
with character offsets; every name or place slot is a gold span.

Splits: `tune` fills the even-numbered templates of each class with names of one set of
locales and is the one whose misses are read; `check` fills the odd-numbered templates with
names of other locales, and is only counted. Deterministic for a seed.

Usage:
    python3 scripts/general-probes.py --split tune --seed 7 --count 800 > /tmp/gp-tune.jsonl
    python3 scripts/general-probes.py --split check --seed 8 --count 800 > /tmp/gp-check.jsonl
    python3 ../shared/eval/score.py --safe-harbor /tmp/gp-tune.jsonl -- \
        target/release/phigate scan --jsonl --key-file KEY
"""
import argparse
import json
import random
import sys

from corpus_common import fix_string_hashing, render, seeded_fakers

TUNE_LOCALES = ["hr_HR", "pl_PL", "hu_HU", "az_AZ", "de_DE", "fr_FR", "tr_TR", "is_IS",
                "ga_IE", "pt_PT", "sk_SK", "vi_VN", "nl_NL", "it_IT"]
CHECK_LOCALES = ["cs_CZ", "ro_RO", "lt_LT", "lv_LV", "et_EE", "sl_SI", "da_DK", "fi_FI",
                 "es_ES", "sv_SE", "no_NO", "de_AT", "fr_CH", "pt_BR", "id_ID", "en_GB"]
# Locales whose Faker writes romanised names (`first_romanized_name`).
ROMANISED = ["zh_CN", "ja_JP", "zh_TW"]

# Given names that are also English words: this script's own list, apart from the one of
# `name-probes.py`'s (the tune split uses the first half, check the second).
WORD_NAMES = ["Rose", "Dawn", "Hope", "Amber", "Ivy", "Pearl", "Ruby", "Robin", "Grace",
              "Joy", "Faith", "Holly", "Olive", "Violet", "Hazel", "Summer", "Dome", "Mall",
              "Sky", "Willow", "Sunny", "Rocky", "Hunter", "Dusty", "Misty", "Storm",
              "Autumn", "Jade", "Coral", "Ginger", "Heather", "Daisy", "Clay", "Rusty"]

FILLERS = ["Thanks again for everything.", "See you next week.", "Please reply by Friday.",
           "The meeting room is on the second floor.", "Let me know if anything changes.",
           "Best wishes from all of us.", "The forecast says rain on Sunday."]

# Each class's templates; even ones are tune's, odd ones check's. Slots: {first} {last}
# (capitalised), {first_l} {last_l} (lower case), {word} (a given name that is a word),
# {city}, {rfirst} {rlast} (romanised East Asian names), {spelled} (a surname spelled
# out with hyphens).
CLASSES = {
    "lower_pair": [
        "Shoutout to {first_l} {last_l} for helping with the move!",
        "ran into {first_l} {last_l} at the market this morning. Small world.",
        "Had lunch with {first_l} {last_l} today, great to catch up.",
        "Huge thanks to {first_l} {last_l} for the lift home.",
        "Congrats {first_l} {last_l} on the new job!",
        "Who invited {first_l} {last_l} to the party? Not complaining.",
        "Met {first_l} {last_l} at the airport yesterday.",
        "Photo credit: {first_l} {last_l}. Thanks for sharing.",
    ],
    "opening_single": [
        "{first} was absent today.",
        "{first} was late again this morning.",
        "{last} has been promoted to team lead.",
        "{first} called back about the invoice.",
        "{first} will pick up the keys on Monday.",
        "{first} couldn't make it to the rehearsal.",
        "{first} is off sick until Thursday.",
        "{last} sent the contract over last night.",
        "{first} missed the bus again.",
        "{first} said she would bring the cake.",
    ],
    "word_name": [
        "Parcel signed for by {word} at 14:12.",
        "{word} called back about the booking.",
        "Please ask {word} to sign the form.",
        "{word} said she would be late.",
        "The package was received by {word} at reception.",
        "Love, {word}",
        "Message left for {word} at 9am.",
        "{word} and I will host the dinner.",
    ],
    "last_first": [
        "Patient {last}, {first} seen today for review.",
        "Student {last}, {first} was absent on Friday.",
        "Guest {last}, {first} checked in at 22:10.",
        "Applicant {last}, {first} has been shortlisted.",
        "Member {last}, {first} renewed the subscription.",
        "Passenger {last}, {first} boarded late.",
    ],
    "non_ascii": [
        "Met {first} {last} at the conference in {city}.",
        "Letter from {first} {last} arrived this morning.",
        "{first} {last} will join the meeting on Tuesday.",
        "Happy birthday to {first} {last}!",
        "Our new neighbour is {first} {last} from {city}.",
        "Please welcome {first} {last} to the team.",
    ],
    "romanised_list": [
        "Attendees: {rfirst} {rlast}, {rlast} {rfirst}, {first} {last}.",
        "Team: {rlast} {rfirst}, {rfirst} {rlast} and {first} {last}.",
        "Speakers were {rfirst} {rlast} and {rlast} {rfirst}.",
        "Winners: {rlast} {rfirst} (1st), {rfirst} {rlast} (2nd).",
    ],
    "hashtag_town": [
        "Great weekend away! #family #{city}",
        "Sunset tonight #{city} #nofilter",
        "Back home after a week in #{city}.",
        "#{city} market was packed today",
    ],
    "branch_label": [
        "Branch: {city}",
        "Office: {city}\nReference: 4471",
        "Store: {city}",
        "Depot: {city}",
        "Pickup point: {city}",
        "Venue: {city}",
    ],
    "spelled": [
        "Customer: my surname is {spelled}.",
        "Caller spelled the surname {spelled} for me.",
        "That's {spelled}, with one dash.",
        "Surname {spelled}, first name {first}.",
    ],
}


def spell(name, rng):
    sep = rng.choice(["-", " ", ". ", "-"])
    return sep.join(c.upper() for c in name if c != " ")


def value(slot, fake, rom, rng, half):
    if slot == "first":
        return fake.first_name(), "NAME"
    if slot == "last":
        return fake.last_name(), "NAME"
    if slot == "first_l":
        return fake.first_name().lower(), "NAME"
    if slot == "last_l":
        return fake.last_name().lower(), "NAME"
    if slot == "word":
        return rng.choice(half), "NAME"
    if slot == "city":
        return fake.city(), "LOCATION"
    if slot == "rfirst":
        return rom.first_romanized_name(), "NAME"
    if slot == "rlast":
        return rom.last_romanized_name(), "NAME"
    if slot == "spelled":
        return spell(fake.last_name(), rng), "NAME"
    raise KeyError(slot)


def main():
    fix_string_hashing()
    ap = argparse.ArgumentParser()
    ap.add_argument("--split", choices=["tune", "check"], required=True)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--count", type=int, default=800)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    locales = TUNE_LOCALES if a.split == "tune" else CHECK_LOCALES
    fakers = seeded_fakers(locales, rng)
    romans = seeded_fakers(ROMANISED, rng)
    parity = 0 if a.split == "tune" else 1
    mid = len(WORD_NAMES) // 2
    half = WORD_NAMES[:mid] if a.split == "tune" else WORD_NAMES[mid:]
    templates = [(c, n, t) for c, ts in CLASSES.items()
                 for n, t in enumerate(ts) if n % 2 == parity]
    for k in range(a.count):
        cls, n, template = templates[k % len(templates)]
        loc = locales[rng.randrange(len(locales))]
        rom = romans[ROMANISED[rng.randrange(len(ROMANISED))]]
        text, spans = render(template, lambda s, f, r: value(s, f, rom, r, half),
                             fakers[loc], rng)
        # A sentence in ordinary case around it, so the record's case is mixed.
        filler = rng.choice(FILLERS)
        if rng.random() < 0.5:
            off = len(filler) + 1
            text = filler + "\n" + text
            spans = [dict(s, start=s["start"] + off, end=s["end"] + off) for s in spans]
        else:
            text = text + "\n" + filler
        rec = {"id": f"gprobe-{a.split}-{k}", "source": f"general-probes/{cls}/{n}/{loc}",
               "format": "text", "text": text, "spans": spans}
        sys.stdout.write(json.dumps(rec, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
