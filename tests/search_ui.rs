//! The /search/ page of the sample site: results appear as you type (debounced),
//! matches are highlighted in the excerpt, and the query is kept in the URL.

use crate::common;
use crate::sitekit;
use std::time::Duration;

#[test]
fn results_as_you_type_with_highlighted_matches() {
    let Some(browser) = common::browser::Browser::new() else {
        return;
    };
    let site = sitekit::TestSite::sample();
    let out = site.path("dist");
    let mut o = site.options();
    o.out = out.clone();
    o.search = true;
    ohisama::build::build(&o).unwrap_or_else(|e| panic!("{}", e.diagnostics().render_text()));
    let (base, _server) = common::browser::serve_dir(&out);
    let page = browser.new_page();
    page.goto(&format!("{base}/search/"));
    // Type without submitting: an input event per keystroke, like a person typing.
    page.eval_json(
        "(() => { const q = document.getElementById('q'); \
           for (const part of ['訪', '訪問', '訪問看護']) { q.value = part; q.dispatchEvent(new Event('input', {bubbles: true})); } \
           return true; })()",
    );
    assert!(
        page.wait_for(
            "document.querySelectorAll('#search-results li').length > 0",
            Duration::from_secs(20)
        ),
        "no results appeared while typing"
    );
    let marks = page.eval_json(
        "[...document.querySelectorAll('#search-results mark')].map(m => m.textContent)",
    );
    let marks: Vec<String> = marks
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap().to_string())
        .collect();
    assert!(!marks.is_empty(), "no highlighted match");
    // Only the whole query is marked, not the prefixes typed on the way.
    for m in &marks {
        assert_eq!(m, "訪問看護", "marked {m:?}");
    }
    assert!(
        page.eval_json("location.search")
            .as_str()
            .unwrap()
            .contains("q=")
    );

    // A second query replaces the results and their highlights.
    page.eval_json(
        "(() => { const q = document.getElementById('q'); q.value = '人工呼吸器'; \
           q.dispatchEvent(new Event('input', {bubbles: true})); return true; })()",
    );
    assert!(page.wait_for(
        "[...document.querySelectorAll('#search-results mark')].some(m => m.textContent === '人工呼吸器')",
        Duration::from_secs(20)
    ));
    let status =
        page.eval_json("document.querySelector('#search-results [role=status]').textContent");
    assert!(
        status.as_str().unwrap().ends_with("件見つかりました"),
        "{status}"
    );
}
