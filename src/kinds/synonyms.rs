//! `data/synonyms.yaml`: groups of words that mean the same thing on this
//! site (胃ろう / 胃瘻, 訪問看護 / 訪看, 短期入所 / ショートステイ). The search
//! finds the documents of every word of a group when one of them is typed
//! (see `search::expand`). The file is optional: without it the search
//! expands only the readings of the vocabularies.

use crate::kinds::check::Checker;
use crate::kinds::common::S;
use crate::search::analyzer::{is_break, normalize};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The most words (言葉 + 入力だけ) one group may hold: a longer group is
/// almost always two meanings in one, and every word costs the browser a lookup.
pub const MAX_GROUP_WORDS: usize = 12;

/// What a group is about. Care, benefit and service words rank the
/// explanatory pages first (`search::rank`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, JsonSchema)]
pub enum Category {
    /// 医療的ケア (胃ろう, 人工呼吸器)
    #[serde(rename = "ケア")]
    Care,
    /// 手当・助成・手帳 (特別児童扶養手当)
    #[serde(rename = "制度")]
    Benefit,
    /// 福祉・医療のサービス (短期入所, 訪問看護)
    #[serde(rename = "サービス")]
    Service,
    /// 書き方の違いだけ (子ども / 子供)
    #[serde(rename = "表記")]
    Spelling,
    /// 地名 (茅ヶ崎 / 茅が崎)
    #[serde(rename = "地名")]
    Place,
    #[default]
    #[serde(rename = "その他")]
    Other,
}

impl Category {
    /// Whether a word of this category asks for explanations first.
    pub fn is_topic(self) -> bool {
        matches!(self, Category::Care | Category::Benefit | Category::Service)
    }

    pub fn label(self) -> &'static str {
        match self {
            Category::Care => "ケア",
            Category::Benefit => "制度",
            Category::Service => "サービス",
            Category::Spelling => "表記",
            Category::Place => "地名",
            Category::Other => "その他",
        }
    }

    /// Every category, in the order the docs list them.
    pub const ALL: [Category; 6] = [
        Category::Care,
        Category::Benefit,
        Category::Service,
        Category::Spelling,
        Category::Place,
        Category::Other,
    ];

    /// The category of a CSV cell or label; `None` for unknown text.
    pub fn from_label(s: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.label() == s.trim())
    }
}

/// One entry of `data/synonyms.yaml`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    inline,
    title = "言い換えのグループ",
    description = "同じ意味の言葉のまとまり。どれか1つで検索すると、全部の言葉で探します"
)]
pub struct SynonymGroup {
    #[schemars(
        title = "言葉",
        description = "ページに書かれうる言い方 (最初が見出し語)。どれで検索しても全部で探します",
        length(min = 1)
    )]
    pub words: Vec<S<String>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(
        title = "入力だけ",
        description = "入力されたら言葉で探すが、それ自体は探さない言い方 (よみ、短い略語: いろう, HOT)"
    )]
    pub typed: Vec<S<String>>,
    /// Read as text and checked by `check`, so an unknown word is reported
    /// at its line with the valid ones (serde would only say "bad YAML").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(
        with = "Option<Category>",
        title = "分類",
        description = "ケア / 制度 / サービス は説明ページを先に並べます"
    )]
    pub category: Option<S<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(title = "メモ", description = "任意")]
    pub note: Option<String>,
}

impl SynonymGroup {
    /// Its category (その他 when absent or unknown: `check` reports unknown ones).
    pub fn category(&self) -> Category {
        self.category
            .as_ref()
            .and_then(|c| Category::from_label(&c.value))
            .unwrap_or_default()
    }
}

/// A group as the search uses it.
#[derive(Debug, Clone, Serialize)]
pub struct SynonymView {
    pub words: Vec<String>,
    pub typed: Vec<String>,
    pub category: Category,
    /// `data/synonyms.yaml:12`, for `ohisama search --explain`.
    pub source: String,
}

pub fn views(src: &Option<(String, Vec<S<SynonymGroup>>)>) -> Vec<SynonymView> {
    let Some((file, list)) = src else {
        return Vec::new();
    };
    list.iter()
        .map(|g| SynonymView {
            words: g
                .value
                .words
                .iter()
                .map(|w| w.value.trim().to_string())
                .collect(),
            typed: g
                .value
                .typed
                .iter()
                .map(|w| w.value.trim().to_string())
                .collect(),
            category: g.value.category(),
            source: format!("{file}:{}", crate::kinds::common::pos(g).0),
        })
        .collect()
}

/// A word that, searched as a substring, would find unrelated text: kana or
/// Latin letters only and at most 2 characters (たん finds かんたん, PD finds PDF).
fn too_short_to_search(normalized: &str) -> bool {
    let kana_or_latin =
        |c: char| ('ぁ'..='ゖ').contains(&c) || c == 'ー' || c.is_ascii_alphanumeric();
    normalized.chars().count() <= 2 && normalized.chars().all(kana_or_latin)
}

/// The rules of synonyms.yaml: every word is a word (no blank, no white
/// space), at most once in the whole file, a group has two words or more
/// and at most [`MAX_GROUP_WORDS`], and no word of `words` is so short that
/// it would find unrelated text.
pub fn check(c: &mut Checker, src: &Option<(String, Vec<S<SynonymGroup>>)>) {
    let Some((file, list)) = src else {
        return;
    };
    // normalised word → line of the group that has it
    let mut seen: BTreeMap<String, u32> = BTreeMap::new();
    for group in list {
        check_group(c, file, group, &mut seen);
    }
}

fn check_group(
    c: &mut Checker,
    file: &str,
    group: &S<SynonymGroup>,
    seen: &mut BTreeMap<String, u32>,
) {
    let line = crate::kinds::common::pos(group).0;
    let g = &group.value;
    let all: Vec<(&S<String>, bool)> = g
        .words
        .iter()
        .map(|w| (w, true))
        .chain(g.typed.iter().map(|w| (w, false)))
        .collect();
    if let Some(cat) = &g.category
        && Category::from_label(&cat.value).is_none()
    {
        let d = c.error_at(file, cat, format!("分類「{}」はありません", cat.value));
        d.expected = Some(
            Category::ALL
                .iter()
                .map(|c| c.label())
                .collect::<Vec<_>>()
                .join(" / "),
        );
        d.hint = Some("分類がわからないときは書かないでください (その他 になります)".into());
    }
    let mut mine: Vec<String> = Vec::new();
    for (w, searched) in &all {
        let Some(n) = check_word(c, file, w, *searched) else {
            continue;
        };
        if mine.contains(&n) {
            c.error_at(
                file,
                *w,
                format!("「{}」がこのグループに2回あります", w.value),
            )
            .hint = Some("1つを消してください".into());
            continue;
        }
        if let Some(other) = seen.get(&n) {
            let d = c.error_at(
                file,
                *w,
                format!("「{}」は {other} 行目のグループにもあります", w.value),
            );
            d.hint = Some(
                "1つの言葉は1つのグループにだけ書きます。同じ意味なら2つのグループを1つにまとめてください"
                    .into(),
            );
            continue;
        }
        mine.push(n);
    }
    for n in &mine {
        seen.insert(n.clone(), line);
    }
    if all.len() < 2 {
        c.error_at(file, group, "言い換えのグループに言葉が1つしかありません")
            .hint = Some("同じ意味の言い方を2つ以上書くか、グループを消してください".into());
    }
    if all.len() > MAX_GROUP_WORDS {
        c.error_at(
            file,
            group,
            format!(
                "言い換えのグループの言葉が多すぎます ({} 個、最大 {MAX_GROUP_WORDS} 個)",
                all.len()
            ),
        )
        .hint = Some("意味の違う言葉が混ざっていないか確かめ、グループを分けてください".into());
    }
}

/// One word's own rules; its normalised form when it is usable.
fn check_word(c: &mut Checker, file: &str, w: &S<String>, searched: bool) -> Option<String> {
    let text = w.value.trim();
    if text.is_empty() {
        c.error_at(file, w, "言葉が空です").hint =
            Some("言葉を書くか、その行を消してください".into());
        return None;
    }
    if text.chars().any(is_break) {
        let d = c.error_at(file, w, format!("「{text}」に空白があります"));
        d.hint = Some("検索語は空白で区切られるので、空白のない1語で書いてください".into());
        return None;
    }
    let n = normalize(text);
    if searched && too_short_to_search(&n) {
        let d = c.error_at(
            file,
            w,
            format!("「{text}」は短すぎて、別の言葉の一部にも一致します (例: たん → かんたん)"),
        );
        d.hint = Some("typed: (入力だけ) に移してください".into());
    }
    Some(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_kana_and_latin_words_are_too_short_but_kanji_are_not() {
        assert!(too_short_to_search("たん"));
        assert!(too_short_to_search("pd"));
        assert!(!too_short_to_search("痰"));
        assert!(!too_short_to_search("訪看"));
        assert!(!too_short_to_search("いろう"));
    }

    #[test]
    fn categories_read_their_japanese_labels() {
        assert_eq!(Category::from_label(" サービス"), Some(Category::Service));
        assert_eq!(Category::from_label("service"), None);
        assert!(Category::Care.is_topic() && !Category::Place.is_topic());
    }
}
