//! Reads `content/` and `data/` into [`RawSite`], turning every unreadable file
//! (not UTF-8, empty, bad YAML, unknown or missing keys) into a diagnostic.
//! Nothing here checks cross-references: that is `validate`'s job.

use crate::diagnostic::{Diagnostic, Diagnostics, rel_path};
use crate::model::{ContactFile, FrontMatter, Page, RawSite};
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

/// What loading produced: the data that could be read, every problem, and the
/// text of each file (so diagnostics can show the offending line).
/// One file parsed on a worker: its data (if readable), its problems, its text.
type ParsedOne<T> = (Option<(String, T)>, Diagnostics, BTreeMap<String, String>);

pub struct Loaded {
    pub raw: RawSite,
    pub diagnostics: Diagnostics,
    pub sources: BTreeMap<String, String>,
}

struct Loader<'a> {
    root: &'a Path,
    diagnostics: Diagnostics,
    sources: BTreeMap<String, String>,
}

pub fn load_site(root: &Path) -> Loaded {
    let mut loader = Loader {
        root,
        diagnostics: Diagnostics::default(),
        sources: BTreeMap::new(),
    };
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
    let contact_paths = loader.list_yaml_dir(&data.join("contacts"));
    for path in &contact_paths {
        if let Some(stem) = path.file_stem() {
            raw.contact_files.push(stem.to_string_lossy().into_owned());
        }
    }
    raw.contacts = loader.yaml_files::<ContactFile>(contact_paths);
    let facility_paths = loader.list_yaml_dir(&data.join("facilities"));
    raw.facilities = loader.yaml_files(facility_paths);
    loader.warn_unread_data_files(&data);
    raw.pages = loader.pages(&root.join("content"));
    Loaded {
        raw,
        diagnostics: loader.diagnostics,
        sources: loader.sources,
    }
}

impl Loader<'_> {
    fn rel(&self, path: &Path) -> String {
        rel_path(self.root, path)
    }

    /// Reads a file as UTF-8 text (BOM removed) and remembers it for diagnostics.
    fn text(&mut self, path: &Path) -> Option<String> {
        let rel = self.rel(path);
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                self.diagnostics.push(
                    Diagnostic::error(&rel, 0, 0, "ファイルがありません")
                        .hint("サンプルサイト(リポジトリ直下の data/)から同じ名前のファイルをコピーしてください"),
                );
                return None;
            }
            Err(e) => {
                self.diagnostics.push(Diagnostic::error(
                    &rel,
                    0,
                    0,
                    format!("ファイルを読めません: {e}"),
                ));
                return None;
            }
        };
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
        match std::str::from_utf8(bytes) {
            Ok(t) => {
                let text = t.replace("\r\n", "\n");
                // NUL, control characters, a stray BOM: refused before parsing,
                // so they reach neither a page nor a message raw.
                let bad_chars = crate::text_check::check_file(&rel, &text);
                if !bad_chars.is_empty() {
                    self.diagnostics.extend(bad_chars.0);
                    return None;
                }
                self.sources.insert(rel, text.clone());
                Some(text)
            }
            Err(e) => {
                let good = &bytes[..e.valid_up_to()];
                let line = good.iter().filter(|&&b| b == b'\n').count() as u32 + 1;
                let col = String::from_utf8_lossy(good)
                    .rsplit('\n')
                    .next()
                    .map_or(0, |l| l.chars().count()) as u32
                    + 1;
                self.diagnostics.push(
                    Diagnostic::error(&rel, line, col, "文字コードが UTF-8 ではありません")
                        .hint("Shift_JIS などで保存された可能性があります。エディタで「UTF-8」を選んで保存し直してください"),
                );
                None
            }
        }
    }

    /// Reads and parses one YAML file; `None` (with a diagnostic) when it cannot.
    fn yaml_file<T: DeserializeOwned>(&mut self, path: &Path) -> Option<(String, T)> {
        let text = self.text(path)?;
        let rel = self.rel(path);
        if is_blank_yaml(&text) {
            self.diagnostics.push(
                Diagnostic::error(&rel, 0, 0, "ファイルが空です")
                    .hint("中身を書くか、不要ならファイルを削除してください"),
            );
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
    fn yaml_files<T: DeserializeOwned + Send>(&mut self, paths: Vec<PathBuf>) -> Vec<(String, T)> {
        let root = self.root;
        let parsed: Vec<ParsedOne<T>> = paths
            .into_par_iter()
            .map(|path| {
                let mut one = Loader {
                    root,
                    diagnostics: Diagnostics::default(),
                    sources: BTreeMap::new(),
                };
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
                    .hint(format!("data/ で読むファイル: {}", DATA_FILES.join(", "))),
                );
            }
        }
    }

    fn pages(&mut self, content: &Path) -> Vec<Page> {
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
        let mut items: Vec<Result<PathBuf, Diagnostic>> = Vec::new();
        let walker = WalkDir::new(content).sort_by_file_name().into_iter();
        for entry in walker.filter_map(|e| e.ok()) {
            let path = entry.path();
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
        let root = self.root;
        let loaded: Vec<(Option<Page>, Diagnostics, BTreeMap<String, String>)> = items
            .into_par_iter()
            .map(|item| match item {
                Err(d) => {
                    let mut ds = Diagnostics::default();
                    ds.push(d);
                    (None, ds, BTreeMap::new())
                }
                Ok(path) => {
                    let mut one = Loader {
                        root,
                        diagnostics: Diagnostics::default(),
                        sources: BTreeMap::new(),
                    };
                    let page = one.page(content, &path);
                    (page, one.diagnostics, one.sources)
                }
            })
            .collect();
        for (page, diags, sources) in loaded {
            for d in diags.0 {
                self.diagnostics.push(d);
            }
            self.sources.extend(sources);
            pages.extend(page);
        }
        pages
    }

    fn page(&mut self, content: &Path, path: &Path) -> Option<Page> {
        let text = self.text(path)?;
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
        let front: FrontMatter = match parse_yaml(&format!("\n{front_text}")) {
            Ok(f) => f,
            Err(d) => {
                self.diagnostics.push(d.into_diagnostic(&rel));
                return None;
            }
        };
        let url_path = url_path_of(content, path);
        let section = url_path
            .trim_matches('/')
            .split('/')
            .next()
            .unwrap_or("")
            .to_string();
        Some(Page {
            file: rel,
            path: url_path,
            section,
            front,
            body: body.to_string(),
            body_line,
        })
    }
}

/// `content/emergency/cpr.md` → `/emergency/cpr/`; `index.md` stands for its folder.
fn url_path_of(content: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(content).unwrap_or(path);
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if let Some(last) = parts.pop() {
        let stem = last.trim_end_matches(".md");
        if stem != "index" && stem != "_index" {
            parts.push(stem.to_string());
        }
    }
    if parts.is_empty() {
        "/".to_string()
    } else {
        format!("/{}/", parts.join("/"))
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
}

impl YamlProblem {
    pub fn into_diagnostic(self, file: &str) -> Diagnostic {
        Diagnostic::error(file, self.line, self.column, self.message).maybe_hint(self.hint)
    }
}

/// Parses YAML text, turning serde-saphyr's English error into Japanese.
pub fn parse_yaml<T: DeserializeOwned>(text: &str) -> Result<T, YamlProblem> {
    serde_saphyr::from_str::<T>(text).map_err(|e| {
        let (line, column) = e
            .location()
            .map_or((0, 0), |l| (l.line() as u32, l.column() as u32));
        let english = strip_location_suffix(&e.without_snippet().to_string());
        let (message, hint) = japanese_yaml_message(&english);
        YamlProblem {
            line,
            column,
            message,
            hint,
        }
    })
}

fn strip_location_suffix(msg: &str) -> String {
    let first = msg.lines().next().unwrap_or(msg);
    match first.find(" at line ") {
        Some(i) => first[..i].to_string(),
        None => first.to_string(),
    }
}

/// The serde messages editors meet most, in Japanese with a hint; others keep
/// the original text after a Japanese lead so nothing is lost.
fn japanese_yaml_message(english: &str) -> (String, Option<String>) {
    let ticked: Vec<&str> = english.split('`').skip(1).step_by(2).collect();
    if english.starts_with("unknown field") {
        let bad = ticked.first().copied().unwrap_or("?");
        // serde-saphyr: "unknown field `x`, expected one of a, b" (or "expected a").
        let valid: Vec<&str> = english
            .split_once("expected ")
            .map(|(_, rest)| {
                rest.trim_start_matches("one of ")
                    .split(", ")
                    .map(|v| v.trim_matches('`'))
                    .collect()
            })
            .unwrap_or_default();
        let hint = if valid.is_empty() {
            "ここではキーを書けません".to_string()
        } else {
            format!(
                "{}(使えるキー: {})",
                crate::diagnostic::did_you_mean(bad, valid.iter().copied()),
                valid.join(", ")
            )
        };
        return (format!("不明なキー `{bad}` があります"), Some(hint));
    }
    if english.starts_with("missing field") {
        let key = ticked.first().copied().unwrap_or("?");
        return (
            format!("必須のキー `{key}` がありません"),
            Some(format!("`{key}:` の行を追加してください")),
        );
    }
    if english.starts_with("invalid type") {
        return (
            format!("値の種類が違います ({english})"),
            Some(
                "リスト(- で始まる行)、文字列、true/false、数値のどれを書くべきか確認してください"
                    .into(),
            ),
        );
    }
    if english.contains("duplicate") {
        return (
            format!("同じキーが2回書かれています ({english})"),
            Some("どちらか一方を消してください".into()),
        );
    }
    (
        format!("YAML の書き方に誤りがあります ({english})"),
        Some("インデント(字下げ)、コロンの後の空白、引用符の閉じ忘れを確認してください".into()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_paths() {
        let c = Path::new("/s/content");
        assert_eq!(url_path_of(c, Path::new("/s/content/index.md")), "/");
        assert_eq!(
            url_path_of(c, Path::new("/s/content/emergency/index.md")),
            "/emergency/"
        );
        assert_eq!(
            url_path_of(c, Path::new("/s/content/emergency/cpr.md")),
            "/emergency/cpr/"
        );
    }

    #[test]
    fn front_matter_split() {
        let (f, b, line) = split_front_matter("---\ntitle: x\n---\n# body\n").unwrap();
        assert_eq!(f, "title: x\n");
        assert_eq!(b, "# body\n");
        assert_eq!(line, 4);
        assert!(split_front_matter("# no front matter").is_none());
    }
}
