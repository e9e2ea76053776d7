//! The machine-read files: sitemap.xml, robots.txt and the news Atom feed.

use crate::render::PageJob;
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
        ("sitemap.xml".to_string(), sitemap(site, jobs)),
        ("robots.txt".to_string(), robots(site)),
        ("news/atom.xml".to_string(), atom(site)),
        (
            "facilities/facilities.json".to_string(),
            facilities_json(site),
        ),
    ]
}

/// The absolute URL of a site path, percent-encoded (page paths come from file names).
fn absolute(site: &Site, url_path: &str) -> String {
    format!(
        "{}{}",
        site.base_url,
        crate::url_rule::encode_path(url_path.trim_start_matches('/'))
    )
}

fn sitemap(site: &Site, jobs: &[PageJob]) -> String {
    let mut paths: Vec<&str> = jobs
        .iter()
        .map(|j| j.url_path.as_str())
        .filter(|p| p.ends_with('/') && *p != crate::offline::OFFLINE_PATH)
        .collect();
    paths.sort_unstable();
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for p in paths {
        out.push_str(&format!(
            "  <url><loc>{}</loc></url>\n",
            xml_escape(&absolute(site, p))
        ));
    }
    out.push_str("</urlset>\n");
    out
}

fn robots(site: &Site) -> String {
    format!(
        "User-agent: *\nAllow: /\nSitemap: {}\n",
        absolute(site, "/sitemap.xml")
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
        xml_escape(&absolute(site, "/news/")),
        xml_escape(&absolute(site, "/news/")),
        updated
    );
    for p in news {
        let date = p.date_iso.clone().unwrap_or_else(|| updated.clone());
        out.push_str(&format!(
            "  <entry>\n    <title>{}</title>\n    <id>{}</id>\n    <link href=\"{}\"/>\n    <updated>{}T00:00:00Z</updated>\n    <author><name>{}</name></author>\n  </entry>\n",
            xml_escape(&p.title),
            xml_escape(&absolute(site, &p.path)),
            xml_escape(&absolute(site, &p.path)),
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
