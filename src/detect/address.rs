//! Whole addresses: grows a detected street line over the rest of the address written after
//! it — unit, town, postcode, region — so no part of an address is left beside its token.
//!
//! The street rules find `ul. Fredry 66` or `715 Jessica Island`; what follows a street line
//! is, in every country's convention, more of the address: `, Rumia, 48-413`,
//! `, Harveyberg PH9V 2LR`, `Apt. 69 , Albacete 08077`, `\nSpringfield, IL 62704`. The
//! grower reads only that tail and stops at the first thing that is not address-shaped (a
//! lower-case word, a sentence end, a cue such as `Daughter`).
//!
//! A street written in one case (`715 troy square, port kevinmouth 26259`, `PICKUP AT 7007
//! ADEHINAZAR CLOSE, CUTTI.`) has no capitals to tell its town from the next clause, so
//! there a town is a word no list knows (after an opener such as `north` or `new`) that
//! shape proves: a postcode follows it, or a comma (or `in`) comes before it and the
//! clause ends after it (a full stop, a line end, or `, <region>`).

use super::lexicon::flag;

/// At most this many tail parts (unit, town, postcode, region, country) are taken.
const MAX_PARTS: usize = 5;

/// Words that end an address even when capitalised (a new sentence or field begins).
const NOT_PLACE_WORDS: &[&str] = &[
    "daughter",
    "son",
    "wife",
    "husband",
    "spouse",
    "mother",
    "father",
    "patient",
    "pt",
    "call",
    "contact",
    "phone",
    "tel",
    "fax",
    "email",
    "dob",
    "mrn",
    "ssn",
    "account",
    "next",
    "the",
    "please",
    "home",
    "left",
    "right",
    "seen",
    "visit",
    "plan",
    "goal",
    "goals",
    "on",
    "and",
    "referral",
    "insurance",
    "hi",
    "telehealth",
    "wheelchair",
    "driver",
    "discharge",
    "card",
];

/// Unit words that continue a street line (`Apt 4`, `Appartamento 24`, `Piano 5`).
const UNIT_WORDS: &[&str] = &[
    "apt",
    "apartment",
    "suite",
    "ste",
    "unit",
    "flat",
    "fl",
    "floor",
    "rm",
    "room",
    "bldg",
    "building",
    "appartamento",
    "piano",
    "interno",
    "int",
    "scala",
    "wohnung",
    "apto",
    "piso",
    "puerta",
    "dpto",
    "depto",
    "lok",
    "app",
    "bus",
];

/// Words that open a town's name and say nothing on their own (`north melissaberg`, `new
/// sinen`, `port kevinmouth`): the word after them must be the one no list knows. The
/// lexicon's one-case towns read the same list (`Ctx::town_opener`).
pub(crate) const TOWN_OPENERS: &[&str] = &[
    "north", "south", "east", "west", "new", "lake", "port", "mount", "fort", "san", "santa",
    "saint", "st", "el", "la", "las", "los", "le", "bad",
];

/// Flags of a word that some list knows as something other than a place's name (English,
/// clinical, a cue or a stop word): such a word cannot be the town of a one-case address.
const NOT_TOWN: u64 = flag::ENGLISH
    | flag::COMMON
    | flag::STOP
    | flag::CLINICAL
    | flag::VOCAB
    | flag::NEVER_NAME
    | flag::RELATION
    | flag::NAME_CUE
    | flag::STRONG_CUE
    | flag::LABEL
    | flag::ROLE
    | flag::FACILITY
    | flag::PLACE_CUE
    | flag::PLACE_PREP
    | flag::PERSON_TITLE
    | flag::PROVIDER_TITLE
    | flag::CONTACT
    | flag::REGION;

/// Flags of a word that ends a one-case town's name (`with`, `and`, `daughter`).
const ENDS_TOWN: u64 = flag::STOP
    | flag::RELATION
    | flag::NAME_CUE
    | flag::STRONG_CUE
    | flag::LABEL
    | flag::ROLE
    | flag::PLACE_PREP
    | flag::CONTACT
    | flag::PERSON_TITLE
    | flag::PROVIDER_TITLE;

/// The case a street line is written in: mixed, where capitals tell a town from the next
/// clause, or one case, where only the lists and the address's shape can.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum LineCase {
    Mixed,
    Lower,
    Upper,
}

/// What the tail reader knows besides the text: how the street is written and what the
/// lists hold for a word.
struct Reader<'a, F: Fn(&[u8]) -> u64> {
    text: &'a [u8],
    case: LineCase,
    flags: F,
}

/// Returns the end of the address whose street line is `start..end`; `flags` gives the
/// lexicon's flags of a word, read only when the street is written in one case.
pub fn whole_address(text: &[u8], start: usize, end: usize, flags: impl Fn(&[u8]) -> u64) -> usize {
    let r = Reader {
        text,
        case: line_case(text.get(start..end).unwrap_or_default()),
        flags,
    };
    let mut at = end;
    // `Jørgensenhøgda 2B / 1369 Hannehamn`: a street rule took the postcode after a
    // separator, so the town after it needs no comma (stop 51).
    let mut after_postcode = ends_in_separated_postcode(text, start, end);
    let mut after_town = false;
    for part in 0..MAX_PARTS {
        let next = if part == 0 {
            r.town_after_in(at)
                .or_else(|| r.town_in_parentheses(at))
                .map(|e| (e, Part::Town))
        } else {
            None
        };
        let Some((next, kind)) = next.or_else(|| r.tail_part(at, after_postcode, after_town))
        else {
            break;
        };
        at = next;
        after_postcode = kind == Part::Postcode;
        after_town = kind == Part::Town;
    }
    at
}

/// The street line `start..end` ends in a postcode of four to six digits written after
/// ` / ` or `, ` (`Landstrasse 153 / 52616`), not in a house number.
fn ends_in_separated_postcode(text: &[u8], start: usize, end: usize) -> bool {
    let Some(line) = text.get(start..end) else {
        return false;
    };
    let digits = line.iter().rev().take_while(|c| c.is_ascii_digit()).count();
    let at = line.len() - digits;
    (4..=6).contains(&digits)
        && at >= 2
        && matches!(&line[at - 2..at], b"/ " | b", ")
        && postcode(text, start + at) == Some(end)
}

/// Which kind of part of an address the tail reader took last.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
    Postcode,
    Town,
    Other,
}

/// Lower when the street line has lower-case letters and no capitals, upper when the
/// reverse, mixed otherwise (a street of digits only says nothing: mixed).
fn line_case(street: &[u8]) -> LineCase {
    let lower = street.iter().any(u8::is_ascii_lowercase);
    let upper = street.iter().any(u8::is_ascii_uppercase);
    match (lower, upper) {
        (true, false) => LineCase::Lower,
        (false, true) => LineCase::Upper,
        _ => LineCase::Mixed,
    }
}

/// The end of a postcode written right after a place (`Soria, 51006`, `Quarto 90039`,
/// `Sagar, 372831`), or `end` when none follows. A four-digit year is not a postcode
/// (`moved to Boston 2019`). Two capitals may stand between when the postcode is no US ZIP
/// (`Chania, VA 756 64`, `IN 740987`); a state and ZIP are left to the ZIP rules.
pub fn postcode_after(text: &[u8], end: usize) -> usize {
    let Some((start, _)) = skip_separator(text, end) else {
        return end;
    };
    match postcode(text, start) {
        Some(e) if !looks_like_year(&text[start..e]) => e,
        Some(_) => end,
        None => region_code_and_postcode(text, start).unwrap_or(end),
    }
}

/// `VA 756 64`: two capitals, a space and a postcode that is no US ZIP; its end.
fn region_code_and_postcode(text: &[u8], i: usize) -> Option<usize> {
    let code = text.get(i..i + 3)?;
    let shaped = code[0].is_ascii_uppercase() && code[1].is_ascii_uppercase() && code[2] == b' ';
    if !shaped || us_zip_at(text, i + 3) {
        return None;
    }
    postcode(text, i + 3).filter(|&e| !looks_like_year(&text[i + 3..e]))
}

/// The town written after a postcode span (`post code 1234, Oslo`, `postcode 40909, town
/// pontevedra`), its start and end: a comma, an optional `town`/`city`, then one to three
/// words whose first no list knows as something other than a place.
pub fn town_after_postcode(
    text: &[u8],
    start: usize,
    end: usize,
    flags: impl Fn(&[u8]) -> u64,
) -> Option<(usize, usize)> {
    if start >= end || postcode(text, start) != Some(end) || !text[end..].starts_with(b", ") {
        return None;
    }
    let mut i = end + 2;
    for cue in [&b"town "[..], b"city "] {
        if text
            .get(i..i + cue.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(cue))
        {
            i += cue.len();
        }
    }
    let word = run(text, i, |c| c.is_ascii_alphabetic());
    let w = text.get(i..i + word)?;
    if w.len() < 3 || flags(w) & (NOT_TOWN | flag::REGION) != 0 {
        return None;
    }
    let case = if w.iter().all(u8::is_ascii_lowercase) {
        LineCase::Lower
    } else if w.iter().all(u8::is_ascii_uppercase) {
        LineCase::Upper
    } else {
        LineCase::Mixed
    };
    let r = Reader { text, case, flags };
    let town_end = match case {
        LineCase::Mixed => r.capitalised_unlisted_words(i),
        _ => r.town_after_postcode(i),
    };
    town_end.map(|e| (i, e))
}

fn looks_like_year(v: &[u8]) -> bool {
    v.len() == 4 && (v.starts_with(b"19") || v.starts_with(b"20"))
}

impl<F: Fn(&[u8]) -> u64> Reader<'_, F> {
    /// The end of one more address part after `at`, if one follows, and its kind (after a
    /// postcode a town needs no comma: `22263 Lorrach`).
    fn tail_part(
        &self,
        at: usize,
        after_postcode: bool,
        after_town: bool,
    ) -> Option<(usize, Part)> {
        let text = self.text;
        if let Some(end) = dashed_pin(text, at) {
            return Some((end, Part::Postcode));
        }
        let (start, comma) = skip_separator(text, at)?;
        let folded = self.case == LineCase::Lower && (after_town || comma);
        if let Some(end) = postcode(text, start).or_else(|| {
            folded
                .then(|| folded_lettered_postcode(text, start))
                .flatten()
        }) {
            return Some((end, Part::Postcode));
        }
        if let Some(end) = unit(text, start)
            .or_else(|| floor_door(text, start))
            .or_else(|| staircase(text, start))
        {
            return Some((end, Part::Other));
        }
        // In one case a capital proves nothing: the lists and the shape must (below).
        let capitalised = match self.case {
            LineCase::Mixed => town(text, start, comma || after_postcode)
                .filter(|_| comma || !self.listed_word_at(start)),
            _ => None,
        };
        capitalised
            .or_else(|| self.one_case_region(start, comma))
            .or_else(|| self.one_case_town(start, comma, false))
            .or_else(|| {
                after_postcode
                    .then(|| self.town_after_postcode(start))
                    .flatten()
            })
            .map(|end| (end, Part::Town))
    }

    /// Whether the word at `i` is one some list knows as other than a place's name and a
    /// number follows it (`2701 Score 7/13`, `1016 Wt 82 kg`): after a postcode with no comma,
    /// such a word labels a reading of the next clause (`94506 Blot` stays a town).
    fn listed_word_at(&self, i: usize) -> bool {
        let n = run(self.text, i, |c| c.is_ascii_alphabetic());
        let number_follows = self.text.get(i + n) == Some(&b' ')
            && self.text.get(i + n + 1).is_some_and(u8::is_ascii_digit);
        n > 0 && number_follows && (self.flags)(&self.text[i..i + n]) & NOT_TOWN != 0
    }

    /// The end of one to three capitalised place words at `i`, single spaces between, up to
    /// the first a list knows as something else (`Oslo Score 7/13`).
    fn capitalised_unlisted_words(&self, i: usize) -> Option<usize> {
        let mut end = None;
        let mut at = i;
        for _ in 0..3 {
            let Some(e) = place_word(self.text, at) else {
                break;
            };
            let word = &self.text[at..e];
            if (self.flags)(word.strip_suffix(b".").unwrap_or(word)) & (NOT_TOWN | flag::REGION)
                != 0
            {
                break;
            }
            end = Some(e);
            if self.text.get(e) != Some(&b' ') {
                break;
            }
            at = e + 1;
        }
        end
    }

    /// `139 40 trelleborg`, `79343 BAD FREIENWALDE`, `23747 goslar and`: in one case, the
    /// town after a postcode needs no comma (the postcode proves the address goes on); its
    /// words run to the first one a list knows as something else (`tychy poland`, `radomsko
    /// cpt`).
    fn town_after_postcode(&self, i: usize) -> Option<usize> {
        if self.case == LineCase::Mixed {
            return None;
        }
        let words = self.one_case_words(i);
        let &(first_start, first_end) = words.first()?;
        let first = &self.text[first_start..first_end];
        let opened = TOWN_OPENERS
            .iter()
            .any(|o| first.eq_ignore_ascii_case(o.as_bytes()));
        let name = usize::from(opened);
        let &(name_start, name_end) = words.get(name)?;
        if name_end - name_start < 3 {
            return None;
        }
        let listed = |(a, b): (usize, usize)| {
            (self.flags)(&self.text[a..b]) & (NOT_TOWN | flag::REGION) != 0
        };
        let taken = words[name..].iter().take_while(|&&w| !listed(w)).count();
        (taken > 0).then(|| words[name + taken - 1].1)
    }

    /// `, iowa`, `, ONTARIO`: after a comma in a one-case address, a state or country the
    /// lists know is the address's last line (a postcode may follow it).
    fn one_case_region(&self, i: usize, comma: bool) -> Option<usize> {
        let end = self.one_case_word(i)?;
        // `, TX 78669`: a state before a US ZIP is left to the ZIP rules (Safe Harbor's ZIP3).
        let before_zip = self.text.get(end) == Some(&b' ') && us_zip_at(self.text, end + 1);
        (self.case != LineCase::Mixed && comma && !before_zip && self.region_at(i)).then_some(end)
    }

    /// `lives at 1256 hareck rd in new matizov.`: in one case, `in` and a town that ends its
    /// clause right after the street.
    fn town_after_in(&self, at: usize) -> Option<usize> {
        let rest = self.text.get(at..)?;
        let word = match self.case {
            LineCase::Lower => b" in ",
            LineCase::Upper => b" IN ",
            LineCase::Mixed => return None,
        };
        if !rest.starts_with(word) {
            return None;
        }
        self.one_case_town(at + word.len(), false, true)
    }

    /// `drive to 12 ostler way (karvi) for`, `4915 Lupinovce Close (Meripom)`: a town alone
    /// in parentheses right after the street (its end, past the closing parenthesis). In
    /// mixed case one to three capitalised words; in one case one to three words of the
    /// street's case whose first (after an opener) no list knows, four letters or more.
    fn town_in_parentheses(&self, at: usize) -> Option<usize> {
        let start = at + 2;
        if self.text.get(at..start)? != b" (" {
            return None;
        }
        let end = match self.case {
            // `(Rear Entrance)`: a town's first word is no English or clinical word.
            LineCase::Mixed => town(self.text, start, true).filter(|_| {
                let first = run(self.text, start, |c| c.is_ascii_alphabetic() || *c >= 0x80);
                (self.flags)(&self.text[start..start + first]) & NOT_TOWN == 0
            })?,
            _ => {
                let words = self.one_case_words(start);
                let opened = words.len() > 1
                    && TOWN_OPENERS.iter().any(|o| {
                        self.text[words[0].0..words[0].1].eq_ignore_ascii_case(o.as_bytes())
                    });
                let (name_start, name_end) = words[usize::from(opened)..].first().copied()?;
                let name = &self.text[name_start..name_end];
                if name.len() < 4 || (self.flags)(name) & NOT_TOWN != 0 {
                    return None;
                }
                words.last()?.1
            }
        };
        (self.text.get(end) == Some(&b')')).then_some(end + 1)
    }

    /// A town of a one-case address at `i`: one to three words of the street's case, the
    /// first (after an opener) a word no list knows; taken when a postcode follows, or when a
    /// comma (or `in`) stands before and the clause ends after it.
    fn one_case_town(&self, i: usize, comma: bool, after_in: bool) -> Option<usize> {
        if self.case == LineCase::Mixed {
            return None;
        }
        let words = self.one_case_words(i);
        let (&(first_start, first_end), rest) = words.split_first()?;
        let first = &self.text[first_start..first_end];
        let opened = TOWN_OPENERS
            .iter()
            .any(|o| first.eq_ignore_ascii_case(o.as_bytes()));
        let (name_start, name_end) = if opened {
            *rest.first()?
        } else {
            (first_start, first_end)
        };
        let name = &self.text[name_start..name_end];
        if name.len() < 4 || (self.flags)(name) & NOT_TOWN != 0 {
            return None;
        }
        // The town's words stop before one a list knows (`radomsko cpt 97530`: the code
        // begins the next clause).
        let end = words
            .iter()
            .skip_while(|&&(start, _)| start <= name_start)
            .take_while(|&&(start, end)| {
                (self.flags)(&self.text[start..end]) & NOT_TOWN & !flag::REGION == 0
            })
            .last()
            .map_or(name_end, |&(_, end)| end);
        let postcode_follows = dashed_pin(self.text, end).is_some()
            || skip_separator(self.text, end).is_some_and(|(after, _)| {
                postcode(self.text, after).is_some()
                    || self.case == LineCase::Lower
                        && folded_lettered_postcode(self.text, after).is_some()
            })
            || comma && self.town_then_postcode(end);
        // An opener and a word no list knows after a comma (`, north moniqueborough with`)
        // are a town's name wherever the clause goes on.
        let shaped = postcode_follows
            || (comma || after_in) && self.clause_ends(end)
            || comma && (opened || japanese_ward(name));
        shaped.then_some(end)
    }

    /// `, kathu, ibhayi, 6420`: after a comma, one more town no list knows and a postcode
    /// follow `end` (a suburb and its town before the postcode).
    fn town_then_postcode(&self, end: usize) -> bool {
        let Some((after, true)) = skip_separator(self.text, end) else {
            return false;
        };
        let words = self.one_case_words(after);
        let (Some(&(first_start, first_end)), Some(&(_, last))) = (words.first(), words.last())
        else {
            return false;
        };
        first_end - first_start >= 3
            && (self.flags)(&self.text[first_start..first_end]) & NOT_TOWN == 0
            && (dashed_pin(self.text, last).is_some()
                || skip_separator(self.text, last)
                    .is_some_and(|(at, _)| postcode(self.text, at).is_some()))
    }

    /// The words of a one-case town at `i`, single spaces between, up to three, stopping
    /// before a word that ends a town (`with`, `daughter`) or is written in the other case.
    fn one_case_words(&self, i: usize) -> Vec<(usize, usize)> {
        let mut words = Vec::with_capacity(3);
        let mut at = i;
        while words.len() < 3 {
            if !words.is_empty() {
                if self.text.get(at) != Some(&b' ') {
                    break;
                }
                at += 1;
            }
            let Some(end) = self.one_case_word(at) else {
                break;
            };
            let word = &self.text[at..end];
            if NOT_PLACE_WORDS
                .iter()
                .any(|w| word.eq_ignore_ascii_case(w.as_bytes()))
                || (self.flags)(word) & ENDS_TOWN != 0
            {
                break;
            }
            words.push((at, end));
            at = end;
        }
        words
    }

    /// The end of one word written wholly in the street's case (letters of other scripts,
    /// inner hyphens and apostrophes allowed), at least two bytes long.
    fn one_case_word(&self, i: usize) -> Option<usize> {
        let wrong_case = |c: &u8| match self.case {
            LineCase::Lower => c.is_ascii_uppercase(),
            _ => c.is_ascii_lowercase(),
        };
        let first = *self.text.get(i)?;
        if !(first.is_ascii_alphabetic() || first >= 0x80) || wrong_case(&first) {
            return None;
        }
        let n = run(self.text, i, |c| {
            (c.is_ascii_alphabetic() || *c >= 0x80 || matches!(c, b'-' | b'\'')) && !wrong_case(c)
        });
        let end = i + n;
        let ends_word = self
            .text
            .get(end)
            .is_none_or(|c| !c.is_ascii_alphanumeric() && !matches!(c, b'-' | b'\''));
        (n >= 2 && ends_word).then_some(end)
    }

    /// The clause ends at `end`: the text or the line ends, a full stop or semicolon
    /// follows, or a comma and a state or country (`, oregon`, `, nj`).
    fn clause_ends(&self, end: usize) -> bool {
        let rest = &self.text[end..];
        match rest.first() {
            None | Some(b'\n' | b'\r') => true,
            Some(b'.' | b';') => rest.get(1).is_none_or(u8::is_ascii_whitespace),
            Some(b',') => self.region_at(end + 1 + run(rest, 1, |c| *c == b' ')),
            // `, kertaimi - first floor`: a spaced dash sets the rest of the line apart.
            // `, SANTIAGOLAND TO SANTIAGOLAND CARE HOME`: a preposition opens the next phrase
            // (the town is a word no list knows, so `, DAILY WITH` is no town).
            Some(b' ') => {
                self.state_code_ends_clause(end + 1)
                    || rest.starts_with(b" - ")
                    || preposition_follows(&rest[1..])
            }
            _ => false,
        }
    }

    /// A state, province or country the lists know starts at `i` (`oregon`, `nj`, `wales`).
    fn region_at(&self, i: usize) -> bool {
        let n = run(self.text, i, |c| c.is_ascii_alphabetic());
        n >= 2
            && boundary(self.text, i + n)
            && (self.flags)(&self.text[i..i + n]) & flag::REGION != 0
    }

    /// `bhusri nj.`, `BRADZALANCE PA.`: a region the lists know after the town, then the
    /// clause's end.
    fn state_code_ends_clause(&self, i: usize) -> bool {
        let n = run(self.text, i, |c| c.is_ascii_alphabetic());
        self.region_at(i)
            && match self.text.get(i + n) {
                None | Some(b'\n' | b'\r') => true,
                Some(b'.' | b';') => self.text.get(i + n + 1).is_none_or(u8::is_ascii_whitespace),
                _ => false,
            }
    }
}

/// Prepositions that open the phrase after a one-case address's town (`, JASTREBARSKO TO
/// PLANTEK`, `, brianfort for the visit`), followed by a word.
const CLAUSE_PREPOSITIONS: &[&str] = &["to", "on", "for", "with", "from", "at", "until", "by"];

/// `rest` opens with one of [`CLAUSE_PREPOSITIONS`] and a space.
fn preposition_follows(rest: &[u8]) -> bool {
    CLAUSE_PREPOSITIONS.iter().any(|p| {
        rest.len() > p.len()
            && rest[..p.len()].eq_ignore_ascii_case(p.as_bytes())
            && rest[p.len()] == b' '
    })
}

/// `Solapur - 845336`, `SULTAN PUR MAJRA - 963746`: an Indian PIN after its town and a dash;
/// its end.
fn dashed_pin(text: &[u8], at: usize) -> Option<usize> {
    let dash = at + run(text, at, |c| *c == b' ');
    if text.get(dash) != Some(&b'-') || dash - at > 1 {
        return None;
    }
    let start = dash + 1 + run(text, dash + 1, |c| *c == b' ');
    let digits = run(text, start, u8::is_ascii_digit);
    (digits == 6 && start - dash <= 2 && boundary(text, start + digits)).then_some(start + digits)
}

/// `hakata-ku`, `TOYONAKA-SHI`: a Japanese ward or city, whose suffix names it a place.
fn japanese_ward(word: &[u8]) -> bool {
    const SUFFIXES: [&[u8]; 5] = [b"-ku", b"-shi", b"-gu", b"-cho", b"-machi"];
    let lower = word.to_ascii_lowercase();
    SUFFIXES
        .iter()
        .any(|s| lower.len() > s.len() + 2 && lower.ends_with(s))
}

/// A lettered postcode written in lower case (`l8h 8y7`, `sw1a 1aa`, `m1x5h6`): read on its
/// capitals, since a one-case note folds them.
fn folded_lettered_postcode(text: &[u8], i: usize) -> Option<usize> {
    let rest = text.get(i..)?;
    let window = rest.get(..rest.len().min(12))?;
    if !window.first()?.is_ascii_lowercase() {
        return None;
    }
    let upper = window.to_ascii_uppercase();
    lettered_postcode(&upper)
        .or_else(|| british_postcode(&upper))
        .or_else(|| unspaced_postcode(&upper))
        .or_else(|| eircode(&upper))
        .map(|n| i + n)
}

/// `A 12`, `B 4`: a Finnish staircase letter and flat number after the house number
/// (`Mannerheimintie 5 A 12`): one capital from A to H, a space, one to three digits.
fn staircase(text: &[u8], i: usize) -> Option<usize> {
    let letter = *text.get(i)?;
    let digits = run(text, i + 2, u8::is_ascii_digit);
    let end = i + 2 + digits;
    ((b'A'..=b'H').contains(&letter)
        && text.get(i + 1) == Some(&b' ')
        && (1..=3).contains(&digits)
        && boundary(text, end))
    .then_some(end)
}

/// Skips `, `, ` / `, ` ` or one line break; says whether a comma, slash or line break was
/// crossed.
fn skip_separator(text: &[u8], at: usize) -> Option<(usize, bool)> {
    let mut i = at;
    let mut comma = false;
    let mut newlines = 0;
    while i < text.len() && i < at + 4 {
        match text[i] {
            b' ' | b'\t' => {}
            // A shipping label's ` / ` separates address lines as a comma does.
            b',' | b'/' if !comma => comma = true,
            b'\n' if newlines == 0 => {
                newlines += 1;
                comma = true;
            }
            b'\r' => {}
            _ => break,
        }
        i += 1;
    }
    (i > at && i < text.len()).then_some((i, comma))
}

/// UK (`PH9V 2LR`), Canadian (`K1A 0B1`), Polish (`48-413`), Dutch (`7706MW`), Japanese
/// (`123-9480`), Portuguese (`1877-678`), Brazilian (`79388-229`), Czech, Slovak and Swedish
/// (`069 53`), lettered (`H-9020`, `CH-8001`), US ZIP+4 and four-to-six-digit postcodes,
/// ending at a word boundary.
fn postcode(text: &[u8], i: usize) -> Option<usize> {
    let rest = &text[i..];
    let digits = rest.iter().take_while(|c| c.is_ascii_digit()).count();
    let digits_after = |at: usize| run(rest, at, u8::is_ascii_digit);
    let end = match digits {
        2 if rest.get(2) == Some(&b'-') && digits_after(3) == 3 => i + 6,
        3 if rest.get(3) == Some(&b'-') && digits_after(4) == 4 => i + 8,
        3 if rest.get(3) == Some(&b' ') && digits_after(4) == 2 => i + 6,
        4 if rest.get(4) == Some(&b'-') && digits_after(5) == 3 => i + 8,
        4 if run(rest, 4, u8::is_ascii_uppercase) == 2 => i + 6,
        4 if rest.get(4) == Some(&b' ') && run(rest, 5, u8::is_ascii_uppercase) == 2 => i + 7,
        5 if rest.get(5) == Some(&b'-') && digits_after(6) == 4 => i + 10,
        5 if rest.get(5) == Some(&b'-') && digits_after(6) == 3 => i + 9,
        4..=6 => i + digits,
        0 => {
            return lettered_postcode(rest)
                .or_else(|| british_postcode(rest))
                .or_else(|| unspaced_postcode(rest))
                .or_else(|| eircode(rest))
                .map(|n| i + n)
        }
        _ => return None,
    };
    boundary(text, end).then_some(end)
}

/// `P24 X2Y3`, `D6W 1A2B`: an Irish Eircode, a routing key (a letter and two digits, or
/// `D6W`), a space, and four letters and digits naming one address.
fn eircode(rest: &[u8]) -> Option<usize> {
    let routing = rest.get(..3)?;
    let key = routing == b"D6W"
        || routing[0].is_ascii_uppercase()
            && routing[1].is_ascii_digit()
            && routing[2].is_ascii_digit();
    let unique = rest.get(4..8)?;
    let ok = key
        && rest[3] == b' '
        && unique
            .iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        && unique.iter().any(u8::is_ascii_digit)
        && unique.iter().any(u8::is_ascii_uppercase)
        && rest.get(8).is_none_or(|c| !c.is_ascii_alphanumeric());
    ok.then_some(8)
}

/// `M1X5H6`, `H34KWN9`: a Canadian postal code (letter-digit, three times) or an Irish
/// Eircode (a letter, two digits, four letters and digits with both) written without its
/// space.
fn unspaced_postcode(rest: &[u8]) -> Option<usize> {
    let ends_at = |n: usize| rest.get(n).is_none_or(|c| !c.is_ascii_alphanumeric());
    let canadian = rest.len() >= 6
        && rest[..6].iter().enumerate().all(|(k, c)| {
            if k % 2 == 0 {
                c.is_ascii_uppercase()
            } else {
                c.is_ascii_digit()
            }
        })
        && ends_at(6);
    if canadian {
        return Some(6);
    }
    let unique = rest.get(3..7)?;
    let eircode = rest[0].is_ascii_uppercase()
        && rest[1].is_ascii_digit()
        && rest[2].is_ascii_digit()
        && unique
            .iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        && unique.iter().any(u8::is_ascii_digit)
        && unique.iter().any(u8::is_ascii_uppercase)
        && ends_at(7);
    eircode.then_some(7)
}

/// `H-9020`, `CH-8001`, `D-10115`: a country's letters, a hyphen and four or five digits.
fn lettered_postcode(rest: &[u8]) -> Option<usize> {
    let letters = run(rest, 0, u8::is_ascii_uppercase);
    let digits = run(rest, letters + 1, u8::is_ascii_digit);
    let n = letters + 1 + digits;
    ((1..=2).contains(&letters)
        && rest.get(letters) == Some(&b'-')
        && (4..=5).contains(&digits)
        && rest.get(n).is_none_or(|c| !c.is_ascii_alphanumeric()))
    .then_some(n)
}

/// `SW1A 1AA`, `G8F 1TF`, `K1A 0B1`: an outward code of letters and digits, a space, then
/// a digit and two letters (or letter-digit-letter-digit for Canada).
fn british_postcode(rest: &[u8]) -> Option<usize> {
    let outward = rest
        .iter()
        .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        .count();
    if !(2..=4).contains(&outward)
        || !rest[0].is_ascii_uppercase()
        || !rest[..outward].iter().any(u8::is_ascii_digit)
        || rest.get(outward) != Some(&b' ')
    {
        return None;
    }
    let inward = &rest[outward + 1..];
    let uk = inward.len() >= 3
        && inward[0].is_ascii_digit()
        && inward[1].is_ascii_uppercase()
        && inward[2].is_ascii_uppercase();
    let ca = inward.len() >= 3
        && inward[0].is_ascii_digit()
        && inward[1].is_ascii_uppercase()
        && inward[2].is_ascii_digit();
    let n = outward + 4;
    ((uk || ca) && (rest.len() == n || !rest[n].is_ascii_alphanumeric())).then_some(n)
}

/// `Apt. 69`, `Suite 690`, `Appartamento 24`, `#4B`.
fn unit(text: &[u8], i: usize) -> Option<usize> {
    let word_end = i + run(text, i, u8::is_ascii_alphabetic);
    let mut j = if text.get(i) == Some(&b'#') {
        i + 1
    } else {
        let word = std::str::from_utf8(&text[i..word_end]).ok()?;
        if !UNIT_WORDS.contains(&word.to_ascii_lowercase().as_str()) {
            return None;
        }
        word_end
    };
    j += run(text, j, |c| matches!(c, b'.' | b' ' | b'#' | b':'));
    let n = run(text, j, |c| {
        c.is_ascii_alphanumeric() || *c == b'-' || *c == b'/'
    });
    let has_digit = text[j..j + n].iter().any(u8::is_ascii_digit);
    // `Unit D`, `apt c`: after a unit word (not `#`), one letter alone names the unit.
    let letter = n == 1 && text[j].is_ascii_alphabetic() && text[i] != b'#' && j > word_end;
    (n > 0 && n <= 8 && has_digit || letter).then_some(j + n)
}

/// `3º B`, `2ª`, `1º Izq`: a Spanish floor (an ordinal, which the canonical view writes
/// `3o`) and the door's letter or side.
fn floor_door(text: &[u8], i: usize) -> Option<usize> {
    let digits = run(text, i, u8::is_ascii_digit);
    if !(1..=2).contains(&digits) || !matches!(text.get(i + digits), Some(b'o' | b'a')) {
        return None;
    }
    let floor = i + digits + 1;
    if !boundary(text, floor) {
        return None;
    }
    let door = floor + 1 + run(text, floor + 1, u8::is_ascii_alphabetic);
    let door_word = text.get(floor + 1..door).unwrap_or_default();
    let has_door = text.get(floor) == Some(&b' ')
        && (door_word.len() == 1 && door_word[0].is_ascii_uppercase()
            || matches!(door_word, b"Izq" | b"Dcha" | b"Dcho" | b"izq" | b"dcha"));
    Some(if has_door { door } else { floor })
}

/// A town or region: one to three capitalised words (`Tarnowskie Gory`, `TP. Can Tho`,
/// `Lake Tylermouth`, `IL`). Without a comma before it, a town counts only when a postcode
/// follows (`Lorrach 22263`), since a capitalised word after a street can begin a sentence.
fn town(text: &[u8], i: usize, comma: bool) -> Option<usize> {
    let mut end = i;
    let mut words = 0;
    while words < 3 {
        let start = if words == 0 {
            i
        } else {
            let gap = run(text, end, |c| *c == b' ');
            if gap != 1 {
                break;
            }
            end + 1
        };
        let Some(word_end) = place_word(text, start) else {
            break;
        };
        end = word_end;
        words += 1;
    }
    if words == 0 {
        return None;
    }
    // A district and its province joined by a slash (`Kadikoy/Istanbul`) are a Turkish
    // address's last line, comma or not.
    if comma || district_pair(text, end) {
        return Some(end);
    }
    let (after, _) = skip_separator(text, end)?;
    postcode(text, after).map(|_| end)
}

/// Whether a slash and a capitalised place word follow at `end`, with no space between.
fn district_pair(text: &[u8], end: usize) -> bool {
    text.get(end) == Some(&b'/') && place_word(text, end + 1).is_some()
}

/// One capitalised word of a place name, with inner hyphens and apostrophes, and a period
/// only for short abbreviations (`TP.`, `St.`). A word in another script counts when its
/// first letter is a capital (`Дебар`, `Άρτα`) or its script has no capitals (`מודיעין`,
/// `תל`, `北京`).
fn place_word(text: &[u8], i: usize) -> Option<usize> {
    let first = *text.get(i)?;
    if first >= 0x80 {
        return other_script_place_word(text, i);
    }
    if !first.is_ascii_uppercase() {
        return None;
    }
    let n = run(text, i, |c| {
        c.is_ascii_alphabetic() || matches!(c, b'-' | b'\'')
    });
    let word = std::str::from_utf8(&text[i..i + n]).ok()?;
    if n < 2
        || !boundary(text, i + n)
        || us_state_before_zip(text, i, n)
        || NOT_PLACE_WORDS.contains(&word.to_ascii_lowercase().as_str())
    {
        return None;
    }
    let abbreviation =
        n <= 3 && text.get(i + n) == Some(&b'.') && text.get(i + n + 1) == Some(&b' ');
    Some(if abbreviation { i + n + 1 } else { i + n })
}

/// The end of a place word written in a script other than Latin, starting at `i`.
fn other_script_place_word(text: &[u8], i: usize) -> Option<usize> {
    let rest = std::str::from_utf8(&text[i..]).ok().or_else(|| {
        // A view cut mid-text: read up to the last whole character.
        let valid = std::str::from_utf8(&text[i..]).err()?.valid_up_to();
        std::str::from_utf8(&text[i..i + valid]).ok()
    })?;
    let first = rest.chars().next()?;
    if !first.is_alphabetic() || first.is_lowercase() {
        return None;
    }
    let n: usize = rest
        .chars()
        .take_while(|&c| is_script_letter(c) || c == '-')
        .map(char::len_utf8)
        .sum();
    (n >= 2 && boundary(text, i + n)).then_some(i + n)
}

/// A letter or a mark of a word in any script (Devanagari vowel signs and viramas are marks,
/// not letters, but are inside words); never a space, digit or punctuation.
fn is_script_letter(c: char) -> bool {
    c.is_alphabetic()
        || !c.is_ascii()
            && !c.is_whitespace()
            && !c.is_numeric()
            && !matches!(c, '\u{2000}'..='\u{206F}' | '\u{3000}'..='\u{303F}' | '\u{FF00}'..='\u{FF0F}')
}

/// `IL 62704`: a US state and ZIP end the grown part, so the ZIP rules can keep its first
/// three digits where the policy allows (Safe Harbor's ZIP3). Two capitals before another
/// country's postcode (`IN 740987`, `VA 756 64`) are part of the address.
fn us_state_before_zip(text: &[u8], i: usize, n: usize) -> bool {
    n == 2
        && text[i..i + 2].iter().all(u8::is_ascii_uppercase)
        && text.get(i + 2) == Some(&b' ')
        && us_zip_at(text, i + 3)
}

/// A US ZIP (five digits, or ZIP+4) starts at `i`.
fn us_zip_at(text: &[u8], i: usize) -> bool {
    let digits = run(text, i, u8::is_ascii_digit);
    let plus4 = text.get(i + 5) == Some(&b'-') && run(text, i + 6, u8::is_ascii_digit) == 4;
    digits == 5 && (boundary(text, i + 5) || plus4)
}

fn run(text: &[u8], from: usize, f: impl Fn(&u8) -> bool) -> usize {
    text.get(from..)
        .map_or(0, |rest| rest.iter().take_while(|c| f(c)).count())
}

fn boundary(text: &[u8], at: usize) -> bool {
    text.get(at).is_none_or(|c| !c.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_postcode_after_a_place_is_taken_and_a_year_is_not() {
        let t = b"Soria, 51006. Quarto 90039 then Boston 2019 and Sagar, 372831";
        let at = |w: &str| {
            let s = std::str::from_utf8(t).unwrap_or_default();
            s.find(w).map(|i| i + w.len()).unwrap_or_default()
        };
        assert_eq!(postcode_after(t, at("Soria")), at("51006"));
        assert_eq!(postcode_after(t, at("Quarto")), at("90039"));
        assert_eq!(postcode_after(t, at("Boston")), at("Boston"));
        assert_eq!(postcode_after(t, at("Sagar")), at("372831"));
    }

    fn grown(text: &str, street: &str) -> String {
        let start = text.find(street).expect("street in text");
        let end = whole_address(text.as_bytes(), start, start + street.len(), |_| 0);
        text[start..end].to_string()
    }

    #[test]
    fn tails_of_many_conventions_are_taken() {
        let cases = [
            (
                "to ul. Fredry 66, Rumia, 48-413. Left a",
                "ul. Fredry 66",
                "ul. Fredry 66, Rumia, 48-413",
            ),
            (
                "at 7 Edwards Alley, Harveyberg PH9V 2LR. Daughter",
                "7 Edwards Alley",
                "7 Edwards Alley, Harveyberg PH9V 2LR",
            ),
            (
                "C. Abilio Bru 63 Apt. 69 , Albacete 08077. Daughter",
                "C. Abilio Bru 63",
                "C. Abilio Bru 63 Apt. 69 , Albacete 08077",
            ),
            (
                "at Mendestr. 516, Lorrach 22263. Daughter",
                "Mendestr. 516",
                "Mendestr. 516, Lorrach 22263",
            ),
            (
                "Lives at Fischerstr. 9 Lorrach 22263 now",
                "Fischerstr. 9",
                "Fischerstr. 9 Lorrach 22263",
            ),
            (
                "12 Main St\nSpringfield, IL 62704\n\nPlan",
                "12 Main St",
                "12 Main St\nSpringfield",
            ),
            (
                "So 597 pho Nguyen, TP. Hue, 56690. Account",
                "So 597 pho Nguyen",
                "So 597 pho Nguyen, TP. Hue, 56690",
            ),
            (
                "to 7 Harbour View, Cobh, P24 X2Y3. Daughter",
                "7 Harbour View",
                "7 Harbour View, Cobh, P24 X2Y3",
            ),
            (
                "at 1 Kerkstraat, 7706MW Herpen",
                "1 Kerkstraat",
                "1 Kerkstraat, 7706MW Herpen",
            ),
            (
                "en Calle Mayor, 14, 3o B, 28013 Madrid. Hija",
                "Calle Mayor, 14",
                "Calle Mayor, 14, 3o B, 28013 Madrid",
            ),
            (
                "at Skycovska 6, 824 21 Sulov now",
                "Skycovska 6",
                "Skycovska 6, 824 21 Sulov",
            ),
            (
                "at Rua Nova 96, 1877-678 Lisboa. Son",
                "Rua Nova 96",
                "Rua Nova 96, 1877-678 Lisboa",
            ),
            (
                "at Miskolci utca 135, H-9020 Gyor. Son",
                "Miskolci utca 135",
                "Miskolci utca 135, H-9020 Gyor",
            ),
            (
                "at Rua B 12, 79388-229 Campinas",
                "Rua B 12",
                "Rua B 12, 79388-229 Campinas",
            ),
            (
                "to Орце Николов 6б, 53501 Дебар. Son",
                "Орце Николов 6б",
                "Орце Николов 6б, 53501 Дебар",
            ),
            (
                "to פדויים 63, מודיעין 7574 now",
                "פדויים 63",
                "פדויים 63, מודיעין 7574",
            ),
            (
                "at Ataturk Cd. No: 5 Kadikoy/Istanbul with her son",
                "Ataturk Cd. No: 5",
                "Ataturk Cd. No: 5 Kadikoy/Istanbul",
            ),
            (
                "to Sillanpaakatu 56 A 33, 27692 Kristiinankaupunki. Son",
                "Sillanpaakatu 56",
                "Sillanpaakatu 56 A 33, 27692 Kristiinankaupunki",
            ),
        ];
        for (text, street, want) in cases {
            assert_eq!(grown(text, street), want, "{text}");
        }
    }

    /// Flags a small lexicon would give: enough to tell towns from clauses in the tests.
    fn test_flags(w: &[u8]) -> u64 {
        match w.to_ascii_lowercase().as_slice() {
            b"then" | b"with" | b"and" | b"in" | b"the" => flag::STOP,
            b"ambulating" | b"rested" | b"well" | b"falls" | b"pain" | b"bed" | b"score"
            | b"units" | b"cpt" | b"patient" => flag::ENGLISH,
            b"iowa" | b"oregon" | b"nj" | b"pa" => flag::REGION,
            _ => 0,
        }
    }

    fn grown_one_case(text: &str, street: &str) -> String {
        let start = text.find(street).expect("street in text");
        let end = whole_address(text.as_bytes(), start, start + street.len(), test_flags);
        text[start..end].to_string()
    }

    #[test]
    fn one_case_towns_are_taken_when_shape_proves_them() {
        let cases = [
            (
                "home to 715 troy square, port kevinmouth 26259 with niece",
                "715 troy square",
                "715 troy square, port kevinmouth 26259",
            ),
            (
                "to 3366 montgomery rapid suite 370, north melissaberg, iowa l8h 8y7 with",
                "3366 montgomery rapid",
                "3366 montgomery rapid suite 370, north melissaberg, iowa l8h 8y7",
            ),
            (
                "pickup at 1696 kovce rd, harradt.\nnext",
                "1696 kovce rd",
                "1696 kovce rd, harradt",
            ),
            (
                "home to 7771 thomas trail suite 636, north moniqueborough with son",
                "7771 thomas trail",
                "7771 thomas trail suite 636, north moniqueborough",
            ),
            (
                "ship splint to 3227 vuom close, bhusri nj.",
                "3227 vuom close",
                "3227 vuom close, bhusri nj",
            ),
            (
                "lives at 1256 hareck rd in new matizov.\nplan",
                "1256 hareck rd",
                "1256 hareck rd in new matizov",
            ),
            (
                "9087 runig rd\nkolkovojna, oregon thume",
                "9087 runig rd",
                "9087 runig rd\nkolkovojna, oregon",
            ),
            (
                "AT 1613 OAK BLVD, GEORGETWON, PA 78669. DRIVER",
                "1613 OAK BLVD",
                "1613 OAK BLVD, GEORGETWON",
            ),
            (
                "PICKUP AT 7007 ADEHINAZAR CLOSE, CUTTI.",
                "7007 ADEHINAZAR CLOSE",
                "7007 ADEHINAZAR CLOSE, CUTTI",
            ),
            (
                "home to 5221 Patricia Falls, Blackburnton M1X5H6 with niece",
                "5221 Patricia Falls",
                "5221 Patricia Falls, Blackburnton M1X5H6",
            ),
            (
                "pt lives at goethestrasse 98, 23747 goslar and travels",
                "goethestrasse 98",
                "goethestrasse 98, 23747 goslar",
            ),
            (
                "HOME: ECKSTRASSE 886, 79343 BAD FREIENWALDE",
                "ECKSTRASSE 886",
                "ECKSTRASSE 886, 79343 BAD FREIENWALDE",
            ),
            (
                "ULICA SOBIESKIEGO 82\n78-197 RADOMSKO CPT 97530",
                "ULICA SOBIESKIEGO 82",
                "ULICA SOBIESKIEGO 82\n78-197 RADOMSKO",
            ),
            (
                "address: 3-23-3 nishiki, hakata-ku, fukuoka 891-1849.",
                "3-23-3 nishiki",
                "3-23-3 nishiki, hakata-ku, fukuoka 891-1849",
            ),
            (
                "ADDRESS: 44/19, MANI CHOWK, SULTAN PUR MAJRA - 963746.",
                "44/19, MANI CHOWK",
                "44/19, MANI CHOWK, SULTAN PUR MAJRA - 963746",
            ),
            (
                "address: 4851 high umgwaqo, welkom, chatsworth, 1016.",
                "4851 high umgwaqo",
                "4851 high umgwaqo, welkom, chatsworth, 1016",
            ),
            (
                "AT 19412 NUNEZ RADIAL, UNIT D.",
                "19412 NUNEZ RADIAL",
                "19412 NUNEZ RADIAL, UNIT D",
            ),
            (
                "to:\n992 James Umgwaqo, Upington\nBethlehem, 2701 Score 7/13.",
                "992 James Umgwaqo",
                "992 James Umgwaqo, Upington\nBethlehem, 2701",
            ),
        ];
        for (text, street, want) in cases {
            assert_eq!(grown_one_case(text, street), want, "{text}");
        }
    }

    #[test]
    fn a_town_after_a_cued_postcode_is_taken_and_a_clause_is_not() {
        let cases = [
            (
                "postcode 40909, town pontevedra. ok",
                "40909",
                "40909, town pontevedra",
            ),
            ("post code 2013, Oslo Score 7/13", "2013", "2013, Oslo"),
            ("POST CODE 8609, MAHIKENG", "8609", "8609, MAHIKENG"),
            ("postcode 40909, Patient seen", "40909", "40909"),
            ("postcode 40909, units given", "40909", "40909"),
            ("postcode abc, Oslo", "abc", "abc"),
        ];
        for (text, value, want) in cases {
            let start = text.find(value).unwrap_or_default();
            let end = start + value.len();
            let end = town_after_postcode(text.as_bytes(), start, end, test_flags)
                .map_or(end, |(_, e)| e);
            assert_eq!(&text[start..end], want, "{text}");
        }
    }

    #[test]
    fn one_case_words_without_the_shape_of_a_town_stay() {
        let cases = [
            ("at 3 east court then rested.", "3 east court"),
            ("at 3 east court, then rested.", "3 east court"),
            ("at 12 elm st, ambulating well.", "12 elm st"),
            ("at 12 elm st, kovce and then home", "12 elm st"),
            ("at 12 elm st in pain.", "12 elm st"),
            ("at 12 elm st kovce.", "12 elm st"),
            ("AT 12 ELM ST IN BED.", "12 ELM ST"),
            ("at 12 elm st, 12345 units given", "12 elm st, 12345"),
        ];
        for (text, street) in cases {
            assert_eq!(grown_one_case(text, street), street, "{text}");
        }
    }

    #[test]
    fn two_capitals_before_another_countrys_postcode_are_taken_and_a_zip_is_left() {
        let t = "to Chania, VA 756 64 with, Urumqi, IN 740987 now, Springfield, IL 62704";
        let after = |w: &str| t.find(w).map(|i| i + w.len()).unwrap_or_default();
        assert_eq!(
            postcode_after(t.as_bytes(), after("Chania")),
            after("756 64")
        );
        assert_eq!(
            postcode_after(t.as_bytes(), after("Urumqi")),
            after("740987")
        );
        assert_eq!(
            postcode_after(t.as_bytes(), after("Springfield")),
            after("Springfield")
        );
    }

    #[test]
    fn what_follows_a_street_but_is_not_address_stays() {
        let cases = [
            ("at 12 Main St on Monday", "12 Main St", "12 Main St"),
            (
                "at 12 Main St. Daughter Ana called",
                "12 Main St",
                "12 Main St",
            ),
            (
                "at 12 Main St, Daughter Ana called",
                "12 Main St",
                "12 Main St",
            ),
            ("at 12 Main St with wife", "12 Main St", "12 Main St"),
            ("at 12 Main St, дочь", "12 Main St", "12 Main St"),
            ("at 12 Main St Monday 3 units", "12 Main St", "12 Main St"),
            (
                "at Ataturk Cd. No: 5 Kadikoy then",
                "Ataturk Cd. No: 5",
                "Ataturk Cd. No: 5",
            ),
            ("at 12 Main St A and B", "12 Main St", "12 Main St"),
        ];
        for (text, street, want) in cases {
            assert_eq!(grown(text, street), want, "{text}");
        }
    }

    #[test]
    fn a_town_after_a_postcode_the_street_took_after_a_separator_is_taken() {
        assert_eq!(
            grown(
                "Ship to: Landstrasse 153 / 52616 Eschen / tel +423",
                "Landstrasse 153 / 52616"
            ),
            "Landstrasse 153 / 52616 Eschen"
        );
        // A house number is no postcode: the town still needs its comma.
        assert_eq!(
            grown("at Landstrasse 1534 Then we left", "Landstrasse 1534"),
            "Landstrasse 1534"
        );
    }
}
