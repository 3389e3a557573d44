//! Binary files pasted into text as base64: a screenshot in a note's `<img src="data:…">`,
//! a scanned form or a PDF in a message, a bare run of base64 a tool wrote into a comment.
//!
//! Owns finding them. Their bytes are not text, so nothing reads them; but the files that
//! ride so carry text of their own beside their content (PNG `tEXt`/`zTXt`, JPEG EXIF and
//! comments, DICOM tags, a PDF's compressed page text), and a name or record number in it
//! would cross byte for byte. What is not read is not forwarded: each is replaced whole
//! ([`PLACEHOLDER`]), the way a binary value under an unknown key or a FHIR attachment's
//! `data` is removed. The text around it is kept.
//!
//! A run counts as a file when it decodes as base64 to bytes that are not text and it is
//! one of: longer than an identifier ([`super::encoded::MAX_B64_ID`], as for a whole
//! value), opened by a file signature, or the payload of a `data:` URL. Hashes, keys and
//! identifiers of base64's shape are shorter, open with no signature, and stay as they are.

use std::ops::Range;

use super::encoded;

/// What a file pasted into text is replaced by.
pub const PLACEHOLDER: &str = "[BINARY]";

/// The byte ranges of `text` holding a binary file in base64, in order, not overlapping:
/// blocks broken over lines or set apart in groups, and runs within a line.
pub fn runs(text: &str, blocks: &encoded::Blocks) -> Vec<Range<usize>> {
    let mut out: Vec<Range<usize>> = Vec::new();
    let add = |out: &mut Vec<Range<usize>>, r: Range<usize>| {
        if !out.iter().any(|o| o.start < r.end && r.start < o.end) {
            out.push(r);
        }
    };
    for r in pdf_runs(text) {
        add(&mut out, r);
    }
    for (block, _) in &blocks.wrapped {
        if block.len() >= 2 {
            if let Some(r) = file_in_block(text, block) {
                add(&mut out, r);
            }
        }
    }
    for block in &blocks.grouped {
        if block.len() >= 2 {
            if let Some(r) = file_in_block(text, block) {
                add(&mut out, r);
            }
        }
    }
    for r in encoded::b64_words(text) {
        if is_file(text, &text[r.clone()], r.start) {
            add(&mut out, r);
        }
    }
    out.sort_by_key(|r| r.start);
    out
}

/// PDF files pasted into text as they are written (`%PDF-1.4 … %%EOF`), each from its
/// header to its last `%%EOF` before the next header, or to the end of the text. A PDF
/// writes its page text cut into kerning arrays (`[(Rosalind Thack) -15 (eray)] TJ`), in
/// hex strings and in compressed streams: read as text, halves of a name cross and the
/// operators are rewritten, so it is no text to read and goes whole (red team 52, H5).
fn pdf_runs(text: &str) -> Vec<Range<usize>> {
    let starts: Vec<usize> = text.match_indices(PDF_HEADER).map(|(i, _)| i).collect();
    starts
        .iter()
        .enumerate()
        .map(|(n, &start)| {
            let limit = starts.get(n + 1).copied().unwrap_or(text.len());
            let end = text[start..limit]
                .rfind(PDF_TRAILER)
                .map_or(limit, |i| start + i + PDF_TRAILER.len());
            start..end
        })
        .collect()
}

/// How a PDF file opens and ends.
const PDF_HEADER: &str = "%PDF-";
const PDF_TRAILER: &str = "%%EOF";

/// Whether decoded bytes are a PDF file: mostly ASCII when uncompressed, so they would
/// read as text; they are a file ([`pdf_runs`]).
pub(super) fn is_pdf(bytes: &[u8]) -> bool {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    bytes[start..].starts_with(PDF_HEADER.as_bytes())
}

/// A block of base64 pieces read joined; with up to two pieces left out at either end
/// when it does not decode whole (a word beside it that shares the shape).
fn file_in_block(text: &str, block: &[(usize, usize)]) -> Option<Range<usize>> {
    for front in 0..=2usize.min(block.len() - 1) {
        for back in 0..=2usize.min(block.len() - 1 - front) {
            let pieces = &block[front..block.len() - back];
            // Too short to be a file whatever it decodes to (`is_file`'s first test), which
            // most blocks in prose are: refused before joining them.
            if pieces.iter().map(|&(s, e)| e - s).sum::<usize>() < encoded::MIN_B64_RUN {
                continue;
            }
            let joined: String = pieces.iter().map(|&(s, e)| &text[s..e]).collect();
            let (start, end) = (pieces[0].0, pieces[pieces.len() - 1].1);
            if is_file(text, &joined, start) {
                return Some(start..end);
            }
        }
    }
    None
}

/// Whether base64 `b64`, written at `at` in `text`, is a binary file (see the module's
/// header).
fn is_file(text: &str, b64: &str, at: usize) -> bool {
    if b64.len() < encoded::MIN_B64_RUN {
        return false;
    }
    let data_url = text[..at].ends_with(";base64,");
    let long = b64.len() > encoded::MAX_B64_ID && encoded::has_b64_signs(b64);
    if !data_url && !long {
        // Short and not in a `data:` URL: a file only by its signature, which the first
        // bytes show (DICOM's sits at 128), so only they are decoded to look.
        let head = &b64[..b64.len().min(SIGNATURE_CHARS) / 4 * 4];
        let signed = encoded::has_b64_signs(b64)
            && encoded::decode_b64_bytes(head).is_some_and(|b| has_signature(&b));
        if !signed {
            return false;
        }
    }
    encoded::decode_b64_bytes(b64).is_some_and(|bytes| !encoded::decodes_to_text(&bytes))
}

/// Characters of base64 that hold every signature [`has_signature`] looks at.
const SIGNATURE_CHARS: usize = 176;

/// File signatures of formats that carry text beside their content.
const SIGNATURES: &[&[u8]] = &[
    b"\x89PNG",
    b"\xFF\xD8\xFF",
    b"GIF87a",
    b"GIF89a",
    b"%PDF",
    b"PK\x03\x04",
    b"\x1F\x8B\x08",
    b"II*\x00",
    b"MM\x00*",
    b"RIFF",
    b"ID3",
    b"OggS",
    b"8BPS",
    b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1",
    b"\x00\x00\x01\x00",
];

/// Bytes that open like a file of a known kind: by the signature at their start, DICOM's
/// `DICM` after its 128-byte preamble, an ISO media file's `ftyp` box (HEIC, MP4), or a
/// compressed stream's header (zlib, bzip2, xz, zstd: [`encoded::compression`]; one that
/// does not open to text goes, red team 58 R9).
fn has_signature(bytes: &[u8]) -> bool {
    SIGNATURES.iter().any(|s| bytes.starts_with(s))
        || encoded::compression(bytes).is_some()
        || bytes.get(128..132) == Some(b"DICM")
        || bytes.get(4..8) == Some(b"ftyp")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The runs of `text`, its blocks read first as the engine reads them.
    fn runs(text: &str) -> Vec<Range<usize>> {
        super::runs(text, &encoded::Blocks::of(text))
    }
    use base64::Engine as _;

    fn b64(b: &[u8]) -> String {
        base64::engine::general_purpose::STANDARD.encode(b)
    }

    fn png_with_text(text: &str) -> Vec<u8> {
        let mut b =
            b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0\x90wS\xde".to_vec();
        b.extend_from_slice(&u32::try_from(text.len() + 8).unwrap_or(0).to_be_bytes());
        b.extend_from_slice(b"tEXtComment\0");
        b.extend_from_slice(text.as_bytes());
        b.extend_from_slice(b"\0\0\0\0IEND\xaeB`\x82");
        b
    }

    #[test]
    fn a_picture_in_text_is_found_whole_short_or_long() {
        let png = b64(&png_with_text("MRN 4410827"));
        let text = format!("see {png} today");
        assert_eq!(runs(&text), vec![4..4 + png.len()]);
        let url = format!("<img src=\"data:image/png;base64,{png}\">");
        let at = url.find("iVBOR").unwrap_or(0);
        assert_eq!(runs(&url), vec![at..at + png.len()]);
        let long = b64(&png_with_text(&"Rosalind Thackeray ".repeat(20)));
        let wrapped: Vec<&str> = long
            .as_bytes()
            .chunks(76)
            .map(|c| std::str::from_utf8(c).unwrap_or(""))
            .collect();
        let text = format!("scan:\n{}\nend", wrapped.join("\n"));
        assert_eq!(runs(&text), vec![6..6 + long.len() + wrapped.len() - 1]);
        let grouped = format!("scan: {} end", wrapped.join(" "));
        assert_eq!(runs(&grouped), vec![6..6 + long.len() + wrapped.len() - 1]);
    }

    #[test]
    fn a_pdf_pasted_as_written_goes_whole() {
        let pdf = "%PDF-1.4\n4 0 obj\n<< /Length 44 >>\nstream\nBT [(Rosalind Thack) -15 (eray)] TJ ET\nendstream\nendobj\n%%EOF";
        let text = format!("attached: {pdf}\nthanks");
        assert_eq!(runs(&text), vec![10..10 + pdf.len()]);
        let cut = "see %PDF-1.7 [(Thack) -20 (eray)] TJ";
        assert_eq!(runs(cut), vec![4..cut.len()]);
        assert!(is_pdf(b"\n%PDF-1.4 ..."));
        assert!(!is_pdf(b"Patient seen, PDF to follow."));
    }

    #[test]
    fn hashes_ids_words_and_text_are_no_files() {
        for plain in [
            "sha256 n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg= ok",
            "token AbCdEf0123456789GhIjKlMnOpQrStUvWx here",
            "Patient seen today, goals updated and reviewed with family.",
            // Base64 of text is the text reader's, not a file.
            "note UGF0aWVudCBSb3NhbGluZCBUaGFja2VyYXkgc2VlbiB0b2RheQ== end",
        ] {
            assert!(runs(plain).is_empty(), "{plain}");
        }
    }
}
