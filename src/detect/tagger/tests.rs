//! The shipped weights against their manifest, and what the tagger finds and leaves.

use std::path::PathBuf;

use super::features::tokenize;
use super::model::{sha256_hex, Manifest};
use super::*;
use crate::detect::lexicon::LexScratch;

fn model_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("patterns/model")
}

fn shipped() -> (Patterns, Manifest) {
    let p = Patterns::builtin();
    let m = Manifest::parse(p.get(MANIFEST_FILE)).expect("manifest parses");
    (p, m)
}

#[test]
fn shipped_weights_and_inputs_match_the_manifest() {
    let (p, m) = shipped();
    assert_eq!(sha256_hex(p.get_bytes(WEIGHTS_FILE)), m.weights_sha256);
    assert_eq!(
        lexicon_digest(&p),
        m.lexicon_sha256,
        "the lexicon changed since the tagger was trained: run scripts/train-tagger.sh"
    );
    for input in m.inputs.iter().filter(|i| i.path != "synth:text") {
        let data = std::fs::read(model_dir().join(&input.path)).expect("input file");
        assert_eq!(sha256_hex(&data), input.sha256, "{}", input.path);
    }
    assert!(Tagger::load(&p).expect("loads").is_some());
}

/// Training from the declared inputs, seed and epochs gives the shipped bytes exactly (a
/// few seconds in a debug build).
#[test]
fn retraining_from_the_manifest_reproduces_the_shipped_weights() {
    let (p, m) = shipped();
    let (again, bytes) = train::retrain(&model_dir(), &p).expect("retrains");
    assert_eq!(again, m, "inputs or lexicon differ from the manifest's");
    assert!(
        bytes == p.get_bytes(WEIGHTS_FILE),
        "retrained weights differ from patterns/model/tagger.bin"
    );
}

#[test]
fn a_weights_file_that_is_not_the_manifests_is_refused() {
    let (mut p, _) = shipped();
    let mut bytes = p.get_bytes(WEIGHTS_FILE).to_vec();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    for (name, b) in p.binaries.iter_mut() {
        if *name == WEIGHTS_FILE {
            *b = std::borrow::Cow::Owned(bytes.clone());
        }
    }
    assert!(matches!(Tagger::load(&p), Err(TaggerError::Weights(_))));
}

#[derive(serde::Deserialize)]
struct Cases {
    find: Vec<String>,
    keep: Vec<String>,
}

fn tagged(tagger: &Tagger, lex: &Lexicon, text: &str) -> Vec<(usize, usize)> {
    let mut s = TagScratch::default();
    let mut spans = Vec::new();
    tagger.scan(text, lex, &mut s, |a, b, _| spans.push((a, b)));
    spans
}

#[test]
fn tagger_finds_the_find_rows_and_leaves_the_keep_rows() {
    let (p, _) = shipped();
    let tagger = Tagger::load(&p).expect("loads").expect("weights shipped");
    let lex = train::lexicon_of(&p).expect("lexicon");
    let cases: Cases = toml::from_str(
        &std::fs::read_to_string(model_dir().join("cases.toml")).expect("cases.toml"),
    )
    .expect("cases parse");
    let mut failures = Vec::new();
    for case in &cases.find {
        let (Some(a), Some(b)) = (case.find("[["), case.find("]]")) else {
            panic!("{case}: no [[…]]");
        };
        let want = &case[a + 2..b];
        let text = case.replace("[[", "").replace("]]", "");
        let spans = tagged(&tagger, &lex, &text);
        if !spans.iter().any(|&(s, e)| s <= a && e >= a + want.len()) {
            failures.push(format!("missed {want:?} in {text:?}: {spans:?}"));
        }
    }
    for text in &cases.keep {
        let spans = tagged(&tagger, &lex, text);
        if !spans.is_empty() {
            let words: Vec<&str> = spans.iter().map(|&(s, e)| &text[s..e]).collect();
            failures.push(format!("tagged {words:?} in {text:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn tokens_keep_inner_joiners_and_drop_the_possessive() {
    let (p, _) = shipped();
    let lex = train::lexicon_of(&p).expect("lexicon");
    let text = "Gerald's niece O'Neil-Bayne, De\u{2019}Andre\u{2019}s dog; 2-3x.";
    let mut toks = Vec::new();
    tokenize(text, &lex, &mut toks);
    let words: Vec<&str> = toks.iter().map(|t| &text[t.start..t.end]).collect();
    assert_eq!(
        words,
        [
            "Gerald",
            "niece",
            "O'Neil-Bayne",
            "De\u{2019}Andre",
            "dog",
            "2-3x"
        ]
    );
}

/// The flags the tagger takes from the lexicon scan's words are exactly the ones it would
/// look up itself: every token, every field, on text where the two cuts differ
/// (possessives, hyphens, apostrophes, digits, non-ASCII letters).
#[test]
fn tokens_reusing_the_lexicon_scan_are_the_tokens_looked_up_alone() {
    let (p, _) = shipped();
    let lex = train::lexicon_of(&p).expect("lexicon");
    let texts = [
        "Gerald's niece O'Neil-Bayne, De\u{2019}Andre\u{2019}s dog; 2-3x.",
        "Pt seen by Dr. Whitlock-Bayne, NP Djuric; spoke with ines re: Delphine417.",
        "MARIA DE LA CRUZ, 54 y/o, from Cedar Rapids to St. Mary's Hospital. PaO2 88.",
        "Grace Muñoz (emergency contact) called; Zoë's mother Ångström at 555-0134.",
    ];
    let mut lex_scratch = LexScratch::default();
    let mut hits = Vec::new();
    for text in texts {
        lex.scan(text, &mut lex_scratch, &mut hits);
        let (mut alone, mut reused) = (Vec::new(), Vec::new());
        tokenize(text, &lex, &mut alone);
        features::tokenize_known(text, &lex, Some(lex_scratch.known_words()), &mut reused);
        assert_eq!(format!("{alone:?}"), format!("{reused:?}"), "{text}");
    }
}

/// Capitals tell nothing on a line all in one case or in a word of a script without case;
/// they do on a mixed-case line, whatever the other lines are.
#[test]
fn caseless_tokens_follow_the_line_and_the_script() {
    let (p, _) = shipped();
    let lex = train::lexicon_of(&p).expect("lexicon");
    let text = "Seen with Mary today.\nspoke with mary re splint\nMARY CALLED\nPer 张伟 and Ана.";
    let mut toks = Vec::new();
    tokenize(text, &lex, &mut toks);
    let mut caseless = Vec::new();
    gates::caseless_tokens(text, &toks, &mut caseless);
    let marked: Vec<(&str, bool)> = toks
        .iter()
        .zip(&caseless)
        .map(|(t, &c)| (&text[t.start..t.end], c))
        .collect();
    assert_eq!(
        marked,
        [
            ("Seen", false),
            ("with", false),
            ("Mary", false),
            ("today", false),
            ("spoke", true),
            ("with", true),
            ("mary", true),
            ("re", true),
            ("splint", true),
            ("MARY", true),
            ("CALLED", true),
            ("Per", false),
            ("张伟", true),
            ("and", false),
            ("Ана", false),
        ]
    );
}

/// On a line all in capitals, a tagged span with no telling capital, listed name or cue word
/// is reported when the `[caseless]` span bar admits its score, and refused when no score can.
/// The token bar is opened too, so that the test is about the span bar whatever the shipped
/// model's margin for this word (a retrain with the script feature put it under 45).
#[test]
fn the_caseless_span_bar_stands_in_for_evidence() {
    let (p, _) = shipped();
    let mut tagger = Tagger::load(&p).expect("loads").expect("weights shipped");
    let lex = train::lexicon_of(&p).expect("lexicon");
    let row = "PT LIVES IN PAPAPAAWA WITH HER SON.";
    tagger.caseless_token = 0;
    tagger.caseless_span = 0;
    let admitted = tagged(&tagger, &lex, row);
    tagger.caseless_span = i32::MAX;
    let refused = tagged(&tagger, &lex, row);
    let words: Vec<&str> = admitted.iter().map(|&(a, b)| &row[a..b]).collect();
    assert_eq!((words, refused.len()), (vec!["PAPAPAAWA"], 0));
}

/// The trainer rewrites the manifest from its parsed form: the `[caseless]` table survives.
#[test]
fn the_manifest_with_its_caseless_table_survives_a_rewrite() {
    let (_, m) = shipped();
    assert!(m.caseless.is_some(), "shipped manifest has [caseless]");
    let text = toml::to_string(&m).expect("serialises");
    assert_eq!(Manifest::parse(&text).expect("parses again"), m);
}
