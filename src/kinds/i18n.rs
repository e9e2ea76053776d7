//! Languages (issue #18): `data/i18n/<code>.yaml`, the UI strings of one
//! language, and the translations of content pages (`content/<path>.<code>.md`
//! beside the Japanese `content/<path>.md`, published at `/<code>/<path>/`).
//!
//! The rules of the translations live here: a known language, a Japanese page
//! to follow, `translation: draft|reviewed`, the date of the Japanese text it
//! follows (`follows:`) and whether the Japanese page changed after it
//! ([`stale`]), and for やさしい日本語 (`easy`) a kanji without ふりがな.
//! `ja.yaml` is optional: the program holds the sample's (the Japanese strings
//! of the default theme), and a site's own file replaces it.

use crate::date::Date;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::kinds::check::Checker;
use crate::kinds::common::{S, pos};
use crate::kinds::pages::Page;
use crate::model::RawSite;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The folder of this kind, under `data/`.
pub const DIR: &str = "i18n";
/// The site's own language: its pages have no suffix.
pub const JA: &str = "ja";
/// やさしい日本語: Japanese (`lang="ja"`), so never an `hreflang` alternate.
pub const EASY: &str = "easy";
/// The Japanese strings when the site has no `data/i18n/ja.yaml`.
const BUILTIN_JA: &str = include_str!("../../data/i18n/ja.yaml");

/// Declares a table of UI strings: every key required, no other key.
macro_rules! strings {
    ($(#[$m:meta])* $name:ident { $($(#[$fm:meta])* $field:ident),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
        #[serde(deny_unknown_fields)]
        pub struct $name { $($(#[$fm])* pub $field: String,)* }
    };
}

/// One language's `data/i18n/<code>.yaml`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Strings {
    #[schemars(
        title = "lang 属性",
        description = "<html lang> に入る BCP 47 の言語タグ (例: en, zh-Hans, ko, vi, pt-BR, es, tl, ne。やさしい日本語は ja)",
        regex(pattern = "^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
    )]
    pub html_lang: S<String>,
    #[schemars(
        title = "言語名",
        description = "その言語自身での名前 (例: English, 简体中文, 한국어)。言語の切り替えに出ます",
        length(min = 1)
    )]
    pub name: String,
    #[schemars(title = "画面の文言", description = "ヘッダー・メニュー・フッター")]
    pub ui: Ui,
    #[schemars(title = "ページの文言", description = "ページ一覧・監修・最終確認日")]
    pub page: PageStrings,
    #[schemars(
        title = "翻訳のお知らせ",
        description = "下書きの表示、日本語ページへのリンク"
    )]
    pub translation: TranslationStrings,
    #[schemars(title = "日付", description = "日付の書き方")]
    pub date: DateStrings,
    #[schemars(
        title = "電話ボタン",
        description = "緊急時のページの 119・#8000・#7119"
    )]
    pub calls: Calls,
    #[schemars(title = "緊急時情報シート", description = "/emergency/sheet/ の文言")]
    pub sheet: Sheet,
}

strings!(
    /// The strings of `base.html`.
    Ui {
        skip_link, sample_banner_label, sample_banner, emergency_link, emergency_link_em,
        search_label, search_placeholder, search_button, menu_label, breadcrumbs_label, home,
        /// `{name}`: the organisation.
        footer_operator,
        /// `{url}`: the page's address.
        footer_page_url,
        footer_about, footer_accessibility, footer_search, languages_label, japanese_site,
        furigana,
    }
);

strings!(
    /// The strings of `page.html`.
    PageStrings {
        child_pages, draft_banner,
        /// `{name}`: the reviewer.
        reviewed_by,
        /// `{date}`: the date checked.
        checked_on,
    }
);

strings!(
    /// The notice on a translated page.
    TranslationStrings {
        draft_notice,
        /// `{name}`: who checked the translation.
        reviewed_notice,
        /// `{date}`: the date of the Japanese text.
        follows,
        original_link,
        /// `{name}`, `{date}`: the Japanese page's medical review.
        medical_review,
    }
);

/// How dates are written: `format` with `{year}`, `{month}`, `{day}`,
/// `{month_name}` (from `months`) or `{wareki}` (令和7年4月1日).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DateStrings {
    #[schemars(
        title = "書式",
        description = "{year} {month} {day} {month_name} {wareki} を使えます (例: \"{month_name} {day}, {year}\")"
    )]
    pub format: String,
    #[schemars(title = "月の名前", description = "1月から12月まで12個")]
    pub months: S<Vec<String>>,
}

strings!(
    /// The call buttons on top of every emergency page.
    Calls {
        label, ambulance, ambulance_when, child_line, child_line_when, advice_line,
        advice_line_when,
    }
);

strings!(
    /// The emergency sheet (its field labels are named after the form's fields).
    Sheet {
        title, description, lead, write_in, privacy_title, privacy_local, privacy_erase,
        privacy_shared, noscript_needs_js, noscript_print, print, export, import, clear, back,
        numbers_title,
        /// `{name}`, `{number}`: the label of a call link.
        call_aria,
        ambulance, ambulance_when, advice_centre, advice_centre_when, advice_centre_fallback,
        or, child_line, child_line_when, child_line_fallback, group_child, child_name,
        child_kana, birth_date, weight, blood_type, home_tel, address, group_care, diagnosis,
        baseline, ventilator, cannula, oxygen, feeding, other_care, group_medicines, medicines,
        allergies, group_contacts, hospital, doctor, hospital_tel, patient_id, home_nursing,
        device_vendor, contact1_name, contact1_tel, contact2_name, contact2_tel, group_other,
        notes, filled_on, msg_save_failed, msg_no_storage,
        /// `{name}`: the file name.
        msg_saved_file,
        msg_not_json, msg_not_sheet, msg_confirm_replace,
        /// `{count}`: how many fields were read.
        msg_loaded,
        msg_read_failed, msg_confirm_clear, msg_cleared,
    }
);

/// The language of a content file from its name: `call-119.en.md` → (`call-119`,
/// `en`); a suffix of 2–4 lower-case ASCII letters is a language code (known or
/// not: an unknown one is an error of [`check`]), anything else is part of the
/// name (`v1.2.md`).
pub fn split_lang(stem: &str) -> (&str, Option<&str>) {
    match stem.rsplit_once('.') {
        Some((name, code))
            if !name.is_empty()
                && (2..=4).contains(&code.len())
                && code.bytes().all(|b| b.is_ascii_lowercase()) =>
        {
            (name, Some(code))
        }
        _ => (stem, None),
    }
}

/// The site's languages: `ja` (the site's file or the built-in one) and every
/// `data/i18n/<code>.yaml`, by code.
pub fn tables(raw: &RawSite) -> BTreeMap<String, Strings> {
    let mut out: BTreeMap<String, Strings> = raw
        .i18n
        .iter()
        .map(|(file, s)| (code_of(file).to_string(), s.clone()))
        .collect();
    if !out.contains_key(JA) {
        // The built-in file is the sample's own, tested to parse (`builtin_ja_parses`).
        if let Ok(ja) = crate::load::parse_yaml::<Strings>(BUILTIN_JA) {
            out.insert(JA.to_string(), ja);
        }
    }
    out
}

/// The languages with an emergency sheet of their own (`/<code>/emergency/sheet/`):
/// every `data/i18n/<code>.yaml` but `ja`, in switcher order.
pub fn sheet_languages(raw: &RawSite) -> Vec<&str> {
    // Every file, read or not: a broken file is its own error, not a cascade of broken links.
    let mut codes: Vec<&str> = raw
        .i18n_files
        .iter()
        .map(String::as_str)
        .filter(|c| *c != JA)
        .collect();
    codes.sort_by_key(|c| order(c));
    codes
}

/// `data/i18n/en.yaml` → `en`.
pub fn code_of(file: &str) -> &str {
    crate::kinds::check::file_stem(file)
}

/// The order of the language switcher: Japanese, やさしい日本語, then the
/// others in the order of the brief (the languages of Kanagawa's families),
/// then any other code alphabetically.
pub fn order(code: &str) -> (usize, &str) {
    const ORDER: [&str; 10] = [JA, EASY, "en", "zh", "ko", "vi", "pt", "es", "tl", "ne"];
    (
        ORDER.iter().position(|c| *c == code).unwrap_or(ORDER.len()),
        code,
    )
}

/// The rules of the language files and of the translations.
pub fn check(c: &mut Checker, raw: &RawSite) {
    // Every file, read or not: a broken file is its own error, not one per translation.
    let codes: BTreeSet<&str> = raw.i18n_files.iter().map(String::as_str).collect();
    for (file, s) in &raw.i18n {
        check_table(c, file, s);
    }
    let originals: BTreeMap<&str, &Page> = raw
        .pages
        .iter()
        .filter(|p| p.lang == JA)
        .map(|p| (p.path.as_str(), &**p))
        .collect();
    for p in &raw.pages {
        if p.lang == JA && p.original.is_some() {
            c.diags.push(
                Diagnostic::error(p.file.as_str(), 1, 1, "ファイル名の .ja は使えません")
                    .hint("日本語のページは言語コードをつけずに <名前>.md と書きます"),
            );
        } else if p.lang == JA {
            check_original(c, p, &codes);
        } else {
            check_translation(c, p, &codes, &originals);
        }
    }
}

fn check_table(c: &mut Checker, file: &str, s: &Strings) {
    let code = code_of(file);
    if code != JA && split_lang(&format!("x.{code}")).1.is_none() {
        c.diags.push(
            Diagnostic::error(file, 1, 1, format!("言語コード `{code}` は使えません"))
                .hint("ファイル名は英小文字2〜4文字の言語コードにしてください (例: en.yaml, vi.yaml, easy.yaml)"),
        );
    }
    c.non_empty(file, &s.html_lang, "html_lang");
    if s.date.months.value.len() != 12 {
        let d = c.error_at(
            file,
            &s.date.months,
            format!(
                "date.months の月の名前が {} 個です (12 個必要です)",
                s.date.months.value.len()
            ),
        );
        d.hint = Some("1月から12月までの名前を順に12個書いてください".into());
    }
}

/// A Japanese page: no translation keys, not in a folder named like a language.
fn check_original(c: &mut Checker, p: &Page, codes: &BTreeSet<&str>) {
    for (key, at) in [
        ("translation", p.front.translation.as_ref().map(pos)),
        ("follows", p.front.follows.as_ref().map(pos)),
    ] {
        if let Some((l, col)) = at {
            c.diags.push(
                Diagnostic::error(
                    p.file.as_str(),
                    l,
                    col,
                    format!("{key} は翻訳のページにだけ書きます"),
                )
                .hint("翻訳はファイル名に言語コードをつけたページです (例: content/emergency/call-119.en.md)。日本語のページからはこの行を消してください"),
            );
        }
    }
    if codes.contains(p.section.as_str()) {
        c.diags.push(
            Diagnostic::error(
                p.file.as_str(),
                1,
                1,
                format!("URL {} は言語 `{}` の翻訳のページと重なります", p.path, p.section),
            )
            .hint(format!(
                "content/ に {}/ フォルダは作れません。翻訳は日本語のページの横に <名前>.{}.md で置きます",
                p.section, p.section
            )),
        );
    }
}

/// A translation: a known language, its Japanese page, `translation:` and
/// `follows:`, and no medical review of its own.
fn check_translation(
    c: &mut Checker,
    p: &Page,
    codes: &BTreeSet<&str>,
    originals: &BTreeMap<&str, &Page>,
) {
    let file = p.file.as_str();
    if !codes.contains(p.lang.as_str()) {
        let known: Vec<&str> = codes.iter().copied().filter(|c| *c != JA).collect();
        c.diags.push(
            Diagnostic::error(
                file,
                1,
                1,
                format!("言語コード `{}` の data/i18n/{}.yaml がありません", p.lang, p.lang),
            )
            .hint(format!(
                "使える言語コード: {}。新しい言語は data/i18n/ja.yaml を写して data/i18n/{}.yaml を作り、訳してください",
                if known.is_empty() { "(なし)".to_string() } else { known.join(", ") },
                p.lang
            )),
        );
    }
    let original = p.original.as_deref().unwrap_or("/");
    if !originals.contains_key(original) {
        c.diags.push(
            Diagnostic::error(
                file,
                1,
                1,
                format!("翻訳 {file} の日本語のページ ({original}) がありません"),
            )
            .hint(format!(
                "翻訳は日本語のページと同じフォルダに同じ名前で置きます (例: {} の翻訳が {})。ファイル名を確かめてください",
                original_file(file, &p.lang),
                file
            )),
        );
    }
    check_status(c, p);
    match &p.front.follows {
        None => c.diags.push(
            Diagnostic::error(file, 1, 1, "翻訳に follows (訳した日本語の版の日付) がありません")
                .hint("front matter に follows: 2026-11-29 のように、訳したときの日本語のページの日付を書いてください"),
        ),
        Some(d) => {
            c.date(file, d, "follows");
        }
    }
    if p.front.reviewed_by.is_some() || p.front.reviewed.is_some() {
        c.diags.push(
            Diagnostic::error(file, 1, 1, "翻訳には監修 (reviewed_by / reviewed) を書きません")
                .hint("医療的な内容の監修は日本語のページに書きます。翻訳のページには日本語のページの監修が表示されます。翻訳を確認した人は translation_reviewed_by に書いてください"),
        );
    }
}

/// `translation: draft | reviewed` (required on a translation).
fn check_status(c: &mut Checker, p: &Page) {
    let file = p.file.as_str();
    match &p.front.translation {
        None => c.diags.push(
            Diagnostic::error(file, 1, 1, "翻訳に translation (draft か reviewed) がありません")
                .hint("front matter に translation: draft と書いてください。確認した人が reviewed にします"),
        ),
        Some(s) if s.value != "draft" && s.value != "reviewed" => {
            let d = c.error_at(
                file,
                s,
                format!("translation `{}` は draft か reviewed のどちらかです", s.value),
            );
            d.expected = Some("draft (下書き) または reviewed (確認済み)".into());
            d.hint = Some("reviewed は翻訳を確認した人だけが書きます".into());
        }
        Some(_) => {}
    }
}

/// `content/emergency/call-119.en.md` → `content/emergency/call-119.md`.
fn original_file(file: &str, lang: &str) -> String {
    file.strip_suffix(&format!(".{lang}.md"))
        .map_or_else(|| file.to_string(), |f| format!("{f}.md"))
}

/// When the Japanese page last changed: the later of its `updated:` and the
/// date of the last commit that touched its file (when the site is in git).
fn last_change(head: Option<&crate::git::Head>, page: &Page) -> Option<Date> {
    let updated = page
        .front
        .updated
        .as_ref()
        .and_then(|d| Date::parse(d.value.trim()));
    let committed = head
        .and_then(|h| h.last_commit_date(&page.file))
        .and_then(|d| Date::parse(&d));
    updated.max(committed)
}

/// A warning at `follows:` of each translation whose Japanese page changed
/// after the date it follows ([`last_change`]).
pub fn stale(head: Option<&crate::git::Head>, raw: &RawSite) -> Diagnostics {
    let mut out = Diagnostics::default();
    let mut changed: BTreeMap<&str, Option<Date>> = BTreeMap::new();
    for p in raw.pages.iter().filter(|p| p.lang != JA) {
        let (Some(original), Some(follows)) = (&p.original, &p.front.follows) else {
            continue;
        };
        let Some(follows_date) = Date::parse(follows.value.trim()) else {
            continue; // an error of `check`
        };
        let Some(ja) = raw
            .pages
            .iter()
            .find(|o| o.lang == JA && &o.path == original)
        else {
            continue;
        };
        let last = *changed
            .entry(ja.file.as_str())
            .or_insert_with(|| last_change(head, ja));
        if let Some(last) = last.filter(|d| *d > follows_date) {
            let (l, col) = pos(follows);
            out.push(
                Diagnostic::warning(
                    p.file.as_str(),
                    l,
                    col,
                    format!(
                        "日本語のページ {} は {last} に更新されています。この翻訳は {follows_date} の版のものです",
                        ja.file
                    ),
                )
                .hint("日本語のページの変わったところを確かめて翻訳を直し、follows: をその日付にしてください"),
            );
        }
    }
    out
}

/// Text cut off by YAML: in an unquoted value, ` #` starts a comment, so
/// `sample_banner: … 119, #7119 …` silently loses everything from `#7119`
/// (translations mention #7119 and #8000 all the time). A warning at the line
/// for each such value of a language file or of a translation's front matter.
pub fn comment_cut(sources: &crate::diagnostic::Sources, raw: &RawSite) -> Diagnostics {
    let mut out = Diagnostics::default();
    let files = raw
        .i18n
        .iter()
        .map(|(f, _)| (f.as_str(), usize::MAX))
        .chain(raw.pages.iter().filter(|p| p.lang != JA).map(|p| {
            // The front matter ends where the body starts.
            (p.file.as_str(), p.body_line.saturating_sub(1) as usize)
        }));
    for (file, last_line) in files {
        let Some(text) = sources.get(file) else {
            continue;
        };
        for (i, line) in text.lines().enumerate().take(last_line) {
            if let Some(col) = cut_comment(line) {
                out.push(
                    Diagnostic::warning(
                        file,
                        i as u32 + 1,
                        col as u32 + 1,
                        "「 #」から後ろはコメントとして読み飛ばされ、表示されません",
                    )
                    .hint("値を \"…\" で囲んでください (例: text: \"… 119, #7119 …\")"),
                );
            }
        }
    }
    out
}

/// The column (bytes) of ` #` in the unquoted value of a `key: value` line.
fn cut_comment(line: &str) -> Option<usize> {
    let (key, value) = line.split_once(": ")?;
    let key = key.trim_start().trim_start_matches("- ");
    if key.is_empty() || key.starts_with('#') {
        return None;
    }
    let value_at = line.len() - value.len();
    let trimmed = value.trim_start();
    if trimmed.is_empty() || trimmed.starts_with(['"', '\'', '#', '[', '{', '|', '>']) {
        return None;
    }
    value.find(" #").map(|at| value_at + at)
}

/// やさしい日本語: every kanji of the body outside ふりがな (`{漢字|かんじ}`),
/// one warning per page listing the lines (a warning: an urgent fix of a
/// phone number is never blocked by a missing reading).
pub fn easy_kanji(c: &mut Checker, pages: &[std::sync::Arc<Page>]) {
    for p in pages.iter().filter(|p| p.lang == EASY) {
        let found: Vec<(u32, String)> = p
            .body
            .lines()
            .zip(p.body_line..)
            .filter_map(|(text, line)| {
                let bare = kanji_outside_ruby(text);
                (!bare.is_empty()).then_some((line, bare))
            })
            .collect();
        let Some((first, _)) = found.first() else {
            continue;
        };
        let listed: Vec<String> = found
            .iter()
            .take(10)
            .map(|(l, k)| format!("{l}行目 {k}"))
            .collect();
        let more = if found.len() > 10 {
            format!(" ほか {} 行", found.len() - 10)
        } else {
            String::new()
        };
        c.diags.push(
            Diagnostic::warning(
                p.file.as_str(),
                *first,
                1,
                format!(
                    "やさしい日本語のページに、ふりがなのない漢字があります: {}{more}",
                    listed.join("、")
                ),
            )
            .hint("漢字には {漢字|かんじ} の形でふりがなをつけるか、ひらがなで書いてください"),
        );
    }
}

/// The kanji of one line that are not the base of a ruby `{漢字|かんじ}`.
fn kanji_outside_ruby(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(ch) = rest.chars().next() {
        if ch == '{'
            && let Some(end) = rest.find('}')
            && rest[..end].contains(['|', '｜'])
        {
            rest = &rest[end + 1..];
            continue;
        }
        if is_kanji(ch) && !out.contains(ch) {
            out.push(ch);
        }
        rest = &rest[ch.len_utf8()..];
    }
    out
}

fn is_kanji(ch: char) -> bool {
    matches!(ch, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}' | '々')
}

/// A date in a language's format (`{wareki}`: 令和7年4月1日).
pub fn format_date(s: &Strings, d: Date) -> String {
    let month_name = s
        .date
        .months
        .value
        .get(d.month as usize - 1)
        .cloned()
        .unwrap_or_default();
    s.date
        .format
        .replace("{wareki}", &d.wareki())
        .replace("{year}", &d.year.to_string())
        .replace("{month_name}", &month_name)
        .replace("{month}", &d.month.to_string())
        .replace("{day}", &d.day.to_string())
}

/// One language version of a page, for `hreflang` and the language switcher.
#[derive(Debug, Clone, Serialize)]
pub struct Alternate {
    pub code: String,
    /// The language's own name (English, 简体中文 …).
    pub name: String,
    pub html_lang: String,
    pub href: String,
    /// Absolute (`base_url`): what `<link rel="alternate">` needs.
    pub url: String,
    /// `None` for やさしい日本語: it is `ja` too, and one `hreflang` must not name two pages.
    pub hreflang: Option<String>,
}

/// What a translated page says about itself, in its own language.
#[derive(Debug, Clone, Serialize)]
pub struct TranslationView {
    pub draft: bool,
    /// The draft notice, or who checked the translation.
    pub notice: String,
    /// 「… の日本語のページの翻訳です」 with the date of `follows`.
    pub follows: String,
    pub original_href: String,
    /// The Japanese page's medical review (監修 and its date), when it has one.
    pub medical: Option<String>,
    /// `/<code>/emergency/` when this language has it (the header's emergency link).
    pub emergency_href: Option<String>,
}

/// Sets the language, the alternates and the translation notice of every
/// page view (`pages` as loaded, `views` as resolved from them).
pub fn attach(
    views: &mut [std::sync::Arc<crate::kinds::pages::PageView>],
    pages: &[std::sync::Arc<Page>],
    tables: &BTreeMap<String, Strings>,
    base_url: &str,
    base_path: &str,
) {
    // Hashed and borrowed: `serve` does this for every page on every save.
    let by_file: std::collections::HashMap<&str, &Page> =
        pages.iter().map(|p| (p.file.as_str(), &**p)).collect();
    // Each group: the Japanese path → its published versions (code, view index).
    let mut groups: std::collections::HashMap<&str, Vec<(&str, usize)>> =
        std::collections::HashMap::with_capacity(views.len());
    for (i, v) in views.iter().enumerate() {
        let Some(p) = by_file.get(v.file.as_str()) else {
            continue;
        };
        let key = p.original.as_deref().unwrap_or(&p.path);
        groups.entry(key).or_default().push((p.lang.as_str(), i));
    }
    for members in groups.values_mut().filter(|m| m.len() > 1) {
        members.sort_by(|a, b| order(a.0).cmp(&order(b.0)));
        let alternates: Vec<Alternate> = members
            .iter()
            .filter_map(|&(code, i)| {
                let t = tables.get(code)?;
                let v = &views[i];
                Some(Alternate {
                    code: code.to_string(),
                    name: t.name.clone(),
                    html_lang: t.html_lang.value.clone(),
                    href: v.href.clone(),
                    url: format!("{base_url}{}", v.href.trim_start_matches(base_path)),
                    hreflang: (code != EASY).then(|| t.html_lang.value.clone()),
                })
            })
            .collect();
        let original = members.iter().find(|(c, _)| *c == JA).map(|(_, i)| *i);
        for &(code, i) in members.iter() {
            // A view kept by `serve` is copied before it changes.
            std::sync::Arc::make_mut(&mut views[i]).alternates = alternates.clone();
            if code == JA {
                continue;
            }
            let (Some(t), Some(p)) = (tables.get(code), by_file.get(views[i].file.as_str())) else {
                continue;
            };
            let ja = original.map(|o| views[o].clone());
            if t.html_lang.value != "ja" {
                let chinese = t.html_lang.value.starts_with("zh");
                let html = mark_japanese(&views[i].html, chinese);
                std::sync::Arc::make_mut(&mut views[i]).html = html;
            }
            let mut view = translation_view(t, p, ja.as_deref());
            let emergency = format!("/{code}/emergency/");
            view.emergency_href = views
                .iter()
                .find(|v| v.path == emergency)
                .map(|v| v.href.clone());
            std::sync::Arc::make_mut(&mut views[i]).translation = Some(view);
        }
    }
}

/// Japanese quoted in another language's page (「救急です」, the sentences a
/// family reads out on the phone) gets `<span lang="ja">`, so a screen reader
/// switches voice: each run of Japanese text (kana, kanji, Japanese
/// punctuation, with single spaces inside) that holds at least one kana. On a
/// Chinese page, kanji alone are Chinese: only 「…」 quotes holding kana are marked.
pub fn mark_japanese(html: &str, chinese: bool) -> String {
    let mut out = String::with_capacity(html.len() + 64);
    let mut rest = html;
    while !rest.is_empty() {
        let text_end = rest.find('<').unwrap_or(rest.len());
        mark_text(&rest[..text_end], chinese, &mut out);
        rest = &rest[text_end..];
        let tag_end = rest.find('>').map_or(rest.len(), |i| i + 1);
        out.push_str(&rest[..tag_end]);
        rest = &rest[tag_end..];
    }
    out
}

/// One text node of [`mark_japanese`].
fn mark_text(text: &str, chinese: bool, out: &mut String) {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut i = 0;
    let mut copied = 0;
    while i < chars.len() {
        let start = i;
        let inside = |c: char| {
            if chinese { c != '」' } else { is_japanese(c) }
        };
        let opens = if chinese {
            chars[i].1 == '「'
        } else {
            is_japanese(chars[i].1)
        };
        if !opens {
            i += 1;
            continue;
        }
        i += 1;
        while i < chars.len()
            && (inside(chars[i].1)
                || chars[i].1 == ' '
                    && !chinese
                    && chars.get(i + 1).is_some_and(|c| is_japanese(c.1)))
        {
            i += 1;
        }
        if chinese && chars.get(i).is_some_and(|c| c.1 == '」') {
            i += 1;
        }
        let from = chars[start].0;
        let to = chars.get(i).map_or(text.len(), |c| c.0);
        let run = &text[from..to];
        if run.chars().any(is_kana) && (!chinese || run.ends_with('」')) {
            out.push_str(&text[copied..from]);
            out.push_str("<span lang=\"ja\">");
            out.push_str(run);
            out.push_str("</span>");
            copied = to;
        }
    }
    out.push_str(&text[copied..]);
}

fn is_kana(c: char) -> bool {
    matches!(c, '\u{3041}'..='\u{309F}' | '\u{30A0}'..='\u{30FF}')
}

fn is_japanese(c: char) -> bool {
    is_kana(c)
        || is_kanji(c)
        || matches!(
            c,
            '「' | '」' | '、' | '。' | '・' | '○' | '〇' | '（' | '）' | '：'
        )
}

fn translation_view(
    t: &Strings,
    p: &Page,
    ja: Option<&crate::kinds::pages::PageView>,
) -> TranslationView {
    let date = |iso: &str| {
        Date::parse(iso.trim())
            .map(|d| format_date(t, d))
            .unwrap_or_default()
    };
    let draft = p
        .front
        .translation
        .as_ref()
        .is_none_or(|s| s.value != "reviewed");
    let notice = match (&p.front.translation_reviewed_by, draft) {
        (Some(name), false) => t.translation.reviewed_notice.replace("{name}", name),
        _ => t.translation.draft_notice.clone(),
    };
    let follows = p
        .front
        .follows
        .as_ref()
        .map(|f| t.translation.follows.replace("{date}", &date(&f.value)))
        .unwrap_or_default();
    let medical = ja.and_then(|ja| {
        let name = ja.reviewed_by.as_ref()?;
        let when = ja
            .reviewed_iso
            .as_deref()
            .or(ja.updated_iso.as_deref())
            .map(date);
        Some(
            t.translation
                .medical_review
                .replace("{name}", name)
                .replace("{date}", &when.unwrap_or_default()),
        )
    });
    TranslationView {
        draft,
        notice,
        follows,
        original_href: ja.map(|ja| ja.href.clone()).unwrap_or_default(),
        medical,
        emergency_href: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_ja_parses() {
        let ja: Strings = crate::load::parse_yaml(BUILTIN_JA)
            .ok()
            .expect("data/i18n/ja.yaml");
        assert_eq!(ja.html_lang.value, "ja");
        assert_eq!(ja.date.months.value.len(), 12);
    }

    #[test]
    fn language_suffixes() {
        assert_eq!(split_lang("call-119.en"), ("call-119", Some("en")));
        assert_eq!(split_lang("index.easy"), ("index", Some("easy")));
        assert_eq!(split_lang("v1.2"), ("v1.2", None));
        assert_eq!(split_lang("cpr"), ("cpr", None));
        assert_eq!(split_lang("a.EN"), ("a.EN", None));
        assert_eq!(split_lang(".en"), (".en", None));
    }

    #[test]
    fn kanji_outside_ruby_only() {
        assert_eq!(
            kanji_outside_ruby("{救急車|きゅうきゅうしゃ}を よびます"),
            ""
        );
        assert_eq!(
            kanji_outside_ruby("{救急車|きゅうきゅうしゃ}を 呼びます"),
            "呼"
        );
        assert_eq!(kanji_outside_ruby("{電話｜でんわ} 119 電話"), "電話");
    }

    #[test]
    fn comments_that_cut_a_value() {
        assert_eq!(
            cut_comment("  banner: the numbers 119, #7119 and #8000"),
            Some(26)
        );
        assert_eq!(cut_comment("  banner: \"the numbers 119, #7119\""), None);
        assert_eq!(cut_comment("  banner: the numbers#7119"), None);
        assert_eq!(cut_comment("# a comment: with #"), None);
        assert_eq!(cut_comment("html_lang: en  # the tag"), Some(14));
    }

    #[test]
    fn japanese_in_other_languages_is_marked() {
        assert_eq!(
            mark_japanese("<li>1. 「救急です」 <em>Kyūkyū desu.</em></li>", false),
            "<li>1. <span lang=\"ja\">「救急です」</span> <em>Kyūkyū desu.</em></li>"
        );
        assert_eq!(
            mark_japanese("<p>「住所は ○○市 です」 a</p>", false),
            "<p><span lang=\"ja\">「住所は ○○市 です」</span> a</p>"
        );
        // Kanji without kana is not known to be Japanese; attributes are left alone.
        assert_eq!(
            mark_japanese("<a title=\"です\">119</a> 日本", false),
            "<a title=\"です\">119</a> 日本"
        );
        assert_eq!(
            mark_japanese("<p>请说「救急です」。急救</p>", true),
            "<p>请说<span lang=\"ja\">「救急です」</span>。急救</p>"
        );
    }

    #[test]
    fn dates_in_a_language() {
        let mut s: Strings = crate::load::parse_yaml(BUILTIN_JA).ok().expect("ja");
        let d = Date::parse("2026-11-29").expect("date");
        assert_eq!(format_date(&s, d), d.wareki());
        s.date.format = "{month_name} {day}, {year}".into();
        let mut months = s.date.months.value.clone();
        months[10] = "November".into();
        s.date.months = S::new(months);
        assert_eq!(format_date(&s, d), "November 29, 2026");
    }
}
