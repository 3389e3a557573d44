//! Trains the statistical tagger from the corpora its manifest declares and writes
//! `tagger.bin` and the updated `MANIFEST.toml` (sha256 of every input and of the weights).
//! Run through `scripts/train-tagger.sh`; see `patterns/model/README.md`.
//!
//! `train_tagger [MODEL_DIR] [PATTERNS_DIR]` (defaults `patterns/model`, `patterns`): the
//! lexicon is read from PATTERNS_DIR, so list edits there count without a rebuild.
use std::path::PathBuf;

use phigate::detect::tagger::train::retrain;
use phigate::patterns::Patterns;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let model_dir = PathBuf::from(args.next().unwrap_or_else(|| "patterns/model".into()));
    let patterns_dir = PathBuf::from(args.next().unwrap_or_else(|| "patterns".into()));
    let patterns = Patterns::from_dir(&patterns_dir)?;
    let (manifest, bytes) = retrain(&model_dir, &patterns)?;
    std::fs::write(model_dir.join(&manifest.weights), &bytes)?;
    let toml = format!(
        "# Written by scripts/train-tagger.sh (see README.md): edit the inputs, seed, epochs,\n\
         # hash bits or threshold, then retrain; never edit the sha256 fields by hand.\n{}",
        manifest.to_toml()?
    );
    std::fs::write(model_dir.join("MANIFEST.toml"), toml)?;
    eprintln!(
        "wrote {} ({} bytes, sha256 {})",
        model_dir.join(&manifest.weights).display(),
        bytes.len(),
        manifest.weights_sha256
    );
    Ok(())
}
