//! Themes: `theme:` of site.yaml picks `themes/<name>/`; the site's own
//! `templates/` override the theme's templates of the same name (Zola's
//! `templates/`, Hugo's `layouts/`), partials and `base.html` included.

use crate::sitekit::{TestSite, TreeSnapshot, expect_diag, ohisama};

fn build(site: &TestSite) -> Result<ohisama::build::BuildReport, ohisama::build::BuildError> {
    ohisama::build::build(&site.options())
}

fn built_page(site: &TestSite, rel: &str) -> String {
    site.read(&format!("dist/{rel}"))
}

/// The line of `needle` in a file (1-based), so tests don't hard-code positions.
fn line_of(site: &TestSite, rel: &str, needle: &str) -> u32 {
    site.read(rel)
        .lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{rel} has no line with {needle:?}")) as u32
        + 1
}

#[test]
fn site_template_overrides_the_themes() {
    let site = TestSite::mini();
    build(&site).expect("baseline build");
    let contacts_before = built_page(&site, "contacts/index.html");
    assert!(!built_page(&site, "emergency/index.html").contains("SITE-PAGE-TEMPLATE"));

    site.write(
        "templates/page.html",
        "{% extends \"base.html\" %}{% block content %}<p>SITE-PAGE-TEMPLATE</p>{{ page.html | safe }}{% endblock %}",
    );
    let report = build(&site).expect("build with a site template");
    assert_eq!(report.theme, "default");
    let page = built_page(&site, "emergency/index.html");
    assert!(page.contains("SITE-PAGE-TEMPLATE"), "{page}");
    assert!(
        page.contains("まずは落ち着いてください"),
        "page body kept: {page}"
    );
    assert!(page.contains("<html"), "the theme's base still wraps it");
    assert_eq!(
        built_page(&site, "contacts/index.html"),
        contacts_before,
        "pages of other templates are unchanged"
    );
}

#[test]
fn site_base_template_is_used_by_theme_pages() {
    let site = TestSite::mini();
    let base = site.read("themes/default/templates/base.html");
    assert!(base.contains("<body"), "theme base has a body");
    site.write(
        "templates/base.html",
        &base.replacen(
            "{% block content %}",
            "<p>SITE-BASE</p>{% block content %}",
            1,
        ),
    );
    build(&site).expect("build");
    for rel in ["index.html", "contacts/index.html", "emergency/index.html"] {
        assert!(
            built_page(&site, rel).contains("SITE-BASE"),
            "{rel} extends the site's base.html"
        );
    }
    assert!(
        !site
            .read("themes/default/templates/base.html")
            .contains("SITE-BASE"),
        "the theme is not touched"
    );
}

#[test]
fn site_partial_overrides_the_themes() {
    let site = TestSite::mini();
    site.write(
        "templates/partials/window.html",
        "<div class=\"site-window\">SITE-WINDOW</div>",
    );
    build(&site).expect("build");
    let page = built_page(&site, "contacts/yokohama/index.html");
    assert!(page.contains("SITE-WINDOW"), "{page}");
}

#[test]
fn theme_named_in_site_yaml_is_used() {
    let site = TestSite::mini();
    crate::sitekit::copy_dir(&site.path("themes/default"), &site.path("themes/plain"));
    let css = site.read("themes/plain/static/css/site.css");
    site.write(
        "themes/plain/static/css/site.css",
        &format!("{css}\n/* PLAIN-THEME */\n"),
    );
    site.write(
        "themes/plain/templates/home.html",
        &site.read("themes/plain/templates/home.html").replacen(
            "{% block content %}",
            "{% block content %}PLAIN-HOME",
            1,
        ),
    );
    site.edit(
        "data/site.yaml",
        "sample: true",
        "sample: true\ntheme: plain",
    );
    let report = build(&site).expect("build with theme plain");
    assert_eq!(report.theme, "plain");
    assert!(built_page(&site, "assets/css/site.css").contains("PLAIN-THEME"));
    assert!(built_page(&site, "index.html").contains("PLAIN-HOME"));
}

#[test]
fn unknown_theme_is_an_error_with_line() {
    let site = TestSite::mini();
    crate::sitekit::copy_dir(&site.path("themes/default"), &site.path("themes/plain"));
    site.edit(
        "data/site.yaml",
        "sample: true",
        "sample: true\ntheme: fancy",
    );
    let line = line_of(&site, "data/site.yaml", "theme: fancy");
    let diags = site.check();
    let d = expect_diag(
        &diags,
        "data/site.yaml",
        line,
        "テーマ `fancy` がありません",
    );
    let hint = d.hint.as_deref().unwrap_or_default();
    assert!(hint.contains("default") && hint.contains("plain"), "{hint}");

    // The CLI refuses to build and writes nothing.
    let before = TreeSnapshot::of(site.root());
    let out = ohisama()
        .args(["build", "--no-pdf", "--root"])
        .arg(site.root())
        .output()
        .expect("run ohisama");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("data/site.yaml:{line}")) && stderr.contains("fancy"),
        "{stderr}"
    );
    before.assert_same(&TreeSnapshot::of(site.root()), "site folder");
}

#[test]
fn template_error_names_the_site_file() {
    let site = TestSite::mini();
    // A rendering error (unknown variable) in the site's page.html.
    site.write(
        "templates/page.html",
        "{% extends \"base.html\" %}{% block content %}{{ no_such_thing }}{% endblock %}",
    );
    let err = build(&site).expect_err("rendering fails");
    let diags = err.diagnostics();
    assert!(
        diags.iter().any(|d| d.file == "templates/page.html"),
        "{}",
        diags.render_text()
    );
    assert!(!site.path("dist").exists(), "nothing written");

    // A syntax error in the site's template is reported at that file too.
    site.write("templates/page.html", "{% if %}broken");
    let err = build(&site).expect_err("loading fails");
    let diags = err.diagnostics();
    assert!(
        diags.iter().any(|d| d.file == "templates/page.html"),
        "{}",
        diags.render_text()
    );

    // The same error in the theme's template names the theme's file.
    std::fs::remove_dir_all(site.path("templates")).expect("rm templates");
    site.edit(
        "themes/default/templates/page.html",
        "{% block content %}",
        "{% block content %}{{ no_such_thing }}",
    );
    let err = build(&site).expect_err("rendering fails");
    let diags = err.diagnostics();
    assert!(
        diags
            .iter()
            .any(|d| d.file == "themes/default/templates/page.html"),
        "{}",
        diags.render_text()
    );
}

#[test]
fn theme_without_templates_names_where_they_belong() {
    let site = TestSite::mini();
    std::fs::create_dir_all(site.path("themes/empty")).expect("mkdir");
    site.edit(
        "data/site.yaml",
        "sample: true",
        "sample: true\ntheme: empty",
    );
    let before = TreeSnapshot::of(site.root());
    let err = build(&site).expect_err("no templates");
    let diags = err.diagnostics();
    assert!(
        diags
            .iter()
            .any(|d| d.file == "themes/empty/templates/home.html"),
        "{}",
        diags.render_text()
    );
    before.assert_same(&TreeSnapshot::of(site.root()), "site folder");
}
