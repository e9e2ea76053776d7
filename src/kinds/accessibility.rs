//! The accessibility test results (試験結果): `data/accessibility/results.yaml`,
//! written by the axe run of the test suite (`tests/a11y.rs`, rewritten with
//! `OHISAMA_BLESS=1`, compared on every run), rendered on the page whose
//! front matter says `template: accessibility.html` (the sample's
//! `/about/accessibility/`) in the shape of the 総務省「みんなの公共サイト運用
//! ガイドライン」 試験結果: date, pages, tool, the checklist of the JIS X
//! 8341-3:2016 criteria with 適用 and 結果, the violations. The file is
//! optional: without it the page says there are no results yet.

use crate::date::Date;
use crate::kinds::check::Checker;
use crate::kinds::common::{IsoDate, S};
use crate::model::RawSite;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// The file of this kind, under `data/`.
pub const FILE: &str = "accessibility/results.yaml";

/// The template that shows the results (the context gets `accessibility`).
pub const TEMPLATE: &str = "accessibility.html";

/// `data/accessibility/results.yaml`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "アクセシビリティ試験結果",
    description = "テスト (tests/a11y.rs) が axe-core で試験して書くファイル。手で直さず、OHISAMA_BLESS=1 で試験をやり直して書き換えます"
)]
pub struct Results {
    #[schemars(with = "IsoDate", title = "試験日", description = "試験をした日")]
    pub date: S<String>,
    #[schemars(title = "試験ツール", description = "例: axe-core 4.14.1")]
    pub tool: S<String>,
    #[schemars(
        title = "ブラウザ",
        description = "例: Chromium 142.0.7444.175 (headless)"
    )]
    pub browser: S<String>,
    #[schemars(
        title = "画面の幅 (px)",
        description = "試験した画面の幅 (例: [375, 1280])"
    )]
    pub viewports: Vec<S<u32>>,
    #[schemars(
        title = "試験した規則の種類",
        description = "axe のタグ (例: wcag2a, wcag2aa, wcag21a, wcag21aa)"
    )]
    pub tags: Vec<S<String>>,
    #[schemars(title = "実行した規則", description = "axe の規則 ID")]
    pub rules: Vec<S<String>>,
    #[schemars(title = "試験したページ")]
    pub pages: Vec<S<TestedPage>>,
    #[schemars(
        title = "達成基準",
        description = "JIS X 8341-3:2016 (WCAG 2.0) の A・AA の達成基準"
    )]
    pub criteria: Vec<S<Criterion>>,
}

/// One page at one width.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(inline, title = "試験したページ")]
pub struct TestedPage {
    #[schemars(title = "ページの種類", description = "例: 市町村の窓口")]
    pub kind: S<String>,
    #[schemars(
        title = "URL",
        description = "サイト内のパス (例: /contacts/yokohama/)"
    )]
    pub url: S<String>,
    #[schemars(title = "画面の幅 (px)")]
    pub viewport: S<u32>,
    #[schemars(title = "違反", description = "axe が違反とした規則の数")]
    pub violations: S<u32>,
    #[schemars(
        title = "要確認",
        description = "axe が自動では判定できなかった規則の数"
    )]
    pub incomplete: S<u32>,
}

/// One success criterion (達成基準) and what the automatic test found.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(inline, title = "達成基準")]
pub struct Criterion {
    #[schemars(title = "番号", description = "例: 1.1.1")]
    pub sc: S<String>,
    #[schemars(title = "名前", description = "JIS X 8341-3:2016 の達成基準の名前")]
    pub name: S<String>,
    #[schemars(title = "適合レベル")]
    pub level: S<Level>,
    #[schemars(
        title = "axe の規則",
        description = "この達成基準を試験する axe の規則 ID"
    )]
    #[serde(default)]
    pub rules: Vec<S<String>>,
    #[schemars(title = "結果")]
    pub result: S<Outcome>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum Level {
    A,
    AA,
}

/// What the automatic test says of a criterion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Rules ran on content of the pages and found no violation.
    Passed,
    /// A rule found a violation on some page.
    Violation,
    /// A rule could not decide (axe's "incomplete"): a person must look.
    NeedsReview,
    /// Rules ran but the pages have nothing they apply to.
    NotApplicable,
    /// No automatic rule tests it: only a person can.
    Untested,
}

impl Outcome {
    /// (適用, 結果) as the checklist's cells show them (short: the table fits 375 px).
    fn labels(self) -> (&'static str, &'static str) {
        match self {
            Outcome::Passed => ("○", "○"),
            Outcome::Violation => ("○", "×"),
            Outcome::NeedsReview => ("○", "要確認"),
            Outcome::NotApplicable => ("―", "―"),
            Outcome::Untested => ("未確認", "未試験"),
        }
    }

    /// What a result means, for the legend above the checklist.
    fn meaning(self) -> &'static str {
        match self {
            Outcome::Passed => "○ 自動試験で違反なし",
            Outcome::Violation => "× 違反あり",
            Outcome::NeedsReview => "要確認 (自動では判定できない箇所あり)",
            Outcome::NotApplicable => "― 試験する箇所なし",
            Outcome::Untested => "未試験 (自動試験の対象外、人による試験は未実施)",
        }
    }
}

/// The rules: a real date; widths, page URLs (site paths) and criteria
/// numbers well formed and not repeated; every page at a listed width.
pub fn check(c: &mut Checker, raw: &RawSite) {
    let Some((file, r)) = &raw.accessibility else {
        return;
    };
    c.date(file, &r.date, "試験日");
    let widths: BTreeSet<u32> = r.viewports.iter().map(|w| w.value).collect();
    let mut seen = BTreeSet::new();
    for p in &r.pages {
        let p = &p.value;
        let url = p.url.value.as_str();
        if !url.starts_with('/') || url.starts_with("//") {
            let d = c.error_at(
                file,
                &p.url,
                format!("URL `{url}` はサイト内のパスではありません"),
            );
            d.expected = Some("/ から始まるパス (例: /contacts/yokohama/)".into());
        }
        if !widths.contains(&p.viewport.value) {
            let d = c.error_at(
                file,
                &p.viewport,
                format!("画面の幅 {} は viewports にありません", p.viewport.value),
            );
            d.hint = Some("試験をやり直してファイルを書き直してください (OHISAMA_BLESS=1)".into());
        }
        if !seen.insert((url, p.viewport.value)) {
            c.error_at(
                file,
                &p.url,
                format!("{url} (幅 {}) が2回あります", p.viewport.value),
            );
        }
    }
    let mut numbers = BTreeSet::new();
    for k in &r.criteria {
        let sc = k.value.sc.value.as_str();
        let well_formed = sc.split('.').count() == 3
            && sc
                .split('.')
                .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
        if !well_formed {
            let d = c.error_at(
                file,
                &k.value.sc,
                format!("達成基準の番号 `{sc}` が読めません"),
            );
            d.expected = Some("1.1.1 のような番号".into());
        } else if !numbers.insert(sc) {
            c.error_at(file, &k.value.sc, format!("達成基準 {sc} が2回あります"));
        }
    }
}

/// The results as the template shows them.
#[derive(Debug, Clone, Serialize)]
pub struct ResultsView {
    pub date_iso: String,
    /// 令和8年(2026年)11月29日
    pub date_label: String,
    pub tool: String,
    pub browser: String,
    pub viewports: Vec<u32>,
    pub tags: Vec<String>,
    pub rule_count: usize,
    /// One row per page (its widths side by side, in `viewports` order).
    pub pages: Vec<PageRow>,
    /// Pages × widths tested.
    pub runs: usize,
    pub violations: u32,
    pub incomplete_runs: usize,
    pub criteria: Vec<CriterionRow>,
    /// How many criteria have each result, in the checklist's order.
    pub tally: Vec<Tally>,
}

/// How many criteria have one result.
#[derive(Debug, Clone, Serialize)]
pub struct Tally {
    pub label: &'static str,
    pub count: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct PageRow {
    pub kind: String,
    pub url: String,
    pub href: String,
    /// Violations at each width of `viewports` (`None`: not tested at it).
    pub violations: Vec<Option<u32>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CriterionRow {
    pub sc: String,
    pub name: String,
    pub level: Level,
    pub rules: Vec<String>,
    pub result: Outcome,
    pub applies: &'static str,
    pub result_label: &'static str,
}

/// The view of the checked file (`None` without it).
pub fn resolve(raw: &RawSite, base_path: &str) -> Option<ResultsView> {
    let (_, r) = raw.accessibility.as_ref()?;
    let date = Date::parse(r.date.value.trim());
    let viewports: Vec<u32> = r.viewports.iter().map(|w| w.value).collect();
    let mut pages: Vec<PageRow> = Vec::new();
    for p in r.pages.iter().map(|p| &p.value) {
        let col = viewports.iter().position(|w| *w == p.viewport.value);
        let row = match pages.iter_mut().find(|row| row.url == p.url.value) {
            Some(row) => row,
            None => {
                pages.push(PageRow {
                    kind: p.kind.value.clone(),
                    url: p.url.value.clone(),
                    href: format!("{}{}", base_path, p.url.value.trim_start_matches('/')),
                    violations: vec![None; viewports.len()],
                });
                pages.last_mut().expect("just pushed")
            }
        };
        if let Some(col) = col {
            row.violations[col] = Some(p.violations.value);
        }
    }
    let criteria: Vec<CriterionRow> = r.criteria.iter().map(|k| criterion_row(&k.value)).collect();
    let tally = [
        Outcome::Passed,
        Outcome::Violation,
        Outcome::NeedsReview,
        Outcome::NotApplicable,
        Outcome::Untested,
    ]
    .into_iter()
    .map(|o| {
        let n = criteria.iter().filter(|k| k.result == o).count();
        Tally {
            label: o.meaning(),
            count: n,
        }
    })
    .collect();
    Some(ResultsView {
        date_iso: r.date.value.trim().to_string(),
        date_label: date.map(|d| d.wareki_with_seireki()).unwrap_or_default(),
        tool: r.tool.value.clone(),
        browser: r.browser.value.clone(),
        tags: r.tags.iter().map(|t| t.value.clone()).collect(),
        rule_count: r.rules.len(),
        runs: r.pages.len(),
        violations: r.pages.iter().map(|p| p.value.violations.value).sum(),
        incomplete_runs: r
            .pages
            .iter()
            .filter(|p| p.value.incomplete.value > 0)
            .count(),
        viewports,
        pages,
        criteria,
        tally,
    })
}

fn criterion_row(k: &Criterion) -> CriterionRow {
    let (applies, result_label) = k.result.value.labels();
    CriterionRow {
        sc: k.sc.value.clone(),
        name: k.name.value.clone(),
        level: k.level.value,
        rules: k.rules.iter().map(|r| r.value.clone()).collect(),
        result: k.result.value,
        applies,
        result_label,
    }
}
