//! Issue #19 item 5: the editors' words in YAML. `tel_kind: 直通 / 代表` and a
//! municipality, field, facility type or kind of care by its Japanese name are
//! accepted as well as the ids; the data is resolved with the ids; a name that
//! two entries share is an error listing their ids.

use crate::sitekit::{TestSite, expect_diag};

pub const CONTACTS: &str = "municipality: 横浜市
updated: 2025-04-01
windows:
  - name: 横浜市こども相談センター
    field: 相談
    general: true
    tel: 045-000-0001
    tel_kind: 直通
  - name: 障害福祉課
    field: 障害福祉
    tel: 045-000-0002
    tel_kind: 代表
";

pub const FACILITIES: &str = "- id: yokohama-hikari
  name: ひかり訪問看護ステーション
  kana: ひかりほうもんかんごすてーしょん
  type: 訪問看護ステーション
  municipality: 横浜市
  tel: 045-000-1001
  care: [人工呼吸器, tracheostomy]
  updated: 2025-03-01
";

/// The mini site with names and 直通/代表 written in its YAML.
pub fn site_in_editors_words() -> TestSite {
    let site = TestSite::mini();
    site.write("data/contacts/yokohama.yaml", CONTACTS);
    site.write("data/facilities/yokohama.yaml", FACILITIES);
    site.edit(
        "data/regions.yaml",
        "[yokohama, kawasaki]",
        "[横浜市, kawasaki]",
    );
    site
}

#[test]
fn names_and_tel_words_are_accepted_and_resolved_to_ids() {
    let site = site_in_editors_words();
    let diags = site.check();
    assert!(!diags.has_errors(), "{}", diags.render_text());
    let raw = ohisama::load::load_site(site.root()).raw;
    let (_, contacts) = raw
        .contacts
        .iter()
        .find(|(f, _)| f.ends_with("yokohama.yaml"))
        .expect("yokohama contacts");
    assert_eq!(contacts.municipality.value, "yokohama");
    let fields: Vec<&str> = contacts
        .windows
        .iter()
        .map(|w| w.value.field.value.as_str())
        .collect();
    assert_eq!(fields, ["sodan", "shogai-fukushi"]);
    let kinds: Vec<&str> = contacts
        .windows
        .iter()
        .filter_map(|w| w.value.tel_kind_label())
        .collect();
    assert_eq!(kinds, ["直通", "代表"]);
    let f = &raw.facilities[0].1[0].value;
    assert_eq!(f.kind.value, "home-nursing");
    assert_eq!(f.municipality.value, "yokohama");
    let care: Vec<&str> = f.care.iter().map(|c| c.value.as_str()).collect();
    assert_eq!(care, ["ventilator", "tracheostomy"]);
    let regions = raw.regions.as_ref().expect("regions").1[0].value.clone();
    assert_eq!(regions.municipalities[0].value, "yokohama");
}

#[test]
fn the_built_pages_show_the_named_entries() {
    let site = site_in_editors_words();
    ohisama::build::build(&site.options())
        .unwrap_or_else(|e| panic!("{}", e.diagnostics().render_text()));
    let page = site.read("dist/contacts/yokohama/index.html");
    assert!(page.contains("(代表)") || page.contains("代表"), "no 代表");
    assert!(page.contains("障害福祉"), "no field name");
    let list = site.read("dist/facilities/type/home-nursing/index.html");
    assert!(
        list.contains("ひかり訪問看護ステーション"),
        "facility not under its type"
    );
}

#[test]
fn a_name_two_entries_share_is_an_error_listing_the_ids() {
    let site = site_in_editors_words();
    // Two fields named 障害福祉: the name no longer says which one.
    site.edit(
        "data/fields.yaml",
        "- id: sodan\n  name: 相談",
        "- id: sodan\n  name: 障害福祉",
    );
    site.edit("data/contacts/yokohama.yaml", "field: 相談", "field: sodan");
    let diags = site.check();
    let d = expect_diag(
        &diags,
        "data/contacts/yokohama.yaml",
        10,
        "分野「障害福祉」は fields.yaml の 2 つの項目の名前です (ID: shogai-fukushi, sodan)",
    );
    assert_eq!(
        d.hint.as_deref(),
        Some("名前ではなく ID (shogai-fukushi / sodan) のどれかを書いてください")
    );
    assert_eq!(diags.error_count(), 1, "{}", diags.render_text());
}

#[test]
fn an_unknown_tel_word_is_still_refused() {
    let site = site_in_editors_words();
    site.edit(
        "data/contacts/yokohama.yaml",
        "tel_kind: 代表",
        "tel_kind: 代表番号",
    );
    let diags = site.check();
    let d = expect_diag(
        &diags,
        "data/contacts/yokohama.yaml",
        12,
        "tel_kind `代表番号` は使えません",
    );
    assert_eq!(
        d.expected.as_deref(),
        Some("直通 (direct) または 代表 (main)")
    );
}
