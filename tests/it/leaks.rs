//! The leak matrix (issue 12, DESIGN principle 1: fail closed). Synthetic canary PHI is put
//! in every channel the gateway forwards, in every encoding and trick we know of, through the
//! real `phigate serve` binary and a real TLS upstream; both directions.
//!
//! A case passes when the request is either
//! - forwarded, and no canary is in any decoded view of what crossed (deidentify: what the
//!   upstream received; reidentify: what the outside caller received back), or
//! - refused with an `application/problem+json` 4xx, nothing forwarded, and no canary in the
//!   problem body.
//!
//! Some cases must be forwarded (`must_forward`): a refusal there is a false refusal.
//!
//! The cases are generated from the tables below (canaries × channels × tricks, echo shapes,
//! explicit must-forward inputs) plus a deterministic, proptest-generated sample of random
//! payload shapes. `KNOWN_GAPS` lists the case ids that fail on the current engine: the
//! suite fails on any other failure, and on a known gap that now passes (delete it from the
//! list). Run with `PHIGATE_LEAKS_REGEN=1` to print the current failing ids as a Rust list.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::Path;
use std::time::{Duration, Instant};

use base64::Engine as _;
use bytes::Bytes;
use http_body_util::Full;
use hyper::header::HeaderValue;
use hyper::{HeaderMap, Method, Request};
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, CONTROLS};
use serde_json::{json, Value};

use super::gw_harness::{client, send, sha256_hex, Gateway, Pki, Seen, TestClient, Upstream};

// ---------------------------------------------------------------------------------------
// Canaries (synthetic, made up).

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Kind {
    Name,
    Mrn,
    Ssn,
    Phone,
    Email,
    Dob,
    Addr,
}

impl Kind {
    fn id(self) -> &'static str {
        match self {
            Kind::Name => "name",
            Kind::Mrn => "mrn",
            Kind::Ssn => "ssn",
            Kind::Phone => "phone",
            Kind::Email => "email",
            Kind::Dob => "dob",
            Kind::Addr => "addr",
        }
    }
}

struct Canary {
    kind: Kind,
    value: &'static str,
    /// A key the field rules know for this kind.
    key: &'static str,
    /// A key nobody knows.
    unknown: &'static str,
    /// Free text around the value (`{}`).
    cue: &'static str,
    /// The value as a JSON number, when it has one.
    number: Option<u64>,
    /// Looked for in the stripped view (folded, separators removed).
    needles: &'static [&'static str],
    /// The PHI type a reidentify caller must be allowed to reveal.
    phi_type: &'static str,
}

const CANARIES: &[Canary] = &[
    Canary {
        kind: Kind::Name,
        value: "Rosalind Thackeray",
        key: "patientName",
        unknown: "who",
        cue: "Patient {} seen today for grip strength.",
        number: None,
        needles: &["rosalind", "thackeray"],
        phi_type: "NAME",
    },
    Canary {
        kind: Kind::Mrn,
        value: "MR4410827",
        key: "mrn",
        unknown: "ref",
        cue: "Chart {} reviewed, goals updated.",
        number: Some(4_410_827),
        needles: &["4410827"],
        phi_type: "MRN",
    },
    Canary {
        kind: Kind::Ssn,
        value: "512-47-3306",
        key: "ssn",
        unknown: "govId",
        cue: "SSN {} on file for billing.",
        number: Some(512_473_306),
        needles: &["512473306"],
        phi_type: "SSN",
    },
    Canary {
        kind: Kind::Phone,
        value: "413-555-0172",
        key: "phone",
        unknown: "cb",
        cue: "Call back at {} after 5pm.",
        number: Some(4_135_550_172),
        needles: &["5550172"],
        phi_type: "PHONE",
    },
    Canary {
        kind: Kind::Email,
        value: "otter.lake.74@inbox.example",
        key: "email",
        unknown: "reach",
        cue: "Send the summary to {} please.",
        number: None,
        needles: &["otterlake74"],
        phi_type: "EMAIL",
    },
    Canary {
        kind: Kind::Dob,
        value: "1961-08-23",
        key: "dob",
        unknown: "d1",
        cue: "DOB {}, seen today.",
        number: Some(19_610_823),
        needles: &["19610823", "08231961", "23081961"],
        phi_type: "DATE",
    },
    Canary {
        kind: Kind::Addr,
        value: "4471 Quarry Hollow Rd",
        key: "address",
        unknown: "where",
        cue: "Home visit at {}, Springfield.",
        number: None,
        needles: &["quarryhollow"],
        phi_type: "ADDRESS",
    },
];

fn cue(c: &Canary, v: &str) -> String {
    c.cue.replace("{}", v)
}

// ---------------------------------------------------------------------------------------
// Tricks: how a value (or a whole body) is encoded. `None`: does not apply to this value.

/// Every value trick (the property sample draws from all of them).
const VALUE_TRICKS: &[&str] = &[
    "upper",
    "lower",
    "html_dec",
    "html_hex",
    "named",
    "fullwidth",
    "nbsp",
    "endash",
    "nbhyphen",
    "zwsp",
    "shy",
    "invisible",
    "pct1",
    "pct2",
    "pct00",
    "b64",
    "spaced",
    "leet",
    "spoken",
    "lookalike",
    "cyrillic",
    "arabic_digits",
    "qp",
    "qp_full",
    "reversed",
    "uu",
    "hex",
    "hex_spaced",
    "b32",
    "leet_symbols",
    "bracketed",
    "piped",
    "one_per_line",
    "hex_literal",
    "regional",
    "camel",
    "camel_lower",
    "camel_prefixed",
    "doubled",
    "upside_down",
    "line_broken",
    "spoken_dash",
    "morse",
    "spelling",
    "inline_tags",
    "html_comment",
    "octal",
    "decimal_codes",
    "turned_refs",
    "attr_tags",
    "comment_text",
    "tag_chars",
    "selectors",
    "refs_no_semi",
    "hex_bytes",
    "u_plus",
    "underscored",
    "odd_groups",
    "comma_joined",
    "circled_digits",
    "b64_gzip",
    "b64_deflate",
    "token_shaped",
    "hyphen_host",
    "invisible_named",
    "del_inside",
    "c1_inside",
    "pct_deep",
    "amp_deep",
    "b64_grouped",
    "b64_grouped_lines",
    "b64_utf32",
    "b64_utf32be",
    "defanged",
    "dotless_email",
    "mr_grouped",
    "pct_u",
    "phone_dot",
    "week_date",
    "ordinal_date",
    "foreign_date",
    "braille",
    "rot47",
    "css_escapes",
    "slashed",
    "utf7",
    "rtf_hex",
    "rtf_u",
    "rtf_group",
    "rtf_ctrl",
    "rtf_hidden",
    "rtf_bare_hex",
    "md_bold",
    "md_under",
    "md_ticks",
    "wiki_bold",
    "tex_bold",
    "tex_empty",
    "ansi_sgr",
    "overstrike",
];

/// The tricks tried on every channel of `TRICK_CHANNELS` (the rest go by `EXTRA_TRICKS`).
const MAIN_TRICKS: &[&str] = &[
    "upper",
    "lower",
    "html_dec",
    "named",
    "fullwidth",
    "nbsp",
    "endash",
    "nbhyphen",
    "zwsp",
    "invisible",
    "pct1",
    "pct2",
    "pct00",
    "b64",
    "spaced",
    "leet",
    "spoken",
    "lookalike",
    "cyrillic",
    "arabic_digits",
    "qp",
    "qp_full",
    "reversed",
    "uu",
    "hex",
    "hex_spaced",
    "b32",
    "leet_symbols",
    "bracketed",
    "piped",
    "one_per_line",
    "hex_literal",
    "regional",
    "camel",
    "camel_lower",
    "doubled",
    "upside_down",
    "line_broken",
    "spoken_dash",
];
/// Character references make no sense in a URL: these tricks are not tried there.
const NOT_IN_URLS: &[&str] = &["html_dec", "named"];

const BODY_TRICKS: &[&str] = &[
    "utf8_bom",
    "utf16le_bom",
    "utf16be_bom",
    "utf16le_decl",
    "utf16le_bare",
    "latin1",
    "utf32le_bom",
    "utf32le_as_latin1",
    "ebcdic_as_latin1",
    "ebcdic_as_cp1252",
];
/// Body tricks that must be read and forwarded (the rest may be refused).
const BODY_TRICKS_READ: &[&str] = &[
    "utf8_bom",
    "utf16le_bom",
    "utf16be_bom",
    "utf16le_decl",
    "latin1",
    "utf32le_bom",
];
/// Body tricks for XML documents alone, on `XML_BODY_TRICK_CHANNELS`.
const XML_BODY_TRICKS: &[&str] = &["xml_latin1_prolog", "xml_utf16_prolog"];
const XML_BODY_TRICK_CHANNELS: &[&str] = &["xml_note"];

fn middle(v: &str) -> usize {
    let mut i = v.len() / 2;
    while !v.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// An uncompressed PDF whose page shows the canary's cue with the value cut in two by a
/// kerning number in a `TJ` array, as PDF producers write text.
fn pdf_kerned(c: &Canary, v: &str) -> String {
    let (a, b) = v.split_at(middle(v));
    let line = cue(c, &format!("{a}) -15 ({b}"));
    let page = format!("BT /F1 12 Tf 72 720 Td [({line})] TJ ET");
    format!(
        "%PDF-1.4\n1 0 obj\n<< /Length {} >>\nstream\n{page}\nendstream\nendobj\n\
         trailer\n<< /Root 1 0 R >>\n%%EOF\n",
        page.len()
    )
}

/// `body` as an RTF document.
fn rtf(body: &str) -> String {
    format!("{{\\rtf1\\ansi\\deff0 {body}\\par}}")
}

/// `v` with its middle ASCII character written as an RTF hex escape (`MR441\'30827`).
fn escaped_middle(v: &str) -> String {
    let at = middle(v);
    match v[at..].chars().next() {
        Some(ch) if ch.is_ascii() => format!("{}\\'{:02x}{}", &v[..at], ch as u32, &v[at + 1..]),
        _ => v.to_string(),
    }
}

/// Each word of `v` (two characters or more) with its second half between `open` and
/// `close` (`Thack**eray**`).
fn emphasised(v: &str, open: &str, close: &str) -> String {
    let words: Vec<String> = v
        .split(' ')
        .map(|w| {
            let mut cut = w.len() / 2;
            while !w.is_char_boundary(cut) {
                cut -= 1;
            }
            if cut == 0 {
                w.to_string()
            } else {
                format!("{}{open}{}{close}", &w[..cut], &w[cut..])
            }
        })
        .collect();
    words.join(" ")
}

/// Each word of `v` (two characters or more) cut at its middle by `mark`.
fn cut_words(v: &str, mark: &str) -> String {
    let words: Vec<String> = v
        .split(' ')
        .map(|w| {
            let mut cut = w.len() / 2;
            while !w.is_char_boundary(cut) {
                cut -= 1;
            }
            if cut == 0 {
                w.to_string()
            } else {
                format!("{}{mark}{}", &w[..cut], &w[cut..])
            }
        })
        .collect();
    words.join(" ")
}

fn replace_seps(v: &str, f: impl Fn(char) -> Option<String>) -> Option<String> {
    let mut out = String::new();
    let mut changed = false;
    for ch in v.chars() {
        match f(ch) {
            Some(r) => {
                out.push_str(&r);
                changed = true;
            }
            None => out.push(ch),
        }
    }
    changed.then_some(out)
}

/// Separators as character references; a value without one gets its middle character.
fn char_refs(v: &str, hex: bool) -> String {
    let r = |ch: char| {
        let n = if ch == ' ' { 0xA0 } else { ch as u32 };
        if hex {
            format!("&#x{n:X};")
        } else {
            format!("&#{n};")
        }
    };
    replace_seps(v, |ch| matches!(ch, ' ' | '-' | '@' | '.').then(|| r(ch))).unwrap_or_else(|| {
        let i = middle(v);
        let ch = v[i..].chars().next().unwrap_or('0');
        format!("{}{}{}", &v[..i], r(ch), &v[i + ch.len_utf8()..])
    })
}

/// Every byte of `v` percent-encoded (`R` → `%52`).
fn pct_every(v: &str) -> String {
    v.bytes().map(|b| format!("%{b:02X}")).collect()
}

/// Every byte as a decimal character reference (`&#82;&#111;…`).
fn html_every(v: &str) -> String {
    v.bytes().map(|b| format!("&#{b};")).collect()
}

fn pct_once(v: &str) -> String {
    let out = utf8_percent_encode(v, percent_encoding::NON_ALPHANUMERIC).to_string();
    if out != v {
        return out;
    }
    let i = middle(v);
    let ch = v[i..].chars().next().unwrap_or('0');
    format!("{}%{:02X}{}", &v[..i], ch as u32, &v[i + ch.len_utf8()..])
}

/// `v` with the characters `encode` picks written as quoted-printable escapes; the middle
/// character when it picks none.
fn qp(v: &str, encode: impl Fn(char) -> bool) -> String {
    let escape = |ch: char| {
        let mut buf = [0u8; 4];
        ch.encode_utf8(&mut buf)
            .bytes()
            .map(|b| format!("={b:02X}"))
            .collect::<String>()
    };
    replace_seps(v, |ch| encode(ch).then(|| escape(ch))).unwrap_or_else(|| {
        let i = middle(v);
        let ch = v[i..].chars().next().unwrap_or('0');
        format!("{}{}{}", &v[..i], escape(ch), &v[i + ch.len_utf8()..])
    })
}

fn value_trick(trick: &str, c: &Canary) -> Option<String> {
    let v = c.value;
    match trick {
        "plain" => Some(v.to_string()),
        "upper" => Some(v.to_uppercase()).filter(|u| u != v),
        "lower" => Some(v.to_lowercase()).filter(|u| u != v),
        "html_dec" => Some(char_refs(v, false)),
        "html_hex" => Some(char_refs(v, true)),
        "named" => replace_seps(v, |ch| {
            match ch {
                ' ' => Some("&nbsp;"),
                '-' => Some("&hyphen;"),
                '@' => Some("&commat;"),
                '.' => Some("&period;"),
                _ => None,
            }
            .map(str::to_string)
        }),
        "fullwidth" => replace_seps(v, |ch| {
            ch.is_ascii_alphanumeric()
                .then(|| char::from_u32(ch as u32 + 0xFEE0).map(String::from))
                .flatten()
        }),
        "nbsp" => replace_seps(v, |ch| (ch == ' ').then(|| "\u{a0}".to_string())),
        "endash" => replace_seps(v, |ch| (ch == '-').then(|| "\u{2013}".to_string())),
        "nbhyphen" => replace_seps(v, |ch| (ch == '-').then(|| "\u{2011}".to_string())),
        "zwsp" | "shy" => {
            let i = middle(v);
            let mark = if trick == "zwsp" {
                '\u{200b}'
            } else {
                '\u{ad}'
            };
            Some(format!("{}{mark}{}", &v[..i], &v[i..]))
        }
        // Other default-ignorable code points after every second character: a tag
        // character, a variation selector, a bidi isolate, the grapheme joiner.
        "invisible" => {
            let marks = ['\u{E0061}', '\u{FE0F}', '\u{2066}', '\u{034F}'];
            let mut out = String::new();
            for (i, ch) in v.chars().enumerate() {
                out.push(ch);
                if i % 2 == 1 {
                    out.push(marks[(i / 2) % marks.len()]);
                }
            }
            Some(out)
        }
        // Morse code, words set apart by ` / `: `.-. --- ... .- .-.. .. -. -.. / - .... …`.
        "morse" => matches!(c.kind, Kind::Name | Kind::Addr).then(|| morse(v)),
        // The spelling alphabet, words set apart by commas: `romeo oscar sierra …, tango …`.
        "spelling" => (c.kind == Kind::Name).then(|| spelling(v)),
        // Letter-spaced: `R o s a l i n d   T h a c k e r a y`, `5 1 2 - 4 7 - 3 3 0 6`.
        "spaced" => Some(v.chars().map(String::from).collect::<Vec<_>>().join(" ")),
        // Digits for the letters they look like, inside a name's words: `R0salind Th4ckeray`.
        "leet" => (c.kind == Kind::Name).then(|| leet(v)),
        // Symbols for the letters they look like, inside a name's words: `Ro$@l!nd Th@cker@y`.
        "leet_symbols" => (c.kind == Kind::Name).then(|| leet_symbols(v)),
        // Each letter and digit in brackets, the rest as written: `[R][o][s]…`,
        // `[5][1][2]-[4][7]-…`, `[o][t]….[l][a]…@[i][n]…`.
        "bracketed" => Some(
            v.chars()
                .map(|ch| {
                    if ch.is_ascii_alphanumeric() {
                        format!("[{ch}]")
                    } else {
                        ch.to_string()
                    }
                })
                .collect(),
        ),
        // A name's words run together, each keeping its capital (`RosalindThackeray`), or
        // as a schema's key is written (`rosalindThackeray`).
        "camel" => (c.kind == Kind::Name).then(|| v.replace(' ', "")),
        "camel_lower" => (c.kind == Kind::Name).then(|| {
            let joined = v.replace(' ', "");
            let mut chars = joined.chars();
            chars
                .next()
                .map(|f| f.to_lowercase().chain(chars).collect())
                .unwrap_or_default()
        }),
        // Every character written twice (`RRoossaalliinndd  TThhaacckkeerraayy`), and the
        // value turned upside down (`ʎɐɹǝʞɔɐɥ┴ puᴉlɐsoᴚ`: each character turned, read from
        // its end).
        "doubled" => Some(v.chars().flat_map(|ch| [ch, ch]).collect()),
        "upside_down" => Some(
            v.chars()
                .rev()
                .map(|ch| {
                    TURNED
                        .iter()
                        .find(|(u, _)| *u == ch)
                        .map_or(ch, |(_, t)| *t)
                })
                .collect(),
        ),
        // Each word cut in two by markup a page shows as nothing: `Rosa<b></b>lind`.
        "inline_tags" => Some(cut_words(v, "<b></b>")),
        "html_comment" => Some(cut_words(v, "<!-- -->")),
        // Markup a page shows nothing of, but with text in it: a tag with attributes, a
        // comment with words.
        "attr_tags" => Some(cut_words(v, "<span class=\"c\"></span>")),
        "comment_text" => Some(cut_words(v, "<!--x-->")),
        // Text in characters that show nothing: Unicode tag characters, and bytes written
        // as variation selectors after a letter.
        "tag_chars" => Some(
            v.chars()
                .map(|ch| char::from_u32(0xE0000 + ch as u32).unwrap_or(ch))
                .collect(),
        ),
        "selectors" => Some(
            std::iter::once('x')
                .chain(v.bytes().map(|b| {
                    let n = if b < 16 {
                        0xFE00 + u32::from(b)
                    } else {
                        0xE0100 + u32::from(b) - 16
                    };
                    char::from_u32(n).unwrap_or('x')
                }))
                .collect(),
        ),
        // Every character as a numeric reference with no `;` (`&#82&#111…`), as a `0x`
        // literal (`0x52 0x6f …`) or in code-point notation (`U+0052 U+006F …`).
        "refs_no_semi" => Some(v.chars().map(|ch| format!("&#{}", ch as u32)).collect()),
        "hex_bytes" => Some(
            v.bytes()
                .map(|b| format!("0x{b:02x}"))
                .collect::<Vec<_>>()
                .join(" "),
        ),
        "u_plus" => Some(
            v.chars()
                .map(|ch| format!("U+{:04X}", ch as u32))
                .collect::<Vec<_>>()
                .join(" "),
        ),
        // Glued into a file name by `_` (an e-mail address keeps its own `_`).
        "underscored" => {
            (c.kind != Kind::Email).then(|| format!("scan_{}_2024.pdf", v.replace(' ', "_")))
        }
        // A phone's or an SSN's groups set apart by a mark no number is written with.
        "odd_groups" => match c.kind {
            Kind::Phone => Some(v.replace('-', "•")),
            Kind::Ssn => Some(v.replace('-', "~")),
            _ => None,
        },
        // Digits as dingbats with no compatibility form (`➃➀➂-❺❺❺-⓿➀➆➁`).
        "circled_digits" => v.contains(|ch: char| ch.is_ascii_digit()).then(|| {
            v.chars()
                .map(|ch| match ch.to_digit(10) {
                    Some(0) => '\u{24FF}',
                    Some(d) => char::from_u32(0x2780 + d - 1).unwrap_or(ch),
                    None => ch,
                })
                .collect()
        }),
        // Stop 51 (red team 50's rest): base64 printed in groups of four set apart by blanks
        // or one to a line; base64 of UTF-32 (with a BOM, and big-endian without).
        "b64_grouped" => Some(grouped(&b64(cue(c, v).as_bytes()), 4, " ")),
        "b64_grouped_lines" => Some(grouped(&b64(cue(c, v).as_bytes()), 4, "\n")),
        "b64_utf32" => Some(b64(&utf32(&cue(c, v), true, true))),
        // Stop 53 (red team 52's H4): files carrying the value pasted into text.
        "file_png_b64" => Some(b64(&file_carrying("png", &cue(c, v)))),
        "file_png_data_url" => Some(format!(
            "data:image/png;base64,{}",
            b64(&file_carrying("png", &cue(c, v)))
        )),
        "file_img_tag" => Some(format!(
            "<img src=\"data:image/png;base64,{}\"/>",
            b64(&file_carrying("png", &cue(c, v)))
        )),
        "file_jpeg_b64" => Some(b64(&file_carrying("jpeg", &cue(c, v)))),
        "file_dicom_b64" => Some(b64(&file_carrying("dicom", v))),
        "file_pdf_data_url" => Some(format!(
            "data:application/pdf;base64,{}",
            b64(&file_carrying("pdf", &cue(c, v)))
        )),
        "file_gif_b64" => Some(b64(&file_carrying("gif", v))),
        "file_pdf_tj_b64" => Some(b64(pdf_kerned(c, v).as_bytes())),
        "file_pdf_tj_data_url" => Some(format!(
            "data:application/pdf;base64,{}",
            b64(pdf_kerned(c, v).as_bytes())
        )),
        "file_pdf_tj_raw" => Some(pdf_kerned(c, v)),
        // Hexadecimal as `xxd` prints it: groups of two or four bytes set apart by blanks.
        "hex_xxd" => Some(grouped(&hex_of(cue(c, v).as_bytes()), 4, " ")),
        "hex_xxd8" => Some(grouped(&hex_of(cue(c, v).as_bytes()), 8, " ")),
        "file_png_wrapped" => Some(grouped(
            &b64(&file_carrying("png_big", &cue(c, v))),
            76,
            "\n",
        )),
        "file_png_grouped" => Some(grouped(
            &b64(&file_carrying("png_big", &cue(c, v))),
            76,
            " ",
        )),
        "b64_utf32be" => Some(b64(&utf32(&cue(c, v), false, false))),
        // An e-mail address defanged (`otter.lake.74[at]inbox[.]example`), or on a domain
        // with no dot (`otter.lake.74@inbox`).
        "defanged" => (c.kind == Kind::Email)
            .then(|| v.replace('@', "[at]").replace(".example", "[.]example")),
        "dotless_email" => (c.kind == Kind::Email).then(|| v.replace(".example", "")),
        // A record number's digits in blank-set groups after its prefix (`MR 441 0827`).
        "mr_grouped" => (c.kind == Kind::Mrn).then(|| "MR 441 0827".to_string()),
        // Every character as IIS's `%u0052`.
        "pct_u" => Some(v.chars().map(|ch| format!("%u{:04X}", ch as u32)).collect()),
        // A phone with one dot after the area code, as a decimal number (`413.5550172`).
        "phone_dot" => (c.kind == Kind::Phone).then(|| "413.5550172".to_string()),
        // The date of birth as an ISO week date, an ordinal date, and with a French month.
        "week_date" => (c.kind == Kind::Dob).then(|| "1961-W34-3".to_string()),
        "ordinal_date" => (c.kind == Kind::Dob).then(|| "1961-235".to_string()),
        "foreign_date" => (c.kind == Kind::Dob).then(|| "23 ao\u{fb}t 1961".to_string()),
        // Braille cells (grade 1, a number sign before digits), ROT47, CSS escapes
        // (`\52 \6f …`), letters set apart by `/`, and UTF-7 (`+AFIAbwBz…-`).
        "braille" => (c.kind != Kind::Email).then(|| braille(v)),
        "rot47" => Some(rot47(v)),
        "css_escapes" => Some(v.chars().map(|ch| format!("\\{:x} ", ch as u32)).collect()),
        "slashed" => (c.kind == Kind::Name).then(|| spelled_with(v, "/")),
        // RTF (red team 51, G8): a character as a hex escape, every character as `\uN?`,
        // words cut by a group, a control word or hidden text; a hex escape outside RTF.
        "rtf_hex" => Some(rtf(&escaped_middle(v))),
        "rtf_u" => Some(rtf(&v
            .chars()
            .map(|ch| format!("\\u{}?", ch as u32))
            .collect::<String>())),
        "rtf_group" => Some(rtf(&cut_words(v, "{\\b}"))),
        "rtf_ctrl" => Some(rtf(&cut_words(v, "\\b "))),
        "rtf_hidden" => Some(rtf(&cut_words(v, "{\\v x}"))),
        "rtf_bare_hex" => Some(escaped_middle(v)),
        // Lightweight markup and terminal controls inside words (red team 51, G10):
        // `MR441**0827**`, `MR441\textbf{0827}`, `MR441\x1b[1m0827\x1b[0m`, `MR441X\x080827`.
        "md_bold" => Some(emphasised(v, "**", "**")),
        "md_under" => Some(emphasised(v, "_", "_")),
        "md_ticks" => Some(emphasised(v, "`", "`")),
        "wiki_bold" => Some(emphasised(v, "'''", "'''")),
        "tex_bold" => Some(emphasised(v, "\\textbf{", "}")),
        "tex_empty" => Some(cut_words(v, "{}")),
        "ansi_sgr" => Some(emphasised(v, "\x1b[1m", "\x1b[0m")),
        "overstrike" => Some(cut_words(v, "X\x08")),
        "utf7" => Some(format!(
            "+{}-",
            base64::engine::general_purpose::STANDARD_NO_PAD.encode(utf16(v, false, false))
        )),
        // The cued value gzipped (or raw-deflated) and written in base64.
        "b64_gzip" => Some(b64(&compressed(cue(c, v).as_bytes(), true))),
        "b64_deflate" => Some(b64(&compressed(cue(c, v).as_bytes(), false))),
        // Stop 59 (formats59, red team 58 R9): the cued value gzipped or zlibbed and written
        // in hexadecimal or base32; in Latin-1 after an accented word, in base64; behind
        // bzip2's header (no decoder reads it: the value must go).
        "hex_gzip" => Some(
            compressed(cue(c, v).as_bytes(), true)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect(),
        ),
        "hex_zlib" => Some(
            zlibbed(cue(c, v).as_bytes())
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect(),
        ),
        "b32_zlib" => Some(data_encoding::BASE32.encode(&zlibbed(cue(c, v).as_bytes()))),
        "b64_latin1" => format!("Paciente n\u{ba} {}", cue(c, v))
            .chars()
            .map(|ch| u8::try_from(u32::from(ch)).ok())
            .collect::<Option<Vec<u8>>>()
            .map(|b| b64(&b)),
        // bzip2's stream header and block magic, then bytes no text holds (a real stream
        // is binary: the check reads the value after them).
        "b64_bzip2" => {
            let mut b = b"BZh91AY&SY\x17\x8c\x74\xa8\x00\x00".to_vec();
            b.extend(cue(c, v).as_bytes());
            Some(b64(&b))
        }
        // Named references of characters that show nothing, inside the value
        // (`512&lrm;-47-3306`, `MR441&ZeroWidthSpace;0827`).
        "invisible_named" => {
            let cut = v
                .char_indices()
                .nth(v.chars().count() / 2)
                .map_or(0, |(i, _)| i);
            Some(format!("{}&ZeroWidthSpace;{}&lrm;", &v[..cut], &v[cut..]))
        }
        // A DEL or a C1 control (CSI) inside the value: no glyph, so it shows whole.
        "del_inside" | "c1_inside" => {
            let cut = v
                .char_indices()
                .nth(v.chars().count() / 2)
                .map_or(0, |(i, _)| i);
            let mark = if trick == "del_inside" {
                '\u{7f}'
            } else {
                '\u{9b}'
            };
            Some(format!("{}{mark}{}", &v[..cut], &v[cut..]))
        }
        // A byte that is no UTF-8 (`%FF`) inside each word, for the URL and form channels:
        // read lossily it shows as `Thack\u{FFFD}eray` (G2), so it must be refused.
        "pct_ff" => Some(cut_words(v, "%FF")),
        // The number with thousands separators (`4,410,827`) or a decimal tail
        // (`4410827.0`), as a spreadsheet export writes it (G19).
        "thousands" => c.number.map(|n| {
            let d = n.to_string();
            let mut out = String::new();
            for (i, ch) in d.chars().enumerate() {
                if i > 0 && (d.len() - i) % 3 == 0 {
                    out.push(',');
                }
                out.push(ch);
            }
            out
        }),
        "dot_zero" => c.number.map(|n| format!("{n}.0")),
        // An identifier wrapped at one of its own dashes (`512-47-⏎3306`), or at a dash a
        // wrapper put in (`MR441-⏎0827`), as word wrappers that break at hyphens do (G5).
        "dash_wrapped" => match v.rfind('-') {
            Some(i) if digit_groups(v).is_some() => Some(format!("{}\n{}", &v[..=i], &v[i + 1..])),
            _ if c.kind == Kind::Mrn => Some(format!("{}-\n{}", &v[..5], &v[5..])),
            _ => None,
        },
        // Letters or an extension glued after the number (`MR4410827abc`,
        // `4135550172x12`; G20).
        "letters_glued" => match c.kind {
            Kind::Mrn => Some(format!("{v}abc")),
            Kind::Phone => c.number.map(|n| format!("{n}x12")),
            _ => None,
        },
        // Stop 53 (red team 52, H9): a street named without its number, its suffix a bare
        // USPS abbreviation (`Quarry Hollow Rd`), or `Dr` standing for Drive.
        "street_unnumbered" => (c.kind == Kind::Addr).then(|| {
            v.split_once(' ')
                .map_or(v, |(_, street)| street)
                .to_string()
        }),
        "street_drive" => (c.kind == Kind::Addr).then(|| {
            let street = v.split_once(' ').map_or(v, |(_, street)| street);
            let name = street.rsplit_once(' ').map_or(street, |(name, _)| name);
            format!("{name} Dr")
        }),
        // Stop 53 (red team 52, H10): the surname spelled out in lower case after a cue, as
        // dictation writes it (`Rosalind, last name spelled t h a c k e r a y`).
        "spelled_surname" | "spelled_surname_dashed" => (c.kind == Kind::Name).then(|| {
            let (first, last) = v.split_once(' ').unwrap_or(("", v));
            let sep = if trick == "spelled_surname" { " " } else { "-" };
            let letters: Vec<String> = last.to_lowercase().chars().map(String::from).collect();
            format!("{first}, last name spelled {},", letters.join(sep))
        }),
        // Stop 54 (red team 51, G18): a record number's digits set apart one by one after
        // its cue (`Chart 4 4 1 0 8 2 7 reviewed`).
        "digits_spaced_cued" => (c.kind == Kind::Mrn).then(|| {
            let digits: Vec<String> = v
                .chars()
                .filter(char::is_ascii_digit)
                .map(String::from)
                .collect();
            digits.join(" ")
        }),
        // Stop 54: a number's first `5` written as a capital `S` (`S12-47-3306`,
        // `413-S55-0172`), the look-alike the view reads since stop 54.
        "lookalike_s" => (!v.bytes().any(|b| b.is_ascii_alphabetic()) && v.contains('5'))
            .then(|| v.replacen('5', "S", 1)),
        // Stop 54 (red team 52, H27): the house number written out in words (`forty-four
        // seventy-one Quarry Hollow Rd`).
        "house_number_spelled" => (c.kind == Kind::Addr).then(|| {
            let (number, street) = v.split_once(' ').unwrap_or(("", v));
            let words: Vec<&str> = number
                .as_bytes()
                .chunks(2)
                .map(|pair| match pair {
                    b"44" => "forty-four",
                    b"71" => "seventy-one",
                    _ => "seventy-seven",
                })
                .collect();
            format!("{} {street}", words.join(" "))
        }),
        // A name dressed as a token, its body in capitals with vowels, so no token this
        // gateway mints (`NAME_THACKERAYR`; G12).
        "name_token" => (c.kind == Kind::Name).then(|| {
            let last = v.rsplit(' ').next().unwrap_or(v).to_uppercase();
            let body: String = last.chars().chain(v.chars()).take(10).collect();
            format!("NAME_{}", body.to_uppercase())
        }),
        // A name as its first initial and its last word (`R Thackeray`).
        "initial_surname" => (c.kind == Kind::Name).then(|| {
            let first = v.chars().next().unwrap_or('R');
            let last = v.rsplit(' ').next().unwrap_or(v);
            format!("{first} {last}")
        }),
        // The number dressed as a token: its type's prefix and ten digits
        // (`PHONE_4135550172`), a shape tokens minted before the consonant alphabet had.
        "token_shaped" => c.number.map(|n| format!("{}_{n:010}", c.phi_type)),
        // The number written in base 19 over the mint alphabet, most significant digit
        // first, after its type's prefix (`PHONE_BBGQXFPTRK`): a token in every way but
        // that the vault never issued it (red team 52, H24).
        "mint_token" => c
            .number
            .map(|n| format!("{}_{}", c.phi_type, mint_body(n, true))),
        // The same, least significant digit first (the order tokens are minted in),
        // dressed as a name's token.
        "mint_token_named" => c.number.map(|n| format!("NAME_{}", mint_body(n, false))),
        // A record number or a surname in a path without a scheme, after a host or from the
        // root, and a number glued to another by `/` (red team 51, G11).
        "path_hosted" => path_piece(c).map(|p| format!("emr.example/patients/{p}/chart")),
        "path_rooted" => path_piece(c).map(|p| format!("/patients/{p}/notes")),
        "slash_joined" => c.number.map(|n| format!("{n}/5520931")),
        // The value as a column name in capitals (`ROSALIND_THACKERAY_NOTE`,
        // `MR4410827_NOTE`): such keys are kept as field names unless they hold a value
        // (red team 52, H16).
        "upper_snake" => matches!(c.kind, Kind::Name | Kind::Mrn)
            .then(|| format!("{}_NOTE", v.to_uppercase().replace([' ', '-', '.'], "_"))),
        // An address whose host has a hyphen in its first label (`acme-corp.example`).
        "hyphen_host" => (c.kind == Kind::Email).then(|| {
            let (local, host) = v.split_once('@').unwrap_or((v, ""));
            format!(
                "{}@{}",
                local.replace('.', ""),
                host.replacen('.', "-mail.", 1)
            )
        }),
        // The number glued to the next by a comma, as a CSV row is (`4135550172,19`).
        "comma_joined" => c.number.map(|n| format!("{n},19")),
        // Every character as its octal escape (`\122\157…`) or its decimal code
        // (`82 111 115 …`).
        "octal" => Some(v.bytes().map(|b| format!("\\{b:03o}")).collect()),
        "decimal_codes" => Some(
            v.bytes()
                .map(|b| b.to_string())
                .collect::<Vec<_>>()
                .join(" "),
        ),
        // Upside down, each turned character written as a character reference.
        "turned_refs" => value_trick("upside_down", c).map(|t| {
            t.chars()
                .map(|ch| {
                    if ch.is_ascii() {
                        ch.to_string()
                    } else {
                        format!("&#x{:x};", ch as u32)
                    }
                })
                .collect()
        }),
        // A name's last word hyphenated across a line break, as a narrow column wraps it
        // (`Rosalind Thack-⏎eray`).
        "line_broken" => (c.kind == Kind::Name).then(|| {
            let cut = v.rfind(' ').map_or(0, |i| i + 1) + 5;
            format!("{}-\n{}", &v[..cut], &v[cut..])
        }),
        // A name glued after a schema word, as a generated key is (`patientRosalindThackeray`).
        "camel_prefixed" => {
            (c.kind == Kind::Name).then(|| format!("patient{}", v.replace(' ', "")))
        }
        // A name's letters set apart by `|`, or written one to a line.
        "piped" => (c.kind == Kind::Name).then(|| spelled_with(v, "|")),
        "one_per_line" => (c.kind == Kind::Name).then(|| spelled_with(v, "\n")),
        // A phone number or an SSN as the hexadecimal literal of its digits: `0xf67f7cdc`.
        "hex_literal" => {
            let digits: String = v.chars().filter(char::is_ascii_digit).collect();
            matches!(c.kind, Kind::Phone | Kind::Ssn)
                .then(|| digits.parse::<u64>().ok())
                .flatten()
                .map(|n| format!("0x{n:x}"))
        }
        // A name in regional indicator symbols (drawn as flags in pairs): `🇷🇴🇸🇦…`.
        "regional" => (c.kind == Kind::Name).then(|| {
            v.chars()
                .map(|ch| match ch.to_ascii_uppercase() {
                    u @ 'A'..='Z' => {
                        char::from_u32(REGIONAL_A + (u as u32 - 'A' as u32)).unwrap_or(ch)
                    }
                    other => other,
                })
                .collect()
        }),
        // Digits read out as words, groups set apart by commas, a pair as `double`:
        // `five one two, four seven, three three oh six`.
        "spoken" => spoken(v),
        "spoken_dash" => spoken_dashed(v).filter(|s| s.contains(" dash ")),
        // Letters for the digits they look like, inside a number: `4l3-555-O172`.
        "lookalike" => lookalike(v),
        // Cyrillic letters for the Latin letters they are drawn like: `Rоsаlind Тhасkеrау`.
        "cyrillic" => replace_seps(v, |ch| {
            CYRILLIC
                .iter()
                .find(|(l, _)| *l == ch)
                .map(|(_, c)| c.to_string())
        }),
        // Arabic-Indic digits for the ASCII ones: `٥١٢-٤٧-٣٣٠٦`.
        "arabic_digits" => replace_seps(v, |ch| {
            ch.to_digit(10)
                .and_then(|d| char::from_u32(ARABIC_ZERO + d))
                .map(String::from)
        }),
        // Quoted-printable: every character but letters and digits as `=XX` (a value of
        // letters and digits only gets its middle one), or every byte (`qp_full`).
        "qp" => Some(qp(v, |ch| !ch.is_ascii_alphanumeric())),
        "qp_full" => Some(qp(v, |_| true)),
        // Written back to front: `yarekcahT dnilasoR`, `2710-555-314`.
        "reversed" => Some(v.chars().rev().collect()),
        // uuencoded, one line, zero as a backtick: `24F]S86QI;F0@5&AA8VME<F%Y`.
        "uu" => Some(uuencode(v.as_bytes())),
        "pct1" => Some(pct_once(v)),
        "pct2" => Some(pct_once(v).replace('%', "%25")),
        // Every byte percent-encoded, then escaped five times more (past the decoding
        // rounds' bound); references with `&amp;` escaped four times more.
        "pct_deep" => Some(pct_every(v).replace('%', "%2525252525")),
        "amp_deep" => Some(char_refs(v, false).replace('&', "&amp;amp;amp;amp;")),
        "pct00" => replace_seps(v, |ch| (ch == ' ').then(|| "%00".to_string())),
        "b64" => Some(b64(cue(c, v).as_bytes())),
        // The cued value's bytes in hexadecimal, run together or set apart by spaces
        // (`4d524e…`, `4D 52 4E …`), and in base32 (`JVJE4IBU…===`).
        "hex" => Some(hex_of(cue(c, v).as_bytes())),
        "hex_spaced" => Some(
            hex_of(cue(c, v).as_bytes())
                .to_ascii_uppercase()
                .as_bytes()
                .chunks(2)
                .map(|p| String::from_utf8_lossy(p).into_owned())
                .collect::<Vec<_>>()
                .join(" "),
        ),
        "b32" => Some(data_encoding::BASE32.encode(cue(c, v).as_bytes())),
        // The cued value in base85: Adobe's ASCII85 between `<~` and `~>`, and RFC 1924's
        // alphabet (Python's `b85encode`).
        "a85" => Some(format!("<~{}~>", base85(cue(c, v).as_bytes(), A85))),
        // Stop 57 (red team 55's J23): two layers, a character escape of every byte outside
        // a run encoding, a run encoding outside escaped text, escapes twice, three layers,
        // and one escaped character inside a base64 run.
        "pct_b64" => Some(pct_every(&b64(cue(c, v).as_bytes()))),
        "qp_b64" => Some(qp(&b64(cue(c, v).as_bytes()), |_| true)),
        "amp_b64" => Some(html_every(&b64(cue(c, v).as_bytes()))),
        "pct_hex" => Some(pct_every(&hex_of(cue(c, v).as_bytes()))),
        "amp_b32" => Some(html_every(
            &data_encoding::BASE32.encode(cue(c, v).as_bytes()),
        )),
        // The check's views run out (of rounds or of views) before they undo these two
        // for these two values; the engine reads them (BENCHMARKS.md, stop 57).
        "qp_b85" if c.kind == Kind::Addr => None,
        "qp_qp" if c.kind == Kind::Email => None,
        "qp_b85" => Some(qp(&base85(cue(c, v).as_bytes(), RFC1924), |_| true)),
        "b64_pct" => Some(b64(pct_every(&cue(c, v)).as_bytes())),
        "b64_qp" => Some(b64(qp(&cue(c, v), |_| true).as_bytes())),
        "b32_pct" => Some(data_encoding::BASE32.encode(pct_every(&cue(c, v)).as_bytes())),
        "hex_qp" => Some(hex_of(qp(&cue(c, v), |_| true).as_bytes())),
        "b85_pct" => Some(base85(pct_every(&cue(c, v)).as_bytes(), RFC1924)),
        "qp_qp" => Some(qp(&qp(v, |_| true), |_| true)),
        "pct_qp" => Some(pct_every(&qp(v, |_| true))),
        "amp_qp" => Some(html_every(&qp(v, |_| true))),
        "pct_b64_pct" => Some(pct_every(&b64(pct_every(&cue(c, v)).as_bytes()))),
        "b64_one_pct" => {
            let b = b64(cue(c, v).as_bytes());
            let i = middle(&b);
            Some(format!(
                "{}%{:02X}{}",
                &b[..i],
                b.as_bytes()[i],
                &b[i + 1..]
            ))
        }
        "b85" => Some(base85(cue(c, v).as_bytes(), RFC1924)),
        // The cued value in lower case, then in ROT13: `fraq gur fhzznel gb …`.
        "rot13_lower" => Some(rot13(&cue(c, v).to_lowercase())),
        // Stop 45: the cued value in capitals, then in ROT13 (`FRAQ GUR FHZZNEL …`), and the
        // value alone in ROT13 (`Ebfnyvaq Gunpxrenl`).
        "rot13_upper" => Some(rot13(&cue(c, v).to_uppercase())),
        "rot13_value" => Some(rot13(v)).filter(|r| r != v),
        // An e-mail address with a quoted local part, blanks and all (RFC 5322):
        // `"otter lake 74"@inbox.example`.
        "quoted_local" => {
            let (local, domain) = v.split_once('@').filter(|_| c.kind == Kind::Email)?;
            Some(format!("\"{}\"@{domain}", local.replace('.', " ")))
        }
        // Lower-case letters as small capitals: `Rᴏsᴀʟɪɴᴅ Tʜᴀᴄᴋᴇʀᴀʏ`.
        "smallcaps" => replace_seps(v, |ch| {
            SMALL_CAPS
                .iter()
                .find(|(l, _)| *l == ch)
                .map(|(_, s)| s.to_string())
        }),
        // HL7's hex escape for the middle character (`\X41\`), for HL7 channels only.
        "hl7_hex" => {
            let i = middle(v);
            let ch = v[i..].chars().next()?;
            let mut buf = [0u8; 4];
            let hex: String = ch
                .encode_utf8(&mut buf)
                .bytes()
                .map(|b| format!("{b:02X}"))
                .collect();
            Some(format!(
                "{}{HL7_RAW_ESC}X{hex}{HL7_RAW_ESC}{}",
                &v[..i],
                &v[i + ch.len_utf8()..]
            ))
        }
        // Stray HL7 escape characters, opening no escape sequence (`413\555\0172`,
        // `MR44\10827`): one for each space and hyphen, or one in the middle; for HL7
        // channels only.
        "hl7_stray" => Some(
            replace_seps(v, |ch| {
                matches!(ch, ' ' | '-').then(|| HL7_RAW_ESC.to_string())
            })
            .unwrap_or_else(|| {
                let i = middle(v);
                format!("{}{HL7_RAW_ESC}{}", &v[..i], &v[i..])
            }),
        ),
        _ => None,
    }
}

/// Lower-case Latin letters and the small capitals written for them.
const SMALL_CAPS: [(char, char); 23] = [
    ('a', 'ᴀ'),
    ('b', 'ʙ'),
    ('c', 'ᴄ'),
    ('d', 'ᴅ'),
    ('e', 'ᴇ'),
    ('g', 'ɢ'),
    ('h', 'ʜ'),
    ('i', 'ɪ'),
    ('j', 'ᴊ'),
    ('k', 'ᴋ'),
    ('l', 'ʟ'),
    ('m', 'ᴍ'),
    ('n', 'ɴ'),
    ('o', 'ᴏ'),
    ('p', 'ᴘ'),
    ('r', 'ʀ'),
    ('t', 'ᴛ'),
    ('u', 'ᴜ'),
    ('v', 'ᴠ'),
    ('w', 'ᴡ'),
    ('y', 'ʏ'),
    ('z', 'ᴢ'),
    ('f', 'ꜰ'),
];

/// ASCII85's alphabet (`!` to `u`) and RFC 1924's.
const A85: &[u8] =
    b"!\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstu";
const RFC1924: &[u8] =
    b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+-;<=>?@^_`{|}~";

/// `b` in base85 with `alphabet` (a short last group as every encoder writes it).
fn base85(b: &[u8], alphabet: &[u8]) -> String {
    let mut out = String::new();
    for chunk in b.chunks(4) {
        let mut four = [0u8; 4];
        four[..chunk.len()].copy_from_slice(chunk);
        let mut v = u32::from_be_bytes(four);
        let mut digits = [0u8; 5];
        for d in digits.iter_mut().rev() {
            *d = u8::try_from(v % 85).unwrap_or(0);
            v /= 85;
        }
        for &d in &digits[..=chunk.len()] {
            out.push(char::from(alphabet[usize::from(d)]));
        }
    }
    out
}

/// The leak check's reading of base85 in `alphabet`: `None` unless every character is in it.
fn base85_decode(s: &str, alphabet: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut group = Vec::with_capacity(5);
    let digit = |c: u8| alphabet.iter().position(|&a| a == c).map(|p| p as u64);
    for c in s.bytes() {
        group.push(digit(c)?);
        if group.len() == 5 {
            let v = group.iter().fold(0u64, |a, d| a * 85 + d);
            out.extend_from_slice(&u32::try_from(v).ok()?.to_be_bytes());
            group.clear();
        }
    }
    if group.len() > 1 {
        let n = group.len();
        group.resize(5, 84);
        let v = group.iter().fold(0u64, |a, d| a * 85 + d);
        out.extend_from_slice(&u32::try_from(v).ok()?.to_be_bytes()[..n - 1]);
    }
    Some(out)
}

/// What a path holds of a canary: its digits, or its surname in lower case (a path's
/// pieces are usually written small).
fn path_piece(c: &Canary) -> Option<String> {
    match c.kind {
        Kind::Name => c.value.rsplit(' ').next().map(str::to_lowercase),
        _ => c.number.map(|n| n.to_string()),
    }
}

/// The alphabet tokens are minted with (`phi::token::MINT_ALPHABET`).
const MINT: &[u8; 19] = b"BCDFGHJKMNPQRSTVWXZ";

/// `n` as ten base-19 digits over [`MINT`], most significant first or last.
fn mint_body(n: u64, most_first: bool) -> String {
    let mut digits: Vec<char> = (0..10)
        .scan(n, |rest, _| {
            let d = MINT[(*rest % 19) as usize];
            *rest /= 19;
            Some(char::from(d))
        })
        .collect();
    if most_first {
        digits.reverse();
    }
    digits.into_iter().collect()
}

/// `s` with each token-shaped word whose ten-character body starts or ends with two zero
/// digits of [`MINT`] (`BB`, a number below 19^8 written in ten digits, which a minted
/// token is by chance once in 180) read as the base-19 number it spells, both ways round
/// (red team 52, H24). `None` when there is none.
fn mint_decoded(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = String::new();
    let mut last = 0;
    let mut i = 1;
    while i + 11 <= b.len() {
        let body = &b[i + 1..i + 11];
        let shaped = b[i] == b'_'
            && b[i - 1].is_ascii_uppercase()
            && body.iter().all(|c| MINT.contains(c))
            && b.get(i + 11).is_none_or(|c| !c.is_ascii_alphanumeric())
            && (body.starts_with(b"BB") || body.ends_with(b"BB"));
        if !shaped {
            i += 1;
            continue;
        }
        let digit = |c: &u8| MINT.iter().position(|m| m == c).unwrap_or(0) as u64;
        let most_first = body.iter().fold(0u64, |n, c| n * 19 + digit(c));
        let least_first = body.iter().rev().fold(0u64, |n, c| n * 19 + digit(c));
        out.push_str(&s[last..=i]);
        out.push_str(&format!("{most_first}x{least_first}"));
        last = i + 11;
        i += 11;
    }
    (last > 0).then(|| {
        out.push_str(&s[last..]);
        out
    })
}

fn rot13(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'a'..='z' => char::from((c as u8 - b'a' + 13) % 26 + b'a'),
            'A'..='Z' => char::from((c as u8 - b'A' + 13) % 26 + b'A'),
            c => c,
        })
        .collect()
}

/// Latin letters and the Cyrillic letters drawn like them.
const CYRILLIC: [(char, char); 24] = [
    ('a', 'а'),
    ('c', 'с'),
    ('e', 'е'),
    ('i', 'і'),
    ('j', 'ј'),
    ('o', 'о'),
    ('p', 'р'),
    ('s', 'ѕ'),
    ('x', 'х'),
    ('y', 'у'),
    ('A', 'А'),
    ('B', 'В'),
    ('C', 'С'),
    ('E', 'Е'),
    ('H', 'Н'),
    ('I', 'І'),
    ('J', 'Ј'),
    ('K', 'К'),
    ('M', 'М'),
    ('O', 'О'),
    ('P', 'Р'),
    ('S', 'Ѕ'),
    ('T', 'Т'),
    ('X', 'Х'),
];
/// ARABIC-INDIC DIGIT ZERO; the other nine follow it.
const ARABIC_ZERO: u32 = 0x0660;

const DIGIT_WORDS: [&str; 10] = [
    "oh", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
];
/// Letters a writer swaps for the digit that looks like them.
const LEET: [(char, char); 6] = [
    ('o', '0'),
    ('i', '1'),
    ('e', '3'),
    ('a', '4'),
    ('s', '5'),
    ('t', '7'),
];

/// Regional indicator symbol letter A (U+1F1E6); B to Z follow it.
const REGIONAL_A: u32 = 0x1F1E6;

/// Symbols a writer swaps for the letter that looks like them.
/// Characters and how they are drawn turned upside down (the `upside_down` trick); the
/// rest (`o`, `s`, `x`, `z`, `l`, `0`, `8`, `-`, `@`) turn into themselves.
const TURNED: [(char, char); 56] = [
    ('a', 'ɐ'),
    ('b', 'q'),
    ('c', 'ɔ'),
    ('d', 'p'),
    ('e', 'ǝ'),
    ('f', 'ɟ'),
    ('g', 'ƃ'),
    ('h', 'ɥ'),
    ('i', 'ᴉ'),
    ('j', 'ɾ'),
    ('k', 'ʞ'),
    ('m', 'ɯ'),
    ('n', 'u'),
    ('p', 'd'),
    ('q', 'b'),
    ('r', 'ɹ'),
    ('t', 'ʇ'),
    ('u', 'n'),
    ('v', 'ʌ'),
    ('w', 'ʍ'),
    ('y', 'ʎ'),
    ('A', '∀'),
    ('B', 'ᗺ'),
    ('C', 'Ɔ'),
    ('D', 'ᗡ'),
    ('E', 'Ǝ'),
    ('F', 'Ⅎ'),
    ('G', '⅁'),
    ('J', 'ſ'),
    ('K', 'ꓘ'),
    ('L', '˥'),
    ('M', 'W'),
    ('P', 'Ԁ'),
    ('R', 'ᴚ'),
    ('T', '┴'),
    ('U', '∩'),
    ('V', 'Λ'),
    ('W', 'M'),
    ('Y', '⅄'),
    ('1', 'Ɩ'),
    ('2', 'ᄅ'),
    ('3', 'Ɛ'),
    ('4', 'ㄣ'),
    ('5', 'ϛ'),
    ('6', '9'),
    ('7', 'ㄥ'),
    ('9', '6'),
    ('.', '˙'),
    (',', '\''),
    ('\'', ','),
    ('?', '¿'),
    ('!', '¡'),
    ('_', '‾'),
    ('&', '⅋'),
    ('(', ')'),
    (')', '('),
];

const LEET_SYMBOLS: [(char, char); 3] = [('s', '$'), ('a', '@'), ('i', '!')];

/// Each letter of a word (after its first and before its last) that looks like a symbol,
/// written as it.
fn leet_symbols(v: &str) -> String {
    let word = |w: &str| {
        let n = w.chars().count();
        w.chars()
            .enumerate()
            .map(
                |(i, ch)| match LEET_SYMBOLS.iter().find(|(l, _)| *l == ch) {
                    Some((_, sym)) if i > 0 && i + 1 < n => *sym,
                    _ => ch,
                },
            )
            .collect::<String>()
    };
    v.split(' ').map(word).collect::<Vec<_>>().join(" ")
}

/// A value's words with their characters set apart by `sep`, the words by a blank.
fn spelled_with(v: &str, sep: &str) -> String {
    v.split(' ')
        .map(|w| w.chars().map(String::from).collect::<Vec<_>>().join(sep))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The first letter of each word (after its first) that looks like a digit, written as it.
fn leet(v: &str) -> String {
    let word = |w: &str| {
        let mut done = false;
        w.char_indices()
            .map(|(i, ch)| match LEET.iter().find(|(l, _)| *l == ch) {
                Some((_, d)) if i > 0 && i + 1 < w.len() && !done => {
                    done = true;
                    *d
                }
                _ => ch,
            })
            .collect::<String>()
    };
    v.split(' ').map(word).collect::<Vec<_>>().join(" ")
}

/// A value of digits and separators read out digit by digit; `None` for any other value.
/// Morse code for the letters and digits (ITU), in alphabet order then `0`–`9`.
const MORSE: [&str; 36] = [
    ".-", "-...", "-.-.", "-..", ".", "..-.", "--.", "....", "..", ".---", "-.-", ".-..", "--",
    "-.", "---", ".--.", "--.-", ".-.", "...", "-", "..-", "...-", ".--", "-..-", "-.--", "--..",
    "-----", ".----", "..---", "...--", "....-", ".....", "-....", "--...", "---..", "----.",
];
/// The spelling alphabet's code words, `a` to `z`.
const SPELLING: [&str; 26] = [
    "alfa", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliett",
    "kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo", "sierra", "tango",
    "uniform", "victor", "whiskey", "xray", "yankee", "zulu",
];

/// Where a letter or digit stands in [`MORSE`].
fn morse_index(ch: char) -> Option<usize> {
    let c = ch.to_ascii_lowercase();
    match c {
        'a'..='z' => Some(c as usize - 'a' as usize),
        '0'..='9' => Some(26 + c as usize - '0' as usize),
        _ => None,
    }
}

fn morse(v: &str) -> String {
    v.split(' ')
        .map(|w| {
            w.chars()
                .filter_map(morse_index)
                .map(|k| MORSE[k])
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join(" / ")
}

fn spelling(v: &str) -> String {
    v.split(' ')
        .map(|w| {
            w.chars()
                .filter(char::is_ascii_alphabetic)
                .map(|ch| SPELLING[ch.to_ascii_lowercase() as usize - 'a' as usize])
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The leak check's reading of the `morse` and `spelling` tricks: each group of dots and
/// dashes, and each code word, read as its letter.
fn unsignalled(s: &str) -> Vec<String> {
    let unmorsed = s
        .split(|c: char| c != '.' && c != '-')
        .filter(|g| !g.is_empty())
        .filter_map(|g| MORSE.iter().position(|m| *m == g))
        .map(|k| {
            if k < 26 {
                char::from(b'a' + k as u8)
            } else {
                char::from(b'0' + (k - 26) as u8)
            }
        })
        .collect();
    let unspelled = s
        .split(|c: char| !c.is_ascii_alphabetic())
        .filter_map(|w| {
            let w = w.to_ascii_lowercase();
            SPELLING.iter().position(|x| *x == w)
        })
        .map(|k| char::from(b'a' + k as u8))
        .collect();
    vec![unmorsed, unspelled]
}

/// [`spoken`] with ` dash ` between the groups: `five one two dash four seven dash …`.
fn spoken_dashed(v: &str) -> Option<String> {
    spoken(v).map(|s| s.replace(", ", " dash "))
}

fn spoken(v: &str) -> Option<String> {
    if !v.bytes().any(|b| b.is_ascii_digit()) || v.bytes().any(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    let groups: Vec<String> = v
        .split(|c: char| !c.is_ascii_digit())
        .filter(|g| !g.is_empty())
        .map(|g| {
            let d: Vec<usize> = g.bytes().map(|b| usize::from(b - b'0')).collect();
            let mut words = Vec::new();
            let mut k = 0;
            while k < d.len() {
                if k + 1 < d.len() && d[k] == d[k + 1] {
                    words.push(format!("double {}", DIGIT_WORDS[d[k]]));
                    k += 2;
                } else {
                    words.push(DIGIT_WORDS[d[k]].to_string());
                    k += 1;
                }
            }
            words.join(" ")
        })
        .collect();
    Some(groups.join(", "))
}

/// A value of digits and separators with its first `1` written `l` and its first `0`
/// written `O`; `None` for any other value, or one with neither digit.
fn lookalike(v: &str) -> Option<String> {
    if v.bytes().any(|b| b.is_ascii_alphabetic()) || !v.contains(['0', '1']) {
        return None;
    }
    Some(v.replacen('1', "l", 1).replacen('0', "O", 1))
}

/// The leak check's reading of [`lookalike`]: `O`, `o`, `I`, `l` and `S` beside a digit
/// as the digit.
fn digits_for_letters(s: &str) -> String {
    let b = s.as_bytes();
    s.char_indices()
        .map(|(i, ch)| {
            let near_digit = (i > 0 && b[i - 1].is_ascii_digit())
                || b.get(i + 1).is_some_and(u8::is_ascii_digit);
            match ch {
                'O' | 'o' if near_digit => '0',
                'I' | 'l' if near_digit => '1',
                'S' if near_digit => '5',
                _ => ch,
            }
        })
        .collect()
}

/// The leak check's reading of [`leet`], [`spoken`], [`lookalike`] and the `cyrillic`,
/// `arabic_digits` and `reversed` tricks: digits between two letters as the letters they
/// look like, digit words (with `double`) as digits, look-alike letters beside a digit as
/// digits, Cyrillic letters and Arabic-Indic digits as their Latin and ASCII twins, and
/// the text from its end.
fn unleeted_and_unspoken(s: &str) -> Vec<String> {
    let b = s.as_bytes();
    let unleet: String = s
        .char_indices()
        .map(|(i, ch)| {
            let inner = i > 0
                && b[i - 1].is_ascii_alphabetic()
                && b.get(i + 1).is_some_and(u8::is_ascii_alphabetic);
            match LEET.iter().find(|(_, d)| *d == ch) {
                Some((l, _)) if inner => *l,
                _ => ch,
            }
        })
        .collect();
    // Symbols between two letters or digits (or symbols) as the letters they look like.
    let part = |c: Option<&u8>| {
        c.is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, b'$' | b'@' | b'!'))
    };
    let unsymbolled: String = s
        .char_indices()
        .map(|(i, ch)| {
            let inner = i > 0 && part(b.get(i - 1)) && part(b.get(i + 1));
            match LEET_SYMBOLS.iter().find(|(_, sym)| *sym == ch) {
                Some((l, _)) if inner => *l,
                _ => ch,
            }
        })
        .collect();
    let mut spoken = String::new();
    let mut double = false;
    for w in s.split(|c: char| !c.is_ascii_alphanumeric()) {
        let lower = w.to_ascii_lowercase();
        if lower == "double" {
            double = true;
            continue;
        }
        if lower == "dash" || lower == "hyphen" {
            continue;
        }
        match DIGIT_WORDS.iter().position(|d| *d == lower) {
            Some(d) => {
                let times = if double { 2 } else { 1 };
                spoken.push_str(&d.to_string().repeat(times));
            }
            None => {
                spoken.push(' ');
                spoken.push_str(w);
                spoken.push(' ');
            }
        }
        double = false;
    }
    vec![
        unleet,
        unsymbolled,
        decimal_for_hex(s),
        spoken,
        digits_for_letters(s),
        latin_and_ascii_digits(s),
        s.chars().rev().collect(),
        rot13(s),
        undoubled(s),
        upright(s),
        rot47(s),
    ]
    .into_iter()
    .chain(calendar_dates(s))
    .chain(unsignalled(s))
    .collect()
}

/// The leak check's reading of the `doubled` trick: a character written twice in a row
/// read once, wherever it is.
fn undoubled(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(ch) = chars.next() {
        out.push(ch);
        if chars.peek() == Some(&ch) {
            chars.next();
        }
    }
    out
}

/// The leak check's reading of the `upside_down` trick: each turned character read
/// upright, from the end.
fn upright(s: &str) -> String {
    s.chars()
        .rev()
        .map(|ch| {
            TURNED
                .iter()
                .find(|(_, t)| *t == ch)
                .map_or(ch, |(u, _)| *u)
        })
        .collect()
}

/// The leak check's reading of the `hex_literal` trick: each `0x` literal as its decimal
/// value.
fn decimal_for_hex(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("0x").or_else(|| rest.find("0X")) {
        out.push_str(&rest[..i]);
        let hex: String = rest[i + 2..]
            .chars()
            .take_while(char::is_ascii_hexdigit)
            .collect();
        match u64::from_str_radix(&hex, 16) {
            Ok(n) if !hex.is_empty() && hex.len() <= 16 => out.push_str(&n.to_string()),
            _ => out.push_str(&rest[i..i + 2 + hex.len()]),
        }
        rest = &rest[i + 2 + hex.len()..];
    }
    out.push_str(rest);
    out
}

/// The leak check's reading of the `cyrillic` and `arabic_digits` tricks.
fn latin_and_ascii_digits(s: &str) -> String {
    s.chars()
        .map(|ch| {
            let digit = (ch as u32)
                .checked_sub(ARABIC_ZERO)
                .filter(|d| *d < 10)
                .and_then(|d| char::from_digit(d, 10));
            let latin = CYRILLIC
                .iter()
                .chain(&SMALL_CAPS)
                .find(|(_, c)| *c == ch)
                .map(|(l, _)| *l);
            digit.or(latin).unwrap_or(ch)
        })
        .collect()
}

/// `b` gzipped, or raw-deflated.
fn zlibbed(b: &[u8]) -> Vec<u8> {
    use std::io::Write as _;
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(b)
        .and_then(|()| e.finish())
        .expect("compressing into memory")
}

fn compressed(b: &[u8], gzip: bool) -> Vec<u8> {
    use std::io::Write as _;
    let level = flate2::Compression::default();
    let done = if gzip {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), level);
        e.write_all(b).and_then(|()| e.finish())
    } else {
        let mut e = flate2::write::DeflateEncoder::new(Vec::new(), level);
        e.write_all(b).and_then(|()| e.finish())
    };
    done.expect("compressing into memory")
}

/// A small file of `kind` that carries `text` in its own text (stop 53, H4): a PNG's
/// `tEXt` chunk (`png_big`: with 600 bytes of image data after it), a JPEG's EXIF
/// description and comment, DICOM's patient name and id, a PDF's title and FlateDecode
/// page, a GIF's comment. Checksums are left zero: nothing on the way checks them.
fn file_carrying(kind: &str, text: &str) -> Vec<u8> {
    let t = text.as_bytes();
    let len = |n: usize| u32::try_from(n).expect("a short chunk");
    let png_chunk = |ty: &[u8], data: &[u8]| {
        [&len(data.len()).to_be_bytes()[..], ty, data, &[0, 0, 0, 0]].concat()
    };
    match kind {
        "png" | "png_big" => {
            let mut b = b"\x89PNG\r\n\x1a\n".to_vec();
            b.extend(png_chunk(b"IHDR", &[0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]));
            b.extend(png_chunk(b"tEXt", &[b"Comment\0", t].concat()));
            if kind == "png_big" {
                let data: Vec<u8> = (0..600u32).map(|i| (i * 151 % 251) as u8).collect();
                b.extend(png_chunk(b"IDAT", &data));
            }
            b.extend(png_chunk(b"IEND", b""));
            b
        }
        "jpeg" => {
            let desc = [t, b"\0"].concat();
            let tiff = [
                &b"II*\0\x08\0\0\0\x01\0\x0e\x01\x02\0"[..],
                &len(desc.len()).to_le_bytes(),
                &26u32.to_le_bytes(),
                &[0, 0, 0, 0],
                &desc,
            ]
            .concat();
            let app1 = [&b"Exif\0\0"[..], &tiff].concat();
            let seg = |m: u8, d: &[u8]| {
                let n = u16::try_from(d.len() + 2).expect("a short segment");
                [&[0xFF, m][..], &n.to_be_bytes(), d].concat()
            };
            [
                &[0xFF, 0xD8][..],
                &seg(0xE1, &app1),
                &seg(0xFE, t),
                &[0xFF, 0xD9],
            ]
            .concat()
        }
        "dicom" => {
            let el = |g: u16, e: u16, vr: &[u8], v: &[u8]| {
                let mut v = v.to_vec();
                if v.len() % 2 == 1 {
                    v.push(b' ');
                }
                let n = u16::try_from(v.len()).expect("a short element");
                [
                    &g.to_le_bytes()[..],
                    &e.to_le_bytes(),
                    vr,
                    &n.to_le_bytes(),
                    &v,
                ]
                .concat()
            };
            [
                &[0u8; 128][..],
                b"DICM",
                &el(2, 0x10, b"UI", b"1.2.840.10008.1.2.1"),
                &el(0x10, 0x10, b"PN", t),
                &el(0x10, 0x20, b"LO", t),
            ]
            .concat()
        }
        "pdf" => {
            let page = compressed(
                &[b"BT /F1 12 Tf 72 720 Td (", t, b") Tj ET"].concat(),
                false,
            );
            [
                &b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<< /Title ("[..],
                t,
                b") >>\nendobj\n2 0 obj\n<< /Filter /FlateDecode /Length ",
                page.len().to_string().as_bytes(),
                b" >>\nstream\n",
                &page,
                b"\nendstream\nendobj\ntrailer\n<< /Info 1 0 R >>\n%%EOF\n",
            ]
            .concat()
        }
        _ => {
            let mut b = b"GIF89a\x01\0\x01\0\0\0\0!\xFE".to_vec();
            for piece in t.chunks(255) {
                b.push(u8::try_from(piece.len()).expect("a sub-block"));
                b.extend_from_slice(piece);
            }
            b.extend_from_slice(b"\0,\0\0\0\0\x01\0\x01\0\0\x02\x02D\x01\0;");
            b
        }
    }
}

fn b64(b: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(b)
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

/// EBCDIC code page 037's bytes for the ASCII characters the channels write (`None` when
/// the text holds another).
const EBCDIC_037: &[(char, u8)] = &[
    (' ', 0x40),
    ('.', 0x4B),
    ('<', 0x4C),
    ('(', 0x4D),
    ('+', 0x4E),
    ('|', 0x4F),
    ('&', 0x50),
    ('!', 0x5A),
    ('$', 0x5B),
    ('*', 0x5C),
    (')', 0x5D),
    (';', 0x5E),
    ('-', 0x60),
    ('/', 0x61),
    (',', 0x6B),
    ('%', 0x6C),
    ('_', 0x6D),
    ('>', 0x6E),
    ('?', 0x6F),
    ('`', 0x79),
    (':', 0x7A),
    ('#', 0x7B),
    ('@', 0x7C),
    ('\'', 0x7D),
    ('=', 0x7E),
    ('"', 0x7F),
    ('[', 0xBA),
    (']', 0xBB),
    ('{', 0xC0),
    ('}', 0xD0),
    ('\\', 0xE0),
    ('\n', 0x25),
    ('\r', 0x0D),
    ('\t', 0x05),
    ('~', 0xA1),
    ('^', 0xB0),
];

fn ebcdic_byte(c: char) -> Option<u8> {
    let letter = |c: char, base: u8| {
        let i = c as u8 - base;
        // Three runs of letters: a–i, j–r, s–z (upper case 0x40 higher).
        Some(match i {
            0..=8 => 0x81 + i,
            9..=17 => 0x91 + i - 9,
            _ => 0xA2 + i - 18,
        })
    };
    match c {
        'a'..='z' => letter(c, b'a'),
        'A'..='Z' => letter(c, b'A').map(|b| b + 0x40),
        '0'..='9' => Some(0xF0 + (c as u8 - b'0')),
        _ => EBCDIC_037.iter().find(|(a, _)| *a == c).map(|(_, b)| *b),
    }
}

fn ebcdic(s: &str) -> Option<Vec<u8>> {
    s.chars().map(ebcdic_byte).collect()
}

/// The check's reading of bytes as EBCDIC 037 (what the outside could decode from an
/// EBCDIC body forwarded as mojibake): `None` unless every byte reads as a character there
/// (ASCII text has letters EBCDIC 037 leaves unassigned in this table; an EBCDIC body made
/// of Morse or digits has few letters, so their share cannot tell).
fn ebcdic_view(b: &[u8]) -> Option<String> {
    let mut table = [None; 256];
    for c in (0u8..128).map(char::from) {
        if let Some(e) = ebcdic_byte(c) {
            table[usize::from(e)] = Some(c);
        }
    }
    let text: String = b
        .iter()
        .map(|x| table[usize::from(*x)].unwrap_or('\u{fffd}'))
        .collect();
    (!b.is_empty() && !text.contains('\u{fffd}')).then_some(text)
}

fn utf16(s: &str, le: bool, bom: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let units = bom
        .then_some(0xFEFF_u16)
        .into_iter()
        .chain(s.encode_utf16());
    for u in units {
        out.extend_from_slice(&if le { u.to_le_bytes() } else { u.to_be_bytes() });
    }
    out
}

fn utf32(s: &str, le: bool, bom: bool) -> Vec<u8> {
    bom.then_some('\u{feff}')
        .into_iter()
        .chain(s.chars())
        .flat_map(|c| {
            if le {
                (c as u32).to_le_bytes()
            } else {
                (c as u32).to_be_bytes()
            }
        })
        .collect()
}

/// `s` cut into groups of `width` set apart by `sep`.
fn grouped(s: &str, width: usize, sep: &str) -> String {
    s.as_bytes()
        .chunks(width)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(sep)
}

/// The dots of the Braille cells for `a` to `z` (English grade 1).
const BRAILLE: [u32; 26] = [
    0x01, 0x03, 0x09, 0x19, 0x11, 0x0B, 0x1B, 0x13, 0x0A, 0x1A, 0x05, 0x07, 0x0D, 0x1D, 0x15, 0x0F,
    0x1F, 0x17, 0x0E, 0x1E, 0x25, 0x27, 0x3A, 0x2D, 0x3D, 0x35,
];

/// `v` in Braille: letters as their cells, a number sign before each run of digits (`1` is
/// `a`'s cell, `0` is `j`'s), `-` as `⠤`, a blank as the blank cell.
fn braille(v: &str) -> String {
    let cell = |d: u32| char::from_u32(0x2800 + d).unwrap_or(' ');
    let mut out = String::new();
    let mut digits = false;
    for ch in v.chars() {
        if let Some(d) = ch.to_digit(10) {
            if !digits {
                out.push(cell(0x3C));
                digits = true;
            }
            out.push(cell(BRAILLE[((d + 9) % 10) as usize]));
            continue;
        }
        digits = false;
        match ch.to_ascii_lowercase() {
            l @ 'a'..='z' => out.push(cell(BRAILLE[(l as u8 - b'a') as usize])),
            '-' => out.push(cell(0x24)),
            '.' => out.push(cell(0x32)),
            _ => out.push(cell(0)),
        }
    }
    out
}

/// The check's reading of Braille: letters, digits after a number sign, `-`, `.`, blanks.
fn unbrailled(s: &str) -> Option<String> {
    if !s.chars().any(|c| ('\u{2800}'..='\u{28FF}').contains(&c)) {
        return None;
    }
    let mut out = String::new();
    let mut digits = false;
    for ch in s.chars() {
        let Some(d) = (ch as u32).checked_sub(0x2800).filter(|d| *d < 0x100) else {
            digits = false;
            out.push(ch);
            continue;
        };
        if d == 0x3C {
            digits = true;
            continue;
        }
        match BRAILLE.iter().position(|&b| b == d) {
            Some(i) if digits && i < 10 => out.push(char::from(b'0' + ((i + 1) % 10) as u8)),
            Some(i) => out.push(char::from(b'a' + i as u8)),
            None => {
                digits = false;
                out.push(match d {
                    0x24 => '-',
                    0x32 => '.',
                    _ => ' ',
                });
            }
        }
    }
    Some(out)
}

fn rot47(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '!'..='~' => char::from(b'!' + (c as u8 - b'!' + 47) % 94),
            _ => c,
        })
        .collect()
}

/// The check's reading of CSS escapes (`\52 \6f`): one to six hex digits and an optional
/// blank after a backslash.
fn css_decode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('\\') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let n = after
            .bytes()
            .take(6)
            .take_while(u8::is_ascii_hexdigit)
            .count();
        match u32::from_str_radix(&after[..n], 16)
            .ok()
            .and_then(char::from_u32)
        {
            Some(ch) if n > 0 => {
                out.push(ch);
                rest = after[n..].strip_prefix(' ').unwrap_or(&after[n..]);
            }
            _ => {
                out.push('\\');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The check's reading of IIS's `%u0052`.
fn pct_u_decode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("%u").or_else(|| rest.find("%U")) {
        out.push_str(&rest[..i]);
        let code = rest
            .get(i + 2..i + 6)
            .and_then(|h| u32::from_str_radix(h, 16).ok())
            .and_then(char::from_u32);
        match code {
            Some(ch) => {
                out.push(ch);
                rest = &rest[i + 6..];
            }
            None => {
                out.push('%');
                rest = &rest[i + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The check's reading of UTF-7 runs (`+AFIAbwBz…-`): UTF-16BE in base64.
fn utf7_decode(s: &str) -> Option<String> {
    if !s.contains('+') {
        return None;
    }
    let mut out = String::new();
    let mut found = false;
    let mut rest = s;
    while let Some(i) = rest.find('+') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let n = after
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/'))
            .count();
        let body = &after[..n - usize::from(n % 4 == 1)];
        let units: Option<Vec<u16>> = base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(body)
            .ok()
            .map(|b| {
                b.chunks_exact(2)
                    .map(|p| u16::from_be_bytes([p[0], p[1]]))
                    .collect()
            });
        // A shifted run the check reads: closed by `-`, eight characters or more, decoding
        // to printable text (anything else a `+` opens is left alone).
        let text = units
            .filter(|_| n >= 8 && after[n..].starts_with('-'))
            .and_then(|u| String::from_utf16(&u).ok())
            .filter(|t| t.chars().all(|c| !c.is_control()));
        match text {
            Some(t) => {
                found = true;
                out.push_str(&t);
                rest = &after[n + 1..];
            }
            None => {
                out.push('+');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    found.then_some(out)
}

/// Base64 printed in groups set apart by blanks (or anything no base64 holds): each run of
/// three or more words of four base64 characters or more, read joined from each of its
/// first three words to each of its last three; what decodes to printable text is a view.
fn grouped_b64_views(s: &str, out: &mut Vec<String>) {
    let is_b64 = |c: char| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=');
    let words: Vec<&str> = s
        .split(|c: char| !is_b64(c))
        .filter(|w| !w.is_empty())
        .collect();
    let mut i = 0;
    while i < words.len() {
        let start = i;
        while i < words.len() && words[i].len() >= 4 {
            i += 1;
        }
        if i - start >= 3 {
            // Words of exactly four characters to the run's end are base64 cut in groups of
            // four: read from each of their first three too, when longer words lead the run
            // (`updatePatient(name: "QmFz ZTY0 …"`: GraphQL, CI of stop 59; `name` is one).
            let groups_from = (start..i)
                .find(|&k| words[k..i].iter().all(|w| w.len() == 4))
                .filter(|&k| k >= start + 3)
                .map_or(0..0, |k| k..(k + 3).min(i.saturating_sub(2)));
            for first in (start..(start + 3).min(i - 2)).chain(groups_from) {
                for last in (first + 3).max(i.saturating_sub(3))..=i {
                    let joined: String = words[first..last].concat();
                    for engine in [
                        &base64::engine::general_purpose::STANDARD,
                        &base64::engine::general_purpose::STANDARD_NO_PAD,
                    ] {
                        let Ok(b) = engine.decode(&joined) else {
                            continue;
                        };
                        let Ok(t) = String::from_utf8(b) else {
                            continue;
                        };
                        let printable = t
                            .chars()
                            .filter(|c| !c.is_control() || c.is_whitespace())
                            .count();
                        if !t.is_empty() && printable * 10 >= t.chars().count() * 9 {
                            out.push(t);
                        }
                    }
                }
            }
        }
        i = i.max(start + 1);
    }
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a count of days since 1970-01-01, as `yyyymmdd`.
fn civil_from_days(z: i64) -> String {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}{m:02}{d:02}")
}

/// Month names the check reads in dates, in French, Spanish, Italian, German (lower case,
/// accents and all), with their numbers.
const FOREIGN_MONTHS: &[(&str, u32)] = &[
    ("janvier", 1),
    ("février", 2),
    ("mars", 3),
    ("avril", 4),
    ("mai", 5),
    ("juin", 6),
    ("juillet", 7),
    ("août", 8),
    ("septembre", 9),
    ("octobre", 10),
    ("novembre", 11),
    ("décembre", 12),
    ("enero", 1),
    ("febrero", 2),
    ("marzo", 3),
    ("abril", 4),
    ("mayo", 5),
    ("junio", 6),
    ("julio", 7),
    ("agosto", 8),
    ("septiembre", 9),
    ("octubre", 10),
    ("noviembre", 11),
    ("diciembre", 12),
    ("august", 8),
    ("oktober", 10),
    ("dezember", 12),
];

/// The check's reading of ISO week dates (`1961-W34-3`), ordinal dates (`1961-235`) and
/// dates with a foreign month (`23 août 1961`): each also written as `yyyymmdd`.
fn calendar_dates(s: &str) -> Option<String> {
    let mut extra = Vec::new();
    let b = s.as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let t = s.get(from..from + len)?;
        t.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| t.parse().ok())?
    };
    for i in 0..b.len() {
        if i > 0 && b[i - 1].is_ascii_digit() {
            continue;
        }
        let Some(y) = num(i, 4) else { continue };
        let rest = &s[i + 4..];
        let r = rest.strip_prefix('-').unwrap_or(rest);
        let off = i + 4 + (rest.len() - r.len());
        if let Some(w) = r.strip_prefix('W') {
            let wo = off + 1;
            let wk = num(wo, 2);
            let after = w.get(2..).unwrap_or("");
            let dd = after.strip_prefix('-').unwrap_or(after);
            let day = dd
                .bytes()
                .next()
                .filter(u8::is_ascii_digit)
                .map(|c| i64::from(c - b'0'));
            if let (Some(wk), Some(day)) = (wk, day) {
                let jan4 = days_from_civil(y, 1, 4);
                let wd = (jan4 + 3).rem_euclid(7) + 1; // Monday 1
                extra.push(civil_from_days(jan4 - (wd - 1) + (wk - 1) * 7 + (day - 1)));
            }
        } else if let Some(doy) =
            num(off, 3).filter(|_| !r.as_bytes().get(3).is_some_and(u8::is_ascii_digit))
        {
            // With its dash, or as a run of seven digits alone (its groups read joined).
            let run7 = off == i + 4 && !b.get(i + 7).is_some_and(u8::is_ascii_digit);
            if (1..=366).contains(&doy) && (off > i + 4 || run7) {
                extra.push(civil_from_days(days_from_civil(y, 1, 1) + doy - 1));
            }
        }
    }
    let lower = s.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && *w != "de" && *w != "del")
        .collect();
    for w in words.windows(3) {
        let month = FOREIGN_MONTHS
            .iter()
            .find(|(m, _)| *m == w[1])
            .map(|(_, n)| *n);
        let day = w[0].parse::<u32>().ok().filter(|d| (1..=31).contains(d));
        let year = w[2]
            .parse::<u32>()
            .ok()
            .filter(|y| (1800..2100).contains(y));
        if let (Some(m), Some(d), Some(y)) = (month, day, year) {
            extra.push(format!("{y:04}{m:02}{d:02}"));
        }
    }
    (!extra.is_empty()).then(|| format!("{s} {}", extra.join(" ")))
}

/// Re-encodes a request's body; the Content-Type's charset follows when the trick declares
/// one. `None`: the body cannot be written that way.
fn body_trick(trick: &str, req: &mut Req) -> Option<()> {
    let text = String::from_utf8(req.body.clone()).ok()?;
    let base = req.content_type()?.split(';').next()?.trim().to_string();
    let (body, ct) = match trick {
        "utf8_bom" => ([&[0xEF, 0xBB, 0xBF][..], text.as_bytes()].concat(), base),
        "utf16le_bom" => (utf16(&text, true, true), base),
        "utf16be_bom" => (utf16(&text, false, true), base),
        "utf16le_decl" => (
            utf16(&text, true, false),
            format!("{base}; charset=utf-16le"),
        ),
        "utf16le_bare" => (utf16(&text, true, false), base),
        // Red team 58, R2: UTF-32 by its BOM is read; UTF-32 and EBCDIC under an 8-bit
        // label are bytes no Latin text is made of.
        "utf32le_bom" => (utf32le(&text, true), base),
        "utf32le_as_latin1" => (utf32le(&text, false), format!("{base}; charset=iso-8859-1")),
        "ebcdic_as_latin1" => (ebcdic(&text)?, format!("{base}; charset=iso-8859-1")),
        "ebcdic_as_cp1252" => (ebcdic(&text)?, format!("{base}; charset=windows-1252")),
        "latin1" => (
            text.chars()
                .map(|ch| u8::try_from(ch as u32).ok())
                .collect::<Option<Vec<u8>>>()?,
            format!("{base}; charset=iso-8859-1"),
        ),
        // An XML document whose own declaration names its charset, and no charset in the
        // Content-Type (stop 45): Latin-1 with a byte that is no UTF-8, and UTF-16 with a BOM.
        "xml_latin1_prolog" => {
            let rest = text.strip_prefix("<?xml version=\"1.0\"?>")?;
            let doc =
                format!("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><!-- caf\u{e9} -->{rest}");
            let bytes = doc
                .chars()
                .map(|ch| u8::try_from(ch as u32).ok())
                .collect::<Option<Vec<u8>>>()?;
            (bytes, base)
        }
        "xml_utf16_prolog" => {
            let rest = text.strip_prefix("<?xml version=\"1.0\"?>")?;
            let doc = format!("<?xml version=\"1.0\" encoding=\"UTF-16\"?>{rest}");
            (utf16(&doc, true, true), base)
        }
        _ => return None,
    };
    req.body = body;
    req.set_header("content-type", ct.as_bytes());
    Some(())
}

// ---------------------------------------------------------------------------------------
// Requests and channels.

#[derive(Clone, Debug)]
struct Req {
    method: Method,
    /// Path and query after the route prefix.
    path: String,
    headers: Vec<(String, Vec<u8>)>,
    body: Vec<u8>,
}

impl Req {
    fn new(path: &str, ct: Option<&str>, body: impl Into<Vec<u8>>) -> Req {
        let mut r = Req {
            method: Method::POST,
            path: path.to_string(),
            headers: Vec::new(),
            body: body.into(),
        };
        if let Some(ct) = ct {
            r.set_header("content-type", ct.as_bytes());
        }
        r
    }

    fn json(path: &str, v: &Value) -> Req {
        Req::new(path, Some("application/json"), v.to_string())
    }

    fn fhir(v: &Value) -> Req {
        Req::new("fhir", Some("application/fhir+json"), v.to_string())
    }

    fn header(mut self, name: &str, value: impl AsRef<[u8]>) -> Req {
        self.set_header(name, value.as_ref());
        self
    }

    fn set_header(&mut self, name: &str, value: &[u8]) {
        self.headers.retain(|(n, _)| n != name);
        self.headers.push((name.to_string(), value.to_vec()));
    }

    fn content_type(&self) -> Option<String> {
        self.headers
            .iter()
            .find(|(n, _)| n == "content-type")
            .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
    }

    fn build(&self, base: &str, auth: (&str, &str)) -> Option<Request<Full<Bytes>>> {
        let mut b = Request::builder()
            .method(self.method.clone())
            .uri(format!("{base}{}", self.path))
            .header(auth.0, auth.1);
        for (n, v) in &self.headers {
            b = b.header(n.as_str(), HeaderValue::from_bytes(v).ok()?);
        }
        b.body(Full::new(Bytes::from(self.body.clone()))).ok()
    }
}

/// Characters escaped when a value goes into a URL or a form. `%` is not: the percent tricks
/// put their own escapes in the value.
const URL_UNSAFE: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'&')
    .add(b'+')
    .add(b';')
    .add(b'?')
    .add(b'/')
    .add(b'|')
    .add(b'\\')
    .add(b'^')
    .add(b'[')
    .add(b']')
    .add(b'=');

fn url(v: &str) -> String {
    utf8_percent_encode(v, URL_UNSAFE).to_string()
}

/// Every deidentify channel: where a value goes.
const CHANNELS: &[&str] = &[
    "json_patch",
    "json_known",
    "json_unknown",
    "json_note",
    "json_keep",
    "json_keep_value",
    "json_keep_coded",
    "json_rxnorm_number",
    "json_url_keep",
    "json_array",
    "json_nested",
    "json_top_string",
    "json_number",
    "json_key",
    "json_late_rt",
    "json_float",
    "json_keep_number",
    "json_char_array",
    "json_digit_array",
    "json_path_keep",
    "json_group_array",
    "json_group_object",
    "json_group_numbers",
    "form_known",
    "form_unknown",
    "form_keep",
    "form_json",
    "text",
    "text_json",
    "json_as_form",
    "form_as_json",
    "ndjson",
    "query_known",
    "query_unknown",
    "query_keep",
    "query_bare",
    "query_url",
    "query_semicolon",
    "path",
    "path_matrix",
    "path_pieces",
    "query_path_pieces",
    "h_user_agent",
    "h_accept",
    "h_idempotency",
    "h_cookie",
    "h_cookie_blank",
    "h_scanned",
    "h_content_type",
    "h_traceparent",
    "fhir_div",
    "xhtml_body",
    "json_table",
    "json_tsv_table",
    "text_table",
    "hl7_er7_label",
    "hl7_x_hl7_label",
    "hl7_edi_label",
    "html_body",
    "html_page_xml",
    "hl7_latin1_msh18",
    "fhir_div_comment",
    "fhir_div_attr",
    "html_note_comment",
    "html_note_cdata",
    "html_note_pi",
    "html_text_attr",
    "fhir_ext_string",
    "fhir_ext_ident",
    "fhir_code_text",
    "fhir_qr",
    "fhir_binary",
    "fhir_attachment",
    "fhir_attachment_hl7",
    "fhir_rtf",
    "fhir_ident_str",
    "fhir_coding_display",
    "fhir_request_url",
    "fhir_reference",
    "hl7_known",
    "hl7_unknown",
    "hl7_note",
    "hl7_keep",
    "hl7_lf",
    "hl7_as_text",
    "hl7_in_json",
    "hl7_batch",
    "x12_known",
    "x12_provider_addr",
    "x12_payer_addr",
    "x12_unknown",
    "x12_note",
    "x12_as_text",
    "csv_known",
    // Stop 64: a bare `name` column of a table of people (an age column beside it), in a
    // CSV body and pasted into a JSON string.
    "csv_people_name",
    "json_string_people_name",
    "csv_unknown",
    "csv_note",
    "csv_noheader",
    "csv_ragged",
    "tsv_known",
    "xml_known",
    "xml_unknown",
    "xml_note",
    "xml_attr",
    "fhir_xml_typed",
    // Stop 64: FHIR XML's ids, references and attachments, read as FHIR JSON's are.
    "fhir_xml_id",
    "fhir_xml_reference",
    "fhir_xml_request_url",
    "fhir_xml_binary",
    "fhir_xml_attachment",
    "fhir_xml_photo",
    "fhir_xml_value_string",
    "xml_known_value_attr",
    "text_ical",
    "calendar_ical",
    "xml_root",
    "xml_time",
    "xml_element_name",
    "xml_attr_name",
    "xml_prefix",
    "xml_pi_target",
    "xml_comment",
    "xml_cdata",
    "xml_pi",
    "xml_as_text",
    "xml_in_json",
    "xml_ns",
    "json_deep",
    // Red team 50 (gate50): the media type's own words, names the caller chooses, coding
    // codes beside any system, HL7 with another field separator or formatting escapes.
    "h_content_type_essence",
    "h_accept_essence",
    "h_charset_name",
    "h_content_encoding_name",
    "xml_encoding_name",
    "xml_version",
    "json_coded_any_system",
    "json_coded_digits",
    "json_coded_number",
    "json_coded_snomed_digits",
    "hash_hl7_as_text",
    "hash_hl7_in_json",
    "split_hl7_highlight",
    "highlighted_hl7",
    "calendar_folded",
    "text_b64_value",
    "split_hl7_format",
    // Stop 51 (gate51): XML character data cut inside a word by markup a reader does not
    // see (red team 50, F13): read joined, rewritten, never refused.
    "split_xml_comment",
    "split_xml_pi",
    "split_xml_cdata",
    "split_cda_content",
    "split_cda_br",
    "split_fhir_xml_b",
    // A CDA code beside a code system that is no terminology of long numbers (F19 in CDA).
    "cda_coded_digits",
    "cda_coded_snomed_digits",
    // Envelope and control values the sender chooses (F29): X12 GS02/GS03 and
    // ISA06 beside the same value in the patient's loop, HL7 MSH-10 and MSH-12.
    "x12_gs_ids",
    "x12_isa_id",
    "hl7_msh_control",
    // Stop 54 (gate54): a questionnaire answer under a question written as a phrase
    // (red team 52, H3); keys written as form-array paths in a form, a query and JSON
    // (H22).
    "fhir_qr_phrase",
    "form_bracket",
    "form_bracket_nested",
    "query_bracket",
    "json_bracket_key",
    // Stop 69: the value as a form-array path's segment (`name[Zebulon Quixote]=1`; red
    // team 69, S1), read as a key of its own.
    "form_key_segment",
    "query_key_segment",
    // A SampledData's `data` and a Consent provision's `data`, read now (H13).
    "fhir_sampled_data",
    "fhir_consent_data",
    // Stop 56 (lead): DICOM JSON attribute sets (red team 55, J8): the value under its own
    // tag, under a standard tag no rule names, under a private tag, in a sequence's item,
    // and a person name under a tag no rule names.
    "dicom_known",
    "dicom_unknown",
    "dicom_private",
    "dicom_sequence",
    "dicom_pn_unknown",
    // A GraphQL request's variable, bound to the canary's own argument and to an
    // unknown one (red team 55, J13).
    "json_graphql_known",
    "json_graphql_unknown",
    // An OData `$filter` literal compared with the canary's own property and with an
    // unknown one, in a query and in a form body (J13).
    "query_odata_known",
    "query_odata_unknown",
    "form_odata_known",
    // Stop 56 (llm56): values kept by a protocol's grammar or vocabulary (red team 55, J24,
    // J25, J27, J29, J30, J31), each with the canary where only the grammar may keep it.
    "llm_model",
    "llm_api_version",
    "llm_created",
    "llm_logit_bias",
    "llm_query_api_version",
    "llm_header_version",
    "schema_instances",
    "schema_keywords",
    "schema_unknown_keyword",
    "schema_required",
    "schema_operator_keys",
    "fhir_data_absent",
    "fhir_instant",
    "fhir_urn_uuid",
    "json_race_tz",
    "json_cdisc",
    // Stop 56 (struct56): records quoted in text (red team 55, J3) and tables written as
    // JSON arrays (J5).
    "json_fence_record",
    "json_fence_unknown",
    "text_fence_record",
    "json_inline_record",
    "json_fence_csv",
    "json_fence_xml",
    "json_column_table",
    "json_split_table",
    "json_bq_table",
    "json_entry_pairs",
    "json_parallel_arrays",
    "json_column_unknown",
    // Stop 56 (struct56): table cells typed by their header (J6, J10).
    "fhir_div_table",
    "html_note_table",
    "json_markdown_table",
    "json_pipe_table",
    "json_semicolon_table",
    "csv_title_line",
    "csv_semicolons",
    // Stop 57 (kv57): records serialised in text by other syntaxes (red team 55, J11):
    // logfmt, `.env`, SQL INSERT, quoted YAML and TOML values, Python and Ruby literals,
    // attributes of an element quoted in prose, HTML `data-` attributes.
    "text_logfmt",
    "text_logfmt_unknown",
    "json_env_lines",
    "text_sql_insert",
    "json_yaml_quoted",
    "text_toml",
    "json_py_repr",
    "text_ruby_hash",
    "text_xml_attr",
    "json_data_attr",
    // Stop 57 (tables57): narrative tables in the XML walker (J6): a CDA section's table,
    // an XHTML body's, a label/value table with no header row.
    "xml_cda_table",
    "xhtml_body_table",
    "xml_label_table",
    // Stop 58 (channels58): tables aligned by blanks in text, name parts as a table's
    // headers and as labels laid out on one line (J10); SQL UPDATE and WHERE, YAML bare
    // values (J11).
    "text_aligned_table",
    "json_aligned_ruled",
    "text_name_part_table",
    "text_label_pairs",
    "text_sql_update",
    "text_sql_where",
    "json_yaml_bare",
    "text_yaml_bare",
    // Stop 59 (strings59): other syntaxes quoted in a JSON string (red team 58, R17): a
    // GraphQL operation's arguments, an OData `$filter`, a vCard's content lines.
    "json_graphql_args",
    "json_odata_filter",
    "json_vcard",
    // Stop 59 (formats59): delimited tables under the wrong label (red team 58, R5/P7): a
    // TSV sent as text, TSV and pipe tables and Excel's `sep=` line labelled CSV; XML
    // label/value pairs (R8).
    "text_tsv_table",
    "csv_tsv_label",
    "csv_pipe_label",
    "csv_sep_line",
    "xml_label_attr",
    "xml_label_value_attr",
    "xml_key_value_elements",
];

/// Channels that quote a record in text (stop 56, struct56: red team 55 J3). The matrix
/// sends them plain values only.
const STRUCT56_RECORDS: &[&str] = &[
    "json_fence_record",
    "json_fence_unknown",
    "text_fence_record",
    "json_inline_record",
    "json_fence_xml",
];

/// Channels whose label does not match the body: a refusal is right there.
const LYING: &[&str] = &["json_as_form", "form_as_json"];
/// Channels where the value is markup (an XML name): refusing the document is the answer.
const IN_NAMES: &[&str] = &[
    "xml_element_name",
    "xml_attr_name",
    "xml_prefix",
    "xml_pi_target",
    // Names of a charset, a coding or a version: refusing the body is the answer.
    "h_charset_name",
    "h_content_encoding_name",
    "xml_encoding_name",
    "xml_version",
    // ISA06 is written as read: a sender ID that holds the patient's value is refused.
    "x12_isa_id",
];

/// The channels every value trick is tried on, and extra (channel, tricks) pairs.
const TRICK_CHANNELS: &[&str] = &["json_unknown", "text", "query_unknown", "path"];
const EXTRA_TRICKS: &[(&str, &[&str])] = &[
    ("json_key", &["camel", "camel_lower", "camel_prefixed"]),
    ("text", &["html_hex", "shy"]),
    (
        "fhir_div",
        &["html_dec", "html_hex", "named", "nbsp", "fullwidth"],
    ),
    (
        "json_note",
        &[
            "html_dec",
            "fullwidth",
            "zwsp",
            "endash",
            "cyrillic",
            "arabic_digits",
            "qp",
            "hex",
            "b32",
            "uu",
        ],
    ),
    ("form_unknown", &["pct1", "pct2", "pct00", "uu"]),
    (
        "json_keep_value",
        &[
            "upper",
            "lower",
            "fullwidth",
            "zwsp",
            "pct1",
            "b64",
            "hex",
            "b32",
            "uu",
            "qp_full",
            "reversed",
            "cyrillic",
        ],
    ),
    ("json_keep_coded", &["upper", "b64", "hex", "reversed"]),
    ("form_keep", &["pct1", "pct2", "b64", "hex", "uu"]),
    ("query_keep", &["pct1", "b64", "hex", "reversed"]),
    ("json_url_keep", &["pct1", "b64", "hex"]),
    ("h_scanned", &["fullwidth", "zwsp", "pct1", "uu"]),
    ("json_known", &["fullwidth", "zwsp"]),
    (
        "hl7_unknown",
        &[
            "hl7_hex",
            "hl7_stray",
            "upper",
            "fullwidth",
            "zwsp",
            "endash",
            "pct1",
            "b64",
            "hex",
            "b32",
            "cyrillic",
            "arabic_digits",
            "qp",
        ],
    ),
    (
        "hl7_note",
        &["hl7_hex", "hl7_stray", "fullwidth", "html_dec", "nbsp"],
    ),
    ("hl7_known", &["hl7_hex", "hl7_stray", "fullwidth", "lower"]),
    // A spelling kept through a rewrite must never keep part of a value with it.
    ("hl7_keep", &["hl7_hex"]),
    ("hl7_lf", &["hl7_hex", "html_dec"]),
    (
        "csv_unknown",
        &[
            "upper",
            "fullwidth",
            "zwsp",
            "pct1",
            "b64",
            "hex",
            "b32",
            "cyrillic",
            "qp",
            "uu",
        ],
    ),
    ("csv_note", &["fullwidth", "html_hex", "nbsp"]),
    (
        "xml_unknown",
        &[
            "html_dec",
            "html_hex",
            "upper",
            "fullwidth",
            "zwsp",
            "endash",
            "b64",
            "hex",
            "b32",
            "qp",
            "uu",
        ],
    ),
    ("xml_note", &["html_dec", "html_hex", "nbsp", "fullwidth"]),
    ("xml_known", &["html_hex", "html_dec", "fullwidth", "lower"]),
    ("xml_attr", &["html_dec", "html_hex", "fullwidth", "b64"]),
    (
        "x12_unknown",
        &[
            "upper",
            "fullwidth",
            "zwsp",
            "b64",
            "hex",
            "b32",
            "cyrillic",
            "arabic_digits",
            "qp",
        ],
    ),
    ("x12_known", &["upper", "fullwidth"]),
    // Stop 57 (red team 55's J23): composed encodings.
    ("json_unknown", STOP57_COMPOSED_TRICKS),
    ("json_note", STOP57_COMPOSED_TRICKS),
    ("text", STOP57_COMPOSED_TRICKS),
    ("xml_unknown", STOP57_COMPOSED_TRICKS),
    ("json_unknown", STOP57_COMPOSED_B85_TRICKS),
    ("json_note", STOP57_COMPOSED_B85_TRICKS),
    ("text", STOP57_COMPOSED_B85_TRICKS),
    // Stop 44's red team: base85, ROT13 in lower case, small capitals, lower-case paths.
    ("json_unknown", &["a85", "b85", "rot13_lower", "smallcaps"]),
    ("json_note", &["a85", "b85", "rot13_lower", "smallcaps"]),
    ("text", &["a85", "b85", "rot13_lower", "smallcaps"]),
    // Stop 45: ROT13 in capitals and of the value alone; quoted e-mail local parts.
    (
        "json_unknown",
        &["rot13_upper", "rot13_value", "quoted_local"],
    ),
    ("json_note", &["rot13_upper", "rot13_value", "quoted_local"]),
    ("text", &["rot13_upper", "rot13_value", "quoted_local"]),
    ("json_path_keep", &["lower"]),
    ("json_char_array", &["lower", "upper"]),
    // Stop 46: letters sent as Morse code and as spelling-alphabet words.
    ("json_unknown", &["morse", "spelling"]),
    ("json_note", &["morse", "spelling"]),
    ("text", &["morse", "spelling"]),
    ("fhir_div", &["morse"]),
    // Stop 49: markup inside words, and text inside comments, CDATA and attributes.
    (
        "json_note",
        &["inline_tags", "html_comment", "octal", "decimal_codes"],
    ),
    ("fhir_div", &["inline_tags", "html_comment", "turned_refs"]),
    // Stop 50: markup with text in it, inside words.
    ("json_note", &["attr_tags", "comment_text"]),
    ("fhir_div", &["attr_tags", "comment_text"]),
    ("text", &["attr_tags", "comment_text"]),
    ("json_unknown", &["attr_tags", "comment_text"]),
    // Stop 50 (red team): characters that show nothing, reference and code notations,
    // values glued by `_`, commas and uncommon marks.
    (
        "json_note",
        &[
            "tag_chars",
            "selectors",
            "refs_no_semi",
            "hex_bytes",
            "u_plus",
            "underscored",
            "odd_groups",
            "comma_joined",
            "circled_digits",
            "b64_gzip",
            "b64_deflate",
        ],
    ),
    (
        "text",
        &[
            "tag_chars",
            "selectors",
            "refs_no_semi",
            "hex_bytes",
            "u_plus",
            "underscored",
            "odd_groups",
            "comma_joined",
        ],
    ),
    (
        "json_unknown",
        &[
            "tag_chars",
            "selectors",
            "hex_bytes",
            "u_plus",
            "odd_groups",
            "b64_gzip",
            "b64_deflate",
        ],
    ),
    ("json_keep_value", &["b64_gzip", "b64_deflate"]),
    // Stop 59 (formats59): nested encodings (red team 58, R9).
    ("json_unknown", STOP59_NESTED_TRICKS),
    ("json_note", STOP59_NESTED_TRICKS),
    ("text", STOP59_NESTED_TRICKS),
    // Stop 51 (red team G12, G3, G9): values dressed as tokens, e-mail hosts with a hyphen,
    // named references of characters that show nothing, DEL and C1 controls (G1).
    (
        "json_note",
        &[
            "token_shaped",
            "hyphen_host",
            "invisible_named",
            "del_inside",
            "c1_inside",
            "pct_deep",
            "amp_deep",
        ],
    ),
    (
        "text",
        &[
            "token_shaped",
            "hyphen_host",
            "invisible_named",
            "del_inside",
            "c1_inside",
        ],
    ),
    ("fhir_div", &["invisible_named"]),
    (
        "json_unknown",
        &[
            "token_shaped",
            "hyphen_host",
            "invisible_named",
            "del_inside",
            "c1_inside",
        ],
    ),
    (
        "query_unknown",
        &["token_shaped", "hyphen_host", "del_inside"],
    ),
    // Stop 51: red team 50's remaining free-text spellings.
    ("json_note", STOP51_TRICKS),
    ("text", STOP51_TRICKS),
    ("json_unknown", STOP51_TRICKS),
    ("query_unknown", &["tag_chars", "hex_bytes", "u_plus"]),
    ("path", &["tag_chars", "hex_bytes"]),
    // Stop 52 (red team 51, G23): an initial and a surname in a cookie and a scanned header.
    ("h_cookie_blank", &["initial_surname"]),
    ("h_scanned", &["initial_surname"]),
    // Stop 52 (red team 51, G5): an identifier wrapped at a dash.
    ("text", &["dash_wrapped"]),
    ("json_note", &["dash_wrapped"]),
    // Stop 52 (red team 51, G20 and G12): letters glued on, a name dressed as a token.
    ("text", &["letters_glued", "name_token"]),
    ("json_note", &["letters_glued", "name_token"]),
    ("json_unknown", &["letters_glued", "name_token"]),
    ("query_unknown", &["name_token"]),
    ("path", &["name_token"]),
    ("h_scanned", &["name_token"]),
    // Stop 52 (red team 51, G19): a record number with a separator put in.
    ("json_unknown", &["thousands", "dot_zero"]),
    // Stop 52 (red team 51, G2): undecodable percent escapes in a query or a form.
    ("query_unknown", &["pct_ff"]),
    ("query_known", &["pct_ff"]),
    ("query_keep", &["pct_ff"]),
    ("query_bare", &["pct_ff"]),
    ("query_semicolon", &["pct_ff"]),
    ("form_unknown", &["pct_ff"]),
    ("form_known", &["pct_ff"]),
    ("form_keep", &["pct_ff"]),
    ("json_url_keep", &["pct_ff"]),
    // Stop 52: red team 51's text spellings (G8 RTF).
    ("json_note", STOP52_TRICKS),
    ("text", STOP52_TRICKS),
    ("json_unknown", STOP52_TRICKS),
    ("fhir_rtf", STOP52_TRICKS),
    // Stop 53: red team 52's free-text readings (H9, H10).
    ("json_note", STOP53_TRICKS),
    ("text", STOP53_TRICKS),
    // Stop 53: red team 52's H4, files pasted into text in base64.
    ("json_note", STOP53_FILE_TRICKS),
    ("text", STOP53_FILE_TRICKS),
    ("fhir_div", STOP53_FILE_TRICKS),
    ("xhtml_body", STOP53_FILE_TRICKS),
    // Stop 53: red team 52's H17, a table sent as text, its values in lower case.
    ("json_table", &["lower"]),
    ("json_tsv_table", &["lower"]),
    ("text_table", &["lower"]),
    // Stop 54: text54's free-text readings (spaced record number, look-alike `S`, a house
    // number written out).
    ("json_note", STOP54_TRICKS),
    ("text", STOP54_TRICKS),
    // Stop 54: red team 52's H5, a PDF whose page text cuts the value in a kerning array.
    ("json_note", STOP54_PDF_TRICKS),
    ("text", STOP54_PDF_TRICKS),
    ("json_unknown", STOP54_PDF_TRICKS),
    // Stop 54: red team 51's G4, hexadecimal in groups.
    ("json_note", &["hex_xxd", "hex_xxd8"]),
    ("text", &["hex_xxd", "hex_xxd8"]),
    // Stop 55: red team 52's H24, a number dressed as a token of the mint alphabet that
    // the vault never issued, on every kind of carrier (free text, unknown and known keys,
    // kept codes, object keys, query, path, headers, HL7, CSV, XML, X12, a FHIR narrative).
    ("json_note", STOP55_MINT_TRICKS),
    ("text", STOP55_MINT_TRICKS),
    ("json_unknown", STOP55_MINT_TRICKS),
    ("json_known", STOP55_MINT_TRICKS),
    ("json_keep_value", STOP55_MINT_TRICKS),
    ("json_keep_coded", STOP55_MINT_TRICKS),
    ("json_key", STOP55_MINT_TRICKS),
    ("query_unknown", STOP55_MINT_TRICKS),
    ("query_keep", STOP55_MINT_TRICKS),
    ("form_keep", STOP55_MINT_TRICKS),
    ("path", STOP55_MINT_TRICKS),
    ("h_scanned", STOP55_MINT_TRICKS),
    ("h_user_agent", STOP55_MINT_TRICKS),
    ("hl7_unknown", STOP55_MINT_TRICKS),
    ("hl7_note", STOP55_MINT_TRICKS),
    ("hl7_keep", STOP55_MINT_TRICKS),
    ("csv_unknown", STOP55_MINT_TRICKS),
    ("xml_unknown", STOP55_MINT_TRICKS),
    ("xml_attr", STOP55_MINT_TRICKS),
    ("x12_unknown", STOP55_MINT_TRICKS),
    ("fhir_div", STOP55_MINT_TRICKS),
    ("fhir_coding_display", STOP55_MINT_TRICKS),
    // Stop 55: red team 51's G11, paths without a scheme in free text.
    ("json_note", STOP55_PATH_TRICKS),
    ("text", STOP55_PATH_TRICKS),
    ("hl7_note", STOP55_PATH_TRICKS),
    ("xml_note", STOP55_PATH_TRICKS),
    ("csv_note", STOP55_PATH_TRICKS),
    ("fhir_div", STOP55_PATH_TRICKS),
    // Stop 55: red team 52's H16, a value written as a column name in capitals.
    ("json_key", &["upper_snake"]),
];
/// Stop 55's tricks (red team 51: G11): a record number or a surname in a path with no
/// scheme (`emr.example/patients/4410827/chart`, `/patients/thackeray/notes`), and a
/// number glued to another by `/`.
const STOP55_PATH_TRICKS: &[&str] = &["path_hosted", "path_rooted", "slash_joined"];
/// Stop 55's tricks (red team 52: H24): a number in base 19 over the mint alphabet, as a
/// token of its own type (most significant digit first) and of a name's (least first).
const STOP55_MINT_TRICKS: &[&str] = &["mint_token", "mint_token_named"];

/// Red team 58's R9 (stop 59, formats59): gzip and zlib in hexadecimal and base32, Latin-1
/// text in base64, and bzip2 (no decoder here: the value must go), on `EXTRA_TRICKS`'
/// channels.
const STOP59_NESTED_TRICKS: &[&str] = &[
    "hex_gzip",
    "hex_zlib",
    "b32_zlib",
    "b64_latin1",
    "b64_bzip2",
];

/// Red team 55's J23: a value under two or three encodings, on `EXTRA_TRICKS`' channels.
const STOP57_COMPOSED_TRICKS: &[&str] = &[
    "pct_b64",
    "qp_b64",
    "amp_b64",
    "pct_hex",
    "amp_b32",
    "b64_pct",
    "b64_qp",
    "b32_pct",
    "hex_qp",
    "qp_qp",
    "pct_qp",
    "amp_qp",
    "pct_b64_pct",
    "b64_one_pct",
];

/// The composed tricks with base85 in them: not on XML channels, where the check reads
/// the document's text with its tags, which base85's `<`, `>` and `&` run into.
const STOP57_COMPOSED_B85_TRICKS: &[&str] = &["qp_b85", "b85_pct"];
/// Stop 54's tricks (red team 51 G18, red team 52 H27, a look-alike `S`).
const STOP54_TRICKS: &[&str] = &["digits_spaced_cued", "lookalike_s", "house_number_spelled"];
/// Stop 54's tricks (red team 52: H5): an uncompressed PDF whose page text writes the
/// value cut in two by a kerning number (`[(Rosalind Thack) -15 (eray)] TJ`), in base64,
/// as a `data:` URL, and pasted as written.
const STOP54_PDF_TRICKS: &[&str] = &["file_pdf_tj_b64", "file_pdf_tj_data_url", "file_pdf_tj_raw"];
/// Stop 53's tricks (red team 52: H9, H10).
const STOP53_TRICKS: &[&str] = &[
    "street_unnumbered",
    "street_drive",
    "spelled_surname",
    "spelled_surname_dashed",
];
/// Stop 53's tricks (red team 52: H4): the value in a file's own text (PNG `tEXt`, JPEG
/// EXIF and comment, DICOM tags, a PDF's title and FlateDecode page, a GIF comment),
/// the file in base64 pasted into the note: bare, as a `data:` URL, in an `<img>`, broken
/// over lines and in groups.
const STOP53_FILE_TRICKS: &[&str] = &[
    "file_png_b64",
    "file_png_data_url",
    "file_img_tag",
    "file_jpeg_b64",
    "file_dicom_b64",
    "file_pdf_data_url",
    "file_gif_b64",
    "file_png_wrapped",
    "file_png_grouped",
];
/// Stop 52's tricks (red team 51: G8, G10).
const STOP52_TRICKS: &[&str] = &[
    "rtf_hex",
    "rtf_u",
    "rtf_group",
    "rtf_ctrl",
    "rtf_hidden",
    "rtf_bare_hex",
    "md_bold",
    "md_under",
    "md_ticks",
    "wiki_bold",
    "tex_bold",
    "tex_empty",
    "ansi_sgr",
    "overstrike",
];
/// Stop 51's tricks (red team 50: F4, F5, F7, F11, F17, F18, F30).
const STOP51_TRICKS: &[&str] = &[
    "b64_grouped",
    "b64_grouped_lines",
    "b64_utf32",
    "b64_utf32be",
    "defanged",
    "dotless_email",
    "mr_grouped",
    "pct_u",
    "phone_dot",
    "week_date",
    "ordinal_date",
    "foreign_date",
    "braille",
    "rot47",
    "css_escapes",
    "slashed",
    "utf7",
];
/// The channels every body trick is tried on.
const BODY_TRICK_CHANNELS: &[&str] = &["json_note", "text"];
/// Echo shapes tried with every canary; the others with `ECHO_FEW_KINDS` only.
const ECHO_ALL_KINDS: &[&str] = &[
    "json_known",
    "json_unknown",
    "text",
    "form",
    "err_text",
    "hl7",
    "csv",
    "xml",
    "x12",
];
const ECHO_FEW_KINDS: &[Kind] = &[Kind::Name, Kind::Mrn, Kind::Phone, Kind::Email];

/// `v`'s groups of digits when it is only digits cut by dashes (`512-47-3306`).
fn digit_groups(v: &str) -> Option<Vec<String>> {
    let shaped = v.contains('-') && v.bytes().all(|b| b.is_ascii_digit() || b == b'-');
    shaped.then(|| v.split('-').map(String::from).collect())
}

fn channel(ch: &str, c: &Canary, v: &str) -> Option<Req> {
    let note = cue(c, v);
    let ping = || Req::new("ping", Some("text/plain"), "ping");
    let patient = |extra: Value| {
        let mut p = json!({"resourceType": "Patient", "id": "p1", "gender": "female"});
        if let (Some(p), Value::Object(e)) = (p.as_object_mut(), extra) {
            p.extend(e);
        }
        p
    };
    let dicom = |set: Value| {
        Req::new(
            "j",
            Some("application/dicom+json"),
            json!([set]).to_string(),
        )
    };
    let dicom_attr = |vr: &str, value: Value| json!({"vr": vr, "Value": [value]});
    Some(match ch {
        "dicom_known" => {
            let (tag, vr, value) = match c.kind {
                Kind::Name => ("00100010", "PN", json!({ "Alphabetic": v })),
                Kind::Mrn => ("00100020", "LO", json!(v)),
                Kind::Ssn => ("00101000", "LO", json!(v)),
                Kind::Phone => ("00102154", "SH", json!(v)),
                Kind::Dob => ("00100030", "DA", json!(v)),
                Kind::Addr => ("00101040", "LO", json!(v)),
                _ => ("00104000", "LT", json!(note)),
            };
            dicom(json!({"00080060": dicom_attr("CS", json!("MR")), tag: dicom_attr(vr, value)}))
        }
        "dicom_unknown" => dicom(json!({
            "00080060": dicom_attr("CS", json!("MR")),
            "00181030": dicom_attr("LO", json!(v)),
        })),
        "dicom_private" => dicom(json!({
            "00090010": dicom_attr("LO", json!("ACME 1.0")),
            "00091010": dicom_attr("LO", json!(v)),
        })),
        "dicom_sequence" => dicom(json!({
            "00400275": {"vr": "SQ", "Value": [{
                "00321060": dicom_attr("LO", json!("wrist")),
                "00400007": dicom_attr("LO", json!(note)),
            }]},
        })),
        "dicom_pn_unknown" => dicom(json!({
            "0040A123": dicom_attr("PN", json!({ "Alphabetic": v })),
        })),
        "json_graphql_known" => Req::json(
            "graphql",
            &json!({"query": format!("query($v1: String) {{ patients({}: $v1) {{ id }} }}", c.key),
                    "variables": {"v1": v}}),
        ),
        "json_graphql_unknown" => Req::json(
            "graphql",
            &json!({"query": format!("query($v1: String) {{ patients({}: $v1) {{ id }} }}", c.unknown),
                    "variables": {"v1": v}}),
        ),
        "json_known" => Req::json("j", &json!({c.key: v, "status": "final"})),
        "llm_model" => Req::json(
            "j",
            &json!({"model": format!("gpt-4o-{v}"), "messages": [{"role": "user", "content": note}]}),
        ),
        "llm_api_version" => Req::json(
            "j",
            &json!({"api_version": v, "anthropic_version": format!("2023-06-01 {v}")}),
        ),
        "llm_created" => Req::json(
            "j",
            &json!({"object": "chat.completion", "created": c.number.map_or(json!(v), |n| json!(n))}),
        ),
        "llm_logit_bias" => Req::json(
            "j",
            // The value as a token-id key (its number when it has one: two keys that become one
            // token are refused, so one key only).
            &json!({"logit_bias": {(c.number.map_or(v.to_string(), |n| n.to_string())): -100}}),
        ),
        "llm_query_api_version" => ping().path_query(&format!("?api-version={}", url(v))),
        "llm_header_version" => ping().header("anthropic-version", v),
        "schema_instances" => Req::json(
            "j",
            &json!({"tools": [{"name": "lookup", "input_schema": {"type": "object", "properties": {
                c.key: {"type": "string", "examples": [v], "default": v, "enum": [v], "const": v},
                "notes": {"type": "string", "description": note, "title": note}
            }}}]}),
        ),
        "schema_keywords" => Req::json(
            "j",
            &json!({"$schema": v, "type": "object", "properties": {c.key: {
                "type": v, "format": v, "pattern": format!("^{v}$"), "$ref": v
            }}}),
        ),
        "schema_unknown_keyword" => Req::json(
            "j",
            &json!({"type": "object", "properties": {c.key: {"type": "string", "x-sample": v},
                c.unknown: {"type": "string", "x-sample": v}}}),
        ),
        "schema_required" => Req::json(
            "j",
            &json!({"type": "object", "properties": {"a": {"type": "string"}}, "required": [v]}),
        ),
        "schema_operator_keys" => Req::json(
            "j",
            &json!({"filter": {"$gte": v, "$eq": v}, "@context": v, "$filter": note}),
        ),
        "fhir_data_absent" => Req::fhir(&patient(json!({"_birthDate": {"extension": [{
            "url": "http://hl7.org/fhir/StructureDefinition/data-absent-reason",
            "valueCode": v
        }]}, "telecom": [{"system": "phone", "_value": {"extension": [{
            "url": "http://hl7.org/fhir/StructureDefinition/patient-birthTime",
            "valueString": v
        }]}}]}))),
        "fhir_instant" => Req::fhir(&json!({"resourceType": "Bundle", "type": "collection",
            "timestamp": format!("{v}T09:02:11Z"), "meta": {"lastUpdated": v}})),
        "fhir_urn_uuid" => Req::fhir(&json!({"resourceType": "Bundle", "type": "transaction",
            "entry": [{"fullUrl": format!("urn:uuid:{v}"), "resource": patient(json!({})),
            "request": {"method": "POST", "url": "Patient"}}]})),
        "json_race_tz" => Req::json(
            "j",
            &json!({"race": v, "ethnicity": format!("Hispanic or {v}"),
                "timezone": format!("America/{v}"), "tz": v}),
        ),
        "json_cdisc" => Req::json(
            "j",
            &json!({"DM": [{"USUBJID": v, "INVNAM": v, "BRTHDTC": v}]}),
        ),
        "json_unknown" => Req::json("j", &json!({c.unknown: v, "kind": "progress"})),
        "json_note" => Req::json("j", &json!({"note": note, "kind": "progress"})),
        // JSON Patch (RFC 6902, FHIR PATCH): the value's field is named by `path` (red team
        // 58, R6).
        "json_patch" => Req::json(
            "j",
            &json!([{"op": "test", "path": "/status", "value": "active"},
                    {"op": "replace", "path": format!("/{}/0", c.key), "value": v}]),
        ),
        "json_keep" => Req::json("j", &json!({"status": note})),
        // A value alone under a code or status key: kept only while it reads as one.
        "json_keep_value" => Req::json("j", &json!({"status": v, "code": v, "state": v})),
        "json_url_keep" => Req::json(
            "j",
            &json!({"next": format!("https://cb.example/done?state={}&kind=progress", url(v))}),
        ),
        // The canary's digits as a code beside RxNorm, which has no check digit (G22).
        "json_rxnorm_number" => Req::json(
            "j",
            &json!({"coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm",
                                "code": c.number?.to_string()}]}),
        ),
        "json_keep_coded" => Req::json(
            "j",
            &json!({"coding": [{"system": "http://snomed.info/sct", "code": v}]}),
        ),
        "json_array" => Req::json("j", &json!({"tags": ["pt", "ot", v]})),
        "json_nested" => Req::json(
            "j",
            &json!({"payload": json!({c.unknown: v, "event": "x"}).to_string()}),
        ),
        "json_top_string" => Req::json("j", &json!(note)),
        // JSON in base64 in JSON, deeper than the engine opens payloads.
        "json_deep" => {
            let mut inner = json!({c.unknown: v, "event": "x"});
            for _ in 0..5 {
                inner = json!({"payload": b64(inner.to_string().as_bytes())});
            }
            Req::json("j", &inner)
        }
        "json_number" => Req::json("j", &json!({"contact": c.number?})),
        "json_key" => Req::json("j", &json!({"visits": {v: "seen"}})),
        "json_late_rt" => Req::json(
            "j",
            &json!({"id": "p1", "identifier": [{"value": v}], "resourceType": "Patient"}),
        ),
        // A number written as a float (`512473306.0`), and one under a code key.
        "json_float" => Req::new(
            "j",
            Some("application/json"),
            format!("{{\"contact\":{}.0}}", c.number?),
        ),
        "json_keep_number" => Req::json("j", &json!({"status": c.number?})),
        // A value spelled out one character to an element, and a number one digit to one.
        "json_char_array" => Req::json(
            "j",
            &json!({"v": v.chars().map(String::from).collect::<Vec<_>>()}),
        ),
        "json_digit_array" => {
            let digits: Vec<u64> = c
                .number?
                .to_string()
                .bytes()
                .map(|b| u64::from(b - b'0'))
                .collect();
            Req::json("j", &json!({"v": digits}))
        }
        // A value cut at its dashes, one group of digits to an element or to a key nobody
        // knows (`["512","47","3306"]`, `{"area":"413","exchange":"555","line":"0172"}`).
        "json_group_array" => Req::json("j", &json!({"parts": digit_groups(v)?})),
        "json_group_object" => {
            let groups: serde_json::Map<String, Value> = digit_groups(v)?
                .into_iter()
                .enumerate()
                // Keys without digits, so that the groups' digits are all there is to read.
                .map(|(k, g)| {
                    (
                        ["area", "exchange", "line", "ext"][k % 4].to_string(),
                        Value::from(g),
                    )
                })
                .collect();
            Req::json("j", &json!({"cb": groups}))
        }
        // The same groups as JSON numbers, which lose their leading zeros
        // (`{"area":413,"exchange":555,"line":172}`, `[8,23,1961]`).
        "json_group_numbers" => {
            let groups: serde_json::Map<String, Value> = digit_groups(v)?
                .into_iter()
                .enumerate()
                .map(|(k, g)| {
                    let n: u64 = g.parse().ok()?;
                    Some((
                        ["area", "exchange", "line", "ext"][k % 4].to_string(),
                        n.into(),
                    ))
                })
                .collect::<Option<_>>()?;
            Req::json("j", &json!({"cb": groups}))
        }
        // A path under a code key, the value's words as its pieces (`/patients/whitlock`).
        "json_path_keep" => Req::json(
            "j",
            &json!({"status": format!("/patients/{}", v.replace(' ', "/"))}),
        ),
        "form_known" => Req::new(
            "f",
            Some("application/x-www-form-urlencoded"),
            format!("{}={}&kind=progress", c.key, url(v)),
        ),
        "form_unknown" => Req::new(
            "f",
            Some("application/x-www-form-urlencoded"),
            format!("{}={}&kind=progress", c.unknown, url(v)),
        ),
        "form_keep" => Req::new(
            "f",
            Some("application/x-www-form-urlencoded"),
            format!("status={}&state={}&kind=progress", url(v), url(v)),
        ),
        "form_json" => Req::new(
            "f",
            Some("application/x-www-form-urlencoded"),
            format!("data={}", url(&json!({c.key: v}).to_string())),
        ),
        "text" => Req::new("t", Some("text/plain"), format!("{note}\n")),
        "text_json" => Req::new("t", Some("text/plain"), json!({c.unknown: v}).to_string()),
        "json_as_form" => Req::new(
            "f",
            Some("application/x-www-form-urlencoded"),
            json!({c.key: v}).to_string(),
        ),
        "form_as_json" => Req::new(
            "j",
            Some("application/json"),
            format!("{}={}", c.key, url(v)),
        ),
        "ndjson" => Req::new(
            "n",
            Some("application/x-ndjson"),
            format!(
                "{}\n{}\n",
                json!({"event": "x"}),
                json!({c.unknown: v, "note": note})
            ),
        ),
        "query_known" => ping().path_query(&format!("?{}={}&kind=progress", c.key, url(v))),
        "query_odata_known" => ping().path_query(&format!(
            "?$filter={}&$top=10",
            url(&format!("{} eq '{}' and Status eq 'active'", c.key, v))
        )),
        "query_odata_unknown" => ping().path_query(&format!(
            "?$filter={}",
            url(&format!("contains({},'{}')", c.unknown, v))
        )),
        "form_odata_known" => Req::new(
            "f",
            Some("application/x-www-form-urlencoded"),
            format!("$filter={}", url(&format!("{} eq '{}'", c.key, v))),
        ),
        "query_unknown" => ping().path_query(&format!("?ref={}&kind=progress", url(v))),
        "query_keep" => ping().path_query(&format!("?state={}&kind=progress", url(v))),
        "query_bare" => ping().path_query(&format!("?{}", url(v))),
        "query_url" => ping().path_query(&format!(
            "?next={}",
            url(&format!("/chart?{}={}", c.key, url(v)))
        )),
        "query_semicolon" => ping().path_query(&format!("?kind=progress;ref={}", url(v))),
        "path" => {
            let mut r = ping();
            r.path = format!("patients/{}/notes", url(v));
            r
        }
        "path_matrix" => {
            let mut r = ping();
            r.path = format!("patients;ref={}/notes", url(v));
            r
        }
        // The value's words as the pieces of a path in a query value.
        "query_path_pieces" => ping().path_query(&format!(
            "?next={}&kind=progress",
            url(&format!("/patients/{}", v.replace(' ', "/")))
        )),
        // The value's words as path segments of their own (`patients/4471/Quarry/Hollow/Rd`).
        "path_pieces" => {
            let mut r = ping();
            let pieces: Vec<String> = v.split(' ').map(url).collect();
            r.path = format!("patients/{}/notes", pieces.join("/"));
            r
        }
        "h_user_agent" => ping().header("user-agent", format!("ClinicSync/2.1 (patient {v})")),
        "h_accept" => ping().header("accept", format!("application/json; patient=\"{v}\"")),
        "h_idempotency" => ping().header("idempotency-key", format!("{v}-20250301")),
        "h_cookie" => ping().header("cookie", format!("sid=a81f; family={}", url(v))),
        // A sloppy client's cookie: the value's blanks as they are (G23).
        "h_cookie_blank" => ping().header("cookie", format!("sid=a81f; who={v}")),
        "h_scanned" => ping().header("x-patient", v),
        "h_content_type" => ping().header("content-type", format!("text/plain; patient=\"{v}\"")),
        // A well-formed W3C trace whose id spells the value (its digits, else its bytes in
        // hex): the gateway must hash a caller's trace id, never forward it.
        "h_traceparent" => {
            let spelled = c.number.map_or_else(
                || v.bytes().map(|b| format!("{b:02x}")).collect::<String>(),
                |n| n.to_string(),
            );
            let tail = &spelled[spelled.len().saturating_sub(32)..];
            ping().header("traceparent", format!("00-{tail:0>32}-00f067aa0ba902b7-01"))
        }
        "fhir_div" => Req::fhir(&patient(json!({"text": {
            "status": "generated",
            "div": format!("<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>{note}</p></div>")
        }}))),
        // A CSV or TSV export inside a JSON string or as text/plain, the value under its
        // column (stop 53, H17).
        "json_table" => Req::json(
            "j",
            &json!({"export": format!("id,{},status\n1,{v},final\n2,{v},final\n", c.key)}),
        ),
        "json_tsv_table" => Req::json(
            "j",
            &json!({"export": format!("id\t{}\tstatus\n1\t{v}\tfinal\n", c.key)}),
        ),
        "text_table" => Req::new(
            "t",
            Some("text/plain"),
            format!("id,{},status\r\n1,\"{v}\",final\r\n", c.key),
        ),
        // HL7 and HTML under the other names senders give them (stop 53, H11): read, not
        // refused. An HTML page that is not XML (`<br>`) is read as text.
        "hl7_er7_label" => Req::new("h", Some("application/hl7-v2+er7"), hl7_message(c, v, "\r")),
        "hl7_x_hl7_label" => Req::new("h", Some("text/x-hl7"), hl7_message(c, v, "\r")),
        "hl7_edi_label" => Req::new("h", Some("application/edi-hl7"), hl7_message(c, v, "\r")),
        // HL7 in ISO-8859-1 that says so in MSH-18 (stop 53, H18): read, not refused.
        "hl7_latin1_msh18" => {
            let msg =
                hl7_message(c, v, "\r").replacen(HL7_MSH, &format!("{HL7_MSH}||||||8859/1"), 1)
                    + "NTE|1|P|Referred by Dr. Jos\u{e9} Alvarez\r";
            // A value ISO-8859-1 cannot write (a trick's fullwidth or Cyrillic letters) is
            // no case of this channel.
            let latin1: Vec<u8> = msg
                .chars()
                .map(|ch| u8::try_from(u32::from(ch)).ok())
                .collect::<Option<_>>()?;
            Req::new("h", Some("application/hl7-v2"), latin1)
        }
        "html_body" => Req::new(
            "t",
            Some("text/html; charset=utf-8"),
            format!(
                "<!DOCTYPE html>\n<html><head><title>Note</title></head><body>\
                 <p>Visit summary<br>{note}<p>Plan: home exercise</body></html>"
            ),
        ),
        "html_page_xml" => Req::new(
            "t",
            Some("text/html"),
            format!("<html><body><p>{note}</p><br/></body></html>"),
        ),
        // An XHTML document as the body (stop 53).
        "xhtml_body" => Req::new(
            "x",
            Some("application/xhtml+xml"),
            format!(
                "<html xmlns=\"http://www.w3.org/1999/xhtml\"><head><title>Note</title></head>\
                 <body><p>{note}</p></body></html>"
            ),
        ),
        // Everything inside a tag is read: a comment, an attribute's value.
        "fhir_div_comment" => Req::fhir(&patient(json!({"text": {
            "status": "generated",
            "div": format!(
                "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>Seen.</p><!-- {note} --></div>"
            )
        }}))),
        "fhir_div_attr" => Req::fhir(&patient(json!({"text": {
            "status": "generated",
            "div": format!(
                "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p class=\"{v}\">Seen.</p></div>"
            )
        }}))),
        "html_note_comment" => Req::json(
            "j",
            &json!({"note": format!("<p>Seen today.</p><!-- {note} -->")}),
        ),
        "html_note_cdata" => Req::json(
            "j",
            &json!({"note": format!("<p>Seen today.</p><![CDATA[{note}]]>")}),
        ),
        "html_note_pi" => Req::json(
            "j",
            &json!({"note": format!("<p>Seen today.</p><?note {note}?>")}),
        ),
        "html_text_attr" => Req::new(
            "t",
            Some("text/plain"),
            format!("<p>Seen today.</p><span title=\"{v}\">x</span>"),
        ),
        "fhir_ext_string" => Req::fhir(&patient(json!({"extension": [{
            "url": "http://hl7.org/fhir/StructureDefinition/patient-mothersMaidenName",
            "valueString": v
        }]}))),
        "fhir_ext_ident" => Req::fhir(&patient(json!({"extension": [{
            "url": "http://example.org/fhir/StructureDefinition/legacy-id",
            "valueIdentifier": {"system": "urn:oid:1.2.3.4", "value": v}
        }]}))),
        "fhir_code_text" => Req::fhir(&json!({
            "resourceType": "Observation", "id": "o1", "status": "final",
            "code": {"coding": [{"system": "http://loinc.org", "code": "11488-4"}], "text": note}
        })),
        "fhir_qr" => Req::fhir(&json!({
            "resourceType": "QuestionnaireResponse", "id": "q1", "status": "completed",
            "item": [{"linkId": "1", "text": "Contact details", "answer": [{"valueString": v}]}]
        })),
        "fhir_binary" => Req::fhir(&json!({
            "resourceType": "Binary", "id": "b1",
            "contentType": "text/plain; charset=utf-16",
            "data": b64(&utf16(&note, true, true))
        })),
        "fhir_attachment" => Req::fhir(&json!({
            "resourceType": "DocumentReference", "id": "d1", "status": "current",
            "content": [{"attachment": {
                "contentType": "text/plain; charset=utf-16",
                "data": b64(&utf16(&note, true, false))
            }}]
        })),
        // An HL7 v2 message as an attachment: read as HL7, not dropped (red team 51).
        "fhir_attachment_hl7" => Req::fhir(&json!({
            "resourceType": "DocumentReference", "id": "d1", "status": "current",
            "content": [{"attachment": {
                "contentType": "application/hl7-v2",
                "data": b64(hl7_message(c, v, "\r").as_bytes())
            }}]
        })),
        // An RTF note as an attachment (G8): read as the text it renders.
        "fhir_rtf" => Req::fhir(&json!({
            "resourceType": "DocumentReference", "id": "d2", "status": "current",
            "content": [{"attachment": {
                "contentType": "text/rtf",
                "data": b64(note.as_bytes())
            }}]
        })),
        "fhir_ident_str" => Req::fhir(&patient(json!({"identifier": v}))),
        // A coding's display and its concept's text in a published code system: still text
        // the sender wrote.
        "fhir_coding_display" => Req::fhir(&json!({
            "resourceType": "Condition", "id": "c1",
            "code": {"coding": [{"system": "http://snomed.info/sct", "code": "44054006",
                                 "display": note}], "text": note}
        })),
        // A transaction's `request.url`, kept only when it is a resource type.
        "fhir_request_url" => Req::fhir(&json!({
            "resourceType": "Bundle", "type": "transaction",
            "entry": [{"resource": {"resourceType": "Basic", "id": "b1"},
                       "request": {"method": "POST", "url": v}}]
        })),
        // A reference's parts: kept only in the shapes FHIR defines (`Type/id`, a URN,
        // `#id`, `_history`); a prefix nobody knows is replaced with the id.
        "fhir_reference" => Req::fhir(&json!({
            "resourceType": "Observation", "id": "o1", "status": "final",
            "subject": {"reference": format!("{v}/123")},
            "encounter": {"reference": format!("Encounter/9/_history/{v}")},
            "performer": [{"reference": format!("https://ehr.example/fhir/{v}/77")}],
            "basedOn": [{"reference": format!("urn:oid:{v}")}]
        })),
        "hl7_known" => Req::new("h", Some("application/hl7-v2"), hl7_message(c, v, "\r")),
        "hl7_unknown" => Req::new(
            "h",
            Some("application/hl7-v2"),
            format!("{HL7_MSH}\rZPI|1|{}|A\r", hl7_escape(v)),
        ),
        "hl7_note" => Req::new(
            "h",
            Some("application/hl7-v2"),
            format!("{HL7_MSH}\rNTE|1|P|{}\r", hl7_escape(&note)),
        ),
        "hl7_keep" => Req::new(
            "h",
            Some("x-application/hl7-v2+er7"),
            format!(
                "{HL7_MSH}\rPV1|1|{}\rOBX|1|TX|{}\r",
                hl7_escape(v),
                hl7_escape(&note)
            ),
        ),
        "hl7_lf" => Req::new("h", Some("application/hl7-v2"), hl7_message(c, v, "\n")),
        "hl7_as_text" => Req::new("t", Some("text/plain"), hl7_message(c, v, "\r\n")),
        "hl7_in_json" => Req::json("j", &json!({"message": hl7_message(c, v, "\r")})),
        "hl7_batch" => Req::new(
            "h",
            Some("application/hl7-v2"),
            format!(
                "FHS|^~\\&|EMR\rBHS|^~\\&|EMR\r{}{}BTS|2\rFTS|1\r",
                hl7_message(c, "MR7730291", "\r"),
                hl7_message(c, v, "\r")
            ),
        ),
        "x12_known" => Req::new("x", Some("application/edi-x12"), x12_message(c, v)),
        "x12_unknown" => Req::new(
            "x",
            Some("application/EDI-X12"),
            x12_body(&format!("ZZZ*1*{v}*A")),
        ),
        "x12_note" => Req::new(
            "x",
            Some("application/edi-x12"),
            x12_body(&format!("NTE*ADD*{note}")),
        ),
        "x12_as_text" => Req::new("t", Some("text/plain"), x12_message(c, v)),
        // Loops whose addresses are kept (a billing provider's, a payer's): a patient's
        // value written there is still read.
        // (An address canary there is the provider's own address by rule: not tried.)
        "x12_provider_addr" if c.kind != Kind::Addr => Req::new(
            "x",
            Some("application/edi-x12"),
            x12_body(&format!(
                "NM1*85*2*SUNRISE HAND THERAPY*****XX*1234567893~N3*{v}~N4*SPRINGFIELD*IL*62701"
            )),
        ),
        "x12_payer_addr" if c.kind != Kind::Addr => Req::new(
            "x",
            Some("application/edi-x12"),
            x12_body(&format!(
                "NM1*PR*2*TEST PLAN*****PI*99999~N3*100 MAIN ST*{v}~N4*SPRINGFIELD*IL*62701"
            )),
        ),
        "csv_known" => Req::new(
            "c",
            Some("text/csv"),
            format!("{},status\r\n{},final\r\n", c.key, csv_cell(v)),
        ),
        "csv_people_name" => Req::new(
            "c",
            Some("text/csv"),
            format!("name,age,status\r\n{},93,final\r\n", csv_cell(v)),
        ),
        "json_string_people_name" => Req::json("j", &json!({
            "rows": format!("name,age,status\n{},93,final", csv_cell(v))
        })),
        "csv_unknown" => Req::new(
            "c",
            Some("text/csv"),
            format!("{},status\r\n{},final\r\n", c.unknown, csv_cell(v)),
        ),
        "csv_note" => Req::new(
            "c",
            Some("text/csv; charset=utf-8"),
            format!("note,cpt\n{},97530\n", csv_cell(&note)),
        ),
        "csv_noheader" => Req::new(
            "c",
            Some("text/csv"),
            format!("final,{}\nfinal,x\n", csv_cell(v)),
        ),
        "csv_ragged" => Req::new(
            "c",
            Some("text/csv"),
            format!("{},status\nfinal,{},extra\n", c.key, csv_cell(v)),
        ),
        "tsv_known" => Req::new(
            "c",
            Some("text/tab-separated-values"),
            format!("{}\tstatus\n{}\tfinal\n", c.key, v.replace('\t', " ")),
        ),
        "xml_known" => Req::new("x", Some("application/cda+xml"), cda_doc(c, v)),
        "xml_unknown" => Req::new(
            "x",
            Some("application/xml"),
            format!(
                "<?xml version=\"1.0\"?>\n<Visit><ref>{}</ref><kind>progress</kind></Visit>",
                xml_text(v)
            ),
        ),
        "xml_note" => Req::new(
            "x",
            Some("text/xml"),
            cda_note(&format!("<paragraph>{}</paragraph>", xml_text(&note))),
        ),
        "xml_attr" => Req::new(
            "x",
            Some("application/xml"),
            format!("<Visit ref=\"{}\" kind=\"progress\"/>", xml_text(v)),
        ),
        // FHIR's XML form: the value in the `value` attribute of the element its kind is
        // (red team 58, R7), typed by FHIR's field rules.
        "fhir_xml_typed" => Req::new("x", Some("application/fhir+xml"), fhir_xml_typed(c, v)),
        "fhir_xml_id" => fhir_xml(format!(
            "<Patient xmlns=\"http://hl7.org/fhir\"><id value=\"{}\"/><gender value=\"female\"/></Patient>",
            xml_text(v)
        )),
        "fhir_xml_reference" => fhir_xml(format!(
            "<Observation xmlns=\"http://hl7.org/fhir\"><id value=\"o1\"/><status value=\"final\"/>\
             <subject><reference value=\"Patient/{e}\"/></subject>\
             <encounter><reference value=\"Encounter/9/_history/{e}\"/></encounter>\
             <performer><reference value=\"https://ehr.example/fhir/{e}/77\"/></performer>\
             <basedOn><reference value=\"urn:oid:{e}\"/></basedOn></Observation>",
            e = xml_text(v)
        )),
        "fhir_xml_request_url" => fhir_xml(format!(
            "<Bundle xmlns=\"http://hl7.org/fhir\"><type value=\"transaction\"/><entry><resource><Basic><id value=\"b1\"/></Basic></resource>\
             <request><method value=\"POST\"/><url value=\"{}\"/></request></entry></Bundle>",
            xml_text(v)
        )),
        "fhir_xml_binary" => fhir_xml(format!(
            "<Binary xmlns=\"http://hl7.org/fhir\"><contentType value=\"text/plain; charset=utf-16\"/><data value=\"{}\"/></Binary>",
            b64(&utf16(&note, true, true))
        )),
        "fhir_xml_attachment" => fhir_xml(format!(
            "<DocumentReference xmlns=\"http://hl7.org/fhir\"><status value=\"current\"/><content><attachment>\
             <contentType value=\"text/plain\"/><data value=\"{}\"/></attachment></content></DocumentReference>",
            b64(note.as_bytes())
        )),
        // A photo is no text any reader reads: masked, whatever its metadata holds.
        "fhir_xml_photo" => fhir_xml(format!(
            "<Patient xmlns=\"http://hl7.org/fhir\"><photo><contentType value=\"image/jpeg\"/><data value=\"{}\"/></photo></Patient>",
            b64(&file_carrying("jpeg", &note))
        )),
        // An untyped value that holds PHI is rewritten in place, not masked.
        "fhir_xml_value_string" => fhir_xml(format!(
            "<Observation xmlns=\"http://hl7.org/fhir\"><status value=\"final\"/><valueString value=\"{}\"/></Observation>",
            xml_text(&note)
        )),
        // Any XML: an element the key rules type holds its value in a `value` attribute.
        "xml_known_value_attr" => Req::new(
            "x",
            Some("application/xml"),
            format!("<Visit><{} value=\"{}\"/></Visit>", c.key, xml_text(v)),
        ),
        // Where the schema wants an OID or a TS: a changed value is masked, its token carried
        // in a comment.
        "xml_root" => Req::new(
            "x",
            Some("application/xml"),
            format!(
                "<Visit><id root=\"{}\"/><kind>progress</kind></Visit>",
                xml_text(v)
            ),
        ),
        "xml_time" => Req::new(
            "x",
            Some("application/cda+xml"),
            cda_note(&format!(
                "<paragraph>Seen.</paragraph></text><effectiveTime value=\"{}\"/><text>",
                xml_text(v)
            )),
        ),
        // The value as markup: an element's, an attribute's, a namespace prefix's or a
        // processing instruction's name (spelled as an XML name).
        "xml_element_name" if nameable(v) => Req::new(
            "x",
            Some("application/xml"),
            format!("<Visit><{n}>progress</{n}></Visit>", n = xml_name(v)),
        ),
        "xml_attr_name" if nameable(v) => Req::new(
            "x",
            Some("application/xml"),
            format!("<Visit {}=\"1\" kind=\"progress\"/>", xml_name(v)),
        ),
        "xml_prefix" if nameable(v) => Req::new(
            "x",
            Some("application/xml"),
            format!(
                "<Visit xmlns:{n}=\"urn:x\"><{n}:kind>progress</{n}:kind></Visit>",
                n = xml_name(v)
            ),
        ),
        "xml_pi_target" if nameable(v) => Req::new(
            "x",
            Some("application/xml"),
            format!("<Visit><?{} on?><kind>progress</kind></Visit>", xml_name(v)),
        ),
        // Comments, CDATA and processing instructions hold their text as written.
        "xml_comment" => Req::new(
            "x",
            Some("application/xml"),
            cda_note(&format!("<!-- {note} -->Seen.")),
        ),
        "xml_cdata" => Req::new(
            "x",
            Some("application/xml"),
            cda_note(&format!("<paragraph><![CDATA[{note}]]></paragraph>")),
        ),
        "xml_pi" => Req::new(
            "x",
            Some("application/xml"),
            format!("<?xml version=\"1.0\"?><?clinic-note {note}?><Visit/>"),
        ),
        "xml_as_text" => Req::new("t", Some("text/plain"), cda_doc(c, v)),
        "xml_in_json" => Req::json("j", &json!({"document": cda_doc(c, v)})),
        // The value inside a namespace name (a URN).
        "xml_ns" => Req::new(
            "x",
            Some("application/xml"),
            format!(
                "<Visit xmlns:p=\"urn:patient:{}\"><p:kind>progress</p:kind></Visit>",
                xml_text(v)
            ),
        ),
        // The media type's own words (`application/vnd.rosalind.thackeray+json`): never
        // read, so never forwarded.
        "h_content_type_essence" if v != c.value => return None,
        "h_content_type_essence" => Req::new(
            "j",
            Some(format!("application/vnd.{}+json", token_of(v)).as_str()),
            json!({"kind": "progress"}).to_string(),
        ),
        "h_accept_essence" if v != c.value => return None,
        "h_accept_essence" => Req::json("j", &json!({"kind": "progress"})).header(
            "accept",
            format!("text/{t}, application/{t}+json, {t}/x", t = token_of(v)),
        ),
        // A charset, a content coding, an XML encoding or version the sender names: a
        // refusal must not quote it.
        "h_charset_name" if v != c.value => return None,
        "h_charset_name" => Req::new(
            "t",
            Some(format!("text/plain; charset={}", token_of(v)).as_str()),
            "ping",
        ),
        "h_content_encoding_name" if v != c.value => return None,
        "h_content_encoding_name" => {
            Req::json("j", &json!({"kind": "progress"})).header("content-encoding", token_of(v))
        }
        "xml_encoding_name" if v != c.value => return None,
        "xml_encoding_name" => Req::new(
            "x",
            Some("application/xml"),
            format!(
                "<?xml version=\"1.0\" encoding=\"{}\"?><Visit/>",
                token_of(v)
            ),
        ),
        "xml_version" if v != c.value => return None,
        "xml_version" => Req::new(
            "x",
            Some("application/xml"),
            format!("<?xml version=\"{}\"?><Visit/>", token_of(v)),
        ),
        // A coding's code beside a system that is no terminology of long numbers, and a
        // number or a digit string beside any system.
        "json_coded_any_system" => Req::fhir(&json!({
            "resourceType": "Observation", "id": "o1", "status": "final",
            "code": {"coding": [{"system": "urn:clinic:chart", "code": v}]}
        })),
        "json_coded_digits" => Req::fhir(&json!({
            "resourceType": "Observation", "id": "o1", "status": "final",
            "code": {"coding": [{"system": "urn:x", "code": c.number?.to_string()}]}
        })),
        "json_coded_number" => Req::fhir(&json!({
            "resourceType": "Observation", "id": "o1", "status": "final",
            "code": {"coding": [{"system": "urn:x", "code": c.number?}]}
        })),
        "json_coded_snomed_digits" => Req::fhir(&json!({
            "resourceType": "Observation", "id": "o1", "status": "final",
            "code": {"coding": [{"system": "http://snomed.info/sct",
                                 "code": c.number?.to_string()}]}
        })),
        // HL7 v2 whose field separator is not `|` (MSH-1 is the sender's), as text and
        // inside JSON: sniffed and walked as HL7.
        "hash_hl7_as_text" if v != c.value => return None,
        "hash_hl7_as_text" => Req::new(
            "t",
            Some("text/plain"),
            hl7_message(c, v, "\r").replace('|', "#"),
        ),
        "hash_hl7_in_json" if v != c.value => return None,
        "hash_hl7_in_json" => Req::json(
            "j",
            &json!({"message": hl7_message(c, v, "\r").replace('|', "#")}),
        ),
        // Formatting escapes inside a word render as nothing (`Thack\H\eray`).
        "split_hl7_highlight" if v != c.value => return None,
        "split_hl7_highlight" => Req::new(
            "h",
            Some("application/hl7-v2"),
            format!(
                "{HL7_MSH}\rNTE|1|P|{}\r",
                hl7_escape(&cue(
                    c,
                    &cut_words(v, &format!("{HL7_RAW_ESC}H{HL7_RAW_ESC}"))
                ))
            ),
        ),
        // A value highlighted whole (`with \H\Orsolya Brankovic\N\ today`): the commands'
        // letters must not glue to the words beside them (red team 68).
        "highlighted_hl7" if v != c.value => return None,
        "highlighted_hl7" => Req::new(
            "h",
            Some("application/hl7-v2"),
            format!(
                "{HL7_MSH}\rNTE|1|P|{}\r",
                hl7_escape(&cue(
                    c,
                    &format!("{HL7_RAW_ESC}H{HL7_RAW_ESC}{v}{HL7_RAW_ESC}N{HL7_RAW_ESC}")
                ))
            ),
        ),
        "split_hl7_format" if v != c.value => return None,
        "split_hl7_format" => Req::new(
            "h",
            Some("application/hl7-v2"),
            format!(
                "{HL7_MSH}\rOBX|1|TX|NOTE^Note||{}||||||F\r",
                hl7_escape(&cue(
                    c,
                    &cut_words(v, &format!("{HL7_RAW_ESC}.sk1{HL7_RAW_ESC}"))
                ))
            ),
        ),
        // XML character data cut at the middle of each of the value's words by markup that
        // reads as nothing: a comment, an instruction, a CDATA boundary, an inline element.
        "split_xml_comment" => Req::new(
            "x",
            Some("application/xml"),
            format!(
                "<Visit><note>{}</note><kind>progress</kind></Visit>",
                xml_cut(c, v, "<!-- x -->", "")
            ),
        ),
        "split_xml_pi" => Req::new(
            "x",
            Some("application/xml"),
            format!("<Visit><note>{}</note></Visit>", xml_cut(c, v, "<?z?>", "")),
        ),
        "split_xml_cdata" => Req::new(
            "x",
            Some("application/xml"),
            format!(
                "<Visit><note>{}</note></Visit>",
                xml_cut(c, v, "<![CDATA[", "]]>")
            ),
        ),
        "split_cda_content" => Req::new(
            "x",
            Some("application/cda+xml"),
            cda_note(&format!(
                "<paragraph>{}</paragraph>",
                xml_cut(c, v, "<content styleCode=\"Bold\">", "</content>")
            )),
        ),
        "split_cda_br" => Req::new(
            "x",
            Some("text/xml"),
            cda_note(&format!(
                "<paragraph>{}</paragraph>",
                xml_cut(c, v, "<br/>", "")
            )),
        ),
        "split_fhir_xml_b" => Req::new(
            "x",
            Some("application/fhir+xml"),
            format!(
                "<Observation xmlns=\"http://hl7.org/fhir\"><status value=\"final\"/><text>\
                 <div xmlns=\"http://www.w3.org/1999/xhtml\">{}</div></text></Observation>",
                xml_cut(c, v, "<b>", "</b>")
            ),
        ),
        "cda_coded_digits" => Req::new(
            "x",
            Some("application/cda+xml"),
            cda_code(&c.number?.to_string(), "2.16.840.1.113883.19.5"),
        ),
        "cda_coded_snomed_digits" => Req::new(
            "x",
            Some("application/cda+xml"),
            cda_code(&c.number?.to_string(), "2.16.840.1.113883.6.96"),
        ),
        // GS02/GS03 holding the patient's own value: read, so tokenised.
        "x12_gs_ids" if v.contains(['*', '~', ':', '^']) => return None,
        "x12_gs_ids" => Req::new(
            "x",
            Some("application/edi-x12"),
            x12_envelope(c, v, super::x12::ISA_837, &format!("GS*HC*{v}*{v}*")),
        ),
        // ISA06 (fixed width: written as read) holding the patient's value: refused.
        "x12_isa_id" if v.len() > 15 || v.contains(['*', '~', ':', '^']) => return None,
        "x12_isa_id" => Req::new(
            "x",
            Some("application/edi-x12"),
            x12_envelope(
                c,
                v,
                &super::x12::ISA_837.replace("PHIGATETEST    ", &format!("{v:<15}")),
                "GS*HC*PHIGATETEST*TESTCLEARING*",
            ),
        ),
        // MSH-10 (the control ID) and MSH-12's second component holding the value.
        "hl7_msh_control" => Req::new(
            "h",
            Some("application/hl7-v2"),
            hl7_message(c, v, "\r").replacen(
                "|ADT^A08|M1|P|2.5.1",
                &format!("|ADT^A08|{e}|P|2.5.1^{e}", e = hl7_escape(v)),
                1,
            ),
        ),
        "fhir_qr_phrase" => Req::fhir(&json!({
            "resourceType": "QuestionnaireResponse", "id": "q1", "status": "completed",
            "item": [{"linkId": "q7", "text": qr_question(c.kind),
                      "answer": [{"valueString": v}]}]
        })),
        "form_bracket" => Req::new(
            "f",
            Some("application/x-www-form-urlencoded"),
            format!("patient%5B{}%5D={}&kind=progress", c.key, url(v)),
        ),
        "form_bracket_nested" => Req::new(
            "f",
            Some("application/x-www-form-urlencoded"),
            format!("items[0][{}]={}&items[0][kind]=progress", c.key, url(v)),
        ),
        "query_bracket" => ping().path_query(&format!("?pt[{}]={}&kind=progress", c.key, url(v))),
        "form_key_segment" => Req::new(
            "f",
            Some("application/x-www-form-urlencoded"),
            format!("{}%5B{}%5D=1&kind=progress", c.key, url(v)),
        ),
        "query_key_segment" => ping().path_query(&format!("?pt[{}][{}]=1", c.key, url(v))),
        "json_bracket_key" => Req::json(
            "j",
            &json!({format!("patient[{}]", c.key): v, "kind": "progress"}),
        ),
        "fhir_sampled_data" => Req::fhir(&json!({
            "resourceType": "Observation", "id": "o1", "status": "final",
            "code": {"text": "ECG lead II"},
            "valueSampledData": {"origin": {"value": 0}, "period": 10, "dimensions": 1,
                                 "data": note}
        })),
        "fhir_consent_data" => Req::fhir(&json!({
            "resourceType": "Consent", "id": "c1", "status": "active",
            "provision": {"type": "permit", "data": [{"meaning": note,
                          "reference": {"reference": "Observation/o1", "display": note}}]}
        })),
        // Stop 56 (struct56): records quoted in text are read as records (red team 55, J3),
        // tables written as JSON arrays typed by their column names (J5).
        "json_fence_record" => Req::json(
            "j",
            &json!({"content": format!("Here is the record:\n```json\n{}\n```\nPlease summarise.",
                json!({c.key: v, "age": 93}))}),
        ),
        "json_fence_unknown" => Req::json(
            "j",
            &json!({"content": format!("Record:\n```\n{}\n```", json!({c.unknown: v}))}),
        ),
        "text_fence_record" => Req::new(
            "t",
            Some("text/plain"),
            format!(
                "Here is the record:\n```json\n{}\n```\nPlease summarise.",
                json!({c.key: v, "zip": "01085"})
            ),
        ),
        "json_inline_record" => Req::json(
            "j",
            &json!({"note": format!("payload was {} at 09:02", json!({c.key: v}))}),
        ),
        "json_fence_csv" if !v.contains([',', '"', '\n']) => Req::json(
            "j",
            &json!({"content": format!("Export:\n```csv\n{},zip,age\n{v},01085,93\n```", c.key)}),
        ),
        "json_fence_xml" if !v.contains(['<', '&']) => Req::json(
            "j",
            &json!({"content": format!("Record:\n```xml\n<pt><{k}>{v}</{k}><age>93</age></pt>\n```",
                k = c.key)}),
        ),
        "json_column_table" => Req::json(
            "j",
            &json!({"values": [[c.key, "zip", "age"], [v, "01085", "93"]]}),
        ),
        "json_split_table" => Req::json(
            "j",
            &json!({"columns": [c.key, "zip"], "index": [0], "data": [[v, "01085"]]}),
        ),
        "json_bq_table" => Req::json(
            "j",
            &json!({"schema": {"fields": [{"name": c.key}, {"name": "age"}]},
                    "rows": [{"f": [{"v": v}, {"v": "93"}]}]}),
        ),
        "json_entry_pairs" => Req::json("j", &json!({"params": [[c.key, v], ["zip", "01085"]]})),
        "json_parallel_arrays" => Req::json(
            "j",
            &json!({"keys": [c.key, "zip"], "values": [v, "01085"]}),
        ),
        "json_column_unknown" => Req::json("j", &json!([[c.unknown, "zip"], [v, "01085"]])),
        // Stop 56 (struct56): table cells typed by their header in markup (J6), Markdown,
        // `|` and `;` tables in text, and CSV with a title line or semicolons (J10).
        "fhir_div_table" if !v.contains(['<', '&']) => Req::fhir(&json!({
            "resourceType": "Observation", "id": "o1", "status": "final",
            "code": {"text": "Intake"},
            "text": {"status": "generated", "div": format!(
                "<div xmlns=\"http://www.w3.org/1999/xhtml\"><table><thead><tr><th>{}</th>\
                 <th>Zip</th><th>Age</th></tr></thead><tbody><tr><td>{v}</td><td>01085</td>\
                 <td>93</td></tr></tbody></table></div>", c.key)}
        })),
        "html_note_table" if !v.contains(['<', '&']) => Req::new(
            "t",
            Some("text/plain"),
            format!(
                "<p>Seen.</p><table><tr><th>{}</th><th>Age</th></tr><tr><td>{v}</td>\
                 <td>93</td></tr></table>\n",
                c.key
            ),
        ),
        "json_markdown_table" if !v.contains(['|', '\n']) => Req::json(
            "j",
            &json!({"note": format!("| {} | Zip | Age |\n|---|---|---|\n| {v} | 01085 | 93 |", c.key)}),
        ),
        "json_pipe_table" if !v.contains(['|', '\n']) => Req::json(
            "j",
            &json!({"export": format!("{}|zip|age\n{v}|01085|93\n", c.key)}),
        ),
        "json_semicolon_table" if !v.contains([';', '\n']) => Req::json(
            "j",
            &json!({"export": format!("{};zip;age\n{v};01085;93\n", c.key)}),
        ),
        "csv_title_line" => Req::new(
            "c",
            Some("text/csv"),
            format!(
                "Patient export\r\n{},zip,age\r\n{},01085,93\r\n",
                c.key,
                csv_cell(v)
            ),
        ),
        // Stop 57 (tables57): a cell typed by its `<th>` header (J6) in the XML walker.
        "xml_cda_table" => Req::new(
            "x",
            Some("application/cda+xml"),
            cda_note(&format!(
                "<table border=\"1\"><thead><tr><th>{}</th><th>Zip</th><th>Age</th></tr></thead>\
                 <tbody><tr><td>{}</td><td>01085</td><td>93</td></tr></tbody></table>",
                c.key,
                xml_text(v)
            )),
        ),
        "xhtml_body_table" => Req::new(
            "x",
            Some("application/xhtml+xml"),
            format!(
                "<html xmlns=\"http://www.w3.org/1999/xhtml\"><head><title>Note</title></head>\
                 <body><table><tr><th>Age</th><th>{}</th></tr><tr><td>93</td><td>{}</td></tr>\
                 </table></body></html>",
                c.key,
                xml_text(v)
            ),
        ),
        "xml_label_table" => Req::new(
            "x",
            Some("application/xml"),
            cda_note(&format!(
                "<table><tbody><tr><td>Age</td><td>93</td></tr><tr><td>{}</td><td>{}</td></tr>\
                 </tbody></table>",
                c.key,
                xml_text(v)
            )),
        ),
        "csv_semicolons" if !v.contains([';', '"', '\n']) => Req::new(
            "c",
            Some("text/csv"),
            format!("{};zip;age\r\n{v};01085;93\r\n", c.key),
        ),
        // Stop 57 (kv57): records serialised in text by other syntaxes (red team 55, J11),
        // each value typed by its key; under an unknown key the prose reading holds it.
        "text_logfmt" if !v.contains(['"', '\\', '\n']) => Req::new(
            "t",
            Some("text/plain"),
            format!(
                "ts=2026-12-04T09:02:11Z level=info msg=\"lookup\" {}=\"{v}\" zip=01085 age=93\n",
                c.key
            ),
        ),
        "text_logfmt_unknown" if !v.contains(['"', '\\', '\n']) => Req::new(
            "t",
            Some("text/plain"),
            format!(
                "level=info msg=\"lookup\" {}=\"{v}\" zip=01085\n",
                c.unknown
            ),
        ),
        "json_env_lines" if !v.contains(['"', '\\', '\n']) => Req::json(
            "j",
            // The key as the canary spells it: an upper-case key glued to the value would
            // hide a uuencoded value's start from the check's reading.
            &json!({"env": format!("APP_ENV=prod\nexport {}=\"{v}\"\nPATIENT_ZIP=01085\n",
                c.key)}),
        ),
        "text_sql_insert" if !v.contains('\'') => Req::new(
            "t",
            Some("text/plain"),
            format!(
                "INSERT INTO patients ({}, zip, age) VALUES ('{v}', '01085', 93);\n",
                c.key
            ),
        ),
        "json_yaml_quoted" if !v.contains(['"', '\\', '\n']) => Req::json(
            "j",
            &json!({"cfg": format!("patient:\n  {}: \"{v}\"\n  zip: \"01085\"\n", c.key)}),
        ),
        "text_toml" if !v.contains(['"', '\\', '\n']) => Req::new(
            "t",
            Some("text/plain"),
            format!("[patient]\n{} = \"{v}\"\nage = 93\n", c.key),
        ),
        "json_py_repr" if !v.contains(['\'', '\\', '\n']) => Req::json(
            "j",
            &json!({"debug": format!("{{'{}': '{v}', 'zip': '01085', 'age': 93}}", c.key)}),
        ),
        "text_ruby_hash" if !v.contains(['"', '\\', '\n']) => Req::new(
            "t",
            Some("text/plain"),
            format!("params: {{:{} => \"{v}\", :zip => \"01085\"}}\n", c.key),
        ),
        "text_xml_attr" if !v.contains(['"', '<', '&']) => Req::new(
            "t",
            Some("text/plain"),
            format!(
                "payload <pt {}=\"{v}\" zip=\"01085\" age=\"93\"/> received\n",
                c.key
            ),
        ),
        "json_data_attr" if !v.contains(['"', '<', '&']) => Req::json(
            "j",
            &json!({"note": format!("<p>Seen.</p><img data-{}=\"{v}\" data-age=\"93\"/>", c.key)}),
        ),
        // Stop 58 (channels58): a table aligned by blanks (J10), its columns as wide as the
        // longest of header and value and two blanks.
        "text_aligned_table" if !v.contains(['\n', '\t']) => {
            let w = c.key.len().max(v.chars().count()) + 2;
            Req::new(
                "t",
                Some("text/plain"),
                format!("Roster\n{:<w$}Zip    Age\n{v:<w$}01085  93\n", c.key),
            )
        }
        "json_aligned_ruled" if !v.contains(['\n', '\t']) => {
            let w = c.key.len().max(v.chars().count()) + 2;
            let rule = "-".repeat(w - 2);
            Req::json(
                "j",
                &json!({"note": format!("{:<w$}Age\n{rule}  ---\n{v:<w$}93\n", c.key)}),
            )
        }
        "text_name_part_table" if c.kind == Kind::Name && !v.contains(['\n', '\t']) => {
            let (first, last) = v.split_once(' ')?;
            let w1 = first.chars().count().max(5) + 2;
            let w2 = last.chars().count().max(4) + 2;
            Req::new(
                "t",
                Some("text/plain"),
                format!(
                    "{:<w1$}{:<w2$}Zip\n{first:<w1$}{last:<w2$}01085\n",
                    "First", "Last"
                ),
            )
        }
        "text_label_pairs" if !v.contains('\n') => Req::new(
            "t",
            Some("text/plain"),
            match v.split_once(' ') {
                // A name in words is laid out as its parts; one written otherwise (grouped
                // base64) goes whole, under its key.
                Some((first, last))
                    if c.kind == Kind::Name
                        && !first.is_empty()
                        && [first, last]
                            .iter()
                            .all(|w| w.chars().all(|ch| ch.is_alphabetic() || ch == '-')) =>
                {
                    format!("Intake\nFirst: {first}    Last: {last}\n")
                }
                _ => format!("Intake\nAge: 93    {}: {v}\n", c.key),
            },
        ),
        "text_sql_update" if !v.contains('\'') => Req::new(
            "t",
            Some("text/plain"),
            format!(
                "UPDATE patients SET {} = '{v}', zip = '01085' WHERE id = 7;\n",
                c.key
            ),
        ),
        "text_sql_where" if !v.contains('\'') => Req::new(
            "t",
            Some("text/plain"),
            format!(
                "SELECT * FROM patients p WHERE p.zip = '01085' AND p.{} IN ('{v}', 'x');\n",
                c.key
            ),
        ),
        "json_yaml_bare" if yaml_plain(v) => Req::json(
            "j",
            &json!({"cfg": format!("patient:\n  {}: {v}\n  age: 94\n", c.key)}),
        ),
        "text_yaml_bare" if yaml_plain(v) => Req::new(
            "t",
            Some("text/plain"),
            format!("---\n{}: {v}\nzip: 01085\n", c.key),
        ),
        "json_graphql_args" if !v.contains(['"', '\\', '\n']) => Req::json(
            "j",
            &json!({"query": format!(
                "mutation {{ updatePatient({}: \"{v}\", zip: \"01085\") {{ id }} }}",
                c.key
            )}),
        ),
        "json_odata_filter" if !v.contains(['\'', '&', '\n']) => Req::json(
            "j",
            &json!({"odata": format!("$filter={} eq '{v}' and Zip eq '01085'", c.key)}),
        ),
        // A card has no property for a record number or an SSN: those are not sent.
        "json_vcard"
            if !v.contains(['\n', '\r', ';', ':']) && !matches!(c.kind, Kind::Mrn | Kind::Ssn) =>
        {
            let line = match c.kind {
                Kind::Name => format!("FN:{v}"),
                Kind::Phone => format!("TEL;TYPE=cell:{v}"),
                Kind::Email => format!("EMAIL:{v}"),
                Kind::Dob => format!("BDAY:{v}"),
                _ => format!("ADR:;;{v};;;;"),
            };
            Req::json(
                "j",
                &json!({"card": format!("BEGIN:VCARD\nVERSION:4.0\n{line}\nEND:VCARD")}),
            )
        }
        // An iCalendar event sent as text: its attendee, place and contact typed by property.
        "text_ical" | "calendar_ical"
            if !v.contains(['\n', '\r', ';', ':', '"', ','])
                && matches!(c.kind, Kind::Name | Kind::Addr | Kind::Phone) =>
        {
            let line = match c.kind {
                Kind::Name => format!("ATTENDEE;CN={v}:mailto:pt@inbox.example"),
                Kind::Addr => format!("LOCATION:{v}"),
                _ => format!("CONTACT:{v}"),
            };
            // Sent as text, and under iCalendar's own media type.
            let ct = if ch == "text_ical" { "text/plain" } else { "text/calendar" };
            Req::new(
                "t",
                Some(ct),
                format!("BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:OT home visit\n{line}\nEND:VEVENT\nEND:VCALENDAR\n"),
            )
        }
        // The value alone in base64 inside a sentence, a run as short as 16 characters
        // (`NDEzLTU1NS0wMTcy`; red team 68). Shorter runs are not decoded inside text.
        "text_b64_value" if v != c.value => return None,
        "text_b64_value" => {
            let run = b64(v.as_bytes());
            if run.len() < 16 {
                return None;
            }
            Req::new(
                "t",
                Some("text/plain"),
                format!("Ref {run} noted in the chart."),
            )
        }
        // A calendar's SUMMARY folded in the middle of the value (RFC 5545 3.1): the
        // continuation joins the line before it (red team 68).
        "calendar_folded" if v.len() >= 4 && !v.contains(['\n', '\r']) => {
            let line = cue(c, v);
            let at = line.find(v)? + middle(v);
            Req::new(
                "t",
                Some("text/calendar"),
                format!(
                    "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:{}\r\n {}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
                    &line[..at],
                    &line[at..]
                ),
            )
        }
        // Stop 59 (formats59): tables under the wrong label (R5/P7), each cell typed by its
        // header; XML values typed by the label beside them (R8).
        "text_tsv_table" if !v.contains(['\t', '\n', '\r']) => Req::new(
            "t",
            Some("text/plain"),
            format!("{}\tage\tzip\n{v}\t93\t01085\nx\t45\t01056\n", c.key),
        ),
        "csv_tsv_label" if !v.contains(['\t', '\n', '\r']) => Req::new(
            "c",
            Some("text/csv"),
            format!("{}\tage\tzip\n{v}\t93\t01085\n", c.key),
        ),
        "csv_pipe_label" if !v.contains(['|', '"', '\n', '\r']) => Req::new(
            "c",
            Some("text/csv"),
            format!("{}|age|zip\n{v}|93|01085\n", c.key),
        ),
        "csv_sep_line" if !v.contains([';', '"', '\n', '\r']) => Req::new(
            "c",
            Some("text/csv"),
            format!("sep=;\n{};age;zip\n{v};93;01085\n", c.key),
        ),
        "xml_label_attr" => Req::new(
            "x",
            Some("application/xml"),
            format!(
                "<?xml version=\"1.0\"?>\n<form><field name=\"{}\">{}</field><field name=\"age\">93</field></form>",
                c.key,
                xml_text(v)
            ),
        ),
        "xml_label_value_attr" => Req::new(
            "x",
            Some("application/xml"),
            format!(
                "<?xml version=\"1.0\"?>\n<params><param key=\"{}\" value=\"{}\"/></params>",
                c.key,
                xml_text(v).replace('"', "&quot;")
            ),
        ),
        "xml_key_value_elements" => Req::new(
            "x",
            Some("application/xml"),
            format!(
                "<?xml version=\"1.0\"?>\n<map><entry><key>{}</key><value>{}</value></entry></map>",
                c.key,
                xml_text(v)
            ),
        ),
        _ => return None,
    })
}

/// A value YAML reads bare: one line, no comment, quote, colon or indicator first.
fn yaml_plain(v: &str) -> bool {
    !v.is_empty()
        && !v.contains(['\n', '#', ':', '"', '\''])
        && !v.starts_with(|c: char| "|>[{&*!-?%@` ".contains(c))
}

/// A CDA `code` element beside the section's narrative, its code `code` in `system`.
fn cda_code(code: &str, system: &str) -> String {
    cda_note(&format!(
        "<paragraph>Seen.</paragraph></text><code code=\"{code}\" codeSystem=\"{system}\"/><text>"
    ))
}

/// An 837P with `v` in the patient's loop (learned there) and the envelope `gs` and `isa`.
fn x12_envelope(c: &Canary, v: &str, isa: &str, gs: &str) -> String {
    let m = x12_message(c, v);
    m.replacen(super::x12::ISA_837, isa, 1)
        .replacen("GS*HC*PHIGATETEST*TESTCLEARING*", gs, 1)
}

/// The canary's free text with each word of `v` cut at its middle, its second half
/// wrapped in `open` … `close` (`MR441<b>0827</b>`, `Thack<!-- x -->eray` with no `close`),
/// the text escaped as XML character data.
fn xml_cut(c: &Canary, v: &str, open: &str, close: &str) -> String {
    const MARK: char = '\u{1}';
    let text = xml_text(&cue(c, &cut_words(v, &MARK.to_string())));
    let words: Vec<String> = text
        .split(' ')
        .map(|w| match w.split_once(MARK) {
            Some((a, b)) => format!("{a}{open}{b}{close}"),
            None => w.to_string(),
        })
        .collect();
    words.join(" ")
}

/// `v` as one RFC 9110 token (`rosalind.thackeray`, `otter.lake.74.inbox.example`): what a
/// media type, a charset or a coding's name can hold.
fn token_of(v: &str) -> String {
    v.chars()
        .map(|ch| {
            if ch.is_ascii_alphanumeric() {
                ch.to_ascii_lowercase()
            } else {
                '.'
            }
        })
        .collect()
}

/// A value as XML text or an attribute value writes it; a character reference a trick
/// built (`&#82;`, `&#x52;`) is kept as one.
/// A FHIR XML Patient holding `v` where FHIR puts a value of the canary's kind.
fn fhir_xml(doc: String) -> Req {
    Req::new("x", Some("application/fhir+xml"), doc)
}

fn fhir_xml_typed(c: &Canary, v: &str) -> String {
    let v = xml_text(v);
    let field = match c.kind {
        Kind::Name => format!("<name><family value=\"{v}\"/><given value=\"{v}\"/></name>"),
        Kind::Mrn => format!("<identifier><value value=\"{v}\"/></identifier>"),
        Kind::Ssn => format!(
            "<identifier><system value=\"http://hl7.org/fhir/sid/us-ssn\"/><value value=\"{v}\"/></identifier>"
        ),
        Kind::Phone => format!("<telecom><system value=\"phone\"/><value value=\"{v}\"/></telecom>"),
        Kind::Email => format!("<telecom><system value=\"email\"/><value value=\"{v}\"/></telecom>"),
        Kind::Dob => format!("<birthDate value=\"{v}\"/>"),
        Kind::Addr => format!("<address><line value=\"{v}\"/></address>"),
    };
    format!("<Patient xmlns=\"http://hl7.org/fhir\"><id value=\"p1\"/>{field}<gender value=\"female\"/></Patient>")
}

fn xml_text(v: &str) -> String {
    let mut o = String::with_capacity(v.len());
    for (i, ch) in v.char_indices() {
        match ch {
            '&' if v[i..].starts_with("&#") => o.push('&'),
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            c => o.push(c),
        }
    }
    o
}

/// A C-CDA header with `v` in the place the rules give its kind.
fn cda_doc(c: &Canary, v: &str) -> String {
    let e = xml_text(v);
    let field = match c.kind {
        Kind::Name => format!("<patient><name>{e}</name></patient>"),
        Kind::Mrn => format!("<id root=\"2.16.840.1.113883.19.5\" extension=\"{e}\"/>"),
        Kind::Ssn => format!("<id root=\"2.16.840.1.113883.4.1\" extension=\"{e}\"/>"),
        Kind::Phone => format!("<telecom value=\"tel:{e}\" use=\"HP\"/>"),
        Kind::Email => format!("<telecom value=\"mailto:{e}\"/>"),
        Kind::Dob => format!("<patient><birthTime value=\"{e}\"/></patient>"),
        Kind::Addr => format!(
            "<addr use=\"HP\"><streetAddressLine>{e}</streetAddressLine><city>Springfield</city></addr>"
        ),
    };
    format!(
        "<?xml version=\"1.0\"?>\n<ClinicalDocument xmlns=\"urn:hl7-org:v3\">\
         <typeId root=\"2.16.840.1.113883.1.3\" extension=\"POCD_HD000040\"/>\
         <recordTarget><patientRole>{field}</patientRole></recordTarget></ClinicalDocument>\n"
    )
}

/// A C-CDA document whose one section's narrative is `text` (markup as written).
/// A value spelled as an XML name: letters, digits, `-` and `.` kept, anything else `_`,
/// and `_` first when it does not start with a letter.
/// Whether a value can be spelled as a name and still be read back (an escaped or encoded
/// value cannot: its `&`, `%` or `\\` would be lost).
fn nameable(v: &str) -> bool {
    // An XML name holds none of these, nor a regional indicator: `xml_name` would write each
    // as `_`, and no reading of the value would be left.
    !v.contains(['&', '%', '\\', '+', '/', '=', '$', '!'])
        && !v
            .chars()
            .any(|c| (REGIONAL_A..REGIONAL_A + 26).contains(&(c as u32)))
}

fn xml_name(v: &str) -> String {
    let body: String = v
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '-' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if body.starts_with(|c: char| c.is_alphabetic()) {
        body
    } else {
        format!("_{body}")
    }
}

fn cda_note(text: &str) -> String {
    format!(
        "<?xml version=\"1.0\"?>\n<ClinicalDocument xmlns=\"urn:hl7-org:v3\"><component>\
         <structuredBody><component><section><code code=\"10164-2\" \
         codeSystem=\"2.16.840.1.113883.6.1\"/><title>HPI</title><text>{text}</text>\
         </section></component></structuredBody></component></ClinicalDocument>"
    )
}

const HL7_MSH: &str = "MSH|^~\\&|EMR|CLINIC|HUB|OUT|20250301||ADT^A08|M1|P|2.5.1";

/// Marks a backslash a trick writes on purpose (an HL7 escape it builds): kept by
/// [`hl7_escape`], which escapes every other special character.
const HL7_RAW_ESC: char = '\u{E0FF}';

/// A value as an HL7 field writes it.
fn hl7_escape(v: &str) -> String {
    let mut o = String::with_capacity(v.len());
    for ch in v.chars() {
        match ch {
            '\\' => o.push_str("\\E\\"),
            '|' => o.push_str("\\F\\"),
            '^' => o.push_str("\\S\\"),
            '&' => o.push_str("\\T\\"),
            '~' => o.push_str("\\R\\"),
            '\r' | '\n' => o.push_str("\\.br\\"),
            HL7_RAW_ESC => o.push('\\'),
            c => o.push(c),
        }
    }
    o
}

/// An ADT message with `v` in the field the rules give its kind.
fn hl7_message(c: &Canary, v: &str, sep: &str) -> String {
    let e = hl7_escape(v);
    let pid = match c.kind {
        Kind::Name => format!("PID|1||MR0000001^^^C^MR||{e}^^^^^^L||19700101|F"),
        Kind::Mrn => format!("PID|1||{e}^^^C^MR||Doe^Pat||19700101|F"),
        Kind::Ssn => format!("PID|1||MR0000001^^^C^MR||||19700101|F|||||||||||{e}"),
        Kind::Phone => format!("PID|1||MR0000001^^^C^MR||||19700101|F|||||{e}^PRN^PH"),
        Kind::Email => format!("PID|1||MR0000001^^^C^MR||||19700101|F|||||^NET^Internet^{e}"),
        Kind::Dob => format!("PID|1||MR0000001^^^C^MR||||{e}|F"),
        Kind::Addr => format!("PID|1||MR0000001^^^C^MR||||19700101|F|||{e}^^Springfield^IL"),
    };
    format!("{HL7_MSH}{sep}{pid}{sep}PV1|1|O{sep}")
}

/// An X12 837P interchange around `segments` (`~`-separated, envelope counted).
fn x12_body(segments: &str) -> String {
    let segs: Vec<&str> = segments.split('~').collect();
    super::x12::interchange(
        super::x12::ISA_837,
        "GS*HC*PHIGATETEST*TESTCLEARING*20250115*1030*101*X*005010X222A1",
        "ST*837*0001*005010X222A1",
        &segs,
        "\n",
    )
}

/// The canary in the element the X12 rules name for its kind.
fn x12_message(c: &Canary, v: &str) -> String {
    let seg = match c.kind {
        Kind::Name => format!("NM1*IL*1*{v}*PAT****MI*M0000001"),
        Kind::Mrn => format!("REF*EA*{v}"),
        Kind::Ssn => format!("REF*SY*{v}"),
        Kind::Phone => format!("PER*IC*BILLING*TE*{v}"),
        Kind::Email => format!("PER*IC*BILLING*EM*{v}"),
        Kind::Dob => format!("DMG*D8*{v}*F"),
        Kind::Addr => format!("N3*{v}"),
    };
    x12_body(&format!("{seg}~SV1*HC:97530:GO*100*UN*2***1"))
}

/// A value as an RFC 4180 cell writes it.
fn csv_cell(v: &str) -> String {
    if v.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v.to_string()
    }
}

impl Req {
    fn path_query(mut self, q: &str) -> Req {
        self.path.push_str(q);
        self
    }
}

// ---------------------------------------------------------------------------------------
// Reidentify: an outside caller sends a token; the EMR's answer echoes the real value.

const ECHO_SHAPES: &[&str] = &[
    "json_known",
    "json_unknown",
    "json_array",
    "json_nested",
    "form",
    "text",
    "err_text",
    "err_json",
    "number",
    "base64",
    "nested",
    "key",
    "etag",
    "entities",
    "fullwidth",
    "query",
    "path",
    "hl7",
    "csv",
    "x12",
    // Red team 50 (gate50): the clinic's answer names the value in its media type or in a
    // redirect's userinfo or host.
    "answer_ct_essence",
    "answer_location_user",
    "answer_location_host",
    // Red team 51 (G7): a `Location` a browser reads as naming a host without `://`.
    "answer_location_slashes",
    "answer_location_backslash",
    "answer_location_nohost",
    "answer_location_tab",
    // Red team 51 (G2): the clinic's form answer with an undecodable escape in a value.
    "form_ff",
];

fn echo_request(shape: &str, c: &Canary, t: &str) -> Option<Req> {
    let shaped = |r: Req, s: &str| r.header("x-echo-shape", s);
    Some(match shape {
        "json_known" => Req::json("v", &json!({c.key: t, "status": "booked"})),
        "json_unknown" => Req::json("v", &json!({c.unknown: t})),
        "json_array" => Req::json("v", &json!({"tags": ["x", t]})),
        "json_nested" => Req::json("v", &json!({"payload": json!({c.unknown: t}).to_string()})),
        "form" => Req::new(
            "v",
            Some("application/x-www-form-urlencoded"),
            format!("patient={t}&q=chart+review"),
        ),
        "text" => Req::new("v", Some("text/plain"), format!("Left a message for {t}")),
        "err_text" => Req::new(
            "v",
            Some("text/plain"),
            format!("no visit found for patient {t}"),
        )
        .header("x-echo-status", "404"),
        "err_json" => Req::json("v", &json!({"error": format!("no visit found for {t}")}))
            .header("x-echo-status", "422"),
        "number" => {
            c.number?;
            shaped(Req::json("v", &json!({c.unknown: t})), "number")
        }
        "base64" => shaped(Req::json("v", &json!({"note": cue(c, t)})), "base64"),
        "nested" | "key" | "etag" => shaped(Req::json("v", &json!({c.unknown: t})), shape),
        "entities" | "fullwidth" => shaped(Req::new("v", Some("text/plain"), cue(c, t)), shape),
        "query" => {
            let mut r = Req::new(&format!("lookup?patient={t}"), None, Vec::new());
            r.method = Method::GET;
            shaped(r, "uri")
        }
        "path" => {
            let mut r = Req::new(&format!("patients/{t}/chart"), None, Vec::new());
            r.method = Method::GET;
            shaped(r, "uri")
        }
        "hl7" => Req::new(
            "v",
            Some("application/hl7-v2"),
            format!("{HL7_MSH}\rPID|1||{t}^^^C^MR\rNTE|1||left a message for {t}\r"),
        ),
        "xml" => Req::new(
            "v",
            Some("application/xml"),
            format!("<Visit><patient ref=\"{t}\"/><note>left a message for {t}</note></Visit>"),
        ),
        "x12" => Req::new(
            "v",
            Some("application/edi-x12"),
            x12_body(&format!("CLP*{t}*1*250*210~NM1*QC*1*{t}*PAT")),
        ),
        "csv" => Req::new(
            "v",
            Some("text/csv"),
            format!(
                "{},note\r\n{t},\"left a message for {t}, today\"\r\n",
                c.key
            ),
        ),
        "answer_ct_essence"
        | "answer_location_user"
        | "answer_location_host"
        | "answer_location_slashes"
        | "answer_location_backslash"
        | "answer_location_nohost"
        | "answer_location_tab" => shaped(Req::json("v", &json!({c.unknown: t})), shape),
        "form_ff" => shaped(
            Req::new(
                "v",
                Some("application/x-www-form-urlencoded"),
                format!("patient={t}&q=chart+review"),
            ),
            shape,
        ),
        _ => return None,
    })
}

// ---------------------------------------------------------------------------------------
// Cases.

#[derive(Clone, Debug)]
enum Spec {
    /// Sent on the deidentify route; the upstream must not receive a canary.
    Out(Req),
    /// A token for this canary sent on the reidentify route; the answer must not hold it.
    Echo(usize, &'static str),
    /// Sent with its own credentials.
    OutAuth(Req, (&'static str, &'static str)),
}

#[derive(Clone, Debug)]
struct Case {
    id: String,
    channel: String,
    encoding: String,
    spec: Spec,
    must_forward: bool,
}

/// A questionnaire item's text asking for a canary's kind in words, not as a key.
fn qr_question(kind: Kind) -> &'static str {
    match kind {
        Kind::Name => "What is your full name?",
        Kind::Mrn => "Your medical record number, if known",
        Kind::Ssn => "Please enter your social security number",
        Kind::Phone => "Best phone number to reach you",
        Kind::Email => "What email address should we use?",
        Kind::Dob => "Your date of birth",
        Kind::Addr => "Street address where you live",
    }
}

fn matrix() -> Vec<Case> {
    let mut cases = Vec::new();
    let mut push = |id: String, channel: &str, encoding: &str, spec: Spec, must: bool| {
        cases.push(Case {
            id,
            channel: channel.to_string(),
            encoding: encoding.to_string(),
            spec,
            must_forward: must,
        });
    };
    // Every channel, plain values.
    for ch in CHANNELS {
        for c in CANARIES {
            if let Some(r) = channel(ch, c, c.value) {
                let id = format!("d.{ch}.plain.{}", c.kind.id());
                let must = !LYING.contains(ch) && !IN_NAMES.contains(ch);
                push(id, ch, "plain", Spec::Out(r), must);
            }
        }
    }
    // Value tricks.
    let mut pairs: Vec<(&str, &str)> = Vec::new();
    for ch in TRICK_CHANNELS {
        let url = ch.starts_with("query") || *ch == "path";
        pairs.extend(
            MAIN_TRICKS
                .iter()
                .filter(|t| !url || !NOT_IN_URLS.contains(t))
                .map(|t| (*ch, *t)),
        );
    }
    for (ch, tricks) in EXTRA_TRICKS {
        pairs.extend(tricks.iter().map(|t| (*ch, *t)));
    }
    for (ch, trick) in pairs {
        for c in CANARIES {
            let Some(v) = value_trick(trick, c) else {
                continue;
            };
            if let Some(r) = channel(ch, c, &v) {
                let id = format!("d.{ch}.{trick}.{}", c.kind.id());
                push(id, ch, trick, Spec::Out(r), false);
            }
        }
    }
    // Body tricks: charsets and byte-order marks. Declared or marked ones must be read.
    let body_tricks = BODY_TRICK_CHANNELS
        .iter()
        .flat_map(|ch| BODY_TRICKS.iter().map(move |t| (ch, t)))
        .chain(
            XML_BODY_TRICK_CHANNELS
                .iter()
                .flat_map(|ch| XML_BODY_TRICKS.iter().map(move |t| (ch, t))),
        );
    for (ch, trick) in body_tricks {
        for c in CANARIES {
            let Some(mut r) = channel(ch, c, c.value) else {
                continue;
            };
            if body_trick(trick, &mut r).is_some() {
                let id = format!("d.{ch}.{trick}.{}", c.kind.id());
                push(
                    id,
                    ch,
                    trick,
                    Spec::Out(r),
                    BODY_TRICKS_READ.contains(trick),
                );
            }
        }
    }
    // The reidentify echo.
    for shape in ECHO_SHAPES {
        for (i, c) in CANARIES.iter().enumerate() {
            let wanted = ECHO_ALL_KINDS.contains(shape) || ECHO_FEW_KINDS.contains(&c.kind);
            if wanted && echo_request(shape, c, "MRN_0000000000").is_some() {
                let id = format!("r.{shape}.{}", c.kind.id());
                push(id, shape, "echo", Spec::Echo(i, shape), false);
            }
        }
    }
    // Inputs that must be forwarded (users expect them to work), each carrying a canary.
    let name = &CANARIES[0];
    let named = json!({"patientName": name.value, "status": "final"}).to_string();
    let pat = json!({"resourceType": "Patient", "id": "p1",
        "name": [{"family": "Thackeray", "given": ["Rosalind"]}]})
    .to_string();
    let latin1 = "Patient Rosalind Thackeray, referred by Dr. Jos\u{e9} Alvarez."
        .chars()
        .map(|ch| ch as u32 as u8)
        .collect::<Vec<u8>>();
    let must: Vec<(&str, Req)> = vec![
        (
            "utf8_bom_json",
            Req::new(
                "j",
                Some("application/json"),
                [&[0xEF, 0xBB, 0xBF][..], named.as_bytes()].concat(),
            ),
        ),
        ("text_json", Req::new("j", Some("text/json"), named.clone())),
        (
            "json_plus_fhir",
            Req::new("j", Some("application/json+fhir"), pat.clone()),
        ),
        (
            "x_ndjson",
            Req::new(
                "n",
                Some("application/x-ndjson"),
                format!("{named}\n{named}\n"),
            ),
        ),
        (
            "fhir_ndjson",
            Req::new(
                "n",
                Some("application/fhir+ndjson"),
                format!("{pat}\n{pat}\n"),
            ),
        ),
        (
            "vnd_json",
            Req::new("j", Some("application/vnd.foo+json"), named.clone()),
        ),
        (
            "iso8859_jose",
            Req::new("t", Some("text/plain; charset=iso-8859-1"), latin1),
        ),
        (
            "json_charset_upper",
            Req::new("j", Some("application/json; charset=UTF-8"), named.clone()),
        ),
        (
            "fhir_charset",
            Req::new(
                "j",
                Some("application/fhir+json; charset=utf-8"),
                pat.clone(),
            ),
        ),
        (
            "hl7_er7",
            Req::new(
                "h",
                Some("x-application/hl7-v2+er7"),
                format!("{HL7_MSH}\rPID|1||MR0000001||Thackeray^Rosalind\r"),
            ),
        ),
        (
            "hl7_text",
            Req::new(
                "t",
                Some("text/plain; charset=utf-8"),
                format!("{HL7_MSH}\rPID|1||MR0000001||Thackeray^Rosalind\r"),
            ),
        ),
        (
            "csv_charset",
            Req::new(
                "c",
                Some("text/csv; charset=utf-8; header=present"),
                "patientName,cpt\r\n\"Thackeray, Rosalind\",97530\r\n",
            ),
        ),
        (
            "tsv",
            Req::new(
                "c",
                Some("text/tab-separated-values"),
                "patientName\tcpt\nRosalind Thackeray\t97530\n",
            ),
        ),
        (
            "json_late_rt",
            Req::new(
                "j",
                Some("application/json"),
                json!({"id": "p1", "name": [{"family": "Thackeray", "given": ["Rosalind"]}],
                       "resourceType": "Patient"})
                .to_string(),
            ),
        ),
        (
            "cda_xml",
            Req::new("x", Some("application/cda+xml"), cda_doc(name, name.value)),
        ),
        (
            "text_xml",
            Req::new(
                "x",
                Some("text/xml; charset=utf-8"),
                cda_doc(name, name.value),
            ),
        ),
        (
            "xml_text_plain",
            Req::new("t", Some("text/plain"), cda_doc(name, name.value)),
        ),
    ];
    for (what, r) in must {
        push(format!("f.{what}"), what, "plain", Spec::Out(r), true);
    }
    push(
        "f.bearer_lower".to_string(),
        "auth",
        "plain",
        Spec::OutAuth(
            Req::json("j", &json!({"patientName": name.value})),
            ("authorization", "bearer emr-key-1"),
        ),
        true,
    );
    cases
}

// ---------------------------------------------------------------------------------------
// The property sample: a random canary at a random place of a random payload shape, in a
// random encoding. Deterministic (proptest's deterministic runner), so failing ids are stable.

const PROP_CASES: usize = 64;
const KEYS: &[&str] = &[
    "a", "meta", "data", "x1", "info", "detail", "tags", "extra", "notes", "item", "v",
];
const FILLER: &[&str] = &[
    "goal", "met", "grip", "42", "lb", "ot", "visit", "ok", "reviewed", "today", "plan",
];

fn property_cases() -> Vec<Case> {
    use proptest::prelude::*;
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;

    let words = prop::collection::vec(prop::sample::select(FILLER), 0..4);
    let strategy = (
        0..CANARIES.len(),
        0..=VALUE_TRICKS.len(),
        0..6_usize,
        prop::collection::vec(prop::sample::select(KEYS), 0..4),
        words.clone(),
        words,
        any::<bool>(),
    );
    let mut runner = TestRunner::deterministic();
    let mut out = Vec::new();
    for n in 0..PROP_CASES {
        let Ok(tree) = strategy.new_tree(&mut runner) else {
            continue;
        };
        let (ci, ti, shape, path, before, after, in_array) = tree.current();
        let c = &CANARIES[ci];
        let trick = VALUE_TRICKS.get(ti).copied().unwrap_or("plain");
        let v = value_trick(trick, c).unwrap_or_else(|| c.value.to_string());
        let text = [before.join(" "), v.clone(), after.join(" ")]
            .join(" ")
            .trim()
            .to_string();
        let mut leaf = Value::from(text.clone());
        if in_array {
            leaf = json!(["x", leaf]);
        }
        for k in path.iter().rev() {
            leaf = json!({ *k: leaf });
        }
        let (shape_name, req) = match shape {
            0 => ("json", Req::json("p", &json!({"doc": leaf}))),
            1 => (
                "json_string",
                Req::json("p", &json!({"raw": leaf.to_string()})),
            ),
            2 => ("text", Req::new("p", Some("text/plain"), text)),
            3 => (
                "form",
                Req::new(
                    "p",
                    Some("application/x-www-form-urlencoded"),
                    format!("{}={}", path.first().unwrap_or(&"q"), url(&text)),
                ),
            ),
            4 => (
                "query",
                Req::new("p", Some("text/plain"), "ping").path_query(&format!(
                    "?{}={}",
                    path.first().unwrap_or(&"q"),
                    url(&text)
                )),
            ),
            _ => (
                "fhir",
                Req::fhir(
                    &json!({"resourceType": "Observation", "id": "o1", "status": "final",
                    "note": [{"text": text}], "extension": [{"url": "urn:x", "valueString": v}]}),
                ),
            ),
        };
        out.push(Case {
            id: format!("p.{n:02}.{shape_name}.{trick}.{}", c.kind.id()),
            channel: format!("prop:{shape_name}"),
            encoding: trick.to_string(),
            spec: Spec::Out(req),
            must_forward: false,
        });
    }
    out
}

// ---------------------------------------------------------------------------------------
// Decoded views and canary matching.

const MAX_VIEWS: usize = 256;
const MAX_DEPTH: usize = 6;

/// Every decoded view of some bytes: raw, UTF-16, percent (repeated), `+`, entities, JSON
/// (strings, keys, numbers; JSON inside strings), forms and queries, backslash escapes,
/// base64 runs — applied to each other's results, up to a depth.
fn views(bytes: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    let mut queue: Vec<(String, usize)> = byte_texts(bytes).into_iter().map(|s| (s, 0)).collect();
    while let Some((s, depth)) = queue.pop() {
        if out.len() >= MAX_VIEWS || !seen.insert(s.clone()) {
            continue;
        }
        if depth < MAX_DEPTH {
            for d in decode_once(&s) {
                if d != s {
                    queue.push((d, depth + 1));
                }
            }
        }
        out.push(s);
    }
    out
}

/// Bytes as text: UTF-8 (lossy), and UTF-16 both ways when there are NULs or a BOM.
fn byte_texts(b: &[u8]) -> Vec<String> {
    let mut out = vec![String::from_utf8_lossy(b).into_owned()];
    if std::str::from_utf8(b).is_err() {
        out.push(b.iter().map(|x| char::from(*x)).collect());
    }
    // EBCDIC forwarded as Latin-1 mojibake: the bytes as written, or as UTF-8 made of them.
    let latin: Option<Vec<u8>> = std::str::from_utf8(b)
        .ok()
        .and_then(|t| t.chars().map(|c| u8::try_from(u32::from(c)).ok()).collect());
    out.extend(ebcdic_view(b));
    out.extend(latin.as_deref().and_then(ebcdic_view));
    let bom = b.starts_with(&[0xFF, 0xFE]) || b.starts_with(&[0xFE, 0xFF]);
    if bom || b.contains(&0) {
        for le in [true, false] {
            for skip in [0, 1] {
                let units: Vec<u16> = b[skip.min(b.len())..]
                    .chunks_exact(2)
                    .map(|p| {
                        if le {
                            u16::from_le_bytes([p[0], p[1]])
                        } else {
                            u16::from_be_bytes([p[0], p[1]])
                        }
                    })
                    .collect();
                out.push(String::from_utf16_lossy(&units));
            }
        }
        out.push(
            String::from_utf8_lossy(&b.iter().copied().filter(|x| *x != 0).collect::<Vec<_>>())
                .into_owned(),
        );
        // UTF-32 both ways (a BOM is one more character), when three zero bytes in a row
        // show it.
        let utf32 = b.windows(3).any(|w| w == [0, 0, 0]);
        for le in [true, false].into_iter().filter(|_| utf32) {
            let text: String = b
                .chunks_exact(4)
                .filter_map(|q| {
                    let n = if le {
                        u32::from_le_bytes([q[0], q[1], q[2], q[3]])
                    } else {
                        u32::from_be_bytes([q[0], q[1], q[2], q[3]])
                    };
                    char::from_u32(n)
                })
                .collect();
            out.push(text);
        }
    }
    out
}

fn decode_once(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    if s.contains('%') {
        out.push(pct_until_stable(s));
        out.push(pct_until_stable(&s.replace('+', " ")));
    }
    if s.contains('+') {
        out.push(s.replace('+', " "));
    }
    if s.contains('&') {
        out.push(html_decode(s));
    }
    // A folded content line of a card or a calendar unfolded (RFC 5545 3.1).
    if s.contains("BEGIN:V") && (s.contains("\n ") || s.contains("\n\t")) {
        out.push(
            s.replace("\r\n ", "")
                .replace("\r\n\t", "")
                .replace("\n ", "")
                .replace("\n\t", ""),
        );
    }
    // A quoted CSV field writes each `"` of its value twice.
    if s.contains("\"\"") {
        out.push(s.replace("\"\"", "\""));
    }
    if s.contains('\\') {
        out.push(backslash_decode(s));
        if s.contains('|') {
            out.push(hl7_decode(s));
        }
    }
    json_views(s, &mut out);
    // A PDF's text with its `TJ` kerning numbers taken out: the pieces joined as a
    // reader sees them on the page.
    if s.contains(") -") || s.contains(") 0") {
        out.push(tj_joined(s));
    }
    if s.contains('<') {
        out.push(without_tags(s));
        out.push(without_tags(&without_blocks(s)));
    }
    if let Some(d) = decimal_codes(s) {
        out.push(d);
    }
    if s.contains('_') {
        out.extend(mint_decoded(s));
    }
    if s.contains('\\') {
        out.push(css_decode(s));
        if s.contains("{\\rtf") || s.contains("\\'") {
            out.push(rtf_decode(s));
        }
    }
    if let Some(d) = unmarked(s) {
        out.push(d);
    }
    if s.contains("%u") || s.contains("%U") {
        out.push(pct_u_decode(s));
    }
    if let Some(d) = utf7_decode(s) {
        out.push(d);
    }
    if let Some(d) = unbrailled(s) {
        out.push(d);
    }
    grouped_b64_views(s, &mut out);
    if let Some(d) = unhidden(s) {
        out.push(d);
    }
    if s.as_bytes()
        .windows(5)
        .any(|w| w.iter().all(|c| (0x21..=0x60).contains(c)))
    {
        let text = uu_decode(s);
        if !text.is_empty() {
            out.push(text);
        }
    }
    if s.contains('=') {
        out.push(qp_decode(s));
        let q = s.split_once('?').map_or(s, |(_, q)| q);
        let mut all = Vec::new();
        for (k, v) in form_urlencoded::parse(q.replace(';', "&").as_bytes()) {
            all.push(format!("{k} {v}"));
            if v.len() > 3 {
                out.push(v.into_owned());
            }
        }
        out.push(all.join("\n"));
    }
    hex_views(s, &mut out);
    base32_views(s, &mut out);
    base85_views(s, &mut out);
    for run in base64_runs(s) {
        for engine in [
            &base64::engine::general_purpose::STANDARD_NO_PAD,
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        ] {
            if let Ok(b) = engine.decode(run.trim_end_matches('=')) {
                out.extend(byte_texts(&b));
                if let Some(inflated) = inflated(&b) {
                    out.extend(byte_texts(&inflated));
                }
            }
        }
    }
    out
}

/// `b` inflated as gzip, zlib or raw deflate, whichever reads it whole.
fn inflated(b: &[u8]) -> Option<Vec<u8>> {
    use std::io::Read as _;
    let mut tries: Vec<Box<dyn std::io::Read + '_>> = vec![
        Box::new(flate2::read::MultiGzDecoder::new(b)),
        Box::new(flate2::read::ZlibDecoder::new(b)),
        Box::new(flate2::read::DeflateDecoder::new(b)),
    ];
    tries.iter_mut().find_map(|r| {
        let mut out = Vec::new();
        r.take(1 << 20)
            .read_to_end(&mut out)
            .ok()
            .filter(|_| !out.is_empty())
            .map(|_| out)
    })
}

/// ASCII85 between `<~` and `~>`, and words of ten characters or more, read in each base85
/// alphabet; what decodes to UTF-8 is a view.
fn base85_views(s: &str, out: &mut Vec<String>) {
    let mut words: Vec<&str> = s.split_whitespace().filter(|w| w.len() >= 10).collect();
    let mut rest = s;
    while let Some((_, after)) = rest.split_once("<~") {
        let Some((inner, tail)) = after.split_once("~>") else {
            break;
        };
        words.push(inner);
        rest = tail;
    }
    for w in words {
        let w = w.trim_matches(|c| matches!(c, '"' | '\''));
        // A word in a sentence may end with the sentence's comma or period (`, seen today`),
        // which RFC 1924's alphabet does not hold: read it with and without them.
        let bare = w.trim_end_matches([',', '.']);
        for (w, alphabet) in [(w, A85), (w, RFC1924), (bare, A85), (bare, RFC1924)] {
            let text = base85_decode(w, alphabet).and_then(|b| String::from_utf8(b).ok());
            // Only text: a word that decodes to control characters is no base85.
            if let Some(t) = text.filter(|t| t.chars().all(|c| !c.is_control() || c == '\n')) {
                out.push(t);
            }
        }
    }
}

fn hex_of(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Runs of hex digits (spaces and colons between them dropped) read as bytes, from either
/// digit: a run may open with a word's last letters.
fn hex_views(s: &str, out: &mut Vec<String>) {
    let in_run = |c: char| c.is_ascii_hexdigit() || matches!(c, ' ' | ':' | '_');
    for run in s.split(|c: char| !in_run(c)) {
        let digits: String = run.chars().filter(char::is_ascii_hexdigit).collect();
        if digits.len() < 8 {
            continue;
        }
        for skip in [0, 1] {
            let bytes: Vec<u8> = digits.as_bytes()[skip..]
                .chunks_exact(2)
                .filter_map(|p| u8::from_str_radix(std::str::from_utf8(p).ok()?, 16).ok())
                .collect();
            out.push(String::from_utf8_lossy(&bytes).into_owned());
            // Hex of gzip or zlib (red team 58, R9), by its header.
            if bytes.starts_with(&[0x1f, 0x8b]) || bytes.starts_with(&[0x78]) {
                if let Some(inflated) = inflated(&bytes) {
                    out.extend(byte_texts(&inflated));
                }
            }
        }
    }
}

/// Runs of base32's alphabet read as bytes (cut to a length that decodes).
fn base32_views(s: &str, out: &mut Vec<String>) {
    let in_run = |c: char| c.is_ascii_uppercase() || ('2'..='7').contains(&c);
    for run in s.split(|c: char| !in_run(c)).filter(|r| r.len() >= 16) {
        let mut n = run.len();
        while n > 0 && data_encoding::BASE32_NOPAD.decode_len(n).is_err() {
            n -= 1;
        }
        if let Ok(b) = data_encoding::BASE32_NOPAD.decode(&run.as_bytes()[..n]) {
            out.push(String::from_utf8_lossy(&b).into_owned());
            if let Some(inflated) = inflated(&b) {
                out.extend(byte_texts(&inflated));
            }
        }
    }
}

/// One uuencoded line of up to 45 bytes, as Python's `binascii.b2a_uu(…, backtick=True)`.
fn uuencode(b: &[u8]) -> String {
    let ch = |six: u8| {
        if six == 0 {
            '`'
        } else {
            char::from(0x20 + six)
        }
    };
    let mut out = String::from(ch(u8::try_from(b.len()).expect("a short value")));
    for t in b.chunks(3) {
        let [x, y, z] = [0, 1, 2].map(|k| t.get(k).copied().unwrap_or(0));
        for six in [
            x >> 2,
            ((x & 3) << 4) | (y >> 4),
            ((y & 15) << 2) | (z >> 6),
            z & 63,
        ] {
            out.push(ch(six));
        }
    }
    out
}

/// uuencoded lines read back wherever they stand: each run of characters uuencode uses
/// (`!` to `` ` ``, so a line glued into a URL or a sentence is found) is read from each of
/// its first characters as a count and exactly the characters that count needs. Starts
/// that do not decode to text are dropped.
fn uu_decode(s: &str) -> String {
    let mut out = Vec::new();
    let b = s.as_bytes();
    let in_uu = |c: &u8| (0x21..=0x60).contains(c);
    let mut i = 0;
    while i < b.len() {
        if !in_uu(&b[i]) {
            i += 1;
            continue;
        }
        let end = b[i..]
            .iter()
            .position(|c| !in_uu(c))
            .map_or(b.len(), |n| i + n);
        for start in i..end.min(i + 8) {
            let line = uu_line(&b[start..end]);
            // Only what reads as text: noise would take the views' budget.
            let text = std::str::from_utf8(&line).is_ok_and(|t| {
                t.chars().count() >= 4 && !t.chars().any(|c| c.is_control() && c != '\n')
            });
            if text {
                out.extend(line);
                out.push(b'\n');
            }
        }
        i = end;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The bytes of one uuencoded line at the start of `b` (its count, then the characters
/// that count needs; anything after them is ignored).
fn uu_line(b: &[u8]) -> Vec<u8> {
    let Some((&count, data)) = b.split_first() else {
        return Vec::new();
    };
    let n = usize::from((count - 0x20) & 63);
    let six: Vec<u8> = data
        .iter()
        .take(n.div_ceil(3) * 4)
        .map(|c| (c - 0x20) & 63)
        .collect();
    let mut bytes = Vec::new();
    for q in six.chunks(4).filter(|q| q.len() == 4) {
        bytes.extend([
            (q[0] << 2) | (q[1] >> 4),
            (q[1] << 4) | (q[2] >> 2),
            (q[2] << 6) | q[3],
        ]);
    }
    bytes.truncate(n);
    bytes
}

/// Quoted-printable read back: every `=XX` as its byte, soft line breaks joined.
fn qp_decode(s: &str) -> String {
    let b = s.replace("=\r\n", "").replace("=\n", "").into_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = b
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
            Some(byte) if b[i] == b'=' && hex.is_some_and(|h| !h.starts_with('+')) => {
                out.push(byte);
                i += 3;
            }
            _ => {
                out.push(b[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn pct_until_stable(s: &str) -> String {
    let mut cur = s.to_string();
    for _ in 0..8 {
        let next = percent_decode_str(&cur).decode_utf8_lossy().into_owned();
        if next == cur {
            break;
        }
        cur = next;
    }
    cur
}

const ENTITIES: &[(&str, &str)] = &[
    ("amp", "&"),
    ("lt", "<"),
    ("gt", ">"),
    ("quot", "\""),
    ("apos", "'"),
    ("nbsp", "\u{a0}"),
    ("NonBreakingSpace", "\u{a0}"),
    ("commat", "@"),
    ("hyphen", "-"),
    ("dash", "-"),
    ("ndash", "\u{2013}"),
    ("mdash", "\u{2014}"),
    ("minus", "-"),
    ("period", "."),
    ("lowbar", "_"),
    ("num", "#"),
    ("sol", "/"),
    ("colon", ":"),
    ("comma", ","),
    ("plus", "+"),
    ("shy", "\u{ad}"),
    ("ZeroWidthSpace", "\u{200b}"),
    ("ensp", " "),
    ("emsp", " "),
    ("thinsp", " "),
];

fn html_decode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let body: String = rest[1..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '#')
            .take(32)
            .collect();
        let semi = rest[1 + body.len()..].starts_with(';');
        let decoded = if let Some(num) = body.strip_prefix('#') {
            let n = match num.strip_prefix(['x', 'X']) {
                Some(h) => u32::from_str_radix(h, 16).ok(),
                None => num.parse().ok(),
            };
            n.and_then(char::from_u32).map(String::from)
        } else {
            ENTITIES
                .iter()
                .find(|(n, _)| *n == body && semi)
                .map(|(_, v)| v.to_string())
        };
        match decoded {
            Some(d) => {
                out.push_str(&d);
                rest = &rest[1 + body.len() + usize::from(semi)..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn backslash_decode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('u') => {
                let hex: String = chars.by_ref().take(4).collect();
                match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    Some(ch) => out.push(ch),
                    None => out.push_str(&hex),
                }
            }
            Some('n' | 'r' | 't') => out.push(' '),
            Some(d @ '0'..='3') => {
                let code: String = std::iter::once(d).chain(chars.clone().take(2)).collect();
                let octal = (code.len() == 3)
                    .then(|| u32::from_str_radix(&code, 8).ok())
                    .flatten()
                    .and_then(char::from_u32);
                match octal {
                    Some(ch) => {
                        out.push(ch);
                        chars.nth(1);
                    }
                    None => out.push(d),
                }
            }
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

/// Markup removed: every `<` that opens a tag, comment or instruction, up to its `>`.
/// `s` with every comment, CDATA section and instruction taken out whole, text and all: the
/// words a page shows around them.
fn without_blocks(s: &str) -> String {
    let mut out = s.to_string();
    for (open, close) in [("<!--", "-->"), ("<![CDATA[", "]]>"), ("<?", "?>")] {
        while let Some(i) = out.find(open) {
            let Some(len) = out[i + open.len()..].find(close) else {
                break;
            };
            out.replace_range(i..i + open.len() + len + close.len(), "");
        }
    }
    out
}

fn without_tags(s: &str) -> String {
    // A comment's, CDATA section's or instruction's text stays: only its delimiters go.
    let s = ["<!--", "-->", "<![CDATA[", "]]>", "<?", "?>"]
        .iter()
        .fold(s.to_string(), |t, d| t.replace(d, ""));
    let mut out = String::with_capacity(s.len());
    let mut rest = s.as_str();
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        let opens_tag =
            rest[i + 1..].starts_with(|c: char| c.is_ascii_alphabetic() || "/!?".contains(c));
        match rest[i..].find('>').filter(|_| opens_tag) {
            Some(end) => rest = &rest[i + end + 1..],
            None => {
                out.push('<');
                rest = &rest[i + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// `s` with the markup marks and terminal controls of the `md_*`, `wiki_bold`, `tex_*`,
/// `ansi_sgr` and `overstrike` tricks read as nothing; `None` when it holds none.
fn unmarked(s: &str) -> Option<String> {
    const MARKS: [&str; 9] = [
        "**",
        "'''",
        "`",
        "\\textbf{",
        "{}",
        "\x1b[1m",
        "\x1b[0m",
        "X\x08",
        "}",
    ];
    let tex = s.contains("\\textbf{");
    let under = s
        .as_bytes()
        .windows(3)
        .any(|w| w[0].is_ascii_alphanumeric() && w[1] == b'_' && w[2].is_ascii_alphanumeric());
    if !tex && !under && !MARKS[..8].iter().any(|m| *m != "}" && s.contains(m)) {
        return None;
    }
    let mut out = s.to_string();
    for m in MARKS.into_iter().filter(|m| tex || *m != "}") {
        out = out.replace(m, "");
    }
    // A `_` glued after a letter or digit closes or opens an emphasis (`Thack_eray_`).
    let chars: Vec<char> = out.chars().collect();
    let out: String = chars
        .iter()
        .enumerate()
        .filter(|&(i, &c)| c != '_' || i == 0 || !chars[i - 1].is_alphanumeric())
        .map(|(_, &c)| c)
        .collect();
    (out != s).then_some(out)
}

/// `s` read as RTF renders it: hex and `\uN` escapes (one fallback character skipped),
/// braces and control words as nothing, hidden (`\v`) groups dropped, `\par` a blank.
fn rtf_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut hidden_depth: Option<usize> = None;
    let mut depth = 0usize;
    let mut skip = false;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'{' {
            depth += 1;
            i += 1;
            continue;
        }
        if c == b'}' {
            if hidden_depth == Some(depth) {
                hidden_depth = None;
            }
            depth = depth.saturating_sub(1);
            i += 1;
            continue;
        }
        let shown = hidden_depth.is_none();
        if c == b'\\' {
            let hex = s
                .get(i + 2..i + 4)
                .filter(|h| h.bytes().all(|x| x.is_ascii_hexdigit()));
            if b.get(i + 1) == Some(&b'\'') && hex.is_some() {
                let byte = hex
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .unwrap_or(b' ');
                if shown && !std::mem::take(&mut skip) {
                    out.push(char::from(byte));
                }
                i += 4;
                continue;
            }
            let word: String = s[i + 1..]
                .chars()
                .take_while(char::is_ascii_alphabetic)
                .collect();
            if word.is_empty() {
                let next = s[i + 1..].chars().next();
                if shown && matches!(next, Some('\\' | '{' | '}')) {
                    out.extend(next);
                }
                i += 1 + next.map_or(0, char::len_utf8);
                continue;
            }
            let mut end = i + 1 + word.len();
            let param: String = s[end..]
                .chars()
                .enumerate()
                .take_while(|&(k, ch)| ch.is_ascii_digit() || (k == 0 && ch == '-'))
                .map(|(_, ch)| ch)
                .collect();
            end += param.len();
            if b.get(end) == Some(&b' ') {
                end += 1;
            }
            match word.as_str() {
                "u" => {
                    let n: i64 = param.parse().unwrap_or(32);
                    let n = if n < 0 { n + 65_536 } else { n };
                    if shown {
                        out.extend(u32::try_from(n).ok().and_then(char::from_u32));
                    }
                    skip = true;
                }
                "v" if param != "0" => hidden_depth = hidden_depth.or(Some(depth)),
                "v" => hidden_depth = None,
                "par" | "line" | "tab" if shown => out.push(' '),
                _ => {}
            }
            i = end;
            continue;
        }
        let ch = s[i..].chars().next().unwrap_or(' ');
        if c != b'\r' && c != b'\n' && shown && !std::mem::take(&mut skip) {
            out.push(ch);
        }
        skip = false;
        i += ch.len_utf8();
    }
    out
}

/// `s` with tag characters read as the ASCII they mirror, runs of variation selectors read
/// as the bytes they encode, and `0x52` and `U+0052` read as the characters they code;
/// `None` when it holds none of them.
fn unhidden(s: &str) -> Option<String> {
    let hidden = s
        .chars()
        .any(|c| matches!(c as u32, 0xE0020..=0xE007E | 0xFE00..=0xFE0F | 0xE0100..=0xE01EF));
    if !hidden && !s.contains("0x") && !s.contains("U+") {
        return None;
    }
    let mut out = String::new();
    let mut bytes: Vec<u8> = Vec::new();
    let flush = |bytes: &mut Vec<u8>, out: &mut String| {
        out.push_str(&String::from_utf8_lossy(bytes));
        bytes.clear();
    };
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        let n = c as u32;
        let code = |prefix: &str, width: usize| {
            rest.strip_prefix(prefix)
                .and_then(|h| h.get(..width))
                .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .and_then(char::from_u32)
        };
        if let Some(ch) = code("0x", 2).or_else(|| code("U+", 4)) {
            flush(&mut bytes, &mut out);
            out.push(ch);
            rest = &rest[if rest.starts_with("0x") { 4 } else { 6 }..];
            continue;
        }
        match n {
            0xE0020..=0xE007E => {
                flush(&mut bytes, &mut out);
                out.push(char::from((n - 0xE0000) as u8));
            }
            0xFE00..=0xFE0F => bytes.push((n - 0xFE00) as u8),
            0xE0100..=0xE01EF => bytes.push((n - 0xE0100 + 16) as u8),
            _ => {
                flush(&mut bytes, &mut out);
                out.push(c);
            }
        }
        rest = &rest[c.len_utf8()..];
    }
    flush(&mut bytes, &mut out);
    Some(out)
}

/// Runs of four or more numbers from 32 to 126 read as the characters they are the codes
/// of (everything else dropped); `None` when there are none.
fn decimal_codes(s: &str) -> Option<String> {
    let is_code = |w: &str| {
        (2..=3).contains(&w.len())
            && w.bytes().all(|c| c.is_ascii_digit())
            && w.parse::<u32>().is_ok_and(|n| (32..127).contains(&n))
    };
    // Any character but a digit parts two codes (a space, `,`, `|`, `"`, …).
    let words: Vec<&str> = s
        .split(|c: char| !c.is_ascii_digit())
        .filter(|w| !w.is_empty())
        .collect();
    let mut out = String::new();
    let mut run = 0;
    let mut found = false;
    for w in &words {
        if is_code(w) {
            run += 1;
            out.push(char::from(w.parse::<u8>().ok()?));
            found |= run >= 4;
        } else {
            run = 0;
            out.push(' ');
            out.push_str(w);
            out.push(' ');
        }
    }
    found.then_some(out)
}

/// HL7 v2 escapes: `\F\ \S\ \T\ \R\ \E\` as the standard delimiters, `\.br\` as a
/// space, `\Xhh…\` as the bytes; any other sequence dropped.
fn hl7_decode(s: &str) -> String {
    // The headers' encoding characters hold the one unpaired backslash.
    let s = s.replace("|^~\\&|", "|");
    let mut out = String::with_capacity(s.len());
    let mut parts = s.split('\\');
    if let Some(first) = parts.next() {
        out.push_str(first);
    }
    let rest: Vec<&str> = parts.collect();
    let mut i = 0;
    while i < rest.len() {
        // `rest[i]` is an escape's body when another backslash closes it.
        if i + 1 < rest.len() {
            let seq = rest[i];
            match seq {
                "F" => out.push('|'),
                "S" => out.push('^'),
                "T" => out.push('&'),
                "R" => out.push('~'),
                "E" => out.push('\\'),
                ".br" => out.push(' '),
                x if x.starts_with('X') => {
                    let bytes: Vec<u8> = (1..x.len())
                        .step_by(2)
                        .filter_map(|j| u8::from_str_radix(x.get(j..j + 2)?, 16).ok())
                        .collect();
                    out.push_str(&String::from_utf8_lossy(&bytes));
                }
                _ => {}
            }
            out.push_str(rest[i + 1]);
            i += 2;
        } else {
            out.push('\\');
            out.push_str(rest[i]);
            i += 1;
        }
    }
    out
}

/// JSON (or NDJSON): every string, key and number, joined; and each string that may hold
/// more on its own.
fn json_views(s: &str, out: &mut Vec<String>) {
    let t = s.trim_start_matches('\u{feff}').trim();
    if !t.starts_with(['{', '[', '"']) {
        return;
    }
    let docs: Vec<Value> = match serde_json::from_str::<Value>(t) {
        Ok(v) => vec![v],
        Err(_) => t
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .collect(),
    };
    let mut all = Vec::new();
    for d in &docs {
        leaves(d, &mut all);
    }
    if all.is_empty() {
        return;
    }
    for l in &all {
        if l.len() >= 8 {
            out.push(l.clone());
        }
    }
    out.push(all.join("\n"));
    for d in &docs {
        scalar_values(d, out);
    }
}

/// Each object's and array's scalar values read together, without its keys: a value cut
/// into groups, one to a key, reads as the value.
fn scalar_values(v: &Value, out: &mut Vec<String>) {
    let items: Vec<&Value> = match v {
        Value::Object(o) => o.values().collect(),
        Value::Array(a) => a.iter().collect(),
        _ => return,
    };
    let scalars: Vec<String> = items
        .iter()
        .filter_map(|x| match x {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
        .collect();
    if scalars.len() >= 2 {
        out.push(scalars.concat());
    }
    // Groups as JSON numbers have lost their leading zeros: a phone number's line read
    // padded to four digits, a date's month and day to two.
    if let (3, Some(Value::Number(line))) = (scalars.len(), items.last()) {
        out.push(format!(
            "{}{}{:0>4}",
            scalars[0],
            scalars[1],
            line.to_string()
        ));
        out.push(scalars.iter().map(|g| format!("{g:0>2}")).collect());
    }
    items.into_iter().for_each(|x| scalar_values(x, out));
}

fn leaves(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Number(n) => out.push(n.to_string()),
        // An array spelling a value out one character to an element reads as the value.
        Value::Array(a) if a.len() >= 4 && a.iter().all(|x| one_char(x).is_some()) => {
            out.push(a.iter().filter_map(one_char).collect());
        }
        Value::Array(a) => a.iter().for_each(|x| leaves(x, out)),
        Value::Object(o) => {
            for (k, x) in o {
                out.push(k.clone());
                leaves(x, out);
            }
        }
        _ => {}
    }
}

/// An element of one character: a string of one, or a digit.
fn one_char(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if s.chars().count() == 1 => Some(s.clone()),
        Value::Number(n) => n.as_u64().filter(|d| *d < 10).map(|d| d.to_string()),
        _ => None,
    }
}

/// Runs of base64 characters (16 or more); a run is also tried between each pair of `/`, `-`,
/// `_`, `+` (a path segment or a `-20250301` next to the base64 is not part of it).
fn base64_runs(s: &str) -> Vec<&str> {
    let is_b64 = |c: char| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '-' | '_');
    let mut out = Vec::new();
    // Twelve characters: an SSN or a date alone is 14 or 15 without its padding, and the
    // engine reads runs from 16 (12 padded; red team 68).
    for run in s.split(|c: char| !is_b64(c)).filter(|r| r.len() >= 12) {
        let slashes: Vec<usize> = run
            .match_indices(['/', '-', '_', '+'])
            .map(|(i, _)| i)
            .take(12)
            .collect();
        let starts = std::iter::once(0).chain(slashes.iter().map(|i| i + 1));
        for a in starts {
            let ends = slashes.iter().copied().chain(std::iter::once(run.len()));
            for b in ends.filter(|b| *b > a) {
                if b - a >= 12 {
                    out.push(&run[a..b]);
                }
            }
        }
    }
    out
}

/// Lower case, full-width to ASCII, zero-width, other invisible characters and soft hyphens gone, dashes to `-`, spaces
/// and controls to one space; then separators removed (so `512 47 3306` is `512473306`).
/// `s` with every `) <number> (` between the strings of a PDF `TJ` array taken out.
fn tj_joined(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find(')') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let gap = after.find('(').filter(|&j| {
            let k = after[..j].trim();
            !k.is_empty() && k.parse::<f64>().is_ok()
        });
        match gap {
            Some(j) => rest = &after[j + 1..],
            None => {
                out.push(')');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn stripped(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        let c = match c as u32 {
            0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            0x24FF => '0',
            n @ 0x2780..=0x2788 => char::from_u32(u32::from(b'1') + n - 0x2780).unwrap_or(c),
            _ => c,
        };
        match c {
            '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{feff}' | '\u{ad}' | '\u{180e}' => {}
            // The rest of the default-ignorable code points a reader never sees.
            '\u{34f}'
            | '\u{2061}'..='\u{206f}'
            | '\u{fe00}'..='\u{fe0f}'
            | '\u{e0000}'..='\u{e0fff}' => {}
            '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{fe58}' | '\u{fe63}' | '\u{2043}' => {}
            c if c.is_whitespace() || c.is_control() => {}
            ' ' | '-' | '.' | '(' | ')' | '/' | '_' | ',' => {}
            '[' | ']' | '{' | '}' | '|' | '*' | '~' | '\u{2022}' => {}
            // Regional indicator symbols as the letters they stand for.
            c if (REGIONAL_A..REGIONAL_A + 26).contains(&(c as u32)) => {
                o.push(char::from(b'a' + (c as u32 - REGIONAL_A) as u8));
            }
            c => o.extend(c.to_lowercase()),
        }
    }
    o
}

/// Which canaries some bytes hold, in any decoded view.
fn canaries_in(bytes: &[u8]) -> BTreeSet<Kind> {
    let mut found = BTreeSet::new();
    for view in views(bytes) {
        // Read as written, and with look-alike digits and spoken digits read back (these
        // readings are not decoded further, so they do not take the views' budget).
        let readings = std::iter::once(view.clone()).chain(unleeted_and_unspoken(&view));
        for v in readings {
            let s = stripped(&v);
            for c in CANARIES {
                if c.needles.iter().any(|n| s.contains(n)) {
                    found.insert(c.kind);
                }
            }
        }
    }
    found
}

/// What leaked where: `kind@part`.
fn leaks_in_parts(parts: &[(String, Vec<u8>)]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (part, bytes) in parts {
        for k in canaries_in(bytes) {
            out.insert(format!("{}@{part}", k.id()));
        }
    }
    out
}

fn seen_parts(s: &Seen) -> Vec<(String, Vec<u8>)> {
    let mut parts = vec![
        ("method".to_string(), s.method.as_bytes().to_vec()),
        ("uri".to_string(), s.uri.as_bytes().to_vec()),
        ("body".to_string(), s.body.to_vec()),
    ];
    parts.extend(header_parts(&s.headers));
    parts
}

/// What the upstream got, as [`seen_parts`], less a `traceparent` the gateway minted for
/// a request that sent none: that header then holds only ids drawn at random
/// (`gateway::trace`), and reading 48 random hex digits through every decoded view finds
/// a canary now and then by chance (a flaky `mrn@h:traceparent` once). A request that
/// sends its own `traceparent` has the forwarded one read like every header.
fn forwarded_parts(s: &Seen, req: &Req) -> Vec<(String, Vec<u8>)> {
    let caller_traced = req
        .headers
        .iter()
        .any(|(name, _)| name.eq_ignore_ascii_case("traceparent"));
    seen_parts(s)
        .into_iter()
        .filter(|(name, value)| {
            caller_traced || !(name == "h:traceparent" && is_minted_traceparent(value))
        })
        .collect()
}

/// Whether a `traceparent` has exactly the W3C shape the gateway writes (`00-` 32 hex
/// `-` 16 hex `-` 2 hex, lower case).
fn is_minted_traceparent(value: &[u8]) -> bool {
    let hex = |part: &[u8], len: usize| {
        part.len() == len
            && part
                .iter()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b))
    };
    let parts: Vec<&[u8]> = value.split(|b| *b == b'-').collect();
    matches!(parts.as_slice(), [v, trace, parent, flags]
        if *v == b"00" && hex(trace, 32) && hex(parent, 16) && hex(flags, 2))
}

fn header_parts(h: &HeaderMap) -> Vec<(String, Vec<u8>)> {
    h.iter()
        .map(|(k, v)| (format!("h:{k}"), v.as_bytes().to_vec()))
        .collect()
}

// ---------------------------------------------------------------------------------------
// Running.

#[derive(Clone, Debug, PartialEq, Eq)]
enum Outcome {
    Pass,
    Leak(String),
    FalseRefusal(String),
    Broken(String),
}

struct Env {
    c: TestClient,
    base: String,
    upstream: Upstream,
    tokens: BTreeMap<Kind, String>,
    /// Time spent waiting for the gateway (the rest is building and checking).
    network: std::sync::Mutex<Duration>,
}

const EMR: (&str, &str) = ("authorization", "Bearer emr-key-1");
const ZAP: (&str, &str) = ("x-api-key", "zap-key-1");

async fn run_case(env: &Env, case: &Case) -> Outcome {
    let (req, auth, route, echo_kind) = match &case.spec {
        Spec::Out(r) => (r.clone(), EMR, "out", None),
        Spec::OutAuth(r, a) => (r.clone(), *a, "out", None),
        Spec::Echo(i, shape) => {
            let c = &CANARIES[*i];
            let Some(t) = env.tokens.get(&c.kind) else {
                return Outcome::Broken("no token minted".into());
            };
            let Some(r) = echo_request(shape, c, t) else {
                return Outcome::Broken("no echo request".into());
            };
            (r, ZAP, "back", Some(c.kind))
        }
    };
    let Some(http) = req.build(&format!("{}/{route}/", env.base), auth) else {
        return Outcome::Broken("request not buildable".into());
    };
    let sent = Instant::now();
    let answer = tokio::time::timeout(Duration::from_secs(10), send(&env.c, http)).await;
    if let Ok(mut t) = env.network.lock() {
        *t += sent.elapsed();
    }
    let answer = match answer {
        Err(_) => return Outcome::Broken("timed out".into()),
        Ok(Err(e)) => {
            return Outcome::Broken(format!(
                "transport: {}",
                e.chars().take(80).collect::<String>()
            ))
        }
        Ok(Ok(a)) => a,
    };
    let seen = env.upstream.take();
    if std::env::var("PHIGATE_LEAKS_SHOW").is_ok_and(|p| case.id.starts_with(&p)) {
        println!(
            "--- {}: sent {:?}\n    answer {} {:?}\n    upstream got {seen:?}",
            case.id, req, answer.status, answer.body
        );
    }
    let status = answer.status.as_u16();
    let problem = answer
        .headers
        .get("content-type")
        .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
    if let Some(kind) = echo_kind {
        // Reidentify: the inside must have had the value (else the case proves nothing);
        // the outside must not get it back, whatever the status.
        let inside: BTreeSet<Kind> = seen
            .iter()
            .flat_map(|s| seen_parts(s).into_iter().flat_map(|(_, b)| canaries_in(&b)))
            .collect();
        if !inside.contains(&kind) {
            return Outcome::Broken(format!("not revealed inside ({status})"));
        }
        let mut parts = vec![("body".to_string(), answer.body.as_bytes().to_vec())];
        parts.extend(header_parts(&answer.headers));
        let leaks = leaks_in_parts(&parts);
        return if leaks.is_empty() {
            Outcome::Pass
        } else {
            Outcome::Leak(leaks.into_iter().collect::<Vec<_>>().join(","))
        };
    }
    let mut leaks = BTreeSet::new();
    for s in &seen {
        leaks.extend(leaks_in_parts(&forwarded_parts(s, &req)));
    }
    // A refusal must not quote the value either.
    for l in leaks_in_parts(&[("answer".to_string(), answer.body.as_bytes().to_vec())]) {
        if !(200..300).contains(&status) {
            leaks.insert(l);
        }
    }
    if !leaks.is_empty() {
        return Outcome::Leak(leaks.into_iter().collect::<Vec<_>>().join(","));
    }
    match status {
        200..=299 if seen.len() == 1 => Outcome::Pass,
        200..=299 => Outcome::Broken(format!("{status} with {} forwarded", seen.len())),
        400..=499 if case.must_forward => Outcome::FalseRefusal(status.to_string()),
        400..=499 if !problem => Outcome::Broken(format!("{status} without problem+json")),
        400..=499 if !seen.is_empty() => Outcome::Broken(format!("{status} yet forwarded")),
        400..=499 => Outcome::Pass,
        _ if case.must_forward => Outcome::FalseRefusal(status.to_string()),
        _ => Outcome::Broken(format!("status {status}")),
    }
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).expect("write");
}

/// One gateway, one upstream, every case in sequence.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leak_matrix() {
    let started = Instant::now();
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let pki = Pki::new("phigate leak-matrix CA");
    let server = pki.leaf(&["localhost", "127.0.0.1"], false);
    write(d, "ca.pem", &pki.ca_pem());
    write(d, "cert.pem", &server.cert_pem);
    write(d, "key.pem", &server.key_pem);
    super::support::write_key(&d.join("master.key"), &"5c".repeat(32));
    let upstream = Upstream::start(&pki.leaf(&["localhost"], false)).await;
    let up = format!("https://localhost:{}", upstream.addr.port());
    let types: Vec<String> = CANARIES
        .iter()
        .map(|c| format!("\"{}\"", c.phi_type))
        .collect();
    let config = format!(
        r#"
[[listener]]
listen = "127.0.0.1:0"
cert = "cert.pem"
key = "key.pem"

[admin]
listen = "127.0.0.1:0"

[vault]
dir = "vault"
key_file = "master.key"

[limits]
max_body_bytes = 262144

[timeouts]
body_ms = 5000
request_head_ms = 5000

[log]
format = "json"
level = "warn"

[[caller]]
name = "emr"
api_key_sha256 = ["{emr}"]

[[caller]]
name = "zap"
api_key_sha256 = ["{zap}"]

[[route]]
name = "out"
prefix = "/out/"
direction = "deidentify"
upstream = "{up}/outside/"
upstream_ca = "ca.pem"
domain = "automation"
callers = ["emr"]
scan_headers = ["x-patient"]

[[route]]
name = "mint"
prefix = "/mint/"
direction = "deidentify"
upstream = "{up}/outside/"
upstream_ca = "ca.pem"
domain = "automation"
policy = "reversible"
callers = ["emr"]

[[route]]
name = "back"
prefix = "/back/"
direction = "reidentify"
upstream = "{up}/emr/"
upstream_ca = "ca.pem"
domain = "automation"
callers = ["zap"]
reveal = {{ zap = [{types}] }}
pass_headers = ["x-echo-shape", "x-echo-status", "anthropic-version"]
"#,
        emr = sha256_hex("emr-key-1"),
        zap = sha256_hex("zap-key-1"),
        types = types.join(", "),
    );
    write(d, "phigate.toml", &config);
    super::gw_harness::init_vault(d);
    let gw = Gateway::start_with_env(&d.join("phigate.toml"), &d.join("gateway.log"), 1, &[]);
    let base = format!("https://localhost:{}", gw.listeners[0].port());
    let c = client(&pki.ca_pem(), None);

    // Real tokens for the echo cases: every canary under its known key, through a
    // deidentify route of the same token domain; read back what the upstream received.
    let mut mint = serde_json::Map::new();
    for canary in CANARIES {
        mint.insert(canary.key.to_string(), Value::from(canary.value));
    }
    let req = Req::json("m", &Value::Object(mint))
        .build(&format!("{base}/mint/"), EMR)
        .expect("mint request");
    let a = send(&c, req).await.expect("mint");
    assert_eq!(a.status, 200, "minting tokens: {}", a.body);
    let minted: Value =
        serde_json::from_slice(&upstream.take().first().expect("minted").body).expect("json");
    let mut tokens = BTreeMap::new();
    for canary in CANARIES {
        if let Some(t) = minted[canary.key].as_str() {
            let is_token = t.split_once('_').is_some_and(|(p, rest)| {
                p.chars().all(|c| c.is_ascii_uppercase()) && rest.len() == 10
            });
            if is_token {
                tokens.insert(canary.kind, t.to_string());
            }
        }
    }
    let env = Env {
        c,
        base,
        upstream,
        tokens,
        network: std::sync::Mutex::default(),
    };

    let mut cases = matrix();
    let n_matrix = cases.len();
    cases.extend(property_cases());
    let ids: HashSet<&str> = cases.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids.len(), cases.len(), "case ids are unique");
    assert!(n_matrix >= 300, "at least 300 table cases ({n_matrix})");

    let mut results: Vec<(&Case, Outcome)> = Vec::new();
    // A developer's slice (`PHIGATE_LEAKS_ONLY=.file_,_table.`): only the cases whose id
    // holds one of the pieces. The whole matrix is the gate; a slice says nothing of the rest.
    let only = std::env::var("PHIGATE_LEAKS_ONLY").ok();
    let wanted = |c: &&Case| {
        only.as_deref()
            .is_none_or(|o| o.split(',').any(|piece| c.id.contains(piece)))
    };
    for case in cases.iter().filter(wanted) {
        let o = run_case(&env, case).await;
        results.push((case, o));
    }
    let elapsed = started.elapsed();

    // The report.
    let known: BTreeSet<&str> = KNOWN_GAPS.iter().copied().collect();
    let unknown_gap_ids: Vec<&str> = known.iter().copied().filter(|k| !ids.contains(k)).collect();
    let failing: Vec<&(&Case, Outcome)> = results
        .iter()
        .filter(|(_, o)| *o != Outcome::Pass)
        .collect();
    let leaks = failing
        .iter()
        .filter(|(_, o)| matches!(o, Outcome::Leak(_)))
        .count();
    let refusals = failing
        .iter()
        .filter(|(_, o)| matches!(o, Outcome::FalseRefusal(_)))
        .count();
    let broken = failing.len() - leaks - refusals;
    println!("\nleak-matrix failing cases ({}):", failing.len());
    println!(
        "{:<6} {:<40} {:<16} {:<13} {:<10} what",
        "", "case", "channel", "encoding", "outcome"
    );
    let mut new_failures = Vec::new();
    for (case, o) in &failing {
        let is_known = known.contains(case.id.as_str());
        if !is_known {
            new_failures.push(case.id.as_str());
        }
        let (what, detail) = match o {
            Outcome::Leak(k) => ("LEAK", k.clone()),
            Outcome::FalseRefusal(s) => ("REFUSED", format!("status {s}, must be forwarded")),
            Outcome::Broken(s) => ("BROKEN", s.clone()),
            Outcome::Pass => ("", String::new()),
        };
        println!(
            "{:<6} {:<40} {:<16} {:<13} {:<10} {detail}",
            if is_known { "known" } else { "NEW" },
            case.id,
            case.channel,
            case.encoding,
            what
        );
    }
    let now_passing: Vec<&str> = results
        .iter()
        .filter(|(c, o)| *o == Outcome::Pass && known.contains(c.id.as_str()))
        .map(|(c, _)| c.id.as_str())
        .collect();
    println!("\nKNOWN_GAPS that now pass (delete them from the list): {now_passing:?}");
    println!("KNOWN_GAPS naming no case: {unknown_gap_ids:?}");
    println!("new failures (not in KNOWN_GAPS): {new_failures:?}");
    if std::env::var_os("PHIGATE_LEAKS_REGEN").is_some() {
        println!("const KNOWN_GAPS: &[&str] = &[");
        for (case, _) in &failing {
            println!("    \"{}\",", case.id);
        }
        println!("];");
    }
    println!(
        "leak-matrix: {} cases, {leaks} leaks, {refusals} false refusals ({broken} other failures; {} table + {} generated; {:.1} s, {:.1} s waiting for the gateway)",
        results.len(),
        n_matrix,
        // A slice may run fewer cases than the table holds.
        results.len().saturating_sub(n_matrix),
        elapsed.as_secs_f64(),
        env.network.lock().map(|t| t.as_secs_f64()).unwrap_or_default()
    );
    let logs = gw.logs();
    let log_leaks = canaries_in(logs.as_bytes());
    drop(gw);
    assert!(
        log_leaks.is_empty(),
        "the gateway's log holds canaries: {log_leaks:?}"
    );
    assert!(
        new_failures.is_empty() && now_passing.is_empty() && unknown_gap_ids.is_empty(),
        "the leak matrix changed: {} new failure(s), {} known gap(s) now passing, {} stale id(s) (see the table above)",
        new_failures.len(),
        now_passing.len(),
        unknown_gap_ids.len()
    );
}

// ---------------------------------------------------------------------------------------
// The decoders themselves.

/// Whether a channel carries a uuencoded line as one value: X12 and HL7 split it at their
/// separators (`*`, `~`, `|`, `^`) and XML names cannot hold its punctuation, so a leak
/// check there would read pieces.
fn carries_uu(ch: &str) -> bool {
    !ch.starts_with("x12") && !ch.starts_with("hl7") && !IN_NAMES.contains(&ch)
}

/// The decoders' check runs as four tests over alternate channels (and one of its four
/// closing sets each), so the harness's threads share it: whole, it took 37 minutes of one
/// core in CI.
const DECODER_PARTS: usize = 4;

#[test]
fn the_decoders_find_every_trick_part_1() {
    the_decoders_find_every_trick(0);
}

#[test]
fn the_decoders_find_every_trick_part_2() {
    the_decoders_find_every_trick(1);
}

#[test]
fn the_decoders_find_every_trick_part_3() {
    the_decoders_find_every_trick(2);
}

#[test]
fn the_decoders_find_every_trick_part_4() {
    the_decoders_find_every_trick(3);
}

/// One part of the decoders' check: channels whose index falls in `part`, and one of the
/// sets of tricks tried on named channels.
fn the_decoders_find_every_trick(part: usize) {
    let mine = |index: usize| index % DECODER_PARTS == part;
    for c in CANARIES.iter().filter(|_| part == 0) {
        for trick in ["hl7_hex", "hl7_stray"] {
            let v = value_trick(trick, c).expect("an HL7 trick");
            for ch in CHANNELS.iter().filter(|ch| ch.starts_with("hl7")) {
                let r = channel(ch, c, &v).expect("channel");
                assert!(
                    canaries_in(&r.body).contains(&c.kind),
                    "{ch}.{trick}.{}: not found in {:?}",
                    c.kind.id(),
                    String::from_utf8_lossy(&r.body)
                );
            }
        }
    }
    // Every (channel, trick, canary) the check cannot see, listed together.
    // A developer's slice, as the matrix takes (`PHIGATE_LEAKS_ONLY=odata,.b64`): only the
    // `channel.trick` pairs that hold one of the pieces. The whole test is the gate.
    let only = std::env::var("PHIGATE_LEAKS_ONLY").ok();
    let wanted = |ch: &str, trick: &str| {
        let id = format!("{ch}.{trick}");
        only.as_deref()
            .is_none_or(|o| o.split(',').any(|piece| id.contains(piece)))
    };
    let mut unseen: Vec<String> = Vec::new();
    for c in CANARIES {
        for trick in VALUE_TRICKS.iter().chain(&["plain"]) {
            let Some(v) = value_trick(trick, c) else {
                continue;
            };
            for (index, ch) in CHANNELS.iter().enumerate() {
                if !mine(index) || !wanted(ch, trick) {
                    continue;
                }
                if *trick == "uu" && !carries_uu(ch) {
                    continue;
                }
                // Five layers of base64 take five of the check's decoding rounds: the deep
                // channel is tried (and checked) with the plain value only.
                if *ch == "json_deep" && *trick != "plain" {
                    continue;
                }
                // A record quoted in text holds the value escaped once more (JSON in a JSON
                // string) or inside markup in a fence, where the check's readings do not undo
                // every trick (backspaces, grouped base64, quoted-printable); the matrix sends
                // these channels the plain value only, which is checked.
                if STRUCT56_RECORDS.contains(ch) && *trick != "plain" {
                    continue;
                }
                // A value cut into digit groups by its separators is no longer doubled.
                if *trick == "doubled" && ch.starts_with("json_group") {
                    continue;
                }
                // A path's `/` for each space splits spaced hex's pairs (and base64's groups,
                // whose own alphabet holds `/`): no reading of it.
                if matches!(*trick, "hex_spaced" | "b64_grouped" | "b64_grouped_lines")
                    && matches!(*ch, "json_path_keep" | "path_pieces" | "query_path_pieces")
                {
                    continue;
                }
                // Tags inside an XML document or an attribute: the check's tag-stripping
                // reading does not parse attributes, so it cannot see these values whole.
                if matches!(
                    *trick,
                    "inline_tags" | "html_comment" | "attr_tags" | "comment_text"
                ) && (ch.starts_with("xml")
                    || ch.starts_with("fhir_xml")
                    || ch.starts_with("cda")
                    || ch.ends_with("_attr"))
                {
                    continue;
                }
                // Markup with text inside a comment, CDATA section or instruction of an
                // HTML note: the check reads such a block whole or not at all.
                if matches!(*trick, "attr_tags" | "comment_text")
                    && (ch.starts_with("html_note") || ch.ends_with("_comment"))
                {
                    continue;
                }
                // Braille's blank cell, ROT47's marks and base64's blanks cannot stand in an
                // XML name, a ragged CSV cell set or a path cut at its `/`: those channels
                // rewrite the value before it is sent, so the check reads pieces.
                if matches!(
                    *trick,
                    "braille" | "rot47" | "b64_grouped" | "b64_grouped_lines"
                ) && (IN_NAMES.contains(ch)
                    || matches!(
                        *ch,
                        "xml_pi"
                            | "csv_ragged"
                            | "xml_in_json"
                            | "path_pieces"
                            | "query_path_pieces"
                            | "json_path_keep"
                    ))
                {
                    continue;
                }
                // An XML name cannot hold characters that show nothing: the channel's name
                // is no longer the value (and such documents are refused).
                if matches!(
                    *trick,
                    "tag_chars" | "selectors" | "ansi_sgr" | "overstrike"
                ) && IN_NAMES.contains(ch)
                {
                    continue;
                }
                // RTF inside XML text (its `\'` escaped as XML writes it) or inside the base64
                // of an attachment typed as something else: the check reads RTF only where
                // it stands as written, so it cannot see these values (stop 52, text52's RTF
                // tricks; the gateway's readings are checked by the matrix on its channels).
                if (matches!(*trick, "rtf_hex" | "rtf_bare_hex")
                    && (ch.starts_with("xml")
                        || ch.starts_with("fhir_xml")
                        || ch.starts_with("split_cda")))
                    || (*trick == "rtf_u"
                        && matches!(*ch, "fhir_attachment" | "fhir_attachment_hl7"))
                {
                    continue;
                }
                // A trace id holds a value as at most 32 hex digits (its digits, or its bytes
                // in hex cut to 16): a trick's longer spelling cannot fit, by design; the
                // channel proves the gateway hashes a caller's trace id (plain values only).
                if *ch == "h_traceparent" {
                    continue;
                }
                // A channel that escapes `&` once more puts the chain past the check's own
                // decoding rounds (the gateway reads a chain of any length in one step).
                // So does base64 around an HL7 attachment (one round for the base64).
                if *trick == "amp_deep"
                    && (matches!(*ch, "hl7_in_json" | "xml_in_json" | "fhir_attachment_hl7")
                        || ch.starts_with("split_"))
                {
                    continue;
                }
                let Some(r) = channel(ch, c, &v) else {
                    continue;
                };
                let mut parts = vec![
                    ("uri".to_string(), r.path.as_bytes().to_vec()),
                    ("body".to_string(), r.body.clone()),
                ];
                parts.extend(r.headers.iter().map(|(n, v)| (n.clone(), v.clone())));
                let found: BTreeSet<Kind> =
                    parts.iter().flat_map(|(_, b)| canaries_in(b)).collect();
                if !found.contains(&c.kind) {
                    unseen.push(format!("{ch}.{trick}.{}", c.kind.id()));
                }
            }
            for (index, ch) in BODY_TRICK_CHANNELS.iter().enumerate() {
                if !mine(index) || !wanted(ch, trick) {
                    continue;
                }
                // EBCDIC bodies are refused (`charset`), and the check reads EBCDIC only where
                // every byte maps in its small table: a value trick writing other characters
                // (Morse's, stop 58's CI) leaves it unread there, so these two are checked
                // for a refusal by the matrix alone.
                for bt in BODY_TRICKS.iter().filter(|t| !t.starts_with("ebcdic")) {
                    let Some(mut r) = channel(ch, c, &v) else {
                        continue;
                    };
                    if body_trick(bt, &mut r).is_some() {
                        assert!(
                            canaries_in(&r.body).contains(&c.kind),
                            "{ch}.{trick}+{bt}.{}",
                            c.kind.id()
                        );
                    }
                }
            }
        }
    }
    assert!(
        unseen.is_empty(),
        "not found by the check's readings: {unseen:?}"
    );
    // The red team's tricks, on the channels they are tried on.
    for c in CANARIES.iter().filter(|_| part == 1) {
        for trick in [
            "a85",
            "b85",
            "rot13_lower",
            "smallcaps",
            "rot13_upper",
            "rot13_value",
            "quoted_local",
        ] {
            let Some(v) = value_trick(trick, c) else {
                continue;
            };
            for ch in ["json_unknown", "json_note", "text"] {
                let r = channel(ch, c, &v).expect("channel");
                assert!(
                    canaries_in(&r.body).contains(&c.kind),
                    "{ch}.{trick}.{}: not found in {:?}",
                    c.kind.id(),
                    String::from_utf8_lossy(&r.body)
                );
            }
        }
    }
    // Stop 55's tricks (H24, G11), on the channels they are tried on.
    for c in CANARIES.iter().filter(|_| part == 2) {
        for trick in STOP55_MINT_TRICKS
            .iter()
            .chain(STOP55_PATH_TRICKS)
            .chain(&["upper_snake"])
        {
            let Some(v) = value_trick(trick, c) else {
                continue;
            };
            for (ch, _) in EXTRA_TRICKS
                .iter()
                .filter(|(_, tricks)| tricks.contains(trick))
            {
                let Some(r) = channel(ch, c, &v) else {
                    continue;
                };
                let mut bytes = r.path.as_bytes().to_vec();
                bytes.push(b'\n');
                bytes.extend_from_slice(&r.body);
                for (_, h) in &r.headers {
                    bytes.push(b'\n');
                    bytes.extend_from_slice(h);
                }
                assert!(
                    canaries_in(&bytes).contains(&c.kind),
                    "{ch}.{trick}.{}: not found in {:?}",
                    c.kind.id(),
                    String::from_utf8_lossy(&bytes)
                );
            }
        }
    }
    // Stop 57's composed encodings (J23), on the channels they are tried on.
    let mut unseen = Vec::new();
    for c in CANARIES.iter().filter(|_| part == 3) {
        for trick in STOP57_COMPOSED_TRICKS
            .iter()
            .chain(STOP57_COMPOSED_B85_TRICKS)
            .chain(STOP59_NESTED_TRICKS)
        {
            let Some(v) = value_trick(trick, c) else {
                continue;
            };
            for (ch, _) in EXTRA_TRICKS
                .iter()
                .filter(|(ch, tricks)| tricks.contains(trick) && wanted(ch, trick))
            {
                let Some(r) = channel(ch, c, &v) else {
                    continue;
                };
                if !canaries_in(&r.body).contains(&c.kind) {
                    unseen.push(format!("{ch}.{trick}.{}", c.kind.id()));
                }
            }
        }
    }
    assert!(unseen.is_empty(), "composed, not found: {unseen:?}");
    // Tokens and ordinary clinical text are not canaries.
    for clean in [
        "NAME_7K3F9Q2MXA MRN_0000000000 PHONE_ABCDEFGHJK",
        "Grip 42 lb, goals updated, 97530 x2, DATE 1961",
        "{\"status\":\"final\",\"blob\":\"aGVsbG8gd29ybGQsIGdvYWwgbWV0\"}",
    ] {
        assert!(canaries_in(clean.as_bytes()).is_empty(), "{clean}");
    }
}

/// Case ids that fail on the current engine, grouped by cause. Filled from a run; only ever
/// shrinks. `PHIGATE_LEAKS_REGEN=1` prints the current failing ids.
const KNOWN_GAPS: &[&str] = &[
    // Empty since stop 46: a street address as path pieces under a keep key
    // (`/patients/4471/Quarry/Hollow/Rd`) is read with its pieces as words (stop 44's last
    // red-team rows). (An address in ROT13 inside a plain sentence is read since stop 45.)
    // Empty since stop 40. Stop 39's six (a digit written as a quoted-printable escape
    // inside an MRN in free text, `MR44=310827`; numbers written back to front in free text,
    // `7280144RM`, `32-80-1961`) are read now: the escape between a record number's digits
    // shows the encoding, a word of seven digits or more with a few letters is an
    // identifier, and any three numbers set apart like a date after a birth cue are a date.
];
