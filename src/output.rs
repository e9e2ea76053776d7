//! Writes the site into a staging folder beside `dist/`, then swaps it in:
//! a failed build never touches the existing output, and readers of `dist/`
//! (a preview server, a deploy step) never see a half-written site.
//!
//! A build replaces its output folder whole, so [`OutputTarget::check`] first
//! refuses any `--out` that could hold someone's files; every folder written
//! here carries ohisama's marker ([`marker`]), and [`leftovers::sweep`] removes
//! what killed builds left behind.

pub mod leftovers;
pub mod marker;
mod target;

pub use target::{Found, OutputTarget, SOURCE_DIRS, is_earlier_output, resolve};

use std::io;
use std::path::{Component, Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("出力先 {path} に書き込めません: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error("出力パス `{0}` がサイトの外を指しています")]
    OutsideOutput(String),
    /// An output folder that must not be replaced; nothing was touched.
    #[error("{}\n  ヒント: {}", .reason.message(.path), .reason.hint())]
    Refused { path: PathBuf, reason: Refusal },
}

impl OutputError {
    /// The path the error is about, for the location of a diagnostic.
    pub fn path(&self) -> Option<&Path> {
        match self {
            OutputError::Io { path, .. } | OutputError::Refused { path, .. } => Some(path),
            OutputError::OutsideOutput(_) => None,
        }
    }

    /// What is wrong, without the hint.
    pub fn message(&self) -> String {
        match self {
            OutputError::Refused { path, reason } => reason.message(path),
            other => other.to_string(),
        }
    }

    pub fn hint(&self) -> &'static str {
        match self {
            OutputError::Refused { reason, .. } => reason.hint(),
            _ => "出力先のフォルダの権限と空き容量を確認してください",
        }
    }
}

/// Why a folder cannot be an output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// `/` (or a drive's root).
    FilesystemRoot,
    /// A file (or a link to one, or a broken link).
    NotAFolder,
    SiteRoot,
    AboveSiteRoot {
        root: PathBuf,
    },
    /// One of [`SOURCE_DIRS`], or inside it.
    SourceFolder(&'static str),
    /// `.cache/` (the search index); only `.cache/serve/` holds outputs.
    Cache,
    Home,
    AboveHome {
        home: PathBuf,
    },
    /// Not empty, no marker, not an earlier ohisama output.
    Foreign,
    /// The work folder of a preview that is still running.
    InUse {
        pid: u32,
    },
}

/// Said after every refusal: a build replaces its output whole.
const REPLACES: &str = "ビルドは出力先を丸ごと置き換えるので";

impl Refusal {
    pub fn message(&self, path: &Path) -> String {
        let p = path.display();
        match self {
            Refusal::FilesystemRoot => format!(
                "出力先 {p} はディスクのいちばん上のフォルダです。{REPLACES}、ここには出力できません"
            ),
            Refusal::NotAFolder => format!(
                "出力先 {p} はフォルダではなく、ファイル (またはリンク) です。ファイルを消さないよう出力しません"
            ),
            Refusal::SiteRoot => format!(
                "出力先 {p} はサイトのフォルダそのもの (content/ data/ themes/ があるところ) です。{REPLACES}、ページもデータもすべて消えてしまいます"
            ),
            Refusal::AboveSiteRoot { root } => format!(
                "出力先 {p} はサイトのフォルダ {} を中に含むフォルダです。{REPLACES}、サイトごと消えてしまいます",
                root.display()
            ),
            Refusal::SourceFolder(name) => format!(
                "出力先 {p} はサイトの {name}/ フォルダ (またはその中) です。{REPLACES}、{}が消えてしまいます",
                source_label(name)
            ),
            Refusal::Cache => format!(
                "出力先 {p} は ohisama のキャッシュ (.cache/、検索インデックス) です。ここには出力できません"
            ),
            Refusal::Home => format!(
                "出力先 {p} はホームフォルダです。{REPLACES}、書類や設定がすべて消えてしまいます"
            ),
            Refusal::AboveHome { home } => format!(
                "出力先 {p} はホームフォルダ {} を中に含むフォルダです。{REPLACES}、ここには出力できません",
                home.display()
            ),
            Refusal::Foreign => format!(
                "出力先 {p} は空ではなく、ohisama が作ったフォルダでもありません (目印のファイル {} がありません)。{REPLACES}、中のファイルが消えないよう出力しません",
                marker::MARKER
            ),
            Refusal::InUse { pid } => {
                format!("{p} は動いている別の ohisama serve (プロセス {pid}) が使っています")
            }
        }
    }

    pub fn hint(&self) -> &'static str {
        match self {
            Refusal::Foreign => {
                "新しいフォルダ名を指定してください (無いフォルダは作ります)。--out を付けなければ <サイト>/dist に出力します"
            }
            Refusal::NotAFolder => "出力先にはフォルダを指定してください (例: --out dist)",
            Refusal::InUse { .. } => {
                "そのプレビューを Ctrl+C で止めるか、--port で別のポートを指定してください"
            }
            _ => {
                "--out を付けずに実行する (<サイト>/dist に出力します) か、新しいフォルダの名前を指定してください"
            }
        }
    }
}

/// What a source folder holds, for messages.
fn source_label(name: &str) -> &'static str {
    match name {
        "content" => "ページの原稿",
        "data" => "窓口・施設などのデータ",
        "themes" => "テーマ (テンプレート・CSS・フォント)",
        "templates" => "テンプレート",
        "schemas" => "VS Code 用のスキーマ",
        _ => "サイトのファイル",
    }
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> OutputError + '_ {
    move |source| OutputError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Makes `work` (a preview's work folder, `.cache/serve/<port>`) ready and
/// marked as this process's: a folder left there by a killed preview is
/// replaced; one of a preview still running, or one that is not ohisama's, is
/// refused.
pub fn claim_work_dir(work: &Path) -> Result<(), OutputError> {
    let refuse = |reason| OutputError::Refused {
        path: work.to_path_buf(),
        reason,
    };
    match std::fs::symlink_metadata(work) {
        Err(_) => {}
        Ok(m) if !m.is_dir() => return Err(refuse(Refusal::NotAFolder)),
        Ok(_) => {
            match marker::read(work) {
                marker::Marker::Working(owner)
                    if owner.pid != std::process::id()
                        && owner.liveness() == marker::Liveness::Running =>
                {
                    return Err(refuse(Refusal::InUse { pid: owner.pid }));
                }
                // No marker: only a preview folder of an earlier version (its
                // builds `b1`, `b2`, … and their staging) is replaced.
                marker::Marker::None if !is_earlier_preview(work) => {
                    return Err(refuse(Refusal::Foreign));
                }
                _ => {}
            }
            std::fs::remove_dir_all(work).map_err(io_err(work))?;
        }
    }
    std::fs::create_dir_all(work).map_err(io_err(work))?;
    marker::write_working(work).map_err(io_err(work))
}

/// Holds only `b<N>` builds and their staging/old folders (or nothing).
fn is_earlier_preview(dir: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    entries.flatten().all(|e| {
        let name = e.file_name().to_string_lossy().into_owned();
        let build = name.trim_start_matches('.');
        let number = build.strip_prefix('b').unwrap_or("");
        let number = number.split('.').next().unwrap_or("");
        !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit())
    })
}

/// A folder being filled with the next version of the site.
pub struct Staging {
    dir: tempfile::TempDir,
    out: PathBuf,
}

impl Staging {
    /// Creates the staging folder next to `out` (same filesystem, so the swap
    /// is a rename), marked as this process's until it is committed.
    pub fn new(out: &Path) -> Result<Staging, OutputError> {
        let parent = out
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent).map_err(io_err(parent))?;
        let dir = tempfile::Builder::new()
            .prefix(&format!(".{}.staging-", out_name(out)))
            .tempdir_in(parent)
            .map_err(io_err(parent))?;
        marker::write_working(dir.path()).map_err(io_err(dir.path()))?;
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
    /// removed only after the new one is in place. Each step leaves every folder
    /// marked, so a build killed at any point leaves only what the next one removes.
    pub fn commit(self) -> Result<(), OutputError> {
        let staged = self.dir.keep();
        swap_in(&staged, &self.out)
    }
}

/// Puts the folder `fresh` at `target` (same filesystem): the folder there is
/// moved aside first and removed only after `fresh` is in place; on failure it
/// is put back. Each step leaves every folder marked, so a process killed at
/// any point leaves only what [`leftovers::sweep`] removes.
pub fn swap_in(fresh: &Path, target: &Path) -> Result<(), OutputError> {
    let mut backup = None;
    if target.exists() {
        // Ours from here on: if we are killed before it is removed, the next
        // build sees whose it was. (Not fatal: a read-only folder can still be
        // moved aside.)
        let _ = marker::write_working(target);
        let aside = free_name(
            target,
            &format!(".{}.old-{}", out_name(target), std::process::id()),
        );
        std::fs::rename(target, &aside).map_err(io_err(target))?;
        backup = Some(aside);
    }
    if let Err(e) = std::fs::rename(fresh, target) {
        if let Some(aside) = &backup
            && std::fs::rename(aside, target).is_ok()
        {
            let _ = marker::write_done(target);
        }
        let _ = std::fs::remove_dir_all(fresh);
        return Err(OutputError::Io {
            path: target.to_path_buf(),
            source: e,
        });
    }
    // Finished: the marker no longer names a process (same input, same bytes).
    marker::write_done(target).map_err(io_err(target))?;
    if let Some(aside) = backup {
        let _ = std::fs::remove_dir_all(&aside);
    }
    Ok(())
}

/// `dist` for `…/dist` (and for a path without a name, which
/// [`OutputTarget::check`] refuses before a build gets here).
fn out_name(out: &Path) -> String {
    out.file_name()
        .map_or_else(|| "dist".into(), |n| n.to_string_lossy().into_owned())
}

/// `<out's folder>/<name>`, or `<name>-2`, `-3`, … when taken (a leftover of
/// an earlier process that had the same id).
fn free_name(out: &Path, name: &str) -> PathBuf {
    std::iter::once(name.to_string())
        .chain((2..).map(|n| format!("{name}-{n}")))
        .map(|n| out.with_file_name(n))
        .find(|p| std::fs::symlink_metadata(p).is_err())
        .unwrap_or_else(|| out.with_file_name(name))
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
        assert_eq!(marker::read(&out), marker::Marker::Done);
        let leftovers: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
        assert_eq!(
            leftovers.len(),
            1,
            "staging and backup folders are cleaned up"
        );
    }

    #[test]
    fn staging_is_marked_as_this_process() {
        let tmp = tempfile::tempdir().unwrap();
        let s = Staging::new(&tmp.path().join("dist")).unwrap();
        assert_eq!(
            marker::read(s.path()),
            marker::Marker::Working(marker::Owner::current())
        );
    }

    #[test]
    fn a_taken_old_name_gets_a_number() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("dist");
        assert_eq!(
            free_name(&out, ".dist.old-7"),
            tmp.path().join(".dist.old-7")
        );
        std::fs::create_dir(tmp.path().join(".dist.old-7")).unwrap();
        std::fs::create_dir(tmp.path().join(".dist.old-7-2")).unwrap();
        assert_eq!(
            free_name(&out, ".dist.old-7"),
            tmp.path().join(".dist.old-7-3")
        );
    }

    #[test]
    fn work_dir_of_an_ended_or_earlier_preview_is_claimed() {
        let tmp = tempfile::tempdir().unwrap();
        let work = tmp.path().join("serve/1111");
        claim_work_dir(&work).unwrap();
        assert_eq!(
            marker::read(&work),
            marker::Marker::Working(marker::Owner::current())
        );
        std::fs::write(work.join("b1.html"), "x").unwrap();
        claim_work_dir(&work).unwrap();
        assert!(!work.join("b1.html").exists(), "replaced");

        let earlier = tmp.path().join("serve/2222");
        std::fs::create_dir_all(earlier.join("b3")).unwrap();
        std::fs::create_dir_all(earlier.join(".b4.staging-x1")).unwrap();
        claim_work_dir(&earlier).unwrap();
        assert!(!earlier.join("b3").exists());
    }

    #[test]
    fn work_dir_not_ours_or_in_use_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let foreign = tmp.path().join("serve/1111");
        std::fs::create_dir_all(&foreign).unwrap();
        std::fs::write(foreign.join("notes.txt"), "mine").unwrap();
        let e = claim_work_dir(&foreign).unwrap_err();
        assert!(
            matches!(
                &e,
                OutputError::Refused {
                    reason: Refusal::Foreign,
                    ..
                }
            ),
            "{e}"
        );
        assert!(foreign.join("notes.txt").is_file());
    }

    #[cfg(unix)]
    #[test]
    fn work_dir_of_a_running_preview_is_refused() {
        // Process 1 always runs, and is not us.
        let tmp = tempfile::tempdir().unwrap();
        let busy = tmp.path().join("serve/2222");
        std::fs::create_dir_all(&busy).unwrap();
        marker::write_owner(&busy, &marker::Owner::pid_only(1)).unwrap();
        std::fs::write(busy.join("index.html"), "live").unwrap();
        let e = claim_work_dir(&busy).unwrap_err();
        assert!(e.to_string().contains("(プロセス 1) が使っています"), "{e}");
        assert!(busy.join("index.html").is_file());
    }
}
