//! Place checks: a street line that is not a clinical phrase, a city that is not a word
//! such as `Goal` or `Plan`.

/// Words that, inside a candidate street address, show it is a dose or count instead.
pub(super) const NOT_STREET_WORDS: &[&str] = &[
    "reg",
    "nsr",
    "acute",
    "wo",
    "sq",
    "iv",
    "po",
    "im",
    "prbc",
    "ffp",
    "ns",
    "lr",
    "d5w",
    "kcl",
    "and",
    "of",
    "to",
    "the",
    "with",
    "by",
    "for",
    "units",
    "mg",
    "ml",
    "times",
    "sets",
    "reps",
    "days",
    "hours",
    "weeks",
    "mins",
    "minutes",
    "x",
    "was",
    "is",
    "at",
    "on",
    "in",
    "per",
    "pt",
    "patient",
    "am",
    "pm",
    "hrs",
    "hr",
    "min",
    "from",
    "or",
    "then",
    "l",
    "cc",
    "each",
    "a",
    "an",
    "every",
    "both",
    "other",
    "same",
    "this",
    "that",
    "one",
    "two",
    "large",
    "small",
    "medium",
    "moderate",
    "few",
    "several",
    "more",
    "less",
    "total",
    "bilateral",
    "right",
    "left",
    // ICU shorthand before `CT` (a scan, a chest tube) or `ST` (the ECG segment) in
    // capitals: `2 MEDIASTINAL CT`, `70S SR C ST`, `PERSANTINE THALLIUM ST`.
    // `C` is "with" here; `W` stays out: it is west (`4961 W Cedar Rd`).
    "c",
    "sr",
    "chest",
    "head",
    "mediastinal",
    "pleural",
    "thallium",
    "persantine",
    "extremities",
];

pub(super) fn street(v: &str) -> bool {
    let words: Vec<&str> = v.split_whitespace().collect();
    let lower = |w: &&str| w.trim_end_matches([',', '.']).to_ascii_lowercase();
    // A sentence ends inside it (`4 EXTREMITIES SPONTANEOUSLY. HEAD CT`): a word of five
    // or more letters with a period, before the last word; abbreviations (`N.`, `Mt.`,
    // `Blvd.`) are shorter.
    let sentence_break = words.iter().take(words.len().saturating_sub(1)).any(|w| {
        w.ends_with('.')
            && w.trim_end_matches('.')
                .chars()
                .filter(char::is_ascii_alphabetic)
                .count()
                >= 5
    });
    // Before a street word written whole in title case, a word in capitals is an initialism
    // (`45 MG Road`: Mahatma Gandhi), not a unit (`2 MG`); before a capitals line's word
    // (`2 MG ROAD`) or an abbreviation (`40 MG Lasix Dr Smith`) it may be either.
    let title_case = words
        .last()
        .is_some_and(|w| w.len() >= 4 && w.chars().skip(1).all(|c| c.is_ascii_lowercase()));
    let initialism =
        |w: &&str| title_case && w.len() >= 2 && w.chars().all(|c| c.is_ascii_uppercase());
    !sentence_break
        && !words
            .iter()
            .skip(1)
            .any(|w| !initialism(w) && NOT_STREET_WORDS.contains(&lower(w).as_str()))
}

/// First words no town's name starts with: a field's words and the determiners that stand
/// before `county` or `neighborhood` in a sentence (`in this county`, `the same neighborhood`).
pub(super) const NOT_CITY_WORDS: &[&str] = &[
    "goal", "the", "and", "plan", "note", "code", "cpt", "icd", "a", "an", "this", "that", "our",
    "your", "his", "her", "their", "my", "same", "each", "every", "any", "another", "other",
    "which", "what", "one", "units", "unit", "level", "room", "bed", "dose", "total", "daily",
];

pub(super) fn city(v: &str) -> bool {
    let first = v
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    !NOT_CITY_WORDS.contains(&first.as_str())
}

/// First words of a ward or unit that say what kind it is rather than name it (`medical
/// ward`, `Step-down unit`, `the unit`): a hospital's services, levels of care and the words
/// that stand before a noun.
const NOT_WARD_NAMES: &[&str] = &[
    "the",
    "a",
    "an",
    "this",
    "that",
    "same",
    "another",
    "other",
    "his",
    "her",
    "their",
    "our",
    "my",
    "your",
    "each",
    "every",
    "any",
    "medical",
    "surgical",
    "medicine",
    "surgery",
    "acute",
    "subacute",
    "step",
    "step-down",
    "stepdown",
    "intensive",
    "critical",
    "general",
    "cardiac",
    "coronary",
    "cardiology",
    "psych",
    "psychiatric",
    "mental",
    "rehab",
    "rehabilitation",
    "maternity",
    "labor",
    "labour",
    "delivery",
    "pediatric",
    "paediatric",
    "peds",
    "geriatric",
    "elderly",
    "stroke",
    "burn",
    "burns",
    "renal",
    "dialysis",
    "oncology",
    "orthopedic",
    "orthopaedic",
    "ortho",
    "trauma",
    "neuro",
    "neurology",
    "neurosurgery",
    "respiratory",
    "isolation",
    "observation",
    "obs",
    "short",
    "day",
    "icu",
    "ccu",
    "nicu",
    "picu",
    "micu",
    "sicu",
    "cvicu",
    "hdu",
    "amu",
    "mau",
    "admissions",
    "admission",
    "assessment",
    "transitional",
    "palliative",
    "hospice",
    "dementia",
    "memory",
    "telemetry",
    "tele",
    "private",
    "open",
    "closed",
    "locked",
    "secure",
    "old",
    "new",
    "main",
    "care",
    "high",
    "dependency",
    "recovery",
    "emergency",
    "obstetric",
    "gynae",
    "gyn",
    "covid",
    "infectious",
    "spinal",
    "cardiothoracic",
    "vascular",
    "haematology",
    "hematology",
    "liver",
    "transplant",
    "neonatal",
    "special",
    "skilled",
    "nursing",
    "long-term",
    "inpatient",
    "outpatient",
    "chest",
    "heart",
    "cancer",
    "wound",
    "pain",
    "sleep",
    "eating",
    "detox",
    "substance",
    "forensic",
    "bariatric",
    "urology",
    "ent",
    "eye",
    "womens",
    "women's",
    "mens",
    "men's",
    "childrens",
    "children's",
    "floor",
    "bed",
    "male",
    "female",
    "mixed",
    "side",
    "corner",
    "single",
    "four-bed",
    "six-bed",
    "escalation",
    "overflow",
    "holding",
];

/// A ward's name before `ward`/`unit`: its first word is no kind of ward.
pub(super) fn ward_name(v: &str) -> bool {
    let first = v
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    !NOT_WARD_NAMES.contains(&first.as_str())
}

/// Capitals that name a unit, a test, a department or a unit of measure: in parentheses
/// after `OSH` or after a record number they are no hospital's initials (`OSH (ED)`,
/// `100000 CFU`).
const UNIT_INITIALS: &[&str] = &[
    "ED", "ER", "EW", "ICU", "MICU", "SICU", "CCU", "CSRU", "NICU", "PICU", "PACU", "OR", "IR",
    "CT", "CTA", "MRI", "MRA", "EKG", "ECG", "CXR", "KUB", "TTE", "TEE", "ABG", "LP", "US", "GI",
    "ENT", "EP", "BP", "HR", "IV", "PO", "NG", "NGT", "ETT", "CVL", "PICC", "CFU", "IU", "MG",
    "ML", "MCG", "CC", "UNITS", "CELLS", "CELL", "PLT", "WBC", "RBC", "NS", "LR", "PRBC", "FFP",
    "ABX", "CATH", "TELE", "SNF", "REHAB", "AM", "PM", "MD", "RN", "NP", "PA", "DO", "ID", "PT",
    "OT", "HOSP", "DX", "HX", "RX", "TX", "SX", "NA", "UNK", "NONE", "NEG", "POS", "OK", "YES",
    "NO", "TBD",
];

/// Capitals read as a hospital's initials that are no unit, test or measure.
pub(super) fn not_unit_initials(v: &str) -> bool {
    !UNIT_INITIALS.contains(&v.trim())
}

/// Profile folders of system and shared accounts, compared in lower case: no person's
/// login (`C:\Users\Public`, `/home/runner`, `/Users/Shared`).
const SYSTEM_PROFILES: &[&str] = &[
    "public",
    "default",
    "defaultuser0",
    "default user",
    "all users",
    "administrator",
    "admin",
    "guest",
    "shared",
    "root",
    "user",
    "users",
    "runner",
    "ubuntu",
    "ec2-user",
    "centos",
    "debian",
    "vagrant",
    "docker",
    "jenkins",
    "node",
    "app",
    "www-data",
    "git",
    "postgres",
    "nobody",
    "localservice",
    "networkservice",
    "systemprofile",
    "appdata",
];

/// A profile folder that is a person's login (red team 55, J22: `C:\Users\rthackeray`).
pub(super) fn profile_name(v: &str) -> bool {
    let v = v.trim().to_ascii_lowercase();
    !SYSTEM_PROFILES.contains(&v.as_str()) && !v.starts_with('.') && !v.starts_with('$')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_initialism_before_a_whole_street_word_is_no_unit() {
        assert!(street("45 MG Road"));
        assert!(street("7 ML Gupta Road"));
        assert!(!street("45 MG ROAD"));
        assert!(!street("40 MG Lasix Dr"));
        assert!(!street("2 mg Road"));
    }
}
