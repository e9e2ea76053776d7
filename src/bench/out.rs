//! Writing the output folders: the guard that never overwrites a folder
//! `generate` did not make, file writing with a count, YAML quoting.

use anyhow::{Context as _, bail};
use std::path::{Path, PathBuf};

/// A file in an output folder that marks it as made by `generate` (so it may be replaced).
const MARKER: &str = ".ohisama-generated";

/// An output folder being written; counts the files.
pub(super) struct Out {
    root: PathBuf,
    pub(super) files: usize,
}

impl Out {
    pub(super) fn new(root: &Path) -> Out {
        Out {
            root: root.to_path_buf(),
            files: 0,
        }
    }

    /// Writes `text` to `rel` under the root, making its folders.
    pub(super) fn write(&mut self, rel: &str, text: &str) -> anyhow::Result<()> {
        let path = self.root.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("{} を作れません", parent.display()))?;
        }
        std::fs::write(&path, text).with_context(|| format!("{} に書けません", path.display()))?;
        self.files += 1;
        Ok(())
    }
}

/// Makes `dir` ready: missing, empty, or made by an earlier `generate` (then
/// its generated folders are removed).
pub(super) fn prepare(dir: &Path, subdirs: &[&str]) -> anyhow::Result<()> {
    if dir.exists() {
        let nonempty = std::fs::read_dir(dir)
            .with_context(|| format!("{} を読めません", dir.display()))?
            .next()
            .is_some();
        if nonempty && !dir.join(MARKER).is_file() {
            bail!(
                "{} は空ではなく、generate で作ったフォルダでもありません(上書きしません)",
                dir.display()
            );
        }
        for s in subdirs {
            let p = dir.join(s);
            if p.exists() {
                std::fs::remove_dir_all(&p)
                    .with_context(|| format!("{} を削除できません", p.display()))?;
            }
        }
    }
    std::fs::create_dir_all(dir).with_context(|| format!("{} を作れません", dir.display()))?;
    std::fs::write(dir.join(MARKER), "ohisama generate\n")?;
    Ok(())
}

/// Copies the files under `from` to `to` (in name order); returns how many.
pub(super) fn copy_tree(from: &Path, to: &Path) -> anyhow::Result<usize> {
    let mut n = 0;
    for entry in walkdir::WalkDir::new(from).sort_by_file_name() {
        let entry = entry?;
        let rel = entry.path().strip_prefix(from)?;
        let target = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target)?;
        } else if entry.file_type().is_file() {
            std::fs::copy(entry.path(), &target)
                .with_context(|| format!("{} をコピーできません", entry.path().display()))?;
            n += 1;
        }
    }
    Ok(n)
}

/// A double-quoted YAML string.
pub(super) fn yq(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            _ => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_strings_are_quoted() {
        assert_eq!(yq("a: \"b\""), "\"a: \\\"b\\\"\"");
    }
}
