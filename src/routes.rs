//! The route table: every URL the build writes, from plain ids.
//!
//! A leaf module (it imports no kind of data): [`Route`] turns an id into its
//! site path (`/contacts/yokohama/`), its file in `dist/`
//! (`contacts/yokohama/index.html`) and its href under a base path
//! (`/sub/contacts/yokohama/`, percent-encoded by the URL rule's
//! [`encode_path`]). [`every_route`] lists every file the build writes but the
//! search index, and [`RouteTable`] is what the link check asks: a link passes
//! when, and only when, the build writes its target.

use crate::url_rule::encode_path;
use std::collections::BTreeMap;

/// URL sections the generator writes itself; content/ cannot use them
/// (`/offline/` and `/emergency/sheet/` are single pages: a content page on
/// them is a [`Collision`]).
pub const RESERVED_SECTIONS: [&str; 9] = [
    "contacts",
    "glossary",
    "regions",
    "facilities",
    "search",
    "pdf",
    "assets",
    "sitemap.xml",
    "404",
];

/// The main menu of a site whose site.yaml has no `menu:` (the test
/// fixtures and the generated benchmark sites): (route, section, label), in
/// order. The sample site writes the same entries in its site.yaml.
pub const DEFAULT_MENU: [(Route<'static>, &str, &str); 8] = [
    (Route::ContactsIndex, "contacts", "窓口を探す"),
    (Route::FacilitiesIndex, "facilities", "施設検索"),
    (Route::Page("/emergency/"), "emergency", "緊急時対応"),
    (Route::Page("/services/"), "services", "サービス"),
    (Route::Page("/messages/"), "messages", "応援メッセージ"),
    (Route::Page("/faq/"), "faq", "よくある質問"),
    (Route::Page("/news/"), "news", "お知らせ"),
    (Route::Search, "search", "サイト内検索"),
];

/// The four kinds of facility list page (`/facilities/<kind>/<id>/`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ListKind {
    Region,
    Municipality,
    Type,
    Care,
}

impl ListKind {
    /// In page order.
    pub const ALL: [ListKind; 4] = [
        ListKind::Region,
        ListKind::Municipality,
        ListKind::Type,
        ListKind::Care,
    ];

    /// The path segment (`care`): a facility id may not take it.
    pub const fn as_str(self) -> &'static str {
        match self {
            ListKind::Region => "region",
            ListKind::Municipality => "municipality",
            ListKind::Type => "type",
            ListKind::Care => "care",
        }
    }

    /// The Japanese name of the kind: 地域 / 市町村 / 種別 / 医療的ケア.
    pub fn label_ja(self) -> &'static str {
        match self {
            ListKind::Region => "地域",
            ListKind::Municipality => "市町村",
            ListKind::Type => "種別",
            ListKind::Care => "医療的ケア",
        }
    }
}

/// The file name of the whole directory's PDF.
pub const ALL_PDF_FILE_NAME: &str = "contacts-all.pdf";

/// Which PDF: the whole directory, one region's, or a municipality's contact card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PdfPart<'a> {
    All,
    Region(&'a str),
    /// The one-page contact card of a municipality, by slug.
    Card(&'a str),
}

impl PdfPart<'_> {
    /// `contacts-all.pdf`, `contacts-kenoh.pdf`, `card-chigasaki.pdf`.
    pub fn file_name(&self) -> String {
        match self {
            PdfPart::All => ALL_PDF_FILE_NAME.to_string(),
            PdfPart::Region(id) => format!("contacts-{id}.pdf"),
            PdfPart::Card(slug) => format!("card-{slug}.pdf"),
        }
    }
}

/// One file the build writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route<'a> {
    Home,
    ContactsIndex,
    /// A municipality's contacts page, by slug.
    Municipality(&'a str),
    /// A region's contacts page, by id.
    Region(&'a str),
    FacilitiesIndex,
    FacilityList(ListKind, &'a str),
    Facility(&'a str),
    Search,
    NotFound,
    /// The emergency sheet (`/emergency/sheet/`).
    Sheet,
    /// The emergency sheet in another language, by its code (`/en/emergency/sheet/`).
    SheetIn(&'a str),
    /// The page the service worker shows offline.
    Offline,
    /// The glossary (`/glossary/`), when the site has `data/glossary.yaml`.
    Glossary,
    /// A content page, by its URL path as read from the file name (`/news/a b/`).
    Page(&'a str),
    Pdf(PdfPart<'a>),
    Atom,
    Sitemap,
    Robots,
    FacilitiesJson,
    ServiceWorker,
    /// A file of the theme's `static/`, by its path under it (`css/site.css`).
    Asset(&'a str),
    /// `/favicon.ico`, which browsers ask for whatever the page links: made
    /// from the theme's [`FAVICON_PNG`] when it has one.
    Favicon,
}

/// The theme's icon that `/favicon.ico` is made of (under `static/`).
pub const FAVICON_PNG: &str = "icons/favicon-32.png";

impl Route<'_> {
    /// The site path, not encoded: `/contacts/yokohama/`, `/pdf/contacts-all.pdf`.
    pub fn path(&self) -> String {
        match self {
            Route::Home => "/".into(),
            Route::ContactsIndex => "/contacts/".into(),
            Route::Municipality(slug) => format!("/contacts/{slug}/"),
            Route::Region(id) => format!("/regions/{id}/"),
            Route::FacilitiesIndex => "/facilities/".into(),
            Route::FacilityList(kind, id) => format!("/facilities/{}/{id}/", kind.as_str()),
            Route::Facility(id) => format!("/facilities/{id}/"),
            Route::Search => "/search/".into(),
            Route::NotFound => "/404.html".into(),
            Route::Sheet => "/emergency/sheet/".into(),
            Route::SheetIn(code) => format!("/{code}/emergency/sheet/"),
            Route::Offline => "/offline/".into(),
            Route::Glossary => "/glossary/".into(),
            Route::Page(path) => (*path).to_string(),
            Route::Pdf(part) => format!("/pdf/{}", part.file_name()),
            Route::Atom => "/news/atom.xml".into(),
            Route::Sitemap => "/sitemap.xml".into(),
            Route::Robots => "/robots.txt".into(),
            Route::FacilitiesJson => "/facilities/facilities.json".into(),
            Route::ServiceWorker => "/sw.js".into(),
            Route::Asset(rel) => format!("/assets/{rel}"),
            Route::Favicon => "/favicon.ico".into(),
        }
    }

    /// Whether the route is an HTML page.
    pub fn is_html(&self) -> bool {
        let path = self.path();
        path.ends_with('/') || path.ends_with(".html")
    }

    /// The file in `dist/`: a folder path gets `index.html`
    /// (`contacts/yokohama/index.html`); `404.html`, `sw.js` stay as they are.
    pub fn file(&self) -> String {
        file_of(&self.path())
    }

    /// Base path (`/` or `/sub/`) + the percent-encoded path.
    pub fn href(&self, base_path: &str) -> String {
        format!(
            "{base_path}{}",
            encode_path(self.path().trim_start_matches('/'))
        )
    }

    /// Base URL (`https://example.jp/sub/`) + the percent-encoded path.
    pub fn absolute(&self, base_url: &str) -> String {
        self.href(base_url)
    }
}

/// The file in `dist/` of a site path: `/a/` → `a/index.html`, `/a.xml` → `a.xml`.
pub fn file_of(path: &str) -> String {
    let rel = path.trim_start_matches('/');
    if rel.is_empty() || rel.ends_with('/') {
        format!("{rel}index.html")
    } else {
        rel.to_string()
    }
}

/// The ids the routes are made of, in the site's resolved order.
#[derive(Debug, Clone, Default)]
pub struct SiteIds<'a> {
    pub municipalities: Vec<&'a str>,
    pub regions: Vec<&'a str>,
    pub types: Vec<&'a str>,
    pub care: Vec<&'a str>,
    /// In kana order, as the facility pages are written.
    pub facilities: Vec<&'a str>,
    /// URL paths of the content pages (`/` included: it is the home page).
    pub pages: Vec<&'a str>,
    /// Files under the theme's `static/`, as paths under it.
    pub assets: Vec<String>,
    /// Whether the site has a glossary (`/glossary/`).
    pub glossary: bool,
    /// The codes of `data/i18n/<code>.yaml` but `ja`: each has its emergency sheet.
    pub languages: Vec<&'a str>,
}

/// Every route, pages first in the order the build renders them, then the
/// PDFs (written whether or not this run makes them: a real build does), the
/// theme's files, the machine-read files and the service worker.
pub fn every_route<'a>(ids: &'a SiteIds<'a>) -> Vec<Route<'a>> {
    let mut out = vec![Route::Home, Route::ContactsIndex];
    out.extend(ids.municipalities.iter().map(|s| Route::Municipality(s)));
    out.extend(ids.regions.iter().map(|r| Route::Region(r)));
    out.push(Route::FacilitiesIndex);
    for (kind, list) in [
        (ListKind::Region, &ids.regions),
        (ListKind::Municipality, &ids.municipalities),
        (ListKind::Type, &ids.types),
        (ListKind::Care, &ids.care),
    ] {
        out.extend(list.iter().map(|id| Route::FacilityList(kind, id)));
    }
    out.extend(ids.facilities.iter().map(|f| Route::Facility(f)));
    out.extend([Route::Search, Route::NotFound, Route::Sheet, Route::Offline]);
    out.extend(ids.languages.iter().map(|c| Route::SheetIn(c)));
    if ids.glossary {
        out.push(Route::Glossary);
    }
    // The content home page is rendered by `Route::Home`.
    out.extend(
        ids.pages
            .iter()
            .filter(|p| **p != "/")
            .map(|p| Route::Page(p)),
    );
    out.push(Route::Pdf(PdfPart::All));
    out.extend(ids.regions.iter().map(|r| Route::Pdf(PdfPart::Region(r))));
    out.extend(
        ids.municipalities
            .iter()
            .map(|m| Route::Pdf(PdfPart::Card(m))),
    );
    out.extend(ids.assets.iter().map(|a| Route::Asset(a)));
    if ids.assets.iter().any(|a| a == FAVICON_PNG) {
        out.push(Route::Favicon);
    }
    out.extend([
        Route::Sitemap,
        Route::Robots,
        Route::Atom,
        Route::FacilitiesJson,
        Route::ServiceWorker,
    ]);
    out
}

/// Two routes on one path: the build would write one file twice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Collision {
    pub path: String,
    /// Index of the first route on the path.
    pub first: usize,
    /// Index of the later one.
    pub second: usize,
}

/// The site paths of a set of routes, for the link check.
#[derive(Debug, Clone, Default)]
pub struct RouteTable {
    paths: BTreeMap<String, usize>,
}

impl RouteTable {
    /// The table and the routes that fall on a path an earlier route took.
    pub fn new(routes: &[Route<'_>]) -> (RouteTable, Vec<Collision>) {
        let mut paths = BTreeMap::new();
        let mut collisions = Vec::new();
        for (i, route) in routes.iter().enumerate() {
            let path = route.path();
            if let Some(&first) = paths.get(&path) {
                collisions.push(Collision {
                    path,
                    first,
                    second: i,
                });
            } else {
                paths.insert(path, i);
            }
        }
        (RouteTable { paths }, collisions)
    }

    /// Whether the table has the path (exactly as [`Route::path`] writes it).
    pub fn contains(&self, path: &str) -> bool {
        self.paths.contains_key(path)
    }

    /// Index (in the routes given to [`RouteTable::new`]) of the route on a path.
    pub fn index_of(&self, path: &str) -> Option<usize> {
        self.paths.get(path).copied()
    }

    /// `Ok` when the build writes the target of a site link; else the
    /// did-you-mean hint. `path` is the link as the URL rule gives it
    /// ([`crate::url_rule::SafeUrl::Site`]): decoded, without `?query` and
    /// `#fragment` (a file name may hold `#` or `?`). A last segment without
    /// a `.` gets its `/`.
    pub fn check_link(&self, path: &str) -> Result<(), String> {
        let normalized = normalize(path);
        if self.paths.contains_key(&normalized) {
            Ok(())
        } else {
            Err(crate::diagnostic::did_you_mean(
                &normalized,
                self.paths.keys().map(String::as_str),
            ))
        }
    }
}

/// `/news` → `/news/`; `/news/` and `/pdf/a.pdf` stay.
pub(crate) fn normalize(path: &str) -> String {
    let last = path.rsplit('/').next().unwrap_or_default();
    if path.ends_with('/') || last.contains('.') {
        path.to_string()
    } else {
        format!("{path}/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_files_and_hrefs() {
        let list = Route::FacilityList(ListKind::Care, "ventilator");
        assert_eq!(list.path(), "/facilities/care/ventilator/");
        assert_eq!(list.file(), "facilities/care/ventilator/index.html");
        assert_eq!(list.href("/"), "/facilities/care/ventilator/");
        assert_eq!(list.href("/sub/"), "/sub/facilities/care/ventilator/");
        assert_eq!(
            list.absolute("https://example.jp/sub/"),
            "https://example.jp/sub/facilities/care/ventilator/"
        );
        assert_eq!(Route::Home.file(), "index.html");
        assert_eq!(Route::Home.href("/sub/"), "/sub/");
        assert_eq!(Route::NotFound.file(), "404.html");
        assert_eq!(Route::ServiceWorker.file(), "sw.js");
        assert_eq!(
            Route::Pdf(PdfPart::Region("kenoh")).href("/sub/"),
            "/sub/pdf/contacts-kenoh.pdf"
        );
        assert_eq!(Route::Page("/news/a b/").href("/"), "/news/a%20b/");
        assert_eq!(Route::Page("/news/a b/").file(), "news/a b/index.html");
        assert!(Route::NotFound.is_html() && !Route::Atom.is_html());
    }

    #[test]
    fn check_link_normalises_and_hints() {
        let ids = SiteIds {
            care: vec!["ventilator"],
            pages: vec!["/", "/news/"],
            assets: vec!["css/site.css".into()],
            ..SiteIds::default()
        };
        let (table, collisions) = RouteTable::new(&every_route(&ids));
        assert!(collisions.is_empty());
        for ok in [
            "/facilities/care/ventilator",
            "/search/",
            "/news",
            "/404.html",
            "/pdf/contacts-all.pdf",
            "/assets/css/site.css",
        ] {
            assert_eq!(table.check_link(ok), Ok(()), "{ok}");
        }
        let hint = table.check_link("/assets/css/site.cs").unwrap_err();
        assert!(hint.contains("/assets/css/site.css"), "{hint}");
        assert!(table.check_link("/pdf/contacts-nope.pdf").is_err());
        // A decoded file name may hold `#` and `?`: they are part of the path.
        assert!(table.check_link("/news/a#b/").is_err());
    }

    #[test]
    fn a_page_on_a_generated_path_collides() {
        let ids = SiteIds {
            pages: vec!["/", "/offline/"],
            ..SiteIds::default()
        };
        let routes = every_route(&ids);
        let (_, collisions) = RouteTable::new(&routes);
        assert_eq!(collisions.len(), 1);
        assert_eq!(collisions[0].path, "/offline/");
        assert_eq!(routes[collisions[0].second], Route::Page("/offline/"));
    }
}
