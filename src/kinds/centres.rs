//! The support centres (地域の支援センター): `data/centres.yaml`, the
//! prefecture's 医療的ケア児支援センター and its regional windows, each
//! serving regions and/or municipalities. A centre has no page of its own: it
//! is shown where a family already is (near the top of every municipality page
//! it serves, on the region pages, on /contacts/), in the directory PDFs and in
//! the search.
//!
//! One declaration per field, as in [`crate::kinds::contacts`]: the schemars
//! `title` is the CSV header (`ohisama export/import centres`), the diff label
//! and the schema title. The file is optional: a site without it (the
//! generated benchmark site, `ohisama new`) has no centre rule at all.

use crate::diagnostic::did_you_mean;
use crate::kinds::check::{Checker, known};
use crate::kinds::common::{IsoDate, MunicipalityRef, RegionRef, S, Slug, Tel, Url, pos};
use crate::kinds::common::{data_href, date_labels, nonempty};
use crate::kinds::contacts::TelKind;
use crate::kinds::vocab::{Ids, RegionView, VocabKind, check_ref};
use crate::model::RawSite;
use crate::routes::Route;
use crate::search::{DocKind, SearchDoc};
use crate::url_rule::Place;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The file of this kind, under `data/`.
pub const FILE: &str = "centres.yaml";

/// One entry of `data/centres.yaml`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    inline,
    title = "支援センター",
    description = "医療的ケア児支援センターとその地域の相談窓口。regions か municipalities (または両方) に担当する地域・市町村を書きます",
    extend("anyOf" = [{"required": ["regions"]}, {"required": ["municipalities"]}])
)]
pub struct Centre {
    #[schemars(
        with = "Slug",
        title = "ID",
        description = "支援センター ID。ファイルの中で一意 (例: shonan-east-madoguchi)"
    )]
    pub id: S<String>,
    #[schemars(
        title = "名称",
        description = "例: かながわ医療的ケア児支援センター 湘南東部地域相談窓口",
        length(min = 1),
        regex(pattern = r"\S")
    )]
    pub name: S<String>,
    #[schemars(
        title = "よみ",
        description = "ひらがな (検索に使います)",
        regex(pattern = "^[ぁ-ゖー]+$")
    )]
    pub kana: S<String>,
    /// Written only when not empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(
        with = "Vec<RegionRef>",
        title = "担当地域",
        description = "担当する地域 (regions.yaml の id のリスト)。その地域のすべての市町村のページに載ります",
        extend("uniqueItems" = true)
    )]
    pub regions: Vec<S<String>>,
    /// Written only when not empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(
        with = "Vec<MunicipalityRef>",
        title = "担当市町村",
        description = "担当する市町村 (市町村スラッグか市町村名のリスト)",
        extend("uniqueItems" = true)
    )]
    pub municipalities: Vec<S<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(
        with = "String",
        title = "内容",
        description = "受ける相談の内容 (例: 医療的ケア児とご家族の相談、支援者からの相談)"
    )]
    pub detail: Option<String>,
    #[schemars(
        with = "Tel",
        title = "電話",
        description = "電話番号。半角、ハイフン区切り (例: 0467-00-0000)"
    )]
    pub tel: S<String>,
    #[schemars(
        with = "TelKind",
        title = "直通/代表",
        description = "直通 (direct) = 相談窓口につながる / 代表 (main) = 交換手に窓口名を伝える"
    )]
    pub tel_kind: S<TelKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String", title = "備考", description = "任意")]
    pub note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Url", title = "URL", description = "支援センターのページ")]
    pub url: Option<S<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(
        with = "IsoDate",
        title = "確認日",
        description = "内容を確認した日。版の日付より1年以上古いと警告"
    )]
    pub updated: Option<S<String>>,
}

impl Centre {
    /// The centre as plain values for comparing and writing back: no places,
    /// blank optional text as no text.
    pub fn normalized(&self) -> Centre {
        let text = |s: &Option<String>| s.clone().filter(|v| !v.trim().is_empty());
        let spanned = |s: &Option<S<String>>| {
            s.as_ref()
                .filter(|v| !v.value.trim().is_empty())
                .map(|v| S::new(v.value.clone()))
        };
        let plain = |s: &S<String>| S::new(s.value.clone());
        Centre {
            id: plain(&self.id),
            name: plain(&self.name),
            kana: plain(&self.kana),
            regions: self.regions.iter().map(plain).collect(),
            municipalities: self.municipalities.iter().map(plain).collect(),
            detail: text(&self.detail),
            tel: plain(&self.tel),
            tel_kind: S::new(self.tel_kind.value.clone()),
            note: text(&self.note),
            url: spanned(&self.url),
            updated: spanned(&self.updated),
        }
    }
}

// ---------------------------------------------------------------- rules

/// centres.yaml's own rules (unique ids and names, known regions and
/// municipalities, tel, URL, date), then: every municipality served by a
/// centre, and no municipal window that copies a centre. Nothing runs when
/// the site has no centres.yaml.
pub(crate) fn check(c: &mut Checker, raw: &RawSite, ids: &Ids) {
    let Some((file, centres)) = &raw.centres else {
        return;
    };
    c.unique_ids(file, centres.iter().map(|x| &x.value.id), "支援センター ID");
    unique_names(c, file, centres);
    for centre in centres {
        check_centre(c, file, centre, ids);
    }
    every_municipality_served(c, raw, centres);
    no_window_copies_a_centre(c, raw, centres);
}

/// A name twice is a centre defined twice under two ids (pages would show it twice).
fn unique_names(c: &mut Checker, file: &str, centres: &[S<Centre>]) {
    let mut first_line: BTreeMap<&str, u32> = BTreeMap::new();
    for centre in centres.iter().map(|x| &x.value) {
        let name = centre.name.value.trim();
        if let Some(line) = first_line.get(name) {
            let d = c.error_at(
                file,
                &centre.name,
                format!("支援センター「{name}」が2回定義されています"),
            );
            d.hint = Some(format!(
                "{line}行目と同じ名前です。担当する地域・市町村を1つの項目にまとめてください"
            ));
        } else {
            first_line.insert(name, pos(&centre.name).0);
        }
    }
}

fn check_centre(c: &mut Checker, file: &str, at: &S<Centre>, ids: &Ids) {
    let centre = &at.value;
    c.non_empty(file, &centre.name, "名称 (name)");
    crate::kinds::vocab::check_kana(c, file, &centre.kana);
    if centre.regions.is_empty() && centre.municipalities.is_empty() {
        let d = c.error_at(
            file,
            &centre.id,
            format!(
                "支援センター「{}」に担当する地域・市町村がありません",
                centre.name.value
            ),
        );
        d.hint = Some("regions: に地域 ID か、municipalities: に市町村を書いてください".into());
    }
    for r in &centre.regions {
        if !known(&ids.regions, &r.value) {
            c.unknown_ref(file, r, "地域", "regions.yaml", &ids.regions);
        }
    }
    for m in &centre.municipalities {
        if !known(&ids.municipalities, &m.value) {
            check_ref(c, file, m, VocabKind::Municipality, ids);
        }
    }
    c.tel(file, &centre.tel);
    if let TelKind::Unknown(bad) = &centre.tel_kind.value {
        let d = c.error_at(
            file,
            &centre.tel_kind,
            format!("tel_kind `{bad}` は使えません"),
        );
        d.expected = Some("直通 (direct) または 代表 (main)".into());
        d.hint = Some(did_you_mean(bad, TelKind::ACCEPTED));
    }
    if let Some(u) = &centre.url {
        c.url(file, u, Place::DataUrl);
    }
    if let Some(updated) = &centre.updated {
        c.fresh_date(file, updated, "確認日 (updated)");
    }
}

/// With centres.yaml, every municipality has a centre to call: one error per
/// municipality without one, at its line in municipalities.yaml.
fn every_municipality_served(c: &mut Checker, raw: &RawSite, centres: &[S<Centre>]) {
    let Some((mfile, list)) = &raw.municipalities else {
        return;
    };
    let members = region_members(raw);
    let served: BTreeSet<&str> = centres
        .iter()
        .flat_map(|x| served_slugs(&x.value, &members))
        .collect();
    let region_of: BTreeMap<&str, &str> = members
        .iter()
        .flat_map(|(r, ms)| ms.iter().map(move |m| (*m, *r)))
        .collect();
    for m in list.iter().map(|m| &m.value) {
        let slug = m.slug.value.as_str();
        if served.contains(slug) {
            continue;
        }
        let d = c.error_at(
            mfile,
            &m.slug,
            format!(
                "{} (`{slug}`) を担当する支援センターが {FILE} にありません",
                m.name.value
            ),
        );
        d.hint = Some(match region_of.get(slug) {
            Some(region) => format!(
                "{FILE} のどれかの支援センターの municipalities: に {slug} を、または regions: に {region} を加えてください"
            ),
            None => format!(
                "{FILE} のどれかの支援センターの municipalities: に {slug} を加えてください"
            ),
        });
    }
}

/// A municipal window named like a centre is a leftover copy (it would show
/// twice on the page, and its number would not be kept up to date with the
/// centre's): a warning at the window.
fn no_window_copies_a_centre(c: &mut Checker, raw: &RawSite, centres: &[S<Centre>]) {
    let names: BTreeSet<&str> = centres.iter().map(|x| x.value.name.value.trim()).collect();
    for (file, cf) in &raw.contacts {
        for w in &cf.windows {
            let name = w.value.name.value.trim();
            if names.contains(name) {
                let d = c.warn_at(
                    file,
                    &w.value.name,
                    format!("窓口「{name}」は {FILE} の支援センターと同じです"),
                );
                d.hint = Some(format!(
                    "支援センターは {FILE} に書くと担当するすべての市町村のページに載ります。この窓口は消してください"
                ));
            }
        }
    }
}

/// Each region id with its member slugs (regions.yaml, file order).
fn region_members(raw: &RawSite) -> BTreeMap<&str, Vec<&str>> {
    raw.regions
        .iter()
        .flat_map(|(_, list)| list)
        .map(|r| {
            let members = r.value.municipalities.iter().map(|m| m.value.as_str());
            (r.value.id.value.as_str(), members.collect())
        })
        .collect()
}

/// The municipalities a centre serves: its own list and its regions' members.
fn served_slugs<'a>(
    centre: &'a Centre,
    members: &BTreeMap<&str, Vec<&'a str>>,
) -> BTreeSet<&'a str> {
    let by_region = centre
        .regions
        .iter()
        .filter_map(|r| members.get(r.value.as_str()))
        .flatten()
        .copied();
    centre
        .municipalities
        .iter()
        .map(|m| m.value.as_str())
        .chain(by_region)
        .collect()
}

// ---------------------------------------------------------------- view

/// A centre as the pages, the PDFs and the search show it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CentreView {
    pub id: String,
    /// Anchor id on /contacts/ and the region pages (`centre-<id>`).
    pub anchor: String,
    pub name: String,
    pub kana: String,
    pub detail: Option<String>,
    pub tel: String,
    /// "tel:+81467003366"
    pub tel_href: String,
    /// 直通 | 代表
    pub tel_kind_label: String,
    /// Accessible name of the tel: link: 「… 湘南東部地域相談窓口に電話する 0467-00-3366」.
    pub tel_aria: String,
    pub note: Option<String>,
    pub url: Option<String>,
    pub url_href: Option<String>,
    /// Who may use it: 「湘南東部地域(藤沢市・茅ヶ崎市・寒川町)」.
    pub serves_label: String,
    /// The same in parts, for the page (names kept whole); empty: every municipality.
    pub serves_groups: Vec<ServesGroup>,
    /// Every municipality served (slugs, in municipalities.yaml order).
    pub municipalities: Vec<String>,
    pub updated_iso: Option<String>,
    pub updated_label: Option<String>,
}

/// Every centre of centres.yaml (file order); none without the file.
pub fn resolve(
    raw: &RawSite,
    regions: &[RegionView],
    names: &BTreeMap<&str, &str>,
    order: &[&str],
) -> Vec<CentreView> {
    let Some((_, centres)) = &raw.centres else {
        return Vec::new();
    };
    let members: BTreeMap<&str, Vec<&str>> = regions
        .iter()
        .map(|r| {
            (
                r.id.as_str(),
                r.municipalities.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    centres
        .iter()
        .map(|x| view(&x.value, regions, names, &members, order))
        .collect()
}

fn view(
    centre: &Centre,
    regions: &[RegionView],
    names: &BTreeMap<&str, &str>,
    members: &BTreeMap<&str, Vec<&str>>,
    order: &[&str],
) -> CentreView {
    let served = served_slugs(centre, members);
    let groups = serves_groups(centre, regions, names);
    let (updated_iso, updated_label) =
        date_labels(centre.updated.as_ref().map(|u| u.value.as_str()));
    CentreView {
        id: centre.id.value.clone(),
        anchor: format!("centre-{}", centre.id.value),
        name: centre.name.value.clone(),
        kana: centre.kana.value.clone(),
        detail: nonempty(&centre.detail),
        tel: centre.tel.value.clone(),
        tel_href: crate::tel::href(&centre.tel.value),
        tel_kind_label: centre.tel_kind.value.label().to_string(),
        tel_aria: format!("{}に電話する {}", centre.name.value, centre.tel.value),
        note: nonempty(&centre.note),
        url: centre.url.as_ref().map(|u| u.value.clone()),
        url_href: data_href(&centre.url),
        serves_label: serves_label(&groups),
        serves_groups: groups,
        municipalities: order
            .iter()
            .filter(|m| served.contains(**m))
            .map(|m| m.to_string())
            .collect(),
        updated_iso,
        updated_label,
    }
}

/// One part of who may use a centre: a region with its members' names, or a
/// municipality named on its own (`region: None`). The page keeps each name
/// whole (`span.nobr`), so it is given as parts, not as one string.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ServesGroup {
    pub region: Option<String>,
    pub names: Vec<String>,
}

/// Each region with its members' names, then the municipalities named on
/// their own; none when the centre serves every region (「すべての市町村」).
fn serves_groups(
    centre: &Centre,
    regions: &[RegionView],
    names: &BTreeMap<&str, &str>,
) -> Vec<ServesGroup> {
    let name_of = |slug: &str| names.get(slug).copied().unwrap_or(slug).to_string();
    let wanted: BTreeSet<&str> = centre.regions.iter().map(|r| r.value.as_str()).collect();
    let all_regions = !regions.is_empty() && regions.iter().all(|r| wanted.contains(r.id.as_str()));
    if all_regions && centre.municipalities.is_empty() {
        return Vec::new();
    }
    let by_region = regions
        .iter()
        .filter(|r| wanted.contains(r.id.as_str()))
        .map(|r| ServesGroup {
            region: Some(format!("{}地域", r.name)),
            names: r.municipalities.iter().map(|m| name_of(m)).collect(),
        });
    let own = centre.municipalities.iter().map(|m| ServesGroup {
        region: None,
        names: vec![name_of(&m.value)],
    });
    by_region.chain(own).collect()
}

/// 「湘南東部地域(藤沢市・茅ヶ崎市・寒川町)」: the groups as one line of text.
fn serves_label(groups: &[ServesGroup]) -> String {
    if groups.is_empty() {
        return "すべての市町村".to_string();
    }
    groups
        .iter()
        .map(|g| match &g.region {
            Some(region) => format!("{region}({})", g.names.join("・")),
            None => g.names.join("・"),
        })
        .collect::<Vec<_>>()
        .join("・")
}

/// The centres a municipality's families may call, the most local first
/// (fewest municipalities served; file order among equals).
pub fn serving<'a>(centres: &'a [CentreView], municipality: &str) -> Vec<&'a CentreView> {
    let mut found: Vec<&CentreView> = centres
        .iter()
        .filter(|c| c.municipalities.iter().any(|m| m == municipality))
        .collect();
    found.sort_by_key(|c| c.municipalities.len());
    found
}

/// The centres of a region's municipalities, each once, the most local first.
pub fn of_region<'a>(centres: &'a [CentreView], region: &RegionView) -> Vec<&'a CentreView> {
    let mut found: Vec<&CentreView> = centres
        .iter()
        .filter(|c| {
            c.municipalities
                .iter()
                .any(|m| region.municipalities.contains(m))
        })
        .collect();
    found.sort_by_key(|c| c.municipalities.len());
    found
}

// ---------------------------------------------------------------- search

/// One window document per centre, found by its name, its reading and the
/// names of the municipalities it serves; it leads to its place on /contacts/.
pub fn search_docs(centres: &[CentreView], regions: &[RegionView], docs: &mut Vec<SearchDoc>) {
    for c in centres {
        let one_region = regions
            .iter()
            .filter(|r| {
                c.municipalities
                    .iter()
                    .any(|m| r.municipalities.contains(m))
            })
            .map(|r| r.id.clone())
            .collect::<Vec<_>>();
        docs.push(SearchDoc {
            kind: DocKind::Window,
            title: c.name.clone(),
            body: crate::derived::join_some([
                Some("支援センター"),
                Some(c.serves_label.as_str()),
                c.detail.as_deref(),
                c.note.as_deref(),
                Some(c.tel.as_str()),
            ]),
            url: format!("{}#{}", Route::ContactsIndex.path(), c.anchor),
            kana: c.kana.clone(),
            municipality: None,
            region: (one_region.len() == 1).then(|| one_region[0].clone()),
            field: Some("支援センター".to_string()),
            // Not a field of fields.yaml: no field colour, but a call button.
            field_id: None,
            tel: Some(c.tel.clone()),
            tel_href: Some(c.tel_href.clone()),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn centre_columns_come_from_the_declaration() {
        let header: Vec<String> = crate::kinds::common::columns::<Centre>()
            .into_iter()
            .map(|c| c.label)
            .collect();
        assert_eq!(
            header.join(","),
            "ID,名称,よみ,担当地域,担当市町村,内容,電話,直通/代表,備考,URL,確認日"
        );
    }

    fn view_named(id: &str, served: &[&str]) -> CentreView {
        CentreView {
            id: id.into(),
            anchor: format!("centre-{id}"),
            name: id.into(),
            kana: String::new(),
            detail: None,
            tel: "0467-00-0000".into(),
            tel_href: "tel:+81467000000".into(),
            tel_kind_label: "直通".into(),
            tel_aria: String::new(),
            note: None,
            url: None,
            url_href: None,
            serves_label: String::new(),
            serves_groups: Vec::new(),
            municipalities: served.iter().map(|s| s.to_string()).collect(),
            updated_iso: None,
            updated_label: None,
        }
    }

    #[test]
    fn the_most_local_centre_comes_first() {
        let all = [
            view_named("pref", &["a", "b", "c", "d"]),
            view_named("east", &["a", "b"]),
            view_named("west", &["c", "d"]),
        ];
        let ids = |v: Vec<&CentreView>| v.iter().map(|c| c.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(serving(&all, "a")), ["east", "pref"]);
        assert_eq!(ids(serving(&all, "d")), ["west", "pref"]);
        assert!(serving(&all, "z").is_empty());
    }
}
