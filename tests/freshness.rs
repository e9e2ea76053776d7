//! The 確認日 reminder (issue #19 item 7): a window or facility that changed
//! since the last commit (git) or the last build (`.cache/freshness/`) while
//! its `updated:` did not is a warning at its line.

use crate::sitekit::{TestSite, TreeSnapshot, assert_success, expect_diag, ohisama};
use ohisama::diagnostic::Diagnostics;
use std::path::Path;
use std::process::Command;

const YOKOHAMA: &str = "data/contacts/yokohama.yaml";
const FACILITIES: &str = "data/facilities/yokohama.yaml";

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.name=test", "-c", "user.email=test@example.jp"])
        .args(["-c", "commit.gpgsign=false", "-c", "core.quotepath=true"])
        .args(args)
        .output()
        .expect("git must be installed to run these tests");
    assert_success(&out);
}

fn commit_all(dir: &Path) {
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "data"]);
}

fn reminders(d: &Diagnostics) -> Vec<String> {
    d.iter()
        .filter(|d| d.message.contains("確認日 (updated"))
        .map(|d| format!("{}:{} {}", d.file, d.line, d.message))
        .collect()
}

#[test]
fn git_edit_of_a_phone_number_without_updated_warns_at_the_window() {
    let site = TestSite::mini();
    git(site.root(), &["init", "-q"]);
    commit_all(site.root());
    assert_eq!(reminders(&site.check()), Vec::<String>::new());

    site.edit(YOKOHAMA, "tel: 045-000-0002", "tel: 045-000-0009");
    let d = site.check();
    let w = expect_diag(
        &d,
        YOKOHAMA,
        11,
        "窓口「障害福祉課」が前回のコミットから変わりました",
    );
    assert!(!w.is_error(), "a reminder is a warning");
    assert!(
        w.message.contains("updated: 2025-04-01、2 行目"),
        "{}",
        w.message
    );
    let hint = w.hint.as_deref().unwrap_or_default();
    assert!(
        hint.contains("updated: を今日の日付にしてください"),
        "{hint}"
    );
    assert_eq!(reminders(&d).len(), 1, "{:?}", reminders(&d));
    // check is read-only: the warning does not go away by itself.
    assert_eq!(reminders(&site.check()).len(), 1);

    site.edit(YOKOHAMA, "updated: 2025-04-01", "updated: 2025-06-01");
    assert_eq!(reminders(&site.check()), Vec::<String>::new());
}

#[test]
fn git_removed_and_added_windows_point_at_updated() {
    let site = TestSite::mini();
    git(site.root(), &["init", "-q"]);
    commit_all(site.root());
    let text = site.read(YOKOHAMA);
    let second = text.find("  - name: 障害福祉課").expect("second window");
    site.write(YOKOHAMA, &text[..second]);
    let d = site.check();
    expect_diag(
        &d,
        YOKOHAMA,
        2,
        "窓口「障害福祉課」が前回のコミットから削除されました",
    );

    let added = format!("{text}  - name: 新しい窓口\n    field: sodan\n    note: 受付は平日のみ\n");
    site.write(YOKOHAMA, &added);
    let d = site.check();
    let line = added
        .lines()
        .position(|l| l.contains("新しい窓口"))
        .expect("line") as u32
        + 1;
    expect_diag(
        &d,
        YOKOHAMA,
        line,
        "窓口「新しい窓口」が前回のコミットから追加されました",
    );
    // Only the order changed: no window reads differently.
    let first = &text[text.find("  - name:").expect("first")..second];
    let head = &text[..text.find("  - name:").expect("first")];
    site.write(YOKOHAMA, &format!("{head}{}{first}", &text[second..]));
    assert_eq!(reminders(&site.check()), Vec::<String>::new());
}

#[test]
fn git_facility_change_needs_its_own_updated() {
    let site = TestSite::mini();
    git(site.root(), &["init", "-q"]);
    commit_all(site.root());
    site.edit(FACILITIES, "tel: 045-000-1001", "tel: 045-000-1009");
    let d = site.check();
    let w = expect_diag(
        &d,
        FACILITIES,
        1,
        "施設「ひかり訪問看護ステーション」(id: yokohama-hikari)",
    );
    assert!(
        w.message.contains("updated: 2025-03-01、9 行目"),
        "{}",
        w.message
    );
    site.edit(FACILITIES, "updated: 2025-03-01", "updated: 2025-07-01");
    assert_eq!(reminders(&site.check()), Vec::<String>::new());
}

/// A site in a sub-folder whose name has a space and Japanese, a repository
/// with core.quotepath, a detached HEAD, and a data file not committed yet.
#[test]
fn git_odd_paths_detached_head_and_new_files() {
    let repo = tempfile::tempdir().expect("tempdir");
    let site = TestSite::mini();
    let root = repo.path().join("病院 サイト");
    crate::sitekit::copy_dir(site.root(), &root);
    git(repo.path(), &["init", "-q"]);
    git(repo.path(), &["config", "core.quotepath", "true"]);
    commit_all(repo.path());
    git(
        repo.path(),
        &["commit", "-q", "--allow-empty", "-m", "second"],
    );
    git(repo.path(), &["checkout", "-q", "--detach", "HEAD~1"]);
    let new_file = root.join("data/contacts/kamakura.yaml");
    std::fs::write(
        &new_file,
        "municipality: kawasaki\nupdated: 2025-03-01\nwindows:\n  - name: x\n    field: sodan\n    note: y\n",
    )
    .expect("write");
    let edit = |rel: &str, from: &str, to: &str| {
        let p = root.join(rel);
        let text = std::fs::read_to_string(&p).expect("read");
        assert!(text.contains(from));
        std::fs::write(&p, text.replacen(from, to, 1)).expect("write");
    };
    edit(YOKOHAMA, "tel: 045-000-0002", "tel: 045-000-0003");
    let out = ohisama()
        .args(["check", "--format", "json", "--root"])
        .arg(&root)
        .output()
        .expect("run");
    let json = String::from_utf8_lossy(&out.stdout);
    assert!(
        json.contains("窓口「障害福祉課」が前回のコミットから変わりました"),
        "{json}"
    );
    // The uncommitted file is new: nothing to compare it with.
    assert!(!json.contains("窓口「x」"), "{json}");
}

/// Without a repository: the last `ohisama build` left a copy in
/// `.cache/freshness/`; `check` compares with it and writes nothing.
#[test]
fn without_git_the_last_build_is_the_baseline() {
    let site = TestSite::mini();
    let run = |cmd: &str| {
        ohisama()
            .args([cmd, "--root"])
            .arg(site.root())
            .args(if cmd == "build" {
                &["--no-pdf"][..]
            } else {
                &[][..]
            })
            .output()
            .expect("run")
    };
    // Never built: nothing to compare with.
    site.edit(YOKOHAMA, "tel: 045-000-0002", "tel: 045-000-0004");
    assert_eq!(reminders(&site.check()), Vec::<String>::new());
    assert_success(&run("build"));
    assert!(
        site.path(".cache/freshness/data/contacts/yokohama.yaml")
            .is_file()
    );

    site.edit(YOKOHAMA, "tel: 045-000-0004", "tel: 045-000-0005");
    let before = TreeSnapshot::of(site.root());
    let out = run("check");
    assert_success(&out);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("窓口「障害福祉課」が前回のビルドから変わりましたが、確認日 (updated: 2025-04-01、2 行目) が変わっていません"),
        "{stderr}"
    );
    assert!(stderr.contains(&format!("{YOKOHAMA}:11")), "{stderr}");
    TreeSnapshot::of(site.root()).assert_same(&before, "the site after check");

    // build warns too, then keeps the new version as the baseline.
    let out = run("build");
    assert_success(&out);
    assert!(String::from_utf8_lossy(&out.stderr).contains("前回のビルドから変わりました"));
    assert_eq!(reminders(&site.check()), Vec::<String>::new());
}

/// git missing (PATH without it) in a repository: the snapshot is used.
#[test]
fn git_missing_falls_back_to_the_snapshot() {
    let site = TestSite::mini();
    git(site.root(), &["init", "-q"]);
    commit_all(site.root());
    let out = ohisama()
        .args(["build", "--no-pdf", "--root"])
        .arg(site.root())
        .output()
        .expect("run");
    assert_success(&out);
    site.edit(YOKOHAMA, "tel: 045-000-0002", "tel: 045-000-0006");
    let out = ohisama()
        .env("PATH", "")
        .args(["check", "--root"])
        .arg(site.root())
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("前回のビルドから変わりました"), "{stderr}");
}
