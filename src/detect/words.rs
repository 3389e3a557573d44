//! The words of one scan, read once and shared by every word pass.
//!
//! Owns how text is cut into words and how a word's capitalisation and the whole text's
//! case are read, and [`Words`]: the table of one scanned text's words (span, shape, whether
//! the canonical view dropped an accent inside, and the lexicon flags looked up once), its
//! case and its accents. `Detector::scan` fills it once (through the lexicon, which looks
//! the flags up); the lexicon's passes, the tagger, the facility pass, the list and
//! repeated-name passes after the merge read it instead of cutting the text again.
//!
//! The passes over a note's structures and facility names cut words their own way (ASCII,
//! `d/w`, `Smith-Jones` and numbers kept whole): [`NoteWords`] cuts them once per scan for
//! both, each word with its lower-case form and the table's flags where the table cut it
//! the same.
//!
//! A word is a run of letters and digits (any script), with an apostrophe between two
//! letters kept inside (`O'Brien`); all-digit runs are left to the regex rules. This
//! module knows no word list: the flags come from the caller, so the lexicon stays the one
//! owner of what a word means.

use unicode_normalization::char::is_combining_mark;

use crate::canon::Accent;

/// Capitalisation of a word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    /// `Maria`
    Cap,
    /// `MARIA` (or a single capital letter)
    Upper,
    /// `maria`
    Lower,
    /// `McDonald`, `iPad`, or anything else
    Mixed,
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct Word {
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) flags: u64,
    pub(crate) shape: Shape,
    /// The view dropped an accent inside the word (`Åsa` read as `Asa`): it was written
    /// with letters outside ASCII.
    pub(crate) accented: bool,
}

/// The words of one scanned text, with its case and the accents its view dropped: read
/// once per scan, then only read.
#[derive(Default)]
pub(crate) struct Words {
    list: Vec<Word>,
    case: TextCase,
    accents: Vec<Accent>,
}

impl Words {
    /// Cuts `text` into words, each given the flags `flags(start, end, inside)` answers
    /// (`inside`: the accents the view dropped within the word), and reads the text's case.
    /// `accents` must be sorted by position, as the canonical view gives them.
    pub(crate) fn read(
        &mut self,
        b: &[u8],
        accents: &[Accent],
        mut flags: impl FnMut(usize, usize, &[Accent]) -> u64,
    ) {
        self.list.clear();
        self.accents.clear();
        self.accents.extend_from_slice(accents);
        self.case = TextCase::of(b);
        let mut cursor = AccentCursor::new(accents);
        let mut i = 0;
        while i < b.len() {
            if word_char_len(b, i) == 0 {
                i += 1;
                continue;
            }
            let start = i;
            loop {
                // Most of a word is ASCII letters: stepped over without the general test.
                while b.get(i).is_some_and(u8::is_ascii_alphanumeric) {
                    i += 1;
                }
                match word_char_len(b, i) {
                    0 if i < b.len() && is_inner_apostrophe(b, i) => i += 1,
                    0 => break,
                    n => i += n,
                }
            }
            let w = &b[start..i];
            if w.iter().all(u8::is_ascii_digit) {
                continue;
            }
            let inside = cursor.within(start, i);
            self.list.push(Word {
                start,
                end: i,
                flags: flags(start, i, inside),
                shape: shape_of(w),
                accented: !inside.is_empty(),
            });
        }
    }

    /// The words, in text order.
    pub(crate) fn list(&self) -> &[Word] {
        &self.list
    }

    /// How the text is cased.
    pub(crate) fn case(&self) -> TextCase {
        self.case
    }

    /// The accents the scanned view dropped, in text order.
    pub(crate) fn accents(&self) -> &[Accent] {
        &self.accents
    }

    /// A cursor over the words by position, for a pass that cuts the text its own way but
    /// wants the flags of the words it cuts the same.
    pub(crate) fn cursor(&self) -> Cursor<'_> {
        Cursor {
            words: &self.list,
            next: 0,
        }
    }
}

/// A word as the note passes (facility names, note structures) cut it: ASCII letters and
/// digits, with an inner apostrophe, slash or hyphen kept inside (`d/w`, `O'Brien`,
/// `med-flighted`) and numbers kept (a list's `1.`), its lower-case form and its flags.
#[derive(Clone, Copy, Debug)]
pub(crate) struct NoteWord<'a> {
    pub(crate) start: usize,
    pub(crate) end: usize,
    /// The word in lower case: borrowed from the text when it is already (most words),
    /// else from one buffer of the scan's lowered words.
    pub(crate) lower: &'a [u8],
    pub(crate) flags: u64,
}

/// A note word as cut: its range, its flags and where its lower-case form is in the
/// scan's buffer (`None`: the word is lower case already).
#[derive(Clone, Copy)]
struct NoteCut {
    start: usize,
    end: usize,
    flags: u64,
    lowered: Option<usize>,
}

/// The note words of one scan, cut once for both passes that read them (they cut the
/// same way and each cut again, looking flags up, was most of their cost); the buffers
/// are kept across scans.
#[derive(Default)]
pub(crate) struct NoteWords {
    cuts: Vec<NoteCut>,
    lowered: Vec<u8>,
}

impl NoteWords {
    /// Cuts `b` (the text `table` was read from). A word the table cut the same and found
    /// no accent in has the table's flags (the same look-up); any other is given
    /// `flags(word)` (the lexicon's, as folded).
    pub(crate) fn read(&mut self, b: &[u8], table: &Words, mut flags: impl FnMut(&[u8]) -> u64) {
        self.cuts.clear();
        self.lowered.clear();
        let mut known = table.cursor();
        let mut i = 0;
        while i < b.len() {
            if !b[i].is_ascii_alphanumeric() {
                i += 1;
                continue;
            }
            let start = i;
            while i < b.len()
                && (b[i].is_ascii_alphanumeric()
                    || matches!(b[i], b'\'' | b'/' | b'-')
                        && b.get(i + 1).is_some_and(u8::is_ascii_alphanumeric))
            {
                i += 1;
            }
            let word = &b[start..i];
            let lowered = word.iter().any(u8::is_ascii_uppercase).then(|| {
                let at = self.lowered.len();
                self.lowered.extend(word.iter().map(u8::to_ascii_lowercase));
                at
            });
            let flags = match known.at(start, i) {
                Some(w) if !w.accented => w.flags,
                _ => flags(word),
            };
            self.cuts.push(NoteCut {
                start,
                end: i,
                flags,
                lowered,
            });
        }
    }

    /// The words of the last [`NoteWords::read`] of `b`, in text order.
    pub(crate) fn words<'a>(&'a self, b: &'a [u8]) -> Vec<NoteWord<'a>> {
        self.cuts
            .iter()
            .map(|c| NoteWord {
                start: c.start,
                end: c.end,
                lower: match c.lowered {
                    Some(at) => &self.lowered[at..at + c.end - c.start],
                    None => &b[c.start..c.end],
                },
                flags: c.flags,
            })
            .collect()
    }
}

/// The accents of a view, read in text order: the ones inside each word asked for.
#[derive(Clone, Copy)]
pub struct AccentCursor<'a> {
    accents: &'a [Accent],
}

impl<'a> AccentCursor<'a> {
    pub fn new(accents: &'a [Accent]) -> AccentCursor<'a> {
        AccentCursor { accents }
    }

    /// The accents inside `start..end`; words must be asked in increasing order.
    pub fn within(&mut self, start: usize, end: usize) -> &'a [Accent] {
        let skip = self.accents.partition_point(|a| a.at < start);
        self.accents = &self.accents[skip..];
        let n = self.accents.partition_point(|a| a.at < end);
        &self.accents[..n]
    }
}

/// The words of a [`Words`] looked up by exact position, in increasing order.
pub(crate) struct Cursor<'a> {
    words: &'a [Word],
    /// Index of the first word not yet passed.
    next: usize,
}

impl<'a> Cursor<'a> {
    /// The word at exactly `start..end`, when the table cut the same word there. Positions
    /// must be asked in increasing order (words that do not overlap).
    pub(crate) fn at(&mut self, start: usize, end: usize) -> Option<&'a Word> {
        while self.words.get(self.next).is_some_and(|w| w.start < start) {
            self.next += 1;
        }
        let w = self.words.get(self.next)?;
        (w.start == start && w.end == end).then_some(w)
    }
}

/// The length of the character at `b[i]` when it belongs in a word (an ASCII letter or
/// digit, a letter or digit of any script, or a combining mark), else 0 (also past the end
/// and inside a character). Quotation marks, bullets and signs outside ASCII (`“`, `•`, `°`,
/// `×`) end a word as ASCII punctuation does: `“Ines”` is the word `Ines`.
pub(crate) fn word_char_len(b: &[u8], i: usize) -> usize {
    let Some(&c) = b.get(i) else {
        return 0;
    };
    if c < 0x80 {
        return usize::from(c.is_ascii_alphanumeric());
    }
    let len = match c {
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF7 => 4,
        _ => return 0,
    };
    let letter = b
        .get(i..i + len)
        .and_then(|s| std::str::from_utf8(s).ok())
        .and_then(|s| s.chars().next())
        .is_some_and(|ch| ch.is_alphanumeric() || is_combining_mark(ch));
    if letter {
        len
    } else {
        0
    }
}

/// `O'Brien`: an apostrophe between two letters stays inside the word.
pub(crate) fn is_inner_apostrophe(b: &[u8], i: usize) -> bool {
    b[i] == b'\''
        && i > 0
        && b[i - 1].is_ascii_alphabetic()
        && b.get(i + 1).is_some_and(u8::is_ascii_alphabetic)
}

/// The case of a word's first letter, non-ASCII letters included (`Əliəkrəm`, `Şahin`,
/// `Édouard`): `Some(true)` upper, `Some(false)` lower, `None` no cased letter.
fn first_letter_upper(w: &[u8]) -> Option<bool> {
    let b = *w.first()?;
    if b < 0x80 {
        return b.is_ascii_alphabetic().then(|| b.is_ascii_uppercase());
    }
    let n = match b {
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        _ => 4,
    };
    let c = std::str::from_utf8(w.get(..n)?).ok()?.chars().next()?;
    if c.is_uppercase() {
        Some(true)
    } else if c.is_lowercase() {
        Some(false)
    } else {
        None
    }
}

pub(crate) fn shape_of(w: &[u8]) -> Shape {
    let first = first_letter_upper(w);
    let first_upper = first == Some(true);
    // `O'Malley`, `D'Shawn`, `De'Andre`: a capital right after a short prefix's apostrophe
    // is still a name written in title case.
    let prefix_capital = match w.iter().position(|&c| c == b'\'') {
        Some(p @ 1..=2) => Some(p + 1),
        // `McKay`, `McAkipro`: the capital after `Mc` is title case too.
        _ if w.len() > 3 && w.starts_with(b"Mc") && w[3].is_ascii_lowercase() => Some(2),
        _ => None,
    };
    let rest_lower = w
        .iter()
        .enumerate()
        .skip(1)
        .all(|(k, c)| !c.is_ascii_uppercase() || Some(k) == prefix_capital);
    let all_upper = w.iter().all(|c| !c.is_ascii_lowercase());
    if first_upper && all_upper {
        Shape::Upper
    } else if first_upper && rest_lower {
        Shape::Cap
    } else if first == Some(false) && rest_lower {
        Shape::Lower
    } else {
        Shape::Mixed
    }
}

/// How a whole text is cased, read in one pass over its bytes: every word pass of one
/// scan (and the repeated-name pass after it) asks, and three passes over the text each
/// counting letters again cost more than the word rules they decide.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct TextCase {
    /// Notes typed in capitals carry no capitalisation evidence.
    pub(crate) upper: bool,
    /// Notes typed in lower case carry no capitalisation evidence either: fewer than one
    /// letter in fifty is a capital (a stray `I` or `OT` allowed), among twenty letters at
    /// least.
    pub(crate) lower: bool,
}

impl TextCase {
    pub(crate) fn of(b: &[u8]) -> TextCase {
        let (mut up, mut low) = (0usize, 0usize);
        // Counted a block at a time into byte-wide sums (a block of 128 cannot overflow
        // one), which the compiler turns into vector code: a byte at a time was the
        // lexicon scan's largest single cost.
        for block in b.chunks(128) {
            let (mut block_up, mut block_low) = (0u8, 0u8);
            for &c in block {
                block_up += u8::from(c.wrapping_sub(b'A') < 26);
                block_low += u8::from(c.wrapping_sub(b'a') < 26);
            }
            up += usize::from(block_up);
            low += usize::from(block_low);
        }
        TextCase {
            upper: up > 20 && up > 2 * low,
            // A short text with no capital at all is lower case too (`photo by settak.`,
            // a chat line): only its cues can tell a name there (stop 67).
            lower: low >= 20 && up * 50 < low || up == 0 && low >= 8,
        }
    }

    /// Neither mostly capitals nor mostly lower case: capitals tell.
    pub(crate) fn mixed(self) -> bool {
        !self.upper && !self.lower
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The words `word_char_len` cuts from `s`, as `Words::read` runs over them.
    fn words(s: &str) -> Vec<&str> {
        let b = s.as_bytes();
        let (mut out, mut i) = (Vec::new(), 0);
        while i < b.len() {
            let n = word_char_len(b, i);
            if n == 0 {
                i += 1;
                continue;
            }
            let start = i;
            while word_char_len(b, i) > 0 || i < b.len() && is_inner_apostrophe(b, i) {
                i += word_char_len(b, i).max(1);
            }
            out.push(&s[start..i]);
        }
        out
    }

    /// The table cuts as `word_char_len` does (numbers left out), shapes each word, gives
    /// each the caller's flags with the accents inside it, and its cursor finds a word only
    /// at its exact range, asked in order.
    #[test]
    fn the_table_holds_each_word_once_and_the_cursor_finds_exact_ranges() {
        let text = "Ms O'Brien, 42 y/o, saw Dr MCKAY; Asa called.";
        let accents = [Accent {
            at: text.find("Asa").expect("word"),
            len: 1,
            letter: 'Å',
        }];
        let mut table = Words::default();
        let mut asked = Vec::new();
        table.read(text.as_bytes(), &accents, |start, end, inside| {
            asked.push((start, end, inside.len()));
            start as u64
        });
        let cut: Vec<&str> = table.list().iter().map(|w| &text[w.start..w.end]).collect();
        assert_eq!(
            cut,
            words(text)
                .into_iter()
                .filter(|w| w != &"42")
                .collect::<Vec<_>>()
        );
        assert_eq!(asked.len(), cut.len());
        for (w, (start, end, inside)) in table.list().iter().zip(&asked) {
            assert_eq!((w.start, w.end, w.flags), (*start, *end, *start as u64));
            assert_eq!(w.accented, *inside == 1);
            assert_eq!(w.accented, &text[w.start..w.end] == "Asa");
        }
        let shapes: Vec<Shape> = table.list().iter().map(|w| w.shape).collect();
        assert_eq!(shapes[..3], [Shape::Cap, Shape::Cap, Shape::Lower]);
        assert!(!table.case().upper && !table.case().lower);
        assert_eq!(table.accents(), &accents);
        let at = |s: &str| text.find(s).expect("word");
        let mut cursor = table.cursor();
        assert!(cursor.at(at("O'Brien"), at("O'Brien") + 1).is_none());
        let w = cursor
            .at(at("O'Brien"), at("O'Brien") + 7)
            .expect("O'Brien");
        assert_eq!(w.shape, Shape::Cap);
        // `y/o` is two words to the table: the pass that reads it whole looks it up itself.
        assert!(cursor.at(at("y/o"), at("y/o") + 3).is_none());
        assert!(cursor.at(at("MCKAY"), at("MCKAY") + 5).is_some());
        // Asked out of order, an earlier word is not found again.
        assert!(cursor.at(at("saw"), at("saw") + 3).is_none());
    }

    /// Note words keep `d/w`, hyphens, apostrophes and numbers whole, end at letters
    /// outside ASCII, lower-case only words with capitals, and take the table's flags only
    /// where the table cut the same word with no accent dropped inside.
    #[test]
    fn note_words_are_cut_whole_and_take_the_tables_flags_where_it_agrees() {
        let text = "d/w Dr SMITH-JONES, 12 O'Brien Asa caf\u{e9}";
        let b = text.as_bytes();
        let at = |s: &str| text.find(s).expect("word");
        let accents = [Accent {
            at: at("Asa"),
            len: 1,
            letter: '\u{c5}',
        }];
        let mut table = Words::default();
        table.read(b, &accents, |_, _, _| 1);
        let mut notes = NoteWords::default();
        notes.read(b, &table, |_| 2);
        let words = notes.words(b);
        let cut: Vec<&str> = words.iter().map(|w| &text[w.start..w.end]).collect();
        assert_eq!(
            cut,
            ["d/w", "Dr", "SMITH-JONES", "12", "O'Brien", "Asa", "caf"]
        );
        let lower: Vec<&[u8]> = words.iter().map(|w| w.lower).collect();
        assert_eq!(lower[2], b"smith-jones");
        assert_eq!(lower[4], b"o'brien");
        let flags: Vec<u64> = words.iter().map(|w| w.flags).collect();
        // The table cut `Dr`, `O'Brien` and `caf\u{e9}` (not `caf`); `Asa` had an accent.
        assert_eq!(flags, [2, 1, 2, 2, 1, 2, 2]);
        // Read again, the buffers start afresh.
        notes.read(b"Ann", &Words::default(), |_| 3);
        let again = notes.words(b"Ann");
        assert_eq!(
            (again.len(), again[0].lower, again[0].flags),
            (1, &b"ann"[..], 3)
        );
    }

    #[test]
    fn letters_of_any_script_are_words_and_signs_outside_ascii_are_not() {
        assert_eq!(words("“Ines” •Елена× 98°F"), ["Ines", "Елена", "98", "F"]);
        assert_eq!(words("O'Brien 王秀英 Işıl"), ["O'Brien", "王秀英", "Işıl"]);
        // A combining mark stays in its word (decomposed text the view did not fold).
        assert_eq!(words("Ye\u{301}lena!"), ["Ye\u{301}lena"]);
        assert_eq!(word_char_len("é".as_bytes(), 1), 0);
        assert_eq!(word_char_len(b"a", 1), 0);
    }
}
