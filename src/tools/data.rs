//! The directory data without source positions, for comparing, exporting and
//! writing back; and the vocabularies (ids and Japanese names) of a site.

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::kinds::common::Column;
use crate::kinds::contacts::{self, ContactFile, Window};
use crate::kinds::facilities::Facility;
use crate::load::Loaded;
use crate::model::{RawSite, Term};
use serde::Serialize;
use std::path::Path;
use unicode_normalization::UnicodeNormalization as _;

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

/// An id and its Japanese name (and reading, when it has one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named {
    pub id: String,
    pub name: String,
    pub kana: String,
}

/// The vocabularies of a site, in file order.
#[derive(Debug, Clone, Default)]
pub struct Vocab {
    pub municipalities: Vec<Named>,
    pub regions: Vec<Named>,
    /// Members of each region (same order as `regions`).
    pub region_members: Vec<Vec<String>>,
    pub fields: Vec<Named>,
    pub care: Vec<Named>,
    pub types: Vec<Named>,
    /// The folders under `themes/` (the values `theme:` of site.yaml may take).
    pub themes: Vec<String>,
    /// The folded forms of each list (same order), made on the first
    /// [`Vocab::resolve`]: a CSV of thousands of rows resolves each cell
    /// against every name, and folding (NFKC) them again each time was most of
    /// an import's time.
    folded: std::sync::OnceLock<[Vec<FoldedNamed>; 4]>,
}

/// A [`Named`] as [`fold`] sees it.
#[derive(Debug, Clone, Default)]
struct FoldedNamed {
    id: String,
    name: String,
    kana: String,
    short: String,
}

impl FoldedNamed {
    fn of(n: &Named) -> FoldedNamed {
        FoldedNamed {
            id: fold(&n.id),
            name: fold(&n.name),
            kana: fold(&n.kana),
            short: short_name(&n.name),
        }
    }
}

/// Which vocabulary a CSV cell names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VocabKind {
    Municipality,
    Field,
    Care,
    Type,
}

impl VocabKind {
    /// The vocabulary of a shared schema definition (`#/$defs/field`).
    fn of_def(def: &str) -> Option<VocabKind> {
        match def {
            "municipality" => Some(VocabKind::Municipality),
            "field" => Some(VocabKind::Field),
            "care" => Some(VocabKind::Care),
            "facility_type" => Some(VocabKind::Type),
            _ => None,
        }
    }

    /// The file that defines the vocabulary.
    pub fn file(self) -> &'static str {
        match self {
            VocabKind::Municipality => "municipalities.yaml",
            VocabKind::Field => "fields.yaml",
            VocabKind::Care => "care.yaml",
            VocabKind::Type => "facility_types.yaml",
        }
    }

    /// Japanese name of the vocabulary.
    pub fn label(self) -> &'static str {
        match self {
            VocabKind::Municipality => "市町村",
            VocabKind::Field => "分野",
            VocabKind::Care => "医療的ケア",
            VocabKind::Type => "施設種別",
        }
    }
}

fn terms(list: &Option<(String, Vec<crate::model::S<Term>>)>) -> Vec<Named> {
    list.as_ref()
        .map(|(_, l)| {
            l.iter()
                .map(|t| Named {
                    id: t.value.id.value.clone(),
                    name: t.value.name.value.clone(),
                    kana: t.value.kana.clone(),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Folds what Excel or an IME may have changed: full-width letters and
/// digits, case and surrounding spaces.
pub fn fold(s: &str) -> String {
    s.nfkc().collect::<String>().trim().to_lowercase()
}

/// A name without its explanation in brackets: 吸引(たんの吸引) → 吸引.
fn short_name(name: &str) -> String {
    let f = fold(name);
    match f.find('(') {
        Some(i) if i > 0 => f[..i].trim().to_string(),
        _ => f,
    }
}

impl Vocab {
    pub fn from_raw(raw: &RawSite) -> Vocab {
        let municipalities = raw
            .municipalities
            .as_ref()
            .map(|(_, l)| {
                l.iter()
                    .map(|m| Named {
                        id: m.value.slug.value.clone(),
                        name: m.value.name.value.clone(),
                        kana: m.value.kana.value.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let (regions, region_members) = raw
            .regions
            .as_ref()
            .map(|(_, l)| {
                l.iter()
                    .map(|r| {
                        (
                            Named {
                                id: r.value.id.value.clone(),
                                name: r.value.name.value.clone(),
                                kana: String::new(),
                            },
                            r.value
                                .municipalities
                                .iter()
                                .map(|m| m.value.clone())
                                .collect(),
                        )
                    })
                    .unzip()
            })
            .unwrap_or_default();
        let fields = raw
            .fields
            .as_ref()
            .map(|(_, l)| {
                l.iter()
                    .map(|f| Named {
                        id: f.value.id.value.clone(),
                        name: f.value.name.value.clone(),
                        kana: f.value.kana.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        Vocab {
            municipalities,
            regions,
            region_members,
            fields,
            care: terms(&raw.care),
            types: terms(&raw.facility_types),
            themes: raw.themes.clone(),
            folded: std::sync::OnceLock::new(),
        }
    }

    /// Loads a site and its vocabularies; fails with the load errors of the
    /// vocabulary files (without them no id can be checked).
    pub fn load(root: &Path) -> Result<(Vocab, Loaded), Diagnostics> {
        let loaded = crate::load::load_site(root);
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
        Ok((Vocab::from_raw(&loaded.raw), loaded))
    }

    pub fn list(&self, kind: VocabKind) -> &[Named] {
        match kind {
            VocabKind::Municipality => &self.municipalities,
            VocabKind::Field => &self.fields,
            VocabKind::Care => &self.care,
            VocabKind::Type => &self.types,
        }
    }

    fn folded(&self, kind: VocabKind) -> &[FoldedNamed] {
        let all = self.folded.get_or_init(|| {
            [
                VocabKind::Municipality,
                VocabKind::Field,
                VocabKind::Care,
                VocabKind::Type,
            ]
            .map(|k| self.list(k).iter().map(FoldedNamed::of).collect())
        });
        &all[kind as usize]
    }

    /// The id a cell names: an id, or a Japanese name (or reading) of the vocabulary.
    pub fn resolve(&self, kind: VocabKind, text: &str) -> Option<&str> {
        let t = fold(text);
        if t.is_empty() {
            return None;
        }
        let list = self.list(kind);
        let folded = self.folded(kind);
        let find = |matches: &dyn Fn(&FoldedNamed) -> bool| folded.iter().position(matches);
        find(&|n| n.id == t)
            .or_else(|| find(&|n| n.name == t))
            .or_else(|| find(&|n| !n.kana.is_empty() && n.kana == t))
            .or_else(|| {
                // 「吸引」 for 「吸引(たんの吸引)」, when only one name starts so.
                let mut short = folded.iter().enumerate().filter(|(_, n)| n.short == t);
                match (short.next(), short.next()) {
                    (Some((i, _)), None) => Some(i),
                    _ => None,
                }
            })
            .and_then(|i| list.get(i))
            .map(|n| n.id.as_str())
    }

    /// The Japanese name of an id (the id itself when unknown).
    pub fn name_of<'a>(&'a self, kind: VocabKind, id: &'a str) -> &'a str {
        self.list(kind)
            .iter()
            .find(|n| n.id == id)
            .map_or(id, |n| n.name.as_str())
    }

    /// 「もしかして」 hint over both names and ids.
    pub fn suggest(&self, kind: VocabKind, bad: &str) -> String {
        let list = self.list(kind);
        let candidates: Vec<&str> = list
            .iter()
            .flat_map(|n| [n.name.as_str(), n.id.as_str()])
            .collect();
        let near = crate::diagnostic::nearest(bad.trim(), candidates.iter().copied());
        let names: Vec<&str> = list.iter().map(|n| n.name.as_str()).collect();
        if near.is_empty() {
            format!(
                "{} に書かれた名前か ID を使ってください: {}",
                kind.file(),
                names.join("、")
            )
        } else {
            let quoted: Vec<String> = near.iter().map(|n| format!("「{n}」")).collect();
            format!(
                "もしかして {} ? (使える{}: {})",
                quoted.join(" / "),
                kind.label(),
                names.join("、")
            )
        }
    }
}
