//! The data as the editors write it (data contract: docs/DATA.md).
//!
//! Every value that a check may need to point at is `Spanned`, so a
//! diagnostic names its line and column. Unknown keys are rejected by serde
//! (`deny_unknown_fields`): a typo must never vanish silently.

use serde::Deserialize;

pub use crate::kinds::common::{S, pos};
pub use crate::kinds::settings::{MenuEntry, Notice, SiteConfig};
pub use crate::kinds::vocab::{CareTerm, FacilityType, Field, Municipality, Region};

/// `data/contacts/<slug>.yaml`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactFile {
    pub municipality: S<String>,
    pub updated: S<String>,
    #[serde(default)]
    pub windows: Vec<S<Window>>,
}

/// One municipal window (相談窓口).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Window {
    pub name: S<String>,
    pub field: S<String>,
    /// 「各種相談」: takes any question (only the first window).
    #[serde(default)]
    pub general: Option<S<bool>>,
    #[serde(default)]
    pub detail: Option<String>,
    #[serde(default)]
    pub tel: Option<S<String>>,
    /// `direct` (直通) or `main` (代表).
    #[serde(default)]
    pub tel_kind: Option<S<String>>,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub url: Option<S<String>>,
}

impl Window {
    pub fn is_general(&self) -> bool {
        self.general.as_ref().is_some_and(|g| g.value)
    }
}

/// One entry of `data/facilities/<slug>.yaml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Facility {
    pub id: S<String>,
    pub name: S<String>,
    #[serde(default)]
    pub kana: String,
    #[serde(rename = "type")]
    pub kind: S<String>,
    pub municipality: S<String>,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub tel: Option<S<String>>,
    #[serde(default)]
    pub url: Option<S<String>>,
    #[serde(default)]
    pub care: Vec<S<String>>,
    #[serde(default)]
    pub ages: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub updated: Option<S<String>>,
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
    pub care: Option<(String, Vec<S<CareTerm>>)>,
    pub facility_types: Option<(String, Vec<S<FacilityType>>)>,
    pub contacts: Vec<(String, ContactFile)>,
    /// Stems of every `data/contacts/*.yaml`, including files that failed to parse.
    pub contact_files: Vec<String>,
    pub facilities: Vec<(String, Vec<S<Facility>>)>,
    pub pages: Vec<Page>,
    /// The folders under `themes/` (sorted), so validation can name them without file I/O.
    pub themes: Vec<String>,
}
