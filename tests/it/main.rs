//! phigate's one integration-test binary (one link step instead of many on 2 cores).
//!
//! - `rules`: every text rule's must-match and must-not-match examples, run as a table.
//! - `audit`: the audit log's tamper detection, segments, search, export and reports.
//! - `audit_devices`: audit entries forwarded to a real TLS syslog receiver and HTTPS
//!   collector (down, full, back), who and where on every request event, route purpose,
//!   and several replicas' logs read as one view.
//! - `cli`: the real `phigate` binary: scan, jsonl, errors, limits, keygen.
//! - `console`: the officer's web console on the real gateway: auth, audited page views, no
//!   PHI in pages, security headers, and the pages driven in real headless Chromium.
//! - `structured`: JSON, FHIR and form payloads through the engine.
//! - `failclosed`: encodings, nested payloads and unknown shapes never let a canary through.
//! - `formats`: HL7 v2 messages and CSV/TSV tables through the engine: must-change and
//!   must-keep values per message type, byte-for-byte reveal.
//! - `cda`: C-CDA / CDA R2 and other XML through the engine and the binary: must-change and
//!   must-keep values, refusals without echo, byte-for-byte reveal.
//! - `corpus`: recall and preservation on the labelled synthetic generator.
//! - `properties`: generated PHI in any Safe Harbor field of a FHIR bundle never survives.
//! - `deploy`: the deployment kit (Kubernetes, systemd, container, example configs) parses.
//! - `gateway`: the real gateway on loopback with a TLS upstream: both directions, auth,
//!   bad input, limits, reload and shutdown; PHI canaries never cross outward.
//! - `leaks`: the leak matrix (issue 12): canary PHI in every channel × encoding × trick, both
//!   directions, through the real gateway; checked in every decoded view; known gaps listed.
//! - `operator`: the analyzer API and `patterns.d` overlays, per-caller rate limits and
//!   upstream circuit breaking, through the real binary and gateway.
//! - `vault`: the encrypted vault through the binary: reveal round trip, wrong keys, locking.
//! - `pgvault`: several gateways on one PostgreSQL vault (minted on one, revealed on another;
//!   concurrent minting; a replica SIGKILLed mid-load) and `vault migrate` both ways.
//! - `vault_conformance`: one behavioural suite (mint, reveal, normalisation, patients and
//!   forgetting, concurrency, durability, the key check) run against the memory, sled and
//!   PostgreSQL stores, and a model test of the sled vault against a `BTreeMap`.
//! - `claims`: claim scrub through the binary: every example's exact findings, malformed
//!   inputs, the JSON Schema, operator NCCI tables, no PHI in output.
//! - `batch`: a document's values go to the token store as one batch (one call per patient,
//!   one PostgreSQL transaction), byte-identical to value by value, never a wrong token.
//! - `mllp`: an `[[mllp]]` channel between a TLS MLLP sender and a real TLS MLLP receiver
//!   (ACKs, order, NAKs, slow and vanishing receivers, cut-off senders, audit); X12 on
//!   claims, reidentify and API routes of the real gateway.
//! - `memory`: patient memory (issue 13, item 4) through the engine with a sled vault: taught
//!   by FHIR, HL7, X12 and CSV, recalled by references, PID-3, member IDs, MRN columns and
//!   notes; evidence for forms that are words; no write for a patient already remembered.
//! - `x12`: X12 837P, 835 and 277CA through the engine: must-change and must-keep values per
//!   policy, envelopes still valid, byte-for-byte reveal, reveal rules on a payer's answer.
//! - `fuzz`: the stable fuzz driver: every `phigate::fuzzing` target on its corpus under
//!   `fuzz/corpus/` and on seeded mutations of it.

// Test code may panic on a broken invariant: that is a failing test.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::cast_possible_truncation
)]

mod audit;
mod audit_devices;
mod batch;
mod cda;
mod claims;
mod claims_scrub;
mod cli;
mod console;
mod corpus;
mod deploy;
mod failclosed;
mod formats;
mod fuzz;
mod gateway;
mod gw_harness;
mod leaks;
mod memory;
mod mllp;
mod operator;
mod pgvault;
mod properties;
mod rotation;
mod rules;
mod structured;
mod support;
mod vault;
mod vault_conformance;
mod x12;
