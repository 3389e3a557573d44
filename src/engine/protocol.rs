//! Protocol values: what an API client writes about the call itself (an LLM model id, an
//! API version, a response's creation time), recognised by grammar so a de-identified call
//! still reaches the API (red team 55, J24).
//!
//! Owns `patterns/protocol.toml`. A value is kept only when a grammar matches it whole:
//! `whole` grammars anywhere a value stands alone (a JSON string, a form value, a path
//! segment), `keyed` grammars only under their keys. Anything else is read as usual. The
//! file is built in (it is protocol, not a deployment's policy); a file that does not
//! compile keeps nothing, so a broken table can only make the gateway stricter.

use std::sync::OnceLock;

use regex::{Regex, RegexBuilder};
use serde::Deserialize;

use super::fields::normalize_key;

const SOURCE: &str = include_str!("../../patterns/protocol.toml");
const TIME_ZONES: &str = include_str!("../../patterns/time-zones.txt");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    whole: Vec<RawGrammar>,
    #[serde(default)]
    keyed: Vec<RawGrammar>,
    #[serde(default)]
    vocabulary: RawVocabulary,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawVocabulary {
    #[serde(default)]
    schema_types: Vec<String>,
    #[serde(default)]
    schema_formats: Vec<String>,
    #[serde(default)]
    schema_dialects: Vec<String>,
    #[serde(default)]
    operator_keys: Vec<String>,
    #[serde(default)]
    race_ethnicity: Vec<String>,
    #[serde(default)]
    race_ethnicity_words: Vec<String>,
    #[serde(default)]
    race_ethnicity_keys: Vec<String>,
    #[serde(default)]
    cdisc_variables: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGrammar {
    #[allow(dead_code)] // Named in the file for the tests' messages.
    id: String,
    #[serde(default)]
    keys: Vec<String>,
    pattern: String,
    #[serde(default, rename = "match")]
    #[cfg_attr(not(test), allow(dead_code))] // The rows are for the tests.
    matches: Vec<String>,
    #[serde(default)]
    #[cfg_attr(not(test), allow(dead_code))]
    no_match: Vec<String>,
}

/// The compiled grammars.
struct Protocol {
    whole: Vec<Regex>,
    keyed: Vec<(Vec<String>, Regex)>,
    vocabulary: RawVocabulary,
}

fn compile(pattern: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(&format!("^(?:{pattern})$"))
        .unicode(false)
        .build()
}

fn parse(source: &str) -> Result<Protocol, String> {
    let raw: RawFile = toml::from_str(source).map_err(|e| e.to_string())?;
    let whole = raw
        .whole
        .iter()
        .map(|g| compile(&g.pattern))
        .collect::<Result<_, _>>()
        .map_err(|e| e.to_string())?;
    let mut keyed = Vec::new();
    for g in &raw.keyed {
        let keys = g
            .keys
            .iter()
            .map(|k| normalize_key(k).into_owned())
            .collect();
        keyed.push((keys, compile(&g.pattern).map_err(|e| e.to_string())?));
    }
    Ok(Protocol {
        whole,
        keyed,
        vocabulary: raw.vocabulary,
    })
}

fn table() -> Option<&'static Protocol> {
    static TABLE: OnceLock<Option<Protocol>> = OnceLock::new();
    TABLE.get_or_init(|| parse(SOURCE).ok()).as_ref()
}

/// A value that is a protocol value wherever it stands alone: an LLM model id, an IANA
/// time-zone name (J30), an OMB race or ethnicity category (J27).
pub(crate) fn is_protocol_value(value: &str) -> bool {
    // Trimmed once, not once for each category compared (issue 19).
    let trimmed = value.trim();
    value.len() <= MAX_PROTOCOL_VALUE
        && table().is_some_and(|t| {
            (t.whole.iter().any(|r| r.is_match(value)) && numbers_read_as_versions(value))
                || is_time_zone(value)
                || t.vocabulary
                    .race_ethnicity
                    .iter()
                    .any(|c| c.eq_ignore_ascii_case(trimmed))
        })
}

/// The all-digit pieces of a model id read as versions and a snapshot, not as a number cut
/// in pieces: in each run of them (`3-5`, `4-1-20250805`, `2024-08-06`) a trailing
/// snapshot (eight digits of a date, `YYYY-MM-DD` of 2020-2039, or four digits) is set
/// aside, and what is left is at most two pieces of one or two digits, or one piece alone.
/// `413-555-0172` or `441-0827` after a family word is a number, read as usual.
fn numbers_read_as_versions(value: &str) -> bool {
    let body = value.split(['@', ':']).next().unwrap_or(value);
    let pieces: Vec<&str> = body.split(['-', '.', '_']).collect();
    let numeric = |p: &&str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    let mut k = 0;
    while k < pieces.len() {
        if !numeric(&pieces[k]) {
            k += 1;
            continue;
        }
        let start = k;
        while k < pieces.len() && numeric(&pieces[k]) {
            k += 1;
        }
        let run = &pieces[start..k];
        if run.len() == 1 {
            continue;
        }
        let mut left = run;
        if let [rest @ .., y, m, d] = run {
            if y.len() == 4
                && (y.starts_with("202") || y.starts_with("203"))
                && m.len() == 2
                && d.len() == 2
            {
                left = rest;
            }
        }
        if left.len() == run.len() {
            if let [rest @ .., last] = run {
                if last.len() == 8 || last.len() == 4 {
                    left = rest;
                }
            }
        }
        if left.len() > 2 || left.iter().any(|p| p.len() > 2) {
            return false;
        }
    }
    true
}

/// An IANA time-zone identifier of the shipped list (`America/New_York`), as written.
pub(crate) fn is_time_zone(value: &str) -> bool {
    static ZONES: OnceLock<std::collections::HashSet<&'static str>> = OnceLock::new();
    value.contains('/')
        && ZONES
            .get_or_init(|| {
                TIME_ZONES
                    .lines()
                    .filter(|l| !l.starts_with('#') && !l.is_empty())
                    .collect()
            })
            .contains(value)
}

/// An OMB category under a race or ethnicity key (`{"race":"Asian"}`), or where `key` is
/// `None`, as the display of a CDC Race & Ethnicity coding: the one-word categories too.
pub(crate) fn is_race_category(key: Option<&str>, value: &str) -> bool {
    let value = value.trim();
    table().is_some_and(|t| {
        let v = &t.vocabulary;
        let keyed = key.is_none_or(|k| {
            let k = normalize_key(k);
            v.race_ethnicity_keys.iter().any(|x| *x == k)
        });
        keyed
            && v.race_ethnicity
                .iter()
                .chain(&v.race_ethnicity_words)
                .any(|c| c.eq_ignore_ascii_case(value))
    })
}

/// A CDISC SDTM/ADaM variable name (`USUBJID`, `BRTHDTC`), as written.
pub(crate) fn is_cdisc_variable(k: &str) -> bool {
    k.bytes()
        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        && table().is_some_and(|t| t.vocabulary.cdisc_variables.iter().any(|x| x == k))
}

/// A value that is a protocol value under `key` (a JSON key, a query name or a header name,
/// in any spelling: `api-version`, `anthropic_version`).
pub(crate) fn is_keyed_protocol_value(key: &str, value: &str) -> bool {
    if value.len() > MAX_PROTOCOL_VALUE {
        return false;
    }
    let key = normalize_key(key);
    table().is_some_and(|t| {
        t.keyed
            .iter()
            .any(|(keys, r)| keys.iter().any(|k| *k == key) && r.is_match(value))
    })
}

/// A JSON Schema `type` name (`string`, `object`).
pub(crate) fn is_schema_type(v: &str) -> bool {
    table().is_some_and(|t| t.vocabulary.schema_types.iter().any(|x| x == v))
}

/// A JSON Schema or OpenAPI `format` name (`date`, `email`).
pub(crate) fn is_schema_format(v: &str) -> bool {
    table().is_some_and(|t| t.vocabulary.schema_formats.iter().any(|x| x == v))
}

/// A meta-schema URI a `$schema` names.
pub(crate) fn is_schema_dialect(v: &str) -> bool {
    table().is_some_and(|t| t.vocabulary.schema_dialects.iter().any(|x| x == v))
}

/// A `$`/`@` operator key of JSON Schema, OData, MongoDB or JSON-LD (`$ref`, `$gte`,
/// `@context`), as written.
pub(crate) fn is_operator_key(k: &str) -> bool {
    k.starts_with(['$', '@'])
        && table().is_some_and(|t| t.vocabulary.operator_keys.iter().any(|x| x == k))
}

/// A JSON Schema `pattern` with at most two literal letters or digits in all outside its
/// character classes, quantifiers and escapes (`^[0-9-]+$`, `^[A-Z]{2}\d{6}$`): structure
/// alone, which can spell no value. Any other pattern is read as text.
pub(crate) fn is_literal_free_pattern(p: &str) -> bool {
    if p.len() > MAX_PROTOCOL_VALUE {
        return false;
    }
    let mut literals = 0;
    let mut chars = p.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '[' => {
                // A class up to its closing `]`, escapes inside skipped.
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => {
                            chars.next();
                        }
                        ']' => break,
                        _ => {}
                    }
                }
            }
            '{' => {
                for c in chars.by_ref() {
                    if c == '}' {
                        break;
                    }
                }
            }
            c if c.is_alphanumeric() => literals += 1,
            _ => {}
        }
    }
    literals <= MAX_PATTERN_LITERALS
}

/// Literal letters and digits a kept `pattern` may hold (an anchor's `^`/`$` are none).
const MAX_PATTERN_LITERALS: usize = 2;

/// The longest value a grammar is tried on (model ids are short; anything long is text).
const MAX_PROTOCOL_VALUE: usize = 128;

/// An LLM API's `created` (a Unix time in seconds), which a number-shape reading takes for a
/// phone number: the key and a ten-digit time that no NANP number can be (NANP area codes
/// start at 2), 2001-09-09 to 2033-05-18. Such a time is a date all the same: the caller
/// rewrites it as one and keeps it a number where the policy lets it.
pub(crate) fn is_unix_created(key: &str, digits: &str) -> bool {
    matches!(normalize_key(key).as_ref(), "created" | "createdat")
        && digits.len() == 10
        && digits.starts_with('1')
        && digits.bytes().all(|b| b.is_ascii_digit())
}

/// `secs` as the ISO 8601 instant a date transform reads (`2024-12-04T08:13:20Z`).
pub(crate) fn unix_to_iso(secs: i64) -> Option<String> {
    let t = time::OffsetDateTime::from_unix_timestamp(secs).ok()?;
    let (y, m, d) = (t.year(), u8::from(t.month()), t.day());
    Some(format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        t.hour(),
        t.minute(),
        t.second()
    ))
}

/// The Unix time of 1 January of `year`, 00:00 UTC: a date generalised to its year, written
/// back as the number the field held.
pub(crate) fn year_start_unix(year: &str) -> Option<i64> {
    if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let y: i32 = year.parse().ok()?;
    let date = time::Date::from_calendar_date(y, time::Month::January, 1).ok()?;
    Some(date.midnight().assume_utc().unix_timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_protocol_table_compiles_and_its_rows_hold() {
        let raw: RawFile = toml::from_str(SOURCE).expect("protocol.toml parses");
        assert!(parse(SOURCE).is_ok());
        for g in &raw.whole {
            let r = compile(&g.pattern).expect("compiles");
            for m in &g.matches {
                assert!(r.is_match(m), "{}: must keep {m:?}", g.id);
                assert!(is_protocol_value(m), "{}: must keep {m:?}", g.id);
            }
            for m in &g.no_match {
                assert!(!is_protocol_value(m), "{}: must not keep {m:?}", g.id);
            }
        }
        for g in &raw.keyed {
            assert!(
                !g.keys.is_empty(),
                "{}: a keyed grammar names its keys",
                g.id
            );
            for k in &g.keys {
                for m in &g.matches {
                    assert!(is_keyed_protocol_value(k, m), "{}: must keep {m:?}", g.id);
                    assert!(!is_protocol_value(m), "{}: {m:?} is kept only keyed", g.id);
                }
                for m in &g.no_match {
                    assert!(
                        !is_keyed_protocol_value(k, m),
                        "{}: must not keep {m:?}",
                        g.id
                    );
                }
            }
            for m in &g.matches {
                assert!(!is_keyed_protocol_value("note", m), "{}: keyed only", g.id);
            }
        }
    }

    #[test]
    fn schema_vocabularies_are_closed_lists() {
        assert!(is_schema_type("string") && !is_schema_type("Thackeray"));
        assert!(is_schema_format("date-time") && !is_schema_format("1961-08-23"));
        assert!(is_operator_key("$gte") && is_operator_key("@context"));
        assert!(!is_operator_key("$thackeray") && !is_operator_key("gte"));
        assert!(is_literal_free_pattern("^[0-9-]+$"));
        assert!(is_literal_free_pattern("^[A-Z]{2}\\d{6}$"));
        assert!(!is_literal_free_pattern("^Thackeray$"));
        assert!(!is_literal_free_pattern("^4410827$"));
        assert!(!is_literal_free_pattern("^(Ro)(sa)(li)(nd)$"));
    }

    #[test]
    fn zones_categories_and_cdisc_names_are_closed_lists() {
        assert!(is_protocol_value("America/New_York") && is_protocol_value("Pacific/Honolulu"));
        assert!(!is_protocol_value("America/Thackeray") && !is_protocol_value("New_York"));
        assert!(is_protocol_value("Not Hispanic or Latino") && !is_protocol_value("White"));
        assert!(
            is_race_category(Some("race"), "Asian") && !is_race_category(Some("note"), "Asian")
        );
        assert!(!is_protocol_value("Latino Thackeray"));
        assert!(is_cdisc_variable("USUBJID") && is_cdisc_variable("BRTHDTC"));
        assert!(!is_cdisc_variable("THACKERAY") && !is_cdisc_variable("usubjid"));
    }

    #[test]
    fn a_created_time_is_read_as_a_date_not_a_phone() {
        assert!(is_unix_created("created", "1733300000"));
        assert!(!is_unix_created("created", "4135550172"));
        assert!(!is_unix_created("contact", "1733300000"));
        assert_eq!(
            unix_to_iso(1_733_300_000).as_deref(),
            Some("2024-12-04T08:13:20Z")
        );
        assert_eq!(year_start_unix("2024"), Some(1_704_067_200));
        assert_eq!(year_start_unix("[DATE]"), None);
    }
}
