//! Shared helpers: one engine per test binary, a fixed-key transformer, the binary's path.

use std::sync::OnceLock;

use phigate::keys::MasterKey;
use phigate::patterns::Patterns;
use phigate::transform::token::MemoryTokenStore;
use phigate::walk::{ContentType, Engine, Output};

pub fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::build(&Patterns::builtin()).expect("built-in patterns compile"))
}

/// De-identifies `input` with a fixed key and the named built-in policy.
pub fn deidentify(input: &str, ct: ContentType, policy: &str) -> Output {
    let e = engine();
    let master = MasterKey::from_bytes([42; 32]);
    let store = MemoryTokenStore::new(&master, "");
    let p = e.policy(policy).expect("built-in policy");
    let t = e.transformer(p, &store, &master);
    let mut scratch = e.detector.scratch();
    e.deidentify(input.as_bytes(), ct, &t, &mut scratch)
        .expect("de-identifies")
}

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_phigate")
}
