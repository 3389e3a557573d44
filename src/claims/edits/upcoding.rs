//! The upcoding flag (claims.md §7, [secondary]): a session note whose wording is dominated
//! by passive modalities (hot packs, PROM, ultrasound…) while active codes such as 97530 or
//! 97110 are billed. Counts words from `patterns/claims/upcoding.toml`; never quotes the note.

use super::Ctx;

pub(crate) fn check(cx: &mut Ctx<'_>) {
    let claim = cx.claim;
    let u = &cx.tables.upcoding;
    let Some(note) = claim.note.as_deref() else {
        cx.skip("upcoding");
        return;
    };
    let Some(line) = claim
        .lines
        .iter()
        .find(|l| u.active_codes.contains(&l.code))
    else {
        return;
    };
    let (passive, active) = u.count(note);
    if passive >= u.min_passive && f64::from(passive) > u.ratio * f64::from(active) {
        let msg = format!(
            "{} billed as an active service but the note has {passive} passive-modality terms to {active} active ones",
            line.code
        );
        cx.report_as("upcoding-passive-note", u.severity, Some(line.number), msg);
    }
}

#[cfg(test)]
mod tests {
    use crate::claims::edits::testutil::{claim, codes};

    #[test]
    fn passive_note_with_active_code() {
        let mut c = claim(&[("97530", 2, None)]);
        c.note = Some("Hot pack to R shoulder, then PROM and ultrasound. Patient rested.".into());
        assert_eq!(codes(&c, "medicare"), ["upcoding-passive-note"]);
        c.note =
            Some("Functional reaching tasks, dressing practice with cues; hot pack after.".into());
        assert!(codes(&c, "medicare").is_empty());
        // Passive codes billed: no active code to question.
        let mut c = claim(&[("97010", 1, None)]);
        c.note = Some("Hot pack, PROM, ultrasound, rested.".into());
        assert!(codes(&c, "medicare").is_empty());
    }
}
