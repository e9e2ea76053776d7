//! ふりがな (issue #18, item 3): `{漢字|かんじ}` in markdown is ruby; a page
//! with ruby has the ふりがな button, which turns the readings off and on, is
//! remembered across pages and reloads (localStorage), and without JavaScript
//! stays hidden with the readings shown. Bad syntax is a warning at its line.

use crate::common;
use crate::sitekit::{self, TestSite, expect_diag};
use common::browser::{Browser, Page, serve_dir};
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

fn sample_out() -> &'static PathBuf {
    static OUT: OnceLock<PathBuf> = OnceLock::new();
    OUT.get_or_init(|| {
        let root = common::scratch_dir("furigana-site");
        for sub in ["content", "data", "themes"] {
            sitekit::copy_dir(&sitekit::repo_root().join(sub), &root.join(sub));
        }
        let mut o = crate::sitekit::build_options(&root);
        o.out = root.join("dist");
        o.pdf = false;
        o.search = false;
        ohisama::build::build(&o).unwrap_or_else(|e| panic!("{}", e.diagnostics().render_text()));
        o.out
    })
}

const RUBY_PAGE: &str = "/emergency/call-119/";

#[test]
fn only_pages_with_ruby_get_the_button() {
    let read = |rel: &str| std::fs::read_to_string(sample_out().join(rel)).unwrap();
    let page = read("emergency/call-119/index.html");
    assert!(page.contains("<ruby>救急<rp>(</rp><rt>きゅうきゅう</rt><rp>)</rp></ruby>"));
    assert!(page.contains(r#"class="furigana-toggle" aria-pressed="true" hidden"#));
    assert!(page.contains(r#"localStorage.getItem("ohisama:furigana")"#));
    // A page with neither written ruby nor a glossary term with kanji.
    let plain = read("news/2024-11-01-kanagawa-7119/index.html");
    assert!(!plain.contains("<ruby>"));
    assert!(
        !plain.contains("furigana"),
        "a page without ruby has no button nor script"
    );
}

#[test]
fn bad_ruby_is_a_warning_at_its_line_and_stays_text() {
    let site = TestSite::mini();
    site.write(
        "content/emergency/index.md",
        "---\ntitle: 緊急時対応マニュアル\nweight: 1\n---\n{救急|きゅうきゅう}です。\n\n{住所|じゅうしょ を伝えます。\n",
    );
    let diags = site.check();
    let d = expect_diag(&diags, "content/emergency/index.md", 7, "閉じていません");
    assert!(!d.is_error(), "a warning: an urgent fix is never blocked");
    assert!(d.hint.as_deref().unwrap().contains("{漢字|かんじ}"));
    assert_eq!(
        diags
            .iter()
            .filter(|d| d.message.contains("ふりがな"))
            .count(),
        1
    );
}

fn browser() -> Option<&'static Browser> {
    Browser::shared()
}

/// (button hidden, aria-pressed, html data-furigana, first rt's display).
fn state(page: &Page) -> serde_json::Value {
    page.eval_json(
        "(() => { const b = document.querySelector('.furigana-toggle'); \
         return [b.hidden, b.getAttribute('aria-pressed'), \
                 document.documentElement.getAttribute('data-furigana'), \
                 getComputedStyle(document.querySelector('rt')).display]; })()",
    )
}

/// Tabs from the top of the page until the ふりがな button has the focus.
fn tab_to_button(page: &Page) {
    for _ in 0..60 {
        page.press_key("Tab");
        if page.eval_json("document.activeElement.classList.contains('furigana-toggle')") == true {
            return;
        }
    }
    panic!("the ふりがな button is not reachable with Tab");
}

#[test]
fn the_toggle_works_by_keyboard_and_is_remembered_across_pages() {
    let Some(browser) = browser() else { return };
    let (base, _server) = serve_dir(sample_out());
    let page = browser.new_page();
    page.set_viewport(375, 800);
    page.open(&format!("{base}{RUBY_PAGE}"));
    assert_eq!(
        state(&page),
        serde_json::json!([false, "true", null, "ruby-text"])
    );
    tab_to_button(&page);
    page.press_key(" ");
    assert!(page.wait_for(
        "document.documentElement.getAttribute('data-furigana') === 'off'",
        Duration::from_secs(5)
    ));
    assert_eq!(
        state(&page),
        serde_json::json!([false, "false", "off", "none"])
    );
    // Another page, then back: still off (set before the first paint), and after a reload.
    // The other page's only ruby is generated for glossary terms: it follows the same button.
    page.open(&format!("{base}/services/respite/"));
    assert_eq!(
        page.eval_json("document.querySelector('main rt').closest('a.term') !== null"),
        true
    );
    assert_eq!(
        state(&page),
        serde_json::json!([false, "false", "off", "none"])
    );
    page.open(&format!("{base}{RUBY_PAGE}"));
    assert_eq!(
        state(&page),
        serde_json::json!([false, "false", "off", "none"])
    );
    page.open(&format!("{base}{RUBY_PAGE}"));
    assert_eq!(
        state(&page),
        serde_json::json!([false, "false", "off", "none"])
    );
    // Enter turns the readings back on, and that is remembered too.
    tab_to_button(&page);
    page.press_key("Enter");
    assert!(page.wait_for(
        "document.documentElement.getAttribute('data-furigana') === null",
        Duration::from_secs(5)
    ));
    page.open(&format!("{base}{RUBY_PAGE}"));
    assert_eq!(
        state(&page),
        serde_json::json!([false, "true", null, "ruby-text"])
    );
    assert_eq!(
        page.eval_json("localStorage.getItem('ohisama:furigana')"),
        "on"
    );
    // The button is a 44 px target.
    let size = page.eval_json(
        "(() => { const r = document.querySelector('.furigana-toggle').getBoundingClientRect(); return [r.width >= 44, r.height >= 44]; })()",
    );
    assert_eq!(size, serde_json::json!([true, true]));
}

#[test]
fn without_javascript_the_readings_show_and_the_button_is_hidden() {
    let Some(browser) = browser() else { return };
    let (base, _server) = serve_dir(sample_out());
    let page = browser.new_page();
    page.tab()
        .call_method(
            headless_chrome::protocol::cdp::Emulation::SetScriptExecutionDisabled { value: true },
        )
        .unwrap();
    page.goto(&format!("{base}{RUBY_PAGE}"));
    assert_eq!(
        state(&page),
        serde_json::json!([true, "true", null, "ruby-text"])
    );
}
