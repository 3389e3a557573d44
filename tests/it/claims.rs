//! Claim scrub (issue 5) through the real binary: every example claim in `examples/claims/`
//! with the exact findings it must produce, malformed inputs (exit 2 naming a position), the
//! JSON Schema against the JSON examples, operator tables in CMS layouts, and no PHI out.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::support::run;

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/claims")
        .join(name)
}

/// Runs `claims check --format json` and returns (exit code, one JSON value per file).
fn check(args: &[&str]) -> (i32, Vec<Value>, String) {
    let mut all = vec!["claims", "check", "--format", "json"];
    all.extend_from_slice(args);
    let out = run(&all, b"");
    let docs = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    (
        out.status.code().unwrap_or(-1),
        docs,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// (claim, code, line) of every finding in one file's output, sorted.
fn findings(doc: &Value) -> Vec<(u64, String, Option<u64>)> {
    let mut out: Vec<_> = doc["claims"]
        .as_array()
        .expect("claims")
        .iter()
        .flat_map(|c| {
            let n = c["claim"].as_u64().expect("claim");
            c["findings"]
                .as_array()
                .expect("findings")
                .iter()
                .map(move |f| {
                    (
                        n,
                        f["code"].as_str().expect("code").to_string(),
                        f["line"].as_u64(),
                    )
                })
        })
        .collect();
    out.sort();
    out
}

type Expected = &'static [(u64, &'static str, Option<u64>)];

/// Every example and EVERY finding it must produce (nothing more, nothing less).
const EXAMPLES: &[(&str, i32, Expected)] = &[
    ("clean.json", 0, &[]),
    ("clean-commercial.json", 0, &[]),
    ("clean.fhir.json", 0, &[]),
    ("clean.837", 0, &[]),
    (
        "bad.json",
        1,
        &[
            (1, "minutes-timed-over-total", None),
            (1, "units-exceed-time", None),
            (1, "dx-header", None),
            (1, "dx-excludes1", None),
            (1, "dx-first-only", None),
            (1, "doc-goal-not-updated", None),
            (1, "doc-cert-late", None),
            (1, "doc-recert-overdue", None),
            (1, "doc-progress-report-due", None),
            (1, "ncci-ptp-modifier-required", Some(1)),
            (1, "mod-co-missing", Some(1)),
            (1, "mod-kx-missing", Some(1)),
            (1, "upcoding-passive-note", Some(1)),
            (1, "line-no-dx-pointer", Some(2)),
            (1, "mod-discipline-missing", Some(2)),
            (1, "mod-telehealth-missing", Some(2)),
            (1, "mod-kx-missing", Some(2)),
            (1, "units-untimed-multiple", Some(3)),
            (1, "line-dx-pointer-invalid", Some(3)),
            (1, "mod-kx-missing", Some(3)),
            (1, "mod-kx-missing", Some(4)),
            (1, "mod-distinct-unneeded", Some(4)),
        ],
    ),
    (
        "bad-commercial.json",
        1,
        &[
            (1, "dx-excludes1", None),
            (1, "auth-outside-window", None),
            (1, "auth-visits-exceeded", None),
            (1, "auth-number-missing", None),
            (1, "units-per-code-exceed", Some(1)),
            (1, "units-per-code-below", Some(2)),
            (1, "group-size", Some(3)),
        ],
    ),
    (
        "bad.fhir.json",
        1,
        &[
            (1, "dx-not-first", None),
            (1, "units-invalid", Some(1)),
            (1, "ncci-ptp-modifier-required", Some(1)),
            (1, "mod-discipline-missing", Some(1)),
            (1, "dx-cpt-alignment", Some(1)),
            (1, "units-untimed-multiple", Some(2)),
            (1, "line-dx-pointer-invalid", Some(2)),
            (1, "mod-telehealth-missing", Some(3)),
        ],
    ),
    (
        "bad.837",
        1,
        &[
            (1, "dx-header", None),
            (1, "dx-not-first", None),
            (1, "mod-discipline-missing", Some(1)),
            (1, "dx-cpt-alignment", Some(1)),
            (1, "ncci-ptp-modifier-required", Some(2)),
            (2, "mod-telehealth-missing", Some(1)),
            (2, "units-untimed-multiple", Some(2)),
            (2, "mod-telehealth-missing", Some(2)),
        ],
    ),
];

#[test]
fn claims_examples_produce_exactly_their_findings() {
    for (name, exit, expected) in EXAMPLES {
        let path = example(name);
        let (code, docs, stderr) = check(&[path.to_str().expect("path")]);
        assert_eq!(code, *exit, "{name}: exit {code}; stderr {stderr}");
        assert_eq!(docs.len(), 1, "{name}");
        let mut want: Vec<_> = expected
            .iter()
            .map(|(c, f, l)| (*c, (*f).to_string(), *l))
            .collect();
        want.sort();
        assert_eq!(findings(&docs[0]), want, "{name}");
        assert_eq!(docs[0]["passed"].as_bool(), Some(*exit == 0), "{name}");
    }
}

#[test]
fn claims_every_example_file_is_in_the_table() {
    for e in std::fs::read_dir(example("")).expect("dir").flatten() {
        let p = e.path();
        if p.is_file() {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            assert!(
                EXAMPLES.iter().any(|(n, _, _)| *n == name),
                "{name} has no expected findings"
            );
        }
    }
}

#[test]
fn claims_several_files_and_human_output() {
    let (clean, bad) = (example("clean.837"), example("bad.json"));
    let out = run(
        &[
            "claims",
            "check",
            clean.to_str().expect("p"),
            bad.to_str().expect("p"),
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("clean.837: claim 2 (x12, commercial, 2 lines): passed"),
        "{text}"
    );
    assert!(
        text.contains("bad.json: claim 1 (json, medicare, 4 lines): FAILED"),
        "{text}"
    );
    assert!(text.contains("units-exceed-time"), "{text}");
    assert!(
        text.contains("skipped (not in this format): units-vs-minutes"),
        "{text}"
    );
}

#[test]
fn claims_malformed_inputs_exit_2_naming_the_position() {
    for (name, wants) in [
        (
            "malformed/se-count.837",
            &["segment 48 (SE)", "byte", "SE01"][..],
        ),
        ("malformed/truncated.837", &["missing GE"]),
        (
            "malformed/short-isa.837",
            &["segment 1 (ISA) at byte 0", "fixed width"],
        ),
        ("malformed/truncated.json", &["line 2 column"]),
        // Unknown keys are named by position, not repeated (issue 16: a key may be PHI).
        (
            "malformed/misspelt-key.json",
            &["claim 1 line", "unknown key"],
        ),
        ("malformed/not-a-claim.fhir.json", &["Claim or Bundle"]),
    ] {
        let path = example(name);
        let out = run(&["claims", "check", path.to_str().expect("p")], b"");
        assert_eq!(out.status.code(), Some(2), "{name}");
        let err = String::from_utf8_lossy(&out.stderr);
        for w in wants {
            assert!(err.contains(w), "{name}: {err}");
        }
        // Positions, never values: the member id and names in the file stay out.
        assert!(
            !err.contains("TESTPATIENT") && !err.contains("1EG4TE5MK73"),
            "{err}"
        );
    }
    // A bad line spoils only its claim (issue 16): the file's other claim is checked.
    let (code, docs, _) = check(&[example("malformed/sv1-units.837").to_str().expect("p")]);
    assert_eq!(code, 1);
    let e = docs[0]["claims"][0]["error"].as_str().expect("claim error");
    assert!(
        e.contains("segment 27 (SV1)") && e.contains("byte 850") && e.contains("SV104"),
        "{e}"
    );
    assert_eq!(docs[0]["claims"][1]["findings"], serde_json::json!([]));
    // An unusable file among good ones still makes the run exit 2; the good ones report.
    let (code, docs, _) = check(&[
        example("clean.json").to_str().expect("p"),
        example("malformed/truncated.837").to_str().expect("p"),
    ]);
    assert_eq!(code, 2);
    assert_eq!(docs[0]["passed"], true);
    assert!(docs[1]["error"]
        .as_str()
        .expect("error")
        .contains("missing GE"));
}

#[test]
fn claims_output_carries_no_phi() {
    for name in ["bad.json", "bad.fhir.json", "bad.837", "clean.fhir.json"] {
        let path = example(name);
        for format in ["human", "json"] {
            let out = run(
                &[
                    "claims",
                    "check",
                    "--format",
                    format,
                    path.to_str().expect("p"),
                ],
                b"",
            );
            let all = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            for phi in [
                "TESTPATIENT",
                "Testpatient",
                "Synthetic",
                "1EG4TE5MK73",
                "19470312",
                "1950-01-01",
                "TESTACCT",
                "Hot pack",
                "shoulder",
            ] {
                assert!(!all.contains(phi), "{name} {format}: {phi} in output");
            }
        }
    }
}

#[test]
fn claims_profile_flag_and_stdin() {
    let clean = std::fs::read(example("clean.json")).expect("read");
    let out = run(
        &[
            "claims",
            "check",
            "--format",
            "json",
            "--profile",
            "commercial",
            "-",
        ],
        &clean,
    );
    assert_eq!(out.status.code(), Some(0));
    let doc: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(doc["claims"][0]["profile"], "commercial");
    assert_eq!(doc["file"], "-");
    let out = run(&["claims", "check", "--profile", "nope", "-"], &clean);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown claim profile `nope`"));
}

#[test]
fn claims_operator_tables_in_cms_layouts_replace_the_samples() {
    let dir = tempfile::tempdir().expect("tmp");
    // A PTP file in the practitioner layout (notice, wrapped header, tab-separated rows)
    // with a made-up hard edit between two codes clean.json bills, and an MUE file.
    std::fs::write(
        dir.path().join("ccipra-v999r0-f1.txt"),
        "TEST FIXTURE, not CMS data\nColumn 1\tColumn 2\t*=in existence\tEffective\tDeletion\tModifier\tRationale\n\
         \t\tprior to 1996\tDate\tDate\t0=not allowed\t\n\
         97530\t97535\t\t20240101\t*\t0\tTest fixture\n",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("MCR_MUE_PractitionerServices_TEST.csv"),
        "\"TEST FIXTURE, not CMS data\"\nHCPCS/CPT Code,Practitioner Services MUE Values,MUE Adjudication Indicator,MUE Rationale\n97535,1,\"3 Date of Service Edit: Clinical\",Test\n",
    )
    .expect("write");
    let tables = dir.path().to_str().expect("p");
    let (code, docs, stderr) = check(&[
        "--tables",
        tables,
        example("clean.json").to_str().expect("p"),
    ]);
    assert_eq!(code, 1, "{stderr}");
    let f = findings(&docs[0]);
    assert_eq!(
        f,
        [
            (1, "mue-exceeded".to_string(), Some(2)),
            (1, "ncci-ptp-not-allowed".to_string(), Some(2)),
        ]
    );
    let msg = docs[0]["claims"][0]["findings"][0]["message"]
        .as_str()
        .expect("msg");
    assert!(!msg.contains("sample"), "{msg}");

    // A table that does not parse stops start-up with 64, naming the file and line.
    std::fs::write(
        dir.path().join("ccipra-v999r0-f1.txt"),
        "97530\t97535\t\t20240101\t*\t7\tbad indicator\n",
    )
    .expect("write");
    let (code, _, stderr) = check(&[
        "--tables",
        tables,
        example("clean.json").to_str().expect("p"),
    ]);
    assert_eq!(code, 64);
    assert!(stderr.contains("ccipra-v999r0-f1.txt line 1"), "{stderr}");
}

// === JSON Schema ===

/// The subset of JSON Schema (2020-12) that `schemas/claim.schema.json` uses: type, required,
/// properties, additionalProperties: false, items, enum, pattern, minimum, maximum, maxItems,
/// local `$ref`. Small enough to read; no validator crate needed for one schema.
fn validate(schema: &Value, root: &Value, v: &Value, at: &str, errs: &mut Vec<String>) {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let target = root
            .pointer(r.trim_start_matches('#'))
            .expect("ref resolves");
        return validate(target, root, v, at, errs);
    }
    if let Some(t) = schema.get("type").and_then(Value::as_str) {
        let ok = match t {
            "object" => v.is_object(),
            "array" => v.is_array(),
            "string" => v.is_string(),
            "boolean" => v.is_boolean(),
            "integer" => v.is_u64() || v.is_i64(),
            "number" => v.is_number(),
            other => panic!("schema type {other} not supported"),
        };
        if !ok {
            errs.push(format!("{at}: not {t}"));
            return;
        }
    }
    if let Some(e) = schema.get("enum").and_then(Value::as_array) {
        if !e.contains(v) {
            errs.push(format!("{at}: not in enum"));
        }
    }
    if let (Some(p), Some(s)) = (schema.get("pattern").and_then(Value::as_str), v.as_str()) {
        if !regex::Regex::new(p).expect("pattern").is_match(s) {
            errs.push(format!("{at}: does not match {p}"));
        }
    }
    if let (Some(m), Some(x)) = (schema.get("minimum").and_then(Value::as_f64), v.as_f64()) {
        if x < m {
            errs.push(format!("{at}: below {m}"));
        }
    }
    if let (Some(m), Some(x)) = (schema.get("maximum").and_then(Value::as_f64), v.as_f64()) {
        if x > m {
            errs.push(format!("{at}: above {m}"));
        }
    }
    if let Some(obj) = v.as_object() {
        for r in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let r = r.as_str().expect("required name");
            if !obj.contains_key(r) {
                errs.push(format!("{at}: missing required `{r}`"));
            }
        }
        let props = schema.get("properties").and_then(Value::as_object);
        for (k, x) in obj {
            match props.and_then(|p| p.get(k)) {
                Some(s) => validate(s, root, x, &format!("{at}/{k}"), errs),
                None if schema.get("additionalProperties") == Some(&Value::Bool(false)) => {
                    errs.push(format!("{at}: unknown property `{k}`"));
                }
                None => {}
            }
        }
    }
    if let Some(arr) = v.as_array() {
        if let Some(m) = schema.get("maxItems").and_then(Value::as_u64) {
            if arr.len() as u64 > m {
                errs.push(format!("{at}: more than {m} items"));
            }
        }
        if let Some(items) = schema.get("items") {
            for (i, x) in arr.iter().enumerate() {
                validate(items, root, x, &format!("{at}/{i}"), errs);
            }
        }
    }
}

fn schema() -> Value {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/claim.schema.json");
    serde_json::from_slice(&std::fs::read(p).expect("schema")).expect("schema json")
}

#[test]
fn claims_json_examples_validate_against_the_published_schema() {
    let s = schema();
    let mut n = 0;
    for e in std::fs::read_dir(example("")).expect("dir").flatten() {
        let p = e.path();
        let name = p.to_string_lossy().into_owned();
        if !name.ends_with(".json") || name.ends_with(".fhir.json") {
            continue;
        }
        let v: Value = serde_json::from_slice(&std::fs::read(&p).expect("read")).expect("json");
        let mut errs = Vec::new();
        validate(&s, &s, &v, "", &mut errs);
        assert!(errs.is_empty(), "{name}: {errs:?}");
        n += 1;
    }
    assert!(n >= 4);
    // The schema and the parser agree on what is refused.
    let bad: Value = serde_json::from_slice(
        &std::fs::read(example("malformed/misspelt-key.json")).expect("read"),
    )
    .expect("json");
    let mut errs = Vec::new();
    validate(&s, &s, &bad, "", &mut errs);
    assert!(errs.iter().any(|e| e.contains("`minuts`")), "{errs:?}");
    let mut errs = Vec::new();
    validate(&s, &s, &serde_json::json!({"lines": []}), "", &mut errs);
    assert_eq!(errs.len(), 2, "{errs:?}");
}

#[test]
fn claims_schema_names_every_field_the_parser_reads() {
    // Every top-level and line key in the richest example is in the schema, and every key in
    // the schema parses (an example built from all of them passes the binary).
    let s = schema();
    let top: Vec<&String> = s["properties"].as_object().expect("props").keys().collect();
    let line: Vec<&String> = s["$defs"]["line"]["properties"]
        .as_object()
        .expect("line")
        .keys()
        .collect();
    let mut claim = serde_json::json!({
        "schema": "phigate-claim/1", "profile": "medicare", "payer": "x", "claim_id": "PCN1",
        "date_of_service": "2025-01-14", "place_of_service": "11", "rendering_role": "OT",
        "diagnoses": ["I69.351"], "total_timed_minutes": 15, "total_minutes": 20,
        "group_size": 2, "note": "reaching tasks",
        "goals": [{"id": "G1", "functional": true, "updated": true, "status": "met"}],
        "plan_of_care": {"first_treatment_date": "2025-01-02", "certified_date": "2025-01-03",
            "referral_on_file": false, "sent_to_practitioner_date": "2025-01-03",
            "recertified_date": "2025-01-03", "certified_through": "2025-03-01"},
        "progress_report": {"treatment_days_since_last": 1, "this_visit": false},
        "authorization": {"number": "A1", "start": "2025-01-01", "end": "2025-02-01",
            "visits_authorized": 5, "visits_used": 1},
        "therapy_charges_ytd": 0.0, "therapy_allowed_ytd": 0.0,
        "lines": [{"cpt": "97530", "modifiers": ["GO"], "units": 1, "minutes": 15,
            "assistant_minutes": 0, "diagnosis_pointers": [1], "date_of_service": "2025-01-14",
            "place_of_service": "11", "charge": 10.0, "allowed": 8.0, "goals": ["G1"]}]
    });
    let keys: Vec<&String> = claim.as_object().expect("o").keys().collect();
    assert_eq!(keys.len(), top.len(), "example covers every schema key");
    let lkeys = claim["lines"][0].as_object().expect("o").len();
    assert_eq!(lkeys, line.len());
    let mut errs = Vec::new();
    validate(&s, &s, &claim, "", &mut errs);
    assert!(errs.is_empty(), "{errs:?}");
    let out = run(
        &["claims", "check", "--format", "json", "-"],
        claim.to_string().as_bytes(),
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    claim["lines"][0]["units"] = serde_json::json!(1.5);
    let out = run(&["claims", "check", "-"], claim.to_string().as_bytes());
    assert_eq!(out.status.code(), Some(1));
}
