//! Shared helpers: one engine per test binary, a fixed-key transformer, the binary's path,
//! running it with input, and listing files.

use std::io::Write;
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

use phigate::engine::{ContentType, Engine, Output as Deidentified};
use phigate::keys::MasterKey;
use phigate::patterns::Patterns;
use phigate::transform::token::MemoryTokenStore;

pub fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::build(&Patterns::builtin()).expect("built-in patterns compile"))
}

/// De-identifies `input` with a fixed key and the named built-in policy.
pub fn deidentify(input: &str, ct: ContentType, policy: &str) -> Deidentified {
    let e = engine();
    let master = MasterKey::from_bytes([42; 32]);
    let store = MemoryTokenStore::new(&master, "");
    let p = e.policy(policy).expect("built-in policy");
    let t = e.transformer(p, &store, &master);
    let mut scratch = e.detector.scratch();
    e.deidentify(input.as_bytes(), ct, &t, &mut scratch)
        .expect("de-identifies")
}

/// The binary under test; `PHIGATE_TEST_BIN` pins another build of it (the target directory
/// is shared by several worktrees, so `target/debug/phigate` may be another branch's).
pub fn bin() -> &'static str {
    static BIN: OnceLock<String> = OnceLock::new();
    BIN.get_or_init(|| {
        std::env::var("PHIGATE_TEST_BIN")
            .unwrap_or_else(|_| env!("CARGO_BIN_EXE_phigate").to_string())
    })
}

/// Runs the binary with `args`, feeding `stdin`.
pub fn run(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(bin())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    // Feed stdin from another thread: a child that streams output while it reads would
    // otherwise block on a full stdout pipe while we block on its full stdin.
    let mut pipe = child.stdin.take().expect("stdin");
    let input = stdin.to_vec();
    let feeder = std::thread::spawn(move || {
        // A child that fails early (a bad rule file) closes its stdin: not our error.
        if let Err(e) = pipe.write_all(&input) {
            assert_eq!(
                e.kind(),
                std::io::ErrorKind::BrokenPipe,
                "writing stdin: {e}"
            );
        }
    });
    let out = child.wait_with_output().expect("wait");
    feeder.join().expect("stdin feeder");
    out
}

/// Every file below `dir`.
pub fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).expect("dir").flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// Writes a master key file as `phigate keygen` does (0600): the gateway refuses a key
/// that group or others may read.
pub fn write_key(path: &std::path::Path, hex: &str) {
    std::fs::write(path, hex).expect("write key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    }
}
