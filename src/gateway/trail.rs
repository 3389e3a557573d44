//! What one request did, gathered for its audit entries: tokens handed out or looked up,
//! keyed hashes of the values behind them, and counts per PHI type.
//!
//! [`Recording`] wraps the vault for the length of a request; everything it notes for the
//! audit log is a token or a keyed hash. The one exception is the echo list: values revealed
//! to the clinic, kept in memory for the request so its answer cannot carry them out.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use zeroize::Zeroizing;

use crate::audit::{prepared_subject_hash, subject_hash, Action, AuditKeys, Event};
use crate::detect::learned::Learned;
use crate::engine::reveal::Allow;
use crate::memory::{Memory, Remembered};
use crate::phi::PhiType;
use crate::transform::token::{
    normalize, Prepared, Revealed, TokenError, TokenRequest, TokenStore,
};

use super::shield::{self, Shield};

/// The request's audit trail; shared with blocking workers.
#[derive(Default)]
pub struct Trail {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    caller: Option<String>,
    tokens: BTreeSet<String>,
    subjects: BTreeSet<String>,
    found: BTreeMap<&'static str, u64>,
    revealed: BTreeMap<&'static str, u64>,
    revealed_tokens: BTreeSet<String>,
    refused: BTreeMap<&'static str, u64>,
    refused_tokens: BTreeSet<String>,
    /// A claim decision: outcome and the finding codes.
    claim: Option<(String, String)>,
    /// A recorded remittance: its counts (`Summary::detail`).
    remit: Option<String>,
    /// Values revealed to the clinic in this request, held in memory (zeroized on drop)
    /// only until its answer has been de-identified; never part of an event.
    echo: Vec<(PhiType, Zeroizing<String>)>,
    /// The echo list's dictionary, built once and shared by every channel of the answer;
    /// dropped when a new value is revealed.
    echo_built: Option<Arc<Learned>>,
    /// Whether events were recorded before the body was forwarded ([`Trail::take_events`]).
    recorded: bool,
    /// On reidentify routes: what the caller sent in plain, so its answer cannot carry the
    /// vault's token of a guess ([`Shield`]).
    shield: Option<Arc<Shield>>,
    /// Values of the answer tokenised under the request's own key (for the audit entry).
    shielded: u64,
}

impl Trail {
    fn with<T>(&self, f: impl FnOnce(&mut Inner) -> T) -> Option<T> {
        self.inner.lock().ok().map(|mut g| f(&mut g))
    }

    pub fn set_claim(&self, outcome: &str, codes: String) {
        self.with(|i| i.claim = Some((outcome.to_string(), codes)));
    }

    /// Notes a remittance read on the API: its counts, never a value of it.
    pub fn set_remit(&self, counts: String) {
        self.with(|i| i.remit = Some(counts));
    }

    /// Sets what the caller of a reidentify request sent in plain.
    pub fn set_shield(&self, shield: Shield) {
        self.with(|i| i.shield = Some(Arc::new(shield)));
    }

    /// The request's shield, when it has one.
    pub fn shield(&self) -> Option<Arc<Shield>> {
        self.with(|i| i.shield.clone()).flatten()
    }

    /// Notes how many values of the answer were shielded (a count, never a value).
    pub fn set_shielded(&self, n: u64) {
        self.with(|i| i.shielded = n);
    }

    pub fn set_caller(&self, name: &str) {
        self.with(|i| i.caller = Some(name.to_string()));
    }

    /// The authenticated caller's configured name, once known.
    pub fn caller(&self) -> Option<String> {
        self.with(|i| i.caller.clone()).flatten()
    }

    /// What the clinic's answer must not echo: every value revealed so far, as a dictionary
    /// the detector searches like learned values; `None` when nothing was revealed.
    pub fn echo(&self) -> Option<Arc<Learned>> {
        self.with(|i| {
            if i.echo.is_empty() {
                return None;
            }
            if i.echo_built.is_none() {
                let mut l = Learned::default();
                for (ty, v) in &i.echo {
                    l.add(*ty, v);
                    for form in derived_forms(*ty, v) {
                        l.add(*ty, &form);
                    }
                }
                l.finish();
                i.echo_built = Some(Arc::new(l));
            }
            i.echo_built.clone()
        })
        .flatten()
    }

    /// The types of the values revealed so far (a bit per type, [`shield::type_bit`]).
    pub fn revealed_types(&self) -> u64 {
        self.with(|i| {
            i.echo
                .iter()
                .fold(0, |m, (ty, _)| m | shield::type_bit(*ty))
        })
        .unwrap_or(0)
    }

    /// PHI found by type (the detector's counts, whatever the action taken).
    pub fn found(&self, counts: &[usize]) {
        self.with(|i| {
            for (t, n) in PhiType::ALL.iter().zip(counts) {
                if *n > 0 {
                    *i.found.entry(t.as_str()).or_default() += *n as u64;
                }
            }
        });
    }

    /// The events so far, taken to be recorded before the body is forwarded: what they cover
    /// is cleared, so that the events of the finished request hold only what its answer
    /// added. The echo list stays: the answer is still to be de-identified.
    pub fn take_events(&self, base: &Event, reidentify: bool) -> Vec<Event> {
        let events = self.events(base, reidentify);
        self.with(|i| {
            i.tokens.clear();
            i.subjects.clear();
            i.found.clear();
            i.revealed.clear();
            i.revealed_tokens.clear();
            i.refused.clear();
            i.refused_tokens.clear();
            i.claim = None;
            i.recorded = true;
        });
        events
    }

    /// Drops the values revealed so far (the command line reveals for the operator, and has
    /// no answer to check them against).
    pub fn clear_echo(&self) {
        self.with(|i| {
            i.echo.clear();
            i.echo_built = None;
        });
    }

    /// Whether the request's events were recorded before it was forwarded.
    pub fn recorded(&self) -> bool {
        self.with(|i| i.recorded).unwrap_or(false)
    }

    /// The audit events of a finished request.
    pub fn events(&self, base: &Event, reidentify: bool) -> Vec<Event> {
        self.with(|i| {
            let mut out = Vec::new();
            if let Some((outcome, codes)) = &i.claim {
                let mut c = base.clone();
                c.caller = c.caller.take().or_else(|| i.caller.clone());
                c.action = Some(Action::ClaimDecision);
                c.outcome = outcome.clone();
                c.detail = (!codes.is_empty()).then(|| codes.clone());
                // The claim's tokens find its evidence snapshot.
                c.tokens = i.tokens.iter().cloned().collect();
                out.push(c);
            }
            if let Some(counts) = &i.remit {
                let mut r = base.clone();
                r.caller = r.caller.take().or_else(|| i.caller.clone());
                r.action = Some(Action::ClaimRemit);
                r.outcome = "recorded".into();
                r.detail = Some(counts.clone());
                out.push(r);
            }
            let mut e = base.clone();
            e.caller = e.caller.take().or_else(|| i.caller.clone());
            e.subjects = i.subjects.iter().cloned().collect();
            if reidentify {
                e.action = e.action.or(Some(Action::Reveal));
                e.phi = i
                    .revealed
                    .iter()
                    .map(|(k, v)| (k.to_string(), *v))
                    .collect();
                e.tokens = i.revealed_tokens.iter().cloned().collect();
                if i.shielded > 0 && e.detail.is_none() {
                    // Plain values the caller sent and the clinic echoed (J1): a count.
                    e.detail = Some(format!("plain_echoes={}", i.shielded));
                }
                let mut extra = Vec::new();
                if !i.refused.is_empty() {
                    let mut r = e.clone();
                    r.action = Some(Action::RevealRefused);
                    r.outcome = "refused".into();
                    r.phi = i.refused.iter().map(|(k, v)| (k.to_string(), *v)).collect();
                    r.tokens = i.refused_tokens.iter().cloned().collect();
                    r.subjects = Vec::new();
                    extra.push(r);
                }
                // The clinic's answer was de-identified on its way out: that is a
                // tokenisation of its own.
                if !i.found.is_empty() {
                    let mut t = e.clone();
                    t.action = Some(Action::Tokenize);
                    t.phi = i.found.iter().map(|(k, v)| (k.to_string(), *v)).collect();
                    t.tokens = i.tokens.iter().cloned().collect();
                    extra.push(t);
                }
                out.push(e);
                out.extend(extra);
                return out;
            } else {
                e.action = e.action.or(Some(Action::Tokenize));
                e.phi = i.found.iter().map(|(k, v)| (k.to_string(), *v)).collect();
                e.tokens = i.tokens.iter().cloned().collect();
            }
            out.push(e);
            out
        })
        .unwrap_or_default()
    }
}

/// Forms a revealed value takes in the clinic's answer that neither it nor its parts
/// match (red team 55, J19; red team 52, H12): a name's initials (`Z.V.`, `ZV`) and the
/// user-name shapes made of its first and last parts (`zvukovljevic`, `vukovljevicz`,
/// `zvezdana.v`, `zvezdana.vukovljevic`); an e-mail's local part and its domain's first
/// label, unless that is a public mail provider's; a phone's ten digits grouped the ways
/// the detector does not read on its own (`413 555 01 72`, `41 35 55 01 72`). Only the
/// answer to the request that revealed the value is searched for them.
fn derived_forms(ty: PhiType, value: &str) -> Vec<String> {
    match ty {
        PhiType::Name | PhiType::ProviderName => name_forms(value),
        PhiType::Email => email_forms(value),
        PhiType::Phone | PhiType::Fax => phone_forms(value),
        _ => Vec::new(),
    }
}

fn name_forms(value: &str) -> Vec<String> {
    let normal = normalize(PhiType::Name, value);
    let parts: Vec<&str> = normal
        .split(' ')
        .filter(|p| !p.is_empty() && p.chars().all(char::is_alphabetic))
        .collect();
    let (Some(first), Some(last)) = (parts.first(), parts.last()) else {
        return Vec::new();
    };
    if parts.len() < 2 || first.chars().count() < 2 || last.chars().count() < 2 {
        return Vec::new();
    }
    let initial = |p: &str| p.chars().next().map(String::from).unwrap_or_default();
    let (fi, li) = (initial(first), initial(last));
    let initials: String = parts.iter().map(|p| initial(p)).collect();
    let dotted: String = parts.iter().map(|p| format!("{}.", initial(p))).collect();
    vec![
        dotted,
        initials,
        format!("{fi}{last}"),
        format!("{fi}.{last}"),
        format!("{last}{fi}"),
        format!("{first}{li}"),
        format!("{first}.{li}"),
        format!("{first}{last}"),
        format!("{first}.{last}"),
        format!("{first}_{last}"),
    ]
}

/// Public mail providers: their name in an answer says nothing about whose address it was.
const MAIL_PROVIDERS: &[&str] = &[
    "gmail",
    "googlemail",
    "yahoo",
    "ymail",
    "hotmail",
    "outlook",
    "live",
    "msn",
    "aol",
    "icloud",
    "proton",
    "protonmail",
    "example",
    "mail",
    "email",
    "comcast",
    "verizon",
    "att",
];

fn email_forms(value: &str) -> Vec<String> {
    let Some((local, domain)) = value.trim().rsplit_once('@') else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if local.chars().count() >= 4 {
        out.push(local.to_string());
    }
    let label = domain.split('.').next().unwrap_or("").to_ascii_lowercase();
    if label.chars().count() >= 4 && !MAIL_PROVIDERS.contains(&label.as_str()) {
        out.push(label);
    }
    out
}

fn phone_forms(value: &str) -> Vec<String> {
    let d = normalize(PhiType::Phone, value);
    if d.len() != 10 || !d.is_ascii() {
        return Vec::new();
    }
    vec![
        format!("{} {} {} {}", &d[..3], &d[3..6], &d[6..8], &d[8..]),
        format!("{}-{}-{}-{}", &d[..3], &d[3..6], &d[6..8], &d[8..]),
        format!(
            "{} {} {} {} {}",
            &d[..2],
            &d[2..4],
            &d[4..6],
            &d[6..8],
            &d[8..]
        ),
    ]
}

/// The vault, seen through a request's trail.
pub struct Recording<'a> {
    pub store: &'a dyn TokenStore,
    pub trail: &'a Trail,
    pub keys: &'a AuditKeys,
    /// On reveals: what the caller may see (to tell revealed from refused).
    pub allow: Option<&'a Allow>,
    /// On a reidentify route's answer: values the caller sent in plain are tokenised under
    /// the request's own key, never the vault's ([`Shield`]).
    pub shield: Option<Arc<Shield>>,
}

impl Recording<'_> {
    /// The shield, when any of `values` is one the caller sent in plain.
    fn shielding<'v>(
        &self,
        mut values: impl Iterator<Item = (PhiType, &'v str)>,
    ) -> Option<&Shield> {
        let shield = self.shield.as_deref()?;
        values.any(|(ty, v)| shield.sent(ty, v)).then_some(shield)
    }

    /// Tokens for a batch some of whose values the caller sent in plain: those get the
    /// request's own tokens (not stored, not recorded: nothing was handed out from the
    /// vault), the rest the vault's.
    fn tokenize_shielded(
        &self,
        shield: &Shield,
        patient: Option<&str>,
        batch: &[TokenRequest<'_>],
        exact: bool,
    ) -> Result<Vec<String>, TokenError> {
        let sent: Vec<bool> = batch.iter().map(|r| shield.sent(r.ty, r.value)).collect();
        let rest: Vec<TokenRequest<'_>> = batch
            .iter()
            .zip(&sent)
            .filter(|(_, s)| !**s)
            .map(|(r, _)| *r)
            .collect();
        let mut vaulted = match rest.is_empty() {
            true => Vec::new(),
            false => self.store.tokenize_for(patient, &rest, exact)?,
        };
        if vaulted.len() != rest.len() {
            return Err(TokenError::Unavailable(
                "token store returned a short batch".into(),
            ));
        }
        let subjects = rest
            .iter()
            .map(|r| subject_hash(self.keys, r.ty, r.value))
            .collect();
        self.record(&vaulted, subjects);
        vaulted.reverse();
        Ok(batch
            .iter()
            .zip(sent)
            .map(|(r, s)| match s {
                true => shield.token(r.ty, r.value),
                false => vaulted.pop().unwrap_or_default(),
            })
            .collect())
    }

    /// Notes tokens handed out and the subject hashes of their values.
    fn record(&self, tokens: &[String], subjects: Vec<String>) {
        self.trail.with(|i| {
            i.tokens.extend(tokens.iter().cloned());
            i.subjects.extend(subjects);
        });
    }
}

impl TokenStore for Recording<'_> {
    /// Passes the document's patient on, so that what the gateway tokenises is kept under
    /// the patient's own key and `vault forget` can forget it.
    fn tokenize_for(
        &self,
        patient: Option<&str>,
        batch: &[TokenRequest<'_>],
        exact: bool,
    ) -> Result<Vec<String>, TokenError> {
        if let Some(shield) = self.shielding(batch.iter().map(|r| (r.ty, r.value))) {
            return self.tokenize_shielded(shield, patient, batch, exact);
        }
        let tokens = self.store.tokenize_for(patient, batch, exact)?;
        let subjects: Vec<String> = batch
            .iter()
            .map(|r| subject_hash(self.keys, r.ty, r.value))
            .collect();
        self.record(&tokens, subjects);
        Ok(tokens)
    }

    /// [`Recording::tokenize_for`] of a document's batch: the store reuses what the
    /// provisional tokens computed, and the subject hashes their normalised forms.
    fn tokenize_prepared(
        &self,
        patient: Option<&str>,
        batch: &[&Prepared],
        exact: bool,
    ) -> Result<Vec<String>, TokenError> {
        if self
            .shielding(batch.iter().map(|p| (p.ty(), p.value())))
            .is_some()
        {
            let plain: Vec<TokenRequest<'_>> = batch.iter().map(|p| p.request()).collect();
            return self.tokenize_for(patient, &plain, exact);
        }
        let tokens = self.store.tokenize_prepared(patient, batch, exact)?;
        let subjects: Vec<String> = batch
            .iter()
            .map(|p| prepared_subject_hash(self.keys, p))
            .collect();
        self.record(&tokens, subjects);
        Ok(tokens)
    }

    /// Forwarded untouched and not recorded: nothing is handed out until the document's
    /// values come back through [`TokenStore::tokenize_for`], which records them.
    /// A shielded value has no provisional token: it is asked of
    /// [`Recording::tokenize_for`], which gives it the request's own.
    fn provisional(&self, ty: PhiType, value: &str, exact: bool) -> Option<String> {
        if self.shielding(std::iter::once((ty, value))).is_some() {
            return None;
        }
        self.store.provisional(ty, value, exact)
    }

    /// Forwarded like [`Recording::provisional`], keeping what the store computed.
    fn prepare(&self, ty: PhiType, value: &str, exact: bool) -> Option<Prepared> {
        if self.shielding(std::iter::once((ty, value))).is_some() {
            return None;
        }
        self.store.prepare(ty, value, exact)
    }

    /// The patient memory passes through: it hands out nothing, and its forms are hashes.
    fn open_memory(&self, patients: &[&str]) -> Result<Option<Memory>, TokenError> {
        self.store.open_memory(patients)
    }

    fn extend_memory(&self, memory: &Memory, new: &[(u64, Remembered)]) -> Result<(), TokenError> {
        self.store.extend_memory(memory, new)
    }

    /// Asked of the store and not recorded: checking that a token was issued reveals
    /// nothing to anyone (red team 52, H24).
    fn issued(&self, token: &str) -> Result<bool, TokenError> {
        self.store.issued(token)
    }

    fn reveal(&self, token: &str) -> Result<Option<Revealed>, TokenError> {
        let r = self.store.reveal(token)?;
        if let Some(found) = &r {
            let subject = subject_hash(self.keys, found.ty, &found.value);
            let permitted = self.allow.is_none_or(|a| a.permits(found.ty));
            self.trail.with(|i| {
                if permitted {
                    *i.revealed.entry(found.ty.as_str()).or_default() += 1;
                    i.revealed_tokens.insert(token.to_string());
                    i.subjects.insert(subject);
                    i.echo.push((found.ty, Zeroizing::new(found.value.clone())));
                    i.echo_built = None;
                } else {
                    *i.refused.entry(found.ty.as_str()).or_default() += 1;
                    i.refused_tokens.insert(token.to_string());
                }
            });
        }
        Ok(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the echo list of a request that revealed `revealed` finds in `answer`.
    fn found(revealed: &[(PhiType, &str)], answer: &str) -> Vec<String> {
        let trail = Trail::default();
        trail.with(|i| {
            for (ty, v) in revealed {
                i.echo.push((*ty, Zeroizing::new(v.to_string())));
            }
        });
        let echo = trail.echo().expect("echo list");
        let mut out = Vec::new();
        echo.scan(answer, |s, e, _| out.push(answer[s..e].to_string()));
        out
    }

    /// Red team 55, J19: derived forms of a just-revealed name, e-mail and phone.
    #[test]
    fn the_echo_list_finds_derived_forms_of_revealed_values() {
        let revealed = [
            (PhiType::Name, "Zvezdana Vukovljevic"),
            (PhiType::Email, "zvuk61@quarrymail.example"),
            (PhiType::Phone, "413-555-0172"),
        ];
        let answer = "c zvukovljevic d Z.V. a mailbox zvuk61 full b zvuk61 at quarrymail \
                      f 413 555 01 72 g vukovljevicz h zvezdana.v i 41 35 55 01 72";
        let got = found(&revealed, answer);
        for want in [
            "zvukovljevic",
            "Z.V.",
            "zvuk61",
            "quarrymail",
            "413 555 01 72",
            "vukovljevicz",
            "zvezdana.v",
            "41 35 55 01 72",
        ] {
            assert!(got.iter().any(|g| g == want), "{want} not in {got:?}");
        }
        // A public provider's name is no echo of anyone's address.
        let got = found(
            &[(PhiType::Email, "rozzie61@gmail.com")],
            "try gmail support",
        );
        assert!(got.is_empty(), "{got:?}");
    }
}
