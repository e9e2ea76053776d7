//! Input limits: how much one file may hold. They keep a build's memory and
//! time bounded (a 10 MB `note` used to cost 3.6 GiB, most of it in the PDF
//! step) and keep every message short. Published in docs/DATA.md
//! (「入力の上限」): change both together.
//!
//! The limits are checked before a file is deserialized: its size from the
//! file system (before reading), then, on the YAML parser's events, the
//! length of every value, the number of list entries, the nesting depth, the
//! number of nodes and any alias (each problem at its line and column). The
//! deserializer's own budgets ([`yaml_options`]) are a second net.

use serde_saphyr::granit_parser::{Event, Parser};
use std::ops::ControlFlow;

/// Bytes of one YAML data file (`data/*.yaml`, `data/contacts/*.yaml`, ...).
/// The largest real file, a city's facilities, is well under 1 MB.
pub const MAX_DATA_FILE_BYTES: u64 = 4 * 1024 * 1024;
/// Bytes of one markdown page (front matter and body): about 300,000
/// Japanese characters, a book's worth.
pub const MAX_PAGE_FILE_BYTES: u64 = 1024 * 1024;
/// Bytes of a CSV file given to `ohisama import`: a CSV of every facility of
/// Japan (50,000) is about 15 MB. The file is read only this far (a device
/// such as /dev/zero would otherwise fill the memory).
pub const MAX_CSV_BYTES: u64 = 64 * 1024 * 1024;
/// Characters of a short value: names, ids, readings, phone numbers, dates,
/// addresses, titles, and every key.
pub const MAX_SHORT_CHARS: usize = 200;
/// Characters of a free text value ([`TEXT_KEYS`]): a long paragraph, or a URL
/// (browsers and sitemaps stop near 2,000).
pub const MAX_TEXT_CHARS: usize = 2_000;
/// Keys whose values are free text or URLs, and may be [`MAX_TEXT_CHARS`] long.
pub const TEXT_KEYS: [&str; 8] = [
    "note",
    "detail",
    "description",
    "text",
    "intro",
    "usage",
    "url",
    "base_url",
];
/// Windows of one municipality (`windows:` of `data/contacts/<slug>.yaml`).
/// A large city has about 100; every one is printed in the PDF.
pub const MAX_WINDOWS_PER_FILE: usize = 500;
/// Entries of a file that is one list: the facilities of one municipality,
/// the municipalities (all of Japan: 1,741), regions, fields, care, types.
pub const MAX_ENTRIES_PER_FILE: usize = 5_000;
/// YAML nodes (values, lists, mappings) of one file: a file of
/// [`MAX_ENTRIES_PER_FILE`] facilities has about 150,000.
pub const MAX_YAML_NODES: usize = 250_000;
/// Nesting of lists and mappings (the data nests 4 deep).
pub const MAX_YAML_DEPTH: usize = 20;
/// Length problems reported per file; more are summed up in one line.
const MAX_REPORTED: usize = 10;

/// The first `max + 1` bytes of a file at most: one byte more than allowed
/// tells that the file is too large without reading all of it.
pub fn read_at_most(path: &std::path::Path, max: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read as _;
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(max.saturating_add(1))
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// One value or list over a limit, at a 1-based line and column of the text given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LimitProblem {
    pub line: u32,
    pub column: u32,
    pub message: String,
    pub hint: String,
}

/// The serde-saphyr options every YAML file of a site is parsed with: the
/// budgets above, one document, and no aliases (`*name`): an alias repeats a
/// subtree without its text, which is how "billion laughs" files blow up, and
/// the editors' data never needs one.
pub fn yaml_options() -> serde_saphyr::Options {
    serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_nodes: MAX_YAML_NODES,
            max_depth: MAX_YAML_DEPTH,
            max_documents: 1,
            max_aliases: 0,
            max_total_scalar_bytes: MAX_DATA_FILE_BYTES as usize,
            max_reader_input_bytes: Some(MAX_DATA_FILE_BYTES as usize),
        },
        // `<<` copies a mapping into another: refused with the aliases (docs/DATA.md).
        merge_keys: serde_saphyr::MergeKeyPolicy::Error,
    }
}

/// Where the parser is: a mapping (its current key, and whether the next node
/// is a key) or a list (the key it is the value of, and its entries so far).
enum Frame {
    Map {
        key: Option<String>,
        want_key: bool,
    },
    List {
        key: Option<String>,
        top: bool,
        entries: usize,
    },
}

/// The limit of a value under `key`.
fn chars_limit(key: Option<&str>) -> usize {
    match key {
        Some(k) if TEXT_KEYS.contains(&k) => MAX_TEXT_CHARS,
        _ => MAX_SHORT_CHARS,
    }
}

/// `1,234`: numbers in messages, as the editors read them.
pub fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The parts of the YAML `text` over a limit: values longer than their limit
/// and lists with too many entries (at most [`MAX_REPORTED`], and one line
/// for the rest), and the first alias, node over [`MAX_YAML_NODES`] or level
/// deeper than [`MAX_YAML_DEPTH`] (where the scan stops). A syntax error
/// stops the scan silently: the deserializer reports it.
pub fn limit_problems(text: &str) -> Vec<LimitProblem> {
    limit_problems_with(text, false)
}

/// [`limit_problems`] for a file of sentences (data/i18n/*.yaml: every value is
/// text to show, so every value may be [`MAX_TEXT_CHARS`] long).
pub fn limit_problems_with(text: &str, all_text: bool) -> Vec<LimitProblem> {
    let mut scan = Scan {
        all_text,
        ..Scan::default()
    };
    for item in Parser::new_from_str(text) {
        let Ok((event, span)) = item else { break };
        let at = (span.start.line() as u32, span.start.col() as u32 + 1);
        if scan.on_event(event, at).is_break() {
            break;
        }
    }
    scan.finish()
}

/// The scan of [`limit_problems`]; positions are (line, column).
#[derive(Default)]
struct Scan {
    problems: Vec<LimitProblem>,
    /// Problems past [`MAX_REPORTED`]: counted, said in one line at the end.
    more: usize,
    /// The open maps and lists, outermost first.
    stack: Vec<Frame>,
    nodes: usize,
    /// Every value is free text ([`limit_problems_with`]).
    all_text: bool,
}

impl Scan {
    /// Breaks when the scan must stop (see [`Scan::stopper`]).
    fn on_event(&mut self, event: Event, at: (u32, u32)) -> ControlFlow<()> {
        let is_node = matches!(
            event,
            Event::Scalar(..)
                | Event::SequenceStart(..)
                | Event::MappingStart(..)
                | Event::Alias(_)
        );
        if !is_node {
            if matches!(event, Event::SequenceEnd | Event::MappingEnd) {
                self.stack.pop();
            }
            return ControlFlow::Continue(());
        }
        self.nodes += 1;
        if let Some(problem) = self.stopper(&event) {
            // The stop is always said, as the last problem reported.
            self.problems.truncate(MAX_REPORTED - 1);
            self.problems.push(LimitProblem::at(at, problem));
            return ControlFlow::Break(());
        }
        let (is_key, key) = self.place_in_parent(at);
        self.on_node(event, is_key, key, at);
        ControlFlow::Continue(())
    }

    /// What ends the scan at this node: one node too many, an alias (refused:
    /// a few of them can expand to billions of values) or a level too deep.
    fn stopper(&self, event: &Event) -> Option<(String, String)> {
        if self.nodes > MAX_YAML_NODES {
            Some(too_many_nodes())
        } else if matches!(event, Event::Alias(_)) {
            Some(alias_refused())
        } else if self.stack.len() >= MAX_YAML_DEPTH
            && matches!(event, Event::SequenceStart(..) | Event::MappingStart(..))
        {
            Some(too_deep())
        } else {
            None
        }
    }

    /// What a node is to its parent: whether it is a key, and the key it is
    /// under (a value's, or a list's entries'). Counts a list's entries.
    fn place_in_parent(&mut self, at: (u32, u32)) -> (bool, Option<String>) {
        match self.stack.last_mut() {
            Some(Frame::Map { key, want_key }) => {
                let is_key = *want_key;
                *want_key = !*want_key;
                if is_key {
                    *key = None;
                }
                (is_key, key.clone())
            }
            Some(Frame::List { key, top, entries }) => {
                *entries += 1;
                let problem = too_many_entries(key.as_deref(), *top, *entries);
                let key = key.clone();
                self.report(at, problem);
                (false, key)
            }
            None => (false, None),
        }
    }

    /// Checks a scalar's length (a key remembers its text for its value),
    /// opens a map or a list.
    fn on_node(&mut self, event: Event, is_key: bool, key: Option<String>, at: (u32, u32)) {
        match event {
            Event::Scalar(value, ..) => {
                let limit = if is_key {
                    MAX_SHORT_CHARS
                } else if self.all_text {
                    MAX_TEXT_CHARS
                } else {
                    chars_limit(key.as_deref())
                };
                self.report(at, too_long(&value, key.as_deref(), is_key, limit));
                if is_key && let Some(Frame::Map { key, .. }) = self.stack.last_mut() {
                    *key = Some(value.chars().take(40).collect());
                }
            }
            Event::SequenceStart(..) => self.stack.push(Frame::List {
                top: self.stack.is_empty(),
                key: if is_key { None } else { key },
                entries: 0,
            }),
            Event::MappingStart(..) => self.stack.push(Frame::Map {
                key: None,
                want_key: true,
            }),
            _ => {}
        }
    }

    fn report(&mut self, at: (u32, u32), problem: Option<(String, String)>) {
        if let Some(problem) = problem {
            if self.problems.len() < MAX_REPORTED {
                self.problems.push(LimitProblem::at(at, problem));
            } else {
                self.more += 1;
            }
        }
    }

    fn finish(mut self) -> Vec<LimitProblem> {
        if self.more > 0 {
            let (line, column) = self.problems.last().map_or((0, 0), |p| (p.line, p.column));
            self.problems.push(LimitProblem {
                line,
                column,
                message: format!("上限を超えた値がほかに {} か所あります", grouped(self.more)),
                hint: "上の問題を直してから、もう一度検査してください".into(),
            });
        }
        self.problems
    }
}

impl LimitProblem {
    fn at((line, column): (u32, u32), (message, hint): (String, String)) -> LimitProblem {
        LimitProblem {
            line,
            column,
            message,
            hint,
        }
    }
}

/// More nodes than [`MAX_YAML_NODES`], as (message, hint).
pub fn too_many_nodes() -> (String, String) {
    (
        format!(
            "YAML の値が多すぎます (1つのファイルに {} 個まで)",
            grouped(MAX_YAML_NODES)
        ),
        "キー・値・リストの項目の数の上限です。不要な項目を消すか、ファイルが壊れていないか確認してください"
            .into(),
    )
}

/// Nesting deeper than [`MAX_YAML_DEPTH`], as (message, hint).
pub fn too_deep() -> (String, String) {
    (
        format!("入れ子 (字下げの段) が深すぎます (上限 {MAX_YAML_DEPTH} 段)"),
        "字下げの誤りか、[ や { の閉じ忘れがないかを確認してください".into(),
    )
}

/// An alias (refused, see [`yaml_options`]), as (message, hint).
pub fn alias_refused() -> (String, String) {
    (
        "YAML のアンカーと別名 (&名前 / *名前、<<) は使えません".into(),
        "同じ内容を、使う場所それぞれに書いてください".into(),
    )
}

/// A value over its limit, as (message, hint).
fn too_long(
    value: &str,
    key: Option<&str>,
    is_key: bool,
    limit: usize,
) -> Option<(String, String)> {
    // Bytes bound characters from above: most values skip the count.
    if value.len() <= limit {
        return None;
    }
    let chars = value.chars().count();
    if chars <= limit {
        return None;
    }
    let what = match (is_key, key) {
        (true, _) => "キー".to_string(),
        (false, Some(k)) => format!("`{k}` の値"),
        (false, None) => "値".to_string(),
    };
    let hint = if limit == MAX_TEXT_CHARS {
        format!(
            "{}文字までです。長い説明はページ (content/) に書き、ここには要点とそのページへのリンクを書いてください",
            grouped(limit)
        )
    } else {
        format!(
            "名前・ID・電話番号・日付・住所などは {} 文字までです。説明は note などに書いてください",
            grouped(limit)
        )
    };
    Some((
        format!(
            "{what}が長すぎます ({} 文字、上限 {} 文字)",
            grouped(chars),
            grouped(limit)
        ),
        hint,
    ))
}

/// The first entry over the limit of its list, as (message, hint).
fn too_many_entries(key: Option<&str>, top: bool, entries: usize) -> Option<(String, String)> {
    let (limit, what, hint) = match key {
        Some("windows") => (
            MAX_WINDOWS_PER_FILE,
            "1つの市町村の窓口",
            "窓口をまとめるか、細かい案内はページ (content/) に書いてください",
        ),
        None if top => (
            MAX_ENTRIES_PER_FILE,
            "1つのファイルの項目",
            "不要な項目を消してください (施設は市町村ごとのファイルに分かれます)",
        ),
        _ => return None,
    };
    (entries == limit + 1).then(|| {
        (
            format!(
                "{what}が多すぎます ({} 件目。上限 {} 件)",
                grouped(entries),
                grouped(limit)
            ),
            hint.to_string(),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_grouped() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1000), "1,000");
        assert_eq!(grouped(1234567), "1,234,567");
    }

    #[test]
    fn a_long_note_is_found_at_its_line_and_column() {
        let note = "あ".repeat(MAX_TEXT_CHARS + 1);
        let text = format!("windows:\n  - name: x\n    note: {note}\n");
        let p = limit_problems(&text);
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!((p[0].line, p[0].column), (3, 11));
        assert!(p[0].message.contains("`note`"), "{}", p[0].message);
        assert!(p[0].message.contains("2,001 文字"), "{}", p[0].message);
        assert!(p[0].message.contains("上限 2,000 文字"), "{}", p[0].message);
    }

    #[test]
    fn values_at_the_limit_pass() {
        let text = format!(
            "name: {}\nnote: {}\nintro:\n  - {}\n",
            "名".repeat(MAX_SHORT_CHARS),
            "a".repeat(MAX_TEXT_CHARS),
            "段".repeat(MAX_TEXT_CHARS)
        );
        assert_eq!(limit_problems(&text), Vec::new());
    }

    #[test]
    fn short_fields_and_keys_have_the_short_limit() {
        let long = "x".repeat(MAX_SHORT_CHARS + 1);
        let text = format!("name: {long}\n{long}: 1\ncare: [a, {long}]\n");
        let p = limit_problems(&text);
        let at: Vec<(u32, u32)> = p.iter().map(|p| (p.line, p.column)).collect();
        assert_eq!(at, vec![(1, 7), (2, 1), (3, 11)], "{p:?}");
        assert!(
            p[1].message.starts_with("キーが長すぎます"),
            "{}",
            p[1].message
        );
    }

    #[test]
    fn too_many_windows_is_reported_once_at_the_first_one_over() {
        let mut text = String::from("windows:\n");
        for _ in 0..MAX_WINDOWS_PER_FILE + 3 {
            text.push_str("  - name: x\n");
        }
        let p = limit_problems(&text);
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(p[0].line, MAX_WINDOWS_PER_FILE as u32 + 2);
        assert!(p[0].message.contains("上限 500 件"), "{}", p[0].message);
    }

    #[test]
    fn the_first_alias_is_refused_at_its_place() {
        let text = "a: &x [1, 2]\nb: [*x, *x]\n";
        let p = limit_problems(text);
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!((p[0].line, p[0].column), (2, 5));
        assert!(p[0].message.contains("*名前"), "{}", p[0].message);
    }

    #[test]
    fn nesting_deeper_than_the_limit_is_refused() {
        let text = format!("a: {}{}\n", "[".repeat(50), "]".repeat(50));
        let p = limit_problems(&text);
        assert_eq!(p.len(), 1, "{p:?}");
        // The top mapping is level 1: the 20th `[` opens level 21.
        assert_eq!((p[0].line, p[0].column), (1, 4 + MAX_YAML_DEPTH as u32 - 1));
        let ok = format!("a: {}{}\n", "[".repeat(19), "]".repeat(19));
        assert_eq!(limit_problems(&ok), Vec::new());
    }

    #[test]
    fn more_nodes_than_the_limit_are_refused() {
        // The mapping, its key and the list are 3 nodes.
        let text = format!("a: [{}]", vec!["1"; MAX_YAML_NODES - 2].join(","));
        let p = limit_problems(&text);
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(p[0].message.contains("250,000 個"), "{}", p[0].message);
        let ok = format!("a: [{}]", vec!["1"; MAX_YAML_NODES - 3].join(","));
        assert_eq!(limit_problems(&ok), Vec::new());
    }

    #[test]
    fn many_problems_are_summed_up() {
        let long = "x".repeat(MAX_SHORT_CHARS + 1);
        let text: String = (0..25).map(|i| format!("k{i}: {long}\n")).collect();
        let p = limit_problems(&text);
        assert_eq!(p.len(), MAX_REPORTED + 1);
        assert!(p[MAX_REPORTED].message.contains("ほかに 15 か所"));
    }
}
