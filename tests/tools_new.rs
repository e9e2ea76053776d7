//! `ohisama new DIR`: a new site that passes `check` and builds at once; a
//! non-empty folder is refused and left as it was.

use crate::sitekit;
use ohisama::config::BuildOptions;
use ohisama::tools::scaffold::{NewSiteError, new_site};
use sitekit::repo_root;

#[test]
fn new_site_checks_and_builds() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("other-prefecture");
    let made = new_site(&dir, &repo_root()).unwrap();
    assert!(made.files > 20);
    for rel in [
        "content/index.md",
        "data/site.yaml",
        "data/contacts/mihon.yaml",
        "themes/default/templates/base.html",
        "schemas/contacts.schema.json",
    ] {
        assert!(dir.join(rel).is_file(), "{rel}");
    }
    let fields = std::fs::read_to_string(dir.join("data/fields.yaml")).unwrap();
    assert_eq!(fields.matches("- id: ").count(), 6);
    let opts = BuildOptions::new(&dir);
    let (_, diags) =
        ohisama::build::check(&opts).unwrap_or_else(|d| panic!("check:\n{}", d.render_text()));
    assert!(!diags.has_errors());
    let mut build = BuildOptions::new(&dir);
    build.out = tmp.path().join("dist");
    let report = ohisama::build::build(&build)
        .unwrap_or_else(|e| panic!("build:\n{}", e.diagnostics().render_text()));
    assert!(report.pages > 3);
    assert!(tmp.path().join("dist/index.html").is_file());
    assert!(tmp.path().join("dist/contacts/mihon/index.html").is_file());
    // Its schemas match its own data.
    let schema = std::fs::read_to_string(dir.join("schemas/contacts.schema.json")).unwrap();
    assert!(schema.contains("\"mihon\""));
    // No temp folder is left beside it.
    let left: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".ohisama"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn refuses_a_non_empty_folder() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("notes.txt"), "大事なメモ").unwrap();
    let err = new_site(tmp.path(), &repo_root()).unwrap_err();
    assert!(matches!(err, NewSiteError::NotEmpty(_)), "{err}");
    let names: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
    assert_eq!(names.len(), 1);
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("notes.txt")).unwrap(),
        "大事なメモ"
    );
    // An empty folder is fine.
    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    new_site(&empty, &repo_root()).unwrap();
    assert!(empty.join("data/site.yaml").is_file());
}

#[test]
fn needs_a_theme() {
    let tmp = tempfile::tempdir().unwrap();
    let err = new_site(&tmp.path().join("x"), tmp.path()).unwrap_err();
    assert!(matches!(err, NewSiteError::NoTheme(_)), "{err}");
    assert!(!tmp.path().join("x").exists());
}

#[test]
fn cli_new_then_check() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("site");
    let out = sitekit::ohisama()
        .arg("new")
        .arg(&dir)
        .arg("--from")
        .arg(repo_root())
        .output()
        .unwrap();
    sitekit::assert_success(&out);
    let check = sitekit::ohisama()
        .args(["check", "--root"])
        .arg(&dir)
        .output()
        .unwrap();
    sitekit::assert_success(&check);
    let again = sitekit::ohisama().arg("new").arg(&dir).output().unwrap();
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("空のフォルダではありません"));
}
