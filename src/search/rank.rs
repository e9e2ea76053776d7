//! The order of the hits, the same in tantivy (`SearchIndex::query`) and in
//! `search.js` (`order`): BM25 first, then two rules of the site.
//!
//! 1. **Explanations first.** When a query word is a care, benefit or service
//!    word ([`super::expand::Entry::topic`]), the score of an explanatory page
//!    (documents `0..explain_docs`, the content pages) is multiplied by
//!    [`EXPLAIN_BOOST`]: a family typing 胃ろう wants the page that explains
//!    it before a pharmacy that lists it.
//! 2. **The named municipality first.** When a query word names a
//!    municipality (茅ヶ崎 訪問看護, ちがさき 訪問看護), its documents come
//!    before all others, each part ordered by score.
//!
//! Ties are broken by ascending document id.

use std::collections::BTreeSet;

pub use super::expand::EXPLAIN_BOOST;

/// What ranks the hits of one query besides BM25.
#[derive(Debug, Clone, Default)]
pub struct RankContext {
    /// Documents below this id are boosted (0: no boost).
    pub explain_docs: u32,
    /// Documents of the municipalities the query names.
    pub place_docs: BTreeSet<u32>,
}

impl RankContext {
    /// No rule applies: plain BM25 order.
    pub fn none() -> RankContext {
        RankContext::default()
    }
}

/// Boosts and sorts `(doc, score)` pairs in place; the scores become the
/// boosted scores (what the result lists show).
pub fn order(hits: &mut [(u32, f32)], ctx: &RankContext) {
    for (doc, score) in hits.iter_mut() {
        if *doc < ctx.explain_docs {
            *score *= EXPLAIN_BOOST;
        }
    }
    let tier = |doc: u32| ctx.place_docs.contains(&doc);
    hits.sort_by(|a, b| {
        tier(b.0)
            .cmp(&tier(a.0))
            .then(b.1.total_cmp(&a.1))
            .then(a.0.cmp(&b.0))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explanations_are_boosted_and_the_named_place_comes_first() {
        let mut hits = vec![(0, 1.0), (5, 2.0), (7, 2.5), (9, 0.5)];
        let ctx = RankContext {
            explain_docs: 1,
            place_docs: [9].into_iter().collect(),
        };
        order(&mut hits, &ctx);
        assert_eq!(hits, vec![(9, 0.5), (0, 3.0), (7, 2.5), (5, 2.0)]);
        let mut plain = vec![(3, 1.0), (1, 1.0), (2, 4.0)];
        order(&mut plain, &RankContext::none());
        assert_eq!(plain, vec![(2, 4.0), (1, 1.0), (3, 1.0)]);
    }
}
