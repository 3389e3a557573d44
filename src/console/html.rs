//! The console's HTML: escaping, the page frame (skip link, navigation, sign-out button,
//! footer), forms and tables, and the one stylesheet (screen and print).
//!
//! Every value written into a page goes through [`esc`]; the frame holds no script and no
//! inline style (the Content-Security-Policy allows neither), so a value that looks like
//! markup is shown as text and never runs.

use std::fmt::Write as _;

/// The pages, in navigation order: path, link text.
pub const PAGES: &[(&str, &str)] = &[
    ("/integrity", "Integrity"),
    ("/activity", "Activity"),
    ("/search", "Search"),
    ("/disclosures", "Accounting of disclosures"),
    ("/reveals", "Reveals and refusals"),
    ("/claims", "Claims"),
    ("/vault", "Vault administration"),
];

/// Text made safe for an HTML element or a quoted attribute.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A whole page: `path` marks the current navigation link, `officer` is who is signed in
/// (`None` on the sign-in page), `body` is the page's own (already escaped) HTML.
pub fn page(title: &str, path: &str, officer: Option<&str>, body: &str) -> String {
    let mut s = String::with_capacity(body.len() + 2048);
    let _ = write!(
        s,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{} · phigate officer console</title>\
         <link rel=\"stylesheet\" href=\"/style.css\"></head><body>\n\
         <a class=\"skip\" href=\"#main\">Skip to content</a>\n<header>\
         <p class=\"brand\"><a href=\"/\">phigate officer console</a></p>",
        esc(title)
    );
    if let Some(name) = officer {
        s.push_str("<nav aria-label=\"Console pages\"><ul>");
        for (href, text) in PAGES {
            let current = if *href == path {
                " aria-current=\"page\""
            } else {
                ""
            };
            let _ = write!(s, "<li><a href=\"{href}\"{current}>{text}</a></li>");
        }
        let _ = write!(
            s,
            "</ul></nav><form class=\"signout\" method=\"post\" action=\"/logout\">\
             <span id=\"officer\">Signed in as {}</span> <button type=\"submit\">Sign out</button></form>",
            esc(name)
        );
    }
    let _ = write!(
        s,
        "</header>\n<main id=\"main\" tabindex=\"-1\">\n<h1>{}</h1>\n{body}\n</main>\n\
         <footer><p>Generated {} (UTC). Read only: every page view is recorded in the audit log.</p></footer>\n\
         </body></html>\n",
        esc(title),
        esc(&crate::audit::now_rfc3339())
    );
    s
}

/// The period form (GET, `since`/`until`), prefilled with what was asked.
pub fn period_form(action: &str, since: &str, until: &str) -> String {
    format!(
        "<form class=\"period\" method=\"get\" action=\"{action}\"><fieldset><legend>Period</legend>\
         <label for=\"since\">From (inclusive)</label>\
         <input id=\"since\" name=\"since\" value=\"{}\" placeholder=\"2026-03-01\" autocomplete=\"off\">\
         <label for=\"until\">Up to (a date includes that whole day)</label>\
         <input id=\"until\" name=\"until\" value=\"{}\" placeholder=\"2026-03-31\" autocomplete=\"off\">\
         <button type=\"submit\">Show</button></fieldset>\
         <p class=\"hint\">RFC 3339 (2026-03-01T09:00:00-05:00) or a date (UTC). Empty: the whole log.</p></form>",
        esc(since),
        esc(until)
    )
}

/// A table with a caption, `id`, header cells and rows of (already escaped) cells; an
/// empty table says so in a row of its own.
pub fn table(id: &str, caption: &str, head: &[&str], rows: &[Vec<String>]) -> String {
    let mut s = format!(
        "<table id=\"{id}\"><caption>{}</caption><thead><tr>",
        esc(caption)
    );
    for h in head {
        let _ = write!(s, "<th scope=\"col\">{}</th>", esc(h));
    }
    s.push_str("</tr></thead><tbody>");
    if rows.is_empty() {
        let _ = write!(
            s,
            "<tr><td colspan=\"{}\" class=\"none\">None in this period.</td></tr>",
            head.len()
        );
    }
    for row in rows {
        s.push_str("<tr>");
        for cell in row {
            let _ = write!(s, "<td>{cell}</td>");
        }
        s.push_str("</tr>");
    }
    s.push_str("</tbody></table>");
    s
}

/// A notice box: `class` is `ok`, `warn` or `error`.
pub fn notice(id: &str, class: &str, text: &str) -> String {
    format!(
        "<p id=\"{id}\" class=\"notice {class}\" role=\"status\">{}</p>",
        esc(text)
    )
}

/// The stylesheet (served as `/style.css`: the policy allows styles from the console only).
pub const STYLE: &str = "\
body{font-family:system-ui,sans-serif;margin:0;color:#1a202c;background:#fff;line-height:1.45}\
header{background:#1a365d;color:#fff;padding:.5em 1em}\
header a{color:#fff}\
.brand{margin:0;font-weight:bold}\
nav ul{list-style:none;margin:.4em 0;padding:0;display:flex;flex-wrap:wrap;gap:.2em 1em}\
nav a[aria-current=page]{font-weight:bold;text-decoration:underline 3px}\
.signout{margin:.3em 0}\
main{padding:1em;max-width:72em}\
a:focus,button:focus,input:focus,select:focus,main:focus{outline:3px solid #d69e2e;outline-offset:2px}\
.skip{position:absolute;left:-999em}\
.skip:focus{left:1em;top:1em;background:#fff;color:#1a202c;padding:.5em;z-index:1}\
table{border-collapse:collapse;margin:1em 0;min-width:30em}\
caption{text-align:left;font-weight:bold;padding:.3em 0}\
th,td{border:1px solid #a0aec0;padding:.25em .6em;text-align:left;vertical-align:top}\
td.none{color:#4a5568;font-style:italic}\
fieldset{border:1px solid #a0aec0;margin:1em 0;padding:.6em}\
label{display:block;margin-top:.4em}\
input,select,button{font:inherit;padding:.2em .4em}\
button{margin-top:.6em}\
.hint{color:#4a5568;font-size:.9em}\
.notice{padding:.6em;border:2px solid}\
.ok{border-color:#276749;color:#22543d}\
.warn,.error{border-color:#c53030;color:#9b2c2c;font-weight:bold}\
dl{display:grid;grid-template-columns:max-content auto;gap:.2em 1em}\
dt{font-weight:bold}\
dd{margin:0;overflow-wrap:anywhere}\
footer{border-top:1px solid #a0aec0;padding:.5em 1em;color:#4a5568;font-size:.9em}\
@media print{header nav,.signout,.skip,form,button{display:none}\
header{background:none;color:#000;padding:0}header a{color:#000;text-decoration:none}\
main{max-width:none;padding:0}table{page-break-inside:auto}tr{page-break-inside:avoid}\
a{color:#000}body{font-size:11pt}}\
";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_values_is_shown_as_text() {
        assert_eq!(
            esc("<script>alert('x')</script>&\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;"
        );
        let p = page("T<", "/integrity", Some("o\"fficer"), "");
        assert!(p.contains("T&lt;") && p.contains("o&quot;fficer"));
        assert!(p.contains("href=\"/integrity\" aria-current=\"page\""));
        assert!(!p.contains("<script") && !p.contains("style="));
    }
}
