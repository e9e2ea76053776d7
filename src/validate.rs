//! Cross-reference and value checks over everything loaded. Reports every
//! problem at once (never only the first), each with file:line:col, what is
//! wrong in Japanese, what was expected and a hint.

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::kinds::check::{Checker, known};
use crate::model::{RawSite, S};
use crate::url_rule::{self, Place};
use std::collections::{BTreeMap, BTreeSet};

pub fn validate(raw: &RawSite) -> Diagnostics {
    let mut v = Checker::default();
    v.site(raw);
    let ids = v.vocabularies(raw);
    v.regions(raw, &ids);
    crate::kinds::contacts::check(
        &mut v,
        &raw.contacts,
        &raw.contact_files,
        raw.municipalities.as_ref(),
        &ids,
    );
    crate::kinds::facilities::check(&mut v, &raw.facilities, &ids);
    v.pages(raw);
    v.diags
}

/// The valid ids of each vocabulary, for cross-reference checks.
#[derive(Default)]
pub(crate) struct Ids {
    pub(crate) municipalities: BTreeSet<String>,
    pub(crate) regions: BTreeSet<String>,
    pub(crate) fields: BTreeSet<String>,
    pub(crate) care: BTreeSet<String>,
    pub(crate) types: BTreeSet<String>,
}

fn is_hex_color(s: &str) -> bool {
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
fn municipality_code_ok(code: &str) -> bool {
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

impl Checker {
    /// `base_url` of site.yaml: where the site is published.
    fn base_url(&mut self, file: &str, s: &S<String>) {
        match url_rule::base_url(&s.value) {
            Ok(base) if base.url.starts_with('/') => {
                let w = self.warn_at(
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
                let d = self.error_at(
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

    fn site(&mut self, raw: &RawSite) {
        let Some((file, site)) = &raw.site else {
            return;
        };
        self.non_empty(file, &site.title, "title (サイト名)");
        self.non_empty(file, &site.organisation, "organisation (運営者)");
        self.non_empty(file, &site.publisher, "publisher (発行者)");
        self.base_url(file, &site.base_url);
        self.edition = self.date(file, &site.edition, "edition (版の日付)");
        if let Some(theme) = &site.theme {
            self.theme(file, theme, &raw.themes);
        }
        for n in &site.notices {
            self.date(file, &n.value.date, "お知らせの日付");
            self.non_empty(file, &n.value.text, "お知らせの本文");
            if let Some(u) = &n.value.url {
                self.url(file, u, Place::Notice);
            }
        }
    }

    /// `theme:` must name a folder of `themes/`.
    fn theme(&mut self, file: &str, theme: &S<String>, folders: &[String]) {
        if folders.contains(&theme.value) {
            return;
        }
        let hint = if folders.is_empty() {
            "themes/ にテーマのフォルダがありません".to_string()
        } else {
            format!("themes/ にあるテーマ: {}", folders.join(", "))
        };
        let d = self.error_at(
            file,
            theme,
            format!("テーマ `{}` がありません", theme.value),
        );
        d.hint = Some(hint);
    }

    fn vocabularies(&mut self, raw: &RawSite) -> Ids {
        let mut ids = Ids::default();
        if let Some((file, list)) = &raw.municipalities {
            ids.municipalities =
                self.unique_ids(file, list.iter().map(|m| &m.value.slug), "市町村スラッグ");
            let mut codes = BTreeSet::new();
            let mut names = BTreeSet::new();
            for m in list.iter().map(|m| &m.value) {
                self.non_empty(file, &m.name, "市町村名");
                if !municipality_code_ok(&m.code.value) {
                    let d = self.error_at(
                        file,
                        &m.code,
                        format!("市町村コード `{}` が正しくありません", m.code.value),
                    );
                    d.expected =
                        Some("全国地方公共団体コード6桁(検査数字を含む、例: \"141003\")".into());
                    d.hint = Some("総務省の一覧で確認し、引用符で囲んで書いてください".into());
                }
                if !codes.insert(m.code.value.clone()) {
                    self.error_at(
                        file,
                        &m.code,
                        format!("市町村コード `{}` が2回定義されています", m.code.value),
                    );
                }
                if !names.insert(m.name.value.clone()) {
                    self.error_at(
                        file,
                        &m.name,
                        format!("市町村名 `{}` が2回定義されています", m.name.value),
                    );
                }
                if !m
                    .kana
                    .value
                    .chars()
                    .all(|c| ('ぁ'..='ゖ').contains(&c) || c == 'ー')
                    || m.kana.value.is_empty()
                {
                    let d = self.error_at(
                        file,
                        &m.kana,
                        format!("よみ `{}` はひらがなで書いてください", m.kana.value),
                    );
                    d.hint = Some("検索で「ちがさき」から茅ヶ崎市を見つけるのに使います".into());
                }
            }
        }
        if let Some((file, list)) = &raw.fields {
            ids.fields = self.unique_ids(file, list.iter().map(|f| &f.value.id), "分野 ID");
            for f in list.iter().map(|f| &f.value) {
                self.non_empty(file, &f.name, "分野名");
                let colors = [
                    (&f.color, "color"),
                    (&f.text_color, "text_color"),
                    (&f.tint, "tint"),
                ];
                let mut all_ok = true;
                for (c, key) in colors
                    .into_iter()
                    .chain(f.border.as_ref().map(|b| (b, "border")))
                {
                    if !is_hex_color(&c.value) {
                        all_ok = false;
                        let d = self.error_at(
                            file,
                            c,
                            format!("{key} `{}` は色として読めません", c.value),
                        );
                        d.expected = Some("#RRGGBB 形式 (例: \"#1565C0\")".into());
                    }
                }
                if all_ok {
                    let ratio = contrast_ratio(&f.color.value, &f.text_color.value);
                    if ratio < 4.5 {
                        let d = self.error_at(
                            file,
                            &f.text_color,
                            format!("分野「{}」の文字色と背景色のコントラスト比 {ratio:.2}:1 が足りません", f.name.value),
                        );
                        d.expected = Some("4.5:1 以上 (JIS X 8341-3 AA)".into());
                        d.hint = Some(
                            "背景を濃くするか、文字色を #FFFFFF / #000000 にしてください".into(),
                        );
                    }
                }
            }
        }
        if let Some((file, list)) = &raw.care {
            ids.care = self.unique_ids(file, list.iter().map(|t| &t.value.id), "医療的ケア ID");
            for t in list {
                self.non_empty(file, &t.value.name, "医療的ケアの名前");
            }
        }
        if let Some((file, list)) = &raw.facility_types {
            ids.types = self.unique_ids(file, list.iter().map(|t| &t.value.id), "施設種別 ID");
            for t in list {
                self.non_empty(file, &t.value.name, "施設種別の名前");
            }
        }
        if let Some((file, list)) = &raw.regions {
            ids.regions = self.unique_ids(file, list.iter().map(|r| &r.value.id), "地域 ID");
        }
        ids
    }

    /// Every municipality in exactly one region; every member a known municipality.
    fn regions(&mut self, raw: &RawSite, ids: &Ids) {
        let Some((file, regions)) = &raw.regions else {
            return;
        };
        let mut region_of: BTreeMap<&str, &str> = BTreeMap::new();
        for r in regions.iter().map(|r| &r.value) {
            self.non_empty(file, &r.name, "地域名");
            if r.municipalities.is_empty() {
                let d = self.error_at(
                    file,
                    &r.id,
                    format!("地域 `{}` に市町村がありません", r.id.value),
                );
                d.hint = Some("municipalities: に市町村スラッグを並べてください".into());
            }
            for m in &r.municipalities {
                if !known(&ids.municipalities, &m.value) {
                    self.unknown_ref(
                        file,
                        m,
                        "市町村",
                        "municipalities.yaml",
                        &ids.municipalities,
                    );
                } else if let Some(other) = region_of.insert(&m.value, &r.id.value) {
                    let d = self.error_at(
                        file,
                        m,
                        format!("市町村 `{}` が2つの地域に入っています", m.value),
                    );
                    d.hint = Some(format!(
                        "地域 `{other}` と `{}` のどちらか一方にしてください",
                        r.id.value
                    ));
                }
            }
        }
        if let Some((mfile, list)) = &raw.municipalities {
            for m in list.iter().map(|m| &m.value) {
                if !region_of.contains_key(m.slug.value.as_str()) {
                    let d = self.error_at(
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

    fn pages(&mut self, raw: &RawSite) {
        let mut paths: BTreeMap<&str, &str> = BTreeMap::new();
        for p in &raw.pages {
            self.non_empty(&p.file, &p.front.title, "title");
            if let Some(d) = &p.front.date {
                self.date(&p.file, d, "date");
            }
            if let Some(d) = &p.front.updated {
                self.date(&p.file, d, "updated");
            }
            if let Some(other) = paths.insert(&p.path, &p.file) {
                self.diags.push(
                    Diagnostic::error(
                        p.file.as_str(),
                        1,
                        1,
                        format!("URL {} が {other} と重なっています", p.path),
                    )
                    .hint("どちらかのファイル名を変えてください"),
                );
            }
            if p.path != "/" && crate::site::GENERATED_SECTIONS.contains(&p.section.as_str()) {
                self.diags.push(
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
        if !raw.pages.iter().any(|p| p.path == "/") {
            self.diags.push(
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
}
