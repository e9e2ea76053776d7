//! The glossary (issue #18, item 4): `data/glossary.yaml`, its rules with
//! file:line, the `/glossary/` page, the first use of a term on each content
//! page linked to its entry (never in headings, links or code), and the
//! entries in the search.

use crate::sitekit::{TestSite, assert_success, expect_diag, ohisama};
use std::collections::BTreeSet;

const GLOSSARY: &str = "data/glossary.yaml";

fn write_glossary(site: &TestSite, yaml: &str) {
    site.write(GLOSSARY, yaml);
}

#[test]
fn glossary_rules_point_at_the_line() {
    let site = TestSite::mini();
    write_glossary(
        &site,
        "\
- id: nppv
  term: NPPV
  reading: えぬぴーぴーぶい
  plain: マスクで呼吸を助けます。
  related: [/emergency/, /no-such-page/]
- id: nppv
  term: 受給者証
  reading: ジュキュウ
  plain: \"  \"
  aliases: [NPPV, 証]
",
    );
    let diags = site.check();
    expect_diag(&diags, GLOSSARY, 6, "用語 ID `nppv` が2回定義されています");
    expect_diag(&diags, GLOSSARY, 8, "よみ `ジュキュウ` はひらがなで");
    expect_diag(&diags, GLOSSARY, 9, "説明 (plain) が空です");
    let dup = expect_diag(&diags, GLOSSARY, 10, "用語 `NPPV` が2回書かれています");
    assert!(dup.hint.as_deref().unwrap().contains("2行目"), "{dup:?}");
    expect_diag(&diags, GLOSSARY, 10, "`証` が短すぎます");
    let related = expect_diag(
        &diags,
        GLOSSARY,
        5,
        "関係するページ /no-such-page/ はこのサイトにありません",
    );
    assert!(related.is_error());
    // `/emergency/` exists: one related error only.
    assert_eq!(
        diags
            .iter()
            .filter(|d| d.message.contains("関係するページ"))
            .count(),
        1
    );
}

#[test]
fn a_content_folder_named_glossary_collides_with_the_page() {
    let site = TestSite::mini();
    write_glossary(
        &site,
        "- id: aed\n  term: AED\n  reading: えーいーでぃー\n  plain: 電気ショックの機器です。\n",
    );
    site.write("content/glossary/index.md", "---\ntitle: 用語\n---\n本文\n");
    let diags = site.check();
    expect_diag(
        &diags,
        "content/glossary/index.md",
        1,
        "自動生成されるページと重なります",
    );
}

/// The `<a …>` tags of `html` with the text each one wraps (no nested tags expected).
fn term_links(html: &str) -> Vec<(String, String)> {
    html.match_indices("<a class=\"term\" href=\"")
        .map(|(at, m)| {
            let rest = &html[at + m.len()..];
            let href = rest[..rest.find('"').unwrap()].to_string();
            let text_start = rest.find('>').unwrap() + 1;
            let text =
                rest[text_start..text_start + rest[text_start..].find("</a>").unwrap()].to_string();
            (href, text)
        })
        .collect()
}

/// Whether any `class="term"` link sits inside a heading, another link or code.
fn term_inside_forbidden(html: &str) -> Option<String> {
    for (open, close) in [
        ("<h1", "</h1>"),
        ("<h2", "</h2>"),
        ("<h3", "</h3>"),
        ("<h4", "</h4>"),
        ("<code", "</code>"),
        ("<pre", "</pre>"),
    ] {
        for (at, _) in html.match_indices(open) {
            let end = html[at..].find(close).map_or(html.len(), |e| at + e);
            if html[at..end].contains("class=\"term\"") {
                return Some(html[at..end].to_string());
            }
        }
    }
    // A term link opened while another link is open.
    let mut depth = 0usize;
    let mut i = 0;
    while let Some(next) = html[i..].find('<') {
        let at = i + next;
        let tag = &html[at..];
        if tag.starts_with("<a ") || tag.starts_with("<a>") {
            if depth > 0 && tag.starts_with("<a class=\"term\"") {
                return Some(html[at.saturating_sub(200)..at + 40].to_string());
            }
            depth += 1;
        } else if tag.starts_with("</a>") {
            depth = depth.saturating_sub(1);
        }
        i = at + 1;
    }
    None
}

#[test]
fn the_sample_links_first_uses_to_existing_entries() {
    let site = TestSite::sample();
    let mut opts = site.options();
    opts.out = site.path("dist");
    ohisama::build::build(&opts).expect("build");
    let glossary = site.read("dist/glossary/index.html");
    let anchors: BTreeSet<String> = glossary
        .match_indices("class=\"glossary-entry\" id=\"")
        .map(|(at, m)| {
            let rest = &glossary[at + m.len()..];
            rest[..rest.find('"').unwrap()].to_string()
        })
        .collect();
    assert!(anchors.len() >= 60, "{} entries", anchors.len());
    assert!(glossary.contains("<dfn>NPPV</dfn>"));
    assert!(glossary.contains("<h2 id=\"row-1\">あ行</h2>"));
    let mut pages_with_links = 0;
    for entry in walkdir::WalkDir::new(site.path("dist")) {
        let entry = entry.unwrap();
        if entry.path().extension().is_none_or(|e| e != "html") {
            continue;
        }
        let html = std::fs::read_to_string(entry.path()).unwrap();
        let links = term_links(&html);
        if links.is_empty() {
            continue;
        }
        pages_with_links += 1;
        let mut seen = BTreeSet::new();
        for (href, text) in &links {
            let anchor = href.strip_prefix("/glossary/#").expect("a glossary link");
            assert!(
                anchors.contains(anchor),
                "{}: {href} has no entry",
                entry.path().display()
            );
            assert!(
                seen.insert(anchor.to_string()),
                "{}: {text} linked twice",
                entry.path().display()
            );
        }
        if let Some(bad) = term_inside_forbidden(&html) {
            panic!(
                "{}: term link in a heading, link or code: {bad}",
                entry.path().display()
            );
        }
    }
    assert!(
        pages_with_links >= 10,
        "{pages_with_links} pages link terms"
    );
    // The home-medical page links its first 訪問看護, and the longer 訪問看護指示書 is its
    // own entry; each term with kanji shows its reading (data/glossary.yaml) as ruby.
    let page = site.read("dist/services/home-medical/index.html");
    assert!(page.contains(r#"<a class="term" href="/glossary/#term-home-nursing"><ruby>訪問看護<rp>(</rp><rt>ほうもんかんご</rt><rp>)</rp></ruby></a>"#));
    assert!(page.contains(
        r#"<a class="term" href="/glossary/#term-nursing-instruction"><ruby>訪問看護指示書<rp>(</rp><rt>ほうもんかんごしじしょ</rt><rp>)</rp></ruby></a>"#
    ));
    // The ふりがな button comes with the generated ruby, as with written ruby.
    assert!(page.contains(r#"class="furigana-toggle" aria-pressed="true" hidden"#));
}

#[test]
fn terms_skip_headings_links_code_and_phone_numbers_and_respect_ascii_words() {
    let site = TestSite::mini();
    write_glossary(
        &site,
        "\
- id: aed
  term: AED
  reading: えーいーでぃー
  plain: 電気ショックの機器です。
- id: respite
  term: レスパイト
  reading: れすぱいと
  plain: 休むための支援です。
- id: dial
  term: 045-000
  reading: でんわ
  plain: 番号の一部。
",
    );
    site.write(
        "content/emergency/index.md",
        "---\ntitle: 緊急時対応マニュアル\nweight: 1\n---\n\
## AED とレスパイト\n\n\
[レスパイト](/contacts/) の AEDX と `AED` と 045-000-1234。\n\n\
```\nAED\n```\n\n\
AED を使います。AED は2回目。レスパイトも。\n",
    );
    let mut opts = site.options();
    opts.out = site.path("dist");
    ohisama::build::build(&opts).expect("build");
    let html = site.read("dist/emergency/index.html");
    let links = term_links(&html);
    assert_eq!(
        links,
        vec![
            ("/glossary/#term-aed".to_string(), "AED".to_string()),
            (
                "/glossary/#term-respite".to_string(),
                "レスパイト".to_string()
            ),
        ],
        "{html}"
    );
    assert!(
        html.contains(
            "<p><a class=\"term\" href=\"/glossary/#term-aed\">AED</a> を使います。AED は2回目。"
        ),
        "{html}"
    );
    assert!(term_inside_forbidden(&html).is_none());
}

#[test]
fn glossary_entries_are_searchable() {
    let site = TestSite::sample();
    let mut opts = site.options();
    opts.out = site.path("dist");
    opts.search = true;
    ohisama::build::build(&opts).expect("build");
    let out = ohisama()
        .args(["search", "--root"])
        .arg(site.root())
        .arg("レスパイトケア")
        .output()
        .expect("run search");
    assert_success(&out);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("/glossary/#term-respite"), "{text}");
}

#[test]
fn glossary_csv_round_trips_and_import_reports_rows() {
    let site = TestSite::sample();
    let before = site.read(GLOSSARY);
    let csv = site.path("glossary.csv");
    let out = ohisama()
        .args(["export", "glossary", "--root"])
        .arg(site.root())
        .arg("--out")
        .arg(&csv)
        .output()
        .expect("export");
    assert_success(&out);
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(
        text.starts_with("\u{feff}ID,用語,よみ,説明,別の書き方,関係するページ"),
        "{text}"
    );
    let import = |file: &std::path::Path| {
        ohisama()
            .args(["import", "glossary"])
            .arg(file)
            .arg("--root")
            .arg(site.root())
            .arg("--force")
            .output()
            .expect("import")
    };
    let out = import(&csv);
    assert_success(&out);
    assert_eq!(
        site.read(GLOSSARY),
        before,
        "export then import changes nothing"
    );
    // A row whose term another row has: refused at that row, nothing written.
    let broken = text.replacen(
        "medical-care-child,医療的ケア児,",
        "medical-care-child,医療的ケア,",
        1,
    );
    assert_ne!(broken, text);
    let bad = site.path("broken.csv");
    std::fs::write(&bad, broken).unwrap();
    let out = import(&bad);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("3行目") && err.contains("2回書かれています"),
        "{err}"
    );
    assert_eq!(
        site.read(GLOSSARY),
        before,
        "a refused import writes nothing"
    );
}
