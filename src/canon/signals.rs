//! Letters sent as signals: Morse code (`.-. --- ... .-`) and the spelling alphabet
//! (`romeo oscar sierra alpha`), read back into the words they spell.
//!
//! Both are ways of writing a value past a detector, as letter-spacing or ROT13 are, so the
//! view reads them as the letters they stand for: each letter of the view comes from its
//! signal's bytes, and a span found there covers the signals as written. A run is read only
//! when it is long enough that text would not hold it by chance ([`MIN_SIGNALS`]).

use super::{Builder, Canon};

/// Fewest signals side by side read as a spelled word: fewer are an ellipsis and a dash,
/// or a radio call sign.
const MIN_SIGNALS: usize = 4;

/// Morse code's letters and digits (ITU-R M.1677-1).
const MORSE: [(&str, u8); 36] = [
    (".-", b'A'),
    ("-...", b'B'),
    ("-.-.", b'C'),
    ("-..", b'D'),
    (".", b'E'),
    ("..-.", b'F'),
    ("--.", b'G'),
    ("....", b'H'),
    ("..", b'I'),
    (".---", b'J'),
    ("-.-", b'K'),
    (".-..", b'L'),
    ("--", b'M'),
    ("-.", b'N'),
    ("---", b'O'),
    (".--.", b'P'),
    ("--.-", b'Q'),
    (".-.", b'R'),
    ("...", b'S'),
    ("-", b'T'),
    ("..-", b'U'),
    ("...-", b'V'),
    (".--", b'W'),
    ("-..-", b'X'),
    ("-.--", b'Y'),
    ("--..", b'Z'),
    ("-----", b'0'),
    (".----", b'1'),
    ("..---", b'2'),
    ("...--", b'3'),
    ("....-", b'4'),
    (".....", b'5'),
    ("-....", b'6'),
    ("--...", b'7'),
    ("---..", b'8'),
    ("----.", b'9'),
];

/// The spelling alphabet's code words (ICAO), `a` to `z`, with the spellings people write.
const SPELLING: [&[&str]; 26] = [
    &["alfa", "alpha"],
    &["bravo"],
    &["charlie"],
    &["delta"],
    &["echo"],
    &["foxtrot"],
    &["golf"],
    &["hotel"],
    &["india"],
    &["juliet", "juliett"],
    &["kilo"],
    &["lima"],
    &["mike"],
    &["november"],
    &["oscar"],
    &["papa"],
    &["quebec"],
    &["romeo"],
    &["sierra"],
    &["tango"],
    &["uniform"],
    &["victor"],
    &["whiskey", "whisky"],
    &["xray"],
    &["yankee"],
    &["zulu"],
];

/// One signal: the letter it stands for and the input bytes it was written in.
#[derive(Clone, Copy, Debug)]
struct Signal {
    letter: u8,
    start: usize,
    end: usize,
    /// Whether a word ends before this signal (a `/`, or a wider gap).
    new_word: bool,
}

impl Canon {
    /// The view of `text` with its runs of Morse code and of spelling-alphabet words read
    /// as the words they spell (`.-. --- ... .-` reads `Rosa`), or `None` when it has none.
    pub(super) fn signals(text: &str) -> Option<Canon> {
        let mut runs = morse_runs(text);
        runs.extend(spelling_runs(text));
        if runs.is_empty() {
            return None;
        }
        runs.sort_by_key(|r| r[0].start);
        let mut out = Builder::with_capacity(text.len());
        let mut at = 0;
        for run in &runs {
            if run[0].start < at {
                continue;
            }
            out.push_literal(&text[at..run[0].start], at);
            push_words(&mut out, run);
            at = run[run.len() - 1].end;
        }
        out.push_literal(&text[at..], at);
        Some(out.out)
    }
}

/// A run's letters as words, each capitalised as a name is written (the detector reads a
/// word in capitals alone as an abbreviation), a blank between words.
fn push_words(out: &mut Builder, run: &[Signal]) {
    let mut first = true;
    let mut prev_end = run.first().map_or(0, |s| s.start);
    for s in run {
        if s.new_word && !first {
            // The blank comes from the gap between the words, as written.
            out.push_mapped(' ', prev_end, s.start);
            first = true;
        }
        prev_end = s.end;
        let c = if first {
            s.letter.to_ascii_uppercase()
        } else {
            s.letter.to_ascii_lowercase()
        };
        out.push_mapped(char::from(c), s.start, s.end);
        first = false;
    }
}

/// Runs of Morse code: groups of dots and dashes, one space between the letters of a word
/// and ` / ` (or two spaces or more) between words. A run is kept when it has
/// [`MIN_SIGNALS`] letters and two of them mix dots and dashes (`...` alone is an
/// ellipsis, `--` a dash).
fn morse_runs(text: &str) -> Vec<Vec<Signal>> {
    let mut runs = Vec::new();
    // Cheap refusal: Morse text has a dot beside a dash somewhere.
    if !text.contains(".-") && !text.contains("-.") {
        return runs;
    }
    let b = text.as_bytes();
    let mut run: Vec<Signal> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if !matches!(b[i], b'.' | b'-') {
            // What lies between groups is judged as their gap, below.
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && matches!(b[i], b'.' | b'-') {
            i += 1;
        }
        let bounded = start == 0 || matches!(b[start - 1], b' ' | b'/');
        let ends = i == b.len() || matches!(b[i], b' ' | b'/');
        let letter = (i > start && bounded && ends)
            .then(|| morse_letter(&b[start..i]))
            .flatten();
        let Some(letter) = letter else {
            keep_run(&mut run, &mut runs, |s| mixed(b, s));
            continue;
        };
        let gap = run.last().map(|last: &Signal| &b[last.end..start]);
        let new_word = match gap {
            None => false,
            Some(g) if g == b" " => false,
            Some(g) if is_word_gap(g) => true,
            Some(_) => {
                keep_run(&mut run, &mut runs, |s| mixed(b, s));
                false
            }
        };
        run.push(Signal {
            letter,
            start,
            end: i,
            new_word,
        });
    }
    keep_run(&mut run, &mut runs, |s| mixed(b, s));
    runs
}

fn morse_letter(code: &[u8]) -> Option<u8> {
    MORSE
        .iter()
        .find(|(m, _)| m.as_bytes() == code)
        .map(|&(_, c)| c)
}

/// A gap between Morse words: a `/` or `|` between blanks, or two to seven blanks.
fn is_word_gap(g: &[u8]) -> bool {
    let marks = g.iter().filter(|&&c| c == b'/' || c == b'|').count();
    let blanks = g.iter().all(|&c| matches!(c, b' ' | b'/' | b'|'));
    blanks && (marks == 1 || (marks == 0 && (2..=7).contains(&g.len())))
}

/// Whether a Morse letter mixes dots and dashes.
fn mixed(b: &[u8], s: &Signal) -> bool {
    let code = &b[s.start..s.end];
    code.contains(&b'.') && code.contains(&b'-')
}

/// Moves `run` to `runs` when it has [`MIN_SIGNALS`] signals and two that `telling` holds
/// for; empties it either way.
fn keep_run(run: &mut Vec<Signal>, runs: &mut Vec<Vec<Signal>>, telling: impl Fn(&Signal) -> bool) {
    if run.len() >= MIN_SIGNALS && run.iter().filter(|s| telling(s)).count() >= 2 {
        runs.push(std::mem::take(run));
    }
    run.clear();
}

/// Where `text` spells a word in the spelling alphabet (`zulu victor uniform kilo`): each
/// run's first code word's start and last code word's end, as written. The view reads a
/// run as the letters it spells; this tells the caller that those letters were spelled,
/// which no sentence does with four code words in a row.
pub fn spelling_alphabet_runs(text: &str) -> Vec<(usize, usize)> {
    spelling_runs(text)
        .iter()
        .filter_map(|run| Some((run.first()?.start, run.last()?.end)))
        .collect()
}

/// Runs of spelling-alphabet words (`romeo oscar sierra alpha`), set apart by blanks or
/// hyphens; a `/`, `,` or `|` between two code words ends a spelled word.
fn spelling_runs(text: &str) -> Vec<Vec<Signal>> {
    let b = text.as_bytes();
    let mut runs = Vec::new();
    let mut run: Vec<Signal> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_alphabetic() {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && b[i].is_ascii_alphabetic() {
            i += 1;
        }
        // `x-ray` is one code word with its hyphen.
        let mut end = i;
        if b[start..end].eq_ignore_ascii_case(b"x") && b[end..].starts_with(b"-") {
            let rest = end + 1;
            if b.len() >= rest + 3 && b[rest..rest + 3].eq_ignore_ascii_case(b"ray") {
                end = rest + 3;
                i = end;
            }
        }
        let Some(letter) = spelling_letter(&b[start..end]) else {
            keep_run(&mut run, &mut runs, |_| true);
            continue;
        };
        let gap = run.last().map(|last: &Signal| &b[last.end..start]);
        let new_word = match gap {
            None => false,
            Some(g) if g.iter().all(|&c| c == b' ' || c == b'-') => false,
            Some(g) if g.iter().all(|&c| matches!(c, b' ' | b'/' | b',' | b'|')) => true,
            Some(_) => {
                keep_run(&mut run, &mut runs, |_| true);
                false
            }
        };
        run.push(Signal {
            letter,
            start,
            end,
            new_word,
        });
    }
    keep_run(&mut run, &mut runs, |_| true);
    runs
}

fn spelling_letter(word: &[u8]) -> Option<u8> {
    if !(4..=8).contains(&word.len()) {
        return None;
    }
    if word.eq_ignore_ascii_case(b"x-ray") {
        return Some(b'x');
    }
    // A code word starts with its letter: only that letter's spellings are compared, so
    // most words of a text cost one look at their first byte.
    let letter = word[0].to_ascii_lowercase();
    let spellings = SPELLING.get(usize::from(letter.checked_sub(b'a')?))?;
    spellings
        .iter()
        .any(|w| w.as_bytes().eq_ignore_ascii_case(word))
        .then_some(letter)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(text: &str) -> Option<String> {
        Canon::signals(text).map(|c| c.text().to_string())
    }

    #[test]
    fn morse_reads_as_the_words_it_spells() {
        assert_eq!(
            view("note: .-. --- ... .- / - .... .- -.-. -.- . .-. .- -.-- ok").as_deref(),
            Some("note: Rosa Thackeray ok")
        );
        assert_eq!(view(".-. --- ... .-").as_deref(), Some("Rosa"));
    }

    #[test]
    fn ellipses_and_dashes_are_no_morse() {
        assert_eq!(view("well... - ok -- fine ... - ."), None);
        assert_eq!(view("BP 120/80 - HR 72 -- stable"), None);
        assert_eq!(view("-.5 and .-"), None);
    }

    #[test]
    fn the_spelling_alphabet_reads_as_the_words_it_spells() {
        assert_eq!(
            view("it is romeo oscar sierra alpha, tango hotel alpha x-ray thanks").as_deref(),
            Some("it is Rosa Thax thanks")
        );
        assert_eq!(view("Romeo-Oscar-Sierra-Alpha").as_deref(), Some("Rosa"));
    }

    #[test]
    fn a_few_code_words_in_text_stay() {
        assert_eq!(view("echo delta normal, golf hotel"), None);
        assert_eq!(view("Victor and Juliet went to the hotel"), None);
    }

    #[test]
    fn a_span_of_the_view_covers_the_signals_as_written() {
        let text = "x .-. --- ... .- y";
        let c = Canon::signals(text).expect("morse");
        assert_eq!(c.text(), "x Rosa y");
        let (start, end) = c.source_range(2, 6);
        assert_eq!(&text[start..end], ".-. --- ... .-");
    }
}
