//! Issue 16, denial feedback: claims forwarded through the real gateway, then the payer's
//! 835 (synthetic, naming the tokens the claims left with) posted to `/v1/claims/remit`,
//! read by `phigate claims remit` and summed by `phigate audit report`.

use serde_json::{json, Value};

use super::super::gw_harness::{client, post, send};
use super::{setup_full, EMR};

const JSON: (&str, &str) = ("content-type", "application/json");
const X12: (&str, &str) = ("content-type", "application/edi-x12");
const TEXT: (&str, &str) = ("content-type", "text/plain");

/// A JSON claim with a control number; `ncci` adds the sample 97150/97110 pair (a warning).
fn claim(claim_id: &str, ncci: bool) -> Value {
    let line = |cpt: &str, minutes: Option<u32>| {
        let mut l = json!({"cpt": cpt, "modifiers": ["GO"], "units": 1, "diagnosis_pointers": [1]});
        if let Some(m) = minutes {
            l["minutes"] = json!(m);
        }
        l
    };
    let lines = if ncci {
        vec![line("97150", None), line("97110", Some(15))]
    } else {
        vec![line("97110", Some(15))]
    };
    json!({"claim_id": claim_id, "profile": "medicare", "date_of_service": "2025-01-14",
           "place_of_service": "11", "diagnoses": ["I69.351", "M62.81"], "group_size": 3,
           "total_timed_minutes": 15, "lines": lines})
}

/// A synthetic 835 (envelope and counts right) holding `claims` (CLP with its CAS/LQ).
fn remittance(claims: &[&str]) -> String {
    let mut segs = vec![
        "ST*835*0001*005010X221A1".to_string(),
        "BPR*I*100*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*999988880*DA*98765*20250201"
            .into(),
        "TRN*1*12345*1512345678".into(),
        "N1*PR*TEST MEDICARE MAC".into(),
        "LX*1".into(),
    ];
    for c in claims {
        segs.extend(c.split('~').map(String::from));
        segs.push("NM1*QC*1*TESTPATIENT*ONE****MI*1EG4TE5MK73".into());
    }
    segs.push(format!("SE*{}*0001", segs.len() + 1));
    format!(
        "ISA*00*          *00*          *ZZ*TESTPAYER      *ZZ*PHIGATETEST    *250201*1200*^*00501*000000201*0*T*:~\nGS*HP*TESTPAYER*PHIGATETEST*20250201*1200*201*X*005010X221A1~\n{}~\nGE*1*201~\nIEA*1*000000201~\n",
        segs.join("~\n")
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn remittances_join_forwarded_claims_in_metrics_the_cli_and_the_report() {
    let tail = r#"
[[route]]
name = "billing-flag"
prefix = "/billing-flag/"
direction = "deidentify"
upstream = "{up}/outside/"
upstream_ca = "ca.pem"
callers = ["emr"]
claims = { on_fail = "flag" }
"#;
    let s = setup_full("", tail, &[]).await;
    let c = client(&s.pki.ca_pem(), None);

    // Two claims forwarded: A passes every edit, B carries the sample NCCI warning.
    let body = json!([claim("PCN-2025-0001", false), claim("PCN-2025-0002", true)]).to_string();
    let a = send(
        &c,
        post(
            &format!("{}/billing-flag/claims", s.base),
            &[EMR, JSON],
            body,
        ),
    )
    .await
    .expect("claims");
    assert_eq!(a.status, 200, "{}", a.body);
    let forwarded = s.upstream.take();
    let sent: Value = serde_json::from_slice(&forwarded[0].body).expect("forwarded JSON");
    let token = |i: usize| sent[i]["claim_id"].as_str().expect("claim_id").to_string();
    let (ta, tb) = (token(0), token(1));
    for t in [&ta, &tb] {
        assert!(
            t.starts_with("ID_"),
            "the control number left as a token: {t}"
        );
    }

    // An 837P sent as text: its CLM01s leave tokenised, read back from the copy as it left
    // (whose ISA is no longer fixed width).
    let x12 = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/claims/clean.837"),
    )
    .expect("example")
    .replace("CLM*TESTACCT1*", "CLM*PCN20250114A*")
    .replace("CLM*TESTACCT2*", "CLM*PCN20250114B*");
    let a = send(
        &c,
        post(
            &format!("{}/billing-flag/claims", s.base),
            &[EMR, TEXT],
            x12,
        ),
    )
    .await
    .expect("837");
    assert_eq!(a.status, 200, "{}", a.body);
    let sent = String::from_utf8_lossy(&s.upstream.take()[0].body).to_string();
    let clm01: Vec<String> = sent
        .split('~')
        .filter_map(|seg| seg.trim().strip_prefix("CLM*"))
        .map(|rest| rest.split('*').next().unwrap_or("").to_string())
        .collect();
    assert_eq!(clm01.len(), 2, "{sent}");
    // The X12 walker types CLM01 as the patient's account number.
    assert!(clm01.iter().all(|t| t.starts_with("ACCT_")), "{clm01:?}");
    let tx = clm01[0].clone();

    // The payer denies A as bundled (CO-97: a miss for the NCCI edits), denies B under NCCI
    // (CO-236: caught by the warning it carried), and pays a claim phigate never sent.
    let era = remittance(&[
        &format!("CLP*{ta}*4*50*0**MB*ICN0001*11*1~CAS*CO*97*50~LQ*HE*N20"),
        &format!("CLP*{tb}*4*100*0**MB*ICN0002*11*1~CAS*CO*236*100"),
        "CLP*PCN-ELSEWHERE-9*1*80*64**MB*ICN0003*11*1~CAS*PR*2*16",
        &format!("CLP*{tx}*1*250*200**MB*ICN0004*11*1~CAS*PR*2*50"),
    ]);
    let a = send(
        &c,
        post(
            &format!("{}/v1/claims/remit", s.base),
            &[EMR, X12],
            era.clone(),
        ),
    )
    .await
    .expect("remit");
    assert_eq!(a.status, 200, "{}", a.body);
    let summary = a.json();
    assert_eq!(summary["adjudicated"], 4, "{summary}");
    assert_eq!(summary["denied"], 2);
    assert_eq!(summary["clean"], 2);
    assert_eq!(
        (summary["matched"].clone(), summary["unmatched"].clone()),
        (json!(3), json!(1))
    );
    let ptp = &summary["edits"]["ncci-ptp-modifier-required"];
    assert_eq!(
        (
            ptp["warned"].clone(),
            ptp["caught"].clone(),
            ptp["missed"].clone()
        ),
        (json!(1), json!(1), json!(1)),
        "{ptp}"
    );
    for value in ["TESTPATIENT", "PCN-", &ta, &tb, &tx] {
        assert!(!a.body.contains(value), "{value} in the answer");
    }
    // Not an 835: 422, nothing recorded.
    let bad = send(
        &c,
        post(
            &format!("{}/v1/claims/remit", s.base),
            &[EMR, X12],
            era.replace("GS*HP*", "GS*HC*"),
        ),
    )
    .await
    .expect("bad remit");
    assert_eq!(bad.status, 422, "{}", bad.body);

    let m = s.gw.metrics().await;
    for line in [
        "phigate_claim_remits_total{outcome=\"denied\"} 2",
        "phigate_claim_remits_total{outcome=\"paid\"} 2",
        "phigate_claim_remits_clean_total 2",
        "phigate_claim_remits_unmatched_total 1",
        "phigate_claim_edit_denials_total{edit=\"ncci-ptp-modifier-required\",carc=\"CO-97\"} 1",
        "phigate_claim_edit_caught_total{edit=\"ncci-ptp-modifier-required\"} 1",
    ] {
        assert!(m.contains(line), "{line} in {m}");
    }
    assert_eq!(s.gw.stop().code(), Some(0));

    // The command line reads the same remittance against the same audit directory.
    let dir = s._dir.path().join("vault-audit");
    let era_file = s._dir.path().join("payer.835");
    std::fs::write(&era_file, &era).expect("835");
    let (d, f) = (dir.display().to_string(), era_file.display().to_string());
    let out = super::super::support::run(&["claims", "remit", "--dir", &d, &f], b"");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{text} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("denial rate 50.0%, clean-claim rate 50.0%"),
        "{text}"
    );
    assert!(text.contains("3 matched, 1 not found"), "{text}");
    assert!(
        text.contains("ncci-ptp-modifier-required") && text.contains("CO-97 1"),
        "{text}"
    );
    for value in ["TESTPATIENT", "PCN-", &ta, &tb, &tx] {
        assert!(!text.contains(value), "{value} printed");
    }
    let out = super::super::support::run(
        &["claims", "remit", "--dir", &d, "--format", "json", &f],
        b"",
    );
    let doc: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(doc["summary"]["denied"], 2, "{doc}");
    assert_eq!(
        doc["summary"]["edits"]["mue-exceeded"]["missed"], 1,
        "{doc}"
    );
    // A file that is not an 835: exit 2, named, no value repeated.
    let not_835 = s._dir.path().join("claims.837");
    std::fs::write(&not_835, era.replace("ST*835*", "ST*837*")).expect("file");
    let out = super::super::support::run(
        &[
            "claims",
            "remit",
            "--dir",
            &d,
            &not_835.display().to_string(),
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("ST01"));

    // The compliance report sums the recorded remittance.
    let out = super::super::support::run(&["audit", "report", "--dir", &d], b"");
    let report = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        report.contains("4 adjudicated, 2 denied, 2 clean; denial rate 50.0%, clean-claim rate 50.0%; 1 not forwarded by phigate"),
        "{report}"
    );
    let out =
        super::super::support::run(&["audit", "report", "--dir", &d, "--format", "html"], b"");
    let html = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        html.contains("<span id=\"denial-rate\">50.0%</span>"),
        "{html}"
    );
}
