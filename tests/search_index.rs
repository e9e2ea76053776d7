//! The tantivy index: building, querying, filters, exactness, determinism.

use crate::search_fixture as fixture;

use ohisama::search::analyzer::{normalize, query_words};
use ohisama::search::{DocKind, QueryOptions, SearchDoc, SearchIndex};

fn opts(limit: usize) -> QueryOptions {
    QueryOptions {
        limit,
        kind: None,
        region: None,
    }
}

fn build(docs: &[SearchDoc]) -> (tempfile::TempDir, SearchIndex) {
    let dir = tempfile::tempdir().unwrap();
    let index = SearchIndex::build(docs, &dir.path().join("cache")).unwrap();
    (dir, index)
}

/// Independent scan: documents where every query word is a substring of
/// the normalised title, body or kana.
fn scan(docs: &[SearchDoc], q: &str) -> Vec<u32> {
    let words = query_words(q);
    let norm: Vec<[String; 3]> = docs
        .iter()
        .map(|d| [normalize(&d.title), normalize(&d.body), normalize(&d.kana)])
        .collect();
    (0..docs.len() as u32)
        .filter(|&i| {
            !words.is_empty()
                && words
                    .iter()
                    .all(|w| norm[i as usize].iter().any(|t| t.contains(w.as_str())))
        })
        .collect()
}

#[test]
fn finds_pages_windows_and_facilities() {
    let docs = fixture::fixture_docs();
    let (_dir, index) = build(&docs);
    assert_eq!(index.num_docs(), docs.len() as u64);

    let hits = index.query("訪問看護", &opts(10)).unwrap();
    assert_eq!(hits.len(), 10);
    assert_eq!(hits[0].title, "訪問看護", "{hits:#?}");
    assert!(hits.windows(2).all(|w| w[0].score >= w[1].score));

    // hiragana reading finds the kanji municipality
    let hits = index.query("ちがさき", &opts(50)).unwrap();
    assert!(!hits.is_empty());
    assert!(
        hits.iter()
            .all(|h| h.municipality.as_deref() == Some("茅ヶ崎市")),
        "{hits:#?}"
    );
    // both spellings of ヶ
    let a = index.query("茅ヶ崎", &opts(50)).unwrap();
    let b = index.query("茅ケ崎", &opts(50)).unwrap();
    assert_eq!(
        a.iter().map(|h| &h.url).collect::<Vec<_>>(),
        b.iter().map(|h| &h.url).collect::<Vec<_>>()
    );
    assert!(!a.is_empty());

    // half-width katakana query = hiragana query
    let a = index.query("ﾎｳﾓﾝｶﾝｺﾞ", &opts(20)).unwrap();
    let b = index.query("ほうもんかんご", &opts(20)).unwrap();
    assert!(!a.is_empty());
    assert_eq!(
        a.iter().map(|h| (&h.url, h.score)).collect::<Vec<_>>(),
        b.iter().map(|h| (&h.url, h.score)).collect::<Vec<_>>()
    );

    assert!(index.query("宇宙飛行士", &opts(10)).unwrap().is_empty());
    assert!(index.query("  ", &opts(10)).unwrap().is_empty());
    assert!(index.query("訪問", &opts(0)).unwrap().is_empty());
}

#[test]
fn filters_by_kind_and_region() {
    let docs = fixture::fixture_docs();
    let (_dir, index) = build(&docs);
    let o = QueryOptions {
        limit: 100,
        kind: Some(DocKind::Facility),
        region: Some("shonan-east".into()),
    };
    let hits = index.query("訪問", &o).unwrap();
    assert!(!hits.is_empty());
    for h in &hits {
        assert_eq!(h.kind, DocKind::Facility);
        assert_eq!(h.region.as_deref(), Some("shonan-east"));
    }
    // the filter does not change scores
    let all = index.query("訪問", &opts(1000)).unwrap();
    for h in &hits {
        let same = all.iter().find(|a| a.doc == h.doc).unwrap();
        assert_eq!(same.score, h.score);
    }
    let expected: Vec<u32> = all
        .iter()
        .filter(|a| a.kind == DocKind::Facility && a.region.as_deref() == Some("shonan-east"))
        .map(|a| a.doc)
        .collect();
    assert_eq!(hits.iter().map(|h| h.doc).collect::<Vec<_>>(), expected);

    let windows = index
        .query(
            "相談",
            &QueryOptions {
                limit: 500,
                kind: Some(DocKind::Window),
                region: None,
            },
        )
        .unwrap();
    assert!(
        windows
            .iter()
            .all(|h| h.kind == DocKind::Window && h.field.is_some())
    );
}

#[test]
fn open_gives_the_same_results_and_export_is_deterministic() {
    let docs = fixture::fixture_docs();
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let built = SearchIndex::build(&docs, &cache).unwrap();
    let a = built.query("人工呼吸器", &opts(10)).unwrap();
    built.export(&dir.path().join("out1")).unwrap();
    drop(built);
    let opened = SearchIndex::open(&cache).unwrap();
    let b = opened.query("人工呼吸器", &opts(10)).unwrap();
    assert_eq!(
        a.iter().map(|h| (&h.url, h.score)).collect::<Vec<_>>(),
        b.iter().map(|h| (&h.url, h.score)).collect::<Vec<_>>()
    );
    // the export the way `ohisama build` makes it (from the documents, no
    // index) has the same bytes as the one of the index's stored fields
    let stats =
        ohisama::search::export::export_docs(&docs, &Default::default(), &dir.path().join("out2"))
            .unwrap();
    assert!(stats.files > 10);
    let list = |root: &std::path::Path| {
        let mut v: Vec<(String, Vec<u8>)> = Vec::new();
        for sub in ["", "t", "p", "d"] {
            for e in std::fs::read_dir(root.join(sub)).unwrap() {
                let p = e.unwrap().path();
                if p.is_file() {
                    v.push((
                        p.strip_prefix(root).unwrap().display().to_string(),
                        std::fs::read(&p).unwrap(),
                    ));
                }
            }
        }
        v.sort();
        v
    };
    let x = list(&dir.path().join("out1"));
    let y = list(&dir.path().join("out2"));
    assert_eq!(x.len(), y.len());
    assert!(x == y, "exports differ");
    // build refuses to wipe a directory that is not its cache
    let other = dir.path().join("other");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join("keep.txt"), "x").unwrap();
    assert!(SearchIndex::build(&docs, &other).is_err());
    assert!(other.join("keep.txt").exists());
}

#[test]
fn hits_are_exactly_the_documents_containing_the_query() {
    let docs = fixture::generated_docs(1500, 1500, 7);
    let (_dir, index) = build(&docs);
    let queries = [
        "訪問看護",
        "ほうもんかんご",
        "ﾎｳﾓﾝｶﾝｺﾞ",
        "人工呼吸器",
        "気管切開",
        "茅ヶ崎市",
        "ちがさき",
        "吸",
        "市",
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
        "宇宙飛行士",
    ];
    let mut nonempty = 0;
    for q in queries {
        let got = index.matching_docs(q, &opts(10)).unwrap();
        let want = scan(&docs, q);
        assert_eq!(got.len(), want.len(), "{q}");
        assert!(got == want, "hit set differs for {q}");
        // the ranked list has the same size when the limit allows
        let ranked = index.query(q, &opts(docs.len())).unwrap();
        assert_eq!(ranked.len(), want.len(), "{q}");
        if !want.is_empty() {
            nonempty += 1;
        }
    }
    assert!(nonempty >= 18);
}

/// `usize::MAX` used to abort in tantivy's top-k allocation (issue #13): the
/// library cuts the limit to the number of documents.
#[test]
fn an_absurd_limit_is_cut_to_the_number_of_documents() {
    let docs = fixture::fixture_docs();
    let (_dir, index) = build(&docs);
    let all = index.query("訪問看護", &opts(docs.len())).unwrap();
    for limit in [usize::MAX, 1 << 31, docs.len() + 1] {
        let hits = index.query("訪問看護", &opts(limit)).unwrap();
        assert_eq!(hits.len(), all.len(), "limit {limit}");
    }
}
