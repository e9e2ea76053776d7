//! Medical review (issue #18, item 7): the pages of `medical_sections` /
//! `medical_pages` name their reviewer and review date; a review older than
//! `review_max_age_days` before "today" (`OHISAMA_TODAY` fixes it) is a warning
//! at its line; the page shows 監修 and 最終確認日 together.

use crate::sitekit::{TestSite, TreeSnapshot, ohisama};
use serde_json::Value;

/// `ohisama check --format json` on the site with today fixed: (success, diagnostics).
fn check_on(site: &TestSite, today: &str) -> (bool, Vec<Value>) {
    let out = ohisama()
        .args(["check", "--format", "json", "--root"])
        .arg(site.root())
        .env("OHISAMA_TODAY", today)
        .output()
        .expect("run ohisama");
    let diags: Vec<Value> = serde_json::from_slice(&out.stdout).expect("json diagnostics");
    (out.status.success(), diags)
}

fn find<'a>(diags: &'a [Value], file: &str, line: u64, needle: &str) -> &'a Value {
    diags
        .iter()
        .find(|d| {
            d["file"] == file
                && d["line"] == line
                && d["message"].as_str().is_some_and(|m| m.contains(needle))
        })
        .unwrap_or_else(|| panic!("no {file}:{line} {needle:?} in {diags:#?}"))
}

fn mentions_review(diags: &[Value]) -> bool {
    diags
        .iter()
        .any(|d| d["message"].as_str().is_some_and(|m| m.contains("監修")))
}

/// The mini site with its emergency section marked medical.
fn medical_mini() -> TestSite {
    let site = TestSite::mini();
    site.edit(
        "data/site.yaml",
        "sample: true\n",
        "sample: true\nmedical_sections: [emergency]\n",
    );
    site
}

const EMERGENCY: &str = "content/emergency/index.md";

#[test]
fn a_medical_page_without_reviewer_or_date_is_an_error_at_line_1() {
    let site = medical_mini();
    let before = TreeSnapshot::of(site.root());
    let (ok, diags) = check_on(&site, "2026-11-29");
    assert!(!ok, "missing review must fail the check");
    let who = find(&diags, EMERGENCY, 1, "監修者 (reviewed_by) がありません");
    assert_eq!(who["severity"], "error");
    assert!(who["hint"].as_str().unwrap().contains("reviewed: "));
    let when = find(&diags, EMERGENCY, 1, "監修日 (reviewed) がありません");
    assert_eq!(when["severity"], "error");
    // The home page is not medical: nothing about it.
    assert!(!diags.iter().any(|d| d["file"] == "content/index.md"));
    assert_eq!(
        before,
        TreeSnapshot::of(site.root()),
        "check writes nothing"
    );
}

#[test]
fn a_review_older_than_the_limit_is_a_warning_at_its_line() {
    let site = medical_mini();
    site.edit(
        EMERGENCY,
        "weight: 1\n",
        "weight: 1\nreviewed_by: 〇〇医師 (サンプル)\nreviewed: 2025-04-01\n",
    );
    // 365 days later: still fresh (the limit is "more than").
    let (ok, diags) = check_on(&site, "2026-04-01");
    assert!(ok && !mentions_review(&diags), "{diags:#?}");
    // One day more: a warning at the `reviewed:` line, and the check still passes.
    let (ok, diags) = check_on(&site, "2026-04-02");
    assert!(ok, "a stale review is a warning, not an error");
    let w = find(
        &diags,
        EMERGENCY,
        5,
        "監修日 2025-04-01 から 366 日たっています",
    );
    assert_eq!(w["severity"], "warning");
    // The limit is a setting.
    site.edit(
        "data/site.yaml",
        "medical_sections: [emergency]\n",
        "medical_sections: [emergency]\nreview_max_age_days: 30\n",
    );
    let (_, diags) = check_on(&site, "2025-05-02");
    find(&diags, EMERGENCY, 5, "31 日たっています");
    // A review dated after today is a slip too.
    let (_, diags) = check_on(&site, "2025-03-31");
    find(&diags, EMERGENCY, 5, "今日 (2025-03-31) より後です");
}

#[test]
fn medical_settings_name_sections_and_pages_that_exist() {
    let site = TestSite::mini();
    site.edit(
        "data/site.yaml",
        "sample: true\n",
        "sample: true\nmedical_sections: [emergncy]\nmedical_pages: [/services/home-medical/]\nreview_max_age_days: 0\n",
    );
    let (ok, diags) = check_on(&site, "2026-11-29");
    assert!(!ok);
    let s = find(
        &diags,
        "data/site.yaml",
        9,
        "`emergncy` のページがありません",
    );
    assert!(s["hint"].as_str().unwrap().contains("emergency"));
    find(
        &diags,
        "data/site.yaml",
        10,
        "/services/home-medical/ がありません",
    );
    find(&diags, "data/site.yaml", 11, "1 以上");
}

#[test]
fn the_page_shows_reviewer_and_review_date_together_and_nothing_stray() {
    let site = medical_mini();
    site.edit(
        EMERGENCY,
        "weight: 1\n",
        "weight: 1\nupdated: 2025-04-01\nreviewed_by: 〇〇医師 (サンプル)\nreviewed: 2026-11-20\n",
    );
    let mut opts = site.options();
    opts.out = site.path("dist");
    ohisama::build::build(&opts).expect("build");
    let html = site.read("dist/emergency/index.html");
    assert!(
        html.contains(r#"<p class="review"><span>監修: 〇〇医師 (サンプル)</span> ・ <span>最終確認日: <time datetime="2026-11-20">"#),
        "the review date is the 最終確認日 of a medical page: {html}"
    );
    // A page with only `updated` (not medical): the date alone, no stray 「・」.
    site.write(
        "content/emergency/index.md",
        "---\ntitle: 緊急時対応マニュアル\nweight: 1\nupdated: 2025-04-01\n---\n本文。\n",
    );
    site.edit("data/site.yaml", "medical_sections: [emergency]\n", "");
    ohisama::build::build(&opts).expect("build");
    let html = site.read("dist/emergency/index.html");
    assert!(
        html.contains(r#"<p class="review"><span>最終確認日: <time datetime="2025-04-01">"#),
        "{html}"
    );
    assert!(!html.contains("監修:"));
}

#[test]
fn the_sample_site_passes_the_review_rule() {
    let site = TestSite::sample();
    let (ok, diags) = check_on(&site, "2026-11-29");
    assert!(ok, "{diags:#?}");
    assert!(!mentions_review(&diags), "{diags:#?}");
    // …and a year and a day after its reviews, each medical page says so.
    let (_, diags) = check_on(&site, "2027-11-21");
    for f in [
        "content/emergency/index.md",
        "content/emergency/call-119.md",
        "content/emergency/cpr.md",
        "content/emergency/disaster.md",
        "content/services/home-medical.md",
    ] {
        assert!(
            diags
                .iter()
                .any(|d| d["file"] == f && d["severity"] == "warning"),
            "{f}: {diags:#?}"
        );
    }
}

/// The harness fixes "today" to `sitekit::TODAY` (2026-11-29), in process
/// (`TestSite::options`) and for the binary (`ohisama()`), so the tests do not
/// start failing when the sample's reviews turn a year old (2027-11-21). A
/// review dated the day after TODAY is "in the future" only for the fixed
/// day: the clock (Japan time) was already past it when this test was written.
#[test]
fn the_harness_fixes_today_in_process_and_for_the_binary() {
    let day_after = "2026-11-30";
    assert_eq!(crate::sitekit::TODAY, "2026-11-29");
    let site = TestSite::sample();
    let today = site.options().today.expect("today is set");
    assert_eq!((today.year, today.month, today.day), (2026, 11, 29));
    site.edit(
        "content/emergency/cpr.md",
        "reviewed: 2026-11-20",
        &format!("reviewed: {day_after}"),
    );
    let in_process = site.check();
    crate::sitekit::expect_diag(&in_process, "content/emergency/cpr.md", 7, "より後です");
    let out = ohisama()
        .args(["check", "--format", "json", "--root"])
        .arg(site.root())
        .output()
        .expect("run ohisama");
    let diags: Vec<Value> = serde_json::from_slice(&out.stdout).expect("json diagnostics");
    find(&diags, "content/emergency/cpr.md", 7, "より後です");
    // A test's own day replaces the harness's.
    let (_, later) = check_on(&site, "2026-12-01");
    assert!(!mentions_review(&later), "{later:#?}");
}
