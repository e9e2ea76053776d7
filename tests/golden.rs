//! Golden outputs: the safety net of the issue #14 redesign. A build is a pure
//! function of its input, so the same input must give the same bytes before and
//! after any refactor that is not meant to change the output.
//!
//! - `sample_site_output_is_unchanged`: a full build (PDFs and search on) of the
//!   sample site, as `path<TAB>size<TAB>sha256` per file, against
//!   `tests/golden/sample.digests`.
//! - `generated_site_output_is_unchanged`: a site made by `ohisama::bench::generate`
//!   (more than 250 municipalities, so the offline cap is covered) and its build
//!   without PDFs, input tree and output, against `tests/golden/generated.digests`.
//! - `broken_files_give_the_same_diagnostics`: each case of `tests/fixtures/broken/`
//!   (one broken rule over a copy of the mini site) through `ohisama::build::check`;
//!   the diagnostics' JSON against `tests/golden/broken.json`.
//!
//! On a mismatch the test lists the added, removed and changed paths (or cases).
//!
//! **Changing the output on purpose.** Rerun with `OHISAMA_BLESS=1`:
//!
//! ```text
//! OHISAMA_BLESS=1 cargo test --test integration golden
//! git diff tests/golden/
//! ```
//!
//! The blessed files are rewritten and the tests pass; review the diff (which
//! paths changed, which messages) and commit it with the change that caused it,
//! saying why in the commit message. Never bless to make an unexplained
//! difference go away: a build that changes bytes it was not asked to change is
//! the bug this net is for. For the nationwide comparison of two revisions with
//! release binaries, see `bench/golden.sh`.

use crate::sitekit::{TestSite, TreeSnapshot, copy_dir, repo_root};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn golden_path(name: &str) -> PathBuf {
    repo_root().join("tests/golden").join(name)
}

fn blessing() -> bool {
    std::env::var_os("OHISAMA_BLESS").is_some_and(|v| !v.is_empty() && v != "0")
}

/// One line per file under `root`, sorted by path: `prefix/path<TAB>size<TAB>sha256`.
/// Symlinks are listed with their target; folders are implied by their files.
fn digests(root: &Path, prefix: &str) -> BTreeMap<String, String> {
    TreeSnapshot::of(root)
        .0
        .into_iter()
        .filter(|(_, value)| value != "dir")
        .map(|(rel, value)| (format!("{prefix}{rel}"), value))
        .collect()
}

fn render_digests(map: &BTreeMap<String, String>) -> String {
    map.iter().map(|(k, v)| format!("{k}\t{v}\n")).collect()
}

fn parse_digests(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter(|l| !l.is_empty())
        .map(|l| {
            let (path, rest) = l.split_once('\t').expect("path<TAB>size<TAB>sha256");
            (path.to_string(), rest.to_string())
        })
        .collect()
}

/// Added, removed and changed keys between the committed map and this run's.
fn differences<V: PartialEq>(
    expected: &BTreeMap<String, V>,
    actual: &BTreeMap<String, V>,
) -> Vec<String> {
    let mut out = Vec::new();
    for (k, v) in expected {
        match actual.get(k) {
            None => out.push(format!("removed {k}")),
            Some(w) if w != v => out.push(format!("changed {k}")),
            _ => {}
        }
    }
    for k in actual.keys().filter(|k| !expected.contains_key(*k)) {
        out.push(format!("added   {k}"));
    }
    out
}

/// The committed golden file, or a failure that says how to create it.
fn read_golden(name: &str) -> String {
    let path = golden_path(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; create it with OHISAMA_BLESS=1 cargo test --test integration golden",
            path.display()
        )
    })
}

fn write_golden(name: &str, text: &str) {
    let path = golden_path(name);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir tests/golden");
    std::fs::write(&path, text).expect("write golden file");
    eprintln!("blessed {}", path.display());
}

/// Compares digests with `tests/golden/<name>` (or rewrites it when blessing).
#[track_caller]
fn assert_digests(name: &str, actual: &BTreeMap<String, String>) {
    if blessing() {
        write_golden(name, &render_digests(actual));
        return;
    }
    let expected = parse_digests(&read_golden(name));
    let diff = differences(&expected, actual);
    assert!(
        diff.is_empty(),
        "{} of {} paths differ from tests/golden/{name}:\n{}\n\
         If the change is intended: OHISAMA_BLESS=1 cargo test --test integration golden",
        diff.len(),
        expected.len().max(actual.len()),
        diff.join("\n")
    );
}

fn build(opts: &ohisama::config::BuildOptions) {
    ohisama::build::build(opts)
        .unwrap_or_else(|e| panic!("build failed:\n{}", e.diagnostics().render_text()));
}

#[test]
fn sample_site_output_is_unchanged() {
    let site = TestSite::sample();
    let mut o = site.options();
    o.out = site.path("dist");
    o.pdf = true;
    o.search = true;
    build(&o);
    let out = digests(&o.out, "");
    assert!(
        out.keys().any(|p| p.ends_with(".pdf")),
        "the sample build wrote no PDF"
    );
    assert_digests("sample.digests", &out);
}

#[test]
fn generated_site_output_is_unchanged() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (site, out) = (tmp.path().join("site"), tmp.path().join("out"));
    let mut g = ohisama::bench::GenerateOptions::new(repo_root(), &site);
    g.pages = 300;
    g.municipalities = 400; // over 250: the offline cap is in the output
    g.facilities = 3000;
    g.seed = 7;
    ohisama::bench::generate(&g).expect("generate");
    // The input first: the build adds its cache (.cache/) to the site folder.
    let mut all = digests(&site, "input/");
    let mut o = crate::sitekit::build_options(&site);
    o.out = out.clone();
    o.pdf = false; // `build --no-pdf`
    build(&o);
    all.extend(digests(&out, "output/"));
    assert_digests("generated.digests", &all);
}

/// Each case folder of `tests/fixtures/broken/`, by name.
fn broken_cases() -> Vec<(String, PathBuf)> {
    let dir = repo_root().join("tests/fixtures/broken");
    let mut cases: Vec<(String, PathBuf)> = std::fs::read_dir(&dir)
        .expect("read tests/fixtures/broken")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), p))
        .collect();
    cases.sort();
    cases
}

#[test]
fn broken_files_give_the_same_diagnostics() {
    let mut actual: BTreeMap<String, serde_json::Value> = BTreeMap::new();
    let cases = broken_cases();
    assert!(cases.len() >= 20, "only {} broken cases", cases.len());
    for (name, dir) in &cases {
        let site = TestSite::mini();
        copy_dir(dir, site.root());
        let diags = site.check();
        // A case that breaks nothing would pin an empty list and cover no rule.
        assert!(!diags.is_empty(), "case {name} gives no diagnostic");
        let json = serde_json::from_str(&diags.render_json()).expect("render_json is JSON");
        actual.insert(name.clone(), json);
    }
    let text = serde_json::to_string_pretty(&actual).expect("serialize") + "\n";
    if blessing() {
        write_golden("broken.json", &text);
        return;
    }
    let expected: BTreeMap<String, serde_json::Value> =
        serde_json::from_str(&read_golden("broken.json")).expect("broken.json is JSON");
    let diff = differences(&expected, &actual);
    let detail: String = diff
        .iter()
        .filter_map(|d| d.strip_prefix("changed "))
        .map(|case| {
            format!(
                "\n--- {case}, committed:\n{:#}\n+++ {case}, now:\n{:#}",
                expected[case], actual[case]
            )
        })
        .collect();
    assert!(
        diff.is_empty(),
        "diagnostics differ from tests/golden/broken.json:\n{}{detail}\n\
         If the change is intended: OHISAMA_BLESS=1 cargo test --test integration golden",
        diff.join("\n")
    );
}
