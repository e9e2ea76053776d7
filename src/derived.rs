//! What the checked site feeds the other outputs: the printed directory for
//! the PDFs and the documents of the search index. Both are pure functions of
//! [`Site`], so the PDFs, the pages and the search always agree.

use crate::pdf;
use crate::search::SearchDoc;
use crate::site::{MunicipalityView, Site};

fn pdf_fields(site: &Site) -> Vec<pdf::Field> {
    site.fields
        .iter()
        .map(|f| pdf::Field {
            id: f.id.clone(),
            name: f.name.clone(),
            color: f.color.clone(),
            text_color: f.text_color.clone(),
            tint: f.tint.clone(),
            description: f.description.clone(),
        })
        .collect()
}

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
        fields: pdf_fields(site),
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
                        // The city's windows, then each ward's (their names carry the ward's).
                        windows: m
                            .windows
                            .iter()
                            .chain(m.wards.iter().flat_map(|w| &w.windows))
                            .cloned()
                            .collect(),
                        centres: m.centres.clone(),
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// The contact cards: one per municipality, in official code order.
pub fn pdf_cards(site: &Site) -> pdf::CardSet {
    let fields = pdf_fields(site);
    let cards = site
        .municipalities
        .iter()
        .map(|m| {
            let (windows, omitted) = pdf::Card::windows_of(&m.windows, &fields);
            let (centres, centres_omitted) = support_centres(m);
            pdf::Card {
                slug: m.slug.clone(),
                name: m.name.clone(),
                kana: m.kana.clone(),
                region_name: m.region_name.clone(),
                updated_label: m.updated_label.clone().unwrap_or_default(),
                page_url: crate::routes::Route::Municipality(&m.slug).absolute(&site.base_url),
                windows,
                omitted,
                centres,
                centres_omitted,
            }
        })
        .collect();
    pdf::CardSet {
        site_title: site.title.clone(),
        publisher: site.publisher.clone(),
        edition_label: site.edition_label.clone(),
        edition_date: site.edition_iso.clone(),
        sample: site.sample,
        fields,
        cards,
    }
}

/// The card's 「地域の支援センター」: the centres serving the municipality
/// (centres.yaml, the most local first), at most [`pdf::MAX_CARD_CENTRES`];
/// and how many more there are.
fn support_centres(m: &MunicipalityView) -> (Vec<pdf::CardCentre>, usize) {
    let centres = m
        .centres
        .iter()
        .take(pdf::MAX_CARD_CENTRES)
        .map(|c| pdf::CardCentre {
            name: c.name.clone(),
            detail: c.detail.clone(),
            tel: Some(c.tel.clone()),
            tel_kind_label: Some(c.tel_kind_label.clone()),
            note: c.note.clone(),
        })
        .collect();
    (
        centres,
        m.centres.len().saturating_sub(pdf::MAX_CARD_CENTRES),
    )
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
    // The explanations first (pages, then glossary entries): documents
    // `0..explain_docs` are what ranking rule 1 puts first (search::rank).
    crate::kinds::pages::search_docs(&site.pages, &mut docs);
    search_docs_after_pages(site, &mut docs);
    docs
}

/// [`search_docs`], the pages' section texts moved into the documents
/// (not copied) where no one else holds the page's view: a build, which
/// reads no section text afterwards (`serve` keeps its views between
/// saves, and so copies them). The same documents as [`search_docs`].
pub fn search_docs_taking_texts(site: &mut Site) -> Vec<SearchDoc> {
    let mut docs = Vec::new();
    crate::kinds::pages::search_docs_taking_texts(&mut site.pages, &mut docs);
    search_docs_after_pages(site, &mut docs);
    docs
}

/// The documents of [`search_docs`] after the pages' sections.
fn search_docs_after_pages(site: &Site, docs: &mut Vec<SearchDoc>) {
    crate::kinds::glossary::search_docs(&site.glossary, docs);
    crate::kinds::contacts::search_docs(&site.municipalities, docs);
    crate::kinds::centres::search_docs(&site.centres, &site.regions, docs);
    crate::kinds::facilities::search_docs(site, docs);
    crate::kinds::stats::search_docs(&site.stats, &site.pages, docs);
}

/// What the search knows about words: the team's groups (data/synonyms.yaml),
/// the reading of every term of care.yaml, facility_types.yaml, fields.yaml
/// and glossary.yaml (joined to the team's group of the same word, else a
/// group of its own), and the names and readings of the municipalities.
pub fn search_vocabulary(site: &Site) -> crate::search::Vocabulary {
    use crate::kinds::synonyms::Category;
    use crate::search::analyzer::normalize;
    use crate::search::expand::{Group, Vocabulary};
    let mut groups: Vec<Group> = site
        .synonyms
        .iter()
        .map(|g| Group {
            words: g.words.clone(),
            typed: g.typed.clone(),
            topic: g.category.is_topic(),
            source: g.source.clone(),
        })
        .collect();
    // normalised word → its group
    let mut known: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for (gi, g) in groups.iter().enumerate() {
        for w in g.words.iter().chain(&g.typed) {
            known.entry(normalize(w)).or_insert(gi);
        }
    }
    let terms = [
        (&site.care, Category::Care, "care.yaml"),
        (
            &site.facility_types,
            Category::Service,
            "facility_types.yaml",
        ),
    ];
    let mut readings: Vec<(String, String, bool, &str)> = Vec::new();
    for (list, category, file) in terms {
        for t in list {
            readings.push((t.name.clone(), t.kana.clone(), category.is_topic(), file));
        }
    }
    for f in &site.fields {
        readings.push((f.name.clone(), f.kana.clone(), false, "fields.yaml"));
    }
    // The glossary's terms are what families look up (topic words); their
    // readings are typed only (never searched), so a hiragana query finds the
    // term wherever the texts write it. Its `aliases` are not made variants:
    // some are broader (コーディネーター for 医療的ケア児等コーディネーター).
    for t in site.glossary.iter().flat_map(|r| &r.terms) {
        readings.push((t.term.clone(), t.reading.clone(), true, "glossary.yaml"));
    }
    for (name, kana, topic, file) in readings {
        let word = term_word(&name);
        let reading = normalize(kana.trim());
        if word.is_empty() || reading.is_empty() || known.contains_key(&reading) {
            continue;
        }
        let gi = match known.get(&normalize(&word)) {
            Some(&gi) => gi,
            None => {
                groups.push(Group {
                    words: vec![word.clone()],
                    typed: Vec::new(),
                    topic,
                    source: format!("{file} のよみ"),
                });
                known.insert(normalize(&word), groups.len() - 1);
                groups.len() - 1
            }
        };
        groups[gi].typed.push(kana.trim().to_string());
        known.insert(reading, gi);
    }
    Vocabulary {
        groups,
        places: site.municipalities.iter().map(place_of).collect(),
        explain_docs: explain_docs(site),
    }
}

/// How many documents of [`search_docs`] explain (the indexed pages'
/// sections, then one per glossary entry): they come first for care, benefit
/// and service words. Translations have sections but no documents.
fn explain_docs(site: &Site) -> u32 {
    let sections: usize = site
        .pages
        .iter()
        .filter(|p| crate::kinds::pages::is_indexed(p))
        .map(|p| p.sections.len())
        .sum();
    let terms: usize = site.glossary.iter().map(|r| r.terms.len()).sum();
    u32::try_from(sections + terms).unwrap_or(u32::MAX)
}

/// The word a vocabulary term is written as in texts: its name before a
/// parenthesis or a middle dot (吸引(たんの吸引) → 吸引, 保育所・認定こども園 → 保育所).
fn term_word(name: &str) -> String {
    name.split(['(', '(', '・'])
        .next()
        .unwrap_or_default()
        .trim()
        .to_string()
}

/// A municipality and the forms a family types for it: 茅ヶ崎市, 茅ヶ崎,
/// ちがさきし, ちがさき (a form shorter than 2 characters is left out).
fn place_of(m: &crate::site::MunicipalityView) -> crate::search::expand::Place {
    let mut forms = vec![m.name.clone(), m.kana.clone()];
    for (suffix, readings) in [
        ('市', &["し"][..]),
        ('町', &["まち", "ちょう"][..]),
        ('村', &["むら", "そん"][..]),
    ] {
        if let Some(short) = m.name.strip_suffix(suffix) {
            forms.push(short.to_string());
            for r in readings {
                if let Some(k) = m.kana.strip_suffix(r) {
                    forms.push(k.to_string());
                }
            }
        }
    }
    forms.retain(|f| f.chars().count() >= 2);
    crate::search::expand::Place {
        name: m.name.clone(),
        forms,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn sample_site() -> Site {
        let mut opts =
            crate::config::BuildOptions::new(std::path::Path::new(env!("CARGO_MANIFEST_DIR")));
        assert!(opts.fix_today("2026-11-29"));
        crate::build::check(&opts).expect("the sample is valid").0
    }

    /// The documents as their JSON (`SearchDoc` has no `PartialEq`).
    fn json(docs: &[SearchDoc]) -> serde_json::Value {
        serde_json::to_value(docs).unwrap()
    }

    /// The explanations ranked first are the pages' and the glossary's
    /// documents and no others (translations are not indexed: counting
    /// their sections gave contact windows the explanations' place).
    #[test]
    fn the_explanations_are_the_page_and_glossary_documents() {
        let site = sample_site();
        assert!(site.pages.iter().any(|p| p.lang == "en"), "translations");
        let docs = search_docs(&site);
        let n = explain_docs(&site) as usize;
        let glossary = |d: &SearchDoc| d.url.starts_with("/glossary/");
        let municipality = |d: &SearchDoc| d.url.starts_with("/contacts/");
        assert!(
            docs[..n].iter().all(|d| !municipality(d)),
            "{:?}",
            &docs[n - 1]
        );
        assert!(
            glossary(&docs[n - 1]),
            "the last explanation: {:?}",
            docs[n - 1]
        );
        assert!(
            municipality(&docs[n]),
            "the first after them: {:?}",
            docs[n]
        );
    }

    #[test]
    fn a_build_moves_the_section_texts_into_the_same_documents() {
        let mut site = sample_site();
        let copied = search_docs(&site);
        let explain = explain_docs(&site);
        let text_bytes = |site: &Site| -> usize {
            let sections = site.pages.iter().flat_map(|p| &p.sections);
            sections.map(|s| s.text.len()).sum()
        };
        assert!(text_bytes(&site) > 10_000, "{} bytes", text_bytes(&site));
        // A view someone else holds (`serve`'s kept views) is copied from.
        let held = site
            .pages
            .iter()
            .find(|p| p.lang == "ja" && p.sections.iter().any(|s| !s.text.is_empty()))
            .expect("a page with text")
            .clone();
        let held_text: Vec<String> = held.sections.iter().map(|s| s.text.clone()).collect();

        let moved = search_docs_taking_texts(&mut site);

        assert_eq!(json(&moved), json(&copied));
        // The indexed pages' texts were moved, the held one's kept; the
        // translations (not indexed) keep theirs.
        let held_now: Vec<&str> = held.sections.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(held_now, held_text);
        let left = site
            .pages
            .iter()
            .filter(|p| (p.lang == "ja" || p.lang == "easy") && !Arc::ptr_eq(p, &held))
            .flat_map(|p| &p.sections)
            .filter(|s| !s.text.is_empty())
            .count();
        assert_eq!(left, 0, "sections still holding their text");
        // The number of sections (what ranks the explanations) is the same.
        assert_eq!(explain_docs(&site), explain);
    }
}
