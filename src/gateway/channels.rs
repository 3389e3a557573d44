//! The channels around a body that can carry PHI: request headers, the path after the
//! route prefix, the query, and the answer's headers and redirect `Location`. Each is read
//! as fields and rebuilt from what a transform (de-identify or reveal, given by the caller)
//! makes of each field; nothing is forwarded unread.
//!
//! Owns which headers cross in which direction (safe ones, the route's pass-through and
//! scanned ones; never credentials or hop-by-hop headers), how a path segment, a matrix
//! parameter, a query pair or an `Accept` range is cut out and put back, and the upstream
//! URL. It does not know what the transform does: [`super::forward`] chooses it.

use hyper::header::{HeaderMap, HeaderName, HeaderValue};
use hyper::Uri;
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, CONTROLS};

use super::media::{is_known_range, is_media_range};
use super::Route;

/// Why a channel could not be read or rebuilt. Messages name the channel, never a value.
#[derive(Debug, thiserror::Error)]
pub enum ChannelError {
    /// Something the caller sent (a header, a path segment) that cannot be read or rebuilt.
    #[error("{0}")]
    Unreadable(&'static str),
    /// A header of the upstream's answer that cannot be read, so cannot be made safe.
    #[error("a header of the answer is not visible ASCII")]
    AnswerHeader,
    /// A redirect of the answer that names a user or a host that reads as a value.
    #[error("a redirect of the answer names a user or a host that is not the clinic's")]
    AnswerLocation,
}

/// Request headers forwarded as they are on every route: none can carry PHI.
const SAFE_REQUEST_HEADERS: &[&str] = &["accept", "user-agent", "idempotency-key"];
/// Response headers returned to a caller outside the clinic (reidentify routes).
const SAFE_RESPONSE_HEADERS: &[&str] = &["cache-control", "retry-after", "etag"];
/// Hop-by-hop headers (RFC 9110 section 7.6.1), never forwarded in either direction.
const HOP_BY_HOP: &[&str] = &[
    "connection",
    "keep-alive",
    "proxy-connection",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

/// Characters escaped in a rebuilt path segment.
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'/')
    .add(b'%');

/// The request's path after the route's prefix.
pub fn path_after_prefix<'a>(route: &Route, uri: &'a Uri) -> &'a str {
    uri.path().get(route.cfg.prefix.len()..).unwrap_or("")
}

/// A path, segment by segment through `f`; with `matrix`, each `;` piece of a segment
/// (`chart;mrn=…`) is a value of its own.
pub fn map_path<E: From<ChannelError>>(
    path: &str,
    matrix: bool,
    f: &mut impl FnMut(&str) -> Result<String, E>,
) -> Result<String, E> {
    let mut out = String::with_capacity(path.len());
    for (n, seg) in path.split('/').enumerate() {
        if n > 0 {
            out.push('/');
        }
        if !matrix {
            out.push_str(&map_segment(seg, &mut *f)?);
            continue;
        }
        for (k, piece) in seg.split(';').enumerate() {
            if k > 0 {
                out.push(';');
            }
            out.push_str(&map_segment(piece, &mut *f)?);
        }
    }
    Ok(out)
}

/// Applies `f` to a percent-decoded path segment, re-encoding only when it changed.
fn map_segment<E: From<ChannelError>>(
    seg: &str,
    f: impl FnOnce(&str) -> Result<String, E>,
) -> Result<String, E> {
    if seg.is_empty() {
        return Ok(String::new());
    }
    let decoded = percent_decode_str(seg)
        .decode_utf8()
        .map_err(|_| ChannelError::Unreadable("a path segment is not UTF-8"))?;
    let new = f(&decoded)?;
    if new == decoded {
        return Ok(seg.to_string());
    }
    Ok(utf8_percent_encode(&new, SEGMENT).to_string())
}

/// A path with its segments percent-decoded and joined by `/` again, as a reader sees it
/// whole.
pub fn decoded_path(path: &str) -> Result<String, ChannelError> {
    percent_decode_str(path)
        .decode_utf8()
        .map(|p| p.into_owned())
        .map_err(|_| ChannelError::Unreadable("a path segment is not UTF-8"))
}

/// A decoded path written back, segment by segment.
pub fn encoded_path(decoded: &str) -> String {
    decoded
        .split('/')
        .map(|seg| utf8_percent_encode(seg, SEGMENT).to_string())
        .collect::<Vec<_>>()
        .join("/")
}

/// The upstream URL: its path, then the request's path after the prefix, then the query.
pub fn upstream_uri(base: &Uri, rest: &str) -> Result<Uri, ChannelError> {
    let base_path = base.path().trim_end_matches('/');
    let joined = if rest.is_empty() || rest.starts_with('?') {
        format!("{base_path}{rest}")
    } else {
        format!("{base_path}/{}", rest.trim_start_matches('/'))
    };
    let joined = if joined.is_empty() || joined.starts_with('?') {
        format!("/{joined}")
    } else {
        joined
    };
    let mut parts = base.clone().into_parts();
    parts.path_and_query = Some(
        joined
            .parse()
            .map_err(|_| ChannelError::Unreadable("the upstream path could not be built"))?,
    );
    Uri::from_parts(parts)
        .map_err(|_| ChannelError::Unreadable("the upstream URL could not be built"))
}

/// The header names a route forwards (safe, pass-through and scanned), lower case, each
/// once, without hop-by-hop headers.
fn forwarded_names(route: &Route) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let all = SAFE_REQUEST_HEADERS
        .iter()
        .copied()
        .chain(route.cfg.pass_headers.iter().map(String::as_str))
        .chain(route.cfg.scan_headers.iter().map(String::as_str));
    for name in all {
        let lower = name.to_ascii_lowercase();
        if !names.contains(&lower) && !is_hop_by_hop_name(&lower) {
            names.push(lower);
        }
    }
    names
}

/// Headers for the clinic (reidentify routes): the safe ones and the pass-through ones the
/// route names as they came, the scanned ones through `reveal`. Credentials and everything
/// else stay behind.
pub fn revealed_headers<E: From<ChannelError>>(
    incoming: &HeaderMap,
    route: &Route,
    mut reveal: impl FnMut(&str) -> Result<String, E>,
) -> Result<HeaderMap, E> {
    let mut out = HeaderMap::new();
    let scanned = |name: &str| {
        route
            .cfg
            .scan_headers
            .iter()
            .any(|s| s.eq_ignore_ascii_case(name))
    };
    let passed = |name: &str| {
        SAFE_REQUEST_HEADERS.contains(&name)
            || route
                .cfg
                .pass_headers
                .iter()
                .any(|p| p.eq_ignore_ascii_case(name))
    };
    for name in forwarded_names(route) {
        if passed(&name) {
            for v in incoming.get_all(name.as_str()) {
                append_value(&mut out, &name, v.clone())?;
            }
        }
        if scanned(&name) {
            for v in incoming.get_all(name.as_str()) {
                let text = v.to_str().map_err(|_| {
                    ChannelError::Unreadable("a scanned header is not visible ASCII")
                })?;
                append_header(&mut out, &name, &reveal(text)?)?;
            }
        }
    }
    Ok(out)
}

/// Headers for the outside (deidentify routes): every header that crosses is read and
/// made safe. `Accept` is rebuilt from its media types; cookies are joined into one
/// (HTTP/2 sends crumbs) and read as `name=value` pairs; every other value is
/// de-identified like a field. Credentials and unlisted headers stay behind.
pub fn deidentified_headers<E: From<ChannelError>>(
    incoming: &HeaderMap,
    route: &Route,
    mut deidentify: impl FnMut(&str) -> Result<String, E>,
) -> Result<HeaderMap, E> {
    let mut out = HeaderMap::new();
    for name in forwarded_names(route) {
        let mut values = Vec::new();
        for v in incoming.get_all(name.as_str()) {
            values.push(v.to_str().map_err(|_| {
                ChannelError::Unreadable("a forwarded header is not visible ASCII")
            })?);
        }
        if values.is_empty() {
            continue;
        }
        if name == "cookie" {
            let pairs = cookie_form(&values);
            let form = deidentify(&pairs)?;
            append_header(&mut out, &name, &form.replace('&', "; "))?;
            continue;
        }
        for v in values {
            let new = if name == "accept" {
                rebuilt_accept(v)
            } else if crate::engine::protocol::is_keyed_protocol_value(&name, v) {
                // `anthropic-version: 2023-06-01`: the API's date, by name and grammar.
                v.to_string()
            } else {
                deidentify(v)?
            };
            append_header(&mut out, &name, &new)?;
        }
    }
    Ok(out)
}

/// Cookie crumbs as one form for the reader: pairs split at `;` and trimmed, a blank
/// inside a value kept as a form blank (`+`). Deleting blanks (as once done) glued
/// `who=R Thackeray` into `RThackeray`, a word the reader no longer sees as a name (G23).
/// RFC 6265 values hold no blanks, so the `+` the rebuilt header carries changes no
/// well-formed cookie.
fn cookie_form(values: &[&str]) -> String {
    values
        .iter()
        .flat_map(|v| v.split(';'))
        .map(|pair| pair.trim().replace(' ', "+"))
        .filter(|pair| !pair.is_empty())
        .collect::<Vec<_>>()
        .join("&")
}

/// The headers of the clinic's answer that go outside (reidentify routes): the safe ones,
/// de-identified, and a redirect's `Location` with its path and query de-identified.
pub fn answer_headers<E: From<ChannelError>>(
    from: &HeaderMap,
    to: &mut HeaderMap,
    own_host: Option<&str>,
    mut deidentify: impl FnMut(&str) -> Result<String, E>,
) -> Result<(), E> {
    for name in SAFE_RESPONSE_HEADERS.iter().copied().chain(["location"]) {
        for v in from.get_all(name) {
            let text = v.to_str().map_err(|_| ChannelError::AnswerHeader)?;
            let new = if name == "location" {
                deidentified_location(text, own_host, &mut deidentify)?
            } else {
                deidentify(text)?
            };
            append_header(to, name, &new)?;
        }
    }
    Ok(())
}

/// The headers of the outside's answer that go back inside (deidentify routes): all but
/// hop-by-hop ones and the length (the body is re-framed).
pub fn returned_headers(from: &HeaderMap, to: &mut HeaderMap) {
    for (name, value) in from {
        if !is_hop_by_hop_name(name.as_str()) && name != hyper::header::CONTENT_LENGTH {
            to.append(name, value.clone());
        }
    }
}

/// A redirect target: scheme, host and port kept while they read as no value, every path
/// segment and every query key and value de-identified.
///
/// Fail closed: the origin is the clinic's text too. Userinfo (`https://Rosalind@…`) is
/// refused, and so is any host but the route's own upstream's (`own_host`): a host's
/// labels can spell anything (`rosalind-thackeray.emr.example`, `mr4410827.emr.example`).
/// The value is first read the way a browser reads it ([`browser_location`]), so
/// `//host`, `https:host`, `/\host` and a tab inside `https://` name a host too.
fn deidentified_location<E: From<ChannelError>>(
    loc: &str,
    own_host: Option<&str>,
    deidentify: &mut impl FnMut(&str) -> Result<String, E>,
) -> Result<String, E> {
    let loc = browser_location(loc)?;
    let (origin, rest) = match location_authority(&loc)? {
        Some((origin_end, authority)) => {
            if authority.contains(['@', '%']) {
                return Err(ChannelError::AnswerLocation.into());
            }
            let host = match authority.rsplit_once(':') {
                Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h,
                _ => authority,
            };
            if !own_host.is_some_and(|own| own.eq_ignore_ascii_case(host)) {
                return Err(ChannelError::AnswerLocation.into());
            }
            loc.split_at(origin_end)
        }
        None => ("", loc.as_str()),
    };
    let (path, query) = match rest.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (rest, None),
    };
    let mut out = origin.to_string();
    out.push_str(&map_path(path, false, deidentify)?);
    if let Some(q) = query {
        out.push('?');
        let mut ser = form_urlencoded::Serializer::new(String::new());
        let pairs =
            crate::engine::form::strict_pairs(q).map_err(|_| ChannelError::AnswerLocation)?;
        for (k, v) in pairs {
            ser.append_pair(&deidentify(&k)?, &deidentify(&v)?);
        }
        out.push_str(&ser.finish());
    }
    Ok(out)
}

/// A `Location` as a browser reads it (WHATWG URL): blanks and C0 controls around it
/// dropped, tabs and line breaks inside removed, `\\` read as `/` (http and https are
/// "special" schemes, and a relative value is resolved against one). Other control
/// characters cannot be read safely and are refused.
fn browser_location(loc: &str) -> Result<String, ChannelError> {
    let trimmed = loc.trim_matches(|c: char| c <= ' ');
    let mut out = String::with_capacity(trimmed.len());
    for c in trimmed.chars() {
        match c {
            '\t' | '\n' | '\r' => {}
            '\\' => out.push('/'),
            c if c.is_control() => return Err(ChannelError::AnswerLocation),
            c => out.push(c),
        }
    }
    Ok(out)
}

/// Where a browser-read `Location` names an authority: `Some((end of the origin, the
/// authority))` for `scheme:` + any number of slashes (`https:host`, `https:///host`) or a
/// scheme-relative `//host`; `None` for a path (`/chart`, `chart`, `?q`). A scheme other
/// than http or https is refused: a redirect has no business elsewhere.
fn location_authority(loc: &str) -> Result<Option<(usize, &str)>, ChannelError> {
    let after = if let Some(scheme_end) = scheme_length(loc) {
        let scheme = &loc[..scheme_end];
        if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
            return Err(ChannelError::AnswerLocation);
        }
        let slashes = loc[scheme_end + 1..]
            .bytes()
            .take_while(|b| *b == b'/')
            .count();
        scheme_end + 1 + slashes
    } else if loc.starts_with("//") {
        2
    } else {
        return Ok(None);
    };
    let end = loc[after..]
        .find(['/', '?', '#'])
        .map_or(loc.len(), |p| after + p);
    Ok(Some((end, &loc[after..end])))
}

/// The length of a URL scheme at the start (`[A-Za-z][A-Za-z0-9+.-]*` before `:`).
fn scheme_length(loc: &str) -> Option<usize> {
    let colon = loc.find(':')?;
    let scheme = &loc[..colon];
    let mut bytes = scheme.bytes();
    let first = bytes.next()?;
    (first.is_ascii_alphabetic()
        && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.')))
    .then_some(colon)
}

/// `Accept` as its media ranges and their weights only; other parameters are dropped.
fn rebuilt_accept(v: &str) -> String {
    let mut ranges = Vec::new();
    for range in v.split(',') {
        let mut parts = range.split(';');
        let essence = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        // Only ranges this gateway knows by name: any other is the sender's text
        // (`text/rosalind.thackeray`), never read, so never forwarded.
        if !is_media_range(&essence, b"!#$&^_.+-*") || !is_known_range(&essence) {
            continue;
        }
        let q = parts.find_map(|p| {
            let (k, v) = p.split_once('=')?;
            let v = v.trim();
            (k.trim() == "q" && v.len() <= 5 && v.bytes().all(|b| b.is_ascii_digit() || b == b'.'))
                .then(|| v.to_string())
        });
        ranges.push(match q {
            Some(q) => format!("{essence};q={q}"),
            None => essence,
        });
    }
    if ranges.is_empty() {
        "*/*".to_string()
    } else {
        ranges.join(", ")
    }
}

fn append_header(out: &mut HeaderMap, name: &str, value: &str) -> Result<(), ChannelError> {
    let v = HeaderValue::from_str(value)
        .map_err(|_| ChannelError::Unreadable("a header could not be rebuilt"))?;
    append_value(out, name, v)
}

fn append_value(out: &mut HeaderMap, name: &str, v: HeaderValue) -> Result<(), ChannelError> {
    let n = HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| ChannelError::Unreadable("a header could not be rebuilt"))?;
    out.append(n, v);
    Ok(())
}

fn is_hop_by_hop_name(name: &str) -> bool {
    HOP_BY_HOP.contains(&name)
}

/// Sets `x-request-id`, so either side can quote it to the operator.
pub fn set_request_id(h: &mut HeaderMap, id: &str) {
    if let Ok(v) = HeaderValue::from_str(id) {
        h.insert("x-request-id", v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upstream_uri_joins_paths_and_queries() {
        let base: Uri = "https://up.example/in/".parse().expect("uri");
        assert_eq!(
            upstream_uri(&base, "a/b?x=1").expect("u").to_string(),
            "https://up.example/in/a/b?x=1"
        );
        assert_eq!(
            upstream_uri(&base, "").expect("u").to_string(),
            "https://up.example/in"
        );
        assert_eq!(
            upstream_uri(&base, "?q=1").expect("u").to_string(),
            "https://up.example/in?q=1"
        );
        let root: Uri = "https://up.example".parse().expect("uri");
        assert_eq!(
            upstream_uri(&root, "").expect("u").to_string(),
            "https://up.example/"
        );
    }

    #[test]
    fn segments_are_re_encoded_only_when_changed() {
        let same = map_segment::<ChannelError>("a%20b", |s| Ok(s.to_string())).expect("ok");
        assert_eq!(same, "a%20b");
        let changed =
            map_segment::<ChannelError>("Maria%20Lopez", |_| Ok("NAME_X Y/Z".into())).expect("ok");
        assert_eq!(changed, "NAME_X%20Y%2FZ");
    }

    #[test]
    fn a_path_is_decoded_and_encoded_whole() {
        let decoded = decoded_path("/p/4471%20Quarry/Rd%2Fx").expect("utf-8");
        assert_eq!(decoded, "/p/4471 Quarry/Rd/x");
        assert_eq!(encoded_path(&decoded), "/p/4471%20Quarry/Rd/x");
        assert!(decoded_path("/p/%FF").is_err());
    }

    #[test]
    fn matrix_parameters_are_values_of_their_own() {
        let mut seen = Vec::new();
        let out = map_path::<ChannelError>("chart;mrn=7/x", true, &mut |v: &str| {
            seen.push(v.to_string());
            Ok(v.to_uppercase())
        })
        .expect("path");
        assert_eq!(seen, ["chart", "mrn=7", "x"]);
        assert_eq!(out, "CHART;MRN=7/X");
        let whole =
            map_path::<ChannelError>("chart;mrn=7", false, &mut |v: &str| Ok(v.len().to_string()))
                .expect("path");
        assert_eq!(whole, "11");
    }

    #[test]
    fn accept_keeps_media_ranges_and_weights_only() {
        assert_eq!(
            rebuilt_accept("application/json; patient=\"Ansel Whitcombe\", text/*;q=0.5"),
            "application/json, text/*;q=0.5"
        );
        assert_eq!(rebuilt_accept("Ansel Whitcombe"), "*/*");
        assert_eq!(
            rebuilt_accept("text/rosalind.thackeray, application/mr4410827, application/json"),
            "application/json"
        );
        assert_eq!(rebuilt_accept("thackeray/rosalind;q=0.9"), "*/*");
    }

    #[test]
    fn redirects_keep_their_origin() {
        let mut calls = Vec::new();
        let out = deidentified_location::<ChannelError>(
            "https://emr.example/chart/MR4410827?next=a",
            Some("emr.example"),
            &mut |v: &str| {
                calls.push(v.to_string());
                Ok(if v == "MR4410827" {
                    "ID_X".to_string()
                } else {
                    v.to_string()
                })
            },
        )
        .expect("location");
        assert_eq!(out, "https://emr.example/chart/ID_X?next=a");
    }

    #[test]
    fn redirects_with_userinfo_or_another_host_are_refused() {
        let mut read = |v: &str| -> Result<String, ChannelError> { Ok(v.to_string()) };
        let own = Some("emr.example");
        for loc in [
            "https://Rosalind.Thackeray@emr.example/chart",
            "https://rthackeray:MR4410827@emr.example/chart",
            "https://mr4410827.emr.example/chart",
            "https://rosalind-thackeray.emr.example/chart",
            "https://emr.example@evil.example/",
            "https://emr%2Eexample/",
        ] {
            assert!(
                matches!(
                    deidentified_location(loc, own, &mut read),
                    Err(ChannelError::AnswerLocation)
                ),
                "{loc}"
            );
        }
        assert_eq!(
            deidentified_location("https://EMR.example:8443/chart", own, &mut read).expect("kept"),
            "https://EMR.example:8443/chart"
        );
        assert_eq!(
            deidentified_location("/chart?x=1", own, &mut read).expect("relative"),
            "/chart?x=1"
        );
        assert!(deidentified_location("https://other.example/", own, &mut read).is_err());
    }

    #[test]
    fn cookie_blanks_stay_inside_their_values() {
        assert_eq!(
            cookie_form(&["who=R Thackeray; sid=a+b", " lang=en ;"]),
            "who=R+Thackeray&sid=a+b&lang=en"
        );
    }

    #[test]
    fn redirects_are_read_as_a_browser_reads_them() {
        let mut read = |v: &str| -> Result<String, ChannelError> { Ok(v.to_string()) };
        let own = Some("emr.example");
        for loc in [
            "//dragana-vukovljevic.emr.example/chart",
            "https:dvukovljevic.example/chart",
            "https:///dvukovljevic.example/chart",
            "/\\dvukovljevic.example/chart",
            "\\\\dvukovljevic.example\\chart",
            "https:\t//dvukovljevic.example/",
            "htt\nps://dvukovljevic.example/",
            " //dvukovljevic.example/",
            "javascript:alert(1)",
            "mailto:rthackeray@mail.example",
            "/chart\u{7f}x",
            "/chart?who=Thack%FFeray",
        ] {
            assert!(
                matches!(
                    deidentified_location(loc, own, &mut read),
                    Err(ChannelError::AnswerLocation)
                ),
                "{loc:?}"
            );
        }
        for (loc, read_as) in [
            ("//emr.example/chart", "//emr.example/chart"),
            ("https:emr.example/chart", "https:emr.example/chart"),
            ("https:\t//emr.example/c", "https://emr.example/c"),
            ("/chart\\x", "/chart/x"),
            ("chart/x?a=1", "chart/x?a=1"),
        ] {
            assert_eq!(
                deidentified_location(loc, own, &mut read).expect("own host"),
                read_as,
                "{loc:?}"
            );
        }
    }
}
