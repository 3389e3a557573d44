#!/usr/bin/env python3
"""Seeded synthetic HL7 v2 messages as `phigate scan --jsonl` lines, to compare two builds'
de-identified output byte for byte (issue 14: a speed change must not change one byte).

    python3 scripts/hl7_messages.py --seed 14 --count 3000 > /tmp/hl7.jsonl
    OLD/phigate scan --jsonl --threads 1 --key-file K --policy reversible < /tmp/hl7.jsonl > old.jsonl
    NEW/phigate scan --jsonl --threads 1 --key-file K --policy reversible < /tmp/hl7.jsonl > new.jsonl
    cmp old.jsonl new.jsonl

Every value is made up here from small fixed lists and a seeded `random.Random`: no real
patient, no outside generator. The messages cover ADT, SIU, ORU, DFT and MDM, repetitions,
components and subcomponents, escape sequences (delimiters, `\\.br\\`, hex, formatting
commands, unknown ones), other delimiters declared in MSH-2, `\\r`, `\\n` and `\\r\\n`
segment ends, Z-segments, batches (FHS/BHS) and lines that are no segment.
`--no-lone-escapes` leaves out values with an escape character that has no closing one.
"""
import argparse
import json
import random

FIRST = ["Ansel", "Maren", "Ines", "Tobias", "Rosalind", "Chidi", "Odile", "Bartholomew",
         "Yusra", "Leopold", "Saoirse", "Thaddeus"]
LAST = ["Whitcombe", "Lindqvist", "Okafor", "Thackeray", "Marchetti", "O'Brien",
        "Van der Berg", "Nakamura-Price", "Delacroix", "Abernathy"]
STREETS = ["Orchard Lane", "Quarry Hollow Rd", "Elm St", "Birch Ave", "Kestrel Way"]
CITIES = ["Springfield", "Riverton", "Fairview", "Lakemont"]
NOTES = [
    "Patient {f} {l} reports pain {n}/10; call spouse at 217-555-{p:04}.",
    "Seen by Dr. {l}; follow up in 2 weeks.\\.br\\Home program reviewed.",
    "{f} tolerated treatment well. Grip 42 lb, pinch 11 lb.",
    "Mother {f2} {l} present; MRN MR{m} confirmed.",
    "No acute distress. Plan: continue OT 3x/week.",
    "Wound clean \\T\\ dry; dressing changed \\F\\ reinforced.",
    "{f}\\X27\\s daughter called from 413-555-{p:04}.",
    "\\H\\Assessment\\N\\ stable; \\.sp2\\ recheck {d}.",
    "Emailed {fl}.{ll}@example.org re: splint.",
]
LONE = [
    "Smith\\Jones",
    "path C:\\notes",
    "back\\slash {f} {l}",
    "{l}\\",
    "\\{f}",
    "lone \\ then \\X41\\ {l}",
]


def pick(rng, xs):
    return xs[rng.randrange(len(xs))]


def person(rng):
    return pick(rng, FIRST), pick(rng, LAST)


def date(rng, start=1930, end=2020):
    return f"{rng.randint(start, end)}{rng.randint(1, 12):02}{rng.randint(1, 28):02}"


def note(rng, lone):
    f, l = person(rng)
    text = pick(rng, NOTES + (LONE if lone else [])).format(
        f=f, l=l, f2=pick(rng, FIRST), n=rng.randint(0, 10), p=rng.randint(0, 9999),
        m=rng.randint(1000000, 9999999), d=date(rng, 2024, 2026),
        fl=f.lower(), ll=l.lower().replace(" ", "").replace("'", ""))
    return text.replace("|", "\\F\\").replace("^", "\\S\\") if "\\" not in text else text


def esc(v):
    """A value written under the standard delimiters."""
    return (v.replace("\\", "\\E\\").replace("|", "\\F\\").replace("^", "\\S\\")
            .replace("&", "\\T\\").replace("~", "\\R\\"))


def name_field(rng):
    f, l = person(rng)
    style = rng.randrange(4)
    if style == 0:
        return f"{esc(l)}^{f}^{pick(rng, 'JKLM')}^^^^L"
    if style == 1:
        return f"{esc(l)}^{f}~{esc(l)}^{pick(rng, FIRST)}^^^^^A"
    if style == 2:
        hexed = "".join(f"\\X{ord(c):02X}\\" if i == 1 else c for i, c in enumerate(f))
        return f"{esc(l)}^{hexed}^^^^^L"
    return f"{esc(l)}&{pick(rng, ['van', 'de', 'O'])}^{f}"


def pid(rng, mrn):
    f, l = person(rng)
    return (f"PID|1||MR{mrn}^^^SGH^MR~{rng.randint(100000, 999999)}^^^SSA^SS||"
            f"{name_field(rng)}|{esc(pick(rng, LAST))}^{pick(rng, FIRST)}|{date(rng)}|"
            f"{pick(rng, 'FMU')}|||{rng.randint(1, 999)} {pick(rng, STREETS)}^Apt {rng.randint(1, 30)}^"
            f"{pick(rng, CITIES)}^IL^{rng.randint(60000, 62999)}^USA^H||"
            f"(217)555-{rng.randint(0, 9999):04}^PRN^PH^{f.lower()}.{l.lower().replace(' ', '')}@example.org"
            f"~^NET^Internet^{f.lower()}@example.net|(217)555-{rng.randint(0, 9999):04}^WPN^PH|EN|M|CHR|"
            f"ACCT{mrn}^^^SGH^AN|{rng.randint(100, 899)}-{rng.randint(10, 99)}-{rng.randint(1000, 9999)}"
            f"||||{pick(rng, CITIES)}")


def msh(rng, kind, i, delims="^~\\&", sep="|"):
    return (f"MSH{sep}{delims}{sep}EPIC{sep}SGH{sep}LAB{sep}SGH{sep}{date(rng, 2024, 2026)}0830"
            f"{sep}{sep}{kind}{sep}MSG{i:06}{sep}P{sep}2.5.1")


def adt(rng, i, lone):
    mrn = rng.randint(1000000, 9999999)
    f, l = person(rng)
    doc = f"{rng.randint(1000000000, 1999999999)}^{pick(rng, LAST)}^{pick(rng, FIRST)}^^^Dr^MD"
    segs = [
        msh(rng, "ADT^A01^ADT_A01", i),
        f"EVN|A01|{date(rng, 2024, 2026)}083000",
        pid(rng, mrn),
        f"PD1|||SGH Clinic^^{rng.randint(100, 999)}|{doc}",
        f"NK1|1|{esc(l)}^{f}|SPO^Spouse|{rng.randint(1, 999)} {pick(rng, STREETS)}^^"
        f"{pick(rng, CITIES)}^IL^62704|(217)555-{rng.randint(0, 9999):04}",
        f"PV1|1|{pick(rng, ['I', 'O', 'E'])}|4W^{rng.randint(100, 499)}^B^SGH||||{doc}|{doc}||MED"
        f"||||7|||{doc}|IP|V{mrn}^^^SGH^VN",
        f"OBX|1|NM|29463-7^Body weight^LN||{rng.randint(40, 120)}|kg^kilogram^UCUM|||||F",
        f"OBX|2|TX|11506-3^Progress note^LN||{note(rng, lone)}||||||F",
        f"NTE|1|P|{note(rng, lone)}",
    ]
    if rng.random() < 0.3:
        segs.append(f"ZPI|1|{esc(f)} {esc(l)}|MR{mrn}|{note(rng, lone)}")
    if rng.random() < 0.2:
        segs.append(f"GT1|1||{esc(l)}^{f}||{rng.randint(1, 999)} {pick(rng, STREETS)}^^{pick(rng, CITIES)}^IL")
    if rng.random() < 0.2:
        segs.append(f"IN1|1|BCBS^Blue Cross|{rng.randint(100, 999)}|Blue Cross||||G{rng.randint(1000, 9999)}"
                    f"||||||||{esc(l)}^{f}|SEL|{date(rng)}")
    if rng.random() < 0.1:
        segs.append(f"MRG|MR{rng.randint(1000000, 9999999)}^^^SGH^MR||ACCT{mrn}")
    return segs


def siu(rng, i, lone):
    mrn = rng.randint(1000000, 9999999)
    return [
        msh(rng, "SIU^S12^SIU_S12", i),
        f"SCH|{rng.randint(1000, 9999)}|{rng.randint(1000, 9999)}|||||ROUTINE^Routine|||"
        f"^^30^{date(rng, 2025, 2026)}0900|||||{pick(rng, LAST)}^{pick(rng, FIRST)}",
        pid(rng, mrn),
        f"AIP|1||{rng.randint(1000000000, 1999999999)}^{pick(rng, LAST)}^{pick(rng, FIRST)}|OT",
        f"NTE|1||{note(rng, lone)}",
    ]


def oru(rng, i, lone):
    mrn = rng.randint(1000000, 9999999)
    segs = [msh(rng, "ORU^R01^ORU_R01", i), pid(rng, mrn),
            f"OBR|1|ORD{rng.randint(1000, 9999)}|FIL{rng.randint(1000, 9999)}|97165^OT eval^CPT|||"
            f"{date(rng, 2024, 2026)}0900"]
    for k in range(rng.randint(1, 4)):
        segs.append(f"OBX|{k + 1}|ST|{rng.randint(1000, 99999)}-{rng.randint(0, 9)}^Grip^LN||"
                    f"{rng.randint(10, 90)}|lb^pound^UCUM|||||F")
    segs.append(f"OBX|{len(segs)}|FT|11506-3^Note^LN||{note(rng, lone)}~{note(rng, lone)}||||||F")
    return segs


def dft(rng, i, lone):
    mrn = rng.randint(1000000, 9999999)
    return [msh(rng, "DFT^P03^DFT_P03", i), f"EVN|P03|{date(rng, 2024, 2026)}", pid(rng, mrn),
            f"FT1|1|||{date(rng, 2024, 2026)}||CG|97530^Therapeutic activities^CPT|||2",
            f"NTE|1||{note(rng, lone)}"]


def mdm(rng, i, lone):
    mrn = rng.randint(1000000, 9999999)
    f, l = person(rng)
    return [msh(rng, "MDM^T02^MDM_T02", i), f"EVN|T02|{date(rng, 2024, 2026)}", pid(rng, mrn),
            f"TXA|1|PN^Progress note|TX|{date(rng, 2024, 2026)}|{rng.randint(1000000000, 1999999999)}"
            f"^{esc(l)}^{f}||||||DOC{rng.randint(1000, 9999)}",
            f"OBX|1|TX|||{note(rng, lone)}||||||F"]


KINDS = [adt, adt, adt, siu, oru, dft, mdm]


def message(rng, i, lone):
    segs = pick(rng, KINDS)(rng, i, lone)
    roll = rng.random()
    if roll < 0.08:
        # Other delimiters declared in MSH-2: rewrite the standard ones throughout.
        table = str.maketrans({"|": "#", "^": ":", "~": "@", "\\": "!", "&": "$"})
        segs = [s.translate(table) for s in segs]
    elif roll < 0.12:
        segs.append("this line is not a segment: call " + pick(rng, FIRST))
    sep = pick(rng, ["\r", "\r", "\r", "\n", "\r\n"])
    body = sep.join(segs) + (sep if rng.random() < 0.8 else "")
    if rng.random() < 0.05:
        body = (f"FHS|^~\\&|EPIC|SGH{sep}BHS|^~\\&|EPIC|SGH{sep}" + body
                + f"{sep}BTS|1{sep}FTS|1{sep}")
    return body


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=14)
    ap.add_argument("--count", type=int, default=3000)
    ap.add_argument("--no-lone-escapes", action="store_true")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    for i in range(a.count):
        text = message(rng, i, not a.no_lone_escapes)
        print(json.dumps({"id": f"hl7-{i}", "text": text, "content_type": "application/hl7-v2"}))


if __name__ == "__main__":
    main()
