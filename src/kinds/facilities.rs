//! The facilities (施設・事業所): `data/facilities/<slug>.yaml`.
//!
//! One declaration per field, as in [`crate::kinds::contacts`]: the schemars
//! `title` is the CSV header, the diff label and the schema title. The rules,
//! the resolved view, the facility lists and the search documents live here.

use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::kinds::check::{Checker, file_stem, known};
use crate::kinds::common::{
    CareRef, FacilityTypeRef, IsoDate, MunicipalityRef, S, Slug, Tel, Url, pos,
};
use crate::kinds::common::{data_href, date_labels, nonempty};
use crate::kinds::vocab::{Ids, VocabKind, check_ref};
use crate::kinds::vocab::{RegionView, TermView};
use crate::routes::{ListKind, Route};
use crate::search::{DocKind, SearchDoc};
use crate::site::Site;
use crate::url_rule::Place;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One entry of `data/facilities/<slug>.yaml`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    inline,
    title = "施設",
    description = "施設・事業所",
    // 受入状況 and its date go together (`facility_facts::check` has the same rule).
    extend("dependentRequired" = {"intake": ["intake_checked"], "intake_checked": ["intake"]})
)]
pub struct Facility {
    #[schemars(
        with = "Slug",
        title = "ID",
        description = "施設 ID。すべてのファイルを通して一意で、ページの URL になります (例: yokohama-hoshi-clinic)。一覧ページの名前 (region, municipality, type, care) は使えません",
        // The list pages' segments are not ids (`check` has the same rule).
        extend("not" = {"enum": FACILITY_LIST_KINDS})
    )]
    pub id: S<String>,
    #[schemars(
        title = "名称",
        description = "施設名 (例: 星の子小児科)",
        length(min = 1),
        regex(pattern = r"\S")
    )]
    pub name: S<String>,
    /// Written only when not empty.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    #[schemars(title = "よみ", description = "ひらがな (並び順と検索に使います)")]
    pub kana: String,
    #[serde(rename = "type")]
    #[schemars(
        with = "FacilityTypeRef",
        title = "種別",
        description = "facility_types.yaml の id"
    )]
    pub kind: S<String>,
    #[schemars(
        with = "MunicipalityRef",
        title = "市町村",
        description = "ファイル名と同じ市町村スラッグ"
    )]
    pub municipality: S<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(
        with = "String",
        title = "住所",
        description = "例: 横浜市港北区〇〇町1-2-3"
    )]
    pub address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(
        with = "Tel",
        title = "電話",
        description = "電話番号。半角、ハイフン区切り"
    )]
    pub tel: Option<S<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Url", title = "URL", description = "施設のページ")]
    pub url: Option<S<String>>,
    /// Always written, in flow style (`care: []` when none).
    #[serde(default)]
    #[schemars(
        with = "Vec<CareRef>",
        title = "医療的ケア",
        description = "受け入れられる医療的ケア (care.yaml の id のリスト)",
        extend("uniqueItems" = true)
    )]
    pub care: Vec<S<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String", title = "対象年齢", description = "例: 0歳〜18歳")]
    pub ages: Option<String>,
    /// Written only when not empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(
        with = "Vec<String>",
        title = "訪問エリア",
        description = "訪問できる市町村・区 (市町村スラッグか市町村名、区は 横浜市港北区 か yokohama/kohoku)",
        extend("uniqueItems" = true)
    )]
    pub visits: Vec<S<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(
        with = "crate::kinds::facility_facts::Intake",
        title = "受入状況",
        description = "新しいお子さんの受け入れ: 受入可 (open)・要相談 (consult)・受入停止 (closed)。確認日 (intake_checked) と組で書きます"
    )]
    pub intake: Option<S<crate::kinds::facility_facts::Intake>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(
        with = "IsoDate",
        title = "受入状況の確認日",
        description = "受入状況を確かめた日。6か月より前だとページに「要確認」と出ます"
    )]
    pub intake_checked: Option<S<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String", title = "備考", description = "任意")]
    pub note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "IsoDate", title = "確認日", description = "内容を確認した日")]
    pub updated: Option<S<String>>,
}

impl Facility {
    /// The facility as plain values for comparing and writing back: no
    /// places, blank optional text as no text.
    pub fn normalized(&self) -> Facility {
        let text = |s: &Option<String>| s.clone().filter(|v| !v.trim().is_empty());
        let spanned = |s: &Option<S<String>>| {
            s.as_ref()
                .filter(|v| !v.value.trim().is_empty())
                .map(|v| S::new(v.value.clone()))
        };
        let plain = |s: &S<String>| S::new(s.value.clone());
        Facility {
            id: plain(&self.id),
            name: plain(&self.name),
            kana: self.kana.clone(),
            kind: plain(&self.kind),
            municipality: plain(&self.municipality),
            address: text(&self.address),
            tel: spanned(&self.tel),
            url: spanned(&self.url),
            care: self.care.iter().map(plain).collect(),
            ages: text(&self.ages),
            visits: self.visits.iter().map(plain).collect(),
            intake: self.intake.as_ref().map(|i| S::new(i.value.clone())),
            intake_checked: spanned(&self.intake_checked),
            note: text(&self.note),
            updated: spanned(&self.updated),
        }
    }
}

/// Path segments of the facility lists; a facility id may not take them.
pub const FACILITY_LIST_KINDS: [&str; 4] = [
    ListKind::ALL[0].as_str(),
    ListKind::ALL[1].as_str(),
    ListKind::ALL[2].as_str(),
    ListKind::ALL[3].as_str(),
];

// ---------------------------------------------------------------- rules

/// Every facilities file: named after a municipality, ids unique across files.
pub(crate) fn check(c: &mut Checker, facilities: &[(String, Vec<S<Facility>>)], ids: &Ids) {
    let mut seen: BTreeMap<&str, (&str, u32)> = BTreeMap::new();
    for (file, list) in facilities {
        let stem = file_stem(file);
        if !known(&ids.municipalities, stem) {
            let d = Diagnostic::error(
                file.as_str(),
                0,
                0,
                format!("ファイル名 `{stem}` は市町村スラッグではありません"),
            )
            .hint(did_you_mean(
                stem,
                ids.municipalities.iter().map(String::as_str),
            ));
            c.diags.push(d);
        }
        for f in list {
            check_facility(c, file, stem, &f.value, ids);
            let id = &f.value.id;
            if let Some((other_file, other_line)) = seen.insert(&id.value, (file, pos(id).0)) {
                let d = c.error_at(
                    file,
                    id,
                    format!("施設 ID `{}` が2回使われています", id.value),
                );
                d.hint = Some(format!(
                    "{other_file}:{other_line} と同じです。施設 ID はすべてのファイルを通して一意にしてください"
                ));
            }
        }
    }
}

fn check_facility(c: &mut Checker, file: &str, stem: &str, f: &Facility, ids: &Ids) {
    c.id_slug(file, &f.id, "施設 ID");
    if FACILITY_LIST_KINDS.contains(&f.id.value.as_str()) {
        let d = c.error_at(
            file,
            &f.id,
            format!(
                "施設 ID `{}` は一覧ページの URL と重なるため使えません",
                f.id.value
            ),
        );
        d.hint = Some(format!(
            "{stem}-{} のように市町村名などを付けてください",
            f.id.value
        ));
    }
    c.non_empty(file, &f.name, "施設名 (name)");
    if !known(&ids.types, &f.kind.value) {
        check_ref(c, file, &f.kind, VocabKind::Type, ids);
    }
    check_municipality(c, file, stem, f, ids);
    for care in &f.care {
        if !known(&ids.care, &care.value) {
            check_ref(c, file, care, VocabKind::Care, ids);
        }
    }
    if let Some(t) = &f.tel {
        c.tel(file, t);
    }
    if let Some(u) = &f.url {
        c.url(file, u, Place::DataUrl);
    }
    if let Some(u) = &f.updated {
        c.fresh_date(file, u, "更新日 (updated)");
    }
}

/// A known municipality, the one the file is named after.
fn check_municipality(c: &mut Checker, file: &str, stem: &str, f: &Facility, ids: &Ids) {
    if !known(&ids.municipalities, &f.municipality.value) {
        check_ref(c, file, &f.municipality, VocabKind::Municipality, ids);
    } else if f.municipality.value != stem {
        let d = c.error_at(
            file,
            &f.municipality,
            format!(
                "施設「{}」の市町村 `{}` が、このファイル ({stem}) と違います",
                f.name.value, f.municipality.value
            ),
        );
        d.hint = Some(format!(
            "data/facilities/{}.yaml に移してください",
            f.municipality.value
        ));
    }
}

// ---------------------------------------------------------------- view

#[derive(Debug, Clone, Serialize)]
pub struct FacilityView {
    pub id: String,
    pub name: String,
    pub kana: String,
    pub type_id: String,
    pub type_name: String,
    pub municipality: String,
    pub municipality_name: String,
    pub region_id: String,
    pub region_name: String,
    pub address: Option<String>,
    pub tel: Option<String>,
    pub tel_href: Option<String>,
    pub tel_aria: Option<String>,
    /// The URL as the editors wrote it (shown on the page and in the PDF).
    pub url: Option<String>,
    /// The same URL as the URL rule writes it (percent-encoded), for `href`.
    pub url_href: Option<String>,
    pub care: Vec<TermView>,
    pub ages: Option<String>,
    pub note: Option<String>,
    pub updated_iso: Option<String>,
    pub updated_label: Option<String>,
    /// 訪問エリア and 受入状況 (written only when the facility has them).
    #[serde(flatten)]
    pub facts: crate::kinds::facility_facts::FactsView,
}

/// What resolving the facilities needs from the vocabularies.
pub struct Context<'a> {
    pub region_of: &'a BTreeMap<&'a str, &'a RegionView>,
    /// Municipality names by slug.
    pub names: &'a BTreeMap<&'a str, &'a str>,
    pub type_by_id: &'a BTreeMap<&'a str, &'a TermView>,
    pub care_by_id: &'a BTreeMap<&'a str, &'a TermView>,
    /// Municipality and ward names by area id (訪問エリア).
    pub areas: &'a BTreeMap<String, String>,
    /// "Now" for 受入状況 ([`crate::kinds::facility_facts::reference_date`]).
    pub today: Option<crate::date::Date>,
}

/// Every facility of every file, sorted by kana (then name, then id).
pub fn resolve(facilities: &[(String, Vec<S<Facility>>)], cx: &Context) -> Vec<FacilityView> {
    use rayon::prelude::*;
    // On all cores (`serve` resolves on every save); `collect` keeps the order.
    let mut out: Vec<FacilityView> = facilities
        .par_iter()
        .flat_map_iter(|(_, l)| l.iter().map(|f| view(&f.value, cx)))
        .collect();
    out.sort_by(|a, b| (&a.kana, &a.name, &a.id).cmp(&(&b.kana, &b.name, &b.id)));
    out
}

fn view(f: &Facility, cx: &Context) -> FacilityView {
    let muni = f.municipality.value.as_str();
    let region = cx.region_of.get(muni);
    let (updated_iso, updated_label) = date_labels(f.updated.as_ref().map(|u| u.value.as_str()));
    FacilityView {
        id: f.id.value.clone(),
        name: f.name.value.clone(),
        kana: f.kana.clone(),
        type_id: f.kind.value.clone(),
        type_name: cx
            .type_by_id
            .get(f.kind.value.as_str())
            .map_or_else(|| f.kind.value.clone(), |t| t.name.clone()),
        municipality: muni.to_string(),
        municipality_name: cx.names.get(muni).copied().unwrap_or(muni).to_string(),
        region_id: region.map_or_else(String::new, |r| r.id.clone()),
        region_name: region.map_or_else(String::new, |r| r.name.clone()),
        address: nonempty(&f.address),
        tel: f.tel.as_ref().map(|t| t.value.clone()),
        tel_href: f.tel.as_ref().map(|t| crate::tel::href(&t.value)),
        tel_aria: f
            .tel
            .as_ref()
            .map(|t| format!("{}に電話する {}", f.name.value, t.value)),
        url: f.url.as_ref().map(|u| u.value.clone()),
        url_href: data_href(&f.url),
        care: f
            .care
            .iter()
            .filter_map(|c| cx.care_by_id.get(c.value.as_str()).map(|t| (*t).clone()))
            .collect(),
        ages: nonempty(&f.ages),
        note: nonempty(&f.note),
        updated_iso,
        updated_label,
        facts: crate::kinds::facility_facts::view(f, cx.areas, cx.today),
    }
}

/// One static list of facilities (`/facilities/<kind>/<id>/`).
#[derive(Debug, Clone, Serialize)]
pub struct FacilityList<'a> {
    /// `region`, `municipality`, `type` or `care`.
    pub kind: &'static str,
    /// Japanese name of the kind: 地域 / 市町村 / 種別 / 医療的ケア.
    pub kind_label: &'static str,
    pub id: String,
    pub label: String,
    pub url_path: String,
    pub facilities: Vec<&'a FacilityView>,
    #[serde(skip)]
    pub list_kind: ListKind,
}

impl FacilityList<'_> {
    /// The list's page in the route table.
    pub fn route(&self) -> Route<'_> {
        Route::FacilityList(self.list_kind, &self.id)
    }
}

/// Every facility list page: per region, municipality, type and care kind,
/// in vocabulary order, each sorted by kana (as `site.facilities` is).
pub fn facility_lists<'s>(site: &'s Site) -> Vec<FacilityList<'s>> {
    let mut out: Vec<FacilityList<'s>> = Vec::new();
    // List indices by (kind, id): one pass over the facilities fills
    // every list (a nationwide directory has thousands of lists).
    let mut index: BTreeMap<(&str, &str), Vec<usize>> = BTreeMap::new();
    let mut push = |kind: ListKind, id: &'s str, label: &str| {
        index
            .entry((kind.as_str(), id))
            .or_default()
            .push(out.len());
        out.push(FacilityList {
            kind: kind.as_str(),
            kind_label: kind.label_ja(),
            id: id.to_string(),
            label: label.to_string(),
            url_path: Route::FacilityList(kind, id).path(),
            facilities: Vec::new(),
            list_kind: kind,
        });
    };
    for r in &site.regions {
        push(ListKind::Region, &r.id, &r.name);
    }
    for m in &site.municipalities {
        push(ListKind::Municipality, &m.slug, &m.name);
    }
    for t in &site.facility_types {
        push(ListKind::Type, &t.id, &t.name);
    }
    for c in &site.care {
        push(ListKind::Care, &c.id, &c.name);
    }
    for f in &site.facilities {
        let keys = [
            ("region", f.region_id.as_str()),
            ("municipality", f.municipality.as_str()),
            ("type", f.type_id.as_str()),
        ]
        .into_iter()
        .chain(f.care.iter().map(|c| ("care", c.id.as_str())));
        for key in keys {
            for &i in index.get(&key).into_iter().flatten() {
                let list = &mut out[i].facilities;
                // Once per list, even when a care id is repeated.
                if !list.last().is_some_and(|l| std::ptr::eq(*l, f)) {
                    list.push(f);
                }
            }
        }
    }
    out
}

// ---------------------------------------------------------------- search

/// One document per facility.
pub fn search_docs(site: &Site, docs: &mut Vec<SearchDoc>) {
    for f in &site.facilities {
        let care: Vec<&str> = f.care.iter().map(|c| c.name.as_str()).collect();
        let kana = site
            .municipality(&f.municipality)
            .map_or_else(String::new, |m| m.kana.clone());
        docs.push(SearchDoc {
            kind: DocKind::Facility,
            title: f.name.clone(),
            body: crate::derived::join_some([
                Some(f.type_name.as_str()),
                Some(f.municipality_name.as_str()),
                f.address.as_deref(),
                Some(care.join("、").as_str()),
                f.ages.as_deref(),
                f.note.as_deref(),
            ]),
            url: Route::Facility(&f.id).path(),
            kana: format!("{} {}", f.kana, kana).trim().to_string(),
            municipality: Some(f.municipality_name.clone()),
            region: Some(f.region_id.clone()),
            field: Some(f.type_name.clone()),
            tel: f.tel.clone(),
            tel_href: f.tel_href.clone(),
            field_id: None,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facility_columns_come_from_the_declaration() {
        let header: Vec<String> = crate::kinds::common::columns::<Facility>()
            .into_iter()
            .map(|c| c.label)
            .collect();
        assert_eq!(
            header.join(","),
            "ID,名称,よみ,種別,市町村,住所,電話,URL,医療的ケア,対象年齢,訪問エリア,受入状況,受入状況の確認日,備考,確認日"
        );
    }

    #[test]
    fn normalized_facilities_compare_by_value() {
        let a: Facility = serde_saphyr::from_str(
            "id: a\nname: b\ntype: c\nmunicipality: d\nnote: ''\ncare: [x]\n",
        )
        .expect("facility");
        let b: Facility =
            serde_saphyr::from_str("\nid: a\nname: b\ntype: c\nmunicipality: d\ncare: [x]\n")
                .expect("facility");
        assert_ne!(a, b);
        assert_eq!(a.normalized(), b.normalized());
    }
}
