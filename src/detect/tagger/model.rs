//! The tagger's weights file and manifest: their format, reading and writing.
//!
//! `tagger.bin` (little-endian): magic `PGTG`, u16 format version, u8 hash bits, u8 class
//! count, f32 scale (quantised = round(weight × scale)), u32 record count, then one record
//! per non-zero table row: u32 row, then one i16 per class. `MANIFEST.toml` says how the
//! file was made (classes, hash bits, seed, epochs, inputs with their sha256) and holds the
//! decision threshold.

use serde::{Deserialize, Serialize};

use super::TaggerError;

pub const MAGIC: &[u8; 4] = b"PGTG";
pub const FORMAT: u16 = 1;
/// The classes, in table column order.
pub const CLASSES: [&str; 3] = ["O", "NAME", "LOCATION"];
pub const NCLASS: usize = CLASSES.len();

/// What `MANIFEST.toml` records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub format: u16,
    pub classes: Vec<String>,
    pub hash_bits: u8,
    pub seed: u64,
    pub epochs: u32,
    /// Share of training steps (per cent) that do not see the word itself.
    pub hide_word_percent: u8,
    /// How many perceptrons are trained, each on its own shuffle and hidden words (the
    /// first from `seed`), and averaged into the shipped weights: one run's weights depend
    /// on the order it met the examples, and averaging several takes most of that noise
    /// out (see `train`). Absent: one.
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub shuffles: u32,
    /// A capitalised token (see `features::shaped`) is tagged NAME or LOCATION only when
    /// that class outscores O by this much (averaged-weight units): raising it trades
    /// recall for precision.
    pub threshold: f32,
    /// The same for a token without a telling capital (lower case, all capitals, a
    /// sentence's first word).
    pub threshold_unshaped: f32,
    pub weights: String,
    pub weights_sha256: String,
    /// sha256 of the lexicon files the features read (flags are features).
    pub lexicon_sha256: String,
    /// Thresholds where capitals tell nothing (a line all in one case, a script without
    /// case; see `tagger::gates`). Absent: such tokens and spans are gated as elsewhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caseless: Option<Caseless>,
    #[serde(rename = "input")]
    pub inputs: Vec<Input>,
}

/// The `[caseless]` table: margins over O (averaged-weight units) where capitals tell
/// nothing.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Caseless {
    /// A token there is tagged at this margin (instead of `threshold_unshaped`).
    pub token: f32,
    /// A span there without other evidence (telling capital, listed name, cue word) is
    /// reported when one of its tokens reaches this margin.
    pub span: f32,
}

/// One training corpus.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Input {
    /// A JSON-lines file under `patterns/model/`, or `synth:text` for `phigate synth`.
    pub path: String,
    /// For `synth:text`: the generator's seed and document count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub synth_seed: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub synth_count: Option<usize>,
    /// How the file was made.
    pub command: String,
    pub licence: String,
    /// sha256 of the file (for `synth:text`, of its JSON lines as `phigate synth` writes).
    pub sha256: String,
}

fn one() -> u32 {
    1
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if passes a reference
fn is_one(n: &u32) -> bool {
    *n == 1
}

impl Manifest {
    pub fn parse(text: &str) -> Result<Manifest, TaggerError> {
        let m: Manifest =
            toml::from_str(text).map_err(|e| TaggerError::Manifest(first_line(e.message())))?;
        if m.format != FORMAT {
            return Err(TaggerError::Manifest(format!(
                "format {} (this build reads {FORMAT})",
                m.format
            )));
        }
        if m.classes.iter().map(String::as_str).ne(CLASSES) {
            return Err(TaggerError::Manifest(format!(
                "classes must be {CLASSES:?}"
            )));
        }
        if !(10..=24).contains(&m.hash_bits) {
            return Err(TaggerError::Manifest("hash_bits must be 10..=24".into()));
        }
        if !(1..=64).contains(&m.shuffles) {
            return Err(TaggerError::Manifest("shuffles must be 1..=64".into()));
        }
        Ok(m)
    }

    pub fn to_toml(&self) -> Result<String, TaggerError> {
        toml::to_string(self).map_err(|e| TaggerError::Manifest(e.to_string()))
    }
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or("").trim().to_string()
}

/// The weights, one row of class scores per hash bucket.
pub struct Weights {
    pub bits: u8,
    pub scale: f32,
    /// `rows × NCLASS` quantised weights.
    pub table: Vec<i16>,
}

impl Weights {
    /// Reads `tagger.bin`.
    pub fn read(bytes: &[u8]) -> Result<Weights, TaggerError> {
        let bad = |what: &str| TaggerError::Weights(what.to_string());
        let header = bytes
            .get(..16)
            .ok_or_else(|| bad("shorter than its header"))?;
        if &header[..4] != MAGIC {
            return Err(bad("not a tagger weights file"));
        }
        if u16::from_le_bytes([header[4], header[5]]) != FORMAT {
            return Err(bad("unknown format version"));
        }
        let bits = header[6];
        if !(10..=24).contains(&bits) || usize::from(header[7]) != NCLASS {
            return Err(bad("hash bits or class count out of range"));
        }
        let scale = f32::from_le_bytes([header[8], header[9], header[10], header[11]]);
        let count = u32::from_le_bytes([header[12], header[13], header[14], header[15]]) as usize;
        let rows = 1usize << bits;
        let record = 4 + 2 * NCLASS;
        let body = &bytes[16..];
        if body.len() != count * record || !scale.is_finite() || scale <= 0.0 {
            return Err(bad("length does not match its record count"));
        }
        let mut table = vec![0i16; rows * NCLASS];
        for r in body.chunks_exact(record) {
            let row = u32::from_le_bytes([r[0], r[1], r[2], r[3]]) as usize;
            if row >= rows {
                return Err(bad("row out of range"));
            }
            for c in 0..NCLASS {
                table[row * NCLASS + c] = i16::from_le_bytes([r[4 + 2 * c], r[5 + 2 * c]]);
            }
        }
        Ok(Weights { bits, scale, table })
    }

    /// Writes `tagger.bin`: only non-zero rows, in row order (so equal weights give equal
    /// bytes).
    #[allow(clippy::cast_possible_truncation)] // rows < 2^24 (hash bits ≤ 24); 3 classes
    pub fn write(&self) -> Vec<u8> {
        let rows: Vec<usize> = (0..self.table.len() / NCLASS)
            .filter(|r| {
                self.table[r * NCLASS..(r + 1) * NCLASS]
                    .iter()
                    .any(|&w| w != 0)
            })
            .collect();
        let mut out = Vec::with_capacity(16 + rows.len() * (4 + 2 * NCLASS));
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT.to_le_bytes());
        out.push(self.bits);
        out.push(NCLASS as u8);
        out.extend_from_slice(&self.scale.to_le_bytes());
        out.extend_from_slice(&(rows.len() as u32).to_le_bytes());
        for r in rows {
            out.extend_from_slice(&(r as u32).to_le_bytes());
            for c in 0..NCLASS {
                out.extend_from_slice(&self.table[r * NCLASS + c].to_le_bytes());
            }
        }
        out
    }
}

/// Lower-case hex sha256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    crate::hex::encode(ring::digest::digest(&ring::digest::SHA256, bytes).as_ref())
}
