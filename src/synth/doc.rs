//! Building blocks shared by the document generators: labelled text segments, a text
//! builder that records byte spans as it appends, and a tiny JSON tree whose serialiser keeps
//! the spans of labelled string values.

use crate::phi::PhiType;

use super::{LabelledKeep, LabelledSpan};

/// One piece of generated text: plain, PHI of a type, or clinical content to keep.
#[derive(Debug, Clone, PartialEq)]
pub enum Seg {
    /// Text that is neither PHI nor labelled content.
    Lit(String),
    /// A PHI value of the given type.
    Phi(PhiType, String),
    /// Clinical content that must survive (kind as in [`LabelledKeep::kind`]).
    Keep(&'static str, String),
}

/// A run of segments: a sentence, a note, or a JSON string value.
pub type Segs = Vec<Seg>;

/// Plain text segment.
pub fn lit(s: impl Into<String>) -> Seg {
    Seg::Lit(s.into())
}

/// PHI segment.
pub fn phi(ty: PhiType, s: impl Into<String>) -> Seg {
    Seg::Phi(ty, s.into())
}

/// Kept-content segment.
pub fn keep(kind: &'static str, s: impl Into<String>) -> Seg {
    Seg::Keep(kind, s.into())
}

/// Renders segments to plain text (no labels), e.g. for base64 attachments.
pub fn plain(segs: &[Seg]) -> String {
    segs.iter()
        .map(|s| match s {
            Seg::Lit(t) | Seg::Phi(_, t) | Seg::Keep(_, t) => t.as_str(),
        })
        .collect()
}

/// The PHI values of segments, in order.
pub fn phi_values(segs: &[Seg]) -> Vec<(PhiType, String)> {
    segs.iter()
        .filter_map(|s| match s {
            Seg::Phi(t, v) => Some((*t, v.clone())),
            _ => None,
        })
        .collect()
}

/// Text under construction with its PHI and keep spans (byte offsets).
#[derive(Debug, Default)]
pub struct Builder {
    /// The text so far.
    pub text: String,
    /// PHI spans so far.
    pub phi: Vec<LabelledSpan>,
    /// Kept-content spans so far.
    pub keep: Vec<LabelledKeep>,
    /// Upper-case every appended piece (for ALL CAPS notes).
    pub caps: bool,
}

impl Builder {
    /// Appends one piece, transformed by `caps` and, inside JSON strings, escaped.
    fn push(&mut self, s: &str, json: bool) -> (usize, usize) {
        let start = self.text.len();
        let cased = if self.caps {
            s.to_uppercase()
        } else {
            s.to_string()
        };
        if json {
            self.text.push_str(&json_escape(&cased));
        } else {
            self.text.push_str(&cased);
        }
        (start, self.text.len())
    }

    /// Appends segments, recording spans; `json` escapes them for a JSON string literal.
    pub fn segs(&mut self, segs: &[Seg], json: bool) {
        for seg in segs {
            match seg {
                Seg::Lit(t) => {
                    self.push(t, json);
                }
                Seg::Phi(ty, v) => {
                    let (start, end) = self.push(v, json);
                    self.phi.push(LabelledSpan {
                        start,
                        end,
                        ty: *ty,
                    });
                }
                Seg::Keep(kind, v) => {
                    let (start, end) = self.push(v, json);
                    self.keep.push(LabelledKeep { start, end, kind });
                }
            }
        }
    }

    /// Appends raw text (JSON punctuation) without case change or escaping.
    pub fn raw(&mut self, s: &str) {
        self.text.push_str(s);
    }
}

/// JSON string escaping without the surrounding quotes.
pub fn json_escape(s: &str) -> String {
    let quoted = serde_json::Value::String(s.to_string()).to_string();
    quoted
        .get(1..quoted.len().saturating_sub(1))
        .unwrap_or_default()
        .to_string()
}

/// A JSON value whose strings (and numbers) may carry labels.
#[derive(Debug, Clone)]
pub enum J {
    /// An object; keys are plain.
    Obj(Vec<(String, J)>),
    /// An array.
    Arr(Vec<J>),
    /// A string made of segments.
    Str(Segs),
    /// A number written as given, optionally labelled as kept content.
    Num(String, Option<&'static str>),
    /// A boolean.
    Bool(bool),
}

/// Object from `(key, value)` pairs.
pub fn obj<K: Into<String>>(pairs: Vec<(K, J)>) -> J {
    J::Obj(pairs.into_iter().map(|(k, v)| (k.into(), v)).collect())
}

/// Plain string.
pub fn s(v: impl Into<String>) -> J {
    J::Str(vec![lit(v)])
}

/// PHI string.
pub fn p(ty: PhiType, v: impl Into<String>) -> J {
    J::Str(vec![phi(ty, v)])
}

/// Kept-content string.
pub fn k(kind: &'static str, v: impl Into<String>) -> J {
    J::Str(vec![keep(kind, v)])
}

/// Number.
pub fn n(v: impl ToString) -> J {
    J::Num(v.to_string(), None)
}

/// Number labelled as kept content.
pub fn kn(kind: &'static str, v: impl ToString) -> J {
    J::Num(v.to_string(), Some(kind))
}

/// A "Type/id" reference string whose id part is labelled ID.
pub fn reference(ty: &str, id: &str) -> J {
    J::Str(vec![lit(format!("{ty}/")), phi(PhiType::Id, id)])
}

/// Serialises `j` compactly into `b`, recording spans.
pub fn write_json(b: &mut Builder, j: &J) {
    match j {
        J::Obj(pairs) => {
            b.raw("{");
            for (i, (key, v)) in pairs.iter().enumerate() {
                if i > 0 {
                    b.raw(",");
                }
                b.raw(&serde_json::Value::String(key.clone()).to_string());
                b.raw(":");
                write_json(b, v);
            }
            b.raw("}");
        }
        J::Arr(items) => {
            b.raw("[");
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    b.raw(",");
                }
                write_json(b, v);
            }
            b.raw("]");
        }
        J::Str(segs) => {
            b.raw("\"");
            b.segs(segs, true);
            b.raw("\"");
        }
        J::Num(v, None) => b.raw(v),
        J::Num(v, Some(kind)) => b.segs(&[keep(kind, v.as_str())], false),
        J::Bool(v) => b.raw(if *v { "true" } else { "false" }),
    }
}
