//! Request and response bodies: reading them whole under a size and time limit, and
//! undoing `Content-Encoding` (gzip, deflate, br) under a decompression-ratio limit.
//!
//! The gateway must see a whole body before it can de-identify it, so bodies are buffered;
//! the limits keep that bounded. Anything it cannot decode is refused, never forwarded.

use std::io::Read;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::Body;
use hyper::HeaderMap;

/// Why a body could not be read or decoded.
#[derive(Debug, thiserror::Error)]
pub enum BodyError {
    #[error("body over the {limit}-byte limit")]
    TooLarge { limit: usize },
    #[error("body not received within {0:?}")]
    Timeout(Duration),
    #[error("body could not be read: {0}")]
    Read(String),
    /// The coding's name is the sender's text, so the message does not quote it.
    #[error("unsupported content-encoding (gzip, deflate and br are accepted)")]
    UnknownEncoding,
    #[error("content-encoding {0} does not decode")]
    BadEncoding(&'static str),
    #[error("decompressed body exceeds {ratio}x its compressed size")]
    Ratio { ratio: usize },
}

/// Reads a whole body, refusing it as soon as it passes `limit` bytes.
pub async fn read_limited<B>(body: B, limit: usize, timeout: Duration) -> Result<Bytes, BodyError>
where
    B: Body<Data = Bytes>,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let collect = async {
        let limited = http_body_util::Limited::new(body, limit);
        match limited.collect().await {
            Ok(c) => Ok(c.to_bytes()),
            Err(e) if e.is::<http_body_util::LengthLimitError>() => {
                Err(BodyError::TooLarge { limit })
            }
            Err(e) => Err(BodyError::Read(e.to_string())),
        }
    };
    tokio::time::timeout(timeout, collect)
        .await
        .map_err(|_| BodyError::Timeout(timeout))?
}

/// Undoes the body's content codings (last applied first). Returns the body unchanged when
/// there are none. The result is limited to `limit` bytes and `ratio` times the input.
pub fn decode(
    headers: &HeaderMap,
    body: Bytes,
    limit: usize,
    ratio: usize,
) -> Result<Bytes, BodyError> {
    let mut codings = Vec::new();
    for v in headers.get_all(hyper::header::CONTENT_ENCODING) {
        let v = v.to_str().map_err(|_| BodyError::UnknownEncoding)?;
        codings.extend(
            v.split(',')
                .map(|c| c.trim().to_ascii_lowercase())
                .filter(|c| !c.is_empty()),
        );
    }
    let mut body = body;
    for coding in codings.iter().rev() {
        let cap = limit.min(body.len().saturating_mul(ratio).max(1024));
        body = match coding.as_str() {
            "identity" => body,
            "gzip" | "x-gzip" => inflate(
                flate2::read::MultiGzDecoder::new(&body[..]),
                cap,
                limit,
                ratio,
                "gzip",
            )?,
            "deflate" => inflate_deflate(&body, cap, limit, ratio)?,
            "br" => inflate(
                brotli::Decompressor::new(&body[..], 4096),
                cap,
                limit,
                ratio,
                "br",
            )?,
            _ => return Err(BodyError::UnknownEncoding),
        };
    }
    Ok(body)
}

/// HTTP's `deflate` is zlib-wrapped, but some senders use raw deflate; accept both.
fn inflate_deflate(
    body: &[u8],
    cap: usize,
    limit: usize,
    ratio: usize,
) -> Result<Bytes, BodyError> {
    match inflate(
        flate2::read::ZlibDecoder::new(body),
        cap,
        limit,
        ratio,
        "deflate",
    ) {
        Err(BodyError::BadEncoding(_)) => inflate(
            flate2::read::DeflateDecoder::new(body),
            cap,
            limit,
            ratio,
            "deflate",
        ),
        other => other,
    }
}

/// Reads at most `cap` + 1 bytes so a bomb is stopped after `cap` bytes of output.
fn inflate(
    reader: impl Read,
    cap: usize,
    limit: usize,
    ratio: usize,
    name: &'static str,
) -> Result<Bytes, BodyError> {
    let mut out = Vec::new();
    reader
        .take(cap as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|_| BodyError::BadEncoding(name))?;
    if out.len() > cap {
        return Err(if cap >= limit {
            BodyError::TooLarge { limit }
        } else {
            BodyError::Ratio { ratio }
        });
    }
    Ok(Bytes::from(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gzip(data: &[u8]) -> Bytes {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).expect("write");
        Bytes::from(e.finish().expect("finish"))
    }

    fn with_encoding(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(hyper::header::CONTENT_ENCODING, v.parse().expect("value"));
        h
    }

    #[test]
    fn gzip_deflate_and_br_decode() {
        let text = b"Patient seen for fine-motor training".repeat(3);
        assert_eq!(
            &decode(&with_encoding("gzip"), gzip(&text), 1 << 20, 100).expect("gzip")[..],
            &text[..]
        );
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(&text).expect("write");
        let z = Bytes::from(z.finish().expect("finish"));
        assert_eq!(
            &decode(&with_encoding("deflate"), z, 1 << 20, 100).expect("deflate")[..],
            &text[..]
        );
        let mut br = Vec::new();
        brotli::CompressorWriter::new(&mut br, 4096, 5, 22)
            .write_all(&text)
            .expect("br");
        assert_eq!(
            &decode(&with_encoding("br"), Bytes::from(br), 1 << 20, 100).expect("br")[..],
            &text[..]
        );
    }

    #[test]
    fn bombs_unknown_and_broken_encodings_are_refused() {
        let bomb = gzip(&vec![0u8; 10 << 20]);
        assert!(matches!(
            decode(&with_encoding("gzip"), bomb.clone(), 64 << 20, 100),
            Err(BodyError::Ratio { .. })
        ));
        assert!(matches!(
            decode(&with_encoding("gzip"), bomb, 1 << 20, 100_000),
            Err(BodyError::TooLarge { .. })
        ));
        assert!(matches!(
            decode(
                &with_encoding("zstd"),
                Bytes::from_static(b"x"),
                1 << 20,
                100
            ),
            Err(BodyError::UnknownEncoding)
        ));
        assert!(matches!(
            decode(
                &with_encoding("gzip"),
                Bytes::from_static(b"not gzip"),
                1 << 20,
                100
            ),
            Err(BodyError::BadEncoding("gzip"))
        ));
    }
}
