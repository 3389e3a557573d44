//! C-CDA / CDA R2 and any other XML through the engine and the real binary (issue 14 item
//! 2): a synthetic CCD and progress note (`tests/data/cda/`) with the values that must
//! change and the markup and codes that must stay; the output still reads as XML; the
//! reversible policy revealed byte for byte (engine and `scan` → `reveal` on a real vault);
//! DOCTYPEs, entity bombs, unknown entities and malformed documents refused with nothing of
//! the input in the message; XML that is not CDA read by the same defaults.

use phigate::engine::reveal::{reveal_xml, Allow, RevealStats};
use phigate::engine::{xml, ContentType, Output, ScanError};
use phigate::keys::MasterKey;
use phigate::transform::token::MemoryTokenStore;

use super::support::{engine, run};

const CCD: &str = include_str!("../data/cda/ccd.xml");
const NOTE: &str = include_str!("../data/cda/progress-note.xml");

fn deidentify(
    input: &str,
    ct: ContentType,
    policy: &str,
) -> (Result<Output, ScanError>, MemoryTokenStore) {
    let e = engine();
    let master = MasterKey::from_bytes([42; 32]);
    let store = MemoryTokenStore::new(&master, "");
    let p = e.policy(policy).expect("built-in policy");
    let out = {
        let t = e.transformer(p, &store, &master);
        let mut scratch = e.detector.scratch();
        e.deidentify(input.as_bytes(), ct, &t, &mut scratch)
    };
    (out, store)
}

fn safe_harbor(input: &str) -> String {
    deidentify(input, ContentType::Xml, "safe-harbor")
        .0
        .expect("de-identifies")
        .text
}

struct Case {
    name: &'static str,
    doc: &'static str,
    must_change: &'static [&'static str],
    must_keep: &'static [&'static str],
}

const CASES: &[Case] = &[
    Case {
        name: "CCD",
        doc: CCD,
        must_change: &[
            // recordTarget: ids, address, telecom, name, birth time, guardian, birthplace.
            "MR4410827", "4410827", "512-47-3306", "1187 Larkspur", "Wexbridge", "01742",
            "555-0172", "otter.lake.74", "Rosalind", "Rosie", "Thackeray", "19610823",
            "Barnaby", "44 Quillon", "555-0199", "Ostrava Falls", "1821094457",
            // author, informant, custodian, legal authenticator, participant, encounter.
            "1942558301", "Imogen", "Castellane", "Hollis", "Larkspur Valley", "90 Mill Pond",
            "555-0100", "Percival", "Okonkwo-Reyes", "7 Fenwick", "Dunmore Bay", "02139",
            "555-0143", "V90321877", "FAC-22",
            // document ids, instance UUID, every date.
            "DOC7730215", "SET5521907", "ec8a6ff8", "20250301", "02/11/2025", "03/01/2025",
            "20250211",
        ],
        must_keep: &[
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<?xml-stylesheet type=\"text/xsl\" href=\"CDA.xsl\"?>\n",
            "<ClinicalDocument xmlns=\"urn:hl7-org:v3\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xmlns:sdtc=\"urn:hl7-org:sdtc\">",
            "<typeId root=\"2.16.840.1.113883.1.3\" extension=\"POCD_HD000040\"/>",
            "<templateId root=\"2.16.840.1.113883.10.20.22.1.1\" extension=\"2015-08-01\"/>",
            "<code code=\"34133-9\" displayName=\"Summarization of Episode Note\" codeSystem=\"2.16.840.1.113883.6.1\" codeSystemName=\"LOINC\"/>",
            "<title>Continuity of Care Document</title>",
            "<effectiveTime value=\"2025\"/>",
            "<id root=\"2.16.840.1.113883.19.5.99999.2\" extension=\"MRN_",
            // The SSA's root makes its extension an SSN (redacted under Safe Harbor).
            "<id root=\"2.16.840.1.113883.4.1\" extension=\"[SSN]\"/>",
            "<telecom value=\"tel:PHONE_",
            "<telecom value=\"mailto:EMAIL_",
            "<birthTime value=\"1961\"/>",
            "<state>MA</state>",
            "<postalCode>017</postalCode>",
            "<country>US</country>",
            "<prefix>Ms.</prefix>",
            "<administrativeGenderCode code=\"F\" codeSystem=\"2.16.840.1.113883.5.1\" displayName=\"Female\"/>",
            "<sdtc:raceCode code=\"2108-9\" displayName=\"European\" codeSystem=\"2.16.840.1.113883.6.238\"/>",
            "<code code=\"GRFTH\" displayName=\"Grandfather\" codeSystem=\"2.16.840.1.113883.5.111\"/>",
            "<relatedEntity classCode=\"PRS\">",
            "<participant typeCode=\"IND\">",
            "<table border=\"1\" width=\"100%\">",
            "<tr ID=\"problem1\"><td>Carpal tunnel syndrome, right</td><td>2025</td>",
            "<act classCode=\"ACT\" moodCode=\"EVN\">",
            "<code code=\"55607006\" codeSystem=\"2.16.840.1.113883.6.96\" displayName=\"Problem\"/>",
            "<reference value=\"#problem1\"/>",
            "<value xsi:type=\"CD\" code=\"57406009\" codeSystem=\"2.16.840.1.113883.6.96\" displayName=\"Carpal tunnel syndrome\"/>",
            "<item>Height 165 cm, weight 61 kg on 2025.</item>",
            "<value xsi:type=\"PQ\" value=\"165\" unit=\"cm\"/>",
            "<paragraph>Ms. <content styleCode=\"Bold\">NAME_",
            "<paragraph><![CDATA[Phone note: NAME_",
            "<!-- reviewed with NAME_",
        ],
    },
    Case {
        name: "progress note (prefixed namespace, single quotes)",
        doc: NOTE,
        must_change: &[
            "Cassius", "Vandermolen", "MR7730291", "Brindlewood", "Harrowgate", "03031",
            "555.0148", "19470305", "Oriane", "Dufresne", "1679934021", "EMP44102", "Tamsin",
            "Oakhurst", "Leopold", "Ashgrove", "c.vandermolen", "Marguerite", "ENC5528810",
            "PN-20250414", "603-555-0190", "03/28/2025", "202504141530", "99999.8'",
        ],
        must_keep: &[
            "<?xml version='1.0' encoding='utf-8'?>\n<cda:ClinicalDocument xmlns:cda='urn:hl7-org:v3' xmlns:xsi='http://www.w3.org/2001/XMLSchema-instance'>",
            "<cda:templateId root='2.16.840.1.113883.10.20.22.1.9' extension='2015-08-01'/>",
            "<cda:code code='11506-3' codeSystem='2.16.840.1.113883.6.1' codeSystemName='LOINC' displayName='Progress note'/>",
            "<cda:birthTime value='1947'/>",
            "<cda:postalCode>030</cda:postalCode>",
            "<cda:state>NH</cda:state>",
            "<cda:id nullFlavor='NI'/>",
            "<cda:signatureCode code='S'/>",
            "<cda:prefix>Dr.</cda:prefix>",
            "<cda:participant typeCode='CALLBCK'>",
            "<cda:item>Grip 38 lb left (was 31 lb); 97530 x 3 units.</cda:item>",
            "<cda:title>Assessment and Plan</cda:title>",
        ],
    },
];

#[test]
fn documents_change_phi_and_keep_the_rest() {
    for case in CASES {
        let out = safe_harbor(case.doc);
        assert!(xml::reads(&out), "{}: output is not XML:\n{out}", case.name);
        for v in case.must_change {
            assert!(!out.contains(v), "{}: `{v}` survived:\n{out}", case.name);
        }
        for v in case.must_keep {
            assert!(out.contains(v), "{}: `{v}` was not kept:\n{out}", case.name);
        }
        // Markup is untouched: the same tags, in the same order (beside the comments that
        // carry a masked identifier's token).
        let tags = |s: &str| -> Vec<String> {
            s.split('<')
                .skip(1)
                .filter(|t| !t.starts_with("!--phigate:"))
                .map(|t| t.split([' ', '>', '/']).next().unwrap_or("").to_string())
                .collect()
        };
        assert_eq!(tags(case.doc), tags(&out), "{}", case.name);
    }
}

#[test]
fn a_limited_data_set_keeps_dates_and_towns_and_tokenises_the_rest() {
    let out = deidentify(CCD, ContentType::Xml, "limited-data-set")
        .0
        .expect("de-identifies")
        .text;
    for kept in [
        "<birthTime value=\"19610823\"/>",
        "<city>Wexbridge</city>",
        "<postalCode>01742</postalCode>",
        "<effectiveTime value=\"20250301093000-0500\"/>",
    ] {
        assert!(out.contains(kept), "{kept}:\n{out}");
    }
    for gone in [
        "Rosalind",
        "Thackeray",
        "MR4410827",
        "1187 Larkspur",
        "555-0172",
    ] {
        assert!(!out.contains(gone), "{gone}:\n{out}");
    }
}

#[test]
fn reversible_documents_reveal_byte_for_byte() {
    let with_escapes = "<?xml version=\"1.0\"?>\r\n<ClinicalDocument xmlns=\"urn:hl7-org:v3\"><recordTarget><patientRole>\
        <id root=\"2.16.840.1.113883.19.5\" extension=\"A&amp;B-4410827\"/><patient><name><family>O'Brien &amp; Jones</family>\
        <given>Se&lt;n</given></name></patient></patientRole></recordTarget><component><structuredBody><component><section>\
        <text>O'Brien &amp; Jones seen; <content ID=\"c1\">A&amp;B-4410827</content>.</text></section></component>\
        </structuredBody></component></ClinicalDocument>";
    // Needless references: a character reference for a plain letter, `&apos;` and
    // `&quot;` in text, `&gt;` in an attribute, a literal `>` in text, hex and decimal.
    let needless = "<?xml version=\"1.0\"?>\n<ClinicalDocument xmlns=\"urn:hl7-org:v3\"><recordTarget><patientRole>\
        <id root=\"2.16.840.1.113883.19.5\" extension=\"MR&#52;410827\"/><addr><streetAddressLine>41 Orch&#x61;rd Lane</streetAddressLine></addr>\
        <patient><name><given>Ans&#101;l</given><family>O&apos;Brien</family></name></patient></patientRole></recordTarget>\
        <component><structuredBody><component><section><title>Notes &gt; summary</title>\
        <text>Ans&#101;l O&apos;Brien said &quot;better&quot; (pain > 4) at 41 Orch&#x61;rd Lane; MRN MR&#52;410827.\
        <content ID=\"c1\" styleCode=\"a&gt;b\">Se&#xE1;n O&#39;Brien</content></text></section></component>\
        </structuredBody></component></ClinicalDocument>";
    for doc in [CCD, NOTE, with_escapes, needless] {
        let (out, store) = deidentify(doc, ContentType::Xml, "reversible");
        let out = out.expect("de-identifies").text;
        assert!(!out.contains("Thackeray") && !out.contains("Brien") && !out.contains("Cassius"));
        assert!(
            !out.contains("Ans&#101;l") && !out.contains("MR&#52;410827"),
            "{out}"
        );
        let mut stats = RevealStats::default();
        let back = reveal_xml(&out, &store, &Allow::all(), &mut stats).expect("reveals");
        assert_eq!(back, doc);
        assert!(stats.revealed > 0 && stats.unknown == 0, "{stats:?}");
    }
}

#[test]
fn xml_is_read_whatever_the_label() {
    let doc = "<?xml version=\"1.0\"?><ClinicalDocument><recordTarget><patientRole>\
        <patient><name><given>Rosalind</given><family>Thackeray</family></name></patient>\
        </patientRole></recordTarget></ClinicalDocument>";
    for ct in [
        ContentType::Xml,
        ContentType::Text,
        "text/xml".parse().expect("ct"),
        "application/cda+xml".parse().expect("ct"),
    ] {
        let out = deidentify(doc, ct, "safe-harbor")
            .0
            .expect("de-identifies")
            .text;
        assert!(
            !out.contains("Thackeray") && out.contains("<given>NAME_"),
            "{ct:?}: {out}"
        );
    }
    assert_eq!(ContentType::infer(Some("note.xml"), b"x"), ContentType::Xml);
}

#[test]
fn a_document_inside_a_json_string_is_walked_as_xml() {
    let body = serde_json::json!({"kind": "ccd", "document": CCD, "broken": "<a><b>Rosalind Thackeray</a>"})
        .to_string();
    let out = deidentify(&body, ContentType::Json, "safe-harbor")
        .0
        .expect("de-identifies")
        .text;
    let v: serde_json::Value = serde_json::from_str(&out).expect("still JSON");
    let doc = v["document"].as_str().expect("document");
    assert!(
        xml::reads(doc) && doc.contains("<birthTime value=\"1961\"/>"),
        "{doc}"
    );
    assert!(
        !out.contains("Thackeray") && !out.contains("MR4410827"),
        "{out}"
    );
}

#[test]
fn any_xml_document_is_read_by_the_same_defaults() {
    let doc = "<Visit id=\"AB1234567\" kind=\"progress\" xmlns:x=\"urn:example\">\n\
        <x:patient>Chidi Okafor</x:patient><seen on=\"2025-03-01\">yes</seen>\n\
        <contact>call 413-555-0172</contact><score>42</score></Visit>";
    let out = safe_harbor(doc);
    for gone in ["AB1234567", "Chidi", "Okafor", "2025-03-01", "555-0172"] {
        assert!(!out.contains(gone), "{gone}: {out}");
    }
    for kept in [
        "kind=\"progress\" xmlns:x=\"urn:example\">\n<x:patient>",
        "<score>42</score></Visit>",
        ">yes</seen>",
    ] {
        assert!(out.contains(kept), "{kept}: {out}");
    }
}

/// A value cut inside a word by markup a reader does not see (a comment, an instruction,
/// a CDATA boundary, an inline element) is read whole and rewritten, the markup kept and
/// the document still XML (red team 50, F13); markup that cuts no PHI changes nothing.
#[test]
fn a_value_cut_by_markup_inside_a_word_is_read_whole() {
    let cases: &[(&str, &[&str])] = &[
        (
            "<Visit><note>Seen Thack<!-- x -->eray, MR441<!-- -->0827</note></Visit>",
            &["eray", "0827", "<!-- x -->", "<!-- -->"],
        ),
        (
            "<Visit><note>Seen Thack<?x y?>eray, MR441<?z?>0827</note></Visit>",
            &["eray", "0827", "<?x y?>"],
        ),
        (
            "<Visit><note>Chart MR441<![CDATA[0827]]> seen, Rosa<![CDATA[lind Thack]]>eray</note></Visit>",
            &["0827", "lind", "eray"],
        ),
        (
            "<section><text><paragraph>chart MR441<content styleCode=\"Bold\">0827</content>, \
             Thack<br/>eray, born 1961-0<sup>8</sup>-23, call 413-555<content>-0172</content>, \
             mail otter.lake<footnote>.74</footnote>@inbox.example</paragraph></text></section>",
            &["0827", "eray", "-23", "0172", "74", "@inbox", "<br/>", "<sup>", "</footnote>"],
        ),
        (
            "<Observation xmlns=\"http://hl7.org/fhir\"><text><div xmlns=\"http://www.w3.org/1999/xhtml\">\
             Dragana Vukovljevic, MR441<b>0827</b>, Ro<h:i xmlns:h=\"http://www.w3.org/1999/xhtml\">salind</h:i> \
             Thack<span><b>er</b></span>ay</div></text></Observation>",
            &["0827", "salind", "ay</div>", "<b></b>"],
        ),
    ];
    for (doc, marks) in cases {
        let out = safe_harbor(doc);
        assert!(xml::reads(&out), "{out}");
        for m in *marks {
            // The value's pieces are gone; the markup is still there.
            let markup = m.starts_with('<') && !m.ends_with("</div>");
            assert_eq!(out.contains(m), markup, "{m}: {out}");
        }
    }
    // Cut words that are no PHI, and markup between words: the document as it came.
    let plain = "<section><text><paragraph>BP <content styleCode=\"Bold\">120/80</content>; \
        Hyper<content>tension</content> stable, re<!-- x -->check in 2<sup>nd</sup> week \
        (<content ID=\"m1\">lisinopril</content>).<br/>Walks daily.</paragraph></text></section>";
    assert_eq!(safe_harbor(plain), plain);
}

/// Inputs the reader refuses, none of whose text may appear in the error.
const REFUSED: &[(&str, &str)] = &[
    (
        "billion laughs",
        "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"Thackeray\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;\">]><lolz>&lol2;</lolz>",
    ),
    (
        "external entity",
        "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]><x>&xxe;</x>",
    ),
    ("undeclared entity", "<x><name>&Thackeray;</name></x>"),
    ("mismatched end tag", "<x><name>Rosalind Thackeray</nmae></x>"),
    ("unclosed element", "<x><name>Rosalind Thackeray</name>"),
    ("bad attribute", "<x name=Thackeray/>"),
    ("duplicate attribute", "<x a=\"Thackeray\" a=\"Rosalind\"/>"),
    ("text after the root", "<x/>Rosalind Thackeray"),
    ("bad character reference", "<x>Thackeray&#0;</x>"),
    // Names cannot be rewritten and stay valid: PHI in markup refuses the document.
    ("a surname as an element", "<x><Thackeray>seen</Thackeray></x>"),
    ("a record number as an attribute", "<x MR4410827=\"1\"/>"),
    ("a name as a namespace prefix", "<x xmlns:Rosalind_Thackeray=\"urn:a\"/>"),
    ("a learned name as a PI target", "<x><patient><name>Rosalind Thackeray</name></patient><?Thackeray go?></x>"),
    ("an address as an element", "<x><rosalind.thackeray_example.org/></x>"),
];

#[test]
fn doctypes_entities_and_malformed_documents_are_refused_without_echo() {
    for (what, doc) in REFUSED {
        let (r, _) = deidentify(doc, ContentType::Xml, "safe-harbor");
        let e = r.expect_err(what);
        let msg = e.to_string();
        assert!(
            matches!(e, ScanError::Xml { .. } | ScanError::XmlRefused(_)),
            "{what}: {e:?}"
        );
        for v in ["Thackeray", "Rosalind", "passwd", "lol"] {
            assert!(!msg.contains(v), "{what}: {msg}");
        }
    }
    let deep = format!(
        "{}{}",
        "<a>".repeat(xml::MAX_DEPTH + 1),
        "</a>".repeat(xml::MAX_DEPTH + 1)
    );
    let (r, _) = deidentify(&deep, ContentType::Xml, "safe-harbor");
    assert!(matches!(r, Err(ScanError::XmlRefused(_))), "{r:?}");
    // Through the binary: exit 1, nothing on standard output, no input text on standard error.
    for (what, doc) in &REFUSED[..4] {
        let out = run(
            &["scan", "--content-type", "application/xml"],
            doc.as_bytes(),
        );
        assert_eq!(out.status.code(), Some(1), "{what}");
        assert!(out.stdout.is_empty(), "{what}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("XML"), "{what}: {err}");
        assert!(
            !err.contains("Thackeray") && !err.contains("passwd"),
            "{what}: {err}"
        );
    }
}

#[test]
fn scan_and_reveal_through_the_binary_give_the_document_back_byte_for_byte() {
    let dir = tempfile::tempdir().expect("tempdir");
    let key = dir.path().join("master.key");
    let out = run(&["keygen", "--out", &key.display().to_string()], b"");
    assert!(out.status.success());
    let (k, v) = (
        key.display().to_string(),
        dir.path().join("vault").display().to_string(),
    );
    super::vault::init_vault(&k, &v);
    let file = dir.path().join("ccd.xml");
    std::fs::write(&file, CCD).expect("write");
    let f = file.display().to_string();
    let base = ["--vault", &v, "--key-file", &k];
    // By flag, by the file's extension, and by content on standard input.
    for (args, stdin) in [
        (
            vec!["--content-type", "application/cda+xml"],
            CCD.as_bytes(),
        ),
        (vec![f.as_str()], &b""[..]),
        (vec![], CCD.as_bytes()),
    ] {
        let mut all = vec!["scan", "--policy", "reversible"];
        all.extend(base);
        all.extend(&args);
        let scanned = run(&all, stdin);
        assert!(
            scanned.status.success(),
            "{}",
            String::from_utf8_lossy(&scanned.stderr)
        );
        let tokens = String::from_utf8(scanned.stdout).expect("utf8");
        assert!(
            !tokens.contains("Thackeray") && xml::reads(&tokens),
            "{tokens}"
        );
        for ct in [Some("xml"), None] {
            let mut all = vec!["reveal"];
            all.extend(base);
            if let Some(ct) = ct {
                all.extend(["--content-type", ct]);
            }
            let back = run(&all, tokens.as_bytes());
            assert!(
                back.status.success(),
                "{}",
                String::from_utf8_lossy(&back.stderr)
            );
            assert!(back.stdout == CCD.as_bytes(), "{args:?} {ct:?}");
        }
    }
    // `--jsonl` with a `content_type` per line.
    let line = serde_json::json!({"id": 7, "text": NOTE, "content_type": "text/xml"});
    let out = run(&["scan", "--jsonl"], format!("{line}\n").as_bytes());
    let rec: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json line");
    let text = rec["text"].as_str().expect("text");
    assert!(
        text.contains("<cda:birthTime value='1947'/>") && !text.contains("Vandermolen"),
        "{text}"
    );
}

#[test]
fn a_time_stamp_the_policy_cannot_keep_is_masked_not_broken() {
    // Born over 89 years ago: Safe Harbor keeps no year, so the TS has no valid value.
    let doc = "<ClinicalDocument><recordTarget><patientRole><patient>\
        <birthTime value=\"19210823\"/></patient></patientRole></recordTarget>\
        <effectiveTime value=\"20250301\"/></ClinicalDocument>";
    let out = safe_harbor(doc);
    assert!(
        out.contains("<birthTime nullFlavor=\"MSK\"/>")
            && out.contains("<effectiveTime value=\"2025\"/>"),
        "{out}"
    );
}

/// Every II and TS attribute of `doc` in the lexical form the CDA schema gives it: a TS
/// `value` (on a time element with no `unit`) matches the TS pattern, an `id`'s `root` is an
/// OID, a UUID or a RUID, an `extension` is not empty. Returns what breaks, as
/// `element@attribute=value`.
fn lexical_breaks(doc: &str) -> Vec<String> {
    use quick_xml::events::Event;
    let ts = regex::Regex::new(r"^[0-9]{4}(?:[0-9]{2}){0,5}(?:\.[0-9]+)?(?:[+-][0-9]{4})?$")
        .expect("ts");
    let oid = regex::Regex::new(r"^[0-2](?:\.(?:0|[1-9][0-9]*))+$").expect("oid");
    let uuid =
        regex::Regex::new(r"^[0-9A-Fa-f]{8}(?:-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}$").expect("uuid");
    let ruid = regex::Regex::new(r"^[A-Za-z][A-Za-z0-9\-]*$").expect("ruid");
    let times = [
        "effectiveTime",
        "birthTime",
        "time",
        "low",
        "high",
        "center",
        "deceasedTime",
        "expirationTime",
    ];
    let mut reader = quick_xml::Reader::from_str(doc);
    let mut breaks = Vec::new();
    loop {
        let e = match reader.read_event().expect("still reads as XML") {
            Event::Start(e) | Event::Empty(e) => e,
            Event::Eof => break,
            _ => continue,
        };
        let name = e.local_name().as_ref().to_string();
        let attrs: Vec<(String, String)> = e
            .attributes()
            .map(|a| {
                let a = a.expect("attribute");
                // As written: no TS, OID or UUID needs a reference.
                let v = a.value.to_string();
                (a.key.as_ref().to_string(), v)
            })
            .collect();
        let get = |k: &str| attrs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        let mut check = |attr: &str, ok: bool, v: &str| {
            if !ok {
                breaks.push(format!("{name}@{attr}={v}"));
            }
        };
        if times.contains(&name.as_str()) && get("unit").is_none() {
            if let Some(v) = get("value") {
                check("value", ts.is_match(v), v);
            }
        }
        if name == "id" || name == "setId" {
            if let Some(v) = get("root") {
                check(
                    "root",
                    oid.is_match(v) || uuid.is_match(v) || ruid.is_match(v),
                    v,
                );
            }
            if let Some(v) = get("extension") {
                check("extension", !v.trim().is_empty(), v);
            }
        }
    }
    breaks
}

#[test]
fn tokenised_time_stamps_and_ids_keep_their_lexical_form() {
    // Roots alone (the OID is the identifier), a UUID root, TS values with times, zones
    // and fractions, an ISO date where a TS belongs, a clinician's TS, and a TS beside a
    // nullFlavor (born over 89 years ago: left out, or carried as a token, never broken).
    let ids = "<?xml version=\"1.0\"?>\n<ClinicalDocument xmlns=\"urn:hl7-org:v3\">\
        <id root=\"2.16.840.1.113883.19.5.99999.77120443\"/><setId root=\"6a1f0c3e-5b7d-4e2a-9c11-3f0e2d4b5a6c\"/>\
        <effectiveTime value=\"20240312083000.1234-0500\"/><recordTarget><patientRole>\
        <id root=\"2.16.840.1.113883.19.5\" extension=\"MR4410827\"/><id root=\"2.16.840.1.113883.19.5.4410827\"/>\
        <patient><name><given>Ansel</given><family>Whitcombe</family></name>\
        <birthTime value=\"19800312\"/><sdtcDeceased><deceasedTime value=\"2024-03-12\"/></sdtcDeceased>\
        </patient></patientRole></recordTarget><author><time value=\"202403120830+0100\"/>\
        <time nullFlavor=\"UNK\" value=\"19210823\"/>\
        <assignedAuthor><id root=\"2.16.840.1.113883.4.6\" extension=\"1821094457\"/></assignedAuthor></author>\
        <component><structuredBody><component><section><entry><observation>\
        <effectiveTime><low value=\"20240301\"/><high value=\"20240312\"/></effectiveTime>\
        <value unit=\"kg\" value=\"72\"/></observation></entry></section></component></structuredBody></component>\
        </ClinicalDocument>";
    // The checker sees the one break the input has.
    assert_eq!(lexical_breaks(ids), ["deceasedTime@value=2024-03-12"]);
    for policy in ["safe-harbor", "reversible", "limited-data-set"] {
        for doc in [CCD, NOTE, ids] {
            let (out, store) = deidentify(doc, ContentType::Xml, policy);
            let out = out.expect("de-identifies").text;
            // Nothing breaks that was not broken as it came (a kept date stays as written).
            let before = lexical_breaks(doc);
            let breaks = lexical_breaks(&out);
            assert!(
                breaks.iter().all(|b| before.contains(b)),
                "[{policy}] {breaks:?}\n{out}"
            );
            assert!(!out.contains("4410827"), "[{policy}] {out}");
            // The TS beside a nullFlavor is left out; a token is carried for reveal.
            let left_out = match policy {
                "reversible" => "<time nullFlavor=\"UNK\"/><!--phigate:+value=DATE_",
                "safe-harbor" => "<time nullFlavor=\"UNK\"/><assignedAuthor>",
                _ => "",
            };
            assert!(doc != ids || out.contains(left_out), "[{policy}] {out}");
            let keeps_dates = policy == "limited-data-set";
            assert!(keeps_dates || !out.contains("19800312"), "[{policy}] {out}");
            if policy == "reversible" {
                // Masked attributes carry their tokens in comments: revealed whole.
                let mut stats = RevealStats::default();
                let back = reveal_xml(&out, &store, &Allow::all(), &mut stats).expect("reveals");
                assert_eq!(back, doc, "[{policy}]");
                let carried = [
                    "\"MSK\"/><!--phigate:value=DATE_",
                    "'MSK'/><!--phigate:value=DATE_",
                ];
                assert!(carried.iter().any(|c| out.contains(c)), "{out}");
                // A caller who may not see dates gets the masked document, still valid.
                let mut stats = RevealStats::default();
                let names = Allow::only(vec![phigate::phi::PhiType::Name]);
                let partial = reveal_xml(&out, &store, &names, &mut stats).expect("reveals");
                let breaks = lexical_breaks(&partial);
                assert!(breaks.iter().all(|b| before.contains(b)), "{partial}");
                assert!(!partial.contains("19800312"), "{partial}");
                assert!(doc != ids || partial.contains("Whitcombe"), "{partial}");
            }
        }
    }
}

/// Red team 55, J-d: XHTML's own element and attribute names (`<li>`, `<del>`, `lang`,
/// `xml:lang`) are markup, not surnames: the document is read, not refused; a name written
/// as an element (`<Thackeray>`) or in another case (`<Li>`) is still refused.
#[test]
fn xhtml_names_in_narratives_are_markup_not_phi_red_team_55() {
    let doc = r#"<Observation xmlns="http://hl7.org/fhir"><text><status value="generated"/><div xmlns="http://www.w3.org/1999/xhtml" xml:lang="en-US"><ul><li lang="en">Grip 22 kg R, <del>18</del> <samp>Thackeray</samp></li></ul></div></text><status value="final"/></Observation>"#;
    let out = safe_harbor(doc);
    assert!(out.contains("<li lang=\"en\">Grip 22 kg R"), "{out}");
    assert!(!out.contains("Thackeray"), "{out}");
    for refused in ["<r><Thackeray>x</Thackeray></r>", "<r><Li>x</Li></r>"] {
        let (r, _) = deidentify(refused, ContentType::Xml, "safe-harbor");
        assert!(
            matches!(r, Err(ScanError::XmlRefused(_))),
            "{refused}: {r:?}"
        );
    }
}

/// Red team 58, R7: FHIR's XML form keeps every value in a `value` attribute, which the
/// CDA rules read as a time stamp or scan. In FHIR's namespace the attribute is typed by
/// FHIR's JSON field rules instead (`name.given`, `address.postalCode`, `telecom.value`,
/// `identifier.value`, a reference's `display`), so values no detector reads (a nickname,
/// a lower-case surname, a short postcode, a bare number) are replaced, written as valid
/// values rather than masked; codes and statuses stay, and the reversible policy gives the
/// document back byte for byte.
#[test]
fn fhir_xml_values_are_typed_by_the_fhir_field_rules_red_team_58_r7() {
    let doc = r#"<Patient xmlns="http://hl7.org/fhir"><id value="p1"/><identifier><system value="urn:oid:1.2.36.146.595.217.0.1"/><value value="7730"/></identifier><name><use value="official"/><family value="ward"/><given value="Tamsin"/></name><name><use value="nickname"/><given value="Tam"/></name><telecom><system value="phone"/><value value="5555 6473"/></telecom><telecom><system value="email"/><value value="tq at inbox"/></telecom><gender value="female"/><birthDate value="1974-12-25"/><address><line value="7 Mill Row"/><city value="Pleasantville"/><postalCode value="3999"/></address><generalPractitioner><reference value="Practitioner/pr1"/><display value="Harrow"/></generalPractitioner><managingOrganization><display value="Sunnyside"/></managingOrganization><maritalStatus><coding><system value="http://loinc.org"/><code value="A7730"/></coding><coding><system value="urn:clinic:B8841"/></coding></maritalStatus></Patient>"#;
    let out = safe_harbor(doc);
    for gone in [
        "\"7730\"",
        "\"ward\"",
        "Tamsin",
        "\"Tam\"",
        "5555 6473",
        "tq at inbox",
        "1974-12-25",
        "Mill Row",
        "Pleasantville",
        "3999",
        "Harrow",
        "Sunnyside",
        // A code, or a system that is no OID or listed terminology, is read, not kept.
        "A7730",
        "B8841",
    ] {
        assert!(!out.contains(gone), "{gone} crossed in {out}");
    }
    for kept in [
        r#"<use value="nickname"/>"#,
        r#"<gender value="female"/>"#,
        r#"<system value="phone"/>"#,
        r#"<birthDate value="1974"/>"#,
        r#"<system value="http://loinc.org"/>"#,
        r#"<system value="urn:oid:1.2.36.146.595.217.0.1"/>"#,
    ] {
        assert!(out.contains(kept), "{kept} lost in {out}");
    }
    // Typed values are written as values, not masked: a FHIR element has no nullFlavor.
    // (A code that reads as an identifier is still masked, as the XML rules do: `code` is
    // no typed field.)
    assert!(out.contains(r#"<given value="NAME_"#), "{out}");
    for typed in [
        "identifier><value",
        "family",
        "given",
        "telecom><system value=\"phone\"/><value",
        "line",
        "city",
        "postalCode",
        "display",
    ] {
        assert!(
            !out.contains(&format!("{typed} nullFlavor")),
            "{typed} masked in {out}"
        );
    }
    let (reversible, store) = deidentify(doc, ContentType::Xml, "reversible");
    let reversible = reversible.expect("de-identifies").text;
    assert!(!reversible.contains("\"Tam\""), "{reversible}");
    let mut stats = RevealStats::default();
    let back = reveal_xml(&reversible, &store, &Allow::all(), &mut stats).expect("reveals");
    assert_eq!(back, doc);
    assert!(stats.revealed > 0 && stats.unknown == 0, "{stats:?}");
}

/// FHIR XML's ids, references and attachments are read as FHIR JSON's (stop 64): a
/// resource's `id` and every reference to it get the JSON form's tokens, so the two forms
/// agree; a text attachment is de-identified and encoded back; a photo is masked whatever
/// it holds; an untyped value that holds PHI is rewritten in place, not masked (FHIR has
/// no `nullFlavor`). Before, `Organization/harrow-ot-clinic` crossed as written and the
/// rest was masked with CDA's `nullFlavor`.
#[test]
fn fhir_xml_ids_references_and_attachments_read_as_in_fhir_json() {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let xml = r#"<Patient xmlns="http://hl7.org/fhir"><id value="tamsin-quenby"/><managingOrganization><reference value="Organization/harrow-ot-clinic"/></managingOrganization><generalPractitioner><reference value="https://ehr.example/fhir/Practitioner/dr-ellis-marsh"/></generalPractitioner><link><other><reference value="RelatedPerson?identifier=urn:oid:1.2.36.1|4410827"/></other></link></Patient>"#;
    let json = r#"{"resourceType":"Patient","id":"tamsin-quenby","managingOrganization":{"reference":"Organization/harrow-ot-clinic"},"generalPractitioner":[{"reference":"https://ehr.example/fhir/Practitioner/dr-ellis-marsh"}],"link":[{"other":{"reference":"RelatedPerson?identifier=urn:oid:1.2.36.1|4410827"}}]}"#;
    let out = safe_harbor(xml);
    for gone in ["tamsin", "harrow", "ellis", "4410827"] {
        assert!(!out.contains(gone), "{gone} crossed in {out}");
    }
    assert!(!out.contains("nullFlavor"), "{out}");
    let from_json = deidentify(json, ContentType::FhirJson, "safe-harbor")
        .0
        .expect("de-identifies")
        .text;
    let v: serde_json::Value = serde_json::from_str(&from_json).expect("JSON");
    for written in [
        &v["id"],
        &v["managingOrganization"]["reference"],
        &v["generalPractitioner"][0]["reference"],
        &v["link"][0]["other"]["reference"],
    ] {
        let written = written.as_str().expect("a string");
        assert!(
            out.contains(&format!("value=\"{written}\"")),
            "{written} not in {out}"
        );
    }

    let note = "Seen with Tamsin Quenby, MRN 4410827.";
    let mut photo = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00".to_vec();
    photo.extend_from_slice(b"Tamsin Quenby AAAA");
    let doc = format!(
        r#"<DocumentReference xmlns="http://hl7.org/fhir"><content><attachment><contentType value="text/plain"/><data value="{}"/></attachment></content><content><attachment><contentType value="image/jpeg"/><data value="{}"/></attachment></content></DocumentReference>"#,
        b64.encode(note),
        b64.encode(&photo)
    );
    let out = safe_harbor(&doc);
    let data = out
        .split("<data value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the text attachment is written as a value");
    let text = String::from_utf8(b64.decode(data).expect("base64")).expect("UTF-8");
    assert!(text.starts_with("Seen with NAME_"), "{text}");
    assert!(
        !text.contains("Quenby") && !text.contains("4410827"),
        "{text}"
    );
    assert_eq!(out.matches("<data value=").count(), 1, "{out}");
    assert!(out.contains("<data nullFlavor=\"MSK\"/>"), "{out}");

    let out = safe_harbor(
        r#"<Observation xmlns="http://hl7.org/fhir"><status value="final"/><valueString value="Seen with Tamsin Quenby"/></Observation>"#,
    );
    assert!(
        out.contains("<valueString value=\"Seen with NAME_"),
        "{out}"
    );

    // A quantity writes its number before its unit: an age over 89 is known at its unit
    // (`years`, UCUM `a`) and aggregated to 90 there, a younger one and a weight kept; an
    // extension's HL7 canonical URL stays, as in FHIR JSON.
    let out = safe_harbor(
        r#"<Observation xmlns="http://hl7.org/fhir"><extension url="http://hl7.org/fhir/StructureDefinition/patient-birthPlace"><valueString value="Harrowgate"/></extension><valueQuantity><value value="93"/><unit value="years"/></valueQuantity><component><valueQuantity><value value="94"/><system value="http://unitsofmeasure.org"/><code value="a"/></valueQuantity></component><component><valueQuantity><value value="45"/><unit value="a"/></valueQuantity></component><component><valueQuantity><value value="93"/><unit value="kg"/></valueQuantity></component></Observation>"#,
    );
    for kept in [
        r#"<extension url="http://hl7.org/fhir/StructureDefinition/patient-birthPlace">"#,
        r#"<value value="90"/><unit value="years"/>"#,
        r#"<value value="90"/><system value="http://unitsofmeasure.org"/>"#,
        r#"<value value="45"/><unit value="a"/>"#,
        r#"<value value="93"/><unit value="kg"/>"#,
    ] {
        assert!(out.contains(kept), "{kept} not in {out}");
    }
    assert!(
        !out.contains("Harrowgate") && !out.contains("\"94\""),
        "{out}"
    );
}

/// Any XML: an element whose name the key rules type holds that field in its `value`
/// attribute (`<firstName value="…"/>`, `<zip v="…"/>`), as in its text; an age is
/// aggregated in place and a date left to the TS rule. A document whose root is a FHIR
/// resource is read by FHIR's rules without the namespace too.
#[test]
fn element_names_type_their_value_attributes() {
    let out = safe_harbor(
        r#"<Person><firstName value="Tam"/><zip value="3999"/><age value="93" unit="a"/><birthTime value="19610823"/><phone v="5555 6473"/><kind value="home"/></Person>"#,
    );
    for gone in ["Tam", "3999", "\"93\"", "19610823", "5555 6473"] {
        assert!(!out.contains(gone), "{gone} crossed in {out}");
    }
    for kept in [
        r#"<birthTime value="1961"/>"#,
        r#"<kind value="home"/>"#,
        r#"unit="a""#,
    ] {
        assert!(out.contains(kept), "{kept} lost in {out}");
    }
    let bare = safe_harbor(
        r#"<Patient><name><given value="Tam"/><family value="ward"/></name></Patient>"#,
    );
    assert!(!bare.contains("Tam") && !bare.contains("ward"), "{bare}");
}

/// A CDA observation's value takes the type its `code` names (`[observation_codes]` in
/// `patterns/fields.toml`), and a quantity in years is an age: the C-CDA Age Observation
/// (`value xsi:type="PQ" value="93" unit="a"`) no longer crosses as a bare number (red team
/// 55, J12); a blood pressure and an age under 90 keep their values.
#[test]
fn observations_are_typed_by_their_code_and_unit() {
    let obs = |code: &str, value: &str| {
        format!(
            r#"<entry><observation classCode="OBS" moodCode="EVN"><code code="{code}" codeSystem="2.16.840.1.113883.6.1"/>{value}</observation></entry>"#
        )
    };
    let doc = format!(
        r#"<ClinicalDocument xmlns="urn:hl7-org:v3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><component><section>{}{}{}{}{}{}</section></component></ClinicalDocument>"#,
        obs("445518008", r#"<value xsi:type="PQ" value="93" unit="a"/>"#),
        obs("21612-7", r#"<value xsi:type="INT" value="94"/>"#),
        obs("45392-8", r#"<value xsi:type="ST">zvezdana</value>"#),
        obs(
            "8480-6",
            r#"<value xsi:type="PQ" value="132" unit="mm[Hg]"/>"#
        ),
        obs("30525-0", r#"<value xsi:type="PQ" value="45" unit="a"/>"#),
        obs("9999-9", r#"<value xsi:type="PQ" value="96" unit="a"/>"#),
    );
    let out = safe_harbor(&doc);
    for gone in [
        r#"value="93""#,
        r#"value="94""#,
        "zvezdana",
        r#"value="96""#,
    ] {
        assert!(!out.contains(gone), "{gone} crossed in {out}");
    }
    for kept in [r#"value="132""#, r#"value="45""#, r#"code="30525-0""#] {
        assert!(out.contains(kept), "{kept} lost in {out}");
    }
    // A PQ or INT value stays a number: an age past 89 is the category's floor.
    assert!(
        out.contains(r#"<value xsi:type="PQ" value="90" unit="a"/>"#)
            && out.contains(r#"<value xsi:type="INT" value="90"/>"#),
        "{out}"
    );
    assert!(!out.contains("over 89"), "{out}");
}

/// A narrative table's cells take the type their `<th>` header names (red team 55, J6), in
/// a CDA section, an XHTML body and a label/value table with no header row; inline markup
/// in a cell is the cell's. A kinship under `Relative`, an age under 90 and a clinical
/// table no header types keep their text.
#[test]
fn narrative_table_cells_are_typed_by_their_header_red_team_55_j6() {
    let table = "<table><thead><tr><th>MRN</th><th>Age</th><th>Zip</th><th>Plate</th>\
                 <th>SSN last 4</th></tr></thead><tbody><tr><td>4410827</td><td>93</td>\
                 <td>01085</td><td>7XKJ22</td><td>3306</td></tr></tbody></table>";
    let famhx = "<table><tr><th>Relative</th><th>Condition</th><th>Age at onset</th></tr>\
                 <tr><td>Mother</td><td>Breast cancer</td><td><content>94</content></td></tr>\
                 <tr><td>Father</td><td>Stroke</td><td>45</td></tr></table>\
                 <table><tr><td>Age</td><td>95</td></tr><tr><td>Grip</td><td>22 kg</td></tr>\
                 </table>";
    let cda = |text: &str| {
        format!(
            "<ClinicalDocument xmlns=\"urn:hl7-org:v3\"><component><structuredBody><component>\
             <section><title>History</title><text>{text}</text></section></component>\
             </structuredBody></component></ClinicalDocument>"
        )
    };
    let xhtml = format!(
        "<html xmlns=\"http://www.w3.org/1999/xhtml\"><body><p>Seen.</p>{table}</body></html>"
    );
    for doc in [cda(table), xhtml] {
        let out = safe_harbor(&doc);
        for gone in [">4410827<", ">93<", ">01085<", ">7XKJ22<", ">3306<"] {
            assert!(!out.contains(gone), "{gone} crossed in {out}");
        }
        assert!(out.contains("<th>SSN last 4</th>"), "{out}");
    }
    let out = safe_harbor(&cda(famhx));
    for gone in [">94<", ">95<"] {
        assert!(!out.contains(gone), "{gone} crossed in {out}");
    }
    for kept in [
        "<td>Mother</td><td>Breast cancer</td>",
        "<td>Father</td><td>Stroke</td><td>45</td>",
        "<td>Grip</td><td>22 kg</td>",
    ] {
        assert!(out.contains(kept), "{kept} lost in {out}");
    }
}
