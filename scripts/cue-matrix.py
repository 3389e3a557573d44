#!/usr/bin/env python3
"""Probe matrices (stop 66): every cue of a kind of text × every kind of value × every case,
scored by whether the value's words survive `phigate scan`. A cue whose row leaks for
values no list holds is a gap in a reading, not in a list; word names (`Hope Lord`) in a
note written in one case are the known hard class. All values are invented or common
given names; no corpus text is read, so the probes may be used to tune.

    scripts/cue-matrix.py names|relatives|letters|places|numbers PHIGATE_BINARY [-v] [--fresh]

Prints the documents leaked out of those written, by case, by kind of value and by cue
(-v: every leak; --fresh: unlisted values no one-letter edit makes a word). Needs the fixed scoring key of scripts/measure-recall.sh.
"""
import collections, itertools, json, os, re, subprocess, sys

KEY = os.path.join(os.environ.get("MEASURE_DIR", "/tmp/phigate-measure"), "scoring.key")
NAMES = {
    "listed+listed": ["Maria Gonzalez", "Kevin Walsh", "Aisha Okafor"],
    "listed+unlisted": ["Marta Borlst", "Kevin Settak", "Aisha Grezak"],
    "unlisted+unlisted": ["Claldanza Ojumbo", "Frident Oloyinle", "Vetonjoslas Erov"],
    "word+unlisted": ["Cliff Jursky-Dirov", "Hope Settak", "Will Grezak"],
    "unlisted single": ["Ojumbo", "Settak", "Ljuvisti"],
    "listed+word": ["Marta Lord", "Kevin Herring", "Aisha Still"],
    "word+word": ["Hope Lord", "Cliff Herring", "Rose Still"],
    "initial+unlisted": ["T. Ojumbo", "K. Settak", "A. Grezak"],
}
# `--fresh` (stop 68): unlisted values that no one-letter edit turns into an English word
# or a listed name (`Ojumbo` is one slip from `jumbo`, which the misspelling veto keeps by
# design), so a leak of theirs is a missing reading, not the veto.
FRESH = {
    "listed+unlisted": ["Marta Robrovic", "Kevin Paigrund", "Aisha Tirikven"],
    "unlisted+unlisted": ["Kaizial Neitrerov", "Driamiv Zulianouk", "Peshask Laihumir"],
    "word+unlisted": ["Cliff Robrovic", "Hope Paigrund", "Will Tirikven"],
    "unlisted single": ["Neitrerov", "Paigrund", "Zulianouk"],
    "initial+unlisted": ["T. Robrovic", "K. Paigrund", "A. Tirikven"],
}
NOTE = ("Pt seen for OT follow-up. ROM improved. HEP reviewed.\n{}\nPlan: continue 2x/wk.", ("mixed", "lower", "upper"))
PROBES = {
    "names": (NOTE, NAMES, [
        "Spoke to {N} about transport.", "Spoke with {N} about the plan.", "Called {N} to confirm.",
        "Left message for {N} to call back.", "Discussed with {N} today.", "Met with {N} and family.",
        "Seen by {N} this morning.", "Accompanied by {N} today.", "Per {N}, pt slept well.",
        "Mr {N} reports less pain.", "Mrs {N} reports less pain.", "Ms {N} was seen today.",
        "Dr {N} reviewed the chart.", "Pt {N} walked 200 ft.", "Patient {N} tolerated tx well.",
        "Daughter {N} visited.", "Her husband {N} visited.", "Caregiver {N} present.",
        "Emergency contact: {N}.", "Visitors today: {N}.", "Signed: {N}, OTR/L", "{N}, MSW",
        "{N}, RN", "{N}, MD", "{N} (daughter) called.", "{N} called the clinic.",
        "{N} reports pain 4/10.", "{N} states she feels better.", "{N} complained of neck pain.",
        "{N} is a 45 yo female.", "Asked {N} to bring his brace.", "Told {N} about the plan.",
        "Team members: {N} and the OT.", "Note written by {N}, RN.", "Referred by {N}.",
        "Thank you, {N}.", "Reviewed with {N}, PT.", "cc: {N}", "Attn: {N}", "Pt is {N}, lives alone."]),
    "relatives": (NOTE, NAMES, [
        "Pt's daughter {N} visited.", "His granddaughter {N} drives him.", "Neighbor {N} checks on her daily.",
        "Her friend {N} brought lunch.", "Lives with partner {N}.", "HCP is {N} (son).",
        "Son-in-law {N} to assist with transfers.", "Discussed HEP with caregiver {N}.",
        "Pt and {N} (wife) present.", "Pt's niece {N} called twice.", "Brother {N} will pick her up.",
        "Roommate {N} reports falls.", "Tx with {N}, COTA.", "Co-treat with {N}, PT.",
        "Supervised by {N}, OTR/L.", "Case discussed with {N}, SLP.", "Pt says {N} helps at home.",
        "Pt asked for {N}.", "Pt misses {N}.", "Pt wants to see {N}."]),
    "letters": (("{}", ("mixed", "lower")), {k: NAMES[k] for k in ("listed+unlisted", "unlisted+unlisted", "unlisted single", "word+word")} | {
        "listed single": ["Tomasz", "Aisha", "Kevin"], "word single": ["Hope", "Cliff", "Faith"]}, [
        "Hi all,\nThe meeting moved to Thursday.\nBest,\n{N}", "Thanks so much!\n\nCheers,\n{N}",
        "Regards,\n{N}\nOffice manager", "Love you,\n{N} xx", "-- \n{N}\nSent from my phone",
        "Yours sincerely,\n\n{N}", "{N} wrote:\n> see you at 5", "Forwarded message from {N}:",
        "Congrats to {N} on the new job!", "Shout-out to {N} for covering my shift.",
        "Happy birthday {N}!!", "RIP {N}, you will be missed.", "Photo by {N}.",
        "Interview with {N}, founder of the bakery.", "Written by {N} | 5 min read",
        "Reply to {N}'s comment below.", "My neighbour {N} found the dog.", "Meet {N}, our new intern.",
        "{N} and I went hiking on Sunday.", "Call {N} tomorrow re: invoice.", "Ask {N} about the keys.",
        "Invoice prepared for {N}.", "Winner: {N}", "Guest speaker {N} will talk about gardens.",
        "In memory of {N}.", "According to {N}, the road is closed."]),
    "places": (("Pt seen for OT follow-up. ROM improved.\n{}\nPlan: continue 2x/wk.", ("mixed", "lower", "upper")), {
        "listed town": ["Springfield", "Kalamazoo", "Bakersfield"],
        "unlisted town": ["Vrelsbury", "Oskarnes", "Timbuvale"],
        "word town": ["Hope", "Mobile", "Friendship"],
        "two-word unlisted": ["Port Vrelsby", "Lake Oskarnes", "New Timbuvale"]}, [
        "Lives alone in {N}.", "Lives with daughter in {N}, Ohio.", "Moved from {N} last year.",
        "Discharged home to {N}.", "Born in {N}.", "Transferred from {N} General.",
        "Grew up in {N}; retired machinist.", "Family drove up from {N} today.",
        "Home visit in {N} on Friday.", "Pt is from {N}.", "Address: 42 Quarnby Road, {N}, Ohio 04412.",
        "Visited her sister in {N} over the weekend.", "Works at the bakery in {N}.",
        "Plans to return to {N} after discharge.", "Resides at 17 Vessing Lane in {N}.", "Hometown: {N}.",
        "She was in {N} when she fell.", "Travelled to {N} for the wedding.",
        "Will stay at son's house in {N} for 2 weeks.", "Drove 40 miles from {N} for this visit."]),
    "numbers": (("{}", ("mixed", "lower", "upper")), {
        "date": ["03/14/2024", "3/14/24", "14.03.2024", "2024-03-14", "March 14, 2024", "14 March 2024",
                 "Mar 14th", "the 14th of March", "14-Mar-2024", "March 14", "3/14", "14/03/2024", "March 2024"],
        "phone": ["(555) 123-4567", "555.123.4567", "+1 555 123 4567", "+44 20 7946 0958", "020 7946 0018",
                  "01.23.45.67.89", "+49 30 1234567", "07700 900123", "+33 6 12 34 56 78"],
        "id": ["4471920", "A7781920", "123-45-6789", "XZQ447192", "HX-99120-A", "99887766A"],
        "contact": ["jkowalski@gmail.com", "https://facebook.com/jkowalski", "192.168.10.44"]}, [
        "Pt seen today. {N} per chart. ROM improved.", "Contact info on file: {N}", "note: {N}",
        "MRN {N}", "Per daughter, {N} is correct."]),
}


def main():
    kind, binary = sys.argv[1], sys.argv[2]
    (frame, cases), values, cues = PROBES[kind]
    if "--fresh" in sys.argv:
        values = {k: FRESH.get(k, v) for k, v in values.items()}
    docs = []
    for (ci, cue), (vk, vs) in itertools.product(enumerate(cues), values.items()):
        for v, case in itertools.product(vs, cases):
            text = frame.format(cue.format(N=v))
            text = {"mixed": text, "lower": text.lower(), "upper": text.upper()}[case]
            docs.append({"id": f"{ci}|{vk}|{case}|{len(docs)}", "text": text, "value": v})
    payload = "".join(json.dumps({"id": d["id"], "text": d["text"], "content_type": "text/plain"}) + "\n" for d in docs)
    out = subprocess.run([binary, "scan", "--jsonl", "--key-file", KEY], input=payload.encode(),
                         capture_output=True, check=True).stdout.decode().splitlines()
    result = {o["id"]: o["text"].lower() for o in map(json.loads, out)}
    miss, total, rows = collections.Counter(), collections.Counter(), []
    for d in docs:
        ci, vk, case, _ = d["id"].split("|")
        total[case] += 1
        total[vk] += 1
        words = [w.strip(".").lower() for w in d["value"].split() if len(w.strip(".")) > 1]
        if kind == "numbers":
            words = [d["value"].lower()]
        leaked = [w for w in words if re.search(r"(?<![a-z0-9_])" + re.escape(w) + r"(?![a-z0-9_])", result[d["id"]])]
        if leaked:
            for k in (case, vk, int(ci)):
                miss[k] += 1
            rows.append((cues[int(ci)], vk, case, leaked))
    if "-v" in sys.argv:
        for r in rows:
            print(r)
    print("leaked docs:", len(rows), "of", len(docs))
    for k in list(cases) + list(values):
        print(f"{k}: {miss[k]} / {total[k]}")
    for ci, cue in enumerate(cues):
        if miss[ci]:
            print("%3d %s" % (miss[ci], cue.replace("\n", "⏎")))


if __name__ == "__main__":
    main()
