//! X12 through the engine (issue 14 item 3): a synthetic 837P with a subscriber (2010BA), a
//! dependent patient (2000C/2010CA), identifiers and service lines, de-identified under each
//! built-in policy with the values that must change and the ones that must stay; envelopes
//! still read by the claim parser (counts and control numbers valid); the reversible policy
//! revealed byte for byte; an 835 remittance and a 277CA acknowledgement carrying the
//! 837P's tokens revealed for the EMR, by the caller's reveal rules.

use phigate::claims::{self, Format};
use phigate::engine::reveal::{reveal_x12, Allow, RevealStats};
use phigate::engine::{ContentType, Output};
use phigate::keys::MasterKey;
use phigate::phi::PhiType;
use phigate::transform::token::MemoryTokenStore;

use super::support::engine;

pub const ISA_837: &str = "ISA*00*          *00*          *ZZ*PHIGATETEST    *ZZ*TESTCLEARING   *250115*1030*^*00501*000000101*0*T*:~";
const ISA_835: &str = "ISA*00*          *00*          *ZZ*TESTPAYER      *ZZ*PHIGATETEST    *250201*0900*^*00501*000000202*0*T*:~";

/// An interchange of one transaction: ISA, GS, ST, the segments, and trailers that count
/// them (SE01 = the segments from ST to SE).
pub fn interchange(isa: &str, gs: &str, st: &str, segments: &[&str], sep: &str) -> String {
    let control = gs.split('*').nth(6).unwrap_or("1");
    let isa13 = &isa[90..99];
    let mut out = vec![
        isa.trim_end_matches('~').to_string(),
        gs.to_string(),
        st.to_string(),
    ];
    out.extend(segments.iter().map(|s| s.to_string()));
    out.push(format!("SE*{}*0001", segments.len() + 2));
    out.push(format!("GE*1*{control}"));
    out.push(format!("IEA*1*{isa13}"));
    let mut s = out.join(&format!("~{sep}"));
    s.push('~');
    s.push_str(sep);
    s
}

/// The synthetic 837P: subscriber Marguerite Whitcombe, her dependent Ansel (the patient).
pub fn claim_837p(sep: &str) -> String {
    interchange(
        ISA_837,
        "GS*HC*PHIGATETEST*TESTCLEARING*20250115*1030*101*X*005010X222A1",
        "ST*837*0001*005010X222A1",
        &[
            "BHT*0019*00*OTBATCH0001*20250115*1030*CH",
            "NM1*41*2*SUNRISE HAND THERAPY*****46*TESTSUB01",
            "PER*IC*BILLING OFFICE*TE*5555550100",
            "NM1*40*2*TEST CLEARINGHOUSE*****46*TESTCH01",
            "HL*1**20*1",
            "NM1*85*2*SUNRISE HAND THERAPY*****XX*1234567893",
            "N3*100 MAIN ST",
            "N4*SPRINGFIELD*IL*627010000",
            "REF*EI*123456789",
            "HL*2*1*22*1",
            "SBR*P*01*GRP55120******CI",
            "NM1*IL*1*WHITCOMBE*MARGUERITE*T***MI*WXQ88120455",
            "N3*41 ORCHARD LANE*APT 2",
            "N4*PEORIA*IL*616040000",
            "DMG*D8*19520704*F",
            "REF*SY*512473306",
            "NM1*PR*2*TEST COMMERCIAL PLAN*****PI*99999",
            "HL*3*2*23*0",
            "PAT*19",
            "NM1*QC*1*WHITCOMBE*ANSEL",
            "N3*41 ORCHARD LANE",
            "N4*PEORIA*IL*61604",
            "DMG*D8*20120312*M",
            "CLM*ACCT77120443*250***11:B:1*Y*A*Y*Y",
            "REF*EA*MR4410827",
            "HI*ABK:M6281",
            "NM1*DN*1*OKAFOR*CHIDI****XX*1245319599",
            "NTE*ADD*PATIENT ANSEL WHITCOMBE SEEN WITH MOTHER MARGUERITE",
            "LX*1",
            "SV1*HC:97530:GO*100*UN*2***1",
            "DTP*472*D8*20250114",
            "LX*2",
            "SV1*HC:97110:GO*150*UN*3***1",
            "DTP*472*D8*20250114",
        ],
        sep,
    )
}

/// The PHI of [`claim_837p`]: none of it may survive any policy but where the policy keeps
/// a type (dates, towns and ZIP codes under the limited data set).
const DIRECT: &[&str] = &[
    "WHITCOMBE",
    "MARGUERITE",
    "ANSEL",
    "WXQ88120455",
    "41 ORCHARD LANE",
    "APT 2",
    "512473306",
    "ACCT77120443",
    "MR4410827",
    "GRP55120",
    "OKAFOR",
    "1245319599",
];

/// What every policy keeps: structure, envelope, codes, charges, units.
const KEPT: &[&str] = &[
    "GS*HC*PHIGATETEST*TESTCLEARING*20250115*1030*101*X*005010X222A1~",
    "ST*837*0001*005010X222A1~",
    "BHT*0019*00*OTBATCH0001*20250115*1030*CH~",
    "HL*2*1*22*1~",
    "HL*3*2*23*0~",
    "PAT*19~",
    "HI*ABK:M6281~",
    "SV1*HC:97530:GO*100*UN*2***1~",
    "SV1*HC:97110:GO*150*UN*3***1~",
    "*250***11:B:1*Y*A*Y*Y~",
    "NM1*PR*2*",
    "*PI*99999~",
    "DMG*D8*",
    "*F~",
    "DTP*472*D8*",
    "SE*36*0001~",
    "GE*1*101~",
    "IEA*1*000000101~",
    "REF*SY*",
    "REF*EA*",
    "NM1*IL*1*",
    "NM1*QC*1*",
];

fn run(input: &str, ct: ContentType, policy: &str) -> (Output, MemoryTokenStore) {
    let e = engine();
    let master = MasterKey::from_bytes([42; 32]);
    let store = MemoryTokenStore::new(&master, "");
    let p = e.policy(policy).expect("built-in policy");
    let out = {
        let t = e.transformer(p, &store, &master);
        let mut scratch = e.detector.scratch();
        e.deidentify(input.as_bytes(), ct, &t, &mut scratch)
            .expect("de-identifies")
    };
    (out, store)
}

/// The segments of an interchange written with `*` and `~`, element-split.
fn segments(x12: &str) -> Vec<Vec<String>> {
    x12.split('~')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.split('*').map(str::to_string).collect())
        .collect()
}

fn element(x12: &str, id: &str, qualifier: Option<&str>, n: usize) -> String {
    segments(x12)
        .into_iter()
        .find(|s| s[0] == id && qualifier.is_none_or(|q| s.get(1).map(String::as_str) == Some(q)))
        .and_then(|s| s.get(n).cloned())
        .unwrap_or_else(|| panic!("{id} {qualifier:?} {n} is missing"))
}

#[test]
fn an_837p_loses_its_phi_and_keeps_codes_charges_and_envelope_under_every_policy() {
    for policy in ["safe-harbor", "limited-data-set", "reversible"] {
        for sep in ["", "\n", "\r\n"] {
            let input = claim_837p(sep);
            let (out, _) = run(&input, ContentType::X12, policy);
            let text = &out.text;
            for v in DIRECT {
                assert!(!text.contains(v), "{policy}: {v} survived:\n{text}");
            }
            for v in KEPT {
                assert!(text.contains(v), "{policy}: {v} was changed:\n{text}");
            }
            assert!(text.starts_with(ISA_837), "{policy}: ISA rewritten");
            // As many segments, each with as many elements, in the same order, and the
            // line breaks between segments as they were.
            let (a, b) = (segments(&input), segments(text));
            assert_eq!(a.len(), b.len(), "{policy}");
            for (x, y) in a.iter().zip(&b) {
                assert_eq!((&x[0], x.len()), (&y[0], y.len()), "{policy}");
            }
            if !sep.is_empty() {
                assert_eq!(input.matches(sep).count(), text.matches(sep).count());
            }
            // The claim parser still reads the envelope: counts and control numbers valid.
            let parsed = claims::parse(Format::X12, text.as_bytes())
                .unwrap_or_else(|e| panic!("{policy}: envelope broken: {e}"));
            assert_eq!(parsed.len(), 1, "{policy}");
        }
    }
}

#[test]
fn dates_and_places_follow_the_policy() {
    let input = claim_837p("\n");
    let (lds, _) = run(&input, ContentType::X12, "limited-data-set");
    for kept in [
        "DMG*D8*19520704*F",
        "DTP*472*D8*20250114",
        "N4*PEORIA*IL*616040000",
    ] {
        assert!(lds.text.contains(kept), "limited data set keeps {kept}");
    }
    let (sh, _) = run(&input, ContentType::X12, "safe-harbor");
    for gone in ["19520704", "20120312", "20250114", "PEORIA", "616040000"] {
        assert!(!sh.text.contains(gone), "safe harbor removes {gone}");
    }
    // Safe Harbor keeps the year of a date and the ZIP3.
    assert!(sh.text.contains("DTP*472*D8*2025~"), "{}", sh.text);
    assert!(sh.text.contains("*616~"), "{}", sh.text);
    assert!(sh.counts[PhiType::Name.index()] >= 4);
    assert!(sh.counts[PhiType::Date.index()] >= 4);
}

#[test]
fn provider_and_payer_addresses_and_the_submitter_are_kept_the_patients_are_not() {
    let input = claim_837p("\n");
    for policy in ["safe-harbor", "reversible"] {
        let (out, _) = run(&input, ContentType::X12, policy);
        let text = &out.text;
        for kept in [
            // The billing provider's street and town (2010AA, NM1*85).
            "\nN3*100 MAIN ST~",
            "\nN4*SPRINGFIELD*IL*627010000~",
            // The submitter is an organisation: kept, not read as a place.
            "NM1*41*2*SUNRISE HAND THERAPY*****46*TESTSUB01~",
        ] {
            assert!(text.contains(kept), "{policy}: {kept} changed:\n{text}");
        }
        // The subscriber's and the patient's addresses are tokenised.
        for gone in ["ORCHARD", "PEORIA*IL*616040000", "PEORIA*IL*61604~"] {
            assert!(!text.contains(gone), "{policy}: {gone} survived:\n{text}");
        }
        assert_eq!(out.counts[PhiType::Location.index()], 2, "{policy}: {text}");
    }
}

#[test]
fn the_reversible_policy_reveals_back_byte_for_byte() {
    for input in [
        claim_837p("\r\n"),
        remittance_835(&Tokens::plain()),
        ack_277ca(&Tokens::plain()),
    ] {
        let (out, store) = run(&input, ContentType::X12, "reversible");
        assert_ne!(out.text, input);
        let mut stats = RevealStats::default();
        let back = reveal_x12(&out.text, &store, &Allow::all(), &mut stats).expect("reveals");
        assert_eq!(back, input);
        assert_eq!(stats.refused + stats.unknown, 0);
        // The engine's own entry point reads the interchange by its shape from a text label.
        let mut stats = RevealStats::default();
        let sniffed = engine()
            .reidentify(
                out.text.as_bytes(),
                ContentType::Text,
                &store,
                &Allow::all(),
                &mut stats,
            )
            .expect("reveals");
        assert_eq!(sniffed, input);
    }
}

/// The values a payer sends back: the 837P's tokens, or the plain values (to build the
/// originals a reversible round trip must give back).
pub struct Tokens {
    pub account: String,
    pub family: String,
    pub given: String,
}

impl Tokens {
    fn plain() -> Tokens {
        Tokens {
            account: "ACCT77120443".into(),
            family: "WHITCOMBE".into(),
            given: "ANSEL".into(),
        }
    }

    /// The tokens of a de-identified 837P: CLM01 and the patient's NM1*QC.
    pub fn of(deidentified: &str) -> Tokens {
        Tokens {
            account: element(deidentified, "CLM", None, 1),
            family: element(deidentified, "NM1", Some("QC"), 3),
            given: element(deidentified, "NM1", Some("QC"), 4),
        }
    }
}

/// A synthetic 835 paying the 837P's claim.
pub fn remittance_835(t: &Tokens) -> String {
    interchange(
        ISA_835,
        "GS*HP*TESTPAYER*PHIGATETEST*20250201*0900*202*X*005010X221A1",
        "ST*835*0001",
        &[
            "BPR*I*210*C*ACH*CCP*01*999999999*DA*123456*1999999999**01*999988880*DA*98765*20250201",
            "TRN*1*EFT0012345*1999999999",
            "DTM*405*20250131",
            "N1*PR*TEST COMMERCIAL PLAN",
            "N1*PE*SUNRISE HAND THERAPY*XX*1234567893",
            "LX*1",
            &format!("CLP*{}*1*250*210*40*12*PAYERCLM778812*11*1", t.account),
            &format!("NM1*QC*1*{}*{}", t.family, t.given),
            "DTM*232*20250114",
            "SVC*HC:97530:GO*100*80**2",
            "DTM*472*20250114",
            "CAS*CO*45*20",
            "SVC*HC:97110:GO*150*130**3",
            "DTM*472*20250114",
            "CAS*CO*45*20",
        ],
        "\n",
    )
}

/// A synthetic 277CA accepting the 837P's claim.
pub fn ack_277ca(t: &Tokens) -> String {
    interchange(
        ISA_835,
        "GS*HN*TESTPAYER*PHIGATETEST*20250116*1200*203*X*005010X214",
        "ST*277*0001*005010X214",
        &[
            "BHT*0085*08*277CA0001*20250116*1200*TH",
            "HL*1**20*1",
            "NM1*PR*2*TEST COMMERCIAL PLAN*****PI*99999",
            "HL*2*1*21*1",
            "NM1*41*2*SUNRISE HAND THERAPY*****46*TESTSUB01",
            "HL*3*2*19*1",
            "NM1*85*2*SUNRISE HAND THERAPY*****XX*1234567893",
            "HL*4*3*PT",
            &format!("NM1*QC*1*{}*{}", t.family, t.given),
            &format!("TRN*2*{}", t.account),
            "STC*A2:20:PR*20250116*WQ*250",
            "REF*1K*PAYERCLM778812",
            "DTP*472*RD8*20250114-20250114",
        ],
        "\n",
    )
}

#[test]
fn a_payers_835_and_277ca_are_revealed_for_the_emr_by_the_reveal_rules() {
    let (out, store) = run(&claim_837p("\n"), ContentType::X12, "reversible");
    let tokens = Tokens::of(&out.text);
    assert!(tokens.account.starts_with("ACCT_"), "{}", tokens.account);
    for (answer, original) in [
        (remittance_835(&tokens), remittance_835(&Tokens::plain())),
        (ack_277ca(&tokens), ack_277ca(&Tokens::plain())),
    ] {
        let mut stats = RevealStats::default();
        let all = reveal_x12(&answer, &store, &Allow::all(), &mut stats).expect("reveals");
        assert_eq!(all, original);
        assert_eq!(stats.revealed, 3);
        // A caller allowed names only: the account number stays a token.
        let mut stats = RevealStats::default();
        let names = reveal_x12(
            &answer,
            &store,
            &Allow::only(vec![PhiType::Name]),
            &mut stats,
        )
        .expect("reveals");
        assert!(names.contains("*WHITCOMBE*ANSEL"));
        assert!(names.contains(&tokens.account) && !names.contains("ACCT77120443"));
        assert_eq!((stats.revealed, stats.refused), (2, 1));
    }
}

#[test]
fn an_interchange_is_found_whatever_its_label_and_bad_ones_are_refused() {
    let input = claim_837p("\n");
    for ct in [ContentType::Text, ContentType::X12] {
        let (out, _) = run(&input, ct, "safe-harbor");
        assert!(!out.text.contains("WHITCOMBE"), "{ct:?}");
        assert!(out.text.contains("SV1*HC:97530:GO*100*UN*2***1~"), "{ct:?}");
    }
    // An interchange inside a JSON string is walked as one, and written back escaped.
    let wrapped = serde_json::json!({ "claim": input }).to_string();
    let (out, _) = run(&wrapped, ContentType::Json, "safe-harbor");
    let v: serde_json::Value = serde_json::from_str(&out.text).expect("json");
    let claim = v["claim"].as_str().expect("string");
    assert!(!claim.contains("WHITCOMBE") && claim.contains("SV1*HC:97530:GO*100*UN*2***1~"));
    assert!(claim.contains("SE*36*0001~"), "{claim}");
    for label in ["application/edi-x12", "application/EDI-X12", "x12", "837"] {
        assert_eq!(
            label.parse::<ContentType>(),
            Ok(ContentType::X12),
            "{label}"
        );
    }
    assert_eq!(ContentType::infer(Some("claim.837"), b""), ContentType::X12);
    let e = engine();
    let master = MasterKey::from_bytes([42; 32]);
    let store = MemoryTokenStore::new(&master, "");
    let t = e.transformer(e.policy("safe-harbor").expect("policy"), &store, &master);
    let mut scratch = e.detector.scratch();
    let short_isa = input.replacen("PHIGATETEST    ", "PHIGATETEST", 1);
    let bad_segment = input.replacen("HL*1**20*1~", "hl WHITCOMBE*1~", 1);
    for bad in ["WHITCOMBE*ANSEL~", short_isa.as_str(), bad_segment.as_str()] {
        let err = e
            .deidentify(bad.as_bytes(), ContentType::X12, &t, &mut scratch)
            .expect_err("refused");
        let msg = err.to_string();
        assert!(msg.contains("X12"), "{msg}");
        assert!(!msg.contains("WHITCOMBE"), "{msg}");
    }
}

#[test]
fn scan_and_jsonl_read_x12_by_label_and_by_content() {
    use super::support::{run, text};
    let claim = claim_837p("\n");
    for args in [&["scan", "--content-type", "x12"][..], &["scan"][..]] {
        let out = run(args, claim.as_bytes());
        assert!(out.status.success(), "{}", text(&out.stderr));
        let o = text(&out.stdout);
        assert!(!o.contains("WHITCOMBE") && o.contains("SE*36*0001~"), "{o}");
    }
    let line =
        serde_json::json!({"id": "c1", "text": claim, "content_type": "application/edi-x12"});
    let out = run(&["scan", "--jsonl"], format!("{line}\n").as_bytes());
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_str(text(&out.stdout).trim()).expect("json line");
    let t = v["text"].as_str().expect("text");
    assert!(
        !t.contains("MARGUERITE") && t.contains("HI*ABK:M6281~"),
        "{t}"
    );
}
