//! The wards (区) of the designated cities (政令市): listed under their city in
//! `data/municipalities.yaml` (`wards:`), so membership has one place, as the
//! regions do. A ward's windows are the city's windows with `ward: <slug>` in
//! the city's contacts file ([`crate::kinds::contacts::Window::ward`]); the
//! city page lists every ward with an anchor (`#ward-<slug>`) and its windows.
//!
//! Ward slugs are unique within their city only (横浜市 and 相模原市 both have
//! 緑区 `midori`; 川崎市川崎区 is `kawasaki`), so a ward is always named
//! together with its city.

use crate::kinds::check::Checker;
use crate::kinds::common::{S, Slug, pos};
use crate::kinds::vocab::{check_kana, municipality_code_ok};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One ward of a designated city.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(inline, title = "区", description = "政令市の区")]
pub struct Ward {
    #[schemars(
        title = "区コード",
        description = "全国地方公共団体コード6桁 (検査数字を含む)。引用符で囲みます (例: \"141097\")",
        regex(pattern = "^[0-9]{6}$")
    )]
    pub code: S<String>,
    #[schemars(
        title = "区名",
        description = "例: 港北区",
        length(min = 1),
        regex(pattern = r"\S")
    )]
    pub name: S<String>,
    #[schemars(
        title = "よみ",
        description = "ひらがな (検索で「こうほく」→港北区に使います)",
        regex(pattern = "^[ぁ-ゖー]+$")
    )]
    pub kana: S<String>,
    #[schemars(
        with = "Slug",
        title = "区スラッグ",
        description = "市の中で一意な ID。窓口の ward: とページの #ward-<スラッグ> に使います (例: kohoku)"
    )]
    pub slug: S<String>,
}

/// The wards of one city: code (check digit, unique across the whole file,
/// cities included), slug and name unique within the city, kana.
pub(crate) fn check(
    c: &mut Checker,
    file: &str,
    wards: &[S<Ward>],
    codes: &mut BTreeMap<String, u32>,
) {
    c.unique_ids(file, wards.iter().map(|w| &w.value.slug), "区スラッグ");
    let mut names: BTreeMap<&str, u32> = BTreeMap::new();
    for w in wards.iter().map(|w| &w.value) {
        c.non_empty(file, &w.name, "区名");
        if !municipality_code_ok(&w.code.value) {
            let d = c.error_at(
                file,
                &w.code,
                format!("区コード `{}` が正しくありません", w.code.value),
            );
            d.expected = Some("全国地方公共団体コード6桁(検査数字を含む、例: \"141097\")".into());
            d.hint = Some("総務省の一覧で確認し、引用符で囲んで書いてください".into());
        }
        if let Some(first) = codes.get(&w.code.value) {
            let d = c.error_at(
                file,
                &w.code,
                format!("コード `{}` が2回使われています", w.code.value),
            );
            d.hint = Some(format!("{first}行目と同じです"));
        } else {
            codes.insert(w.code.value.clone(), pos(&w.code).0);
        }
        if let Some(first) = names.get(w.name.value.as_str()) {
            let d = c.error_at(
                file,
                &w.name,
                format!("区名 `{}` が2回定義されています", w.name.value),
            );
            d.hint = Some(format!("{first}行目と同じです"));
        } else {
            names.insert(&w.name.value, pos(&w.name).0);
        }
        check_kana(c, file, &w.kana);
    }
}

/// A ward as the city page, the PDF and the search show it.
#[derive(Debug, Clone, Serialize)]
pub struct WardView {
    pub slug: String,
    pub name: String,
    pub kana: String,
    /// Anchor on the city page: `ward-kohoku`.
    pub anchor: String,
    pub windows: Vec<crate::kinds::contacts::WindowView>,
}

/// A ward of the city with no window of its own: a warning (its families
/// would find nothing under its name on the city page).
pub(crate) fn warn_wards_without_windows(
    c: &mut Checker,
    file: &str,
    cf: &crate::kinds::contacts::ContactFile,
    wards: &[S<Ward>],
) {
    for w in wards.iter().map(|w| &w.value) {
        let has = cf.windows.iter().any(|x| {
            x.value
                .ward
                .as_ref()
                .is_some_and(|s| s.value == w.slug.value)
        });
        if !has {
            let d = c.warn_at(
                file,
                &cf.municipality,
                format!("区「{}」の窓口がありません", w.name.value),
            );
            d.hint = Some(format!(
                "その区の窓口 (福祉保健センターなど) を書き、ward: {} を付けてください",
                w.slug.value
            ));
        }
    }
}

/// Every ward of a city with its windows (each window with the ward it is
/// of, as the city's windows were resolved).
pub fn views(
    wards: &[S<Ward>],
    windows: &[(Option<&str>, crate::kinds::contacts::WindowView)],
) -> Vec<WardView> {
    wards
        .iter()
        .map(|w| &w.value)
        .map(|w| WardView {
            slug: w.slug.value.clone(),
            name: w.name.value.clone(),
            kana: w.kana.value.clone(),
            anchor: format!("ward-{}", w.slug.value),
            windows: windows
                .iter()
                .filter(|(ward, _)| *ward == Some(w.slug.value.as_str()))
                .map(|(_, v)| v.clone())
                .collect(),
        })
        .collect()
}

/// A window's `ward:` may name the ward (港北区) as well as its slug: the
/// name of one ward of the file's city becomes its slug here, at load time,
/// as [`crate::kinds::vocab::ids_for_names`] does for the vocabularies.
pub fn ward_names_to_slugs(raw: &mut crate::model::RawSite) {
    let slug_of: BTreeMap<(String, String), String> = raw
        .municipalities
        .iter()
        .flat_map(|(_, list)| list)
        .flat_map(|m| {
            let city = m.value.slug.value.clone();
            m.value.wards.iter().map(move |w| {
                let key = (city.clone(), w.value.name.value.clone());
                (key, w.value.slug.value.clone())
            })
        })
        .collect();
    for (_, cf) in &mut raw.contacts {
        let city = cf.municipality.value.clone();
        for w in &mut cf.windows {
            if let Some(ward) = &mut w.0.value.ward
                && let Some(slug) = slug_of.get(&(city.clone(), ward.value.clone()))
            {
                ward.0.value = slug.clone();
            }
        }
    }
}
