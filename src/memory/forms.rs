//! What a patient's structured values may be written as in a note.
//!
//! Owns the derivation of remembered forms from a patient's values: a name's parts, both
//! orders, an initial with a surname (`m lopez`), initials (`M.L.`, `ML`), nicknames from
//! `patterns/names/nicknames.csv` both ways (William ~ Bill); a phone's digits in their
//! usual groupings; a street line's first words; an identifier as written and run
//! together; a birth date in a few written forms. Each form carries how much evidence it
//! needs in a note ([`Level`]): a form that is also an English or clinical word, a
//! nickname or dotted initials only count written capitalised (not as a sentence's first
//! word) or beside another of the patient's values; bare initials (`ML`, which is also a
//! unit) only beside another. No form is a single letter.

use rustc_hash::FxHashMap;

use super::words::{folded_words, normalize, MAX_WORDS};
use super::{Level, Remembered};
use crate::phi::PhiType;

/// Given names and their nicknames, both ways (`patterns/names/nicknames.csv`).
#[derive(Default)]
pub struct Nicknames {
    map: FxHashMap<String, Vec<String>>,
}

impl Nicknames {
    /// Reads `name1,relationship,name2` rows; the header and malformed rows are skipped.
    pub fn parse(csv: &str) -> Nicknames {
        let mut map: FxHashMap<String, Vec<String>> = FxHashMap::default();
        for line in csv.lines() {
            let mut cells = line.split(',').map(str::trim);
            let (Some(a), Some("has_nickname"), Some(b)) =
                (cells.next(), cells.next(), cells.next())
            else {
                continue;
            };
            let (a, b) = (a.to_ascii_lowercase(), b.to_ascii_lowercase());
            map.entry(a.clone()).or_default().push(b.clone());
            map.entry(b).or_default().push(a);
        }
        Nicknames { map }
    }

    /// Every name `name` is a nickname of or has as a nickname.
    pub fn of(&self, name: &str) -> &[String] {
        self.map.get(name).map_or(&[], Vec::as_slice)
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

/// One remembered form: its folded words joined by spaces, and what it stands for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Form {
    pub text: String,
    pub remembered: Remembered,
}

/// Most name parts combined pairwise (a name has rarely more; the pairs grow as a square).
const MAX_NAME_PARTS: usize = 6;

/// Fewest letters and digits an identifier must have to be remembered.
const MIN_ID_CHARS: usize = 4;

const TITLES: &[&str] = &[
    "mr", "mrs", "ms", "mx", "dr", "miss", "jr", "sr", "ii", "iii", "md",
];

/// Collects forms, each once, at the least evidence any derivation asked of it.
#[derive(Default)]
struct Collector {
    forms: FxHashMap<String, Remembered>,
}

impl Collector {
    fn add(&mut self, text: String, ty: PhiType, level: Level) {
        // One letter (or none) never stands for anyone.
        if text.chars().filter(|c| !c.is_whitespace()).count() < 2 {
            return;
        }
        let r = Remembered { ty, level };
        self.forms
            .entry(text)
            .and_modify(|old| {
                if level < old.level {
                    *old = r;
                }
            })
            .or_insert(r);
    }

    fn phrase(&mut self, phrase: &str, ty: PhiType, level: Level) {
        if let Some(t) = normalize(phrase) {
            self.add(t, ty, level);
        }
    }
}

/// Every form of a patient's `values`. `is_vocabulary` says whether a folded word is also
/// an English or clinical word (which then needs evidence to count).
pub fn derive(
    values: &[(PhiType, String)],
    nicknames: &Nicknames,
    is_vocabulary: impl Fn(&str) -> bool,
) -> Vec<Form> {
    let mut c = Collector::default();
    let mut parts: Vec<String> = Vec::new();
    for (ty, v) in values {
        match ty {
            PhiType::Name => name_value(v, &mut parts, &mut c, &is_vocabulary),
            PhiType::Phone | PhiType::Fax => phone(v, *ty, &mut c),
            PhiType::Address => street(v, &mut c),
            PhiType::Date => birth_date(v, &mut c),
            PhiType::Mrn
            | PhiType::Ssn
            | PhiType::HealthPlan
            | PhiType::Account
            | PhiType::Id
            | PhiType::License => identifier(v, *ty, &mut c),
            PhiType::Email => c.phrase(v, *ty, Level::Strong),
            _ => {}
        }
    }
    name_parts(&parts, nicknames, &mut c, &is_vocabulary);
    let mut out: Vec<Form> = c
        .forms
        .into_iter()
        .map(|(text, remembered)| Form { text, remembered })
        .collect();
    out.sort_by(|a, b| a.text.cmp(&b.text));
    out
}

/// A name value: whole (up to four words, given name first for `LOPEZ, MARIA`), and its
/// parts kept for [`name_parts`].
fn name_value(
    v: &str,
    parts: &mut Vec<String>,
    c: &mut Collector,
    is_vocabulary: &impl Fn(&str) -> bool,
) {
    let ordered = match v.split_once(',') {
        Some((last, first)) if !first.trim().is_empty() => format!("{first} {last}"),
        _ => v.to_string(),
    };
    let words: Vec<String> = folded_words(&ordered)
        .into_iter()
        .filter(|w| !TITLES.contains(&w.as_str()))
        .collect();
    if (2..=MAX_WORDS).contains(&words.len()) {
        let all_vocabulary = words.iter().all(|w| is_vocabulary(w));
        let level = if all_vocabulary {
            Level::Cased
        } else {
            Level::Strong
        };
        c.add(words.join(" "), PhiType::Name, level);
    }
    for w in words {
        if w.chars().count() >= 2 && !parts.contains(&w) && parts.len() < MAX_NAME_PARTS {
            parts.push(w);
        }
    }
}

/// The patient's name parts alone and in pairs, initials, and nicknames.
fn name_parts(
    parts: &[String],
    nicknames: &Nicknames,
    c: &mut Collector,
    is_vocabulary: &impl Fn(&str) -> bool,
) {
    let name = PhiType::Name;
    for p in parts {
        // A short part (`Al`, `Jo`) or one that is also a word (`Rose`, `Page`) needs the
        // note to write it as a name.
        let level = if p.chars().count() <= 2 || is_vocabulary(p) {
            Level::Cased
        } else {
            Level::Strong
        };
        c.add(p.clone(), name, level);
        for nick in nicknames.of(p) {
            if parts.contains(nick) || nick.chars().count() < 2 {
                continue;
            }
            // A nickname (`Tomi`, and `Bill` or `Will` that are also words) counts written
            // as a name, not as the word it may be.
            c.add(nick.clone(), name, Level::Cased);
            for other in parts.iter().filter(|o| *o != p) {
                c.add(format!("{nick} {other}"), name, Level::Strong);
            }
        }
    }
    for a in parts {
        for b in parts.iter().filter(|b| *b != a) {
            c.add(format!("{a} {b}"), name, Level::Strong);
            let (ia, ib) = (initial(a), initial(b));
            // `M. Lopez`: an initial and a surname.
            c.add(format!("{ia} {b}"), name, Level::Strong);
            // `M.L.` reads `m l`; `ML` reads `ml`, which is also many an abbreviation.
            c.add(format!("{ia} {ib}"), name, Level::Cased);
            c.add(format!("{ia}{ib}"), name, Level::Beside);
        }
    }
}

fn initial(w: &str) -> char {
    w.chars().next().unwrap_or(' ')
}

/// A phone number: its digits run together and grouped as written in North America, with
/// and without the country code, and the seven-digit local number.
fn phone(v: &str, ty: PhiType, c: &mut Collector) {
    let mut d: String = v.chars().filter(char::is_ascii_digit).collect();
    if d.len() == 11 && d.starts_with('1') {
        d.remove(0);
    }
    if d.len() < 7 {
        return;
    }
    c.add(d.clone(), ty, Level::Strong);
    if d.len() == 10 {
        let (area, exchange, line) = (&d[..3], &d[3..6], &d[6..]);
        for form in [
            format!("{area} {exchange} {line}"),
            format!("1 {area} {exchange} {line}"),
            format!("1{d}"),
            format!("{area} {exchange}{line}"),
            format!("{exchange} {line}"),
            format!("{exchange}{line}"),
        ] {
            c.add(form, ty, Level::Strong);
        }
    }
}

/// A street line: its first three and four words (number and street name), as a note
/// rarely writes the rest.
fn street(v: &str, c: &mut Collector) {
    let words = folded_words(v);
    if words.len() < 2 {
        return;
    }
    for n in 2..=words.len().min(MAX_WORDS) {
        if n >= 3 || words.len() == 2 {
            c.add(words[..n].join(" "), PhiType::Address, Level::Strong);
        }
    }
}

/// An identifier as written (in words) and with its letters and digits run together.
fn identifier(v: &str, ty: PhiType, c: &mut Collector) {
    let run: String = v
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|ch| ch.to_ascii_lowercase())
        .collect();
    if run.len() < MIN_ID_CHARS {
        return;
    }
    c.add(run, ty, Level::Strong);
    c.phrase(v, ty, Level::Strong);
}

/// A birth date (`1984-03-07`, `19840307`, `03/07/1984`) as notes write it.
fn birth_date(v: &str, c: &mut Collector) {
    let Some((y, m, d)) = ymd(v.trim()) else {
        return;
    };
    let month = crate::transform::date::MONTHS[m as usize - 1];
    let short = &month[..3];
    let yy = y % 100;
    for form in [
        format!("{m:02} {d:02} {y}"),
        format!("{m} {d} {y}"),
        format!("{y} {m:02} {d:02}"),
        format!("{m:02}{d:02}{y}"),
        format!("{m} {d} {yy:02}"),
        format!("{m:02} {d:02} {yy:02}"),
        format!("{month} {d} {y}"),
        format!("{short} {d} {y}"),
        format!("{d} {month} {y}"),
        format!("{d} {short} {y}"),
    ] {
        c.add(form, PhiType::Date, Level::Strong);
    }
}

/// Year, month and day of an ISO, HL7/X12 (`YYYYMMDD…`) or US date.
fn ymd(v: &str) -> Option<(u32, u32, u32)> {
    let digits: Vec<&str> = v
        .split(|ch: char| !ch.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .collect();
    let num = |s: &str| s.parse::<u32>().ok();
    let (y, m, d) = match digits.as_slice() {
        [one, ..] if one.len() >= 8 => (num(&one[..4])?, num(&one[4..6])?, num(&one[6..8])?),
        [y, m, d, ..] if y.len() == 4 => (num(y)?, num(m)?, num(d)?),
        [m, d, y, ..] if y.len() == 4 => (num(y)?, num(m)?, num(d)?),
        _ => return None,
    };
    ((1..=12).contains(&m) && (1..=31).contains(&d) && y >= 1800).then_some((y, m, d))
}

/// Forms as a set of their texts (tests).
#[cfg(test)]
fn texts(forms: &[Form]) -> rustc_hash::FxHashSet<&str> {
    forms.iter().map(|f| f.text.as_str()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nick() -> Nicknames {
        Nicknames::parse(
            "name1,relationship,name2\nwilliam,has_nickname,bill\nwilliam,has_nickname,will\n\
             ines,has_nickname,nessa\n",
        )
    }

    fn vocabulary(w: &str) -> bool {
        ["will", "bill", "rose", "page", "ot"].contains(&w)
    }

    fn level(forms: &[Form], text: &str) -> Option<Level> {
        forms
            .iter()
            .find(|f| f.text == text)
            .map(|f| f.remembered.level)
    }

    #[test]
    fn a_name_gives_its_parts_orders_initials_and_nicknames() {
        let values = vec![
            (PhiType::Name, "DELACROIX, INES".to_string()),
            (PhiType::Name, "Inès".to_string()),
        ];
        let f = derive(&values, &nick(), vocabulary);
        let t = texts(&f);
        for want in [
            "ines delacroix",
            "delacroix ines",
            "ines",
            "delacroix",
            "i delacroix",
            "i d",
            "id",
            "nessa",
            "nessa delacroix",
        ] {
            assert!(t.contains(want), "{want} missing from {t:?}");
        }
        assert_eq!(level(&f, "ines"), Some(Level::Strong));
        assert_eq!(level(&f, "i d"), Some(Level::Cased));
        assert_eq!(level(&f, "id"), Some(Level::Beside));
        assert_eq!(level(&f, "nessa"), Some(Level::Cased));
        assert!(f
            .iter()
            .all(|x| x.text.replace(' ', "").chars().count() >= 2));
    }

    #[test]
    fn words_and_nicknames_that_are_vocabulary_need_evidence() {
        let values = vec![(PhiType::Name, "William Rose".to_string())];
        let f = derive(&values, &nick(), vocabulary);
        assert_eq!(level(&f, "rose"), Some(Level::Cased));
        assert_eq!(level(&f, "william"), Some(Level::Strong));
        assert_eq!(level(&f, "bill"), Some(Level::Cased));
        assert_eq!(level(&f, "will"), Some(Level::Cased));
        assert_eq!(level(&f, "bill rose"), Some(Level::Strong));
        assert_eq!(level(&f, "william rose"), Some(Level::Strong));
    }

    #[test]
    fn phones_identifiers_streets_and_birth_dates() {
        let values = vec![
            (PhiType::Phone, "+1 (555) 013-4567".to_string()),
            (PhiType::Mrn, "MRX-55120".to_string()),
            (PhiType::Address, "12 Rue Lafayette Apt 3B".to_string()),
            (PhiType::Date, "1984-03-07".to_string()),
            (PhiType::Mrn, "A1".to_string()),
        ];
        let f = derive(&values, &nick(), vocabulary);
        let t = texts(&f);
        for want in [
            "5550134567",
            "555 013 4567",
            "013 4567",
            "mrx55120",
            "mrx 55120",
            "12 rue lafayette",
            "12 rue lafayette apt",
            "03 07 1984",
            "3 7 1984",
            "march 7 1984",
            "7 mar 1984",
        ] {
            assert!(t.contains(want), "{want} missing from {t:?}");
        }
        assert!(!t.contains("a1"), "short identifiers are not remembered");
        let hl7 = derive(&[(PhiType::Date, "19840307".into())], &nick(), vocabulary);
        assert!(texts(&hl7).contains("03 07 1984"));
        assert!(derive(&[(PhiType::Date, "soon".into())], &nick(), vocabulary).is_empty());
    }

    #[test]
    fn the_shipped_nickname_table_reads_both_ways() {
        let n = Nicknames::parse(include_str!("../../patterns/names/nicknames.csv"));
        assert!(n.len() > 1000);
        assert!(n.of("william").iter().any(|x| x == "bill"));
        assert!(n.of("bill").iter().any(|x| x == "william"));
    }
}
