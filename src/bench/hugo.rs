//! The Hugo twin of the corpus: the same pages, one page per municipality
//! (its windows as a table) and per facility, with a minimal layout, so that
//! Hugo (and Pagefind over Hugo's output) handle the same amount of text.

use super::Corpus;
use super::directory::{FacilityDoc, WindowDoc};
use super::out::{Out, prepare, yq};
use super::places::Muni;
use super::source::Vocab;
use super::text::{PageDoc, front_matter};
use std::fmt::Write as _;
use std::path::Path;

const HUGO_CONFIG: &str = r#"baseURL = "https://ohisama.example.jp/"
languageCode = "ja"
defaultContentLanguage = "ja"
title = "おひさま 小児在宅療養ナビ"
hasCJKLanguage = true
disableKinds = ["taxonomy", "term", "RSS"]
enableRobotsTXT = true

[markup.goldmark.renderer]
unsafe = false
"#;

const HUGO_BASEOF: &str = r##"<!DOCTYPE html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ if .IsHome }}{{ site.Title }}{{ else }}{{ .Title }} | {{ site.Title }}{{ end }}</title>
{{ with .Description }}<meta name="description" content="{{ . }}">{{ end }}
<link rel="canonical" href="{{ .Permalink }}">
<link rel="stylesheet" href="{{ "css/site.css" | relURL }}">
</head>
<body class="section-{{ .Section }}">
<a class="skip-link" href="#main">本文へ移動</a>
<div class="sample-banner" role="note"><strong>サンプルデータ:</strong> このサイトの窓口・施設・電話番号はすべて架空の見本です。実際の相談には使えません。</div>
<header class="site-header">
  <div class="wrap header-inner">
    <a class="site-title" href="{{ "/" | relURL }}">{{ site.Title }}</a>
    <a class="emergency-link" href="{{ "emergency/" | relURL }}">緊急時は<span>こちら</span></a>
    <form class="header-search" role="search" action="{{ "search/" | relURL }}" method="get">
      <label for="header-q" class="visually-hidden">サイト内検索</label>
      <input id="header-q" name="q" type="search" placeholder="例: 訪問看護、ちがさき" autocomplete="off">
      <button type="submit">検索</button>
    </form>
  </div>
  <nav class="site-nav" aria-label="メインメニュー">
    <ul class="wrap">
      {{ range site.Sections }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}
    </ul>
  </nav>
</header>
<main id="main" class="wrap" tabindex="-1" data-pagefind-body>
{{ if not .IsHome }}<nav class="breadcrumbs" aria-label="現在位置"><ol><li><a href="{{ "/" | relURL }}">ホーム</a></li>{{ with .Parent }}{{ if not .IsHome }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}{{ end }}<li aria-current="page">{{ .Title }}</li></ol></nav>{{ end }}
{{ block "main" . }}{{ end }}
</main>
<footer class="site-footer">
  <div class="wrap">
    <p class="footer-title">{{ site.Title }}</p>
    <p class="print-url">このページの URL: {{ .Permalink }}</p>
    <ul class="footer-links">
      <li><a href="{{ "about/" | relURL }}">このサイトについて</a></li>
      <li><a href="{{ "search/" | relURL }}">サイト内検索</a></li>
    </ul>
  </div>
</footer>
</body>
</html>
"##;

const HUGO_SINGLE: &str = r#"{{ define "main" }}
<article class="page">
<h1>{{ .Title }}</h1>
{{ with .Params.updated }}<p class="updated">最終確認日: {{ . }}</p>{{ end }}
{{ .Content }}
</article>
{{ end }}
"#;

const HUGO_LIST: &str = r#"{{ define "main" }}
<h1>{{ .Title }}</h1>
{{ .Content }}
<ul class="children">
{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ with .Description }}<p>{{ . }}</p>{{ end }}</li>
{{ end }}
</ul>
{{ end }}
"#;

/// Writes the Hugo site to `dir`.
pub(super) fn write(dir: &Path, c: &Corpus) -> anyhow::Result<()> {
    prepare(
        dir,
        &["content", "layouts", "static", "public", "resources"],
    )?;
    let mut o = Out::new(dir);
    write_config_and_layouts(&mut o)?;
    write_pages(&mut o, &c.pages)?;
    write_contacts(&mut o, &c.munis, &c.windows)?;
    write_facilities(&mut o, &c.facilities, &c.munis, &c.vocab)
}

fn write_config_and_layouts(o: &mut Out) -> anyhow::Result<()> {
    o.write("config.toml", HUGO_CONFIG)?;
    o.write("layouts/_default/baseof.html", HUGO_BASEOF)?;
    o.write("layouts/_default/single.html", HUGO_SINGLE)?;
    o.write("layouts/_default/list.html", HUGO_LIST)?;
    o.write("static/css/site.css", "body{font-family:sans-serif}\n")
}

fn write_pages(o: &mut Out, pages: &[PageDoc]) -> anyhow::Result<()> {
    for p in pages {
        // Hugo's section and home pages are `_index.md`.
        let rel = if p.rel == "index" {
            "_index".to_string()
        } else if let Some(section) = p.rel.strip_suffix("/index") {
            format!("{section}/_index")
        } else {
            p.rel.clone()
        };
        o.write(
            &format!("content/{rel}.md"),
            &format!("{}{}", front_matter(p), p.body),
        )?;
    }
    Ok(())
}

/// `content/contacts/`: the section index and one page per municipality.
fn write_contacts(o: &mut Out, munis: &[Muni], windows: &[Vec<WindowDoc>]) -> anyhow::Result<()> {
    o.write(
        "content/contacts/_index.md",
        "---\ntitle: \"各市町村の相談窓口を探す\"\n---\n",
    )?;
    for (m, ws) in munis.iter().zip(windows) {
        o.write(
            &format!("content/contacts/{}.md", m.slug),
            &format!(
                "---\ntitle: {}\n---\n{}",
                yq(&format!("{}の相談窓口", m.name)),
                contacts_body(m, ws)
            ),
        )?;
    }
    Ok(())
}

/// A municipality's windows as a markdown table.
fn contacts_body(m: &Muni, ws: &[WindowDoc]) -> String {
    let mut b = String::new();
    let _ = writeln!(
        b,
        "{}({})の医療的ケア児に関する相談窓口です。\n",
        m.name, m.kana
    );
    b.push_str("| 名称 | 分野 | 内容(備考) | 連絡先 | URL |\n|---|---|---|---|---|\n");
    for w in ws {
        let _ = writeln!(
            b,
            "| {}{} | {} | {} | {} | <{}> |",
            if w.general { "【各種相談】" } else { "" },
            w.name,
            w.field_name,
            w.detail,
            contact_cell(w),
            w.url
        );
    }
    b
}

/// The 連絡先 cell: the number as a `tel:` link with (直通)/(代表), the note, or `-`.
fn contact_cell(w: &WindowDoc) -> String {
    let kind = |k: &str| if k == "main" { "代表" } else { "直通" };
    match (&w.tel, &w.note) {
        (Some((t, k)), Some(n)) => format!("[{t}](tel:{t})({}) {n}", kind(k)),
        (Some((t, k)), None) => format!("[{t}](tel:{t})({})", kind(k)),
        (None, Some(n)) => n.clone(),
        (None, None) => "-".into(),
    }
}

/// `content/facilities/`: the section index and one page per facility.
fn write_facilities(
    o: &mut Out,
    facilities: &[FacilityDoc],
    munis: &[Muni],
    v: &Vocab,
) -> anyhow::Result<()> {
    o.write(
        "content/facilities/_index.md",
        "---\ntitle: \"施設検索\"\n---\n",
    )?;
    for f in facilities {
        o.write(
            &format!("content/facilities/{}.md", f.id),
            &format!(
                "---\ntitle: {}\ndescription: {}\n---\n{}",
                yq(&f.name),
                yq(&f.kana),
                facility_body(f, &munis[f.muni], v)
            ),
        )?;
    }
    Ok(())
}

/// A facility's details as a markdown list.
fn facility_body(f: &FacilityDoc, m: &Muni, v: &Vocab) -> String {
    let care: Vec<&str> = f.care.iter().map(|&c| v.care[c].1.as_str()).collect();
    let mut b = String::new();
    let _ = writeln!(b, "- 種別: {}", f.type_name);
    let _ = writeln!(b, "- 市町村: [{}](/contacts/{}/)", m.name, m.slug);
    let _ = writeln!(b, "- 住所: {}", f.address);
    let _ = writeln!(b, "- 電話: [{0}](tel:{0})", f.tel);
    if let Some(u) = &f.url {
        let _ = writeln!(b, "- URL: <{u}>");
    }
    let _ = writeln!(b, "- 対応できる医療的ケア: {}", care.join("、"));
    let _ = writeln!(b, "- 対象年齢: {}", f.age_range);
    if let Some(n) = &f.note {
        let _ = writeln!(b, "\n{n}");
    }
    let _ = writeln!(b, "\n最終確認日: {}", f.updated);
    b
}
