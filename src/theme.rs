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
    /// The theme's folder: `themes/<name>`, or the built-in theme unpacked
    /// under `.cache/theme/` when the site has no `themes/default/`.
    dir: PathBuf,
    builtin: bool,
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
    /// The theme `themes/<name>` of the site at `root` (it may be missing:
    /// `check` says so).
    pub fn new(root: &Path, name: &str) -> Theme {
        Theme {
            name: name.to_string(),
            root: root.to_path_buf(),
            dir: root.join("themes").join(name),
            builtin: false,
        }
    }

    /// Like [`Theme::new`], but the default theme comes from the program when
    /// the site has no `themes/default/` (the program works alone).
    pub fn open(root: &Path, name: &str) -> Result<Theme, crate::builtin_theme::BuiltinThemeError> {
        let theme = Theme::new(root, name);
        if name != DEFAULT_THEME || theme.dir.is_dir() {
            return Ok(theme);
        }
        Ok(Theme {
            dir: crate::builtin_theme::unpacked(root)?,
            builtin: true,
            ..theme
        })
    }

    /// Whether this is the theme built into the program.
    pub fn is_builtin(&self) -> bool {
        self.builtin
    }

    /// `themes/<name>`, relative to the site (for messages).
    pub fn rel(&self) -> String {
        if self.builtin {
            return format!("内蔵テーマ ({})", self.name);
        }
        format!("themes/{}", self.name)
    }

    pub fn dir(&self) -> PathBuf {
        self.dir.clone()
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
