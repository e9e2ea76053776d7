//! The directory data without source positions, for comparing, exporting and
//! writing back; and the vocabularies (ids and Japanese names) of a site.

use crate::diagnostic::{Diagnostic, Diagnostics};
pub use crate::kinds::vocab::{Named, Vocab, VocabKind, fold};
use crate::load::Loaded;
use crate::model::{ContactFile, Facility, RawSite, Window};
use serde::Serialize;
use std::path::Path;

/// One window of a contacts file, as plain values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WindowData {
    pub name: String,
    pub field: String,
    pub general: bool,
    pub detail: Option<String>,
    pub tel: Option<String>,
    pub tel_kind: Option<String>,
    pub note: Option<String>,
    pub url: Option<String>,
}

/// `data/contacts/<slug>.yaml` as plain values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContactData {
    pub municipality: String,
    pub updated: String,
    pub windows: Vec<WindowData>,
}

/// One facility as plain values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FacilityData {
    pub id: String,
    pub name: String,
    pub kana: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub municipality: String,
    pub address: Option<String>,
    pub tel: Option<String>,
    pub url: Option<String>,
    pub care: Vec<String>,
    pub ages: Option<String>,
    pub note: Option<String>,
    pub updated: Option<String>,
}

/// An empty or blank optional text means the same as no text.
fn opt(s: Option<&str>) -> Option<String> {
    s.filter(|v| !v.trim().is_empty()).map(str::to_string)
}

impl WindowData {
    pub fn from_model(w: &Window) -> WindowData {
        WindowData {
            name: w.name.value.clone(),
            field: w.field.value.clone(),
            general: w.is_general(),
            detail: opt(w.detail.as_deref()),
            tel: opt(w.tel.as_ref().map(|t| t.value.as_str())),
            tel_kind: opt(w.tel_kind.as_ref().map(|t| t.value.as_str())),
            note: opt(w.note.as_deref()),
            url: opt(w.url.as_ref().map(|t| t.value.as_str())),
        }
    }
}

impl ContactData {
    pub fn from_model(c: &ContactFile) -> ContactData {
        ContactData {
            municipality: c.municipality.value.clone(),
            updated: c.updated.value.clone(),
            windows: c
                .windows
                .iter()
                .map(|w| WindowData::from_model(&w.value))
                .collect(),
        }
    }
}

impl FacilityData {
    pub fn from_model(f: &Facility) -> FacilityData {
        FacilityData {
            id: f.id.value.clone(),
            name: f.name.value.clone(),
            kana: f.kana.clone(),
            kind: f.kind.value.clone(),
            municipality: f.municipality.value.clone(),
            address: opt(f.address.as_deref()),
            tel: opt(f.tel.as_ref().map(|t| t.value.as_str())),
            url: opt(f.url.as_ref().map(|t| t.value.as_str())),
            care: f.care.iter().map(|c| c.value.clone()).collect(),
            ages: opt(f.ages.as_deref()),
            note: opt(f.note.as_deref()),
            updated: opt(f.updated.as_ref().map(|t| t.value.as_str())),
        }
    }
}

/// Every contacts file of a site: (relative path, data), in file-name order.
pub fn contacts_of(raw: &RawSite) -> Vec<(String, ContactData)> {
    raw.contacts
        .iter()
        .map(|(file, c)| (file.clone(), ContactData::from_model(c)))
        .collect()
}

/// Every facility of a site with the file it is in, in file-name then file order.
pub fn facilities_of(raw: &RawSite) -> Vec<(String, FacilityData)> {
    raw.facilities
        .iter()
        .flat_map(|(file, list)| {
            list.iter()
                .map(move |f| (file.clone(), FacilityData::from_model(&f.value)))
        })
        .collect()
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
