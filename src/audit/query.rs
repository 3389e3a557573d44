//! Reading the audit log: search, export (JSON lines or CSV) and the activity report (text,
//! or a self-contained HTML page with inline SVG charts that needs no network).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;

use super::replicas::{self, Replica};
use super::{segments, split_mac, Action, AuditError, Entry};

/// Which entries to return. Empty fields match everything.
#[derive(Debug, Default, Clone)]
pub struct Filter {
    pub token: Option<String>,
    pub caller: Option<String>,
    pub route: Option<String>,
    pub action: Option<Action>,
    /// Keyed identifier hashes (any may match).
    pub subjects: Vec<String>,
    /// From this time, inclusive; compared as a time (offsets respected), not as text.
    pub since: Option<time::OffsetDateTime>,
    /// Up to this time, exclusive.
    pub until: Option<time::OffsetDateTime>,
}

/// An entry's time (`ts`, RFC 3339 as the log writes it).
pub fn entry_time(ts: &str) -> Option<time::OffsetDateTime> {
    time::OffsetDateTime::parse(ts, &time::format_description::well_known::Rfc3339).ok()
}

/// Parses a `--since`/`--until` bound: RFC 3339 (`2026-03-01T09:00:00-05:00`, `…Z`) or a
/// plain date (`2026-03-01`, UTC). A date as an upper bound means the end of that day, so
/// `--since 2026-03-01 --until 2026-03-31` covers all of March.
pub fn parse_bound(s: &str, upper: bool) -> Result<time::OffsetDateTime, String> {
    use time::format_description::well_known::Rfc3339;
    let s = s.trim();
    if let Ok(t) = time::OffsetDateTime::parse(s, &Rfc3339) {
        return Ok(t);
    }
    let date_fmt = time::macros::format_description!("[year]-[month]-[day]");
    match time::Date::parse(s, &date_fmt) {
        Ok(d) => {
            let d = if upper {
                d.next_day()
                    .ok_or_else(|| format!("`{s}` is out of range"))?
            } else {
                d
            };
            Ok(d.midnight().assume_utc())
        }
        Err(_) => Err(format!(
            "`{s}` is not a time: use RFC 3339 (2026-03-01T09:00:00Z, 2026-03-01T09:00:00-05:00) or a date (2026-03-01)"
        )),
    }
}

/// A bound as reports show it (RFC 3339, UTC).
pub fn format_bound(t: time::OffsetDateTime) -> String {
    t.to_offset(time::UtcOffset::UTC)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| "?".into())
}

impl Filter {
    pub fn matches(&self, e: &Entry) -> bool {
        let ev = &e.event;
        self.token
            .as_ref()
            .is_none_or(|t| ev.tokens.iter().any(|x| x == t))
            && self
                .caller
                .as_ref()
                .is_none_or(|c| ev.caller.as_ref() == Some(c))
            && self
                .route
                .as_ref()
                .is_none_or(|r| ev.route.as_ref() == Some(r))
            && self.action.is_none_or(|a| ev.action == Some(a))
            && (self.subjects.is_empty() || ev.subjects.iter().any(|s| self.subjects.contains(s)))
            && self.in_period(&e.ts)
    }

    /// Whether an entry time lies in [since, until). An entry whose time does not parse
    /// matches no bounded period.
    fn in_period(&self, ts: &str) -> bool {
        if self.since.is_none() && self.until.is_none() {
            return true;
        }
        let Some(t) = entry_time(ts) else {
            return false;
        };
        self.since.is_none_or(|s| t >= s) && self.until.is_none_or(|u| t < u)
    }
}

/// Calls `f` for every entry matching `filter`, oldest first. Lines that do not parse are
/// skipped here; `audit verify` is what judges integrity.
pub fn scan(
    dir: &Path,
    filter: &Filter,
    mut f: impl FnMut(&Entry, &str),
) -> Result<(), AuditError> {
    for path in segments(dir)? {
        let file = std::fs::File::open(&path).map_err(|e| super::io_err(&path, e))?;
        for line in BufReader::with_capacity(1 << 20, file).lines() {
            let line = line.map_err(|e| super::io_err(&path, e))?;
            let Some((body, _)) = split_mac(&line) else {
                continue;
            };
            let Ok(entry) = serde_json::from_str::<Entry>(&body) else {
                continue;
            };
            if filter.matches(&entry) {
                f(&entry, &line);
            }
        }
    }
    Ok(())
}

/// Writes matching entries as JSON lines (exactly as stored, MAC included) or CSV.
pub fn export(
    dir: &Path,
    filter: &Filter,
    csv: bool,
    out: &mut impl Write,
) -> Result<usize, AuditError> {
    export_replicas(&[Replica::single(dir)], filter, csv, out)
}

/// [`export`] over several replicas' logs, merged by time. JSON lines are as stored (each
/// verifies against its own replica's chain); CSV gains a `replica` column when there is
/// more than one.
pub fn export_replicas(
    replicas: &[Replica],
    filter: &Filter,
    csv: bool,
    out: &mut impl Write,
) -> Result<usize, AuditError> {
    let mut n = 0;
    let mut err = None;
    let several = replicas.len() > 1;
    if csv {
        let _ = writeln!(
            out,
            "seq,ts,action,outcome,route,caller,request_id,status,phi,tokens,detail{}",
            if several { ",replica" } else { "" }
        );
    }
    replicas::scan(replicas, filter, |i, e, line| {
        if err.is_some() {
            return;
        }
        let r = if csv {
            let ev = &e.event;
            let phi = ev
                .phi
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(" ");
            let replica = if several {
                format!(",{}", csv_field(&replicas[i].name))
            } else {
                String::new()
            };
            writeln!(
                out,
                "{},{},{},{},{},{},{},{},{},{},{}{replica}",
                e.seq,
                e.ts,
                ev.action.map(Action::as_str).unwrap_or(""),
                csv_field(&ev.outcome),
                csv_field(ev.route.as_deref().unwrap_or("")),
                csv_field(ev.caller.as_deref().unwrap_or("")),
                csv_field(ev.request_id.as_deref().unwrap_or("")),
                ev.status.map(|s| s.to_string()).unwrap_or_default(),
                csv_field(&phi),
                csv_field(&ev.tokens.join(" ")),
                csv_field(ev.detail.as_deref().unwrap_or("")),
            )
        } else {
            writeln!(out, "{line}")
        };
        match r {
            Ok(()) => n += 1,
            Err(e) => err = Some(e),
        }
    })?;
    match err {
        Some(e) => Err(super::io_err(Path::new("-"), e)),
        None => Ok(n),
    }
}

/// RFC 4180 quoting; a leading `=`, `+`, `-` or `@` is prefixed with `'` so a spreadsheet
/// never evaluates a field as a formula.
pub(super) fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// Activity over a period, as the report shows it.
#[derive(Debug, Default)]
pub struct Summary {
    pub since: String,
    pub until: String,
    pub entries: u64,
    /// (route, caller) → (requests, by action).
    pub by_route_caller: BTreeMap<(String, String), BTreeMap<String, u64>>,
    /// caller → PHI type → values revealed.
    pub reveals: BTreeMap<String, BTreeMap<String, u64>>,
    /// caller → refusals (reveals refused and authentication failures).
    pub refusals: BTreeMap<String, u64>,
    pub auth_failures: u64,
    pub claims_checked: u64,
    pub claims_passed: u64,
    /// finding code → count.
    pub findings: BTreeMap<String, u64>,
    /// Sums of the counts of `claim_remit` entries (payers' 835s read by the gateway):
    /// `adjudicated`, `denied`, `clean`, `unmatched`, … (see `claims::remit::Summary::detail`).
    pub remits: BTreeMap<String, u64>,
    pub admin: Vec<(String, String, String)>,
    pub per_day: BTreeMap<String, u64>,
    /// Entries per replica, when several replicas' logs were read as one.
    pub per_replica: BTreeMap<String, u64>,
}

pub fn summarize(dir: &Path, filter: &Filter) -> Result<Summary, AuditError> {
    summarize_replicas(&[Replica::single(dir)], filter)
}

/// [`summarize`] over several replicas' logs, read as one.
pub fn summarize_replicas(replicas: &[Replica], filter: &Filter) -> Result<Summary, AuditError> {
    let mut s = Summary {
        since: filter.since.map(format_bound).unwrap_or_default(),
        until: filter.until.map(format_bound).unwrap_or_default(),
        ..Summary::default()
    };
    // An open end of the period is stated as the first (or last) entry's time.
    let (mut first, mut last) = (None::<String>, None::<String>);
    let several = replicas.len() > 1;
    replicas::scan(replicas, filter, |i, e, _| {
        if several {
            *s.per_replica.entry(replicas[i].name.clone()).or_default() += 1;
        }
        if first.is_none() {
            first = Some(e.ts.clone());
        }
        last = Some(e.ts.clone());
        let ev = &e.event;
        let action = ev
            .action
            .map(Action::as_str)
            .unwrap_or("unknown")
            .to_string();
        let route = ev.route.clone().unwrap_or_else(|| "-".into());
        let caller = ev.caller.clone().unwrap_or_else(|| "-".into());
        s.entries += 1;
        *s.per_day
            .entry(e.ts.get(..10).unwrap_or("?").to_string())
            .or_default() += 1;
        *s.by_route_caller
            .entry((route, caller.clone()))
            .or_default()
            .entry(action)
            .or_default() += 1;
        match ev.action {
            Some(Action::Reveal) => {
                let per = s.reveals.entry(caller).or_default();
                for (t, n) in &ev.phi {
                    *per.entry(t.clone()).or_default() += n;
                }
            }
            Some(Action::RevealRefused) => *s.refusals.entry(caller).or_default() += 1,
            Some(Action::AuthFailure) => {
                s.auth_failures += 1;
                *s.refusals.entry(caller).or_default() += 1;
            }
            Some(Action::ClaimDecision) => {
                s.claims_checked += 1;
                if ev.outcome == "passed" || ev.outcome == "ok" {
                    s.claims_passed += 1;
                }
                for code in ev.detail.iter().flat_map(|d| d.split_whitespace()) {
                    *s.findings.entry(code.to_string()).or_default() += 1;
                }
            }
            Some(Action::ClaimRemit) => {
                let counts = ev.detail.iter().flat_map(|d| d.split_whitespace());
                for (k, v) in counts.filter_map(|w| w.split_once('=')) {
                    if let Ok(n) = v.parse::<u64>() {
                        *s.remits.entry(k.to_string()).or_default() += n;
                    }
                }
            }
            Some(
                a @ (Action::VaultExport
                | Action::VaultImport
                | Action::VaultRotateKey
                | Action::VaultForget
                | Action::VaultMigrate
                | Action::ConfigReload
                | Action::AuditSearch),
            ) => s
                .admin
                .push((e.ts.clone(), a.as_str().to_string(), ev.outcome.clone())),
            _ => {}
        }
    })?;
    if s.since.is_empty() {
        s.since = first.map_or_else(|| "(no entries)".into(), |t| format!("{t} (first entry)"));
    }
    if s.until.is_empty() {
        s.until = last.map_or_else(|| "(no entries)".into(), |t| format!("{t} (last entry)"));
    }
    Ok(s)
}

impl Summary {
    /// A remittance count (0 when none was recorded).
    pub fn remitted(&self, key: &str) -> u64 {
        self.remits.get(key).copied().unwrap_or(0)
    }

    /// `denied / adjudicated` and `clean / adjudicated`, as percentages with one decimal
    /// (`-` when no remitted claim was adjudicated).
    pub fn remit_rates(&self) -> (String, String) {
        let d = self.remitted("adjudicated");
        let pct = |n: u64| match d {
            0 => "-".to_string(),
            _ => format!("{:.1}%", n as f64 * 100.0 / d as f64),
        };
        (pct(self.remitted("denied")), pct(self.remitted("clean")))
    }
}

/// `tokenize 3, reveal 1`: a route's actions and their counts, for both report forms.
fn action_counts<'a>(actions: impl IntoIterator<Item = (&'a String, &'a u64)>) -> String {
    actions
        .into_iter()
        .map(|(a, n)| format!("{a} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The text report; `integrity` is the verification statement (or that none was made).
pub fn report_text(s: &Summary, integrity: &str) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "phigate audit report: {} to {}", s.since, s.until);
    let _ = writeln!(o, "integrity: {integrity}");
    let _ = writeln!(o, "entries: {}", s.entries);
    for (replica, n) in &s.per_replica {
        let _ = writeln!(o, "  replica {replica:<20} {n}");
    }
    let _ = writeln!(o);
    let _ = writeln!(o, "activity by route and caller:");
    for ((route, caller), actions) in &s.by_route_caller {
        let list = action_counts(actions);
        let _ = writeln!(o, "  {route:<24} {caller:<20} {list}");
    }
    let _ = writeln!(o, "\nreveals by caller and type:");
    for (caller, types) in &s.reveals {
        let list = types
            .iter()
            .map(|(t, n)| format!("{t} {n}"))
            .collect::<Vec<_>>()
            .join(", ");
        let _ = writeln!(o, "  {caller:<20} {list}");
    }
    let _ = writeln!(
        o,
        "\nrefusals (reveals refused, authentication failures): {}",
        s.refusals.values().sum::<u64>()
    );
    for (caller, n) in &s.refusals {
        let _ = writeln!(o, "  {caller:<20} {n}");
    }
    let _ = writeln!(
        o,
        "\nclaims checked: {}, passed: {}",
        s.claims_checked, s.claims_passed
    );
    for (code, n) in top(&s.findings, 10) {
        let _ = writeln!(o, "  {code:<24} {n}");
    }
    let (denial, clean) = s.remit_rates();
    let _ = writeln!(
        o,
        "\nclaims remitted (payers' 835s): {} adjudicated, {} denied, {} clean; denial rate {denial}, clean-claim rate {clean}; {} not forwarded by phigate",
        s.remitted("adjudicated"),
        s.remitted("denied"),
        s.remitted("clean"),
        s.remitted("unmatched")
    );
    let _ = writeln!(o, "\nadministration:");
    for (ts, a, outcome) in &s.admin {
        let _ = writeln!(o, "  {ts} {a} {outcome}");
    }
    o
}

fn top(m: &BTreeMap<String, u64>, n: usize) -> Vec<(&String, &u64)> {
    let mut v: Vec<_> = m.iter().collect();
    v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    v.truncate(n);
    v
}

pub(super) fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A horizontal bar chart as inline SVG.
fn bar_chart(id: &str, title: &str, rows: &[(String, u64)]) -> String {
    let max = rows.iter().map(|r| r.1).max().unwrap_or(1).max(1);
    let h = 24 * rows.len().max(1) + 30;
    let mut svg = format!(
        "<figure><figcaption>{}</figcaption><svg id=\"{id}\" class=\"chart\" role=\"img\" width=\"640\" height=\"{h}\" viewBox=\"0 0 640 {h}\">",
        esc(title)
    );
    for (i, (label, n)) in rows.iter().enumerate() {
        let y = 10 + i * 24;
        let w = (*n as f64 / max as f64 * 380.0).round().max(1.0);
        let _ = write!(
            svg,
            "<text x=\"0\" y=\"{}\" font-size=\"12\">{}</text><rect class=\"bar\" data-value=\"{n}\" x=\"200\" y=\"{y}\" width=\"{w}\" height=\"18\" fill=\"#2b6cb0\"/><text x=\"{}\" y=\"{}\" font-size=\"12\">{n}</text>",
            y + 14,
            esc(label),
            205.0 + w,
            y + 14
        );
    }
    svg.push_str("</svg></figure>");
    svg
}

/// The HTML report (one page, no scripts); `integrity` as for [`report_text`].
pub fn report_html(s: &Summary, integrity: &str) -> String {
    let mut o = String::new();
    let _ = write!(
        o,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>phigate audit report</title>\
         <style>body{{font-family:sans-serif;margin:2em;color:#1a202c}}table{{border-collapse:collapse}}\
         td,th{{border:1px solid #cbd5e0;padding:4px 8px;text-align:left}}figure{{margin:1em 0}}</style></head><body>\
         <h1>phigate audit report</h1><p id=\"period\">{} to {}</p><p id=\"integrity\">Integrity: {}</p><p>Entries: <span id=\"entries\">{}</span></p>",
        esc(&s.since),
        esc(&s.until),
        esc(integrity),
        s.entries
    );
    if !s.per_replica.is_empty() {
        let per: Vec<(String, u64)> = s.per_replica.iter().map(|(r, n)| (r.clone(), *n)).collect();
        o.push_str(&bar_chart("chart-replicas", "Entries per replica", &per));
    }
    let per_day: Vec<(String, u64)> = s.per_day.iter().map(|(d, n)| (d.clone(), *n)).collect();
    o.push_str(&bar_chart("chart-days", "Events per day", &per_day));
    let per_caller: Vec<(String, u64)> = {
        let mut m: BTreeMap<String, u64> = BTreeMap::new();
        for ((_, caller), actions) in &s.by_route_caller {
            *m.entry(caller.clone()).or_default() += actions.values().sum::<u64>();
        }
        m.into_iter().collect()
    };
    o.push_str(&bar_chart(
        "chart-callers",
        "Events per caller",
        &per_caller,
    ));
    o.push_str("<h2>Activity by route and caller</h2><table id=\"activity\"><tr><th>route</th><th>caller</th><th>actions</th></tr>");
    for ((route, caller), actions) in &s.by_route_caller {
        let list = action_counts(actions);
        let _ = write!(
            o,
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(route),
            esc(caller),
            esc(&list)
        );
    }
    o.push_str("</table><h2>Reveals by caller and type</h2><table id=\"reveals\"><tr><th>caller</th><th>type</th><th>values revealed</th></tr>");
    for (caller, types) in &s.reveals {
        for (t, n) in types {
            let _ = write!(
                o,
                "<tr><td>{}</td><td>{}</td><td>{n}</td></tr>",
                esc(caller),
                esc(t)
            );
        }
    }
    let refusals: Vec<(String, u64)> = s.refusals.iter().map(|(c, n)| (c.clone(), *n)).collect();
    o.push_str("</table><h2>Refusals</h2>");
    o.push_str(&bar_chart(
        "chart-refusals",
        "Refused reveals and failed authentications per caller",
        &refusals,
    ));
    let _ = write!(
        o,
        "<h2>Claims</h2><p>Checked: <span id=\"claims-checked\">{}</span>, passed: <span id=\"claims-passed\">{}</span></p>",
        s.claims_checked, s.claims_passed
    );
    let findings: Vec<(String, u64)> = top(&s.findings, 10)
        .into_iter()
        .map(|(c, n)| (c.clone(), *n))
        .collect();
    o.push_str(&bar_chart(
        "chart-findings",
        "Top claim findings",
        &findings,
    ));
    let (denial, clean) = s.remit_rates();
    let _ = write!(
        o,
        "<h2>Remittances</h2><p>Adjudicated: <span id=\"remits-adjudicated\">{}</span>, denied: <span id=\"remits-denied\">{}</span>, clean: <span id=\"remits-clean\">{}</span>, not forwarded by phigate: <span id=\"remits-unmatched\">{}</span></p><p>Denial rate: <span id=\"denial-rate\">{}</span>, clean-claim rate: <span id=\"clean-claim-rate\">{}</span></p>",
        s.remitted("adjudicated"),
        s.remitted("denied"),
        s.remitted("clean"),
        s.remitted("unmatched"),
        esc(&denial),
        esc(&clean)
    );
    o.push_str("<h2>Administration</h2><table id=\"admin\"><tr><th>time</th><th>action</th><th>outcome</th></tr>");
    for (ts, a, outcome) in &s.admin {
        let _ = write!(
            o,
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(ts),
            esc(a),
            esc(outcome)
        );
    }
    o.push_str("</table></body></html>\n");
    o
}
