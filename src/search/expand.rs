//! Query expansion: a query word finds the documents of its variants too
//! (胃瘻 → 胃ろう, 訪看 → 訪問看護, ちがさき → the documents of 茅ヶ崎市 first).
//!
//! The build turns the site's [`Vocabulary`] (data/synonyms.yaml, the
//! readings of the vocabularies and the municipality names) into
//! [`Expansions`]: for every word the team declared, the list of words that
//! are searched in its place. Both engines read the same list (tantivy from
//! `expansions.json` in the cache, `search.js` from the `s/` shards of the
//! export), so they expand identically by construction.
//!
//! **Exactness contract.** Every hit contains, for each query word, the word
//! itself or one of its declared variants as a substring of its title, body
//! or kana. Variants of a word are the `words` of its group (and the word
//! itself unless it is a `typed` word: readings and short abbreviations are
//! recognised when typed but never searched, たん would find かんたん).
//! A variant that occurs in no document is dropped (it adds no hit), and so is
//! a variant that contains another kept variant (its hits are a subset).

use std::collections::BTreeMap;

use super::analyzer::normalize;

/// Multiplier of an explanatory page's score when a query word is a care,
/// benefit or service word (`search.js` reads it from `meta.json`). 3 puts the
/// explanation above the short facility entries that merely name the care
/// (胃ろう: the page is first at 3; at 2 a pharmacy still was).
pub const EXPLAIN_BOOST: f32 = 3.0;

/// One group of words that mean the same, as the build gives it.
#[derive(Debug, Clone, Default)]
pub struct Group {
    /// Searched in the texts; the first is the headword (shown by もしかして).
    pub words: Vec<String>,
    /// Recognised when typed, never added as a variant of another word.
    pub typed: Vec<String>,
    /// A care, benefit or service word: explanations rank first.
    pub topic: bool,
    /// Where the group comes from (`data/synonyms.yaml:12`, `care.yaml のよみ`).
    pub source: String,
}

/// A municipality: its display name (as the documents carry it) and the
/// forms a family may type (茅ヶ崎市, 茅ヶ崎, ちがさきし, ちがさき).
#[derive(Debug, Clone, Default)]
pub struct Place {
    pub name: String,
    pub forms: Vec<String>,
}

/// What the build knows about words: groups and places, and how many of the
/// first documents are explanatory pages.
#[derive(Debug, Clone, Default)]
pub struct Vocabulary {
    pub groups: Vec<Group>,
    pub places: Vec<Place>,
    /// Documents `0..explain_docs` are explanatory (content) pages.
    pub explain_docs: u32,
}

/// What a typed (normalised) word expands to.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Entry {
    /// The words searched in its place, as the vocabulary writes them (the
    /// engines search them normalised), in order. Empty: the word is known
    /// and finds nothing.
    #[serde(rename = "v")]
    pub variants: Vec<String>,
    /// A care, benefit or service word.
    #[serde(rename = "t", default, skip_serializing_if = "is_false")]
    pub topic: bool,
    /// The municipality the word names (index into [`Expansions::places`]).
    #[serde(rename = "p", default, skip_serializing_if = "Option::is_none")]
    pub place: Option<u32>,
    /// The group it belongs to (index into [`Expansions::groups`]).
    #[serde(rename = "g", default, skip_serializing_if = "Option::is_none")]
    pub group: Option<u32>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// A group as `--explain` and もしかして show it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct GroupInfo {
    pub headword: String,
    pub source: String,
    /// Every word and typed word as written (for suggestions).
    pub all: Vec<String>,
}

/// The expansions of a build: what both engines read.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Expansions {
    pub entries: BTreeMap<String, Entry>,
    /// Municipality display names, by place index.
    pub places: Vec<String>,
    pub groups: Vec<GroupInfo>,
    pub explain_docs: u32,
}

impl Expansions {
    /// The expansions of `vocab`; `present(word)` says whether a normalised
    /// word occurs in some document.
    pub fn build(vocab: &Vocabulary, present: impl Fn(&str) -> bool) -> Expansions {
        let mut out = Expansions {
            explain_docs: vocab.explain_docs,
            ..Expansions::default()
        };
        let mut presence: BTreeMap<String, bool> = BTreeMap::new();
        let mut is_present = |w: &str| *presence.entry(w.to_string()).or_insert_with(|| present(w));
        for (gi, g) in vocab.groups.iter().enumerate() {
            out.groups.push(GroupInfo {
                headword: g.words.first().cloned().unwrap_or_default(),
                source: g.source.clone(),
                all: g.words.iter().chain(&g.typed).cloned().collect(),
            });
            for written in g.words.iter().chain(&g.typed) {
                let key = normalize(written.trim());
                if key.is_empty() || out.entries.contains_key(&key) {
                    continue; // the first group that has a word keeps it
                }
                // A typed word (a reading, a short abbreviation) is not
                // searched itself: たん would find かんたん.
                let is_typed = !g.words.iter().any(|w| normalize(w.trim()) == key);
                let own = (!is_typed).then_some(written);
                let candidates = unique_written(own.into_iter().chain(&g.words));
                let kept: Vec<String> = candidates
                    .into_iter()
                    .filter(|v| is_present(&normalize(v)))
                    .collect();
                out.entries.insert(
                    key,
                    Entry {
                        variants: without_contained(kept),
                        topic: g.topic,
                        place: None,
                        group: Some(gi as u32),
                    },
                );
            }
        }
        out.add_places(&vocab.places, &mut is_present);
        out
    }

    /// Marks the forms of each municipality (and the words that expand to
    /// one) as naming it.
    fn add_places(&mut self, places: &[Place], is_present: &mut impl FnMut(&str) -> bool) {
        // normalised form → (place, the form as written)
        let mut form_place: BTreeMap<String, (u32, String)> = BTreeMap::new();
        for (pi, p) in places.iter().enumerate() {
            self.places.push(p.name.clone());
            for f in &p.forms {
                form_place
                    .entry(normalize(f))
                    .or_insert((pi as u32, f.clone()));
            }
        }
        for e in self.entries.values_mut() {
            e.place = e
                .variants
                .iter()
                .find_map(|v| form_place.get(&normalize(v)).map(|(p, _)| *p));
        }
        for (form, (pi, written)) in form_place {
            if let Some(e) = self.entries.get_mut(&form) {
                e.place.get_or_insert(pi);
                continue;
            }
            let variants = if is_present(&form) {
                vec![written]
            } else {
                Vec::new()
            };
            self.entries.insert(
                form,
                Entry {
                    variants,
                    topic: false,
                    place: Some(pi),
                    group: None,
                },
            );
        }
    }

    /// The entry of a normalised query word, if the vocabulary knows it.
    pub fn entry(&self, word: &str) -> Option<&Entry> {
        self.entries.get(word)
    }

    /// The words searched for a normalised query word: its entry's variants,
    /// else the word itself.
    pub fn variants(&self, word: &str) -> Vec<String> {
        match self.entries.get(word) {
            Some(e) => e.variants.iter().map(|v| normalize(v)).collect(),
            None => vec![word.to_string()],
        }
    }

    /// Whether any of the (normalised) words asks for explanations first.
    pub fn is_topic(&self, words: &[String]) -> bool {
        words
            .iter()
            .any(|w| self.entries.get(w).is_some_and(|e| e.topic))
    }

    /// The places the (normalised) words name, in query order.
    pub fn places_of(&self, words: &[String]) -> Vec<u32> {
        let mut out = Vec::new();
        for w in words {
            if let Some(p) = self.entries.get(w).and_then(|e| e.place)
                && !out.contains(&p)
            {
                out.push(p);
            }
        }
        out
    }
}

/// Written words, order kept, those equal after normalising dropped.
fn unique_written<'a>(items: impl IntoIterator<Item = &'a String>) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for i in items {
        let n = normalize(i);
        if !n.is_empty() && !seen.contains(&n) {
            seen.push(n);
            out.push(i.trim().to_string());
        }
    }
    out
}

/// Drops every word that contains another word of the list (compared
/// normalised): its documents are already found by the shorter one.
fn without_contained(words: Vec<String>) -> Vec<String> {
    let norm: Vec<String> = words.iter().map(|w| normalize(w)).collect();
    words
        .into_iter()
        .enumerate()
        .filter(|(i, _)| {
            !norm
                .iter()
                .enumerate()
                .any(|(j, u)| j != *i && u != &norm[*i] && norm[*i].contains(u.as_str()))
        })
        .map(|(_, w)| w)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocab() -> Vocabulary {
        Vocabulary {
            groups: vec![
                Group {
                    words: vec!["胃ろう".into(), "胃瘻".into(), "PEG".into()],
                    typed: vec!["いろう".into()],
                    topic: true,
                    source: "t:1".into(),
                },
                Group {
                    words: vec!["茅ヶ崎".into(), "茅が崎".into()],
                    typed: vec![],
                    topic: false,
                    source: "t:5".into(),
                },
            ],
            places: vec![Place {
                name: "茅ヶ崎市".into(),
                forms: vec!["茅ヶ崎市".into(), "茅ヶ崎".into(), "ちがさき".into()],
            }],
            explain_docs: 3,
        }
    }

    #[test]
    fn a_word_expands_to_the_present_words_of_its_group() {
        let present = |w: &str| ["胃ろう", "胃瘻", "茅け崎", "茅け崎市", "ちがさき"].contains(&w);
        let x = Expansions::build(&vocab(), present);
        assert_eq!(x.variants("胃瘻"), vec!["胃瘻", "胃ろう"]);
        // typed: recognised, not searched itself
        assert_eq!(x.variants("いろう"), vec!["胃ろう", "胃瘻"]);
        assert_eq!(x.variants("peg"), vec!["胃ろう", "胃瘻"]);
        assert!(x.entry("胃ろう").unwrap().topic);
        // unknown words stand for themselves
        assert_eq!(x.variants("停電"), vec!["停電"]);
        // 茅が崎 (absent) → 茅ヶ崎, which names the municipality
        assert_eq!(x.variants("茅が崎"), vec!["茅け崎"]);
        assert_eq!(x.entry("茅が崎").unwrap().variants, vec!["茅ヶ崎"]);
        assert_eq!(x.entry("茅が崎").unwrap().place, Some(0));
        assert_eq!(x.entry("ちがさき").unwrap().place, Some(0));
        // 茅ヶ崎市 contains 茅ヶ崎: only the shorter one is searched
        assert_eq!(
            without_contained(vec!["茅ヶ崎市".into(), "茅ケ崎".into()]),
            vec!["茅ケ崎"]
        );
    }
}
