//! Shared helpers: one engine per test binary, a fixed-key transformer, the binary's path,
//! running it ([`TestCommand`]: arguments, input, environment, the exit status expected),
//! and listing files.

use std::ffi::OsStr;
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
    let master = MasterKey::from_bytes([42; 32]);
    let store = MemoryTokenStore::new(&master, "");
    deidentify_in(&store, input, ct, policy)
}

/// [`deidentify`] with a store the caller keeps, so that a second document can carry the
/// tokens the first one was given (a token-shaped string is kept only when the store
/// issued it).
pub fn deidentify_in(
    store: &MemoryTokenStore,
    input: &str,
    ct: ContentType,
    policy: &str,
) -> Deidentified {
    let e = engine();
    let master = MasterKey::from_bytes([42; 32]);
    let p = e.policy(policy).expect("built-in policy");
    let t = e.transformer(p, store, &master);
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
    TestCommand::new(args).stdin(stdin).output()
}

/// The text of an output stream (lossy: a test about bytes compares bytes).
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// One run of the binary under test: arguments, standard input and environment, then the
/// exit status it must end with. Standard input is fed from another thread, so a child that
/// streams output while it reads cannot deadlock against the test.
pub struct TestCommand {
    cmd: Command,
    stdin: Vec<u8>,
    shown: String,
}

impl TestCommand {
    pub fn new<S: AsRef<OsStr>>(args: impl IntoIterator<Item = S>) -> TestCommand {
        let mut cmd = Command::new(bin());
        let mut shown = String::from("phigate");
        for a in args {
            shown.push(' ');
            shown.push_str(&a.as_ref().to_string_lossy());
            cmd.arg(a);
        }
        TestCommand {
            cmd,
            stdin: Vec::new(),
            shown,
        }
    }

    /// What the child reads on standard input (nothing by default).
    pub fn stdin(mut self, input: impl AsRef<[u8]>) -> TestCommand {
        self.stdin = input.as_ref().to_vec();
        self
    }

    pub fn env(mut self, key: &str, value: impl AsRef<OsStr>) -> TestCommand {
        self.cmd.env(key, value);
        self
    }

    /// Runs to the end, whatever the status.
    pub fn output(mut self) -> Output {
        let mut child = self
            .cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        let mut pipe = child.stdin.take().expect("stdin");
        let input = std::mem::take(&mut self.stdin);
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

    /// Runs to the end and checks it exited with `code`; the failure shows the command
    /// line and standard error.
    pub fn expect_code(self, code: i32) -> Output {
        let shown = self.shown.clone();
        let out = self.output();
        assert_eq!(
            out.status.code(),
            Some(code),
            "{shown}: stderr: {}",
            text(&out.stderr)
        );
        out
    }

    pub fn expect_success(self) -> Output {
        self.expect_code(0)
    }
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
