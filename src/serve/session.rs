//! The preview's builds, kept in memory between saves.
//!
//! Each rebuild runs the same load → validate → resolve as `ohisama build`
//! ([`build::check_with`]; only the pages whose file moved are read and
//! parsed again), then renders only the pages whose output can have
//! changed: a page's HTML is a function of the template files, Tera's global
//! context (`meta`) and the page's own context, so a page whose three inputs
//! equal those of its last render keeps its bytes. A template or `meta` edit
//! re-renders every page; a page or contacts edit re-renders the pages whose
//! context holds what moved (the page, its section list, the home page's news,
//! a municipality's page, its region's page …), found by comparing contexts
//! rather than by a hand-kept table that would go stale with the next template.
//! The output (pages, static files, feeds, `sw.js`, PDFs) is a map in memory;
//! the search export is built after the reload event ([`super::background`]).
//! `tests/incremental.rs` checks that the result equals a fresh `build`, byte
//! for byte, after random edit sequences.

use crate::build::{self, BuildError};
use crate::config::BuildOptions;
use crate::diagnostic::Diagnostics;
use crate::render::{PageJob, PdfLink, RenderError, Renderer};
use crate::routes::Route;
use crate::site::Site;
use crate::theme::Theme;
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// A preview build's output: output path (`contacts/index.html`) → bytes.
pub type Files = BTreeMap<String, Arc<[u8]>>;

/// A page as last rendered, with the inputs its bytes are a function of
/// (besides the templates and the global context, compared once per build).
struct PageMemo {
    template: String,
    inputs: Inputs,
    bytes: Arc<[u8]>,
}

/// What a page was rendered from: its context, or for a content page the
/// fingerprint of what its context is made of ([`crate::render::JobKey`]).
enum Inputs {
    Context(tera::Context),
    Key(u128),
}

/// A page as this build has it: where, with which template, made of what.
struct PageDone {
    out_path: String,
    url_path: String,
    template: String,
    inputs: Inputs,
}

/// A page of this build and its bytes.
type PageOut = (PageDone, Arc<[u8]>);

/// What the templates are: (name, file, bytes) of each, read before Tera
/// reads them (an edit in between then differs at the next build and
/// re-renders, instead of hiding behind a key that already saw it).
type TemplateKey = Vec<(String, std::path::PathBuf, Vec<u8>)>;

/// The PDFs a background job made (`serve --pdf`), shown on the pages and
/// served from memory.
#[derive(Default, Clone)]
pub(crate) struct PdfSet {
    pub files: Vec<(String, Vec<u8>)>,
    pub links: BTreeMap<String, PdfLink>,
    pub warnings: Diagnostics,
}

/// A good preview build.
pub struct Built {
    pub files: Arc<Files>,
    pub site: Arc<Site>,
    pub pages: usize,
    /// Pages rendered by this build (the others kept their bytes).
    pub rendered: usize,
    /// Warnings (a good build has no errors).
    pub diagnostics: Diagnostics,
    /// The theme used.
    pub theme: String,
    /// Output paths added, removed or changed since the previous good build
    /// (all of them for the first), `sw.js` aside: it changes with any
    /// precached file, and the preview does not serve it.
    pub changed: Vec<String>,
    /// Only static files moved: nothing was loaded, checked or rendered
    /// ([`Session::rebuild_changed`]).
    pub static_only: bool,
}

/// An edited page rendered before the rest of the site ([`Session::early_page`]).
pub struct EarlyPage {
    /// The last output with that page's new bytes.
    pub files: Arc<Files>,
    /// The page's output path (`news/x/index.html`).
    pub path: String,
    /// Whether its bytes moved.
    pub changed: bool,
}

/// The preview's builds of one site, kept between saves.
pub struct Session {
    opts: BuildOptions,
    pages: HashMap<String, PageMemo>,
    /// The templates and global context of the last good build.
    globals: Option<(TemplateKey, tera::Context)>,
    pdfs: PdfSet,
    last: Option<Arc<Files>>,
    /// Pages as last read: only the pages whose file moved are read again.
    page_files: crate::load::PageCache,
    /// Facility list entries as last rendered (cleared with the templates
    /// or the global context).
    items: crate::render::ItemMemo,
    /// The content pages' fingerprints, by view.
    prints: crate::render::PrintMemo,
    /// The feeds (sitemap, robots, Atom, facilities.json) and the
    /// fingerprint of what they were made of ([`crate::feeds::inputs_fingerprint`]).
    feeds: std::sync::Mutex<Option<(u128, Feeds)>>,
    /// The last good build's site, theme and warnings: what a save of a
    /// stylesheet or another static file reuses ([`Session::rebuild_static`]).
    good: Option<(Arc<Site>, Theme, Diagnostics)>,
    /// The static-file shortcut, the markdown memo and the early page are
    /// used (on unless `OHISAMA_SERVE_SHORTCUTS=0`, which measures what they
    /// save and rules them out when a preview differs from a build).
    shortcuts: bool,
    /// The templates as the last good build read them (for the early page).
    renderer: Option<Renderer>,
    /// The last rebuild was good: the markdown memo, `good` and `last` are
    /// of the same build.
    last_ok: bool,
    /// The output before an early page: what is served again when the
    /// rebuild that follows it fails.
    before_early: Option<Arc<Files>>,
}

impl Session {
    /// A session building with `opts` (its `out` is not used: the output
    /// stays in memory).
    pub fn new(opts: BuildOptions) -> Session {
        let shortcuts = std::env::var_os("OHISAMA_SERVE_SHORTCUTS").is_none_or(|v| v != "0");
        Session {
            opts,
            pages: HashMap::new(),
            globals: None,
            pdfs: PdfSet::default(),
            last: None,
            page_files: if shortcuts {
                crate::load::PageCache::default()
            } else {
                crate::load::PageCache::without_markdown()
            },
            items: crate::render::ItemMemo::default(),
            prints: crate::render::PrintMemo::default(),
            feeds: Default::default(),
            good: None,
            shortcuts,
            renderer: None,
            last_ok: false,
            before_early: None,
        }
    }

    pub fn options(&self) -> &BuildOptions {
        &self.opts
    }

    /// The output of the last good build.
    pub fn files(&self) -> Option<Arc<Files>> {
        self.last.clone()
    }

    /// Uses these PDFs from the next build on.
    pub(crate) fn set_pdfs(&mut self, pdfs: PdfSet) {
        self.pdfs = pdfs;
        // Its links are in the renderer's global context.
        self.renderer = None;
    }

    /// Re-reads the site and brings the output up to date. On errors the
    /// last good output is kept and the diagnostics are returned.
    pub fn rebuild(&mut self) -> Result<Built, Diagnostics> {
        self.last_ok = false;
        self.renderer = None;
        let built = self.rebuild_all();
        match &built {
            Ok(_) => self.before_early = None,
            // What was served before the early page (the last good build).
            Err(_) => {
                if let Some(before) = self.before_early.take() {
                    self.last = Some(before);
                }
            }
        }
        built
    }

    fn rebuild_all(&mut self) -> Result<Built, Diagnostics> {
        let (site, mut diags, theme) = build::check_with_theme(&self.opts, Some(&self.page_files))?;
        let mut t = build::Timings::new();
        let key = template_key(&theme);
        let mut renderer = Renderer::new(&theme, &site, &self.pdfs.links, &self.opts.dev_script)
            .map_err(|e| build::invalid(e.to_diagnostic()).diagnostics())?;
        let globals = key.map(|k| (k, renderer.global_context()));
        let reuse = globals.is_some() && globals == self.globals;
        t.lap("templates");
        // A failed build leaves no list entries behind: they may have been
        // rendered with templates the next build compares as unchanged.
        let forget = |d: Diagnostics, items: &crate::render::ItemMemo| {
            items.clear();
            d
        };
        let (jobs, rendered) = self
            .render_pages(&site, &renderer, reuse)
            .map_err(|d| forget(d, &self.items))?;
        t.lap("pages (changed)");

        let mut files = Files::new();
        for (job, bytes) in &jobs {
            files.insert(job.out_path.clone(), bytes.clone());
        }
        self.add_extras(&theme, &site, &jobs, &mut files, &mut diags)
            .map_err(|d| forget(d, &self.items))?;
        diags.0.retain(|d| !d.is_error());
        t.lap("static + feeds");

        let pages = jobs
            .into_iter()
            .map(|(job, bytes)| {
                let memo = PageMemo {
                    template: job.template,
                    inputs: job.inputs,
                    bytes,
                };
                (job.out_path, memo)
            })
            .collect();
        let old_pages = std::mem::replace(&mut self.pages, pages);
        self.globals = globals;
        let files = Arc::new(files);
        let changed = changed_paths(self.last.as_deref(), &files);
        self.last = Some(files.clone());
        let site = Arc::new(site);
        let name = theme.name.clone();
        let old_good = self.good.replace((site.clone(), theme, diags.clone()));
        // Freeing the last build's contexts and site (many small strings)
        // takes tens of ms on a large site: beside the reload, not before it.
        std::thread::spawn(move || drop((old_pages, old_good)));
        self.renderer = Some(renderer);
        self.last_ok = true;
        t.lap("diff");
        Ok(Built {
            files,
            pages: self.pages.len(),
            site,
            rendered,
            diagnostics: diags,
            theme: name,
            changed,
            static_only: false,
        })
    }

    /// [`Session::rebuild`] after a save of `changed` (paths relative to the
    /// site folder): when each is a static file of the theme that the last
    /// good build already served, only those files and `sw.js` move (no page
    /// reads a static file's bytes), so nothing is loaded, checked or
    /// rendered. Anything else (a file added, removed, a link, the favicon
    /// that makes `favicon.ico`, a page …) takes the full path.
    pub fn rebuild_changed(&mut self, changed: &[String]) -> Result<Built, Diagnostics> {
        match self.rebuild_static(changed) {
            Some(built) => Ok(built),
            None => self.rebuild(),
        }
    }

    /// The edited page first: when `changed` is one page of the last good
    /// build whose markdown text alone moved (front matter, file and
    /// language as they were; Japanese, not the home page),
    /// its new bytes, rendered with the last good build's site and templates
    /// (only its own view differs), so that the page being edited reloads
    /// before the rest of the site is rebuilt. A text edit changes nothing
    /// else the page's context holds: its section list, crumbs and the
    /// global context come from other pages and from data. The
    /// [`Session::rebuild_changed`] that must follow is the real build: it
    /// renders every page that shows this one (section list, home …), and
    /// if it fails, the output before the early page is served again.
    /// `tests/incremental.rs` checks that the early bytes are the build's.
    pub fn early_page(&mut self, changed: &[String]) -> Option<EarlyPage> {
        if !self.shortcuts || !self.last_ok {
            return None;
        }
        let [rel] = changed else {
            return None;
        };
        let (page, at, key) = self.page_text_edit(rel)?;
        let (site, _, _) = self.good.as_ref()?;
        let (renderer, last) = (self.renderer.as_ref()?, self.last.as_ref()?);
        let out = crate::validate::with_markdown_options(&key, |md| {
            crate::kinds::pages::render_page(&page, md)
        });
        // What the check would report: the rebuild shows it.
        if !out.rejected_urls.is_empty() || !out.ruby_problems.is_empty() {
            return None;
        }
        let mut view = crate::kinds::pages::view_alone(&page, out, &site.base_path);
        // Its language versions (links to them, made of their paths and
        // languages alone: see `i18n::attach`).
        view.alternates = site.pages[at].alternates.clone();
        let mut site = Site::clone(site);
        site.pages[at] = Arc::new(view);
        let job = crate::render::content_page_job(&site, at, renderer)?;
        let bytes: Arc<[u8]> = Arc::from(renderer.render(&job).ok()?.into_bytes());
        if last.get(&job.out_path).is_some_and(|old| *old == bytes) {
            // Saved as it was: nothing to serve first.
            return Some(EarlyPage {
                files: last.clone(),
                path: job.out_path,
                changed: false,
            });
        }
        let mut files = Files::clone(last);
        files.insert(job.out_path.clone(), bytes);
        let files = Arc::new(files);
        self.before_early.get_or_insert_with(|| last.clone());
        self.last = Some(files.clone());
        Some(EarlyPage {
            files,
            path: job.out_path,
            changed: true,
        })
    }

    /// The page `rel` read again, its place in the last good site and the
    /// key its markdown was rendered with, when it is a Japanese page of that
    /// site (not the home page; a translation's view is made of its Japanese
    /// page's) whose markdown text alone moved.
    fn page_text_edit(
        &self,
        rel: &str,
    ) -> Option<(crate::model::Page, usize, crate::kinds::pages::MarkdownKey)> {
        let (site, _, _) = self.good.as_ref()?;
        let (old_page, key) = self.page_files.markdown.as_ref()?.last(rel)?;
        let at = site.pages.iter().position(|v| v.file == rel)?;
        let view = &site.pages[at];
        if view.path == "/" || view.translation.is_some() {
            return None;
        }
        let page = crate::load::read_page_alone(&self.opts.root, rel)?;
        let alone = page.original.is_none() && page.lang == crate::kinds::i18n::JA;
        (alone && crate::kinds::pages::same_but_text(&old_page, &page)).then_some((page, at, key))
    }

    fn rebuild_static(&mut self, changed: &[String]) -> Option<Built> {
        if !self.shortcuts {
            return None;
        }
        let (site, theme, diags) = self.good.as_ref()?;
        let last = self.last.as_ref()?;
        if changed.is_empty() {
            return None;
        }
        // Every file first: a page save (the usual case) returns before the
        // output map (thousands of entries) is copied.
        let mut edits = Vec::with_capacity(changed.len());
        for rel in changed {
            let (key, bytes) = static_edit(&self.opts.root, theme, rel)?;
            if !last.contains_key(&key) {
                return None;
            }
            edits.push((key, bytes));
        }
        let mut files = Files::clone(last);
        for (key, bytes) in edits {
            files.insert(key, Arc::from(bytes));
        }
        let sw = service_worker(site, &files).ok()?;
        files.insert(Route::ServiceWorker.file(), Arc::from(sw.into_bytes()));
        let files = Arc::new(files);
        let built = Built {
            changed: changed_paths(Some(last), &files),
            files: files.clone(),
            site: site.clone(),
            pages: self.pages.len(),
            rendered: 0,
            diagnostics: diags.clone(),
            theme: theme.name.clone(),
            static_only: true,
        };
        self.last = Some(files);
        Some(built)
    }

    /// Every page with its bytes (re-rendered, or the last ones when
    /// `reuse` and its template and inputs are unchanged), in page order,
    /// and the number rendered. The first failure in page order is the error
    /// (as in `build`).
    fn render_pages(
        &self,
        site: &Site,
        renderer: &Renderer,
        reuse: bool,
    ) -> Result<(Vec<PageOut>, usize), Diagnostics> {
        if !reuse {
            self.items.clear();
        }
        let mut t = build::Timings::new();
        let jobs = crate::render::keyed_page_jobs(site, Some(&self.items), &self.prints);
        t.lap(" p: jobs");
        // Each page with whether it was rendered now.
        let results: Vec<Result<(PageOut, bool), RenderError>> = jobs
            .par_iter()
            .map(|job| match &job.key {
                Some(key) => self.keyed_page(key(renderer), &job.make, renderer, reuse),
                None => self.page(&job.make, renderer, reuse),
            })
            .collect();
        t.lap(" p: keys+render");
        let mut pages = Vec::with_capacity(results.len());
        let mut rendered = 0;
        for r in results {
            let (page, fresh) = r.map_err(|e| build::invalid(e.to_diagnostic()).diagnostics())?;
            rendered += usize::from(fresh);
            pages.push(page);
        }
        Ok((pages, rendered))
    }

    /// A page whose context is compared with its last one.
    fn page(
        &self,
        make: &crate::render::MakeJob<'_>,
        renderer: &Renderer,
        reuse: bool,
    ) -> Result<(PageOut, bool), RenderError> {
        let job = make(renderer)?;
        let kept = self.pages.get(&job.out_path).filter(|memo| {
            reuse
                && memo.template == job.template
                && matches!(&memo.inputs, Inputs::Context(c) if *c == job.context)
        });
        let (bytes, fresh) = match kept {
            Some(memo) => (memo.bytes.clone(), false),
            None => (Arc::from(renderer.render(&job)?.into_bytes()), true),
        };
        let done = PageDone {
            out_path: job.out_path,
            url_path: job.url_path,
            template: job.template,
            inputs: Inputs::Context(job.context),
        };
        Ok(((done, bytes), fresh))
    }

    /// A content page: its context is made only when its key moved.
    fn keyed_page(
        &self,
        key: crate::render::JobKey,
        make: &crate::render::MakeJob<'_>,
        renderer: &Renderer,
        reuse: bool,
    ) -> Result<(PageOut, bool), RenderError> {
        let kept = self.pages.get(&key.out_path).filter(|memo| {
            reuse
                && memo.template == key.template
                && matches!(memo.inputs, Inputs::Key(k) if k == key.fingerprint)
        });
        let (bytes, fresh) = match kept {
            Some(memo) => (memo.bytes.clone(), false),
            None => {
                let job = make(renderer)?;
                debug_assert_eq!(
                    (&job.out_path, &job.template),
                    (&key.out_path, &key.template)
                );
                (Arc::from(renderer.render(&job)?.into_bytes()), true)
            }
        };
        let done = PageDone {
            out_path: key.out_path,
            url_path: key.url_path,
            template: key.template,
            inputs: Inputs::Key(key.fingerprint),
        };
        Ok(((done, bytes), fresh))
    }

    /// What `build` writes besides the pages and the search export: the
    /// theme's static files, the feeds, the PDFs and the service worker, with
    /// the warnings `build` gives for them (PDFs, offline plan), in its order.
    fn add_extras(
        &self,
        theme: &Theme,
        site: &Site,
        jobs: &[PageOut],
        files: &mut Files,
        diags: &mut Diagnostics,
    ) -> Result<(), Diagnostics> {
        let mut t = build::Timings::new();
        let failed = |e: BuildError| e.diagnostics();
        diags.extend(self.pdfs.warnings.0.clone());
        for (path, bytes) in build::static_files(theme).map_err(failed)? {
            files.insert(path, Arc::from(bytes));
        }
        let page_jobs: Vec<PageJob> = jobs
            .iter()
            .map(|(j, _)| PageJob {
                out_path: j.out_path.clone(),
                url_path: j.url_path.clone(),
                template: String::new(),
                context: tera::Context::new(),
            })
            .collect();
        t.lap(" x: static+jobs");
        for (path, bytes) in self.feeds(site, &page_jobs) {
            files.insert(path, bytes);
        }
        t.lap(" x: feeds");
        for (path, bytes) in &self.pdfs.files {
            files.insert(path.clone(), Arc::from(bytes.as_slice()));
        }
        let sw = service_worker(site, files).map_err(|e| {
            let mut d = Diagnostics::default();
            d.push(crate::diagnostic::Diagnostic::error(
                Route::ServiceWorker.file(),
                0,
                0,
                e.to_string(),
            ));
            d
        })?;
        files.insert(Route::ServiceWorker.file(), Arc::from(sw.into_bytes()));
        t.lap(" x: sw");
        diags
            .0
            .extend(crate::offline::OfflinePlan::of(site).warnings(site));
        t.lap(" x: offline");
        Ok(())
    }
}

impl Session {
    /// The feeds of `site`: those of the last build while what they are made
    /// of is the same (a page's text edit moves none of them, and the
    /// sitemap alone is thousands of lines on a large site).
    fn feeds(&self, site: &Site, jobs: &[PageJob]) -> Feeds {
        if !self.shortcuts {
            return made_feeds(site, jobs);
        }
        let key = crate::feeds::inputs_fingerprint(site, jobs);
        let mut memo = self.feeds.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((kept, feeds)) = &*memo
            && *kept == key
        {
            return feeds.clone();
        }
        let feeds = made_feeds(site, jobs);
        *memo = Some((key, feeds.clone()));
        feeds
    }
}

/// The feeds as (output path, bytes).
type Feeds = Vec<(String, Arc<[u8]>)>;

fn made_feeds(site: &Site, jobs: &[PageJob]) -> Feeds {
    crate::feeds::extra_files(site, jobs)
        .into_iter()
        .map(|(path, body)| (path, Arc::from(body.into_bytes())))
        .collect()
}

/// The output path and new bytes of `rel` (relative to the site folder)
/// when it is a plain file (no link) in the theme's `static/` folder, other
/// than the favicon; None otherwise.
fn static_edit(root: &std::path::Path, theme: &Theme, rel: &str) -> Option<(String, Vec<u8>)> {
    let path = root.join(rel);
    let dir = theme.static_dir();
    if !dir.symlink_metadata().ok()?.is_dir() {
        return None;
    }
    let inside = path.strip_prefix(&dir).ok()?;
    let inside = inside.to_str()?;
    let plain = inside
        .split('/')
        .all(|part| !part.is_empty() && part != "." && part != "..");
    if !plain || inside == crate::routes::FAVICON_PNG {
        return None;
    }
    // Each folder on the way and the file itself: real, not a link.
    let mut at = dir;
    for part in inside.split('/') {
        at.push(part);
        if at.symlink_metadata().ok()?.file_type().is_symlink() {
            return None;
        }
    }
    if !at.symlink_metadata().ok()?.is_file() {
        return None;
    }
    let bytes = std::fs::read(&path).ok()?;
    Some((Route::Asset(inside).file(), bytes))
}

/// `sw.js` of an output held in memory.
fn service_worker(site: &Site, files: &Files) -> std::io::Result<String> {
    let pdfs = files
        .keys()
        .filter(|k| k.starts_with("pdf/"))
        .cloned()
        .collect();
    let read = |rel: &str| {
        files
            .get(rel)
            .map(|b| b.to_vec())
            .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::NotFound))
    };
    let version = crate::offline::version_with(site, pdfs, &read)?;
    crate::offline::service_worker_of(site, version)
}

/// The template files with their bytes; None when one cannot be read (the
/// build then re-renders every page).
fn template_key(theme: &Theme) -> Option<TemplateKey> {
    let files = theme.templates().ok()?;
    files
        .into_iter()
        .map(|t| {
            let bytes = std::fs::read(&t.path).ok()?;
            Some((t.name, t.path, bytes))
        })
        .collect()
}

/// Output paths added, removed or changed between two outputs (`sw.js` aside).
fn changed_paths(old: Option<&Files>, new: &Files) -> Vec<String> {
    let sw = Route::ServiceWorker.file();
    let Some(old) = old else {
        return new.keys().filter(|k| **k != sw).cloned().collect();
    };
    let mut changed: Vec<String> = new
        .iter()
        // A kept page is the same `Arc`: no need to compare its bytes.
        .filter(|(k, v)| **k != sw && !old.get(*k).is_some_and(|o| Arc::ptr_eq(o, v) || o == *v))
        .map(|(k, _)| k.clone())
        .collect();
    changed.extend(old.keys().filter(|k| !new.contains_key(*k)).cloned());
    changed.sort();
    changed
}
