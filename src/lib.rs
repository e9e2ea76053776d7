//! ohisama: the static site generator of おひさま 小児在宅療養ナビ.
//!
//! Data flows one way: load → validate → resolve → render → write.
//!
//! Modules that nothing outside the crate needs are private (`mod`): the
//! program (src/main.rs), the tests, the examples and the fuzz targets use
//! the public ones.

/// The benchmark site generator behind `ohisama generate`: a tool, not part of
/// the build path (nothing else in the crate uses it).
#[doc(hidden)]
pub mod bench;
pub mod build;
pub mod builtin_theme;
mod charts;
pub mod config;
mod date;
mod derived;
pub mod diagnostic;
pub mod external;
mod feeds;
pub mod freshness;
pub mod git;
pub mod kinds;
pub mod links;
pub mod load;
pub mod markdown;
pub mod model;
pub mod offline;
pub mod output;
pub mod pdf;
pub mod render;
pub mod routes;
pub mod search;
mod sections;
pub mod serve;
pub mod site;
mod tel;
mod text_check;
pub mod theme;
pub mod tools;
mod url_rule;
pub mod validate;
