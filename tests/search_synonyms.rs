//! data/synonyms.yaml and the search of the sample site (issue #17): the
//! rules of the file, the seed covers every vocabulary reading, each kind of
//! variant finds the canonical word's hits (index, CLI, browser), `--explain`,
//! もしかして, and the call buttons and field colours of the results (#16).

use crate::common;
use crate::sitekit::{self, TestSite, expect_diag, ohisama};
use ohisama::search::analyzer::normalize;
use ohisama::search::{QueryOptions, SearchIndex};
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

/// The sample site, built once with its search index: (site, dist folder).
fn built_sample() -> &'static (TestSite, PathBuf) {
    static BUILT: OnceLock<(TestSite, PathBuf)> = OnceLock::new();
    BUILT.get_or_init(|| {
        let site = TestSite::sample();
        let out = site.path("dist");
        let mut o = site.options();
        o.out = out.clone();
        o.search = true;
        ohisama::build::build(&o).unwrap_or_else(|e| panic!("{}", e.diagnostics().render_text()));
        (site, out)
    })
}

fn sample_index() -> SearchIndex {
    let (site, _) = built_sample();
    ohisama::build::search_index(&site.options())
        .unwrap_or_else(|e| panic!("{}", e.diagnostics().render_text()))
}

#[test]
fn synonym_rules_report_file_line_and_hint() {
    let site = TestSite::mini();
    site.write(
        "data/synonyms.yaml",
        "- words: [胃ろう, 胃瘻]\n\
         - words: [訪問看護]\n\
         - words: [短期入所, ショートステイ, 短期入所]\n\
         - words: [痰, たん]\n\
         - words: [訪看, 胃瘻]\n\
         - words: [人工 呼吸器, ベンチレーター]\n\
         - words: [小慢, 小児慢性特定疾病]\n  typed: [しょうまん]\n  category: 制度\n",
    );
    let d = site.check();
    let f = "data/synonyms.yaml";
    expect_diag(&d, f, 2, "言葉が1つしかありません");
    expect_diag(&d, f, 3, "このグループに2回あります");
    let short = expect_diag(&d, f, 4, "短すぎて");
    assert!(short.hint.as_deref().unwrap().contains("typed"));
    let twice = expect_diag(&d, f, 5, "1 行目のグループにもあります");
    assert!(twice.hint.is_some());
    expect_diag(&d, f, 6, "空白があります");
    // The last group is fine: exactly 5 errors, all in this file.
    let errors: Vec<_> = d.iter().filter(|x| x.file == f).collect();
    assert_eq!(errors.len(), 5, "{}", d.render_text());

    // An unknown category is refused at its line, not dropped.
    site.write(
        "data/synonyms.yaml",
        "- words: [胃ろう, 胃瘻]\n  category: 医療\n",
    );
    let d = site.check();
    let cat = expect_diag(&d, f, 2, "分類「医療」はありません");
    assert!(cat.expected.as_deref().unwrap().contains("サービス"));
}

#[test]
fn the_seed_has_80_groups_and_every_vocabulary_reading_is_known() {
    let root = sitekit::repo_root();
    let loaded = ohisama::load::load_data(&root);
    let (_, groups) = loaded.raw.synonyms.as_ref().expect("data/synonyms.yaml");
    assert!(groups.len() >= 80, "{} groups", groups.len());
    let index = sample_index();
    let x = index.expansions();
    let mut terms: Vec<(String, String)> = Vec::new();
    for (_, list) in loaded.raw.care.iter() {
        terms.extend(
            list.iter()
                .map(|t| (t.value.name.value.clone(), t.value.kana.clone())),
        );
    }
    for (_, list) in loaded.raw.facility_types.iter() {
        terms.extend(
            list.iter()
                .map(|t| (t.value.name.value.clone(), t.value.kana.clone())),
        );
    }
    for (_, list) in loaded.raw.fields.iter() {
        terms.extend(
            list.iter()
                .map(|t| (t.value.name.value.clone(), t.value.kana.clone())),
        );
    }
    assert!(terms.len() >= 40);
    // The glossary's readings too (a hiragana query finds its terms).
    let (_, glossary) = loaded.raw.glossary.as_ref().expect("data/glossary.yaml");
    assert!(glossary.len() >= 40, "{} glossary terms", glossary.len());
    terms.extend(glossary.iter().map(|t| {
        let t = &t.value;
        (t.term.value.clone(), t.reading.value.clone())
    }));
    for (name, kana) in &terms {
        let word = name.split(['(', '(', '・']).next().unwrap().trim();
        let entry = x
            .entry(&normalize(kana))
            .unwrap_or_else(|| panic!("the reading {kana} of {name} is unknown"));
        let group = &x.groups[entry.group.unwrap() as usize];
        assert!(
            group.all.iter().any(|w| normalize(w) == normalize(word)),
            "{kana} belongs to {:?}, not to {word}",
            group.all
        );
    }
}

/// (typed, canonical): the typed word finds at least the canonical word's hits.
const VARIANTS: &[(&str, &str)] = &[
    // spelling
    ("胃瘻", "胃ろう"),
    ("痰の吸引", "たんの吸引"),
    ("障がい児福祉手当", "障害児福祉手当"),
    // reading typed
    ("いろう", "胃ろう"),
    ("きゅういん", "吸引"),
    ("たんきにゅうしょ", "短期入所"),
    ("じんこうこきゅうき", "人工呼吸器"),
    ("しんたいしょうがいしゃてちょう", "身体障害者手帳"),
    ("じゅうしょうしんしんしょうがいじ", "重症心身障害児"),
    // abbreviation
    ("訪看", "訪問看護"),
    ("小慢", "小児慢性特定疾病"),
    ("特児", "特別児童扶養手当"),
    ("医ケア", "医療的ケア"),
    ("放デイ", "放課後等デイサービス"),
    ("重心", "重症心身障害"),
    ("NPPV", "非侵襲的陽圧換気"),
    // loanword
    ("ショートステイ", "短期入所"),
    ("ホームヘルプ", "居宅介護"),
    // place
    ("茅が崎", "茅ヶ崎"),
    ("茅ケ崎", "茅ヶ崎"),
];

#[test]
fn each_kind_of_variant_finds_the_canonical_words_hits() {
    let index = sample_index();
    let all = QueryOptions::default();
    for (typed, canonical) in VARIANTS {
        let want = index.matching_docs(canonical, &all).unwrap();
        assert!(!want.is_empty(), "{canonical} finds nothing in the sample");
        let got = index.matching_docs(typed, &all).unwrap();
        let missing: Vec<_> = want.iter().filter(|d| !got.contains(d)).collect();
        assert!(
            missing.is_empty(),
            "{typed} misses {} hits of {canonical}",
            missing.len()
        );
    }
    // A short word that is only typed is never searched inside other words:
    // 「たん」 finds 痰 (its group), not every text with かんたん or たんき.
    let tan = index.matching_docs("痰", &all).unwrap();
    let literal_tan = index.expansions().entry("たん").unwrap();
    assert!(
        !literal_tan.variants.iter().any(|v| v == "たん"),
        "{literal_tan:?}"
    );
    assert!(!tan.is_empty());
}

#[test]
fn cli_search_expands_explains_and_suggests() {
    let (site, _) = built_sample();
    let run = |args: &[&str]| {
        let out = ohisama()
            .arg("search")
            .args(args)
            .arg("--root")
            .arg(site.root())
            .output()
            .unwrap();
        sitekit::assert_success(&out);
        String::from_utf8(out.stdout).unwrap()
    };
    let canonical = run(&["胃ろう", "--limit", "3"]);
    let variant = run(&["胃瘻", "--limit", "3"]);
    assert!(canonical.contains("件中 3件"), "{canonical}");
    assert_eq!(canonical, variant, "胃瘻 must list what 胃ろう lists");
    // 訪看: a word no text uses (胃瘻 now has its glossary entry).
    let explained = run(&["訪看", "--explain", "--limit", "2"]);
    assert!(explained.contains("data/synonyms.yaml:"), "{explained}");
    assert!(explained.contains("探した: 訪問看護"), "{explained}");
    assert!(
        explained.contains("探さない: 訪看 (0件, どの文書にもない)"),
        "{explained}"
    );
    assert!(explained.contains("一致: 訪問看護 ("), "{explained}");
    let place = run(&["ちがさき 訪問看護", "--explain", "--limit", "1"]);
    assert!(place.contains("茅ヶ崎市の結果を先に"), "{place}");
    // Each kind of variant lists at least the canonical word's hits.
    let total = |q: &str| -> usize {
        let out = run(&[q, "--limit", "1"]);
        out.lines()
            .find_map(|l| l.split_once("件中").map(|(n, _)| n.trim().parse().unwrap()))
            .unwrap_or(0)
    };
    for (typed, canonical) in VARIANTS {
        let want = total(canonical);
        assert!(want > 0, "{canonical} finds nothing in the sample");
        assert!(total(typed) >= want, "{typed} lists fewer than {canonical}");
    }
    let typo = run(&["たんきにゅうじょ"]);
    assert!(typo.contains("一致するものはありません"), "{typo}");
    assert!(typo.contains("もしかして: 短期入所"), "{typo}");
}

#[test]
fn browser_results_have_call_buttons_field_colours_variants_and_suggestions() {
    let Some(browser) = common::browser::Browser::new() else {
        return;
    };
    let (_, out) = built_sample();
    let (base, _server) = common::browser::serve_dir(out);
    let page = browser.new_page();
    let status = "document.querySelector('#search-results [role=status]')";
    let wait_status = |page: &common::browser::Page| {
        assert!(page.wait_for(
            &format!("{status} && {status}.textContent"),
            Duration::from_secs(20)
        ));
    };

    // A window query: every window and facility result has a tel: button,
    // window results keep their field colour.
    page.goto(&format!(
        "{base}/search/?q=%E9%9A%9C%E5%AE%B3%E7%A6%8F%E7%A5%89%E8%AA%B2"
    ));
    wait_status(&page);
    let v = page.eval_json(
        "(() => { const items = [...document.querySelectorAll('#search-results ol > li')]; \
           return items.map(li => ({ \
             kind: li.querySelector('.ohs-kind').textContent, \
             tel: (li.querySelector('a[href^=\"tel:\"]') || {}).href || null, \
             cls: li.className, \
             badge: li.querySelector('.field-badge') ? getComputedStyle(li.querySelector('.field-badge')).backgroundColor : null })); })()",
    );
    let items = v.as_array().unwrap();
    let windows: Vec<_> = items.iter().filter(|i| i["kind"] == "相談窓口").collect();
    assert!(windows.len() >= 3, "{v}");
    for w in &windows {
        assert!(
            w["tel"].as_str().is_some_and(|t| t.starts_with("tel:")),
            "{w}"
        );
        assert!(w["cls"].as_str().unwrap().contains(" f-"), "{w}");
        let bg = w["badge"].as_str().unwrap_or("");
        assert!(
            !bg.is_empty() && bg != "rgba(0, 0, 0, 0)",
            "no field colour: {w}"
        );
    }
    let png = page.screenshot_png(375, 1400);
    let shot = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("search-windows-375.png");
    std::fs::write(&shot, &png).unwrap();
    eprintln!("screenshot: {}", shot.display());

    // A variant no text uses (訪看): the note says what was searched, the
    // variant is marked.
    page.goto(&format!("{base}/search/?q=%E8%A8%AA%E7%9C%8B"));
    wait_status(&page);
    let text = page.eval_json(&format!("{status}.textContent"));
    assert!(
        text.as_str()
            .unwrap()
            .contains("「訪看」は「訪問看護」で検索しました"),
        "{text}"
    );
    assert!(page.wait_for(
        "[...document.querySelectorAll('#search-results mark')].some(m => m.textContent === '訪問看護')",
        Duration::from_secs(5)
    ));
    // Each kind of variant: the browser finds what the CLI's index finds,
    // which holds every hit of the canonical word.
    let words: Vec<&str> = VARIANTS.iter().flat_map(|(t, c)| [*t, *c]).collect();
    let sets = page.eval_json(&format!(
        "(async () => {{ const S = await import('/assets/js/search.js'); const out = []; \
           for (const q of {words}) out.push((await S.searchWithTotal(q, {{limit: 1000000}})).results.map(r => r.doc).sort((a, b) => a - b)); \
           return out; }})()",
        words = serde_json::json!(words)
    ));
    let index = sample_index();
    let all = QueryOptions::default();
    for (i, (typed, canonical)) in VARIANTS.iter().enumerate() {
        let docs = |v: &serde_json::Value| -> Vec<u32> {
            v.as_array()
                .unwrap()
                .iter()
                .map(|d| d.as_u64().unwrap() as u32)
                .collect()
        };
        let (got, want) = (docs(&sets[2 * i]), docs(&sets[2 * i + 1]));
        assert!(!want.is_empty(), "browser: {canonical} finds nothing");
        assert!(
            want.iter().all(|d| got.contains(d)),
            "browser: {typed} misses hits of {canonical}"
        );
        let mut cli = index.matching_docs(typed, &all).unwrap();
        cli.sort_unstable();
        assert_eq!(got, cli, "browser and index differ for {typed}");
    }
    // A loanword the texts also use: searched itself and with its group, as typed.
    page.goto(&format!(
        "{base}/search/?q=%E3%82%B7%E3%83%A7%E3%83%BC%E3%83%88%E3%82%B9%E3%83%86%E3%82%A4"
    ));
    wait_status(&page);
    let text = page.eval_json(&format!("{status}.textContent"));
    assert!(
        text.as_str()
            .unwrap()
            .contains("「ショートステイ」は「短期入所」も含めて検索しました"),
        "{text}"
    );

    // Nothing found: もしかして links run their query; no hint about hiragana.
    page.goto(&format!(
        "{base}/search/?q=%E3%81%9F%E3%82%93%E3%81%8D%E3%81%AB%E3%82%85%E3%81%86%E3%81%98%E3%82%87"
    ));
    assert!(page.wait_for(
        "document.querySelector('.ohs-suggest a') !== null",
        Duration::from_secs(20)
    ));
    let help = page.eval_json("document.querySelector('.ohs-help').textContent");
    assert!(help.as_str().unwrap().contains("短期入所"), "{help}");
    assert!(!help.as_str().unwrap().contains("ひらがな"), "{help}");
    let png = page.screenshot_png(375, 900);
    let shot = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("search-suggest-375.png");
    std::fs::write(&shot, &png).unwrap();
    page.eval_json("(() => { document.querySelector('.ohs-suggest a').click(); return true; })()");
    assert!(page.wait_for(
        &format!("{status} && {status}.textContent.includes('件見つかりました')"),
        Duration::from_secs(20)
    ));
}

#[test]
fn synonyms_csv_round_trips_and_a_bad_row_changes_nothing() {
    let site = TestSite::sample();
    let csv = site.path("syn.csv");
    let run = |args: &[&str]| {
        ohisama()
            .args(args)
            .arg("--root")
            .arg(site.root())
            .output()
            .unwrap()
    };
    let c = csv.to_str().unwrap();
    sitekit::assert_success(&run(&["export", "synonyms", "--out", c]));
    let first = std::fs::read(&csv).unwrap();
    let text = String::from_utf8(first.clone()).unwrap();
    assert!(
        text.starts_with("\u{feff}言葉,入力だけ,分類,メモ\r\n"),
        "{text:.80}"
    );
    assert!(
        text.contains("\r\n胃ろう、胃瘻、PEG,いろう,ケア,"),
        "{text:.200}"
    );
    assert!(text.contains("、#8000,"), "{text}");
    // CSV → YAML → CSV gives the same bytes, and the groups are the same.
    let before = ohisama::load::load_data(site.root())
        .raw
        .synonyms
        .unwrap()
        .1;
    sitekit::assert_success(&run(&["import", "synonyms", c, "--force"]));
    let after = ohisama::load::load_data(site.root())
        .raw
        .synonyms
        .unwrap()
        .1;
    let words = |g: &[ohisama::model::S<ohisama::model::SynonymGroup>]| -> Vec<(Vec<String>, Vec<String>, String)> {
        g.iter()
            .map(|g| {
                (
                    g.value.words.iter().map(|w| w.value.clone()).collect(),
                    g.value.typed.iter().map(|w| w.value.clone()).collect(),
                    g.value.category().label().to_string(),
                )
            })
            .collect()
    };
    assert_eq!(words(&before), words(&after));
    std::fs::remove_file(&csv).unwrap();
    sitekit::assert_success(&run(&["export", "synonyms", "--out", c]));
    assert_eq!(std::fs::read(&csv).unwrap(), first);

    // A word in two groups: refused at its row, nothing written.
    let bad = site.path("bad.csv");
    std::fs::write(
        &bad,
        "言葉,入力だけ,分類,メモ\n胃ろう、胃瘻,いろう,ケア,\n訪問看護、胃瘻,,サービス,\n",
    )
    .unwrap();
    let data = sitekit::TreeSnapshot::of(&site.path("data"));
    let out = run(&["import", "synonyms", bad.to_str().unwrap(), "--force"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("3行目") && err.contains("「胃瘻」は"), "{err}");
    data.assert_same(&sitekit::TreeSnapshot::of(&site.path("data")), "data/");
    // Without --force an existing file is kept.
    let out = run(&["import", "synonyms", c]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--force"));
}
