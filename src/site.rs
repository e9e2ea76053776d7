//! The checked site: the raw data resolved (ids → names, colors, regions),
//! with every derived label computed once (和暦, tel: links, accessible names).
//! Templates, the PDF directory and the search index all read this one view.

use crate::date::Date;
use crate::markdown::{self, Heading, MarkdownOptions, Section};
use crate::model::RawSite;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

pub use crate::kinds::contacts::{MunicipalityView, WindowView};
pub use crate::kinds::facilities::{FACILITY_LIST_KINDS, FacilityList, FacilityView};

/// URL sections the generator writes itself; content/ cannot use them.
pub const GENERATED_SECTIONS: [&str; 8] = crate::routes::RESERVED_SECTIONS;

#[derive(Debug, Clone, Serialize)]
pub struct Site {
    /// The theme site.yaml names (`default` when none).
    pub theme: String,
    /// URL paths of the `draft: true` pages left out (none with `--drafts`),
    /// so a link to one gets its own message.
    pub draft_paths: BTreeSet<String>,
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
pub struct FieldView {
    pub id: String,
    pub name: String,
    pub kana: String,
    pub color: String,
    pub text_color: String,
    pub tint: String,
    pub border: String,
    pub description: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct RegionView {
    pub id: String,
    pub name: String,
    pub medical_area: String,
    /// Member slugs in print order.
    pub municipalities: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TermView {
    pub id: String,
    pub name: String,
    pub kana: String,
    pub group: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PageView {
    pub file: String,
    /// URL path as read from the file name (`/news/a b/`): what links are checked against.
    pub path: String,
    /// Full href of the page: base path + percent-encoded path (`/sub/news/a%20b/`).
    pub href: String,
    pub section: String,
    pub title: String,
    pub description: Option<String>,
    pub weight: i64,
    pub date_iso: Option<String>,
    pub date_label: Option<String>,
    pub updated_iso: Option<String>,
    pub updated_label: Option<String>,
    pub reviewed_by: Option<String>,
    pub html: String,
    pub headings: Vec<Heading>,
    #[serde(skip)]
    pub sections: Vec<Section>,
    #[serde(skip)]
    pub internal_links: Vec<(String, u32)>,
    #[serde(skip)]
    pub rejected_urls: Vec<crate::url_rule::RejectedUrl>,
    /// `draft: true` (only ever true with `--drafts`): `page.html` shows a 「下書き」 banner.
    pub draft: bool,
    /// `template:` of the front matter (see [`crate::sections::page_template`]).
    #[serde(skip)]
    pub template: Option<String>,
}

pub(crate) fn date_labels(iso: Option<&str>) -> (Option<String>, Option<String>) {
    match iso.and_then(Date::parse) {
        Some(d) => (Some(d.to_string()), Some(d.wareki_with_seireki())),
        None => (None, None),
    }
}

pub(crate) fn nonempty(s: &Option<String>) -> Option<String> {
    s.as_ref()
        .map(|x| x.trim().to_string())
        .filter(|x| !x.is_empty())
}

/// Base path + percent-encoded site path: `("/sub/", "/news/a b/")` → `/sub/news/a%20b/`.
fn href_of(base_path: &str, path: &str) -> String {
    format!(
        "{base_path}{}",
        crate::url_rule::encode_path(path.trim_start_matches('/'))
    )
}

/// A data `url:` as the URL rule writes it (`None` when refused: `check` reports it).
pub(crate) fn data_href(url: &Option<crate::model::S<String>>) -> Option<String> {
    let u = url.as_ref()?;
    match crate::url_rule::check(&u.value, crate::url_rule::Place::DataUrl) {
        Ok(safe) => Some(safe.href("/")),
        Err(_) => None,
    }
}

/// How to resolve: the `--base-url` override and whether drafts are in.
#[derive(Debug, Clone, Copy, Default)]
pub struct ResolveOptions<'a> {
    pub base_url: Option<&'a str>,
    /// Include `draft: true` pages (`--drafts`).
    pub drafts: bool,
}

/// Resolves a validated [`RawSite`]. `opts.base_url` is `--base-url`.
pub fn resolve(raw: &RawSite, opts: &ResolveOptions) -> Site {
    let base_url_override = opts.base_url;
    let cfg = raw.site.as_ref().map(|(_, c)| c);
    // A refused base URL is an error of `check` (site.yaml or `--base-url`);
    // the site is still resolved, from `/`, so every other problem is found too.
    let crate::url_rule::BaseUrl {
        url: base_url,
        path: base_path,
    } = base_url_override
        .or(cfg.map(|c| c.base_url.value.as_str()))
        .and_then(|b| crate::url_rule::base_url(b).ok())
        .unwrap_or_else(crate::url_rule::BaseUrl::root);
    let edition = cfg.and_then(|c| Date::parse(&c.edition.value));

    let fields: Vec<FieldView> = list(&raw.fields)
        .map(|f| FieldView {
            id: f.id.value.clone(),
            name: f.name.value.clone(),
            kana: f.kana.clone(),
            color: f.color.value.clone(),
            text_color: f.text_color.value.clone(),
            tint: f.tint.value.clone(),
            border: f
                .border
                .as_ref()
                .map_or_else(|| f.color.value.clone(), |b| b.value.clone()),
            description: f.description.clone(),
        })
        .collect();
    let field_by_id: BTreeMap<&str, &FieldView> =
        fields.iter().map(|f| (f.id.as_str(), f)).collect();

    let regions: Vec<RegionView> = list(&raw.regions)
        .map(|r| RegionView {
            id: r.id.value.clone(),
            name: r.name.value.clone(),
            medical_area: r.medical_area.clone(),
            municipalities: r.municipalities.iter().map(|m| m.value.clone()).collect(),
        })
        .collect();
    let region_of: BTreeMap<&str, &RegionView> = regions
        .iter()
        .flat_map(|r| r.municipalities.iter().map(move |m| (m.as_str(), r)))
        .collect();

    let terms =
        |src: &Option<(String, Vec<crate::model::S<crate::model::Term>>)>| -> Vec<TermView> {
            list(src)
                .map(|t| TermView {
                    id: t.id.value.clone(),
                    name: t.name.value.clone(),
                    kana: t.kana.clone(),
                    group: t.group.clone(),
                })
                .collect()
        };
    let care = terms(&raw.care);
    let facility_types = terms(&raw.facility_types);
    let care_by_id: BTreeMap<&str, &TermView> = care.iter().map(|t| (t.id.as_str(), t)).collect();
    let type_by_id: BTreeMap<&str, &TermView> =
        facility_types.iter().map(|t| (t.id.as_str(), t)).collect();

    let names: BTreeMap<&str, &str> = list(&raw.municipalities)
        .map(|m| (m.slug.value.as_str(), m.name.value.as_str()))
        .collect();

    let facilities = crate::kinds::facilities::resolve(
        &raw.facilities,
        &crate::kinds::facilities::Context {
            region_of: &region_of,
            names: &names,
            type_by_id: &type_by_id,
            care_by_id: &care_by_id,
        },
    );
    let mut facility_count: BTreeMap<&str, usize> = BTreeMap::new();
    for f in &facilities {
        *facility_count.entry(f.municipality.as_str()).or_default() += 1;
    }

    let municipalities = crate::kinds::contacts::resolve(
        raw.municipalities.as_ref().map_or(&[], |(_, l)| l),
        &raw.contacts,
        &crate::kinds::contacts::Context {
            region_of: &region_of,
            field_by_id: &field_by_id,
            facility_count: &facility_count,
        },
    );

    let md_opts = MarkdownOptions {
        base_path: &base_path,
        allow_raw_html: cfg.is_some_and(|c| c.allow_raw_html),
    };
    // Markdown is rendered on all cores; `collect` keeps the input order.
    let mut pages: Vec<PageView> = raw
        .pages
        .par_iter()
        .filter(|p| opts.drafts || !p.front.draft)
        .map(|p| {
            let out = markdown::render(&p.body, p.body_line, &md_opts);
            let (date_iso, date_label) =
                date_labels(p.front.date.as_ref().map(|d| d.value.as_str()));
            let (updated_iso, updated_label) =
                date_labels(p.front.updated.as_ref().map(|d| d.value.as_str()));
            PageView {
                file: p.file.clone(),
                path: p.path.clone(),
                href: href_of(&base_path, &p.path),
                section: p.section.clone(),
                title: p.front.title.value.clone(),
                description: nonempty(&p.front.description),
                weight: p.front.weight.unwrap_or(0),
                date_iso,
                date_label,
                updated_iso,
                updated_label,
                reviewed_by: nonempty(&p.front.reviewed_by),
                html: out.html,
                headings: out.headings,
                sections: out.sections,
                internal_links: out.internal_links,
                rejected_urls: out.rejected_urls,
                draft: p.front.draft,
                template: p.front.template.as_ref().map(|t| t.value.clone()),
            }
        })
        .collect();
    // Section order: weight, then newest date first (news), then path.
    pages.sort_by(|a, b| {
        (
            &a.section,
            a.weight,
            std::cmp::Reverse(&a.date_iso),
            &a.path,
        )
            .cmp(&(
                &b.section,
                b.weight,
                std::cmp::Reverse(&b.date_iso),
                &b.path,
            ))
    });

    let notices = cfg
        .map(|c| {
            c.notices
                .iter()
                .map(|n| {
                    let n = &n.value;
                    let (date_iso, date_label) = date_labels(Some(&n.date.value));
                    NoticeView {
                        date_iso: date_iso.unwrap_or_default(),
                        date_label: date_label.unwrap_or_default(),
                        text: n.text.value.clone(),
                        // A refused URL is an error of `check`: no link is made.
                        href: n.url.as_ref().and_then(|u| {
                            crate::url_rule::check(&u.value, crate::url_rule::Place::Notice)
                                .ok()
                                .map(|safe| safe.href(&base_path))
                        }),
                    }
                })
                .collect()
        })
        .unwrap_or_default();

    let menu = crate::sections::menu(raw, opts.drafts, &base_path);
    Site {
        title: cfg.map_or_else(String::new, |c| c.title.value.clone()),
        tagline: cfg.and_then(|c| c.tagline.clone()).unwrap_or_default(),
        base_url,
        base_path,
        organisation: cfg.map_or_else(String::new, |c| c.organisation.value.clone()),
        publisher: cfg.map_or_else(String::new, |c| c.publisher.value.clone()),
        edition_iso: edition.map(|d| d.to_string()).unwrap_or_default(),
        edition_label: edition.map(|d| d.edition_label()).unwrap_or_default(),
        directory_title: cfg
            .and_then(|c| c.directory_title.clone())
            .unwrap_or_else(|| "医療的ケア児に関する問い合わせ窓口一覧".to_string()),
        sample: cfg.is_some_and(|c| c.sample),
        intro: cfg.map(|c| c.intro.clone()).unwrap_or_default(),
        usage: cfg.map(|c| c.usage.clone()).unwrap_or_default(),
        notices,
        fields,
        regions,
        municipalities,
        care,
        facility_types,
        facilities,
        pages,
        menu,
        theme: cfg.and_then(|c| c.theme.as_ref()).map_or_else(
            || crate::theme::DEFAULT_THEME.to_string(),
            |t| t.value.clone(),
        ),
        draft_paths: if opts.drafts {
            BTreeSet::new()
        } else {
            raw.pages
                .iter()
                .filter(|p| p.front.draft)
                .map(|p| p.path.clone())
                .collect()
        },
    }
}

fn list<T>(src: &Option<(String, Vec<crate::model::S<T>>)>) -> impl Iterator<Item = &T> {
    src.iter().flat_map(|(_, l)| l.iter().map(|x| &x.value))
}

impl Site {
    /// Every facility list page: per region, municipality, type and care kind,
    /// in vocabulary order, each sorted by kana (as `facilities` is).
    pub fn facility_lists(&self) -> Vec<FacilityList<'_>> {
        crate::kinds::facilities::facility_lists(self)
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
        let index = format!("/{section}/");
        self.pages
            .iter()
            .filter(|p| p.section == section && p.path != index)
            .collect()
    }

    /// Joins the base path and a site path (`contacts/`), percent-encoded.
    pub fn href(&self, rel: &str) -> String {
        href_of(&self.base_path, rel)
    }
}
