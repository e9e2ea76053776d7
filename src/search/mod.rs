//! Search: Japanese analyzer, tantivy index, static shard export.
//!
//! One [`SearchDoc`] per page section, contact window and facility. The
//! build exports them into small static files ([`export::export`], format in
//! [`export`]) that `themes/default/static/js/search.js` reads and ranks
//! exactly like tantivy; the export makes every posting, field norm and token
//! total itself from the analyzer ([`TextPass`]), with no tantivy index.
//! `ohisama search` indexes the same documents with tantivy
//! ([`SearchIndex::build`], kept in `.cache/search` until the documents
//! change) and asks it with [`SearchIndex::query`].
//!
//! Matching and ranking, the same on both sides:
//! - the query is normalised ([`analyzer::normalize`]) and split at white
//!   space into words; every word must match (AND);
//! - a word matches a field when the field contains it as a substring: a
//!   phrase query over the word's 2-grams ([`analyzer::cover`]), or a term
//!   query for a 1-character word;
//! - a word's score is the sum over the fields title (boost
//!   [`TITLE_BOOST`]), body and kana of tantivy's BM25 (k1 1.2, b 0.75; for
//!   a phrase the idf is the sum of its terms' idf and the tf is the number of
//!   phrase occurrences); the document's score is the sum over words;
//! - ties are broken by ascending document id (input order).
//!
//! The export adds the postings of every 3- and 4-gram (with the document
//! frequencies of their 2-grams, for tantivy's phrase idf), so that a word of
//! up to 4 characters costs the browser one term lookup and no positions;
//! only longer words fetch positions (of their 4-grams). The browser tests
//! (`tests/search_parity.rs`) check that search.js returns what tantivy
//! returns.

pub mod analyzer;
pub mod expand;
pub mod explain;
pub mod export;
pub mod rank;
#[cfg(feature = "readings-spike")]
pub mod readings;
pub mod suggest;

use std::path::{Path, PathBuf};

use tantivy::collector::{Count, DocSetCollector, TopDocs};
use tantivy::index::IndexSortByField;
use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, EmptyQuery, Occur, PhraseQuery, Query, TermQuery,
};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing,
    TextOptions, Value,
};
use tantivy::{Index, IndexReader, IndexSettings, Order, ReloadPolicy, TantivyDocument, Term};

pub use expand::{Expansions, Vocabulary};
pub use export::{ExportStats, TextPass};

/// The file beside the tantivy index that holds the build's [`Expansions`].
pub const EXPANSIONS_FILE: &str = "expansions.json";

/// Boost of the title field (section heading, window or facility name).
/// `search.js` reads it from the exported `meta.json`.
pub const TITLE_BOOST: f32 = 2.0;

/// The searchable text fields, in the order their scores are added.
pub const TEXT_FIELDS: [&str; 3] = ["title", "body", "kana"];

/// Boost per text field, in [`TEXT_FIELDS`] order.
pub const FIELD_BOOSTS: [f32; 3] = [TITLE_BOOST, 1.0, 1.0];

/// What a search result is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DocKind {
    Page,
    Window,
    Facility,
}

impl DocKind {
    /// All kinds, in the order of their numeric code in the export.
    pub const ALL: [DocKind; 3] = [DocKind::Page, DocKind::Window, DocKind::Facility];

    /// `page`, `window` or `facility`.
    pub fn as_str(self) -> &'static str {
        match self {
            DocKind::Page => "page",
            DocKind::Window => "window",
            DocKind::Facility => "facility",
        }
    }

    /// Japanese label for result lists.
    pub fn label_ja(self) -> &'static str {
        match self {
            DocKind::Page => "ページ",
            DocKind::Window => "相談窓口",
            DocKind::Facility => "施設",
        }
    }
}

impl std::str::FromStr for DocKind {
    type Err = SearchError;
    fn from_str(s: &str) -> Result<DocKind, SearchError> {
        match s {
            "page" => Ok(DocKind::Page),
            "window" => Ok(DocKind::Window),
            "facility" => Ok(DocKind::Facility),
            _ => Err(SearchError::BadKind(s.to_string())),
        }
    }
}

impl std::fmt::Display for DocKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One searchable unit: a page section, a contact window or a facility.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SearchDoc {
    pub kind: DocKind,
    /// Page section heading / window name / facility name.
    pub title: String,
    /// Plain text (no HTML).
    pub body: String,
    /// Site-relative URL, e.g. "/contacts/yokohama/#w-3".
    pub url: String,
    /// Readings (municipality kana, facility kana), may be "".
    pub kana: String,
    /// Display name, e.g. "横浜市".
    pub municipality: Option<String>,
    /// Region id, e.g. "seirei".
    pub region: Option<String>,
    /// Display name of the window field or facility type.
    pub field: Option<String>,
    /// Phone number as shown (windows and facilities), e.g. "0467-82-1111".
    pub tel: Option<String>,
    /// Its `tel:` link.
    pub tel_href: Option<String>,
    /// The window's field id (its colours are the theme's `.f-<id>` class).
    pub field_id: Option<String>,
}

/// The most results `ohisama search --limit` may ask for. (The library cuts
/// any limit to the number of documents, so no limit allocates more than the
/// index holds.)
pub const MAX_QUERY_LIMIT: usize = 1_000;

/// Options of [`SearchIndex::query`].
#[derive(Debug, Clone)]
pub struct QueryOptions {
    pub limit: usize,
    pub kind: Option<DocKind>,
    pub region: Option<String>,
}

impl Default for QueryOptions {
    fn default() -> Self {
        QueryOptions {
            limit: 10,
            kind: None,
            region: None,
        }
    }
}

/// One ranked result.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Hit {
    pub title: String,
    pub url: String,
    pub kind: DocKind,
    pub municipality: Option<String>,
    pub region: Option<String>,
    pub field: Option<String>,
    pub tel: Option<String>,
    pub score: f32,
    /// Document id (position of the document in the `docs` given to `build`).
    pub doc: u32,
}

/// Errors of the search module.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("検索インデックスのエラー: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    #[error("ファイルの読み書きに失敗しました: {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{0} は検索インデックスのキャッシュではありません(空でないフォルダは上書きしません)")]
    NotACache(PathBuf),
    #[error("検索インデックスの形式が違います: {0}(再ビルドしてください)")]
    Schema(String),
    #[error("種別は page / window / facility のどれかです (指定: {0})")]
    BadKind(String),
}

pub(crate) fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> SearchError + '_ {
    move |source| SearchError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Schema fields.
#[derive(Clone, Copy)]
pub(crate) struct Fields {
    pub text: [Field; 3],
    pub url: Field,
    pub kind: Field,
    pub municipality: Field,
    pub region: Field,
    pub field: Field,
    pub tel: Field,
    pub tel_href: Field,
    pub field_id: Field,
    pub ord: Field,
}

fn schema() -> Schema {
    let mut b = Schema::builder();
    let text = TextOptions::default().set_stored().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(analyzer::TOKENIZER_NAME)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    for name in TEXT_FIELDS {
        b.add_text_field(name, text.clone());
    }
    b.add_text_field("url", STORED);
    b.add_text_field("kind", STRING | STORED);
    // Indexed as one term: a municipality named in the query ranks its documents first.
    b.add_text_field("municipality", STRING | STORED);
    b.add_text_field("region", STRING | STORED);
    b.add_text_field("field", STORED);
    b.add_text_field("tel", STORED);
    b.add_text_field("tel_href", STORED);
    b.add_text_field("field_id", STORED);
    b.add_u64_field("ord", INDEXED | FAST | STORED);
    b.build()
}

fn fields(schema: &Schema) -> Result<Fields, SearchError> {
    let get = |name: &str| {
        schema
            .get_field(name)
            .map_err(|_| SearchError::Schema(format!("field {name} missing")))
    };
    Ok(Fields {
        text: [get("title")?, get("body")?, get("kana")?],
        url: get("url")?,
        kind: get("kind")?,
        municipality: get("municipality")?,
        region: get("region")?,
        field: get("field")?,
        tel: get("tel")?,
        tel_href: get("tel_href")?,
        field_id: get("field_id")?,
        ord: get("ord")?,
    })
}

fn register_analyzer(index: &Index) {
    index.tokenizers().register(
        analyzer::TOKENIZER_NAME,
        tantivy::tokenizer::TextAnalyzer::from(analyzer::JaNgramTokenizer::default()),
    );
}

/// One document as tantivy stores it; `i` is its position (document id).
fn tantivy_doc(f: &Fields, d: &SearchDoc, i: usize) -> TantivyDocument {
    let mut doc = TantivyDocument::default();
    doc.add_text(f.text[0], &d.title);
    doc.add_text(f.text[1], &d.body);
    doc.add_text(f.text[2], &d.kana);
    doc.add_text(f.url, &d.url);
    doc.add_text(f.kind, d.kind.as_str());
    for (field, value) in [
        (f.municipality, &d.municipality),
        (f.region, &d.region),
        (f.field, &d.field),
        (f.tel, &d.tel),
        (f.tel_href, &d.tel_href),
        (f.field_id, &d.field_id),
    ] {
        if let Some(x) = value {
            doc.add_text(field, x);
        }
    }
    doc.add_u64(f.ord, i as u64);
    doc
}

/// The tantivy index of the site, kept in a build cache directory.
pub struct SearchIndex {
    pub(crate) index: Index,
    pub(crate) reader: IndexReader,
    pub(crate) fields: Fields,
    /// The build's query expansions (empty: every word stands for itself).
    pub(crate) expansions: Expansions,
}

/// Memory budget of the (single) indexing thread. Large enough for one
/// segment up to ~70,000 documents (a merge of two segments costs more than
/// the indexing gains from a second thread on 2 cores).
const WRITER_BUDGET: usize = 160 << 20;

impl SearchIndex {
    /// (Re)creates the tantivy index in `cache_dir` from `docs`. Document ids
    /// are the positions in `docs`. `cache_dir` must be missing, empty or an
    /// index made by an earlier `build`.
    pub fn build(docs: &[SearchDoc], cache_dir: &Path) -> Result<SearchIndex, SearchError> {
        if cache_dir.exists() {
            let mut entries = std::fs::read_dir(cache_dir).map_err(io_err(cache_dir))?;
            let is_empty = entries.next().is_none();
            if !is_empty && !cache_dir.join("meta.json").is_file() {
                return Err(SearchError::NotACache(cache_dir.to_path_buf()));
            }
            std::fs::remove_dir_all(cache_dir).map_err(io_err(cache_dir))?;
        }
        std::fs::create_dir_all(cache_dir).map_err(io_err(cache_dir))?;
        let schema = schema();
        let f = fields(&schema)?;
        let settings = IndexSettings {
            sort_by_field: Some(IndexSortByField {
                field: "ord".to_string(),
                order: Order::Asc,
            }),
            ..IndexSettings::default()
        };
        let index = Index::builder()
            .schema(schema)
            .settings(settings)
            .create_in_dir(cache_dir)?;
        register_analyzer(&index);
        {
            let mut writer: tantivy::IndexWriter =
                index.writer_with_num_threads(1, WRITER_BUDGET)?;
            writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
            for (i, d) in docs.iter().enumerate() {
                writer.add_document(tantivy_doc(&f, d, i))?;
            }
            let t0 = std::time::Instant::now();
            writer.commit()?;
            let ids = index.searchable_segment_ids()?;
            // More than one segment only when the text outgrows WRITER_BUDGET.
            if ids.len() > 1 {
                writer.merge(&ids).wait()?;
            }
            writer.wait_merging_threads()?;
            if std::env::var_os("OHISAMA_SEARCH_TIMING").is_some() {
                eprintln!(
                    "index: commit + merge of {} segments {:.2?}",
                    ids.len(),
                    t0.elapsed()
                );
            }
        }
        let si = SearchIndex::from_index(index)?;
        // Keep the directory clean of files of merged-away segments.
        {
            let writer: tantivy::IndexWriter = si.index.writer_with_num_threads(1, 15 << 20)?;
            writer.garbage_collect_files().wait()?;
            writer.wait_merging_threads()?;
        }
        si.reader.reload()?;
        Ok(si)
    }

    /// Opens the index an earlier [`SearchIndex::build`] left in `cache_dir`.
    pub fn open(cache_dir: &Path) -> Result<SearchIndex, SearchError> {
        if !cache_dir.join("meta.json").is_file() {
            return Err(SearchError::Io {
                path: cache_dir.join("meta.json"),
                source: std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "検索インデックスがありません (ohisama search が作ります)",
                ),
            });
        }
        let index = Index::open_in_dir(cache_dir)?;
        let mut si = SearchIndex::from_index(index)?;
        let path = cache_dir.join(EXPANSIONS_FILE);
        if path.is_file() {
            let bytes = std::fs::read(&path).map_err(io_err(&path))?;
            si.expansions = serde_json::from_slice(&bytes)
                .map_err(|e| SearchError::Schema(format!("{}: {e}", path.display())))?;
        }
        Ok(si)
    }

    /// [`SearchIndex::build`], then the expansions of `vocab` (see
    /// [`expand`]), kept in `cache_dir` for [`SearchIndex::open`].
    pub fn build_with_vocabulary(
        docs: &[SearchDoc],
        vocab: &Vocabulary,
        cache_dir: &Path,
    ) -> Result<SearchIndex, SearchError> {
        let mut si = SearchIndex::build(docs, cache_dir)?;
        si.set_vocabulary(vocab, cache_dir)?;
        Ok(si)
    }

    /// Computes the expansions of `vocab` on this index (a variant is kept
    /// only where it occurs) and writes them into `cache_dir`.
    pub fn set_vocabulary(
        &mut self,
        vocab: &Vocabulary,
        cache_dir: &Path,
    ) -> Result<(), SearchError> {
        let searcher = self.reader.searcher();
        let present = |w: &str| {
            searcher
                .search(&*self.word_query(w), &Count)
                .is_ok_and(|n| n > 0)
        };
        let expansions = Expansions::build(vocab, present);
        self.set_expansions(expansions, cache_dir)
    }

    /// Uses `expansions` (made from the same documents, e.g. by
    /// [`TextPass::expansions`]) and writes them into `cache_dir`.
    pub fn set_expansions(
        &mut self,
        expansions: Expansions,
        cache_dir: &Path,
    ) -> Result<(), SearchError> {
        let path = cache_dir.join(EXPANSIONS_FILE);
        let json = serde_json::to_vec(&expansions).expect("expansions serialise");
        std::fs::write(&path, json).map_err(io_err(&path))?;
        self.expansions = expansions;
        Ok(())
    }

    /// The build's expansions.
    pub fn expansions(&self) -> &Expansions {
        &self.expansions
    }

    fn from_index(index: Index) -> Result<SearchIndex, SearchError> {
        register_analyzer(&index);
        let fields = fields(&index.schema())?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let si = SearchIndex {
            index,
            reader,
            fields,
            expansions: Expansions::default(),
        };
        if si.reader.searcher().segment_readers().len() > 1 {
            return Err(SearchError::Schema("more than one segment".to_string()));
        }
        Ok(si)
    }

    /// Number of documents.
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// The query of one (normalised) word: it occurs in the title, body or
    /// kana (a phrase of its 2-grams, a term for one character), scored by
    /// BM25 summed over the fields.
    fn word_query(&self, word: &str) -> Box<dyn Query> {
        let cover = analyzer::cover(word);
        let mut shoulds: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (fi, &field) in self.fields.text.iter().enumerate() {
            let q: Box<dyn Query> = if cover.len() == 1 {
                Box::new(TermQuery::new(
                    Term::from_field_text(field, &cover[0].1),
                    IndexRecordOption::WithFreqs,
                ))
            } else {
                Box::new(PhraseQuery::new_with_offset(
                    cover
                        .iter()
                        .map(|(o, t)| (*o as usize, Term::from_field_text(field, t)))
                        .collect(),
                ))
            };
            let q: Box<dyn Query> = if FIELD_BOOSTS[fi] != 1.0 {
                Box::new(BoostQuery::new(q, FIELD_BOOSTS[fi]))
            } else {
                q
            };
            shoulds.push((Occur::Should, q));
        }
        Box::new(BooleanQuery::new(shoulds))
    }

    /// A query word with its variants: any of them, scores summed in
    /// variant order (what `search.js` adds up).
    fn expanded_query(&self, word: &str) -> Box<dyn Query> {
        let variants = self.expansions.variants(word);
        match variants.as_slice() {
            [] => Box::new(EmptyQuery),
            [one] => self.word_query(one),
            many => Box::new(BooleanQuery::new(
                many.iter()
                    .map(|v| (Occur::Should, self.word_query(v)))
                    .collect(),
            )),
        }
    }

    /// The tantivy query for `q`, or `None` when `q` has no words.
    pub fn tantivy_query(&self, q: &str, opts: &QueryOptions) -> Option<Box<dyn Query>> {
        let words = analyzer::query_words(q);
        if words.is_empty() {
            return None;
        }
        let mut musts: Vec<(Occur, Box<dyn Query>)> = words
            .iter()
            .map(|w| (Occur::Must, self.expanded_query(w)))
            .collect();
        let filter = |field: Field, value: &str| -> (Occur, Box<dyn Query>) {
            (
                Occur::Must,
                Box::new(ConstScoreQuery::new(
                    Box::new(TermQuery::new(
                        Term::from_field_text(field, value),
                        IndexRecordOption::Basic,
                    )),
                    0.0,
                )),
            )
        };
        if let Some(kind) = opts.kind {
            musts.push(filter(self.fields.kind, kind.as_str()));
        }
        if let Some(region) = &opts.region {
            musts.push(filter(self.fields.region, region));
        }
        if musts.len() == 1 {
            return musts.pop().map(|(_, q)| q);
        }
        Some(Box::new(BooleanQuery::new(musts)))
    }

    /// Ranked results for `q` (at most `opts.limit`): every match is scored
    /// by BM25, then ordered by [`rank::order`] (explanations first for care,
    /// benefit and service words, the named municipality first).
    pub fn query(&self, q: &str, opts: &QueryOptions) -> Result<Vec<Hit>, SearchError> {
        let Some(query) = self.tantivy_query(q, opts) else {
            return Ok(Vec::new());
        };
        let searcher = self.reader.searcher();
        let all = usize::try_from(searcher.num_docs()).unwrap_or(usize::MAX);
        if opts.limit == 0 || all == 0 {
            return Ok(Vec::new());
        }
        let top = searcher.search(&*query, &TopDocs::with_limit(all).order_by_score())?;
        let mut scored: Vec<(u32, f32)> = top.into_iter().map(|(s, a)| (a.doc_id, s)).collect();
        let context = self.rank_context(q)?;
        rank::order(&mut scored, &context);
        scored.truncate(opts.limit);
        scored
            .into_iter()
            .map(|(doc, score)| self.hit(doc, score))
            .collect()
    }

    /// What ranks the hits of `q` besides BM25.
    pub fn rank_context(&self, q: &str) -> Result<rank::RankContext, SearchError> {
        let words = analyzer::query_words(q);
        let mut place_docs = std::collections::BTreeSet::new();
        for p in self.expansions.places_of(&words) {
            place_docs.extend(self.place_docs(p)?);
        }
        Ok(rank::RankContext {
            explain_docs: if self.expansions.is_topic(&words) {
                self.expansions.explain_docs
            } else {
                0
            },
            place_docs,
        })
    }

    /// The documents of the municipality with place index `p`, ascending.
    pub fn place_docs(&self, p: u32) -> Result<Vec<u32>, SearchError> {
        let Some(name) = self.expansions.places.get(p as usize) else {
            return Ok(Vec::new());
        };
        let q = TermQuery::new(
            Term::from_field_text(self.fields.municipality, name),
            IndexRecordOption::Basic,
        );
        let set = self.reader.searcher().search(&q, &DocSetCollector)?;
        let mut ids: Vec<u32> = set.into_iter().map(|a| a.doc_id).collect();
        ids.sort_unstable();
        Ok(ids)
    }

    fn hit(&self, doc: u32, score: f32) -> Result<Hit, SearchError> {
        let searcher = self.reader.searcher();
        let stored: TantivyDocument = searcher.doc(tantivy::DocAddress::new(0, doc))?;
        let text = |f: Field| {
            stored
                .get_first(f)
                .and_then(|v| v.as_str())
                .map(str::to_string)
        };
        Ok(Hit {
            title: text(self.fields.text[0]).unwrap_or_default(),
            url: text(self.fields.url).unwrap_or_default(),
            kind: text(self.fields.kind).unwrap_or_default().parse()?,
            municipality: text(self.fields.municipality),
            region: text(self.fields.region),
            field: text(self.fields.field),
            tel: text(self.fields.tel),
            score,
            doc,
        })
    }

    /// The region ids the indexed documents carry, sorted (what `--region`
    /// may name).
    pub fn regions(&self) -> Result<Vec<String>, SearchError> {
        let searcher = self.reader.searcher();
        let mut ids = std::collections::BTreeSet::new();
        for segment in searcher.segment_readers() {
            let index = segment.inverted_index(self.fields.region)?;
            let mut terms = index
                .terms()
                .stream()
                .map_err(tantivy::TantivyError::from)?;
            while terms.advance() {
                ids.insert(String::from_utf8_lossy(terms.key()).into_owned());
            }
        }
        Ok(ids.into_iter().collect())
    }

    /// Ids of all documents matching `q` (no limit), ascending.
    pub fn matching_docs(&self, q: &str, opts: &QueryOptions) -> Result<Vec<u32>, SearchError> {
        let Some(query) = self.tantivy_query(q, opts) else {
            return Ok(Vec::new());
        };
        let searcher = self.reader.searcher();
        let set = searcher.search(&*query, &DocSetCollector)?;
        let mut ids: Vec<u32> = set.into_iter().map(|a| a.doc_id).collect();
        ids.sort_unstable();
        Ok(ids)
    }

    /// Writes the static export of the indexed documents (as stored, with
    /// this index's expansions) into `out_dir`; see [`export`] for the
    /// format. The build exports its documents directly
    /// ([`export::export`]); this is for an index opened from its cache.
    pub fn export(&self, out_dir: &Path) -> Result<ExportStats, SearchError> {
        let docs = export::stored_docs(self)?;
        export::export_docs(&docs, &self.expansions, out_dir)
    }
}
