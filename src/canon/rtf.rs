//! RTF read as the text it renders (red team 51, G8).
//!
//! Notes leave many EMRs as RTF (HL7 OBX, C-CDA and FHIR `text/rtf` attachments), and an RTF
//! viewer shows `MR441\'30827`, `MR\u52?\u52?…`, `MR441{\b 0827}` and `MR441\b 0827\b0` all
//! as `MR4410827`. A text that holds an RTF document (`{\rtf`) is therefore read as RTF:
//! hex escapes in its code page, `\uN` escapes (their fallback characters skipped), the
//! control words that write text (`\par`, `\tab`, `\emdash` …), and everything else —
//! braces, formatting words, line breaks of the source — as nothing. A destination group
//! (`{\*\author …}`, `{\info …}`, `{\fonttbl …}`) is no text a page shows, but a reader of
//! the source sees it, so its text is read set apart by blanks. Hidden text (`\v`) is read
//! set apart by blanks too, and the [`Canon::joined`] reading reads it as nothing, so the
//! words it cuts (`MR441{\v x}0827`) are read whole there.
//!
//! Outside an RTF document only the hex escape (`\'hh`) is read: nothing else writes a
//! backslash, a quote and two hex digits.
//!
//! Each character of the view comes from the escape or letter that wrote it, so a span
//! found there covers the escapes, braces and control words inside it.

use super::{Builder, Canon, Tags};

/// What opens an RTF document.
const RTF_OPEN: &str = "{\\rtf";

/// Longest control word RTF allows.
const MAX_WORD: usize = 32;

/// Longest numeric parameter RTF allows (a sign and ten digits).
const MAX_PARAM: usize = 11;

/// Destinations whose text no page shows (besides any marked `\*`).
const DESTINATIONS: &[&str] = &[
    "fonttbl",
    "colortbl",
    "stylesheet",
    "info",
    "author",
    "operator",
    "title",
    "subject",
    "keywords",
    "comment",
    "doccomm",
    "company",
    "manager",
    "category",
    "fldinst",
    "pict",
    "object",
    "objdata",
    "header",
    "footer",
    "headerl",
    "headerr",
    "footerl",
    "footerr",
    "footnote",
    "annotation",
    "atnauthor",
    "atnid",
    "listtable",
    "listoverridetable",
    "revtbl",
    "rsidtbl",
    "generator",
    "xmlnstbl",
    "filetbl",
    "pgdsctbl",
    "latentstyles",
    "themedata",
    "colorschememapping",
    "datastore",
];

/// The state a group carries: hidden text and the fallback count of `\uN`.
#[derive(Clone, Copy)]
struct Group {
    hidden: bool,
    /// How many characters follow a `\uN` as its fallback (`\ucN`, 1 by default).
    fallback: usize,
    /// A destination group: its text is set apart by blanks.
    destination: bool,
}

impl Default for Group {
    fn default() -> Group {
        Group {
            hidden: false,
            fallback: 1,
            destination: false,
        }
    }
}

impl Canon {
    /// The view of `text` read as RTF renders it, or `None` when it holds no RTF document
    /// and no hex escape.
    pub(super) fn rtf(text: &str, tags: Tags) -> Option<Canon> {
        if text.contains(RTF_OPEN) {
            let mut r = Reader::new(text, tags);
            r.read_document();
            return Some(r.b.out);
        }
        if !has_hex_escape(text.as_bytes()) {
            return None;
        }
        Some(hex_escapes_read(text))
    }
}

/// Whether `b` holds an RTF hex escape (`\'30`).
fn has_hex_escape(b: &[u8]) -> bool {
    memchr::memchr_iter(b'\\', b).any(|i| hex_escape(&b[i..]).is_some())
}

/// The byte a hex escape at the start of `b` writes.
fn hex_escape(b: &[u8]) -> Option<u8> {
    if b.get(1) != Some(&b'\'') {
        return None;
    }
    let hex = std::str::from_utf8(b.get(2..4)?).ok()?;
    if !hex.bytes().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    u8::from_str_radix(hex, 16).ok()
}

/// The character a byte of the ANSI code page (Windows-1252, RTF's default) shows.
fn ansi_char(byte: u8) -> char {
    match byte {
        0x91 | 0x92 => '\'',
        0x93 | 0x94 => '"',
        0x96 | 0x97 => '-',
        0x80..=0x9F => ' ',
        _ => char::from(byte),
    }
}

/// `text` with its hex escapes read, the rest as written.
fn hex_escapes_read(text: &str) -> Canon {
    let b = text.as_bytes();
    let mut out = Builder::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    while let Some(k) = memchr::memchr(b'\\', &b[i..]) {
        let at = i + k;
        i = at + 1;
        let Some(byte) = hex_escape(&b[at..]) else {
            continue;
        };
        out.push_literal(&text[copied..at], copied);
        out.push(ansi_char(byte), at, at + 4);
        copied = at + 4;
        i = copied;
    }
    out.push_literal(&text[copied..], copied);
    out.out
}

/// Reads an RTF document into a view.
struct Reader<'a> {
    text: &'a str,
    b: Builder,
    tags: Tags,
    groups: Vec<Group>,
    /// Fallback characters of the last `\uN` still to skip.
    skip: usize,
    /// The last character pushed was hidden text.
    in_hidden: bool,
}

impl<'a> Reader<'a> {
    fn new(text: &'a str, tags: Tags) -> Reader<'a> {
        Reader {
            text,
            b: Builder::with_capacity(text.len()),
            tags,
            groups: vec![Group::default()],
            skip: 0,
            in_hidden: false,
        }
    }

    fn group(&self) -> Group {
        self.groups.last().copied().unwrap_or_default()
    }

    fn group_mut(&mut self) -> Option<&mut Group> {
        self.groups.last_mut()
    }

    fn read_document(&mut self) {
        let b = self.text.as_bytes();
        let mut i = 0;
        while i < b.len() {
            i = match b[i] {
                b'{' => self.open_group(i),
                b'}' => self.close_group(i),
                b'\\' => self.control(i),
                // A line break of the source is no text: RTF writes one as `\par`.
                b'\r' | b'\n' => i + 1,
                _ => {
                    let len = self.text[i..].chars().next().map_or(1, char::len_utf8);
                    if self.skip > 0 {
                        self.skip -= 1;
                    } else {
                        self.show_run(&self.text[i..i + len], i);
                    }
                    i + len
                }
            };
        }
    }

    fn open_group(&mut self, i: usize) -> usize {
        self.skip = 0;
        let mut g = self.group();
        let rest = &self.text[i + 1..];
        g.destination = rest.starts_with("\\*") || starts_with_destination(rest);
        self.groups.push(g);
        if g.destination {
            self.b.push(' ', i, i + 1);
        }
        i + 1
    }

    fn close_group(&mut self, i: usize) -> usize {
        self.skip = 0;
        let was = self.group();
        if self.groups.len() > 1 {
            self.groups.pop();
        }
        if was.destination {
            self.b.push(' ', i, i + 1);
        }
        i + 1
    }

    /// Reads the control word or symbol at `i` (a `\`); the offset after it.
    fn control(&mut self, i: usize) -> usize {
        let b = self.text.as_bytes();
        if let Some(byte) = hex_escape(&b[i..]) {
            if self.skip > 0 {
                self.skip -= 1;
            } else {
                self.show(ansi_char(byte), i, i + 4);
            }
            return i + 4;
        }
        let Some(&next) = b.get(i + 1) else {
            return i + 1;
        };
        if !next.is_ascii_alphabetic() {
            let shown = match next {
                b'\\' | b'{' | b'}' => Some(char::from(next)),
                b'~' | b'\r' | b'\n' => Some(' '),
                b'_' => Some('-'),
                _ => None,
            };
            if let Some(c) = shown {
                self.show(c, i, i + 2);
            }
            let len = if next.is_ascii() {
                1
            } else {
                self.text[i + 1..].chars().next().map_or(1, char::len_utf8)
            };
            return i + 1 + len;
        }
        let word_len = b[i + 1..]
            .iter()
            .take(MAX_WORD)
            .take_while(|c| c.is_ascii_alphabetic())
            .count();
        let word = &self.text[i + 1..i + 1 + word_len];
        let mut end = i + 1 + word_len;
        let param_len = b[end..]
            .iter()
            .take(MAX_PARAM)
            .enumerate()
            .take_while(|&(k, c)| c.is_ascii_digit() || (k == 0 && *c == b'-'))
            .count();
        let param = self.text[end..end + param_len].parse::<i64>().ok();
        end += param_len;
        if b.get(end) == Some(&b' ') {
            end += 1;
        }
        self.word(word, param, i, end);
        end
    }

    /// Acts on control word `word` with `param`, written at `start..end`.
    fn word(&mut self, word: &str, param: Option<i64>, start: usize, end: usize) {
        match word {
            "u" => {
                let n = param.unwrap_or(0);
                let n = if n < 0 { n + 65_536 } else { n };
                let c = u32::try_from(n)
                    .ok()
                    .and_then(char::from_u32)
                    .unwrap_or(' ');
                self.show(c, start, end);
                self.skip = self.group().fallback;
            }
            "uc" => {
                let n = usize::try_from(param.unwrap_or(1)).unwrap_or(1);
                if let Some(g) = self.group_mut() {
                    g.fallback = n.min(8);
                }
            }
            "v" => {
                let hidden = param != Some(0);
                if let Some(g) = self.group_mut() {
                    g.hidden = hidden;
                }
            }
            "par" | "line" | "sect" | "page" | "cell" | "row" | "tab" | "nestcell" | "bullet"
            | "emspace" | "enspace" | "qmspace" => self.show(' ', start, end),
            "emdash" | "endash" => self.show('-', start, end),
            "lquote" | "rquote" => self.show('\'', start, end),
            "ldblquote" | "rdblquote" => self.show('"', start, end),
            _ => {}
        }
    }

    /// Shows `c`, written at `start..end`.
    fn show(&mut self, c: char, start: usize, end: usize) {
        if self.before_shown(start, end) {
            self.b.push(c, start, end);
        }
    }

    /// Shows the literal `run`, written at `at`.
    fn show_run(&mut self, run: &str, at: usize) {
        if self.before_shown(at, at + run.len()) {
            if run.is_ascii() {
                self.b.push_literal(run, at);
            } else if let Some(c) = run.chars().next() {
                self.b.push(c, at, at + run.len());
            }
        }
    }

    /// Readies the view for a character written at `start..end`: whether it is read. Hidden
    /// text is read as nothing by the joined reading, and set apart by blanks otherwise.
    fn before_shown(&mut self, start: usize, end: usize) -> bool {
        let hidden = self.group().hidden;
        if hidden && self.tags == Tags::Joined {
            return false;
        }
        if hidden != self.in_hidden {
            if hidden {
                self.b.out.cuts_words = true;
            }
            self.b.push(' ', start, end);
            self.in_hidden = hidden;
        }
        true
    }
}

/// Whether `rest` (what follows a `{`) opens with a destination's control word.
fn starts_with_destination(rest: &str) -> bool {
    let Some(word) = rest.strip_prefix('\\') else {
        return false;
    };
    let len = word.bytes().take_while(u8::is_ascii_alphabetic).count();
    DESTINATIONS.contains(&&word[..len])
}

#[cfg(test)]
mod tests {
    use super::super::Canon;

    fn read(s: &str) -> String {
        Canon::of(s).map_or_else(|| s.to_string(), |c| c.text().to_string())
    }

    fn joined(s: &str) -> String {
        Canon::joined(s).map_or_else(|| s.to_string(), |c| c.text().to_string())
    }

    #[test]
    fn escapes_groups_and_control_words_read_as_the_text_they_render() {
        assert!(read(r"{\rtf1\ansi chart MR441\'30827 seen\par}").contains("MR4410827 seen"));
        assert!(read(r"{\rtf1\ansi SSN 512\'2d47\'2d3306\par}").contains("512-47-3306"));
        assert!(
            read(r"{\rtf1 \u84?\u104?\u97?\u99?\u107? MR\u52?\u52?\u49?}").contains("Thack MR441")
        );
        assert!(read(r"{\rtf1 Thack{\b eray} MR441{\b 0827}}").contains("Thackeray MR4410827"));
        assert!(
            read(r"{\rtf1 Thack\b eray\b0  MR441\b 0827\b0\par}").contains("Thackeray MR4410827")
        );
        assert!(read(r"{\rtf1 caf\'e9\u233\'e9!}").contains("cafee!"));
    }

    #[test]
    fn destinations_read_apart_and_hidden_text_joined_away() {
        let v = read(r"{\rtf1{\info{\title Notes}{\author Rosalind Thackeray}}ok}");
        assert!(v.contains(" Rosalind Thackeray "), "{v}");
        assert!(read(r"{\rtf1 MR441{\v x}0827}").contains("MR441 x 0827"));
        assert!(joined(r"{\rtf1 MR441{\v x}0827}").contains("MR4410827"));
    }

    #[test]
    fn a_hex_escape_is_read_outside_rtf_and_spans_map_back() {
        let s = r"chart MR441\'30827 seen";
        let c = Canon::of(s).expect("a view");
        let at = c.text().find("MR4410827").expect("read");
        assert_eq!(c.source_range(at, at + 9), (6, 18));
    }
}
