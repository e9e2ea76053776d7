//! `ohisama generate`: the generated site passes `ohisama check`, and the
//! same options give the same bytes (small sizes; no timing here: speed is
//! measured by `bash bench/run.sh`).

use ohisama::bench::{GenerateOptions, generate};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every file under `dir` (relative path → bytes), `themes/` left out (a plain copy).
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for e in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let e = e.unwrap();
        let rel = e
            .path()
            .strip_prefix(dir)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        if e.file_type().is_file() && !rel.starts_with("themes") {
            out.insert(rel, std::fs::read(e.path()).unwrap());
        }
    }
    out
}

fn options(out: &Path, hugo: Option<&Path>) -> GenerateOptions {
    let mut g = GenerateOptions::new(repo(), out);
    g.hugo = hugo.map(Path::to_path_buf);
    g.pages = 40;
    g.facilities = 60;
    g.municipalities = 33;
    g.windows_per_municipality = 4;
    g
}

#[test]
fn generated_site_passes_check_and_is_deterministic() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b, hugo) = (
        tmp.path().join("a"),
        tmp.path().join("b"),
        tmp.path().join("hugo"),
    );
    let report = generate(&options(&a, Some(&hugo))).unwrap();
    assert_eq!(report.pages, 40);
    assert_eq!(report.facilities, 60);
    assert_eq!(report.municipalities, 33);
    assert_eq!(report.windows, 33 * 4);

    let (site, diags) = ohisama::build::check(&crate::sitekit::build_options(&a))
        .unwrap_or_else(|d| panic!("generated site fails check:\n{}", d.render_text()));
    assert!(diags.is_empty(), "warnings:\n{}", diags.render_text());
    assert_eq!(site.municipalities.len(), 33);
    assert_eq!(site.facilities.len(), 60);
    assert_eq!(site.pages.len(), 40);
    assert!(a.join("themes/default/templates/base.html").is_file());

    // ~1.5 KB of Japanese text per ordinary page, with the home-care vocabulary.
    let bodies: Vec<&str> = site
        .pages
        .iter()
        .filter(|p| p.path.matches('/').count() == 3)
        .map(|p| p.html.as_str())
        .collect();
    assert!(bodies.len() >= 30);
    let all = bodies.concat();
    let vocab_hits = [
        "訪問看護",
        "人工呼吸器",
        "気管切開",
        "短期入所",
        "医療費助成",
    ]
    .iter()
    .filter(|w| all.contains(**w))
    .count();
    assert!(vocab_hits >= 4, "home-care vocabulary in the text");

    // Same options → same bytes (the Hugo tree too).
    generate(&options(&b, None)).unwrap();
    let (fa, fb) = (files(&a), files(&b));
    assert_eq!(fa.keys().collect::<Vec<_>>(), fb.keys().collect::<Vec<_>>());
    for (k, v) in &fa {
        if k != ".ohisama-generated" {
            assert!(v == &fb[k], "{k} differs between two runs");
        }
    }
    let hugo_files = files(&hugo);
    assert!(hugo_files.contains_key("config.toml"));
    assert!(hugo_files.contains_key("layouts/_default/baseof.html"));
    assert!(hugo_files.contains_key("content/_index.md"));
    // The Hugo tree has the same pages, one page per municipality and per facility.
    let hugo_pages = hugo_files
        .keys()
        .filter(|k| k.starts_with("content/") && k.ends_with(".md"))
        .count();
    assert_eq!(hugo_pages, 40 + 2 + 33 + 60);

    // Generating again into a generated folder replaces it (same bytes).
    generate(&options(&a, None)).unwrap();
    assert_eq!(files(&a), fa);
}

#[test]
fn nationwide_municipalities_are_valid() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    let mut g = options(&out, None);
    g.municipalities = 300;
    g.facilities = 20;
    g.windows_per_municipality = 2;
    let report = generate(&g).unwrap();
    assert_eq!(report.municipalities, 300);
    assert!(report.regions > 6, "fictional municipalities get regions");
    let (site, diags) = ohisama::build::check(&crate::sitekit::build_options(&out))
        .unwrap_or_else(|d| panic!("generated site fails check:\n{}", d.render_text()));
    assert!(diags.is_empty(), "warnings:\n{}", diags.render_text());
    assert_eq!(site.municipalities.len(), 300);
    // The real municipalities of the source come first, then fictional ones.
    assert_eq!(site.municipalities[0].name, "横浜市");
    let fictional = &site.municipalities[33];
    assert!(
        ["市", "町", "村"]
            .iter()
            .any(|s| fictional.name.ends_with(s))
    );
    assert!(fictional.kana.chars().all(|c| ('ぁ'..='ゖ').contains(&c)));
}

#[test]
fn refuses_to_overwrite_a_folder_it_did_not_make() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("precious.txt"), "x").unwrap();
    let err = generate(&options(tmp.path(), None)).unwrap_err();
    assert!(err.to_string().contains("上書きしません"), "{err}");
    assert!(tmp.path().join("precious.txt").is_file());
}
