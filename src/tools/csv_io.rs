//! `ohisama import` / `ohisama export`: the directory as a CSV that Excel opens
//! and saves (UTF-8 with BOM or Shift_JIS/CP932, Japanese headers).
//!
//! Import checks every row first (row-numbered Japanese errors with hints for
//! the usual Excel accidents), then the files it would write (with the same
//! validator as `check`), and only then writes all files, each through a
//! temp file and a rename. Export writes the same layout back, so
//! CSV → YAML → CSV is byte for byte the same.

use super::data::{
    TableColumn, Vocab, VocabKind, centres_of, contact_columns, contacts_of, facilities_of,
    facility_columns, fold, values_of,
};
use super::yaml_out::{self, Origins, YamlText};
use crate::date::Date;
use crate::diagnostic::{Diagnostic, Diagnostics, Severity};
use crate::kinds::centres::Centre;
use crate::kinds::contacts::{ContactFile, TelKind, Window};
use crate::kinds::facilities::{FACILITY_LIST_KINDS, Facility};
use crate::kinds::glossary::Term;
use crate::load::parse_yaml;
use crate::model::S;
use crate::text_check::{self, MAX_REPORTED};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use unicode_normalization::UnicodeNormalization as _;

/// Which list a CSV holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DataKind {
    /// 窓口 (data/contacts/)
    Contacts,
    /// 施設 (data/facilities/)
    Facilities,
    /// 支援センター (data/centres.yaml)
    Centres,
    /// 用語集 (data/glossary.yaml)
    Glossary,
}

impl DataKind {
    /// The columns of the CSV in order: header (the field's label) and YAML key.
    pub fn columns(self) -> &'static [TableColumn] {
        match self {
            DataKind::Contacts => contact_columns(),
            DataKind::Facilities => facility_columns(),
            DataKind::Centres => super::data::centre_columns(),
            DataKind::Glossary => super::data::glossary_columns(),
        }
    }

    /// `contacts` / `facilities`: the folder under data/ and the command word.
    pub fn word(self) -> &'static str {
        match self {
            DataKind::Contacts => "contacts",
            DataKind::Facilities => "facilities",
            DataKind::Centres => "centres",
            DataKind::Glossary => "glossary",
        }
    }

    /// What the kind's data is under the site folder: a folder (`data/contacts/`)
    /// or one file (`data/centres.yaml`).
    pub fn data_path(self) -> String {
        match self {
            DataKind::Centres => format!("data/{}", crate::kinds::centres::FILE),
            DataKind::Glossary => format!("data/{}", crate::kinds::glossary::FILE),
            _ => format!("data/{}/", self.word()),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            DataKind::Contacts => "窓口",
            DataKind::Facilities => "施設",
            DataKind::Centres => "支援センター",
            DataKind::Glossary => "用語集",
        }
    }

    /// The other kinds (a header of one of them names the right command).
    fn others(self) -> impl Iterator<Item = DataKind> {
        [
            DataKind::Contacts,
            DataKind::Facilities,
            DataKind::Centres,
            DataKind::Glossary,
        ]
        .into_iter()
        .filter(move |k| *k != self)
    }

    /// A column added after the editors had their CSV files: a CSV without
    /// it still imports (its cells read as empty).
    fn is_optional(self, key: &str) -> bool {
        matches!(
            (self, key),
            (
                DataKind::Contacts,
                "hours" | "holidays" | "address" | "fax" | "channels" | "ward"
            ) | (DataKind::Facilities, "visits" | "intake" | "intake_checked")
        )
    }

    /// The header line as Excel shows it (comma separated).
    pub fn header_line(self) -> String {
        self.columns()
            .iter()
            .map(|c| c.label.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// The text encoding a CSV was read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvEncoding {
    Utf8Bom,
    Utf8,
    ShiftJis,
    Utf16,
}

impl CsvEncoding {
    pub fn label(self) -> &'static str {
        match self {
            CsvEncoding::Utf8Bom => "UTF-8 (BOM 付き)",
            CsvEncoding::Utf8 => "UTF-8",
            CsvEncoding::ShiftJis => "Shift_JIS (CP932)",
            CsvEncoding::Utf16 => "UTF-16",
        }
    }
}

/// Where decoding failed: 1-based line of the file, and what was tried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodingProblem {
    pub line: u32,
    pub message: String,
}

/// Decodes a CSV as Excel saves it: UTF-8 (with or without BOM), Shift_JIS
/// (CP932, Excel's 「CSV (コンマ区切り)」 on Japanese Windows) or UTF-16 with BOM.
pub fn decode(bytes: &[u8]) -> Result<(String, CsvEncoding), EncodingProblem> {
    let line_at = |pos: usize| bytes[..pos].iter().filter(|&&b| b == b'\n').count() as u32 + 1;
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return match std::str::from_utf8(rest) {
            Ok(t) => Ok((t.to_string(), CsvEncoding::Utf8Bom)),
            Err(e) => Err(EncodingProblem {
                line: line_at(3 + e.valid_up_to()),
                message: "UTF-8 (BOM 付き) のファイルに UTF-8 として読めない文字があります"
                    .to_string(),
            }),
        };
    }
    for (bom, enc) in [
        (&b"\xFF\xFE"[..], encoding_rs::UTF_16LE),
        (&b"\xFE\xFF"[..], encoding_rs::UTF_16BE),
    ] {
        if let Some(rest) = bytes.strip_prefix(bom) {
            return match enc.decode_without_bom_handling_and_without_replacement(rest) {
                Some(t) => Ok((t.into_owned(), CsvEncoding::Utf16)),
                None => Err(EncodingProblem {
                    line: 1,
                    message: "UTF-16 のファイルとして読めません".to_string(),
                }),
            };
        }
    }
    let utf8_err = match std::str::from_utf8(bytes) {
        Ok(t) => return Ok((t.to_string(), CsvEncoding::Utf8)),
        Err(e) => e.valid_up_to(),
    };
    let sjis_err = match sjis_valid_up_to(bytes) {
        None => {
            // CP932 has one byte pair for 〜: read it as the WAVE DASH the data uses.
            let text = encoding_rs::SHIFT_JIS
                .decode_without_bom_handling_and_without_replacement(bytes)
                .map(|t| t.replace('\u{FF5E}', "\u{301C}"))
                .unwrap_or_default();
            return Ok((text, CsvEncoding::ShiftJis));
        }
        Some(pos) => pos,
    };
    // The encoding that read further is probably the intended one: report where it broke.
    Err(EncodingProblem {
        line: line_at(utf8_err.max(sjis_err)),
        message: "文字コードを読み取れません (UTF-8 でも Shift_JIS でもありません)".to_string(),
    })
}

/// `None` when the bytes are valid Shift_JIS (CP932), else the offset of the first bad byte.
fn sjis_valid_up_to(bytes: &[u8]) -> Option<usize> {
    let mut decoder = encoding_rs::SHIFT_JIS.new_decoder_without_bom_handling();
    let mut out = String::with_capacity(
        decoder
            .max_utf8_buffer_length_without_replacement(bytes.len())
            .unwrap_or(bytes.len() * 3),
    );
    let mut read_total = 0;
    loop {
        let (result, read) =
            decoder.decode_to_string_without_replacement(&bytes[read_total..], &mut out, true);
        read_total += read;
        match result {
            encoding_rs::DecoderResult::InputEmpty => return None,
            encoding_rs::DecoderResult::OutputFull => out.reserve(bytes.len()),
            encoding_rs::DecoderResult::Malformed(bad, extra) => {
                return Some(read_total.saturating_sub(bad as usize + extra as usize));
            }
        }
    }
}

/// `A`, `B`, … `Z`, `AA`: the Excel name of a 1-based column.
pub fn column_letter(mut n: u32) -> String {
    let mut s = Vec::new();
    while n > 0 {
        let r = ((n - 1) % 26) as u8;
        s.push(b'A' + r);
        n = (n - 1) / 26;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

/// One data row, its cells in the order of [`DataKind::columns`].
#[derive(Debug, Clone)]
struct Row {
    /// Excel row number (the header is row 1).
    row: u32,
    cells: Vec<String>,
    /// 1-based column of each cell in the file.
    cols: Vec<u32>,
    kind: DataKind,
}

impl Row {
    fn index(&self, key: &str) -> usize {
        self.kind
            .columns()
            .iter()
            .position(|c| c.key == key)
            .expect("known key")
    }

    fn get(&self, key: &str) -> &str {
        &self.cells[self.index(key)]
    }

    fn opt(&self, key: &str) -> Option<String> {
        let v = self.get(key);
        (!v.is_empty()).then(|| v.to_string())
    }

    fn col(&self, key: &str) -> u32 {
        self.cols[self.index(key)]
    }

    fn header(&self, key: &str) -> &'static str {
        &self.kind.columns()[self.index(key)].label
    }
}

/// What an import wrote.
#[derive(Debug)]
pub struct ImportReport {
    /// Relative paths of the files written, in write order, with the number of entries of each.
    pub written: Vec<(String, usize)>,
    pub rows: usize,
    pub encoding: CsvEncoding,
    /// Warnings (e.g. an old 確認日), by CSV row.
    pub warnings: Diagnostics,
}

#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// The site folder.
    pub root: PathBuf,
    pub csv: PathBuf,
    /// Overwrite existing files.
    pub force: bool,
}

struct Importer<'a> {
    file: String,
    kind: DataKind,
    vocab: &'a Vocab,
    diags: Diagnostics,
}

/// Cell text: surrounding spaces (also full-width and no-break) removed, the
/// formula guard of [`guard_formula`] taken off, CRLF → LF.
fn clean(s: &str) -> String {
    unguard_formula(s.trim_matches(char::is_whitespace)).replace("\r\n", "\n")
}

/// First characters that make a spreadsheet read a cell as a formula (OWASP
/// CSV injection: `=` `+` `-` `@` TAB CR), and the full-width `＝` `＋` `－` `＠`
/// that Japanese Excel also turns into a formula.
const FORMULA_STARTS: [char; 10] = ['=', '+', '-', '@', '\t', '\r', '＝', '＋', '－', '＠'];

/// Zero or more `'` and then a formula start: the values the guard applies to.
/// The `'`s count so that a value that itself starts with `'` before a formula
/// start (`'=x`) gets a guard too, and import gives it back unchanged.
fn quotes_then_formula(s: &str) -> bool {
    s.trim_start_matches('\'').starts_with(FORMULA_STARTS)
}

/// A value as an exported cell: with a leading `'` when a spreadsheet would
/// read it as a formula (`=HYPERLINK(…)` stays text). A lone `-` (the usual
/// "none" placeholder) cannot be a formula and is left as it is.
pub fn guard_formula(value: &str) -> std::borrow::Cow<'_, str> {
    if value != "-" && quotes_then_formula(value) {
        format!("'{value}").into()
    } else {
        value.into()
    }
}

/// The inverse of [`guard_formula`]: one leading `'` is removed when `'`s and
/// a formula start follow it; any other cell is the value as it is.
pub fn unguard_formula(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if quotes_then_formula(rest) => rest,
        _ => cell,
    }
}

impl Importer<'_> {
    fn error(&mut self, row: &Row, key: &str, message: String, hint: impl Into<String>) {
        let col = row.col(key);
        self.diags.push(
            Diagnostic::error(
                &self.file,
                row.row,
                col,
                format!(
                    "{}行目 {}列「{}」: {message}",
                    row.row,
                    column_letter(col),
                    row.header(key)
                ),
            )
            .hint(hint),
        );
    }

    /// Reports every cell holding NUL, a control character or a stray BOM
    /// (the first [`MAX_REPORTED`] of them) at its row and column; true if any.
    /// The cells are looked at as read, before spaces are trimmed.
    fn has_forbidden_chars(&mut self, records: &[(u32, Vec<String>)]) -> bool {
        let header = records.first().map(|(_, h)| h.as_slice()).unwrap_or(&[]);
        let mut count = 0;
        for (row, cells) in records {
            for (j, cell) in cells.iter().enumerate() {
                let Some((position, ch)) = text_check::first_forbidden(cell) else {
                    continue;
                };
                count += 1;
                if count > MAX_REPORTED {
                    continue;
                }
                let col = j as u32 + 1;
                let name = header
                    .get(j)
                    .map(|h| text_check::visible(&clean(h)))
                    .filter(|h| !h.is_empty() && *row > 1);
                let place = match name {
                    Some(h) => format!("{row}行目 {}列「{h}」", column_letter(col)),
                    None => format!("{row}行目 {}列", column_letter(col)),
                };
                self.diags.push(
                    Diagnostic::error(
                        &self.file,
                        *row,
                        col,
                        format!(
                            "{place}: {} {} が入っています (セルの {position} 文字目)",
                            text_check::kind_of(ch),
                            text_check::char_label(ch)
                        ),
                    )
                    .hint(text_check::hint_for(ch, text_check::Spelling::Raw)),
                );
            }
        }
        if count > MAX_REPORTED {
            self.diags.push(
                Diagnostic::error(
                    &self.file,
                    0,
                    0,
                    format!(
                        "ほかにも {} 個のセルに制御文字などがあります",
                        count - MAX_REPORTED
                    ),
                )
                .hint("Excel で「CSV UTF-8 (コンマ区切り)」で保存し直すと直ることがあります"),
            );
        }
        count > 0
    }

    /// Reads the records; the header becomes the column map.
    fn table(&mut self, text: &str) -> Option<Vec<Row>> {
        let records = self.read_records(text)?;
        if self.has_forbidden_chars(&records) {
            return None;
        }
        let Some((_, header)) = records.first() else {
            self.diags.push(
                Diagnostic::error(&self.file, 0, 0, "ファイルが空です").hint(format!(
                    "1行目に見出し {} を、2行目から{}を1行ずつ書いてください",
                    self.kind.header_line(),
                    self.kind.label()
                )),
            );
            return None;
        };
        let col_of = self.map_header(header)?;
        let rows = self.data_rows(records, &col_of);
        if rows.is_empty() {
            self.diags.push(
                Diagnostic::error(
                    &self.file,
                    1,
                    0,
                    format!("{}の行がありません", self.kind.label()),
                )
                .hint(format!(
                    "2行目から{}を1行ずつ書いてください",
                    self.kind.label()
                )),
            );
            return None;
        }
        Some(rows)
    }

    /// The records of the CSV with their row numbers (tab separated when the
    /// first line has tabs and no commas).
    fn read_records(&mut self, text: &str) -> Option<Vec<(u32, Vec<String>)>> {
        let first_line = text.lines().next().unwrap_or("");
        let delimiter = if first_line.contains('\t') && !first_line.contains(',') {
            b'\t'
        } else {
            b','
        };
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .from_reader(text.as_bytes());
        let mut records: Vec<(u32, Vec<String>)> = Vec::new();
        for (i, rec) in reader.records().enumerate() {
            let row = i as u32 + 1;
            match rec {
                Ok(r) => records.push((row, r.iter().map(str::to_string).collect())),
                Err(e) => {
                    self.diags.push(
                        Diagnostic::error(
                            &self.file,
                            row,
                            0,
                            format!("{row}行目を CSV として読めません ({})", csv_reason(&e)),
                        )
                        .hint("Excel で開いて「CSV UTF-8 (コンマ区切り)」で保存し直してください"),
                    );
                    return None;
                }
            }
        }
        Some(records)
    }

    /// For each column of the kind, the index of its cell in a record; an
    /// error for each unknown, repeated or missing header.
    fn map_header(&mut self, header: &[String]) -> Option<Vec<Option<usize>>> {
        let columns = self.kind.columns();
        let mut col_of: Vec<Option<usize>> = vec![None; columns.len()];
        let mut header_ok = true;
        for (j, h) in header.iter().enumerate() {
            let name = clean(h);
            if name.is_empty() {
                continue;
            }
            let col = j as u32 + 1;
            match columns.iter().position(|c| fold(&c.label) == fold(&name)) {
                Some(k) if col_of[k].is_some() => {
                    header_ok = false;
                    self.diags.push(
                        Diagnostic::error(
                            &self.file,
                            1,
                            col,
                            format!(
                                "1行目 {}列: 見出し「{name}」が2回あります",
                                column_letter(col)
                            ),
                        )
                        .hint("どちらか一方の列を消してください"),
                    );
                }
                Some(k) => col_of[k] = Some(j),
                None => {
                    header_ok = false;
                    self.unknown_header(col, &name);
                }
            }
        }
        if self.missing_columns(header, &col_of) {
            header_ok = false;
        }
        if !header_ok {
            return None;
        }
        Some(col_of)
    }

    /// A header that names no column: with the nearest column names.
    fn unknown_header(&mut self, col: u32, name: &str) {
        let columns = self.kind.columns();
        let expected_line = self.kind.header_line();
        let near = crate::diagnostic::nearest(name, columns.iter().map(|c| c.label.as_str()));
        let guess = if near.is_empty() {
            String::new()
        } else {
            format!("もしかして「{}」? ", near.join("」「"))
        };
        self.diags.push(
            Diagnostic::error(
                &self.file,
                1,
                col,
                format!(
                    "1行目 {}列: 知らない見出し「{name}」があります",
                    column_letter(col)
                ),
            )
            .expected(expected_line.clone())
            .hint(format!(
                "{guess}見出しは上の名前にしてください。メモ用の列は作らず、備考に書いてください"
            )),
        );
    }

    /// An error for each column of the kind the header lacks (with a hint
    /// when the header is the other kind's); true if any is missing.
    fn missing_columns(&mut self, header: &[String], col_of: &[Option<usize>]) -> bool {
        let columns = self.kind.columns();
        let expected_line = self.kind.header_line();
        let missing: Vec<&str> = columns
            .iter()
            .zip(col_of)
            .filter(|(col, c)| c.is_none() && !self.kind.is_optional(col.key))
            .map(|(c, _)| c.label.as_str())
            .collect();
        if missing.is_empty() {
            return false;
        }
        let looks_other = self.kind.others().find(|other| {
            other
                .columns()
                .iter()
                .filter(|h| {
                    other.is_optional(h.key)
                        || header.iter().any(|c| fold(&clean(c)) == fold(&h.label))
                })
                .count()
                == other.columns().len()
        });
        let hint = if let Some(other) = looks_other {
            format!(
                "これは{}の CSV のようです。`ohisama import {}` を使ってください",
                other.label(),
                other.word()
            )
        } else {
            "1行目 (見出し) を上のとおりにしてください (列の順番は自由です)。見出しの行を消したり書き換えたりしていないか確認してください".to_string()
        };
        for m in &missing {
            self.diags.push(
                Diagnostic::error(
                    &self.file,
                    1,
                    0,
                    format!("1行目: 必要な列「{m}」がありません"),
                )
                .expected(expected_line.clone())
                .hint(hint.clone()),
            );
        }
        true
    }

    /// The data rows (blank ones skipped), each cell under its column; an
    /// error for a cell written in a column without a header.
    fn data_rows(
        &mut self,
        records: Vec<(u32, Vec<String>)>,
        col_of: &[Option<usize>],
    ) -> Vec<Row> {
        let mut rows = Vec::new();
        for (row, cells) in records.into_iter().skip(1) {
            if cells.iter().all(|c| clean(c).is_empty()) {
                continue; // rows Excel keeps after the data
            }
            let used: BTreeSet<usize> = col_of.iter().flatten().copied().collect();
            for (j, c) in cells.iter().enumerate() {
                if !used.contains(&j) && !clean(c).is_empty() {
                    let col = j as u32 + 1;
                    self.diags.push(
                        Diagnostic::error(
                            &self.file,
                            row,
                            col,
                            format!(
                                "{row}行目 {}列: 見出しのない列に「{}」が書かれています",
                                column_letter(col),
                                clean(c)
                            ),
                        )
                        .hint("セルの中の , (コンマ) で列がずれていないか確認してください。メモは備考の列に書いてください"),
                    );
                }
            }
            rows.push(Row {
                row,
                // A missing optional column: empty cells at column 0.
                cells: col_of
                    .iter()
                    .map(|j| {
                        j.and_then(|j| cells.get(j))
                            .map(|c| clean(c))
                            .unwrap_or_default()
                    })
                    .collect(),
                cols: col_of
                    .iter()
                    .map(|j| j.map_or(0, |j| j as u32 + 1))
                    .collect(),
                kind: self.kind,
            });
        }
        rows
    }

    /// Reports a cell that names two or more entries (they share a name or
    /// a reading) with their ids; false when it names none.
    fn ambiguous(&mut self, row: &Row, key: &str, kind: VocabKind, v: &str) -> bool {
        let ids = self.vocab.resolve_all(kind, v);
        if ids.len() < 2 {
            return false;
        }
        let (list, choice) = (ids.join(", "), ids.join(" / "));
        let message = format!(
            "「{v}」は{}の一覧 ({}) の {} つの項目に当たります (ID: {list})",
            kind.label(),
            kind.file(),
            ids.len()
        );
        let hint = format!("名前ではなく ID ({choice}) のどれかを書いてください");
        self.error(row, key, message, hint);
        true
    }

    /// A required cell.
    fn required(&mut self, row: &Row, key: &str) -> Option<String> {
        let v = row.get(key).to_string();
        if v.is_empty() {
            let header = row.header(key);
            self.error(
                row,
                key,
                "空です".to_string(),
                format!("「{header}」は必ず書いてください"),
            );
            None
        } else {
            Some(v)
        }
    }

    /// A cell naming an entry of a vocabulary (by Japanese name or id).
    fn term(&mut self, row: &Row, key: &str, kind: VocabKind) -> Option<String> {
        let v = self.required(row, key)?;
        match self.vocab.resolve(kind, &v) {
            Some(id) => Some(id.to_string()),
            None if self.ambiguous(row, key, kind, &v) => None,
            None => {
                let hint = self.vocab.suggest(kind, &v);
                self.error(
                    row,
                    key,
                    format!(
                        "「{v}」は{}の一覧 ({}) にありません",
                        kind.label(),
                        kind.file()
                    ),
                    hint,
                );
                None
            }
        }
    }

    fn tel(&mut self, row: &Row) -> Result<Option<String>, ()> {
        let Some(v) = row.opt("tel") else {
            return Ok(None);
        };
        match check_tel(&v) {
            Ok(t) => Ok(Some(t)),
            Err((msg, hint)) => {
                self.error(row, "tel", msg, hint);
                Err(())
            }
        }
    }

    fn url(&mut self, row: &Row) -> Result<Option<String>, ()> {
        let Some(v) = row.opt("url") else {
            return Ok(None);
        };
        // The same rule as `check` (src/url_rule.rs), so an import never writes a refused URL.
        let ok = crate::url_rule::check(&v, crate::url_rule::Place::DataUrl).is_ok();
        if ok {
            Ok(Some(v))
        } else {
            self.error(
                row,
                "url",
                format!("URL「{v}」は使えません"),
                "http:// または https:// で始まる URL を、空白を入れずに書いてください",
            );
            Err(())
        }
    }

    fn date(&mut self, row: &Row) -> Result<Option<Date>, ()> {
        let Some(v) = row.opt("updated") else {
            return Ok(None);
        };
        match parse_date(&v) {
            Ok(d) => Ok(Some(d)),
            Err((msg, hint)) => {
                self.error(row, "updated", msg, hint);
                Err(())
            }
        }
    }

    /// 直通 / 代表 (or their spellings, see [`TelKind::from_cell`]); `Err` when unreadable.
    fn tel_kind(&mut self, row: &Row) -> Result<Option<TelKind>, ()> {
        let cell = fold(row.get("tel_kind"));
        if cell.is_empty() {
            return Ok(None);
        }
        TelKind::from_cell(&cell).map(Some).ok_or_else(|| {
            self.error(
                row,
                "tel_kind",
                format!("「{cell}」は使えません"),
                "直通 (所管課につながる) か 代表 (交換手につながる) と書いてください",
            );
        })
    }

    /// ○ or empty (or their look-alikes, see [`parse_flag`]).
    fn general(&mut self, row: &Row) -> Option<bool> {
        let flag = parse_flag(row.get("general"));
        if flag.is_none() {
            self.error(
                row,
                "general",
                format!("「{}」は読めません", row.get("general")),
                "各種相談を受ける窓口なら ○、そうでなければ空にしてください",
            );
        }
        flag
    }

    /// A window of a contacts row with its municipality and 確認日.
    fn contact_row(&mut self, row: &Row) -> Option<(String, Window, Option<Date>)> {
        let municipality = self.term(row, "municipality", VocabKind::Municipality);
        let name = self.required(row, "name");
        let field = self.term(row, "field", VocabKind::Field);
        let general = self.general(row);
        let tel = self.tel(row);
        let tel_kind = self.tel_kind(row);
        let url = self.url(row);
        let date = self.date(row);
        let note = row.opt("note");
        let (Some(municipality), Some(name), Some(field), Some(general)) =
            (municipality, name, field, general)
        else {
            return None;
        };
        let (Ok(tel), Ok(tel_kind), Ok(url), Ok(date)) = (tel, tel_kind, url, date) else {
            return None;
        };
        let window = Window {
            name: S::new(name),
            field: S::new(field),
            general: general.then(|| S::new(true)),
            detail: row.opt("detail"),
            tel: tel.map(S::new),
            tel_kind: tel_kind.map(S::new),
            note,
            url: url.map(S::new),
            hours: row.opt("hours").map(S::new),
            holidays: row.opt("holidays"),
            address: row.opt("address"),
            fax: row.opt("fax").map(S::new),
            channels: row
                .get("channels")
                .split(CARE_SEPARATORS)
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(|v| S::new(v.to_string()))
                .collect(),
            ward: row.opt("ward").map(S::new),
        };
        self.window_has_contact(row, &window)
            .then_some((municipality, window, date))
    }

    /// A number needs 直通/代表 and the other way round; some contact is needed.
    fn window_has_contact(&mut self, row: &Row, w: &Window) -> bool {
        let mut ok = true;
        if w.tel.is_some() && w.tel_kind.is_none() {
            self.error(
                row,
                "tel_kind",
                "電話番号があるのに、直通か代表かが書かれていません".to_string(),
                "所管課に直接つながるなら 直通、交換手につながるなら 代表 と書いてください",
            );
            ok = false;
        }
        if w.tel.is_none() && w.tel_kind.is_some() {
            self.error(
                row,
                "tel_kind",
                "電話番号がないのに直通/代表が書かれています".to_string(),
                "電話番号を書くか、直通/代表を空にしてください",
            );
            ok = false;
        }
        if w.tel.is_none() && w.note.is_none() && w.url.is_none() {
            self.error(
                row,
                "tel",
                "連絡先 (電話・備考・URL) が1つもありません".to_string(),
                "電話番号がない場合は備考に「お住まいの区の窓口へ」などと書いてください",
            );
            ok = false;
        }
        ok
    }

    /// The care ids of a cell: names or ids separated by 、 (or look-alikes), each once.
    fn care(&mut self, row: &Row) -> Result<Vec<String>, ()> {
        let mut care = Vec::new();
        let mut care_ok = true;
        for item in row
            .get("care")
            .split(CARE_SEPARATORS)
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            match self.vocab.resolve(VocabKind::Care, item) {
                Some(id) if care.iter().any(|c| c == id) => {
                    care_ok = false;
                    self.error(
                        row,
                        "care",
                        format!("「{item}」が2回書かれています"),
                        "1回だけ書いてください",
                    );
                }
                Some(id) => care.push(id.to_string()),
                None if self.ambiguous(row, "care", VocabKind::Care, item) => care_ok = false,
                None => {
                    care_ok = false;
                    let hint = self.vocab.suggest(VocabKind::Care, item);
                    self.error(
                        row,
                        "care",
                        format!("「{item}」は医療的ケアの一覧 (care.yaml) にありません"),
                        format!("{hint}。複数のときは 、(読点) で区切ります"),
                    );
                }
            }
        }
        if care_ok { Ok(care) } else { Err(()) }
    }

    /// The `id` cell: required, a slug (with a suggestion when it is almost one).
    fn slug_id(&mut self, row: &Row) -> Option<String> {
        self.required(row, "id").and_then(|id| {
            if is_slug(&id) {
                Some(id)
            } else {
                let suggestion = slugify(&id);
                let hint = if suggestion.is_empty() {
                    "半角英小文字・数字・ハイフンで書いてください (例: yokohama-hoshi-clinic)"
                        .to_string()
                } else {
                    format!("半角英小文字・数字・ハイフンで `{suggestion}` のように書いてください")
                };
                self.error(
                    row,
                    "id",
                    format!("ID「{id}」に使えない文字があります"),
                    hint,
                );
                None
            }
        })
    }

    fn facility_row(&mut self, row: &Row) -> Option<Facility> {
        let id = self.slug_id(row);
        let name = self.required(row, "name");
        let kind = self.term(row, "type", VocabKind::Type);
        let municipality = self.term(row, "municipality", VocabKind::Municipality);
        let tel = self.tel(row);
        let url = self.url(row);
        let date = self.date(row);
        let care = self.care(row);
        let (Some(id), Some(name), Some(kind), Some(municipality)) = (id, name, kind, municipality)
        else {
            return None;
        };
        let (Ok(tel), Ok(url), Ok(date), Ok(care)) = (tel, url, date, care) else {
            return None;
        };
        Some(Facility {
            id: S::new(id),
            name: S::new(name),
            kana: row.get("kana").to_string(),
            kind: S::new(kind),
            municipality: S::new(municipality),
            address: row.opt("address"),
            tel: tel.map(S::new),
            url: url.map(S::new),
            care: care.into_iter().map(S::new).collect(),
            ages: row.opt("ages"),
            // Not `/`: it joins a ward to its city (yokohama/kohoku).
            visits: row
                .get("visits")
                .split(AREA_SEPARATORS)
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(|v| S::new(v.to_string()))
                .collect(),
            intake: row.opt("intake").map(|v| {
                S::new(
                    crate::kinds::facility_facts::Intake::from_cell(&fold(&v))
                        .unwrap_or(crate::kinds::facility_facts::Intake::Unknown(v)),
                )
            }),
            intake_checked: row.opt("intake_checked").map(S::new),
            note: row.opt("note"),
            updated: date.map(|d| S::new(d.to_string())),
        })
    }
}

/// The glossary CSV: one row per term; aliases and related pages separated by 、.
impl Importer<'_> {
    fn glossary_row(&mut self, row: &Row) -> Option<Term> {
        let id = self.slug_id(row);
        let term = self.required(row, "term");
        let reading = self.required(row, "reading");
        let plain = self.required(row, "plain");
        let aliases = self.items(row, "aliases");
        let related = self.items(row, "related");
        let (Some(id), Some(term), Some(reading), Some(plain), Ok(aliases), Ok(related)) =
            (id, term, reading, plain, aliases, related)
        else {
            return None;
        };
        Some(Term {
            id: S::new(id),
            term: S::new(term),
            reading: S::new(reading),
            plain: S::new(plain),
            aliases: aliases.into_iter().map(S::new).collect(),
            related: related.into_iter().map(S::new).collect(),
        })
    }
}

/// Items of a list cell (aliases, paths): separated by 、 , ; or a line
/// break (not `/`, which a path holds), each once.
impl Importer<'_> {
    fn items(&mut self, row: &Row, key: &str) -> Result<Vec<String>, ()> {
        const SEPARATORS: [char; 6] = ['、', ';', '；', ',', '，', '\n'];
        let cell = row.get(key).to_string();
        let mut out: Vec<String> = Vec::new();
        let mut ok = true;
        for item in cell
            .split(SEPARATORS)
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            if out.iter().any(|o| o == item) {
                ok = false;
                self.error(
                    row,
                    key,
                    format!("「{item}」が2回書かれています"),
                    "1回だけ書いてください",
                );
            } else {
                out.push(item.to_string());
            }
        }
        if ok { Ok(out) } else { Err(()) }
    }
}

/// The centres CSV: one row per centre.
impl Importer<'_> {
    fn centre_row(&mut self, row: &Row) -> Option<Centre> {
        let id = self.slug_id(row);
        let name = self.required(row, "name");
        let kana = self.required(row, "kana");
        let regions = self.refs(row, "regions", &|v: &Vocab, item| {
            let folded = fold(item);
            v.regions
                .iter()
                .find(|r| r.id == item || fold(&r.name) == folded)
                .map(|r| r.id.clone())
        });
        let municipalities = self.refs(row, "municipalities", &|v: &Vocab, item| {
            v.resolve(VocabKind::Municipality, item).map(str::to_string)
        });
        let tel = self.required(row, "tel").and(self.tel(row).ok().flatten());
        let tel_kind = self.tel_kind(row);
        let url = self.url(row);
        let date = self.date(row);
        let (Some(id), Some(name), Some(kana), Ok(regions), Ok(municipalities)) =
            (id, name, kana, regions, municipalities)
        else {
            return None;
        };
        let (Some(tel), Ok(tel_kind), Ok(url), Ok(date)) = (tel, tel_kind, url, date) else {
            return None;
        };
        let Some(tel_kind) = tel_kind else {
            self.error(
                row,
                "tel_kind",
                "電話番号があるのに、直通か代表かが書かれていません".to_string(),
                "相談窓口に直接つながるなら 直通、交換手につながるなら 代表 と書いてください",
            );
            return None;
        };
        Some(Centre {
            id: S::new(id),
            name: S::new(name),
            kana: S::new(kana),
            regions: regions.into_iter().map(S::new).collect(),
            municipalities: municipalities.into_iter().map(S::new).collect(),
            detail: row.opt("detail"),
            tel: S::new(tel),
            tel_kind: S::new(tel_kind),
            note: row.opt("note"),
            url: url.map(S::new),
            updated: date.map(|d| S::new(d.to_string())),
        })
    }

    /// A list cell (items separated by 、 or a look-alike), each item an id or
    /// a name that `resolve` knows, each once.
    fn refs(
        &mut self,
        row: &Row,
        key: &str,
        resolve: &dyn Fn(&Vocab, &str) -> Option<String>,
    ) -> Result<Vec<String>, ()> {
        let mut ids: Vec<String> = Vec::new();
        let mut ok = true;
        let cell = row.get(key).to_string();
        for item in cell
            .split(CARE_SEPARATORS)
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            match resolve(self.vocab, item) {
                Some(id) if ids.contains(&id) => {
                    ok = false;
                    let message = format!("「{item}」が2回書かれています");
                    self.error(row, key, message, "1回だけ書いてください");
                }
                Some(id) => ids.push(id),
                None => {
                    ok = false;
                    let header = row.header(key);
                    self.error(
                        row,
                        key,
                        format!("「{item}」は{header}に書ける ID・名前ではありません"),
                        "regions.yaml の地域 ID か municipalities.yaml の市町村名・スラッグを、、(読点) で区切って書いてください",
                    );
                }
            }
        }
        if ok { Ok(ids) } else { Err(()) }
    }
}

fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.split('-').all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// A slug suggestion from an almost-slug (`Yokohama_Clinic 1` → `yokohama-clinic-1`).
fn slugify(s: &str) -> String {
    let folded: String = s.nfkc().collect::<String>().to_ascii_lowercase();
    let mut out = String::new();
    for c in folded.chars() {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if (c == '-' || c == '_' || c == ' ') && !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        } else if !c.is_ascii() {
            return String::new();
        }
    }
    out.trim_end_matches('-').to_string()
}

/// What separates the care items of a cell (the export writes 、).
const CARE_SEPARATORS: [char; 8] = ['、', ';', '；', ',', '，', '\n', '/', '／'];
/// Between the areas of 訪問エリア: the care separators but `/` (`yokohama/kohoku`).
const AREA_SEPARATORS: [char; 6] = ['、', ';', '；', ',', '，', '\n'];

/// `○` / empty and their look-alikes.
fn parse_flag(s: &str) -> Option<bool> {
    match fold(s).as_str() {
        "○" | "〇" | "◯" | "●" | "◎" | "✓" | "✔" | "はい" | "true" | "1" | "yes" | "y"
        | "各種相談" => Some(true),
        "" | "×" | "✕" | "いいえ" | "false" | "0" | "no" | "n" | "-" | "ー" => Some(false),
        _ => None,
    }
}

/// A phone number as typed in Excel: returns it unchanged when valid, else a
/// message and a hint for the usual accidents.
pub fn check_tel(v: &str) -> Result<String, (String, String)> {
    let excel_hint = "Excel が電話番号を数値に変えると先頭の 0 が消えます。セルの書式を「文字列」にして、045-000-1234 のように 0 から始めハイフンで区切って入力し直してください";
    let upper = v.to_ascii_uppercase();
    if upper.contains("E+")
        && upper
            .replace(['.', 'E', '+'], "")
            .bytes()
            .all(|b| b.is_ascii_digit())
    {
        return Err((
            format!("電話番号「{v}」が指数表示 (数値) になっています"),
            excel_hint.to_string(),
        ));
    }
    if v.bytes().all(|b| b.is_ascii_digit()) && !v.starts_with('0') && (8..=10).contains(&v.len()) {
        return Err((
            format!("電話番号「{v}」の先頭の 0 が消えています (Excel が数値に変えたようです)"),
            format!("{excel_hint}。この行は「0{v}」を市外局番から区切った番号のはずです"),
        ));
    }
    if v.bytes().all(|b| b.is_ascii_digit()) && v.starts_with('0') && v.len() >= 10 {
        return Err((
            format!("電話番号「{v}」にハイフンがありません"),
            "市外局番-市内局番-番号 の形で書いてください (例: 045-000-1234, 0465-00-1234)"
                .to_string(),
        ));
    }
    match crate::tel::check(v) {
        Ok(()) => Ok(v.to_string()),
        Err(crate::tel::TelProblem::NotAscii { suggestion }) => Err((
            format!("電話番号「{v}」に全角の数字や記号が含まれています"),
            format!("半角で「{suggestion}」と書いてください"),
        )),
        Err(crate::tel::TelProblem::Malformed) => Err((
            format!("電話番号「{v}」の形が正しくありません"),
            "市外局番から始まる10桁(携帯・IP電話は11桁)をハイフンで区切ってください (例: 045-000-1234, 0465-00-1234)。1つの窓口に番号が複数あるときは備考に書いてください".to_string(),
        )),
    }
}

/// The date 1899-12-30 + `serial` days (Excel's 1900 date system).
fn excel_serial_date(serial: i64) -> Option<Date> {
    let days = serial - 25569; // 1970-01-01 is serial 25569
    // Howard Hinnant's civil_from_days.
    let z = days + 719468;
    let era = z.div_euclid(146097);
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    Date::parse(&format!("{y:04}-{m:02}-{d:02}"))
}

/// A date as Excel may have saved it: `2025-04-01`, `2025/4/1`, `2025/4/1 0:00`,
/// `2025年4月1日`, `令和7年4月1日` / `R7.4.1` → 2025-04-01. A serial number
/// (`45748`) is refused with the date it stands for in the hint.
pub fn parse_date(v: &str) -> Result<Date, (String, String)> {
    let s: String = v.nfkc().collect::<String>();
    let s = s.trim();
    let s = s.split_whitespace().next().unwrap_or(s); // drop a time part
    let format_hint = "2025-04-01 の形 (西暦・半角) で書いてください。Excel ではセルの書式を「文字列」または「yyyy-mm-dd」にします";
    if s.bytes().all(|b| b.is_ascii_digit() || b == b'.') && !s.contains('-') {
        let whole = s.split('.').next().unwrap_or(s);
        if let Ok(n) = whole.parse::<i64>()
            && (1..=2_958_465).contains(&n)
            && whole.len() <= 7
            && !s.contains("..")
            && s.matches('.').count() <= 1
        {
            let hint = match excel_serial_date(n) {
                Some(d) => {
                    format!("Excel の日付のシリアル値のようです ({n} は {d})。{format_hint}")
                }
                None => format_hint.to_string(),
            };
            return Err((format!("確認日「{v}」が数値になっています"), hint));
        }
    }
    let (era_offset, rest) = if let Some(r) = s
        .strip_prefix("令和")
        .or_else(|| s.strip_prefix('R').or_else(|| s.strip_prefix('r')))
    {
        (Some(2018), r)
    } else if let Some(r) = s
        .strip_prefix("平成")
        .or_else(|| s.strip_prefix('H').or_else(|| s.strip_prefix('h')))
    {
        (Some(1988), r)
    } else {
        (None, s)
    };
    let rest = rest.replace("元", "1");
    let parts: Vec<&str> = rest
        .split(['-', '/', '.', '年', '月', '日'])
        .filter(|p| !p.is_empty())
        .collect();
    let bad = || {
        (
            format!("確認日「{v}」は日付として読めません"),
            format_hint.to_string(),
        )
    };
    if parts.len() != 3 || !parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit())) {
        return Err(bad());
    }
    let nums: Vec<i64> = parts.iter().filter_map(|p| p.parse().ok()).collect();
    if nums.len() != 3 {
        return Err(bad());
    }
    let year = match era_offset {
        Some(off) => nums[0] + off,
        None if parts[0].len() == 4 => nums[0],
        None => return Err(bad()),
    };
    Date::parse(&format!("{year:04}-{:02}-{:02}", nums[1], nums[2])).ok_or_else(bad)
}

/// Per generated file: which CSV rows its items came from.
struct RowOrigins<'a> {
    rows: Vec<&'a Row>,
    updated_row: Option<&'a Row>,
}

impl Origins for RowOrigins<'_> {
    fn origin(&self, item: usize, key: &str) -> Option<(u32, u32)> {
        let row = if key == "updated" && self.updated_row.is_some() {
            self.updated_row?
        } else {
            self.rows.get(item)?
        };
        let has_key = row.kind.columns().iter().any(|c| c.key == key);
        Some((row.row, if has_key { row.col(key) } else { 0 }))
    }
}

/// One file an import would write.
struct Planned {
    rel: String,
    municipality: String,
    yaml: YamlText,
    entries: usize,
    first_row: u32,
}

/// Header comments of a file being written: the old file's comments, or a new one.
fn header_for(root: &Path, kind: DataKind, rel: &str, name: &str) -> Vec<String> {
    let existing = std::fs::read_to_string(root.join(rel)).ok();
    let has_schema_line = existing.as_deref().is_some_and(|t| {
        t.lines()
            .next()
            .is_some_and(|l| l.contains("yaml-language-server:"))
    });
    let mut header = Vec::new();
    if has_schema_line
        || root
            .join(format!("schemas/{}.schema.json", kind.word()))
            .is_file()
    {
        let depth = if matches!(kind, DataKind::Centres | DataKind::Glossary) {
            1
        } else {
            2
        };
        header.push(yaml_out::schema_line(kind.word(), depth));
    }
    match existing.as_deref().map(yaml_out::leading_comments) {
        Some(c) if !c.is_empty() => header.extend(c),
        _ => header.push(match kind {
            DataKind::Contacts => format!("# {name}の医療的ケア児に関する問い合わせ窓口"),
            DataKind::Facilities => format!("# {name}の施設・事業所"),
            DataKind::Centres => "# 地域の支援センター".to_string(),
            DataKind::Glossary => "# 用語集 (/glossary/)".to_string(),
        }),
    }
    header
}

/// Imports a CSV into `data/contacts/` or `data/facilities/` of a site.
/// The text of a CSV file (within the size limit, not a workbook, in an
/// encoding Excel saves) and the encoding it was in.
fn read_csv_text(path: &Path, file: &str) -> Result<(String, CsvEncoding), Diagnostics> {
    let fail = |d: Diagnostic| Err(super::single(d));
    let max = crate::load::limits::MAX_CSV_BYTES;
    let bytes = match crate::load::limits::read_at_most(path, max) {
        Ok(b) => b,
        Err(e) => {
            return fail(
                Diagnostic::error(file, 0, 0, format!("CSV ファイルを読めません: {e}"))
                    .hint("ファイル名とフォルダを確認してください"),
            );
        }
    };
    if bytes.len() as u64 > max {
        return fail(
            Diagnostic::error(
                file,
                0,
                0,
                format!("CSV ファイルが大きすぎます (上限 {} MB)", max >> 20),
            )
            .hint("市町村ごとなど、いくつかの CSV に分けて取り込んでください"),
        );
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return fail(
            Diagnostic::error(file, 0, 0, "Excel のブック (.xlsx) のままで、CSV ではありません").hint(
                "Excel の「名前を付けて保存」でファイルの種類「CSV UTF-8 (コンマ区切り)」を選んで保存してください",
            ),
        );
    }
    decode(&bytes).map_err(|p| {
        super::single(
        Diagnostic::error(file, p.line, 0, format!("{}行目: {}", p.line, p.message)).hint(
            "Excel で開き直し、「名前を付けて保存」でファイルの種類「CSV UTF-8 (コンマ区切り)」を選んで保存してください。メールの添付などでファイルが壊れた可能性もあります",
        ))
    })
}

pub fn import(kind: DataKind, opts: &ImportOptions) -> Result<ImportReport, Diagnostics> {
    let file = opts.csv.display().to_string();
    let fail = |d: Diagnostic| Err(super::single(d));
    let (text, encoding) = read_csv_text(&opts.csv, &file)?;
    let (vocab, loaded) = Vocab::load(&opts.root)?;
    let mut im = Importer {
        file: file.clone(),
        kind,
        vocab: &vocab,
        diags: Diagnostics::default(),
    };
    let Some(rows) = im.table(&text) else {
        return Err(grouped(im.diags));
    };
    let planned = match kind {
        DataKind::Contacts => plan_contacts(&mut im, &rows, &opts.root),
        DataKind::Facilities => plan_facilities(&mut im, &rows, &opts.root, &loaded.raw),
        DataKind::Centres => plan_one_file(&mut im, &rows, &opts.root, kind, Importer::centre_row),
        DataKind::Glossary => {
            plan_one_file(&mut im, &rows, &opts.root, kind, Importer::glossary_row)
        }
    };
    if im.diags.has_errors() {
        return Err(grouped(im.diags));
    }
    verify(&mut im, kind, &planned, &loaded.raw);
    if !opts.force {
        for p in &planned {
            if opts.root.join(&p.rel).exists() {
                im.diags.push(
                    Diagnostic::error(&p.rel, 0, 0, format!("{} は既にあります", p.rel)).hint(
                        "上書きするには --force を付けて実行してください (元のファイルは git で戻せます)",
                    ),
                );
            }
        }
    }
    if im.diags.has_errors() {
        return Err(grouped(im.diags));
    }
    let files: Vec<(PathBuf, Vec<u8>)> = planned
        .iter()
        .map(|p| (opts.root.join(&p.rel), p.yaml.text.clone().into_bytes()))
        .collect();
    if let Err(e) = super::write_files_atomically(&files) {
        return fail(
            Diagnostic::error(kind.data_path(), 0, 0, format!("書き込めませんでした: {e}"))
                .hint("フォルダの権限と空き容量を確認してください"),
        );
    }
    Ok(ImportReport {
        written: planned.iter().map(|p| (p.rel.clone(), p.entries)).collect(),
        rows: rows.len(),
        encoding,
        warnings: im.diags,
    })
}

/// The rows of one municipality: rows, windows, and the newest 確認日 with its row.
type ContactGroup<'a> = (Vec<&'a Row>, Vec<Window>, Option<(Date, &'a Row)>);

fn plan_contacts(im: &mut Importer, rows: &[Row], root: &Path) -> Vec<Planned> {
    // by municipality, in order of first appearance
    let mut order: Vec<String> = Vec::new();
    let mut groups: BTreeMap<String, ContactGroup> = BTreeMap::new();
    for row in rows {
        let Some((m, w, date)) = im.contact_row(row) else {
            continue;
        };
        if !groups.contains_key(&m) {
            order.push(m.clone());
        }
        let g = groups.entry(m).or_default();
        if w.is_general() && !g.1.is_empty() {
            im.error(
                row,
                "general",
                "各種相談 (○) は、その市町村の最初の窓口にだけ付けられます".to_string(),
                "各種相談を受ける窓口の行を、その市町村の行の先頭に移してください",
            );
        }
        if let Some(d) = date
            && g.2.is_none_or(|(old, _)| d > old)
        {
            g.2 = Some((d, row));
        }
        g.0.push(row);
        g.1.push(w);
    }
    let mut planned = Vec::new();
    for m in order {
        let (rows_of, windows, newest) = groups.remove(&m).unwrap_or_default();
        let name = im.vocab.name_of(VocabKind::Municipality, &m).to_string();
        let Some((updated, updated_row)) = newest else {
            if let Some(first) = rows_of.first() {
                im.error(
                    first,
                    "updated",
                    format!("{name}の行に確認日が1つもありません"),
                    "市町村ごとに少なくとも1行、確認日 (例: 2025-04-01) を書いてください",
                );
            }
            continue;
        };
        let rel = format!("data/contacts/{m}.yaml");
        let data = ContactFile {
            municipality: S::new(m.clone()),
            updated: S::new(updated.to_string()),
            windows: windows.into_iter().map(S::new).collect(),
        };
        let origins = RowOrigins {
            rows: rows_of.clone(),
            updated_row: Some(updated_row),
        };
        let yaml = yaml_out::contacts_yaml(
            &header_for(root, DataKind::Contacts, &rel, &name),
            &data,
            &origins,
        );
        planned.push(Planned {
            rel,
            municipality: m,
            yaml,
            entries: data.windows.len(),
            first_row: rows_of.first().map_or(0, |r| r.row),
        });
    }
    planned
}

fn plan_facilities(
    im: &mut Importer,
    rows: &[Row],
    root: &Path,
    raw: &crate::model::RawSite,
) -> Vec<Planned> {
    let parsed = facilities_with_new_ids(im, rows);
    // by municipality, in order of first appearance
    let mut order: Vec<String> = Vec::new();
    let mut groups: BTreeMap<String, (Vec<&Row>, Vec<Facility>)> = BTreeMap::new();
    for (row, f) in ids_not_kept(im, parsed, raw) {
        let m = f.municipality.value.clone();
        if !groups.contains_key(&m) {
            order.push(m.clone());
        }
        let g = groups.entry(m).or_default();
        g.0.push(row);
        g.1.push(f);
    }
    let mut planned = Vec::new();
    for m in order {
        let (rows_of, list) = groups.remove(&m).unwrap_or_default();
        let name = im.vocab.name_of(VocabKind::Municipality, &m).to_string();
        let rel = format!("data/facilities/{m}.yaml");
        let origins = RowOrigins {
            rows: rows_of.clone(),
            updated_row: None,
        };
        let yaml = yaml_out::list_yaml(
            &header_for(root, DataKind::Facilities, &rel, &name),
            &list,
            &origins,
        );
        planned.push(Planned {
            rel,
            municipality: m,
            yaml,
            entries: list.len(),
            first_row: rows_of.first().map_or(0, |r| r.row),
        });
    }
    planned
}

/// All rows into the one file of `kind`, one entry per row in CSV order
/// (data/centres.yaml, data/glossary.yaml; checks of the whole file, such as
/// an id twice, run in `verify` and come back at their rows).
fn plan_one_file<'v, T: serde::Serialize + serde::de::DeserializeOwned>(
    im: &mut Importer<'v>,
    rows: &[Row],
    root: &Path,
    kind: DataKind,
    entry_of: fn(&mut Importer<'v>, &Row) -> Option<T>,
) -> Vec<Planned> {
    let mut rows_of = Vec::new();
    let mut list = Vec::new();
    for row in rows {
        if let Some(entry) = entry_of(im, row) {
            rows_of.push(row);
            list.push(entry);
        }
    }
    let rel = kind.data_path();
    let origins = RowOrigins {
        rows: rows_of.clone(),
        updated_row: None,
    };
    let yaml = yaml_out::list_yaml(&header_for(root, kind, &rel, ""), &list, &origins);
    vec![Planned {
        rel,
        municipality: String::new(),
        yaml,
        entries: list.len(),
        first_row: rows_of.first().map_or(0, |r| r.row),
    }]
}

/// The facilities of the rows, each id once in the CSV and not a list's path segment.
fn facilities_with_new_ids<'r>(im: &mut Importer, rows: &'r [Row]) -> Vec<(&'r Row, Facility)> {
    let mut ids: BTreeMap<String, u32> = BTreeMap::new();
    let mut parsed = Vec::new();
    for row in rows {
        let Some(f) = im.facility_row(row) else {
            continue;
        };
        let id = f.id.value.as_str();
        if let Some(first) = ids.get(id) {
            let first = *first;
            im.error(
                row,
                "id",
                format!("ID「{id}」が{first}行目と同じです"),
                "ID は施設ごとに別のものにしてください (施設のページの URL になります)",
            );
            continue;
        }
        if FACILITY_LIST_KINDS.contains(&id) {
            im.error(
                row,
                "id",
                format!("ID「{id}」は一覧ページの URL と重なるため使えません"),
                format!(
                    "{}-{id} のように市町村名などを付けてください",
                    f.municipality.value
                ),
            );
            continue;
        }
        ids.insert(id.to_string(), row.row);
        parsed.push((row, f));
    }
    parsed
}

/// Leaves out (with an error) the facilities whose id a file that this
/// import does not replace already uses.
fn ids_not_kept<'r>(
    im: &mut Importer,
    parsed: Vec<(&'r Row, Facility)>,
    raw: &crate::model::RawSite,
) -> Vec<(&'r Row, Facility)> {
    let replaced: BTreeSet<&str> = parsed
        .iter()
        .map(|(_, f)| f.municipality.value.as_str())
        .collect();
    let mut kept: BTreeMap<String, String> = BTreeMap::new();
    for (file, f) in facilities_of(raw) {
        let stem = file
            .rsplit('/')
            .next()
            .and_then(|n| n.strip_suffix(".yaml"))
            .unwrap_or("");
        if !replaced.contains(stem) {
            kept.insert(f.id.value.clone(), file);
        }
    }
    let mut out = Vec::new();
    for (row, f) in parsed {
        if let Some(file) = kept.get(&f.id.value) {
            im.error(
                row,
                "id",
                format!("ID「{}」は {file} の施設で使われています", f.id.value),
                "別の ID にしてください。施設の市町村を移すときは、元の市町村の行も CSV に含めてください",
            );
            continue;
        }
        out.push((row, f));
    }
    out
}

/// Reads a planned file back as the loader would and puts it in `raw` (in
/// place of the file it replaces); a file that does not read back is a problem.
fn read_back(
    file: &str,
    kind: DataKind,
    p: &Planned,
    raw: &mut crate::model::RawSite,
) -> Option<Diagnostic> {
    match kind {
        DataKind::Contacts => match parse_yaml::<ContactFile>(&p.yaml.text) {
            Ok(c) => {
                raw.contacts.retain(|(f, _)| f != &p.rel);
                raw.contacts.push((p.rel.clone(), c));
                if !raw.contact_files.contains(&p.municipality) {
                    raw.contact_files.push(p.municipality.clone());
                }
                None
            }
            Err(e) => Some(read_back_problem::<ContactFile>(file, kind, p, e)),
        },
        DataKind::Facilities => match parse_yaml::<Vec<S<Facility>>>(&p.yaml.text) {
            Ok(list) => {
                raw.facilities.retain(|(f, _)| f != &p.rel);
                raw.facilities.push((p.rel.clone(), list));
                None
            }
            Err(e) => Some(read_back_problem::<Vec<S<Facility>>>(file, kind, p, e)),
        },
        DataKind::Centres => match parse_yaml::<Vec<S<Centre>>>(&p.yaml.text) {
            Ok(list) => {
                raw.centres = Some((p.rel.clone(), list));
                None
            }
            Err(e) => Some(read_back_problem::<Vec<S<Centre>>>(file, kind, p, e)),
        },
        DataKind::Glossary => match parse_yaml::<Vec<S<Term>>>(&p.yaml.text) {
            Ok(list) => {
                raw.glossary = Some((p.rel.clone(), list));
                None
            }
            Err(e) => Some(read_back_problem::<Vec<S<Term>>>(file, kind, p, e)),
        },
    }
}

/// Reads every planned file back and runs the site's validator over the site as
/// it would be; problems in the planned files are reported at their CSV rows.
fn verify(im: &mut Importer, kind: DataKind, planned: &[Planned], raw: &crate::model::RawSite) {
    let mut raw = raw.clone();
    let rels: BTreeSet<&str> = planned.iter().map(|p| p.rel.as_str()).collect();
    for p in planned {
        // A value or list over the limits of docs/DATA.md: `check` would refuse the file.
        let over = crate::load::limits::limit_problems(&p.yaml.text);
        if !over.is_empty() {
            for l in over {
                let (row, col) = p.yaml.origin_of(l.line).unwrap_or((p.first_row, 0));
                let message = if col > 0 {
                    format!("{row}行目 {}列: {}", column_letter(col), l.message)
                } else {
                    format!("{row}行目: {}", l.message)
                };
                im.diags
                    .push(Diagnostic::error(&im.file, row, col, message).hint(l.hint));
            }
            continue;
        }
        let problem = read_back(&im.file, kind, p, &mut raw);
        if let Some(d) = problem {
            im.diags.push(d);
        }
    }
    raw.contacts.sort_by(|a, b| a.0.cmp(&b.0));
    raw.facilities.sort_by(|a, b| a.0.cmp(&b.0));
    let diags = crate::validate::rules(&raw);
    for d in diags.iter().filter(|d| rels.contains(d.file.as_str())) {
        let p = planned
            .iter()
            .find(|p| p.rel == d.file)
            .expect("planned file");
        let (row, col) = p.yaml.origin_of(d.line).unwrap_or((p.first_row, 0));
        let message = if col > 0 {
            format!("{row}行目 {}列: {}", column_letter(col), d.message)
        } else {
            format!("{row}行目: {}", d.message)
        };
        let mut nd = match d.severity {
            Severity::Error => Diagnostic::error(&im.file, row, col, message),
            Severity::Warning => Diagnostic::warning(&im.file, row, col, message),
        };
        nd.expected = d.expected.clone();
        nd.hint = d.hint.clone();
        im.diags.push(nd);
    }
}

/// Why a file the import is about to write does not read back, at the CSV row
/// it came from. The YAML reader's limits (a file with too many values or too
/// much text) come from the size of the CSV: they are named with what to do.
/// Any other problem keeps the reader's own message and hint.
fn read_back_problem<T: serde::de::DeserializeOwned>(
    file: &str,
    kind: DataKind,
    p: &Planned,
    problem: crate::load::YamlProblem,
) -> Diagnostic {
    let at = |(row, column): (u32, u32), message: String, hint: String| {
        Diagnostic::error(file, row, column, format!("{row}行目: {message}")).hint(hint)
    };
    if let Some(limit) = yaml_limit_breached::<T>(&p.yaml.text) {
        // The whole file is too large: named at the first row that goes into it.
        let hint = if limit.too_much_text {
            "備考などの長すぎるセルを短くしてください (ほかのファイルの文章を丸ごと貼り付けていないか確認してください)".to_string()
        } else {
            format!(
                "同じ行が何度も貼り付けられていないか確認し、{}の行を減らしてください",
                kind.label()
            )
        };
        return at(
            (p.first_row, 0),
            format!(
                "{} ({} {} 件) が大きすぎて書き出せません: {}",
                p.rel,
                kind.label(),
                p.entries,
                limit.what
            ),
            hint,
        );
    }
    let origin = p
        .yaml
        .origin_of(problem.line.max(1))
        .unwrap_or((p.first_row, 0));
    at(
        origin,
        format!("{} に書く内容を読み戻せません: {}", p.rel, problem.message),
        problem.hint.unwrap_or_else(|| {
            "この行のセルの値 (記号・引用符・改行) を見直してください".to_string()
        }),
    )
}

/// A limit of the YAML reader that a text breaks.
struct YamlLimit {
    /// The limit in Japanese, with its value.
    what: String,
    too_much_text: bool,
}

/// Which limit of the YAML reader (the budget `load` reads with,
/// [`crate::load::limits::yaml_options`]) `text` breaks, if that is why it
/// cannot be read.
fn yaml_limit_breached<T: serde::de::DeserializeOwned>(text: &str) -> Option<YamlLimit> {
    use serde_saphyr::budget::BudgetBreach;
    let options = crate::load::limits::yaml_options();
    let budget = options.budget.clone().unwrap_or_default();
    let err = serde_saphyr::from_str_with_options::<T>(text, options).err()?;
    let serde_saphyr::Error::Budget { breach, .. } = err.without_snippet() else {
        return None;
    };
    let (what, too_much_text) = match breach {
        BudgetBreach::Nodes { .. } => (
            format!("値の数が上限の {} 個を超えます", budget.max_nodes),
            false,
        ),
        BudgetBreach::Events { .. } => (
            format!("YAML の要素の数が上限の {} 個を超えます", budget.max_events),
            false,
        ),
        BudgetBreach::ScalarBytes { .. } => (
            format!(
                "文字の合計が上限の {} MiB を超えます",
                budget.max_total_scalar_bytes / (1024 * 1024)
            ),
            true,
        ),
        _ => ("YAML を読むときの上限を超えます".to_string(), false),
    };
    Some(YamlLimit {
        what,
        too_much_text,
    })
}

/// Writes the contacts or facilities of a site as a CSV that Excel opens
/// (UTF-8 with BOM, CRLF), in municipality order, with Japanese names.
pub fn export(kind: DataKind, root: &Path) -> Result<Vec<u8>, Diagnostics> {
    let (vocab, loaded) = Vocab::load(root)?;
    let prefix = kind.data_path();
    let mut errors = super::errors_in(&loaded.diagnostics, &[prefix.as_str()]);
    if !errors.is_empty() {
        errors.push(
            Diagnostic::error(prefix.trim_end_matches('/'), 0, 0, "読めないファイルがあるため書き出せません")
                .hint("先に `ohisama check` で上のエラーを直してください (読めないファイルの行が抜けないように)"),
        );
        errors.finish(&loaded.sources);
        return Err(errors);
    }
    let rank = |slug: &str| {
        vocab
            .municipalities
            .iter()
            .position(|m| m.id == slug)
            .unwrap_or(usize::MAX)
    };
    let stem = |file: &str| {
        file.rsplit('/')
            .next()
            .and_then(|n| n.strip_suffix(".yaml"))
            .unwrap_or(file)
            .to_string()
    };
    // A name is written only when it reads back as the same id.
    let name = |k: VocabKind, id: &str| -> String {
        let n = vocab.name_of(k, id);
        if vocab.resolve(k, n) == Some(id) {
            n.to_string()
        } else {
            id.to_string()
        }
    };
    let records = match kind {
        DataKind::Contacts => {
            let mut files = contacts_of(&loaded.raw);
            files.sort_by_key(|(f, _)| (rank(&stem(f)), f.clone()));
            contact_records(&files, &name)
        }
        DataKind::Facilities => {
            let mut list = facilities_of(&loaded.raw);
            // stable: file order is kept within a file
            list.sort_by_key(|(f, _)| (rank(&stem(f)), f.clone()));
            // A care name with a list separator in it would not read back: its id is written.
            let name = |k: VocabKind, id: &str| match name(k, id) {
                n if k == VocabKind::Care && n.contains(CARE_SEPARATORS) => id.to_string(),
                n => n,
            };
            list.iter()
                .map(|(_, f)| {
                    let values = values_of(f);
                    facility_columns()
                        .iter()
                        .map(|col| col.text(values.get(col.key), &name, ["○", ""]))
                        .collect()
                })
                .collect()
        }
        DataKind::Centres => records_of(
            &centres_of(&loaded.raw),
            super::data::centre_columns(),
            &name,
        ),
        DataKind::Glossary => {
            let terms: Vec<&Term> = crate::kinds::glossary::terms(&loaded.raw)
                .iter()
                .map(|t| &t.value)
                .collect();
            records_of(&terms, super::data::glossary_columns(), &name)
        }
    };
    Ok(csv_bytes(kind, &records))
}

/// One record per item of a one-file kind, its cells as `columns` say.
fn records_of<T: serde::Serialize>(
    items: &[T],
    columns: &[TableColumn],
    name: &dyn Fn(VocabKind, &str) -> String,
) -> Vec<Vec<String>> {
    items
        .iter()
        .map(|item| {
            let values = values_of(item);
            columns
                .iter()
                .map(|col| col.text(values.get(col.key), name, ["○", ""]))
                .collect()
        })
        .collect()
}

/// One CSV record per window: its cells as the columns say (the file's
/// municipality and 確認日 on each row of the file).
fn contact_records(
    files: &[(String, ContactFile)],
    name: &dyn Fn(VocabKind, &str) -> String,
) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    for (_, c) in files {
        let file = values_of(c);
        for w in &c.windows {
            let window = values_of(&w.value);
            records.push(
                DataKind::Contacts
                    .columns()
                    .iter()
                    .map(|col| {
                        let value = window.get(col.key).or_else(|| file.get(col.key));
                        col.text(value, name, ["○", ""])
                    })
                    .collect(),
            );
        }
    }
    records
}

/// UTF-8 with BOM, CRLF line ends, quotes only where needed.
fn csv_bytes(kind: DataKind, records: &[Vec<String>]) -> Vec<u8> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .quote_style(csv::QuoteStyle::Necessary)
            .from_writer(&mut out);
        let header: Vec<&str> = kind.columns().iter().map(|c| c.label.as_str()).collect();
        // Writing to a Vec cannot fail.
        let _ = w.write_record(&header);
        for r in records {
            let _ = w.write_record(r.iter().map(|cell| guard_formula(cell).into_owned()));
        }
        let _ = w.flush();
    }
    out
}

/// The import's problems with each one repeated on many rows said once
/// (a column of 134 bad dates is one message listing the rows).
fn grouped(mut diags: Diagnostics) -> Diagnostics {
    diags.group_repeated();
    diags
}

/// Why the csv crate could not read a row, in Japanese (its own text is English).
fn csv_reason(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("列の数が {len} 列です。見出しは {expected_len} 列です"),
        csv::ErrorKind::Utf8 { .. } => "UTF-8 として読めない文字があります".into(),
        csv::ErrorKind::Io(_) => "ファイルを読む途中で止まりました".into(),
        _ => "行の書き方が崩れています".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters() {
        assert_eq!(column_letter(1), "A");
        assert_eq!(column_letter(26), "Z");
        assert_eq!(column_letter(27), "AA");
    }

    #[test]
    fn dates() {
        let ok = |s: &str| parse_date(s).map(|d| d.to_string()).unwrap();
        assert_eq!(ok("2025-04-01"), "2025-04-01");
        assert_eq!(ok("2025/4/1"), "2025-04-01");
        assert_eq!(ok("2025/4/1 0:00"), "2025-04-01");
        assert_eq!(ok("2025年4月1日"), "2025-04-01");
        assert_eq!(ok("令和7年4月1日"), "2025-04-01");
        assert_eq!(ok("R7.4.1"), "2025-04-01");
        assert_eq!(ok("２０２５／４／１"), "2025-04-01");
        let (msg, hint) = parse_date("45748").unwrap_err();
        assert!(msg.contains("数値"), "{msg}");
        assert!(hint.contains("2025-04-01"), "{hint}");
        assert!(parse_date("2025/2/30").is_err());
        assert!(parse_date("4/1").is_err());
        assert!(parse_date("来月").is_err());
    }

    #[test]
    fn tels() {
        assert_eq!(check_tel("045-000-1234").unwrap(), "045-000-1234");
        assert_eq!(check_tel("#7119").unwrap(), "#7119");
        let (m, h) = check_tel("450001234").unwrap_err();
        assert!(m.contains("0 が消えて"), "{m}");
        assert!(h.contains("文字列"), "{h}");
        assert!(check_tel("4.5E+08").unwrap_err().0.contains("指数"));
        assert!(check_tel("0450001234").unwrap_err().0.contains("ハイフン"));
        let (m, h) = check_tel("０４５－０００－１２３４").unwrap_err();
        assert!(m.contains("全角"), "{m}");
        assert!(h.contains("045-000-1234"), "{h}");
    }

    #[test]
    fn encodings() {
        let (t, e) = decode("\u{FEFF}市町村,名称\r\n".as_bytes()).unwrap();
        assert_eq!((t.as_str(), e), ("市町村,名称\r\n", CsvEncoding::Utf8Bom));
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode("市町村,名称\r\n横浜市,窓口\r\n");
        let (t, e) = decode(&sjis).unwrap();
        assert_eq!(
            (t.as_str(), e),
            ("市町村,名称\r\n横浜市,窓口\r\n", CsvEncoding::ShiftJis)
        );
        let mut broken = encoding_rs::SHIFT_JIS
            .encode("市町村,名称\r\n")
            .0
            .into_owned();
        broken.extend_from_slice(b"\x82\xA0ok\r\n\xFF\xFE\xFD\r\n");
        let p = decode(&broken).unwrap_err();
        assert_eq!(p.line, 3, "Shift_JIS reads line 2, breaks on line 3");
    }

    #[test]
    fn formula_guard_is_undone_exactly() {
        let cases = [
            ("=1+2", "'=1+2"),
            ("+81", "'+81"),
            ("-5", "'-5"),
            ("@x", "'@x"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("＝x", "'＝x"),
            ("'=x", "''=x"),
            ("''@x", "'''@x"),
            ("-", "-"),
            ("'-", "''-"),
            ("'abc", "'abc"),
            ("'", "'"),
            ("a=b", "a=b"),
            ("", ""),
        ];
        for (value, cell) in cases {
            assert_eq!(guard_formula(value), cell, "{value:?}");
            assert_eq!(unguard_formula(cell), value, "{cell:?}");
        }
        // What Excel users type or save is read as they mean it.
        assert_eq!(unguard_formula("=x"), "=x");
        assert_eq!(unguard_formula("'-"), "-");
    }

    #[test]
    fn flags_and_slugs() {
        assert_eq!(parse_flag("○"), Some(true));
        assert_eq!(parse_flag(""), Some(false));
        assert_eq!(parse_flag("maybe"), None);
        assert_eq!(slugify("Yokohama_Clinic 1"), "yokohama-clinic-1");
        assert_eq!(slugify("横浜"), "");
    }
}
