//! もしかして: when a query finds nothing, the words of the vocabulary that
//! are nearest to what was typed (edit distance over normalised characters).
//! `search.js` (`suggest`) does the same on the exported `r.json`.

use super::analyzer::normalize;
use super::expand::Expansions;

/// At most this many suggestions.
pub const MAX_SUGGESTIONS: usize = 3;

/// The candidates: every known word that finds something, with what is
/// shown for it (the group's headword or the municipality's name), in a
/// fixed order (the order of `r.json`).
pub fn candidates(x: &Expansions) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (key, e) in &x.entries {
        if e.variants.is_empty() {
            continue;
        }
        let shown = match (e.group, e.place) {
            (Some(g), _) => x.groups.get(g as usize).map(|g| g.headword.clone()),
            (None, Some(p)) => x.places.get(p as usize).cloned(),
            (None, None) => None,
        };
        if let Some(shown) = shown {
            out.push((key.clone(), shown));
        }
    }
    out
}

/// Largest edit distance accepted for a word of `len` characters.
fn max_distance(len: usize) -> usize {
    match len {
        0..=4 => 1,
        5..=8 => 2,
        _ => 3,
    }
}

/// Levenshtein distance over characters.
pub fn distance(a: &[char], b: &[char]) -> usize {
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Queries to try instead of `query` (which found nothing): each replaces
/// one word by a near known word's headword. Ranked by distance, then
/// length difference, then candidate order; one per headword.
pub fn suggestions(cands: &[(String, String)], query: &str) -> Vec<String> {
    // The words as typed: a suggestion keeps the other words as they were.
    let words: Vec<String> = query
        .split(super::analyzer::is_break)
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    let mut scored: Vec<(usize, usize, usize, String)> = Vec::new();
    for (wi, raw) in words.iter().enumerate() {
        let w = &normalize(raw);
        let wc: Vec<char> = w.chars().collect();
        let limit = max_distance(wc.len());
        for (ci, (key, shown)) in cands.iter().enumerate() {
            let kc: Vec<char> = key.chars().collect();
            if kc.len().abs_diff(wc.len()) > limit || normalize(shown) == *w {
                continue;
            }
            let d = distance(&wc, &kc);
            if d == 0 || d > limit {
                continue;
            }
            let mut q = words.clone();
            q[wi] = shown.clone();
            scored.push((d, kc.len().abs_diff(wc.len()), ci, q.join(" ")));
        }
    }
    scored.sort();
    let mut out: Vec<String> = Vec::new();
    for (_, _, _, q) in scored {
        if !out.contains(&q) {
            out.push(q);
        }
        if out.len() == MAX_SUGGESTIONS {
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_words_are_suggested_by_distance() {
        let cands = vec![
            ("たんきにゅうしょ".to_string(), "短期入所".to_string()),
            ("ほうもんかんご".to_string(), "訪問看護".to_string()),
        ];
        assert_eq!(suggestions(&cands, "たんきにゅうじょ"), vec!["短期入所"]);
        assert_eq!(
            suggestions(&cands, "ほうもんかんこ 茅ヶ崎"),
            vec!["訪問看護 茅ヶ崎"]
        );
        assert!(suggestions(&cands, "宇宙飛行士").is_empty());
        let abc: Vec<char> = "kitten".chars().collect();
        let xyz: Vec<char> = "sitting".chars().collect();
        assert_eq!(distance(&abc, &xyz), 3);
    }
}
