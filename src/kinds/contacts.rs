//! The municipal windows (相談窓口): `data/contacts/<slug>.yaml`.
//!
//! One declaration per field: the serde name is the YAML key, the schemars
//! `title` is the field's one Japanese label (the CSV header of `ohisama
//! import/export contacts`, the diff label and the schema title). The rules
//! (`check`), the resolved view the templates and the PDF read, and the
//! search documents of the municipality pages live here too.

use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::kinds::check::{Checker, file_stem, known};
use crate::kinds::common::{Column, FieldRef, IsoDate, MunicipalityRef, S, Tel, Url, pos};
use crate::kinds::common::{data_href, date_labels, nonempty};
use crate::kinds::vocab::{FieldView, RegionView};
use crate::kinds::vocab::{Ids, VocabKind, check_ref};
use crate::kinds::wards::{Ward, WardView};
use crate::routes::Route;
use crate::search::{DocKind, SearchDoc};
use crate::url_rule::Place;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// `data/contacts/<slug>.yaml`: the windows of one municipality, in print order.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "市町村の問い合わせ窓口",
    description = "1つの市町村の窓口を掲載順に書きます",
    // `windows` is `serde(default)` so that `check` (not the loader) reports a file
    // without windows at its line; the schema requires it, as `check` does.
    extend("required" = ["municipality", "updated", "windows"])
)]
pub struct ContactFile {
    #[schemars(
        with = "MunicipalityRef",
        title = "市町村",
        description = "ファイル名と同じ市町村スラッグ"
    )]
    pub municipality: S<String>,
    #[schemars(
        with = "IsoDate",
        title = "確認日",
        description = "内容を確認した日。版の日付より1年以上古いと警告"
    )]
    pub updated: S<String>,
    #[serde(default)]
    #[schemars(
        title = "窓口",
        description = "窓口を掲載順に。各種相談 (general: true) は最初の窓口にだけ書けます",
        length(min = 1),
        // general: true only on the first window (`check` has the same rule).
        extend(
            "prefixItems" = [{"$ref": "#/$defs/window"}],
            "items" = {
                "$ref": "#/$defs/window",
                "not": {"required": ["general"], "properties": {"general": {"const": true}}}
            }
        )
    )]
    pub windows: Vec<S<Window>>,
}

/// One municipal window (相談窓口).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    rename = "window",
    title = "窓口",
    description = "市町村の相談窓口 (tel・note・url のどれか1つ以上が必要)",
    extend(
        "dependentRequired" = {"tel": ["tel_kind"], "tel_kind": ["tel"]},
        "anyOf" = [{"required": ["tel"]}, {"required": ["note"]}, {"required": ["url"]}]
    )
)]
pub struct Window {
    #[schemars(
        title = "名称",
        description = "窓口名 (例: 健康福祉局 障害福祉保健部 障害自立支援課)",
        length(min = 1),
        regex(pattern = r"\S")
    )]
    pub name: S<String>,
    #[schemars(with = "FieldRef", title = "分野", description = "fields.yaml の id")]
    pub field: S<String>,
    /// 「各種相談」: takes any question (only the first window). Written only when true.
    #[serde(default, skip_serializing_if = "is_not_true")]
    #[schemars(
        with = "bool",
        title = "各種相談",
        description = "true: 医療的ケア児に関する全般の相談を受ける窓口 (最初の窓口にだけ書けます)"
    )]
    pub general: Option<S<bool>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(
        with = "String",
        title = "内容",
        description = "所管する内容 (例: 障害福祉(障害者手帳について))"
    )]
    pub detail: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(
        with = "Tel",
        title = "電話",
        description = "電話番号。半角、ハイフン区切り (例: 045-000-0000)"
    )]
    pub tel: Option<S<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(
        with = "TelKind",
        title = "直通/代表",
        description = "tel があるとき必須。直通 (direct) = 所管課につながる / 代表 (main) = 交換手に課名を伝える"
    )]
    pub tel_kind: Option<S<TelKind>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(
        with = "String",
        title = "備考",
        description = "電話番号が1つに決まらないときなど (例: お住まいの区の窓口へ)"
    )]
    pub note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(
        with = "Url",
        title = "URL",
        description = "窓口のページ。省略すると「-」"
    )]
    pub url: Option<S<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(
        with = "String",
        title = "受付時間",
        description = "曜日と時刻。複数は 、 で区切ります (例: 月〜金 8:45〜17:00、土 9:00〜12:00)"
    )]
    pub hours: Option<S<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(
        with = "String",
        title = "祝日・年末年始",
        description = "受付時間の例外 (例: 祝日・年末年始(12月29日〜1月3日)は休み)"
    )]
    pub holidays: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(
        with = "String",
        title = "所在地",
        description = "来所するときの住所と建物・階 (例: 茅ヶ崎市〇〇1-1-1 市役所本庁舎2階)"
    )]
    pub address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(
        with = "Tel",
        title = "FAX",
        description = "FAX 番号。半角、ハイフン区切り (ページでは電話のリンクにしません)"
    )]
    pub fax: Option<S<String>>,
    /// Written only when not empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(
        with = "Vec<String>",
        title = "窓口の種類",
        description = "相談のしかた: 電話 (tel)・来所 (visit)・オンライン (online) のリスト",
        extend(
            "uniqueItems" = true,
            "items" = {"type": "string", "enum": ["tel", "visit", "online", "電話", "来所", "オンライン"]}
        )
    )]
    pub channels: Vec<S<String>>,
    /// The ward (区) of a designated city whose window this is; none for the city's own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(
        with = "String",
        title = "区",
        description = "政令市の区の窓口なら、その区のスラッグか区名 (municipalities.yaml の wards。例: kohoku / 港北区)。市全体の窓口には書きません"
    )]
    pub ward: Option<S<String>>,
}

fn is_not_true(g: &Option<S<bool>>) -> bool {
    !g.as_ref().is_some_and(|g| g.value)
}

/// Where a window's phone number leads: the section itself or the switchboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TelKind {
    /// `direct` (直通): the section answers.
    Direct,
    /// `main` (代表): a switchboard; callers name the section.
    Main,
    /// Any other text, kept as written so `check` reports it at its line
    /// (with a did-you-mean) together with every other problem of the file.
    Unknown(String),
}

impl TelKind {
    /// The YAML spellings, in schema order.
    pub const KEYS: [&'static str; 2] = ["direct", "main"];
    /// What YAML accepts: the keys, and the editors' words 直通 / 代表.
    pub const ACCEPTED: [&'static str; 4] = ["direct", "main", "直通", "代表"];

    /// The YAML spelling.
    pub fn key(&self) -> &str {
        match self {
            TelKind::Direct => "direct",
            TelKind::Main => "main",
            TelKind::Unknown(s) => s,
        }
    }

    /// The Japanese label of pages, PDFs, CSV cells and diffs: 直通 / 代表
    /// (unknown text as written).
    pub fn label(&self) -> &str {
        match self {
            TelKind::Direct => "直通",
            TelKind::Main => "代表",
            TelKind::Unknown(s) => s,
        }
    }

    /// A CSV cell, already folded (NFKC, trimmed, lowercase): 直通 / direct /
    /// ちょくつう, 代表 / main / だいひょう. `None` for any other text.
    pub fn from_cell(folded: &str) -> Option<TelKind> {
        match folded {
            "直通" | "direct" | "ちょくつう" => Some(TelKind::Direct),
            "代表" | "main" | "だいひょう" => Some(TelKind::Main),
            _ => None,
        }
    }

    fn from_key(s: String) -> TelKind {
        match s.as_str() {
            "direct" | "直通" => TelKind::Direct,
            "main" | "代表" => TelKind::Main,
            _ => TelKind::Unknown(s),
        }
    }
}

impl Serialize for TelKind {
    fn serialize<Z: Serializer>(&self, s: Z) -> Result<Z::Ok, Z::Error> {
        s.serialize_str(self.key())
    }
}

impl<'de> Deserialize<'de> for TelKind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<TelKind, D::Error> {
        String::deserialize(d).map(TelKind::from_key)
    }
}

impl JsonSchema for TelKind {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "tel_kind".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        schemars::json_schema!({
            "type": "string",
            "enum": TelKind::ACCEPTED,
            "enumDescriptions": [
                "直通: 所管課にそのままつながる",
                "代表: 交換手に課名を伝える",
                "direct と同じ",
                "main と同じ",
            ],
            // The words of pages, CSV cells and diffs (what `from_cell` reads back).
            "x-labels": [
                TelKind::Direct.label(),
                TelKind::Main.label(),
                TelKind::Direct.label(),
                TelKind::Main.label(),
            ],
        })
    }
}

impl Window {
    pub fn is_general(&self) -> bool {
        self.general.as_ref().is_some_and(|g| g.value)
    }

    /// 直通 / 代表 of the phone number, if written.
    pub fn tel_kind_label(&self) -> Option<&str> {
        self.tel_kind.as_ref().map(|k| k.value.label())
    }

    /// The window as plain values for comparing and writing back: no places,
    /// blank optional text as no text, `general` only when true.
    pub fn normalized(&self) -> Window {
        let text = |s: &Option<String>| s.clone().filter(|v| !v.trim().is_empty());
        let spanned = |s: &Option<S<String>>| {
            s.as_ref()
                .filter(|v| !v.value.trim().is_empty())
                .map(|v| S::new(v.value.clone()))
        };
        Window {
            name: S::new(self.name.value.clone()),
            field: S::new(self.field.value.clone()),
            general: self.is_general().then(|| S::new(true)),
            detail: text(&self.detail),
            tel: spanned(&self.tel),
            tel_kind: self
                .tel_kind
                .as_ref()
                .filter(|k| !k.value.key().trim().is_empty())
                .map(|k| S::new(k.value.clone())),
            note: text(&self.note),
            url: spanned(&self.url),
            hours: spanned(&self.hours),
            holidays: text(&self.holidays),
            address: text(&self.address),
            fax: spanned(&self.fax),
            channels: self
                .channels
                .iter()
                .map(|c| S::new(c.value.clone()))
                .collect(),
            ward: spanned(&self.ward),
        }
    }
}

impl ContactFile {
    /// The file as plain values (see [`Window::normalized`]).
    pub fn normalized(&self) -> ContactFile {
        ContactFile {
            municipality: S::new(self.municipality.value.clone()),
            updated: S::new(self.updated.value.clone()),
            windows: self
                .windows
                .iter()
                .map(|w| S::new(w.value.normalized()))
                .collect(),
        }
    }
}

/// The columns of the contacts CSV: one row per window, with its file's
/// municipality first and its 確認日 last (the order is the CSV's; the keys
/// and headers are the declarations above).
pub fn csv_columns() -> &'static [Column] {
    static COLUMNS: OnceLock<Vec<Column>> = OnceLock::new();
    COLUMNS.get_or_init(|| {
        let file = crate::kinds::common::columns::<ContactFile>();
        let of_file = |key: &str| file.iter().find(|c| c.key == key).cloned();
        of_file("municipality")
            .into_iter()
            .chain(crate::kinds::common::columns::<Window>())
            .chain(of_file("updated"))
            .collect()
    })
}

// ---------------------------------------------------------------- rules

/// Every contacts file: its own rules, one file per municipality, and a
/// warning for each municipality without a file.
pub(crate) fn check(
    c: &mut Checker,
    contacts: &[(String, ContactFile)],
    contact_files: &[String],
    municipalities: Option<&(String, Vec<S<crate::model::Municipality>>)>,
    ids: &Ids,
) {
    let wards_of: BTreeMap<&str, &[S<Ward>]> = municipalities
        .iter()
        .flat_map(|(_, list)| list)
        .map(|m| (m.value.slug.value.as_str(), m.value.wards.as_slice()))
        .collect();
    let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
    for (file, cf) in contacts {
        let wards = wards_of.get(cf.municipality.value.as_str()).copied();
        check_file(c, file, cf, ids, wards.unwrap_or_default());
        if let Some(other) = seen.insert(&cf.municipality.value, file) {
            let d = c.error_at(
                file,
                &cf.municipality,
                format!(
                    "市町村 `{}` の窓口が2つのファイルで定義されています",
                    cf.municipality.value
                ),
            );
            d.hint = Some(format!("{other} と1つにまとめてください"));
        }
    }
    let Some((mfile, list)) = municipalities else {
        return;
    };
    for m in list.iter().map(|m| &m.value) {
        let has_file = contact_files.iter().any(|f| f == &m.slug.value);
        if !seen.contains_key(m.slug.value.as_str()) && !has_file {
            let (l, col) = pos(&m.slug);
            c.diags.push(
                Diagnostic::warning(
                    mfile,
                    l,
                    col,
                    format!("{} の窓口ファイルがありません", m.name.value),
                )
                .hint(format!(
                    "data/contacts/{}.yaml を作ると、窓口一覧と PDF に載ります",
                    m.slug.value
                )),
            );
        }
    }
}

fn check_file(c: &mut Checker, file: &str, cf: &ContactFile, ids: &Ids, wards: &[S<Ward>]) {
    let stem = file_stem(file);
    if !known(&ids.municipalities, &cf.municipality.value) {
        check_ref(c, file, &cf.municipality, VocabKind::Municipality, ids);
    } else if cf.municipality.value != stem {
        let d = c.error_at(
            file,
            &cf.municipality,
            format!(
                "municipality `{}` がファイル名 `{stem}.yaml` と合っていません",
                cf.municipality.value
            ),
        );
        d.hint = Some(format!(
            "ファイル名を {}.yaml にするか、municipality を {stem} にしてください",
            cf.municipality.value
        ));
    }
    c.fresh_date(file, &cf.updated, "更新日 (updated)");
    if cf.windows.is_empty() {
        let d = c.error_at(file, &cf.municipality, "窓口 (windows) が1つもありません");
        d.hint = Some("windows: の下に「- name: 〇〇課」から始まる窓口を書いてください".into());
    }
    for (i, w) in cf.windows.iter().enumerate() {
        check_window(c, file, i, w, ids);
        if let Some(ward) = &w.value.ward {
            check_ward(c, file, ward, wards);
        }
    }
    crate::kinds::wards::warn_wards_without_windows(c, file, cf, wards);
}

/// A window's `ward:` is a ward of the file's city.
fn check_ward(c: &mut Checker, file: &str, ward: &S<String>, wards: &[S<Ward>]) {
    if wards.iter().any(|w| w.value.slug.value == ward.value) {
        return;
    }
    let d = c.error_at(
        file,
        ward,
        format!("区 `{}` はこの市の区ではありません", ward.value),
    );
    if wards.is_empty() {
        d.hint = Some(
            "municipalities.yaml でこの市町村に wards: (区) がありません。市全体の窓口なら ward: を消してください"
                .into(),
        );
    } else {
        let slugs = wards.iter().map(|w| w.value.slug.value.as_str());
        d.hint = Some(format!(
            "{} (区スラッグか区名: {})",
            did_you_mean(&ward.value, slugs),
            wards
                .iter()
                .map(|w| w.value.name.value.as_str())
                .collect::<Vec<_>>()
                .join("・")
        ));
    }
}

fn check_window(c: &mut Checker, file: &str, index: usize, w: &S<Window>, ids: &Ids) {
    let win = &w.value;
    c.non_empty(file, &win.name, "窓口名 (name)");
    if !known(&ids.fields, &win.field.value) {
        check_ref(c, file, &win.field, VocabKind::Field, ids);
    }
    if let Some(g) = &win.general
        && g.value
        && index > 0
    {
        let d = c.error_at(
            file,
            g,
            "general: true (各種相談) は最初の窓口にだけ書けます",
        );
        d.hint =
            Some("各種相談を受ける窓口を windows の先頭に移すか、general を消してください".into());
    }
    if win.tel.is_none()
        && win.note.as_deref().is_none_or(|n| n.trim().is_empty())
        && win.url.is_none()
    {
        let d = c.error_at(
            file,
            w,
            format!("窓口「{}」に連絡先がありません", win.name.value),
        );
        d.expected = Some("tel・note・url のどれか1つ以上".into());
        d.hint = Some(
            "電話番号がない場合は note: に「お住まいの区の窓口へ」などと書いてください".into(),
        );
    }
    check_tel(c, file, win);
    crate::kinds::window_facts::check(c, file, win);
    if let Some(u) = &win.url {
        c.url(file, u, Place::DataUrl);
    }
}

/// A phone number needs its kind, a kind needs a number, and the kind is `direct` or `main`.
fn check_tel(c: &mut Checker, file: &str, win: &Window) {
    if let Some(t) = &win.tel {
        c.tel(file, t);
        if win.tel_kind.is_none() {
            let d = c.error_at(file, t, "電話番号に tel_kind (直通/代表) がありません");
            d.hint = Some(
                "所管課に直接つながるなら tel_kind: direct、交換手につながるなら tel_kind: main"
                    .into(),
            );
        }
    }
    if let Some(k) = &win.tel_kind {
        if win.tel.is_none() {
            let d = c.error_at(file, k, "tel がないのに tel_kind が書かれています");
            d.hint = Some("tel: を書くか、tel_kind を消してください".into());
        } else if let TelKind::Unknown(bad) = &k.value {
            let d = c.error_at(file, k, format!("tel_kind `{bad}` は使えません"));
            d.expected = Some("直通 (direct) または 代表 (main)".into());
            d.hint = Some(did_you_mean(bad, TelKind::ACCEPTED));
        }
    }
}

// ---------------------------------------------------------------- view

#[derive(Debug, Clone, Serialize)]
pub struct MunicipalityView {
    pub code: String,
    pub name: String,
    pub kana: String,
    pub slug: String,
    pub region_id: String,
    pub region_name: String,
    pub updated_iso: Option<String>,
    pub updated_label: Option<String>,
    /// The city's own windows (not a ward's).
    pub windows: Vec<WindowView>,
    /// The wards of a designated city (municipalities.yaml order), each with its windows.
    pub wards: Vec<WardView>,
    pub facility_count: usize,
    /// The support centres its families may call, the most local first
    /// ([`crate::kinds::centres::serving`]).
    pub centres: Vec<crate::kinds::centres::CentreView>,
}

/// A window as the pages and the PDF show it. The PDF reads it too (its JSON
/// fixture has only the printed keys: the page-only ones default).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WindowView {
    /// Anchor id on the municipality page (`w-1` …).
    #[serde(default)]
    pub anchor: String,
    pub name: String,
    pub field_id: String,
    pub field_name: String,
    #[serde(default)]
    pub field_color: String,
    #[serde(default)]
    pub field_text_color: String,
    #[serde(default)]
    pub field_tint: String,
    #[serde(default)]
    pub field_border: String,
    /// 「各種相談」: takes any question.
    pub general: bool,
    pub detail: Option<String>,
    pub tel: Option<String>,
    /// "tel:+81450001234"
    pub tel_href: Option<String>,
    /// 直通 | 代表
    pub tel_kind_label: Option<String>,
    /// Accessible name of the tel: link: 「横浜市 障害福祉課に電話する」.
    #[serde(default)]
    pub tel_aria: Option<String>,
    pub note: Option<String>,
    /// The URL as the editors wrote it (shown on the page and in the PDF).
    pub url: Option<String>,
    /// The same URL as the URL rule writes it (percent-encoded), for `href`.
    #[serde(default)]
    pub url_href: Option<String>,
    /// 受付時間 as written (checked), e.g. 「月〜金 8:45〜17:00」.
    #[serde(default)]
    pub hours: Option<String>,
    /// 祝日・年末年始
    #[serde(default)]
    pub holidays: Option<String>,
    /// 所在地
    #[serde(default)]
    pub address: Option<String>,
    /// FAX, plain text (never a tel: link).
    #[serde(default)]
    pub fax: Option<String>,
    /// 窓口の種類: 「電話・来所」
    #[serde(default)]
    pub channels_label: Option<String>,
}

/// What resolving the municipalities needs from the other kinds.
pub struct Context<'a> {
    pub region_of: &'a BTreeMap<&'a str, &'a RegionView>,
    pub field_by_id: &'a BTreeMap<&'a str, &'a FieldView>,
    /// Facilities per municipality slug.
    pub facility_count: &'a BTreeMap<&'a str, usize>,
    /// Every support centre (centres.yaml).
    pub centres: &'a [crate::kinds::centres::CentreView],
}

/// Every municipality (in the order of municipalities.yaml) with its windows.
pub fn resolve(
    municipalities: &[S<crate::model::Municipality>],
    contacts: &[(String, ContactFile)],
    cx: &Context,
) -> Vec<MunicipalityView> {
    let contacts_of: BTreeMap<&str, &ContactFile> = contacts
        .iter()
        .map(|(_, c)| (c.municipality.value.as_str(), c))
        .collect();
    municipalities
        .iter()
        .map(|m| &m.value)
        .map(|m| {
            let slug = m.slug.value.as_str();
            let region = cx.region_of.get(slug);
            let contacts = contacts_of.get(slug);
            let (updated_iso, updated_label) =
                date_labels(contacts.map(|c| c.updated.value.as_str()));
            let all: Vec<(Option<&str>, WindowView)> = contacts
                .map(|c| {
                    c.windows
                        .iter()
                        .enumerate()
                        .map(|(i, w)| {
                            let ward = w.value.ward.as_ref().map(|x| x.value.as_str());
                            (
                                ward,
                                window_view(i, &w.value, &m.name.value, cx.field_by_id),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            let windows = all
                .iter()
                .filter(|(ward, _)| ward.is_none())
                .map(|(_, w)| w.clone())
                .collect();
            let wards = crate::kinds::wards::views(&m.wards, &all);
            MunicipalityView {
                code: m.code.value.clone(),
                name: m.name.value.clone(),
                kana: m.kana.value.clone(),
                slug: slug.to_string(),
                region_id: region.map_or_else(String::new, |r| r.id.clone()),
                region_name: region.map_or_else(String::new, |r| r.name.clone()),
                updated_iso,
                updated_label,
                windows,
                wards,
                facility_count: cx.facility_count.get(slug).copied().unwrap_or(0),
                centres: crate::kinds::centres::serving(cx.centres, slug)
                    .into_iter()
                    .cloned()
                    .collect(),
            }
        })
        .collect()
}

fn window_view(
    index: usize,
    w: &Window,
    municipality: &str,
    fields: &BTreeMap<&str, &FieldView>,
) -> WindowView {
    let field = fields.get(w.field.value.as_str());
    let get = |f: fn(&FieldView) -> &String| field.map_or_else(String::new, |x| f(x).clone());
    WindowView {
        anchor: format!("w-{}", index + 1),
        name: w.name.value.clone(),
        field_id: w.field.value.clone(),
        field_name: get(|f| &f.name),
        field_color: get(|f| &f.color),
        field_text_color: get(|f| &f.text_color),
        field_tint: get(|f| &f.tint),
        field_border: get(|f| &f.border),
        general: index == 0 && w.is_general(),
        detail: nonempty(&w.detail),
        tel: w.tel.as_ref().map(|t| t.value.clone()),
        tel_href: w.tel.as_ref().map(|t| crate::tel::href(&t.value)),
        // Resolved data is checked: an unknown kind never reaches a page.
        tel_kind_label: w.tel_kind.as_ref().map(|k| match k.value {
            TelKind::Main => "代表".to_string(),
            _ => "直通".to_string(),
        }),
        tel_aria: w
            .tel
            .as_ref()
            .map(|t| format!("{municipality} {}に電話する {}", w.name.value, t.value)),
        note: nonempty(&w.note),
        url: w.url.as_ref().map(|u| u.value.clone()),
        url_href: data_href(&w.url),
        hours: w.hours.as_ref().map(|h| h.value.trim().to_string()),
        holidays: nonempty(&w.holidays),
        address: nonempty(&w.address),
        fax: w.fax.as_ref().map(|f| f.value.clone()),
        channels_label: crate::kinds::window_facts::channels_label(w),
    }
}

// ---------------------------------------------------------------- search

/// One document per municipality page and one per window.
pub fn search_docs(municipalities: &[MunicipalityView], docs: &mut Vec<SearchDoc>) {
    for m in municipalities {
        docs.push(SearchDoc {
            kind: DocKind::Page,
            title: format!("{}の相談窓口", m.name),
            body: m
                .windows
                .iter()
                .map(|w| w.name.as_str())
                .collect::<Vec<_>>()
                .join("\n"),
            url: Route::Municipality(&m.slug).path(),
            kana: m.kana.clone(),
            municipality: Some(m.name.clone()),
            region: Some(m.region_id.clone()),
            field: None,
            tel: None,
            tel_href: None,
            field_id: None,
        });
        for w in &m.windows {
            docs.push(SearchDoc {
                kind: DocKind::Window,
                title: w.name.clone(),
                body: crate::derived::join_some([
                    Some(m.name.as_str()),
                    Some(w.field_name.as_str()),
                    w.general.then_some("各種相談"),
                    w.detail.as_deref(),
                    w.note.as_deref(),
                    w.tel.as_deref(),
                ]),
                url: format!("{}#{}", Route::Municipality(&m.slug).path(), w.anchor),
                kana: m.kana.clone(),
                municipality: Some(m.name.clone()),
                region: Some(m.region_id.clone()),
                field: Some(w.field_name.clone()),
                tel: w.tel.clone(),
                tel_href: w.tel_href.clone(),
                field_id: Some(w.field_id.clone()),
            });
        }
        ward_search_docs(m, docs);
    }
}

/// One document per ward (its place on the city page, found by the ward's
/// name and reading) and one per ward window, labelled with city and ward.
fn ward_search_docs(m: &MunicipalityView, docs: &mut Vec<SearchDoc>) {
    let page = Route::Municipality(&m.slug).path();
    for ward in &m.wards {
        let place = format!("{}{}", m.name, ward.name);
        let kana = format!("{} {}", ward.kana, m.kana);
        docs.push(SearchDoc {
            kind: DocKind::Page,
            title: format!("{place}の窓口"),
            body: ward
                .windows
                .iter()
                .map(|w| w.name.as_str())
                .collect::<Vec<_>>()
                .join("\n"),
            url: format!("{page}#{}", ward.anchor),
            kana: kana.clone(),
            municipality: Some(place.clone()),
            region: Some(m.region_id.clone()),
            field: None,
            tel: None,
            tel_href: None,
            field_id: None,
        });
        for w in &ward.windows {
            docs.push(SearchDoc {
                kind: DocKind::Window,
                title: w.name.clone(),
                body: crate::derived::join_some([
                    Some(place.as_str()),
                    Some(w.field_name.as_str()),
                    w.detail.as_deref(),
                    w.note.as_deref(),
                    w.tel.as_deref(),
                ]),
                url: format!("{page}#{}", w.anchor),
                kana: kana.clone(),
                municipality: Some(place.clone()),
                region: Some(m.region_id.clone()),
                field: Some(w.field_name.clone()),
                tel: w.tel.clone(),
                tel_href: w.tel_href.clone(),
                field_id: Some(w.field_id.clone()),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_columns_come_from_the_declaration() {
        let header: Vec<&str> = csv_columns().iter().map(|c| c.label.as_str()).collect();
        assert_eq!(
            header.join(","),
            "市町村,名称,分野,各種相談,内容,電話,直通/代表,備考,URL,受付時間,祝日・年末年始,所在地,FAX,窓口の種類,区,確認日"
        );
    }

    #[test]
    fn tel_kind_reads_any_text_and_labels_the_known_ones() {
        let w: Window =
            serde_saphyr::from_str("name: a\nfield: b\ntel: 045-000-0000\ntel_kind: main\n")
                .expect("window");
        assert_eq!(w.tel_kind_label(), Some("代表"));
        let w: Window =
            serde_saphyr::from_str("name: a\nfield: b\ntel_kind: direkt\n").expect("window");
        assert_eq!(
            w.tel_kind.map(|k| k.into_value()),
            Some(TelKind::Unknown("direkt".into()))
        );
        assert_eq!(TelKind::from_cell("ちょくつう"), Some(TelKind::Direct));
        assert_eq!(TelKind::from_cell("x"), None);
    }

    #[test]
    fn normalized_windows_compare_by_value() {
        let a: Window = serde_saphyr::from_str(
            "name: a\nfield: b\nnote: ' '\ngeneral: false\nurl: https://e.jp\n",
        )
        .expect("window");
        let b: Window =
            serde_saphyr::from_str("\n\nname: a\nfield: b\nurl: https://e.jp\n").expect("window");
        assert_ne!(a, b);
        assert_eq!(a.normalized(), b.normalized());
    }
}
