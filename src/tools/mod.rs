//! Tools for the hospital team that keeps the directory current: JSON Schemas
//! for VS Code (`schema`), Excel CSV import and export (`import`, `export`),
//! a new site (`new`) and a report of what changed between two versions (`diff`).
//!
//! Everything here reads a site's data with [`crate::load::load_data`] (not its
//! pages) and writes files only after every check passed, each through a temp
//! file and a rename.

pub mod cli;
pub mod csv_io;
pub mod csv_synonyms;
pub mod data;
pub mod diff;
pub mod scaffold;
pub mod schema;
pub mod yaml_out;

use crate::diagnostic::{Diagnostic, Diagnostics};
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Writes every file through a temp file in its folder, then renames them all
/// into place. Nothing is renamed before every temp file is written.
pub fn write_files_atomically(files: &[(PathBuf, Vec<u8>)]) -> std::io::Result<()> {
    let mut staged = Vec::with_capacity(files.len());
    for (path, bytes) in files {
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)?;
        let mut tmp = tempfile::Builder::new()
            .prefix(".ohisama-")
            .suffix(".tmp")
            .tempfile_in(dir)?;
        tmp.write_all(bytes)?;
        tmp.as_file().sync_all()?;
        staged.push((tmp, path));
    }
    for (tmp, path) in staged {
        tmp.persist(path).map_err(|e| e.error)?;
    }
    Ok(())
}

/// The errors among `diags` that concern the given data files (by relative path prefix).
pub fn errors_in(diags: &Diagnostics, prefixes: &[&str]) -> Diagnostics {
    Diagnostics(
        diags
            .iter()
            .filter(|d| d.is_error() && prefixes.iter().any(|p| d.file.starts_with(p)))
            .cloned()
            .collect(),
    )
}

/// One diagnostic as a [`Diagnostics`].
pub fn single(d: Diagnostic) -> Diagnostics {
    Diagnostics(vec![d])
}
