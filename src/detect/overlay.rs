//! Overlays: the files of a `patterns.d/` directory, each adding text rules, allow-list
//! words and field keys on top of the built-in rule files, without copying them.
//!
//! Owns the overlay file's shape and the detection half of it: its `[[rule]]`s (the
//! schema of `patterns/text/rules.toml`, whose `{{defs}}` they may use, with their `match`
//! and `no_match` examples checked when the file loads) and its `allow` words. Its `[keys]`
//! (field rules) are the engine's ([`crate::engine::fields::FieldRules::add_overlay`]).
//! Every error names the overlay file and line.
//!
//! ```toml
//! allow = ["Foley", "Babinski sign"]   # before the first table, as TOML requires
//!
//! [[rule]]
//! id = "clinic.badge"
//! type = "ID"
//! pattern = '\bBDG-\d{6}\b'
//! match = ["badge [[BDG-123456]] issued"]
//! no_match = ["BDG-12"]
//!
//! [keys]
//! MRN = ["clinicChartRef"]
//! ```

use std::collections::{BTreeMap, HashSet};

use serde::Deserialize;

use super::rules::{first_line, line_of, parse_file, Anchoring, RawRule, RuleGroup, RuleSet};
use super::RuleError;
use crate::patterns::Overlay;

/// An overlay file as written. `keys` is read here only so that an unknown section is
/// refused; the engine parses it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOverlay {
    #[serde(default)]
    defs: BTreeMap<String, String>,
    #[serde(default)]
    rule: Vec<RawRule>,
    #[serde(default)]
    allow: Vec<String>,
    #[serde(default)]
    #[allow(dead_code)]
    keys: Option<toml::Value>,
}

/// The rule set of the built-in rule file with every overlay's rules after it, and the
/// overlays' allow-list (lower case).
pub fn compile(
    file: &str,
    source: &str,
    overlays: &[Overlay],
) -> Result<(RuleSet, HashSet<String>), RuleError> {
    compile_with(file, source, overlays, Anchoring::AtStarts)
}

/// [`compile`], choosing how the rule groups are searched.
pub fn compile_with(
    file: &str,
    source: &str,
    overlays: &[Overlay],
    anchoring: Anchoring,
) -> Result<(RuleSet, HashSet<String>), RuleError> {
    if overlays.is_empty() {
        return Ok((
            RuleSet::compile_with(file, source, anchoring)?,
            HashSet::new(),
        ));
    }
    let base = parse_file(file, source)?;
    let base_defs = base.defs.clone();
    let mut groups = vec![RuleGroup {
        file,
        source,
        defs: base.defs,
        rules: base.rule,
        check_examples: false,
    }];
    let mut allow = HashSet::new();
    for o in overlays {
        let raw: RawOverlay = toml::from_str(&o.text).map_err(|e| RuleError::Syntax {
            file: o.file.clone(),
            line: e.span().map(|s| line_of(&o.text, s.start)).unwrap_or(0),
            reason: first_line(e.message()),
        })?;
        // The overlay's own definitions come first; the built-in ones fill in the rest.
        let mut defs = base_defs.clone();
        defs.extend(raw.defs);
        allow.extend(
            raw.allow
                .iter()
                .map(|w| w.trim().to_lowercase())
                .filter(|w| !w.is_empty()),
        );
        groups.push(RuleGroup {
            file: &o.file,
            source: &o.text,
            defs,
            rules: raw.rule,
            check_examples: true,
        });
    }
    Ok((RuleSet::compile_groups(groups, anchoring)?, allow))
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str =
        "[defs]\nd = '\\d'\n[[rule]]\nid = \"a\"\ntype = \"ID\"\npattern = 'AAA{{d}}'\n";

    fn overlay(text: &str) -> Vec<Overlay> {
        vec![Overlay {
            file: "o.toml".into(),
            text: text.into(),
        }]
    }

    #[test]
    fn overlay_rules_follow_the_built_in_ones_and_use_their_defs() {
        let o = overlay(
            "allow = [\"Foley\"]\n[[rule]]\nid = \"b\"\ntype = \"MRN\"\npattern = 'BDG-{{d}}{3}'\nmatch = [\"x [[BDG-123]] y\"]\nno_match = [\"BDG-12\"]\n",
        );
        let (set, allow) = compile("base.toml", BASE, &o).expect("compiles");
        assert_eq!(set.rules().len(), 2);
        assert_eq!(set.rules()[1].id, "b");
        assert!(allow.contains("foley"));
        let mut cache = set.cache();
        let mut hits = Vec::new();
        set.scan("id BDG-123 here", &mut cache, |h| hits.push(h));
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].rule, 1);
    }

    #[test]
    fn a_missed_example_names_the_overlay_file_and_line() {
        let o = overlay(
            "\n[[rule]]\nid = \"b\"\ntype = \"MRN\"\npattern = 'BDG-\\d{3}'\nmatch = [\"x [[BDG-12]] y\"]\n",
        );
        match compile("base.toml", BASE, &o) {
            Err(RuleError::Invalid { file, line, reason }) => {
                assert_eq!((file.as_str(), line), ("o.toml", 5));
                assert!(reason.contains("match example 1"), "{reason}");
                assert!(!reason.contains("BDG"), "{reason}");
            }
            other => panic!("unexpected {:?}", other.err()),
        }
        let o =
            overlay("[[rule]]\nid = \"b\"\ntype = \"MRN\"\npattern = 'B'\nno_match = [\"B\"]\n");
        assert!(matches!(
            compile("base.toml", BASE, &o),
            Err(RuleError::Invalid { line: 4, .. })
        ));
    }

    #[test]
    fn unknown_sections_and_bad_types_are_refused_with_their_line() {
        let o = overlay("allow = []\ncolour = 1\n");
        assert!(matches!(
            compile("base.toml", BASE, &o),
            Err(RuleError::Syntax { line: 2, .. })
        ));
        let o = overlay("[[rule]]\nid = \"b\"\ntype = \"NOPE\"\npattern = 'B'\n");
        assert!(matches!(
            compile("base.toml", BASE, &o),
            Err(RuleError::Invalid { line: 3, .. })
        ));
    }
}
