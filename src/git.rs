//! What the site's git repository says, for the checks that compare with the
//! last commit: the text of a data file at HEAD (the 確認日 reminder,
//! [`crate::freshness`]) and the date of the last commit of a page (stale
//! translations, [`crate::kinds::i18n::stale`]). No libgit2: the `git`
//! program, asked without a terminal or a pager.
//!
//! Both answers depend only on HEAD, so they are remembered per site folder
//! and HEAD commit: `serve` checks on every save, and without the memo each
//! save cost one `git cat-file` and one `git log` per translated page (12–30
//! ms on the sample, more in a long history). One `git rev-parse HEAD` per
//! check ([`Head::of`]) tells whether HEAD moved (a commit, a checkout) and
//! empties the memo of that folder when it did; a folder with no `.git` in it
//! or above it starts no process at all.

use std::collections::BTreeMap;
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;

use crate::load::limits::MAX_DATA_FILE_BYTES;

/// What was asked of one folder's HEAD; `None` values are "git has none".
#[derive(Default)]
struct Memo {
    head: String,
    texts: BTreeMap<String, Option<String>>,
    dates: BTreeMap<String, Option<String>>,
}

static MEMO: Mutex<BTreeMap<PathBuf, Memo>> = Mutex::new(BTreeMap::new());

fn git(root: &Path) -> Command {
    let mut cmd = Command::new("git");
    cmd.arg("-C")
        .arg(root)
        // Never ask anything on a terminal, never page.
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_PAGER", "cat")
        .stdin(Stdio::null())
        .stderr(Stdio::null());
    cmd
}

/// HEAD of the repository a site folder is in, read once per check.
pub struct Head {
    root: PathBuf,
    id: String,
}

impl Head {
    /// HEAD's commit; `None` when the folder is not in a repository (no
    /// `.git` in it or above it, and no `GIT_DIR`: no process is started),
    /// git is missing or refuses (e.g. another user's repository), or nothing
    /// is committed yet.
    pub fn of(root: &Path) -> Option<Head> {
        let discoverable = std::env::var_os("GIT_DIR").is_some()
            || std::path::absolute(root)
                .ok()?
                .ancestors()
                .any(|dir| dir.join(".git").exists());
        if !discoverable {
            return None;
        }
        let out = git(root)
            .args(["rev-parse", "--verify", "-q", "HEAD"])
            .output()
            .ok()?;
        let id = String::from_utf8(out.stdout).ok()?;
        (out.status.success() && !id.trim().is_empty()).then(|| Head {
            root: root.to_path_buf(),
            id: id.trim().to_string(),
        })
    }

    /// Runs `ask` with the memo of this folder at this HEAD (emptied when
    /// HEAD moved since the last check).
    fn with_memo<T>(&self, ask: impl FnOnce(&mut Memo) -> T) -> T {
        let mut all = MEMO.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let memo = all.entry(self.root.clone()).or_default();
        if memo.head != self.id {
            *memo = Memo {
                head: self.id.clone(),
                ..Memo::default()
            };
        }
        ask(memo)
    }

    /// The texts at HEAD of those `files` (relative to the folder) that HEAD
    /// has, as the loader reads them (see [`as_loaded`]); files larger than
    /// the loader reads ([`MAX_DATA_FILE_BYTES`]) are left out.
    pub fn texts(&self, files: &[&str]) -> BTreeMap<String, String> {
        self.with_memo(|memo| {
            let missing: Vec<&str> = files
                .iter()
                .copied()
                // One name per line on git's input: a name with a line break cannot be asked.
                .filter(|rel| !rel.contains(['\n', '\r']) && !memo.texts.contains_key(*rel))
                .collect();
            if !missing.is_empty()
                && let Some(mut found) = cat_files(&self.root, &missing)
            {
                for rel in missing {
                    memo.texts.insert(rel.to_string(), found.remove(rel));
                }
            }
            files
                .iter()
                .filter_map(|rel| {
                    let text = memo.texts.get(*rel)?.as_ref()?;
                    Some((rel.to_string(), text.clone()))
                })
                .collect()
        })
    }

    /// The date (`YYYY-MM-DD`, the committer's) of the last commit that
    /// touched `file` (relative to the folder); `None` for a file never committed.
    pub fn last_commit_date(&self, file: &str) -> Option<String> {
        self.with_memo(|memo| {
            memo.dates
                .entry(file.to_string())
                .or_insert_with(|| log_date(&self.root, file))
                .clone()
        })
    }
}

fn log_date(root: &Path, file: &str) -> Option<String> {
    let out = git(root)
        .args(["log", "-1", "--format=%cs", "--"])
        .arg(file)
        .output()
        .ok()?;
    let date = String::from_utf8(out.stdout).ok()?;
    (out.status.success() && !date.trim().is_empty()).then(|| date.trim().to_string())
}

/// The text as the loader sees it: without a BOM, with LF line ends (`None`
/// when it is not UTF-8: nothing to compare).
pub fn as_loaded(bytes: &[u8]) -> Option<String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).ok()?;
    Some(text.replace("\r\n", "\n").replace('\r', "\n"))
}

/// Asks `git cat-file --batch` for `HEAD:./<rel>` of each file (`./`: relative
/// to `root`, wherever the repository's top is). `None` when git fails.
fn cat_files(root: &Path, files: &[&str]) -> Option<BTreeMap<String, String>> {
    let mut child = git(root)
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .ok()?;
    let mut stdin = child.stdin.take()?;
    let input: String = files.iter().map(|rel| format!("HEAD:./{rel}\n")).collect();
    // Written beside the reading: git answers while it reads, and a full pipe
    // on both sides would stop both.
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let stdout = child.stdout.take()?;
    let answers = read_batch(BufReader::new(stdout), files);
    let _ = writer.join();
    let _ = child.wait();
    answers
}

/// Reads one answer per file: `<oid> blob <size>\n<bytes>\n`, or
/// `<name> missing\n` (not in HEAD, or no HEAD yet).
fn read_batch(
    mut from: BufReader<std::process::ChildStdout>,
    files: &[&str],
) -> Option<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for rel in files {
        let mut header = String::new();
        if from.read_line(&mut header).ok()? == 0 {
            return Some(out);
        }
        let fields: Vec<&str> = header.split_whitespace().collect();
        let [_, "blob", size] = fields.as_slice() else {
            continue; // missing, ambiguous, or not a file
        };
        let size: u64 = size.parse().ok()?;
        if size > MAX_DATA_FILE_BYTES {
            // Larger than the loader reads: skipped, not held in memory.
            std::io::copy(&mut (&mut from).take(size + 1), &mut std::io::sink()).ok()?;
            continue;
        }
        let mut bytes = vec![0; size as usize + 1]; // the content and its closing LF
        from.read_exact(&mut bytes).ok()?;
        bytes.pop();
        if let Some(text) = as_loaded(&bytes) {
            out.insert(rel.to_string(), text);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(root: &Path, args: &[&str]) {
        let ok = Command::new("git")
            .arg("-C")
            .arg(root)
            .args(args)
            .env("GIT_AUTHOR_DATE", "2026-11-01T00:00:00Z")
            .env("GIT_COMMITTER_DATE", "2026-11-01T00:00:00Z")
            .output()
            .is_ok_and(|o| o.status.success());
        assert!(ok, "git {args:?}");
    }

    /// The memo answers what HEAD holds, also after HEAD moves: a new
    /// commit's text and date replace the remembered ones.
    #[test]
    fn memo_follows_head() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        assert!(Head::of(root).is_none(), "not a repository yet");
        run(root, &["init", "-q"]);
        assert!(Head::of(root).is_none(), "nothing committed yet");
        run(root, &["config", "user.email", "t@example.invalid"]);
        run(root, &["config", "user.name", "t"]);
        std::fs::write(root.join("a.yaml"), "\u{feff}one\r\n").expect("write");
        run(root, &["add", "a.yaml"]);
        run(root, &["commit", "-q", "-m", "one"]);
        let head = Head::of(root).expect("HEAD");
        let first = head.texts(&["a.yaml", "b.yaml"]);
        assert_eq!(first.get("a.yaml").map(String::as_str), Some("one\n"));
        assert!(!first.contains_key("b.yaml"));
        assert_eq!(
            head.last_commit_date("a.yaml").as_deref(),
            Some("2026-11-01")
        );
        std::fs::write(root.join("a.yaml"), "two\n").expect("write");
        std::fs::write(root.join("b.yaml"), "bee\n").expect("write");
        // Not committed: HEAD still has the first text.
        assert_eq!(
            Head::of(root).expect("HEAD").texts(&["a.yaml"])["a.yaml"],
            "one\n"
        );
        run(root, &["add", "a.yaml", "b.yaml"]);
        run(root, &["commit", "-q", "-m", "two"]);
        let second = Head::of(root).expect("HEAD").texts(&["a.yaml", "b.yaml"]);
        assert_eq!(second["a.yaml"], "two\n");
        assert_eq!(second["b.yaml"], "bee\n");
    }
}
