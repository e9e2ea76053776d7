//! The preview server's tests (`ohisama serve`), in a binary of their own:
//! they assert that an edit reaches open pages within 2 s, so they must not
//! share the 2 cores with the heavy site builds of `tests/integration.rs`.

mod serve_support;
mod sitekit;

mod incremental;
mod serve;
mod serve_browser;
mod serve_hardening;
