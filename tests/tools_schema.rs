//! `ohisama schema`: the committed schemas/ are what the generator makes from
//! the sample data; every sample file (YAML → JSON) is valid against its
//! schema; a broken file is not; each schema lists exactly the keys the loader
//! accepts; every sample data file points VS Code at its schema.

use crate::sitekit;
use ohisama::kinds::contacts::{ContactFile, Window};
use ohisama::kinds::facilities::Facility;
use ohisama::model::{
    CareTerm, FacilityType, Field, FrontMatter, MenuEntry, Municipality, Notice, PageMenu, Region,
    SiteConfig,
};
use ohisama::tools::schema::{SCHEMAS, kind_of_data_file, schema_file_of, write_schemas};
use serde::de::DeserializeOwned;
use serde_json::Value;
use sitekit::{TestSite, repo_root};
use std::collections::BTreeSet;
use std::path::Path;

fn committed(name: &str) -> Value {
    let text = std::fs::read_to_string(repo_root().join("schemas").join(name))
        .unwrap_or_else(|e| panic!("schemas/{name}: {e} (run `cargo run -- schema`)"));
    serde_json::from_str(&text).expect("schema is JSON")
}

fn validator(name: &str) -> jsonschema::Validator {
    let schema = committed(name);
    jsonschema::meta::validate(&schema)
        .unwrap_or_else(|e| panic!("{name} is not a valid JSON Schema: {e}"));
    jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn yaml_to_json(text: &str) -> Value {
    serde_saphyr::from_str::<Value>(text).expect("YAML reads as JSON value")
}

fn errors(v: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    v.iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

/// The data files and pages of a site with the schema each must satisfy.
fn files_with_schemas(root: &Path) -> Vec<(String, &'static str, String)> {
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(root.join("data")).sort_by_file_name() {
        let entry = entry.unwrap();
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = ohisama::diagnostic::rel_path(root, entry.path());
        let (kind, _) = kind_of_data_file(&rel).unwrap_or_else(|| panic!("no schema for {rel}"));
        let file = schema_file_of(kind).unwrap();
        out.push((rel, file, std::fs::read_to_string(entry.path()).unwrap()));
    }
    for entry in walkdir::WalkDir::new(root.join("content")).sort_by_file_name() {
        let entry = entry.unwrap();
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = ohisama::diagnostic::rel_path(root, entry.path());
        let text = std::fs::read_to_string(entry.path()).unwrap();
        let front = text
            .strip_prefix("---\n")
            .and_then(|r| r.split_once("\n---\n"))
            .map(|(f, _)| f.to_string())
            .unwrap_or_else(|| panic!("{rel} has no front matter"));
        out.push((rel, "front-matter.schema.json", front));
    }
    out
}

#[test]
fn committed_schemas_are_up_to_date() {
    let tmp = tempfile::tempdir().unwrap();
    let written =
        write_schemas(&repo_root(), tmp.path()).unwrap_or_else(|d| panic!("{}", d.render_text()));
    assert_eq!(written.len(), SCHEMAS.len());
    let mut names: BTreeSet<String> = BTreeSet::new();
    for entry in std::fs::read_dir(repo_root().join("schemas")).unwrap() {
        names.insert(entry.unwrap().file_name().to_string_lossy().into_owned());
    }
    let expected: BTreeSet<String> = SCHEMAS.iter().map(|s| s.file.to_string()).collect();
    assert_eq!(
        names, expected,
        "schemas/ holds exactly the generated files"
    );
    for file in SCHEMAS.iter().map(|s| s.file) {
        let fresh = std::fs::read_to_string(tmp.path().join(file)).unwrap();
        let old = std::fs::read_to_string(repo_root().join("schemas").join(file)).unwrap();
        assert!(
            fresh == old,
            "schemas/{file} is out of date: run `cargo run -- schema` and commit schemas/"
        );
    }
}

#[test]
fn every_sample_file_is_valid_against_its_schema() {
    let mut checked = 0;
    let mut problems = Vec::new();
    let validators: Vec<(&str, jsonschema::Validator)> = SCHEMAS
        .iter()
        .map(|s| (s.file, validator(s.file)))
        .collect();
    for (rel, schema, text) in files_with_schemas(&repo_root()) {
        let v = &validators.iter().find(|(f, _)| *f == schema).unwrap().1;
        for e in errors(v, &yaml_to_json(&text)) {
            problems.push(format!("{rel}: {e}"));
        }
        checked += 1;
    }
    assert!(checked > 80, "checked {checked} files");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn broken_files_fail_their_schema() {
    let contacts = validator("contacts.schema.json");
    let good = std::fs::read_to_string(repo_root().join("data/contacts/yokohama.yaml")).unwrap();
    assert!(errors(&contacts, &yaml_to_json(&good)).is_empty());
    let cases = [
        ("field: sodan", "field: sodann"),             // unknown field id
        ("    detail: 各種", "    detial: 各種"),      // unknown key (typo)
        ("tel: 045-000-4254", "tel: ０４５-000-4254"), // full-width digits
        ("    tel_kind: direct\n", ""),                // tel without tel_kind
        ("municipality: yokohama", "municipality: yokohma"),
        ("updated: 2025-04-01", "updated: 2025/4/1"),
        (
            "url: https://example.jp/yokohama/coordinator",
            "url: javascript:alert(1)",
        ),
    ];
    for (from, to) in cases {
        assert!(good.contains(from), "{from}");
        let bad = good.replacen(from, to, 1);
        assert!(
            !errors(&contacts, &yaml_to_json(&bad)).is_empty(),
            "{from:?} → {to:?} should fail the schema"
        );
    }
    let facilities = validator("facilities.schema.json");
    let good = std::fs::read_to_string(repo_root().join("data/facilities/hakone.yaml")).unwrap();
    assert!(errors(&facilities, &yaml_to_json(&good)).is_empty());
    for (from, to) in [
        ("care: [blood-glucose", "care: [blood-glucos"),
        ("type: clinic", "type: klinik"),
        ("  ages: 全年齢", "  age: 全年齢"),
    ] {
        let bad = good.replacen(from, to, 1);
        assert!(
            !errors(&facilities, &yaml_to_json(&bad)).is_empty(),
            "{from:?} → {to:?} should fail the schema"
        );
    }
    let front = validator("front-matter.schema.json");
    assert!(errors(&front, &yaml_to_json("title: x\nweight: 1\n")).is_empty());
    assert!(!errors(&front, &yaml_to_json("title: x\nwieght: 1\n")).is_empty());
    assert!(!errors(&front, &yaml_to_json("description: no title\n")).is_empty());
}

/// The vocabulary schemas are derived from the loader's types, so they agree
/// with `check`: `group:` on both, `color:` on neither; an optional key may be left
/// empty (YAML null) as the loader accepts it; a required one may not.
#[test]
fn vocabulary_schemas_agree_with_the_loader() {
    let care = validator("care.schema.json");
    let types = validator("facility_types.schema.json");
    let fields = validator("fields.schema.json");
    let care_ok = "- id: ventilator\n  name: 人工呼吸器\n";
    let care_group = "- id: ventilator\n  name: 人工呼吸器\n  group: 呼吸\n";
    let care_color = "- id: ventilator\n  name: 人工呼吸器\n  color: red\n";
    let type_group = "- id: hospital\n  name: 病院\n  group: 医療\n";
    assert!(errors(&care, &yaml_to_json(care_ok)).is_empty());
    assert!(errors(&care, &yaml_to_json(care_group)).is_empty());
    assert!(!errors(&care, &yaml_to_json(care_color)).is_empty());
    assert!(errors(&types, &yaml_to_json(type_group)).is_empty());
    let field = |border: &str| {
        format!(
            "- id: a\n  name: A\n  color: \"#1565C0\"\n  text_color: \"#FFFFFF\"\n  tint: \"#E3F2FD\"\n  border: {border}\n"
        )
    };
    assert!(errors(&fields, &yaml_to_json(&field("\"#000000\""))).is_empty());
    assert!(errors(&fields, &yaml_to_json(&field(""))).is_empty());
    assert!(!errors(&fields, &yaml_to_json(&field("blue"))).is_empty());
    for text in [care_ok, care_group, care_color, type_group] {
        let loads = |t: &str| ohisama::load::parse_yaml::<Vec<CareTerm>>(t).is_ok();
        assert_eq!(
            loads(text),
            errors(&care, &yaml_to_json(text)).is_empty(),
            "{text}"
        );
    }
    let required_null = "- id: ventilator\n  name:\n";
    assert!(!errors(&care, &yaml_to_json(required_null)).is_empty());
}

// ---- the schemas accept exactly the keys the loader accepts ----

/// The keys serde accepts for `T` (its declared fields).
fn keys_of<T: DeserializeOwned>() -> BTreeSet<String> {
    let fields = ohisama::kinds::common::field_names::<T>();
    assert!(!fields.is_empty(), "not a struct");
    fields.iter().map(|s| s.to_string()).collect()
}

fn schema_keys(schema: &Value) -> BTreeSet<String> {
    assert_eq!(
        schema["additionalProperties"],
        Value::Bool(false),
        "additionalProperties: false like the loader"
    );
    schema["properties"]
        .as_object()
        .expect("properties")
        .keys()
        .cloned()
        .collect()
}

#[test]
fn schemas_accept_exactly_the_loaders_keys() {
    let site = committed("site.schema.json");
    assert_eq!(schema_keys(&site), keys_of::<SiteConfig>());
    assert_eq!(
        schema_keys(&site["properties"]["notices"]["items"]),
        keys_of::<Notice>()
    );
    let list_item = |name: &str| committed(name)["items"].clone();
    assert_eq!(
        schema_keys(&list_item("regions.schema.json")),
        keys_of::<Region>()
    );
    assert_eq!(
        schema_keys(&list_item("municipalities.schema.json")),
        keys_of::<Municipality>()
    );
    assert_eq!(
        schema_keys(&list_item("fields.schema.json")),
        keys_of::<Field>()
    );
    assert_eq!(
        schema_keys(&list_item("facility_types.schema.json")),
        keys_of::<FacilityType>()
    );
    assert_eq!(
        schema_keys(&list_item("care.schema.json")),
        keys_of::<CareTerm>()
    );
    let contacts = committed("contacts.schema.json");
    assert_eq!(schema_keys(&contacts), keys_of::<ContactFile>());
    assert_eq!(
        schema_keys(&contacts["$defs"]["window"]),
        keys_of::<Window>()
    );
    assert_eq!(
        schema_keys(&list_item("facilities.schema.json")),
        keys_of::<Facility>()
    );
    assert_eq!(
        schema_keys(&committed("front-matter.schema.json")),
        keys_of::<FrontMatter>()
    );
    assert_eq!(
        schema_keys(&site["properties"]["menu"]["items"]),
        keys_of::<MenuEntry>()
    );
    assert_eq!(
        schema_keys(&committed("front-matter.schema.json")["properties"]["menu"]),
        keys_of::<PageMenu>()
    );
    let stats = committed("stats.schema.json");
    assert_eq!(
        schema_keys(&stats),
        keys_of::<ohisama::kinds::stats::StatsFile>()
    );
    assert_eq!(
        schema_keys(&stats["properties"]["series"]["items"]),
        keys_of::<ohisama::kinds::stats::SeriesDef>()
    );
    assert_eq!(
        schema_keys(&stats["properties"]["rows"]["items"]),
        keys_of::<ohisama::kinds::stats::RowDef>()
    );
}

#[test]
fn enums_come_from_the_sites_data() {
    let contacts = committed("contacts.schema.json");
    let fields: Vec<&str> = contacts["$defs"]["field"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    // The ids, then the names YAML accepts for them (issue #19).
    assert_eq!(
        fields,
        [
            "shogai-fukushi",
            "hoken",
            "kyufukin",
            "kyoiku",
            "sodan",
            "sonota",
            "障害福祉",
            "保健",
            "給付金",
            "教育",
            "相談",
            "その他"
        ]
    );
    let names = &contacts["$defs"]["field"]["enumDescriptions"];
    assert!(names[0].as_str().unwrap().starts_with("障害福祉"));
    assert_eq!(names[6], "障害福祉 (ID: shogai-fukushi)");
    let munis = contacts["$defs"]["municipality"]["enum"]
        .as_array()
        .unwrap();
    assert_eq!(munis.len(), 2 * 33);
    assert!(munis.iter().any(|m| m == "横浜市"));
    assert!(
        contacts["$defs"]["region"]["enum"]
            .as_array()
            .unwrap()
            .len()
            == 6
    );
    assert!(contacts["title"].as_str().unwrap().contains("窓口"));
    // A site with other data gets other enums.
    let site = TestSite::mini();
    let tmp = tempfile::tempdir().unwrap();
    write_schemas(site.root(), tmp.path()).unwrap();
    let text = std::fs::read_to_string(tmp.path().join("contacts.schema.json")).unwrap();
    let mini: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        mini["$defs"]["municipality"]["enum"],
        serde_json::json!([
            "yokohama",
            "kawasaki",
            "chigasaki",
            "横浜市",
            "川崎市",
            "茅ヶ崎市"
        ])
    );
}

#[test]
fn every_sample_data_file_points_at_its_schema() {
    let root = repo_root();
    for (rel, schema, text) in files_with_schemas(&root) {
        if !rel.starts_with("data/") {
            continue;
        }
        let first = text.lines().next().unwrap_or("");
        let target = first
            .strip_prefix("# yaml-language-server: $schema=")
            .unwrap_or_else(|| panic!("{rel}: first line is {first:?}"));
        assert!(target.ends_with(schema), "{rel} → {target}");
        let resolved = root.join(&rel).parent().unwrap().join(target);
        assert!(
            resolved.is_file(),
            "{rel}: {} does not exist",
            resolved.display()
        );
    }
}

#[test]
fn cli_writes_schemas() {
    let site = TestSite::mini();
    let out = sitekit::ohisama()
        .args(["schema", "--root"])
        .arg(site.root())
        .output()
        .unwrap();
    sitekit::assert_success(&out);
    for f in SCHEMAS.iter().map(|s| s.file) {
        assert!(site.path("schemas").join(f).is_file(), "{f}");
    }
    // Without its vocabulary files there is nothing to put in the enums: an error, not empty schemas.
    std::fs::remove_file(site.path("data/fields.yaml")).unwrap();
    let bad = sitekit::ohisama()
        .args(["schema", "--out"])
        .arg(site.path("other"))
        .arg("--root")
        .arg(site.root())
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("data/fields.yaml"));
    assert!(!site.path("other").exists());
}
