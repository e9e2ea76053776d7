//! Sections and navigation from content, not code.
//!
//! The main menu is site.yaml's `menu:` (or, when site.yaml has none,
//! [`DEFAULT_MENU`]), then every page whose front matter has `menu:`, stably
//! sorted by weight (absent = 0): the team adds a section with a folder and
//! an `index.md`, without Rust. A content page is rendered with its front
//! matter's `template:`, else its section's own template
//! (`sections/<section>/list.html` for the section's index page,
//! `sections/<section>/page.html` for the others) when the template set has
//! it, else `page.html`. The checks here run in `build::check`, beside the
//! link check, since they need the route table and the template set.

use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::model::{MenuEntry, Page, PageMenu, RawSite, S, pos};
use crate::routes::{DEFAULT_MENU, Route, RouteTable, normalize};
use crate::url_rule::{self, Place, SafeUrl};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// One link of the main menu, as the templates see it (`meta.nav`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MenuItem {
    pub href: String,
    pub label: String,
    /// The first segment of the URL (`contacts`; `home` for `/`): the
    /// templates mark the entry whose section is the current page's.
    pub section: String,
}

/// The template of every content page that has no other.
pub const PAGE_TEMPLATE: &str = "page.html";

/// The main menu of a site. Entries whose URL the URL rule refuses are left
/// out (`check` reports them); draft pages join only with `--drafts`.
pub fn menu(raw: &RawSite, drafts: bool, base_path: &str) -> Vec<MenuItem> {
    let mut entries: Vec<(i64, MenuItem)> = match site_menu(raw) {
        Some((_, list)) => list
            .iter()
            .filter_map(|e| site_entry(&e.value, base_path))
            .collect(),
        None => DEFAULT_MENU
            .iter()
            .map(|(route, section, label)| {
                let item = MenuItem {
                    href: route.href(base_path),
                    label: (*label).to_string(),
                    section: (*section).to_string(),
                };
                (0, item)
            })
            .collect(),
    };
    entries.extend(menu_pages(raw, drafts).into_iter().map(|(p, m)| {
        let m = &m.value;
        let label = m.title.as_ref().map_or(&p.front.title, |t| t).value.clone();
        let item = MenuItem {
            href: Route::Page(&p.path).href(base_path),
            label,
            section: section_of(&p.path),
        };
        (m.weight.unwrap_or(0), item)
    }));
    // Stable: entries of equal weight keep site.yaml's order, then the pages'.
    entries.sort_by_key(|(weight, _)| *weight);
    entries.into_iter().map(|(_, item)| item).collect()
}

/// `menu:` of site.yaml with its file, when written.
fn site_menu(raw: &RawSite) -> Option<(&str, &[S<MenuEntry>])> {
    let (file, cfg) = raw.site.as_ref()?;
    Some((file.as_str(), cfg.menu.as_deref()?))
}

/// The pages with `menu:` in their front matter, by URL path (so the
/// menu does not depend on the order files were read in).
fn menu_pages(raw: &RawSite, drafts: bool) -> Vec<(&Page, &S<PageMenu>)> {
    let mut out: Vec<_> = raw
        .pages
        .iter()
        .filter(|p| drafts || !p.front.draft)
        .filter_map(|p| p.front.menu.as_ref().map(|m| (&**p, m)))
        .collect();
    out.sort_by(|a, b| a.0.path.cmp(&b.0.path));
    out
}

fn site_entry(e: &MenuEntry, base_path: &str) -> Option<(i64, MenuItem)> {
    let safe = url_rule::check(&e.url.value, Place::Menu).ok()?;
    let SafeUrl::Site { path, .. } = &safe else {
        return None;
    };
    let item = MenuItem {
        href: safe.href(base_path),
        label: e.title.value.clone(),
        section: section_of(path),
    };
    Some((e.weight.unwrap_or(0), item))
}

/// `/news/2025-a/` → `news`; `/` → `home` (the section of the home page).
fn section_of(path: &str) -> String {
    match path.trim_start_matches('/').split('/').next() {
        Some(first) if !first.is_empty() => first.to_string(),
        _ => "home".to_string(),
    }
}

/// The template of a content page: front matter `template:`, else the
/// section's own (`sections/<section>/list.html` for its index page,
/// `sections/<section>/page.html` for the others) if `has` it, else `page.html`.
pub fn page_template(page: &crate::site::PageView, has: impl Fn(&str) -> bool) -> String {
    if let Some(name) = &page.template {
        return name.clone();
    }
    let kind = if page.path == format!("/{}/", page.section) {
        "list.html"
    } else {
        "page.html"
    };
    let own = format!("sections/{}/{kind}", page.section);
    if has(&own) {
        own
    } else {
        PAGE_TEMPLATE.to_string()
    }
}

/// Where a menu URL was first written, for the duplicate message.
enum FirstAt {
    /// The default menu (site.yaml has no `menu:`).
    Default,
    At(String, u32),
}

/// Problems of the menu: a blank title, a URL the rule refuses or that is
/// not a page the build writes, two entries on one URL. `draft_paths` are
/// the pages left out of this build (a link to one gets its own message).
pub fn menu_problems(
    raw: &RawSite,
    table: &RouteTable,
    draft_paths: &BTreeSet<String>,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut seen: BTreeMap<String, FirstAt> = BTreeMap::new();
    match site_menu(raw) {
        Some((file, list)) => {
            for e in list {
                if let Some(path) =
                    site_entry_problems(file, &e.value, table, draft_paths, &mut out)
                {
                    let line = pos(&e.value.url).0;
                    duplicate(
                        &mut seen,
                        path,
                        FirstAt::At(file.into(), line),
                        &e.value.url,
                        file,
                        &mut out,
                    );
                }
            }
        }
        None => {
            for (route, _, _) in DEFAULT_MENU {
                seen.insert(route.path(), FirstAt::Default);
            }
        }
    }
    // The pages left out of this build are not in its menu.
    for (p, m) in menu_pages(raw, true) {
        if draft_paths.contains(&p.path) {
            continue;
        }
        if let Some(title) = &m.value.title {
            blank_title(&p.file, title, &mut out);
        }
        let line = pos(m).0;
        duplicate(
            &mut seen,
            p.path.clone(),
            FirstAt::At(p.file.clone(), line),
            m,
            &p.file,
            &mut out,
        );
    }
    out
}

/// The problems of one site.yaml entry; its decoded path when the URL rule accepts it.
fn site_entry_problems(
    file: &str,
    e: &MenuEntry,
    table: &RouteTable,
    draft_paths: &BTreeSet<String>,
    out: &mut Vec<Diagnostic>,
) -> Option<String> {
    blank_title(file, &e.title, out);
    let (line, column) = pos(&e.url);
    let path = match url_rule::check(&e.url.value, Place::Menu) {
        Ok(SafeUrl::Site { path, .. }) => path,
        Ok(_) => return None,
        Err(problem) => {
            out.push(url_rule::diagnostic(
                file,
                line,
                column,
                &e.url.value,
                Place::Menu,
                &problem,
            ));
            return None;
        }
    };
    if draft_paths.contains(&normalize(&path)) {
        out.push(
            Diagnostic::error(
                file,
                line,
                column,
                format!("メニューのリンク先 {} は下書きのページです", e.url.value),
            )
            .hint("下書き (draft: true) のページです。`--drafts` のときだけ出力されます。公開するなら draft: true を消してください"),
        );
    } else if let Err(near) = table.check_link(&path) {
        out.push(
            Diagnostic::error(
                file,
                line,
                column,
                format!("メニューのリンク先 {} のページがありません", e.url.value),
            )
            .hint(near),
        );
    }
    Some(normalize(&path))
}

fn blank_title(file: &str, title: &S<String>, out: &mut Vec<Diagnostic>) {
    if title.value.trim().is_empty() {
        let (line, column) = pos(title);
        out.push(
            Diagnostic::error(file, line, column, "メニューの title (表示名) が空です")
                .hint("メニューに出す名前を書いてください"),
        );
    }
}

/// Reports a menu URL already taken by an earlier entry.
fn duplicate<T>(
    seen: &mut BTreeMap<String, FirstAt>,
    path: String,
    here: FirstAt,
    at: &S<T>,
    file: &str,
    out: &mut Vec<Diagnostic>,
) {
    let Some(first) = seen.get(&path) else {
        seen.insert(path, here);
        return;
    };
    let (line, column) = pos(at);
    let hint = match first {
        FirstAt::Default => "site.yaml に menu: がないので既定のメニューが使われています。site.yaml に menu: を書くと、既定のメニューの代わりになります (docs/DATA.md)".to_string(),
        FirstAt::At(f, l) => format!("{f}:{l} と同じです。どちらかを消してください"),
    };
    let what = match first {
        FirstAt::Default => format!("メニューの URL {path} は既定のメニューにすでにあります"),
        FirstAt::At(..) => format!("メニューの URL {path} が2回あります"),
    };
    out.push(Diagnostic::error(file, line, column, what).hint(hint));
}

/// `template:` of front matter must name a template of the set (the
/// theme's, overridden by the site's `templates/`). `names` empty: the
/// set could not be listed (the renderer reports that), nothing is checked.
pub fn template_problems(raw: &RawSite, names: &[String], theme_rel: &str) -> Vec<Diagnostic> {
    if names.is_empty() {
        return Vec::new();
    }
    let pages = names
        .iter()
        .map(String::as_str)
        .filter(|n| !n.starts_with("partials/"));
    let mut out = Vec::new();
    for p in &raw.pages {
        let Some(t) = &p.front.template else { continue };
        if names.contains(&t.value) {
            continue;
        }
        let (line, column) = pos(t);
        out.push(
            Diagnostic::error(
                p.file.as_str(),
                line,
                column,
                format!("テンプレート `{}` がありません", t.value),
            )
            .hint(format!(
                "{} (サイトの templates/ か {theme_rel}/templates/ の中のファイル名を書きます)",
                did_you_mean(&t.value, pages.clone())
            )),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn section_of_paths() {
        assert_eq!(section_of("/news/a/"), "news");
        assert_eq!(section_of("/contacts/"), "contacts");
        assert_eq!(section_of("/"), "home");
    }
}
