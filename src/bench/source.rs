//! What the generator takes from the source site's `data/`: the vocabularies
//! (fields, care, facility types) and, for `places`, its lists of
//! municipalities and regions.

use crate::load::parse_yaml;
use crate::model::{CareTerm, FacilityType, Field, S};
use anyhow::{Context as _, bail};
use std::path::Path;

/// The source site's vocabularies, in file order (random picks index into them).
pub(super) struct Vocab {
    /// Fields: (id, name).
    pub(super) fields: Vec<(String, String)>,
    /// Kinds of care: (id, name).
    pub(super) care: Vec<(String, String)>,
    /// Facility types: (id, name, kana).
    pub(super) types: Vec<(String, String, String)>,
}

impl Vocab {
    pub(super) fn has_field(&self, id: &str) -> bool {
        self.fields.iter().any(|(f, _)| f == id)
    }

    /// The name of field `id`, or the id itself if the vocabulary lacks it.
    pub(super) fn field_name(&self, id: &str) -> String {
        self.fields
            .iter()
            .find(|(f, _)| f == id)
            .map_or_else(|| id.to_string(), |(_, n)| n.clone())
    }
}

/// A YAML list of the source site, with `path:line:col` on a parse error.
pub(super) fn read_list<T: serde::de::DeserializeOwned>(path: &Path) -> anyhow::Result<Vec<S<T>>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{} を読めません", path.display()))?;
    parse_yaml::<Vec<S<T>>>(&text)
        .map_err(|p| anyhow::anyhow!("{}:{}:{}: {}", path.display(), p.line, p.column, p.message))
}

/// Reads the vocabularies; a site without fields or facility types cannot be generated.
pub(super) fn vocab(source: &Path) -> anyhow::Result<Vocab> {
    let data = source.join("data");
    let fields = read_list::<Field>(&data.join("fields.yaml"))?
        .into_iter()
        .map(|f| {
            let f = f.into_value();
            (f.id.into_value(), f.name.into_value())
        })
        .collect();
    let care = read_list::<CareTerm>(&data.join("care.yaml"))?
        .into_iter()
        .map(|t| {
            let t = t.into_value();
            (t.id.into_value(), t.name.into_value())
        })
        .collect();
    let types = read_list::<FacilityType>(&data.join("facility_types.yaml"))?
        .into_iter()
        .map(|t| {
            let t = t.into_value();
            (t.id.into_value(), t.name.into_value(), t.kana)
        })
        .collect();
    let v = Vocab {
        fields,
        care,
        types,
    };
    if v.fields.is_empty() || v.types.is_empty() {
        bail!(
            "{} の fields.yaml と facility_types.yaml が空です",
            source.display()
        );
    }
    Ok(v)
}
