//! The shipped weights against their manifest, and what the tagger finds and leaves.

use std::path::PathBuf;

use super::features::{features_of, Doc, Part};
use super::model::{sha256_hex, Manifest};
use super::tokens::tokenize;
use super::*;
use crate::detect::lexicon::{KnownWords, LexScratch};

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
/// minute of CPU in a debug build: five runs).
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

/// The tagger's spans in `text`, read as the detector reads it (its canonical view, the
/// lexicon scan's flags, accents kept), as byte ranges of `text`.
fn tagged(tagger: &Tagger, lex: &Lexicon, text: &str) -> Vec<(usize, usize)> {
    let canon = crate::canon::Canon::of(text);
    let view = canon.as_ref().map_or(text, crate::canon::Canon::text);
    let accents = canon.as_ref().map_or(&[][..], crate::canon::Canon::accents);
    let (mut lex_scratch, mut hits) = (LexScratch::default(), Vec::new());
    lex.scan_accented(view, accents, &mut lex_scratch, &mut hits);
    let mut s = TagScratch::default();
    let mut spans = Vec::new();
    let known = Some(lex_scratch.known_words());
    tagger.scan_known(view, lex, known, &mut s, |a, b, _| {
        spans.push(canon.as_ref().map_or((a, b), |c| c.source_range(a, b)));
    });
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
        tokens::tokenize_known(text, &lex, Some(lex_scratch.known_words()), &mut reused);
        assert_eq!(format!("{alone:?}"), format!("{reused:?}"), "{text}");
    }
}

/// The first tokeniser's tokens of `text`, with its separate line-case pass.
fn reference_tokens(text: &str, lex: &Lexicon, known: Option<KnownWords<'_>>) -> Vec<Token> {
    let mut toks = Vec::new();
    reference::tokenize_known(text, lex, known, &mut toks);
    let mut caseless = Vec::new();
    reference::caseless_tokens(text, &toks, &mut caseless);
    for (t, c) in toks.iter_mut().zip(caseless) {
        t.caseless = c;
    }
    toks
}

/// The one-pass tokeniser's tokens of `text` equal the first tokeniser's, every field,
/// with and without the lexicon scan's words.
fn assert_reference_tokens(text: &str, lex: &Lexicon, lex_scratch: &mut LexScratch) {
    let mut hits = Vec::new();
    lex.scan(text, lex_scratch, &mut hits);
    let mut toks = Vec::new();
    tokenize(text, lex, &mut toks);
    assert_eq!(toks, reference_tokens(text, lex, None), "{text:?}");
    tokens::tokenize_known(text, lex, Some(lex_scratch.known_words()), &mut toks);
    let known = Some(lex_scratch.known_words());
    assert_eq!(toks, reference_tokens(text, lex, known), "{text:?}");
}

/// Pieces that put the tokeniser's edges side by side: joiners before and after letters,
/// possessives, other scripts, characters with no case or both cases, marks, a NUL,
/// sentence ends and line breaks.
const AWKWARD: &[&str] = &[
    "Mary",
    "o'neil",
    "O'NEIL",
    "'s",
    "'S",
    "\u{2019}s",
    "\u{2019}",
    "-",
    "--",
    "'",
    "x",
    "X",
    "7",
    "42",
    " ",
    "  ",
    "\n",
    "\r\n",
    "\t",
    ".",
    "!",
    "?",
    ",",
    "(",
    "\0",
    "\u{b}",
    "é",
    "É",
    "Ж",
    "ж",
    "张伟",
    "ß",
    "ǅ",
    "Ⅻ",
    "ⓐ",
    "Ⓐ",
    "\u{301}",
    "\u{345}",
    "—",
    "²",
    "٣",
    "ᾼ",
    "ʰ",
    "ª",
    "Ǆ",
    "İ",
    "Mc",
    "Kay",
    "PaO2",
    "walker",
    "the",
    "Boston",
    "ST",
];

/// The one-pass tokeniser cuts exactly the first tokeniser's tokens, every field (flags,
/// punctuation around, sentence and line starts, and whether capitals tell anything where
/// the token stands): synthetic notes as written, in capitals and in lower case, and the
/// awkward texts of the other tokeniser tests.
#[test]
fn one_pass_tokens_are_the_reference_tokens() {
    let (p, _) = shipped();
    let lex = train::lexicon_of(&p).expect("lexicon");
    let mut texts: Vec<String> = crate::synth::text_notes(23, 80)
        .into_iter()
        .map(|d| d.text)
        .collect();
    let upper: Vec<String> = texts.iter().take(20).map(|t| t.to_uppercase()).collect();
    let lower: Vec<String> = texts.iter().take(20).map(|t| t.to_lowercase()).collect();
    texts.extend(upper.into_iter().chain(lower));
    texts.extend(
        [
            "",
            "'s",
            "Gerald's niece O'Neil-Bayne, De\u{2019}Andre\u{2019}s dog; 2-3x.",
            "Seen with Mary today.\nspoke with mary re splint\nMARY CALLED\nPer 张伟 and Ана.",
            "Zoë's mother Ångström; JOHN's son; 张伟's wife\n\0x-y 'a'-b",
        ]
        .map(String::from),
    );
    let mut lex_scratch = LexScratch::default();
    for text in &texts {
        assert_reference_tokens(text, &lex, &mut lex_scratch);
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(400))]
    /// The same on texts strung from [`AWKWARD`] pieces.
    #[test]
    fn one_pass_tokens_are_the_reference_tokens_on_awkward_texts(
        pieces in proptest::collection::vec(0..AWKWARD.len(), 0..40)
    ) {
        static LEX: std::sync::OnceLock<Lexicon> = std::sync::OnceLock::new();
        let lex = LEX.get_or_init(|| train::lexicon_of(&shipped().0).expect("lexicon"));
        let text: String = pieces.iter().map(|&k| AWKWARD[k]).collect();
        assert_reference_tokens(&text, lex, &mut LexScratch::default());
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
    let marked: Vec<(&str, bool)> = toks
        .iter()
        .map(|t| (&text[t.start..t.end], t.caseless))
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

/// A token's cached per-word sums plus its context features (those read from words
/// one by one, the others from the tables summed in advance, `narrow`) score exactly as
/// every feature summed afresh: every token of synthetic notes (the same words recur in other places),
/// the notes again in capitals and in lower case, each with every pair of previous tags,
/// one cache across all. A feature that reads more than the token itself but sits in a
/// `Part::Token` block of the list fails here.
#[test]
fn per_word_sums_plus_context_score_as_every_feature_summed() {
    let (p, _) = shipped();
    let tagger = Tagger::load(&p).expect("loads").expect("weights shipped");
    let lex = train::lexicon_of(&p).expect("lexicon");
    let mut texts: Vec<String> = crate::synth::text_notes(5, 40)
        .into_iter()
        .map(|d| d.text)
        .collect();
    let upper: Vec<String> = texts.iter().take(10).map(|t| t.to_uppercase()).collect();
    let lower: Vec<String> = texts.iter().take(10).map(|t| t.to_lowercase()).collect();
    texts.extend(upper.into_iter().chain(lower));
    // Every script class beside another, marks beyond ASCII, a NUL, a line break.
    texts.push(
        "Per 张伟 and Ана; Zoë's mother Ångström (Δημήτρης) — გიორგი, محمد, राज, \
         Ǆemal\0x.\nᚠ Mary-Ann \u{2019}s 42"
            .to_string(),
    );
    let mut sums = memo::TokenSums::default();
    let (mut toks, mut checked, mut cached) = (Vec::new(), 0, 0);
    for text in &texts {
        tokenize(text, &lex, &mut toks);
        let doc = Doc {
            text: text.as_bytes(),
            tokens: &toks,
            upper: mostly_upper(text.as_bytes()),
        };
        for i in 0..toks.len() {
            let fresh = memo::token_sums(&doc, i, |h| tagger.row(h));
            let got = sums.get((tagger.id, 0), &doc, i, |h| tagger.row(h));
            assert_eq!(got, fresh, "{}", &text[toks[i].start..toks[i].end]);
            cached += usize::from(toks[i].end - toks[i].start <= 24);
            for (prev, prev2) in [(0, 0), (1, 0), (2, 1), (1, 2), (2, 2)] {
                let mut split = got;
                features_of(&doc, i, prev, prev2, false, Part::Context, |h| {
                    memo::add(&mut split, tagger.row(h))
                });
                tagger
                    .narrow
                    .add_to(&mut split, &doc, i, (prev, prev2), |h| tagger.row(h));
                let mut whole = [0i32; NCLASS];
                features::features(&doc, i, prev, prev2, false, |h| {
                    memo::add(&mut whole, tagger.row(h))
                });
                assert_eq!(split, whole, "{}", &text[toks[i].start..toks[i].end]);
                checked += 1;
            }
        }
    }
    assert!(checked > 10_000 && cached > 1_000, "{checked} {cached}");
}

/// A scratch's per-word sums are never read for another tagger: after one tagger filled
/// the cache, another's sums are its own, summed afresh, for every token.
#[test]
fn per_word_sums_are_not_shared_between_taggers() {
    let (p, _) = shipped();
    let lex = train::lexicon_of(&p).expect("lexicon");
    let a = Tagger::load(&p).expect("loads").expect("weights shipped");
    // Another model: every weight of class NAME raised, so every sum differs from `a`'s.
    let mut weights = model::Weights::read(p.get_bytes(WEIGHTS_FILE)).expect("weights");
    for w in weights.table.iter_mut().skip(1).step_by(NCLASS) {
        *w = w.saturating_add(200);
    }
    let b = Tagger::new(weights, 0.0, 0.0);
    let text = "Seen with Mary Whitlock today; the patient and her son went to Cedar Rapids.";
    let mut toks = Vec::new();
    tokenize(text, &lex, &mut toks);
    let doc = Doc {
        text: text.as_bytes(),
        tokens: &toks,
        upper: mostly_upper(text.as_bytes()),
    };
    let mut sums = memo::TokenSums::default();
    let of_a: Vec<_> = (0..toks.len())
        .map(|i| sums.get((a.id, 0), &doc, i, |h| a.row(h)))
        .collect();
    for (i, a_sums) in of_a.iter().enumerate() {
        let got = sums.get((b.id, 0), &doc, i, |h| b.row(h));
        assert_eq!(got, memo::token_sums(&doc, i, |h| b.row(h)));
        assert_ne!(&got, a_sums);
    }
    // The same tagger with another lexicon (another address) sums afresh too: given `a`'s
    // rows, it answers `a`'s sums, not the `b` sums it holds.
    for (i, a_sums) in of_a.iter().enumerate() {
        assert_eq!(&sums.get((b.id, 1), &doc, i, |h| a.row(h)), a_sums);
    }
}

/// On a mixed-case line the gate skips lower-case stop words, clinical words and common
/// English words, and scores capitalised words, tokens with digits, listed names and places
/// written in lower case (`boston`, and `walker`, `the`, `ft`, which a name or place list
/// holds or a place starts with), and words off the English list (`near`, `qzxvlk`); on a
/// line all in one case it skips nothing.
#[test]
fn the_gate_skips_only_words_that_cannot_be_reported() {
    let (p, _) = shipped();
    let lex = train::lexicon_of(&p).expect("lexicon");
    let text = "Seen with Mary today, walking 20 ft with the walker near boston; qzxvlk.\n\
                spoke with mary re splint";
    let mut toks = Vec::new();
    tokenize(text, &lex, &mut toks);
    let skipped: Vec<(&str, bool)> = toks
        .iter()
        .map(|t| (&text[t.start..t.end], skip::skip(t, t.caseless, true)))
        .collect();
    let want = [
        ("Seen", false),
        ("with", true),
        ("Mary", false),
        ("today", true),
        ("walking", true),
        ("20", false),
        ("ft", false),
        ("with", true),
        ("the", false),
        ("walker", false),
        ("near", false),
        ("boston", false),
        ("qzxvlk", false),
        ("spoke", false),
        ("with", false),
        ("mary", false),
        ("re", false),
        ("splint", false),
    ];
    assert_eq!(skipped, want);
}

/// On synthetic notes (mixed case, and the same notes in capitals and in lower case) the
/// gated tagger reports what the tagger scoring every token reports: the few tokens whose
/// tag the gate could change never carry a span here.
#[test]
fn the_gated_tagger_reports_what_scoring_every_token_reports() {
    let (p, _) = shipped();
    let tagger = Tagger::load(&p).expect("loads").expect("weights shipped");
    let lex = train::lexicon_of(&p).expect("lexicon");
    let mut texts: Vec<String> = crate::synth::text_notes(17, 120)
        .into_iter()
        .map(|d| d.text)
        .collect();
    let upper: Vec<String> = texts.iter().take(30).map(|t| t.to_uppercase()).collect();
    let lower: Vec<String> = texts.iter().take(30).map(|t| t.to_lowercase()).collect();
    texts.extend(upper.into_iter().chain(lower));
    let mut s = TagScratch::default();
    let mut found = 0;
    for text in &texts {
        let mut spans = [Vec::new(), Vec::new()];
        for (gate, out) in [Gate::On, Gate::Off].into_iter().zip(spans.iter_mut()) {
            tagger.scan_gated(text, &lex, None, gate, &mut s, |a, b, ty| {
                out.push((a, b, ty))
            });
        }
        assert_eq!(spans[0], spans[1], "{text}");
        found += spans[0].len();
    }
    assert!(found > 1000, "{found}");
}

/// Diagnostics, not a check: `TAGGER_CORPUS=FILE.jsonl cargo test --lib tagger_gate_on_a_corpus
/// -- --ignored --nocapture` prints the spans the gated tagger loses and gains against the
/// tagger scoring every token, document by document.
#[test]
#[ignore = "diagnostics over a corpus named by TAGGER_CORPUS"]
fn tagger_gate_on_a_corpus() {
    let Ok(path) = std::env::var("TAGGER_CORPUS") else {
        return;
    };
    let (p, _) = shipped();
    let tagger = Tagger::load(&p).expect("loads").expect("weights shipped");
    let lex = train::lexicon_of(&p).expect("lexicon");
    let data = std::fs::read_to_string(path).expect("corpus");
    let mut s = TagScratch::default();
    let (mut found, mut lost, mut gained) = (0, 0, 0);
    for line in data.lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("json line");
        let text = v["text"].as_str().unwrap_or_default();
        let mut spans = [Vec::new(), Vec::new()];
        for (gate, out) in [Gate::On, Gate::Off].into_iter().zip(spans.iter_mut()) {
            tagger.scan_gated(text, &lex, None, gate, &mut s, |a, b, ty| {
                out.push((a, b, ty))
            });
        }
        found += spans[1].len();
        for &(a, b, ty) in spans[1].iter().filter(|x| !spans[0].contains(x)) {
            lost += 1;
            println!("{} lost {:?} {ty:?}", v["id"], &text[a..b]);
        }
        for &(a, b, ty) in spans[0].iter().filter(|x| !spans[1].contains(x)) {
            gained += 1;
            println!("{} gained {:?} {ty:?}", v["id"], &text[a..b]);
        }
    }
    println!("reference spans {found}, lost {lost}, gained {gained}");
}
