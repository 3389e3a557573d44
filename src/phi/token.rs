//! The token grammar: how a token is written and how one is recognised.
//!
//! A token is a type prefix ([`PhiType::token_prefix`]), an underscore and ten characters of
//! Crockford's base32 alphabet (`NAME_KBTZQMXRHD`). Minting (the keyed HMAC behind the ten
//! characters) is `transform::token`'s; detection (tokens are not PHI), the shape check and
//! reveal all read tokens through this one module, so the grammar cannot drift between them.
//!
//! New tokens are written with the alphabet's 19 consonants only ([`MINT_ALPHABET`]): no
//! digit and no vowel, so no age, date, phone, ZIP or ID fragment and no name can appear
//! inside a token. A check for leaks on the outbound side (an auditor's `grep` for a
//! patient's age `96` or initials, a DLP scanner's digit patterns) then never matches a
//! token. Tokens minted before (any Crockford character, `NAME_7K3F9Q2MXA`) are still
//! recognised and revealed: the grammar reads the whole alphabet.

use std::sync::OnceLock;

use regex::Regex;

use super::PhiType;

/// Number of characters after the prefix.
pub const TOKEN_CHARS: usize = 10;

/// Crockford's base32 alphabet: no I, L, O or U, so tokens survive being read aloud. The
/// grammar accepts all of it (tokens minted before the consonant alphabet).
const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// The characters new tokens are written with: Crockford's consonants without `Y` (it
/// reads as a vowel in names such as `Wynn`). 19^10 is about 2^42.5 tokens per type; a
/// collision takes the next attempt (`vault`), so the space bounds nothing but retries.
pub const MINT_ALPHABET: &[u8; 19] = b"BCDFGHJKMNPQRSTVWXZ";

/// Writes a token from its prefix and the first 64 bits of a MAC, as ten base-19 digits
/// of those bits (the modulo bias, 19^10 against 2^64, is below one in a million).
pub fn format_token(prefix: &str, mac: &[u8]) -> String {
    let mut bits = mac
        .iter()
        .take(8)
        .fold(0u64, |bits, &b| bits << 8 | u64::from(b));
    let base = MINT_ALPHABET.len() as u64;
    let mut body = [0u8; TOKEN_CHARS];
    for slot in body.iter_mut() {
        // Below 19, so the conversion cannot fail.
        let digit = usize::try_from(bits % base).unwrap_or(0);
        *slot = MINT_ALPHABET[digit];
        bits /= base;
    }
    let mut out = String::with_capacity(prefix.len() + 1 + TOKEN_CHARS);
    out.push_str(prefix);
    out.push('_');
    out.extend(body.iter().map(|&b| char::from(b)));
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

/// Whether `s` is a token as this gateway writes them now: a type's prefix, an underscore
/// and ten characters of [`MINT_ALPHABET`], as plain ASCII. What the outbound side spares
/// as already safe: a token-shaped string with a digit or a vowel in its body
/// (`PHONE_4135550172`) may be a value dressed as a token, so it is read like any text
/// (a legacy token among them is tokenised once more, which keeps nothing out).
pub fn looks_minted(s: &str) -> bool {
    let Some((prefix, body)) = s.split_once('_') else {
        return false;
    };
    PhiType::ALL.iter().any(|t| t.token_prefix() == prefix)
        && body.len() == TOKEN_CHARS
        && body.bytes().all(|b| MINT_ALPHABET.contains(&b))
}

/// The pattern that finds tokens as [`looks_minted`] reads them, in text: what the
/// outbound detector spares.
pub fn minted_token_pattern() -> Option<&'static Regex> {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    RE.get_or_init(|| {
        let prefixes: Vec<&str> = PhiType::ALL.iter().map(|t| t.token_prefix()).collect();
        let alphabet = std::str::from_utf8(MINT_ALPHABET).ok()?;
        let pattern = format!(
            r"(?:{})_[{alphabet}]{{{TOKEN_CHARS}}}\b",
            prefixes.join("|")
        );
        Regex::new(&pattern).ok()
    })
    .as_ref()
}

/// Whether `s` holds a string in the shape [`minted_token_pattern`] finds: a value a
/// reader would otherwise keep as written (a code, a key) is then read, so that only a
/// token the store issued is kept (red team 52, H24).
pub fn holds_minted(s: &str) -> bool {
    s.contains('_') && minted_token_pattern().is_none_or(|p| p.is_match(s))
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
    fn minted_tokens_hold_no_digit_and_no_vowel() {
        let mut seen = std::collections::HashSet::new();
        for i in 0u32..2000 {
            let mac = ring::digest::digest(&ring::digest::SHA256, &i.to_be_bytes());
            let t = format_token("AGE", mac.as_ref());
            let body = &t["AGE_".len()..];
            assert!(looks_like_token(&t), "{t}");
            assert!(
                body.bytes().all(|b| MINT_ALPHABET.contains(&b)),
                "{t} has a digit or a vowel"
            );
            seen.insert(t);
        }
        // Different MACs give different tokens (no bits dropped by the conversion).
        assert_eq!(seen.len(), 2000);
    }

    #[test]
    fn only_tokens_of_the_mint_alphabet_are_spared_outbound() {
        assert!(looks_minted("PHONE_JTVJWWJZVD"));
        assert!(
            !looks_minted("PHONE_4135550172"),
            "a phone dressed as a token"
        );
        assert!(!looks_minted("SSN_0512473306"));
        assert!(!looks_minted("NAME_THACKERAYR"), "vowels");
        assert!(!looks_minted("PAID_JTVJWWJZVD"), "no such type");
        let re = minted_token_pattern().expect("pattern");
        assert!(re.is_match("see PHONE_JTVJWWJZVD."));
        assert!(!re.is_match("call PHONE_4135550172 now"));
        assert!(!re.is_match("MRN_MR44108270"));
    }

    #[test]
    fn tokens_minted_with_the_old_alphabet_are_still_tokens() {
        assert!(looks_like_token("NAME_7K3F9Q2MXA"));
        let text = "see NAME_7K3F9Q2MXA and AGE_96ZZ00ZZ12.";
        let found: Vec<&str> = pattern().find_iter(text).map(|m| m.as_str()).collect();
        assert_eq!(found, ["NAME_7K3F9Q2MXA", "AGE_96ZZ00ZZ12"]);
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
