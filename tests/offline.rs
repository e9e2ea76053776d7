//! Offline: the build writes a service worker `sw.js` at the root of the site
//! (versioned by the bytes of what it precaches, the same for the same
//! input), every page registers it with the scope of the base path, and in
//! Chromium with the network cut the emergency pages, the sheet and the
//! directory open from the cache, a PDF opened before is there, and a page
//! never saved shows the offline page.

use crate::common;
use crate::sitekit;

use common::browser::{Browser, Page, serve_dir_switchable};
use sitekit::TestSite;
use std::path::{Path, PathBuf};
use std::time::Duration;

fn build(site: &TestSite, out: &Path, base_url: Option<&str>, pdf: bool) {
    let mut o = site.options();
    o.out = out.to_path_buf();
    o.base_url = base_url.map(str::to_string);
    o.pdf = pdf;
    ohisama::build::build(&o).unwrap_or_else(|e| panic!("{}", e.diagnostics().render_text()));
}

/// The settings object the build put into sw.js.
fn sw_config(out: &Path) -> serde_json::Value {
    let sw = std::fs::read_to_string(out.join("sw.js")).expect("sw.js at the root of the site");
    let start = sw.find("const CONFIG = ").expect("CONFIG") + "const CONFIG = ".len();
    let end = start + sw[start..].find(";\n").expect("end of CONFIG");
    serde_json::from_str(&sw[start..end]).expect("CONFIG is JSON")
}

fn strings(v: &serde_json::Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn service_worker_precaches_emergency_sheet_directory_and_is_versioned_by_bytes() {
    let site = TestSite::sample();
    let (a, b) = (site.path("a"), site.path("b"));
    build(&site, &a, None, false);
    build(&site, &b, None, false);
    assert_eq!(
        std::fs::read(a.join("sw.js")).unwrap(),
        std::fs::read(b.join("sw.js")).unwrap(),
        "same input, same sw.js"
    );
    let config = sw_config(&a);
    let version = config["version"].as_str().unwrap().to_string();
    assert_eq!(version.len(), 16);
    assert!(version.chars().all(|c| c.is_ascii_hexdigit()));
    assert_eq!(config["base"], "/");
    assert_eq!(config["offline"], "/offline/");
    let precache = strings(&config["precache"]);
    let (resolved, _) = ohisama::build::check(&site.options()).unwrap();
    let mut expected = vec![
        "/".to_string(),
        "/emergency/".into(),
        "/emergency/call-119/".into(),
        "/emergency/cpr/".into(),
        "/emergency/disaster/".into(),
        // The emergency pages link their terms to the glossary.
        "/glossary/".into(),
        "/emergency/sheet/".into(),
        "/offline/".into(),
        "/contacts/".into(),
        "/assets/css/site.css".into(),
        "/assets/js/sheet.js".into(),
    ];
    expected.extend(
        resolved
            .municipalities
            .iter()
            .map(|m| format!("/contacts/{}/", m.slug)),
    );
    expected.extend(
        resolved
            .regions
            .iter()
            .map(|r| format!("/regions/{}/", r.id)),
    );
    for e in &expected {
        assert!(precache.contains(e), "precache lacks {e}: {precache:?}");
    }
    assert_eq!(precache.len(), expected.len(), "{precache:?}");
    // Every precached URL is a file of the build (else the install would fail).
    for p in &precache {
        let rel = p.trim_start_matches('/');
        let file = if rel.is_empty() || rel.ends_with('/') {
            a.join(rel).join("index.html")
        } else {
            a.join(rel)
        };
        assert!(file.is_file(), "{p} → {} missing", file.display());
    }
    assert_eq!(strings(&config["runtime"]), vec!["/pdf/".to_string()]);
    let offline = std::fs::read_to_string(a.join("offline/index.html")).unwrap();
    assert!(offline.contains("(すべての市町村)"));
    assert!(!offline.contains("一度開いたものだけが保存されています</p>\n  <p>市町村"));

    // A page that is not precached (a news text) leaves the version alone…
    site.edit(
        "content/news/2025-03-10-training.md",
        "\n\n",
        "\n\n(追記のテスト)\n\n",
    );
    let c = site.path("c");
    build(&site, &c, None, false);
    assert_eq!(sw_config(&c)["version"], version.as_str());
    // …a changed phone number in the directory gives a new one.
    site.edit(
        "data/contacts/chigasaki.yaml",
        "tel: 0467-00-1883",
        "tel: 0467-00-1884",
    );
    let d = site.path("d");
    build(&site, &d, None, false);
    assert_ne!(sw_config(&d)["version"], version.as_str());
}

/// A directory too large to download at install (more municipalities than
/// any prefecture has) is saved as visited instead: the build warns, the
/// worker caches those folders at run time, and the offline page says so.
#[test]
fn a_nationwide_directory_is_saved_as_visited_not_at_install() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("site");
    let mut g = ohisama::bench::GenerateOptions::new(sitekit::repo_root(), &root);
    g.pages = 30;
    g.facilities = 20;
    g.municipalities = ohisama::offline::PRECACHE_MAX_PAGES + 1;
    g.windows_per_municipality = 1;
    ohisama::bench::generate(&g).unwrap();
    let mut o = crate::sitekit::build_options(&root);
    o.pdf = false;
    let report =
        ohisama::build::build(&o).unwrap_or_else(|e| panic!("{}", e.diagnostics().render_text()));
    let warnings = report.diagnostics.render_text();
    assert!(
        warnings.contains("オフライン用にまとめて保存するには多すぎます")
            && warnings.contains("data/municipalities.yaml"),
        "{warnings}"
    );
    let out = root.join("dist");
    let config = sw_config(&out);
    let precache = strings(&config["precache"]);
    assert!(precache.contains(&"/contacts/".to_string()));
    assert!(precache.contains(&"/emergency/sheet/".to_string()));
    assert!(
        !precache
            .iter()
            .any(|p| p.starts_with("/contacts/") && p != "/contacts/" || p.starts_with("/regions/")),
        "{precache:?}"
    );
    assert_eq!(
        strings(&config["runtime"]),
        vec!["/pdf/", "/contacts/", "/regions/"]
    );
    let offline = std::fs::read_to_string(out.join("offline/index.html")).unwrap();
    assert!(
        offline.contains("市町村・地域ごとの窓口のページは、一度開いたものだけが保存されています")
    );
    assert!(!offline.contains("(すべての市町村)"));
}

#[test]
fn every_page_registers_the_worker_with_the_base_path_as_scope() {
    let site = TestSite::sample();
    let out = site.path("dist");
    build(&site, &out, Some("https://example.org/ohisama/"), false);
    let config = sw_config(&out);
    assert_eq!(config["base"], "/ohisama/");
    assert_eq!(config["offline"], "/ohisama/offline/");
    assert!(
        strings(&config["precache"])
            .iter()
            .all(|p| p.starts_with("/ohisama/"))
    );
    let register = "navigator.serviceWorker.register(\"/ohisama/sw.js\",{scope:\"/ohisama/\"})";
    let mut pages = 0;
    for e in walkdir::WalkDir::new(&out) {
        let e = e.unwrap();
        if e.path().extension().is_some_and(|x| x == "html") {
            let html = std::fs::read_to_string(e.path()).unwrap();
            assert!(
                html.contains(register),
                "{} does not register",
                e.path().display()
            );
            pages += 1;
        }
    }
    assert!(pages > 100);
    let sitemap = std::fs::read_to_string(out.join("sitemap.xml")).unwrap();
    assert!(
        !sitemap.contains("/offline/"),
        "the offline page is not for search engines"
    );
    assert!(sitemap.contains("/ohisama/emergency/sheet/"));
    let offline = std::fs::read_to_string(out.join("offline/index.html")).unwrap();
    assert!(offline.contains("<meta name=\"robots\" content=\"noindex\">"));
}

fn wait(page: &Page, js: &str, what: &str) {
    assert!(
        page.wait_for(js, Duration::from_secs(30)),
        "timed out: {what}"
    );
}

fn h1(page: &Page) -> String {
    page.eval_json("document.querySelector('h1') ? document.querySelector('h1').textContent : ''")
        .as_str()
        .unwrap()
        .to_string()
}

/// The whole story on a sub-path: first visit online, then no network.
#[test]
fn pages_open_offline_in_chromium() {
    let Some(browser) = Browser::new() else {
        return;
    };
    let site = TestSite::sample();
    let www: PathBuf = site.path("www");
    let out = www.join("ohisama");
    build(
        &site,
        &out,
        Some("https://ohisama.example.jp/ohisama/"),
        true,
    );
    let version = sw_config(&out)["version"].as_str().unwrap().to_string();
    let (origin, mut server) = serve_dir_switchable(&www);
    let base = format!("{origin}/ohisama/");

    let page = browser.new_page();
    page.open(&base);
    wait(
        &page,
        "navigator.serviceWorker.controller !== null",
        "the service worker controls the page",
    );
    let keys = page.eval_json("caches.keys()");
    assert_eq!(
        keys,
        serde_json::json!([format!("ohisama:/ohisama/:{version}")])
    );
    let scope = page.eval_json("navigator.serviceWorker.getRegistration().then(r => r.scope)");
    assert_eq!(scope, base.as_str());

    // A family opens their municipality and their region's PDF.
    page.open(&format!("{base}contacts/chigasaki/"));
    let pdf = "/ohisama/pdf/contacts-shonan-east.pdf";
    let size = page.eval_json(&format!(
        "fetch('{pdf}').then(r => r.arrayBuffer()).then(b => b.byteLength)"
    ));
    assert!(size.as_u64().unwrap() > 10_000);
    wait(
        &page,
        &format!("caches.match('{origin}{pdf}').then(r => !!r)"),
        "the PDF is kept after its first visit",
    );
    let unvisited_pdf = "/ohisama/pdf/contacts-kensei.pdf";
    assert_eq!(
        page.eval_json(&format!(
            "caches.match('{origin}{unvisited_pdf}').then(r => !!r)"
        )),
        false,
        "PDFs are kept only once opened"
    );

    // No signal.
    server.go_offline();
    let before = server.requests().len();
    assert!(
        page.try_eval_json(&format!(
            "fetch('{origin}/ohisama/robots.txt').then(r => r.status)"
        ))
        .is_err(),
        "the network is really off"
    );

    page.open(&format!("{base}contacts/chigasaki/"));
    assert!(
        h1(&page).contains("茅ヶ崎市"),
        "visited municipality: {}",
        h1(&page)
    );
    assert!(
        page.eval_json("document.querySelectorAll('a.tel').length")
            .as_u64()
            .unwrap()
            > 3
    );
    page.open(&format!("{base}emergency/"));
    assert_eq!(h1(&page), "緊急時対応マニュアル");
    page.open(&format!("{base}emergency/call-119/"));
    assert_eq!(h1(&page), "119番のかけ方");
    page.open(&format!("{base}contacts/hakone/"));
    assert!(
        h1(&page).contains("箱根町"),
        "a municipality never opened: {}",
        h1(&page)
    );
    page.open(&format!("{base}regions/kensei/"));
    assert!(h1(&page).contains("県西"), "{}", h1(&page));
    page.open(&format!("{base}emergency/sheet/"));
    wait(
        &page,
        "window.__ohisamaSheetReady === true",
        "the sheet works offline",
    );
    assert_eq!(
        page.eval_json("getComputedStyle(document.querySelector('.sheet-public')).borderTopStyle"),
        "solid",
        "with its stylesheet"
    );
    let status = page.eval_json(&format!(
        "fetch('{pdf}').then(async r => [r.status, new TextDecoder().decode((await r.arrayBuffer()).slice(0, 5))])"
    ));
    assert_eq!(status, serde_json::json!([200, "%PDF-"]));
    assert!(
        page.try_eval_json(&format!("fetch('{unvisited_pdf}').then(r => r.status)"))
            .is_err(),
        "a PDF never opened is not there"
    );

    // A page that was never saved: the offline page, which says so.
    page.open(&format!("{base}facilities/"));
    assert_eq!(h1(&page), "オフラインです");
    let text = page.eval_json("document.body.innerText");
    assert!(
        text.as_str()
            .unwrap()
            .contains("インターネットにつながっていない")
    );
    assert_eq!(
        page.eval_json("location.pathname"),
        "/ohisama/facilities/",
        "the address stays the one the family asked for"
    );
    assert_eq!(
        server.requests().len(),
        before,
        "nothing reached the server"
    );
}
