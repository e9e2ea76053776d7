//! Static export of the tantivy index for `search.js`.
//!
//! Layout of `dist/search/` (all integers are unsigned LEB128 varints, all
//! lists sorted, the same documents always give the same bytes):
//! - `meta.json`: format, analyzer version, document count, text fields,
//!   their boosts and total token counts (tantivy's average field length is
//!   `total_tokens / docs`), the number of term and position shards, the doc
//!   chunk size, kinds and regions (for `f.bin`).
//! - `t/<i>.bin`, term shard `i = fnv1a32(term) % term_shards`: the terms of
//!   that shard sorted by bytes, each `len, utf8, block_len, block` with block
//!   = `field_mask` then per present field (title=1, body=2, kana=4):
//!   `df`, `df` × `(doc_delta << 1 | tf==1)`, the `tf`s that are not 1,
//!   then `df` bytes of tantivy's quantised field norm id of each document.
//! - `p/<i>.bin`, position shard `i = fnv1a32(term) % position_shards`: for
//!   2-grams only, `len, utf8, block_len, block` with block = per field of
//!   the term's mask `byte_len` then for each posting its `tf` positions
//!   (first absolute, then deltas). Only words of 3+ characters need them.
//! - `d/<c>.json`: documents `c*doc_chunk ..`: `[title, url, kind,
//!   municipality, region, field, snippet]`, fetched for shown results only.
//! - `f.bin`: one byte per document, `kind | (region_index + 1) << 2`
//!   (0 = no region), fetched only when a filter is set.

use std::collections::BTreeMap;
use std::path::Path;

use tantivy::postings::Postings;
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::{DocAddress, DocSet, TERMINATED, TantivyDocument};

use super::{DocKind, FIELD_BOOSTS, SearchError, SearchIndex, TEXT_FIELDS, io_err};

/// Version of the file layout above.
pub const FORMAT_VERSION: u32 = 1;

/// Documents per `d/<c>.json` chunk.
pub const DOC_CHUNK: usize = 16;

/// Target size of one term or position shard before compression.
pub const SHARD_TARGET_BYTES: usize = 6 * 1024;

/// Characters of body text kept as snippet.
pub const SNIPPET_CHARS: usize = 90;

/// What [`SearchIndex::export`] wrote.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ExportStats {
    pub docs: usize,
    pub terms: usize,
    pub term_shards: usize,
    pub position_shards: usize,
    pub doc_chunks: usize,
    pub files: usize,
    pub bytes: u64,
}

/// `meta.json`.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Meta {
    pub format: u32,
    pub analyzer: String,
    pub docs: u32,
    pub fields: Vec<String>,
    pub boosts: Vec<f32>,
    pub total_tokens: Vec<u64>,
    pub term_shards: u32,
    pub position_shards: u32,
    pub doc_chunk: u32,
    pub kinds: Vec<String>,
    pub regions: Vec<String>,
}

/// FNV-1a, 32 bits, over the UTF-8 bytes of a term (the same in JS).
pub fn fnv1a32(bytes: &[u8]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for &b in bytes {
        h ^= b as u32;
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

pub(crate) fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

#[derive(Default)]
struct TermData {
    mask: u8,
    postings: Vec<u8>,
    positions: Vec<u8>,
}

fn snippet(body: &str) -> String {
    let text: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut chars = text.chars();
    let head: String = chars.by_ref().take(SNIPPET_CHARS).collect();
    if chars.next().is_some() {
        format!("{head}…")
    } else {
        head
    }
}

pub(crate) fn export(si: &SearchIndex, out_dir: &Path) -> Result<ExportStats, SearchError> {
    let searcher = si.reader.searcher();
    let segment = match searcher.segment_readers() {
        [] => None,
        [s] => Some(s),
        _ => return Err(SearchError::Schema("more than one segment".into())),
    };
    let num_docs = segment.map_or(0, |s| s.max_doc());

    // 1. Terms, postings, positions, field norms, per term over the fields.
    let mut terms: BTreeMap<Vec<u8>, TermData> = BTreeMap::new();
    let mut total_tokens = Vec::new();
    for (fi, &field) in si.fields.text.iter().enumerate() {
        let Some(seg) = segment else {
            total_tokens.push(0);
            continue;
        };
        let inverted = seg.inverted_index(field)?;
        total_tokens.push(inverted.total_num_tokens());
        let norms = seg.get_fieldnorms_reader(field)?;
        let mut stream = inverted.terms().stream().map_err(io_err(out_dir))?;
        let mut docs: Vec<u32> = Vec::new();
        let mut tfs: Vec<u32> = Vec::new();
        let mut positions: Vec<u32> = Vec::new();
        while stream.advance() {
            let key = stream.key().to_vec();
            let info = stream.value().clone();
            let is_bigram = std::str::from_utf8(&key).map_or(false, |s| s.chars().count() == 2);
            let mut postings = inverted
                .read_postings_from_terminfo(&info, IndexRecordOption::WithFreqsAndPositions)
                .map_err(io_err(out_dir))?;
            docs.clear();
            tfs.clear();
            let mut pos_bytes: Vec<u8> = Vec::new();
            let mut doc = postings.doc();
            while doc != TERMINATED {
                docs.push(doc);
                tfs.push(postings.term_freq());
                if is_bigram {
                    postings.positions(&mut positions);
                    let mut prev = 0u32;
                    for (k, &p) in positions.iter().enumerate() {
                        put_varint(&mut pos_bytes, if k == 0 { p } else { p - prev } as u64);
                        prev = p;
                    }
                }
                doc = postings.advance();
            }
            if docs.is_empty() {
                continue;
            }
            let entry = terms.entry(key).or_default();
            entry.mask |= 1 << fi;
            let out = &mut entry.postings;
            put_varint(out, docs.len() as u64);
            let mut prev = 0u32;
            for (&d, &tf) in docs.iter().zip(&tfs) {
                put_varint(out, (((d - prev) as u64) << 1) | (tf == 1) as u64);
                prev = d;
            }
            for &tf in &tfs {
                if tf != 1 {
                    put_varint(out, tf as u64);
                }
            }
            for &d in &docs {
                out.push(norms.fieldnorm_id(d));
            }
            if is_bigram {
                put_varint(&mut entry.positions, pos_bytes.len() as u64);
                entry.positions.extend_from_slice(&pos_bytes);
            }
        }
    }

    // 2. Documents: metadata chunks and the filter bytes.
    let mut regions: Vec<String> = Vec::new();
    let mut doc_rows: Vec<serde_json::Value> = Vec::with_capacity(num_docs as usize);
    let mut doc_regions: Vec<Option<String>> = Vec::with_capacity(num_docs as usize);
    let mut doc_kinds: Vec<u8> = Vec::with_capacity(num_docs as usize);
    let f = si.fields;
    for id in 0..num_docs {
        let doc: TantivyDocument = searcher.doc(DocAddress::new(0, id))?;
        let text = |field: Field| {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .map(str::to_string)
        };
        let kind: DocKind = text(f.kind).unwrap_or_default().parse()?;
        let region = text(f.region);
        if let Some(r) = &region {
            if !regions.contains(r) {
                regions.push(r.clone());
            }
        }
        doc_rows.push(serde_json::json!([
            text(f.text[0]).unwrap_or_default(),
            text(f.url).unwrap_or_default(),
            kind.as_str(),
            text(f.municipality),
            region,
            text(f.field),
            snippet(&text(f.text[1]).unwrap_or_default()),
        ]));
        doc_regions.push(region);
        doc_kinds.push(DocKind::ALL.iter().position(|k| *k == kind).unwrap_or(0) as u8);
    }
    regions.sort();
    if regions.len() > 63 {
        return Err(SearchError::Schema(format!(
            "too many regions for the export ({})",
            regions.len()
        )));
    }
    let filter_bytes: Vec<u8> = doc_kinds
        .iter()
        .zip(&doc_regions)
        .map(|(&k, r)| {
            let ri = r
                .as_ref()
                .and_then(|r| regions.iter().position(|x| x == r))
                .map_or(0, |i| i + 1) as u8;
            k | (ri << 2)
        })
        .collect();

    // 3. Shards.
    let total_t: usize = terms.values().map(|t| t.postings.len() + 8).sum();
    let total_p: usize = terms.values().map(|t| t.positions.len() + 8).sum();
    let term_shards = total_t.div_ceil(SHARD_TARGET_BYTES).max(1);
    let position_shards = total_p.div_ceil(SHARD_TARGET_BYTES).max(1);
    let mut t_shards: Vec<(u64, Vec<u8>)> = vec![(0, Vec::new()); term_shards];
    let mut p_shards: Vec<(u64, Vec<u8>)> = vec![(0, Vec::new()); position_shards];
    for (key, data) in &terms {
        let h = fnv1a32(key) as usize;
        let (n, buf) = &mut t_shards[h % term_shards];
        *n += 1;
        put_varint(buf, key.len() as u64);
        buf.extend_from_slice(key);
        let mut block = Vec::with_capacity(data.postings.len() + 1);
        put_varint(&mut block, data.mask as u64);
        block.extend_from_slice(&data.postings);
        put_varint(buf, block.len() as u64);
        buf.extend_from_slice(&block);
        if !data.positions.is_empty() {
            let (n, buf) = &mut p_shards[h % position_shards];
            *n += 1;
            put_varint(buf, key.len() as u64);
            buf.extend_from_slice(key);
            put_varint(buf, data.positions.len() as u64);
            buf.extend_from_slice(&data.positions);
        }
    }

    // 4. Write.
    let mut w = Writer::new(out_dir)?;
    let meta = Meta {
        format: FORMAT_VERSION,
        analyzer: super::analyzer::ANALYZER_VERSION.to_string(),
        docs: num_docs,
        fields: TEXT_FIELDS.iter().map(|s| s.to_string()).collect(),
        boosts: FIELD_BOOSTS.to_vec(),
        total_tokens,
        term_shards: term_shards as u32,
        position_shards: position_shards as u32,
        doc_chunk: DOC_CHUNK as u32,
        kinds: DocKind::ALL
            .iter()
            .map(|k| k.as_str().to_string())
            .collect(),
        regions,
    };
    let meta_json = serde_json::to_vec(&meta).expect("meta serialises");
    w.write("meta.json", &meta_json)?;
    w.write("f.bin", &filter_bytes)?;
    for (kind, shards) in [("t", t_shards), ("p", p_shards)] {
        for (i, (n, body)) in shards.into_iter().enumerate() {
            let mut bytes = Vec::with_capacity(body.len() + 4);
            put_varint(&mut bytes, n);
            bytes.extend_from_slice(&body);
            w.write(&format!("{kind}/{i}.bin"), &bytes)?;
        }
    }
    let mut doc_chunks = 0;
    for (c, chunk) in doc_rows.chunks(DOC_CHUNK).enumerate() {
        let json = serde_json::to_vec(chunk).expect("docs serialise");
        w.write(&format!("d/{c}.json"), &json)?;
        doc_chunks += 1;
    }
    Ok(ExportStats {
        docs: num_docs as usize,
        terms: terms.len(),
        term_shards,
        position_shards,
        doc_chunks,
        files: w.files,
        bytes: w.bytes,
    })
}

struct Writer<'a> {
    dir: &'a Path,
    files: usize,
    bytes: u64,
}

impl<'a> Writer<'a> {
    fn new(dir: &'a Path) -> Result<Writer<'a>, SearchError> {
        // Remove what an earlier export left (and only that).
        for sub in ["t", "p", "d"] {
            let p = dir.join(sub);
            if p.is_dir() {
                std::fs::remove_dir_all(&p).map_err(io_err(&p))?;
            }
        }
        for sub in ["t", "p", "d"] {
            let p = dir.join(sub);
            std::fs::create_dir_all(&p).map_err(io_err(&p))?;
        }
        Ok(Writer {
            dir,
            files: 0,
            bytes: 0,
        })
    }

    fn write(&mut self, rel: &str, bytes: &[u8]) -> Result<(), SearchError> {
        let p = self.dir.join(rel);
        std::fs::write(&p, bytes).map_err(io_err(&p))?;
        self.files += 1;
        self.bytes += bytes.len() as u64;
        Ok(())
    }
}

/// The files `search.js` fetches for a query, besides itself and
/// `meta.json`: the term shards of every n-gram of the query, the position
/// shards of the 2-grams of words of 3+ characters, `f.bin` when a filter is
/// set, and the doc chunks of the shown results (`result_docs`).
pub fn fetch_plan(meta: &Meta, query: &str, filtered: bool, result_docs: &[u32]) -> Vec<String> {
    let mut files: Vec<String> = Vec::new();
    let mut add = |s: String| {
        if !files.contains(&s) {
            files.push(s);
        }
    };
    for w in super::analyzer::query_words(query) {
        let cover = super::analyzer::cover(&w);
        for (_, t) in &cover {
            add(format!(
                "t/{}.bin",
                fnv1a32(t.as_bytes()) % meta.term_shards
            ));
        }
        if cover.len() > 1 {
            for (_, t) in &cover {
                add(format!(
                    "p/{}.bin",
                    fnv1a32(t.as_bytes()) % meta.position_shards
                ));
            }
        }
    }
    if filtered {
        add("f.bin".to_string());
    }
    for &d in result_docs {
        add(format!("d/{}.json", d / meta.doc_chunk));
    }
    files
}
