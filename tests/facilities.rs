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
    assert!(muni.contains("href=\"/facilities/?municipality=yokohama\""));
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

/// Every facility id the filter shows, over all its pages of 20 (clicks
/// 「次の20件」 until it is gone), then back on the first page.
fn shown_all(page: &common::browser::Page) -> Vec<String> {
    let v = page.eval_json(
        "(async () => { const ids = []; const next = document.querySelector('#ff-pager [data-page=next]'); \
           const pager = document.getElementById('ff-pager'); \
           for (let i = 0; i < 1000; i++) { \
             ids.push(...[...document.querySelectorAll('#ff-results .facility-name')].map(a => a.getAttribute('href').split('/').filter(Boolean).pop())); \
             if (pager.hidden || next.hidden) break; next.click(); } \
           const prev = document.querySelector('#ff-pager [data-page=prev]'); \
           while (!pager.hidden && !prev.hidden) prev.click(); \
           return ids; })()",
    );
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect()
}

fn shown(page: &common::browser::Page) -> BTreeSet<String> {
    let ids = shown_all(page);
    let set: BTreeSet<String> = ids.iter().cloned().collect();
    assert_eq!(set.len(), ids.len(), "a facility shown twice: {ids:?}");
    set
}

/// Ids on a static list page of the build.
fn static_ids(out: &std::path::Path, rel: &str) -> BTreeSet<String> {
    listed_ids(&std::fs::read_to_string(out.join(rel)).unwrap())
        .into_iter()
        .collect()
}

fn wait_ready(page: &common::browser::Page) {
    assert!(page.wait_for(
        "window.__ohisamaFacilitiesReady === true",
        std::time::Duration::from_secs(20)
    ));
}

/// The filter script on /facilities/ narrows by region + care exactly like the
/// intersection of the static region and care pages, and adding a type narrows
/// further; every result is shown once over the pages of 20.
#[test]
fn js_filter_matches_static_pages() {
    let Some(browser) = common::browser::Browser::new() else {
        return;
    };
    let (site, out) = build_sample();
    let kenoh = static_ids(&out, "facilities/region/kenoh/index.html");
    let ventilator = static_ids(&out, "facilities/care/ventilator/index.html");
    let expected: BTreeSet<String> = kenoh.intersection(&ventilator).cloned().collect();
    assert!(
        !expected.is_empty() && expected.len() < kenoh.len(),
        "a filter that narrows: {expected:?}"
    );

    let (base, _server) = common::browser::serve_dir(&out);
    let page = browser.new_page();
    page.goto(&format!("{base}/facilities/"));
    wait_ready(&page);
    // Nothing chosen: every facility, 20 on a page.
    let total = ohisama::build::check(&site.options())
        .unwrap()
        .0
        .facilities
        .len();
    assert_eq!(shown(&page).len(), total);
    assert_eq!(
        page.eval_json("document.querySelectorAll('#ff-results > li').length"),
        20
    );

    // Region 県央 + care 人工呼吸器, as a family would choose them.
    page.eval_json(
        "(() => { const f = document.getElementById('facility-filter'); \
           f.elements.region.value = 'kenoh'; f.elements.region.dispatchEvent(new Event('change', {bubbles: true})); \
           f.querySelector('input[name=care][value=ventilator]').click(); return true; })()",
    );
    assert_eq!(shown(&page), expected);
    let status = page.eval_json("document.getElementById('ff-count').textContent");
    assert!(
        status
            .as_str()
            .unwrap()
            .starts_with(&format!("{}件見つかりました", expected.len())),
        "{status}"
    );
    assert!(
        page.eval_json("location.search")
            .as_str()
            .unwrap()
            .contains("region=kenoh")
    );

    // Add a type: the intersection with the static type page.
    let nursing = static_ids(&out, "facilities/type/home-nursing/index.html");
    page.eval_json("document.querySelector('input[name=type][value=home-nursing]').click()");
    let narrower: BTreeSet<String> = expected.intersection(&nursing).cloned().collect();
    assert_eq!(shown(&page), narrower);
    // Two types: either one.
    let pharmacy = static_ids(&out, "facilities/type/pharmacy/index.html");
    page.eval_json("document.querySelector('input[name=type][value=pharmacy]').click()");
    let either: BTreeSet<String> = expected
        .iter()
        .filter(|id| nursing.contains(*id) || pharmacy.contains(*id))
        .cloned()
        .collect();
    assert_eq!(shown(&page), either);

    // A combination nobody offers says so and suggests widening.
    page.eval_json(
        "(() => { const f = document.getElementById('facility-filter'); \
           for (const b of f.querySelectorAll('input[name=care]')) b.checked = true; \
           f.dispatchEvent(new Event('change')); return true; })()",
    );
    assert!(shown(&page).is_empty());
    let msg = page.eval_json("document.getElementById('ff-count').textContent");
    assert!(msg.as_str().unwrap().contains("広げて"), "{msg}");

    // A shared link restores the same filter, on the page it names.
    let page2 = browser.new_page();
    page2.goto(&format!("{base}/facilities/?region=kenoh&care=ventilator"));
    wait_ready(&page2);
    assert_eq!(shown(&page2), expected);
    page2.goto(&format!("{base}/facilities/?page=2"));
    wait_ready(&page2);
    let second = page2.eval_json(
        "[document.getElementById('ff-count').textContent, document.querySelector('#ff-results .facility-name').textContent]",
    );
    assert!(
        second[0].as_str().unwrap().contains("21〜40件目"),
        "{second}"
    );

    // A hostile or stale link: unknown values choose nothing, a page past the
    // end shows the last one, markup in the URL stays text.
    page2.goto(&format!(
        "{base}/facilities/?municipality=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E&care=no-such-care&type=%22&page=99999"
    ));
    wait_ready(&page2);
    let v = page2.eval_json(
        "[document.getElementById('ff-municipality').value, document.querySelectorAll('#facility-filter input:checked').length,           document.getElementById('ff-count').textContent, document.querySelectorAll('main img').length,           document.querySelector('#ff-pager [data-page=next]').hidden]",
    );
    assert_eq!(v[0], "", "{v}");
    assert_eq!(v[1], 0, "{v}");
    let last_first = (total - 1) / 20 * 20 + 1;
    assert!(
        v[2].as_str()
            .unwrap()
            .contains(&format!("{last_first}〜{total}件目")),
        "{v}"
    );
    assert_eq!(v[3], 0, "{v}");
    assert_eq!(v[4], true, "{v}");
}

/// Issue #16 at 375×667: /facilities/ is under 8,000 px, and "a 訪問看護 in
/// 茅ヶ崎市 that takes 人工呼吸器" is 4 taps: the 市町村 list (open it, pick
/// 茅ヶ崎市), then the chips 訪問看護ステーション and 人工呼吸器, both visible
/// without opening anything. The result is the static lists' intersection and
/// has a tap-to-call button. Without JS the form stays hidden and the static
/// lists are the way in.
#[test]
fn phone_task_takes_four_taps_and_the_page_fits() {
    let Some(browser) = common::browser::Browser::new() else {
        return;
    };
    let (_site, out) = build_sample();
    let expected: BTreeSet<String> = [
        "facilities/municipality/chigasaki/index.html",
        "facilities/type/home-nursing/index.html",
        "facilities/care/ventilator/index.html",
    ]
    .iter()
    .map(|rel| static_ids(&out, rel))
    .reduce(|a, b| a.intersection(&b).cloned().collect())
    .unwrap();
    assert!(!expected.is_empty(), "the sample has such a facility");

    let (base, _server) = common::browser::serve_dir(&out);
    let page = browser.new_page();
    page.set_viewport(375, 667);
    page.goto(&format!("{base}/facilities/"));
    wait_ready(&page);
    let height = || {
        page.eval_json("document.documentElement.scrollHeight")
            .as_f64()
            .unwrap()
    };
    let first = height();
    assert!(first < 8000.0, "/facilities/ is {first} px tall at 375 px");

    // Taps 1 and 2: the 市町村 list, 茅ヶ崎市.
    page.eval_json(
        "(() => { const s = document.getElementById('ff-municipality'); s.value = 'chigasaki'; \
           s.dispatchEvent(new Event('change', {bubbles: true})); return true; })()",
    );
    // Taps 3 and 4: two chips, each visible (not in a closed group) and big enough.
    for (name, value) in [("type", "home-nursing"), ("care", "ventilator")] {
        let tapped = page.eval_json(&format!(
            "(() => {{ const label = document.querySelector('input[name={name}][value={value}]').closest('label'); \
               label.scrollIntoView({{block: 'center'}}); const r = label.getBoundingClientRect(); \
               const visible = r.width >= 44 && r.height >= 44 && document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2)?.closest('label') === label; \
               if (visible) label.click(); return visible; }})()"
        ));
        assert_eq!(tapped, true, "the {value} chip is visible and tappable");
    }
    assert_eq!(shown(&page), expected);
    let tel = page
        .eval_json("document.querySelector('#ff-results a[href^=\"tel:\"]')?.getAttribute('href')");
    assert!(
        tel.as_str().is_some_and(|t| t.starts_with("tel:+81")),
        "a tap-to-call button: {tel}"
    );
    assert_eq!(
        page.eval_json("location.search"),
        "?municipality=chigasaki&type=home-nursing&care=ventilator"
    );
    let filtered = height();
    assert!(filtered < 8000.0, "{filtered} px once filtered");
    eprintln!("/facilities/ at 375 px: {first} px; filtered: {filtered} px");

    // Without JS: no form, and the municipality list links the static pages.
    let plain = browser.new_page();
    plain
        .tab()
        .call_method(
            headless_chrome::protocol::cdp::Emulation::SetScriptExecutionDisabled { value: true },
        )
        .expect("disable JS");
    plain.set_viewport(375, 667);
    plain.goto(&format!("{base}/facilities/"));
    let v = plain.eval_json(
        "[document.getElementById('facility-filter').getClientRects().length, \
          document.getElementById('ff-out').getClientRects().length, \
          [...document.querySelectorAll('details:has(#by-municipality) .list-links a')].filter(a => a.getClientRects().length).map(a => a.getAttribute('href'))]",
    );
    assert_eq!(v[0], 0, "the form is hidden without JS");
    assert_eq!(v[1], 0, "so are the results");
    assert!(
        v[2].as_array()
            .unwrap()
            .iter()
            .any(|h| h == "/facilities/municipality/chigasaki/"),
        "{v}"
    );
}
