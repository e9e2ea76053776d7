//! The Japanese analyzer shared by the tantivy index and `search.js`.
//!
//! Text is normalised as a whole (NFKC, lower case, katakana folded to
//! hiragana, small ヵ/ヶ read as か/け), then every character that is not
//! white space gives a 1-gram and, when the next character is not white space
//! either, a 2-gram. Both carry the character offset as position, so a query
//! word is found as a phrase of its 2-grams (a 1-character word as its 1-gram)
//! and matches exactly the texts that contain it.
//!
//! `themes/default/static/js/search.js` implements the same functions; change
//! both together and bump [`ANALYZER_VERSION`].

use std::borrow::Cow;

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

/// Name under which the analyzer is registered in tantivy.
pub const TOKENIZER_NAME: &str = "ohisama_ja_ngram";

/// Written into the export so the client can refuse an index it cannot read.
pub const ANALYZER_VERSION: &str = "ja-ngram-1";

/// White space as both sides define it (Unicode White_Space, listed so that
/// Rust and JavaScript agree exactly). A break ends a run of n-grams.
pub fn is_break(c: char) -> bool {
    matches!(
        c,
        '\u{0009}'..='\u{000D}'
            | '\u{0020}'
            | '\u{0085}'
            | '\u{00A0}'
            | '\u{1680}'
            | '\u{2000}'..='\u{200A}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202F}'
            | '\u{205F}'
            | '\u{3000}'
    )
}

/// Katakana → hiragana, and the small ヵ/ヶ (as in 茅ヶ崎, 3ヶ月) → か/け.
fn fold_kana(c: char) -> char {
    let c = match c {
        '\u{30A1}'..='\u{30F6}' => char::from_u32(c as u32 - 0x60).unwrap_or(c),
        _ => c,
    };
    match c {
        '\u{3095}' => 'か',
        '\u{3096}' => 'け',
        _ => c,
    }
}

/// NFKC, lower case, kana folding. Half-width ﾎｳﾓﾝ, full-width ホウモン and
/// ほうもん all become ほうもん; ＡＢＣ becomes abc.
pub fn normalize(text: &str) -> String {
    // Most texts are NFKC already (the quick check says so without
    // decomposing): then only lower case and kana folding remain, done in
    // one pass into one string. Lower case per character equals
    // `str::to_lowercase` except for Σ at the end of a word, so a text with
    // Σ takes the whole-string path.
    let nfkc: Cow<str> = match is_nfkc_quick(text.chars()) {
        IsNormalized::Yes => Cow::Borrowed(text),
        _ => Cow::Owned(text.nfkc().collect()),
    };
    if nfkc.contains('Σ') {
        return nfkc.to_lowercase().chars().map(fold_kana).collect();
    }
    let mut out = String::with_capacity(nfkc.len());
    for c in nfkc.chars() {
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else if ('\u{3000}'..='\u{9FFF}').contains(&c) {
            // Kana, CJK symbols and ideographs have no case (the test below
            // checks every character); skip the case table lookup.
            out.push(fold_kana(c));
        } else {
            out.extend(c.to_lowercase().map(fold_kana));
        }
    }
    out
}

/// [`normalize`] as defined (NFKC, then lower case, then kana folding), for
/// the test that the fast path gives the same text.
#[cfg(test)]
fn normalize_reference(text: &str) -> String {
    let nfkc: String = text.nfkc().collect();
    nfkc.to_lowercase().chars().map(fold_kana).collect()
}

/// The 1- and 2-grams of a text with their positions (character offsets in
/// the normalised text), in the order the index receives them.
pub fn tokens(text: &str) -> Vec<(String, u32)> {
    let chars: Vec<char> = normalize(text).chars().collect();
    let mut out = Vec::with_capacity(chars.len() * 2);
    for (i, &c) in chars.iter().enumerate() {
        if is_break(c) {
            continue;
        }
        out.push((c.to_string(), i as u32));
        if let Some(&d) = chars.get(i + 1)
            && !is_break(d)
        {
            let mut s = String::with_capacity(8);
            s.push(c);
            s.push(d);
            out.push((s, i as u32));
        }
    }
    out
}

/// The words of a query: normalised, split at white space, duplicates
/// dropped (first occurrence kept). All words must match (AND).
pub fn query_words(query: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    for w in normalize(query).split(is_break) {
        if !w.is_empty() && !words.iter().any(|x| x == w) {
            words.push(w.to_string());
        }
    }
    words
}

/// The n-grams searched for one (normalised) query word, with their offsets:
/// one 1-gram for a 1-character word, otherwise 2-grams at offsets 0, 2, 4 …
/// plus the last 2-gram when the length is odd. Together they cover every
/// character, so a document matches exactly when it contains the word.
pub fn cover(word: &str) -> Vec<(u32, String)> {
    let chars: Vec<char> = word.chars().collect();
    let n = chars.len();
    match n {
        0 => Vec::new(),
        1 => vec![(0, chars[0].to_string())],
        _ => {
            let mut offsets: Vec<usize> = (0..=n - 2).step_by(2).collect();
            if offsets.last() != Some(&(n - 2)) {
                offsets.push(n - 2);
            }
            offsets
                .into_iter()
                .map(|o| (o as u32, chars[o..o + 2].iter().collect()))
                .collect()
        }
    }
}

/// The analyzer as a tantivy tokenizer.
#[derive(Clone, Default)]
pub struct JaNgramTokenizer {
    token: Token,
}

/// Token stream over the normalised text: each non-break character gives
/// its 1-gram, then its 2-gram when the next character is not a break. The
/// token's text buffer is reused (no allocation per n-gram: indexing makes
/// two tokens per character of every text).
pub struct JaNgramStream<'a> {
    /// (byte offset, char) of the normalised text.
    chars: Vec<(usize, char)>,
    /// Byte length of the normalised text.
    len: usize,
    /// The character the next token starts at.
    i: usize,
    /// Whether the 1-gram at `i` was given and its 2-gram comes next.
    bigram_next: bool,
    token: &'a mut Token,
}

impl Tokenizer for JaNgramTokenizer {
    type TokenStream<'a> = JaNgramStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> JaNgramStream<'a> {
        self.token.reset();
        let norm = normalize(text);
        JaNgramStream {
            chars: norm.char_indices().collect(),
            len: norm.len(),
            i: 0,
            bigram_next: false,
            token: &mut self.token,
        }
    }
}

impl JaNgramStream<'_> {
    /// Byte offset just past character `i`.
    fn end_of(&self, i: usize) -> usize {
        self.chars.get(i + 1).map_or(self.len, |&(b, _)| b)
    }

    fn emit(&mut self, first: usize, last: usize) {
        let offset_to = self.end_of(last);
        let t = &mut *self.token;
        t.text.clear();
        for &(_, c) in &self.chars[first..=last] {
            t.text.push(c);
        }
        t.position = first;
        t.offset_from = self.chars[first].0;
        t.offset_to = offset_to;
        t.position_length = 1;
    }
}

impl TokenStream for JaNgramStream<'_> {
    fn advance(&mut self) -> bool {
        while let Some(&(_, c)) = self.chars.get(self.i) {
            let i = self.i;
            if is_break(c) {
                self.i += 1;
                continue;
            }
            if !self.bigram_next {
                self.emit(i, i);
                self.bigram_next = true;
                return true;
            }
            self.bigram_next = false;
            self.i += 1;
            if self.chars.get(i + 1).is_some_and(|&(_, d)| !is_break(d)) {
                self.emit(i, i + 1);
                return true;
            }
        }
        false
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kana_forms_fold() {
        assert_eq!(normalize("ﾎｳﾓﾝｶﾝｺﾞ"), "ほうもんかんご");
        assert_eq!(normalize("ホウモン"), "ほうもん");
        assert_eq!(normalize("茅ヶ崎市"), normalize("茅ケ崎市"));
        assert_eq!(normalize("ＡＢＣ１２３"), "abc123");
    }

    #[test]
    fn fast_normalize_equals_the_definition() {
        let tricky = [
            "ΟΔΟΣ ΣΟΦΟΣ Σ",
            "か\u{3099}カ\u{3099}ｶﾞ",
            "Ⅻ ㍻ ﬁ ①",
            "İSTANBUL ǅ ẞ",
            "e\u{0301}\u{0323} \u{1100}\u{1161}",
            "訪問看護ステーション（茅ヶ崎）！",
            "",
        ];
        for t in tricky {
            assert_eq!(normalize(t), normalize_reference(t), "{t:?}");
        }
        // Every scalar value, 61 to a text (neighbours meet across composition
        // and case boundaries), then each followed by a combining mark.
        let all: Vec<char> = (0..=0x10_FFFFu32).filter_map(char::from_u32).collect();
        for chunk in all.chunks(61) {
            let t: String = chunk.iter().collect();
            assert_eq!(normalize(&t), normalize_reference(&t), "{t:?}");
        }
        for chunk in all[..0x3100].chunks(61) {
            let t: String = chunk.iter().flat_map(|&c| [c, '\u{0301}']).collect();
            assert_eq!(normalize(&t), normalize_reference(&t), "{t:?}");
        }
    }

    #[test]
    fn cover_is_exact() {
        assert_eq!(cover("あ"), vec![(0, "あ".into())]);
        assert_eq!(cover("あい"), vec![(0, "あい".into())]);
        assert_eq!(
            cover("あいう"),
            vec![(0, "あい".into()), (1, "いう".into())]
        );
        assert_eq!(
            cover("あいうえ"),
            vec![(0, "あい".into()), (2, "うえ".into())]
        );
        assert_eq!(
            cover("あいうえお"),
            vec![(0, "あい".into()), (2, "うえ".into()), (3, "えお".into())]
        );
    }

    #[test]
    fn stream_matches_tokens() {
        // Breaks at the start, doubled, full-width, and a lone last character.
        let text = " 訪問看護  ｽﾃｰｼｮﾝ\u{3000}a";
        let norm = normalize(text);
        let mut tok = JaNgramTokenizer::default();
        let mut stream = tok.token_stream(text);
        let mut got = Vec::new();
        while stream.advance() {
            let t = stream.token();
            // The offsets point at the token's text in the normalised text.
            assert_eq!(&norm[t.offset_from..t.offset_to], t.text);
            got.push((t.text.clone(), t.position as u32));
        }
        assert_eq!(got, tokens(text));
        assert_eq!(got.last(), Some(&("a".to_string(), 14)));
    }
}
