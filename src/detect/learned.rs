//! Values learned from a payload's structured fields, scrubbed from the same payload's text.
//!
//! Owns the per-payload dictionary (a patient's name parts, MRN, phone, street line…) and
//! its case-insensitive, whole-word search. A FHIR Patient named Maria Lopez makes `Maria`,
//! `Lopez`, `LOPEZ, MARIA` and `Mrs. Lopez` findable anywhere in that payload's notes. It also
//! carries the payload's patient values to remember and, once recalled, the patient's
//! memory of earlier payloads ([`crate::memory`]), searched with the learned values.

use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};

use crate::memory::Memory;
use crate::phi::PhiType;

/// Values collected while walking one payload; build once, then search its free text.
#[derive(Default)]
pub struct Learned {
    values: Vec<(String, PhiType)>,
    /// The values in lower case, so a payload with many rows dedupes in constant time.
    seen: rustc_hash::FxHashSet<String>,
    /// Built on the first search of a long text: most searches (the short values of an
    /// HL7 message or a table row) compare the values directly, which costs less than
    /// building an automaton per payload.
    automaton: OnceLock<Option<AhoCorasick>>,
    /// The values' indices by first byte (ASCII-folded), built on the first direct
    /// comparison: at a position only the values that can start with its byte are
    /// compared, not every value (a payload learns dozens; most start elsewhere).
    by_first: OnceLock<ByFirst>,
    /// Which bytes (ASCII-folded) some value starts with, and the shortest value's length:
    /// the direct comparison skips every position no value can start at, and a text
    /// shorter than every value (most code values of a message) is not searched at all.
    firsts: [u64; 4],
    shortest: usize,
    /// The patient's own values (not a clinician's or a contact's), to remember.
    patient: Vec<(PhiType, String)>,
    /// The patient's memory, searched with the values.
    memory: Option<Memory>,
    /// User names made of the learned names (`rthackeray`, `rosalind.thackeray`), in lower
    /// case: looked up word by word, not added to the values, so a bundle's names do not
    /// multiply the values compared at each position ([`ByFirst`]).
    user_names: rustc_hash::FxHashSet<String>,
}

/// Text length × the most values that share a first byte, under which values are
/// compared directly. At a position only the values starting with its byte are compared
/// ([`ByFirst`]), so this bounds the comparisons as the budget was meant to when every
/// value was compared at every position (text length × value count): a FHIR bundle's
/// notes, searched for its few dozen values, no longer build an automaton each
/// (BENCHMARKS.md, stop 42).
const DIRECT_BUDGET: usize = 8192;

/// Most patient values remembered from one payload (a message repeating its patient's
/// fields in every segment adds nothing past this).
const MAX_PATIENT_VALUES: usize = 64;

/// Shortest learned value worth searching for; shorter ones match inside too many words.
const MIN_LEN: usize = 2;

impl Learned {
    /// Records a structured value. Names are also split into their parts, and phone-like
    /// values are recorded in their bare-digit form too.
    pub fn add(&mut self, ty: PhiType, value: &str) {
        let v = value.trim();
        if v.len() < MIN_LEN || is_placeholder(v) {
            return;
        }
        if ty == PhiType::Zip {
            // Only a US ZIP's five digits are searched for (`moved to 01085 last yr`): a
            // ZIP+4's tail or a shorter code would match unrelated numbers (red team 52, H21).
            if let Some(zip) = us_zip(v) {
                self.push(ty, zip);
            }
            self.automaton = OnceLock::new();
            self.by_first = OnceLock::new();
            return;
        }
        self.push(ty, v);
        match ty {
            PhiType::Name | PhiType::ProviderName => {
                let mixed_case = v.chars().any(char::is_lowercase);
                for part in v.split(|c: char| c.is_whitespace() || c == ',') {
                    let part = part.trim_matches(|c: char| !c.is_alphanumeric());
                    let credential = mixed_case && is_credential_or_initials(part);
                    if part.len() >= MIN_LEN
                        && !is_title(part)
                        && !is_placeholder(part)
                        && !credential
                    {
                        self.push(ty, part);
                    }
                }
                self.user_names.extend(user_names(v));
            }
            PhiType::Phone | PhiType::Fax | PhiType::Ssn => {
                let digits: String = v.chars().filter(char::is_ascii_digit).collect();
                if digits.len() >= 7 {
                    self.push(ty, &digits);
                }
                // An SSN's last four are what an identity check reads back (`verified last
                // 4: 3306`, red team 52, H21); a year or `0000` is too common to search for.
                if ty == PhiType::Ssn {
                    if let Some(tail) = ssn_tail(&digits) {
                        self.push(ty, tail);
                    }
                }
            }
            PhiType::Address => {
                for name in street_names(v) {
                    if !is_placeholder(&name) {
                        self.push(ty, &name);
                    }
                }
            }
            _ => {}
        }
        self.automaton = OnceLock::new();
        self.by_first = OnceLock::new();
    }

    fn push(&mut self, ty: PhiType, v: &str) {
        if self.seen.insert(v.to_ascii_lowercase()) {
            if let Some(&b) = v.as_bytes().first() {
                for c in [b.to_ascii_lowercase(), b.to_ascii_uppercase()] {
                    self.firsts[usize::from(c >> 6)] |= 1 << (c & 63);
                }
            }
            self.shortest = match self.values.is_empty() {
                true => v.len(),
                false => self.shortest.min(v.len()),
            };
            self.values.push((v.to_string(), ty));
        }
    }

    /// Forgets everything, keeping the allocations: one `Learned` serves every message of
    /// an HL7 body, whose values would otherwise rebuild the set and lists per message.
    pub fn clear(&mut self) {
        self.values.clear();
        self.seen.clear();
        self.automaton = OnceLock::new();
        self.by_first = OnceLock::new();
        self.firsts = [0; 4];
        self.shortest = 0;
        self.patient.clear();
        self.memory = None;
        self.user_names.clear();
    }

    /// Records one of the payload's patient's own values, for the patient memory.
    pub fn remember(&mut self, ty: PhiType, value: &str) {
        let v = value.trim();
        if crate::memory::rememberable(ty)
            && !v.is_empty()
            && self.patient.len() < MAX_PATIENT_VALUES
        {
            self.patient.push((ty, v.to_string()));
        }
    }

    /// The patient values recorded by [`Learned::remember`].
    pub fn patient_values(&self) -> &[(PhiType, String)] {
        &self.patient
    }

    /// Searches the patient's memory along with the learned values from now on.
    pub fn recall(&mut self, memory: Memory) {
        self.memory = Some(memory);
    }

    /// Takes the recalled memory out (to search it with another payload part's values).
    pub fn take_memory(&mut self) -> Option<Memory> {
        self.memory.take()
    }

    /// Replaces the recalled memory (a new patient's, or none).
    pub fn set_memory(&mut self, memory: Option<Memory>) {
        self.memory = memory;
    }

    /// The recalled memory (tests).
    pub fn memory(&self) -> Option<&Memory> {
        self.memory.as_ref()
    }

    /// The user names made of a given name and a surname learned apart (`{"first":
    /// "Orsolya", "last": "Brankovic"}`: `obrankovic`, `orsolya.brankovic`), and only
    /// those: each part is searched for or not by its own key's rule (a surname that is a
    /// word, `walker`, is not), so the pair is no value to search for (red team 68).
    pub fn add_user_names_of(&mut self, first: &str, last: &str) {
        self.user_names
            .extend(user_names(&format!("{} {}", first.trim(), last.trim())));
    }

    /// Whether `word` is a learned name or name part, or a user name made of one
    /// (`rosalind`, `rthackeray`), in any case: an object key that is one is the person.
    pub fn is_name(&self, word: &str) -> bool {
        let lower = word.to_ascii_lowercase();
        word.len() >= MIN_USER_NAME_PART
            && (self.user_names.contains(&lower)
                || self.seen.contains(&lower)
                    && self.values.iter().any(|(v, ty)| {
                        matches!(ty, PhiType::Name | PhiType::ProviderName)
                            && v.eq_ignore_ascii_case(word)
                    }))
    }

    /// Nothing to search for: no values and no memory.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty() && self.memory.as_ref().is_none_or(Memory::is_empty)
    }

    /// The learned values (for tests and the date-shift patient key).
    pub fn values(&self) -> impl Iterator<Item = (&str, PhiType)> {
        self.values.iter().map(|(v, t)| (v.as_str(), *t))
    }

    /// Call after the last [`Learned::add`]. The automaton is built when a search first
    /// needs it.
    pub fn finish(&mut self) {
        self.automaton = OnceLock::new();
        self.by_first = OnceLock::new();
    }

    fn automaton(&self) -> Option<&AhoCorasick> {
        self.automaton
            .get_or_init(|| {
                AhoCorasickBuilder::new()
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::LeftmostLongest)
                    // Built once per payload and used on a few kilobytes: a cheap-to-build
                    // NFA beats a DFA whose construction would cost more than every search
                    // it speeds up.
                    .kind(Some(AhoCorasickKind::NoncontiguousNFA))
                    .build(self.values.iter().map(|(v, _)| v.as_bytes()))
                    .ok()
            })
            .as_ref()
    }

    /// Whole-word occurrences of learned values in `text`, then what the patient's
    /// memory finds there (the detector merges overlaps).
    pub fn scan(&self, text: &str, mut emit: impl FnMut(usize, usize, PhiType)) {
        self.scan_values(text, &mut emit);
        self.scan_user_names(text, &mut emit);
        if let Some(m) = &self.memory {
            m.scan(text, emit);
        }
    }

    /// The user names made of learned names in `text`: a run of letters and digits, or two
    /// joined by one `.` or `_` (`rosalind.thackeray`), that is one; a host or a path
    /// around it (`rthackeray-laptop`, `/users/rthackeray/`) is no part of it.
    fn scan_user_names(&self, text: &str, mut emit: impl FnMut(usize, usize, PhiType)) {
        if self.user_names.is_empty() {
            return;
        }
        let b = text.as_bytes();
        let mut runs = Vec::new();
        let mut at = 0;
        while at < b.len() {
            if !b[at].is_ascii_alphanumeric() {
                at += 1;
                continue;
            }
            let start = at;
            while at < b.len() && b[at].is_ascii_alphanumeric() {
                at += 1;
            }
            runs.push(start..at);
        }
        let mut word = String::new();
        let mut is_user_name = |r: std::ops::Range<usize>| {
            word.clear();
            word.extend(b[r].iter().map(|c| char::from(c.to_ascii_lowercase())));
            self.user_names.contains(&word)
        };
        for (k, r) in runs.iter().enumerate() {
            if r.len() > MIN_USER_NAME_PART && is_user_name(r.clone()) {
                emit(r.start, r.end, PhiType::Name);
                continue;
            }
            if let Some(next) = runs.get(k + 1) {
                let joined = next.start == r.end + 1 && matches!(b[r.end], b'.' | b'_');
                if joined && is_user_name(r.start..next.end) {
                    emit(r.start, next.end, PhiType::Name);
                }
            }
        }
    }

    /// Whole-word occurrences of learned values in `text`.
    fn scan_values(&self, text: &str, mut emit: impl FnMut(usize, usize, PhiType)) {
        if self.values.is_empty() || text.len() < self.shortest {
            return;
        }
        let b = text.as_bytes();
        let mut found = |s: usize, e: usize, i: usize| {
            let left_ok = s == 0 || !b[s - 1].is_ascii_alphanumeric();
            let right_ok = e == b.len() || !b[e].is_ascii_alphanumeric();
            if left_ok && right_ok && text.is_char_boundary(s) && text.is_char_boundary(e) {
                emit(s, e, self.values[i].1);
            }
        };
        let by_first = self.by_first.get_or_init(|| ByFirst::of(&self.values));
        if b.len().saturating_mul(by_first.widest) <= DIRECT_BUDGET {
            // The automaton's semantics (leftmost, then longest; matches do not overlap),
            // by comparing each value where the text could hold it.
            let mut s = 0;
            while s < b.len() {
                // No value starts with this byte: no match here, as the automaton would find.
                if self.firsts[usize::from(b[s] >> 6)] & (1 << (b[s] & 63)) == 0 {
                    s += 1;
                    continue;
                }
                // Only a value whose first byte folds to this one's can match here; its
                // indices ascend, so the choice among them (longest, then first learned)
                // is the one a comparison with every value makes.
                let longest = by_first
                    .of_byte(b[s])
                    .iter()
                    .map(|&i| (i, &self.values[i].0))
                    .filter(|(_, v)| {
                        b.get(s..s + v.len())
                            .is_some_and(|w| w.eq_ignore_ascii_case(v.as_bytes()))
                    })
                    .max_by_key(|(i, v)| (v.len(), std::cmp::Reverse(*i)));
                match longest {
                    Some((i, v)) => {
                        found(s, s + v.len(), i);
                        s += v.len();
                    }
                    None => s += 1,
                }
            }
            return;
        }
        let Some(ac) = self.automaton() else { return };
        for m in ac.find_iter(b) {
            found(m.start(), m.end(), m.pattern().as_usize());
        }
    }
}

/// The values' indices grouped by their first byte, ASCII-folded (a counting sort): the
/// indices of the values starting with folded byte `c` are `order[at[c]..at[c + 1]]`,
/// ascending.
struct ByFirst {
    at: Box<[usize]>,
    order: Box<[usize]>,
    /// The most values sharing one folded first byte: the most compared at a position.
    widest: usize,
}

impl ByFirst {
    fn of(values: &[(String, PhiType)]) -> ByFirst {
        let first = |v: &str| v.as_bytes().first().map(u8::to_ascii_lowercase);
        let mut at = vec![0usize; 257];
        for (v, _) in values {
            if let Some(c) = first(v) {
                at[usize::from(c) + 1] += 1;
            }
        }
        for c in 1..at.len() {
            at[c] += at[c - 1];
        }
        let mut next = at.clone();
        let mut order = vec![0usize; at[256]];
        for (i, (v, _)) in values.iter().enumerate() {
            if let Some(c) = first(v) {
                let slot = &mut next[usize::from(c)];
                order[*slot] = i;
                *slot += 1;
            }
        }
        let widest = at.windows(2).map(|w| w[1] - w[0]).max().unwrap_or(0);
        ByFirst {
            at: at.into(),
            order: order.into(),
            widest,
        }
    }

    /// The indices of the values that may start at a byte `b` (any case), ascending.
    fn of_byte(&self, b: u8) -> &[usize] {
        let c = usize::from(b.to_ascii_lowercase());
        &self.order[self.at[c]..self.at[c + 1]]
    }
}

/// What registration systems write where a value is not known (`NONE`, `N/A`, `UNKNOWN`,
/// the unidentified patient `UNKNOWN^UNKNOWN`, the newborn `THACKERAY^BABY GIRL`, a test
/// record `TEST^PATIENT`): the field is still transformed, but searched for in the text it
/// would take every `none`, `unknown` and `patient` with it (red team 52, H20).
fn is_placeholder(v: &str) -> bool {
    let placeholder_word = [
        "none", "n/a", "nil", "null", "unknown", "unk", "refused", "declined", "pending", "test",
        "patient", "baby", "boy", "girl", "infant", "newborn",
    ]
    .iter()
    .any(|p| v.eq_ignore_ascii_case(p));
    // `XXX-XX-XXXX`, `000000000`, `999-99-9999`: one character repeated past its separators.
    let mut marks = v.bytes().filter(|b| b.is_ascii_alphanumeric());
    let repeated = marks
        .next()
        .is_some_and(|first| v.len() >= 3 && marks.all(|b| b.eq_ignore_ascii_case(&first)));
    placeholder_word || repeated
}

/// The five digits of a US ZIP or ZIP+4 (`01085`, `01085-1234`).
fn us_zip(v: &str) -> Option<&str> {
    let b = v.as_bytes();
    let five = b.len() >= 5 && b[..5].iter().all(u8::is_ascii_digit);
    let plus4 = b.len() == 10 && b[5] == b'-' && b[6..].iter().all(u8::is_ascii_digit);
    (five && (b.len() == 5 || plus4)).then(|| &v[..5])
}

/// The last four digits of a nine-digit SSN, unless they read as a year or are all zeros.
fn ssn_tail(digits: &str) -> Option<&str> {
    if digits.len() != 9 {
        return None;
    }
    let tail = &digits[5..];
    let year_like = matches!(tail.parse::<u16>(), Ok(1900..=2099));
    (!year_like && tail != "0000").then_some(tail)
}

/// Street suffixes a street line ends with, as USPS abbreviates them or writes them out.
const STREET_SUFFIXES: &[&str] = &[
    "st",
    "street",
    "rd",
    "road",
    "ave",
    "av",
    "avenue",
    "ln",
    "lane",
    "dr",
    "drive",
    "ct",
    "court",
    "blvd",
    "boulevard",
    "hwy",
    "highway",
    "pl",
    "place",
    "ter",
    "terrace",
    "cir",
    "circle",
    "pkwy",
    "parkway",
    "way",
    "trl",
    "trail",
    "sq",
    "square",
];

/// The name of the street in an address line, to find where a note names the street
/// without its number (`77 Quarry Hollow Rd` → `Quarry Hollow Rd`, `Quarry Hollow`; red
/// team 52, H21): the words after the house number up to the first comma or word that is
/// not letters, with and without a suffix. A name of one word alone (`Main`) is left out:
/// it would take the word everywhere in the notes.
fn street_names(v: &str) -> Vec<String> {
    let line = v.split(',').next().unwrap_or("");
    let mut words = line.split_whitespace().peekable();
    if words
        .peek()
        .is_some_and(|w| w.bytes().next().is_some_and(|b| b.is_ascii_digit()))
    {
        words.next();
    }
    let words: Vec<&str> = words
        .map(|w| w.trim_end_matches('.'))
        .take_while(|w| {
            !w.is_empty()
                && w.bytes()
                    .all(|b| b.is_ascii_alphabetic() || b == b'\'' || b == b'-')
        })
        .collect();
    let mut out = Vec::new();
    if words.len() >= 2 {
        out.push(words.join(" "));
    }
    let suffixed = words
        .last()
        .is_some_and(|w| STREET_SUFFIXES.iter().any(|s| w.eq_ignore_ascii_case(s)));
    if suffixed && words.len() >= 3 {
        out.push(words[..words.len() - 1].join(" "));
    }
    out
}

/// Fewest letters of a surname that user names are made from, and of a name part that an
/// object key is compared with: `lee` or `ann` alone is too common a word to search for.
const MIN_USER_NAME_PART: usize = 4;

/// The user names people are given from their name (red team 58, R19: `rthackeray`,
/// `rosalind.thackeray`, `rosalind_thackeray`, `rosalindthackeray`, `thackerayr`,
/// `rosalindt`), which
/// a payload writes as an object key, a host (`rthackeray-laptop`) or a path
/// (`/users/rthackeray/`). `Thackeray, Rosalind` is read surname first. Made only of a
/// given name and a surname of letters, the surname of four letters at least.
fn user_names(v: &str) -> Vec<String> {
    let (first, last) = match v.split_once(',') {
        Some((last, first)) => (first.split_whitespace().next().unwrap_or(""), last.trim()),
        None => {
            let words: Vec<&str> = v.split_whitespace().filter(|w| !is_title(w)).collect();
            match words.as_slice() {
                [first, .., last] => (*first, *last),
                _ => return Vec::new(),
            }
        }
    };
    let first = first.trim_end_matches('.').to_ascii_lowercase();
    let last = last.to_ascii_lowercase();
    let letters = |w: &str| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase());
    if !letters(&first) || !letters(&last) || last.len() < MIN_USER_NAME_PART {
        return Vec::new();
    }
    let initial = &first[..1];
    let mut out = vec![format!("{initial}{last}"), format!("{last}{initial}")];
    if first.len() >= 2 {
        for sep in [".", "_", ""] {
            out.push(format!("{first}{sep}{last}"));
        }
    }
    // The given name and the surname's initial (`rosalindt`), from a given name long
    // enough to say whose it is (red team 68).
    if first.len() >= MIN_USER_NAME_PART {
        out.push(format!("{first}{}", &last[..1]));
    }
    out
}

/// A part of a name written in mixed case that is two or three capitals (`Harrow OT`,
/// `Jane Doe, RN`, `JR Smith`): a credential or initials, which searched for alone would
/// take every `OT` of a therapy note.
fn is_credential_or_initials(part: &str) -> bool {
    (2..=3).contains(&part.len()) && part.bytes().all(|b| b.is_ascii_uppercase())
}

fn is_title(w: &str) -> bool {
    [
        "mr", "mrs", "ms", "dr", "miss", "jr", "sr", "ii", "iii", "md",
    ]
    .iter()
    .any(|t| w.eq_ignore_ascii_case(t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_credential_beside_a_name_is_not_learned_alone() {
        let mut l = Learned::default();
        l.add(PhiType::ProviderName, "Harrow OT");
        l.add(PhiType::Name, "LI WU");
        let parts: Vec<&str> = l.values().map(|(v, _)| v).collect();
        assert!(
            parts.contains(&"Harrow") && !parts.contains(&"OT"),
            "{parts:?}"
        );
        // A name written in capitals keeps its short parts.
        assert!(parts.contains(&"LI") && parts.contains(&"WU"), "{parts:?}");
    }

    #[test]
    fn a_zip_an_ssn_tail_and_a_street_name_are_learned() {
        let mut l = Learned::default();
        l.add(PhiType::Zip, "01085-1234");
        l.add(PhiType::Ssn, "512-47-3306");
        l.add(PhiType::Address, "77 Quarry Hollow Rd, Apt 2");
        l.add(PhiType::Address, "12 Main St");
        l.finish();
        let text = "moved to 01085 last yr; last 4: 3306; I live on Quarry Hollow, off \
                    QUARRY HOLLOW RD; main concern 1085";
        let mut hits = Vec::new();
        l.scan(text, |s, e, _| hits.push(&text[s..e]));
        assert_eq!(hits, ["01085", "3306", "Quarry Hollow", "QUARRY HOLLOW RD"]);
    }

    #[test]
    fn an_ssn_tail_that_reads_as_a_year_and_a_foreign_postcode_are_not_learned() {
        let mut l = Learned::default();
        l.add(PhiType::Ssn, "512-47-2019");
        l.add(PhiType::Zip, "SW1A 1AA");
        l.add(PhiType::Zip, "1085");
        l.finish();
        let mut hits = Vec::new();
        let text = "in 2019, SW1A 1AA, 1085";
        l.scan(text, |s, e, _| hits.push(&text[s..e]));
        assert!(hits.is_empty(), "{hits:?}");
    }

    #[test]
    fn finds_every_written_form_of_a_learned_name() {
        let mut l = Learned::default();
        l.add(PhiType::Name, "Maria Lopez");
        l.finish();
        let text =
            "Maria Lopez seen. LOPEZ, MARIA called; Mrs. Lopez ok; Maria smiled; Lopezville no.";
        let mut hits = Vec::new();
        l.scan(text, |s, e, _| hits.push(&text[s..e]));
        assert_eq!(hits, ["Maria Lopez", "LOPEZ", "MARIA", "Lopez", "Maria"]);
    }

    #[test]
    fn user_names_made_of_a_learned_name_are_found() {
        let mut l = Learned::default();
        l.add(PhiType::Name, "Rosalind Thackeray");
        l.add(PhiType::Name, "Ward, Miles");
        l.add(PhiType::Name, "Jo Lee");
        l.finish();
        let text = "host rthackeray-laptop.clinic.local; /users/rosalind.thackeray/notes; \
                    login mward ok; wardm; rosalindt; jlee stays";
        let mut hits = Vec::new();
        l.scan(text, |s, e, _| hits.push(&text[s..e]));
        assert_eq!(
            hits,
            [
                "rosalind",
                "thackeray",
                "rthackeray",
                "rosalind.thackeray",
                "mward",
                "wardm",
                "rosalindt"
            ],
            "a surname under four letters makes no user name"
        );
        assert!(l.is_name("rthackeray") && l.is_name("ROSALIND") && l.is_name("thackerayr"));
        assert!(!l.is_name("lee") && !l.is_name("jlee") && !l.is_name("status"));
    }

    #[test]
    fn direct_comparison_finds_what_the_automaton_finds() {
        let mut l = Learned::default();
        for (ty, v) in [
            (PhiType::Name, "Maria Lopez"),
            (PhiType::Name, "Lopez-Ruiz"),
            (PhiType::Mrn, "MR4410827"),
            (PhiType::Phone, "(555) 013-4567"),
        ] {
            l.add(ty, v);
        }
        l.finish();
        let text = "maria lopez-ruiz (MR4410827x, mr4410827) Lopez-Ruizy called 5550134567; \
                    Mrs. LOPEZ and María Lopez";
        let mut direct = Vec::new();
        l.scan(text, |s, e, t| direct.push((s, e, t)));
        let mut auto = Vec::new();
        let ac = l.automaton().expect("automaton");
        for m in ac.find_iter(text) {
            let (s, e) = (m.start(), m.end());
            let b = text.as_bytes();
            let ok = (s == 0 || !b[s - 1].is_ascii_alphanumeric())
                && (e == b.len() || !b[e].is_ascii_alphanumeric());
            if ok {
                auto.push((s, e, l.values[m.pattern().as_usize()].1));
            }
        }
        assert!(text.len() * l.values.len() <= DIRECT_BUDGET);
        assert_eq!(direct, auto);
        assert!(direct.len() >= 5, "{direct:?}");
    }

    /// Values sharing a first letter in either case, one a prefix of another, and values
    /// that start with a digit or a byte outside ASCII: the comparison by first byte picks
    /// what a comparison with every value picks (longest, then first learned).
    #[test]
    fn comparing_by_first_byte_finds_what_comparing_every_value_finds() {
        let mut l = Learned::default();
        for (ty, v) in [
            (PhiType::Name, "Maria"),
            (PhiType::Name, "maria lopez"),
            (PhiType::Name, "MARIANNE"),
            (PhiType::Name, "Mar"),
            (PhiType::Mrn, "77120"),
            (PhiType::Name, "Ødegaard"),
            (PhiType::Name, "Lopez"),
        ] {
            l.add(ty, v);
        }
        l.finish();
        let text = "MARIA LOPEZ, Marianne, mar 77120, x77120 Ødegaard maria lopezz Mar.";
        let b = text.as_bytes();
        let mut every = Vec::new();
        let mut s = 0;
        while s < b.len() {
            let longest = l
                .values
                .iter()
                .enumerate()
                .filter(|(_, (v, _))| {
                    b.get(s..s + v.len())
                        .is_some_and(|w| w.eq_ignore_ascii_case(v.as_bytes()))
                })
                .max_by_key(|(i, (v, _))| (v.len(), std::cmp::Reverse(*i)));
            match longest {
                Some((_, (v, t))) => {
                    let e = s + v.len();
                    let whole = (s == 0 || !b[s - 1].is_ascii_alphanumeric())
                        && (e == b.len() || !b[e].is_ascii_alphanumeric());
                    if whole && text.is_char_boundary(s) && text.is_char_boundary(e) {
                        every.push((s, e, *t));
                    }
                    s = e;
                }
                None => s += 1,
            }
        }
        let mut by_first = Vec::new();
        l.scan(text, |s, e, t| by_first.push((s, e, t)));
        assert!(text.len() * l.values.len() <= DIRECT_BUDGET);
        assert_eq!(by_first, every);
        assert!(by_first.len() >= 6, "{by_first:?}");
    }

    /// A note of a few kilobytes and a bundle's few dozen values: past the old budget (text
    /// length × every value), inside the new one (× the widest first-byte group), and the
    /// direct comparison finds what the automaton finds.
    #[test]
    fn a_long_note_compared_directly_finds_what_the_automaton_finds() {
        let mut l = Learned::default();
        let names = [
            "Maria",
            "Lopez",
            "Thackeray",
            "Rosalind",
            "Okafor",
            "Chidi",
            "Nguyen",
            "Bao",
            "Ødegaard",
            "Ingrid",
            "Kowalski",
            "Tomasz",
            "Haddad",
            "Samira",
            "Brennan",
            "Aoife",
        ];
        for n in names {
            l.add(PhiType::Name, n);
        }
        for (i, n) in names.iter().enumerate() {
            l.add(
                PhiType::Name,
                &format!("{n} {}", names[(i + 3) % names.len()]),
            );
        }
        l.add(PhiType::Mrn, "MR4410827");
        l.add(PhiType::Phone, "(555) 013-4567");
        l.finish();
        let mut text = String::new();
        for i in 0..25 {
            let a = names[i % names.len()];
            let b = names[(i * 7 + 3) % names.len()];
            text.push_str(&format!(
                "{a} {b} seen; {} called mr4410827 5550134567, {a}x {}. ",
                a.to_uppercase(),
                b.to_lowercase()
            ));
        }
        let by_first = l.by_first.get_or_init(|| ByFirst::of(&l.values));
        assert!(text.len() * l.values.len() > DIRECT_BUDGET);
        assert!(
            text.len() * by_first.widest <= DIRECT_BUDGET,
            "{}",
            text.len()
        );
        let mut direct = Vec::new();
        l.scan(&text, |s, e, t| direct.push((s, e, t)));
        let mut auto = Vec::new();
        let b = text.as_bytes();
        for m in l.automaton().expect("automaton").find_iter(b) {
            let (s, e) = (m.start(), m.end());
            let ok = (s == 0 || !b[s - 1].is_ascii_alphanumeric())
                && (e == b.len() || !b[e].is_ascii_alphanumeric());
            if ok && text.is_char_boundary(s) && text.is_char_boundary(e) {
                auto.push((s, e, l.values[m.pattern().as_usize()].1));
            }
        }
        assert_eq!(direct, auto);
        assert!(direct.len() >= 100, "{}", direct.len());
    }

    #[test]
    fn a_cleared_set_finds_only_what_is_learned_after() {
        let mut l = Learned::default();
        l.add(PhiType::Name, "Maria Lopez");
        l.remember(PhiType::Name, "Maria Lopez");
        l.clear();
        assert!(l.is_empty() && l.patient_values().is_empty());
        l.add(PhiType::Mrn, "QX77");
        l.finish();
        let text = "Maria Lopez, qx77, xQX77";
        let mut hits = Vec::new();
        l.scan(text, |s, e, _| hits.push(&text[s..e]));
        assert_eq!(hits, ["qx77"]);
        // Shorter than every value: nothing to find.
        l.scan("QX7", |_, _, _| panic!("found in a shorter text"));
    }

    #[test]
    fn phone_digits_are_learned() {
        let mut l = Learned::default();
        l.add(PhiType::Phone, "(555) 013-4567");
        l.finish();
        let mut n = 0;
        l.scan("call 5550134567 now", |_, _, t| {
            assert_eq!(t, PhiType::Phone);
            n += 1;
        });
        assert_eq!(n, 1);
    }
}
