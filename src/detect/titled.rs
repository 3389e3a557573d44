//! A clinician's surname after `Dr` that is also an English word (issue 13): `per Dr. Tyro`,
//! `DR TYRO SPOKE WITH THE WIFE`.
//!
//! Also, one word between a clinician's role or a person's initial and a word of being told
//! (`md wyman aware`, `N. VELLACORT AWARE`), and an initial and a word no list holds after
//! `per` (`AS PER B. TANDROWE`).
//!
//! Owns `patterns/text/titled.toml` (the titles, and the words that follow a title in notes
//! without naming anyone: `DR AWARE`, `Dr. office`; roles and words of being told) and the
//! readings made from it, over the whole text after the other detectors have run. The
//! lexicon takes a listed name or a word no list knows after a title (`Dr. Price`, `Dr.
//! Okafor`) and leaves an English word that no name list holds, since after `Ms`/`Mr` such a
//! word is mental status or a valve (`MS: SEDATED`); after `Dr` it is the surname. Word
//! flags come from the lexicon; nothing here changes them, so the tagger needs no retraining
//! when the file changes.

use serde::Deserialize;

use super::lexicon::{flag, Lexicon};
use super::rules::{lower_words, parse_toml};
use super::RuleError;
use crate::phi::{PhiType, Span};

/// The file this module reads, under `patterns/`.
pub const FILE: &str = "text/titled.toml";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTitled {
    titles: Vec<String>,
    not_surnames: Vec<String>,
    roles: Vec<String>,
    notices: Vec<String>,
    not_surname_endings: Vec<String>,
    companions: Vec<String>,
}

/// The compiled lists (lower case).
#[derive(Default)]
pub struct Titled {
    titles: rustc_hash::FxHashSet<Box<[u8]>>,
    not_surnames: rustc_hash::FxHashSet<Box<[u8]>>,
    /// Clinicians' roles written before a surname (`md`, `np`, `dr`).
    roles: rustc_hash::FxHashSet<Box<[u8]>>,
    /// Words of being told that close `ROLE NAME aware` (`aware`, `notified`).
    notices: rustc_hash::FxHashSet<Box<[u8]>>,
    /// Endings of a service's or specialist's name (`Cardiology`, `NEUROLOGIST`): a word
    /// with one is no surname before `aware`.
    not_surname_endings: Vec<Box<[u8]>>,
    /// Companions the lexicon's relations lack (`significant other`, `s/o`), lower case.
    companions: Vec<Box<[u8]>>,
    /// A bit per byte value a companion starts with (every bit if one is empty): a word
    /// that starts with none is compared with none of them. Every word of a note is tried.
    companion_first: [u64; 4],
    /// The first letters and lengths of `titles` and of `notices`: nearly every word of a
    /// note is looked up in one or the other, and nearly every word fails this test
    /// without being lower-cased and hashed.
    title_shape: ListShape,
    notice_shape: ListShape,
}

/// The lower-case first bytes and the lengths of a lower-case word list's entries: a word
/// that has neither is not in the list.
#[derive(Default)]
struct ListShape {
    /// A bit per byte value.
    first: [u64; 4],
    min_len: usize,
    max_len: usize,
}

impl ListShape {
    fn of(list: &rustc_hash::FxHashSet<Box<[u8]>>) -> ListShape {
        let mut shape = ListShape {
            min_len: usize::MAX,
            ..ListShape::default()
        };
        for w in list {
            if let Some(&c) = w.first() {
                shape.first[usize::from(c >> 6)] |= 1 << (c & 63);
            }
            shape.min_len = shape.min_len.min(w.len());
            shape.max_len = shape.max_len.max(w.len());
        }
        shape
    }

    /// Whether `word`, lower-cased, may be in the list (an empty word always may).
    fn may_hold(&self, word: &[u8]) -> bool {
        let Some(&c) = word.first() else {
            return true;
        };
        let c = c.to_ascii_lowercase();
        (self.min_len..=self.max_len).contains(&word.len())
            && self.first[usize::from(c >> 6)] & (1 << (c & 63)) != 0
    }
}

/// Flags of a word that is vocabulary, a cue or a place word: never a surname after a title.
const NOT_SURNAME: u64 = flag::NEVER_NAME
    | flag::VOCAB
    | flag::NAME_CUE
    | flag::NAME_INTRO
    | flag::RELATION
    | flag::STRONG_CUE
    | flag::PERSON_TITLE
    | flag::PROVIDER_TITLE
    | flag::LABEL
    | flag::ROLE
    | flag::PLACE_CUE
    | flag::PLACE_PREP
    | flag::CONTACT
    | flag::PERSON_VERB
    | flag::REGION
    | flag::PARTICLE;

/// Shortest surname taken, in letters (`Dr. Ox` is too short to tell).
const MIN_LETTERS: usize = 3;

/// The shortest surname read between a given name and a role (`grace dudak np aware`): a
/// unit's or test's letters are shorter (`ct`, `gi`, `icu`).
const MIN_NAMED_SURNAME: usize = 4;

/// Longest word of being told looked up, in letters (`notified`, `informed`).
const MAX_NOTICE: usize = 12;

/// Longest title looked up, in letters (`doctor`).
const MAX_TITLE: usize = 6;

impl Titled {
    /// Reads the lists; a file that does not parse names its line, never input text.
    pub fn build(source: &str) -> Result<Titled, RuleError> {
        let raw: RawTitled = parse_toml(&format!("patterns/{FILE}"), source)?;
        let set = |list: &[String]| lower_words(list).collect();
        let titles = set(&raw.titles);
        let notices = set(&raw.notices);
        let companions: Vec<Box<[u8]>> = raw
            .companions
            .iter()
            .map(|c| {
                c.trim()
                    .to_ascii_lowercase()
                    .into_bytes()
                    .into_boxed_slice()
            })
            .collect();
        Ok(Titled {
            title_shape: ListShape::of(&titles),
            notice_shape: ListShape::of(&notices),
            titles,
            not_surnames: set(&raw.not_surnames),
            roles: set(&raw.roles),
            notices,
            not_surname_endings: lower_words(&raw.not_surname_endings).collect(),
            companion_first: first_bytes(&companions),
            companions,
        })
    }

    /// English-word surnames right after a title in `text` that `found` does not hold yet,
    /// as PROVIDER_NAME spans for the caller to merge.
    pub fn scan(&self, text: &str, lexicon: &Lexicon, found: &[Span]) -> Vec<Span> {
        let mut out = Vec::new();
        if self.titles.is_empty() {
            return out;
        }
        let b = text.as_bytes();
        // A note in capitals writes every word so (`PER DR TYRO`); as `facility` reads it.
        // Counted only once a title is met: most notes have none.
        let mut one_case = None;
        // Each run of letters and digits is one word, read once from its start (no byte
        // inside it starts a word); a title is its letters before any digit.
        let mut i = 0;
        while i < b.len() {
            if !b[i].is_ascii_alphanumeric() {
                i += 1;
                continue;
            }
            let end = i + b[i..]
                .iter()
                .take_while(|c| c.is_ascii_alphabetic())
                .count();
            // Titles are short: only a word of two to `MAX_TITLE` letters is looked up.
            if (2..=MAX_TITLE).contains(&(end - i)) && self.is_title(&b[i..end]) {
                let one_case = *one_case.get_or_insert_with(|| {
                    let up = b.iter().filter(|c| c.is_ascii_uppercase()).count();
                    let low = b.iter().filter(|c| c.is_ascii_lowercase()).count();
                    up > 20 && up > 2 * low
                });
                if let Some(s) = self.surname_after(b, end, one_case, lexicon) {
                    if !found.iter().any(|f| f.start < s.end && s.start < f.end) {
                        out.push(s);
                    }
                }
            }
            i = end
                + b[end..]
                    .iter()
                    .take_while(|c| c.is_ascii_alphanumeric())
                    .count();
        }
        let mut before = self.before_notice(b, lexicon);
        before.retain(|s| !found.iter().any(|f| f.start < s.end && s.start < f.end));
        out.extend(before);
        out
    }

    /// `md wyman aware`, `NP Grace made aware`, `DR ROSS NOTIFIED`: one word between a
    /// clinician's role and a word of being told is the clinician's surname, in any case
    /// and whatever the lists say of it, unless it is vocabulary, a cue or a word that
    /// follows a role without naming anyone (`MD ALSO AWARE`, `md team aware`). The two
    /// words around it carry the evidence a bare `md X` lacks (`md wean`, `NP 2L`).
    fn before_notice(&self, b: &[u8], lexicon: &Lexicon) -> Vec<Span> {
        let mut out = Vec::new();
        if self.roles.is_empty() || self.notices.is_empty() {
            return out;
        }
        let words = letter_words(b);
        let lower = |k: usize| b[words[k].0..words[k].1].to_ascii_lowercase();
        for j in 2..words.len() {
            // Most words are checked here: lower-case them on the stack, not the heap.
            let (ns, ne) = words[j];
            if !self.notice_shape.may_hold(&b[ns..ne]) {
                continue;
            }
            let mut buf = [0u8; MAX_NOTICE];
            let Some(low) = buf.get_mut(..ne - ns) else {
                continue;
            };
            low.copy_from_slice(&b[ns..ne]);
            low.make_ascii_lowercase();
            if !self.notices.contains(&*low) {
                continue;
            }
            // `NP Grace made aware`: `made` may stand between the name and `aware`.
            let k = if lower(j - 1) == b"made" && j >= 3 {
                j - 1
            } else {
                j
            };
            let (name, role) = (words[k - 1], words[k - 2]);
            if !joined(b, role.1, name.0, true) || !joined(b, name.1, words[k].0, false) {
                continue;
            }
            let word = &b[name.0..name.1];
            // Before the surname: a role (`md wyman aware`), whose word stays in the text,
            // or the person's initial (`N. GRANDONE AWARE`), which the span takes in. (A
            // listed first name there, `grace dudak aware`, was tried: it found two names
            // of the tune half and two false ones in the check half.)
            let start = if self.roles.contains(&*lower(k - 2)) && one_case_word(&b[role.0..role.1])
            {
                name.0
            } else if initial(b, role) {
                role.0
            } else {
                continue;
            };
            if self.could_be_surname(word, lexicon) {
                out.push(Span {
                    start,
                    end: name.1,
                    ty: PhiType::ProviderName,
                });
            }
        }
        out.extend(self.named_before_role(b, &words, lexicon));
        out.extend(self.after_per_initial(b, &words, lexicon));
        out.extend(self.after_paged_role(b, &words, lexicon));
        out.extend(self.after_companion(b, &words, lexicon));
        out.extend(self.after_title_and(b, &words, lexicon));
        out
    }

    /// `grace dudak np aware`, `Mary Okafor MD notified` (stop 57): a listed given name and a
    /// surname no list holds as English, right before a clinician's role and a word of
    /// being told, are the clinician. The given name is the evidence a unit or service
    /// before the role lacks (`micu md aware`, `night np aware`), so a bare surname there
    /// is left; the given name may be an English word (`grace`), the surname may not.
    fn named_before_role(
        &self,
        b: &[u8],
        words: &[(usize, usize)],
        lexicon: &Lexicon,
    ) -> Vec<Span> {
        let mut out = Vec::new();
        for j in 3..words.len() {
            let (ns, ne) = words[j];
            if !self.notice_shape.may_hold(&b[ns..ne])
                || !self.notices.contains(&*b[ns..ne].to_ascii_lowercase())
            {
                continue;
            }
            // `np made aware`: `made` may stand between the role and the notice.
            let k = if j >= 4 && b[words[j - 1].0..words[j - 1].1].eq_ignore_ascii_case(b"made") {
                j - 1
            } else {
                j
            };
            if k < 3 {
                continue;
            }
            let (given, surname, role) = (words[k - 3], words[k - 2], words[k - 1]);
            let role_word = &b[role.0..role.1];
            if !one_case_word(role_word)
                || !self.roles.contains(&*role_word.to_ascii_lowercase())
                || !joined(b, given.1, surname.0, false)
                || !joined(b, surname.1, role.0, false)
                || !joined(b, role.1, words[k].0, false)
            {
                continue;
            }
            let (g, w) = (&b[given.0..given.1], &b[surname.0..surname.1]);
            let given_flags = lexicon.flags(g);
            let listed_given = given_flags & flag::FIRST != 0
                && given_flags & (NOT_SURNAME | flag::STOP) == 0
                && one_case_word(g)
                && !self.not_surnames.contains(&*g.to_ascii_lowercase());
            if listed_given
                && w.len() >= MIN_NAMED_SURNAME
                && lexicon.flags(w) & flag::ENGLISH == 0
                && self.could_be_surname(w, lexicon)
            {
                out.push(Span {
                    start: given.0,
                    end: surname.1,
                    ty: PhiType::ProviderName,
                });
            }
        }
        out
    }

    /// `Dr. Kline and Hill aware`, `Drs. Terrell and Hall pronounced`: a capitalised word
    /// after a title, its surname and `and` is a second surname the title covers, even an
    /// English one (a capital in mid-sentence is its evidence). A capitalised word after it
    /// (`Dr. Lee and Social Work`) makes the pair a service's name instead.
    fn after_title_and(&self, b: &[u8], words: &[(usize, usize)], lexicon: &Lexicon) -> Vec<Span> {
        let mut out = Vec::new();
        let title_case = |w: (usize, usize)| {
            b[w.0].is_ascii_uppercase() && b[w.0 + 1..w.1].iter().all(u8::is_ascii_lowercase)
        };
        for k in 3..words.len() {
            let (title, first, and, name) = (words[k - 3], words[k - 2], words[k - 1], words[k]);
            if !b[and.0..and.1].eq_ignore_ascii_case(b"and")
                || !title_case(name)
                || !title_case(first)
                || !self.is_title(&b[title.0..title.1])
                || !joined(b, title.1, first.0, true)
                || !joined(b, first.1, and.0, false)
                || !joined(b, and.1, name.0, false)
            {
                continue;
            }
            let next_capital = words
                .get(k + 1)
                .is_some_and(|&w| joined(b, name.1, w.0, false) && title_case(w));
            if !next_capital && self.could_be_surname(&b[name.0..name.1], lexicon) {
                out.push(Span {
                    start: name.0,
                    end: name.1,
                    ty: PhiType::ProviderName,
                });
            }
        }
        out
    }

    /// `visited by significant other charlie`, `S/O DALE AT BEDSIDE`: a listed first name
    /// (no vocabulary, function word or cue) right after a companion the lexicon's relations
    /// lack is that person, in any case.
    fn after_companion(&self, b: &[u8], words: &[(usize, usize)], lexicon: &Lexicon) -> Vec<Span> {
        let mut out = Vec::new();
        if self.companions.is_empty() {
            return out;
        }
        for (k, &(ws, _)) in words.iter().enumerate() {
            // A companion (lower case) is met only where its first letter is, in any case.
            let lead = b[ws].to_ascii_lowercase();
            if self.companion_first[usize::from(lead >> 6)] & (1 << (lead & 63)) == 0 {
                continue;
            }
            let Some(c) = self.companions.iter().find(|c| {
                c.first().is_none_or(|&f| f == lead)
                    && b.len() >= ws + c.len()
                    && b[ws..ws + c.len()].eq_ignore_ascii_case(c)
            }) else {
                continue;
            };
            let phrase_end = ws + c.len();
            let Some(&name) = words[k + 1..].iter().find(|w| w.0 >= phrase_end) else {
                continue;
            };
            if b.get(phrase_end).is_some_and(u8::is_ascii_alphabetic)
                || !joined(b, phrase_end, name.0, false)
            {
                continue;
            }
            let word = &b[name.0..name.1];
            let f = lexicon.flags(word);
            if word.len() >= MIN_LETTERS
                && one_case_word(word)
                && f & flag::FIRST != 0
                && f & (NOT_SURNAME | flag::STOP) == 0
                && !self.not_surnames.contains(&*word.to_ascii_lowercase())
            {
                out.push(Span {
                    start: name.0,
                    end: name.1,
                    ty: PhiType::Name,
                });
            }
        }
        out
    }

    /// `PAGED HO BAKER X2`, `paged resident Okafor re: K`: the word right after `paged` and
    /// a clinician's role is the clinician's surname, as it is before a word of being told,
    /// unless it is vocabulary, a cue or a word that follows a role without naming anyone
    /// (`PAGED HO RE: BP`, `paged MD again`).
    fn after_paged_role(&self, b: &[u8], words: &[(usize, usize)], lexicon: &Lexicon) -> Vec<Span> {
        let mut out = Vec::new();
        for k in 2..words.len() {
            let (paged, role, name) = (words[k - 2], words[k - 1], words[k]);
            if !b[paged.0..paged.1].eq_ignore_ascii_case(b"paged")
                || !one_case_word(&b[role.0..role.1])
                || !self
                    .roles
                    .contains(&*b[role.0..role.1].to_ascii_lowercase())
                || !joined(b, paged.1, role.0, false)
                || !joined(b, role.1, name.0, false)
            {
                continue;
            }
            let word = &b[name.0..name.1];
            if self.could_be_surname(word, lexicon) {
                out.push(Span {
                    start: name.0,
                    end: name.1,
                    ty: PhiType::ProviderName,
                });
            }
        }
        out
    }

    /// `AS PER B. KARGAS`, `per J. Okafor`: an initial after `per` and a word no list holds
    /// as English, a name or a cue is the initial and surname of whoever gave the order.
    /// English words are left (`per B. cultures`): after an initial alone they tell nothing.
    /// The surname may be glued by a dash to the next word (`PER B. KARGAS-PT SOMEWHAT WET`,
    /// stop 57).
    fn after_per_initial(
        &self,
        b: &[u8],
        words: &[(usize, usize)],
        lexicon: &Lexicon,
    ) -> Vec<Span> {
        let mut out = Vec::new();
        for k in 1..words.len() {
            let (per, init) = (words[k - 1], words[k]);
            if !b[per.0..per.1].eq_ignore_ascii_case(b"per")
                || !initial(b, init)
                || !joined(b, per.1, init.0, false)
            {
                continue;
            }
            let Some(name) = surname_after_initial(b, init.1) else {
                continue;
            };
            let word = &b[name.0..name.1];
            if lexicon.flags(word) & (flag::ENGLISH | flag::NAME) == 0
                && self.could_be_surname(word, lexicon)
            {
                out.push(Span {
                    start: init.0,
                    end: name.1,
                    ty: PhiType::ProviderName,
                });
            }
        }
        out
    }

    /// A word that may be a clinician's surname in a phrase that names one: long enough,
    /// written as a name, and no vocabulary, cue, title, role or word that follows a role
    /// without naming anyone (`MD ALSO AWARE`, `RN Cardiology aware`).
    fn could_be_surname(&self, word: &[u8], lexicon: &Lexicon) -> bool {
        let lw = word.to_ascii_lowercase();
        let f = lexicon.flags(word);
        word.len() >= MIN_LETTERS
            && one_case_word(word)
            && f & (NOT_SURNAME | flag::STOP | flag::CREDENTIAL) == 0
            && !self.not_surnames.contains(&*lw)
            && !self.titles.contains(&*lw)
            && !self.roles.contains(&*lw)
            && !self.not_surname_endings.iter().any(|e| lw.ends_with(e))
    }

    /// A title written as one (`Dr`, `DR`, `dr`; not `dR`) whose lower case is listed.
    fn is_title(&self, w: &[u8]) -> bool {
        if !self.title_shape.may_hold(w) {
            return false;
        }
        // Most words of a note are this short: lower-case them on the stack, not the heap.
        let mut buf = [0u8; MAX_TITLE];
        let Some(lower) = buf.get_mut(..w.len()) else {
            return false;
        };
        lower.copy_from_slice(w);
        lower.make_ascii_lowercase();
        let lower = &*lower;
        let capitals = w.iter().all(u8::is_ascii_uppercase);
        let title_case = w[0].is_ascii_uppercase() && w[1..].iter().all(u8::is_ascii_lowercase);
        let lower_case = w.iter().all(u8::is_ascii_lowercase);
        (capitals || title_case || lower_case) && self.titles.contains(lower)
    }

    /// The surname right after a title ending at `end`: an optional period, one or two
    /// spaces on the same line, then an English word no name list holds, written as a name
    /// (capitalised, or any case in a note without lower-case letters) and no vocabulary,
    /// cue or word that follows a title without naming anyone.
    fn surname_after(
        &self,
        b: &[u8],
        end: usize,
        one_case: bool,
        lexicon: &Lexicon,
    ) -> Option<Span> {
        let mut k = end;
        if b.get(k) == Some(&b'.') {
            k += 1;
        }
        let spaces = b[k..].iter().take_while(|c| **c == b' ').count();
        if !(1..=2).contains(&spaces) {
            return None;
        }
        let start = k + spaces;
        let len = b[start..]
            .iter()
            .take_while(|c| c.is_ascii_alphabetic())
            .count();
        let stop = start + len;
        // A word that runs on into digits or an inner mark (`Dr. X-ray`, `Dr's`) is left.
        let next = b.get(stop).copied();
        if len < MIN_LETTERS
            || next.is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'\'' | b'/'))
        {
            return None;
        }
        let word = &b[start..stop];
        let capitalised = word[0].is_ascii_uppercase();
        let written = capitalised && (one_case || word[1..].iter().all(u8::is_ascii_lowercase))
            || one_case && word.iter().all(u8::is_ascii_uppercase);
        let f = lexicon.flags(word);
        let english_only = f & flag::ENGLISH != 0 && f & flag::NAME == 0;
        let lower = word.to_ascii_lowercase();
        (written && english_only && f & NOT_SURNAME == 0 && !self.not_surnames.contains(&*lower))
            .then_some(Span {
                start,
                end: stop,
                ty: PhiType::ProviderName,
            })
    }
}

/// A bit per byte value some word of `list` starts with; every bit when one is empty
/// (an empty word is met anywhere).
fn first_bytes(list: &[Box<[u8]>]) -> [u64; 4] {
    let mut first = [0u64; 4];
    for w in list {
        match w.first() {
            Some(&c) => first[usize::from(c >> 6)] |= 1 << (c & 63),
            None => first = [u64::MAX; 4],
        }
    }
    first
}

/// A capital letter alone before a period, standing as a word of its own (`N. GRANDONE`;
/// not the `O` of `A&O.`): a person's initial.
fn initial(b: &[u8], w: (usize, usize)) -> bool {
    let before = w.0.checked_sub(1).map(|p| b[p]);
    w.1 - w.0 == 1
        && b[w.0].is_ascii_uppercase()
        && b.get(w.1) == Some(&b'.')
        && before.is_none_or(|c| matches!(c, b' ' | b'\n' | b'\t' | b'(' | b',' | b';' | b':'))
}

/// The word after an initial's period ending at `end` (`B. KARGAS`): one or two spaces on
/// the line, then letters that no digit, apostrophe or letter continues. A dash may end
/// it where the note glues the next word on (`KARGAS-PT`); a double-barrelled name's
/// first half is read so, and the whole name is grown later.
fn surname_after_initial(b: &[u8], end: usize) -> Option<(usize, usize)> {
    let at = end + 1;
    let spaces = b.get(at..)?.iter().take_while(|c| **c == b' ').count();
    if !(1..=2).contains(&spaces) {
        return None;
    }
    let start = at + spaces;
    let len = b[start..]
        .iter()
        .take_while(|c| c.is_ascii_alphabetic())
        .count();
    let stop = start + len;
    let next = b.get(stop).copied();
    (len > 0 && !next.is_some_and(|c| c.is_ascii_alphanumeric() || c == b'\''))
        .then_some((start, stop))
}

/// The runs of ASCII letters in `b` that stand alone as words (not glued to a digit or to
/// an inner mark such as `'` or `-`), as byte ranges.
fn letter_words(b: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_alphabetic() {
            i += 1;
            continue;
        }
        let end = i + b[i..]
            .iter()
            .take_while(|c| c.is_ascii_alphabetic())
            .count();
        let glued =
            |c: Option<&u8>| c.is_some_and(|c| c.is_ascii_digit() || matches!(c, b'\'' | b'-'));
        if !glued(i.checked_sub(1).and_then(|p| b.get(p))) && !glued(b.get(end)) {
            out.push((i, end));
        }
        i = end;
    }
    out
}

/// Between two words on one line only one or two spaces (after a role, also a period:
/// `Dr. Ross aware`), so the three words are one phrase.
fn joined(b: &[u8], from: usize, to: usize, period: bool) -> bool {
    let gap = &b[from..to];
    let gap = if period {
        gap.strip_prefix(b".").unwrap_or(gap)
    } else {
        gap
    };
    (1..=2).contains(&gap.len()) && gap.iter().all(|c| *c == b' ')
}

/// A word written in one of a name's cases: `ROSS`, `Ross` or `ross` (not `rOSS`).
fn one_case_word(w: &[u8]) -> bool {
    let rest = &w[1..];
    rest.iter().all(u8::is_ascii_lowercase) || w.iter().all(u8::is_ascii_uppercase)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::lexicon::LexiconSources;
    use crate::patterns::Patterns;

    fn found(text: &str) -> Vec<&str> {
        let p = Patterns::builtin();
        let t = Titled::build(p.get(FILE)).expect("titled.toml parses");
        let lex = Lexicon::build(&LexiconSources::of(&p)).expect("lexicon builds");
        t.scan(text, &lex, &[])
            .iter()
            .map(|s| &text[s.start..s.end])
            .collect()
    }

    #[test]
    fn a_word_the_shape_of_a_list_rules_out_is_not_in_it() {
        let p = Patterns::builtin();
        let t = Titled::build(p.get(FILE)).expect("titled.toml parses");
        for (list, shape) in [(&t.titles, &t.title_shape), (&t.notices, &t.notice_shape)] {
            for w in list {
                assert!(shape.may_hold(w) && shape.may_hold(&w.to_ascii_uppercase()));
            }
        }
        assert!(t.title_shape.may_hold(b"Dr") && !t.title_shape.may_hold(b"Doctorate"));
        assert!(t.notice_shape.may_hold(b"AWARE") && !t.notice_shape.may_hold(b"zzz"));
    }

    #[test]
    fn an_english_word_after_dr_is_the_surname() {
        assert_eq!(
            found("Keep SBP 120-150 per Dr. Tyro. SBP down."),
            vec!["Tyro"]
        );
        assert_eq!(
            found("PER DR TYRO DR KLEIN HAD TALKED TO THE WIFE."),
            vec!["TYRO"]
        );
    }

    #[test]
    fn a_word_between_a_role_and_aware_is_the_surname() {
        assert_eq!(
            found("temps throughout night md wyman aware tx with tylenol"),
            vec!["wyman"]
        );
        assert_eq!(found("rate of 40. NP Grace made aware, eps"), vec!["Grace"]);
        assert_eq!(found("BP 80S. DR. ROSS NOTIFIED."), vec!["ROSS"]);
        assert_eq!(found("HO Powers notified, no change."), vec!["Powers"]);
    }

    #[test]
    fn a_first_name_after_a_companion_the_lexicon_lacks_is_the_person() {
        assert_eq!(
            found("visited by significant other charlie, updated"),
            vec!["charlie"]
        );
        assert_eq!(found("S/O DALE AT BEDSIDE."), vec!["DALE"]);
        assert_eq!(
            found("s/o infection, gf diet, bf at bedside"),
            Vec::<&str>::new()
        );
    }

    #[test]
    fn an_initial_before_a_surname_and_aware_is_the_name() {
        assert_eq!(
            found("CHECK AT 1000 5.6. N. VELLACORT AWARE. WILL REPEAT"),
            vec!["N. VELLACORT"]
        );
        assert_eq!(found("given K. Family aware."), Vec::<&str>::new());
        assert_eq!(found("pt A&O. VELLACORT AWARE"), Vec::<&str>::new());
    }

    #[test]
    fn an_initial_and_unknown_word_after_per_is_the_name() {
        assert_eq!(
            found("CXR DONE MID AM AS PER B. TANDROWE. LT SIDE"),
            vec!["B. TANDROWE"]
        );
        for text in [
            "AS PER B. CULTURES PENDING",
            "per A. fib protocol",
            "A&O. TANDROWE AWARE",
            "wound per B. Smith",
        ] {
            assert_eq!(found(text), Vec::<&str>::new(), "{text}");
        }
    }

    #[test]
    fn a_capitalised_word_after_a_title_its_surname_and_and_is_a_second_surname() {
        let f = found("Dr. Kline and Hill aware. See careview.");
        assert!(f.contains(&"Hill"), "{f:?}");
        let f = found("Drs. Terrell and Hall pronounced.");
        assert!(f.contains(&"Hall"), "{f:?}");
        let f = found("Dr. Lee and Social Work met the family. Dr. Lee and family spoke.");
        assert!(!f.contains(&"Social") && !f.contains(&"family"), "{f:?}");
    }

    #[test]
    fn a_given_name_and_surname_before_a_role_and_aware_are_the_clinician() {
        assert_eq!(
            found("difficult to doppler. grace dudak np aware. < 3 sec"),
            vec!["grace dudak"]
        );
        for text in [
            "pt seen by micu md aware",
            "pt seen by renal np aware",
            "will night np aware",
            "family grace np aware",
        ] {
            assert_eq!(found(text), Vec::<&str>::new(), "{text}");
        }
    }

    #[test]
    fn a_surname_after_per_and_an_initial_may_be_glued_to_the_next_word() {
        assert_eq!(
            found("CXR DONE MID AM-AS PER B. KARGAS-PT SOMEWHAT WET"),
            vec!["B. KARGAS"]
        );
        assert_eq!(found("AS PER B. KARGAS'S NOTE"), Vec::<&str>::new());
    }

    #[test]
    fn a_role_before_aware_without_a_name_is_left() {
        for text in [
            "md team aware. MD ALSO AWARE. np now aware",
            "MD IS AWARE. md made aware. RN on call notified",
            "RN Cardiology aware; md np aware",
            "Pt aware. Family Grace aware.",
        ] {
            assert_eq!(found(text), Vec::<&str>::new(), "{text}");
        }
    }

    #[test]
    fn words_that_follow_a_title_without_naming_anyone_are_left() {
        for text in [
            "DR AWARE OF BP. DR NOTIFIED AT 0300.",
            "Pt asked for Dr. office number; Dr. Note reviewed.",
            "MS SEDATED, MR MODERATE.",
            "Called dr. regarding labs.",
            "Dr. X-ray read pending.",
        ] {
            assert_eq!(found(text), Vec::<&str>::new(), "{text}");
        }
    }
}
