//! The token grammar: how a token is written and how one is recognised.
//!
//! A token is a type prefix ([`PhiType::token_prefix`]), an underscore and ten characters of
//! Crockford base32 (`NAME_7K3F9Q2MXA`). Minting (the keyed HMAC behind the ten characters)
//! is `transform::token`'s; detection (tokens are not PHI), the shape check and reveal all
//! read tokens through this one module, so the grammar cannot drift between them.

use std::sync::OnceLock;

use regex::Regex;

use super::PhiType;

/// Number of base32 characters after the prefix (50 bits).
pub const TOKEN_CHARS: usize = 10;

/// Crockford's base32 alphabet: no I, L, O or U, so tokens survive being read aloud.
const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Writes a token from its prefix and the first 64 bits of a MAC (the top 50 are used).
pub fn format_token(prefix: &str, mac: &[u8]) -> String {
    let bits = mac
        .iter()
        .take(8)
        .fold(0u64, |bits, &b| bits << 8 | u64::from(b));
    let mut out = String::with_capacity(prefix.len() + 1 + TOKEN_CHARS);
    out.push_str(prefix);
    out.push('_');
    for i in 0..TOKEN_CHARS {
        let idx = (bits >> (64 - 5 * (i + 1))) & 31;
        out.push(char::from(CROCKFORD[idx as usize]));
    }
    out
}

/// Whether `s` has the token shape (prefix, underscore, ten base32 characters).
pub fn looks_like_token(s: &str) -> bool {
    let Some((prefix, body)) = s.split_once('_') else {
        return false;
    };
    !prefix.is_empty()
        && prefix.bytes().all(|b| b.is_ascii_uppercase())
        && body.len() == TOKEN_CHARS
        && body.bytes().all(|b| CROCKFORD.contains(&b))
}

/// The one pattern that finds tokens of every type in text (built from the type prefixes).
///
/// A token may be glued to the text before it (`idMRN_…`, or `nPHONE_…` after a literal
/// `\n`): the prefixes are a closed set, so nothing is required before one. The first
/// prefix found is the longest; reveal tries the shorter ones it ends with (`ZIP` ends
/// with `IP`) when the text is glued. After the ten characters, nothing of a word may follow.
pub fn token_pattern() -> Option<&'static Regex> {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    RE.get_or_init(|| {
        let prefixes: Vec<&str> = PhiType::ALL.iter().map(|t| t.token_prefix()).collect();
        let pattern = format!(
            r"(?:{})_[0-9A-HJKMNP-TV-Z]{{{TOKEN_CHARS}}}\b",
            prefixes.join("|")
        );
        Regex::new(&pattern).ok()
    })
    .as_ref()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern() -> &'static Regex {
        token_pattern().expect("the token pattern compiles")
    }

    #[test]
    fn written_tokens_are_recognised_by_both_checks() {
        for ty in PhiType::ALL {
            let t = format_token(ty.token_prefix(), &[0xA5; 32]);
            assert!(looks_like_token(&t), "{t}");
            let text = format!("see {t}.");
            let found = pattern().find(&text).map(|m| m.as_str());
            assert_eq!(found, Some(t.as_str()));
        }
    }

    #[test]
    fn near_misses_are_not_tokens() {
        assert!(looks_like_token("NAME_7K3F9Q2MXA"));
        for s in [
            "NAME_7K3F9Q2MX",
            "NAME_7K3F9Q2MXI",
            "name_7K3F9Q2MXA",
            "_7K3F9Q2MXA",
        ] {
            assert!(!looks_like_token(s), "{s}");
        }
        assert!(pattern().find("NAME_7K3F9Q2MXAB").is_none());
        assert_eq!(
            pattern().find("xZIP_7K3F9Q2MXA").map(|m| m.as_str()),
            Some("ZIP_7K3F9Q2MXA")
        );
    }
}
