//! The JSON Schemas (what VS Code shows while the editors type) and `check` (what
//! the build enforces) agree:
//! - every file that `check` accepts, its schema accepts (the sample site, the
//!   mini fixture, a generated site and the site `ohisama new` writes);
//! - on every broken case of `tests/fixtures/broken/`, the schema rejects a file
//!   exactly when `check` reports an error in it, except the rules a JSON
//!   Schema cannot express, listed in [`CHECK_ONLY`] with the reason.

use crate::sitekit::{TestSite, copy_dir, repo_root};
use ohisama::diagnostic::Severity;
use ohisama::tools::schema::{SCHEMAS, kind_of_data_file, write_schemas};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Broken cases whose rule only `check` can see, and why a schema cannot.
const CHECK_ONLY: [(&str, &str); 24] = [
    (
        "stats-low-contrast",
        "the WCAG contrast ratio of two neighbouring series' colours",
    ),
    (
        "stats-row-length",
        "as many values as there are series (the length of another list)",
    ),
    ("stats-total-differs", "a printed total equal to a sum"),
    (
        "page-unknown-stats",
        "the ids are the file names of data/stats/, which the schema tool does not list",
    ),
    (
        "centre-defined-twice",
        "ids unique by property within a list",
    ),
    (
        "municipality-without-centre",
        "a municipality served by no centre (across files)",
    ),
    (
        "contact-ward-not-of-this-city",
        "the ward must be one of the file's city (depends on the file)",
    ),
    (
        "contact-bad-hours",
        "the hours grammar: days in order, the end after the start",
    ),
    (
        "facility-unknown-visit-area",
        "area ids are municipality slugs and city/ward pairs of municipalities.yaml",
    ),
    ("ward-bad-code", "the check digit of the ward code"),
    (
        "contact-bad-date",
        "a calendar-valid date (2025-02-30 has the right shape)",
    ),
    (
        "contact-municipality-not-file-name",
        "compares the value with the file name",
    ),
    (
        "facility-duplicate-id",
        "ids unique across all facility files",
    ),
    (
        "facility-file-not-a-municipality",
        "the file name must be a municipality",
    ),
    (
        "facility-in-wrong-file",
        "compares the value with the file name",
    ),
    ("field-duplicate-id", "ids unique by property within a list"),
    (
        "field-low-contrast",
        "the WCAG contrast ratio of two colors",
    ),
    (
        "municipality-bad-code",
        "the check digit of the municipality code",
    ),
    (
        "municipality-duplicate-name",
        "names unique by property within a list",
    ),
    (
        "region-municipality-twice",
        "a municipality in two regions (across items)",
    ),
    ("contact-stale-date", "a warning only: both accept"),
    (
        "contact-bad-yaml-syntax",
        "not YAML: no schema can read it, check reports it",
    ),
    (
        "contact-bad-indentation",
        "not YAML: no schema can read it, check reports it",
    ),
    (
        "contact-unclosed-quote",
        "not YAML: no schema can read it, check reports it",
    ),
];

/// The schemas of `root`'s vocabularies, by schema file name.
fn schemas_of(root: &Path) -> BTreeMap<String, jsonschema::Validator> {
    let tmp = tempfile::tempdir().expect("tempdir");
    write_schemas(root, tmp.path()).unwrap_or_else(|d| panic!("{}", d.render_text()));
    SCHEMAS
        .iter()
        .map(|s| s.file)
        .map(|file| {
            let text = std::fs::read_to_string(tmp.path().join(file)).expect("schema written");
            let schema: Value = serde_json::from_str(&text).expect("schema is JSON");
            let v = jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("{file}: {e}"));
            (file.to_string(), v)
        })
        .collect()
}

/// The schema file that describes the site file `rel` (data file or page).
fn schema_of_site_file(rel: &str) -> Option<&'static str> {
    if rel.starts_with("content/") && rel.ends_with(".md") {
        return Some("front-matter.schema.json");
    }
    let (kind, _) = kind_of_data_file(rel)?;
    ohisama::tools::schema::schema_file_of(kind)
}

/// The YAML the schema judges: a data file, or a page's front matter.
fn yaml_of(rel: &str, text: &str) -> Option<String> {
    if !rel.ends_with(".md") {
        return Some(text.to_string());
    }
    let rest = text.strip_prefix("---\n")?;
    rest.split_once("\n---\n")
        .map(|(front, _)| front.to_string())
}

/// The schema's verdict on one file: `Err` with its first problems, or `Ok`.
/// A file that is not YAML at all is rejected (nothing can read it).
fn schema_verdict(
    schemas: &BTreeMap<String, jsonschema::Validator>,
    rel: &str,
    text: &str,
) -> Result<(), String> {
    let schema = schema_of_site_file(rel).unwrap_or_else(|| panic!("no schema for {rel}"));
    let Some(yaml) = yaml_of(rel, text) else {
        return Err("no front matter".into());
    };
    let instance: Value = serde_saphyr::from_str(&yaml).map_err(|e| format!("not YAML: {e}"))?;
    let errors: Vec<String> = schemas[schema]
        .iter_errors(&instance)
        .take(3)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("; "))
    }
}

/// The site-relative paths of the files under `dir` (a case folder or a site).
fn files_under(dir: &Path, tops: &[&str]) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    for top in tops.iter().filter(|t| dir.join(t).is_dir()) {
        for entry in walkdir::WalkDir::new(dir.join(top)).sort_by_file_name() {
            let entry = entry.expect("walk");
            if entry.file_type().is_file() {
                let rel = ohisama::diagnostic::rel_path(dir, entry.path());
                out.push((rel, entry.path().to_path_buf()));
            }
        }
    }
    out
}

#[test]
fn schema_and_check_agree_on_broken_files() {
    let schemas = schemas_of(TestSite::mini().root());
    let dir = repo_root().join("tests/fixtures/broken");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("broken cases")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(cases.len() >= 40, "only {} cases", cases.len());
    let mut disagreements = Vec::new();
    let mut compared = 0;
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        if CHECK_ONLY.iter().any(|(c, _)| *c == name) {
            continue;
        }
        let site = TestSite::mini();
        copy_dir(case, site.root());
        let diags = site.check();
        for (rel, path) in files_under(case, &["data", "content"]) {
            let text = std::fs::read_to_string(&path).expect("read case file");
            let check_error = diags
                .0
                .iter()
                .find(|d| d.severity == Severity::Error && d.file == rel);
            let schema = schema_verdict(&schemas, &rel, &text);
            compared += 1;
            match (check_error, schema) {
                (Some(_), Err(_)) | (None, Ok(())) => {}
                (Some(d), Ok(())) => disagreements.push(format!(
                    "{name}: {rel}: check says `{}`, the schema accepts it",
                    d.message
                )),
                (None, Err(e)) => disagreements.push(format!(
                    "{name}: {rel}: check accepts it, the schema says {e}"
                )),
            }
        }
    }
    assert!(compared >= 25, "compared only {compared} files");
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}

#[test]
fn check_only_cases_are_accepted_by_the_schema_and_refused_by_check() {
    // The list above must stay true: each case exists, `check` refuses it (or
    // warns, for the warning case) and the schema cannot see the rule.
    let schemas = schemas_of(TestSite::mini().root());
    for (name, why) in CHECK_ONLY {
        let case = repo_root().join("tests/fixtures/broken").join(name);
        assert!(case.is_dir(), "{name}: no such case");
        let site = TestSite::mini();
        copy_dir(&case, site.root());
        let diags = site.check();
        assert!(!diags.0.is_empty(), "{name}: check finds nothing");
        if why.starts_with("not YAML") {
            continue;
        }
        for (rel, path) in files_under(&case, &["data", "content"]) {
            let text = std::fs::read_to_string(&path).expect("read case file");
            assert_eq!(
                schema_verdict(&schemas, &rel, &text),
                Ok(()),
                "{name}: {rel} is refused by the schema, so it is not check-only ({why})"
            );
        }
    }
}

/// Every data file and page of the site at `root` is valid against the schemas
/// made from that site's own vocabularies; `check` accepts the site too.
fn assert_schemas_accept_site(root: &Path, what: &str) {
    let mut o = crate::sitekit::build_options(root);
    o.pdf = false;
    if let Err(d) = ohisama::build::check(&o) {
        panic!("{what}: check refuses it:\n{}", d.render_text());
    }
    let schemas = schemas_of(root);
    let mut problems = Vec::new();
    let files = files_under(root, &["data", "content"]);
    assert!(files.len() > 5, "{what}: only {} files", files.len());
    for (rel, path) in files {
        let text = std::fs::read_to_string(&path).expect("read");
        if let Err(e) = schema_verdict(&schemas, &rel, &text) {
            problems.push(format!("{what}: {rel}: {e}"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_file_check_accepts_the_schema_accepts() {
    assert_schemas_accept_site(TestSite::sample().root(), "sample");
    assert_schemas_accept_site(TestSite::mini().root(), "mini");

    let tmp = tempfile::tempdir().expect("tempdir");
    let generated = tmp.path().join("generated");
    let mut g = ohisama::bench::GenerateOptions::new(repo_root(), &generated);
    g.pages = 40;
    g.municipalities = 60;
    g.facilities = 200;
    ohisama::bench::generate(&g).expect("generate");
    assert_schemas_accept_site(&generated, "generated");

    let new_site = tmp.path().join("new");
    let status = crate::sitekit::ohisama()
        .arg("new")
        .arg(&new_site)
        .status()
        .expect("run ohisama new");
    assert!(status.success(), "ohisama new failed");
    assert_schemas_accept_site(&new_site, "ohisama new");
}

/// Issue #19: the editors' words (names for ids, 直通 / 代表) are accepted by
/// `check` and by the schemas; a name two fields share is refused by both.
#[test]
fn schema_and_check_agree_on_the_editors_words() {
    let site = crate::editors_words::site_in_editors_words();
    assert_schemas_accept_site(site.root(), "editors' words");

    site.edit(
        "data/fields.yaml",
        "- id: sodan\n  name: 相談",
        "- id: sodan\n  name: 障害福祉",
    );
    site.edit("data/contacts/yokohama.yaml", "field: 相談", "field: sodan");
    let rel = "data/contacts/yokohama.yaml";
    let refused = site.check().iter().any(|d| d.file == rel && d.is_error());
    assert!(refused, "check accepts a shared name");
    let verdict = schema_verdict(&schemas_of(site.root()), rel, &site.read(rel));
    assert!(verdict.is_err(), "the schema accepts a shared name");
}
