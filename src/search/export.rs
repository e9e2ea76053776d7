//! Static export of the tantivy index for `search.js`.
//!
//! The browser ranks exactly like tantivy but must download little, so the
//! export stores, besides tantivy's 1- and 2-gram postings, the postings of
//! every 3- and 4-gram of the texts (see [`MAX_GRAM`]). tantivy matches a
//! word of 3+ characters as a phrase of its 2-grams, and the phrase count is
//! exactly the number of occurrences of the word, so a word of up to 4
//! characters is one term lookup (tf = phrase count) without any position.
//! A longer word is a phrase of the 4-grams that cover it, and only those
//! need positions. The idf of a phrase is tantivy's (the sum over the word's
//! 2-gram cover), computed from the 2-gram document frequencies that each
//! 3-/4-gram entry carries.
//!
//! Layout of `dist/search/` (integers are unsigned LEB128 varints, every list
//! is sorted, the same documents always give the same bytes):
//! - `meta.json`: format, analyzer version, document count, text fields,
//!   their boosts and total token counts (tantivy's average field length is
//!   `total_tokens / docs`), max n-gram length, the number of term and
//!   position shards, the doc chunk size, kinds and regions (for `f.bin`).
//! - `t/<i>.bin`, term shard `i = fnv1a32(term) % term_shards`: `count`, then
//!   the terms sorted by bytes, each `len, utf8, block_len, block`. Block:
//!   `field_mask` (title 1, body 2, kana 4), then per present field: `df`,
//!   `df` × `(doc_delta << 1 | tf==1)`, the `tf`s that are not 1, `df` bytes of
//!   tantivy's field norm id of each document, and for an n-gram of n ≥ 3
//!   characters the `n - 1` document frequencies (in this field) of its
//!   2-grams at offsets 0 … n-2.
//! - `p/<i>.bin`, position shard `i = fnv1a32(term) % position_shards`, only
//!   for 4-grams: `count`, then `len, utf8, block_len, block` with block = per
//!   field of the term's mask `byte_len`, then for each posting its `tf`
//!   character positions (first absolute, then deltas).
//! - `d/<c>.json`: documents `c*doc_chunk ..`: `[title, url, kind,
//!   municipality, region, field, snippet]`, fetched for shown results only.
//! - `f.bin`: one byte per document, `kind | (region_index + 1) << 2`
//!   (0 = no region), fetched only when a filter is set.
//! - `s/<i>.json`, expansion shard `i = fnv1a32(word) % syn_shards`: the
//!   entries of [`super::expand::Expansions`] (`{word: {v: [variants], t: 1
//!   for a topic word, p: place, g: group}}`), fetched for every query word.
//! - `m/<p>.bin`: the documents of the municipality with place index `p`
//!   (delta varints), fetched only when a query word names it.
//! - `r.json`: `[[word, shown], …]`, the もしかして candidates, fetched only
//!   when a query finds nothing.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use rayon::prelude::*;
use tantivy::fieldnorm::FieldNormReader;
use tantivy::schema::{Field, Value};
use tantivy::{DocAddress, TantivyDocument};

use super::analyzer::{is_break, normalize, query_words};
use super::expand::{Expansions, Vocabulary};
use super::{DocKind, FIELD_BOOSTS, SearchDoc, SearchError, SearchIndex, TEXT_FIELDS, io_err};

/// Version of the file layout above.
pub const FORMAT_VERSION: u32 = 3;

/// Longest n-gram with its own postings; longer words are phrases of these.
pub const MAX_GRAM: usize = 4;

/// Documents per `d/<c>.json` chunk. 16 (about 6 KB, 2 KB gzip) keeps the
/// file count of a large site low (4 per chunk made 19,000 files for the
/// nationwide simulation, and each file costs a create on the disk and a
/// request on the host) while the results shown first fetch ~40 KB gzip.
pub const DOC_CHUNK: usize = 16;

/// Target size of one term or position shard before compression.
pub const SHARD_TARGET_BYTES: usize = 8 * 1024;

/// Characters of body text kept as snippet.
pub const SNIPPET_CHARS: usize = 80;

/// Characters of text handled per pass when collecting grams (bounds the
/// memory of the export: the records of the passes being worked on are its
/// peak, and a large build's; 50k pages with PDFs: 4 million → 2 million
/// took the build's peak RSS from ~940 to ~840 MiB).
const CHARS_PER_PASS: usize = 2_000_000;

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
    pub max_gram: u32,
    pub term_shards: u32,
    pub position_shards: u32,
    pub doc_chunk: u32,
    pub kinds: Vec<String>,
    pub regions: Vec<String>,
    /// Number of `s/` shards (0: no expansions).
    pub syn_shards: u32,
    /// Documents `0..explain_docs` are explanatory pages.
    pub explain_docs: u32,
    pub explain_boost: f32,
}

/// Target size of one `s/` shard before compression.
pub const SYN_SHARD_TARGET_BYTES: usize = 4 * 1024;

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

/// The n-grams looked up for a (normalised) query word: the word itself when
/// it has at most [`MAX_GRAM`] characters, otherwise the [`MAX_GRAM`]-grams
/// at offsets 0, 4, 8 … and n-4, with their offsets.
pub fn lookup_cover(word: &str) -> Vec<(u32, String)> {
    let chars: Vec<char> = word.chars().collect();
    let n = chars.len();
    if n <= MAX_GRAM {
        return if n == 0 {
            Vec::new()
        } else {
            vec![(0, word.to_string())]
        };
    }
    let mut offsets: Vec<usize> = (0..=n - MAX_GRAM).step_by(MAX_GRAM).collect();
    if offsets.last() != Some(&(n - MAX_GRAM)) {
        offsets.push(n - MAX_GRAM);
    }
    offsets
        .into_iter()
        .map(|o| (o as u32, chars[o..o + MAX_GRAM].iter().collect()))
        .collect()
}

fn get_varint(bytes: &[u8], i: &mut usize) -> u64 {
    let mut v = 0u64;
    let mut shift = 0;
    loop {
        let b = bytes[*i];
        *i += 1;
        v |= ((b & 0x7f) as u64) << shift;
        if b < 0x80 {
            return v;
        }
        shift += 7;
    }
}

/// An n-gram (n ≤ 4) packed into an integer: 21 bits per character, the
/// length above them.
fn pack(chars: &[char]) -> u128 {
    let v = chars.iter().fold(0u128, |acc, &c| (acc << 21) | c as u128);
    v | (chars.len() as u128) << LEN_SHIFT
}

/// Where a packed gram keeps its length: above its 4 × 21 bits of
/// characters, so that a packed gram is below 2^87.
const LEN_SHIFT: u32 = 84;

/// Bits of the position beside a packed gram in the sort keys of
/// [`records_of_pass`] (`gram << POS_BITS | position`: a gram is below
/// 2^87, so any position below 2^40 fits in the 128 bits).
const POS_BITS: u32 = 40;

fn gram_len(key: u128) -> usize {
    (key >> LEN_SHIFT) as usize
}

fn unpack(key: u128) -> Vec<char> {
    let n = gram_len(key);
    (0..n)
        .rev()
        .map(|k| char::from_u32(((key >> (21 * k)) & 0x1f_ffff) as u32).unwrap_or('\u{fffd}'))
        .collect()
}

/// A fast deterministic hash of a packed n-gram (for the gram maps).
fn fx(key: u128) -> u64 {
    let x = (key as u64) ^ ((key >> 64) as u64).rotate_left(29);
    x.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 17
}

/// Hasher for the packed n-gram maps (keys are already well mixed by [`fx`]).
#[derive(Default, Clone, Copy)]
struct BuildFx;

struct FxHasher(u64);

impl std::hash::BuildHasher for BuildFx {
    type Hasher = FxHasher;
    fn build_hasher(&self) -> FxHasher {
        FxHasher(0)
    }
}

impl std::hash::Hasher for FxHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(5) ^ b as u64).wrapping_mul(0x517c_c1b7_2722_0a95);
        }
    }
    fn write_u128(&mut self, v: u128) {
        self.0 = fx(v)
            .wrapping_add(v as u64)
            .wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

/// Postings of one term in one field, encoded as they accumulate.
#[derive(Default)]
struct FieldPostings {
    df: u32,
    last_doc: u32,
    deltas: Vec<u8>,
    tfs: Vec<u8>,
    norms: Vec<u8>,
    positions: Vec<u8>,
}

impl FieldPostings {
    fn push(&mut self, doc: u32, tf: u32, norm: u8) {
        let delta = doc - if self.df == 0 { 0 } else { self.last_doc };
        put_varint(&mut self.deltas, ((delta as u64) << 1) | (tf == 1) as u64);
        if tf != 1 {
            put_varint(&mut self.tfs, tf as u64);
        }
        self.norms.push(norm);
        self.df += 1;
        self.last_doc = doc;
    }

    fn encode(&self, out: &mut Vec<u8>) {
        put_varint(out, self.df as u64);
        out.extend_from_slice(&self.deltas);
        out.extend_from_slice(&self.tfs);
        out.extend_from_slice(&self.norms);
    }
}

/// One document of a `d/<c>.json` chunk: `[title, url, kind, municipality,
/// region, field, snippet, tel, tel_href, field_id]`.
#[derive(serde::Serialize)]
struct DocRow<'a>(
    &'a str,
    &'a str,
    &'static str,
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
    String,
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
);

impl<'a> DocRow<'a> {
    fn of(d: &'a SearchDoc) -> DocRow<'a> {
        DocRow(
            &d.title,
            &d.url,
            d.kind.as_str(),
            d.municipality.as_deref(),
            d.region.as_deref(),
            d.field.as_deref(),
            snippet(&d.body),
            d.tel.as_deref(),
            d.tel_href.as_deref(),
            d.field_id.as_deref(),
        )
    }
}

/// Finished terms packed one after the other (one allocation per key and
/// block would cost more than the blocks): each term's key (UTF-8), its `t`
/// block and (4-grams) its `p` block. The blocks of a large site may be
/// spilled to a temporary file ([`PackedTerms::spill`]).
#[derive(Default)]
struct PackedTerms {
    keys: Vec<u8>,
    blocks: Blocks,
    entries: Vec<PackedEntry>,
}

/// The blocks of a [`PackedTerms`]: in memory, or in an unnamed temporary
/// file once spilled.
enum Blocks {
    Memory(Vec<u8>),
    File(std::sync::Mutex<std::fs::File>),
}

impl Default for Blocks {
    fn default() -> Blocks {
        Blocks::Memory(Vec::new())
    }
}

/// Where one term of [`PackedTerms`] is: its key at `key_at` (`key` bytes),
/// its `t` block at `at`, its `p` block right after.
#[derive(Clone, Copy)]
struct PackedEntry {
    at: usize,
    key_at: u32,
    t: u32,
    p: u32,
    key: u8,
}

/// Which block of a term.
#[derive(Clone, Copy)]
enum Block {
    T,
    P,
}

impl PackedTerms {
    fn push(&mut self, key: &[u8], t: &[u8], p: &[u8]) {
        let Blocks::Memory(bytes) = &mut self.blocks else {
            unreachable!("terms are pushed before they are spilled");
        };
        self.entries.push(PackedEntry {
            at: bytes.len(),
            key_at: self.keys.len() as u32,
            t: t.len() as u32,
            p: p.len() as u32,
            key: key.len() as u8,
        });
        self.keys.extend_from_slice(key);
        bytes.extend_from_slice(t);
        bytes.extend_from_slice(p);
    }

    fn key(&self, e: &PackedEntry) -> &[u8] {
        &self.keys[e.key_at as usize..e.key_at as usize + e.key as usize]
    }

    /// The `t` or `p` block of `e`.
    fn block(&self, e: &PackedEntry, which: Block) -> std::io::Result<Cow<'_, [u8]>> {
        let (from, len) = match which {
            Block::T => (e.at, e.t as usize),
            Block::P => (e.at + e.t as usize, e.p as usize),
        };
        match &self.blocks {
            Blocks::Memory(bytes) => Ok(Cow::Borrowed(&bytes[from..from + len])),
            Blocks::File(file) => {
                use std::io::{Read, Seek};
                let mut file = file.lock().unwrap_or_else(|e| e.into_inner());
                let mut buf = vec![0; len];
                file.seek(std::io::SeekFrom::Start(from as u64))?;
                file.read_exact(&mut buf)?;
                Ok(Cow::Owned(buf))
            }
        }
    }

    /// Moves the blocks into an unnamed temporary file in `dir` (a large
    /// site's blocks are hundreds of MiB, all held until the shard count is
    /// known; the keys stay in memory for sorting).
    fn spill(&mut self, dir: &Path) -> Result<(), SearchError> {
        use std::io::Write;
        if let Blocks::Memory(bytes) = &self.blocks {
            let mut file = tempfile::tempfile_in(dir).map_err(io_err(dir))?;
            file.write_all(bytes).map_err(io_err(dir))?;
            self.blocks = Blocks::File(std::sync::Mutex::new(file));
        }
        Ok(())
    }
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

/// The pass of the grams that start with `c`. Partitioning by the first
/// character lets a pass skip the other positions before making any gram
/// (partitioning by gram hash made every pass pack every gram, which grew
/// with the square of the text); the most frequent characters of Japanese
/// text are a few percent each, so passes stay near equal.
/// The pass does not change any output: every pass's grams end up in the
/// same shards, sorted. The range is reduced by a multiply instead of a
/// division (this runs for every character of every text in every pass).
fn partition(c: char, passes: u64) -> u64 {
    (((c as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 32) * passes) >> 32
}

/// The normalised texts of the documents (UTF-8: a large site holds them
/// all at once, and 4 bytes per character cost a quarter more), with what the
/// export takes from them besides the grams: tantivy's field norm id of each
/// document and the token total of each field (the average field length of
/// BM25). The build made a tantivy index for these until session 7; the
/// export now computes them from the same analyzer (a test compares both).
pub struct TextPass {
    /// Per document, its title, body and kana, normalised.
    texts: Vec<[String; 3]>,
    /// The number of characters of all texts.
    total_chars: usize,
    /// Per field, the field norm id of each document, as tantivy computes it
    /// ([`FieldNormReader::fieldnorm_to_id`] of the token count).
    norms: Vec<Vec<u8>>,
    /// Per field, the number of tokens of all documents.
    total_tokens: Vec<u64>,
}

impl TextPass {
    /// Normalises the texts of `docs` on all cores.
    pub fn of(docs: &[SearchDoc]) -> TextPass {
        let texts: Vec<[String; 3]> = docs
            .par_iter()
            .map(|d| [&d.title, &d.body, &d.kana].map(|t| normalize(t)))
            .collect();
        // Per document and field: the number of characters and of tokens.
        let counts: Vec<[(usize, u32); 3]> = texts
            .par_iter()
            .map(|t| [0, 1, 2].map(|fi| (t[fi].chars().count(), token_count(&t[fi]))))
            .collect();
        let total_chars = counts.iter().flatten().map(|c| c.0).sum();
        let counts: Vec<[u32; 3]> = counts.iter().map(|c| c.map(|(_, tokens)| tokens)).collect();
        let norms = (0..TEXT_FIELDS.len())
            .map(|fi| {
                counts
                    .iter()
                    .map(|c| FieldNormReader::fieldnorm_to_id(c[fi]))
                    .collect()
            })
            .collect();
        let total_tokens = (0..TEXT_FIELDS.len())
            .map(|fi| counts.iter().map(|c| u64::from(c[fi])).sum())
            .collect();
        TextPass {
            texts,
            total_chars,
            norms,
            total_tokens,
        }
    }

    /// Whether each (normalised) word occurs in the title, body or kana of
    /// some document: what tantivy's query of the word finds (a phrase of
    /// its 2-grams, which never span a break, so a word with a break or an
    /// empty word is never present).
    pub fn present(&self, words: &[String]) -> Vec<bool> {
        let searchable: Vec<&str> = words
            .iter()
            .map(String::as_str)
            .filter(|w| !w.is_empty() && !w.chars().any(is_break))
            .collect();
        let found = if searchable.is_empty() {
            Vec::new()
        } else {
            self.find_all(&searchable)
        };
        words
            .iter()
            .map(|w| {
                searchable
                    .iter()
                    .position(|s| s == w)
                    .is_some_and(|i| found[i])
            })
            .collect()
    }

    /// Which of `patterns` (non-empty) occur in some text, in one scan of
    /// the texts on all cores.
    fn find_all(&self, patterns: &[&str]) -> Vec<bool> {
        let Ok(ac) = aho_corasick::AhoCorasick::new(patterns) else {
            // Only a pattern set too large for the automaton: test each word.
            return patterns
                .iter()
                .map(|p| {
                    self.texts
                        .par_iter()
                        .any(|t| t.iter().any(|f| f.contains(p)))
                })
                .collect();
        };
        let n = patterns.len();
        self.texts
            .par_iter()
            .fold(
                || vec![false; n],
                |mut seen, fields| {
                    for text in fields {
                        for m in ac.find_overlapping_iter(text) {
                            seen[m.pattern().as_usize()] = true;
                        }
                    }
                    seen
                },
            )
            .reduce(
                || vec![false; n],
                |a, b| a.iter().zip(&b).map(|(x, y)| *x || *y).collect(),
            )
    }

    /// The expansions of `vocab` on these documents (a variant is kept only
    /// where it occurs; see [`Expansions::build`]).
    pub fn expansions(&self, vocab: &Vocabulary) -> Expansions {
        // The words `build` asks about do not depend on the answers: ask once
        // to list them, find them all in one scan, then build.
        let asked = std::cell::RefCell::new(Vec::<String>::new());
        Expansions::build(vocab, |w| {
            asked.borrow_mut().push(w.to_string());
            false
        });
        let mut words = asked.into_inner();
        words.sort_unstable();
        words.dedup();
        let present: HashMap<&str, bool> = words
            .iter()
            .map(String::as_str)
            .zip(self.present(&words))
            .collect();
        Expansions::build(vocab, |w| match present.get(w) {
            Some(&p) => p,
            None => self.present(&[w.to_string()])[0],
        })
    }
}

/// The number of tokens the analyzer makes of a normalised text: a 1-gram
/// per non-break character and a 2-gram per pair of them (tantivy's field
/// norm).
fn token_count(text: &str) -> u32 {
    let (mut tokens, mut prev_is_token) = (0, false);
    for c in text.chars() {
        let is_token = !is_break(c);
        tokens += u32::from(is_token) * (1 + u32::from(prev_is_token));
        prev_is_token = is_token;
    }
    tokens
}

/// The grams of `lens` characters that partition `pass` holds, as records
/// per packed gram: `doc, field, tf, norm[, positions of a 4-gram]`, in
/// document order. A gram is packed into a u128 (21 bits per character
/// plus its length).
fn records_of_pass(
    texts: &[[String; 3]],
    norms: &[Vec<u8>],
    (pass, passes): (u64, u64),
    lens: std::ops::RangeInclusive<usize>,
) -> HashMap<u128, Vec<u8>, BuildFx> {
    let mut acc: HashMap<u128, Vec<u8>, BuildFx> = HashMap::default();
    // Each gram with its position as one integer (half the bytes of a pair
    // to sort; sorted, equal grams are neighbours, positions ascending).
    let mut grams: Vec<u128> = Vec::new();
    let (shortest, longest) = (*lens.start(), *lens.end());
    for (doc, fields) in texts.iter().enumerate() {
        for (fi, text) in fields.iter().enumerate() {
            grams.clear();
            for (i, (at, first)) in text.char_indices().enumerate() {
                if partition(first, passes) != pass {
                    continue;
                }
                // The grams starting at i, packed as they grow (see `pack`);
                // none crosses a break.
                let mut v = 0u128;
                for (n, c) in (1..=longest).zip(text[at..].chars()) {
                    if is_break(c) {
                        break;
                    }
                    v = (v << 21) | c as u128;
                    if n >= shortest {
                        let key = v | (n as u128) << LEN_SHIFT;
                        grams.push(key << POS_BITS | i as u128);
                    }
                }
            }
            if grams.is_empty() {
                continue;
            }
            grams.sort_unstable();
            append_records(&mut acc, &grams, doc as u32, fi as u8, norms[fi][doc]);
        }
    }
    acc
}

/// Appends to `acc` the record of each gram of one field of one document
/// (`grams`: `gram << POS_BITS | position`, sorted).
fn append_records(
    acc: &mut HashMap<u128, Vec<u8>, BuildFx>,
    grams: &[u128],
    doc: u32,
    field: u8,
    norm: u8,
) {
    let position = |g: u128| (g & ((1 << POS_BITS) - 1)) as u64;
    for run in grams.chunk_by(|a, b| a >> POS_BITS == b >> POS_BITS) {
        let key = run[0] >> POS_BITS;
        let rec = acc.entry(key).or_default();
        put_varint(rec, u64::from(doc));
        rec.push(field);
        put_varint(rec, run.len() as u64);
        rec.push(norm);
        if gram_len(key) == MAX_GRAM {
            let mut prev = 0;
            for (k, &g) in run.iter().enumerate() {
                let p = position(g);
                put_varint(rec, if k == 0 { p } else { p - prev });
                prev = p;
            }
        }
    }
}

/// Per packed 2-gram, its document frequency in each field.
type BigramDf = HashMap<u128, [u32; 3], BuildFx>;

/// Appends to `out` the `t` and `p` blocks of one gram made from its
/// records; `bigram_df` gives, for a gram of 3+ characters, the document
/// frequencies of its 2-grams. Returns the gram's document frequency per
/// field.
fn blocks(key: u128, rec: &[u8], bigram_df: &BigramDf, out: &mut PackedTerms) -> [u32; 3] {
    let nf = TEXT_FIELDS.len();
    let chars = unpack(key);
    let with_positions = chars.len() == MAX_GRAM;
    let mut fields: Vec<FieldPostings> = (0..nf).map(|_| FieldPostings::default()).collect();
    let mut r = 0;
    while r < rec.len() {
        let doc = get_varint(rec, &mut r) as u32;
        let fi = rec[r] as usize;
        r += 1;
        let tf = get_varint(rec, &mut r) as u32;
        let norm = rec[r];
        r += 1;
        let fp = &mut fields[fi];
        fp.push(doc, tf, norm);
        if with_positions {
            let start = r;
            for _ in 0..tf {
                get_varint(rec, &mut r);
            }
            fp.positions.extend_from_slice(&rec[start..r]);
        }
    }
    let mut t = Vec::new();
    let mut p = Vec::new();
    let mask: u64 = (0..nf)
        .filter(|&fi| fields[fi].df > 0)
        .map(|fi| 1u64 << fi)
        .sum();
    put_varint(&mut t, mask);
    for (fi, fp) in fields.iter().enumerate() {
        if fp.df == 0 {
            continue;
        }
        fp.encode(&mut t);
        if chars.len() > 2 {
            for o in 0..chars.len() - 1 {
                let df = bigram_df.get(&pack(&chars[o..o + 2])).map_or(0, |d| d[fi]);
                put_varint(&mut t, u64::from(df));
            }
        }
        if with_positions {
            put_varint(&mut p, fp.positions.len() as u64);
            p.extend_from_slice(&fp.positions);
        }
    }
    let term: String = chars.iter().collect();
    out.push(term.as_bytes(), &t, &p);
    [0, 1, 2].map(|fi| fields[fi].df)
}

/// The finished terms of the grams of `lens` characters, one [`PackedTerms`]
/// per partition, and the document frequencies of the 2-grams among them:
/// the texts are cut into partitions by first character ([`partition`]),
/// each made into records and then blocks on its own (all cores; only the
/// partitions being worked on hold records).
fn grams(
    pass: &TextPass,
    lens: std::ops::RangeInclusive<usize>,
    bigram_df: &BigramDf,
    spill_to: Option<&Path>,
) -> Result<(Vec<PackedTerms>, BigramDf), SearchError> {
    let passes = pass.total_chars.div_ceil(CHARS_PER_PASS).max(1) as u64;
    let parts: Vec<(PackedTerms, BigramDf)> = (0..passes)
        .into_par_iter()
        .map(|p| {
            let mut packed = PackedTerms::default();
            let mut dfs = BigramDf::default();
            for (key, rec) in records_of_pass(&pass.texts, &pass.norms, (p, passes), lens.clone()) {
                let df = blocks(key, &rec, bigram_df, &mut packed);
                if gram_len(key) == 2 {
                    dfs.insert(key, df);
                }
            }
            if let Some(dir) = spill_to {
                packed.spill(dir)?;
            }
            Ok((packed, dfs))
        })
        .collect::<Result<_, SearchError>>()?;
    let mut all_dfs = BigramDf::default();
    let parts = parts
        .into_iter()
        .map(|(packed, dfs)| {
            all_dfs.extend(dfs);
            packed
        })
        .collect();
    Ok((parts, all_dfs))
}

/// The documents as stored in the index, in doc id order (for an index
/// opened from its cache folder, whose [`SearchDoc`]s are gone).
pub(crate) fn stored_docs(si: &SearchIndex) -> Result<Vec<SearchDoc>, SearchError> {
    let searcher = si.reader.searcher();
    let f = si.fields;
    let num_docs = searcher
        .segment_readers()
        .first()
        .map_or(0, |s| s.max_doc());
    let mut docs = Vec::with_capacity(num_docs as usize);
    for id in 0..num_docs {
        let doc: TantivyDocument = searcher.doc(DocAddress::new(0, id))?;
        let text = |field: Field| {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .map(str::to_string)
        };
        docs.push(SearchDoc {
            kind: text(f.kind).unwrap_or_default().parse()?,
            title: text(f.text[0]).unwrap_or_default(),
            body: text(f.text[1]).unwrap_or_default(),
            url: text(f.url).unwrap_or_default(),
            kana: text(f.text[2]).unwrap_or_default(),
            municipality: text(f.municipality),
            region: text(f.region),
            field: text(f.field),
            tel: text(f.tel),
            tel_href: text(f.tel_href),
            field_id: text(f.field_id),
        });
    }
    Ok(docs)
}

/// Writes the export of `docs` into `out_dir`, made from their texts
/// (`pass`, [`TextPass::of`] of the same `docs`) with the expansions `x`.
/// Document ids are the positions in `docs`. The files made from the
/// documents themselves are written first and the documents dropped (the
/// texts are in `pass`; a large site's documents are over 100 MiB, and the
/// grams that come next are the export's peak).
pub fn export(
    docs: Vec<SearchDoc>,
    pass: TextPass,
    x: &Expansions,
    out_dir: &Path,
) -> Result<ExportStats, SearchError> {
    let spill = pass.total_chars > SPILL_CHARS;
    export_spilling(docs, pass, x, out_dir, spill)
}

/// Above this many characters of text, the finished blocks of each
/// partition go to a temporary file in the export's folder until the shards
/// are written (50k pages: 32 million characters, 250 MiB of blocks).
const SPILL_CHARS: usize = 16_000_000;

/// [`export`], the blocks spilled to temporary files when `spill`.
fn export_spilling(
    docs: Vec<SearchDoc>,
    pass: TextPass,
    x: &Expansions,
    out_dir: &Path,
    spill: bool,
) -> Result<ExportStats, SearchError> {
    if pass.texts.len() != docs.len() {
        return Err(SearchError::Schema(format!(
            "{} documents given for the texts of {}",
            docs.len(),
            pass.texts.len()
        )));
    }
    let mut t = crate::build::Timings::new();
    let mut lap = |what: &str| t.lap(what);
    // 1. What is made from the documents: the filter bytes, the chunks, the
    //    places' lists (with the other files of the expansions); then the
    //    documents are dropped.
    let mut w = Writer::new(out_dir)?;
    let regions = regions_of(&docs)?;
    w.write("f.bin", &filter_bytes(&docs, &regions))?;
    let doc_chunks = write_doc_chunks(&mut w, &docs)?;
    let syn = syn_shards(x);
    let syn_count = syn.len();
    write_expansions(&mut w, x, &docs, syn)?;
    let doc_count = docs.len();
    drop(docs);
    lap("export docs");
    // 2. 1- and 2-grams: postings, term frequencies, field norms; the
    //    2-grams' document frequencies are what the longer grams carry.
    let spill_to = spill.then_some(out_dir);
    let (mut terms, bigram_df) = grams(&pass, 1..=2, &BigramDf::default(), spill_to)?;
    lap("export 1-2-grams");
    // 3. 3- and 4-grams.
    terms.extend(grams(&pass, 3..=MAX_GRAM, &bigram_df, spill_to)?.0);
    drop(bigram_df);
    let TextPass { total_tokens, .. } = pass;
    let term_count = terms.iter().map(|t| t.entries.len()).sum();
    lap("export 3-4-grams");
    // 4. Write; the shards are encoded and written one by one.
    let shards = ShardCounts::of(&terms);
    let (term_shards, position_shards) = (shards.t, shards.p);
    let mut meta = Meta::new(doc_count as u32, total_tokens, &shards, regions);
    meta.syn_shards = syn_count as u32;
    meta.explain_docs = x.explain_docs;
    let meta_json = serde_json::to_vec(&meta).expect("meta serialises");
    w.write("meta.json", &meta_json)?;
    write_shards(&mut w, &terms, &shards)?;
    drop(terms);
    lap("export shards");
    Ok(ExportStats {
        docs: doc_count,
        terms: term_count,
        term_shards,
        position_shards,
        doc_chunks,
        files: w.files,
        bytes: w.bytes,
    })
}

/// [`export`] of `docs`, normalising their texts first.
pub fn export_docs(
    docs: &[SearchDoc],
    x: &Expansions,
    out_dir: &Path,
) -> Result<ExportStats, SearchError> {
    export(docs.to_vec(), TextPass::of(docs), x, out_dir)
}

/// The regions of the documents, sorted; at most 63, as `f.bin` keeps a
/// region's index + 1 in the upper 6 bits of a byte.
fn regions_of(docs: &[SearchDoc]) -> Result<Vec<String>, SearchError> {
    let mut regions: Vec<String> = Vec::new();
    for r in docs.iter().filter_map(|d| d.region.as_ref()) {
        if !regions.contains(r) {
            regions.push(r.clone());
        }
    }
    regions.sort();
    if regions.len() > 63 {
        return Err(SearchError::Schema(format!(
            "too many regions for the export ({})",
            regions.len()
        )));
    }
    Ok(regions)
}

/// `f.bin`: per document, `kind | (region_index + 1) << 2`.
fn filter_bytes(docs: &[SearchDoc], regions: &[String]) -> Vec<u8> {
    docs.iter()
        .map(|d| {
            let kind = DocKind::ALL.iter().position(|k| *k == d.kind).unwrap_or(0) as u8;
            let region = d
                .region
                .as_ref()
                .and_then(|r| regions.iter().position(|x| x == r))
                .map_or(0, |i| i + 1) as u8;
            kind | (region << 2)
        })
        .collect()
}

impl Meta {
    fn new(docs: u32, total_tokens: Vec<u64>, shards: &ShardCounts, regions: Vec<String>) -> Meta {
        Meta {
            format: FORMAT_VERSION,
            analyzer: super::analyzer::ANALYZER_VERSION.to_string(),
            docs,
            fields: TEXT_FIELDS.iter().map(|s| s.to_string()).collect(),
            boosts: FIELD_BOOSTS.to_vec(),
            total_tokens,
            max_gram: MAX_GRAM as u32,
            term_shards: shards.t as u32,
            position_shards: shards.p as u32,
            doc_chunk: DOC_CHUNK as u32,
            kinds: DocKind::ALL
                .iter()
                .map(|k| k.as_str().to_string())
                .collect(),
            regions,
            syn_shards: 0,
            explain_docs: 0,
            explain_boost: super::expand::EXPLAIN_BOOST,
        }
    }
}

/// The `s/` shards: the expansion entries split by the hash of their word.
fn syn_shards(x: &Expansions) -> Vec<Vec<u8>> {
    if x.entries.is_empty() {
        return Vec::new();
    }
    let total = serde_json::to_vec(&x.entries)
        .expect("entries serialise")
        .len();
    let n = total.div_ceil(SYN_SHARD_TARGET_BYTES).max(1);
    let mut maps: Vec<BTreeMap<&str, &super::expand::Entry>> = vec![BTreeMap::new(); n];
    for (k, e) in &x.entries {
        maps[fnv1a32(k.as_bytes()) as usize % n].insert(k, e);
    }
    maps.iter()
        .map(|m| serde_json::to_vec(m).expect("entries serialise"))
        .collect()
}

/// Writes `s/<i>.json`, `m/<p>.bin` and `r.json`.
fn write_expansions(
    w: &mut Writer,
    x: &Expansions,
    docs: &[SearchDoc],
    syn: Vec<Vec<u8>>,
) -> Result<(), SearchError> {
    for (i, bytes) in syn.iter().enumerate() {
        w.write(&format!("s/{i}.json"), bytes)?;
    }
    let mut by_place: HashMap<&str, Vec<u32>> = HashMap::new();
    for (i, d) in docs.iter().enumerate() {
        if let Some(m) = &d.municipality {
            by_place.entry(m.as_str()).or_default().push(i as u32);
        }
    }
    for (p, name) in x.places.iter().enumerate() {
        let mut bytes = Vec::new();
        let mut prev = 0u32;
        for &d in by_place.get(name.as_str()).map_or(&[][..], Vec::as_slice) {
            put_varint(&mut bytes, u64::from(d - prev));
            prev = d;
        }
        w.write(&format!("m/{p}.bin"), &bytes)?;
    }
    let cands = super::suggest::candidates(x);
    if !cands.is_empty() {
        let json = serde_json::to_vec(&cands).expect("candidates serialise");
        w.write("r.json", &json)?;
    }
    Ok(())
}

/// The number of term (`t`) and position (`p`) shards: enough for
/// [`SHARD_TARGET_BYTES`] each, at least one. A term goes to shard
/// `fnv1a32(term) % shard count`.
struct ShardCounts {
    t: usize,
    p: usize,
}

impl ShardCounts {
    fn of(terms: &[PackedTerms]) -> ShardCounts {
        let entries = || terms.iter().flat_map(|part| &part.entries);
        let total_t: usize = entries().map(|e| e.t as usize + 8).sum();
        let total_p: usize = entries().map(|e| e.p as usize + 8).sum();
        ShardCounts {
            t: total_t.div_ceil(SHARD_TARGET_BYTES).max(1),
            p: total_p.div_ceil(SHARD_TARGET_BYTES).max(1),
        }
    }
}

/// A term of [`PackedTerms`]: which part, which entry.
type TermRef = (u32, u32);

/// Writes `t/<i>.bin` and `p/<i>.bin`: each its entry count, then its
/// entries sorted by term, as `len, utf8, block_len, block`. The shards are
/// encoded and written on all cores, each dropped once written (the blocks
/// are never held twice).
fn write_shards(
    w: &mut Writer,
    terms: &[PackedTerms],
    counts: &ShardCounts,
) -> Result<(), SearchError> {
    let mut t_groups: Vec<Vec<TermRef>> = vec![Vec::new(); counts.t];
    let mut p_groups: Vec<Vec<TermRef>> = vec![Vec::new(); counts.p];
    for (pi, part) in terms.iter().enumerate() {
        for (ei, e) in part.entries.iter().enumerate() {
            let h = fnv1a32(part.key(e)) as usize;
            if e.p > 0 {
                p_groups[h % counts.p].push((pi as u32, ei as u32));
            }
            t_groups[h % counts.t].push((pi as u32, ei as u32));
        }
    }
    w.write_par(
        t_groups
            .into_par_iter()
            .enumerate()
            .map(|(i, group)| Ok((format!("t/{i}.bin"), encode_shard(terms, group, Block::T)?))),
    )?;
    w.write_par(
        p_groups
            .into_par_iter()
            .enumerate()
            .map(|(i, group)| Ok((format!("p/{i}.bin"), encode_shard(terms, group, Block::P)?))),
    )
}

/// One shard's file: its entry count, then its entries sorted by term, as
/// `len, utf8, block_len, block` (`block` picks the `t` or `p` block).
fn encode_shard(
    terms: &[PackedTerms],
    mut group: Vec<TermRef>,
    which: Block,
) -> Result<Vec<u8>, SearchError> {
    let entry = |&(pi, ei): &TermRef| {
        let part = &terms[pi as usize];
        (part, &part.entries[ei as usize])
    };
    group.sort_unstable_by(|a, b| {
        let ((pa, ea), (pb, eb)) = (entry(a), entry(b));
        pa.key(ea).cmp(pb.key(eb))
    });
    let size: usize = group
        .iter()
        .map(|r| {
            let (part, e) = entry(r);
            let len = match which {
                Block::T => e.t,
                Block::P => e.p,
            };
            part.key(e).len() + len as usize + 8
        })
        .sum();
    let mut buf = Vec::with_capacity(size + 4);
    put_varint(&mut buf, group.len() as u64);
    for r in &group {
        let (part, e) = entry(r);
        let key = part.key(e);
        let bytes = part.block(e, which).map_err(|source| SearchError::Io {
            path: std::env::temp_dir(),
            source,
        })?;
        put_varint(&mut buf, key.len() as u64);
        buf.extend_from_slice(key);
        put_varint(&mut buf, bytes.len() as u64);
        buf.extend_from_slice(&bytes);
    }
    Ok(buf)
}

/// Writes the `d/<c>.json` chunks of [`DOC_CHUNK`] documents; returns
/// their number.
fn write_doc_chunks(w: &mut Writer, docs: &[SearchDoc]) -> Result<usize, SearchError> {
    // Each chunk is written once made (a large site's chunks are tens of
    // MiB, and the export's grams come after them).
    w.write_par(docs.par_chunks(DOC_CHUNK).enumerate().map(|(c, chunk)| {
        let rows: Vec<DocRow> = chunk.iter().map(DocRow::of).collect();
        let json = serde_json::to_vec(&rows).expect("docs serialise");
        Ok((format!("d/{c}.json"), json))
    }))?;
    Ok(docs.len().div_ceil(DOC_CHUNK))
}

struct Writer<'a> {
    dir: &'a Path,
    files: usize,
    bytes: u64,
}

impl<'a> Writer<'a> {
    fn new(dir: &'a Path) -> Result<Writer<'a>, SearchError> {
        // Remove what an earlier export left (and only that).
        for sub in ["t", "p", "d", "s", "m"] {
            let p = dir.join(sub);
            if p.is_dir() {
                std::fs::remove_dir_all(&p).map_err(io_err(&p))?;
            }
        }
        for sub in ["t", "p", "d", "s", "m"] {
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

    /// Writes the files `files` makes, on all cores, each dropped once
    /// written.
    fn write_par(
        &mut self,
        files: impl ParallelIterator<Item = Result<(String, Vec<u8>), SearchError>>,
    ) -> Result<(), SearchError> {
        let dir = self.dir;
        let (n, bytes) = files
            .map(|file| {
                let (rel, bytes) = file?;
                let p = dir.join(rel);
                std::fs::write(&p, &bytes).map_err(io_err(&p))?;
                Ok::<_, SearchError>((1usize, bytes.len() as u64))
            })
            .try_reduce(|| (0, 0), |a, b| Ok((a.0 + b.0, a.1 + b.1)))?;
        self.files += n;
        self.bytes += bytes;
        Ok(())
    }
}

/// The files `search.js` fetches for a query, besides itself and
/// `meta.json`: the `s/` shard of every word (when the site has expansions),
/// the term shards of the lookup cover of every variant, the position shards
/// of variants longer than [`MAX_GRAM`], the `m/` file of each municipality a
/// word names, `f.bin` when a filter is set, and the doc chunks of the shown
/// results (`result_docs`).
pub fn fetch_plan(meta: &Meta, query: &str, filtered: bool, result_docs: &[u32]) -> Vec<String> {
    fetch_plan_with(
        meta,
        &super::expand::Expansions::default(),
        query,
        filtered,
        result_docs,
    )
}

/// [`fetch_plan`] for an index with expansions `x`.
pub fn fetch_plan_with(
    meta: &Meta,
    x: &super::expand::Expansions,
    query: &str,
    filtered: bool,
    result_docs: &[u32],
) -> Vec<String> {
    let mut files: Vec<String> = Vec::new();
    let mut add = |s: String| {
        if !files.contains(&s) {
            files.push(s);
        }
    };
    let words = query_words(query);
    for w in &words {
        if meta.syn_shards > 0 {
            add(format!(
                "s/{}.json",
                fnv1a32(w.as_bytes()) % meta.syn_shards
            ));
        }
        for v in x.variants(w) {
            let cover = lookup_cover(&v);
            for (_, t) in &cover {
                add(format!(
                    "t/{}.bin",
                    fnv1a32(t.as_bytes()) % meta.term_shards
                ));
            }
            if v.chars().count() > MAX_GRAM {
                for (_, t) in &cover {
                    add(format!(
                        "p/{}.bin",
                        fnv1a32(t.as_bytes()) % meta.position_shards
                    ));
                }
            }
        }
    }
    for p in x.places_of(&words) {
        add(format!("m/{p}.bin"));
    }
    if filtered {
        add("f.bin".to_string());
    }
    for &d in result_docs {
        add(format!("d/{}.json", d / meta.doc_chunk));
    }
    files
}

/// The export made from the documents against what a tantivy index of the
/// same documents holds (what the export read until session 7): a
/// divergence of the own pass from tantivy fails here.
#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::postings::Postings;
    use tantivy::schema::IndexRecordOption;
    use tantivy::{DocSet, TERMINATED};

    /// Term → `t` block, per-field token totals, per-field norms.
    type Low = (BTreeMap<Vec<u8>, Vec<u8>>, Vec<u64>, Vec<Vec<u8>>);

    /// The 1- and 2-gram blocks as the export read them from tantivy's
    /// postings until session 7, with its token totals and field norms.
    fn tantivy_low(si: &SearchIndex) -> Low {
        let searcher = si.reader.searcher();
        let mut fields: BTreeMap<Vec<u8>, Vec<(usize, Vec<u8>)>> = BTreeMap::new();
        let (mut totals, mut norms) = (Vec::new(), Vec::new());
        for (fi, &field) in si.fields.text.iter().enumerate() {
            let Some(seg) = searcher.segment_readers().first() else {
                totals.push(0);
                norms.push(Vec::new());
                continue;
            };
            let inverted = seg.inverted_index(field).unwrap();
            totals.push(inverted.total_num_tokens());
            let reader = seg.get_fieldnorms_reader(field).unwrap();
            norms.push((0..seg.max_doc()).map(|d| reader.fieldnorm_id(d)).collect());
            let mut stream = inverted.terms().stream().unwrap();
            while stream.advance() {
                let mut postings = inverted
                    .read_postings_from_terminfo(stream.value(), IndexRecordOption::WithFreqs)
                    .unwrap();
                let mut fp = FieldPostings::default();
                let mut doc = postings.doc();
                while doc != TERMINATED {
                    fp.push(doc, postings.term_freq(), reader.fieldnorm_id(doc));
                    doc = postings.advance();
                }
                let mut block = Vec::new();
                fp.encode(&mut block);
                let entry = fields.entry(stream.key().to_vec()).or_default();
                entry.push((fi, block));
            }
        }
        let terms = fields
            .into_iter()
            .map(|(key, per_field)| {
                let mut t = Vec::new();
                put_varint(&mut t, per_field.iter().map(|(fi, _)| 1u64 << fi).sum());
                for (_, block) in per_field {
                    t.extend_from_slice(&block);
                }
                (key, t)
            })
            .collect();
        (terms, totals, norms)
    }

    /// The same from the documents' own pass.
    fn own_low(docs: &[SearchDoc]) -> Low {
        let pass = TextPass::of(docs);
        let mut terms = BTreeMap::new();
        for part in grams(&pass, 1..=2, &BigramDf::default(), None).unwrap().0 {
            for e in &part.entries {
                assert!(part.block(e, Block::P).unwrap().is_empty());
                let t = part.block(e, Block::T).unwrap().into_owned();
                terms.insert(part.key(e).to_vec(), t);
            }
        }
        (terms, pass.total_tokens, pass.norms)
    }

    /// The document frequency per field that a `t` block gives (read as
    /// `search.js` reads it: mask, then per field df, deltas, tfs, norms and
    /// for a gram of n ≥ 3 characters its n - 1 2-gram dfs).
    fn block_dfs(key: &[u8], t: &[u8]) -> [u32; 3] {
        let n = std::str::from_utf8(key).unwrap().chars().count();
        let mut i = 0;
        let mask = get_varint(t, &mut i);
        let mut dfs = [0; 3];
        for (fi, df_out) in dfs.iter_mut().enumerate() {
            if mask & (1 << fi) == 0 {
                continue;
            }
            let df = get_varint(t, &mut i);
            let mut not_one = 0;
            for _ in 0..df {
                not_one += 1 - (get_varint(t, &mut i) & 1);
            }
            for _ in 0..not_one {
                get_varint(t, &mut i);
            }
            i += df as usize; // norms
            for _ in 0..if n >= 3 { n - 1 } else { 0 } {
                get_varint(t, &mut i);
            }
            *df_out = df as u32;
        }
        assert_eq!(i, t.len(), "the whole block of {key:?} read");
        dfs
    }

    /// Every gram of 1 to 4 characters without a break, with its document
    /// frequency per field, counted the slow way.
    fn naive_dfs(docs: &[SearchDoc]) -> BTreeMap<Vec<u8>, [u32; 3]> {
        let mut out: BTreeMap<Vec<u8>, [u32; 3]> = BTreeMap::new();
        for d in docs {
            for (fi, text) in [&d.title, &d.body, &d.kana].into_iter().enumerate() {
                let chars: Vec<char> = normalize(text).chars().collect();
                let mut seen = std::collections::BTreeSet::new();
                for n in 1..=MAX_GRAM {
                    for w in chars.windows(n).filter(|w| !w.iter().any(|&c| is_break(c))) {
                        seen.insert(w.iter().collect::<String>().into_bytes());
                    }
                }
                for g in seen {
                    out.entry(g).or_default()[fi] += 1;
                }
            }
        }
        out
    }

    fn doc(title: &str, body: &str, kana: &str, municipality: Option<&str>) -> SearchDoc {
        SearchDoc {
            kind: DocKind::Page,
            title: title.into(),
            body: body.into(),
            url: "/x/".into(),
            kana: kana.into(),
            municipality: municipality.map(Into::into),
            region: None,
            field: None,
            tel: None,
            tel_href: None,
            field_id: None,
        }
    }

    /// Breaks at the ends and doubled, half-width kana, Σ, a lone
    /// character, empty fields, repeats (tf > 1), combining marks.
    fn tricky_docs() -> Vec<SearchDoc> {
        vec![
            doc(
                " 訪問看護  ｽﾃｰｼｮﾝ\u{3000}a",
                "ああああ ああ\nあ",
                "",
                Some("茅ヶ崎市"),
            ),
            doc("", "", "", None),
            doc(
                "ΟΔΟΣ Σ",
                "か\u{3099}ｶﾞ ＡＢＣ１２３ Ⅻ ㍻",
                "ほうもん",
                Some("横浜市"),
            ),
            doc(
                "茅ヶ崎",
                "茅ケ崎市の訪問看護ステーション。訪問看護",
                "ちがさき",
                Some("茅ヶ崎市"),
            ),
            doc("x", "\t\t", " y ", None),
        ]
    }

    fn check_against_tantivy(docs: &[SearchDoc], vocab: &Vocabulary) {
        let dir = tempfile::tempdir().unwrap();
        let mut si = SearchIndex::build(docs, &dir.path().join("index")).unwrap();
        si.set_vocabulary(vocab, &dir.path().join("index")).unwrap();
        let (want, got) = (tantivy_low(&si), own_low(docs));
        assert_eq!(want.1, got.1, "token totals");
        assert_eq!(want.2, got.2, "field norms");
        assert_eq!(want.0.len(), got.0.len(), "1-/2-gram count");
        for (key, t) in &want.0 {
            assert_eq!(
                got.0.get(key),
                Some(t),
                "block of {:?}",
                String::from_utf8_lossy(key)
            );
        }
        // The expansions: "present" as tantivy's word query says.
        let pass = TextPass::of(docs);
        assert_eq!(pass.expansions(vocab), si.expansions);
        for p in 0..si.expansions.places.len() as u32 {
            let name = &si.expansions.places[p as usize];
            let own: Vec<u32> = (0..docs.len() as u32)
                .filter(|&i| docs[i as usize].municipality.as_ref() == Some(name))
                .collect();
            assert_eq!(si.place_docs(p).unwrap(), own, "documents of {name}");
        }
        // Every gram's document frequencies (the 3-/4-grams too).
        let (low, bigram_df) = grams(&pass, 1..=2, &BigramDf::default(), None).unwrap();
        let (high, _) = grams(&pass, 3..=MAX_GRAM, &bigram_df, None).unwrap();
        let mut all: BTreeMap<Vec<u8>, [u32; 3]> = BTreeMap::new();
        for part in low.iter().chain(&high) {
            for e in &part.entries {
                let dfs = block_dfs(part.key(e), &part.block(e, Block::T).unwrap());
                assert!(
                    all.insert(part.key(e).to_vec(), dfs).is_none(),
                    "made twice"
                );
            }
        }
        let naive = naive_dfs(docs);
        assert_eq!(all, naive);
        // The 2-gram dfs that the 3-/4-gram blocks carry.
        for (key, dfs) in &naive {
            let chars: Vec<char> = std::str::from_utf8(key).unwrap().chars().collect();
            if chars.len() == 2 {
                assert_eq!(bigram_df.get(&pack(&chars)), Some(dfs));
            }
        }
    }

    #[test]
    fn a_snippet_is_its_own_snippet() {
        // `export` cuts the bodies to their snippets before `DocRow::of`
        // takes the snippet again.
        let long = "あ".repeat(79) + " い  うえお";
        let spaced = "x ".repeat(60);
        for body in [
            "",
            "  短い\n本文  ",
            long.as_str(),
            spaced.as_str(),
            &"\u{3000}全角…".repeat(40),
        ] {
            let once = snippet(body);
            assert_eq!(snippet(&once), once, "{body:?}");
        }
        assert!(snippet(&long).ends_with('…'));
    }

    #[test]
    fn own_pass_equals_tantivy_on_tricky_texts() {
        let vocab = Vocabulary {
            groups: vec![super::super::expand::Group {
                words: vec!["訪問看護".into(), "ほうもん".into(), "訪問 看護".into()],
                typed: vec!["ﾎｳﾓﾝ".into(), "".into()],
                topic: true,
                source: "t:1".into(),
            }],
            places: vec![super::super::expand::Place {
                name: "茅ヶ崎市".into(),
                forms: vec!["茅ヶ崎市".into(), "ちがさき".into(), "茅ヶ崎 ".into()],
            }],
            explain_docs: 1,
        };
        check_against_tantivy(&tricky_docs(), &vocab);
        check_against_tantivy(&[], &vocab);
    }

    /// A copy of the repository's sample site (content, data, themes).
    fn sample_copy() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
        for sub in ["content", "data", "themes"] {
            for e in walkdir::WalkDir::new(repo.join(sub)) {
                let e = e.unwrap();
                let to = dir.path().join(e.path().strip_prefix(repo).unwrap());
                if e.file_type().is_dir() {
                    std::fs::create_dir_all(&to).unwrap();
                } else {
                    std::fs::copy(e.path(), &to).unwrap();
                }
            }
        }
        dir
    }

    /// Every file under `dir` with its bytes.
    fn files_of(dir: &Path) -> BTreeMap<String, Vec<u8>> {
        walkdir::WalkDir::new(dir)
            .into_iter()
            .map(Result::unwrap)
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                let rel = e.path().strip_prefix(dir).unwrap().display().to_string();
                (rel, std::fs::read(e.path()).unwrap())
            })
            .collect()
    }

    #[test]
    fn a_spilled_export_has_the_same_bytes_and_leaves_no_file() {
        let dir = sample_copy();
        let mut opts = crate::config::BuildOptions::new(dir.path());
        assert!(opts.fix_today("2026-11-29"));
        let (site, _) = crate::build::check(&opts).expect("the sample is valid");
        let docs = crate::derived::search_docs(&site);
        let pass = TextPass::of(&docs);
        let x = pass.expansions(&crate::derived::search_vocabulary(&site));
        let out = tempfile::tempdir().unwrap();
        let (kept, spilled) = (out.path().join("kept"), out.path().join("spilled"));
        export_spilling(docs.clone(), TextPass::of(&docs), &x, &kept, false).unwrap();
        export_spilling(docs, pass, &x, &spilled, true).unwrap();
        let (a, b) = (files_of(&kept), files_of(&spilled));
        assert!(a.len() > 50, "{} files", a.len());
        assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
        assert!(a == b, "the same bytes");
    }

    #[test]
    fn own_pass_equals_tantivy_on_the_sample_site() {
        let dir = sample_copy();
        let mut opts = crate::config::BuildOptions::new(dir.path());
        assert!(opts.fix_today("2026-11-29"));
        let (site, _) = crate::build::check(&opts).expect("the sample is valid");
        let docs = crate::derived::search_docs(&site);
        assert!(docs.len() > 100, "{} documents", docs.len());
        check_against_tantivy(&docs, &crate::derived::search_vocabulary(&site));
    }
}
