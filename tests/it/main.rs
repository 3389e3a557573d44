//! phigate's one integration-test binary (one link step instead of many on 2 cores).
//!
//! - `rules`: every text rule's must-match and must-not-match examples, run as a table.
//! - `audit`: the audit log's tamper detection, segments, search, export and reports.
//! - `cli`: the real `phigate` binary: scan, jsonl, errors, limits, keygen.
//! - `structured`: JSON, FHIR and form payloads through the engine.
//! - `failclosed`: encodings, nested payloads and unknown shapes never let a canary through.
//! - `formats`: HL7 v2 messages and CSV/TSV tables through the engine: must-change and
//!   must-keep values per message type, byte-for-byte reveal.
//! - `corpus`: recall and preservation on the labelled synthetic generator.
//! - `properties`: generated PHI in any Safe Harbor field of a FHIR bundle never survives.
//! - `deploy`: the deployment kit (Kubernetes, systemd, container, example configs) parses.
//! - `gateway`: the real gateway on loopback with a TLS upstream: both directions, auth,
//!   bad input, limits, reload and shutdown; PHI canaries never cross outward.
//! - `leaks`: the leak matrix (issue 12): canary PHI in every channel × encoding × trick, both
//!   directions, through the real gateway; checked in every decoded view; known gaps listed.
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
//! - `fuzz`: the stable fuzz driver: every `phigate::fuzzing` target on its corpus under
//!   `fuzz/corpus/` and on seeded mutations of it.

// Test code may panic on a broken invariant: that is a failing test.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::cast_possible_truncation
)]

mod audit;
mod batch;
mod claims;
mod claims_scrub;
mod cli;
mod corpus;
mod deploy;
mod failclosed;
mod formats;
mod fuzz;
mod gateway;
mod gw_harness;
mod leaks;
mod pgvault;
mod properties;
mod rotation;
mod rules;
mod structured;
mod support;
mod vault;
mod vault_conformance;
