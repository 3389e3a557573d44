//! Lab units read as names (red team 52, H28).
//!
//! Owns one correction of the merged spans: a person or place detection that is exactly a
//! unit's atom written before its `/` (`TSH 2.1 mIU/L`, `insulin 10 mIU/mL`, `K 4.1 mEq/L`)
//! is the unit, no one's name. The atoms are matched as written (case and all), and only
//! right before a `/`: `Miu` alone may be a given name.

use super::Span;
use crate::phi::PhiType;

/// Unit atoms written before a `/` in lab values, as written: milli-, micro- and
/// international units, milliequivalents, millimoles and milliosmoles.
const ATOMS: [&str; 9] = [
    "mIU", "uIU", "IU", "mU", "uU", "mEq", "mmol", "umol", "mOsm",
];

/// Drops the NAME, PROVIDER_NAME and LOCATION spans of `spans` that are a unit's atom.
pub(crate) fn drop_lab_units(text: &str, spans: &mut Vec<Span>) {
    let b = text.as_bytes();
    spans.retain(|s| {
        !matches!(
            s.ty,
            PhiType::Name | PhiType::ProviderName | PhiType::Location
        ) || !is_unit_atom(text, b, s)
    });
}

fn is_unit_atom(text: &str, b: &[u8], s: &Span) -> bool {
    let Some(found) = text.get(s.start..s.end) else {
        return false;
    };
    // `mIU/L`: the `/` and a letter of the volume's unit right after the atom.
    let per = b.get(s.end) == Some(&b'/') && b.get(s.end + 1).is_some_and(u8::is_ascii_alphabetic);
    per && ATOMS.contains(&found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kept(text: &str, word: &str) -> bool {
        let start = text.find(word).expect("word in text");
        let mut spans = vec![Span {
            start,
            end: start + word.len(),
            ty: PhiType::Name,
        }];
        drop_lab_units(text, &mut spans);
        !spans.is_empty()
    }

    #[test]
    fn a_unit_atom_before_its_slash_is_no_name() {
        assert!(!kept("TSH 2.1 mIU/L today", "mIU"));
        assert!(!kept("hCG <5 mIU/mL", "mIU"));
        assert!(!kept("K 4.1 mEq/L", "mEq"));
    }

    #[test]
    fn the_same_letters_elsewhere_stay() {
        assert!(kept("seen with Miu today", "Miu"));
        assert!(kept("mIU noted", "mIU"));
        assert!(kept("Miu/Lee families", "Miu"));
    }
}
