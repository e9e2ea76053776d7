//! The wards (区) of the designated cities (issue #15): every ward of
//! municipalities.yaml is on its city's page with an anchor and a tel: link,
//! two taps from the city page; ward names are found by the search; the
//! city's PDF section has them; each rule reports its line.

use crate::sitekit;
use sitekit::{TestSite, expect_diag, ohisama};

/// (city slug, [(ward slug, ward name)]) of every city with wards.
fn cities_with_wards(site: &TestSite) -> Vec<(String, Vec<(String, String)>)> {
    let loaded = ohisama::load::load_data(site.root());
    let (_, list) = loaded.raw.municipalities.expect("municipalities.yaml");
    list.iter()
        .filter(|m| !m.value.wards.is_empty())
        .map(|m| {
            let wards = m
                .value
                .wards
                .iter()
                .map(|w| (w.value.slug.value.clone(), w.value.name.value.clone()));
            (m.value.slug.value.clone(), wards.collect())
        })
        .collect()
}

/// The element that starts at `id="…"` up to its `</section>`.
fn section<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!(r#"id="{id}""#))
        .unwrap_or_else(|| panic!("no id={id}"));
    let end = html[start..]
        .find("</section>")
        .map_or(html.len(), |e| start + e);
    &html[start..end]
}

#[test]
fn every_ward_is_two_taps_from_its_city_page() {
    let site = TestSite::sample();
    let out = site.path("dist");
    let mut o = site.options();
    o.out = out.clone();
    o.search = true;
    ohisama::build::build(&o)
        .unwrap_or_else(|e| panic!("build failed:\n{}", e.diagnostics().render_text()));
    let cities = cities_with_wards(&site);
    let total: usize = cities.iter().map(|(_, w)| w.len()).sum();
    assert_eq!(total, 28, "横浜市 18 + 川崎市 7 + 相模原市 3");
    for (city, wards) in &cities {
        let html = std::fs::read_to_string(out.join(format!("contacts/{city}/index.html")))
            .expect("city page");
        let index = html
            .split(r#"<nav class="ward-index""#)
            .nth(1)
            .and_then(|rest| rest.split("</nav>").next())
            .expect("the ward index");
        for (slug, name) in wards {
            // Tap 1: the ward's chip in the index near the top of the page …
            let chip = format!(r##"<a href="#ward-{slug}">{name}</a>"##);
            assert!(index.contains(&chip), "{city}: no chip {chip}");
            // … tap 2: the ward's section it jumps to has the ward's numbers.
            let block = section(&html, &format!("ward-{slug}"));
            assert!(block.contains(name.as_str()), "{city}/{slug}: heading");
            assert!(
                block.contains(r#"class="tel" href="tel:"#),
                "{city}/{slug}: no tel: link"
            );
        }
    }
    // 港北区: the chip is above the city's own windows, the number in its section.
    let yokohama = std::fs::read_to_string(out.join("contacts/yokohama/index.html")).unwrap();
    let chip = yokohama.find(r##"href="#ward-kohoku""##).unwrap();
    assert!(chip < yokohama.find(r#"<ul class="windows">"#).unwrap());
    assert!(section(&yokohama, "ward-kohoku").contains("港北区福祉保健センター"));
    // 川崎市川崎区 shares its city's slug: its own anchor all the same.
    let kawasaki = std::fs::read_to_string(out.join("contacts/kawasaki/index.html")).unwrap();
    assert!(section(&kawasaki, "ward-kawasaki").contains("川崎区役所"));
    // The region page links every ward of its cities.
    let seirei = std::fs::read_to_string(out.join("regions/seirei/index.html")).unwrap();
    assert!(seirei.contains(r#"href="/contacts/yokohama/#ward-kohoku">港北区</a>"#));

    // The search finds a ward by its name and its reading, and its windows.
    for (query, url) in [
        ("港北区", "/contacts/yokohama/#ward-kohoku"),
        ("こうほく", "/contacts/yokohama/#ward-kohoku"),
        ("麻生区 地域支援課", "/contacts/kawasaki/#w-"),
    ] {
        let found = ohisama()
            .args(["search", "--limit", "3", "--root"])
            .arg(site.root())
            .arg(query)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&found.stdout);
        assert!(text.contains(url), "{query}: {text}");
    }
}

#[test]
fn the_city_pdf_section_lists_every_ward() {
    let site = TestSite::sample();
    let out = site.path("dist");
    let mut o = site.options();
    o.out = out.clone();
    o.pdf = true;
    ohisama::build::build(&o)
        .unwrap_or_else(|e| panic!("build failed:\n{}", e.diagnostics().render_text()));
    if std::process::Command::new("pdftotext")
        .arg("-v")
        .output()
        .is_err()
    {
        assert!(
            std::env::var_os("CI").is_none(),
            "pdftotext is required in CI"
        );
        eprintln!("\n!!!!! SKIPPED: pdftotext not found !!!!!\n");
        return;
    }
    let pdf = walkdir::WalkDir::new(&out)
        .into_iter()
        .filter_map(|e| e.ok())
        .find(|e| e.file_name() == "contacts-seirei.pdf")
        .expect("contacts-seirei.pdf");
    let text = std::process::Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(pdf.path())
        .arg("-")
        .output()
        .unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    for (_, wards) in cities_with_wards(&site) {
        for (_, name) in wards {
            assert!(
                text.contains(name.as_str()),
                "{name} not in contacts-seirei.pdf"
            );
        }
    }
    assert!(text.contains("045-000-5081"), "港北区's number");
}

// ---------------------------------------------------------------- rules

/// The mini site with two wards under 横浜市 (lines 5-7 of municipalities.yaml)
/// and a window of each in yokohama.yaml (港北区 by its name).
fn mini_with_wards() -> TestSite {
    let site = TestSite::mini();
    site.edit(
        "data/municipalities.yaml",
        "  slug: yokohama\n",
        "  slug: yokohama\n  wards:\n    - {code: \"141097\", name: 港北区, kana: こうほくく, slug: kohoku}\n    - {code: \"141135\", name: 緑区, kana: みどりく, slug: midori}\n",
    );
    let text = site.read("data/contacts/yokohama.yaml");
    site.write(
        "data/contacts/yokohama.yaml",
        &format!(
            "{}  - name: 港北区福祉保健センター\n    field: sodan\n    tel: 045-000-0101\n    tel_kind: direct\n    ward: 港北区\n  - name: 緑区福祉保健センター\n    field: sodan\n    tel: 045-000-0102\n    tel_kind: direct\n    ward: midori\n",
            text.trim_end_matches('\n').to_string() + "\n"
        ),
    );
    site
}

#[test]
fn wards_by_slug_or_name_are_clean() {
    let d = mini_with_wards().check();
    assert!(!d.has_errors(), "{}", d.render_text());
    assert_eq!(d.warning_count(), 0, "{}", d.render_text());
}

#[test]
fn a_ward_that_is_not_of_the_city() {
    let site = mini_with_wards();
    site.edit("data/contacts/yokohama.yaml", "ward: midori", "ward: midoi");
    site.edit(
        "data/contacts/chigasaki.yaml",
        "    tel_kind: direct\n",
        "    tel_kind: direct\n    ward: kohoku\n",
    );
    let d = site.check();
    let lines = site.read("data/contacts/yokohama.yaml");
    let line = lines
        .lines()
        .position(|l| l.contains("ward: midoi"))
        .unwrap() as u32
        + 1;
    let e = expect_diag(
        &d,
        "data/contacts/yokohama.yaml",
        line,
        "区 `midoi` はこの市の区ではありません",
    );
    assert!(
        e.hint.as_deref().unwrap_or("").contains("midori"),
        "{}",
        d.render_text()
    );
    // midori has no window now: a warning on the file.
    expect_diag(
        &d,
        "data/contacts/yokohama.yaml",
        1,
        "区「緑区」の窓口がありません",
    );
    let e = expect_diag(
        &d,
        "data/contacts/chigasaki.yaml",
        8,
        "区 `kohoku` はこの市の区ではありません",
    );
    assert!(
        e.hint
            .as_deref()
            .unwrap_or("")
            .contains("wards: (区) がありません")
    );
}

#[test]
fn ward_codes_slugs_and_names_are_checked() {
    let site = mini_with_wards();
    site.edit(
        "data/municipalities.yaml",
        "\"141135\", name: 緑区",
        "\"141136\", name: 港北区",
    );
    site.edit("data/municipalities.yaml", "slug: midori}", "slug: kohoku}");
    let d = site.check();
    expect_diag(
        &d,
        "data/municipalities.yaml",
        7,
        "区コード `141136` が正しくありません",
    );
    expect_diag(
        &d,
        "data/municipalities.yaml",
        7,
        "区名 `港北区` が2回定義されています",
    );
    expect_diag(
        &d,
        "data/municipalities.yaml",
        7,
        "区スラッグ `kohoku` が2回定義されています",
    );
    // A ward code equal to a city's.
    let site = mini_with_wards();
    site.edit(
        "data/municipalities.yaml",
        "\"141135\", name: 緑区",
        "\"141305\", name: 緑区",
    );
    let d = site.check();
    expect_diag(
        &d,
        "data/municipalities.yaml",
        7,
        "コード `141305` が2回使われています",
    );
}

#[test]
fn contacts_csv_keeps_ward_windows_and_imports_without_the_ward_column() {
    use ohisama::tools::csv_io::{self, DataKind, ImportOptions};
    let site = TestSite::sample();
    let yaml = site.read("data/contacts/yokohama.yaml");
    let csv = csv_io::export(DataKind::Contacts, site.root()).expect("export");
    let text = String::from_utf8(csv.clone()).unwrap();
    assert!(
        text.contains("備考,URL,受付時間,祝日・年末年始,所在地,FAX,窓口の種類,区,確認日\r\n"),
        "header"
    );
    assert!(
        text.contains(",kohoku,2025-04-01\r\n"),
        "a ward window's row"
    );
    let path = site.path("contacts.csv");
    std::fs::write(&path, &csv).unwrap();
    let opts = ImportOptions {
        root: site.root().to_path_buf(),
        csv: path.clone(),
        force: true,
    };
    csv_io::import(DataKind::Contacts, &opts).expect("import");
    assert_eq!(
        site.read("data/contacts/yokohama.yaml"),
        yaml,
        "ward windows kept"
    );
    // An editor's CSV from before the 区 column: still imports (city windows).
    let old = "\u{feff}市町村,名称,分野,各種相談,内容,電話,直通/代表,備考,URL,確認日\r\n茅ヶ崎市,福祉課,障害福祉,,,0467-00-0001,直通,,,2025-04-01\r\n";
    std::fs::write(&path, old).unwrap();
    csv_io::import(DataKind::Contacts, &opts).expect("a CSV without 区 imports");
    assert!(
        site.read("data/contacts/chigasaki.yaml")
            .contains("name: 福祉課")
    );
}

// ---------------------------------------------------------------- window facts

#[test]
fn window_facts_are_shown_and_fax_is_no_link() {
    let site = TestSite::sample();
    let out = site.path("dist");
    let mut o = site.options();
    o.out = out.clone();
    ohisama::build::build(&o)
        .unwrap_or_else(|e| panic!("build failed:\n{}", e.diagnostics().render_text()));
    let html = std::fs::read_to_string(out.join("contacts/chigasaki/index.html")).unwrap();
    let first = section_li(&html, "w-1");
    assert!(first.contains(r#"<p class="hours">受付 月〜金 8:30〜17:15<span class="holidays">(祝日・年末年始(12月29日〜1月3日)は休み)</span></p>"#), "{first}");
    assert!(first.contains("<dt>所在地</dt><dd>茅ヶ崎市〇〇1-1-1 市役所本庁舎1階</dd>"));
    assert!(first.contains(r#"<dd class="fax">0467-00-1884</dd>"#));
    assert!(
        !html.contains("tel:+81467001884"),
        "FAX is never a tel: link"
    );
    assert!(first.contains(r#"<span class="channels">電話・来所</span>"#));
    // The phone button stays alone on its line: the hours come after it, in their own paragraph.
    let tel = first.find(r#"class="tel""#).unwrap();
    assert!(tel < first.find(r#"class="hours""#).unwrap());
}

fn section_li<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html.find(&format!(r#"id="{id}""#)).expect("window");
    let end = html[start..]
        .find("</li>")
        .map_or(html.len(), |e| start + e);
    &html[start..end]
}

#[test]
fn window_fact_rules_report_their_lines() {
    let site = TestSite::mini();
    site.edit(
        "data/contacts/chigasaki.yaml",
        "    tel_kind: direct\n",
        "    tel_kind: direct\n    hours: 金〜月 9:00〜12:00\n    fax: 0467-00-00\n    channels: [電話, ファクス]\n",
    );
    site.edit(
        "data/contacts/yokohama.yaml",
        "    url: https://example.jp/yokohama\n",
        "    url: https://example.jp/yokohama\n    hours: 月〜金 17:00〜8:45\n",
    );
    let d = site.check();
    let f = "data/contacts/chigasaki.yaml";
    expect_diag(
        &d,
        f,
        8,
        "受付時間 `金〜月 9:00〜12:00` が読めません: 「金〜月」は曜日として読めません",
    );
    expect_diag(&d, f, 9, "電話番号 `0467-00-00` の形が正しくありません");
    let e = expect_diag(&d, f, 10, "窓口の種類 `ファクス` は使えません");
    assert!(e.expected.as_deref().unwrap_or("").contains("オンライン"));
    expect_diag(
        &d,
        "data/contacts/yokohama.yaml",
        11,
        "終わりが始まりより前です",
    );
}
