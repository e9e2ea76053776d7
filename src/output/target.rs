//! Where a build may write: the checks made on `--out` before anything is
//! touched. A build replaces its output folder whole, so a wrong `--out` must
//! never name a folder that holds someone's files.

use super::marker::{self, Marker};
use super::{OutputError, Refusal};
use std::path::{Component, Path, PathBuf};

/// The site's own folders, never an output (nor anything inside them).
pub const SOURCE_DIRS: [&str; 5] = ["content", "data", "themes", "templates", "schemas"];

/// Top-level entries every earlier ohisama output has (before outputs were marked).
const LEGACY_FILES: [&str; 4] = ["index.html", "404.html", "sitemap.xml", "robots.txt"];
const LEGACY_DIRS: [&str; 3] = ["assets", "contacts", "facilities"];

/// An output folder a build may replace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputTarget {
    /// Absolute, with every existing part resolved (no `..`, no symlinks).
    pub path: PathBuf,
    pub found: Found,
}

/// What is at the output path now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found {
    Nothing,
    EmptyFolder,
    /// A folder with ohisama's marker.
    Marked,
    /// An unmarked output of an earlier ohisama (recognised by its files); adopted.
    EarlierOutput,
}

impl OutputTarget {
    /// Checks `out` for a build of the site at `root`; reads, never writes.
    pub fn check(root: &Path, out: &Path) -> Result<OutputTarget, OutputError> {
        let path = resolve(out);
        let refuse = |reason: Refusal| OutputError::Refused {
            path: path.clone(),
            reason,
        };
        if path.parent().is_none() {
            return Err(refuse(Refusal::FilesystemRoot));
        }
        let exists = std::fs::symlink_metadata(&path).is_ok();
        let is_dir = std::fs::metadata(&path).is_ok_and(|m| m.is_dir());
        if exists && !is_dir {
            return Err(refuse(Refusal::NotAFolder));
        }
        let root = resolve(root);
        if path == root {
            return Err(refuse(Refusal::SiteRoot));
        }
        if root.starts_with(&path) {
            return Err(refuse(Refusal::AboveSiteRoot { root }));
        }
        for name in SOURCE_DIRS {
            if path.starts_with(resolve(&root.join(name))) || path.starts_with(root.join(name)) {
                return Err(refuse(Refusal::SourceFolder(name)));
            }
        }
        let cache = root.join(".cache");
        if path.starts_with(&cache) && !path.starts_with(cache.join("serve")) {
            return Err(refuse(Refusal::Cache));
        }
        for home in home_dirs() {
            if path == home {
                return Err(refuse(Refusal::Home));
            }
            if home.starts_with(&path) {
                return Err(refuse(Refusal::AboveHome { home }));
            }
        }
        let found = if !exists {
            Found::Nothing
        } else if is_empty(&path) {
            Found::EmptyFolder
        } else if marker::read(&path) != Marker::None {
            Found::Marked
        } else if is_earlier_output(&path) {
            Found::EarlierOutput
        } else {
            return Err(refuse(Refusal::Foreign));
        };
        Ok(OutputTarget { path, found })
    }
}

/// `path` made absolute, its longest existing part canonicalized (symlinks
/// and `..` resolved by the OS) and the rest normalized as written.
pub fn resolve(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let parts: Vec<Component> = absolute.components().collect();
    let (mut resolved, rest) = (1..=parts.len())
        .rev()
        .find_map(|n| {
            let prefix: PathBuf = parts[..n].iter().collect();
            std::fs::canonicalize(prefix)
                .ok()
                .map(|real| (real, &parts[n..]))
        })
        .unwrap_or_else(|| (PathBuf::new(), &parts[..]));
    for part in rest {
        match part {
            Component::ParentDir => {
                resolved.pop();
            }
            Component::CurDir => {}
            other => resolved.push(other),
        }
    }
    resolved
}

/// The user's home folder(s), resolved: `$HOME`, and on Windows `USERPROFILE`.
fn home_dirs() -> Vec<PathBuf> {
    let vars: &[&str] = if cfg!(windows) {
        &["HOME", "USERPROFILE"]
    } else {
        &["HOME"]
    };
    vars.iter()
        .filter_map(std::env::var_os)
        .filter(|v| !v.is_empty())
        .map(|v| resolve(Path::new(&v)))
        .collect()
}

fn is_empty(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_none())
}

/// An output of ohisama from before outputs were marked: it has the files every
/// build writes at the top (`index.html`, `404.html`, `sitemap.xml`,
/// `robots.txt`) and the folders `assets/`, `contacts/`, `facilities/`.
pub fn is_earlier_output(dir: &Path) -> bool {
    LEGACY_FILES.iter().all(|f| dir.join(f).is_file())
        && LEGACY_DIRS.iter().all(|d| dir.join(d).is_dir())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_missing_parts_as_written() {
        let tmp = tempfile::tempdir().unwrap();
        let real = std::fs::canonicalize(tmp.path()).unwrap();
        assert_eq!(
            resolve(&tmp.path().join("a/b/../c/./d")),
            real.join("a/c/d")
        );
        assert_eq!(resolve(&tmp.path().join("x/..")), real);
    }

    #[cfg(unix)]
    #[test]
    fn resolves_symlinks() {
        let tmp = tempfile::tempdir().unwrap();
        let real = std::fs::canonicalize(tmp.path()).unwrap();
        std::fs::create_dir(real.join("site")).unwrap();
        std::os::unix::fs::symlink(real.join("site"), real.join("link")).unwrap();
        assert_eq!(resolve(&real.join("link/dist")), real.join("site/dist"));
    }
}
