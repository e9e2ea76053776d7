//! The data as the editors write it (data contract: docs/DATA.md).
//!
//! Every value that a check may need to point at is `Spanned`, so a
//! diagnostic names its line and column. Unknown keys are rejected by serde
//! (`deny_unknown_fields`): a typo must never vanish silently.

pub use crate::kinds::centres::Centre;
pub use crate::kinds::common::{S, pos};
pub use crate::kinds::contacts::{ContactFile, Window};
pub use crate::kinds::facilities::Facility;
pub use crate::kinds::pages::{FrontMatter, Page, PageMenu};
pub use crate::kinds::settings::{MenuEntry, Notice, SiteConfig};
pub use crate::kinds::synonyms::SynonymGroup;
pub use crate::kinds::vocab::{CareTerm, FacilityType, Field, Municipality, Region};

/// Everything read from a site folder, each file's data with the file it came from.
#[derive(Debug, Clone, Default)]
pub struct RawSite {
    pub site: Option<(String, SiteConfig)>,
    pub regions: Option<(String, Vec<S<Region>>)>,
    pub municipalities: Option<(String, Vec<S<Municipality>>)>,
    pub fields: Option<(String, Vec<S<Field>>)>,
    pub care: Option<(String, Vec<S<CareTerm>>)>,
    pub facility_types: Option<(String, Vec<S<FacilityType>>)>,
    /// data/centres.yaml, when the site has one (the file is optional).
    pub centres: Option<(String, Vec<S<Centre>>)>,
    /// data/synonyms.yaml (optional: absent = no groups of the team's).
    pub synonyms: Option<(String, Vec<S<SynonymGroup>>)>,
    /// data/glossary.yaml, when the site has one (the file is optional).
    pub glossary: Option<(String, Vec<S<crate::kinds::glossary::Term>>)>,
    /// data/accessibility/results.yaml (optional: written by the test suite's axe run).
    pub accessibility: Option<(String, crate::kinds::accessibility::Results)>,
    /// data/stats/*.yaml: the report's tables shown as charts (none without the folder).
    pub stats: Vec<(String, crate::kinds::stats::StatsFile)>,
    /// Stems of every `data/stats/*.yaml`, including files that failed to parse.
    pub stats_files: Vec<String>,
    /// data/i18n/<code>.yaml: the UI strings of each language (optional folder).
    pub i18n: Vec<(String, crate::kinds::i18n::Strings)>,
    /// Codes of every `data/i18n/*.yaml`, including files that failed to parse.
    pub i18n_files: Vec<String>,
    pub contacts: Vec<(String, ContactFile)>,
    /// Stems of every `data/contacts/*.yaml`, including files that failed to parse.
    pub contact_files: Vec<String>,
    pub facilities: Vec<(String, Vec<S<Facility>>)>,
    /// Shared with `serve`'s page cache: an unchanged page is not copied.
    pub pages: Vec<std::sync::Arc<Page>>,
    /// The folders under `themes/` (sorted), so validation can name them without file I/O.
    pub themes: Vec<String>,
}
