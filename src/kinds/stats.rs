//! Statistics (統計): `data/stats/<id>.yaml`, one table of the prefectural
//! report each (相談件数, 研修会の参加人数, 市町村別の患者数 …), transcribed as
//! printed. A content page lists the ids it shows in its front matter
//! (`stats: [consultations]`); each appears there as an SVG chart
//! ([`crate::charts`]) next to its data table.
//!
//! The report's own totals are kept: a printed total that differs from the
//! sum of its figures is an error unless a `note` says so, and then the page
//! shows both numbers and the note (nothing is "fixed" silently).

use crate::charts;
use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::kinds::check::{Checker, file_stem, is_slug};
use crate::kinds::common::S;
use crate::model::RawSite;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The folder of this kind, under `data/`.
pub const DIR: &str = "stats";

/// Adjacent segments of a stacked bar differ at least this much (WCAG 1.4.11).
pub const MIN_NEIGHBOUR_CONTRAST: f64 = 3.0;

/// Colours that are not a field's: for series that have no field.
pub const NEUTRAL: [(&str, &str); 3] = [
    ("gray-dark", "#424242"),
    ("gray-light", "#E0E0E0"),
    ("white", "#FFFFFF"),
];

/// A bar chart (one series) or a stacked bar chart (one segment per series).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[schemars(title = "グラフの種類")]
pub enum ChartKind {
    /// 棒グラフ (系列は1つ)
    Bar,
    /// 積み上げ棒グラフ (行ごとに、系列を積み上げる)
    Stacked,
}

/// One file of `data/stats/`: a table of the report.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "統計",
    description = "報告書の表1つ: 行 (年度・市町村など) ごとに、系列 (相談者など) の数"
)]
pub struct StatsFile {
    #[schemars(
        title = "表題",
        description = "グラフと表の題 (例: 支援者向け相談窓口の相談件数)",
        length(min = 1)
    )]
    pub title: S<String>,
    #[schemars(
        title = "出典",
        description = "報告書の名前と章 (例: 神奈川県小児等在宅医療連携拠点事業 報告 3-2)",
        length(min = 1)
    )]
    pub source: S<String>,
    #[schemars(title = "単位", description = "件、名 など", length(min = 1))]
    pub unit: S<String>,
    #[schemars(
        title = "期間",
        description = "例: 令和6年度・令和7年度",
        length(min = 1)
    )]
    pub period: S<String>,
    #[schemars(
        title = "グラフ",
        description = "bar (棒グラフ、系列1つ) か stacked (積み上げ棒グラフ)"
    )]
    pub chart: S<ChartKind>,
    #[schemars(
        title = "行の見出し",
        description = "表の左の列の見出し (例: 年度、市町村)",
        length(min = 1)
    )]
    pub row_heading: S<String>,
    #[schemars(title = "系列", description = "表の列。積み上げる順", length(min = 1))]
    pub series: Vec<S<SeriesDef>>,
    #[schemars(
        title = "行",
        description = "グラフの棒1本ずつ。上から順に",
        length(min = 1)
    )]
    pub rows: Vec<S<RowDef>>,
    /// The report's printed grand total (all rows, all series).
    #[serde(default)]
    #[schemars(
        with = "Option<u64>",
        title = "総数 (報告書)",
        description = "報告書に書かれた全体の合計。各行の和と違うときは note に理由を書きます"
    )]
    pub total: Option<S<f64>>,
    #[serde(default)]
    #[schemars(
        title = "注記",
        description = "表の下に出す注記 (報告書の合計が和と合わないときは必須)"
    )]
    pub note: Option<S<String>>,
}

/// One series (a column of the table, a colour of the chart).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(inline, title = "系列")]
pub struct SeriesDef {
    #[schemars(title = "名前", description = "例: 医療機関", length(min = 1))]
    pub name: S<String>,
    #[schemars(with = "ColourRef")]
    pub colour: S<String>,
}

/// A colour id of [`palette`]: `ohisama schema` fills in the enum from
/// fields.yaml (`$defs/stats_colour`, see `tools::schema`).
pub struct ColourRef;

impl JsonSchema for ColourRef {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "stats_colour".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "title": "色",
            "description": "fields.yaml の分野 ID (その色)、<分野ID>:tint (その淡い色)、gray-dark、gray-light、white。積み上げでは隣どうしの明るさの比が 3:1 以上",
        })
    }
}

/// The colour ids of the palette for the field ids `fields` (what the
/// schema offers; [`palette`] is the same list with the colours).
pub fn colour_ids<'a>(fields: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut out: Vec<String> = fields
        .flat_map(|id| [id.to_string(), format!("{id}:tint")])
        .collect();
    out.extend(NEUTRAL.iter().map(|(id, _)| id.to_string()));
    out
}

/// One row (a bar): its label, one value per series, the printed total.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(inline, title = "行")]
pub struct RowDef {
    #[schemars(title = "見出し", description = "例: R6年度、横浜市", length(min = 1))]
    pub label: S<String>,
    #[schemars(
        with = "Vec<u64>",
        title = "値",
        description = "系列の順に、0 以上の整数 (系列の数と同じ数)"
    )]
    pub values: Vec<S<f64>>,
    #[serde(default)]
    #[schemars(
        with = "Option<u64>",
        title = "計 (報告書)",
        description = "報告書に書かれたこの行の合計。値の和と違うときは note に理由を書きます"
    )]
    pub total: Option<S<f64>>,
    #[serde(default)]
    #[schemars(title = "注記", description = "この行の注記")]
    pub note: Option<S<String>>,
}

/// The id of a stats file: its file name without `.yaml`.
pub fn id_of(file: &str) -> &str {
    file_stem(file)
}

/// The colour ids a series may name and their `#rrggbb`: each field's colour
/// and tint (`hoken`, `hoken:tint`), then the neutral ones.
pub fn palette(raw: &RawSite) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for f in raw.fields.iter().flat_map(|(_, list)| list) {
        out.insert(f.value.id.value.clone(), f.value.color.value.clone());
        out.insert(
            format!("{}:tint", f.value.id.value),
            f.value.tint.value.clone(),
        );
    }
    for (id, hex) in NEUTRAL {
        out.insert(id.to_string(), hex.to_string());
    }
    out
}

/// Every rule of every stats file, then the pages' `stats:` references.
pub fn check(c: &mut Checker, raw: &RawSite) {
    let palette = palette(raw);
    for (file, stats) in &raw.stats {
        check_file(c, file, stats, &palette);
    }
    check_page_refs(c, raw);
}

fn check_file(c: &mut Checker, file: &str, s: &StatsFile, palette: &BTreeMap<String, String>) {
    if !is_slug(id_of(file)) {
        c.diags.push(
            Diagnostic::error(file, 0, 0, "ファイル名が ID に使えません")
                .hint("半角英小文字・数字・ハイフンの名前にしてください (例: consultations.yaml)"),
        );
    }
    c.non_empty(file, &s.title, "表題 (title)");
    c.non_empty(file, &s.source, "出典 (source)");
    c.non_empty(file, &s.unit, "単位 (unit)");
    c.non_empty(file, &s.period, "期間 (period)");
    c.non_empty(file, &s.row_heading, "行の見出し (row_heading)");
    check_series(c, file, s, palette);
    let mut labels: BTreeMap<&str, u32> = BTreeMap::new();
    for row in &s.rows {
        check_row(c, file, s, &row.value);
        let label = row.value.label.value.trim();
        if let Some(first) = labels.insert(label, row.value.label.referenced.line() as u32) {
            let d = c.error_at(
                file,
                &row.value.label,
                format!("行 `{label}` が2回あります"),
            );
            d.hint = Some(format!("{first}行目と同じです"));
        }
    }
    if s.rows.is_empty() {
        c.diags.push(
            Diagnostic::error(file, 0, 0, "行 (rows) がありません")
                .hint("rows: に label と values を1行以上書いてください"),
        );
    }
    if let Some(total) = &s.total {
        let sum: f64 = s
            .rows
            .iter()
            .flat_map(|r| &r.value.values)
            .map(|v| v.value)
            .sum();
        check_total(c, file, total, sum, s.note.is_some(), "総数");
    }
}

/// Series: at least one; `bar` has exactly one; names unique; colours known;
/// neighbours in a stacked bar far enough apart in lightness.
fn check_series(c: &mut Checker, file: &str, s: &StatsFile, palette: &BTreeMap<String, String>) {
    if s.series.is_empty() {
        c.diags.push(
            Diagnostic::error(file, 0, 0, "系列 (series) がありません")
                .hint("series: に name と colour を1つ以上書いてください"),
        );
    }
    if s.chart.value == ChartKind::Bar && s.series.len() > 1 {
        let d = c.error_at(
            file,
            &s.chart,
            format!(
                "棒グラフ (bar) の系列は1つです (いまは{}つ)",
                s.series.len()
            ),
        );
        d.hint = Some("系列が2つ以上なら chart: stacked にしてください".into());
    }
    let mut names: BTreeSet<&str> = BTreeSet::new();
    let mut previous: Option<&str> = None;
    for series in s.series.iter().map(|x| &x.value) {
        c.non_empty(file, &series.name, "系列の名前 (name)");
        if !names.insert(series.name.value.trim()) {
            c.error_at(
                file,
                &series.name,
                format!("系列 `{}` が2回あります", series.name.value),
            );
        }
        let Some(hex) = palette.get(series.colour.value.trim()) else {
            let d = c.error_at(
                file,
                &series.colour,
                format!("色 `{}` はありません", series.colour.value),
            );
            d.hint = Some(did_you_mean(
                &series.colour.value,
                palette.keys().map(String::as_str),
            ));
            previous = None;
            continue;
        };
        if let Some(prev) = previous.filter(|_| s.chart.value == ChartKind::Stacked) {
            let ratio = charts::contrast(prev, hex);
            if ratio < MIN_NEIGHBOUR_CONTRAST {
                let d = c.error_at(
                    file,
                    &series.colour,
                    format!(
                        "色 `{}` は前の系列の色と明るさが近すぎます (比 {ratio:.1}:1、3:1 以上が必要)",
                        series.colour.value
                    ),
                );
                d.hint = Some(
                    "濃い色と淡い色 (<分野ID>:tint、gray-light) を交互に並べると、白黒で印刷しても見分けられます"
                        .into(),
                );
            }
        }
        previous = Some(hex);
    }
}

/// A row: one value per series, counts (whole, ≥ 0), its printed total.
fn check_row(c: &mut Checker, file: &str, s: &StatsFile, row: &RowDef) {
    c.non_empty(file, &row.label, "行の見出し (label)");
    if row.values.len() != s.series.len() {
        let d = c.error_at(
            file,
            &row.label,
            format!(
                "行 `{}` の値は{}個ですが、系列は{}個です",
                row.label.value,
                row.values.len(),
                s.series.len()
            ),
        );
        d.hint = Some(format!(
            "values: に系列の順 ({}) で1つずつ書いてください。0 の項目も 0 と書きます",
            s.series
                .iter()
                .map(|x| x.value.name.value.as_str())
                .collect::<Vec<_>>()
                .join("、")
        ));
    }
    for v in &row.values {
        check_count(c, file, v, "値");
    }
    if let Some(total) = &row.total {
        let sum: f64 = row.values.iter().map(|v| v.value).sum();
        check_total(
            c,
            file,
            total,
            sum,
            row.note.is_some(),
            &format!("`{}` の計", row.label.value),
        );
    }
}

/// Whether `v` is a count: finite, whole, ≥ 0 and within what a page can show.
pub fn is_count(v: f64) -> bool {
    v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v <= 1e15
}

fn check_count(c: &mut Checker, file: &str, v: &S<f64>, what: &str) -> bool {
    if is_count(v.value) {
        return true;
    }
    let d = c.error_at(
        file,
        v,
        format!("{what} `{}` は数として使えません", v.value),
    );
    d.expected = Some("0 以上の整数 (例: 404)。カンマや単位は書きません".into());
    false
}

/// A printed total: a count, and equal to the sum unless a note explains why not.
fn check_total(c: &mut Checker, file: &str, total: &S<f64>, sum: f64, noted: bool, what: &str) {
    if !check_count(c, file, total, what) || total.value == sum || noted {
        return;
    }
    let d = c.error_at(
        file,
        total,
        format!(
            "{what} {} は、値の和 {} と合いません",
            charts::group_digits(total.value as u64),
            charts::group_digits(sum.max(0.0) as u64)
        ),
    );
    d.hint = Some(
        "写し間違いがないか報告書と見比べてください。報告書そのものの合計が合わないときは、数字は報告書のまま、同じところに note: で「報告書の合計のまま」と書いてください (ページに両方の数が出ます)"
            .into(),
    );
}

/// `stats:` of a page names files of data/stats/ (a file that could not be
/// read has its own error: the page is not blamed for it).
fn check_page_refs(c: &mut Checker, raw: &RawSite) {
    let ids: BTreeSet<&str> = raw.stats_files.iter().map(String::as_str).collect();
    for page in &raw.pages {
        for id in &page.front.stats {
            if !ids.contains(id.value.as_str()) {
                let d = c.error_at(
                    &page.file,
                    id,
                    format!("統計 `{}` は data/stats/ にありません", id.value),
                );
                d.hint = Some(if ids.is_empty() {
                    "data/stats/<ID>.yaml を作ってください".into()
                } else {
                    did_you_mean(&id.value, ids.iter().copied())
                });
            }
        }
    }
}

/// One row of the table as the page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct RowView {
    pub label: String,
    /// The figures, digits grouped (`1,354`), in series order.
    pub cells: Vec<String>,
    /// The sum of the figures (digits grouped).
    pub sum: String,
    /// The report's printed total when it differs from the sum.
    pub stated: Option<String>,
    pub note: Option<String>,
}

/// One stats file ready for a page: the chart and its table.
#[derive(Debug, Clone, Serialize)]
pub struct StatsView {
    pub id: String,
    pub title: String,
    pub source: String,
    pub unit: String,
    pub period: String,
    pub row_heading: String,
    pub stacked: bool,
    pub series: Vec<String>,
    pub rows: Vec<RowView>,
    /// Whether some row's printed total differs (the table shows a column for them).
    pub any_stated: bool,
    /// The sum of every figure, and the report's total when it differs.
    pub sum: String,
    pub stated: Option<String>,
    pub note: Option<String>,
    /// The chart, `<svg>…</svg>` (escaped where it holds text).
    pub svg: String,
    /// Every figure in words (the chart's `<desc>`): the search document's text.
    #[serde(skip)]
    pub words: String,
}

/// The views of every stats file, by id. Runs on checked data only.
pub fn resolve(raw: &RawSite) -> BTreeMap<String, StatsView> {
    let palette = palette(raw);
    raw.stats
        .iter()
        .map(|(file, s)| (id_of(file).to_string(), view(id_of(file), s, &palette)))
        .collect()
}

fn count(v: &S<f64>) -> u64 {
    if is_count(v.value) { v.value as u64 } else { 0 }
}

/// The printed total when it differs from `sum`.
fn differing(total: &Option<S<f64>>, sum: u64) -> Option<String> {
    total
        .as_ref()
        .map(count)
        .filter(|t| *t != sum)
        .map(charts::group_digits)
}

fn view(id: &str, s: &StatsFile, palette: &BTreeMap<String, String>) -> StatsView {
    let text = |x: &S<String>| x.value.trim().to_string();
    let note = |x: &Option<S<String>>| x.as_ref().map(text).filter(|n| !n.is_empty());
    let chart = charts::Chart {
        id: id.to_string(),
        title: format!("{} ({})", text(&s.title), text(&s.period)),
        unit: text(&s.unit),
        stacked: s.chart.value == ChartKind::Stacked,
        series: s
            .series
            .iter()
            .map(|x| charts::Series {
                name: text(&x.value.name),
                fill: palette
                    .get(x.value.colour.value.trim())
                    .cloned()
                    .unwrap_or_else(|| "#424242".into()),
            })
            .collect(),
        rows: s
            .rows
            .iter()
            .map(|r| {
                let values: Vec<u64> = r.value.values.iter().map(count).collect();
                let sum = values.iter().sum();
                charts::Row {
                    label: text(&r.value.label),
                    mark: differing(&r.value.total, sum).is_some(),
                    values,
                }
            })
            .collect(),
    };
    let rows: Vec<RowView> = chart
        .rows
        .iter()
        .zip(&s.rows)
        .map(|(r, def)| {
            let sum = r.values.iter().sum();
            RowView {
                label: r.label.clone(),
                cells: r.values.iter().map(|v| charts::group_digits(*v)).collect(),
                sum: charts::group_digits(sum),
                stated: differing(&def.value.total, sum),
                note: note(&def.value.note),
            }
        })
        .collect();
    let total: u64 = chart.rows.iter().flat_map(|r| &r.values).sum();
    StatsView {
        id: id.to_string(),
        title: text(&s.title),
        source: text(&s.source),
        unit: chart.unit.clone(),
        period: text(&s.period),
        row_heading: text(&s.row_heading),
        stacked: chart.stacked,
        series: chart.series.iter().map(|x| x.name.clone()).collect(),
        any_stated: rows.iter().any(|r| r.stated.is_some()),
        rows,
        sum: charts::group_digits(total),
        stated: differing(&s.total, total),
        note: note(&s.note),
        svg: chart.svg(),
        words: chart.description(),
    }
}

/// One search document per chart on each page that shows it, linking to
/// the chart's section (`#stats-<id>`): 「相談件数」 finds the chart, not only
/// the page's own text.
pub fn search_docs(
    stats: &BTreeMap<String, StatsView>,
    pages: &[std::sync::Arc<crate::kinds::pages::PageView>],
    docs: &mut Vec<crate::search::SearchDoc>,
) {
    for p in pages {
        let path = crate::routes::Route::Page(&p.path).href("/");
        for v in p.stats.iter().filter_map(|id| stats.get(id)) {
            docs.push(crate::search::SearchDoc {
                kind: crate::search::DocKind::Page,
                title: format!("{} — {}", p.title, v.title),
                body: format!("{} 出典: {}", v.words, v.source),
                url: format!("{path}#stats-{}", v.id),
                kana: String::new(),
                municipality: None,
                region: None,
                field: None,
                field_id: None,
                tel: None,
                tel_href: None,
            });
        }
    }
}
