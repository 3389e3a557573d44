#!/usr/bin/env python3
"""general_v6: a general-domain corpus kept held out (stop 50, helper general50).

Written before any change of stop 50 and never tuned on: only its figures are read, never
its misses. Genres none of `general_dev.py`, `general_v2.py`…`general_v5.py` has: customer-
support chat and call transcripts with agent and customer turns, HR letters and forms
(resignation, change of details, leave requests, performance reviews, payslip queries), travel
documents (e-ticket receipts, hotel vouchers, visa invitation letters, train tickets, tour
rosters), forum threads with quoted posts and signatures, genealogy notes, race results,
podcast transcripts, maintenance requests, vehicle sale receipts, powers of attorney, baptism
records, seating plans and meeting invitations. People come from Faker locales the earlier
generators leave out or barely use (Luxembourgish German, Liechtenstein, Catalan, Mexican
Spanish, Hausa, Igbo, Twi, Swahili, Thai in Latin letters, Latvian, Estonian, Icelandic,
Irish, Finnish, Norwegian, Swedish, Turkish) plus romanised Arabic and Amharic names written
for this script; addresses in the formats of Luxembourg, Liechtenstein, Belgium, Malta,
Iceland, Latvia, Estonia, Albania, Bosnia, Cyprus, Ghana, Kenya, Nigeria, Japan, Korea and
Thailand (street and town lists written for this script) and Faker's own for Malaysia,
Bangladesh, Ireland, the Philippines, Mexico, Finland, Norway and Sweden. Each document's
`source` records its name locale and address locale.

It is a holdout only: report its figures (`--seed 61`), never read its misses.

Usage:
    python3 scripts/general_v6.py --seed 61 --count 500 > /tmp/general-v6.jsonl
    python3 ../shared/eval/score.py --safe-harbor /tmp/general-v6.jsonl -- target/release/phigate scan --jsonl

Synthetic data only: every value is generated; the templates and lists were written for this
script and come from no other project's generator.
"""
import argparse
import datetime
import random
import sys

from faker import Faker

from corpus_common import Romanised, fix_string_hashing, join, render, seeded_fakers, strip_marks, write_doc

NAME_LOCALES = ["en_US", "en_US", "en_US", "en_GB", "en_GB", "en_IE", "en_NZ", "de_LU",
                "de_LI", "es_CA", "es_MX", "es_MX", "ha_NG", "ig_NG", "tw_GH", "sw", "en_TH",
                "lv_LV", "et_EE", "is_IS", "ga_IE", "fi_FI", "no_NO", "sv_SE", "tr_TR",
                "en_KE", "en_NG", "fr_CH", "hr_HR", "arabic", "arabic", "amharic"]

# Address styles: a Faker locale with addresses in its own format, or a country of STREETS.
ADDRESS_STYLES = ["en_US", "en_GB", "en_MS", "en_BD", "en_IE", "fil_PH", "es_MX", "fi_FI",
                  "no_NO", "sv_SE", "LU", "LI", "BE", "MT", "IS", "LV", "EE", "AL", "BA", "CY",
                  "GH", "KE", "NG", "JP", "KR", "TH"]

# country: (streets, towns, format); {s} street, {n} number, {p} postcode, {t} town
STREETS = {
    "LU": (["rue de la Gare", "route d'Arlon", "avenue de la Liberté", "rue Principale",
            "Grand-Rue", "rue des Jardins", "boulevard Royal"],
           ["Esch-sur-Alzette", "Differdange", "Dudelange", "Ettelbruck", "Diekirch", "Wiltz",
            "Echternach", "Remich", "Mersch", "Grevenmacher"], "{n}, {s}, L-{p4} {t}"),
    "LI": (["Landstrasse", "Städtle", "Kirchstrasse", "Feldkircherstrasse", "Im Rietacker",
            "Bahnhofstrasse"], ["Vaduz", "Schaan", "Balzers", "Triesen", "Eschen", "Mauren",
                                "Ruggell", "Triesenberg"], "{s} {n}, 94{p2} {t}"),
    "BE": (["Kerkstraat", "Stationsstraat", "Rue du Moulin", "Chaussée de Namur", "Dorpstraat",
            "Rue de la Station", "Molenstraat", "Avenue Louise"],
           ["Gent", "Brugge", "Leuven", "Namur", "Liège", "Mechelen", "Hasselt", "Charleroi",
            "Mons", "Kortrijk", "Aalst", "Ottignies"], "{s} {n}, {p4} {t}"),
    "MT": (["Triq il-Kbira", "Triq San Pawl", "Triq il-Kappillan", "Triq Tal-Qroqq",
            "Triq il-Wied"], ["Birkirkara", "Mosta", "Qormi", "Żabbar", "Sliema", "Naxxar",
                              "Żejtun", "Rabat", "Marsaskala"], "{n}, {s}, {t} {MT}"),
    "IS": (["Laugavegur", "Hverfisgata", "Skólavörðustígur", "Bankastræti", "Austurstræti",
            "Álfhólsvegur", "Strandgata"], ["Reykjavík", "Kópavogur", "Hafnarfjörður",
                                            "Akureyri", "Selfoss", "Ísafjörður", "Egilsstaðir"],
           "{s} {n}, {p3} {t}"),
    "LV": (["Brīvības iela", "Elizabetes iela", "Krasta iela", "Lāčplēša iela", "Dzirnavu iela",
            "Rīgas iela"], ["Rīga", "Daugavpils", "Liepāja", "Jelgava", "Jūrmala", "Ventspils",
                            "Rēzekne", "Valmiera"], "{s} {n}-{flat}, {t}, LV-{p4}"),
    "EE": (["Narva mnt", "Pärnu mnt", "Pikk tn", "Rüütli tn", "Kalda tee", "Tähe tn",
            "Jõe tn"], ["Tallinn", "Tartu", "Narva", "Pärnu", "Viljandi", "Rakvere",
                        "Kuressaare", "Haapsalu"], "{s} {n}-{flat}, {p5} {t}"),
    "AL": (["Rruga e Kavajës", "Rruga e Durrësit", "Rruga Myslym Shyri", "Bulevardi Zogu I",
            "Rruga Sami Frashëri"], ["Tiranë", "Durrës", "Vlorë", "Shkodër", "Elbasan", "Korçë",
                                      "Berat"], "{s} {n}, {t} {p4}"),
    "BA": (["Ferhadija", "Maršala Tita", "Zmaja od Bosne", "Titova", "Kralja Petra I",
            "Bulevar Meše Selimovića"], ["Sarajevo", "Banja Luka", "Tuzla", "Zenica", "Mostar",
                                         "Bihać", "Brčko", "Trebinje"], "{s} {n}, {p5} {t}"),
    "CY": (["Leoforos Makariou III", "Odos Ledras", "Archiepiskopou Kyprianou",
            "Griva Digeni", "Spyrou Kyprianou"], ["Nicosia", "Limassol", "Larnaca", "Paphos",
                                                   "Paralimni", "Strovolos"], "{s} {n}, {p4} {t}"),
    "GH": (["Ring Road Central", "Oxford Street", "Liberation Road", "Kojo Thompson Road",
            "Harper Road"], ["Accra", "Kumasi", "Tamale", "Takoradi", "Cape Coast", "Tema", "Ho",
                             "Koforidua"], "House No. {n}, {s}, {t} ({GH})"),
    "KE": (["Moi Avenue", "Kenyatta Avenue", "Ngong Road", "Biashara Street", "Oginga Odinga St"],
           ["Nairobi", "Mombasa", "Kisumu", "Nakuru", "Eldoret", "Thika", "Malindi", "Nyeri"],
           "{n} {s}, P.O. Box {box}-{p5}, {t}"),
    "NG": (["Adeola Odeku Street", "Awolowo Road", "Herbert Macaulay Way", "Ogui Road",
            "Aminu Kano Crescent"], ["Lagos", "Ibadan", "Kano", "Enugu", "Abuja",
                                     "Port Harcourt", "Abeokuta", "Owerri"], "{n} {s}, {t} {p6}"),
    "JP": (["Minami-Aoyama", "Jingumae", "Nishi-Shinjuku", "Sakae", "Umeda", "Tenjin"],
           ["Minato-ku, Tokyo", "Shibuya-ku, Tokyo", "Naka-ku, Nagoya", "Kita-ku, Osaka",
            "Chuo-ku, Fukuoka", "Aoba-ku, Sendai"], "{jp} {s}, {t} {p3}-{p4}"),
    "KR": (["Teheran-ro", "Sejong-daero", "Gangnam-daero", "Haeundae-ro", "Dongseong-ro"],
           ["Gangnam-gu, Seoul", "Jongno-gu, Seoul", "Haeundae-gu, Busan", "Jung-gu, Daegu",
            "Yuseong-gu, Daejeon"], "{n} {s} {n2}-gil, {t} {p5}"),
    "TH": (["Sukhumvit Soi 31", "Charoen Krung Rd", "Ratchadaphisek Rd", "Nimmanhaemin Rd",
            "Phahonyothin Rd"], ["Khlong Toei, Bangkok", "Bang Rak, Bangkok",
                                 "Mueang Chiang Mai", "Hat Yai, Songkhla", "Mueang Khon Kaen"],
           "{n}/{n2} Moo {moo}, {s}, {t} {p5}"),
}

# Romanised names written for this script.
ARABIC_FIRST = ["Mohammed", "Fatima", "Omar", "Layla", "Youssef", "Aisha", "Khalid", "Mariam",
                "Tariq", "Noor", "Hamza", "Salma", "Karim", "Rania", "Bilal", "Huda", "Zaid",
                "Yasmin", "Anas", "Dalia"]
ARABIC_LAST = ["Al-Hashimi", "Haddad", "El-Masri", "Nasser", "Al-Farsi", "Khoury", "Saleh",
               "Mansour", "Abu Zaid", "Al-Qasimi", "Hamdan", "Benali", "Aziz", "Rahman",
               "Darwish", "El Amrani"]
AMHARIC_FIRST = ["Abebe", "Tigist", "Mulugeta", "Selamawit", "Dawit", "Meron", "Yonas",
                 "Hiwot", "Tewodros", "Bethlehem", "Kebede", "Almaz"]
AMHARIC_LAST = ["Bekele", "Tesfaye", "Haile", "Girma", "Alemu", "Wolde", "Tadesse", "Getachew",
                "Mengistu", "Kassa"]

# Given names that are also English words or surnames-as-given-names.
WORD_NAMES = ["June", "Jade", "Sage", "Reed", "Drew", "Brook", "Lane", "Eve", "Gale", "Kit",
              "Pat", "Rich", "Cash", "Hunter", "Crystal", "Destiny", "Harmony", "Ginger",
              "Mercy", "Lily", "Poppy", "Blossom", "Ray", "Sterling", "Sonny", "Max", "Bob",
              "Earl", "Duke", "Noble", "Royal", "Angel", "Ocean", "Scout", "Rocky", "Tag"]

PHONES = ["+352 621 ### ###", "+423 ### ## ##", "+32 4## ## ## ##", "+356 79## ####",
          "+354 8## ####", "+371 2#######", "+372 5### ####", "+355 6# ### ####",
          "+387 6# ### ###", "+357 99 ######", "+233 24 ### ####", "+254 (0)7## ### ###",
          "+234 80# ### ####", "+81 (0)3-####-####", "+82 (0)10 #### ####", "+66 8# ### ####",
          "+60 12-### ####", "+880 17## ######", "+971 50 ### ####", "+251 91 ### ####",
          "00 44 20 #### ####", "0044 7### ######", "(+1) ###-###-####", "###.###.####",
          "+1-###-###-####", "0#### ######", "+353 (0)8# ### ####", "+52 1 55 #### ####",
          "+46 (0)7# ### ## ##", "+47 ### ## ###", "+358 (0)50 ### ####"]

TITLES = ["Mr", "Mrs", "Ms", "Dr", "Mr.", "Mrs.", "Ms.", "Prof.", "Herr", "Frau", "Sr.", "Sra."]
ORGS = ["Brightline Telecom", "Kestrel Insurance", "Alder & Finch LLP", "Meridian Hotels",
        "Northgate University", "Copperleaf Energy", "Harbourview Housing", "Tallis Motors"]
HOTELS = ["Hotel Miramar", "The Linden Inn", "Pension Alpenblick", "Casa Azul", "Seabreeze Lodge"]
IATA = ["LHR", "DUB", "LUX", "KEF", "RIX", "TLL", "ACC", "NBO", "LOS", "NRT", "ICN", "BKK",
        "KUL", "DAC", "MNL", "MEX", "HEL", "OSL", "ARN", "ADD", "DXB", "TIA", "SJJ", "LCA"]
HANDLES = ["garden_gnome77", "bikeguy", "Mrs_Lavender", "wanderlust_k", "tea4two", "oldtimer",
           "nightowl", "sparky_99"]

TEMPLATES = [
    # customer-support chat and call transcripts
    "[{time}] Agent {agent}: Thanks for contacting {org}, who am I speaking with?\n[{time}] Customer: {name}\n[{time}] Agent {agent}: Thank you. Can you confirm the address on the account?\n[{time}] Customer: {address_line}",
    "Chat transcript {ref}\n{agent} (support): hi, how can I help today?\n{first_lc}: my order never came, it was meant to go to {street}\n{agent} (support): I can see it was left with {wname} at no. {house}, sorry about that",
    "Call summary {date}: caller {name} ({phone}) rang about a double charge. Verified with DOB {dob} and postcode {postcode}. Callback requested for {date2}.",
    "CUSTOMER: hi yes it's {first} {last} calling again\nAGENT: hello {first}, can I take a contact number?\nCUSTOMER: it's {phone}, and my wife {wname} is on the account too",
    "Escalation note: {name_ascii} says the engineer, {first2}, never arrived at {address_line} on {date}.",
    # HR letters and forms
    "RE: Resignation\n\nDear {title} {last},\n\nPlease accept this letter as formal notice of my resignation from {org}, effective {date}.\n\nSincerely,\n{name2}\n{address_multi}",
    "CHANGE OF PERSONAL DETAILS\nEmployee no.: {empid}\nName: {last_upper}, {first}\nNew address: {address_line}\nNew mobile: {phone}\nEffective from: {date}",
    "Annual leave request: {first} {last} asks for leave from {date} to {date2}; cover agreed with {first2}. Approved by {wname} {last2}.",
    "Performance review for {name}, completed by {name2} on {date}. {first} exceeded every target this year.",
    "Payroll query from {email}: hi, this is {name_lc}, my payslip for {month} shows the old bank account, can you check? emp id {empid}",
    "Offer of employment\n{date}\n\n{name}\n{address_multi}\n\nDear {first},\nWe are delighted to offer you a position starting {date2}. Please report to {wname} on your first morning.",
    # travel documents
    "E-TICKET RECEIPT\nPassenger: {last_upper}/{first_upper} {honor}\nBooking reference: {pnr}\n{date}  {iata}-{iata2}  dep {time}\nFrequent flyer no.: {ffn}",
    "HOTEL VOUCHER\nGuest name: {name}\nHotel: {hotel}, {address_line}\nArrival: {date}   Departure: {date2}\nConfirmation: {ref}",
    "LETTER OF INVITATION\n\nI, {name}, born on {dob}, residing at {address_line}, hereby invite {name2}, passport no. {passport}, to stay at my home from {date} to {date2}.\n\nSigned, {name}",
    "Train ticket: {city} to {city2}, {date}, coach 7, seat 42. Passenger: {name}. Ticket no. {ref}",
    "Tour group roster - departs {date}\n1. {name}\n2. {name2}\n3. {upper_name}\nGuide: {wname} ({phone})",
    # forum threads
    "Posted by {handle} on {date}\n> {quote_first} wrote:\n> anyone know a good dentist near {street}?\nTry Dr {last}, we've been going for years. Ask for {wname} at the desk.\n--\n{first} | {city}",
    "[Forum] Re: moving to {city}\nwe moved from {city2} last year. our landlord was {name}, decent guy. pm me if u want his number - {first_lc}",
    "Re: lost dog near {street}\nfound him!! thanks {first_lc} and {first2_lc} for sharing. {wname_lc} from number {house} spotted him",
    # family and community records
    "{first} {last} (née {last2}), born {dob} in {city}, married {name2} on {date}.",
    "Results: {city} 10K, {date}\n1. {name} ({city2}) 31:12\n2. {name2} 31:40\n3. {first3} {last3} 32:05",
    "Baptised on {date}: {first} {last}, child of {name} and {name2}; godparents {name3} and {wname} {last3}.",
    "Seating plan - Table 3: {name}, {name2}, {first3} {last3}, {wname} {last}",
    # transcripts
    "INTERVIEWER: So {first}, you grew up in {city}?\n{first_upper}: yes, on {street}. my mum {wname} still lives there.",
    "[{time}] {wname}: morning all\n[{time}] {first}: morning! {first2} is off sick today\n[{time}] {wname}: ok, {first_lc} can you cover the {city} run?",
    # property, vehicles, legal
    "Maintenance request {ref}: flat {house}, {street}. Tenant {name} ({phone}) reports a leaking tap. Keys with {wname} (caretaker).",
    "Received from {name} the sum of 2,400 for the vehicle reg. {plate}. Seller: {name2}, {address_line}. Date: {date}.",
    "POWER OF ATTORNEY\nI, {name}, of {address_line}, appoint {name2} of {address_line2} as my attorney from {date}.",
    "FOUND: keys on a red lanyard outside {street}. If they are yours call {first} on {phone}.",
    # education and meetings
    "Dear {first},\nCongratulations! You have been admitted to Northgate University for the term starting {date}. Your student number is {sid}. Please confirm by writing to {email}.\n{name2}, Admissions",
    "Invitation: project sync\nOrganiser: {email}\nAttendees: {first} {last}, {first2} {last2}, {name3}\nWhen: {date} {time}",
    "hi {first_lc}, can we move {name_lc}'s interview to {date}? she is flying in from {city}. thanks, {first2_lc}",
    "Ship to: {name} / {street} / {postcode} {city} / tel {phone}",
    "{wname} and {wname2} checked in at {time}; room 214 is booked under {last}.",
    "Notes from the call on {date}: spoke to {name}, DOB {dob}, confirmed address {address_line}; her son {wname} will ring back on {phone}.",
]



def date_value(rng):
    d = datetime.date(1932, 1, 1) + datetime.timedelta(days=rng.randint(0, 33500))
    r = rng.random()
    if r < 0.1:
        day = d.day
        suffix = "th" if 11 <= day <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
        return rng.choice([f"{day}{suffix} of {d:%B %Y}", f"{d:%B} {day}{suffix}, {d:%Y}",
                           f"{day}{suffix} {d:%b} {d:%Y}"])
    if r < 0.15:
        return d.strftime("%d-%b-%Y").upper()
    fmts = ["%d/%m/%Y", "%m/%d/%Y", "%Y-%m-%d", "%d %B %Y", "%B %d, %Y", "%d.%m.%Y",
            "%Y.%m.%d", "%d %b %Y", "%A %d %B %Y", "%d/%m/%y", "%b. %d, %Y", "%d %b"]
    return d.strftime(rng.choice(fmts)).replace(" 0", " ").lstrip("0")


def street_address(style, fake, rng, full):
    """A street line (or a whole address when `full`) of a country of STREETS."""
    streets, towns, fmt = STREETS[style]
    d = lambda k: "".join(str(rng.randint(0, 9)) for _ in range(k))  # noqa: E731
    vals = {"s": rng.choice(streets), "n": str(rng.randint(1, 180)), "n2": str(rng.randint(2, 40)),
            "t": rng.choice(towns), "flat": str(rng.randint(1, 60)), "moo": str(rng.randint(1, 12)),
            "p2": d(2), "p3": str(rng.randint(100, 999)), "p4": str(rng.randint(1000, 9999)),
            "p5": str(rng.randint(10000, 99999)), "p6": str(rng.randint(100000, 999999)),
            "box": str(rng.randint(100, 9999)), "jp": f"{rng.randint(1, 6)}-{rng.randint(1, 30)}-{rng.randint(1, 20)}",
            "MT": "".join(rng.choice("BKMQSNZR") for _ in range(3)) + " " + d(4),
            "GH": f"G{rng.choice('AKTE')}-{d(3)}-{d(4)}"}
    if full:
        return fmt.format(**vals)
    line = {"LU": "{n}, {s}", "MT": "{n}, {s}", "GH": "House No. {n}, {s}", "KE": "{n} {s}",
            "NG": "{n} {s}", "TH": "{n}/{n2} {s}", "JP": "{jp} {s}", "KR": "{n} {s} {n2}-gil",
            "LV": "{s} {n}-{flat}", "EE": "{s} {n}-{flat}"}.get(style, "{s} {n}")
    return line.format(**vals)


class Values:
    def __init__(self, person, style, places, rng):
        self.p, self.style, self.places, self.rng = person, style, places, rng

    def addr(self, part):
        style, rng = self.style, self.rng
        if style in STREETS:
            streets, towns, _ = STREETS[style]
            if part == "street":
                return street_address(style, None, rng, False)
            if part == "city":
                return rng.choice(towns).split(",")[0]
            if part == "postcode":
                return {"LU": "L-" + str(rng.randint(1000, 9999)), "LV": "LV-" + str(rng.randint(1000, 9999)),
                        "MT": "".join(rng.choice("BKMQSNZR") for _ in range(3)) + " " + str(rng.randint(1000, 9999))}.get(
                    style, str(rng.randint(1000, 99999)))
            return street_address(style, None, rng, True)
        a = self.places[style]
        if part == "street":
            return a.street_address()
        if part == "city":
            return a.city()
        if part == "postcode":
            return a.postcode()
        return a.address()

    def __call__(self, kind, _fake, rng):
        p = self.p
        if kind in ("name", "name2", "name3"):
            n = p.name()
            if rng.random() < 0.1:
                n = f"{rng.choice(TITLES)} {n}"
            return n, "NAME"
        if kind == "name_lc":
            return p.name().lower(), "NAME"
        if kind == "name_ascii":
            return strip_marks(p.name()), "NAME"
        if kind == "upper_name":
            return p.name().upper(), "NAME"
        if kind in ("first", "first2", "first3", "quote_first"):
            return p.first_name(), "NAME"
        if kind in ("first_lc", "first2_lc"):
            v = p.first_name()
            return (strip_marks(v) if rng.random() < 0.4 else v).lower(), "NAME"
        if kind == "first_upper":
            return strip_marks(p.first_name()).upper(), "NAME"
        if kind in ("last", "last2", "last3"):
            return p.last_name(), "NAME"
        if kind == "last_upper":
            return strip_marks(p.last_name()).upper().replace(" ", ""), "NAME"
        if kind in ("wname", "wname2"):
            return rng.choice(WORD_NAMES), "NAME"
        if kind == "wname_lc":
            return rng.choice(WORD_NAMES).lower(), "NAME"
        if kind == "agent":
            return US.first_name(), "NAME"
        if kind in ("street",):
            return self.addr("street"), "LOCATION"
        if kind in ("city", "city2"):
            return self.addr("city"), "LOCATION"
        if kind == "postcode":
            return self.addr("postcode"), "LOCATION"
        if kind in ("address_line", "address_line2"):
            return self.addr("full").replace("\n", ", "), "LOCATION"
        if kind == "address_multi":
            return self.addr("full").replace(", ", "\n", 1), "LOCATION"
        if kind == "phone":
            if rng.random() < 0.3 and self.style in self.places:
                try:
                    return self.places[self.style].phone_number(), "PHONE"
                except AttributeError:
                    pass
            return US.numerify(rng.choice(PHONES)), "PHONE"
        if kind == "email":
            user = strip_marks(p.first_name()).lower().replace(" ", "") + rng.choice([".", "_", "", "-"]) \
                + strip_marks(p.last_name()).lower().replace(" ", "").replace("'", "")
            return f"{user}{rng.choice(['', str(rng.randint(1, 99))])}@{rng.choice(['gmx.lu', 'web.de', 'yahoo.co.uk', 'proton.me', 'example.org'])}", "EMAIL"
        if kind in ("date", "date2", "dob"):
            return date_value(rng), "DATE"
        if kind == "time":
            return f"{rng.randint(7, 22)}:{rng.randint(0, 59):02d}", None
        if kind == "month":
            return rng.choice(["March", "june", "Sept", "last month"]), None
        if kind == "ref":
            return US.bothify(rng.choice(["#######", "??-#####", "CS#######", "#####-?"])).upper(), "ID"
        if kind == "empid":
            return US.bothify(rng.choice(["E######", "######", "HR-#####"])).upper(), "ID"
        if kind == "sid":
            return US.numerify("20########"), "ID"
        if kind == "pnr":
            return "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(6)), "ID"
        if kind == "ffn":
            return US.bothify("??#########").upper(), "ID"
        if kind == "passport":
            return US.bothify(rng.choice(["?#######", "??#######", "#########"])).upper(), "ID"
        if kind == "plate":
            return US.bothify(rng.choice(["??## ???", "???-####", "?? ####", "#-???-###"])).upper(), "ID"
        if kind == "house":
            return str(rng.randint(2, 140)), None
        if kind == "honor":
            return rng.choice(["MR", "MRS", "MS", "MISS", "DR"]), None
        if kind in ("iata", "iata2"):
            return rng.choice(IATA), None
        if kind == "hotel":
            return rng.choice(HOTELS), None
        if kind == "handle":
            return rng.choice(HANDLES), None
        if kind == "title":
            return rng.choice(TITLES), None
        if kind == "org":
            return rng.choice(ORGS), None
        raise KeyError(kind)


US = Faker("en_US")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=61)
    ap.add_argument("--count", type=int, default=500)
    args = ap.parse_args()
    fix_string_hashing()
    rng = random.Random(args.seed)
    US.seed_instance(rng.randint(0, 2**31))
    people = seeded_fakers(sorted(set(NAME_LOCALES) - {"arabic", "amharic"}), rng)
    people["arabic"] = Romanised(ARABIC_FIRST, ARABIC_LAST, rng)
    people["amharic"] = Romanised(AMHARIC_FIRST, AMHARIC_LAST, rng)
    places = seeded_fakers(sorted(s for s in set(ADDRESS_STYLES) if s not in STREETS), rng)
    for i in range(args.count):
        loc = rng.choice(NAME_LOCALES)
        style = rng.choice(ADDRESS_STYLES)
        values = Values(people[loc], style, places, rng)
        text, spans = join([render(rng.choice(TEMPLATES), values, None, rng)
                            for _ in range(rng.randint(1, 2))], sep="\n\n")
        write_doc(sys.stdout, f"general-v6-{args.seed}-{i}", f"{loc}/{style}", text, spans)


if __name__ == "__main__":
    main()
