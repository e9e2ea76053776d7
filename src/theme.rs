//! The theme of a site (`themes/<name>/`, named by `theme:` in site.yaml) and
//! the site's own `templates/`, which override the theme's templates of the
//! same name (Zola's `templates/`, Hugo's `layouts/`).

use crate::diagnostic::rel_path;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The theme used when site.yaml names none.
pub const DEFAULT_THEME: &str = "default";

/// The folder of the site's own templates, beside `content/` and `data/`.
pub const SITE_TEMPLATES: &str = "templates";

#[derive(Debug, Clone)]
pub struct Theme {
    pub name: String,
    /// The site folder.
    root: PathBuf,
}

/// One template as Tera knows it: its name (`partials/window.html`), the file
/// it is read from and that file relative to the site, for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateFile {
    pub name: String,
    pub path: PathBuf,
    pub rel: String,
}

#[derive(Debug, thiserror::Error)]
#[error("テンプレートのフォルダ {folder} を読めません: {message}")]
pub struct TemplateListError {
    pub folder: String,
    pub message: String,
}

impl Theme {
    pub fn new(root: &Path, name: &str) -> Theme {
        Theme {
            name: name.to_string(),
            root: root.to_path_buf(),
        }
    }

    /// `themes/<name>`, relative to the site (for messages).
    pub fn rel(&self) -> String {
        format!("themes/{}", self.name)
    }

    pub fn dir(&self) -> PathBuf {
        self.root.join("themes").join(&self.name)
    }

    pub fn static_dir(&self) -> PathBuf {
        self.dir().join("static")
    }

    /// The folder of the site's own templates (may be missing).
    pub fn site_templates_dir(&self) -> PathBuf {
        self.root.join(SITE_TEMPLATES)
    }

    /// Every `*.html` template of the theme, then of the site's `templates/`:
    /// a site file replaces the theme's file of the same name, so even
    /// `{% extends "base.html" %}` in a theme template gets the site's base.
    pub fn templates(&self) -> Result<Vec<TemplateFile>, TemplateListError> {
        let mut by_name: BTreeMap<String, TemplateFile> = BTreeMap::new();
        for dir in [self.dir().join("templates"), self.site_templates_dir()] {
            if dir.is_dir() {
                for t in self.html_files(&dir)? {
                    by_name.insert(t.name.clone(), t);
                }
            }
        }
        Ok(by_name.into_values().collect())
    }

    fn html_files(&self, dir: &Path) -> Result<Vec<TemplateFile>, TemplateListError> {
        let mut out = Vec::new();
        // Real files only: a linked folder or file is not read (the loader
        // warns about links, and refuses those that lead out of the site).
        let walker = walkdir::WalkDir::new(dir)
            .follow_root_links(false)
            .sort_by_file_name();
        for entry in walker {
            let entry = entry.map_err(|e| TemplateListError {
                folder: rel_path(&self.root, dir),
                message: e.to_string(),
            })?;
            if entry.file_type().is_file() && entry.path().extension().is_some_and(|e| e == "html")
            {
                out.push(TemplateFile {
                    name: rel_path(dir, entry.path()),
                    path: entry.path().to_path_buf(),
                    rel: rel_path(&self.root, entry.path()),
                });
            }
        }
        Ok(out)
    }
}
