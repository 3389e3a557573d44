//! Roles a greeting names, read as people (stop 59; general_v8's letters, 17 false
//! positives on its dev seed).
//!
//! Owns the list of words a salutation greets that name no one (`Dear Sir,`, `Hello
//! Colleagues,`, `Dear Valued Customer,`) and one correction of the merged spans: a person
//! detection that is only such a word, right after a greeting, goes. `Sir` is in the
//! given-name list (a few thousand people are named so), so several readings took it; the
//! correction is made once, after all of them, rather than in each.

use super::Span;
use crate::phi::PhiType;

/// Words a letter greets that name no one (`Dear Sir,`, `Dear Colleagues,`, `Dear Valued
/// Customer,` ends on one too), lower case.
pub(crate) const SALUTATION_ROLES: [&[u8]; 30] = [
    b"sir",
    b"sirs",
    b"madam",
    b"madame",
    b"colleague",
    b"colleagues",
    b"team",
    b"all",
    b"everyone",
    b"customer",
    b"customers",
    b"friend",
    b"friends",
    b"member",
    b"members",
    b"guest",
    b"guests",
    b"patient",
    b"patients",
    b"parent",
    b"parents",
    b"applicant",
    b"candidate",
    b"doctor",
    b"neighbour",
    b"neighbours",
    b"neighbor",
    b"neighbors",
    b"client",
    b"committee",
];

/// Greetings before a salutation's role, lower case.
const GREETINGS: [&str; 6] = ["dear", "hello", "hi", "hey", "morning", "afternoon"];

/// Drops each person span that is only a salutation's role (`Sir`, `Madam`) right after a
/// greeting (`Dear Sir or Madam`, `Hello Sir,`).
pub(crate) fn drop_greeted_roles(text: &str, spans: &mut Vec<Span>) {
    spans.retain(|s| {
        if !matches!(s.ty, PhiType::Name | PhiType::ProviderName) {
            return true;
        }
        let Some(found) = text.get(s.start..s.end) else {
            return true;
        };
        !(is_role(found) && greeted_before(&text[..s.start]))
    });
}

fn is_role(word: &str) -> bool {
    let w = word.trim().to_ascii_lowercase();
    SALUTATION_ROLES.contains(&w.as_bytes())
}

/// `before` ends with a greeting and a blank (`Dear `, `Good morning `).
fn greeted_before(before: &str) -> bool {
    let Some(rest) = before.strip_suffix(|c: char| c == ' ' || c == '\t') else {
        return false;
    };
    let last = rest
        .rsplit(|c: char| !c.is_alphabetic())
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    GREETINGS.contains(&last.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kept(text: &str, word: &str) -> bool {
        let start = text.find(word).unwrap_or(0);
        let mut spans = vec![Span {
            start,
            end: start + word.len(),
            ty: PhiType::Name,
        }];
        drop_greeted_roles(text, &mut spans);
        !spans.is_empty()
    }

    #[test]
    fn a_greeted_role_is_no_person() {
        assert!(!kept("Dear Sir or Madam,\nI write", "Sir"));
        assert!(!kept("Hello Sir, how are you", "Sir"));
        assert!(!kept("Good morning Colleagues,", "Colleagues"));
    }

    #[test]
    fn a_greeted_person_and_an_ungreeted_role_stay() {
        assert!(kept("Dear Mats,\nWe are pleased", "Mats"));
        assert!(kept("Sir Walter arrived", "Sir"));
        assert!(kept("met with Sir today", "Sir"));
    }
}
