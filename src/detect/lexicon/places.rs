//! The rules that mark places: facility names, gazetteer towns and multi-word places,
//! streets' neighbours, and unknown capitalised words after a place preposition.

use super::flag;
use super::words::Shape;
use super::Ctx;
use crate::phi::PhiType;

/// Facility words that name one hospital rather than say what it is (`Memorial Hospital`,
/// `Union Memorial`).
const NAMING_FACILITY_WORDS: &[&str] = &["memorial"];

/// Words before a facility word that describe it rather than name it.
const GENERIC_FACILITY_WORDS: &[&str] = &[
    "outside",
    "community",
    "local",
    "other",
    "same",
    "previous",
    "acute",
    "state",
    "general",
    "regional",
    "private",
    "public",
    "nearby",
    "new",
    "old",
    "home",
    "nursing",
    "rehab",
    "medical",
    "health",
    "county",
    "city",
    "university",
    "children's",
    "childrens",
    "veterans",
    "transfer",
    "osh",
    "hospital",
    "center",
    "clinic",
];

impl Ctx<'_> {
    /// `Calvert Hospital`, `Fairview Skilled Nursing Facility`, `Lakewood Hand Clinic`: the
    /// capitalised words before a facility word name a place when at least one of them is
    /// distinctive (in no dictionary, or a name that is not a common word).
    pub(super) fn mark_facility(&self, i: usize, marks: &mut [Option<PhiType>]) {
        if !self.has(i, flag::FACILITY) || i == 0 {
            return;
        }
        let chain = self.facility_chain(i);
        let Some(&leftmost) = chain.last() else {
            return;
        };
        // `to sacred heart hospital`, `from Holy Cross`: after `to`/`from`/`at` or a place
        // verb, a facility's name may be written in lower case or in English words.
        let cued = leftmost > 0 && self.has(leftmost - 1, flag::PLACE_PREP | flag::PLACE_CUE);
        let lower = self.words[i].shape == Shape::Lower
            || chain.iter().any(|&k| self.words[k].shape == Shape::Lower);
        if lower && !cued {
            return;
        }
        // The leftmost distinctive word starts the place name; generic words to its left
        // (`Outside`, `General`) are not part of it. In lower case a surname list proves
        // nothing (`hand therapy clinic`).
        let generic = |k: usize| {
            let w = &self.words[k];
            GENERIC_FACILITY_WORDS
                .iter()
                .any(|g| self.text[w.start..w.end].eq_ignore_ascii_case(g.as_bytes()))
                || self.has(k, flag::FACILITY)
        };
        // English words name a facility only as a cued phrase of two or more (`Holy Cross`,
        // `sacred heart`); one (`to hand clinic`, `to pain clinic`) is a specialty.
        // `Memorial` names a hospital wherever it stands (`taken to Memorial Hospital`, `at
        // Union Memorial`): no generic facility is called so.
        let naming = |k: usize| {
            let w = &self.words[k];
            NAMING_FACILITY_WORDS
                .iter()
                .any(|g| self.text[w.start..w.end].eq_ignore_ascii_case(g.as_bytes()))
        };
        let named = naming(i) || chain.iter().any(|&k| naming(k));
        let english_needed = if named { 1 } else { 2 };
        let english_ok = cued && chain.iter().filter(|&&k| !generic(k)).count() >= english_needed;
        let distinctive = |k: usize| {
            naming(k) && cued
                || !generic(k)
                    && (english_ok
                        || !(self.has(k, flag::ENGLISH) || lower && self.has(k, flag::NAME))
                        || !lower && self.has(k, flag::NAME) && !self.has(k, flag::COMMON)
                        || self.has(k, flag::PLACE) && !(lower && self.has(k, flag::ENGLISH)))
        };
        let Some(pos) = chain.iter().rposition(|&k| distinctive(k)) else {
            return;
        };
        for &k in &chain[..=pos] {
            // The facility word is stronger evidence than a name list (Calvert Hospital).
            marks[k] = Some(PhiType::Location);
        }
        // The whole name, facility word included (`St. Brigid's Hospital`), so no part of
        // it is left beside the token. Notes in capitals say less about where a name ends
        // (`HAND THERAPY FOLLOW-UP` is a heading).
        if !self.caps_mode {
            marks[i] = Some(PhiType::Location);
        }
    }

    /// The words before facility word `i` that may name it, nearest first: up to five,
    /// stopping at a function word, clinical vocabulary, a cue, a digit or an inner
    /// apostrophe.
    fn facility_chain(&self, i: usize) -> Vec<usize> {
        let mut chain = Vec::with_capacity(5);
        let mut j = i;
        while j > 0 && chain.len() < 5 && self.joined(j - 1, b"'&.-") {
            let k = j - 1;
            let w = &self.words[k];
            let word = &self.text[w.start..w.end];
            let inner_apostrophe = word.contains(&b'\'') && !word.ends_with(b"'s");
            // A period after a word of four letters or more ends a sentence (`advance diet.
            // Skin care`), not an abbreviation inside a name (`St. Brigid's Hospital`).
            let sentence_end = self.sentence_end_after(k);
            // Facility words inside a name (`Savannah Rehab Center`) do not end it.
            let blocked = !self.has(k, flag::FACILITY)
                && self.has(
                    k,
                    flag::STOP
                        | flag::CLINICAL
                        | flag::CREDENTIAL
                        | flag::PLACE_CUE
                        | flag::PLACE_PREP
                        | flag::NAME_CUE
                        | flag::RELATION,
                );
            if blocked
                || sentence_end
                || inner_apostrophe
                || w.end - w.start < 2
                || word.iter().any(u8::is_ascii_digit)
            {
                break;
            }
            chain.push(k);
            j = k;
        }
        chain
    }

    /// Known US cities and counties: `in Kalamazoo`, `from Cedar Rapids`, `Peoria, IL`.
    /// A gazetteer word that is also an English word (Mobile, Reading, Hope) needs place
    /// context; a distinctive one written as a name counts on its own.
    pub(super) fn mark_gazetteer(
        &self,
        i: usize,
        phrases: &rustc_hash::FxHashSet<Box<[u8]>>,
        marks: &mut [Option<PhiType>],
    ) {
        if marks[i].is_some() || !self.name_shaped(i) {
            return;
        }
        let end = if self.has(i, flag::PLACE_START) {
            self.phrase_end(i, phrases)
        } else {
            None
        };
        let (last, multi) = match end {
            Some(j) => (j, true),
            None if self.has(i, flag::PLACE) || self.is_name_town(i) => (i, false),
            None => return,
        };
        let context = self.place_context_before(i) || self.state_after(last);
        let words = i..=last;
        let all_capitalised = words.clone().all(|k| self.words[k].shape == Shape::Cap);
        let has_rare_word = words.clone().any(|k| {
            !self.has(
                k,
                flag::ENGLISH | flag::COMMON | flag::NEVER_NAME | flag::STOP,
            )
        });
        let blocked = words
            .clone()
            .any(|k| self.has(k, flag::NEVER_NAME | flag::STOP));
        let accept = if multi {
            // `Cedar Rapids` written as a name, or a phrase with a rare word after `in`.
            !blocked && (all_capitalised && !self.caps_mode || context && has_rare_word)
        } else {
            let rare = !self.has(
                i,
                flag::ENGLISH | flag::COMMON | flag::NEVER_NAME | flag::STOP,
            );
            let distinctive =
                rare && !self.has(i, flag::NAME) && self.words[i].end - self.words[i].start >= 5;
            // `in Savannah`: a capitalised, uncommon word after a place cue in mixed-case text.
            let written_as_place = !self.caps_mode
                && self.words[i].shape == Shape::Cap
                && !self.has(i, flag::COMMON | flag::NEVER_NAME | flag::STOP);
            let after_street = self.after_street(i);
            (rare || written_as_place) && (context || after_street)
                || distinctive && !self.caps_mode
        };
        if accept {
            for m in marks.iter_mut().take(last + 1).skip(i) {
                *m = Some(PhiType::Location);
            }
        }
    }

    /// `refilled at the Douglaschester pharmacy`, `TO THE HICKSBERG LOAN STORE`, `Pharmacy
    /// (Davidburgh) called`: a shop named after its town, by a word no list holds between
    /// `the` and the shop's noun, or in parentheses after `pharmacy`.
    pub(super) fn mark_named_shop(&self, i: usize, marks: &mut [Option<PhiType>]) {
        if i == 0 || i + 1 >= self.words.len() || marks[i].is_some() {
            return;
        }
        if !(self.unlisted_word(i) || self.is_name_town(i)) {
            return;
        }
        let gap = |k: usize| &self.text[self.words[k].end..self.words[k + 1].start];
        let shop_after = gap(i) == b" "
            && (self.word_is(i + 1, b"pharmacy")
                || self.word_is(i + 1, b"loan")
                    && self.word_is(i + 2, b"store")
                    && gap(i + 1) == b" ");
        let before_shop = self.word_is(i - 1, b"the") && gap(i - 1) == b" " && shop_after;
        let in_parentheses =
            self.word_is(i - 1, b"pharmacy") && gap(i - 1) == b" (" && gap(i).starts_with(b")");
        if before_shop || in_parentheses {
            marks[i] = Some(PhiType::Location);
        }
    }

    /// `Shannonbury`, `Rebeccaberg`: an unknown word made of a listed name and a town ending.
    pub(super) fn is_name_town(&self, i: usize) -> bool {
        let w = &self.words[i];
        flag::unknown(w.flags) && self.lexicon.is_name_town(&self.text[w.start..w.end])
    }

    /// The last word of the longest place phrase starting at `i`, if any.
    pub(super) fn phrase_end(
        &self,
        i: usize,
        phrases: &rustc_hash::FxHashSet<Box<[u8]>>,
    ) -> Option<usize> {
        let mut key = self.text[self.words[i].start..self.words[i].end].to_ascii_lowercase();
        let mut best = None;
        for j in i + 1..(i + 4).min(self.words.len()) {
            if !self.joined(j - 1, b".") {
                break;
            }
            // `St. Cloud`: the gazetteer keeps the abbreviation's period.
            if self.text[self.words[j - 1].end..self.words[j].start].starts_with(b".") {
                key.push(b'.');
            }
            key.push(b' ');
            key.extend(
                self.text[self.words[j].start..self.words[j].end]
                    .iter()
                    .map(u8::to_ascii_lowercase),
            );
            if phrases.contains(key.as_slice())
                || !key.is_ascii() && phrases.contains(unicode_lower(&key).as_bytes())
            {
                best = Some(j);
            }
        }
        best
    }

    /// `12 Mill Rd, Peoria`: a comma after a street suffix introduces the city.
    pub(super) fn after_street(&self, i: usize) -> bool {
        const SUFFIXES: &[&str] = &[
            "st", "street", "rd", "road", "ave", "avenue", "blvd", "ln", "lane", "dr", "drive",
            "ct", "court", "pl", "place", "way", "pkwy", "hwy", "ter", "cir",
        ];
        if i == 0
            || !self.joined(i - 1, b",.")
            || !self.text[self.words[i - 1].end..self.words[i].start].contains(&b',')
        {
            return false;
        }
        let prev = &self.text[self.words[i - 1].start..self.words[i - 1].end];
        SUFFIXES
            .iter()
            .any(|s| prev.eq_ignore_ascii_case(s.as_bytes()))
            || prev.iter().all(u8::is_ascii_digit)
    }

    /// `in`, `from`, `to`, `near` (or a residence or movement verb) just before.
    pub(super) fn place_context_before(&self, i: usize) -> bool {
        i > 0 && self.joined(i - 1, b"") && self.has(i - 1, flag::PLACE_PREP | flag::PLACE_CUE)
    }

    /// `, IL` right after.
    pub(super) fn state_after(&self, last: usize) -> bool {
        let Some(next) = self.words.get(last + 1) else {
            return false;
        };
        let gap = &self.text[self.words[last].end..next.start];
        let word = &self.text[next.start..next.end];
        gap.starts_with(b",")
            && gap.len() <= 3
            && word.len() == 2
            && word.iter().all(u8::is_ascii_uppercase)
    }

    /// `transferred to Quartermain`, `lives in Catonsville`, `ADMITTED TO GH`: after a
    /// movement or residence verb and a preposition, a word no dictionary knows is a place.
    pub(super) fn mark_place(&self, i: usize, marks: &mut [Option<PhiType>]) {
        if !self.has(i, flag::PLACE_CUE)
            || i + 2 >= self.words.len()
            || !self.has(i + 1, flag::PLACE_PREP)
        {
            return;
        }
        if !self.joined(i, b"") {
            return;
        }
        let mut k = i + 2;
        // `to the Zagaria campus`
        if self.text[self.words[k].start..self.words[k].end].eq_ignore_ascii_case(b"the")
            && k + 1 < self.words.len()
        {
            k += 1;
        }
        let mut taken = 0;
        while k < self.words.len()
            && taken < 3
            && self.joined(k - 1, b".'")
            && !(taken > 0 && self.sentence_end_after(k - 1))
        {
            let w = &self.words[k];
            let placeish = taken == 0 && self.facility_acronym(k)
                || !self.has(
                    k,
                    flag::NEVER_NAME
                        | flag::ENGLISH
                        | flag::NAME_CUE
                        | flag::RELATION
                        | flag::STRONG_CUE,
                ) && w.end - w.start >= if self.caps_mode { 4 } else { 3 }
                    && !self.text[w.start..w.end].iter().any(u8::is_ascii_digit)
                    && (w.shape != Shape::Lower || w.end - w.start >= 5)
                    && !self.misspelt_lower(k)
                || self.dictionary_name(k) && w.shape != Shape::Lower;
            if !placeish || marks[k].is_some() && marks[k] != Some(PhiType::Name) {
                break;
            }
            marks[k] = Some(PhiType::Location);
            taken += 1;
            k += 1;
        }
    }

    /// A lower-case word of a note with capitals that is a known word misspelt (`transfered
    /// to commonde/chair`, `return to discess speach excercises`; stop 57): no place. A
    /// capital is a name's own evidence there, and in a one-case note a surname is as often
    /// one slip from a word, so only lower-case words of a mixed-case note are asked.
    fn misspelt_lower(&self, k: usize) -> bool {
        let w = &self.words[k];
        w.shape == Shape::Lower
            && !self.caps_mode
            && !self.lower_mode
            && self.misspelt(&self.text[w.start..w.end])
    }

    /// `on Quartermain 6`, `TO ELLISON 12`, `from quartermain 2`: after a preposition, a
    /// word no list knows as English or clinical, followed by a one- or two-digit floor or
    /// ward number, is the name of a ward or building (hospitals name them after people
    /// and places). A word no list knows at all may also open a clause without the
    /// preposition (`PLAN: HALVERSTOKE 2 WHEN BED AVAIL`). Only the name is marked; the
    /// number says nothing about anyone.
    pub(super) fn mark_ward(&self, i: usize, marks: &mut [Option<PhiType>]) {
        const WARD_PREPOSITIONS: &[&[u8]] =
            &[b"to", b"on", b"from", b"at", b"in", b"into", b"onto"];
        if i == 0 || marks[i].is_some() {
            return;
        }
        let w = &self.words[i];
        let word = &self.text[w.start..w.end];
        let distinctive = !self.has(
            i,
            flag::ENGLISH
                | flag::COMMON
                | flag::NEVER_NAME
                | flag::VOCAB
                | flag::NAME_CUE
                | flag::RELATION
                | flag::STRONG_CUE,
        );
        // The word itself first (most words are vocabulary), then the words around it.
        let shaped = distinctive
            && word.len() >= 5
            && word.iter().all(u8::is_ascii_alphabetic)
            && w.shape != Shape::Mixed;
        if !shaped {
            return;
        }
        let prev = if self.joined(i - 1, b"") {
            &self.text[self.words[i - 1].start..self.words[i - 1].end]
        } else {
            &b""[..]
        };
        let after_preposition = || {
            WARD_PREPOSITIONS
                .iter()
                .any(|p| prev.eq_ignore_ascii_case(p))
        };
        let opens_clause =
            || flag::unknown(w.flags) && self.ward_clause_start(i) && pronounceable(word);
        if (after_preposition() || opens_clause()) && ward_number_after(self.text, w.end) {
            marks[i] = Some(PhiType::Location);
        }
    }

    /// `at GH`, `from BWH`, `to UMMC cath lab`: after a place preposition, an acronym of two
    /// to five capitals that no list knows and that ends the way hospitals' short names do
    /// (`H` for hospital, `MC` for medical center) is a hospital. Units and bleeds with the
    /// same ending (`OSH`, `SAH`, `ICH`) are in the clinical vocabulary.
    pub(super) fn mark_hospital_acronym(&self, i: usize, marks: &mut [Option<PhiType>]) {
        if i == 0 || marks[i].is_some() {
            return;
        }
        // The word itself first: most words are no acronym in capitals.
        let w = &self.words[i];
        let word = &self.text[w.start..w.end];
        if !((2..=5).contains(&word.len())
            && flag::unknown(w.flags)
            && word.iter().all(u8::is_ascii_uppercase)
            && (word.ends_with(b"H") || word.ends_with(b"MC")))
        {
            return;
        }
        if !self.joined(i - 1, b"") {
            return;
        }
        // `from the GBMC`: the article may stand between.
        let the = |k: usize| {
            self.text[self.words[k].start..self.words[k].end].eq_ignore_ascii_case(b"the")
        };
        let after_the =
            i > 1 && the(i - 1) && self.joined(i - 2, b"") && self.has(i - 2, flag::PLACE_PREP);
        if self.has(i - 1, flag::PLACE_PREP) || after_the {
            marks[i] = Some(PhiType::Location);
        }
    }

    /// A period right after word `k` ends a sentence: the word has four letters or more
    /// (`diet.`, `CHART.`), so it is no abbreviation (`St.`, `Mt.`).
    pub(super) fn sentence_end_after(&self, k: usize) -> bool {
        let w = &self.words[k];
        self.text.get(w.end) == Some(&b'.') && w.end - w.start > 3
    }

    /// Word `i` opens a clause: it starts the text or a line, or follows a colon, comma or
    /// semicolon (`PLAN: Halverstoke 2 when a bed opens`, `…, halverstoke 2`).
    fn ward_clause_start(&self, i: usize) -> bool {
        let start = self.words[i].start;
        let before = &self.text[..start];
        let trimmed = before.trim_ascii_end();
        trimmed.is_empty()
            || before[trimmed.len()..].contains(&b'\n')
            || matches!(trimmed.last(), Some(b':' | b',' | b';'))
    }

    /// `transferred to GH`, `followed at gh`: right after a place cue, a two-to-four-letter
    /// acronym that no list knows (units such as ICU, CCU or IR are clinical vocabulary) is
    /// the short name of a hospital; a doubled letter (`BB`) is not.
    fn facility_acronym(&self, k: usize) -> bool {
        let w = &self.words[k];
        let len = w.end - w.start;
        let word = &self.text[w.start..w.end];
        // One letter doubled shortens one word (`sent to BB`, the blood bank), not the
        // initials of a hospital's name.
        let doubled = len == 2 && word[0].eq_ignore_ascii_case(&word[1]);
        !doubled
            && (2..=4).contains(&len)
            && flag::unknown(w.flags)
            && matches!(w.shape, Shape::Upper | Shape::Lower)
            && self.text[w.start..w.end]
                .iter()
                .all(u8::is_ascii_alphabetic)
    }

    /// `lives alone in Ceuta`, `drove her from Kolobrzeg`, `moved to Tadepalligudem`,
    /// `a voicemail for Wiktor`: in mixed-case text a capitalised word that no list knows
    /// (not English, not a name, not clinical) right after a preposition is a place or a
    /// person; either way it is identifying (a safe-vocabulary reading: unknown is suspect).
    /// `in South Michellemouth`, `from Lake Tylermouth`: a place-name opener may come first.
    pub(super) fn mark_unknown_after_preposition(&self, i: usize, marks: &mut [Option<PhiType>]) {
        const PLACE_PREPOSITIONS: &[&[u8]] = &[b"in", b"from", b"near", b"outside", b"to", b"at"];
        const PERSON_PREPOSITIONS: &[&[u8]] = &[b"for", b"with", b"by"];
        const PLACE_OPENERS: &[&[u8]] = &[
            b"north", b"south", b"east", b"west", b"new", b"lake", b"port", b"mount", b"san",
            b"santa", b"saint", b"st", b"fort", b"el", b"la", b"las", b"los", b"le", b"bad",
        ];
        // The name (or a place's opener before it) is title case: `unknown_capitalised`.
        if self.caps_mode
            || i == 0
            || marks[i].is_some()
            || self.words[i].shape != Shape::Cap
            || !self.joined(i - 1, b"")
        {
            return;
        }
        let prev = &self.text[self.words[i - 1].start..self.words[i - 1].end];
        let is = |list: &[&[u8]], w: &[u8]| list.iter().any(|p| w.eq_ignore_ascii_case(p));
        let ty = if is(PLACE_PREPOSITIONS, prev) {
            PhiType::Location
        } else if is(PERSON_PREPOSITIONS, prev) {
            PhiType::Name
        } else {
            return;
        };
        let word = &self.text[self.words[i].start..self.words[i].end];
        let opener = ty == PhiType::Location
            && self.words[i].shape == Shape::Cap
            && is(PLACE_OPENERS, word)
            && i + 1 < self.words.len()
            && self.joined(i, b".")
            && self.unknown_capitalised(i + 1);
        let first = if opener { i + 1 } else { i };
        // After `to`, `at` and `by` short unknown words are more often jargon (`to Lcx`).
        let min_len = if matches!(prev.len(), 2) && !prev.eq_ignore_ascii_case(b"in") {
            5
        } else {
            4
        };
        if !self.unknown_capitalised(first)
            || self.words[first].end - self.words[first].start < min_len
        {
            return;
        }
        for m in marks.iter_mut().take(first + 1).skip(i) {
            *m = Some(ty);
        }
        // `from Gorzow Wielkopolski`, `for Nuray Atzler`: the rest of a many-word name.
        let mut k = first + 1;
        while k < self.words.len() && k < first + 3 && self.joined(k - 1, b"-") {
            if !self.name_part(k) || marks[k].is_some() {
                break;
            }
            marks[k] = Some(ty);
            k += 1;
        }
    }
}

/// Written like a name rather than an acronym (`NQWMI`, `CXR`): two vowels or more and no
/// run of four consonants.
fn pronounceable(word: &[u8]) -> bool {
    let vowel = |c: &u8| {
        matches!(
            c.to_ascii_lowercase(),
            b'a' | b'e' | b'i' | b'o' | b'u' | b'y'
        )
    };
    let vowels = word.iter().filter(|c| vowel(c)).count();
    let longest_consonants = word.split(|c| vowel(c)).map(<[u8]>::len).max().unwrap_or(0);
    vowels >= 2 && longest_consonants < 4
}

/// A phrase of words in other scripts (`Нижний Новгород`) in lower case, as the lists write it.
fn unicode_lower(key: &[u8]) -> String {
    String::from_utf8_lossy(key).to_lowercase()
}

/// A floor or ward number right after a word: one space, one or two digits, then no more
/// of a number (`6.5`), no glued letters, and no unit or dose word after it (`2 mg`, `2 L`).
fn ward_number_after(text: &[u8], end: usize) -> bool {
    const UNITS: &[&[u8]] = &[
        b"mg", b"mcg", b"g", b"gm", b"gr", b"u", b"units", b"unit", b"cc", b"ml", b"l", b"lpm",
        b"meq", b"mmol", b"mm", b"cm", b"kg", b"lb", b"lbs", b"hr", b"hrs", b"h", b"min", b"mins",
        b"x", b"times", b"tabs", b"tab", b"puffs", b"amps", b"amp", b"liters", b"days", b"day",
        b"weeks", b"am", b"pm", b"of", b"to", b"and", b"or", b"%",
    ];
    let rest = &text[end.min(text.len())..];
    if rest.first() != Some(&b' ') {
        return false;
    }
    let digits = rest[1..].iter().take_while(|c| c.is_ascii_digit()).count();
    if !(1..=2).contains(&digits) {
        return false;
    }
    let after = &rest[1 + digits..];
    match after.first() {
        None => true,
        Some(c) if c.is_ascii_alphanumeric() || matches!(c, b'%' | b'/' | b'-' | b':' | b'x') => {
            false
        }
        Some(b'.') => !after.get(1).is_some_and(u8::is_ascii_digit),
        Some(_) => {
            let from = after.iter().take_while(|c| **c == b' ').count();
            let len = after[from..]
                .iter()
                .take_while(|c| c.is_ascii_alphanumeric() || **c == b'%')
                .count();
            let next = &after[from..from + len];
            !UNITS.iter().any(|u| next.eq_ignore_ascii_case(u))
        }
    }
}
