//! Shared test helpers. `mod common;` in a test file brings in:
//! - [`browser`]: a static file server on 127.0.0.1 and headless Chromium
//!   driven over the DevTools protocol (evaluate JS, screenshots, print to
//!   PDF), and the poppler tools to read a PDF;
//! - [`scratch_dir`]: a folder for what a test file keeps for its whole run.
#![allow(dead_code)]

pub mod browser;

use std::path::{Path, PathBuf};

/// A folder `target/tmp/<prefix>-<pid>` for data a test file keeps for the
/// whole run (a site built once into a `static`: statics are never dropped,
/// so a temporary folder would be left behind by every run). Folders of
/// earlier runs whose process has ended are removed first.
pub fn scratch_dir(prefix: &str) -> PathBuf {
    let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    std::fs::create_dir_all(&root).expect("target/tmp");
    let me = std::process::id();
    for entry in std::fs::read_dir(&root).expect("read target/tmp").flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name
            .strip_prefix(prefix)
            .and_then(|rest| rest.strip_prefix('-'))
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        let ended = cfg!(target_os = "linux") && !Path::new(&format!("/proc/{pid}")).exists();
        if pid != me && ended {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
    let dir = root.join(format!("{prefix}-{me}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}
