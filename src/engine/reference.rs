//! How a FHIR reference (or a resource's `id`) splits into the parts kept as written and the
//! ids replaced by tokens. Only shapes FHIR defines keep anything: a local `#id`, a
//! `urn:uuid:`/`urn:oid:` URN, `Type/id` with `Type` one of FHIR's resource types (and its
//! `/_history/version`), an absolute URL ending that way, and a bare id. Any other string is
//! one opaque id, replaced whole: a prefix nobody recognised (`Thackeray/123`) is data the
//! sender wrote, so it is not kept just because it sits before a slash.

/// The shape of one reference string.
#[derive(Debug, PartialEq, Eq)]
pub enum Reference<'a> {
    /// `123`, `#contained-1`, `urn:uuid:…`: `prefix` is kept (`""`, `#`, the URN scheme).
    Id { prefix: &'a str, id: &'a str },
    /// `[base]Type/id[/_history/version]`. `base` (empty, or an absolute URL up to its last
    /// `/`) is scanned as text, since hosts can be PHI; `kind` is a resource type.
    Typed {
        base: &'a str,
        kind: &'a str,
        id: &'a str,
        version: Option<&'a str>,
    },
    /// Anything else with no blank and no `?`: replaced whole.
    Opaque,
    /// A search (`Patient?name=…`) or text with blanks: read as free text.
    Text,
}

const URN_PREFIXES: [&str; 2] = ["urn:uuid:", "urn:oid:"];

/// Splits `s`; `is_type` says whether a word is a FHIR resource type.
pub fn parse<'a>(s: &'a str, is_type: impl Fn(&str) -> bool) -> Reference<'a> {
    if s.is_empty() || s.contains('?') || s.contains(char::is_whitespace) {
        return Reference::Text;
    }
    if let Some(id) = s.strip_prefix('#') {
        return id_or_opaque("#", id);
    }
    if let Some(p) = URN_PREFIXES.iter().find(|p| starts_with_ignore_case(s, p)) {
        return id_or_opaque(&s[..p.len()], &s[p.len()..]);
    }
    if !s.contains(['/', ':', '#']) {
        return Reference::Id { prefix: "", id: s };
    }
    typed(s, is_type).unwrap_or(Reference::Opaque)
}

fn id_or_opaque<'a>(prefix: &'a str, id: &'a str) -> Reference<'a> {
    if id.is_empty() || id.contains(['/', ':', '#']) {
        Reference::Opaque
    } else {
        Reference::Id { prefix, id }
    }
}

/// `[base]Type/id` or `[base]Type/id/_history/version`, where a non-empty base must be an
/// absolute URL (`scheme://host/path/`).
fn typed<'a>(s: &'a str, is_type: impl Fn(&str) -> bool) -> Option<Reference<'a>> {
    let (head, version) = match s.rsplit_once("/_history/") {
        Some((head, v)) if plain_id(v) => (head, Some(v)),
        Some(_) => return None,
        None => (s, None),
    };
    let (rest, id) = head.rsplit_once('/')?;
    let (base, kind) = match rest.rsplit_once('/') {
        Some((b, k)) => (&rest[..b.len() + 1], k),
        None => ("", rest),
    };
    let base_ok = base.is_empty() || (base.contains("://") && !base.contains('#'));
    (plain_id(id) && is_type(kind) && base_ok).then_some(Reference::Typed {
        base,
        kind,
        id,
        version,
    })
}

fn plain_id(s: &str) -> bool {
    !s.is_empty() && !s.contains(['/', ':', '#'])
}

fn starts_with_ignore_case(s: &str, prefix: &str) -> bool {
    s.get(..prefix.len())
        .is_some_and(|h| h.eq_ignore_ascii_case(prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Reference<'_> {
        parse(s, |t| matches!(t, "Patient" | "Practitioner" | "Encounter"))
    }

    #[test]
    fn shapes_fhir_defines_keep_their_prefix() {
        assert_eq!(
            p("123"),
            Reference::Id {
                prefix: "",
                id: "123"
            }
        );
        assert_eq!(
            p("#c1"),
            Reference::Id {
                prefix: "#",
                id: "c1"
            }
        );
        assert_eq!(
            p("urn:uuid:0f1e-22"),
            Reference::Id {
                prefix: "urn:uuid:",
                id: "0f1e-22"
            }
        );
        assert_eq!(
            p("Patient/123"),
            Reference::Typed {
                base: "",
                kind: "Patient",
                id: "123",
                version: None
            }
        );
        assert_eq!(
            p("https://ehr.example/fhir/Encounter/9/_history/2"),
            Reference::Typed {
                base: "https://ehr.example/fhir/",
                kind: "Encounter",
                id: "9",
                version: Some("2")
            }
        );
    }

    #[test]
    fn anything_else_is_one_opaque_id() {
        for s in [
            "Thackeray/123",
            "Zorblatt/Patient/123",
            "Patient/123/extra",
            "Patient/123/_history/",
            "Patient/",
            "mailto:ann@example.org",
            "urn:uuid:",
            "#a/b",
            "x#y",
        ] {
            assert_eq!(p(s), Reference::Opaque, "{s}");
        }
        assert_eq!(p("Patient?name=Ann"), Reference::Text);
        assert_eq!(p("Ann Smith"), Reference::Text);
    }
}
