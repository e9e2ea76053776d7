//! Statistics as charts (issue #18, item 5): `data/stats/*.yaml`, its rules
//! with file:line, and the 活動報告 page, where each chart's SVG must say the
//! same numbers as its table and as the yaml (read back from the built HTML).

use crate::sitekit::{TestSite, TreeSnapshot, assert_success, expect_diag, ohisama};
use ohisama::kinds::stats::StatsFile;

const STATS: &str = "data/stats/visits.yaml";

/// A mini site with one stats file and a page that shows it.
fn site_with(yaml: &str) -> TestSite {
    let site = TestSite::mini();
    site.write(STATS, yaml);
    site.write(
        "content/report.md",
        "---\ntitle: 報告\nstats: [visits]\n---\n\n数字です。\n",
    );
    site
}

const GOOD: &str = "\
title: 訪問の件数
source: 見本の報告 1-1
unit: 件
period: 令和7年度
chart: stacked
row_heading: 年度
series:
  - {name: 医療機関, colour: shogai-fukushi}
  - {name: 学校, colour: \"sodan:tint\"}
rows:
  - {label: R6, values: [10, 5], total: 15}
  - {label: R7, values: [7, 0]}
";

#[test]
fn stats_rules_point_at_the_line() {
    let site = site_with(
        "\
title: 訪問の件数
source: 見本の報告 1-1
unit: 件
period: 令和7年度
chart: bar
row_heading: 年度
series:
  - {name: 医療機関, colour: shogai-fukushi}
  - {name: 学校, colour: sodan}
  - {name: 学校, colour: shogai-fukshi}
rows:
  - {label: R6, values: [10, 5, 1], total: 17}
  - {label: R7, values: [7, -1, 2.5]}
  - {label: R6, values: [1, 2]}
  - {label: R8, values: [.nan, 1, 1]}
",
    );
    site.write(
        "content/report.md",
        "---\ntitle: 報告\nstats: [visits, vists]\n---\n\n数字です。\n",
    );
    let diags = site.check();
    let bar = expect_diag(
        &diags,
        STATS,
        5,
        "棒グラフ (bar) の系列は1つです (いまは3つ)",
    );
    assert!(bar.hint.as_deref().unwrap().contains("stacked"), "{bar:?}");
    expect_diag(&diags, STATS, 10, "系列 `学校` が2回あります");
    let colour = expect_diag(&diags, STATS, 10, "色 `shogai-fukshi` はありません");
    assert!(
        colour.hint.as_deref().unwrap().contains("shogai-fukushi"),
        "{colour:?}"
    );
    let total = expect_diag(&diags, STATS, 12, "`R6` の計 17 は、値の和 16 と合いません");
    assert!(total.is_error());
    assert!(
        total.hint.as_deref().unwrap().contains("note:"),
        "{total:?}"
    );
    // -1, 2.5 (line 13) and .nan (line 15): one grouped diagnostic of 3.
    let count = expect_diag(&diags, STATS, 13, "値 `-1` は数として使えません");
    assert!(
        count.message.contains("13, 15 行目にあります: 3 件"),
        "{count:?}"
    );
    let short = expect_diag(&diags, STATS, 14, "行 `R6` の値は2個ですが、系列は3個です");
    assert!(
        short.hint.as_deref().unwrap().contains("0 の項目も 0"),
        "{short:?}"
    );
    expect_diag(&diags, STATS, 14, "行 `R6` が2回あります");
    let page = expect_diag(
        &diags,
        "content/report.md",
        3,
        "統計 `vists` は data/stats/ にありません",
    );
    assert!(page.hint.as_deref().unwrap().contains("visits"), "{page:?}");
    // The known id is not reported.
    assert!(
        !diags
            .iter()
            .any(|d| d.message.contains("`visits` は data/stats/"))
    );
}

#[test]
fn neighbours_of_a_stacked_bar_need_contrast() {
    let site = site_with(&GOOD.replace("\"sodan:tint\"", "sodan"));
    let diags = site.check();
    let d = expect_diag(
        &diags,
        STATS,
        9,
        "色 `sodan` は前の系列の色と明るさが近すぎます",
    );
    assert!(d.is_error());
    // A bar chart has no neighbours: the same colours pass there.
    let one = GOOD
        .replace("chart: stacked", "chart: bar")
        .replace("  - {name: 学校, colour: \"sodan:tint\"}\n", "")
        .replace("[10, 5], total: 15", "[10]")
        .replace("[7, 0]", "[7]");
    assert!(site_with(&one).check().is_empty());
    assert!(
        site_with(GOOD).check().is_empty(),
        "{}",
        site_with(GOOD).check().render_text()
    );
}

#[test]
fn a_stats_file_that_cannot_be_read_is_not_blamed_on_the_page() {
    let site = site_with(&GOOD.replace("title: 訪問の件数", "title: 訪問の件数\ncolor: red"));
    let diags = site.check();
    assert!(
        diags.iter().any(|d| d.file == STATS && d.is_error()),
        "{}",
        diags.render_text()
    );
    assert!(
        !diags.iter().any(|d| d.file == "content/report.md"),
        "{}",
        diags.render_text()
    );
}

#[test]
fn a_noted_total_is_kept_and_explained_on_the_page() {
    let noted = GOOD.replace(
        "values: [10, 5], total: 15}",
        "values: [10, 5], total: 16, note: 報告書のまま}",
    );
    let site = site_with(&noted);
    let diags = site.check();
    assert!(diags.is_empty(), "{}", diags.render_text());
    let out = tempfile::tempdir().expect("tempdir");
    let dist = out.path().join("dist");
    let run = build_into(&site, &dist);
    assert_success(&run);
    let html = std::fs::read_to_string(dist.join("report/index.html")).expect("page");
    assert!(
        html.contains("※ R6: 報告書に書かれた計は 16件、各項目の和は 15件です。数字は報告書のまま載せています。報告書のまま"),
        "{html}"
    );
    assert!(html.contains("<th scope=\"col\">報告書の計</th>"));
    assert!(html.contains("<td>16※</td>"));
    assert!(html.contains(">15※</text>"), "the bar's total is marked");
}

#[test]
fn hostile_stats_are_refused_and_nothing_is_written() {
    let site = site_with(GOOD);
    let out = tempfile::tempdir().expect("tempdir");
    let dist = out.path().join("dist");
    let first = build_into(&site, &dist);
    assert_success(&first);
    let before = TreeSnapshot::of(&dist);
    // A huge number (1e300 is no count a page could show) and a non-integer.
    site.edit(STATS, "[7, 0]", "[7, 1e300]");
    let run = build_into(&site, &dist);
    assert!(!run.status.success());
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("data/stats/visits.yaml:12"), "{stderr}");
    TreeSnapshot::of(&dist).assert_same(&before, "a refused build");
}

#[test]
fn markup_in_the_data_is_escaped_in_svg_and_table() {
    let site = site_with(
        &GOOD
            .replace("訪問の件数", "<script>alert(1)</script>")
            .replace(
                "{name: 医療機関,",
                "{name: '\"><img src=x onerror=alert(1)>',",
            ),
    );
    let out = tempfile::tempdir().expect("tempdir");
    let dist = out.path().join("dist");
    let run = build_into(&site, &dist);
    assert_success(&run);
    let html = std::fs::read_to_string(dist.join("report/index.html")).expect("page");
    assert!(!html.contains("<script>alert"), "{html}");
    assert!(!html.contains("<img src=x"), "{html}");
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;&#x2F;script&gt;")
            || html.contains("&lt;script&gt;alert(1)&lt;/script&gt;")
    );
}

/// The attribute `name` of each element of `html` that has it, in order.
/// `ohisama build --no-pdf` of `site` into `dist`.
fn build_into(site: &TestSite, dist: &std::path::Path) -> std::process::Output {
    ohisama()
        .args(["build", "--no-pdf", "--root"])
        .arg(site.root())
        .arg("--out")
        .arg(dist)
        .output()
        .expect("run")
}

fn attrs(html: &str, name: &str) -> Vec<String> {
    let key = format!(" {name}=\"");
    html.match_indices(&key)
        .map(|(i, _)| {
            let rest = &html[i + key.len()..];
            rest[..rest.find('"').expect("closing quote")].to_string()
        })
        .collect()
}

/// The text of each `<td>` of `html`, in order.
fn cells(html: &str) -> Vec<String> {
    html.split("<td>")
        .skip(1)
        .map(|c| c[..c.find("</td>").expect("closed td")].to_string())
        .collect()
}

fn grouped(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// The part of `html` from `start` to the next `end` after it.
fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let from = html.find(start).unwrap_or_else(|| panic!("no {start}"));
    let rest = &html[from..];
    &rest[..rest
        .find(end)
        .unwrap_or_else(|| panic!("no {end} after {start}"))
        + end.len()]
}

#[test]
fn each_chart_says_the_numbers_of_its_table_and_its_yaml() {
    let site = TestSite::sample();
    let out = tempfile::tempdir().expect("tempdir");
    let dist = out.path().join("dist");
    let run = build_into(&site, &dist);
    assert_success(&run);
    let html = std::fs::read_to_string(dist.join("about/report/index.html")).expect("page");
    let loaded = ohisama::load::load_site(site.root());
    let files: Vec<&(String, StatsFile)> = loaded.raw.stats.iter().collect();
    assert!(files.len() >= 6, "{} stats files", files.len());
    for (file, stats) in files {
        let id = file
            .trim_start_matches("data/stats/")
            .trim_end_matches(".yaml");
        let svg = between(&html, &format!("data-chart=\"{id}\""), "</svg>");
        let yaml: Vec<Vec<u64>> = stats
            .rows
            .iter()
            .map(|r| r.value.values.iter().map(|v| v.value as u64).collect())
            .collect();
        // The SVG: each segment's value, each bar's sum, the chart's total.
        let segments: Vec<u64> = attrs(svg, "data-value")
            .iter()
            .map(|v| v.parse().unwrap())
            .collect();
        assert_eq!(segments, yaml.concat(), "{id}: segments");
        let sums: Vec<u64> = attrs(svg, "data-sum")
            .iter()
            .map(|v| v.parse().unwrap())
            .collect();
        let yaml_sums: Vec<u64> = yaml.iter().map(|r| r.iter().sum()).collect();
        assert_eq!(sums, yaml_sums, "{id}: bar sums");
        let total: u64 = attrs(svg, "data-total")[0].parse().unwrap();
        assert_eq!(total, yaml_sums.iter().sum::<u64>(), "{id}: total");
        // Bar lengths are proportional to the values (one scale per chart).
        let widths: Vec<f64> = svg
            .split("<rect ")
            .filter(|r| r.contains("data-value"))
            .map(|r| attrs(&format!(" {r}"), "width")[0].parse().unwrap())
            .collect();
        let (w_max, v_max) = widths
            .iter()
            .zip(&segments)
            .max_by_key(|(_, v)| **v)
            .map(|(w, v)| (*w, *v as f64))
            .unwrap();
        for (w, v) in widths.iter().zip(&segments) {
            assert!(
                (w - *v as f64 * w_max / v_max).abs() < 0.02,
                "{id}: {w} for {v}"
            );
        }
        // The table right after the chart: the same numbers, row by row.
        let section = between(&html, &format!("data-chart=\"{id}\""), "</table>");
        let table = between(section, "<tbody>", "</table>");
        let stacked = svg.contains("class=\"legend\"");
        let mut expected: Vec<String> = Vec::new();
        for (row, def) in yaml.iter().zip(&stats.rows) {
            expected.extend(row.iter().map(|v| grouped(*v)));
            let sum: u64 = row.iter().sum();
            if stacked {
                expected.push(grouped(sum));
            }
            let stated = def.value.total.as_ref().map(|t| t.value as u64);
            if table.contains("報告書の計") || section.contains("報告書の計") {
                expected.push(match stated {
                    Some(t) if t != sum => format!("{}※", grouped(t)),
                    _ => String::new(),
                });
            }
        }
        if !stacked && yaml.len() > 1 {
            expected.push(grouped(yaml_sums.iter().sum()));
        }
        assert_eq!(cells(table), expected, "{id}: table cells");
        // The desc says the figures in words.
        let desc = between(svg, "<desc", "</desc>");
        for (row, def) in yaml.iter().zip(&stats.rows) {
            let sum: u64 = row.iter().sum();
            assert!(
                desc.contains(&format!("{}: ", def.value.label.value)),
                "{id}: {desc}"
            );
            assert!(desc.contains(&grouped(sum)), "{id}: {desc}");
        }
    }
    // Each chart is a search document of its own, linking to its section.
    let found = ohisama()
        .args(["search", "--root"])
        .arg(site.root())
        .arg("相談件数")
        .output()
        .expect("run");
    assert_success(&found);
    let results = String::from_utf8_lossy(&found.stdout);
    assert!(
        results.contains("/about/report/#stats-consultations"),
        "{results}"
    );
    assert!(html.contains("<section class=\"stats\" aria-labelledby=\"stats-consultations\">"));
    // The report's own R1 total (1,222, the sum is 1,220) is kept and explained.
    assert!(html.contains("※ R1: 報告書に書かれた計は 1,222件、各項目の和は 1,220件です。"));
    assert!(html.contains("出典: 神奈川県健康医療局「神奈川県小児等在宅医療連携拠点事業における 令和7年度事業報告」 3-2「① 支援者向け相談窓口」"));
}
