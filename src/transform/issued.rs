//! Token-shaped strings the store did not issue: values dressed as tokens (red team 52, H24).
//!
//! Owns [`IssuedTokens`], a transformer's answers to "did the store issue this token?",
//! and [`unissued`], the spans of a text's token-shaped strings that it did not. The
//! detector spares every string in the mint alphabet's token shape (`PHONE_BBGQXFPTRK`),
//! since a token is not PHI; but ten characters of that alphabet carry about 42 bits,
//! enough to spell a phone number, an SSN or a date in base 19, so a sender could pass any
//! value through dressed as a token. Outbound, only tokens the store holds (or this
//! document's walk just minted) are kept; any other is a value and is tokenised like one.
//!
//! Each distinct token-shaped string costs one store read per transformer (the gateway
//! makes one per request; `scan` one per run); the answers are kept here. Without a vault
//! (`scan` with no `--vault`) the store is the run's memory, so only tokens minted in this
//! run are kept, and a document de-identified by an earlier run has its tokens tokenised
//! again: nothing is kept that this process cannot vouch for.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::batch::Pending;
use super::policy::Action;
use super::token::{TokenError, TokenStore};
use crate::phi::{PhiType, Span};

/// Answers kept before the cache starts again empty (a bound on memory whatever the
/// traffic; starting again costs only store reads).
const MAX_ANSWERS: usize = 1 << 14;

/// What the store answered for each token-shaped string met so far. Shared by a
/// transformer and the batching transformers it makes, so a document walked twice asks
/// once.
#[derive(Clone, Default)]
pub struct IssuedTokens(Arc<Mutex<HashMap<String, bool>>>);

impl IssuedTokens {
    /// Whether `store` issued `token`, asking it only the first time.
    pub(super) fn issued(&self, store: &dyn TokenStore, token: &str) -> Result<bool, TokenError> {
        if let Some(&known) = self.0.lock().map_err(|_| TokenError::Poisoned)?.get(token) {
            return Ok(known);
        }
        let answer = store.issued(token)?;
        let mut map = self.0.lock().map_err(|_| TokenError::Poisoned)?;
        if map.len() >= MAX_ANSWERS {
            map.clear();
        }
        map.insert(token.to_string(), answer);
        Ok(answer)
    }
}

/// The spans of `text`'s token-shaped strings that neither the document's batch nor the
/// store issued, each typed by its prefix when `action` tokenises that type, otherwise as
/// an identifier (a `DATE_…` under a policy that keeps dates would keep the 42 bits).
pub(super) fn unissued(
    text: &str,
    store: &dyn TokenStore,
    pending: Option<&Pending>,
    answers: &IssuedTokens,
    action: impl Fn(PhiType) -> Action,
) -> Result<Vec<Span>, TokenError> {
    let mut out = Vec::new();
    if !text.contains('_') {
        return Ok(out);
    }
    let Some(pattern) = crate::phi::token::minted_token_pattern() else {
        return Ok(out);
    };
    for m in pattern.find_iter(text) {
        let token = m.as_str();
        if pending.is_some_and(|p| p.holds_token(token)) || answers.issued(store, token)? {
            continue;
        }
        let ty = prefix_type(token)
            .filter(|ty| action(*ty) == Action::Token)
            .unwrap_or(PhiType::Id);
        out.push(Span {
            start: m.start(),
            end: m.end(),
            ty,
        });
    }
    Ok(out)
}

/// The type whose prefix a token-shaped string carries.
fn prefix_type(token: &str) -> Option<PhiType> {
    let (prefix, _) = token.rsplit_once('_')?;
    PhiType::ALL
        .iter()
        .copied()
        .find(|t| t.token_prefix() == prefix)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::MasterKey;
    use crate::transform::token::{MemoryTokenStore, TokenRequest};

    #[test]
    fn only_tokens_the_store_issued_are_spared() {
        let store = MemoryTokenStore::new(&MasterKey::from_bytes([7; 32]), "");
        let issued = store
            .tokenize(
                &[TokenRequest {
                    ty: PhiType::Phone,
                    value: "413-555-0172",
                }],
                false,
            )
            .expect("tokenize")
            .remove(0);
        // 4135550172 in base 19 over the mint alphabet: a phone dressed as a token.
        let text = format!("cb {issued}, on file PHONE_BBGQXFPTRK and DATE_BBBBKXNDQQ.");
        let answers = IssuedTokens::default();
        let safe_harbor = |ty| match ty {
            PhiType::Date => Action::Generalize,
            _ => Action::Token,
        };
        let spans = unissued(&text, &store, None, &answers, safe_harbor).expect("spans");
        let found: Vec<(&str, PhiType)> = spans
            .iter()
            .map(|s| (&text[s.start..s.end], s.ty))
            .collect();
        assert_eq!(
            found,
            [
                ("PHONE_BBGQXFPTRK", PhiType::Phone),
                // Dates are generalised, not tokenised: an identifier then.
                ("DATE_BBBBKXNDQQ", PhiType::Id),
            ]
        );
        // Asked once: the answers are kept.
        assert_eq!(answers.0.lock().expect("lock").len(), 3);
    }

    #[test]
    fn the_prefix_names_the_type() {
        assert_eq!(prefix_type("PHONE_BBGQXFPTRK"), Some(PhiType::Phone));
        assert_eq!(prefix_type("NAME_BBGQXFPTRK"), Some(PhiType::Name));
        assert_eq!(prefix_type("NOPE_BBGQXFPTRK"), None);
    }
}
