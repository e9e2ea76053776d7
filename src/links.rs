//! The link check: every site link of the content (markdown), of site.yaml
//! (notices, menu) and every `template:` of a front matter, against what the
//! build writes. It runs in validation, on the raw ids and the rendered pages
//! (before anything is resolved), even when the data has other errors.

use crate::diagnostic::Diagnostic;
use crate::kinds::pages::RenderedPage;
use crate::model::RawSite;
use crate::routes::{Collision, RESERVED_SECTIONS, Route, RouteTable, SiteIds};
use crate::theme::Theme;
use std::collections::BTreeSet;
use std::path::Path;

/// What the link check needs of the theme: its files, read once by the caller
/// (validation does no file I/O).
#[derive(Debug, Clone, Default)]
pub struct LinkContext {
    /// Files under the theme's `static/`, as paths under it.
    pub assets: Vec<String>,
    /// The template set's names; empty when it cannot be listed (the
    /// renderer reports that, `template:` is then not checked).
    pub templates: Vec<String>,
    /// `themes/<name>`, for hints.
    pub theme_rel: String,
}

impl LinkContext {
    pub fn of(theme: &Theme) -> LinkContext {
        LinkContext {
            assets: static_files(&theme.static_dir()),
            templates: theme
                .templates()
                .map(|ts| ts.into_iter().map(|t| t.name).collect())
                .unwrap_or_default(),
            theme_rel: theme.rel(),
        }
    }
}

/// The files under a theme's `static/` (sorted), as paths under it.
pub fn static_files(static_dir: &Path) -> Vec<String> {
    walkdir::WalkDir::new(static_dir)
        .follow_root_links(false) // real files only, as the loader warns
        .sort_by_file_name()
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file())
        .map(|e| crate::diagnostic::rel_path(static_dir, e.path()))
        .collect()
}

/// Every link problem: content pages on generated URLs, markdown links and
/// images, notice and menu URLs, unknown templates. `pages` are the pages of
/// this build in section order; `draft_paths` the drafts left out of it.
pub fn problems(
    raw: &RawSite,
    pages: &[RenderedPage<'_>],
    draft_paths: &BTreeSet<String>,
    ctx: &LinkContext,
) -> Vec<Diagnostic> {
    let ids = raw_ids(raw, pages, ctx.assets.clone());
    let routes = crate::routes::every_route(&ids);
    let (table, collisions) = RouteTable::new(&routes);
    let mut out = collision_problems(pages, &routes, &collisions);
    out.extend(link_problems(pages, draft_paths, &table));
    out.extend(notice_link_problems(raw, &table));
    out.extend(glossary_link_problems(raw, &table));
    out.extend(crate::sections::menu_problems(raw, &table, draft_paths));
    out.extend(crate::sections::template_problems(
        raw,
        &ctx.templates,
        &ctx.theme_rel,
    ));
    out
}

/// The ids of every route, read from the raw data: the route table the link
/// check uses, and what the build writes (tests/routes.rs holds the two equal).
/// The table is a set of paths: the order of the ids only decides which of two
/// routes on one path comes first, and every generated route comes before the pages.
pub fn raw_ids<'a>(
    raw: &'a RawSite,
    pages: &'a [RenderedPage<'a>],
    assets: Vec<String>,
) -> SiteIds<'a> {
    SiteIds {
        municipalities: raw
            .municipalities
            .iter()
            .flat_map(|(_, l)| l.iter().map(|m| m.value.slug.value.as_str()))
            .collect(),
        regions: raw
            .regions
            .iter()
            .flat_map(|(_, l)| l.iter().map(|r| r.value.id.value.as_str()))
            .collect(),
        types: raw
            .facility_types
            .iter()
            .flat_map(|(_, l)| l.iter().map(|t| t.value.id.value.as_str()))
            .collect(),
        care: raw
            .care
            .iter()
            .flat_map(|(_, l)| l.iter().map(|t| t.value.id.value.as_str()))
            .collect(),
        facilities: raw
            .facilities
            .iter()
            .flat_map(|(_, l)| l.iter().map(|f| f.value.id.value.as_str()))
            .collect(),
        pages: pages.iter().map(|p| p.page.path.as_str()).collect(),
        assets,
        glossary: raw.glossary.is_some(),
        languages: crate::kinds::i18n::sheet_languages(raw),
    }
}

/// `related:` pages of the glossary that the build does not write.
fn glossary_link_problems(raw: &RawSite, table: &RouteTable) -> Vec<Diagnostic> {
    let Some((file, terms)) = &raw.glossary else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for r in terms.iter().flat_map(|t| &t.value.related) {
        let path = r.value.trim();
        let problem = if !path.starts_with('/') || path.starts_with("//") {
            Some(
                "/ から始まるサイト内のパスで書いてください (例: /services/home-medical/)"
                    .to_string(),
            )
        } else {
            let path = path.split(['#', '?']).next().unwrap_or(path);
            table.check_link(path).err()
        };
        if let Some(hint) = problem {
            let (line, column) = crate::model::pos(r);
            out.push(
                Diagnostic::error(
                    file.as_str(),
                    line,
                    column,
                    format!("関係するページ {} はこのサイトにありません", r.value),
                )
                .hint(hint),
            );
        }
    }
    out
}

/// Notices of site.yaml whose `url:` is a path on this site that the build
/// does not write (a refused URL is reported by validate).
fn notice_link_problems(raw: &RawSite, table: &RouteTable) -> Vec<Diagnostic> {
    use crate::url_rule::{Place, SafeUrl};
    let Some((file, cfg)) = &raw.site else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for url in cfg.notices.iter().filter_map(|n| n.value.url.as_ref()) {
        let Ok(SafeUrl::Site { path, .. }) = crate::url_rule::check(&url.value, Place::Notice)
        else {
            continue;
        };
        if let Err(near) = table.check_link(&path) {
            let (line, column) = crate::model::pos(url);
            out.push(
                Diagnostic::error(
                    file.as_str(),
                    line,
                    column,
                    format!("お知らせのリンク先 {} のページがありません", url.value),
                )
                .hint(near),
            );
        }
    }
    out
}

/// Content pages on a URL the generator writes itself.
fn collision_problems(
    pages: &[RenderedPage<'_>],
    routes: &[Route<'_>],
    collisions: &[Collision],
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for c in collisions {
        let (Route::Page(path), first) = (routes[c.second], routes[c.first]) else {
            continue;
        };
        // Two pages on one URL, or a page in a reserved section: validate reports them.
        let section = path
            .trim_start_matches('/')
            .split('/')
            .next()
            .unwrap_or_default();
        if matches!(first, Route::Page(_)) || RESERVED_SECTIONS.contains(&section) {
            continue;
        }
        if let Some(p) = pages.iter().find(|p| p.page.path == path) {
            out.push(
                Diagnostic::error(
                    p.page.file.as_str(),
                    1,
                    1,
                    format!("URL {path} は自動生成されるページと重なります"),
                )
                .hint("ファイル名かフォルダ名を変えてください"),
            );
        }
    }
    out
}

/// Internal links in markdown that lead nowhere, and links the URL rule refused.
fn link_problems(
    pages: &[RenderedPage<'_>],
    draft_paths: &BTreeSet<String>,
    table: &RouteTable,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for p in pages {
        let file = p.page.file.as_str();
        for (link, line) in &p.out.internal_links {
            if draft_paths.contains(&crate::routes::normalize(link)) {
                out.push(
                    Diagnostic::error(
                        file,
                        *line,
                        0,
                        format!("リンク先 {link} は下書きのページです"),
                    )
                    .hint("下書き (draft: true) のページです。`--drafts` のときだけ出力されます。公開するなら draft: true を消してください"),
                );
            } else if let Err(near) = table.check_link(link) {
                out.push(
                    Diagnostic::error(
                        file,
                        *line,
                        0,
                        format!("リンク先 {link} のページがありません"),
                    )
                    .hint(near),
                );
            }
        }
        out.extend(p.out.rejected_urls.iter().map(|r| r.diagnostic(file)));
    }
    out
}
