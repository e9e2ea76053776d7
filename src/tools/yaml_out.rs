//! Writes contacts and facilities files in the layout of the sample data
//! (keys in the order of docs/DATA.md, strings plain where YAML allows it),
//! remembering which CSV cell each line came from.

use super::data::values_of;
use crate::kinds::common::field_names;
use crate::kinds::contacts::ContactFile;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// YAML text being built, with the CSV (row, column) each line came from.
#[derive(Debug, Default)]
pub struct YamlText {
    pub text: String,
    /// `origins[i]` is the origin of line `i + 1`.
    pub origins: Vec<Option<(u32, u32)>>,
}

impl YamlText {
    fn line(&mut self, line: String, origin: Option<(u32, u32)>) {
        self.text.push_str(&line);
        self.text.push('\n');
        self.origins.push(origin);
    }

    /// Origin of a 1-based line (or the nearest line above that has one).
    pub fn origin_of(&self, line: u32) -> Option<(u32, u32)> {
        let upto = (line as usize).min(self.origins.len());
        self.origins[..upto].iter().rev().flatten().next().copied()
    }
}

/// Where each value came from: `(item index, key)` → CSV (row, column).
pub trait Origins {
    fn origin(&self, item: usize, key: &str) -> Option<(u32, u32)>;
}

/// No origins (export, scaffold).
pub struct NoOrigins;

impl Origins for NoOrigins {
    fn origin(&self, _: usize, _: &str) -> Option<(u32, u32)> {
        None
    }
}

/// A YAML scalar for a string value: plain when that reads back as the same
/// string, else double-quoted (JSON escapes are valid YAML).
pub fn scalar(s: &str) -> String {
    if needs_quotes(s) {
        serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string())
    } else {
        s.to_string()
    }
}

/// A scalar inside a flow sequence (`[a, b]`), where `,[]{}` also need quotes.
fn flow_scalar(s: &str) -> String {
    if needs_quotes(s) || s.contains([',', '[', ']', '{', '}']) {
        serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string())
    } else {
        s.to_string()
    }
}

fn needs_quotes(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return true;
    };
    if first.is_whitespace() || s.ends_with(char::is_whitespace) {
        return true;
    }
    if "-?:,[]{}#&*!|>'\"%@`".contains(first) {
        return true;
    }
    if s.contains(": ") || s.contains(" #") || s.ends_with(':') || s.contains('\t') {
        return true;
    }
    if s.chars()
        .any(|c| c.is_control() || c == '\u{FEFF}' || c == '\u{2028}' || c == '\u{2029}')
    {
        return true;
    }
    let lower = s.to_ascii_lowercase();
    if matches!(
        lower.as_str(),
        "null" | "~" | "true" | "false" | "yes" | "no" | "on" | "off" | "y" | "n"
    ) {
        return true;
    }
    looks_numeric(&lower)
}

/// Ints, floats, hex/octal/binary, `.inf`/`.nan` and sexagesimal numbers of YAML 1.1/1.2.
fn looks_numeric(s: &str) -> bool {
    let body = s.trim_start_matches(['+', '-']);
    if matches!(body, ".inf" | ".nan") {
        return true;
    }
    if let Some(rest) = body
        .strip_prefix("0x")
        .or_else(|| body.strip_prefix("0o"))
        .or_else(|| body.strip_prefix("0b"))
    {
        return !rest.is_empty() && rest.chars().all(|c| c.is_ascii_hexdigit() || c == '_');
    }
    if !body.starts_with(|c: char| c.is_ascii_digit() || c == '.') {
        return false;
    }
    if body
        .chars()
        .all(|c| c.is_ascii_digit() || c == ':' || c == '_')
    {
        return true;
    }
    // float: digits, one dot, optional exponent
    let mut seen_e = false;
    let mut prev = ' ';
    for c in body.chars() {
        let ok = c.is_ascii_digit()
            || c == '.'
            || c == '_'
            || ((c == 'e') && !seen_e)
            || ((c == '+' || c == '-') && prev == 'e');
        if !ok {
            return false;
        }
        if c == 'e' {
            seen_e = true;
        }
        prev = c;
    }
    true
}

fn header_lines(out: &mut YamlText, header: &[String]) {
    for h in header {
        out.line(h.clone(), None);
    }
}

/// Writes the fields of one struct value, in the order the type declares
/// them, as serde writes them (a field serde skips is left out: the raw
/// types' `skip_serializing_if` decide what is written): strings by
/// [`scalar`], lists of plain values in flow style (`[a, b]`). A list of
/// structs is written as its key alone (`windows:`); the caller writes its
/// items after it, so such a field comes last in its type. `first` starts the
/// first line (`- ` for an item of a list), `rest` the others; `origin` gives
/// the CSV cell of a key (a list of structs takes the first key's).
pub fn fields<T: Serialize + DeserializeOwned>(
    out: &mut YamlText,
    value: &T,
    [first, rest]: [&str; 2],
    origin: &dyn Fn(&str) -> Option<(u32, u32)>,
) {
    let values = values_of(value);
    let keys = field_names::<T>();
    let first_origin = keys.first().and_then(|k| origin(k));
    let mut prefix = first;
    for key in keys {
        let Some(v) = values.get(*key) else {
            continue;
        };
        let (text, at) = match v {
            Value::String(s) => (format!(" {}", scalar(s)), origin(key)),
            Value::Array(items) if items.iter().any(Value::is_object) => {
                (String::new(), first_origin)
            }
            Value::Array(items) => {
                let items: Vec<String> = items.iter().map(flow_item).collect();
                (format!(" [{}]", items.join(", ")), origin(key))
            }
            other => (format!(" {other}"), origin(key)),
        };
        out.line(format!("{prefix}{key}:{text}"), at);
        prefix = rest;
    }
}

fn flow_item(v: &Value) -> String {
    match v {
        Value::String(s) => flow_scalar(s),
        other => other.to_string(),
    }
}

/// `data/contacts/<slug>.yaml`
pub fn contacts_yaml(header: &[String], c: &ContactFile, origins: &dyn Origins) -> YamlText {
    let mut out = YamlText::default();
    header_lines(&mut out, header);
    let first = field_names::<ContactFile>()
        .first()
        .and_then(|k| origins.origin(0, k));
    fields(&mut out, c, ["", ""], &|key| {
        origins.origin(0, key).or(first)
    });
    for (i, w) in c.windows.iter().enumerate() {
        fields(&mut out, &w.value, ["  - ", "    "], &|key| {
            origins.origin(i, key)
        });
    }
    out
}

/// A file that is a list of entries: `data/facilities/<slug>.yaml`,
/// `data/centres.yaml`, `data/glossary.yaml` (each entry's keys in the order
/// of its type's declaration).
pub fn list_yaml<T: Serialize + DeserializeOwned>(
    header: &[String],
    list: &[T],
    origins: &dyn Origins,
) -> YamlText {
    let mut out = YamlText::default();
    header_lines(&mut out, header);
    if list.is_empty() {
        out.line("[]".to_string(), None);
    }
    for (i, entry) in list.iter().enumerate() {
        fields(&mut out, entry, ["- ", "  "], &|key| origins.origin(i, key));
    }
    out
}

/// The leading comment lines of an existing YAML file (kept when it is rewritten),
/// without its `yaml-language-server` line.
pub fn leading_comments(text: &str) -> Vec<String> {
    text.lines()
        .take_while(|l| l.starts_with('#'))
        .filter(|l| !l.contains("yaml-language-server:"))
        .map(str::to_string)
        .collect()
}

/// `# yaml-language-server: $schema=…` for a data file `depth` folders below the site root.
pub fn schema_line(kind: &str, depth: usize) -> String {
    format!(
        "# yaml-language-server: $schema={}schemas/{kind}.schema.json",
        "../".repeat(depth)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        for plain in [
            "045-000-1234",
            "https://example.jp/a",
            "2025-04-01",
            "横浜市",
            "各種相談(医療的ケア児に関する全般)",
            "0歳〜18歳",
            "a-b",
        ] {
            assert_eq!(scalar(plain), plain, "{plain}");
        }
        for quoted in [
            "", "#7119", "119", "0465", "1.5", "true", "No", "a: b", "a #b", " x", "- x", "x\ny",
            "1e3", "0x1F", "12:30", "[x]", "'x'", "\"x\"",
        ] {
            assert!(scalar(quoted).starts_with('"'), "{quoted}");
        }
    }

    #[test]
    fn fields_follow_the_declaration_and_skip_what_serde_skips() {
        let w: crate::kinds::contacts::Window = serde_saphyr::from_str(
            "url: https://e.jp/\nname: 福祉課\ngeneral: false\nfield: sodan\nnote: \"#7119\"\n",
        )
        .unwrap();
        let mut out = YamlText::default();
        fields(&mut out, &w.normalized(), ["  - ", "    "], &|key| {
            (key == "note").then_some((2, 6))
        });
        assert_eq!(
            out.text,
            "  - name: 福祉課\n    field: sodan\n    note: \"#7119\"\n    url: https://e.jp/\n"
        );
        assert_eq!(out.origins, [None, None, Some((2, 6)), None]);
    }

    #[test]
    fn facility_care_is_a_flow_list_and_empty_kana_is_left_out() {
        let f: crate::kinds::facilities::Facility = serde_saphyr::from_str(
            "id: a\nname: b\ntype: clinic\nmunicipality: m\ncare: []\nnote: 'x, y'\n",
        )
        .unwrap();
        let out = list_yaml(&["# h".to_string()], &[f], &NoOrigins);
        assert_eq!(
            out.text,
            "# h\n- id: a\n  name: b\n  type: clinic\n  municipality: m\n  care: []\n  note: x, y\n"
        );
    }

    #[test]
    fn quoted_values_read_back() {
        for s in ["#7119", "119", "a: b", "x\ny", "\"q\" \\ t", "true", "1e3"] {
            let yaml = format!("v: {}\n", scalar(s));
            #[derive(serde::Deserialize)]
            struct V {
                v: String,
            }
            let back: V = serde_saphyr::from_str(&yaml).unwrap();
            assert_eq!(back.v, s);
        }
    }
}
