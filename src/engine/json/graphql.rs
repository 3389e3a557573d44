//! GraphQL requests inside the JSON walker: `variables` typed by the argument each is bound
//! to in the operation (`patients(name: $n, age: $a)` makes `$n` a name and `$a` an age).
//!
//! Every GraphQL client sends arguments this way (`{"query": "…", "variables": {"n": …}}`)
//! with variable names the client made up (`$n`, `$v1`), so the keys of `variables` say
//! nothing; read alone they are unknown keys and a bare `93` or a lower-case name crosses
//! (red team 55, J13). The operation's own text is read as text, as before.

use rustc_hash::FxHashMap;
use serde_json::{Map, Value};

use super::{ScanError, Walker};

/// The argument name each variable is bound to (`name: $n` → `n` ↦ `name`). A variable
/// bound to two different arguments takes the first; definitions (`($n: String)`) are no
/// bindings.
pub(super) fn bindings(query: &str) -> FxHashMap<String, String> {
    let mut out = FxHashMap::default();
    let b = query.as_bytes();
    for (at, _) in query.match_indices('$') {
        let var_end = at + 1 + b[at + 1..].iter().take_while(|c| is_name_byte(**c)).count();
        if var_end == at + 1 {
            continue;
        }
        let before = query[..at].trim_end();
        let Some(before) = before.strip_suffix(':') else {
            continue;
        };
        let before = before.trim_end();
        let arg_start = before
            .bytes()
            .rposition(|c| !is_name_byte(c))
            .map_or(0, |i| i + 1);
        let arg = &before[arg_start..];
        if arg.is_empty() {
            continue;
        }
        out.entry(query[at + 1..var_end].to_string())
            .or_insert_with(|| arg.to_string());
    }
    out
}

fn is_name_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

impl Walker<'_, '_, '_> {
    /// Walks a GraphQL request's `variables`, each under the name of the argument it is
    /// bound to, then gives the variables their own names back.
    pub(super) fn walk_variables(
        &mut self,
        vars: &mut Map<String, Value>,
        bound: &FxHashMap<String, String>,
        resource: Option<&str>,
    ) -> Result<(), ScanError> {
        // A variable named like another's argument (`$n` bound to `name` beside a `$name`)
        // keeps its own name: two variables must never become one key.
        let own: rustc_hash::FxHashSet<String> = vars.keys().cloned().collect();
        let mut renamed = Map::new();
        let mut back: FxHashMap<String, String> = FxHashMap::default();
        for (var, x) in std::mem::take(vars) {
            let name = match bound.get(&var) {
                Some(arg) if !renamed.contains_key(arg) && !own.contains(arg) => arg.clone(),
                _ => var.clone(),
            };
            back.insert(name.clone(), var);
            renamed.insert(name, x);
        }
        // The server checks each variable against its argument's type: a number stays one.
        let outer = std::mem::replace(&mut self.typed_numbers, true);
        let walked = self.walk_object(&mut renamed, Some("variables"), resource, None);
        self.typed_numbers = outer;
        walked?;
        for (name, x) in renamed {
            let var = back.get(&name).cloned().unwrap_or(name);
            vars.insert(var, x);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_are_bound_to_the_arguments_that_use_them() {
        let b = bindings(
            "query($n:String,$z:String,$a:Int){patients(name:$n, zip : $z,age:$a){id} other(age: $a)}",
        );
        assert_eq!(b.get("n").map(String::as_str), Some("name"));
        assert_eq!(b.get("z").map(String::as_str), Some("zip"));
        assert_eq!(b.get("a").map(String::as_str), Some("age"));
        assert_eq!(b.len(), 3);
    }
}
