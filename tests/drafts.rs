//! Drafts: `draft: true` pages are left out of a plain build (no HTML, not in
//! the sitemap, feed, search or section lists) and built with `--drafts`; a
//! published page linking to a draft fails `check` unless drafts are in.

use crate::sitekit::{TestSite, TreeSnapshot, assert_success, expect_diag, ohisama};
use std::path::Path;

const PAGE_MARK: &str = "DRAFT-PAGE-MARK";
const NEWS_MARK: &str = "DRAFT-NEWS-MARK";

/// The mini site with a draft page, a draft news item and a published one.
fn site_with_drafts() -> TestSite {
    let site = TestSite::mini();
    site.write(
        "content/emergency/secret.md",
        &format!("---\ntitle: 下書きの手順 {PAGE_MARK}\ndraft: true\n---\nまだ確認中です。\n"),
    );
    site.write(
        "content/news/draft-news.md",
        &format!("---\ntitle: 下書きのお知らせ {NEWS_MARK}\ndate: 2025-04-03\ndraft: true\n---\n準備中。\n"),
    );
    site.write(
        "content/news/published.md",
        "---\ntitle: 公開済みのお知らせ\ndate: 2025-04-02\n---\n公開しました。\n",
    );
    site
}

fn build(site: &TestSite, drafts: bool) {
    let mut opts = site.options();
    opts.search = true;
    opts.drafts = drafts;
    ohisama::build::build(&opts).unwrap_or_else(|e| panic!("{}", e.diagnostics().render_text()));
}

/// The files of `dist` (relative paths) whose bytes contain `needle`.
fn files_containing(dist: &Path, needle: &str) -> Vec<String> {
    walkdir::WalkDir::new(dist)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter(|e| {
            let bytes = std::fs::read(e.path()).expect("read");
            String::from_utf8_lossy(&bytes).contains(needle)
        })
        .map(|e| {
            e.path()
                .strip_prefix(dist)
                .expect("prefix")
                .display()
                .to_string()
        })
        .collect()
}

#[test]
fn drafts_are_left_out_of_a_plain_build() {
    let site = site_with_drafts();
    build(&site, false);
    let dist = site.path("dist");
    assert!(!dist.join("emergency/secret/index.html").exists());
    assert!(!dist.join("news/draft-news/index.html").exists());
    assert!(
        dist.join("news/published/index.html").exists(),
        "published news built"
    );
    assert!(
        site.read("dist/news/atom.xml")
            .contains("公開済みのお知らせ")
    );
    for needle in [PAGE_MARK, NEWS_MARK, "emergency/secret", "draft-news"] {
        assert_eq!(
            files_containing(&dist, needle),
            Vec::<String>::new(),
            "{needle} is in no output file (sitemap, feed, search, lists, sw.js)"
        );
    }
}

#[test]
fn drafts_are_built_with_the_flag() {
    let site = site_with_drafts();
    build(&site, true);
    let page = site.read("dist/emergency/secret/index.html");
    assert!(page.contains(PAGE_MARK), "{page}");
    assert!(page.contains("draft-banner"), "the draft says so: {page}");
    assert!(
        !site
            .read("dist/emergency/index.html")
            .contains("draft-banner"),
        "a published page has no banner"
    );
    assert!(
        site.read("dist/news/draft-news/index.html")
            .contains(NEWS_MARK)
    );
    assert!(site.read("dist/sitemap.xml").contains("/emergency/secret/"));
    assert!(site.read("dist/news/atom.xml").contains(NEWS_MARK));
    assert!(
        site.read("dist/emergency/index.html")
            .contains("/emergency/secret/"),
        "listed in its section"
    );
    let search: Vec<String> = files_containing(&site.path("dist/search"), PAGE_MARK);
    assert!(!search.is_empty(), "draft page is in the search data");
}

#[test]
fn link_to_a_draft_fails_check_without_drafts() {
    let site = site_with_drafts();
    site.edit(
        "content/emergency/index.md",
        "[窓口一覧](/contacts/) を見てください。",
        "[窓口一覧](/contacts/) を見てください。\n\n[下書き](/emergency/secret/) も。",
    );
    let line = site
        .read("content/emergency/index.md")
        .lines()
        .position(|l| l.contains("/emergency/secret/"))
        .expect("link line") as u32
        + 1;
    let diags = site.check();
    let d = expect_diag(&diags, "content/emergency/index.md", line, "下書き");
    assert!(
        d.hint.as_deref().unwrap_or_default().contains("--drafts"),
        "{:?}",
        d.hint
    );

    // The CLI: exit 1 and the message without the flag, success with it; nothing written.
    let before = TreeSnapshot::of(site.root());
    let plain = ohisama()
        .args(["check", "--root"])
        .arg(site.root())
        .output()
        .expect("run");
    assert_eq!(plain.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&plain.stderr);
    let stdout = String::from_utf8_lossy(&plain.stdout);
    assert!(
        format!("{stdout}{stderr}").contains(&format!("content/emergency/index.md:{line}")),
        "{stdout}{stderr}"
    );
    let with = ohisama()
        .args(["check", "--drafts", "--root"])
        .arg(site.root())
        .output()
        .expect("run");
    assert_success(&with);
    before.assert_same(&TreeSnapshot::of(site.root()), "site folder");
}

#[test]
fn cli_build_drafts_flag() {
    let site = site_with_drafts();
    let run = |extra: &[&str]| {
        let out = ohisama()
            .args(["build", "--no-pdf", "--root"])
            .arg(site.root())
            .args(extra)
            .output()
            .expect("run");
        assert_success(&out);
    };
    run(&[]);
    assert!(!site.path("dist/emergency/secret/index.html").exists());
    run(&["--drafts"]);
    assert!(
        site.read("dist/emergency/secret/index.html")
            .contains(PAGE_MARK)
    );
    run(&[]);
    assert!(
        !site.path("dist/emergency/secret/index.html").exists(),
        "a plain build after a --drafts build drops the draft again"
    );
}
