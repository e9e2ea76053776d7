//! The vocabularies: regions, municipalities, fields, kinds of care and
//! facility types (`data/regions.yaml` … `data/facility_types.yaml`). Their raw
//! types (one declaration per field: serde + JSON Schema), their rules, their
//! resolved views, and the one list of valid ids ([`Vocab`]) that validation,
//! resolution and the tools share.

use crate::kinds::check::{Checker, known};
use crate::kinds::common::{Color, MunicipalityRef, S, Slug, pos};
use crate::model::RawSite;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use unicode_normalization::UnicodeNormalization as _;

/// One entry of `data/regions.yaml`. The order of the file is the order of
/// the directory; `municipalities` lists the members in print order.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    inline,
    title = "地域",
    description = "窓口一覧を分ける地域 (二次保健医療圏をもとにした区分)"
)]
pub struct Region {
    #[schemars(
        with = "Slug",
        title = "地域 ID",
        description = "半角英小文字・数字・ハイフン (例: shonan-east)"
    )]
    pub id: S<String>,
    #[schemars(
        title = "地域名",
        description = "例: 湘南東部",
        length(min = 1),
        regex(pattern = r"\S")
    )]
    pub name: S<String>,
    /// The 二次保健医療圏 the region is based on.
    #[serde(default)]
    #[schemars(
        title = "二次保健医療圏",
        description = "もとにした二次保健医療圏 (例: 湘南東部)"
    )]
    pub medical_area: String,
    #[schemars(
        with = "Vec<MunicipalityRef>",
        title = "市町村",
        description = "この地域の市町村スラッグを掲載順に。市町村がどの地域に属するかはここだけで決まります",
        length(min = 1),
        extend("uniqueItems" = true)
    )]
    pub municipalities: Vec<S<String>>,
}

/// One entry of `data/municipalities.yaml`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    inline,
    title = "市町村",
    description = "全国地方公共団体コード順に並べます"
)]
pub struct Municipality {
    /// 全国地方公共団体コード (6 digits, with check digit).
    #[schemars(
        title = "全国地方公共団体コード",
        description = "6桁 (検査数字を含む)。引用符で囲みます (例: \"141003\")",
        regex(pattern = "^[0-9]{6}$")
    )]
    pub code: S<String>,
    #[schemars(
        title = "市町村名",
        description = "例: 茅ヶ崎市",
        length(min = 1),
        regex(pattern = r"\S")
    )]
    pub name: S<String>,
    #[schemars(
        title = "よみ",
        description = "ひらがな (検索で「ちがさき」→茅ヶ崎市に使います)",
        regex(pattern = "^[ぁ-ゖー]+$")
    )]
    pub kana: S<String>,
    #[schemars(
        with = "Slug",
        title = "市町村スラッグ",
        description = "URL とファイル名に使う ID (例: chigasaki)"
    )]
    pub slug: S<String>,
    /// The wards of a designated city, in code order (written only when any).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(
        title = "区",
        description = "政令市の区を全国地方公共団体コード順に。区の窓口は、市の窓口ファイルの窓口に ward: (区スラッグ) を書きます"
    )]
    pub wards: Vec<S<crate::kinds::wards::Ward>>,
}

/// One entry of `data/fields.yaml`: a field a window is color-coded by.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    inline,
    title = "分野",
    description = "窓口の分野。窓口一覧の色分けに使い、色のついた所には必ず分野名も表示します"
)]
pub struct Field {
    #[schemars(with = "Slug", title = "分野 ID", description = "例: shogai-fukushi")]
    pub id: S<String>,
    #[schemars(
        title = "分野名",
        description = "例: 障害福祉",
        length(min = 1),
        regex(pattern = r"\S")
    )]
    pub name: S<String>,
    #[serde(default)]
    #[schemars(title = "よみ", description = "ひらがな")]
    pub kana: String,
    #[schemars(
        with = "Color",
        title = "バッジの背景色",
        description = "text_color とのコントラスト比 4.5:1 以上 (JIS X 8341-3 AA)"
    )]
    pub color: S<String>,
    #[schemars(
        with = "Color",
        title = "バッジの文字色",
        description = "例: \"#FFFFFF\""
    )]
    pub text_color: S<String>,
    #[schemars(with = "Color", title = "薄い背景色", description = "表の行の背景")]
    pub tint: S<String>,
    #[serde(default)]
    #[schemars(
        with = "Option<Color>",
        title = "枠の色",
        description = "背景が明るい分野の枠 (任意)"
    )]
    pub border: Option<S<String>>,
    #[serde(default)]
    #[schemars(title = "説明", description = "どんな窓口がこの分野か")]
    pub description: String,
}

/// One entry of `data/care.yaml`: a kind of medical care and its label.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    inline,
    title = "医療的ケアの種類",
    description = "施設検索の絞り込みに使います"
)]
pub struct CareTerm {
    #[schemars(
        with = "Slug",
        title = "ID",
        description = "半角英小文字・数字・ハイフン"
    )]
    pub id: S<String>,
    #[schemars(
        title = "名前",
        description = "ページに表示する名前",
        length(min = 1),
        regex(pattern = r"\S")
    )]
    pub name: S<String>,
    #[serde(default)]
    #[schemars(title = "よみ", description = "ひらがな (検索に使います)")]
    pub kana: String,
    #[serde(default)]
    #[schemars(
        title = "分類",
        description = "施設検索の絞り込みでまとめて表示する分類 (例: 呼吸 / 栄養 / その他)"
    )]
    pub group: Option<String>,
    #[serde(default)]
    #[schemars(title = "説明", description = "任意")]
    pub description: Option<String>,
}

/// One entry of `data/facility_types.yaml`: a facility type, its label and
/// the group lists show it under.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    inline,
    title = "施設種別",
    description = "施設・サービスの種別。施設検索の絞り込みに使います"
)]
pub struct FacilityType {
    #[schemars(
        with = "Slug",
        title = "ID",
        description = "半角英小文字・数字・ハイフン"
    )]
    pub id: S<String>,
    #[schemars(
        title = "名前",
        description = "ページに表示する名前",
        length(min = 1),
        regex(pattern = r"\S")
    )]
    pub name: S<String>,
    #[serde(default)]
    #[schemars(title = "よみ", description = "ひらがな (検索に使います)")]
    pub kana: String,
    #[serde(default)]
    #[schemars(
        title = "分類",
        description = "一覧でまとめて表示する分類 (例: 医療 / 福祉(児童) / 福祉(障害者総合支援) / 相談・その他)"
    )]
    pub group: Option<String>,
    #[serde(default)]
    #[schemars(title = "説明", description = "任意")]
    pub description: Option<String>,
}

// ---------------------------------------------------------------- rules

/// The rules of the five vocabulary files. `ids` is [`Vocab::of`] the same
/// raw site (regions name municipalities).
pub fn check(c: &mut Checker, raw: &RawSite, ids: &Ids) {
    if let Some((file, list)) = &raw.municipalities {
        check_municipalities(c, file, list);
    }
    if let Some((file, list)) = &raw.fields {
        check_fields(c, file, list);
    }
    if let Some((file, list)) = &raw.care {
        let terms = list.iter().map(|t| (&t.value.id, &t.value.name));
        check_terms(c, file, terms, "医療的ケア ID", "医療的ケアの名前");
    }
    if let Some((file, list)) = &raw.facility_types {
        let terms = list.iter().map(|t| (&t.value.id, &t.value.name));
        check_terms(c, file, terms, "施設種別 ID", "施設種別の名前");
    }
    check_regions(c, raw, ids);
}

fn check_municipalities(c: &mut Checker, file: &str, list: &[S<Municipality>]) {
    c.unique_ids(file, list.iter().map(|m| &m.value.slug), "市町村スラッグ");
    let mut codes = BTreeSet::new();
    let mut names = BTreeSet::new();
    for m in list.iter().map(|m| &m.value) {
        c.non_empty(file, &m.name, "市町村名");
        if !municipality_code_ok(&m.code.value) {
            let d = c.error_at(
                file,
                &m.code,
                format!("市町村コード `{}` が正しくありません", m.code.value),
            );
            d.expected = Some("全国地方公共団体コード6桁(検査数字を含む、例: \"141003\")".into());
            d.hint = Some("総務省の一覧で確認し、引用符で囲んで書いてください".into());
        }
        if !codes.insert(m.code.value.clone()) {
            c.error_at(
                file,
                &m.code,
                format!("市町村コード `{}` が2回定義されています", m.code.value),
            );
        }
        if !names.insert(m.name.value.clone()) {
            c.error_at(
                file,
                &m.name,
                format!("市町村名 `{}` が2回定義されています", m.name.value),
            );
        }
        check_kana(c, file, &m.kana);
    }
    // Ward codes are unique across cities and wards.
    let mut all_codes: BTreeMap<String, u32> = list
        .iter()
        .map(|m| (m.value.code.value.clone(), pos(&m.value.code).0))
        .collect();
    for m in list.iter().map(|m| &m.value) {
        crate::kinds::wards::check(c, file, &m.wards, &mut all_codes);
    }
}

/// A municipality's reading: hiragana only (search finds 茅ヶ崎市 by ちがさき).
pub(crate) fn check_kana(c: &mut Checker, file: &str, kana: &S<String>) {
    let hiragana = |ch: char| ('ぁ'..='ゖ').contains(&ch) || ch == 'ー';
    if kana.value.is_empty() || !kana.value.chars().all(hiragana) {
        let d = c.error_at(
            file,
            kana,
            format!("よみ `{}` はひらがなで書いてください", kana.value),
        );
        d.hint = Some("検索で「ちがさき」から茅ヶ崎市を見つけるのに使います".into());
    }
}

fn check_fields(c: &mut Checker, file: &str, list: &[S<Field>]) {
    c.unique_ids(file, list.iter().map(|f| &f.value.id), "分野 ID");
    for f in list.iter().map(|f| &f.value) {
        c.non_empty(file, &f.name, "分野名");
        if check_colors(c, file, f) {
            check_contrast(c, file, f);
        }
    }
}

/// Every color of a field reads as `#RRGGBB`; false when one does not.
fn check_colors(c: &mut Checker, file: &str, f: &Field) -> bool {
    let colors = [
        (&f.color, "color"),
        (&f.text_color, "text_color"),
        (&f.tint, "tint"),
    ];
    let mut all_ok = true;
    for (color, key) in colors
        .into_iter()
        .chain(f.border.as_ref().map(|b| (b, "border")))
    {
        if !is_hex_color(&color.value) {
            all_ok = false;
            let d = c.error_at(
                file,
                color,
                format!("{key} `{}` は色として読めません", color.value),
            );
            d.expected = Some("#RRGGBB 形式 (例: \"#1565C0\")".into());
        }
    }
    all_ok
}

/// A field's badge text must be readable on its background (JIS X 8341-3 AA).
fn check_contrast(c: &mut Checker, file: &str, f: &Field) {
    let ratio = contrast_ratio(&f.color.value, &f.text_color.value);
    if ratio < 4.5 {
        let d = c.error_at(
            file,
            &f.text_color,
            format!(
                "分野「{}」の文字色と背景色のコントラスト比 {ratio:.2}:1 が足りません",
                f.name.value
            ),
        );
        d.expected = Some("4.5:1 以上 (JIS X 8341-3 AA)".into());
        d.hint = Some("背景を濃くするか、文字色を #FFFFFF / #000000 にしてください".into());
    }
}

/// care.yaml and facility_types.yaml: unique slug ids, a name each.
fn check_terms<'a>(
    c: &mut Checker,
    file: &str,
    terms: impl Iterator<Item = (&'a S<String>, &'a S<String>)> + Clone,
    id_what: &str,
    name_what: &str,
) {
    c.unique_ids(file, terms.clone().map(|(id, _)| id), id_what);
    for (_, name) in terms {
        c.non_empty(file, name, name_what);
    }
}

/// Unique region ids; every municipality in exactly one region; every member
/// a known municipality.
fn check_regions(c: &mut Checker, raw: &RawSite, ids: &Ids) {
    let Some((file, regions)) = &raw.regions else {
        return;
    };
    c.unique_ids(file, regions.iter().map(|r| &r.value.id), "地域 ID");
    let mut region_of: BTreeMap<&str, &str> = BTreeMap::new();
    for r in regions.iter().map(|r| &r.value) {
        c.non_empty(file, &r.name, "地域名");
        if r.municipalities.is_empty() {
            let d = c.error_at(
                file,
                &r.id,
                format!("地域 `{}` に市町村がありません", r.id.value),
            );
            d.hint = Some("municipalities: に市町村スラッグを並べてください".into());
        }
        for m in &r.municipalities {
            check_member(c, file, m, &r.id.value, ids, &mut region_of);
        }
    }
    if let Some((mfile, list)) = &raw.municipalities {
        for m in list.iter().map(|m| &m.value) {
            if !region_of.contains_key(m.slug.value.as_str()) {
                let d = c.error_at(
                    mfile,
                    &m.slug,
                    format!("市町村 `{}` がどの地域にも入っていません", m.slug.value),
                );
                d.hint = Some(format!(
                    "{file} のいずれかの地域の municipalities: に追加してください"
                ));
            }
        }
    }
}

/// One member of a region: known, and in no other region.
fn check_member<'a>(
    c: &mut Checker,
    file: &str,
    m: &'a S<String>,
    region: &'a str,
    ids: &Ids,
    region_of: &mut BTreeMap<&'a str, &'a str>,
) {
    if !known(&ids.municipalities, &m.value) {
        check_ref(c, file, m, VocabKind::Municipality, ids);
    } else if let Some(other) = region_of.insert(&m.value, region) {
        let d = c.error_at(
            file,
            m,
            format!("市町村 `{}` が2つの地域に入っています", m.value),
        );
        d.hint = Some(format!(
            "地域 `{other}` と `{region}` のどちらか一方にしてください"
        ));
    }
}

pub fn is_hex_color(s: &str) -> bool {
    s.len() == 7 && s.starts_with('#') && s[1..].bytes().all(|b| b.is_ascii_hexdigit())
}

/// WCAG relative luminance contrast of two `#RRGGBB` colors.
pub fn contrast_ratio(a: &str, b: &str) -> f64 {
    fn lum(hex: &str) -> f64 {
        let ch = |i: usize| {
            let v = u8::from_str_radix(&hex[i..i + 2], 16).unwrap_or(0) as f64 / 255.0;
            if v <= 0.03928 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * ch(1) + 0.7152 * ch(3) + 0.0722 * ch(5)
    }
    let (la, lb) = (lum(a), lum(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// Checks the 6-digit 全国地方公共団体コード check digit.
pub fn municipality_code_ok(code: &str) -> bool {
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let d: Vec<u32> = code.bytes().map(|b| (b - b'0') as u32).collect();
    let sum = d[0] * 6 + d[1] * 5 + d[2] * 4 + d[3] * 3 + d[4] * 2;
    let rem = sum % 11;
    let check = if rem == 0 { 1 } else { (11 - rem) % 10 };
    // Codes whose remainder is 1 have check digit 0 under the usual rule.
    check == d[5] || (rem == 1 && d[5] == 0)
}

// ---------------------------------------------------------------- views

#[derive(Debug, Clone, Serialize)]
pub struct FieldView {
    pub id: String,
    pub name: String,
    pub kana: String,
    pub color: String,
    pub text_color: String,
    pub tint: String,
    pub border: String,
    pub description: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct RegionView {
    pub id: String,
    pub name: String,
    pub medical_area: String,
    /// Member slugs in print order.
    pub municipalities: Vec<String>,
}

/// A kind of care or a facility type, with the group the filter shows it under.
#[derive(Debug, Clone, Serialize)]
pub struct TermView {
    pub id: String,
    pub name: String,
    pub kana: String,
    pub group: Option<String>,
}

/// The values of a vocabulary file, in file order (none when it did not load).
fn items<T>(src: &Option<(String, Vec<S<T>>)>) -> impl Iterator<Item = &T> {
    src.iter().flat_map(|(_, l)| l.iter().map(|x| &x.value))
}

/// fields.yaml resolved: a field without `border` is framed in its color.
pub fn field_views(src: &Option<(String, Vec<S<Field>>)>) -> Vec<FieldView> {
    items(src)
        .map(|f| FieldView {
            id: f.id.value.clone(),
            name: f.name.value.clone(),
            kana: f.kana.clone(),
            color: f.color.value.clone(),
            text_color: f.text_color.value.clone(),
            tint: f.tint.value.clone(),
            border: f
                .border
                .as_ref()
                .map_or_else(|| f.color.value.clone(), |b| b.value.clone()),
            description: f.description.clone(),
        })
        .collect()
}

pub fn region_views(src: &Option<(String, Vec<S<Region>>)>) -> Vec<RegionView> {
    items(src)
        .map(|r| RegionView {
            id: r.id.value.clone(),
            name: r.name.value.clone(),
            medical_area: r.medical_area.clone(),
            municipalities: r.municipalities.iter().map(|m| m.value.clone()).collect(),
        })
        .collect()
}

pub fn care_views(src: &Option<(String, Vec<S<CareTerm>>)>) -> Vec<TermView> {
    items(src)
        .map(|t| TermView {
            id: t.id.value.clone(),
            name: t.name.value.clone(),
            kana: t.kana.clone(),
            group: t.group.clone(),
        })
        .collect()
}

pub fn facility_type_views(src: &Option<(String, Vec<S<FacilityType>>)>) -> Vec<TermView> {
    items(src)
        .map(|t| TermView {
            id: t.id.value.clone(),
            name: t.name.value.clone(),
            kana: t.kana.clone(),
            group: t.group.clone(),
        })
        .collect()
}

// ---------------------------------------------------------------- ids

/// The valid ids of each vocabulary, for cross-reference checks (part of
/// [`Vocab`]; an empty set means the file did not load, see [`known`]).
#[derive(Debug, Clone, Default)]
pub struct Ids {
    pub municipalities: BTreeSet<String>,
    pub regions: BTreeSet<String>,
    pub fields: BTreeSet<String>,
    pub care: BTreeSet<String>,
    pub types: BTreeSet<String>,
    /// Names that two or more entries of a vocabulary share (and no entry has
    /// as id), with those entries' ids: YAML may name an entry by its name,
    /// and such a name is an error that lists the ids.
    pub ambiguous: BTreeMap<(VocabKind, String), Vec<String>>,
}

impl Ids {
    fn of(v: &Vocab) -> Ids {
        let set = |list: &[Named]| list.iter().map(|n| n.id.clone()).collect();
        let mut ambiguous = BTreeMap::new();
        for kind in VocabKind::ALL {
            let list = v.list(kind);
            let is_id = |name: &str| list.iter().any(|m| m.id == name);
            for (name, ids) in names_of(list) {
                if ids.len() > 1 && !is_id(name) {
                    let ids = ids.into_iter().map(str::to_string).collect();
                    ambiguous.insert((kind, name.to_string()), ids);
                }
            }
        }
        Ids {
            municipalities: set(&v.municipalities),
            regions: set(&v.regions),
            fields: set(&v.fields),
            care: set(&v.care),
            types: set(&v.types),
            ambiguous,
        }
    }

    /// The ids of a vocabulary.
    pub fn of_kind(&self, kind: VocabKind) -> &BTreeSet<String> {
        match kind {
            VocabKind::Municipality => &self.municipalities,
            VocabKind::Field => &self.fields,
            VocabKind::Care => &self.care,
            VocabKind::Type => &self.types,
        }
    }
}

/// A reference (`field:`, `type:`, `care:`, `municipality:`) that is no id of
/// its vocabulary: a name two entries share (an error listing their ids), or
/// an unknown one (an error with the nearest ids). Names that one entry has
/// were turned into its id when the data was loaded ([`ids_for_names`]).
pub(crate) fn check_ref(c: &mut Checker, file: &str, at: &S<String>, kind: VocabKind, ids: &Ids) {
    let Some(shared) = ids.ambiguous.get(&(kind, at.value.clone())) else {
        c.unknown_ref(file, at, kind.label(), kind.file(), ids.of_kind(kind));
        return;
    };
    let d = c.error_at(
        file,
        at,
        format!(
            "{}「{}」は {} の {} つの項目の名前です (ID: {})",
            kind.label(),
            at.value,
            kind.file(),
            shared.len(),
            shared.join(", ")
        ),
    );
    d.hint = Some(format!(
        "名前ではなく ID ({}) のどれかを書いてください",
        shared.join(" / ")
    ));
}

/// YAML may name a municipality, field, kind of care or facility type by its
/// Japanese name as well as by its id (as the CSV import does): every name
/// that exactly one entry has becomes that entry's id here, at its place, so
/// `check`, the build and the tools see ids only. Ids, unknown text and
/// shared names stay as written (`check` reports them, see [`check_ref`]).
pub fn ids_for_names(raw: &mut RawSite) {
    let vocab = Vocab::of(raw);
    // (kind, name) → id for every name exactly one entry has and no entry
    // has as id: one lookup per reference (50,000 facilities × 1,741 names
    // would be too many scans).
    let mut id_of: BTreeMap<(VocabKind, &str), &str> = BTreeMap::new();
    for kind in VocabKind::ALL {
        let ids = vocab.ids.of_kind(kind);
        for (name, named) in names_of(vocab.list(kind)) {
            if let [one] = named[..]
                && !ids.contains(name)
            {
                id_of.insert((kind, name), one);
            }
        }
    }
    let to_id = |kind: VocabKind, s: &mut S<String>| {
        if let Some(id) = id_of.get(&(kind, s.value.as_str())) {
            s.0.value = id.to_string();
        }
    };
    for (_, file) in &mut raw.contacts {
        to_id(VocabKind::Municipality, &mut file.municipality);
        for w in &mut file.windows {
            to_id(VocabKind::Field, &mut w.0.value.field);
        }
    }
    for f in raw.facilities.iter_mut().flat_map(|(_, list)| list) {
        let f = &mut f.0.value;
        to_id(VocabKind::Type, &mut f.kind);
        to_id(VocabKind::Municipality, &mut f.municipality);
        f.care.iter_mut().for_each(|c| to_id(VocabKind::Care, c));
    }
    for c in raw.centres.iter_mut().flat_map(|(_, list)| list) {
        let served = &mut c.0.value.municipalities;
        served
            .iter_mut()
            .for_each(|m| to_id(VocabKind::Municipality, m));
    }
    for r in raw.regions.iter_mut().flat_map(|(_, list)| list) {
        let members = &mut r.0.value.municipalities;
        members
            .iter_mut()
            .for_each(|m| to_id(VocabKind::Municipality, m));
    }
}

/// Each name of a vocabulary with the ids of the entries that have it.
fn names_of(list: &[Named]) -> BTreeMap<&str, Vec<&str>> {
    let mut names: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for n in list {
        names
            .entry(n.name.as_str())
            .or_default()
            .push(n.id.as_str());
    }
    names
}

fn named(id: &S<String>, name: &S<String>, kana: &str) -> Named {
    Named {
        id: id.value.clone(),
        name: name.value.clone(),
        kana: kana.to_string(),
    }
}

/// An id and its Japanese name (and reading, when it has one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named {
    pub id: String,
    pub name: String,
    pub kana: String,
}

/// The vocabularies of a site, in file order.
#[derive(Debug, Clone, Default)]
pub struct Vocab {
    pub municipalities: Vec<Named>,
    pub regions: Vec<Named>,
    /// Members of each region (same order as `regions`).
    pub region_members: Vec<Vec<String>>,
    pub fields: Vec<Named>,
    pub care: Vec<Named>,
    pub types: Vec<Named>,
    /// The folders under `themes/` (the values `theme:` of site.yaml may take).
    pub themes: Vec<String>,
    /// The same ids as sets, for the cross-reference rules.
    pub ids: Ids,
    /// The folded forms of each list (same order), made on the first
    /// [`Vocab::resolve`]: a CSV of thousands of rows resolves each cell
    /// against every name, and folding (NFKC) them again each time was most of
    /// an import's time.
    folded: std::sync::OnceLock<[Vec<FoldedNamed>; 4]>,
}

/// A [`Named`] as [`fold`] sees it.
#[derive(Debug, Clone, Default)]
struct FoldedNamed {
    id: String,
    name: String,
    kana: String,
    short: String,
}

impl FoldedNamed {
    fn of(n: &Named) -> FoldedNamed {
        FoldedNamed {
            id: fold(&n.id),
            name: fold(&n.name),
            kana: fold(&n.kana),
            short: short_name(&n.name),
        }
    }
}

/// Which vocabulary a CSV cell or a YAML reference names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum VocabKind {
    Municipality,
    Field,
    Care,
    Type,
}

impl VocabKind {
    pub const ALL: [VocabKind; 4] = [
        VocabKind::Municipality,
        VocabKind::Field,
        VocabKind::Care,
        VocabKind::Type,
    ];

    /// The vocabulary of a shared schema definition (`#/$defs/field`).
    pub(crate) fn of_def(def: &str) -> Option<VocabKind> {
        match def {
            "municipality" => Some(VocabKind::Municipality),
            "field" => Some(VocabKind::Field),
            "care" => Some(VocabKind::Care),
            "facility_type" => Some(VocabKind::Type),
            _ => None,
        }
    }

    /// The file that defines the vocabulary.
    pub fn file(self) -> &'static str {
        match self {
            VocabKind::Municipality => "municipalities.yaml",
            VocabKind::Field => "fields.yaml",
            VocabKind::Care => "care.yaml",
            VocabKind::Type => "facility_types.yaml",
        }
    }

    /// Japanese name of the vocabulary.
    pub fn label(self) -> &'static str {
        match self {
            VocabKind::Municipality => "市町村",
            VocabKind::Field => "分野",
            VocabKind::Care => "医療的ケア",
            VocabKind::Type => "施設種別",
        }
    }
}

/// Folds what Excel or an IME may have changed: full-width letters and
/// digits, case and surrounding spaces.
pub fn fold(s: &str) -> String {
    s.nfkc().collect::<String>().trim().to_lowercase()
}

/// A name without its explanation in brackets: 吸引(たんの吸引) → 吸引.
fn short_name(name: &str) -> String {
    let f = fold(name);
    match f.find('(') {
        Some(i) if i > 0 => f[..i].trim().to_string(),
        _ => f,
    }
}

impl Vocab {
    /// The one id list of a site, built once from its raw data: validation,
    /// resolution and the tools all read it.
    pub fn of(raw: &RawSite) -> Vocab {
        let (regions, region_members) = items(&raw.regions)
            .map(|r| {
                let members = r.municipalities.iter().map(|m| m.value.clone()).collect();
                (named(&r.id, &r.name, ""), members)
            })
            .unzip();
        let vocab = Vocab {
            municipalities: items(&raw.municipalities)
                .map(|m| named(&m.slug, &m.name, &m.kana.value))
                .collect(),
            regions,
            region_members,
            fields: items(&raw.fields)
                .map(|f| named(&f.id, &f.name, &f.kana))
                .collect(),
            care: items(&raw.care)
                .map(|t| named(&t.id, &t.name, &t.kana))
                .collect(),
            types: items(&raw.facility_types)
                .map(|t| named(&t.id, &t.name, &t.kana))
                .collect(),
            themes: raw.themes.clone(),
            ids: Ids::default(),
            folded: std::sync::OnceLock::new(),
        };
        Vocab {
            ids: Ids::of(&vocab),
            ..vocab
        }
    }

    pub fn list(&self, kind: VocabKind) -> &[Named] {
        match kind {
            VocabKind::Municipality => &self.municipalities,
            VocabKind::Field => &self.fields,
            VocabKind::Care => &self.care,
            VocabKind::Type => &self.types,
        }
    }

    fn folded(&self, kind: VocabKind) -> &[FoldedNamed] {
        let all = self.folded.get_or_init(|| {
            [
                VocabKind::Municipality,
                VocabKind::Field,
                VocabKind::Care,
                VocabKind::Type,
            ]
            .map(|k| self.list(k).iter().map(FoldedNamed::of).collect())
        });
        &all[kind as usize]
    }

    /// The id a cell names: an id, or a Japanese name (or reading) of the
    /// vocabulary. `None` when nothing matches or when several entries do
    /// (see [`Vocab::resolve_all`]).
    pub fn resolve(&self, kind: VocabKind, text: &str) -> Option<&str> {
        match self.resolve_all(kind, text)[..] {
            [one] => Some(one),
            _ => None,
        }
    }

    /// Every id a cell may name, from the first way of naming that matches:
    /// the id, the name, the reading, then 「吸引」 for 「吸引(たんの吸引)」.
    /// Two or more: the cell is ambiguous (two entries share a name).
    pub fn resolve_all(&self, kind: VocabKind, text: &str) -> Vec<&str> {
        let t = fold(text);
        if t.is_empty() {
            return Vec::new();
        }
        let list = self.list(kind);
        let folded = self.folded(kind);
        let ways: [&dyn Fn(&FoldedNamed) -> bool; 4] = [
            &|n| n.id == t,
            &|n| n.name == t,
            &|n| !n.kana.is_empty() && n.kana == t,
            &|n| n.short == t,
        ];
        for matches in ways {
            let ids: Vec<&str> = folded
                .iter()
                .zip(list)
                .filter(|(f, _)| matches(f))
                .map(|(_, n)| n.id.as_str())
                .collect();
            if !ids.is_empty() {
                return ids;
            }
        }
        Vec::new()
    }

    /// The ids of the entries named exactly `name`.
    pub fn ids_named(&self, kind: VocabKind, name: &str) -> Vec<&str> {
        self.list(kind)
            .iter()
            .filter(|n| n.name == name)
            .map(|n| n.id.as_str())
            .collect()
    }

    /// The id a YAML reference stands for: the text itself when it is an id,
    /// else the one entry named exactly so (no folding, readings or short
    /// names as in [`Vocab::resolve`]: the JSON Schema lists what YAML accepts).
    pub fn yaml_id(&self, kind: VocabKind, text: &str) -> Option<&str> {
        if let Some(n) = self.list(kind).iter().find(|n| n.id == text) {
            return Some(n.id.as_str());
        }
        match self.ids_named(kind, text)[..] {
            [one] => Some(one),
            _ => None,
        }
    }

    /// The Japanese name of an id (the id itself when unknown).
    pub fn name_of<'a>(&'a self, kind: VocabKind, id: &'a str) -> &'a str {
        self.list(kind)
            .iter()
            .find(|n| n.id == id)
            .map_or(id, |n| n.name.as_str())
    }

    /// 「もしかして」 hint over both names and ids.
    pub fn suggest(&self, kind: VocabKind, bad: &str) -> String {
        let list = self.list(kind);
        let candidates: Vec<&str> = list
            .iter()
            .flat_map(|n| [n.name.as_str(), n.id.as_str()])
            .collect();
        let near = crate::diagnostic::nearest(bad.trim(), candidates.iter().copied());
        let names: Vec<&str> = list.iter().map(|n| n.name.as_str()).collect();
        if near.is_empty() {
            format!(
                "{} に書かれた名前か ID を使ってください: {}",
                kind.file(),
                names.join("、")
            )
        } else {
            let quoted: Vec<String> = near.iter().map(|n| format!("「{n}」")).collect();
            format!(
                "もしかして {} ? (使える{}: {})",
                quoted.join(" / "),
                kind.label(),
                names.join("、")
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes() {
        for ok in ["141003", "141305", "141500", "142018", "144029", "143821"] {
            assert!(municipality_code_ok(ok), "{ok}");
        }
        assert!(!municipality_code_ok("141004"));
        assert!(!municipality_code_ok("14100"));
    }

    #[test]
    fn contrast() {
        assert!((contrast_ratio("#FFFFFF", "#000000") - 21.0).abs() < 0.01);
        assert!(contrast_ratio("#1565C0", "#FFFFFF") > 4.5);
        assert!(contrast_ratio("#F9A825", "#FFFFFF") < 4.5);
    }

    #[test]
    fn hex_colors() {
        assert!(is_hex_color("#1565c0"));
        assert!(!is_hex_color("1565C0"));
        assert!(!is_hex_color("#1565C"));
    }
}
