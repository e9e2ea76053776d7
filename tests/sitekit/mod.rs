//! Test sites: the small fixture under tests/fixtures/mini (copied to a temp
//! folder so a test can break one thing) and the sample site at the repo root.

#![allow(dead_code)]

use ohisama::config::BuildOptions;
use ohisama::diagnostic::{Diagnostic, Diagnostics};
use std::path::{Path, PathBuf};

/// The "today" of every test (`OHISAMA_TODAY` of [`ohisama`], `BuildOptions::today`
/// of [`TestSite::options`] and [`build_options`]), so that no test starts failing
/// when the sample's medical reviews (2026-11-20) turn a year old. A test that
/// needs another day sets its own (`.env("OHISAMA_TODAY", …)`, `fix_today`).
pub const TODAY: &str = "2026-11-29";

/// Build options for the site at `root` with "today" fixed to [`TODAY`].
pub fn build_options(root: impl AsRef<Path>) -> BuildOptions {
    let mut o = BuildOptions::new(root);
    assert!(o.fix_today(TODAY), "TODAY is a date");
    o
}

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.expect("walk fixture");
        let rel = entry.path().strip_prefix(from).expect("prefix");
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).expect("mkdir");
        } else {
            std::fs::copy(entry.path(), &dest).expect("copy");
        }
    }
}

/// A copy of a fixture site with the repository's theme, in a temp dir.
pub struct TestSite {
    pub dir: tempfile::TempDir,
}

impl TestSite {
    pub fn mini() -> TestSite {
        Self::from_fixture(&repo_root().join("tests/fixtures/mini"))
    }

    pub fn from_fixture(fixture: &Path) -> TestSite {
        let dir = tempfile::tempdir().expect("tempdir");
        copy_dir(fixture, dir.path());
        copy_dir(&repo_root().join("themes"), &dir.path().join("themes"));
        TestSite { dir }
    }

    /// A copy of the sample site (content, data, themes) of the repository.
    pub fn sample() -> TestSite {
        let dir = tempfile::tempdir().expect("tempdir");
        for sub in ["content", "data", "themes"] {
            copy_dir(&repo_root().join(sub), &dir.path().join(sub));
        }
        TestSite { dir }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).expect("read")
    }

    pub fn write(&self, rel: &str, text: &str) {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }

    /// Replaces one exact occurrence of `from` in a file (panics if absent, so a
    /// fixture change cannot make a test pass vacuously).
    pub fn edit(&self, rel: &str, from: &str, to: &str) {
        let text = self.read(rel);
        assert!(text.contains(from), "{rel} does not contain {from:?}");
        self.write(rel, &text.replacen(from, to, 1));
    }

    pub fn options(&self) -> BuildOptions {
        let mut o = build_options(self.root());
        o.pdf = false;
        o.search = false;
        o
    }

    /// All diagnostics of `check` (errors and warnings).
    pub fn check(&self) -> Diagnostics {
        match ohisama::build::check(&self.options()) {
            Ok((_, d)) => d,
            Err(d) => d,
        }
    }
}

/// Finds the diagnostic at `file:line` whose message contains `needle`, or fails with all of them.
pub fn expect_diag<'a>(
    diags: &'a Diagnostics,
    file: &str,
    line: u32,
    needle: &str,
) -> &'a Diagnostic {
    diags
        .iter()
        .find(|d| d.file == file && d.line == line && d.message.contains(needle))
        .unwrap_or_else(|| {
            panic!(
                "no diagnostic {file}:{line} containing {needle:?}; got:\n{}",
                diags.render_text()
            )
        })
}

/// The `ohisama` binary of this build, for the CLI tests, with "today" fixed
/// to [`TODAY`] (a later `.env("OHISAMA_TODAY", …)` replaces it).
pub fn ohisama() -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_ohisama"));
    cmd.env("OHISAMA_TODAY", TODAY);
    cmd
}

/// Fails the test with the command's stderr unless it exited with success.
#[track_caller]
pub fn assert_success(out: &std::process::Output) {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// What a folder holds, for "nothing was touched" checks and golden digests:
/// each path (relative, `/`-separated) with `size<TAB>sha256` of its bytes,
/// `dir`, or `link<TAB>target`.
#[derive(Debug, PartialEq, Eq, Clone)]
pub struct TreeSnapshot(pub std::collections::BTreeMap<String, String>);

impl TreeSnapshot {
    /// Walks `root` without following symlinks; a missing folder is empty.
    pub fn of(root: &Path) -> TreeSnapshot {
        use sha2::{Digest, Sha256};
        let mut map = std::collections::BTreeMap::new();
        if std::fs::symlink_metadata(root).is_err() {
            return TreeSnapshot(map);
        }
        for entry in walkdir::WalkDir::new(root).sort_by_file_name() {
            let entry = entry.expect("walk");
            let rel = entry
                .path()
                .strip_prefix(root)
                .expect("prefix")
                .to_string_lossy()
                .replace('\\', "/");
            let ft = entry.file_type();
            let value = if ft.is_symlink() {
                let target = std::fs::read_link(entry.path()).expect("readlink");
                format!("link\t{}", target.display())
            } else if ft.is_dir() {
                "dir".to_string()
            } else {
                let bytes = std::fs::read(entry.path()).expect("read");
                format!("{}\t{:x}", bytes.len(), Sha256::digest(&bytes))
            };
            map.insert(rel, value);
        }
        TreeSnapshot(map)
    }

    /// Fails with the paths that differ (added, removed, changed).
    #[track_caller]
    pub fn assert_same(&self, after: &TreeSnapshot, what: &str) {
        if self == after {
            return;
        }
        let mut diff = Vec::new();
        for (k, v) in &self.0 {
            match after.0.get(k) {
                None => diff.push(format!("removed {k}")),
                Some(w) if w != v => diff.push(format!("changed {k}")),
                _ => {}
            }
        }
        for k in after.0.keys().filter(|k| !self.0.contains_key(*k)) {
            diff.push(format!("added {k}"));
        }
        panic!("{what} changed:\n{}", diff.join("\n"));
    }
}
