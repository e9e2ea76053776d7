//! The checked site: the raw data resolved (ids → names, colors, regions),
//! with every derived label computed once (和暦, tel: links, accessible names).
//! Templates, the PDF directory and the search index all read this one view.

use crate::date::Date;
use crate::kinds::common::date_labels;
use crate::kinds::pages;
use crate::kinds::vocab;
pub use crate::kinds::vocab::{FieldView, RegionView, TermView};
use crate::model::RawSite;
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
    /// The support centres of centres.yaml, in file order (none without it).
    pub centres: Vec<CentreView>,
    /// The glossary by 行, in reading order (empty without data/glossary.yaml).
    pub glossary: Vec<crate::kinds::glossary::RowView>,
    /// Whether the site has a glossary page (data/glossary.yaml).
    pub has_glossary: bool,
    /// The accessibility test results (data/accessibility/results.yaml), for
    /// the page with `template: accessibility.html`.
    pub accessibility: Option<crate::kinds::accessibility::ResultsView>,
    /// The UI strings by language code (`ja` always: data/i18n/ja.yaml or the built-in one).
    pub strings: BTreeMap<String, crate::kinds::i18n::Strings>,
    /// Shared (`Arc`): `serve` keeps the views of unchanged pages.
    #[serde(serialize_with = "crate::kinds::pages::serialize_views")]
    pub pages: Vec<std::sync::Arc<PageView>>,
    /// data/stats/ by id: each table's chart and rows (pages show them by `stats:`).
    pub stats: BTreeMap<String, crate::kinds::stats::StatsView>,
    /// data/synonyms.yaml (the search's vocabulary, with the derived groups
    /// of `derived::search_vocabulary`).
    pub synonyms: Vec<crate::kinds::synonyms::SynonymView>,
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

pub use crate::kinds::centres::CentreView;
pub use crate::kinds::contacts::{MunicipalityView, WindowView};
pub use crate::kinds::facilities::{FACILITY_LIST_KINDS, FacilityList, FacilityView};
/// The view of a content page (moved to its kind).
pub use crate::kinds::pages::PageView;

/// Base path + percent-encoded site path: `("/sub/", "/news/a b/")` → `/sub/news/a%20b/`.
fn href_of(base_path: &str, path: &str) -> String {
    format!(
        "{base_path}{}",
        crate::url_rule::encode_path(path.trim_start_matches('/'))
    )
}

/// What validation renders and resolution keeps: the `--base-url` override
/// and whether drafts are in.
#[derive(Debug, Clone, Copy, Default)]
pub struct ResolveOptions<'a> {
    pub base_url: Option<&'a str>,
    /// Include `draft: true` pages (`--drafts`).
    pub drafts: bool,
    /// "Today" for the age of medical reviews ([`crate::config::BuildOptions::today`]).
    pub today: Option<crate::date::Date>,
}

/// Resolves checked data: one view per kind of data, then the site's settings.
/// Only [`crate::validate::validate`] makes a [`Checked`], so invalid data is
/// never resolved; the pages come rendered from validation.
pub fn resolve(checked: Checked<'_>) -> Site {
    let mut t = crate::build::Timings::new();
    let raw = checked.raw();
    let cfg = checked.config();
    let base = checked.base().clone();
    let drafts = checked.drafts();
    let fields = vocab::field_views(&raw.fields);
    let regions = vocab::region_views(&raw.regions);
    let care = vocab::care_views(&raw.care);
    let facility_types = vocab::facility_type_views(&raw.facility_types);
    let today = crate::kinds::facility_facts::reference_date(Date::parse(&cfg.edition.value));
    let facilities = facility_views(raw, &regions, &care, &facility_types, today);
    let centres = centre_views(raw, &regions);
    let municipalities = municipality_views(raw, &regions, &fields, &facilities, &centres);
    let notices = notice_views(cfg, &base.path);
    let menu = crate::sections::menu(raw, drafts, &base.path);
    t.lap(" r: data");
    let mut pages = pages::resolve(checked.into_pages(), &base.path);
    t.lap(" r: pages");
    let strings = crate::kinds::i18n::tables(raw);
    crate::kinds::i18n::attach(&mut pages, &raw.pages, &strings, &base.url, &base.path);
    t.lap(" r: i18n");
    let glossary = crate::kinds::glossary::resolve(raw, &base.path, |path| {
        pages
            .iter()
            .find(|p| p.path == path)
            .map(|p| p.title.clone())
    });
    Site {
        glossary,
        has_glossary: raw.glossary.is_some(),
        accessibility: crate::kinds::accessibility::resolve(raw, &base.path),
        stats: crate::kinds::stats::resolve(raw),
        strings,
        fields,
        regions,
        municipalities,
        care,
        facility_types,
        facilities,
        centres,
        pages,
        notices,
        menu,
        synonyms: crate::kinds::synonyms::views(&raw.synonyms),
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

/// Every facility, sorted by kana ([`crate::kinds::facilities`]).
fn facility_views(
    raw: &RawSite,
    regions: &[RegionView],
    care: &[TermView],
    facility_types: &[TermView],
    today: Option<Date>,
) -> Vec<FacilityView> {
    let region_of = region_of(regions);
    let care_by_id: BTreeMap<&str, &TermView> = care.iter().map(|t| (t.id.as_str(), t)).collect();
    let type_by_id: BTreeMap<&str, &TermView> =
        facility_types.iter().map(|t| (t.id.as_str(), t)).collect();
    let names: BTreeMap<&str, &str> = list(&raw.municipalities)
        .map(|m| (m.slug.value.as_str(), m.name.value.as_str()))
        .collect();
    crate::kinds::facilities::resolve(
        &raw.facilities,
        &crate::kinds::facilities::Context {
            region_of: &region_of,
            names: &names,
            type_by_id: &type_by_id,
            care_by_id: &care_by_id,
            areas: &crate::kinds::facility_facts::area_names(raw),
            today,
        },
    )
}

/// Every support centre ([`crate::kinds::centres`]).
fn centre_views(raw: &RawSite, regions: &[RegionView]) -> Vec<CentreView> {
    let names: BTreeMap<&str, &str> = list(&raw.municipalities)
        .map(|m| (m.slug.value.as_str(), m.name.value.as_str()))
        .collect();
    let order: Vec<&str> = list(&raw.municipalities)
        .map(|m| m.slug.value.as_str())
        .collect();
    crate::kinds::centres::resolve(raw, regions, &names, &order)
}

/// Every municipality in official code order, with its windows, its
/// centres and its number of facilities ([`crate::kinds::contacts`]).
fn municipality_views(
    raw: &RawSite,
    regions: &[RegionView],
    fields: &[FieldView],
    facilities: &[FacilityView],
    centres: &[CentreView],
) -> Vec<MunicipalityView> {
    let region_of = region_of(regions);
    let field_by_id: BTreeMap<&str, &FieldView> =
        fields.iter().map(|f| (f.id.as_str(), f)).collect();
    let mut facility_count: BTreeMap<&str, usize> = BTreeMap::new();
    for f in facilities {
        *facility_count.entry(f.municipality.as_str()).or_default() += 1;
    }
    crate::kinds::contacts::resolve(
        raw.municipalities.as_ref().map_or(&[], |(_, l)| l),
        &raw.contacts,
        &crate::kinds::contacts::Context {
            region_of: &region_of,
            field_by_id: &field_by_id,
            facility_count: &facility_count,
            centres,
        },
    )
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

impl Site {
    /// Every facility list page: per region, municipality, type and care kind,
    /// in vocabulary order, each sorted by kana (as `facilities` is).
    pub fn facility_lists<'s>(&'s self) -> Vec<FacilityList<'s>> {
        crate::kinds::facilities::facility_lists(self)
    }

    /// The support centres a municipality's families may call, the most
    /// local first (also on [`MunicipalityView::centres`]).
    pub fn centres_serving(&self, municipality: &str) -> Vec<&CentreView> {
        crate::kinds::centres::serving(&self.centres, municipality)
    }

    /// The support centres of a region's municipalities, each once.
    pub fn centres_of_region(&self, region: &RegionView) -> Vec<&CentreView> {
        crate::kinds::centres::of_region(&self.centres, region)
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
