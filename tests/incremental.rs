//! The preview's incremental builds equal a fresh `ohisama build`, byte for
//! byte, after random sequences of edits (issue #20): page edits, adds,
//! deletes and renames, contacts and facility edits, a broken edit and its
//! fix, a theme template edit, a vocabulary (`data/fields.yaml`) edit, a
//! stylesheet edit, a script edit, a static file added, a stylesheet and a
//! page saved together. The session hears of the files each edit touched,
//! as the watcher tells it (a static-only save takes a shortcut). Not timed.
//!
//! `OHISAMA_EDIT_SEED=<n>` runs one seed, `OHISAMA_EDIT_STEPS=<n>` sets the
//! number of edits; a failure prints the seed and the edits made so far.

use crate::serve_support;
use crate::sitekit;

use ohisama::config::BuildOptions;
use ohisama::serve::{Files, ServeOptions, Session, preview_options};
use serve_support::*;
use sitekit::TestSite;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

const CHIGASAKI: &str = "data/contacts/chigasaki.yaml";
const FACILITIES: &str = "data/facilities/aikawa.yaml";
const FIELDS: &str = "data/fields.yaml";
const CSS: &str = "themes/default/static/css/site.css";
const JS: &str = "themes/default/static/js/sheet.js";
const PAGE_TEMPLATE: &str = "themes/default/templates/page.html";
const MUNICIPALITY_TEMPLATE: &str = "themes/default/templates/municipality.html";
const FACILITY_ITEM_TEMPLATE: &str = "themes/default/templates/partials/facility-item.html";
/// Existing pages the edits change (nothing links to them by a path that an
/// edit could break).
const PAGES: [&str; 5] = [
    "content/about/index.md",
    "content/news/2025-03-10-training.md",
    "content/emergency/cpr.md",
    "content/messages/ward-nurse.md",
    "content/faq/index.md",
];

/// xorshift64*: a seeded, dependency-free generator (the sequence must be
/// reproducible from the printed seed).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// The output of a fresh `ohisama build` of the same tree with the same
/// options (its output folder's marker aside).
fn fresh_build(opts: &BuildOptions) -> BTreeMap<String, Vec<u8>> {
    let out = tempfile::tempdir().expect("tempdir");
    let mut opts = opts.clone();
    opts.out = out.path().join("dist");
    ohisama::build::build(&opts).expect("the full build succeeds where the preview did");
    read_tree(&opts.out)
}

fn read_tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).expect("inside");
            let rel = rel.to_string_lossy().replace('\\', "/");
            (rel, std::fs::read(e.path()).expect("read"))
        })
        .filter(|(rel, _)| rel != ohisama::output::marker::MARKER)
        .collect()
}

/// Fails with every path that differs (added, removed, changed, with the
/// first differing line) between the preview's output and a fresh build.
fn assert_same(served: &BTreeMap<String, Vec<u8>>, built: &BTreeMap<String, Vec<u8>>, ctx: &str) {
    let mut report = String::new();
    for (path, bytes) in built {
        match served.get(path) {
            None => report.push_str(&format!("  missing in the preview: {path}\n")),
            Some(s) if s != bytes => {
                let (a, b) = (String::from_utf8_lossy(s), String::from_utf8_lossy(bytes));
                let line = a
                    .lines()
                    .zip(b.lines())
                    .find(|(x, y)| x != y)
                    .map(|(x, y)| format!("\n    preview: {x}\n    build:   {y}"))
                    .unwrap_or_default();
                report.push_str(&format!("  differs: {path}{line}\n"));
            }
            Some(_) => {}
        }
    }
    for path in served.keys().filter(|p| !built.contains_key(*p)) {
        report.push_str(&format!("  only in the preview: {path}\n"));
    }
    assert!(report.is_empty(), "{ctx}\n{report}");
}

fn as_map(files: &Files) -> BTreeMap<String, Vec<u8>> {
    files.iter().map(|(k, v)| (k.clone(), v.to_vec())).collect()
}

/// How many kinds of edit [`Editor::apply`] makes.
const KINDS: usize = 16;

/// Every kind of edit (the template edit three times: each of its
/// templates), two adds before the rename and the delete.
const EVERY_KIND: [usize; 18] = [0, 2, 3, 3, 5, 4, 6, 7, 8, 9, 10, 11, 12, 10, 10, 13, 14, 15];

/// The random edits, applied to the site; each returns what it did.
struct Editor<'a> {
    site: &'a TestSite,
    rng: Rng,
    n: usize,
    /// Pages the sequence added (the ones it may delete or rename).
    added: Vec<String>,
    /// Template edits so far.
    templates: usize,
    /// Files touched since the last good build (relative), as the watcher
    /// reports them.
    touched: std::collections::BTreeSet<String>,
}

impl Editor<'_> {
    /// One random edit; `true` when it leaves the site broken (the next
    /// edit is then its fix).
    fn edit(&mut self) -> (String, bool) {
        let kind = self.rng.below(KINDS);
        self.apply(kind)
    }

    /// Edit number `kind` (0..KINDS); a delete or rename with no added page
    /// to act on adds one instead.
    fn apply(&mut self, kind: usize) -> (String, bool) {
        self.n += 1;
        if kind < 6 {
            (self.page_edit(kind), false)
        } else if kind < 13 {
            self.data_edit(kind)
        } else {
            (self.static_edit(kind), false)
        }
    }

    fn write(&mut self, rel: &str, text: &str) {
        self.site.write(rel, text);
        self.touched.insert(rel.to_string());
    }

    fn replace(&mut self, rel: &str, from: &str, to: &str) {
        self.site.edit(rel, from, to);
        self.touched.insert(rel.to_string());
    }

    /// Edits 13..KINDS: a script, a static file added, a stylesheet and a
    /// page in one save.
    fn static_edit(&mut self, kind: usize) -> String {
        let n = self.n;
        match kind {
            13 => {
                let js = self.site.read(JS);
                self.write(JS, &format!("{js}\n// 編集 {n}\n"));
                format!("script: {JS}")
            }
            14 => {
                let file = format!("themes/default/static/added/file-{n}.txt");
                self.write(&file, &format!("追加 {n}\n"));
                format!("static file added: {file}")
            }
            _ => {
                let css = self.site.read(CSS);
                self.write(CSS, &format!("{css}\n.both-{n} {{ color: #654321; }}\n"));
                let page = PAGES[self.rng.below(PAGES.len())];
                let text = self.site.read(page);
                self.write(page, &format!("{text}\nスタイルと同時の追記 {n}。\n"));
                format!("stylesheet and page: {CSS}, {page}")
            }
        }
    }

    /// Edits 0..6: a page's body or title; a page added, deleted, renamed.
    fn page_edit(&mut self, kind: usize) -> String {
        let (n, site) = (self.n, self.site);
        match kind {
            0 | 1 => {
                let page = PAGES[self.rng.below(PAGES.len())];
                let text = site.read(page);
                self.write(page, &format!("{text}\n追記 {n} の段落です。\n"));
                format!("page body: {page}")
            }
            2 => {
                let page = PAGES[self.rng.below(PAGES.len())];
                self.replace(page, "title: ", &format!("title: 改{n} "));
                format!("page title: {page}")
            }
            3..=5 if kind == 3 || self.added.is_empty() => {
                let page = format!("content/news/2025-05-{:02}-added-{n}.md", 1 + n % 28);
                self.write(
                    &page,
                    &format!(
                        "---\ntitle: 追加のお知らせ {n}\ndate: 2025-05-{:02}\n---\n\n本文 {n}。\n",
                        1 + n % 28
                    ),
                );
                self.added.push(page.clone());
                format!("page added: {page}")
            }
            4 => {
                let page = self.added.remove(self.rng.below(self.added.len()));
                std::fs::remove_file(site.path(&page)).expect("delete");
                self.touched.insert(page.clone());
                format!("page deleted: {page}")
            }
            5 => {
                let i = self.rng.below(self.added.len());
                let to = format!("content/about/renamed-{n}.md");
                std::fs::rename(site.path(&self.added[i]), site.path(&to)).expect("rename");
                self.touched.insert(self.added[i].clone());
                self.touched.insert(to.clone());
                let from = std::mem::replace(&mut self.added[i], to.clone());
                format!("page renamed: {from} → {to}")
            }
            _ => unreachable!("edit {kind} is not a page edit"),
        }
    }

    /// Edits 6..KINDS: contacts, facilities, a broken edit, a template, a
    /// vocabulary, a stylesheet; `true` when the edit breaks the site.
    fn data_edit(&mut self, kind: usize) -> (String, bool) {
        let (n, site) = (self.n, self.site);
        match kind {
            6 => {
                self.replace(CHIGASAKI, "detail: ", &format!("detail: 改{n} "));
                (format!("contacts text: {CHIGASAKI}"), false)
            }
            7 => {
                let text = site.read(CHIGASAKI);
                self.write(
                    CHIGASAKI,
                    &format!("{text}  - name: 追加の窓口 {n}\n    field: sodan\n    detail: 相談 {n}\n    tel: 0467-00-{:04}\n    tel_kind: direct\n", 1000 + n),
                );
                (format!("contacts window added: {CHIGASAKI}"), false)
            }
            8 => {
                self.replace(FACILITIES, "name: ", &format!("name: 改{n} "));
                (format!("facility name: {FACILITIES}"), false)
            }
            9 => {
                self.replace(CHIGASAKI, "field: shogai-fukushi", "field: no-such-field");
                (format!("broken: unknown field in {CHIGASAKI}"), true)
            }
            10 => {
                // In turn: every page, the municipality pages, every facility
                // list entry (rendered once and kept across builds).
                self.templates += 1;
                let (file, at) = [
                    (PAGE_TEMPLATE, "{% block content %}"),
                    (MUNICIPALITY_TEMPLATE, "{% block content %}"),
                    (FACILITY_ITEM_TEMPLATE, "<li class=\"facility-item\">"),
                ][self.templates % 3];
                self.replace(file, at, &format!("{at}<!-- 編集 {n} -->"));
                (format!("template: {file}"), false)
            }
            11 => {
                self.replace(FIELDS, "description: ", &format!("description: 改{n} "));
                (format!("vocabulary: {FIELDS}"), false)
            }
            _ => {
                let css = site.read(CSS);
                self.write(CSS, &format!("{css}\n.edit-{n} {{ color: #123456; }}\n"));
                (format!("stylesheet: {CSS}"), false)
            }
        }
    }

    /// Undoes a breaking edit.
    fn fix(&mut self) {
        self.replace(CHIGASAKI, "field: no-such-field", "field: shogai-fukushi");
    }

    /// The files touched since the last good build; forgotten once a build
    /// with them succeeds (as the preview's pending list).
    fn pending(&self) -> Vec<String> {
        self.touched.iter().cloned().collect()
    }
}

fn seeds() -> Vec<u64> {
    match std::env::var("OHISAMA_EDIT_SEED") {
        Ok(s) => vec![s.parse().expect("OHISAMA_EDIT_SEED is a number")],
        Err(_) => vec![20_261_129, 7],
    }
}

fn steps() -> usize {
    std::env::var("OHISAMA_EDIT_STEPS").map_or(10, |s| s.parse().expect("a number"))
}

/// Edits drawn from `seed` (`steps` of them), or each kind in turn when
/// `seed` is None; after each, the output equals a fresh build, and a page
/// rendered first ([`Session::early_page`], asked before every rebuild as
/// the preview asks) has the bytes the rebuild gives it. Returns how many
/// pages were rendered first.
fn run_sequence(seed: Option<u64>, steps: usize) -> usize {
    let site = TestSite::sample();
    let opts = preview_options(&test_options(site.root()), "http://127.0.0.1:1111/");
    let mut session = Session::new(opts.clone());
    session.rebuild().expect("the sample builds");
    let mut editor = Editor {
        site: &site,
        rng: Rng(seed.unwrap_or(1) | 1),
        n: 0,
        added: Vec::new(),
        templates: 0,
        touched: Default::default(),
    };
    let mut early_pages = 0;
    let mut log = match seed {
        Some(seed) => format!("seed {seed} (OHISAMA_EDIT_SEED={seed} to repeat); edits:\n"),
        None => "every kind of edit in turn:\n".to_string(),
    };
    for step in 1..=steps {
        let (what, broken) = match seed {
            Some(_) => editor.edit(),
            None => editor.apply(EVERY_KIND[step - 1]),
        };
        log.push_str(&format!("  {step}. {what}\n"));
        if broken {
            let before = session.files().expect("a good build");
            let errors = session
                .rebuild_changed(&editor.pending())
                .err()
                .unwrap_or_else(|| panic!("{log}the broken edit must fail"));
            let expected = ohisama::build::check(&opts).expect_err("check fails too");
            assert_eq!(errors.render_text(), expected.render_text(), "{log}");
            let after = session.files().expect("still a good build");
            assert!(std::sync::Arc::ptr_eq(&before, &after), "{log}output kept");
            editor.fix();
            log.push_str("     fixed\n");
        }
        let early = session.early_page(&editor.pending());
        let built = session
            .rebuild_changed(&editor.pending())
            .unwrap_or_else(|d| panic!("{log}{}", d.render_text()));
        editor.touched.clear();
        if let Some(early) = early {
            early_pages += 1;
            log.push_str("     (the edited page rendered first)\n");
            assert_eq!(
                early.files.get(&early.path),
                built.files.get(&early.path),
                "{log}the page rendered first is as the rebuild made it: {}",
                early.path
            );
        }
        log.push_str(if built.static_only {
            "     (static files only)\n"
        } else {
            ""
        });
        assert_same(&as_map(&built.files), &fresh_build(&opts), &log);
    }
    eprintln!("{log}");
    early_pages
}

fn test_options(root: &Path) -> ServeOptions {
    let mut o = options(root);
    o.search = false;
    o
}

#[test]
fn random_edit_sequences_equal_a_fresh_build() {
    // Full builds on the 2 cores: not beside the timed preview tests.
    let _serial = serial();
    for seed in seeds() {
        run_sequence(Some(seed), steps());
    }
}

/// Each kind of edit at least once (adds before the delete and the rename),
/// whatever the seeds draw.
#[test]
fn every_kind_of_edit_equals_a_fresh_build() {
    let _serial = serial();
    let early = run_sequence(None, EVERY_KIND.len());
    // The page body edit (kind 0) took the early render; the other page
    // edits did not (a title, a new page, a page saved with a stylesheet).
    assert_eq!(early, 1, "pages rendered first");
}

/// A page whose markdown text alone moved is rendered first, with the bytes
/// the rebuild then gives it; any other edit is left to the rebuild; a
/// rebuild that fails after it serves the last good output again, and
/// nothing is rendered first until a build is good again.
#[test]
fn an_edited_page_is_rendered_first_with_the_bytes_of_the_build() {
    let _serial = serial();
    let site = TestSite::sample();
    let opts = preview_options(&test_options(site.root()), "http://127.0.0.1:1111/");
    let mut session = Session::new(opts);
    session.rebuild().expect("builds");
    // A Japanese page with translations (their language links stay).
    let cpr = "content/emergency/cpr.md";
    let one = |rel: &str| vec![rel.to_string()];
    let text = site.read(cpr);
    site.write(cpr, &format!("{text}\n先に表示される段落です。\n"));
    let early = session
        .early_page(&one(cpr))
        .expect("a text edit is rendered first");
    assert_eq!(early.path, "emergency/cpr/index.html");
    assert!(early.changed);
    let bytes = String::from_utf8_lossy(&early.files[&early.path]).into_owned();
    assert!(bytes.contains("先に表示される段落です。"), "{bytes}");
    assert!(bytes.contains("hreflang=\"en\""), "its language links");
    let built = session.rebuild_changed(&one(cpr)).expect("builds");
    assert_eq!(early.files[&early.path], built.files[&early.path]);
    assert!(
        !built.changed.contains(&early.path),
        "the rebuild finds the page as rendered first: {:?}",
        built.changed
    );

    // Left to the rebuild: front matter, the home page, a translation, two files.
    site.edit(cpr, "title: ", "title: 改 ");
    assert!(session.early_page(&one(cpr)).is_none(), "front matter");
    session.rebuild_changed(&one(cpr)).expect("builds");
    for rel in ["content/index.md", "content/emergency/cpr.en.md"] {
        let text = site.read(rel);
        site.write(rel, &format!("{text}\n追記。\n"));
        assert!(session.early_page(&one(rel)).is_none(), "{rel}");
        session.rebuild_changed(&one(rel)).expect("builds");
    }
    let text = site.read(cpr);
    site.write(cpr, &format!("{text}\n二つ目の追記。\n"));
    let css = site.read(CSS);
    site.write(CSS, &format!("{css}\n.early {{ color: red; }}\n"));
    let both = vec![cpr.to_string(), CSS.to_string()];
    assert!(
        session.early_page(&both).is_none(),
        "a page and a stylesheet"
    );
    session.rebuild_changed(&both).expect("builds");

    // A broken link: rendered first (the link check is the rebuild's), the
    // rebuild fails, the last good output is what the session has again.
    let before = session.files().expect("a good build");
    let text = site.read(cpr);
    site.write(cpr, &format!("{text}\n[壊れたリンク](/no-such-page/)\n"));
    assert!(session.early_page(&one(cpr)).is_some());
    let Err(errors) = session.rebuild_changed(&one(cpr)) else {
        panic!("a broken link must fail the rebuild");
    };
    assert!(
        errors.render_text().contains("/no-such-page/"),
        "{}",
        errors.render_text()
    );
    let after = session.files().expect("a good build");
    assert!(
        std::sync::Arc::ptr_eq(&before, &after),
        "the last good output"
    );
    site.write(cpr, &format!("{text}\n直した段落。\n"));
    assert!(
        session.early_page(&one(cpr)).is_none(),
        "after a failed build"
    );
    let fixed = session.rebuild_changed(&one(cpr)).expect("builds");
    assert!(
        fixed
            .changed
            .contains(&"emergency/cpr/index.html".to_string())
    );
    assert!(session.early_page(&one(cpr)).is_some(), "good again");
}

/// An unchanged page is not rendered again, a template edit renders them all:
/// the reuse the sequences above check for correctness also happens.
#[test]
fn a_page_edit_renders_few_pages_and_a_template_edit_all() {
    let _serial = serial();
    let site = TestSite::sample();
    let opts = preview_options(&test_options(site.root()), "http://127.0.0.1:1111/");
    let mut session = Session::new(opts);
    let first = session.rebuild().expect("builds");
    assert_eq!(first.rendered, first.pages);
    site.edit(PAGES[2], "title: ", "title: 改 ");
    let page = session.rebuild().expect("builds");
    assert!(
        page.rendered >= 1 && page.rendered < 10,
        "{} rendered",
        page.rendered
    );
    assert!(
        page.changed
            .contains(&"emergency/cpr/index.html".to_string()),
        "{:?}",
        page.changed
    );
    assert!(!page.static_only, "a page edit loads and checks");
    let css = site.read(CSS);
    site.write(CSS, &format!("{css}\n.x {{ color: red; }}\n"));
    let restyled = session.rebuild_changed(&[CSS.into()]).expect("builds");
    assert_eq!(restyled.changed, ["assets/css/site.css"]);
    assert_eq!(restyled.rendered, 0);
    assert!(restyled.static_only, "a stylesheet save takes the shortcut");
    site.edit(
        PAGE_TEMPLATE,
        "{% block content %}",
        "{% block content %}<!-- x -->",
    );
    let template = session.rebuild().expect("builds");
    assert_eq!(template.rendered, template.pages);
}

/// Through the server, with the search export built after the reload event:
/// once settled, what it serves (memory and folder) equals a fresh build with
/// search, and a page served says its build's id.
#[test]
fn the_served_site_with_search_equals_a_fresh_build_once_settled() {
    let _serial = serial();
    let site = TestSite::sample();
    let mut o = options(site.root());
    o.search = true;
    let server = ohisama::serve::Server::start(o.clone()).expect("start");
    assert!(
        server.settle(Duration::from_secs(120)),
        "first search export"
    );
    let mut page = SseClient::connect(server.port());
    let written = Instant::now();
    site.edit(PAGES[0], "title: ", "title: 改 ");
    page.wait_for("reload", written + Duration::from_secs(30))
        .expect("reload");
    assert!(server.settle(Duration::from_secs(120)), "search export");
    let mut served = as_map(&server.files().expect("good"));
    let dir = server.site_dir().expect("folder");
    served.extend(read_tree(&dir));
    let mut opts = preview_options(&o, server.url());
    opts.root = site.root().canonicalize().expect("root");
    assert_same(&served, &fresh_build(&opts), "served with search");
    assert!(
        served.keys().any(|k| k.starts_with("search/")),
        "search exported"
    );

    let home = get(server.port(), "/").text();
    let id = server.last_build().expect("built").number;
    assert!(
        home.contains(&format!("-{id}\" data-file=\"index.html\" defer></script>")),
        "the page says its build: {home}"
    );
}

/// The stylesheet shortcut takes only plain files the last build served: a
/// stylesheet turned into a link to a file outside the site, a new static
/// file, a name with `..` and the favicon (it makes `favicon.ico` too) all
/// take the full build, whose output equals a fresh build's; the outside
/// file's bytes are never served.
#[test]
fn the_stylesheet_shortcut_refuses_links_new_files_and_odd_names() {
    let _serial = serial();
    let site = TestSite::sample();
    let opts = preview_options(&test_options(site.root()), "http://127.0.0.1:1111/");
    let mut session = Session::new(opts.clone());
    session.rebuild().expect("builds");
    let outside = tempfile::tempdir().expect("tempdir");
    let secret = outside.path().join("secret.css");
    std::fs::write(&secret, ".secret-outside-the-site { color: red; }\n").expect("write");
    let css = site.path(CSS);
    std::fs::remove_file(&css).expect("remove");
    std::os::unix::fs::symlink(&secret, &css).expect("symlink");
    // A link out of the site is an error of the full check, or else left out.
    match session.rebuild_changed(&[CSS.into()]) {
        Ok(linked) => {
            assert!(!linked.static_only, "a link is no plain file");
            assert_same(&as_map(&linked.files), &fresh_build(&opts), "linked");
        }
        Err(errors) => {
            let expected = ohisama::build::check(&opts).expect_err("check fails too");
            assert_eq!(errors.render_text(), expected.render_text());
        }
    }
    let served = session.files().expect("a good build");
    assert!(
        !served
            .values()
            .any(|b| String::from_utf8_lossy(b).contains("secret-outside-the-site")),
        "the linked file is not served"
    );

    std::fs::remove_file(&css).expect("remove link");
    std::fs::write(&css, ".back { color: blue; }\n").expect("write");
    session.rebuild_changed(&[CSS.into()]).expect("builds");
    let odd = [
        "themes/default/static/added.css".to_string(),
        "themes/default/static/css/../css/site.css".to_string(),
        "themes/default/static/icons/favicon-32.png".to_string(),
        "themes/default/static".to_string(),
        String::new(),
    ];
    site.write(
        "themes/default/static/added.css",
        ".added { color: green; }\n",
    );
    for rel in odd {
        let built = session
            .rebuild_changed(std::slice::from_ref(&rel))
            .unwrap_or_else(|d| panic!("{rel}: {}", d.render_text()));
        assert!(!built.static_only, "{rel:?} takes the full build");
        assert_same(&as_map(&built.files), &fresh_build(&opts), &rel);
    }
}

/// A content page is kept by the fingerprint of what its context is made
/// of, not by its context: a title edit must still reach every page that
/// shows the title (the section index lists it, the section's pages lead
/// back to the index by its title), and a body moved from one page to
/// another must not bring the other page's markdown along.
#[test]
fn a_page_edit_reaches_the_pages_that_show_it() {
    let _serial = serial();
    let site = TestSite::sample();
    let opts = preview_options(&test_options(site.root()), "http://127.0.0.1:1111/");
    let mut session = Session::new(opts.clone());
    session.rebuild().expect("builds");

    // A section page's title: its section index lists it.
    site.edit("content/emergency/cpr.md", "title: ", "title: 改題 ");
    let built = session.rebuild().expect("builds");
    // The offline page lists the emergency pages too.
    for path in [
        "emergency/cpr/index.html",
        "emergency/index.html",
        "offline/index.html",
    ] {
        assert!(
            built.changed.contains(&path.to_string()),
            "{path}: {:?}",
            built.changed
        );
    }
    assert_same(
        &as_map(&built.files),
        &fresh_build(&opts),
        "section page title",
    );

    // The section index's title: each page of the section shows it in its crumbs.
    site.edit("content/emergency/index.md", "title: ", "title: 改題 ");
    let built = session.rebuild().expect("builds");
    for path in ["emergency/cpr/index.html", "emergency/call-119/index.html"] {
        assert!(
            built.changed.contains(&path.to_string()),
            "{path}: {:?}",
            built.changed
        );
    }
    assert_same(&as_map(&built.files), &fresh_build(&opts), "index title");

    // Two pages swap their bodies, and a third takes the same body as one
    // of them: each page shows its own new text.
    let (a, b, c) = (
        "content/about/sample-data.md",
        "content/about/report.md",
        "content/messages/ward-nurse.md",
    );
    let split = |rel: &str| {
        let text = site.read(rel);
        let end = text[4..].find("\n---\n").expect("front matter") + 4 + 5;
        (text[..end].to_string(), text[end..].to_string())
    };
    let ((fa, ba), (fb, bb), (fc, _)) = (split(a), split(b), split(c));
    site.write(a, &format!("{fa}{bb}"));
    site.write(b, &format!("{fb}{ba}"));
    site.write(c, &format!("{fc}{ba}"));
    let built = session.rebuild().expect("builds");
    assert_same(&as_map(&built.files), &fresh_build(&opts), "bodies swapped");

    // The feeds are kept while what they are made of stays (a body edit of a
    // page that is no news) and made again when a news title, a facility's
    // name or a date moves.
    let feeds = ["news/atom.xml", "sitemap.xml", "facilities/facilities.json"];
    site.edit(a, "\n---\n", "\n---\n追記。\n");
    let kept = session.rebuild().expect("builds");
    for f in feeds {
        assert!(
            !kept.changed.contains(&f.to_string()),
            "{f}: {:?}",
            kept.changed
        );
        assert!(
            std::sync::Arc::ptr_eq(&built.files[f], &kept.files[f]),
            "{f} made again"
        );
    }
    let edits: [(&str, &str, &str, &str); 3] = [
        (
            "content/news/2025-03-10-training.md",
            "title: ",
            "title: 改題 ",
            "news/atom.xml",
        ),
        (
            "data/facilities/aikawa.yaml",
            "name: リーフ",
            "name: 改名リーフ",
            "facilities/facilities.json",
        ),
        (
            "data/facilities/aikawa.yaml",
            "updated: 2025-03-07",
            "updated: 2025-03-09",
            "sitemap.xml",
        ),
    ];
    for (file, from, to, feed) in edits {
        site.edit(file, from, to);
        let built = session.rebuild().expect("builds");
        assert!(
            built.changed.contains(&feed.to_string()),
            "{file} → {feed}: {:?}",
            built.changed
        );
        assert_same(&as_map(&built.files), &fresh_build(&opts), feed);
    }
}
