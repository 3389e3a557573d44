//! Transforms: rewriting detected PHI according to a policy.
//!
//! Owns turning a text and its spans into de-identified text: its tokens (from the store,
//! or from the document's pending batch), then token, redact, generalize, date_shift, mask
//! or keep per span. Which action applies is the [`policy::Policy`]'s decision; how tokens
//! are made is [`token`]'s; when the store is written is [`batch`]'s.
//!
//! # Layout
//! - [`policy`]: policy files.
//! - [`token`]: token grammar, normalisation, the `TokenStore` interface.
//! - [`batch`]: a document's values written to the store once, after its walk.
//! - [`date`]: date parsing, generalisation and shifting.
//! - [`issued`]: token-shaped strings the store did not issue, read as values.

pub mod batch;
pub mod date;
pub mod issued;
pub mod policy;
pub mod token;

use std::collections::HashSet;

use ring::hmac;

use crate::keys::{MasterKey, Purpose};
use crate::phi::PhiType;
use crate::phi::Span;
use batch::{Committed, Pending};
use issued::IssuedTokens;
use policy::{Action, Policy};
use token::{TokenError, TokenRequest, TokenStore};

/// Applies a policy; one per (policy, store, key) combination, shared across threads.
pub struct Transformer<'a> {
    pub policy: &'a Policy,
    store: &'a dyn TokenStore,
    date_key: hmac::Key,
    zip3_restricted: &'a HashSet<String>,
    /// The document's batch while [`Transformer::with_batch`] walks it: tokens then come
    /// from it and the store is written once, after the walk.
    pending: Option<&'a Pending>,
    /// What the store answered about token-shaped strings met so far ([`issued`]).
    issued: IssuedTokens,
}

/// Per-document facts the transforms need.
#[derive(Default, Clone)]
pub struct DocContext {
    /// Whose record this is, for a consistent date shift and for the vault's per-patient
    /// keys (`vault forget`); `None` shifts by a document-wide default offset and keeps
    /// tokens under the vault-wide key. `MRN:…`/`SSN:…` (a structured field, or a note's
    /// first MRN), `NAME:…` (a note's first name when it has no MRN) or `Patient/<id>`.
    pub patient_key: Option<String>,
}

/// The key date shifts are made with, derived from the token root. A derivation (HKDF)
/// costs as much as a few token HMACs, so whoever makes a transformer per request (the
/// gateway, twice a request) derives it once per key and hands it over.
#[derive(Clone)]
pub struct DateKey(hmac::Key);

impl DateKey {
    pub fn derive(master: &MasterKey) -> DateKey {
        DateKey(master.derive(Purpose::DateShift, "").hmac())
    }
}

impl<'a> Transformer<'a> {
    pub fn new(
        policy: &'a Policy,
        store: &'a dyn TokenStore,
        master: &MasterKey,
        zip3_restricted: &'a HashSet<String>,
    ) -> Transformer<'a> {
        Transformer::with_date_key(policy, store, &DateKey::derive(master), zip3_restricted)
    }

    /// [`Transformer::new`] with the date key already derived.
    pub fn with_date_key(
        policy: &'a Policy,
        store: &'a dyn TokenStore,
        date_key: &DateKey,
        zip3_restricted: &'a HashSet<String>,
    ) -> Transformer<'a> {
        Transformer {
            policy,
            store,
            date_key: date_key.0.clone(),
            zip3_restricted,
            pending: None,
            issued: IssuedTokens::default(),
        }
    }

    /// Runs one document's `walk` with a batch: the walk writes provisional tokens, then
    /// the store is written once per patient of the document. `Ok(Some(out))` when the
    /// store holds every value under the token written (the output may be forwarded);
    /// `Ok(None)` when it answered some value with another token (a collision), and the
    /// caller must walk the document again without a batch; `Err` when the walk or the
    /// store failed, with nothing written for a failed walk. The batching transformer
    /// never leaves this function, so no output escapes uncommitted.
    pub fn with_batch<T, E: From<TokenError>>(
        &self,
        walk: impl FnOnce(&Transformer<'_>) -> Result<T, E>,
    ) -> Result<Option<T>, E> {
        let pending = Pending::default();
        let out = walk(&self.batching(&pending))?;
        match pending.commit(self.store, self.policy.exact_tokens)? {
            Committed::Confirmed => Ok(Some(out)),
            Committed::Differs => Ok(None),
        }
    }

    /// This transformer, taking its tokens from `pending`.
    fn batching<'b>(&'b self, pending: &'b Pending) -> Transformer<'b> {
        Transformer {
            policy: self.policy,
            store: self.store,
            date_key: self.date_key.clone(),
            zip3_restricted: self.zip3_restricted,
            pending: Some(pending),
            issued: self.issued.clone(),
        }
    }

    /// The spans of `text`'s token-shaped strings that this store did not issue (nor this
    /// document's walk mint): values dressed as tokens, to be rewritten like any value
    /// ([`issued`]). One store read per distinct string.
    pub fn unissued_tokens(&self, text: &str) -> Result<Vec<Span>, TokenError> {
        issued::unissued(text, self.store, self.pending, &self.issued, |ty| {
            self.action(ty)
        })
    }

    /// The token store, for what a document asks of it besides tokens (its patient's
    /// memory, [`crate::memory`]).
    pub fn store(&self) -> &'a dyn TokenStore {
        self.store
    }

    /// Rewrites `text`, replacing each span. Spans must be sorted and non-overlapping.
    pub fn apply(
        &self,
        text: &str,
        spans: &[Span],
        ctx: &DocContext,
    ) -> Result<String, TokenError> {
        let values: Vec<&str> = spans.iter().map(|s| &text[s.start..s.end]).collect();
        self.apply_read(text, spans, &values, ctx)
    }

    /// Rewrites `text`, replacing each span, where `values[i]` is how span `i` reads (its
    /// canonical view: `Ansel&#160;Whitcombe` reads `Ansel Whitcombe`). Generalisations
    /// are made from the reading, and so are tokens, so every spelling of a value gets one
    /// token; but exact tokens (the `reversible` policy) are made from the bytes as
    /// written, so reveal gives back `Ansel&#160;Whitcombe`, not its reading. The
    /// replacement covers exactly the bytes that were written. `keep` keeps the written
    /// bytes.
    pub fn apply_read(
        &self,
        text: &str,
        spans: &[Span],
        values: &[&str],
        ctx: &DocContext,
    ) -> Result<String, TokenError> {
        let written: Vec<&str>;
        let token_values = if self.policy.exact_tokens {
            written = spans.iter().map(|s| &text[s.start..s.end]).collect();
            &written
        } else {
            values
        };
        let tokens = self.tokens_for(spans, token_values, ctx)?;
        let mut tokens = tokens.into_iter();
        let mut out = String::with_capacity(text.len() + spans.len() * 8);
        let mut last = 0;
        for (s, value) in spans.iter().zip(values) {
            out.push_str(&text[last..s.start]);
            match self.action(s.ty) {
                Action::Token => out.push_str(&tokens.next().unwrap_or_default()),
                Action::Keep => out.push_str(&text[s.start..s.end]),
                action => self.rewrite(action, s.ty, value, ctx, &mut out),
            }
            last = s.end;
        }
        out.push_str(&text[last..]);
        Ok(out)
    }

    /// Rewrites one whole structured value of type `ty` (a JSON field, a form value). An
    /// age field under 90 (`45`, `45 years`) is no identifier under Safe Harbor and is kept
    /// as written; any other age value, one that does not read as a number included, is
    /// rewritten.
    pub fn apply_value(
        &self,
        ty: PhiType,
        value: &str,
        ctx: &DocContext,
    ) -> Result<String, TokenError> {
        if (ty == PhiType::Age && age_under_90(value)) || self.issued_token(value)? {
            return Ok(value.to_string());
        }
        self.rewrite_value(ty, value, ctx)
    }

    /// Whether a whole value is a token this store issued (or this document's walk
    /// minted): kept as it is wherever it stands, since it is no PHI, and a value
    /// de-identified twice (a retry, two gateways in a chain, a partner sending back what
    /// it received) must come out the same (red team 55, J32). Any other token-shaped
    /// string is a value dressed as a token and is rewritten (red team 52, H24).
    fn issued_token(&self, value: &str) -> Result<bool, TokenError> {
        let v = value.trim();
        // Cheap first: a token is a short prefix, `_` and ten characters.
        if v.len() > 24 || !v.contains('_') {
            return Ok(false);
        }
        let whole = crate::phi::token::minted_token_pattern()
            .and_then(|p| p.find(v))
            .is_some_and(|m| m.start() == 0 && m.end() == v.len());
        if !whole {
            return Ok(false);
        }
        Ok(self.pending.is_some_and(|p| p.holds_token(v)) || self.issued.issued(self.store, v)?)
    }

    /// [`Transformer::apply_value`] for a field its rules type as `ty`, counted in `counts`
    /// (by type) when it is rewritten: an age under 90 is kept and not counted, so a
    /// document's counts and audit line name only what was removed.
    pub fn apply_field(
        &self,
        ty: PhiType,
        value: &str,
        ctx: &DocContext,
        counts: &mut [usize],
    ) -> Result<String, TokenError> {
        if (ty == PhiType::Age && age_under_90(value)) || self.issued_token(value)? {
            return Ok(value.to_string());
        }
        counts[ty.index()] += 1;
        self.rewrite_value(ty, value, ctx)
    }

    fn rewrite_value(
        &self,
        ty: PhiType,
        value: &str,
        ctx: &DocContext,
    ) -> Result<String, TokenError> {
        self.apply(
            value,
            &[Span {
                start: 0,
                end: value.len(),
                ty,
            }],
            ctx,
        )
    }

    /// The action for a type; date shifting only applies to dates.
    pub fn action(&self, ty: PhiType) -> Action {
        match self.policy.action(ty) {
            Action::DateShift if ty != PhiType::Date => Action::Token,
            a => a,
        }
    }

    fn tokens_for<'v>(
        &self,
        spans: &[Span],
        values: &[&'v str],
        ctx: &DocContext,
    ) -> Result<Vec<String>, TokenError> {
        let batch: Vec<TokenRequest<'v>> = spans
            .iter()
            .zip(values)
            .filter(|(s, _)| self.action(s.ty) == Action::Token)
            .map(|(s, value)| TokenRequest { ty: s.ty, value })
            .collect();
        if batch.is_empty() {
            return Ok(Vec::new());
        }
        match self.pending {
            Some(pending) => self.pending_tokens(pending, &batch, ctx),
            None => self.stored_tokens(&batch, ctx),
        }
    }

    /// Tokens from the document's batch; values the store gives no provisional token for
    /// are asked of it directly (durable before they are used, as without a batch).
    fn pending_tokens(
        &self,
        pending: &Pending,
        batch: &[TokenRequest<'_>],
        ctx: &DocContext,
    ) -> Result<Vec<String>, TokenError> {
        let exact = self.policy.exact_tokens;
        let patient = ctx.patient_key.as_deref();
        let guessed: Vec<Option<String>> = batch
            .iter()
            .map(|r| pending.token(self.store, patient, r.ty, r.value, exact))
            .collect();
        let unguessed: Vec<TokenRequest<'_>> = batch
            .iter()
            .zip(&guessed)
            .filter(|(_, g)| g.is_none())
            .map(|(r, _)| *r)
            .collect();
        if unguessed.is_empty() {
            return Ok(guessed.into_iter().flatten().collect());
        }
        let mut stored = self.stored_tokens(&unguessed, ctx)?.into_iter();
        guessed
            .into_iter()
            .map(|g| g.or_else(|| stored.next()))
            .collect::<Option<Vec<String>>>()
            .ok_or_else(|| TokenError::Unavailable("token store returned a short batch".into()))
    }

    /// Tokens straight from the store: durable when they return.
    fn stored_tokens(
        &self,
        batch: &[TokenRequest<'_>],
        ctx: &DocContext,
    ) -> Result<Vec<String>, TokenError> {
        // The patient's key goes with the batch: a vault keeps the document's values under
        // that patient's own key, so they can be forgotten with the patient.
        let tokens =
            self.store
                .tokenize_for(ctx.patient_key.as_deref(), batch, self.policy.exact_tokens)?;
        // A store that answers short would leave values without a token: refuse instead.
        if tokens.len() != batch.len() {
            return Err(TokenError::Unavailable(
                "token store returned a short batch".into(),
            ));
        }
        Ok(tokens)
    }

    fn rewrite(
        &self,
        action: Action,
        ty: PhiType,
        value: &str,
        ctx: &DocContext,
        out: &mut String,
    ) {
        match action {
            Action::Keep => out.push_str(value),
            Action::Redact | Action::Token => redact(ty, out),
            Action::Mask => mask(value, out),
            Action::Generalize => self.generalize(ty, value, out),
            Action::DateShift => {
                match date::parse(value).and_then(|d| d.shift(self.shift_days(ctx))) {
                    Some(shifted) => out.push_str(&shifted),
                    // A date we cannot read cannot be shifted safely: remove it.
                    None => redact(ty, out),
                }
            }
        }
    }

    fn generalize(&self, ty: PhiType, value: &str, out: &mut String) {
        match ty {
            PhiType::Zip => match zip3_of(value) {
                Some(zip3) if !self.zip3_restricted.contains(&zip3) => out.push_str(&zip3),
                _ => out.push_str("000"),
            },
            PhiType::Date => match date::parse(value)
                .and_then(|d| d.year_only())
                .or_else(|| compact_year(value))
            {
                // A year that implies an age over 89 is itself identifying.
                Some(y) if y.parse::<i32>().is_ok_and(|y| y > current_year() - 90) => {
                    out.push_str(&y)
                }
                _ => redact(ty, out),
            },
            // HHS: ages over 89 aggregate into one category. Written without the digits 90,
            // so `age 90` does not survive as `age 90+`.
            PhiType::Age => out.push_str(AGE_AGGREGATE),
            _ => redact(ty, out),
        }
    }

    /// Days to shift this patient's dates: never zero, consistent for the same patient key.
    pub fn shift_days(&self, ctx: &DocContext) -> i64 {
        let key = ctx.patient_key.as_deref().unwrap_or("");
        let tag = hmac::sign(&self.date_key, key.as_bytes());
        let mut b = [0u8; 8];
        b.copy_from_slice(&tag.as_ref()[..8]);
        let max = u64::from(self.policy.date_shift_max_days);
        let magnitude = i64::try_from(u64::from_be_bytes(b) % max + 1).unwrap_or(1);
        if tag.as_ref()[8] & 1 == 0 {
            magnitude
        } else {
            -magnitude
        }
    }
}

/// An age over 89 as the generalising policy writes it in text.
pub const AGE_AGGREGATE: &str = "over 89";

/// The aggregated age where the slot must hold a number (a FHIR integer, a GraphQL `Int`,
/// a CDA quantity): the category's floor, 90 (documented convention; red team 55, J29).
pub fn age_in_number_slot(replacement: String) -> String {
    if replacement == AGE_AGGREGATE {
        "90".to_string()
    } else {
        replacement
    }
}

fn redact(ty: PhiType, out: &mut String) {
    out.push('[');
    out.push_str(ty.as_str());
    out.push(']');
}

/// Masks every letter and digit but the last four, keeping separators.
fn mask(value: &str, out: &mut String) {
    let total = value.chars().filter(|c| c.is_alphanumeric()).count();
    let mut seen = 0;
    for c in value.chars() {
        if c.is_alphanumeric() {
            seen += 1;
            out.push(if total - seen < 4 && total > 4 {
                c
            } else {
                '*'
            });
        } else {
            out.push(c);
        }
    }
}

fn current_year() -> i32 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    time::OffsetDateTime::from_unix_timestamp(i64::try_from(secs).unwrap_or(0))
        .map(|t| t.year())
        .unwrap_or(2026)
}

/// The year of an HL7 TS or X12-style compact date (`19610823`, `202612081030-0500`,
/// `20261208103000.123`) or of a year alone (`1961`): read so the year Safe Harbor keeps is
/// written as a TS of year precision, where `[DATE]` broke every HL7 receiver (red team 52,
/// H26). `None` for anything that is not a valid calendar date so written.
fn compact_year(value: &str) -> Option<String> {
    let v = value.trim();
    let digits = v.bytes().take_while(u8::is_ascii_digit).count();
    let (stamp, rest) = v.split_at(digits);
    let after_fraction = match rest.strip_prefix('.') {
        Some(r) => r.trim_start_matches(|c: char| c.is_ascii_digit()),
        None => rest,
    };
    let rest_is_ts = after_fraction.is_empty()
        || after_fraction
            .strip_prefix(['+', '-'])
            .is_some_and(|zone| zone.len() == 4 && zone.bytes().all(|b| b.is_ascii_digit()));
    let year: i32 = stamp.get(..4)?.parse().ok()?;
    let calendar = match stamp.len() {
        4 => true,
        8 | 10 | 12 | 14 => {
            let month: u32 = stamp[4..6].parse().ok()?;
            let day: u32 = stamp[6..8].parse().ok()?;
            (1..=12).contains(&month) && (1..=31).contains(&day)
        }
        _ => false,
    };
    (rest_is_ts && calendar && (1800..=2100).contains(&year)).then(|| year.to_string())
}

/// The first three digits of a ZIP code, read as written (`01085`, `01085-1234`,
/// `010851234`) or with the leading zero a spreadsheet or a JSON number dropped (`1085`,
/// `10851234`: red team 52, H19, where `108` went out, a prefix more specific than Safe
/// Harbor allows and not the one the small-population check must test). Any other count of
/// digits cannot say which prefix it is: `None`, and the caller writes `000`.
fn zip3_of(value: &str) -> Option<String> {
    let digits: String = value.chars().filter(char::is_ascii_digit).collect();
    let zip = match digits.len() {
        5 | 9 => digits,
        4 | 8 => format!("0{digits}"),
        _ => return None,
    };
    Some(zip[..3].to_string())
}

/// The restricted ZIP3 prefixes from `patterns/zip3-restricted.txt`.
pub fn parse_zip3_list(source: &str) -> HashSet<String> {
    source
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

/// `value` is an age field's number under 90, with at most a word for years after it
/// (`45`, `45.5`, ` 7 `, `45 years`, `45y`, `45 yrs old`), or an age band whose top is under
/// 90 (`65-74`, `65 – 74 years`, `18 to 64`, `<18`, `under 18`): nothing Safe Harbor
/// removes. An open band (`85+`, `>65`) or one reaching 90 (`85-94`) may hold an age over
/// 89, so it is not kept (an `Age group` of `65-74` became `over 89`).
pub fn age_under_90(value: &str) -> bool {
    let v = value.trim().to_ascii_lowercase();
    let v = without_years_word(&v);
    plain_age(v).is_some_and(|n| n < 90.0) || band_under_90(v)
}

/// `v` without a word for years at its end (`45 years`, `45y`, `65-74 yrs old`).
fn without_years_word(v: &str) -> &str {
    const WORDS: [&str; 9] = [
        "years old",
        "yrs old",
        "years",
        "year",
        "yrs",
        "yr",
        "y/o",
        "yo",
        "y",
    ];
    WORDS
        .iter()
        .find_map(|w| {
            v.strip_suffix(w)
                .filter(|rest| rest.ends_with(|c: char| c.is_ascii_digit() || c == ' '))
        })
        .map_or(v, str::trim_end)
}

/// A number of years written alone (`45`, `45.5`), not negative.
fn plain_age(v: &str) -> Option<f64> {
    let v = v.trim();
    let plain = !v.is_empty() && v.bytes().all(|c| c.is_ascii_digit() || c == b'.');
    plain.then(|| v.parse::<f64>().ok()).flatten()
}

/// An age band whose every age is under 90: `A-B` (any dash, or `to`) with `A <= B < 90`,
/// or below a bound of at most 90 (`<18`, `under 18`, `less than 18`, `<=89`).
fn band_under_90(v: &str) -> bool {
    for below in ["<=", "\u{2264}", "under ", "less than ", "below ", "<"] {
        if let Some(n) = v.strip_prefix(below).and_then(plain_age) {
            let inclusive = matches!(below, "<=" | "\u{2264}");
            return n > 0.0 && (n < 90.0 || (!inclusive && n <= 90.0));
        }
    }
    for dash in [" to ", "-", "\u{2013}", "\u{2014}"] {
        if let Some((low, high)) = v.split_once(dash) {
            return match (plain_age(low), plain_age(high)) {
                (Some(low), Some(high)) => low <= high && high < 90.0,
                _ => false,
            };
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transform::token::MemoryTokenStore;

    fn policy(src: &str) -> Policy {
        Policy::parse("test", src).expect("policy")
    }

    fn safe_harbor() -> Policy {
        policy(include_str!("../../patterns/policies/safe-harbor.toml"))
    }

    #[test]
    fn an_age_field_under_90_is_kept_and_any_other_value_is_not() {
        for kept in [
            "45",
            " 7 ",
            "89",
            "45.5",
            "45 years",
            "45y",
            "61 yrs old",
            "0",
            // Bands whose top is under 90.
            "65-74",
            "65 - 74",
            "65\u{2013}74 years",
            "18 to 64",
            "<18",
            "under 18",
            "<90",
            "<=89",
        ] {
            assert!(age_under_90(kept), "{kept}");
        }
        for rewritten in [
            "90",
            "93",
            "101",
            "93 years",
            "ninety-three",
            "",
            "45 kg",
            "-3",
            "4/5",
            // Open bands and bands reaching 90 may hold an age over 89.
            "85+",
            ">65",
            "85-94",
            "90-94",
            "74-65",
            "<=90",
            "<91",
            "65-",
            "-74",
        ] {
            assert!(!age_under_90(rewritten), "{rewritten}");
        }
    }

    #[test]
    fn safe_harbor_generalisations() {
        let master = MasterKey::from_bytes([3; 32]);
        let store = MemoryTokenStore::new(&master, "");
        let zips = parse_zip3_list(include_str!("../../patterns/zip3-restricted.txt"));
        let p = safe_harbor();
        let t = Transformer::new(&p, &store, &master, &zips);
        let ctx = DocContext::default();
        for (ty, value, expected) in [
            (PhiType::Zip, "02139-4307", "021"),
            (PhiType::Zip, "03601", "000"),
            // A leading zero lost to a spreadsheet or a JSON number (H19): 01085 → 010.
            (PhiType::Zip, "1085", "010"),
            (PhiType::Zip, "10851234", "010"),
            (PhiType::Zip, "010851234", "010"),
            // 3601 is 03601, a restricted prefix; a 3-digit value says no prefix.
            (PhiType::Zip, "3601", "000"),
            (PhiType::Zip, "108", "000"),
            (PhiType::Date, "03/14/2019", "2019"),
            (PhiType::Date, "7/22", "[DATE]"),
            // HL7 TS and compact dates keep their year as a TS of year precision (H26).
            (PhiType::Date, "19610823", "1961"),
            (PhiType::Date, "202612081030-0500", "2026"),
            (PhiType::Date, "20261208103000.123", "2026"),
            (PhiType::Date, "19310211", "[DATE]"),
            (PhiType::Date, "19611323", "[DATE]"),
            (PhiType::Date, "1961082", "[DATE]"),
            (PhiType::Date, "19610823x", "[DATE]"),
            (PhiType::Date, "03/14/1921", "[DATE]"),
            (PhiType::Age, "93", "over 89"),
            (PhiType::Ssn, "219-09-9999", "[SSN]"),
        ] {
            let out = t.apply_value(ty, value, &ctx).expect("ok");
            assert_eq!(out, expected, "{ty} {value}");
        }
    }

    #[test]
    fn date_shift_is_consistent_per_patient_and_keeps_intervals() {
        let master = MasterKey::from_bytes([3; 32]);
        let store = MemoryTokenStore::new(&master, "");
        let zips = HashSet::new();
        let p = safe_harbor().with_action(PhiType::Date, Action::DateShift);
        let t = Transformer::new(&p, &store, &master, &zips);
        let a = DocContext {
            patient_key: Some("MRN:1".into()),
        };
        let b = DocContext {
            patient_key: Some("MRN:2".into()),
        };
        let d1 = t.apply_value(PhiType::Date, "2024-03-01", &a).expect("ok");
        let d2 = t.apply_value(PhiType::Date, "2024-03-11", &a).expect("ok");
        assert_ne!(d1, "2024-03-01");
        let parse = |s: &str| {
            time::Date::parse(
                s,
                &time::macros::format_description!("[year]-[month]-[day]"),
            )
            .expect("date")
        };
        assert_eq!((parse(&d2) - parse(&d1)).whole_days(), 10);
        assert_eq!(t.shift_days(&a), t.shift_days(&a));
        assert_ne!(t.shift_days(&a), 0);
        assert_ne!(t.shift_days(&a), t.shift_days(&b));
    }

    #[test]
    fn mask_keeps_last_four() {
        let mut out = String::new();
        mask("219-09-9999", &mut out);
        assert_eq!(out, "***-**-9999");
    }
}
