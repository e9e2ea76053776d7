//! The data as the editors write it (data contract: docs/DATA.md).
//!
//! Every value that a check may need to point at is `Spanned`, so a
//! diagnostic names its line and column. Unknown keys are rejected by serde
//! (`deny_unknown_fields`): a typo must never vanish silently.

use serde::Deserialize;

pub use crate::kinds::common::{S, pos};
pub use crate::kinds::pages::{FrontMatter, Page, PageMenu};
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
