//! Hostile input, part of issue #13: absurd command-line values, inputs over
//! the published limits (docs/DATA.md 「入力の上限」), YAML bombs, long lines,
//! GitHub annotation forging, symbolic links, old-Mac line ends.
//!
//! Every refused case checks the exit code, the Japanese message (with
//! file:line where there is one) and that `content/`, `data/` and `dist/`
//! (and any foreign folder involved) are byte-for-byte what they were.

use crate::sitekit::{self, TestSite, TreeSnapshot, ohisama};
use ohisama::load::limits;
use std::process::Output;

/// The folders a refused command must not touch.
fn snapshot(site: &TestSite) -> Vec<TreeSnapshot> {
    ["content", "data", "dist"]
        .iter()
        .map(|d| TreeSnapshot::of(&site.path(d)))
        .collect()
}

#[track_caller]
fn assert_untouched(before: &[TreeSnapshot], site: &TestSite) {
    let after = snapshot(site);
    for (name, (b, a)) in ["content", "data", "dist"]
        .iter()
        .zip(before.iter().zip(&after))
    {
        b.assert_same(a, name);
    }
}

fn run(site: &TestSite, args: &[&str]) -> Output {
    ohisama()
        .args(args)
        .arg("--root")
        .arg(site.root())
        .output()
        .expect("run ohisama")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The mini site, built once (without PDFs) so that `dist/` and the search index exist.
fn built_mini() -> TestSite {
    let site = TestSite::mini();
    sitekit::assert_success(&run(&site, &["build", "--no-pdf"]));
    site
}

/// `build --no-pdf` must fail with exit 1, touch nothing, and say `needles`.
#[track_caller]
fn assert_build_refused(site: &TestSite, needles: &[&str]) -> String {
    let before = snapshot(site);
    let out = run(site, &["build", "--no-pdf"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    for n in needles {
        assert!(err.contains(n), "missing {n:?} in:\n{err}");
    }
    assert!(!err.contains("panicked"), "{err}");
    assert_untouched(&before, site);
    err
}

// --- search arguments ------------------------------------------------------

#[track_caller]
fn assert_limit_refused(limit: &str) {
    let site = built_mini();
    let before = snapshot(&site);
    let out = run(&site, &["search", "横浜", "--limit", limit]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("--limit は 1 から 1000 までの整数で指定してください"),
        "{err}"
    );
    assert!(
        !err.contains("panicked") && !err.contains("memory allocation"),
        "{err}"
    );
    assert_untouched(&before, &site);
}

#[test]
fn search_limit_u64_max_is_refused() {
    assert_limit_refused("18446744073709551615");
}

#[test]
fn search_limit_two_to_the_31_is_refused() {
    assert_limit_refused("2147483648");
}

#[test]
fn search_limit_zero_is_refused() {
    assert_limit_refused("0");
}

#[test]
fn search_limit_at_the_maximum_works() {
    let site = built_mini();
    let out = run(&site, &["search", "横浜", "--limit", "1000"]);
    sitekit::assert_success(&out);
    assert!(String::from_utf8_lossy(&out.stdout).contains("横浜市"));
}

#[test]
fn search_unknown_region_lists_the_valid_ids() {
    let site = built_mini();
    let before = snapshot(&site);
    let out = run(&site, &["search", "福祉", "--region", "bogus"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("地域 `bogus` はありません"), "{err}");
    assert!(err.contains("seirei, shonan-east"), "{err}");
    assert!(out.stdout.is_empty(), "no results printed");
    assert_untouched(&before, &site);
}

#[test]
fn search_unknown_type_lists_the_valid_kinds() {
    let site = built_mini();
    let before = snapshot(&site);
    let out = run(&site, &["search", "福祉", "--type", "bogus"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("--type は page / window / facility のどれかです (指定: bogus)"),
        "{err}"
    );
    assert_untouched(&before, &site);
}

#[test]
fn generate_with_absurd_counts_is_refused_before_allocating() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("site");
    for (flag, value) in [
        ("--pages", "18446744073709551615"),
        ("--facilities", "18446744073709551615"),
        ("--municipalities", "4294967296"),
        ("--windows-per-municipality", "501"),
        ("--pages", "0"),
    ] {
        let out = ohisama()
            .args(["generate", flag, value, "--out"])
            .arg(&out_dir)
            .arg("--source")
            .arg(sitekit::repo_root())
            .output()
            .unwrap();
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{flag} {value}: {err}");
        assert!(
            err.contains(&format!("{flag} は ")),
            "{flag} {value}: {err}"
        );
        assert!(!out_dir.exists(), "{flag} {value}: nothing written");
    }
}

// --- limits of the input -----------------------------------------------------

#[test]
fn a_note_over_the_limit_is_refused_at_its_line() {
    let site = built_mini();
    let note = "あ".repeat(limits::MAX_TEXT_CHARS + 1);
    site.edit(
        "data/contacts/yokohama.yaml",
        "    tel_kind: main\n",
        &format!("    tel_kind: main\n    note: {note}\n"),
    );
    let err = assert_build_refused(
        &site,
        &[
            "data/contacts/yokohama.yaml:15:11",
            "`note` の値が長すぎます (2,001 文字、上限 2,000 文字)",
        ],
    );
    assert!(err.len() < 4_000, "{} bytes of stderr", err.len());
}

#[test]
fn a_name_over_the_short_limit_is_refused_at_its_line() {
    let site = built_mini();
    site.edit(
        "data/contacts/yokohama.yaml",
        "name: 障害福祉課",
        &format!("name: {}", "課".repeat(limits::MAX_SHORT_CHARS + 1)),
    );
    assert_build_refused(
        &site,
        &[
            "data/contacts/yokohama.yaml:11:11",
            "`name` の値が長すぎます (201 文字、上限 200 文字)",
        ],
    );
}

#[test]
fn too_many_windows_are_refused_at_the_first_one_over() {
    let site = built_mini();
    let mut text = String::from("municipality: kawasaki\nupdated: 2025-04-01\nwindows:\n");
    for i in 0..=limits::MAX_WINDOWS_PER_FILE {
        text.push_str(&format!(
            "  - name: 窓口{i}\n    field: sodan\n    tel: 044-000-0000\n    tel_kind: direct\n"
        ));
    }
    site.write("data/contacts/kawasaki.yaml", &text);
    let line = 4 + 4 * limits::MAX_WINDOWS_PER_FILE;
    assert_build_refused(
        &site,
        &[
            &format!("data/contacts/kawasaki.yaml:{line}:5"),
            "1つの市町村の窓口が多すぎます (501 件目。上限 500 件)",
        ],
    );
}

#[test]
fn a_data_file_over_the_size_limit_is_refused_unread() {
    let site = built_mini();
    let mut text = site.read("data/contacts/kawasaki.yaml");
    let pad = format!("# {}\n", "x".repeat(1000));
    while (text.len() as u64) <= limits::MAX_DATA_FILE_BYTES {
        text.push_str(&pad);
    }
    site.write("data/contacts/kawasaki.yaml", &text);
    assert_build_refused(
        &site,
        &[
            "data/contacts/kawasaki.yaml",
            "ファイルが大きすぎます",
            "上限 4,194,304 バイト = 4 MB",
        ],
    );
}

#[test]
fn a_page_over_the_size_limit_is_refused_unread() {
    let site = built_mini();
    let body = "本文。".repeat(limits::MAX_PAGE_FILE_BYTES as usize / 9 + 1);
    site.write(
        "content/big.md",
        &format!("---\ntitle: 大きい\n---\n{body}\n"),
    );
    assert_build_refused(&site, &["content/big.md", "上限 1,048,576 バイト = 1 MB"]);
}

#[test]
fn a_yaml_alias_bomb_is_refused_in_japanese() {
    let site = built_mini();
    // "Billion laughs": each level repeats the one before ten times.
    let mut bomb = String::from("a0: &a0 [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n");
    for i in 1..10 {
        let refs = vec![format!("*a{}", i - 1); 10].join(", ");
        bomb.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    site.write("data/care.yaml", &bomb);
    let err = assert_build_refused(
        &site,
        &[
            "data/care.yaml:2:",
            "YAML のアンカーと別名 (&名前 / *名前、<<) は使えません",
            "同じ内容を、使う場所それぞれに書いてください",
        ],
    );
    assert!(!err.contains("budget"), "{err}");
}

#[test]
fn a_yaml_node_bomb_is_refused_in_japanese() {
    let site = built_mini();
    let items = vec!["ventilator"; limits::MAX_YAML_NODES].join(",");
    site.edit(
        "data/facilities/yokohama.yaml",
        "care: [ventilator, tracheostomy]",
        &format!("care: [{items}]"),
    );
    let err = assert_build_refused(
        &site,
        &[
            "data/facilities/yokohama.yaml",
            "YAML の値が多すぎます (1つのファイルに 250,000 個まで)",
        ],
    );
    assert!(!err.contains("budget") && !err.contains("Nodes"), "{err}");
    assert!(err.len() < 4_000, "{} bytes of stderr", err.len());
}

#[test]
fn a_deep_yaml_is_refused_in_japanese() {
    let site = built_mini();
    let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
    site.write("data/care.yaml", &format!("- id: x\n  name: {deep}\n"));
    let err = assert_build_refused(&site, &["data/care.yaml"]);
    assert!(
        err.contains("入れ子 (字下げの段) が深すぎます") || err.contains("括弧"),
        "{err}"
    );
    assert!(!err.contains("budget"), "{err}");
}

#[test]
fn a_one_megabyte_line_is_shown_cut_around_the_column() {
    let site = built_mini();
    // One line of 1.5 MB: 400 windows in flow style, the last with an unknown key.
    let note = "あ".repeat(1300);
    let mut line = String::from("windows: [");
    for i in 0..400 {
        line.push_str(&format!(
            "{{name: 窓口{i}, field: sodan, tel: 044-000-0000, tel_kind: direct, note: {note}}}, "
        ));
    }
    line.push_str("{name: x, field: sodan, note: y, bogus: 1}]");
    assert!(line.len() > 1_000_000);
    let column = line.chars().position(|c| c == 'b').unwrap() + 1;
    site.write(
        "data/contacts/kawasaki.yaml",
        &format!("municipality: kawasaki\nupdated: 2025-04-01\n{line}\n"),
    );
    let err = assert_build_refused(
        &site,
        &[
            &format!("data/contacts/kawasaki.yaml:3:{column}"),
            "不明なキー `bogus`",
        ],
    );
    assert!(err.len() < 4_000, "{} bytes of stderr:\n{err}", err.len());
    // The line is cut around the column, and the caret still points at `bogus`
    // (wide characters take two cells).
    let lines: Vec<&str> = err.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.starts_with("3 | …"))
        .unwrap_or_else(|| panic!("no cut source line in:\n{err}"));
    let shown = lines[at].strip_prefix("3 | ").unwrap();
    assert!(shown.ends_with("bogus: 1}]"), "{shown}");
    assert!(shown.chars().count() <= 202, "{shown}");
    let cells = |s: &str| {
        s.chars()
            .map(|c| if c == 'あ' { 2 } else { 1 })
            .sum::<usize>()
    };
    let before_bogus = &shown[..shown.find("bogus").unwrap()];
    let caret = lines[at + 1].strip_prefix("  | ").unwrap();
    assert_eq!(
        caret.find('^'),
        Some(cells(before_bogus)),
        "{}\n{}",
        lines[at],
        lines[at + 1]
    );
}

#[test]
fn a_directory_over_the_printed_limit_is_refused_before_typst() {
    let site = TestSite::mini();
    sitekit::assert_success(&run(&site, &["build"]));
    // Three municipalities, each well within the per-file limits, print
    // more than the directory may hold together.
    let note = "お".repeat(limits::MAX_TEXT_CHARS);
    let per_file = ohisama::pdf::MAX_PRINTED_CHARS / 3 / limits::MAX_TEXT_CHARS + 2;
    for slug in ["yokohama", "kawasaki", "chigasaki"] {
        let mut text = format!("municipality: {slug}\nupdated: 2025-04-01\nwindows:\n");
        for i in 0..per_file {
            text.push_str(&format!(
                "  - name: 窓口{i}\n    field: sodan\n    tel: 045-000-0000\n    tel_kind: direct\n    note: {note}\n"
            ));
        }
        site.write(&format!("data/contacts/{slug}.yaml"), &text);
    }
    let before = snapshot(&site);
    let started = std::time::Instant::now();
    let out = run(&site, &["build"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("窓口一覧 (PDF) に載る文字が多すぎます"),
        "{err}"
    );
    assert!(err.contains("上限 300,000 文字"), "{err}");
    assert!(
        err.contains("(data/contacts/"),
        "names the largest file: {err}"
    );
    assert!(err.contains("--no-pdf"), "{err}");
    assert!(
        started.elapsed().as_secs() < 60,
        "refused before any layout"
    );
    assert_untouched(&before, &site);
    // Each file is valid: only the PDF, which holds them all, is refused.
    sitekit::assert_success(&run(&site, &["check"]));
}

#[test]
fn an_import_with_a_note_over_the_limit_writes_nothing() {
    let site = TestSite::sample();
    let note = "メ".repeat(limits::MAX_TEXT_CHARS + 1);
    let csv = format!(
        "市町村,名称,分野,各種相談,内容,電話,直通/代表,備考,URL,確認日\n\
         茅ヶ崎市,障がい福祉課,障害福祉,○,各種相談,0467-00-1883,直通,,,2025/10/1\n\
         茅ヶ崎市,保健予防課,保健,,小児慢性特定疾病,0467-00-3419,直通,{note},,2025/10/1\n"
    );
    let file = site.path("contacts.csv");
    std::fs::write(&file, csv).unwrap();
    let before = snapshot(&site);
    let out = ohisama()
        .args(["import", "contacts"])
        .arg(&file)
        .arg("--force")
        .arg("--root")
        .arg(site.root())
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("3行目 H列: `note` の値が長すぎます (2,001 文字、上限 2,000 文字)"),
        "{err}"
    );
    assert!(!err.contains("不具合"), "{err}");
    assert_untouched(&before, &site);
}

#[cfg(unix)]
#[test]
fn an_import_of_an_endless_file_is_refused_at_the_size_limit() {
    let site = TestSite::mini();
    let before = snapshot(&site);
    let started = std::time::Instant::now();
    let out = ohisama()
        .args(["import", "contacts", "/dev/zero", "--root"])
        .arg(site.root())
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("CSV ファイルが大きすぎます (上限 64 MB)"),
        "{err}"
    );
    assert!(started.elapsed().as_secs() < 60);
    assert_untouched(&before, &site);
}

// --- GitHub annotations ------------------------------------------------------

#[test]
fn a_file_name_with_a_newline_cannot_forge_an_annotation() {
    let site = built_mini();
    let forged = "notes\n::warning file=README.md::INJECTED,x:y.txt";
    site.write(&format!("content/{forged}"), "hello\n");
    let before = snapshot(&site);
    let json = run(&site, &["check", "--format", "json"]);
    let count = serde_json::from_slice::<serde_json::Value>(&json.stdout)
        .expect("json")
        .as_array()
        .expect("array")
        .len();
    assert!(count >= 1);
    let out = run(&site, &["check", "--format", "github"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), count, "one line per diagnostic:\n{text}");
    for l in &lines {
        assert!(
            l.starts_with("::error file=") || l.starts_with("::warning file="),
            "{l}"
        );
    }
    assert!(
        text.contains(
            "::warning file=content/notes%0A%3A%3Awarning file=README.md%3A%3AINJECTED%2Cx%3Ay.txt,line=0,col=0::"
        ),
        "{text}"
    );
    assert_untouched(&before, &site);
}

// --- symbolic links ----------------------------------------------------------

#[cfg(unix)]
#[test]
fn a_data_file_linked_outside_the_site_is_refused_unread() {
    let site = built_mini();
    let foreign = tempfile::tempdir().unwrap();
    let secret = foreign.path().join("secret.yaml");
    std::fs::write(&secret, "SECRET-FIRST-LINE: hunter2\n: : :\n").unwrap();
    std::fs::remove_file(site.path("data/contacts/kawasaki.yaml")).unwrap();
    std::os::unix::fs::symlink(&secret, site.path("data/contacts/kawasaki.yaml")).unwrap();
    let foreign_before = TreeSnapshot::of(foreign.path());
    let err = assert_build_refused(
        &site,
        &[
            "data/contacts/kawasaki.yaml",
            "サイトのフォルダの外",
            "シンボリックリンクです。読み込みません",
            "ファイルやフォルダそのものをサイトのフォルダの中に置いてください",
        ],
    );
    assert!(!err.contains("SECRET") && !err.contains("hunter2"), "{err}");
    let json = run(&site, &["check", "--format", "json"]);
    let json = String::from_utf8_lossy(&json.stdout);
    assert!(
        !json.contains("SECRET") && !json.contains("hunter2"),
        "{json}"
    );
    foreign_before.assert_same(&TreeSnapshot::of(foreign.path()), "foreign folder");
}

#[cfg(unix)]
#[test]
fn a_content_folder_linked_outside_the_site_is_refused_unread() {
    let site = built_mini();
    let foreign = tempfile::tempdir().unwrap();
    std::fs::write(
        foreign.path().join("secret.md"),
        "---\ntitle: SECRET-TITLE\n---\nSECRET-BODY\n",
    )
    .unwrap();
    std::os::unix::fs::symlink(foreign.path(), site.path("content/outside")).unwrap();
    let err = assert_build_refused(&site, &["content/outside", "サイトのフォルダの外"]);
    assert!(
        !err.contains("SECRET") && !err.contains("secret.md"),
        "{err}"
    );
}

#[cfg(unix)]
#[test]
fn symlinked_pages_inside_the_site_are_built() {
    let site = TestSite::mini();
    // A linked page, and a linked folder of pages, both inside the site folder.
    site.write("shared/guide.md", "---\ntitle: 共有のしおり\n---\n本文\n");
    std::os::unix::fs::symlink(
        "../../shared/guide.md",
        site.path("content/emergency/guide.md"),
    )
    .unwrap();
    std::os::unix::fs::symlink("emergency", site.path("content/kyukyu")).unwrap();
    let out = run(&site, &["build", "--no-pdf"]);
    sitekit::assert_success(&out);
    let guide = std::fs::read_to_string(site.path("dist/emergency/guide/index.html")).unwrap();
    assert!(guide.contains("共有のしおり"));
    let linked = std::fs::read_to_string(site.path("dist/kyukyu/guide/index.html")).unwrap();
    assert!(linked.contains("共有のしおり"));
    assert!(site.path("dist/kyukyu/index.html").is_file());
}

#[cfg(unix)]
#[test]
fn a_symlink_loop_in_content_is_warned_about_not_followed() {
    let site = TestSite::mini();
    std::os::unix::fs::symlink("..", site.path("content/emergency/loop")).unwrap();
    let out = run(&site, &["build", "--no-pdf"]);
    sitekit::assert_success(&out);
    let err = stderr(&out);
    assert!(err.contains("content/emergency/loop"), "{err}");
    assert!(err.contains("ループになります"), "{err}");
}

#[cfg(unix)]
#[test]
fn a_theme_file_linked_outside_the_site_is_refused() {
    let site = built_mini();
    let foreign = tempfile::tempdir().unwrap();
    std::fs::write(foreign.path().join("x.css"), "SECRET-CSS").unwrap();
    std::os::unix::fs::symlink(
        foreign.path().join("x.css"),
        site.path("themes/default/static/css/x.css"),
    )
    .unwrap();
    let err = assert_build_refused(
        &site,
        &["themes/default/static/css/x.css", "サイトのフォルダの外"],
    );
    assert!(!err.contains("SECRET"), "{err}");
    assert!(!site.path("dist/assets/css/x.css").exists());
}

#[cfg(unix)]
#[test]
fn a_theme_file_linked_inside_the_site_is_warned_about() {
    let site = TestSite::mini();
    site.write("shared/extra.css", "body { color: black }\n");
    std::os::unix::fs::symlink(
        "../../../../shared/extra.css",
        site.path("themes/default/static/css/extra.css"),
    )
    .unwrap();
    let out = run(&site, &["build", "--no-pdf"]);
    sitekit::assert_success(&out);
    let err = stderr(&out);
    assert!(
        err.contains("警告: テーマの中のシンボリックリンクは"),
        "{err}"
    );
    assert!(err.contains("themes/default/static/css/extra.css"), "{err}");
}

#[cfg(unix)]
#[test]
fn a_site_templates_folder_linked_outside_the_site_is_refused() {
    let site = built_mini();
    let foreign = tempfile::tempdir().unwrap();
    std::fs::write(
        foreign.path().join("base.html"),
        "SECRET-TEMPLATE {% block content %}{% endblock %}",
    )
    .unwrap();
    std::os::unix::fs::symlink(foreign.path(), site.path("templates")).unwrap();
    let foreign_before = TreeSnapshot::of(foreign.path());
    let err = assert_build_refused(&site, &["templates", "サイトのフォルダの外"]);
    assert!(!err.contains("SECRET"), "{err}");
    let index = site.read("dist/index.html");
    assert!(!index.contains("SECRET-TEMPLATE"), "the old dist/ is kept");
    foreign_before.assert_same(&TreeSnapshot::of(foreign.path()), "outside folder");
}

#[cfg(unix)]
#[test]
fn a_site_template_file_linked_outside_the_site_is_refused() {
    let site = built_mini();
    let foreign = tempfile::tempdir().unwrap();
    std::fs::write(foreign.path().join("page.html"), "SECRET-TEMPLATE").unwrap();
    site.write("templates/.keep", "");
    std::os::unix::fs::symlink(
        foreign.path().join("page.html"),
        site.path("templates/page.html"),
    )
    .unwrap();
    let err = assert_build_refused(&site, &["templates/page.html", "サイトのフォルダの外"]);
    assert!(!err.contains("SECRET"), "{err}");
}

#[cfg(unix)]
#[test]
fn a_site_template_linked_inside_the_site_is_warned_about_not_used() {
    let site = TestSite::mini();
    site.write(
        "shared/page.html",
        "LINKED-TEMPLATE {% block content %}{% endblock %}",
    );
    site.write("templates/.keep", "");
    std::os::unix::fs::symlink("../shared/page.html", site.path("templates/page.html")).unwrap();
    let out = run(&site, &["build", "--no-pdf"]);
    sitekit::assert_success(&out);
    let err = stderr(&out);
    assert!(
        err.contains("警告: templates/ フォルダの中のシンボリックリンクは"),
        "{err}"
    );
    assert!(err.contains("templates/page.html"), "{err}");
    let used: Vec<_> = walkdir::WalkDir::new(site.path("dist"))
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .filter(|e| std::fs::read_to_string(e.path()).is_ok_and(|t| t.contains("LINKED-TEMPLATE")))
        .map(|e| e.path().display().to_string())
        .collect();
    assert!(used.is_empty(), "a linked template is not used: {used:?}");
}

// --- line ends ---------------------------------------------------------------

#[test]
fn old_mac_line_ends_parse_with_right_line_numbers() {
    let site = TestSite::mini();
    let cr = |rel: &str| {
        let text = site.read(rel).replace('\n', "\r");
        site.write(rel, &text);
    };
    cr("data/contacts/yokohama.yaml");
    cr("content/emergency/index.md");
    let out = run(&site, &["check"]);
    sitekit::assert_success(&out);
    assert!(!stderr(&out).contains("空です"), "{}", stderr(&out));

    site.edit(
        "data/contacts/yokohama.yaml",
        "field: sodan",
        "field: sodann",
    );
    site.edit(
        "content/emergency/index.md",
        "weight: 1",
        "weight: 1\rcolour: red",
    );
    let out = run(&site, &["check"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("data/contacts/yokohama.yaml:5:12"), "{err}");
    assert!(err.contains("5 |     field: sodann"), "{err}");
    assert!(err.contains("content/emergency/index.md:4:1"), "{err}");
    assert!(err.contains("不明なキー `colour`"), "{err}");
}
