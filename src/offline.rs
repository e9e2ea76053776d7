//! Offline: the service worker `sw.js` written at the root of the site.
//!
//! Families need the emergency manual and their municipality's windows when
//! there is no signal (a hospital basement, a power cut after an earthquake).
//! The worker, registered by every page with the scope of the base path:
//! - **precaches at install** the home page, the emergency manual (every page
//!   of `/emergency/`), the 緊急時情報シート, the offline page, the whole
//!   directory of windows (`/contacts/`, every municipality and every region
//!   page: 40 small pages) and the CSS/JS they use: 49 files, ~170 KB with gzip
//!   for the sample site (612 KB uncompressed), downloaded once per version.
//!   Precaching the whole directory rather than only the pages a family
//!   happened to open means the page of the town they will need (a
//!   grandparent's, the one of a new school) is there too, and that every
//!   copy is replaced when the directory changes, since the cache is versioned
//!   by the bytes of these files: a stale phone number does not survive an update.
//!   A group of more than [`PRECACHE_MAX_PAGES`] pages (a nationwide directory,
//!   a very long manual) is instead cached page by page as visited, the build
//!   warns, and the offline page says so ([`OfflinePlan`]);
//! - **caches as visited** the PDFs (`/pdf/`, 200–900 KB each: too heavy to
//!   download for everyone);
//! - answers **network first** (the newest numbers when online), falling back
//!   to the cache when the network fails or takes more than 4 s and a copy is
//!   there, and to the offline page (`/offline/`) for a page never cached.
//!
//! The cache name carries a version: a hash of the bytes of every precached
//! file, of the PDFs and of the worker's own code, so the same build gives the
//! same `sw.js` and any change to those files installs a fresh cache (the old
//! one is deleted when the new worker activates).

use crate::diagnostic::Diagnostic;
use crate::routes::Route;
use crate::site::Site;
use std::io;
use std::path::Path;

/// Most pages of a group (the emergency manual, the directory of windows)
/// that the worker downloads at install. A prefecture's directory is at most
/// ~200 pages (Hokkaido: 179 municipalities), about 4 MB before compression;
/// a nationwide one (1,741) would be ~40 MB, too much for a phone on a
/// mobile plan. A larger group is saved as visited instead.
pub const PRECACHE_MAX_PAGES: usize = 250;

/// Which groups of pages the worker saves at install; a group left out is
/// saved page by page as the family opens it. The offline page says which.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct OfflinePlan {
    /// Every page of `/emergency/` (the index and the sheet always are).
    pub emergency: bool,
    /// Every municipality's and region's page of the directory (`/contacts/`
    /// always is).
    pub directory: bool,
}

impl OfflinePlan {
    pub fn of(site: &Site) -> OfflinePlan {
        OfflinePlan {
            emergency: emergency_pages(site).len() <= PRECACHE_MAX_PAGES,
            directory: site.municipalities.len() + site.regions.len() <= PRECACHE_MAX_PAGES,
        }
    }

    /// Folders cached as visited.
    fn runtime_prefixes(&self) -> Vec<&'static str> {
        let mut v = vec!["pdf/"];
        if !self.emergency {
            v.push("emergency/");
        }
        if !self.directory {
            v.extend(["contacts/", "regions/"]);
        }
        v
    }

    /// A warning per group left out, for the build's report.
    pub fn warnings(&self, site: &Site) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        let mut warn = |file: &str, what: &str, pages: usize| {
            out.push(
                Diagnostic::warning(
                    file,
                    0,
                    0,
                    format!(
                        "{what}は {pages} ページあり、オフライン用にまとめて保存するには多すぎます"
                    ),
                )
                .hint(format!(
                    "{PRECACHE_MAX_PAGES} ページまでなら最初の訪問でまとめて保存します。今回は、開いたページだけを端末に保存します(オフラインのページにもそう表示します)"
                )),
            );
        };
        if !self.emergency {
            warn(
                "content/emergency",
                "緊急時対応のページ",
                emergency_pages(site).len(),
            );
        }
        if !self.directory {
            warn(
                "data/municipalities.yaml",
                "市町村と地域の窓口ページ",
                site.municipalities.len() + site.regions.len(),
            );
        }
        out
    }
}

/// The pages of `/emergency/` below its index, in path order.
fn emergency_pages(site: &Site) -> Vec<&str> {
    let mut pages: Vec<&str> = site
        .pages
        .iter()
        // The Japanese group only: translations are not precached for every visitor.
        .filter(|p| p.section == "emergency" && p.path != "/emergency/" && p.lang == "ja")
        .map(|p| p.path.as_str())
        .collect();
    pages.sort_unstable();
    pages
}

/// The worker's code; `__CONFIG__` becomes its settings (JSON).
const SW_SOURCE: &str = r#"// おひさま 小児在宅療養ナビ: service worker, generated by `ohisama build`
// (src/offline.rs). Do not edit: the next build replaces it.
"use strict";
const CONFIG = __CONFIG__;
const CACHE = "ohisama:" + CONFIG.base + ":" + CONFIG.version;
const PRECACHE = new Set(CONFIG.precache);
const TIMEOUT_MS = 4000;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(CONFIG.precache.map((u) => new Request(u, { cache: "reload" }))))
      .then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  const mine = "ohisama:" + CONFIG.base + ":";
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith(mine) && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

function keep(path) {
  return PRECACHE.has(path) || CONFIG.runtime.some((p) => path.startsWith(p));
}

self.addEventListener("fetch", (event) => {
  const req = event.request;
  if (req.method !== "GET" || req.headers.has("range")) return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin || !url.pathname.startsWith(CONFIG.base)) return;
  const navigate = req.mode === "navigate";
  const cacheIt = keep(url.pathname);
  if (!navigate && !cacheIt) return;
  event.respondWith(answer(event, req, url, navigate, cacheIt));
});

async function answer(event, req, url, navigate, cacheIt) {
  const key = url.origin + url.pathname;
  let stored = Promise.resolve();
  const network = fetch(req).then((res) => {
    if (cacheIt && res.status === 200 && res.type === "basic") {
      const copy = res.clone();
      stored = caches.open(CACHE).then((c) => c.put(key, copy));
    }
    return res;
  });
  event.waitUntil(network.then(() => stored, () => undefined));
  const cache = await caches.open(CACHE);
  const cached = await cache.match(key);
  if (cached) {
    const late = new Promise((resolve) => setTimeout(() => resolve(null), TIMEOUT_MS));
    return (await Promise.race([network.catch(() => null), late])) || cached;
  }
  try {
    return await network;
  } catch (err) {
    if (navigate) {
      const offline = await cache.match(url.origin + CONFIG.offline);
      if (offline) return offline;
    }
    return Response.error();
  }
}
"#;

/// Site-relative paths (`emergency/`, `assets/css/site.css`) of what the
/// worker precaches, in a fixed order.
pub fn precache_paths(site: &Site) -> Vec<String> {
    precache_routes(site)
        .iter()
        .map(|r| r.path().trim_start_matches('/').to_string())
        .collect()
}

/// The routes the worker precaches, in a fixed order (its version hashes
/// their files in this order).
fn precache_routes(site: &Site) -> Vec<Route<'_>> {
    let plan = OfflinePlan::of(site);
    let mut routes = vec![Route::Home];
    let emergency_index = Route::Page("/emergency/");
    if site.pages.iter().any(|p| p.path == emergency_index.path()) {
        routes.push(emergency_index);
    }
    if plan.emergency {
        routes.extend(emergency_pages(site).into_iter().map(Route::Page));
        // The emergency pages link their terms to the glossary: it opens offline too.
        if site.has_glossary {
            routes.push(Route::Glossary);
        }
    }
    routes.extend([Route::Sheet, Route::Offline, Route::ContactsIndex]);
    if plan.directory {
        routes.extend(
            site.municipalities
                .iter()
                .map(|m| Route::Municipality(&m.slug)),
        );
        routes.extend(site.regions.iter().map(|r| Route::Region(&r.id)));
    }
    routes.extend([Route::Asset("css/site.css"), Route::Asset("js/sheet.js")]);
    routes.dedup_by_key(|r| r.path());
    routes
}

/// 64-bit FNV-1a: small, dependency-free and stable across platforms and
/// Rust versions (the version must not change unless the bytes do).
struct Fnv(u64);

impl Fnv {
    fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    /// Length-prefixed, so ("ab","c") and ("a","bc") differ.
    fn field(&mut self, bytes: &[u8]) {
        self.write(&(bytes.len() as u64).to_le_bytes());
        self.write(bytes);
    }
}

/// The version of the offline copy: a hash of the worker's code and of the
/// bytes of every precached file and every PDF of the output folder `dir`.
pub fn version(site: &Site, dir: &Path) -> io::Result<String> {
    let pdf_dir = dir.join("pdf");
    let mut pdfs = Vec::new();
    if pdf_dir.is_dir() {
        pdfs = std::fs::read_dir(&pdf_dir)?
            .filter_map(|e| e.ok())
            .map(|e| format!("pdf/{}", e.file_name().to_string_lossy()))
            .collect();
    }
    version_with(site, pdfs, &|rel| std::fs::read(dir.join(rel)))
}

/// [`version`] of an output read through `read` (output path → bytes;
/// `serve` keeps its output in memory), with the PDFs it has (`pdf/…`).
pub fn version_with(
    site: &Site,
    mut pdfs: Vec<String>,
    read: &dyn Fn(&str) -> io::Result<Vec<u8>>,
) -> io::Result<String> {
    let mut h = Fnv::new();
    h.field(SW_SOURCE.as_bytes());
    let mut files: Vec<String> = precache_routes(site).iter().map(Route::file).collect();
    pdfs.sort_unstable();
    files.extend(pdfs);
    for rel in files {
        let bytes = read(&rel).map_err(|e| {
            io::Error::new(
                e.kind(),
                format!("{rel}: {e} (the service worker precaches it)"),
            )
        })?;
        h.field(rel.as_bytes());
        h.field(&bytes);
    }
    Ok(format!("{:016x}", h.0))
}

/// The text of `sw.js` for the site whose files are already written in `dir`.
pub fn service_worker(site: &Site, dir: &Path) -> io::Result<String> {
    service_worker_of(site, version(site, dir)?)
}

/// The text of `sw.js` with the given cache version ([`version_with`]).
pub fn service_worker_of(site: &Site, version: String) -> io::Result<String> {
    let base = &site.base_path;
    // URLs as the pages write them (percent-encoded): the worker compares them
    // with the path of each request.
    let config = serde_json::json!({
        "version": version,
        "base": base,
        "offline": Route::Offline.href(base),
        "precache": precache_routes(site).iter().map(|r| r.href(base)).collect::<Vec<_>>(),
        "runtime": OfflinePlan::of(site).runtime_prefixes().iter().map(|p| site.href(p)).collect::<Vec<_>>(),
    });
    let json = serde_json::to_string_pretty(&config).map_err(io::Error::other)?;
    Ok(SW_SOURCE.replace("__CONFIG__", &json))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_is_stable() {
        let mut h = Fnv::new();
        h.write(b"a");
        assert_eq!(h.0, 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn files_of_paths() {
        assert_eq!(crate::routes::file_of(""), "index.html");
        assert_eq!(crate::routes::file_of("emergency/"), "emergency/index.html");
        assert_eq!(
            crate::routes::file_of("assets/css/site.css"),
            "assets/css/site.css"
        );
    }
}
