//! The YAML loader and the validator (`ohisama check`) on one mutated file of
//! the mini fixture site: data files and markdown pages with front matter.
//! The first input byte picks the file, the rest is its new content.
//! Invariants: no panic; every rendering of the diagnostics works; an error
//! names a file of the site.
#![no_main]

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use ohisama::config::BuildOptions;
use std::path::PathBuf;
use std::sync::OnceLock;

const FILES: [&str; 12] = [
    "data/site.yaml",
    "data/regions.yaml",
    "data/municipalities.yaml",
    "data/fields.yaml",
    "data/care.yaml",
    "data/facility_types.yaml",
    "data/contacts/chigasaki.yaml",
    "data/contacts/yokohama.yaml",
    "data/facilities/yokohama.yaml",
    "content/index.md",
    "content/emergency/index.md",
    "content/news/fuzz.md",
];

struct Site {
    _dir: tempfile::TempDir,
    root: PathBuf,
}

fn site() -> &'static Site {
    static SITE: OnceLock<Site> = OnceLock::new();
    SITE.get_or_init(|| {
        let (dir, root) = common::scratch_mini_site("ohisama-fuzz-", ".");
        Site { _dir: dir, root }
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    let site = site();
    let rel = FILES[pick as usize % FILES.len()];
    let path = site.root.join(rel);
    let original = std::fs::read(&path).ok();
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(&path, body).expect("write");

    let opts = BuildOptions::new(&site.root);
    let diags = match ohisama::build::check(&opts) {
        Ok((_, d)) => d,
        Err(d) => d,
    };
    for d in diags.iter() {
        assert!(!d.file.is_empty(), "a diagnostic without a file: {d:?}");
    }
    let text = diags.render_text();
    let _ = diags.render_json();
    let github = diags.render_github();
    // One annotation line per diagnostic: a message must not forge another.
    assert_eq!(github.lines().count(), diags.iter().count(), "{github}");
    // A long line is shown cut, never echoed whole.
    assert!(
        text.len() <= 4096 + diags.iter().count() * 4096,
        "diagnostics too long"
    );

    match original {
        Some(bytes) => std::fs::write(&path, bytes).expect("restore"),
        None => std::fs::remove_file(&path).expect("remove"),
    }
});
