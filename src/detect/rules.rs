//! Text rules: parsing `patterns/text/rules.toml` and compiling every rule into one
//! multi-pattern regex.
//!
//! Owns the rule file format, `{{def}}` expansion, build-time errors that name the file and
//! line, and the compiled [`RuleSet`] with its search loop. It does not decide what a match
//! means beyond its validator; merging and transforms live elsewhere.

use std::collections::BTreeMap;

use regex_automata::meta::{self, Regex};
use regex_automata::util::syntax;
use regex_automata::{Anchored, Input, PatternID};
use serde::Deserialize;

use super::validate::Validator;
use super::RuleError;
use crate::phi::PhiType;

/// One rule as written in a rule file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: String,
    #[serde(rename = "type")]
    ty: toml::Spanned<String>,
    pattern: toml::Spanned<String>,
    validate: Option<toml::Spanned<String>>,
    #[serde(default, rename = "match")]
    must_match: Vec<String>,
    #[serde(default)]
    no_match: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRuleFile {
    #[serde(default)]
    defs: BTreeMap<String, String>,
    #[serde(default)]
    rule: Vec<RawRule>,
}

/// A compiled rule's metadata; the pattern itself lives in the shared [`RuleSet`] regex.
#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    pub ty: PhiType,
    pub validator: Option<Validator>,
    /// Examples that must be found, with the expected value marked `[[…]]`.
    pub must_match: Vec<String>,
    /// Examples in which this rule must find nothing.
    pub no_match: Vec<String>,
}

/// A rule match after validation: the value's byte range and the rule that found it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleHit {
    pub start: usize,
    pub end: usize,
    pub rule: usize,
}

/// Every text rule compiled into one automaton.
pub struct RuleSet {
    rules: Vec<Rule>,
    regex: Regex,
}

impl RuleSet {
    /// Parses and compiles a rule file. `file` is used only in error messages.
    pub fn compile(file: &str, source: &str) -> Result<RuleSet, RuleError> {
        let raw: RawRuleFile = toml::from_str(source).map_err(|e| RuleError::Syntax {
            file: file.to_string(),
            line: e.span().map(|s| line_of(source, s.start)).unwrap_or(0),
            reason: first_line(e.message()),
        })?;
        let mut rules = Vec::with_capacity(raw.rule.len());
        let mut patterns = Vec::with_capacity(raw.rule.len());
        for r in raw.rule {
            let at = |span: std::ops::Range<usize>| line_of(source, span.start);
            let ty =
                r.ty.get_ref()
                    .parse::<PhiType>()
                    .map_err(|e| RuleError::Invalid {
                        file: file.to_string(),
                        line: at(r.ty.span()),
                        reason: e.to_string(),
                    })?;
            let validator =
                match &r.validate {
                    None => None,
                    Some(v) => Some(v.get_ref().parse::<Validator>().map_err(|reason| {
                        RuleError::Invalid {
                            file: file.to_string(),
                            line: at(v.span()),
                            reason,
                        }
                    })?),
                };
            let pattern = expand_defs(r.pattern.get_ref(), &raw.defs).map_err(|reason| {
                RuleError::Invalid {
                    file: file.to_string(),
                    line: at(r.pattern.span()),
                    reason,
                }
            })?;
            // Compile alone first so a bad pattern is reported against its own line.
            build(&[pattern.as_str()]).map_err(|e| RuleError::Invalid {
                file: file.to_string(),
                line: at(r.pattern.span()),
                reason: format!("rule `{}`: {}", r.id, first_line(&e.to_string())),
            })?;
            patterns.push(pattern);
            rules.push(Rule {
                id: r.id,
                ty,
                validator,
                must_match: r.must_match,
                no_match: r.no_match,
            });
        }
        let regex = build(&patterns).map_err(|e| RuleError::Invalid {
            file: file.to_string(),
            line: 0,
            reason: first_line(&e.to_string()),
        })?;
        Ok(RuleSet { rules, regex })
    }

    /// The rules, indexed by [`RuleHit::rule`].
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Finds every validated rule hit in `text`, calling `emit` for each, left to right.
    ///
    /// When the winning pattern at a position fails validation, the other patterns are tried
    /// anchored at the same position before moving on, so one rule's rejection cannot hide
    /// another rule's match.
    pub fn scan(&self, text: &str, cache: &mut ScanCache, mut emit: impl FnMut(RuleHit)) {
        let hay = text.as_bytes();
        let mut pos = 0;
        while pos < hay.len() {
            let input = Input::new(hay).range(pos..);
            let Some(m) = self.regex.search_with(&mut cache.cache, &input) else {
                break;
            };
            let start = m.start();
            let accepted = self
                .accept(text, cache, m.pattern(), start)
                .or_else(|| self.accept_other(text, cache, m.pattern(), start));
            match accepted {
                Some(hit) => {
                    if self.rules[hit.rule].validator != Some(Validator::Keep) {
                        emit(hit);
                    }
                    pos = hit.end.max(start + 1);
                }
                None => pos = start + 1,
            }
        }
    }

    /// Scans with a single rule only (used by the rule-example tests).
    pub fn scan_one(&self, rule: usize, text: &str, cache: &mut ScanCache) -> Vec<RuleHit> {
        let hay = text.as_bytes();
        let mut hits = Vec::new();
        for start in 0..hay.len() {
            if let Some(hit) = self.accept(text, cache, PatternID::new_unchecked(rule), start) {
                if hits.last().is_none_or(|h: &RuleHit| h.end <= hit.start) {
                    hits.push(hit);
                }
            }
        }
        hits
    }

    /// A fresh per-thread search cache.
    pub fn cache(&self) -> ScanCache {
        ScanCache {
            cache: self.regex.create_cache(),
            caps: self.regex.create_captures(),
        }
    }

    fn accept_other(
        &self,
        text: &str,
        cache: &mut ScanCache,
        skip: PatternID,
        start: usize,
    ) -> Option<RuleHit> {
        (0..self.rules.len())
            .filter(|&i| i != skip.as_usize())
            .find_map(|i| self.accept(text, cache, PatternID::new_unchecked(i), start))
    }

    /// Runs pattern `pid` anchored at `start`, extracts the value group and validates it.
    fn accept(
        &self,
        text: &str,
        cache: &mut ScanCache,
        pid: PatternID,
        start: usize,
    ) -> Option<RuleHit> {
        let input = Input::new(text.as_bytes())
            .range(start..)
            .anchored(Anchored::Pattern(pid));
        self.regex
            .search_captures_with(&mut cache.cache, &input, &mut cache.caps);
        let whole = cache.caps.get_match()?;
        let (vs, ve) = match cache.caps.get_group_by_name("v") {
            Some(span) => (span.start, span.end),
            None => (whole.start(), whole.end()),
        };
        // Byte-oriented patterns may stop inside a multi-byte character; PHI spans never do.
        if vs >= ve || !text.is_char_boundary(vs) || !text.is_char_boundary(ve) {
            return None;
        }
        let rule = &self.rules[pid.as_usize()];
        let end = match rule.validator {
            Some(v) => v.check(text, vs, ve)?,
            None => ve,
        };
        Some(RuleHit {
            start: vs,
            end,
            rule: pid.as_usize(),
        })
    }
}

/// Reusable search state for [`RuleSet::scan`]; one per thread.
pub struct ScanCache {
    cache: meta::Cache,
    caps: regex_automata::util::captures::Captures,
}

fn build(patterns: &[impl AsRef<str>]) -> Result<Regex, regex_automata::meta::BuildError> {
    Regex::builder()
        .syntax(syntax::Config::new().unicode(false).utf8(false).crlf(true))
        .configure(
            Regex::config()
                .utf8_empty(false)
                .nfa_size_limit(Some(64 << 20))
                .hybrid_cache_capacity(16 << 20),
        )
        .build_many(patterns)
}

/// Replaces each `{{name}}` with its definition.
fn expand_defs(pattern: &str, defs: &BTreeMap<String, String>) -> Result<String, String> {
    let mut out = String::with_capacity(pattern.len());
    let mut rest = pattern;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        let close = after.find("}}").ok_or("unclosed `{{` in pattern")?;
        let name = &after[..close];
        let def = defs
            .get(name)
            .ok_or_else(|| format!("unknown definition `{{{{{name}}}}}`"))?;
        out.push_str(def);
        rest = &after[close + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

pub(crate) fn line_of(source: &str, offset: usize) -> usize {
    source
        .get(..offset)
        .map(|s| s.bytes().filter(|&b| b == b'\n').count() + 1)
        .unwrap_or(0)
}

pub(crate) fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or("").trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_pattern_names_file_and_line() {
        let src = "[[rule]]\nid = \"x\"\ntype = \"NAME\"\npattern = '(unclosed'\n";
        match RuleSet::compile("t.toml", src) {
            Err(RuleError::Invalid { file, line, .. }) => {
                assert_eq!(file, "t.toml");
                assert_eq!(line, 4);
            }
            other => panic!("unexpected {:?}", other.err()),
        }
    }

    #[test]
    fn unknown_type_and_unknown_key_are_refused() {
        let src = "[[rule]]\nid = \"x\"\ntype = \"NOPE\"\npattern = 'a'\n";
        assert!(matches!(
            RuleSet::compile("t", src),
            Err(RuleError::Invalid { line: 3, .. })
        ));
        let src = "[[rule]]\nid = \"x\"\ntype = \"NAME\"\npattern = 'a'\ncolour = 1\n";
        assert!(matches!(
            RuleSet::compile("t", src),
            Err(RuleError::Syntax { .. })
        ));
    }

    #[test]
    fn defs_expand_and_unknown_defs_fail() {
        let mut defs = BTreeMap::new();
        defs.insert("d".to_string(), "\\d+".to_string());
        assert_eq!(expand_defs("a{{d}}b", &defs).as_deref(), Ok("a\\d+b"));
        assert!(expand_defs("{{zz}}", &defs).is_err());
        assert!(expand_defs("{{d", &defs).is_err());
    }
}
