//! PDFs of the contact directory: determinism, page counts, text, metadata, outline,
//! links, fonts, and template errors.
//!
//! Text and metadata are read back with poppler-utils (`pdftotext`, `pdfinfo`, `pdffonts`,
//! `pdftohtml`). When they are missing the tests fail if `CI` is set, and are skipped with
//! a loud message otherwise.
//!
//! Set `OHISAMA_PDF_OUT=<dir>` to keep the rendered PDFs for a look.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Instant;

use ohisama::pdf::{Directory, PdfError, PdfFile, PdfRenderer, render_directory};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn theme_dir() -> PathBuf {
    root().join("themes/default")
}

fn fixture() -> Directory {
    let path = root().join("tests/fixtures/pdf/directory.json");
    let text = std::fs::read_to_string(&path).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// The fixture rendered once for all tests of this binary.
fn rendered() -> &'static [PdfFile] {
    static PDFS: OnceLock<Vec<PdfFile>> = OnceLock::new();
    PDFS.get_or_init(|| {
        let t = Instant::now();
        let renderer = PdfRenderer::new(&theme_dir()).expect("load fonts and templates");
        let loaded = t.elapsed();
        let t = Instant::now();
        let pdfs = renderer.render(&fixture()).unwrap_or_else(|e| panic!("{e}"));
        let first = t.elapsed();
        let t = Instant::now();
        renderer.render(&fixture()).unwrap();
        let warm = t.elapsed();
        eprintln!(
            "pdf timing ({} profile): load fonts+templates {loaded:.2?}, first render of {} PDFs {first:.2?}, warm render {warm:.2?}",
            if cfg!(debug_assertions) { "debug" } else { "release" },
            pdfs.len()
        );
        for p in &pdfs {
            eprintln!("  {}: {} pages, {} bytes", p.file_name, p.pages, p.bytes.len());
        }
        if let Some(out) = std::env::var_os("OHISAMA_PDF_OUT") {
            let out = PathBuf::from(out);
            std::fs::create_dir_all(&out).unwrap();
            for p in &pdfs {
                std::fs::write(out.join(&p.file_name), &p.bytes).unwrap();
            }
        }
        pdfs
    })
}

fn pdf(name: &str) -> &'static PdfFile {
    rendered()
        .iter()
        .find(|p| p.file_name == name)
        .unwrap_or_else(|| panic!("no {name}"))
}

/// Is the poppler tool there? Missing: fail under CI, otherwise skip loudly.
fn have(tool: &str) -> bool {
    let ok = Command::new(tool).arg("-v").output().is_ok();
    if !ok {
        if std::env::var_os("CI").is_some() {
            panic!("`{tool}` (poppler-utils) is required in CI: apt-get install poppler-utils");
        }
        eprintln!(
            "\n!!!!! SKIPPED: `{tool}` not found; install poppler-utils to run this PDF check !!!!!\n"
        );
    }
    ok
}

/// Runs a poppler tool on the PDF's bytes (written to a temp file), returns stdout.
fn run(tool: &str, args: &[&str], file: &PdfFile) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(&file.file_name);
    std::fs::write(&path, &file.bytes).unwrap();
    let mut cmd = Command::new(tool);
    cmd.args(args).arg(&path);
    if tool == "pdftotext" || tool == "pdftohtml" {
        cmd.arg("-");
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{tool} failed on {}: {}",
        file.file_name,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn municipality_names(dir: &Directory) -> Vec<String> {
    dir.regions
        .iter()
        .flat_map(|r| r.municipalities.iter().map(|m| m.name.clone()))
        .collect()
}

fn expected_files(dir: &Directory) -> Vec<(String, Vec<String>)> {
    let mut v = vec![("contacts-all.pdf".to_string(), municipality_names(dir))];
    for r in &dir.regions {
        v.push((
            format!("contacts-{}.pdf", r.id),
            r.municipalities.iter().map(|m| m.name.clone()).collect(),
        ));
    }
    v
}

#[test]
fn renders_one_pdf_for_all_and_one_per_region() {
    let dir = fixture();
    let names: Vec<&str> = rendered().iter().map(|p| p.file_name.as_str()).collect();
    let expected: Vec<String> = expected_files(&dir).into_iter().map(|(f, _)| f).collect();
    assert_eq!(names, expected);
    for p in rendered() {
        assert!(
            p.bytes.starts_with(b"%PDF-"),
            "{} is not a PDF",
            p.file_name
        );
        assert!(
            p.warnings.is_empty(),
            "{} has typst warnings: {:#?}",
            p.file_name,
            p.warnings
        );
    }
}

#[test]
fn same_input_gives_identical_bytes() {
    // In this process: a fresh renderer (fonts loaded again) with typst's memoisation
    // cache emptied, through the convenience function.
    typst::comemo::evict(0);
    let again = render_directory(&fixture(), &theme_dir()).unwrap();
    assert_eq!(again.len(), rendered().len());
    for (a, b) in rendered().iter().zip(&again) {
        assert_eq!(a.file_name, b.file_name);
        assert!(
            a.bytes == b.bytes,
            "{} differs between two renders",
            a.file_name
        );
    }

    // In another process (other hash seeds, other thread timings): this test binary runs
    // `child_writes_pdfs`, which writes its PDFs to a temp dir.
    let out = tempfile::tempdir().unwrap();
    let child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "pdf::child_writes_pdfs", "--test-threads", "1"])
        .env("OHISAMA_PDF_CHILD_OUT", out.path())
        .output()
        .unwrap();
    assert!(
        child.status.success(),
        "{}{}",
        String::from_utf8_lossy(&child.stdout),
        String::from_utf8_lossy(&child.stderr)
    );
    for a in rendered() {
        let b = std::fs::read(out.path().join(&a.file_name)).unwrap();
        assert!(
            a.bytes == b,
            "{} differs between two processes",
            a.file_name
        );
    }
}

/// Helper of `same_input_gives_identical_bytes`; does nothing on its own.
#[test]
fn child_writes_pdfs() {
    let Some(out) = std::env::var_os("OHISAMA_PDF_CHILD_OUT") else {
        return;
    };
    for p in render_directory(&fixture(), &theme_dir()).unwrap() {
        std::fs::write(Path::new(&out).join(&p.file_name), &p.bytes).unwrap();
    }
}

#[test]
fn page_counts_are_in_range() {
    // cover + はじめに・使い方 + legend + contents + one page per municipality, the long
    // 横浜市 table taking two or three.
    let ranges = [
        ("contacts-all.pdf", 12..=14),
        ("contacts-seirei.pdf", 7..=9),
        ("contacts-shonan-east.pdf", 7..=7),
        ("contacts-kensei.pdf", 6..=6),
    ];
    for (name, range) in ranges {
        let p = pdf(name);
        assert!(
            range.contains(&p.pages),
            "{name}: {} pages, expected {range:?}",
            p.pages
        );
    }
}

/// The municipalities whose pages follow each other, read from the page texts after the
/// contents page (a continued table repeats the name in the page header).
fn municipality_sequence(text: &str, candidates: &[String]) -> Vec<String> {
    let pages: Vec<&str> = text.split('\u{c}').collect();
    let contents = pages
        .iter()
        .position(|p| p.contains("目次"))
        .expect("contents page");
    let mut seq: Vec<String> = Vec::new();
    for page in &pages[contents + 1..] {
        // The first candidate name on the page (the heading, or the つづき header).
        let first = candidates
            .iter()
            .filter_map(|n| page.find(n.as_str()).map(|i| (i, n)))
            .min();
        if let Some((_, n)) = first
            && seq.last() != Some(n)
        {
            seq.push(n.clone());
        }
    }
    seq
}

#[test]
fn text_has_the_municipalities_of_its_region_in_order_and_no_other() {
    if !have("pdftotext") {
        return;
    }
    let dir = fixture();
    let all = municipality_names(&dir);
    for (file, expected) in expected_files(&dir) {
        let text = run("pdftotext", &["-enc", "UTF-8"], pdf(&file));
        for name in &expected {
            assert!(text.contains(name.as_str()), "{file}: {name} missing");
        }
        for name in all.iter().filter(|n| !expected.contains(n)) {
            assert!(
                !text.contains(name.as_str()),
                "{file}: has {name} of another region"
            );
        }
        assert_eq!(
            municipality_sequence(&text, &all),
            expected,
            "{file}: order of pages"
        );
        // Legend, table header, marks and the sample notice are real text.
        for needle in [
            "はじめに",
            "使い方・注意事項",
            "障害福祉",
            "給付金",
            "名称",
            "内容(備考)",
            "連絡先",
            "各種相談",
            "(直通)",
            "(代表)",
            "令和7年4月版",
            "サンプルデータ(架空)",
        ] {
            assert!(text.contains(needle), "{file}: text lacks {needle:?}");
        }
    }
    // The long 横浜市 table breaks across pages and repeats its header.
    let text = run("pdftotext", &["-enc", "UTF-8"], pdf("contacts-all.pdf"));
    let continued: Vec<&str> = text
        .split('\u{c}')
        .filter(|p| p.contains("横浜市(つづき)"))
        .collect();
    assert!(
        !continued.is_empty(),
        "横浜市 table does not continue on another page"
    );
    for page in continued {
        assert!(
            page.contains("内容(備考)") && page.contains("連絡先"),
            "header not repeated"
        );
    }
}

#[test]
fn contents_page_numbers_point_at_the_municipality_pages() {
    if !have("pdftotext") {
        return;
    }
    let file = pdf("contacts-all.pdf");
    let text = run("pdftotext", &["-enc", "UTF-8", "-layout"], file);
    let pages: Vec<&str> = text.split('\u{c}').collect();
    let contents = pages.iter().position(|p| p.contains("目次")).unwrap();
    for name in municipality_names(&fixture()) {
        // "横浜市 ........ 6" in the contents …
        let line = pages[contents]
            .lines()
            .find(|l| l.trim_start().starts_with(name.as_str()))
            .unwrap_or_else(|| panic!("{name} not in contents"));
        let number: usize = line
            .trim_end()
            .rsplit(|c: char| !c.is_ascii_digit())
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no page number in {line:?}"));
        // … and that page (1-based) starts with the municipality.
        let page = pages[number - 1];
        assert!(
            page.contains(name.as_str()) && page.contains("情報更新日"),
            "{name}: contents says page {number}, which is:\n{page}"
        );
    }
}

#[test]
fn metadata_title_language_date() {
    if !have("pdfinfo") {
        return;
    }
    let dir = fixture();
    for p in rendered() {
        let info = run("pdfinfo", &[], p);
        let field = |key: &str| {
            info.lines()
                .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
                .map(str::trim)
                .unwrap_or_else(|| panic!("{}: no {key}\n{info}", p.file_name))
        };
        let title = field("Title");
        assert!(
            title.starts_with(&dir.title),
            "{}: title {title:?}",
            p.file_name
        );
        if p.file_name != "contacts-all.pdf" {
            assert!(title.ends_with("版)"), "{}: title {title:?}", p.file_name);
        }
        assert_eq!(field("Tagged"), "yes", "{}", p.file_name);
        assert_eq!(
            field("Page size"),
            "595.276 x 841.89 pts (A4)",
            "{}",
            p.file_name
        );
        assert_eq!(field("Pages"), p.pages.to_string(), "{}", p.file_name);
        assert_eq!(field("Author"), dir.publisher, "{}", p.file_name);
        // The edition date, not the build time.
        let created = field("CreationDate");
        assert!(
            created.contains("Apr  1") && created.contains("2025"),
            "{created:?}"
        );
        let meta = run("pdfinfo", &["-meta"], p);
        assert!(
            meta.contains("<dc:language><rdf:Bag><rdf:li>ja"),
            "{}: no ja language in XMP:\n{meta}",
            p.file_name
        );
    }
}

#[test]
fn outline_links_and_subset_fonts() {
    if !have("pdftohtml") || !have("pdffonts") {
        return;
    }
    let dir = fixture();
    for (file, expected) in expected_files(&dir) {
        let p = pdf(&file);
        let xml = run("pdftohtml", &["-xml", "-i", "-q", "-stdout"], p);
        let outline = &xml[xml
            .find("<outline>")
            .unwrap_or_else(|| panic!("{file}: no outline"))..];
        for name in &expected {
            assert!(
                outline.contains(&format!(">{name}</")),
                "{file}: no bookmark for {name}"
            );
        }
        for region in dir
            .regions
            .iter()
            .filter(|r| file == "contacts-all.pdf" || file == format!("contacts-{}.pdf", r.id))
        {
            assert!(
                outline.contains(&format!(">{}</", region.name)),
                "{file}: no region bookmark"
            );
        }
        assert!(xml.contains("href=\"tel:+81"), "{file}: no tel: link");
        assert!(
            xml.contains("href=\"https://example.jp/"),
            "{file}: no URL link"
        );

        let fonts = run("pdffonts", &[], p);
        let rows: Vec<&str> = fonts.lines().skip(2).collect();
        assert!(!rows.is_empty(), "{file}: no fonts");
        for row in rows {
            assert!(row.contains("BIZUDGothic"), "{file}: unexpected font {row}");
            // name is ABCDEF+BIZUDGothic…; columns emb sub uni = yes yes yes
            assert!(row.contains('+'), "{file}: font not subset: {row}");
            assert!(
                row.contains("yes yes yes"),
                "{file}: font not embedded/subset: {row}"
            );
        }
        assert!(
            p.bytes.len() < 1_000_000,
            "{file}: {} bytes: fonts not subset?",
            p.bytes.len()
        );
    }
}

/// A theme folder with the real fonts and the given template.
fn theme_with(template: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join("pdf")).unwrap();
    std::fs::create_dir_all(tmp.path().join("fonts")).unwrap();
    for entry in std::fs::read_dir(theme_dir().join("fonts")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "ttf") {
            std::fs::copy(
                &path,
                tmp.path().join("fonts").join(path.file_name().unwrap()),
            )
            .unwrap();
        }
    }
    std::fs::write(tmp.path().join("pdf/directory.typ"), template).unwrap();
    tmp
}

#[test]
fn template_error_names_file_and_line() {
    let theme =
        theme_with("#let data = json(\"/data.json\")\n= Title\n\n#data.directory.no_such_key\n");
    let err = render_directory(&fixture(), theme.path()).unwrap_err();
    let PdfError::Template { pdf, diagnostics } = &err else {
        panic!("expected a template error, got {err:?}");
    };
    assert_eq!(pdf, "contacts-all.pdf");
    let d = &diagnostics[0];
    assert_eq!(
        d.file.as_deref(),
        Some(theme.path().join("pdf/directory.typ").as_path())
    );
    assert_eq!(d.line, Some(4));
    assert!(d.message.contains("no_such_key"), "{}", d.message);
    let shown = err.to_string();
    assert!(shown.contains("directory.typ:4:"), "{shown}");
    assert!(shown.contains("no_such_key"), "{shown}");

    // An error inside an imported template names that file.
    let theme = theme_with("#import \"parts.typ\": row\n#row(1)\n");
    std::fs::write(
        theme.path().join("pdf/parts.typ"),
        "// helpers\n#let row(x) = {\n  x + \"text\"\n}\n",
    )
    .unwrap();
    let err = render_directory(&fixture(), theme.path()).unwrap_err();
    let shown = err.to_string();
    eprintln!("{shown}");
    assert!(shown.contains("parts.typ:3:"), "{shown}");

    // A syntax error.
    let theme = theme_with("#let x = (1, 2\n\nok\n");
    let err = render_directory(&fixture(), theme.path()).unwrap_err();
    let shown = err.to_string();
    assert!(shown.contains("directory.typ:"), "{shown}");
    assert!(matches!(err, PdfError::Template { .. }));
}

#[test]
fn missing_template_or_fonts_are_clear_errors() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join("pdf")).unwrap();
    std::fs::create_dir_all(tmp.path().join("fonts")).unwrap();
    let err = PdfRenderer::new(tmp.path()).err().unwrap();
    assert!(matches!(err, PdfError::NoFonts(_)), "{err:?}");

    let theme = theme_with("hello");
    std::fs::remove_file(theme.path().join("pdf/directory.typ")).unwrap();
    let err = PdfRenderer::new(theme.path()).err().unwrap();
    assert!(matches!(err, PdfError::MissingTemplate(_)), "{err:?}");
    assert!(err.to_string().contains("directory.typ"));

    let err = PdfRenderer::new(Path::new("/nonexistent/theme"))
        .err()
        .unwrap();
    assert!(matches!(err, PdfError::Io { .. }), "{err:?}");
}

#[test]
fn bad_edition_date_is_an_error() {
    let mut dir = fixture();
    dir.edition_date = "2025-13-01".into();
    let err = render_directory(&dir, &theme_dir()).unwrap_err();
    assert!(matches!(err, PdfError::BadDate(_)), "{err:?}");
}

#[test]
fn sparse_data_and_no_sample_notice() {
    let mut dir = fixture();
    dir.sample = false;
    let m = &mut dir.regions[2].municipalities[1];
    m.windows.clear();
    let w = &mut dir.regions[2].municipalities[0].windows[0];
    w.field_id = "not-a-field".into();
    (w.detail, w.tel, w.tel_href, w.tel_kind_label, w.note, w.url) =
        (None, None, None, None, None, None);
    let pdfs = render_directory(&dir, &theme_dir()).unwrap_or_else(|e| panic!("{e}"));
    for p in &pdfs {
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
    }
    if !have("pdftotext") {
        return;
    }
    let kensei = pdfs
        .iter()
        .find(|p| p.file_name == "contacts-kensei.pdf")
        .unwrap();
    let text = run("pdftotext", &["-enc", "UTF-8"], kensei);
    assert!(!text.contains("サンプルデータ"), "sample notice printed");
    assert!(text.contains("掲載できる窓口がありません"));
    assert!(text.contains(&dir.site_title));
}
