//! Reads `content/` and `data/` into [`RawSite`], turning every unreadable file
//! (not UTF-8, empty, bad YAML, unknown or missing keys, over a [`limits`]
//! limit, a symbolic link out of the site folder) into a diagnostic.
//! Nothing here checks cross-references: that is `validate`'s job (a
//! reference written as a Japanese name is only turned into its id here,
//! see [`crate::kinds::vocab::ids_for_names`]).

pub mod limits;
mod yaml_errors;

use crate::diagnostic::{Diagnostic, Diagnostics, Sources, rel_path};
use crate::kinds::contacts::ContactFile;
use crate::model::{FrontMatter, Page, RawSite};
use rayon::prelude::*;
use serde::de::DeserializeOwned;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use walkdir::WalkDir;

/// The data files every site has, in the order they are read.
pub const DATA_FILES: [&str; 6] = [
    "site.yaml",
    "regions.yaml",
    "municipalities.yaml",
    "fields.yaml",
    "care.yaml",
    "facility_types.yaml",
];

/// The data files a site may have (read when present).
pub const OPTIONAL_DATA_FILES: [&str; 3] = [
    crate::kinds::centres::FILE,
    "synonyms.yaml",
    crate::kinds::glossary::FILE,
];

/// What loading produced: the data that could be read, every problem, and the
/// text of each file (so diagnostics can show the offending line).
/// One file parsed on a worker: its data (if readable), its problems, its text.
type ParsedOne<T> = (Option<(String, T)>, Diagnostics, Sources);

pub struct Loaded {
    pub raw: RawSite,
    pub diagnostics: Diagnostics,
    pub sources: Sources,
}

struct Loader<'a> {
    /// Pages as last read (`serve`), or None (a build reads every page).
    cache: Option<&'a PageCache>,
    root: &'a Path,
    /// `root` with every symbolic link resolved: nothing outside it is read.
    real_root: &'a Path,
    diagnostics: Diagnostics,
    sources: Sources,
}

/// Reads the whole site: `data/`, `content/` and the theme folders.
pub fn load_site(root: &Path) -> Loaded {
    load(root, true, None)
}

/// [`load_site`], re-reading only the pages whose file moved since `cache`
/// saw them (`serve`); the result is the same as `load_site`'s.
pub fn load_site_cached(root: &Path, cache: &PageCache) -> Loaded {
    load(root, true, Some(cache))
}

/// The page `rel` (`content/…md`) read and parsed as a load reads it, when
/// that gives no problem at all and no link is on its way from the site
/// folder (`serve`'s first render of an edited page; the rebuild that
/// follows reads everything as [`load_site_cached`] does).
pub(crate) fn read_page_alone(root: &Path, rel: &str) -> Option<Page> {
    let real_root = root.canonicalize().ok()?;
    let path = root.join(rel);
    // No link anywhere on the way: the file is where its name says.
    if path.canonicalize().ok()? != real_root.join(rel) {
        return None;
    }
    let mut loader = Loader::new(root, &real_root);
    let page = loader.page(&root.join("content"), &path)?;
    loader.diagnostics.is_empty().then_some(page)
}

/// Reads `data/` only (and the names of the theme folders): what the tools
/// (import, export, diff, schema) need, without parsing every markdown page.
pub fn load_data(root: &Path) -> Loaded {
    load(root, false, None)
}

fn load(root: &Path, with_content: bool, cache: Option<&PageCache>) -> Loaded {
    let real_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let mut t = crate::build::Timings::new();
    let mut loader = Loader::new(root, &real_root);
    loader.cache = cache;
    let data = root.join("data");
    let mut raw = RawSite {
        site: loader.yaml_file(&data.join("site.yaml")),
        regions: loader.yaml_file(&data.join("regions.yaml")),
        municipalities: loader.yaml_file(&data.join("municipalities.yaml")),
        fields: loader.yaml_file(&data.join("fields.yaml")),
        care: loader.yaml_file(&data.join("care.yaml")),
        facility_types: loader.yaml_file(&data.join("facility_types.yaml")),
        ..RawSite::default()
    };
    // The optional files. `symlink_metadata`: a dangling link is reported,
    // not taken for no file.
    let centres = data.join(crate::kinds::centres::FILE);
    if centres.symlink_metadata().is_ok() {
        raw.centres = loader.yaml_file(&centres);
    }
    let synonyms = data.join("synonyms.yaml");
    if synonyms.symlink_metadata().is_ok() {
        raw.synonyms = loader.yaml_file(&synonyms);
    }
    let glossary = data.join(crate::kinds::glossary::FILE);
    if glossary.symlink_metadata().is_ok() {
        raw.glossary = loader.yaml_file(&glossary);
    }
    let accessibility = data.join(crate::kinds::accessibility::FILE);
    if accessibility.symlink_metadata().is_ok() {
        raw.accessibility = loader.yaml_file(&accessibility);
    }
    let i18n_paths = loader.list_yaml_dir(&data.join(crate::kinds::i18n::DIR));
    raw.i18n_files = i18n_paths
        .iter()
        .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .collect();
    raw.i18n = loader.yaml_files(i18n_paths);
    let contact_paths = loader.list_yaml_dir(&data.join("contacts"));
    for path in &contact_paths {
        if let Some(stem) = path.file_stem() {
            raw.contact_files.push(stem.to_string_lossy().into_owned());
        }
    }
    raw.contacts = loader.yaml_files::<ContactFile>(contact_paths);
    let facility_paths = loader.list_yaml_dir(&data.join("facilities"));
    raw.facilities = loader.yaml_files(facility_paths);
    let stats_paths = loader.list_yaml_dir(&data.join(crate::kinds::stats::DIR));
    raw.stats_files = stats_paths
        .iter()
        .filter_map(|p| p.file_stem())
        .map(|s| s.to_string_lossy().into_owned())
        .collect();
    raw.stats = loader.yaml_files(stats_paths);
    loader.warn_unread_data_files(&data);
    if let Some(cache) = cache {
        cache.forget_unseen_data();
    }
    t.lap(" l: data");
    if with_content {
        raw.pages = loader.pages(&root.join("content"));
        t.lap(" l: pages");
        loader.check_links_in(&root.join("themes"), "テーマ");
        loader.check_links_in(
            &root.join(crate::theme::SITE_TEMPLATES),
            "templates/ フォルダ",
        );
    }
    raw.themes = theme_folders(&root.join("themes"));
    t.lap(" l: links");
    // The editors may write a Japanese name for an id: from here on, ids only.
    crate::kinds::vocab::ids_for_names(&mut raw);
    crate::kinds::wards::ward_names_to_slugs(&mut raw);
    crate::kinds::facility_facts::area_names_to_ids(&mut raw);
    t.lap(" l: ids");
    Loaded {
        raw,
        diagnostics: loader.diagnostics,
        sources: loader.sources,
    }
}

impl<'a> Loader<'a> {
    fn rel(&self, path: &Path) -> String {
        rel_path(self.root, path)
    }

    fn new(root: &'a Path, real_root: &'a Path) -> Loader<'a> {
        Loader {
            cache: None,
            root,
            real_root,
            diagnostics: Diagnostics::default(),
            sources: Sources::new(),
        }
    }

    /// Reads a file as UTF-8 text (BOM removed, line ends made `\n`) and
    /// remembers it for diagnostics; `None` (with a diagnostic) when it cannot
    /// or may not be read (see [`Loader::bytes`]) or is not UTF-8.
    fn text(&mut self, path: &Path, max_bytes: u64) -> Option<String> {
        let bytes = match self.bytes(path, max_bytes) {
            Ok(b) => b,
            Err(d) => {
                self.diagnostics.push(*d);
                return None;
            }
        };
        self.decode(path, &bytes)
    }

    /// [`Loader::text`] of bytes already read.
    fn decode(&mut self, path: &Path, bytes: &[u8]) -> Option<String> {
        let rel = self.rel(path);
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        match std::str::from_utf8(bytes) {
            Ok(t) => {
                let text = unix_line_ends(t);
                // NUL, control characters, a stray BOM: refused before parsing,
                // so they reach neither a page nor a message raw.
                let bad_chars = crate::text_check::check_file(&rel, &text);
                if !bad_chars.is_empty() {
                    self.diagnostics.extend(bad_chars.0);
                    return None;
                }
                self.sources
                    .insert(rel, std::sync::Arc::from(text.as_str()));
                Some(text)
            }
            Err(e) => {
                let good = &bytes[..e.valid_up_to()];
                let good = unix_line_ends(&String::from_utf8_lossy(good));
                let line = good.matches('\n').count() as u32 + 1;
                let col = good.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u32 + 1;
                self.diagnostics.push(
                    Diagnostic::error(&rel, line, col, "文字コードが UTF-8 ではありません")
                        .hint("Shift_JIS などで保存された可能性があります。エディタで「UTF-8」を選んで保存し直してください"),
                );
                None
            }
        }
    }

    /// The bytes of a file, read only when it is a file inside the site folder
    /// (a symbolic link may not lead out of it) and at most `max_bytes` long.
    fn bytes(&self, path: &Path, max_bytes: u64) -> Result<Vec<u8>, Box<Diagnostic>> {
        let rel = self.rel(path);
        let real = self.real_path(path)?;
        let cannot_read = |e: std::io::Error| {
            Box::new(Diagnostic::error(
                &rel,
                0,
                0,
                format!("ファイルを読めません ({})", io_reason(&e)),
            ))
            .hint(IO_HINT)
        };
        let meta = std::fs::metadata(&real).map_err(cannot_read)?;
        if !meta.is_file() {
            return Err(Box::new(
                Diagnostic::error(&rel, 0, 0, "ファイルではありません").hint(
                    "この名前のフォルダや特殊なファイルがあります。消すか、名前を変えてください",
                ),
            ));
        }
        if meta.len() > max_bytes {
            return Err(Box::new(too_big(&rel, meta.len(), max_bytes)));
        }
        // The size may change between the look and the read (or be wrong, as
        // for /proc files): read at most one byte more than allowed.
        let bytes = limits::read_at_most(&real, max_bytes).map_err(cannot_read)?;
        if bytes.len() as u64 > max_bytes {
            return Err(Box::new(too_big(&rel, bytes.len() as u64, max_bytes)));
        }
        Ok(bytes)
    }

    /// `path` with its symbolic links resolved, when that is inside the site
    /// folder; else the problem (missing, broken link, a link leading out).
    fn real_path(&self, path: &Path) -> Result<PathBuf, Box<Diagnostic>> {
        let rel = self.rel(path);
        let problem = match path.canonicalize() {
            Ok(real) if real.starts_with(self.real_root) => return Ok(real),
            Ok(real) => Diagnostic::error(
                &rel,
                0,
                0,
                format!(
                    "サイトのフォルダの外 ({}) を指すシンボリックリンクです。読み込みません",
                    real.display()
                ),
            )
            .hint(
                "リンクをやめて、ファイルやフォルダそのものをサイトのフォルダの中に置いてください",
            ),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if std::fs::symlink_metadata(path).is_ok() {
                    Diagnostic::error(&rel, 0, 0, "シンボリックリンクのリンク先がありません")
                        .hint("リンクを消すか、ファイルそのものを置いてください")
                } else {
                    Diagnostic::error(&rel, 0, 0, "ファイルがありません")
                        .hint("サンプルサイト(リポジトリ直下の data/)から同じ名前のファイルをコピーしてください")
                }
            }
            Err(e) => Diagnostic::error(
                &rel,
                0,
                0,
                format!("ファイルを読めません ({})", io_reason(&e)),
            )
            .hint(IO_HINT),
        };
        Err(Box::new(problem))
    }

    /// Reads and parses one YAML file; `None` (with a diagnostic) when it cannot.
    /// With a cache (`serve`), a file whose bytes are the same as last time
    /// is not parsed again: its data, problems and text are taken as they were.
    fn yaml_file<T>(&mut self, path: &Path) -> Option<(String, T)>
    where
        T: DeserializeOwned + Clone + Send + Sync + 'static,
    {
        let Some(cache) = self.cache else {
            let text = self.text(path, limits::MAX_DATA_FILE_BYTES)?;
            return self.parse_yaml_text(path, text);
        };
        let bytes = match self.bytes(path, limits::MAX_DATA_FILE_BYTES) {
            Ok(b) => b,
            Err(d) => {
                self.diagnostics.push(*d);
                return None;
            }
        };
        let parsed = match cache.data_file::<T>(path, &bytes) {
            Some(parsed) => parsed,
            None => {
                let mut one = Loader::new(self.root, self.real_root);
                let data = one
                    .decode(path, &bytes)
                    .and_then(|text| one.parse_yaml_text(path, text));
                let parsed = (data, one.diagnostics, one.sources);
                cache.keep_data_file(path, bytes, &parsed);
                parsed
            }
        };
        let (data, diags, sources) = parsed;
        self.diagnostics.extend(diags.0);
        self.sources.extend(sources);
        data
    }

    /// Parses the text of one YAML file (see [`Loader::yaml_file`]).
    fn parse_yaml_text<T: DeserializeOwned>(
        &mut self,
        path: &Path,
        text: String,
    ) -> Option<(String, T)> {
        let rel = self.rel(path);
        if is_blank_yaml(&text) {
            self.diagnostics.push(
                Diagnostic::error(&rel, 0, 0, "ファイルが空です")
                    .hint("中身を書くか、不要ならファイルを削除してください"),
            );
            return None;
        }
        if !self.within_limits(&rel, &text) {
            return None;
        }
        match parse_yaml::<T>(&text) {
            Ok(v) => Some((rel, v)),
            Err(d) => {
                self.diagnostics.push(d.into_diagnostic(&rel));
                None
            }
        }
    }

    /// [`Loader::yaml_file`] for many files, parsed on all cores; the results
    /// (data, diagnostics, sources) are merged in the order of `paths`.
    fn yaml_files<T>(&mut self, paths: Vec<PathBuf>) -> Vec<(String, T)>
    where
        T: DeserializeOwned + Clone + Send + Sync + 'static,
    {
        let (root, real_root, cache) = (self.root, self.real_root, self.cache);
        let parsed: Vec<ParsedOne<T>> = paths
            .into_par_iter()
            .map(|path| {
                let mut one = Loader::new(root, real_root);
                one.cache = cache;
                let data = one.yaml_file::<T>(&path);
                (data, one.diagnostics, one.sources)
            })
            .collect();
        let mut out = Vec::with_capacity(parsed.len());
        for (data, diags, sources) in parsed {
            for d in diags.0 {
                self.diagnostics.push(d);
            }
            self.sources.extend(sources);
            out.extend(data);
        }
        out
    }

    /// `*.yaml` files of a folder, sorted by name; other files are reported, not skipped silently.
    fn list_yaml_dir(&mut self, dir: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        if !dir.exists() {
            return out;
        }
        if let Err(d) = self.real_path(dir) {
            self.diagnostics.push(*d);
            return out;
        }
        let Ok(entries) = std::fs::read_dir(dir) else {
            return out;
        };
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for p in paths {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if name.starts_with('.') || name.ends_with('~') {
                continue; // editor swap and backup files
            }
            if p.is_file() && name.ends_with(".yaml") {
                out.push(p);
            } else {
                let hint = if name.ends_with(".yml") {
                    "拡張子を .yaml にしてください"
                } else {
                    "このフォルダには <市町村スラッグ>.yaml だけを置いてください"
                };
                self.diagnostics.push(
                    Diagnostic::warning(self.rel(&p), 0, 0, "このファイルは読み込まれません")
                        .hint(hint),
                );
            }
        }
        out
    }

    /// Files in `data/` that no part of the site reads.
    fn warn_unread_data_files(&mut self, data: &Path) {
        if data.exists() && self.real_path(data).is_err() {
            return; // a link out of the site: each data file already said so
        }
        let Ok(entries) = std::fs::read_dir(data) else {
            self.diagnostics.push(Diagnostic::error(
                self.rel(data),
                0,
                0,
                "data/ フォルダがありません",
            ));
            return;
        };
        let mut names: Vec<String> = entries
            .filter_map(|e| e.ok())
            .filter(|e| e.path().is_file())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        for name in names {
            if !DATA_FILES.contains(&name.as_str())
                && !OPTIONAL_DATA_FILES.contains(&name.as_str())
                && !name.starts_with('.')
                && !name.ends_with('~')
            {
                self.diagnostics.push(
                    Diagnostic::warning(
                        format!("data/{name}"),
                        0,
                        0,
                        "このファイルは読み込まれません",
                    )
                    .hint(format!(
                        "data/ で読むファイル: {}",
                        DATA_FILES
                            .iter()
                            .chain(&OPTIONAL_DATA_FILES)
                            .copied()
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                );
            }
        }
    }

    /// Reports every value and list of a YAML text over its limit; `false` when
    /// there was one (the file is then not read, like a file with a syntax error).
    fn within_limits(&mut self, rel: &str, text: &str) -> bool {
        // The UI strings of a language are sentences, whatever their key.
        let sentences = rel.starts_with(&format!("data/{}/", crate::kinds::i18n::DIR));
        let problems = limits::limit_problems_with(text, sentences);
        let ok = problems.is_empty();
        for p in problems {
            self.diagnostics
                .push(Diagnostic::error(rel, p.line, p.column, p.message).hint(p.hint));
        }
        ok
    }

    /// A folder walk that failed: a loop of symbolic links, a broken link, an
    /// unreadable folder (its pages would otherwise be missing without a word).
    fn walk_problem(&self, e: &walkdir::Error) -> Diagnostic {
        let rel = e
            .path()
            .map_or_else(|| "content".to_string(), |p| self.rel(p));
        if let Some(ancestor) = e.loop_ancestor() {
            return Diagnostic::warning(
                rel,
                0,
                0,
                format!(
                    "シンボリックリンクが上のフォルダ ({}) を指していて、ループになります。読み込みません",
                    self.rel(ancestor)
                ),
            )
            .hint("このリンクを消してください");
        }
        let broken = e
            .io_error()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::NotFound);
        if broken {
            return Diagnostic::error(rel, 0, 0, "シンボリックリンクのリンク先がありません")
                .hint("リンクを消すか、ファイルそのものを置いてください");
        }
        let reason = e
            .io_error()
            .map_or_else(|| "フォルダがループしています".to_string(), io_reason);
        Diagnostic::error(rel, 0, 0, format!("フォルダを読めません ({reason})"))
            .hint("フォルダの権限を確認してください")
    }

    /// Symbolic links in the themes or the site's `templates/` (`place` names
    /// the folder for the editors): one leading out of the site folder is an
    /// error (nothing is read through it); one inside is a warning, because
    /// templates and `static/` files are read from real files only. The folder
    /// itself may be the link, so its root link is checked, not followed.
    fn check_links_in(&mut self, folder: &Path, place: &str) {
        for entry in WalkDir::new(folder)
            .follow_root_links(false)
            .sort_by_file_name()
            .into_iter()
            .flatten()
        {
            if !entry.path_is_symlink() {
                continue;
            }
            match self.real_path(entry.path()) {
                Err(d) => self.diagnostics.push(*d),
                Ok(_) => self.diagnostics.push(
                    Diagnostic::warning(
                        self.rel(entry.path()),
                        0,
                        0,
                        format!(
                            "{place}の中のシンボリックリンクは、テンプレートや static/ のファイルとして読み込まれません"
                        ),
                    )
                    .hint("リンクをやめて、ファイルそのものを置いてください"),
                ),
            }
        }
    }

    fn pages(&mut self, content: &Path) -> Vec<std::sync::Arc<Page>> {
        let mut pages = Vec::new();
        if !content.is_dir() {
            self.diagnostics.push(Diagnostic::error(
                "content",
                0,
                0,
                "content/ フォルダがありません",
            ));
            return pages;
        }
        // Walk in order, then read and parse the pages on all cores; the
        // results are merged in walk order, as if read one by one.
        let mut t = crate::build::Timings::new();
        let mut items: Vec<Result<PathBuf, Diagnostic>> = Vec::new();
        // Symbolic links are followed (a linked page or folder is built like
        // any other) when they stay inside the site folder; walkdir stops loops.
        let mut walker = WalkDir::new(content)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter();
        while let Some(entry) = walker.next() {
            let entry = match entry {
                Ok(entry) => entry,
                Err(e) => {
                    items.push(Err(self.walk_problem(&e)));
                    continue;
                }
            };
            let path = entry.path();
            if (entry.depth() == 0 || entry.path_is_symlink())
                && let Err(d) = self.real_path(path)
            {
                items.push(Err(*d));
                if entry.file_type().is_dir() {
                    walker.skip_current_dir();
                }
                continue;
            }
            let name = entry.file_name().to_string_lossy();
            if !entry.file_type().is_file() || name.starts_with('.') || name.ends_with('~') {
                continue;
            }
            if !name.ends_with(".md") {
                items.push(Err(
                    Diagnostic::warning(self.rel(path), 0, 0, "このファイルは読み込まれません")
                        .hint("content/ には .md ファイルだけを置いてください(画像は themes/default/static/ へ)"),
                ));
                continue;
            }
            items.push(Ok(path.to_path_buf()));
        }
        t.lap(" l: walk");
        let loaded = self.read_pages(content, items);
        t.lap(" l: read");
        for (page, diags, sources) in loaded {
            for d in diags.0 {
                self.diagnostics.push(d);
            }
            self.sources.extend(sources);
            pages.extend(page);
        }
        pages
    }

    /// Reads and parses the pages on all cores (a walk problem is passed
    /// through), in the order given; with a cache, only the pages that moved.
    fn read_pages(&self, content: &Path, items: Vec<Result<PathBuf, Diagnostic>>) -> Vec<PageRead> {
        let (root, real_root, cache) = (self.root, self.real_root, self.cache);
        if let Some(cache) = cache {
            cache.keep_only(items.iter().filter_map(|i| i.as_ref().ok()));
        }
        items
            .into_par_iter()
            .map(|item| match item {
                Err(d) => {
                    let mut ds = Diagnostics::default();
                    ds.push(d);
                    (None, ds, BTreeMap::new())
                }
                Ok(path) => {
                    let read = || {
                        let mut one = Loader::new(root, real_root);
                        let page = one.page(content, &path).map(std::sync::Arc::new);
                        (page, one.diagnostics, one.sources)
                    };
                    match cache {
                        Some(cache) => cache.get_or_read(&path, read),
                        None => read(),
                    }
                }
            })
            .collect()
    }

    fn page(&mut self, content: &Path, path: &Path) -> Option<Page> {
        let text = self.text(path, limits::MAX_PAGE_FILE_BYTES)?;
        let rel = self.rel(path);
        let Some((front_text, body, body_line)) = split_front_matter(&text) else {
            self.diagnostics.push(
                Diagnostic::error(
                    &rel,
                    1,
                    1,
                    "front matter (---で囲んだ見出し情報) がありません",
                )
                .expected("1行目が --- で始まり、title: を含み、--- で閉じる")
                .hint("ファイルの先頭に「---」「title: ページ名」「---」の3行を書いてください"),
            );
            return None;
        };
        // A leading newline makes YAML line numbers equal the file's (line 1 is `---`).
        let front_text = format!("\n{front_text}");
        if !self.within_limits(&rel, &front_text) {
            return None;
        }
        let front: FrontMatter = match parse_yaml(&front_text) {
            Ok(f) => f,
            Err(d) => {
                self.diagnostics.push(d.into_diagnostic(&rel));
                return None;
            }
        };
        let (url_path, lang, original) = crate::kinds::pages::place_of(content, path);
        // A translation belongs to its Japanese page's section (templates, menu, medical rules).
        let section = crate::kinds::pages::section_of(original.as_deref().unwrap_or(&url_path));
        Some(Page {
            file: rel,
            path: url_path,
            section,
            front,
            body: body.to_string(),
            body_line,
            lang,
            original,
        })
    }
}

/// One page as read: the page (if readable), its problems, its text.
type PageRead = (Option<std::sync::Arc<Page>>, Diagnostics, Sources);

/// Pages as last read, by file, with the file's stamp (size, modification
/// and change times, inode): `serve` re-reads only the pages whose stamp
/// moved. A page is kept only when its stamp did not move while it was read,
/// and used only when its file had been quiet for [`SETTLED`] when it was
/// read: file times are coarse (a few ms), and two saves of the same length
/// within one tick would otherwise look the same (git's "racily clean").
pub struct PageCache {
    pages: std::sync::Mutex<std::collections::HashMap<PathBuf, (FileStamp, PageRead)>>,
    /// The pages' markdown as last rendered by validation (None: rendered
    /// on every build, see [`PageCache::without_markdown`]).
    pub(crate) markdown: Option<crate::kinds::pages::MarkdownMemo>,
    /// The `data/` YAML files as last parsed, by file: the bytes read and the
    /// result (`ParsedOne<T>` for the file's type). Compared by the bytes
    /// themselves, not by file times: an edit within one clock tick is seen.
    data: std::sync::Mutex<std::collections::HashMap<PathBuf, DataParsed>>,
    /// The data files looked up during the current load: the others (deleted,
    /// renamed, no longer readable) are forgotten at its end.
    data_seen: std::sync::Mutex<std::collections::HashSet<PathBuf>>,
}

/// One data file's bytes and what parsing them gave (see [`PageCache`]).
type DataParsed = (Vec<u8>, std::sync::Arc<dyn std::any::Any + Send + Sync>);

impl Default for PageCache {
    fn default() -> PageCache {
        PageCache {
            pages: Default::default(),
            markdown: Some(Default::default()),
            data: Default::default(),
            data_seen: Default::default(),
        }
    }
}

/// How long a file must have been unchanged for its cached read to be trusted.
const SETTLED: std::time::Duration = std::time::Duration::from_secs(2);

/// What tells a file's version without reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FileStamp {
    len: u64,
    modified: Option<std::time::SystemTime>,
    /// Change time (s, ns) and inode: a rename over the file or an edit that
    /// restores the modification time still moves these (Unix).
    changed: (i64, i64),
    inode: u64,
}

impl FileStamp {
    /// Whether neither time of the file is within [`SETTLED`] of `read_at`
    /// (or after it).
    fn settled_at(&self, read_at: std::time::SystemTime) -> bool {
        let changed = u64::try_from(self.changed.0).ok().map(|s| {
            std::time::UNIX_EPOCH
                + std::time::Duration::new(s, u32::try_from(self.changed.1).unwrap_or(0))
        });
        #[cfg(not(unix))]
        let changed = self.modified;
        [self.modified, changed]
            .into_iter()
            .all(|t| t.is_some_and(|t| t + SETTLED <= read_at))
    }

    fn of(path: &Path) -> Option<FileStamp> {
        let m = std::fs::metadata(path).ok()?;
        #[cfg(unix)]
        let (changed, inode) = {
            use std::os::unix::fs::MetadataExt;
            ((m.ctime(), m.ctime_nsec()), m.ino())
        };
        #[cfg(not(unix))]
        let (changed, inode) = ((0, 0), 0);
        Some(FileStamp {
            len: m.len(),
            modified: m.modified().ok(),
            changed,
            inode,
        })
    }
}

impl PageCache {
    /// A cache of the pages as read that renders their markdown every time
    /// (`OHISAMA_SERVE_SHORTCUTS=0`: to measure what the memo saves).
    pub(crate) fn without_markdown() -> PageCache {
        PageCache {
            markdown: None,
            ..PageCache::default()
        }
    }

    fn lock(
        &self,
    ) -> std::sync::MutexGuard<'_, std::collections::HashMap<PathBuf, (FileStamp, PageRead)>> {
        self.pages.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The data file as last parsed, when it was read from the same `bytes`.
    fn data_file<T: Clone + 'static>(&self, path: &Path, bytes: &[u8]) -> Option<ParsedOne<T>> {
        self.data_seen
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(path.to_path_buf());
        let data = self.data.lock().unwrap_or_else(|e| e.into_inner());
        let (kept, parsed) = data.get(path)?;
        if kept.as_slice() != bytes {
            return None;
        }
        parsed.downcast_ref::<ParsedOne<T>>().cloned()
    }

    /// Remembers what parsing `bytes` of a data file gave.
    fn keep_data_file<T: Clone + Send + Sync + 'static>(
        &self,
        path: &Path,
        bytes: Vec<u8>,
        parsed: &ParsedOne<T>,
    ) {
        let parsed: std::sync::Arc<dyn std::any::Any + Send + Sync> =
            std::sync::Arc::new(parsed.clone());
        self.data
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(path.to_path_buf(), (bytes, parsed));
    }

    /// Forgets the data files the load that ends did not look up.
    fn forget_unseen_data(&self) {
        let seen = std::mem::take(&mut *self.data_seen.lock().unwrap_or_else(|e| e.into_inner()));
        self.data
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|path, _| seen.contains(path));
    }

    /// Forgets the pages not in `paths` (deleted or renamed files).
    fn keep_only<'p>(&self, paths: impl Iterator<Item = &'p PathBuf>) {
        let keep: std::collections::HashSet<&PathBuf> = paths.collect();
        self.lock().retain(|p, _| keep.contains(p));
    }

    /// The page as last read when its file's stamp is the same, else `read()`.
    fn get_or_read(&self, path: &Path, read: impl FnOnce() -> PageRead) -> PageRead {
        let before = FileStamp::of(path);
        if let Some(stamp) = before
            && let Some((cached, page)) = self.lock().get(path)
            && *cached == stamp
        {
            return page.clone();
        }
        let read_at = std::time::SystemTime::now();
        let page = read();
        match before {
            Some(stamp) if stamp.settled_at(read_at) && FileStamp::of(path) == before => {
                self.lock()
                    .insert(path.to_path_buf(), (stamp, page.clone()));
            }
            _ => {
                self.lock().remove(path);
            }
        }
        page
    }
}

/// Splits `---\n<yaml>\n---\n<body>`; returns the YAML, the body and the body's first line.
fn split_front_matter(text: &str) -> Option<(&str, &str, u32)> {
    let rest = text.strip_prefix("---\n")?;
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == "---" {
            let front = &rest[..offset];
            let body = &rest[offset + line.len()..];
            let body_line = front.lines().count() as u32 + 3;
            return Some((front, body, body_line));
        }
        offset += line.len();
    }
    None
}

/// `text` with Windows (CR LF) and old Mac (CR) line ends made `\n`, so that
/// every reader (YAML, front matter, markdown) and every line number sees the
/// lines the editor shows.
fn unix_line_ends(text: &str) -> String {
    if !text.contains('\r') {
        return text.to_string();
    }
    text.replace("\r\n", "\n").replace('\r', "\n")
}

/// A file over its size limit.
fn too_big(rel: &str, bytes: u64, max: u64) -> Diagnostic {
    let hint = if rel.ends_with(".md") {
        "ページを2つ以上に分けてください"
    } else {
        "データは市町村ごとのファイルに分かれています。長い説明はページ (content/) に分けてください"
    };
    Diagnostic::error(
        rel,
        0,
        0,
        format!(
            "ファイルが大きすぎます ({} バイト、上限 {} バイト = {} MB)",
            limits::grouped(bytes as usize),
            limits::grouped(max as usize),
            max >> 20
        ),
    )
    .hint(hint)
}

fn is_blank_yaml(text: &str) -> bool {
    text.lines()
        .map(str::trim)
        .all(|l| l.is_empty() || l.starts_with('#') || l == "---")
}

/// A YAML problem before it is tied to a file.
pub struct YamlProblem {
    pub line: u32,
    pub column: u32,
    pub message: String,
    pub hint: Option<String>,
    /// The file is over one of the parser's [`limits`] (too many values, too
    /// deep, an alias): the input must change, this is no bug of ohisama.
    pub over_limit: bool,
}

impl YamlProblem {
    pub fn into_diagnostic(self, file: &str) -> Diagnostic {
        Diagnostic::error(file, self.line, self.column, self.message).maybe_hint(self.hint)
    }
}

/// Parses YAML text within the parser budgets of [`limits::yaml_options`],
/// turning serde-saphyr's English error into Japanese with a hint.
pub fn parse_yaml<T: DeserializeOwned>(text: &str) -> Result<T, YamlProblem> {
    serde_saphyr::from_str_with_options::<T>(text, limits::yaml_options()).map_err(|e| {
        let e = e.without_snippet();
        let (line, column) = e
            .location()
            .map_or((0, 0), |l| (l.line() as u32, l.column() as u32));
        let over_limit = matches!(e, serde_saphyr::Error::Budget { .. });
        let (message, hint) = yaml_errors::japanese_yaml_error(e, text);
        // The parser may say where the tab's line begins (the end of the line
        // before): point at the tab itself, so the editor jumps there.
        let (line, column) = if yaml_errors::is_tab_message(&message) {
            yaml_errors::tab_at_or_after(text, line).unwrap_or((line, column))
        } else {
            (line, column)
        };
        YamlProblem {
            line,
            column,
            message,
            hint: Some(hint),
            over_limit,
        }
    })
}

/// What to do when a file cannot be read.
const IO_HINT: &str = "ファイルの権限を確認し、ほかのソフトで開いていれば閉じてください";

/// Why the system could not read a file, in Japanese (the system's own
/// text is English on most machines).
fn io_reason(e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::NotFound => "見つかりません".into(),
        K::PermissionDenied => "読む権限がありません".into(),
        K::IsADirectory => "ファイルではなくフォルダです".into(),
        K::InvalidData => "中身が壊れています".into(),
        K::Interrupted | K::TimedOut | K::WouldBlock => "読む途中で止まりました".into(),
        _ => match e.raw_os_error() {
            Some(code) => format!("システムのエラー番号 {code}"),
            None => "システムのエラー".into(),
        },
    }
}

/// The names of the folders under `themes/` and of the built-in theme, sorted.
fn theme_folders(themes: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(themes)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    // The default theme is built into the program (crate::builtin_theme).
    if !names.iter().any(|n| n == crate::theme::DEFAULT_THEME) {
        names.push(crate::theme::DEFAULT_THEME.to_string());
    }
    names.sort();
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_split() {
        let (f, b, line) = split_front_matter("---\ntitle: x\n---\n# body\n").unwrap();
        assert_eq!(f, "title: x\n");
        assert_eq!(b, "# body\n");
        assert_eq!(line, 4);
        assert!(split_front_matter("# no front matter").is_none());
    }

    /// A copy of the sample site's `data/` and `content/` in a temporary folder.
    fn sample_copy() -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("temporary folder");
        let sample = Path::new(env!("CARGO_MANIFEST_DIR"));
        for folder in ["data", "content"] {
            for entry in WalkDir::new(sample.join(folder)).into_iter().flatten() {
                let rel = entry
                    .path()
                    .strip_prefix(sample)
                    .expect("inside the sample");
                let to = dir.path().join(rel);
                if entry.file_type().is_dir() {
                    std::fs::create_dir_all(&to).expect("folder");
                } else {
                    std::fs::copy(entry.path(), &to).expect("copy");
                }
            }
        }
        dir
    }

    /// The cached load and a fresh one, as text (data, diagnostics, sources).
    fn both_loads(root: &Path, cache: &PageCache) -> (String, String) {
        let show = |l: Loaded| format!("{:?}\n{:?}\n{:?}", l.raw, l.diagnostics, l.sources);
        (show(load_site_cached(root, cache)), show(load_site(root)))
    }

    #[test]
    fn cached_data_files_load_as_a_fresh_load_after_edits() {
        let site = sample_copy();
        let root = site.path();
        let cache = PageCache::default();
        let (cached, fresh) = both_loads(root, &cache);
        assert_eq!(cached, fresh);
        let contacts = root.join("data/contacts/chigasaki.yaml");
        let bytes = std::fs::read(&contacts).expect("read");
        // Kept by its bytes: the same bytes give the kept parse back.
        assert!(cache.data_file::<ContactFile>(&contacts, &bytes).is_some());
        // An edit of the same length, at once (same clock tick): seen.
        let text = String::from_utf8(bytes).expect("utf-8");
        let edited = text.replace("0467-00-1883", "0467-00-1993");
        assert_ne!(edited, text);
        std::fs::write(&contacts, &edited).expect("write");
        let (cached, fresh) = both_loads(root, &cache);
        assert!(cached.contains("0467-00-1993"));
        assert_eq!(cached, fresh);
        // A broken file: the same diagnostic (file:line) on the read and on the kept result.
        std::fs::write(&contacts, edited.replace("windows:", "windows: [")).expect("write");
        for _ in 0..2 {
            let (cached, fresh) = both_loads(root, &cache);
            assert!(cached.contains("chigasaki.yaml"));
            assert_eq!(cached, fresh);
        }
        // Deleted: gone from the cached load too.
        std::fs::remove_file(&contacts).expect("remove");
        let (cached, fresh) = both_loads(root, &cache);
        assert!(!cached.contains("0467-00-1993"));
        assert_eq!(cached, fresh);
        let kept = cache.data.lock().expect("lock");
        assert!(!kept.contains_key(&contacts), "a deleted file is forgotten");
        assert!(kept.contains_key(&root.join("data/contacts/yokohama.yaml")));
    }

    #[test]
    fn cr_line_ends_become_lf() {
        assert_eq!(unix_line_ends("a\rb\r\nc\n"), "a\nb\nc\n");
        assert_eq!(unix_line_ends("plain\n"), "plain\n");
    }
}
