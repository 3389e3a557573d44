//! Base85: four bytes written as five characters of an 85-letter alphabet, in the three
//! alphabets in use: Adobe's ASCII85 (`!` to `u`, `z` for four zero bytes, a document's
//! run between `<~` and `~>`; Python's `a85encode`), RFC 1924's (digits, letters, then
//! `!#$%&()*+-;<=>?@^_`{|}~`; Python's `b85encode`, git's binary patches) and ZeroMQ's
//! Z85 (digits, lower, upper, then `.-:+=^!/*?&<>()[]{}@%$#`).
//!
//! Owns decoding each (a last group of two to four characters stands for one to three
//! bytes, as every encoder writes it) and writing bytes back in the same one. Nearly every
//! printable word is made of some base85 alphabet's characters, so what decodes is taken
//! for an encoding only when it reads as text ([`super::encoded::readable_text`]).

/// One of the base85 alphabets, and how a value in it was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Alphabet {
    /// Adobe's, between `<~` and `~>` (`delimited`) or not.
    Ascii85 {
        delimited: bool,
    },
    Rfc1924,
    Z85,
}

const RFC1924: &[u8; 85] =
    b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+-;<=>?@^_`{|}~";
const Z85: &[u8; 85] =
    b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

/// Each byte's digit in an alphabet; [`NONE`] for a byte outside it.
const NONE: u8 = 0xFF;

const fn table(alphabet: &[u8; 85]) -> [u8; 256] {
    let mut t = [NONE; 256];
    // A `u8` counter: 85 digits fit, and a const fn has no checked conversion.
    let mut i: u8 = 0;
    while i < 85 {
        t[alphabet[i as usize] as usize] = i;
        i += 1;
    }
    t
}

const RFC1924_DIGITS: [u8; 256] = table(RFC1924);
const Z85_DIGITS: [u8; 256] = table(Z85);

impl Alphabet {
    fn digit(self, b: u8) -> Option<u8> {
        let d = match self {
            Alphabet::Ascii85 { .. } => (b'!'..=b'u').contains(&b).then(|| b - b'!'),
            Alphabet::Rfc1924 => Some(RFC1924_DIGITS[usize::from(b)]),
            Alphabet::Z85 => Some(Z85_DIGITS[usize::from(b)]),
        }?;
        (d != NONE).then_some(d)
    }

    fn char(self, d: u8) -> u8 {
        match self {
            Alphabet::Ascii85 { .. } => b'!' + d,
            Alphabet::Rfc1924 => RFC1924[usize::from(d)],
            Alphabet::Z85 => Z85[usize::from(d)],
        }
    }
}

/// `s` decoded in `alphabet` (line breaks and spaces between groups skipped in ASCII85, as
/// Adobe's wraps lines); `None` when a character is outside it or a group overflows.
pub fn decode(s: &str, alphabet: Alphabet) -> Option<Vec<u8>> {
    let ascii85 = matches!(alphabet, Alphabet::Ascii85 { .. });
    let mut out = Vec::with_capacity(s.len() * 4 / 5);
    let mut group = [0u8; 5];
    let mut n = 0;
    for b in s.bytes() {
        if ascii85 && b.is_ascii_whitespace() {
            continue;
        }
        if ascii85 && b == b'z' && n == 0 {
            out.extend_from_slice(&[0; 4]);
            continue;
        }
        group[n] = alphabet.digit(b)?;
        n += 1;
        if n == 5 {
            out.extend_from_slice(&word(&group)?.to_be_bytes());
            n = 0;
        }
    }
    match n {
        0 => {}
        1 => return None,
        _ => {
            // A short last group was written from its bytes padded with zeros; padding it
            // with the highest digit and dropping as many bytes gives them back.
            group[n..].fill(84);
            out.extend_from_slice(&word(&group)?.to_be_bytes()[..n - 1]);
        }
    }
    Some(out)
}

fn word(group: &[u8; 5]) -> Option<u32> {
    group.iter().try_fold(0u32, |acc, &d| {
        acc.checked_mul(85)?.checked_add(u32::from(d))
    })
}

/// `bytes` written in `alphabet` (a short last group as every encoder writes it; ASCII85's
/// four zero bytes as `z`, and its `<~ ~>` when the value had them).
pub fn encode(bytes: &[u8], alphabet: Alphabet) -> String {
    let mut out = String::with_capacity(bytes.len() * 5 / 4 + 5);
    let delimited = alphabet == Alphabet::Ascii85 { delimited: true };
    if delimited {
        out.push_str("<~");
    }
    for chunk in bytes.chunks(4) {
        let mut four = [0u8; 4];
        four[..chunk.len()].copy_from_slice(chunk);
        let mut v = u32::from_be_bytes(four);
        if chunk.len() == 4 && v == 0 && matches!(alphabet, Alphabet::Ascii85 { .. }) {
            out.push('z');
            continue;
        }
        let mut digits = [0u8; 5];
        for d in digits.iter_mut().rev() {
            // `v % 85` is below 85: it fits a byte.
            *d = (v % 85) as u8;
            v /= 85;
        }
        for &d in &digits[..=chunk.len()] {
            out.push(char::from(alphabet.char(d)));
        }
    }
    if delimited {
        out.push_str("~>");
    }
    out
}

/// The alphabets an undelimited value may be written in, most used first.
pub const UNDELIMITED: [Alphabet; 3] = [
    Alphabet::Ascii85 { delimited: false },
    Alphabet::Rfc1924,
    Alphabet::Z85,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_alphabet_round_trips_every_length() {
        let text = b"Rosalind Thackeray MRN 4410827\0\0\0\0!";
        for alphabet in [
            Alphabet::Ascii85 { delimited: true },
            Alphabet::Ascii85 { delimited: false },
            Alphabet::Rfc1924,
            Alphabet::Z85,
        ] {
            for len in 0..text.len() {
                let written = encode(&text[..len], alphabet);
                let inner = written
                    .strip_prefix("<~")
                    .and_then(|w| w.strip_suffix("~>"))
                    .unwrap_or(&written);
                assert_eq!(
                    decode(inner, alphabet).as_deref(),
                    Some(&text[..len]),
                    "{alphabet:?} {len}"
                );
            }
        }
    }

    #[test]
    fn known_writings_decode() {
        // Python: base64.a85encode(b"Ann Lee"), b85encode(b"Ann Lee"); Z85's own example.
        assert_eq!(
            decode("6#LQ_9P%c", Alphabet::Ascii85 { delimited: false }).as_deref(),
            Some(&b"Ann Lee"[..])
        );
        assert_eq!(
            decode("L2hm!Ol4&", Alphabet::Rfc1924).as_deref(),
            Some(&b"Ann Lee"[..])
        );
        assert_eq!(
            decode("HelloWorld", Alphabet::Z85).as_deref(),
            Some(&[0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B][..])
        );
        // A character outside the alphabet, a lone last character, an overflowing group.
        assert!(decode("abc\"d", Alphabet::Rfc1924).is_none());
        assert!(decode("abcdef", Alphabet::Z85).is_none());
        assert!(decode("uuuuu", Alphabet::Ascii85 { delimited: false }).is_none());
    }
}
