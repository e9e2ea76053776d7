//! 施設検索: static list pages per region, municipality, type and care kind,
//! the facility pages, the JSON the filter script reads, and facility validation.

use crate::sitekit;
use sitekit::{TestSite, expect_diag};
use std::collections::BTreeSet;

fn build_sample() -> (TestSite, std::path::PathBuf) {
    let site = TestSite::sample();
    let out = site.path("dist");
    let mut o = site.options();
    o.out = out.clone();
    ohisama::build::build(&o).unwrap_or_else(|e| panic!("{}", e.diagnostics().render_text()));
    (site, out)
}

/// Facility ids linked from a list page, in order.
fn listed_ids(html: &str) -> Vec<String> {
    html.split("class=\"facility-name\" href=\"/facilities/")
        .skip(1)
        .filter_map(|rest| rest.split('/').next().map(str::to_string))
        .collect()
}

#[test]
fn every_facility_is_on_its_municipality_region_type_and_care_pages() {
    let (site, out) = build_sample();
    let (resolved, _) = ohisama::build::check(&site.options()).unwrap();
    assert!(
        resolved.facilities.len() >= 300,
        "sample has {} facilities",
        resolved.facilities.len()
    );
    let page = |kind: &str, id: &str| -> BTreeSet<String> {
        let path = out.join(format!("facilities/{kind}/{id}/index.html"));
        let html =
            std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("missing {}", path.display()));
        listed_ids(&html).into_iter().collect()
    };
    for f in &resolved.facilities {
        assert!(
            out.join(format!("facilities/{}/index.html", f.id)).exists(),
            "{}",
            f.id
        );
        assert!(
            page("municipality", &f.municipality).contains(&f.id),
            "{} not on its municipality page",
            f.id
        );
        assert!(
            page("region", &f.region_id).contains(&f.id),
            "{} not on its region page",
            f.id
        );
        assert!(
            page("type", &f.type_id).contains(&f.id),
            "{} not on its type page",
            f.id
        );
        for c in &f.care {
            assert!(
                page("care", &c.id).contains(&f.id),
                "{} not on care page {}",
                f.id,
                c.id
            );
        }
    }
    // And no list holds a facility that does not belong there.
    for m in &resolved.municipalities {
        for id in page("municipality", &m.slug) {
            let f = resolved.facilities.iter().find(|f| f.id == id).unwrap();
            assert_eq!(f.municipality, m.slug);
        }
    }
}

#[test]
fn lists_are_sorted_by_kana() {
    let (site, out) = build_sample();
    let (resolved, _) = ohisama::build::check(&site.options()).unwrap();
    let html =
        std::fs::read_to_string(out.join("facilities/municipality/yokohama/index.html")).unwrap();
    let kana: Vec<&str> = listed_ids(&html)
        .iter()
        .map(|id| {
            resolved
                .facilities
                .iter()
                .find(|f| &f.id == id)
                .unwrap()
                .kana
                .as_str()
        })
        .collect();
    assert!(kana.len() > 20);
    assert!(
        kana.windows(2).all(|w| w[0] <= w[1]),
        "not in kana order: {kana:?}"
    );
}

#[test]
fn empty_list_says_so_and_suggests_widening() {
    let site = TestSite::mini();
    let out = site.path("dist");
    let mut o = site.options();
    o.out = out.clone();
    ohisama::build::build(&o).unwrap();
    let html =
        std::fs::read_to_string(out.join("facilities/municipality/kawasaki/index.html")).unwrap();
    assert!(html.contains("まだ登録されていません"));
    assert!(html.contains("すべての施設から探す"));
}

#[test]
fn hub_page_links_every_list_with_counts_and_json_matches() {
    let (site, out) = build_sample();
    let (resolved, _) = ohisama::build::check(&site.options()).unwrap();
    let hub = std::fs::read_to_string(out.join("facilities/index.html")).unwrap();
    for l in resolved.facility_lists() {
        let link = format!(
            "href=\"{}\">{} <span class=\"count\">({})</span>",
            l.url_path,
            l.label,
            l.facilities.len()
        );
        assert!(hub.contains(&link), "hub lacks {link}");
    }
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("facilities/facilities.json")).unwrap())
            .unwrap();
    let ids: Vec<&str> = json["facilities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    let expected: Vec<&str> = resolved.facilities.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(ids, expected);
}

#[test]
fn facility_page_shows_care_chips_tel_and_date() {
    let site = TestSite::mini();
    let out = site.path("dist");
    let mut o = site.options();
    o.out = out.clone();
    ohisama::build::build(&o).unwrap();
    let html = std::fs::read_to_string(out.join("facilities/yokohama-hikari/index.html")).unwrap();
    assert!(html.contains("<li>人工呼吸器</li>") && html.contains("<li>気管切開</li>"));
    assert!(html.contains("href=\"tel:+81450001001\""));
    assert!(html.contains("令和7年(2025年)3月1日"));
    let muni = std::fs::read_to_string(out.join("contacts/yokohama/index.html")).unwrap();
    assert!(muni.contains("href=\"/facilities/municipality/yokohama/\""));
}

#[test]
fn facility_missing_name_or_type() {
    let site = TestSite::mini();
    site.edit(
        "data/facilities/yokohama.yaml",
        "  type: home-nursing\n",
        "",
    );
    let d = site.check();
    let diag = d
        .iter()
        .find(|x| {
            x.file == "data/facilities/yokohama.yaml" && x.message.contains("必須のキー `type`")
        })
        .unwrap_or_else(|| panic!("{}", d.render_text()));
    assert!(
        (1..=9).contains(&diag.line),
        "points into the facility entry: {}",
        diag.line
    );
    let site = TestSite::mini();
    site.edit(
        "data/facilities/yokohama.yaml",
        "  name: ひかり訪問看護ステーション\n",
        "  name: \"\"\n",
    );
    let d = site.check();
    expect_diag(
        &d,
        "data/facilities/yokohama.yaml",
        2,
        "施設名 (name)が空です",
    );
}

#[test]
fn facility_id_may_not_shadow_list_urls() {
    let site = TestSite::mini();
    site.edit(
        "data/facilities/yokohama.yaml",
        "id: yokohama-hikari",
        "id: care",
    );
    let d = site.check();
    expect_diag(
        &d,
        "data/facilities/yokohama.yaml",
        1,
        "一覧ページの URL と重なる",
    );
}

#[test]
fn facility_bad_tel_and_url() {
    let site = TestSite::mini();
    site.edit(
        "data/facilities/yokohama.yaml",
        "tel: 045-000-1001",
        "tel: 4500010010",
    );
    site.edit(
        "data/facilities/yokohama.yaml",
        "  care:",
        "  url: ftp://example.jp/\n  care:",
    );
    let d = site.check();
    expect_diag(
        &d,
        "data/facilities/yokohama.yaml",
        7,
        "電話番号 `4500010010`",
    );
    expect_diag(
        &d,
        "data/facilities/yokohama.yaml",
        8,
        "URL `ftp://example.jp/` は使えません",
    );
}

use crate::common;

/// The filter script on /facilities/ narrows by region + care exactly like the
/// intersection of the static region and care pages, and adding a type narrows further.
#[test]
fn js_filter_matches_static_pages() {
    let Some(browser) = common::browser::Browser::new() else {
        return;
    };
    let (_site, out) = build_sample();
    let read_ids = |rel: &str| -> BTreeSet<String> {
        listed_ids(&std::fs::read_to_string(out.join(rel)).unwrap())
            .into_iter()
            .collect()
    };
    let kenoh = read_ids("facilities/region/kenoh/index.html");
    let ventilator = read_ids("facilities/care/ventilator/index.html");
    let expected: BTreeSet<String> = kenoh.intersection(&ventilator).cloned().collect();
    assert!(
        !expected.is_empty() && expected.len() < kenoh.len(),
        "a filter that narrows: {expected:?}"
    );

    let (base, _server) = common::browser::serve_dir(&out);
    let page = browser.new_page();
    page.goto(&format!("{base}/facilities/"));
    assert!(page.wait_for(
        "window.__ohisamaFacilitiesReady === true",
        std::time::Duration::from_secs(20)
    ));
    let shown = |page: &common::browser::Page| -> BTreeSet<String> {
        let v = page.eval_json(
            "[...document.querySelectorAll('#ff-results .facility-name')].map(a => a.getAttribute('href').split('/').filter(Boolean).pop())",
        );
        v.as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_str().unwrap().to_string())
            .collect()
    };
    // Nothing chosen: every facility.
    assert_eq!(
        shown(&page).len(),
        ohisama::build::check(&_site.options())
            .unwrap()
            .0
            .facilities
            .len()
    );

    // Region 県央 + care 人工呼吸器, as a family would choose them.
    page.eval_json(
        "(() => { const f = document.getElementById('facility-filter'); \
           f.elements.region.value = 'kenoh'; f.elements.region.dispatchEvent(new Event('change', {bubbles: true})); \
           const box = f.querySelector('input[name=care][value=ventilator]'); box.click(); return true; })()",
    );
    assert_eq!(shown(&page), expected);
    let status = page.eval_json("document.getElementById('ff-count').textContent");
    assert_eq!(
        status.as_str().unwrap(),
        format!("{}件見つかりました", expected.len())
    );
    assert!(
        page.eval_json("location.search")
            .as_str()
            .unwrap()
            .contains("region=kenoh")
    );

    // Add a type: the intersection with the static type page.
    let nursing = read_ids("facilities/type/home-nursing/index.html");
    page.eval_json(
        "(() => { const f = document.getElementById('facility-filter'); f.elements.type.value = 'home-nursing'; \
           f.elements.type.dispatchEvent(new Event('change', {bubbles: true})); return true; })()",
    );
    let narrower: BTreeSet<String> = expected.intersection(&nursing).cloned().collect();
    assert_eq!(shown(&page), narrower);

    // A combination nobody offers says so and suggests widening.
    page.eval_json(
        "(() => { const f = document.getElementById('facility-filter'); \
           for (const b of f.querySelectorAll('input[name=care]')) b.checked = true; \
           f.dispatchEvent(new Event('change')); return true; })()",
    );
    assert!(shown(&page).is_empty());
    let msg = page.eval_json("document.getElementById('ff-count').textContent");
    assert!(msg.as_str().unwrap().contains("広げて"), "{msg}");

    // A shared link restores the same filter.
    let page2 = browser.new_page();
    page2.goto(&format!("{base}/facilities/?region=kenoh&care=ventilator"));
    assert!(page2.wait_for(
        "window.__ohisamaFacilitiesReady === true",
        std::time::Duration::from_secs(20)
    ));
    assert_eq!(shown(&page2), expected);
}
