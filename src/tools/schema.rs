//! `ohisama schema`: JSON Schemas (draft 2020-12) of every data file kind, in
//! Japanese, with the site's own ids as enums, so VS Code (YAML extension)
//! completes and checks as the team types. `additionalProperties: false`
//! everywhere, like the loader's `deny_unknown_fields`.

use super::data::{Named, Vocab};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::kinds::settings::SiteConfig;
use crate::kinds::vocab::{CareTerm, FacilityType, Field, Municipality, Region, VocabKind};
use serde::ser::{SerializeMap as _, SerializeSeq as _};
use serde::{Serialize, Serializer};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

pub const DRAFT: &str = "https://json-schema.org/draft/2020-12/schema";

/// One schema file: the kind of data it is for and how it is made (derived
/// from the kind's raw type). Adding a kind of data adds one entry here.
pub struct SchemaFile {
    /// The kind of data (`contacts`); names the data files it is for.
    pub kind: &'static str,
    pub file: &'static str,
    title: &'static str,
    description: &'static str,
    make: fn(&SchemaFile, &Vocab) -> Value,
}

/// Every schema file, in the order they are written.
pub const SCHEMAS: [SchemaFile; 13] = [
    SchemaFile {
        kind: "site",
        file: "site.schema.json",
        title: "サイト全体の設定 (data/site.yaml)",
        description: "サイト名、発行元、窓口一覧の版、トップページのお知らせ",
        make: site_schema,
    },
    SchemaFile {
        kind: "regions",
        file: "regions.schema.json",
        title: "地域 (data/regions.yaml)",
        description: "地域を掲載順に並べます。各地域の municipalities に市町村スラッグを掲載順に並べます",
        make: of::<Vec<Region>>,
    },
    SchemaFile {
        kind: "municipalities",
        file: "municipalities.schema.json",
        title: "市町村 (data/municipalities.yaml)",
        description: "市町村を全国地方公共団体コード順に並べます (地域は regions.yaml で決めます)",
        make: of::<Vec<Municipality>>,
    },
    SchemaFile {
        kind: "fields",
        file: "fields.schema.json",
        title: "窓口の分野 (data/fields.yaml)",
        description: "障害福祉 保健 給付金 教育 相談 その他 の6分野",
        make: of::<Vec<Field>>,
    },
    SchemaFile {
        kind: "care",
        file: "care.schema.json",
        title: "医療的ケアの種類 (data/care.yaml)",
        description: "施設検索の絞り込みに使います",
        make: of::<Vec<CareTerm>>,
    },
    SchemaFile {
        kind: "facility_types",
        file: "facility_types.schema.json",
        title: "施設種別 (data/facility_types.yaml)",
        description: "施設・サービスの種別。施設検索の絞り込みに使います",
        make: of::<Vec<FacilityType>>,
    },
    SchemaFile {
        kind: "synonyms",
        file: "synonyms.schema.json",
        title: "検索の言い換え (data/synonyms.yaml)",
        description: "同じ意味の言葉のグループ。どれか1つで検索すると全部の言葉で探します",
        make: of::<Vec<crate::kinds::synonyms::SynonymGroup>>,
    },
    SchemaFile {
        kind: "contacts",
        file: "contacts.schema.json",
        title: "市町村の問い合わせ窓口 (data/contacts/<市町村>.yaml)",
        description: "1つの市町村の窓口を掲載順に書きます",
        make: of::<crate::kinds::contacts::ContactFile>,
    },
    SchemaFile {
        kind: "facilities",
        file: "facilities.schema.json",
        title: "施設 (data/facilities/<市町村>.yaml)",
        description: "1つの市町村の施設・事業所のリスト",
        make: of::<Vec<crate::kinds::facilities::Facility>>,
    },
    SchemaFile {
        kind: "centres",
        file: "centres.schema.json",
        title: "地域の支援センター (data/centres.yaml)",
        description: "医療的ケア児支援センターとその地域の相談窓口。担当する地域・市町村のページの上のほうに載ります",
        make: of::<Vec<crate::kinds::centres::Centre>>,
    },
    SchemaFile {
        kind: "glossary",
        file: "glossary.schema.json",
        title: "用語集 (data/glossary.yaml)",
        description: "ページに出てくる用語の、よみ・やさしい説明・関係するページ。/glossary/ に載り、各ページで最初に出てくる用語が用語集へのリンクになります",
        make: of::<Vec<crate::kinds::glossary::Term>>,
    },
    SchemaFile {
        kind: "i18n",
        file: "i18n.schema.json",
        title: "言語ごとの画面の文言 (data/i18n/<言語コード>.yaml)",
        description: "翻訳のページ (content/<パス>.<言語コード>.md) のメニュー・ボタン・お知らせ・緊急時情報シートの文言。ja.yaml と同じキーをすべて書きます",
        make: of::<crate::kinds::i18n::Strings>,
    },
    SchemaFile {
        kind: "front-matter",
        file: "front-matter.schema.json",
        title: "ページの見出し情報 (content/*.md の front matter)",
        description: "markdown のページ先頭の --- で囲んだ部分",
        make: of::<crate::kinds::pages::FrontMatter>,
    },
];

/// The schema file of a kind (`contacts` → `contacts.schema.json`).
pub fn schema_file_of(kind: &str) -> Option<&'static str> {
    SCHEMAS.iter().find(|s| s.kind == kind).map(|s| s.file)
}

/// The schema kind of a data file (`data/contacts/yokohama.yaml` → `contacts`),
/// and how many folders below the site root it is.
pub fn kind_of_data_file(rel: &str) -> Option<(&'static str, usize)> {
    let rel = rel.trim_start_matches("./");
    if let Some(name) = rel.strip_prefix("data/contacts/") {
        return (name.ends_with(".yaml") && !name.contains('/')).then_some(("contacts", 2));
    }
    if let Some(name) = rel.strip_prefix("data/facilities/") {
        return (name.ends_with(".yaml") && !name.contains('/')).then_some(("facilities", 2));
    }
    if let Some(name) = rel.strip_prefix("data/i18n/") {
        return (name.ends_with(".yaml") && !name.contains('/')).then_some(("i18n", 2));
    }
    let name = rel.strip_prefix("data/")?.strip_suffix(".yaml")?;
    SCHEMAS
        .iter()
        .find(|s| {
            s.kind == name && !matches!(s.kind, "contacts" | "facilities" | "front-matter" | "i18n")
        })
        .map(|s| (s.kind, 1))
}

/// An id of a vocabulary: an enum of the site's ids (with their Japanese names
/// shown in completion), or a slug when the vocabulary could not be read.
/// With `kind`, the names YAML accepts for an id ([`Vocab::yaml_id`]: a name
/// exactly one entry has) follow the ids, each described by its id.
fn vocabulary(
    title: &str,
    description: &str,
    v: &Vocab,
    list: &[Named],
    kind: Option<VocabKind>,
) -> Value {
    if list.is_empty() {
        return json!({"$ref": "#/$defs/slug", "title": title, "description": description});
    }
    let mut values: Vec<String> = list.iter().map(|n| n.id.clone()).collect();
    let mut described: Vec<String> = list
        .iter()
        .map(|n| {
            if n.kana.is_empty() {
                n.name.clone()
            } else {
                format!("{} ({})", n.name, n.kana)
            }
        })
        .collect();
    if let Some(kind) = kind {
        for n in list {
            let names_it = v.yaml_id(kind, &n.name) == Some(n.id.as_str());
            if names_it && !values.contains(&n.name) {
                values.push(n.name.clone());
                described.push(format!("{} (ID: {})", n.name, n.id));
            }
        }
    }
    json!({
        "type": "string",
        "title": title,
        "description": description,
        "enum": values,
        "enumDescriptions": described,
    })
}

/// Definitions shared by every schema.
fn defs(v: &Vocab) -> Value {
    let mut all: serde_json::Map<String, Value> = crate::kinds::common::shared_definitions()
        .into_iter()
        .collect();
    let vocabularies = json!({
        "municipality": vocabulary("市町村", "municipalities.yaml の slug か市町村名", v, &v.municipalities, Some(VocabKind::Municipality)),
        "region": vocabulary("地域", "regions.yaml の id", v, &v.regions, None),
        "field": vocabulary("分野", "fields.yaml の id か分野名 (窓口の色分け)", v, &v.fields, Some(VocabKind::Field)),
        "care": vocabulary("医療的ケア", "care.yaml の id か名前", v, &v.care, Some(VocabKind::Care)),
        "facility_type": vocabulary("施設種別", "facility_types.yaml の id か名前", v, &v.types, Some(VocabKind::Type)),
    });
    if let Value::Object(m) = vocabularies {
        all.extend(m);
    }
    Value::Object(all)
}

fn document(kind: &str, title: &str, description: &str, body: Value, v: &Vocab) -> Value {
    let mut doc = body;
    if let Value::Object(m) = &mut doc {
        m.insert("$schema".into(), json!(DRAFT));
        m.insert("$id".into(), json!(format!("{kind}.schema.json")));
        m.insert("title".into(), json!(title));
        m.insert("description".into(), json!(description));
        m.insert("$defs".into(), defs(v));
    }
    doc
}

/// The schema of a kind's raw type `T`, derived from its declaration (serde +
/// schemars attributes), as a document like the hand-written ones: the shared
/// definitions of [`defs`] (with the site's ids), plus the type's own.
fn derived<T: schemars::JsonSchema>(
    kind: &str,
    title: &str,
    description: &str,
    v: &Vocab,
) -> Value {
    let root = schemars::generate::SchemaSettings::draft2020_12()
        .into_generator()
        .into_root_schema_for::<T>();
    let mut body = root.to_value();
    let own = match &mut body {
        Value::Object(m) => m.remove("$defs"),
        _ => None,
    };
    let mut doc = document(kind, title, description, body, v);
    if let (Some(Value::Object(own)), Some(Value::Object(all))) = (own, doc.get_mut("$defs")) {
        for (name, def) in own {
            all.entry(name).or_insert(def);
        }
    }
    doc
}

/// The schema of a kind's raw type `T` (a list of them for a list file).
fn of<T: schemars::JsonSchema>(s: &SchemaFile, v: &Vocab) -> Value {
    derived::<T>(s.kind, s.title, s.description, v)
}

/// site.yaml: derived from [`SiteConfig`]; `theme` offers the folders of
/// `themes/` (any folder name when there are none to offer).
fn site_schema(s: &SchemaFile, v: &Vocab) -> Value {
    let mut doc = of::<SiteConfig>(s, v);
    if !v.themes.is_empty()
        && let Some(theme) = doc.pointer_mut("/properties/theme")
    {
        theme["enum"] = json!(v.themes);
    }
    doc
}

/// Removes the empty title/description left by `object`/`list_of` at the top
/// level, and what schemars adds that is noise to an editor: `default` (of
/// `#[serde(default)]` fields) and `format` (`int64` of a weight).
fn tidy(mut doc: Value) -> Value {
    /// `names`: the object's keys are names (of properties, definitions), not keywords.
    fn walk(v: &mut Value, names: bool) {
        match v {
            Value::Object(m) => {
                if !names {
                    for key in ["title", "description"] {
                        if m.get(key).is_some_and(|t| t == "") {
                            m.remove(key);
                        }
                    }
                    m.remove("default");
                    m.remove("format");
                }
                for (key, child) in m.iter_mut() {
                    walk(
                        child,
                        !names && matches!(key.as_str(), "properties" | "$defs"),
                    );
                }
            }
            Value::Array(a) => a.iter_mut().for_each(|x| walk(x, false)),
            _ => {}
        }
    }
    walk(&mut doc, false);
    doc
}

/// Every schema for a site's vocabularies: (file name, schema).
pub fn schemas(v: &Vocab) -> Vec<(&'static str, Value)> {
    SCHEMAS
        .iter()
        .map(|s| (s.file, tidy((s.make)(s, v))))
        .collect()
}

/// Order of schema keywords in the written files (the rest alphabetically after).
const KEYWORD_ORDER: [&str; 24] = [
    "$schema",
    "$id",
    "$ref",
    "title",
    "description",
    "type",
    "const",
    "enum",
    "enumDescriptions",
    "pattern",
    "minLength",
    "minItems",
    "uniqueItems",
    "examples",
    "required",
    "dependentRequired",
    "anyOf",
    "allOf",
    "properties",
    "additionalProperties",
    "items",
    "default",
    "format",
    "$defs",
];

/// A JSON value written with a fixed key order, whatever serde_json's map keeps.
struct Ordered<'a> {
    value: &'a Value,
    /// The object's keys are schema keywords (else names: properties, $defs).
    schema: bool,
}

impl Serialize for Ordered<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.value {
            Value::Object(m) => {
                let mut keys: Vec<&String> = m.keys().collect();
                if self.schema {
                    keys.sort_by_key(|k| {
                        (
                            KEYWORD_ORDER
                                .iter()
                                .position(|o| o == k)
                                .unwrap_or(KEYWORD_ORDER.len()),
                            k.as_str(),
                        )
                    });
                } else {
                    keys.sort();
                }
                let mut map = s.serialize_map(Some(keys.len()))?;
                for k in keys {
                    let names = self.schema
                        && matches!(k.as_str(), "properties" | "$defs" | "dependentRequired");
                    map.serialize_entry(
                        k,
                        &Ordered {
                            value: &m[k],
                            schema: !names,
                        },
                    )?;
                }
                map.end()
            }
            Value::Array(a) => {
                let mut seq = s.serialize_seq(Some(a.len()))?;
                for item in a {
                    seq.serialize_element(&Ordered {
                        value: item,
                        schema: self.schema,
                    })?;
                }
                seq.end()
            }
            other => other.serialize(s),
        }
    }
}

/// Pretty JSON (2 spaces), fixed key order, final newline.
pub fn render(v: &Value) -> String {
    let mut out = serde_json::to_string_pretty(&Ordered {
        value: v,
        schema: true,
    })
    .unwrap_or_default();
    out.push('\n');
    out
}

/// Writes every schema of the site at `root` into `out`; returns the files written.
pub fn write_schemas(root: &Path, out: &Path) -> Result<Vec<PathBuf>, Diagnostics> {
    let (vocab, _) = Vocab::load(root)?;
    let files: Vec<(PathBuf, Vec<u8>)> = schemas(&vocab)
        .into_iter()
        .map(|(name, doc)| (out.join(name), render(&doc).into_bytes()))
        .collect();
    super::write_files_atomically(&files).map_err(|e| {
        super::single(
            Diagnostic::error(
                out.display().to_string(),
                0,
                0,
                format!("書き込めませんでした: {e}"),
            )
            .hint("フォルダの権限と空き容量を確認してください"),
        )
    })?;
    Ok(files.into_iter().map(|(p, _)| p).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_of_files() {
        assert_eq!(kind_of_data_file("data/site.yaml"), Some(("site", 1)));
        assert_eq!(
            kind_of_data_file("data/contacts/yokohama.yaml"),
            Some(("contacts", 2))
        );
        assert_eq!(
            kind_of_data_file("data/facility_types.yaml"),
            Some(("facility_types", 1))
        );
        assert_eq!(kind_of_data_file("data/contacts.yaml"), None);
        assert_eq!(kind_of_data_file("content/index.md"), None);
    }

    #[test]
    fn key_order_is_fixed() {
        let v = json!({"type": "object", "title": "t", "$schema": DRAFT, "properties": {"b": {"type": "string", "title": "b"}, "a": {"title": "a"}}});
        let text = render(&v);
        let pos = |s: &str| text.find(s).unwrap();
        assert!(pos("$schema") < pos("\"title\": \"t\""));
        assert!(pos("\"title\": \"t\"") < pos("\"type\": \"object\""));
        assert!(pos("\"a\":") < pos("\"b\":"));
        assert!(pos("\"title\": \"b\"") < pos("\"type\": \"string\""));
    }
}
