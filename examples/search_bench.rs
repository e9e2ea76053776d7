//! Search benchmark on a generated site: 10,000 page sections + 10,000
//! facilities (+ 198 contact windows).
//!
//! cargo run --release --example search_bench [-- PAGES FACILITIES]
//!
//! Prints index and export time, peak memory (VmHWM), the size of the
//! static export, and the gzip bytes a browser fetches for the first query
//! (search.js + meta.json + the query's shards + the doc chunks of the top
//! 10) for 5 sample queries, each on a cold cache.

#[path = "../tests/fixtures/search/fixture.rs"]
mod fixture;

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use ohisama::search::export::{Meta, fetch_plan};
use ohisama::search::{QueryOptions, SearchIndex};

fn gz_len(bytes: &[u8]) -> usize {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap().len()
}

fn vm_hwm() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(|l| l["VmHWM:".len()..].trim().to_string())
        })
        .unwrap_or_else(|| "?".into())
}

fn dir_size(p: &Path) -> (u64, usize) {
    let mut bytes = 0;
    let mut files = 0;
    for e in std::fs::read_dir(p).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            let (b, f) = dir_size(&e.path());
            bytes += b;
            files += f;
        } else {
            bytes += e.metadata().unwrap().len();
            files += 1;
        }
    }
    (bytes, files)
}

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let pages = args.first().copied().unwrap_or(10_000);
    let facilities = args.get(1).copied().unwrap_or(10_000);
    let tmp = tempfile::tempdir().unwrap();
    let cache = tmp.path().join("cache");
    let out = tmp.path().join("search");

    let t0 = Instant::now();
    let docs = fixture::generated_docs(pages, facilities, 2025);
    let gen_time = t0.elapsed();
    let body_chars: usize = docs.iter().map(|d| d.body.chars().count()).sum();
    println!(
        "corpus: {} docs ({pages} pages, {facilities} facilities, {} windows), {:.1} M body chars, generated in {:.2?}",
        docs.len(),
        docs.len() - pages - facilities,
        body_chars as f64 / 1e6,
        gen_time
    );

    let t1 = Instant::now();
    let index = SearchIndex::build(&docs, &cache).unwrap();
    let index_time = t1.elapsed();
    let t2 = Instant::now();
    std::fs::create_dir_all(&out).unwrap();
    let stats = index.export(&out).unwrap();
    let export_time = t2.elapsed();
    println!(
        "index: {:.2?}, export: {:.2?}, index+export: {:.2?}",
        index_time,
        export_time,
        index_time + export_time
    );
    println!("peak memory (VmHWM): {}", vm_hwm());
    let (bytes, files) = dir_size(&out);
    let (cache_bytes, _) = dir_size(&cache);
    println!(
        "export: {files} files, {:.1} MB ({} terms, {} term shards, {} position shards, {} doc chunks); tantivy cache {:.1} MB",
        bytes as f64 / 1e6,
        stats.terms,
        stats.term_shards,
        stats.position_shards,
        stats.doc_chunks,
        cache_bytes as f64 / 1e6
    );

    let js_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/static/js/search.js");
    let js = std::fs::read(&js_path).unwrap();
    let meta_bytes = std::fs::read(out.join("meta.json")).unwrap();
    let meta: Meta = serde_json::from_slice(&meta_bytes).unwrap();
    let js_gz = gz_len(&js);
    let meta_gz = gz_len(&meta_bytes);
    println!(
        "search.js: {} B, {} B gzipped; meta.json {} B gzipped",
        js.len(),
        js_gz,
        meta_gz
    );

    let samples = [
        "訪問看護",
        "人工呼吸器 短期入所",
        "ちがさき",
        "横浜市",
        "ﾎｳﾓﾝｶﾝｺﾞ",
    ];
    println!("first query on a cold cache (gzip bytes fetched, search.js and meta.json included):");
    let mut worst = 0;
    for q in samples {
        let tq = Instant::now();
        let hits = index.query(q, &QueryOptions::default()).unwrap();
        let total = index
            .matching_docs(q, &QueryOptions::default())
            .unwrap()
            .len();
        let qt = tq.elapsed();
        let docs: Vec<u32> = hits.iter().map(|h| h.doc).collect();
        let plan = fetch_plan(&meta, q, false, &docs);
        let mut shards = 0;
        let mut positions = 0;
        let mut chunks = 0;
        for f in &plan {
            let n = gz_len(&std::fs::read(out.join(f)).unwrap());
            match &f[..2] {
                "t/" => shards += n,
                "p/" => positions += n,
                _ => chunks += n,
            }
        }
        let sum = js_gz + meta_gz + shards + positions + chunks;
        worst = worst.max(sum);
        println!(
            "  {q:<14} {total:>6} hits  {:>3} files  {:>6} B = js {js_gz} + meta {meta_gz} + terms {shards} + positions {positions} + docs {chunks}   (tantivy {:.1?})",
            plan.len() + 2,
            sum,
            qt
        );
    }
    println!("worst first query: {:.1} KB gzipped", worst as f64 / 1024.0);
    println!("peak memory (VmHWM) at end: {}", vm_hwm());
}
