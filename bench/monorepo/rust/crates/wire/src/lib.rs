//! A minimal HTTP/1.1 responder on std only, shared by the bench's Rust services.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};

/// The port from `PORT`, else `default`.
pub fn port(default: u16) -> u16 {
    std::env::var("PORT").ok().and_then(|p| p.parse().ok()).unwrap_or(default)
}

/// Serve forever: `/health` answers `{"status":"ok","service":NAME}`, other paths go to `route`.
pub fn serve(service: &str, route: fn(&str) -> Option<String>) -> std::io::Result<()> {
    let listener = TcpListener::bind(("0.0.0.0", port(8080)))?;
    eprintln!("{service} listening on {}", listener.local_addr()?);
    for stream in listener.incoming() {
        let _ = answer(stream?, service, route);
    }
    Ok(())
}

fn answer(mut stream: TcpStream, service: &str, route: fn(&str) -> Option<String>) -> std::io::Result<()> {
    let mut line = String::new();
    BufReader::new(&stream).read_line(&mut line)?;
    let path = line.split_whitespace().nth(1).unwrap_or("/");
    let (status, body) = if path == "/health" {
        ("200 OK", format!("{{\"status\":\"ok\",\"service\":\"{service}\"}}"))
    } else {
        match route(path) {
            Some(body) => ("200 OK", body),
            None => ("404 Not Found", String::new()),
        }
    };
    write!(stream, "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}", body.len())
}
