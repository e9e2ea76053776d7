//! Issue #17 item 3, the readings spike (docs/search-readings-spike.md).
//!
//! cargo build --release --features readings-spike --example readings_spike --bin ohisama
//!
//!   readings_spike compile IPADIC_DIR OUT.dic   # Debian mecab-ipadic's CSV → vibrato
//!   readings_spike read DIC < text              # the readings the build would add
//!   readings_spike bytes SITE_ROOT OUT Q...     # hits and first-query gzip bytes
//!
//! A build with the feature adds the readings when OHISAMA_READINGS_DICT names
//! the compiled dictionary (OHISAMA_READINGS_BODY=1: bodies too).

use std::io::{Read, Write};
use std::path::Path;
use std::time::Instant;

use ohisama::search::export::{Meta, fetch_plan_with};
use ohisama::search::readings;
use ohisama::search::{QueryOptions, SearchIndex};

fn gz_len(bytes: &[u8]) -> usize {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).expect("gzip in memory");
    e.finish().expect("gzip in memory").len()
}

fn compile(src: &str, out: &str) {
    let t0 = Instant::now();
    let dict = readings::compile_ipadic(Path::new(src)).expect("compile IPADIC");
    let compile_time = t0.elapsed();
    let file = std::fs::File::create(out).expect("create the dictionary file");
    let n = dict
        .write(std::io::BufWriter::new(file))
        .expect("write the dictionary");
    let t1 = Instant::now();
    let again = readings::load(Path::new(out)).expect("load the dictionary");
    println!(
        "compiled in {compile_time:.2?}: {:.1} MB; load {:.2?}",
        n as f64 / 1e6,
        t1.elapsed()
    );
    drop(again);
}

fn read(dic: &str) {
    let t0 = Instant::now();
    let tokenizer = vibrato::Tokenizer::new(readings::load(Path::new(dic)).expect("load"));
    eprintln!("load {:.2?}", t0.elapsed());
    let mut text = String::new();
    std::io::stdin().read_to_string(&mut text).expect("stdin");
    for r in readings::readings_of(&tokenizer, &text) {
        println!("{r}");
    }
}

/// Hits and the gzip bytes of a first query (search.js, meta.json, the
/// query's shards and the doc chunks of the top 20), as examples/search_bench.rs.
fn bytes(root: &str, out: &str, queries: &[String]) {
    let index = SearchIndex::open(&Path::new(root).join(".cache/search")).expect("index");
    let out = Path::new(out).join("search");
    let meta_bytes = std::fs::read(out.join("meta.json")).expect("meta.json");
    let meta: Meta = serde_json::from_slice(&meta_bytes).expect("meta.json");
    let js = std::fs::read(Path::new(out.parent().expect("out")).join("assets/js/search.js"))
        .expect("search.js");
    let base = gz_len(&js) + gz_len(&meta_bytes);
    for q in queries {
        let opts = QueryOptions {
            limit: 20,
            ..QueryOptions::default()
        };
        let hits = index.query(q, &opts).expect("query");
        let total = index.matching_docs(q, &opts).expect("query").len();
        let docs: Vec<u32> = hits.iter().map(|h| h.doc).collect();
        let plan = fetch_plan_with(&meta, index.expansions(), q, false, &docs);
        let fetched: usize = plan
            .iter()
            .map(|f| gz_len(&std::fs::read(out.join(f)).expect("planned file")))
            .sum();
        let first = hits.first().map(|h| h.title.as_str()).unwrap_or("—");
        println!(
            "{q}\t{total}\t{:.1}\t{first}",
            (base + fetched) as f64 / 1024.0
        );
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("compile") if args.len() == 3 => compile(&args[1], &args[2]),
        Some("read") if args.len() == 2 => read(&args[1]),
        Some("bytes") if args.len() >= 4 => bytes(&args[1], &args[2], &args[3..]),
        _ => {
            eprintln!(
                "usage: readings_spike compile IPADIC_DIR OUT.dic | read DIC | bytes SITE_ROOT OUT Q..."
            );
            std::process::exit(2);
        }
    }
}
