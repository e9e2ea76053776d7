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
    vec![
        (Route::Sitemap.file(), sitemap(site, jobs)),
        (Route::Robots.file(), robots(site)),
        (Route::Atom.file(), atom(site)),
        (Route::FacilitiesJson.file(), facilities_json(site)),
    ]
}

/// The absolute URL of a page, percent-encoded (page paths come from file names).
fn absolute(site: &Site, route: Route<'_>) -> String {
    route.absolute(&site.base_url)
}

fn sitemap(site: &Site, jobs: &[PageJob]) -> String {
    let offline = Route::Offline.path();
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
        out.push_str(&format!(
            "  <url><loc>{}</loc></url>\n",
            xml_escape(&absolute(site, Route::Page(p)))
        ));
    }
    out.push_str("</urlset>\n");
    out
}

fn robots(site: &Site) -> String {
    format!(
        "User-agent: *\nAllow: /\nSitemap: {}\n",
        absolute(site, Route::Sitemap)
    )
}

fn atom(site: &Site) -> String {
    let news = site.section_pages("news");
    let updated = news
        .iter()
        .filter_map(|p| p.date_iso.clone())
        .max()
        .unwrap_or_else(|| site.edition_iso.clone());
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"ja\">\n  <title>{} お知らせ</title>\n  <id>{}</id>\n  <link href=\"{}\"/>\n  <updated>{}T00:00:00Z</updated>\n",
        xml_escape(&site.title),
        xml_escape(&absolute(site, Route::Page("/news/"))),
        xml_escape(&absolute(site, Route::Page("/news/"))),
        updated
    );
    for p in news {
        let date = p.date_iso.clone().unwrap_or_else(|| updated.clone());
        out.push_str(&format!(
            "  <entry>\n    <title>{}</title>\n    <id>{}</id>\n    <link href=\"{}\"/>\n    <updated>{}T00:00:00Z</updated>\n    <author><name>{}</name></author>\n  </entry>\n",
            xml_escape(&p.title),
            xml_escape(&absolute(site, Route::Page(&p.path))),
            xml_escape(&absolute(site, Route::Page(&p.path))),
            date,
            xml_escape(&site.organisation)
        ));
    }
    out.push_str("</feed>\n");
    out
}

/// The data `facilities.js` filters in the browser: vocabularies once, then one
/// compact record per facility (ids only), in kana order.
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
        "facilities": site.facilities.iter().map(|f| json!({
            "id": f.id,
            "name": f.name,
            "type": f.type_id,
            "municipality": f.municipality,
            "region": f.region_id,
            "care": f.care.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
            "tel": f.tel,
        })).collect::<Vec<_>>(),
    });
    serde_json::to_string(&value).unwrap_or_else(|_| "{}".to_string())
}
