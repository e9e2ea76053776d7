//! `ohisama new DIR`: a new site (for another prefecture, or a test) with a
//! minimal data set and a home page, using the theme built into the program
//! (or, with `--from`, a copy of an existing site's `themes/`). It passes
//! `check` and builds at once; every placeholder says what to replace.

use super::yaml_out::schema_line;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum NewSiteError {
    #[error("{0} は空のフォルダではありません。新しいフォルダ名を指定してください")]
    NotEmpty(PathBuf),
    #[error(
        "テーマ {0} がありません。--from にはテーマ (themes/default/) のあるサイトのフォルダを指定してください。--from を付けなければ、プログラムに内蔵のテーマを使います"
    )]
    NoTheme(PathBuf),
    #[error("{path} に書き込めませんでした: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("JSON Schema を作れませんでした: {0}")]
    Schema(String),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> NewSiteError + '_ {
    move |source| NewSiteError::Io {
        path: path.to_path_buf(),
        source,
    }
}

const SITE: &str = "\
# サイト全体の設定 (docs/DATA.md)。〇〇 のところを書き換えてください
title: 〇〇 小児在宅療養ナビ
tagline: 医療的ケア児とご家族のための情報サイトです。
base_url: https://example.org/
organisation: 〇〇病院
publisher: 〇〇県
edition: 2025-04-01
sample: true
intro:
  - 県内各市町村の医療的ケア児に関する相談・申請窓口を、分野別にまとめました。
usage:
  - 電話番号の表記について。(直通)…所管課等にそのままつながります。(代表)…交換手に課名等を伝えてください。
menu:
  # メインメニュー (docs/DATA.md)。セクション (content/<名前>/index.md) を作ったら、ここに足すか、
  # その index.md の front matter に menu: {title: 表示名, weight: 並び順} を書きます
  - title: 窓口を探す
    url: /contacts/
  - title: 施設検索
    url: /facilities/
  - title: サイト内検索
    url: /search/
notices:
  - date: 2025-04-01
    text: サイトを公開しました。
    url: /contacts/
";

const REGIONS: &str = "\
# 地域: 窓口一覧の分割と掲載の順番。市町村がどの地域に属するかはここで決まります
- id: mihon-chiiki
  name: 見本地域
  medical_area: 見本医療圏
  municipalities: [mihon]
";

const MUNICIPALITIES: &str = "\
# 市町村 (全国地方公共団体コード順)。code は総務省の6桁のコード (検査数字つき) に置き換えてください
- code: \"999997\"
  name: 見本市
  kana: みほんし
  slug: mihon
";

const FIELDS: &str = "\
# 相談窓口の分野 (6分野): 窓口一覧の色分け。色だけに頼らず、必ず分野名も表示します
- id: shogai-fukushi
  name: 障害福祉
  kana: しょうがいふくし
  color: \"#1565C0\"
  text_color: \"#FFFFFF\"
  tint: \"#E3F2FD\"
  description: 障害者手帳・障害福祉サービスの支給決定、日常生活用具・補装具の給付などの窓口。
- id: hoken
  name: 保健
  kana: ほけん
  color: \"#2E7D32\"
  text_color: \"#FFFFFF\"
  tint: \"#E8F5E9\"
  description: 保健師による訪問・相談、乳幼児健診、小児慢性特定疾病の医療費助成などの窓口。
- id: kyufukin
  name: 給付金
  kana: きゅうふきん
  color: \"#F9A825\"
  text_color: \"#000000\"
  tint: \"#FFF8E1\"
  border: \"#6D4C00\"
  description: 手当・医療費助成・各種給付金の申請窓口。
- id: kyoiku
  name: 教育
  kana: きょういく
  color: \"#4A148C\"
  text_color: \"#FFFFFF\"
  tint: \"#F3E5F5\"
  description: 就学相談、学校での医療的ケアについて相談できる窓口。
- id: sodan
  name: 相談
  kana: そうだん
  color: \"#AD1457\"
  text_color: \"#FFFFFF\"
  tint: \"#FCE4EC\"
  description: 医療的ケア児等コーディネーターなど、分野を問わず総合的に相談できる窓口。
- id: sonota
  name: その他
  kana: そのた
  color: \"#455A64\"
  text_color: \"#FFFFFF\"
  tint: \"#ECEFF1\"
  description: 保育・防災・移動など、上記に当てはまらない窓口。
";

const CARE: &str = "\
# 医療的ケアの種類: 施設検索の絞り込みに使います
- id: ventilator
  name: 人工呼吸器
  kana: じんこうこきゅうき
- id: tracheostomy
  name: 気管切開
  kana: きかんせっかい
- id: oxygen
  name: 酸素療法(在宅酸素)
  kana: さんそりょうほう
- id: suction
  name: 吸引(たんの吸引)
  kana: きゅういん
- id: tube-feeding
  name: 経管栄養
  kana: けいかんえいよう
";

const TYPES: &str = "\
# 施設・サービスの種別: 施設検索の絞り込みに使います
- id: hospital
  name: 病院
  kana: びょういん
  group: 医療
- id: home-visit-clinic
  name: 訪問診療(在宅療養支援診療所・病院)
  kana: ほうもんしんりょう
  group: 医療
- id: home-nursing
  name: 訪問看護ステーション
  kana: ほうもんかんごすてーしょん
  group: 医療
- id: short-stay-medical
  name: 短期入所(医療型)
  kana: たんきにゅうしょ
  group: 福祉(障害者総合支援)
";

/// The starter contacts and facilities files (commented examples of every
/// key): kept as YAML files so the field names are spelt in the data, not in Rust.
const CONTACTS: &str = include_str!("../../assets/new-site/data/contacts/mihon.yaml");
const FACILITIES: &str = include_str!("../../assets/new-site/data/facilities/mihon.yaml");

const INDEX: &str = "\
---
title: ホーム
description: 医療的ケア児とご家族のための情報サイトです。
updated: 2025-04-01
---

## このサイトでできること

- [各市町村の相談窓口を探す](/contacts/): お住まいの市町村の窓口と電話番号を分野ごとに載せています。
- [施設検索](/facilities/): 訪問看護ステーションなどを、地域や医療的ケアの種類で探せます。

このページは content/index.md です。ページを増やすときは content/ に .md ファイルを置きます。
";

const GITIGNORE: &str = "dist/\n.cache/\n";

/// The files of a new site (relative path, text), without the theme and schemas.
pub fn files() -> Vec<(&'static str, String)> {
    let data = [
        ("data/site.yaml", "site", 1, SITE),
        ("data/regions.yaml", "regions", 1, REGIONS),
        (
            "data/municipalities.yaml",
            "municipalities",
            1,
            MUNICIPALITIES,
        ),
        ("data/fields.yaml", "fields", 1, FIELDS),
        ("data/care.yaml", "care", 1, CARE),
        ("data/facility_types.yaml", "facility_types", 1, TYPES),
        ("data/contacts/mihon.yaml", "contacts", 2, CONTACTS),
        ("data/facilities/mihon.yaml", "facilities", 2, FACILITIES),
    ];
    let mut out: Vec<(&'static str, String)> = data
        .into_iter()
        .map(|(rel, kind, depth, text)| (rel, format!("{}\n{text}", schema_line(kind, depth))))
        .collect();
    out.push(("content/index.md", INDEX.to_string()));
    out.push((".gitignore", GITIGNORE.to_string()));
    out
}

fn copy_tree(from: &Path, to: &Path) -> Result<usize, NewSiteError> {
    let mut n = 0;
    for entry in walkdir::WalkDir::new(from).sort_by_file_name() {
        let entry = entry.map_err(|e| NewSiteError::Io {
            path: from.to_path_buf(),
            source: e.into(),
        })?;
        let rel = entry.path().strip_prefix(from).unwrap_or(entry.path());
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).map_err(io(&dest))?;
        } else if entry.file_type().is_file() {
            std::fs::copy(entry.path(), &dest).map_err(io(&dest))?;
            n += 1;
        }
    }
    Ok(n)
}

/// What `new` made.
#[derive(Debug)]
pub struct NewSite {
    pub dir: PathBuf,
    pub files: usize,
}

/// Creates a new site in `dir` (absent or empty): with the built-in theme, or
/// with a copy of the themes of the site at `from`. Everything is made in a
/// temp folder beside `dir` and renamed into place at the end.
pub fn new_site(dir: &Path, from: Option<&Path>) -> Result<NewSite, NewSiteError> {
    if dir.exists() {
        let empty = dir.is_dir() && std::fs::read_dir(dir).map_err(io(dir))?.next().is_none();
        if !empty {
            return Err(NewSiteError::NotEmpty(dir.to_path_buf()));
        }
    }
    let themes = from.map(|f| f.join("themes"));
    if let Some(themes) = &themes
        && !themes.join("default").join("templates").is_dir()
    {
        return Err(NewSiteError::NoTheme(themes.clone()));
    }
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(io(&parent))?;
    let staging = tempfile::Builder::new()
        .prefix(".ohisama-new-")
        .tempdir_in(&parent)
        .map_err(io(&parent))?;
    let root = staging.path();
    let mut count = 0;
    for (rel, text) in files() {
        let path = root.join(rel);
        if let Some(p) = path.parent() {
            std::fs::create_dir_all(p).map_err(io(p))?;
        }
        std::fs::write(&path, text).map_err(io(&path))?;
        count += 1;
    }
    if let Some(themes) = &themes {
        count += copy_tree(themes, &root.join("themes"))?;
    }
    let schemas = super::schema::write_schemas(root, &root.join("schemas"))
        .map_err(|d| NewSiteError::Schema(d.render_text()))?;
    count += schemas.len();
    if dir.exists() {
        std::fs::remove_dir(dir).map_err(io(dir))?;
    }
    let kept = staging.keep();
    std::fs::rename(&kept, dir).map_err(|e| {
        let _ = std::fs::remove_dir_all(&kept);
        NewSiteError::Io {
            path: dir.to_path_buf(),
            source: e,
        }
    })?;
    Ok(NewSite {
        dir: dir.to_path_buf(),
        files: count,
    })
}
