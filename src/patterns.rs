//! The rule files phigate runs on: built into the binary, or read from a directory.
//!
//! Owns the list of files under `patterns/` and how they are found (with the overlay files
//! of a `patterns.d/` directory added on top), and [`FileError`], the
//! one shape of error every rule, field and policy file reports (`file:line: reason`).
//! Parsing and compiling belong to the modules that use each file (detect, transform,
//! fields).

use std::borrow::Cow;
use std::path::Path;

/// The text of every rule file, with the name each was read from (for error messages).
pub struct Patterns {
    pub files: Vec<(&'static str, Cow<'static, str>)>,
    /// Overlay files (`patterns.d/*.toml`), in name order: rules, allow-list words and
    /// field keys added on top of the files above (see `detect::overlay`).
    pub overlays: Vec<Overlay>,
    /// Binary data files (the tagger's weights), by path under `patterns/`.
    pub binaries: Vec<(&'static str, Cow<'static, [u8]>)>,
}

/// One overlay file: its path as the operator wrote it (for error messages) and its text.
#[derive(Debug, Clone)]
pub struct Overlay {
    pub file: String,
    pub text: String,
}

/// (path under `patterns/`, built-in contents)
const BUILTIN: &[(&str, &str)] = &[
    (
        "text/rules.toml",
        include_str!("../patterns/text/rules.toml"),
    ),
    (
        "text/facilities.toml",
        include_str!("../patterns/text/facilities.toml"),
    ),
    (
        "text/titled.toml",
        include_str!("../patterns/text/titled.toml"),
    ),
    (
        "text/structures.toml",
        include_str!("../patterns/text/structures.toml"),
    ),
    (
        "text/lexicon.toml",
        include_str!("../patterns/text/lexicon.toml"),
    ),
    (
        "names/first_names.tsv",
        include_str!("../patterns/names/first_names.tsv"),
    ),
    (
        "names/surnames.tsv",
        include_str!("../patterns/names/surnames.tsv"),
    ),
    (
        "names/common_words.txt",
        include_str!("../patterns/names/common_words.txt"),
    ),
    // Nicknames of given names, for the patient memory (crate::memory).
    (
        "names/nicknames.csv",
        include_str!("../patterns/names/nicknames.csv"),
    ),
    (
        "words/english.txt",
        include_str!("../patterns/words/english.txt"),
    ),
    // The safe clinical vocabulary: words that are never identifying on their own.
    (
        "words/clinical.txt",
        include_str!("../patterns/words/clinical.txt"),
    ),
    (
        "words/context.toml",
        include_str!("../patterns/words/context.toml"),
    ),
    // Rare English words: never "unknown" evidence of a name (issue 13, stop 38).
    ("words/rare.txt", include_str!("../patterns/words/rare.txt")),
    (
        "words/person_messages.toml",
        include_str!("../patterns/words/person_messages.toml"),
    ),
    (
        "places/us_places.tsv",
        include_str!("../patterns/places/us_places.tsv"),
    ),
    (
        "places/world_places.tsv",
        include_str!("../patterns/places/world_places.tsv"),
    ),
    (
        "places/not-phi-regions.txt",
        include_str!("../patterns/places/not-phi-regions.txt"),
    ),
    ("fields.toml", include_str!("../patterns/fields.toml")),
    ("hl7.toml", include_str!("../patterns/hl7.toml")),
    ("cda.toml", include_str!("../patterns/cda.toml")),
    ("x12.toml", include_str!("../patterns/x12.toml")),
    (
        "zip3-restricted.txt",
        include_str!("../patterns/zip3-restricted.txt"),
    ),
    (
        "terminology-systems.txt",
        include_str!("../patterns/terminology-systems.txt"),
    ),
    (
        "policies/safe-harbor.toml",
        include_str!("../patterns/policies/safe-harbor.toml"),
    ),
    (
        "policies/limited-data-set.toml",
        include_str!("../patterns/policies/limited-data-set.toml"),
    ),
    (
        "policies/reversible.toml",
        include_str!("../patterns/policies/reversible.toml"),
    ),
    // Read by the detector too: the clinic's procedure codes are never identifiers.
    (
        "claims/cpt.toml",
        include_str!("../patterns/claims/cpt.toml"),
    ),
    (
        "model/MANIFEST.toml",
        include_str!("../patterns/model/MANIFEST.toml"),
    ),
];

/// (path under `patterns/`, built-in contents) of the binary files.
const BUILTIN_BINARY: &[(&str, &[u8])] = &[(
    "model/tagger.bin",
    include_bytes!("../patterns/model/tagger.bin"),
)];

/// Files a pattern directory may leave out: the built-in copy is used instead.
/// `hl7.toml` and `cda.toml` came after the first deployments: a directory without them
/// gets the built-in rules.
const OPTIONAL: &[&str] = &[
    "claims/cpt.toml",
    "hl7.toml",
    "cda.toml",
    "x12.toml",
    "places/world_places.tsv",
    "places/not-phi-regions.txt",
    // The statistical tagger came later still; its manifest and weights go together.
    "model/MANIFEST.toml",
    "model/tagger.bin",
    "names/nicknames.csv",
    "words/clinical.txt",
    // The short lists around a person came with issue 13's fourth round.
    "words/context.toml",
    // Persons in messages (possessions, sign-offs) came with issue 13's branch `names9`.
    "words/person_messages.toml",
    // Rare English words came with issue 13's stop 38.
    "words/rare.txt",
    // Facility names came after the lexicon; a directory without the file gets the built-in.
    "text/facilities.toml",
    // Surnames after a title that are English words came with issue 13's round four.
    "text/titled.toml",
    // Names in the structures of notes came after facilities; the same.
    "text/structures.toml",
];

impl Patterns {
    /// The rule files compiled into this binary.
    pub fn builtin() -> Patterns {
        Patterns {
            files: BUILTIN
                .iter()
                .map(|(n, s)| (*n, Cow::Borrowed(*s)))
                .collect(),
            overlays: Vec::new(),
            binaries: BUILTIN_BINARY
                .iter()
                .map(|(n, b)| (*n, Cow::Borrowed(*b)))
                .collect(),
        }
    }

    /// Reads every rule file from `dir` (same layout as the repository's `patterns/`).
    pub fn from_dir(dir: &Path) -> std::io::Result<Patterns> {
        let mut files = Vec::with_capacity(BUILTIN.len());
        for (name, builtin) in BUILTIN {
            let path = dir.join(name);
            if OPTIONAL.contains(name) && !path.exists() {
                files.push((*name, Cow::Borrowed(*builtin)));
                continue;
            }
            let text = std::fs::read_to_string(&path).map_err(|e| {
                std::io::Error::new(e.kind(), format!("{}: {e}", dir.join(name).display()))
            })?;
            files.push((*name, Cow::Owned(text)));
        }
        let mut binaries = Vec::with_capacity(BUILTIN_BINARY.len());
        for (name, builtin) in BUILTIN_BINARY {
            let path = dir.join(name);
            if OPTIONAL.contains(name) && !path.exists() {
                binaries.push((*name, Cow::Borrowed(*builtin)));
                continue;
            }
            let bytes = std::fs::read(&path)
                .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
            binaries.push((*name, Cow::Owned(bytes)));
        }
        Ok(Patterns {
            files,
            overlays: Vec::new(),
            binaries,
        })
    }

    /// Adds every `*.toml` file of an overlay directory, in name order (so `10-x.toml`
    /// comes before `20-y.toml`). Other files are ignored, so an editor's backup
    /// (`rules.toml~`) is never loaded by accident.
    pub fn with_overlays(mut self, dir: &Path) -> std::io::Result<Patterns> {
        let with_path =
            |e: std::io::Error| std::io::Error::new(e.kind(), format!("{}: {e}", dir.display()));
        let mut paths = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(with_path)? {
            let path = entry.map_err(with_path)?.path();
            if path.extension().is_some_and(|e| e == "toml") && path.is_file() {
                paths.push(path);
            }
        }
        paths.sort();
        for path in paths {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
            self.overlays.push(Overlay {
                file: path.display().to_string(),
                text,
            });
        }
        Ok(self)
    }

    /// The contents of one file; every name in the list is always present.
    pub fn get(&self, name: &str) -> &str {
        self.files
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, s)| s.as_ref())
            .unwrap_or("")
    }
}

impl Patterns {
    /// The contents of one binary file; empty for a name not in the list.
    pub fn get_bytes(&self, name: &str) -> &[u8] {
        self.binaries
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, b)| b.as_ref())
            .unwrap_or(&[])
    }
}

/// A rule, field or policy file that cannot be used: names the file and line (0 when no one
/// line is at fault), never input text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {reason}")]
pub struct FileError {
    pub file: String,
    pub line: usize,
    pub reason: String,
}

impl FileError {
    /// A TOML file that does not parse into its expected shape: the line of the offending
    /// span and the first line of the parser's message (the rest quotes the file).
    pub fn toml(file: &str, source: &str, e: &toml::de::Error) -> FileError {
        FileError {
            file: file.to_string(),
            line: e.span().map(|s| line_of(source, s.start)).unwrap_or(0),
            reason: first_line(e.message()),
        }
    }
}

/// The 1-based line of byte `offset` in `source` (0 when the offset is out of range).
pub fn line_of(source: &str, offset: usize) -> usize {
    source
        .get(..offset)
        .map(|s| s.bytes().filter(|&b| b == b'\n').count() + 1)
        .unwrap_or(0)
}

/// The first line of a parser's message, trimmed.
pub fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or("").trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_errors_name_file_and_line_but_not_the_text() {
        let source = "a = 1\nb = = 2\nc = 3\n";
        let e = toml::from_str::<toml::Value>(source).expect_err("no value");
        let fe = FileError::toml("x.toml", source, &e);
        assert_eq!(fe.file, "x.toml");
        assert_eq!(fe.line, 2);
        assert!(!fe.reason.contains('\n'), "{}", fe.reason);
        assert!(fe.to_string().starts_with("x.toml:2: "), "{fe}");
    }
}
