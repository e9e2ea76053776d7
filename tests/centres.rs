//! The support centres (data/centres.yaml, issue #15): every municipality
//! page shows the centres that serve it with a tel: link, the region pages and
//! /contacts/ list them, the PDFs print them in each municipality's section,
//! the search finds them; and each rule of the file reports its line.

use crate::sitekit;
use sitekit::{TestSite, expect_diag, ohisama};
use std::path::Path;
use std::process::Command;

/// The sample site built once (pages, PDFs, search index) into `out`.
fn build_sample(site: &TestSite, out: &Path) {
    let mut o = site.options();
    o.out = out.to_path_buf();
    o.pdf = true;
    o.search = true;
    ohisama::build::build(&o)
        .unwrap_or_else(|e| panic!("build failed:\n{}", e.diagnostics().render_text()));
}

/// The `<section class="centres">` of a page, or "" when it has none.
fn centre_section(html: &str) -> &str {
    let Some(start) = html.find(r#"<section class="centres""#) else {
        return "";
    };
    let end = html[start..]
        .find("</section>")
        .map_or(html.len(), |e| start + e);
    &html[start..end]
}

fn municipality_slugs(site: &TestSite) -> Vec<(String, String)> {
    let loaded = ohisama::load::load_data(site.root());
    let (_, list) = loaded.raw.municipalities.expect("municipalities.yaml");
    list.iter()
        .map(|m| (m.value.slug.value.clone(), m.value.name.value.clone()))
        .collect()
}

#[test]
fn sample_pages_pdfs_and_search_show_the_centres() {
    let site = TestSite::sample();
    let out = site.path("dist");
    build_sample(&site, &out);

    // Every municipality page (all of municipalities.yaml, no fixed list) has
    // a centre with a tel: link.
    let slugs = municipality_slugs(&site);
    assert!(slugs.len() >= 33);
    for (slug, name) in &slugs {
        let html = std::fs::read_to_string(out.join(format!("contacts/{slug}/index.html")))
            .expect("municipality page");
        let section = centre_section(&html);
        assert!(
            section.contains(r#"class="centre""#) && section.contains(r#"href="tel:"#),
            "{name} ({slug}) shows no centre with a tel: link"
        );
    }

    // 茅ヶ崎市: the 湘南東部 window (moved out of samukawa.yaml) comes first,
    // above the municipality's own windows, then the prefecture's centre.
    let html = std::fs::read_to_string(out.join("contacts/chigasaki/index.html")).unwrap();
    let east = html
        .find("湘南東部地域相談窓口")
        .expect("湘南東部 on 茅ヶ崎市");
    let pref = html
        .find(r#"id="centre-kanagawa-center""#)
        .expect("the prefecture's centre on 茅ヶ崎市");
    let windows = html.find(r#"<ul class="windows">"#).expect("windows");
    assert!(east < pref && pref < windows, "order on 茅ヶ崎市");
    assert!(html.contains(r#"href="tel:+81467003366""#));
    // 寒川町 no longer lists it among its own windows (shown once, as a centre).
    let samukawa = std::fs::read_to_string(out.join("contacts/samukawa/index.html")).unwrap();
    assert_eq!(
        samukawa
            .matches(">かながわ医療的ケア児支援センター 湘南東部地域相談窓口<")
            .count(),
        1
    );

    // The region page and /contacts/ list the centres with their anchors.
    let region = std::fs::read_to_string(out.join("regions/shonan-east/index.html")).unwrap();
    assert!(centre_section(&region).contains("centre-shonan-east-madoguchi"));
    assert!(!centre_section(&region).contains("centre-kensei-madoguchi"));
    let index = std::fs::read_to_string(out.join("contacts/index.html")).unwrap();
    for id in [
        "kanagawa-center",
        "shonan-east-madoguchi",
        "kensei-madoguchi",
    ] {
        assert!(
            centre_section(&index).contains(&format!(r#"id="centre-{id}""#)),
            "{id} not on /contacts/"
        );
    }

    pdf_has_the_centre_on_chigasaki_page(&out);

    // The search finds a centre by its name and by the place it serves.
    for query in ["湘南東部地域相談窓口", "茅ヶ崎 支援センター"] {
        let found = ohisama()
            .args(["search", "--limit", "5", "--root"])
            .arg(site.root())
            .arg(query)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&found.stdout);
        assert!(
            text.contains("/contacts/#centre-shonan-east-madoguchi"),
            "{query}: {text}"
        );
    }
}

/// contacts-shonan-east.pdf prints the centre's number on 茅ヶ崎市's page,
/// so a page torn out keeps it.
fn pdf_has_the_centre_on_chigasaki_page(out: &Path) {
    if Command::new("pdftotext").arg("-v").output().is_err() {
        assert!(
            std::env::var_os("CI").is_none(),
            "pdftotext (poppler-utils) is required in CI"
        );
        eprintln!("\n!!!!! SKIPPED: pdftotext not found: the PDF part of this test !!!!!\n");
        return;
    }
    let pdf = std::fs::read_dir(out)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .chain(walk(out))
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n == "contacts-shonan-east.pdf")
        })
        .expect("contacts-shonan-east.pdf");
    let text = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&pdf)
        .arg("-")
        .output()
        .unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    let page = text
        .split('\u{c}')
        .find(|p| p.contains("茅ヶ崎市") && p.contains("地域の支援センター"))
        .expect("茅ヶ崎市's page with its centres");
    assert!(page.contains("0467-00-3366"), "{page}");
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(|e| e.ok())
        .map(|e| e.into_path())
        .collect()
}

// ---------------------------------------------------------------- rules

/// A centres.yaml for the mini site that is clean: line numbers below refer to it.
const CENTRES: &str = "\
- id: pref
  name: 県の支援センター
  kana: けんのしえんせんたー
  regions: [seirei]
  tel: 045-000-0001
  tel_kind: direct
- id: east
  name: 湘南東部の窓口
  kana: しょうなんとうぶのまどぐち
  municipalities: [茅ヶ崎市]
  tel: 0467-00-0001
  tel_kind: 直通
";

fn mini_with(centres: &str) -> TestSite {
    let site = TestSite::mini();
    site.write("data/centres.yaml", centres);
    site
}

#[test]
fn a_clean_centres_file_passes_and_names_resolve() {
    let d = mini_with(CENTRES).check();
    assert!(!d.has_errors(), "{}", d.render_text());
    assert_eq!(d.warning_count(), 0, "{}", d.render_text());
}

#[test]
fn a_centre_serving_an_unknown_municipality_or_region() {
    let text = CENTRES
        .replace("regions: [seirei]", "regions: [seirei, shonan-eest]")
        .replace(
            "municipalities: [茅ヶ崎市]",
            "municipalities: [chigasaki, samukawa]",
        );
    let d = mini_with(&text).check();
    let diag = expect_diag(
        &d,
        "data/centres.yaml",
        4,
        "地域 `shonan-eest` は regions.yaml にありません",
    );
    assert!(
        diag.hint.as_deref().unwrap_or("").contains("shonan-east"),
        "{}",
        d.render_text()
    );
    expect_diag(
        &d,
        "data/centres.yaml",
        10,
        "市町村 `samukawa` は municipalities.yaml にありません",
    );
}

#[test]
fn a_municipality_with_no_centre() {
    let text = CENTRES.replace("regions: [seirei]", "municipalities: [yokohama]");
    let d = mini_with(&text).check();
    // 川崎市 is the second entry of the mini municipalities.yaml (its slug on line 8).
    let diag = expect_diag(
        &d,
        "data/municipalities.yaml",
        8,
        "川崎市 (`kawasaki`) を担当する支援センターが centres.yaml にありません",
    );
    assert!(diag.is_error());
    assert!(
        diag.hint
            .as_deref()
            .unwrap_or("")
            .contains("regions: に seirei")
    );
    assert_eq!(
        d.iter().filter(|x| x.is_error()).count(),
        1,
        "{}",
        d.render_text()
    );
}

#[test]
fn a_centre_defined_twice() {
    let twice = format!(
        "{CENTRES}- id: east\n  name: 湘南東部の窓口\n  kana: しょうなんとうぶ\n  municipalities: [chigasaki]\n  tel: 0467-00-0002\n  tel_kind: direct\n"
    );
    let d = mini_with(&twice).check();
    let id = expect_diag(
        &d,
        "data/centres.yaml",
        13,
        "支援センター ID `east` が2回定義されています",
    );
    assert!(id.hint.as_deref().unwrap_or("").contains("7行目"));
    let name = expect_diag(
        &d,
        "data/centres.yaml",
        14,
        "支援センター「湘南東部の窓口」が2回定義されています",
    );
    assert!(name.hint.as_deref().unwrap_or("").contains("8行目"));
}

#[test]
fn a_centre_without_area_bad_kana_or_tel_kind() {
    let text = CENTRES
        .replace("  regions: [seirei]\n", "")
        .replace("kana: けんのしえんせんたー", "kana: ケン")
        .replace("tel_kind: 直通", "tel_kind: chokutsu");
    let d = mini_with(&text).check();
    expect_diag(
        &d,
        "data/centres.yaml",
        1,
        "支援センター「県の支援センター」に担当する地域・市町村がありません",
    );
    expect_diag(
        &d,
        "data/centres.yaml",
        3,
        "よみ `ケン` はひらがなで書いてください",
    );
    expect_diag(
        &d,
        "data/centres.yaml",
        11,
        "tel_kind `chokutsu` は使えません",
    );
}

#[test]
fn a_window_that_copies_a_centre_is_a_warning() {
    let site = mini_with(CENTRES);
    site.edit(
        "data/contacts/chigasaki.yaml",
        "  - name: 茅ヶ崎市障がい福祉課\n",
        "  - name: 湘南東部の窓口\n",
    );
    let d = site.check();
    let w = expect_diag(
        &d,
        "data/contacts/chigasaki.yaml",
        4,
        "窓口「湘南東部の窓口」は centres.yaml の支援センターと同じです",
    );
    assert!(!w.is_error());
}

#[test]
fn a_site_without_centres_has_no_centre_rule_and_no_centre_box() {
    let site = TestSite::mini();
    let d = site.check();
    assert!(
        !d.iter().any(|x| x.message.contains("支援センター")),
        "{}",
        d.render_text()
    );
    let out = site.path("dist");
    let mut o = site.options();
    o.out = out.clone();
    ohisama::build::build(&o).expect("builds");
    let html = std::fs::read_to_string(out.join("contacts/chigasaki/index.html")).unwrap();
    assert_eq!(centre_section(&html), "");
}

// ---------------------------------------------------------------- CSV

use ohisama::tools::csv_io::{self, DataKind, ImportOptions};

fn import_centres(
    site: &TestSite,
    csv: &Path,
) -> Result<csv_io::ImportReport, ohisama::diagnostic::Diagnostics> {
    csv_io::import(
        DataKind::Centres,
        &ImportOptions {
            root: site.root().to_path_buf(),
            csv: csv.to_path_buf(),
            force: true,
        },
    )
}

#[test]
fn centres_csv_round_trip_is_byte_identical() {
    let site = TestSite::sample();
    let yaml = site.read("data/centres.yaml");
    let csv = csv_io::export(DataKind::Centres, site.root()).expect("export");
    let text = String::from_utf8(csv.clone()).unwrap();
    assert!(text.starts_with(
        "\u{feff}ID,名称,よみ,担当地域,担当市町村,内容,電話,直通/代表,備考,URL,確認日\r\n"
    ));
    assert!(
        text.contains(
            "shonan-east-madoguchi,かながわ医療的ケア児支援センター 湘南東部地域相談窓口"
        )
    );
    let path = site.path("centres.csv");
    std::fs::write(&path, &csv).unwrap();
    import_centres(&site, &path).expect("import");
    assert_eq!(
        site.read("data/centres.yaml"),
        yaml,
        "YAML written back as it was"
    );
    assert_eq!(csv_io::export(DataKind::Centres, site.root()).unwrap(), csv);
}

#[test]
fn centres_csv_rows_with_problems_are_refused_at_their_rows() {
    let site = TestSite::sample();
    let before = site.read("data/centres.yaml");
    let header = "ID,名称,よみ,担当地域,担当市町村,内容,電話,直通/代表,備考,URL,確認日";
    let csv = format!(
        "\u{feff}{header}\r\n\
         a,窓口A,まどぐちえー,湘南東部、県西,,,0467-00-0001,直通,,,2025-04-01\r\n\
         b,窓口B,まどぐちびー,,茅ヶ崎市、寒川村,,0467-00-0002,直通,,,2025-04-01\r\n\
         a,窓口C,まどぐちしー,kenoh,,,0467-00-0003,,,,2025-04-01\r\n"
    );
    let path = site.path("centres.csv");
    std::fs::write(&path, csv).unwrap();
    let d = import_centres(&site, &path).expect_err("refused");
    let file = path.display().to_string();
    let at = |row: u32, needle: &str| {
        assert!(
            d.iter()
                .any(|x| x.file == file && x.line == row && x.message.contains(needle)),
            "no {needle:?} at row {row}:\n{}",
            d.render_text()
        );
    };
    at(3, "「寒川村」は担当市町村に書ける ID・名前ではありません");
    at(4, "直通か代表かが書かれていません");
    assert_eq!(site.read("data/centres.yaml"), before, "nothing written");
    // The same id twice: found when the file to be written is checked, at the second row.
    let csv = format!(
        "\u{feff}{header}\r\n\
         a,窓口A,まどぐちえー,湘南東部、県西、政令市、横須賀・三浦、湘南西部、県央,,,0467-00-0001,直通,,,2025-04-01\r\n\
         a,窓口C,まどぐちしー,kenoh,,,0467-00-0003,代表,,,2025-04-01\r\n"
    );
    std::fs::write(&path, csv).unwrap();
    let d = import_centres(&site, &path).expect_err("refused");
    assert!(
        d.iter().any(|x| x.line == 3
            && x.message
                .contains("支援センター ID `a` が2回定義されています")),
        "{}",
        d.render_text()
    );
    assert_eq!(site.read("data/centres.yaml"), before, "nothing written");
}

#[test]
fn diff_reports_centre_changes_with_their_labels() {
    let old = TestSite::sample();
    let new = TestSite::sample();
    new.edit(
        "data/centres.yaml",
        "tel: 0467-00-3366",
        "tel: 0467-00-3399",
    );
    new.edit(
        "data/centres.yaml",
        "regions: [kensei]",
        "regions: [kensei, kenoh]",
    );
    let d = ohisama::tools::diff::diff_sites(old.root(), new.root()).expect("diff");
    let text = d.render_text();
    assert!(
        text.contains("支援センター: 追加 0 件、削除 0 件、変更 2 件"),
        "{text}"
    );
    assert!(text.contains("■ 地域の支援センター"), "{text}");
    assert!(text.contains("電話: 0467-00-3366 → 0467-00-3399"), "{text}");
    assert!(
        text.contains("担当地域: kensei → kensei、kenoh (追加 kenoh)"),
        "{text}"
    );
    // Sites without centres.yaml: the report does not mention centres.
    let mini = TestSite::mini();
    let same = ohisama::tools::diff::diff_sites(mini.root(), mini.root()).expect("diff");
    assert!(!same.render_text().contains("支援センター"));
}
