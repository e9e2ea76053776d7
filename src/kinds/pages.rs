//! Content pages (`content/**/*.md`): the front matter as the editors write
//! it, where a file is published (file → URL), the rules of the front matter,
//! the rendered view the templates read, and the pages' search documents.
//!
//! Markdown is rendered once, by validation ([`render`]): the link check reads
//! the rendered links before anything is resolved, and [`resolve`] only turns
//! the rendered pages into views.

use crate::date::Date;
use crate::diagnostic::Diagnostic;
use crate::kinds::check::Checker;
use crate::kinds::common::{IsoDate, S, date_labels, nonempty};
use crate::kinds::settings::SiteConfig;
use crate::markdown::{self, Heading, MarkdownOptions, Section};
use crate::routes::{RESERVED_SECTIONS, Route};
use crate::search::{DocKind, SearchDoc};
use rayon::prelude::*;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

/// YAML front matter of a markdown page.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
    #[schemars(
        title = "ページ名",
        description = "必須",
        length(min = 1),
        regex(pattern = r"\S")
    )]
    pub title: S<String>,
    #[serde(default)]
    #[schemars(title = "説明", description = "一覧に出る説明")]
    pub description: Option<String>,
    /// Orders pages within a section (smaller first).
    #[serde(default)]
    #[schemars(
        title = "並び順",
        description = "同じセクション内の並び順 (小さいほど先)"
    )]
    pub weight: Option<i64>,
    /// Publication date (news).
    #[serde(default)]
    #[schemars(
        with = "Option<IsoDate>",
        title = "日付",
        description = "お知らせの日付"
    )]
    pub date: Option<S<String>>,
    #[serde(default)]
    #[schemars(
        with = "Option<IsoDate>",
        title = "最終確認日",
        description = "内容を最後に確認した日"
    )]
    pub updated: Option<S<String>>,
    /// 監修: who reviewed medical content.
    #[serde(default)]
    #[schemars(title = "監修", description = "医療的な内容の監修者 (例: 〇〇科)")]
    pub reviewed_by: Option<String>,
    /// 監修日: when the reviewer last checked the page (medical pages need it).
    #[serde(default)]
    #[schemars(
        with = "Option<IsoDate>",
        title = "監修日",
        description = "監修者が内容を最後に確認した日 (例: 2026-04-01)。site.yaml の medical_sections / medical_pages のページには必須で、review_max_age_days (既定 365 日) を過ぎると警告します"
    )]
    pub reviewed: Option<S<String>>,
    #[serde(default)]
    #[schemars(title = "下書き", description = "true なら出力しない")]
    pub draft: bool,
    /// Puts the page in the main menu (Hugo-like; usually a section's `index.md`).
    #[serde(default)]
    #[schemars(
        title = "メニューに載せる",
        description = "このページをメインメニューに載せる (ふつうはセクションの index.md)。例: menu: {title: ガイド, weight: 35}"
    )]
    pub menu: Option<S<PageMenu>>,
    /// The template of the page (Zola-like), by its name in the template set
    /// (`landing.html`, `sections/guide/page.html`).
    #[serde(default)]
    #[schemars(
        title = "テンプレート",
        description = "このページに使うテンプレート (例: landing.html)。サイトの templates/ かテーマの templates/ にあるファイル名。既定は sections/<セクション>/page.html (セクションの index.md は list.html) があればそれ、なければ page.html",
        regex(pattern = r"\.html$")
    )]
    pub template: Option<S<String>>,
    /// Tables of data/stats/ shown after the text, as chart + table, by id.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(
        title = "統計",
        description = "本文のあとにグラフと表で載せる data/stats/ の ID (例: [consultations, training])"
    )]
    pub stats: Vec<S<String>>,
    /// A translation's status (`content/<path>.<code>.md` only): `draft` until a person checks it.
    #[serde(default)]
    #[schemars(
        title = "翻訳の状態",
        description = "翻訳のページ (例: call-119.en.md) に必須: draft (下書き) か reviewed (確認済み、確認した人だけが書きます)",
        regex(pattern = "^(draft|reviewed)$")
    )]
    pub translation: Option<S<String>>,
    /// Who checked the translation (shown with `translation: reviewed`).
    #[serde(default)]
    #[schemars(
        title = "翻訳の確認者",
        description = "翻訳を確認した人 (translation: reviewed のとき表示)"
    )]
    pub translation_reviewed_by: Option<String>,
    /// The date of the Japanese text a translation follows.
    #[serde(default)]
    #[schemars(
        with = "Option<IsoDate>",
        title = "訳した日本語の版",
        description = "翻訳に必須: 訳したときの日本語のページの日付 (例: 2026-11-29)。日本語のページがこの日より後に変わると check が警告します"
    )]
    pub follows: Option<S<String>>,
}

/// `menu:` of a page's front matter: `menu: {title: ガイド, weight: 35}`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(inline)]
pub struct PageMenu {
    /// The label in the menu (default: the page's `title`).
    #[serde(default)]
    #[schemars(
        title = "表示名",
        description = "メニューに出す名前 (既定はページの title)",
        length(min = 1),
        regex(pattern = r"\S")
    )]
    pub title: Option<S<String>>,
    /// Smaller first, like site.yaml's entries (absent = 0).
    #[serde(default)]
    #[schemars(
        title = "並び順",
        description = "メニューの並び順 (小さいほど先、既定は 0)。site.yaml の menu: の項目と一緒に並びます"
    )]
    pub weight: Option<i64>,
}

/// A markdown page as loaded: where it lives, its front matter and body.
#[derive(Debug, Clone)]
pub struct Page {
    /// Relative path, e.g. `content/emergency/cpr.md`.
    pub file: String,
    /// URL path, e.g. `/emergency/cpr/` (`/` for `content/index.md`).
    pub path: String,
    /// First path segment (`emergency`), empty for the home page.
    pub section: String,
    pub front: FrontMatter,
    pub body: String,
    /// Line of the first body line in the file (for markdown diagnostics).
    pub body_line: u32,
    /// The page's language: `ja`, or the code of a translation (`call-119.en.md` → `en`).
    pub lang: String,
    /// A translation's Japanese page (`/emergency/call-119/`); `None` for a Japanese page.
    pub original: Option<String>,
}

/// Where a file of `content/` is published, its language and (for a
/// translation) the URL path of its Japanese page: `call-119.en.md` →
/// (`/en/emergency/call-119/`, `en`, `/emergency/call-119/`).
pub fn place_of(content: &Path, path: &Path) -> (String, String, Option<String>) {
    let japanese = url_path_of(content, path);
    let stem = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = stem.trim_end_matches(".md");
    match crate::kinds::i18n::split_lang(stem) {
        (name, Some(code)) => {
            let original = url_path_of(content, &path.with_file_name(format!("{name}.md")));
            let path = Route::Page(&format!("/{code}{original}")).path();
            (path, code.to_string(), Some(original))
        }
        _ => (japanese, crate::kinds::i18n::JA.to_string(), None),
    }
}

/// Where a file of `content/` is published: `content/emergency/cpr.md` →
/// `/emergency/cpr/`; `index.md` (or `_index.md`) stands for its folder.
pub fn url_path_of(content: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(content).unwrap_or(path);
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if let Some(last) = parts.pop() {
        let stem = last.trim_end_matches(".md");
        if stem != "index" && stem != "_index" {
            parts.push(stem.to_string());
        }
    }
    if parts.is_empty() {
        Route::Home.path()
    } else {
        Route::Page(&format!("/{}/", parts.join("/"))).path()
    }
}

/// The section of a page: the first segment of its URL path (`emergency`),
/// empty for the home page.
pub fn section_of(url_path: &str) -> String {
    url_path
        .trim_matches('/')
        .split('/')
        .next()
        .unwrap_or("")
        .to_string()
}

/// The rules of the pages: a title, valid dates, one page per URL, no page
/// in a section the build writes itself, and a home page.
pub fn check(c: &mut Checker, pages: &[Arc<Page>]) {
    let mut paths: BTreeMap<&str, &str> = BTreeMap::new();
    for p in pages {
        c.non_empty(&p.file, &p.front.title, "title");
        if let Some(d) = &p.front.date {
            c.date(&p.file, d, "date");
        }
        if let Some(d) = &p.front.updated {
            c.date(&p.file, d, "updated");
        }
        if let Some(d) = &p.front.reviewed {
            c.date(&p.file, d, "reviewed");
        }
        if let Some(other) = paths.insert(&p.path, &p.file) {
            c.diags.push(
                Diagnostic::error(
                    p.file.as_str(),
                    1,
                    1,
                    format!("URL {} が {other} と重なっています", p.path),
                )
                .hint("どちらかのファイル名を変えてください"),
            );
        }
        if p.path != "/" && RESERVED_SECTIONS.contains(&p.section.as_str()) {
            c.diags.push(
                Diagnostic::error(
                    p.file.as_str(),
                    1,
                    1,
                    format!("URL {} は自動生成されるページと重なります", p.path),
                )
                .hint(format!("content/ に {}/ フォルダは作れません", p.section)),
            );
        }
    }
    if !pages.iter().any(|p| p.path == "/") {
        c.diags.push(
            Diagnostic::error(
                "content/index.md",
                0,
                0,
                "トップページ (content/index.md) がありません",
            )
            .hint("---\\ntitle: ホーム\\n--- で始まる content/index.md を作ってください"),
        );
    }
}

/// The medical review (site.yaml `medical_sections` / `medical_pages`): each
/// published medical page names its reviewer (`reviewed_by`) and the date of
/// the review (`reviewed`, an error when missing); a review older than
/// `review_max_age_days` before `c.today` is a warning at its line. The
/// settings themselves must name sections and pages that exist.
pub fn check_review(c: &mut Checker, pages: &[Arc<Page>], config_file: &str, config: &SiteConfig) {
    check_medical_settings(c, pages, config_file, config);
    let max_age = i64::from(config.review_max_age_days());
    // A translation shows its Japanese page's review (kinds::i18n forbids its own).
    for p in pages.iter().filter(|p| !p.front.draft && p.lang == "ja") {
        if !config.is_medical(&p.section, &p.path) {
            continue;
        }
        if nonempty(&p.front.reviewed_by).is_none() {
            c.diags.push(
                Diagnostic::error(
                    p.file.as_str(),
                    1,
                    1,
                    format!(
                        "医療的な内容のページ {} に監修者 (reviewed_by) がありません",
                        p.path
                    ),
                )
                .hint(REVIEW_HINT),
            );
        }
        let Some(reviewed) = &p.front.reviewed else {
            c.diags.push(
                Diagnostic::error(
                    p.file.as_str(),
                    1,
                    1,
                    format!(
                        "医療的な内容のページ {} に監修日 (reviewed) がありません",
                        p.path
                    ),
                )
                .hint(REVIEW_HINT),
            );
            continue;
        };
        review_age(c, &p.file, reviewed, max_age);
    }
}

const REVIEW_HINT: &str = "front matter に reviewed_by: 〇〇科 と reviewed: 2026-04-01 (監修者が確認した日) を書いてください。このページは site.yaml の medical_sections / medical_pages で監修が必要とされています";

/// A review date against today: older than `max_age` days, or in the future, is a warning.
fn review_age(c: &mut Checker, file: &str, reviewed: &S<String>, max_age: i64) {
    let (Some(today), Some(d)) = (c.today, Date::parse(reviewed.value.trim())) else {
        return; // an unreadable date is already an error of `check`
    };
    let age = today.days_since_epoch() - d.days_since_epoch();
    if age > max_age {
        let w = c.warn_at(
            file,
            reviewed,
            format!("監修日 {d} から {age} 日たっています (今日 {today}、期限 {max_age} 日)"),
        );
        w.hint = Some("内容がいまも正しいか監修者に確認してもらい、reviewed の日付を更新してください (期限は site.yaml の review_max_age_days)".into());
    } else if age < 0 {
        let w = c.warn_at(
            file,
            reviewed,
            format!("監修日 {d} が今日 ({today}) より後です"),
        );
        w.hint = Some("監修者が確認した日を書いてください".into());
    }
}

/// `medical_sections` and `medical_pages` name sections and pages of content/.
fn check_medical_settings(c: &mut Checker, pages: &[Arc<Page>], file: &str, config: &SiteConfig) {
    for s in &config.medical_sections {
        if !pages.iter().any(|p| p.section == s.value) {
            let sections: BTreeSet<&str> = pages
                .iter()
                .map(|p| p.section.as_str())
                .filter(|s| !s.is_empty())
                .collect();
            let d = c.error_at(
                file,
                s,
                format!(
                    "medical_sections のセクション `{}` のページがありません",
                    s.value
                ),
            );
            d.hint = Some(format!(
                "content/ にあるセクション: {}",
                sections.into_iter().collect::<Vec<_>>().join(", ")
            ));
        }
    }
    for m in &config.medical_pages {
        if !pages.iter().any(|p| p.path == m.value) {
            let d = c.error_at(
                file,
                m,
                format!("medical_pages のページ {} がありません", m.value),
            );
            d.hint = Some(
                "/services/home-medical/ のように、content/ のページの URL を書いてください".into(),
            );
        }
    }
    if let Some(days) = &config.review_max_age_days
        && days.value == 0
    {
        let d = c.error_at(file, days, "review_max_age_days は 1 以上にしてください");
        d.hint = Some("既定は 365 (1年) です".into());
    }
}

/// A page of this build with its markdown rendered (once, by validation).
#[derive(Debug, Clone)]
pub struct RenderedPage<'a> {
    pub page: &'a Arc<Page>,
    pub out: Arc<markdown::Rendered>,
    /// `serve`: where this page's view is kept between builds, while the
    /// page (the same `Arc`, so the same file bytes) and its markdown stay.
    view: Option<Arc<ViewSlot>>,
}

/// A page's view as last resolved, for one base path ([`resolve`]).
type ViewSlot = std::sync::OnceLock<(String, Arc<PageView>)>;

/// The pages of this build (drafts only with `drafts`) in section order,
/// each rendered once, on all cores.
pub fn render<'a>(
    pages: &'a [Arc<Page>],
    drafts: bool,
    opts: &MarkdownOptions,
) -> Vec<RenderedPage<'a>> {
    render_with(pages, drafts, opts, None)
}

/// What a page's markdown renders to besides its body: every option of
/// [`MarkdownOptions`], as plain values (the place names and glossary words
/// the matchers were built from).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MarkdownKey {
    pub base_path: String,
    pub allow_raw_html: bool,
    pub place_names: Vec<String>,
    pub glossary: Vec<(String, Vec<String>)>,
    /// (term, reading): the ruby of a term's linked first use.
    pub glossary_readings: Vec<(String, String)>,
}

/// The pages' markdown as last rendered (`serve`), by body and first line,
/// for one [`MarkdownKey`]: a save re-renders only the pages whose body
/// moved. Rendering is a pure function of those inputs, so the result is
/// the same as rendering again; entries not used by the last build are
/// dropped, and a different key drops them all.
#[derive(Default)]
pub struct MarkdownMemo {
    inner: std::sync::Mutex<(MarkdownKey, MemoMap)>,
}

/// file → the page as last rendered and its output, looked up by the short
/// file name: the same page (`Arc`) or the same (body, first line,
/// language) is the same output (the language decides the glossary links).
/// The output is shared: keeping it for the next build copies no HTML.
type MemoMap = std::collections::HashMap<String, MemoEntry>;

struct MemoEntry {
    page: Arc<Page>,
    out: Arc<markdown::Rendered>,
    /// The view made of this very `page` and `out` (see [`RenderedPage`]).
    view: Arc<ViewSlot>,
}

impl MemoEntry {
    fn new(page: &Arc<Page>, out: Arc<markdown::Rendered>) -> MemoEntry {
        MemoEntry {
            page: page.clone(),
            out,
            view: Default::default(),
        }
    }

    /// Whether `page` (read again) renders to this entry's output.
    fn renders(&self, page: &Page) -> bool {
        let last = &*self.page;
        last.body == page.body && last.body_line == page.body_line && last.lang == page.lang
    }

    fn rendered<'a>(&self, page: &'a Arc<Page>) -> RenderedPage<'a> {
        RenderedPage {
            page,
            out: self.out.clone(),
            view: Some(self.view.clone()),
        }
    }
}

impl MarkdownMemo {
    fn take(&self, key: &MarkdownKey) -> MemoMap {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let (old_key, map) = &mut *inner;
        let map = std::mem::take(map);
        if old_key == key { map } else { MemoMap::new() }
    }

    fn keep(&self, key: &MarkdownKey, map: MemoMap) {
        *self.inner.lock().unwrap_or_else(|e| e.into_inner()) = (key.clone(), map);
    }

    /// The page `file` as the last validation had it, with the key its
    /// markdown was rendered with (`serve`'s first render of an edited page).
    pub(crate) fn last(&self, file: &str) -> Option<(Arc<Page>, MarkdownKey)> {
        let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let (key, map) = &*inner;
        map.get(file).map(|e| (e.page.clone(), key.clone()))
    }
}

/// A page's markdown rendered with `opts`; a page in another language than
/// Japanese gets no glossary links (the glossary explains Japanese words in
/// Japanese).
pub(crate) fn render_page(page: &Page, opts: &MarkdownOptions) -> markdown::Rendered {
    if page.lang == "ja" {
        return markdown::render(&page.body, page.body_line, opts);
    }
    let no_glossary = markdown::GlossaryLinks::default();
    let other_language = MarkdownOptions {
        glossary: &no_glossary,
        ..*opts
    };
    markdown::render(&page.body, page.body_line, &other_language)
}

/// Whether `a` and `b` differ at most in their markdown text: then their
/// views differ at most in what the text gives (HTML, headings, sections,
/// summary, ruby), and so does every page that shows them.
pub(crate) fn same_but_text(a: &Page, b: &Page) -> bool {
    let front = |p: &Page| serde_json::to_string(&p.front).ok();
    (
        &a.file,
        &a.path,
        &a.section,
        a.body_line,
        &a.lang,
        &a.original,
    ) == (
        &b.file,
        &b.path,
        &b.section,
        b.body_line,
        &b.lang,
        &b.original,
    ) && front(a).is_some()
        && front(a) == front(b)
}

/// [`render`], taking the pages whose (body, line) `memo` holds for the same
/// options from it instead of rendering them again.
pub fn render_with<'a>(
    pages: &'a [Arc<Page>],
    drafts: bool,
    opts: &MarkdownOptions,
    memo: Option<(&MarkdownMemo, &MarkdownKey)>,
) -> Vec<RenderedPage<'a>> {
    let mut published: Vec<&Arc<Page>> =
        pages.iter().filter(|p| drafts || !p.front.draft).collect();
    // Section order: weight, then newest date first (news), then path.
    published.sort_by_cached_key(|p| {
        let (date_iso, _) = date_labels(p.front.date.as_ref().map(|d| d.value.as_str()));
        (
            p.section.clone(),
            p.front.weight.unwrap_or(0),
            std::cmp::Reverse(date_iso),
            p.path.clone(),
        )
    });
    let Some((memo, key)) = memo else {
        // `collect` keeps the order.
        return published
            .into_par_iter()
            .map(|page| RenderedPage {
                page,
                out: Arc::new(render_page(page, opts)),
                view: None,
            })
            .collect();
    };
    let mut old = memo.take(key);
    // Each page's last entry, taken out of the map (its body is moved rather
    // than copied).
    let last: Vec<Option<MemoEntry>> = published
        .iter()
        .map(|page| old.remove(page.file.as_str()))
        .collect();
    let rendered: Vec<(RenderedPage<'a>, (String, MemoEntry))> = published
        .into_par_iter()
        .zip(last)
        .map(|(page, last)| {
            let entry = match last {
                // The same file as last time: its view is kept too.
                Some(e) if Arc::ptr_eq(&e.page, page) => e,
                // The same markdown in a file read again (its front matter
                // may differ): the output is kept, the view made again.
                Some(e) if e.renders(page) => MemoEntry::new(page, e.out),
                _ => {
                    let out = render_page(page, opts);
                    MemoEntry::new(page, Arc::new(out))
                }
            };
            (entry.rendered(page), (page.file.clone(), entry))
        })
        .collect();
    let (rendered, kept): (Vec<_>, MemoMap) = rendered.into_iter().unzip();
    // The entries no page used (edited or deleted pages) are freed beside the build.
    std::thread::spawn(move || drop(old));
    memo.keep(key, kept);
    rendered
}

/// ふりがな written wrongly (`{漢字|` never closed …): a warning at its line
/// each, with the syntax as hint (the text is shown as written).
pub fn ruby_warnings(pages: &[RenderedPage<'_>]) -> Vec<Diagnostic> {
    pages
        .iter()
        .flat_map(|p| {
            p.out.ruby_problems.iter().map(|(line, message)| {
                Diagnostic::warning(p.page.file.as_str(), *line, 0, message.clone()).hint(
                    "ふりがなは {漢字|かんじ} と書きます (表の中では全角の ｜ で {漢字｜かんじ})。{ をそのまま出すときは \\{ と書きます",
                )
            })
        })
        .collect()
}

/// URL paths of the `draft: true` pages left out of this build (none with `drafts`).
pub fn draft_paths(pages: &[Arc<Page>], drafts: bool) -> BTreeSet<String> {
    if drafts {
        return BTreeSet::new();
    }
    pages
        .iter()
        .filter(|p| p.front.draft)
        .map(|p| p.path.clone())
        .collect()
}

#[derive(Debug, Clone, Serialize)]
pub struct PageView {
    pub file: String,
    /// URL path as read from the file name (`/news/a b/`): what links are checked against.
    pub path: String,
    /// Full href of the page: base path + percent-encoded path (`/sub/news/a%20b/`).
    pub href: String,
    pub section: String,
    pub title: String,
    pub description: Option<String>,
    /// What the page's `<meta name="description">` says: the front matter's
    /// `description`, else the start of its text (search engines and shared
    /// links show it).
    pub summary: String,
    pub weight: i64,
    pub date_iso: Option<String>,
    pub date_label: Option<String>,
    pub updated_iso: Option<String>,
    pub updated_label: Option<String>,
    pub reviewed_by: Option<String>,
    /// The 監修日 (`reviewed`), shown as 最終確認日 in place of `updated` when present.
    pub reviewed_iso: Option<String>,
    pub reviewed_label: Option<String>,
    /// The page has ruby (`{漢字|かんじ}`): `page.html` shows the ふりがな button.
    pub has_ruby: bool,
    pub html: String,
    pub headings: Vec<Heading>,
    #[serde(skip)]
    pub sections: Vec<Section>,
    /// `draft: true` (only ever true with `--drafts`): `page.html` shows a 「下書き」 banner.
    pub draft: bool,
    /// `template:` of the front matter (see [`crate::sections::page_template`]).
    #[serde(skip)]
    pub template: Option<String>,
    /// `stats:` of the front matter: the ids of the charts after the text.
    #[serde(skip)]
    pub stats: Vec<String>,
    /// `ja`, or a translation's language code (`en`, `easy` …).
    pub lang: String,
    /// Every language version of this page, the Japanese first (empty when it has none).
    pub alternates: Vec<crate::kinds::i18n::Alternate>,
    /// A translation's notice and the Japanese page's review (`None` on a Japanese page).
    pub translation: Option<crate::kinds::i18n::TranslationView>,
}

/// The views of the rendered pages, in their (section) order. `serve` keeps
/// each view while its page and markdown stay the same ([`RenderedPage`]).
pub fn resolve(rendered: Vec<RenderedPage<'_>>, base_path: &str) -> Vec<Arc<PageView>> {
    // On all cores (`serve` resolves on every save); `collect` keeps the order.
    rendered
        .into_par_iter()
        .map(|RenderedPage { page, out, view }| {
            let Some(slot) = view else {
                return Arc::new(view_of(page, out, base_path));
            };
            let (path, kept) = slot.get_or_init(|| {
                (
                    base_path.to_string(),
                    Arc::new(view_of(page, out.clone(), base_path)),
                )
            });
            if path == base_path {
                kept.clone()
            } else {
                Arc::new(view_of(page, out, base_path))
            }
        })
        .collect()
}

/// Shared views written as the views themselves (serde's `rc` feature
/// would do the same, but changes every crate that depends on serde).
pub fn serialize_views<S: serde::Serializer>(
    views: &[Arc<PageView>],
    s: S,
) -> Result<S::Ok, S::Error> {
    s.collect_seq(views.iter().map(|v| &**v))
}

/// The view of one page of a site without translations of it (`serve`'s
/// first render of an edited page; [`resolve`] makes every other view).
pub(crate) fn view_alone(p: &Page, out: markdown::Rendered, base_path: &str) -> PageView {
    view_of(p, Arc::new(out), base_path)
}

/// What the templates see of a page (its output moved in when no one else
/// holds it: a build).
fn view_of(p: &Page, out: Arc<markdown::Rendered>, base_path: &str) -> PageView {
    let summary = nonempty(&p.front.description).unwrap_or_else(|| summary_of(&out.sections));
    let has_ruby = out.has_ruby;
    let (html, headings, sections) = match Arc::try_unwrap(out) {
        Ok(out) => (out.html, out.headings, out.sections),
        Err(out) => (out.html.clone(), out.headings.clone(), out.sections.clone()),
    };
    let labels = |d: &Option<S<String>>| date_labels(d.as_ref().map(|d| d.value.as_str()));
    let (date_iso, date_label) = labels(&p.front.date);
    let (updated_iso, updated_label) = labels(&p.front.updated);
    let (reviewed_iso, reviewed_label) = labels(&p.front.reviewed);
    PageView {
        file: p.file.clone(),
        path: p.path.clone(),
        href: Route::Page(&p.path).href(base_path),
        section: p.section.clone(),
        title: p.front.title.value.clone(),
        description: nonempty(&p.front.description),
        summary,
        weight: p.front.weight.unwrap_or(0),
        date_iso,
        date_label,
        updated_iso,
        updated_label,
        reviewed_by: nonempty(&p.front.reviewed_by),
        reviewed_iso,
        reviewed_label,
        has_ruby,
        html,
        headings,
        sections,
        draft: p.front.draft,
        template: p.front.template.as_ref().map(|t| t.value.clone()),
        stats: p.front.stats.iter().map(|s| s.value.clone()).collect(),
        lang: p.lang.clone(),
        alternates: Vec::new(),
        translation: None,
    }
}

/// The longest summary, in characters: what search engines show of a page.
const SUMMARY_CHARS: usize = 120;

/// The start of a page's text, on one line: whole sentences up to
/// [`SUMMARY_CHARS`] when the first ones fit, else cut with 「…」.
fn summary_of(sections: &[crate::markdown::Section]) -> String {
    let text: String = sections
        .iter()
        .map(|s| s.text.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= SUMMARY_CHARS {
        return flat;
    }
    let head: String = flat.chars().take(SUMMARY_CHARS).collect();
    match head.rfind('。') {
        Some(end) if head[..end].chars().count() >= SUMMARY_CHARS / 3 => {
            head[..end + '。'.len_utf8()].to_string()
        }
        _ => format!("{}…", head.trim_end()),
    }
}

/// Pages of one content section (e.g. `news`), the section's own index page excluded.
pub fn section_pages<'a>(pages: &'a [Arc<PageView>], section: &str) -> Vec<&'a PageView> {
    section_pages_in(pages, section, "ja")
}

/// Pages of one content section in one language (`ja`, `en` …), its index page excluded.
pub fn section_pages_in<'a>(
    pages: &'a [Arc<PageView>],
    section: &str,
    lang: &str,
) -> Vec<&'a PageView> {
    let index = format!("/{section}/");
    let own_index = if lang == "ja" {
        index.clone()
    } else {
        format!("/{lang}{index}")
    };
    pages
        .iter()
        .filter(|p| p.section == section && p.lang == lang && p.path != own_index)
        .map(|p| &**p)
        .collect()
}

/// One search document per section (heading) of every page.
pub fn search_docs(pages: &[Arc<PageView>], docs: &mut Vec<SearchDoc>) {
    for p in pages.iter().filter(|p| is_indexed(p)) {
        page_docs(p, p.sections.iter().map(|s| s.text.clone()), docs);
    }
}

/// [`search_docs`], each section's text moved out of the page's view when
/// no one else holds the view (a build: the texts are the largest part of
/// the documents, 50k pages: ~60 MiB), copied otherwise. A moved-out text is
/// left empty; the sections themselves stay (their number counts, see
/// `derived::explain_docs`), and nothing after the search reads the texts
/// (templates do not see `sections`; the summary is made before).
pub fn search_docs_taking_texts(pages: &mut [Arc<PageView>], docs: &mut Vec<SearchDoc>) {
    for p in pages.iter_mut().filter(|p| is_indexed(p)) {
        let texts: Vec<String> = match Arc::get_mut(p) {
            Some(view) => view
                .sections
                .iter_mut()
                .map(|s| std::mem::take(&mut s.text))
                .collect(),
            None => p.sections.iter().map(|s| s.text.clone()).collect(),
        };
        page_docs(p, texts.into_iter(), docs);
    }
}

/// Whether a page is in the search. Translations are not indexed: the
/// index, its analyzer and the search page are Japanese. やさしい日本語 is
/// Japanese, and its readings find it by hiragana.
pub(crate) fn is_indexed(p: &PageView) -> bool {
    p.lang == "ja" || p.lang == "easy"
}

/// The documents of one page's sections, `texts` their texts in order.
fn page_docs(p: &PageView, texts: impl Iterator<Item = String>, docs: &mut Vec<SearchDoc>) {
    let suffix = if p.lang == "easy" {
        " (やさしい日本語)"
    } else {
        ""
    };
    // The result links to it: percent-encoded, like every href.
    let path = Route::Page(&p.path).href("/");
    for (s, body) in p.sections.iter().zip(texts) {
        let (title, url) = match (&s.heading, &s.id) {
            (Some(h), Some(id)) => (format!("{} — {}", p.title, h), format!("{path}#{id}")),
            _ => (p.title.clone(), path.clone()),
        };
        let title = format!("{title}{suffix}");
        docs.push(SearchDoc {
            kind: DocKind::Page,
            title,
            body,
            url,
            kana: String::new(),
            municipality: None,
            region: None,
            field: None,
            tel: None,
            tel_href: None,
            field_id: None,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section(text: &str) -> crate::markdown::Section {
        crate::markdown::Section {
            id: None,
            heading: None,
            text: text.to_string(),
        }
    }

    #[test]
    fn summary_is_the_start_of_the_text_on_one_line() {
        assert_eq!(summary_of(&[section("短い\n文です。")]), "短い 文です。");
        // Whole sentences when the first ones fit.
        let long = format!("{}。{}", "あ".repeat(50), "い".repeat(100));
        assert_eq!(
            summary_of(&[section(&long)]),
            format!("{}。", "あ".repeat(50))
        );
        // Otherwise cut at the limit, with 「…」.
        let run = "う".repeat(200);
        let cut = summary_of(&[section(&run)]);
        assert_eq!(cut.chars().count(), SUMMARY_CHARS + 1);
        assert!(cut.ends_with('…'));
    }

    #[test]
    fn url_paths() {
        let c = Path::new("/s/content");
        assert_eq!(url_path_of(c, Path::new("/s/content/index.md")), "/");
        assert_eq!(
            url_path_of(c, Path::new("/s/content/emergency/index.md")),
            "/emergency/"
        );
        assert_eq!(
            url_path_of(c, Path::new("/s/content/emergency/cpr.md")),
            "/emergency/cpr/"
        );
        assert_eq!(section_of("/emergency/cpr/"), "emergency");
        assert_eq!(section_of("/"), "");
    }

    #[test]
    fn front_matter_schema_says_what_the_loader_reads() {
        let schema = serde_json::to_value(schemars::schema_for!(FrontMatter)).expect("schema");
        assert_eq!(schema["properties"]["title"]["minLength"], 1);
        assert_eq!(
            schema["properties"]["date"]["anyOf"][0]["$ref"],
            "#/$defs/date"
        );
        assert_eq!(
            schema["properties"]["menu"]["properties"]["title"]["title"],
            "表示名"
        );
        assert_eq!(schema["additionalProperties"], false);
    }
}
