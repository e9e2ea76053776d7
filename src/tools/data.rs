//! The directory data without source positions, for comparing, exporting and
//! writing back; and the vocabularies (ids and Japanese names) of a site.

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::kinds::centres::Centre;
use crate::kinds::common::Column;
use crate::kinds::contacts::{self, ContactFile, Window};
use crate::kinds::facilities::Facility;
pub use crate::kinds::vocab::{Named, Vocab, VocabKind, fold};
use crate::load::Loaded;
use crate::model::RawSite;
use serde::Serialize;
use std::path::Path;

/// Every contacts file of a site, normalised ([`ContactFile::normalized`]):
/// (relative path, data), in file-name order.
pub fn contacts_of(raw: &RawSite) -> Vec<(String, ContactFile)> {
    raw.contacts
        .iter()
        .map(|(file, c)| (file.clone(), c.normalized()))
        .collect()
}

/// Every facility of a site, normalised ([`Facility::normalized`]), with the
/// file it is in, in file-name then file order.
pub fn facilities_of(raw: &RawSite) -> Vec<(String, Facility)> {
    raw.facilities
        .iter()
        .flat_map(|(file, list)| {
            list.iter()
                .map(move |f| (file.clone(), f.value.normalized()))
        })
        .collect()
}

/// The support centres of a site (data/centres.yaml), normalised ([`Centre::normalized`]).
pub fn centres_of(raw: &RawSite) -> Vec<Centre> {
    raw.centres
        .iter()
        .flat_map(|(_, list)| list.iter().map(|c| c.value.normalized()))
        .collect()
}

/// A column of a kind's table (CSV, diff), read from the kind's declaration:
/// its YAML key, its Japanese label, the vocabulary its values name and the
/// Japanese words of its enum values (from the schema: `$ref` and `x-labels`).
#[derive(Debug, Clone)]
pub struct TableColumn {
    pub key: &'static str,
    pub label: String,
    pub vocab: Option<VocabKind>,
    /// (YAML value, cell text), e.g. (`direct`, 直通).
    pub words: Vec<(String, String)>,
}

impl TableColumn {
    /// `column` of a raw type whose schema (`schema_for!`) is `schema`.
    fn of(column: Column, schema: &serde_json::Value) -> TableColumn {
        let prop = &schema["properties"][column.key];
        let def = prop["$ref"].as_str().or(prop["items"]["$ref"].as_str());
        let strings = |v: &serde_json::Value| -> Vec<String> {
            v.as_array()
                .into_iter()
                .flatten()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        };
        TableColumn {
            key: column.key,
            label: column.label,
            vocab: def
                .and_then(|d| d.strip_prefix("#/$defs/"))
                .and_then(VocabKind::of_def),
            words: strings(&prop["enum"])
                .into_iter()
                .zip(strings(&prop["x-labels"]))
                .collect(),
        }
    }

    /// The text of a value of this column: a vocabulary id as `name` gives
    /// it, an enum value as its word, `yes_no` for a flag, a list joined by 、.
    pub fn text(
        &self,
        value: Option<&serde_json::Value>,
        name: &dyn Fn(VocabKind, &str) -> String,
        yes_no: [&str; 2],
    ) -> String {
        use serde_json::Value;
        let one = |s: &str| match (self.vocab, self.words.iter().find(|(v, _)| v == s)) {
            (_, Some((_, word))) => word.clone(),
            (Some(kind), None) => name(kind, s),
            (None, None) => s.to_string(),
        };
        match value {
            Some(Value::String(s)) => one(s),
            Some(Value::Bool(b)) => (if *b { yes_no[0] } else { yes_no[1] }).to_string(),
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(Value::as_str)
                .map(one)
                .collect::<Vec<_>>()
                .join("、"),
            Some(Value::Number(n)) => n.to_string(),
            _ => String::new(),
        }
    }
}

/// The columns of the contacts CSV (one row per window), in the CSV's order.
pub fn contact_columns() -> &'static [TableColumn] {
    static COLUMNS: std::sync::OnceLock<Vec<TableColumn>> = std::sync::OnceLock::new();
    COLUMNS.get_or_init(|| {
        let file = schema_value::<ContactFile>();
        let window = schema_value::<Window>();
        contacts::csv_columns()
            .iter()
            .map(|c| {
                let of_window = window["properties"].get(c.key).is_some();
                TableColumn::of(c.clone(), if of_window { &window } else { &file })
            })
            .collect()
    })
}

/// The columns of the facilities CSV: the fields of [`Facility`] in order.
pub fn facility_columns() -> &'static [TableColumn] {
    static COLUMNS: std::sync::OnceLock<Vec<TableColumn>> = std::sync::OnceLock::new();
    COLUMNS.get_or_init(|| {
        let schema = schema_value::<Facility>();
        crate::kinds::common::columns::<Facility>()
            .into_iter()
            .map(|c| TableColumn::of(c, &schema))
            .collect()
    })
}

/// The columns of the centres CSV: the fields of [`Centre`] in order.
pub fn centre_columns() -> &'static [TableColumn] {
    static COLUMNS: std::sync::OnceLock<Vec<TableColumn>> = std::sync::OnceLock::new();
    COLUMNS.get_or_init(|| {
        let schema = schema_value::<Centre>();
        crate::kinds::common::columns::<Centre>()
            .into_iter()
            .map(|c| TableColumn::of(c, &schema))
            .collect()
    })
}

/// The columns of the glossary CSV: the fields of [`crate::kinds::glossary::Term`] in order.
pub fn glossary_columns() -> &'static [TableColumn] {
    use crate::kinds::glossary::Term;
    static COLUMNS: std::sync::OnceLock<Vec<TableColumn>> = std::sync::OnceLock::new();
    COLUMNS.get_or_init(|| {
        let schema = schema_value::<Term>();
        crate::kinds::common::columns::<Term>()
            .into_iter()
            .map(|c| TableColumn::of(c, &schema))
            .collect()
    })
}

fn schema_value<T: schemars::JsonSchema>() -> serde_json::Value {
    schemars::schema_for!(T).to_value()
}

/// The fields of a value as serde writes them (skipped ones left out).
pub fn values_of<T: Serialize>(value: &T) -> serde_json::Map<String, serde_json::Value> {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::Object(m)) => m,
        _ => serde_json::Map::new(),
    }
}

impl Vocab {
    /// Loads a site's data (not its pages) and its vocabularies; fails with
    /// the load errors of the vocabulary files (without them no id can be checked).
    pub fn load(root: &Path) -> Result<(Vocab, Loaded), Diagnostics> {
        let loaded = crate::load::load_data(root);
        let vocab_files = [
            "data/municipalities.yaml",
            "data/regions.yaml",
            "data/fields.yaml",
            "data/care.yaml",
            "data/facility_types.yaml",
        ];
        let mut errors = super::errors_in(&loaded.diagnostics, &vocab_files);
        if !errors.is_empty() {
            errors.push(
                Diagnostic::error(
                    "data",
                    0,
                    0,
                    "市町村・分野などの一覧ファイルを読めないため、処理できません",
                )
                .hint("先に `ohisama check` で上のエラーを直してください"),
            );
            errors.finish(&loaded.sources);
            return Err(errors);
        }
        Ok((Vocab::of(&loaded.raw), loaded))
    }
}
