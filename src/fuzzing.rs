//! Fuzz target bodies: one `pub fn <target>(data: &[u8])` per parser that reads untrusted
//! bytes, shared by the cargo-fuzz targets in `fuzz/fuzz_targets/` (nightly, libFuzzer) and
//! the stable driver in `tests/it/fuzz.rs` (corpus files plus seeded mutations).
//!
//! Owns the invariants each target asserts, beyond "no panic": a parse error is an `Err`;
//! de-identified output reads in the format it came in (JSON stays JSON with the same
//! top-level shape, an HL7 message keeps its segments, XML stays well-formed and reveals
//! to well-formed XML, a table and a form still parse); a
//! charset round trip gives back the text; a canonical view maps back inside its input; a
//! claim payload yields one report per claim; an audit log that verifies has at most one
//! entry per line; a backup whose frames decode restores, and one whose frames do not is
//! refused at the first bad frame. Owns no parser: each target calls the real one.
//!
//! Setup that cannot fail on good builds (the built-in patterns and tables) is done once per
//! process and may panic, which is a build bug, not a finding. Not part of the public API.

use std::path::PathBuf;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};

use ring::aead::Aad;

use crate::audit::verify::{self, Trust};
use crate::audit::{split_mac, AuditKeys};
use crate::canon::Canon;
use crate::charset::{self, Encoding};
use crate::claims::{self, Checker, Format};
use crate::config::Config;
use crate::engine::{ContentType, Engine, ScanError};
use crate::keys::MasterKey;
use crate::patterns::Patterns;
use crate::transform::token::MemoryTokenStore;
use crate::vault::backup::{self, aad, backup_key, nonce, BackupError, MAGIC};
use crate::vault::SledVault;

/// A target body: any bytes in, a panic only on a broken invariant.
pub type Target = fn(&[u8]);

/// Every target, by the name its corpus directory and cargo-fuzz binary carry.
pub const TARGETS: &[(&str, Target)] = &[
    ("json", json),
    ("fhir_json", fhir_json),
    ("form", form),
    ("hl7", hl7),
    ("csv", csv),
    ("xml", xml),
    ("x12", x12),
    ("x12_institutional", x12_institutional),
    ("remit", remit),
    ("mllp", mllp),
    ("claim_json", claim_json),
    ("fhir_claim", fhir_claim),
    ("content", content),
    ("config", config),
    ("audit", audit),
    ("backup", backup),
];

/// The master key every target runs under; seed inputs that carry keyed data (audit MACs,
/// backup key checks) are made with it.
pub const MASTER_KEY: [u8; 32] = [0x5A; 32];

// === de-identification targets ===

/// The JSON walker (`application/json`).
pub fn json(data: &[u8]) {
    deidentify_checked(data, ContentType::Json);
}

/// The FHIR walker (`application/fhir+json`).
pub fn fhir_json(data: &[u8]) {
    deidentify_checked(data, ContentType::FhirJson);
}

/// Form bodies (`application/x-www-form-urlencoded`).
pub fn form(data: &[u8]) {
    deidentify_checked(data, ContentType::Form);
}

/// HL7 v2 messages (ER7).
pub fn hl7(data: &[u8]) {
    deidentify_checked(data, ContentType::Hl7);
}

/// CSV, and the same bytes as TSV.
pub fn csv(data: &[u8]) {
    deidentify_checked(data, ContentType::Csv);
    deidentify_checked(data, ContentType::Tsv);
}

/// XML documents (C-CDA and any other XML), and the reveal of what they became.
pub fn xml(data: &[u8]) {
    deidentify_checked(data, ContentType::Xml);
}

/// Content-type and charset handling, the canonical view, and nested payloads: the first
/// line is a `Content-Type` value, the rest the body.
pub fn content(data: &[u8]) {
    let (header, body) = split_header(data);
    let declared = charset_param(header);
    let content_type =
        ContentType::from_str(header).unwrap_or_else(|_| ContentType::infer(None, body));
    // Both readers, which differ by design: a byte-order mark outweighs a label only in
    // `decode_text`.
    let _ = charset::to_utf8(body, declared);
    let Ok((text, encoding)) = charset::decode_text(body, declared) else {
        return;
    };
    assert_charset_round_trip(&text, encoding, declared);
    assert_canon_maps_back(&text);
    deidentify_checked(text.as_bytes(), content_type);
    // The same text as a string inside JSON: the walker's nested-payload decoding.
    if let Ok(wrapped) = serde_json::to_string(&serde_json::json!({ "note": text })) {
        deidentify_checked(wrapped.as_bytes(), ContentType::Json);
    }
}

// === claim targets ===

/// X12 837P/837I: the claim reader, and the same bytes through the X12 de-identifier.
pub fn x12(data: &[u8]) {
    claims_checked(data, Format::X12);
    deidentify_checked(data, ContentType::X12);
}

/// MLLP frames (`0x0B … 0x1C 0x0D`) as an `[[mllp]]` channel reads them: every frame read
/// holds no end byte and is written back to the same bytes; each message then goes through
/// the HL7 de-identifier, as the channel sends it.
pub fn mllp(data: &[u8]) {
    static RT: OnceLock<Option<tokio::runtime::Runtime>> = OnceLock::new();
    let Some(rt) = RT.get_or_init(|| tokio::runtime::Builder::new_current_thread().build().ok())
    else {
        return;
    };
    let frames = rt.block_on(async {
        let mut r = tokio::io::BufReader::new(data);
        let mut frames = Vec::new();
        while let Ok(Some(f)) = crate::gateway::mllp::read_frame(&mut r, 1 << 16).await {
            frames.push(f);
        }
        frames
    });
    for f in &frames {
        assert!(!f.contains(&0x1C), "a frame holds its end byte");
        let mut written = Vec::new();
        let wrote = rt.block_on(crate::gateway::mllp::write_frame(&mut written, f));
        assert!(wrote.is_ok());
        let again = rt.block_on(async {
            crate::gateway::mllp::read_frame(&mut tokio::io::BufReader::new(&written[..]), 1 << 16)
                .await
                .ok()
                .flatten()
        });
        assert_eq!(again.as_ref(), Some(f), "a frame does not read back");
        deidentify_checked(f, ContentType::Hl7);
    }
}

/// X12 837I (its corpus is institutional claims): as [`x12`], and every claim read from an
/// 837I envelope is marked institutional, its lines with a 4-digit revenue code or none.
pub fn x12_institutional(data: &[u8]) {
    claims_checked(data, Format::X12);
    let Ok(parsed) = claims::x12::parse(data) else {
        return;
    };
    let institutional = data.windows(12).any(|w| w == b"005010X223A2");
    for c in parsed.iter().flatten() {
        if c.institutional {
            assert!(
                institutional,
                "an institutional claim outside an 837I envelope"
            );
            for l in &c.lines {
                assert!(
                    l.revenue_code.as_ref().is_none_or(|r| r.len() == 4),
                    "a revenue code that is not 4 digits"
                );
            }
        }
    }
}

/// X12 835 remittances: read, then summarised against an empty ledger. Every claim read
/// is counted once, every code kept has a code's shape, and the control numbers read come
/// back through the summary's neighbour ([`claims::remit::controls_named`]).
pub fn remit(data: &[u8]) {
    let codes = &fixture().checker.tables().remit;
    let Ok(read) = claims::remit::x835::parse(data, codes) else {
        return;
    };
    for r in read.iter().flatten() {
        for a in &r.adjustments {
            assert!(
                claims::remit::x835::is_carc(&a.carc),
                "a CARC of the wrong shape"
            );
            assert!(codes.group_known(&a.group), "an unknown group kept");
        }
        for m in &r.remarks {
            assert!(claims::remit::x835::is_rarc(m), "a RARC of the wrong shape");
        }
    }
    let ledger = claims::remit::Ledger::default();
    let (s, errors) = claims::remit::summarize([data], codes, &ledger);
    assert!(
        errors.is_empty(),
        "a file read once and refused the next time"
    );
    assert_eq!(
        Some(s.remits),
        u64::try_from(read.len()).ok(),
        "one count per claim"
    );
    assert_eq!(s.adjudicated, s.paid + s.denied);
    assert_eq!(
        s.remits,
        s.adjudicated + s.reversals + s.other + s.unreadable
    );
    assert_eq!(s.matched, 0, "nothing matches an empty ledger");
    let named = claims::remit::controls_named([data], codes);
    assert!(read.iter().flatten().all(|r| named.contains(&r.control.0)));
}

/// phigate's JSON claim.
pub fn claim_json(data: &[u8]) {
    claims_checked(data, Format::Json);
}

/// FHIR R4 `Claim` (a resource or a Bundle).
pub fn fhir_claim(data: &[u8]) {
    claims_checked(data, Format::Fhir);
}

// === operator-file and storage targets ===

/// The gateway's configuration file.
pub fn config(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = Config::parse("fuzz.toml", text);
    }
}

/// Audit log lines and their verification: bytes before the first `0xFF` are a segment
/// file, bytes after it `checkpoints.jsonl`. Verified with the master key (MACs checked)
/// and with the public key only (MACs skipped, so mutated lines reach the entry parser).
pub fn audit(data: &[u8]) {
    let (segment, checkpoints) = match data.iter().position(|b| *b == 0xFF) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    for line in String::from_utf8_lossy(data).lines() {
        let _ = split_mac(line);
        let _ = verify::parse_pin(line);
    }
    let fx = fixture();
    let Some(dir) = scratch_dir("audit") else {
        return;
    };
    let written = std::fs::write(dir.join("audit-0000000000000001.jsonl"), segment)
        .and_then(|()| std::fs::write(dir.join(crate::audit::CHECKPOINTS), checkpoints));
    if written.is_err() {
        return;
    }
    let lines = segment.split(|b| *b == b'\n').count() as u64;
    for trust in [
        Trust::Keys(&fx.audit_keys),
        Trust::PublicKey(fx.audit_keys.public_key()),
    ] {
        if let Ok(Ok(report)) = verify::verify(&dir, &trust) {
            assert!(report.entries <= lines, "more entries than lines");
        }
    }
}

/// Vault backup frames. A first byte that is even feeds the rest to `import` as a file; an
/// odd one takes the rest as the plaintext of frames (split at `0xFF`), sealed as `export`
/// seals them, so mutations reach the entry decoder behind the integrity check.
pub fn backup(data: &[u8]) {
    let Some((mode, rest)) = data.split_first() else {
        return;
    };
    let mut vaults = BACKUP_VAULT.lock().unwrap_or_else(|e| e.into_inner());
    let Some(target) = empty_vault(&mut vaults) else {
        return;
    };
    if mode % 2 == 0 {
        let _ = backup::import(&target.vault, &fixture().master, &mut &rest[..]);
        return;
    }
    let frames: Vec<&[u8]> = rest.split(|b| *b == 0xFF).collect();
    let file = sealed_backup(&target.vault, &frames);
    let result = backup::import(&target.vault, &fixture().master, &mut &file[..]);
    match frames.iter().position(|f| !frame_decodes(f)) {
        Some(bad) => assert!(
            matches!(result, Err(BackupError::Damaged(n)) if n == bad as u64),
            "frame {bad} does not decode, yet import answered {result:?}"
        ),
        None => assert!(
            !matches!(
                result,
                Err(BackupError::Damaged(_) | BackupError::Truncated | BackupError::NotABackup)
            ),
            "every frame decodes, yet import answered {result:?}"
        ),
    }
}

// === shared checks ===

/// What every target shares: the engine and its token store, the claim tables, the keys.
struct Fixture {
    engine: Engine,
    master: MasterKey,
    store: MemoryTokenStore,
    checker: Checker,
    audit_keys: AuditKeys,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    // The built-in patterns, tables and a fixed key: failing here is a build bug.
    #[allow(clippy::expect_used)]
    FIXTURE.get_or_init(|| {
        let master = MasterKey::from_bytes(MASTER_KEY);
        Fixture {
            engine: Engine::build(&Patterns::builtin()).expect("built-in patterns"),
            store: MemoryTokenStore::new(&master, "fuzz"),
            checker: Checker::load(None).expect("built-in claim tables"),
            audit_keys: AuditKeys::derive(&master).expect("audit keys"),
            master,
        }
    })
}

/// The policies a document may be de-identified under; the input picks one, so every
/// policy meets every shape.
const POLICIES: [&str; 3] = ["safe-harbor", "limited-data-set", "reversible"];

/// De-identifies `data` labelled `content_type` and checks the output reads in that format.
fn deidentify_checked(data: &[u8], content_type: ContentType) {
    let fx = fixture();
    let Some(policy) = fx.engine.policy(POLICIES[data.len() % POLICIES.len()]) else {
        return;
    };
    let t = fx.engine.transformer(policy, &fx.store, &fx.master);
    let mut scratch = fx.engine.detector.scratch();
    let Ok(out) = fx.engine.deidentify(data, content_type, &t, &mut scratch) else {
        return;
    };
    let Ok(input) = std::str::from_utf8(data) else {
        panic!("non-UTF-8 input was de-identified");
    };
    let input = input.trim_start_matches('\u{feff}');
    match content_type {
        ContentType::Json | ContentType::FhirJson => assert_json_kept(input, &out.text),
        ContentType::NdJson => {}
        ContentType::Hl7 => assert_segments_kept(input, &out.text),
        ContentType::Xml => assert_xml_kept(&out.text),
        ContentType::X12 => assert_x12_kept(input, &out.text),
        ContentType::Form | ContentType::Csv | ContentType::Tsv => {
            let again = fx
                .engine
                .deidentify(out.text.as_bytes(), content_type, &t, &mut scratch);
            assert!(
                !matches!(again, Err(e) if is_syntax(&e)),
                "{content_type:?} output no longer parses as {content_type:?}"
            );
        }
        ContentType::Text => {}
    }
}

/// Input that is JSON stays JSON, with the same top-level kind and array length.
fn assert_json_kept(input: &str, output: &str) {
    let Ok(before) = serde_json::from_str::<serde_json::Value>(input) else {
        return;
    };
    let after: serde_json::Value = match serde_json::from_str(output) {
        Ok(v) => v,
        Err(e) => panic!("JSON in, not JSON out: {e}"),
    };
    assert_eq!(kind(&before), kind(&after), "top-level JSON kind changed");
    if let (Some(a), Some(b)) = (before.as_array(), after.as_array()) {
        assert_eq!(a.len(), b.len(), "top-level array length changed");
    }
}

fn kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "bool",
        serde_json::Value::Number(_) => "number",
        serde_json::Value::String(_) => "string",
        serde_json::Value::Array(_) => "array",
        serde_json::Value::Object(_) => "object",
    }
}

/// An HL7 message keeps its segments: as many lines, and every well-formed segment
/// identifier (`[A-Z][A-Z0-9]{2}|`) where it was. A line without one is read as data, so it
/// may change.
fn assert_segments_kept(input: &str, output: &str) {
    if !input.trim_start().starts_with("MSH") {
        return;
    }
    let ids = |s: &str| -> Vec<Option<String>> {
        s.split(['\r', '\n'])
            .filter(|l| !l.trim().is_empty())
            .map(segment_id)
            .collect()
    };
    let (before, after) = (ids(input), ids(output));
    assert_eq!(before.len(), after.len(), "HL7 segment count changed");
    for (b, a) in before.iter().zip(&after) {
        if b.is_some() {
            assert_eq!(b, a, "HL7 segment identifier changed");
        }
    }
}

/// An X12 interchange keeps its structure: the same segment identifiers in the same order,
/// each with as many elements, and the ISA byte for byte (counts and control numbers are
/// checked on well-formed interchanges by the table tests: fuzzed ones hold anything). Read with the output's own delimiters, so a value that split an element shows.
fn assert_x12_kept(input: &str, output: &str) {
    let shape = |s: &str| -> Option<Vec<(String, usize)>> {
        let t = s.trim_start();
        let b = t.as_bytes();
        let (el, seg) = (char::from(*b.get(3)?), char::from(*b.get(105)?));
        Some(
            t.split(seg)
                .map(str::trim)
                .filter(|x| !x.is_empty())
                .map(|x| {
                    let parts: Vec<&str> = x.split(el).collect();
                    (parts[0].to_string(), parts.len())
                })
                .collect(),
        )
    };
    assert_eq!(
        shape(input),
        shape(output),
        "X12 segments or element counts changed"
    );
    let envelope = |s: &str| -> Vec<String> {
        let t = s.trim_start();
        let Some(seg) = t.as_bytes().get(105).map(|b| char::from(*b)) else {
            return Vec::new();
        };
        t.split(seg)
            .map(str::trim)
            .filter(|x| x.starts_with("ISA"))
            .map(str::to_string)
            .collect()
    };
    assert_eq!(envelope(input), envelope(output), "X12 envelope changed");
}

fn segment_id(line: &str) -> Option<String> {
    let b = line.as_bytes();
    let well_formed = b.len() >= 4
        && b[0].is_ascii_uppercase()
        && b[1..3]
            .iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        && b[3] == b'|';
    well_formed.then(|| line[..3].to_string())
}

/// XML in, XML out: what was de-identified reads again as XML, and a reveal of it (no
/// tokens known to this store are revealed twice) reads as XML too.
fn assert_xml_kept(output: &str) {
    let fx = fixture();
    assert!(
        crate::engine::xml::reads(output),
        "XML in, output no longer reads as XML"
    );
    let mut stats = crate::engine::reveal::RevealStats::default();
    let revealed = crate::engine::reveal::reveal_xml(
        output,
        &fx.store,
        &crate::engine::reveal::Allow::all(),
        &mut stats,
    );
    match revealed {
        Ok(text) => assert!(
            crate::engine::xml::reads(&text),
            "revealed XML no longer reads as XML"
        ),
        Err(e) => panic!("de-identified XML could not be revealed: {e}"),
    }
}

/// Errors that mean "this is not the format it claims to be".
fn is_syntax(e: &ScanError) -> bool {
    matches!(
        e,
        ScanError::Utf8 { .. }
            | ScanError::Json { .. }
            | ScanError::Form(_)
            | ScanError::Hl7(_)
            | ScanError::X12 { .. }
            | ScanError::Csv { .. }
            | ScanError::Xml { .. }
    )
}

/// Text written back in the encoding it was read in reads as the same text.
fn assert_charset_round_trip(text: &str, encoding: Encoding, declared: Option<&str>) {
    // Latin-1 writes characters it cannot hold as `?`; windows-1252 maps 0x80..0x9F to
    // characters above U+00FF. Neither is meant to round-trip every text.
    if encoding == Encoding::Latin1 {
        return;
    }
    let bytes = charset::encode(text, encoding);
    match charset::decode_text(&bytes, declared) {
        Ok((again, _)) => assert_eq!(again, text, "charset round trip changed the text"),
        Err(e) => panic!("text written as {encoding:?} does not read back: {e}"),
    }
}

/// Every range of a canonical view maps back to an ordered range inside its input.
fn assert_canon_maps_back(text: &str) {
    let Some(view) = Canon::of(text) else {
        return;
    };
    let v = view.text();
    let bounds: Vec<usize> = v.char_indices().map(|(i, _)| i).chain([v.len()]).collect();
    for pair in bounds.windows(2) {
        let (s, e) = view.source_range(pair[0], pair[1]);
        assert!(
            s <= e && e <= text.len(),
            "view range maps outside its input"
        );
    }
    if !v.is_empty() {
        let (s, e) = view.source_range(0, v.len());
        assert!(
            s <= e && e <= text.len(),
            "whole view maps outside its input"
        );
    }
}

/// Parses a claim payload and runs the edits over what was read: one report per claim.
fn claims_checked(data: &[u8], format: Format) {
    let _ = Format::sniff(data);
    let _ = Format::from_hint(format.as_str(), data);
    let Ok(parsed) = claims::parse(format, data) else {
        return;
    };
    assert!(!parsed.is_empty(), "a parsed payload holds a claim");
    let reports = fixture().checker.check_parsed(&parsed, format, None);
    assert_eq!(reports.len(), parsed.len(), "one report per claim");
    for (r, p) in reports.iter().zip(&parsed) {
        if p.is_err() {
            assert!(!r.readable() && !r.passed(), "an unread claim passed");
        }
    }
}

fn split_header(data: &[u8]) -> (&str, &[u8]) {
    let end = data.iter().take(256).position(|b| *b == b'\n').unwrap_or(0);
    let header = std::str::from_utf8(&data[..end]).unwrap_or("");
    let body = data.get(end + 1..).filter(|_| end > 0).unwrap_or(data);
    (header, body)
}

fn charset_param(header: &str) -> Option<&str> {
    header.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim().eq_ignore_ascii_case("charset").then_some(v)
    })
}

// === scratch space for the file-based targets ===

/// A directory of this process for the target `name`, emptied and made again.
fn scratch_dir(name: &str) -> Option<PathBuf> {
    let dir = std::env::temp_dir().join(format!("phigate-fuzz-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).ok()?;
    Some(dir)
}

/// An empty sled vault for imports, reused while imports leave it empty (most are refused)
/// and replaced when one restored something.
struct BackupTarget {
    dir: PathBuf,
    vault: SledVault,
}

static BACKUP_VAULT: Mutex<Option<BackupTarget>> = Mutex::new(None);

fn empty_vault(slot: &mut Option<BackupTarget>) -> Option<&BackupTarget> {
    let still_empty = slot
        .as_ref()
        .is_some_and(|t| t.vault.is_empty() && t.vault.subjects().is_ok_and(|n| n == 0));
    if !still_empty {
        if let Some(old) = slot.take() {
            let dir = old.dir.clone();
            drop(old);
            let _ = std::fs::remove_dir_all(dir);
        }
        static N: AtomicU64 = AtomicU64::new(0);
        let dir = scratch_dir(&format!("vault-{}", N.fetch_add(1, Ordering::Relaxed)))?;
        let vault = SledVault::open(&dir, &fixture().master).ok()?;
        *slot = Some(BackupTarget { dir, vault });
    }
    slot.as_ref()
}

/// A version 2 backup of `frames` (each one frame's plaintext) for `vault`'s key, sealed as
/// `backup::export` seals its frames.
fn sealed_backup(vault: &SledVault, frames: &[&[u8]]) -> Vec<u8> {
    let salt = [0x11u8; 16];
    let mut out = Vec::new();
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&salt);
    out.extend_from_slice(vault.key_check().as_ref());
    out.extend_from_slice(&1u32.to_be_bytes());
    out.extend_from_slice(&0u64.to_be_bytes());
    let Ok(key) = backup_key(&fixture().master, &salt) else {
        return out;
    };
    for (n, plain) in frames.iter().enumerate() {
        let last = n + 1 == frames.len();
        let mut sealed = plain.to_vec();
        let n = n as u64;
        if key
            .seal_in_place_append_tag(nonce(n), Aad::from(aad(n, last)), &mut sealed)
            .is_err()
        {
            return out;
        }
        out.push(u8::from(last));
        out.extend_from_slice(
            &u32::try_from(sealed.len())
                .unwrap_or(u32::MAX)
                .to_be_bytes(),
        );
        out.extend_from_slice(&sealed);
    }
    out
}

/// Whether a frame's plaintext is a run of `tree (0..=2) | key | value` entries.
fn frame_decodes(mut b: &[u8]) -> bool {
    fn skip_field(b: &mut &[u8]) -> bool {
        let Some(len) = b.get(..4).and_then(|l| <[u8; 4]>::try_from(l).ok()) else {
            return false;
        };
        let len = u32::from_be_bytes(len) as usize;
        match b.get(4..).and_then(|rest| rest.get(len..)) {
            Some(rest) => {
                *b = rest;
                true
            }
            None => false,
        }
    }
    while let Some((tree, rest)) = b.split_first() {
        // Trees 0 to 4: tokens, index, keyring, holdings, meta.
        if *tree > 4 {
            return false;
        }
        b = rest;
        if !skip_field(&mut b) || !skip_field(&mut b) {
            return false;
        }
    }
    true
}

/// Removes the scratch directories `target` left in this process (the stable driver calls
/// it when the target is done; libFuzzer's process leaves them to the system's temp cleaner).
pub fn clean_up(target: &str) {
    if target == "backup" {
        if let Ok(mut slot) = BACKUP_VAULT.lock() {
            slot.take();
        }
    }
    let prefix = format!("phigate-fuzz-{}-", std::process::id());
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(owner) = name.strip_prefix(&prefix) else {
            continue;
        };
        let mine = match target {
            "backup" => owner.starts_with("vault-"),
            other => owner == other,
        };
        if mine {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}
