//! `ohisama search --explain`: which variant of each query word was searched,
//! how many documents each finds, why a word of the group was left out, and
//! which variant matched in which field of each hit (for the team to tune
//! data/synonyms.yaml).

use tantivy::collector::Count;
use tantivy::schema::Value;
use tantivy::{DocAddress, TantivyDocument};

use super::analyzer::{normalize, query_words};
use super::{Hit, QueryOptions, SearchError, SearchIndex, TEXT_FIELDS};

/// One searched or left-out word of a query word's group.
#[derive(Debug, Clone, serde::Serialize)]
pub struct VariantUse {
    pub word: String,
    /// Documents containing it (whole index, no filter).
    pub docs: usize,
    /// Searched; else why not.
    pub searched: bool,
    pub why_not: Option<&'static str>,
}

/// What one query word stood for.
#[derive(Debug, Clone, serde::Serialize)]
pub struct WordExplanation {
    pub word: String,
    pub variants: Vec<VariantUse>,
    /// `data/synonyms.yaml:12` or `care.yaml のよみ`; none for a word the
    /// vocabulary does not know.
    pub source: Option<String>,
    pub topic: bool,
    pub place: Option<String>,
}

/// A hit and the variants (with the field) that made it match.
#[derive(Debug, Clone, serde::Serialize)]
pub struct HitExplanation {
    pub hit: Hit,
    /// `胃ろう (本文)` per query word, in query order.
    pub matched: Vec<String>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Explanation {
    pub words: Vec<WordExplanation>,
    pub hits: Vec<HitExplanation>,
}

const FIELD_LABELS: [&str; 3] = ["見出し", "本文", "よみ"];

impl SearchIndex {
    /// The explanation of `q`: see the module documentation.
    pub fn explain(&self, q: &str, opts: &QueryOptions) -> Result<Explanation, SearchError> {
        let words = query_words(q);
        let explained: Vec<WordExplanation> = words.iter().map(|w| self.explain_word(w)).collect();
        let mut hits = Vec::new();
        for hit in self.query(q, opts)? {
            let matched = self.matched_variants(hit.doc, &words)?;
            hits.push(HitExplanation { hit, matched });
        }
        Ok(Explanation {
            words: explained,
            hits,
        })
    }

    fn count(&self, word: &str) -> usize {
        self.reader
            .searcher()
            .search(&*self.word_query(word), &Count)
            .unwrap_or(0)
    }

    fn explain_word(&self, word: &str) -> WordExplanation {
        let x = &self.expansions;
        let entry = x.entry(word);
        let searched = x.variants(word);
        let mut variants: Vec<VariantUse> = searched
            .iter()
            .map(|v| VariantUse {
                word: v.clone(),
                docs: self.count(v),
                searched: true,
                why_not: None,
            })
            .collect();
        let group = entry
            .and_then(|e| e.group)
            .and_then(|g| x.groups.get(g as usize));
        let mut candidates: Vec<String> = vec![word.to_string()];
        if let Some(g) = group {
            candidates.extend(g.all.iter().map(|w| normalize(w)));
        }
        for c in candidates {
            if searched.contains(&c) || variants.iter().any(|v| v.word == c) {
                continue;
            }
            let docs = self.count(&c);
            let why_not = if docs == 0 {
                "どの文書にもない"
            } else if searched.iter().any(|s| c.contains(s.as_str())) {
                "短い言い方に含まれる (その結果に入っている)"
            } else {
                "入力だけの言い方 (typed)"
            };
            variants.push(VariantUse {
                word: c,
                docs,
                searched: false,
                why_not: Some(why_not),
            });
        }
        WordExplanation {
            word: word.to_string(),
            variants,
            source: group.map(|g| g.source.clone()),
            topic: entry.is_some_and(|e| e.topic),
            place: entry
                .and_then(|e| e.place)
                .and_then(|p| x.places.get(p as usize).cloned()),
        }
    }

    /// For each query word, the variants found in the document's fields.
    fn matched_variants(&self, doc: u32, words: &[String]) -> Result<Vec<String>, SearchError> {
        let stored: TantivyDocument = self.reader.searcher().doc(DocAddress::new(0, doc))?;
        let texts: Vec<String> = self
            .fields
            .text
            .iter()
            .map(|&f| normalize(stored.get_first(f).and_then(|v| v.as_str()).unwrap_or("")))
            .collect();
        debug_assert_eq!(texts.len(), TEXT_FIELDS.len());
        Ok(words
            .iter()
            .map(|w| {
                let mut found: Vec<String> = Vec::new();
                for v in self.expansions.variants(w) {
                    let fields: Vec<&str> = texts
                        .iter()
                        .zip(FIELD_LABELS)
                        .filter(|(t, _)| t.contains(v.as_str()))
                        .map(|(_, l)| l)
                        .collect();
                    if !fields.is_empty() {
                        found.push(format!("{v} ({})", fields.join("・")));
                    }
                }
                found.join(" / ")
            })
            .collect())
    }
}
