//! How a FHIR reference (or a resource's `id`) splits into the parts kept as written and the
//! ids replaced by tokens. Only shapes FHIR defines keep anything: a local `#id`, a
//! `urn:uuid:`/`urn:oid:` URN, `Type/id` with `Type` one of FHIR's resource types (and its
//! `/_history/version`), an absolute URL ending that way, and a bare id. Any other string is
//! one opaque id, replaced whole: a prefix nobody recognised (`Thackeray/123`) is data the
//! sender wrote, so it is not kept just because it sits before a slash.
//!
//! [`pseudonymise`] writes a reference with its ids replaced; the JSON and the FHIR XML
//! walkers share it ([`Tokens`]), so `Patient/123` gets the same token in either form.

use super::json::{identifier_type, keep_shaped};
use super::ScanError;
use crate::phi::PhiType;

/// What pseudonymising a reference needs of the walker it runs in.
pub(crate) trait Tokens {
    /// Whether `word` is one of FHIR's resource types.
    fn is_resource_type(&self, word: &str) -> bool;
    /// The token of a bare id (counted as an ID).
    fn id_token(&mut self, id: &str) -> Result<String, ScanError>;
    /// `s` read as free text.
    fn scan_text(&mut self, s: &str) -> Result<String, ScanError>;
    /// `value` replaced as a field of type `ty` is.
    fn field_value(&mut self, ty: PhiType, value: &str) -> Result<String, ScanError>;
}

/// `Patient/123`, `urn:uuid:…`, `http://x/fhir/Patient/123`, `#contained`: the id part
/// becomes a token of the bare id, so a resource's `id` and every reference to it agree.
/// Only the shapes [`parse`] knows keep a prefix; any other reference is replaced whole,
/// and a search or text with blanks is read as text.
pub(crate) fn pseudonymise(w: &mut impl Tokens, s: &str) -> Result<String, ScanError> {
    if let Some(out) = conditional(w, s)? {
        return Ok(out);
    }
    match parse(s, |t| w.is_resource_type(t)) {
        // A `urn:uuid:` must hold a UUID to be read at all (a transaction's `fullUrl`
        // and the references to it): the token is written in a UUID's shape.
        Reference::Id { prefix, id } if prefix.eq_ignore_ascii_case("urn:uuid:") => {
            let token = w.id_token(id)?;
            Ok(format!("{prefix}{}", uuid_shaped(id, &token)))
        }
        Reference::Id { prefix, id } => Ok(format!("{prefix}{}", w.id_token(id)?)),
        Reference::Typed {
            base,
            kind,
            id,
            version,
        } => {
            // The base (`http://host/fhir/`) is scanned, without its last slash, which
            // a URL token would take in: hosts can be PHI.
            let base = match base.strip_suffix('/') {
                Some(url) => format!("{}/", w.scan_text(url)?),
                None => String::new(),
            };
            let id = w.id_token(id)?;
            Ok(match version {
                Some(v) => format!("{base}{kind}/{id}/_history/{}", w.id_token(v)?),
                None => format!("{base}{kind}/{id}"),
            })
        }
        Reference::Opaque => w.id_token(s),
        Reference::Text => w.scan_text(s),
    }
}

/// A conditional reference by identifier (`Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|9999963294`,
/// as Synthea links encounters to practitioners and organisations): the type and the
/// system are kept, the value replaced as that resource's identifier is (an NPI as a
/// licence, a patient's as an MRN), so the token matches the one in the resource.
/// `None` for any other shape.
fn conditional(w: &mut impl Tokens, s: &str) -> Result<Option<String>, ScanError> {
    let Some((ty, system, value)) = conditional_parts(s, |t| w.is_resource_type(t)) else {
        return Ok(None);
    };
    let system = if keep_shaped(system) {
        system.to_string()
    } else {
        w.scan_text(system)?
    };
    let value = w.field_value(identifier_type(Some(ty)), value)?;
    Ok(Some(format!("{ty}?identifier={system}|{value}")))
}

/// The resource type, system and value of a conditional reference by identifier.
fn conditional_parts(s: &str, is_type: impl Fn(&str) -> bool) -> Option<(&str, &str, &str)> {
    let (ty, rest) = s.split_once("?identifier=")?;
    let (system, value) = rest.rsplit_once('|')?;
    (is_type(ty) && !value.is_empty() && !rest.contains('&')).then_some((ty, system, value))
}

/// Whether [`pseudonymise`] reads `s` as free text (a search, a text with blanks), not as
/// a reference whose ids it replaces.
pub(crate) fn reads_as_text(s: &str, is_type: impl Fn(&str) -> bool) -> bool {
    conditional_parts(s, &is_type).is_none() && parse(s, is_type) == Reference::Text
}

/// A UUID in the shape RFC 4122 gives a random one (version 4), made from the token `token`
/// of `id` (the token's digest: keyed as the token is, the same wherever the id is); `id`
/// itself when the policy kept it.
fn uuid_shaped(id: &str, token: &str) -> String {
    if token == id {
        return token.to_string();
    }
    let d = ring::digest::digest(&ring::digest::SHA256, token.as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&d.as_ref()[..16]);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

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
