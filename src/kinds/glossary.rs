//! The glossary (用語集): `data/glossary.yaml`, the words a family meets on the
//! pages (NPPV, 受給者証, レスパイト …), each with its reading, a plain
//! explanation and the pages it belongs to. The build writes `/glossary/`
//! (grouped by 行: あ か さ …, each entry with an anchor `#term-<id>`), links
//! the first use of each term on every content page to its entry
//! ([`crate::markdown::GlossaryLinks`]) and puts each entry in the search.
//! The file is optional: a site without it has no glossary page and no links.

use crate::kinds::check::Checker;
use crate::kinds::common::{S, Slug, pos};
use crate::model::RawSite;
use crate::routes::Route;
use crate::search::{DocKind, SearchDoc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The file of this kind, under `data/`.
pub const FILE: &str = "glossary.yaml";

/// One entry of `data/glossary.yaml`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    inline,
    title = "用語",
    description = "用語集の1語: 用語、よみ、やさしい説明、関係するページ"
)]
pub struct Term {
    #[schemars(
        with = "Slug",
        title = "ID",
        description = "用語 ID。ページ内リンク /glossary/#term-<ID> になります (例: nppv)"
    )]
    pub id: S<String>,
    #[schemars(
        title = "用語",
        description = "ページの本文に出てくる形で (例: NPPV, 受給者証)。2文字以上",
        length(min = 2),
        regex(pattern = r"\S")
    )]
    pub term: S<String>,
    #[schemars(
        title = "よみ",
        description = "ひらがな (並び順と「あかさたな」の見出しに使います)。例: えぬぴーぴーぶい",
        regex(pattern = "^[ぁ-ゖー・ ]+$")
    )]
    pub reading: S<String>,
    #[schemars(
        title = "説明",
        description = "やさしいことばで、短い文で (家族が読んでわかるように)",
        length(min = 1),
        regex(pattern = r"\S")
    )]
    pub plain: S<String>,
    /// Other spellings matched like the term (非侵襲的陽圧換気 for NPPV).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(
        title = "別の書き方",
        description = "本文でこの書き方も用語集へのリンクにします (例: [非侵襲的陽圧換気])"
    )]
    pub aliases: Vec<S<String>>,
    /// Pages of this site about the term (checked like the links of the pages).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(
        title = "関係するページ",
        description = "/services/home-medical/ のようなサイト内のパス。存在しないページはエラー"
    )]
    pub related: Vec<S<String>>,
}

/// The entries of the site's glossary (none without the file).
pub fn terms(raw: &RawSite) -> &[S<Term>] {
    raw.glossary.as_ref().map_or(&[], |(_, t)| t.as_slice())
}

/// The rules: unique ids; a term or alias used by one entry only (a word
/// cannot link to two entries); readings in hiragana; an explanation. The
/// related pages are checked with the links ([`crate::links`]).
pub fn check(c: &mut Checker, raw: &RawSite) {
    let Some((file, list)) = &raw.glossary else {
        return;
    };
    c.unique_ids(file, list.iter().map(|t| &t.value.id), "用語 ID");
    let mut words: BTreeMap<String, u32> = BTreeMap::new();
    for t in list.iter().map(|t| &t.value) {
        for word in std::iter::once(&t.term).chain(&t.aliases) {
            check_word(c, file, word, &mut words);
        }
        let reading = t.reading.value.trim();
        if reading.is_empty() || !reading.chars().all(is_reading_char) {
            let d = c.error_at(
                file,
                &t.reading,
                format!("よみ `{}` はひらがなで書いてください", t.reading.value),
            );
            d.expected = Some("ひらがなと ー (例: えぬぴーぴーぶい)".into());
        }
        if t.plain.value.trim().is_empty() {
            let d = c.error_at(
                file,
                &t.plain,
                format!("用語 `{}` の説明 (plain) が空です", t.term.value),
            );
            d.hint = Some("家族が読んでわかる短い文で書いてください".into());
        }
    }
}

/// A term or alias: at least 2 characters, and not already another entry's word.
fn check_word(c: &mut Checker, file: &str, word: &S<String>, seen: &mut BTreeMap<String, u32>) {
    let w = word.value.trim();
    if w.chars().count() < 2 {
        let d = c.error_at(
            file,
            word,
            format!("用語 `{}` が短すぎます (2文字以上)", word.value),
        );
        d.hint =
            Some("1文字の語は本文のあちこちに当たってしまうため、用語集に入れられません".into());
        return;
    }
    if let Some(first) = seen.get(w) {
        let first = *first;
        let d = c.error_at(file, word, format!("用語 `{w}` が2回書かれています"));
        d.hint = Some(format!(
            "{first}行目と同じです。1つの語は1つの項目にだけ書いてください"
        ));
    } else {
        seen.insert(w.to_string(), pos(word).0);
    }
}

/// Hiragana, ー, 中黒 and spaces: what a reading may hold.
fn is_reading_char(ch: char) -> bool {
    matches!(ch, 'ぁ'..='ゖ' | 'ー' | '・' | ' ')
}

/// The 行 of a reading (あ か さ た な は ま や ら わ), by its first kana.
pub fn row_of(reading: &str) -> &'static str {
    const ROWS: [(char, &str); 10] = [
        ('か', "あ"),
        ('さ', "か"),
        ('た', "さ"),
        ('な', "た"),
        ('は', "な"),
        ('ま', "は"),
        ('や', "ま"),
        ('ら', "や"),
        ('わ', "ら"),
        ('\u{3097}', "わ"),
    ];
    let first = reading.trim().chars().next().unwrap_or('あ');
    ROWS.iter()
        .find(|(end, _)| first < *end)
        .map_or("わ", |(_, row)| row)
}

/// One entry as the glossary page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct TermView {
    pub id: String,
    /// `term-<id>`: the entry's anchor on /glossary/.
    pub anchor: String,
    pub term: String,
    pub reading: String,
    pub plain: String,
    pub aliases: Vec<String>,
    /// (href, title) of each related page, the title read from the page.
    pub related: Vec<RelatedView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RelatedView {
    pub href: String,
    pub title: String,
}

/// One 行 of the glossary page (あ行 …) and its entries, in reading order.
#[derive(Debug, Clone, Serialize)]
pub struct RowView {
    pub row: &'static str,
    pub terms: Vec<TermView>,
}

/// The anchor of an entry on /glossary/.
pub fn anchor(id: &str) -> String {
    format!("term-{id}")
}

/// The entries grouped by 行 in あいうえお order of their readings; a related
/// page is shown by its title (`title_of`, else its path).
pub fn resolve(
    raw: &RawSite,
    base_path: &str,
    title_of: impl Fn(&str) -> Option<String>,
) -> Vec<RowView> {
    let mut list: Vec<&Term> = terms(raw).iter().map(|t| &t.value).collect();
    list.sort_by(|a, b| {
        (a.reading.value.as_str(), a.id.value.as_str())
            .cmp(&(b.reading.value.as_str(), b.id.value.as_str()))
    });
    let mut rows: Vec<RowView> = Vec::new();
    for t in list {
        let view = TermView {
            id: t.id.value.clone(),
            anchor: anchor(&t.id.value),
            term: t.term.value.trim().to_string(),
            reading: t.reading.value.trim().to_string(),
            plain: t.plain.value.trim().to_string(),
            aliases: t
                .aliases
                .iter()
                .map(|a| a.value.trim().to_string())
                .collect(),
            related: t
                .related
                .iter()
                .map(|r| RelatedView {
                    href: Route::Page(&r.value).href(base_path),
                    title: title_of(&r.value).unwrap_or_else(|| r.value.clone()),
                })
                .collect(),
        };
        let row = row_of(&view.reading);
        match rows.last_mut() {
            Some(last) if last.row == row => last.terms.push(view),
            _ => rows.push(RowView {
                row,
                terms: vec![view],
            }),
        }
    }
    rows
}

/// One search document per entry, linking to its anchor.
pub fn search_docs(rows: &[RowView], docs: &mut Vec<SearchDoc>) {
    let page = Route::Glossary.href("/");
    for t in rows.iter().flat_map(|r| &r.terms) {
        let mut body = t.plain.clone();
        if !t.aliases.is_empty() {
            body = format!("{} ({})", body, t.aliases.join("、"));
        }
        docs.push(SearchDoc {
            kind: DocKind::Page,
            title: format!("用語集 — {}", t.term),
            body,
            url: format!("{page}#{}", t.anchor),
            kana: t.reading.clone(),
            municipality: None,
            region: None,
            field: None,
            field_id: None,
            tel: None,
            tel_href: None,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_by_first_kana() {
        assert_eq!(row_of("えぬぴーぴーぶい"), "あ");
        assert_eq!(row_of("がっこう"), "か");
        assert_eq!(row_of("じゅきゅうしゃしょう"), "さ");
        assert_eq!(row_of("どうにょう"), "た");
        assert_eq!(row_of("のう"), "な");
        assert_eq!(row_of("ぽんぷ"), "は");
        assert_eq!(row_of("もの"), "ま");
        assert_eq!(row_of("よう"), "や");
        assert_eq!(row_of("れすぱいと"), "ら");
        assert_eq!(row_of("わ"), "わ");
        assert_eq!(row_of("ん"), "わ");
    }
}
