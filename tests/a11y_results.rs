//! The accessibility test results that `/about/accessibility/` publishes:
//! `data/accessibility/results.yaml` is what the axe run of
//! `a11y::axe_finds_no_violation_on_any_page_type` produced. Every run makes
//! the file again and compares it with the committed one, all but the date
//! and the browser's version: a difference (a page, a rule, a count, a
//! criterion's result) fails the test. `OHISAMA_BLESS=1` rewrites the file
//! (refused under CI, which must not change the repository).

use crate::sitekit;
use std::collections::{BTreeMap, BTreeSet};

/// The committed results, relative to the repository.
pub const FILE: &str = "data/accessibility/results.yaml";

/// One page at one width, as axe answered ([`super::axe_run`]).
pub struct Run {
    pub name: &'static str,
    pub path: String,
    pub width: u32,
    pub axe: serde_json::Value,
}

/// The success criteria of JIS X 8341-3:2016 (= WCAG 2.0) at levels A and AA,
/// with their Japanese names (as in the JIS text; to be checked against it
/// before publishing, see docs/DATA.md).
const CRITERIA: [(&str, &str, &str); 38] = [
    ("1.1.1", "非テキストコンテンツ", "A"),
    ("1.2.1", "音声のみ及び映像のみ (収録済み)", "A"),
    ("1.2.2", "キャプション (収録済み)", "A"),
    (
        "1.2.3",
        "音声解説、又はメディアに対する代替 (収録済み)",
        "A",
    ),
    ("1.2.4", "キャプション (ライブ)", "AA"),
    ("1.2.5", "音声解説 (収録済み)", "AA"),
    ("1.3.1", "情報及び関係性", "A"),
    ("1.3.2", "意味のある順序", "A"),
    ("1.3.3", "感覚的な特徴", "A"),
    ("1.4.1", "色の使用", "A"),
    ("1.4.2", "音声の制御", "A"),
    ("1.4.3", "コントラスト (最低限レベル)", "AA"),
    ("1.4.4", "テキストのサイズ変更", "AA"),
    ("1.4.5", "文字画像", "AA"),
    ("2.1.1", "キーボード", "A"),
    ("2.1.2", "キーボードトラップなし", "A"),
    ("2.2.1", "タイミング調整可能", "A"),
    ("2.2.2", "一時停止、停止及び非表示", "A"),
    ("2.3.1", "3回の閃光、又は閾値以下", "A"),
    ("2.4.1", "ブロックスキップ", "A"),
    ("2.4.2", "ページタイトル", "A"),
    ("2.4.3", "フォーカス順序", "A"),
    ("2.4.4", "リンクの目的 (コンテキスト内)", "A"),
    ("2.4.5", "複数の手段", "AA"),
    ("2.4.6", "見出し及びラベル", "AA"),
    ("2.4.7", "フォーカスの可視化", "AA"),
    ("3.1.1", "ページの言語", "A"),
    ("3.1.2", "一部分の言語", "AA"),
    ("3.2.1", "フォーカス時", "A"),
    ("3.2.2", "入力時", "A"),
    ("3.2.3", "一貫したナビゲーション", "AA"),
    ("3.2.4", "一貫した識別性", "AA"),
    ("3.3.1", "エラーの特定", "A"),
    ("3.3.2", "ラベル又は説明", "A"),
    ("3.3.3", "エラー修正の提案", "AA"),
    ("3.3.4", "エラー回避 (法的、金融及びデータ)", "AA"),
    ("4.1.1", "構文解析", "A"),
    ("4.1.2", "名前 (name)、役割 (role) 及び値 (value)", "A"),
];

/// The page type's name on the published page.
fn kind_ja(name: &str) -> String {
    let fixed = match name {
        "home" => "ホーム",
        "contacts index" => "窓口の一覧",
        "municipality" => "市町村の窓口",
        "region" => "地域の窓口",
        "facilities hub" => "施設を探す",
        "facilities filtered" => "施設を探す (絞り込み)",
        "facility list" => "ケア別の施設一覧",
        "facility detail" => "施設の詳細",
        "search with results" => "検索結果",
        "content page" => "本文のページ",
        "404" => "ページが見つかりません (404)",
        "emergency sheet" => "緊急時の情報シート",
        "offline" => "オフライン",
        "glossary" => "用語集",
        "page with glossary links" => "用語のリンクがあるページ",
        "accessibility report" => "アクセシビリティ方針",
        "statistics charts" => "活動報告 (統計グラフ)",
        "translated page" => "翻訳のページ (英語)",
        "easy Japanese page" => "やさしい日本語のページ",
        "section emergency" => "目次 (緊急時対応マニュアル)",
        "section services" => "目次 (ご利用できるサービス)",
        "section messages" => "目次 (応援メッセージ)",
        "section faq" => "目次 (よくあるご質問)",
        "section news" => "目次 (お知らせ)",
        "section about" => "目次 (おひさまとは)",
        other => panic!("page type {other:?} has no Japanese name in kind_ja"),
    };
    fixed.to_string()
}

/// Rule ids of one of axe's lists (`passes`, `violations` …) of a run.
fn ids<'a>(run: &'a Run, list: &str) -> impl Iterator<Item = (&'a str, Vec<&'a str>)> {
    run.axe[list].as_array().into_iter().flatten().map(|r| {
        let sc = r["sc"].as_array().into_iter().flatten();
        (
            r["id"].as_str().unwrap_or_default(),
            sc.filter_map(|s| s.as_str()).collect(),
        )
    })
}

const LISTS: [&str; 4] = ["violations", "incomplete", "passes", "inapplicable"];

/// A criterion's result over every run: a violation anywhere, else an
/// undecided rule anywhere, else a pass anywhere, else rules with nothing to
/// test; no rule at all: untested (only a person can test it).
fn outcome(sc: &str, runs: &[Run], rules: &BTreeSet<&str>) -> &'static str {
    let found = |list: &str| {
        runs.iter()
            .any(|run| ids(run, list).any(|(_, scs)| scs.contains(&sc)))
    };
    if found("violations") {
        "violation"
    } else if found("incomplete") {
        "needs_review"
    } else if found("passes") {
        "passed"
    } else if !rules.is_empty() {
        "not_applicable"
    } else {
        "untested"
    }
}

/// A YAML string (JSON's quoting is YAML's).
fn q(s: &str) -> String {
    serde_json::to_string(s).expect("a string")
}

/// The results file of these runs, byte for byte what is committed.
pub fn yaml(runs: &[Run]) -> String {
    let mut rule_sc: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for run in runs {
        for (id, scs) in LISTS.iter().flat_map(|l| ids(run, l)) {
            rule_sc.entry(id).or_default().extend(scs);
        }
    }
    assert!(rule_sc.len() > 40, "axe ran only {} rules", rule_sc.len());
    let browser = runs[0].axe["browser"].as_str().unwrap_or("?");
    let mut y = format!(
        "# yaml-language-server: $schema=../../schemas/accessibility.schema.json\n\
         # アクセシビリティの自動試験の結果 (/about/accessibility/ に表示されます)。\n\
         # tests/a11y.rs の axe 試験が書くファイルです。手で直さず、試験をやり直して書き直します:\n\
         # OHISAMA_BLESS=1 cargo test --test integration a11y::axe\n\
         date: {}\ntool: {}\nbrowser: {}\nviewports: [{}]\ntags: [{}]\nrules:\n",
        today_in_japan(),
        q(&format!("axe-core {}", super::AXE_VERSION)),
        q(browser),
        super::VIEWPORTS.map(|w| w.to_string()).join(", "),
        ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
            .map(q)
            .join(", "),
    );
    for id in rule_sc.keys() {
        y += &format!("  - {}\n", q(id));
    }
    y += "pages:\n";
    for run in runs {
        y += &format!(
            "  - kind: {}\n    url: {}\n    viewport: {}\n    violations: {}\n    incomplete: {}\n",
            q(&kind_ja(run.name)),
            q(&run.path),
            run.width,
            ids(run, "violations").count(),
            ids(run, "incomplete").count(),
        );
    }
    y += "criteria:\n";
    for (sc, name, level) in CRITERIA {
        let rules: BTreeSet<&str> = rule_sc
            .iter()
            .filter(|(_, scs)| scs.contains(sc))
            .map(|(id, _)| *id)
            .collect();
        y += &format!(
            "  - sc: {}\n    name: {}\n    level: {level}\n    rules: [{}]\n    result: {}\n",
            q(sc),
            q(name),
            rules.iter().map(|r| q(r)).collect::<Vec<_>>().join(", "),
            outcome(sc, runs, &rules),
        );
    }
    y
}

/// The date of the run in Japan (UTC+9), where the team is: only written
/// when blessing, never compared.
fn today_in_japan() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs() as i64;
    let days = (secs + 9 * 3600).div_euclid(86_400);
    // Howard Hinnant's civil_from_days (src/date.rs is private to the crate).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// The lines that must stay equal: all but the date and the browser's version.
fn compared(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|l| !l.starts_with("date:") && !l.starts_with("browser:"))
        .collect()
}

/// Writes `run` to the committed file under `OHISAMA_BLESS=1`; otherwise
/// fails when it differs from the committed file (the run is left in
/// target/tmp for a diff).
pub fn compare_or_bless(run: &str) {
    let file = sitekit::repo_root().join(FILE);
    let blessing = std::env::var_os("OHISAMA_BLESS").is_some_and(|v| !v.is_empty() && v != "0");
    if blessing {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI does not rewrite {FILE}: bless locally and commit the file"
        );
        std::fs::create_dir_all(file.parent().expect("data/accessibility")).expect("mkdir");
        std::fs::write(&file, run).expect("write the results");
        return;
    }
    let committed = std::fs::read_to_string(&file).unwrap_or_else(|e| {
        panic!(
            "{FILE}: {e}; create it with OHISAMA_BLESS=1 cargo test --test integration a11y::axe"
        )
    });
    let (old, new) = (compared(&committed), compared(run));
    if old == new {
        return;
    }
    let fresh = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("a11y-results.yaml");
    std::fs::write(&fresh, run).expect("write the run's results");
    let mut differences: Vec<String> = old
        .iter()
        .zip(&new)
        .enumerate()
        .filter(|(_, (a, b))| a != b)
        .map(|(i, (a, b))| format!("line {}: file {a:?}, run {b:?}", i + 1))
        .collect();
    if old.len() != new.len() {
        differences.push(format!(
            "{} lines in the file, {} in the run",
            old.len(),
            new.len()
        ));
    }
    panic!(
        "{FILE} is not what this axe run found (this run: {}; lines counted without date and browser):\n{}\n\
         If the change is intended: OHISAMA_BLESS=1 cargo test --test integration a11y::axe",
        fresh.display(),
        differences.join("\n"),
    );
}
