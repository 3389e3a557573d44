//! Characters kept as written but dressed up: symbols written for the letters they look like
//! (`R0$@l1nd`), each character of a word in brackets (`[R][o][s][a]`), every character
//! written twice (`RRoossaa`), text turned upside down (`puᴉlɐsoᴚ`), a word hyphenated
//! across a line break (`Thack-⏎eray`), and a number written as a hexadecimal literal
//! (`0xf67f7cdc` is 4135550172).
//!
//! Each is a way of writing a value past a detector, as leetspeak with digits or
//! letter-spacing are, so the view reads it back before detection. Every reading is cheap to
//! refuse: a text without the symbols, closing brackets or `0x` it needs costs one `memchr`,
//! one without doubled words or turned letters one pass over its bytes.

use memchr::{memchr2_iter, memchr3, memchr3_iter, memchr_iter};

use super::{Builder, Canon, MAX_WORD_GAP};

/// The letter a symbol is written for inside a word: `$` for `s`, `@` for `a`, `!` for `i`.
/// (`|` for `l` is left out: it separates fields in too many formats.)
fn letter_for_symbol(c: u8) -> Option<u8> {
    match c {
        b'$' => Some(b's'),
        b'@' => Some(b'a'),
        b'!' => Some(b'i'),
        _ => None,
    }
}

/// Fewest letters a word must hold for its symbols to be read as letters: `US$5` and `a@b`
/// stay.
const MIN_SYMBOL_WORD_LETTERS: usize = 3;

impl Canon {
    /// The view of `text` with the symbols inside its words read as the letters they look
    /// like (`R0$@l1nd` reads `R0sal1nd`, whose digits the lexicon reads in turn), or `None`
    /// when no word has one. Byte for byte, so spans map back as written. An `@` between an
    /// e-mail address's parts stays (`otter.lake@inbox.example`), and so do symbols at a
    /// word's end (`Thanks!`) or opening it (`@mention`), but for `$` before a letter
    /// (`$mith`).
    pub(super) fn letters_for_symbols(text: &str) -> Option<Canon> {
        let b = text.as_bytes();
        memchr3(b'$', b'@', b'!', b)?;
        let mut out: Option<Vec<u8>> = None;
        let mut done = 0;
        for p in memchr3_iter(b'$', b'@', b'!', b) {
            if p < done {
                continue;
            }
            let (start, end) = symbol_word(b, p);
            done = end;
            if !reads_symbols_as_letters(b, start, end) {
                continue;
            }
            let upper = b[start..end]
                .iter()
                .filter(|c| c.is_ascii_alphabetic())
                .all(u8::is_ascii_uppercase);
            // Inside the word: letters or digits on both sides, not trailing marks (`Dec!!`).
            let word = &b[start..end];
            let first = start + word.iter().position(u8::is_ascii_alphanumeric).unwrap_or(0);
            let last = start
                + word
                    .iter()
                    .rposition(u8::is_ascii_alphanumeric)
                    .unwrap_or(0);
            for k in start..end {
                let inner = k > first && k < last;
                let opens = k == start && b[k] == b'$' && b[k + 1].is_ascii_alphabetic();
                if let Some(l) = letter_for_symbol(b[k]).filter(|_| inner || opens) {
                    let o = out.get_or_insert_with(|| b.to_vec());
                    // A `$` opening a word is its capital (`$m!th` is `Smith`), as a name
                    // is written.
                    o[k] = if upper || opens {
                        l.to_ascii_uppercase()
                    } else {
                        l
                    };
                }
            }
        }
        let out = out?;
        let mut view = Builder::with_capacity(text.len());
        // Only ASCII symbols became ASCII letters: still UTF-8, and one byte for one.
        view.push_literal(&String::from_utf8_lossy(&out), 0);
        Some(view.out)
    }
}

/// The word around the symbol at `p`: letters, digits and symbols on both sides.
fn symbol_word(b: &[u8], p: usize) -> (usize, usize) {
    let part = |c: &u8| c.is_ascii_alphanumeric() || letter_for_symbol(*c).is_some();
    let start = p - b[..p].iter().rev().take_while(|c| part(c)).count();
    let end = p + b[p..].iter().take_while(|c| part(c)).count();
    (start, end)
}

/// Whether the word `start..end` is one whose symbols stand for letters: it holds letters
/// enough, and when it holds an `@`, nothing around it makes it part of an e-mail address
/// (a dot and more after it, or a dot, `_`, `-` or `+` before it).
fn reads_symbols_as_letters(b: &[u8], start: usize, end: usize) -> bool {
    let letters = b[start..end]
        .iter()
        .filter(|c| c.is_ascii_alphabetic())
        .count();
    if letters < MIN_SYMBOL_WORD_LETTERS || end - start < 4 {
        return false;
    }
    if !b[start..end].contains(&b'@') {
        return true;
    }
    // A host name goes on past the word: `acme-corp.example`, `xn--thckeray-s2a.example`.
    let host_end = end
        + b[end..]
            .iter()
            .take_while(|&&c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_'))
            .count();
    let dotted_after = b.get(host_end) == Some(&b'.')
        && b.get(host_end + 1).is_some_and(u8::is_ascii_alphanumeric);
    let joined_before = start > 0 && matches!(b[start - 1], b'.' | b'_' | b'-' | b'+' | b'%');
    !dotted_after && !joined_before && !at_mail_host(&b[start..host_end])
}

/// Mail hosts an address names with its top-level domain left off or mangled
/// (`zvuk61@yahoo`, `rozzie61@gmail,com`) or none to have (`jane@localhost`): the `@` before
/// one is an address's, not a letter (red team 55, J-aa). No name is written `…@gmail`.
const MAIL_HOSTS: [&[u8]; 20] = [
    b"gmail",
    b"googlemail",
    b"yahoo",
    b"ymail",
    b"hotmail",
    b"outlook",
    b"msn",
    b"aol",
    b"icloud",
    b"protonmail",
    b"proton",
    b"gmx",
    b"yandex",
    b"zoho",
    b"comcast",
    b"verizon",
    b"localhost",
    b"localdomain",
    b"intranet",
    b"mailhost",
];

/// Whether the word holds an `@` right before one of [`MAIL_HOSTS`], whole.
fn at_mail_host(word: &[u8]) -> bool {
    word.iter().position(|&c| c == b'@').is_some_and(|at| {
        let host = &word[at + 1..];
        MAIL_HOSTS.iter().any(|h| host.eq_ignore_ascii_case(h))
    })
}

/// Brackets that may hold each character of a spelled-out word: `[R][o]`, `(R)(o)`, `{R}{o}`.
const WRAPPERS: [(u8, u8); 3] = [(b'[', b']'), (b'(', b')'), (b'{', b'}')];

/// What may stand between two bracketed characters of one word, besides nothing; the view
/// keeps it (`[5][1][2]-[4][7]` reads `512-47`, `[o][t]@[i][n]` reads `ot@in`).
const WRAPPED_SEPARATORS: &[u8] = b",.-_|*+:;@/";

/// Fewest bracketed characters in a run read as a word spelled out: no text brackets its
/// characters one by one by chance, so a date's or a short name's count is enough; fewer
/// are list markers (`(a)(b)`) and citations (`[1][2][3]`).
const MIN_WRAPPED: usize = 4;

impl Canon {
    /// The view of `text` with its words spelled one bracketed character at a time read as
    /// the words they spell (`[R][o][s][a] [L][e][e]` reads `Rosa Lee`), or `None` when it
    /// has none.
    pub(super) fn unwrapped(text: &str) -> Option<Canon> {
        let b = text.as_bytes();
        memchr3(b']', b')', b'}', b)?;
        let runs = wrapped_runs(b);
        if runs.is_empty() {
            return None;
        }
        let mut out = Builder::with_capacity(text.len());
        let mut at = 0;
        for run in &runs {
            out.push_literal(&text[at..run[0]], at);
            for (k, &open) in run.iter().enumerate() {
                if k > 0 {
                    let gap = run[k - 1] + 3;
                    if b[gap] == b' ' {
                        // Blanks between words read as one, from the gap as written.
                        out.push_mapped(' ', gap, open);
                    } else {
                        out.push_literal(&text[gap..open], gap);
                    }
                }
                out.push_mapped(char::from(b[open + 1]), open, open + 3);
            }
            at = run[run.len() - 1] + 3;
        }
        out.push_literal(&text[at..], at);
        Some(out.out)
    }
}

/// Whether a bracketed character opens at `open` (`[R]`): a letter or digit between a pair
/// of [`WRAPPERS`].
fn wrapped_at(b: &[u8], open: usize) -> bool {
    let Some(&close) = b.get(open + 2) else {
        return false;
    };
    b[open + 1].is_ascii_alphanumeric() && WRAPPERS.iter().any(|&(o, e)| b[open] == o && close == e)
}

/// Runs of bracketed characters (each run as its characters' opening brackets): side by
/// side or one of [`WRAPPED_SEPARATORS`] apart within a word, one to [`MAX_WORD_GAP`]
/// blanks between words.
fn wrapped_runs(b: &[u8]) -> Vec<Vec<usize>> {
    let mut runs = Vec::new();
    let mut done = 0;
    for close in memchr3_iter(b']', b')', b'}', b) {
        let Some(open) = close
            .checked_sub(2)
            .filter(|&o| o >= done && wrapped_at(b, o))
        else {
            continue;
        };
        let run = wrapped_run(b, open);
        done = run.last().map_or(close, |&last| last + 3);
        if run.len() >= MIN_WRAPPED {
            runs.push(run);
        }
    }
    runs
}

/// The run of bracketed characters starting at `open`.
fn wrapped_run(b: &[u8], open: usize) -> Vec<usize> {
    let mut run = vec![open];
    let mut at = open + 3;
    loop {
        let blanks = b[at..].iter().take_while(|&&c| c == b' ').count();
        let next = if (1..=MAX_WORD_GAP).contains(&blanks) {
            at + blanks
        } else if b.get(at).is_some_and(|c| WRAPPED_SEPARATORS.contains(c)) {
            at + 1
        } else {
            at
        };
        if !wrapped_at(b, next) {
            return run;
        }
        run.push(next);
        at = next + 3;
    }
}

/// Most hexadecimal digits read as a number: twelve (48 bits, fifteen decimal digits) hold
/// any phone number, SSN or record number; longer literals are hashes and addresses.
const MAX_HEX_DIGITS: usize = 12;

/// Fewest decimal digits a hexadecimal literal's value must have to be read: a local phone
/// number's seven. Smaller values (`0xFF`, `0x1F600`) are codes.
const MIN_HEX_VALUE_DIGITS: usize = 7;

impl Canon {
    /// The view of `text` with its hexadecimal literals of a phone number's size read as the
    /// decimal numbers they are (`0xf67f7cdc` reads `4135550172`), or `None` when it has
    /// none. Each decimal digit comes from the whole literal.
    pub(super) fn decimal_for_hex(text: &str) -> Option<Canon> {
        let b = text.as_bytes();
        let mut literals = memchr2_iter(b'x', b'X', b).filter_map(|x| hex_literal(b, x));
        let first = literals.next()?;
        let mut out = Builder::with_capacity(text.len());
        let mut at = 0;
        for (start, end, value) in std::iter::once(first).chain(literals) {
            out.push_literal(&text[at..start], at);
            for d in value.to_string().chars() {
                out.push_mapped(d, start, end);
            }
            at = end;
        }
        out.push_literal(&text[at..], at);
        Some(out.out)
    }
}

/// The hexadecimal literal whose `x` is at `x` (`0x` then hexadecimal digits, a whole
/// word): its range and value, when the value has [`MIN_HEX_VALUE_DIGITS`] digits or more.
fn hex_literal(b: &[u8], x: usize) -> Option<(usize, usize, u64)> {
    let zero = x.checked_sub(1)?;
    if b[zero] != b'0' || (zero > 0 && b[zero - 1].is_ascii_alphanumeric()) {
        return None;
    }
    let len = b[x + 1..]
        .iter()
        .take_while(|c| c.is_ascii_hexdigit())
        .count();
    let end = x + 1 + len;
    if len == 0 || len > MAX_HEX_DIGITS || b.get(end).is_some_and(u8::is_ascii_alphanumeric) {
        return None;
    }
    let value = u64::from_str_radix(std::str::from_utf8(&b[x + 1..end]).ok()?, 16).ok()?;
    (value.to_string().len() >= MIN_HEX_VALUE_DIGITS).then_some((zero, end, value))
}

/// Fewest bytes of a word read as written with each character twice (`RRoossaa`): four
/// characters doubled. No word doubles every letter by chance.
const MIN_DOUBLED: usize = 8;

/// Fewest bytes when the doubled word has no letter: seven digits doubled (a local phone
/// number's count), so an identifier whose digits happen to come in pairs (`11223344`)
/// keeps its own reading.
const MIN_DOUBLED_DIGITS: usize = 14;

/// Fewest different characters a doubled word holds: `========` and `00000000` are rules
/// and padding, not words.
const MIN_DOUBLED_KINDS: usize = 3;

impl Canon {
    /// The view of `text` with its words written with every character twice read once
    /// (`RRoossaalliinndd  TThhaacckkeerraayy` reads `Rosalind Thackeray`,
    /// `441133--555555--00117722` reads `413-555-0172`), or `None` when it has none. Each
    /// character read comes from both of its copies; the doubled blank between two such
    /// words reads as one.
    pub(super) fn undoubled(text: &str) -> Option<Canon> {
        let b = text.as_bytes();
        let runs = doubled_runs(b);
        if runs.is_empty() {
            return None;
        }
        let mut out = Builder::with_capacity(text.len());
        let mut at = 0;
        for (k, &(start, end)) in runs.iter().enumerate() {
            if k > 0 && &b[at..start] == b"  " {
                out.push_mapped(' ', at, start);
            } else {
                out.push_literal(&text[at..start], at);
            }
            for i in (start..end).step_by(2) {
                out.push_mapped(char::from(b[i]), i, i + 2);
            }
            at = end;
        }
        out.push_literal(&text[at..], at);
        Some(out.out)
    }
}

/// The doubled runs of `b` ([`Canon::undoubled`]): in each blank-separated word, the
/// characters written twice after at most one opening mark written once, with nothing
/// but marks after them. A short word so written counts beside one that is long enough
/// (`11774444  QQuuaarrrryy  RRdd`): alone it is a word with a double letter.
fn doubled_runs(b: &[u8]) -> Vec<(usize, usize)> {
    if !has_doubled_word(b) {
        return Vec::new();
    }
    let mut words = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() {
            i += 1;
        }
        words.push(doubled_in_word(b, start, i));
    }
    if !words.iter().any(|w| w.is_some_and(|(_, _, long)| long)) {
        return Vec::new();
    }
    // Each doubled word joins the runs when a chain of doubled words beside it holds a
    // long one.
    let mut keep = vec![false; words.len()];
    for (k, w) in words.iter().enumerate() {
        if w.is_some_and(|(_, _, long)| long) {
            keep[k] = true;
            for j in (0..k).rev().take_while(|&j| words[j].is_some()) {
                keep[j] = true;
            }
            for j in (k + 1..words.len()).take_while(|&j| words[j].is_some()) {
                keep[j] = true;
            }
        }
    }
    words
        .into_iter()
        .zip(keep)
        .filter_map(|(w, keep)| w.filter(|_| keep).map(|(s, e, _)| (s, e)))
        .collect()
}

/// Whether a character written twice follows no letter or digit anywhere in `b`: the cheap
/// refusal of [`doubled_runs`], which most texts take (`ll`, `ee` and `ss` stand inside
/// words, rarely at their start). Every doubled run starts so.
fn has_doubled_word(b: &[u8]) -> bool {
    (0..b.len().saturating_sub(1)).any(|i| {
        b[i] == b[i + 1]
            && !b[i].is_ascii_whitespace()
            && (i == 0 || !b[i - 1].is_ascii_alphanumeric())
    })
}

/// The doubled run of the word `b[start..end]`, if it is one, and whether it is long and
/// varied enough to show the writing alone.
fn doubled_in_word(b: &[u8], start: usize, end: usize) -> Option<(usize, usize, bool)> {
    if end - start < 2 {
        return None;
    }
    // One opening mark written once (`(RRoo…`, `"RRoo…`).
    let s = if b[start].is_ascii_alphanumeric() || b[start] == b[start + 1] {
        start
    } else {
        start + 1
    };
    let mut e = s;
    while e + 1 < end && b[e] == b[e + 1] && b[e].is_ascii() {
        e += 2;
    }
    if e == s || b[e..end].iter().any(u8::is_ascii_alphanumeric) {
        return None;
    }
    let pairs = || (s..e).step_by(2).map(|k| b[k]);
    if !pairs().any(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    let letter = pairs().any(|c| c.is_ascii_alphabetic());
    let long_enough = e - s
        >= if letter {
            MIN_DOUBLED
        } else {
            MIN_DOUBLED_DIGITS
        };
    let mut kinds = [false; 128];
    pairs().for_each(|c| kinds[usize::from(c)] = true);
    let varied = kinds.iter().filter(|&&k| k).count() >= MIN_DOUBLED_KINDS;
    Some((s, e, long_enough && varied))
}

/// Fewest turned characters that only a text turned upside down writes (`ɐ`, `ᴉ`, `┴`;
/// [`upright_of`]'s strong ones) before its words are read upright: one is phonetics.
const MIN_TURNED: usize = 2;

impl Canon {
    /// The view of `text` with its words turned upside down read upright, character for
    /// character (`ʎɐɹǝʞɔɐɥ┴ puᴉlɐsoᴚ` reads `yarekcahT dnilasoR`: still from its end, which
    /// the detector's reading of text written backwards undoes), or `None` when it has
    /// none. Only in a text holding [`MIN_TURNED`] characters that nothing but turned text
    /// writes: `ɔ`, `ǝ` and `Ɛ` are letters of West African alphabets too.
    pub(super) fn upright(text: &str) -> Option<Canon> {
        if text.is_ascii() {
            return None;
        }
        // Every turned character is beyond ASCII: only those are looked up.
        let strong = text
            .chars()
            .filter(|c| !c.is_ascii() && upright_of(*c).is_some_and(|(_, strong)| strong))
            .take(MIN_TURNED)
            .count();
        if strong < MIN_TURNED {
            return None;
        }
        let mut out = Builder::with_capacity(text.len());
        let mut copied = 0;
        for (start, word) in blank_separated(text) {
            if !word.chars().any(|c| upright_of(c).is_some()) {
                continue;
            }
            out.push_literal(&text[copied..start], copied);
            for (i, c) in word.char_indices() {
                let (at, end) = (start + i, start + i + c.len_utf8());
                match upright_of(c) {
                    Some((u, _)) if u.is_ascii_alphabetic() => out.push_lookalike(u, c, at, end),
                    Some((u, _)) => out.push_mapped(u, at, end),
                    None if c.is_ascii() => out.push_mapped(upright_ascii(c), at, end),
                    None => out.push_literal(&word[i..i + c.len_utf8()], at),
                }
            }
            copied = start + word.len();
        }
        out.push_literal(&text[copied..], copied);
        Some(out.out)
    }
}

/// The words of `text` between blanks, with their byte offsets.
fn blank_separated(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split(char::is_whitespace)
        .filter(|w| !w.is_empty())
        .map(move |w| (w.as_ptr() as usize - text.as_ptr() as usize, w))
}

/// The upright character a character turned upside down is drawn for, and whether only
/// turned text writes it (strong) or some alphabet has it as a letter of its own.
fn upright_of(c: char) -> Option<(char, bool)> {
    let strong = match c {
        'ɐ' => 'a',
        'ɟ' => 'f',
        'ƃ' | 'ᵷ' => 'g',
        'ɥ' => 'h',
        'ᴉ' => 'i',
        'ɾ' => 'j',
        'ʞ' | 'ꓘ' => 'k',
        'ɯ' => 'm',
        'ɹ' => 'r',
        'ʇ' => 't',
        'ʌ' => 'v',
        'ʍ' => 'w',
        'ʎ' => 'y',
        '∀' => 'A',
        'Ⅎ' => 'F',
        '⅁' => 'G',
        '˥' => 'L',
        'Ԁ' => 'P',
        'ᴚ' => 'R',
        '┴' | '⊥' => 'T',
        '⅄' => 'Y',
        'Ɩ' | '⇂' => '1',
        'ᄅ' | '↊' => '2',
        '↋' => '3',
        'ㄣ' => '4',
        'ϛ' => '5',
        'ㄥ' => '7',
        '˙' => '.',
        '⅋' => '&',
        _ => {
            let weak = match c {
                'ɔ' => 'c',
                'ǝ' => 'e',
                'Ɔ' => 'C',
                'ᗡ' | '◖' => 'D',
                'Ǝ' => 'E',
                'ſ' => 'J',
                'ᗺ' => 'B',
                '∩' => 'U',
                'Ɛ' => '3',
                '¿' => '?',
                '¡' => '!',
                '‾' => '_',
                _ => return None,
            };
            return Some((weak, false));
        }
    };
    Some((strong, true))
}

/// An ASCII character in a word turned upside down: the ones that turn into each other
/// swap (`p` is a turned `d`, `u` a turned `n`, `6` a turned `9`), the rest read as they
/// are (`o`, `s`, `x`, `z`, `l`).
fn upright_ascii(c: char) -> char {
    match c {
        'b' => 'q',
        'q' => 'b',
        'd' => 'p',
        'p' => 'd',
        'n' => 'u',
        'u' => 'n',
        'M' => 'W',
        'W' => 'M',
        '6' => '9',
        '9' => '6',
        '\'' => ',',
        ',' => '\'',
        '(' => ')',
        ')' => '(',
        '[' => ']',
        ']' => '[',
        '{' => '}',
        '}' => '{',
        other => other,
    }
}

/// Most blanks that indent the line after a word broken across it.
const MAX_BREAK_INDENT: usize = 8;

impl Canon {
    /// The view of `text` with its words hyphenated across a line break read whole
    /// (`Thack-⏎eray` reads `Thackeray`), or `None` when it has none: a reader joins them,
    /// and a name cut so is no name to the detector. Only a letter before the hyphen and a
    /// lower-case letter opening the next line: a list's dash opens its line.
    pub(super) fn rejoined(text: &str) -> Option<Canon> {
        let b = text.as_bytes();
        let mut breaks = memchr_iter(b'\n', b).filter_map(|nl| broken_word_at(b, nl));
        let first = breaks.next()?;
        let mut out = Builder::with_capacity(text.len());
        let mut at = 0;
        for (hyphen, resume) in std::iter::once(first).chain(breaks) {
            out.push_literal(&text[at..hyphen], at);
            at = resume;
        }
        out.push_literal(&text[at..], at);
        Some(out.out)
    }
}

/// The hyphen and the resuming letter of a word broken at the line break `nl`
/// (`Thack-\neray`, `Thack-\r\n  eray`).
///
/// A number broken at one of its own dashes (`SSN 512-47-⏎3306`, `DOB 1961-08-⏎23`,
/// `MR441-⏎0827`: what a wrapper that breaks at hyphens makes of an identifier) reads
/// with its dash kept, so its shape is whole again (red team 51, G5): the cut is then
/// after the dash.
fn broken_word_at(b: &[u8], nl: usize) -> Option<(usize, usize)> {
    let cr = usize::from(nl > 0 && b[nl - 1] == b'\r');
    let hyphen = nl.checked_sub(1 + cr)?;
    let before = hyphen.checked_sub(1)?;
    if b[hyphen] != b'-' {
        return None;
    }
    let indent = b[nl + 1..]
        .iter()
        .take(MAX_BREAK_INDENT + 1)
        .take_while(|&&c| c == b' ' || c == b'\t')
        .count();
    let resume = nl + 1 + indent;
    if indent > MAX_BREAK_INDENT {
        return None;
    }
    let next = b.get(resume).copied();
    if b[before].is_ascii_digit() && next.is_some_and(|c| c.is_ascii_digit()) {
        return Some((hyphen + 1, resume));
    }
    (b[before].is_ascii_alphabetic() && next.is_some_and(|c| c.is_ascii_lowercase()))
        .then_some((hyphen, resume))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn symbols(text: &str) -> Option<String> {
        Canon::letters_for_symbols(text).map(|c| c.text().to_string())
    }

    fn unwrapped(text: &str) -> Option<String> {
        Canon::unwrapped(text).map(|c| c.text().to_string())
    }

    fn undoubled(text: &str) -> Option<String> {
        Canon::undoubled(text).map(|c| c.text().to_string())
    }

    #[test]
    fn words_written_with_every_character_twice_read_once() {
        assert_eq!(
            undoubled("pt RRoossaalliinndd  TThhaacckkeerraayy, seen").as_deref(),
            Some("pt Rosalind Thackeray, seen")
        );
        assert_eq!(
            undoubled("call 441133--555555--00117722").as_deref(),
            Some("call 413-555-0172")
        );
        assert_eq!(undoubled("(RRoossaa)").as_deref(), Some("(Rosa)"));
        assert_eq!(
            undoubled("at 11774444  QQuuaarrrryy  RRdd, ok").as_deref(),
            Some("at 1744 Quarry Rd, ok")
        );
    }

    #[test]
    fn ordinary_doubled_letters_rules_and_paired_digits_stay() {
        for text in [
            "bookkeeper committee Mississippi",
            "======== -------- 00000000",
            "id 11223344 and 99887766",
            "aabb ccdd",
            "see  ll  oo  ee",
        ] {
            assert_eq!(undoubled(text), None, "{text}");
        }
    }

    #[test]
    fn a_span_of_the_undoubled_view_covers_both_copies() {
        let c = Canon::undoubled("x RRoossaa y").expect("a doubled word");
        assert_eq!(c.source_range(2, 6), (2, 10));
    }

    fn upright(text: &str) -> Option<String> {
        Canon::upright(text).map(|c| c.text().to_string())
    }

    #[test]
    fn text_turned_upside_down_reads_upright_and_still_backwards() {
        assert_eq!(
            upright("pt ʎɐɹǝʞɔɐɥ┴ puᴉlɐsoᴚ seen").as_deref(),
            Some("pt yarekcahT dnilasoR seen")
        );
        assert_eq!(upright("ᄅㄥƖ0-ϛϛϛ-ƐƖㄣ").as_deref(), Some("2710-555-314"));
    }

    #[test]
    fn phonetics_and_west_african_letters_stay() {
        for text in [
            "Kɔfi Mɛnsah",
            "the schwa ǝ in ʃǝ",
            "Ǝkpǝ Ɔbi",
            "plain ascii",
        ] {
            assert_eq!(upright(text), None, "{text}");
        }
    }

    fn rejoined(text: &str) -> Option<String> {
        Canon::rejoined(text).map(|c| c.text().to_string())
    }

    #[test]
    fn words_hyphenated_across_a_line_break_read_whole() {
        assert_eq!(
            rejoined("Rosalind Thack-\neray seen").as_deref(),
            Some("Rosalind Thackeray seen")
        );
        assert_eq!(
            rejoined("Rosa-\r\n   lind called").as_deref(),
            Some("Rosalind called")
        );
        let c = Canon::rejoined("Thack-\neray").expect("a broken word");
        assert_eq!(c.source_range(0, 9), (0, 11));
    }

    #[test]
    fn numbers_broken_at_their_own_dash_read_whole_with_it() {
        for (text, read) in [
            ("SSN 512-47-\n3306 today", "SSN 512-47-3306 today"),
            ("DOB 1961-08-\r\n  23", "DOB 1961-08-23"),
            ("chart MR441-\n0827", "chart MR441-0827"),
            ("range 10-\n20", "range 10-20"),
        ] {
            assert_eq!(rejoined(text).as_deref(), Some(read), "{text:?}");
        }
    }

    #[test]
    fn list_dashes_and_numbers_at_a_line_end_stay() {
        for text in ["items:\n- grip\n- pinch", "Pain-\nFree", "end -\nnext"] {
            assert_eq!(rejoined(text), None, "{text}");
        }
    }

    fn hex(text: &str) -> Option<String> {
        Canon::decimal_for_hex(text).map(|c| c.text().to_string())
    }

    #[test]
    fn symbols_inside_a_word_read_as_letters() {
        assert_eq!(
            symbols("R0$@l1nd Th@ck3r@y called").as_deref(),
            Some("R0sal1nd Thack3ray called")
        );
        assert_eq!(symbols("pt R0$@LIND").as_deref(), Some("pt R0SALIND"));
        assert_eq!(symbols("$m!th").as_deref(), Some("Smith"));
    }

    #[test]
    fn addresses_money_and_punctuation_keep_their_symbols() {
        assert_eq!(symbols("mail otter.lake74@inbox.example now"), None);
        assert_eq!(symbols("mail otter@inbox.example"), None);
        assert_eq!(symbols("mail jsmith@acme-corp.example today"), None);
        assert_eq!(symbols("rosalind@xn--thckeray-s2a.example"), None);
        assert_eq!(symbols("rosalind@thackeray_family.example"), None);
        // A mail host with its top-level domain left off or mangled (red team 55, J-aa).
        assert_eq!(symbols("email zvuk61@yahoo, rozzie61@Gmail,com"), None);
        assert_eq!(symbols("write jane@localhost now"), None);
        assert_eq!(symbols("Thanks! see @mention, US$5 and $40"), None);
        assert_eq!(symbols("turned 100 on 14 Dec!! #family"), None);
        assert_eq!(symbols("a@b"), None);
    }

    #[test]
    fn bracketed_characters_read_as_the_words_they_spell() {
        assert_eq!(
            unwrapped("pt [R][o][s][a] [L][e][e] seen").as_deref(),
            Some("pt Rosa Lee seen")
        );
        assert_eq!(unwrapped("(R)(o)(s)(a)").as_deref(), Some("Rosa"));
        assert_eq!(unwrapped("{R},{o},{s},{a}").as_deref(), Some("R,o,s,a"));
        assert_eq!(
            unwrapped("[5][1][2]-[4][7]-[3][3][0][6]").as_deref(),
            Some("512-47-3306")
        );
    }

    #[test]
    fn list_markers_and_citations_stay() {
        assert_eq!(unwrapped("see (a) and (b), refs [1][2][3]"), None);
        assert_eq!(unwrapped("f(x) = g(y)"), None);
    }

    #[test]
    fn a_span_of_the_view_covers_the_brackets_as_written() {
        let text = "x [R][o][s][a] y";
        let c = Canon::unwrapped(text).expect("wrapped");
        assert_eq!(c.text(), "x Rosa y");
        let (start, end) = c.source_range(2, 6);
        assert_eq!(&text[start..end], "[R][o][s][a]");
    }

    #[test]
    fn hexadecimal_literals_of_a_phone_numbers_size_read_as_decimal() {
        assert_eq!(
            hex("call 0xF67F7CDC now").as_deref(),
            Some("call 4135550172 now")
        );
        assert_eq!(
            hex("{\"x\":\"0xf67f7cdc\"}").as_deref(),
            Some("{\"x\":\"4135550172\"}")
        );
    }

    #[test]
    fn small_codes_hashes_and_words_stay() {
        assert_eq!(hex("color 0xFF00 and U+1F600 0x1F600"), None);
        assert_eq!(
            hex("commit 0x9f86d081884c7d659a2feaa0c55ad015a3bf4f1b"),
            None
        );
        assert_eq!(hex("box 10x20 index xylophone 0xg"), None);
    }
}
