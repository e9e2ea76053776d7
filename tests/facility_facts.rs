//! 訪問エリア, 受入状況 (with 要確認 after six months) and their rules
//! (issue #15): on the facility pages of the sample, each rule at its line,
//! the reference date injected with SOURCE_DATE_EPOCH, and the CSV columns.

use crate::sitekit;
use sitekit::{TestSite, expect_diag, ohisama};

fn build_with_epoch(site: &TestSite, epoch: Option<&str>) -> std::path::PathBuf {
    let out = site.path("dist");
    let mut cmd = ohisama();
    cmd.args(["build", "--no-pdf", "--root"])
        .arg(site.root())
        .arg("--out")
        .arg(&out)
        .env_remove("SOURCE_DATE_EPOCH");
    if let Some(e) = epoch {
        cmd.env("SOURCE_DATE_EPOCH", e);
    }
    sitekit::assert_success(&cmd.output().unwrap());
    out
}

#[test]
fn visiting_pages_show_area_and_intake_and_stale_ones_say_so() {
    let site = TestSite::sample();
    let out = build_with_epoch(&site, None);
    let page = |id: &str| {
        std::fs::read_to_string(out.join(format!("facilities/{id}/index.html"))).unwrap()
    };
    // The issue's case: a station in 寒川町 that visits 茅ヶ崎市.
    let pokapoka = page("samukawa-pokapoka-houmonkango");
    assert!(pokapoka.contains("<dt>訪問エリア</dt><dd>寒川町・茅ヶ崎市・藤沢市</dd>"));
    assert!(pokapoka.contains(r#"<span class="intake intake-open">受入可</span>"#));
    assert!(pokapoka.contains(r#"<time datetime="2025-03-15">"#));
    assert!(!pokapoka.contains("要確認"));
    // Every home-nursing station of the sample has both, and the stale ones
    // (confirmed 2024-08-01, eight months before the edition) say 要確認.
    let loaded = ohisama::load::load_data(site.root());
    let mut stale = 0;
    for (_, list) in &loaded.raw.facilities {
        for f in list.iter().filter(|f| f.value.kind.value == "home-nursing") {
            let html = page(&f.value.id.value);
            assert!(html.contains("<dt>受入状況</dt>"), "{}", f.value.id.value);
            assert!(html.contains("<dt>訪問エリア</dt>"), "{}", f.value.id.value);
            let old = f
                .value
                .intake_checked
                .as_ref()
                .is_some_and(|d| d.value == "2024-08-01");
            assert_eq!(html.contains("要確認"), old, "{}", f.value.id.value);
            stale += usize::from(old);
        }
    }
    assert!(stale > 0, "the sample has a stale 受入状況");
    // 横浜市's stations visit wards, by name.
    let yokohama = out.join("facilities");
    let any_ward = std::fs::read_dir(&yokohama)
        .unwrap()
        .filter_map(|e| std::fs::read_to_string(e.unwrap().path().join("index.html")).ok())
        .any(|h| h.contains("<dt>訪問エリア</dt><dd>横浜市鶴見区・横浜市神奈川区</dd>"));
    assert!(any_ward, "a station visiting 横浜市鶴見区・横浜市神奈川区");
}

#[test]
fn the_reference_date_is_injected_with_source_date_epoch() {
    let site = TestSite::sample();
    // 2026-01-01: 2025-03-15 is more than six months before.
    let out = build_with_epoch(&site, Some("1767225600"));
    let html =
        std::fs::read_to_string(out.join("facilities/samukawa-pokapoka-houmonkango/index.html"))
            .unwrap();
    assert!(
        html.contains(r#"<span class="intake-stale">要確認</span>"#),
        "stale in 2026"
    );
    // 2025-04-10: fresh again.
    let out = build_with_epoch(&site, Some("1744243200"));
    let html =
        std::fs::read_to_string(out.join("facilities/samukawa-pokapoka-houmonkango/index.html"))
            .unwrap();
    assert!(!html.contains("要確認"));
}

// ---------------------------------------------------------------- rules

#[test]
fn each_facility_fact_rule_reports_its_line() {
    let site = TestSite::mini();
    site.edit(
        "data/facilities/yokohama.yaml",
        "  care: [ventilator, tracheostomy]\n",
        "  care: [ventilator, tracheostomy]\n  visits: [茅ヶ崎市, chigasakii, yokohama, yokohama]\n  intake: ukeire\n",
    );
    let d = site.check();
    let f = "data/facilities/yokohama.yaml";
    let e = expect_diag(
        &d,
        f,
        9,
        "訪問エリア `chigasakii` は市町村・区の一覧にありません",
    );
    assert!(
        e.hint.as_deref().unwrap_or("").contains("chigasaki"),
        "{}",
        d.render_text()
    );
    expect_diag(&d, f, 9, "訪問エリア `yokohama` が2回書かれています");
    expect_diag(&d, f, 10, "受入状況 `ukeire` は使えません");
    expect_diag(&d, f, 10, "受入状況に確認日 (intake_checked) がありません");
    // 茅ヶ崎市 (a name) was read as its id: no error for it.
    assert!(
        !d.iter().any(|x| x.message.contains("茅ヶ崎市")),
        "{}",
        d.render_text()
    );

    let site = TestSite::mini();
    site.edit(
        "data/facilities/yokohama.yaml",
        "  care: [ventilator, tracheostomy]\n",
        "  care: [ventilator, tracheostomy]\n  intake_checked: 2025-13-01\n",
    );
    let d = site.check();
    expect_diag(
        &d,
        "data/facilities/yokohama.yaml",
        9,
        "受入状況の確認日 (intake_checked) だけがあります",
    );
}

#[test]
fn facilities_csv_round_trips_the_new_columns_and_old_csvs_still_import() {
    use ohisama::tools::csv_io::{self, DataKind, ImportOptions};
    let site = TestSite::sample();
    let yaml = site.read("data/facilities/samukawa.yaml");
    let csv = csv_io::export(DataKind::Facilities, site.root()).expect("export");
    let text = String::from_utf8(csv.clone()).unwrap();
    assert!(text.contains(",対象年齢,訪問エリア,受入状況,受入状況の確認日,備考,確認日\r\n"));
    // Areas are ids in the CSV (wards as yokohama/kohoku); 受入状況 in words.
    assert!(
        text.contains(",0歳〜18歳,samukawa、chigasaki、fujisawa,受入可,2025-03-15,"),
        "cells"
    );
    let path = site.path("facilities.csv");
    std::fs::write(&path, &csv).unwrap();
    let opts = ImportOptions {
        root: site.root().to_path_buf(),
        csv: path.clone(),
        force: true,
    };
    csv_io::import(DataKind::Facilities, &opts).expect("import");
    assert_eq!(site.read("data/facilities/samukawa.yaml"), yaml);
    assert_eq!(
        csv_io::export(DataKind::Facilities, site.root()).unwrap(),
        csv
    );
}

// ---------------------------------------------------------------- 訪問できる

/// The /facilities/ filter's 訪問できる dimension: a facility elsewhere that
/// visits the chosen municipality (a ward counts for its city) is found, by
/// the control and by a shared link; with a municipality too, both must hold.
#[test]
fn the_filter_finds_facilities_that_visit_a_municipality() {
    use std::collections::BTreeSet;
    let Some(browser) = crate::common::browser::Browser::new() else {
        return;
    };
    let site = TestSite::sample();
    let out = site.path("dist");
    let mut o = site.options();
    o.out = out.clone();
    ohisama::build::build(&o).unwrap_or_else(|e| panic!("{}", e.diagnostics().render_text()));
    let loaded = ohisama::load::load_data(site.root());
    let visiting = |city: &str| -> BTreeSet<String> {
        loaded
            .raw
            .facilities
            .iter()
            .flat_map(|(_, l)| l)
            .filter(|f| {
                f.value
                    .visits
                    .iter()
                    .any(|v| v.value.split('/').next() == Some(city))
            })
            .map(|f| f.value.id.value.clone())
            .collect()
    };
    let expected = visiting("chigasaki");
    assert!(
        expected.contains("samukawa-pokapoka-houmonkango"),
        "{expected:?}"
    );
    assert!(
        expected.iter().any(|id| !id.starts_with("chigasaki-")),
        "one from elsewhere"
    );

    let (base, _server) = crate::common::browser::serve_dir(&out);
    let page = browser.new_page();
    let ready = |p: &crate::common::browser::Page| {
        assert!(p.wait_for(
            "window.__ohisamaFacilitiesReady === true",
            std::time::Duration::from_secs(20)
        ));
    };
    let shown = |p: &crate::common::browser::Page| -> BTreeSet<String> {
        let v = p.eval_json(
            "(() => { const ids = []; const next = document.querySelector('#ff-pager [data-page=next]'); \
               const pager = document.getElementById('ff-pager'); \
               for (let i = 0; i < 100; i++) { \
                 ids.push(...[...document.querySelectorAll('#ff-results .facility-name')].map(a => a.getAttribute('href').split('/').filter(Boolean).pop())); \
                 if (pager.hidden || next.hidden) break; next.click(); } \
               return ids; })()",
        );
        v.as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_str().unwrap().to_string())
            .collect()
    };
    page.goto(&format!("{base}/facilities/"));
    ready(&page);
    page.eval_json(
        "(() => { const f = document.getElementById('facility-filter'); \
           f.elements.visit.value = 'chigasaki'; f.elements.visit.dispatchEvent(new Event('change', {bubbles: true})); return true; })()",
    );
    assert_eq!(shown(&page), expected);
    assert!(
        page.eval_json("location.search")
            .as_str()
            .unwrap()
            .contains("visit=chigasaki")
    );
    // A shared link restores it; with a municipality too, both conditions hold.
    let page2 = browser.new_page();
    page2.goto(&format!(
        "{base}/facilities/?visit=chigasaki&municipality=samukawa"
    ));
    ready(&page2);
    let both: BTreeSet<String> = expected
        .iter()
        .filter(|id| id.starts_with("samukawa-"))
        .cloned()
        .collect();
    assert!(both.contains("samukawa-pokapoka-houmonkango"));
    assert_eq!(shown(&page2), both);
    // 横浜市: stations that visit its wards.
    let page3 = browser.new_page();
    page3.goto(&format!("{base}/facilities/?visit=yokohama"));
    ready(&page3);
    let yokohama = visiting("yokohama");
    assert!(!yokohama.is_empty());
    assert_eq!(shown(&page3), yokohama);
}
