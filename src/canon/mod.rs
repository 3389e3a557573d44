//! The canonical view: one decoded, normalised reading of a string, mapped back to its bytes.
//!
//! Detection runs on what a reader would see, not on how it was written: quoted-printable
//! (`Rosalind=20Thackeray`, in a text that shows it is written so), HTML/XML character
//! references, percent-encoding (repeated until stable), `\uXXXX` escapes, Unicode
//! compatibility forms (full-width digits and letters, ligatures), accents, the decimal
//! digits of every script (`٥٥٥` is `555`), space, dash, slash and dot variants, Cyrillic
//! and Greek letters written inside Latin words for the Latin letters they look like
//! (`Jоhn` with a Cyrillic `о`), letters sent as Morse code or spelling-alphabet words
//! ([`signals`]), zero-width and soft-hyphen characters, the folded content lines of a
//! vCard or iCalendar text, and control characters are all undone before the detector looks. Markup tags are blanked so that only text and attribute values
//! are read (an `xmlns` URL is never PHI and must survive intact).
//!
//! Every byte of the view remembers the byte range of the input it came from, so a span found
//! in the view covers exactly what was written in the input, entity, escape and zero-width
//! characters included. A pure-ASCII string with nothing to decode takes the fast path: no
//! view is built and the input is scanned as it is.
//!
//! A letter whose accent the view drops (`Å` → `A`, `Đ` → `D`, or `A` and a combining ring
//! written apart) is remembered as an [`Accent`]: the name lists are written without accents,
//! but a word's own spelling decides whether it is a known safe word (`Åsa` is a name, not
//! `asa`, aspirin), so the lexicon can ask for it.

use unicode_normalization::char::{compose, decompose_compatible};

mod disguise;
mod markup;
mod rtf;
mod separators;
pub use separators::underscores_parted;
mod signals;
pub use signals::spelling_alphabet_runs;
mod smuggled;

/// A decoded view of a string, with a map from each view byte to its source bytes.
#[derive(Debug, Clone)]
pub struct Canon {
    text: String,
    /// For each byte of `text`: the start of the input range it came from.
    starts: Vec<usize>,
    /// For each byte of `text`: the end of the input range it came from.
    ends: Vec<usize>,
    /// The letters whose accents the view dropped, in view order.
    accents: Vec<Accent>,
    /// A tag with attributes or a comment with text was read between two word characters
    /// (`Rosa<span class="x">lind`): this view parts a word a page shows whole, which
    /// [`Canon::joined`] reads.
    cuts_words: bool,
}

/// A letter written with an accent (or a letter outside ASCII with a plain reading) that the
/// view writes without it: view bytes `at..at + len` read `letter`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Accent {
    pub at: usize,
    pub len: usize,
    /// The letter as written, composed (`Å` for `A` and a combining ring); U+FFFD when a
    /// combining mark composes with nothing, so the word's own spelling matches no entry.
    pub letter: char,
}

/// What no letter composes to: a spelling holding it is no known word.
const UNKNOWN_LETTER: char = '\u{FFFD}';

/// A turned full stop (DOT ABOVE).
const TURNED_DOT: char = '\u{2d9}';

/// How many decoding rounds at most (`%2540` → `%40` → `@` takes two).
const MAX_ROUNDS: usize = 4;

impl Canon {
    /// The canonical view of `input`, or `None` when it would be `input` itself.
    pub fn of(input: &str) -> Option<Canon> {
        Canon::reading(input, Tags::Read)
    }

    /// The view of `input` read as a page shows its words: an inline element's tag with
    /// attributes, and a comment, CDATA section or instruction with text, are read as
    /// nothing (`Rosa<span class="x">lind` is `Rosalind`). What they hold is read by
    /// [`Canon::of`]'s view, which parts the words around them; worth reading only when that
    /// view [`Canon::cuts_words`]. `None` when it would be `input` itself.
    pub fn joined(input: &str) -> Option<Canon> {
        Canon::reading(input, Tags::Joined)
    }

    /// Whether markup was read between two word characters, so that [`Canon::joined`]
    /// reads words this view parts.
    pub fn cuts_words(&self) -> bool {
        self.cuts_words
    }

    /// The view of `input` with only its character escapes undone: quoted-printable,
    /// percent-encoding, character references and backslash escapes, each as often as the
    /// text shows it, and nothing else (no look-alike, symbol or spacing reading, which would
    /// change the characters of a base85 or base64 run). How a run written under an escape
    /// layer is found (red team 55, J23). `None` when it would be `input` itself.
    pub fn unescaped(input: &str) -> Option<Canon> {
        let qp = Canon::quoted_printable(input);
        let decoded = Canon::decoded(qp.as_ref().map_or(input, Canon::text), Tags::Text);
        Canon::quoted_printable_under_escapes(Canon::then(qp, decoded))
    }

    /// The view range covering the input range `start..end`, when some view bytes come
    /// from it: how a span found in another reading of the same input is placed in this one.
    pub fn view_range(&self, start: usize, end: usize) -> Option<(usize, usize)> {
        let first = self.ends.partition_point(|&e| e <= start);
        let last = self.starts.partition_point(|&s| s < end);
        (first < last && self.text.is_char_boundary(first) && self.text.is_char_boundary(last))
            .then_some((first, last))
    }

    fn reading(input: &str, tags: Tags) -> Option<Canon> {
        // Text hidden in characters that show nothing, before anything drops them.
        let unsmuggled = Canon::unsmuggled(input);
        // Turned text first: decoding would read some turned characters as others (`˙`,
        // a turned `.`, is a space and a dot above).
        let upright = Canon::upright(unsmuggled.as_ref().map_or(input, Canon::text));
        let turned_before = upright.is_some();
        let upright = Canon::then(unsmuggled, upright);
        // Terminal controls before decoding, which reads a control character as a blank.
        let terminal = Canon::unescaped_terminal(upright.as_ref().map_or(input, Canon::text));
        let upright = Canon::then(upright, terminal);
        // RTF before the other escapes: `\u84?` is RTF's, not a `\u0054`.
        let rtf = Canon::rtf(upright.as_ref().map_or(input, Canon::text), tags);
        let upright = Canon::then(upright, rtf);
        // Markup marks before decoding, which reads TeX's `\textbf` as a tab and `extbf`.
        let unmarked = Canon::unmarked(upright.as_ref().map_or(input, Canon::text), tags);
        let upright = Canon::then(upright, unmarked);
        // Folded content lines of a card or a calendar before anything reads words.
        let unfolded = Canon::unfolded(upright.as_ref().map_or(input, Canon::text));
        let upright = Canon::then(upright, unfolded);
        let qp = Canon::quoted_printable(upright.as_ref().map_or(input, Canon::text));
        let qp = Canon::then(upright, qp);
        let decoded = Canon::decoded(qp.as_ref().map_or(input, Canon::text), tags);
        let decoded = Canon::then(qp, decoded);
        let decoded = Canon::quoted_printable_under_escapes(decoded);
        // Turned characters written as references or escapes (`&#x250;`) show only now.
        let turned = match &decoded {
            Some(d) if !turned_before => Canon::upright(d.text()),
            _ => None,
        };
        let decoded = Canon::then(decoded, turned);
        let latin = Canon::latin_for_lookalikes(decoded.as_ref().map_or(input, Canon::text));
        let decoded = Canon::then(decoded, latin);
        let digits = Canon::ascii_for_script_digits(decoded.as_ref().map_or(input, Canon::text));
        let decoded = Canon::then(decoded, digits);
        let separated = Canon::separated(decoded.as_ref().map_or(input, Canon::text));
        let decoded = Canon::then(decoded, separated);
        let signals = Canon::signals(decoded.as_ref().map_or(input, Canon::text));
        let decoded = Canon::then(decoded, signals);
        let unwrapped = Canon::unwrapped(decoded.as_ref().map_or(input, Canon::text));
        let decoded = Canon::then(decoded, unwrapped);
        let rejoined = Canon::rejoined(decoded.as_ref().map_or(input, Canon::text));
        let decoded = Canon::then(decoded, rejoined);
        let undoubled = Canon::undoubled(decoded.as_ref().map_or(input, Canon::text));
        let decoded = Canon::then(decoded, undoubled);
        let joined = Canon::unspaced(decoded.as_ref().map_or(input, Canon::text));
        let view = Canon::then(decoded, joined);
        let letters = Canon::letters_for_symbols(view.as_ref().map_or(input, Canon::text));
        let view = Canon::then(view, letters);
        let hex = Canon::decimal_for_hex(view.as_ref().map_or(input, Canon::text));
        let view = Canon::then(view, hex);
        let digits = Canon::digits_for_letters(view.as_ref().map_or(input, Canon::text));
        Canon::then(view, digits)
    }

    /// `first`, then `next` read over `first`'s view.
    fn then(first: Option<Canon>, next: Option<Canon>) -> Option<Canon> {
        match (first, next) {
            (Some(f), Some(n)) => Some(f.compose(n)),
            (f, None) => f,
            (None, n) => n,
        }
    }

    /// `view` with the quoted-printable that its decoding showed decoded too, and what that
    /// shows in turn, for at most [`MAX_ROUNDS`] rounds: a text escaped twice
    /// (`%3D%35%32…`, `=3D52`, `&#61;&#53;&#50;`, each `=52`, an `R`) shows it is
    /// quoted-printable only once the outer layer is undone (red team 55, J23). A view
    /// that is the input itself was read for quoted-printable already.
    fn quoted_printable_under_escapes(view: Option<Canon>) -> Option<Canon> {
        let mut view = view?;
        for _ in 1..MAX_ROUNDS {
            let Some(qp) = Canon::quoted_printable(&view.text) else {
                break;
            };
            let decoded = Canon::decoded(&qp.text, Tags::Text);
            view = view.compose(qp);
            if let Some(d) = decoded {
                view = view.compose(d);
            }
        }
        Some(view)
    }

    /// The decoding rounds of [`Canon::of`]: escapes, references, Unicode forms and tags.
    fn decoded(input: &str, tags: Tags) -> Option<Canon> {
        if is_plain(input) {
            return None;
        }
        let first = if looks_like_markup(input) {
            tags
        } else {
            Tags::Text
        };
        let mut view = one_round(input, first);
        for _ in 1..MAX_ROUNDS {
            if is_plain(&view.text) || !has_escapes(&view.text) {
                break;
            }
            let next = one_round(&view.text, Tags::Text);
            if next.text == view.text {
                break;
            }
            view = view.compose(next);
        }
        (view.text != input).then_some(view)
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// The letters whose accents the view dropped, in view order.
    pub fn accents(&self) -> &[Accent] {
        &self.accents
    }

    /// The input byte range behind the view range `start..end` (`start < end`).
    pub fn source_range(&self, start: usize, end: usize) -> (usize, usize) {
        let s = self.starts.get(start).copied().unwrap_or(0);
        let e = end
            .checked_sub(1)
            .and_then(|i| self.ends.get(i))
            .copied()
            .unwrap_or(s);
        (s, e.max(s))
    }

    /// `self` maps view → input; `next` maps its own view → `self`'s view.
    fn compose(self, next: Canon) -> Canon {
        let starts = next.starts.iter().map(|&i| self.at_start(i)).collect();
        let ends = next
            .ends
            .iter()
            .map(|&i| self.at_end(i))
            .collect::<Vec<_>>();
        // An accent of an earlier round is plain ASCII by now, copied byte for byte: it
        // moves to where the next view wrote its first byte.
        let mut accents: Vec<Accent> = self
            .accents
            .iter()
            .filter_map(|a| {
                let j = next.starts.partition_point(|&s| s < a.at);
                (next.starts.get(j) == Some(&a.at)).then_some(Accent { at: j, ..*a })
            })
            .collect();
        accents.extend_from_slice(&next.accents);
        accents.sort_by_key(|a| a.at);
        Canon {
            text: next.text,
            starts,
            ends,
            accents,
            cuts_words: self.cuts_words || next.cuts_words,
        }
    }

    fn at_start(&self, i: usize) -> usize {
        self.starts
            .get(i)
            .copied()
            .unwrap_or_else(|| self.ends.last().copied().unwrap_or(0))
    }

    fn at_end(&self, i: usize) -> usize {
        i.checked_sub(1)
            .and_then(|j| self.ends.get(j))
            .copied()
            .unwrap_or(0)
    }
}

/// Fewest single characters, each set apart by one space, read as one word spelled out
/// (`R o s a l i n d`, `o t t e r @ i n b o x . e x a m p l e`).
const MIN_SPACED: usize = 4;

/// Fewest when one of them is a digit (`M R 4 4 1 0 8 2 7`, `5 5 5 - 0 1 7 2`): shorter runs
/// are grades and levels (`R 4 L 5`, `C 5 - 6`).
const MIN_SPACED_WITH_DIGIT: usize = 7;

/// Fewest when every one is a digit: a row of scores (`5 4 4 5 3 4 5`) is as long as a
/// local phone number; an SSN or a full phone number has nine digits or more.
const MIN_SPACED_DIGITS: usize = 9;

impl Canon {
    /// The view of `text` with the spaces inside spelled-out runs taken out
    /// (`R o s a l i n d   T h a c k e r a y` reads `Rosalind Thackeray`), or `None` when it
    /// has none. Letter-spacing is a way of writing a value past a detector, as an entity or
    /// a zero-width space is, so it is undone before detection like them; the spaces removed
    /// belong to the span found around them. Spaces alone between two such runs read as one.
    fn unspaced(text: &str) -> Option<Canon> {
        let runs = spaced_runs(text.as_bytes());
        if runs.is_empty() {
            return None;
        }
        let b = text.as_bytes();
        let mut out = Builder::with_capacity(text.len());
        let mut at = 0;
        for (k, &(start, end, stride)) in runs.iter().enumerate() {
            // Only spaces since the previous run: one space, not the gap as written.
            let joined_gap = k > 0 && at < start && b[at..start].iter().all(|&c| c == b' ');
            if joined_gap {
                out.push_literal(" ", at);
            } else {
                out.push_literal(&text[at..start], at);
            }
            for i in (start..end).step_by(stride) {
                // A capital after a lower-case letter, one gap apart, starts a word of
                // its own (`R o s a l i n d T h a c k e r a y` reads `Rosalind Thackeray`):
                // one space stays.
                if i > start
                    && !b[i - 1].is_ascii_alphanumeric()
                    && b[i].is_ascii_uppercase()
                    && b[i - stride].is_ascii_lowercase()
                {
                    out.push_literal(" ", i - 1);
                }
                out.push_literal(&text[i..i + 1], i);
            }
            at = end;
        }
        out.push_literal(&text[at..], at);
        Some(out.out)
    }
}

impl Canon {
    /// The view of `text` with the letters that look like digits read as those digits
    /// (`O` and `o` as zero, `I` and `l` as one) inside a run that is otherwise a number
    /// (`555-O142`, `4l3-555-0l72`), or `None` when there is none. Byte for byte, so spans
    /// map back as written. Runs too short to be a phone, an SSN or a date stay as written:
    /// `O2`, `I10`.
    fn digits_for_letters(text: &str) -> Option<Canon> {
        let b = text.as_bytes();
        let mut swaps = Vec::new();
        let mut at = 0;
        while let Some((start, end)) = next_number_run(b, at) {
            swaps.extend((start..end).filter(|&i| lookalike_digit(b[i]).is_some()));
            at = end;
        }
        if swaps.is_empty() {
            return None;
        }
        let mut out = text.as_bytes().to_vec();
        for i in swaps {
            out[i] = lookalike_digit(out[i]).unwrap_or(out[i]);
        }
        let mut view = Builder::with_capacity(text.len());
        // Only ASCII letters became ASCII digits: still UTF-8, and one byte for one.
        view.push_literal(&String::from_utf8_lossy(&out), 0);
        Some(view.out)
    }
}

impl Canon {
    /// The view of `text` with Cyrillic and Greek letters read as the Latin letters they look
    /// like (`Jоhn`, `gmаil` and `Ѕmith` written with Cyrillic `о`, `а` and `Ѕ`), in every
    /// Latin word holding such letters ([`reads_as_latin`]); `None` when no word does. A word
    /// of Cyrillic or Greek text (`Иван`, `βικτωρία`) stays as written. Each letter read this way is remembered as an [`Accent`], so the word keeps
    /// the list evidence of its Latin reading but is never taken for a known safe word.
    fn latin_for_lookalikes(text: &str) -> Option<Canon> {
        if text.is_ascii() {
            return None;
        }
        let mut out: Option<Builder> = None;
        let mut copied = 0;
        for (start, word) in words(text).filter(|(_, w)| reads_as_latin(w)) {
            let b = out.get_or_insert_with(|| Builder::with_capacity(text.len()));
            b.push_literal(&text[copied..start], copied);
            for (i, c) in word.char_indices() {
                let at = start + i;
                match latin_twin(c) {
                    Some(l) => b.push_lookalike(l, c, at, at + c.len_utf8()),
                    None => b.push_literal(&word[i..i + c.len_utf8()], at),
                }
            }
            copied = start + word.len();
        }
        let mut b = out?;
        b.push_literal(&text[copied..], copied);
        Some(b.out)
    }
}

/// Fewest escapes side by side that show a text is quoted-printable whatever they decode to
/// (`=52=6F=73`): a key and a number (`dob=2025`) make one.
const MIN_QP_RUN: usize = 3;

/// Whether `b` opens a vCard or an iCalendar component (`BEGIN:VCARD`, `Begin:vEvent`):
/// property names are case-insensitive (RFC 5545 3.1, RFC 6350 3.3).
fn opens_a_card(b: &[u8]) -> bool {
    const OPEN: &[u8] = b"begin:v";
    memchr::memchr2_iter(b'B', b'b', b).any(|at| {
        b.get(at..at + OPEN.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(OPEN))
    })
}

impl Canon {
    /// The view of a vCard or iCalendar text with its folded content lines unfolded: a
    /// line break followed by one blank or tab continues the line before it (RFC 5545
    /// 3.1, RFC 6350 3.2), so `SUMMARY:OT eval for Orsolya Bran\r\n kovic` reads
    /// `Brankovic` whole (red team 68). Only in a text that opens a card or a calendar
    /// component (`BEGIN:V`): elsewhere an indented line is a line of its own.
    fn unfolded(text: &str) -> Option<Canon> {
        let b = text.as_bytes();
        let folded = |nl: &usize| matches!(b.get(nl + 1), Some(b' ' | b'\t'));
        // Most values hold no fold: that is asked first, as it is the cheaper question.
        if !memchr::memchr_iter(b'\n', b).any(|nl| folded(&nl)) || !opens_a_card(b) {
            return None;
        }
        let folds: Vec<(usize, usize)> = memchr::memchr_iter(b'\n', b)
            .filter(folded)
            .map(|nl| {
                let start = if nl > 0 && b[nl - 1] == b'\r' {
                    nl - 1
                } else {
                    nl
                };
                (start, nl + 2)
            })
            .collect();
        if folds.is_empty() {
            return None;
        }
        let mut out = Builder::with_capacity(text.len());
        let mut copied = 0;
        for (start, end) in folds {
            out.push_literal(&text[copied..start], copied);
            copied = end;
        }
        out.push_literal(&text[copied..], copied);
        Some(out.out)
    }

    /// The view of `text` with its quoted-printable escapes decoded (`=20` a space, `=2D` a
    /// hyphen, `=C3=A9` an `é`) and its soft line breaks (`=` at a line's end) joined, or
    /// `None` when the text does not show it is written so ([`is_quoted_printable`]).
    /// `=` is common in text (`BP=120/80`, `dob=2025`), so a lone escape is decoded only
    /// in a text that shows the encoding somewhere: a number after `=` stays a number.
    fn quoted_printable(text: &str) -> Option<Canon> {
        if !is_quoted_printable(text) {
            return None;
        }
        let b = text.as_bytes();
        let mut out = Builder::with_capacity(text.len());
        let mut copied = 0;
        let mut i = 0;
        while let Some(k) = memchr::memchr(b'=', &b[i..]) {
            let at = i + k;
            i = at + 1;
            let decoded = match soft_break(&b[at..]) {
                Some(len) => Some((None, len)),
                None => qp_char(&b[at..]).map(|(c, len)| (Some(c), len)),
            };
            let Some((c, len)) = decoded else { continue };
            out.push_literal(&text[copied..at], copied);
            if let Some(c) = c {
                out.push(c, at, at + len);
            }
            copied = at + len;
            i = copied;
        }
        out.push_literal(&text[copied..], copied);
        Some(out.out)
    }
}

/// A text written in quoted-printable, by a sign no plain text gives: a soft line break
/// after a word, an escape run of [`MIN_QP_RUN`] or more or one that is a UTF-8
/// character, an escape written with a hex letter for a space or punctuation between two
/// letters or digits (`512=2D47`), or `=20` between a word and a letter (`Rosalind=20T…`).
pub fn is_quoted_printable(text: &str) -> bool {
    let b = text.as_bytes();
    let mut i = 0;
    while let Some(k) = memchr::memchr(b'=', &b[i..]) {
        let at = i + k;
        i = at + 1;
        let before = at.checked_sub(1).map(|j| b[j]);
        if soft_break(&b[at..]).is_some() && before.is_some_and(|c| !c.is_ascii_whitespace()) {
            return true;
        }
        let run = escape_run(&b[at..]);
        if run == 0 {
            continue;
        }
        if run >= MIN_QP_RUN || qp_char(&b[at..]).is_some_and(|(c, _)| !c.is_ascii()) {
            return true;
        }
        let Some(byte) = escape_byte(&b[at..]) else {
            continue;
        };
        let after = b.get(at + 3).copied();
        let between = before.is_some_and(|c| c.is_ascii_alphanumeric())
            && after.is_some_and(|c| c.is_ascii_alphanumeric());
        let hex_letter = b[at + 1..at + 3].iter().any(u8::is_ascii_alphabetic);
        let punct = byte == b' ' || byte.is_ascii_punctuation();
        if between && punct && hex_letter {
            return true;
        }
        if byte == b' ' && between && after.is_some_and(|c| c.is_ascii_alphabetic()) {
            return true;
        }
        if byte.is_ascii_digit() && is_digit_escape_in_record_number(b, at) {
            return true;
        }
        i = at + 3 * run;
    }
    false
}

/// A digit written as an escape inside a record number (`MR44=310827`): a digit before and
/// after it, and a letter earlier in the same word. Plain text puts a number after `=`
/// (`dob=2025`, `x=3141`), never a digit escaped between digits of a word like that.
fn is_digit_escape_in_record_number(b: &[u8], at: usize) -> bool {
    let word_start = b[..at]
        .iter()
        .rposition(|c| !c.is_ascii_alphanumeric())
        .map_or(0, |p| p + 1);
    let word = &b[word_start..at];
    word.last().is_some_and(u8::is_ascii_digit)
        && word.iter().any(u8::is_ascii_alphabetic)
        && b.get(at + 3).is_some_and(u8::is_ascii_digit)
}

/// A soft line break at the start of `b` (`=` then a line break): how many bytes it spans.
fn soft_break(b: &[u8]) -> Option<usize> {
    match b {
        [b'=', b'\r', b'\n', ..] => Some(3),
        [b'=', b'\n', ..] => Some(2),
        _ => None,
    }
}

/// The byte an escape (`=` and two hex digits) at the start of `b` stands for.
fn escape_byte(b: &[u8]) -> Option<u8> {
    let [b'=', hi, lo, ..] = *b else { return None };
    let digit = |c: u8| char::from(c).to_digit(16);
    let value = digit(hi)? * 16 + digit(lo)?;
    u8::try_from(value).ok()
}

/// How many escapes follow one another from the start of `b`.
fn escape_run(b: &[u8]) -> usize {
    (0..)
        .take_while(|&k| b.get(3 * k..).and_then(escape_byte).is_some())
        .count()
}

/// The character the escapes at the start of `b` write, and the bytes they span: a
/// printable ASCII character, a tab or line break, or one UTF-8 character written as a run
/// of escapes (`=C3=A9`). Escapes of other bytes (controls, broken UTF-8) are not read.
fn qp_char(b: &[u8]) -> Option<(char, usize)> {
    let first = escape_byte(b)?;
    let len = match first {
        0x20..=0x7e | b'\t' | b'\r' | b'\n' => return Some((char::from(first), 3)),
        0xc2..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf4 => 4,
        _ => return None,
    };
    let mut buf = [0u8; 4];
    for (k, slot) in buf.iter_mut().enumerate().take(len) {
        *slot = escape_byte(b.get(3 * k..)?)?;
    }
    let c = std::str::from_utf8(&buf[..len]).ok()?.chars().next()?;
    Some((c, 3 * len))
}

/// Fewest digits in a run of another script's digits that is read as ASCII whatever text
/// is around it: a local phone number's seven.
const MIN_SCRIPT_DIGITS: usize = 7;

impl Canon {
    /// The view of `text` with the decimal digits of other scripts read as ASCII digits
    /// (`٥١٢-٤٧-٣٣٠٦` is `512-47-3306`), or `None` when none is. A run of them is read so
    /// when it is long enough to be a phone number, an SSN or a date, or when the text
    /// around it is Latin: a house number inside a Bengali address (`বাসা নং ৮৬`) stays
    /// part of the Bengali text it is written in.
    fn ascii_for_script_digits(text: &str) -> Option<Canon> {
        if text.is_ascii() {
            return None;
        }
        let runs = script_digit_runs(text);
        if runs.is_empty() {
            return None;
        }
        let mut b = Builder::with_capacity(text.len());
        let mut copied = 0;
        for (start, end) in runs {
            b.push_literal(&text[copied..start], copied);
            for (i, c) in text[start..end].char_indices() {
                let at = start + i;
                match ascii_digit(c) {
                    Some(d) => b.push_mapped(d, at, at + c.len_utf8()),
                    None => b.push_literal(&text[at..at + c.len_utf8()], at),
                }
            }
            copied = end;
        }
        b.push_literal(&text[copied..], copied);
        Some(b.out)
    }
}

/// The runs of digits and number separators that hold another script's digits and are to
/// be read as ASCII (see [`Canon::ascii_for_script_digits`]), as byte ranges.
fn script_digit_runs(text: &str) -> Vec<(usize, usize)> {
    let in_run = |c: char| c.is_ascii_digit() || ascii_digit(c).is_some() || "-./ ()+".contains(c);
    let mut runs = Vec::new();
    let mut rest = text.char_indices().peekable();
    while let Some((start, c)) = rest.next() {
        if ascii_digit(c).is_none() && !c.is_ascii_digit() {
            continue;
        }
        let mut end = start + c.len_utf8();
        while let Some(&(i, c)) = rest.peek() {
            if !in_run(c) {
                break;
            }
            end = i + c.len_utf8();
            rest.next();
        }
        let run = &text[start..end];
        let script = run.chars().filter(|&c| ascii_digit(c).is_some()).count();
        let digits = script + run.bytes().filter(u8::is_ascii_digit).count();
        let latin_around = !other_script_letter(text[..start].chars().rev().take(LETTER_WINDOW))
            && !other_script_letter(text[end..].chars().take(LETTER_WINDOW));
        if script > 0 && (digits >= MIN_SCRIPT_DIGITS || latin_around) {
            runs.push((start, end));
        }
    }
    runs
}

/// How far, in characters, a run of digits looks on each side for the letter that says
/// which script's text it stands in. A bound, so a long text of digit runs and no letters
/// (`١,١,١,…`) is read in linear time, not by looking back over all of it for every run.
const LETTER_WINDOW: usize = 32;

/// Whether the first letter `chars` meets is a letter outside ASCII (of another script, by
/// the time the view reads digits: accented Latin letters are plain by then).
fn other_script_letter(mut chars: impl Iterator<Item = char>) -> bool {
    chars
        .find(|c| c.is_alphabetic())
        .is_some_and(|c| !c.is_ascii())
}

/// The words of `text` (runs of letters) with their byte offsets.
fn words(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
        .map(move |w| (w.as_ptr() as usize - text.as_ptr() as usize, w))
}

/// A Latin word with look-alike letters in it: at least one ASCII letter, at least one
/// look-alike, and no other letter outside ASCII. A word written wholly in look-alikes
/// (`βικτωρία`, `Јое`) is Greek or Cyrillic as far as the detector is concerned, and a word
/// of another script is read as one (suspect in English text), not as a Latin spelling.
fn reads_as_latin(word: &str) -> bool {
    let mut twins = false;
    let mut latin = false;
    for c in word.chars() {
        if c.is_ascii() || small_capital(c).is_some() {
            // No language writes its words in small capitals: they are Latin letters.
            latin = true;
            twins |= !c.is_ascii();
        } else if latin_twin(c).is_some() {
            twins = true;
        } else {
            return false;
        }
    }
    twins && latin
}

/// The Latin letter a small capital is (`ʀᴏsᴀʟɪɴᴅ`: phonetic letters a font or a
/// "fancy text" generator writes for lower-case ones).
fn small_capital(c: char) -> Option<char> {
    Some(match c {
        'ᴀ' => 'a',
        'ʙ' => 'b',
        'ᴄ' => 'c',
        'ᴅ' => 'd',
        'ᴇ' => 'e',
        'ꜰ' => 'f',
        'ɢ' => 'g',
        'ʜ' => 'h',
        'ɪ' => 'i',
        'ᴊ' => 'j',
        'ᴋ' => 'k',
        'ʟ' => 'l',
        'ᴍ' => 'm',
        'ɴ' => 'n',
        'ᴏ' => 'o',
        'ᴘ' => 'p',
        'ʀ' => 'r',
        'ꜱ' => 's',
        'ᴛ' => 't',
        'ᴜ' => 'u',
        'ᴠ' => 'v',
        'ᴡ' => 'w',
        'ʏ' => 'y',
        'ᴢ' => 'z',
        _ => return None,
    })
}

/// The Latin letter a Cyrillic or Greek letter is drawn like (Unicode's confusables for
/// Latin letters, the ones a keyboard or a font swaps in). Lower-case letters drawn as
/// small capitals (`в`, `к`, `м`, `н`, `т`) are not look-alikes: Latin words with such a
/// letter are mixed-script words as written (`Стаматкаstad`), and stay so.
fn latin_twin(c: char) -> Option<char> {
    if let Some(l) = small_capital(c) {
        return Some(l);
    }
    Some(match c {
        'а' => 'a',
        'с' | 'ϲ' => 'c',
        'ԁ' => 'd',
        'е' => 'e',
        'һ' => 'h',
        'і' => 'i',
        'ј' | 'ϳ' => 'j',
        'ӏ' => 'l',
        'о' | 'ο' => 'o',
        'р' => 'p',
        'ԛ' => 'q',
        'ѕ' => 's',
        'ν' => 'v',
        'ԝ' => 'w',
        'х' => 'x',
        'у' => 'y',
        'А' | 'Α' => 'A',
        'В' | 'Β' => 'B',
        'С' | 'Ϲ' => 'C',
        'Е' | 'Ε' => 'E',
        'Н' | 'Η' => 'H',
        'І' | 'Ι' | 'Ӏ' => 'I',
        'Ј' => 'J',
        'К' | 'Κ' => 'K',
        'М' | 'Μ' => 'M',
        'Ν' => 'N',
        'О' | 'Ο' => 'O',
        'Р' | 'Ρ' => 'P',
        'Ԛ' => 'Q',
        'Ѕ' => 'S',
        'Т' | 'Τ' => 'T',
        'Ԝ' => 'W',
        'Х' | 'Χ' => 'X',
        'Ү' | 'Υ' => 'Y',
        'Ζ' => 'Z',
        _ => return None,
    })
}

/// The digit a letter (or `!`) is written for, inside a number. A capital `S` is a `5`
/// (`MRN 44l O8S7`; red team 51): a run still needs more digits than letters, and `S1`,
/// `S2` alone are codes (see [`number_group`]).
fn lookalike_digit(c: u8) -> Option<u8> {
    match c {
        b'O' | b'o' => Some(b'0'),
        b'I' | b'l' | b'!' => Some(b'1'),
        b'S' => Some(b'5'),
        _ => None,
    }
}

/// Most capitals of a record number's prefix glued to its digits (`MR44l0827`, `A1O2345`):
/// the look-alikes after them are read as in a number standing alone.
const MAX_NUMBER_PREFIX: usize = 3;

/// Whether the letters right before `i` are a record number's prefix: one to
/// [`MAX_NUMBER_PREFIX`] capitals opening a word.
fn number_prefix_before(b: &[u8], i: usize) -> bool {
    let capitals = b[..i]
        .iter()
        .rev()
        .take_while(|c| c.is_ascii_uppercase())
        .count();
    let opens_word = capitals == i || !b[i - capitals - 1].is_ascii_alphanumeric();
    (1..=MAX_NUMBER_PREFIX).contains(&capitals) && opens_word
}

/// Whether `b[j]` belongs to a number group opened at `i`: a digit or a look-alike letter,
/// or a `!` between two of them (`4!3`; `0172!` ends a sentence, not a number).
fn in_number_group(b: &[u8], i: usize, j: usize) -> bool {
    let c = b[j];
    if c == b'!' {
        let part = |k: usize| {
            b.get(k).is_some_and(|&d| {
                d.is_ascii_digit() || d == b'O' || d == b'o' || d == b'I' || d == b'l'
            })
        };
        return j > i && part(j - 1) && part(j + 1);
    }
    c.is_ascii_digit() || lookalike_digit(c).is_some()
}

/// Fewest characters of a number run (digits and look-alike letters, separators apart) whose
/// look-alike letters are read as digits: a local phone number's seven.
const MIN_NUMBER_RUN: usize = 7;

/// What may stand between two groups of a number run: `555-0142`, `(413) 555`, `12/03/2019`.
const NUMBER_SEPARATORS: &[u8] = b"-./ ()+";

/// The next run, at or after `from`, of number groups (see [`number_group`]) set apart by
/// one or two separators, holding a look-alike letter and few enough of them to be a number
/// written past a filter rather than a word.
fn next_number_run(b: &[u8], from: usize) -> Option<(usize, usize)> {
    let mut i = from;
    while i < b.len() {
        // A group starts with a digit or a look-alike letter: every other byte is passed
        // over here, without the call (`number_group` finds no group there either).
        if !(b[i].is_ascii_digit() || lookalike_digit(b[i]).is_some()) {
            i += 1;
            continue;
        }
        let Some(first_end) = number_group(b, i) else {
            i += 1;
            continue;
        };
        let start = i;
        let mut end = first_end;
        loop {
            let mut k = end;
            while k < b.len() && k - end < 2 && NUMBER_SEPARATORS.contains(&b[k]) {
                k += 1;
            }
            match (k > end).then(|| number_group(b, k)).flatten() {
                Some(e) => end = e,
                None => break,
            }
        }
        let (mut digits, mut letters) = (0, 0);
        for &c in &b[start..end] {
            if c.is_ascii_digit() {
                digits += 1;
            } else if lookalike_digit(c).is_some() {
                letters += 1;
            }
        }
        if letters > 0 && digits + letters >= MIN_NUMBER_RUN && letters < digits {
            return Some((start, end));
        }
        i = end;
    }
    None
}

/// The end of the number group starting at `i`: a whole word (no letter or digit on either
/// side) of digits and look-alike letters, with a digit in it and no more look-alike letters
/// than digits.
fn number_group(b: &[u8], i: usize) -> Option<usize> {
    if i > 0 && b[i - 1].is_ascii_alphanumeric() && !number_prefix_before(b, i) {
        return None;
    }
    let len = (i..b.len())
        .take_while(|&j| in_number_group(b, i, j))
        .count();
    let end = i + len;
    if len == 0 || b.get(end).is_some_and(u8::is_ascii_alphanumeric) {
        return None;
    }
    let digits = b[i..end].iter().filter(|c| c.is_ascii_digit()).count();
    // `O2`, `I10`, `O09.90`: a capital and one or two digits is a code, unless a date's or
    // a phone's separator follows it (`l2/O3/2O19`).
    let code = len <= 3
        && b[i].is_ascii_uppercase()
        && digits == len - 1
        && !matches!(b.get(end), Some(b'/' | b'-'));
    (digits > 0 && digits * 2 >= len && !code).then_some(end)
}

/// What may set the characters of a spelled-out run apart (`J o h n`, `J.o.h.n`, `J-o-h-n`,
/// `5_1_2`, `J|o|h|n`, `J,o,h,n`, `J/o/h/n`, `J;o;h;n`, `J\to\th\tn`, one to a line): one of
/// these, the same one all along the run.
const SPACING: &[u8] = b" .-_,|*/\n;:+~\t";

/// Most spaces between two words of a letter-spaced phrase (`R o s a l i n d   T h a c k e r
/// a y` writes the space between words as three).
const MAX_WORD_GAP: usize = 3;

/// Most whitespace bytes between two characters of one spelled-out run (`T  h  a`,
/// `T\th\ta`, `T\r\nh\r\na`, one to a line): a wider gap is layout, not spelling.
const MAX_SPACING_WHITESPACE: usize = 3;

/// A spelled-out run: its first single character, the end of its last, and how far apart
/// its characters are (one more than its gap).
type SpacedRun = (usize, usize, usize);

/// The gap after the single character at `i`: a run of one to [`MAX_SPACING_WHITESPACE`]
/// whitespace bytes, or one mark of [`SPACING`]; a blank at the end of the text.
fn gap_after(b: &[u8], i: usize) -> Option<&[u8]> {
    let Some(&first) = b.get(i + 1) else {
        return Some(b" ");
    };
    if first.is_ascii_whitespace() {
        let n = b[i + 1..]
            .iter()
            .take(MAX_SPACING_WHITESPACE + 1)
            .take_while(|c| c.is_ascii_whitespace())
            .count();
        (n <= MAX_SPACING_WHITESPACE).then(|| &b[i + 1..i + 1 + n])
    } else {
        SPACING.contains(&first).then(|| &b[i + 1..i + 2])
    }
}

/// The spelled-out runs of `b`, where a single character is ASCII, no space, has no letter
/// or digit on either side, and the next one of its run comes after the same gap as every
/// other (see [`gap_after`]). Runs up to [`MAX_WORD_GAP`] spaces apart are words of one
/// phrase (`4 4 7 1   Q u a r r y   R d`); a phrase's runs are returned when the phrase as a
/// whole is long enough.
fn spaced_runs(b: &[u8]) -> Vec<SpacedRun> {
    let single = |i: usize| {
        b[i].is_ascii_graphic()
            && (i == 0 || !b[i - 1].is_ascii_alphanumeric())
            && b.get(i + 1).is_none_or(|c| !c.is_ascii_alphanumeric())
    };
    let mut runs = Vec::new();
    let mut phrase: Vec<SpacedRun> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        // Cheap refusal first: a single character has a separator or the end right after it.
        let sep = b.get(i + 1).copied().unwrap_or(b' ');
        if !(SPACING.contains(&sep) || sep == b'\r') || !single(i) {
            i += 1;
            continue;
        }
        let Some(gap) = gap_after(b, i) else {
            i += 1;
            continue;
        };
        // Between blanks any mark may be spelled out (`5 1 2 - 4 7`, `o t t e r . l a k e`);
        // with marks or line breaks between, only letters and digits (`b.i.d.,` is no run of
        // four).
        let blanks = gap.iter().all(|&c| c == b' ');
        let next = |k: usize| single(k) && (blanks || b[k].is_ascii_alphanumeric());
        if !next(i) {
            i += 1;
            continue;
        }
        let start = i;
        let mut end = i + 1;
        while end + gap.len() < b.len() && &b[end..end + gap.len()] == gap && next(end + gap.len())
        {
            end += gap.len() + 1;
        }
        let near = phrase.last().is_some_and(|&(_, last, _)| {
            start - last <= MAX_WORD_GAP + 1 && b[last..start].iter().all(|&c| c == b' ')
        });
        if !near {
            keep_phrase(b, &mut phrase, &mut runs);
        }
        phrase.push((start, end, gap.len() + 1));
        i = end;
    }
    keep_phrase(b, &mut phrase, &mut runs);
    runs
}

/// Moves the runs of `phrase` to `runs` when together they spell enough characters (see
/// [`MIN_SPACED`]) and one is a letter or digit; empties `phrase` either way.
fn keep_phrase(b: &[u8], phrase: &mut Vec<SpacedRun>, runs: &mut Vec<SpacedRun>) {
    let chars = || {
        phrase
            .iter()
            .flat_map(|&(start, end, stride)| (start..end).step_by(stride).map(|k| b[k]))
    };
    let count = chars().count();
    let digits = chars().filter(u8::is_ascii_digit).count();
    let least = if digits == count {
        MIN_SPACED_DIGITS
    } else if digits > 0 {
        MIN_SPACED_WITH_DIGIT
    } else {
        MIN_SPACED
    };
    // One run alone must spell two characters at least: a lone `a` is a word.
    let spelled = phrase.len() > 1 || phrase.iter().any(|&(s, e, _)| e - s > 1);
    if count >= least && spelled && chars().any(|c| c.is_ascii_alphanumeric()) {
        runs.append(phrase);
    }
    phrase.clear();
}

/// Nothing to decode: ASCII without `&`, `%`, `\`, `<` or control characters.
fn is_plain(s: &str) -> bool {
    s.bytes().all(is_literal)
}

/// A byte the view holds as itself, from itself: ASCII that opens no escape or tag and is
/// no control character. One table look-up: `is_plain` and the literal runs of the view
/// ask it of nearly every byte of every text.
fn is_literal(b: u8) -> bool {
    LITERAL[usize::from(b)]
}

/// [`is_literal`]'s answer for each byte.
const LITERAL: [bool; 256] = literal_bytes();

const fn literal_bytes() -> [bool; 256] {
    let mut table = [false; 256];
    let mut b: u8 = 0;
    loop {
        table[b as usize] = is_literal_byte(b);
        if b == u8::MAX {
            break;
        }
        b += 1;
    }
    table
}

/// The rule [`LITERAL`] is made from: ASCII, none of `& % \ <`, and no control character
/// but a line break or a tab.
const fn is_literal_byte(b: u8) -> bool {
    b.is_ascii()
        && !matches!(b, b'&' | b'%' | b'\\' | b'<')
        && (b >= 0x20 || matches!(b, b'\n' | b'\r' | b'\t'))
        && b != 0x7f
}

/// Anything another round could still decode.
fn has_escapes(s: &str) -> bool {
    s.bytes().any(|b| matches!(b, b'&' | b'%' | b'\\'))
}

/// How far past a `<` inside text a tag's `>` is looked for, when deciding whether the text
/// holds markup.
const MAX_TAG_PROBE: usize = 256;

/// A string that is (X)HTML or XML, or text with (X)HTML tags inside it (`Rosa<b></b>lind`,
/// a rich-text note): its tags are read as a reader sees them ([`read_tag`]).
fn looks_like_markup(s: &str) -> bool {
    let t = s.trim_start();
    if t.starts_with('<') && t.contains('>') {
        return true;
    }
    memchr::memchr_iter(b'<', s.as_bytes()).any(|i| {
        let rest = &s[i..];
        rest.starts_with("<!--")
            || rest
                .bytes()
                .take(MAX_TAG_PROBE)
                .position(|c| c == b'>')
                .is_some_and(|close| {
                    let tag = &rest[..close];
                    tag.len() >= 2
                        && !tag[1..].starts_with(['!', '?'])
                        && (is_markup_tag(tag) || glued_element(s, i, i + close + 1))
                })
    })
}

/// Whether `s[start..end]` is shaped like a tag ([`is_element_shaped`]) and glued between two
/// word characters (`Thack<x-note>eray`): a word cut by markup, whatever its element.
fn glued_element(s: &str, start: usize, end: usize) -> bool {
    let before = s[..start].chars().next_back();
    let after = s[end..].chars().next();
    before.is_some_and(char::is_alphanumeric)
        && after.is_some_and(char::is_alphanumeric)
        && is_element_shaped(&s[start..end - 1])
}

/// Builds a view by pushing decoded characters with the input range they came from.
struct Builder {
    out: Canon,
    /// After a Braille number sign: letters `a`–`j` are digits.
    braille_digits: bool,
    /// After a Braille capital sign.
    braille_capital: bool,
}

/// The dots of the Braille cells for `a` to `z` (English grade 1; bit n is dot n + 1).
const BRAILLE_LETTERS: [u8; 26] = [
    0x01, 0x03, 0x09, 0x19, 0x11, 0x0B, 0x1B, 0x13, 0x0A, 0x1A, 0x05, 0x07, 0x0D, 0x1D, 0x15, 0x0F,
    0x1F, 0x17, 0x0E, 0x1E, 0x25, 0x27, 0x3A, 0x2D, 0x3D, 0x35,
];

impl Builder {
    /// Pushes `run` as coming from input bytes `at..at + run.len()` one for one: for bytes
    /// that are each [`is_literal`], what [`Builder::push`] does a character at a time; for
    /// any other run, a later round copying what an earlier round wrote.
    fn push_literal(&mut self, run: &str, at: usize) {
        self.out.text.push_str(run);
        self.out.starts.extend(at..at + run.len());
        self.out.ends.extend(at + 1..=at + run.len());
    }

    /// Notes that markup read here, with `after` following it, stands between two word
    /// characters (`<` may open a tag read as nothing): [`Canon::cuts_words`].
    fn note_cut(&mut self, after: &str) {
        if self.between_words(after) {
            self.out.cuts_words = true;
        }
    }

    /// Whether what was pushed last and `after` are both inside one run of characters
    /// without a blank (`1961-<span class="c">08-23`): markup there cuts a value a page
    /// shows whole.
    fn between_words(&self, after: &str) -> bool {
        let before = self.out.text.chars().next_back();
        let next = after.chars().next();
        before.is_some_and(|c| !c.is_whitespace()) && next.is_some_and(|c| !c.is_whitespace())
    }

    /// Pushes the ASCII character `c` as coming from input bytes `start..end`.
    fn push_mapped(&mut self, c: char, start: usize, end: usize) {
        debug_assert!(c.is_ascii());
        self.out.text.push(c);
        self.out.starts.push(start);
        self.out.ends.push(end);
    }

    /// Pushes the Latin letter `latin` for `written`, a letter drawn like it, from input
    /// bytes `start..end`, and remembers `written` as the letter's own spelling.
    fn push_lookalike(&mut self, latin: char, written: char, start: usize, end: usize) {
        let at = self.out.text.len();
        self.push_mapped(latin, start, end);
        self.out.accents.push(Accent {
            at,
            len: 1,
            letter: written,
        });
    }

    fn with_capacity(n: usize) -> Builder {
        Builder {
            out: Canon {
                text: String::with_capacity(n),
                starts: Vec::with_capacity(n),
                ends: Vec::with_capacity(n),
                accents: Vec::new(),
                cuts_words: false,
            },
            braille_digits: false,
            braille_capital: false,
        }
    }

    /// The character a Braille cell (U+2800 block, English grade 1) reads as, or `None`
    /// for a sign: the number sign makes `a`–`j` the digits until a blank, the capital sign
    /// makes the next letter a capital. Cells with no reading read as a blank.
    fn braille(&mut self, c: char) -> Option<char> {
        // The block holds 256 cells: the low byte is the cell's dots.
        let dots = u8::try_from(u32::from(c).wrapping_sub(0x2800) & 0xFF).unwrap_or(0);
        match dots {
            0x3C => {
                self.braille_digits = true;
                return None;
            }
            0x20 => {
                self.braille_capital = true;
                return None;
            }
            _ => {}
        }
        let letter = BRAILLE_LETTERS
            .iter()
            .position(|&d| d == dots)
            .and_then(|i| u8::try_from(i).ok())
            .map(|i| char::from(b'a' + i));
        let read = match letter {
            Some(l) if self.braille_digits && l <= 'j' => {
                char::from_digit((u32::from(l) - u32::from('a') + 1) % 10, 10)
            }
            Some(l) if self.braille_capital => Some(l.to_ascii_uppercase()),
            Some(l) => Some(l),
            None => {
                // A number goes on through its hyphens, points and commas (`⠼⠙⠁⠉⠤⠑⠑⠑`).
                self.braille_digits &= matches!(dots, 0x24 | 0x32 | 0x02);
                Some(match dots {
                    0x24 => '-',
                    0x32 => '.',
                    0x02 => ',',
                    0x04 => '\'',
                    _ => ' ',
                })
            }
        };
        self.braille_capital = false;
        read
    }

    /// Pushes `c`, normalised, as coming from input bytes `start..end`.
    fn push(&mut self, c: char, start: usize, end: usize) {
        if self.braille_digits && !('\u{2801}'..='\u{28FF}').contains(&c) {
            self.braille_digits = false;
        }
        let emit = |d: char, b: &mut Canon| {
            let mut buf = [0u8; 4];
            let s = d.encode_utf8(&mut buf);
            b.text.push_str(s);
            for _ in 0..s.len() {
                b.starts.push(start);
                b.ends.push(end);
            }
        };
        // DEL shows nothing where a word goes on around it (`512-47<DEL>-3306` shows the
        // SSN), unlike the other controls, which part words (`Ansel%00Whitcombe`).
        if c == '\u{7F}' {
            return;
        }
        if c.is_ascii() {
            emit(ascii_form(c), &mut self.out);
            return;
        }
        if is_invisible(c) {
            return;
        }
        // `O’Brien`, `Åsa’s`: a typographic apostrophe reads as the ASCII one, so words
        // are cut and possessives read as they are with `'`.
        if is_apostrophe(c) {
            emit('\'', &mut self.out);
            return;
        }
        if let Some(folded) = fold_letter(c) {
            let at = self.out.text.len();
            for d in folded.chars() {
                emit(d, &mut self.out);
            }
            self.out.accents.push(Accent {
                at,
                len: folded.len(),
                letter: c,
            });
            return;
        }
        if is_combining_mark(c) {
            self.mark_last_letter(c, end);
            return;
        }
        if let Some(d) = circled_digit(c) {
            emit(d, &mut self.out);
            return;
        }
        if ('\u{2800}'..='\u{28FF}').contains(&c) {
            if let Some(d) = self.braille(c) {
                emit(d, &mut self.out);
            }
            return;
        }
        // `˙` decomposes to a space and a dot above; kept, it is a turned `.` to the turned
        // reading that runs after decoding (`&#x2d9;` in upside-down text).
        if c == TURNED_DOT {
            emit(c, &mut self.out);
            return;
        }
        let at = self.out.text.len();
        let mut dropped = false;
        decompose_compatible(c, |d| {
            if is_combining_mark(d) {
                dropped = true;
                return;
            }
            let d = if d.is_whitespace() {
                ' '
            } else if is_dash(d) {
                '-'
            } else if is_slash(d) {
                '/'
            } else if is_dot(d) {
                '.'
            } else {
                d
            };
            emit(if d.is_ascii() { ascii_form(d) } else { d }, &mut self.out);
        });
        let len = self.out.text.len() - at;
        if dropped && len > 0 {
            self.out.accents.push(Accent { at, len, letter: c });
        }
    }

    /// A combining mark written apart from its letter (decomposed text, `A` then U+030A):
    /// the view drops it, remembers the letter it composes with, and maps the letter to the
    /// mark too, so a span ending at the letter covers its accent in the input.
    fn mark_last_letter(&mut self, mark: char, end: usize) {
        let out = &mut self.out;
        let Some(last) = out.text.chars().next_back() else {
            return;
        };
        if !last.is_alphabetic() {
            return;
        }
        let at = out.text.len() - last.len_utf8();
        for e in &mut out.ends[at..] {
            *e = end;
        }
        match out.accents.last_mut() {
            Some(a) if a.at + a.len == out.text.len() => {
                a.letter = compose(a.letter, mark).unwrap_or(UNKNOWN_LETTER);
            }
            _ => out.accents.push(Accent {
                at,
                len: last.len_utf8(),
                letter: compose(last, mark).unwrap_or(UNKNOWN_LETTER),
            }),
        }
    }
}

/// Control characters read as a space (`Ansel%00Whitcombe` is two words).
fn ascii_form(c: char) -> char {
    match c {
        '\n' | '\r' | '\t' => c,
        c if c.is_ascii_control() => ' ',
        c => c,
    }
}

/// Characters with no visible form: zero-width spaces and joiners, soft hyphens, BOMs,
/// bidirectional marks and isolates, variation selectors, tag characters and the rest of
/// Unicode's default-ignorable code points. A reader never sees them, so a name with one
/// inside (`Ja<U+E0061>ne`) is read as the name.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}'
            | '\u{17B5}' | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}' | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}' | '\u{FFA0}' | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}' | '\u{E0000}'..='\u{E0FFF}'
            // C1 controls, private-use characters and the interlinear annotation marks:
            // no glyph in the fonts a reader has, so a value with one inside shows whole.
            | '\u{0080}'..='\u{009F}' | '\u{E000}'..='\u{F8FF}' | '\u{FFF9}'..='\u{FFFB}'
    )
}

/// The right single quotation mark most keyboards and word processors write for an
/// apostrophe, its left twin, and the modifier letter apostrophe.
fn is_apostrophe(c: char) -> bool {
    matches!(c, '\u{2018}' | '\u{2019}' | '\u{02BC}')
}

fn is_dash(c: char) -> bool {
    matches!(
        c,
        '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE58}' | '\u{FE63}' | '\u{FF0D}' | '\u{2043}'
    )
}

/// Slashes that are not `/` but read as one between numbers (`03∕14∕1952`).
fn is_slash(c: char) -> bool {
    matches!(c, '\u{2044}' | '\u{2215}' | '\u{29F8}')
}

/// Dots that are not `.` but read as one between numbers (`555‧0142`, `555·0142`).
fn is_dot(c: char) -> bool {
    matches!(
        c,
        '\u{00B7}' | '\u{2027}' | '\u{2219}' | '\u{22C5}' | '\u{30FB}' | '\u{FF65}'
    )
}

/// The first code point (the zero) of each run of ten decimal digits (Unicode category Nd)
/// that compatibility decomposition leaves as it is: Arabic-Indic, Devanagari, Thai,
/// Myanmar and the rest (Unicode 14; listed by `unicodedata`, whose zero is `digit == 0`).
const DIGIT_ZEROS: [u32; 58] = [
    0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6, 0x0D66,
    0x0DE6, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90,
    0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0,
    0x104A0, 0x10D30, 0x11066, 0x110F0, 0x11136, 0x111D0, 0x112F0, 0x11450, 0x114D0, 0x11650,
    0x116C0, 0x11730, 0x118E0, 0x11950, 0x11C50, 0x11D50, 0x11DA0, 0x16A60, 0x16AC0, 0x16B50,
    0x1E140, 0x1E2F0, 0x1E950,
];

/// The ASCII digit a decimal digit of another script stands for.
fn ascii_digit(c: char) -> Option<char> {
    let cp = c as u32;
    let i = DIGIT_ZEROS.partition_point(|&z| z <= cp).checked_sub(1)?;
    char::from_digit(cp - DIGIT_ZEROS[i], 10)
}

/// The digit a dingbat or double-circled digit shows (`➃`, `❹`, `⓸`, `⓿`): these have no
/// compatibility decomposition, unlike `④`, so the view maps them itself. Their tens
/// (`❿`) are left alone.
fn circled_digit(c: char) -> Option<char> {
    let n = u32::from(c);
    let one_to_nine = |first: u32| (first..first + 9).contains(&n).then(|| n - first + 1);
    let d = match n {
        0x24FF => Some(0),
        _ => one_to_nine(0x2776)
            .or_else(|| one_to_nine(0x2780))
            .or_else(|| one_to_nine(0x278A))
            .or_else(|| one_to_nine(0x24F5)),
    }?;
    char::from_digit(d, 10)
}

fn is_combining_mark(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}' | '\u{20D0}'..='\u{20FF}')
}

/// Latin letters that do not decompose but have a plain reading (`Đorđević` → `Dordevic`).
fn fold_letter(c: char) -> Option<&'static str> {
    Some(match c {
        'Đ' | 'Ð' => "D",
        'đ' | 'ð' => "d",
        'Ł' => "L",
        'ł' => "l",
        'Ø' => "O",
        'ø' => "o",
        'ß' => "ss",
        'Æ' => "AE",
        'æ' => "ae",
        'Œ' => "OE",
        'œ' => "oe",
        'Þ' => "Th",
        'þ' => "th",
        'ı' => "i",
        'Ħ' => "H",
        'ħ' => "h",
        _ => return regional_letter(c),
    })
}

/// The letter a regional indicator symbol stands for (`🇷🇴🇸🇦`, drawn as flags in pairs).
fn regional_letter(c: char) -> Option<&'static str> {
    const LETTERS: [&str; 26] = [
        "A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M", "N", "O", "P", "Q", "R",
        "S", "T", "U", "V", "W", "X", "Y", "Z",
    ];
    let i = (c as u32).checked_sub(0x1F1E6)?;
    LETTERS.get(usize::try_from(i).ok()?).copied()
}

/// One decoding round over `input`.
/// How a decoding round reads a `<`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tags {
    /// As text: the input is no markup.
    Text,
    /// As markup, read as a page shows it ([`read_tag`]).
    Read,
    /// As [`Tags::Read`], but an inline element's tag with attributes and a comment, CDATA
    /// section or instruction with text are read as nothing ([`Canon::joined`]).
    Joined,
}

fn one_round(input: &str, tags: Tags) -> Canon {
    let mut b = Builder::with_capacity(input.len());
    read_into(&mut b, input, 0, tags);
    b.out
}

/// One decoding round over `input`, which starts at input offset `base`, pushed onto `b`.
fn read_into(b: &mut Builder, input: &str, base: usize, tags: Tags) {
    let bytes = input.as_bytes();
    let mut closers = Closers::default();
    let mut i = 0;
    while i < bytes.len() {
        // Most of a note is plain ASCII between the few characters to decode: copied a
        // run at a time, not a character at a time (the same view, byte for byte).
        let run = bytes[i..].iter().take_while(|&&c| is_literal(c)).count();
        if run > 0 {
            b.push_literal(&input[i..i + run], base + i);
            i += run;
            continue;
        }
        let rest = &input[i..];
        if tags != Tags::Text && bytes[i] == b'<' {
            if let Some(len) = read_tag(input, i, base, b, &mut closers, tags) {
                i += len;
                continue;
            }
        }
        if let Some((c, len)) = decode_escape(rest) {
            b.push(c, base + i, base + i + len);
            i += len;
            continue;
        }
        let Some(c) = rest.chars().next() else { break };
        b.push(c, base + i, base + i + c.len_utf8());
        i += c.len_utf8();
    }
}

/// Markup whose text sits between delimiters: a comment, a CDATA section and a processing
/// instruction. What is inside is text a reader of the source sees, so it is read like any
/// text.
const TEXT_BLOCKS: [(&str, &str); 3] = [("<!--", "-->"), ("<![CDATA[", "]]>"), ("<?", "?>")];

/// Where the next closing delimiter of each kind ([`TEXT_BLOCKS`]' closers, then a tag's
/// `>`) lies in the input of one [`read_into`], remembered from the last search: text with
/// many `<` and no `>` (or many `<!--` and no `-->`) is read in linear time, not searched to
/// its end at every opener.
#[derive(Default)]
struct Closers {
    /// Per delimiter: where the last search started, and what it found.
    last: [Option<(usize, Option<usize>)>; TEXT_BLOCKS.len() + 1],
}

impl Closers {
    /// The offset in `input` of the first `needle` at or after `from` (slot `slot`).
    fn next(&mut self, input: &str, slot: usize, needle: &str, from: usize) -> Option<usize> {
        // A search from `searched` that found its first match at `at` (or none) says
        // there is none in `searched..at`, so it answers any later start up to `at`.
        if let Some((searched, at)) = self.last[slot] {
            if searched <= from && at.is_none_or(|a| a >= from) {
                return at;
            }
        }
        let at = input.get(from..)?.find(needle).map(|k| from + k);
        self.last[slot] = Some((from, at));
        at
    }
}

/// A tag at the start of `rest` (at input offset `at`), read as a reader sees it. Its
/// syntax is blanked: to nothing for an inline element without attributes (`Rosa<b>lind`
/// is one word on the page), to a space otherwise. Everything else inside it is read as
/// text: attribute names and values, quoted or not, and the text of a comment, CDATA
/// section, declaration or processing instruction. Forwarding only what was read means
/// no part of a tag is passed on unread; only a namespace URI that the narrative formats
/// declare (`xmlns="http://www.w3.org/1999/xhtml"`) is left unread, so it survives
/// intact. Returns the input length of the tag, or `None` if this `<` starts no tag.
fn read_tag(
    input: &str,
    i: usize,
    base: usize,
    b: &mut Builder,
    closers: &mut Closers,
    tags: Tags,
) -> Option<usize> {
    let rest = &input[i..];
    let at = base + i;
    for (slot, (open, close)) in TEXT_BLOCKS.into_iter().enumerate() {
        if let Some(body) = rest.strip_prefix(open) {
            // Empty, the block is nothing on a page (`MR441<!-- -->0827` reads as one
            // number); with text, its delimiters part that text from the words around it
            // (`ok<!--Rosalind Thackeray-->ok`).
            let len = closers.next(input, slot, close, i + open.len())? - (i + open.len());
            let end = open.len() + len;
            // Commented-out markup is still markup (`<!-- <b>Rosa</b>lind -->`).
            if !body[..len].trim().is_empty() {
                if tags == Tags::Joined {
                    return Some(end + close.len());
                }
                b.note_cut(&rest[end + close.len()..]);
                b.push(' ', at, at + open.len());
                read_into(b, &body[..len], at + open.len(), Tags::Read);
                b.push(' ', at + end, at + end + close.len());
            }
            return Some(end + close.len());
        }
    }
    let close = closers.next(input, TEXT_BLOCKS.len(), ">", i)? - i;
    let tag = &rest[..close];
    if tag.len() < 2
        || !tag[1..]
            .starts_with(|c: char| c.is_ascii_alphabetic() || c == '/' || c == '!' || c == '?')
    {
        return None;
    }
    // `<Torvek> did anyone…`: a chat log's sender in angle brackets is no tag. Only an
    // (X)HTML element, a declaration or a processing instruction is blanked; anything
    // else in brackets is read as the text it is.
    if !is_markup_tag(tag) {
        // An element no list holds (`<x-note>`) is shown inline by a browser, so between
        // two word characters it parts nothing on a page: the joined view reads it so.
        if is_element_shaped(tag) && b.between_words(&rest[close + 1..]) {
            if tags == Tags::Joined {
                return Some(close + 1);
            }
            b.out.cuts_words = true;
        }
        return None;
    }
    let name_end = tag_name_end(tag);
    let inside = &tag[name_end..];
    if inside
        .trim_matches(|c: char| c.is_ascii_whitespace() || c == '/' || c == '?')
        .is_empty()
    {
        if !is_inline_element(&tag[..name_end]) {
            b.push(' ', at, at + close + 1);
        }
        return Some(close + 1);
    }
    if is_inline_element(&tag[..name_end]) {
        if tags == Tags::Joined {
            return Some(close + 1);
        }
        b.note_cut(&rest[close + 1..]);
    }
    b.push(' ', at, at + name_end);
    let unread = without_declared_namespaces(inside);
    read_into(b, &unread, at + name_end, Tags::Text);
    b.push(' ', at + close, at + close + 1);
    Some(close + 1)
}

/// Whether `tag` (from `<` up to its `>`) is shaped like an element's opening or closing
/// tag: a name of letters, digits, `-`, `_`, `.` or `:` starting with a letter, then
/// nothing or attributes after a space (`<x-note>`, `</x-note>`, `<v2 id=1>`).
fn is_element_shaped(tag: &str) -> bool {
    let body = tag[1..].strip_prefix('/').unwrap_or(&tag[1..]);
    let body = body.strip_suffix('/').unwrap_or(body);
    let name_len = body
        .bytes()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.' | b':'))
        .count();
    body.starts_with(|c: char| c.is_ascii_alphabetic())
        && (name_len == body.len() || body.as_bytes()[name_len].is_ascii_whitespace())
}

/// Where a tag's name ends: after `<`, `/`, `!` or `?` and the name (`<xhtml:div`).
fn tag_name_end(tag: &str) -> usize {
    let opener = tag[1..]
        .bytes()
        .take_while(|c| matches!(c, b'/' | b'!' | b'?'))
        .count();
    let name = tag[1 + opener..]
        .bytes()
        .take_while(|c| !c.is_ascii_whitespace() && *c != b'/')
        .count();
    1 + opener + name
}

/// Elements a page shows inside a line of text, with no break before or after.
const INLINE_ELEMENTS: &[&str] = &[
    "a", "abbr", "acronym", "b", "bdi", "bdo", "big", "cite", "code", "data", "del", "dfn", "em",
    "font", "i", "img", "ins", "kbd", "mark", "q", "s", "samp", "small", "span", "strike",
    "strong", "sub", "sup", "time", "tt", "u", "var", "wbr",
];

/// Whether `head` (`<b`, `</span`, `<xhtml:em`) opens or closes an inline element.
fn is_inline_element(head: &str) -> bool {
    let name = head.trim_start_matches(['<', '/']);
    let local = name.rsplit(':').next().unwrap_or(name);
    INLINE_ELEMENTS
        .iter()
        .any(|e| e.eq_ignore_ascii_case(local))
}

/// Namespace URIs of the markup phigate reads (XHTML narratives, CDA, SVG, MathML, XML
/// Schema instances): never PHI, and a document must keep them as written.
const DECLARED_NAMESPACES: &[&str] = &[
    "http://www.w3.org/1999/xhtml",
    "http://www.w3.org/2000/svg",
    "http://www.w3.org/1998/Math/MathML",
    "http://www.w3.org/1999/xlink",
    "http://www.w3.org/2001/XMLSchema-instance",
    "http://www.w3.org/XML/1998/namespace",
    "http://hl7.org/fhir",
    "urn:hl7-org:v3",
    "urn:hl7-org:sdtc",
];

/// `inside` (a tag after its name) with the values of `xmlns` attributes that declare one
/// of the [`DECLARED_NAMESPACES`] blanked to spaces, byte for byte, so that offsets hold.
/// Any other namespace is read like any value: a URI can name a person or a clinic.
fn without_declared_namespaces(inside: &str) -> std::borrow::Cow<'_, str> {
    let mut out: Option<String> = None;
    let mut pos = 0;
    while let Some(q) = inside[pos..].find(['"', '\'']) {
        let q_at = pos + q;
        let quote = inside.as_bytes()[q_at];
        let Some(len) = inside[q_at + 1..].find(char::from(quote)) else {
            break;
        };
        let (vs, ve) = (q_at + 1, q_at + 1 + len);
        // The name lies between the last value and this one: looking no further back keeps a
        // tag of many quoted values linear.
        let name = attribute_name(&inside[pos..q_at]).to_ascii_lowercase();
        let declared = (name == "xmlns" || name.starts_with("xmlns:"))
            && DECLARED_NAMESPACES.contains(&&inside[vs..ve]);
        if declared {
            let o = out.get_or_insert_with(|| inside.to_string());
            o.replace_range(vs..ve, &" ".repeat(ve - vs));
        }
        pos = ve + 1;
    }
    out.map_or(std::borrow::Cow::Borrowed(inside), std::borrow::Cow::Owned)
}

/// (X)HTML element names (HTML 4/5 and the XHTML FHIR narratives use), the ones whose tags
/// are blanked in text that is markup.
const HTML_ELEMENTS: &[&str] = &[
    "a",
    "abbr",
    "acronym",
    "address",
    "area",
    "article",
    "aside",
    "audio",
    "b",
    "base",
    "bdi",
    "bdo",
    "big",
    "blockquote",
    "body",
    "br",
    "button",
    "caption",
    "center",
    "cite",
    "code",
    "col",
    "colgroup",
    "data",
    "dd",
    "del",
    "details",
    "dfn",
    "dialog",
    "div",
    "dl",
    "dt",
    "em",
    "embed",
    "fieldset",
    "figcaption",
    "figure",
    "font",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "header",
    "hr",
    "html",
    "i",
    "iframe",
    "img",
    "input",
    "ins",
    "kbd",
    "label",
    "legend",
    "li",
    "link",
    "main",
    "mark",
    "meta",
    "nav",
    "noscript",
    "object",
    "ol",
    "optgroup",
    "option",
    "p",
    "param",
    "picture",
    "pre",
    "q",
    "s",
    "samp",
    "script",
    "section",
    "select",
    "small",
    "source",
    "span",
    "strike",
    "strong",
    "style",
    "sub",
    "summary",
    "sup",
    "svg",
    "table",
    "tbody",
    "td",
    "template",
    "textarea",
    "tfoot",
    "th",
    "thead",
    "time",
    "title",
    "tr",
    "tt",
    "u",
    "ul",
    "var",
    "video",
    "wbr",
];

/// Whether `tag` (from `<` up to its `>`) is markup: a declaration or processing instruction
/// (`<!DOCTYPE`, `<!--`, `<?xml`) or an (X)HTML element's opening or closing tag, its name
/// read without a namespace prefix (`<xhtml:div>`).
fn is_markup_tag(tag: &str) -> bool {
    let body = &tag[1..];
    if body.starts_with(['!', '?']) {
        return true;
    }
    let body = body.strip_prefix('/').unwrap_or(body);
    let name = body
        .split(|c: char| c.is_whitespace() || c == '/')
        .next()
        .unwrap_or("");
    let local = name.rsplit(':').next().unwrap_or(name);
    HTML_ELEMENTS.iter().any(|e| e.eq_ignore_ascii_case(local))
}

/// The attribute name before `=` at the end of `head` (`<div xmlns=` → `xmlns`).
fn attribute_name(head: &str) -> &str {
    let head = head.trim_end().trim_end_matches('=').trim_end();
    let start = head
        .rfind(|c: char| c.is_whitespace() || c == '<')
        .map(|i| i + 1)
        .unwrap_or(0);
    &head[start..]
}

/// An escape at the start of `s`: a character reference, a run of percent-encoded UTF-8, or
/// a backslash escape. Returns the character and the input bytes it spans.
fn decode_escape(s: &str) -> Option<(char, usize)> {
    match s.as_bytes().first()? {
        b'&' => amp_chain(s).or_else(|| char_reference(s)),
        b'%' => percent_chain(s).or_else(|| percent(s)),
        b'\\' => backslash(s),
        _ => None,
    }
}

/// A percent escape encoded again any number of times (`%2525252552`, `R` escaped once per
/// hop) read in one step as the ASCII character it ends in: the decoding rounds are
/// bounded, and a value escaped more often than that would cross unread.
fn percent_chain(s: &str) -> Option<(char, usize)> {
    let b = s.as_bytes();
    let pairs = b[1..].chunks_exact(2).take_while(|p| *p == b"25").count();
    if pairs == 0 {
        return None;
    }
    let end = 1 + 2 * pairs;
    let hex = std::str::from_utf8(b.get(end..end + 2)?).ok()?;
    let byte = u8::from_str_radix(hex, 16).ok()?;
    byte.is_ascii().then(|| (char::from(byte), end + 2))
}

/// `&amp;` escaped again any number of times before a reference (`&amp;amp;amp;#82;`, a
/// note HTML-escaped once per hop) read in one step, for the reason of [`percent_chain`];
/// a chain before no reference reads `&`.
fn amp_chain(s: &str) -> Option<(char, usize)> {
    let mut end = "&amp;".len();
    if !s.starts_with("&amp;") {
        return None;
    }
    while s[end..].starts_with("amp;") {
        end += "amp;".len();
    }
    let tail: String = std::iter::once('&')
        .chain(s[end..].chars().take(MAX_REFERENCE_LEN))
        .collect();
    match char_reference(&tail) {
        Some((c, len)) => Some((c, end + len - 1)),
        None => Some(('&', end)),
    }
}

/// `&#64;`, `&#x40;`, `&commat;`: numeric references and the named ones used in practice.
fn char_reference(s: &str) -> Option<(char, usize)> {
    if s.starts_with("&#") {
        return numeric_reference(s);
    }
    // Bytes, not `str`: the last byte looked at may fall inside a character (found by
    // fuzzing). The longest name read is 22 bytes (`&NegativeVeryThinSpace;`).
    let semi = s.bytes().take(MAX_REFERENCE_LEN).position(|b| b == b';')?;
    let body = &s[1..semi];
    let c = if let Some(num) = body.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        char::from_u32(code)?
    } else {
        named_reference(body)?
    };
    Some((c, semi + 1))
}

/// A numeric character reference at the start of `s` (`&#82;`, `&#x52;`), its `;` optional
/// as every browser reads it (`&#82&#111` shows `Ro`).
fn numeric_reference(s: &str) -> Option<(char, usize)> {
    let b = s.as_bytes();
    let hex = matches!(b.get(2), Some(b'x' | b'X'));
    let from = if hex { 3 } else { 2 };
    let digits = b[from..]
        .iter()
        .take(8)
        .take_while(|c| {
            if hex {
                c.is_ascii_hexdigit()
            } else {
                c.is_ascii_digit()
            }
        })
        .count();
    if digits == 0 || b.get(from + digits).is_some_and(u8::is_ascii_alphanumeric) {
        return None;
    }
    let body = &s[from..from + digits];
    let code = u32::from_str_radix(body, if hex { 16 } else { 10 }).ok()?;
    let c = char::from_u32(code)?;
    let semi = usize::from(b.get(from + digits) == Some(&b';'));
    Some((c, from + digits + semi))
}

/// The most bytes a named reference read here takes, `&` and `;` included.
const MAX_REFERENCE_LEN: usize = 24;

/// The character a named reference stands for, for the names that write punctuation,
/// spaces, and every HTML name of a character that shows nothing (read as a zero-width
/// space: `MR441&ZeroWidthSpace;0827` shows `MR4410827` on a page).
fn named_reference(name: &str) -> Option<char> {
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" | "NonBreakingSpace" | "ensp" | "emsp" | "emsp13" | "emsp14" | "thinsp"
        | "ThinSpace" | "numsp" | "puncsp" | "hairsp" | "VeryThinSpace" | "MediumSpace"
        | "ThickSpace" => ' ',
        "lowbar" | "UnderBar" => '_',
        "bsol" => '\\',
        "verbar" | "vert" | "VerticalLine" => '|',
        "excl" => '!',
        "quest" => '?',
        "ast" | "midast" => '*',
        "dollar" => '$',
        "percnt" => '%',
        "equals" => '=',
        "semi" => ';',
        "lsqb" | "lbrack" => '[',
        "rsqb" | "rbrack" => ']',
        "lcub" | "lbrace" => '{',
        "rcub" | "rbrace" => '}',
        "grave" | "DiacriticalGrave" => '`',
        "ndash" | "mdash" | "hyphen" | "dash" | "minus" => '-',
        "commat" => '@',
        "period" => '.',
        "comma" => ',',
        "colon" => ':',
        "num" => '#',
        "lpar" => '(',
        "rpar" => ')',
        "plus" => '+',
        "sol" => '/',
        "shy"
        | "zwsp"
        | "ZeroWidthSpace"
        | "NegativeVeryThinSpace"
        | "NegativeThinSpace"
        | "NegativeMediumSpace"
        | "NegativeThickSpace"
        | "zwj"
        | "zwnj"
        | "lrm"
        | "rlm"
        | "NoBreak"
        | "af"
        | "ApplyFunction"
        | "it"
        | "InvisibleTimes"
        | "ic"
        | "InvisibleComma" => '\u{200B}',
        "NewLine" => '\n',
        "Tab" => '\t',
        _ => return None,
    })
}

/// `%40`, or a run like `%C3%A9` that is one UTF-8 character, or `%u0052` (the escape
/// of JavaScript's `escape()`, which IIS and many servers read).
fn percent(s: &str) -> Option<(char, usize)> {
    if let Some(hex) = s
        .strip_prefix("%u")
        .or_else(|| s.strip_prefix("%U"))
        .and_then(|r| r.get(..4))
    {
        let code = u32::from_str_radix(hex, 16).ok()?;
        return Some((char::from_u32(code)?, 6));
    }
    let first = hex_byte(s)?;
    let len = match first {
        0x00..=0x7f => 1,
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf7 => 4,
        _ => return None,
    };
    let mut buf = [0u8; 4];
    buf[0] = first;
    for (k, slot) in buf.iter_mut().enumerate().take(len).skip(1) {
        *slot = hex_byte(s.get(k * 3..)?)?;
    }
    let c = std::str::from_utf8(&buf[..len]).ok()?.chars().next()?;
    Some((c, len * 3))
}

fn hex_byte(s: &str) -> Option<u8> {
    let b = s.as_bytes();
    if b.len() < 3 || b[0] != b'%' {
        return None;
    }
    let hex = std::str::from_utf8(&b[1..3]).ok()?;
    u8::from_str_radix(hex, 16).ok()
}

/// `\u0040`, `\x40`, and `\n`, `\r`, `\t` written out (read as a line break or a space).
fn backslash(s: &str) -> Option<(char, usize)> {
    let b = s.as_bytes();
    match b.get(1)? {
        b'u' => {
            let code = u32::from_str_radix(s.get(2..6)?, 16).ok()?;
            Some((char::from_u32(code)?, 6))
        }
        b'x' => {
            let code = u32::from_str_radix(s.get(2..4)?, 16).ok()?;
            Some((char::from_u32(code)?, 4))
        }
        // `\122\157`: a printable ASCII character written as three octal digits.
        b'0'..=b'1' => octal(s).or_else(|| css_escape(s)),
        c if c.is_ascii_hexdigit() => css_escape(s),
        b'n' | b'r' => Some(('\n', 2)),
        b't' => Some((' ', 2)),
        // An escaped backslash (`\\157`, text escaped twice): one backslash, which the
        // next round reads with what follows it.
        b'\\' => Some(('\\', 2)),
        _ => None,
    }
}

/// `\122`: a printable ASCII character as three octal digits.
fn octal(s: &str) -> Option<(char, usize)> {
    let digits = s.get(1..4)?;
    if !digits.bytes().all(|c| (b'0'..=b'7').contains(&c)) {
        return None;
    }
    let code = u32::from_str_radix(digits, 8).ok()?;
    if !(0x20..0x7f).contains(&code) {
        return None;
    }
    Some((char::from_u32(code)?, 4))
}

/// A CSS escape (`\52 `, `\6f`): one to six hex digits and the one blank that may end
/// them, read only when it codes a printable ASCII character and the digits end at a blank,
/// another backslash or the end (`C:\data\2024` and `\d{3}` are no escapes). Decimal digits
/// ending at a backslash that starts no escape are a number grouped by backslashes
/// (`512\47\3306`, an SSN), not an escape: a CSS-escaped word is escapes all the way.
fn css_escape(s: &str) -> Option<(char, usize)> {
    let (code, digits, len) = css_code(s)?;
    let grouped_number = s.as_bytes()[1..1 + digits].iter().all(u8::is_ascii_digit)
        && s.as_bytes().get(1 + digits) == Some(&b'\\')
        && css_code(&s[1 + digits..]).is_none();
    if grouped_number {
        return None;
    }
    Some((code, len))
}

/// The character a CSS escape at the start of `s` codes, its digit count and its length.
fn css_code(s: &str) -> Option<(char, usize, usize)> {
    let b = s.as_bytes();
    let digits = b[1..]
        .iter()
        .take(6)
        .take_while(|c| c.is_ascii_hexdigit())
        .count();
    let after = b.get(1 + digits).copied();
    if digits == 0 || !matches!(after, None | Some(b' ' | b'\\' | b'\t' | b'\n')) {
        return None;
    }
    let code = u32::from_str_radix(s.get(1..1 + digits)?, 16).ok()?;
    if !(0x20..0x7f).contains(&code) {
        return None;
    }
    let blank = usize::from(matches!(after, Some(b' ' | b'\t' | b'\n')));
    Some((char::from_u32(code)?, digits, 1 + digits + blank))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_literal_table_answers_as_its_rule() {
        for b in 0..=255u8 {
            assert_eq!(is_literal(b), is_literal_byte(b), "byte {b}");
        }
        assert!(is_literal(b'a') && is_literal(b'\n') && is_literal(b' '));
        assert!(!is_literal(b'&') && !is_literal(0x7f) && !is_literal(0xc3) && !is_literal(0));
    }

    fn view(s: &str) -> String {
        Canon::of(s)
            .map(|c| c.text().to_string())
            .unwrap_or_else(|| s.to_string())
    }

    /// The input bytes behind the view's occurrence of `needle`.
    fn source_of<'a>(s: &'a str, needle: &str) -> &'a str {
        let c = Canon::of(s).expect("a view");
        let at = c.text().find(needle).expect("needle in view");
        let (a, b) = c.source_range(at, at + needle.len());
        &s[a..b]
    }

    #[test]
    fn folded_content_lines_of_a_calendar_are_unfolded() {
        let ics = "BEGIN:VEVENT\r\nSUMMARY:OT eval for Orsolya Bran\r\n kovic\r\nEND:VEVENT";
        assert!(
            view(ics).contains("Orsolya Brankovic\r\nEND"),
            "{}",
            view(ics)
        );
        assert_eq!(source_of(ics, "Brankovic"), "Bran\r\n kovic");
        // Property names are case-insensitive: `Begin:vCard` opens a card as well.
        let card = "Begin:vCard\nFN:Orsolya Bran\n\tkovic\nEnd:vCard";
        assert!(
            view(card).contains("Orsolya Brankovic\nEnd"),
            "{}",
            view(card)
        );
        // An indented line of any other text is a line of its own.
        let note = "Plan:\n continue 2x/wk";
        assert_eq!(view(note), note);
    }

    #[test]
    fn quoted_printable_is_decoded_where_the_text_shows_it() {
        assert_eq!(view("Rosalind=20Thackeray"), "Rosalind Thackeray");
        assert_eq!(source_of("Rosalind=20Thackeray", "d T"), "d=20T");
        assert_eq!(view("SSN 512=2D47=2D3306"), "SSN 512-47-3306");
        assert_eq!(
            view("otter=2Elake=2E74=40inbox=2Eexample"),
            "otter.lake.74@inbox.example"
        );
        assert_eq!(view("=52=6F=73=61 seen"), "Rosa seen");
        assert_eq!(view("Ib=C3=A1=C3=B1ez"), "Ibanez");
        assert_eq!(view("Thack=\neray, dob=2025"), "Thackeray, dob 25");
        // `=` in plain text: a number after it stays a number, a control is never read.
        for plain in [
            "BP=120/80 HR=72",
            "dob=20250314",
            "grade=4A",
            "MRN=4012345",
            "x=00y",
        ] {
            assert_eq!(view(plain), plain, "{plain}");
        }
        assert!(!is_quoted_printable("a=1&b=2D"));
        // A digit escaped inside a record number; not a number after a key.
        assert!(is_quoted_printable("Chart MR44=310827 reviewed"));
        assert!(!is_quoted_printable("x=3141 and dob=20250314, MR44=31"));
        assert!(is_quoted_printable("a=2Db"));
    }

    #[test]
    fn quoted_printable_under_another_escape_is_decoded_too() {
        // Every byte of `Rosa seen` in quoted-printable, then that escaped again.
        let qp: String = "Rosa seen".bytes().map(|b| format!("={b:02X}")).collect();
        let pct: String = qp.bytes().map(|b| format!("%{b:02X}")).collect();
        let amp: String = qp.bytes().map(|b| format!("&#{b};")).collect();
        let qp2: String = qp.bytes().map(|b| format!("={b:02X}")).collect();
        for twice in [&pct, &amp, &qp2] {
            assert_eq!(view(twice), "Rosa seen", "{twice}");
        }
        assert_eq!(source_of(&pct, "R"), &pct[..9]);
        // A URL's escaped `=` before a number is no quoted-printable.
        assert_eq!(view("q=a%3D1&b=2"), "q=a=1&b=2");
    }

    #[test]
    fn spelled_out_runs_read_as_words_and_map_back_whole() {
        let s = "Patient R o s a l i n d   T h a c k e r a y, SSN 5 1 2 - 4 7 - 3 3 0 6.";
        assert_eq!(view(s), "Patient Rosalind Thackeray, SSN 512-47-3306.");
        assert_eq!(
            source_of(s, "Rosalind Thackeray"),
            "R o s a l i n d   T h a c k e r a y"
        );
        assert_eq!(source_of(s, "512-47-3306"), "5 1 2 - 4 7 - 3 3 0 6");
        assert_eq!(view("ph 4 1 3 5 5 5 0 1 7 2 today"), "ph 4135550172 today");
        assert_eq!(view("M R 4 4 1 0 8 2 7"), "MR4410827");
        assert_eq!(view("Pt J.o.h.n S-m-i-t-h seen"), "Pt John Smith seen");
        assert_eq!(view("SSN 5_1_2_4_7_3_3_0_6."), "SSN 512473306.");
        assert_eq!(
            view("visit at 4 4 7 1   Q u a r r y   H o l l o w   R d, Springfield"),
            "visit at 4471 Quarry Hollow Rd, Springfield"
        );
        // After decoding: entities first, then the spaces.
        assert_eq!(view("J&#32;o h n a"), "Johna");
    }

    #[test]
    fn short_runs_scores_and_rules_stay_as_written() {
        for s in [
            "MMT 5 4 4 5 3 4 5 throughout",
            "Grip R 4 L 5 today",
            "Levels C 5 - 6 fused",
            "Options a b c listed",
            "-- - - - - --",
            "I am a good fit",
            "Takes 1 tab p.r.n. and b.i.d., D.O.B. on file, a.m. and p.m.",
            "Version 1.2.3.4 of the form",
        ] {
            assert!(Canon::of(s).is_none(), "{s}");
        }
    }

    #[test]
    fn letters_written_for_digits_in_numbers_read_as_digits() {
        assert_eq!(view("call 555-O142 today"), "call 555-0142 today");
        assert_eq!(view("ph 4l3-555-0l72."), "ph 413-555-0172.");
        assert_eq!(view("(4l3) 555-O172"), "(413) 555-0172");
        assert_eq!(view("SSN 5l2-47-33O6"), "SSN 512-47-3306");
        assert_eq!(view("DOB l2/O3/2O19"), "DOB 12/03/2019");
        assert_eq!(view("MRN 44l O8S7"), "MRN 441 0857");
        assert_eq!(source_of("call 555-O142 today", "555-0142"), "555-O142");
        for s in [
            "O2 sat 94 on 2L",
            "O2 92 94 96",
            "Dx I10, O09.90 and I11.9",
            "Oil 100 200 300 400",
            "I 555 1234 said",
            "lol 1000",
            "Seen 3 x 10 reps, l and O",
            "S1 S2 RRR, L5-S1 disc, S3 2 3 4 5",
            "SS 12 34 56 78",
        ] {
            assert!(Canon::of(s).is_none(), "{s}");
        }
    }

    #[test]
    fn digits_of_every_script_and_separator_variants_read_as_ascii() {
        assert_eq!(view("call ٥٥٥-٠١٤٢ today"), "call 555-0142 today");
        assert_eq!(view("SSN ۵۱۲-۴۷-۳۳۰۶"), "SSN 512-47-3306");
        assert_eq!(view("(४१३) ५५५-०१७२"), "(413) 555-0172");
        assert_eq!(
            view("DOB 03∕14∕1952 and 03⁄14⁄1952"),
            "DOB 03/14/1952 and 03/14/1952"
        );
        assert_eq!(view("ph 555‧0142 or 555·0142"), "ph 555.0142 or 555.0142");
        assert_eq!(source_of("call ٥٥٥-٠١٤٢ today", "555-0142"), "٥٥٥-٠١٤٢");
        // In another script's text a short number stays part of it; a long one is read.
        assert_eq!(view("বাসা নং ৮৬, পশ্চিম"), "বাসা নং ৮৬, পশ্চিম");
        assert_eq!(view("চাঁদপুর ৬৫৭৭"), "চাঁদপুর ৬৫৭৭");
        assert_eq!(view("হক +৮৮০ ১০৭৯ ১০০৫০৩"), "হক +880 1079 100503");
        assert_eq!(view("Room ৮৬ today"), "Room 86 today");
        // A letter further away than the window says nothing: the run is read.
        let far = format!("বাসা{} ৮৬", " ".repeat(LETTER_WINDOW));
        assert!(view(&far).ends_with(" 86"));
    }

    #[test]
    fn dingbat_and_double_circled_digits_read_as_digits() {
        assert_eq!(view("ph ➃➀➂-❺❺❺-⓿❶❼❷"), "ph 413-555-0172");
        assert_eq!(view("ph ⓸⓵⓷"), "ph 413");
    }

    #[test]
    fn latin_words_written_with_cyrillic_or_greek_letters_read_as_latin() {
        assert_eq!(view("Pt Jоhn Ѕmith seen"), "Pt John Smith seen");
        assert_eq!(view("jоhn.smith@gmаil.com"), "john.smith@gmail.com");
        assert_eq!(view("Mr ΚΑΤe"), "Mr KATe");
        assert_eq!(source_of("Pt Jоhn Ѕmith seen", "John Smith"), "Jоhn Ѕmith");
        // A Cyrillic or Greek word stays as written, even one made only of look-alikes.
        assert_eq!(view("Иван Петров"), "Иван Петров");
        assert_eq!(view("to κατα rn"), "to κατα rn");
        assert_eq!(view("Pt Јое seen"), "Pt Јое seen");
        // Letters drawn as small capitals are no look-alikes: a mixed word stays mixed.
        assert_eq!(view("North Стаматкаstad"), "North Стаматкаstad");
        // The folded letters are remembered, so the word is not its Latin spelling.
        let c = Canon::of("Pаtient").expect("a view");
        assert_eq!(c.text(), "Patient");
        assert_eq!(c.accents().len(), 1);
        assert_eq!(c.accents()[0].letter, 'а');
        // After an earlier round's accent, positions still line up.
        assert_eq!(view("José Jоnes"), "Jose Jones");
        assert_eq!(source_of("José Jоnes", "Jones"), "Jоnes");
    }

    #[test]
    fn plain_ascii_takes_the_fast_path() {
        assert!(Canon::of("Seen for fine-motor training, 3 x 10 reps.").is_none());
    }

    #[test]
    fn character_references_and_unicode_forms_are_undone() {
        assert_eq!(view("Ansel&#160;Whitcombe"), "Ansel Whitcombe");
        assert_eq!(view("512&#45;47&#x2D;3306"), "512-47-3306");
        assert_eq!(view("jo&#64;mail.example"), "jo@mail.example");
        assert_eq!(view("jo&commat;mail.example"), "jo@mail.example");
        // Escapes escaped again, past the decoding rounds' bound.
        assert_eq!(view("MR%2525252525252534410827"), "MR4410827");
        assert_eq!(view("&amp;amp;amp;amp;amp;#82;osa"), "Rosa");
        assert_eq!(view("AT&amp;amp;T and 100%25 done"), "AT&T and 100% done");
        // Names of characters that show nothing, the longest among them too.
        assert_eq!(
            view("SSN 512&lrm;-47-3306 MR441&ZeroWidthSpace;0827"),
            "SSN 512-47-3306 MR4410827"
        );
        assert_eq!(view("Thack&NegativeVeryThinSpace;eray"), "Thackeray");
        assert_eq!(view("R&D dept; next"), "R&D dept; next");
        assert_eq!(view("５１２－４７－３３０６"), "512-47-3306");
        assert_eq!(view("Ansel\u{a0}Whitcombe"), "Ansel Whitcombe");
        assert_eq!(view("413\u{2013}555\u{2011}0172"), "413-555-0172");
        assert_eq!(view("MR44\u{200b}10827"), "MR4410827");
        // DEL, C1 controls, private-use and annotation characters show nothing either.
        assert_eq!(view("512-47\u{7f}-3306"), "512-47-3306");
        assert_eq!(
            view("MR441\u{85}0827 413-555\u{9b}-0172"),
            "MR4410827 413-555-0172"
        );
        assert_eq!(
            view("MR441\u{e000}0827 MR441\u{fff9}0827"),
            "MR4410827 MR4410827"
        );
        // Tag characters, variation selectors, bidi isolates and the grapheme joiner are
        // as invisible as a zero-width space.
        assert_eq!(
            view("Ja\u{E0061}ne Wh\u{FE0F}it\u{2066}lo\u{034F}ck"),
            "Jane Whitlock"
        );
        assert_eq!(view("Ibáñez Đorđević Chloë"), "Ibanez Dordevic Chloe");
        assert_eq!(
            view("O\u{2019}Brien\u{2019}s \u{2018}x\u{2019}"),
            "O'Brien's 'x'"
        );
    }

    #[test]
    fn percent_and_backslash_escapes_are_undone_repeatedly() {
        assert_eq!(view("jo%2540mail.example"), "jo@mail.example");
        assert_eq!(view("Ansel%00Whitcombe"), "Ansel Whitcombe");
        assert_eq!(view("Jos%C3%A9"), "Jose");
        assert_eq!(view(r"jo\u0040mail.example"), "jo@mail.example");
        assert_eq!(view(r"note:\nMaria"), "note:\nMaria");
        assert_eq!(view("50% better"), "50% better");
    }

    #[test]
    fn spans_map_back_to_everything_that_was_written() {
        let s = "call 512&#45;47&#45;3306 today";
        assert_eq!(source_of(s, "512-47-3306"), "512&#45;47&#45;3306");
        let z = "MRN MR44\u{200b}10827.";
        assert_eq!(source_of(z, "MR4410827"), "MR44\u{200b}10827");
        let d = "mail jo%2540mail.example now";
        assert_eq!(source_of(d, "jo@mail.example"), "jo%2540mail.example");
    }

    /// Plain runs are copied whole: every view byte of a run maps to exactly the input
    /// byte it is, before, between and after characters that were decoded.
    #[test]
    fn plain_runs_map_one_for_one_between_decoded_characters() {
        let s = "Dr Ib\u{e1}\u{f1}ez &amp; Jo%20Lee\ton 3/4\u{7f}end";
        let c = Canon::of(s).expect("a view");
        // DEL shows nothing: the words around it read joined.
        assert_eq!(c.text(), "Dr Ibanez & Jo Lee\ton 3/4end");
        for word in ["Dr Ib", "ez ", " Jo", "Lee\ton 3/4", "end"] {
            assert_eq!(source_of(s, word), word);
            let at = c.text().find(word).expect("word in view");
            for k in at..at + word.len() {
                let (a, b) = c.source_range(k, k + 1);
                assert_eq!((b - a, &s[a..b]), (1, &c.text()[k..=k]), "{word}");
            }
        }
    }

    /// Each letter whose accent the view drops is remembered with where the view wrote it:
    /// precomposed, folded without a decomposition, decomposed (the mark written apart,
    /// several marks on one letter) and percent-encoded over two rounds.
    #[test]
    fn dropped_accents_are_remembered_where_the_view_wrote_them() {
        let accents = |s: &str| {
            let c = Canon::of(s).expect("a view");
            let a: Vec<(usize, usize, char)> = c
                .accents()
                .iter()
                .map(|a| (a.at, a.len, a.letter))
                .collect();
            (c.text().to_string(), a)
        };
        assert_eq!(
            accents("Åsa Đorđević"),
            (
                "Asa Dordevic".into(),
                vec![(0, 1, 'Å'), (4, 1, 'Đ'), (7, 1, 'đ'), (11, 1, 'ć')]
            )
        );
        assert_eq!(accents("Straße"), ("Strasse".into(), vec![(4, 2, 'ß')]));
        assert_eq!(accents("A\u{30a}sa"), ("Asa".into(), vec![(0, 1, 'Å')]));
        // `ệ` written as `e`, a dot below and a circumflex: one letter, composed.
        assert_eq!(
            accents("Nguye\u{323}\u{302}n"),
            ("Nguyen".into(), vec![(4, 1, 'ệ')])
        );
        assert_eq!(
            accents("Jos%25C3%25A9 x"),
            ("Jose x".into(), vec![(3, 1, 'é')])
        );
        // An accent of the first round moves with the text a second round shortens.
        assert_eq!(accents("%2540 Åsa"), ("@ Asa".into(), vec![(2, 1, 'Å')]));
        // A mark with no letter before it is dropped and remembered for nothing.
        assert_eq!(accents("a \u{301}b").1, vec![]);
        // Letters that only change form (full-width, ligatures) are no accents.
        assert_eq!(accents("ﬁle Ｊｏ").1, vec![]);
    }

    #[test]
    fn a_decomposed_accent_is_part_of_the_letter_it_follows() {
        let s = "Per Chloe\u{308}, fine.";
        assert_eq!(view(s), "Per Chloe, fine.");
        assert_eq!(source_of(s, "Chloe"), "Chloe\u{308}");
    }

    #[test]
    fn a_bracketed_name_is_no_tag() {
        assert_eq!(
            view("<Torvek> did anyone call <b>Jane</b>?"),
            "<Torvek> did anyone call Jane?"
        );
    }

    #[test]
    fn inline_tags_join_what_a_page_shows_joined() {
        assert_eq!(
            view("pt Rosa<b></b>lind Thack<!-- -->eray"),
            "pt Rosalind Thackeray"
        );
        assert_eq!(view("<p>MR441<!---->0827</p>"), " MR4410827 ");
        assert_eq!(
            view("pt <span>Rosa</span><span>lind</span><br/>seen"),
            "pt Rosalind seen"
        );
        assert_eq!(
            source_of("<p><b>Rosa</b>lind</p>", "Rosalind"),
            "Rosa</b>lind"
        );
        // Text with no tag of (X)HTML in it is read as written.
        assert_eq!(view("BP <140/90> ok"), "BP <140/90> ok");
    }

    #[test]
    fn markup_with_text_that_cuts_a_word_is_read_both_ways() {
        for (markup, joined, inside) in [
            (
                "<p>pt Rosa<span class=\"x\">lind</span> seen</p>",
                "Rosalind",
                "x",
            ),
            ("<p>MR441<!--note-->0827</p>", "MR4410827", "note"),
            ("pt Rosa<b style=\"c\"></b>lind", "Rosalind", "c"),
        ] {
            let of = Canon::of(markup).expect("a view");
            assert!(of.cuts_words(), "{markup}");
            assert!(of.text().contains(inside), "{markup}: {}", of.text());
            let j = Canon::joined(markup).expect("a joined view");
            assert!(j.text().contains(joined), "{markup}: {}", j.text());
            // A span of the joined view lands in the first view over what it covers.
            let at = j.text().find(joined).expect("found");
            let (s, e) = j.source_range(at, at + joined.len());
            let (vs, ve) = of.view_range(s, e).expect("a view range");
            assert!(of.text()[vs..ve].contains(inside), "{}", &of.text()[vs..ve]);
        }
        // Between words, or with nothing in it, markup cuts no word.
        for plain in [
            "<p>pt <span class=\"x\">Rosalind</span> seen</p>",
            "<p>ok <!--note--> ok</p>",
            "pt Rosa<b></b>lind",
        ] {
            assert!(!Canon::of(plain).expect("a view").cuts_words(), "{plain}");
        }
    }

    #[test]
    fn nothing_inside_a_tag_goes_unread() {
        for (markup, inside) in [
            (
                "<p>x <!-- Rosalind Thackeray --> y</p>",
                "Rosalind Thackeray",
            ),
            (
                "<p>ok<!--Rosalind Thackeray-->ok</p>",
                " Rosalind Thackeray ",
            ),
            (
                "<p>x <![CDATA[Rosalind Thackeray]]> y</p>",
                "Rosalind Thackeray",
            ),
            (
                "<p>x <?note Rosalind Thackeray?> y</p>",
                "Rosalind Thackeray",
            ),
            ("<p>x <span Rosalind Thackeray> y</p>", "Rosalind Thackeray"),
            (
                "<p>x <span data-n=Rosalind_Thackeray> y</p>",
                "Rosalind_Thackeray",
            ),
            (
                "<p>x <span class=\"Rosalind Thackeray\"> y</p>",
                "Rosalind Thackeray",
            ),
            (
                "<div xmlns=\"http://rosalind-thackeray.example\">y</div>",
                "rosalind-thackeray",
            ),
        ] {
            assert!(view(markup).contains(inside), "{markup}: {}", view(markup));
        }
    }

    #[test]
    fn turned_letters_written_as_references_are_read_upright() {
        let v = view("pu&#x1d09;l&#x250;so&#x1d1a; seen");
        assert!(v.contains("Rosalind") || v.contains("dnilasoR"), "{v}");
    }

    #[test]
    fn octal_escapes_of_printable_characters_are_read() {
        assert_eq!(view("\\122\\157\\163\\141"), "Rosa");
        assert_eq!(view("C:\\data\\009"), "C:\\data\\009");
        assert_eq!(view("\\\\122\\\\157\\\\163\\\\141"), "Rosa");
    }

    #[test]
    fn a_number_grouped_by_backslashes_is_no_css_escape() {
        // `\47` alone would be a CSS escape of `G`; before a backslash that starts no
        // escape it is a group of an SSN and must stay digits for the SSN rule.
        assert_eq!(view("SSN 512\\47\\3306 ok"), "SSN 512\\47\\3306 ok");
        assert_eq!(view("\\52\\6f\\73\\61"), "Rosa");
        assert_eq!(view("\\52 \\6f\\73\\61 "), "Rosa");
    }

    #[test]
    fn markup_is_blanked_but_text_and_values_are_read() {
        let div = r#"<div xmlns="http://www.w3.org/1999/xhtml"><td>Whitcombe</td><a title="Ansel">x</a></div>"#;
        let v = view(div);
        assert!(!v.contains("w3.org"), "{v}");
        assert!(v.contains("Whitcombe") && v.contains("Ansel"), "{v}");
        assert_eq!(source_of(div, "Ansel"), "Ansel");
    }
}
