//! `ohisama schema`: JSON Schemas (draft 2020-12) of every data file kind, in
//! Japanese, with the site's own ids as enums, so VS Code (YAML extension)
//! completes and checks as the team types. `additionalProperties: false`
//! everywhere, like the loader's `deny_unknown_fields`.

use super::data::{Named, Vocab};
use crate::diagnostic::{Diagnostic, Diagnostics};
use serde::ser::{SerializeMap as _, SerializeSeq as _};
use serde::{Serialize, Serializer};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

pub const DRAFT: &str = "https://json-schema.org/draft/2020-12/schema";

/// Every schema: (kind, file name). The kind names the data files it is for.
pub const SCHEMAS: [(&str, &str); 9] = [
    ("site", "site.schema.json"),
    ("regions", "regions.schema.json"),
    ("municipalities", "municipalities.schema.json"),
    ("fields", "fields.schema.json"),
    ("care", "care.schema.json"),
    ("facility_types", "facility_types.schema.json"),
    ("contacts", "contacts.schema.json"),
    ("facilities", "facilities.schema.json"),
    ("front-matter", "front-matter.schema.json"),
];

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
    let name = rel.strip_prefix("data/")?.strip_suffix(".yaml")?;
    SCHEMAS
        .iter()
        .find(|(k, _)| *k == name && !matches!(*k, "contacts" | "facilities" | "front-matter"))
        .map(|(k, _)| (*k, 1))
}

fn string(title: &str, description: &str) -> Value {
    json!({"type": "string", "title": title, "description": description})
}

fn non_empty(title: &str, description: &str) -> Value {
    json!({"type": "string", "minLength": 1, "title": title, "description": description})
}

fn boolean(title: &str, description: &str) -> Value {
    json!({"type": "boolean", "title": title, "description": description})
}

fn reference(def: &str, title: &str, description: &str) -> Value {
    json!({"$ref": format!("#/$defs/{def}"), "title": title, "description": description})
}

fn object(title: &str, description: &str, properties: Value, required: &[&str]) -> Value {
    json!({
        "type": "object",
        "title": title,
        "description": description,
        "properties": properties,
        "required": required,
        "additionalProperties": false,
    })
}

fn list_of(title: &str, description: &str, item: Value) -> Value {
    json!({"type": "array", "title": title, "description": description, "items": item})
}

/// An id of a vocabulary: an enum of the site's ids (with their Japanese names
/// shown in completion), or a slug when the vocabulary could not be read.
fn vocabulary(title: &str, description: &str, list: &[Named]) -> Value {
    if list.is_empty() {
        return json!({"$ref": "#/$defs/slug", "title": title, "description": description});
    }
    let ids: Vec<&str> = list.iter().map(|n| n.id.as_str()).collect();
    let names: Vec<String> = list
        .iter()
        .map(|n| {
            if n.kana.is_empty() {
                n.name.clone()
            } else {
                format!("{} ({})", n.name, n.kana)
            }
        })
        .collect();
    json!({
        "type": "string",
        "title": title,
        "description": description,
        "enum": ids,
        "enumDescriptions": names,
    })
}

/// `theme:` of site.yaml: one of the folders of `themes/` (any folder name
/// when there are none to offer).
fn theme(folders: &[String]) -> Value {
    let (title, description) = (
        "テーマ",
        "themes/ の下のフォルダ名 (既定は default)。サイトの templates/ のテンプレートはテーマの同じ名前のものより優先されます",
    );
    if folders.is_empty() {
        return json!({"type": "string", "title": title, "description": description});
    }
    json!({"type": "string", "title": title, "description": description, "enum": folders})
}

/// Definitions shared by every schema.
fn defs(v: &Vocab) -> Value {
    json!({
        "slug": {
            "type": "string",
            "title": "ID (スラッグ)",
            "description": "半角英小文字・数字・ハイフンだけ (例: home-nursing)",
            "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$",
        },
        "date": {
            "type": "string",
            "title": "日付",
            "description": "西暦の YYYY-MM-DD (例: 2025-04-01)。ページには和暦でも表示されます",
            "pattern": "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$",
            "examples": ["2025-04-01"],
        },
        "tel": {
            "type": "string",
            "title": "電話番号",
            "description": "半角数字を市外局番からハイフンで区切る (例: 045-000-1234, 0465-00-1234)。#7119 のような短い番号も可",
            "pattern": "^(0[0-9]{1,4}-[0-9]{1,4}(-[0-9]{1,4})?|#?[1-9][0-9]{2,3})$",
        },
        "url": {
            "type": "string",
            "title": "URL",
            "description": "http:// または https:// で始まる URL (空白と \\ は使えません)",
            "pattern": "^https?://[^/\\s\\\\][^\\s\\\\]*$",
        },
        "color": {
            "type": "string",
            "title": "色",
            "description": "#RRGGBB 形式 (例: \"#1565C0\")。# があるので引用符で囲みます",
            "pattern": "^#[0-9A-Fa-f]{6}$",
        },
        "paragraphs": {
            "type": "array",
            "title": "段落のリスト",
            "description": "1項目が1段落です",
            "items": {"type": "string"},
        },
        "municipality": vocabulary("市町村", "municipalities.yaml の slug", &v.municipalities),
        "region": vocabulary("地域", "regions.yaml の id", &v.regions),
        "field": vocabulary("分野", "fields.yaml の id (窓口の色分け)", &v.fields),
        "care": vocabulary("医療的ケア", "care.yaml の id", &v.care),
        "facility_type": vocabulary("施設種別", "facility_types.yaml の id", &v.types),
    })
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

fn site_schema(v: &Vocab) -> Value {
    let notice = object(
        "お知らせ",
        "トップページの「おひさまからのお知らせ」の1件",
        json!({
            "date": reference("date", "日付", "お知らせの日付 (例: 2025-04-01)"),
            "text": non_empty("本文", "お知らせの文"),
            "url": {
                "type": "string",
                "title": "リンク先",
                "description": "/contacts/ のような / 1つで始まるサイト内のパス、または http(s) の URL (任意)",
                "pattern": "^(/([^/\\s\\\\][^\\s\\\\]*)?|https?://[^/\\s\\\\][^\\s\\\\]*)$",
            },
        }),
        &["date", "text"],
    );
    let body = object(
        "",
        "",
        json!({
            "title": non_empty("サイト名", "例: おひさま 小児在宅療養ナビ"),
            "tagline": string("標語", "トップページの標語 (任意)"),
            "base_url": reference("url", "公開先の URL", "https://…/ の形。ビルド時に --base-url で上書きできます"),
            "organisation": non_empty("運営者", "サイトを運営する組織"),
            "publisher": non_empty("発行者", "窓口一覧 (PDF) の発行者"),
            "directory_title": string("窓口一覧の表題", "窓口一覧 (PDF) の表題 (任意)。既定は「医療的ケア児に関する問い合わせ窓口一覧」"),
            "edition": reference("date", "版の日付", "窓口一覧の版の日付 (2025-04-01 → 令和7年4月版)"),
            "sample": boolean("サンプル表示", "true なら全ページに「サンプルデータ」の帯を出す"),
            "intro": reference("paragraphs", "はじめに", "窓口一覧の「はじめに」の段落"),
            "usage": reference("paragraphs", "使い方・注意事項", "窓口一覧の「使い方・注意事項」の段落"),
            "notices": list_of("お知らせ", "トップページのお知らせ (新しい順)", notice),
            "allow_raw_html": boolean("HTML をそのまま出す", "true なら markdown 中の HTML をそのまま出す (既定は文字として表示)"),
            "theme": theme(&v.themes),
            "menu": list_of(
                "メインメニュー",
                "全ページ上部のメニュー。weight の小さい順、同じなら書いた順。書かないと既定のメニュー (窓口を探す … サイト内検索)。ページの front matter の menu: もここに加わります",
                menu_entry(),
            ),
        }),
        &["title", "base_url", "organisation", "publisher", "edition"],
    );
    document(
        "site",
        "サイト全体の設定 (data/site.yaml)",
        "サイト名、発行元、窓口一覧の版、トップページのお知らせ",
        body,
        v,
    )
}

/// One entry of `menu:` in site.yaml.
fn menu_entry() -> Value {
    object(
        "メニューの項目",
        "メニューの1つのリンク",
        json!({
            "title": non_empty("表示名", "メニューに出す名前 (例: 窓口を探す)"),
            "url": {
                "type": "string",
                "title": "リンク先",
                "description": "/contacts/ のような / 1つで始まるサイト内のパス。ビルドで出力されるページに限ります",
                "pattern": "^/([^/\\s\\\\][^\\s\\\\]*)?$",
            },
            "weight": weight("メニューの並び順 (小さいほど先、既定は 0)"),
        }),
        &["title", "url"],
    )
}

fn weight(description: &str) -> Value {
    json!({"type": "integer", "title": "並び順", "description": description})
}

fn regions_schema(v: &Vocab) -> Value {
    let region = object(
        "地域",
        "窓口一覧を分ける地域 (二次保健医療圏をもとにした区分)",
        json!({
            "id": reference("slug", "地域 ID", "半角英小文字・数字・ハイフン (例: shonan-east)"),
            "name": non_empty("地域名", "例: 湘南東部"),
            "medical_area": string("二次保健医療圏", "もとにした二次保健医療圏 (例: 湘南東部)"),
            "municipalities": {
                "type": "array",
                "title": "市町村",
                "description": "この地域の市町村スラッグを掲載順に。市町村がどの地域に属するかはここだけで決まります",
                "items": {"$ref": "#/$defs/municipality"},
                "uniqueItems": true,
                "minItems": 1,
            },
        }),
        &["id", "name", "municipalities"],
    );
    document(
        "regions",
        "地域 (data/regions.yaml)",
        "地域を掲載順に並べます。各地域の municipalities に市町村スラッグを掲載順に並べます",
        list_of("", "", region),
        v,
    )
}

fn municipalities_schema(v: &Vocab) -> Value {
    let m = object(
        "市町村",
        "全国地方公共団体コード順に並べます",
        json!({
            "code": {
                "type": "string",
                "title": "全国地方公共団体コード",
                "description": "6桁 (検査数字を含む)。引用符で囲みます (例: \"141003\")",
                "pattern": "^[0-9]{6}$",
            },
            "name": non_empty("市町村名", "例: 茅ヶ崎市"),
            "kana": {
                "type": "string",
                "title": "よみ",
                "description": "ひらがな (検索で「ちがさき」→茅ヶ崎市に使います)",
                "pattern": "^[ぁ-ゖー]+$",
            },
            "slug": reference("slug", "市町村スラッグ", "URL とファイル名に使う ID (例: chigasaki)"),
        }),
        &["code", "name", "kana", "slug"],
    );
    document(
        "municipalities",
        "市町村 (data/municipalities.yaml)",
        "市町村を全国地方公共団体コード順に並べます (地域は regions.yaml で決めます)",
        list_of("", "", m),
        v,
    )
}

fn fields_schema(v: &Vocab) -> Value {
    let f = object(
        "分野",
        "窓口の分野。窓口一覧の色分けに使い、色のついた所には必ず分野名も表示します",
        json!({
            "id": reference("slug", "分野 ID", "例: shogai-fukushi"),
            "name": non_empty("分野名", "例: 障害福祉"),
            "kana": string("よみ", "ひらがな"),
            "color": reference("color", "バッジの背景色", "text_color とのコントラスト比 4.5:1 以上 (JIS X 8341-3 AA)"),
            "text_color": reference("color", "バッジの文字色", "例: \"#FFFFFF\""),
            "tint": reference("color", "薄い背景色", "表の行の背景"),
            "border": reference("color", "枠の色", "背景が明るい分野の枠 (任意)"),
            "description": string("説明", "どんな窓口がこの分野か"),
        }),
        &["id", "name", "color", "text_color", "tint"],
    );
    document(
        "fields",
        "窓口の分野 (data/fields.yaml)",
        "障害福祉 保健 給付金 教育 相談 その他 の6分野",
        list_of("", "", f),
        v,
    )
}

fn term_schema(kind: &str, title: &str, description: &str, with_group: bool, v: &Vocab) -> Value {
    let mut props = json!({
        "id": reference("slug", "ID", "半角英小文字・数字・ハイフン"),
        "name": non_empty("名前", "ページに表示する名前"),
        "kana": string("よみ", "ひらがな (検索に使います)"),
        "description": string("説明", "任意"),
    });
    if with_group {
        props["group"] = string(
            "分類",
            "一覧でまとめて表示する分類 (例: 医療 / 福祉(児童) / 福祉(障害者総合支援) / 相談・その他)",
        );
    }
    let item = object(title, description, props, &["id", "name"]);
    document(
        kind,
        &format!("{title} (data/{kind}.yaml)"),
        description,
        list_of("", "", item),
        v,
    )
}

fn front_matter_schema(v: &Vocab) -> Value {
    let body = object(
        "",
        "",
        json!({
            "title": non_empty("ページ名", "必須"),
            "description": string("説明", "一覧に出る説明"),
            "weight": {"type": "integer", "title": "並び順", "description": "同じセクション内の並び順 (小さいほど先)"},
            "date": reference("date", "日付", "お知らせの日付"),
            "updated": reference("date", "最終確認日", "内容を最後に確認した日"),
            "reviewed_by": string("監修", "医療的な内容の監修者 (例: 〇〇科)"),
            "draft": boolean("下書き", "true なら出力しない"),
            "menu": object(
                "メニューに載せる",
                "このページをメインメニューに載せる (ふつうはセクションの index.md)。例: menu: {title: ガイド, weight: 35}",
                json!({
                    "title": non_empty("表示名", "メニューに出す名前 (既定はページの title)"),
                    "weight": weight("メニューの並び順 (小さいほど先、既定は 0)。site.yaml の menu: の項目と一緒に並びます"),
                }),
                &[],
            ),
            "template": {
                "type": "string",
                "title": "テンプレート",
                "description": "このページに使うテンプレート (例: landing.html)。サイトの templates/ かテーマの templates/ にあるファイル名。既定は sections/<セクション>/page.html (セクションの index.md は list.html) があればそれ、なければ page.html",
                "pattern": "\\.html$",
            },
        }),
        &["title"],
    );
    document(
        "front-matter",
        "ページの見出し情報 (content/*.md の front matter)",
        "markdown のページ先頭の --- で囲んだ部分",
        body,
        v,
    )
}

/// Removes the empty title/description left by `object`/`list_of` at the top
/// level, and the `default` schemars writes for a `#[serde(default)]` field
/// (noise for the editors: absent is what it means).
fn tidy(mut doc: Value) -> Value {
    fn walk(v: &mut Value) {
        match v {
            Value::Object(m) => {
                for key in ["title", "description"] {
                    if m.get(key).is_some_and(|t| t == "") {
                        m.remove(key);
                    }
                }
                m.remove("default");
                for (key, child) in m.iter_mut() {
                    if key == "properties"
                        && let Value::Object(props) = child
                    {
                        // A property may be named like a keyword: only its schema is tidied.
                        props.values_mut().for_each(walk);
                    } else {
                        walk(child);
                    }
                }
            }
            Value::Array(a) => a.iter_mut().for_each(walk),
            _ => {}
        }
    }
    walk(&mut doc);
    doc
}

/// Every schema for a site's vocabularies: (file name, schema).
pub fn schemas(v: &Vocab) -> Vec<(&'static str, Value)> {
    SCHEMAS
        .iter()
        .map(|(kind, file)| {
            let doc = match *kind {
                "site" => site_schema(v),
                "regions" => regions_schema(v),
                "municipalities" => municipalities_schema(v),
                "fields" => fields_schema(v),
                "care" => term_schema(
                    "care",
                    "医療的ケアの種類",
                    "施設検索の絞り込みに使います",
                    false,
                    v,
                ),
                "facility_types" => term_schema(
                    "facility_types",
                    "施設種別",
                    "施設・サービスの種別。施設検索の絞り込みに使います",
                    true,
                    v,
                ),
                "contacts" => derived::<crate::kinds::contacts::ContactFile>(
                    "contacts",
                    "市町村の問い合わせ窓口 (data/contacts/<市町村>.yaml)",
                    "1つの市町村の窓口を掲載順に書きます",
                    v,
                ),
                "facilities" => derived::<Vec<crate::kinds::facilities::Facility>>(
                    "facilities",
                    "施設 (data/facilities/<市町村>.yaml)",
                    "1つの市町村の施設・事業所のリスト",
                    v,
                ),
                _ => front_matter_schema(v),
            };
            (*file, tidy(doc))
        })
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
