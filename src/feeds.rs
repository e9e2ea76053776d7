//! The machine-read files: sitemap.xml, robots.txt and the news Atom feed.

use crate::render::PageJob;
use crate::routes::Route;
use crate::site::Site;
fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

/// `(path in dist, contents)` of each file, deterministic.
pub fn extra_files(site: &Site, jobs: &[PageJob]) -> Vec<(String, String)> {
    // The sitemap (every page) and the facility list (every facility) are
    // the two large ones: made side by side (`serve` makes them on every save).
    let ((sitemap, atom), facilities) = rayon::join(
        || (sitemap(site, jobs), atom(site)),
        || facilities_json(site),
    );
    vec![
        (Route::Sitemap.file(), sitemap),
        (Route::Robots.file(), robots(site)),
        (Route::Atom.file(), atom),
        (Route::FacilitiesJson.file(), facilities),
    ]
}

/// Everything [`extra_files`] reads, as one fingerprint: `serve` keeps the
/// feeds while it stays the same (a page's text edit moves none of them
/// unless it is news, whose summary the Atom feed shows). A field a feed
/// starts to read must be added here (tests/incremental.rs compares the
/// preview with a build after edits that move each feed).
pub(crate) fn inputs_fingerprint(site: &Site, jobs: &[PageJob]) -> u128 {
    #[derive(serde::Serialize)]
    struct Inputs<'a> {
        base_url: &'a str,
        title: &'a str,
        organisation: &'a str,
        edition_iso: &'a str,
        pages: Vec<PageInputs<'a>>,
        urls: Vec<&'a str>,
        municipalities: Vec<(&'a str, &'a str, &'a str, &'a Option<String>)>,
        regions: &'a [crate::kinds::vocab::RegionView],
        facility_types: &'a [crate::kinds::vocab::TermView],
        care: &'a [crate::kinds::vocab::TermView],
        facilities: &'a [crate::site::FacilityView],
    }
    #[derive(serde::Serialize)]
    struct PageInputs<'a> {
        path: &'a str,
        section: &'a str,
        lang: &'a str,
        date_iso: &'a Option<String>,
        updated_iso: &'a Option<String>,
        /// (title, summary) of a news page.
        news: Option<(&'a str, &'a str)>,
    }
    let pages = site
        .pages
        .iter()
        .map(|p| PageInputs {
            path: &p.path,
            section: &p.section,
            lang: &p.lang,
            date_iso: &p.date_iso,
            updated_iso: &p.updated_iso,
            news: (p.section == "news").then_some((&*p.title, &*p.summary)),
        })
        .collect();
    crate::render::fingerprint(&Inputs {
        base_url: &site.base_url,
        title: &site.title,
        organisation: &site.organisation,
        edition_iso: &site.edition_iso,
        pages,
        urls: jobs.iter().map(|j| j.url_path.as_str()).collect(),
        municipalities: site
            .municipalities
            .iter()
            .map(|m| (&*m.slug, &*m.name, &*m.region_id, &m.updated_iso))
            .collect(),
        regions: &site.regions,
        facility_types: &site.facility_types,
        care: &site.care,
        facilities: &site.facilities,
    })
}

/// The absolute URL of a page, percent-encoded (page paths come from file names).
fn absolute(site: &Site, route: Route<'_>) -> String {
    route.absolute(&site.base_url)
}

fn sitemap(site: &Site, jobs: &[PageJob]) -> String {
    let offline = Route::Offline.path();
    let lastmod = last_modified(site);
    let mut paths: Vec<&str> = jobs
        .iter()
        .map(|j| j.url_path.as_str())
        .filter(|p| p.ends_with('/') && *p != offline)
        .collect();
    paths.sort_unstable();
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for p in paths {
        let loc = xml_escape(&absolute(site, Route::Page(p)));
        match lastmod.get(p) {
            Some(date) => out.push_str(&format!(
                "  <url><loc>{loc}</loc><lastmod>{date}</lastmod></url>\n"
            )),
            None => out.push_str(&format!("  <url><loc>{loc}</loc></url>\n")),
        }
    }
    out.push_str("</urlset>\n");
    out
}

/// The date each page's content was last confirmed (its `updated`, else a
/// news page's `date`; a municipality's contacts file; a facility), by URL
/// path: the sitemap's `<lastmod>`.
fn last_modified(site: &Site) -> std::collections::BTreeMap<String, String> {
    let pages = site.pages.iter().filter_map(|p| {
        let date = p.updated_iso.as_ref().or(p.date_iso.as_ref())?;
        Some((p.path.clone(), date.clone()))
    });
    let municipalities = site.municipalities.iter().filter_map(|m| {
        let date = m.updated_iso.as_ref()?;
        Some((Route::Municipality(&m.slug).path(), date.clone()))
    });
    let facilities = site.facilities.iter().filter_map(|f| {
        let date = f.updated_iso.as_ref()?;
        Some((Route::Facility(&f.id).path(), date.clone()))
    });
    pages.chain(municipalities).chain(facilities).collect()
}

fn robots(site: &Site) -> String {
    format!(
        "User-agent: *\nAllow: /\nSitemap: {}\n",
        absolute(site, Route::Sitemap)
    )
}

/// An Atom date: the day's start in Japan (the dates are local dates).
fn atom_date(iso_day: &str) -> String {
    format!("{iso_day}T00:00:00+09:00")
}

fn atom(site: &Site) -> String {
    let news = site.section_pages("news");
    let updated = news
        .iter()
        .filter_map(|p| p.date_iso.clone())
        .max()
        .unwrap_or_else(|| site.edition_iso.clone());
    let list = xml_escape(&absolute(site, Route::Page("/news/")));
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"ja\">\n  <title>{} お知らせ</title>\n  <id>{list}</id>\n  <link href=\"{list}\"/>\n  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n  <updated>{}</updated>\n",
        xml_escape(&site.title),
        xml_escape(&absolute(site, Route::Atom)),
        atom_date(&updated)
    );
    for p in news {
        let date = p.date_iso.clone().unwrap_or_else(|| updated.clone());
        let url = xml_escape(&absolute(site, Route::Page(&p.path)));
        out.push_str(&format!(
            "  <entry>\n    <title>{}</title>\n    <id>{url}</id>\n    <link href=\"{url}\"/>\n    <updated>{}</updated>\n    <summary>{}</summary>\n    <author><name>{}</name></author>\n  </entry>\n",
            xml_escape(&p.title),
            atom_date(&date),
            xml_escape(&p.summary),
            xml_escape(&site.organisation)
        ));
    }
    out.push_str("</feed>\n");
    out
}

/// The data `facilities.js` filters in the browser: vocabularies once, then one
/// compact record per facility (ids only), in kana order.
/// One facility of facilities.json; `visits` (the municipalities it visits,
/// a ward counted for its city) only when it has any.
fn facility_record(f: &crate::site::FacilityView) -> serde_json::Value {
    let mut record = serde_json::json!({
        "id": f.id,
        "name": f.name,
        "type": f.type_id,
        "municipality": f.municipality,
        "region": f.region_id,
        "care": f.care.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
        "tel": f.tel,
        "tel_href": f.tel_href,
    });
    if !f.facts.visit_municipalities.is_empty() {
        record["visits"] = serde_json::json!(f.facts.visit_municipalities);
    }
    record
}

fn facilities_json(site: &Site) -> String {
    use serde_json::json;
    let terms = |ts: &[crate::site::TermView]| -> Vec<serde_json::Value> {
        ts.iter()
            .map(|t| json!({"id": t.id, "name": t.name}))
            .collect()
    };
    let value = json!({
        "regions": site.regions.iter().map(|r| json!({"id": r.id, "name": r.name})).collect::<Vec<_>>(),
        "municipalities": site.municipalities.iter()
            .map(|m| json!({"id": m.slug, "name": m.name, "region": m.region_id})).collect::<Vec<_>>(),
        "types": terms(&site.facility_types),
        "care": terms(&site.care),
        "facilities": site.facilities.iter().map(facility_record).collect::<Vec<_>>(),
    });
    serde_json::to_string(&value).unwrap_or_else(|_| "{}".to_string())
}
