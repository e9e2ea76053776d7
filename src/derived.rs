//! What the checked site feeds the other outputs: the printed directory for
//! the PDFs and the documents of the search index. Both are pure functions of
//! [`Site`], so the PDFs, the pages and the search always agree.

use crate::pdf;
use crate::search::SearchDoc;
use crate::site::Site;

pub fn pdf_directory(site: &Site) -> pdf::Directory {
    pdf::Directory {
        title: site.directory_title.clone(),
        site_title: site.title.clone(),
        site_url: site.base_url.clone(),
        edition_label: site.edition_label.clone(),
        edition_date: site.edition_iso.clone(),
        publisher: site.publisher.clone(),
        intro: site.intro.clone(),
        usage: site.usage.clone(),
        sample: site.sample,
        fields: site
            .fields
            .iter()
            .map(|f| pdf::Field {
                id: f.id.clone(),
                name: f.name.clone(),
                color: f.color.clone(),
                text_color: f.text_color.clone(),
                tint: f.tint.clone(),
                description: f.description.clone(),
            })
            .collect(),
        regions: site
            .regions
            .iter()
            .map(|r| pdf::Region {
                id: r.id.clone(),
                name: r.name.clone(),
                medical_area: r.medical_area.clone(),
                municipalities: site
                    .members(r)
                    .into_iter()
                    .map(|m| pdf::Municipality {
                        slug: m.slug.clone(),
                        name: m.name.clone(),
                        kana: m.kana.clone(),
                        updated_label: m
                            .updated_iso
                            .as_deref()
                            .and_then(crate::date::Date::parse)
                            .map(|d| d.wareki())
                            .unwrap_or_default(),
                        windows: m.windows.clone(),
                        centres: m.centres.clone(),
                    })
                    .collect(),
            })
            .collect(),
    }
}

pub(crate) fn join_some<'a>(parts: impl IntoIterator<Item = Option<&'a str>>) -> String {
    parts
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// One document per page section, per municipality, per contact window and per facility.
pub fn search_docs(site: &Site) -> Vec<SearchDoc> {
    let mut docs = Vec::new();
    crate::kinds::pages::search_docs(&site.pages, &mut docs);
    crate::kinds::contacts::search_docs(&site.municipalities, &mut docs);
    crate::kinds::centres::search_docs(&site.centres, &site.regions, &mut docs);
    crate::kinds::glossary::search_docs(&site.glossary, &mut docs);
    crate::kinds::facilities::search_docs(site, &mut docs);
    docs
}
