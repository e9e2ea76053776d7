//! One build: load → validate → resolve → render (pages, PDFs, search) → write.
//! A build is a pure function of the input folder: same input, same bytes.

use crate::config::BuildOptions;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::output::{Found, OutputError, OutputTarget, Staging};
use crate::render::{PdfLink, RenderError, Renderer};
use crate::routes::{PdfPart, Route};
use crate::site::Site;
use crate::theme::Theme;
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// The input has errors; nothing was written.
    #[error("入力にエラーがあります ({})", .0.summary())]
    Invalid(Diagnostics),
    /// The output could not be written, or `--out` names a folder that must not
    /// be replaced (nothing was touched).
    #[error(transparent)]
    Output(#[from] OutputError),
}

impl BuildError {
    /// The problems as diagnostics (an output failure becomes one).
    pub fn diagnostics(&self) -> Diagnostics {
        match self {
            BuildError::Invalid(d) => d.clone(),
            BuildError::Output(e) => {
                let file = e
                    .path()
                    .map_or_else(|| "dist".to_string(), |p| p.display().to_string());
                let mut d = Diagnostics::default();
                d.push(Diagnostic::error(file, 0, 0, e.message()).hint(e.hint()));
                d
            }
        }
    }
}

#[derive(Debug)]
pub struct BuildReport {
    pub pages: usize,
    pub files: usize,
    pub pdfs: usize,
    /// Warnings of a successful build.
    pub diagnostics: Diagnostics,
    /// Things done besides the build, said once: leftovers of killed builds
    /// removed, an earlier version's unmarked output adopted.
    pub notes: Vec<String>,
    pub duration: Duration,
    /// The theme the build used (its `static/` is what `serve` reloads CSS from).
    pub theme: String,
}

/// `OHISAMA_TIMINGS=1`: the time of each build phase on stderr (for benchmarks).
pub(crate) struct Timings {
    on: bool,
    last: Instant,
}

impl Timings {
    pub(crate) fn new() -> Timings {
        Timings {
            on: std::env::var_os("OHISAMA_TIMINGS").is_some_and(|v| v != "0"),
            last: Instant::now(),
        }
    }

    pub(crate) fn lap(&mut self, phase: &str) {
        if self.on {
            let now = Instant::now();
            // Peak and current memory so far (Linux), to see which phase sets the peak.
            let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
            let kib = |key: &str| {
                status
                    .lines()
                    .find_map(|l| l.strip_prefix(key))
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
                    .unwrap_or(0)
            };
            eprintln!(
                "timing {phase:<16} {:>9.1} ms  (rss {} MiB, peak {} MiB)",
                (now - self.last).as_secs_f64() * 1e3,
                kib("VmRSS:") / 1024,
                kib("VmHWM:") / 1024
            );
            self.last = now;
        }
    }
}

/// Loads and checks a site without writing anything (`ohisama check`):
/// load → validate (rules, markdown, link check) → resolve, the last only
/// when nothing is an error.
pub fn check(opts: &BuildOptions) -> Result<(Site, Diagnostics), Diagnostics> {
    check_with(opts, None)
}

/// [`check`], re-reading only the pages that moved since `cache` saw them
/// (`serve`); the result is the same.
pub fn check_with(
    opts: &BuildOptions,
    cache: Option<&crate::load::PageCache>,
) -> Result<(Site, Diagnostics), Diagnostics> {
    check_with_theme(opts, cache).map(|(site, diags, _)| (site, diags))
}

/// [`check_with`], also handing back the theme it opened, so that a build
/// does not open (for the built-in theme: unpack and compare) it again.
pub(crate) fn check_with_theme(
    opts: &BuildOptions,
    cache: Option<&crate::load::PageCache>,
) -> Result<(Site, Diagnostics, Theme), Diagnostics> {
    let mut t = Timings::new();
    let loaded = match cache {
        Some(cache) => crate::load::load_site_cached(&opts.root, cache),
        None => crate::load::load_site(&opts.root),
    };
    t.lap("load");
    let mut diags = loaded.diagnostics;
    let name = opts
        .theme
        .as_deref()
        .unwrap_or(crate::site::theme_name(&loaded.raw));
    let theme = match Theme::open(&opts.root, name) {
        Ok(theme) => theme,
        Err(e) => {
            diags.extend(theme_problem(&e).0);
            diags.finish(&loaded.sources);
            return Err(diags);
        }
    };
    let resolve_options = crate::site::ResolveOptions {
        base_url: opts.base_url.as_deref(),
        drafts: opts.drafts,
        today: opts.today,
    };
    let (found, checked) = crate::validate::validate_with(
        &loaded.raw,
        &resolve_options,
        &crate::links::LinkContext::of(&theme),
        cache.and_then(|c| c.markdown.as_ref()),
    );
    diags.extend(found.0);
    t.lap("validate");
    let head = crate::git::Head::of(&opts.root);
    let (raw, sources) = (&loaded.raw, &loaded.sources);
    diags.extend(crate::freshness::reminders(&opts.root, head.as_ref(), raw, sources).0);
    diags.extend(crate::kinds::i18n::stale(head.as_ref(), raw).0);
    diags.extend(crate::kinds::i18n::comment_cut(&loaded.sources, &loaded.raw).0);
    t.lap("freshness");
    diags.finish(&loaded.sources);
    let result = match checked {
        Some(checked) if !diags.has_errors() => {
            let site = crate::site::resolve(checked);
            t.lap("resolve");
            Ok((site, diags, theme))
        }
        _ => Err(diags),
    };
    if cache.is_some() {
        // `serve`: the raw site and the texts (every page's, tens of MB on a
        // large site) are freed beside the reload, not before it.
        let (raw, sources) = (loaded.raw, loaded.sources);
        std::thread::spawn(move || drop((raw, sources)));
    }
    result
}

/// Builds the site into `opts.out`. On any error the old output is left untouched.
/// An `--out` that could hold someone's files is refused before anything is read
/// or written ([`OutputTarget::check`]).
pub fn build(opts: &BuildOptions) -> Result<BuildReport, BuildError> {
    let started = Instant::now();
    let target = OutputTarget::check(&opts.root, &opts.out)?;
    let (mut site, mut diags, theme) = check_with_theme(opts, None).map_err(BuildError::Invalid)?;
    let mut t = Timings::new();
    // The search documents first, while each page's view is only the
    // site's: their section texts are moved, not copied (the search export
    // beside the page rendering is the build's peak; 50k pages: ~60 MiB).
    let search_docs = opts
        .search
        .then(|| crate::derived::search_docs_taking_texts(&mut site));
    t.lap("search docs");

    let notes = output_notes(opts, &target);
    let staging = Staging::new(&target.path)?;
    let pdf_links = stage_pdfs(opts, &theme, &site, &staging, &mut diags)?;
    // One build renders its PDFs once: typst's memoisation cache (laid-out
    // pages, shaped text) is not asked again, and the search export, the
    // build's peak, can use that memory (50k pages: 1,135 → see DESIGN).
    // `serve` keeps it between rebuilds (`pdf.rs` evicts by age only).
    typst::comemo::evict(0);
    let renderer = Renderer::new(&theme, &site, &pdf_links, &opts.dev_script)
        .map_err(|e| invalid(e.to_diagnostic()))?;
    t.lap("pdf + templates");

    let make_jobs = crate::render::lazy_page_jobs(&site);
    t.lap("page list");
    let (jobs, search) = render_and_index(&site, search_docs, &renderer, &make_jobs, &staging)?;
    t.lap("render + search");

    let mut files = jobs.len() + stage_extras(&theme, &site, &jobs, &staging, &mut diags)?;
    t.lap("static + feeds");
    files += search.unwrap_or(0);
    staging.commit()?;
    t.lap("commit");
    diags.0.retain(|d| !d.is_error());
    let pages = jobs.len();
    // Freeing a large site (millions of small strings) takes a noticeable
    // part of a second: do it beside whatever comes next (the CLI exits,
    // `serve` answers requests) instead of before the report.
    drop((renderer, make_jobs));
    std::thread::spawn(move || drop((site, jobs)));
    Ok(BuildReport {
        pages,
        files,
        pdfs: pdf_links.len(),
        diagnostics: diags,
        notes,
        duration: started.elapsed(),
        theme: theme.name,
    })
}

/// What the build does to the output folder besides replacing it, said
/// once: leftovers of killed builds removed (the sweep happens here), an
/// earlier version's unmarked output adopted.
fn output_notes(opts: &BuildOptions, target: &OutputTarget) -> Vec<String> {
    let root = crate::output::resolve(&opts.root);
    let mut notes =
        crate::output::leftovers::sweep(&target.path, &root.join(".cache")).notes(&root);
    if target.found == Found::EarlierOutput {
        notes.push(format!(
            "{} は目印 ({}) の無い、以前の版の ohisama の出力と判断して置き換えます。これからは目印で見分けます",
            target.path.display(),
            crate::output::marker::MARKER
        ));
    }
    notes
}

/// Renders the PDFs (when asked for) into the staging folder; returns the
/// links the pages show, by region id (`all` for the whole directory) and,
/// for the contact cards, by their site path (`/pdf/card-chigasaki.pdf`).
fn stage_pdfs(
    opts: &BuildOptions,
    theme: &Theme,
    site: &Site,
    staging: &Staging,
    diags: &mut Diagnostics,
) -> Result<BTreeMap<String, PdfLink>, BuildError> {
    if !opts.pdf {
        return Ok(BTreeMap::new());
    }
    let (files, pdf_links) = pdf_outputs(opts, theme, site, diags)?;
    for (path, bytes) in files {
        staging.write(&path, &bytes)?;
    }
    Ok(pdf_links)
}

/// The PDFs of the site as (output path, bytes), and the links the pages
/// show, by region id (`all` for the whole directory). Also used by `serve`,
/// which renders them off the reload path.
pub(crate) fn pdf_outputs(
    opts: &BuildOptions,
    theme: &Theme,
    site: &Site,
    diags: &mut Diagnostics,
) -> Result<(PdfFiles, BTreeMap<String, PdfLink>), BuildError> {
    let mut pdf_links: BTreeMap<String, PdfLink> = BTreeMap::new();
    let mut out = Vec::new();
    for file in render_pdfs(opts, theme, site, diags)? {
        let route = Route::Pdf(match (&file.card_of, &file.region_id) {
            (Some(slug), _) => PdfPart::Card(slug),
            (None, Some(region)) => PdfPart::Region(region),
            (None, None) => PdfPart::All,
        });
        let key = match (&file.card_of, &file.region_id) {
            (Some(_), _) => route.path(),
            (None, region) => region.clone().unwrap_or_else(|| "all".into()),
        };
        pdf_links.insert(
            key,
            PdfLink {
                href: route.href(&site.base_path),
                file_name: file.file_name.clone(),
                size_label: crate::render::size_label(file.bytes.len()),
                pages: file.pages,
            },
        );
        out.push((route.file(), file.bytes));
    }
    Ok((out, pdf_links))
}

/// PDF files as (output path, bytes).
pub(crate) type PdfFiles = Vec<(String, Vec<u8>)>;

/// Renders every page into the staging folder and, beside it, exports the
/// search documents `docs` of `site` (when there are any) into `search/` of
/// the staging folder. Returns the page jobs (without their contexts) and
/// the number of files the search export wrote.
fn render_and_index(
    site: &Site,
    docs: Option<Vec<crate::search::SearchDoc>>,
    renderer: &Renderer,
    make_jobs: &[crate::render::MakeJob],
    staging: &Staging,
) -> Result<(Vec<crate::render::PageJob>, Option<usize>), BuildError> {
    // Each page's context (the largest memory of the build) is made on a
    // worker thread and dropped once the page is written.
    let (rendered, search) = rayon::join(
        || {
            let mut rt = Timings::new();
            let pages = make_jobs
                .par_iter()
                .map(|make| {
                    let rendering_failed = |e: RenderError| invalid(e.to_diagnostic());
                    let job = make(renderer).map_err(rendering_failed)?;
                    let html = renderer.render(&job).map_err(rendering_failed)?;
                    staging.write(&job.out_path, html.as_bytes())?;
                    Ok(crate::render::PageJob {
                        context: tera::Context::new(),
                        ..job
                    })
                })
                .collect::<Vec<Result<crate::render::PageJob, BuildError>>>();
            rt.lap("pages (beside search)");
            pages
        },
        || docs.map(|docs| export_search(site, docs, staging.path())),
    );
    // Report the first failure in page order (deterministic), then a search failure.
    let jobs = rendered.into_iter().collect::<Result<Vec<_>, _>>()?;
    let search = search.transpose()?;
    Ok((jobs, search))
}

/// Stages what is not a page, a PDF or the search index: the theme's static
/// files, the feeds and other files made from the pages, and the service
/// worker (with the offline plan's warnings). Returns the number of files.
fn stage_extras(
    theme: &Theme,
    site: &Site,
    jobs: &[crate::render::PageJob],
    staging: &Staging,
    diags: &mut Diagnostics,
) -> Result<usize, BuildError> {
    let mut files = copy_static(theme, staging)?;
    for (path, body) in crate::feeds::extra_files(site, jobs) {
        staging.write(&path, body.as_bytes())?;
        files += 1;
    }
    // The service worker, once the files it precaches are staged: its cache
    // version is a hash of their bytes.
    let sw =
        crate::offline::service_worker(site, staging.path()).map_err(|source| OutputError::Io {
            path: staging.path().join(Route::ServiceWorker.file()),
            source,
        })?;
    staging.write(&Route::ServiceWorker.file(), sw.as_bytes())?;
    diags
        .0
        .extend(crate::offline::OfflinePlan::of(site).warnings(site));
    files += 1;
    Ok(files)
}

fn render_pdfs(
    opts: &BuildOptions,
    theme: &Theme,
    site: &Site,
    diags: &mut Diagnostics,
) -> Result<Vec<crate::pdf::PdfFile>, BuildError> {
    let directory = crate::derived::pdf_directory(site);
    let result = crate::pdf::PdfRenderer::new(&theme.dir()).and_then(|r| {
        let mut files = r.render(&directory)?;
        if r.has_card_template() {
            files.extend(r.render_cards(&crate::derived::pdf_cards(site))?);
        } else {
            // A theme made before the cards: the site still builds, without them.
            diags.push(
                Diagnostic::warning(
                    format!("{}/pdf/{}", theme.rel(), crate::pdf::CARD_TEMPLATE),
                    0,
                    0,
                    "テーマに連絡先カードのテンプレートが無いため、連絡先カード (PDF) を作りませんでした",
                )
                .hint("themes/default/pdf/card.typ をこのテーマの pdf/ にコピーしてください"),
            );
        }
        Ok(files)
    });
    match result {
        Ok(files) => {
            for f in &files {
                for w in &f.warnings {
                    diags.push(
                        Diagnostic::warning(
                            format!("{}/pdf", theme.rel()),
                            0,
                            0,
                            format!("{}: {w}", f.file_name),
                        )
                        .hint("PDF は作成しましたが、表示に問題がある可能性があります"),
                    );
                }
            }
            Ok(files)
        }
        Err(e) => Err(BuildError::Invalid(pdf_diagnostics(opts, theme, &e))),
    }
}

/// A typst error as diagnostics pointing into the PDF template.
fn pdf_diagnostics(opts: &BuildOptions, theme: &Theme, e: &crate::pdf::PdfError) -> Diagnostics {
    use crate::pdf::PdfError;
    let mut ds = Diagnostics::default();
    let template_diags = match e {
        PdfError::Template { diagnostics, .. } | PdfError::Export { diagnostics, .. } => {
            diagnostics.as_slice()
        }
        _ => &[],
    };
    if template_diags.is_empty() {
        ds.push(
            Diagnostic::error(format!("{}/pdf", theme.rel()), 0, 0, e.to_string())
                .hint("PDF を作らずに確認するには --no-pdf を付けてください"),
        );
    }
    for t in template_diags {
        let file = t.file.as_deref().map_or_else(
            || format!("{}/pdf", theme.rel()),
            |p| crate::diagnostic::rel_path(&opts.root, p),
        );
        let mut d = Diagnostic::error(
            file,
            t.line.unwrap_or(0) as u32,
            t.column.unwrap_or(0) as u32,
            format!("PDF テンプレートのエラー: {}", t.message),
        );
        d.source_line = t.source_line.clone();
        if !t.hints.is_empty() {
            d.hint = Some(t.hints.join(" / "));
        }
        ds.push(d);
    }
    ds
}

/// Exports the search documents of `site` into `search/` of `out` (the
/// staging folder; `serve`'s folder of search files); returns the number of
/// files. No tantivy index is made: the export computes its postings itself
/// (`ohisama search` builds the index on demand, [`search_index`]).
pub(crate) fn build_search(
    _opts: &BuildOptions,
    site: &Site,
    out: &std::path::Path,
) -> Result<usize, BuildError> {
    let mut t = Timings::new();
    let docs = crate::derived::search_docs(site);
    t.lap("search docs");
    export_search(site, docs, out)
}

/// Exports `docs`, the search documents of `site`, into `search/` of `out`;
/// returns the number of files.
fn export_search(
    site: &Site,
    docs: Vec<crate::search::SearchDoc>,
    out: &std::path::Path,
) -> Result<usize, BuildError> {
    let mut t = Timings::new();
    // Issue #17 item 3, a measurement only (docs/search-readings-spike.md).
    #[cfg(feature = "readings-spike")]
    let docs = crate::search::readings::from_env(docs);
    let pass = crate::search::TextPass::of(&docs);
    t.lap("search texts");
    let expansions = pass.expansions(&crate::derived::search_vocabulary(site));
    t.lap("search expansions");
    let stats = crate::search::export::export(docs, pass, &expansions, &out.join("search"))
        .map_err(search_failed)?;
    t.lap("search export");
    Ok(stats.files)
}

/// The tantivy index of the site for `ohisama search`: load, validate and
/// resolve the site, make its search documents, and reuse `.cache/search`
/// when its stamp says it was made from the same documents and expansions
/// (and analyzer); otherwise index them again into a fresh folder that then
/// replaces `.cache/search`.
pub fn search_index(opts: &BuildOptions) -> Result<crate::search::SearchIndex, BuildError> {
    use crate::search::SearchIndex;
    let (site, _) = check(opts).map_err(BuildError::Invalid)?;
    let docs = crate::derived::search_docs(&site);
    // The same documents as the build's (docs/search-readings-spike.md).
    #[cfg(feature = "readings-spike")]
    let docs = crate::search::readings::from_env(docs);
    let expansions =
        crate::search::TextPass::of(&docs).expansions(&crate::derived::search_vocabulary(&site));
    drop(site);
    let stamp = search_stamp(&docs, &expansions);
    let cached = opts.cache_dir().join("search");
    if std::fs::read_to_string(cached.join(SEARCH_STAMP)).is_ok_and(|s| s == stamp)
        && let Ok(index) = SearchIndex::open(&cached)
    {
        return Ok(index);
    }
    // What a search killed while indexing left (its marked `search-*`).
    crate::output::leftovers::sweep_cache(&opts.cache_dir());
    let fresh = tempfile::Builder::new()
        .prefix("search-")
        .tempdir_in(ensure_dir(&opts.cache_dir())?)
        .map_err(|source| OutputError::Io {
            path: opts.cache_dir(),
            source,
        })?;
    // The folder is marked as this process's (a killed one's is removed by
    // the next build or search); the index goes into `index/` inside it, since tantivy
    // wants a folder of its own.
    let io = |path: &std::path::Path| {
        let path = path.to_path_buf();
        move |source| BuildError::from(OutputError::Io { path, source })
    };
    crate::output::marker::write_working(fresh.path()).map_err(io(fresh.path()))?;
    let index_dir = fresh.path().join(SEARCH_INDEX);
    {
        let mut index = SearchIndex::build(&docs, &index_dir).map_err(search_failed)?;
        index
            .set_expansions(expansions, &index_dir)
            .map_err(search_failed)?;
    }
    let stamp_file = index_dir.join(SEARCH_STAMP);
    std::fs::write(&stamp_file, &stamp).map_err(io(&stamp_file))?;
    crate::output::swap_in(&index_dir, &cached)?;
    SearchIndex::open(&cached).map_err(search_failed)
}

/// What `.cache/search` was made from: a digest of the analyzer's version,
/// the documents and the expansions.
fn search_stamp(docs: &[crate::search::SearchDoc], x: &crate::search::Expansions) -> String {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    h.update(crate::search::analyzer::ANALYZER_VERSION.as_bytes());
    h.update(b"\0");
    h.update(serde_json::to_vec(docs).expect("documents serialise"));
    h.update(b"\0");
    h.update(serde_json::to_vec(x).expect("expansions serialise"));
    let digest = h.finalize();
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The file in `.cache/search` that holds its [`search_stamp`].
const SEARCH_STAMP: &str = "ohisama-stamp";

fn search_failed(e: crate::search::SearchError) -> BuildError {
    invalid(
        Diagnostic::error(
            ".cache/search",
            0,
            0,
            format!("検索インデックスを作れません: {e}"),
        )
        .hint(".cache/ フォルダを削除してもう一度ビルドしてください"),
    )
}

fn ensure_dir(dir: &std::path::Path) -> Result<&std::path::Path, BuildError> {
    std::fs::create_dir_all(dir).map_err(|source| OutputError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    Ok(dir)
}

/// The index's folder inside a fresh `.cache/search-*` folder.
const SEARCH_INDEX: &str = "index";

/// The built-in theme could not be unpacked (see [`Theme::open`]).
pub(crate) fn theme_problem(e: &crate::builtin_theme::BuiltinThemeError) -> Diagnostics {
    let mut ds = Diagnostics::default();
    ds.push(
        Diagnostic::error(crate::builtin_theme::UNPACK_DIR, 0, 0, e.to_string())
            .hint(".cache/ フォルダを削除してもう一度実行してください"),
    );
    ds
}

pub(crate) fn invalid(d: Diagnostic) -> BuildError {
    let mut ds = Diagnostics::default();
    ds.push(d);
    BuildError::Invalid(ds)
}

/// Copies `themes/<theme>/static/**` to `assets/**`.
fn copy_static(theme: &Theme, staging: &Staging) -> Result<usize, BuildError> {
    let files = static_files(theme)?;
    for (path, bytes) in &files {
        staging.write(path, bytes)?;
    }
    Ok(files.len())
}

/// The theme's static files as (output path under `assets/`, bytes), in
/// file name order (also what `serve` keeps in memory).
pub(crate) fn static_files(theme: &Theme) -> Result<Vec<(String, Vec<u8>)>, BuildError> {
    let dir = theme.static_dir();
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(&dir)
        .follow_root_links(false) // real files only, as the loader warns
        .sort_by_file_name()
        .into_iter()
        .filter_map(|e| e.ok())
    {
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = crate::diagnostic::rel_path(&dir, entry.path());
        let bytes = std::fs::read(entry.path()).map_err(|source| OutputError::Io {
            path: entry.path().to_path_buf(),
            source,
        })?;
        if rel == crate::routes::FAVICON_PNG
            && let Some(ico) = favicon_ico(&bytes)
        {
            files.push((Route::Favicon.file(), ico));
        }
        files.push((Route::Asset(&rel).file(), bytes));
    }
    Ok(files)
}

/// `/favicon.ico`: the PNG in an ICO container (one image, PNG-compressed,
/// as every browser since 2010 reads it). `None` when the file is no PNG.
fn favicon_ico(png: &[u8]) -> Option<Vec<u8>> {
    const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
    if !png.starts_with(PNG_SIGNATURE) || png.len() < 24 || &png[12..16] != b"IHDR" {
        return None;
    }
    let side = |at: usize| -> u8 {
        let v = u32::from_be_bytes([png[at], png[at + 1], png[at + 2], png[at + 3]]);
        // An ICO entry says 0 for 256 px (and for anything larger).
        u8::try_from(v).unwrap_or(0)
    };
    let size = u32::try_from(png.len()).ok()?;
    let mut ico = Vec::with_capacity(22 + png.len());
    ico.extend_from_slice(&[0, 0, 1, 0, 1, 0]); // reserved, type 1 (icon), 1 image
    ico.extend_from_slice(&[side(16), side(20), 0, 0]); // width, height, no palette
    ico.extend_from_slice(&1u16.to_le_bytes()); // colour planes
    ico.extend_from_slice(&32u16.to_le_bytes()); // bits per pixel
    ico.extend_from_slice(&size.to_le_bytes());
    ico.extend_from_slice(&22u32.to_le_bytes()); // the image follows the one entry
    ico.extend_from_slice(png);
    Some(ico)
}
