#!/usr/bin/env python3
"""Address probe: addresses, places and postcodes written every way people write them in
free text, each part labelled, for tuning and checking the address detector.

Values come from Faker's locale address providers (MIT) and a few short lists of our own
(romanised Japanese and Korean places, Nigerian towns); the sentences around them are this
script's own. Street, town, county, neighbourhood and postcode are labelled LOCATION; US
states and countries are labelled LOCATION too, and `score.py --safe-harbor` drops them
(they may stay); other countries' provinces and regions are left unlabelled (a state's size).

Two splits with disjoint templates and mostly disjoint locales: `dev` to read and tune on,
`holdout` only to score.

  python3 scripts/address_probe.py --split dev --seed 7 --count 800 > /tmp/addr-dev.jsonl
  python3 scripts/address_probe.py --split holdout --seed 8 --count 800 > /tmp/addr-holdout.jsonl
"""
import argparse, json, random, sys

from faker import Faker

L = "LOCATION"

# ---------------------------------------------------------------------------------------------
# Parts. An address is a list of lines; a line a list of (text, label) segments.

US_STATES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "FL": "Florida", "GA": "Georgia",
    "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa",
    "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland",
    "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota", "MS": "Mississippi",
    "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire",
    "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York", "NC": "North Carolina",
    "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania",
    "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota", "TN": "Tennessee",
    "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington",
    "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
}

# Romanised places of our own (public place names): Japan (ward/city, prefecture) and Korea.
JP_PLACES = [("Shibuya-ku", "Tokyo"), ("Setagaya-ku", "Tokyo"), ("Naka-ku", "Yokohama"),
             ("Kita-ku", "Osaka"), ("Sakyo-ku", "Kyoto"), ("Chuo-ku", "Sapporo"),
             ("Hakata-ku", "Fukuoka"), ("Aoba-ku", "Sendai"), ("Toyonaka-shi", "Osaka"),
             ("Kawagoe-shi", "Saitama"), ("Kanazawa-shi", "Ishikawa"), ("Matsumoto-shi", "Nagano")]
JP_DISTRICTS = ["Jingumae", "Ebisu", "Sakuragaoka", "Honcho", "Minamimachi", "Nishiki",
                "Umeda", "Tenjin", "Kokubuncho", "Higashiyama", "Kitahama", "Shimokita"]
KR_PLACES = [("Gangnam-gu", "Seoul"), ("Mapo-gu", "Seoul"), ("Haeundae-gu", "Busan"),
             ("Suseong-gu", "Daegu"), ("Yuseong-gu", "Daejeon"), ("Bundang-gu", "Seongnam"),
             ("Nam-gu", "Gwangju"), ("Yeonsu-gu", "Incheon")]
KR_ROADS = ["Teheran-ro", "Yanghwa-ro", "Dalmaji-gil", "Dongdaegu-ro", "Daehak-ro",
            "Pangyoyeok-ro", "Sejong-daero", "Eulji-ro", "Hannam-daero", "Bongeunsa-ro"]
NG_TOWNS = [("Ikeja", "Lagos"), ("Surulere", "Lagos"), ("Wuse", "Abuja"), ("Garki", "Abuja"),
            ("Bodija", "Ibadan"), ("Rumuokoro", "Port Harcourt"), ("Nassarawa", "Kano"),
            ("Independence Layout", "Enugu"), ("Ugbowo", "Benin City"), ("Tudun Wada", "Kaduna")]
NG_STATES = {"Lagos": "Lagos State", "Abuja": "FCT", "Ibadan": "Oyo State",
             "Port Harcourt": "Rivers State", "Kano": "Kano State", "Enugu": "Enugu State",
             "Benin City": "Edo State", "Kaduna": "Kaduna State"}
NG_STREETS = ["Adeola Odeku Street", "Allen Avenue", "Awolowo Road", "Aminu Kano Crescent",
              "Herbert Macaulay Way", "Ogui Road", "Ring Road", "Ahmadu Bello Way"]


def fk(loc, rng):
    f = Faker(loc)
    f.seed_instance(rng.randrange(1 << 30))
    return f


def us_state(rng, form):
    ab = rng.choice(sorted(US_STATES))
    return ab if form == "abbr" else US_STATES[ab]


def zip5(f, rng):
    return f.zipcode_plus4() if rng.random() < 0.15 else f.zipcode()


def us_street(f, rng):
    """A US street line in one of many shapes; returns (text, unit text or None)."""
    n = rng.random()
    num = str(rng.randint(1, 19999))
    if n < 0.35:
        s = f"{num} {f.street_name()}"
    elif n < 0.45:
        d = rng.choice(["N.", "S.", "E.", "W.", "North", "NW", "SE", "N", "W"])
        s = f"{num} {d} {f.last_name()} {rng.choice(['St', 'Ave', 'Blvd', 'Rd', 'Street', 'Drive'])}"
    elif n < 0.55:
        k = rng.randint(1, 140)
        suf = "th" if 10 <= k % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(k % 10, "th")
        s = f"{num} {rng.choice(['W', 'E', 'N', 'S', 'West', 'East'])} {k}{suf} {rng.choice(['St', 'Street', 'Ave', 'Avenue'])}"
    elif n < 0.65:
        s = rng.choice([f"{num} County Road {rng.randint(1, 999)}", f"{num} State Route {rng.randint(1, 400)}",
                        f"{num} Hwy {rng.randint(1, 199)}", f"{num} Highway {rng.randint(1, 99)}",
                        f"{num} US Highway {rng.randint(1, 99)}", f"{num} Farm Road {rng.randint(100, 3000)}",
                        f"N{rng.randint(1000, 9999)} County Road {rng.choice('ABKMQ')}",
                        f"{num} SR {rng.randint(1, 300)}", f"{num} Route {rng.randint(1, 66)}"])
    elif n < 0.72:
        s = rng.choice([f"RR {rng.randint(1, 9)} Box {rng.randint(1, 400)}",
                        f"HC {rng.randint(1, 80)} Box {rng.randint(1, 900)}",
                        f"Rural Route {rng.randint(1, 9)}, Box {rng.randint(1, 400)}",
                        f"PO Box {rng.randint(1, 99999)}", f"P.O. Box {rng.randint(1, 9999)}",
                        f"Post Office Box {rng.randint(1, 9999)}"])
    elif n < 0.77:
        return (rng.choice([f"PSC {rng.randint(1000, 9999)}, Box {rng.randint(1, 9999)}",
                            f"Unit {rng.randint(1000, 9999)} Box {rng.randint(1, 9999)}",
                            f"CMR {rng.randint(100, 999)} Box {rng.randint(1, 999)}"]), "mil")
    else:
        s = f.street_address()
        if rng.random() < 0.5:
            s = s.split(" Apt.")[0].split(" Suite")[0]
    unit = None
    if rng.random() < 0.3 and not s.startswith(("RR", "HC", "Rural", "PO", "P.O.", "Post")):
        unit = rng.choice([f"Apt {rng.randint(1, 40)}{rng.choice(['', 'B', 'C'])}", f"Apt. {rng.randint(1, 999)}",
                           f"Suite {rng.randint(100, 999)}", f"Ste {rng.randint(1, 400)}",
                           f"Unit {rng.randint(1, 60)}", f"#{rng.randint(1, 999)}",
                           f"Apartment {rng.randint(1, 30)}", f"Unit {rng.choice('ABCDEF')}"])
    return s, unit


def us_address(rng, tmpl_kind):
    """Parts of a US address: dict of street/unit/city/state/zip/county/mil."""
    f = fk("en_US", rng)
    street, unit = us_street(f, rng)
    d = {"street": street, "unit": None if unit == "mil" else unit, "city": f.city(),
         "state": us_state(rng, rng.choice(["abbr", "full", "full"])), "zip": zip5(f, rng)}
    if unit == "mil":
        d["city"] = rng.choice(["APO", "FPO", "DPO"])
        d["state"] = rng.choice(["AE", "AP", "AA"])
        d["zip"] = f"{rng.choice(['09', '96', '34'])}{rng.randint(100, 999)}"
        d["mil"] = True
    d["county"] = f"{f.last_name()} County"
    return d


def seg_us(d, layout, rng):
    """Lines of segments for a US address dict in one layout."""
    st = [(d["street"], L)] + ([(" " + d["unit"], L)] if d["unit"] and rng.random() < 0.6 else [])
    unit_line = [[(d["unit"], L)]] if d["unit"] and len(st) == 1 else []
    # APO/FPO/DPO stand for a town and AE/AP/AA for a state: neither is a place to remove.
    mil = d.get("mil")
    city, state, z = (d["city"], None if mil else L), (d["state"], None if mil else L), (d["zip"], L)
    if layout == "lines":
        return [st] + unit_line + [[city, (", ", None), state, (" ", None), z]]
    if layout == "lines_nocomma":
        return [st] + unit_line + [[city, (" ", None), state, ("  ", None), z]]
    if layout == "one":
        return [st + [(", ", None)] + ([] if not unit_line else [(d["unit"], L), (", ", None)])
                + [city, (", ", None), state, (" ", None), z]]
    if layout == "one_comma_zip":
        return [st + [(", ", None), city, (", ", None), state, (", ", None), z]]
    if layout == "city_state_zip":
        return [[city, (", ", None), state, (" ", None), z]]
    if layout == "city_state_comma_zip":
        return [[city, (", ", None), state, (", ", None), z]]
    if layout == "city_state":
        return [[city, (", ", None), state]]
    if layout == "city_state_nocomma":
        return [[city, (" ", None), state]]
    if layout == "street_city":
        return [st + [(", ", None), city]]
    if layout == "four_lines":
        return [st] + unit_line + [[city], [state], [z]]
    raise ValueError(layout)


# International addresses: (lines of segments) per locale.

def intl_address(loc, rng):
    f = fk(loc if loc not in ("ja_RO", "ko_RO", "en_NG") else "en_US", rng)
    r = rng.random()
    if loc == "en_GB":
        st, city, pc = f.street_address().replace("\n", ", "), f.city(), f.postcode()
        cty = f.county() if hasattr(f, "county") else None
        if r < 0.5:
            return [[(st, L)], [(city, L)], [(pc, L)]]
        return [[(st, L), (", ", None), (city, L), (" ", None), (pc, L)]]
    if loc == "en_IE":
        st, town = f.street_address(), f.city()
        county = rng.choice(["Cork", "Galway", "Kerry", "Mayo", "Clare", "Donegal", "Wexford", "Meath", "Kildare", "Sligo"])
        ec = f"{rng.choice('ACDEFHKNPRTVWXY')}{rng.randint(10, 99)} {''.join(rng.choice('ACDEFHKNPRTVWXY0123456789') for _ in range(4))}"
        return [[(st, L), (", ", None), (town, L), (", ", None), ("Co. " + county, L), (", ", None), (ec, L)]]
    if loc == "en_CA":
        st, city, pr, pc = f.street_address(), f.city(), f.province_abbr(), f.postalcode().replace(" ", "")
        if rng.random() < 0.6:
            pc = pc[:3] + " " + pc[3:]
        if r < 0.5:
            return [[(st, L)], [(city, L), (", ", None), (pr, None), (" ", None), (pc, L)]]
        return [[(st, L), (", ", None), (city, L), (" ", None), (pr, None), ("  ", None), (pc, L)]]
    if loc == "en_AU":
        st, city, sa, pc = f.street_address(), f.city(), f.state_abbr(), f.postcode()
        return [[(st, L), (", ", None), (city, L), (" ", None), (sa, None), (" ", None), (pc, L)]]
    if loc == "en_NZ":
        st, sub, pc = f.street_address().replace("\n", ", "), f.city(), f.postcode()
        city = rng.choice(["Auckland", "Wellington", "Christchurch", "Hamilton", "Dunedin", "Tauranga"])
        return [[(st, L), (", ", None), (sub, L)], [(city, L), (" ", None), (pc, L)]]
    if loc in ("de_DE", "de_AT", "de_CH", "nl_NL", "nl_BE", "sv_SE", "no_NO", "da_DK", "fi_FI", "pl_PL", "fr_FR", "pt_PT", "cs_CZ"):
        st, city, pc = f.street_address(), f.city(), f.postcode()
        if loc == "sv_SE" and rng.random() < 0.5:
            pc = pc[:3] + " " + pc[3:]
        if r < 0.6:
            return [[(st, L), (", ", None), (pc, L), (" ", None), (city, L)]]
        return [[(st, L)], [(pc, L), (" ", None), (city, L)]]
    if loc == "es_ES":
        st, city, pc, prov = f.street_address(), f.city(), f.postcode(), f.state()
        return [[(st, L), (", ", None), (pc, L), (" ", None), (city, L), (" (", None), (prov, None), (")", None)]]
    if loc == "it_IT":
        st, city, pc, pr = f.street_address(), f.city(), f.postcode(), f.state_abbr()
        return [[(st, L), (", ", None), (pc, L), (" ", None), (city, L), (" (", None), (pr, None), (")", None)]]
    if loc == "pt_BR":
        st, nb, city, uf, pc = f.street_address(), f.bairro(), f.city(), f.estado_sigla(), f.postcode()
        return [[(st, L), (" - ", None), (nb, L), (", ", None), (city, L), (" - ", None), (uf, None), (", CEP ", None), (pc, L)]]
    if loc == "es_MX":
        st, city, est, pc = f.street_address().split("\n")[0], f.city(), f.state(), f.postcode()
        col = f"Col. {f.last_name()}"
        return [[(st, L), (", ", None), (col, L), (", ", None), (city, L), (", ", None), (est, None), (", C.P. ", None), (pc, L)]]
    if loc == "en_IN":
        st, city, stt, pc = f.street_address().replace("\n", ", "), f.city_name(), f.state(), f.postcode()
        if r < 0.5:
            return [[(st, L), (", ", None), (city, L), (" - ", None), (pc, L), (", ", None), (stt, None)]]
        return [[(st, L)], [(city, L), (", ", None), (stt, None), (" PIN ", None), (pc, L)]]
    if loc == "en_PH":
        st, brgy, city, prov, pc = f"{rng.randint(1, 9999)} {f.street_name()}", f"Brgy. {f.last_name()}", f.city(), f.province(), f.postcode()
        return [[(st, L), (", ", None), (brgy, L), (", ", None), (city, L), (", ", None), (pc, L), (" ", None), (prov, None)]]
    if loc == "zu_ZA":
        st, city, pc = f.street_address(), f.city(), f.postcode()
        sub = f.city()
        return [[(st, L), (", ", None), (sub, L)], [(city, L), (", ", None), (pc, L)]]
    if loc == "ja_RO":
        ward, city = rng.choice(JP_PLACES)
        dist = rng.choice(JP_DISTRICTS)
        num = f"{rng.randint(1, 6)}-{rng.randint(1, 30)}-{rng.randint(1, 20)}"
        pc = f"{rng.randint(100, 999)}-{rng.randint(0, 9999):04d}"
        return [[(f"{num} {dist}", L), (", ", None), (ward, L), (", ", None), (city, L), (" ", None), (pc, L)]]
    if loc == "ko_RO":
        gu, city = rng.choice(KR_PLACES)
        road = f"{rng.randint(1, 999)} {rng.choice(KR_ROADS)}"
        pc = f"{rng.randint(1, 63999):05d}"
        return [[(road, L), (", ", None), (gu, L), (", ", None), (city, L), (" ", None), (pc, L)]]
    if loc == "en_NG":
        town, city = rng.choice(NG_TOWNS)
        st = f"{rng.randint(1, 300)} {rng.choice(NG_STREETS)}"
        return [[(st, L), (", ", None), (town, L), (", ", None), (city, L), (", ", None), (NG_STATES[city], None)]]
    raise ValueError(loc)


COUNTRY = {"en_GB": "United Kingdom", "en_IE": "Ireland", "en_CA": "Canada", "en_AU": "Australia",
           "en_NZ": "New Zealand", "de_DE": "Germany", "de_AT": "Austria", "de_CH": "Switzerland",
           "nl_NL": "Netherlands", "nl_BE": "Belgium", "sv_SE": "Sweden", "no_NO": "Norway",
           "da_DK": "Denmark", "fi_FI": "Finland", "pl_PL": "Poland", "fr_FR": "France",
           "pt_PT": "Portugal", "es_ES": "Spain", "it_IT": "Italy", "pt_BR": "Brazil",
           "es_MX": "Mexico", "en_IN": "India", "en_PH": "Philippines", "zu_ZA": "South Africa",
           "ja_RO": "Japan", "ko_RO": "Korea", "en_NG": "Nigeria", "cs_CZ": "Czech Republic"}

DEV_LOCALES = ["en_GB", "en_CA", "en_AU", "de_DE", "fr_FR", "es_ES", "pl_PL", "pt_BR", "en_IN",
               "ja_RO", "zu_ZA", "sv_SE"]
HOLD_LOCALES = ["en_IE", "en_NZ", "it_IT", "nl_NL", "no_NO", "da_DK", "fi_FI", "es_MX", "ko_RO",
                "en_NG", "en_PH", "de_AT", "pt_PT", "de_CH"]

# ---------------------------------------------------------------------------------------------
# Wrappers. `{A}` is the address as lines (joined per the wrapper), `{A1}` on one line;
# other slots: {C} city, {S} state, {Z} zip, {K} county, {N} neighbourhood, {P} person.

DEV_TEMPLATES = [
    # letters and emails
    ("multi", "Dear {P},\n\nYour appointment letter was returned. We have you at:\n{A}\nPlease confirm this is current.\n\nSincerely,\nFront desk"),
    ("multi", "To: patient services\nSubject: records request\n\nPlease mail the records to\n{A}\nThanks, {P}"),
    ("one", "Pt states new address is {A1}; update chart."),
    ("one", "Address: {A1}"),
    ("multi", "ADDRESS:\n{A}\nPHONE: see chart"),
    ("one", "PT LIVES AT {A1} WITH SPOUSE."),
    ("one", "Discharged home to {A1} with home health (CPT 97530, 97110 billed)."),
    ("one", "| {P} | {A1} | OT 3x/wk |"),
    ("one", "hey can u send the forms to {A1} thx"),
    ("one", "Follow-up in {C}, {S} {Z} with cardiology."),
    ("one", "Mailing: {C}, {S}, {Z}"),
    ("one", "Her zip is {Z}; score 7/13 on MoCA."),
    ("one", "Patient gave ZIP of {Z} at check-in; ICD-10 I10, E11.9."),
    ("one", "postal code is {Z} per intake"),
    ("one", "Lives in {K}, {S}; MA roomed the patient, OR time 0730."),
    ("one", "Grew up in the {N} neighborhood of {C}."),
    ("one", "Transferred from a clinic in {C} {S}. Metoprolol 25 mg bid."),
    ("one", "Home: {C}, {S}"),
    ("one", "The family drove in from {C}, {S} for the visit; 2 of 3 goals met."),
    ("one", "Resides with daughter in {C}. BP 128/76, HR 72."),
    ("one", "zip {Z}"),
    ("one", "Pharmacy on file: CVS, {A1}."),
    ("multi", "Emergency contact: {P} (sister)\n{A}\n"),
]

HOLD_TEMPLATES = [
    ("multi", "Referral letter\n\nRe: {P}\n{A}\n\nThank you for seeing this patient."),
    ("one", "Home address - {A1}. No stairs at entry."),
    ("one", "sent the invoice to {A1}, please check"),
    ("one", "PATIENT ADDRESS: {A1}"),
    ("multi", "Ship to:\n{A}\nAttn: {P}"),
    ("one", "Lives alone at {A1}; MA to call re: DME."),
    ("one", "{P}, {A1}, seen today for PT eval (97161)."),
    ("one", "moved here from {C}, {S} last spring"),
    ("one", "Current residence: {C} {S} {Z}. Hgb 11.2."),
    ("one", "the zip code she gave is {Z}"),
    ("one", "Zip: {Z} / County: {K}"),
    ("one", "Works in {C}, lives out in {K}."),
    ("one", "She is from {C}, {S}, and speaks English."),
    ("one", "Postal code {Z}. GCS 15, 2 L NC."),
    ("one", "originally from the {N} area of {C}"),
    ("one", "Lives in ZIP {Z}."),
    ("multi", "Name: {P}\nStreet: {ST}\nCity: {C}\nState: {S}\nZIP: {Z}"),
    ("one", "{A1} (home)"),
    ("one", "relocating to {C}, {S} {Z} next month; OK to transfer records"),
]

INTL_DEV = [
    ("multi", "Dear {P},\nWe received your form from\n{A}\n{CO}\nKind regards"),
    ("one", "Address: {A1}, {CO}"),
    ("one", "Pt lives at {A1} and travels for treatment."),
    ("one", "Tourist from {CO}, staying at {A1}."),
    ("one", "HOME ADDRESS: {A1}"),
    ("multi", "Forward results to:\n{A}"),
    ("one", "lives in {C} ({CO})"),
    ("one", "Postcode {Z}, town {C}."),
]
INTL_HOLD = [
    ("multi", "Correspondence address\n{A}\n{CO}\n"),
    ("one", "Visiting from {C}, {CO}; EHIC card shown."),
    ("one", "addr: {A1}"),
    ("one", "Next of kin {P} at {A1}, {CO}."),
    ("one", "our patient's home is {A1}"),
    ("one", "post code {Z}, {C}"),
]

DISTRACT = ["CPT 97530 x 2 units.", "ICD-10 M54.5.", "Dose 40 mg daily x 14 days.", "Score 7/13.",
            "MA roomed pt.", "To OR at 0800.", "IN and OUT cath x1.", "ME: alert.", "OK to discharge.",
            "A1c 7.2.", "Wt 82 kg.", "Seen 2019.", "PT 3x/week for 4 weeks.", "BP 132/84."]


def render_lines(lines, joiner):
    segs = []
    for i, ln in enumerate(lines):
        if i:
            segs.append((joiner, None))
        segs.extend(ln)
    return segs


def case_of(rng):
    r = rng.random()
    return "upper" if r < 0.15 else "lower" if r < 0.27 else "mixed"


def build(template, slots, case):
    """Fill a template whose slots hold segment lists; returns (text, spans)."""
    import re
    text, spans = "", []

    def put(s, lab):
        nonlocal text
        s = s.upper() if case == "upper" else s.lower() if case == "lower" else s
        if lab and s.strip():
            spans.append({"start": len(text), "end": len(text) + len(s), "type": lab})
        text += s

    pos = 0
    for m in re.finditer(r"\{(\w+)\}", template):
        put(template[pos:m.start()], None)
        for s, lab in slots[m.group(1)]:
            put(s, lab)
        pos = m.end()
    put(template[pos:], None)
    return text, spans


def neighbourhood(f, rng):
    return rng.choice([f"{f.last_name()} Heights", f"{f.last_name()} Park", f"Old {f.last_name()}",
                       f"{f.last_name()} Hill", f"{f.street_name().split()[0]} Square", f"East {f.last_name()}"])


def us_doc(rng, templates):
    kind, t = rng.choice(templates)
    d = us_address(rng, kind)
    f = fk("en_US", rng)
    if kind == "multi":
        layout = rng.choice(["lines", "lines", "lines_nocomma", "four_lines"])
    else:
        layout = rng.choice(["one", "one", "one_comma_zip", "city_state_zip", "street_city"])
    lines = seg_us(d, layout, rng)
    slots = {"A": render_lines(lines, "\n"), "A1": render_lines(lines, ", "),
             "C": [(d["city"], L)], "S": [(d["state"], None if d.get("mil") else L)], "Z": [(d["zip"], L)],
             "K": [(d["county"], L)], "N": [(neighbourhood(f, rng), L)],
             "P": [(f.name(), "NAME")], "ST": [(d["street"], L)]}
    if d.get("mil"):
        slots["C"] = [(f.city(), L)]
    return slots, t


def intl_doc(rng, templates, locales):
    loc = rng.choice(locales)
    kind, t = rng.choice(templates)
    lines = intl_address(loc, rng)
    labelled = [s for ln in lines for s in ln if s[1]]
    f = fk("en_US", rng)
    # town: the first labelled part after the street, postcode: one with a digit
    town = next((s for s in labelled[1:] if not any(c.isdigit() for c in s[0])), labelled[-1])
    pc = next((s for s in labelled[1:] if any(c.isdigit() for c in s[0])), labelled[-1])
    slots = {"A": render_lines(lines, "\n"), "A1": render_lines(lines, ", "), "C": [town], "Z": [pc],
             "CO": [(COUNTRY[loc], L)], "P": [(f.name(), "NAME")]}
    return slots, t, loc


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--split", choices=["dev", "holdout"], required=True)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--count", type=int, default=800)
    a = ap.parse_args()
    rng = random.Random(a.seed * 1009 + (0 if a.split == "dev" else 1))
    us_t, in_t, locs = (DEV_TEMPLATES, INTL_DEV, DEV_LOCALES) if a.split == "dev" else (HOLD_TEMPLATES, INTL_HOLD, HOLD_LOCALES)
    for i in range(a.count):
        if rng.random() < 0.55:
            slots, t = us_doc(rng, us_t)
            tag = "us"
        else:
            slots, t, tag = intl_doc(rng, in_t, locs)
        text, spans = build(t, slots, case_of(rng))
        if rng.random() < 0.4:
            extra = " " + rng.choice(DISTRACT)
            text += extra
        print(json.dumps({"id": f"addr-{a.split}-{i}", "format": "text", "locale": tag, "text": text, "spans": spans}, ensure_ascii=False))


if __name__ == "__main__":
    main()
