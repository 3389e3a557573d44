//! Text hidden in a binary-to-text encoding: base64 (standard and URL alphabets, padded or
//! not), base32 (RFC 4648's upper-case alphabet, padded or not), hexadecimal (either
//! case; bytes run together, after `0x`, or set apart by one space or colon each) and
//! base85 (ASCII85 with or without `<~ ~>`, RFC 1924, Z85: [`super::base85`]) and
//! characters written as their decimal codes ([`super::char_codes`]).
//!
//! Owns recognising each, as a whole value or as a run inside text, and writing text back
//! the way it was encoded. Something is taken for an encoding only when it decodes to text
//! a person wrote ([`readable_text`]): hashes, keys, codes and ordinary words decode to
//! bytes that are not, and stay as they are written.

use base64::engine::general_purpose::{
    GeneralPurpose, STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD,
};
use base64::Engine as _;
use data_encoding::{BASE32, BASE32_NOPAD};

use super::base85::{self, Alphabet as B85};
use crate::charset::Encoding as Charset;

/// Shortest base64 run worth decoding inside text (12 bytes of data): a phone number, an
/// SSN or a date encoded alone is 16 characters (`NjE3LTU1NS0wMTQz`; red team 68), and a
/// run must still show base64's signs and decode to readable text.
pub(super) const MIN_B64_RUN: usize = 16;
/// Shortest base64 run read inside text when it ends in base64's padding, which no word
/// does: an eight-digit record number alone is twelve characters (`ODg0MTIyMDc=`).
const MIN_PADDED_B64_RUN: usize = 12;
/// Shortest whole value worth decoding as base64.
const MIN_B64_VALUE: usize = 16;
/// Shortest whole value of both cases decoded as base64 all the same: a surname alone
/// (`VGhhY2tlcmF5`, `Thackeray`) is twelve characters, a first name (`SmFuZQ==`) eight.
/// A code or a word of one case is not tried.
const MIN_SHORT_B64_VALUE: usize = 8;
/// Shortest base32 (value or run): 10 bytes of data, so capitalised words and codes of
/// letters and digits 2–7 (`ABC234`) are never tried.
const MIN_B32: usize = 16;
/// Fewest bytes a run of hexadecimal inside text must hold (`Ann Lee` is 7); a whole value
/// may be shorter ([`MIN_HEX_VALUE_BYTES`]).
const MIN_HEX_RUN_BYTES: usize = 6;
const MIN_HEX_VALUE_BYTES: usize = 4;
/// Fewest bytes of hexadecimal set apart by spaces or colons inside text: the shape itself
/// (`4a 6f 65 6c`) says what it is, so as short as a whole value.
const MIN_SPACED_HEX_BYTES: usize = 4;
/// Shortest text worth reading out of decoded bytes.
const MIN_TEXT_CHARS: usize = 4;

/// How bytes were written as text, so that a rewritten copy is written the same way.
#[derive(Clone)]
pub enum Armor {
    Base64(&'static GeneralPurpose),
    Base32 {
        padded: bool,
    },
    Hex {
        upper: bool,
        /// The byte set between two bytes' digits (`52 6f`, `52:6f`), if any.
        separator: Option<u8>,
        /// Written after `0x`.
        prefix: bool,
    },
    /// uuencode: a whole value with its `begin` line if it had one ([`super::uu::decode`]),
    /// or one line standing as a word of a text ([`super::uu::words`]).
    Uu {
        begin: Option<String>,
    },
    Base85(B85),
    /// Each byte's code, set apart by the separator, in its notation (`82`, `0x52`,
    /// `U+0052`: [`super::char_codes`]).
    Codes(&'static str, super::char_codes::Notation),
    /// UTF-7's shifted run: `+`, the UTF-16 bytes in base64 without padding, `-`
    /// (`+AFIAbwBz…-`).
    Utf7,
    /// Written in `inner`, then cut into groups of `width` characters set apart by
    /// `seps` (the n-th gap by the n-th, later ones by the last): base64 as tools print
    /// it, `U2Vl IFRo YWNr`.
    Grouped {
        inner: Box<Armor>,
        width: usize,
        seps: Vec<String>,
    },
    /// Compressed with `method`, then written in `inner` (base64 of gzip: a compact way to
    /// carry a note, and to carry one past a detector).
    Compressed {
        method: Deflate,
        inner: Box<Armor>,
    },
    /// Written in `inner`, then broken into lines of `width` characters with `eol` (base64
    /// as MIME and PEM write it, 76 or 64 to a line).
    Wrapped {
        inner: Box<Armor>,
        width: usize,
        eol: &'static str,
    },
}

impl Armor {
    /// `bytes` written in this encoding.
    pub fn encode(&self, bytes: &[u8]) -> String {
        match *self {
            Armor::Base64(engine) => engine.encode(bytes),
            Armor::Base32 { padded: true } => BASE32.encode(bytes),
            Armor::Base32 { padded: false } => BASE32_NOPAD.encode(bytes),
            Armor::Uu { ref begin } => super::uu::encode(begin.as_deref(), bytes),
            Armor::Base85(alphabet) => base85::encode(bytes, alphabet),
            Armor::Codes(separator, notation) => {
                super::char_codes::encode(bytes, separator, notation)
            }
            Armor::Utf7 => format!("+{}-", STANDARD_NO_PAD.encode(bytes)),
            Armor::Grouped {
                ref inner,
                width,
                ref seps,
            } => {
                let one = inner.encode(bytes);
                let mut out = String::with_capacity(one.len() + one.len() / width.max(1) + 1);
                for (i, chunk) in one.as_bytes().chunks(width.max(1)).enumerate() {
                    if i > 0 {
                        let sep = seps.get(i - 1).or(seps.last()).map_or(" ", String::as_str);
                        out.push_str(sep);
                    }
                    // Base64 is ASCII: every chunk is whole characters.
                    out.push_str(std::str::from_utf8(chunk).unwrap_or(""));
                }
                out
            }
            Armor::Compressed { method, ref inner } => inner.encode(&method.compress(bytes)),
            Armor::Wrapped {
                ref inner,
                width,
                eol,
            } => {
                let one = inner.encode(bytes);
                let lines: Vec<&str> = one
                    .as_bytes()
                    .chunks(width.max(1))
                    // Base64 is ASCII: every chunk is whole characters.
                    .map(|c| std::str::from_utf8(c).unwrap_or(""))
                    .collect();
                lines.join(eol)
            }
            Armor::Hex {
                upper,
                separator,
                prefix,
            } => {
                let digits = crate::hex::encode(bytes);
                let digits = if upper {
                    digits.to_ascii_uppercase()
                } else {
                    digits
                };
                let mut out = String::with_capacity(digits.len() * 3 / 2 + 2);
                if prefix {
                    out.push_str("0x");
                }
                for (i, pair) in digits.as_bytes().chunks(2).enumerate() {
                    if let (Some(sep), true) = (separator, i > 0) {
                        out.push(char::from(sep));
                    }
                    out.extend(pair.iter().map(|&b| char::from(b)));
                }
                out
            }
        }
    }
}

/// The deflate formats a compressed payload comes in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Deflate {
    Gzip,
    Zlib,
    Raw,
}

/// Most bytes a compressed payload is inflated to: past that it is no note (and may be a
/// bomb); it is then not read as text, so it is treated as binary.
const MAX_INFLATED: u64 = 1 << 20;

impl Deflate {
    /// `bytes` inflated, with the format that read them: gzip and zlib by their headers,
    /// raw deflate when neither header is there. `None` when nothing inflates whole.
    fn inflate(bytes: &[u8]) -> Option<(Vec<u8>, Deflate)> {
        use std::io::Read as _;
        let zlib_header = bytes.len() >= 2
            && bytes[0] & 0x0f == 8
            && (u16::from(bytes[0]) << 8 | u16::from(bytes[1])) % 31 == 0;
        let method = if bytes.starts_with(&[0x1f, 0x8b]) {
            Deflate::Gzip
        } else if zlib_header {
            Deflate::Zlib
        } else {
            Deflate::Raw
        };
        if method == Deflate::Raw && !may_open_raw_deflate(bytes) {
            return None;
        }
        let reader: Box<dyn std::io::Read + '_> = match method {
            Deflate::Gzip => Box::new(flate2::read::MultiGzDecoder::new(bytes)),
            Deflate::Zlib => Box::new(flate2::read::ZlibDecoder::new(bytes)),
            Deflate::Raw => Box::new(flate2::read::DeflateDecoder::new(bytes)),
        };
        let mut out = Vec::new();
        reader.take(MAX_INFLATED + 1).read_to_end(&mut out).ok()?;
        (!out.is_empty() && out.len() as u64 <= MAX_INFLATED).then_some((out, method))
    }

    fn compress(self, bytes: &[u8]) -> Vec<u8> {
        use std::io::Write as _;
        let level = flate2::Compression::default();
        // Writing into a Vec cannot fail; an empty payload is the worst a failure gives.
        let done = match self {
            Deflate::Gzip => {
                let mut e = flate2::write::GzEncoder::new(Vec::new(), level);
                e.write_all(bytes).and_then(|()| e.finish())
            }
            Deflate::Zlib => {
                let mut e = flate2::write::ZlibEncoder::new(Vec::new(), level);
                e.write_all(bytes).and_then(|()| e.finish())
            }
            Deflate::Raw => {
                let mut e = flate2::write::DeflateEncoder::new(Vec::new(), level);
                e.write_all(bytes).and_then(|()| e.finish())
            }
        };
        done.unwrap_or_default()
    }
}

/// Whether `bytes` can open a raw deflate stream, as far as its first block's header tells
/// (RFC 1951 3.2.3-3.2.7): the block's type (bits 1-2) is not the reserved one, 3; a stored
/// block's (type 0) length is followed by its complement; a dynamic block's (type 2) table
/// sizes are in range and its code-length code is complete. A stream that fails here
/// fails the decoder's first block header with nothing written (the decoder's checks,
/// `BlockTypeUnexpected`, `BadRawLength`, `BadDistOrLiteralTableLength`,
/// `BadTotalSymbols`), so [`Deflate::inflate`] gives `None` either way; asking first spares
/// the decoder's state (~43 KB, zeroed and copied for each attempt), most of the cost of
/// the base64 values of JSON, whose bytes are seldom deflate (BENCHMARKS.md, stop 55). A
/// header cut short, and every fixed-code block (type 1), are left to the decoder.
fn may_open_raw_deflate(bytes: &[u8]) -> bool {
    match bits_at(bytes, 1, 2) {
        Some(3) => false,
        Some(0) if bytes.len() >= 5 => {
            u16::from_le_bytes([bytes[1], bytes[2]]) == !u16::from_le_bytes([bytes[3], bytes[4]])
        }
        Some(2) => dynamic_header_fits(bytes).unwrap_or(true),
        _ => true,
    }
}

/// Of a dynamic block opening `bytes`: whether its literal/length and distance table sizes
/// are ones the decoder takes (at most 286 and 30) and its code-length code (3-bit lengths
/// for 4 to 19 symbols) is complete, the lengths' Kraft sum exactly 1; `None` where the
/// header runs past `bytes`.
fn dynamic_header_fits(bytes: &[u8]) -> Option<bool> {
    let literals = bits_at(bytes, 3, 5)? + 257;
    let distances = bits_at(bytes, 8, 5)? + 1;
    if literals > 286 || distances > 30 {
        return Some(false);
    }
    let lengths = bits_at(bytes, 13, 4)? + 4;
    let mut kraft = 0u32;
    for k in 0..lengths {
        let len = bits_at(bytes, 17 + 3 * k, 3)?;
        if len > 0 {
            kraft += 1 << (16 - len);
        }
    }
    Some(kraft == 1 << 16)
}

/// The `n` bits of `bytes` from bit `at` on, least significant first (deflate's order).
fn bits_at(bytes: &[u8], at: u32, n: u32) -> Option<u32> {
    (0..n).try_fold(0u32, |acc, k| {
        let i = at + k;
        let byte = *bytes.get(usize::try_from(i / 8).ok()?)?;
        Some(acc | u32::from(byte >> (i % 8) & 1) << k)
    })
}

/// Decoded bytes read as text, or, when they are compressed, their inflated bytes read as
/// text; with the armor that writes a rewritten copy back the same way (`armor` around
/// the compression).
fn text_or_inflated(bytes: &[u8], armor: Armor) -> Option<Hidden> {
    opened(bytes, armor, true)
}

/// [`text_or_inflated`]; with `base64` off (hexadecimal, base32), a payload is opened by a
/// gzip or zlib header only (red team 58, R9), since a hash or a code in them is no raw
/// deflate stream and trying each would cost the decoder's state, and its bytes are not
/// read as Latin-1 (a word's hex letters before a run, `be 4d 52 …`, would read as `¾MRN`).
fn opened(bytes: &[u8], armor: Armor, base64: bool) -> Option<Hidden> {
    let read = |b: &[u8]| match base64 {
        true => decoded_text(b),
        false => readable_text(b),
    };
    if let Some((text, charset)) = read(bytes) {
        return Some(Hidden {
            text,
            charset,
            armor,
        });
    }
    if !base64 && compression(bytes).is_none() {
        return None;
    }
    let (inflated, method) = Deflate::inflate(bytes)?;
    let (text, charset) = read(&inflated)?;
    Some(Hidden {
        text,
        charset,
        armor: Armor::Compressed {
            method,
            inner: Box::new(armor),
        },
    })
}

/// Text read out of an encoded value or run: what it says, how its bytes were written as
/// characters (`charset`) and how those bytes were written as text (`armor`).
pub struct Hidden {
    pub text: String,
    pub charset: Charset,
    pub armor: Armor,
}

impl Hidden {
    /// `text` (a rewritten copy of [`Hidden::text`]) written back the same way.
    pub fn encode(&self, text: &str) -> String {
        self.armor
            .encode(&crate::charset::encode(text, self.charset))
    }
}

/// What a whole value is, read as an encoding.
pub enum Value {
    /// Text in an encoding.
    Text(Hidden),
    /// Long base64 of something that is not text (a photo, a scan): removed, not tokenised.
    Binary,
    /// Not an encoding this module reads.
    Plain,
}

/// Binary base64 longer than this is removed rather than tokenised.
pub(super) const MAX_B64_ID: usize = 128;

/// A whole value (trimmed) read as uuencode, hexadecimal, base32 or base64.
pub fn value(v: &str) -> Value {
    if let Some(h) = uu(v) {
        return Value::Text(h);
    }
    // A compressed payload that does not open to text (bzip2, which no decoder here reads;
    // a stream cut short; one past the inflate limit) is removed however short (R9).
    for (bytes, armor) in [hex_bytes(v, MIN_HEX_VALUE_BYTES), base32_bytes(v)]
        .into_iter()
        .flatten()
    {
        if let Some(h) = opened(&bytes, armor, false) {
            return Value::Text(h);
        }
        if compression(&bytes).is_some() {
            return Value::Binary;
        }
    }
    let b85_or_plain = || base85_value(v).map_or(Value::Plain, Value::Text);
    let long_enough = v.len() >= MIN_B64_VALUE
        || (v.len() >= MIN_SHORT_B64_VALUE
            && v.bytes().any(|b| b.is_ascii_uppercase())
            && v.bytes().any(|b| b.is_ascii_lowercase()));
    if !long_enough || !v.bytes().all(is_b64_byte) {
        return b85_or_plain();
    }
    let compact = v.replace(['\r', '\n'], "");
    let Some((bytes, alphabet)) = decode_b64(&compact) else {
        return b85_or_plain();
    };
    match text_or_inflated(&bytes, Armor::Base64(alphabet)) {
        Some(hidden) => Value::Text(hidden),
        None if compression(&bytes).is_some() => Value::Binary,
        None if v.len() > MAX_B64_ID && has_b64_signs(v) => Value::Binary,
        None => b85_or_plain(),
    }
}

/// Shortest base85 worth decoding without `<~ ~>` (eight bytes of data): the shape says
/// little, since almost any word is made of base85 characters.
const MIN_B85: usize = 10;

/// A whole value in base85 that decodes to text: ASCII85 between `<~` and `~>` however
/// short, or a value of [`MIN_B85`] characters or more, without spaces, in the first
/// alphabet that reads.
fn base85_value(v: &str) -> Option<Hidden> {
    if let Some(inner) = v.strip_prefix("<~").and_then(|r| r.strip_suffix("~>")) {
        return b85_text(inner, B85::Ascii85 { delimited: true });
    }
    if v.len() < MIN_B85 || v.bytes().any(|b| !b.is_ascii_graphic()) {
        return None;
    }
    base85::UNDELIMITED
        .into_iter()
        .find_map(|alphabet| b85_text(v, alphabet))
}

/// `s` decoded in a base85 alphabet and read as text.
fn b85_text(s: &str, alphabet: B85) -> Option<Hidden> {
    let bytes = base85::decode(s, alphabet)?;
    let (text, charset) = readable_text(&bytes)?;
    Some(Hidden {
        text,
        charset,
        armor: Armor::Base85(alphabet),
    })
}

/// Shortest base85 run inside text worth decoding without `<~ ~>` (sixteen bytes).
const MIN_B85_RUN: usize = 20;

/// The base85 runs of `text` that decode to text: ASCII85 between `<~` and `~>` (over line
/// breaks, as Adobe's wraps them), and words of [`MIN_B85_RUN`] characters or more with a
/// sign of base85 (a character other than a letter or digit, or letters of both cases
/// and digits), read whole or without a sentence's last stop.
fn base85_runs(text: &str) -> Vec<(std::ops::Range<usize>, Hidden)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(open) = text[from..].find("<~").map(|i| i + from) {
        let Some(close) = text[open + 2..].find("~>").map(|i| i + open + 2) else {
            break;
        };
        if let Some(h) = b85_text(&text[open + 2..close], B85::Ascii85 { delimited: true }) {
            out.push((open..close + 2, h));
        }
        from = close + 2;
    }
    let mut start = 0;
    for word in super::uu::blank_parted(text) {
        let range = start..start + word.len();
        start = range.end + 1;
        if word.len() < MIN_B85_RUN
            || !b85_signs(word)
            || out.iter().any(|(r, _)| overlap(r, &range))
        {
            continue;
        }
        let stopped = word.trim_end_matches(['.', ',', ';', ':', ')']);
        let found = [word, stopped].into_iter().find_map(|w| {
            base85::UNDELIMITED
                .into_iter()
                .find_map(|alphabet| b85_text(w, alphabet))
                .map(|h| (range.start..range.start + w.len(), h))
        });
        out.extend(found);
    }
    out
}

/// Base85 of anything mixes letters, digits and punctuation: a word of letters is not
/// tried, nor a URL (`://`), which the URL readings own.
fn b85_signs(w: &str) -> bool {
    w.bytes().all(|b| b.is_ascii_graphic())
        && !w.contains("://")
        && (w.bytes().any(|b| !b.is_ascii_alphanumeric())
            || (w.bytes().any(|b| b.is_ascii_uppercase())
                && w.bytes().any(|b| b.is_ascii_lowercase())
                && w.bytes().any(|b| b.is_ascii_digit())))
}

/// A whole value in uuencode that decodes to text.
fn uu(v: &str) -> Option<Hidden> {
    let uu = super::uu::decode(v)?;
    let (text, charset) = readable_text(&uu.bytes)?;
    Some(Hidden {
        text,
        charset,
        armor: Armor::Uu {
            begin: uu.begin.map(str::to_string),
        },
    })
}

/// The encoded runs inside `text` that decode to text, with their byte ranges, in order:
/// uuencoded words, then runs of hexadecimal, base32 or base64 outside them. Most texts
/// hold none: two passes over the bytes, allocating nothing, find that out.
pub fn runs(text: &str, blocks: &Blocks) -> Vec<(std::ops::Range<usize>, Hidden)> {
    let mut out: Vec<(std::ops::Range<usize>, Hidden)> = Vec::new();
    for (range, bytes) in super::uu::words(text) {
        if let Some((text, charset)) = readable_text(&bytes) {
            let armor = Armor::Uu { begin: None };
            out.push((
                range,
                Hidden {
                    text,
                    charset,
                    armor,
                },
            ));
        }
    }
    out.extend(wrapped_b64(text, &blocks.wrapped));
    for (range, hidden) in grouped_b64(text, &blocks.grouped) {
        if !out.iter().any(|(r, _)| overlap(r, &range)) {
            out.push((range, hidden));
        }
    }
    // Decimal character codes before hexadecimal: `52 49 51 45 …` is also hex bytes set
    // apart by spaces, but only the codes read as the number it is.
    for run in super::char_codes::runs(text) {
        if out.iter().any(|(r, _)| overlap(r, &run.range)) {
            continue;
        }
        let hidden = Hidden {
            text: run.text,
            charset: Charset::Utf8,
            armor: Armor::Codes(run.separator, run.notation),
        };
        out.push((run.range, hidden));
    }
    let held = out.len();
    let bytes = text.as_bytes();
    let first_open = std::cell::OnceCell::new();
    let mut i = 0;
    while i < bytes.len() {
        if !in_run(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && in_run(bytes[i]) {
            i += 1;
        }
        let found = if i - start == 2 {
            spaced_hex(text, start).map(|(range, hidden)| {
                i = range.end;
                (range, hidden)
            })
        } else if in_mime_word(text, start, i, &first_open) {
            b64_text(&text[start..i]).map(|hidden| (start..i, hidden))
        } else {
            run(&text[start..i]).map(|hidden| (start..i, hidden))
        };
        if let Some((range, hidden)) = found {
            let read_before = out[..held].iter().any(|(r, _)| overlap(r, &range));
            if !read_before {
                out.push((range, hidden));
            }
        }
    }
    // Base85 last, where nothing above read: its alphabets hold the others' characters.
    for (range, hidden) in base85_runs(text) {
        if !out.iter().any(|(r, _)| overlap(r, &range)) {
            out.push((range, hidden));
        }
    }
    out.sort_by_key(|(range, _)| range.start);
    out
}

fn overlap(a: &std::ops::Range<usize>, b: &std::ops::Range<usize>) -> bool {
    a.start < b.end && b.start < a.end
}

/// Fewest characters in each line of a block of base64 broken over lines.
const MIN_B64_LINE: usize = 8;

/// Base64 broken over lines (`UGF0aWVu…` on one line, `dCBSb3Nh…` on the next), each
/// line too short to be read as a run alone: lines of base64 characters only, of one
/// length (the last no longer), read joined. The block is written back broken the same
/// way.
fn wrapped_b64(text: &str, blocks: &[WrappedBlock]) -> Vec<(std::ops::Range<usize>, Hidden)> {
    blocks
        .iter()
        .filter_map(|(block, eol)| read_block(text, block, eol))
        .collect()
}

/// A block of [`wrapped_b64`]: each line's byte range, and the line break that ended it.
pub(super) type WrappedBlock = (Vec<(usize, usize)>, &'static str);

/// The blocks of base64 broken over lines and set apart in groups that a text holds: read
/// once, by both [`runs`] (as text) and [`super::blobs::runs`] (as files).
pub(super) struct Blocks {
    pub wrapped: Vec<WrappedBlock>,
    pub grouped: Vec<Vec<(usize, usize)>>,
}

impl Blocks {
    pub fn of(text: &str) -> Blocks {
        Blocks {
            wrapped: wrapped_blocks(text),
            grouped: grouped_blocks(text),
        }
    }
}

/// The blocks of [`wrapped_b64`] (each line's byte range), with the line break that
/// ended them; blocks of one line are left out (a run of a line is read alone, and every
/// caller reads blocks of two lines or more only).
fn wrapped_blocks(text: &str) -> Vec<WrappedBlock> {
    let mut out = Vec::new();
    let mut block: Vec<(usize, usize)> = Vec::new();
    let mut eol = "\n";
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\r', '\n']);
        let range = (at, at + body.len());
        at += line.len();
        let fits = body.len() >= MIN_B64_LINE
            && body.bytes().all(in_run)
            && block.first().is_none_or(|&(s, e)| body.len() <= e - s)
            && block
                .last()
                .is_none_or(|&(s, e)| e - s == block.first().map_or(0, |&(fs, fe)| fe - fs));
        if !fits {
            if block.len() >= 2 {
                out.push((std::mem::take(&mut block), eol));
            }
            block.clear();
            if body.len() >= MIN_B64_LINE && body.bytes().all(in_run) {
                block.push(range);
            }
        } else {
            block.push(range);
        }
        if line.ends_with("\r\n") {
            eol = "\r\n";
        }
    }
    if block.len() >= 2 {
        out.push((block, eol));
    }
    out
}

/// A block of two lines or more of [`wrapped_b64`], read joined as base64 text.
fn read_block(
    text: &str,
    block: &[(usize, usize)],
    eol: &'static str,
) -> Option<(std::ops::Range<usize>, Hidden)> {
    let (&(start, first_end), &(_, end)) = (block.first()?, block.last()?);
    if block.len() < 2 {
        return None;
    }
    let joined: String = block.iter().map(|&(s, e)| &text[s..e]).collect();
    if !has_b64_signs(&joined) {
        return None;
    }
    let hidden = b64_text(&joined)?;
    let armor = Armor::Wrapped {
        inner: Box::new(hidden.armor),
        width: first_end - start,
        eol,
    };
    Some((
        start..end,
        Hidden {
            text: hidden.text,
            charset: hidden.charset,
            armor,
        },
    ))
}

/// Fewest base64 characters inside a UTF-7 shifted run read as text (four characters).
const MIN_UTF7_RUN: usize = 11;

/// A UTF-7 shifted run (`+AFIAbwBz…`, its closing `-` optional): UTF-16 in base64 without
/// padding, a way to write a whole name past anything that reads only letters.
fn utf7(r: &str) -> Option<Hidden> {
    let inner = r.strip_prefix('+')?;
    let inner = inner.strip_suffix('-').unwrap_or(inner);
    if inner.len() < MIN_UTF7_RUN
        || !inner
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/'))
    {
        return None;
    }
    // A character left over past the last whole byte carries no byte of its own.
    let whole = if inner.len() % 4 == 1 {
        inner.len() - 1
    } else {
        inner.len()
    };
    let mut bytes = STANDARD_NO_PAD.decode(&inner[..whole]).ok()?;
    bytes.truncate(bytes.len() / 2 * 2);
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|p| u16::from_be_bytes([p[0], p[1]]))
        .collect();
    let text = String::from_utf16(&units).ok()?;
    let charset = Charset::Utf16 {
        endian: crate::charset::Endian::Big,
        bom: false,
    };
    // Text smuggled so is ASCII: base64-shaped words after a `+` (`+LEAK/FLUCTUATION`, a
    // phone's `+44…`) decode to CJK and other scripts, which is no reason to rewrite them.
    let ascii = text.chars().filter(char::is_ascii).count();
    (is_readable(&text) && ascii * 10 >= text.chars().count() * 9).then_some(Hidden {
        text,
        charset,
        armor: Armor::Utf7,
    })
}

/// Fewest groups in a block of [`grouped_b64`].
const MIN_GROUPS: usize = 3;
/// Shortest and longest group: base64 printed four or eight to a group, or a line of 64 or
/// 76 set apart by blanks.
const MIN_GROUP: usize = 4;
const MAX_GROUP: usize = 76;

/// Base64 printed in groups set apart by blanks or line breaks (`U2Vl IFRo YWNr ZXJh eQ==`),
/// each group too short, or cut at the wrong place, to read alone: runs of
/// [`MIN_GROUPS`] or more words of base64 characters of one length (the last no longer),
/// read joined; a word before or after the block that happens to share the length (`see
/// blob U2Vl …`) is tried without. Written back grouped the same way. A text of words of
/// one length is no block: it has no digits and no mixed case ([`has_b64_signs`]), which
/// is all the work it costs.
fn grouped_b64(
    text: &str,
    blocks: &[Vec<(usize, usize)>],
) -> Vec<(std::ops::Range<usize>, Hidden)> {
    blocks
        .iter()
        .filter_map(|block| read_groups(text, block))
        .collect()
}

/// The blocks of [`grouped_b64`]: each group's byte range (a stop after the last left
/// out), of two groups or more. A block of one group is left out: every caller reads
/// blocks of two or more only, and in prose nearly every word of four letters is a block
/// of one (kept, each cost an allocation).
fn grouped_blocks(text: &str) -> Vec<Vec<(usize, usize)>> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut block: Vec<(usize, usize)> = Vec::new();
    let mut flush = |block: &mut Vec<(usize, usize)>| {
        if block.len() >= 2 {
            out.push(std::mem::take(block));
        }
        block.clear();
    };
    let mut i = 0;
    while i < b.len() {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() {
            i += 1;
        }
        let word = start..i;
        // The word's base64 part: a sentence's stop after the last group is not part of it.
        // The stops are ASCII, so trimmed byte by byte (no character is decoded).
        let trimmed_end = start
            + b[word.clone()]
                .iter()
                .rposition(|c| !matches!(c, b'.' | b',' | b';' | b':' | b')'))
                .map_or(0, |k| k + 1);
        let body = &b[start..trimmed_end];
        let shaped = (MIN_GROUP..=MAX_GROUP).contains(&body.len())
            && body
                .iter()
                .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'='))
            && !body[..body.len().saturating_sub(2)].contains(&b'=');
        let width = block.first().map(|&(s, e)| e - s);
        let last_full = block.last().is_none_or(|&(s, e)| Some(e - s) == width);
        let fits = shaped
            && last_full
            && width.is_none_or(|w| body.len() <= w)
            && block.last().is_none_or(|&(_, e)| {
                let gap = &b[e..start];
                (1..=2).contains(&gap.len()) && gap.iter().all(u8::is_ascii_whitespace)
            });
        if fits {
            block.push((start, trimmed_end));
        } else {
            flush(&mut block);
            if shaped {
                block.push((start, trimmed_end));
            }
        }
        if trimmed_end < i {
            // A stop closes the block.
            flush(&mut block);
        }
    }
    flush(&mut block);
    out
}

/// A block of [`grouped_b64`] read joined as base64 text, with up to two words at either
/// end left out when it does not read whole.
fn read_groups(text: &str, block: &[(usize, usize)]) -> Option<(std::ops::Range<usize>, Hidden)> {
    if block.len() < MIN_GROUPS {
        return None;
    }
    if let Some(found) = hex_groups(text, block) {
        return Some(found);
    }
    let signs = |groups: &[(usize, usize)]| {
        let (mut upper, mut lower, mut digit, mut len) = (false, false, false, 0);
        for &(s, e) in groups {
            let w = &text.as_bytes()[s..e];
            upper |= w.iter().any(u8::is_ascii_uppercase);
            lower |= w.iter().any(u8::is_ascii_lowercase);
            digit |= w.iter().any(u8::is_ascii_digit);
            len += e - s;
        }
        upper && lower && (digit || len >= 32) && len >= MIN_B64_RUN
    };
    if !signs(block) {
        return None;
    }
    for front in 0..=2usize {
        for back in 0..=2usize {
            let Some(groups) = block.get(front..block.len().saturating_sub(back)) else {
                continue;
            };
            if groups.len() < MIN_GROUPS || !signs(groups) {
                continue;
            }
            let joined: String = groups.iter().map(|&(s, e)| &text[s..e]).collect();
            let Some(hidden) = b64_text(&joined) else {
                continue;
            };
            let width = groups[0].1 - groups[0].0;
            return Some(regrouped(text, groups, width, hidden));
        }
    }
    None
}

/// A value read from `groups` joined, with the armour that writes it back in groups of
/// `width` and the separators the text had between them; its range spans the groups.
fn regrouped(
    text: &str,
    groups: &[(usize, usize)],
    width: usize,
    hidden: Hidden,
) -> (std::ops::Range<usize>, Hidden) {
    let seps = groups
        .windows(2)
        .map(|w| text[w[0].1..w[1].0].to_string())
        .collect();
    let armor = Armor::Grouped {
        inner: Box::new(hidden.armor),
        width,
        seps,
    };
    let start = groups.first().map_or(0, |g| g.0);
    let end = groups.last().map_or(start, |g| g.1);
    (
        start..end,
        Hidden {
            text: hidden.text,
            charset: hidden.charset,
            armor,
        },
    )
}

/// Hexadecimal printed in groups of two or four bytes set apart by blanks, as `xxd` and
/// `od` print it (`526f 7361 6c69 6e64`), each group too short to read alone: read joined,
/// with up to two words at either end left out, and written back grouped the same way
/// (red team 51, G4). A group holds a letter `a`–`f` somewhere in the block: numbers in
/// groups of four digits (years, a waveform's samples) are no hexadecimal.
fn hex_groups(text: &str, block: &[(usize, usize)]) -> Option<(std::ops::Range<usize>, Hidden)> {
    let is_hex = |&(s, e): &(usize, usize)| text.as_bytes()[s..e].iter().all(u8::is_ascii_hexdigit);
    for front in 0..=2usize {
        for back in 0..=2usize {
            let Some(groups) = block.get(front..block.len().saturating_sub(back)) else {
                continue;
            };
            let Some(&first) = groups.first() else {
                continue;
            };
            let width = first.1 - first.0;
            let lettered = groups
                .iter()
                .any(|&(s, e)| text.as_bytes()[s..e].iter().any(u8::is_ascii_alphabetic));
            if groups.len() < MIN_GROUPS
                || !matches!(width, 4 | 8)
                || !lettered
                || !groups.iter().all(is_hex)
            {
                continue;
            }
            let joined: String = groups.iter().map(|&(s, e)| &text[s..e]).collect();
            let Some(hidden) = hex(&joined, MIN_SPACED_HEX_BYTES) else {
                continue;
            };
            return Some(regrouped(text, groups, width, hidden));
        }
    }
    None
}

/// Whether `start..end` is the payload of a MIME encoded word in base64
/// (`=?UTF-8?B?SmFuZQ==?=`, RFC 2047): the shape itself says it is base64, so it is read
/// however short it is. `first_open` is where the text's first `=?` starts, looked for
/// once per text: a charset was opened before the `?B?` when that one ends before it
/// (a search back from every run made the pass quadratic in the text's length).
fn in_mime_word(
    text: &str,
    start: usize,
    end: usize,
    first_open: &std::cell::OnceCell<Option<usize>>,
) -> bool {
    let head = &text[..start];
    let opened = head.ends_with("?B?") || head.ends_with("?b?");
    opened
        && text[end..].starts_with("?=")
        && first_open
            .get_or_init(|| text.find("=?"))
            .is_some_and(|p| p + 2 <= start - 3)
}

/// `r` decoded as base64 and read as text (a MIME encoded word's payload, a long run).
fn b64_text(r: &str) -> Option<Hidden> {
    let (bytes, alphabet) = decode_b64(r)?;
    text_or_inflated(&bytes, Armor::Base64(alphabet))
}

/// Two-digit hex bytes set apart by spaces or colons, from `start`, read as text; or from
/// the next byte on, when the first pair is a word's (`ad 4d 52 …`).
fn spaced_hex(text: &str, start: usize) -> Option<(std::ops::Range<usize>, Hidden)> {
    let bytes = text.as_bytes();
    let end = spaced_hex_end(bytes, start)?;
    [start, start + 3]
        .into_iter()
        .find_map(|s| hex(&text[s..end], MIN_SPACED_HEX_BYTES).map(|h| (s..end, h)))
}

/// One run of a text read as hexadecimal, base32 or base64 (with base64's signs: a word is
/// never taken for it).
fn run(r: &str) -> Option<Hidden> {
    if r.starts_with('+') {
        if let Some(h) = utf7(r) {
            return Some(h);
        }
    }
    if r.len() < 2 * MIN_HEX_RUN_BYTES {
        return None;
    }
    if let Some(h) = hex(r, MIN_HEX_RUN_BYTES) {
        return Some(h);
    }
    if let Some(h) = base32(r) {
        return Some(h);
    }
    let padded = r.len() >= MIN_PADDED_B64_RUN && r.ends_with('=');
    if !(r.len() >= MIN_B64_RUN || padded) || !has_b64_signs(r) {
        return None;
    }
    b64_text(r)
}

/// Where a run of two-digit hex bytes set apart by one space or colon each, opening at
/// `start`, ends; `None` unless it holds [`MIN_SPACED_HEX_BYTES`] bytes or more.
fn spaced_hex_end(b: &[u8], start: usize) -> Option<usize> {
    let sep = *b.get(start + 2)?;
    if !matches!(sep, b' ' | b':')
        || !b[start].is_ascii_hexdigit()
        || !b[start + 1].is_ascii_hexdigit()
    {
        return None;
    }
    let mut end = start + 2;
    let mut pairs = 1;
    // Each further byte: the separator, two digits, then no more of a word.
    while b.get(end) == Some(&sep)
        && b.get(end + 1).is_some_and(u8::is_ascii_hexdigit)
        && b.get(end + 2).is_some_and(u8::is_ascii_hexdigit)
        && !b.get(end + 3).is_some_and(|&c| in_run(c))
    {
        end += 3;
        pairs += 1;
    }
    (pairs >= MIN_SPACED_HEX_BYTES).then_some(end)
}

/// `s` read as hexadecimal holding at least `min_bytes` bytes of text: one case, digits run
/// together (after an optional `0x`) or set apart by one space or colon each.
fn hex(s: &str, min_bytes: usize) -> Option<Hidden> {
    let (bytes, armor) = hex_bytes(s, min_bytes)?;
    opened(&bytes, armor, false)
}

/// `s` decoded as hexadecimal (see [`hex`]) with how it was written, whatever the bytes are.
fn hex_bytes(s: &str, min_bytes: usize) -> Option<(Vec<u8>, Armor)> {
    let (digits, prefix) = match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(rest) => (rest, true),
        None => (s, false),
    };
    let separator = digits
        .as_bytes()
        .get(2)
        .copied()
        .filter(|c| matches!(c, b' ' | b':'));
    let compact: std::borrow::Cow<'_, str> = match separator {
        Some(sep) => {
            // Every third byte the separator, and only there.
            let ok = digits.len() % 3 == 2
                && digits
                    .bytes()
                    .enumerate()
                    .all(|(i, c)| (i % 3 == 2) == (c == sep));
            if !ok {
                return None;
            }
            digits
                .bytes()
                .filter(|&c| c != sep)
                .map(char::from)
                .collect()
        }
        None => digits.into(),
    };
    if compact.len() < 2 * min_bytes || !compact.bytes().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let upper = compact.bytes().any(|c| c.is_ascii_uppercase());
    let lower = compact.bytes().any(|c| c.is_ascii_lowercase());
    if upper && lower {
        return None;
    }
    let bytes = crate::hex::decode(&compact)?;
    Some((
        bytes,
        Armor::Hex {
            upper,
            separator,
            prefix,
        },
    ))
}

/// `s` read as base32: upper-case letters and digits 2–7, padded with `=` to a multiple of
/// eight or not padded at all.
fn base32(s: &str) -> Option<Hidden> {
    let (bytes, armor) = base32_bytes(s)?;
    opened(&bytes, armor, false)
}

/// `s` decoded as base32 (see [`base32`]) with how it was written, whatever the bytes are.
fn base32_bytes(s: &str) -> Option<(Vec<u8>, Armor)> {
    let body = s.trim_end_matches('=');
    let padded = body.len() < s.len();
    if s.len() < MIN_B32
        || (padded && !s.len().is_multiple_of(8))
        || !body
            .bytes()
            .all(|c| c.is_ascii_uppercase() || (b'2'..=b'7').contains(&c))
    {
        return None;
    }
    let bytes = BASE32_NOPAD.decode(body.as_bytes()).ok()?;
    Some((bytes, Armor::Base32 { padded }))
}

/// A byte an encoded run inside a line is made of (not a line break): every byte of every
/// text is tested, so the test is one look-up in [`RUN_BYTES`].
fn in_run(b: u8) -> bool {
    RUN_BYTES[usize::from(b)]
}

/// [`in_run`] of each byte value.
const RUN_BYTES: [bool; 256] = run_bytes();

const fn run_bytes() -> [bool; 256] {
    let mut table = [false; 256];
    let mut b: u8 = 0;
    loop {
        table[b as usize] = is_b64_byte(b) && !matches!(b, b'\r' | b'\n');
        if b == u8::MAX {
            return table;
        }
        b += 1;
    }
}

const fn is_b64_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'-' | b'_' | b'\r' | b'\n')
}

/// Words are letters only; base64 of anything mixes cases and digits.
pub(super) fn has_b64_signs(run: &str) -> bool {
    let upper = run.bytes().any(|b| b.is_ascii_uppercase());
    let lower = run.bytes().any(|b| b.is_ascii_lowercase());
    let digit = run.bytes().any(|b| b.is_ascii_digit());
    upper && lower && (digit || run.len() >= 32)
}

/// Decodes with whichever alphabet fits, returning the alphabet to re-encode with.
fn decode_b64(s: &str) -> Option<(Vec<u8>, &'static GeneralPurpose)> {
    let url = s.contains(['-', '_']);
    let padded = s.ends_with('=');
    let engine = match (url, padded) {
        (false, true) => &STANDARD,
        (false, false) if s.len().is_multiple_of(4) => &STANDARD,
        (false, false) => &STANDARD_NO_PAD,
        (true, true) => &URL_SAFE,
        (true, false) => &URL_SAFE_NO_PAD,
    };
    engine.decode(s).ok().map(|b| (b, engine))
}

/// `s` decoded as base64 in whichever alphabet fits (line breaks and blanks not allowed).
pub(super) fn decode_b64_bytes(s: &str) -> Option<Vec<u8>> {
    decode_b64(s).map(|(bytes, _)| bytes)
}

/// Whether decoded bytes read as text, as they are or inflated: what [`runs`] reads.
pub(super) fn decodes_to_text(bytes: &[u8]) -> bool {
    text_or_inflated(bytes, Armor::Base64(&STANDARD)).is_some()
}

/// The byte ranges of the runs of base64's characters within the lines of `text` that
/// are long enough to be read ([`MIN_B64_RUN`]).
pub(super) fn b64_words(text: &str) -> Vec<std::ops::Range<usize>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if !in_run(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && in_run(bytes[i]) {
            i += 1;
        }
        if i - start >= MIN_B64_RUN {
            out.push(start..i);
        }
    }
    out
}

/// Decoded bytes read as text: [`readable_text`], or else Latin-1 text (`Rosálind` with
/// its `á` one byte, which is no UTF-8: red team 58, R9).
fn decoded_text(bytes: &[u8]) -> Option<(String, Charset)> {
    readable_text(bytes).or_else(|| latin1_text(bytes))
}

/// Most of a Latin-1 text's bytes that are not ASCII, as a share (one in five): prose in a
/// Western European language is mostly ASCII letters, while random bytes (a hash, a key)
/// are half high bytes, so they are not taken for Latin-1 text.
const MAX_LATIN1_HIGH_SHARE: usize = 5;

/// Bytes that read as Latin-1 text: some bytes past ASCII (else they were UTF-8), few of
/// them, none a C1 control, words set apart by a blank, and the whole readable as prose.
/// The blank keeps short codes out (eight bytes of a random identifier are Latin-1 of a
/// sort one time in a hundred); a lone accented word in Latin-1 is not read (left undone).
fn latin1_text(bytes: &[u8]) -> Option<(String, Charset)> {
    let high = bytes.iter().filter(|b| **b >= 0x80).count();
    if high == 0 || high * MAX_LATIN1_HIGH_SHARE > bytes.len() || !bytes.contains(&b' ') {
        return None;
    }
    let text: String = bytes.iter().map(|&b| char::from(b)).collect();
    is_readable(&text).then_some((text, Charset::Latin1))
}

/// The compression a payload's first bytes name: gzip (`1f 8b 08`), zlib (`78 9c` and the
/// other headers zlib writes), bzip2 (`BZh1`–`BZh9`), xz, zstd. What names one is compressed data
/// whatever else it reads as: when it does not open to text it is removed, never passed on.
pub(super) fn compression(bytes: &[u8]) -> Option<&'static str> {
    // The four headers zlib writes (its compression levels), not every one whose check
    // holds: a hash opening `78 3f` is no stream.
    let zlib = matches!(bytes, [0x78, 0x01 | 0x5e | 0x9c | 0xda, ..]);
    if bytes.starts_with(&[0x1f, 0x8b, 0x08]) {
        Some("gzip")
    } else if zlib {
        Some("zlib")
    } else if bytes.len() >= 4 && bytes.starts_with(b"BZh") && (b'1'..=b'9').contains(&bytes[3]) {
        Some("bzip2")
    } else if bytes.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0]) {
        Some("xz")
    } else if bytes.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Some("zstd")
    } else {
        None
    }
}

/// Decoded bytes that are text a person wrote (UTF-8, or UTF-16 by BOM or shape), not
/// binary; with how they were written.
pub fn readable_text(bytes: &[u8]) -> Option<(String, Charset)> {
    // An uncompressed PDF is mostly ASCII but no text a person wrote: it is a file, read
    // as no text, so it goes as any binary does (red team 52, H5; [`super::blobs`]).
    if super::blobs::is_pdf(bytes) {
        return None;
    }
    if let Some((text, encoding)) = utf32_text(bytes) {
        return is_readable(&text).then_some((text, encoding));
    }
    let (text, encoding) = crate::charset::decode_text(bytes, None).ok()?;
    (is_readable(&text) || reads_unescaped(&text)).then_some((text, encoding))
}

/// Decoded text that is text a person wrote once its character escapes are undone
/// (`%52%6F%73…`, `=52=6F=73…`: every byte escaped, then the whole put in base64): the
/// escapes are punctuation, so the text alone does not read, but the canonical view the
/// engine reads it through does (red team 55, J23). Control characters say binary (the
/// view would drop them), so text holding one is not tried.
fn reads_unescaped(text: &str) -> bool {
    text.bytes()
        .any(|b| matches!(b, b'%' | b'=' | b'&' | b'\\'))
        && !text
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        && crate::canon::Canon::unescaped(text).is_some_and(|view| is_readable(view.text()))
}

/// Bytes in UTF-32 (a BOM, or every character's two high bytes zero on one side): text in
/// UTF-32 carries a value past anything that reads only UTF-8 and UTF-16.
fn utf32_text(bytes: &[u8]) -> Option<(String, Charset)> {
    use crate::charset::Endian;
    if bytes.len() < 4 * MIN_TEXT_CHARS || !bytes.len().is_multiple_of(4) {
        return None;
    }
    let (endian, bom) = match bytes.get(..4)? {
        [0xFF, 0xFE, 0, 0] => (Endian::Little, true),
        [0, 0, 0xFE, 0xFF] => (Endian::Big, true),
        [_, _, 0, 0] => (Endian::Little, false),
        [0, 0, _, _] => (Endian::Big, false),
        _ => return None,
    };
    let data = if bom { &bytes[4..] } else { bytes };
    let mut text = String::with_capacity(data.len() / 4);
    for q in data.chunks_exact(4) {
        let n = match endian {
            Endian::Little => u32::from_le_bytes([q[0], q[1], q[2], q[3]]),
            Endian::Big => u32::from_be_bytes([q[0], q[1], q[2], q[3]]),
        };
        text.push(char::from_u32(n)?);
    }
    Some((text, Charset::Utf32 { endian, bom }))
}

/// Decoded text that a person wrote: long enough, no control characters, mostly letters,
/// digits, blanks and the punctuation of prose.
fn is_readable(text: &str) -> bool {
    let total = text.chars().count();
    if total < MIN_TEXT_CHARS {
        return false;
    }
    let control = text
        .chars()
        .filter(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        .count();
    let wordish = text
        .chars()
        .filter(|c| c.is_alphanumeric() || c.is_whitespace() || ",.;:-@/()#'\"{}[]".contains(*c))
        .count();
    control == 0 && wordish * 10 >= total * 8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_cannot_open_raw_deflate_fails_the_decoder() {
        use std::io::Read as _;
        // Every first byte, with tails from a fixed generator, and short inputs.
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed.to_le_bytes()[0]
        };
        let mut refused = 0;
        for first in 0..=255u8 {
            for len in 1..40 {
                let mut bytes = vec![first];
                bytes.extend((1..len).map(|_| next()));
                if may_open_raw_deflate(&bytes) {
                    continue;
                }
                refused += 1;
                let mut out = Vec::new();
                let read = flate2::read::DeflateDecoder::new(&bytes[..]).read_to_end(&mut out);
                assert!(read.is_err(), "first byte {first}, {len} bytes");
            }
        }
        assert!(refused > 5_000, "{refused}");
        // A stored block whose length checks, and real streams, are left to the decoder.
        assert!(may_open_raw_deflate(&[1, 1, 0, 0xfe, 0xff, b'x']));
        let packed = Deflate::Raw.compress(b"Rosalind Okafor");
        assert!(may_open_raw_deflate(&packed));
        assert!(may_open_raw_deflate(&[]) && may_open_raw_deflate(&[0, 1]));
    }

    /// The runs of `text`, its blocks read first as the engine reads them.
    fn runs(text: &str) -> Vec<(std::ops::Range<usize>, Hidden)> {
        super::runs(text, &Blocks::of(text))
    }

    fn text_of(v: Value) -> Option<String> {
        match v {
            Value::Text(h) => Some(h.text),
            _ => None,
        }
    }

    #[test]
    fn compressed_text_in_hex_and_base32_is_read_and_written_back_so() {
        let note = b"Rosalind Thackeray MR4410827 SSN 512-47-3306";
        for method in [Deflate::Gzip, Deflate::Zlib] {
            let packed = method.compress(note);
            for written in [crate::hex::encode(&packed), BASE32.encode(&packed)] {
                let Value::Text(h) = value(&written) else {
                    panic!("{method:?} in {written} not read");
                };
                assert_eq!(h.text.as_bytes(), note);
                let again = h.encode("NAME_X");
                assert_eq!(text_of(value(&again)).as_deref(), Some("NAME_X"), "{again}");
            }
            // Inside text as well.
            let text = format!("payload {} end", crate::hex::encode(&packed));
            assert_eq!(runs(&text).len(), 1, "{method:?} run in {text}");
        }
        // Raw deflate has no header: hexadecimal and base32 are not tried for it.
        assert!(matches!(
            value(&crate::hex::encode(&Deflate::Raw.compress(note))),
            Value::Plain
        ));
    }

    #[test]
    fn latin1_text_is_read_and_random_bytes_are_not() {
        let latin1: Vec<u8> = "Patient Ros\u{e1}lind Thackeray n\u{ba} 4410827"
            .chars()
            .map(|c| u8::try_from(u32::from(c)).expect("latin-1"))
            .collect();
        let Value::Text(h) = value(&STANDARD.encode(&latin1)) else {
            panic!("latin-1 not read");
        };
        assert_eq!(h.text, "Patient Ros\u{e1}lind Thackeray n\u{ba} 4410827");
        assert_eq!(
            decode_b64(&h.encode("NAME_X \u{e9}")).map(|b| b.0),
            Some(b"NAME_X \xe9".to_vec())
        );
        // Mostly high bytes, or a C1 control, is no Latin-1 text.
        assert!(latin1_text(&[0xe9, 0xe8, b'a', 0xea, b'b', 0xf4]).is_none());
        assert!(latin1_text(b"Ros\x85lind Thackeray").is_none());
    }

    #[test]
    fn compressed_payloads_that_do_not_open_are_binary() {
        // bzip2 (no decoder here), however short; gzip cut short.
        let mut bz = b"BZh91AY&SY".to_vec();
        bz.extend([0x4e, 0x9c, 0x21, 0x07, 0x00, 0x01, 0x02, 0x7f, 0x33, 0x90]);
        let cut =
            &Deflate::Gzip.compress(b"Rosalind Thackeray MR4410827 lives at 41 Orchard Lane")[..20];
        for bytes in [&bz[..], cut] {
            for written in [
                STANDARD.encode(bytes),
                crate::hex::encode(bytes),
                BASE32.encode(bytes),
            ] {
                assert!(matches!(value(&written), Value::Binary), "{written} kept");
            }
        }
        assert_eq!(compression(&[0x78, 0x3f, 1, 2]), None);
        assert_eq!(compression(b"BZh0"), None);
    }

    #[test]
    fn base64_alphabets_and_text() {
        let enc = STANDARD.encode("Ansel Whitcombe MRN MR4410827");
        let (bytes, _) = decode_b64(&enc).expect("decodes");
        assert!(readable_text(&bytes).is_some());
        assert!(readable_text(&[0, 159, 146, 150, 1, 2, 3, 4]).is_none());
        assert!(!has_b64_signs("abcdefghijklmnopqrstuvwxyz"));
    }

    #[test]
    fn compressed_text_in_base64_is_read_and_written_back_compressed() {
        let note = b"Rosalind Thackeray MR4410827 SSN 512-47-3306";
        for method in [Deflate::Gzip, Deflate::Zlib, Deflate::Raw] {
            let written = STANDARD.encode(method.compress(note));
            let Value::Text(h) = value(&written) else {
                panic!("{method:?} not read");
            };
            assert_eq!(h.text.as_bytes(), note);
            let again = h.encode("NAME_X");
            let (bytes, _) = decode_b64(&again).expect("base64");
            assert_eq!(Deflate::inflate(&bytes), Some((b"NAME_X".to_vec(), method)));
        }
    }

    #[test]
    fn hex_in_each_writing_round_trips() {
        for written in [
            "416e73656c2057686974636f6d6265",
            "416E73656C2057686974636F6D6265",
            "0x416e73656c2057686974636f6d6265",
            "41 6e 73 65 6c 20 57 68 69 74 63 6f 6d 62 65",
            "41:6E:73:65:6C:20:57:68:69:74:63:6F:6D:62:65",
        ] {
            let Value::Text(h) = value(written) else {
                panic!("{written} not read as hex");
            };
            assert_eq!(h.text, "Ansel Whitcombe");
            assert_eq!(h.encode(&h.text), written, "written back the same way");
        }
    }

    #[test]
    fn base32_padded_and_not_round_trips() {
        for written in [
            BASE32.encode(b"Ansel Whitcombe"),
            BASE32_NOPAD.encode(b"Ansel Whitcombe MRN"),
        ] {
            let Value::Text(h) = value(&written) else {
                panic!("{written} not read as base32");
            };
            assert!(h.text.starts_with("Ansel Whitcombe"));
            assert_eq!(h.encode(&h.text), written);
        }
    }

    #[test]
    fn hashes_codes_words_and_numbers_are_not_encodings() {
        for plain in [
            // A SHA-256 digest, a UUID's digits, a hex colour: bytes, not text.
            "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            "3fa85f6457174562b3fc2c963f66afa6",
            "deadbeefcafe",
            // Words, codes and numbers.
            "ABCDEFGHIJKLMNOP",
            "ICD10CM",
            "20250314",
            "M6281",
            "97530",
            "Mixed0Case1Hex",
        ] {
            assert!(text_of(value(plain)).is_none(), "{plain}");
            assert!(runs(&format!("see {plain} here")).is_empty(), "{plain}");
        }
        // Mixed case is not one hex writing.
        assert!(hex("416E73656c2057", 4).is_none());
    }

    #[test]
    fn runs_inside_text_are_found_with_their_ranges() {
        let hexed = "4d524e2034343031323334";
        let spaced = "4d 52 4e 20 34 34 30 31 32 33 34";
        let b32 = BASE32.encode(b"Ansel Whitcombe");
        let text = format!("ids {hexed}, {spaced}; and {b32} end");
        let found = runs(&text);
        let read: Vec<&str> = found.iter().map(|(_, h)| h.text.as_str()).collect();
        assert_eq!(read, ["MRN 4401234", "MRN 4401234", "Ansel Whitcombe"]);
        for (range, _) in &found {
            assert!([hexed, spaced, b32.as_str()].contains(&&text[range.clone()]));
        }
        // Three two-digit numbers set apart by spaces are too few to be bytes; four bytes
        // of text, as short as a first name, are read.
        assert!(runs("scores 41 42 43 today").is_empty());
        let found = runs("seen by 4a 6f 65 6c today");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].1.text, "Joel");
        assert_eq!(found[0].0, 8..19);
        // A word of two hex letters before the bytes is not one of them.
        let found = runs("call be 4d 52 4e 20 34 34 30 31 32 33 34 now");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].1.text, "MRN 4401234");
    }

    #[test]
    fn hex_in_groups_of_two_or_four_bytes_is_read_and_written_back_so() {
        let text = "xxd: 526f 7361 6c69 6e64 2054 6861 636b 6572 6179 end";
        let found = runs(text);
        assert_eq!(found.len(), 1, "{text}");
        let (range, hidden) = &found[0];
        assert_eq!(
            &text[range.clone()],
            "526f 7361 6c69 6e64 2054 6861 636b 6572 6179"
        );
        assert_eq!(hidden.text, "Rosalind Thackeray");
        assert_eq!(hidden.encode("Rosalind Thackeray"), &text[range.clone()]);
        let wide = "dump 526f7361 6c696e64 20546861 636b6572 6179";
        assert_eq!(
            runs(wide).first().map(|(_, h)| h.text.as_str()),
            Some("Rosalind Thackeray")
        );
        // Samples and years in groups of four digits are numbers.
        for plain in [
            "ECG 2041 2043 2037 2050 2061 2075",
            "years 2019 2020 2021 2022",
        ] {
            assert!(runs(plain).is_empty(), "{plain}");
        }
    }

    #[test]
    fn base64_broken_over_lines_is_read_joined_and_written_back_so() {
        let enc = STANDARD.encode("Patient Rosalind Thackeray MRN MR4410827 seen");
        let lines: Vec<&str> = enc
            .as_bytes()
            .chunks(20)
            .map(|c| std::str::from_utf8(c).expect("ascii"))
            .collect();
        let text = format!("attached:\r\n{}\r\nthanks", lines.join("\r\n"));
        let found = runs(&text);
        assert_eq!(found.len(), 1);
        assert!(found[0].1.text.starts_with("Patient Rosalind"));
        assert_eq!(&text[found[0].0.clone()], lines.join("\r\n"));
        assert_eq!(found[0].1.encode(&found[0].1.text), lines.join("\r\n"));
        // Lines of words are no block.
        assert!(runs("Goals\nreviewed\nupdated\ntoday").is_empty());
    }

    #[test]
    fn mime_encoded_words_are_read_however_short() {
        // `Smith` is 8 characters of base64, far below a run's minimum.
        let text = "From: =?UTF-8?B?U21pdGg=?= <x@y.example>";
        let found = runs(text);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].1.text, "Smith");
        assert_eq!(&text[found[0].0.clone()], "U21pdGg=");
        // The same characters outside an encoded word stay a word.
        assert!(runs("From: U21pdGg= today").is_empty());
    }

    #[test]
    fn short_runs_are_read_from_sixteen_characters_or_twelve_padded() {
        // A phone alone (16) and an eight-digit number alone (12, padded; red team 68).
        for (text, read) in [
            ("call NDEzLTU1NS0wMTcy today", "413-555-0172"),
            ("mrn ODg0MTIyMDc= ok", "88412207"),
        ] {
            let found = runs(text);
            assert_eq!(found.len(), 1, "{text}");
            assert_eq!(found[0].1.text, read);
        }
        // Unpadded runs under sixteen characters stay words (`TVI0NDEwODI3`).
        assert!(runs("ref TVI0NDEwODI3 x").is_empty());
    }
}
