#!/usr/bin/env python3
"""Python Faker's phone numbers of European locales in four sentences (issue 13, `locales`).

A held-out check for the national phone rules of `patterns/text/rules.toml`, which were written
against faker-js's formats (`scripts/fakerjs-sentences.py --split dev`) and the brief's
examples: `phone_number()` of each locale below (Faker, MIT), 60 a locale, in two sentences
with no cue and two after a cue word (their `locale` label ends in `-cued`). Never tune a rule
on its misses. Writes the scorer's format (`../shared/eval/score.py`); the per-locale breakdown
of `fakerjs-sentences.py --breakdown` reads it too.

Usage:
    python3 scripts/phone-sentences.py > /tmp/phones.jsonl
    python3 scripts/fakerjs-sentences.py --breakdown /tmp/phones.jsonl -- target/release/phigate scan --jsonl

Synthetic data only: every value is generated.
"""
import json
import warnings

from faker import Faker

LOCALES = ["es_ES", "tr_TR", "sv_SE", "hu_HU", "no_NO", "da_DK", "de_CH", "de_AT", "pl_PL",
           "nl_NL", "it_IT", "pt_PT", "is_IS", "fi_FI", "cs_CZ"]
TEMPLATES = [
    "Reservation for the group - {p} - two nights.",
    "The number left on the form was {p} according to the clerk.",
    "Tel. {p}",
    "Her mobile is {p}.",
]


def main():
    warnings.filterwarnings("ignore")
    i = 0
    for loc in LOCALES:
        fake = Faker(loc)
        fake.seed_instance(5)
        for k in range(60):
            phone, template = fake.phone_number(), TEMPLATES[k % 4]
            start = template.index("{p}")
            span = {"start": start, "end": start + len(phone), "type": "PHONE", "label": "phone",
                    "locale": loc + ("-cued" if k % 4 >= 2 else "")}
            print(json.dumps({"id": f"pp-{i}", "source": "phone-sentences", "format": "text",
                              "text": template.replace("{p}", phone), "spans": [span]},
                             ensure_ascii=False))
            i += 1


if __name__ == "__main__":
    main()
