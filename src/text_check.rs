//! Characters no value may hold: NUL and the other control characters, and a
//! byte-order mark (U+FEFF) anywhere but the very start of a file.
//!
//! They are invisible in an editor, usually pasted in from another program,
//! and would reach the HTML, the PDF and the search index as they are. They
//! are refused where they are written: in YAML data files and markdown pages
//! at file:line:column (raw, or spelt as a YAML escape such as `"\x07"` or an
//! HTML character reference such as `&#7;`), and in CSV cells at row and column
//! (see `tools::csv_io`). TAB, LF and CR stay allowed: they are line structure.
//!
//! Messages never print the character itself (a NUL or an escape sequence would
//! reach the terminal): they name it (`U+0007 (BEL)`), and the source line shown
//! under the message has it replaced by a visible stand-in of the same width.

use crate::diagnostic::{Diagnostic, Diagnostics};
use serde_saphyr::granit_parser::{Event, Parser, ScalarStyle};

/// At most this many characters are reported per file or CSV; the rest are counted.
pub const MAX_REPORTED: usize = 20;

/// NUL and the C0 controls but TAB, LF and CR; DEL; the C1 controls
/// (U+0080–U+009F); the byte-order mark U+FEFF.
pub fn is_forbidden(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}'
        | '\u{7F}' | '\u{80}'..='\u{9F}' | '\u{FEFF}')
}

const C0_NAMES: [&str; 32] = [
    "NUL", "SOH", "STX", "ETX", "EOT", "ENQ", "ACK", "BEL", "BS", "TAB", "LF", "VT", "FF", "CR",
    "SO", "SI", "DLE", "DC1", "DC2", "DC3", "DC4", "NAK", "SYN", "ETB", "CAN", "EM", "SUB", "ESC",
    "FS", "GS", "RS", "US",
];

const C1_NAMES: [&str; 32] = [
    "PAD", "HOP", "BPH", "NBH", "IND", "NEL", "SSA", "ESA", "HTS", "HTJ", "VTS", "PLD", "PLU",
    "RI", "SS2", "SS3", "DCS", "PU1", "PU2", "STS", "CCH", "MW", "SPA", "EPA", "SOS", "SGC", "SCI",
    "CSI", "ST", "OSC", "PM", "APC",
];

/// `U+0007 (BEL)`: the code point and its usual abbreviation.
pub fn char_label(c: char) -> String {
    let cp = c as u32;
    let name = match cp {
        0..=0x1F => C0_NAMES[cp as usize],
        0x7F => "DEL",
        0x80..=0x9F => C1_NAMES[(cp - 0x80) as usize],
        0xFEFF => "BOM",
        _ => "",
    };
    if name.is_empty() {
        format!("U+{cp:04X}")
    } else {
        format!("U+{cp:04X} ({name})")
    }
}

/// What kind of character it is, for the message.
pub fn kind_of(c: char) -> &'static str {
    if c == '\u{FEFF}' {
        "見えない文字"
    } else {
        "制御文字"
    }
}

/// The text with each forbidden character replaced by one visible character
/// (␀ … ␟ and ␡ for C0 and DEL, � for the others), so a caret under the
/// line still points at the right column.
pub fn visible(s: &str) -> String {
    s.chars()
        .map(|c| match c as u32 {
            cp @ 0..=0x1F if is_forbidden(c) => char::from_u32(0x2400 + cp).unwrap_or('\u{FFFD}'),
            0x7F => '\u{2421}',
            _ if is_forbidden(c) => '\u{FFFD}',
            _ => c,
        })
        .collect()
}

/// The first forbidden character of a text: its 1-based character position and itself.
pub fn first_forbidden(s: &str) -> Option<(usize, char)> {
    s.chars()
        .enumerate()
        .find(|(_, c)| is_forbidden(*c))
        .map(|(i, c)| (i + 1, c))
}

/// What to do about it, for the hint.
pub fn hint_for(c: char, spelt: Spelling) -> String {
    match spelt {
        Spelling::Raw if c == '\0' => "ほかのソフト (Word・Excel・PDF・Web ページなど) から貼り付けたときに紛れ込むことがあります。その前後の文字を消して、打ち直してください。ファイル全体に多いときは、UTF-16 などで保存されたファイルかもしれません: UTF-8 で保存し直してください".to_string(),
        Spelling::Raw => "ほかのソフト (Word・Excel・PDF・Web ページなど) から貼り付けたときに紛れ込むことがあります。エディタでは見えないので、その前後の文字を消して、打ち直してください".to_string(),
        Spelling::YamlEscape | Spelling::CharRef => {
            "この書き方は制御文字になり、ページに出せません。消してください".to_string()
        }
    }
}

/// How the character was written in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spelling {
    /// The character itself.
    Raw,
    /// A YAML double-quoted escape (`\0`, `\x07`, `\u0085`, …).
    YamlEscape,
    /// An HTML numeric character reference in markdown (`&#7;`, `&#x85;`).
    CharRef,
}

/// One forbidden character in a file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} {} が{}", kind_of(*.ch), char_label(*.ch), self.how())]
pub struct ForbiddenChar {
    /// 1-based line and character column.
    pub line: u32,
    pub column: u32,
    pub ch: char,
    pub spelt: Spelling,
    /// The escape or reference as written (ASCII only), when not raw.
    pub written: String,
}

impl ForbiddenChar {
    fn how(&self) -> String {
        match self.spelt {
            Spelling::Raw => "入っています".to_string(),
            Spelling::YamlEscape => format!("エスケープ `{}` で書かれています", self.written),
            Spelling::CharRef => format!("文字参照 `{}` で書かれています", self.written),
        }
    }
}

/// 1-based line and character column of byte offset `at` of `text`.
fn line_col(text: &str, at: usize) -> (u32, u32) {
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line as u32, column as u32)
}

/// Every raw forbidden character of a text, with its line and column.
fn raw_chars(text: &str) -> Vec<ForbiddenChar> {
    if !text.chars().any(is_forbidden) {
        return Vec::new();
    }
    let mut found = Vec::new();
    for (line_index, line) in text.split('\n').enumerate() {
        for (col_index, ch) in line.chars().enumerate() {
            if is_forbidden(ch) {
                found.push(ForbiddenChar {
                    line: line_index as u32 + 1,
                    column: col_index as u32 + 1,
                    ch,
                    spelt: Spelling::Raw,
                    written: String::new(),
                });
            }
        }
    }
    found
}

/// One YAML double-quoted escape at the start of `s` (which starts after the
/// backslash): its length in bytes and the character it stands for.
fn yaml_escape(s: &str) -> Option<(usize, char)> {
    let first = s.chars().next()?;
    let hex = |n: usize| -> Option<(usize, char)> {
        let digits = s.get(1..1 + n)?;
        let cp = u32::from_str_radix(digits, 16).ok()?;
        Some((1 + n, char::from_u32(cp)?))
    };
    match first {
        '0' => Some((1, '\0')),
        'a' => Some((1, '\u{7}')),
        'b' => Some((1, '\u{8}')),
        'v' => Some((1, '\u{B}')),
        'f' => Some((1, '\u{C}')),
        'e' => Some((1, '\u{1B}')),
        'N' => Some((1, '\u{85}')),
        'x' => hex(2),
        'u' => hex(4),
        'U' => hex(8),
        _ => Some((first.len_utf8(), first)), // \\ \" \n \t … : allowed characters
    }
}

/// Escapes that can stand for a forbidden character, for a cheap first look.
fn may_have_bad_escape(text: &str) -> bool {
    text.match_indices('\\')
        .any(|(i, _)| text[i + 1..].starts_with(['0', 'a', 'b', 'v', 'f', 'e', 'N', 'x', 'u', 'U']))
}

/// Forbidden characters written as escapes in the double-quoted scalars of a
/// YAML text. The YAML parser finds the double-quoted scalars (a backslash in
/// a plain scalar or a comment is just a backslash); a text it cannot parse is
/// left to the parser's own error.
fn yaml_escapes(yaml: &str) -> Vec<ForbiddenChar> {
    if !may_have_bad_escape(yaml) {
        return Vec::new();
    }
    let mut found = Vec::new();
    for event in Parser::new_from_str(yaml) {
        let (value, span) = match event {
            Ok((Event::Scalar(value, ScalarStyle::DoubleQuoted, ..), span)) => (value, span),
            Ok(_) => continue,
            Err(_) => break,
        };
        if !value.chars().any(is_forbidden) {
            continue;
        }
        let start = span
            .start
            .byte_offset()
            .unwrap_or_else(|| char_to_byte(yaml, span.start.index()));
        let end = span
            .end
            .byte_offset()
            .unwrap_or_else(|| char_to_byte(yaml, span.end.index()));
        let source = yaml.get(start..end).unwrap_or("");
        let mut i = 0;
        while let Some(off) = source[i..].find('\\') {
            let at = i + off;
            let Some((len, ch)) = yaml_escape(&source[at + 1..]) else {
                break;
            };
            if is_forbidden(ch) {
                let (line, column) = line_col(yaml, start + at);
                found.push(ForbiddenChar {
                    line,
                    column,
                    ch,
                    spelt: Spelling::YamlEscape,
                    written: source[at..at + 1 + len].to_string(),
                });
            }
            i = at + 1 + len;
        }
    }
    found
}

fn char_to_byte(text: &str, chars: usize) -> usize {
    text.char_indices()
        .nth(chars)
        .map_or(text.len(), |(b, _)| b)
}

/// Forbidden characters written as numeric character references (`&#7;`,
/// `&#x85;`) in markdown from byte `from` on, which the markdown renderer turns
/// into the character. Same grammar as CommonMark: up to 7 decimal or 6 hex
/// digits, then `;` (`&#0;` becomes U+FFFD there, so it is not reported).
fn char_refs(markdown: &str, from: usize) -> Vec<ForbiddenChar> {
    let mut found = Vec::new();
    for (at, _) in markdown.match_indices("&#").filter(|(at, _)| *at >= from) {
        let rest = &markdown[at + 2..];
        let (radix, digits_from, max) = if rest.starts_with(['x', 'X']) {
            (16, 1, 6)
        } else {
            (10, 0, 7)
        };
        let digits: String = rest[digits_from..]
            .chars()
            .take_while(|c| c.is_digit(radix))
            .take(max)
            .collect();
        let after = digits_from + digits.len();
        if digits.is_empty() || !rest[after..].starts_with(';') {
            continue;
        }
        let Some(ch) = u32::from_str_radix(&digits, radix)
            .ok()
            .and_then(char::from_u32)
        else {
            continue;
        };
        if ch != '\0' && is_forbidden(ch) {
            let (line, column) = line_col(markdown, at);
            found.push(ForbiddenChar {
                line,
                column,
                ch,
                spelt: Spelling::CharRef,
                written: markdown[at..at + 2 + after + 1].to_string(),
            });
        }
    }
    found
}

/// The front matter of a page (between the `---` lines; it starts at byte 4,
/// line 2) and the byte offset where the body starts, as `load` splits it.
fn front_matter(text: &str) -> Option<(&str, usize)> {
    let rest = text.strip_prefix("---\n")?;
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == "---" {
            return Some((&rest[..offset], 4 + offset + line.len()));
        }
        offset += line.len();
    }
    None
}

/// Every forbidden character of a file's text (BOM already removed, CRLF
/// already LF), as written raw, as a YAML escape (`.yaml`, and the front
/// matter of `.md`), or as a character reference (body of `.md`).
pub fn find_in_file(rel: &str, text: &str) -> Vec<ForbiddenChar> {
    let mut found = raw_chars(text);
    if rel.ends_with(".yaml") || rel.ends_with(".yml") {
        found.extend(yaml_escapes(text));
    } else if rel.ends_with(".md") {
        let body_from = match front_matter(text) {
            Some((front, body_from)) => {
                found.extend(yaml_escapes(front).into_iter().map(|mut f| {
                    f.line += 1; // the front matter starts on line 2
                    f
                }));
                body_from
            }
            None => 0,
        };
        found.extend(char_refs(text, body_from));
    }
    found.sort_by_key(|f| (f.line, f.column));
    found
}

/// [`find_in_file`] as diagnostics at `rel:line:column` (at most
/// [`MAX_REPORTED`], then one line counting the rest). Each carries its source
/// line with the character made visible, so the raw character is never printed.
pub fn check_file(rel: &str, text: &str) -> Diagnostics {
    let found = find_in_file(rel, text);
    let mut diags = Diagnostics::default();
    let lines: Vec<&str> = text.split('\n').collect();
    for f in found.iter().take(MAX_REPORTED) {
        let mut d =
            Diagnostic::error(rel, f.line, f.column, f.to_string()).hint(hint_for(f.ch, f.spelt));
        d.source_line = lines
            .get(f.line as usize - 1)
            .map(|l| visible(l.trim_end_matches('\r')));
        diags.push(d);
    }
    if found.len() > MAX_REPORTED {
        diags.push(
            Diagnostic::error(
                rel,
                0,
                0,
                format!(
                    "ほかにも {} か所に制御文字などがあります",
                    found.len() - MAX_REPORTED
                ),
            )
            .hint("上の箇所を直してから、もう一度検査してください"),
        );
    }
    diags
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forbidden_set() {
        for c in [
            '\0', '\u{7}', '\u{B}', '\u{1B}', '\u{7F}', '\u{85}', '\u{9F}', '\u{FEFF}',
        ] {
            assert!(is_forbidden(c), "{}", char_label(c));
        }
        for c in [
            '\t', '\n', '\r', ' ', 'a', '\u{A0}', 'あ', '\u{2028}', '\u{FF0D}',
        ] {
            assert!(!is_forbidden(c), "{}", char_label(c));
        }
        assert_eq!(char_label('\0'), "U+0000 (NUL)");
        assert_eq!(char_label('\u{85}'), "U+0085 (NEL)");
        assert_eq!(char_label('\u{FEFF}'), "U+FEFF (BOM)");
    }

    #[test]
    fn visible_keeps_one_char_per_char() {
        let s = "a\0b\u{7}c\u{85}d\u{FEFF}e\u{7F}";
        let v = visible(s);
        assert_eq!(v, "a\u{2400}b\u{2407}c\u{FFFD}d\u{FFFD}e\u{2421}");
        assert_eq!(v.chars().count(), s.chars().count());
    }

    #[test]
    fn raw_positions() {
        let f = find_in_file("data/x.yaml", "a: 1\nname: ab\u{7}c\n");
        assert_eq!((f[0].line, f[0].column, f[0].ch), (2, 9, '\u{7}'));
        assert_eq!(f.len(), 1);
        assert!(find_in_file("data/x.yaml", "a: \"\\t x\"\r\n\tb: 1\n").is_empty());
    }

    #[test]
    fn yaml_escapes_only_in_double_quoted_scalars() {
        let text =
            "a: \"ok \\n \\x41\"\nb: \"x\\x07y\"\nc: C:\\x07 plain\n# \"\\0\"\nd: \"\\u0085\"\n";
        let f = find_in_file("data/x.yaml", text);
        let got: Vec<(u32, u32, char, &str)> = f
            .iter()
            .map(|f| (f.line, f.column, f.ch, f.written.as_str()))
            .collect();
        assert_eq!(got, [(2, 6, '\u{7}', "\\x07"), (5, 5, '\u{85}', "\\u0085")]);
        assert_eq!(
            f[0].to_string(),
            "制御文字 U+0007 (BEL) がエスケープ `\\x07` で書かれています"
        );
    }

    #[test]
    fn markdown_front_matter_and_body() {
        let text = "---\ntitle: \"a\\0\"\n---\n本文 &#7; と &#x85; と &#65; と &#0;\n";
        let f = find_in_file("content/a.md", text);
        let got: Vec<(u32, u32, char)> = f.iter().map(|f| (f.line, f.column, f.ch)).collect();
        assert_eq!(got, [(2, 10, '\0'), (4, 4, '\u{7}'), (4, 11, '\u{85}')]);
        assert_eq!(f[1].written, "&#7;");
    }

    #[test]
    fn diagnostics_never_carry_the_raw_character() {
        let d = check_file("content/a.md", "---\ntitle: a\u{0}b\n---\n");
        let rendered = d.render_text();
        assert!(!rendered.contains('\0'), "{rendered}");
        assert!(rendered.contains("content/a.md:2:9"), "{rendered}");
        assert!(rendered.contains("title: a\u{2400}b"), "{rendered}");
    }
}
