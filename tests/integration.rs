//! All integration tests but the preview server's, in one test binary.
//!
//! Each `tests/*.rs` file used to be its own binary: 22 links of the whole
//! library (typst, tantivy) cost CI minutes and gigabytes of disk. Modules
//! keep the files as they were; a test's full name is `file::test`.

mod common;
#[path = "fixtures/search/fixture.rs"]
mod search_fixture;
mod sitekit;

mod a11y;
mod build;
mod card;
mod centres;
mod drafts;
mod editors_words;
mod external;
mod facilities;
mod facility_facts;
mod freshness;
mod furigana;
mod generate;
mod glossary;
mod golden;
mod hostile_csv;
mod hostile_limits;
mod hostile_output;
mod hostile_urls;
mod i18n;
mod japanese;
mod menu;
mod offline;
mod pdf;
mod review;
mod routes;
mod schema_parity;
mod search_analyzer;
mod search_index;
mod search_parity;
mod search_synonyms;
mod search_ui;
mod sheet;
mod theme;
mod theme_pages;
mod tools_csv;
mod tools_diff;
mod tools_new;
mod tools_schema;
mod validation;
mod wards;
