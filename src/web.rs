//! The web pages: static HTML, CSS and JavaScript modules from `web/`,
//! embedded in the binary, that talk to the JSON API from the browser.
//!
//! Every page is a fixed shell; what it shows comes from `/api/v1`, so the
//! server renders nothing from a report here. Assets are served under
//! `/assets/<build>/…`, where `<build>` is a digest of every embedded file:
//! a new build changes every asset URL, so assets can be cached for a year
//! and pages (revalidated with an ETag) always name the matching ones.
//! Scripts import one another by relative path, so they stay inside the
//! same `<build>` directory without any rewriting.

use std::collections::HashMap;
use std::sync::OnceLock;

use actix_web::http::header::{self, HeaderValue};
use actix_web::{web, HttpRequest, HttpResponse};
use rust_embed::RustEmbed;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::report::taxonomy::{taxonomy, Vocabulary};

#[derive(RustEmbed)]
#[folder = "web/"]
struct Files;

/// Pages: the path pattern and the HTML file behind it.
const PAGES: [(&str, &str); 8] = [
    ("/", "index.html"),
    ("/reports/{id}", "report.html"),
    ("/submit", "submit.html"),
    ("/receipt", "receipt.html"),
    ("/stats", "stats.html"),
    ("/technologies", "technologies.html"),
    ("/technologies/{name}", "technology.html"),
    ("/review", "review.html"),
];

const NOT_FOUND_PAGE: &str = "404.html";
/// Generated from the embedded taxonomy and served beside the files, so the
/// pages can show display names and group technologies by category.
const TAXONOMY_ASSET: &str = "taxonomy.json";
/// Hashed assets never change under their URL.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Pages are small and must name the current assets: revalidate each time.
const REVALIDATE: &str = "no-cache";

struct Asset {
    body: Vec<u8>,
    content_type: &'static str,
    etag: String,
}

struct Site {
    /// The digest in every asset URL.
    build: String,
    assets: HashMap<String, Asset>,
    pages: HashMap<&'static str, Asset>,
}

#[derive(Serialize)]
struct TaxonomyTerm<'a> {
    id: &'a str,
    name: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    description: &'a str,
}

#[derive(Serialize)]
struct TaxonomyTechnology<'a> {
    id: &'a str,
    name: &'a str,
    category: &'a str,
}

#[derive(Serialize)]
struct TaxonomyAsset<'a> {
    technologies: Vec<TaxonomyTechnology<'a>>,
    vocabularies: HashMap<&'static str, Vec<TaxonomyTerm<'a>>>,
}

fn taxonomy_json() -> Vec<u8> {
    let t = taxonomy();
    let asset = TaxonomyAsset {
        technologies: t
            .technologies
            .iter()
            .map(|x| TaxonomyTechnology {
                id: &x.id,
                name: &x.name,
                category: &x.category,
            })
            .collect(),
        vocabularies: Vocabulary::ALL
            .iter()
            .map(|v| {
                let terms = t
                    .terms(*v)
                    .iter()
                    .map(|x| TaxonomyTerm {
                        id: &x.id,
                        name: &x.name,
                        description: &x.description,
                    })
                    .collect();
                (v.table(), terms)
            })
            .collect(),
    };
    serde_json::to_vec(&asset).expect("the taxonomy serialises")
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, ext)| ext) {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("txt") => "text/plain; charset=utf-8",
        Some("woff2") => "font/woff2",
        _ => "application/octet-stream",
    }
}

fn etag(body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}

fn asset(body: Vec<u8>, path: &str) -> Asset {
    Asset {
        etag: etag(&body),
        content_type: content_type(path),
        body,
    }
}

impl Site {
    fn load() -> Site {
        let mut files: Vec<(String, Vec<u8>)> = Files::iter()
            .filter_map(|name| Files::get(&name).map(|f| (name.into_owned(), f.data.into_owned())))
            .collect();
        files.push((TAXONOMY_ASSET.to_string(), taxonomy_json()));
        files.sort_by(|a, b| a.0.cmp(&b.0));
        let mut digest = Sha256::new();
        for (name, body) in &files {
            digest.update(name.as_bytes());
            digest.update([0]);
            digest.update((body.len() as u64).to_le_bytes());
            digest.update(body);
        }
        let build: String = digest.finalize()[..6]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let mut assets = HashMap::new();
        let mut pages = HashMap::new();
        for (name, body) in files {
            if name.ends_with(".html") {
                // Pages name assets as `/assets/…`; point them at this build.
                let text = String::from_utf8_lossy(&body)
                    .replace("\"/assets/", &format!("\"/assets/{build}/"));
                if let Some(page) = PAGES
                    .iter()
                    .map(|(_, file)| *file)
                    .chain([NOT_FOUND_PAGE])
                    .find(|file| *file == name)
                {
                    pages.insert(page, asset(text.into_bytes(), &name));
                }
            } else {
                let a = asset(body, &name);
                assets.insert(name, a);
            }
        }
        Site {
            build,
            assets,
            pages,
        }
    }
}

fn site() -> &'static Site {
    static SITE: OnceLock<Site> = OnceLock::new();
    SITE.get_or_init(Site::load)
}

/// Whether the client already holds this version (`If-None-Match`).
fn fresh(req: &HttpRequest, etag: &str) -> bool {
    req.headers()
        .get_all(header::IF_NONE_MATCH)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| {
            let t = t.trim();
            t == "*" || t.trim_start_matches("W/") == etag
        })
}

fn respond(
    req: &HttpRequest,
    a: &'static Asset,
    status: actix_web::http::StatusCode,
    cache: &'static str,
) -> HttpResponse {
    if status.is_success() && fresh(req, &a.etag) {
        return HttpResponse::NotModified()
            .insert_header((header::ETAG, a.etag.as_str()))
            .insert_header((header::CACHE_CONTROL, cache))
            .finish();
    }
    let mut resp = HttpResponse::build(status);
    resp.insert_header((
        header::CONTENT_TYPE,
        HeaderValue::from_static(a.content_type),
    ))
    .insert_header((header::CACHE_CONTROL, cache));
    if status.is_success() {
        resp.insert_header((header::ETAG, a.etag.as_str()));
    }
    if req.method() == actix_web::http::Method::HEAD {
        return resp.finish();
    }
    resp.body(a.body.as_slice())
}

fn page(req: &HttpRequest, file: &'static str) -> HttpResponse {
    match site().pages.get(file) {
        Some(a) => respond(req, a, actix_web::http::StatusCode::OK, REVALIDATE),
        None => not_found_page(req),
    }
}

/// The 404 page, for every path nothing else answers (outside `/api/v1`,
/// whose unknown paths get a JSON error).
pub async fn not_found(req: HttpRequest) -> HttpResponse {
    not_found_page(&req)
}

fn not_found_page(req: &HttpRequest) -> HttpResponse {
    match site().pages.get(NOT_FOUND_PAGE) {
        Some(a) => respond(req, a, actix_web::http::StatusCode::NOT_FOUND, "no-cache"),
        None => HttpResponse::NotFound().finish(),
    }
}

/// An asset path is relative, with plain segments only: no `..`, no hidden
/// files, no backslashes or encoded separators. Lookups go to the embedded
/// table, never to the file system, so nothing outside `web/` is reachable
/// even before this check.
fn safe_asset_path(path: &str) -> bool {
    !path.is_empty()
        && path.len() <= 200
        && path.split('/').all(|seg| {
            !seg.is_empty()
                && !seg.starts_with('.')
                && seg
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        })
}

async fn static_asset(req: HttpRequest, path: web::Path<(String, String)>) -> HttpResponse {
    let (build, file) = path.into_inner();
    let s = site();
    if build != s.build || !safe_asset_path(&file) {
        return not_found_page(&req);
    }
    match s.assets.get(&file) {
        Some(a) => respond(&req, a, actix_web::http::StatusCode::OK, IMMUTABLE),
        None => not_found_page(&req),
    }
}

/// A report page for anything but a UUID would only ever say "not found".
async fn report_page(req: HttpRequest, id: web::Path<String>) -> HttpResponse {
    match uuid::Uuid::parse_str(&id) {
        Ok(_) => page(&req, "report.html"),
        Err(_) => not_found_page(&req),
    }
}

async fn technology_page(req: HttpRequest, name: web::Path<String>) -> HttpResponse {
    let ok = !name.is_empty()
        && name.len() <= 100
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'+'));
    if ok {
        page(&req, "technology.html")
    } else {
        not_found_page(&req)
    }
}

/// The pages and their assets. Register after the API, and use
/// [`not_found`] as the application's default service.
pub fn config(cfg: &mut web::ServiceConfig) {
    let get = || {
        web::route()
            .guard(actix_web::guard::Any(actix_web::guard::Get()).or(actix_web::guard::Head()))
    };
    cfg.route("/assets/{build}/{file:.*}", get().to(static_asset))
        .route("/reports/{id}", get().to(report_page))
        .route("/technologies/{name}", get().to(technology_page));
    for (path, file) in PAGES {
        if path.contains('{') {
            continue;
        }
        cfg.route(
            path,
            get().to(move |req: HttpRequest| async move { page(&req, file) }),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asset_paths_stay_inside_web() {
        for bad in [
            "",
            "../Cargo.toml",
            "js/../../src/main.rs",
            ".hidden",
            "js//common.js",
            "js\\common.js",
            "%2e%2e/x",
            "/etc/passwd",
        ] {
            assert!(!safe_asset_path(bad), "{bad:?} accepted");
        }
        assert!(safe_asset_path("js/common.js"));
        assert!(safe_asset_path("css/site.css"));
    }

    #[test]
    fn every_page_is_embedded_and_names_this_build() {
        let s = site();
        for (_, file) in PAGES.iter().chain([&("", NOT_FOUND_PAGE)]) {
            let page = s
                .pages
                .get(file)
                .unwrap_or_else(|| panic!("{file} missing"));
            let text = std::str::from_utf8(&page.body).unwrap();
            assert!(
                !text.contains("\"/assets/css") && !text.contains("\"/assets/js"),
                "{file} names an unversioned asset"
            );
            assert!(text.contains(&format!("/assets/{}/", s.build)), "{file}");
        }
        assert!(s.assets.contains_key(TAXONOMY_ASSET));
    }
}
