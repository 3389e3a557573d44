//! uuencoded values (`begin 644 note.txt`, then lines like `2<F]S86QI;F0@5&AA8VME<F%Y`).
//!
//! Owns reading a whole value as uuencode and writing text back the same way. Each line
//! opens with its byte count (`' ' + n`, or a backtick for none) and holds four characters
//! for each three bytes, every one between `' '` and `` ` ``; a value is read as uuencode
//! only when every line is exactly that, so ordinary text (lower case, wrong lengths) never
//! is.

/// Most bytes on one line (`M`).
const LINE_BYTES: usize = 45;

/// Fewest bytes a value must decode to: shorter runs are codes that happen to fit.
const MIN_BYTES: usize = 4;

/// A uuencoded value: its `begin` line (if any) and the bytes it holds.
pub struct Uu<'a> {
    pub begin: Option<&'a str>,
    pub bytes: Vec<u8>,
}

/// `value` read as uuencode, or `None` when it is not exactly that.
pub fn decode(value: &str) -> Option<Uu<'_>> {
    // Most values hold a lower-case letter, which no uuencoded line does: one pass rules
    // them out before anything is split.
    let data = match value.strip_prefix("begin ") {
        Some(rest) => rest.split_once('\n').map_or("", |(_, d)| d),
        None => value,
    };
    let data = data.trim_end().strip_suffix("end").unwrap_or(data);
    if value.len() < MIN_BYTES || data.bytes().any(|c| c > 0x60) {
        return None;
    }
    let mut lines: Vec<&str> = value.lines().map(|l| l.trim_end_matches('\r')).collect();
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    let begin = match lines.first() {
        Some(l) if l.starts_with("begin ") => Some(*l),
        _ => None,
    };
    if begin.is_some() {
        // `begin`, the data, a zero-length line and `end`.
        if lines.last() != Some(&"end") {
            return None;
        }
        lines = lines[1..lines.len() - 1].to_vec();
    }
    let mut bytes = Vec::new();
    for line in lines {
        bytes.extend(decode_line(line)?);
    }
    (bytes.len() >= MIN_BYTES).then_some(Uu { begin, bytes })
}

/// One line: its count, then exactly the characters that count needs.
fn decode_line(line: &str) -> Option<Vec<u8>> {
    let b = line.as_bytes();
    let (&count, data) = b.split_first()?;
    let n = usize::from(sextet(count)?);
    if n > LINE_BYTES || data.len() != n.div_ceil(3) * 4 {
        return None;
    }
    let mut out = Vec::with_capacity(n);
    for quad in data.chunks(4) {
        let s: Vec<u8> = quad.iter().map(|&c| sextet(c)).collect::<Option<_>>()?;
        out.push((s[0] << 2) | (s[1] >> 4));
        out.push((s[1] << 4) | (s[2] >> 2));
        out.push((s[2] << 6) | s[3]);
    }
    out.truncate(n);
    Some(out)
}

/// The six bits a uuencode character stands for (`' '` and `` ` `` are both zero).
fn sextet(c: u8) -> Option<u8> {
    (0x20..=0x60).contains(&c).then(|| (c - 0x20) & 0x3f)
}

fn character(six: u8) -> char {
    // Zero as a backtick: a line never ends in a space a transport could trim.
    if six == 0 {
        '`'
    } else {
        char::from(0x20 + six)
    }
}

/// The words of a text that are each one whole uuencoded line (`24F]S86QI;F0@5&AA8VME<F%Y`),
/// with their byte ranges and the bytes they hold. A word is taken only when its first
/// character counts exactly the characters after it; a sentence's last word may carry one
/// mark of punctuation after the line.
pub fn words(text: &str) -> Vec<(std::ops::Range<usize>, Vec<u8>)> {
    let mut out = Vec::new();
    let mut start = 0;
    for word in blank_parted(text) {
        let range = start..start + word.len();
        start = range.end + 1;
        if word.len() <= 2 * MIN_BYTES {
            continue;
        }
        let trimmed = word.trim_end_matches(['.', ',', ';', ':', ')', '!', '?']);
        for line in [word, trimmed] {
            if let Some(bytes) = word_line(line) {
                out.push((range.start..range.start + line.len(), bytes));
                break;
            }
        }
    }
    out
}

/// The pieces of `text` between ASCII blanks, as `text.split(|c: char|
/// c.is_ascii_whitespace())` gives them (empty ones included), found byte by byte: a blank
/// is one byte and never part of another character, so no character is decoded (the
/// `char` split cost ~8 instructions a byte in each reading that walked a text's words so).
pub(super) fn blank_parted(text: &str) -> impl Iterator<Item = &str> {
    let mut start = 0;
    text.as_bytes()
        .split(u8::is_ascii_whitespace)
        .map(move |piece| {
            let word = &text[start..start + piece.len()];
            start += piece.len() + 1;
            word
        })
}

/// One word read as a line of uuencode: its count first (checked before anything is
/// decoded, so ordinary words cost one comparison), then the data.
fn word_line(word: &str) -> Option<Vec<u8>> {
    let b = word.as_bytes();
    let n = usize::from(sextet(*b.first()?)?);
    if n < MIN_BYTES || b.len() != 1 + n.div_ceil(3) * 4 {
        return None;
    }
    decode_line(word)
}

/// `bytes` uuencoded, under `begin` when the value had one, in lines of 45 bytes.
pub fn encode(begin: Option<&str>, bytes: &[u8]) -> String {
    let mut out = String::new();
    if let Some(b) = begin {
        out.push_str(b);
        out.push('\n');
    }
    for chunk in bytes.chunks(LINE_BYTES) {
        // A chunk holds at most 45 bytes: its count is one sextet.
        out.push(character(u8::try_from(chunk.len()).unwrap_or(0)));
        for three in chunk.chunks(3) {
            let [a, b, c] = [0, 1, 2].map(|k| three.get(k).copied().unwrap_or(0));
            for six in [
                a >> 2,
                ((a & 3) << 4) | (b >> 4),
                ((b & 15) << 2) | (c >> 6),
                c & 63,
            ] {
                out.push(character(six));
            }
        }
        out.push('\n');
    }
    if begin.is_some() {
        out.push_str("`\nend\n");
    } else {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_decodes_and_encodes_back() {
        // Python's binascii.b2a_uu(b"Rosalind Thackeray", backtick=True).
        let line = "24F]S86QI;F0@5&AA8VME<F%Y";
        let uu = decode(line).expect("uuencode");
        assert_eq!(uu.bytes, b"Rosalind Thackeray");
        assert_eq!(encode(None, &uu.bytes), line);
    }

    #[test]
    fn a_begin_block_keeps_its_header() {
        let block = "begin 644 n.txt\n24F]S86QI;F0@5&AA8VME<F%Y\n`\nend\n";
        let uu = decode(block).expect("uuencode");
        assert_eq!(uu.begin, Some("begin 644 n.txt"));
        assert_eq!(encode(uu.begin, &uu.bytes), block);
    }

    #[test]
    fn lines_standing_as_words_in_text_are_found() {
        let text = "Alias 24F]S86QI;F0@5&AA8VME<F%Y. MRN 2025-03-14 seen 97530.";
        let found = words(text);
        assert_eq!(found.len(), 1);
        let (range, bytes) = &found[0];
        assert_eq!(&text[range.clone()], "24F]S86QI;F0@5&AA8VME<F%Y");
        assert_eq!(bytes, b"Rosalind Thackeray");
    }

    #[test]
    fn blank_parted_pieces_are_the_char_split_s() {
        for text in [
            "",
            " ",
            "a",
            "a b",
            "  a\t\tb \r\n",
            "\u{c5}sa \u{a0}M\u{e9}lanie\x0cx\u{2003}y ",
            "trailing\n",
        ] {
            let want: Vec<&str> = text.split(|c: char| c.is_ascii_whitespace()).collect();
            assert_eq!(
                super::blank_parted(text).collect::<Vec<_>>(),
                want,
                "{text:?}"
            );
        }
    }

    #[test]
    fn text_and_codes_are_not_uuencode() {
        for v in [
            "Rosalind Thackeray",
            "#ABC",
            "MR4410827",
            "97530 GP",
            "ABCDEFGH",
        ] {
            assert!(decode(v).is_none(), "{v}");
        }
    }
}
