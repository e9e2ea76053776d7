//! The route table (src/routes.rs): a link passes `check` when, and only
//! when, the build writes its target; a content page cannot take a URL the
//! generator writes itself.

use crate::sitekit::{self, TestSite, TreeSnapshot, expect_diag, ohisama};
use ohisama::diagnostic::Diagnostics;

const PAGE: &str = "content/links.md";

/// A content page whose line `3 + i` links to `links[i]`.
fn page_linking_to(site: &TestSite, links: &[&str]) {
    let mut md = String::from("---\ntitle: リンク集\n---\n");
    for link in links {
        md.push_str(&format!("[先]({link})\n\n"));
    }
    site.write(PAGE, &md);
}

/// The line of the i-th link written by [`page_linking_to`].
fn line_of(i: usize) -> u32 {
    4 + 2 * i as u32
}

fn errors(d: &Diagnostics) -> Vec<String> {
    d.iter()
        .filter(|d| d.is_error())
        .map(|d| format!("{}:{} {}", d.file, d.line, d.message))
        .collect()
}

#[test]
fn link_to_facility_list_page_passes_check() {
    let site = TestSite::mini();
    page_linking_to(
        &site,
        &[
            "/facilities/care/ventilator/",
            "/facilities/care/ventilator",
            "/facilities/type/home-nursing/",
            "/facilities/region/seirei/",
        ],
    );
    let d = site.check();
    assert_eq!(errors(&d), Vec::<String>::new(), "{}", d.render_text());
}

#[test]
fn links_to_feeds_and_404_pass_check() {
    let site = TestSite::mini();
    page_linking_to(
        &site,
        &[
            "/news/atom.xml",
            "/sitemap.xml",
            "/robots.txt",
            "/404.html",
            "/search/?q=x",
            "/facilities/facilities.json",
            "/pdf/contacts-all.pdf",
            "/assets/css/site.css",
            "/emergency/sheet/",
            "/offline/",
        ],
    );
    let d = site.check();
    assert_eq!(errors(&d), Vec::<String>::new(), "{}", d.render_text());
}

#[test]
fn links_to_pages_not_written_fail_check() {
    let site = TestSite::mini();
    let cases = [
        ("/facilities/care/nope/", "/facilities/care/"),
        ("/pdf/contacts-al.pdf", "/pdf/contacts-all.pdf"),
        ("/assets/css/sitee.css", "/assets/css/site.css"),
        ("/news/atom.xm", "/news/atom.xml"),
    ];
    page_linking_to(&site, &cases.map(|(link, _)| link));
    let d = site.check();
    for (i, (link, near)) in cases.iter().enumerate() {
        let e = expect_diag(
            &d,
            PAGE,
            line_of(i),
            &format!("リンク先 {link} のページがありません"),
        );
        let hint = e.hint.as_deref().unwrap_or_default();
        assert!(
            hint.contains("もしかして") && hint.contains(near),
            "{link}: {hint}"
        );
    }
    assert_eq!(errors(&d).len(), cases.len(), "{}", d.render_text());
}

/// `build` refuses a dead `/pdf/` link and leaves content/ and dist/ alone.
#[test]
fn build_refuses_a_link_to_a_pdf_it_does_not_write() {
    let site = TestSite::mini();
    let build = || {
        ohisama()
            .args(["build", "--no-pdf", "--root"])
            .arg(site.root())
            .output()
            .expect("run ohisama build")
    };
    sitekit::assert_success(&build());
    page_linking_to(&site, &["/pdf/typo.pdf"]);
    let before = ["content", "dist"].map(|d| TreeSnapshot::of(&site.path(d)));
    let out = build();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains(&format!("--> {PAGE}:4")), "{stderr}");
    assert!(
        stderr.contains("リンク先 /pdf/typo.pdf のページがありません"),
        "{stderr}"
    );
    let after = ["content", "dist"].map(|d| TreeSnapshot::of(&site.path(d)));
    before[0].assert_same(&after[0], "content");
    before[1].assert_same(&after[1], "dist");
}

#[test]
fn content_page_on_a_generated_url_is_an_error() {
    for (file, url) in [
        ("content/offline/index.md", "/offline/"),
        ("content/emergency/sheet.md", "/emergency/sheet/"),
    ] {
        let site = TestSite::mini();
        site.write(file, "---\ntitle: 重なるページ\n---\n本文\n");
        let d = site.check();
        let e = expect_diag(
            &d,
            file,
            1,
            &format!("URL {url} は自動生成されるページと重なります"),
        );
        assert!(e.hint.is_some(), "{file}");
        assert_eq!(errors(&d).len(), 1, "{}", d.render_text());
    }
}

/// Every route's file is in dist/ after a build, and every file of dist/ but
/// the search index (and the build's marker) is a route.
#[test]
fn route_table_is_exactly_what_the_build_writes() {
    route_table_matches_build_of(TestSite::mini());
}

#[test]
fn route_table_is_exactly_what_the_sample_build_writes() {
    route_table_matches_build_of(TestSite::sample());
}

fn route_table_matches_build_of(site: TestSite) {
    let mut opts = site.options();
    opts.pdf = true;
    opts.search = true;
    ohisama::build::build(&opts).expect("build");
    // The route table of the link check, from the raw data as `check` reads it.
    let loaded = ohisama::load::load_site(&opts.root);
    let theme_name = ohisama::site::theme_name(&loaded.raw).to_string();
    let links =
        ohisama::links::LinkContext::of(&ohisama::theme::Theme::new(&opts.root, &theme_name));
    let resolve = ohisama::site::ResolveOptions::default();
    let (diags, checked) = ohisama::validate::validate(&loaded.raw, &resolve, &links);
    let checked = checked.unwrap_or_else(|| panic!("{}", diags.render_text()));
    let raw = checked.raw();
    let pages = checked.into_pages();
    let ids = ohisama::links::raw_ids(raw, &pages, links.assets.clone());
    let routes: std::collections::BTreeSet<String> = ohisama::routes::every_route(&ids)
        .iter()
        .map(|r| r.file())
        .collect();
    let written: std::collections::BTreeSet<String> = TreeSnapshot::of(&opts.out)
        .0
        .into_iter()
        .filter(|(_, digest)| digest != "dir")
        .map(|(path, _)| path)
        .filter(|p| p == "search/index.html" || !p.starts_with("search/"))
        .filter(|p| !p.starts_with('.'))
        .collect();
    let missing: Vec<_> = routes.difference(&written).collect();
    let extra: Vec<_> = written.difference(&routes).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "not written: {missing:?}\nnot routes: {extra:?}"
    );
    assert!(routes.contains("facilities/care/ventilator/index.html"));
    assert!(routes.contains("pdf/contacts-all.pdf"));
}

#[test]
fn notice_to_missing_page_is_an_error() {
    let site = TestSite::mini();
    site.edit("data/site.yaml", "url: /contacts/", "url: /contacts/nope/");
    let d = site.check();
    let e = expect_diag(
        &d,
        "data/site.yaml",
        16,
        "お知らせのリンク先 /contacts/nope/ のページがありません",
    );
    assert!(
        e.hint.as_deref().unwrap_or_default().contains("もしかして"),
        "{e:?}"
    );
    assert_eq!(errors(&d).len(), 1, "{}", d.render_text());
}

#[test]
fn notice_to_a_facility_list_page_passes() {
    let site = TestSite::mini();
    site.edit(
        "data/site.yaml",
        "url: /contacts/",
        "url: /facilities/care/ventilator/",
    );
    let d = site.check();
    assert_eq!(errors(&d), Vec::<String>::new(), "{}", d.render_text());
}
