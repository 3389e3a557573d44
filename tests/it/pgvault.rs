//! Several real `phigate serve` processes on loopback sharing one PostgreSQL vault (a
//! replica SIGKILLed mid-load, the database cut off and restored), and `vault migrate` and
//! `vault forget` on PostgreSQL through the binary.
//!
//! These need a PostgreSQL server: `scripts/pg-test-cluster.sh` starts a throwaway one and
//! prints `PHIGATE_TEST_PG_URL`. Without it they skip (with a message), unless
//! `PHIGATE_REQUIRE_PG=1`, as in CI, makes that a failure. Each test takes a database of
//! its own.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::gw_harness::{client, post, send, sha256_hex, Gateway, Pki, TestClient};
use super::support::run;

/// A database of its own for one test on the test cluster, or `None` (the test is reported
/// skipped) without one; `PHIGATE_REQUIRE_PG=1` makes a missing cluster a failure.
pub(super) fn database(test: &str) -> Option<String> {
    match std::env::var("PHIGATE_TEST_PG_URL") {
        Ok(u) if !u.is_empty() => {
            Some(phigate::vault::scratch_database(&u, "phigate_it").expect("scratch database"))
        }
        _ => {
            assert!(
                std::env::var("PHIGATE_REQUIRE_PG").as_deref() != Ok("1"),
                "PHIGATE_REQUIRE_PG=1 but PHIGATE_TEST_PG_URL is not set (scripts/pg-test-cluster.sh)"
            );
            phigate::note_skipped(
                test,
                "set PHIGATE_TEST_PG_URL; see scripts/pg-test-cluster.sh",
            );
            None
        }
    }
}

const EMR: (&str, &str) = ("authorization", "Bearer emr-key-1");
const TEXT: (&str, &str) = ("content-type", "text/plain");

/// Replicas of one configuration: the same master key and database, each with its own
/// audit directory (as each pod has).
struct Cluster {
    dir: tempfile::TempDir,
    ca: String,
    url: String,
}

impl Cluster {
    fn new(url: String) -> Cluster {
        let dir = tempfile::tempdir().expect("tempdir");
        let d = dir.path();
        let pki = Pki::new("phigate test CA");
        let server = pki.leaf(&["localhost", "127.0.0.1"], false);
        std::fs::write(d.join("cert.pem"), &server.cert_pem).expect("cert");
        std::fs::write(d.join("key.pem"), &server.key_pem).expect("key");
        super::support::write_key(&d.join("master.key"), &"cd".repeat(32));
        Cluster {
            ca: pki.ca_pem(),
            dir,
            url,
        }
    }

    fn replica(&self, n: usize) -> Gateway {
        let path = self.config(n, &self.url);
        let d = self.dir.path();
        Gateway::start_with_env(&path, &d.join(format!("replica-{n}.log")), 1, &[])
    }

    /// Writes replica `n`'s configuration, on the database `url`.
    fn config(&self, n: usize, url: &str) -> std::path::PathBuf {
        let d = self.dir.path();
        let config = format!(
            r#"
[[listener]]
listen = "127.0.0.1:0"
cert = "cert.pem"
key = "key.pem"

[admin]
listen = "127.0.0.1:0"

[vault]
backend = "postgres"
url = "{url}"
pool_size = 4
key_file = "master.key"

[audit]
dir = "audit-{n}"

[log]
format = "json"

[[caller]]
name = "emr"
api_key_sha256 = ["{emr}"]

[api]
callers = ["emr"]
reveal = {{ emr = ["NAME", "MRN"] }}
"#,
            emr = sha256_hex("emr-key-1"),
        );
        let path = d.join(format!("replica-{n}.toml"));
        std::fs::write(&path, config).expect("config");
        path
    }
}

fn base(gw: &Gateway) -> String {
    format!("https://localhost:{}", gw.listeners[0].port())
}

/// The tokens in a text (`TYPE_` and ten base32 characters).
fn tokens(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| phigate::transform::token::looks_like_token(w))
        .map(str::to_string)
        .collect()
}

async fn deidentify(c: &TestClient, gw: &str, text: &str) -> Result<String, String> {
    let a = send(
        c,
        post(
            &format!("{gw}/v1/deidentify"),
            &[EMR, TEXT],
            text.to_string(),
        ),
    )
    .await?;
    if a.status != 200 {
        return Err(format!("{}: {}", a.status, a.body));
    }
    Ok(a.body)
}

async fn reidentify(c: &TestClient, gw: &str, text: &str) -> String {
    let a = send(
        c,
        post(
            &format!("{gw}/v1/reidentify"),
            &[EMR, TEXT],
            text.to_string(),
        ),
    )
    .await
    .expect("reidentify");
    assert_eq!(a.status, 200, "{}", a.body);
    a.body
}

async fn ready(gw: &Gateway) -> bool {
    // The listening lines come just before the gateway marks itself ready.
    wait_ready(gw, true).await
}

fn note(mrn: &str) -> String {
    format!("Patient Zebulon Quixote seen today, MRN {mrn}; follow up in two weeks.")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_on_one_postgres_share_tokens_and_mint_concurrently_to_one() {
    let Some(url) = database("replicas_share_tokens") else {
        return;
    };
    let cluster = Cluster::new(url);
    // Three replicas starting at once: migrations take an advisory lock.
    let gws: Vec<Gateway> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..3)
            .map(|n| {
                s.spawn({
                    let c = &cluster;
                    move || c.replica(n)
                })
            })
            .collect();
        hs.into_iter().map(|h| h.join().expect("start")).collect()
    });
    let bases: Vec<String> = gws.iter().map(base).collect();
    let c = client(&cluster.ca, None);
    for gw in &gws {
        assert!(
            ready(gw).await,
            "/readyz answers ready with the database up"
        );
    }

    // Minted by one replica, revealed by another.
    let text = note("48213377");
    let out = deidentify(&c, &bases[0], &text).await.expect("deidentify");
    let toks = tokens(&out);
    assert_eq!(toks.len(), 2, "a name and an MRN: {out}");
    assert!(
        !out.contains("Zebulon") && !out.contains("48213377"),
        "{out}"
    );
    assert_eq!(reidentify(&c, &bases[1], &out).await, text);
    assert_eq!(deidentify(&c, &bases[2], &text).await.expect("again"), out);

    // The same new values sent to every replica at once: one token each.
    let notes: Vec<String> = (0..12).map(|i| note(&format!("7{i:07}"))).collect();
    let mut tasks = Vec::new();
    for round in 0..3 {
        for (r, b) in bases.iter().enumerate() {
            let (c, b, notes) = (c.clone(), b.clone(), notes.clone());
            tasks.push(tokio::spawn(async move {
                let mut order: Vec<usize> = (0..notes.len()).collect();
                order.rotate_left((round * 3 + r) * 5 % notes.len());
                let mut got = HashMap::new();
                for i in order {
                    got.insert(i, deidentify(&c, &b, &notes[i]).await.expect("mint"));
                }
                got
            }));
        }
    }
    let mut seen: HashMap<usize, String> = HashMap::new();
    for t in tasks {
        for (i, out) in t.await.expect("task") {
            match seen.get(&i) {
                Some(first) => assert_eq!(first, &out, "replicas disagree on note {i}"),
                None => {
                    seen.insert(i, out);
                }
            }
        }
    }
    for (i, out) in &seen {
        assert_eq!(reidentify(&c, &bases[(i + 1) % 3], out).await, notes[*i]);
    }
    for gw in gws {
        assert_eq!(gw.stop().code(), Some(0));
    }
    // check-config does not contact the database (a check changes nothing).
    let check = run(
        &[
            "check-config",
            &cluster
                .dir
                .path()
                .join("replica-0.toml")
                .display()
                .to_string(),
        ],
        b"",
    );
    let says = String::from_utf8_lossy(&check.stdout);
    assert!(
        says.contains("postgres vault (not contacted)"),
        "{says} {}",
        String::from_utf8_lossy(&check.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_killed_mid_load_loses_no_mapping_that_left_it() {
    let Some(url) = database("replica_killed_mid_load") else {
        return;
    };
    let cluster = Cluster::new(url);
    let mut victim = cluster.replica(0);
    let survivor = cluster.replica(1);
    let (vb, sb) = (base(&victim), base(&survivor));
    let c = client(&cluster.ca, None);
    // Every answer a client received: (the MRN sent, the text that came back).
    let received: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let start = Instant::now();
    let mut load = Vec::new();
    for task in 0..4 {
        let (c, vb, received) = (c.clone(), vb.clone(), Arc::clone(&received));
        load.push(tokio::spawn(async move {
            for i in 0.. {
                // Bounded: the kill below ends the load long before this.
                if start.elapsed() > Duration::from_secs(120) {
                    break;
                }
                let mrn = format!("5{task}{i:06}");
                match deidentify(&c, &vb, &note(&mrn)).await {
                    Ok(out) => received.lock().expect("lock").push((mrn, out)),
                    Err(_) => break,
                }
            }
        }));
    }
    // Let the load run until answers have come back (a count, not a time: a loaded machine
    // answers slowly), then SIGKILL the replica in the middle of it.
    while received.lock().expect("lock").len() < 8 && start.elapsed() < Duration::from_secs(90) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    victim.child.kill().expect("SIGKILL");
    let _ = victim.child.wait();
    for t in load {
        t.await.expect("load task");
    }
    let received = std::mem::take(&mut *received.lock().expect("lock"));
    assert!(
        received.len() >= 8,
        "only {} answers before the kill",
        received.len()
    );
    // Every token a client received reveals on the surviving replica.
    for chunk in received.chunks(40) {
        let sent: Vec<String> = chunk.iter().map(|(m, _)| note(m)).collect();
        let outs: Vec<&str> = chunk.iter().map(|(_, o)| o.as_str()).collect();
        let back = reidentify(&c, &sb, &outs.join("\n")).await;
        assert_eq!(back, sent.join("\n"), "a mapping handed out was lost");
    }
    assert_eq!(survivor.stop().code(), Some(0));
}

fn keygen(dir: &Path) -> String {
    let key = dir.join("master.key");
    let out = run(&["keygen", "--out", &key.display().to_string()], b"");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    key.display().to_string()
}

#[test]
fn vault_migrate_round_trips_sled_postgres_sled() {
    let Some(url) = database("vault_migrate_round_trip") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let key = keygen(dir.path());
    let a = dir.path().join("a");
    let b = dir.path().join("b");
    for v in [&a, &b] {
        crate::vault::init_vault(&key, &v.display().to_string());
    }
    let note = "Pt Suzette Przybylo (MRN: MRX-55120), phone (555) 013-9911. Seen by Dr. Healey.\n";
    let scanned = run(
        &[
            "scan",
            "--policy",
            "reversible",
            "--vault",
            &a.display().to_string(),
            "--key-file",
            &key,
        ],
        note.as_bytes(),
    );
    assert!(
        scanned.status.success(),
        "{}",
        String::from_utf8_lossy(&scanned.stderr)
    );
    let tokenised = String::from_utf8(scanned.stdout).expect("utf8");
    let n = tokens(&tokenised).len();
    assert!(n >= 3, "{tokenised}");
    let migrate = |from: &str, to: &str| {
        let out = run(
            &[
                "vault",
                "migrate",
                "--from",
                from,
                "--to",
                to,
                "--key-file",
                &key,
            ],
            b"",
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        v
    };
    let to_pg = migrate(&format!("sled:{}", a.display()), &url);
    assert_eq!(to_pg["records"], to_pg["verified"]);
    assert_eq!(to_pg["records"].as_u64(), Some(n as u64), "{to_pg}");
    // A second copy into the same database is refused (only into an empty one).
    let again = run(
        &[
            "vault",
            "migrate",
            "--from",
            &format!("sled:{}", a.display()),
            "--to",
            &url,
            "--key-file",
            &key,
        ],
        b"",
    );
    assert!(!again.status.success());
    let back = migrate(&url, &format!("sled:{}", b.display()));
    assert_eq!(back["records"].as_u64(), Some(n as u64), "{back}");
    let revealed = run(
        &[
            "reveal",
            "--vault",
            &b.display().to_string(),
            "--key-file",
            &key,
        ],
        tokenised.as_bytes(),
    );
    assert!(
        revealed.status.success(),
        "{}",
        String::from_utf8_lossy(&revealed.stderr)
    );
    assert_eq!(String::from_utf8(revealed.stdout).expect("utf8"), note);
    // The same tokens come out of the round-tripped vault.
    let rescanned = run(
        &[
            "scan",
            "--policy",
            "reversible",
            "--vault",
            &b.display().to_string(),
            "--key-file",
            &key,
        ],
        note.as_bytes(),
    );
    assert_eq!(
        String::from_utf8(rescanned.stdout).expect("utf8"),
        tokenised
    );
    // Forgetting a patient works on the PostgreSQL vault too (`--vault postgres://…`).
    let forgot = run(
        &[
            "vault",
            "forget",
            "--vault",
            &url,
            "--key-file",
            &key,
            "--patient",
            "MRN:MRX-55120",
            "--audit-dir",
            &dir.path().join("audit").display().to_string(),
        ],
        b"",
    );
    assert!(
        forgot.status.success(),
        "{}",
        String::from_utf8_lossy(&forgot.stderr)
    );
    let counts: serde_json::Value = serde_json::from_slice(&forgot.stdout).expect("json");
    assert_eq!(counts["forgotten"].as_u64(), Some(n as u64), "{counts}");
    // A wrong master key is refused by the database's key check.
    let other = tempfile::tempdir().expect("other");
    let wrong = keygen(other.path());
    crate::vault::init_vault(&wrong, &other.path().join("c").display().to_string());
    let refused = run(
        &[
            "vault",
            "migrate",
            "--from",
            &url,
            "--to",
            &format!("sled:{}", other.path().join("c").display()),
            "--key-file",
            &wrong,
        ],
        b"",
    );
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("master key"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
}

/// A TCP relay to the database that a test can cut and restore (the database "goes away").
struct Relay {
    port: u16,
    target: String,
    tasks: Arc<Mutex<Vec<tokio::task::JoinHandle<()>>>>,
}

impl Relay {
    async fn start(target: String) -> Relay {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let relay = Relay {
            port,
            target,
            tasks: Arc::default(),
        };
        relay.serve(listener);
        relay
    }

    fn serve(&self, listener: tokio::net::TcpListener) {
        let tasks = Arc::clone(&self.tasks);
        let target = self.target.clone();
        let accept = tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let target = target.clone();
                let t = tokio::spawn(async move {
                    if let Ok(mut out) = tokio::net::TcpStream::connect(&target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut out).await;
                    }
                });
                tasks.lock().expect("lock").push(t);
            }
        });
        self.tasks.lock().expect("lock").push(accept);
    }

    /// Closes the listener and every relayed connection.
    async fn cut(&self) {
        for t in self.tasks.lock().expect("lock").drain(..) {
            t.abort();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    async fn restore(&self) {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", self.port))
            .await
            .expect("rebind");
        self.serve(listener);
    }
}

async fn wait_ready(gw: &Gateway, want: bool) -> bool {
    let c = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http::<http_body_util::Full<bytes::Bytes>>();
    let uri: hyper::Uri = format!("http://{}/readyz", gw.admin).parse().expect("uri");
    for _ in 0..80 {
        let ok = c.get(uri.clone()).await.is_ok_and(|r| r.status() == 200);
        if ok == want {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn losing_the_database_fails_closed_and_recovers() {
    let Some(url) = database("losing_the_database") else {
        return;
    };
    // Route the replica through a relay: postgres://user:pw@HOST:PORT/db?… → the relay.
    let (head, tail) = url.split_once('@').expect("url");
    let (hostport, rest) = tail.split_once('/').expect("url");
    let relay = Relay::start(hostport.to_string()).await;
    let cluster = Cluster::new(format!("{head}@127.0.0.1:{}/{rest}", relay.port));
    let gw = cluster.replica(0);
    let b = base(&gw);
    let c = client(&cluster.ca, None);
    let first = deidentify(&c, &b, &note("61000001")).await.expect("up");
    assert!(wait_ready(&gw, true).await);

    relay.cut().await;
    assert!(
        wait_ready(&gw, false).await,
        "/readyz reports the vault down"
    );
    let start = Instant::now();
    let refused = deidentify(&c, &b, &note("61000002")).await;
    let err = refused.expect_err("nothing is forwarded without the vault");
    assert!(err.starts_with("503"), "{err}");
    assert!(start.elapsed() < Duration::from_secs(15), "fails promptly");

    relay.restore().await;
    assert!(wait_ready(&gw, true).await, "/readyz recovers");
    let again = deidentify(&c, &b, &note("61000002"))
        .await
        .expect("recovered");
    assert!(!again.contains("61000002"));
    assert_eq!(reidentify(&c, &b, &first).await, note("61000001"));
    assert_eq!(gw.stop().code(), Some(0));
}

/// A PostgreSQL vault keeps each replica's audit witness (`phigate_audit_witness`): a log
/// cut short is caught by `audit verify --vault postgres://…` and refused at start-up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replicas_audit_log_cut_short_is_caught_by_the_witness_in_postgres() {
    let Some(url) = database("audit_witness_in_postgres") else {
        return;
    };
    let cluster = Cluster::new(url.clone());
    let gw = cluster.replica(0);
    assert!(ready(&gw).await);
    let c = client(&cluster.ca, None);
    for i in 0..3 {
        deidentify(&c, &base(&gw), &note(&format!("5{i:07}")))
            .await
            .expect("deidentify");
    }
    assert!(gw.stop().success());
    let d = cluster.dir.path();
    let audit = d.join("audit-0");
    let key = d.join("master.key");
    let verify = |extra: &[&str]| {
        let mut args = vec![
            "audit",
            "verify",
            "--dir",
            audit.to_str().expect("path"),
            "--key-file",
            key.to_str().expect("path"),
            "--vault",
            &url,
        ];
        args.extend_from_slice(extra);
        let out = run(&args, b"");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let (code, out) = verify(&[]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("\"witness\":\"matches\""), "{out}");
    // Erase the newest entry and the checkpoints covering it.
    let seg = phigate::audit::segments(&audit)
        .expect("segments")
        .pop()
        .expect("segment");
    let text = std::fs::read_to_string(&seg).expect("read");
    let mut kept: Vec<&str> = text.lines().collect();
    kept.pop();
    let last = kept.len() as u64;
    std::fs::write(&seg, kept.join("\n") + "\n").expect("write");
    let cps = audit.join(phigate::audit::CHECKPOINTS);
    let text = std::fs::read_to_string(&cps).expect("read");
    let cps_kept: Vec<&str> = text
        .lines()
        .filter(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("json");
            v["seq"].as_u64().expect("seq") <= last
        })
        .collect();
    std::fs::write(&cps, cps_kept.join("\n") + "\n").expect("write");
    let (code, out) = verify(&[]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("cut short"), "{out}");
    let out = std::process::Command::new(super::support::bin())
        .args(["serve", "--config"])
        .arg(d.join("replica-0.toml"))
        .output()
        .expect("serve");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(stderr.contains("cut short"), "{stderr}");
    assert!(!stderr.contains("Zebulon"), "{stderr}");
}

/// `serve` started while its database cannot be reached (down, or refusing the password)
/// used to exit 101 with a tokio panic. Now it says why (never the password), answers
/// `/healthz` ok and `/readyz` not ready, retries with backoff, and serves once the
/// database is back; a wrong master key ends start-up with its own message.
struct Starting {
    child: std::process::Child,
    lines: std::sync::mpsc::Receiver<String>,
    admin: String,
    log: std::path::PathBuf,
}

impl Starting {
    fn spawn(config: &Path, log: &Path) -> Starting {
        let mut child = std::process::Command::new(super::support::bin())
            .args(["serve", "--threads", "2", "--config"])
            .arg(config)
            .stdout(std::process::Stdio::piped())
            .stderr(std::fs::File::create(log).expect("log"))
            .spawn()
            .expect("spawn");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            use std::io::BufRead as _;
            for l in std::io::BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
            {
                if tx.send(l).is_err() {
                    break;
                }
            }
        });
        let first = lines
            .recv_timeout(Duration::from_secs(30))
            .expect("the admin line comes first");
        let admin = first
            .strip_prefix("phigate admin http://")
            .expect("admin line")
            .to_string();
        Starting {
            child,
            lines,
            admin,
            log: log.to_path_buf(),
        }
    }

    async fn status(&self, path: &str) -> Option<u16> {
        let c = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
            .build_http::<http_body_util::Full<bytes::Bytes>>();
        let uri: hyper::Uri = format!("http://{}{path}", self.admin).parse().expect("uri");
        c.get(uri).await.ok().map(|r| r.status().as_u16())
    }

    fn logs(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn terminate(mut self) -> Option<i32> {
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        for _ in 0..200 {
            if let Ok(Some(s)) = self.child.try_wait() {
                return s.code();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        None
    }
}

/// `postgres://user:PASSWORD@host:port/db?…` → (PASSWORD, the URL with `password` instead).
fn swap_password(url: &str, password: &str) -> (String, String) {
    let (scheme, rest) = url.split_once("://").expect("url");
    let (userinfo, host) = rest.split_once('@').expect("url");
    let (user, old) = userinfo.split_once(':').expect("password in url");
    (
        old.to_string(),
        format!("{scheme}://{user}:{password}@{host}"),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_waits_for_an_unreachable_database_not_ready_and_says_why() {
    let Some(url) = database("serve_waits_for_the_database") else {
        return;
    };
    let (head, tail) = url.split_once('@').expect("url");
    let (hostport, rest) = tail.split_once('/').expect("url");
    let relay = Relay::start(hostport.to_string()).await;
    relay.cut().await;
    let cluster = Cluster::new(url.clone());
    let relayed = format!("{head}@127.0.0.1:{}/{rest}", relay.port);
    let config = cluster.config(0, &relayed);
    let s = Starting::spawn(&config, &cluster.dir.path().join("starting.log"));
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(s.status("/healthz").await, Some(200));
    assert_eq!(
        s.status("/readyz").await,
        Some(503),
        "not ready while waiting"
    );
    let logs = s.logs();
    assert!(!logs.contains("panicked"), "{logs}");
    assert!(logs.contains("cannot be reached"), "{logs}");
    assert!(logs.contains("retrying"), "{logs}");
    let (password, _) = swap_password(&url, "x");
    assert!(
        !logs.contains(&password),
        "the password is never logged: {logs}"
    );
    relay.restore().await;
    let listening = s
        .lines
        .recv_timeout(Duration::from_secs(40))
        .expect("serves once the database is back");
    assert!(listening.starts_with("phigate listening"), "{listening}");
    let mut ready = false;
    for _ in 0..50 {
        if s.status("/readyz").await == Some(200) {
            ready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(ready, "{}", s.logs());
    assert_eq!(s.terminate(), Some(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_reports_a_refused_password_and_a_wrong_master_key_without_panicking() {
    let Some(url) = database("serve_wrong_password_or_key") else {
        return;
    };
    let cluster = Cluster::new(url.clone());
    let (password, wrong) = swap_password(&url, "not-the-password-4417");
    let config = cluster.config(0, &wrong);
    let s = Starting::spawn(&config, &cluster.dir.path().join("password.log"));
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(s.status("/readyz").await, Some(503));
    let logs = s.logs();
    assert!(logs.contains("password authentication failed"), "{logs}");
    assert!(
        !logs.contains("not-the-password-4417") && !logs.contains(&password),
        "{logs}"
    );
    assert!(!logs.contains("panicked"), "{logs}");
    assert_eq!(s.terminate(), Some(0), "stopped while waiting");

    // The database knows the master key (the first opener's); another key is refused.
    let first = cluster.replica(1);
    assert!(first.stop().success());
    std::fs::write(cluster.dir.path().join("master.key"), "ef".repeat(32)).expect("key");
    let out = std::process::Command::new(super::support::bin())
        .args(["serve", "--config"])
        .arg(cluster.config(2, &url))
        .output()
        .expect("serve");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && out.status.code() != Some(101),
        "an error, not a panic: {stderr}"
    );
    assert!(stderr.contains("master key does not match"), "{stderr}");
    assert!(
        !stderr.contains("panicked") && !stderr.contains(&password),
        "{stderr}"
    );
}

/// A `postgres://` URL is a PostgreSQL vault for every command that takes `--vault`
/// (`vault stats`, `vault verify`, `reveal`), never a directory named after it; `reveal`
/// audits what it reveals in the log it is given.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgres_url_is_a_postgres_vault_for_stats_verify_and_reveal() {
    let Some(url) = database("postgres_url_for_every_command") else {
        return;
    };
    let cluster = Cluster::new(url.clone());
    let gw = cluster.replica(0);
    let c = client(&cluster.ca, None);
    let text = note("66120031");
    let out = deidentify(&c, &base(&gw), &text).await.expect("deidentify");
    assert!(gw.stop().success());
    let d = cluster.dir.path();
    let key = d.join("master.key").display().to_string();
    let ok = |args: &[&str], input: &[u8]| {
        let out = run(args, input);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let stats = ok(
        &["vault", "stats", "--vault", &url, "--key-file", &key],
        b"",
    );
    assert!(
        stats.contains("\"tokens\":2") && stats.contains("postgres"),
        "{stats}"
    );
    let verified = ok(
        &["vault", "verify", "--vault", &url, "--key-file", &key],
        b"",
    );
    assert!(verified.contains("\"verified\":2"), "{verified}");
    let audit = d.join("cli-audit").display().to_string();
    let revealed = ok(
        &[
            "reveal",
            "--vault",
            &url,
            "--key-file",
            &key,
            "--audit-dir",
            &audit,
        ],
        out.as_bytes(),
    );
    assert_eq!(revealed, text);
    let log = std::fs::read_to_string(
        phigate::audit::segments(Path::new(&audit))
            .expect("segments")
            .pop()
            .expect("segment"),
    )
    .expect("log");
    assert!(
        log.contains("\"action\":\"reveal\"") && log.contains("cli:reveal"),
        "{log}"
    );
    assert!(!log.contains("66120031"), "{log}");
    // Nothing was taken for a directory.
    assert!(!Path::new("postgres:").exists());
}

/// The "rotate after exposure" drill on a PostgreSQL vault through the real binary: a
/// shared clinician across two patients, `vault rotate-key --new-key-file` (one
/// transaction), then the old key opens nothing, and a copy back into sled under the new key
/// reveals and mints the same tokens (the token root travels with the rows).
#[test]
fn pg_rotate_key_to_a_new_master_key_keeps_tokens_and_refuses_the_old_key() {
    let Some(url) = database("pg_rotate_key_cli") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let old_dir = dir.path().join("old");
    let new_dir = dir.path().join("new");
    std::fs::create_dir_all(&old_dir).expect("mkdir");
    std::fs::create_dir_all(&new_dir).expect("mkdir");
    let old = keygen(&old_dir);
    let new = keygen(&new_dir);
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    crate::vault::init_vault(&old, &a.display().to_string());
    crate::vault::init_vault(&new, &b.display().to_string());
    let notes = [
        "Pt Ottoline Brisk (MRN: MRX-61001). Seen by Dr. Perpetua Vance.\n",
        "Pt Anselm Quarry (MRN: MRX-61002). Seen by Dr. Perpetua Vance.\n",
    ];
    let scan = |vault: &Path, key: &str, note: &str| {
        let out = run(
            &[
                "scan",
                "--policy",
                "reversible",
                "--vault",
                &vault.display().to_string(),
                "--key-file",
                key,
            ],
            note.as_bytes(),
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf8")
    };
    let before: Vec<String> = notes.iter().map(|n| scan(&a, &old, n)).collect();
    let migrated = run(
        &[
            "vault",
            "migrate",
            "--from",
            &format!("sled:{}", a.display()),
            "--to",
            &url,
            "--key-file",
            &old,
        ],
        b"",
    );
    assert!(
        migrated.status.success(),
        "{}",
        String::from_utf8_lossy(&migrated.stderr)
    );
    let audit = dir.path().join("pg-audit").display().to_string();
    let rotated = run(
        &[
            "vault",
            "rotate-key",
            "--vault",
            &url,
            "--key-file",
            &old,
            "--new-key-file",
            &new,
            "--audit-dir",
            &audit,
        ],
        b"",
    );
    assert!(
        rotated.status.success(),
        "{}",
        String::from_utf8_lossy(&rotated.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&rotated.stdout).expect("json");
    assert_eq!(report["new_master_key"], true);
    assert_eq!(report["patient_keys_rewrapped"], 2);
    let verify = |key: &str| {
        run(
            &["vault", "verify", "--vault", &url, "--key-file", key],
            b"",
        )
    };
    let refused = verify(&old);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("does not match"));
    assert!(verify(&new).status.success());
    // Back into sled under the new key: the same values, the same tokens.
    let back = run(
        &[
            "vault",
            "migrate",
            "--from",
            &url,
            "--to",
            &format!("sled:{}", b.display()),
            "--key-file",
            &new,
        ],
        b"",
    );
    assert!(
        back.status.success(),
        "{}",
        String::from_utf8_lossy(&back.stderr)
    );
    for (note, tokenised) in notes.iter().zip(&before) {
        let revealed = run(
            &[
                "reveal",
                "--vault",
                &b.display().to_string(),
                "--key-file",
                &new,
            ],
            tokenised.as_bytes(),
        );
        assert_eq!(String::from_utf8_lossy(&revealed.stdout), *note);
        assert_eq!(&scan(&b, &new, note), tokenised);
    }
}
