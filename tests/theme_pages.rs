//! What a family sees on the sample site's pages, read from the HTML the
//! default theme writes (issue #16): the home page's notices once, one list of
//! a section's pages, no stray separator, one search landmark, the sample
//! banner inside the header, the icons, the emergency sheet's buttons under
//! the form too. (Line breaks are checked in a browser: `a11y.rs`.)

use crate::sitekit::TestSite;
use std::path::Path;

fn build(site: &TestSite) {
    ohisama::build::build(&site.options())
        .unwrap_or_else(|e| panic!("build failed:\n{}", e.diagnostics().render_text()));
}

/// The text between the first `start` after `from` and the next `end`.
fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let i = html
        .find(start)
        .unwrap_or_else(|| panic!("no {start:?} in the page"))
        + start.len();
    let j = html[i..].find(end).expect("end marker") + i;
    &html[i..j]
}

/// The `text:` values of the notices of a site.yaml.
fn notice_texts(site_yaml: &str) -> Vec<String> {
    site_yaml
        .lines()
        .skip_while(|l| !l.starts_with("notices:"))
        .skip(1)
        .take_while(|l| l.starts_with(' ') || l.is_empty())
        .filter_map(|l| l.trim().strip_prefix("text: "))
        .map(str::to_string)
        .collect()
}

#[test]
fn home_lists_each_notice_once_and_news_only_without_notices() {
    let site = TestSite::sample();
    build(&site);
    let home = site.read("dist/index.html");
    let texts = notice_texts(&site.read("data/site.yaml"));
    assert!(texts.len() >= 3, "the sample has notices: {texts:?}");
    for t in &texts {
        assert_eq!(home.matches(t.as_str()).count(), 1, "{t} on the home page");
    }
    let list = between(&home, "<ul class=\"notice-list\">", "</ul>");
    assert_eq!(list.matches("<li>").count(), texts.len(), "{list}");
    assert!(
        home.contains("href=\"/news/\">お知らせ一覧へ</a>"),
        "the news pages are one link away"
    );

    // A site without notices shows its latest news pages instead.
    let yaml = site.read("data/site.yaml");
    let start = yaml.find("\nnotices:").expect("notices block") + 1;
    site.write("data/site.yaml", &yaml[..start]);
    build(&site);
    let home = site.read("dist/index.html");
    let list = between(&home, "<ul class=\"notice-list\">", "</ul>");
    assert!(
        list.contains("href=\"/news/2025-04-01-directory/\""),
        "{list}"
    );
    for t in &texts {
        assert!(
            !home.contains(t.as_str()),
            "{t} is gone with site.yaml's notices"
        );
    }
}

/// The pages of a section (`content/<section>/*.md` but its index), as the
/// start of a list item that is a link to it: `<li><a href="/emergency/cpr/"`.
fn section_pages(root: &Path, section: &str) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(root.join("content").join(section))
        .expect("section folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        // A translation (`call-119.en.md`) is listed by its own language's index.
        .filter(|stem| stem != "index" && !stem.contains('.'))
        .map(|stem| format!("<li><a href=\"/{section}/{stem}/\""))
        .collect();
    v.sort();
    v
}

#[test]
fn a_section_index_links_each_of_its_pages_once() {
    let site = TestSite::sample();
    build(&site);
    for section in ["emergency", "services", "messages", "about", "news"] {
        let page = site.read(&format!("dist/{section}/index.html"));
        let main = between(&page, "<main", "</main>");
        let pages = section_pages(site.root(), section);
        assert!(pages.len() >= 2, "{section}: {pages:?}");
        // A link in a sentence is fine; a second list of the same pages is not.
        for item in &pages {
            assert_eq!(
                main.matches(item.as_str()).count(),
                1,
                "/{section}/ lists {item} once (in the generated ページ一覧 only)"
            );
        }
        let list = between(main, "<ul class=\"child-pages\">", "</ul>");
        assert!(pages.iter().all(|h| list.contains(h.as_str())), "{list}");
    }
}

#[test]
fn review_line_has_a_separator_only_between_two_parts() {
    let site = TestSite::sample();
    build(&site);
    // /services/ has `updated` but no `reviewed_by`; /emergency/ has both.
    let services = site.read("dist/services/index.html");
    let review = between(&services, "<p class=\"review\">", "</p>");
    assert!(review.contains("最終確認日"), "{review}");
    assert!(
        !review.contains('・') && !review.contains("監修"),
        "{review}"
    );
    let emergency = site.read("dist/emergency/index.html");
    let review = between(&emergency, "<p class=\"review\">", "</p>");
    assert!(
        review.contains("監修: 県立こども医療センター(サンプル)</span> ・ <span>最終確認日"),
        "{review}"
    );
}

/// Every HTML file of an output folder, as (relative path, text).
fn html_files(dist: &Path) -> Vec<(String, String)> {
    walkdir::WalkDir::new(dist)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "html"))
        .map(|e| {
            let rel = e.path().strip_prefix(dist).expect("prefix");
            (
                rel.display().to_string(),
                std::fs::read_to_string(e.path()).expect("read"),
            )
        })
        .collect()
}

#[test]
fn one_search_landmark_the_banner_in_the_header_and_the_icons_on_every_page() {
    let site = TestSite::sample();
    build(&site);
    let dist = site.path("dist");
    let pages = html_files(&dist);
    assert!(pages.len() > 100, "{} pages", pages.len());
    for (rel, html) in &pages {
        // The search is Japanese: offered on every Japanese page (やさしい日本語 too), on no other language's.
        let search = usize::from(html.contains("<html lang=\"ja\""));
        assert_eq!(html.matches("role=\"search\"").count(), search, "{rel}");
        let header = between(html, "<header class=\"site-header\">", "</header>");
        assert!(
            header.contains("class=\"sample-banner\""),
            "{rel}: the sample banner is inside the header (a landmark)"
        );
        for icon in [
            "<link rel=\"icon\" href=\"/assets/icons/favicon.svg\" type=\"image/svg+xml\">",
            "<link rel=\"apple-touch-icon\" href=\"/assets/icons/apple-touch-icon.png\">",
        ] {
            assert!(html.contains(icon), "{rel} lacks {icon}");
        }
    }
    let search = site.read("dist/search/index.html");
    assert!(
        !search.contains("class=\"header-search\""),
        "the search page has its own form only"
    );
    // The build copies the icons; each PNG is the size its link says.
    let svg = std::fs::read_to_string(dist.join("assets/icons/favicon.svg")).expect("svg");
    assert!(svg.starts_with("<svg") && svg.contains("viewBox=\"0 0 64 64\""));
    for (file, size) in [
        ("favicon-32.png", 32),
        ("apple-touch-icon.png", 180),
        ("icon-192.png", 192),
    ] {
        let png = std::fs::read(dist.join("assets/icons").join(file)).expect(file);
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "{file}");
        let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
        let height = u32::from_be_bytes(png[20..24].try_into().unwrap());
        assert_eq!((width, height), (size, size), "{file}");
    }
}

/// Browsers ask for `/favicon.ico` whatever the page links (issue #16: a 404
/// on every page): the build writes it from the theme's 32 px PNG, as an ICO
/// holding that PNG.
#[test]
fn favicon_ico_at_the_root_holds_the_themes_png() {
    let site = TestSite::sample();
    build(&site);
    let png = std::fs::read(site.path("themes/default/static/icons/favicon-32.png")).unwrap();
    let ico = std::fs::read(site.path("dist/favicon.ico")).expect("dist/favicon.ico");
    // ICONDIR: reserved 0, type 1 (icon), one image.
    assert_eq!(&ico[..6], &[0, 0, 1, 0, 1, 0]);
    // ICONDIRENTRY: 32×32, 1 plane, 32 bpp, the PNG's size, at offset 22.
    assert_eq!(&ico[6..8], &[32, 32]);
    assert_eq!(u16::from_le_bytes([ico[10], ico[11]]), 1);
    assert_eq!(u16::from_le_bytes([ico[12], ico[13]]), 32);
    assert_eq!(
        u32::from_le_bytes(ico[14..18].try_into().unwrap()) as usize,
        png.len()
    );
    assert_eq!(u32::from_le_bytes(ico[18..22].try_into().unwrap()), 22);
    assert_eq!(&ico[22..], &png[..]);
}

#[test]
fn emergency_sheet_has_print_and_save_under_the_form_and_plain_words() {
    let site = TestSite::sample();
    build(&site);
    let sheet = site.read("dist/emergency/sheet/index.html");
    for action in ["print", "export"] {
        assert_eq!(
            sheet.matches(&format!("data-action=\"{action}\"")).count(),
            2,
            "{action}: above the form and under it"
        );
    }
    let after_form = &sheet[sheet.find("name=\"filled_on\"").expect("last field")..];
    assert!(after_form.contains("data-action=\"print\">印刷する</button>"));
    assert!(after_form.contains("data-action=\"export\">ファイルに保存</button>"));
    assert!(sheet.contains("この端末(ブラウザ)の中だけに保存"));
    assert!(
        !sheet.contains("ローカルストレージ"),
        "no jargon for families"
    );
}

/// Issue #16: 429 of 454 pages had no `<meta name="description">`. Every page a
/// family may reach from a search engine has one now: the front matter's
/// `description`, the start of a page's text, or the generated page's own line.
#[test]
fn every_page_has_a_meta_description() {
    let site = TestSite::sample();
    // A page without `description:` gets the start of its text.
    site.edit(
        "content/about/index.md",
        "description: 「おひさま 小児在宅療養ナビ」について。運営者、サイトの目的、掲載情報の取り扱いについて説明します。\n",
        "",
    );
    build(&site);
    let dist = site.path("dist");
    let mut missing = Vec::new();
    for (rel, html) in html_files(&dist) {
        if rel == "404.html" || rel == "offline/index.html" {
            continue; // not for search engines (noindex)
        }
        let has = html
            .split("<meta name=\"description\" content=\"")
            .nth(1)
            .is_some_and(|rest| !rest.starts_with('"'));
        if !has {
            missing.push(rel);
        }
    }
    assert!(missing.is_empty(), "no meta description: {missing:?}");
    let about = std::fs::read_to_string(dist.join("about/index.html")).unwrap();
    let described = between(&about, "<meta name=\"description\" content=\"", "\"");
    assert!(
        described.starts_with("「おひさま 小児在宅療養ナビ」は在宅療養"),
        "the start of the text: {described}"
    );
    let chigasaki = std::fs::read_to_string(dist.join("contacts/chigasaki/index.html")).unwrap();
    assert!(
        between(&chigasaki, "<meta name=\"description\" content=\"", "\"")
            .starts_with("茅ヶ崎市の"),
        "municipality page"
    );
}

/// Issue #16: the sitemap had no `<lastmod>`; the Atom feed had no
/// `rel="self"`, wrote Japanese dates as UTC midnight and had no summaries.
#[test]
fn feeds_carry_dates_a_self_link_and_summaries() {
    let site = TestSite::sample();
    build(&site);
    let dist = site.path("dist");
    let sitemap = std::fs::read_to_string(dist.join("sitemap.xml")).unwrap();
    let chigasaki = between(&sitemap, "contacts/chigasaki/</loc>", "</url>");
    assert_eq!(chigasaki, "<lastmod>2025-04-01</lastmod>", "{sitemap}");
    assert!(
        sitemap.matches("<lastmod>").count() > 300,
        "pages, municipalities and facilities carry their dates"
    );
    let atom = std::fs::read_to_string(dist.join("news/atom.xml")).unwrap();
    assert!(
        atom.contains("<link rel=\"self\" type=\"application/atom+xml\" href=\"")
            && atom.contains("news/atom.xml\"/>"),
        "{atom}"
    );
    assert!(
        !atom.contains("T00:00:00Z"),
        "local dates, not UTC midnight"
    );
    let entries = atom.matches("<entry>").count();
    assert!(entries >= 4, "{entries} entries");
    assert_eq!(
        atom.matches("T00:00:00+09:00</updated>").count(),
        entries + 1
    );
    assert_eq!(atom.matches("<summary>").count(), entries);
    assert!(!atom.contains("<summary></summary>"), "{atom}");
}
