//! The data as the editors write it (data contract: docs/DATA.md).
//!
//! Every value that a check may need to point at is `Spanned`, so a
//! diagnostic names its line and column. Unknown keys are rejected by serde
//! (`deny_unknown_fields`): a typo must never vanish silently.

use serde::Deserialize;

pub use crate::kinds::common::{S, pos};
use crate::kinds::contacts::ContactFile;
use crate::kinds::facilities::Facility;

/// `data/site.yaml`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    pub title: S<String>,
    #[serde(default)]
    pub tagline: Option<String>,
    pub base_url: S<String>,
    pub organisation: S<String>,
    pub publisher: S<String>,
    /// Title of the printed directory (問い合わせ窓口一覧), on its cover and in the PDF metadata.
    #[serde(default)]
    pub directory_title: Option<String>,
    /// Edition date of the directory (令和7年4月版).
    pub edition: S<String>,
    /// Shows the "this is sample data" banner on every page.
    #[serde(default)]
    pub sample: bool,
    #[serde(default)]
    pub intro: Vec<String>,
    #[serde(default)]
    pub usage: Vec<String>,
    #[serde(default)]
    pub notices: Vec<S<Notice>>,
    /// Raw HTML in markdown is passed through only when the site opts in.
    #[serde(default)]
    pub allow_raw_html: bool,
    /// The folder under `themes/` whose templates, CSS and fonts are used (default `default`).
    #[serde(default)]
    pub theme: Option<S<String>>,
    /// The main menu, in order (weights may reorder it). Absent: the default
    /// menu ([`crate::routes::DEFAULT_MENU`]); front-matter entries join either.
    #[serde(default)]
    pub menu: Option<Vec<S<MenuEntry>>>,
}

/// One entry of `menu:` in site.yaml: a link of the main menu.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MenuEntry {
    pub title: S<String>,
    /// A path on this site (`/contacts/`) that the build writes.
    pub url: S<String>,
    /// Smaller first; entries of equal weight keep their order (absent = 0).
    #[serde(default)]
    pub weight: Option<i64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Notice {
    pub date: S<String>,
    pub text: S<String>,
    #[serde(default)]
    pub url: Option<S<String>>,
}

/// One entry of `data/regions.yaml`. The order of the file is the order of
/// the directory; `municipalities` lists the members in print order.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Region {
    pub id: S<String>,
    pub name: S<String>,
    /// The 二次保健医療圏 the region is based on.
    #[serde(default)]
    pub medical_area: String,
    pub municipalities: Vec<S<String>>,
}

/// One entry of `data/municipalities.yaml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Municipality {
    /// 全国地方公共団体コード (6 digits, with check digit).
    pub code: S<String>,
    pub name: S<String>,
    pub kana: S<String>,
    pub slug: S<String>,
}

/// One entry of `data/fields.yaml`: a field a window is color-coded by.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Field {
    pub id: S<String>,
    pub name: S<String>,
    #[serde(default)]
    pub kana: String,
    pub color: S<String>,
    pub text_color: S<String>,
    pub tint: S<String>,
    #[serde(default)]
    pub border: Option<S<String>>,
    #[serde(default)]
    pub description: String,
}

/// One entry of `data/care.yaml` or `data/facility_types.yaml`: an id and its label.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Term {
    pub id: S<String>,
    pub name: S<String>,
    #[serde(default)]
    pub kana: String,
    /// Grouping shown in lists (facility types only).
    #[serde(default)]
    pub group: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
}

/// YAML front matter of a markdown page.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
    pub title: S<String>,
    #[serde(default)]
    pub description: Option<String>,
    /// Orders pages within a section (smaller first).
    #[serde(default)]
    pub weight: Option<i64>,
    /// Publication date (news).
    #[serde(default)]
    pub date: Option<S<String>>,
    #[serde(default)]
    pub updated: Option<S<String>>,
    /// 監修: who reviewed medical content.
    #[serde(default)]
    pub reviewed_by: Option<String>,
    #[serde(default)]
    pub draft: bool,
    /// Puts the page in the main menu (Hugo-like; usually a section's `index.md`).
    #[serde(default)]
    pub menu: Option<S<PageMenu>>,
    /// The template of the page (Zola-like), by its name in the template set
    /// (`landing.html`, `sections/guide/page.html`).
    #[serde(default)]
    pub template: Option<S<String>>,
}

/// `menu:` of a page's front matter: `menu: {title: ガイド, weight: 35}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageMenu {
    /// The label in the menu (default: the page's `title`).
    #[serde(default)]
    pub title: Option<S<String>>,
    /// Smaller first, like site.yaml's entries (absent = 0).
    #[serde(default)]
    pub weight: Option<i64>,
}

/// A markdown page as loaded: where it lives, its front matter and body.
#[derive(Debug, Clone)]
pub struct Page {
    /// Relative path, e.g. `content/emergency/cpr.md`.
    pub file: String,
    /// URL path, e.g. `/emergency/cpr/` (`/` for `content/index.md`).
    pub path: String,
    /// First path segment (`emergency`), empty for the home page.
    pub section: String,
    pub front: FrontMatter,
    pub body: String,
    /// Line of the first body line in the file (for markdown diagnostics).
    pub body_line: u32,
}

/// Everything read from a site folder, each file's data with the file it came from.
#[derive(Debug, Clone, Default)]
pub struct RawSite {
    pub site: Option<(String, SiteConfig)>,
    pub regions: Option<(String, Vec<S<Region>>)>,
    pub municipalities: Option<(String, Vec<S<Municipality>>)>,
    pub fields: Option<(String, Vec<S<Field>>)>,
    pub care: Option<(String, Vec<S<Term>>)>,
    pub facility_types: Option<(String, Vec<S<Term>>)>,
    pub contacts: Vec<(String, ContactFile)>,
    /// Stems of every `data/contacts/*.yaml`, including files that failed to parse.
    pub contact_files: Vec<String>,
    pub facilities: Vec<(String, Vec<S<Facility>>)>,
    pub pages: Vec<Page>,
    /// The folders under `themes/` (sorted), so validation can name them without file I/O.
    pub themes: Vec<String>,
}
