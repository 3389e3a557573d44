//! Diagnoses: ICD-10-CM syntax (letter-second-character categories such as QA0 included),
//! billable leaf codes in the loaded release, sequencing (manifestation and external-cause
//! codes never first; first-listed-only and normally-secondary Z codes), Excludes1 pairs;
//! then every line's diagnosis pointers and the CPT↔diagnosis alignment table.

use super::Ctx;
use crate::claims::tables::IcdStatus;

/// ICD-10-CM shape without the dot: a letter, two letters-or-digits, up to four more
/// (claims.md §6.1: `^[A-Z][0-9A-Z]{2}[0-9A-Z]{0,4}$`). Syntax only: look the code up too.
pub fn syntax_ok(code: &str) -> bool {
    let b = code.as_bytes();
    (3..=7).contains(&b.len())
        && b[0].is_ascii_uppercase()
        && b[1..]
            .iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

pub(crate) fn check(cx: &mut Ctx<'_>) {
    let claim = cx.claim;
    let t = cx.tables;
    if claim.diagnoses.is_empty() {
        cx.report("dx-missing", None, "the claim lists no diagnosis".into());
    }
    let mut usable = Vec::with_capacity(claim.diagnoses.len());
    for (i, d) in claim.diagnoses.iter().enumerate() {
        let n = i + 1;
        if !(d.dot_ok && syntax_ok(&d.code)) {
            // The text is not a code: do not echo it (it may be anything).
            cx.report(
                "dx-syntax",
                None,
                format!("diagnosis {n} is not ICD-10-CM syntax"),
            );
            continue;
        }
        match t.icd.status(&d.code) {
            IcdStatus::Billable => usable.push((n, d.code.as_str())),
            IcdStatus::Header => cx.report(
                "dx-header",
                None,
                format!(
                    "diagnosis {n} ({}) is a header with more specific codes below it; report a billable code",
                    dotted(&d.code)
                ),
            ),
            // Not quoted: code-shaped but unknown, so it may be anything the sender wrote.
            IcdStatus::Unknown => cx.report(
                "dx-unknown",
                None,
                format!("diagnosis {n} is not in ICD-10-CM ({})", t.icd.release),
            ),
        }
    }

    // Sequencing: the first-listed diagnosis is the claim's first.
    if let Some(first) = claim.diagnoses.first().filter(|d| syntax_ok(&d.code)) {
        let code = first.code.as_str();
        if t.icd.is_manifestation(code) {
            cx.report(
                "dx-not-first",
                None,
                format!(
                    "{} is a manifestation code ('in diseases classified elsewhere'): code the underlying condition first",
                    shown(t, code, 1)
                ),
            );
        }
        for r in &t.dx_rules.not_first {
            if r.matches(code) {
                let msg = format!("{} is first-listed: {}", shown(t, code, 1), r.why);
                cx.report_as("dx-not-first", r.severity, None, msg);
            }
        }
        for r in &t.dx_rules.usually_secondary {
            if r.matches(code) {
                let msg = format!("{} is first-listed: {}", shown(t, code, 1), r.why);
                cx.report_as("dx-usually-secondary", r.severity, None, msg);
            }
        }
    }
    for (i, d) in claim.diagnoses.iter().enumerate().skip(1) {
        for r in &t.dx_rules.first_only {
            if syntax_ok(&d.code) && r.matches(&d.code) {
                let msg = format!("{}: {}", shown(t, &d.code, i + 1), r.why);
                cx.report_as("dx-first-only", r.severity, None, msg);
            }
        }
    }

    // Excludes1 pairs among the usable codes.
    for r in &t.dx_rules.excludes1 {
        let a = usable.iter().find(|(_, c)| r.matches_a(c));
        let b = usable.iter().find(|(_, c)| r.matches_b(c));
        if let (Some((_, a)), Some((_, b))) = (a, b) {
            if a != b {
                let msg = format!("{} with {}: {}", dotted(a), dotted(b), r.why);
                cx.report("dx-excludes1", None, msg);
            }
        }
    }

    // 837I lines point to no diagnosis: every diagnosis is the claim's.
    if cx.claim.institutional {
        cx.skip("pointers");
    } else {
        pointers(cx);
    }
}

fn pointers(cx: &mut Ctx<'_>) {
    let claim = cx.claim;
    let t = cx.tables;
    for l in &claim.lines {
        if l.dx_pointers.is_empty() {
            cx.report(
                "line-no-dx-pointer",
                Some(l.number),
                format!("line {} points to no diagnosis", l.number),
            );
            continue;
        }
        let mut pointed = Vec::new();
        for p in &l.dx_pointers {
            match claim.diagnoses.iter().find(|d| d.seq == *p) {
                Some(d) => pointed.push(d.code.as_str()),
                None => cx.report(
                    "line-dx-pointer-invalid",
                    Some(l.number),
                    format!(
                        "line {} points to diagnosis {p}; the claim has {}",
                        l.number,
                        claim.diagnoses.len()
                    ),
                ),
            }
        }
        let Some((group, pats)) = t.alignment.codes.get(&l.code) else {
            continue;
        };
        if pointed.is_empty() {
            continue;
        }
        if !pointed.iter().any(|c| pats.iter().any(|p| p.matches(c))) {
            let list: Vec<String> = pointed
                .iter()
                .map(|c| match t.icd.status(c) {
                    IcdStatus::Unknown => "a code not in ICD-10-CM".to_string(),
                    _ => dotted(c),
                })
                .collect();
            let msg = format!(
                "{}: none of its diagnoses ({}) is in the `{group}` family the alignment table asks for",
                l.code,
                list.join(", ")
            );
            let sev = t
                .alignment
                .severity
                .unwrap_or(crate::claims::catalogue::Severity::Warning);
            cx.report_as("dx-cpt-alignment", sev, Some(l.number), msg);
        }
    }
}

/// How a message names diagnosis `n`: its code when the loaded ICD-10-CM release knows it
/// (billable or header), else by position (an unknown code is the sender's text).
fn shown(t: &crate::claims::tables::Tables, code: &str, n: usize) -> String {
    match t.icd.status(code) {
        IcdStatus::Unknown => format!("diagnosis {n}"),
        _ => format!("diagnosis {n} ({})", dotted(code)),
    }
}

/// `I69351` → `I69.351`.
pub fn dotted(code: &str) -> String {
    if code.len() > 3 && code.is_ascii() {
        format!("{}.{}", &code[..3], &code[3..])
    } else {
        code.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::edits::testutil::{claim, codes};
    use crate::claims::model::diagnosis;

    #[test]
    fn syntax_accepts_letter_second_character() {
        assert!(syntax_ok("QA00101"));
        assert!(syntax_ok("U071"));
        assert!(syntax_ok("F82"));
        assert!(!syntax_ok("1A00"));
        assert!(!syntax_ok("M6"));
        assert!(!syntax_ok("M628112X"));
        assert!(!syntax_ok("M62-81"));
    }

    fn with_dx(dx: &[&str]) -> crate::claims::Claim {
        let mut c = claim(&[("97530", 1, None)]);
        c.diagnoses = dx
            .iter()
            .enumerate()
            .map(|(i, d)| diagnosis(u32::try_from(i + 1).unwrap_or(0), d))
            .collect();
        c
    }

    #[test]
    fn code_set_lookups() {
        assert!(codes(&with_dx(&["QA0.0101"]), "medicare").is_empty());
        assert!(codes(&with_dx(&["G20.A1"]), "medicare").is_empty());
        assert_eq!(codes(&with_dx(&["M25.64"]), "medicare"), ["dx-header"]);
        assert_eq!(codes(&with_dx(&["G20"]), "medicare"), ["dx-header"]);
        assert_eq!(codes(&with_dx(&["M62.99Z"]), "medicare"), ["dx-unknown"]);
        assert_eq!(codes(&with_dx(&["M6.281"]), "medicare"), ["dx-syntax"]);
        assert_eq!(
            codes(&with_dx(&[]), "medicare"),
            ["dx-missing", "line-dx-pointer-invalid"]
        );
    }

    #[test]
    fn sequencing() {
        let f = codes(&with_dx(&["G63", "I69.351"]), "medicare");
        assert!(f.contains(&"dx-not-first"), "{f:?}");
        let f = codes(&with_dx(&["W19.XXXA", "I69.351"]), "medicare");
        assert!(f.contains(&"dx-not-first"), "{f:?}");
        let f = codes(&with_dx(&["I69.351", "Z01.89"]), "medicare");
        assert!(f.contains(&"dx-first-only"), "{f:?}");
        let f = codes(&with_dx(&["Z74.09", "I69.351"]), "medicare");
        assert!(f.contains(&"dx-usually-secondary"), "{f:?}");
        assert!(codes(&with_dx(&["Z47.1", "M62.81"]), "medicare").is_empty());
    }

    #[test]
    fn excludes1_pairs() {
        for pair in [
            ["G81.91", "I69.351"],
            ["M62.81", "M62.84"],
            ["F82", "R27.8"],
            ["Z47.89", "S62.101D"],
        ] {
            let f = codes(&with_dx(&pair), "medicare");
            assert!(f.contains(&"dx-excludes1"), "{pair:?}: {f:?}");
        }
        // Fracture with initial-encounter 7th character is not aftercare.
        let f = codes(&with_dx(&["Z47.89", "S62.101A"]), "medicare");
        assert!(!f.contains(&"dx-excludes1"), "{f:?}");
    }

    #[test]
    fn pointers_and_alignment() {
        let mut c = claim(&[("97530", 1, None), ("97535", 1, None)]);
        c.lines[0].dx_pointers.clear();
        c.lines[1].dx_pointers = vec![5];
        let f = codes(&c, "medicare");
        assert!(f.contains(&"line-no-dx-pointer") && f.contains(&"line-dx-pointer-invalid"));
        let mut c = with_dx(&["J45.909"]);
        c.lines[0].code = "97530".into();
        assert_eq!(codes(&c, "medicare"), ["dx-cpt-alignment"]);
        let mut c = with_dx(&["M62.81"]);
        c.lines[0].code = "97129".into();
        assert_eq!(codes(&c, "medicare"), ["dx-cpt-alignment"]);
    }
}
