//! Sections and navigation from content: the main menu comes from site.yaml's
//! `menu:` and the pages' front matter `menu:` (no Rust), a section may have
//! its own templates (`templates/sections/<section>/page.html`, `list.html`)
//! and a page may name its template (`template:`).

use crate::sitekit::{TestSite, expect_diag};

fn build(site: &TestSite) {
    if let Err(e) = ohisama::build::build(&site.options()) {
        panic!("build failed:\n{}", e.diagnostics().render_text());
    }
}

/// The line of `needle` in a file (1-based), so tests don't hard-code positions.
fn line_of(site: &TestSite, rel: &str, needle: &str) -> u32 {
    site.read(rel)
        .lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{rel} has no line with {needle:?}")) as u32
        + 1
}

/// (href, label, aria-current) of each link of the main menu of a built page.
fn nav_of(site: &TestSite, rel: &str) -> Vec<(String, String, Option<String>)> {
    let html = site.read(&format!("dist/{rel}"));
    let start = html
        .find(r#"<nav class="site-nav""#)
        .unwrap_or_else(|| panic!("{rel} has no main menu"));
    let nav = &html[start..start + html[start..].find("</nav>").expect("nav closed")];
    nav.split("<li><a ")
        .skip(1)
        .map(|item| {
            let attr = |name: &str| {
                item.split_once(&format!("{name}=\""))
                    .map(|(_, rest)| rest[..rest.find('"').expect("quote")].to_string())
            };
            let label =
                item[item.find('>').expect(">") + 1..item.find("</a>").expect("</a>")].to_string();
            (attr("href").expect("href"), label, attr("aria-current"))
        })
        .collect()
}

fn labels(nav: &[(String, String, Option<String>)]) -> Vec<&str> {
    nav.iter().map(|(_, l, _)| l.as_str()).collect()
}

fn add_site_menu(site: &TestSite, menu: &str) {
    let text = site.read("data/site.yaml");
    site.write("data/site.yaml", &format!("{text}{menu}"));
}

#[test]
fn menu_from_site_yaml_in_order() {
    let site = TestSite::mini();
    add_site_menu(
        &site,
        "menu:\n  - title: 施設\n    url: /facilities/\n  - title: 窓口\n    url: /contacts/\n  - title: 探す\n    url: /search/\n    weight: -1\n  - title: 緊急\n    url: /emergency/\n",
    );
    build(&site);
    let nav = nav_of(&site, "index.html");
    // Stable by weight: `探す` (-1) first, then the others in the file's order.
    assert_eq!(labels(&nav), ["探す", "施設", "窓口", "緊急"]);
    assert_eq!(nav[1].0, "/facilities/");
    // The entry of the current section is marked, as with the default menu.
    let contacts = nav_of(&site, "contacts/index.html");
    assert_eq!(contacts[2].2.as_deref(), Some("page"), "{contacts:?}");
    let emergency = nav_of(&site, "emergency/index.html");
    assert_eq!(emergency[3].2.as_deref(), Some("page"), "{emergency:?}");
    assert!(emergency[..3].iter().all(|(_, _, c)| c.is_none()));
}

#[test]
fn a_site_without_menu_gets_the_default_menu() {
    let site = TestSite::mini();
    build(&site);
    let nav = nav_of(&site, "index.html");
    let default: Vec<&str> = ohisama::routes::DEFAULT_MENU
        .iter()
        .map(|(_, _, label)| *label)
        .collect();
    assert_eq!(labels(&nav), default);
    assert_eq!(nav[0].0, "/contacts/");
}

#[test]
fn section_index_with_front_matter_menu_joins_the_menu() {
    let site = TestSite::mini();
    site.write(
        "content/guide/index.md",
        "---\ntitle: 在宅療養ガイド\nmenu:\n  title: ガイド\n  weight: 5\n---\nはじめての方へ。\n",
    );
    site.write(
        "content/guide/bath.md",
        "---\ntitle: お風呂\n---\n入浴の工夫。\n",
    );
    build(&site);
    // The default menu (weight 0) and then the new section.
    let nav = nav_of(&site, "index.html");
    assert_eq!(nav.len(), ohisama::routes::DEFAULT_MENU.len() + 1);
    assert_eq!(nav.last().unwrap().0, "/guide/");
    assert_eq!(nav.last().unwrap().1, "ガイド");
    // Its pages mark it: the index as the page, the others as its section.
    let on_index = nav_of(&site, "guide/index.html");
    assert_eq!(on_index.last().unwrap().2.as_deref(), Some("page"));
    let on_child = nav_of(&site, "guide/bath/index.html");
    assert_eq!(on_child.last().unwrap().2.as_deref(), Some("true"));
}

#[test]
fn front_matter_menu_takes_its_place_by_weight_in_the_sample() {
    let site = TestSite::sample();
    site.write(
        "content/guide/index.md",
        "---\ntitle: 在宅療養ガイド\nmenu: {weight: 35}\n---\nはじめての方へ。\n",
    );
    let (built, _) =
        ohisama::build::check(&site.options()).unwrap_or_else(|d| panic!("{}", d.render_text()));
    let menu: Vec<&str> = built.menu.iter().map(|m| m.label.as_str()).collect();
    // Without a title the page's own title is the label; weight 35 puts it
    // between 緊急時対応 (30) and サービス (40) of data/site.yaml.
    assert_eq!(
        menu,
        [
            "窓口を探す",
            "施設検索",
            "緊急時対応",
            "在宅療養ガイド",
            "サービス",
            "応援メッセージ",
            "よくある質問",
            "お知らせ",
            "サイト内検索"
        ]
    );
    let guide = &built.menu[3];
    assert_eq!(
        (guide.href.as_str(), guide.section.as_str()),
        ("/guide/", "guide")
    );
}

#[test]
fn menu_link_to_missing_page_is_an_error() {
    let site = TestSite::mini();
    add_site_menu(
        &site,
        "menu:\n  - title: 窓口\n    url: /contacts/\n  - title: ガイド\n    url: /guide/\n  - title: 外部\n    url: https://example.org/\n",
    );
    let diags = site.check();
    let line = line_of(&site, "data/site.yaml", "url: /guide/");
    let d = expect_diag(
        &diags,
        "data/site.yaml",
        line,
        "メニューのリンク先 /guide/ のページがありません",
    );
    assert!(d.is_error());
    assert!(d.hint.is_some(), "a did-you-mean hint");
    // Only pages of this site may be in the menu.
    let line = line_of(&site, "data/site.yaml", "url: https://example.org/");
    expect_diag(&diags, "data/site.yaml", line, "メニューの URL");
    assert!(
        ohisama::build::build(&site.options()).is_err(),
        "nothing is built"
    );
}

#[test]
fn duplicate_menu_url_is_an_error() {
    let site = TestSite::mini();
    add_site_menu(
        &site,
        "menu:\n  - title: 窓口\n    url: /contacts/\n  - title: 窓口をさがす\n    url: /contacts\n",
    );
    let diags = site.check();
    // (the notices of the fixture link to /contacts/ too)
    let second_title = line_of(&site, "data/site.yaml", "title: 窓口をさがす");
    let (first, line) = (second_title - 1, second_title + 1);
    let d = expect_diag(
        &diags,
        "data/site.yaml",
        line,
        "メニューの URL /contacts/ が2回あります",
    );
    assert!(d.is_error());
    assert!(
        d.hint
            .as_deref()
            .unwrap_or_default()
            .contains(&format!("data/site.yaml:{first}")),
        "names the first: {d:?}"
    );
    assert_eq!(
        diags
            .iter()
            .filter(|d| d.message.contains("2回あります"))
            .count(),
        1,
        "the first entry is not reported"
    );
}

#[test]
fn front_matter_menu_on_a_default_menu_url_is_an_error() {
    let site = TestSite::mini();
    site.edit(
        "content/emergency/index.md",
        "weight: 1\n",
        "weight: 1\nmenu: {title: 緊急}\n",
    );
    let diags = site.check();
    let line = line_of(&site, "content/emergency/index.md", "menu:");
    let d = expect_diag(
        &diags,
        "content/emergency/index.md",
        line,
        "既定のメニューにすでにあります",
    );
    assert!(d.hint.as_deref().unwrap_or_default().contains("site.yaml"));
}

#[test]
fn blank_menu_title_is_an_error() {
    let site = TestSite::mini();
    add_site_menu(&site, "menu:\n  - title: \" \"\n    url: /contacts/\n");
    site.write(
        "content/guide/index.md",
        "---\ntitle: ガイド\nmenu:\n  title: \"\"\n---\n本文。\n",
    );
    let diags = site.check();
    let line = line_of(&site, "data/site.yaml", "title: \" \"");
    expect_diag(
        &diags,
        "data/site.yaml",
        line,
        "メニューの title (表示名) が空です",
    );
    let line = line_of(&site, "content/guide/index.md", "title: \"\"");
    expect_diag(
        &diags,
        "content/guide/index.md",
        line,
        "メニューの title (表示名) が空です",
    );
}

fn news_section(site: &TestSite) {
    site.write(
        "content/news/index.md",
        "---\ntitle: お知らせ\n---\n一覧です。\n",
    );
    site.write(
        "content/news/2025-04-01-open.md",
        "---\ntitle: 公開しました\ndate: 2025-04-01\n---\nサイトを公開しました。\n",
    );
}

#[test]
fn section_template_is_used_for_its_pages_only() {
    let site = TestSite::mini();
    news_section(&site);
    site.write(
        "templates/sections/news/page.html",
        "{% extends \"base.html\" %}{% block content %}<p>NEWS-PAGE-TEMPLATE</p>{{ page.html | safe }}{% endblock %}",
    );
    build(&site);
    let article = site.read("dist/news/2025-04-01-open/index.html");
    assert!(article.contains("NEWS-PAGE-TEMPLATE"), "{article}");
    assert!(article.contains("サイトを公開しました"), "the body is kept");
    for other in ["news/index.html", "emergency/index.html", "index.html"] {
        assert!(
            !site
                .read(&format!("dist/{other}"))
                .contains("NEWS-PAGE-TEMPLATE"),
            "{other} keeps its template"
        );
    }

    // The section's index page has its own: `list.html`.
    site.write(
        "templates/sections/news/list.html",
        "{% extends \"base.html\" %}{% block content %}<p>NEWS-LIST-TEMPLATE</p>{% for c in children %}{{ c.title }}{% endfor %}{% endblock %}",
    );
    build(&site);
    let list = site.read("dist/news/index.html");
    assert!(
        list.contains("NEWS-LIST-TEMPLATE") && list.contains("公開しました"),
        "{list}"
    );
    assert!(
        !site
            .read("dist/news/2025-04-01-open/index.html")
            .contains("NEWS-LIST-TEMPLATE")
    );
}

#[test]
fn front_matter_template_is_used() {
    let site = TestSite::mini();
    site.write(
        "templates/landing.html",
        "{% extends \"base.html\" %}{% block content %}<p>LANDING</p>{{ page.html | safe }}{% endblock %}",
    );
    site.edit(
        "content/emergency/index.md",
        "weight: 1\n",
        "weight: 1\ntemplate: landing.html\n",
    );
    build(&site);
    assert!(site.read("dist/emergency/index.html").contains("LANDING"));
}

#[test]
fn unknown_template_is_an_error() {
    let site = TestSite::mini();
    site.write("templates/landing.html", "{% extends \"base.html\" %}");
    site.edit(
        "content/emergency/index.md",
        "weight: 1\n",
        "weight: 1\ntemplate: landnig.html\n",
    );
    let diags = site.check();
    let line = line_of(&site, "content/emergency/index.md", "template:");
    let d = expect_diag(
        &diags,
        "content/emergency/index.md",
        line,
        "テンプレート `landnig.html` がありません",
    );
    assert!(d.is_error());
    let hint = d.hint.as_deref().unwrap_or_default();
    assert!(hint.contains("landing.html"), "{hint}");
}

#[test]
fn menu_links_follow_the_base_path() {
    let site = TestSite::mini();
    add_site_menu(
        &site,
        "menu:\n  - title: 窓口\n    url: /contacts/\n  - title: 緊急\n    url: /emergency/\n",
    );
    site.write(
        "content/guide/index.md",
        "---\ntitle: ガイド\nmenu: {}\n---\n本文。\n",
    );
    let mut opts = site.options();
    opts.base_url = Some("https://example.jp/sub/".into());
    if let Err(e) = ohisama::build::build(&opts) {
        panic!("{}", e.diagnostics().render_text());
    }
    let hrefs: Vec<String> = nav_of(&site, "index.html")
        .into_iter()
        .map(|(href, _, _)| href)
        .collect();
    assert_eq!(hrefs, ["/sub/contacts/", "/sub/emergency/", "/sub/guide/"]);
}

#[test]
fn drafts_stay_out_of_the_menu() {
    let site = TestSite::mini();
    site.write(
        "content/guide/index.md",
        "---\ntitle: ガイド\ndraft: true\nmenu: {weight: 1}\n---\n本文。\n",
    );
    build(&site);
    assert!(
        !labels(&nav_of(&site, "index.html")).contains(&"ガイド"),
        "a draft page's front matter menu is left out"
    );
    let mut opts = site.options();
    opts.drafts = true;
    let (with_drafts, _) =
        ohisama::build::check(&opts).unwrap_or_else(|d| panic!("{}", d.render_text()));
    assert_eq!(
        with_drafts.menu.last().map(|m| m.label.as_str()),
        Some("ガイド")
    );

    add_site_menu(&site, "menu:\n  - title: ガイド\n    url: /guide/\n");
    let diags = site.check();
    let line = line_of(&site, "data/site.yaml", "url: /guide/");
    let d = expect_diag(&diags, "data/site.yaml", line, "下書きのページです");
    assert!(d.hint.as_deref().unwrap_or_default().contains("--drafts"));
}
