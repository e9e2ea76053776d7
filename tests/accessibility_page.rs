//! The accessibility report (issue #18, item 6): `/about/accessibility/`
//! shows `data/accessibility/results.yaml` (written by the axe run of
//! tests/a11y.rs): its figures are the file's, a change of the file changes
//! the page, and a malformed file is an error at its line.

use crate::sitekit::{TestSite, TreeSnapshot, expect_diag};
use ohisama::kinds::accessibility::{Outcome, Results};

const PAGE: &str = "about/accessibility/index.html";
const RESULTS: &str = "data/accessibility/results.yaml";

fn build(site: &TestSite) -> Result<(), String> {
    ohisama::build::build(&site.options())
        .map(|_| ())
        .map_err(|e| e.diagnostics().render_text())
}

fn results_of(site: &TestSite) -> Results {
    serde_saphyr::from_str(&site.read(RESULTS)).expect("results.yaml parses")
}

/// What the checklist says for a result (the page's words, fixed here).
fn result_label(o: Outcome) -> &'static str {
    match o {
        Outcome::Passed => "<td>○</td><td>○</td>",
        Outcome::Violation => "<td>○</td><td>×</td>",
        Outcome::NeedsReview => "<td>○</td><td>要確認</td>",
        Outcome::NotApplicable => "<td>―</td><td>―</td>",
        Outcome::Untested => "<td>未確認</td><td>未試験</td>",
    }
}

/// Every figure of the file, as the page must show it.
fn assert_page_shows(site: &TestSite, r: &Results) {
    let html = std::fs::read_to_string(site.path("dist").join(PAGE)).expect("the page");
    let date = r.date.value.as_str();
    assert!(
        html.contains(&format!("<time datetime=\"{date}\">")),
        "date {date}"
    );
    let total: u32 = r.pages.iter().map(|p| p.value.violations.value).sum();
    assert!(
        html.contains(&format!("<dd>違反 {total} 件")),
        "total {total}"
    );
    assert!(html.contains(&format!(
        "{} による自動試験 (規則 {} 件",
        r.tool.value,
        r.rules.len()
    )));
    let mut urls: Vec<&str> = r.pages.iter().map(|p| p.value.url.value.as_str()).collect();
    urls.dedup();
    assert!(html.contains(&format!(
        "{} ページ (各幅で {} 回)",
        urls.len(),
        r.pages.len()
    )));
    for url in urls {
        let runs: Vec<_> = r
            .pages
            .iter()
            .filter(|p| p.value.url.value == url)
            .collect();
        let cells: String = r
            .viewports
            .iter()
            .map(
                |w| match runs.iter().find(|p| p.value.viewport.value == w.value) {
                    Some(p) => format!("<td>{}</td>", p.value.violations.value),
                    None => "<td>―</td>".into(),
                },
            )
            .collect();
        let row = format!(
            "<a href=\"{}\">{}</a></th>{cells}</tr>",
            url.replace('&', "&amp;"),
            runs[0].value.kind.value
        );
        assert!(html.contains(&row), "{row}");
    }
    assert!(
        r.criteria.len() >= 38,
        "the 38 criteria of JIS X 8341-3:2016 A/AA"
    );
    for k in r.criteria.iter().map(|k| &k.value) {
        let start = format!("<th scope=\"row\">{} {}", k.sc.value, k.name.value);
        let at = html.find(&start).unwrap_or_else(|| panic!("{start}"));
        let row = &html[at..at + html[at..].find("</tr>").expect("row end")];
        assert!(row.contains(result_label(k.result.value)), "{row}");
    }
}

#[test]
fn the_accessibility_page_shows_the_committed_results() {
    let site = TestSite::sample();
    build(&site).expect("the sample builds");
    let r = results_of(&site);
    assert_eq!(r.criteria.len(), 38);
    assert_page_shows(&site, &r);
    // The page follows the file: a violation and another result appear.
    let text = site.read(RESULTS);
    site.write(
        RESULTS,
        &text
            .replacen("    violations: 0\n", "    violations: 3\n", 1)
            .replacen("    result: untested\n", "    result: violation\n", 1),
    );
    build(&site).expect("builds");
    let changed = results_of(&site);
    assert_page_shows(&site, &changed);
    let html = std::fs::read_to_string(site.path("dist").join(PAGE)).unwrap();
    assert!(html.contains("<dd>違反 3 件") && html.contains("<li>× 違反あり: 1</li>"));
}

#[test]
fn without_results_the_page_says_so() {
    let site = TestSite::sample();
    std::fs::remove_file(site.path(RESULTS)).unwrap();
    build(&site).expect("builds without the file");
    let html = std::fs::read_to_string(site.path("dist").join(PAGE)).unwrap();
    assert!(html.contains("試験結果はまだありません"));
    assert!(!html.contains("違反 0 件"));
}

#[test]
fn a_malformed_results_file_is_an_error_at_its_line_and_nothing_is_written() {
    let site = TestSite::sample();
    let text = site.read(RESULTS);
    let line_of = |needle: &str| 1 + text.lines().position(|l| l.contains(needle)).unwrap() as u32;
    let (date_line, sc_line) = (line_of("date: "), line_of("sc: \"1.1.1\""));
    let second_sc = line_of("sc: \"1.2.1\"");
    let date = text.lines().find(|l| l.starts_with("date: ")).unwrap();
    let broken = text
        .replace(date, "date: 2026-02-30")
        .replace("sc: \"1.1.1\"", "sc: \"1.1\"")
        .replace("sc: \"1.2.1\"", "sc: \"1.2.2\"");
    site.write(RESULTS, &broken);
    let d = site.check();
    expect_diag(&d, RESULTS, date_line, "試験日");
    expect_diag(&d, RESULTS, sc_line, "1.1");
    expect_diag(&d, RESULTS, second_sc + 5, "1.2.2 が2回あります");
    // A page that no longer exists is a warning at its URL.
    site.write(
        RESULTS,
        &text.replacen(
            "url: \"/contacts/yokohama/\"",
            "url: \"/contacts/nowhere/\"",
            1,
        ),
    );
    expect_diag(
        &site.check(),
        RESULTS,
        line_of("url: \"/contacts/yokohama/\""),
        "もうこのサイトにありません",
    );
    // An unknown key or a result that is not one of the five: errors, and the build writes nothing.
    site.write(RESULTS, &text.replacen("result: passed", "result: ok", 1));
    let at = line_of("result: passed");
    expect_diag(&site.check(), RESULTS, at, "YAML の書き方");
    let dist = site.path("dist");
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(dist.join("index.html"), "old").unwrap();
    let before = TreeSnapshot::of(site.root());
    assert!(build(&site).is_err());
    before.assert_same(&TreeSnapshot::of(site.root()), "a failed build");
}
