//! Cross-reference and value checks over everything loaded. Reports every
//! problem at once (never only the first), each with file:line:col, what is
//! wrong in Japanese, what was expected and a hint. [`validate`] also renders
//! the pages and runs the link check, and only data without errors comes out
//! [`Checked`], the one input of [`crate::site::resolve`].

use crate::diagnostic::{Diagnostic, Diagnostics, did_you_mean};
use crate::kinds::check::{Checker, file_stem, known};
use crate::kinds::pages::RenderedPage;
use crate::kinds::vocab::{Ids, Vocab};
use crate::links::LinkContext;
use crate::markdown::MarkdownOptions;
use crate::model::{ContactFile, Facility, RawSite, S, SiteConfig, Window, pos};
use crate::site::ResolveOptions;
use crate::url_rule::{self, BaseUrl, Place};
use std::collections::BTreeMap;

/// The rules of every kind of data, on the raw data (no markdown rendered,
/// no link checked): what `import` checks its new files with.
pub fn rules(raw: &RawSite) -> Diagnostics {
    let mut v = Checker::default();
    crate::kinds::settings::check(&mut v, raw);
    let vocab = Vocab::of(raw);
    let ids = &vocab.ids;
    crate::kinds::vocab::check(&mut v, raw, ids);
    v.contacts(raw, ids);
    v.facilities(raw, ids);
    crate::kinds::pages::check(&mut v, &raw.pages);
    v.diags
}

/// Data that passed validation: the only input of [`crate::site::resolve`].
/// Its fields are private, so nothing outside this module can make one from
/// unchecked data. It carries the pages as rendered by validation (markdown
/// is rendered once per build).
///
/// ```compile_fail
/// // Only `validate` makes one: unchecked data cannot be resolved.
/// let raw = ohisama::model::RawSite::default();
/// let checked = ohisama::validate::Checked { raw: &raw };
/// ohisama::site::resolve(checked);
/// ```
pub struct Checked<'a> {
    raw: &'a RawSite,
    config: &'a SiteConfig,
    base: BaseUrl,
    drafts: bool,
    pages: Vec<RenderedPage<'a>>,
}

impl<'a> Checked<'a> {
    pub fn raw(&self) -> &'a RawSite {
        self.raw
    }

    /// site.yaml (checked data always has one).
    pub fn config(&self) -> &'a SiteConfig {
        self.config
    }

    /// Where the site is published (`--base-url`, else site.yaml's `base_url`).
    pub fn base(&self) -> &BaseUrl {
        &self.base
    }

    /// Whether `draft: true` pages are in (`--drafts`).
    pub fn drafts(&self) -> bool {
        self.drafts
    }

    /// The pages of this build in section order, rendered.
    pub fn into_pages(self) -> Vec<RenderedPage<'a>> {
        self.pages
    }
}

/// Checks everything: the rules of every kind, then the markdown of every
/// page is rendered and every link (markdown, notices, menu) checked against
/// the route table of the raw ids. The link check runs even when the data has
/// errors, so the editors see every problem in one run. The data is
/// [`Checked`] only when nothing is an error.
pub fn validate<'a>(
    raw: &'a RawSite,
    opts: &ResolveOptions,
    links: &LinkContext,
) -> (Diagnostics, Option<Checked<'a>>) {
    let mut diags = rules(raw);
    diags.extend(url_rule::base_url_option_problem(opts.base_url));
    // A refused base URL is an error (site.yaml or `--base-url`); the pages
    // are still rendered, from `/`, so their links are checked too.
    let base = opts
        .base_url
        .or(raw.site.as_ref().map(|(_, c)| c.base_url.value.as_str()))
        .and_then(|b| url_rule::base_url(b).ok())
        .unwrap_or_else(BaseUrl::root);
    let md = MarkdownOptions {
        base_path: &base.path,
        allow_raw_html: raw.site.as_ref().is_some_and(|(_, c)| c.allow_raw_html),
    };
    let pages = crate::kinds::pages::render(&raw.pages, opts.drafts, &md);
    let drafts = crate::kinds::pages::draft_paths(&raw.pages, opts.drafts);
    diags.extend(crate::links::problems(raw, &pages, &drafts, links));
    // Without site.yaml (the loader said why) there is nothing to resolve.
    let Some((_, config)) = &raw.site else {
        return (diags, None);
    };
    if diags.has_errors() {
        return (diags, None);
    }
    let checked = Checked {
        raw,
        config,
        base,
        drafts: opts.drafts,
        pages,
    };
    (diags, Some(checked))
}

impl Checker {
    fn contacts(&mut self, raw: &RawSite, ids: &Ids) {
        let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
        for (file, c) in &raw.contacts {
            self.contact_file(file, c, ids);
            if let Some(other) = seen.insert(&c.municipality.value, file) {
                let d = self.error_at(
                    file,
                    &c.municipality,
                    format!(
                        "市町村 `{}` の窓口が2つのファイルで定義されています",
                        c.municipality.value
                    ),
                );
                d.hint = Some(format!("{other} と1つにまとめてください"));
            }
        }
        if let Some((mfile, list)) = &raw.municipalities {
            for m in list.iter().map(|m| &m.value) {
                let has_file = raw.contact_files.iter().any(|f| f == &m.slug.value);
                if !seen.contains_key(m.slug.value.as_str()) && !has_file {
                    let (l, c) = pos(&m.slug);
                    self.diags.push(
                        Diagnostic::warning(
                            mfile,
                            l,
                            c,
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
    }

    fn contact_file(&mut self, file: &str, c: &ContactFile, ids: &Ids) {
        let stem = file_stem(file);
        if !known(&ids.municipalities, &c.municipality.value) {
            self.unknown_ref(
                file,
                &c.municipality,
                "市町村",
                "municipalities.yaml",
                &ids.municipalities,
            );
        } else if c.municipality.value != stem {
            let d = self.error_at(
                file,
                &c.municipality,
                format!(
                    "municipality `{}` がファイル名 `{stem}.yaml` と合っていません",
                    c.municipality.value
                ),
            );
            d.hint = Some(format!(
                "ファイル名を {}.yaml にするか、municipality を {stem} にしてください",
                c.municipality.value
            ));
        }
        self.fresh_date(file, &c.updated, "更新日 (updated)");
        if c.windows.is_empty() {
            let d = self.error_at(file, &c.municipality, "窓口 (windows) が1つもありません");
            d.hint = Some("windows: の下に「- name: 〇〇課」から始まる窓口を書いてください".into());
        }
        for (i, w) in c.windows.iter().enumerate() {
            self.window(file, i, w, ids);
        }
    }

    fn window(&mut self, file: &str, index: usize, w: &S<Window>, ids: &Ids) {
        let win = &w.value;
        self.non_empty(file, &win.name, "窓口名 (name)");
        if !known(&ids.fields, &win.field.value) {
            self.unknown_ref(file, &win.field, "分野", "fields.yaml", &ids.fields);
        }
        if let Some(g) = &win.general
            && g.value
            && index > 0
        {
            let d = self.error_at(
                file,
                g,
                "general: true (各種相談) は最初の窓口にだけ書けます",
            );
            d.hint = Some(
                "各種相談を受ける窓口を windows の先頭に移すか、general を消してください".into(),
            );
        }
        if win.tel.is_none()
            && win.note.as_deref().is_none_or(|n| n.trim().is_empty())
            && win.url.is_none()
        {
            let d = self.error_at(
                file,
                w,
                format!("窓口「{}」に連絡先がありません", win.name.value),
            );
            d.expected = Some("tel・note・url のどれか1つ以上".into());
            d.hint = Some(
                "電話番号がない場合は note: に「お住まいの区の窓口へ」などと書いてください".into(),
            );
        }
        if let Some(t) = &win.tel {
            self.tel(file, t);
            if win.tel_kind.is_none() {
                let d = self.error_at(file, t, "電話番号に tel_kind (直通/代表) がありません");
                d.hint = Some("所管課に直接つながるなら tel_kind: direct、交換手につながるなら tel_kind: main".into());
            }
        }
        if let Some(k) = &win.tel_kind {
            if win.tel.is_none() {
                let d = self.error_at(file, k, "tel がないのに tel_kind が書かれています");
                d.hint = Some("tel: を書くか、tel_kind を消してください".into());
            } else if k.value != "direct" && k.value != "main" {
                let d = self.error_at(file, k, format!("tel_kind `{}` は使えません", k.value));
                d.expected = Some("direct (直通) または main (代表)".into());
                d.hint = Some(did_you_mean(&k.value, ["direct", "main"]));
            }
        }
        if let Some(u) = &win.url {
            self.url(file, u, Place::DataUrl);
        }
    }

    fn facilities(&mut self, raw: &RawSite, ids: &Ids) {
        let mut seen: BTreeMap<&str, (&str, u32)> = BTreeMap::new();
        for (file, list) in &raw.facilities {
            let stem = file_stem(file);
            if !known(&ids.municipalities, stem) {
                let d = Diagnostic::error(
                    file.as_str(),
                    0,
                    0,
                    format!("ファイル名 `{stem}` は市町村スラッグではありません"),
                )
                .hint(did_you_mean(
                    stem,
                    ids.municipalities.iter().map(String::as_str),
                ));
                self.diags.push(d);
            }
            for f in list {
                self.facility(file, stem, &f.value, ids);
                let id = &f.value.id;
                if let Some((other_file, other_line)) = seen.insert(&id.value, (file, pos(id).0)) {
                    let d = self.error_at(
                        file,
                        id,
                        format!("施設 ID `{}` が2回使われています", id.value),
                    );
                    d.hint = Some(format!(
                        "{other_file}:{other_line} と同じです。施設 ID はすべてのファイルを通して一意にしてください"
                    ));
                }
            }
        }
    }

    fn facility(&mut self, file: &str, stem: &str, f: &Facility, ids: &Ids) {
        self.id_slug(file, &f.id, "施設 ID");
        if crate::site::FACILITY_LIST_KINDS.contains(&f.id.value.as_str()) {
            let d = self.error_at(
                file,
                &f.id,
                format!(
                    "施設 ID `{}` は一覧ページの URL と重なるため使えません",
                    f.id.value
                ),
            );
            d.hint = Some(format!(
                "{stem}-{} のように市町村名などを付けてください",
                f.id.value
            ));
        }
        self.non_empty(file, &f.name, "施設名 (name)");
        if !known(&ids.types, &f.kind.value) {
            self.unknown_ref(file, &f.kind, "施設種別", "facility_types.yaml", &ids.types);
        }
        if !known(&ids.municipalities, &f.municipality.value) {
            self.unknown_ref(
                file,
                &f.municipality,
                "市町村",
                "municipalities.yaml",
                &ids.municipalities,
            );
        } else if f.municipality.value != stem {
            let d = self.error_at(
                file,
                &f.municipality,
                format!(
                    "施設「{}」の市町村 `{}` が、このファイル ({stem}) と違います",
                    f.name.value, f.municipality.value
                ),
            );
            d.hint = Some(format!(
                "data/facilities/{}.yaml に移してください",
                f.municipality.value
            ));
        }
        for c in &f.care {
            if !known(&ids.care, &c.value) {
                self.unknown_ref(file, c, "医療的ケア", "care.yaml", &ids.care);
            }
        }
        if let Some(t) = &f.tel {
            self.tel(file, t);
        }
        if let Some(u) = &f.url {
            self.url(file, u, Place::DataUrl);
        }
        if let Some(u) = &f.updated {
            self.fresh_date(file, u, "更新日 (updated)");
        }
    }
}
