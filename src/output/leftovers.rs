//! What a killed build leaves behind: its staging folder (`.dist.staging-*`),
//! the old output it had moved aside (`.dist.old-<pid>`), its search index in
//! the making (`.cache/search-*`, `.cache/.search.old-<pid>`) and a killed
//! preview's work folder (`.cache/serve/<port>`). The next build removes those
//! whose marker names a process that is gone, and nothing else (but for an
//! empty unmarked one, a minute old: a process killed before it marked it).

use super::marker::{self, Liveness, Marker};
use std::path::{Path, PathBuf};

/// What [`sweep`] found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Sweep {
    /// Removed (marked, owner gone).
    pub removed: Vec<PathBuf>,
    pub removed_bytes: u64,
    /// Named like a leftover but unmarked (an earlier ohisama's, or not ours): kept.
    pub unmarked: Vec<PathBuf>,
    pub unmarked_bytes: u64,
}

/// Removes the leftovers of killed builds and previews: beside the output
/// `out` (already resolved) and in the site's cache folder `cache`.
pub fn sweep(out: &Path, cache: &Path) -> Sweep {
    let mut sweep = Sweep::default();
    if let (Some(parent), Some(name)) = (out.parent(), out.file_name()) {
        let name = name.to_string_lossy();
        let staging = format!(".{name}.staging-");
        let old = format!(".{name}.old-");
        sweep.folder(
            parent,
            |n| n.starts_with(&staging) || n.starts_with(&old),
            true,
        );
    }
    sweep.merge(sweep_cache(cache));
    sweep
}

/// [`sweep`] of the cache folder only (what `ohisama search` runs before it
/// indexes: a search killed while indexing leaves its `.cache/search-*`).
pub fn sweep_cache(cache: &Path) -> Sweep {
    let mut sweep = Sweep::default();
    sweep.folder(
        cache,
        |n| {
            ["search-", "search.old-", ".search.old-"]
                .iter()
                .any(|p| n.starts_with(p))
        },
        true,
    );
    // A preview's work folder is named by its port.
    sweep.folder(
        &cache.join("serve"),
        |n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()),
        false,
    );
    sweep
}

impl Sweep {
    fn merge(&mut self, other: Sweep) {
        self.removed.extend(other.removed);
        self.removed_bytes += other.removed_bytes;
        self.unmarked.extend(other.unmarked);
        self.unmarked_bytes += other.unmarked_bytes;
    }

    /// Looks at the folders in `dir` whose name `is_candidate`.
    fn folder(&mut self, dir: &Path, is_candidate: impl Fn(&str) -> bool, report_unmarked: bool) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        let mut candidates: Vec<PathBuf> = entries
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .filter(|e| is_candidate(&e.file_name().to_string_lossy()))
            .map(|e| e.path())
            .collect();
        candidates.sort();
        for path in candidates {
            match marker::read(&path) {
                Marker::Working(owner) if owner.liveness() == Liveness::Gone => {
                    let bytes = size_of(&path);
                    if std::fs::remove_dir_all(&path).is_ok() {
                        self.removed_bytes += bytes;
                        self.removed.push(path);
                    }
                }
                // Killed between creating the folder and marking it (a few
                // microseconds): nothing in it to lose once nobody is about to.
                // (If it cannot be removed, it is reported below.)
                Marker::None
                    if is_empty_for(&path, std::time::Duration::from_secs(60))
                        && std::fs::remove_dir(&path).is_ok() =>
                {
                    self.removed.push(path);
                }
                Marker::None if report_unmarked => {
                    self.unmarked_bytes += size_of(&path);
                    self.unmarked.push(path);
                }
                _ => {}
            }
        }
    }

    /// One line for each kind of finding (none when there was nothing), with
    /// paths shown relative to `root` where they are inside it.
    pub fn notes(&self, root: &Path) -> Vec<String> {
        let mut notes = Vec::new();
        if !self.removed.is_empty() {
            notes.push(format!(
                "中断されたビルドの残り {} 件 ({}) を削除しました: {}",
                self.removed.len(),
                size_label(self.removed_bytes),
                names(&self.removed, root)
            ));
        }
        if !self.unmarked.is_empty() {
            notes.push(format!(
                "以前の版の ohisama が残したと思われる作業フォルダが {} 件 ({}) あります: {}。\
                 目印 ({}) が無いので残しています。ほかにビルドが動いていなければ削除してかまいません",
                self.unmarked.len(),
                size_label(self.unmarked_bytes),
                names(&self.unmarked, root),
                marker::MARKER
            ));
        }
        notes
    }
}

/// Up to three names, then `ほか N 件`.
fn names(paths: &[PathBuf], root: &Path) -> String {
    let shown: Vec<String> = paths
        .iter()
        .take(3)
        .map(|p| {
            p.strip_prefix(root)
                .unwrap_or(p)
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    let mut s = shown.join(", ");
    if paths.len() > 3 {
        s.push_str(&format!(" ほか {} 件", paths.len() - 3));
    }
    s
}

fn size_label(bytes: u64) -> String {
    crate::render::size_label(usize::try_from(bytes).unwrap_or(usize::MAX))
}

/// `dir` is empty and was last changed at least `age` ago.
fn is_empty_for(dir: &Path, age: std::time::Duration) -> bool {
    let empty = std::fs::read_dir(dir).is_ok_and(|mut e| e.next().is_none());
    empty
        && std::fs::metadata(dir)
            .and_then(|m| m.modified())
            .is_ok_and(|t| t.elapsed().is_ok_and(|e| e >= age))
}

/// Bytes of the files under `dir` (links not followed).
fn size_of(dir: &Path) -> u64 {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| e.metadata().ok())
        .map(|m| m.len())
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::marker::Owner;

    #[cfg(unix)]
    #[test]
    fn removes_only_marked_folders_of_ended_processes() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        let cache = root.join(".cache");
        let ended = {
            let mut c = std::process::Command::new("true").spawn().unwrap();
            let pid = c.id();
            c.wait().unwrap();
            pid
        };
        let make = |rel: &str, owner: Option<u32>| {
            let dir = root.join(rel);
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join("page.html"), "x").unwrap();
            if let Some(pid) = owner {
                marker::write_owner(&dir, &Owner::pid_only(pid)).unwrap();
            }
        };
        make(".dist.staging-dead", Some(ended));
        make(".dist.old-1", Some(ended));
        make(".cache/search-dead", Some(ended));
        make(".cache/serve/1111", Some(ended));
        make(".dist.staging-live", Some(std::process::id()));
        make(".dist.staging-unmarked", None);
        make(".other.staging-dead", Some(ended));
        // Empty and unmarked: killed before marking it (old), or being made now.
        let empty_old = cache.join("search-empty");
        std::fs::create_dir_all(&empty_old).unwrap();
        let two_minutes_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(120);
        std::fs::File::open(&empty_old)
            .unwrap()
            .set_modified(two_minutes_ago)
            .unwrap();
        std::fs::create_dir_all(cache.join("search-empty-new")).unwrap();
        let s = sweep(&root.join("dist"), &cache);
        let rel = |v: &[PathBuf]| -> Vec<String> {
            v.iter()
                .map(|p| p.strip_prefix(root).unwrap().to_string_lossy().into_owned())
                .collect()
        };
        assert_eq!(
            rel(&s.removed),
            [
                ".dist.old-1",
                ".dist.staging-dead",
                ".cache/search-dead",
                ".cache/search-empty",
                ".cache/serve/1111"
            ]
        );
        assert_eq!(
            rel(&s.unmarked),
            [".dist.staging-unmarked", ".cache/search-empty-new"]
        );
        assert!(root.join(".dist.staging-live").exists());
        assert!(root.join(".other.staging-dead").exists());
        let notes = s.notes(root);
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert!(notes[0].contains("5 件"), "{}", notes[0]);
    }
}
