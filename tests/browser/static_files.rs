//! The pages and their assets over plain HTTP: content types, caching
//! headers and ETags, the security headers, 404s for unknown pages, and no
//! way out of `web/`.

use crate::helpers::spawn_app;

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

fn header(r: &reqwest::blocking::Response, name: &str) -> String {
    r.headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

#[test]
fn pages_and_assets_are_served_with_types_caching_and_security_headers() {
    let app = spawn_app();
    for path in [
        "/",
        "/submit",
        "/receipt",
        "/stats",
        "/technologies",
        "/technologies/postgres",
        "/review",
        "/reports/6fc96a37-1bde-482b-9c7f-4d5b6b558f66",
    ] {
        let r = app.get(path).send().unwrap();
        assert_eq!(r.status(), 200, "{path}");
        assert_eq!(
            header(&r, "content-type"),
            "text/html; charset=utf-8",
            "{path}"
        );
        assert_eq!(header(&r, "cache-control"), "no-cache", "{path}");
        assert_eq!(header(&r, "content-security-policy"), CSP, "{path}");
        assert_eq!(header(&r, "x-content-type-options"), "nosniff", "{path}");
        assert_eq!(header(&r, "x-frame-options"), "DENY", "{path}");
        assert!(header(&r, "set-cookie").is_empty(), "{path} sets a cookie");
        let etag = header(&r, "etag");
        assert!(etag.starts_with('"'), "{path}: {etag}");
        let body = r.text().unwrap();
        assert!(
            !body.contains(" style=") && !body.contains("<script>"),
            "{path}: inline style or script"
        );
        assert!(!has_inline_handler(&body), "{path}: inline event handler");
        let again = app.get(path).header("if-none-match", &etag).send().unwrap();
        assert_eq!(again.status(), 304, "{path}");
    }

    // Assets: from the page, under the build's digest, cached for good.
    let page = app.get("/").send().unwrap().text().unwrap();
    let css = page
        .split('"')
        .find(|s| s.starts_with("/assets/") && s.ends_with("/css/site.css"))
        .expect("the stylesheet link")
        .to_string();
    let build = css.split('/').nth(2).unwrap().to_string();
    for (path, ty) in [
        (css.clone(), "text/css; charset=utf-8"),
        (
            format!("/assets/{build}/js/search.js"),
            "text/javascript; charset=utf-8",
        ),
        (format!("/assets/{build}/favicon.svg"), "image/svg+xml"),
        (format!("/assets/{build}/taxonomy.json"), "application/json"),
    ] {
        let r = app.get(&path).send().unwrap();
        assert_eq!(r.status(), 200, "{path}");
        assert_eq!(header(&r, "content-type"), ty, "{path}");
        assert_eq!(
            header(&r, "cache-control"),
            "public, max-age=31536000, immutable",
            "{path}"
        );
    }
    // Another build's assets are not served as this one's.
    assert_eq!(
        app.get("/assets/000000000000/css/site.css")
            .send()
            .unwrap()
            .status(),
        404
    );

    // Unknown pages: an HTML 404 page. Unknown API paths stay JSON.
    for path in [
        "/nope",
        "/reports/not-a-uuid",
        "/reports",
        "/technologies/a%20b",
        "/assets",
        "/index.html",
    ] {
        let r = app.get(path).send().unwrap();
        assert_eq!(r.status(), 404, "{path}");
        assert_eq!(
            header(&r, "content-type"),
            "text/html; charset=utf-8",
            "{path}"
        );
        assert!(r.text().unwrap().contains("Page not found"), "{path}");
    }
    let r = app.get("/api/v1/nope").send().unwrap();
    assert_eq!(r.status(), 404);
    assert!(header(&r, "content-type").starts_with("application/json"));

    // No path leads out of web/, however it is spelled.
    for path in [
        format!("/assets/{build}/../Cargo.toml"),
        format!("/assets/{build}/%2e%2e/Cargo.toml"),
        format!("/assets/{build}/%2e%2e%2f%2e%2e%2fCargo.toml"),
        format!("/assets/{build}/..%2f..%2fsrc%2fmain.rs"),
        format!("/assets/{build}/js/..%5c..%5cCargo.toml"),
        format!("/assets/{build}/.%2e/.%2e/Cargo.toml"),
        format!("/assets/{build}//etc/passwd"),
        format!("/assets/{build}/%2fetc%2fpasswd"),
        format!("/assets/{build}/index.html/../../Cargo.toml"),
    ] {
        let url = format!("{}{}", app.base, path);
        // Sent exactly as written: no client-side normalisation of `..`.
        let r = raw_get(&url);
        assert!(
            r.starts_with("HTTP/1.1 404"),
            "{path}: {}",
            r.lines().next().unwrap_or("")
        );
        assert!(
            !r.contains("[package]") && !r.contains("root:"),
            "{path} escaped web/"
        );
    }
}

/// Whether the HTML has an ` onsomething=` attribute.
fn has_inline_handler(html: &str) -> bool {
    html.match_indices(" on").any(|(i, _)| {
        let rest = &html[i + 3..];
        let name = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
        name > 0 && rest[name..].starts_with('=')
    })
}

/// A GET with the path sent byte for byte as given.
fn raw_get(url: &str) -> String {
    use std::io::{Read, Write};
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_at(rest.find('/').unwrap());
    let mut s = std::net::TcpStream::connect(host).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}
