//! 緊急時情報シート (/emergency/sheet/): the public numbers are those of the
//! 119 page; what a family types stays in the browser (localStorage, no
//! request), comes back after a reload, goes out to a JSON file and back in
//! on another device; it prints on one A4 sheet (and so does the blank sheet
//! without JavaScript). Screenshots of the filled sheet at 375 px and of its
//! print are written to `target/tmp/screenshots/` for a person to look at.

use crate::common;
use crate::sitekit;

use common::browser::{Browser, Page, pdf_page_count, pdf_to_png, pdf_to_text, serve_dir};
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

/// The sample, built once. Each browser test serves it on a port of its
/// own: another origin, so its own localStorage and its own request log.
struct Fixture {
    out: PathBuf,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        // The sample site, copied into a folder of target/tmp (see scratch_dir).
        let root = common::scratch_dir("sheet-site");
        for sub in ["content", "data", "themes"] {
            sitekit::copy_dir(&sitekit::repo_root().join(sub), &root.join(sub));
        }
        let out = root.join("dist");
        let mut o = crate::sitekit::build_options(&root);
        o.out = out.clone();
        o.pdf = false;
        o.search = false;
        ohisama::build::build(&o).unwrap_or_else(|e| panic!("{}", e.diagnostics().render_text()));
        Fixture { out }
    })
}

fn browser() -> Option<&'static Browser> {
    Browser::shared()
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(fixture().out.join(rel)).unwrap()
}

/// `href="tel:…"` values of an HTML text.
fn tel_hrefs(html: &str) -> Vec<String> {
    html.split("href=\"tel:")
        .skip(1)
        .map(|r| r[..r.find('"').unwrap()].to_string())
        .collect()
}

#[test]
fn public_numbers_are_those_of_the_119_page_and_the_manual_links_the_sheet() {
    let sheet = read("emergency/sheet/index.html");
    let call = read("emergency/call-119/index.html");
    let on_sheet = tel_hrefs(&sheet);
    for n in ["119", "%237119", "%238000", "+81452327119", "+81455237119"] {
        assert!(on_sheet.iter().any(|h| h == n), "sheet lacks tel:{n}");
    }
    let on_119: Vec<String> = tel_hrefs(&call);
    for h in &on_sheet {
        assert!(
            on_119.contains(h),
            "tel:{h} on the sheet is not on the 119 page"
        );
    }
    assert!(sheet.contains("JavaScript が必要です"), "no-JS note");
    assert!(
        sheet.contains("どこにも送られません"),
        "privacy said plainly"
    );
    for page in [
        "emergency/index.html",
        "emergency/call-119/index.html",
        "emergency/disaster/index.html",
    ] {
        assert!(
            read(page).contains("href=\"/emergency/sheet/\""),
            "{page} links the sheet"
        );
    }
}

/// A family's sheet, as the fields' `name` → value.
const FILLED: &[(&str, &str)] = &[
    ("child_name", "神奈川 ひなた"),
    ("child_kana", "かながわ ひなた"),
    ("birth_date", "2019年5月12日(令和元年)"),
    ("weight", "14.2 kg(2025年3月)"),
    ("blood_type", "A型 Rh+"),
    ("home_tel", "0467-00-0000"),
    ("address", "茅ヶ崎市〇〇1-2-3 サンプルマンション 101号室"),
    ("diagnosis", "先天性ミオパチー\n慢性呼吸不全"),
    (
        "baseline",
        "平熱 36.8℃、SpO2 96〜98%、脈拍 100〜120/分。声かけに笑顔で応える。",
    ),
    (
        "ventilator",
        "トリロジー(サンプル) PCモード 吸気圧 16 cmH2O、PEEP 5、回数 20/分、酸素 1 L/分",
    ),
    ("cannula", "カフなし 内径 4.0 mm"),
    ("oxygen", "睡眠中 1 L/分"),
    ("feeding", "胃ろう 12Fr ボタン。エンシュア 200 mL × 4 回"),
    ("other_care", "吸引 1〜2 時間ごと。吸引カテーテル 8Fr"),
    (
        "medicines",
        "バルプロ酸 朝夕 2 mL\nカルボシステイン 1 日 3 回",
    ),
    ("allergies", "ラテックス、セフェム系抗菌薬"),
    ("hospital", "県立こども医療センター 神経内科"),
    ("doctor", "〇〇 先生"),
    ("hospital_tel", "045-000-0000"),
    ("patient_id", "1234567"),
    ("home_nursing", "ひかり訪問看護 0467-00-1111"),
    ("device_vendor", "〇〇メディカル 0120-000-000(24時間)"),
    ("contact1_name", "神奈川 太郎(父)"),
    ("contact1_tel", "090-0000-0000"),
    ("contact2_name", "神奈川 花子(母)"),
    ("contact2_tel", "080-0000-0000"),
    (
        "notes",
        "停電時は〇〇小学校(福祉避難所)へ。抱っこは首を支えて。",
    ),
    ("filled_on", "令和7年4月1日"),
    ("tel_8000_fallback", "045-000-8000(2025年4月確認)"),
];

fn open_sheet(page: &Page, base: &str) {
    page.open(&format!("{base}/emergency/sheet/"));
    assert!(
        page.wait_for(
            "window.__ohisamaSheetReady === true",
            Duration::from_secs(20)
        ),
        "sheet.js is ready"
    );
}

fn fill(page: &Page, values: &[(&str, &str)]) {
    let json = serde_json::to_string(&values.to_vec()).unwrap();
    page.eval_json(&format!(
        "(() => {{ for (const [n, v] of {json}) {{ const el = document.querySelector(`#sheet [name='${{n}}']`); \
           if (!el) throw new Error('no field ' + n); el.focus(); el.value = v; \
           el.dispatchEvent(new Event('input', {{ bubbles: true }})); }} return true; }})()"
    ));
}

fn values(page: &Page) -> serde_json::Value {
    page.eval_json(
        "Object.fromEntries([...document.querySelectorAll('#sheet [name]')].filter(e => e.value).map(e => [e.name, e.value]))",
    )
}

fn expected() -> serde_json::Value {
    serde_json::Value::Object(
        FILLED
            .iter()
            .map(|(k, v)| (k.to_string(), serde_json::Value::String(v.to_string())))
            .collect(),
    )
}

fn screenshot_dir() -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn sheet_stays_in_the_browser_survives_a_reload_and_a_change_of_phone() {
    let Some(browser) = browser() else { return };
    let (base, server) = serve_dir(&fixture().out);
    let page = browser.new_page();
    page.set_viewport(375, 800);
    open_sheet(&page, &base);
    assert_eq!(
        page.eval_json(
            "[...document.querySelectorAll('#sheet input, #sheet textarea')].filter(e => e.form).length"
        ),
        0,
        "no field belongs to a form: nothing can be submitted"
    );
    assert_eq!(
        page.eval_json("document.getElementById('sheet-tools').hidden"),
        false
    );

    // The service worker has saved the pages it keeps for offline use (its
    // own requests, made once at install).
    page.eval_json("navigator.serviceWorker.ready.then(() => true)");
    server.clear_requests();
    fill(&page, FILLED);
    std::thread::sleep(Duration::from_millis(600));
    assert_eq!(
        server.requests(),
        Vec::<String>::new(),
        "typing sends nothing"
    );
    let stored = page.eval_json(
        "JSON.parse(localStorage.getItem(document.getElementById('sheet').dataset.storageKey))",
    );
    assert_eq!(stored["format"], "ohisama-emergency-sheet");
    assert_eq!(stored["fields"], expected());

    // A reload (or the next day): everything is back.
    open_sheet(&page, &base);
    assert_eq!(values(&page), expected());

    // Screenshots of the filled sheet on a phone, one screen (375×1000) after another.
    let height = page
        .eval_json("document.documentElement.scrollHeight")
        .as_u64()
        .unwrap();
    for (i, top) in (0..height).step_by(1000).enumerate() {
        page.eval_json(&format!(
            "(() => {{ window.scrollTo(0, {top}); return true; }})()"
        ));
        let png = page.screenshot_png(375, 1000);
        std::fs::write(
            screenshot_dir().join(format!("sheet-filled-375-{}.png", i + 1)),
            png,
        )
        .unwrap();
    }
    page.set_viewport(375, 800);

    // Export to a file: catch the download link the button clicks.
    page.eval_json(
        "(() => { window.__dl = null; const orig = HTMLAnchorElement.prototype.click; \
           HTMLAnchorElement.prototype.click = function () { if (this.download) { window.__dl = { href: this.href, name: this.download }; } else orig.call(this); }; \
           document.querySelector('[data-action=export]').click(); return true; })()",
    );
    let dl = page.eval_json("window.__dl");
    assert!(
        dl["name"]
            .as_str()
            .unwrap()
            .starts_with("kinkyu-joho-sheet-")
            && dl["name"].as_str().unwrap().ends_with(".json"),
        "{dl}"
    );
    let file = page.eval_json(&format!(
        "fetch({}).then(r => r.text())",
        serde_json::to_string(&dl["href"]).unwrap()
    ));
    let file = file.as_str().unwrap().to_string();
    let exported: serde_json::Value = serde_json::from_str(&file).unwrap();
    assert_eq!(exported["format"], "ohisama-emergency-sheet");
    assert_eq!(exported["version"], 1);
    assert_eq!(exported["fields"], expected());
    assert!(
        page.wait_for(
            "document.getElementById('sheet-status').textContent.includes('保存しました')",
            Duration::from_secs(2)
        ),
        "the family is told where the file went"
    );

    // Clear everything (after a confirmation).
    page.eval_json(
        "(() => { window.confirm = () => true; document.querySelector('[data-action=clear]').click(); return true; })()",
    );
    assert_eq!(values(&page), serde_json::json!({}));
    assert_eq!(
        page.eval_json("localStorage.getItem(document.getElementById('sheet').dataset.storageKey)"),
        serde_json::Value::Null
    );

    // A new phone: read the file back.
    let import = |text: &str| {
        page.eval_json(&format!(
            "(() => {{ const dt = new DataTransfer(); dt.items.add(new File([{}], 'sheet.json', {{ type: 'application/json' }})); \
               const input = document.getElementById('sheet-import'); input.files = dt.files; \
               input.dispatchEvent(new Event('change', {{ bubbles: true }})); return true; }})()",
            serde_json::to_string(text).unwrap()
        ));
    };
    import(&file);
    assert!(page.wait_for(
        "document.querySelector('#sheet [name=child_name]').value !== ''",
        Duration::from_secs(5)
    ));
    assert_eq!(values(&page), expected());
    open_sheet(&page, &base);
    assert_eq!(values(&page), expected(), "the import is kept");

    // (The reload brought back the browser's own confirm dialog.)
    page.eval_json("(() => { window.confirm = () => true; return true; })()");
    // A wrong file is refused with a message, and changes nothing.
    import("{\"hello\": 1}");
    assert!(page.wait_for(
        "document.getElementById('sheet-status').textContent.includes('読み込めませんでした')",
        Duration::from_secs(5)
    ));
    assert_eq!(values(&page), expected());
    // Unknown keys and non-text values in a file are ignored.
    import(
        "{\"format\":\"ohisama-emergency-sheet\",\"version\":1,\"fields\":{\"child_name\":\"別の子\",\"evil\":\"x\",\"notes\":{\"a\":1}}}",
    );
    assert!(page.wait_for(
        "document.querySelector('#sheet [name=child_name]').value === '別の子'",
        Duration::from_secs(5)
    ));
    assert_eq!(values(&page), serde_json::json!({"child_name": "別の子"}));
    assert_eq!(
        page.eval_json("document.querySelectorAll('[name=evil]').length"),
        0
    );
}

#[test]
fn filled_sheet_prints_on_one_a4_page() {
    let Some(browser) = browser() else { return };
    let (base, _server) = serve_dir(&fixture().out);
    let page = browser.new_page();
    page.set_viewport(375, 800);
    open_sheet(&page, &base);
    fill(&page, FILLED);
    let pdf = page.print_pdf();
    std::fs::write(screenshot_dir().join("sheet-print.pdf"), &pdf).unwrap();
    if let Some(pngs) = pdf_to_png(&pdf, 90) {
        for (i, png) in pngs.iter().enumerate() {
            let name = if i == 0 {
                "sheet-print.png".to_string()
            } else {
                format!("sheet-print-{}.png", i + 1)
            };
            std::fs::write(screenshot_dir().join(name), png).unwrap();
        }
    }
    assert!(
        String::from_utf8_lossy(&pdf).contains("/MediaBox [0 0 594."),
        "A4"
    );
    assert_eq!(pdf_page_count(&pdf), 1, "one A4 sheet");
    let Some(text) = pdf_to_text(&pdf) else {
        return;
    };
    let flat: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    for (_, v) in FILLED {
        let v: String = v.chars().filter(|c| !c.is_whitespace()).collect();
        assert!(flat.contains(&v), "printed sheet lacks {v:?}:\n{text}");
    }
    for label in [
        "緊急時情報シート",
        "119",
        "#7119",
        "#8000",
        "045-232-7119",
        "人工呼吸器",
        "アレルギー",
    ] {
        assert!(flat.contains(label), "{label}");
    }
    for absent in [
        "印刷する",
        "ファイルに保存",
        "本文へ移動",
        "サイト内検索",
        "どこにも送られません",
    ] {
        assert!(!flat.contains(absent), "{absent:?} printed");
    }
}

/// Without JavaScript the page says the form needs it, and prints a blank
/// sheet on one A4 page (without the buttons that would not work).
#[test]
fn without_javascript_a_note_and_a_blank_printable_sheet() {
    let Some(browser) = browser() else { return };
    let (base, _server) = serve_dir(&fixture().out);
    let page = browser.new_page();
    page.tab()
        .call_method(
            headless_chrome::protocol::cdp::Emulation::SetScriptExecutionDisabled { value: true },
        )
        .unwrap();
    page.goto(&format!("{base}/emergency/sheet/"));
    let pdf = page.print_pdf();
    if let Some(pngs) = pdf_to_png(&pdf, 90) {
        for (i, png) in pngs.iter().enumerate() {
            std::fs::write(
                screenshot_dir().join(format!("sheet-blank-print-{}.png", i + 1)),
                png,
            )
            .unwrap();
        }
    }
    assert_eq!(pdf_page_count(&pdf), 1, "the blank sheet is one A4 page");
    let Some(text) = pdf_to_text(&pdf) else {
        return;
    };
    let flat: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    for label in [
        "緊急時情報シート",
        "名前",
        "生年月日",
        "人工呼吸器",
        "#7119",
        "記入日",
    ] {
        assert!(flat.contains(label), "{label}");
    }
    assert!(!flat.contains("印刷する"), "no buttons without JS");
    // On screen, the note is shown (read through the DOM: scripts are off for
    // the page, not for the test).
    let note = page.eval_json(
        "(() => { const n = document.querySelector('.sheet-noscript'); return n ? n.innerText : null; })()",
    );
    assert!(
        note.as_str()
            .is_some_and(|t| t.contains("JavaScript が必要です")),
        "{note}"
    );
}
