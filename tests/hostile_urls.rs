//! The one URL rule (src/url_rule.rs), one test per hostile input: the input
//! in a copy of the mini site, `check`'s error at file:line, `build` exiting
//! with 1 and leaving content/, data/ and dist/ byte-identical. Then what must
//! keep working: a sub-path `--base-url`, unique heading ids, page file names
//! that need percent-encoding.

use crate::sitekit::{self, TestSite, TreeSnapshot, expect_diag, ohisama};
use std::process::Output;

/// `ohisama build --no-pdf --root <site> [extra]`.
fn build_cli(site: &TestSite, extra: &[&str]) -> Output {
    ohisama()
        .args(["build", "--no-pdf", "--root"])
        .arg(site.root())
        .args(extra)
        .output()
        .expect("run ohisama build")
}

/// The folders a refused build must leave alone.
fn snapshots(site: &TestSite) -> [(&'static str, TreeSnapshot); 3] {
    ["content", "data", "dist"].map(|dir| (dir, TreeSnapshot::of(&site.path(dir))))
}

/// A good build first (so dist/ has something to lose), then `hostile` is
/// applied; the build must exit with 1, name `file:line` and `needle` on
/// stderr, and leave content/, data/ and dist/ exactly as they were.
fn refused_build(
    hostile: impl FnOnce(&TestSite),
    extra: &[&str],
    location: &str,
    needle: &str,
) -> TestSite {
    let site = TestSite::mini();
    sitekit::assert_success(&build_cli(&site, &[]));
    hostile(&site);
    let before = snapshots(&site);
    let out = build_cli(&site, extra);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("--> {location}")),
        "no {location} in:\n{stderr}"
    );
    assert!(stderr.contains(needle), "no {needle:?} in:\n{stderr}");
    assert!(stderr.contains("ヒント:"), "no hint in:\n{stderr}");
    for ((dir, b), (_, a)) in before.iter().zip(snapshots(&site).iter()) {
        b.assert_same(a, dir);
    }
    site
}

/// A notice's `url:` (data/site.yaml line 16) replaced by `url`.
fn hostile_notice(url: &str, needle: &str) {
    let yaml_url = url.to_string();
    let site = refused_build(
        |s| {
            s.edit(
                "data/site.yaml",
                "url: /contacts/",
                &format!("url: {yaml_url}"),
            )
        },
        &[],
        "data/site.yaml:16:10",
        needle,
    );
    expect_diag(&site.check(), "data/site.yaml", 16, needle);
}

#[test]
fn notice_to_another_host_is_refused() {
    hostile_notice(
        "//evil.example/phish",
        "URL `//evil.example/phish` は使えません: `//` で始まる URL は別のサイトを指します",
    );
}

#[test]
fn notice_with_a_backslash_is_refused() {
    hostile_notice(
        "/\\evil.example/phish",
        "URL `/\\evil.example/phish` は使えません: バックスラッシュ",
    );
}

#[test]
fn notice_with_javascript_is_refused() {
    hostile_notice(
        "javascript:alert(1)",
        "URL `javascript:alert(1)` は使えません: `javascript:` の URL は安全のため使えません",
    );
}

#[test]
fn notice_with_mixed_case_javascript_is_refused() {
    hostile_notice(
        "JaVaScRiPt:alert(1)",
        "URL `JaVaScRiPt:alert(1)` は使えません: `javascript:` の URL は安全のため使えません",
    );
}

#[test]
fn notice_with_a_tab_inside_javascript_is_refused() {
    // A double-quoted YAML string: `\t` is a real tab in the value.
    hostile_notice(
        "\"java\\tscript:alert(1)\"",
        "URL `java<U+0009>script:alert(1)` は使えません: タブ (U+0009) が含まれています",
    );
}

#[test]
fn notice_with_a_newline_inside_javascript_is_refused() {
    hostile_notice(
        "\"java\\nscript:alert(1)\"",
        "URL `java<U+000A>script:alert(1)` は使えません: 改行 (U+000A) が含まれています",
    );
}

#[test]
fn notice_with_a_data_url_is_refused() {
    hostile_notice(
        "\"data:text/html,<script>alert(1)</script>\"",
        "`data:` の URL は安全のため使えません",
    );
}

#[test]
fn front_matter_cannot_carry_a_url() {
    // Front matter has no URL key: a `url:` (or any unknown key) is an error
    // at its line, never a link.
    let site = refused_build(
        |s| {
            s.edit(
                "content/emergency/index.md",
                "weight: 1\n",
                "weight: 1\nurl: javascript:alert(1)\n",
            )
        },
        &[],
        "content/emergency/index.md:4",
        "不明なキー `url` があります",
    );
    let d = site.check();
    let e = expect_diag(&d, "content/emergency/index.md", 4, "不明なキー `url`");
    assert!(e.is_error());
}

/// The markdown link of the emergency page (line 9) replaced by `md`.
fn hostile_markdown(md: &str, needle: &str) {
    let md = md.to_string();
    let site = refused_build(
        |s| s.edit("content/emergency/index.md", "[窓口一覧](/contacts/)", &md),
        &[],
        "content/emergency/index.md:9",
        needle,
    );
    expect_diag(&site.check(), "content/emergency/index.md", 9, needle);
}

#[test]
fn markdown_link_to_another_host_is_refused() {
    hostile_markdown(
        "[x](//evil.example)",
        "リンクの URL `//evil.example` は使えません: `//` で始まる URL は別のサイトを指します",
    );
}

#[test]
fn markdown_link_with_a_backslash_is_refused() {
    hostile_markdown(
        "[x](/\\evil.example)",
        "リンクの URL `/\\evil.example` は使えません: バックスラッシュ",
    );
}

#[test]
fn markdown_link_escaping_the_root_is_refused() {
    // `/..//evil.example` normalises to `//evil.example`.
    hostile_markdown(
        "[x](/..//evil.example/)",
        "リンクの URL `/..//evil.example/` は使えません: `//` で始まる URL は別のサイトを指します",
    );
}

#[test]
fn markdown_image_from_another_host_is_refused() {
    hostile_markdown(
        "![x](//host/x.png)",
        "画像の URL `//host/x.png` は使えません: `//` で始まる URL は別のサイトを指します",
    );
}

#[test]
fn markdown_image_with_javascript_is_refused() {
    hostile_markdown(
        "![x](javascript:alert(1))",
        "画像の URL `javascript:alert(1)` は使えません: `javascript:` の URL は安全のため使えません",
    );
}

#[test]
fn markdown_link_with_vbscript_is_refused() {
    hostile_markdown(
        "[x](VBScript:msgbox(1))",
        "`vbscript:` の URL は安全のため使えません",
    );
}

#[test]
fn markdown_reference_link_with_javascript_is_refused() {
    // The definition is at the end of the page; the link is reported where it is used.
    let needle = "リンクの URL `jAvAsCrIpT:alert(1)` は使えません";
    let site = refused_build(
        |s| {
            s.edit(
                "content/emergency/index.md",
                "[窓口一覧](/contacts/)",
                "[x][evil]",
            );
            let page = s.read("content/emergency/index.md");
            s.write(
                "content/emergency/index.md",
                &format!("{page}\n[evil]: jAvAsCrIpT:alert(1)\n"),
            );
        },
        &[],
        "content/emergency/index.md:9",
        needle,
    );
    expect_diag(&site.check(), "content/emergency/index.md", 9, needle);
}

#[test]
fn window_url_with_ftp_is_refused() {
    let needle =
        "URL `ftp://example.jp/yokohama` は使えません: `ftp:` の URL は安全のため使えません";
    let site = refused_build(
        |s| {
            s.edit(
                "data/contacts/yokohama.yaml",
                "url: https://example.jp/yokohama",
                "url: ftp://example.jp/yokohama",
            )
        },
        &[],
        "data/contacts/yokohama.yaml:10:10",
        needle,
    );
    expect_diag(&site.check(), "data/contacts/yokohama.yaml", 10, needle);
}

#[test]
fn facility_url_with_a_site_path_is_refused() {
    let needle = "URL `/contacts/` は使えません: サイト内のパスはここでは使えません";
    let site = refused_build(
        |s| {
            s.edit(
                "data/facilities/yokohama.yaml",
                "  care:",
                "  url: /contacts/\n  care:",
            )
        },
        &[],
        "data/facilities/yokohama.yaml:8:8",
        needle,
    );
    expect_diag(&site.check(), "data/facilities/yokohama.yaml", 8, needle);
}

#[test]
fn window_url_with_credentials_is_refused() {
    let needle = "URL `https://example.jp@evil.example/` は使えません: ユーザー名やパスワード";
    let site = refused_build(
        |s| {
            s.edit(
                "data/contacts/yokohama.yaml",
                "url: https://example.jp/yokohama",
                "url: https://example.jp@evil.example/",
            )
        },
        &[],
        "data/contacts/yokohama.yaml:10:10",
        needle,
    );
    expect_diag(&site.check(), "data/contacts/yokohama.yaml", 10, needle);
}

#[test]
fn site_base_url_to_another_host_is_refused() {
    let needle =
        "base_url `//evil.example/` は使えません: `//` で始まる URL は別のサイトを指します";
    let site = refused_build(
        |s| {
            s.edit(
                "data/site.yaml",
                "base_url: https://example.jp/",
                "base_url: //evil.example/",
            )
        },
        &[],
        "data/site.yaml:4:11",
        needle,
    );
    expect_diag(&site.check(), "data/site.yaml", 4, needle);
}

/// `build --base-url <url>` on an unchanged site: exit 1, nothing written.
fn hostile_base_url_option(url: &str, needle: &str) {
    refused_build(|_| {}, &["--base-url", url], "--base-url", needle);
}

#[test]
fn base_url_option_with_javascript_is_refused() {
    hostile_base_url_option(
        "javascript:alert(1)//",
        "--base-url `javascript:alert(1)//` は使えません: `javascript:` の URL は安全のため使えません",
    );
}

#[test]
fn base_url_option_to_another_host_is_refused() {
    hostile_base_url_option(
        "//evil.example/",
        "--base-url `//evil.example/` は使えません: `//` で始まる URL は別のサイトを指します",
    );
}

#[test]
fn base_url_option_with_a_query_is_refused() {
    hostile_base_url_option(
        "https://example.org/sub/?x=1",
        "--base-url `https://example.org/sub/?x=1` は使えません: 公開先の URL に ? や # は含められません",
    );
}

#[test]
fn base_url_option_on_a_sub_path_moves_every_link() {
    let site = TestSite::mini();
    sitekit::assert_success(&build_cli(
        &site,
        &["--base-url", "https://example.org/sub/"],
    ));
    let home = site.read("dist/index.html");
    for needle in [
        "<link rel=\"canonical\" href=\"https://example.org/sub/\">",
        "href=\"/sub/assets/css/site.css\"",
        "href=\"/sub/contacts/\"",
        // The notice's `url: /contacts/` gets the base path too.
        "<a href=\"/sub/contacts/\">掲載しました。</a>",
    ] {
        assert!(home.contains(needle), "no {needle} in the home page");
    }
    assert!(
        !home.contains("href=\"/contacts/\""),
        "a link missed the base path"
    );
    let emergency = site.read("dist/emergency/index.html");
    assert!(emergency.contains("<a href=\"/sub/contacts/\">窓口一覧</a>"));
    let sitemap = site.read("dist/sitemap.xml");
    assert!(sitemap.contains("<loc>https://example.org/sub/emergency/</loc>"));
    assert!(!sitemap.contains("<loc>https://example.jp/"));
    assert!(
        site.read("dist/sw.js")
            .contains("\"/sub/emergency/sheet/\"")
    );
}

#[test]
fn heading_ids_are_unique_and_anchors_find_them() {
    let site = TestSite::mini();
    site.write(
        "content/emergency/index.md",
        "---\ntitle: 緊急時対応マニュアル\nweight: 1\n---\n## y-3\n\nA\n\n## y\n\nB\n\n## y\n\nC\n\n[1](#y-3) [2](#y) [3](#y-4) [窓口一覧](/contacts/)\n",
    );
    sitekit::assert_success(&build_cli(&site, &[]));
    let page = site.read("dist/emergency/index.html");
    let ids: Vec<&str> = page
        .match_indices("<h2 id=\"")
        .map(|(i, m)| {
            let rest = &page[i + m.len()..];
            &rest[..rest.find('"').expect("closing quote")]
        })
        .collect();
    assert_eq!(ids, ["y-3", "y", "y-4"]);
    for id in ids {
        assert_eq!(
            page.matches(&format!("id=\"{id}\"")).count(),
            1,
            "id {id} appears more than once"
        );
        assert!(
            page.contains(&format!("href=\"#{id}\"")),
            "no anchor to {id}"
        );
    }
}

#[test]
fn page_file_names_are_percent_encoded_everywhere() {
    let site = TestSite::mini();
    site.write(
        "content/news/a b.md",
        "---\ntitle: 空白のある名前\ndate: 2025-04-01\n---\n本文。\n",
    );
    // The home page lists the news pages when site.yaml has no notices (issue #16).
    site.edit(
        "data/site.yaml",
        "notices:\n  - date: 2025-04-01\n    text: 掲載しました。\n    url: /contacts/\n",
        "",
    );
    site.write(
        "content/emergency/c#d?e%f お知らせ.md",
        "---\ntitle: 記号と日本語の名前\n---\n本文。\n",
    );
    let emergency_href = "/emergency/c%23d%3Fe%25f%20%E3%81%8A%E7%9F%A5%E3%82%89%E3%81%9B/";
    // Links written encoded (or with the Japanese as is) pass the link check.
    site.edit(
        "content/emergency/index.md",
        "[窓口一覧](/contacts/)",
        "[窓口一覧](/contacts/) [a](/news/a%20b/) [c](/emergency/c%23d%3Fe%25f%20お知らせ/)",
    );
    let d = site.check();
    assert!(!d.has_errors(), "{}", d.render_text());

    sitekit::assert_success(&build_cli(&site, &[]));
    // Files are named as the pages' files; every URL to them is encoded.
    assert!(site.path("dist/news/a b/index.html").is_file());
    assert!(
        site.path("dist/emergency/c#d?e%f お知らせ/index.html")
            .is_file()
    );
    let emergency = site.read("dist/emergency/index.html");
    assert!(emergency.contains("href=\"/news/a%20b/\""), "markdown link");
    assert!(
        emergency.contains(&format!("href=\"{emergency_href}\">記号と日本語の名前")),
        "child list of the section"
    );
    assert!(
        emergency.contains(&format!("href=\"{emergency_href}\">c</a>")),
        "markdown link with Japanese as is"
    );
    let home = site.read("dist/index.html");
    assert!(
        home.contains("href=\"/news/a%20b/\">空白のある名前"),
        "news list"
    );
    let sitemap = site.read("dist/sitemap.xml");
    assert!(sitemap.contains("<loc>https://example.jp/news/a%20b/</loc>"));
    assert!(sitemap.contains(&format!("<loc>https://example.jp{emergency_href}</loc>")));
    assert!(!sitemap.contains("a b/"), "an unencoded <loc>");
    let atom = site.read("dist/news/atom.xml");
    assert!(atom.contains("<link href=\"https://example.jp/news/a%20b/\"/>"));
    let page = site.read("dist/news/a b/index.html");
    assert!(page.contains("<link rel=\"canonical\" href=\"https://example.jp/news/a%20b/\">"));
    let sw = site.read("dist/sw.js");
    assert!(
        sw.contains(&format!("\"{emergency_href}\"")),
        "precache list"
    );
}

#[test]
fn links_to_file_names_must_be_encoded() {
    let site = TestSite::mini();
    site.write(
        "content/news/a b.md",
        "---\ntitle: 空白のある名前\ndate: 2025-04-01\n---\n本文。\n",
    );
    site.edit(
        "content/emergency/index.md",
        "[窓口一覧](/contacts/)",
        "[a](</news/a b/>) [b](/news/a%20c/)",
    );
    let d = site.check();
    expect_diag(
        &d,
        "content/emergency/index.md",
        9,
        "リンクの URL `/news/a b/` は使えません: 空白 (U+0020) が含まれています",
    );
    expect_diag(
        &d,
        "content/emergency/index.md",
        9,
        "リンク先 /news/a c/ のページがありません",
    );
}

#[test]
fn editor_schema_flags_notices_to_another_host() {
    // VS Code checks site.yaml against schemas/site.schema.json while typing;
    // its pattern must not let through what `check` refuses.
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(sitekit::repo_root().join("schemas/site.schema.json"))
            .expect("schemas/site.schema.json"),
    )
    .expect("JSON");
    let validator = jsonschema::validator_for(&schema).expect("a valid schema");
    let good = std::fs::read_to_string(sitekit::repo_root().join("data/site.yaml")).unwrap();
    let valid = |text: &str| {
        let value: serde_json::Value = serde_saphyr::from_str(text).expect("YAML");
        validator.is_valid(&value)
    };
    assert!(valid(&good), "the sample site.yaml");
    for bad in [
        "//evil.example/phish",
        "'/\\evil.example/phish'",
        "javascript:alert(1)",
        "https:///evil.example",
    ] {
        let text = good.replacen("url: /contacts/", &format!("url: {bad}"), 1);
        assert!(!valid(&text), "{bad} passes the schema");
    }
}
