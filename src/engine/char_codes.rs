//! Text written as the decimal codes of its characters (`82 111 115 97 108 105 110 100`,
//! `82,111,115,97,…`): a way to carry a name or a number past anything that reads only
//! letters.
//!
//! Owns recognising such runs inside text and writing a rewritten copy back the same way.
//! A run is read only when it holds [`MIN_CODES`] printable ASCII codes set apart by one
//! separator throughout and decodes to text shaped like words or a written number
//! ([`reads_as_text`]): lists of measurements decode to letters of mixed case and stray
//! signs (`98 120 80 72` → `bxPH`), which are left as they are.

use std::ops::Range;

/// Fewest codes in a run (`Rosalind` is 8, `Lee Ann` 7, a short surname 4 or 5).
const MIN_CODES: usize = 5;
/// The separators a run may use, the longest first (`, ` before `,`).
const SEPARATORS: [&str; 5] = [", ", ",", " ", ";", "/"];
/// Fewest letters a run that decodes to capitals alone, as one word, must hold.
const MIN_CAPITALS: usize = 8;
/// Fewest digits a run that decodes to a number must hold (a phone's seven).
const MIN_NUMBER_DIGITS: usize = 7;

/// A run of decimal codes: where it is in the text, what it says, its separator and the
/// notation of its first code.
pub struct CodeRun {
    pub range: Range<usize>,
    pub text: String,
    pub separator: &'static str,
    pub notation: Notation,
}

/// How a code is written, so that a rewritten copy is written the same way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Notation {
    /// `82`
    Decimal,
    /// `0x52`, `0X4F`: the prefix's and the digits' case.
    Hex { upper_x: bool, upper: bool },
    /// `U+0052`
    UPlus,
}

impl Notation {
    /// The notation of the code written at the start of `b`.
    fn of(b: &[u8]) -> Notation {
        match b {
            [b'U', b'+', ..] => Notation::UPlus,
            [b'0', x @ (b'x' | b'X'), rest @ ..] => Notation::Hex {
                upper_x: *x == b'X',
                upper: rest.iter().take(2).any(u8::is_ascii_uppercase),
            },
            _ => Notation::Decimal,
        }
    }

    fn write(self, byte: u8) -> String {
        match self {
            Notation::Decimal => byte.to_string(),
            Notation::Hex {
                upper_x,
                upper: true,
            } => format!("0{}{byte:02X}", if upper_x { 'X' } else { 'x' }),
            Notation::Hex { upper_x, .. } => {
                format!("0{}{byte:02x}", if upper_x { 'X' } else { 'x' })
            }
            Notation::UPlus => format!("U+{byte:04X}"),
        }
    }
}

/// The runs of decimal character codes in `text`, in order.
pub fn runs(text: &str) -> Vec<CodeRun> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let opens = (b[i].is_ascii_digit() || b[i..].starts_with(b"U+"))
            && (i == 0 || !b[i - 1].is_ascii_alphanumeric());
        if let Some(run) = opens.then(|| run_at(text, i)).flatten() {
            i = run.range.end;
            out.push(run);
            continue;
        }
        // Past the whole number: a code never opens inside one.
        i += b[i..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count()
            .max(1);
    }
    out
}

/// `bytes` written as codes in `notation` set apart by `separator`.
pub fn encode(bytes: &[u8], separator: &str, notation: Notation) -> String {
    let codes: Vec<String> = bytes.iter().map(|&b| notation.write(b)).collect();
    codes.join(separator)
}

/// The run of codes opening at `start`, with the first separator that makes one.
fn run_at(text: &str, start: usize) -> Option<CodeRun> {
    let b = text.as_bytes();
    let (first, mut end) = code_at(b, start)?;
    let separator = *SEPARATORS.iter().find(|sep| {
        b[end..].starts_with(sep.as_bytes()) && code_at(b, end + sep.len()).is_some()
    })?;
    let mut codes = vec![first];
    while b[end..].starts_with(separator.as_bytes()) {
        let Some((code, next)) = code_at(b, end + separator.len()) else {
            break;
        };
        codes.push(code);
        end = next;
    }
    if codes.len() < MIN_CODES || b.get(end).is_some_and(u8::is_ascii_alphanumeric) {
        return None;
    }
    let decoded = String::from_utf8(codes).ok()?;
    reads_as_text(&decoded).then_some(CodeRun {
        range: start..end,
        text: decoded,
        separator,
        notation: Notation::of(&b[start..]),
    })
}

/// A code for a printable ASCII character at `at` (two or three decimal digits, `0x52` or
/// `U+0052`), and where it ends.
fn code_at(b: &[u8], at: usize) -> Option<(u8, usize)> {
    let rest = b.get(at..)?;
    for (prefix, width) in [(&b"0x"[..], 2), (b"0X", 2), (b"U+", 4)] {
        if let Some(hex) = rest.strip_prefix(prefix) {
            let len = hex.iter().take_while(|c| c.is_ascii_hexdigit()).count();
            if len != width {
                return None;
            }
            let value = u8::from_str_radix(std::str::from_utf8(&hex[..len]).ok()?, 16).ok()?;
            return (0x20..0x7f)
                .contains(&value)
                .then_some((value, at + prefix.len() + len));
        }
    }
    let len = b
        .get(at..)?
        .iter()
        .take_while(|c| c.is_ascii_digit())
        .count();
    if !(2..=3).contains(&len) {
        return None;
    }
    let value: u8 = std::str::from_utf8(&b[at..at + len]).ok()?.parse().ok()?;
    (0x20..0x7f).contains(&value).then_some((value, at + len))
}

/// Decoded codes that read as words (each run of letters in one case, or capitalised,
/// and mostly letters) or as a number written with separators (`413-555-0172`).
fn reads_as_text(s: &str) -> bool {
    let signs_ok = s
        .bytes()
        .all(|c| c.is_ascii_alphanumeric() || b" .,-'@_()/#:+".contains(&c));
    if !signs_ok {
        return false;
    }
    let letters = s.bytes().filter(u8::is_ascii_alphabetic).count();
    let digits = s.bytes().filter(u8::is_ascii_digit).count();
    // A number with separators or letters (`413-555-0172`, `MR4410827`); digits alone
    // are a list of measurements between 48 and 57.
    if digits >= MIN_NUMBER_DIGITS {
        return digits < s.len();
    }
    let words_ok = s
        .split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| !w.is_empty())
        .all(one_case_or_capitalised);
    let longest = s
        .split(|c: char| !c.is_ascii_alphabetic())
        .map(str::len)
        .max()
        .unwrap_or(0);
    // Numbers from 65 to 90 (degrees of motion, heart rates) decode to capitals: a run of
    // capitals alone is read only when long or set apart into words.
    let capitals_only = !s.bytes().any(|c| c.is_ascii_lowercase());
    if capitals_only && letters < MIN_CAPITALS && !s.contains(' ') {
        return false;
    }
    words_ok && longest >= 3 && letters * 10 >= s.len() * 6
}

fn one_case_or_capitalised(w: &str) -> bool {
    let tail = &w[1..];
    w.bytes().all(|c| c.is_ascii_lowercase())
        || w.bytes().all(|c| c.is_ascii_uppercase())
        || tail.bytes().all(|c| c.is_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(s: &str) -> Vec<(String, String)> {
        runs(s)
            .into_iter()
            .map(|r| (s[r.range].to_string(), r.text))
            .collect()
    }

    #[test]
    fn names_and_numbers_written_as_codes_are_read() {
        let s = "pt 82 111 115 97 108 105 110 100 32 84 104 97 99 107 101 114 97 121 ok";
        assert_eq!(read(s)[0].1, "Rosalind Thackeray");
        let s = "pt 82 111 115 97 108 105 110 100 seen";
        assert_eq!(
            read(s),
            [("82 111 115 97 108 105 110 100".into(), "Rosalind".into())]
        );
        assert_eq!(read("x 84,104,97,99,107")[0].1, "Thack");
        assert_eq!(read("77/82/52/52/49/48/56/50/55")[0].1, "MR4410827");
        assert_eq!(read("x 0x52 0x6f 0x73 0x61 0x6c ok")[0].1, "Rosal");
        assert_eq!(read("U+0052 U+006F U+0073 U+0061 U+006C")[0].1, "Rosal");
        assert_eq!(
            read("52, 49, 51, 45, 53, 53, 53, 45, 48, 49, 55, 50.")[0].1,
            "413-555-0172"
        );
    }

    #[test]
    fn measurements_and_codes_are_not_read() {
        for plain in [
            "HR 98 120 80 72 99 101 today",
            "grip 20 22 24 26 28 30 kg",
            "HR 52, 55, 54, 53, 56, 55, 51",
            "97110 97530 97535 97112 97140",
            "scores 65 66 67 68 69",
            "ROM 70 75 80 85 90 85",
            "BP 120 80 HR 72",
        ] {
            assert!(read(plain).is_empty(), "{plain}: {:?}", read(plain));
        }
    }

    #[test]
    fn a_rewritten_copy_is_written_with_the_same_separator() {
        assert_eq!(encode(b"Ann", ", ", Notation::Decimal), "65, 110, 110");
        let run = &runs("x 0x52 0x6f 0x73 0x61 0x6c ok")[0];
        assert_eq!(
            encode(b"Ann", run.separator, run.notation),
            "0x41 0x6e 0x6e"
        );
        let run = &runs("U+0052 U+006F U+0073 U+0061 U+006C")[0];
        assert_eq!(
            encode(b"Ann", run.separator, run.notation),
            "U+0041 U+006E U+006E"
        );
    }
}
