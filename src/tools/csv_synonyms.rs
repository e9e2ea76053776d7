//! `ohisama export synonyms` / `ohisama import synonyms`: data/synonyms.yaml
//! as a CSV that Excel opens (one group per row; the words of a cell
//! separated by 「、」). Same conventions as [`super::csv_io`]: UTF-8 with BOM
//! (or Shift_JIS) in, UTF-8 with BOM and CRLF out, formulas guarded with `'`,
//! every row checked (with the rules of `check`) before the one file is
//! written, never over an existing file without `--force`.

use super::csv_io::{CsvEncoding, decode, guard_formula, unguard_formula};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::kinds::check::Checker;
use crate::kinds::common::{Column, S, columns};
use crate::kinds::synonyms::SynonymGroup;
use std::path::Path;

/// The file the CSV stands for, relative to the site root.
pub const FILE: &str = "data/synonyms.yaml";

/// What separates the words of a cell (the export writes 、).
const SEPARATORS: [char; 4] = ['、', ',', ',', '\n'];

fn synonym_columns() -> Vec<Column> {
    columns::<SynonymGroup>()
}

/// The CSV of data/synonyms.yaml (only the header when the site has none).
pub fn export(root: &Path) -> Result<Vec<u8>, Diagnostics> {
    let loaded = crate::load::load_data(root);
    let errors: Vec<Diagnostic> = loaded
        .diagnostics
        .iter()
        .filter(|d| d.file == FILE)
        .cloned()
        .collect();
    if !errors.is_empty() {
        return Err(Diagnostics(errors));
    }
    let groups = loaded.raw.synonyms.map(|(_, g)| g).unwrap_or_default();
    let rows: Vec<Vec<String>> = groups.iter().map(|g| row_of(&g.value)).collect();
    Ok(csv_bytes(&rows))
}

fn row_of(g: &SynonymGroup) -> Vec<String> {
    let join = |ws: &[S<String>]| {
        ws.iter()
            .map(|w| w.value.as_str())
            .collect::<Vec<_>>()
            .join("、")
    };
    vec![
        join(&g.words),
        join(&g.typed),
        g.category
            .as_ref()
            .map(|c| c.value.clone())
            .unwrap_or_default(),
        g.note.clone().unwrap_or_default(),
    ]
}

fn csv_bytes(rows: &[Vec<String>]) -> Vec<u8> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .quote_style(csv::QuoteStyle::Necessary)
            .from_writer(&mut out);
        let header: Vec<String> = synonym_columns().into_iter().map(|c| c.label).collect();
        // Writing to a Vec cannot fail.
        let _ = w.write_record(&header);
        for r in rows {
            let _ = w.write_record(r.iter().map(|cell| guard_formula(cell).into_owned()));
        }
        let _ = w.flush();
    }
    out
}

/// What an import wrote.
#[derive(Debug)]
pub struct SynonymImport {
    pub groups: usize,
    pub encoding: CsvEncoding,
}

/// Reads the CSV at `csv_path` and writes data/synonyms.yaml of `root`
/// (refused when the file exists, unless `force`). Nothing is written when
/// any row has a problem.
pub fn import(root: &Path, csv_path: &Path, force: bool) -> Result<SynonymImport, Diagnostics> {
    let name = csv_path.display().to_string();
    let fail = |row: u32, msg: String, hint: &str| {
        Diagnostics(vec![Diagnostic::error(&name, row, 0, msg).hint(hint)])
    };
    let bytes = std::fs::read(csv_path).map_err(|e| {
        fail(
            0,
            format!("CSV を読めません: {e}"),
            "ファイルの場所を確かめてください",
        )
    })?;
    let (text, encoding) = decode(&bytes).map_err(|p| {
        fail(
            p.line,
            p.message,
            "Excel で「CSV UTF-8」として保存し直してください",
        )
    })?;
    let groups = read_groups(&text, &name)?;
    let yaml = yaml_text(&groups);
    check_rows(&yaml, &groups, &name)?;
    let target = root.join(FILE);
    if target.exists() && !force {
        return Err(fail(
            0,
            format!("{FILE} は既にあります (上書きしません)"),
            "CSV の内容で置き換えるときは --force を付けてください",
        ));
    }
    super::write_files_atomically(&[(target, yaml.into_bytes())]).map_err(|e| {
        fail(
            0,
            format!("{FILE} を書けません: {e}"),
            "フォルダの権限を確かめてください",
        )
    })?;
    Ok(SynonymImport {
        groups: groups.len(),
        encoding,
    })
}

/// One CSV row: its row number (1 = header) and the cells of the group.
struct GroupRow {
    row: u32,
    words: Vec<String>,
    typed: Vec<String>,
    category: String,
    note: String,
}

fn read_groups(text: &str, name: &str) -> Result<Vec<GroupRow>, Diagnostics> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(false)
        .from_reader(text.as_bytes());
    let expected: Vec<String> = synonym_columns().into_iter().map(|c| c.label).collect();
    let mut groups = Vec::new();
    let mut diags = Diagnostics::default();
    for (i, record) in reader.records().enumerate() {
        let row = i as u32 + 1;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                diags.push(
                    Diagnostic::error(name, row, 0, format!("{row}行目を読めません: {e}")).hint(
                        format!("列は {} の {} 列です", expected.join(","), expected.len()),
                    ),
                );
                continue;
            }
        };
        let cells: Vec<String> = record
            .iter()
            .map(|c| unguard_formula(c.trim()).to_string())
            .collect();
        if row == 1 {
            if cells != expected {
                diags.push(
                    Diagnostic::error(name, 1, 0, format!("見出しが違います: {}", cells.join(",")))
                        .hint(format!("1行目は {} にしてください", expected.join(","))),
                );
            }
            continue;
        }
        if cells.iter().all(|c| c.is_empty()) {
            continue;
        }
        let split = |c: &str| -> Vec<String> {
            c.split(SEPARATORS)
                .map(str::trim)
                .filter(|w| !w.is_empty())
                .map(str::to_string)
                .collect()
        };
        let cell = |k: usize| cells.get(k).cloned().unwrap_or_default();
        groups.push(GroupRow {
            row,
            words: split(&cell(0)),
            typed: split(&cell(1)),
            category: cell(2),
            note: cell(3),
        });
    }
    if diags.iter().next().is_some() {
        return Err(diags);
    }
    Ok(groups)
}

/// A YAML scalar: bare when YAML reads it back as the same string, else
/// double-quoted (JSON string syntax is valid YAML).
fn scalar(s: &str) -> String {
    let plain = !s.is_empty()
        && !s.starts_with([
            '-', '?', ':', '!', '&', '*', '|', '>', '\'', '"', '%', '@', '`', '#', ' ',
        ])
        && !s.contains([',', '[', ']', '{', '}', '#', ':', '"', '\''])
        && !s.ends_with(' ')
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "true" | "false" | "null" | "yes" | "no" | "on" | "off" | "~"
        )
        && s.parse::<f64>().is_err();
    if plain {
        s.to_string()
    } else {
        serde_json::to_string(s).expect("a string serialises")
    }
}

/// The YAML of the groups, one group per entry, in row order.
fn yaml_text(groups: &[GroupRow]) -> String {
    let list = |ws: &[String]| {
        format!(
            "[{}]",
            ws.iter().map(|w| scalar(w)).collect::<Vec<_>>().join(", ")
        )
    };
    let mut out = String::from(
        "# yaml-language-server: $schema=../schemas/synonyms.schema.json\n\
         # 検索の言い換え (ohisama import synonyms で CSV から作成)。書き方は docs/DATA.md\n",
    );
    for g in groups {
        out.push_str(&format!("- words: {}\n", list(&g.words)));
        if !g.typed.is_empty() {
            out.push_str(&format!("  typed: {}\n", list(&g.typed)));
        }
        if !g.category.is_empty() {
            out.push_str(&format!("  category: {}\n", scalar(&g.category)));
        }
        if !g.note.is_empty() {
            out.push_str(&format!("  note: {}\n", scalar(&g.note)));
        }
    }
    out
}

/// The rules of `check` on the YAML about to be written, each reported at
/// the CSV row of its group.
fn check_rows(yaml: &str, groups: &[GroupRow], name: &str) -> Result<(), Diagnostics> {
    // The YAML is made here from cells; a cell YAML cannot hold is reported as it is.
    let parsed: Vec<S<SynonymGroup>> = crate::load::parse_yaml(yaml).map_err(|p| {
        let mut d = p.into_diagnostic(name);
        d.message = format!("CSV から言い換えの YAML を作れませんでした: {}", d.message);
        Diagnostics(vec![d])
    })?;
    let mut c = Checker::default();
    crate::kinds::synonyms::check(&mut c, &Some((FILE.to_string(), parsed.clone())));
    if !c.diags.has_errors() {
        return Ok(());
    }
    let starts: Vec<u32> = parsed
        .iter()
        .map(|g| crate::kinds::common::pos(g).0)
        .collect();
    let mut out = Diagnostics::default();
    for d in c.diags.iter().filter(|d| d.is_error()) {
        let gi = starts.iter().rposition(|&s| s <= d.line).unwrap_or(0);
        let row = groups.get(gi).map_or(0, |g| g.row);
        let mut d = d.clone();
        d.message = format!("{row}行目: {}", d.message);
        d.file = name.to_string();
        d.line = row;
        d.column = 0;
        d.source_line = None;
        out.push(d);
    }
    Err(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_that_yaml_would_change_are_quoted() {
        assert_eq!(scalar("胃ろう"), "胃ろう");
        assert_eq!(scalar("#8000"), "\"#8000\"");
        assert_eq!(scalar("no"), "\"no\"");
        assert_eq!(scalar("119"), "\"119\"");
        assert_eq!(scalar("a, b"), "\"a, b\"");
    }
}
