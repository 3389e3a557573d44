//! Patient memory: what the gateway learned of a patient from one payload's structured
//! fields, remembered in the vault and scrubbed from that patient's later payloads.
//!
//! Owns the [`Memory`] of one patient as a payload sees it (keyed hashes of remembered
//! forms, each with its PHI type and the evidence it needs), how a payload's patient values
//! become remembered forms ([`forms`]), how a text's runs of one to four words are looked up
//! in it ([`Memory::scan`]). The engine's step between learning a payload and rewriting
//! it (open the memory its patient keys reach, add what is new, search the payload's text
//! with it) is [`crate::engine::recall`]; the rows are the vault's.
//!
//! Nothing here is stored in plain text: a form is a 64-bit SipHash-1-3 under a key the
//! vault derives for that patient's memory from its index key, so the rows say nothing
//! without the master key, and `vault forget` deletes them with the patient. The vault
//! keeps the rows ([`crate::vault`]); a store without a vault remembers nothing.
//!
//! # Layout
//! - [`words`]: the word reading shared by forms and texts (accents folded, lower case).
//! - [`forms`]: a patient's values → remembered forms, with nicknames and initials.

pub mod forms;
pub mod words;

use std::hash::Hasher;

use rustc_hash::FxHashMap;
use siphasher::sip::SipHasher13;

use crate::phi::PhiType;
use words::{fold_into, opens_sentence, Word, MAX_GAP, MAX_WORDS};

/// A memory's id: the vault's subject id of the patient key it was first recorded under.
pub type MemoryId = [u8; 16];

/// Length of the key a memory's forms are hashed under.
pub const KEY_LEN: usize = 16;

/// How much a note must show before a remembered form counts there.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// Anywhere, in any case (`ines`, an MRN, a phone number).
    Strong = 0,
    /// Written capitalised and not where every word is (a sentence's first word), or
    /// beside another of the patient's values: a short name part, a name that is also a
    /// word (`Rose`), a nickname (`Bill`, `Will`), dotted initials (`M.L.`).
    Cased = 1,
    /// Only beside another of the patient's values: bare initials (`ML`, `OT`), which are
    /// written in capitals whatever they stand for.
    Beside = 2,
    /// A word of a longer form, never a hit of its own: a text's word that is neither a
    /// form nor a part starts and continues no run, so most words cost one hash.
    Part = 3,
}

/// What a remembered form stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Remembered {
    pub ty: PhiType,
    pub level: Level,
}

/// Length of a remembered form's stored value.
pub const ENTRY_LEN: usize = 2;

impl Remembered {
    /// The stored value: the type's index and the level.
    pub fn encode(self) -> [u8; ENTRY_LEN] {
        // 21 types and 3 levels: both fit a byte.
        let ty = u8::try_from(self.ty.index()).unwrap_or(u8::MAX);
        [ty, self.level as u8]
    }

    pub fn decode(b: &[u8]) -> Option<Remembered> {
        let [ty, level] = b else { return None };
        let ty = *PhiType::ALL.get(usize::from(*ty))?;
        let level = match level {
            0 => Level::Strong,
            1 => Level::Cased,
            2 => Level::Beside,
            3 => Level::Part,
            _ => return None,
        };
        Some(Remembered { ty, level })
    }
}

/// One patient's memory as a payload uses it.
pub struct Memory {
    id: MemoryId,
    key: [u8; KEY_LEN],
    entries: FxHashMap<u64, Remembered>,
    /// The payload's patient keys (as subject ids) not yet linked to this memory.
    unlinked: Vec<MemoryId>,
}

impl std::fmt::Debug for Memory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The key stays out of logs.
        write!(f, "Memory({} forms)", self.entries.len())
    }
}

impl Memory {
    /// A memory read from a store: `id` names its rows, `key` hashes its forms.
    pub fn new(
        id: MemoryId,
        key: [u8; KEY_LEN],
        entries: FxHashMap<u64, Remembered>,
        unlinked: Vec<MemoryId>,
    ) -> Memory {
        Memory {
            id,
            key,
            entries,
            unlinked,
        }
    }

    pub fn id(&self) -> &MemoryId {
        &self.id
    }

    /// Patient keys of the payload that do not reach this memory yet.
    pub fn unlinked(&self) -> &[MemoryId] {
        &self.unlinked
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn hasher(&self) -> SipHasher13 {
        SipHasher13::new_with_key(&self.key)
    }

    /// The stored hash of a form (its folded words joined by spaces).
    pub fn hash(&self, form: &str) -> u64 {
        let mut h = self.hasher();
        for (i, w) in form.split(' ').enumerate() {
            if i > 0 {
                h.write(b" ");
            }
            h.write(w.as_bytes());
        }
        h.finish()
    }

    /// Whether the memory holds `hash` at `level` or needing less evidence (any entry
    /// will do for a part).
    fn holds(&self, hash: u64, r: Remembered) -> bool {
        self.entries.get(&hash).is_some_and(|old| {
            r.level == Level::Part
                || (old.level != Level::Part && old.ty == r.ty && old.level <= r.level)
        })
    }

    /// Forms to add, with the words of longer forms as parts: those not held (or held
    /// needing more evidence), each hash once at the least evidence asked of it.
    pub fn missing(&self, forms: &[forms::Form]) -> Vec<(u64, Remembered)> {
        let mut hashed: FxHashMap<u64, Remembered> = FxHashMap::default();
        let mut add = |h: u64, r: Remembered| {
            hashed
                .entry(h)
                .and_modify(|old| {
                    if r.level < old.level {
                        *old = r;
                    }
                })
                .or_insert(r);
        };
        for f in forms {
            add(self.hash(&f.text), f.remembered);
            if f.text.contains(' ') {
                for w in f.text.split(' ') {
                    let part = Remembered {
                        ty: f.remembered.ty,
                        level: Level::Part,
                    };
                    add(self.hash(w), part);
                }
            }
        }
        let mut hashed: Vec<(u64, Remembered)> = hashed.into_iter().collect();
        hashed.sort_unstable_by_key(|(h, _)| *h);
        self.missing_hashes(&hashed)
    }

    /// [`Memory::missing`] of forms already hashed.
    pub fn missing_hashes(&self, hashed: &[(u64, Remembered)]) -> Vec<(u64, Remembered)> {
        hashed
            .iter()
            .copied()
            .filter(|(h, r)| !self.holds(*h, *r))
            .collect()
    }

    /// Adds forms (after the store has them) and marks the payload's keys linked.
    pub fn extend(&mut self, new: &[(u64, Remembered)]) {
        self.entries.extend(new.iter().copied());
        self.unlinked.clear();
    }

    /// Occurrences of remembered forms in `text`: every run of one to [`MAX_WORDS`] words
    /// is folded, hashed and looked up, leftmost and longest first; a form needing
    /// evidence counts only where the text gives it ([`Level`]).
    pub fn scan(&self, text: &str, mut emit: impl FnMut(usize, usize, PhiType)) {
        if self.entries.is_empty() {
            return;
        }
        let ws = words::words(text);
        let mut folded = String::with_capacity(text.len());
        let mut at = Vec::with_capacity(ws.len());
        for w in &ws {
            let s = folded.len();
            fold_into(&text[w.start..w.end], &mut folded);
            at.push((s, folded.len()));
        }
        let hits = self.candidates(text, &ws, &folded, &at);
        for h in accepted(text, &ws, &hits) {
            emit(ws[h.first].start, ws[h.last].end, h.r.ty);
        }
    }

    /// Leftmost-longest runs of words that are remembered forms.
    fn candidates(&self, text: &str, ws: &[Word], folded: &str, at: &[(usize, usize)]) -> Vec<Hit> {
        // One hash per word says whether it is a form or a part of one at all.
        let known: Vec<Option<u64>> = at
            .iter()
            .map(|&(s, e)| {
                let mut h = self.hasher();
                h.write(&folded.as_bytes()[s..e]);
                let v = h.finish();
                (s < e && self.entries.contains_key(&v)).then_some(v)
            })
            .collect();
        let mut hits = Vec::new();
        let mut i = 0;
        while i < ws.len() {
            let Some(first) = known[i] else {
                i += 1;
                continue;
            };
            let mut h = self.hasher();
            let mut best = None;
            for j in i..ws.len().min(i + MAX_WORDS) {
                if j > i {
                    let gap = &text[ws[j - 1].end..ws[j].start];
                    if known[j].is_none() || gap.len() > MAX_GAP || gap.contains(['\n', '\r']) {
                        break;
                    }
                    h.write(b" ");
                }
                let (s, e) = at[j];
                h.write(&folded.as_bytes()[s..e]);
                let v = if j == i { first } else { h.clone().finish() };
                if let Some(r) = self.entries.get(&v).filter(|r| r.level != Level::Part) {
                    best = Some((j, *r));
                }
            }
            match best {
                Some((last, r)) => {
                    hits.push(Hit { first: i, last, r });
                    i = last + 1;
                }
                None => i += 1,
            }
        }
        hits
    }
}

/// A run of words `first..=last` that is a remembered form.
#[derive(Clone, Copy)]
struct Hit {
    first: usize,
    last: usize,
    r: Remembered,
}

/// The hits whose evidence holds: strong ones, cased ones written as names, then (until
/// nothing changes) any beside an accepted one.
fn accepted<'h>(text: &str, ws: &[Word], hits: &'h [Hit]) -> Vec<&'h Hit> {
    let mut ok: Vec<bool> = hits
        .iter()
        .map(|h| match h.r.level {
            Level::Strong => true,
            Level::Cased => written_as_name(text, ws, h),
            Level::Beside | Level::Part => false,
        })
        .collect();
    let beside = |a: &Hit, b: &Hit| {
        a.last + 1 == b.first && text[ws[a.last].end..ws[b.first].start].len() <= MAX_GAP
    };
    let mut changed = true;
    while changed {
        changed = false;
        for k in 0..hits.len() {
            if ok[k] {
                continue;
            }
            let left = k > 0 && ok[k - 1] && beside(&hits[k - 1], &hits[k]);
            let right = k + 1 < hits.len() && ok[k + 1] && beside(&hits[k], &hits[k + 1]);
            if left || right {
                ok[k] = true;
                changed = true;
            }
        }
    }
    hits.iter()
        .zip(ok)
        .filter_map(|(h, ok)| ok.then_some(h))
        .collect()
}

/// Every word of the hit starts with a capital, and the first does not open a sentence.
fn written_as_name(text: &str, ws: &[Word], h: &Hit) -> bool {
    let capitalised = ws[h.first..=h.last].iter().all(|w| {
        text[w.start..w.end]
            .chars()
            .next()
            .is_some_and(char::is_uppercase)
    });
    capitalised && !opens_sentence(text, ws[h.first].start)
}

/// Types a patient's value is remembered as.
pub fn rememberable(ty: PhiType) -> bool {
    matches!(
        ty,
        PhiType::Name
            | PhiType::Phone
            | PhiType::Fax
            | PhiType::Address
            | PhiType::Date
            | PhiType::Mrn
            | PhiType::Ssn
            | PhiType::HealthPlan
            | PhiType::Account
            | PhiType::Id
            | PhiType::License
            | PhiType::Email
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn memory(forms: &[(&str, PhiType, Level)]) -> Memory {
        let mut m = Memory::new([1; 16], [7; KEY_LEN], FxHashMap::default(), Vec::new());
        let forms: Vec<forms::Form> = forms
            .iter()
            .map(|(t, ty, level)| forms::Form {
                text: t.to_string(),
                remembered: Remembered {
                    ty: *ty,
                    level: *level,
                },
            })
            .collect();
        let new = m.missing(&forms);
        m.extend(&new);
        m
    }

    #[test]
    fn words_of_longer_forms_are_parts_that_never_match_alone() {
        let m = memory(&[
            ("ines delacroix", PhiType::Name, Level::Strong),
            ("555 013 4567", PhiType::Phone, Level::Strong),
        ]);
        assert_eq!(m.len(), 2 + 5, "two forms and their five words");
        assert!(found(&m, "ines called; delacroix family; 555 0134").is_empty());
        assert_eq!(
            found(&m, "ines delacroix called from 555.013.4567"),
            ["ines delacroix", "555.013.4567"]
        );
        let again = m.missing(&[forms::Form {
            text: "delacroix".into(),
            remembered: Remembered {
                ty: PhiType::Name,
                level: Level::Strong,
            },
        }]);
        assert_eq!(again.len(), 1, "a part becomes a form when one is learned");
    }

    fn found(m: &Memory, text: &str) -> Vec<String> {
        let mut out = Vec::new();
        m.scan(text, |s, e, _| out.push(text[s..e].to_string()));
        out
    }

    #[test]
    fn strong_forms_match_in_any_case_and_accent() {
        let m = memory(&[
            ("ines", PhiType::Name, Level::Strong),
            ("ibanez", PhiType::Name, Level::Strong),
            ("ines ibanez", PhiType::Name, Level::Strong),
            ("555 013 4567", PhiType::Phone, Level::Strong),
        ]);
        assert_eq!(
            found(
                &m,
                "spoke with ines re: splint; INÉS IBÁÑEZ called (555) 013-4567."
            ),
            ["ines", "INÉS IBÁÑEZ", "555) 013-4567"]
        );
        assert!(found(&m, "linesman inessential ibanezz").is_empty());
    }

    #[test]
    fn words_that_are_vocabulary_need_a_capital_or_a_neighbour() {
        let m = memory(&[
            ("rose", PhiType::Name, Level::Cased),
            ("will", PhiType::Name, Level::Beside),
            ("delacroix", PhiType::Name, Level::Strong),
            ("m l", PhiType::Name, Level::Cased),
            ("ml", PhiType::Name, Level::Beside),
        ]);
        assert!(found(&m, "BP rose to 150. Will follow up. 5 ml given").is_empty());
        assert!(
            found(&m, "Rose came in.").is_empty(),
            "a sentence's first word"
        );
        assert_eq!(found(&m, "met with Rose today"), ["Rose"]);
        assert_eq!(
            found(&m, "will delacroix and rose delacroix"),
            ["will", "delacroix", "rose", "delacroix"]
        );
        assert_eq!(found(&m, "signed by M. L. today"), ["M. L"]);
        assert_eq!(found(&m, "ML Delacroix"), ["ML", "Delacroix"]);
    }

    #[test]
    fn the_stored_value_round_trips() {
        for ty in PhiType::ALL {
            for level in [Level::Strong, Level::Cased, Level::Beside, Level::Part] {
                let r = Remembered { ty, level };
                assert_eq!(Remembered::decode(&r.encode()), Some(r));
            }
        }
        assert_eq!(Remembered::decode(&[0, 9]), None);
        assert_eq!(Remembered::decode(&[0]), None);
    }
}
