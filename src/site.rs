//! The checked site: the raw data resolved (ids → names, colors, regions),
//! with every derived label computed once (和暦, tel: links, accessible names).
//! Templates, the PDF directory and the search index all read this one view.

use crate::date::Date;
use crate::kinds::common::{date_labels, nonempty};
use crate::kinds::pages;
use crate::kinds::vocab;
pub use crate::kinds::vocab::{FieldView, RegionView, TermView};
use crate::model::RawSite;
use crate::routes::{ListKind, Route};
use crate::tel;
use crate::validate::Checked;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default, Serialize)]
pub struct Site {
    /// The theme site.yaml names (`default` when none).
    pub theme: String,
    pub title: String,
    pub tagline: String,
    /// Absolute URL of the site root, ending with `/`.
    pub base_url: String,
    /// Path part of `base_url` (`/` or `/sub/`): every internal link starts with it.
    pub base_path: String,
    pub organisation: String,
    pub publisher: String,
    pub edition_iso: String,
    pub edition_label: String,
    pub directory_title: String,
    pub sample: bool,
    pub intro: Vec<String>,
    pub usage: Vec<String>,
    pub notices: Vec<NoticeView>,
    pub fields: Vec<FieldView>,
    pub regions: Vec<RegionView>,
    /// In official code order.
    pub municipalities: Vec<MunicipalityView>,
    pub care: Vec<TermView>,
    pub facility_types: Vec<TermView>,
    /// Sorted by kana.
    pub facilities: Vec<FacilityView>,
    pub pages: Vec<PageView>,
    /// The main menu (site.yaml's `menu:` or the default, then front matter).
    pub menu: Vec<crate::sections::MenuItem>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NoticeView {
    pub date_iso: String,
    pub date_label: String,
    pub text: String,
    /// Full href (base path applied) or absent.
    pub href: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MunicipalityView {
    pub code: String,
    pub name: String,
    pub kana: String,
    pub slug: String,
    pub region_id: String,
    pub region_name: String,
    pub updated_iso: Option<String>,
    pub updated_label: Option<String>,
    pub windows: Vec<WindowView>,
    pub facility_count: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct WindowView {
    /// Anchor id on the municipality page (`w-1` …).
    pub anchor: String,
    pub name: String,
    pub field_id: String,
    pub field_name: String,
    pub field_color: String,
    pub field_text_color: String,
    pub field_tint: String,
    pub field_border: String,
    pub general: bool,
    pub detail: Option<String>,
    pub tel: Option<String>,
    pub tel_href: Option<String>,
    pub tel_kind_label: Option<String>,
    /// Accessible name of the tel: link: 「横浜市 障害福祉課に電話する」.
    pub tel_aria: Option<String>,
    pub note: Option<String>,
    /// The URL as the editors wrote it (shown on the page and in the PDF).
    pub url: Option<String>,
    /// The same URL as the URL rule writes it (percent-encoded), for `href`.
    pub url_href: Option<String>,
}

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
}

/// The view of a content page (moved to its kind).
pub use crate::kinds::pages::PageView;

/// Base path + percent-encoded site path: `("/sub/", "/news/a b/")` → `/sub/news/a%20b/`.
fn href_of(base_path: &str, path: &str) -> String {
    format!(
        "{base_path}{}",
        crate::url_rule::encode_path(path.trim_start_matches('/'))
    )
}

/// A data `url:` as the URL rule writes it (`None` when refused: `check` reports it).
fn data_href(url: &Option<crate::model::S<String>>) -> Option<String> {
    let u = url.as_ref()?;
    match crate::url_rule::check(&u.value, crate::url_rule::Place::DataUrl) {
        Ok(safe) => Some(safe.href("/")),
        Err(_) => None,
    }
}

/// What validation renders and resolution keeps: the `--base-url` override
/// and whether drafts are in.
#[derive(Debug, Clone, Copy, Default)]
pub struct ResolveOptions<'a> {
    pub base_url: Option<&'a str>,
    /// Include `draft: true` pages (`--drafts`).
    pub drafts: bool,
}

/// Resolves checked data: one view per kind of data, then the site's settings.
/// Only [`crate::validate::validate`] makes a [`Checked`], so invalid data is
/// never resolved; the pages come rendered from validation.
pub fn resolve(checked: Checked<'_>) -> Site {
    let raw = checked.raw();
    let cfg = checked.config();
    let base = checked.base().clone();
    let drafts = checked.drafts();
    let fields = vocab::field_views(&raw.fields);
    let regions = vocab::region_views(&raw.regions);
    let care = vocab::care_views(&raw.care);
    let facility_types = vocab::facility_type_views(&raw.facility_types);
    let facilities = facility_views(raw, &regions, &care, &facility_types);
    let municipalities = municipality_views(raw, &regions, &fields, &facilities);
    let notices = notice_views(cfg, &base.path);
    let menu = crate::sections::menu(raw, drafts, &base.path);
    let pages = pages::resolve(checked.into_pages(), &base.path);
    Site {
        fields,
        regions,
        municipalities,
        care,
        facility_types,
        facilities,
        pages,
        notices,
        menu,
        ..settings(cfg, base)
    }
}

/// The settings of site.yaml (and the base URL) as a site without data yet.
fn settings(cfg: &crate::model::SiteConfig, base: crate::url_rule::BaseUrl) -> Site {
    // `check` reads the edition trimmed; a quoted "2025-04-01 " passes it but is
    // not a date as written, and has always given empty labels.
    let edition = Date::parse(&cfg.edition.value);
    Site {
        title: cfg.title.value.clone(),
        tagline: cfg.tagline.clone().unwrap_or_default(),
        base_url: base.url,
        base_path: base.path,
        organisation: cfg.organisation.value.clone(),
        publisher: cfg.publisher.value.clone(),
        edition_iso: edition.map(|d| d.to_string()).unwrap_or_default(),
        edition_label: edition.map(|d| d.edition_label()).unwrap_or_default(),
        directory_title: cfg
            .directory_title
            .clone()
            .unwrap_or_else(|| "医療的ケア児に関する問い合わせ窓口一覧".to_string()),
        sample: cfg.sample,
        intro: cfg.intro.clone(),
        usage: cfg.usage.clone(),
        theme: cfg.theme.as_ref().map_or_else(
            || crate::theme::DEFAULT_THEME.to_string(),
            |t| t.value.clone(),
        ),
        ..Site::default()
    }
}

/// The theme site.yaml names (`default` when none).
pub fn theme_name(raw: &RawSite) -> &str {
    raw.site
        .as_ref()
        .and_then(|(_, c)| c.theme.as_ref())
        .map_or(crate::theme::DEFAULT_THEME, |t| t.value.as_str())
}

/// The region of each member municipality.
fn region_of(regions: &[RegionView]) -> BTreeMap<&str, &RegionView> {
    regions
        .iter()
        .flat_map(|r| r.municipalities.iter().map(move |m| (m.as_str(), r)))
        .collect()
}

/// Every facility, sorted by kana.
fn facility_views(
    raw: &RawSite,
    regions: &[RegionView],
    care: &[TermView],
    facility_types: &[TermView],
) -> Vec<FacilityView> {
    let region_of = region_of(regions);
    let care_by_id: BTreeMap<&str, &TermView> = care.iter().map(|t| (t.id.as_str(), t)).collect();
    let type_by_id: BTreeMap<&str, &TermView> =
        facility_types.iter().map(|t| (t.id.as_str(), t)).collect();
    let names: BTreeMap<&str, &str> = list(&raw.municipalities)
        .map(|m| (m.slug.value.as_str(), m.name.value.as_str()))
        .collect();
    let mut facilities: Vec<FacilityView> = raw
        .facilities
        .iter()
        .flat_map(|(_, l)| l.iter().map(|f| &f.value))
        .map(|f| {
            let muni = f.municipality.value.as_str();
            let region = region_of.get(muni);
            let municipality_name = names.get(muni).copied().unwrap_or(muni).to_string();
            let (updated_iso, updated_label) =
                date_labels(f.updated.as_ref().map(|u| u.value.as_str()));
            FacilityView {
                id: f.id.value.clone(),
                name: f.name.value.clone(),
                kana: f.kana.clone(),
                type_id: f.kind.value.clone(),
                type_name: type_by_id
                    .get(f.kind.value.as_str())
                    .map_or_else(|| f.kind.value.clone(), |t| t.name.clone()),
                municipality: muni.to_string(),
                region_id: region.map_or_else(String::new, |r| r.id.clone()),
                region_name: region.map_or_else(String::new, |r| r.name.clone()),
                address: nonempty(&f.address),
                tel: f.tel.as_ref().map(|t| t.value.clone()),
                tel_href: f.tel.as_ref().map(|t| tel::href(&t.value)),
                tel_aria: f
                    .tel
                    .as_ref()
                    .map(|t| format!("{}に電話する {}", f.name.value, t.value)),
                url: f.url.as_ref().map(|u| u.value.clone()),
                url_href: data_href(&f.url),
                care: f
                    .care
                    .iter()
                    .filter_map(|c| care_by_id.get(c.value.as_str()).map(|t| (*t).clone()))
                    .collect(),
                ages: nonempty(&f.ages),
                note: nonempty(&f.note),
                updated_iso,
                updated_label,
                municipality_name,
            }
        })
        .collect();
    facilities.sort_by(|a, b| (&a.kana, &a.name, &a.id).cmp(&(&b.kana, &b.name, &b.id)));
    facilities
}

/// Every municipality in official code order, with its windows and its number of facilities.
fn municipality_views(
    raw: &RawSite,
    regions: &[RegionView],
    fields: &[FieldView],
    facilities: &[FacilityView],
) -> Vec<MunicipalityView> {
    let region_of = region_of(regions);
    let field_by_id: BTreeMap<&str, &FieldView> =
        fields.iter().map(|f| (f.id.as_str(), f)).collect();
    let contacts_of: BTreeMap<&str, &crate::model::ContactFile> = raw
        .contacts
        .iter()
        .map(|(_, c)| (c.municipality.value.as_str(), c))
        .collect();
    let mut facility_count: BTreeMap<&str, usize> = BTreeMap::new();
    for f in facilities {
        *facility_count.entry(f.municipality.as_str()).or_default() += 1;
    }
    list(&raw.municipalities)
        .map(|m| {
            let slug = m.slug.value.as_str();
            let region = region_of.get(slug);
            let contacts = contacts_of.get(slug);
            let (updated_iso, updated_label) =
                date_labels(contacts.map(|c| c.updated.value.as_str()));
            let windows = contacts
                .map(|c| {
                    c.windows
                        .iter()
                        .enumerate()
                        .map(|(i, w)| window_view(i, &w.value, &m.name.value, &field_by_id))
                        .collect()
                })
                .unwrap_or_default();
            MunicipalityView {
                code: m.code.value.clone(),
                name: m.name.value.clone(),
                kana: m.kana.value.clone(),
                slug: slug.to_string(),
                region_id: region.map_or_else(String::new, |r| r.id.clone()),
                region_name: region.map_or_else(String::new, |r| r.name.clone()),
                updated_iso,
                updated_label,
                windows,
                facility_count: facility_count.get(slug).copied().unwrap_or(0),
            }
        })
        .collect()
}

/// The notices of site.yaml, each URL as the URL rule writes it.
fn notice_views(cfg: &crate::model::SiteConfig, base_path: &str) -> Vec<NoticeView> {
    cfg.notices
        .iter()
        .map(|n| {
            let n = &n.value;
            let (date_iso, date_label) = date_labels(Some(&n.date.value));
            NoticeView {
                date_iso: date_iso.unwrap_or_default(),
                date_label: date_label.unwrap_or_default(),
                text: n.text.value.clone(),
                // Checked data has no refused URL: this is always the link.
                href: n.url.as_ref().and_then(|u| {
                    crate::url_rule::check(&u.value, crate::url_rule::Place::Notice)
                        .ok()
                        .map(|safe| safe.href(base_path))
                }),
            }
        })
        .collect()
}

fn list<T>(src: &Option<(String, Vec<crate::model::S<T>>)>) -> impl Iterator<Item = &T> {
    src.iter().flat_map(|(_, l)| l.iter().map(|x| &x.value))
}

fn window_view(
    index: usize,
    w: &crate::model::Window,
    municipality: &str,
    fields: &BTreeMap<&str, &FieldView>,
) -> WindowView {
    let field = fields.get(w.field.value.as_str());
    let get = |f: fn(&FieldView) -> &String| field.map_or_else(String::new, |x| f(x).clone());
    let tel_kind_label = w.tel_kind.as_ref().map(|k| match k.value.as_str() {
        "main" => "代表".to_string(),
        _ => "直通".to_string(),
    });
    WindowView {
        anchor: format!("w-{}", index + 1),
        name: w.name.value.clone(),
        field_id: w.field.value.clone(),
        field_name: get(|f| &f.name),
        field_color: get(|f| &f.color),
        field_text_color: get(|f| &f.text_color),
        field_tint: get(|f| &f.tint),
        field_border: get(|f| &f.border),
        general: index == 0 && w.is_general(),
        detail: nonempty(&w.detail),
        tel: w.tel.as_ref().map(|t| t.value.clone()),
        tel_href: w.tel.as_ref().map(|t| tel::href(&t.value)),
        tel_kind_label,
        tel_aria: w
            .tel
            .as_ref()
            .map(|t| format!("{municipality} {}に電話する {}", w.name.value, t.value)),
        note: nonempty(&w.note),
        url: w.url.as_ref().map(|u| u.value.clone()),
        url_href: data_href(&w.url),
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

/// Path segments of the facility lists; a facility id may not take them.
pub const FACILITY_LIST_KINDS: [&str; 4] = [
    ListKind::ALL[0].as_str(),
    ListKind::ALL[1].as_str(),
    ListKind::ALL[2].as_str(),
    ListKind::ALL[3].as_str(),
];

impl Site {
    /// Every facility list page: per region, municipality, type and care kind,
    /// in vocabulary order, each sorted by kana (as `facilities` is).
    pub fn facility_lists<'s>(&'s self) -> Vec<FacilityList<'s>> {
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
        for r in &self.regions {
            push(ListKind::Region, &r.id, &r.name);
        }
        for m in &self.municipalities {
            push(ListKind::Municipality, &m.slug, &m.name);
        }
        for t in &self.facility_types {
            push(ListKind::Type, &t.id, &t.name);
        }
        for c in &self.care {
            push(ListKind::Care, &c.id, &c.name);
        }
        for f in &self.facilities {
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

    pub fn municipality(&self, slug: &str) -> Option<&MunicipalityView> {
        self.municipalities.iter().find(|m| m.slug == slug)
    }

    /// Municipalities of a region in print order.
    pub fn members(&self, region: &RegionView) -> Vec<&MunicipalityView> {
        region
            .municipalities
            .iter()
            .filter_map(|s| self.municipality(s))
            .collect()
    }

    /// Pages of one content section (e.g. `news`), the section's own index page excluded.
    pub fn section_pages(&self, section: &str) -> Vec<&PageView> {
        pages::section_pages(&self.pages, section)
    }

    /// Joins the base path and a site path (`contacts/`), percent-encoded.
    pub fn href(&self, rel: &str) -> String {
        href_of(&self.base_path, rel)
    }
}
