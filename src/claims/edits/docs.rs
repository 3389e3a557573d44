//! Documentation links (claims.md §7): a functional goal updated in the session; the plan of
//! care certified within 30 days of the first treatment day (or, from 2025, a referral on file
//! and the plan sent within 30 days) and recertified at least every 90 days; a progress report
//! by the 10th treatment day, written by the OT; the date of service inside the authorisation
//! window and within its visit count (payer-specific: [unverified, payer contracts]).
//!
//! Only the JSON claim carries these facts; for other formats the families are skipped.

use time::{Date, Duration};

use super::Ctx;
use crate::claims::model::Role;

/// 1 Jan 2025: the initial-certification exception (89 FR 97912) starts.
fn exception_start() -> Option<Date> {
    Date::from_calendar_date(2025, time::Month::January, 1).ok()
}

pub(crate) fn check(cx: &mut Ctx<'_>) {
    let claim = cx.claim;
    let dos = claim
        .date
        .or_else(|| claim.lines.iter().filter_map(|l| l.date).max());

    match &claim.goals {
        None => cx.skip("goals"),
        Some(goals) => {
            if !goals.iter().any(|g| g.functional && g.updated) {
                cx.report(
                    "doc-goal-not-updated",
                    None,
                    format!(
                        "no functional goal updated in this session ({} goals touched)",
                        goals.len()
                    ),
                );
            }
        }
    }

    if cx.profile.plan_of_care {
        plan_of_care(cx, dos);
        match &claim.progress_report {
            None => cx.skip("progress-report"),
            Some(pr) => {
                let day = pr.treatment_days_since_last + 1;
                let every = cx.profile.progress_report_visits;
                if !pr.this_visit && day >= every {
                    cx.report(
                        "doc-progress-report-due",
                        None,
                        format!(
                            "treatment day {day} since the last progress report and none in this session; one is due at least every {every} treatment days"
                        ),
                    );
                }
                if pr.this_visit && claim.rendering_role == Some(Role::Ota) {
                    cx.report(
                        "doc-progress-report-by-ota",
                        None,
                        "the progress report must be written by the OT, not the OT assistant"
                            .into(),
                    );
                }
            }
        }
    }

    match &claim.authorization {
        None => cx.skip("authorization"),
        Some(a) => {
            if let Some(d) = dos {
                let before = a.start.is_some_and(|s| d < s);
                let after = a.end.is_some_and(|e| d > e);
                if before || after {
                    cx.report(
                        "auth-outside-window",
                        None,
                        format!(
                            "date of service {} the authorisation window ({} to {})",
                            if before { "before" } else { "after" },
                            a.start.map_or("open".into(), |x| x.to_string()),
                            a.end.map_or("open".into(), |x| x.to_string())
                        ),
                    );
                }
            }
            if let (Some(auth), Some(used)) = (a.visits_authorized, a.visits_used) {
                if used + 1 > auth {
                    cx.report(
                        "auth-visits-exceeded",
                        None,
                        format!("this is visit {} of {auth} authorised", used + 1),
                    );
                }
            }
            if !a.number_present && (a.start.is_some() || a.visits_authorized.is_some()) {
                cx.report(
                    "auth-number-missing",
                    None,
                    "authorisation facts are given without an authorisation number".into(),
                );
            }
        }
    }
}

fn plan_of_care(cx: &mut Ctx<'_>, dos: Option<Date>) {
    let Some(poc) = &cx.claim.plan_of_care else {
        cx.skip("plan-of-care");
        return;
    };
    let (Some(first), Some(dos)) = (poc.first_treatment, dos) else {
        cx.skip("plan-of-care");
        return;
    };
    let cert_days = cx.profile.cert_days;
    let deadline = first + Duration::days(cert_days);
    // From 2025: a signed, dated referral on file and the plan sent within 30 days.
    let exception = poc.referral_on_file
        && poc.sent.is_some_and(|s| s <= deadline)
        && exception_start().is_some_and(|e| dos >= e);
    let late = match poc.certified {
        Some(c) => c > deadline,
        None => dos > deadline,
    };
    if late && !exception {
        let what = match poc.certified {
            Some(c) => format!("certified {} days after", (c - first).whole_days()),
            None => format!("not certified {} days after", (dos - first).whole_days()),
        };
        cx.report(
            "doc-cert-late",
            None,
            format!("plan of care {what} the first treatment day; the limit is {cert_days} days"),
        );
    }
    let recert_days = cx.profile.recert_days;
    let last = poc
        .recertified
        .or(poc.certified)
        .or(if exception { poc.sent } else { None });
    if let Some(last) = last {
        if dos > last + Duration::days(recert_days) {
            cx.report(
                "doc-recert-overdue",
                None,
                format!(
                    "date of service {} days after the last certification; recertify at least every {recert_days} days",
                    (dos - last).whole_days()
                ),
            );
        } else if poc.certified_through.is_some_and(|t| dos > t) {
            cx.report(
                "doc-recert-overdue",
                None,
                "date of service after the end of the certified duration".into(),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::claims::edits::testutil::{claim, codes};
    use crate::claims::model::{parse_date, Authorization, Goal, PlanOfCare, ProgressReport, Role};

    fn d(s: &str) -> Option<time::Date> {
        parse_date(s)
    }

    #[test]
    fn goals() {
        let mut c = claim(&[("97530", 1, None)]);
        c.goals = Some(vec![Goal {
            functional: true,
            updated: false,
        }]);
        assert_eq!(codes(&c, "medicare"), ["doc-goal-not-updated"]);
        c.goals = Some(vec![Goal {
            functional: true,
            updated: true,
        }]);
        assert!(codes(&c, "medicare").is_empty());
    }

    #[test]
    fn certification_and_recertification() {
        let mut c = claim(&[("97530", 1, None)]); // DOS 2025-01-14
        c.plan_of_care = Some(PlanOfCare {
            first_treatment: d("2024-12-01"),
            certified: d("2024-12-20"),
            ..PlanOfCare::default()
        });
        assert!(codes(&c, "medicare").is_empty());
        c.plan_of_care = Some(PlanOfCare {
            first_treatment: d("2024-11-01"),
            certified: d("2024-12-05"),
            ..PlanOfCare::default()
        });
        assert_eq!(codes(&c, "medicare"), ["doc-cert-late"]);
        assert!(codes(&c, "commercial").is_empty());
        // 2025 exception: referral on file and the plan sent within 30 days.
        c.plan_of_care = Some(PlanOfCare {
            first_treatment: d("2024-12-01"),
            referral_on_file: true,
            sent: d("2024-12-20"),
            ..PlanOfCare::default()
        });
        assert!(codes(&c, "medicare").is_empty());
        if let Some(p) = c.plan_of_care.as_mut() {
            p.referral_on_file = false;
        }
        assert_eq!(codes(&c, "medicare"), ["doc-cert-late"]);
        c.plan_of_care = Some(PlanOfCare {
            first_treatment: d("2024-09-01"),
            certified: d("2024-09-10"),
            ..PlanOfCare::default()
        });
        assert_eq!(codes(&c, "medicare"), ["doc-recert-overdue"]);
        c.plan_of_care = Some(PlanOfCare {
            first_treatment: d("2024-09-01"),
            certified: d("2024-09-10"),
            recertified: d("2024-12-01"),
            certified_through: d("2025-01-10"),
            ..PlanOfCare::default()
        });
        assert_eq!(codes(&c, "medicare"), ["doc-recert-overdue"]);
    }

    #[test]
    fn progress_report() {
        let mut c = claim(&[("97530", 1, None)]);
        c.progress_report = Some(ProgressReport {
            treatment_days_since_last: 9,
            this_visit: false,
        });
        assert_eq!(codes(&c, "medicare"), ["doc-progress-report-due"]);
        c.progress_report = Some(ProgressReport {
            treatment_days_since_last: 8,
            this_visit: false,
        });
        assert!(codes(&c, "medicare").is_empty());
        c.progress_report = Some(ProgressReport {
            treatment_days_since_last: 9,
            this_visit: true,
        });
        c.rendering_role = Some(Role::Ota);
        c.lines[0].modifiers.push("CO".into());
        assert_eq!(codes(&c, "medicare"), ["doc-progress-report-by-ota"]);
    }

    #[test]
    fn authorization() {
        let mut c = claim(&[("97530", 1, None)]);
        c.authorization = Some(Authorization {
            number_present: true,
            start: d("2025-01-01"),
            end: d("2025-01-10"),
            visits_authorized: Some(12),
            visits_used: Some(12),
        });
        let f = codes(&c, "commercial");
        assert!(f.contains(&"auth-outside-window") && f.contains(&"auth-visits-exceeded"));
        c.authorization = Some(Authorization {
            number_present: false,
            start: d("2025-01-01"),
            end: d("2025-03-31"),
            visits_authorized: Some(12),
            visits_used: Some(3),
        });
        assert_eq!(codes(&c, "commercial"), ["auth-number-missing"]);
    }
}
