//! Table tests of the 835 reader and the denial summary, written from the 835 guide's
//! segment layouts (CLP, CAS triples, SVC, LQ*HE, MIA/MOA) with synthetic data only.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::claims::tables::Tables;

/// The built-in table, loaded once (the tables are large).
fn codes() -> &'static RemitCodes {
    static TABLES: std::sync::OnceLock<Tables> = std::sync::OnceLock::new();
    &TABLES.get_or_init(|| Tables::load(None).unwrap()).remit
}

const ISA: &str = "ISA*00*          *00*          *ZZ*TESTPAYER      *ZZ*PHIGATETEST    *250201*1200*^*00501*000000201*0*T*:~";

/// One transaction (ST…SE) holding `body` after its BPR/TRN header; SE counts right.
fn transaction(st02: &str, body: &[&str]) -> String {
    let mut segs = vec![
        format!("ST*835*{st02}*005010X221A1"),
        "BPR*I*150*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*999988880*DA*98765*20250201"
            .into(),
        "TRN*1*12345*1512345678".into(),
        "N1*PR*TEST MEDICARE MAC".into(),
        "LX*1".into(),
    ];
    segs.extend(body.iter().map(|s| s.to_string()));
    segs.push(format!("SE*{}*{st02}", segs.len() + 1));
    segs.join("~\n") + "~\n"
}

/// A whole file: ISA, one GS holding `transactions`, GE, IEA.
fn file(transactions: &[String]) -> String {
    format!(
        "{ISA}\nGS*HP*TESTPAYER*PHIGATETEST*20250201*1200*201*X*005010X221A1~\n{}GE*{}*201~\nIEA*1*000000201~\n",
        transactions.concat(),
        transactions.len()
    )
}

fn one(body: &[&str]) -> String {
    file(&[transaction("0001", body)])
}

fn read(s: &str) -> Vec<Remitted> {
    x835::parse(s.as_bytes(), codes())
        .unwrap()
        .into_iter()
        .map(Result::unwrap)
        .collect()
}

/// The file's error, or else its first claim's.
fn err_of(s: &str) -> String {
    match x835::parse(s.as_bytes(), codes()) {
        Err(e) => e.to_string(),
        Ok(c) => c.into_iter().find_map(Result::err).unwrap().to_string(),
    }
}

#[test]
fn claim_statuses_read_as_the_table_says() {
    for (status, kind) in [
        ("1", StatusKind::Paid),
        ("2", StatusKind::Paid),
        ("3", StatusKind::Paid),
        ("19", StatusKind::Paid),
        ("4", StatusKind::Denied),
        ("22", StatusKind::Reversal),
        ("23", StatusKind::Other),
        ("25", StatusKind::Other),
    ] {
        let clp = format!("CLP*ACCOUNT_0000000001*{status}*250*0**MB*ICN0001*11*1");
        let r = read(&one(&[&clp]));
        assert_eq!((r.len(), r[0].kind), (1, kind), "CLP02 {status}");
        assert_eq!(r[0].status, status);
    }
    let e = err_of(&one(&["CLP*ACCOUNT_0000000001*99*250*0**MB"]));
    assert!(e.contains("CLP02") && e.contains("segment 8 (CLP)"), "{e}");
}

#[test]
fn cas_triples_repeat_and_belong_to_the_claim_or_its_line() {
    let r = read(&one(&[
        "CLP*ACCOUNT_0000000001*1*250*150**MB*ICN0001*11*1",
        "CAS*PR*1*50**2*30",
        "SVC*HC:97530:GO*100*60**2",
        "DTM*472*20250114",
        "CAS*CO*45*20**97*10*1*16*5",
        "LQ*HE*N115",
        "SVC*HC:97110:GO*50*0**1",
        "CAS*CO*236*50",
    ]));
    let a: Vec<(&str, &str, f64, Option<usize>)> = r[0]
        .adjustments
        .iter()
        .map(|a| (a.group.as_str(), a.carc.as_str(), a.amount, a.line))
        .collect();
    assert_eq!(
        a,
        [
            ("PR", "1", 50.0, None),
            ("PR", "2", 30.0, None),
            ("CO", "45", 20.0, Some(1)),
            ("CO", "97", 10.0, Some(1)),
            ("CO", "16", 5.0, Some(1)),
            ("CO", "236", 50.0, Some(2)),
        ]
    );
    assert_eq!(r[0].lines, 2);
    assert_eq!(r[0].remarks, ["N115"]);
    assert_eq!((r[0].charge, r[0].paid), (250.0, 150.0));
    assert_eq!(r[0].frequency.as_deref(), Some("1"));
}

#[test]
fn remarks_come_from_lq_moa_and_mia() {
    let r = read(&one(&[
        "CLP*ACCOUNT_0000000001*4*250*0**MB*ICN0001*11*1",
        "CAS*CO*50*250",
        "MOA***MA01*N12",
        "MIA*0****N20",
        "SVC*HC:97530:GO*100*0**2",
        "LQ*HE*M80",
        "LQ*RX*12345",
    ]));
    assert_eq!(r[0].remarks, ["MA01", "N12", "N20", "M80"]);
    let e = err_of(&one(&[
        "CLP*ACCOUNT_0000000001*4*250*0**MB",
        "LQ*HE*JANE DOE",
    ]));
    assert!(e.contains("LQ02") && !e.contains("JANE"), "{e}");
}

#[test]
fn several_transactions_and_claims_are_all_read_in_order() {
    let f = file(&[
        transaction(
            "0001",
            &[
                "CLP*ACCOUNT_0000000001*1*100*100**MB",
                "CLP*ACCOUNT_0000000002*4*100*0**MB",
                "CAS*CO*97*100",
            ],
        ),
        transaction(
            "0002",
            &[
                "CLP*ACCOUNT_0000000003*22*-100*-100**MB",
                "PLB*1512345678*20251231*WO:X*-5",
            ],
        ),
    ]);
    let r = read(&f);
    let seen: Vec<(usize, &str, &str)> = r
        .iter()
        .map(|c| (c.index, c.control.0.as_str(), c.status.as_str()))
        .collect();
    assert_eq!(
        seen,
        [
            (1, "ACCOUNT_0000000001", "1"),
            (2, "ACCOUNT_0000000002", "4"),
            (3, "ACCOUNT_0000000003", "22"),
        ]
    );
    assert_eq!(r[1].adjustments.len(), 1);
    assert!(r[0].adjustments.is_empty(), "a CAS belongs to its own CLP");
}

#[test]
fn a_bad_claim_spoils_only_itself() {
    let r = x835::parse(
        one(&[
            "CLP*ACCOUNT_0000000001*1*100*100**MB",
            "CAS*XX*45*10",
            "CLP*ACCOUNT_0000000002*1*100*100**MB",
        ])
        .as_bytes(),
        codes(),
    )
    .unwrap();
    assert_eq!(r.len(), 2);
    assert!(r[0].is_err() && r[1].is_ok());
    assert!(r[0].as_ref().unwrap_err().to_string().contains("CAS01"));
}

#[test]
fn malformed_files_name_segment_and_reason_never_a_value() {
    let good = one(&["CLP*PCN77120*1*100*100**MB", "NM1*QC*1*TESTPATIENT*ONE"]);
    for (bad, says) in [
        (good.replace("GS*HP*", "GS*HC*"), "expected HP"),
        (good.replace("ST*835*", "ST*837*"), "expected 835"),
        (good.replace("005010X221A1~\n", "005010X222A1~\n"), "GS08"),
        (good.replace("SE*8*0001", "SE*9*0001"), "SE01"),
        (good.replace("IEA*1*000000201~\n", ""), "missing IEA"),
        (good.replace("BPR*", "XBP*"), "no BPR"),
        (good.replace("*100*100**MB", "*100*ABC**MB"), "CLP04"),
        (good.replace("CLP*PCN77120*", "CLP**"), "CLP01"),
        (
            good.replace("NM1*QC*1*TESTPATIENT*ONE", "CAS*CO*TESTPATIENT*10"),
            "CAS02",
        ),
        (
            good.replace("NM1*QC*1*TESTPATIENT*ONE", "CAS*CO**10"),
            "an amount without its reason",
        ),
        (good.replace("*PHIGATETEST    *", "*PHIGATETEST*"), "ISA"),
    ] {
        let e = err_of(&bad);
        assert!(e.contains(says), "{says}: {e}");
        for value in ["PCN77120", "TESTPATIENT", "ABC"] {
            assert!(!e.contains(value), "{value} in {e}");
        }
    }
    let e = err_of(&one(&["CAS*CO*45*10"]));
    assert!(e.contains("CAS before any CLP"), "{e}");
}

#[test]
fn control_numbers_are_not_shown_by_debug() {
    let r = read(&one(&["CLP*PCN77120*1*100*100**MB*ICN0001"]));
    let shown = format!("{r:?}");
    assert!(
        !shown.contains("PCN77120") && !shown.contains("ICN0001"),
        "{shown}"
    );
}

#[test]
fn code_shapes() {
    for ok in ["1", "16", "236", "B15", "P12"] {
        assert!(x835::is_carc(ok), "{ok}");
    }
    for bad in ["", "1234", "AB1", "b15", "16 "] {
        assert!(!x835::is_carc(bad), "{bad}");
    }
    for ok in ["N115", "M80", "MA130", "N1"] {
        assert!(x835::is_rarc(ok), "{ok}");
    }
    for bad in ["", "N", "X12", "N1234", "MA"] {
        assert!(!x835::is_rarc(bad), "{bad}");
    }
}

fn forwarded(codes: &[&str], skipped: &[&str], submissions: u32) -> Forwarded {
    Forwarded {
        codes: codes.iter().map(|s| s.to_string()).collect(),
        skipped: skipped.iter().map(|s| s.to_string()).collect(),
        submissions,
    }
}

/// The ledger every summary test joins against.
fn ledger() -> Ledger {
    Ledger::from_claims([
        // Passed every edit; the payer denies it as bundled (NCCI): a miss for NCCI edits.
        ("ACCOUNT_000000000A".to_string(), forwarded(&[], &[], 1)),
        // Forwarded with a PTP warning; the payer denies it under NCCI: caught.
        (
            "ACCOUNT_000000000B".to_string(),
            forwarded(&["ncci-ptp-modifier-required"], &[], 1),
        ),
        // Clean and paid.
        ("ACCOUNT_000000000C".to_string(), forwarded(&[], &[], 1)),
        // Paid, but a resubmission: not clean.
        ("ACCOUNT_000000000D".to_string(), forwarded(&[], &[], 2)),
        // Documentation edits did not run (the format does not carry the facts).
        (
            "ACCOUNT_000000000E".to_string(),
            forwarded(&[], &["plan-of-care", "goals"], 1),
        ),
    ])
}

fn summary(body: &[&str]) -> Summary {
    let f = one(body);
    let (s, errors) = summarize([f.as_bytes()], codes(), &ledger());
    assert!(errors.is_empty());
    s
}

#[test]
fn denial_and_clean_claim_rates() {
    let s = summary(&[
        "CLP*ACCOUNT_000000000A*4*100*0**MB",
        "CAS*CO*97*100",
        "CLP*ACCOUNT_000000000B*4*100*0**MB",
        "CAS*CO*236*100",
        "LQ*HE*M80",
        "CLP*ACCOUNT_000000000C*1*100*80**MB",
        "CAS*PR*2*20",
        "CLP*ACCOUNT_000000000D*1*100*80**MB",
        // Unmatched, paid on a replacement claim (CLP09 7): not clean.
        "CLP*PCN77120*1*100*100**MB**11*7",
        // Paid nothing, with only a deductible: paid (the patient owes it), not denied.
        "CLP*ACCOUNT_000000000E*1*100*0**MB",
        "CAS*PR*1*100",
        "CLP*ACCOUNT_000000000C*22*-100*-80**MB",
    ]);
    assert_eq!(s.remits, 7);
    assert_eq!(s.reversals, 1);
    assert_eq!(s.adjudicated, 6);
    assert_eq!((s.denied, s.paid), (2, 4));
    assert_eq!(
        s.clean, 1,
        "C only: D resubmitted, the replacement, E paid nothing"
    );
    assert_eq!((s.matched, s.unmatched), (5, 1));
    assert_eq!(s.denial_rate, Some(2.0 / 6.0));
    assert_eq!(s.clean_claim_rate, Some(1.0 / 6.0));
    assert_eq!(s.carc.get("CO-97"), Some(&1));
    assert_eq!(s.carc.get("CO-236"), Some(&1));
    assert_eq!(s.carc.get("PR-2"), None, "patient share is not a denial");
    assert_eq!(s.rarc.get("M80"), Some(&1));
    assert_eq!(s.charged, 600.0);
}

#[test]
fn each_edit_counts_what_it_passed_that_was_denied() {
    let s = summary(&[
        "CLP*ACCOUNT_000000000A*4*100*0**MB",
        "CAS*CO*97*100",
        "LQ*HE*N20",
        "CLP*ACCOUNT_000000000B*4*100*0**MB",
        "CAS*CO*236*100",
        "CLP*ACCOUNT_000000000E*4*100*0**MB",
        "CAS*CO*252*100",
    ]);
    // CO-97 is bundling: every NCCI edit passed claim A.
    let mue = &s.edits["mue-exceeded"];
    assert_eq!((mue.checked, mue.missed, mue.caught), (3, 1, 0));
    assert_eq!(mue.carc.get("CO-97"), Some(&1));
    assert_eq!(mue.rarc.get("N20"), Some(&1));
    // The PTP edit: missed A (CO-97), caught B (warned, CO-236).
    let ptp = &s.edits["ncci-ptp-modifier-required"];
    assert_eq!((ptp.warned, ptp.caught, ptp.missed), (1, 1, 1));
    assert_eq!(ptp.false_negative_rate, Some(0.5));
    assert_eq!(
        ptp.carc.get("CO-236"),
        None,
        "a caught denial is not a miss"
    );
    // CO-252 (documentation) on E, whose certification edits did not run: no miss for them,
    // but one for the documentation edits that did.
    let doc = &s.edits["doc-cert-late"];
    assert_eq!((doc.checked, doc.missed), (2, 0));
    let auth = &s.edits["auth-outside-window"];
    assert_eq!((auth.checked, auth.missed), (3, 1));
    // An edit no denial concerns has no rate.
    assert_eq!(s.edits["dx-excludes1"].false_negative_rate, None);
    assert!(s.telling_edits().any(|(c, _)| *c == "ncci-ptp-not-allowed"));
    assert!(!s.telling_edits().any(|(c, _)| *c == "dx-excludes1"));
}

#[test]
fn the_audit_detail_reads_back() {
    let s = summary(&["CLP*ACCOUNT_000000000C*1*100*80**MB", "CLP*PCN1*4*10*0**MB"]);
    let counts = Summary::counts_of_detail(&s.detail());
    assert_eq!(counts["remits"], 2);
    assert_eq!(counts["denied"], 1);
    assert_eq!(counts["clean"], 1);
    assert_eq!(counts["unmatched"], 1);
    assert!(!s.detail().contains("PCN1"));
}

#[test]
fn the_clearing_house_claim_number_is_tried_second() {
    let l = Ledger::from_claims([("ICN_0000000001".to_string(), forwarded(&[], &[], 1))]);
    let f = one(&["CLP*PCN77120*1*100*100**MB*ICN_0000000001"]);
    let (s, _) = summarize([f.as_bytes()], codes(), &l);
    assert_eq!(s.matched, 1);
}

proptest::proptest! {
    // Any truncation or byte change of a valid 835 is an error or claims, never a panic.
    #[test]
    fn mutated_remittances_never_panic(cut in 0usize..900, at in 0usize..900, b in proptest::num::u8::ANY) {
        let mut bytes = one(&["CLP*ACCOUNT_0000000001*1*250*150**MB*ICN0001*11*1", "CAS*PR*1*50**2*30", "SVC*HC:97530:GO*100*60**2", "LQ*HE*N115"]).into_bytes();
        let at = at % bytes.len();
        bytes[at] = b;
        bytes.truncate(cut.max(1));
        let _ = x835::parse(&bytes, codes());
    }
}
