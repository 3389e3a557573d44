//! FHIR resources written as XML (`application/fhir+xml`, namespace `http://hl7.org/fhir`):
//! what each element's `value` attribute holds, by the same field rules as FHIR JSON
//! (`patterns/fields.toml` `[fhir]`).
//!
//! FHIR's XML form keeps every primitive in a `value` attribute (`<given value="Tam"/>`).
//! The CDA rules read `@value` as a time stamp and scan anything else, so a nickname, a
//! four-digit postcode or a lower-case surname that no detector reads crossed as written
//! (red team 58, R7). Here an element's name and its parent's are the JSON path's last two
//! keys (`name.given`, `address.postalCode`, `telecom.value`, `identifier.value`): a field
//! the JSON rules type is typed in XML too, and a field they leave to be read is read as
//! before (never kept on their word alone). The siblings FHIR writes before a value say
//! what it is, as the members of a JSON object do: a telecom's `system` (phone, fax,
//! e-mail, URL) and a reference's target (whom its `display` names). A resource's `id` and
//! every reference to it become tokens as in FHIR JSON, so the forms agree.

use super::{Action, RawAttr};
use crate::engine::fields::{normalize_key, Field, FieldRules};
use crate::engine::json::{contact_type, display_type, identifier_type, is_years_unit};
use crate::phi::PhiType;

/// FHIR's XML namespace.
const NAMESPACE: &str = "http://hl7.org/fhir";

/// Whether a root element's attributes put it in FHIR's namespace, as the default
/// namespace or under a prefix.
pub(super) fn declares_fhir(attrs: &[RawAttr<'_>]) -> bool {
    attrs.iter().any(|a| {
        (a.name == "xmlns" || a.name.starts_with("xmlns:")) && a.raw_value.trim() == NAMESPACE
    })
}

/// What the children of one element read so far say about the `value` of a later one.
#[derive(Clone, Copy, Default)]
pub(super) struct Siblings {
    /// A telecom's `system`, as the type its `value` is.
    contact: Option<PhiType>,
    /// What a reference's `display` names, once its `reference` is read.
    display: Option<Field>,
    /// Where the tag of a `value` child was read (its index among the document's items):
    /// a quantity writes its number before its unit.
    number: Option<usize>,
}

impl Siblings {
    /// Notes child `local` (its tag to be item `at`, its `value` attribute `value`) for a
    /// quantity's unit: the item of the number before it, when this child is a `unit` or a
    /// `code` in years (`<value value="93"/><unit value="years"/>`). FHIR writes the number
    /// first, so an age over 89 is known only at its unit (FHIR JSON reads the object
    /// whole: `is_years_quantity`).
    pub(super) fn years_number(&mut self, local: &str, value: &str, at: usize) -> Option<usize> {
        match local {
            "value" => {
                self.number = Some(at);
                None
            }
            "unit" | "code" if is_years_unit(value) => self.number.take(),
            _ => None,
        }
    }

    /// Notes child `local`, whose `value` attribute is `value`, of element `parent`.
    pub(super) fn note(&mut self, local: &str, value: &str, parent: Option<&str>) {
        match local {
            "system" => self.contact = Some(contact_type(value.trim(), "")),
            "reference" => {
                let parent = parent.map(normalize_key);
                self.display = Some(display_type(value, parent.as_deref()));
            }
            _ => {}
        }
    }
}

/// The action FHIR's field rules give the `value` attribute of the last element of `names`
/// (the open elements' local names), whose parent's children so far are `siblings`:
/// a PHI type, or for an identifier's or a coding's `system` [`Action::System`] (an OID URN
/// or a listed terminology is kept; the scan made `urn:oid:…` and `http://loinc.org`
/// identifiers and masked them). Other `keep` fields (`gender`, `status`, `language`) are
/// read as before: JSON passes them unread, but a code test would keep a short record
/// number or a ZIP written there. `None` where the XML rules decide, as before.
pub(super) fn value_action(
    keys: &FieldRules,
    names: &[&str],
    siblings: Option<&Siblings>,
    value: &str,
) -> Option<Action> {
    let field = field(keys, names);
    match field {
        Field::Keep => {
            return match names.last() {
                Some(&"system") => Some(Action::System),
                Some(&"contentType") => Some(Action::ContentType),
                _ => None,
            }
        }
        Field::Attachment => return Some(Action::Attachment),
        // A transaction's `request.url` that is a resource type alone (`Patient`) names no id.
        Field::Reference if keys.is_resource_type(value.trim()) => return Some(Action::Scan),
        Field::ResourceId | Field::Reference => return Some(Action::Reference),
        _ => {}
    }
    match value_type(field, keys, names, siblings, value)? {
        PhiType::Age => Some(Action::AgeQuantity),
        ty => Some(Action::Phi(ty)),
    }
}

/// The field rule of the last element of `names`, by its parent.
fn field(keys: &FieldRules, names: &[&str]) -> Field {
    let Some((local, above)) = names.split_last() else {
        return Field::Scan;
    };
    let parent = above.last().map(|p| normalize_key(p));
    keys.fhir(&normalize_key(local), parent.as_deref())
}

/// The PHI type `field`, the rule of the last element of `names`, gives its `value`.
fn value_type(
    field: Field,
    keys: &FieldRules,
    names: &[&str],
    siblings: Option<&Siblings>,
    value: &str,
) -> Option<PhiType> {
    let (local, above) = names.split_last()?;
    let key = normalize_key(local);
    let parent = above.last().map(|p| normalize_key(p));
    let resource = above
        .iter()
        .rev()
        .find(|n| keys.is_resource_type(n))
        .copied();
    let siblings = siblings.copied().unwrap_or_default();
    match field {
        Field::Phi(ty) => Some(ty),
        Field::Contact => Some(match siblings.contact {
            Some(ty) if !value.contains('@') => ty,
            _ => contact_type("", value),
        }),
        Field::Identifier => Some(identifier_type(resource)),
        Field::Display => {
            match siblings
                .display
                .unwrap_or_else(|| display_type("", parent.as_deref()))
            {
                Field::Phi(ty) => Some(ty),
                _ => None,
            }
        }
        // An Organization's or a Location's own name is a facility, as in JSON.
        Field::Scan
            if key == "name"
                && above.last() == resource.as_ref()
                && matches!(resource, Some("Organization" | "Location")) =>
        {
            Some(PhiType::Location)
        }
        _ => None,
    }
}
