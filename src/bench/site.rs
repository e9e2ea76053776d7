//! The ohisama version of the corpus: `data/`, `content/`, and the source
//! site's `themes/` copied as they are.

use super::directory::{FacilityDoc, contacts_yaml, facilities_yaml};
use super::out::{Out, copy_tree, prepare};
use super::places::{municipalities_yaml, regions_yaml};
use super::text::{PageDoc, front_matter};
use super::{Corpus, EDITION, GenerateOptions};
use anyhow::Context as _;
use std::path::Path;

/// Writes the site to `opts.out`; returns the number of files.
pub(super) fn write(opts: &GenerateOptions, c: &Corpus) -> anyhow::Result<usize> {
    prepare(&opts.out, &["content", "data", "themes", "dist", ".cache"])?;
    let mut o = Out::new(&opts.out);
    write_vocabularies(&mut o, &opts.source)?;
    o.write("data/site.yaml", &site_yaml())?;
    o.write("data/regions.yaml", &regions_yaml(&c.regions, &c.munis))?;
    o.write("data/municipalities.yaml", &municipalities_yaml(&c.munis))?;
    write_directory(&mut o, c)?;
    write_pages(&mut o, &c.pages)?;
    o.files += copy_tree(&opts.source.join("themes"), &opts.out.join("themes"))?;
    Ok(o.files)
}

/// The source site's fields, care and facility types (and synonyms.yaml when
/// it has one), copied as they are.
fn write_vocabularies(o: &mut Out, source: &Path) -> anyhow::Result<()> {
    let src_data = source.join("data");
    for f in ["fields.yaml", "care.yaml", "facility_types.yaml"] {
        let text = std::fs::read_to_string(src_data.join(f))
            .with_context(|| format!("{} を読めません", src_data.join(f).display()))?;
        o.write(&format!("data/{f}"), &text)?;
    }
    // The search vocabulary too (optional), so the benchmark measures the expansions.
    let synonyms = src_data.join("synonyms.yaml");
    if synonyms.is_file() {
        let text = std::fs::read_to_string(&synonyms)
            .with_context(|| format!("{} を読めません", synonyms.display()))?;
        o.write("data/synonyms.yaml", &text)?;
    }
    Ok(())
}

/// One contacts file and one facilities file per municipality that has any.
fn write_directory(o: &mut Out, c: &Corpus) -> anyhow::Result<()> {
    for (m, ws) in c.munis.iter().zip(&c.windows) {
        if ws.is_empty() {
            continue;
        }
        o.write(
            &format!("data/contacts/{}.yaml", m.slug),
            &contacts_yaml(m, ws),
        )?;
    }
    let mut by_muni: Vec<Vec<&FacilityDoc>> = vec![Vec::new(); c.munis.len()];
    for f in &c.facilities {
        by_muni[f.muni].push(f);
    }
    for (m, fs) in c.munis.iter().zip(&by_muni) {
        if fs.is_empty() {
            continue;
        }
        o.write(
            &format!("data/facilities/{}.yaml", m.slug),
            &facilities_yaml(m, fs, &c.vocab),
        )?;
    }
    Ok(())
}

fn write_pages(o: &mut Out, pages: &[PageDoc]) -> anyhow::Result<()> {
    for p in pages {
        o.write(
            &format!("content/{}.md", p.rel),
            &format!("{}{}", front_matter(p), p.body),
        )?;
    }
    Ok(())
}

/// `data/site.yaml`.
fn site_yaml() -> String {
    let lines = [
        "# ohisama generate が作ったベンチマーク用のサイトです (データはすべて架空です)",
        "title: おひさま 小児在宅療養ナビ",
        "tagline: 医療的ケアが必要なお子さんとご家族の地域生活を支える情報サイト(生成データ)",
        "base_url: https://ohisama.example.jp/",
        "organisation: おひさま 運営事務局(架空)",
        "publisher: おひさま 運営事務局(架空)",
        "directory_title: 医療的ケア児に関する問い合わせ窓口一覧(生成データ)",
        &format!("edition: {EDITION}"),
        "sample: true",
        "intro:",
        "  - 各市町村の申請・相談窓口を分野別にまとめました。",
        "usage:",
        "  - 窓口・施設・電話番号はすべて架空です。",
        "notices:",
        &format!("  - date: {EDITION}"),
        "    text: 問い合わせ窓口一覧を掲載しました。",
        "    url: /contacts/",
        "  - date: 2025-03-01",
        "    text: 施設検索を更新しました。",
        "    url: /facilities/",
    ];
    lines.join("\n") + "\n"
}
