//! Where a build reads and writes, and how.

use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// The site folder (with content/, data/, themes/).
    pub root: PathBuf,
    /// Output folder (default `<root>/dist`).
    pub out: PathBuf,
    /// Overrides `base_url` of site.yaml (e.g. to serve from a sub-path).
    pub base_url: Option<String>,
    /// Overrides `theme:` of site.yaml (`None`: the theme site.yaml names, or `default`).
    pub theme: Option<String>,
    /// Include `draft: true` pages (`--drafts`); a plain build leaves them out.
    pub drafts: bool,
    /// Generate the PDFs of the directory.
    pub pdf: bool,
    /// Build and export the search index.
    pub search: bool,
    /// HTML injected before `</body>` of every page (live reload in `serve`); empty otherwise.
    pub dev_script: String,
    /// "Today" for diagnostics only (the age of a medical review), never for
    /// the output: [`crate::date::today`] when made, fixed by [`Self::fix_today`].
    pub today: Option<crate::date::Date>,
}

impl BuildOptions {
    pub fn new(root: impl AsRef<Path>) -> BuildOptions {
        let root = root.as_ref().to_path_buf();
        BuildOptions {
            out: root.join("dist"),
            root,
            base_url: None,
            theme: None,
            drafts: false,
            pdf: true,
            search: true,
            dev_script: String::new(),
            today: crate::date::today(),
        }
    }

    /// Fixes "today" to an ISO date (`2026-11-29`), as `OHISAMA_TODAY` does
    /// for the binary; false (nothing changed) when `iso` is not a date.
    pub fn fix_today(&mut self, iso: &str) -> bool {
        let Some(d) = crate::date::Date::parse(iso) else {
            return false;
        };
        self.today = Some(d);
        true
    }

    /// Build cache (the tantivy index), kept out of the output.
    pub fn cache_dir(&self) -> PathBuf {
        self.root.join(".cache")
    }
}
