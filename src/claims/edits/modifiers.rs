//! Modifiers (claims.md §5): the discipline modifier (GO on OT lines for Medicare, exactly
//! one), CO when an OT assistant furnished more than 10 % of the service (with GO, never CQ),
//! KX above the year's therapy threshold, distinct-procedure modifiers only where a PTP pair
//! needs one (and one per line), and telehealth modifier 95 consistent with POS 02/10.
//!
//! KX accrues what CMS accrues: allowed amounts. A line's allowed amount is used when the
//! payload gives one; otherwise its charge stands in, and the finding says it is an estimate
//! (charges are usually above allowed amounts, so the estimate errs toward asking for KX).

use super::ncci::DISTINCT;
use super::Ctx;
use crate::claims::model::Role;

const DISCIPLINE: [&str; 3] = ["GO", "GP", "GN"];

pub(crate) fn check(cx: &mut Ctx<'_>, needs_distinct: Option<&[bool]>) {
    let claim = cx.claim;
    let t = cx.tables;
    let p = cx.profile;

    for (i, l) in claim.lines.iter().enumerate() {
        let therapy = t.cpt.get(&l.code).is_some_and(|c| c.therapy);
        let disc = l.modifiers_among(&DISCIPLINE);
        if disc.len() > 1 {
            cx.report(
                "mod-discipline-multiple",
                Some(l.number),
                format!(
                    "line {}: {} discipline modifiers; exactly one belongs on a line",
                    l.number,
                    disc.join("+")
                ),
            );
        } else if therapy && p.discipline_modifier && disc.is_empty() {
            cx.report(
                "mod-discipline-missing",
                Some(l.number),
                format!(
                    "{}: a therapy line needs GO (services under an OT plan of care)",
                    l.code
                ),
            );
        } else if let [m @ ("GP" | "GN")] = disc.as_slice() {
            // claims.md: unverified that CMS rejects it automatically; hence a warning.
            let what = cx.label(l);
            cx.report(
                "mod-discipline-mismatch",
                Some(l.number),
                format!("{what}: {m} on an OT claim line; OT services carry GO"),
            );
        }

        // Assistant: CO when the OTA furnished more than 10 % (de minimis standard).
        if p.assistant_modifier && therapy {
            let by_ota = claim.rendering_role == Some(Role::Ota)
                || match (l.assistant_minutes, l.minutes) {
                    (Some(a), Some(m)) => a * 10 > m,
                    (Some(a), None) => a > 0,
                    _ => false,
                };
            if by_ota && !l.has_modifier("CO") {
                cx.report(
                    "mod-co-missing",
                    Some(l.number),
                    format!(
                        "{}: furnished in whole or part (over 10 %) by an OT assistant; add CO",
                        l.code
                    ),
                );
            }
            if (l.has_modifier("CO") && !l.has_modifier("GO"))
                || (l.has_modifier("CQ") && l.has_modifier("GO"))
            {
                cx.report(
                    "mod-co-without-go",
                    Some(l.number),
                    format!("line {}: CO pairs with GO (CQ with GP)", l.number),
                );
            }
        }

        // Distinct-procedure modifiers.
        let distinct = l.modifiers_among(&DISTINCT);
        if distinct.len() > 1 {
            cx.report(
                "mod-distinct-multiple",
                Some(l.number),
                format!("line {}: {}; one distinct-service modifier per line, never 59 with an X modifier", l.number, distinct.join("+")),
            );
        }
        if let (Some(needs), false) = (needs_distinct, distinct.is_empty()) {
            if !needs.get(i).copied().unwrap_or(false) {
                let what = cx.label(l);
                cx.report(
                    "mod-distinct-unneeded",
                    Some(l.number),
                    format!(
                        "{what}: {} but no loaded NCCI pair on this date needs a distinct-service modifier on this line",
                        distinct.join("+")
                    ),
                );
            }
        }

        // Telehealth.
        let pos = claim.line_pos(l);
        let tele_pos = pos.is_some_and(|x| p.telehealth_pos.iter().any(|t| t == x));
        let has95 = l.has_modifier(&p.telehealth_modifier);
        let what = cx.label(l);
        if has95 && pos.is_some() && !tele_pos {
            // The place of service is not quoted: it is not a telehealth code, so it may be
            // anything the sender wrote.
            cx.report(
                "mod-telehealth-pos",
                Some(l.number),
                format!(
                    "{what}: modifier {} with a place of service that is not telehealth (POS {})",
                    p.telehealth_modifier,
                    p.telehealth_pos.join("/")
                ),
            );
        }
        if tele_pos && !has95 {
            // Known: it is one of the profile's telehealth places of service.
            cx.report(
                "mod-telehealth-missing",
                Some(l.number),
                format!(
                    "{what}: place of service {} is telehealth; add modifier {}",
                    pos.unwrap_or(""),
                    p.telehealth_modifier
                ),
            );
        }
        if let (true, Some(until), Some(d)) = (tele_pos, p.telehealth_until, claim.line_date(l)) {
            if d > until {
                cx.report(
                    "mod-telehealth-expired",
                    Some(l.number),
                    format!("{what}: telehealth after {until}, the end of the flexibility period in the `{}` profile", p.name),
                );
            }
        }
    }

    kx(cx);
}

/// KX: lines that take the year's OT allowed amounts past the threshold need KX.
fn kx(cx: &mut Ctx<'_>) {
    let claim = cx.claim;
    if !cx.profile.kx {
        return;
    }
    // CMS accrues allowed amounts; billed charges are the fallback estimate.
    let (ytd, ytd_estimated) = match (claim.therapy_allowed_ytd, claim.therapy_charges_ytd) {
        (Some(a), _) => (a, false),
        (None, Some(c)) => (c, true),
        (None, None) => {
            cx.skip("kx");
            return;
        }
    };
    let year = claim
        .date
        .or_else(|| claim.lines.iter().find_map(|l| l.date))
        .map(|d| d.year());
    let Some(threshold) = year.and_then(|y| cx.tables.kx.get(&y).copied()) else {
        cx.skip("kx");
        return;
    };
    let mut running = ytd;
    let mut estimated = ytd_estimated;
    for l in &claim.lines {
        if !cx.tables.cpt.get(&l.code).is_some_and(|c| c.therapy) {
            continue;
        }
        running += match (l.allowed, l.charge) {
            (Some(a), _) => a,
            (None, c) => {
                estimated = true;
                c.unwrap_or(0.0)
            }
        };
        if running > threshold && !l.has_modifier("KX") {
            let basis = if estimated {
                "billed charges, as an estimate of allowed amounts (give allowed amounts to accrue what CMS accrues)"
            } else {
                "allowed amounts"
            };
            cx.report(
                "mod-kx-missing",
                Some(l.number),
                format!(
                    "{}: OT {basis} this year reach {running:.2}, above the {threshold:.2} threshold for {}; add KX if medically necessary",
                    l.code,
                    year.unwrap_or(0)
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::claims::edits::testutil::{claim, codes};
    use crate::claims::model::{parse_date, Role};

    #[test]
    fn discipline_modifiers() {
        let mut c = claim(&[("97530", 1, None)]);
        c.lines[0].modifiers.clear();
        assert_eq!(codes(&c, "medicare"), ["mod-discipline-missing"]);
        assert!(codes(&c, "commercial").is_empty());
        c.lines[0].modifiers = vec!["GP".into()];
        assert_eq!(codes(&c, "medicare"), ["mod-discipline-mismatch"]);
        c.lines[0].modifiers = vec!["GO".into(), "GP".into()];
        assert_eq!(codes(&c, "medicare"), ["mod-discipline-multiple"]);
    }

    #[test]
    fn assistant_modifier() {
        let mut c = claim(&[("97530", 2, Some(30))]);
        c.lines[0].assistant_minutes = Some(4);
        assert_eq!(codes(&c, "medicare"), ["mod-co-missing"]);
        c.lines[0].assistant_minutes = Some(3); // exactly 10 %: de minimis
        assert!(codes(&c, "medicare").is_empty());
        let mut c = claim(&[("97530", 1, None)]);
        c.rendering_role = Some(Role::Ota);
        assert_eq!(codes(&c, "medicare"), ["mod-co-missing"]);
        c.lines[0].modifiers = vec!["CO".into()];
        let f = codes(&c, "medicare");
        assert!(f.contains(&"mod-co-without-go") && f.contains(&"mod-discipline-missing"));
        c.lines[0].modifiers = vec!["GO".into(), "CO".into()];
        assert!(codes(&c, "medicare").is_empty());
    }

    #[test]
    fn kx_threshold() {
        let mut c = claim(&[("97530", 2, None), ("97535", 1, None)]);
        c.lines[0].charge = Some(100.0);
        c.lines[1].charge = Some(50.0);
        c.therapy_charges_ytd = Some(2300.0); // 2025 threshold 2410
        let f = codes(&c, "medicare");
        assert_eq!(
            f,
            ["mod-kx-missing"],
            "only the line that crosses and after"
        );
        c.lines[1].modifiers.push("KX".into());
        assert!(codes(&c, "medicare").is_empty());
        c.therapy_charges_ytd = Some(100.0);
        c.lines[1].modifiers.pop();
        assert!(codes(&c, "medicare").is_empty());
    }

    #[test]
    fn kx_accrues_allowed_amounts_when_given() {
        // Charges 2300 + 150 cross 2410; allowed 1800 + 120 do not.
        let mut c = claim(&[("97530", 2, None), ("97535", 1, None)]);
        c.lines[0].charge = Some(100.0);
        c.lines[1].charge = Some(50.0);
        c.therapy_charges_ytd = Some(2300.0);
        let f = crate::claims::edits::testutil::run_as(&c, "medicare");
        assert!(f.iter().all(|f| f.message.contains("estimate")), "{f:?}");
        c.therapy_allowed_ytd = Some(1800.0);
        c.lines[0].allowed = Some(80.0);
        c.lines[1].allowed = Some(40.0);
        assert!(codes(&c, "medicare").is_empty());
        c.therapy_allowed_ytd = Some(2350.0);
        let f = crate::claims::edits::testutil::run_as(&c, "medicare");
        assert_eq!(f.len(), 2);
        assert!(
            f.iter()
                .all(|f| f.message.contains("allowed amounts this year")),
            "{f:?}"
        );
    }

    #[test]
    fn telehealth_messages_do_not_quote_the_place_of_service() {
        let mut c = claim(&[("97530", 1, None)]);
        c.lines[0].modifiers.push("95".into());
        c.place_of_service = Some("Jane Doe".into());
        let f = crate::claims::edits::testutil::run_as(&c, "medicare");
        assert!(f.iter().all(|f| !f.message.contains("Jane")), "{f:?}");
    }

    #[test]
    fn distinct_modifiers() {
        let mut c = claim(&[("97530", 1, None), ("97535", 1, None)]);
        c.lines[1].modifiers.push("59".into());
        assert_eq!(codes(&c, "medicare"), ["mod-distinct-unneeded"]);
        c.lines[1].modifiers.push("XU".into());
        assert!(codes(&c, "medicare").contains(&"mod-distinct-multiple"));
    }

    #[test]
    fn telehealth() {
        let mut c = claim(&[("97530", 1, None)]);
        c.lines[0].modifiers.push("95".into());
        assert_eq!(codes(&c, "medicare"), ["mod-telehealth-pos"]);
        c.place_of_service = Some("10".into());
        assert!(codes(&c, "medicare").is_empty());
        c.date = parse_date("2028-02-01");
        assert_eq!(codes(&c, "medicare"), ["mod-telehealth-expired"]);
        c.lines[0].modifiers.pop();
        assert!(codes(&c, "medicare").contains(&"mod-telehealth-missing"));
    }
}
