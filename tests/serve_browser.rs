//! `ohisama serve` in a real browser (Debian's headless Chromium): an open page
//! reloads after an edit, swaps its stylesheet after a CSS edit, and shows the
//! error overlay (escaped, accessible) after a broken edit, also in a page opened
//! while the site is broken; the overlay goes away at the next good build.
//!
//! Without Chromium the test fails when `CI` is set and is skipped loudly otherwise.
//! The overlay is saved as `serve-overlay.png` in Cargo's test temp folder.

use crate::serve_support;
use crate::sitekit;

use headless_chrome::protocol::cdp::Page::CaptureScreenshotFormatOption;
use headless_chrome::{Browser, LaunchOptions, Tab};
use serve_support::*;
use sitekit::TestSite;
use std::ffi::OsStr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

const CHROMIUM: &str = "/usr/bin/chromium";
const ABOUT: &str = "content/about/index.md";
const CHIGASAKI: &str = "data/contacts/chigasaki.yaml";
const CSS: &str = "themes/default/static/css/site.css";

fn chromium() -> Option<PathBuf> {
    let path = PathBuf::from(CHROMIUM);
    if path.exists() {
        return Some(path);
    }
    if std::env::var_os("CI").is_some() {
        panic!(
            "{CHROMIUM} がありません: CI ではブラウザのテストは必須です (apt-get install chromium)"
        );
    }
    eprintln!(
        "\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\
         !!! SKIPPED serve browser test: {CHROMIUM} not found.\n\
         !!! Install it (apt-get install chromium); in CI this test fails.\n\
         !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n"
    );
    None
}

fn launch(path: PathBuf) -> Browser {
    let args: Vec<&OsStr> = [
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ]
    .iter()
    .map(OsStr::new)
    .collect();
    Browser::new(LaunchOptions {
        path: Some(path),
        sandbox: false,
        headless: true,
        window_size: Some((1200, 900)),
        idle_browser_timeout: Duration::from_secs(300),
        args,
        ..Default::default()
    })
    .expect("launch chromium")
}

fn js(tab: &Tab, expr: &str) -> serde_json::Value {
    tab.evaluate(expr, false)
        .unwrap_or_else(|e| panic!("evaluate {expr}: {e}"))
        .value
        .unwrap_or(serde_json::Value::Null)
}

/// Polls a JS expression until it is `true` (a page that reloads meanwhile is retried).
fn wait_js(tab: &Tab, expr: &str, timeout: Duration) -> bool {
    let end = Instant::now() + timeout;
    while Instant::now() < end {
        if let Ok(v) = tab.evaluate(expr, false)
            && v.value == Some(serde_json::Value::Bool(true))
        {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

const OVERLAY: &str = "document.getElementById('ohisama-error-overlay')";
/// Browser waits include a page load on a busy 2-core machine: generous, not a timing claim.
const WAIT: Duration = Duration::from_secs(20);

fn open(browser: &Browser, url: &str) -> Arc<Tab> {
    let tab = browser.new_tab().expect("tab");
    tab.set_default_timeout(Duration::from_secs(30));
    tab.navigate_to(url).expect("navigate");
    tab.wait_until_navigated().expect("loaded");
    tab
}

#[test]
fn an_open_page_reloads_swaps_css_and_shows_the_error_overlay() {
    let Some(path) = chromium() else { return };
    // One preview test at a time: Chromium beside another test's build would
    // eat into that test's 2 s reload deadline on 2 cores.
    let _serial = serve_support::serial();
    let site = TestSite::sample();
    let server = start(site.root());
    let url = server.url().to_string();
    let browser = launch(path);

    // 1. An edit reloads the page.
    let tab = open(&browser, &format!("{url}about/"));
    assert!(
        wait_js(&tab, "window.__ohisamaLiveReload === true", WAIT),
        "script loaded"
    );
    assert_eq!(js(&tab, "document.hidden"), false);
    js(&tab, "window.__marker = 1");
    site.edit(ABOUT, "## 運営者", "## 運営者と連絡先");
    assert!(
        wait_js(
            &tab,
            "window.__marker === undefined && document.body.innerText.includes('運営者と連絡先')",
            WAIT
        ),
        "the page reloaded with the edit"
    );

    // 1b. A text edit reloads the page edited and no other: /faq/ in a
    //     frame of this page (a second tab would be hidden, and hidden tabs
    //     drop their connection).
    js(&tab, "window.__marker = 'top'");
    js(
        &tab,
        "const f = document.createElement('iframe'); f.id = 'faq'; f.src = '/faq/'; document.body.append(f)",
    );
    let frame = "document.getElementById('faq').contentWindow";
    assert!(
        wait_js(&tab, &format!("{frame}.__ohisamaLiveReload === true"), WAIT),
        "the frame's script loaded"
    );
    js(&tab, &format!("{frame}.__marker = 'frame'"));
    let faq = "content/faq/index.md";
    site.write(
        faq,
        &format!("{}\n枠の中だけ変わります。\n", site.read(faq)),
    );
    assert!(
        wait_js(
            &tab,
            &format!(
                "{frame}.__marker === undefined && {frame}.document.body.innerText.includes('枠の中だけ変わります')"
            ),
            WAIT
        ),
        "the page edited reloaded"
    );
    assert!(server.settle(WAIT), "settled");
    assert_eq!(js(&tab, "window.__marker"), "top", "the other page did not");
    js(&tab, "document.getElementById('faq').remove()");

    // 2. A stylesheet edit is applied without a reload.
    js(&tab, "window.__marker = 2");
    let css = site.read(CSS);
    site.write(CSS, &format!("{css}\n:root {{ --ohisama-test: 7px; }}\n"));
    assert!(
        wait_js(
            &tab,
            "getComputedStyle(document.documentElement).getPropertyValue('--ohisama-test').trim() === '7px'",
            WAIT
        ),
        "new stylesheet applied"
    );
    assert_eq!(js(&tab, "window.__marker"), 2, "no full reload for CSS");

    // 3. A broken edit shows the overlay over the old page; the bad value is
    //    shown as text, never as markup.
    let payload = "<img src=x onerror=window.__pwned=1>";
    let line = line_of(&site.read(CHIGASAKI), "field: shogai-fukushi");
    site.edit(
        CHIGASAKI,
        "field: shogai-fukushi",
        &format!("field: {payload}"),
    );
    assert!(
        wait_js(&tab, &format!("!!{OVERLAY}"), WAIT),
        "overlay after a broken edit"
    );
    let dialog = format!("{OVERLAY}.shadowRoot.querySelector('[role=alertdialog]')");
    let text = js(&tab, &format!("{dialog}.innerText"))
        .as_str()
        .unwrap()
        .to_string();
    eprintln!("overlay text:\n{text}");
    assert!(text.contains("サイトを更新できませんでした"), "{text}");
    assert!(
        text.contains(&format!("{CHIGASAKI}:{line}:")),
        "file:line: {text}"
    );
    assert!(text.contains(payload), "the bad value, as text: {text}");
    assert!(text.contains("ヒント"), "{text}");
    assert!(text.contains("閉じる"), "{text}");
    assert_eq!(
        js(
            &tab,
            &format!("{OVERLAY}.shadowRoot.querySelectorAll('img').length")
        ),
        0
    );
    assert_eq!(
        js(&tab, "document.querySelectorAll('img[src=x]').length"),
        0
    );
    assert_eq!(js(&tab, "window.__pwned === undefined"), true);
    assert_eq!(
        js(&tab, &format!("{dialog}.getAttribute('aria-labelledby')")),
        "ohisama-title"
    );
    assert_eq!(
        js(
            &tab,
            &format!(
                "{OVERLAY}.shadowRoot.activeElement && {OVERLAY}.shadowRoot.activeElement.textContent"
            )
        ),
        "閉じる",
        "the close button has the focus"
    );
    assert_eq!(js(&tab, "window.__marker"), 2, "the old page stays");
    assert!(
        js(&tab, "document.body.innerText.includes('運営者と連絡先')")
            .as_bool()
            .unwrap()
    );

    let shot = tab
        .capture_screenshot(CaptureScreenshotFormatOption::Png, None, None, true)
        .expect("screenshot");
    let png = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("serve-overlay.png");
    std::fs::write(&png, shot).unwrap();
    eprintln!("screenshot: {}", png.display());

    // 4. A page opened while the site is broken shows the overlay too.
    let late = open(&browser, &format!("{url}contacts/chigasaki/"));
    assert!(
        wait_js(&late, &format!("!!{OVERLAY}"), WAIT),
        "overlay on a page opened while broken"
    );
    // Closing it (button) removes it.
    js(
        &late,
        &format!("{OVERLAY}.shadowRoot.querySelector('button').click()"),
    );
    assert_eq!(js(&late, &format!("!!{OVERLAY}")), false);
    js(&late, "window.__marker = 3");

    // Only visible tabs keep a connection (browsers allow 6 per host); Chromium
    // hides the first tab behind the new one.
    let first_hidden = js(&tab, "document.hidden");
    eprintln!("first tab hidden behind the second: {first_hidden}");

    // 5. The fix reloads the open page, without the overlay ...
    site.edit(
        CHIGASAKI,
        &format!("field: {payload}"),
        "field: shogai-fukushi",
    );
    let reloaded = format!(
        "window.__marker === undefined && window.__ohisamaLiveReload === true && !{OVERLAY}"
    );
    assert!(
        wait_js(&late, &reloaded, WAIT),
        "the open page reloaded without the overlay"
    );
    assert!(
        js(&late, "document.body.innerText.includes('茅ヶ崎市')")
            .as_bool()
            .unwrap()
    );
    // ... and a tab that was in the background catches up when shown again.
    tab.activate().expect("activate first tab");
    assert!(
        wait_js(&tab, &reloaded, WAIT),
        "the background tab reloaded when shown"
    );
    drop(browser);
    server.shutdown();
}
