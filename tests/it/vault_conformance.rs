//! One vault conformance suite: the behaviour every token store promises, written once and
//! run against each store — the in-memory store (where the behaviour applies: it keeps
//! nothing across a restart, holds no patient keys and checks no master key), the sled vault
//! and the PostgreSQL vault — plus a model test of the sled vault against a `BTreeMap`.
//!
//! Each behaviour is a generic function over a [`Backend`] (something that opens the same
//! storage again under a master key); `store_behaviours!` and `vault_behaviours!` turn the
//! two lists into `#[test]`s in one module per backend. The PostgreSQL backend takes a database of its own per test, as `pgvault` does;
//! without `PHIGATE_TEST_PG_URL` its tests are reported skipped (or fail under
//! `PHIGATE_REQUIRE_PG=1`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use phigate::keys::MasterKey;
use phigate::memory::{Level, Memory as PatientMemory, Remembered};
use phigate::phi::PhiType;
use phigate::transform::token::{looks_like_token, MemoryTokenStore, TokenRequest, TokenStore};
use phigate::vault::{Forgotten, PgOptions, PgVault, Rotation, SledVault, VaultError};

fn key(b: u8) -> MasterKey {
    MasterKey::from_bytes([b; 32])
}

fn req(ty: PhiType, value: &str) -> TokenRequest<'_> {
    TokenRequest { ty, value }
}

fn names(values: &[String]) -> Vec<TokenRequest<'_>> {
    values.iter().map(|v| req(PhiType::Name, v)).collect()
}

fn revealed(store: &dyn TokenStore, token: &str) -> Option<String> {
    store.reveal(token).expect("reveal").map(|r| r.value)
}

/// What the suite asks of a store beyond [`TokenStore`].
trait Conformant: TokenStore + Sized {
    /// Mappings held.
    fn count(&self) -> u64;
    /// Forgets a patient; `None` where the store keeps no patient keys.
    fn forget_patient(&self, patient: &str) -> Option<Result<Forgotten, VaultError>>;
    /// The patients holding a token's value, and whether documents without one do.
    fn holder_count(&self, _token: &str) -> (usize, bool) {
        (0, false)
    }
    /// Decrypts everything; the records checked.
    fn verify_all(&self) -> usize {
        0
    }
    /// Rows of the patient memory a patient key reaches (forms and links).
    fn memory_rows(&self, _patient: &str) -> usize {
        0
    }
}

impl Conformant for MemoryTokenStore {
    fn count(&self) -> u64 {
        self.len() as u64
    }
    fn forget_patient(&self, _: &str) -> Option<Result<Forgotten, VaultError>> {
        None
    }
}

impl Conformant for SledVault {
    fn count(&self) -> u64 {
        self.len() as u64
    }
    fn holder_count(&self, token: &str) -> (usize, bool) {
        let h = self.holders(token).expect("holders").expect("known");
        (h.subjects.len(), h.vault_wide)
    }
    fn verify_all(&self) -> usize {
        self.verify().expect("verify")
    }
    fn forget_patient(&self, patient: &str) -> Option<Result<Forgotten, VaultError>> {
        let sid = self.subject_id(patient)?;
        Some(self.forget(&sid))
    }
    fn memory_rows(&self, patient: &str) -> usize {
        SledVault::memory_rows(self, patient).expect("memory rows")
    }
}

impl Conformant for PgVault {
    fn count(&self) -> u64 {
        self.len().expect("count")
    }
    fn holder_count(&self, token: &str) -> (usize, bool) {
        let h = self.holders(token).expect("holders").expect("known");
        (h.subjects.len(), h.vault_wide)
    }
    fn verify_all(&self) -> usize {
        self.verify().expect("verify")
    }
    fn forget_patient(&self, patient: &str) -> Option<Result<Forgotten, VaultError>> {
        let sid = self.subject_id(patient)?;
        Some(self.forget(&sid))
    }
    fn memory_rows(&self, patient: &str) -> usize {
        PgVault::memory_rows(self, patient).expect("memory rows")
    }
}

/// A store's storage, opened again and again.
trait Backend {
    type Store: Conformant + 'static;
    /// Opens the backend's one storage under master key `k` (created on first use).
    fn open(&self, k: u8) -> Result<Self::Store, VaultError>;
    /// Opens what a crash right now would leave of `live`'s storage (`live` stays open,
    /// nothing is flushed or closed first).
    fn open_after_crash(&self, live: &Self::Store, k: u8) -> Self::Store;
    /// Rotates the storage (its open `store` given up first where it must be closed) from
    /// master key `old` to master key `new`; `None` where there is nothing to rotate.
    fn rotate(
        &self,
        _store: Self::Store,
        _old: u8,
        _new: u8,
    ) -> Option<Result<Rotation, VaultError>> {
        None
    }
}

/// The in-memory store: nothing survives, so "reopening" starts empty.
struct Memory;

impl Backend for Memory {
    type Store = MemoryTokenStore;
    fn open(&self, k: u8) -> Result<MemoryTokenStore, VaultError> {
        Ok(MemoryTokenStore::new(&key(k), ""))
    }
    fn open_after_crash(&self, _: &MemoryTokenStore, k: u8) -> MemoryTokenStore {
        MemoryTokenStore::new(&key(k), "")
    }
}

struct Sled {
    dir: tempfile::TempDir,
    /// Copies of `dir` taken as a crash would leave it.
    crashes: tempfile::TempDir,
    crashed: std::sync::atomic::AtomicUsize,
}

impl Sled {
    fn new() -> Sled {
        Sled {
            dir: tempfile::tempdir().expect("tempdir"),
            crashes: tempfile::tempdir().expect("tempdir"),
            crashed: std::sync::atomic::AtomicUsize::new(0),
        }
    }
}

impl Backend for Sled {
    type Store = SledVault;
    fn open(&self, k: u8) -> Result<SledVault, VaultError> {
        SledVault::open(self.dir.path(), &key(k))
    }
    /// The files as they are on disk while the vault is still open: what `kill -9` leaves.
    fn open_after_crash(&self, _live: &SledVault, k: u8) -> SledVault {
        let n = self
            .crashed
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let copy = self.crashes.path().join(n.to_string());
        std::fs::create_dir(&copy).expect("mkdir");
        copy_dir(self.dir.path(), &copy);
        SledVault::open(&copy, &key(k)).expect("open the crashed copy")
    }
    fn rotate(&self, store: SledVault, old: u8, new: u8) -> Option<Result<Rotation, VaultError>> {
        drop(store);
        Some(SledVault::rotate_master(
            self.dir.path(),
            &key(old),
            &key(new),
        ))
    }
}

struct Postgres {
    url: String,
}

impl Postgres {
    /// A database of its own, or `None` (reported skipped) without a server.
    fn new(test: &str) -> Option<Postgres> {
        super::pgvault::database(test).map(|url| Postgres { url })
    }
}

impl Backend for Postgres {
    type Store = PgVault;
    fn open(&self, k: u8) -> Result<PgVault, VaultError> {
        PgVault::open(&PgOptions::new(&self.url), &key(k))
    }
    /// Another replica, on its own connections: it sees only what was committed.
    fn open_after_crash(&self, _live: &PgVault, k: u8) -> PgVault {
        self.open(k).expect("open a second replica")
    }
    fn rotate(&self, store: PgVault, _old: u8, new: u8) -> Option<Result<Rotation, VaultError>> {
        Some(store.rotate_master(&key(new)))
    }
}

fn copy_dir(from: &Path, to: &Path) {
    for e in std::fs::read_dir(from).expect("dir").flatten() {
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).expect("copy");
        }
    }
}

// === Behaviour every store has ===

fn mints_typed_tokens_that_reveal<B: Backend>(b: &B) {
    let v = b.open(1).expect("open");
    let reqs = [
        req(PhiType::Name, "Zebulon Quixote"),
        req(PhiType::Ssn, "219-09-9999"),
        req(PhiType::Email, "zq-canary@example.org"),
    ];
    let t = v.tokenize(&reqs, false).expect("tokens");
    assert_eq!(t.len(), 3);
    for (token, (r, prefix)) in t.iter().zip(reqs.iter().zip(["NAME_", "SSN_", "EMAIL_"])) {
        assert!(
            looks_like_token(token) && token.starts_with(prefix),
            "{token}"
        );
        let back = v.reveal(token).expect("reveal").expect("known");
        assert_eq!((back.ty, back.value.as_str()), (r.ty, r.value));
    }
    assert_eq!(
        t.iter().collect::<BTreeSet<_>>().len(),
        3,
        "distinct values"
    );
    assert_eq!(v.count(), 3);
    assert!(v.tokenize(&[], false).expect("empty").is_empty());
}

/// Every store under one master key computes the same tokens: the in-memory store is the
/// reference, and repeats and spelling variants of a value share its token.
fn tokens_are_deterministic_and_normalised<B: Backend>(b: &B) {
    let v = b.open(2).expect("open");
    let reference = MemoryTokenStore::new(&key(2), "");
    let spellings = ["Maria Lopez", "MARIA  LOPEZ", "Lopez, Maria", "Ana Ruiz"];
    let reqs: Vec<_> = spellings.iter().map(|s| req(PhiType::Name, s)).collect();
    let t = v.tokenize(&reqs, false).expect("tokens");
    assert_eq!(t[0], t[1]);
    assert_eq!(t[0], t[2]);
    assert_ne!(t[0], t[3]);
    assert_eq!(t, reference.tokenize(&reqs, false).expect("reference"));
    assert_eq!(
        v.tokenize(&[req(PhiType::Name, "maria lopez")], false)
            .expect("again"),
        vec![t[0].clone()]
    );
    assert_eq!(
        revealed(&v, &t[1]).as_deref(),
        Some("Maria Lopez"),
        "a variant reveals the first spelling"
    );
    assert_eq!(v.count(), 2);
}

fn unknown_tokens_reveal_as_nothing<B: Backend>(b: &B) {
    let v = b.open(3).expect("open");
    v.tokenize(&[req(PhiType::Name, "Known Value")], false)
        .expect("tokens");
    let elsewhere = MemoryTokenStore::new(&key(4), "")
        .tokenize(&[req(PhiType::Name, "Known Value")], false)
        .expect("other key");
    assert_eq!(revealed(&v, &elsewhere[0]), None, "another key's token");
    assert_eq!(revealed(&v, "NAME_0000000000"), None);
    assert_eq!(revealed(&v, "not a token"), None);
}

fn exact_tokens_keep_spellings_apart<B: Backend>(b: &B) {
    let v = b.open(5).expect("open");
    let reqs = [
        req(PhiType::Name, "Maria Lopez"),
        req(PhiType::Name, "MARIA LOPEZ"),
    ];
    let exact = v.tokenize(&reqs, true).expect("exact");
    let normal = v.tokenize(&reqs, false).expect("normalised");
    assert_ne!(exact[0], exact[1]);
    assert_eq!(normal[0], normal[1]);
    assert!(
        !exact.contains(&normal[0]),
        "the two spaces never share a token"
    );
    assert_eq!(revealed(&v, &exact[1]).as_deref(), Some("MARIA LOPEZ"));
    assert_eq!(revealed(&v, &exact[0]).as_deref(), Some("Maria Lopez"));
}

/// A value has one token whoever's document holds it: a patient's, another patient's, or
/// none; a batch keeps its order and its repeats.
fn a_value_has_one_token_for_every_holder<B: Backend>(b: &B) {
    let v = b.open(6).expect("open");
    let batch = [
        req(PhiType::ProviderName, "Dr Healey Calvert"),
        req(PhiType::Name, "Oswin Trask"),
        req(PhiType::ProviderName, "Dr Healey Calvert"),
    ];
    let a = v
        .tokenize_for(Some("MRN:MRX-10001"), &batch, false)
        .expect("a");
    assert_eq!(a[0], a[2]);
    let b_tokens = v
        .tokenize_for(Some("MRN:MRX-20002"), &batch[..1], false)
        .expect("b");
    let none = v.tokenize(&batch[..1], false).expect("none");
    assert_eq!(a[0], b_tokens[0]);
    assert_eq!(a[0], none[0]);
    assert_eq!(revealed(&v, &a[0]).as_deref(), Some("Dr Healey Calvert"));
    assert_eq!(v.count(), 2);
}

/// Threads minting the same values, in different orders and batches, get the same token
/// for each and leave one mapping per value.
fn concurrent_minters_agree<B: Backend>(b: &B)
where
    B::Store: Sync,
{
    let v = b.open(7).expect("open");
    let values: Vec<String> = (0..40).map(|i| format!("Shared Value {i}")).collect();
    let results: Vec<Vec<String>> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..6)
            .map(|n| {
                let (v, values) = (&v, &values);
                s.spawn(move || {
                    let mut order: Vec<usize> = (0..values.len()).collect();
                    order.rotate_left(n * 7 % values.len());
                    if n % 2 == 1 {
                        order.reverse();
                    }
                    let patient = (n % 3 == 0).then_some("MRN:MRX-777");
                    let mut out = vec![String::new(); values.len()];
                    for chunk in order.chunks(1 + n % 4) {
                        let reqs: Vec<_> = chunk
                            .iter()
                            .map(|&i| req(PhiType::Name, &values[i]))
                            .collect();
                        let t = v.tokenize_for(patient, &reqs, false).expect("mint");
                        for (&i, t) in chunk.iter().zip(t) {
                            out[i] = t;
                        }
                    }
                    out
                })
            })
            .collect();
        hs.into_iter().map(|h| h.join().expect("join")).collect()
    });
    for r in &results[1..] {
        assert_eq!(r, &results[0], "every thread got the same tokens");
    }
    assert_eq!(v.count(), 40, "one mapping per value");
    for (t, x) in results[0].iter().zip(&values) {
        assert_eq!(revealed(&v, t).as_ref(), Some(x));
    }
}

// === Behaviour of the vaults (patients' keys, durability, the master key) ===

/// Forgetting a patient makes only their values unrevealable; values other patients (or
/// documents without one) also held stay; the patient can come back, to the same tokens.
fn forgetting_a_patient_keeps_everyone_else<B: Backend>(b: &B) {
    let v = b.open(8).expect("open");
    let (a, b_key) = ("MRN:MRX-10001", "MRN:MRX-20002");
    let a_tokens = v
        .tokenize_for(
            Some(a),
            &[
                req(PhiType::Name, "Zebulon Quixote"),
                req(PhiType::ProviderName, "Dr Healey Calvert"),
                req(PhiType::Zip, "49001"),
            ],
            true,
        )
        .expect("a");
    let b_tokens = v
        .tokenize_for(
            Some(b_key),
            &[
                req(PhiType::Name, "Oswin Trask"),
                req(PhiType::ProviderName, "Dr Healey Calvert"),
            ],
            true,
        )
        .expect("b");
    let plain = v
        .tokenize(&[req(PhiType::Zip, "49001")], true)
        .expect("plain");
    assert_eq!(plain[0], a_tokens[2]);
    let done = v
        .forget_patient("mrn:mrx10001")
        .expect("forgets")
        .expect("forget");
    assert_eq!(
        done,
        Forgotten {
            records: 1,
            shared: 2
        }
    );
    assert_eq!(revealed(&v, &a_tokens[0]), None, "forgotten");
    assert_eq!(
        revealed(&v, &a_tokens[1]).as_deref(),
        Some("Dr Healey Calvert")
    );
    assert_eq!(revealed(&v, &a_tokens[2]).as_deref(), Some("49001"));
    assert_eq!(revealed(&v, &b_tokens[0]).as_deref(), Some("Oswin Trask"));
    assert!(matches!(
        v.forget_patient(a).expect("forgets"),
        Err(VaultError::UnknownSubject)
    ));
    assert_eq!(v.count(), 3);
    let again = v
        .tokenize_for(Some(a), &[req(PhiType::Name, "Zebulon Quixote")], true)
        .expect("again");
    assert_eq!(
        again[0], a_tokens[0],
        "tokens are a keyed hash of the value"
    );
    assert_eq!(revealed(&v, &again[0]).as_deref(), Some("Zebulon Quixote"));
}

fn mappings_survive_reopen<B: Backend>(b: &B) {
    let (t, p) = {
        let v = b.open(9).expect("open");
        let t = v
            .tokenize(&[req(PhiType::Name, "Ada Quill")], false)
            .expect("t");
        let p = v
            .tokenize_for(Some("Patient/p1"), &[req(PhiType::Mrn, "MRX-5")], false)
            .expect("p");
        (t, p)
    };
    let v = b.open(9).expect("reopen");
    assert_eq!(revealed(&v, &t[0]).as_deref(), Some("Ada Quill"));
    assert_eq!(revealed(&v, &p[0]).as_deref(), Some("MRX-5"));
    assert_eq!(
        v.tokenize(&[req(PhiType::Name, "ADA QUILL")], false)
            .expect("again"),
        t
    );
    assert_eq!(v.count(), 2);
}

/// Durable before returned: once a batch's tokens are handed out, a crash (nothing closed
/// or flushed afterwards) keeps every mapping of the batch.
fn a_token_is_durable_when_it_is_returned<B: Backend>(b: &B) {
    let v = b.open(10).expect("open");
    let values: Vec<String> = (0..25).map(|i| format!("Durable Value {i}")).collect();
    let t = v
        .tokenize_for(Some("MRN:MRX-31"), &names(&values), false)
        .expect("tokens");
    let w = v
        .tokenize(&[req(PhiType::Zip, "49001")], false)
        .expect("vault-wide");
    let crashed = b.open_after_crash(&v, 10);
    for (token, x) in t.iter().zip(&values) {
        assert_eq!(revealed(&crashed, token).as_ref(), Some(x));
    }
    assert_eq!(revealed(&crashed, &w[0]).as_deref(), Some("49001"));
    assert_eq!(crashed.count(), 26);
}

fn a_wrong_master_key_is_refused<B: Backend>(b: &B) {
    let t = {
        let v = b.open(11).expect("create");
        v.tokenize(&[req(PhiType::Name, "Ada Quill")], false)
            .expect("t")
    };
    match b.open(12) {
        Err(VaultError::WrongKey { .. }) => {}
        other => panic!("expected WrongKey, got {:?}", other.err()),
    }
    let v = b.open(11).expect("the right key still opens");
    assert_eq!(revealed(&v, &t[0]).as_deref(), Some("Ada Quill"));
}

/// A value named in every patient's documents (a clinic's clinician) is one record with a
/// holder per patient: forgetting patients one by one keeps it for the rest, and it goes
/// with its last holder.
fn a_shared_value_is_held_per_patient_and_goes_with_its_last_holder<B: Backend>(b: &B) {
    let v = b.open(13).expect("open");
    let patients: Vec<String> = (0..12).map(|i| format!("MRN:SHR-{i:03}")).collect();
    let mut shared = String::new();
    for (i, p) in patients.iter().enumerate() {
        let own = format!("Shared Patient {i}");
        let t = v
            .tokenize_for(
                Some(p),
                &[
                    req(PhiType::Name, &own),
                    req(PhiType::ProviderName, "Dr Tamsin Vale"),
                ],
                true,
            )
            .expect("t");
        assert!(
            shared.is_empty() || shared == t[1],
            "one token for every holder"
        );
        shared.clone_from(&t[1]);
    }
    assert_eq!(v.holder_count(&shared), (12, false));
    assert_eq!(v.count(), 13);
    assert_eq!(v.verify_all(), 13);
    for p in &patients[..11] {
        let done = v.forget_patient(p).expect("forgets").expect("forget");
        assert_eq!(
            done,
            Forgotten {
                records: 1,
                shared: 1
            }
        );
        assert_eq!(revealed(&v, &shared).as_deref(), Some("Dr Tamsin Vale"));
    }
    assert_eq!(v.holder_count(&shared), (1, false));
    // Documents without a patient keep it too, once they hold it.
    let plain = v
        .tokenize(&[req(PhiType::ProviderName, "Dr Tamsin Vale")], true)
        .expect("plain");
    assert_eq!(plain[0], shared);
    assert_eq!(v.holder_count(&shared), (1, true));
    let done = v
        .forget_patient(&patients[11])
        .expect("forgets")
        .expect("forget");
    assert_eq!(
        done,
        Forgotten {
            records: 1,
            shared: 1
        }
    );
    assert_eq!(revealed(&v, &shared).as_deref(), Some("Dr Tamsin Vale"));
    assert_eq!(v.verify_all(), 1);
    // A value held by patients only goes with the last of them.
    let t = v
        .tokenize_for(
            Some("MRN:SHR-900"),
            &[req(PhiType::ProviderName, "Dr Odd One")],
            true,
        )
        .expect("t");
    v.tokenize_for(
        Some("MRN:SHR-901"),
        &[req(PhiType::ProviderName, "Dr Odd One")],
        true,
    )
    .expect("t");
    assert_eq!(
        v.forget_patient("MRN:SHR-900").expect("f").expect("forget"),
        Forgotten {
            records: 0,
            shared: 1
        }
    );
    assert_eq!(
        v.forget_patient("MRN:SHR-901").expect("f").expect("forget"),
        Forgotten {
            records: 1,
            shared: 0
        }
    );
    assert_eq!(revealed(&v, &t[0]), None, "gone with its last holder");
}

/// Rotating to a new master key: tokens and values stay, the new key opens the vault and
/// mints the same tokens, the old key opens nothing.
fn rotating_the_master_key_keeps_tokens_and_retires_the_old_key<B: Backend>(b: &B) {
    let v = b.open(14).expect("open");
    let mut tokens = Vec::new();
    for i in 0..6 {
        let p = format!("MRN:ROT-{i}");
        let own = format!("Rotating Patient {i}");
        tokens.extend(
            v.tokenize_for(
                Some(&p),
                &[
                    req(PhiType::Name, &own),
                    req(PhiType::ProviderName, "Dr Rota Quist"),
                ],
                true,
            )
            .expect("t"),
        );
    }
    tokens.extend(
        v.tokenize(
            &[
                req(PhiType::Zip, "49001"),
                req(PhiType::ProviderName, "Dr Rota Quist"),
            ],
            true,
        )
        .expect("plain"),
    );
    let values: Vec<String> = tokens
        .iter()
        .map(|t| revealed(&v, t).expect("known"))
        .collect();
    let r = b.rotate(v, 14, 15).expect("rotates").expect("rotation");
    assert!(r.new_master);
    assert_eq!((r.subject_keys, r.value_keys), (6, 1));
    match b.open(14) {
        Err(VaultError::WrongKey { .. }) => {}
        other => panic!("the old key still opens: {:?}", other.err()),
    }
    let v = b.open(15).expect("the new key opens");
    assert_eq!(v.verify_all(), 8);
    for (t, x) in tokens.iter().zip(&values) {
        assert_eq!(revealed(&v, t).as_ref(), Some(x));
    }
    let again = v
        .tokenize_for(
            Some("MRN:ROT-2"),
            &[req(PhiType::Name, "Rotating Patient 2")],
            true,
        )
        .expect("again");
    assert_eq!(
        again[0], tokens[4],
        "tokens minted after the rotation are the same"
    );
    let newcomer = v
        .tokenize_for(
            Some("MRN:ROT-NEW"),
            &[req(PhiType::ProviderName, "Dr Rota Quist")],
            true,
        )
        .expect("newcomer");
    assert_eq!(newcomer[0], tokens[1]);
    assert_eq!(v.holder_count(&tokens[1]), (7, true));
}

/// Remembered forms (keyed hashes of `texts`, as the engine makes them) for a memory.
fn forms(m: &PatientMemory, texts: &[&str]) -> Vec<(u64, Remembered)> {
    texts
        .iter()
        .map(|t| {
            let r = Remembered {
                ty: PhiType::Name,
                level: Level::Strong,
            };
            (m.hash(t), r)
        })
        .collect()
}

/// A patient memory is opened by any of the patient's keys once linked, holds keyed
/// hashes, is extended only with what is new, survives reopening, and goes when any of the
/// patient's keys is forgotten (a key that only reached the memory included), rows and
/// links both.
fn a_patient_memory_is_linked_kept_and_forgotten<B: Backend>(b: &B) {
    let (pid, mrn, ssn) = ("Patient/pt-ines", "MRN:MRX-30003", "SSN:219-09-9999");
    {
        let v = b.open(12).expect("open");
        // The patient's record, sealed under the FHIR id (a forget needs a subject key).
        v.tokenize_for(Some(pid), &[req(PhiType::Name, "Ines Delacroix")], false)
            .expect("tokens");
        let fresh = v.open_memory(&[pid, mrn]).expect("open").expect("kept");
        assert!(fresh.is_empty());
        assert_eq!(fresh.unlinked().len(), 2);
        let new = forms(&fresh, &["ines", "delacroix", "ines delacroix"]);
        v.extend_memory(&fresh, &new).expect("extend");
        // Flushed with the next token commit, as a payload's would be.
        v.tokenize_for(Some(pid), &[req(PhiType::Name, "Inès")], false)
            .expect("tokens");
        assert_eq!(v.memory_rows(pid), 3 + 2);
        assert_eq!(
            v.memory_rows("mrn:mrx30003"),
            3 + 2,
            "any spelling of a key"
        );
    }
    let v = b.open(12).expect("reopen");
    let by_mrn = v.open_memory(&[mrn]).expect("open").expect("kept");
    assert_eq!(by_mrn.len(), 3);
    assert!(by_mrn.unlinked().is_empty());
    let again = forms(&by_mrn, &["ines", "delacroix", "ines delacroix"]);
    assert!(
        by_mrn.missing_hashes(&again).is_empty(),
        "nothing new to write"
    );
    let other = v.open_memory(&["Patient/someone-else"]).expect("open");
    assert!(
        other.expect("kept").is_empty(),
        "another patient remembers nothing"
    );
    // A third key met with a known one is linked to the same memory.
    let with_ssn = v.open_memory(&[mrn, ssn]).expect("open").expect("kept");
    assert_eq!(with_ssn.unlinked().len(), 1);
    v.extend_memory(&with_ssn, &[]).expect("link");
    assert_eq!(v.open_memory(&[ssn]).expect("open").expect("kept").len(), 3);
    assert_eq!(v.memory_rows(ssn), 3 + 3);

    // Forgetting by the MRN (no record of its own) removes the memory and every link.
    let done = v
        .forget_patient(mrn)
        .expect("forgets")
        .expect("forget by a key that only reached the memory");
    assert_eq!(done, Forgotten::default());
    for k in [pid, mrn, ssn] {
        assert_eq!(v.memory_rows(k), 0, "{k}");
        assert!(v.open_memory(&[k]).expect("open").expect("kept").is_empty());
    }
    // The patient's records go with their own key, as before.
    let done = v.forget_patient(pid).expect("forgets").expect("forget");
    assert_eq!(done.records, 2);
    assert!(matches!(
        v.forget_patient(mrn).expect("forgets"),
        Err(VaultError::UnknownSubject)
    ));
}

/// Generates a `#[test]` per behaviour for one backend; `$backend` makes the backend for a
/// test (given the test's name) or returns `None` when it cannot run (reported skipped).
macro_rules! behaviours {
    ($backend:expr, [$($behaviour:ident),* $(,)?]) => {
        $(
            #[test]
            fn $behaviour() {
                let make = $backend;
                if let Some(b) = make(concat!(module_path!(), "::", stringify!($behaviour))) {
                    super::$behaviour(&b);
                }
            }
        )*
    };
}

/// What every token store does.
macro_rules! store_behaviours {
    ($backend:expr) => {
        behaviours!(
            $backend,
            [
                mints_typed_tokens_that_reveal,
                tokens_are_deterministic_and_normalised,
                unknown_tokens_reveal_as_nothing,
                exact_tokens_keep_spellings_apart,
                a_value_has_one_token_for_every_holder,
                concurrent_minters_agree,
            ]
        );
    };
}

/// What a vault does besides: patients' keys, durability, the master key.
macro_rules! vault_behaviours {
    ($backend:expr) => {
        behaviours!(
            $backend,
            [
                forgetting_a_patient_keeps_everyone_else,
                mappings_survive_reopen,
                a_token_is_durable_when_it_is_returned,
                a_wrong_master_key_is_refused,
                a_shared_value_is_held_per_patient_and_goes_with_its_last_holder,
                rotating_the_master_key_keeps_tokens_and_retires_the_old_key,
                a_patient_memory_is_linked_kept_and_forgotten,
            ]
        );
    };
}

mod memory {
    use super::*;
    store_behaviours!(|_: &str| Some(Memory));
}

mod sled {
    use super::*;
    store_behaviours!(|_: &str| Some(Sled::new()));
    vault_behaviours!(|_: &str| Some(Sled::new()));

    /// A backup carries the patient memories: the restored vault recalls what the original
    /// did (and `vault migrate` through PostgreSQL and back does too, when it can run).
    #[test]
    fn backups_and_migrations_carry_patient_memory() {
        let src = Sled::new();
        let v = src.open(13).expect("open");
        v.tokenize_for(Some("MRN:MRX-1"), &[req(PhiType::Name, "Ines")], false)
            .expect("tokens");
        let m = v
            .open_memory(&["MRN:MRX-1", "Patient/p1"])
            .expect("open")
            .expect("kept");
        v.extend_memory(&m, &forms(&m, &["ines", "delacroix"]))
            .expect("extend");
        let mut file = Vec::new();
        phigate::vault::backup::export(&v, &key(13), &mut file).expect("export");
        let dst = Sled::new();
        let restored = dst.open(13).expect("open");
        phigate::vault::backup::import(&restored, &key(13), &mut file.as_slice()).expect("import");
        assert_eq!(restored.memory_rows("Patient/p1").expect("rows"), 2 + 2);
        let again = restored
            .open_memory(&["MRN:MRX-1"])
            .expect("open")
            .expect("kept");
        assert_eq!(
            again.hash("ines"),
            m.hash("ines"),
            "the same key derives the same hashes"
        );
        assert_eq!(again.len(), 2);

        let Some(pg) = Postgres::new(concat!(module_path!(), "::backups_and_migrations")) else {
            return;
        };
        let p = pg.open(13).expect("open postgres");
        p.import_sled(&v).expect("migrate to postgres");
        assert_eq!(p.memory_rows("Patient/p1").expect("rows"), 2 + 2);
        assert_eq!(
            p.open_memory(&["MRN:MRX-1"])
                .expect("open")
                .expect("kept")
                .len(),
            2
        );
        let back = Sled::new();
        let b = back.open(13).expect("open");
        p.export_sled(&b).expect("migrate back");
        assert_eq!(b.memory_rows("MRN:MRX-1").expect("rows"), 2 + 2);
        assert_eq!(b.memory_len(), v.memory_len());
    }
}

mod postgres {
    use super::*;
    store_behaviours!(Postgres::new);
    vault_behaviours!(Postgres::new);
}

// === The model test ===

mod model {
    use proptest::prelude::*;

    use super::*;

    const PATIENTS: [&str; 3] = ["MRN:MRX-1", "MRN:MRX-2", "Patient/p3"];
    const VALUES: [&str; 6] = [
        "Ada Quill",
        "Bo Lark",
        "Cy Marsh",
        "Dee Fenn",
        "Eli Moss",
        "Fay Dunn",
    ];

    #[derive(Clone, Debug)]
    enum Op {
        /// Tokenise values for a patient (or none).
        Mint(Option<usize>, Vec<usize>),
        Reveal(usize),
        Forget(usize),
        Reopen,
    }

    fn op() -> impl Strategy<Value = Op> {
        let patient = prop::option::of(0..PATIENTS.len());
        prop_oneof![
            4 => (patient, prop::collection::vec(0..VALUES.len(), 1..4))
                .prop_map(|(p, v)| Op::Mint(p, v)),
            2 => (0..VALUES.len()).prop_map(Op::Reveal),
            1 => (0..PATIENTS.len()).prop_map(Op::Forget),
            1 => Just(Op::Reopen),
        ]
    }

    /// What the vault should hold: token → (value, holders; `None` is vault-wide), and the
    /// patients with a key (a first mint makes one, a forget destroys it).
    #[derive(Default)]
    struct Model {
        records: BTreeMap<String, (usize, BTreeSet<Option<usize>>)>,
        keyed: BTreeSet<usize>,
    }

    impl Model {
        fn mint(&mut self, patient: Option<usize>, value: usize, token: &str) {
            if let Some(p) = patient {
                self.keyed.insert(p);
            }
            let (held, holders) = self
                .records
                .entry(token.to_string())
                .or_insert_with(|| (value, BTreeSet::new()));
            assert_eq!(*held, value, "one token, one value");
            holders.insert(patient);
        }

        fn forget(&mut self, p: usize) -> Option<Forgotten> {
            if !self.keyed.remove(&p) {
                return None;
            }
            let mut out = Forgotten::default();
            self.records.retain(|_, (_, holders)| {
                if !holders.remove(&Some(p)) {
                    return true;
                }
                if holders.is_empty() {
                    out.records += 1;
                    false
                } else {
                    out.shared += 1;
                    true
                }
            });
            Some(out)
        }
    }

    fn run(ops: &[Op]) {
        let dir = tempfile::tempdir().expect("tempdir");
        let open = || SledVault::open(dir.path(), &key(21)).expect("open");
        let reference = MemoryTokenStore::new(&key(21), "");
        let token_of = |value: usize| {
            reference
                .tokenize(&[req(PhiType::Name, VALUES[value])], true)
                .expect("reference")
                .remove(0)
        };
        let mut v = open();
        let mut model = Model::default();
        for op in ops {
            match op {
                Op::Mint(patient, values) => {
                    let reqs: Vec<_> = values
                        .iter()
                        .map(|&i| req(PhiType::Name, VALUES[i]))
                        .collect();
                    let t = v
                        .tokenize_for(patient.map(|p| PATIENTS[p]), &reqs, true)
                        .expect("mint");
                    for (&i, token) in values.iter().zip(&t) {
                        assert_eq!(token, &token_of(i), "deterministic");
                        model.mint(*patient, i, token);
                    }
                }
                Op::Reveal(i) => {
                    let token = token_of(*i);
                    let expected = model.records.get(&token).map(|(x, _)| VALUES[*x]);
                    assert_eq!(revealed(&v, &token).as_deref(), expected, "{op:?}");
                }
                Op::Forget(p) => {
                    let sid = v.subject_id(PATIENTS[*p]).expect("sid");
                    match (v.forget(&sid), model.forget(*p)) {
                        (Ok(done), Some(expected)) => assert_eq!(done, expected, "{op:?}"),
                        (Err(VaultError::UnknownSubject), None) => {}
                        (got, expected) => panic!("{op:?}: {got:?}, expected {expected:?}"),
                    }
                }
                Op::Reopen => {
                    drop(v);
                    v = open();
                }
            }
            assert_eq!(v.len(), model.records.len(), "after {op:?}");
        }
        assert_eq!(v.verify().expect("verify"), model.records.len());
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

        #[test]
        fn sled_matches_a_btreemap_model(ops in prop::collection::vec(op(), 1..30)) {
            run(&ops);
        }
    }
}
