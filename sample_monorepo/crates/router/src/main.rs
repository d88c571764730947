//! router-svc: a dependency-free HTTP/1.1 service.
//!
//! Routes:
//!   GET /health                                   -> {"status":"ok","service":"router"}
//!   GET /distance?from=LAT,LON&to=LAT,LON         -> {"from":[..],"to":[..],"km":..}
//!   (without parameters /distance uses Paris -> London)

use std::env;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

const SERVICE: &str = "router";
const DEFAULT_PORT: u16 = 8081;
const PARIS: (f64, f64) = (48.8566, 2.3522);
const LONDON: (f64, f64) = (51.5074, -0.1278);

struct Response {
    status: u16,
    body: String,
}

impl Response {
    fn json(status: u16, body: String) -> Self {
        Response { status, body }
    }

    fn error(status: u16, message: &str) -> Self {
        Response::json(status, format!("{{\"error\":\"{}\"}}", message))
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        _ => "Internal Server Error",
    }
}

fn parse_point(value: &str) -> Option<(f64, f64)> {
    let (lat, lon) = value.split_once(',')?;
    let lat: f64 = lat.trim().parse().ok()?;
    let lon: f64 = lon.trim().parse().ok()?;
    if (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon) {
        Some((lat, lon))
    } else {
        None
    }
}

fn query_param<'a>(query: &'a str, key: &str) -> Option<&'a str> {
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v)
}

fn distance(query: &str) -> Response {
    // Commas may arrive percent-encoded.
    let query = query.replace("%2C", ",").replace("%2c", ",");
    let from = match query_param(&query, "from") {
        Some(v) => parse_point(v),
        None => Some(PARIS),
    };
    let to = match query_param(&query, "to") {
        Some(v) => parse_point(v),
        None => Some(LONDON),
    };
    match (from, to) {
        (Some(a), Some(b)) => Response::json(
            200,
            format!(
                "{{\"from\":[{},{}],\"to\":[{},{}],\"km\":{:.3}}}",
                a.0,
                a.1,
                b.0,
                b.1,
                geo::distance_km(a, b)
            ),
        ),
        _ => Response::error(400, "expected from=LAT,LON&to=LAT,LON"),
    }
}

fn route(method: &str, target: &str) -> Response {
    if method != "GET" && method != "HEAD" {
        return Response::error(405, "method not allowed");
    }
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    match path {
        "/health" => Response::json(
            200,
            format!("{{\"status\":\"ok\",\"service\":\"{}\"}}", SERVICE),
        ),
        "/distance" => distance(query),
        _ => Response::error(404, "not found"),
    }
}

fn handle(stream: TcpStream) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    stream.set_write_timeout(Some(Duration::from_secs(5)))?;
    let mut reader = BufReader::new(stream.try_clone()?);

    let mut request_line = String::new();
    if reader.read_line(&mut request_line)? == 0 {
        return Ok(()); // client closed without sending anything
    }
    // Drain the headers; this service never reads a body.
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" || line == "\n" {
            break;
        }
    }

    let mut parts = request_line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let response = if target.starts_with('/') {
        route(method, target)
    } else {
        Response::error(400, "bad request")
    };

    let mut out = stream;
    let head = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        response.status,
        reason(response.status),
        response.body.len()
    );
    out.write_all(head.as_bytes())?;
    if method != "HEAD" {
        out.write_all(response.body.as_bytes())?;
    }
    out.flush()
}

fn main() {
    let port = env::var("PORT")
        .ok()
        .and_then(|p| p.parse::<u16>().ok())
        .unwrap_or(DEFAULT_PORT);
    let listener = TcpListener::bind(("0.0.0.0", port)).unwrap_or_else(|e| {
        eprintln!("router-svc: cannot bind port {port}: {e}");
        std::process::exit(1);
    });
    println!("{SERVICE} listening on :{port}");

    for stream in listener.incoming() {
        match stream {
            Ok(stream) => {
                if let Err(e) = handle(stream) {
                    eprintln!("router-svc: request failed: {e}");
                }
            }
            Err(e) => eprintln!("router-svc: accept failed: {e}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn health_route() {
        let r = route("GET", "/health");
        assert_eq!(r.status, 200);
        assert_eq!(r.body, r#"{"status":"ok","service":"router"}"#);
    }

    #[test]
    fn distance_defaults_and_params() {
        assert_eq!(route("GET", "/distance").status, 200);
        let r = route("GET", "/distance?from=0,0&to=0,1");
        assert_eq!(r.status, 200);
        assert!(r.body.contains("\"km\":111.19"), "{}", r.body);
        assert_eq!(route("GET", "/distance?from=nope").status, 400);
    }

    #[test]
    fn unknown_route_and_method() {
        assert_eq!(route("GET", "/nope").status, 404);
        assert_eq!(route("POST", "/health").status, 405);
    }
}
