//! Training the tagger: an averaged perceptron over the manifest's corpora.
//!
//! Deterministic by construction: integer weights and update counts, a seeded shuffle
//! (SplitMix64), corpora read in manifest order, the `shuffles` runs summed in seed order
//! whatever thread ran them, and one rounding step at the end. The same inputs, lexicon,
//! seed, epochs, shuffles and hash bits therefore give the same `tagger.bin`, byte for
//! byte; the test in `tagger::tests` retrains and compares.

use std::path::Path;

use super::features::{features, mostly_upper, row, Doc, Token};
use super::model::{sha256_hex, Input, Manifest, Weights, NCLASS};
use super::tokens::tokenize;
use super::{argmax, lexicon_digest, TaggerError, O};
use crate::detect::lexicon::{Lexicon, LexiconSources};
use crate::patterns::Patterns;

/// A token the loss ignores: inside a gold span of a type the tagger does not predict
/// (dates, phone numbers, e-mail addresses).
const SKIP: u8 = u8::MAX;

/// One labelled text: byte spans with the tagger class (1 NAME, 2 LOCATION, [`SKIP`]).
pub struct Example {
    pub text: String,
    pub spans: Vec<(usize, usize, u8)>,
}

/// The tagger class of a gold type name.
fn class_of(ty: &str) -> u8 {
    match ty {
        "NAME" | "PROVIDER_NAME" => 1,
        "LOCATION" | "ADDRESS" | "ZIP" => 2,
        _ => SKIP,
    }
}

/// Reads evaluation-format JSON lines (character offsets, as `scripts/heldout.py` and the
/// scorer write them) into examples with byte offsets.
pub fn read_jsonl(file: &str, data: &str) -> Result<Vec<Example>, TaggerError> {
    let bad = |line: usize, reason: &str| TaggerError::Input {
        file: file.to_string(),
        reason: format!("line {line}: {reason}"),
    };
    let mut out = Vec::new();
    for (n, line) in data
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let v: serde_json::Value =
            serde_json::from_str(line).map_err(|_| bad(n + 1, "not JSON"))?;
        let text = v["text"].as_str().ok_or_else(|| bad(n + 1, "no text"))?;
        // Byte offset of every character boundary, plus the end.
        let bounds: Vec<usize> = text
            .char_indices()
            .map(|(i, _)| i)
            .chain([text.len()])
            .collect();
        let mut spans = Vec::new();
        for s in v["spans"].as_array().into_iter().flatten() {
            let at = |k: &str| {
                s[k].as_u64()
                    .and_then(|c| usize::try_from(c).ok())
                    .and_then(|c| bounds.get(c).copied())
                    .ok_or_else(|| bad(n + 1, "span offset out of range"))
            };
            let ty = s["type"].as_str().unwrap_or("");
            spans.push((at("start")?, at("end")?, class_of(ty)));
        }
        out.push(Example {
            text: text.to_string(),
            spans,
        });
    }
    Ok(out)
}

/// `phigate synth --kind text` notes as examples, and the sha256 of their JSON lines.
pub fn synth_examples(seed: u64, count: usize) -> Result<(Vec<Example>, String), TaggerError> {
    let docs = crate::synth::text_notes(seed, count);
    let mut jsonl = Vec::new();
    crate::synth::to_eval_jsonl(&docs, &mut jsonl).map_err(|e| TaggerError::Input {
        file: "synth:text".into(),
        reason: e.to_string(),
    })?;
    let examples = docs
        .into_iter()
        .map(|d| Example {
            spans: d
                .phi
                .iter()
                .map(|s| (s.start, s.end, class_of(s.ty.as_str())))
                .collect(),
            text: d.text,
        })
        .collect();
    Ok((examples, sha256_hex(&jsonl)))
}

/// Reads every input the manifest declares (relative to `model_dir`), filling in each
/// input's sha256.
pub fn load_inputs(manifest: &mut Manifest, model_dir: &Path) -> Result<Vec<Example>, TaggerError> {
    let mut all = Vec::new();
    for input in &mut manifest.inputs {
        let (examples, sha) = read_input(input, model_dir)?;
        input.sha256 = sha;
        all.extend(examples);
    }
    Ok(all)
}

fn read_input(input: &Input, model_dir: &Path) -> Result<(Vec<Example>, String), TaggerError> {
    if input.path == "synth:text" {
        let (Some(seed), Some(count)) = (input.synth_seed, input.synth_count) else {
            return Err(TaggerError::Input {
                file: input.path.clone(),
                reason: "synth_seed and synth_count are required".into(),
            });
        };
        return synth_examples(seed, count);
    }
    let path = model_dir.join(&input.path);
    let data = std::fs::read_to_string(&path).map_err(|e| TaggerError::Input {
        file: input.path.clone(),
        reason: e.to_string(),
    })?;
    Ok((read_jsonl(&input.path, &data)?, sha256_hex(data.as_bytes())))
}

/// Retrains from the manifest in `model_dir` with the lexicon of `patterns`: returns the
/// manifest with every sha256 brought up to date, and the weights file's bytes.
pub fn retrain(model_dir: &Path, patterns: &Patterns) -> Result<(Manifest, Vec<u8>), TaggerError> {
    let text = std::fs::read_to_string(model_dir.join("MANIFEST.toml"))
        .map_err(|e| TaggerError::Manifest(e.to_string()))?;
    let mut manifest = Manifest::parse(&text)?;
    let examples = load_inputs(&mut manifest, model_dir)?;
    let lexicon = lexicon_of(patterns)?;
    let weights = train(&manifest, &examples, &lexicon);
    let bytes = weights.write();
    manifest.weights_sha256 = sha256_hex(&bytes);
    manifest.lexicon_sha256 = lexicon_digest(patterns);
    Ok((manifest, bytes))
}

/// The lexicon the detector builds, without the rules or the current weights (which may
/// be the stale ones being replaced).
pub fn lexicon_of(p: &Patterns) -> Result<Lexicon, TaggerError> {
    Lexicon::build(&LexiconSources::of(p))
        .map_err(|e| TaggerError::Manifest(format!("lexicon: {e}")))
}

/// A labelled, tokenised example, ready for the epochs.
struct Prepared {
    text: String,
    tokens: Vec<Token>,
    labels: Vec<u8>,
    upper: bool,
}

/// Writes some examples in capitals (ASCII letters only, so byte offsets hold): notes come
/// in all capitals too, where capitalisation says nothing.
fn recase(i: usize, text: &str) -> String {
    let mut t = text.to_string();
    if i % 6 == 3 {
        t.make_ascii_uppercase();
    }
    t
}

/// Tokenises each example as written (the trainer's reading before issue 13's `fold`: the
/// corpora's accented letters and escapes are seen as they are, not as the detector's
/// canonical view reads them; see BENCHMARKS.md for the view-reading variant measured).
fn prepare(examples: &[Example], lex: &Lexicon) -> Vec<Prepared> {
    examples
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let text = recase(i, &e.text);
            let mut tokens = Vec::new();
            tokenize(&text, lex, &mut tokens);
            let labels = tokens
                .iter()
                .map(|t| {
                    e.spans
                        .iter()
                        .find(|&&(s, en, _)| s < t.end && en > t.start)
                        .map_or(O, |&(_, _, c)| c)
                })
                .collect();
            let upper = mostly_upper(text.as_bytes());
            Prepared {
                text,
                tokens,
                labels,
                upper,
            }
        })
        .collect()
}

/// SplitMix64.
fn next(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[allow(clippy::cast_possible_truncation)] // the remainder is at most i
fn shuffle(order: &mut [usize], state: &mut u64) {
    for i in (1..order.len()).rev() {
        let j = (next(state) % (i as u64 + 1)) as usize;
        order.swap(i, j);
    }
}

/// Trains `manifest.shuffles` averaged perceptrons, each with its own shuffle and hidden
/// words, and averages them. One perceptron's weights depend on the order it met the
/// examples: retrained with another seed (or after any lexicon edit, which moves every
/// later update), precision on corpora it was not tuned on moved by as much as a point
/// (BENCHMARKS.md, stop 48). The mean of linear models is a linear model with the same
/// units, so the thresholds keep their meaning and tagging costs what it did.
pub fn train(manifest: &Manifest, examples: &[Example], lex: &Lexicon) -> Weights {
    let data = prepare(examples, lex);
    let seeds: Vec<u64> = (0..u64::from(manifest.shuffles))
        .map(|j| shuffle_seed(manifest.seed, j))
        .collect();
    let width = std::thread::available_parallelism().map_or(1, usize::from);
    let mut sum: Vec<f64> = Vec::new();
    // Runs in parallel, summed in seed order so the bytes never depend on the threads.
    for batch in seeds.chunks(width) {
        let runs: Vec<Vec<f64>> = std::thread::scope(|s| {
            let handles: Vec<_> = batch
                .iter()
                .map(|&seed| {
                    let data = &data;
                    s.spawn(move || run(manifest, data, seed))
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect()
        });
        for avg in runs {
            if sum.is_empty() {
                sum = avg;
            } else {
                sum.iter_mut().zip(avg).for_each(|(s, a)| *s += a);
            }
        }
    }
    let n = f64::from(manifest.shuffles);
    sum.iter_mut().for_each(|s| *s /= n);
    quantise(&sum, manifest.hash_bits)
}

/// The seed of shuffle `j`: the manifest's own for the first (so a one-shuffle manifest
/// trains as before), a SplitMix64 draw from it and `j` for the others (not `seed + j`:
/// neighbouring seeds, 13 and 14, would then share four runs of five).
fn shuffle_seed(seed: u64, j: u64) -> u64 {
    if j == 0 {
        return seed;
    }
    let mut state = seed ^ j.rotate_right(17);
    next(&mut state)
}

/// One averaged perceptron (greedy decoding, previous predicted tags as features): its
/// averaged weights, `rows × NCLASS`.
fn run(manifest: &Manifest, data: &[Prepared], seed: u64) -> Vec<f64> {
    let bits = manifest.hash_bits;
    let shift = 64 - u32::from(bits);
    let rows = 1usize << bits;
    let mut w = vec![0i32; rows * NCLASS];
    // Sum of step × update, for averaging without a copy per step (Daumé's trick).
    let mut u = vec![0i64; rows * NCLASS];
    let mut step: i64 = 1;
    let mut order: Vec<usize> = (0..data.len()).collect();
    let mut rng = seed;
    let mut rows_of: Vec<usize> = Vec::with_capacity(64);
    for _ in 0..manifest.epochs {
        shuffle(&mut order, &mut rng);
        for &k in &order {
            let p = &data[k];
            let doc = Doc {
                text: p.text.as_bytes(),
                tokens: &p.tokens,
                upper: p.upper,
            };
            let (mut prev, mut prev2) = (O, O);
            for (i, t) in p.tokens.iter().enumerate() {
                if !t.alpha {
                    (prev2, prev) = (prev, O);
                    continue;
                }
                rows_of.clear();
                let hide = next(&mut rng) % 100 < u64::from(manifest.hide_word_percent);
                features(&doc, i, prev, prev2, hide, |h| {
                    rows_of.push(row(h, shift) * NCLASS)
                });
                let mut scores = [0i32; NCLASS];
                for &r in &rows_of {
                    for (c, s) in scores.iter_mut().enumerate() {
                        *s += w[r + c];
                    }
                }
                let pred = argmax(&scores);
                let gold = p.labels[i];
                if gold != SKIP && gold != pred {
                    for &r in &rows_of {
                        let (g, q) = (r + usize::from(gold), r + usize::from(pred));
                        w[g] += 1;
                        u[g] += step;
                        w[q] -= 1;
                        u[q] -= step;
                    }
                }
                step += 1;
                (prev2, prev) = (prev, pred);
            }
        }
    }
    w.iter()
        .zip(&u)
        .map(|(&w, &u)| f64::from(w) - u as f64 / step as f64)
        .collect()
}

/// Averaged weights, scaled so the largest fits an i16.
#[allow(clippy::cast_possible_truncation)] // clamped to i16's range; f32 scale by design
fn quantise(avg: &[f64], bits: u8) -> Weights {
    let max = avg.iter().fold(0f64, |m, a| m.max(a.abs()));
    let scale = if max > 0.0 { 32_000.0 / max } else { 1.0 };
    let table = avg
        .iter()
        .map(|a| (a * scale).round().clamp(-32_767.0, 32_767.0) as i16)
        .collect();
    Weights {
        bits,
        scale: scale as f32,
        table,
    }
}
