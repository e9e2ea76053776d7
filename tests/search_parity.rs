//! search.js in headless Chromium against tantivy: same analyzer, same
//! ranking (top 10 URLs in order, scores to 1e-4), same hit sets on a
//! generated corpus, the files a query fetches, and the /search/ page UI.

use crate::common;
use crate::search_fixture as fixture;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::browser::{Browser, Page, serve_dir};
use ohisama::kinds::synonyms::SynonymGroup;
use ohisama::search::analyzer::{normalize, query_words, tokens};
use ohisama::search::expand::{Group, Place, Vocabulary};
use ohisama::search::export::{Meta, fetch_plan, fetch_plan_with};
use ohisama::search::{DocKind, QueryOptions, SearchDoc, SearchIndex, suggest};
use serde_json::{Value, json};

const SEARCH_JS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/themes/default/static/js/search.js"
);

/// Builds the index of `docs` and lays out a site under `www/<prefix>/`:
/// the export in `search/`, search.js in `js/`, a blank `index.html`.
fn site(docs: &[SearchDoc], www: &Path, prefix: &str) -> (SearchIndex, Meta) {
    let root = www.join(prefix);
    let cache = www.parent().unwrap().join(format!("cache-{prefix}"));
    let index = SearchIndex::build(docs, &cache).unwrap();
    let out = root.join("search");
    std::fs::create_dir_all(&out).unwrap();
    index.export(&out).unwrap();
    std::fs::create_dir_all(root.join("js")).unwrap();
    std::fs::copy(SEARCH_JS, root.join("js/search.js")).unwrap();
    std::fs::write(
        root.join("index.html"),
        "<!doctype html><html lang=ja><meta charset=utf-8><title>t</title><body></body></html>",
    )
    .unwrap();
    let meta: Meta =
        serde_json::from_slice(&std::fs::read(out.join("meta.json")).unwrap()).unwrap();
    (index, meta)
}

fn tmp() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let www = dir.path().join("www");
    std::fs::create_dir_all(&www).unwrap();
    (dir, www)
}

/// Runs `search` in the page for each (query, kind, region), with `limit`.
fn js_search(
    page: &Page,
    prefix: &str,
    cases: &[(String, Option<&str>, Option<&str>)],
    limit: usize,
) -> Vec<Value> {
    js_search_map(page, prefix, cases, limit, "r => r")
}

/// [`js_search`] with each `{total, results}` mapped by the JS function
/// `map` in the page (keeps large answers small: the DevTools connection
/// stalls on answers of megabytes).
fn js_search_map(
    page: &Page,
    prefix: &str,
    cases: &[(String, Option<&str>, Option<&str>)],
    limit: usize,
    map: &str,
) -> Vec<Value> {
    let cases: Vec<Value> = cases
        .iter()
        .map(|(q, k, r)| json!({"q": q, "kind": k, "region": r}))
        .collect();
    let js = format!(
        "(async () => {{ const S = await import('/{prefix}/js/search.js'); const out = []; \
         for (const c of {cases}) {{ out.push(({map})(await S.searchWithTotal(c.q, {{limit: {limit}, kind: c.kind, region: c.region, base: '/{prefix}/search/'}}))); }} \
         return out; }})()",
        cases = Value::Array(cases)
    );
    match page.eval_json(&js) {
        Value::Array(v) => v,
        other => panic!("unexpected {other}"),
    }
}

const QUERIES: &[&str] = &[
    // kanji
    "訪問看護",
    "人工呼吸器",
    "気管切開",
    "短期入所",
    "医療的ケア児",
    "吸引",
    "経管栄養",
    "特別児童扶養手当",
    "小児慢性特定疾病",
    "相談支援専門員",
    "障害福祉課",
    "教育委員会",
    "停電",
    // hiragana
    "ほうもんかんご",
    "ちがさき",
    "よこはま",
    "かわさきし",
    "はやままち",
    "きよかわむら",
    "たんの吸引",
    "さくら",
    // katakana, half-width katakana
    "ホウモンカンゴ",
    "ステーション",
    "カニューレ",
    "レスパイト",
    "コーディネーター",
    "ﾎｳﾓﾝｶﾝｺﾞ",
    "ｽﾃｰｼｮﾝ",
    // full-width latin
    "ＮＩＣＵ",
    "ＰＤＦ",
    "ＣＰＲ",
    // one character
    "市",
    "吸",
    "町",
    "ケ",
    // municipality names
    "横浜市",
    "茅ヶ崎市",
    "茅ケ崎",
    "清川村",
    "藤沢市",
    // mixed, several words
    "横浜市 訪問看護",
    "人工呼吸器 短期入所",
    "ちがさき　相談",
    "訪問看護 ステーション 24時間",
    "NICU 退院",
    "119番",
    "0467",
    // no hit
    "宇宙飛行士",
    "xyz",
    "火星 訪問",
];

#[test]
fn search_js_matches_tantivy() {
    let docs = fixture::fixture_docs();
    assert!(docs.len() >= 190, "{}", docs.len());
    let (_dir, www) = tmp();
    let (index, meta) = site(&docs, &www, "site");
    let Some(browser) = Browser::new() else {
        return;
    };
    let (base, server) = serve_dir(&www);
    let page = browser.new_page();
    page.goto(&format!("{base}/site/"));

    // 1. The analyzer.
    let samples = [
        "訪問看護ステーション",
        "ホウモン",
        "ほうもん",
        "ﾎｳﾓﾝｶﾝｺﾞ",
        "ｶﾞｯｺｳ ﾊﾟﾊﾟ",
        "ＮＩＣＵ　退院",
        "茅ヶ崎市 茅ケ崎 3ヵ月",
        "①②③ ㈱ ㍻ ﬁ",
        "Ünïcödé ΣΑΣ İstanbul",
        "😀絵文字🎌 と\tタブ\n改行",
        "ヴァイオリン ゐゑ ヽヾ",
        "  前後の空白  ",
    ];
    let js = format!(
        "(async () => {{ const S = await import('/site/js/search.js'); \
         return {s}.map(x => ({{n: S.normalize(x), t: S.tokens(x), w: S.queryWords(x)}})); }})()",
        s = json!(samples)
    );
    let got = page.eval_json(&js);
    for (i, s) in samples.iter().enumerate() {
        assert_eq!(got[i]["n"], json!(normalize(s)), "normalize {s:?}");
        let want: Vec<Value> = tokens(s).into_iter().map(|(t, p)| json!([t, p])).collect();
        assert_eq!(got[i]["t"], Value::Array(want), "tokens {s:?}");
        assert_eq!(got[i]["w"], json!(query_words(s)), "queryWords {s:?}");
    }

    // 2. Ranking.
    let mut cases: Vec<(String, Option<&str>, Option<&str>)> = QUERIES
        .iter()
        .map(|q| (q.to_string(), None, None))
        .collect();
    cases.extend([
        ("訪問".to_string(), Some("facility"), None),
        ("相談".to_string(), None, Some("shonan-east")),
        ("ちがさき".to_string(), Some("window"), None),
        ("訪問看護".to_string(), Some("page"), None),
        ("吸引".to_string(), Some("facility"), Some("kenoh")),
        ("市".to_string(), Some("window"), Some("seirei")),
        ("訪問".to_string(), None, Some("nowhere")),
    ]);
    assert!(cases.len() >= 40);
    let js_results = js_search(&page, "site", &cases, 10);
    let mut compared = 0;
    let mut with_hits = 0;
    let mut max_diff = 0f64;
    for ((q, kind, region), got) in cases.iter().zip(&js_results) {
        let opts = QueryOptions {
            limit: 10,
            kind: kind.map(|k| k.parse::<DocKind>().unwrap()),
            region: region.map(str::to_string),
        };
        let want = index.query(q, &opts).unwrap();
        let total = index.matching_docs(q, &opts).unwrap().len();
        let got_list = got["results"].as_array().unwrap();
        let got_urls: Vec<&str> = got_list
            .iter()
            .map(|r| r["url"].as_str().unwrap())
            .collect();
        let want_urls: Vec<&str> = want.iter().map(|h| h.url.as_str()).collect();
        assert_eq!(got_urls, want_urls, "order for {q:?} {kind:?} {region:?}");
        assert_eq!(
            got["total"].as_u64().unwrap() as usize,
            total,
            "total for {q:?}"
        );
        for (g, w) in got_list.iter().zip(&want) {
            let gs = g["score"].as_f64().unwrap();
            let d = (gs - w.score as f64).abs();
            max_diff = max_diff.max(d);
            assert!(
                d <= 1e-4,
                "score of {} for {q:?}: js {gs} tantivy {}",
                w.url,
                w.score
            );
            assert_eq!(g["title"], json!(w.title));
            assert_eq!(g["kind"], json!(w.kind.as_str()));
            assert_eq!(g["municipality"], json!(w.municipality));
            assert_eq!(g["region"], json!(w.region));
            assert_eq!(g["field"], json!(w.field));
            assert_eq!(g["doc"], json!(w.doc));
        }
        compared += 1;
        if !want.is_empty() {
            with_hits += 1;
        }
    }
    eprintln!(
        "parity: {compared} queries ({with_hits} with hits), max score difference {max_diff:e}"
    );
    assert!(with_hits >= 40);

    // 3. A query fetches only its shards and the chunks of its results.
    for q in [
        "訪問看護",
        "ちがさき",
        "人工呼吸器 短期入所",
        "市",
        "ＮＩＣＵ",
    ] {
        page.goto(&format!("{base}/site/"));
        server.clear_requests();
        let got = js_search(&page, "site", &[(q.to_string(), None, None)], 10);
        let want = index.query(q, &QueryOptions::default()).unwrap();
        let docs: Vec<u32> = want.iter().map(|h| h.doc).collect();
        assert_eq!(got[0]["results"].as_array().unwrap().len(), want.len());
        let mut fetched: Vec<String> = server
            .requests()
            .into_iter()
            .filter_map(|p| p.strip_prefix("/site/search/").map(str::to_string))
            .collect();
        fetched.sort();
        let mut plan = fetch_plan(&meta, q, false, &docs);
        plan.push("meta.json".to_string());
        plan.sort();
        assert_eq!(fetched, plan, "files fetched for {q:?}");
    }
}

/// Independent scan: documents where every query word is a substring of the
/// normalised title, body or kana.
fn scan(docs: &[SearchDoc], q: &str) -> Vec<u64> {
    let words = query_words(q);
    (0..docs.len())
        .filter(|&i| {
            let d = &docs[i];
            let texts = [normalize(&d.title), normalize(&d.body), normalize(&d.kana)];
            !words.is_empty()
                && words
                    .iter()
                    .all(|w| texts.iter().any(|t| t.contains(w.as_str())))
        })
        .map(|i| i as u64)
        .collect()
}

#[test]
fn search_js_hits_are_exact_on_a_generated_corpus() {
    let docs = fixture::generated_docs(700, 700, 11);
    let (_dir, www) = tmp();
    let (index, _meta) = site(&docs, &www, "gen");
    let Some(browser) = Browser::new() else {
        return;
    };
    let (base, _server) = serve_dir(&www);
    let page = browser.new_page();
    page.goto(&format!("{base}/gen/"));
    let queries = [
        "訪問看護",
        "ほうもんかんご",
        "ﾎｳﾓﾝｶﾝｺﾞ",
        "人工呼吸器",
        "気管切開",
        "茅ヶ崎市",
        "ちがさき",
        "吸",
        "横浜市 訪問",
        "医療的ケア児等コーディネーター",
        "短期入所",
        "ＮＩＣＵ",
        "24時間",
        "看護師 人工呼吸器 横須賀",
        "ステーション",
        "湯河原",
        "ろう",
        "中心静脈栄養 短期",
        "すてーしょんさくら",
        "宇宙飛行士",
    ];
    let cases: Vec<(String, Option<&str>, Option<&str>)> = queries
        .iter()
        .map(|q| (q.to_string(), None, None))
        .collect();
    let all = js_search_map(
        &page,
        "gen",
        &cases,
        1_000_000,
        "r => ({total: r.total, results: r.results.map(x => ({doc: x.doc}))})",
    );
    let top = js_search(&page, "gen", &cases, 10);
    let mut nonempty = 0;
    for (i, q) in queries.iter().enumerate() {
        let mut got: Vec<u64> = all[i]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["doc"].as_u64().unwrap())
            .collect();
        got.sort_unstable();
        let want = scan(&docs, q);
        assert_eq!(got.len(), want.len(), "hit count for {q}");
        assert!(got == want, "hit set for {q}");
        if !want.is_empty() {
            nonempty += 1;
        }
        // and the top 10 agree with tantivy on this corpus too
        let t = index.query(q, &QueryOptions::default()).unwrap();
        let js_urls: Vec<&str> = top[i]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["url"].as_str().unwrap())
            .collect();
        let t_urls: Vec<&str> = t.iter().map(|h| h.url.as_str()).collect();
        assert_eq!(js_urls, t_urls, "top 10 for {q}");
    }
    assert!(nonempty >= 18);
}

#[test]
fn search_page_ui_renders_typed_results_under_a_sub_path() {
    let docs = fixture::fixture_docs();
    let (_dir, www) = tmp();
    let (index, _meta) = site(&docs, &www, "ohisama");
    // The /search/ page as the template writes it (search.js under assets/).
    let root = www.join("ohisama");
    std::fs::create_dir_all(root.join("assets/js")).unwrap();
    std::fs::copy(SEARCH_JS, root.join("assets/js/search.js")).unwrap();
    std::fs::write(
        root.join("search/index.html"),
        r#"<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>サイト内検索</title>
<meta name="viewport" content="width=device-width,initial-scale=1">
<style>body{font-family:sans-serif;margin:1rem;max-width:48rem}</style></head><body>
<h1>サイト内検索</h1>
<form id="search-form" class="search-form" role="search" action="/ohisama/search/" method="get" data-base="/ohisama/">
  <label for="q">キーワード</label>
  <input id="q" name="q" type="search" autocomplete="off">
  <label for="region">地域</label>
  <select id="region" name="region"><option value="">すべての地域</option><option value="seirei">政令市</option><option value="shonan-east">湘南東部</option><option value="kenoh">県央</option></select>
  <label for="type">種類</label>
  <select id="type" name="type"><option value="">すべて</option><option value="page">ページ</option><option value="window">相談窓口</option><option value="facility">施設</option></select>
  <button type="submit">検索</button>
</form>
<div id="search-results" aria-live="polite"></div>
<script type="module">import { mountSearch } from "/ohisama/assets/js/search.js"; mountSearch(document.getElementById("search-form"), document.getElementById("search-results"));</script>
</body></html>"#,
    )
    .unwrap();
    let Some(browser) = Browser::new() else {
        return;
    };
    let (base, _server) = serve_dir(&www);
    let page = browser.new_page();
    page.goto(&format!(
        "{base}/ohisama/search/?q=%E8%A8%AA%E5%95%8F%E7%9C%8B%E8%AD%B7"
    ));
    let status = "document.querySelector('#search-results [role=status]')";
    assert!(page.wait_for(
        &format!("{status} && {status}.textContent"),
        Duration::from_secs(20)
    ));
    let total = index
        .matching_docs("訪問看護", &QueryOptions::default())
        .unwrap()
        .len();
    let want = index
        .query(
            "訪問看護",
            &QueryOptions {
                limit: 20,
                ..QueryOptions::default()
            },
        )
        .unwrap();
    let v = page.eval_json(&format!(
        "(() => {{ const items = [...document.querySelectorAll('#search-results ol > li')]; return {{ \
           status: {status}.textContent, \
           live: {status}.getAttribute('aria-live'), \
           input: document.querySelector('input[name=q]').value, \
           n: items.length, \
           hrefs: items.map(li => li.querySelector('a').getAttribute('href')), \
           tags: items.map(li => [...li.querySelectorAll('.ohs-tag')].map(t => t.textContent)), \
           more: !document.querySelector('.ohs-more').hidden }}; }})()"
    ));
    assert_eq!(v["status"], json!(format!("{total}件見つかりました")));
    assert_eq!(v["live"], json!("polite"));
    assert_eq!(v["input"], json!("訪問看護"));
    assert_eq!(v["n"].as_u64().unwrap() as usize, want.len());
    for (i, h) in want.iter().enumerate() {
        assert_eq!(v["hrefs"][i], json!(format!("/ohisama{}", h.url)));
        let tags = v["tags"][i].as_array().unwrap();
        assert_eq!(tags[0], json!(h.kind.label_ja()));
        if let Some(m) = &h.municipality {
            assert!(tags.contains(&json!(m)), "{tags:?}");
        }
        if let Some(f) = &h.field {
            assert!(tags.contains(&json!(f)), "{tags:?}");
        }
    }
    assert_eq!(v["more"], json!(total > want.len()));
    let png = page.screenshot_png(1000, 1400);
    let shot = Path::new(env!("CARGO_TARGET_TMPDIR")).join("search-ui.png");
    std::fs::write(&shot, &png).unwrap();
    eprintln!("screenshot: {}", shot.display());

    // Region and type filters re-run the search and update the URL.
    page.eval_json(
        "(() => { const f = document.getElementById('search-form'); \
           f.elements.region.value = 'shonan-east'; f.elements.type.value = 'window'; \
           f.elements.region.dispatchEvent(new Event('change')); return true; })()",
    );
    let want = index
        .query(
            "訪問看護",
            &QueryOptions {
                limit: 20,
                kind: Some(DocKind::Window),
                region: Some("shonan-east".into()),
            },
        )
        .unwrap();
    let total = index
        .matching_docs(
            "訪問看護",
            &QueryOptions {
                limit: 20,
                kind: Some(DocKind::Window),
                region: Some("shonan-east".into()),
            },
        )
        .unwrap()
        .len();
    let expect_status = if total == 0 {
        "「訪問看護」に一致する結果は見つかりませんでした。".to_string()
    } else {
        format!("{total}件見つかりました")
    };
    assert!(
        page.wait_for(
            &format!("{status}.textContent === {}", json!(expect_status)),
            Duration::from_secs(10)
        ),
        "{:?}",
        page.eval_json(&format!("{status}.textContent"))
    );
    assert!(
        page.eval_json("location.search")
            .as_str()
            .unwrap()
            .contains("region=shonan-east")
    );
    let n = page.eval_json("document.querySelectorAll('#search-results ol > li').length");
    assert_eq!(n.as_u64().unwrap() as usize, want.len());

    // No results: a message, an empty list.
    page.eval_json(
        "(() => { const f = document.getElementById('search-form'); f.elements.q.value = '宇宙飛行士'; \
           f.requestSubmit(); return true; })()",
    );
    assert!(page.wait_for(
        &format!("{status}.textContent.includes('見つかりませんでした')"),
        Duration::from_secs(10)
    ));
    let n = page.eval_json("document.querySelectorAll('#search-results ol > li').length");
    assert_eq!(n, json!(0));
}

// ------------------------------------------------ expansions and ranking

/// The vocabulary of the fixture: the groups of the repository's
/// data/synonyms.yaml, the fixture's municipalities as places, and its
/// leading page documents as the explanatory ones.
pub fn fixture_vocabulary(docs: &[SearchDoc]) -> Vocabulary {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/data/synonyms.yaml"))
        .unwrap();
    let raw: Vec<ohisama::model::S<SynonymGroup>> = ohisama::load::parse_yaml(&text)
        .unwrap_or_else(|_| panic!("data/synonyms.yaml does not parse"));
    let groups = raw
        .iter()
        .map(|g| Group {
            words: g.value.words.iter().map(|w| w.value.clone()).collect(),
            typed: g.value.typed.iter().map(|w| w.value.clone()).collect(),
            topic: g.value.category().is_topic(),
            source: "synonyms.yaml".into(),
        })
        .collect();
    let places = fixture::MUNICIPALITIES
        .iter()
        .map(|(name, kana, _, _)| Place {
            name: name.to_string(),
            forms: vec![
                name.to_string(),
                kana.to_string(),
                name.trim_end_matches('市').to_string(),
                kana.trim_end_matches('し').to_string(),
            ],
        })
        .collect();
    let explain_docs = docs.iter().take_while(|d| d.kind == DocKind::Page).count() as u32;
    Vocabulary {
        groups,
        places,
        explain_docs,
    }
}

/// Independent scan with the raw groups: a document matches a word when it
/// contains, as a substring of its normalised texts, any `words` entry of
/// the group the word is in (as a word or a typed word), or the word itself
/// when no group has it.
pub fn scan_with(docs: &[SearchDoc], q: &str, vocab: &Vocabulary) -> Vec<u32> {
    let alternatives = |w: &str| -> Vec<String> {
        for g in &vocab.groups {
            if g.words.iter().any(|x| normalize(x) == w) {
                return g.words.iter().map(|x| normalize(x)).collect();
            }
            if g.typed.iter().any(|x| normalize(x) == w) {
                // a typed word is recognised, not searched
                return g.words.iter().map(|x| normalize(x)).collect();
            }
        }
        vec![w.to_string()]
    };
    let words: Vec<Vec<String>> = query_words(q).iter().map(|w| alternatives(w)).collect();
    (0..docs.len() as u32)
        .filter(|&i| {
            let d = &docs[i as usize];
            let texts = [normalize(&d.title), normalize(&d.body), normalize(&d.kana)];
            !words.is_empty()
                && words.iter().all(|alts| {
                    alts.iter()
                        .any(|a| texts.iter().any(|t| t.contains(a.as_str())))
                })
        })
        .collect()
}

/// Family-typed queries: variants of every kind, readings, places, plain words.
pub const VARIANT_QUERIES: &[&str] = &[
    // spelling
    "胃瘻",
    "痰の吸引",
    "痰吸引",
    "喀痰吸引",
    "たん吸引",
    "障がい",
    "障碍",
    "子供",
    "カニューラ",
    "腸瘻",
    // readings typed
    "いろう",
    "たんきにゅうしょ",
    "ほうもんかんご",
    "しょうまん",
    "とくじ",
    "たんきゅういん",
    // abbreviations
    "訪看",
    "小慢",
    "特児",
    "医ケア",
    "医ケア児",
    "放デイ",
    "放課後デイ",
    "児発",
    "重心",
    "NPPV",
    "IVH",
    "TPN",
    "PEG",
    "気切",
    "ケアマネ",
    // loanwords
    "ショートステイ",
    "ホームヘルプ",
    "ベンチレーター",
    "ストーマ",
    "ナース",
    // places
    "茅が崎",
    "茅ケ崎 訪問看護",
    "茅ヶ崎 訪問看護",
    "ちがさき 訪問看護",
    "横浜 訪問看護",
    "横浜市 相談",
    "よこはま 短期入所",
    "川崎 ショートステイ",
    // canonical words (topic: explanations first)
    "胃ろう",
    "短期入所",
    "訪問看護",
    "人工呼吸器",
    "たんの吸引",
    "医療的ケア",
    "小児慢性特定疾病",
    "特別児童扶養手当",
    "放課後等デイサービス",
    "児童発達支援",
    // several words with variants
    "訪看 人工呼吸器",
    "ショートステイ 医ケア児",
    "胃瘻 経管栄養",
    "小慢 申請",
    // plain and unknown
    "停電",
    "レスパイト",
    "NICU",
    "宇宙飛行士",
    "いろうう",
    "市",
];

fn site_with_vocabulary(
    docs: &[SearchDoc],
    vocab: &Vocabulary,
    www: &Path,
    prefix: &str,
) -> (SearchIndex, Meta) {
    let root = www.join(prefix);
    let cache = www.parent().unwrap().join(format!("cache-{prefix}"));
    let index = SearchIndex::build_with_vocabulary(docs, vocab, &cache).unwrap();
    let out = root.join("search");
    std::fs::create_dir_all(&out).unwrap();
    index.export(&out).unwrap();
    std::fs::create_dir_all(root.join("js")).unwrap();
    std::fs::copy(SEARCH_JS, root.join("js/search.js")).unwrap();
    std::fs::write(
        root.join("index.html"),
        "<!doctype html><html lang=ja><meta charset=utf-8><title>t</title><body></body></html>",
    )
    .unwrap();
    let meta: Meta =
        serde_json::from_slice(&std::fs::read(out.join("meta.json")).unwrap()).unwrap();
    (index, meta)
}

#[test]
fn expanded_hits_are_exactly_the_documents_with_a_declared_variant() {
    let docs = fixture::fixture_docs();
    let vocab = fixture_vocabulary(&docs);
    let (_dir, www) = tmp();
    let (index, _meta) = site_with_vocabulary(&docs, &vocab, &www, "exact");
    let mut grown = 0;
    for q in VARIANT_QUERIES {
        let got = index.matching_docs(q, &QueryOptions::default()).unwrap();
        assert_eq!(got, scan_with(&docs, q, &vocab), "hit set of {q}");
        if got.len() > scan(&docs, q).len() {
            grown += 1;
        }
    }
    // The variants matter: many queries find more than their literal text.
    assert!(grown >= 25, "{grown}");
}

#[test]
fn search_js_expands_and_ranks_like_tantivy() {
    let docs = fixture::fixture_docs();
    let vocab = fixture_vocabulary(&docs);
    let (_dir, www) = tmp();
    let (index, meta) = site_with_vocabulary(&docs, &vocab, &www, "syn");
    assert!(meta.syn_shards > 0 && meta.explain_docs > 0);
    let Some(browser) = Browser::new() else {
        return;
    };
    let (base, server) = serve_dir(&www);
    let page = browser.new_page();
    page.goto(&format!("{base}/syn/"));

    // 1. Every known word expands to the same variants on both sides.
    let keys: Vec<&String> = index.expansions().entries.keys().collect();
    let js = format!(
        "(async () => {{ const S = await import('/syn/js/search.js'); const out = []; \
         for (const k of {keys}) {{ const r = await S.searchWithTotal(k, {{limit: 0, base: '/syn/search/'}}); out.push(r.variants[0].variants); }} \
         return out; }})()",
        keys = json!(keys)
    );
    let got = page.eval_json(&js);
    for (i, k) in keys.iter().enumerate() {
        assert_eq!(
            got[i],
            json!(index.expansions().entries[*k].variants),
            "variants of {k}"
        );
    }

    // 2. Order, totals and scores over the family queries (and a few filtered).
    let mut cases: Vec<(String, Option<&str>, Option<&str>)> = VARIANT_QUERIES
        .iter()
        .map(|q| (q.to_string(), None, None))
        .collect();
    cases.extend([
        ("訪看".to_string(), Some("facility"), None),
        ("ショートステイ".to_string(), None, Some("shonan-east")),
        ("ちがさき 訪問看護".to_string(), Some("facility"), None),
    ]);
    assert!(cases.len() >= 60, "{}", cases.len());
    let js_results = js_search(&page, "syn", &cases, 10);
    let mut with_hits = 0;
    for ((q, kind, region), got) in cases.iter().zip(&js_results) {
        let opts = QueryOptions {
            limit: 10,
            kind: kind.map(|k| k.parse::<DocKind>().unwrap()),
            region: region.map(str::to_string),
        };
        let want = index.query(q, &opts).unwrap();
        let total = index.matching_docs(q, &opts).unwrap().len();
        let got_list = got["results"].as_array().unwrap();
        let got_urls: Vec<&str> = got_list
            .iter()
            .map(|r| r["url"].as_str().unwrap())
            .collect();
        let want_urls: Vec<&str> = want.iter().map(|h| h.url.as_str()).collect();
        assert_eq!(got_urls, want_urls, "order for {q:?} {kind:?} {region:?}");
        assert_eq!(
            got["total"].as_u64().unwrap() as usize,
            total,
            "total for {q:?}"
        );
        for (g, w) in got_list.iter().zip(&want) {
            let gs = g["score"].as_f64().unwrap();
            assert!(
                (gs - w.score as f64).abs() <= 1e-4,
                "score of {} for {q:?}",
                w.url
            );
            assert_eq!(g["doc"], json!(w.doc));
            assert_eq!(g["tel"], json!(w.tel));
        }
        if !want.is_empty() {
            with_hits += 1;
        }
    }
    assert!(with_hits >= 50, "{with_hits}");

    // 3. The hit sets of the browser equal the independent scan.
    let all = js_search_map(
        &page,
        "syn",
        &cases[..VARIANT_QUERIES.len()],
        1_000_000,
        "r => r.results.map(x => x.doc)",
    );
    for (i, q) in VARIANT_QUERIES.iter().enumerate() {
        let mut got: Vec<u32> = all[i]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d.as_u64().unwrap() as u32)
            .collect();
        got.sort_unstable();
        assert_eq!(got, scan_with(&docs, q, &vocab), "browser hit set of {q}");
    }

    // 4. A variant query fetches its s/ shard, its variants' shards, the
    //    named municipality's m/ file and the chunks of its results.
    for q in ["胃瘻", "茅ケ崎 訪問看護", "痰の吸引", "ちがさき 訪問看護"] {
        page.goto(&format!("{base}/syn/"));
        server.clear_requests();
        js_search(&page, "syn", &[(q.to_string(), None, None)], 10);
        let want = index.query(q, &QueryOptions::default()).unwrap();
        let result_docs: Vec<u32> = want.iter().map(|h| h.doc).collect();
        let mut fetched: Vec<String> = server
            .requests()
            .into_iter()
            .filter_map(|p| p.strip_prefix("/syn/search/").map(str::to_string))
            .collect();
        fetched.sort();
        let mut plan = fetch_plan_with(&meta, index.expansions(), q, false, &result_docs);
        plan.push("meta.json".to_string());
        plan.sort();
        assert_eq!(fetched, plan, "files fetched for {q:?}");
    }

    // 5. もしかして: the same suggestions for typos on both sides.
    let typos = [
        "たんきにゅうじょ",
        "ほうもんかんこ",
        "ショートスティ",
        "いろお",
        "訪問看後",
        "小児慢性特定疾患病",
        "ちがさぎ 訪問看護",
        "ねぶらいざ",
        "じんこうこきゅき",
        "宇宙飛行士",
    ];
    let cands = suggest::candidates(index.expansions());
    let js = format!(
        "(async () => {{ const S = await import('/syn/js/search.js'); const out = []; \
         for (const q of {t}) out.push(await S.suggest(q, {{base: '/syn/search/'}})); return out; }})()",
        t = json!(typos)
    );
    let got = page.eval_json(&js);
    let mut some = 0;
    for (i, q) in typos.iter().enumerate() {
        let want = suggest::suggestions(&cands, q);
        assert_eq!(got[i], json!(want), "suggestions for {q}");
        some += usize::from(!want.is_empty());
    }
    assert!(some >= 7, "{some}");
}

/// Ranking rule 1: for a care, benefit or service word an explanatory page
/// comes first where plain BM25 put a facility or window first.
#[test]
fn explanations_come_first_for_topic_words() {
    let docs = fixture::fixture_docs();
    let vocab = fixture_vocabulary(&docs);
    let dir = tempfile::tempdir().unwrap();
    let plain = SearchIndex::build(&docs, &dir.path().join("plain")).unwrap();
    let ranked =
        SearchIndex::build_with_vocabulary(&docs, &vocab, &dir.path().join("ranked")).unwrap();
    let one = QueryOptions {
        limit: 1,
        ..QueryOptions::default()
    };
    let mut premise = 0;
    for q in [
        "胃ろう",
        "短期入所",
        "訪問看護",
        "人工呼吸器",
        "医療的ケア",
        "児童発達支援",
    ] {
        let first = &ranked.query(q, &one).unwrap()[0];
        assert!(first.doc < vocab.explain_docs, "{q}: {}", first.url);
        if plain.query(q, &one).unwrap()[0].kind != DocKind::Page {
            premise += 1;
        }
    }
    assert!(
        premise >= 1,
        "no topic query had a facility or window first"
    );
    // Not a topic word: the order is plain BM25.
    for q in ["停電", "NICU", "レスパイト"] {
        let a: Vec<u32> = plain
            .query(q, &QueryOptions::default())
            .unwrap()
            .iter()
            .map(|h| h.doc)
            .collect();
        let b: Vec<u32> = ranked
            .query(q, &QueryOptions::default())
            .unwrap()
            .iter()
            .map(|h| h.doc)
            .collect();
        assert_eq!(a, b, "{q}");
    }
}

/// Ranking rule 2: the documents of a municipality named in the query come
/// before all others.
#[test]
fn the_named_municipality_comes_first() {
    let docs = fixture::fixture_docs();
    let vocab = fixture_vocabulary(&docs);
    let dir = tempfile::tempdir().unwrap();
    let plain = SearchIndex::build(&docs, &dir.path().join("plain")).unwrap();
    let ranked =
        SearchIndex::build_with_vocabulary(&docs, &vocab, &dir.path().join("ranked")).unwrap();
    let all = QueryOptions {
        limit: 1000,
        ..QueryOptions::default()
    };
    let mut mixed = 0;
    let mut reordered = 0;
    for (q, name) in [
        ("横浜 相談", "横浜市"),
        ("よこはま 相談", "横浜市"),
        ("茅ヶ崎", "茅ヶ崎市"),
        ("茅ヶ崎市", "茅ヶ崎市"),
        ("茅ケ崎 電話", "茅ヶ崎市"),
        ("平塚", "平塚市"),
        ("ひらつか", "平塚市"),
    ] {
        let hits = ranked.query(q, &all).unwrap();
        let is_place: Vec<bool> = hits
            .iter()
            .map(|h| h.municipality.as_deref() == Some(name))
            .collect();
        let first_other = is_place.iter().position(|p| !p).unwrap_or(is_place.len());
        assert!(
            is_place[first_other..].iter().all(|p| !p),
            "{q}: {is_place:?}"
        );
        assert!(first_other > 0, "{q}: no hit of {name}");
        if first_other < hits.len() {
            mixed += 1;
        }
        let before: Vec<bool> = plain
            .query(q, &all)
            .unwrap()
            .iter()
            .map(|h| h.municipality.as_deref() == Some(name))
            .collect();
        if before != is_place {
            reordered += 1;
        }
    }
    // The news item that names 茅ヶ崎市 and 平塚市 comes after their own entries.
    assert!(
        mixed >= 2 && reordered >= 1,
        "mixed {mixed} reordered {reordered}"
    );
}
