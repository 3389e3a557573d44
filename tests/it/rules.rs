//! Table test over `patterns/text/rules.toml`: each rule finds its marked examples (alone and
//! inside the full detector) and finds nothing in its counter-examples.

use phigate::detect::learned::Learned;
use phigate::detect::validate::Validator;

use crate::support::engine;

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
