//! Tokens: the grammar, value normalisation, and the store interface behind them.
//!
//! Owns how a (type, value) pair becomes a token (`NAME_KBTZQMXRHD`: a type prefix and ten
//! Crockford base32 characters of a keyed HMAC), how values are normalised first so that
//! `Maria Lopez` and `MARIA  LOPEZ` share a token, and the [`TokenStore`] trait that the
//! persistent vault implements. [`MemoryTokenStore`] is the process-local store used when no
//! vault is configured.

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::Hasher as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use ring::hmac;
use ring::rand::SecureRandom as _;
use rustc_hash::FxHashMap;
use siphasher::sip128::{Hasher128 as _, SipHasher24};

use crate::keys::{MasterKey, Purpose};
use crate::memory::{Memory, Remembered};
use crate::phi::token::format_token;
use crate::phi::PhiType;

// The grammar lives with the types; these names stay here for the stores and walkers.
pub use crate::phi::token::{looks_like_token, TOKEN_CHARS};

/// One value to tokenise.
#[derive(Clone, Copy, Debug)]
pub struct TokenRequest<'a> {
    pub ty: PhiType,
    pub value: &'a str,
}

/// A value of a document's batch with what was computed for it when its provisional token
/// was written ([`TokenStore::prepare`]), so the commit does not compute it again: the token
/// input (the normalised value, [`token_input`]) and the first-attempt token, both made by
/// one store's minter. Fields are private and only [`TokenMinter::prepare`] and
/// [`Prepared::guessed`] make one, so the token input always belongs to the value and mode.
#[derive(Clone)]
pub struct Prepared {
    ty: PhiType,
    value: String,
    exact: bool,
    /// The provisional token written into the document.
    token: String,
    /// What the minter computed, when a minter prepared the value (a store that only
    /// guesses leaves it out).
    minted: Option<Minted>,
}

/// The work behind a prepared value's first-attempt token.
#[derive(Clone)]
struct Minted {
    /// The token input ([`token_input`]).
    input: String,
    /// The id of the minter that made it.
    minter: u64,
    /// The whole keyed hash of the type and token input (the token keeps only part of it):
    /// with the minter's id it names the value without holding it, so a memory of what a
    /// value looked up ([`crate::vault`]'s recent look-ups, the audit's subject hashes) can
    /// be keyed by it instead of by a keyed hash of its own.
    tag: [u8; TAG_LEN],
}

/// Length of a [`Minted`] tag (HMAC-SHA256).
pub const TAG_LEN: usize = 32;

impl Prepared {
    /// A provisional token a store guessed, with nothing else computed.
    pub fn guessed(ty: PhiType, value: &str, exact: bool, token: String) -> Prepared {
        Prepared {
            ty,
            value: value.to_string(),
            exact,
            token,
            minted: None,
        }
    }

    pub fn ty(&self) -> PhiType {
        self.ty
    }

    pub fn value(&self) -> &str {
        &self.value
    }

    /// The provisional token written into the document.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// The value's normalised form ([`normalize`]), when it was computed already: the token
    /// input of a non-exact value is exactly that (the audit's subject hash reads it).
    pub fn normalized(&self) -> Option<&str> {
        match (&self.minted, self.exact) {
            (Some(m), false) => Some(&m.input),
            _ => None,
        }
    }

    /// The id of the minter that prepared the value and the whole keyed hash behind its
    /// first attempt, when a minter did: equal for two prepared values only when their type,
    /// mode and token input are (up to an HMAC-SHA256 collision), under the same key.
    pub fn minted_tag(&self) -> Option<(u64, &[u8; TAG_LEN])> {
        self.minted.as_ref().map(|m| (m.minter, &m.tag))
    }

    /// The plain request, for a store that takes nothing prepared.
    pub fn request(&self) -> TokenRequest<'_> {
        TokenRequest {
            ty: self.ty,
            value: &self.value,
        }
    }
}

/// A value a token stands for.
#[derive(Clone, PartialEq, Eq)]
pub struct Revealed {
    pub ty: PhiType,
    pub value: String,
}

impl std::fmt::Debug for Revealed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The value is PHI: never print it.
        write!(f, "Revealed({}, <{} bytes>)", self.ty, self.value.len())
    }
}

/// Why a store could not hand out or look up tokens. Never carries a value.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// The store failed. Its error is kept as the source, so whoever logs this walks the
    /// cause chain (`source()`, or anyhow's `{:#}`) down to the store's own reason (a full
    /// disk, a refused connection). Boxed because this module sits below the stores and
    /// must not name their error types; stores never put a value or a key in an error.
    #[error("token store unavailable")]
    Store(#[source] Box<dyn std::error::Error + Send + Sync + 'static>),
    /// A failure with no underlying error to keep, described in words.
    #[error("token store unavailable: {0}")]
    Unavailable(String),
    #[error("token store lock poisoned")]
    Poisoned,
}

impl TokenError {
    /// A store's failure, kept whole as the cause.
    pub fn store(e: impl std::error::Error + Send + Sync + 'static) -> TokenError {
        TokenError::Store(Box::new(e))
    }
}

/// Where tokens come from. Implementations must make a mapping durable before returning
/// its token ("durable before forwarded"), and must be safe to call from many threads.
pub trait TokenStore: Send + Sync {
    /// Tokens for a batch of values from one patient's document, in order: `patient` is the
    /// document's patient key (`DocContext::patient_key`), `None` for a document without one.
    /// A store that can forget a patient keeps these mappings under that patient's own key;
    /// one that cannot ignores it. `exact` skips normalisation so the original bytes can be
    /// restored (the `reversible` policy).
    fn tokenize_for(
        &self,
        patient: Option<&str>,
        batch: &[TokenRequest<'_>],
        exact: bool,
    ) -> Result<Vec<String>, TokenError>;

    /// [`TokenStore::tokenize_for`] a document without a patient.
    fn tokenize(&self, batch: &[TokenRequest<'_>], exact: bool) -> Result<Vec<String>, TokenError> {
        self.tokenize_for(None, batch, exact)
    }

    /// The value behind a token, if this store minted it.
    fn reveal(&self, token: &str) -> Result<Option<Revealed>, TokenError>;

    /// Whether this store issued `token` (it holds a mapping under it), without revealing
    /// or recording anything: the outbound side keeps a token-shaped string only when the
    /// store issued it, since any other is a value dressed as a token (red team 52, H24).
    /// The default asks [`TokenStore::reveal`]; a store that can answer from its index
    /// alone does so, and a store that records reveals must answer without recording.
    fn issued(&self, token: &str) -> Result<bool, TokenError> {
        Ok(self.reveal(token)?.is_some())
    }

    /// The token this store would most likely hand out for a value (its minter's first
    /// attempt), computed without touching storage, or `None` (the default) for a store
    /// that does not offer it. A document is rewritten with these and the store written
    /// once per document ([`crate::transform::batch`]); the tokens the store then returns
    /// are compared with them, so a guess that was wrong (a collision resolved by a later
    /// attempt) is never forwarded. A store answering `None` is asked value by value.
    fn provisional(&self, _ty: PhiType, _value: &str, _exact: bool) -> Option<String> {
        None
    }

    /// [`TokenStore::provisional`] with what was computed to make it kept for the commit
    /// ([`TokenStore::tokenize_prepared`]). The default keeps only the guessed token; a
    /// store whose provisional token is its minter's first attempt answers
    /// [`TokenMinter::prepare`], and a store that wraps another passes this on.
    fn prepare(&self, ty: PhiType, value: &str, exact: bool) -> Option<Prepared> {
        self.provisional(ty, value, exact)
            .map(|token| Prepared::guessed(ty, value, exact, token))
    }

    /// [`TokenStore::tokenize_for`] a batch of prepared values, with the same answer and
    /// the same contract: a store may reuse what its own minter prepared instead of
    /// computing it again. The default asks [`TokenStore::tokenize_for`].
    fn tokenize_prepared(
        &self,
        patient: Option<&str>,
        batch: &[&Prepared],
        exact: bool,
    ) -> Result<Vec<String>, TokenError> {
        let plain: Vec<TokenRequest<'_>> = batch.iter().map(|p| p.request()).collect();
        self.tokenize_for(patient, &plain, exact)
    }

    /// The patient memory ([`crate::memory`]) that any of a document's patient keys
    /// reaches, or a new empty one under the first key; `None` (the default) for a store
    /// that keeps no memory.
    fn open_memory(&self, _patients: &[&str]) -> Result<Option<Memory>, TokenError> {
        Ok(None)
    }

    /// Adds forms to a memory opened by [`TokenStore::open_memory`] and links the
    /// document's patient keys that did not reach it yet.
    fn extend_memory(
        &self,
        _memory: &Memory,
        _new: &[(u64, Remembered)],
    ) -> Result<(), TokenError> {
        Ok(())
    }
}

/// Computes tokens from a key; shared by every store so they all agree.
pub struct TokenMinter {
    key: hmac::Key,
    /// Tells this minter's [`Prepared`] values from another's (another key or domain), so
    /// a first attempt is only reused by the minter that made it.
    id: u64,
    /// First-attempt tags already computed.
    memo: TagMemo,
}

/// How many tags a [`TagMemo`] keeps (about 80 bytes each); when full it starts again
/// empty, a bound on memory whatever the traffic.
const TAG_MEMO_CAPACITY: usize = 32 * 1024;

/// The first-attempt tags a minter computed, by a 128-bit keyed hash (SipHash-2-4) of the
/// type and token input: every FHIR webhook repeats its patient's name, MRN and phone, and
/// the SipHash of a short value costs a small part of its HMAC-SHA256. It holds keyed
/// hashes only, never a value. Its key is random, made with the minter and never stored,
/// so the memo means nothing outside this process and ends with the minter (and so with
/// the minter's key). Two values share a name only by a 128-bit collision under a secret
/// key.
struct TagMemo {
    /// `None` when the system gave no random key: then nothing is remembered.
    key: Option<(u64, u64)>,
    map: Mutex<FxHashMap<u128, [u8; TAG_LEN]>>,
}

impl TagMemo {
    fn new() -> TagMemo {
        let mut k = [0u8; 16];
        let key = ring::rand::SystemRandom::new().fill(&mut k).ok().map(|()| {
            let (a, b) = k.split_at(8);
            let word = |h: &[u8]| u64::from_le_bytes(h.try_into().unwrap_or_default());
            (word(a), word(b))
        });
        TagMemo {
            key,
            map: Mutex::default(),
        }
    }

    /// What a (type, token input) is remembered under; `None` without a key.
    fn name(&self, ty: PhiType, input: &str) -> Option<u128> {
        let (k0, k1) = self.key?;
        let mut h = SipHasher24::new_with_keys(k0, k1);
        h.write(ty.as_str().as_bytes());
        h.write(b"\0");
        h.write(input.as_bytes());
        Some(h.finish128().into())
    }

    /// The tag remembered under `name`; a poisoned lock is a miss.
    fn get(&self, name: u128) -> Option<[u8; TAG_LEN]> {
        self.map.lock().ok()?.get(&name).copied()
    }

    fn remember(&self, name: u128, tag: [u8; TAG_LEN]) {
        let Ok(mut map) = self.map.lock() else {
            return;
        };
        if map.len() >= TAG_MEMO_CAPACITY {
            map.clear();
        }
        map.insert(name, tag);
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.map.lock().map_or(0, |m| m.len())
    }
}

/// The next [`TokenMinter`] id: unique within the process.
static NEXT_MINTER: AtomicU64 = AtomicU64::new(1);

impl TokenMinter {
    pub fn new(master: &MasterKey, domain: &str) -> TokenMinter {
        TokenMinter {
            key: master.derive(Purpose::Token, domain).hmac(),
            id: NEXT_MINTER.fetch_add(1, Ordering::Relaxed),
            memo: TagMemo::new(),
        }
    }

    /// The token for an already-normalised value; `attempt` > 0 resolves a collision.
    pub fn mint(&self, ty: PhiType, normalized: &str, attempt: u32) -> String {
        let tag = self.tag(ty, normalized, attempt);
        format_token(ty.token_prefix(), &tag)
    }

    /// The keyed hash a token is formatted from.
    fn tag(&self, ty: PhiType, normalized: &str, attempt: u32) -> [u8; TAG_LEN] {
        // Only first attempts are remembered: a later one resolves a collision, rarely.
        let name = (attempt == 0)
            .then(|| self.memo.name(ty, normalized))
            .flatten();
        if let Some(tag) = name.and_then(|n| self.memo.get(n)) {
            return tag;
        }
        let tag = self.keyed_hash(ty, normalized, attempt);
        if let Some(n) = name {
            self.memo.remember(n, tag);
        }
        tag
    }

    /// The HMAC-SHA256 a tag is, computed.
    fn keyed_hash(&self, ty: PhiType, normalized: &str, attempt: u32) -> [u8; TAG_LEN] {
        let mut ctx = hmac::Context::with_key(&self.key);
        ctx.update(ty.as_str().as_bytes());
        ctx.update(b"\0");
        ctx.update(normalized.as_bytes());
        if attempt > 0 {
            ctx.update(&attempt.to_be_bytes());
        }
        let mut tag = [0u8; TAG_LEN];
        tag.copy_from_slice(ctx.sign().as_ref());
        tag
    }

    /// This minter's id (unique within the process).
    pub fn id(&self) -> u64 {
        self.id
    }

    /// The whole keyed hash of a value it prepared in mode `exact`
    /// ([`Prepared::minted_tag`]); `None` for another minter's work or another mode.
    pub fn own_tag<'p>(&self, p: &'p Prepared, exact: bool) -> Option<&'p [u8; TAG_LEN]> {
        match p.minted_tag() {
            Some((id, tag)) if id == self.id && p.exact == exact => Some(tag),
            _ => None,
        }
    }

    /// The first-attempt token of a value as written (normalised here): what a store
    /// answers as [`TokenStore::provisional`].
    pub fn first(&self, ty: PhiType, value: &str, exact: bool) -> String {
        self.mint(ty, &token_input(ty, value, exact), 0)
    }

    /// The value's token input and first-attempt token, kept for the commit: what a store
    /// answers as [`TokenStore::prepare`] (its token is [`TokenMinter::first`]).
    pub fn prepare(&self, ty: PhiType, value: &str, exact: bool) -> Prepared {
        let input = token_input(ty, value, exact);
        let tag = self.tag(ty, &input, 0);
        Prepared {
            ty,
            value: value.to_string(),
            exact,
            token: format_token(ty.token_prefix(), &tag),
            minted: Some(Minted {
                input,
                minter: self.id,
                tag,
            }),
        }
    }

    /// The token input and first-attempt token of a prepared value, for a commit in mode
    /// `exact`: as prepared when this minter prepared it in that mode, computed afresh
    /// otherwise (a guess, or another minter's work, is never taken for this one's).
    pub fn reuse<'p>(&self, p: &'p Prepared, exact: bool) -> (Cow<'p, str>, Cow<'p, str>) {
        match &p.minted {
            Some(m) if m.minter == self.id && p.exact == exact => {
                (Cow::Borrowed(&m.input), Cow::Borrowed(&p.token))
            }
            _ => {
                let input = token_input(p.ty, &p.value, exact);
                let first = self.mint(p.ty, &input, 0);
                (Cow::Owned(input), Cow::Owned(first))
            }
        }
    }
}

/// What a value is hashed as: its canonical form, or for exact tokens (the `reversible`
/// policy) its exact spelling in a separate space, so the two kinds never share a token.
pub fn token_input(ty: PhiType, value: &str, exact: bool) -> String {
    if exact {
        format!("exact\0{value}")
    } else {
        normalize(ty, value)
    }
}

/// Canonical form of a value before hashing, so spelling variants share a token.
pub fn normalize(ty: PhiType, value: &str) -> String {
    match ty {
        PhiType::Phone | PhiType::Fax => {
            let d: String = value.chars().filter(char::is_ascii_digit).collect();
            if d.len() == 11 && d.starts_with('1') {
                d[1..].to_string()
            } else {
                d
            }
        }
        PhiType::Ssn | PhiType::Zip => value.chars().filter(char::is_ascii_digit).collect(),
        PhiType::Name | PhiType::ProviderName => normalize_name(value),
        PhiType::Email | PhiType::Url | PhiType::Ip => value.trim().to_lowercase(),
        PhiType::Mrn
        | PhiType::Account
        | PhiType::HealthPlan
        | PhiType::License
        | PhiType::Vehicle
        | PhiType::Device
        | PhiType::Biometric
        | PhiType::Id => value
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_uppercase())
            .collect(),
        PhiType::Address | PhiType::Location | PhiType::Date | PhiType::Age => value
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase(),
    }
}

/// `LOPEZ, MARIA` → `maria lopez`; `Mrs. Lopez` keeps its title out.
fn normalize_name(value: &str) -> String {
    let lower = value.to_lowercase();
    let ordered = match lower.split_once(',') {
        Some((last, first)) if !first.trim().is_empty() && !first.contains(',') => {
            format!("{} {}", first.trim(), last.trim())
        }
        _ => lower,
    };
    ordered
        .split(|c: char| c.is_whitespace())
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The process-local store: tokens are computed, mappings kept in memory for reveal.
pub struct MemoryTokenStore {
    minter: TokenMinter,
    map: Mutex<MemoryMap>,
}

impl MemoryTokenStore {
    pub fn new(master: &MasterKey, domain: &str) -> MemoryTokenStore {
        MemoryTokenStore {
            minter: TokenMinter::new(master, domain),
            map: Mutex::new(HashMap::new()),
        }
    }

    /// Number of distinct mappings held.
    pub fn len(&self) -> usize {
        self.map.lock().map(|m| m.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// What the store's map holds: token → (type, token input, value as written).
type MemoryMap = HashMap<String, (PhiType, String, String)>;

impl MemoryTokenStore {
    /// The token of one value, `first` being its first-attempt token: the mapping held,
    /// or a new one (a later attempt when `first` is another value's).
    fn hold(
        &self,
        map: &mut MemoryMap,
        ty: PhiType,
        value: &str,
        norm: &str,
        first: String,
    ) -> String {
        let mut token = first;
        let mut attempt = 0;
        loop {
            match map.get(&token) {
                Some((t, n, _)) if *t == ty && n == norm => return token,
                Some(_) => {
                    attempt += 1;
                    token = self.minter.mint(ty, norm, attempt);
                }
                None => {
                    map.insert(token.clone(), (ty, norm.to_string(), value.to_string()));
                    return token;
                }
            }
        }
    }
}

impl TokenStore for MemoryTokenStore {
    /// Patients are not kept apart: nothing here outlives the process to be forgotten.
    fn tokenize_for(
        &self,
        _patient: Option<&str>,
        batch: &[TokenRequest<'_>],
        exact: bool,
    ) -> Result<Vec<String>, TokenError> {
        let mut map = self.map.lock().map_err(|_| TokenError::Poisoned)?;
        let mut out = Vec::with_capacity(batch.len());
        for r in batch {
            let norm = token_input(r.ty, r.value, exact);
            let first = self.minter.mint(r.ty, &norm, 0);
            out.push(self.hold(&mut map, r.ty, r.value, &norm, first));
        }
        Ok(out)
    }

    /// Reuses each value's token input and first attempt from its provisional token.
    fn tokenize_prepared(
        &self,
        _patient: Option<&str>,
        batch: &[&Prepared],
        exact: bool,
    ) -> Result<Vec<String>, TokenError> {
        let mut map = self.map.lock().map_err(|_| TokenError::Poisoned)?;
        let mut out = Vec::with_capacity(batch.len());
        for p in batch {
            let (norm, first) = self.minter.reuse(p, exact);
            out.push(self.hold(&mut map, p.ty, &p.value, &norm, first.into_owned()));
        }
        Ok(out)
    }

    fn prepare(&self, ty: PhiType, value: &str, exact: bool) -> Option<Prepared> {
        Some(self.minter.prepare(ty, value, exact))
    }

    fn reveal(&self, token: &str) -> Result<Option<Revealed>, TokenError> {
        let map = self.map.lock().map_err(|_| TokenError::Poisoned)?;
        Ok(map.get(token).map(|(ty, _, original)| Revealed {
            ty: *ty,
            value: original.clone(),
        }))
    }

    fn provisional(&self, ty: PhiType, value: &str, exact: bool) -> Option<String> {
        Some(self.minter.first(ty, value, exact))
    }

    fn issued(&self, token: &str) -> Result<bool, TokenError> {
        let map = self.map.lock().map_err(|_| TokenError::Poisoned)?;
        Ok(map.contains_key(token))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> MemoryTokenStore {
        MemoryTokenStore::new(&MasterKey::from_bytes([1; 32]), "")
    }

    #[test]
    fn a_remembered_tag_is_the_keyed_hash() {
        let minter = TokenMinter::new(&MasterKey::from_bytes([7; 32]), "");
        let values = [
            (PhiType::Name, "maria lopez"),
            (PhiType::ProviderName, "maria lopez"),
            (PhiType::Mrn, "maria lopez"),
            (PhiType::Phone, "5551234567"),
            (PhiType::Phone, "5551234568"),
        ];
        // The first round computes and remembers, the second answers from the memo.
        for round in 0..2 {
            for (ty, v) in values {
                assert_eq!(
                    minter.tag(ty, v, 0),
                    minter.keyed_hash(ty, v, 0),
                    "round {round}: {ty} {v}"
                );
            }
        }
        assert_eq!(
            minter.memo.len(),
            values.len(),
            "one entry per type and value"
        );
        // A collision's later attempt is computed, never remembered.
        assert_eq!(
            minter.tag(PhiType::Name, "maria lopez", 1),
            minter.keyed_hash(PhiType::Name, "maria lopez", 1)
        );
        assert_ne!(
            minter.tag(PhiType::Name, "maria lopez", 1),
            minter.tag(PhiType::Name, "maria lopez", 0)
        );
        assert_eq!(minter.memo.len(), values.len());
        // Another minter of the same key remembers apart, and agrees.
        let other = TokenMinter::new(&MasterKey::from_bytes([7; 32]), "");
        assert_eq!(other.memo.len(), 0);
        assert_eq!(
            other.mint(PhiType::Name, "maria lopez", 0),
            minter.mint(PhiType::Name, "maria lopez", 0)
        );
    }

    #[test]
    fn tokens_are_typed_deterministic_and_normalised() {
        let s = store();
        let req = |v| TokenRequest {
            ty: PhiType::Name,
            value: v,
        };
        let t = s
            .tokenize(
                &[
                    req("Maria Lopez"),
                    req("MARIA  LOPEZ"),
                    req("Lopez, Maria"),
                    req("Ana Ruiz"),
                ],
                false,
            )
            .expect("tokens");
        assert_eq!(t[0], t[1]);
        assert_eq!(t[0], t[2]);
        assert_ne!(t[0], t[3]);
        assert!(t[0].starts_with("NAME_") && looks_like_token(&t[0]));
        assert_eq!(
            store()
                .tokenize(&[req("Maria Lopez")], false)
                .expect("tokens")[0],
            t[0]
        );
        let revealed = s.reveal(&t[0]).expect("reveal").expect("known");
        assert_eq!(revealed.value, "Maria Lopez");
        assert!(!format!("{revealed:?}").contains("Maria"));
    }

    #[test]
    fn phone_forms_share_a_token_and_types_do_not() {
        let s = store();
        let t = s
            .tokenize(
                &[
                    TokenRequest {
                        ty: PhiType::Phone,
                        value: "(555) 013-4567",
                    },
                    TokenRequest {
                        ty: PhiType::Phone,
                        value: "+1 555.013.4567",
                    },
                    TokenRequest {
                        ty: PhiType::Fax,
                        value: "(555) 013-4567",
                    },
                ],
                false,
            )
            .expect("tokens");
        assert_eq!(t[0], t[1]);
        assert_ne!(
            t[0][t[0].len() - TOKEN_CHARS..],
            t[2][t[2].len() - TOKEN_CHARS..]
        );
    }

    #[test]
    fn exact_mode_keeps_spelling_variants_apart() {
        let s = store();
        let req = |v| TokenRequest {
            ty: PhiType::Name,
            value: v,
        };
        let t = s
            .tokenize(&[req("Maria Lopez"), req("MARIA LOPEZ")], true)
            .expect("tokens");
        assert_ne!(t[0], t[1]);
        assert_eq!(
            s.reveal(&t[1]).expect("ok").expect("known").value,
            "MARIA LOPEZ"
        );
    }

    /// A spread of values: spelling variants, types whose normal forms differ.
    fn requests() -> Vec<TokenRequest<'static>> {
        [
            (PhiType::Name, "Lopez, Maria"),
            (PhiType::Name, "MARIA  LOPEZ"),
            (PhiType::Phone, "+1 (555) 013-4567"),
            (PhiType::Mrn, "mrx-55120"),
            (PhiType::Email, " Ada@Example.ORG "),
            (PhiType::Address, "12  Elm   St"),
        ]
        .into_iter()
        .map(|(ty, value)| TokenRequest { ty, value })
        .collect()
    }

    #[test]
    fn a_prepared_commit_answers_what_tokenize_for_answers() {
        for exact in [false, true] {
            let reqs = requests();
            let plain = store().tokenize(&reqs, exact).expect("tokens");
            let s = store();
            let prepared: Vec<Prepared> = reqs
                .iter()
                .map(|r| s.prepare(r.ty, r.value, exact).expect("prepared"))
                .collect();
            for (p, t) in prepared.iter().zip(&plain) {
                assert_eq!(p.token(), t, "the provisional token is the first attempt");
            }
            let refs: Vec<&Prepared> = prepared.iter().collect();
            assert_eq!(
                s.tokenize_prepared(None, &refs, exact).expect("tokens"),
                plain
            );
            let distinct: std::collections::HashSet<&String> = plain.iter().collect();
            assert_eq!(s.len(), distinct.len(), "each value held once");
            let revealed = s.reveal(&plain[0]).expect("ok").expect("known");
            assert_eq!(revealed.value, "Lopez, Maria");
        }
    }

    #[test]
    fn another_minters_or_modes_preparation_is_computed_again() {
        let reqs = requests();
        let other = MemoryTokenStore::new(&MasterKey::from_bytes([2; 32]), "");
        let s = store();
        for (prepared_exact, exact) in [(false, false), (true, false), (false, true)] {
            let foreign: Vec<Prepared> = reqs
                .iter()
                .map(|r| {
                    if prepared_exact == exact {
                        other.prepare(r.ty, r.value, exact).expect("prepared")
                    } else {
                        s.prepare(r.ty, r.value, prepared_exact).expect("prepared")
                    }
                })
                .collect();
            let refs: Vec<&Prepared> = foreign.iter().collect();
            let got = s.tokenize_prepared(None, &refs, exact).expect("tokens");
            assert_eq!(got, store().tokenize(&reqs, exact).expect("tokens"));
            assert!(got.iter().zip(&foreign).all(|(t, p)| t != p.token()));
        }
    }

    #[test]
    fn a_collision_on_the_first_attempt_still_takes_the_next() {
        let s = store();
        let p = s
            .prepare(PhiType::Name, "Ada Quill", false)
            .expect("prepared");
        // Another value already holds the first attempt's token.
        s.map.lock().expect("map").insert(
            p.token().to_string(),
            (PhiType::Name, "bo lark".into(), "Bo Lark".into()),
        );
        let got = s.tokenize_prepared(None, &[&p], false).expect("tokens");
        assert_eq!(got[0], s.minter.mint(PhiType::Name, "ada quill", 1));
        assert_ne!(got[0], p.token());
    }

    #[test]
    fn the_normalised_form_is_offered_only_where_it_is_the_token_input() {
        let s = store();
        let p = s
            .prepare(PhiType::Name, "Lopez, Maria", false)
            .expect("prepared");
        assert_eq!(p.normalized(), Some("maria lopez"));
        let exact = s
            .prepare(PhiType::Name, "Lopez, Maria", true)
            .expect("prepared");
        assert_eq!(exact.normalized(), None);
        let guessed = Prepared::guessed(PhiType::Name, "Lopez, Maria", false, "NAME_X".into());
        assert_eq!(guessed.normalized(), None);
    }

    #[test]
    fn token_shape() {
        assert!(looks_like_token("NAME_7K3F9Q2MXA"));
        assert!(!looks_like_token("NAME_7K3F9Q2MXI"));
        assert!(!looks_like_token("name_7K3F9Q2MXA"));
        assert!(!looks_like_token("NAME7K3F9Q2MXA"));
    }
}
