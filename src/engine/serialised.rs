//! Records serialised in text by other syntaxes than a JSON, CSV or XML document (red team
//! 55, J11): logfmt runs and `.env` lines (`user=zvezdana zip=01085`, `PATIENT_ZIP=01085`),
//! SQL `INSERT INTO t (cols) VALUES (…)`, `UPDATE t SET col = …` and `WHERE col = …` /
//! `col IN (…)`, `key: "value"` and `key = "value"` lines (YAML, TOML, a JSON fragment that
//! does not parse whole), a YAML mapping's bare values (`age: 94`, `name: Ines Delacroix`),
//! Python/Ruby/JS object literals (`{'zip': '01085'}`, `{:zip => "01085"}`), an element's
//! attributes quoted in prose (`<pt zip="01085" data-age="93"/>`), and label lines whose
//! lower-case value is a name or a county (`First: zvezdana`, `County: hampden`) or whose
//! label is a name part (`First: Ines    Last: Delacroix`, two pairs laid out on a line),
//! and (red team 58, R17) a GraphQL operation's arguments (`updatePatient(family:
//! "vukovljevic", zip: "01085")`), an OData `$filter=` expression quoted in a text, and
//! vCard/iCalendar content lines (`FN:`, `N:`, `TEL;TYPE=cell:`, `ADR:`, `BDAY:`,
//! `ATTENDEE;CN=…:`).
//!
//! Owns finding those values and how each is written back. Each value is typed by its key
//! through the field rules (`patterns/fields.toml`), as a JSON key types its value: keys
//! decide types the same way in every reader. Quotes stay where they were. An unquoted
//! number of a typed syntax (SQL, an object literal) stays a number: an age over 89 is
//! written `90`, the floor of the Safe Harbor category, as the FHIR age is (documented
//! convention, red team 55 J29); any other rewrite there is quoted. A value under a key no
//! rule types is left to the prose reading around it, as before.

use std::ops::Range;

use super::fields::{normalize_key, Field};
use super::Engine;
use crate::detect::lexicon::flag;
use crate::phi::PhiType;

/// How a value stands in its syntax, which says how its rewrite is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Written {
    /// Between quotes: the rewrite goes between them.
    Quoted,
    /// A bare word of an untyped syntax (logfmt, `.env`, a label line): a rewrite with a
    /// blank in it is quoted with `"`, so the pair stays one pair.
    Bare,
    /// A form-encoded value (`a=1&zip=01085`): blanks are written `+`.
    Form,
    /// A bare number of a typed syntax (SQL, an object literal): an age over 89 becomes
    /// `90`, and any other rewrite that is no number is quoted with this quote.
    Number(char),
}

/// One value found, where it stands in the text and the type its key gives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Typed {
    pub range: Range<usize>,
    pub ty: PhiType,
    pub written: Written,
}

/// A key longer than this is no field name.
const MAX_KEY_LEN: usize = 48;
/// Object literals nested deeper than this are not read (a hostile text cannot recurse far).
const MAX_LITERAL_DEPTH: usize = 16;
/// HTML's own attributes: `id`, `name` and `class` name the element, not a person's field.
const MARKUP_OWN_ATTRS: &[&str] = &["id", "class", "name", "for", "style", "href", "src"];
/// The Safe Harbor aggregate [`crate::transform`] writes for an age over 89.
const AGE_AGGREGATE: &str = "over 89";

/// One byte search rules out most texts: every syntax read here has `=`, `:`, `<` or
/// (SQL) `(`.
pub fn may_hold_pairs(text: &str) -> bool {
    let b = text.as_bytes();
    memchr::memchr3(b'=', b':', b'<', b).is_some() || memchr::memchr(b'(', b).is_some()
}

/// The typed values of `text[within]`, in order and apart. Readers run from the most
/// specific syntax to the least; a value one found is not read again by the next.
pub fn typed(engine: &Engine, text: &str, within: Range<usize>) -> Vec<Typed> {
    let mut found = Vec::new();
    let keys = Keys { engine };
    sql_inserts(&keys, text, within.clone(), &mut found);
    sql_updates(&keys, text, within.clone(), &mut found);
    sql_wheres(&keys, text, within.clone(), &mut found);
    odata_filters(&keys, text, within.clone(), &mut found);
    graphql_arguments(&keys, text, within.clone(), &mut found);
    content_lines(&keys, text, within.clone(), &mut found);
    literals(&keys, text, within.clone(), &mut found);
    tags(&keys, text, within.clone(), &mut found);
    logfmt(&keys, text, within.clone(), &mut found);
    key_lines(&keys, text, within, &mut found);
    let mut out: Vec<Typed> = Vec::with_capacity(found.len());
    for v in found {
        if v.range.is_empty()
            || out
                .iter()
                .any(|o| o.range.start < v.range.end && v.range.start < o.range.end)
        {
            continue;
        }
        out.push(v);
    }
    out.sort_by_key(|v| v.range.start);
    out
}

/// The rewrite `rewritten` of `value` written as its syntax needs it.
pub fn written(value: &Typed, rewritten: String) -> String {
    match value.written {
        Written::Quoted => rewritten,
        Written::Bare if rewritten.contains(char::is_whitespace) => format!("\"{rewritten}\""),
        Written::Bare => rewritten,
        Written::Form => rewritten.replace(' ', "+"),
        Written::Number(_) if is_number(&rewritten) => rewritten,
        Written::Number(_) if value.ty == PhiType::Age && rewritten == AGE_AGGREGATE => {
            "90".to_string()
        }
        Written::Number(q) => format!("{q}{rewritten}{q}"),
    }
}

/// `12`, `-3`, `93.5`: a number literal as SQL and object literals write one.
fn is_number(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let mut parts = digits.splitn(2, '.');
    let whole = parts.next().unwrap_or("");
    !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && parts
            .next()
            .is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
}

/// Key typing through the field rules, the same for every reader here.
struct Keys<'e> {
    engine: &'e Engine,
}

impl Keys<'_> {
    /// The type a record's key gives its value (`zip`, `PATIENT_ZIP`, `patient.zip`,
    /// `data-age`, `fname` under `patient`): the JSON reading of the key, a person's role
    /// (`patient`) and a name key's lower-case name (`first`) included.
    fn record(&self, raw: &str, parent: Option<&str>, value: &str) -> Option<PhiType> {
        let raw = strip_data_prefix(raw.trim());
        if raw.is_empty() || raw.len() > MAX_KEY_LEN {
            return None;
        }
        let fields = &self.engine.fields;
        let key = normalize_key(raw);
        let field = match parent {
            Some(p) => fields.generic(&key, Some(&normalize_key(p))),
            None => fields.path_key(raw),
        };
        match fields.text_field(field, &key) {
            Field::Phi(ty) => Some(ty),
            Field::Scan if fields.is_name_key(&key) && self.engine.is_keyed_name_value(value) => {
                Some(PhiType::Name)
            }
            _ => None,
        }
    }

    /// The type a note's label line gives its bare value: only a name or a place written in
    /// lower case (`First: zvezdana`, `County: hampden`), which the tagger cannot see; the
    /// rules read every other label line already, and a capitalised name is the tagger's.
    /// A name part's label (`First`, `Last`, `Given`, `Family`, `Surname`, `Forename`:
    /// `name_keys`) types a name in any case (J10: the tagger reads `Last: Delacroix` as a
    /// label and a word), a kinship word (`Family: Wife`) excepted.
    fn label(&self, label: &str, value: &str) -> Option<PhiType> {
        if label.len() > MAX_KEY_LEN || label.split_whitespace().count() > 3 {
            return None;
        }
        let fields = &self.engine.fields;
        let key = normalize_key(label.trim());
        let name_part = fields.is_name_key(&key);
        let ty = match fields.text_field(fields.generic(&key, None), &key) {
            Field::Phi(ty @ (PhiType::Name | PhiType::Location)) => ty,
            Field::Scan if name_part => PhiType::Name,
            _ => return None,
        };
        let lower = value.bytes().all(|b| !b.is_ascii_uppercase());
        let read = match ty {
            PhiType::Name => self.engine.is_keyed_name_value(value),
            _ => self.lower_place(value),
        };
        let any_case = name_part
            && ty == PhiType::Name
            && !super::cells::names_a_relative(self.engine.detector.lexicon(), value);
        (read && (lower || any_case)).then_some(ty)
    }

    /// A YAML mapping's bare value typed by its key as a JSON value is (the JSON reading,
    /// and a value of a scanned key that reads as a name alone: `name: Ines Delacroix`);
    /// else as a label line's.
    fn yaml(&self, raw: &str, parent: Option<&str>, value: &str) -> Option<PhiType> {
        if let Some(ty) = self.record(raw, parent, value) {
            return Some(ty);
        }
        let fields = &self.engine.fields;
        let key = normalize_key(raw.trim());
        let field = match parent {
            Some(p) => fields.generic(&key, Some(&normalize_key(p))),
            None => fields.path_key(raw.trim()),
        };
        if fields.text_field(field, &key) == Field::Scan && self.engine.is_scanned_name_value(value)
        {
            return Some(PhiType::Name);
        }
        self.label(raw, value)
    }

    /// One to three lower-case words none of which is English, common or clinical
    /// (`hampden`, `st lucie`): a place under a key that says it is one. A listed place
    /// counts (a name check would refuse it).
    fn lower_place(&self, value: &str) -> bool {
        let words: Vec<&str> = value.split_whitespace().collect();
        let lexicon = self.engine.detector.lexicon();
        (1..=3).contains(&words.len())
            && words.iter().all(|w| {
                let f = lexicon.flags(w.as_bytes());
                (2..=20).contains(&w.len())
                    && w.bytes().all(|b| b.is_ascii_lowercase())
                    && f & (flag::ENGLISH | flag::COMMON | flag::CLINICAL | flag::STOP) == 0
            })
    }

    /// Whether a logfmt key is also a note's heading abbreviation (`ID`, infectious
    /// disease), which a prose line writes glued to its text by `=`.
    fn is_note_heading(&self, raw: &str) -> bool {
        self.engine
            .fields
            .is_note_heading_key(&normalize_key(raw.trim()))
    }

    /// A form pair's type: its key as a record's, or as a FHIR search parameter
    /// (`name=`, `family=`, `address-city=`), as the form reader types it.
    fn form(&self, raw: &str, value: &str) -> Option<PhiType> {
        self.record(raw, None, value)
            .or_else(|| self.engine.fields.search_param(raw))
    }
}

/// HTML's `data-zip`, `data-patient-age`: the prefix says it is the page's data, not which.
fn strip_data_prefix(key: &str) -> &str {
    match key.get(..5) {
        Some(p) if p.eq_ignore_ascii_case("data-") && key.len() > 5 => &key[5..],
        _ => key,
    }
}

// === A byte cursor shared by the readers ===

struct Cursor<'t> {
    b: &'t [u8],
    at: usize,
    end: usize,
}

impl<'t> Cursor<'t> {
    fn new(text: &'t str, at: usize, end: usize) -> Self {
        Cursor {
            b: text.as_bytes(),
            at,
            end,
        }
    }

    fn peek(&self) -> Option<u8> {
        (self.at < self.end).then(|| self.b[self.at])
    }

    fn blanks(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_whitespace()) {
            self.at += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> bool {
        let hit = self.peek() == Some(byte);
        if hit {
            self.at += 1;
        }
        hit
    }

    /// A case-insensitive ASCII word, not run on into another word.
    fn word(&mut self, w: &str) -> bool {
        let end = self.at + w.len();
        let hit = end <= self.end
            && self.b[self.at..end].eq_ignore_ascii_case(w.as_bytes())
            && !self.b.get(end).is_some_and(|b| is_ident_byte(*b));
        if hit {
            self.at = end;
        }
        hit
    }

    /// An identifier: a letter, `_` or `$`, then those and digits.
    fn ident(&mut self) -> Option<Range<usize>> {
        let start = self.at;
        if !self
            .peek()
            .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_' || b == b'$')
        {
            return None;
        }
        while self.peek().is_some_and(is_ident_byte) {
            self.at += 1;
        }
        Some(start..self.at)
    }

    /// A string between `quote`s, with backslash escapes, or the quote doubled when
    /// `doubled` (SQL): the range inside the quotes. `None` when it does not close (on the
    /// same line when `one_line`).
    fn quoted(&mut self, quote: u8, doubled: bool, one_line: bool) -> Option<Range<usize>> {
        if !self.eat(quote) {
            return None;
        }
        let start = self.at;
        while self.at < self.end {
            let b = self.b[self.at];
            if b == b'\\' && !doubled {
                self.at += 2;
                continue;
            }
            if one_line && b == b'\n' {
                return None;
            }
            if b == quote {
                if doubled && self.b.get(self.at + 1) == Some(&quote) {
                    self.at += 2;
                    continue;
                }
                self.at += 1;
                return Some(start..self.at - 1);
            }
            self.at += 1;
        }
        None
    }

    /// A number literal (`93`, `-1.5`).
    fn number(&mut self) -> Option<Range<usize>> {
        let start = self.at;
        self.eat(b'-');
        let digits = self.at;
        while self
            .peek()
            .is_some_and(|b| b.is_ascii_digit() || b == b'.' || b == b'_')
        {
            self.at += 1;
        }
        if self.at == digits || self.peek().is_some_and(is_ident_byte) {
            self.at = start;
            return None;
        }
        Some(start..self.at)
    }
}

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$'
}

fn push(out: &mut Vec<Typed>, range: Range<usize>, ty: Option<PhiType>, written: Written) {
    if let Some(ty) = ty {
        out.push(Typed { range, ty, written });
    }
}

// === SQL INSERT ===

/// `INSERT INTO t (c1, c2) VALUES (v1, v2)[, (…)]`: each value typed by its column. A
/// tuple whose count differs from the columns', or a value that is no literal (a function
/// call), ends the reading; what was not read stays prose.
fn sql_inserts(keys: &Keys<'_>, text: &str, within: Range<usize>, out: &mut Vec<Typed>) {
    let hay = &text.as_bytes()[within.clone()];
    let finder = memchr::memmem::Finder::new(b"INSERT");
    let lower = memchr::memmem::Finder::new(b"insert");
    let mut starts: Vec<usize> = finder
        .find_iter(hay)
        .chain(lower.find_iter(hay))
        .map(|i| within.start + i)
        .collect();
    starts.sort_unstable();
    for start in starts {
        let mut c = Cursor::new(text, start, within.end);
        let _ = insert(keys, text, &mut c, out);
    }
}

fn insert(keys: &Keys<'_>, text: &str, c: &mut Cursor<'_>, out: &mut Vec<Typed>) -> Option<()> {
    if !c.word("insert") {
        return None;
    }
    c.blanks();
    if !c.word("into") {
        return None;
    }
    c.blanks();
    sql_name(c)?;
    while c.eat(b'.') {
        sql_name(c)?;
    }
    c.blanks();
    if !c.eat(b'(') {
        return None;
    }
    let mut columns = Vec::new();
    loop {
        c.blanks();
        columns.push(sql_name(c)?);
        c.blanks();
        if c.eat(b')') {
            break;
        }
        if !c.eat(b',') {
            return None;
        }
    }
    c.blanks();
    if !c.word("values") {
        return None;
    }
    loop {
        c.blanks();
        let mut row = Vec::new();
        if !c.eat(b'(') {
            return None;
        }
        loop {
            c.blanks();
            row.push(sql_value(c)?);
            c.blanks();
            if c.eat(b')') {
                break;
            }
            if !c.eat(b',') {
                return None;
            }
        }
        if row.len() != columns.len() {
            return None;
        }
        for (col, value) in columns.iter().zip(row) {
            let Some((range, written)) = value else {
                continue;
            };
            let ty = keys.record(&text[col.clone()], None, &text[range.clone()]);
            push(out, range, ty, written);
        }
        c.blanks();
        if !c.eat(b',') {
            return Some(());
        }
    }
}

// === SQL UPDATE and WHERE ===

/// Where `word` stands in `text[within]` in capitals or in lower case.
fn sql_word_starts(text: &str, within: Range<usize>, word: &str) -> Vec<usize> {
    let hay = &text.as_bytes()[within.clone()];
    let upper = word.to_ascii_uppercase();
    let mut starts: Vec<usize> = memchr::memmem::find_iter(hay, upper.as_bytes())
        .chain(memchr::memmem::find_iter(hay, word.as_bytes()))
        .filter(|&i| i == 0 || !is_ident_byte(hay[i - 1]))
        .map(|i| within.start + i)
        .collect();
    starts.sort_unstable();
    starts
}

/// `UPDATE t SET c1 = v1, c2 = v2`: each value typed by its column, as an INSERT's is. An
/// assignment that is no literal (`c = c + 1`, a function call) ends the reading.
fn sql_updates(keys: &Keys<'_>, text: &str, within: Range<usize>, out: &mut Vec<Typed>) {
    for start in sql_word_starts(text, within.clone(), "update") {
        let mut c = Cursor::new(text, start, within.end);
        let _ = update(keys, text, &mut c, out);
    }
}

fn update(keys: &Keys<'_>, text: &str, c: &mut Cursor<'_>, out: &mut Vec<Typed>) -> Option<()> {
    if !c.word("update") {
        return None;
    }
    c.blanks();
    sql_column(c)?;
    c.blanks();
    if !c.word("set") {
        return None;
    }
    loop {
        c.blanks();
        let column = sql_column(c)?;
        c.blanks();
        if !c.eat(b'=') {
            return None;
        }
        c.blanks();
        sql_typed_value(keys, text, c, &column, out)?;
        c.blanks();
        if !c.eat(b',') {
            return Some(());
        }
    }
}

/// `WHERE c = v AND (d <> v OR e IN (v1, v2))`, `LIKE` too, of any statement: each value
/// typed by its column. Anything else (`c > 3`, a sub-query) ends the reading.
fn sql_wheres(keys: &Keys<'_>, text: &str, within: Range<usize>, out: &mut Vec<Typed>) {
    for start in sql_word_starts(text, within.clone(), "where") {
        let mut c = Cursor::new(text, start, within.end);
        let _ = conditions(keys, text, &mut c, out);
    }
}

fn conditions(keys: &Keys<'_>, text: &str, c: &mut Cursor<'_>, out: &mut Vec<Typed>) -> Option<()> {
    if !c.word("where") {
        return None;
    }
    loop {
        c.blanks();
        while c.eat(b'(') {
            c.blanks();
        }
        if c.word("not") {
            c.blanks();
        }
        let column = sql_column(c)?;
        c.blanks();
        if c.word("not") {
            c.blanks();
        }
        if c.word("in") {
            c.blanks();
            if !c.eat(b'(') {
                return None;
            }
            loop {
                c.blanks();
                sql_typed_value(keys, text, c, &column, out)?;
                c.blanks();
                if c.eat(b')') {
                    break;
                }
                if !c.eat(b',') {
                    return None;
                }
            }
        } else {
            sql_comparison(c)?;
            c.blanks();
            sql_typed_value(keys, text, c, &column, out)?;
        }
        c.blanks();
        while c.eat(b')') {
            c.blanks();
        }
        if !(c.word("and") || c.word("or")) {
            return Some(());
        }
    }
}

/// `=`, `==`, `!=`, `<>`, `LIKE`, `ILIKE`: a comparison whose value is the column's.
fn sql_comparison(c: &mut Cursor<'_>) -> Option<()> {
    for op in ["==", "!=", "<>", "="] {
        let end = c.at + op.len();
        if end <= c.end && &c.b[c.at..end] == op.as_bytes() {
            c.at = end;
            return Some(());
        }
    }
    (c.word("like") || c.word("ilike")).then_some(())
}

/// A column, written bare, quoted or with its table (`p.mrn`, `"p"."mrn"`): the range of
/// its own name.
fn sql_column(c: &mut Cursor<'_>) -> Option<Range<usize>> {
    let mut name = sql_name(c)?;
    while c.eat(b'.') {
        name = sql_name(c)?;
    }
    Some(name)
}

/// A literal at the cursor typed by `column` and pushed; `None` when it is no literal.
fn sql_typed_value(
    keys: &Keys<'_>,
    text: &str,
    c: &mut Cursor<'_>,
    column: &Range<usize>,
    out: &mut Vec<Typed>,
) -> Option<()> {
    if let Some((range, written)) = sql_value(c)? {
        let ty = keys.record(&text[column.clone()], None, &text[range.clone()]);
        push(out, range, ty, written);
    }
    Some(())
}

/// A column or table name, bare or quoted (`"zip"`, `` `zip` ``, `[zip]`): its range.
fn sql_name(c: &mut Cursor<'_>) -> Option<Range<usize>> {
    match c.peek()? {
        b'"' => c.quoted(b'"', true, true),
        b'`' => c.quoted(b'`', true, true),
        b'[' => {
            c.at += 1;
            let start = c.at;
            while c.peek().is_some_and(|b| b != b']' && b != b'\n') {
                c.at += 1;
            }
            c.eat(b']').then_some(start..c.at - 1)
        }
        _ => c.ident(),
    }
}

/// A literal of a VALUES tuple: a string (`'…'`, `N'…'`, `E'…'`) or a number, with how it
/// is written; `Some(None)` for `NULL`, `TRUE`, `FALSE`, `DEFAULT`; `None` for anything
/// else.
fn sql_value(c: &mut Cursor<'_>) -> Option<Option<(Range<usize>, Written)>> {
    if matches!(c.peek(), Some(b'N' | b'n' | b'E' | b'e')) && c.b.get(c.at + 1) == Some(&b'\'') {
        c.at += 1;
    }
    if c.peek() == Some(b'\'') {
        return c
            .quoted(b'\'', true, false)
            .map(|r| Some((r, Written::Quoted)));
    }
    if let Some(r) = c.number() {
        return Some(Some((r, Written::Number('\''))));
    }
    for w in ["null", "true", "false", "default"] {
        if c.word(w) {
            return Some(None);
        }
    }
    None
}

// === OData `$filter=` in a text ===

/// `$filter=LastName eq 'vukovljevic' and Zip eq '01085' and Age gt 93` quoted in a text
/// or a JSON string (red team 58, R17): each literal typed by the property it is compared
/// with, as a query's `$filter` is ([`super::odata`]). The expression runs to the line's
/// end or a query's next `&`.
fn odata_filters(keys: &Keys<'_>, text: &str, within: Range<usize>, out: &mut Vec<Typed>) {
    let hay = &text.as_bytes()[within.clone()];
    for i in memchr::memmem::find_iter(hay, b"$filter") {
        let mut at = within.start + i + "$filter".len();
        let b = text.as_bytes();
        while at < within.end && b[at] == b' ' {
            at += 1;
        }
        if at >= within.end || b[at] != b'=' {
            continue;
        }
        let start = at + 1;
        let end = b[start..within.end]
            .iter()
            .position(|&c| c == b'\n' || c == b'&')
            .map_or(within.end, |n| start + n);
        let expr = &text[start..end];
        for (r, ty) in super::odata::typed_literals(expr, &keys.engine.fields) {
            let range = start + r.start..start + r.end;
            let quoted = start + r.start > 0 && b[start + r.start - 1] == b'\'';
            let written = if quoted {
                Written::Quoted
            } else {
                Written::Number('\'')
            };
            push(out, range, Some(ty), written);
        }
    }
}

// === GraphQL arguments ===

/// A GraphQL field's arguments in an operation quoted in a text or a JSON string
/// (`mutation { updatePatient(family: "vukovljevic", zip: "01085", age: 93) { id } }`;
/// red team 58, R17): each value typed by its argument's name, an input object's keys
/// with their argument's. Commas are optional, as GraphQL has them. Only a text with a
/// selection set (`{`) is read, and a `(` glued to a name; an argument list that does not
/// parse whole is prose.
fn graphql_arguments(keys: &Keys<'_>, text: &str, within: Range<usize>, out: &mut Vec<Typed>) {
    let hay = &text.as_bytes()[within.clone()];
    if memchr::memchr(b'{', hay).is_none() {
        return;
    }
    for i in memchr::memchr_iter(b'(', hay) {
        if i == 0 || !is_ident_byte(hay[i - 1]) {
            continue;
        }
        let mut c = Cursor::new(text, within.start + i, within.end);
        let mut found = Vec::new();
        if graphql_list(keys, text, &mut c, None, b'(', b')', 0, &mut found).is_some() {
            out.append(&mut found);
        }
    }
}

/// `(name: value …)` or an input object `{name: value …}` at the cursor.
#[allow(clippy::too_many_arguments)]
fn graphql_list(
    keys: &Keys<'_>,
    text: &str,
    c: &mut Cursor<'_>,
    parent: Option<&str>,
    open: u8,
    close: u8,
    depth: usize,
    out: &mut Vec<Typed>,
) -> Option<()> {
    if depth > MAX_LITERAL_DEPTH || !c.eat(open) {
        return None;
    }
    let mut any = false;
    loop {
        c.blanks();
        if c.eat(close) {
            return any.then_some(());
        }
        let key = c.ident()?;
        let key = &text[key];
        c.blanks();
        if !c.eat(b':') {
            return None;
        }
        c.blanks();
        graphql_value(keys, text, c, key, parent, depth, out)?;
        any = true;
        c.blanks();
        c.eat(b',');
    }
}

/// One argument's value: a string, a number, a variable, an enum or keyword, a list or an
/// input object.
fn graphql_value(
    keys: &Keys<'_>,
    text: &str,
    c: &mut Cursor<'_>,
    key: &str,
    parent: Option<&str>,
    depth: usize,
    out: &mut Vec<Typed>,
) -> Option<()> {
    match c.peek()? {
        b'"' => {
            let r = c.quoted(b'"', false, true)?;
            let ty = keys.record(key, parent, &text[r.clone()]);
            push(out, r, ty, Written::Quoted);
        }
        b'{' => graphql_list(keys, text, c, Some(key), b'{', b'}', depth + 1, out)?,
        b'[' => {
            c.at += 1;
            loop {
                c.blanks();
                if c.eat(b']') {
                    break;
                }
                graphql_value(keys, text, c, key, parent, depth + 1, out)?;
                c.blanks();
                c.eat(b',');
            }
        }
        _ => {
            if let Some(r) = c.number() {
                let ty = keys.record(key, parent, &text[r.clone()]);
                push(out, r, ty, Written::Number('"'));
            } else {
                // `$n`, `ACTIVE`, `true`: a variable (typed where `variables` is read) or
                // a name of the schema's.
                c.ident()?;
            }
        }
    }
    Some(())
}

// === vCard and iCalendar content lines ===

/// `BEGIN:VCARD` … `FN:zvezdana vukovljevic`, `N:vukovljevic;zvezdana;;;`,
/// `TEL;TYPE=cell:413 555 01 72`, `ADR:;;4471 quarry hollow rd;ludlow;MA;01056;US`, and
/// iCalendar's `ATTENDEE;CN=Hope Walker:mailto:…` (red team 58, R17): each property's
/// value, and a `CN` parameter's, typed by its name (`patterns/fields.toml`
/// `[content_lines]`). Read only in a text that opens a card or a calendar component;
/// `SUMMARY`, `DESCRIPTION` and other properties stay text.
fn content_lines(keys: &Keys<'_>, text: &str, within: Range<usize>, out: &mut Vec<Typed>) {
    let hay = &text.as_bytes()[within.clone()];
    if memchr::memmem::find(hay, b"BEGIN:V").is_none()
        && memchr::memmem::find(hay, b"begin:v").is_none()
    {
        return;
    }
    let fields = &keys.engine.fields;
    let mut pos = within.start;
    for line in text[within].split_inclusive('\n') {
        let start = pos;
        pos += line.len();
        let end = start + line.trim_end().len();
        let mut c = Cursor::new(text, start, end);
        let Some(name) = name_run(&mut c, b"-.") else {
            continue;
        };
        // `item1.TEL`: a group before the property's name.
        let name = &text[name];
        let property = name.rsplit('.').next().unwrap_or(name);
        while c.eat(b';') {
            let Some(param) = name_run(&mut c, b"-") else {
                break;
            };
            if !c.eat(b'=') {
                break;
            }
            let value = if c.peek() == Some(b'"') {
                c.quoted(b'"', false, true)
            } else {
                let v = c.at;
                while c.peek().is_some_and(|b| !matches!(b, b';' | b':')) {
                    c.at += 1;
                }
                Some(v..c.at)
            };
            let Some(value) = value else {
                break;
            };
            let ty = fields.content_line(&text[param]);
            if !text[value.clone()].trim().is_empty() {
                push(out, value, ty, Written::Quoted);
            }
        }
        if !c.eat(b':') {
            continue;
        }
        let Some(ty) = fields.content_line(property) else {
            continue;
        };
        let value = c.at..end;
        if property.eq_ignore_ascii_case("n") || property.eq_ignore_ascii_case("adr") {
            structured_parts(text, value, property, ty, out);
        } else if !text[value.clone()].trim().is_empty() {
            push(out, value, Some(ty), Written::Quoted);
        }
    }
}

/// The `;`-separated parts of a structured value: every part of `N` a name; `ADR`'s by
/// their place (post box, extended, street, locality, region, code, country), the region
/// and the country kept, as Safe Harbor keeps a state.
fn structured_parts(
    text: &str,
    value: Range<usize>,
    property: &str,
    ty: PhiType,
    out: &mut Vec<Typed>,
) {
    const ADR: [Option<PhiType>; 7] = [
        Some(PhiType::Address),
        Some(PhiType::Address),
        Some(PhiType::Address),
        Some(PhiType::Location),
        None,
        Some(PhiType::Zip),
        None,
    ];
    let address = property.eq_ignore_ascii_case("adr");
    let mut at = value.start;
    for (k, part) in text[value.clone()].split(';').enumerate() {
        let r = at..at + part.len();
        at = r.end + 1;
        let part_ty = if address {
            ADR.get(k).copied().flatten()
        } else {
            Some(ty)
        };
        if !part.trim().is_empty() {
            push(out, r, part_ty, Written::Quoted);
        }
    }
}

// === Object literals: Python/Ruby/JS ===

/// `{'fname': 'zvezdana', 'age': 93}`, `{:zip => "01085"}`, `{zip: '01085'}`: each value
/// typed by its key, a nested object's keys with their parent's. A brace that opens no
/// literal (`{see below}`) is prose.
fn literals(keys: &Keys<'_>, text: &str, within: Range<usize>, out: &mut Vec<Typed>) {
    let hay = &text.as_bytes()[within.clone()];
    let mut from = 0;
    while let Some(i) = memchr::memchr(b'{', &hay[from..]) {
        let start = within.start + from + i;
        let mut c = Cursor::new(text, start, within.end);
        let mut found = Vec::new();
        let quote = first_quote(&hay[from + i..]);
        if object(keys, text, &mut c, None, quote, 0, &mut found).is_some() {
            out.append(&mut found);
            from = c.at - within.start;
        } else {
            from += i + 1;
        }
    }
}

/// The quote a literal writes its strings with, for a number that must become a string.
fn first_quote(from: &[u8]) -> char {
    match from.iter().find(|b| matches!(b, b'\'' | b'"')) {
        Some(b'"') => '"',
        _ => '\'',
    }
}

fn object(
    keys: &Keys<'_>,
    text: &str,
    c: &mut Cursor<'_>,
    parent: Option<&str>,
    quote: char,
    depth: usize,
    out: &mut Vec<Typed>,
) -> Option<()> {
    if depth > MAX_LITERAL_DEPTH || !c.eat(b'{') {
        return None;
    }
    c.blanks();
    if c.eat(b'}') {
        return Some(());
    }
    loop {
        c.blanks();
        let key = literal_key(c)?;
        let key = &text[key];
        c.blanks();
        if !(c.eat(b':') || (c.eat(b'=') && c.eat(b'>'))) {
            return None;
        }
        c.blanks();
        literal_value(keys, text, c, key, parent, quote, depth, out)?;
        c.blanks();
        if c.eat(b',') {
            c.blanks();
            if c.eat(b'}') {
                return Some(());
            }
            continue;
        }
        return c.eat(b'}').then_some(());
    }
}

/// A literal's key: quoted, a Ruby symbol (`:zip`) or a bare identifier.
fn literal_key(c: &mut Cursor<'_>) -> Option<Range<usize>> {
    match c.peek()? {
        q @ (b'\'' | b'"') => c.quoted(q, false, true),
        b':' => {
            c.at += 1;
            c.ident()
        }
        _ => c.ident(),
    }
}

#[allow(clippy::too_many_arguments)]
fn literal_value(
    keys: &Keys<'_>,
    text: &str,
    c: &mut Cursor<'_>,
    key: &str,
    parent: Option<&str>,
    quote: char,
    depth: usize,
    out: &mut Vec<Typed>,
) -> Option<()> {
    match c.peek()? {
        q @ (b'\'' | b'"') => {
            let r = c.quoted(q, false, false)?;
            let ty = keys.record(key, parent, &text[r.clone()]);
            push(out, r, ty, Written::Quoted);
        }
        b'{' => object(keys, text, c, Some(key), quote, depth + 1, out)?,
        b'[' | b'(' => {
            let close = if c.eat(b'[') {
                b']'
            } else {
                c.at += 1;
                b')'
            };
            loop {
                c.blanks();
                if c.eat(close) {
                    break;
                }
                literal_value(keys, text, c, key, parent, quote, depth + 1, out)?;
                c.blanks();
                if !c.eat(b',') {
                    c.blanks();
                    if !c.eat(close) {
                        return None;
                    }
                    break;
                }
            }
        }
        b':' => {
            // A Ruby symbol value (`:active`): a code.
            c.at += 1;
            c.ident()?;
        }
        _ => {
            if let Some(r) = c.number() {
                let ty = keys.record(key, parent, &text[r.clone()]);
                push(out, r, ty, Written::Number(quote));
            } else {
                let w = c.ident()?;
                let word = &text[w];
                const WORDS: &[&str] = &[
                    "True",
                    "False",
                    "None",
                    "true",
                    "false",
                    "null",
                    "nil",
                    "undefined",
                ];
                if !WORDS.contains(&word) {
                    return None;
                }
            }
        }
    }
    Some(())
}

// === Attributes of an element quoted in prose ===

/// `<pt zip="01085" age="93" first="zvezdana"/>`, `<img data-zip="01085">`: each
/// attribute typed by its name (a `data-` prefix dropped), and an `<input name="zip"
/// value="01085">` value by the field it names.
fn tags(keys: &Keys<'_>, text: &str, within: Range<usize>, out: &mut Vec<Typed>) {
    let hay = &text.as_bytes()[within.clone()];
    for i in memchr::memchr_iter(b'<', hay) {
        let mut c = Cursor::new(text, within.start + i + 1, within.end);
        let Some(_name) = markup_name(&mut c) else {
            continue;
        };
        let mut attrs: Vec<(Range<usize>, Range<usize>)> = Vec::new();
        loop {
            let before = c.at;
            c.blanks();
            if c.at == before {
                break;
            }
            let Some(name) = markup_name(&mut c) else {
                break;
            };
            c.blanks();
            if !c.eat(b'=') {
                break;
            }
            c.blanks();
            let Some(q @ (b'"' | b'\'')) = c.peek() else {
                break;
            };
            let Some(value) = c.quoted(q, true, false) else {
                break;
            };
            attrs.push((name, value));
        }
        for (name, value) in &attrs {
            let n = &text[name.clone()];
            let ty = if n.eq_ignore_ascii_case("value") {
                attrs
                    .iter()
                    .find(|(k, _)| text[k.clone()].eq_ignore_ascii_case("name"))
                    .and_then(|(_, field)| {
                        keys.record(&text[field.clone()], None, &text[value.clone()])
                    })
            } else if MARKUP_OWN_ATTRS.iter().any(|a| n.eq_ignore_ascii_case(a)) {
                None
            } else {
                keys.record(n, None, &text[value.clone()])
            };
            push(out, value.clone(), ty, Written::Quoted);
        }
    }
}

/// An element or attribute name (`pt`, `data-zip`, `xlink:href`).
fn markup_name(c: &mut Cursor<'_>) -> Option<Range<usize>> {
    name_run(c, b"_-:.")
}

/// A name at the cursor: a letter or `_`, then letters, digits and the bytes of `also`.
fn name_run(c: &mut Cursor<'_>, also: &[u8]) -> Option<Range<usize>> {
    let start = c.at;
    if !c
        .peek()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
    {
        return None;
    }
    while c
        .peek()
        .is_some_and(|b| b.is_ascii_alphanumeric() || also.contains(&b))
    {
        c.at += 1;
    }
    Some(start..c.at)
}

// === logfmt runs, `.env` lines and form runs ===

/// `level=info user=zvezdana zip=01085`, `PATIENT_ZIP=01085`, `msg="a b"`, and a form run
/// `name=zvezdana+v&zip=01085`: each value typed by its key. A line of fewer than three
/// pairs is prose with a pair in it (`ROM=120 deg`): its bare names, places and ages are
/// left to the prose reading (a bare `name=John Smith` holds more than its first word)
/// unless the pair is the whole line (`.env`), and its other bare values are read only
/// when they hold a digit. There a key that a note also writes as a heading (`ID=`,
/// `patterns/fields.toml` `note_heading_keys`) types nothing.
fn logfmt(keys: &Keys<'_>, text: &str, within: Range<usize>, out: &mut Vec<Typed>) {
    let mut pos = within.start;
    for line in text[within.clone()].split_inclusive('\n') {
        let start = pos;
        pos += line.len();
        if !line.contains('=') {
            continue;
        }
        let pairs = line_pairs(text, start, start + line.trim_end().len());
        let whole_line =
            pairs.len() == 1 && pairs[0].0.start == start + (line.len() - line.trim_start().len());
        for (key, value, written) in &pairs {
            let v = &text[value.clone()];
            let k = &text[key.clone()];
            let few = pairs.len() < 3 && *written != Written::Quoted;
            // A note's heading glued to its text (`ID=95.8-97.2`, infectious disease) is
            // no field: its value is the prose reading's.
            if few && keys.is_note_heading(k) {
                continue;
            }
            let ty = match written {
                Written::Form => keys.form(k, v),
                _ => keys.record(k, None, v),
            };
            let Some(ty) = ty else {
                continue;
            };
            let loose = matches!(
                ty,
                PhiType::Name
                    | PhiType::ProviderName
                    | PhiType::Address
                    | PhiType::Location
                    | PhiType::Age
            );
            if few && loose && !whole_line {
                continue;
            }
            // A note's `ID=afebrile` (infectious disease), `ID=T max 100`: a bare code
            // outside a record holds a digit.
            if few && !loose && !v.bytes().any(|b| b.is_ascii_digit()) {
                continue;
            }
            push(out, value.clone(), Some(ty), *written);
        }
    }
}

/// The `key=value` pairs of one line: (key, value, how the value is written). A pair
/// starts a blank-separated word; `export ` before a `.env` pair is a word of its own.
fn line_pairs(text: &str, start: usize, end: usize) -> Vec<(Range<usize>, Range<usize>, Written)> {
    let b = text.as_bytes();
    let mut pairs = Vec::new();
    let mut c = Cursor::new(text, start, end);
    loop {
        c.blanks();
        if c.at >= end {
            break;
        }
        let word = c.at;
        if let Some(key) = logfmt_key(&mut c) {
            if c.eat(b'=') {
                if c.peek() == Some(b'"') {
                    if let Some(v) = c.quoted(b'"', false, true) {
                        pairs.push((key, v, Written::Quoted));
                        continue;
                    }
                } else {
                    let v = c.at;
                    while c.peek().is_some_and(|x| !x.is_ascii_whitespace()) {
                        c.at += 1;
                    }
                    let value = v..c.at;
                    let raw = &text[value.clone()];
                    if raw.contains('&') && raw.contains('=') {
                        form_run(text, key.start..c.at, &mut pairs);
                    } else if !value.is_empty() && !raw.contains('=') {
                        pairs.push((key, trim_end_punct(b, value), Written::Bare));
                    }
                    continue;
                }
            }
        }
        c.at = word;
        while c.peek().is_some_and(|x| !x.is_ascii_whitespace()) {
            c.at += 1;
        }
    }
    pairs
}

/// A bare value's end without the sentence's `,` `;` or `.` after it.
fn trim_end_punct(b: &[u8], mut r: Range<usize>) -> Range<usize> {
    while r.end > r.start + 1 && matches!(b[r.end - 1], b',' | b';' | b'.' | b')') {
        r.end -= 1;
    }
    r
}

/// A logfmt key (`zip`, `PATIENT_ZIP`, `patient.zip`, `user-name`).
fn logfmt_key(c: &mut Cursor<'_>) -> Option<Range<usize>> {
    name_run(c, b"_.-").filter(|r| r.len() <= MAX_KEY_LEN)
}

/// `name=a+b&zip=01085&age=93`: each pair of a form run in a line.
fn form_run(text: &str, run: Range<usize>, pairs: &mut Vec<(Range<usize>, Range<usize>, Written)>) {
    let mut at = run.start;
    for piece in text[run.clone()].split('&') {
        let p = at..at + piece.len();
        at = p.end + 1;
        if let Some(eq) = piece.find('=') {
            let key = p.start..p.start + eq;
            let value = p.start + eq + 1..p.end;
            if !key.is_empty() && !value.is_empty() {
                pairs.push((key, value, Written::Form));
            }
        }
    }
}

// === `key: "value"` and `key = "value"` lines, and label lines ===

/// YAML and TOML lines and JSON fragments whose value is quoted (`zip: "01085"`,
/// `zip = "01085"`, `"zip": "01085",`) typed by their key; a label line's bare lower-case
/// name or place (`First: zvezdana`) by [`Keys::label`].
fn key_lines(keys: &Keys<'_>, text: &str, within: Range<usize>, out: &mut Vec<Typed>) {
    let piece = &text[within.clone()];
    let syntax = Syntax {
        toml: piece.lines().any(is_toml_table),
        yaml: reads_as_yaml(piece),
    };
    // A YAML mapping's open keys (`patient:`), by their indent: the parent of what follows.
    let mut open: Vec<(usize, Range<usize>)> = Vec::new();
    let mut pos = within.start;
    for line in piece.split_inclusive('\n') {
        let start = pos;
        pos += line.len();
        let end = start + line.trim_end().len();
        let parent = if syntax.yaml {
            yaml_parent(text, start..end, &mut open)
        } else {
            None
        };
        if !line.contains([':', '=']) {
            continue;
        }
        let parent = parent.map(|r| &text[r]);
        for seg in laid_out_pairs(text, start..end) {
            let _ = key_line(keys, text, seg, syntax, parent, out);
        }
    }
}

/// Which syntaxes a text's key lines are read as.
#[derive(Clone, Copy)]
struct Syntax {
    /// `[table]` headers: `key = 93` is TOML's number.
    toml: bool,
    /// A YAML document or mapping ([`reads_as_yaml`]): bare values are typed by their key.
    yaml: bool,
}

/// A YAML document (`---` first) or mapping: a key line with nothing after its colon over
/// a more indented key line (`patient:` / `  age: 94`), or two lines or more of
/// `key: value` under lower-case identifier keys (`name: …`, `dob: …`). A note's labels
/// (`Name: …`, `Plan: …`) are capitalised words and stay label lines.
fn reads_as_yaml(piece: &str) -> bool {
    if piece.lines().find(|l| !l.trim().is_empty()).map(str::trim) == Some("---") {
        return true;
    }
    let mut lower_pairs = 0;
    let mut open_indent: Option<usize> = None;
    for line in piece.lines() {
        let Some((indent, key, rest)) = yaml_key_line(line) else {
            open_indent = None;
            continue;
        };
        if open_indent.is_some_and(|i| indent > i) {
            return true;
        }
        open_indent = rest.is_empty().then_some(indent);
        if !rest.is_empty() && key.bytes().all(|b| !b.is_ascii_uppercase()) {
            lower_pairs += 1;
            if lower_pairs >= 2 {
                return true;
            }
        }
    }
    false
}

/// A line `key: rest` whose key is an identifier (`first_name`, `dob`, `- zip`): its
/// indent, key and what follows the colon, trimmed.
fn yaml_key_line(line: &str) -> Option<(usize, &str, &str)> {
    let body = line.trim_start();
    let indent = line.len() - body.len();
    let body = body.strip_prefix("- ").unwrap_or(body);
    let (key, rest) = body.split_once(':')?;
    let ok = !key.is_empty()
        && key.len() <= MAX_KEY_LEN
        && key.as_bytes()[0].is_ascii_alphabetic()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
    let spaced = rest.is_empty() || rest.starts_with([' ', '\t']);
    (ok && spaced).then_some((indent, key, rest.trim()))
}

/// The parent key of a YAML line (the nearest open key less indented than it), the line's
/// own key kept as open when nothing follows its colon.
fn yaml_parent(
    text: &str,
    line: Range<usize>,
    open: &mut Vec<(usize, Range<usize>)>,
) -> Option<Range<usize>> {
    let l = &text[line.clone()];
    if l.trim().is_empty() {
        return open.last().map(|(_, r)| r.clone());
    }
    let indent = l.len() - l.trim_start().len();
    while open.last().is_some_and(|(i, _)| *i >= indent) {
        open.pop();
    }
    let parent = open.last().map(|(_, r)| r.clone());
    if let Some((_, key, "")) = yaml_key_line(l) {
        let at = line.start + l.find(key).unwrap_or(indent);
        open.push((indent, at..at + key.len()));
    }
    parent
}

/// A line cut into its label pairs when it lays several out (`First: ines    Last:
/// delacroix`, `Name: X    DOB: Y`): a cut at two blanks or more (or a tab) before a label
/// of one to three words and its colon. A line of one pair is itself.
fn laid_out_pairs(text: &str, line: Range<usize>) -> Vec<Range<usize>> {
    let l = &text[line.clone()];
    let b = l.as_bytes();
    let mut cuts = vec![line.start];
    let mut i = 0;
    while i < b.len() {
        if b[i] == b' ' || b[i] == b'\t' {
            let gap = i;
            while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
                i += 1;
            }
            let wide = i - gap >= 2 || b[gap] == b'\t';
            if wide && gap > 0 && opens_a_label(&l[i..]) {
                cuts.push(line.start + i);
            }
            continue;
        }
        i += 1;
    }
    if cuts.len() == 1 {
        return vec![line];
    }
    let mut out = Vec::with_capacity(cuts.len());
    for (n, &at) in cuts.iter().enumerate() {
        let end = cuts.get(n + 1).copied().unwrap_or(line.end);
        let seg = text[at..end].trim_end();
        out.push(at..at + seg.len());
    }
    out
}

/// `Last: …`, `Date of birth: …`: one to three words of a label, then a colon and a blank.
fn opens_a_label(rest: &str) -> bool {
    let Some((label, after)) = rest.split_once(':') else {
        return false;
    };
    label.len() <= MAX_KEY_LEN
        && label
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphabetic())
        && label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b' ' | b'_' | b'-' | b'.' | b'/'))
        && label.split_whitespace().count() <= 3
        && after.starts_with([' ', '\t'])
}

/// A TOML table header (`[patient]`, `[patient.address]`): its `key = 93` lines are
/// TOML's, whose numbers must stay numbers.
fn is_toml_table(line: &str) -> bool {
    let l = line.trim();
    l.len() > 2
        && l.starts_with('[')
        && l.ends_with(']')
        && l[1..l.len() - 1]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

fn key_line(
    keys: &Keys<'_>,
    text: &str,
    line: Range<usize>,
    syntax: Syntax,
    parent: Option<&str>,
    out: &mut Vec<Typed>,
) -> Option<()> {
    let end = line.end;
    let mut c = Cursor::new(text, line.start, end);
    c.blanks();
    if c.eat(b'-') {
        c.blanks();
    }
    let key = match c.peek()? {
        q @ (b'"' | b'\'') => c.quoted(q, false, true)?,
        _ => {
            // A label of words (`SSN last 4`) or a dotted key (`patient.zip`).
            let k = c.at;
            while c.peek().is_some_and(|b| {
                b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-' | b' ')
            }) {
                c.at += 1;
            }
            let r = k..c.at;
            if text[r.clone()].trim().is_empty() || !c.b[k].is_ascii_alphabetic() {
                return None;
            }
            r
        }
    };
    let label = text[key.clone()].trim_end();
    c.blanks();
    let equals = c.eat(b'=');
    if !(equals || c.eat(b':')) {
        return None;
    }
    c.blanks();
    if syntax.toml && equals {
        let at = c.at;
        if let Some(n) = c.number().filter(|n| n.end == end) {
            let ty = keys.record(label, None, &text[n.clone()]);
            push(out, n, ty, Written::Number('"'));
            return Some(());
        }
        c.at = at;
    }
    match c.peek()? {
        q @ (b'"' | b'\'') => {
            let v = c.quoted(q, false, true)?;
            // Only a comma, a comment or nothing may follow: `"a" and "b"` is prose.
            let rest = text[c.at..end].trim();
            if !(rest.is_empty() || rest == "," || rest.starts_with('#')) {
                return None;
            }
            let ty = keys.record(label, None, &text[v.clone()]);
            push(out, v, ty, Written::Quoted);
        }
        _ if syntax.yaml && !equals => yaml_value(keys, text, c.at..end, label, parent, out),
        _ => {
            let v = c.at..end;
            let ty = keys.label(label, &text[v.clone()]);
            push(out, v, ty, Written::Bare);
        }
    }
    Some(())
}

/// Whether a bare YAML value is shaped as one of `ty`: one value, not a note's phrase (a
/// comma, or five words or more: notes write lower-case system labels, `id: afebrile,
/// tmax 100.2`, `neuro: alert`), an age a number, and a code, date or number a value with a
/// digit in it (the infectious-disease `id: afebrile` is no identifier).
fn yaml_scalar_of(ty: PhiType, value: &str) -> bool {
    if value.contains(',') || value.split_whitespace().nth(4).is_some() {
        return false;
    }
    match ty {
        PhiType::Name
        | PhiType::ProviderName
        | PhiType::Address
        | PhiType::Location
        | PhiType::Email
        | PhiType::Url => true,
        PhiType::Age => is_number(value),
        _ => value.bytes().any(|b| b.is_ascii_digit()),
    }
}

/// A YAML mapping's bare value (its comment left out) typed by its key: a number stays a
/// number (an age over 89 is `90`, any other rewrite quoted), a word is written bare. A
/// block (`|`, `>`), a flow collection, an anchor, an alias or a tag is left to the prose.
fn yaml_value(
    keys: &Keys<'_>,
    text: &str,
    v: Range<usize>,
    label: &str,
    parent: Option<&str>,
    out: &mut Vec<Typed>,
) {
    let raw = &text[v.clone()];
    if raw.is_empty() || raw.starts_with(['|', '>', '[', '{', '&', '*', '!', '#']) {
        return;
    }
    let value = raw.find(" #").map_or(raw, |i| raw[..i].trim_end());
    let v = v.start..v.start + value.len();
    let ty = keys
        .yaml(label, parent, value)
        .filter(|ty| yaml_scalar_of(*ty, value));
    let written = if is_number(value) {
        Written::Number('"')
    } else {
        Written::Bare
    };
    push(out, v, ty, written);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_stay_numbers() {
        let age = Typed {
            range: 0..2,
            ty: PhiType::Age,
            written: Written::Number('\''),
        };
        assert_eq!(written(&age, "over 89".into()), "90");
        assert_eq!(written(&age, "45".into()), "45");
        let mrn = Typed {
            ty: PhiType::Mrn,
            ..age.clone()
        };
        assert_eq!(written(&mrn, "MRN_X".into()), "'MRN_X'");
        let bare = Typed {
            written: Written::Bare,
            ..age
        };
        assert_eq!(written(&bare, "over 89".into()), "\"over 89\"");
    }

    #[test]
    fn strips_the_data_prefix() {
        assert_eq!(strip_data_prefix("data-zip"), "zip");
        assert_eq!(strip_data_prefix("DATA-age"), "age");
        assert_eq!(strip_data_prefix("data-"), "data-");
        assert_eq!(strip_data_prefix("zip"), "zip");
    }

    fn typed_values(text: &str) -> Vec<(&str, PhiType)> {
        static ENGINE: std::sync::OnceLock<Engine> = std::sync::OnceLock::new();
        let engine = ENGINE
            .get_or_init(|| Engine::build(&crate::patterns::Patterns::builtin()).expect("engine"));
        typed(engine, text, 0..text.len())
            .into_iter()
            .map(|v| (&text[v.range], v.ty))
            .collect()
    }

    #[test]
    fn graphql_arguments_are_typed_by_name() {
        let q = r#"mutation { updatePatient(id: $id, family: "vukovljevic" given: "zvezdana", address: {zip: "01085"}, age: 93, status: ACTIVE) { id } }"#;
        assert_eq!(
            typed_values(q),
            vec![
                ("vukovljevic", PhiType::Name),
                ("zvezdana", PhiType::Name),
                ("01085", PhiType::Zip),
                ("93", PhiType::Age),
            ]
        );
        // A `(` in prose, or a list that does not parse, is no argument list.
        assert!(typed_values("{ } BP(sitting: 120/80) age(years: 93").is_empty());
        assert!(
            typed_values("age(years: 93)").is_empty(),
            "no selection set"
        );
    }

    #[test]
    fn an_odata_filter_in_text_is_typed_by_property() {
        let t = "GET $filter=LastName eq 'vukovljevic' and Zip eq '01085' and Age gt 93&$top=5";
        assert_eq!(
            typed_values(t),
            vec![
                ("vukovljevic", PhiType::Name),
                ("01085", PhiType::Zip),
                ("93", PhiType::Age),
            ]
        );
    }

    #[test]
    fn vcard_and_icalendar_lines_are_typed_by_property() {
        let card = "BEGIN:VCARD\nFN:zvezdana vukovljevic\nN:vukovljevic;zvezdana;;;\n\
                    item1.TEL;TYPE=cell,voice:413 555 01 72\nADR:;;4471 quarry hollow rd;ludlow;MA;01056;US\n\
                    NOTE:likes tea\nEND:VCARD";
        assert_eq!(
            typed_values(card),
            vec![
                ("zvezdana vukovljevic", PhiType::Name),
                ("vukovljevic", PhiType::Name),
                ("zvezdana", PhiType::Name),
                ("413 555 01 72", PhiType::Phone),
                ("4471 quarry hollow rd", PhiType::Address),
                ("ludlow", PhiType::Location),
                ("01056", PhiType::Zip),
            ]
        );
        let ics = "BEGIN:VEVENT\r\nATTENDEE;CN=Hope Walker;ROLE=REQ:mailto:x@y.example\r\n\
                   ORGANIZER;CN=\"Miles Ward\":mailto:m@y.example\r\nSUMMARY:OT eval\r\n\
                   LOCATION:14 larch way\\, ludlow\r\nGEO:42.3601;-71.0589\r\n\
                   CONTACT:ines ward\r\nEND:VEVENT";
        assert_eq!(
            typed_values(ics),
            vec![
                ("Hope Walker", PhiType::Name),
                ("Miles Ward", PhiType::Name),
                ("14 larch way\\, ludlow", PhiType::Location),
                ("42.3601;-71.0589", PhiType::Location),
                ("ines ward", PhiType::Name),
            ]
        );
        // Without a card or a component opened, a `FN:` line is a label like any other.
        assert!(typed_values("FN:zvezdana vukovljevic").is_empty());
    }

    #[test]
    fn a_notes_id_heading_is_no_id_field() {
        // Infectious disease in a nursing note: the temperatures are no identifier.
        for t in [
            "ID=95.8-97.2 WBC 12.1\n",
            "ID=100.4 overnight, pan cultured\n",
            "ID=Tmax 101.2, cx pending\n",
            "Neuro: A&O x3. ID=T 99.1 on vanco\n",
            "id=afebrile, wbc=11.2\n",
        ] {
            assert!(
                !typed_values(t).iter().any(|(_, ty)| *ty == PhiType::Id),
                "{t}"
            );
        }
        // A record of three pairs or more, or a quoted value, is still read by its keys.
        let record = "ts=1 level=info id=4471023 zip=01085\n";
        let got = typed_values(record);
        assert!(got.contains(&("4471023", PhiType::Id)), "{got:?}");
        assert!(got.contains(&("01085", PhiType::Zip)), "{got:?}");
        let quoted = "lookup id=\"AB4471023\"\n";
        assert!(typed_values(quoted).contains(&("AB4471023", PhiType::Id)));
    }

    #[test]
    fn yaml_is_told_from_a_note_s_labels() {
        assert!(reads_as_yaml(
            "name: Ines Delacroix\nage: 94\ndob: 1931-02-03\n"
        ));
        assert!(reads_as_yaml("---\nName: Ines\n"));
        assert!(reads_as_yaml("Patient:\n  Name: Ines\n"));
        assert!(!reads_as_yaml("Name: Ines Delacroix\nPlan: HEP\n"));
        assert!(!reads_as_yaml("age: 94\n"));
        assert!(!reads_as_yaml("Seen at 10:30 today.\nNote: ok\n"));
    }

    #[test]
    fn yaml_parents_follow_the_indent() {
        let t = "patient:\n  name: x\n  address:\n    zip: 1\nzip: 2\n";
        let mut open = Vec::new();
        let mut parents = Vec::new();
        let mut pos = 0;
        for line in t.split_inclusive('\n') {
            let r = pos..pos + line.trim_end().len();
            pos += line.len();
            parents.push(yaml_parent(t, r, &mut open).map(|p| &t[p]));
        }
        assert_eq!(
            parents,
            vec![
                None,
                Some("patient"),
                Some("patient"),
                Some("address"),
                None
            ]
        );
    }

    #[test]
    fn pairs_laid_out_on_one_line() {
        let t = "First: ines    Last: delacroix";
        let segs: Vec<&str> = laid_out_pairs(t, 0..t.len())
            .into_iter()
            .map(|r| &t[r])
            .collect();
        assert_eq!(segs, vec!["First: ines", "Last: delacroix"]);
        let t = "Name: Ines Delacroix\tDOB: 1931-02-03";
        assert_eq!(laid_out_pairs(t, 0..t.len()).len(), 2);
        // A wide gap before no label, or a colon with no blank after, cuts nothing.
        for t in [
            "Plan:  continue HEP",
            "Seen at  10:30 today",
            "Note: see  3:00 pm",
        ] {
            assert_eq!(laid_out_pairs(t, 0..t.len()), vec![0..t.len()], "{t}");
        }
    }

    #[test]
    fn logfmt_pairs() {
        let t = "ts=1 msg=\"a b\" user=zed q=a=b x=3, y";
        let p: Vec<&str> = line_pairs(t, 0, t.len())
            .into_iter()
            .map(|(k, v, _)| &t[k.start..v.end])
            .collect();
        assert_eq!(p, vec!["ts=1", "msg=\"a b", "user=zed", "x=3"]);
    }
}
