//! ohisama: the static site generator of おひさま 小児在宅療養ナビ.
//!
//! Data flows one way: load → validate → resolve → render → write.

/// The benchmark site generator behind `ohisama generate`: a tool, not part of
/// the build path (nothing else in the crate uses it).
#[doc(hidden)]
pub mod bench;
pub mod build;
pub mod config;
pub mod date;
pub mod derived;
pub mod diagnostic;
pub mod feeds;
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
pub mod sections;
pub mod serve;
pub mod site;
pub mod tel;
pub mod text_check;
pub mod theme;
pub mod tools;
pub mod url_rule;
pub mod validate;
