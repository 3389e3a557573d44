//! Claim scrub, round two (issue 16) through the real binary: one table per finding, in every
//! format that carries its facts (JSON claim, FHIR R4 Claim, X12 837P), written from the rules
//! in `domain/claims.md` and the issue: crossover 837P claims keep Medicare's edits, valid
//! input is read (diagnosisReference, SV103=MJ), every claim of a file is reported on its own,
//! messages never carry input values, sample NCCI pairs only warn, FHIR claims that are not
//! OT Part B claims get only the general edits, and wrong-format files say what was expected.

use serde_json::{json, Value};

use crate::support::run;

/// Runs `claims check --format json -` on `input` (plus `args`): (exit, the file's JSON, stderr).
fn check(input: &[u8], args: &[&str]) -> (i32, Value, String) {
    let mut all = vec!["claims", "check", "--format", "json"];
    all.extend_from_slice(args);
    all.push("-");
    let out = run(&all, input);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let doc = stdout
        .lines()
        .next()
        .map_or(Value::Null, |l| serde_json::from_str(l).expect("json line"));
    (
        out.status.code().unwrap_or(-1),
        doc,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// (code, severity) of every finding of claim `n` (from 1).
fn findings(doc: &Value, n: usize) -> Vec<(String, String)> {
    doc["claims"][n - 1]["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| {
                    (
                        f["code"].as_str().unwrap_or("").to_string(),
                        f["severity"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn codes(doc: &Value, n: usize) -> Vec<String> {
    findings(doc, n).into_iter().map(|(c, _)| c).collect()
}

// === builders ===

/// A JSON claim line: (cpt, modifiers, units, minutes).
fn jline(cpt: &str, mods: &[&str], units: u32, minutes: Option<u32>) -> Value {
    let mut l = json!({"cpt": cpt, "modifiers": mods, "units": units, "diagnosis_pointers": [1]});
    if let Some(m) = minutes {
        l["minutes"] = json!(m);
    }
    l
}

fn jclaim(profile: &str, lines: Vec<Value>) -> Value {
    json!({"profile": profile, "date_of_service": "2025-01-14", "place_of_service": "11",
           "diagnoses": ["I69.351", "M62.81"], "lines": lines})
}

/// A FHIR item: (code, modifiers, quantity).
fn fitem(seq: u32, code: &str, mods: &[&str], qty: u32) -> Value {
    json!({"sequence": seq,
           "productOrService": {"coding": [{"system": "http://www.ama-assn.org/go/cpt", "code": code}]},
           "modifier": mods.iter().map(|m| json!({"coding": [{"code": m}]})).collect::<Vec<_>>(),
           "quantity": {"value": qty}, "diagnosisSequence": [1], "servicedDate": "2025-01-14",
           "locationCodeableConcept": {"coding": [{"code": "11"}]}})
}

fn fclaim(medicare: bool, items: Vec<Value>) -> Value {
    let payor = if medicare {
        "Medicare Part B"
    } else {
        "Test Commercial"
    };
    json!({"resourceType": "Claim", "status": "active",
           "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/claim-type", "code": "professional"}]},
           "use": "claim", "billablePeriod": {"start": "2025-01-14"},
           "contained": [{"resourceType": "Coverage", "id": "cov", "status": "active", "payor": [{"display": payor}]}],
           "diagnosis": [{"sequence": 1, "diagnosisCodeableConcept": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "I69.351"}]}}],
           "item": items})
}

/// One 837 claim: the 2000B SBR, the 2320 SBR (or none) and its SV1 (837P) or SV2 (837I)
/// segments.
struct X12Claim<'a> {
    sbr: &'a str,
    other: Option<&'a str>,
    service: &'a [&'a str],
}

/// An 837P file, envelope and counts right, one subscriber per claim.
fn x12(claims: &[X12Claim<'_>]) -> Vec<u8> {
    let mut body: Vec<String> = vec![
        "ST*837*0001*005010X222A1".into(),
        "BHT*0019*00*OTBATCH0001*20250115*1030*CH".into(),
        "NM1*41*2*SUNRISE HAND THERAPY*****46*TESTSUB01".into(),
        "NM1*40*2*TEST CLEARINGHOUSE*****46*TESTCH01".into(),
        "HL*1**20*1".into(),
        "NM1*85*2*SUNRISE HAND THERAPY*****XX*1234567893".into(),
    ];
    for (i, c) in claims.iter().enumerate() {
        body.push(format!("HL*{}*1*22*0", i + 2));
        body.push(c.sbr.into());
        body.push("NM1*IL*1*TESTPATIENT*ONE****MI*1EG4TE5MK73".into());
        body.push(format!("CLM*TESTACCT{i}*100***11:B:1*Y*A*Y*Y"));
        body.push("HI*ABK:I69351*ABF:M6281".into());
        if let Some(o) = c.other {
            body.push(o.into());
            body.push("NM1*IL*1*TESTPATIENT*ONE****MI*TESTMEMBER02".into());
        }
        for (n, sv1) in c.service.iter().enumerate() {
            body.push(format!("LX*{}", n + 1));
            body.push((*sv1).into());
            body.push("DTP*472*D8*20250114".into());
        }
    }
    body.push(format!("SE*{}*0001", body.len() + 1));
    let mut out = String::from("ISA*00*          *00*          *ZZ*PHIGATETEST    *ZZ*TESTCLEARING   *250115*1030*^*00501*000000101*0*T*:~\nGS*HC*PHIGATETEST*TESTCLEARING*20250115*1030*101*X*005010X222A1~\n");
    for s in body {
        out.push_str(&s);
        out.push_str("~\n");
    }
    out.push_str("GE*1*101~\nIEA*1*000000101~\n");
    out.into_bytes()
}

/// The same file as an 837I: the guide version and CLM05 (facility type 13, hospital
/// outpatient) changed; the claims' service segments must be SV2.
fn x12_institutional(claims: &[X12Claim<'_>]) -> Vec<u8> {
    String::from_utf8(x12(claims))
        .expect("utf8")
        .replace("005010X222A1", "005010X223A2")
        .replace("*11:B:1*", "*13:A:1*")
        .into_bytes()
}

fn bytes(v: &Value) -> Vec<u8> {
    v.to_string().into_bytes()
}

// === 1. crossover claims ===

#[test]
fn claims_crossover_837p_keeps_medicare_edits() {
    // (2000B SBR, 2320 SBR, profile the claim must be checked under)
    let table: &[(&str, Option<&str>, &str)] = &[
        // Medicare primary; Medicaid / commercial secondary in 2320.
        ("SBR*P*18*******MB", Some("SBR*S*18*******MC"), "medicare"),
        ("SBR*P*18*******MB", Some("SBR*S*18*******CI"), "medicare"),
        // Billed to the secondary after Medicare paid as primary (2320 SBR01=P).
        ("SBR*S*18*******MC", Some("SBR*P*18*******MB"), "medicare"),
        // Commercial primary, Medicare secondary: commercial rules.
        ("SBR*P*18*******CI", Some("SBR*S*18*******MB"), "commercial"),
        ("SBR*P*18*******MB", None, "medicare"),
    ];
    for (sbr, other, profile) in table {
        // 97530 without GO: Medicare requires GO, commercial does not.
        let file = x12(&[X12Claim {
            sbr,
            other: *other,
            service: &["SV1*HC:97530*100*UN*1***1"],
        }]);
        let (code, doc, err) = check(&file, &[]);
        assert_eq!(
            doc["claims"][0]["profile"], *profile,
            "{sbr} {other:?}: {err}"
        );
        let missing_go = codes(&doc, 1).contains(&"mod-discipline-missing".to_string());
        assert_eq!(missing_go, *profile == "medicare", "{sbr} {other:?}");
        assert_eq!(code, if *profile == "medicare" { 1 } else { 0 }, "{sbr}");
    }
}

// === 2. valid input read, one claim never hides another ===

#[test]
fn claims_fhir_diagnosis_reference_is_read() {
    for (reference, condition_in_bundle) in [
        ("#dx1", false),
        ("urn:uuid:dx1", true),
        ("Condition/dx1", true),
    ] {
        let condition = json!({"resourceType": "Condition", "id": "dx1",
            "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "I69.351"}]}});
        let mut claim = fclaim(true, vec![fitem(1, "97530", &["GO"], 1)]);
        claim["diagnosis"] =
            json!([{"sequence": 1, "diagnosisReference": {"reference": reference}}]);
        let doc = if condition_in_bundle {
            json!({"resourceType": "Bundle", "type": "collection", "entry": [
                {"fullUrl": "urn:uuid:dx1", "resource": condition},
                {"resource": claim}]})
        } else {
            claim["contained"]
                .as_array_mut()
                .expect("contained")
                .push(condition);
            claim
        };
        let (code, out, err) = check(&bytes(&doc), &[]);
        assert_eq!(code, 0, "{reference}: {out} {err}");
    }
}

#[test]
fn claims_837p_minutes_quantity_is_a_finding_not_unusable() {
    let file = x12(&[X12Claim {
        sbr: "SBR*P*18*******MB",
        other: None,
        service: &["SV1*HC:97530:GO*100*MJ*30***1"],
    }]);
    let (code, doc, err) = check(&file, &[]);
    assert_eq!(code, 1, "{doc} {err}");
    assert_eq!(codes(&doc, 1), ["units-in-minutes"]);
}

#[test]
fn claims_one_unreadable_claim_does_not_hide_the_others() {
    let good = jclaim("medicare", vec![jline("97530", &["GO"], 1, Some(15))]);
    let mut bad = good.clone();
    bad["lines"][0]["units"] = json!("one");
    let mut flagged = good.clone();
    flagged["lines"][0]["modifiers"] = json!([]);
    let f_good = fclaim(true, vec![fitem(1, "97530", &["GO"], 1)]);
    let mut f_bad = f_good.clone();
    f_bad["item"][0]["quantity"]["value"] = json!("one");
    let inputs: Vec<(&str, Vec<u8>)> = vec![
        ("json", bytes(&json!([good, bad, flagged]))),
        (
            "fhir",
            bytes(&json!({"resourceType": "Bundle", "entry": [
                {"resource": f_good}, {"resource": f_bad},
                {"resource": fclaim(true, vec![fitem(1, "97530", &[], 1)])}]})),
        ),
        (
            "x12",
            x12(&[
                X12Claim {
                    sbr: "SBR*P*18*******MB",
                    other: None,
                    service: &["SV1*HC:97530:GO*100*UN*1***1"],
                },
                X12Claim {
                    sbr: "SBR*P*18*******MB",
                    other: None,
                    service: &["SV1*HC:97530:GO*100*DA*1***1"],
                },
                X12Claim {
                    sbr: "SBR*P*18*******MB",
                    other: None,
                    service: &["SV1*HC:97530*100*UN*1***1"],
                },
            ]),
        ),
    ];
    for (format, input) in inputs {
        let (code, doc, err) = check(&input, &[]);
        assert_eq!(code, 1, "{format}: {doc} {err}");
        let claims = doc["claims"].as_array().expect("claims");
        assert_eq!(claims.len(), 3, "{format}");
        assert!(
            claims[0]["error"].is_null() && codes(&doc, 1).is_empty(),
            "{format}: {doc}"
        );
        assert!(claims[1]["error"].is_string(), "{format}: {doc}");
        assert_eq!(codes(&doc, 3), ["mod-discipline-missing"], "{format}");
        assert_eq!(doc["passed"], false);
    }
    // Nothing readable at all: exit 2.
    let mut bad = jclaim("medicare", vec![jline("97530", &["GO"], 1, None)]);
    bad["lines"][0]["units"] = json!("one");
    let (code, doc, _) = check(&bytes(&json!([bad.clone(), bad])), &[]);
    assert_eq!(code, 2, "{doc}");
}

// === 3. no input value in any message ===

const PHI: &[&str] = &[
    "Jane Q Doe",
    "12345678",
    "1947-03-12",
    "555-867-5309",
    "42 Elm Street",
];

/// Every free field of each format filled with PHI-like text.
fn phi_inputs() -> Vec<(&'static str, Vec<u8>)> {
    let p = "Jane Q Doe MRN 12345678 DOB 1947-03-12 555-867-5309 42 Elm Street";
    let json_claims = json!([
        {"date_of_service": "2025-01-14", "rendering_role": p, "diagnoses": ["I69.351"],
         "lines": [jline("97530", &["GO"], 1, None)]},
        {"date_of_service": "2025-01-14", p: 1, "diagnoses": ["I69.351"],
         "lines": [jline("97530", &["GO"], 1, None)]},
        {"date_of_service": "2025-01-14", "place_of_service": p, "profile": p,
         "diagnoses": ["I69.351", p, "Z99.999"], "lines": [jline(p, &["GO", "95", p], 1, Some(15))]},
        {"date_of_service": "2025-01-14", "place_of_service": p,
         "diagnoses": ["I69.351"], "lines": [jline(p, &["95", "GP", "59"], 1, Some(15))]},
        {"date_of_service": p, "diagnoses": ["I69.351"], "lines": []},
        {"date_of_service": "2025-01-14", "diagnoses": ["I69.351"],
         "lines": [{"cpt": "97530", "units": 1, p: 2}]},
    ]);
    let mut f1 = fclaim(true, vec![fitem(1, p, &["95", p], 1)]);
    f1["item"][0]["locationCodeableConcept"]["coding"][0]["code"] = json!(p);
    f1["diagnosis"][0]["diagnosisCodeableConcept"]["coding"][0]["code"] = json!(p);
    let mut f2 = fclaim(true, vec![fitem(1, "97530", &["GO"], 1)]);
    f2["diagnosis"] = json!([{"sequence": 1, "diagnosisReference": {"reference": p}}]);
    let mut f3 = fclaim(true, vec![fitem(1, "97530", &["GO"], 1)]);
    f3["item"][0]["servicedDate"] = json!(p);
    let fhir = json!({"resourceType": "Bundle", "entry": [{"resource": f1}, {"resource": f2}, {"resource": f3}]});
    let sv1_code = format!("SV1*HC:{p}:95*100*UN*1*{p}**1");
    let sv1_units = format!("SV1*HC:97530:GO*100*UN*{p}***1");
    let sv1_measure = format!("SV1*HC:97530:GO*100*{p}*1***1");
    let x = x12(&[
        X12Claim {
            sbr: "SBR*P*18*******MB",
            other: None,
            service: &[&sv1_code],
        },
        X12Claim {
            sbr: "SBR*P*18*******MB",
            other: None,
            service: &[&sv1_units],
        },
        X12Claim {
            sbr: "SBR*P*18*******MB",
            other: None,
            service: &[&sv1_measure],
        },
    ]);
    vec![
        ("json", bytes(&json_claims)),
        ("fhir", bytes(&fhir)),
        ("x12", x),
        ("fhir-type", bytes(&json!({"resourceType": p}))),
        ("not-json", p.as_bytes().to_vec()),
    ]
}

#[test]
fn claims_no_message_carries_an_input_value() {
    for (name, input) in phi_inputs() {
        for format in ["json", "human"] {
            let out = run(&["claims", "check", "--format", format, "-"], &input);
            let all = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(!all.is_empty(), "{name}");
            for phi in PHI {
                assert!(!all.contains(phi), "{name} {format}: {phi} in {all}");
            }
        }
    }
}

#[test]
fn claims_json_bad_role_and_unknown_keys_are_described_not_quoted() {
    let p = "Jane Q Doe MRN 12345678";
    let mut c = jclaim("medicare", vec![jline("97530", &["GO"], 1, None)]);
    c["rendering_role"] = json!(p);
    let (code, doc, _) = check(&bytes(&c), &[]);
    let e = doc["claims"][0]["error"].as_str().unwrap_or("");
    assert_eq!(code, 2, "{doc}");
    assert!(
        e.contains("claim 1") && e.contains("`OT`") && !e.contains("Jane"),
        "{e}"
    );
    let mut c = jclaim("medicare", vec![jline("97530", &["GO"], 1, None)]);
    c["lines"][0][p] = json!(1);
    let (_, doc, _) = check(&bytes(&c), &[]);
    let e = doc["claims"][0]["error"].as_str().unwrap_or("");
    assert!(
        e.contains("claim 1 line 1") && e.contains("unknown key") && !e.contains("Jane"),
        "{e}"
    );
}

// === 4. edits ===

#[test]
fn claims_units_edits_from_the_rules() {
    // (profile, lines, total timed minutes, the units finding expected, its severity)
    type Row = (
        &'static str,
        Vec<Value>,
        Option<u32>,
        Option<(&'static str, &'static str)>,
    );
    let table: Vec<Row> = vec![
        // No rule lets 20 timed minutes carry more than one unit.
        (
            "commercial",
            vec![jline("97530", &[], 4, None)],
            Some(20),
            Some(("units-exceed-time", "error")),
        ),
        (
            "medicare",
            vec![jline("97530", &["GO"], 4, None)],
            Some(20),
            Some(("units-exceed-time", "error")),
        ),
        (
            "commercial",
            vec![jline("97530", &[], 1, None)],
            Some(20),
            None,
        ),
        // 30 + 8 minutes: CMS bills 2 + 1; 3 + 0 gives a unit no minutes of its own.
        (
            "medicare",
            vec![
                jline("97530", &["GO"], 3, Some(30)),
                jline("97535", &["GO"], 0, Some(8)),
            ],
            None,
            Some(("units-code-distribution", "error")),
        ),
        (
            "medicare",
            vec![
                jline("97530", &["GO"], 2, Some(30)),
                jline("97535", &["GO"], 1, Some(8)),
            ],
            None,
            None,
        ),
        // Under-billed day: 5 + 40 minutes billed 1 + 1 (CMS: 0 + 3).
        (
            "medicare",
            vec![
                jline("97530", &["GO"], 1, Some(5)),
                jline("97535", &["GO"], 1, Some(40)),
            ],
            None,
            Some(("units-code-distribution", "error")),
        ),
    ];
    for (profile, lines, total, expected) in table {
        let mut c = jclaim(profile, lines);
        if let Some(t) = total {
            c["total_timed_minutes"] = json!(t);
        }
        let (_, doc, err) = check(&bytes(&c), &[]);
        let units: Vec<(String, String)> = findings(&doc, 1)
            .into_iter()
            .filter(|(c, _)| c.starts_with("units-") && c != "units-below-time")
            .collect();
        let want: Vec<(String, String)> = expected
            .iter()
            .map(|(c, s)| ((*c).to_string(), (*s).to_string()))
            .collect();
        assert_eq!(units, want, "{profile} {c}: {err}");
    }
}

#[test]
fn claims_kx_accrues_allowed_amounts() {
    // 2025 threshold 2410. Charges 2300 + 200 cross it; allowed 1800 + 150 do not.
    let mut line = jline("97530", &["GO"], 2, None);
    line["charge"] = json!(200.0);
    let mut c = jclaim("medicare", vec![line]);
    c["therapy_charges_ytd"] = json!(2300.0);
    let (_, doc, _) = check(&bytes(&c), &[]);
    let kx: Vec<&Value> = doc["claims"][0]["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["code"] == "mod-kx-missing")
        .collect();
    assert_eq!(kx.len(), 1, "{doc}");
    assert!(
        kx[0]["message"].as_str().unwrap_or("").contains("estimate"),
        "{doc}"
    );
    c["therapy_allowed_ytd"] = json!(1800.0);
    c["lines"][0]["allowed"] = json!(150.0);
    let (code, doc, _) = check(&bytes(&c), &[]);
    assert!(
        !codes(&doc, 1).contains(&"mod-kx-missing".to_string()),
        "{doc}"
    );
    assert_eq!(code, 0, "{doc}");
    // FHIR: the eligible adjudication is the allowed amount; without it, the charge.
    let mut item = fitem(1, "97530", &["GO"], 2);
    item["net"] = json!({"value": 5000.0});
    let f = fclaim(true, vec![item]);
    let (_, doc, _) = check(&bytes(&f), &[]);
    // FHIR carries no year-to-date amounts: KX is skipped, not guessed.
    assert!(doc["claims"][0]["skipped"]
        .as_array()
        .expect("skipped")
        .iter()
        .any(|s| s == "kx"));
}

#[test]
fn claims_sample_ncci_pairs_warn_in_every_format() {
    // 97150 + 97110 the same day without 59: a sample indicator-1 pair.
    let mut j = jclaim(
        "medicare",
        vec![
            jline("97150", &["GO"], 1, None),
            jline("97110", &["GO"], 1, Some(15)),
        ],
    );
    j["group_size"] = json!(3);
    let f = fclaim(
        true,
        vec![fitem(1, "97150", &["GO"], 1), fitem(2, "97110", &["GO"], 1)],
    );
    let x = x12(&[X12Claim {
        sbr: "SBR*P*18*******MB",
        other: None,
        service: &["SV1*HC:97150:GO*50*UN*1***1", "SV1*HC:97110:GO*50*UN*1***1"],
    }]);
    for (format, input) in [("json", bytes(&j)), ("fhir", bytes(&f)), ("x12", x)] {
        let (code, doc, err) = check(&input, &[]);
        assert_eq!(code, 0, "{format}: {doc} {err}");
        let hit = doc["claims"][0]["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .find(|f| f["code"] == "ncci-ptp-modifier-required")
            .cloned()
            .expect("reported");
        assert_eq!(hit["severity"], "warning", "{format}");
        assert!(
            hit["message"].as_str().unwrap_or("").contains("sample"),
            "{format}"
        );
    }
}

// === 5. claims that are not OT Part B claims ===

#[test]
fn claims_fhir_type_and_use_out_of_scope() {
    for (kind, use_) in [
        ("oral", "claim"),
        ("vision", "claim"),
        ("pharmacy", "claim"),
        ("institutional", "claim"),
        ("professional", "preauthorization"),
        ("professional", "predetermination"),
    ] {
        // Without GO and with 2 units of an untimed code: OT edits would fail it.
        let mut c = fclaim(true, vec![fitem(1, "97165", &[], 2)]);
        c["type"]["coding"][0]["code"] = json!(kind);
        c["use"] = json!(use_);
        let (code, doc, err) = check(&bytes(&c), &[]);
        assert_eq!(code, 0, "{kind} {use_}: {doc} {err}");
        assert_eq!(codes(&doc, 1), ["claim-out-of-scope"], "{kind} {use_}");
        let skipped = doc["claims"][0]["skipped"].as_array().expect("skipped");
        assert!(skipped.iter().any(|s| s == "units"), "{kind}");
        // General edits still run: a bad pointer is still an error.
        c["item"][0]["diagnosisSequence"] = json!([7]);
        let (code, doc, _) = check(&bytes(&c), &[]);
        assert_eq!(code, 1, "{kind}: {doc}");
    }
}

// === 6. hospital-based OT on 837I ===

#[test]
fn claims_837i_hospital_ot() {
    // (SV2 segments, profile's SBR09, the findings expected, exit)
    let table: &[(&[&str], &str, &[&str], i32)] = &[
        (
            &[
                "SV2*0430*HC:97530:GO*100*UN*2",
                "SV2*0434*HC:97165:GO*100*UN*1",
            ],
            "MB",
            &[],
            0,
        ),
        // GO is still required for Medicare.
        (
            &["SV2*0430*HC:97530*100*UN*2"],
            "MB",
            &["mod-discipline-missing"],
            1,
        ),
        (&["SV2*0430*HC:97530*100*UN*2"], "CI", &[], 0),
        // An OT revenue line without HCPCS; an OT code under a PT revenue code.
        (&["SV2*0430**100*UN*1"], "MB", &["rev-hcpcs-missing"], 1),
        (
            &["SV2*0420*HC:97530:GO*100*UN*1"],
            "MB",
            &["rev-code-mismatch"],
            0,
        ),
    ];
    for (lines, payer, want, exit) in table {
        let sbr = format!("SBR*P*18*******{payer}");
        let file = x12_institutional(&[X12Claim {
            sbr: &sbr,
            other: None,
            service: lines,
        }]);
        let (code, doc, err) = check(&file, &[]);
        assert_eq!(code, *exit, "{lines:?}: {doc} {err}");
        assert_eq!(codes(&doc, 1), *want, "{lines:?}");
        let skipped = doc["claims"][0]["skipped"].as_array().expect("skipped");
        assert!(skipped.iter().any(|s| s == "pointers") && skipped.iter().any(|s| s == "ncci"));
    }
}

// === 7. files that are not what they seem ===

#[test]
fn claims_wrong_format_says_expected_and_found() {
    let file = |version: &str| {
        String::from_utf8(x12(&[X12Claim {
            sbr: "SBR*P*18*******MB",
            other: None,
            service: &["SV1*HC:97530:GO*100*UN*1***1"],
        }]))
        .expect("utf8")
        .replace("005010X222A1", version)
    };
    // An 837D, and an 837I of an addendum phigate does not read: the whole file.
    for (version, found) in [
        ("005010X224A2", "837D"),
        ("005010X223A1", "earlier addendum"),
    ] {
        let (code, doc, _) = check(file(version).as_bytes(), &[]);
        assert_eq!(code, 2, "{version}");
        let err = doc["error"].as_str().unwrap_or("");
        assert!(
            err.contains("expected 005010X222A1") && err.contains(found),
            "{err}"
        );
    }
    // 837P lines in an 837I envelope: each claim says what it expected.
    let (code, doc, _) = check(file("005010X223A2").as_bytes(), &[]);
    assert_eq!(code, 2);
    let err = doc["claims"][0]["error"].as_str().unwrap_or("");
    assert!(
        err.contains("expected SV2") && err.contains("found SV1"),
        "{err}"
    );
    let no_isa = "GS*HC*PHIGATETEST*TESTCLEARING*20250115*1030*101*X*005010X222A1~\nST*837*0001~";
    let (code, doc, _) = check(no_isa.as_bytes(), &[]);
    let err = doc["error"].as_str().unwrap_or("");
    assert_eq!(code, 2);
    assert!(
        err.contains("expected a JSON claim") && err.contains("X12 segments without an ISA"),
        "{err}"
    );
    assert!(!err.contains("PHIGATETEST"), "{err}");
}
