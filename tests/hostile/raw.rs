//! A minimal HTTP/1.1 client over a plain TCP socket, so a test can send
//! what a well-behaved client library would refuse to: unnormalised paths,
//! malformed heads, raw bytes, bodies that do not match their headers.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::{Duration, Instant};

#[derive(Debug)]
pub struct RawResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl RawResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Debug)]
pub enum Outcome {
    Response(RawResponse),
    /// The server closed the connection without an answer.
    Closed,
    /// No complete answer within the deadline.
    Hang,
}

/// Builds a request with `Host`, `Connection: close` and, unless the
/// headers set their own framing, `Content-Length`.
pub fn request(method: &str, target: &str, headers: &[(String, Vec<u8>)], body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + 512);
    out.extend_from_slice(format!("{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n").as_bytes());
    let framed = headers.iter().any(|(n, _)| {
        n.eq_ignore_ascii_case("content-length") || n.eq_ignore_ascii_case("transfer-encoding")
    });
    for (name, value) in headers {
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value);
        out.extend_from_slice(b"\r\n");
    }
    if !framed && (!body.is_empty() || !matches!(method, "GET" | "HEAD" | "DELETE")) {
        out.extend_from_slice(format!("Content-Length: {}\r\n", body.len()).as_bytes());
    }
    out.extend_from_slice(b"Connection: close\r\n\r\n");
    out.extend_from_slice(body);
    out
}

/// Sends `bytes` (from a second thread, so an early answer is read while
/// the rest is still being written) and reads the answer to the end.
pub fn send(addr: &str, bytes: Vec<u8>, deadline: Duration) -> Outcome {
    let started = Instant::now();
    let Ok(mut stream) = TcpStream::connect(addr) else {
        return Outcome::Closed;
    };
    let _ = stream.set_nodelay(true);
    let mut writer = stream.try_clone().expect("clone socket");
    let _ = writer.set_write_timeout(Some(deadline));
    let write = std::thread::spawn(move || {
        for chunk in bytes.chunks(64 * 1024) {
            if writer.write_all(chunk).is_err() {
                return;
            }
        }
        let _ = writer.flush();
    });
    let mut buf = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    let outcome = loop {
        let left = deadline.saturating_sub(started.elapsed());
        if left.is_zero() {
            break Outcome::Hang;
        }
        let _ = stream.set_read_timeout(Some(left.min(Duration::from_millis(500))));
        match stream.read(&mut chunk) {
            Ok(0) => break finish(&buf),
            Ok(n) => {
                buf.extend_from_slice(&chunk[..n]);
                if let Some(r) = complete(&buf) {
                    break Outcome::Response(r);
                }
            }
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => break finish(&buf),
        }
    };
    let _ = stream.shutdown(Shutdown::Both);
    let _ = write.join();
    outcome
}

fn finish(buf: &[u8]) -> Outcome {
    match parse(buf, true) {
        Some(r) => Outcome::Response(r),
        None => Outcome::Closed,
    }
}

fn complete(buf: &[u8]) -> Option<RawResponse> {
    parse(buf, false)
}

/// The response in `buf`, once it is complete (or, at end of stream,
/// whatever head and body arrived).
fn parse(buf: &[u8], eof: bool) -> Option<RawResponse> {
    let end = buf.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&buf[..end]).ok()?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next()?;
    let status: u16 = status_line.split(' ').nth(1)?.parse().ok()?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    let rest = &buf[end + 4..];
    if (100..200).contains(&status) {
        // An interim answer (100 Continue): the real one follows.
        return parse(rest, eof);
    }
    let get = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    let body = if status == 304 || status == 204 {
        Vec::new()
    } else if let Some(len) = get("content-length").and_then(|v| v.parse::<usize>().ok()) {
        if rest.len() < len {
            return None;
        }
        rest[..len].to_vec()
    } else if get("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        dechunk(rest)?
    } else if eof {
        rest.to_vec()
    } else {
        return None;
    };
    Some(RawResponse {
        status,
        headers,
        body,
    })
}

fn dechunk(mut rest: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = rest.windows(2).position(|w| w == b"\r\n")?;
        let size_text = std::str::from_utf8(&rest[..line_end]).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        rest = &rest[line_end + 2..];
        if size == 0 {
            return Some(out);
        }
        if rest.len() < size + 2 {
            return None;
        }
        out.extend_from_slice(&rest[..size]);
        rest = &rest[size + 2..];
    }
}
