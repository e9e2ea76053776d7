//! `ohisama import` / `ohisama export`: CSV as Excel saves it → YAML → CSV is
//! byte for byte the same; the whole sample survives YAML → CSV → YAML; bad
//! CSVs give row-numbered Japanese errors and write nothing.

use crate::sitekit;
use ohisama::diagnostic::Diagnostics;
use ohisama::tools::csv_io::{self, DataKind, ImportOptions, ImportReport};
use ohisama::tools::data::{contacts_of, facilities_of};
use sitekit::ohisama;
use sitekit::{copy_dir, repo_root};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A copy of the sample site's content/ and data/ (enough to import and check).
fn sample_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for sub in ["content", "data", "schemas"] {
        copy_dir(&repo_root().join(sub), &dir.path().join(sub));
    }
    dir
}

fn fixture(name: &str) -> PathBuf {
    repo_root().join("tests/fixtures/tools").join(name)
}

/// Every file under `dir` with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path()
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

fn import(
    kind: DataKind,
    root: &Path,
    csv: &Path,
    force: bool,
) -> Result<ImportReport, Diagnostics> {
    csv_io::import(
        kind,
        &ImportOptions {
            root: root.to_path_buf(),
            csv: csv.to_path_buf(),
            force,
        },
    )
}

fn check_ok(root: &Path) -> Diagnostics {
    let opts = crate::sitekit::build_options(root);
    match ohisama::build::check(&opts) {
        Ok((_, d)) => d,
        Err(d) => panic!("check failed:\n{}", d.render_text()),
    }
}

fn remove_yaml_files(dir: &Path) {
    for e in std::fs::read_dir(dir).unwrap() {
        std::fs::remove_file(e.unwrap().path()).unwrap();
    }
}

#[test]
fn contacts_csv_to_yaml_to_csv_is_byte_for_byte() {
    let site = sample_copy();
    remove_yaml_files(&site.path().join("data/contacts"));
    let csv = fixture("contacts.csv");
    let report = import(DataKind::Contacts, site.path(), &csv, false)
        .unwrap_or_else(|d| panic!("{}", d.render_text()));
    assert_eq!(report.rows, 6);
    let written: Vec<&str> = report.written.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(
        written,
        [
            "data/contacts/yokohama.yaml",
            "data/contacts/chigasaki.yaml",
            "data/contacts/hakone.yaml"
        ]
    );
    check_ok(site.path());
    let yaml = std::fs::read_to_string(site.path().join("data/contacts/yokohama.yaml")).unwrap();
    assert!(
        yaml.starts_with("# yaml-language-server: $schema=../../schemas/contacts.schema.json\n"),
        "{yaml}"
    );
    assert!(
        yaml.contains("    field: sodan\n    general: true\n"),
        "{yaml}"
    );
    assert!(yaml.contains("    tel: \"#7119\"\n"), "{yaml}");
    let hakone = std::fs::read_to_string(site.path().join("data/contacts/hakone.yaml")).unwrap();
    assert!(hakone.contains("    detail: \"true\"\n"), "{hakone}");
    assert_exports_as(DataKind::Contacts, site.path(), &csv);
}

/// The site's data exported as CSV is byte for byte the file `csv`.
#[track_caller]
fn assert_exports_as(kind: DataKind, site: &Path, csv: &Path) {
    let exported = csv_io::export(kind, site).unwrap();
    let original = std::fs::read(csv).unwrap();
    assert!(
        exported == original,
        "export differs from the imported CSV:\n{}\n---\n{}",
        String::from_utf8_lossy(&exported),
        String::from_utf8_lossy(&original)
    );
}

#[test]
fn facilities_csv_to_yaml_to_csv_is_byte_for_byte() {
    let site = sample_copy();
    remove_yaml_files(&site.path().join("data/facilities"));
    let csv = fixture("facilities.csv");
    let report = import(DataKind::Facilities, site.path(), &csv, false)
        .unwrap_or_else(|d| panic!("{}", d.render_text()));
    assert_eq!(report.written.len(), 2);
    check_ok(site.path());
    let yaml = std::fs::read_to_string(site.path().join("data/facilities/yokohama.yaml")).unwrap();
    assert!(
        yaml.contains("  care: [ventilator, tracheostomy, suction]\n"),
        "{yaml}"
    );
    assert!(
        yaml.contains("  note: \"土日も対応します。\\n要相談\"\n"),
        "{yaml}"
    );
    assert_exports_as(DataKind::Facilities, site.path(), &csv);
}

#[test]
fn export_is_utf8_with_bom_and_crlf() {
    let bytes = csv_io::export(DataKind::Contacts, &repo_root()).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF\xE5\xB8\x82\xE7\x94\xBA\xE6\x9D\x91,"));
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    assert!(
        text.starts_with("市町村,名称,分野,各種相談,内容,電話,直通/代表,備考,URL,受付時間,祝日・年末年始,所在地,FAX,窓口の種類,区,確認日\r\n")
    );
    assert_eq!(text.matches('\n').count(), text.matches("\r\n").count());
    assert!(text.contains("\r\n横浜市,横浜市医療的ケア児・者等コーディネーター相談窓口,相談,○,"));
}

#[test]
fn whole_sample_survives_yaml_to_csv_to_yaml() {
    let site = sample_copy();
    let before = ohisama::load::load_site(site.path());
    let dir = tempfile::tempdir().unwrap();
    for kind in [DataKind::Contacts, DataKind::Facilities] {
        let csv = dir.path().join(format!("{}.csv", kind.word()));
        std::fs::write(&csv, csv_io::export(kind, site.path()).unwrap()).unwrap();
        // Without --force nothing is overwritten.
        let refused = import(kind, site.path(), &csv, false).unwrap_err();
        assert!(refused.iter().any(|d| d.message.contains("既にあります")));
        import(kind, site.path(), &csv, true).unwrap_or_else(|d| panic!("{}", d.render_text()));
        // The YAML written exports to the same CSV again.
        assert_eq!(
            csv_io::export(kind, site.path()).unwrap(),
            std::fs::read(&csv).unwrap()
        );
    }
    let after = ohisama::load::load_site(site.path());
    assert!(!after.diagnostics.has_errors());
    assert_eq!(contacts_of(&before.raw), contacts_of(&after.raw));
    assert_eq!(facilities_of(&before.raw), facilities_of(&after.raw));
    assert_eq!(contacts_of(&after.raw).len(), 33);
    assert!(facilities_of(&after.raw).len() > 300);
    let d = check_ok(site.path());
    assert!(!d.has_errors());
    // Comments at the top of the files are kept.
    let text = std::fs::read_to_string(site.path().join("data/contacts/zama.yaml")).unwrap();
    assert!(text.starts_with(
        "# yaml-language-server: $schema=../../schemas/contacts.schema.json\n# 座間市の"
    ));
}

#[test]
fn sample_csvs_import_into_the_sample_site() {
    let site = sample_copy();
    // UTF-8 with BOM, dates as Excel shows them (2025/10/1).
    let r = import(
        DataKind::Contacts,
        site.path(),
        &repo_root().join("examples/csv/contacts-chigasaki.csv"),
        true,
    )
    .unwrap_or_else(|d| panic!("{}", d.render_text()));
    assert_eq!(r.encoding, csv_io::CsvEncoding::Utf8Bom);
    // Shift_JIS as Excel on Japanese Windows saves it; ids and names mixed.
    let r = import(
        DataKind::Facilities,
        site.path(),
        &repo_root().join("examples/csv/facilities-hakone-sjis.csv"),
        true,
    )
    .unwrap_or_else(|d| panic!("{}", d.render_text()));
    assert_eq!(r.encoding, csv_io::CsvEncoding::ShiftJis);
    check_ok(site.path());
    let loaded = ohisama::load::load_site(site.path());
    let chigasaki = contacts_of(&loaded.raw)
        .into_iter()
        .find(|(f, _)| f.ends_with("chigasaki.yaml"))
        .unwrap()
        .1;
    assert_eq!(chigasaki.updated.value, "2025-10-01");
    assert_eq!(chigasaki.windows.len(), 8);
    let hakone: Vec<_> = facilities_of(&loaded.raw)
        .into_iter()
        .filter(|(_, f)| f.municipality.value == "hakone")
        .map(|(_, f)| f)
        .collect();
    let care =
        |i: usize| -> Vec<String> { hakone[i].care.iter().map(|c| c.value.clone()).collect() };
    assert_eq!(hakone.len(), 2);
    assert_eq!(hakone[0].kind.value, "clinic");
    assert_eq!(care(0), ["blood-glucose", "seizure-care"]);
    assert_eq!(hakone[0].ages.as_deref(), Some("0歳〜中学生"));
    assert_eq!(
        hakone[1].updated.as_ref().map(|u| u.value.as_str()),
        Some("2025-04-01")
    );
    assert_eq!(care(1).len(), 10);
    assert_eq!(care(1)[0], "ventilator");
}

/// Imports a bad CSV into a sample copy: must fail, name the row, and write nothing.
fn expect_row_error(kind: DataKind, csv: &Path, row: u32, needle: &str) -> Diagnostics {
    let site = sample_copy();
    let before = snapshot(site.path());
    let d = import(kind, site.path(), csv, true).expect_err("import must fail");
    assert_eq!(snapshot(site.path()), before, "nothing may be written");
    let file = csv.display().to_string();
    assert!(
        d.iter()
            .any(|x| x.is_error() && x.file == file && x.line == row && x.message.contains(needle)),
        "no error at {file}:{row} containing {needle:?}:\n{}",
        d.render_text()
    );
    d
}

#[test]
fn missing_column_names_the_column_and_the_header() {
    let d = expect_row_error(
        DataKind::Contacts,
        &fixture("bad-missing-column.csv"),
        1,
        "「確認日」がありません",
    );
    let diag = d.iter().find(|x| x.message.contains("確認日")).unwrap();
    assert!(
        diag.expected
            .as_deref()
            .unwrap()
            .contains("市町村,名称,分野,各種相談,内容,電話,直通/代表,備考,URL,受付時間,祝日・年末年始,所在地,FAX,窓口の種類,区,確認日")
    );
}

#[test]
fn unknown_field_name_suggests_the_nearest() {
    let d = expect_row_error(
        DataKind::Contacts,
        &fixture("bad-unknown-field.csv"),
        3,
        "「障害福址」は分野の一覧",
    );
    let diag = d.iter().find(|x| x.line == 3).unwrap();
    assert_eq!(diag.column, 3);
    assert!(
        diag.message.contains("3行目 C列「分野」"),
        "{}",
        diag.message
    );
    assert!(diag.hint.as_deref().unwrap().contains("「障害福祉」"));
}

#[test]
fn broken_encoding_is_an_error_at_its_row() {
    let d = expect_row_error(
        DataKind::Contacts,
        &fixture("bad-encoding.csv"),
        3,
        "文字コードを読み取れません",
    );
    assert!(
        d.iter()
            .next()
            .unwrap()
            .hint
            .as_deref()
            .unwrap()
            .contains("CSV UTF-8")
    );
}

#[test]
fn phone_number_excel_turned_into_a_number() {
    let d = expect_row_error(
        DataKind::Contacts,
        &fixture("bad-phone-number.csv"),
        2,
        "先頭の 0 が消えています",
    );
    let diag = d.iter().find(|x| x.line == 2).unwrap();
    assert_eq!(diag.column, 6);
    assert!(diag.hint.as_deref().unwrap().contains("文字列"));
}

#[test]
fn excel_date_serial_is_an_error_with_the_date_in_the_hint() {
    let d = expect_row_error(
        DataKind::Contacts,
        &fixture("bad-excel-date.csv"),
        4,
        "数値になっています",
    );
    let diag = d.iter().find(|x| x.line == 4).unwrap();
    assert!(
        diag.hint
            .as_deref()
            .unwrap()
            .contains("45748 は 2025-04-01")
    );
}

/// Writes a CSV (UTF-8 with BOM, CRLF) from lines.
fn csv_file(dir: &Path, name: &str, lines: &[&str]) -> PathBuf {
    let path = dir.join(name);
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(lines.join("\r\n").into_bytes());
    std::fs::write(&path, bytes).unwrap();
    path
}

const CONTACTS_HEADER: &str = "市町村,名称,分野,各種相談,内容,電話,直通/代表,備考,URL,確認日";
const FACILITIES_HEADER: &str =
    "ID,名称,よみ,種別,市町村,住所,電話,URL,医療的ケア,対象年齢,備考,確認日";

#[test]
fn more_excel_pitfalls_and_row_checks() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, &[&str], u32, &str); 9] = [
        (
            "full-width",
            &[
                CONTACTS_HEADER,
                "横浜市,課,相談,,,０４５-000-0001,直通,,,2025-04-01",
            ],
            2,
            "全角",
        ),
        (
            "no-hyphen",
            &[
                CONTACTS_HEADER,
                "横浜市,課,相談,,,0450000001,直通,,,2025-04-01",
            ],
            2,
            "ハイフンがありません",
        ),
        (
            "unknown-municipality",
            &[
                CONTACTS_HEADER,
                "横浜,課,相談,,,045-000-0001,直通,,,2025-04-01",
            ],
            2,
            "「横浜」は市町村の一覧",
        ),
        (
            "general-not-first",
            &[
                CONTACTS_HEADER,
                "横浜市,課A,相談,,,045-000-0001,直通,,,2025-04-01",
                "横浜市,課B,相談,○,,045-000-0002,直通,,,2025-04-01",
            ],
            3,
            "最初の窓口にだけ",
        ),
        (
            "tel-without-kind",
            &[
                CONTACTS_HEADER,
                "横浜市,課,相談,,,045-000-0001,,,,2025-04-01",
            ],
            2,
            "直通か代表か",
        ),
        (
            "no-contact",
            &[CONTACTS_HEADER, "横浜市,課,相談,,内容だけ,,,,,2025-04-01"],
            2,
            "連絡先",
        ),
        (
            "no-date",
            &[CONTACTS_HEADER, "横浜市,課,相談,,,045-000-0001,直通,,,"],
            2,
            "確認日が1つもありません",
        ),
        (
            "unknown-header",
            &[
                "市町村,名称,分野,各種相談,内容,電話番号,直通/代表,備考,URL,確認日",
                "横浜市,課,相談,,,045-000-0001,直通,,,2025-04-01",
            ],
            1,
            "知らない見出し「電話番号」",
        ),
        (
            "shifted-columns",
            &[
                CONTACTS_HEADER,
                "横浜市,課,相談,,,045-000-0001,直通,,,2025-04-01,余り",
            ],
            2,
            "見出しのない列",
        ),
    ];
    for (name, lines, row, needle) in cases {
        let csv = csv_file(dir.path(), &format!("{name}.csv"), lines);
        expect_row_error(DataKind::Contacts, &csv, row, needle);
    }
    let facilities: [(&str, &[&str], u32, &str); 5] = [
        (
            "bad-id",
            &[FACILITIES_HEADER, "Yokohama_Clinic,名,,病院,横浜市,,,,,,,"],
            2,
            "ID「Yokohama_Clinic」",
        ),
        (
            "dup-id",
            &[
                FACILITIES_HEADER,
                "yokohama-x,名,,病院,横浜市,,,,,,,",
                "yokohama-x,名2,,病院,横浜市,,,,,,,",
            ],
            3,
            "2行目と同じ",
        ),
        (
            "id-in-other-file",
            &[
                FACILITIES_HEADER,
                "hakone-yui-kodomo-clinic,名,,病院,横浜市,,,,,,,",
            ],
            2,
            "data/facilities/hakone.yaml",
        ),
        (
            "unknown-care",
            &[
                FACILITIES_HEADER,
                "yokohama-x,名,,病院,横浜市,,,,人工呼吸機;吸引,,,",
            ],
            2,
            "「人工呼吸機」は医療的ケアの一覧",
        ),
        (
            "unknown-type",
            &[FACILITIES_HEADER, "yokohama-x,名,,病医院,横浜市,,,,,,,"],
            2,
            "施設種別の一覧",
        ),
    ];
    for (name, lines, row, needle) in facilities {
        let csv = csv_file(dir.path(), &format!("{name}.csv"), lines);
        expect_row_error(DataKind::Facilities, &csv, row, needle);
    }
    // A contacts CSV given to `import facilities` says so.
    let d = expect_row_error(
        DataKind::Facilities,
        &fixture("contacts.csv"),
        1,
        "「ID」がありません",
    );
    assert!(d.iter().any(|x| {
        x.hint
            .as_deref()
            .unwrap_or("")
            .contains("ohisama import contacts")
    }));
}

#[test]
fn every_problem_of_a_csv_is_reported_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let csv = csv_file(
        dir.path(),
        "many.csv",
        &[
            CONTACTS_HEADER,
            "横浜市,課A,相談,,,450000001,直通,,,2025-04-01",
            "横浜市,課B,障害福址,,,045-000-0002,直通,,,2025-04-01",
            "横浜市,課C,相談,,,045-000-0003,直通,,,45748",
        ],
    );
    let site = sample_copy();
    let d = import(DataKind::Contacts, site.path(), &csv, true).unwrap_err();
    let rows: Vec<u32> = d.iter().filter(|x| x.is_error()).map(|x| x.line).collect();
    assert_eq!(rows, [2, 3, 4], "{}", d.render_text());
}

#[test]
fn old_date_is_a_warning_at_its_row() {
    let dir = tempfile::tempdir().unwrap();
    let csv = csv_file(
        dir.path(),
        "old.csv",
        &[
            CONTACTS_HEADER,
            "横浜市,課,相談,,,045-000-0001,直通,,,2023/4/1",
        ],
    );
    let site = sample_copy();
    let report = import(DataKind::Contacts, site.path(), &csv, true).unwrap();
    let w = report.warnings.iter().next().expect("a warning");
    assert_eq!(
        (w.line, w.column),
        (2, 10),
        "{}",
        report.warnings.render_text()
    );
    assert!(w.message.contains("1年以上前"));
}

#[test]
fn tab_separated_and_utf16_are_read_too() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "{}\r\n横浜市\t課\t相談\t\t\t045-000-0001\t直通\t\t\t2025-04-01\r\n",
        CONTACTS_HEADER.replace(',', "\t")
    );
    let mut bytes = vec![0xFF, 0xFE];
    for u in text.encode_utf16() {
        bytes.extend(u.to_le_bytes());
    }
    let csv = dir.path().join("unicode.txt");
    std::fs::write(&csv, bytes).unwrap();
    let site = sample_copy();
    let r = import(DataKind::Contacts, site.path(), &csv, true).unwrap();
    assert_eq!(r.written.len(), 1);
    check_ok(site.path());
}

#[test]
fn cli_import_and_export() {
    let site = sample_copy();
    let csv = fixture("bad-phone-number.csv");
    let out = ohisama()
        .args(["import", "contacts"])
        .arg(&csv)
        .arg("--root")
        .arg(site.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("{}:2:6", csv.display())), "{err}");
    assert!(err.contains("何も変更していません"), "{err}");

    let exported = site.path().join("contacts.csv");
    let out = ohisama()
        .args(["export", "contacts", "--format", "csv", "--out"])
        .arg(&exported)
        .arg("--root")
        .arg(site.path())
        .output()
        .unwrap();
    sitekit::assert_success(&out);
    // A second export does not overwrite the CSV someone may be editing.
    let again = ohisama()
        .args(["export", "contacts", "--out"])
        .arg(&exported)
        .arg("--root")
        .arg(site.path())
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(1));
    let stdout = ohisama()
        .args(["export", "facilities", "--out", "-", "--root"])
        .arg(site.path())
        .output()
        .unwrap();
    assert!(stdout.stdout.starts_with("\u{FEFF}ID,名称,".as_bytes()));

    let ok = ohisama()
        .args(["import", "contacts"])
        .arg(&exported)
        .args(["--force", "--root"])
        .arg(site.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&ok.stderr);
    assert!(ok.status.success(), "{err}");
    assert!(
        err.contains("書き出しました: data/contacts/yokohama.yaml"),
        "{err}"
    );
    assert!(err.contains("検査: 問題ありません"), "{err}");
}

/// The tools read `data/` only: a broken markdown page neither stops an
/// export nor is parsed (`load_data` has no pages), while `load_site` sees it.
#[test]
fn tools_read_the_data_without_the_pages() {
    let site = sample_copy();
    std::fs::write(
        site.path().join("content/broken.md"),
        "---\ntitle: [unclosed\n---\n",
    )
    .unwrap();
    let data = ohisama::load::load_data(site.path());
    assert!(data.raw.pages.is_empty());
    assert!(!data.raw.contacts.is_empty() && !data.raw.facilities.is_empty());
    assert!(
        data.diagnostics
            .iter()
            .all(|d| !d.file.starts_with("content/")),
        "{}",
        data.diagnostics.render_text()
    );
    let whole = ohisama::load::load_site(site.path());
    assert!(
        whole
            .diagnostics
            .iter()
            .any(|d| d.file == "content/broken.md")
    );
    let (vocab, _) = ohisama::tools::data::Vocab::load(site.path()).expect("vocabularies load");
    assert!(vocab.ids.municipalities.contains("yokohama"));
    assert_eq!(vocab.ids.municipalities.len(), vocab.municipalities.len());
}

/// Issue #19: a column of 134 bad dates is one error listing the rows, at the
/// first row's place (so an editor jumps there), and nothing is written.
#[test]
fn a_column_of_bad_dates_is_one_grouped_error() {
    let dir = sample_copy();
    let header = "市町村,名称,分野,各種相談,内容,電話,直通/代表,備考,URL,確認日";
    let mut csv = format!("\u{feff}{header}\r\n");
    for i in 0..134 {
        csv.push_str(&format!(
            "横浜市,窓口{i},障害福祉,,,045-000-{:04},直通,,,2025/13/{}\r\n",
            1000 + i,
            i % 28 + 1
        ));
    }
    // Two rows of another problem stay two messages (grouping starts at 3).
    csv.push_str("横浜市,窓口a,ふくし,,,045-000-2000,直通,,,2025-04-01\r\n");
    csv.push_str("横浜市,窓口b,ふくし,,,045-000-2001,直通,,,2025-04-01\r\n");
    let path = dir.path().join("bad.csv");
    std::fs::write(&path, csv).unwrap();
    let before = snapshot(dir.path());
    let diags = import(DataKind::Contacts, dir.path(), &path, true).expect_err("bad dates");
    let dates: Vec<_> = diags
        .iter()
        .filter(|d| d.message.contains("確認日"))
        .collect();
    assert_eq!(dates.len(), 1, "{}", diags.render_text());
    let d = dates[0];
    assert_eq!((d.line, d.column), (2, 10));
    assert!(
        d.message
            .starts_with("2行目 J列「確認日」: 確認日「2025/13/1」は日付として読めません")
            && d.message
                .ends_with("(同じ問題が 2, 3, 4, 5, 6, 7, 8, 9 … 135 行目にあります: 134 件)"),
        "{}",
        d.message
    );
    assert!(d.hint.as_deref().is_some_and(|h| h.contains("2025-04-01")));
    let fields = diags.iter().filter(|d| d.message.contains("「ふくし」"));
    assert_eq!(fields.count(), 2, "{}", diags.render_text());
    assert_eq!(snapshot(dir.path()), before, "import wrote something");
    // The GitHub annotation of the group is on the first row.
    let github = diags.render_github();
    assert!(
        github.contains("line=2,col=10::2行目 J列「確認日」"),
        "{github}"
    );
    assert_eq!(github.lines().count(), 3, "{github}");
}

/// Issue #19: a name two entries share is not guessed: the import stops with
/// the ids to choose from (it used to take the first entry silently).
#[test]
fn a_name_two_fields_share_is_an_error_listing_the_ids() {
    let dir = sample_copy();
    let fields = dir.path().join("data/fields.yaml");
    let text = std::fs::read_to_string(&fields).unwrap();
    assert!(text.contains("- id: hoken\n  name: 保健\n"));
    std::fs::write(
        &fields,
        text.replace("- id: hoken\n  name: 保健\n", "- id: hoken\n  name: 相談\n"),
    )
    .unwrap();
    let header = "市町村,名称,分野,各種相談,内容,電話,直通/代表,備考,URL,確認日";
    let csv = format!(
        "\u{feff}{header}\r\n横浜市,窓口,相談,,,045-000-1000,直通,,,2025-04-01\r\n横浜市,窓口2,sodan,,,045-000-1001,直通,,,2025-04-01\r\n"
    );
    let path = dir.path().join("shared.csv");
    std::fs::write(&path, csv).unwrap();
    let diags = import(DataKind::Contacts, dir.path(), &path, true).expect_err("shared name");
    assert_eq!(diags.error_count(), 1, "{}", diags.render_text());
    let d = &diags.0[0];
    assert_eq!((d.line, d.column), (2, 3));
    assert_eq!(
        d.message,
        "2行目 C列「分野」: 「相談」は分野の一覧 (fields.yaml) の 2 つの項目に当たります (ID: hoken, sodan)"
    );
    assert_eq!(
        d.hint.as_deref(),
        Some("名前ではなく ID (hoken / sodan) のどれかを書いてください")
    );
}
