//! Labels of a bank value that a name list also holds (issue 13, stop 48, helper
//! `general48`).
//!
//! Owns one correction of the merged spans: `IBAN` written in capitals before its value
//! (`IBAN: GB82…`, `IBAN ending 7891`, `IBAN GB82 WEST…`) is a label, not the given name
//! `Iban`, so a name detection that is the label, or ends with it (`Account holder: Frank
//! Luiga IBAN ending 7891`, `LINDSTROM, Mats\nIBAN:`), loses it. The labels are data:
//! `value_labels` in `patterns/text/structures.toml`.

use super::Span;
use crate::phi::PhiType;

/// Words after a label that say its value follows (`IBAN ending 7891`, `IBAN no. 4`).
const VALUE_WORDS: [&[u8]; 5] = [b"ending", b"no", b"nr", b"number", b"num"];

/// Drops each label in `labels` (lower case) from the end of a name span where it is
/// written in capitals and its value follows; a span that was only the label goes.
pub(crate) fn drop_value_labels(text: &str, labels: &[Box<[u8]>], spans: &mut Vec<Span>) {
    if labels.is_empty() {
        return;
    }
    let b = text.as_bytes();
    spans.retain_mut(|s| {
        if !matches!(s.ty, PhiType::Name | PhiType::ProviderName) {
            return true;
        }
        let Some(at) = labels.iter().find_map(|l| label_at_end(b, s, l)) else {
            return true;
        };
        let end = at
            - b[s.start..at]
                .iter()
                .rev()
                .take_while(|c| c.is_ascii_whitespace() || **c == b',')
                .count();
        s.end = end;
        end > s.start
    });
}

/// Where `label` begins when span `s` ends with it in capitals, as a word of its own, and a
/// value follows it.
fn label_at_end(b: &[u8], s: &Span, label: &[u8]) -> Option<usize> {
    let at = s.end.checked_sub(label.len())?;
    if at < s.start {
        return None;
    }
    let word = &b[at..s.end];
    let capitals = word
        .iter()
        .zip(label)
        .all(|(c, l)| c.to_ascii_lowercase() == *l && !c.is_ascii_lowercase());
    let own_word = at == 0 || !b[at - 1].is_ascii_alphanumeric();
    (capitals && own_word && value_follows(&b[s.end..])).then_some(at)
}

/// `rest` (the text after a label) opens with its value: a colon, `#` or `=`, a word that
/// holds a digit, or a word that announces one (`ending`, `no`).
fn value_follows(rest: &[u8]) -> bool {
    let blank = rest
        .iter()
        .take_while(|c| matches!(c, b' ' | b'\t'))
        .count();
    let rest = &rest[blank..];
    match rest.first() {
        Some(b':' | b'#' | b'=') => true,
        Some(c) if c.is_ascii_alphanumeric() && blank > 0 => {
            let word = &rest[..rest
                .iter()
                .take_while(|c| c.is_ascii_alphanumeric())
                .count()];
            word.iter().any(u8::is_ascii_digit)
                || VALUE_WORDS.iter().any(|v| word.eq_ignore_ascii_case(v))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str, spans: &[(usize, usize)]) -> Vec<String> {
        let labels: Vec<Box<[u8]>> = vec![b"iban".to_vec().into(), b"sort code".to_vec().into()];
        let mut spans: Vec<Span> = spans
            .iter()
            .map(|&(start, end)| Span {
                start,
                end,
                ty: PhiType::Name,
            })
            .collect();
        drop_value_labels(text, &labels, &mut spans);
        spans
            .iter()
            .map(|s| text[s.start..s.end].to_string())
            .collect()
    }

    #[test]
    fn a_label_before_its_value_is_no_name() {
        let t = "Account holder: Frank Luiga IBAN ending 78911100";
        assert_eq!(run(t, &[(16, 32)]), ["Frank Luiga"]);
        let t = "LINDSTROM, Mats\nIBAN: GB45";
        assert_eq!(run(t, &[(0, 15), (16, 20)]), ["LINDSTROM, Mats"]);
        let t = "Peter Smith\nIBAN GB82WEST12345698765432";
        assert_eq!(run(t, &[(0, 16)]), ["Peter Smith"]);
    }

    #[test]
    fn the_given_name_iban_stays() {
        // Written as a name, or with no value after it.
        assert_eq!(run("met Iban Torres: fine", &[(4, 8)]), ["Iban"]);
        assert_eq!(run("IBAN TORRES came", &[(0, 11)]), ["IBAN TORRES"]);
        assert_eq!(run("with IBAN today", &[(5, 9)]), ["IBAN"]);
    }

    /// A record label after a patient's name stays out of the name's token (red team 58 P4).
    #[test]
    fn a_name_span_ends_before_a_record_label() {
        let d = crate::detect::Detector::build(&crate::patterns::Patterns::builtin())
            .expect("built-in patterns");
        let mut s = d.scratch();
        for t in [
            "Patient Rosalind Thackeray MRN 4410827.",
            "Patient Rosalind Thackeray DOB 08/23/1961.",
        ] {
            let names: Vec<&str> = d
                .scan(t, None, &mut s)
                .into_iter()
                .filter(|x| x.ty == PhiType::Name)
                .map(|x| &t[x.start..x.end])
                .collect();
            assert_eq!(names.first(), Some(&"Rosalind Thackeray"), "{t}: {names:?}");
        }
    }
}
