//! Hostile values through `export`, `import` and `check` (issue #13, item 3):
//! cells a spreadsheet would run as a formula are exported with a `'` guard
//! that import takes off again (the round trip stays byte for byte), and NUL,
//! control characters and stray byte-order marks are refused where they are
//! written: at row and column in a CSV, at file:line:column in YAML and
//! markdown, never printed raw, with nothing written.

use crate::sitekit::{TestSite, TreeSnapshot, ohisama};
use std::path::Path;
use std::process::Output;

const CONTACTS_HEADER: &str = "市町村,名称,分野,各種相談,内容,電話,直通/代表,備考,URL,確認日";

/// data/contacts/hakone.yaml with values a spreadsheet would read as formulas,
/// written exactly as `import` writes them (so the round trip can be compared
/// byte for byte).
const FORMULA_LOOKING_HAKONE: &str = r#"# yaml-language-server: $schema=../../schemas/contacts.schema.json
# 箱根町の窓口 (数式に見える値の見本)
municipality: hakone
updated: 2025-03-31
windows:
  - name: =HYPERLINK("http://evil.example","x")
    field: shogai-fukushi
    detail: +81 から始まる番号には折り返せません
    tel: 0460-00-4638
    tel_kind: direct
    note: "-"
    url: https://example.jp/hakone/fukushi
  - name: "@福祉課"
    field: hoken
    detail: "-5℃ 以下の日は休みます"
    note: "'=x は文字のまま"
    url: https://example.jp/hakone/kenko
  - name: "\t先頭がタブの窓口"
    field: kyufukin
    detail: "\r先頭が CR の内容"
    note: =1+2
    url: https://example.jp/hakone/teate
  - name: ＝全角の等号
    field: kyoiku
    note: "''@引用符が2つ"
    url: https://example.jp/hakone/kyoiku
"#;

fn run(cmd: &mut std::process::Command) -> (Output, String) {
    let out = cmd.output().expect("run ohisama");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out, stderr)
}

fn export_contacts(site: &TestSite, csv: &Path) -> Vec<u8> {
    let (out, err) = run(ohisama()
        .args(["export", "contacts", "--force", "--out"])
        .arg(csv)
        .arg("--root")
        .arg(site.root()));
    assert_eq!(out.status.code(), Some(0), "{err}");
    std::fs::read(csv).expect("exported CSV")
}

/// The cells of a CSV (UTF-8 with BOM) as written, row by row.
fn cells(bytes: &[u8]) -> Vec<Vec<String>> {
    let text = std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").expect("BOM")).unwrap();
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.expect("record").iter().map(str::to_string).collect())
        .collect()
}

#[test]
fn export_guards_formula_cells_and_import_gives_the_yaml_back_byte_for_byte() {
    let site = TestSite::sample();
    site.write("data/contacts/hakone.yaml", FORMULA_LOOKING_HAKONE);
    let csv = site.path("contacts.csv");
    let exported = export_contacts(&site, &csv);
    let rows = cells(&exported);
    let hakone: Vec<&Vec<String>> = rows.iter().filter(|r| r[0] == "箱根町").collect();
    assert_eq!(hakone.len(), 4);
    // name, detail, note of each window (columns B, E, H)
    let got: Vec<[&str; 3]> = hakone
        .iter()
        .map(|r| [r[1].as_str(), r[4].as_str(), r[7].as_str()])
        .collect();
    assert_eq!(
        got,
        [
            [
                "'=HYPERLINK(\"http://evil.example\",\"x\")",
                "'+81 から始まる番号には折り返せません",
                "-", // a lone dash is a placeholder, never a formula
            ],
            ["'@福祉課", "'-5℃ 以下の日は休みます", "''=x は文字のまま",],
            ["'\t先頭がタブの窓口", "'\r先頭が CR の内容", "'=1+2"],
            ["'＝全角の等号", "", "'''@引用符が2つ"],
        ]
    );
    // No cell of the whole export starts a formula.
    for cell in rows.iter().flatten() {
        assert!(
            cell == "-"
                || !cell.starts_with(['=', '+', '-', '@', '\t', '\r', '＝', '＋', '－', '＠']),
            "unguarded cell {cell:?}"
        );
    }

    // Changed after the export, so the YAML compared below is the one import wrote
    // (import keeps the file's leading comments).
    site.edit(
        "data/contacts/hakone.yaml",
        "note: =1+2",
        "note: 書き換え前",
    );
    let (out, err) = run(ohisama()
        .args(["import", "contacts"])
        .arg(&csv)
        .args(["--force", "--root"])
        .arg(site.root()));
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert_eq!(
        site.read("data/contacts/hakone.yaml"),
        FORMULA_LOOKING_HAKONE,
        "import must give back the YAML byte for byte"
    );
    assert_eq!(
        export_contacts(&site, &csv),
        exported,
        "export → import → export"
    );
}

/// Imports `csv_text` (written as UTF-8 with BOM) into a sample site through
/// the binary: exit 1, nothing under data/ or content/ changed, and stderr
/// without the raw character. Returns stderr.
fn refused_import(csv_text: &str, raw: char) -> (String, String) {
    let site = TestSite::sample();
    let csv = site.path("hostile.csv");
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(csv_text.as_bytes());
    std::fs::write(&csv, bytes).unwrap();
    let data = TreeSnapshot::of(&site.path("data"));
    let content = TreeSnapshot::of(&site.path("content"));
    let (out, err) = run(ohisama()
        .args(["import", "contacts"])
        .arg(&csv)
        .args(["--force", "--root"])
        .arg(site.root()));
    assert_eq!(out.status.code(), Some(1), "{err}");
    data.assert_same(&TreeSnapshot::of(&site.path("data")), "data/");
    content.assert_same(&TreeSnapshot::of(&site.path("content")), "content/");
    assert!(
        !err.contains(raw),
        "the raw character reached stderr:\n{err}"
    );
    assert!(err.contains("何も変更していません"), "{err}");
    (csv.display().to_string(), err)
}

/// A contacts CSV whose row 3 has `detail` (column E, 内容) = `cell`.
fn csv_with_detail(cell: &str) -> String {
    format!(
        "{CONTACTS_HEADER}\r\n\
         箱根町,福祉課,障害福祉,,ふつうの内容,0460-00-4638,直通,,,2025-04-01\r\n\
         箱根町,健康福祉課,保健,,{cell},0460-00-3260,直通,,,2025-04-01\r\n"
    )
}

#[test]
fn import_refuses_a_nul_in_a_cell() {
    let (csv, err) = refused_import(&csv_with_detail("訪問\u{0}相談"), '\u{0}');
    assert!(err.contains(&format!("{csv}:3:5")), "{err}");
    assert!(
        err.contains("3行目 E列「内容」: 制御文字 U+0000 (NUL) が入っています (セルの 3 文字目)"),
        "{err}"
    );
    assert!(err.contains("打ち直して"), "{err}");
}

#[test]
fn import_refuses_a_bel_in_a_cell() {
    let (csv, err) = refused_import(&csv_with_detail("\u{7}訪問相談"), '\u{7}');
    assert!(err.contains(&format!("{csv}:3:5")), "{err}");
    assert!(
        err.contains("3行目 E列「内容」: 制御文字 U+0007 (BEL)"),
        "{err}"
    );
}

#[test]
fn import_refuses_a_c1_next_line_in_a_cell() {
    let (csv, err) = refused_import(&csv_with_detail("訪問相談\u{85}"), '\u{85}');
    assert!(err.contains(&format!("{csv}:3:5")), "{err}");
    assert!(
        err.contains("3行目 E列「内容」: 制御文字 U+0085 (NEL)"),
        "{err}"
    );
}

#[test]
fn import_refuses_a_stray_bom_in_a_cell() {
    // At the start of the cell: trimming it away silently is not allowed either.
    let (csv, err) = refused_import(&csv_with_detail("\u{FEFF}訪問相談"), '\u{FEFF}');
    assert!(err.contains(&format!("{csv}:3:5")), "{err}");
    assert!(
        err.contains(
            "3行目 E列「内容」: 見えない文字 U+FEFF (BOM) が入っています (セルの 1 文字目)"
        ),
        "{err}"
    );
}

#[test]
fn import_refuses_an_escape_in_a_header_cell_without_echoing_it() {
    let text = format!(
        "{}\r\n箱根町,福祉課,障害福祉,,,0460-00-4638,直通,,,2025-04-01\r\n",
        CONTACTS_HEADER.replace("備考", "備考\u{1B}[31m")
    );
    let (csv, err) = refused_import(&text, '\u{1B}');
    assert!(err.contains(&format!("{csv}:1:8")), "{err}");
    assert!(err.contains("1行目 H列: 制御文字 U+001B (ESC)"), "{err}");
}

#[test]
fn import_of_a_file_too_large_for_the_yaml_reader_names_the_limit_not_a_bug() {
    // 25,000 windows of 11 values each: more than the reader's 250,000, and
    // far more than the 500 windows a municipality may have.
    let mut text = format!("{CONTACTS_HEADER}\r\n");
    for i in 0..25_000 {
        text.push_str(&format!(
            "箱根町,窓口{i},障害福祉,,内容,0460-00-4638,直通,,,2025-04-01\r\n"
        ));
    }
    let (csv, err) = refused_import(&text, '\u{0}');
    assert!(!err.contains("不具合"), "{err}");
    // The limits of docs/DATA.md (500 windows a municipality) come first, at
    // the row of the first window over.
    assert!(err.contains(&format!("--> {csv}:502:2\n")), "{err}");
    assert!(
        err.contains("502行目 B列: 1つの市町村の窓口が多すぎます (501 件目。上限 500 件)"),
        "{err}"
    );
    assert!(err.contains("窓口をまとめるか"), "{err}");
}

/// `check` of a sample site with one file replaced: exit 1, the sources
/// untouched, stderr without the raw character. Returns stderr.
fn refused_check(rel: &str, text: &str, raw: char) -> String {
    let site = TestSite::sample();
    site.write(rel, text);
    let data = TreeSnapshot::of(&site.path("data"));
    let content = TreeSnapshot::of(&site.path("content"));
    let (out, err) = run(ohisama().arg("check").arg("--root").arg(site.root()));
    assert_eq!(out.status.code(), Some(1), "{err}");
    data.assert_same(&TreeSnapshot::of(&site.path("data")), "data/");
    content.assert_same(&TreeSnapshot::of(&site.path("content")), "content/");
    assert!(
        !err.contains(raw),
        "the raw character reached stderr:\n{err}"
    );
    err
}

fn hakone_with_name(name: &str) -> String {
    let site = TestSite::sample();
    let text = site.read("data/contacts/hakone.yaml");
    assert!(text.contains("  - name: 福祉課\n"));
    text.replacen("  - name: 福祉課\n", &format!("  - name: {name}\n"), 1)
}

#[test]
fn check_refuses_a_nul_in_a_yaml_value() {
    let err = refused_check(
        "data/contacts/hakone.yaml",
        &hakone_with_name("福祉\u{0}課"),
        '\u{0}',
    );
    assert!(
        err.contains(
            "エラー: 制御文字 U+0000 (NUL) が入っています\n  --> data/contacts/hakone.yaml:6:13"
        ),
        "{err}"
    );
    // The line is shown with a visible stand-in, the caret under it.
    assert!(err.contains("6 |   - name: 福祉\u{2400}課\n"), "{err}");
}

#[test]
fn check_refuses_an_escape_character_in_a_yaml_value() {
    let err = refused_check(
        "data/contacts/hakone.yaml",
        &hakone_with_name("\u{1B}[2J福祉課"),
        '\u{1B}',
    );
    assert!(err.contains("data/contacts/hakone.yaml:6:11"), "{err}");
    assert!(err.contains("制御文字 U+001B (ESC)"), "{err}");
}

#[test]
fn check_refuses_a_stray_bom_in_a_yaml_value() {
    let err = refused_check(
        "data/contacts/hakone.yaml",
        &hakone_with_name("福祉課\u{FEFF}"),
        '\u{FEFF}',
    );
    assert!(err.contains("data/contacts/hakone.yaml:6:14"), "{err}");
    assert!(err.contains("見えない文字 U+FEFF (BOM)"), "{err}");
}

#[test]
fn check_refuses_a_control_character_spelt_as_a_yaml_escape() {
    let err = refused_check(
        "data/contacts/hakone.yaml",
        &hakone_with_name("\"福祉\\x07課\""),
        '\u{7}',
    );
    assert!(err.contains("data/contacts/hakone.yaml:6:14"), "{err}");
    assert!(
        err.contains("制御文字 U+0007 (BEL) がエスケープ `\\x07` で書かれています"),
        "{err}"
    );
}

#[test]
fn a_bom_at_the_very_start_of_a_file_is_fine_a_second_one_is_not() {
    let site = TestSite::sample();
    let page = "---\ntitle: BOM の見本\n---\n本文\n";
    let mut one = b"\xEF\xBB\xBF".to_vec();
    one.extend(page.as_bytes());
    std::fs::write(site.path("content/about/bom.md"), &one).unwrap();
    let (out, err) = run(ohisama().arg("check").arg("--root").arg(site.root()));
    assert_eq!(out.status.code(), Some(0), "{err}");

    let err = refused_check(
        "content/about/bom.md",
        &format!("\u{FEFF}\u{FEFF}{page}"),
        '\u{FEFF}',
    );
    assert!(err.contains("content/about/bom.md:1:1"), "{err}");
}

#[test]
fn check_refuses_a_control_character_in_front_matter() {
    let err = refused_check(
        "content/about/bell.md",
        "---\ntitle: お知らせ\u{7}\n---\n本文\n",
        '\u{7}',
    );
    assert!(
        err.contains("制御文字 U+0007 (BEL) が入っています\n  --> content/about/bell.md:2:12"),
        "{err}"
    );
}

#[test]
fn check_refuses_a_c1_control_in_a_page_body() {
    let err = refused_check(
        "content/about/nel.md",
        "---\ntitle: 見本\n---\n\n段落の途中に\u{85}があります\n",
        '\u{85}',
    );
    assert!(
        err.contains("制御文字 U+0085 (NEL) が入っています\n  --> content/about/nel.md:5:7"),
        "{err}"
    );
}

#[test]
fn check_refuses_a_control_character_spelt_as_a_character_reference() {
    let err = refused_check(
        "content/about/ref.md",
        "---\ntitle: 見本\n---\n\nベル &#7; と &#x9B;[31m\n",
        '\u{7}',
    );
    assert!(err.contains("content/about/ref.md:5:4"), "{err}");
    assert!(err.contains("content/about/ref.md:5:11"), "{err}");
    assert!(
        err.contains("制御文字 U+009B (CSI) が文字参照 `&#x9B;` で書かれています"),
        "{err}"
    );
}
