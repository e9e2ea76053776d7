//! `ohisama import` on any bytes (UTF-8 or Shift_JIS CSV) into a copy of the
//! mini fixture site. Invariants: no panic; a refused import writes nothing;
//! an accepted import writes files that `check` reads without a parse error.
//! The first input byte picks contacts or facilities.
#![no_main]

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use ohisama::config::BuildOptions;
use ohisama::tools::csv_io::{DataKind, ImportOptions, import};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

struct Site {
    _dir: tempfile::TempDir,
    root: PathBuf,
    csv: PathBuf,
}

fn site() -> &'static Site {
    static SITE: OnceLock<Site> = OnceLock::new();
    SITE.get_or_init(|| {
        let (dir, root) = common::scratch_mini_site("ohisama-fuzz-csv-", "site");
        let csv = dir.path().join("in.csv");
        Site {
            _dir: dir,
            root,
            csv,
        }
    })
}

/// The data folder's files and bytes, to restore after an accepted import.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read data") {
        let path = entry.expect("entry").path();
        if path.is_file() {
            out.push((path.clone(), std::fs::read(&path).expect("read")));
        }
    }
    out.sort();
    out
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    let site = site();
    let kind = if pick % 2 == 0 {
        DataKind::Contacts
    } else {
        DataKind::Facilities
    };
    let dir = site.root.join("data").join(kind.word());
    let before = snapshot(&dir);
    std::fs::write(&site.csv, body).expect("write csv");
    let opts = ImportOptions {
        root: site.root.clone(),
        csv: site.csv.clone(),
        force: true,
    };
    match import(kind, &opts) {
        Err(diags) => {
            let _ = diags.render_text();
            assert_eq!(before, snapshot(&dir), "a refused import changed data/");
        }
        Ok(report) => {
            let diags = match ohisama::build::check(&BuildOptions::new(&site.root)) {
                Ok((_, d)) => d,
                Err(d) => d,
            };
            for (rel, _) in &report.written {
                let unreadable = diags
                    .iter()
                    .filter(|d| d.is_error() && &d.file == rel)
                    .count();
                assert_eq!(
                    unreadable,
                    0,
                    "import wrote {rel} that check rejects:\n{}",
                    diags.render_text()
                );
            }
            // Put the fixture back for the next input.
            for entry in std::fs::read_dir(&dir).expect("read data") {
                std::fs::remove_file(entry.expect("entry").path()).expect("remove");
            }
            for (path, bytes) in before {
                std::fs::write(path, bytes).expect("restore");
            }
        }
    }
});
