//! The sample site builds; every internal link resolves; a failed build leaves
//! the old output untouched; two builds are byte-identical; the CLI reports
//! errors with exit code 1 and as JSON.

use crate::sitekit;
use sitekit::TestSite;
use sitekit::ohisama;
use std::collections::BTreeMap;
use std::path::Path;

fn build(site: &TestSite, out: &Path, base_url: Option<&str>) -> ohisama::build::BuildReport {
    let mut o = site.options();
    o.out = out.to_path_buf();
    o.base_url = base_url.map(str::to_string);
    ohisama::build::build(&o)
        .unwrap_or_else(|e| panic!("build failed:\n{}", e.diagnostics().render_text()))
}

/// Every file of a folder with its bytes, by relative path.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect()
}

/// `href="…"` and `src="…"` values of an HTML text.
fn links(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["href=\"", "src=\""] {
        let mut rest = html;
        while let Some(i) = rest.find(attr) {
            rest = &rest[i + attr.len()..];
            if let Some(end) = rest.find('"') {
                out.push(rest[..end].replace("&amp;", "&"));
                rest = &rest[end..];
            }
        }
    }
    out
}

/// Checks that each internal link of every HTML page names an existing file
/// (and, with a fragment, an existing id on that page).
fn assert_internal_links_resolve(dist: &Path, base_path: &str) {
    let files = snapshot(dist);
    let mut checked = 0;
    let mut broken = Vec::new();
    for (rel, bytes) in files.iter().filter(|(p, _)| p.ends_with(".html")) {
        let html = String::from_utf8_lossy(bytes);
        let page_dir = rel.rsplit_once('/').map_or("", |(d, _)| d);
        for link in links(&html) {
            if link.starts_with("http") || link.starts_with("tel:") || link.starts_with("mailto:") {
                continue;
            }
            let (path, frag) = link
                .split_once('#')
                .map_or((link.as_str(), None), |(p, f)| (p, Some(f)));
            let path = path.split('?').next().unwrap();
            let target = if path.is_empty() {
                rel.clone()
            } else if let Some(abs) = path.strip_prefix(base_path) {
                if abs.is_empty() || abs.ends_with('/') {
                    format!("{abs}index.html")
                } else {
                    abs.to_string()
                }
            } else if path.starts_with('/') {
                broken.push(format!("{rel}: {link} (outside base path {base_path})"));
                continue;
            } else {
                format!("{page_dir}/{path}")
            };
            checked += 1;
            match files.get(&target) {
                None => broken.push(format!("{rel}: {link} → {target} missing")),
                Some(body) => {
                    if let Some(f) = frag.filter(|f| !f.is_empty()) {
                        let text = String::from_utf8_lossy(body);
                        if !text.contains(&format!("id=\"{f}\"")) {
                            broken.push(format!("{rel}: {link} → no id {f}"));
                        }
                    }
                }
            }
        }
    }
    assert!(
        broken.is_empty(),
        "{} broken links:\n{}",
        broken.len(),
        broken.join("\n")
    );
    assert!(checked > 500, "only {checked} internal links checked");
}

#[test]
fn sample_site_builds_and_every_internal_link_resolves() {
    let site = TestSite::sample();
    let out = site.path("dist");
    let report = build(&site, &out, None);
    assert!(report.pages > 100, "{} pages", report.pages);
    for m in ["yokohama", "chigasaki", "kiyokawa"] {
        assert!(out.join(format!("contacts/{m}/index.html")).exists());
    }
    for r in [
        "seirei",
        "yokosuka-miura",
        "shonan-east",
        "shonan-west",
        "kenoh",
        "kensei",
    ] {
        assert!(out.join(format!("regions/{r}/index.html")).exists());
    }
    for f in [
        "index.html",
        "404.html",
        "sitemap.xml",
        "robots.txt",
        "news/atom.xml",
        "search/index.html",
    ] {
        assert!(out.join(f).exists(), "{f}");
    }
    assert_internal_links_resolve(&out, "/");
}

#[test]
fn links_work_from_a_sub_path() {
    let site = TestSite::sample();
    let out = site.path("dist-sub");
    build(&site, &out, Some("https://example.org/ohisama/"));
    assert_internal_links_resolve(&out, "/ohisama/");
    let home = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(home.contains("href=\"/ohisama/assets/css/site.css\""));
}

fn full_build(site: &TestSite, out: &Path) -> ohisama::build::BuildReport {
    let mut o = site.options();
    o.out = out.to_path_buf();
    o.pdf = true;
    o.search = true;
    ohisama::build::build(&o)
        .unwrap_or_else(|e| panic!("build failed:\n{}", e.diagnostics().render_text()))
}

#[test]
fn two_full_builds_are_byte_identical() {
    let site = TestSite::sample();
    full_build(&site, &site.path("a"));
    full_build(&site, &site.path("b"));
    let (a, b) = (snapshot(&site.path("a")), snapshot(&site.path("b")));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (k, v) in &a {
        assert!(v == &b[k], "{k} differs between builds");
    }
}

#[test]
fn failed_build_leaves_output_untouched() {
    let site = TestSite::mini();
    let out = site.path("dist");
    build(&site, &out, None);
    let before = snapshot(&out);
    site.edit("data/contacts/yokohama.yaml", "field: sodan", "field: nope");
    let err = ohisama::build::build(&{
        let mut o = site.options();
        o.out = out.clone();
        o
    })
    .expect_err("a broken field id must fail the build");
    assert!(err.diagnostics().has_errors());
    assert_eq!(snapshot(&out), before, "dist/ changed after a failed build");
    let stray: Vec<_> = std::fs::read_dir(site.root())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("staging") || n.contains(".old-"))
        .collect();
    assert!(stray.is_empty(), "leftover folders: {stray:?}");
}

#[test]
fn pages_show_windows_with_field_names_and_tel_links() {
    let site = TestSite::mini();
    let out = site.path("dist");
    build(&site, &out, None);
    let page = std::fs::read_to_string(out.join("contacts/yokohama/index.html")).unwrap();
    assert!(page.contains("<span class=\"field-badge\">相談</span>"));
    assert!(page.contains("各種相談"));
    assert!(page.contains("href=\"tel:+81450000001\""));
    assert!(page.contains("aria-label=\"横浜市 横浜市こども相談センターに電話する 045-000-0001\""));
    assert!(page.contains("(直通)") && page.contains("(代表)"));
    assert!(page.contains("令和7年(2025年)4月1日"));
    assert!(page.contains("サンプルデータ"));
    let region = std::fs::read_to_string(out.join("regions/seirei/index.html")).unwrap();
    let (y, k) = (
        region.find("横浜市こども相談センター").unwrap(),
        region.find("川崎市障害福祉課").unwrap(),
    );
    assert!(y < k, "municipalities in region order");
    assert!(
        !region.contains("茅ヶ崎市障がい福祉課"),
        "other region's window leaked in"
    );
}

#[test]
fn text_from_data_is_escaped() {
    let site = TestSite::mini();
    site.edit(
        "data/contacts/yokohama.yaml",
        "name: 障害福祉課",
        "name: \"<script>alert(1)</script>課\"",
    );
    let out = site.path("dist");
    build(&site, &out, None);
    let page = std::fs::read_to_string(out.join("contacts/yokohama/index.html")).unwrap();
    assert!(!page.contains("<script>alert(1)"));
    assert!(page.contains("&lt;script&gt;"));
}

#[test]
fn cli_check_exit_codes_and_json() {
    let site = TestSite::mini();
    let ok = ohisama()
        .args(["check", "--root"])
        .arg(site.root())
        .output()
        .unwrap();
    sitekit::assert_success(&ok);

    site.edit(
        "data/contacts/yokohama.yaml",
        "field: sodan",
        "field: sodann",
    );
    let bad = ohisama()
        .args(["check", "--format", "json", "--root"])
        .arg(site.root())
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&bad.stdout).expect("valid JSON");
    let first = &json.as_array().unwrap()[0];
    assert_eq!(first["file"], "data/contacts/yokohama.yaml");
    assert_eq!(first["line"], 5);
    assert_eq!(first["severity"], "error");

    let gh = ohisama()
        .args(["check", "--format", "github", "--root"])
        .arg(site.root())
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&gh.stdout)
            .contains("::error file=data/contacts/yokohama.yaml,line=5,col=12::")
    );

    let text = ohisama()
        .args(["check", "--root"])
        .arg(site.root())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&text.stderr);
    assert!(err.contains("data/contacts/yokohama.yaml:5:12"), "{err}");
}

#[test]
fn cli_build_refuses_broken_input_and_keeps_dist() {
    let site = TestSite::mini();
    let out = site.path("dist");
    let first = ohisama()
        .args(["build", "--no-pdf", "--root"])
        .arg(site.root())
        .output()
        .unwrap();
    sitekit::assert_success(&first);
    let before = snapshot(&out);
    site.write("data/fields.yaml", "- id: [broken\n");
    let second = ohisama()
        .args(["build", "--no-pdf", "--root"])
        .arg(site.root())
        .output()
        .unwrap();
    assert_eq!(second.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&second.stderr).contains("data/fields.yaml:"));
    assert_eq!(snapshot(&out), before);
}

#[test]
fn full_build_links_pdfs_with_sizes_and_exports_search() {
    let site = TestSite::sample();
    let out = site.path("dist");
    let report = full_build(&site, &out);
    assert_eq!(
        report.pdfs,
        7 + 33,
        "the directory, 6 regions, 33 contact cards"
    );
    let contacts = std::fs::read_to_string(out.join("contacts/index.html")).unwrap();
    let all = std::fs::metadata(out.join("pdf/contacts-all.pdf"))
        .unwrap()
        .len() as usize;
    assert!(contacts.contains(&format!(
        "href=\"/pdf/contacts-all.pdf\">印刷用 PDF(全体版)</a> <span class=\"pdf-size\">(PDF {}",
        ohisama::render::size_label(all)
    )));
    for r in [
        "seirei",
        "yokosuka-miura",
        "shonan-east",
        "shonan-west",
        "kenoh",
        "kensei",
    ] {
        let page = std::fs::read_to_string(out.join(format!("regions/{r}/index.html"))).unwrap();
        assert!(
            page.contains(&format!("href=\"/pdf/contacts-{r}.pdf\"")),
            "region {r} links its PDF"
        );
        assert!(contacts.contains(&format!("href=\"/pdf/contacts-{r}.pdf\"")));
    }
    assert!(out.join("search/meta.json").exists());
    assert!(
        !site.path(".cache/search").exists(),
        "no tantivy index: `ohisama search` makes it on demand"
    );
}

#[test]
fn typst_template_error_is_a_diagnostic_with_file_and_line() {
    let site = TestSite::mini();
    let tpl = "themes/default/pdf/directory.typ";
    let text = site.read(tpl);
    let lines = text.lines().count();
    site.write(tpl, &format!("{text}\n#let broken = (\n"));
    let mut o = site.options();
    o.pdf = true;
    let err = ohisama::build::build(&o).expect_err("a broken template fails the build");
    let d = err.diagnostics();
    let diag = d
        .iter()
        .find(|x| x.file == tpl)
        .unwrap_or_else(|| panic!("{}", d.render_text()));
    assert!(
        diag.line as usize > lines,
        "points at the broken line: {}",
        d.render_text()
    );
    assert!(diag.message.contains("PDF テンプレート"));
    assert!(!site.path("dist").exists(), "nothing written");
    // --no-pdf still builds.
    o.pdf = false;
    ohisama::build::build(&o).expect("builds without PDFs");
}

/// `ohisama search <args> --root <site>`.
fn cli_search(site: &TestSite, args: &[&str]) -> std::process::Output {
    ohisama()
        .arg("search")
        .args(args)
        .arg("--root")
        .arg(site.root())
        .output()
        .unwrap()
}

/// The stamp and index files of `.cache/search` with their modification
/// times (what a reuse leaves alone and a rebuild replaces).
fn search_cache_files(site: &TestSite) -> Vec<(String, std::time::SystemTime)> {
    let mut v: Vec<_> = std::fs::read_dir(site.path(".cache/search"))
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let name = e.file_name().to_string_lossy().into_owned();
            (name, e.metadata().unwrap().modified().unwrap())
        })
        .collect();
    v.sort();
    v
}

#[test]
fn cli_search_makes_its_index_on_demand_and_reuses_it_until_the_site_changes() {
    let site = TestSite::mini();
    // No build needed: the first search indexes the site into .cache/search.
    let first = cli_search(&site, &["こども相談"]);
    sitekit::assert_success(&first);
    assert!(String::from_utf8_lossy(&first.stdout).contains("横浜市こども相談センター"));
    let stamp = site.read(".cache/search/ohisama-stamp");
    assert_eq!(stamp.len(), 64, "a sha-256: {stamp}");
    let before = search_cache_files(&site);
    // Unchanged site: the index is reused (no file rewritten).
    std::thread::sleep(std::time::Duration::from_millis(20));
    sitekit::assert_success(&cli_search(&site, &["横浜"]));
    assert_eq!(search_cache_files(&site), before, "reused");
    // A changed window name: indexed again, found under its new name.
    site.edit(
        "data/contacts/yokohama.yaml",
        "横浜市こども相談センター",
        "横浜市こども支援ひろば",
    );
    let changed = cli_search(&site, &["支援ひろば"]);
    sitekit::assert_success(&changed);
    assert!(String::from_utf8_lossy(&changed.stdout).contains("横浜市こども支援ひろば"));
    assert_ne!(site.read(".cache/search/ohisama-stamp"), stamp);
    // A broken file: the diagnostic (file:line), a failure, the cache kept.
    let kept = search_cache_files(&site);
    site.edit(
        "data/contacts/yokohama.yaml",
        "field: sodan",
        "field: nosuchfield",
    );
    let broken = cli_search(&site, &["横浜"]);
    assert!(!broken.status.success());
    let err = String::from_utf8_lossy(&broken.stderr);
    assert!(err.contains("data/contacts/yokohama.yaml:5"), "{err}");
    assert!(err.contains("検索を中止しました"), "{err}");
    assert_eq!(search_cache_files(&site), kept);
}

/// A mistyped `--root`, or a folder that is no site (the home folder), is
/// refused by every command that keeps caches under `<root>/.cache/`, and
/// nothing is made or written: not the folder, not `.cache/theme`.
#[test]
fn commands_outside_a_site_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    // A home folder has a .cache/ of its own: it must stay as it is.
    std::fs::create_dir(dir.path().join(".cache")).unwrap();
    let before = sitekit::TreeSnapshot::of(dir.path());
    let missing = dir.path().join("no-such-site");
    let commands: [&[&str]; 4] = [
        &["search", "横浜"],
        &["check"],
        &["build", "--no-pdf"],
        &["serve", "--port", "0"],
    ];
    for args in commands {
        for (root, says) in [
            (dir.path(), "サイトのフォルダではありません"),
            (missing.as_path(), "サイトのフォルダがありません"),
        ] {
            let out = ohisama()
                .args(args)
                .arg("--root")
                .arg(root)
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(1), "{args:?} {root:?}");
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(err.contains(says), "{args:?} {root:?}: {err}");
            assert!(err.contains("ヒント: --root"), "{err}");
        }
    }
    assert!(!missing.exists(), "nothing made");
    assert_eq!(
        sitekit::TreeSnapshot::of(dir.path()),
        before,
        "nothing written"
    );
}

#[test]
fn cli_search_queries_the_site() {
    let site = TestSite::mini();
    let built = ohisama()
        .args(["build", "--no-pdf", "--root"])
        .arg(site.root())
        .output()
        .unwrap();
    sitekit::assert_success(&built);
    assert!(
        !site.path(".cache/search").exists(),
        "the build makes no tantivy index"
    );
    let out = ohisama()
        .args(["search", "こども相談", "--root"])
        .arg(site.root())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(
        text.contains("横浜市こども相談センター") && text.contains("/contacts/yokohama/#w-1"),
        "{text}"
    );
    // Readings: a query in hiragana finds the kanji name.
    let kana = ohisama()
        .args(["search", "ちがさき", "--type", "page", "--root"])
        .arg(site.root())
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&kana.stdout).contains("/contacts/chigasaki/"));
    let filtered = ohisama()
        .args(["search", "福祉", "--region", "shonan-east", "--root"])
        .arg(site.root())
        .output()
        .unwrap();
    let f = String::from_utf8_lossy(&filtered.stdout);
    assert!(f.contains("茅ヶ崎市") && !f.contains("川崎市"), "{f}");
}
