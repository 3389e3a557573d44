//! A document's values go to the token store as one batch: one `tokenize_for` call per
//! patient of the document instead of one per field, with output byte-identical to the
//! value-by-value path; a store whose provisional tokens are wrong (a collision) still yields
//! only the tokens it holds; a failed write returns an error and no document; and on
//! PostgreSQL a document's values land in one transaction (a refused value leaves none of
//! the others behind).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use phigate::engine::{ContentType, ScanError};
use phigate::keys::MasterKey;
use phigate::phi::PhiType;
use phigate::transform::token::{
    looks_like_token, token_input, MemoryTokenStore, Revealed, TokenError, TokenMinter,
    TokenRequest, TokenStore,
};

use super::support::engine;

const BUNDLE: &str = include_str!("../../examples/fhir-bundle.json");
const KEY: [u8; 32] = [42; 32];

/// How a test store answers [`TokenStore::provisional`].
#[derive(Clone, Copy, PartialEq)]
enum Guess {
    /// The minter's first attempt, as the real stores answer.
    First,
    /// Nothing: the store is asked value by value (the path before batching).
    None,
    /// A later attempt's token: what a store that resolved a collision holds instead.
    Wrong,
}

/// A memory store that records every `tokenize_for` call (patient, batch size) and can be
/// told to fail.
struct Counting {
    inner: MemoryTokenStore,
    minter: TokenMinter,
    guess: Guess,
    fail: AtomicBool,
    calls: Mutex<Vec<(Option<String>, usize)>>,
}

impl Counting {
    fn new(guess: Guess) -> Counting {
        let master = MasterKey::from_bytes(KEY);
        Counting {
            inner: MemoryTokenStore::new(&master, ""),
            minter: TokenMinter::new(&master, ""),
            guess,
            fail: AtomicBool::new(false),
            calls: Mutex::new(Vec::new()),
        }
    }

    fn calls(&self) -> Vec<(Option<String>, usize)> {
        self.calls.lock().expect("calls").clone()
    }
}

impl TokenStore for Counting {
    fn tokenize_for(
        &self,
        patient: Option<&str>,
        batch: &[TokenRequest<'_>],
        exact: bool,
    ) -> Result<Vec<String>, TokenError> {
        self.calls
            .lock()
            .expect("calls")
            .push((patient.map(str::to_string), batch.len()));
        if self.fail.load(Ordering::SeqCst) {
            return Err(TokenError::Unavailable("the test store refuses".into()));
        }
        self.inner.tokenize_for(patient, batch, exact)
    }

    fn reveal(&self, token: &str) -> Result<Option<Revealed>, TokenError> {
        self.inner.reveal(token)
    }

    fn provisional(&self, ty: PhiType, value: &str, exact: bool) -> Option<String> {
        match self.guess {
            Guess::First => self.inner.provisional(ty, value, exact),
            Guess::None => None,
            Guess::Wrong => Some(self.minter.mint(ty, &token_input(ty, value, exact), 1)),
        }
    }
}

/// `text` de-identified through `store` with the safe-harbor policy.
fn deidentify(store: &dyn TokenStore, text: &str, ct: ContentType) -> Result<String, ScanError> {
    let e = engine();
    let master = MasterKey::from_bytes(KEY);
    let t = e.transformer(e.policy("safe-harbor").expect("policy"), store, &master);
    let mut scratch = e.detector.scratch();
    e.deidentify(text.as_bytes(), ct, &t, &mut scratch)
        .map(|o| o.text)
}

/// The tokens in a de-identified text, in order.
fn tokens_in(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| looks_like_token(w))
        .map(str::to_string)
        .collect()
}

#[test]
fn a_fhir_bundle_is_one_store_call_per_patient_and_the_same_bytes_as_value_by_value() {
    let batched = Counting::new(Guess::First);
    let single = Counting::new(Guess::None);
    let out = deidentify(&batched, BUNDLE, ContentType::FhirJson).expect("batched");
    let reference = deidentify(&single, BUNDLE, ContentType::FhirJson).expect("value by value");
    assert_eq!(out, reference, "the same document either way");
    let tokens = tokens_in(&out);
    assert!(tokens.len() >= 5, "the bundle is tokenised: {tokens:?}");
    let calls = batched.calls();
    let mut patients: Vec<_> = calls.iter().map(|(p, _)| p.clone()).collect();
    patients.dedup();
    assert_eq!(
        patients.len(),
        calls.len(),
        "one call per patient: {calls:?}"
    );
    assert!(
        single.calls().len() > calls.len(),
        "value by value: {} calls; batched: {}",
        single.calls().len(),
        calls.len()
    );
    // Every token written is one the store holds, for the same value as without a batch.
    for t in &tokens {
        let held = batched.reveal(t).expect("reveal").expect("held");
        assert_eq!(Some(held), single.reveal(t).expect("reveal"));
    }
    assert_eq!(batched.inner.len(), single.inner.len());
}

#[test]
fn header_and_path_values_and_form_bodies_are_batched_too() {
    let e = engine();
    let master = MasterKey::from_bytes(KEY);
    let batched = Counting::new(Guess::First);
    let t = e.transformer(e.policy("safe-harbor").expect("p"), &batched, &master);
    let mut scratch = e.detector.scratch();
    let field = e
        .deidentify_field("Maria Lopez MRN 00482193", &t, &mut scratch)
        .expect("field");
    assert_eq!(tokens_in(&field.text).len(), 2, "{}", field.text);
    assert_eq!(batched.calls().len(), 1);
    let form = deidentify(
        &batched,
        "name=Maria+Lopez&phone=555-013-4567&mrn=00482193",
        ContentType::Form,
    )
    .expect("form");
    assert_eq!(tokens_in(&form).len(), 3, "{form}");
    assert_eq!(batched.calls().len(), 2, "one more call for the form");
}

#[test]
fn wrong_provisional_tokens_are_never_forwarded() {
    let colliding = Counting::new(Guess::Wrong);
    let single = Counting::new(Guess::None);
    let out = deidentify(&colliding, BUNDLE, ContentType::FhirJson).expect("walked again");
    let reference = deidentify(&single, BUNDLE, ContentType::FhirJson).expect("reference");
    assert_eq!(out, reference, "the store's own tokens, as without a batch");
    for t in tokens_in(&out) {
        assert!(colliding.reveal(&t).expect("reveal").is_some(), "held: {t}");
    }
    // The batch was written once, then the document walked value by value.
    let calls = colliding.calls();
    assert!(calls.len() > 1, "{calls:?}");
}

#[test]
fn a_json_document_walked_in_place_is_read_again_when_its_guesses_were_wrong() {
    let e = engine();
    let master = MasterKey::from_bytes(KEY);
    let colliding = Counting::new(Guess::Wrong);
    let t = e.transformer(e.policy("safe-harbor").expect("p"), &colliding, &master);
    let mut scratch = e.detector.scratch();
    let mut doc: serde_json::Value = serde_json::from_str(BUNDLE).expect("json");
    let mut reread = 0;
    e.deidentify_json(&mut doc, true, &t, &mut scratch, || {
        reread += 1;
        Ok(serde_json::from_str(BUNDLE).expect("json"))
    })
    .expect("de-identified");
    assert_eq!(reread, 1, "read again once, for the walk without a batch");
    let single = Counting::new(Guess::None);
    let reference = deidentify(&single, BUNDLE, ContentType::FhirJson).expect("reference");
    assert_eq!(serde_json::to_string(&doc).expect("text"), reference);
}

#[test]
fn a_failed_write_returns_an_error_and_no_document() {
    let failing = Counting::new(Guess::First);
    failing.fail.store(true, Ordering::SeqCst);
    match deidentify(&failing, BUNDLE, ContentType::FhirJson) {
        Err(ScanError::Token(_)) => {}
        other => panic!("expected the store's error, got {other:?}"),
    }
    assert_eq!(failing.calls().len(), 1, "the one write, refused");
    assert!(failing.inner.is_empty());
}

#[test]
fn on_postgres_a_documents_values_are_one_transaction() {
    use phigate::vault::{PgOptions, PgVault, VaultStore};
    let Some(url) = super::pgvault::database("batch_pg_one_transaction") else {
        return;
    };
    let master = MasterKey::from_bytes(KEY);
    // The tokens the bundle gets (every store mints the same ones); the last is refused.
    let memory = MemoryTokenStore::new(&master, "");
    let expected = deidentify(&memory, BUNDLE, ContentType::FhirJson).expect("memory");
    let poison = tokens_in(&expected).pop().expect("a token");
    let v = PgVault::open(&PgOptions::new(&url), &master).expect("open");
    sql(
        &url,
        &format!(
            "CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN
               IF NEW.token = '{poison}' THEN RAISE EXCEPTION 'refused by the test'; END IF;
               RETURN NEW;
             END $$;
             CREATE TRIGGER refuse_poison BEFORE INSERT ON phigate_index
               FOR EACH ROW EXECUTE FUNCTION refuse_poison();"
        ),
    );
    assert!(deidentify(&v, BUNDLE, ContentType::FhirJson).is_err());
    assert_eq!(
        v.token_count().expect("count"),
        0,
        "the refused value took the document's other values with it"
    );
    sql(&url, "DROP TRIGGER refuse_poison ON phigate_index");
    let out = deidentify(&v, BUNDLE, ContentType::FhirJson).expect("allowed");
    assert_eq!(out, expected);
    assert_eq!(v.token_count().expect("count"), memory.len() as u64);
}

/// Runs `statements` on the test database (plain connection: the cluster accepts one on
/// loopback; the vault itself uses TLS).
fn sql(url: &str, statements: &str) {
    let plain = url.split('?').next().expect("url");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let (client, conn) = tokio_postgres::connect(plain, tokio_postgres::NoTls)
            .await
            .expect("connect");
        let driver = tokio::spawn(conn);
        client.batch_execute(statements).await.expect("execute");
        drop(client);
        let _ = driver.await;
    });
}

/// A store seen without its provisional tokens: asked value by value, as before batching.
struct ValueByValue<'a>(&'a dyn TokenStore);

impl TokenStore for ValueByValue<'_> {
    fn tokenize_for(
        &self,
        patient: Option<&str>,
        batch: &[TokenRequest<'_>],
        exact: bool,
    ) -> Result<Vec<String>, TokenError> {
        self.0.tokenize_for(patient, batch, exact)
    }

    fn reveal(&self, token: &str) -> Result<Option<Revealed>, TokenError> {
        self.0.reveal(token)
    }
}

/// The measurement behind BENCHMARKS.md's "one write per document": time per de-identified
/// copy of the example bundle (new values, then the same documents again) through sled and
/// PostgreSQL, value by value and batched. Not a check, so not run by default:
/// `cargo test --test it measure_batching -- --ignored --nocapture` (with the test cluster).
#[test]
#[ignore]
fn measure_batching_time_per_document() {
    use phigate::vault::{PgOptions, PgVault, SledVault};
    let master = MasterKey::from_bytes(KEY);
    let dir = tempfile::tempdir().expect("dir");
    let sled = SledVault::open(dir.path(), &master).expect("sled");
    let pg = super::pgvault::database("measure_batching")
        .map(|url| PgVault::open(&PgOptions::new(&url), &master).expect("open"));
    let n: u32 = 100;
    // Copy `i` of the bundle under run `tag`: its patient's values are its own.
    let doc = |tag: &str, i: u32| {
        BUNDLE
            .replace("00482193", &format!("{tag}{i:05}"))
            .replace("Lopez", &format!("Lopez{tag}{i}"))
            .replace("maria.lopez", &format!("maria{tag}{i}"))
    };
    let per_doc = |store: &dyn TokenStore, tag: &str| {
        let start = std::time::Instant::now();
        for i in 0..n {
            deidentify(store, &doc(tag, i), ContentType::FhirJson).expect("de-identified");
        }
        start.elapsed() / n
    };
    let mut stores: Vec<(&str, &dyn TokenStore)> = vec![("sled", &sled)];
    if let Some(pg) = &pg {
        stores.push(("postgres", pg));
    }
    for (name, store) in stores {
        let single = ValueByValue(store);
        let (new_single, known_single) = (per_doc(&single, "9"), per_doc(&single, "9"));
        let (new_batched, known_batched) = (per_doc(store, "8"), per_doc(store, "8"));
        println!(
            "{name}: value by value: new {new_single:?}/doc, known {known_single:?}/doc; \
             batched: new {new_batched:?}/doc, known {known_batched:?}/doc"
        );
    }
    let memory = MemoryTokenStore::new(&master, "");
    println!("memory (no vault): {:?}/doc", per_doc(&memory, "7"));
}
