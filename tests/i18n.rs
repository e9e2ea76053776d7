//! Languages (issue #18, items 1 and 2): `content/<path>.<code>.md` is the
//! translation of `content/<path>.md` at `/<code>/<path>/`, with the UI strings
//! of `data/i18n/<code>.yaml`; `hreflang` both ways, a language switcher, the
//! draft notice; the rules (unknown code, no Japanese page, `translation:`,
//! `follows:`, a stale translation, a kanji without ふりがな on an easy page)
//! at file:line; and in a browser every language page of the sample has its
//! `lang`, the hreflang set, a `tel:119` link and no axe violation.

use crate::common;
use crate::sitekit::{self, TestSite, TreeSnapshot, expect_diag};
use common::browser::{Browser, ServerGuard, serve_dir};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

struct Built {
    out: PathBuf,
    base: String,
    _server: ServerGuard,
}

/// The sample site built once (no PDFs, no search) and served.
fn sample() -> &'static Built {
    static B: OnceLock<Built> = OnceLock::new();
    B.get_or_init(|| {
        let root = common::scratch_dir("i18n-site");
        for sub in ["content", "data", "themes"] {
            sitekit::copy_dir(&sitekit::repo_root().join(sub), &root.join(sub));
        }
        let mut o = ohisama::config::BuildOptions::new(&root);
        o.out = root.join("dist");
        o.pdf = false;
        o.search = false;
        ohisama::build::build(&o).unwrap_or_else(|e| panic!("{}", e.diagnostics().render_text()));
        let (base, server) = serve_dir(&o.out);
        Built {
            out: o.out,
            base,
            _server: server,
        }
    })
}

fn read_out(rel: &str) -> String {
    std::fs::read_to_string(sample().out.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Every translation of the sample: (code, Japanese URL path, translated URL path).
fn translations() -> Vec<(String, String, String)> {
    let content = sitekit::repo_root().join("content");
    let mut out = Vec::new();
    for e in walk(&content) {
        let rel = e
            .strip_prefix(&content)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let Some(stem) = rel.strip_suffix(".md") else {
            continue;
        };
        let Some((name, code)) = stem.rsplit_once('.') else {
            continue;
        };
        let original = if name == "index" {
            "/".to_string()
        } else if let Some(dir) = name.strip_suffix("/index") {
            format!("/{dir}/")
        } else {
            format!("/{name}/")
        };
        out.push((
            code.to_string(),
            original.clone(),
            format!("/{code}{original}"),
        ));
    }
    out.sort();
    out
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

fn html_of(url_path: &str) -> String {
    read_out(&format!("{}index.html", url_path.trim_start_matches('/')))
}

/// `lang` of the language's yaml (`html_lang:` line).
fn html_lang(code: &str) -> String {
    let yaml = std::fs::read_to_string(sitekit::repo_root().join(format!("data/i18n/{code}.yaml")))
        .unwrap();
    yaml.lines()
        .find_map(|l| l.strip_prefix("html_lang: "))
        .unwrap()
        .trim()
        .to_string()
}

#[test]
fn the_sample_has_english_and_easy_japanese_emergency_pages() {
    let t = translations();
    for code in ["en", "easy"] {
        for page in [
            "/emergency/",
            "/emergency/call-119/",
            "/emergency/cpr/",
            "/emergency/disaster/",
        ] {
            assert!(
                t.iter().any(|(c, o, _)| c == code && o == page),
                "{code} translation of {page}"
            );
        }
    }
}

#[test]
fn translations_have_their_lang_hreflang_both_ways_and_the_switcher() {
    for (code, original, path) in translations() {
        let html = html_of(&path);
        let lang = html_lang(&code);
        assert!(
            html.contains(&format!("<html lang=\"{lang}\">")),
            "{path}: <html lang=\"{lang}\">"
        );
        let ja = html_of(&original);
        assert!(
            ja.starts_with("<!DOCTYPE html>\n<html lang=\"ja\">"),
            "{original}"
        );
        let own = format!("https://ohisama.example.jp{path}");
        let japanese = format!("https://ohisama.example.jp{original}");
        let default = format!(r#"<link rel="alternate" hreflang="x-default" href="{japanese}">"#);
        for page in [&html, &ja] {
            assert!(page.contains(&default), "{path}/{original}: x-default");
            assert!(
                page.contains(&format!(
                    r#"<link rel="alternate" hreflang="ja" href="{japanese}">"#
                )),
                "{path}/{original}: hreflang ja"
            );
            if code == "easy" {
                // やさしい日本語 is `ja` too: no second hreflang="ja", but in the switcher.
                assert!(
                    !page.contains(&format!(r#"hreflang="ja" href="{own}""#)),
                    "{own} not an alternate"
                );
                assert_eq!(page.matches(r#"hreflang="ja" href="#).count(), 1);
            } else {
                assert!(
                    page.contains(&format!(
                        r#"<link rel="alternate" hreflang="{lang}" href="{own}">"#
                    )),
                    "{path}/{original}: hreflang {lang} both ways"
                );
            }
            assert!(
                page.contains(&format!(r#"<a href="{path}" lang="{lang}""#)),
                "{path}/{original}: the switcher links {path} in its own language"
            );
        }
        assert!(
            html.contains(r#"aria-current="page">"#)
                && html.contains(r#"<nav class="lang-switch""#),
            "{path}: the switcher marks the current language"
        );
        assert!(html.contains(r#"href="tel:119""#), "{path}: tel:119");
        assert!(
            html.contains("translation-notice translation-draft"),
            "{path}: a draft says so"
        );
    }
}

#[test]
fn english_page_speaks_english_and_keeps_the_japanese_to_read_out() {
    let html = html_of("/en/emergency/call-119/");
    for s in [
        "Skip to main content",
        "This translation is a draft",
        r#"hreflang="ja">Japanese page (日本語)</a>"#,
        "Medical review of the Japanese page: 県立こども医療センター(サンプル) (November 20, 2026)",
        "Translated from the Japanese page as of November 29, 2026.",
        // The sentence to read out is marked Japanese (a screen reader switches voice), with its reading.
        "<span lang=\"ja\">「救急です」</span> <em>Kyūkyū desu.</em>",
        r#"href="tel:%237119""#,
        r#"href="tel:%238000""#,
        r#"<a href="/en/emergency/">Emergency manual</a>"#,
    ] {
        assert!(html.contains(s), "/en/emergency/call-119/ has {s:?}");
    }
    // The Japanese menu is marked Japanese (inside a disclosure: it opens on demand); the Japanese search is not offered.
    assert!(html.contains(r#"<ul lang="ja">"#));
    assert!(!html.contains(r#"role="search""#));
    // The glossary explains Japanese words in Japanese: no links on other languages' pages.
    assert!(!html.contains("class=\"term\""));
}

#[test]
fn translations_are_in_the_sitemap_and_listed_with_their_own_language() {
    let sitemap = read_out("sitemap.xml");
    for (_, _, path) in translations() {
        assert!(
            sitemap.contains(&format!("https://ohisama.example.jp{path}<")),
            "{path}"
        );
    }
    let index = html_of("/en/emergency/");
    assert!(index.contains(r#"href="/en/emergency/cpr/""#));
    assert!(
        !index.contains(r#"<a href="/emergency/cpr/">"#),
        "only English children"
    );
    let ja_index = html_of("/emergency/");
    assert!(
        !ja_index.contains(r#"<a href="/en/emergency/cpr/">"#),
        "only Japanese children"
    );
}

fn site_with_english() -> TestSite {
    let site = TestSite::mini();
    let en = std::fs::read_to_string(sitekit::repo_root().join("data/i18n/en.yaml")).unwrap();
    site.write("data/i18n/en.yaml", &en);
    site.write(
        "content/emergency/index.en.md",
        "---\ntitle: Emergency\ntranslation: draft\nfollows: 2026-11-29\n---\nCall 119.\n",
    );
    site
}

#[test]
fn a_good_translation_gives_no_diagnostic() {
    let site = site_with_english();
    let diags = site.check();
    assert!(
        !diags.iter().any(|d| d.file.contains(".en.")),
        "{}",
        diags.render_text()
    );
}

#[test]
fn unknown_language_and_missing_japanese_page_are_errors_and_nothing_is_written() {
    let site = site_with_english();
    site.write(
        "content/emergency/index.xx.md",
        "---\ntitle: X\ntranslation: draft\nfollows: 2026-11-29\n---\nx\n",
    );
    site.write(
        "content/emergency/nowhere.en.md",
        "---\ntitle: Nowhere\ntranslation: draft\nfollows: 2026-11-29\n---\nx\n",
    );
    site.write("content/emergency/index.ja.md", "---\ntitle: X\n---\nx\n");
    let diags = site.check();
    assert!(
        expect_diag(
            &diags,
            "content/emergency/index.ja.md",
            1,
            ".ja は使えません"
        )
        .is_error()
    );
    let d = expect_diag(
        &diags,
        "content/emergency/index.xx.md",
        1,
        "data/i18n/xx.yaml がありません",
    );
    assert!(d.is_error());
    assert!(
        d.hint.as_deref().unwrap().contains("en"),
        "the known codes as hint"
    );
    let d = expect_diag(
        &diags,
        "content/emergency/nowhere.en.md",
        1,
        "日本語のページ (/emergency/nowhere/) がありません",
    );
    assert!(d.is_error());
    // A build with errors leaves the site folder untouched.
    let before = TreeSnapshot::of(site.root());
    let mut o = site.options();
    o.out = site.path("dist");
    assert!(ohisama::build::build(&o).is_err());
    before.assert_same(&TreeSnapshot::of(site.root()), "a refused build");
}

#[test]
fn translation_front_matter_rules_at_their_lines() {
    let site = site_with_english();
    site.write(
        "content/emergency/index.en.md",
        "---\ntitle: Emergency\ntranslation: checked\nfollows: 2026-13-01\nreviewed_by: Dr X\n---\nx\n",
    );
    site.edit(
        "content/emergency/index.md",
        "---\n",
        "---\nfollows: 2026-11-29\n",
    );
    let diags = site.check();
    let f = "content/emergency/index.en.md";
    assert!(expect_diag(&diags, f, 3, "draft か reviewed").is_error());
    assert!(expect_diag(&diags, f, 4, "follows").is_error());
    assert!(expect_diag(&diags, f, 1, "監修").is_error());
    assert!(
        expect_diag(
            &diags,
            "content/emergency/index.md",
            2,
            "翻訳のページにだけ"
        )
        .is_error()
    );
    site.write(
        "content/emergency/index.en.md",
        "---\ntitle: Emergency\n---\nx\n",
    );
    let diags = site.check();
    expect_diag(&diags, f, 1, "translation (draft か reviewed) がありません");
    expect_diag(
        &diags,
        f,
        1,
        "follows (訳した日本語の版の日付) がありません",
    );
}

#[test]
fn a_translation_older_than_its_japanese_page_is_a_warning_at_follows() {
    let site = site_with_english();
    // The Japanese page was updated after the text the translation follows.
    let ja = site.read("content/emergency/index.md");
    let ja = if ja.contains("updated:") {
        let re: Vec<&str> = ja.lines().collect();
        re.iter()
            .map(|l| {
                if l.starts_with("updated:") {
                    "updated: 2026-12-01"
                } else {
                    l
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
    } else {
        ja.replacen("---\n", "---\nupdated: 2026-12-01\n", 1)
    };
    site.write("content/emergency/index.md", &ja);
    let diags = site.check();
    let d = expect_diag(
        &diags,
        "content/emergency/index.en.md",
        4,
        "2026-12-01 に更新されています",
    );
    assert!(!d.is_error());
    assert!(d.message.contains("2026-11-29 の版"), "{}", d.message);
    // Following the new text clears it.
    site.edit(
        "content/emergency/index.en.md",
        "follows: 2026-11-29",
        "follows: 2026-12-01",
    );
    assert!(
        !site
            .check()
            .iter()
            .any(|d| d.message.contains("更新されています"))
    );
}

#[test]
fn easy_japanese_kanji_without_ruby_is_one_warning_listing_the_lines() {
    let site = TestSite::mini();
    let easy = std::fs::read_to_string(sitekit::repo_root().join("data/i18n/easy.yaml")).unwrap();
    site.write("data/i18n/easy.yaml", &easy);
    site.write(
        "content/emergency/index.easy.md",
        "---\ntitle: きんきゅう\ntranslation: draft\nfollows: 2026-11-29\n---\n{救急車|きゅうきゅうしゃ}を よびます。\n\n119に 電話します。\n\n{病院|びょういん}へ 行きます。\n",
    );
    let diags = site.check();
    let d = expect_diag(
        &diags,
        "content/emergency/index.easy.md",
        8,
        "ふりがなのない漢字",
    );
    assert!(!d.is_error(), "a warning: an urgent fix is never blocked");
    assert!(
        d.message.contains("8行目 電話") && d.message.contains("10行目 行"),
        "{}",
        d.message
    );
    assert!(
        !d.message.contains("救") && !d.message.contains("病"),
        "ruby bases are fine"
    );
    assert_eq!(
        diags
            .iter()
            .filter(|d| d.message.contains("ふりがなのない漢字"))
            .count(),
        1
    );
}

#[test]
fn the_sample_translations_have_no_warning() {
    let site = TestSite::sample();
    let diags = site.check();
    let ours: Vec<_> = diags
        .iter()
        .filter(|d| d.file.starts_with("data/i18n/") || translations_files().contains(&d.file))
        .collect();
    assert!(ours.is_empty(), "{}", diags.render_text());
}

fn translations_files() -> Vec<String> {
    let content = sitekit::repo_root().join("content");
    walk(&content)
        .into_iter()
        .map(|p| {
            format!(
                "content/{}",
                p.strip_prefix(&content).unwrap().to_string_lossy()
            )
        })
        .filter(|f| f.matches('.').count() >= 2)
        .collect()
}

#[test]
fn a_hash_in_an_unquoted_value_is_a_warning() {
    let site = site_with_english();
    site.write(
        "content/emergency/index.en.md",
        "---\ntitle: Emergency\ndescription: Call 119, #7119 or #8000\ntranslation: draft\nfollows: 2026-11-29\n---\nx\n",
    );
    let diags = site.check();
    let d = expect_diag(&diags, "content/emergency/index.en.md", 3, "コメント");
    assert!(d.hint.as_deref().unwrap().contains('"'));
}

#[test]
fn every_language_page_in_a_browser_has_lang_hreflang_tel_119_and_no_axe_violation() {
    let Some(browser) = Browser::shared() else {
        return;
    };
    let page = browser.new_page();
    let axe = sitekit::repo_root().join("tests/vendor/axe.min.js");
    let mut failures = Vec::new();
    let mut pages: Vec<(String, bool, String)> = translations()
        .into_iter()
        .map(|(code, _, path)| (code, true, path))
        .collect();
    assert!(!pages.is_empty());
    // Each language's emergency sheet (no hreflang: it is a generated page of its own).
    for e in std::fs::read_dir(sitekit::repo_root().join("data/i18n"))
        .unwrap()
        .flatten()
    {
        let name = e.file_name().to_string_lossy().into_owned();
        if let Some(code) = name.strip_suffix(".yaml").filter(|c| *c != "ja") {
            pages.push((code.to_string(), false, format!("/{code}/emergency/sheet/")));
        }
    }
    for (code, translated, path) in &pages {
        page.set_viewport(375, 800);
        page.open(&format!("{}{path}", sample().base));
        let facts = page.eval_json(
            "[document.documentElement.lang, \
              [...document.querySelectorAll('link[rel=alternate][hreflang]')].map(l => l.hreflang).join(' '), \
              !!document.querySelector(\"main a[href='tel:119']\")]",
        );
        let lang = html_lang(code);
        if facts[0] != lang.as_str() {
            failures.push(format!("{path}: lang {} (want {lang})", facts[0]));
        }
        let hreflangs = facts[1].as_str().unwrap_or("");
        if *translated && !(hreflangs.contains("ja") && hreflangs.contains("x-default")) {
            failures.push(format!("{path}: hreflang set {hreflangs:?}"));
        }
        if facts[2] != true {
            failures.push(format!("{path}: no tel:119 link"));
        }
        if page.eval_json("typeof window.axe") != "object" {
            page.inject_script(&axe);
        }
        let v = page.eval_json(
            "axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a','wcag2aa','wcag21a','wcag21aa'] }, resultTypes: ['violations'] }) \
               .then(r => r.violations.map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')))",
        );
        for line in v.as_array().unwrap() {
            failures.push(format!("{path}: {line}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn each_language_has_its_emergency_sheet_with_the_japanese_labels_and_storage() {
    let ja = read_out("emergency/sheet/index.html");
    let key = r#"data-storage-key="ohisama:/:emergency-sheet""#;
    assert!(ja.contains(key));
    let names = |html: &str| -> Vec<String> {
        html.match_indices(" name=\"")
            .map(|(i, _)| html[i + 7..].split('"').next().unwrap().to_string())
            .filter(|n| n != "q" && n != "description")
            .collect()
    };
    let en = read_out("en/emergency/sheet/index.html");
    assert!(en.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    assert!(
        en.contains(key),
        "the same storage: filled in once, printed in either language"
    );
    assert_eq!(names(&en), names(&ja), "the same fields in the same order");
    for s in [
        r#"<label for="s-name">Name <span lang="ja">/ 名前</span></label>"#,
        r#"<legend>Your child <span lang="ja">/ お子さん</span></legend>"#,
        r#"data-msg-cleared="Erased what you had filled in.""#,
        r#"href="tel:119""#,
        r#"aria-label="Call Ambulance, 119""#,
        r#"<a class="more-link" href="/en/emergency/">Back to the emergency manual</a>"#,
    ] {
        assert!(en.contains(s), "/en/emergency/sheet/ has {s:?}");
    }
    // やさしい日本語 is Japanese: its labels alone.
    let easy = read_out("easy/emergency/sheet/index.html");
    assert!(easy.contains(r#"<label for="s-name">なまえ</label>"#));
    assert_eq!(names(&easy), names(&ja));
}

#[test]
fn a_missing_or_unknown_key_in_a_language_file_is_an_error() {
    let site = site_with_english();
    site.edit(
        "data/i18n/en.yaml",
        "  skip_link: Skip to main content\n",
        "",
    );
    site.edit(
        "data/i18n/en.yaml",
        "  home: Home (Japanese)\n",
        "  hmoe: Home (Japanese)\n",
    );
    let diags = site.check();
    let errors: Vec<_> = diags
        .iter()
        .filter(|d| d.file == "data/i18n/en.yaml" && d.is_error())
        .collect();
    assert!(
        errors.iter().any(|d| d.message.contains("hmoe")),
        "{}",
        diags.render_text()
    );
    let missing = site_with_english();
    missing.edit(
        "data/i18n/en.yaml",
        "  skip_link: Skip to main content\n",
        "",
    );
    let diags = missing.check();
    let d = expect_diag(&diags, "data/i18n/en.yaml", 24, "`skip_link` がありません");
    assert!(d.is_error());
    // The broken file is one error, not one more per translation.
    assert!(
        !diags.iter().any(|d| d.file.ends_with(".en.md")),
        "{}",
        diags.render_text()
    );
    // Nothing is built from a language file that does not parse.
    assert!(ohisama::build::check(&site.options()).is_err());
}

#[test]
fn markup_in_a_language_file_is_shown_as_text() {
    let site = site_with_english();
    site.edit(
        "data/i18n/en.yaml",
        "  skip_link: Skip to main content\n",
        "  skip_link: \"<script>alert(1)</script>\"\n",
    );
    let mut o = site.options();
    o.out = site.path("dist");
    ohisama::build::build(&o).unwrap_or_else(|e| panic!("{}", e.diagnostics().render_text()));
    let html = site.read("dist/en/emergency/index.html");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!html.contains("<script>alert(1)"));
}
