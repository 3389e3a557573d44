//! The console's pages: what each one asks of the audit log and how it shows the answer.
//!
//! Owns turning a request (path, query, form) into a [`Page`] (bad input is a [`BadInput`]
//! naming the field, never echoing an identifier), what the page's audit entry carries
//! ([`Page::view_event`]: the page, and a searched identifier only as its keyed hash), and
//! rendering. Reading the log is the `audit` module's (query, summary, verification,
//! accounting of disclosures); nothing here interprets entries a second way. Rendering
//! reads files, so it runs on a blocking thread.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::html::{esc, notice, period_form, table};
use super::LogView;
use crate::audit::disclosures::{self as acc, Integrity};
use crate::audit::query::{self, parse_bound, Filter};
use crate::audit::{verify, Action, AuditError, Entry, Event};
use crate::phi::PhiType;

/// At most this many entries are listed by a search (the newest), with the total stated.
const SEARCH_ROWS: usize = 200;
/// At most this many officer look-ups are listed on the administration page.
const LOOKUP_ROWS: usize = 100;

/// Input a page cannot use: the field and what is wrong, shown to the officer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct BadInput {
    pub field: &'static str,
    pub message: String,
}

fn bad(field: &'static str, message: impl Into<String>) -> BadInput {
    BadInput {
        field,
        message: message.into(),
    }
}

/// A period asked for, as typed and as parsed.
#[derive(Debug, Clone, Default)]
pub struct Period {
    since: String,
    until: String,
    filter: Filter,
}

impl Period {
    fn parse(fields: &BTreeMap<String, String>) -> Result<Period, BadInput> {
        let text = |k: &str| {
            fields
                .get(k)
                .map(|v| v.trim().to_string())
                .unwrap_or_default()
        };
        let (since, until) = (text("since"), text("until"));
        let bound = |s: &str, field: &'static str, upper: bool| {
            if s.is_empty() {
                return Ok(None);
            }
            parse_bound(s, upper).map(Some).map_err(|m| bad(field, m))
        };
        let filter = Filter {
            since: bound(&since, "since", false)?,
            until: bound(&until, "until", true)?,
            ..Filter::default()
        };
        Ok(Period {
            since,
            until,
            filter,
        })
    }

    fn stated(&self) -> String {
        let (from, to) = acc::bounds(&self.filter);
        let or = |s: String, open: &str| if s.is_empty() { open.to_string() } else { s };
        format!(
            "{} to {}",
            or(from, "the start of the log"),
            or(to, "now (exclusive)")
        )
    }
}

/// What an identifier search or accounting looks for: the keyed hashes of the value under
/// the type(s) given. The value itself is dropped once hashed.
#[derive(Debug, Clone)]
pub struct Identifier {
    types: Vec<PhiType>,
    subjects: Vec<String>,
}

impl Identifier {
    fn parse(
        log: &LogView,
        fields: &BTreeMap<String, String>,
        any_type: bool,
    ) -> Result<Identifier, BadInput> {
        let value = fields.get("value").map(String::as_str).unwrap_or("").trim();
        if value.is_empty() {
            return Err(bad("value", "type the identifier to look for"));
        }
        let ty = fields.get("type").map(String::as_str).unwrap_or("");
        let types = match ty {
            "" | "any" if any_type => PhiType::ALL.to_vec(),
            t => vec![t
                .parse::<PhiType>()
                .map_err(|_| bad("type", "choose a PHI type from the list"))?],
        };
        let keys = log.audit.keys();
        let subjects = types
            .iter()
            .map(|t| crate::audit::subject_hash(keys, *t, value))
            .collect();
        Ok(Identifier { types, subjects })
    }
}

/// One page request, parsed.
#[derive(Debug, Clone)]
pub enum Page {
    Overview,
    Integrity,
    Activity(Period),
    SearchForm,
    SearchIdentifier(Identifier, Period),
    SearchToken(String, Period),
    DisclosuresForm,
    Disclosures {
        who: Identifier,
        period: Period,
        allow_unverified: bool,
    },
    Reveals(Period),
    Claims(Period),
    Vault(Period),
}

impl Page {
    /// The page at `path`; `fields` are the query's (GET) or the form's (POST). `None`: no
    /// such page for this method.
    pub fn parse(
        log: &LogView,
        post: bool,
        path: &str,
        fields: &BTreeMap<String, String>,
    ) -> Option<Result<Page, BadInput>> {
        let period = || Period::parse(fields);
        Some(match (post, path) {
            (false, "/") => Ok(Page::Overview),
            (false, "/integrity") => Ok(Page::Integrity),
            (false, "/activity") => period().map(Page::Activity),
            (false, "/reveals") => period().map(Page::Reveals),
            (false, "/claims") => period().map(Page::Claims),
            (false, "/vault") => period().map(Page::Vault),
            (false, "/search") => Ok(Page::SearchForm),
            (false, "/disclosures") => Ok(Page::DisclosuresForm),
            (true, "/search") => Page::search(log, fields),
            (true, "/disclosures") => (|| {
                Ok(Page::Disclosures {
                    who: Identifier::parse(log, fields, false)?,
                    period: period()?,
                    allow_unverified: fields.contains_key("allow_unverified"),
                })
            })(),
            _ => return None,
        })
    }

    fn search(log: &LogView, fields: &BTreeMap<String, String>) -> Result<Page, BadInput> {
        let period = Period::parse(fields)?;
        match fields.get("by").map(String::as_str) {
            Some("token") => {
                let token = fields.get("value").map(|v| v.trim()).unwrap_or("");
                // A token is a keyed hash, not PHI; anything else is refused, not searched.
                if !crate::phi::token::looks_like_token(token) {
                    return Err(bad(
                        "value",
                        "not a token (a token looks like NAME_KBTZQMXRHD)",
                    ));
                }
                Ok(Page::SearchToken(token.to_string(), period))
            }
            Some("identifier") | None => Ok(Page::SearchIdentifier(
                Identifier::parse(log, fields, true)?,
                period,
            )),
            Some(_) => Err(bad("by", "search by identifier or by token")),
        }
    }

    /// The page's name in the audit log.
    fn name(&self) -> &'static str {
        match self {
            Page::Overview => "overview",
            Page::Integrity => "integrity",
            Page::Activity(_) => "activity",
            Page::SearchForm => "search form",
            Page::SearchIdentifier(..) => "search by identifier",
            Page::SearchToken(..) => "search by token",
            Page::DisclosuresForm => "disclosures form",
            Page::Disclosures { .. } => "disclosures",
            Page::Reveals(_) => "reveals",
            Page::Claims(_) => "claims",
            Page::Vault(_) => "vault",
        }
    }

    /// The audit entry of this page view: who, which page, and what was looked for (an
    /// identifier only as its keyed hashes, a token as itself), never a typed value.
    pub fn view_event(&self, officer: &str) -> Event {
        let mut e = Event::new(Action::AuditSearch, "ok");
        e.caller = Some(super::CALLER.into());
        e.user = Some(officer.to_string());
        e.detail = Some(format!("console {}", self.name()));
        match self {
            Page::SearchIdentifier(who, _) | Page::Disclosures { who, .. } => {
                e.subjects.clone_from(&who.subjects);
            }
            Page::SearchToken(token, _) => e.tokens = vec![token.clone()],
            _ => {}
        }
        e
    }

    /// The page's title and body HTML.
    pub fn render(&self, log: &LogView) -> Result<(&'static str, String), AuditError> {
        Ok(match self {
            Page::Overview => ("Overview", overview()),
            Page::Integrity => ("Integrity of the audit log", integrity(log)?),
            Page::Activity(p) => ("Activity", activity(log, p)?),
            Page::SearchForm => ("Search the audit log", search_form("", "")),
            Page::SearchIdentifier(who, p) => (
                "Search the audit log",
                search_results(log, &who.subject_filter(p), p, "identifier", "")?,
            ),
            Page::SearchToken(token, p) => {
                let f = Filter {
                    token: Some(token.clone()),
                    ..p.filter.clone()
                };
                (
                    "Search the audit log",
                    search_results(log, &f, p, "token", token)?,
                )
            }
            Page::DisclosuresForm => (
                "Accounting of disclosures",
                disclosures_form(&Period::default()),
            ),
            Page::Disclosures {
                who,
                period,
                allow_unverified,
            } => (
                "Accounting of disclosures",
                disclosures(log, who, period, *allow_unverified)?,
            ),
            Page::Reveals(p) => ("Reveals and refusals", reveals(log, p)?),
            Page::Claims(p) => ("Claims", claims(log, p)?),
            Page::Vault(p) => ("Vault administration", vault(log, p)?),
        })
    }
}

impl Identifier {
    fn subject_filter(&self, p: &Period) -> Filter {
        Filter {
            subjects: self.subjects.clone(),
            ..p.filter.clone()
        }
    }
}

fn overview() -> String {
    let mut s = String::from(
        "<p>A read-only view of the gateway's tamper-evident audit log. Nothing here shows a \
         patient's data: entries hold types, counts, tokens and keyed hashes.</p><ul id=\"pages\">",
    );
    let about = [
        "whether the log verifies, its newest signed checkpoint and the public key",
        "requests by route and caller over a period",
        "entries naming an identifier (hashed as the gateway hashes it) or a token",
        "every disclosure of one patient's data, with recipients, for a period (printable)",
        "values revealed and refused, by caller and PHI type",
        "clean-claim rate and findings by edit",
        "forget, rotate, export, import and migrate; configuration reloads; officer look-ups",
    ];
    for ((href, text), what) in super::html::PAGES.iter().zip(about) {
        let _ = write!(s, "<li><a href=\"{href}\">{text}</a>: {what}</li>");
    }
    s.push_str("</ul>");
    s
}

/// Verifies the log as it stands now (against its witness when known). A live log may end
/// in a line still being written; the log is synced and checked again then.
fn verification(log: &LogView) -> Result<Result<verify::Report, verify::Problem>, AuditError> {
    let trust = verify::Trust::Keys(log.audit.keys());
    let anchors = verify::Anchors {
        witness: log.witness.as_deref(),
        pin: None,
    };
    let mut result = Err(verify::Problem {
        file: log.log_dir.clone(),
        line: 0,
        expected_seq: 0,
        reason: "not verified".into(),
    });
    for _ in 0..3 {
        // Everything recorded so far (this page view too) is written and checkpointed.
        log.audit.sync()?;
        result = verify::verify_anchored(&log.log_dir, &trust, &anchors)?;
        match &result {
            Err(p) if p.reason.contains("incomplete") => continue,
            _ => break,
        }
    }
    Ok(result)
}

fn integrity(log: &LogView) -> Result<String, AuditError> {
    let result = verification(log)?;
    let stated = Integrity::of(result.clone());
    let mut s = if stated.verified {
        notice("verify-status", "ok", "The audit log verifies.")
    } else {
        notice("verify-status", "error", "The audit log does NOT verify.")
    };
    let public = log.audit.keys().public_key();
    let _ = write!(
        s,
        "<dl><dt>Statement</dt><dd id=\"statement\">{}</dd>\
         <dt>Log directory</dt><dd>{}</dd>",
        esc(&stated.statement),
        esc(&log.log_dir.display().to_string())
    );
    if let Ok(r) = &result {
        let newest = r.newest.as_ref();
        let _ = write!(
            s,
            "<dt>Entries</dt><dd id=\"entries\">{}</dd><dt>Segments</dt><dd>{}</dd>\
             <dt>Signed checkpoints</dt><dd>{}</dd>\
             <dt>Newest anchored checkpoint</dt><dd id=\"checkpoint\">{}</dd>\
             <dt>Entries after it</dt><dd id=\"unanchored\">{}</dd>\
             <dt>Witness in the vault</dt><dd id=\"witness\">{}</dd>\
             <dt>Pin (keep it to check this log later)</dt><dd><code>{}</code></dd>",
            r.entries,
            r.segments,
            r.checkpoints,
            newest.map_or_else(
                || "none".to_string(),
                |c| esc(&format!("entry {}, signed {}", c.seq, c.ts))
            ),
            r.unanchored,
            esc(r.witness.as_str()),
            esc(&newest
                .map(crate::audit::Checkpoint::line)
                .unwrap_or_default()),
        );
    }
    let _ = write!(
        s,
        "<dt>Checkpoint public key (Ed25519)</dt><dd><code id=\"pubkey\">{}</code></dd>\
         <dt>Its SHA-256 fingerprint</dt><dd><code id=\"fingerprint\">{}</code></dd></dl>\
         <p class=\"hint\">An auditor without the master key checks the log with \
         <code>phigate audit verify --pubkey FILE</code>.</p>",
        crate::audit::hex(&public),
        crate::audit::sha256_hex(&public)
    );
    Ok(s)
}

fn activity(log: &LogView, p: &Period) -> Result<String, AuditError> {
    let sum = query::summarize(&log.log_dir, &p.filter)?;
    let mut s = period_form("/activity", &p.since, &p.until);
    let _ = write!(
        s,
        "<p>Period: <span id=\"period\">{}</span>. Entries: <span id=\"entries\">{}</span>.</p>",
        esc(&p.stated()),
        sum.entries
    );
    let rows: Vec<Vec<String>> = sum
        .by_route_caller
        .iter()
        .map(|((route, caller), actions)| {
            let list = actions
                .iter()
                .map(|(a, n)| format!("{a} {n}"))
                .collect::<Vec<_>>()
                .join(", ");
            vec![esc(route), esc(caller), esc(&list)]
        })
        .collect();
    s.push_str(&table(
        "activity",
        "Events by route and caller",
        &["Route", "Caller", "Actions"],
        &rows,
    ));
    let days: Vec<Vec<String>> = sum
        .per_day
        .iter()
        .map(|(d, n)| vec![esc(d), n.to_string()])
        .collect();
    s.push_str(&table(
        "per-day",
        "Events per day (UTC)",
        &["Day", "Events"],
        &days,
    ));
    Ok(s)
}

fn search_form(by_token: &str, token: &str) -> String {
    let checked = |on: bool| if on { " checked" } else { "" };
    let mut types = String::from("<option value=\"any\">any type</option>");
    for t in PhiType::ALL {
        let _ = write!(types, "<option value=\"{0}\">{0}</option>", t.as_str());
    }
    format!(
        "<form id=\"search\" method=\"post\" action=\"/search\"><fieldset><legend>Look for</legend>\
         <input type=\"radio\" id=\"by-identifier\" name=\"by\" value=\"identifier\"{}>\
         <label for=\"by-identifier\">an identifier (hashed as the gateway hashes it; never stored)</label>\
         <input type=\"radio\" id=\"by-token\" name=\"by\" value=\"token\"{}>\
         <label for=\"by-token\">a token</label>\
         <label for=\"type\">Identifier type</label><select id=\"type\" name=\"type\">{types}</select>\
         <label for=\"value\">Identifier or token</label>\
         <input id=\"value\" name=\"value\" value=\"{}\" autocomplete=\"off\" required>\
         <label for=\"since\">From (inclusive)</label><input id=\"since\" name=\"since\" placeholder=\"2026-03-01\">\
         <label for=\"until\">Up to (a date includes that day)</label><input id=\"until\" name=\"until\" placeholder=\"2026-03-31\">\
         <button type=\"submit\">Search</button></fieldset></form>",
        checked(by_token.is_empty()),
        checked(!by_token.is_empty()),
        esc(token),
    )
}

fn entry_row(e: &Entry) -> Vec<String> {
    let ev = &e.event;
    let phi = ev
        .phi
        .iter()
        .map(|(t, n)| format!("{t} {n}"))
        .collect::<Vec<_>>()
        .join(", ");
    let opt = |v: &Option<String>| esc(v.as_deref().unwrap_or("-"));
    vec![
        e.seq.to_string(),
        esc(&e.ts),
        esc(ev.action.map_or("unknown", Action::as_str)),
        esc(&ev.outcome),
        opt(&ev.route),
        opt(&ev.caller),
        opt(&ev.destination),
        esc(&phi),
        opt(&ev.detail),
    ]
}

fn search_results(
    log: &LogView,
    filter: &Filter,
    p: &Period,
    by: &str,
    token: &str,
) -> Result<String, AuditError> {
    let mut rows = std::collections::VecDeque::new();
    let mut total = 0usize;
    query::scan(&log.log_dir, filter, |e, _| {
        // An officer's own look-ups name the identifier too; they are not its activity.
        if e.event.action == Some(Action::AuditSearch) {
            return;
        }
        total += 1;
        if rows.len() == SEARCH_ROWS {
            rows.pop_front();
        }
        rows.push_back(entry_row(e));
    })?;
    let mut s = search_form(if by == "token" { "token" } else { "" }, token);
    let _ = write!(
        s,
        "<p id=\"result-count\" role=\"status\">{total} matching entries ({}), {} by {by}. {}</p>",
        esc(&p.stated()),
        if total > SEARCH_ROWS {
            format!("the newest {SEARCH_ROWS} shown")
        } else {
            "all shown".into()
        },
        if by == "identifier" {
            "The identifier was hashed and is not shown or stored."
        } else {
            ""
        }
    );
    s.push_str(&table(
        "results",
        "Matching entries",
        &[
            "Seq",
            "Time",
            "Action",
            "Outcome",
            "Route",
            "Caller",
            "Recipient",
            "PHI",
            "Detail",
        ],
        &rows.into_iter().collect::<Vec<_>>(),
    ));
    Ok(s)
}

fn disclosures_form(p: &Period) -> String {
    let mut types = String::new();
    for t in PhiType::ALL {
        let _ = write!(types, "<option value=\"{0}\">{0}</option>", t.as_str());
    }
    format!(
        "<form id=\"accounting\" method=\"post\" action=\"/disclosures\"><fieldset><legend>Patient and period</legend>\
         <label for=\"type\">Identifier type</label><select id=\"type\" name=\"type\">{types}</select>\
         <label for=\"value\">Identifier as the gateway saw it (hashed; never stored or shown)</label>\
         <input id=\"value\" name=\"value\" autocomplete=\"off\" required>\
         <label for=\"since\">From (inclusive)</label><input id=\"since\" name=\"since\" value=\"{}\" placeholder=\"2026-03-01\">\
         <label for=\"until\">Up to (a date includes that day)</label><input id=\"until\" name=\"until\" value=\"{}\" placeholder=\"2026-03-31\">\
         <input type=\"checkbox\" id=\"allow_unverified\" name=\"allow_unverified\" value=\"1\">\
         <label for=\"allow_unverified\">Show an accounting even if the log does not verify (marked as unverified)</label>\
         <button type=\"submit\">Give the accounting</button></fieldset></form>",
        esc(&p.since),
        esc(&p.until)
    )
}

fn disclosures(
    log: &LogView,
    who: &Identifier,
    p: &Period,
    allow_unverified: bool,
) -> Result<String, AuditError> {
    let integrity = Integrity::of(verification(log)?);
    let mut s = disclosures_form(p);
    if !integrity.verified && !allow_unverified {
        s.push_str(&notice(
            "unverified",
            "error",
            &format!(
                "The audit log does not verify, so no accounting is given from it: {}",
                integrity.statement
            ),
        ));
        return Ok(s);
    }
    let found = acc::collect(&log.log_dir, &who.subjects, &p.filter)?;
    if !integrity.verified {
        s.push_str(&notice(
            "unverified",
            "warn",
            "WARNING: THE AUDIT LOG DID NOT VERIFY. This accounting may be incomplete or altered.",
        ));
    }
    let types = who
        .types
        .iter()
        .map(|t| t.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let _ = write!(
        s,
        "<h2>Accounting (45 CFR 164.528)</h2><dl><dt>Identifier type</dt><dd>{}</dd>\
         <dt>Period covered</dt><dd id=\"period\">{}</dd>\
         <dt>Integrity of the audit log</dt><dd id=\"integrity\">{}</dd>\
         <dt>Disclosures</dt><dd id=\"disclosure-count\">{}</dd></dl>",
        esc(&types),
        esc(&p.stated()),
        esc(&integrity.statement),
        found.len()
    );
    let mut recipients: BTreeMap<&str, (usize, &str, &str)> = BTreeMap::new();
    for d in &found {
        let r = recipients
            .entry(&d.destination)
            .or_insert((0, &d.time, &d.time));
        r.0 += 1;
        r.2 = &d.time;
    }
    let rows: Vec<Vec<String>> = recipients
        .iter()
        .map(|(dest, (n, first, last))| vec![esc(dest), n.to_string(), esc(first), esc(last)])
        .collect();
    s.push_str(&table(
        "recipients",
        "Who received the patient's data",
        &["Recipient", "Disclosures", "First", "Last"],
        &rows,
    ));
    let rows: Vec<Vec<String>> = found
        .iter()
        .map(|d| {
            vec![
                esc(&d.time),
                esc(&d.destination),
                esc(&d.description),
                esc(&format!("{} (route {})", d.purpose, d.route)),
                esc(&d.caller),
                esc(d.claim.as_deref().unwrap_or("-")),
            ]
        })
        .collect();
    s.push_str(&table(
        "disclosures",
        "Disclosures, oldest first",
        &[
            "Date",
            "Recipient",
            "What was disclosed",
            "Purpose",
            "Caller",
            "Claim decision",
        ],
        &rows,
    ));
    Ok(s)
}

fn reveals(log: &LogView, p: &Period) -> Result<String, AuditError> {
    let sum = query::summarize(&log.log_dir, &p.filter)?;
    // Refused values by caller and type (the summary counts refusals per caller only).
    let mut refused: BTreeMap<(String, String), u64> = BTreeMap::new();
    let f = Filter {
        action: Some(Action::RevealRefused),
        ..p.filter.clone()
    };
    query::scan(&log.log_dir, &f, |e, _| {
        let caller = e.event.caller.clone().unwrap_or_else(|| "-".into());
        for (t, n) in &e.event.phi {
            *refused.entry((caller.clone(), t.clone())).or_default() += n;
        }
    })?;
    let mut s = period_form("/reveals", &p.since, &p.until);
    let _ = write!(
        s,
        "<p>Period: <span id=\"period\">{}</span>.</p>",
        esc(&p.stated())
    );
    let rows: Vec<Vec<String>> = sum
        .reveals
        .iter()
        .flat_map(|(caller, types)| {
            types
                .iter()
                .map(move |(t, n)| vec![esc(caller), esc(t), n.to_string()])
        })
        .collect();
    s.push_str(&table(
        "reveals",
        "Values revealed, by caller and PHI type",
        &["Caller", "PHI type", "Values revealed"],
        &rows,
    ));
    let rows: Vec<Vec<String>> = refused
        .iter()
        .map(|((caller, t), n)| vec![esc(caller), esc(t), n.to_string()])
        .collect();
    s.push_str(&table(
        "refused-types",
        "Values refused, by caller and PHI type",
        &["Caller", "PHI type", "Values refused"],
        &rows,
    ));
    let rows: Vec<Vec<String>> = sum
        .refusals
        .iter()
        .map(|(caller, n)| vec![esc(caller), n.to_string()])
        .collect();
    s.push_str(&table(
        "refusals",
        "Refused requests by caller (reveals refused and failed authentications)",
        &["Caller", "Refusals"],
        &rows,
    ));
    let _ = write!(
        s,
        "<p>Failed authentications: <span id=\"auth-failures\">{}</span>.</p>",
        sum.auth_failures
    );
    Ok(s)
}

fn claims(log: &LogView, p: &Period) -> Result<String, AuditError> {
    let sum = query::summarize(&log.log_dir, &p.filter)?;
    let mut s = period_form("/claims", &p.since, &p.until);
    let rate = if sum.claims_checked == 0 {
        "no claims checked".to_string()
    } else {
        // Exact enough for a percentage shown with one decimal.
        #[allow(clippy::cast_precision_loss)]
        let r = sum.claims_passed as f64 * 100.0 / sum.claims_checked as f64;
        format!("{r:.1}%")
    };
    let _ = write!(
        s,
        "<p>Period: <span id=\"period\">{}</span>.</p><dl><dt>Claims checked</dt><dd id=\"claims-checked\">{}</dd>\
         <dt>Passed clean</dt><dd id=\"claims-passed\">{}</dd><dt>Clean-claim rate</dt><dd id=\"clean-rate\">{}</dd></dl>",
        esc(&p.stated()),
        sum.claims_checked,
        sum.claims_passed,
        esc(&rate)
    );
    let mut findings: Vec<_> = sum.findings.iter().collect();
    findings.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let rows: Vec<Vec<String>> = findings
        .into_iter()
        .map(|(code, n)| vec![esc(code), n.to_string()])
        .collect();
    s.push_str(&table(
        "findings",
        "Findings by edit code",
        &["Edit code", "Claims"],
        &rows,
    ));
    Ok(s)
}

/// Whether an action is an administration event of the vault or the gateway.
fn is_admin(a: Option<Action>) -> bool {
    matches!(
        a,
        Some(
            Action::VaultExport
                | Action::VaultImport
                | Action::VaultRotateKey
                | Action::VaultForget
                | Action::VaultMigrate
                | Action::ConfigReload
        )
    )
}

fn vault(log: &LogView, p: &Period) -> Result<String, AuditError> {
    let (mut admin, mut lookups) = (Vec::new(), std::collections::VecDeque::new());
    let mut lookup_total = 0usize;
    query::scan(&log.log_dir, &p.filter, |e, _| {
        let ev = &e.event;
        let opt = |v: &Option<String>| esc(v.as_deref().unwrap_or("-"));
        let row = || {
            vec![
                esc(&e.ts),
                esc(ev.action.map_or("unknown", Action::as_str)),
                esc(&ev.outcome),
                opt(&ev.user),
                opt(&ev.caller),
                opt(&ev.detail),
            ]
        };
        if is_admin(ev.action) {
            admin.push(row());
        } else if ev.action == Some(Action::AuditSearch) {
            lookup_total += 1;
            if lookups.len() == LOOKUP_ROWS {
                lookups.pop_front();
            }
            lookups.push_back(row());
        }
    })?;
    let mut s = period_form("/vault", &p.since, &p.until);
    let _ = write!(
        s,
        "<p>Period: <span id=\"period\">{}</span>.</p>",
        esc(&p.stated())
    );
    let head = ["Time", "Action", "Outcome", "User", "Caller", "Detail"];
    s.push_str(&table(
        "admin",
        "Vault administration and configuration reloads (forget, rotate, export, import, migrate)",
        &head,
        &admin,
    ));
    let _ = write!(
        s,
        "<p>Officer look-ups in the period: <span id=\"lookups\">{lookup_total}</span> (the newest {LOOKUP_ROWS} listed).</p>"
    );
    s.push_str(&table(
        "lookups",
        "Officer look-ups and console page views",
        &head,
        &lookups.into_iter().collect::<Vec<_>>(),
    ));
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_period_parses_as_the_cli_parses_it_and_a_bad_one_names_its_field() {
        let p = Period::parse(&fields(&[("since", "2026-03-01"), ("until", "2026-03-31")]))
            .expect("period");
        assert_eq!(p.stated(), "2026-03-01T00:00:00Z to 2026-04-01T00:00:00Z");
        let e = Period::parse(&fields(&[("until", "March")])).expect_err("bad");
        assert_eq!(e.field, "until");
        assert_eq!(
            Period::parse(&fields(&[])).expect("open").stated(),
            "the start of the log to now (exclusive)"
        );
    }
}
