//! ohisama: the static site generator of おひさま 小児在宅療養ナビ.
//!
//! Data flows one way: load → validate → render → write.

pub mod pdf;
pub mod search;
