//! serde-saphyr's errors in the editors' words: every error a YAML file can
//! give becomes a Japanese (message, hint). No English text of the parser or
//! of serde reaches a message: the kinds the editors meet have their own
//! words, and every other kind a Japanese sentence of its family (syntax,
//! value, structure), never the parser's text.

use super::limits;
use serde_saphyr::Error as E;
use serde_saphyr::granit_parser::{Event, Parser};
use std::collections::BTreeMap;

/// The hint of every "the value is of the wrong kind" message.
const KIND_HINT: &str =
    "リスト(- で始まる行)、文字列、true/false、数値のどれを書くべきか確認してください";

/// The Japanese (message, hint) of a serde-saphyr error on `text`.
pub(super) fn japanese_yaml_error(e: &E, text: &str) -> (String, String) {
    match e {
        E::Budget { breach, .. } => budget_message(breach),
        E::ExternalMessage { source, .. } => match &**source {
            serde_saphyr::localizer::ExternalMessageSource::Parser(scan) => {
                syntax_message(scan.kind())
            }
            _ => syntax_fallback(),
        },
        E::AliasError { error, .. } => japanese_yaml_error(error, text),
        E::UnknownAnchor { .. } => limits::alias_refused(),
        E::DuplicateMappingKey { key, location } => {
            duplicate_key(text, key.as_deref(), location.line() as u32)
        }
        E::MultipleDocuments { .. } => two_documents(),
        E::Eof { .. } => cut_short(),
        other => serde_message(other).unwrap_or_else(|| value_or_structure(other)),
    }
}

/// The errors of serde (the data's types) and of reading one value.
fn serde_message(e: &E) -> Option<(String, String)> {
    Some(match e {
        E::SerdeUnknownField {
            field, expected, ..
        } => unknown_key(field, expected),
        E::SerdeMissingField { field, .. } => (
            format!("必須のキー `{field}` がありません"),
            format!("`{field}:` の行を追加してください"),
        ),
        E::SerdeInvalidType {
            unexpected,
            expected,
            ..
        } => (
            format!(
                "値の種類が違います: {} を書くところに {} が書かれています",
                expected_ja(expected),
                unexpected_ja(unexpected)
            ),
            KIND_HINT.into(),
        ),
        E::SerdeInvalidValue {
            unexpected,
            expected,
            ..
        } => (
            format!(
                "この値は使えません: {} を書くところに {} が書かれています",
                expected_ja(expected),
                unexpected_ja(unexpected)
            ),
            KIND_HINT.into(),
        ),
        E::SerdeInvalidLength { len, expected, .. } => (
            format!(
                "項目の数が違います ({len} 個): {} を書いてください",
                expected_ja(expected)
            ),
            "リストの項目の数を確認してください".into(),
        ),
        E::Unexpected { expected, .. } => (
            format!(
                "値の種類が違います: {} を書くところに、別の種類の値が書かれています",
                expected_ja(expected)
            ),
            KIND_HINT.into(),
        ),
        E::NullIntoString { .. } => (
            "値が空です (キーの後に何も書かれていません)".into(),
            "「キー: 値」の値を書くか、使わないならその行ごと消してください。# から後はコメントになるので、# で始まる値 (色など) は \"…\" で囲んでください".into(),
        ),
        E::InvalidScalar { ty, .. } => scalar_message(ty),
        E::InvalidBooleanStrict { .. } => scalar_message("bool"),
        E::NonFiniteFloat { .. } => scalar_message("f64"),
        E::TaggedScalarCannotDeserializeIntoString { .. }
        | E::UnsupportedTag { .. }
        | E::TaggedStructFieldName { .. }
        | E::TaggedEnumMismatch { .. }
        | E::BytesNotSupportedMissingBinaryTag { .. }
        | E::InvalidBinaryBase64 { .. }
        | E::BinaryNotUtf8 { .. } => (
            "「!」で始まるタグ (!!int など) は使えません".into(),
            "値の前の !… を消してください。! で始まる文字を値にするときは、値全体を \"…\" で囲んでください".into(),
        ),
        _ => return None,
    })
}

/// Any other error: its family in Japanese, never the parser's English.
fn value_or_structure(e: &E) -> (String, String) {
    match e {
        E::MergeKeyNotAllowed { .. } | E::MergeValueNotMapOrSeqOfMaps { .. } => {
            limits::alias_refused()
        }
        E::InvalidUtf8Input => (
            "ファイルが UTF-8 で保存されていません".into(),
            "エディタで文字コードを UTF-8 にして保存し直してください".into(),
        ),
        E::UnexpectedSequenceEnd { .. }
        | E::UnexpectedMappingEnd { .. }
        | E::ContainerEndMismatch { .. }
        | E::UnexpectedContainerEndWhileReadingKeyNode { .. }
        | E::UnexpectedContainerEndWhileSkippingNode { .. }
        | E::ExpectedMappingEndAfterEnumVariantValue { .. }
        | E::FoldedBlockScalarMustIndentContent { .. }
        | E::IndentationError { .. } => syntax_message_of(Family::Indent),
        _ => syntax_fallback(),
    }
}

/// Whether `message` is the tab message of [`syntax_message_of`].
pub(super) fn is_tab_message(message: &str) -> bool {
    message.starts_with("タブ文字は使えません")
}

/// The first tab in the indentation of line `line` (1-based) or a later one,
/// as (line, column), 1-based.
pub(super) fn tab_at_or_after(text: &str, line: u32) -> Option<(u32, u32)> {
    text.lines()
        .enumerate()
        .skip(line.saturating_sub(1) as usize)
        .find_map(|(i, l)| {
            let indent = l.len() - l.trim_start_matches([' ', '\t']).len();
            let at = l[..indent].find('\t')?;
            Some((i as u32 + 1, l[..at].chars().count() as u32 + 1))
        })
}

/// A key written twice in one mapping: where the first one is, from the
/// parser's events (serde-saphyr tells only the second).
fn duplicate_key(text: &str, key: Option<&str>, line: u32) -> (String, String) {
    let message = match key {
        Some(k) => format!("同じキー `{k}` が2回書かれています"),
        None => "同じキーが2回書かれています".to_string(),
    };
    let hint = match key.and_then(|k| first_occurrence(text, k, line)) {
        Some(first) => format!("{first}行目にも同じキーがあります。どちらか一方を消してください"),
        None => "どちらか一方を消してください".to_string(),
    };
    (message, hint)
}

/// The line of the first `key` of the mapping that has it again at `line`.
fn first_occurrence(text: &str, key: &str, line: u32) -> Option<u32> {
    // Per open mapping: whether the next node is a key, and its keys' first lines.
    let mut maps: Vec<Option<(bool, BTreeMap<String, u32>)>> = Vec::new();
    for item in Parser::new_from_str(text) {
        let Ok((event, span)) = item else { break };
        let at = span.start.line() as u32;
        let is_key = match maps.last_mut() {
            Some(Some((want_key, _))) => std::mem::replace(want_key, !*want_key),
            _ => false,
        };
        match event {
            Event::Scalar(value, ..) if is_key => {
                let Some(Some((_, keys))) = maps.last_mut() else {
                    continue;
                };
                match keys.get(value.as_ref()) {
                    Some(first) if value == key && at == line => return Some(*first),
                    Some(_) => {}
                    None => {
                        keys.insert(value.to_string(), at);
                    }
                }
            }
            Event::MappingStart(..) => maps.push(Some((true, BTreeMap::new()))),
            Event::SequenceStart(..) => maps.push(None),
            Event::MappingEnd | Event::SequenceEnd => {
                maps.pop();
            }
            _ => {}
        }
    }
    None
}

fn unknown_key(field: &str, expected: &[&str]) -> (String, String) {
    let near = crate::diagnostic::nearest(field, expected.iter().copied());
    let hint = if expected.is_empty() {
        "ここではキーを書けません".to_string()
    } else if near.is_empty() {
        format!("使えるキー: {}", expected.join(", "))
    } else {
        // The nearest keys, then every key (not the list twice when none is near).
        format!(
            "{}(使えるキー: {})",
            crate::diagnostic::did_you_mean(field, expected.iter().copied()),
            expected.join(", ")
        )
    };
    (format!("不明なキー `{field}` があります"), hint)
}

/// A scalar that does not read as the type of its key (`weight: abc`).
fn scalar_message(ty: &str) -> (String, String) {
    let (what, hint) = match ty {
        "bool" | "boolean" => (
            "ここには true か false を書きます",
            "true (はい) か false (いいえ) を書いてください",
        ),
        t if t.starts_with('f') => (
            "ここには数値を書きます",
            "半角の数字で書いてください (例: 1.5)",
        ),
        t if t.starts_with('i') || t.starts_with('u') => (
            "ここには整数を書きます",
            "半角の数字で書いてください (例: 10)。小さすぎる・大きすぎる数も書けません",
        ),
        "char" => ("ここには1文字だけを書きます", "1文字だけを書いてください"),
        _ => ("ここには別の種類の値を書きます", KIND_HINT),
    };
    (format!("値が読めません: {what}"), hint.to_string())
}

fn two_documents() -> (String, String) {
    (
        "1つのファイルに YAML の文書が2つ以上あります (--- の行で区切られています)".into(),
        "ファイルの途中にある --- の行を消してください".into(),
    )
}

fn cut_short() -> (String, String) {
    (
        "ファイルが途中で終わっています".into(),
        "引用符や括弧の閉じ忘れ、最後の行が欠けていないかを確認してください".into(),
    )
}

/// A parser budget ([`limits::yaml_options`]) the file went over (normally
/// found first by [`limits::limit_problems`], at its place).
fn budget_message(breach: &serde_saphyr::budget::BudgetBreach) -> (String, String) {
    use serde_saphyr::budget::BudgetBreach as B;
    match breach {
        B::Nodes { .. } | B::Events { .. } => limits::too_many_nodes(),
        B::Depth { .. } => limits::too_deep(),
        B::Aliases { .. } | B::AliasAnchorRatio { .. } | B::MergeKeys { .. } => {
            limits::alias_refused()
        }
        B::Documents { .. } => two_documents(),
        B::ScalarBytes { .. } | B::InputBytes { .. } => (
            format!(
                "ファイルの文字が多すぎます (上限 {} MB)",
                limits::MAX_DATA_FILE_BYTES >> 20
            ),
            "長い説明はページ (content/) に分けてください".into(),
        ),
        _ => (
            "YAML が大きすぎるか、複雑すぎて読めません".into(),
            "アンカー (&名前)・深い入れ子・とても長い値を使わずに書いてください".into(),
        ),
    }
}

/// The families of syntax errors, each with its words.
enum Family {
    MappingValue,
    Tab,
    Unclosed,
    AfterQuote,
    Indent,
    Brackets,
    Character,
    CutShort,
    DocumentMarker,
}

/// A syntax error of the YAML parser, by its kind.
fn syntax_message(kind: &serde_saphyr::granit_parser::ErrorKind) -> (String, String) {
    use serde_saphyr::granit_parser::ErrorKind as K;
    let family = match kind {
        K::MappingValueNotAllowed | K::InvalidColonPlacement | K::InvalidMappingValueWhitespace => {
            Family::MappingValue
        }
        K::TabNotAllowed
        | K::TabInBlockIndentation
        | K::TabInIndentation
        | K::TabAtBlockScalarStart
        | K::TabInPlainScalar => Family::Tab,
        K::UnclosedQuotedScalar | K::DocumentIndicatorInQuotedScalar => Family::Unclosed,
        K::InvalidTrailingSingleQuotedScalar | K::InvalidTrailingDoubleQuotedScalar => {
            Family::AfterQuote
        }
        K::InvalidIndentation
        | K::InvalidBlockScalarIndent
        | K::InvalidQuotedScalarIndent
        | K::InvalidFlowScalarIndent
        | K::ExpectedBlockMappingKey
        | K::ExpectedBlockSequenceEntry
        | K::BlockSequenceEntryNotAllowed
        | K::SimpleKeyExpected
        | K::InvalidSimpleKey => Family::Indent,
        K::UnclosedFlowCollection { .. }
        | K::MismatchedFlowCollectionEnd { .. }
        | K::MisplacedFlowCollectionEnd
        | K::UnexpectedEofFlowSequence
        | K::UnexpectedEofFlowMapping
        | K::UnexpectedEofImplicitFlowMapping
        | K::ExpectedFlowMappingSeparator
        | K::ExpectedFlowSequenceSeparator => Family::Brackets,
        K::RecursionLimitExceeded => return limits::too_deep(),
        K::UnknownAnchor | K::MissingAnchorOrAliasName => return limits::alias_refused(),
        K::UnexpectedEof | K::UnexpectedEofBlockSequence | K::UnexpectedEofBlockMapping => {
            Family::CutShort
        }
        K::MultipleDocumentsUnsupported | K::ExpectedDocumentStart | K::InvalidDocumentEnd => {
            Family::DocumentMarker
        }
        // Every other kind (an odd character, a directive, an escape …).
        _ => Family::Character,
    };
    syntax_message_of(family)
}

fn syntax_message_of(family: Family) -> (String, String) {
    let (message, hint) = match family {
        Family::MappingValue => (
            "この場所に「キー: 値」は書けません",
            "値の中に「: 」(コロンと空白) があるときは、値全体を \"…\" で囲んでください。字下げがずれていないかも確認してください",
        ),
        Family::Tab => (
            "タブ文字は使えません (字下げは半角スペースで書きます)",
            "タブを半角スペースに置き換えてください",
        ),
        Family::Unclosed => (
            "引用符 (\" または ') が閉じられていません",
            "値の終わりに、始めと同じ引用符を書いてください",
        ),
        Family::AfterQuote => (
            "引用符で囲んだ値の後ろに、余分な文字があります",
            "値の中に引用符があるときは、値全体を別の種類の引用符で囲んでください",
        ),
        Family::Indent => (
            "字下げ (インデント) が合っていません",
            "同じ階層の行は同じ数の半角スペースで字下げし、「キー: 値」のコロンの後に空白を入れてください",
        ),
        Family::Brackets => (
            "[ ] や { } の括弧の対応が合っていません",
            "開いた括弧を閉じ、項目をコンマで区切ってください。括弧を含む値は \"…\" で囲んでください",
        ),
        Family::Character => (
            "YAML ではこの場所にこの文字を書けません",
            "記号 (@ ` % & * ! | > など) で始まる値や、\\ を含む値は、値全体を '…' で囲んでください",
        ),
        Family::CutShort => return cut_short(),
        Family::DocumentMarker => (
            "--- や ... の行の位置が正しくありません",
            "データのファイルでは --- の行は使いません。消してください",
        ),
    };
    (message.to_string(), hint.to_string())
}

/// Any other YAML error: a Japanese message and a general hint (the
/// parser's own English words are not shown).
fn syntax_fallback() -> (String, String) {
    (
        "YAML の書き方に誤りがあります".into(),
        "インデント(字下げ)、コロンの後の空白、引用符の閉じ忘れを確認してください。記号で始まる値は \"…\" で囲んでください".into(),
    )
}

/// serde's name of an expected type, in Japanese ("a boolean" → "true/false").
fn expected_ja(expected: &str) -> String {
    let known = [
        ("a boolean", "true / false"),
        ("a sequence", "リスト (- で始まる行)"),
        ("a string", "文字列"),
        ("a map", "「キー: 値」の組"),
        ("i64", "整数"),
        ("u64", "整数"),
        ("u32", "整数"),
        ("i32", "整数"),
        ("f64", "数値"),
        ("sequence start", "リスト (- で始まる行)"),
        ("mapping start", "「キー: 値」の組"),
        ("string scalar", "文字列"),
        ("scalar", "文字列や数値"),
        ("str expected", "文字列"),
        ("missing string", "文字列"),
        ("bool expected", "true / false"),
        ("missing bool", "true / false"),
    ];
    if let Some((_, ja)) = known.iter().find(|(en, _)| *en == expected) {
        return ja.to_string();
    }
    if expected.starts_with("struct ") || expected.starts_with("a map") {
        return "「キー: 値」の組".to_string();
    }
    if expected.starts_with("a sequence") || expected.starts_with("a list") {
        return "リスト (- で始まる行)".to_string();
    }
    if expected.contains("integer") {
        return "整数".to_string();
    }
    "決まった種類の値".to_string()
}

/// serde's description of the value found, in Japanese.
fn unexpected_ja(unexpected: &str) -> String {
    let text = unexpected.trim();
    if let Some(s) = text.strip_prefix("string ") {
        return format!("文字列 {s}");
    }
    if text == "sequence" {
        return "リスト".to_string();
    }
    if text == "map" {
        return "「キー: 値」の組".to_string();
    }
    if text.starts_with("unit") || text == "null" {
        return "空の値".to_string();
    }
    if let Some(b) = text.strip_prefix("boolean ") {
        return format!("true/false の値 {b}");
    }
    for prefix in ["integer ", "floating point "] {
        if let Some(n) = text.strip_prefix(prefix) {
            return format!("数値 {n}");
        }
    }
    "別の種類の値".to_string()
}

#[cfg(test)]
mod tests {
    use super::super::{YamlProblem, parse_yaml};
    use super::*;

    fn problem(text: &str) -> YamlProblem {
        match parse_yaml::<serde_json::Value>(text) {
            Ok(v) => panic!("parsed: {v:?}"),
            Err(p) => p,
        }
    }

    #[test]
    fn billion_laughs_is_refused_in_japanese() {
        let mut bomb = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for i in 1..12 {
            let refs = vec![format!("*a{}", i - 1); 9].join(", ");
            bomb.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
        }
        let p = problem(&bomb);
        assert!(p.over_limit);
        assert_eq!(
            p.message,
            "YAML のアンカーと別名 (&名前 / *名前、<<) は使えません"
        );
    }

    #[test]
    fn budget_breaches_are_in_japanese() {
        let deep = format!("{}{}", "[".repeat(30), "]".repeat(30));
        let p = problem(&deep);
        assert!(p.over_limit);
        assert!(
            p.message.starts_with("入れ子 (字下げの段) が深すぎます"),
            "{}",
            p.message
        );
        let many = format!("[{}]", vec!["1"; limits::MAX_YAML_NODES + 1].join(","));
        let p = problem(&many);
        assert!(
            p.over_limit && p.message.contains("250,000"),
            "{}",
            p.message
        );
    }

    #[test]
    fn common_syntax_errors_are_in_japanese() {
        let cases = [
            ("a: b: c\n", "この場所に「キー: 値」は書けません", 1),
            ("a:\n\t- x\n", "タブ文字は使えません", 2),
            (
                "a: \"open\nb: 1\n",
                "引用符 (\" または ') が閉じられていません",
                0,
            ),
            ("a: 1\na: 2\n", "同じキー `a` が2回書かれています", 2),
            ("a: [1, 2\n", "括弧の対応が合っていません", 0),
            ("a: 1\n---\nb: 2\n", "YAML の文書が2つ以上あります", 0),
        ];
        for (text, want, line) in cases {
            let p = problem(text);
            assert!(p.message.contains(want), "{text:?}: {}", p.message);
            assert!(p.hint.is_some());
            if line > 0 {
                assert_eq!(p.line, line, "{text:?}");
            }
        }
    }

    /// The message and hint hold Japanese and no English word (4+ ASCII
    /// letters) except the `quoted` words of the file, the values editors
    /// write (`true` / `false`) and the name of the format (YAML).
    fn assert_japanese_only(p: &YamlProblem, quoted: &[&str]) {
        let hint = p.hint.clone().unwrap_or_default();
        for text in [&p.message, &hint] {
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

    #[test]
    fn a_tab_is_reported_at_its_place() {
        let p = problem("windows:\n  - name: a\n\tfield: b\n");
        assert!(is_tab_message(&p.message), "{}", p.message);
        assert_eq!((p.line, p.column), (3, 1));
        let p = problem("a:\n  b: 1\n \t c: 2\n");
        assert!(is_tab_message(&p.message), "{}", p.message);
        assert_eq!((p.line, p.column), (3, 2));
    }

    #[test]
    fn a_merge_key_is_refused_like_an_alias() {
        let p = problem("a: 1\nb:\n  <<: {c: 1}\n  d: 2\n");
        assert_eq!(
            p.message,
            "YAML のアンカーと別名 (&名前 / *名前、<<) は使えません"
        );
        assert_eq!(p.line, 3);
    }

    #[test]
    fn duplicate_key_names_the_first_line() {
        let p = problem("a: 1\nb:\n  c: 1\n  d: 2\n  c: 3\n");
        assert_eq!(p.line, 5);
        assert_eq!(p.message, "同じキー `c` が2回書かれています");
        assert_eq!(
            p.hint.as_deref(),
            Some("3行目にも同じキーがあります。どちらか一方を消してください")
        );
        // In a list of mappings, the first is in the same entry, not the entry before.
        let p = problem("- name: x\n- name: y\n  note: n\n  name: z\n");
        assert_eq!(p.line, 4);
        assert!(p.hint.as_deref().is_some_and(|h| h.starts_with("2行目")));
    }

    #[test]
    fn no_english_in_any_yaml_message() {
        #[derive(serde::Deserialize, Debug)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Doc {
            #[serde(default)]
            name: String,
            title: Option<String>,
            weight: Option<i64>,
            draft: Option<bool>,
            care: Option<Vec<String>>,
            pair: Option<(String, String)>,
        }
        let cases: [(&str, &[&str]); 22] = [
            ("name: a\nname: b\n", &["name"]),
            ("name: a: b\n", &[]),
            ("name: \"open\ntitle: x\n", &[]),
            ("name:\n\t- x\n", &[]),
            ("name: a\n\ttitle: x\n", &[]),
            ("name:\n", &[]),
            ("name: !!int 5\n", &[]),
            ("care: {a: 1}\n", &[]),
            ("weight: abc\n", &[]),
            ("weight: 99999999999999999999\n", &[]),
            ("weight: -1.5\n", &[]),
            ("draft: maybe\n", &[]),
            ("care: x\n", &[]),
            ("care: [[a]]\n", &[]),
            ("pair: [a]\n", &[]),
            (
                "titel: a\n",
                &["titel", "name", "title", "weight", "draft", "care", "pair"],
            ),
            ("name: [a, b\n", &[]),
            ("name: 'a'b\n", &[]),
            ("name: @x\n", &[]),
            ("name: \"\\q\"\n", &[]),
            ("name: \"\\x\"\n", &[]),
            ("name: a\n---\nname: b\n", &[]),
        ];
        for (text, quoted) in cases {
            let p = match parse_yaml::<Doc>(text) {
                Ok(v) => panic!("{text:?} parsed: {v:?}"),
                Err(p) => p,
            };
            assert_japanese_only(&p, quoted);
        }
    }
}
