//! `ohisama diff OLD NEW`: windows and facilities added, removed and changed
//! (field by field), grouped by municipality, between two fixture versions.

use crate::sitekit;
use ohisama::tools::diff::{DiffFormat, diff_sites};
use std::path::PathBuf;

fn versions() -> (PathBuf, PathBuf) {
    let base = PathBuf::from("tests/fixtures/tools/diff");
    (base.join("old"), base.join("new"))
}

#[test]
fn changes_between_two_versions_as_text() {
    let (old, new) = versions();
    let diff = diff_sites(&old, &new).unwrap_or_else(|d| panic!("{}", d.render_text()));
    assert_eq!(diff.window_counts(), (2, 1, 1));
    assert_eq!(diff.facility_counts(), (1, 1, 1));
    let names: Vec<&str> = diff
        .municipalities
        .iter()
        .map(|m| m.name.as_str())
        .collect();
    assert_eq!(
        names,
        ["横浜市", "川崎市"],
        "in municipality order; 茅ヶ崎市 unchanged"
    );
    let text = diff.render(DiffFormat::Text);
    let expected = "\
データの変更点: tests/fixtures/tools/diff/old → tests/fixtures/tools/diff/new
窓口: 追加 2 件、削除 1 件、変更 1 件
施設: 追加 1 件、削除 1 件、変更 1 件

■ 横浜市
  確認日: 2025-04-01 → 2025-10-01
  窓口
    + 追加: 教育委員会 特別支援教育課 (相談、電話 045-000-0003 (直通))
    * 変更: 障害福祉課
        電話: 045-000-0002 → 045-000-0009
        直通/代表: 代表 → 直通
  施設
    + 追加: ほしクリニック (病院、電話 045-000-1002、ID yokohama-hoshi)
    * 変更: ひかり訪問看護ステーション (ID yokohama-hikari)
        電話: 045-000-1001 → 045-000-1009
        医療的ケア: 人工呼吸器、気管切開 → 人工呼吸器 (削除 気管切開)
        確認日: 2025-03-01 → 2025-09-01

■ 川崎市
  窓口
    + 追加: 川崎市こども家庭センター (相談、各区のこども家庭センターへ。)
    - 削除: 川崎市障害福祉課 (障害福祉、お住まいの区の窓口へお問い合わせください。)
  施設
    - 削除: つばさ短期入所 (病院、電話 044-000-2001、ID kawasaki-tsubasa)
";
    assert_eq!(text, expected, "\n{text}");
}

#[test]
fn markdown_for_the_release_note() {
    let (old, new) = versions();
    let md = diff_sites(&old, &new).unwrap().render(DiffFormat::Markdown);
    assert!(md.starts_with("# データの変更点\n\n- 比較: `"), "{md}");
    assert!(
        md.contains("\n## 横浜市\n\n確認日: 2025-04-01 → 2025-10-01\n\n### 窓口\n\n"),
        "{md}"
    );
    assert!(
        md.contains("- 変更: **障害福祉課**\n  - 電話: 045-000-0002 → 045-000-0009\n"),
        "{md}"
    );
    assert!(md.contains("- 削除: **つばさ短期入所**"), "{md}");
    assert!(!md.contains("\n\n\n"), "{md}");
}

#[test]
fn same_data_has_no_changes() {
    let (old, _) = versions();
    let diff = diff_sites(&old, &old).unwrap();
    assert!(diff.is_empty());
    assert!(diff.render(DiffFormat::Text).contains("変更はありません"));
}

#[test]
fn cli_diff() {
    let (old, new) = versions();
    let out = sitekit::ohisama()
        .arg("diff")
        .args([&old, &new])
        .args(["--format", "markdown"])
        .output()
        .unwrap();
    sitekit::assert_success(&out);
    assert!(String::from_utf8_lossy(&out.stdout).contains("## 川崎市"));
    // A version whose data cannot be read is an error, not "everything removed".
    let tmp = tempfile::tempdir().unwrap();
    let out = sitekit::ohisama()
        .arg("diff")
        .arg(&old)
        .arg(tmp.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
}

/// The changes report becomes a news page of the new edition, which the build
/// renders like any other news item.
#[test]
fn cli_diff_writes_a_news_page_the_build_renders() {
    let tmp = tempfile::tempdir().unwrap();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let copy = |to: &std::path::Path| {
        for sub in ["content", "data", "themes"] {
            let status = std::process::Command::new("cp")
                .arg("-r")
                .arg(root.join(sub))
                .arg(to.join(sub))
                .status()
                .unwrap();
            assert!(status.success());
        }
    };
    let (old, new) = (tmp.path().join("old"), tmp.path().join("new"));
    std::fs::create_dir_all(&old).unwrap();
    std::fs::create_dir_all(&new).unwrap();
    copy(&old);
    copy(&new);
    let file = new.join("data/contacts/chigasaki.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    let first_tel = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("tel: "))
        .unwrap()
        .to_string();
    std::fs::write(&file, text.replacen(&first_tel, "0467-00-9999", 1)).unwrap();

    let news = new.join("content/news/2025-04-01-changes.md");
    let out = sitekit::ohisama()
        .arg("diff")
        .arg(&old)
        .arg(&new)
        .arg("--news")
        .arg(&news)
        .output()
        .unwrap();
    sitekit::assert_success(&out);
    let page = std::fs::read_to_string(&news).unwrap();
    assert!(
        page.starts_with(
            "---\ntitle: 問い合わせ窓口一覧を更新しました(令和7年4月版)\ndate: 2025-04-01\n"
        ),
        "{page}"
    );
    assert!(page.contains(&first_tel) && page.contains("0467-00-9999"));
    // Writing again refuses to overwrite.
    let again = sitekit::ohisama()
        .arg("diff")
        .arg(&old)
        .arg(&new)
        .arg("--news")
        .arg(&news)
        .output()
        .unwrap();
    assert!(!again.status.success());

    let mut o = crate::sitekit::build_options(&new);
    o.pdf = false;
    o.search = false;
    ohisama::build::build(&o).unwrap_or_else(|e| panic!("{}", e.diagnostics().render_text()));
    let rendered =
        std::fs::read_to_string(new.join("dist/news/2025-04-01-changes/index.html")).unwrap();
    assert!(rendered.contains("0467-00-9999"));
    let index = std::fs::read_to_string(new.join("dist/news/index.html")).unwrap();
    assert!(index.contains("問い合わせ窓口一覧を更新しました"));
}
