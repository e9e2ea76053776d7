//! One test per validation rule: the fixture site breaks one thing, and the
//! diagnostic must name the file, the line and say what is wrong.

use crate::sitekit;
use sitekit::{TestSite, expect_diag};

#[test]
fn the_fixture_itself_is_clean() {
    let site = TestSite::mini();
    let d = site.check();
    assert!(!d.has_errors(), "{}", d.render_text());
    assert_eq!(d.warning_count(), 0, "{}", d.render_text());
}

#[test]
fn yaml_syntax_error() {
    let site = TestSite::mini();
    site.edit(
        "data/contacts/yokohama.yaml",
        "    field: sodan\n",
        "    field: [sodan\n",
    );
    let d = site.check();
    let diag = d
        .iter()
        .find(|x| x.file == "data/contacts/yokohama.yaml" && x.is_error())
        .expect("an error in yokohama.yaml");
    assert!(diag.line >= 5, "points into the file: {}", d.render_text());
    assert!(diag.hint.is_some());
}

#[test]
fn unknown_key_is_an_error_with_suggestion() {
    let site = TestSite::mini();
    site.edit(
        "data/contacts/yokohama.yaml",
        "    detail: 医療的ケア児に関する全般\n",
        "    detial: 医療的ケア児に関する全般\n",
    );
    let d = site.check();
    let diag = expect_diag(&d, "data/contacts/yokohama.yaml", 7, "不明なキー `detial`");
    assert!(
        diag.hint.as_deref().unwrap_or("").contains("`detail`"),
        "{}",
        d.render_text()
    );
}

#[test]
fn missing_required_key() {
    let site = TestSite::mini();
    site.edit(
        "data/contacts/chigasaki.yaml",
        "    field: shogai-fukushi\n",
        "",
    );
    let d = site.check();
    let diag = d
        .iter()
        .find(|x| {
            x.file == "data/contacts/chigasaki.yaml" && x.message.contains("必須のキー `field`")
        })
        .unwrap_or_else(|| panic!("{}", d.render_text()));
    assert!(diag.line >= 4);
}

#[test]
fn unknown_field_id_names_nearest() {
    let site = TestSite::mini();
    site.edit(
        "data/contacts/yokohama.yaml",
        "field: sodan",
        "field: sodann",
    );
    let d = site.check();
    let diag = expect_diag(&d, "data/contacts/yokohama.yaml", 5, "分野 `sodann`");
    assert_eq!(diag.column, 12);
    assert!(diag.hint.as_deref().unwrap().contains("`sodan`"));
}

#[test]
fn unknown_municipality_in_contacts() {
    let site = TestSite::mini();
    site.edit(
        "data/contacts/kawasaki.yaml",
        "municipality: kawasaki",
        "municipality: kawasaky",
    );
    let d = site.check();
    let diag = expect_diag(&d, "data/contacts/kawasaki.yaml", 1, "市町村 `kawasaky`");
    assert!(diag.hint.as_deref().unwrap().contains("`kawasaki`"));
}

#[test]
fn contacts_file_name_must_match_municipality() {
    let site = TestSite::mini();
    site.edit(
        "data/contacts/kawasaki.yaml",
        "municipality: kawasaki",
        "municipality: chigasaki",
    );
    let d = site.check();
    expect_diag(
        &d,
        "data/contacts/kawasaki.yaml",
        1,
        "ファイル名 `kawasaki.yaml` と合っていません",
    );
    expect_diag(&d, "data/contacts/kawasaki.yaml", 1, "2つのファイルで定義");
}

#[test]
fn municipality_defined_twice() {
    let site = TestSite::mini();
    let text = site.read("data/municipalities.yaml");
    site.write(
        "data/municipalities.yaml",
        &format!(
            "{text}- code: \"141003\"\n  name: 横浜市\n  kana: よこはまし\n  slug: yokohama\n"
        ),
    );
    let d = site.check();
    expect_diag(
        &d,
        "data/municipalities.yaml",
        16,
        "市町村スラッグ `yokohama` が2回",
    );
    expect_diag(
        &d,
        "data/municipalities.yaml",
        13,
        "市町村コード `141003` が2回",
    );
}

#[test]
fn region_lists_unknown_municipality() {
    let site = TestSite::mini();
    site.edit(
        "data/regions.yaml",
        "[yokohama, kawasaki]",
        "[yokohama, kawasaki, yokosuka]",
    );
    let d = site.check();
    expect_diag(
        &d,
        "data/regions.yaml",
        4,
        "市町村 `yokosuka` は municipalities.yaml にありません",
    );
}

#[test]
fn municipality_in_no_region() {
    let site = TestSite::mini();
    site.edit("data/regions.yaml", "[chigasaki]", "[]");
    let d = site.check();
    expect_diag(
        &d,
        "data/municipalities.yaml",
        12,
        "`chigasaki` がどの地域にも入っていません",
    );
}

#[test]
fn municipality_in_two_regions() {
    let site = TestSite::mini();
    site.edit("data/regions.yaml", "[chigasaki]", "[chigasaki, kawasaki]");
    let d = site.check();
    expect_diag(&d, "data/regions.yaml", 8, "2つの地域に入っています");
}

#[test]
fn general_only_on_first_window() {
    let site = TestSite::mini();
    site.edit(
        "data/contacts/yokohama.yaml",
        "    field: shogai-fukushi\n",
        "    field: shogai-fukushi\n    general: true\n",
    );
    let d = site.check();
    expect_diag(&d, "data/contacts/yokohama.yaml", 13, "最初の窓口にだけ");
}

#[test]
fn window_without_any_contact() {
    let site = TestSite::mini();
    site.edit(
        "data/contacts/kawasaki.yaml",
        "    note: お住まいの区の窓口へお問い合わせください。\n",
        "",
    );
    let d = site.check();
    expect_diag(&d, "data/contacts/kawasaki.yaml", 4, "連絡先がありません");
}

#[test]
fn malformed_phone_numbers() {
    let site = TestSite::mini();
    site.edit("data/contacts/yokohama.yaml", "045-000-0002", "45-000-0002");
    site.edit(
        "data/facilities/yokohama.yaml",
        "045-000-1001",
        "０４５－０００－１００１",
    );
    let d = site.check();
    expect_diag(
        &d,
        "data/contacts/yokohama.yaml",
        13,
        "電話番号 `45-000-0002` の形が正しくありません",
    );
    let full = expect_diag(&d, "data/facilities/yokohama.yaml", 7, "全角文字");
    assert!(full.hint.as_deref().unwrap().contains("045-000-1001"));
}

#[test]
fn tel_kind_rules() {
    let site = TestSite::mini();
    site.edit(
        "data/contacts/yokohama.yaml",
        "tel_kind: main",
        "tel_kind: mian",
    );
    site.edit("data/contacts/yokohama.yaml", "    tel_kind: direct\n", "");
    let d = site.check();
    expect_diag(
        &d,
        "data/contacts/yokohama.yaml",
        13,
        "tel_kind `mian` は使えません",
    );
    expect_diag(
        &d,
        "data/contacts/yokohama.yaml",
        8,
        "tel_kind (直通/代表) がありません",
    );
}

#[test]
fn only_http_urls() {
    let site = TestSite::mini();
    site.edit(
        "data/contacts/yokohama.yaml",
        "url: https://example.jp/yokohama",
        "url: javascript:alert(1)",
    );
    let d = site.check();
    expect_diag(
        &d,
        "data/contacts/yokohama.yaml",
        10,
        "URL `javascript:alert(1)` は使えません",
    );
}

#[test]
fn invalid_dates() {
    let site = TestSite::mini();
    site.edit(
        "data/contacts/chigasaki.yaml",
        "updated: 2025-03-01",
        "updated: 2025-02-30",
    );
    site.edit("data/site.yaml", "  - date: 2025-04-01", "  - date: R7.4.1");
    let d = site.check();
    expect_diag(
        &d,
        "data/contacts/chigasaki.yaml",
        2,
        "`2025-02-30` は日付として読めません",
    );
    expect_diag(&d, "data/site.yaml", 14, "`R7.4.1` は日付として読めません");
}

#[test]
fn empty_file() {
    let site = TestSite::mini();
    site.write("data/contacts/kawasaki.yaml", "# 空\n\n");
    let d = site.check();
    expect_diag(&d, "data/contacts/kawasaki.yaml", 0, "ファイルが空です");
}

#[test]
fn non_utf8_file() {
    let site = TestSite::mini();
    // 「障害福祉課」 in Shift_JIS, as Excel or an old editor would save it.
    let mut bytes = b"municipality: kawasaki\nupdated: 2025-03-01\nwindows:\n  - name: ".to_vec();
    bytes.extend_from_slice(&[0x8f, 0xe1, 0x8a, 0x51, 0x95, 0x9f, 0x8e, 0x83, 0x89, 0xdb]);
    site.write("data/contacts/kawasaki.yaml", "");
    std::fs::write(site.path("data/contacts/kawasaki.yaml"), bytes).unwrap();
    let d = site.check();
    let diag = expect_diag(&d, "data/contacts/kawasaki.yaml", 4, "UTF-8 ではありません");
    assert_eq!(diag.column, 11);
}

#[test]
fn duplicate_facility_ids_across_files() {
    let site = TestSite::mini();
    let text = site.read("data/facilities/yokohama.yaml");
    site.write(
        "data/facilities/kawasaki.yaml",
        &text.replace("municipality: yokohama", "municipality: kawasaki"),
    );
    let d = site.check();
    let diag = expect_diag(
        &d,
        "data/facilities/yokohama.yaml",
        1,
        "施設 ID `yokohama-hikari` が2回",
    );
    assert!(
        diag.hint
            .as_deref()
            .unwrap()
            .contains("data/facilities/kawasaki.yaml:1")
    );
}

#[test]
fn unknown_care_and_type_ids() {
    let site = TestSite::mini();
    site.edit(
        "data/facilities/yokohama.yaml",
        "type: home-nursing",
        "type: home-nurse",
    );
    site.edit(
        "data/facilities/yokohama.yaml",
        "[ventilator, tracheostomy]",
        "[ventilator, trach]",
    );
    let d = site.check();
    let t = expect_diag(
        &d,
        "data/facilities/yokohama.yaml",
        4,
        "施設種別 `home-nurse`",
    );
    assert!(t.hint.as_deref().unwrap().contains("`home-nursing`"));
    expect_diag(&d, "data/facilities/yokohama.yaml", 8, "医療的ケア `trach`");
}

#[test]
fn facility_in_file_of_other_municipality() {
    let site = TestSite::mini();
    site.edit(
        "data/facilities/yokohama.yaml",
        "municipality: yokohama",
        "municipality: kawasaki",
    );
    let d = site.check();
    expect_diag(
        &d,
        "data/facilities/yokohama.yaml",
        5,
        "このファイル (yokohama) と違います",
    );
}

#[test]
fn bad_municipality_code_and_kana() {
    let site = TestSite::mini();
    site.edit("data/municipalities.yaml", "\"141305\"", "\"141306\"");
    site.edit(
        "data/municipalities.yaml",
        "kana: ちがさきし",
        "kana: チガサキシ",
    );
    let d = site.check();
    expect_diag(
        &d,
        "data/municipalities.yaml",
        5,
        "市町村コード `141306` が正しくありません",
    );
    expect_diag(&d, "data/municipalities.yaml", 11, "ひらがなで");
}

#[test]
fn low_contrast_field_color() {
    let site = TestSite::mini();
    site.edit(
        "data/fields.yaml",
        "color: \"#AD1457\"",
        "color: \"#F9A825\"",
    );
    let d = site.check();
    expect_diag(&d, "data/fields.yaml", 9, "コントラスト比");
}

#[test]
fn warnings_missing_contacts_and_stale_data() {
    let site = TestSite::mini();
    std::fs::remove_file(site.path("data/contacts/chigasaki.yaml")).unwrap();
    site.edit(
        "data/contacts/kawasaki.yaml",
        "updated: 2025-03-01",
        "updated: 2024-03-01",
    );
    let d = site.check();
    assert!(!d.has_errors(), "warnings only: {}", d.render_text());
    expect_diag(
        &d,
        "data/municipalities.yaml",
        12,
        "茅ヶ崎市 の窓口ファイルがありません",
    );
    expect_diag(&d, "data/contacts/kawasaki.yaml", 2, "1年以上前");
}

#[test]
fn markdown_problems() {
    let site = TestSite::mini();
    site.edit("content/emergency/index.md", "(/contacts/)", "(/contact/)");
    site.write("content/news.md", "# no front matter\n");
    let d = site.check();
    let link = expect_diag(
        &d,
        "content/emergency/index.md",
        9,
        "リンク先 /contact/ のページがありません",
    );
    assert!(link.hint.as_deref().unwrap().contains("/contacts/"));
    expect_diag(&d, "content/news.md", 1, "front matter");
}

#[test]
fn every_problem_is_reported_at_once() {
    let site = TestSite::mini();
    site.edit("data/contacts/yokohama.yaml", "field: sodan", "field: x1");
    site.edit("data/contacts/chigasaki.yaml", "0467-00-0001", "0467-0001");
    site.edit(
        "data/facilities/yokohama.yaml",
        "type: home-nursing",
        "type: x2",
    );
    let d = site.check();
    assert!(d.error_count() >= 3, "{}", d.render_text());
}

#[test]
fn diagnostics_render_with_source_line() {
    let site = TestSite::mini();
    site.edit(
        "data/contacts/yokohama.yaml",
        "field: sodan",
        "field: sodann",
    );
    let text = site.check().render_text();
    assert!(
        text.contains("--> data/contacts/yokohama.yaml:5:12"),
        "{text}"
    );
    assert!(text.contains("5 |     field: sodann"), "{text}");
    assert!(text.contains("ヒント: もしかして `sodan`"), "{text}");
}

/// Random damage to every data file must give diagnostics, never a panic.
#[test]
fn never_panics_on_damaged_input() {
    let pristine = TestSite::mini();
    let files = [
        "data/site.yaml",
        "data/regions.yaml",
        "data/municipalities.yaml",
        "data/fields.yaml",
        "data/contacts/yokohama.yaml",
        "data/facilities/yokohama.yaml",
        "content/emergency/index.md",
    ];
    let mut seed: u64 = 0x9e3779b97f4a7c15;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for round in 0..60 {
        let site = TestSite::mini();
        let file = files[round % files.len()];
        let mut bytes = std::fs::read(pristine.path(file)).unwrap();
        for _ in 0..1 + next() % 4 {
            let at = (next() as usize) % bytes.len().max(1);
            match next() % 4 {
                0 => bytes.truncate(at),
                1 => bytes.insert(at, b"\t:-[{\"'&*!|>%@`\xff\n"[(next() % 16) as usize]),
                2 if !bytes.is_empty() => {
                    bytes.remove(at.min(bytes.len() - 1));
                }
                _ => bytes.splice(at..at, "  ー\n- ".bytes()).for_each(drop),
            }
        }
        std::fs::write(site.path(file), &bytes).unwrap();
        let result = std::panic::catch_unwind(|| site.check());
        assert!(
            result.is_ok(),
            "check panicked on damaged {file} (round {round})"
        );
    }
}

/// Validation before resolution: invalid data gives no `Checked` (so it is
/// never resolved), yet its pages were rendered and their links checked, so
/// the editors see every problem in one run.
#[test]
fn invalid_data_is_not_checked_but_its_links_are() {
    let site = TestSite::mini();
    site.edit("data/contacts/yokohama.yaml", "field: sodan", "field: x1");
    site.edit("content/emergency/index.md", "(/contacts/)", "(/contact/)");
    let loaded = ohisama::load::load_site(site.root());
    let links =
        ohisama::links::LinkContext::of(&ohisama::theme::Theme::new(site.root(), "default"));
    let (diags, checked) = ohisama::validate::validate(
        &loaded.raw,
        &ohisama::site::ResolveOptions::default(),
        &links,
    );
    assert!(checked.is_none(), "invalid data must not be checked");
    expect_diag(
        &diags,
        "content/emergency/index.md",
        9,
        "リンク先 /contact/ のページがありません",
    );
    assert!(
        diags
            .iter()
            .any(|d| d.file == "data/contacts/yokohama.yaml" && d.is_error()),
        "{}",
        diags.render_text()
    );
}

/// `resolve` takes the pages as validation rendered them (with the base path).
#[test]
fn checked_data_resolves_with_the_pages_rendered_by_validation() {
    let site = TestSite::mini();
    let loaded = ohisama::load::load_site(site.root());
    let links =
        ohisama::links::LinkContext::of(&ohisama::theme::Theme::new(site.root(), "default"));
    let opts = ohisama::site::ResolveOptions {
        base_url: Some("https://example.jp/sub/"),
        drafts: false,
        today: None,
    };
    let (diags, checked) = ohisama::validate::validate(&loaded.raw, &opts, &links);
    let checked = checked.unwrap_or_else(|| panic!("{}", diags.render_text()));
    let resolved = ohisama::site::resolve(checked);
    assert_eq!(resolved.base_path, "/sub/");
    let page = resolved
        .pages
        .iter()
        .find(|p| p.path == "/emergency/")
        .expect("the emergency page");
    assert!(
        page.html.contains("href=\"/sub/contacts/\""),
        "{}",
        page.html
    );
}

/// care.yaml and facility_types.yaml are two types: a key of neither is an
/// unknown key on a kind of care (as the schema says), not silently
/// accepted; `group:` is known to both (the filter's groups on /facilities/).
#[test]
fn care_term_with_an_unknown_key_is_an_error() {
    let site = TestSite::mini();
    site.edit(
        "data/care.yaml",
        "  name: 人工呼吸器\n",
        "  name: 人工呼吸器\n  group: 呼吸\n  color: red\n",
    );
    site.edit(
        "data/facility_types.yaml",
        "  name: 病院\n",
        "  name: 病院\n  group: 医療\n",
    );
    let d = site.check();
    expect_diag(&d, "data/care.yaml", 4, "不明なキー `color`");
    assert!(
        !d.iter().any(|x| x.message.contains("`group`")),
        "{}",
        d.render_text()
    );
    let in_types: Vec<_> = d
        .iter()
        .filter(|x| x.file == "data/facility_types.yaml")
        .collect();
    assert!(in_types.is_empty(), "{}", d.render_text());
}

/// Issue #19: the same problem in many windows of a file is one message
/// listing the lines, at the first one; `--format github` annotates it there.
#[test]
fn the_same_problem_in_many_windows_is_one_message() {
    let site = TestSite::mini();
    let mut text = String::from("municipality: yokohama\nupdated: 2025-04-01\nwindows:\n");
    for i in 0..12 {
        text.push_str(&format!(
            "  - name: 窓口{i}\n    field: fukushi\n    note: x\n"
        ));
    }
    site.write("data/contacts/yokohama.yaml", &text);
    let diags = site.check();
    let fields: Vec<_> = diags
        .iter()
        .filter(|d| d.message.starts_with("分野 `fukushi`"))
        .collect();
    assert_eq!(fields.len(), 1, "{}", diags.render_text());
    let d = fields[0];
    assert_eq!(
        (d.file.as_str(), d.line, d.column),
        ("data/contacts/yokohama.yaml", 5, 12)
    );
    assert!(
        d.message
            .ends_with("(同じ問題が 5, 8, 11, 14, 17, 20, 23, 26 … 38 行目にあります: 12 件)"),
        "{}",
        d.message
    );
    assert_eq!(d.source_line.as_deref(), Some("    field: fukushi"));
    let out = sitekit::ohisama()
        .args(["check", "--format", "github", "--root"])
        .arg(site.root())
        .output()
        .expect("run check");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let annotations: Vec<&str> = stdout.lines().filter(|l| l.contains("fukushi")).collect();
    assert_eq!(annotations.len(), 1, "{stdout}");
    assert!(
        annotations[0].starts_with("::error file=data/contacts/yokohama.yaml,line=5,col=12::"),
        "{stdout}"
    );
}
