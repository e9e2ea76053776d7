//! Issue #13, output safety: `build --out` never replaces a folder ohisama did
//! not make, and what killed builds leave behind is removed by the next one.
//!
//! Each refused case runs the real binary against a built copy of the mini
//! site and checks: exit code 1, the Japanese message (once), and that the
//! whole site folder (content/, data/, themes/, dist/, .cache/) and the folder
//! named by `--out` are byte-identical before and after.

use crate::sitekit::{TestSite, TreeSnapshot, assert_success, ohisama};
use ohisama::output::marker::{self, MARKER, Owner};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Output;

/// The mini site, built once into its `dist/` (so there is an output to protect).
fn built_site() -> TestSite {
    let site = TestSite::mini();
    let out = build(&site, None, site.root());
    assert_success(&out);
    assert!(site.path("dist/index.html").is_file());
    site
}

/// `ohisama build --no-pdf --root <site> [--out <out>]`, run in `cwd`.
fn build(site: &TestSite, out: Option<&OsStr>, cwd: &Path) -> Output {
    build_env(site, out, cwd, &[])
}

fn build_env(site: &TestSite, out: Option<&OsStr>, cwd: &Path, env: &[(&str, &Path)]) -> Output {
    let mut cmd = ohisama();
    cmd.args(["build", "--no-pdf", "--root"])
        .arg(site.root())
        .current_dir(cwd);
    if let Some(out) = out {
        cmd.arg("--out").arg(out);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run ohisama")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Exit code 1, `message` said exactly once with a hint, and no build report.
#[track_caller]
fn assert_refused(out: &Output, message: &str) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(1), "exit code; stderr:\n{err}");
    assert_eq!(
        err.matches(message).count(),
        1,
        "{message:?} once in stderr:\n{err}"
    );
    assert!(err.contains("ヒント: "), "a hint in:\n{err}");
    assert!(
        err.contains("ビルドを中止しました。何も変更していません。"),
        "{err}"
    );
    assert!(!err.contains("完了"), "{err}");
}

/// Runs `build --out <out>` in `cwd` and checks it is refused with `message`,
/// the site and each of `also` unchanged.
#[track_caller]
fn refused(site: &TestSite, out: impl AsRef<OsStr>, cwd: &Path, also: &[&Path], message: &str) {
    refused_env(site, out, cwd, also, &[], message)
}

#[track_caller]
fn refused_env(
    site: &TestSite,
    out: impl AsRef<OsStr>,
    cwd: &Path,
    also: &[&Path],
    env: &[(&str, &Path)],
    message: &str,
) {
    let before: Vec<TreeSnapshot> = std::iter::once(site.root())
        .chain(also.iter().copied())
        .map(TreeSnapshot::of)
        .collect();
    let result = build_env(site, Some(out.as_ref()), cwd, env);
    assert_refused(&result, message);
    let after: Vec<TreeSnapshot> = std::iter::once(site.root())
        .chain(also.iter().copied())
        .map(TreeSnapshot::of)
        .collect();
    before[0].assert_same(&after[0], "the site folder");
    for (i, path) in also.iter().enumerate() {
        before[i + 1].assert_same(&after[i + 1], &path.display().to_string());
    }
}

/// The entries of `dir` whose names contain `needle`.
fn entries_with(dir: &Path, needle: &str) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.contains(needle))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

#[test]
fn foreign_non_empty_folder_is_refused() {
    let site = built_site();
    let other = tempfile::tempdir().unwrap();
    let foreign = other.path().join("reports");
    std::fs::create_dir_all(foreign.join("2025")).unwrap();
    std::fs::write(foreign.join("minutes.docx"), "会議録").unwrap();
    std::fs::write(foreign.join("2025/budget.xlsx"), "予算").unwrap();
    refused(
        &site,
        &foreign,
        site.root(),
        &[&foreign],
        "は空ではなく、ohisama が作ったフォルダでもありません (目印のファイル .ohisama-output がありません)。ビルドは出力先を丸ごと置き換えるので、中のファイルが消えないよう出力しません",
    );
}

#[test]
fn out_content_is_refused() {
    let site = built_site();
    refused(
        &site,
        "content",
        site.root(),
        &[],
        "はサイトの content/ フォルダ (またはその中) です。ビルドは出力先を丸ごと置き換えるので、ページの原稿が消えてしまいます",
    );
}

#[test]
fn out_data_is_refused() {
    let site = built_site();
    refused(
        &site,
        "data",
        site.root(),
        &[],
        "はサイトの data/ フォルダ (またはその中) です。ビルドは出力先を丸ごと置き換えるので、窓口・施設などのデータが消えてしまいます",
    );
}

#[test]
fn out_inside_themes_is_refused() {
    let site = built_site();
    refused(
        &site,
        "themes/default",
        site.root(),
        &[],
        "はサイトの themes/ フォルダ (またはその中) です。ビルドは出力先を丸ごと置き換えるので、テーマ (テンプレート・CSS・フォント)が消えてしまいます",
    );
}

#[test]
fn out_schemas_is_refused_even_when_missing() {
    let site = built_site();
    assert!(!site.path("schemas").exists());
    refused(
        &site,
        "schemas",
        site.root(),
        &[],
        "はサイトの schemas/ フォルダ (またはその中) です",
    );
}

#[test]
fn out_site_root_is_refused() {
    let site = built_site();
    refused(
        &site,
        ".",
        site.root(),
        &[],
        "はサイトのフォルダそのもの (content/ data/ themes/ があるところ) です",
    );
}

#[test]
fn out_parent_of_site_root_is_refused() {
    let site = built_site();
    let parent = site.root().parent().unwrap().to_path_buf();
    let name = site
        .root()
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let before = entries_with(&parent, &name);
    refused(
        &site,
        "..",
        site.root(),
        &[],
        "を中に含むフォルダです。ビルドは出力先を丸ごと置き換えるので、サイトごと消えてしまいます",
    );
    assert_eq!(
        entries_with(&parent, &name),
        before,
        "nothing new beside the site"
    );
    // Nor a staging folder beside the folder named by --out.
    let staging = format!(
        ".{}.staging-",
        parent.file_name().unwrap().to_string_lossy()
    );
    let grandparent = parent.parent().unwrap();
    assert_eq!(entries_with(grandparent, &staging), Vec::<String>::new());
}

#[test]
fn out_filesystem_root_is_refused_and_leaves_nothing_in_the_current_folder() {
    let site = built_site();
    // The current folder is the site: once a staging folder was left here.
    refused(
        &site,
        "/",
        site.root(),
        &[],
        "出力先 / はディスクのいちばん上のフォルダです",
    );
    assert_eq!(entries_with(site.root(), ".staging-"), Vec::<String>::new());
}

#[test]
fn out_home_folder_is_refused() {
    let site = built_site();
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(home.path().join("Documents")).unwrap();
    std::fs::create_dir_all(home.path().join(".ssh")).unwrap();
    std::fs::write(home.path().join("Documents/カルテ.txt"), "大事").unwrap();
    std::fs::write(home.path().join(".bashrc"), "export A=1\n").unwrap();
    std::fs::write(home.path().join(".ssh/id_ed25519"), "secret").unwrap();
    refused_env(
        &site,
        home.path(),
        site.root(),
        &[home.path()],
        &[("HOME", home.path())],
        "はホームフォルダです。ビルドは出力先を丸ごと置き換えるので、書類や設定がすべて消えてしまいます",
    );
}

#[test]
fn out_above_home_folder_is_refused() {
    let site = built_site();
    let above = tempfile::tempdir().unwrap();
    let home = above.path().join("nurse");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::write(home.join(".profile"), "x").unwrap();
    refused_env(
        &site,
        above.path(),
        site.root(),
        &[above.path()],
        &[("HOME", &home)],
        "を中に含むフォルダです。ビルドは出力先を丸ごと置き換えるので、ここには出力できません",
    );
}

#[test]
fn out_a_file_is_refused() {
    let site = built_site();
    site.write("Cargo.toml", "[package]\nname = \"mine\"\n");
    refused(
        &site,
        "Cargo.toml",
        site.root(),
        &[],
        "はフォルダではなく、ファイル (またはリンク) です。ファイルを消さないよう出力しません",
    );
    assert_eq!(entries_with(site.root(), "Cargo.toml"), ["Cargo.toml"]);
}

#[cfg(unix)]
#[test]
fn out_symlink_to_site_root_is_refused() {
    let site = built_site();
    let elsewhere = tempfile::tempdir().unwrap();
    let link = elsewhere.path().join("site-link");
    std::os::unix::fs::symlink(site.root(), &link).unwrap();
    refused(
        &site,
        &link,
        elsewhere.path(),
        &[elsewhere.path()],
        "はサイトのフォルダそのもの (content/ data/ themes/ があるところ) です",
    );
}

#[cfg(unix)]
#[test]
fn out_symlink_into_data_is_refused() {
    let site = built_site();
    let elsewhere = tempfile::tempdir().unwrap();
    let link = elsewhere.path().join("public");
    std::os::unix::fs::symlink(site.path("data/contacts"), &link).unwrap();
    refused(
        &site,
        &link,
        elsewhere.path(),
        &[elsewhere.path()],
        "はサイトの data/ フォルダ (またはその中) です。ビルドは出力先を丸ごと置き換えるので、窓口・施設などのデータが消えてしまいます",
    );
}

#[test]
fn out_cache_is_refused() {
    let site = built_site();
    // `ohisama search` makes the index.
    let searched = ohisama()
        .args(["search", "横浜", "--root"])
        .arg(site.root())
        .output()
        .expect("run ohisama search");
    assert_success(&searched);
    assert!(site.path(".cache/search").is_dir());
    refused(
        &site,
        ".cache/search",
        site.root(),
        &[],
        "は ohisama のキャッシュ (.cache/、検索インデックス) です",
    );
}

#[test]
fn a_write_error_is_printed_once() {
    let site = built_site();
    site.write("notes.txt", "a file where a folder should be\n");
    let before = TreeSnapshot::of(site.root());
    let out = build(&site, Some(OsStr::new("notes.txt/dist")), site.root());
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(err.matches("に書き込めません").count(), 1, "{err}");
    assert_eq!(err.matches("ヒント: ").count(), 1, "{err}");
    assert!(err.contains("エラー 1 件"), "{err}");
    before.assert_same(&TreeSnapshot::of(site.root()), "the site folder");
}

#[test]
fn marked_output_of_an_earlier_build_is_replaced() {
    let site = built_site();
    let other = tempfile::tempdir().unwrap();
    let out = other.path().join("public");
    assert_success(&build(&site, Some(out.as_os_str()), site.root()));
    assert!(out.join(MARKER).is_file(), "the output carries the marker");
    std::fs::write(out.join("stale.html"), "from an old build").unwrap();
    let result = build(&site, Some(out.as_os_str()), site.root());
    assert_success(&result);
    assert!(!out.join("stale.html").exists(), "replaced whole");
    assert!(out.join("index.html").is_file());
    assert_eq!(
        marker::read(&out),
        marker::Marker::Done,
        "a finished output's marker names no process"
    );
    assert_eq!(
        entries_with(other.path(), "public"),
        ["public"],
        "no leftovers"
    );
}

#[test]
fn two_builds_give_the_same_bytes_marker_included() {
    let site = built_site();
    let first = TreeSnapshot::of(&site.path("dist"));
    assert!(first.0.contains_key(MARKER));
    assert_success(&build(&site, None, site.root()));
    first.assert_same(&TreeSnapshot::of(&site.path("dist")), "dist/");
}

#[test]
fn empty_existing_folder_is_accepted() {
    let site = built_site();
    let other = tempfile::tempdir().unwrap();
    let out = other.path().join("empty");
    std::fs::create_dir(&out).unwrap();
    assert_success(&build(&site, Some(out.as_os_str()), site.root()));
    assert!(out.join("index.html").is_file());
    assert!(out.join(MARKER).is_file());
}

#[test]
fn unmarked_output_of_an_earlier_version_is_adopted_once() {
    let site = built_site();
    // What a build before markers left: the same files, no marker.
    std::fs::remove_file(site.path("dist").join(MARKER)).unwrap();
    std::fs::write(site.path("dist/old-only.html"), "old").unwrap();
    let first = build(&site, None, site.root());
    assert_success(&first);
    let err = stderr(&first);
    assert_eq!(
        err.matches("以前の版の ohisama の出力と判断して置き換えます")
            .count(),
        1,
        "{err}"
    );
    assert!(site.path("dist").join(MARKER).is_file());
    assert!(!site.path("dist/old-only.html").exists());
    let second = build(&site, None, site.root());
    assert_success(&second);
    assert!(
        !stderr(&second).contains("以前の版"),
        "said once:\n{}",
        stderr(&second)
    );
}

/// The id of a process that has ended.
fn ended_pid() -> u32 {
    let mut child = quiet(ohisama().arg("--version"));
    let pid = child.id();
    child.wait().expect("wait");
    pid
}

fn quiet(cmd: &mut std::process::Command) -> std::process::Child {
    cmd.stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn")
}

/// A folder with a file and a marker naming `pid` (None: no marker).
fn leftover(site: &TestSite, rel: &str, pid: Option<u32>) -> PathBuf {
    let dir = site.path(rel);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("index.html"), vec![b'x'; 2048]).unwrap();
    if let Some(pid) = pid {
        marker::write_owner(&dir, &Owner::pid_only(pid)).unwrap();
    }
    dir
}

#[cfg(unix)]
#[test]
fn leftovers_of_ended_builds_are_removed_once_and_live_ones_kept() {
    let site = built_site();
    let dead = ended_pid();
    let me = std::process::id();
    let removed = [
        leftover(&site, ".dist.staging-Ab12Cd", Some(dead)),
        leftover(&site, &format!(".dist.old-{dead}"), Some(dead)),
        leftover(&site, ".cache/search-Xy98Zw", Some(dead)),
        leftover(&site, &format!(".cache/.search.old-{dead}"), Some(dead)),
        leftover(&site, ".cache/serve/1111", Some(dead)),
    ];
    let kept = [
        leftover(&site, ".dist.staging-Live01", Some(me)),
        leftover(&site, ".cache/search-Live02", Some(me)),
        leftover(&site, ".cache/serve/2222", Some(me)),
        leftover(&site, ".dist.staging-NoMark", None),
    ];
    let content = TreeSnapshot::of(&site.path("content"));
    let data = TreeSnapshot::of(&site.path("data"));

    let out = build(&site, None, site.root());
    assert_success(&out);
    let err = stderr(&out);
    assert_eq!(
        err.matches("お知らせ: 中断されたビルドの残り 5 件 (")
            .count(),
        1,
        "one line with count and size:\n{err}"
    );
    assert!(err.contains(".dist.staging-Ab12Cd"), "{err}");
    assert_eq!(
        err.matches("以前の版の ohisama が残したと思われる作業フォルダが 1 件")
            .count(),
        1,
        "{err}"
    );
    for p in &removed {
        assert!(!p.exists(), "{} removed", p.display());
    }
    for p in &kept {
        assert!(p.join("index.html").is_file(), "{} kept", p.display());
    }
    content.assert_same(&TreeSnapshot::of(&site.path("content")), "content/");
    data.assert_same(&TreeSnapshot::of(&site.path("data")), "data/");

    let again = build(&site, None, site.root());
    assert_success(&again);
    assert!(
        !stderr(&again).contains("中断されたビルド"),
        "said once:\n{}",
        stderr(&again)
    );
}

/// `ohisama search` killed while indexing leaves its marked `.cache/search-*`
/// (24 MB at 50k pages): the next search removes it, and keeps one whose
/// process still runs.
#[cfg(unix)]
#[test]
fn search_removes_what_a_killed_search_left() {
    let site = TestSite::mini();
    let killed = leftover(&site, ".cache/search-Kill01", Some(ended_pid()));
    let live = leftover(&site, ".cache/search-Live03", Some(std::process::id()));
    let out = ohisama()
        .args(["search", "相談", "--root"])
        .arg(site.root())
        .output()
        .expect("search");
    assert_success(&out);
    assert!(!killed.exists(), "the killed search's folder is removed");
    assert!(live.join("index.html").is_file(), "a running one's is kept");
    assert!(site.path(".cache/search").is_dir());
}

/// Staging, search-in-progress and old-output folders of `site`.
fn leftovers_of(site: &TestSite) -> Vec<String> {
    let mut v = entries_with(site.root(), ".dist.");
    v.extend(
        entries_with(&site.path(".cache"), "search")
            .into_iter()
            .filter(|n| n != "search")
            .map(|n| format!(".cache/{n}")),
    );
    v
}

#[cfg(unix)]
#[test]
fn a_killed_build_leaves_nothing_after_the_next_one() {
    let site = TestSite::sample();
    // Kill a build once its staging folder is marked and being written.
    let mut seen = Vec::new();
    for _attempt in 0..5 {
        let mut child = quiet(
            ohisama()
                .args(["build", "--no-pdf", "--root"])
                .arg(site.root()),
        );
        let started = std::time::Instant::now();
        while started.elapsed() < std::time::Duration::from_secs(120) {
            let now = leftovers_of(&site);
            // Marked as this build's, and writing pages.
            let building = now.iter().any(|n| {
                n.starts_with(".dist.staging-")
                    && site.path(n).join(MARKER).is_file()
                    && site.path(n).join("index.html").is_file()
            });
            if building {
                seen = now;
                break;
            }
            if child.try_wait().expect("try_wait").is_some() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        let _ = child.kill(); // SIGKILL
        child.wait().expect("wait");
        if !seen.is_empty() {
            break;
        }
    }
    assert!(!seen.is_empty(), "caught a build in progress");
    let left = leftovers_of(&site);
    assert!(
        left.iter().any(|n| n.starts_with(".dist.staging-")),
        "the kill left a staging folder: {left:?}"
    );
    let content = TreeSnapshot::of(&site.path("content"));

    let out = build(&site, None, site.root());
    assert_success(&out);
    let err = stderr(&out);
    assert_eq!(
        err.matches("お知らせ: 中断されたビルドの残り ").count(),
        1,
        "{err}"
    );
    let left = leftovers_of(&site);
    assert_eq!(
        left,
        Vec::<String>::new(),
        "{err}\n{:?}",
        left.iter()
            .map(|l| std::fs::read_to_string(site.path(l).join(MARKER)))
            .collect::<Vec<_>>()
    );
    assert!(site.path("dist").join(MARKER).is_file());
    assert!(
        !site.path(".cache/search").exists(),
        "the build makes no index"
    );
    content.assert_same(&TreeSnapshot::of(&site.path("content")), "content/");
}

/// `ohisama serve` on `port` (free) of `site`: expected to stop at once.
fn serve(site: &TestSite, port: u16) -> Output {
    ohisama()
        .args(["serve", "--port", &port.to_string(), "--root"])
        .arg(site.root())
        .output()
        .expect("run ohisama serve")
}

/// A port nothing listens on now.
fn free_port() -> u16 {
    std::net::TcpListener::bind(("127.0.0.1", 0))
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

#[test]
fn serve_refuses_a_work_folder_that_is_not_ohisamas() {
    let site = TestSite::mini();
    let port = free_port();
    let work = site.path(&format!(".cache/serve/{port}"));
    std::fs::create_dir_all(&work).unwrap();
    std::fs::write(work.join("my-notes.txt"), "not a preview").unwrap();
    let before = TreeSnapshot::of(site.root());
    let out = serve(&site, port);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(
        err.matches("は空ではなく、ohisama が作ったフォルダでもありません")
            .count(),
        1,
        "{err}"
    );
    assert!(err.contains("ヒント: "), "{err}");
    before.assert_same(&TreeSnapshot::of(site.root()), "the site folder");
}

#[cfg(unix)]
#[test]
fn serve_refuses_the_work_folder_of_a_running_preview() {
    let site = TestSite::mini();
    let port = free_port();
    // Another preview (process 1 always runs) on the same port, bound to
    // another address.
    let work = site.path(&format!(".cache/serve/{port}"));
    std::fs::create_dir_all(work.join("b1")).unwrap();
    std::fs::write(work.join("b1/index.html"), "served").unwrap();
    marker::write_owner(&work, &Owner::pid_only(1)).unwrap();
    let before = TreeSnapshot::of(site.root());
    let out = serve(&site, port);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(
        err.matches("は動いている別の ohisama serve (プロセス 1) が使っています")
            .count(),
        1,
        "{err}"
    );
    before.assert_same(&TreeSnapshot::of(site.root()), "the site folder");
}
