//! Text written in characters that show nothing: Unicode tag characters (U+E0020–E007E, each
//! an ASCII character plus 0xE0000, "ASCII smuggling") and variation selectors used as bytes
//! (U+FE00–FE0F for bytes 0–15, U+E0100–E01EF for 16–255).
//!
//! A page shows none of them, but any program, a language model included, reads them back
//! in one step, so they carry a value as surely as its letters do. One such character alone
//! is noise the view drops ([`super::is_invisible`]: an emoji's variation selector, a mark
//! sprinkled between letters); a run of them is text, read here as what it spells. Each
//! letter of the view comes from its characters, so a span found there covers them.

use super::{Builder, Canon};

/// Fewest tag characters side by side read as text: an emoji flag's tag sequence holds
/// five (`gbeng`), which reads harmlessly; a lone one between letters is dropped.
const MIN_TAGS: usize = 3;

/// Fewest variation selectors side by side read as bytes: an emoji takes at most one.
const MIN_SELECTORS: usize = 4;

/// A character that hides text, and what it stands for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Hidden {
    /// A tag character: the ASCII character it mirrors.
    Tag(u8),
    /// A variation selector: the byte it encodes.
    Selector(u8),
}

fn hidden(c: char) -> Option<Hidden> {
    let n = u32::from(c);
    match n {
        0xE0020..=0xE007E => u8::try_from(n - 0xE0000).ok().map(Hidden::Tag),
        0xFE00..=0xFE0F => u8::try_from(n - 0xFE00).ok().map(Hidden::Selector),
        0xE0100..=0xE01EF => u8::try_from(n - 0xE0100 + 16).ok().map(Hidden::Selector),
        _ => None,
    }
}

impl Canon {
    /// The view of `text` with each run of tag characters or variation selectors read as
    /// the text it encodes, set apart from its neighbours by a space, or `None` when it has
    /// none.
    pub(super) fn unsmuggled(text: &str) -> Option<Canon> {
        // Every such character is written with a lead byte 0xF3 (U+E0000 on) or 0xEF
        // (U+FE00 on): plain text costs one scan.
        memchr::memchr2(0xF3, 0xEF, text.as_bytes())?;
        let mut view: Option<Builder> = None;
        let mut copied = 0;
        let mut chars = text.char_indices().peekable();
        while let Some((at, c)) = chars.next() {
            let Some(first) = hidden(c) else { continue };
            // The run of characters of the same kind from here.
            let mut run = vec![(at, c.len_utf8(), first)];
            while let Some(&(next_at, next)) = chars.peek() {
                match hidden(next) {
                    Some(h) if std::mem::discriminant(&h) == std::mem::discriminant(&first) => {
                        run.push((next_at, next.len_utf8(), h));
                        chars.next();
                    }
                    _ => break,
                }
            }
            let Some(read) = read_run(&run) else { continue };
            let b = view.get_or_insert_with(|| Builder::with_capacity(text.len()));
            b.push_literal(&text[copied..at], copied);
            let (start, end) = (at, run.last().map_or(at, |&(a, l, _)| a + l));
            b.push_mapped(' ', start, end);
            for (c, s, e) in read {
                b.push(c, s, e);
            }
            b.push_mapped(' ', start, end);
            copied = end;
        }
        let mut b = view?;
        b.push_literal(&text[copied..], copied);
        Some(b.out)
    }
}

/// What a run of hidden characters spells, each character with its input range; `None` when
/// the run is too short, or its bytes are no UTF-8 text.
fn read_run(run: &[(usize, usize, Hidden)]) -> Option<Vec<(char, usize, usize)>> {
    match run.first()?.2 {
        Hidden::Tag(_) if run.len() >= MIN_TAGS => Some(
            run.iter()
                .map(|&(at, len, h)| {
                    let c = match h {
                        Hidden::Tag(c) | Hidden::Selector(c) => char::from(c),
                    };
                    (c, at, at + len)
                })
                .collect(),
        ),
        Hidden::Selector(_) if run.len() >= MIN_SELECTORS => {
            let bytes: Vec<u8> = run
                .iter()
                .map(|&(_, _, h)| match h {
                    Hidden::Tag(c) | Hidden::Selector(c) => c,
                })
                .collect();
            let text = std::str::from_utf8(&bytes).ok()?;
            // Each decoded character spans the selectors of its bytes.
            Some(
                text.char_indices()
                    .map(|(i, c)| {
                        let last = i + c.len_utf8() - 1;
                        (c, run[i].0, run[last].0 + run[last].1)
                    })
                    .collect(),
            )
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(s: &str) -> String {
        s.chars()
            .map(|c| char::from_u32(0xE0000 + u32::from(c)).unwrap_or(c))
            .collect()
    }

    fn selectors(s: &str) -> String {
        s.bytes()
            .map(|b| {
                let n = if b < 16 {
                    0xFE00 + u32::from(b)
                } else {
                    0xE0100 + u32::from(b) - 16
                };
                char::from_u32(n).unwrap_or(' ')
            })
            .collect()
    }

    #[test]
    fn runs_of_tag_characters_and_selectors_read_as_their_text() {
        let text = format!("seen today{}", tags("Rosalind Thackeray"));
        let v = Canon::unsmuggled(&text).expect("a view");
        assert!(v.text().contains("Rosalind Thackeray"), "{}", v.text());
        let at = v.text().find("Thackeray").expect("found");
        let (s, e) = v.source_range(at, at + "Thackeray".len());
        assert_eq!(&text[s..e], tags("Thackeray"));

        let text = format!("x{} ok", selectors("MR4410827"));
        let v = Canon::unsmuggled(&text).expect("a view");
        assert!(v.text().contains("MR4410827"), "{}", v.text());
    }

    #[test]
    fn lone_marks_and_emoji_selectors_are_no_text() {
        assert!(Canon::unsmuggled("ok ❤\u{FE0F} Ro\u{E0061}sa").is_none());
        assert!(Canon::unsmuggled("plain text").is_none());
    }
}
