//! Red team 55, J1: the reveal side is no token oracle. An outside caller that holds the
//! tokens of a de-identified note sends guesses in plain to a reidentify route; the clinic
//! (the echoing upstream) answers with them; the answer must not carry the vault's token
//! of a guess, so the caller cannot tell a right guess from a wrong one. Legitimate
//! reveals (the caller's own tokens echoed back) still come back as those tokens.

use serde_json::{json, Value};

use super::super::gw_harness::{client, post, send};
use super::{note, setup_full, EMR, TEXT, ZAP};

const JSON: (&str, &str) = ("content-type", "application/json");

/// A reidentify route like `callback` that withholds answers echoing plain values.
const STRICT_ROUTE: &str = r#"
[[route]]
name = "strict-callback"
prefix = "/strictcb/"
direction = "reidentify"
upstream = "{up}/emr/"
upstream_ca = "ca.pem"
domain = "automation"
callers = ["zap"]
reveal = { zap = ["MRN"] }
plain_phi = "refuse"
"#;

/// Every token (`TYPE_` and ten characters of the token alphabet) in a text.
fn tokens_in(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for w in text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) {
        if let Some((prefix, tag)) = w.split_once('_') {
            let typed = !prefix.is_empty() && prefix.chars().all(|c| c.is_ascii_uppercase());
            if typed && tag.len() == 10 && tag.chars().all(|c| c.is_ascii_alphanumeric()) {
                out.push(w.to_string());
            }
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_callback_answer_is_no_token_oracle() {
    let s = setup_full("", STRICT_ROUTE, &[]).await;
    let c = client(&s.pki.ca_pem(), None);
    // What the outside holds: the note, de-identified in the callback's domain.
    let a = send(
        &c,
        post(&format!("{}/hooks/n", s.base), &[EMR, TEXT], note()),
    )
    .await
    .expect("mint");
    assert_eq!(a.status, 200);
    let held = tokens_in(&String::from_utf8_lossy(&s.upstream.take()[0].body));
    let held_of = |prefix: &str| -> String {
        held.iter()
            .find(|t| t.starts_with(prefix))
            .unwrap_or_else(|| panic!("{prefix} in {held:?}"))
            .clone()
    };
    let (name, mrn, phone) = (held_of("NAME_"), held_of("MRN_"), held_of("PHONE_"));
    let callback = |body: Value| {
        let c = &c;
        let url = format!("{}/callback/Patient", s.base);
        async move {
            let a = send(c, post(&url, &[ZAP, JSON], body.to_string()))
                .await
                .expect("callback");
            assert_eq!(a.status, 200, "{}", a.body);
            a.json()
        }
    };

    // Right guesses, in plain, each spelled otherwise than the note: the echo comes back
    // tokenised, but under tokens that match none the outside holds.
    let guesses = [
        json!({"name": "Zebulon Quixote", "mrn": "48213377", "phone": "217-555-0143"}),
        json!({"patient": {"family": "QUIXOTE", "given": ["Zebulon"]}, "tel": "(217) 555 0143"}),
        json!({"name": "Quixote, Zebulon", "note": "pt Zebulon Quixote MRN 48213377"}),
    ];
    for guess in guesses {
        let answer = callback(guess.clone()).await;
        let got = tokens_in(&answer.to_string());
        assert!(!got.is_empty(), "the echo is tokenised: {answer}");
        for t in &got {
            assert!(!held.contains(t), "{t} answers the guess {guess}: {answer}");
        }
        super::assert_no_canary("the answer to a guess", &answer.to_string());
    }
    // A wrong guess and a right one look alike: neither carries a held token.
    let right = callback(json!({"mrn": "48213377"})).await;
    let wrong = callback(json!({"mrn": "48213378"})).await;
    assert_ne!(right["mrn"], mrn.as_str(), "{right}");
    assert_ne!(wrong["mrn"], mrn.as_str(), "{wrong}");
    assert!(right["mrn"].as_str().is_some_and(|t| t.starts_with("MRN_")));
    // The same guess twice: tokens of the request's own, so no two requests agree.
    let again = callback(json!({"mrn": "48213377"})).await;
    assert_ne!(right["mrn"], again["mrn"]);

    // The legitimate reveal: the caller's own MRN token goes to the clinic as the MRN and
    // its echo comes back as that same token; a NAME (not in zap's reveal list) and a
    // PHONE token pass as they are.
    let own = callback(json!({"mrn": mrn, "name": name, "phone": phone})).await;
    assert_eq!(own["mrn"], mrn.as_str(), "{own}");
    assert_eq!(own["name"], name.as_str(), "{own}");
    assert_eq!(own["phone"], phone.as_str(), "{own}");
    let inside = s.upstream.take();
    let last: Value = serde_json::from_slice(&inside.last().expect("seen").body).expect("json");
    assert_eq!(last["mrn"], "48213377", "revealed to the clinic: {last}");

    // A token and a guess of its value in one request: the clinic's echo of both must not
    // tell whether they agree. Neither comes back as the held token, and the two differ.
    for guess in ["48213377", "48213378"] {
        let mixed = callback(json!({"mrn": mrn, "chart": {"mrn": guess}})).await;
        let echoed = &mixed["chart"]["mrn"];
        assert_ne!(mixed["mrn"], mrn.as_str(), "{mixed}");
        assert_ne!(&mixed["mrn"], echoed, "{mixed}");
        assert!(echoed.as_str().is_some_and(|t| t.starts_with("MRN_")));
    }

    // `plain_phi = "refuse"`: an answer echoing a plain value is withheld; one echoing the
    // caller's tokens only is answered.
    let strict = |body: Value| {
        let c = &c;
        let url = format!("{}/strictcb/Patient", s.base);
        async move {
            send(c, post(&url, &[ZAP, JSON], body.to_string()))
                .await
                .expect("strict callback")
        }
    };
    let refused = strict(json!({"mrn": "48213377"})).await;
    assert_eq!(refused.status, 502, "{}", refused.body);
    super::assert_no_canary("the refusal", &refused.body);
    let fine = strict(json!({"mrn": mrn, "status": "booked"})).await;
    assert_eq!(fine.status, 200, "{}", fine.body);
    assert_eq!(fine.json()["mrn"], mrn.as_str());

    let m = s.gw.metrics().await;
    let echoes: u64 = m
        .lines()
        .find_map(|l| l.strip_prefix("phigate_plain_echoes_total "))
        .and_then(|v| v.trim().parse().ok())
        .expect("the plain echoes series");
    assert!(echoes >= 5, "{echoes}");
    let logs = s.gw.logs();
    super::assert_no_canary("the gateway's log", &logs);
}
