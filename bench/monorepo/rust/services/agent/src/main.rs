use std::time::{SystemTime, UNIX_EPOCH};

fn route(path: &str) -> Option<String> {
    (path == "/uptime").then(|| {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
        format!("{{\"now\":{now}}}")
    })
}

fn main() -> std::io::Result<()> {
    wire::serve("agent", route)
}
