//! Cross-reference and value checks over everything loaded. Reports every
//! problem at once (never only the first), each with file:line:col, what is
//! wrong in Japanese, what was expected and a hint. [`validate`] also renders
//! the pages and runs the link check, and only data without errors comes out
//! [`Checked`], the one input of [`crate::site::resolve`].

use crate::diagnostic::Diagnostics;
use crate::kinds::check::Checker;
use crate::kinds::pages::RenderedPage;
use crate::kinds::vocab::Vocab;
use crate::links::LinkContext;
use crate::markdown::MarkdownOptions;
use crate::model::{RawSite, SiteConfig};
use crate::site::ResolveOptions;
use crate::url_rule::{self, BaseUrl};

/// The rules of every kind of data, on the raw data (no markdown rendered,
/// no link checked): what `import` checks its new files with.
pub fn rules(raw: &RawSite) -> Diagnostics {
    rules_on(raw, crate::date::today())
}

/// [`rules`] with "today" given (the age of medical reviews): a build takes
/// it from [`crate::config::BuildOptions::today`], so tests can fix it.
fn rules_on(raw: &RawSite, today: Option<crate::date::Date>) -> Diagnostics {
    let mut v = Checker::default();
    crate::kinds::settings::check(&mut v, raw);
    let vocab = Vocab::of(raw);
    let ids = &vocab.ids;
    crate::kinds::vocab::check(&mut v, raw, ids);
    crate::kinds::contacts::check(
        &mut v,
        &raw.contacts,
        &raw.contact_files,
        raw.municipalities.as_ref(),
        ids,
    );
    crate::kinds::facilities::check(&mut v, &raw.facilities, ids);
    crate::kinds::centres::check(&mut v, raw, ids);
    crate::kinds::facility_facts::check_all(&mut v, raw);
    crate::kinds::pages::check(&mut v, &raw.pages);
    crate::kinds::synonyms::check(&mut v, &raw.synonyms);
    crate::kinds::glossary::check(&mut v, raw);
    crate::kinds::accessibility::check(&mut v, raw);
    crate::kinds::stats::check(&mut v, raw);
    crate::kinds::i18n::check(&mut v, raw);
    crate::kinds::i18n::easy_kanji(&mut v, &raw.pages);
    if let Some((file, config)) = &raw.site {
        v.today = today;
        crate::kinds::pages::check_review(&mut v, &raw.pages, file, config);
    }
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
    validate_with(raw, opts, links, None)
}

/// [`validate`], with the pages' markdown taken from `memo` where a page's
/// body and the options are those it last rendered (`serve`); same result.
pub fn validate_with<'a>(
    raw: &'a RawSite,
    opts: &ResolveOptions,
    links: &LinkContext,
    memo: Option<&crate::kinds::pages::MarkdownMemo>,
) -> (Diagnostics, Option<Checked<'a>>) {
    let mut t = crate::build::Timings::new();
    let mut diags = rules_on(raw, opts.today);
    t.lap(" v: rules");
    diags.extend(url_rule::base_url_option_problem(opts.base_url));
    // A refused base URL is an error (site.yaml or `--base-url`); the pages
    // are still rendered, from `/`, so their links are checked too.
    let base = opts
        .base_url
        .or(raw.site.as_ref().map(|(_, c)| c.base_url.value.as_str()))
        .and_then(|b| url_rule::base_url(b).ok())
        .unwrap_or_else(BaseUrl::root);
    // The markdown options are built from this key, so that what the memo
    // compares is exactly what the pages are rendered with.
    let key = markdown_key(raw, &base);
    let pages = with_markdown_options(&key, |md| {
        crate::kinds::pages::render_with(&raw.pages, opts.drafts, md, memo.zip(Some(&key)))
    });
    t.lap(" v: markdown");
    let drafts = crate::kinds::pages::draft_paths(&raw.pages, opts.drafts);
    diags.extend(crate::kinds::pages::ruby_warnings(&pages));
    diags.extend(crate::links::problems(raw, &pages, &drafts, links));
    t.lap(" v: links");
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

/// Calls `f` with the markdown options made of `key`: what every page is
/// rendered with (and `serve`'s first render of an edited page).
pub(crate) fn with_markdown_options<R>(
    key: &crate::kinds::pages::MarkdownKey,
    f: impl FnOnce(&MarkdownOptions) -> R,
) -> R {
    // Place names stay on one line in running text (小/田原市), as phone numbers do.
    let place_names = crate::markdown::KeepWhole::new(&key.place_names);
    // The first use of a glossary term on each page links to its entry.
    let glossary = crate::markdown::GlossaryLinks::new(
        key.glossary
            .iter()
            .map(|(anchor, words)| (anchor.clone(), words.iter().map(String::as_str).collect())),
    )
    .with_readings(key.glossary_readings.iter().cloned());
    f(&MarkdownOptions {
        base_path: &key.base_path,
        allow_raw_html: key.allow_raw_html,
        keep_whole: &place_names,
        glossary: &glossary,
    })
}

/// Every input of the pages' markdown besides their bodies (the markdown
/// options are built from it).
fn markdown_key(raw: &RawSite, base: &BaseUrl) -> crate::kinds::pages::MarkdownKey {
    crate::kinds::pages::MarkdownKey {
        base_path: base.path.clone(),
        allow_raw_html: raw.site.as_ref().is_some_and(|(_, c)| c.allow_raw_html),
        place_names: raw
            .municipalities
            .iter()
            .flat_map(|(_, list)| list.iter().map(|m| m.value.name.value.clone()))
            .collect(),
        glossary: crate::kinds::glossary::terms(raw)
            .iter()
            .map(|t| {
                let t = &t.value;
                let words = std::iter::once(&t.term)
                    .chain(&t.aliases)
                    .map(|w| w.value.clone())
                    .collect();
                (crate::kinds::glossary::anchor(&t.id.value), words)
            })
            .collect(),
        glossary_readings: crate::kinds::glossary::terms(raw)
            .iter()
            .map(|t| (t.value.term.value.clone(), t.value.reading.value.clone()))
            .collect(),
    }
}
