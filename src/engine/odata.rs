//! OData `$filter` expressions in a query or form: each literal typed by the property it is
//! compared with (`LastName eq 'vukovljevic'` makes the literal a name, `Zip eq '01085'` a
//! ZIP), through the same key rules as a JSON key or a form field.
//!
//! Epic, Dynamics and SAP health APIs search this way; read as text, a lower-case surname or
//! a bare ZIP in quotes says nothing and crossed (red team 55, J13). What no property types
//! is left for the text reading that follows, as before.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use super::fields::{normalize_key, Field, FieldRules};
use crate::phi::PhiType;

/// `Property op literal` and `fn(Property, literal)`; a property may be a path
/// (`Address/PostalCode`), a literal quoted (`''` inside is a quote) or a bare number/date.
static COMPARISON: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?xi)
        (?P<prop>[A-Za-z_][\w/.]*) \s+ (?:eq|ne|gt|ge|lt|le|has|in) \s+ \(?\s*
            (?P<lit>'(?:[^']|'')*'|[0-9][0-9:.TZ+-]*)
        | (?:contains|startswith|endswith|indexof|matchespattern) \s*\(\s*
            (?P<fprop>[A-Za-z_][\w/.]*) \s*,\s* (?P<flit>'(?:[^']|'')*')
        | substringof \s*\(\s* (?P<slit>'(?:[^']|'')*') \s*,\s* (?P<sprop>[A-Za-z_][\w/.]*)",
    )
    .unwrap_or_else(|e| panic!("the OData comparison pattern compiles: {e}"))
});

/// Whether a query key names an OData filter (`$filter`, `filter` behind a proxy that
/// strips the dollar).
pub fn is_filter_key(key: &str) -> bool {
    matches!(
        key.trim_start_matches('$').to_ascii_lowercase().as_str(),
        "filter"
    )
}

/// The literals of `expr` a property types: byte range of the literal's text (inside its
/// quotes) and the type.
pub fn typed_literals(expr: &str, fields: &FieldRules) -> Vec<(Range<usize>, PhiType)> {
    let mut out = Vec::new();
    for c in COMPARISON.captures_iter(expr) {
        let pair = [("prop", "lit"), ("fprop", "flit"), ("sprop", "slit")]
            .iter()
            .find_map(|(p, l)| Some((c.name(p)?, c.name(l)?)));
        let Some((prop, lit)) = pair else {
            continue;
        };
        let name = prop.as_str().rsplit(['/', '.']).next().unwrap_or("");
        let Field::Phi(ty) = fields.generic(&normalize_key(name), None) else {
            continue;
        };
        let quoted = lit.as_str().starts_with('\'');
        let range = if quoted {
            lit.start() + 1..lit.end() - 1
        } else {
            lit.range()
        };
        if !range.is_empty() {
            out.push((range, ty));
        }
    }
    out
}
