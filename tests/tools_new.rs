//! `ohisama new DIR`: a new site that passes `check` and builds at once; a
//! non-empty folder is refused and left as it was. The program works alone
//! (issue #19): a copy of it in an empty folder makes and builds a site with
//! its built-in theme, and `theme eject` writes that theme out for editing.

use crate::sitekit;
use ohisama::tools::scaffold::{NewSiteError, new_site};
use sitekit::repo_root;

#[test]
fn new_site_checks_and_builds() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("other-prefecture");
    let made = new_site(&dir, Some(&repo_root())).unwrap();
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
    let opts = crate::sitekit::build_options(&dir);
    let (_, diags) =
        ohisama::build::check(&opts).unwrap_or_else(|d| panic!("check:\n{}", d.render_text()));
    assert!(!diags.has_errors());
    let mut build = crate::sitekit::build_options(&dir);
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
    let err = new_site(tmp.path(), None).unwrap_err();
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
    new_site(&empty, None).unwrap();
    assert!(empty.join("data/site.yaml").is_file());
}

#[test]
fn from_a_folder_without_a_theme_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let err = new_site(&tmp.path().join("x"), Some(tmp.path())).unwrap_err();
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

/// The program copied alone into an empty folder (no repository, no
/// `themes/`, HOME elsewhere) makes a new site and builds it, PDFs included:
/// templates, CSS, fonts and PDF templates come from inside the program.
#[test]
fn a_copy_of_the_program_alone_makes_and_builds_a_site() {
    let tmp = tempfile::tempdir().unwrap();
    let exe = tmp.path().join("ohisama");
    std::fs::copy(env!("CARGO_BIN_EXE_ohisama"), &exe).unwrap();
    let run = |args: &[&str]| {
        std::process::Command::new(&exe)
            .args(args)
            .current_dir(tmp.path())
            .env("HOME", tmp.path())
            .env_remove("OHISAMA_TIMINGS")
            .output()
            .unwrap()
    };
    sitekit::assert_success(&run(&["new", "site"]));
    let site = tmp.path().join("site");
    assert!(!site.join("themes").exists(), "new makes no themes/ folder");
    sitekit::assert_success(&run(&["check", "--root", "site"]));
    let built = run(&["build", "--root", "site"]);
    sitekit::assert_success(&built);
    let dist = site.join("dist");
    let index = std::fs::read_to_string(dist.join("index.html")).unwrap();
    assert!(index.contains("<main"), "{index}");
    let css: Vec<_> = walkdir::WalkDir::new(dist.join("assets"))
        .into_iter()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "css"))
        .collect();
    assert!(!css.is_empty(), "the built-in theme's CSS is copied");
    let pdfs: Vec<_> = walkdir::WalkDir::new(dist.join("pdf"))
        .into_iter()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "pdf"))
        .collect();
    assert!(!pdfs.is_empty(), "PDFs are made with the built-in fonts");
    let pdf = std::fs::read(pdfs[0].path()).unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    assert!(
        pdf.windows(11).any(|w| w == b"BIZUDGothic"),
        "the built-in font is embedded in the PDF"
    );
}

/// `theme eject` writes the built-in theme; the site then builds from its own
/// copy (an edit there shows in the output); a second eject changes nothing.
#[test]
fn theme_eject_writes_the_theme_the_site_then_uses() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("site");
    new_site(&dir, None).unwrap();
    let eject = || {
        sitekit::ohisama()
            .args(["theme", "eject", "--root"])
            .arg(&dir)
            .output()
            .unwrap()
    };
    sitekit::assert_success(&eject());
    let base = dir.join("themes/default/templates/base.html");
    let original = std::fs::read_to_string(&base).unwrap();
    assert_eq!(
        original,
        std::fs::read_to_string(repo_root().join("themes/default/templates/base.html")).unwrap()
    );
    let edited = original.replacen("<body", "<body data-ejected=\"yes\"", 1);
    assert_ne!(edited, original);
    std::fs::write(&base, &edited).unwrap();
    let before = sitekit::TreeSnapshot::of(&dir.join("themes"));
    let again = eject();
    assert_eq!(again.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("既にあります"),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    before.assert_same(&sitekit::TreeSnapshot::of(&dir.join("themes")), "themes");
    let out = sitekit::ohisama()
        .args(["build", "--no-pdf", "--root"])
        .arg(&dir)
        .output()
        .unwrap();
    sitekit::assert_success(&out);
    let index = std::fs::read_to_string(dir.join("dist/index.html")).unwrap();
    assert!(
        index.contains("data-ejected=\"yes\""),
        "the ejected theme is used"
    );
}
