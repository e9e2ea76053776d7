//! Tera templates → HTML. The site-wide part of the context (title, base path,
//! navigation, fields, regions) is set once as Tera's global context; each page
//! gets only its own data, so rendering stays linear in the number of pages.

use crate::diagnostic::Diagnostic;
use crate::routes::Route;
use crate::site::{FacilityView, MunicipalityView, PageView, RegionView, Site};
use crate::theme::{TemplateFile, Theme};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};
use tera::{Context, Tera};

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("テンプレート {file} を読み込めません: {message}")]
    Template { file: String, message: String },
    #[error("ページ {page} を {template} で描画できません: {message}")]
    Render {
        page: String,
        template: String,
        message: String,
    },
}

impl RenderError {
    /// `template` of a rendering error is already the file used (site or theme).
    pub fn to_diagnostic(&self) -> Diagnostic {
        match self {
            RenderError::Template { file, message } => {
                Diagnostic::error(file.as_str(), 0, 0, "テンプレートを読み込めません")
                    .hint(format!("{message}(テンプレートの書き方を確認してください)"))
            }
            RenderError::Render {
                page,
                template,
                message,
            } => Diagnostic::error(
                template.as_str(),
                0,
                0,
                format!("ページ {page} を描画できません"),
            )
            .hint(message.clone()),
        }
    }
}

/// A link to a generated PDF with its size, for the contacts and region pages.
#[derive(Debug, Clone, Serialize)]
pub struct PdfLink {
    pub href: String,
    pub file_name: String,
    pub size_label: String,
    pub pages: usize,
}

pub fn size_label(bytes: usize) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}

#[derive(Serialize)]
struct RegionSummary<'a> {
    id: &'a str,
    name: &'a str,
    medical_area: &'a str,
    municipalities: Vec<MunicipalitySummary<'a>>,
    pdf: Option<&'a PdfLink>,
}

#[derive(Serialize)]
struct MunicipalitySummary<'a> {
    slug: &'a str,
    name: &'a str,
    kana: &'a str,
    window_count: usize,
    facility_count: usize,
    updated_label: Option<&'a str>,
}

/// What the templates can use on every page.
#[derive(Serialize)]
struct Meta<'a> {
    title: &'a str,
    tagline: &'a str,
    base: &'a str,
    base_url: &'a str,
    organisation: &'a str,
    publisher: &'a str,
    edition_label: &'a str,
    edition_iso: &'a str,
    sample: bool,
    /// The main menu ([`crate::sections::menu`]).
    nav: &'a [crate::sections::MenuItem],
    fields: &'a [crate::site::FieldView],
    regions: Vec<RegionSummary<'a>>,
    pdf_all: Option<&'a PdfLink>,
    /// Injected before `</body>` (the live-reload client of `ohisama serve`); empty in builds.
    dev_script: &'a str,
}

pub struct Renderer {
    tera: Tera,
    /// Template name → the file it was read from, relative to the site
    /// (`templates/page.html` or `themes/default/templates/page.html`).
    rels: BTreeMap<String, String>,
    /// `themes/<theme>/templates`: where a template found nowhere should be.
    theme_templates: String,
    /// The contact cards made by this build, by site path (`/pdf/card-chigasaki.pdf`).
    cards: BTreeMap<String, PdfLink>,
}

/// The list entry of one facility, shared by every facility list page.
const FACILITY_ITEM: &str = "partials/facility-item.html";
const FACILITY_LIST_TEMPLATE: &str = "facility-list.html";
const FACILITY_TEMPLATE: &str = "facility.html";

/// One HTML file to write: where, with which template and which context.
pub struct PageJob {
    pub out_path: String,
    pub url_path: String,
    /// The template's name (a content page's may come from its front matter).
    pub template: String,
    pub context: Context,
}

impl Renderer {
    /// Loads every `*.html` template of the theme, the site's `templates/`
    /// overriding the theme's of the same name, and sets the global context.
    pub fn new(
        theme: &Theme,
        site: &Site,
        pdfs: &BTreeMap<String, PdfLink>,
        dev_script: &str,
    ) -> Result<Renderer, RenderError> {
        let files = theme.templates().map_err(|e| RenderError::Template {
            file: e.folder.clone(),
            message: e.message.clone(),
        })?;
        let mut tera = Tera::new();
        tera.add_template_files(
            files
                .iter()
                .map(|t| (t.path.as_path(), Some(t.name.as_str()))),
        )
        .map_err(|e| {
            let message = tera_message(&e);
            RenderError::Template {
                file: named_in(&message, &files)
                    .unwrap_or_else(|| format!("{}/templates", theme.rel())),
                message,
            }
        })?;
        let rels = files.into_iter().map(|t| (t.name, t.rel)).collect();
        let meta = Meta {
            title: &site.title,
            tagline: &site.tagline,
            base: &site.base_path,
            base_url: &site.base_url,
            organisation: &site.organisation,
            publisher: &site.publisher,
            edition_label: &site.edition_label,
            edition_iso: &site.edition_iso,
            sample: site.sample,
            nav: &site.menu,
            fields: &site.fields,
            regions: site
                .regions
                .iter()
                .map(|r| RegionSummary {
                    id: &r.id,
                    name: &r.name,
                    medical_area: &r.medical_area,
                    municipalities: site
                        .members(r)
                        .into_iter()
                        .map(|m| MunicipalitySummary {
                            slug: &m.slug,
                            name: &m.name,
                            kana: &m.kana,
                            window_count: m.windows.len(),
                            facility_count: m.facility_count,
                            updated_label: m.updated_label.as_deref(),
                        })
                        .collect(),
                    pdf: pdfs.get(&r.id),
                })
                .collect(),
            pdf_all: pdfs.get("all"),
            dev_script,
        };
        tera.global_context().insert("meta", &meta);
        // The Japanese UI strings; a translated page's context replaces them with its language's.
        if let Some(ja) = site.strings.get(crate::kinds::i18n::JA) {
            tera.global_context().insert("i18n", ja);
        }
        let cards = pdfs
            .iter()
            .filter(|(key, _)| key.starts_with('/'))
            .map(|(key, link)| (key.clone(), link.clone()))
            .collect();
        Ok(Renderer {
            tera,
            rels,
            theme_templates: format!("{}/templates", theme.rel()),
            cards,
        })
    }

    /// `partials/facility-item.html` for one facility (`f`; `meta` is global),
    /// rendered once per facility and reused by every list it is on. `page`
    /// names the list page in an error.
    fn facility_item(&self, f: &tera::Value, page: &str) -> Result<String, RenderError> {
        let mut c = Context::new();
        c.insert("f", f);
        self.tera
            .render(FACILITY_ITEM, &c)
            .map_err(|e| RenderError::Render {
                page: page.to_string(),
                template: self.rel(FACILITY_ITEM),
                message: tera_message(&e),
            })
    }

    pub fn render(&self, job: &PageJob) -> Result<String, RenderError> {
        self.tera
            .render(&job.template, &job.context)
            .map_err(|e| RenderError::Render {
                page: job.url_path.clone(),
                template: self.rel(&job.template),
                message: tera_message(&e),
            })
    }
}

impl Renderer {
    /// The link to a municipality's contact card, when this build made it.
    fn card(&self, slug: &str) -> Option<&PdfLink> {
        self.cards
            .get(&Route::Pdf(crate::routes::PdfPart::Card(slug)).path())
    }

    /// What every page sees besides its own context (`meta`): `serve`
    /// re-renders a page only when this, the templates or its context moved.
    pub fn global_context(&mut self) -> Context {
        self.tera.global_context().clone()
    }

    /// Whether the template set (theme + site `templates/`) has a template.
    pub fn has_template(&self, name: &str) -> bool {
        self.rels.contains_key(name)
    }

    /// The file a template was read from, relative to the site.
    fn rel(&self, name: &str) -> String {
        self.rels
            .get(name)
            .cloned()
            .unwrap_or_else(|| format!("{}/{name}", self.theme_templates))
    }
}

/// The file of the template a Tera load error names (`--> page.html:1:7`, or
/// the name in quotes), the longest match so `page.html` does not hide
/// `partials/page.html`.
fn named_in(message: &str, files: &[TemplateFile]) -> Option<String> {
    files
        .iter()
        .filter(|t| {
            [
                format!("--> {}:", t.name),
                format!("'{}'", t.name),
                format!("\"{}\"", t.name),
                format!("`{}`", t.name),
            ]
            .iter()
            .any(|p| message.contains(p.as_str()))
        })
        .max_by_key(|t| t.name.len())
        .map(|t| t.rel.clone())
}

fn tera_message(e: &tera::Error) -> String {
    // Tera nests the cause (with the template line) inside the error.
    let mut msg = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        source = s.source();
    }
    msg
}

fn ctx(url_path: &str, title: &str, section: &str) -> Context {
    let mut c = Context::new();
    c.insert("url_path", url_path);
    // The page's own path as written in a URL (canonical link, printed sheet).
    c.insert("url_href", &crate::url_rule::encode_path(url_path));
    c.insert("title", title);
    c.insert("section", section);
    c
}

fn job(route: Route<'_>, template: impl Into<String>, context: Context) -> PageJob {
    PageJob {
        out_path: route.file(),
        url_path: route.path(),
        template: template.into(),
        context,
    }
}

#[derive(Serialize)]
struct Crumb {
    href: String,
    label: String,
}

/// Makes one [`PageJob`] (its context) when called. Most jobs need only the
/// site; a facility list also renders the entries it is the first to need.
pub type MakeJob<'a> = Box<dyn Fn(&Renderer) -> Result<PageJob, RenderError> + Send + Sync + 'a>;

/// Every HTML page of the site as a job made only when needed: a build
/// makes, renders and drops each context on a worker thread, so the contexts
/// of all pages never sit in memory at once.
pub fn lazy_page_jobs(site: &Site) -> Vec<MakeJob<'_>> {
    lazy_page_jobs_with(site, None)
}

/// The list entries (`partials/facility-item.html`) of earlier builds, by
/// facility id with the value they were rendered from, for `serve`: an entry
/// is a function of the facility's value, the templates and the global
/// context, so while the last two stay the same (the caller clears it
/// otherwise) an entry whose value is equal is not rendered again.
#[derive(Default)]
pub struct ItemMemo(std::sync::Mutex<ItemMap>);

type ItemMap = std::collections::HashMap<String, (tera::Value, String)>;

impl ItemMemo {
    fn lock(&self) -> std::sync::MutexGuard<'_, ItemMap> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn get(&self, id: &str, value: &tera::Value) -> Option<String> {
        match self.lock().get(id) {
            Some((v, html)) if v == value => Some(html.clone()),
            _ => None,
        }
    }

    /// Forgets every entry (the templates or the global context moved).
    pub fn clear(&self) {
        self.lock().clear();
    }
}

/// [`lazy_page_jobs`], with the list entries of earlier builds (`serve`).
pub fn lazy_page_jobs_with<'a>(site: &'a Site, memo: Option<&'a ItemMemo>) -> Vec<MakeJob<'a>> {
    let mut jobs: Vec<MakeJob<'a>> = generated_page_jobs(site, memo, None)
        .into_iter()
        .map(|j| j.make)
        .collect();
    let pages = Arc::new(PageIndex::of(site, None));
    for p in site.pages.iter().filter(|p| p.path != "/") {
        let pages = pages.clone();
        jobs.push(Box::new(move |r: &Renderer| {
            Ok(content_page(&content_inputs(site, &pages, p, r)))
        }));
    }
    jobs
}

/// A page's job for `serve`, with, for a content page, what tells whether
/// its context can have changed without making it ([`JobKey`]).
pub struct KeyedJob<'a> {
    pub make: MakeJob<'a>,
    pub key: Option<KeyFn<'a>>,
}

/// Computes a content page's [`JobKey`] (the renderer tells which templates exist).
pub type KeyFn<'a> = Box<dyn Fn(&Renderer) -> JobKey + Send + Sync + 'a>;

/// What a content page's context is made of, as a 128-bit fingerprint of
/// its serialisation (the same serialisation Tera's context is made from),
/// with the page's paths and template. Two builds that give a page the same
/// key give it the same context: `serve` then keeps its bytes without making
/// the context (which copies the page's HTML, and a section index's every
/// child) or comparing it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobKey {
    pub out_path: String,
    pub url_path: String,
    pub template: String,
    pub fingerprint: u128,
}

/// [`lazy_page_jobs_with`], each content page with its [`KeyFn`] (`serve`);
/// `prints` keeps the pages' fingerprints between builds.
pub fn keyed_page_jobs<'a>(
    site: &'a Site,
    memo: Option<&'a ItemMemo>,
    prints: &PrintMemo,
) -> Vec<KeyedJob<'a>> {
    let pages = Arc::new(PageIndex::of(site, Some(prints)));
    let mut jobs = generated_page_jobs(site, memo, Some(&pages));
    for p in site.pages.iter().filter(|p| p.path != "/") {
        let (for_make, for_key) = (pages.clone(), pages.clone());
        jobs.push(KeyedJob {
            make: Box::new(move |r: &Renderer| {
                Ok(content_page(&content_inputs(site, &for_make, p, r)))
            }),
            key: Some(Box::new(move |r: &Renderer| {
                content_key(&content_inputs(site, &for_key, p, r), &for_key)
            })),
        });
    }
    jobs
}

/// The job of the content page `site.pages[at]` (not the home page, which
/// is a generated page): what `serve` renders first when only that page's
/// text moved. The same job as the one [`keyed_page_jobs`] makes for it.
pub fn content_page_job(site: &Site, at: usize, r: &Renderer) -> Option<PageJob> {
    let p = site.pages.get(at).filter(|p| p.path != "/")?;
    let pages = PageIndex::of(site, None);
    Some(content_page(&content_inputs(site, &pages, p, r)))
}

/// The pages' fingerprints of the last build, by view (`serve`): a view
/// kept from one build to the next (the same `Arc`, see
/// [`crate::kinds::pages::resolve`]) is not serialised and hashed again.
/// The memo holds the views, so an address is never reused meanwhile.
#[derive(Default)]
pub struct PrintMemo(std::sync::Mutex<PrintMap>);

type PrintMap = std::collections::HashMap<usize, (Arc<PageView>, u128)>;

/// The address a view is known by in [`PageIndex`] and [`PrintMemo`].
fn address(p: &PageView) -> usize {
    p as *const PageView as usize
}

/// The site's content pages by path and, for `serve`, each page's
/// fingerprint (its view as the templates see it), made once per build.
struct PageIndex<'a> {
    by_path: std::collections::HashMap<&'a str, &'a PageView>,
    /// By the view's address in `site.pages` (empty in a build).
    fingerprints: std::collections::HashMap<usize, u128>,
}

impl<'a> PageIndex<'a> {
    /// With `prints` (`serve`), every page's fingerprint too, taken from
    /// the memo when the view is the one it holds.
    fn of(site: &'a Site, prints: Option<&PrintMemo>) -> PageIndex<'a> {
        use rayon::prelude::*;
        // The first page of a path, as a search from the start finds it.
        let mut by_path = std::collections::HashMap::with_capacity(site.pages.len());
        for p in &site.pages {
            by_path.entry(p.path.as_str()).or_insert(&**p);
        }
        let Some(prints) = prints else {
            return PageIndex {
                by_path,
                fingerprints: Default::default(),
            };
        };
        let old = std::mem::take(&mut *prints.0.lock().unwrap_or_else(|e| e.into_inner()));
        let now: PrintMap = site
            .pages
            .par_iter()
            .map(|p| {
                let at = address(p);
                let print = match old.get(&at) {
                    Some((_, print)) => *print,
                    None => fingerprint(&**p),
                };
                (at, (p.clone(), print))
            })
            .collect();
        let fingerprints = now.iter().map(|(at, (_, print))| (*at, *print)).collect();
        *prints.0.lock().unwrap_or_else(|e| e.into_inner()) = now;
        // The views no page uses any more are freed beside the build.
        std::thread::spawn(move || drop(old));
        PageIndex {
            by_path,
            fingerprints,
        }
    }

    /// The fingerprint of a page of the site (each was made by [`PageIndex::of`]).
    fn fingerprint(&self, p: &PageView) -> u128 {
        match self.fingerprints.get(&address(p)) {
            Some(f) => *f,
            None => fingerprint(p),
        }
    }
}

/// A 128-bit SipHash of `value`'s JSON serialisation: what a template can
/// read of it (Tera's context is made from the same `Serialize`).
pub(crate) fn fingerprint<T: Serialize + ?Sized>(value: &T) -> u128 {
    struct HashWriter(siphasher::sip128::SipHasher13);
    impl std::io::Write for HashWriter {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            std::hash::Hasher::write(&mut self.0, buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    use siphasher::sip128::Hasher128;
    let mut w = HashWriter(siphasher::sip128::SipHasher13::new());
    // Writing to a hasher cannot fail; a value serde cannot write (none of
    // the site's views) still hashes what was written, plus a mark.
    if serde_json::to_writer(&mut w, value).is_err() {
        std::hash::Hasher::write(&mut w.0, b"\0unserialisable");
    }
    w.0.finish128().as_u128()
}

/// Every generated page's job (all pages but the content pages); with the
/// pages' fingerprints (`serve`), the facility pages and lists and the
/// offline page with their [`KeyFn`].
fn generated_page_jobs<'a>(
    site: &'a Site,
    memo: Option<&'a ItemMemo>,
    pages: Option<&Arc<PageIndex<'a>>>,
) -> Vec<KeyedJob<'a>> {
    let keyed = pages.is_some();
    /// A job that needs only the site.
    fn plain<'a>(make: impl Fn() -> PageJob + Send + Sync + 'a) -> KeyedJob<'a> {
        KeyedJob {
            make: Box::new(move |_: &Renderer| Ok(make())),
            key: None,
        }
    }
    let mut jobs: Vec<KeyedJob<'_>> = Vec::new();
    jobs.push(plain(move || home(site)));
    jobs.push(plain(move || contacts_index(site)));
    for m in &site.municipalities {
        jobs.push(KeyedJob {
            make: Box::new(move |r: &Renderer| Ok(municipality(site, m, r.card(&m.slug)))),
            key: None,
        });
    }
    for r in &site.regions {
        jobs.push(plain(move || region(site, r)));
    }
    jobs.push(plain(move || facilities_index(site)));
    jobs.extend(facility_jobs(site, memo, keyed));
    jobs.push(plain(search_page));
    jobs.push(plain(not_found));
    jobs.push(plain(move || emergency_sheet(site)));
    jobs.extend(
        sheets_in_languages(site)
            .into_iter()
            .map(|make| KeyedJob { make, key: None }),
    );
    jobs.push(KeyedJob {
        make: Box::new(move |_: &Renderer| Ok(offline_page(site))),
        key: pages.map(|pages| -> KeyFn<'a> {
            let pages = pages.clone();
            Box::new(move |_: &Renderer| offline_key(site, &pages))
        }),
    });
    if site.has_glossary {
        jobs.push(plain(move || glossary_page(site)));
    }
    jobs
}

/// The facilities' template values, each made once and shared by its page
/// and every list it is on (tera clones a `Value` by reference counting),
/// and their list entries, each rendered once, by the first list that needs
/// it (a facility is on 5-10 lists, and rendering the entries in each list
/// was most of the time of a build with many facilities). With `keyed`
/// (`serve`), the fingerprint of each facility's view.
struct FacilityValues<'a> {
    site: &'a Site,
    values: Vec<OnceLock<tera::Value>>,
    items: Vec<OnceLock<String>>,
    fingerprints: Vec<u128>,
}

impl FacilityValues<'_> {
    fn value(&self, i: usize) -> &tera::Value {
        self.values[i].get_or_init(|| tera::Value::from_serializable(&self.site.facilities[i]))
    }
}

/// The facility list pages and the facility pages.
fn facility_jobs<'a>(site: &'a Site, memo: Option<&'a ItemMemo>, keyed: bool) -> Vec<KeyedJob<'a>> {
    use rayon::prelude::*;
    let n = site.facilities.len();
    let mut shared = FacilityValues {
        site,
        values: (0..n).map(|_| OnceLock::new()).collect(),
        items: (0..n).map(|_| OnceLock::new()).collect(),
        fingerprints: Vec::new(),
    };
    if keyed {
        // `serve` makes only the values of the pages it renders again.
        shared.fingerprints = site.facilities.par_iter().map(fingerprint).collect();
    } else {
        (0..n).into_par_iter().for_each(|i| {
            shared.value(i);
        });
    }
    let shared = Arc::new(shared);
    let position: BTreeMap<*const FacilityView, usize> = site
        .facilities
        .iter()
        .enumerate()
        .map(|(i, f)| (f as *const FacilityView, i))
        .collect();
    let mut jobs = Vec::new();
    for list in site.facility_lists() {
        let members: Vec<usize> = list
            .facilities
            .iter()
            .map(|f| position[&(*f as *const FacilityView)])
            .collect();
        let list = Arc::new((list, members));
        let (for_make, for_key) = ((shared.clone(), list.clone()), (shared.clone(), list));
        jobs.push(KeyedJob {
            make: Box::new(move |r: &Renderer| {
                let (shared, list) = &for_make;
                let (list, members) = &**list;
                let mut html = String::new();
                for &i in members {
                    let entry = Entry {
                        id: &site.facilities[i].id,
                        value: shared.value(i),
                        page: &list.url_path,
                    };
                    html.push_str(facility_item(r, &shared.items[i], &entry, memo)?);
                }
                let entries = members.iter().map(|&i| shared.value(i)).collect();
                Ok(facility_list(site, list, entries, html))
            }),
            key: keyed.then(|| -> KeyFn<'a> {
                Box::new(move |_: &Renderer| {
                    let (shared, list) = &for_key;
                    facility_list_key(site, &list.0, &list.1, &shared.fingerprints)
                })
            }),
        });
    }
    for (i, f) in site.facilities.iter().enumerate() {
        let (for_make, for_key) = (shared.clone(), shared.clone());
        jobs.push(KeyedJob {
            make: Box::new(move |_: &Renderer| Ok(facility(site, f, for_make.value(i)))),
            key: keyed.then(|| -> KeyFn<'a> {
                Box::new(move |_: &Renderer| facility_key(site, f, for_key.fingerprints[i]))
            }),
        });
    }
    jobs
}

/// The [`JobKey`] of a facility list: what [`facility_list`] makes its
/// context of, each facility by its fingerprint (its list entry is a
/// function of its value, the templates and the global context).
fn facility_list_key(
    site: &Site,
    list: &crate::site::FacilityList,
    members: &[usize],
    fingerprints: &[u128],
) -> JobKey {
    #[derive(Serialize)]
    struct Key<'k> {
        base_path: &'k str,
        kind: &'k str,
        kind_label: &'k str,
        id: &'k str,
        label: &'k str,
        url_path: &'k str,
        facilities: Vec<u128>,
    }
    let key = Key {
        base_path: &site.base_path,
        kind: list.kind,
        kind_label: list.kind_label,
        id: &list.id,
        label: &list.label,
        url_path: &list.url_path,
        facilities: members.iter().map(|&i| fingerprints[i]).collect(),
    };
    let route = list.route();
    JobKey {
        out_path: route.file(),
        url_path: list.url_path.clone(),
        template: FACILITY_LIST_TEMPLATE.to_string(),
        fingerprint: fingerprint(&key),
    }
}

/// The [`JobKey`] of a facility's page: its view and the site's base path
/// (its crumbs).
fn facility_key(site: &Site, f: &FacilityView, view: u128) -> JobKey {
    let route = Route::Facility(&f.id);
    JobKey {
        out_path: route.file(),
        url_path: route.path(),
        template: FACILITY_TEMPLATE.to_string(),
        fingerprint: fingerprint(&(view, &site.base_path)),
    }
}

/// The list entry of a facility, rendered on first use. Two lists may render
/// the same entry at once; both get the same text and one is kept.
/// A facility's list entry to make: its id, its value, the list page that
/// needs it (named in an error).
struct Entry<'e> {
    id: &'e str,
    value: &'e tera::Value,
    page: &'e str,
}

fn facility_item<'a>(
    r: &Renderer,
    memo: &'a OnceLock<String>,
    entry: &Entry<'_>,
    earlier: Option<&ItemMemo>,
) -> Result<&'a str, RenderError> {
    if let Some(done) = memo.get() {
        return Ok(done);
    }
    let known = earlier.and_then(|e| e.get(entry.id, entry.value));
    let html = match known {
        Some(html) => html,
        None => {
            let html = r.facility_item(entry.value, entry.page)?;
            if let Some(e) = earlier {
                e.lock()
                    .insert(entry.id.to_string(), (entry.value.clone(), html.clone()));
            }
            html
        }
    };
    Ok(memo.get_or_init(|| html))
}

fn home(site: &Site) -> PageJob {
    let mut c = ctx(&Route::Home.path(), &site.title, "home");
    if let Some(p) = site.pages.iter().find(|p| p.path == "/") {
        c.insert("page", &**p);
    }
    c.insert("notices", &site.notices);
    c.insert(
        "news",
        &site
            .section_pages("news")
            .into_iter()
            .take(5)
            .collect::<Vec<_>>(),
    );
    job(Route::Home, "home.html", c)
}

fn contacts_index(site: &Site) -> PageJob {
    let route = Route::ContactsIndex;
    let mut c = ctx(&route.path(), "各市町村の相談窓口を探す", "contacts");
    c.insert("centres", &site.centres);
    job(route, "contacts.html", c)
}

fn municipality(site: &Site, m: &MunicipalityView, card: Option<&PdfLink>) -> PageJob {
    let route = Route::Municipality(&m.slug);
    let mut c = ctx(&route.path(), &format!("{}の相談窓口", m.name), "contacts");
    c.insert("m", m);
    c.insert("card", &card);
    c.insert("region", &site.regions.iter().find(|r| r.id == m.region_id));
    c.insert(
        "crumbs",
        &[Crumb {
            href: Route::ContactsIndex.href(&site.base_path),
            label: "窓口を探す".into(),
        }],
    );
    job(route, "municipality.html", c)
}

fn region(site: &Site, r: &RegionView) -> PageJob {
    let route = Route::Region(&r.id);
    let mut c = ctx(
        &route.path(),
        &format!("{}地域の相談窓口", r.name),
        "contacts",
    );
    c.insert("region", r);
    c.insert("members", &site.members(r));
    c.insert("centres", &site.centres_of_region(r));
    c.insert(
        "crumbs",
        &[Crumb {
            href: Route::ContactsIndex.href(&site.base_path),
            label: "窓口を探す".into(),
        }],
    );
    job(route, "region.html", c)
}

#[derive(Serialize)]
struct ListLink<'a> {
    href: String,
    label: &'a str,
    count: usize,
}

/// The facility hub: counts and links to every static list (works without JS),
/// plus the filter form that `facilities.js` enables.
fn facilities_index(site: &Site) -> PageJob {
    let route = Route::FacilitiesIndex;
    let mut c = ctx(&route.path(), "施設検索", "facilities");
    let lists = site.facility_lists();
    for kind in crate::routes::ListKind::ALL {
        let links: Vec<ListLink> = lists
            .iter()
            .filter(|l| l.list_kind == kind)
            .map(|l| ListLink {
                href: l.route().href(&site.base_path),
                label: &l.label,
                count: l.facilities.len(),
            })
            .collect();
        c.insert(format!("by_{}", kind.as_str()), &links);
    }
    c.insert("total", &site.facilities.len());
    c.insert("care", &site.care);
    c.insert("types", &site.facility_types);
    c.insert("care_groups", &term_groups(&site.care));
    c.insert("type_groups", &term_groups(&site.facility_types));
    c.insert("municipalities", &site.municipalities);
    job(route, "facilities.html", c)
}

/// Terms of a vocabulary under their `group`, for the filter's `<details>`.
#[derive(Serialize)]
struct TermGroup<'a> {
    /// `None`: the terms the file gives no group.
    name: Option<&'a str>,
    terms: Vec<&'a crate::site::TermView>,
}

/// Groups in the order they first appear in the file (a group written in
/// two places is still one group), terms in file order.
fn term_groups(terms: &[crate::site::TermView]) -> Vec<TermGroup<'_>> {
    let mut groups: Vec<TermGroup> = Vec::new();
    for t in terms {
        let name = t.group.as_deref();
        match groups.iter_mut().find(|g| g.name == name) {
            Some(g) => g.terms.push(t),
            None => groups.push(TermGroup {
                name,
                terms: vec![t],
            }),
        }
    }
    groups
}

/// [`crate::site::FacilityList`] as the template sees it, with the
/// facilities' values and list entries made once (see [`lazy_page_jobs`]).
#[derive(Serialize)]
struct FacilityListValue<'a> {
    kind: &'a str,
    kind_label: &'a str,
    id: &'a str,
    label: &'a str,
    url_path: &'a str,
    facilities: Vec<&'a tera::Value>,
    /// The entries (`partials/facility-item.html`) of all `facilities`.
    items_html: String,
}

fn facility_list(
    site: &Site,
    list: &crate::site::FacilityList,
    facilities: Vec<&tera::Value>,
    items_html: String,
) -> PageJob {
    let title = format!("{}の施設", list.label);
    let mut c = ctx(&list.url_path, &title, "facilities");
    c.insert(
        "list",
        &FacilityListValue {
            kind: list.kind,
            kind_label: list.kind_label,
            id: &list.id,
            label: &list.label,
            url_path: &list.url_path,
            facilities,
            items_html,
        },
    );
    c.insert(
        "crumbs",
        &[Crumb {
            href: Route::FacilitiesIndex.href(&site.base_path),
            label: "施設検索".into(),
        }],
    );
    job(list.route(), FACILITY_LIST_TEMPLATE, c)
}

fn facility(site: &Site, f: &FacilityView, value: &tera::Value) -> PageJob {
    let route = Route::Facility(&f.id);
    let mut c = ctx(&route.path(), &f.name, "facilities");
    c.insert("f", value);
    c.insert(
        "crumbs",
        &[Crumb {
            href: Route::FacilitiesIndex.href(&site.base_path),
            label: "施設検索".into(),
        }],
    );
    job(route, FACILITY_TEMPLATE, c)
}

fn search_page() -> PageJob {
    let route = Route::Search;
    job(
        route,
        "search.html",
        ctx(&route.path(), "サイト内検索", "search"),
    )
}

fn not_found() -> PageJob {
    let route = Route::NotFound;
    job(
        route,
        "404.html",
        ctx(&route.path(), "ページが見つかりません", ""),
    )
}

/// 緊急時情報シート: a form kept in the browser only (sheet.js), printable on A4.
fn emergency_sheet(site: &Site) -> PageJob {
    let route = Route::Sheet;
    let mut c = ctx(&route.path(), "緊急時情報シート", "emergency");
    c.insert("page_class", "page-sheet");
    let emergency = Route::Page("/emergency/");
    let parent = site.pages.iter().find(|p| p.path == emergency.path());
    c.insert(
        "crumbs",
        &[Crumb {
            href: emergency.href(&site.base_path),
            label: parent.map_or_else(|| "緊急時対応".into(), |p| p.title.clone()),
        }],
    );
    job(route, "sheet.html", c)
}

/// The emergency sheet of every language but Japanese (`Route::SheetIn`).
fn sheets_in_languages(site: &Site) -> Vec<MakeJob<'_>> {
    site.strings
        .keys()
        .filter(|c| *c != crate::kinds::i18n::JA)
        .map(|code| -> MakeJob<'_> {
            Box::new(move |_: &Renderer| Ok(emergency_sheet_in(site, code)))
        })
        .collect()
}

/// 緊急時情報シート in another language (`sheet-lang.html`): its strings, the
/// Japanese ones beside them, and the way back to this language's emergency pages.
fn emergency_sheet_in(site: &Site, code: &str) -> PageJob {
    let route = Route::SheetIn(code);
    let strings = &site.strings[code];
    let mut c = ctx(&route.path(), &strings.sheet.title, "emergency");
    c.insert("page_class", "page-sheet");
    c.insert("i18n", strings);
    if let Some(ja) = site.strings.get(crate::kinds::i18n::JA) {
        c.insert("ja", ja);
    }
    let own = format!("/{code}/emergency/");
    let parent = site
        .pages
        .iter()
        .find(|p| p.path == own)
        .or_else(|| site.pages.iter().find(|p| p.path == "/emergency/"));
    let back = parent.map_or_else(
        || Route::Home.href(&site.base_path),
        |p| Route::Page(&p.path).href(&site.base_path),
    );
    c.insert("back_href", &back);
    if let Some(p) = parent {
        c.insert(
            "crumbs",
            &[Crumb {
                href: back.clone(),
                label: p.title.clone(),
            }],
        );
    }
    job(route, "sheet-lang.html", c)
}

/// What the service worker shows for a page that is not saved on the device.
fn offline_page(site: &Site) -> PageJob {
    let route = Route::Offline;
    let mut c = ctx(&route.path(), "オフラインです", "");
    c.insert("emergency", &site.section_pages("emergency"));
    c.insert("saved", &crate::offline::OfflinePlan::of(site));
    job(route, OFFLINE_TEMPLATE, c)
}

const OFFLINE_TEMPLATE: &str = "offline.html";

/// The [`JobKey`] of the offline page: what [`offline_page`] makes its
/// context of, each emergency page by its fingerprint (a large site has
/// hundreds, each with its HTML).
fn offline_key(site: &Site, pages: &PageIndex<'_>) -> JobKey {
    let emergency: Vec<u128> = site
        .section_pages("emergency")
        .into_iter()
        .map(|p| pages.fingerprint(p))
        .collect();
    let saved = crate::offline::OfflinePlan::of(site);
    let route = Route::Offline;
    JobKey {
        out_path: route.file(),
        url_path: route.path(),
        template: OFFLINE_TEMPLATE.to_string(),
        fingerprint: fingerprint(&(emergency, saved)),
    }
}

/// 用語集: every term by 行, each with its anchor (the pages link their first use of a term here).
fn glossary_page(site: &Site) -> PageJob {
    let route = Route::Glossary;
    let mut c = ctx(&route.path(), "用語集", "glossary");
    c.insert("rows", &site.glossary);
    job(route, "glossary.html", c)
}

/// Everything a content page's context is made of: [`content_page`] reads
/// nothing else, so equal inputs make equal contexts, and [`content_key`]
/// fingerprints them instead of the context.
struct ContentInputs<'a> {
    page: &'a PageView,
    /// The page's charts (`stats:`), when it names any.
    charts: Option<Vec<&'a crate::kinds::stats::StatsView>>,
    /// A translation's UI strings.
    i18n: Option<&'a crate::kinds::i18n::Strings>,
    /// A section index's pages.
    children: Option<Vec<&'a PageView>>,
    /// A section page's way back to its index.
    crumbs: Option<[Crumb; 1]>,
    template: String,
    /// The accessibility results, on the page that shows them.
    accessibility: Option<&'a Option<crate::kinds::accessibility::ResultsView>>,
}

fn content_inputs<'a>(
    site: &'a Site,
    pages: &PageIndex<'a>,
    p: &'a PageView,
    r: &Renderer,
) -> ContentInputs<'a> {
    let charts =
        (!p.stats.is_empty()).then(|| p.stats.iter().filter_map(|id| site.stats.get(id)).collect());
    let (index, i18n) = if p.lang == crate::kinds::i18n::JA {
        (format!("/{}/", p.section), None)
    } else {
        // A translation's section index is the translation of the Japanese index.
        (
            format!("/{}/{}/", p.lang, p.section),
            site.strings.get(&p.lang),
        )
    };
    let mut children = None;
    let mut crumbs = None;
    if p.path == index {
        children = Some(crate::kinds::pages::section_pages_in(
            &site.pages,
            &p.section,
            &p.lang,
        ));
    } else if let Some(parent) = pages.by_path.get(index.as_str()) {
        crumbs = Some([Crumb {
            href: Route::Page(&index).href(&site.base_path),
            label: parent.title.clone(),
        }]);
    }
    let template = crate::sections::page_template(p, |name| r.has_template(name));
    let accessibility =
        (template == crate::kinds::accessibility::TEMPLATE).then_some(&site.accessibility);
    ContentInputs {
        page: p,
        charts,
        i18n,
        children,
        crumbs,
        template,
        accessibility,
    }
}

fn content_page(inputs: &ContentInputs<'_>) -> PageJob {
    let p = inputs.page;
    let mut c = ctx(&p.path, &p.title, &p.section);
    c.insert("page", p);
    if let Some(charts) = &inputs.charts {
        c.insert("charts", charts);
    }
    if let Some(strings) = inputs.i18n {
        c.insert("i18n", strings);
    }
    if let Some(children) = &inputs.children {
        c.insert("children", children);
    }
    if let Some(crumbs) = &inputs.crumbs {
        c.insert("crumbs", crumbs);
    }
    if let Some(accessibility) = inputs.accessibility {
        c.insert("accessibility", accessibility);
    }
    job(Route::Page(&p.path), inputs.template.clone(), c)
}

/// The [`JobKey`] of a content page: its inputs serialised with each page
/// view replaced by its fingerprint (made once per build, not once per list
/// the page is on).
fn content_key(inputs: &ContentInputs<'_>, pages: &PageIndex<'_>) -> JobKey {
    #[derive(Serialize)]
    struct Key<'k> {
        page: u128,
        charts: &'k Option<Vec<&'k crate::kinds::stats::StatsView>>,
        i18n: Option<&'k crate::kinds::i18n::Strings>,
        children: Option<Vec<u128>>,
        crumbs: &'k Option<[Crumb; 1]>,
        template: &'k str,
        accessibility: Option<&'k Option<crate::kinds::accessibility::ResultsView>>,
    }
    let p = inputs.page;
    let key = Key {
        page: pages.fingerprint(p),
        charts: &inputs.charts,
        i18n: inputs.i18n,
        children: inputs
            .children
            .as_ref()
            .map(|c| c.iter().map(|child| pages.fingerprint(child)).collect()),
        crumbs: &inputs.crumbs,
        template: &inputs.template,
        accessibility: inputs.accessibility,
    };
    let route = Route::Page(&p.path);
    JobKey {
        out_path: route.file(),
        url_path: route.path(),
        template: inputs.template.clone(),
        fingerprint: fingerprint(&key),
    }
}
