//! Whole addresses: grows a detected street line over the rest of the address written after
//! it — unit, town, postcode, region — so no part of an address is left beside its token.
//!
//! The street rules find `ul. Fredry 66` or `715 Jessica Island`; what follows a street line
//! is, in every country's convention, more of the address: `, Rumia, 48-413`,
//! `, Harveyberg PH9V 2LR`, `Apt. 69 , Albacete 08077`, `\nSpringfield, IL 62704`. The
//! grower reads only that tail and stops at the first thing that is not address-shaped (a
//! lower-case word, a sentence end, a cue such as `Daughter`).

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

/// Returns the end of the address whose street line ends at `end`.
pub fn whole_address(text: &[u8], end: usize) -> usize {
    let mut at = end;
    let mut after_postcode = false;
    for _ in 0..MAX_PARTS {
        let Some((next, is_postcode)) = tail_part(text, at, after_postcode) else {
            break;
        };
        at = next;
        after_postcode = is_postcode;
    }
    at
}

/// The end of a postcode written right after a place (`Soria, 51006`, `Quarto 90039`,
/// `Sagar, 372831`), or `end` when none follows. A four-digit year is not a postcode
/// (`moved to Boston 2019`).
pub fn postcode_after(text: &[u8], end: usize) -> usize {
    let Some((start, _)) = skip_separator(text, end) else {
        return end;
    };
    match postcode(text, start) {
        Some(e) if !looks_like_year(&text[start..e]) => e,
        _ => end,
    }
}

fn looks_like_year(v: &[u8]) -> bool {
    v.len() == 4 && (v.starts_with(b"19") || v.starts_with(b"20"))
}

/// The end of one more address part after `at`, if one follows, and whether it is a
/// postcode (after which a town needs no comma: `22263 Lorrach`).
fn tail_part(text: &[u8], at: usize, after_postcode: bool) -> Option<(usize, bool)> {
    let (start, comma) = skip_separator(text, at)?;
    if let Some(end) = postcode(text, start) {
        return Some((end, true));
    }
    unit(text, start)
        .or_else(|| floor_door(text, start))
        .or_else(|| staircase(text, start))
        .or_else(|| town(text, start, comma || after_postcode))
        .map(|end| (end, false))
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
    (n > 0 && n <= 8 && has_digit).then_some(j + n)
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
/// three digits where the policy allows (Safe Harbor's ZIP3).
fn us_state_before_zip(text: &[u8], i: usize, n: usize) -> bool {
    n == 2
        && text[i..i + 2].iter().all(u8::is_ascii_uppercase)
        && text
            .get(i + 2..i + 4)
            .is_some_and(|g| g[0] == b' ' && g[1].is_ascii_digit())
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
        let end = whole_address(text.as_bytes(), start + street.len());
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
}
