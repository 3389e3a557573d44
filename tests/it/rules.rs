//! Table test over `patterns/text/rules.toml`: each rule finds its marked examples (alone and
//! inside the full detector) and finds nothing in its counter-examples.

use phigate::detect::learned::Learned;
use phigate::detect::validate::Validator;

use phigate::engine::ContentType;

use crate::support::{deidentify, engine};

/// Splits `a [[b]] c` into the plain text and the byte range of `b`.
fn unmark(example: &str) -> Option<(String, usize, usize)> {
    let open = example.find("[[")?;
    let close = example.find("]]")?;
    let text = format!(
        "{}{}{}",
        &example[..open],
        &example[open + 2..close],
        &example[close + 2..]
    );
    Some((text, open, close - 2))
}

#[test]
fn every_rule_matches_its_examples_and_not_its_counter_examples() {
    let d = &engine().detector;
    let mut cache = d.rules().cache();
    let mut scratch = d.scratch();
    let mut failures = Vec::new();
    let mut checked = 0;
    for (idx, rule) in d.rules().rules().iter().enumerate() {
        if rule.must_match.is_empty() || rule.no_match.is_empty() {
            failures.push(format!(
                "{}: every rule needs match and no_match examples",
                rule.id
            ));
        }
        for ex in &rule.must_match {
            checked += 1;
            let Some((text, start, end)) = unmark(ex) else {
                failures.push(format!("{}: example without [[marker]]: {ex}", rule.id));
                continue;
            };
            let own = d.rules().scan_one(idx, &text, &mut cache);
            if !own.iter().any(|h| h.start == start && h.end == end) {
                failures.push(format!(
                    "{}: rule alone misses {ex} (found {own:?})",
                    rule.id
                ));
            }
            let all = d.scan(&text, None::<&Learned>, &mut scratch);
            if rule.validator == Some(Validator::Keep) {
                if all.iter().any(|s| s.start < end && start < s.end) {
                    failures.push(format!(
                        "{}: kept text was detected in {ex}: {all:?}",
                        rule.id
                    ));
                }
            } else if !all.iter().any(|s| s.start <= start && s.end >= end) {
                failures.push(format!(
                    "{}: detector does not cover {ex} (found {all:?})",
                    rule.id
                ));
            }
        }
        for ex in &rule.no_match {
            checked += 1;
            let own = d.rules().scan_one(idx, ex, &mut cache);
            if !own.is_empty() {
                failures.push(format!(
                    "{}: must not match {ex:?} but found {own:?}",
                    rule.id
                ));
            }
        }
    }
    assert!(checked > 100, "only {checked} examples");
    assert!(
        failures.is_empty(),
        "{} rule example failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The table test above scans raw text with the detector alone; a request is read through
/// the canonical views (symbols, folded accents, leetspeak) first, so a rule can pass its own
/// rows and still be dead in the pipeline (stop 55 found `email.dotless`'s own example dead
/// that way). Every match row must also be covered (or, read as a form or JSON, be gone
/// from the output) when the engine reads it as a text document, as every request is.
#[test]
fn every_rule_example_is_found_through_the_whole_pipeline() {
    let d = &engine().detector;
    let mut failures = Vec::new();
    let mut checked = 0;
    for rule in d.rules().rules() {
        if rule.validator == Some(Validator::Keep) {
            continue;
        }
        for ex in &rule.must_match {
            let Some((text, start, end)) = unmark(ex) else {
                continue;
            };
            checked += 1;
            // A row the engine reads as a form or JSON reports no text spans: there the value
            // must be gone from the output instead.
            let out = deidentify(&text, ContentType::Text, "safe-harbor");
            let spans = out.spans;
            let covered = spans.iter().any(|s| s.start <= start && s.end >= end);
            if !covered && (!spans.is_empty() || out.text.contains(&text[start..end])) {
                failures.push(format!(
                    "{}: the pipeline does not cover {ex} (found {:?})",
                    rule.id,
                    spans
                        .iter()
                        .map(|s| &text[s.start..s.end])
                        .collect::<Vec<_>>()
                ));
            }
        }
    }
    assert!(checked > 100, "only {checked} examples");
    assert!(
        failures.is_empty(),
        "{} rule examples the pipeline misses:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Every marked value (`[[…]]`) of a row, byte ranges in the unmarked text.
fn unmark_all(row: &str) -> (String, Vec<(usize, usize)>) {
    let mut text = String::with_capacity(row.len());
    let mut marks = Vec::new();
    let mut rest = row;
    while let (Some(open), Some(close)) = (rest.find("[["), rest.find("]]")) {
        text.push_str(&rest[..open]);
        let start = text.len();
        text.push_str(&rest[open + 2..close]);
        marks.push((start, text.len()));
        rest = &rest[close + 2..];
    }
    text.push_str(rest);
    (text, marks)
}

/// The rows of one section (`find` or `keep`) of the recall table, with their class.
fn table_rows(table: &toml::Value, section: &str) -> Vec<(String, String)> {
    let groups = table
        .get(section)
        .and_then(toml::Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut rows = Vec::new();
    for g in groups {
        let class = g.get("class").and_then(toml::Value::as_str).unwrap_or("?");
        for r in g
            .get("rows")
            .and_then(toml::Value::as_array)
            .into_iter()
            .flatten()
        {
            rows.push((
                class.to_string(),
                r.as_str().unwrap_or_default().to_string(),
            ));
        }
    }
    rows
}

/// Issue 13's list of missed classes and of clinical text to keep, as data in
/// `patterns/text/recall-table.toml`: read as a text document by the engine (through the
/// canonical view that folds `ß` and accents, as every request is), each marked value is
/// covered by one detection, and each keep row comes out untouched.
#[test]
fn recall_table_finds_every_marked_value_and_keeps_clinical_text() {
    let table: toml::Value = toml::from_str(include_str!("../../patterns/text/recall-table.toml"))
        .expect("recall table parses");
    let mut failures = Vec::new();
    let spans_of = |text: &str| deidentify(text, ContentType::Text, "safe-harbor").spans;
    let found = table_rows(&table, "find");
    let kept = table_rows(&table, "keep");
    assert!(found.len() >= 100, "only {} find rows", found.len());
    assert!(kept.len() >= 25, "only {} keep rows", kept.len());
    for (class, row) in &found {
        let (text, marks) = unmark_all(row);
        assert!(!marks.is_empty(), "[{class}] row without [[marker]]: {row}");
        let spans = spans_of(&text);
        for (start, end) in marks {
            if !spans.iter().any(|s| s.start <= start && s.end >= end) {
                failures.push(format!(
                    "[{class}] misses {:?} in {row:?}",
                    &text[start..end]
                ));
            }
        }
    }
    for (class, row) in &kept {
        for s in spans_of(row) {
            failures.push(format!(
                "[{class}] detects {:?} in {row:?}",
                &row[s.start..s.end]
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} recall-table failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Texts that exercise where rules can start: synthetic notes, FHIR bundles and JSON
/// webhooks (raw, so JSON punctuation sits against the values), and every rule's examples
/// glued to each other and to word bytes, non-ASCII letters and punctuation.
fn start_corpus() -> Vec<String> {
    use phigate::synth;
    let mut texts: Vec<String> = synth::text_notes(3, 120)
        .into_iter()
        .chain(synth::fhir_bundles(3, 12))
        .chain(synth::json_webhooks(3, 30))
        .map(|d| d.text)
        .collect();
    let examples: Vec<String> = engine()
        .detector
        .rules()
        .rules()
        .iter()
        .flat_map(|r| r.must_match.iter().chain(&r.no_match))
        .map(|e| e.replace("[[", "").replace("]]", ""))
        .collect();
    for glue in ["", " ", "x", "_", "9", "é", "\n", ",", "+", "'", "(", "-"] {
        texts.push(examples.join(glue));
        texts.extend(examples.iter().map(|e| format!("{glue}{e}{glue}")));
    }
    texts
}

/// The rule groups are searched anchored at the positions where their rules can start;
/// this must find exactly what a search of the whole text finds (same hits, same order),
/// rule by rule and in the whole detector.
#[test]
fn anchored_search_finds_exactly_what_the_whole_text_search_finds() {
    use phigate::detect::rules::{Anchoring, RuleSet};
    use phigate::detect::Detector;
    use phigate::patterns::Patterns;
    let p = Patterns::builtin();
    let source = p.get("text/rules.toml");
    let anchored = RuleSet::compile_with("rules.toml", source, Anchoring::AtStarts).expect("rules");
    let whole = RuleSet::compile_with("rules.toml", source, Anchoring::Off).expect("rules");
    let (mut a, mut w) = (anchored.cache(), whole.cache());
    let detector = &engine().detector;
    let reference = Detector::build_with(&p, Anchoring::Off).expect("detector");
    let (mut ds, mut rs) = (detector.scratch(), reference.scratch());
    let (mut hits, mut spans) = (0, 0);
    for text in start_corpus() {
        let (mut found, mut expected) = (Vec::new(), Vec::new());
        anchored.scan(&text, &mut a, |h| found.push(h));
        whole.scan(&text, &mut w, |h| expected.push(h));
        assert_eq!(found, expected, "rule hits differ on {text:?}");
        hits += found.len();
        let got = detector.scan(&text, None, &mut ds);
        assert_eq!(got, reference.scan(&text, None, &mut rs), "{text:?}");
        spans += got.len();
    }
    // The corpus must exercise the rules at all for the comparison to mean anything.
    assert!(hits > 2_000 && spans > 2_000, "{hits} hits, {spans} spans");
}

/// Pieces of every rule example (cue words, digit groups, e-mail addresses, commas, state
/// codes, street words) plus bytes that end or join them: what the random texts below are
/// made of, so they reach every gate's tests.
fn gate_pieces() -> Vec<String> {
    let mut pieces: Vec<String> = engine()
        .detector
        .rules()
        .rules()
        .iter()
        .flat_map(|r| r.must_match.iter().chain(&r.no_match))
        .flat_map(|e| {
            e.replace("[[", "")
                .replace("]]", "")
                .split(' ')
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .filter(|w| !w.is_empty())
        .collect();
    pieces.sort();
    pieces.dedup();
    for p in [
        "@",
        ",",
        ".",
        "-",
        "/",
        "#",
        ":",
        "(",
        ")",
        "'",
        "\n",
        "  ",
        "é",
        "12",
        "555",
        "2024",
        "x",
        "Ann",
        "MRN",
        "phone",
        "St",
        "CA",
        "ann@x.org",
        "Room",
        "_",
    ] {
        pieces.push(p.to_string());
    }
    pieces
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(400))]

    /// The gates (`detect::gate`) skip a candidate position only where no anchored rule
    /// can match: on random texts of rule-example pieces, the gated scan finds exactly the
    /// hits of the scan that tries every candidate, and of the whole-text search.
    #[test]
    fn gated_and_ungated_rule_scans_find_the_same_hits(
        picks in proptest::collection::vec((0usize..10_000, 0usize..6), 1..60)
    ) {
        use phigate::detect::rules::{Anchoring, RuleSet};
        use std::sync::OnceLock;
        static SETS: OnceLock<(Vec<String>, [RuleSet; 3])> = OnceLock::new();
        let (pieces, [gated, ungated, whole]) = SETS.get_or_init(|| {
            let p = phigate::patterns::Patterns::builtin();
            let source = p.get("text/rules.toml");
            let set = |a| RuleSet::compile_with("rules.toml", source, a).expect("rules");
            (
                gate_pieces(),
                [set(Anchoring::AtStartsGated), set(Anchoring::AtStarts), set(Anchoring::Off)],
            )
        });
        let mut text = String::new();
        for (piece, glue) in picks {
            text.push_str(&pieces[piece % pieces.len()]);
            text.push_str(["", " ", ", ", "\n", "-", "@"][glue]);
        }
        let scan = |set: &RuleSet| {
            let mut hits = Vec::new();
            set.scan(&text, &mut set.cache(), |h| hits.push(h));
            hits
        };
        let found = scan(gated);
        proptest::prop_assert_eq!(&found, &scan(ungated), "{:?}", text);
        proptest::prop_assert_eq!(&found, &scan(whole), "{:?}", text);
    }
}
