//! Diagnostics: one problem found in the input, with where it is (file:line:col),
//! what is wrong (Japanese, for the editors), what was expected and a hint.
//! Rendered for the terminal (rustc style, with the offending line), as JSON for
//! CI annotations, and as GitHub workflow commands.

use serde::Serialize;
use std::collections::BTreeMap;

/// The text of each file as loaded, by path relative to the site (what
/// diagnostics quote). Shared: `serve` keeps a page's text between builds
/// without copying it.
pub type Sources = BTreeMap<String, std::sync::Arc<str>>;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Path relative to the site root, with `/` separators (e.g. `data/contacts/yokohama.yaml`).
    pub file: String,
    /// 1-based; 0 when the problem concerns the whole file.
    pub line: u32,
    pub column: u32,
    /// What is wrong.
    pub message: String,
    /// What was expected, when that is not obvious from the message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    /// How to fix it (e.g. the nearest valid ids).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// The offending line of the file, filled in by [`Diagnostics::finish`]; a long
    /// line is cut to [`SOURCE_EXCERPT_CHARS`] characters around the column, with `…`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_line: Option<String>,
    /// 1-based column of the problem within a cut `source_line` (`None` when the
    /// line is whole and `column` points into it as it is).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_column: Option<u32>,
}

impl Diagnostic {
    pub fn error(
        file: impl Into<String>,
        line: u32,
        column: u32,
        message: impl Into<String>,
    ) -> Self {
        Self::new(Severity::Error, file.into(), line, column, message.into())
    }

    pub fn warning(
        file: impl Into<String>,
        line: u32,
        column: u32,
        message: impl Into<String>,
    ) -> Self {
        Self::new(Severity::Warning, file.into(), line, column, message.into())
    }

    fn new(severity: Severity, file: String, line: u32, column: u32, message: String) -> Self {
        Diagnostic {
            severity,
            file,
            line,
            column,
            message,
            expected: None,
            hint: None,
            source_line: None,
            source_column: None,
        }
    }

    pub fn expected(mut self, expected: impl Into<String>) -> Self {
        self.expected = Some(expected.into());
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn maybe_hint(self, hint: Option<String>) -> Self {
        match hint {
            Some(h) => self.hint(h),
            None => self,
        }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// `data/contacts/yokohama.yaml:12:7` (line and column only when known).
    pub fn location(&self) -> String {
        match (self.line, self.column) {
            (0, _) => self.file.clone(),
            (l, 0) => format!("{}:{}", self.file, l),
            (l, c) => format!("{}:{}:{}", self.file, l, c),
        }
    }

    /// rustc-style text block:
    /// ```text
    /// エラー: 分野 `sodann` は fields.yaml にありません
    ///   --> data/contacts/yokohama.yaml:12:12
    ///    |
    /// 12 |     field: sodann
    ///    |            ^
    ///    = 期待: shogai-fukushi, hoken, ...
    ///    = ヒント: もしかして `sodan`?
    /// ```
    pub fn render_text(&self) -> String {
        let label = match self.severity {
            Severity::Error => "エラー",
            Severity::Warning => "警告",
        };
        let mut out = format!("{label}: {}\n  --> {}\n", self.message, self.location());
        let gutter = " ".repeat(self.line.to_string().len());
        if let Some(src) = &self.source_line {
            let _ = writeln!(out, "{gutter} |");
            let _ = writeln!(out, "{} | {}", self.line, src);
            let column = self.source_column.unwrap_or(self.column);
            if column > 0 {
                // Columns count characters; full-width characters take two cells.
                let pad: usize = src
                    .chars()
                    .take(column as usize - 1)
                    .map(display_width)
                    .sum();
                let _ = writeln!(out, "{gutter} | {}^", " ".repeat(pad));
            }
        }
        if let Some(e) = &self.expected {
            let _ = writeln!(out, "{gutter} = 期待される値: {e}");
        }
        if let Some(h) = &self.hint {
            let _ = writeln!(out, "{gutter} = ヒント: {h}");
        }
        out
    }

    /// A GitHub Actions workflow command (`::error file=…,line=…::…`), escaped by
    /// the workflow-command rules so no text of the input (a file name with a
    /// newline, say) can end the command and forge another.
    pub fn render_github(&self) -> String {
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut text = self.message.clone();
        if let Some(h) = &self.hint {
            text.push_str(" ヒント: ");
            text.push_str(h);
        }
        format!(
            "::{kind} file={},line={},col={}::{}",
            escape_github_property(&self.file),
            self.line,
            self.column,
            escape_github_data(&text)
        )
    }
}

/// The message of a workflow command: `%`, CR and LF are percent-encoded.
fn escape_github_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A property value (`file=…`) of a workflow command: as the message, and also
/// `:` and `,`, which would end the value.
fn escape_github_property(text: &str) -> String {
    escape_github_data(text)
        .replace(':', "%3A")
        .replace(',', "%2C")
}

/// At most this many characters of a source line are shown (a 10 MB line must
/// not be echoed whole to the terminal, JSON or the browser).
pub const SOURCE_EXCERPT_CHARS: usize = 200;

/// At most this many characters of a message, expectation or hint are kept
/// (they may quote a value of the input).
pub const MESSAGE_CHARS: usize = 1_000;

/// The part of `line` shown for a problem at 1-based `column` (0: unknown): the
/// whole line when short, else [`SOURCE_EXCERPT_CHARS`] characters centred on
/// the column with `…` where text was left out, and the column within that cut.
fn excerpt(line: &str, column: u32) -> (String, Option<u32>) {
    let count = line.chars().count();
    if count <= SOURCE_EXCERPT_CHARS {
        return (line.to_string(), None);
    }
    let at = (column as usize).saturating_sub(1).min(count - 1);
    let start = at
        .saturating_sub(SOURCE_EXCERPT_CHARS / 2)
        .min(count - SOURCE_EXCERPT_CHARS);
    let end = start + SOURCE_EXCERPT_CHARS;
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    out.extend(line.chars().skip(start).take(SOURCE_EXCERPT_CHARS));
    if end < count {
        out.push('…');
    }
    let shown_column = (column > 0).then(|| (at - start + 1 + usize::from(start > 0)) as u32);
    (out, shown_column)
}

/// `text` cut to `max` characters, with `…` when something was left out.
fn clip(text: &mut String, max: usize) {
    if let Some((cut, _)) = text.char_indices().nth(max) {
        text.truncate(cut);
        text.push('…');
    }
}

/// East Asian wide characters take two terminal cells.
fn display_width(c: char) -> usize {
    let cp = c as u32;
    let wide = matches!(cp,
        0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF |
        0x4E00..=0x9FFF | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF |
        0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6);
    if wide { 2 } else { 1 }
}

/// All problems of one run, in a stable order (file, line, column).
#[derive(Debug, Default, Clone, Serialize)]
#[serde(transparent)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }

    pub fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        self.0.extend(other);
    }

    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }

    pub fn error_count(&self) -> usize {
        self.0.iter().filter(|d| d.is_error()).count()
    }

    pub fn warning_count(&self) -> usize {
        self.0.len() - self.error_count()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }

    /// Sorts, says each repeated problem once ([`Diagnostics::group_repeated`])
    /// and fills in each diagnostic's source line from the loaded texts.
    pub fn finish(&mut self, sources: &Sources) {
        self.0.sort_by(|a, b| {
            (a.severity, &a.file, a.line, a.column, &a.message)
                .cmp(&(b.severity, &b.file, b.line, b.column, &b.message))
        });
        self.0.dedup();
        self.group_repeated();
        for d in &mut self.0 {
            clip(&mut d.message, MESSAGE_CHARS);
            for text in [&mut d.expected, &mut d.hint].into_iter().flatten() {
                clip(text, MESSAGE_CHARS);
            }
            if d.line == 0 || d.source_column.is_some() {
                continue; // no line, or already cut by an earlier `finish`
            }
            let line = match d.source_line.take() {
                Some(line) => Some(line),
                None => sources
                    .get(&d.file)
                    .and_then(|text| text.lines().nth(d.line as usize - 1).map(str::to_string)),
            };
            if let Some(line) = line {
                let (shown, column) = excerpt(&line, d.column);
                d.source_line = Some(shown);
                d.source_column = column;
            }
        }
    }

    /// The same problem on [`GROUP_AT`] or more lines of one file (the same
    /// message but for the values and numbers it quotes, see [`shape`]) is
    /// said once: the first keeps its place (file:line:col, so an editor
    /// jumps there, and its source line, expectation and hint), and its
    /// message lists the lines: 「… (同じ問題が 3, 4, 5 … 136 行目にあります: 134 件)」.
    /// A CSV column of 134 bad dates is one message, not 134.
    pub fn group_repeated(&mut self) {
        let mut groups: BTreeMap<(Severity, &str, String), Vec<usize>> = BTreeMap::new();
        for (i, d) in self.0.iter().enumerate().filter(|(_, d)| d.line > 0) {
            let key = (d.severity, d.file.as_str(), shape(&d.message));
            groups.entry(key).or_default().push(i);
        }
        let mut merged: Vec<(usize, String)> = Vec::new();
        let mut dropped = vec![false; self.0.len()];
        for members in groups.into_values().filter(|m| m.len() >= GROUP_AT) {
            let at = |i: &usize| (self.0[*i].line, self.0[*i].column);
            let Some(&first) = members.iter().min_by_key(|i| at(i)) else {
                continue;
            };
            let mut lines: Vec<u32> = members.iter().map(|&i| self.0[i].line).collect();
            lines.sort_unstable();
            lines.dedup();
            let d = &self.0[first];
            merged.push((
                first,
                format!(
                    "{} (同じ問題が {} 行目にあります: {} 件)",
                    d.message,
                    listed(&lines),
                    members.len()
                ),
            ));
            members
                .iter()
                .filter(|&&i| i != first)
                .for_each(|&i| dropped[i] = true);
        }
        for (i, message) in merged {
            self.0[i].message = message;
        }
        let mut keep = dropped.iter().map(|d| !d);
        self.0.retain(|_| keep.next().unwrap_or(true));
    }

    /// Every diagnostic as text, then a one-line summary.
    pub fn render_text(&self) -> String {
        let mut out = String::new();
        for d in &self.0 {
            out.push_str(&d.render_text());
            out.push('\n');
        }
        out.push_str(&self.summary());
        out.push('\n');
        out
    }

    pub fn summary(&self) -> String {
        format!(
            "エラー {} 件、警告 {} 件",
            self.error_count(),
            self.warning_count()
        )
    }

    pub fn render_json(&self) -> String {
        serde_json::to_string_pretty(&self.0).unwrap_or_else(|_| "[]".to_string())
    }

    pub fn render_github(&self) -> String {
        self.0.iter().map(|d| d.render_github() + "\n").collect()
    }
}

/// A problem on this many lines of one file or more is said once
/// ([`Diagnostics::group_repeated`]).
pub const GROUP_AT: usize = 3;

/// Lines a grouped message lists before `…` and the last one.
const GROUP_LISTED: usize = 8;

/// `3, 4, 5 … 136`: the first [`GROUP_LISTED`] lines, `…` and the last.
fn listed(lines: &[u32]) -> String {
    let text = |ls: &[u32]| ls.iter().map(u32::to_string).collect::<Vec<_>>().join(", ");
    match lines {
        [head @ .., last] if head.len() > GROUP_LISTED => {
            format!("{} … {last}", text(&head[..GROUP_LISTED]))
        }
        _ => text(lines),
    }
}

/// A message without what it quotes from the input (「…」, `…`) and without
/// its numbers (rows, columns, counts): two messages of the same shape say
/// the same problem about different values or places.
fn shape(message: &str) -> String {
    let mut out = String::new();
    // Depth inside 「…」 (they nest: 列「確認日」: 確認日「…」), and inside `…`.
    let mut corner = 0usize;
    let mut backtick = false;
    for c in message.chars() {
        if backtick {
            if c == '`' {
                backtick = false;
                out.push('`');
            }
            continue;
        }
        match c {
            '「' => {
                if corner == 0 {
                    out.push('「');
                }
                corner += 1;
            }
            '」' if corner > 0 => {
                corner -= 1;
                if corner == 0 {
                    out.push('」');
                }
            }
            _ if corner > 0 => {}
            '`' => {
                backtick = true;
                out.push('`');
            }
            c if c.is_ascii_digit() => {
                if !out.ends_with('#') {
                    out.push('#');
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// `dir/file` relative to `root`, with `/` separators, for messages.
pub fn rel_path(root: &Path, path: &Path) -> String {
    let rel: PathBuf = path.strip_prefix(root).unwrap_or(path).to_path_buf();
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// The valid ids closest to `bad` (by edit distance), best first, for "did you mean" hints.
pub fn nearest<'a>(bad: &str, valid: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let mut scored: Vec<(f64, &str)> = valid
        .into_iter()
        .map(|v| (strsim::normalized_damerau_levenshtein(bad, v), v))
        .filter(|(s, _)| *s >= 0.4)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    scored.into_iter().take(3).map(|(_, v)| v).collect()
}

/// 「もしかして `x`?」 or the list of valid values when nothing is close.
pub fn did_you_mean<'a>(bad: &str, valid: impl IntoIterator<Item = &'a str> + Clone) -> String {
    let near = nearest(bad, valid.clone());
    if near.is_empty() {
        let all: Vec<&str> = valid.into_iter().collect();
        format!("使える値: {}", all.join(", "))
    } else {
        let quoted: Vec<String> = near.iter().map(|n| format!("`{n}`")).collect();
        format!("もしかして {} ?", quoted.join(" / "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_messages_escape_percent_and_line_breaks() {
        assert_eq!(escape_github_data("100%\r\nx"), "100%25%0D%0Ax");
        assert_eq!(escape_github_data("a:b,c"), "a:b,c");
    }

    #[test]
    fn github_properties_also_escape_colon_and_comma() {
        assert_eq!(
            escape_github_property("a\n::warning file=x,y:z%"),
            "a%0A%3A%3Awarning file=x%2Cy%3Az%25"
        );
    }

    #[test]
    fn a_forged_file_name_stays_on_one_line() {
        let d = Diagnostic::warning("content/x\n::error file=README.md::INJECTED", 0, 0, "m\nn");
        let line = d.render_github();
        assert_eq!(line.lines().count(), 1, "{line}");
        assert_eq!(
            line,
            "::warning file=content/x%0A%3A%3Aerror file=README.md%3A%3AINJECTED,line=0,col=0::m%0An"
        );
    }

    #[test]
    fn short_lines_are_shown_whole() {
        let line = "x".repeat(SOURCE_EXCERPT_CHARS);
        assert_eq!(excerpt(&line, 5), (line.clone(), None));
    }

    #[test]
    fn long_lines_are_cut_around_the_column() {
        let line: String = (0..10_000)
            .map(|i| if i == 5_000 { 'X' } else { 'あ' })
            .collect();
        let (shown, column) = excerpt(&line, 5_001);
        assert!(shown.starts_with('…') && shown.ends_with('…'), "{shown}");
        assert_eq!(shown.chars().count(), SOURCE_EXCERPT_CHARS + 2);
        let column = column.expect("a cut line has its own column") as usize;
        assert_eq!(shown.chars().nth(column - 1), Some('X'));
    }

    #[test]
    fn cuts_at_the_ends_keep_the_column() {
        let line: String = "abc".repeat(1_000);
        let (start, c) = excerpt(&line, 2);
        assert!(!start.starts_with('…') && start.ends_with('…'));
        assert_eq!(c, Some(2));
        let (end, c) = excerpt(&line, 3_000);
        assert!(end.starts_with('…') && !end.ends_with('…'));
        assert_eq!(end.chars().nth(c.unwrap() as usize - 1), Some('c'));
        let (_, unknown) = excerpt(&line, 0);
        assert_eq!(unknown, None);
    }

    #[test]
    fn the_caret_points_into_a_cut_line() {
        let long = format!("{}BAD{}", "あ".repeat(5_000), "い".repeat(5_000));
        let mut ds = Diagnostics::default();
        ds.push(Diagnostic::error("f.yaml", 1, 5_001, "m"));
        let sources = BTreeMap::from([("f.yaml".to_string(), long.into())]);
        ds.finish(&sources);
        ds.finish(&sources); // twice: the cut line is kept, not cut again
        let text = ds.0[0].render_text();
        let lines: Vec<&str> = text.lines().collect();
        let src = lines[3].strip_prefix("1 | ").unwrap();
        let caret = lines[4].strip_prefix("  | ").unwrap();
        let cells: usize = src[..src.find("BAD").unwrap()]
            .chars()
            .map(display_width)
            .sum();
        assert_eq!(caret.find('^'), Some(cells), "{text}");
        assert!(text.len() < 1_000);
    }

    #[test]
    fn long_messages_are_clipped() {
        let mut ds = Diagnostics::default();
        ds.push(Diagnostic::error("f", 0, 0, "x".repeat(5_000)).hint("y".repeat(5_000)));
        ds.finish(&BTreeMap::new());
        assert_eq!(ds.0[0].message.chars().count(), MESSAGE_CHARS + 1);
        assert_eq!(
            ds.0[0].hint.as_ref().unwrap().chars().count(),
            MESSAGE_CHARS + 1
        );
    }

    #[test]
    fn shapes_ignore_quoted_values_and_numbers() {
        assert_eq!(
            shape("3行目 J列「確認日」: 確認日「2025/13/45」は日付として読めません"),
            shape("136行目 J列「確認日」: 確認日「abc」は日付として読めません")
        );
        assert_ne!(
            shape("3行目 J列「確認日」: 確認日「45000」が数値になっています"),
            shape("3行目 J列「確認日」: 確認日「abc」は日付として読めません")
        );
        assert_ne!(
            shape("3行目 B列「名称」: 空です"),
            shape("3行目 C列「分野」: 空です")
        );
        assert_eq!(
            shape("分野 `a「b` は x にありません"),
            "分野 `` は x にありません"
        );
    }

    #[test]
    fn repeated_problems_are_grouped_from_three() {
        let mut ds = Diagnostics::default();
        for line in [9, 3, 5, 7] {
            ds.push(
                Diagnostic::error("f.yaml", line, 2, format!("値 `{line}` は使えません")).hint("h"),
            );
        }
        ds.push(Diagnostic::error("f.yaml", 4, 1, "別の問題 `a`"));
        ds.push(Diagnostic::error("f.yaml", 6, 1, "別の問題 `b`"));
        ds.push(Diagnostic::warning("g.yaml", 0, 0, "値 `x` は使えません"));
        ds.finish(&BTreeMap::new());
        let messages: Vec<(u32, &str)> = ds.iter().map(|d| (d.line, d.message.as_str())).collect();
        assert_eq!(
            messages,
            [
                (
                    3,
                    "値 `3` は使えません (同じ問題が 3, 5, 7, 9 行目にあります: 4 件)"
                ),
                (4, "別の問題 `a`"),
                (6, "別の問題 `b`"),
                (0, "値 `x` は使えません"),
            ]
        );
        assert_eq!(ds.0[0].hint.as_deref(), Some("h"));
        assert_eq!(
            listed(&(1..=20).collect::<Vec<_>>()),
            "1, 2, 3, 4, 5, 6, 7, 8 … 20"
        );
        assert_eq!(
            listed(&(1..=9).collect::<Vec<_>>()),
            "1, 2, 3, 4, 5, 6, 7, 8, 9"
        );
    }
}
