//! What the preview builds after the reload event, off the reload path: the
//! search export (`ohisama search` makes its own index on demand) and, with
//! `--pdf`, the PDFs. One job runs at a time; a good build while one runs
//! replaces the queued one (the newest site wins). The search page keeps the
//! previous export until the new one is in place; new PDFs go back to the
//! rebuild loop (they change the pages that link them, and `sw.js`).

use super::session::PdfSet;
use super::{Msg, Shared};
use crate::build;
use crate::config::BuildOptions;
use crate::site::Site;
use crate::theme::Theme;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex};

/// A site to build the search export (and PDFs) of.
pub(crate) struct Job {
    pub number: u64,
    pub site: Arc<Site>,
    pub opts: BuildOptions,
}

/// Counts the work not yet done (queued jobs, messages not yet handled), for
/// [`super::Server::settle`].
#[derive(Default)]
pub(crate) struct Pending {
    count: Mutex<usize>,
    idle: Condvar,
}

impl Pending {
    pub fn add(&self) {
        *self.count.lock().unwrap_or_else(|e| e.into_inner()) += 1;
    }

    pub fn done(&self) {
        let mut n = self.count.lock().unwrap_or_else(|e| e.into_inner());
        *n = n.saturating_sub(1);
        if *n == 0 {
            self.idle.notify_all();
        }
    }

    /// Waits until nothing is pending, at most `timeout`; whether it is idle.
    pub fn wait_idle(&self, timeout: std::time::Duration) -> bool {
        let n = self.count.lock().unwrap_or_else(|e| e.into_inner());
        let (n, _) = self
            .idle
            .wait_timeout_while(n, timeout, |n| *n > 0)
            .unwrap_or_else(|e| e.into_inner());
        *n == 0
    }
}

/// The background worker's loop: takes the newest job, builds what it asks.
pub(crate) fn run(
    shared: Arc<Shared>,
    work: PathBuf,
    rx: mpsc::Receiver<Job>,
    tx: mpsc::Sender<Msg>,
) {
    let mut pdf_input: Option<Vec<u8>> = None;
    let mut dirs: Vec<PathBuf> = Vec::new();
    while let Ok(mut job) = rx.recv() {
        // Only the newest site matters; the skipped ones are done.
        while let Ok(newer) = rx.try_recv() {
            shared.pending.done();
            job = newer;
        }
        if shared.stopping() {
            shared.pending.done();
            return;
        }
        if job.opts.pdf {
            pdfs(&shared, &job, &mut pdf_input, &tx);
        }
        if job.opts.search {
            search(&shared, &job, &work, &mut dirs);
        }
        shared.pending.done();
    }
}

/// Builds the search export into a fresh folder, then serves it.
fn search(shared: &Shared, job: &Job, work: &Path, dirs: &mut Vec<PathBuf>) {
    let dir = work.join(format!("files-{}", job.number));
    match build::build_search(&job.opts, &job.site, &dir) {
        Ok(_) => {
            let dir = std::fs::canonicalize(&dir).unwrap_or(dir);
            {
                let mut st = shared.lock();
                if let Some(good) = st.good.as_mut() {
                    good.dir = dir.clone();
                }
            }
            dirs.push(dir);
            super::prune_dirs(dirs);
        }
        Err(e) => {
            let _ = std::fs::remove_dir_all(&dir);
            shared.log(&format!(
                "検索インデックスを作れませんでした (前回の検索を使います):\n{}",
                e.diagnostics().render_text()
            ));
        }
    }
}

/// Renders the PDFs when what they show (the directory, the PDF templates)
/// moved since the last ones, and hands them to the rebuild loop.
fn pdfs(shared: &Shared, job: &Job, last_input: &mut Option<Vec<u8>>, tx: &mpsc::Sender<Msg>) {
    let theme = match Theme::open(
        &job.opts.root,
        job.opts.theme.as_deref().unwrap_or(job.site.theme.as_str()),
    ) {
        Ok(theme) => theme,
        Err(e) => {
            shared.log(&format!("PDF を作れませんでした: {e}"));
            return;
        }
    };
    let input = pdf_input(&job.site, &theme);
    if input.is_some() && *last_input == input {
        return;
    }
    let mut warnings = crate::diagnostic::Diagnostics::default();
    match build::pdf_outputs(&job.opts, &theme, &job.site, &mut warnings) {
        Ok((files, links)) => {
            *last_input = input;
            shared.pending.add();
            let _ = tx.send(Msg::Pdfs(PdfSet {
                files,
                links,
                warnings,
            }));
        }
        Err(e) => {
            *last_input = None;
            shared.log(&format!(
                "PDF を作れませんでした (前回の PDF を使います):\n{}",
                e.diagnostics().render_text()
            ));
        }
    }
}

/// What the PDFs are made of: the directory's JSON and the theme's PDF
/// files (None when a file cannot be read: render again).
fn pdf_input(site: &Site, theme: &Theme) -> Option<Vec<u8>> {
    let mut input = serde_json::to_vec(&crate::derived::pdf_directory(site)).ok()?;
    let dir = theme.dir().join("pdf");
    for entry in walkdir::WalkDir::new(&dir).sort_by_file_name() {
        let entry = entry.ok()?;
        if entry.file_type().is_file() {
            let bytes = std::fs::read(entry.path()).ok()?;
            let name = entry.path().to_string_lossy();
            for field in [name.as_bytes(), &bytes] {
                input.extend_from_slice(&(field.len() as u64).to_le_bytes());
                input.extend_from_slice(field);
            }
        }
    }
    Some(input)
}
