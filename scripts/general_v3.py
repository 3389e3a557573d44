#!/usr/bin/env python3
"""general_v3: a third general-domain corpus, with a dev split and a holdout split.

`general_dev.py` (general43) and `general_v2.py` (general45) both have been tuned on or
against; this one (helper general47, session 47) brings genres and shapes neither has:
chat and SMS transcripts with lower-case speakers, customer-service e-mails, proof-of-delivery
and consignment notes, school, HR and bank letters, forum posts, invoices and booking
confirmations; given names that are English words (`Rose`, `Hope`, `Will`, `Dawn`) in
contexts that show a person; `Consignee Surname, Given`; Irish, Icelandic, Vietnamese,
Turkish, Polish, Hungarian, Baltic, Nordic and West African names (Faker locales) with and
without their diacritics and in lower case; romanised Chinese, Japanese and Korean names;
addresses in the formats of a dozen countries and telephone numbers written the way each
country writes them.

Two splits: `--split dev --seed 21` (tune on it, read its misses) uses three templates in
four; `--split holdout --seed 22` (figures only, never read its misses) uses every template,
so a quarter of its templates were never seen while tuning. Its templates were written for
this script; none come from any other project's generator.

Writes JSON lines in the scorer's format (`../shared/eval/score.py`):
    {"id", "source", "format": "text", "text", "spans": [{"start", "end", "type", "label"}]}

Usage:
    python3 scripts/general_v3.py --split dev --seed 21 --count 600 > /tmp/general-v3-dev.jsonl
    python3 scripts/general_v3.py --split holdout --seed 22 --count 600 > /tmp/general-v3-holdout.jsonl
    python3 ../shared/eval/score.py --safe-harbor /tmp/general-v3-dev.jsonl -- target/release/phigate scan --jsonl

Synthetic data only: every value is generated.
"""
import argparse
import datetime
import json
import random
import sys
import unicodedata

from faker import Faker

from corpus_common import fix_string_hashing, render, seeded_fakers

# Where the people come from: English-speaking locales weighted, then the families the brief
# names. "cjk" is the romanised East Asian family below.
NAME_LOCALES = ["en_US", "en_US", "en_US", "en_US", "en_GB", "en_GB", "en_IE", "en_AU",
                "is_IS", "is_IS", "ga_IE", "ga_IE", "vi_VN", "vi_VN", "tr_TR", "tr_TR",
                "pl_PL", "hu_HU", "fi_FI", "sv_SE", "no_NO", "da_DK", "lv_LV", "et_EE",
                "hr_HR", "sk_SK", "en_KE", "en_NG", "yo_NG", "de_AT", "fr_FR", "pt_PT",
                "es_MX", "es_CL", "nl_NL", "az_AZ", "cjk", "cjk", "cjk"]

# Locales whose Faker addresses are in the country's own format (the others write US-shaped
# placeholders, so their people get an address from one of these).
ADDRESS_LOCALES = ["en_US", "en_US", "en_GB", "en_AU", "en_CA", "de_DE", "de_AT", "fr_FR",
                   "pl_PL", "hu_HU", "fi_FI", "sv_SE", "no_NO", "da_DK", "hr_HR", "sk_SK",
                   "pt_PT", "es_CL", "nl_NL", "vi_VN", "id_ID", "it_IT", "es_ES", "cs_CZ"]

# Given names that are also English words, so a word list alone cannot tell them.
WORD_NAMES = ["Rose", "Hope", "Bill", "May", "Faith", "Page", "Grace", "Will", "Dawn", "Sunny",
              "Joy", "Iris", "Ivy", "Jack", "Mark", "Frank", "Summer", "Autumn", "Daisy",
              "Holly", "Pearl", "Ruby", "Amber", "Sky", "Art", "Penny", "Skip", "Chase",
              "Cliff", "Dale", "Glen", "Heath", "Lance", "Miles", "Rod", "Ernest", "Hazel",
              "Olive", "Violet", "Sandy", "Rusty", "Buck", "Clay", "Forest", "River", "Storm",
              "Star", "Honey", "Candy", "Misty", "Robin", "Wren", "Merry", "Patience", "Bliss"]

# Romanised Korean names (Faker's ko_KR writes Hangul only).
KO_LAST = ["Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Cho", "Yoon", "Jang", "Lim", "Han",
           "Oh", "Seo", "Shin", "Kwon", "Hwang", "Ahn", "Song", "Ryu", "Hong"]
KO_FIRST = ["Min-jun", "Seo-yeon", "Ji-woo", "Ha-eun", "Do-yun", "Su-bin", "Ye-jin",
            "Hyun-woo", "Eun-ji", "Jae-hyun", "Sung-min", "Da-eun", "Yu-na", "Tae-yang"]

# Telephone shapes of many countries (`#` a digit).
PHONES = ["+353 8# ### ####", "087 ### ####", "+44 7### ######", "07### ### ###",
          "+49 (0)30 #######", "+49 151 ########", "+33 6 ## ## ## ##", "06.##.##.##.##",
          "+81 90-####-####", "+61 4## ### ###", "(02) #### ####", "+91 9#### #####",
          "+234 803 ### ####", "+254 7## ######", "+354 ### ####", "+84 9# ### ## ##",
          "+90 5## ### ## ##", "+48 6## ### ###", "+36 30 ### ####", "+47 9## ## ###",
          "+46 70-### ## ##", "+358 40 #######", "+82 10-####-####", "+86 138 #### ####",
          "+55 (11) 9####-####", "+52 55 #### ####", "(###) ###-####", "###-###-####",
          "+1 ###.###.####", "0049 30 ### ####", "+353-1-###-####", "+31 6 ########",
          "+45 ## ## ## ##", "+420 ### ### ###", "+43 664 #######"]

TITLES = ["Mr", "Mrs", "Ms", "Miss", "Dr", "Mx", "Mr.", "Ms.", "Dr."]
ORGS = ["Northwind Logistics", "Bluebell Primary School", "Harbour Credit Union",
        "Lakeside Vets", "Pinecrest Lettings", "Summit Mobile", "Quayside Hotel",
        "Oakridge Dental"]

TEMPLATES = [
    # chat and SMS transcripts, speakers in lower case
    "{first_lc}: u home?\n{first2_lc}: ya. {wname} dropped off the boxes\n{first_lc}: tell her thx",
    "SMS {date} {time}\nFrom: {phone}\nhey its {wname}, locked out again, spare key is with {name_lc} at no. {house}",
    "{wname} called back about the quote. Ring her on {phone} after 5.",
    "mum: did {wname} ring u\nme: no whats her number\nmum: {phone}",
    "book club chat\n{first_lc}: next one at mine, {street}\n{first2_lc}: ok! bringing {wname} too",
    "{first_lc} {last_lc}: where r u\n{first2_lc}: stuck on the bus near {city} lol",
    # customer-service e-mails
    "Subject: complaint, order {ref}\n\nDear Customer Care,\nMy name is {name} and I placed this order on {date}. The parcel was signed for by {wname} but nobody of that name lives at {street}. Please call me on {phone}.\nRegards, {first}",
    "Hi {first},\nThanks for getting in touch. I have changed the delivery address on your account to {address_line}. If this was not you, reply to {email}.\nBest wishes,\n{wname}\nCustomer Support",
    "Dear {title} {last_ascii},\nWe could not verify your identity. Please send a copy of an ID showing your date of birth ({dob}) to {email}.\nKind regards, {name2}",
    "Hello {wname}, your refund for booking {ref} was sent to the card of {name2} on {date}.",
    # delivery and logistics notes
    "CONSIGNMENT NOTE {tracking}\nShipper: {org}\nConsignee {last}, {first}\n{address_multi}\nTel {phone}",
    "POD: delivered {date} {time}, signed for by {wname}. Left in porch at {street}.",
    "Driver note: customer {name_lc} asked us to leave the parcel with {wname} next door, {street}.",
    "Route 14, stop 7 - {upper_name}, {street_upper}, {postcode} - fragile, call {phone} on arrival",
    "Collection booked for {date}: {initial_name}, {address_line}. Access code for the gate: 4411.",
    # school, HR and bank letters
    "Dear Parent/Guardian,\nYour child {first} {last} was absent on {date}. Please contact the school office on {phone}.\nYours sincerely,\n{title} {last2}, Head Teacher",
    "PRIVATE & CONFIDENTIAL\n{name}\n{address_multi}\n\n{date}\n\nDear {first},\nFollowing your interview with {wname} {last2} we are pleased to offer you the post of assistant, starting on {date2}.",
    "Account holder: {last_upper}, {first}\nIBAN: {iban}\nAddress on file: {address_line}\nDate of birth: {dob}",
    "Dear {name},\nYour loan application {ref} has been approved and the money will be paid on {date}. Questions? Call {phone}.",
    "Reference for {name}: I have known {first} for six years as her line manager at {org}. {wname} {last2}, HR",
    # forum posts
    "Re: good plumber in {city}?\n\nposted {date}\n\nwe used {wname} {last} last spring, her mobile is {phone}. tell her {first_lc} sent you",
    "lol my grandad {name} turned {age} yesterday and still drives to {city} every sunday",
    "does anyone remember {name_lc}? she lived on {street_lc} years ago. trying to find her for a reunion",
    "Thread: noisy neighbours at {street}. update: {first_lc} from no. {house} finally moved out",
    # invoices and receipts
    "INVOICE {ref}\nBill to: {name}\n{address_multi}\nDate: {date}\nDue: {date2}\nPay to IBAN {iban}",
    "Invoice no. {ref} | Customer: {last}, {first} | Tel: {phone} | E-mail: {email}",
    "Receipt\nSold to {upper_name}\n{street}\n{postcode} {city}\nCard holder {initial_name}",
    # booking confirmations
    "Booking confirmed! Guest: {name}. Check-in {date}, check-out {date2}. Ref {ref}. Your host {wname} will meet you at {street}, {city}.",
    "Table for 4 under the name {last} at {time} on {date}. Contact: {phone}",
    "Flight booking {ref}: passengers {last_upper}/{first_upper} MR and {last2_upper}/{first2_upper} MRS, ticket issued {date}.",
    "Your appointment with {wname} at {org} is on {date} at {time}. To cancel call {phone}.",
    # given names that are words, in contexts that show a person
    "{wname} said she would be late. Love, {wname2}",
    "Thanks again for the flowers! Love, {wname}",
    "Spoke to {wname} today, she is moving to {city} next month.",
    "{wname_lc} and {first_lc} are coming round at 7",
    "Message for {wname}: your sister {first} rang from {city}, number {phone}.",
    "Emergency contact: {wname} {last} (mother) {phone}",
    # names from many places, in lower case and without diacritics
    "met {name_lc} at the conference, she is from {city}",
    "cc: {name_lc}, {name2_lc}",
    "Attendees: {name}; {name2}; {name_ascii}; {cjk}",
    "Landlord: {name_ascii}, tel. {phone}",
    "The house at {address_line} belongs to {name} and {name2}.",
    "Interpreter {cjk} will join the call with {cjk2} at {time}.",
    "Nanny wanted, ask for {cjk_first} ({phone}) or write to {email}",
    # other errands and records
    "From: {name_ascii} <{email}>\nSubject: keys\n\nhi, I left the keys with {first_lc} at {street}. {first2}",
    "Present: Cllr {last}, {title} {last2}, {first} {last3} (resident, {street}).",
    "Tenant {name} left {address_line} on {date}; forwarding address {address_line2}.",
    "Parcel for {name} c/o {name2}, {address_line}",
    "Vet reminder: Bella (owner {name}, {phone}) is due her booster on {date}.",
    "Lost property: a wallet belonging to {initial_name} was handed in at {org} on {date}.",
    "{first} c/o the {last2} family, {street}, {city}",
    "Happy retirement {wname}! From all of us at {org}. Party on {date} at {street}.",
]


def strip_marks(s):
    """The name as typed on a keyboard without its letters' marks (`Ó` -> `O`, `đ` -> `d`)."""
    s = s.replace("đ", "d").replace("Đ", "D").replace("ı", "i").replace("ø", "o").replace("Ø", "O")
    s = s.replace("ð", "d").replace("Ð", "D").replace("þ", "th").replace("Þ", "Th").replace("æ", "ae")
    s = s.replace("ł", "l").replace("Ł", "L").replace("ß", "ss")
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))


class Cjk:
    """Romanised Chinese, Japanese and Korean names, shaped like Faker's person methods."""

    def __init__(self, rng):
        self.rng = rng
        self.zh = Faker("zh_CN")
        self.ja = Faker("ja_JP")
        self.zh.seed_instance(rng.randint(0, 2**31))
        self.ja.seed_instance(rng.randint(0, 2**31))

    def pair(self):
        r = self.rng.random()
        if r < 0.4:
            return self.zh.first_romanized_name(), self.zh.last_romanized_name()
        if r < 0.7:
            return self.ja.first_romanized_name(), self.ja.last_romanized_name()
        return self.rng.choice(KO_FIRST), self.rng.choice(KO_LAST)

    def first_name(self):
        return self.pair()[0]

    def last_name(self):
        return self.pair()[1]

    def name(self):
        first, last = self.pair()
        return f"{last} {first}" if self.rng.random() < 0.3 else f"{first} {last}"


def date_value(rng):
    d = datetime.date(1930, 1, 1) + datetime.timedelta(days=rng.randint(0, 34000))
    fmts = ["%d/%m/%Y", "%m/%d/%Y", "%Y-%m-%d", "%d %B %Y", "%B %d, %Y", "%d.%m.%Y",
            "%d-%m-%Y", "%d %b %Y", "%a %d %b %Y", "%d/%m/%y", "%Y/%m/%d", "%d. %B %Y"]
    return d.strftime(rng.choice(fmts)).replace(" 0", " ").lstrip("0")


class Values:
    """The slot kinds of the templates for one document: a person locale and an address one."""

    def __init__(self, person, addr, rng):
        self.p, self.a, self.rng = person, addr, rng

    def __call__(self, kind, _fake, rng):
        p, a = self.p, self.a
        if kind in ("name", "name2"):
            return p.name(), "NAME"
        if kind in ("name_lc", "name2_lc"):
            return p.name().lower(), "NAME"
        if kind == "name_ascii":
            return strip_marks(p.name()), "NAME"
        if kind in ("first", "first2"):
            return p.first_name(), "NAME"
        if kind in ("last", "last2", "last3"):
            return p.last_name(), "NAME"
        if kind == "last_ascii":
            return strip_marks(p.last_name()), "NAME"
        if kind in ("first_lc", "first2_lc"):
            v = p.first_name()
            return (strip_marks(v) if rng.random() < 0.3 else v).lower(), "NAME"
        if kind == "last_lc":
            return p.last_name().lower(), "NAME"
        if kind in ("last_upper", "last2_upper"):
            return strip_marks(p.last_name()).upper(), "NAME"
        if kind in ("first_upper", "first2_upper"):
            return strip_marks(p.first_name()).upper(), "NAME"
        if kind == "upper_name":
            return p.name().upper(), "NAME"
        if kind == "initial_name":
            return f"{p.first_name()[0]}. {p.last_name()}", "NAME"
        if kind in ("wname", "wname2"):
            return rng.choice(WORD_NAMES), "NAME"
        if kind == "wname_lc":
            return rng.choice(WORD_NAMES).lower(), "NAME"
        if kind in ("cjk", "cjk2"):
            return CJK.name(), "NAME"
        if kind == "cjk_first":
            return CJK.first_name(), "NAME"
        if kind == "street":
            return a.street_address(), "LOCATION"
        if kind == "street_upper":
            return a.street_address().upper(), "LOCATION"
        if kind == "street_lc":
            return a.street_address().lower(), "LOCATION"
        if kind in ("address_line", "address_line2"):
            return a.address().replace("\n", ", "), "LOCATION"
        if kind == "address_multi":
            return a.address(), "LOCATION"
        if kind == "city":
            return a.city(), "LOCATION"
        if kind == "postcode":
            return a.postcode(), "LOCATION"
        if kind == "house":
            return str(rng.randint(2, 140)), None
        if kind == "phone":
            return (a.phone_number() if rng.random() < 0.3 else US.numerify(rng.choice(PHONES))), "PHONE"
        if kind == "email":
            user = strip_marks(p.first_name()).lower().replace(" ", "") + rng.choice([".", "_", ""]) \
                + strip_marks(p.last_name()).lower().replace(" ", "").replace("'", "")
            return f"{user}{rng.choice(['', str(rng.randint(1, 99))])}@{rng.choice(['mail.ie', 'posteo.de', 'example.com', 'outlook.com'])}", "EMAIL"
        if kind in ("date", "date2", "dob"):
            return date_value(rng), "DATE"
        if kind == "time":
            return f"{rng.randint(7, 22)}:{rng.randint(0, 59):02d}", None
        if kind == "age":
            return str(rng.randint(90, 103)), "AGE"
        if kind == "ref":
            return US.bothify(rng.choice(["??-######", "#########", "INV-####-###", "??#?#?"])).upper(), "ID"
        if kind == "tracking":
            return US.bothify("??#########??").upper(), "ID"
        if kind == "iban":
            return US.iban() if rng.random() < 0.2 else GB.iban(), "ID"
        if kind == "title":
            return rng.choice(TITLES), None
        if kind == "org":
            return rng.choice(ORGS), None
        raise KeyError(kind)


US = Faker("en_US")
GB = Faker("en_GB")
CJK = None


def join(pieces):
    """Messages `[(text, spans)]` joined by a blank line, spans moved to the joined text."""
    texts, spans, off = [], [], 0
    for text, s in pieces:
        spans += [dict(x, start=x["start"] + off, end=x["end"] + off) for x in s]
        texts.append(text)
        off += len(text) + 2
    return "\n\n".join(texts), spans


def main():
    global CJK
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--split", choices=["dev", "holdout"], default="dev")
    ap.add_argument("--seed", type=int, default=21)
    ap.add_argument("--count", type=int, default=600)
    args = ap.parse_args()
    fix_string_hashing()
    rng = random.Random(args.seed)
    US.seed_instance(rng.randint(0, 2**31))
    GB.seed_instance(rng.randint(0, 2**31))
    CJK = Cjk(rng)
    people = seeded_fakers(sorted(set(NAME_LOCALES) - {"cjk"}), rng)
    people["cjk"] = CJK
    places = seeded_fakers(sorted(set(ADDRESS_LOCALES)), rng)
    templates = [t for i, t in enumerate(TEMPLATES) if args.split == "holdout" or i % 4 != 3]
    for i in range(args.count):
        loc = rng.choice(NAME_LOCALES)
        addr = loc if loc in places else rng.choice(ADDRESS_LOCALES)
        values = Values(people[loc], places[addr], rng)
        text, spans = join(render(rng.choice(templates), values, None, rng)
                           for _ in range(rng.randint(1, 3)))
        doc = {"id": f"general-v3-{args.split}-{args.seed}-{i}", "source": loc, "format": "text",
               "text": text, "spans": spans}
        sys.stdout.write(json.dumps(doc, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
