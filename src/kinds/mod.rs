//! One module per kind of data. Each kind holds its raw type (what the editors
//! write, with serde and JSON Schema attributes: one declaration per field), its
//! rules (`check`), its resolved view and its search documents, and takes its own
//! slice of the loaded input. `check` and `common` are shared by every kind.
//!
//! How to add a kind: docs/DESIGN.md, "How to add a kind of data".

pub mod centres;
pub mod check;
pub mod common;
pub mod contacts;
pub mod facilities;
pub mod facility_facts;
pub mod glossary;
pub mod i18n;
pub mod pages;
pub mod settings;
pub mod synonyms;
pub mod vocab;
pub mod wards;
pub mod window_facts;
