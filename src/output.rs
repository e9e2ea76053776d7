//! Writes the site into a staging folder beside `dist/`, then swaps it in:
//! a failed build never touches the existing output, and readers of `dist/`
//! (a preview server, a deploy step) never see a half-written site.

use std::io;
use std::path::{Component, Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("出力先 {path} に書き込めません: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error("出力パス `{0}` がサイトの外を指しています")]
    OutsideOutput(String),
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> OutputError + '_ {
    move |source| OutputError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// A folder being filled with the next version of the site.
pub struct Staging {
    dir: tempfile::TempDir,
    out: PathBuf,
}

impl Staging {
    /// Creates the staging folder next to `out` (same filesystem, so the swap is a rename).
    pub fn new(out: &Path) -> Result<Staging, OutputError> {
        let parent = out
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent).map_err(io_err(parent))?;
        let name = out
            .file_name()
            .map_or_else(|| "dist".into(), |n| n.to_string_lossy().into_owned());
        let dir = tempfile::Builder::new()
            .prefix(&format!(".{name}.staging-"))
            .tempdir_in(parent)
            .map_err(io_err(parent))?;
        Ok(Staging {
            dir,
            out: out.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes `rel` (e.g. `contacts/yokohama/index.html`) inside the staging folder.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<(), OutputError> {
        let path = self.resolve(rel)?;
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io_err(parent))?;
        }
        std::fs::write(&path, bytes).map_err(io_err(&path))
    }

    fn resolve(&self, rel: &str) -> Result<PathBuf, OutputError> {
        let rel_path = Path::new(rel);
        if rel_path
            .components()
            .any(|c| !matches!(c, Component::Normal(_)))
        {
            return Err(OutputError::OutsideOutput(rel.to_string()));
        }
        Ok(self.dir.path().join(rel_path))
    }

    /// Replaces `out` with the staged site. The old output is moved aside first and
    /// removed only after the new one is in place.
    pub fn commit(self) -> Result<(), OutputError> {
        let staged = self.dir.keep();
        let out = &self.out;
        let backup = out.with_file_name(format!(
            ".{}.old-{}",
            out.file_name()
                .map_or_else(|| "dist".into(), |n| n.to_string_lossy().into_owned()),
            std::process::id()
        ));
        let had_old = out.exists();
        if had_old {
            std::fs::rename(out, &backup).map_err(io_err(out))?;
        }
        if let Err(e) = std::fs::rename(&staged, out) {
            if had_old {
                let _ = std::fs::rename(&backup, out);
            }
            let _ = std::fs::remove_dir_all(&staged);
            return Err(OutputError::Io {
                path: out.clone(),
                source: e,
            });
        }
        if had_old {
            let _ = std::fs::remove_dir_all(&backup);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_paths_outside() {
        let tmp = tempfile::tempdir().unwrap();
        let s = Staging::new(&tmp.path().join("dist")).unwrap();
        assert!(s.write("../evil", b"x").is_err());
        assert!(s.write("/abs", b"x").is_err());
        assert!(s.write("ok/index.html", b"x").is_ok());
    }

    #[test]
    fn swap_replaces_old_output() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("dist");
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(out.join("old.html"), "old").unwrap();
        let s = Staging::new(&out).unwrap();
        s.write("new.html", b"new").unwrap();
        s.commit().unwrap();
        assert!(out.join("new.html").exists());
        assert!(!out.join("old.html").exists());
        let leftovers: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
        assert_eq!(
            leftovers.len(),
            1,
            "staging and backup folders are cleaned up"
        );
    }
}
