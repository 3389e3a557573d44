//! Body character sets: every body is read as UTF-8, whatever it was written in.
//!
//! Owns turning a body into UTF-8 before it is de-identified: a UTF-8 byte-order mark is
//! dropped; UTF-16 (little or big endian, by BOM, by declaration, or by the unmistakable
//! pattern of ASCII text with every other byte zero) is converted; so is UTF-32 (by BOM or
//! declaration); ISO-8859-1, windows-1252 and US-ASCII are converted as declared, when the
//! bytes can be text in them. Any other declared charset, non-UTF-8 bytes with no
//! declaration, and bytes an 8-bit label cannot honestly describe (NUL bytes, or mostly
//! bytes outside ASCII: UTF-32 or EBCDIC under a Latin-1 label, red team 58 R2) are refused,
//! and so is a NUL character decoded from UTF-16: a body phigate cannot read is never
//! forwarded. What goes on is UTF-8, and the forwarded `Content-Type` says so.

use std::borrow::Cow;

/// Why a body's characters could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CharsetError {
    /// The name is the sender's text, so the message does not quote it.
    #[error(
        "the declared charset is not supported (UTF-8, UTF-16, ISO-8859-1 and windows-1252 are)"
    )]
    Unsupported,
    #[error("the body is not valid {0}")]
    Invalid(&'static str),
}

/// The body as UTF-8 bytes, and whether it was converted. Without a declared charset, an
/// XML body's own declaration (`<?xml version="1.0" encoding="ISO-8859-1"?>`) declares it.
/// A converted XML body's declaration is rewritten to name UTF-8, which it now is: a parser
/// downstream that believed `encoding="UTF-16"` would misread every byte.
pub fn to_utf8<'a>(body: &'a [u8], declared: Option<&str>) -> Result<Cow<'a, [u8]>, CharsetError> {
    // A declaration readable as ASCII cannot be in UTF-16 or UTF-32, whatever it says.
    let from_prolog = declared
        .is_none()
        .then(|| xml_encoding(body))
        .flatten()
        .filter(|e| {
            !e.to_ascii_lowercase().starts_with("utf-16")
                && !e.to_ascii_lowercase().starts_with("utf-32")
        });
    let from_msh = (declared.is_none() && from_prolog.is_none())
        .then(|| hl7_charset(body))
        .flatten();
    let declared = declared
        .or(from_prolog.as_deref())
        .or(from_msh)
        .map(|c| c.trim().trim_matches('"').to_ascii_lowercase());
    let out = convert(body, declared.as_deref())?;
    // A converted HL7 message now says what it is, as a converted XML body does.
    let out = match out {
        Cow::Owned(o) if from_msh.is_some() => Cow::Owned(declare_hl7_utf8(o)),
        o => o,
    };
    Ok(declare_xml_utf8(out))
}

/// Where an HL7 v2 message that opens the body writes MSH-18 (its character set: HL7
/// declares it in the message, not in a label), up to the first repetition or component.
fn hl7_charset_at(body: &[u8]) -> Option<std::ops::Range<usize>> {
    let open = if body.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let msh = body.get(open..)?;
    let sep = *msh.get(3)?;
    if !msh.starts_with(b"MSH") || sep.is_ascii_alphanumeric() || sep.is_ascii_whitespace() {
        return None;
    }
    let (component, repetition) = (*msh.get(4)?, *msh.get(5)?);
    let segment_end = msh
        .iter()
        .position(|&b| matches!(b, b'\r' | b'\n'))
        .unwrap_or(msh.len());
    // MSH-1 is the separator itself: after it, field n is MSH-(n + 1).
    let mut start = 4;
    for _ in 2..18 {
        start += msh[start..segment_end].iter().position(|&b| b == sep)? + 1;
    }
    let end = start
        + msh[start..segment_end]
            .iter()
            .position(|&b| b == sep || b == component || b == repetition)
            .unwrap_or(segment_end - start);
    Some(open + start..open + end)
}

/// The charset an HL7 message's MSH-18 names, as a label [`convert`] reads: ISO-8859-1
/// (`8859/1`), ASCII, UTF-8. Any other (`8859/2`, `UNICODE UTF-16`…) is not read as
/// declared: the body must then be UTF-8, or it is refused.
fn hl7_charset(body: &[u8]) -> Option<&'static str> {
    let r = hl7_charset_at(body)?;
    let v = body.get(r)?;
    [
        (&b"8859/1"[..], "iso-8859-1"),
        (b"ASCII", "us-ascii"),
        (b"UNICODE UTF-8", "utf-8"),
    ]
    .into_iter()
    .find(|(name, _)| v.eq_ignore_ascii_case(name))
    .map(|(_, label)| label)
}

/// A message converted to UTF-8 with its MSH-18 naming UTF-8 (`UNICODE UTF-8`).
fn declare_hl7_utf8(mut body: Vec<u8>) -> Vec<u8> {
    if let Some(r) = hl7_charset_at(&body) {
        body.splice(r, b"UNICODE UTF-8".iter().copied());
    }
    body
}

fn convert<'a>(body: &'a [u8], declared: Option<&str>) -> Result<Cow<'a, [u8]>, CharsetError> {
    match declared {
        None | Some("utf-8" | "utf8") => undeclared_or_utf8(body, declared.is_some()),
        Some("utf-16") => utf16(body, utf16_without_bom(body)),
        Some("utf-16le") => utf16(body, Some(Endian::Little)),
        Some("utf-16be") => utf16(body, Some(Endian::Big)),
        Some("utf-32") => utf32(body, None),
        Some("utf-32le") => utf32(body, Some(Endian::Little)),
        Some("utf-32be") => utf32(body, Some(Endian::Big)),
        // A label that lies: UTF-8 multi-byte text labelled Latin-1 is read as the UTF-8 it
        // is, not as mojibake (`PeÃ±a`) whose pieces no detector reads as a name.
        Some(
            "iso-8859-1" | "latin1" | "latin-1" | "iso_8859-1" | "l1" | "cp819" | "windows-1252"
            | "cp1252" | "x-cp1252",
        ) if is_multibyte_utf8(body) => Ok(Cow::Borrowed(body)),
        Some("iso-8859-1" | "latin1" | "latin-1" | "iso_8859-1" | "l1" | "cp819") => {
            check_eight_bit(body, "ISO-8859-1")?;
            Ok(Cow::Owned(latin1(body, false).into_bytes()))
        }
        Some("windows-1252" | "cp1252" | "x-cp1252") => {
            check_eight_bit(body, "windows-1252")?;
            Ok(Cow::Owned(latin1(body, true).into_bytes()))
        }
        Some("us-ascii" | "ascii") if body.is_ascii() => Ok(Cow::Borrowed(body)),
        Some("us-ascii" | "ascii") => Err(CharsetError::Invalid("US-ASCII")),
        Some(_) => Err(CharsetError::Unsupported),
    }
}

/// Where an XML declaration at the start of `body` (ASCII, after a UTF-8 BOM or blanks
/// only) writes its `encoding` value; `None` without one.
fn xml_encoding_at(body: &[u8]) -> Option<std::ops::Range<usize>> {
    let blanks = |from: usize| {
        from + body[from..]
            .iter()
            .take_while(|b| b.is_ascii_whitespace())
            .count()
    };
    let bom = if body.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let open = blanks(bom);
    if !body[open..].starts_with(b"<?xml") || !body.get(open + 5)?.is_ascii_whitespace() {
        return None;
    }
    let end = open + body[open..].windows(2).position(|w| w == b"?>")?;
    let decl = &body[..end];
    let mut i = open + decl[open..].windows(8).position(|w| w == b"encoding")? + 8;
    i = blanks(i);
    (decl.get(i) == Some(&b'=')).then_some(())?;
    i = blanks(i + 1);
    let quote = *decl.get(i).filter(|q| matches!(q, b'"' | b'\''))?;
    let from = i + 1;
    let len = decl.get(from..)?.iter().position(|&b| b == quote)?;
    Some(from..from + len)
}

/// The encoding an XML body's declaration names, if it names one.
fn xml_encoding(body: &[u8]) -> Option<String> {
    let r = xml_encoding_at(body)?;
    let v = std::str::from_utf8(&body[r]).ok()?;
    v.bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
        .then(|| v.to_string())
}

/// `body`, now UTF-8, with its XML declaration's encoding (if it has one) naming UTF-8.
fn declare_xml_utf8(body: Cow<'_, [u8]>) -> Cow<'_, [u8]> {
    match xml_encoding_at(&body) {
        Some(r) if !body[r.clone()].eq_ignore_ascii_case(b"utf-8") => {
            let mut owned = body.into_owned();
            owned.splice(r, b"UTF-8".iter().copied());
            Cow::Owned(owned)
        }
        _ => body,
    }
}

/// How a text was written, so that a rewritten copy is written the same way.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Encoding {
    Utf8,
    Utf16 {
        endian: Endian,
        bom: bool,
    },
    Latin1,
    /// Never a body's charset ([`decode_text`] does not return it): text found in UTF-32
    /// inside an encoded value (`super::engine::encoded`), written back the same way.
    Utf32 {
        endian: Endian,
        bom: bool,
    },
}

/// Text from bytes in `declared` charset (or by BOM and shape), and how it was written.
pub fn decode_text(
    bytes: &[u8],
    declared: Option<&str>,
) -> Result<(String, Encoding), CharsetError> {
    let lower = declared.map(|c| c.trim().trim_matches('"').to_ascii_lowercase());
    let encoding = match (bytes.get(..2), lower.as_deref()) {
        (Some([0xFF, 0xFE]), _) => Encoding::Utf16 {
            endian: Endian::Little,
            bom: true,
        },
        (Some([0xFE, 0xFF]), _) => Encoding::Utf16 {
            endian: Endian::Big,
            bom: true,
        },
        (_, Some("iso-8859-1" | "latin1" | "latin-1" | "windows-1252" | "cp1252"))
            if !is_multibyte_utf8(bytes) =>
        {
            Encoding::Latin1
        }
        (_, Some("utf-16le")) => Encoding::Utf16 {
            endian: Endian::Little,
            bom: false,
        },
        (_, Some("utf-16be")) => Encoding::Utf16 {
            endian: Endian::Big,
            bom: false,
        },
        _ => match utf16_without_bom(bytes) {
            Some(endian) => Encoding::Utf16 { endian, bom: false },
            None if lower.as_deref() == Some("utf-16") => Encoding::Utf16 {
                endian: Endian::Big,
                bom: false,
            },
            None => Encoding::Utf8,
        },
    };
    let forced = match encoding {
        Encoding::Utf16 {
            endian: Endian::Little,
            ..
        } => Some("utf-16le"),
        Encoding::Utf16 {
            endian: Endian::Big,
            ..
        } => Some("utf-16be"),
        _ => declared,
    };
    let utf8 = to_utf8(bytes, forced)?;
    let text = String::from_utf8(utf8.into_owned()).map_err(|_| CharsetError::Invalid("UTF-8"))?;
    Ok((text.trim_start_matches('\u{feff}').to_string(), encoding))
}

/// `text` written as `encoding` describes.
pub fn encode(text: &str, encoding: Encoding) -> Vec<u8> {
    match encoding {
        Encoding::Utf8 => text.as_bytes().to_vec(),
        Encoding::Latin1 => text
            .chars()
            .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
            .collect(),
        Encoding::Utf16 { endian, bom } => {
            let mut out = Vec::with_capacity(text.len() * 2 + 2);
            let mut put = |u: u16| match endian {
                Endian::Little => out.extend_from_slice(&u.to_le_bytes()),
                Endian::Big => out.extend_from_slice(&u.to_be_bytes()),
            };
            if bom {
                put(0xFEFF);
            }
            text.encode_utf16().for_each(&mut put);
            out
        }
        Encoding::Utf32 { endian, bom } => {
            let bom = bom.then_some('\u{feff}');
            bom.into_iter()
                .chain(text.chars())
                .flat_map(|c| match endian {
                    Endian::Little => u32::from(c).to_le_bytes(),
                    Endian::Big => u32::from(c).to_be_bytes(),
                })
                .collect()
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Endian {
    Little,
    Big,
}

fn undeclared_or_utf8(body: &[u8], declared: bool) -> Result<Cow<'_, [u8]>, CharsetError> {
    if let Some(rest) = body.strip_prefix(b"\xEF\xBB\xBF") {
        return check_utf8(rest);
    }
    if body.starts_with(b"\xFF\xFE\0\0") || body.starts_with(b"\0\0\xFE\xFF") {
        return utf32(body, None);
    }
    if body.starts_with(b"\xFF\xFE") || body.starts_with(b"\xFE\xFF") {
        return utf16(body, None);
    }
    if !declared {
        if let Some(endian) = utf16_without_bom(body) {
            return utf16(body, Some(endian));
        }
    }
    if body.contains(&0) {
        return Err(CharsetError::Invalid("UTF-8 (it holds NUL bytes)"));
    }
    check_utf8(body)
}

/// Whether `body` is valid UTF-8 holding at least one multi-byte sequence: text that
/// reads as UTF-8 and that a Latin-1 reading would turn into mojibake.
fn is_multibyte_utf8(body: &[u8]) -> bool {
    !body.is_ascii() && std::str::from_utf8(body).is_ok()
}

fn check_utf8(body: &[u8]) -> Result<Cow<'_, [u8]>, CharsetError> {
    std::str::from_utf8(body)
        .map(|_| Cow::Borrowed(body))
        .map_err(|_| CharsetError::Invalid("UTF-8"))
}

/// ASCII text in UTF-16 without a BOM: every other byte is zero, on one side only.
fn utf16_without_bom(body: &[u8]) -> Option<Endian> {
    // Such a text is at least nine tenths zero bytes on one side; a body with none (every
    // UTF-8 body phigate is sent) is told by one vectorised byte search instead of two
    // counting passes over every byte.
    if body.len() < 4 || !body.len().is_multiple_of(2) || !body.contains(&0) {
        return None;
    }
    let pairs = body.len() / 2;
    let even_zero = body.iter().step_by(2).filter(|b| **b == 0).count();
    let odd_zero = body.iter().skip(1).step_by(2).filter(|b| **b == 0).count();
    if odd_zero * 10 >= pairs * 9 && even_zero == 0 {
        Some(Endian::Little)
    } else if even_zero * 10 >= pairs * 9 && odd_zero == 0 {
        Some(Endian::Big)
    } else {
        None
    }
}

fn utf16(body: &[u8], endian: Option<Endian>) -> Result<Cow<'static, [u8]>, CharsetError> {
    let (endian, data) = match (body.get(..2), endian) {
        (Some([0xFF, 0xFE]), _) => (Endian::Little, &body[2..]),
        (Some([0xFE, 0xFF]), _) => (Endian::Big, &body[2..]),
        (_, Some(e)) => (e, body),
        // RFC 2781: UTF-16 without a BOM is big endian.
        (_, None) => (Endian::Big, body),
    };
    if data.len() % 2 != 0 {
        return Err(CharsetError::Invalid("UTF-16"));
    }
    let units = data.chunks_exact(2).map(|p| match endian {
        Endian::Little => u16::from_le_bytes([p[0], p[1]]),
        Endian::Big => u16::from_be_bytes([p[0], p[1]]),
    });
    let text: String = char::decode_utf16(units)
        .collect::<Result<_, _>>()
        .map_err(|_| CharsetError::Invalid("UTF-16"))?;
    // UTF-32 read as UTF-16 gives a NUL after every character: no text holds one.
    if text.contains('\0') {
        return Err(CharsetError::Invalid("UTF-16 (it holds NUL characters)"));
    }
    Ok(Cow::Owned(text.into_bytes()))
}

/// UTF-32 by its BOM, else as declared (big endian without either, as for UTF-16).
fn utf32(body: &[u8], endian: Option<Endian>) -> Result<Cow<'static, [u8]>, CharsetError> {
    let (endian, data) = match (body.get(..4), endian) {
        (Some([0xFF, 0xFE, 0, 0]), _) => (Endian::Little, &body[4..]),
        (Some([0, 0, 0xFE, 0xFF]), _) => (Endian::Big, &body[4..]),
        (_, Some(e)) => (e, body),
        (_, None) => (Endian::Big, body),
    };
    if data.len() % 4 != 0 {
        return Err(CharsetError::Invalid("UTF-32"));
    }
    let text: String = data
        .chunks_exact(4)
        .map(|q| {
            let n = match endian {
                Endian::Little => u32::from_le_bytes([q[0], q[1], q[2], q[3]]),
                Endian::Big => u32::from_be_bytes([q[0], q[1], q[2], q[3]]),
            };
            char::from_u32(n).filter(|c| *c != '\0')
        })
        .collect::<Option<_>>()
        .ok_or(CharsetError::Invalid("UTF-32"))?;
    Ok(Cow::Owned(text.into_bytes()))
}

/// Whether bytes labelled with an 8-bit Latin charset can be text in it: no NUL byte, and
/// not mostly bytes outside ASCII (Latin text is mostly ASCII letters; UTF-32 is mostly NUL
/// and EBCDIC mostly high bytes, and either would cross as unread mojibake).
fn check_eight_bit(body: &[u8], charset: &'static str) -> Result<(), CharsetError> {
    /// Below this many visible bytes a share says nothing (`Zoë` is one third accented).
    const FEWEST_FOR_SHARE: usize = 16;
    if body.contains(&0) {
        return Err(CharsetError::Invalid(charset));
    }
    let visible = body.iter().filter(|b| !b.is_ascii_whitespace()).count();
    let high = body.iter().filter(|b| !b.is_ascii()).count();
    if visible >= FEWEST_FOR_SHARE && high * 2 > visible {
        return Err(CharsetError::Invalid(charset));
    }
    Ok(())
}

/// ISO-8859-1 maps each byte to the code point of the same number; windows-1252 differs
/// only in 0x80–0x9F, where it has printable characters instead of C1 controls.
fn latin1(body: &[u8], windows: bool) -> String {
    body.iter()
        .map(|&b| match b {
            0x80..=0x9F if windows => WINDOWS_1252_HIGH[usize::from(b - 0x80)],
            b => char::from(b),
        })
        .collect()
}

/// windows-1252 0x80–0x9F (WHATWG encoding index); unassigned bytes keep their C1 value.
const WINDOWS_1252_HIGH: [char; 32] = [
    '\u{20AC}', '\u{81}', '\u{201A}', '\u{0192}', '\u{201E}', '\u{2026}', '\u{2020}', '\u{2021}',
    '\u{02C6}', '\u{2030}', '\u{0160}', '\u{2039}', '\u{0152}', '\u{8D}', '\u{017D}', '\u{8F}',
    '\u{90}', '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}', '\u{2022}', '\u{2013}', '\u{2014}',
    '\u{02DC}', '\u{2122}', '\u{0161}', '\u{203A}', '\u{0153}', '\u{9D}', '\u{017E}', '\u{0178}',
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hl7_declaring_latin1_in_msh18_is_read_and_relabelled() {
        let msh = b"MSH|^~\\&|A|B|C|D|20261204||ADT^A08|1|P|2.5||||||8859/1\rPID|1||4410827||BR\xc4UTIGAM^ZO\xcb\r";
        let out = to_utf8(msh, None).expect("declared Latin-1");
        let text = std::str::from_utf8(&out).expect("UTF-8");
        assert!(text.contains("BR\u{c4}UTIGAM^ZO\u{cb}"), "{text}");
        assert!(text.contains("|2.5||||||UNICODE UTF-8\rPID"), "{text}");
        // Undeclared, or declared as a set not read: refused, as any non-UTF-8 body.
        let bare = b"MSH|^~\\&|A|B|C|D|20261204||ADT^A08|1|P|2.5\rPID|1||BR\xc4U\r";
        assert!(to_utf8(bare, None).is_err());
        let other = b"MSH|^~\\&|A|B|C|D|1||ADT^A08|1|P|2.5||||||8859/2\rPID|1||BR\xc4U\r";
        assert!(to_utf8(other, None).is_err());
        // MSH-19 is no charset.
        let late = b"MSH|^~\\&|A|B|C|D|1||ADT^A08|1|P|2.5|||||||8859/1\rPID|1||BR\xc4U\r";
        assert!(to_utf8(late, None).is_err());
    }

    fn utf16le(s: &str, bom: bool) -> Vec<u8> {
        let mut out = if bom { vec![0xFF, 0xFE] } else { Vec::new() };
        for u in s.encode_utf16() {
            out.extend_from_slice(&u.to_le_bytes());
        }
        out
    }

    #[test]
    fn boms_declarations_and_sniffed_utf16_become_utf8() {
        let text = "Ansel Whitcombe 512-47-3306";
        assert_eq!(
            to_utf8(&utf16le(text, true), None).expect("bom"),
            text.as_bytes()
        );
        assert_eq!(
            to_utf8(&utf16le(text, false), None).expect("sniffed"),
            text.as_bytes()
        );
        assert_eq!(
            to_utf8(&utf16le(text, false), Some("utf-16le")).expect("declared"),
            text.as_bytes()
        );
        assert_eq!(
            to_utf8(b"\xEF\xBB\xBF{}", None).expect("utf-8 bom"),
            &b"{}"[..]
        );
        assert_eq!(
            to_utf8(b"Jos\xE9", Some("ISO-8859-1")).expect("latin1"),
            "José".as_bytes()
        );
        assert_eq!(
            to_utf8(b"\x93hi\x94", Some("windows-1252")).expect("1252"),
            "\u{201C}hi\u{201D}".as_bytes()
        );
    }

    #[test]
    fn attachments_are_written_back_as_they_came() {
        let text = "Ansel Whitcombe";
        for bom in [true, false] {
            let bytes = utf16le(text, bom);
            let (got, enc) = decode_text(&bytes, Some("utf-16")).expect("decodes");
            assert_eq!(got, text);
            assert_eq!(encode(&got, enc), bytes);
        }
    }

    #[test]
    fn xml_declarations_declare_and_are_rewritten_to_utf8() {
        let utf8 = |b: &[u8], d| String::from_utf8(to_utf8(b, d).expect("read").into_owned());
        // UTF-16 in, UTF-8 out: the declaration must not keep saying UTF-16.
        let doc = r#"<?xml version="1.0" encoding="UTF-16"?><note>Ansel Whitcombe</note>"#;
        assert_eq!(
            utf8(&utf16le(doc, true), None).expect("utf-8"),
            doc.replace("UTF-16", "UTF-8")
        );
        // The declaration declares a body sent with no charset.
        let latin = b"<?xml version='1.0' encoding = 'ISO-8859-1' ?><n>Jos\xE9</n>";
        assert_eq!(
            utf8(latin, None).expect("utf-8"),
            "<?xml version='1.0' encoding = 'UTF-8' ?><n>José</n>"
        );
        // A declaration readable as ASCII is no UTF-16, whatever it says: read as UTF-8 and
        // made to say so.
        assert_eq!(
            utf8(doc.as_bytes(), None).expect("utf-8"),
            doc.replace("UTF-16", "UTF-8")
        );
        // Bodies without a declaration, or declaring UTF-8, are not copied.
        assert!(matches!(to_utf8(b"<n>x</n>", None), Ok(Cow::Borrowed(_))));
        let same = br#"<?xml version="1.0" encoding="utf-8"?><n/>"#;
        assert!(matches!(to_utf8(same, None), Ok(Cow::Borrowed(_))));
        // A declared charset phigate cannot read is refused, as in a header.
        assert!(to_utf8(br#"<?xml version="1.0" encoding="Shift_JIS"?><n/>"#, None).is_err());
    }

    #[test]
    fn unreadable_bodies_are_refused() {
        assert!(matches!(
            to_utf8(b"x", Some("utf-7")),
            Err(CharsetError::Unsupported)
        ));
        // A label that lies: UTF-8 labelled Latin-1 reads as UTF-8, real Latin-1 as Latin-1.
        let lie = "Sof\u{ed}a Pe\u{f1}a".as_bytes();
        assert_eq!(to_utf8(lie, Some("iso-8859-1")).expect("utf-8"), lie);
        assert_eq!(to_utf8(lie, Some("windows-1252")).expect("utf-8"), lie);
        assert_eq!(
            to_utf8(b"Pe\xF1a", Some("iso-8859-1")).expect("latin-1"),
            "Pe\u{f1}a".as_bytes()
        );
        let (text, enc) = decode_text(lie, Some("iso-8859-1")).expect("utf-8");
        assert_eq!(
            (text.as_str(), enc),
            ("Sof\u{ed}a Pe\u{f1}a", Encoding::Utf8)
        );
        assert!(to_utf8(b"Jos\xE9", None).is_err());
        assert!(to_utf8(b"a\x00b\x00c", None).is_err());
    }

    fn utf32le(s: &str, bom: bool) -> Vec<u8> {
        let mut out = if bom {
            vec![0xFF, 0xFE, 0, 0]
        } else {
            Vec::new()
        };
        out.extend(s.chars().flat_map(|c| u32::from(c).to_le_bytes()));
        out
    }

    #[test]
    fn utf32_is_read_by_bom_or_label_and_never_as_utf16() {
        let text = "Pe\u{f1}a 413 555 0172";
        assert_eq!(
            to_utf8(&utf32le(text, true), None).expect("bom"),
            text.as_bytes()
        );
        assert_eq!(
            to_utf8(&utf32le(text, false), Some("utf-32le")).expect("label"),
            text.as_bytes()
        );
        // Labelled UTF-16, UTF-32 decodes to a NUL after each character: refused.
        assert!(to_utf8(&utf32le(text, false), Some("utf-16le")).is_err());
        assert!(decode_text(&utf32le(text, true), None).is_err());
    }

    #[test]
    fn bytes_no_latin_text_holds_are_refused_under_an_eight_bit_label() {
        // Red team 58, R2: UTF-32 and EBCDIC (cp037 `SSN 512 47 3306 PHONE 413 555 0172`)
        // labelled Latin-1 crossed as mojibake the outside could decode.
        let ebcdic: Vec<u8> = b"\xE2\xE2\xD5\x40\xF5\xF1\xF2\x40\xF4\xF7\x40\xF3\xF3\xF0\xF6\x40\xD7\xC8\xD6\xD5\xC5\x40\xF4\xF1\xF3\x40\xF5\xF5\xF5\x40\xF0\xF1\xF7\xF2".to_vec();
        for label in ["iso-8859-1", "windows-1252"] {
            assert!(to_utf8(&utf32le("Peña 413 555 0172", false), Some(label)).is_err());
            assert!(to_utf8(&ebcdic, Some(label)).is_err(), "{label}");
        }
        // Latin text, accents and all, is still read.
        let latin = b"Sof\xEDa Pe\xF1a, Jos\xE9 \xC1lvarez and Zo\xEB M\xFCller";
        assert!(to_utf8(latin, Some("iso-8859-1")).is_ok());
        assert!(to_utf8(b"Zo\xEB", Some("windows-1252")).is_ok());
    }
}
