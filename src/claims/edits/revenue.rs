//! Revenue codes on institutional claims (837I: hospital outpatient, rehab agency, CORF): an
//! OT revenue-code line (043x, `patterns/claims/revenue.toml`) needs a HCPCS code, and an OT
//! HCPCS code belongs under an OT revenue code. The whole family is [unverified] (the domain
//! note leaves 837I out of scope), so the table sets conservative severities. Professional
//! claims have no revenue codes and skip it silently.

use super::Ctx;

pub(crate) fn check(cx: &mut Ctx<'_>) {
    let claim = cx.claim;
    if !claim.institutional {
        return;
    }
    let t = cx.tables;
    for l in &claim.lines {
        let Some(rev) = l.revenue_code.as_deref() else {
            continue;
        };
        // A revenue code is four digits (checked when read), so it is a code, not free text.
        let ot_rev = t.revenue.is_ot(rev);
        if ot_rev && l.code.is_empty() {
            cx.report_as(
                "rev-hcpcs-missing",
                t.revenue.missing_hcpcs,
                Some(l.number),
                format!("line {}: revenue code {rev} (occupational therapy) without a HCPCS code; therapy lines are paid by HCPCS", l.number),
            );
        }
        let ot_code = t.cpt.get(&l.code).is_some_and(|c| c.therapy);
        if ot_code && !ot_rev {
            cx.report_as(
                "rev-code-mismatch",
                t.revenue.mismatch,
                Some(l.number),
                format!(
                    "{}: an OT therapy code under revenue code {rev}; OT lines use 043x",
                    l.code
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::claims::edits::testutil::{claim, codes};

    fn institutional(lines: &[(&str, &str)]) -> crate::claims::Claim {
        let mut c = claim(
            &lines
                .iter()
                .map(|(code, _)| (*code, 1, None))
                .collect::<Vec<_>>(),
        );
        c.institutional = true;
        c.place_of_service = None;
        for (l, (_, rev)) in c.lines.iter_mut().zip(lines) {
            l.revenue_code = Some((*rev).to_string());
            l.dx_pointers.clear();
        }
        c
    }

    #[test]
    fn revenue_codes_and_hcpcs() {
        let c = institutional(&[("97530", "0430"), ("97535", "0434")]);
        assert!(
            codes(&c, "medicare").is_empty(),
            "{:?}",
            codes(&c, "medicare")
        );
        let c = institutional(&[("", "0430")]);
        assert!(codes(&c, "medicare").contains(&"rev-hcpcs-missing"));
        let c = institutional(&[("97530", "0420")]);
        assert_eq!(codes(&c, "medicare"), ["rev-code-mismatch"]);
        // GO is still required for Medicare.
        let mut c = institutional(&[("97530", "0430")]);
        c.lines[0].modifiers.clear();
        assert_eq!(codes(&c, "medicare"), ["mod-discipline-missing"]);
    }
}
