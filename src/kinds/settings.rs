//! `data/site.yaml`: the site's settings (name, publisher, edition of the
//! directory, notices, theme, main menu). Its raw types (one declaration per
//! field: serde + JSON Schema) and its rules. The menu's rules that need the
//! route table live in [`crate::sections`].

use crate::kinds::check::Checker;
use crate::kinds::common::{IsoDate, Paragraphs, S, Url};
use crate::model::RawSite;
use crate::url_rule::{self, Place};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// `data/site.yaml`
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "サイト全体の設定 (data/site.yaml)",
    description = "サイト名、発行元、窓口一覧の版、トップページのお知らせ"
)]
pub struct SiteConfig {
    #[schemars(
        title = "サイト名",
        description = "例: おひさま 小児在宅療養ナビ",
        length(min = 1),
        regex(pattern = r"\S")
    )]
    pub title: S<String>,
    #[serde(default)]
    #[schemars(title = "標語", description = "トップページの標語 (任意)")]
    pub tagline: Option<String>,
    #[schemars(
        with = "Url",
        title = "公開先の URL",
        description = "https://…/ の形。ビルド時に --base-url で上書きできます"
    )]
    pub base_url: S<String>,
    #[schemars(
        title = "運営者",
        description = "サイトを運営する組織",
        length(min = 1),
        regex(pattern = r"\S")
    )]
    pub organisation: S<String>,
    #[schemars(
        title = "発行者",
        description = "窓口一覧 (PDF) の発行者",
        length(min = 1),
        regex(pattern = r"\S")
    )]
    pub publisher: S<String>,
    /// Title of the printed directory (問い合わせ窓口一覧), on its cover and in the PDF metadata.
    #[serde(default)]
    #[schemars(
        title = "窓口一覧の表題",
        description = "窓口一覧 (PDF) の表題 (任意)。既定は「医療的ケア児に関する問い合わせ窓口一覧」"
    )]
    pub directory_title: Option<String>,
    /// Edition date of the directory (令和7年4月版).
    #[schemars(
        with = "IsoDate",
        title = "版の日付",
        description = "窓口一覧の版の日付 (2025-04-01 → 令和7年4月版)"
    )]
    pub edition: S<String>,
    /// Shows the "this is sample data" banner on every page.
    #[serde(default)]
    #[schemars(
        title = "サンプル表示",
        description = "true なら全ページに「サンプルデータ」の帯を出す"
    )]
    pub sample: bool,
    #[serde(default)]
    #[schemars(
        with = "Paragraphs",
        title = "はじめに",
        description = "窓口一覧の「はじめに」の段落"
    )]
    pub intro: Vec<String>,
    #[serde(default)]
    #[schemars(
        with = "Paragraphs",
        title = "使い方・注意事項",
        description = "窓口一覧の「使い方・注意事項」の段落"
    )]
    pub usage: Vec<String>,
    #[serde(default)]
    #[schemars(title = "お知らせ", description = "トップページのお知らせ (新しい順)")]
    pub notices: Vec<S<Notice>>,
    /// Raw HTML in markdown is passed through only when the site opts in.
    #[serde(default)]
    #[schemars(
        title = "HTML をそのまま出す",
        description = "true なら markdown 中の HTML をそのまま出す (既定は文字として表示)"
    )]
    pub allow_raw_html: bool,
    /// The folder under `themes/` whose templates, CSS and fonts are used (default `default`).
    #[serde(default)]
    #[schemars(
        title = "テーマ",
        description = "themes/ の下のフォルダ名 (既定は default)。サイトの templates/ のテンプレートはテーマの同じ名前のものより優先されます"
    )]
    pub theme: Option<S<String>>,
    /// The main menu, in order (weights may reorder it). Absent: the default
    /// menu ([`crate::routes::DEFAULT_MENU`]); front-matter entries join either.
    #[serde(default)]
    #[schemars(
        title = "メインメニュー",
        description = "全ページ上部のメニュー。weight の小さい順、同じなら書いた順。書かないと既定のメニュー (窓口を探す … サイト内検索)。ページの front matter の menu: もここに加わります"
    )]
    pub menu: Option<Vec<S<MenuEntry>>>,
    /// Sections whose pages are medical: each needs `reviewed_by` and `reviewed`.
    #[serde(default)]
    #[schemars(
        title = "医療的な内容のセクション",
        description = "ここに書いたセクション (例: emergency) のページには、front matter の reviewed_by (監修) と reviewed (監修日) が必要です"
    )]
    pub medical_sections: Vec<S<String>>,
    /// Single medical pages outside those sections (`/services/home-medical/`).
    #[serde(default)]
    #[schemars(
        title = "医療的な内容のページ",
        description = "セクションの外で監修が必要なページの URL (例: /services/home-medical/)",
        regex(pattern = r"^/([^/\s\\][^\s\\]*)?$")
    )]
    pub medical_pages: Vec<S<String>>,
    /// A review older than this many days gives a warning (default 365).
    #[serde(default)]
    #[schemars(
        title = "監修の有効日数",
        description = "監修日 (reviewed) からこの日数を過ぎると警告します (既定は 365)",
        range(min = 1)
    )]
    pub review_max_age_days: Option<S<u32>>,
}

/// The default of `review_max_age_days`: a review is kept for a year.
pub const REVIEW_MAX_AGE_DAYS: u32 = 365;

impl SiteConfig {
    /// Whether a page (by its section and URL path) needs a medical review.
    pub fn is_medical(&self, section: &str, path: &str) -> bool {
        self.medical_sections.iter().any(|s| s.value == section)
            || self.medical_pages.iter().any(|p| p.value == path)
    }

    /// Days after which a review is stale (`review_max_age_days`, default 365).
    pub fn review_max_age_days(&self) -> u32 {
        self.review_max_age_days
            .as_ref()
            .map_or(REVIEW_MAX_AGE_DAYS, |d| d.value)
    }
}

/// One entry of `menu:` in site.yaml: a link of the main menu.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    inline,
    title = "メニューの項目",
    description = "メニューの1つのリンク"
)]
pub struct MenuEntry {
    #[schemars(
        title = "表示名",
        description = "メニューに出す名前 (例: 窓口を探す)",
        length(min = 1),
        regex(pattern = r"\S")
    )]
    pub title: S<String>,
    /// A path on this site (`/contacts/`) that the build writes.
    #[schemars(
        title = "リンク先",
        description = "/contacts/ のような / 1つで始まるサイト内のパス。ビルドで出力されるページに限ります",
        regex(pattern = r"^/([^/\s\\][^\s\\]*)?$")
    )]
    pub url: S<String>,
    /// Smaller first; entries of equal weight keep their order (absent = 0).
    #[serde(default)]
    #[schemars(
        title = "並び順",
        description = "メニューの並び順 (小さいほど先、既定は 0)"
    )]
    pub weight: Option<i64>,
}

/// One notice of the home page (おひさまからのお知らせ).
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    inline,
    title = "お知らせ",
    description = "トップページの「おひさまからのお知らせ」の1件"
)]
pub struct Notice {
    #[schemars(
        with = "IsoDate",
        title = "日付",
        description = "お知らせの日付 (例: 2025-04-01)"
    )]
    pub date: S<String>,
    #[schemars(
        title = "本文",
        description = "お知らせの文",
        length(min = 1),
        regex(pattern = r"\S")
    )]
    pub text: S<String>,
    #[serde(default)]
    #[schemars(
        title = "リンク先",
        description = "/contacts/ のような / 1つで始まるサイト内のパス、または http(s) の URL (任意)",
        regex(pattern = r"^(/([^/\s\\][^\s\\]*)?|https?://[^/\s\\][^\s\\]*)$")
    )]
    pub url: Option<S<String>>,
}

/// The rules of site.yaml; reads the edition into the checker (the
/// freshness of every other date is measured against it).
pub fn check(c: &mut Checker, raw: &RawSite) {
    let Some((file, site)) = &raw.site else {
        return;
    };
    c.non_empty(file, &site.title, "title (サイト名)");
    c.non_empty(file, &site.organisation, "organisation (運営者)");
    c.non_empty(file, &site.publisher, "publisher (発行者)");
    check_base_url(c, file, &site.base_url);
    c.edition = c.date(file, &site.edition, "edition (版の日付)");
    if let Some(theme) = &site.theme {
        check_theme(c, file, theme, &raw.themes);
    }
    for n in &site.notices {
        c.date(file, &n.value.date, "お知らせの日付");
        c.non_empty(file, &n.value.text, "お知らせの本文");
        if let Some(u) = &n.value.url {
            c.url(file, u, Place::Notice);
        }
    }
}

/// `base_url` of site.yaml: where the site is published.
fn check_base_url(c: &mut Checker, file: &str, s: &S<String>) {
    match url_rule::base_url(&s.value) {
        Ok(base) if base.url.starts_with('/') => {
            let w = c.warn_at(
                file,
                s,
                format!(
                    "base_url `{}` にホスト名がありません",
                    url_rule::shown(&s.value)
                ),
            );
            w.hint = Some("sitemap.xml・お知らせのフィード・PDF に載る URL が相対になります。公開先が決まったら https://… で書いてください".into());
        }
        Ok(_) => {}
        Err(problem) => {
            let d = c.error_at(
                file,
                s,
                format!(
                    "base_url `{}` は使えません: {problem}",
                    url_rule::shown(&s.value)
                ),
            );
            d.expected = Some(url_rule::BASE_URL_EXPECTED.into());
            d.hint = Some(problem.hint().into());
        }
    }
}

/// `theme:` must name a folder of `themes/`.
fn check_theme(c: &mut Checker, file: &str, theme: &S<String>, folders: &[String]) {
    if folders.contains(&theme.value) {
        return;
    }
    let hint = if folders.is_empty() {
        "themes/ にテーマのフォルダがありません".to_string()
    } else {
        format!("themes/ にあるテーマ: {}", folders.join(", "))
    };
    let d = c.error_at(
        file,
        theme,
        format!("テーマ `{}` がありません", theme.value),
    );
    d.hint = Some(hint);
}
