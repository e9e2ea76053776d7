//! The one-page contact cards (`/pdf/card-<slug>.pdf`, issue #16 item 3): one A4 page
//! each (pdfinfo), the municipality's windows and numbers in the text (pdftotext), the QR
//! code decoded (pdftoppm + rqrr) to the page's absolute URL, the link on each
//! municipality page, hostile names and URLs printed as written, a municipality with
//! many windows still on one page, and the municipality page printed by Chromium on
//! one A4 sheet.
//!
//! The sample is built once (with PDFs) for the whole binary. poppler-utils and
//! Chromium: missing in CI is a failure, locally a loud skip.

use crate::common;
use crate::common::browser::{Browser, pdf_page_count, pdf_to_png, pdf_to_text, serve_dir};
use crate::sitekit;

use ohisama::pdf::{Card, CardCentre, CardSet, PdfRenderer};
use rayon::prelude::*;
use std::path::PathBuf;
use std::sync::OnceLock;

struct Built {
    out: PathBuf,
    site: ohisama::site::Site,
}

/// The sample site built once, PDFs on, search off.
fn built() -> &'static Built {
    static B: OnceLock<Built> = OnceLock::new();
    B.get_or_init(|| {
        let root = common::scratch_dir("card-site");
        for sub in ["content", "data", "themes"] {
            sitekit::copy_dir(&sitekit::repo_root().join(sub), &root.join(sub));
        }
        let mut o = crate::sitekit::build_options(&root);
        o.out = root.join("dist");
        o.pdf = true;
        o.search = false;
        ohisama::build::build(&o).unwrap_or_else(|e| panic!("{}", e.diagnostics().render_text()));
        let (site, _) = ohisama::build::check(&o).expect("the sample checks");
        Built {
            out: o.out.clone(),
            site,
        }
    })
}

fn card_bytes(slug: &str) -> Vec<u8> {
    let path = built().out.join(format!("pdf/card-{slug}.pdf"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Pages of a PDF as `pdfinfo` counts them; `None` when poppler is missing locally.
fn pdfinfo_pages(pdf: &[u8]) -> Option<usize> {
    if std::process::Command::new("pdfinfo")
        .arg("-v")
        .output()
        .is_err()
    {
        assert!(
            std::env::var_os("CI").is_none(),
            "pdfinfo (poppler-utils) is required in CI"
        );
        eprintln!("\n!!!!!!!!!! pdfinfo not found: check SKIPPED !!!!!!!!!!\n");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("card.pdf");
    std::fs::write(&file, pdf).unwrap();
    let out = std::process::Command::new("pdfinfo")
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success(), "pdfinfo failed");
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().find(|l| l.starts_with("Pages:")).unwrap();
    Some(line["Pages:".len()..].trim().parse().unwrap())
}

/// Text without any white space: pdftotext breaks a long name where the cell wraps it.
fn squeezed(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The texts of every QR code on the first page (rendered at 150 dpi).
fn qr_texts(pdf: &[u8]) -> Option<Vec<String>> {
    let png = pdf_to_png(pdf, 150)?.into_iter().next().expect("one page");
    let img = image::load_from_memory(&png).expect("png").to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(
        img.width() as usize,
        img.height() as usize,
        |x, y| img.get_pixel(x as u32, y as u32).0[0],
    );
    Some(
        prepared
            .detect_grids()
            .iter()
            .map(|g| g.decode().expect("the QR code decodes").1)
            .collect(),
    )
}

#[test]
fn every_municipality_has_a_one_page_card_with_its_windows_and_numbers() {
    let site = &built().site;
    assert_eq!(site.municipalities.len(), 33);
    let problems: Vec<String> = site
        .municipalities
        .par_iter()
        .flat_map(|m| {
            let pdf = card_bytes(&m.slug);
            let mut problems = Vec::new();
            if let Some(pages) = pdfinfo_pages(&pdf)
                && pages != 1
            {
                problems.push(format!("{}: {pages} pages", m.slug));
            }
            let Some(text) = pdf_to_text(&pdf) else {
                return problems;
            };
            let text = squeezed(&text);
            let mut expected = vec![m.name.clone(), "令和7年4月版".to_string()];
            expected
                .extend(["119", "#8000", "#7119", "かかりつけ医", "訪問看護"].map(String::from));
            expected.push("サンプルデータ".into());
            for w in &m.windows {
                expected.push(w.name.clone());
                expected.extend(w.tel.clone().or_else(|| w.note.clone()));
            }
            for want in expected {
                if !text.contains(&squeezed(&want)) {
                    problems.push(format!("{}: no 「{want}」", m.slug));
                }
            }
            problems
        })
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_qr_code_of_each_card_decodes_to_its_page_url() {
    let site = &built().site;
    let decoded: Vec<(String, Option<Vec<String>>)> = site
        .municipalities
        .par_iter()
        .map(|m| {
            let url = format!("https://ohisama.example.jp/contacts/{}/", m.slug);
            (url, qr_texts(&card_bytes(&m.slug)))
        })
        .collect();
    for (url, texts) in decoded {
        let Some(texts) = texts else { return };
        assert_eq!(texts, [url], "one QR code, to the municipality page");
    }
}

#[test]
fn the_support_centres_serving_each_municipality_are_on_its_card() {
    let site = &built().site;
    let served: usize = site.municipalities.iter().map(|m| m.centres.len()).sum();
    assert!(served >= 33, "the sample has centres.yaml");
    let problems: Vec<String> = site
        .municipalities
        .par_iter()
        .flat_map(|m| {
            let Some(text) = pdf_to_text(&card_bytes(&m.slug)) else {
                return vec![];
            };
            let text = squeezed(&text);
            m.centres
                .iter()
                .take(ohisama::pdf::MAX_CARD_CENTRES)
                .flat_map(|c| [c.name.clone(), c.tel.clone()])
                .filter(|want| !text.contains(&squeezed(want)))
                .map(|want| format!("{}: no 「{want}」", m.slug))
                .collect()
        })
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // 藤沢市: its region's window (湘南東部) and the prefecture's centre.
    let fujisawa = squeezed(&pdf_to_text(&card_bytes("fujisawa")).unwrap_or_default());
    if !fujisawa.is_empty() {
        assert!(fujisawa.contains(&squeezed(
            "かながわ医療的ケア児支援センター 湘南東部地域相談窓口"
        )));
    }
}

#[test]
fn each_municipality_page_links_its_card() {
    let b = built();
    for m in &b.site.municipalities {
        let page =
            std::fs::read_to_string(b.out.join(format!("contacts/{}/index.html", m.slug))).unwrap();
        let href = format!(
            "href=\"/pdf/card-{}.pdf\">冷蔵庫に貼れる連絡先カード (PDF)</a>",
            m.slug
        );
        assert!(page.contains(&href), "{}: {href}", m.slug);
        assert!(
            page.contains("<span class=\"nobr\">A4 1 枚</span>"),
            "{}: says one sheet",
            m.slug
        );
        assert!(
            page.contains("media=\"print\" href=\"/assets/css/print-municipality.css\""),
            "{}",
            m.slug
        );
    }
    assert!(b.out.join("assets/css/print-municipality.css").is_file());
}

#[test]
fn without_pdfs_no_card_link() {
    let site = sitekit::TestSite::mini();
    let mut o = site.options();
    o.out = site.path("dist");
    o.pdf = false;
    o.search = false;
    ohisama::build::build(&o).unwrap_or_else(|e| panic!("{}", e.diagnostics().render_text()));
    let pages: Vec<PathBuf> = std::fs::read_dir(site.path("dist/contacts"))
        .unwrap()
        .map(|e| e.unwrap().path().join("index.html"))
        .filter(|p| p.is_file())
        .collect();
    assert!(!pages.is_empty());
    for p in pages {
        assert!(
            !std::fs::read_to_string(&p)
                .unwrap()
                .contains("連絡先カード")
        );
    }
}

fn window(name: &str, field: &str, tel: &str, general: bool) -> ohisama::site::WindowView {
    serde_json::from_value(serde_json::json!({
        "name": name, "field_id": field, "field_name": field, "general": general,
        "field_color": "#1565C0", "field_text_color": "#FFFFFF", "field_tint": "#E3F2FD",
        "detail": null, "tel": tel, "tel_href": null, "tel_kind_label": "直通",
        "note": null, "url": null,
    }))
    .unwrap()
}

fn card_set(cards: Vec<Card>) -> CardSet {
    let fields = ["a", "b", "c", "d", "e", "f"]
        .map(|id| {
            serde_json::from_value(serde_json::json!({
                "id": id, "name": id, "color": "#2E7D32", "text_color": "#FFFFFF",
                "tint": "#E8F5E9", "description": "",
            }))
            .unwrap()
        })
        .to_vec();
    CardSet {
        site_title: "テスト]*$#サイト".into(),
        publisher: "発行\\元".into(),
        edition_label: "令和7年4月版".into(),
        edition_date: "2025-04-01".into(),
        sample: false,
        fields,
        cards,
    }
}

fn card(slug: &str, name: &str, page_url: &str, windows: Vec<ohisama::site::WindowView>) -> Card {
    let fields = card_set(vec![]).fields;
    let (windows, omitted) = Card::windows_of(&windows, &fields);
    Card {
        slug: slug.into(),
        name: name.into(),
        kana: String::new(),
        region_name: "地域".into(),
        updated_label: String::new(),
        page_url: page_url.into(),
        windows,
        omitted,
        centres_omitted: 0,
        centres: vec![CardCentre {
            name: "#set page(width: 1cm) 支援センター".into(),
            detail: Some("#{ 1 + 1 } 内容".into()),
            tel: Some("0467-00-3366".into()),
            tel_kind_label: Some("直通".into()),
            note: Some("$x^2$ *太字* _斜体_ @ref <lbl>".into()),
        }],
    }
}

/// Renders cards; with `OHISAMA_PDF_OUT=<dir>` they are kept there for a look.
fn render(set: &CardSet) -> Vec<ohisama::pdf::PdfFile> {
    let pdfs = PdfRenderer::new(&sitekit::repo_root().join("themes/default"))
        .expect("theme")
        .render_cards(set)
        .unwrap_or_else(|e| panic!("{e}"));
    if let Some(out) = std::env::var_os("OHISAMA_PDF_OUT") {
        std::fs::create_dir_all(&out).unwrap();
        for p in &pdfs {
            std::fs::write(PathBuf::from(&out).join(&p.file_name), &p.bytes).unwrap();
        }
    }
    pdfs
}

/// Names that are typst markup or code if pasted into a template: they print as written.
const HOSTILE: [&str; 8] = [
    "#panic(\"boom\")",
    "$ a + b $ 課",
    "*強調* _下線_ ]) ] } #{",
    "\\ バックスラッシュ \\u{41} \\",
    "#import \"/data.json\" // 注釈 /* 閉じない",
    "= 見出し <ラベル> @参照 `code`",
    "#let x = 1; #x 課",
    "```raw``` ~ -- --- ... 'single' \"double\"",
];

#[test]
fn hostile_names_and_urls_print_as_written() {
    let windows: Vec<_> = HOSTILE
        .iter()
        .enumerate()
        .map(|(i, n)| {
            window(
                n,
                ["a", "b", "c"][i % 3],
                &format!("045-000-000{i}"),
                i == 0,
            )
        })
        .collect();
    let url = "https://example.jp/a$b*c]d#e\\f/contacts/x/";
    let set = card_set(vec![card("x", "#市]*$\\町", url, windows)]);
    let pdfs = render(&set);
    assert_eq!(pdfs.len(), 1);
    assert_eq!(pdfs[0].file_name, "card-x.pdf");
    assert_eq!(pdfs[0].pages, 1);
    assert!(pdfs[0].warnings.is_empty(), "{:?}", pdfs[0].warnings);
    let Some(text) = pdf_to_text(&pdfs[0].bytes) else {
        return;
    };
    let text = squeezed(&text);
    for want in HOSTILE.iter().chain(&[
        "#市]*$\\町",
        "#set page(width: 1cm) 支援センター",
        "$x^2$ *太字* _斜体_ @ref <lbl>",
        "テスト]*$#サイト",
    ]) {
        assert!(
            text.contains(&squeezed(want)),
            "「{want}」 not printed as written:\n{text}"
        );
    }
    if let Some(texts) = qr_texts(&pdfs[0].bytes) {
        assert_eq!(texts, [url]);
    }
}

#[test]
fn many_windows_shrink_then_keep_the_key_ones_on_one_page() {
    let long = "障害福祉部 障害者支援課 医療的ケア児・者等支援担当 在宅生活支援係";
    // 16 windows: fit by smaller type, every one printed.
    let sixteen: Vec<_> = (0..16)
        .map(|i| {
            window(
                &format!("{long} {i:02}番"),
                ["a", "b", "c", "d", "e", "f"][i % 6],
                &format!("045-000-10{i:02}"),
                i == 0,
            )
        })
        .collect();
    // 300 windows (a file may hold 500): the key ones, and a line pointing to the page.
    let many: Vec<_> = (0..300)
        .map(|i| {
            window(
                &format!("{long} {i:03}番"),
                ["a", "b", "c", "d", "e", "f"][i % 6],
                &format!("045-000-{i:04}"),
                i == 0,
            )
        })
        .collect();
    let url = "https://example.jp/contacts/many/";
    let mut big = card("many", "大市", url, many);
    // Three centres shown and two more counted: the centre box is not fitted.
    big.centres = vec![big.centres[0].clone(); 3];
    big.centres_omitted = 2;
    let set = card_set(vec![card("sixteen", "十六市", url, sixteen), big]);
    let pdfs = render(&set);
    assert_eq!(pdfs.iter().map(|p| p.pages).collect::<Vec<_>>(), [1, 1]);
    for p in &pdfs {
        if let Some(pages) = pdfinfo_pages(&p.bytes) {
            assert_eq!(pages, 1, "{}", p.file_name);
        }
    }
    let (Some(sixteen), Some(many)) = (pdf_to_text(&pdfs[0].bytes), pdf_to_text(&pdfs[1].bytes))
    else {
        return;
    };
    let (sixteen, many) = (squeezed(&sixteen), squeezed(&many));
    for i in 0..16 {
        assert!(
            sixteen.contains(&format!("045-000-10{i:02}")),
            "window {i} printed"
        );
    }
    assert!(!sixteen.contains("ほかに"), "nothing left out");
    // The general window and the first of each field are kept.
    for i in 0..6 {
        assert!(many.contains(&format!("045-000-{i:04}")), "key window {i}");
    }
    let shown = (0..300)
        .filter(|i| many.contains(&format!("045-000-{i:04}")))
        .count();
    assert!(shown < 300);
    assert!(
        many.contains(&format!("ほかに{}件の窓口があります", 300 - shown)),
        "says how many are left out: {many}"
    );
    assert!(many.contains(url));
    assert!(many.contains("ほかに2か所あります"), "{many}");
}

#[test]
fn a_theme_without_the_card_template_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let theme = sitekit::repo_root().join("themes/default");
    std::fs::create_dir_all(dir.path().join("pdf")).unwrap();
    for f in ["directory.typ", "style.typ"] {
        std::fs::copy(theme.join("pdf").join(f), dir.path().join("pdf").join(f)).unwrap();
    }
    let renderer = PdfRenderer::with_dirs(&dir.path().join("pdf"), &theme.join("fonts")).unwrap();
    let err = renderer
        .render_cards(&card_set(vec![]))
        .expect_err("no card.typ");
    assert!(err.to_string().contains("card.typ"), "{err}");
}

fn screenshot_dir() -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn printing_a_municipality_page_takes_one_a4_sheet() {
    let Some(browser) = Browser::shared() else {
        return;
    };
    let b = built();
    let (base, _server) = serve_dir(&b.out);
    let page = browser.new_page();
    let mut sheets = Vec::new();
    for m in &b.site.municipalities {
        page.open(&format!("{base}/contacts/{}/", m.slug));
        let pdf = page.print_pdf();
        assert!(
            String::from_utf8_lossy(&pdf).contains("/MediaBox [0 0 594."),
            "A4"
        );
        sheets.push((m.slug.clone(), pdf_page_count(&pdf)));
        if m.slug == "yokohama" {
            save_print(&pdf, "municipality-print-yokohama");
        }
    }
    let over: Vec<_> = sheets.iter().filter(|(_, n)| *n != 1).collect();
    assert!(over.is_empty(), "pages other than one sheet: {over:?}");
}

fn save_print(pdf: &[u8], name: &str) {
    let dir = screenshot_dir();
    std::fs::write(dir.join(format!("{name}.pdf")), pdf).unwrap();
    if let Some(pngs) = pdf_to_png(pdf, 60) {
        std::fs::write(dir.join(format!("{name}.png")), &pngs[0]).unwrap();
    }
}

#[test]
fn a_base_url_that_is_only_a_path_gives_a_card_without_qr_code() {
    let windows = vec![window("福祉課", "a", "045-000-0001", true)];
    let mut c = card("p", "パス市", "/ohisama/contacts/p/", windows);
    c.centres.clear();
    let set = card_set(vec![c]);
    let pdfs = render(&set);
    assert_eq!(pdfs[0].pages, 1);
    if let Some(text) = pdf_to_text(&pdfs[0].bytes) {
        assert!(squeezed(&text).contains("QRコードなし"), "{text}");
        assert!(
            squeezed(&text).contains("この地域の支援センターは登録されていません"),
            "an empty slot says so"
        );
        assert!(text.contains("/ohisama/contacts/p/"));
    }
    if let Some(texts) = qr_texts(&pdfs[0].bytes) {
        assert!(texts.is_empty(), "no QR code: {texts:?}");
    }
}

#[test]
fn a_theme_made_before_the_cards_builds_without_them_and_says_so() {
    let site = sitekit::TestSite::mini();
    std::fs::remove_file(site.path("themes/default/pdf/card.typ")).unwrap();
    let mut o = site.options();
    o.out = site.path("dist");
    o.pdf = true;
    o.search = false;
    let report =
        ohisama::build::build(&o).unwrap_or_else(|e| panic!("{}", e.diagnostics().render_text()));
    let warning = report
        .diagnostics
        .iter()
        .find(|d| d.file == "themes/default/pdf/card.typ")
        .expect("a warning names the missing template");
    assert!(
        warning.message.contains("連絡先カード"),
        "{}",
        warning.message
    );
    assert!(site.path("dist/pdf/contacts-all.pdf").is_file());
    let cards = std::fs::read_dir(site.path("dist/pdf"))
        .unwrap()
        .filter(|e| {
            let name = e.as_ref().unwrap().file_name();
            name.to_string_lossy().starts_with("card-")
        })
        .count();
    assert_eq!(cards, 0);
}
