//! Issue #19 item 4: every YAML mistake an editor can make is reported in
//! Japanese, at its file:line, with a hint, and with no English prose (the
//! parser's and serde's own words never reach a message).

use crate::sitekit::{TestSite, expect_diag};
use ohisama::diagnostic::Diagnostic;

const HEAD: &str = "municipality: yokohama\nupdated: 2025-04-01\nwindows:\n";
const FILE: &str = "data/contacts/yokohama.yaml";

/// The message and hint hold Japanese and no ASCII word of 4+ letters but the
/// `quoted` keys/values of the file, `true`/`false` and the format's name.
#[track_caller]
fn assert_japanese_only(d: &Diagnostic, quoted: &[&str]) {
    let hint = d.hint.clone().expect("a hint");
    for text in [&d.message, &hint] {
        assert!(
            text.chars().any(|c| ('\u{3040}'..='\u{9fff}').contains(&c)),
            "no Japanese in {text:?}"
        );
        for word in text.split(|c: char| !c.is_ascii_alphabetic()) {
            assert!(
                word.len() < 4
                    || quoted.contains(&word)
                    || ["true", "false", "YAML"].contains(&word),
                "English word {word:?} in {text:?}"
            );
        }
    }
}

/// Writes the windows of yokohama.yaml and checks: one error at `line`.
#[track_caller]
fn window_case(windows: &str, line: u32, needle: &str, quoted: &[&str]) -> Diagnostic {
    let site = TestSite::mini();
    site.write(FILE, &format!("{HEAD}{windows}"));
    let diags = site.check();
    let d = expect_diag(&diags, FILE, line, needle).clone();
    assert_japanese_only(&d, quoted);
    d
}

#[test]
fn duplicate_key_names_the_line_of_the_first() {
    let d = window_case(
        "  - name: a\n    field: sodan\n    note: x\n    name: b\n",
        7,
        "同じキー `name` が2回書かれています",
        &["name"],
    );
    assert_eq!(
        d.hint.as_deref(),
        Some("4行目にも同じキーがあります。どちらか一方を消してください")
    );
}

#[test]
fn mapping_value_in_a_value() {
    window_case(
        "  - name: 受付: 9時から\n    field: sodan\n    note: x\n",
        4,
        "この場所に「キー: 値」は書けません",
        &[],
    );
}

#[test]
fn unclosed_quote() {
    window_case(
        "  - name: \"障害福祉課\n    field: sodan\n    note: x\n",
        4,
        "引用符 (\" または ') が閉じられていません",
        &[],
    );
}

#[test]
fn tab_indentation() {
    window_case(
        "\t- name: a\n    field: sodan\n    note: x\n",
        4,
        "タブ文字は使えません",
        &[],
    );
}

#[test]
fn tab_indentation_is_reported_on_the_tab_s_line() {
    // The parser says the end of line 4; the editor is sent to the tab on line 5.
    let d = window_case(
        "  - name: a\n\tfield: sodan\n    note: x\n",
        5,
        "タブ文字は使えません",
        &[],
    );
    assert_eq!(d.column, 1);
}

#[test]
fn empty_value_of_a_required_key() {
    // serde-saphyr: "cannot deserialize null into string; use Option<String>".
    window_case(
        "  - name:\n    field: sodan\n    note: x\n",
        4,
        "値が空です",
        &[],
    );
}

#[test]
fn a_tag_before_a_value() {
    // serde-saphyr: "cannot deserialize tagged scalar into string".
    window_case(
        "  - name: !!int 5\n    field: sodan\n    note: x\n",
        4,
        "タグ",
        &[],
    );
}

#[test]
fn front_matter_numbers_and_booleans() {
    // serde-saphyr: "invalid i64", "invalid boolean".
    let site = TestSite::mini();
    let page = "content/emergency/index.md";
    for (front, needle) in [
        ("weight: abc", "ここには整数を書きます"),
        ("weight: 99999999999999999999", "ここには整数を書きます"),
        ("draft: maybe", "ここには true か false を書きます"),
    ] {
        site.write(page, &format!("---\ntitle: 緊急時\n{front}\n---\n本文\n"));
        let diags = site.check();
        let d = expect_diag(&diags, page, 3, needle);
        assert_japanese_only(d, &[]);
    }
}

#[test]
fn unreadable_file_is_in_japanese() {
    // A folder where a data file should be: the system's reason, in Japanese.
    let site = TestSite::mini();
    let path = site.path("data/fields.yaml");
    std::fs::remove_file(&path).expect("remove");
    std::fs::create_dir(&path).expect("mkdir");
    let diags = site.check();
    let d = diags
        .iter()
        .find(|d| d.file == "data/fields.yaml" && d.is_error())
        .unwrap_or_else(|| panic!("no error for the folder:\n{}", diags.render_text()));
    assert_japanese_only(d, &[]);
}

#[test]
fn an_unquoted_color_is_a_comment_and_the_hint_says_so() {
    // `#` starts a comment: the value is empty (serde-saphyr: "cannot
    // deserialize null into string").
    let site = TestSite::mini();
    site.edit("data/fields.yaml", "color: \"#1565C0\"", "color: #1565C0");
    let diags = site.check();
    let d = expect_diag(&diags, "data/fields.yaml", 3, "値が空です");
    assert!(
        d.hint
            .as_deref()
            .is_some_and(|h| h.contains("# で始まる値 (色など)")),
        "{:?}",
        d.hint
    );
    assert_japanese_only(d, &[]);
}
