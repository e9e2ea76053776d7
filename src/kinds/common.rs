//! What every kind of data shares: the spanned value type that keeps a value's
//! line and column for diagnostics and describes itself in the JSON Schema.

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::de::{DeserializeOwned, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use serde_saphyr::Spanned;
use std::borrow::Cow;
use std::ops::Deref;

/// A value with the place it was written, so a diagnostic names its line and
/// column. A newtype (not an alias of `Spanned`) so it can carry a JSON Schema:
/// the schema of `S<T>` is the schema of `T`. Deserializing passes the
/// deserializer through unchanged (`transparent`), so serde-saphyr still records
/// the location; other deserializers (JSON, CSV rows) give an unknown location.
/// Serializing writes the bare value.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(transparent)]
pub struct S<T>(pub Spanned<T>);

impl<T> Deref for S<T> {
    type Target = Spanned<T>;
    fn deref(&self) -> &Spanned<T> {
        &self.0
    }
}

impl<T> S<T> {
    /// A value that was not read from a file (an import, a normalised copy):
    /// its place is unknown, so two such values compare by value alone.
    pub fn new(value: T) -> S<T> {
        S(Spanned::new(
            value,
            serde_saphyr::Location::UNKNOWN,
            serde_saphyr::Location::UNKNOWN,
        ))
    }

    /// The value without its place.
    pub fn into_value(self) -> T {
        self.0.value
    }
}

impl<T: JsonSchema> JsonSchema for S<T> {
    fn inline_schema() -> bool {
        T::inline_schema()
    }
    fn schema_name() -> Cow<'static, str> {
        T::schema_name()
    }
    fn schema_id() -> Cow<'static, str> {
        T::schema_id()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        T::json_schema(generator)
    }
}

/// A data `url:` as the URL rule writes it (`None` when refused: `check` reports it).
pub(crate) fn data_href(url: &Option<S<String>>) -> Option<String> {
    let u = url.as_ref()?;
    match crate::url_rule::check(&u.value, crate::url_rule::Place::DataUrl) {
        Ok(safe) => Some(safe.href("/")),
        Err(_) => None,
    }
}

/// 1-based (line, column) of a spanned value.
pub fn pos<T>(s: &S<T>) -> (u32, u32) {
    (s.referenced.line() as u32, s.referenced.column() as u32)
}

/// Declares a JSON Schema definition shared by the kinds' fields: a marker
/// type used as `#[schemars(with = "Tel")]` on a field whose Rust type is a
/// plain (spanned) string, so the schema says `$ref: #/$defs/tel`. `ohisama
/// schema` writes every definition once per file (tools/schema.rs) and
/// replaces the vocabulary ones with the ids read from `data/`.
macro_rules! schema_def {
    ($(#[$doc:meta])* $name:ident, $def:literal, $schema:tt) => {
        $(#[$doc])*
        pub struct $name;
        impl JsonSchema for $name {
            fn schema_name() -> Cow<'static, str> {
                $def.into()
            }
            fn json_schema(_: &mut SchemaGenerator) -> Schema {
                schemars::json_schema!($schema)
            }
        }
    };
}

/// The pattern of every id and file name (see [`crate::kinds::check::is_slug`]).
pub const SLUG_PATTERN: &str = "^[a-z0-9]+(-[a-z0-9]+)*$";

schema_def!(
    /// An id: lowercase ASCII words joined by hyphens.
    Slug, "slug", {
        "type": "string",
        "title": "ID (スラッグ)",
        "description": "半角英小文字・数字・ハイフンだけ (例: home-nursing)",
        "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$",
    }
);
schema_def!(
    /// A calendar date as the editors write it.
    IsoDate, "date", {
        "type": "string",
        "title": "日付",
        "description": "西暦の YYYY-MM-DD (例: 2025-04-01)。ページには和暦でも表示されます",
        "pattern": "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$",
        "examples": ["2025-04-01"],
    }
);
schema_def!(
    /// A phone number (see [`crate::tel`]).
    Tel, "tel", {
        "type": "string",
        "title": "電話番号",
        "description": "半角数字を市外局番からハイフンで区切る (例: 045-000-1234, 0465-00-1234)。#7119 のような短い番号も可",
        "pattern": "^(0[0-9]{1,4}-[0-9]{1,4}(-[0-9]{1,4})?|#?[1-9][0-9]{2,3})$",
    }
);
schema_def!(
    /// An http(s) URL written in the data (see [`crate::url_rule`]).
    Url, "url", {
        "type": "string",
        "title": "URL",
        "description": "http:// または https:// で始まる URL (空白と \\ は使えません)",
        "pattern": "^https?://[^/\\s\\\\][^\\s\\\\]*$",
    }
);
schema_def!(
    /// A `#RRGGBB` color.
    Color, "color", {
        "type": "string",
        "title": "色",
        "description": "#RRGGBB 形式 (例: \"#1565C0\")。# があるので引用符で囲みます",
        "pattern": "^#[0-9A-Fa-f]{6}$",
    }
);
schema_def!(
    /// Paragraphs of text, one per item.
    Paragraphs, "paragraphs", {
        "type": "array",
        "title": "段落のリスト",
        "description": "1項目が1段落です",
        "items": {"type": "string"},
    }
);
schema_def!(
    /// A municipality slug of municipalities.yaml (the enum is filled in by `ohisama schema`).
    MunicipalityRef, "municipality", {"$ref": "#/$defs/slug", "title": "市町村", "description": "municipalities.yaml の slug"}
);
schema_def!(
    /// A region id of regions.yaml.
    RegionRef, "region", {"$ref": "#/$defs/slug", "title": "地域", "description": "regions.yaml の id"}
);
schema_def!(
    /// A field id of fields.yaml.
    FieldRef, "field", {"$ref": "#/$defs/slug", "title": "分野", "description": "fields.yaml の id (窓口の色分け)"}
);
schema_def!(
    /// A care id of care.yaml.
    CareRef, "care", {"$ref": "#/$defs/slug", "title": "医療的ケア", "description": "care.yaml の id"}
);
schema_def!(
    /// A facility type id of facility_types.yaml.
    FacilityTypeRef, "facility_type", {"$ref": "#/$defs/slug", "title": "施設種別", "description": "facility_types.yaml の id"}
);

/// The ISO date and its 和暦 label of a date, when it is one.
pub fn date_labels(iso: Option<&str>) -> (Option<String>, Option<String>) {
    match iso.and_then(crate::date::Date::parse) {
        Some(d) => (Some(d.to_string()), Some(d.wareki_with_seireki())),
        None => (None, None),
    }
}

/// Optional text, trimmed; `None` when blank.
pub fn nonempty(s: &Option<String>) -> Option<String> {
    s.as_ref()
        .map(|x| x.trim().to_string())
        .filter(|x| !x.is_empty())
}

/// The shared definitions that do not depend on the site's data, by name
/// (`slug`, `date`, `tel`, `url`, `color`, `paragraphs`): every schema file
/// carries them in `$defs` (the vocabulary ones are made from the ids).
pub fn shared_definitions() -> Vec<(String, serde_json::Value)> {
    fn def<T: JsonSchema>(g: &mut SchemaGenerator) -> (String, serde_json::Value) {
        (T::schema_name().into_owned(), T::json_schema(g).to_value())
    }
    let g = &mut SchemaGenerator::default();
    vec![
        def::<Slug>(g),
        def::<IsoDate>(g),
        def::<Tel>(g),
        def::<Url>(g),
        def::<Color>(g),
        def::<Paragraphs>(g),
    ]
}

/// A field of a kind's raw type as the editors see it: its YAML key and its
/// Japanese label (the JSON Schema `title` of the field: the CSV header and the
/// diff label are this text too).
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub key: &'static str,
    pub label: String,
}

/// The fields of `T` in the order the type declares them, with their labels:
/// the one declaration (serde name + schemars title) read back.
pub fn columns<T: JsonSchema + DeserializeOwned>() -> Vec<Column> {
    let schema = schemars::schema_for!(T);
    field_names::<T>()
        .iter()
        .map(|&key| Column {
            key,
            label: schema
                .get("properties")
                .and_then(|p| p.get(key))
                .and_then(|p| p.get("title"))
                .and_then(|t| t.as_str())
                .unwrap_or(key)
                .to_string(),
        })
        .collect()
}

/// The YAML keys of a struct in declaration order, as serde's derive lists them.
pub fn field_names<T: DeserializeOwned>() -> &'static [&'static str] {
    match T::deserialize(FieldNames) {
        Err(Probe::Fields(fields)) => fields,
        _ => &[],
    }
}

/// A deserializer that only records which fields a struct asks for.
struct FieldNames;

#[derive(Debug)]
enum Probe {
    Fields(&'static [&'static str]),
    Other,
}

impl std::fmt::Display for Probe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("field probe")
    }
}

impl std::error::Error for Probe {}

impl serde::de::Error for Probe {
    fn custom<M: std::fmt::Display>(_: M) -> Self {
        Probe::Other
    }
}

impl<'de> Deserializer<'de> for FieldNames {
    type Error = Probe;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Probe> {
        Err(Probe::Other)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, Probe> {
        Err(Probe::Fields(fields))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map enum identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize, JsonSchema)]
    struct Doc {
        #[allow(dead_code)]
        #[schemars(title = "名称")]
        name: String,
        count: S<u32>,
    }

    #[test]
    fn marker_types_are_shared_definitions() {
        #[derive(JsonSchema)]
        #[allow(dead_code)]
        struct Row {
            #[schemars(with = "Tel", title = "電話")]
            tel: S<String>,
            #[schemars(with = "Option<IsoDate>")]
            updated: Option<S<String>>,
        }
        let schema = serde_json::to_value(schemars::schema_for!(Row)).expect("schema");
        assert_eq!(schema["properties"]["tel"]["$ref"], "#/$defs/tel");
        assert_eq!(schema["properties"]["tel"]["title"], "電話");
    }

    #[test]
    fn marker_definitions_equal_the_committed_ones() {
        #[derive(JsonSchema)]
        #[allow(dead_code)]
        struct All {
            #[schemars(with = "Slug")]
            a: String,
            #[schemars(with = "IsoDate")]
            b: String,
            #[schemars(with = "Tel")]
            c: String,
            #[schemars(with = "Url")]
            d: String,
            #[schemars(with = "Color")]
            e: String,
            #[schemars(with = "Paragraphs")]
            f: Vec<String>,
        }
        let ours = serde_json::to_value(schemars::schema_for!(All)).expect("schema");
        let committed: serde_json::Value =
            serde_json::from_str(include_str!("../../schemas/site.schema.json")).expect("json");
        for def in ["slug", "date", "tel", "url", "color", "paragraphs"] {
            assert_eq!(ours["$defs"][def], committed["$defs"][def], "$defs/{def}");
        }
    }

    #[test]
    fn columns_follow_the_declaration() {
        assert_eq!(field_names::<Doc>(), ["name", "count"]);
        let labels: Vec<String> = columns::<Doc>().into_iter().map(|c| c.label).collect();
        assert_eq!(labels, ["名称", "count"]);
    }

    #[test]
    fn spanned_newtype_keeps_positions() {
        let doc: Doc = serde_saphyr::from_str("name: a\n\ncount:   7\n").expect("valid YAML");
        assert_eq!(doc.count.value, 7);
        assert_eq!(pos(&doc.count), (3, 10));
    }

    #[test]
    fn spanned_newtype_has_the_schema_of_its_value() {
        let schema = serde_json::to_value(schemars::schema_for!(Doc)).expect("schema");
        assert_eq!(schema["properties"]["count"]["type"], "integer");
    }

    #[test]
    fn spanned_newtype_serializes_as_its_value() {
        let doc: Doc = serde_saphyr::from_str("name: a\ncount: 7\n").expect("valid YAML");
        assert_eq!(serde_json::to_string(&doc.count).expect("json"), "7");
    }
}
