//! Shared test helpers. `mod common;` in a test file brings in:
//! - [`browser`]: a static file server on 127.0.0.1 and headless Chromium
//!   driven over the DevTools protocol (evaluate JS, screenshots).
#![allow(dead_code)]

pub mod browser;
