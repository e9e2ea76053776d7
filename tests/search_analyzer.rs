//! The Japanese analyzer: normalisation, n-grams, query words.

use ohisama::search::analyzer::{cover, normalize, query_words, tokens};

fn grams(s: &str) -> Vec<(String, u32)> {
    tokens(s)
}

#[test]
fn katakana_hiragana_and_half_width_give_the_same_tokens() {
    let a = grams("ホウモン");
    assert_eq!(a, grams("ほうもん"));
    assert_eq!(a, grams("ﾎｳﾓﾝ"));
    assert_eq!(grams("ﾎｳﾓﾝｶﾝｺﾞ"), grams("ほうもんかんご"));
    assert_eq!(grams("ホウモンカンゴ"), grams("ほうもんかんご"));
    // voiced half-width marks compose: ｶﾞ is one character
    assert_eq!(normalize("ｶﾞｯｺｳ"), "がっこう");
}

#[test]
fn one_and_two_grams_with_char_positions() {
    let expected: Vec<(String, u32)> = vec![
        ("ほ".into(), 0),
        ("ほう".into(), 0),
        ("う".into(), 1),
        ("うも".into(), 1),
        ("も".into(), 2),
        ("もん".into(), 2),
        ("ん".into(), 3),
    ];
    assert_eq!(grams("ホウモン"), expected);
}

#[test]
fn white_space_breaks_grams_but_keeps_positions() {
    // "a b": no 2-gram across the space; b keeps its character offset 2
    assert_eq!(
        grams("a　b"),
        vec![("a".to_string(), 0), ("b".to_string(), 2)]
    );
}

#[test]
fn full_width_latin_and_case() {
    assert_eq!(normalize("ＮＩＣＵ"), "nicu");
    assert_eq!(normalize("NICU"), "nicu");
    assert_eq!(grams("ＰＤＦ"), grams("pdf"));
    assert_eq!(normalize("１１９番"), "119番");
}

#[test]
fn small_ke_folds_to_ke() {
    assert_eq!(normalize("茅ヶ崎市"), "茅け崎市");
    assert_eq!(normalize("茅ケ崎市"), "茅け崎市");
    assert_eq!(normalize("3ヵ月"), "3か月");
    // long vowel mark stays
    assert_eq!(normalize("ステーション"), "すてーしょん");
}

#[test]
fn query_words_split_and_dedupe() {
    assert_eq!(
        query_words("  横浜市　訪問看護 横浜市 "),
        vec!["横浜市".to_string(), "訪問看護".to_string()]
    );
    assert!(query_words(" 　 ").is_empty());
}

#[test]
fn cover_spans_every_character() {
    for w in [
        "あ",
        "あい",
        "あいう",
        "あいうえ",
        "人工呼吸器",
        "訪問看護すてーしょん",
    ] {
        let chars: Vec<char> = w.chars().collect();
        let mut covered = vec![false; chars.len()];
        for (o, t) in cover(w) {
            let tc: Vec<char> = t.chars().collect();
            for (k, c) in tc.iter().enumerate() {
                assert_eq!(chars[o as usize + k], *c);
                covered[o as usize + k] = true;
            }
        }
        assert!(covered.iter().all(|&c| c), "{w}");
    }
}
