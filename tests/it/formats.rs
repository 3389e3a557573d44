//! HL7 v2 and CSV/TSV bodies through the engine (issue 14): one synthetic message per
//! trigger event EMRs send (ADT A01/A04/A08, SIU S12, ORU R01, DFT P03, MDM T02) and tables
//! with and without headers, each with the values that must change and the ones that must
//! stay; separators, escapes and quoting kept; the reversible policy revealed byte for byte.

use phigate::engine::reveal::{reveal_hl7, reveal_table, Allow, RevealStats};
use phigate::engine::{ContentType, Output};
use phigate::keys::MasterKey;
use phigate::transform::token::MemoryTokenStore;

use super::support::engine;

/// De-identifies with `policy`; returns the output and the store (for reveal).
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

/// The synthetic patient, spelled as the messages spell them.
const PATIENT: &[&str] = &[
    "Whitcombe",
    "WHITCOMBE",
    "Ansel",
    "MR4410827",
    "4410827",
    "19800312",
    "Orchard",
    "62704",
    "555-0172",
    "5550172",
    "ansel.whitcombe",
    "512-47-3306",
    "512473306",
    "ACCT77120443",
    "V8812034",
];

struct Case {
    name: &'static str,
    message: &'static str,
    must_change: &'static [&'static str],
    must_keep: &'static [&'static str],
}

const ADT_A01: &str = "MSH|^~\\&|EPICADT|SGH|LABADT|SGH|20240312083000||ADT^A01^ADT_A01|MSG00001|P|2.5.1\r\
EVN|A01|20240312083000\r\
PID|1||MR4410827^^^SGH^MR~512473306^^^SSA^SS||Whitcombe^Ansel^J^^^^L|Lindqvist^Maren|19800312|M|||41 Orchard Lane^Apt 2^Springfield^IL^62704^USA^H||(217)555-0172^PRN^PH^ansel.whitcombe@example.org|(217)555-0199^WPN^PH|EN|M|CHR|ACCT77120443^^^SGH^AN|512-47-3306|D1234567^IL^20280101\r\
NK1|1|Whitcombe^Ines|SPO^Spouse|41 Orchard Lane^^Springfield^IL^62704|(217)555-0173\r\
PV1|1|I|4W^401^B^SGH||||1234567893^Okafor^Chidi^^^Dr^MD|||MED||||7|||1234567893^Okafor^Chidi|IP|V8812034^^^SGH^VN\r\
OBX|1|NM|29463-7^Body weight^LN||72|kg^kilogram^UCUM|||||F\r\
NTE|1|P|Patient Ansel Whitcombe reports pain 4/10; call wife Ines at 217-555-0173.\r\
ZPD|1|MR4410827|Whitcombe\r";

const CASES: &[Case] = &[
    Case {
        name: "ADT^A01 admit",
        message: ADT_A01,
        must_change: &[
            "Lindqvist", "Maren", "Ines", "Okafor", "Chidi", "1234567893", "555-0199",
            "555-0173", "D1234567", "Springfield",
        ],
        must_keep: &[
            "MSH|^~\\&|EPICADT|SGH|LABADT|SGH|",
            "|ADT^A01^ADT_A01|MSG00001|P|2.5.1\r",
            "\rEVN|A01|",
            "|M|||",
            "^IL^",
            "^USA^H|",
            "^PRN^PH^",
            "^^^SGH^MR~",
            "^SGH^AN|",
            "SPO^Spouse",
            "|I|4W^401^B^",
            "^^^Dr^MD|||MED|",
            "29463-7^Body weight^LN||72|kg^kilogram^UCUM|||||F\r",
            "reports pain 4/10; call wife",
            "\rZPD|1|",
        ],
    },
    Case {
        name: "ADT^A04 register, LF separators",
        message: "MSH|^~\\&|REG|CLINIC|||20240312090000||ADT^A04|MSG00002|P|2.3\n\
PID|1||MR4410827||WHITCOMBE^ANSEL||19800312|M|||41 Orchard Lane^^Springfield^IL^62704||217-555-0172||||||512-47-3306\n\
PD1|||Springfield Family Practice^^5521\n\
PV1|1|O|PT^^^CLINIC\n",
        must_change: &["Springfield Family Practice"],
        must_keep: &["|ADT^A04|MSG00002|P|2.3\nPID|1||", "|M|||", "\nPV1|1|O|PT^^^"],
    },
    Case {
        name: "ADT^A08 update, CRLF, escapes",
        message: "MSH|^~\\&|EMR|CLINIC|||20240314110000||ADT^A08|MSG00003|P|2.5\r\n\
PID|1||MR4410827^^^SGH^MR||Whitcombe\\T\\Ansel^Ansel||19800312|M|||41 Orchard Lane\\S\\Rear^^Springfield^IL^62704\r\n\
NTE|1||Ans\\X65\\l Whitcombe \\F\\ MR\\X34\\410827 moved; plan \\T\\ goals unchanged\r\n",
        must_change: &["Ans\\X65\\l", "MR\\X34\\410827"],
        must_keep: &["|ADT^A08|MSG00003|P|2.5\r\n", "moved; plan \\T\\ goals unchanged\r\n"],
    },
    Case {
        name: "ADT^A08 hex escapes in typed fields and kept text",
        message: "MSH|^~\\&|EMR|CLINIC|||20240314110000||ADT^A08|MSG00004|P|2.5\r\
PID|1||MR\\X34\\410827^^^SGH^MR||Whitc\\X6F\\mbe^\\X416E73656C\\||19800312|M|||41 Orch\\X61\\rd Lane^^Springfield^IL^62704\r\
NTE|1||Caf\\XE9\\ visit\\X0d\\ for Whitcombe; menu \\XC3A9\\clair kept\r",
        must_change: &["Whitc\\X6F\\mbe", "\\X416E73656C\\", "MR\\X34\\410827", "Orch\\X61\\rd"],
        must_keep: &["\rNTE|1||Caf\\XE9\\ visit\\X0d\\ for ", "; menu \\XC3A9\\clair kept\r"],
    },
    Case {
        // Escape characters that open no sequence the standard defines, or have no closing
        // one: read as nothing between digits, as a space between words (the phone, SSN
        // and name are found whole), written back as they came.
        name: "ADT^A08 stray escape characters",
        message: "MSH|^~\\&|EMR|CLINIC|||20240314110000||ADT^A08|MSG00005|P|2.5\r\
PID|1||MR4410827^^^SGH^MR||Whitcombe\\^Ansel||19800312\r\
NTE|1||Patient Ansel\\Whitcombe\\ seen; call 217\\555\\0172, SSN 512\\47\\3306; file C:\\notes\\pt.doc\r",
        must_change: &["217\\555\\0172", "512\\47\\3306"],
        must_keep: &["|ADT^A08|MSG00005|P|2.5\r", "; file C:\\notes\\pt.doc\r"],
    },
    Case {
        name: "SIU^S12 new appointment",
        message: "MSH|^~\\&|SCHED|CLINIC|||20240401090000||SIU^S12|SIU0001|P|2.5\r\
SCH|APT7781^SCHED|APT7781F^SCHED|||||ROUTINE^Routine|FOLLOWUP^Follow-up|30|min|^^30^20240415100000^20240415103000|1234567893^Okafor^Chidi|(217)555-0100||||||||||BOOKED\r\
PID|1||MR4410827^^^SGH^MR||Whitcombe^Ansel||19800312|M\r\
RGS|1|A\r\
AIS|1|A|97530^Therapeutic activities^CPT|20240415100000|0|min|30|min\r\
AIP|1|A|1234567893^Okafor^Chidi|PT^Physical therapist\r",
        must_change: &["APT7781", "20240415100000", "Okafor", "Chidi"],
        must_keep: &[
            "|SIU^S12|SIU0001|",
            "|ROUTINE^Routine|FOLLOWUP^Follow-up|30|min|^^30^",
            "|BOOKED\r",
            "\rRGS|1|A\r",
            "|97530^Therapeutic activities^CPT|",
            "|0|min|30|min\r",
            "|PT^Physical therapist\r",
        ],
    },
    Case {
        name: "ORU^R01 results with formatted text",
        message: "MSH|^~\\&|LAB|SGH|EMR|CLINIC|20240313101500||ORU^R01|LAB0042|P|2.5.1\r\
PID|1||MR4410827^^^SGH^MR||Whitcombe^Ansel||19800312|M\r\
OBR|1|ORD5521^EMR|FIL9932^LAB|24331-1^Lipid panel^LN|||20240313080000|||||||||1234567893^Okafor^Chidi\r\
OBX|1|NM|2093-3^Cholesterol^LN||182|mg/dL^mg/dL^UCUM|<200|N|||F|||20240313093000\r\
OBX|2|TX|8251-1^Comment^LN||Specimen from Ansel Whitcombe was hemolysed\\.br\\redraw requested; MRN MR4410827.||||||F\r\
OBX|3|FT|11526-1^Report^LN||\\H\\Summary\\N\\ for Whitcombe\\T\\family: stable||||||F\r",
        must_change: &["ORD5521", "FIL9932", "Okafor"],
        must_keep: &[
            "|ORU^R01|LAB0042|",
            "|24331-1^Lipid panel^LN|",
            "|2093-3^Cholesterol^LN||182|mg/dL^mg/dL^UCUM|<200|N|||F|||",
            "hemolysed\\.br\\redraw requested; MRN ",
            "|\\H\\Summary\\N\\ for ",
            "\\T\\family: stable||||||F\r",
        ],
    },
    Case {
        name: "DFT^P03 charges, guarantor, insurance",
        message: "MSH|^~\\&|BILL|CLINIC|||20240320120000||DFT^P03|DFT0007|P|2.5\r\
EVN|P03|20240320120000\r\
PID|1||MR4410827^^^SGH^MR||Whitcombe^Ansel||19800312|M|||41 Orchard Lane^^Springfield^IL^62704||||||ACCT77120443\r\
PV1|1|O|||||1234567893^Okafor^Chidi||||||||||||V8812034\r\
FT1|1|TXN55012||20240315|20240320|CG|97530^Therapeutic activities^CPT|||4|180.00||||||||M62.81^Muscle weakness^I10|1234567893^Okafor^Chidi\r\
GT1|1|G99120^^^SGH|Whitcombe^Ines||41 Orchard Lane^^Springfield^IL^62704|(217)555-0173||19820704|F||SPO|512-47-9981\r\
IN1|1|BCBS^Blue Cross|BCBS01|Blue Cross Blue Shield|PO Box 1000^^Chicago^IL^60601||||GRP4471|||||||Whitcombe^Ansel|SEL|19800312|41 Orchard Lane^^Springfield^IL^62704|||||||||||||||||POL88123401\r\
IN2||512-47-3306\r",
        must_change: &["TXN55012", "G99120", "Ines", "19820704", "512-47-9981", "GRP4471", "POL88123401", "20240315"],
        must_keep: &[
            "|DFT^P03|DFT0007|",
            "|CG|97530^Therapeutic activities^CPT|||4|180.00|",
            "|M62.81^Muscle weakness^I10|",
            "|F||SPO|",
            "|BCBS^Blue Cross|",
            "|SEL|",
        ],
    },
    Case {
        name: "MDM^T02 document",
        message: "MSH|^~\\&|TRANS|CLINIC|||20240322150000||MDM^T02|MDM0003|P|2.5\r\
EVN|T02|20240322150000\r\
PID|1||MR4410827^^^SGH^MR||Whitcombe^Ansel||19800312|M\r\
PV1|1|O||||||||||||||||||V8812034\r\
TXA|1|PN^Progress note|TX|20240322140000|1234567893^Okafor^Chidi||||||||DOC771203^TRANS||||AU|||AV\r\
OBX|1|TX|PN^Progress note||Ansel reports improved grip strength; follow up with Dr. Okafor in 2 weeks.||||||F\r",
        must_change: &["DOC771203", "Okafor", "20240322140000"],
        must_keep: &[
            "|MDM^T02|MDM0003|",
            "|PN^Progress note|TX|",
            "|AU|||AV\r",
            "reports improved grip strength; follow up with ",
            "in 2 weeks.||||||F\r",
        ],
    },
    Case {
        name: "batch of two messages",
        message: "FHS|^~\\&|EMR|CLINIC|||20240401\r\
BHS|^~\\&|EMR|CLINIC|||20240401\r\
MSH|^~\\&|EMR|CLINIC|||20240401||ADT^A08|B1|P|2.5\r\
PID|1||MR4410827||Whitcombe^Ansel||19800312\r\
MSH|^~\\&|EMR|CLINIC|||20240401||ADT^A08|B2|P|2.5\r\
PID|1||MR7730291||Lindqvist^Maren||19790101\r\
BTS|2\r\
FTS|1\r",
        must_change: &["MR7730291", "Lindqvist", "Maren", "19790101"],
        must_keep: &["FHS|^~\\&|EMR|CLINIC|||", "|ADT^A08|B2|P|2.5\r", "\rBTS|2\rFTS|1\r"],
    },
];

#[test]
fn messages_change_phi_and_keep_the_rest() {
    for policy in ["safe-harbor", "reversible"] {
        for c in CASES {
            let (out, _) = run(c.message, ContentType::Hl7, policy);
            let text = &out.text;
            for v in PATIENT.iter().chain(c.must_change) {
                let expected_here = c.message.contains(v);
                assert!(
                    !expected_here || !text.contains(v),
                    "{} [{policy}]: `{v}` left in\n{text}",
                    c.name
                );
            }
            for v in c.must_keep {
                assert!(
                    text.contains(v),
                    "{} [{policy}]: `{v}` lost\n{text}",
                    c.name
                );
            }
            // Same segments, separators and field counts: the message is still valid.
            let shape = |s: &str| -> Vec<(String, usize)> {
                s.split(['\r', '\n'])
                    .map(|l| (l.chars().take(3).collect(), l.matches('|').count()))
                    .collect()
            };
            assert_eq!(shape(text), shape(c.message), "{} [{policy}]", c.name);
            assert!(out.counts.iter().sum::<usize>() > 0, "{}", c.name);
        }
    }
}

#[test]
fn reversible_messages_reveal_byte_for_byte() {
    for c in CASES {
        let (out, store) = run(c.message, ContentType::Hl7, "reversible");
        let mut stats = RevealStats::default();
        let back = reveal_hl7(&out.text, &store, &Allow::all(), &mut stats).expect("reveals");
        assert_eq!(back, c.message, "{}", c.name);
        assert!(
            stats.revealed > 0 && stats.unknown == 0,
            "{}: {stats:?}",
            c.name
        );
    }
}

#[test]
fn hl7_is_found_whatever_the_label() {
    // Sent as text, and inside a JSON string.
    let (out, _) = run(ADT_A01, ContentType::Text, "safe-harbor");
    assert!(!out.text.contains("Whitcombe") && out.text.contains("|ADT^A01^ADT_A01|"));
    let json = serde_json::json!({ "message": ADT_A01 }).to_string();
    let (out, _) = run(&json, ContentType::Json, "safe-harbor");
    let v: serde_json::Value = serde_json::from_str(&out.text).expect("json");
    let m = v["message"].as_str().expect("string");
    assert!(!m.contains("Whitcombe") && !m.contains("MR4410827"), "{m}");
    assert!(m.contains("29463-7^Body weight^LN||72|kg"), "{m}");
}

#[test]
fn odd_delimiters_and_unknown_segments() {
    // Declared delimiters are used; a Z-segment and a line that is no segment are scanned.
    let msg = "MSH#:@!$#EMR#CLINIC###20240401##ADT:A08#1#P#2.5\r\
PID#1##MR4410827##Whitcombe:Ansel@Whitcombe:Ans##19800312\r\
ZXT#1#MR4410827#call 217-555-0172\r\
free text line about Ansel Whitcombe\r";
    let (out, _) = run(msg, ContentType::Hl7, "safe-harbor");
    for v in ["Whitcombe", "Ansel", "MR4410827", "19800312", "555-0172"] {
        assert!(!out.text.contains(v), "{v} left in {}", out.text);
    }
    assert!(
        out.text.starts_with("MSH#:@!$#EMR#CLINIC###"),
        "{}",
        out.text
    );
    assert!(
        out.text.contains("#ADT:A08#1#P#2.5\rPID#1##"),
        "{}",
        out.text
    );
    // Undecidable delimiters are refused.
    let e = engine();
    let master = MasterKey::from_bytes([42; 32]);
    let store = MemoryTokenStore::new(&master, "");
    let t = e.transformer(e.policy("safe-harbor").expect("p"), &store, &master);
    let mut s = e.detector.scratch();
    let r = e.deidentify(
        b"MSH|^^\\&|X\rPID|1||MR4410827",
        ContentType::Hl7,
        &t,
        &mut s,
    );
    assert!(
        matches!(r, Err(phigate::engine::ScanError::Hl7(_))),
        "{r:?}"
    );
}

const TABLE: &str = "patient_name,mrn,dob,cpt,units,note\r\n\
Ansel Whitcombe,MR4410827,1980-03-12,97530,4,\"Seen with wife Ines; \"\"doing well\"\", call 217-555-0172\"\r\n\
\"Lindqvist, Maren\",MR7730291,1979-01-01,97110,2,Home program reviewed\r\n";

#[test]
fn csv_columns_by_header() {
    for policy in ["safe-harbor", "reversible"] {
        let (out, store) = run(TABLE, ContentType::Csv, policy);
        let t = &out.text;
        for v in [
            "Whitcombe",
            "Ansel",
            "MR4410827",
            "1980-03-12",
            "555-0172",
            "Lindqvist",
            "Maren",
            "MR7730291",
            "Ines",
        ] {
            assert!(!t.contains(v), "[{policy}] {v} left in\n{t}");
        }
        for v in [
            "patient_name,mrn,dob,cpt,units,note\r\n",
            ",97530,4,\"Seen with wife ",
            "; \"\"doing well\"\", call ",
            ",97110,2,Home program reviewed\r\n",
        ] {
            assert!(t.contains(v), "[{policy}] {v} lost\n{t}");
        }
        // Quoted cells stay quoted: `"Lindqvist, Maren"` becomes one quoted token.
        assert!(t.contains("\r\n\""), "{t}");
        if policy == "reversible" {
            let mut stats = RevealStats::default();
            let back = reveal_table(t, b',', &store, &Allow::all(), &mut stats).expect("reveal");
            assert_eq!(back, TABLE);
        }
    }
}

#[test]
fn tables_without_header_or_ragged_are_read_as_unknown() {
    let no_header = "Ansel Whitcombe,MR4410827,1980-03-12\nMaren Lindqvist,MR7730291,1979-01-01\n";
    let ragged = "name,mrn\nAnsel Whitcombe,MR4410827,4135550172\n";
    let tsv = "name\tmrn\tnote\nAnsel Whitcombe\tMR4410827\tcall 217-555-0172\n";
    for (body, ct) in [
        (no_header, ContentType::Csv),
        (ragged, ContentType::Csv),
        (tsv, ContentType::Tsv),
    ] {
        let (out, _) = run(body, ct, "safe-harbor");
        for v in [
            "Whitcombe",
            "MR4410827",
            "1980-03-12",
            "4135550172",
            "555-0172",
        ] {
            assert!(!out.text.contains(v), "{v} left in {}", out.text);
        }
        assert_eq!(out.text.matches('\n').count(), body.matches('\n').count());
    }
    let e = engine();
    let master = MasterKey::from_bytes([42; 32]);
    let store = MemoryTokenStore::new(&master, "");
    let t = e.transformer(e.policy("safe-harbor").expect("p"), &store, &master);
    let mut s = e.detector.scratch();
    let r = e.deidentify(b"a,b\n\"Whitcombe,1", ContentType::Csv, &t, &mut s);
    match r {
        Err(err @ phigate::engine::ScanError::Csv { .. }) => {
            assert!(!err.to_string().contains("Whitcombe"))
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn scan_reads_hl7_and_csv_by_flag_extension_content_and_jsonl_field() {
    use super::support::run;
    // By flag, and by content on standard input.
    for args in [
        &["scan", "--content-type", "application/hl7-v2"][..],
        &["scan"][..],
    ] {
        let out = run(args, ADT_A01.as_bytes());
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            !text.contains("Whitcombe") && text.contains("|ADT^A01^ADT_A01|"),
            "{text}"
        );
    }
    // By extension.
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("visits.csv");
    std::fs::write(&file, TABLE).expect("write");
    let out = run(&["scan", &file.display().to_string()], b"");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && !text.contains("MR4410827"),
        "{text}"
    );
    assert!(
        text.starts_with("patient_name,mrn,dob,cpt,units,note\r\n"),
        "{text}"
    );
    // `--jsonl` with a `content_type` per line; an unterminated quote fails that line only.
    let lines = [
        serde_json::json!({"id": 1, "text": TABLE, "content_type": "text/csv"}),
        serde_json::json!({"id": 2, "text": ADT_A01, "content_type": "x-application/hl7-v2+er7"}),
        serde_json::json!({"id": 3, "text": "mrn\n\"MR4410827", "content_type": "text/csv"}),
    ]
    .iter()
    .map(|v| format!("{v}\n"))
    .collect::<String>();
    let out = run(&["scan", "--jsonl"], lines.as_bytes());
    let text = String::from_utf8_lossy(&out.stdout);
    let recs: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(recs.len(), 3, "{text}");
    assert!(recs[0]["text"]
        .as_str()
        .is_some_and(|t| t.contains(",97530,4,")));
    assert!(recs[1]["text"]
        .as_str()
        .is_some_and(|t| t.contains("|ADT^A01^ADT_A01|")));
    assert!(recs[2]["error"].is_object(), "{}", recs[2]);
    assert!(
        !text.contains("MR4410827") && !text.contains("Whitcombe"),
        "{text}"
    );
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn reversible_text_and_json_reveal_their_spellings_byte_for_byte() {
    use phigate::engine::reveal::reveal_text;
    // A name written with a character reference or a non-breaking space, an accented
    // name: exact tokens stand for the bytes as written, not for their reading.
    for (input, ct) in [
        (
            "Patient Ansel&#160;Whitcombe seen; Jos\u{e9} Whitcombe called.",
            ContentType::Text,
        ),
        (
            "{\"note\":\"Patient Ansel&#160;Whitcombe seen, MRN MR4410&#56;27.\"}",
            ContentType::Json,
        ),
    ] {
        let (out, store) = run(input, ct, "reversible");
        assert!(!out.text.contains("Whitcombe"), "{}", out.text);
        let mut stats = RevealStats::default();
        // Tokens are plain ASCII and these values need no JSON escape: read as text.
        let back = reveal_text(&out.text, &store, &Allow::all(), &mut stats).expect("reveals");
        assert_eq!(back, input);
    }
}

/// Red team 52's H17: a CSV or TSV export inside a JSON string, or a CSV sent as `text/plain`, is
/// read by its header like a `text/csv` body: the ZIP cut to three digits, the age over 89
/// aggregated, lower-case names under their columns replaced. Prose with commas and a
/// table without a known column stay text.
#[test]
fn tables_sent_as_text_are_read_by_their_header() {
    let csv = "mrn,lname,fname,zip,age\n4410827,thackeray,rosalind,01085,93\n";
    let tsv = "mrn\tlname\tfname\tzip\tage\n4410827\tthackeray\trosalind\t01085\t93\n";
    let json = serde_json::json!({"note": csv, "export": tsv}).to_string();
    // A TSV sent as text is not sniffed (tabs lay out notes too): the text reader's.
    for (input, ct) in [(csv, ContentType::Text), (json.as_str(), ContentType::Json)] {
        let (out, _) = run(input, ct, "safe-harbor");
        for leak in ["4410827", "thackeray", "rosalind", "01085", "93"] {
            assert!(!out.text.contains(leak), "{leak} crossed: {}", out.text);
        }
        assert!(
            out.text.contains("mrn") && out.text.contains("zip"),
            "{}",
            out.text
        );
    }
    let prose = "Seen today, goals reviewed\nPlan: home exercise, follow up in 2 weeks\n";
    let (out, _) = run(prose, ContentType::Text, "safe-harbor");
    assert_eq!(out.text, prose);
}

/// A table in a note is read with the note around it: its typed cells are written as
/// their column's type in place, and the tagger reads the rows whole. Cut around the typed
/// phone cells, each row's name was read alone and `ward` crossed (stop 56's note-train
/// regression, note-train-40 document 238). A clinical table no header types is prose.
#[test]
fn tables_in_notes_are_read_whole_with_their_cells_typed() {
    let note =
        "home health to start 12 april 2000; agency contact cynthia at (859) 554-3214 x698.\n\
                with kub 159/min nd tlc fm\n\
                | name | relation | phone |\n\
                |---|---|---|\n\
                | angela barber | step-daughter | 1-729-885-2040 |\n\
                | teresa sanchez | therapist | 1-688-396-4296 |\n\
                | eddie ward | physician | +1 (624) 191-4735 |\n\
                admitted: 25.07.1997  discharged: dec 07\n";
    let json = serde_json::json!({ "note": note }).to_string();
    for (input, ct) in [
        (note, ContentType::Text),
        (json.as_str(), ContentType::Json),
    ] {
        let (out, _) = run(input, ct, "safe-harbor");
        for leak in ["barber", "sanchez", "eddie", "ward", "885-2040", "191-4735"] {
            assert!(!out.text.contains(leak), "{leak} crossed: {}", out.text);
        }
        assert!(out.text.contains("| physician |"), "{}", out.text);
    }
    let (out, _) = run(note, ContentType::Text, "safe-harbor");
    let phone = note.find("1-729-885-2040").expect("in the note");
    assert!(
        out.spans
            .iter()
            .any(|s| s.start == phone && s.end == phone + 14),
        "the typed cell reports its span"
    );
    let grip = "| Test | Result |\n|---|---|\n| Grip | 22 kg |\n| Gait | normal |\n";
    let (out, _) = run(grip, ContentType::Text, "safe-harbor");
    assert_eq!(out.text, grip);
}

/// An observation's value takes the type its code names (`patterns/fields.toml`
/// `[observation_codes]`): an age coded LOINC 30525-0 or 21612-7 is aggregated past 89 and
/// kept below, a last name coded 45394-4 is a name; other observations keep their values
/// (red team 55, J12).
#[test]
fn hl7_observations_are_typed_by_their_code() {
    let msg = "MSH|^~\\&|A|B|C|D|20261204||ORU^R01|1|P|2.5\r\
OBX|1|NM|30525-0^Age^LN||93|a^year^UCUM\r\
OBX|2|NM|21612-7^Age Time Patient Reported^LN||94|a\r\
OBX|3|NM|8480-6^Systolic^LN||132|mm[Hg]\r\
OBX|4|ST|45394-4^Last name^LN||vukovljevic\r\
OBX|5|NM|30525-0^Age^LN||45|a\r\
OBX|6|NM|8867-4^Heart rate^LN||95|/min\r";
    let (out, _) = run(msg, ContentType::Hl7, "safe-harbor");
    let t = &out.text;
    assert!(!t.contains("|93|") && !t.contains("|94|"), "{t}");
    // An NM value stays a number: the category's floor, 90 (red team 55, J29's convention).
    assert!(t.contains("30525-0^Age^LN||90|a^year^UCUM"), "{t}");
    assert!(!t.contains("over 89"), "{t}");
    assert!(!t.contains("vukovljevic"), "{t}");
    for kept in ["||132|mm[Hg]", "||45|a", "||95|/min", "30525-0^Age^LN"] {
        assert!(t.contains(kept), "{kept} lost in {t}");
    }
}

/// DICOM JSON (DICOMweb metadata) is read by tag and value representation: the tag keys
/// and `vr` codes stay, so a DICOMweb receiver can still read it; the patient's name, the
/// mother's birth name, the referring physician, the age past 89 and the birth date are
/// typed; the name is found again in the study description; a private tag's key is read
/// like any key (red team 55, J8).
#[test]
fn dicom_json_is_read_by_tag() {
    let doc = r#"[{"00080060":{"vr":"CS","Value":["MR"]},
"00080090":{"vr":"PN","Value":[{"Alphabetic":"Orsic^Dragana^^Dr"}]},
"00081030":{"vr":"LO","Value":["MRI wrist left, Vukovljevic"]},
"00100010":{"vr":"PN","Value":[{"Alphabetic":"Vukovljevic^Zvezdana"}]},
"00100030":{"vr":"DA","Value":["19610823"]},
"00101010":{"vr":"AS","Value":["093Y"]},
"00101060":{"vr":"PN","Value":[{"Alphabetic":"orsic^mirta"}]},
"00280010":{"vr":"US","Value":[512]},
"04410827":{"vr":"LO","Value":["x"]},
"00400275":{"vr":"SQ","Value":[{"00100010":{"vr":"PN","Value":[{"Alphabetic":"Thackeray^Rosalind"}]}}]}}]"#;
    let (out, _) = run(doc, ContentType::Json, "safe-harbor");
    let t = &out.text;
    for gone in [
        "Vukovljevic",
        "Zvezdana",
        "Orsic",
        "mirta",
        "093Y",
        "19610823",
        "Thackeray",
        "04410827",
    ] {
        assert!(!t.contains(gone), "{gone} crossed in {t}");
    }
    for kept in [
        r#""00080060":{"vr":"CS","Value":["MR"]}"#,
        r#""00100010":{"vr":"PN""#,
        r#""00280010":{"vr":"US","Value":[512]}"#,
        r#""00400275":{"vr":"SQ""#,
        "MRI wrist left",
        // Generalised values stay valid in their VR: an age past 89 is the category's
        // floor, a date cut to its year is that year's first day.
        r#""00101010":{"vr":"AS","Value":["090Y"]}"#,
        r#""00100030":{"vr":"DA","Value":["19610101"]}"#,
    ] {
        assert!(t.contains(kept), "{kept} lost in {t}");
    }
}

/// A DICOM date the policy removes whole (a birth date over 89 years ago keeps no year)
/// is an empty value, not a marker no DA can hold; an age under 90 keeps its form.
#[test]
fn dicom_json_values_stay_valid_in_their_vr() {
    let doc =
        r#"{"00100030":{"vr":"DA","Value":["19310823"]},"00101010":{"vr":"AS","Value":["045Y"]}}"#;
    let (out, _) = run(doc, ContentType::Json, "safe-harbor");
    assert_eq!(
        out.text,
        r#"{"00100030":{"vr":"DA","Value":[null]},"00101010":{"vr":"AS","Value":["045Y"]}}"#
    );
}

/// Tables labelled CSV that are not comma-separated (red team 58, R5/P7): a TSV, a pipe
/// table (one row too) and a semicolon table under Excel's `sep=;` line are read with their
/// own delimiter and typed by their header, not read one cell a row (age and ZIP crossed,
/// or the row became `000`). The header and the delimiters stay.
#[test]
fn tables_labelled_csv_are_read_with_their_own_delimiter() {
    for (body, header) in [
        (
            "patient_name\tage\tzip\nzvezdana vukovljevic\t93\t01085\nmiles ward\t45\t01056\n",
            "patient_name\tage\tzip\n",
        ),
        (
            "patient_name|age|zip\nzvezdana vukovljevic|93|01085\n",
            "patient_name|age|zip\n",
        ),
        (
            "sep=;\npatient_name;age;zip\nzvezdana vukovljevic;93;01085\n",
            "sep=;\npatient_name;age;zip\n",
        ),
    ] {
        let (out, _) = run(body, ContentType::Csv, "safe-harbor");
        let t = &out.text;
        assert!(t.starts_with(header), "header lost in {t}");
        for gone in [
            "vukovljevic",
            "zvezdana",
            ";93",
            "|93",
            "\t93",
            "01085",
            "miles",
        ] {
            assert!(!t.contains(gone), "{gone} crossed in {t}");
        }
        assert!(!t.contains("\n000"), "a row became one value in {t}");
        let d = header.trim_end().chars().rev().nth(3).expect("a delimiter");
        assert!(
            t.lines().last().is_some_and(|l| l.matches(d).count() == 2),
            "{d:?} cells lost in {t}"
        );
    }
}

/// In a CSV table of people (a column only a person has: age, ZIP, MRN, phone…), a bare
/// `name`, `first` or `last` column is typed whole, as a text's table is (stop 63): `tam
/// quenby`, whose `tam` is an English word, crossed in a CSV body and in a table pasted into
/// a JSON string (stop 64). A `name` column of drugs beside a date column stays.
#[test]
fn name_columns_of_people_tables_are_names_in_csv_and_json_strings() {
    let (out, _) = run(
        "name,age,zip\ntam quenby,93,01085\n",
        ContentType::Csv,
        "safe-harbor",
    );
    assert!(out.text.starts_with("name,age,zip\nNAME_"), "{}", out.text);
    let (out, _) = run(
        r#"{"rows":"first,last,mrn\ntam,quenby,4410827"}"#,
        ContentType::Json,
        "safe-harbor",
    );
    for gone in ["tam,", "quenby", "4410827"] {
        assert!(!out.text.contains(gone), "{gone} crossed in {}", out.text);
    }
    let drugs = "name,dose,date\nlisinopril,10 mg,2024-01-02\n";
    let (out, _) = run(drugs, ContentType::Csv, "safe-harbor");
    assert!(
        out.text.starts_with("name,dose,date\nlisinopril,10 mg,"),
        "{}",
        out.text
    );
}

/// A body labelled CSV that no delimiter cuts into a table is read as text, not passed on
/// as one cell a row: a ragged tab table's cells are read in their sentences.
#[test]
fn a_csv_label_on_text_reads_it_as_text() {
    let body = "Seen today.\tRosalind Thackeray called from 413-555-0172.\nMRN MR4410827\n";
    let (out, _) = run(body, ContentType::Csv, "safe-harbor");
    for gone in ["Thackeray", "555-0172", "MR4410827"] {
        assert!(!out.text.contains(gone), "{gone} crossed in {}", out.text);
    }
}

/// A TSV export sent as text (red team 58, R5): each cell under a header the field rules
/// know is typed by it (an age over 89, a ZIP, a lower-case name), not left to prose.
#[test]
fn a_tsv_table_sent_as_text_is_typed_by_its_header() {
    let body = "patient_name\tage\tzip\tnote\nzvezdana vukovljevic\t93\t01085\tHEP given\nmiles ward\t45\t01056\tseen\n";
    let (out, _) = run(body, ContentType::Text, "safe-harbor");
    let t = &out.text;
    assert!(
        t.starts_with("patient_name\tage\tzip\tnote\n"),
        "header lost in {t}"
    );
    for gone in ["vukovljevic", "\t93\t", "01085", "01056", "miles ward"] {
        assert!(!t.contains(gone), "{gone} crossed in {t}");
    }
    assert!(
        t.contains("HEP given") && t.contains("\t45\t"),
        "clinical cells lost in {t}"
    );
}

/// A table with a column only a person has (age, ZIP, phone) is a table of people: its
/// bare `Name` column is typed whole, a name made of words included (`ines ward`; red team
/// 58, R4). A medication table's `Name` column beside a date is still read as prose. What
/// typed cells hold is then searched for in the text around them (`ines` alone below), as
/// an iCalendar event's attendee is in its summary.
#[test]
fn name_columns_of_people_tables_are_typed_and_learned() {
    let body = "name\tage\tzip\nines ward\t93\t01085\n\nCalled ines about transport.\n";
    let (out, _) = run(body, ContentType::Text, "safe-harbor");
    let t = &out.text;
    for gone in ["ines", "ward", "\t93\t", "01085"] {
        assert!(!t.contains(gone), "{gone} crossed in {t}");
    }
    assert!(t.contains("about transport"), "{t}");
    let meds = "| Name | Route | Start date |\n|---|---|---|\n| Keppra | oral | 2024-01-02 |\n";
    let (out, _) = run(meds, ContentType::Text, "safe-harbor");
    assert!(out.text.contains("| Keppra |"), "{}", out.text);
    let ics = "BEGIN:VEVENT\nATTENDEE;CN=Tamsin Quenby:mailto:x@y.example\nSUMMARY:OT eval - tam quenby\n\
               LOCATION:14 Larch Way\\, Ludlow\nGEO:42.3601;-71.0589\nEND:VEVENT\n";
    let (out, _) = run(ics, ContentType::Text, "safe-harbor");
    let t = &out.text;
    for gone in ["quenby", "Quenby", "Larch", "42.3601"] {
        assert!(!t.contains(gone), "{gone} crossed in {t}");
    }
    assert!(t.contains("SUMMARY:OT eval - "), "{t}");
}

/// XML label/value pairs (red team 58, R8): a value is typed by the label beside it, in a
/// label attribute (`name`, `key`, `id`, `n`), or a `key` element before its `value`, as
/// JSON's `{"name": "age", "value": "93"}` is.
#[test]
fn xml_values_are_typed_by_their_labels() {
    let doc = r#"<?xml version="1.0"?>
<form>
<field name="age">93</field>
<field name="zip">01085</field>
<field name="first_name">miles</field>
<field name="last_name">ward</field>
<field id="plate">7XKJ22</field>
<param key="surname" value="vukovljevic"/>
<attr n="city" v="belchertown"/>
<Property Name="PatientAge">94</Property>
<entry><key>dob</key><value>1931-08-23</value></entry>
<member><name>lastName</name><value><string>thackeray</string></value></member>
<field name="grip">22 kg</field>
</form>"#;
    let (out, _) = run(doc, ContentType::Xml, "safe-harbor");
    let t = &out.text;
    for gone in [
        ">93<",
        "01085",
        ">miles<",
        ">ward<",
        "7XKJ22",
        "vukovljevic",
        "belchertown",
        ">94<",
        "1931-08-23",
        "thackeray",
    ] {
        assert!(!t.contains(gone), "{gone} crossed in {t}");
    }
    for kept in [
        r#"<field name="grip">22 kg</field>"#,
        r#"<field name="age">"#,
        "<key>dob</key>",
    ] {
        assert!(t.contains(kept), "{kept} lost in {t}");
    }
}
